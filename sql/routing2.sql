--
-- More cluster faults through the FDW (test/pg/stubs/routing2_*.script): a
-- reader that dies between two queries (the next read is retried, the
-- reader leaves the table, the refreshed table's reader answers), a routed
-- cluster over TLS, and a leader election (a table without writers).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;
\getenv router_port STUB_ROUTING2_ROUTER_PORT
\set router_url 'neo4j://127.0.0.1:' :router_port
\getenv tls_router_port STUB_ROUTING2_TLS_ROUTER_PORT
\getenv election_port STUB_ROUTING2_ELECTION_ROUTER_PORT
\set election_url 'neo4j://127.0.0.1:' :election_port
\i sql/include/error_of.sql
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

-- a leader election: the router's table has no writer. A write fails with a
-- clear error; a read is served by the follower; the next write asks the
-- router again and goes to the new leader (with the read's bookmark).
CREATE SERVER electing FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'election_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER electing OPTIONS (user 'neo4j', password 'pass');
SELECT * FROM pg_temp.error_of($$SELECT neo4j_execute('electing', 'CREATE (:Person {name: $name})', '{"name": "Trinity"}')$$);
SELECT * FROM neo4j_query('electing', 'RETURN 4 AS x') AS t(x int);
SELECT neo4j_execute('electing', 'CREATE (:Person {name: $name})', '{"name": "Trinity"}') ->> 'nodes_created' AS nodes_created;
DROP SERVER cluster, secure_cluster, electing CASCADE;
