--
-- Retries: a read whose Neo4j transaction fails with a routing, connection or
-- transient error before any row is begun again after a growing wait; other
-- errors are not retried. keep_connections=false closes connections at
-- transaction end.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;
\getenv transient_url STUB_RETRY_TRANSIENT_URL
\getenv syntax_url STUB_RETRY_SYNTAX_URL
\getenv pull_url STUB_RETRY_PULL_URL
\getenv dead_url DEAD_URL

-- option validation
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://localhost', retry_delay_multiplier '0.5');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://localhost', retry_delay_jitter '2');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://localhost', max_retry_time 'forever');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://localhost', keep_connections 'sometimes');

CREATE SERVER flaky FOREIGN DATA WRAPPER neo4j_fdw
  OPTIONS (url :'transient_url', retry_initial_delay '0.2', max_retry_time '10', keep_connections 'false');
CREATE USER MAPPING FOR CURRENT_USER SERVER flaky OPTIONS (user 'neo4j', password 'pass');
SELECT clock_timestamp() AS started \gset
SELECT * FROM neo4j_query('flaky', 'MATCH (p:Person) RETURN count(p) AS n') AS t(n int);
SELECT clock_timestamp() - :'started' >= interval '0.15 s' AS waited_before_retry;
SELECT count(*) AS connections_kept FROM neo4j_fdw_get_connections() WHERE server_name = 'flaky';

-- the first batch fails after RUN succeeded: still before any row, so retried
CREATE SERVER pull_flaky FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'pull_url', retry_initial_delay '0.2');
CREATE USER MAPPING FOR CURRENT_USER SERVER pull_flaky OPTIONS (user 'neo4j', password 'pass');
SELECT * FROM neo4j_query('pull_flaky', 'MATCH (m:Movie) RETURN m.title AS title') AS t(title text);

CREATE SERVER broken FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'syntax_url', retry_initial_delay '0.2');
CREATE USER MAPPING FOR CURRENT_USER SERVER broken OPTIONS (user 'neo4j', password 'pass');
SELECT * FROM neo4j_query('broken', 'RETRUN 1') AS t(x int);

-- a server that stays down: retried until max_retry_time has passed (the
-- last wait is cut to end at the budget), then the last error
CREATE SERVER down FOREIGN DATA WRAPPER neo4j_fdw
  OPTIONS (url :'dead_url', retry_initial_delay '0.3', retry_delay_jitter '0', max_retry_time '1');
CREATE USER MAPPING FOR CURRENT_USER SERVER down OPTIONS (user 'neo4j', password 'pass');
SELECT clock_timestamp() AS started \gset
\set VERBOSITY sqlstate
SELECT * FROM neo4j_query('down', 'RETURN 1 AS x') AS t(x int);
\set VERBOSITY default
-- waits of 0.3 s, 0.6 s and 0.1 s (cut), so four tries in about 1 s
SELECT clock_timestamp() - :'started' >= interval '0.95 s' AS used_the_whole_budget;

DROP SERVER flaky, broken, pull_flaky, down CASCADE;
