--
-- Failures: each gives a clear error with a fitting SQLSTATE and the Neo4j
-- code in DETAIL, and the backend stays usable.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;
\getenv auth_url STUB_ERRORS_AUTH_URL
\getenv db_url STUB_ERRORS_DB_URL
\getenv tls_port STUB_ERRORS_TLS_PORT
\set tls_url 'bolt+s://localhost:' :tls_port
\getenv midstream_url STUB_ERRORS_MIDSTREAM_URL
\getenv dead_url DEAD_URL

\i sql/include/error_of.sql

-- a refused connection
CREATE SERVER dead FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'dead_url', connect_timeout '5');
CREATE USER MAPPING FOR CURRENT_USER SERVER dead OPTIONS (user 'neo4j', password 'pass');
SELECT * FROM pg_temp.error_of($$SELECT neo4j_server_info('dead')$$);
SELECT 1 AS still_usable;

-- an authentication failure: the password is not in the message
CREATE SERVER auth FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'auth_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER auth OPTIONS (user 'neo4j', password 'wrong');
SELECT * FROM pg_temp.error_of($$SELECT * FROM neo4j_query('auth', 'RETURN 1 AS x') AS t(x int)$$);
SELECT 1 AS still_usable;

-- an unknown database (5.x code, then the 5.7 form with a GQL status)
CREATE SERVER nodb FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'db_url', database 'nope');
CREATE USER MAPPING FOR CURRENT_USER SERVER nodb OPTIONS (user 'neo4j', password 'pass');
SELECT * FROM neo4j_query('nodb', 'RETURN 1 AS x') AS t(x int);
SELECT * FROM pg_temp.error_of($$SELECT * FROM neo4j_query('nodb', 'RETURN 2 AS x') AS t(x int)$$);
-- the failed connections were dropped; the one that answered is pooled
SELECT server_name, valid, idle_connections FROM neo4j_fdw_get_connections() ORDER BY 1;

-- a TLS failure
CREATE SERVER tls FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'tls_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER tls OPTIONS (user 'neo4j', password 'pass');
SELECT * FROM pg_temp.error_of($$SELECT * FROM neo4j_query('tls', 'RETURN 1 AS x') AS t(x int)$$);

-- the connection dies in the middle of a result; the next statement opens a
-- new one (the stub serves two, and cuts both short)
CREATE SERVER midstream FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'midstream_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER midstream OPTIONS (user 'neo4j', password 'pass');
CREATE FOREIGN TABLE numbers (x int) SERVER midstream OPTIONS (query 'UNWIND range(1, 3) AS x RETURN x');
SELECT * FROM pg_temp.error_of('SELECT * FROM numbers');
SELECT * FROM pg_temp.error_of('SELECT * FROM numbers');
SELECT 1 AS still_usable;

SELECT neo4j_fdw_disconnect('nodb');
SELECT neo4j_fdw_disconnect_all();
SELECT count(*) FROM neo4j_fdw_get_connections();
DROP SERVER dead, auth, nodb, tls, midstream CASCADE;
