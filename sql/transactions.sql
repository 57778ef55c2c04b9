--
-- Transactions: each Postgres transaction has one Neo4j transaction per user
-- mapping (READ for reads, WRITE once it writes), committed before the
-- Postgres commit and rolled back with it; bookmarks chain the backend's
-- transactions; savepoints; neo4j_execute(); routing tables.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;
\getenv graph_url GRAPH_URL
SET application_name = 'neo4j_fdw_tx_test';
-- a small fetch size: the cursor below reads its result in several batches
CREATE SERVER tx FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'graph_url', fetch_size '3');
CREATE USER MAPPING FOR CURRENT_USER SERVER tx OPTIONS (user 'neo4j', password 'secret');
CREATE FOREIGN TABLE tx_person (name text, born int) SERVER tx OPTIONS (label 'Person');
CREATE VIEW tx_people AS SELECT name, born FROM tx_person WHERE name LIKE 'Tx %';

-- neo4j_execute: a write (the local graph server sends no statistics, so
-- the counters are checked with the stub below)
SELECT neo4j_execute('tx', 'CREATE (:Person {name: $name, born: $born})', '{"name": "Tx One", "born": 2001}') ? 'nodes_created' AS done;
-- committed (auto-commit of the statement): visible, and a bookmark is kept
SELECT * FROM tx_people ORDER BY name;
SELECT server_name, bookmark ~ '^FB:graphserver:[0-9]+$' AS is_bookmark FROM neo4j_fdw_bookmarks();

-- a write and then reads in one transaction: the reads see the write
BEGIN;
SELECT neo4j_execute('tx', 'CREATE (:Person {name: "Tx Two", born: 2002})') ? 'nodes_created' AS done;
SELECT * FROM tx_people ORDER BY name;
SELECT * FROM neo4j_query('tx', 'MATCH (p:Person) WHERE p.name STARTS WITH "Tx " RETURN count(p) AS n') AS t(n int);
-- the transaction uses one connection
SELECT server_name, idle_connections FROM neo4j_fdw_get_connections();
ROLLBACK;
-- rolled back with the Postgres transaction: not there
SELECT * FROM tx_people ORDER BY name;

-- committed with the Postgres transaction: there
BEGIN;
SELECT neo4j_execute('tx', 'CREATE (:Person {name: "Tx Two", born: 2002})') ? 'nodes_created' AS done;
COMMIT;
SELECT * FROM tx_people ORDER BY name;

-- read, then write: the read transaction ends, a write transaction begins;
-- a scan still open reads on from memory (one update per row)
BEGIN;
SELECT count(*) FROM tx_people;
SELECT name, neo4j_execute('tx', 'MATCH (p:Person {name: $n}) SET p.born = p.born + 10', jsonb_build_object('n', name)) ? 'properties_set' AS done
  FROM tx_person WHERE name LIKE 'Tx %' ORDER BY name;
SELECT * FROM tx_people ORDER BY name;
COMMIT;
SELECT * FROM tx_people ORDER BY name;

-- a write through neo4j_query in a read transaction fails (SQLSTATE 25006,
-- read-only transaction): neo4j_execute writes
\set VERBOSITY sqlstate
SELECT * FROM neo4j_query('tx', 'CREATE (p:Person {name: "Tx Bad"}) RETURN p.name AS n') AS t(n text);
\set VERBOSITY default
SELECT * FROM neo4j_query('tx', 'CREATE (p:Person {name: "Tx Bad"}) RETURN p.name AS n') AS t(n text);
SELECT count(*) FROM tx_people;

-- cursors and nested loops share the transaction (several open results)
BEGIN;
DECLARE c CURSOR FOR SELECT name FROM tx_person ORDER BY name;
FETCH 2 FROM c;
SELECT count(*) FROM tx_people;
SELECT a.name, (SELECT born FROM tx_person b WHERE b.name = a.name) FROM tx_person a WHERE a.name LIKE 'Tx %' ORDER BY 1;
FETCH 2 FROM c;
CLOSE c;
COMMIT;

-- savepoints: rolling back reads works
BEGIN;
SAVEPOINT s;
SELECT count(*) FROM tx_people;
ROLLBACK TO SAVEPOINT s;
SELECT count(*) FROM tx_people;
-- also after a Neo4j error in the subtransaction (no writes yet)
SAVEPOINT s2;
SELECT * FROM neo4j_query('tx', 'RETRUN 1') AS t(x int);
ROLLBACK TO SAVEPOINT s2;
SELECT count(*) FROM tx_people;
COMMIT;

-- a cursor of a released savepoint lives on after rolling back a later one;
-- a cursor of a rolled back savepoint is gone
BEGIN;
SAVEPOINT a;
DECLARE c CURSOR FOR SELECT name FROM tx_person ORDER BY name;
FETCH 1 FROM c;
RELEASE SAVEPOINT a;
SAVEPOINT b;
DECLARE d CURSOR FOR SELECT name FROM tx_person ORDER BY name DESC;
FETCH 1 FROM d;
SELECT count(*) FROM tx_people;
ROLLBACK TO SAVEPOINT b;
FETCH 4 FROM c;
FETCH 1 FROM d;
ROLLBACK;

-- writes before a savepoint survive rolling back reads after it
BEGIN;
SELECT neo4j_execute('tx', 'CREATE (:Person {name: "Tx Three", born: 2003})') ? 'nodes_created' AS done;
SAVEPOINT s;
SELECT count(*) FROM tx_people;
ROLLBACK TO SAVEPOINT s;
SELECT count(*) FROM tx_people;
ROLLBACK;

