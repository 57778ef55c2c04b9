--
-- The pool is per backend and per address, shared by every server and user
-- mapping with the same URL, credentials and driver settings; mappings with
-- other credentials never share a connection (test/pg/stubs/sharing.script
-- allows two connections of two transactions each).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;
\getenv sharing_url STUB_SHARING_URL

CREATE ROLE sharing_alice;
CREATE ROLE sharing_bob;
CREATE ROLE sharing_carol;
CREATE SERVER shared_a FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'sharing_url');
CREATE SERVER shared_b FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'sharing_url');
CREATE USER MAPPING FOR sharing_alice SERVER shared_a OPTIONS (user 'neo4j', password 'pass');
CREATE USER MAPPING FOR sharing_bob SERVER shared_b OPTIONS (user 'neo4j', password 'pass');
CREATE USER MAPPING FOR sharing_carol SERVER shared_a OPTIONS (user 'neo4j', password 'other');
GRANT EXECUTE ON FUNCTION neo4j_query(text, text, jsonb) TO sharing_alice, sharing_bob, sharing_carol;

SET ROLE sharing_alice;
SELECT * FROM neo4j_query('shared_a', 'RETURN 1 AS x') AS t(x int);
-- another role on another server with the same URL and credentials: the same connection
SET ROLE sharing_bob;
SELECT * FROM neo4j_query('shared_b', 'RETURN 1 AS x') AS t(x int);
-- other credentials: a new connection, never alice's
SET ROLE sharing_carol;
SELECT * FROM neo4j_query('shared_a', 'RETURN 1 AS x') AS t(x int);
SELECT * FROM neo4j_query('shared_a', 'RETURN 1 AS x') AS t(x int);
RESET ROLE;

-- alice and bob see the same idle connection, carol her own
SELECT server_name, user_name, idle_connections FROM neo4j_fdw_get_connections() ORDER BY 1, 2;

-- the driver stays while a mapping still uses it: dropping bob's keeps alice's connection
SELECT neo4j_fdw_disconnect('shared_b');
SELECT server_name, user_name, idle_connections FROM neo4j_fdw_get_connections() ORDER BY 1, 2;

SELECT neo4j_fdw_disconnect_all();
DROP SERVER shared_a, shared_b CASCADE;
REVOKE EXECUTE ON FUNCTION neo4j_query(text, text, jsonb) FROM sharing_alice, sharing_bob, sharing_carol;
DROP ROLE sharing_alice, sharing_bob, sharing_carol;
