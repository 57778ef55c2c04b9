--
-- 10,000 statements over the pooled connection leave the backend's open
-- sockets and memory flat (read from /proc/self of the backend).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;
\getenv graph_url GRAPH_URL
CREATE SERVER pooled FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'graph_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER pooled OPTIONS (user 'neo4j', password 'secret');
CREATE FOREIGN TABLE pooled_person (name text, born int) SERVER pooled OPTIONS (label 'Person');

CREATE FUNCTION pg_temp.backend_rss_kb() RETURNS bigint LANGUAGE sql AS $$
  SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmRSS:\s+(\d+)'))[1]::bigint $$;

-- warm up: the connection, caches and the plan
DO $$ BEGIN FOR i IN 1..200 LOOP PERFORM count(*) FROM pooled_person WHERE born > 1960; END LOOP; END $$;
SELECT pg_temp.backend_rss_kb() AS rss_before \gset
SELECT count(*) AS fds_before FROM pg_ls_dir('/proc/self/fd') \gset

-- 10,000 separate statements (each its own transaction); their results are not printed
\set ECHO none
\o /dev/null
SELECT format('SELECT count(*) FROM pooled_person WHERE born > %s', 1900 + i % 80) FROM generate_series(1, 10000) AS i \gexec
\o
\set ECHO all

SELECT pg_temp.backend_rss_kb() - :rss_before < 2048 AS memory_flat,
       (SELECT count(*) FROM pg_ls_dir('/proc/self/fd')) = :fds_before AS descriptors_flat;
SELECT server_name, idle_connections FROM neo4j_fdw_get_connections();

-- A procedure that COMMITs in a loop (an ETL job, say): each COMMIT commits
-- the Neo4j transaction, and that allocates nothing in the procedure's
-- memory (SPI Proc), which lives as long as the CALL.
CREATE PROCEDURE commit_loop() LANGUAGE plpgsql AS $$
DECLARE
  before bigint;
  n bigint;
BEGIN
  FOR i IN 1..1000 LOOP
    IF i = 50 THEN
      SELECT sum(total_bytes) INTO before FROM pg_backend_memory_contexts WHERE name = 'SPI Proc';
    END IF;
    SELECT count(*) INTO n FROM pooled_person WHERE born > 1960;
    COMMIT;
  END LOOP;
  SELECT sum(total_bytes) - before INTO n FROM pg_backend_memory_contexts WHERE name = 'SPI Proc';
  RAISE NOTICE 'the procedure''s memory grew by less than 64 kB over 950 COMMITs: %', n < 65536;
END $$;
CALL commit_loop();
DROP PROCEDURE commit_loop();
DROP SERVER pooled CASCADE;
