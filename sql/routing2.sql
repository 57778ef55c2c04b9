--
-- More cluster faults through the FDW (test/pg/stubs/routing2_*.script): a
-- reader that dies between two queries (the next read is retried, the
-- reader leaves the table, the refreshed table's reader answers), and a
-- routed cluster over TLS.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;
\getenv router_port STUB_ROUTING2_ROUTER_PORT
\set router_url 'neo4j://127.0.0.1:' :router_port
\getenv tls_router_port STUB_ROUTING2_TLS_ROUTER_PORT
\set tls_router_url 'neo4j+ssc://127.0.0.1:' :tls_router_port

CREATE SERVER cluster FOREIGN DATA WRAPPER neo4j_fdw
  OPTIONS (url :'router_url', database 'movies', retry_initial_delay '0.1');
CREATE USER MAPPING FOR CURRENT_USER SERVER cluster OPTIONS (user 'neo4j', password 'pass');
SELECT * FROM neo4j_query('cluster', 'RETURN 1 AS x') AS t(x int);
-- reader A is gone now
SELECT * FROM neo4j_query('cluster', 'RETURN 2 AS x') AS t(x int);

CREATE SERVER secure_cluster FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'tls_router_url', database 'movies');
CREATE USER MAPPING FOR CURRENT_USER SERVER secure_cluster OPTIONS (user 'neo4j', password 'pass');
SELECT * FROM neo4j_query('secure_cluster', 'RETURN 3 AS x') AS t(x int);
DROP SERVER cluster, secure_cluster CASCADE;
