--
-- Faults (scripted stubs test/pg/stubs/faults_*.script): each ends with a
-- clear error or the right recovery, and the backend keeps working.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;
\getenv silent_url STUB_FAULTS_SILENT_URL
\getenv expired_url STUB_FAULTS_EXPIRED_URL
\getenv commit_url STUB_FAULTS_COMMIT_URL
\getenv commit_read_url STUB_FAULTS_COMMIT_READ_URL
\getenv ttl_port STUB_FAULTS_TTL_ROUTER_PORT
\set ttl_url 'neo4j://127.0.0.1:' :ttl_port
\getenv dead_port DEAD_PORT
\set dead_cluster_url 'neo4j://127.0.0.1:' :dead_port
\i sql/include/error_of.sql

-- a server that never answers: the connect timeout ends the wait (no retries here)
CREATE SERVER silent FOREIGN DATA WRAPPER neo4j_fdw
  OPTIONS (url :'silent_url', connect_timeout '1', max_retry_time '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER silent OPTIONS (user 'neo4j', password 'pass');
SELECT clock_timestamp() AS started \gset
SELECT state, detail FROM pg_temp.error_of($$SELECT * FROM neo4j_query('silent', 'RETURN 1 AS x') AS t(x int)$$);
SELECT clock_timestamp() - :'started' < interval '2.5 s' AS gave_up_in_time;
-- the same with a long connect timeout: the connection acquisition timeout ends it
ALTER SERVER silent OPTIONS (SET connect_timeout '30', ADD connection_acquisition_timeout '0.5');
SELECT clock_timestamp() AS started \gset
SELECT state, detail FROM pg_temp.error_of($$SELECT * FROM neo4j_query('silent', 'RETURN 1 AS x') AS t(x int)$$);
SELECT clock_timestamp() - :'started' < interval '2 s' AS gave_up_in_time;

-- every router of a cluster is down: the error says so and lists what was tried
CREATE SERVER nowhere FOREIGN DATA WRAPPER neo4j_fdw
  OPTIONS (url :'dead_cluster_url', database 'movies', max_retry_time '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER nowhere OPTIONS (user 'neo4j', password 'pass');
SELECT * FROM pg_temp.error_of($$SELECT * FROM neo4j_query('nowhere', 'RETURN 1 AS x') AS t(x int)$$);

-- an expired token, then a failure in the middle of a stream; then a working statement
CREATE SERVER expiring FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'expired_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER expiring OPTIONS (token 'token-1');
SELECT * FROM pg_temp.error_of($$SELECT * FROM neo4j_query('expiring', 'RETURN 1 AS x') AS t(x int)$$);
SELECT * FROM neo4j_query('expiring', 'UNWIND [1, 2, 0] AS x RETURN 10 / x AS y') AS t(y int);
SELECT * FROM neo4j_query('expiring', 'RETURN 2 AS x') AS t(x int);

-- a routing table whose TTL expires between two statements is fetched again
CREATE SERVER shortlived FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'ttl_url', database 'movies');
CREATE USER MAPPING FOR CURRENT_USER SERVER shortlived OPTIONS (user 'neo4j', password 'pass');
SELECT * FROM neo4j_query('shortlived', 'RETURN 1 AS x') AS t(x int);
SELECT pg_sleep(1.2);
SELECT * FROM neo4j_query('shortlived', 'RETURN 2 AS x') AS t(x int);

-- the connection is lost while the COMMIT is awaited: Neo4j may have
-- committed, so the error says the outcome is unknown (08007)
CREATE SERVER committing FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'commit_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER committing OPTIONS (user 'neo4j', password 'pass');
BEGIN;
SELECT neo4j_execute('committing', 'CREATE (:Person {name: $name})', '{"name": "Lost"}') ->> 'nodes_created' AS nodes_created;
\set VERBOSITY sqlstate
COMMIT;
\set VERBOSITY default
SELECT regexp_replace(:'LAST_ERROR_MESSAGE', ':[0-9]+', ':PORT') AS commit_error;

-- the same for a read transaction: it wrote nothing, so the Postgres
-- transaction (here a local insert) commits, with a warning
CREATE SERVER reading FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'commit_read_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER reading OPTIONS (user 'neo4j', password 'pass');
CREATE TEMP TABLE names_read (name text);
BEGIN;
INSERT INTO names_read SELECT * FROM neo4j_query('reading', 'MATCH (p:Person) RETURN p.name AS name') AS t(name text);
\set VERBOSITY sqlstate
COMMIT;
\set VERBOSITY default
SELECT * FROM names_read;

SELECT 1 AS still_usable;
DROP SERVER silent, nowhere, expiring, shortlived, committing, reading CASCADE;
