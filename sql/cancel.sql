--
-- A statement_timeout (like a cancel) stops a long stream promptly: the
-- Neo4j query is stopped with RESET and the connection is kept.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;
\getenv stub_url STUB_CANCEL_STREAM_URL
CREATE SERVER slow FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'stub_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER slow OPTIONS (user 'neo4j', password 'pass');
CREATE FOREIGN TABLE endless (x bigint) SERVER slow
  OPTIONS (query 'UNWIND range(1, 100000000) AS x RETURN x');
SET statement_timeout = '500ms';
SELECT clock_timestamp() AS started \gset
SELECT sum(x) FROM endless;
SELECT clock_timestamp() - :'started' < interval '5 s' AS stopped_promptly;
RESET statement_timeout;
SELECT * FROM neo4j_query('slow', 'RETURN 1 AS x') AS t(x int);
SELECT server_name, idle_connections FROM neo4j_fdw_get_connections();
DROP SERVER slow CASCADE;
