-- The soak test's schema: foreign tables on the movies graph server and the
-- bench server, the statistics table, and the worker procedure that each of
-- the concurrent sessions CALLs (see test/soak/soak.sh).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
CREATE SERVER movies FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'graph_url', max_retry_time '5', retry_initial_delay '0.2');
CREATE USER MAPPING FOR PUBLIC SERVER movies OPTIONS (user 'neo4j', password 'secret');
CREATE SERVER bench FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'bench_url', max_retry_time '5', retry_initial_delay '0.2');
CREATE USER MAPPING FOR PUBLIC SERVER bench OPTIONS (user 'neo4j', password 'bench');
CREATE FOREIGN TABLE person (name text, born int) SERVER movies OPTIONS (label 'Person');
CREATE FOREIGN TABLE acted_in (actor text OPTIONS (property 'start_name'), roles text[]) SERVER movies
  OPTIONS (query 'MATCH (p:Person)-[r:ACTED_IN]->(m:Movie) RETURN p.name AS start_name, r.roles AS roles');
CREATE FOREIGN TABLE bench_rows (i bigint, f float8, s text, b boolean, d date) SERVER bench OPTIONS (label 'BenchRow');

CREATE TABLE soak_stats (worker int, kind text, n bigint NOT NULL DEFAULT 0, sample text, PRIMARY KEY (worker, kind));
CREATE TABLE soak_backends (worker int PRIMARY KEY, pid int);

-- One session's load until the deadline: each step is one transaction of a
-- randomly chosen kind; errors are caught and counted by SQLSTATE.
CREATE PROCEDURE soak_worker(session_no int, deadline timestamptz) LANGUAGE plpgsql AS $$
DECLARE
  step text;
  outcome text;
  message text;
  n bigint;
  r float8;
  key bigint;
BEGIN
  INSERT INTO soak_backends VALUES (session_no, pg_backend_pid()) ON CONFLICT (worker) DO UPDATE SET pid = excluded.pid;
  COMMIT;
  WHILE clock_timestamp() < deadline LOOP
    r := random();
    step := CASE WHEN r < 0.30 THEN 'lookup' WHEN r < 0.50 THEN 'scan' WHEN r < 0.65 THEN 'join'
                 WHEN r < 0.75 THEN 'stream' WHEN r < 0.85 THEN 'error' WHEN r < 0.92 THEN 'write-in-read'
                 ELSE 'reconnect' END;
    BEGIN
      CASE step
        WHEN 'lookup' THEN
          -- the key as a parameter: random() in the condition would keep it
          -- from being pushed down and make this a scan of every row
          key := (random() * 999999)::bigint;
          SELECT count(*) INTO n FROM bench_rows WHERE i = key;
          IF n <> 1 THEN RAISE EXCEPTION 'lookup of % found % rows', key, n; END IF;
        WHEN 'scan' THEN
          SELECT count(*) INTO n FROM person WHERE born > 1950 + (random() * 30)::int;
        WHEN 'join' THEN
          SELECT count(*) INTO n FROM person p JOIN acted_in a ON a.actor = p.name WHERE p.born < 1970;
        WHEN 'stream' THEN
          -- a long stream, often cut short by the cancels soak.sh sends
          SELECT count(*) INTO n FROM bench_rows WHERE num_nonnulls(i, f, s, b, d) + (random() * 0)::int = 5;
        WHEN 'error' THEN
          SELECT count(*) INTO n FROM neo4j_query('movies', 'MATCH (p:Person) RETURN p.name AS name LIMT 1') AS t(name text);
        WHEN 'write-in-read' THEN
          SELECT count(*) INTO n FROM neo4j_query('movies', 'CREATE (x:Soak) RETURN 1 AS one') AS t(one int);
        WHEN 'reconnect' THEN
          PERFORM neo4j_fdw_disconnect_all();
      END CASE;
      outcome := 'ok';
      message := NULL;
    EXCEPTION
      WHEN query_canceled THEN      -- OTHERS does not catch a cancel
        outcome := SQLSTATE;
        message := SQLERRM;
      WHEN OTHERS THEN
        outcome := SQLSTATE;
        message := SQLERRM;
    END;
    INSERT INTO soak_stats VALUES (session_no, step || ' ' || outcome, 1, message)
      ON CONFLICT (worker, kind) DO UPDATE SET n = soak_stats.n + 1, sample = excluded.sample;
    COMMIT;
  END LOOP;
END $$;