-- rolling back a write is an error: Neo4j has no savepoints
BEGIN;
SAVEPOINT s;
SELECT neo4j_execute('tx', 'CREATE (:Person {name: "Tx Four", born: 2004})') ? 'nodes_created' AS done;
ROLLBACK TO SAVEPOINT s;
SELECT 1;
ROLLBACK;
-- the same after an error in the subtransaction
BEGIN;
SAVEPOINT s;
SELECT neo4j_execute('tx', 'CREATE (:Person {name: "Tx Four", born: 2004})') ? 'nodes_created' AS done;
SELECT 1 / 0;
ROLLBACK TO SAVEPOINT s;
ROLLBACK;
-- a PL/pgSQL block that catches an error after a write: the commit fails
DO $$
BEGIN
  BEGIN
    PERFORM neo4j_execute('tx', 'CREATE (:Person {name: "Tx Four", born: 2004})');
    RAISE EXCEPTION 'oops';
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'caught: %', SQLERRM;
  END;
END $$;
-- released savepoints keep their writes
BEGIN;
SAVEPOINT s;
SELECT neo4j_execute('tx', 'CREATE (:Person {name: "Tx Five", born: 2005})') ? 'nodes_created' AS done;
RELEASE SAVEPOINT s;
COMMIT;
SELECT * FROM tx_people ORDER BY name;

-- causal chaining off: no bookmarks are kept or sent
SELECT neo4j_fdw_clear_bookmarks('tx');
SELECT count(*) FROM neo4j_fdw_bookmarks();
ALTER SERVER tx OPTIONS (ADD causal_chaining 'false');
SELECT count(*) FROM tx_people;
SELECT count(*) FROM neo4j_fdw_bookmarks();
ALTER SERVER tx OPTIONS (SET causal_chaining 'true');
SELECT count(*) FROM tx_people;
SELECT count(*) FROM neo4j_fdw_bookmarks();
SELECT neo4j_fdw_clear_bookmarks();
SELECT count(*) FROM neo4j_fdw_bookmarks();

-- options
ALTER SERVER tx OPTIONS (ADD tx_timeout '2 min');
ALTER SERVER tx OPTIONS (SET tx_timeout '2.5');
ALTER SERVER tx OPTIONS (SET tx_timeout '0');
ALTER SERVER tx OPTIONS (SET tx_timeout 'soon');
ALTER SERVER tx OPTIONS (SET tx_timeout '-1');
ALTER SERVER tx OPTIONS (SET tx_timeout '2 years');
ALTER SERVER tx OPTIONS (SET causal_chaining 'maybe');
SELECT count(*) FROM tx_people;

-- routing tables need neo4j:// URLs
SELECT * FROM neo4j_routing_table('tx');

-- PREPARE TRANSACTION is not possible after using Neo4j
BEGIN;
SELECT count(*) FROM tx_people;
PREPARE TRANSACTION 'tx1';

-- clean up the graph
SELECT neo4j_execute('tx', 'MATCH (p:Person) WHERE p.name STARTS WITH "Tx " DETACH DELETE p') ? 'nodes_deleted' AS done;
SELECT count(*) FROM tx_people;
DROP SERVER tx CASCADE;

-- the exact conversation (test/pg/stubs/transactions_stub.script)
\getenv stub_url STUB_TRANSACTIONS_STUB_URL
CREATE SERVER txstub FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'stub_url', tx_timeout '5s');
CREATE USER MAPPING FOR CURRENT_USER SERVER txstub OPTIONS (user 'neo4j', password 'pass');
SELECT * FROM neo4j_query('txstub', 'RETURN 1 AS x') AS t(x int);
SELECT * FROM neo4j_fdw_bookmarks();
BEGIN;
SELECT * FROM neo4j_query('txstub', 'RETURN 2 AS x') AS t(x int);
SELECT neo4j_execute('txstub', 'CREATE (n:N {a: $a, b: 2})', '{"a": 1}');
SELECT * FROM neo4j_query('txstub', 'MATCH (n:N) RETURN n.a AS a') AS t(a int);
COMMIT;
SELECT * FROM neo4j_fdw_bookmarks();
BEGIN;
SELECT neo4j_execute('txstub', 'CREATE (:N)') ->> 'nodes_created' AS created;
ROLLBACK;
BEGIN;
SELECT neo4j_execute('txstub', 'CREATE (:N)') ->> 'nodes_created' AS created;
COMMIT;
SELECT * FROM neo4j_fdw_bookmarks();
SELECT * FROM neo4j_query('txstub', 'RETURN 3 AS x') AS t(x int);
SELECT * FROM neo4j_fdw_bookmarks();
DROP SERVER txstub CASCADE;

-- a routing table (test/pg/stubs/transactions_route.script)
\getenv route_port STUB_TRANSACTIONS_ROUTE_PORT
\set route_url 'neo4j://127.0.0.1:' :route_port
CREATE SERVER txroute FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'route_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER txroute OPTIONS (user 'neo4j', password 'pass');
SELECT role, address, expires_in BETWEEN '4 min 50 s' AND '5 min' AS expires_in_5_min FROM neo4j_routing_table('txroute');
SELECT role, address, expires_in BETWEEN '50 s' AND '1 min' AS expires_in_1_min FROM neo4j_routing_table('txroute', 'movies');
DROP SERVER txroute CASCADE;
