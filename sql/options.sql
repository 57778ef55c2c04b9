--
-- Option validation: every bad option is refused at CREATE/ALTER time with
-- a message that names it and what it accepts. No Neo4j server is needed.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;

-- servers
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw;
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'http://localhost:7474');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://localhost?region=eu');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'neo4j://localhost?region=');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://localhost:99999');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://neo4j:secret@localhost');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://localhost', fetch_size '0');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://localhost', connect_timeout 'soon');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://localhost', database '');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://localhost', max_connection_pool_size '0');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://localhost', connection_acquisition_timeout '-1');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://localhost', max_connection_lifetime 'forever');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://localhost', liveness_check_timeout '2 years');
CREATE SERVER bad FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url 'bolt://localhost', colour 'blue');
CREATE SERVER graph FOREIGN DATA WRAPPER neo4j_fdw
  OPTIONS (url 'neo4j://db.example.com:7687?region=eu', database 'movies', fetch_size '500');
ALTER SERVER graph OPTIONS (SET url 'bolt+tls://db.example.com');
ALTER SERVER graph OPTIONS (DROP url);
ALTER SERVER graph OPTIONS (ADD connect_timeout '5', ADD user_agent 'etl/1.0');
-- the pool: the official drivers' settings (these values are their defaults, but for the liveness check)
ALTER SERVER graph OPTIONS (ADD max_connection_pool_size '100', ADD connection_acquisition_timeout '60',
  ADD max_connection_lifetime '1 hour', ADD liveness_check_timeout '5 min');

-- user mappings
CREATE USER MAPPING FOR CURRENT_USER SERVER graph OPTIONS (user 'neo4j', pasword 'secret');
CREATE USER MAPPING FOR CURRENT_USER SERVER graph OPTIONS (user 'neo4j', password 'secret');
CREATE ROLE regress_neo4j_plain;
GRANT USAGE ON FOREIGN SERVER graph TO regress_neo4j_plain;
SET ROLE regress_neo4j_plain;
CREATE USER MAPPING FOR regress_neo4j_plain SERVER graph OPTIONS (user 'u', password_required 'false');
CREATE USER MAPPING FOR regress_neo4j_plain SERVER graph OPTIONS (user 'u', password_required 'maybe');
CREATE USER MAPPING FOR regress_neo4j_plain SERVER graph OPTIONS (user 'u');
RESET ROLE;

-- foreign tables
CREATE FOREIGN TABLE bad (a int) SERVER graph;
CREATE FOREIGN TABLE bad (a int) SERVER graph OPTIONS (label 'A', query 'RETURN 1 AS a');
CREATE FOREIGN TABLE bad (a int) SERVER graph OPTIONS (label '');
CREATE FOREIGN TABLE bad (a int) SERVER graph OPTIONS (label 'A', fetch_size '-5');
CREATE FOREIGN TABLE bad (a int) SERVER graph OPTIONS (labels 'A');
CREATE FOREIGN TABLE bad (a text OPTIONS (element_id 'yes please')) SERVER graph OPTIONS (label 'A');
CREATE FOREIGN TABLE bad (a text OPTIONS (element_id 'true', end_element_id 'true')) SERVER graph OPTIONS (relationship 'R');
CREATE FOREIGN TABLE bad (a text OPTIONS (propery 'x')) SERVER graph OPTIONS (label 'A');

CREATE FOREIGN TABLE person (
  id text OPTIONS (element_id 'true'),
  name text,
  born int OPTIONS (property 'birthYear')
) SERVER graph OPTIONS (label 'Person', fetch_size '10');
ALTER FOREIGN TABLE person OPTIONS (ADD query 'RETURN 1');
ALTER FOREIGN TABLE person ALTER COLUMN born OPTIONS (SET property 'born');

CREATE FOREIGN TABLE acted_in (
  id text OPTIONS (element_id 'true'),
  actor text OPTIONS (start_element_id 'true'),
  movie text OPTIONS (end_element_id 'true'),
  roles text[]
) SERVER graph OPTIONS (relationship 'ACTED_IN');

CREATE FOREIGN TABLE odd ("we`ird" text, "x y" int) SERVER graph OPTIONS (label 'My`Label');

-- EXPLAIN shows the Cypher without connecting; only the columns used are fetched
EXPLAIN (COSTS OFF) SELECT name FROM person;
EXPLAIN (COSTS OFF) SELECT count(*) FROM person;
EXPLAIN (COSTS OFF, VERBOSE) SELECT * FROM person;
EXPLAIN (COSTS OFF) SELECT * FROM acted_in;
EXPLAIN (COSTS OFF) SELECT * FROM odd;

-- a non-superuser without a password cannot use the server
GRANT SELECT ON person TO regress_neo4j_plain;
SET ROLE regress_neo4j_plain;
SELECT * FROM person;
RESET ROLE;


REVOKE SELECT ON person FROM regress_neo4j_plain;
DROP USER MAPPING FOR regress_neo4j_plain SERVER graph;
DROP USER MAPPING FOR CURRENT_USER SERVER graph;
REVOKE USAGE ON FOREIGN SERVER graph FROM regress_neo4j_plain;
DROP ROLE regress_neo4j_plain;
DROP SERVER graph CASCADE;
