--
-- Foreign tables over the local graph server's movies graph (test/graphserver):
-- label, relationship and query tables, joins with local tables, rescans,
-- streaming in small batches, ANALYZE, and the connection functions.
-- (The server runs real Cypher on an embedded engine; where that engine
-- differs from Neo4j, the server adapts — see test/graphserver/README.md.)
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
\getenv graph_url GRAPH_URL
CREATE SERVER movies FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'graph_url', fetch_size '7');
CREATE USER MAPPING FOR CURRENT_USER SERVER movies OPTIONS (user 'neo4j', password 'secret');

CREATE FOREIGN TABLE person (id text OPTIONS (element_id 'true'), name text, born int)
  SERVER movies OPTIONS (label 'Person');
CREATE FOREIGN TABLE movie (id text OPTIONS (element_id 'true'), title text, released int2,
                            tagline text, release_date date, genres text[], rating numeric(3,1))
  SERVER movies OPTIONS (label 'Movie');
CREATE FOREIGN TABLE acted_in (id text OPTIONS (element_id 'true'), actor text OPTIONS (start_element_id 'true'),
                               movie text OPTIONS (end_element_id 'true'), roles text[])
  SERVER movies OPTIONS (relationship 'ACTED_IN');
-- (a <> b: Neo4j never matches one relationship twice in a pattern, so a and b
-- differ anyway; the test engine does not apply that rule, hence the condition)
CREATE FOREIGN TABLE coactors (actor text, coactor text, movies bigint)
  SERVER movies OPTIONS (query 'MATCH (a:Person)-[:ACTED_IN]->(m:Movie)<-[:ACTED_IN]-(b:Person) WHERE a <> b RETURN a.name AS actor, b.name AS coactor, count(m) AS movies');
CREATE FOREIGN TABLE renamed (who text OPTIONS (property 'name'), year int OPTIONS (property 'born'))
  SERVER movies OPTIONS (label 'Person', fetch_size '2');

-- counts stream in batches of 7 (and 2)
SELECT count(*), count(born), min(born), max(born) FROM person;
SELECT count(*) FROM movie;
SELECT count(*) FROM acted_in;
SELECT count(*), count(DISTINCT who) FROM renamed;
-- values of each column type
SELECT title, released, release_date, genres, rating FROM movie WHERE title LIKE 'The Matrix%' ORDER BY released, title;
SELECT name FROM person WHERE born IS NULL ORDER BY name;
SELECT name, born FROM person WHERE name = '배두나';
SELECT length(tagline) > 200 AS long_tagline FROM movie WHERE title = 'Cloud Atlas';
-- element ids join relationships to nodes
SELECT p.name, m.title, a.roles
FROM acted_in a JOIN person p ON p.id = a.actor JOIN movie m ON m.id = a.movie
WHERE m.title = 'The Matrix' ORDER BY p.name;
-- a query table
SELECT * FROM coactors WHERE actor = 'Tom Hanks' ORDER BY movies DESC, coactor LIMIT 3;
-- joins with a local table, including a nested loop that rescans the foreign side
CREATE TEMP TABLE fans (person text, stars int);
INSERT INTO fans VALUES ('Keanu Reeves', 5), ('Tom Hanks', 4), ('Nobody Known', 3);
SELECT f.person, f.stars, p.born FROM fans f LEFT JOIN person p ON p.name = f.person ORDER BY f.person;
-- a correlated subquery rescans the foreign table once per outer row
EXPLAIN (COSTS OFF) SELECT f.person, (SELECT born FROM person p WHERE p.name = f.person) FROM fans f;
SELECT f.person, (SELECT born FROM person p WHERE p.name = f.person) FROM fans f ORDER BY 1;
-- a cursor reads part of a result and the rest is discarded
BEGIN;
DECLARE c CURSOR FOR SELECT name FROM person ORDER BY name;
FETCH 3 FROM c;
CLOSE c;
COMMIT;
-- ANALYZE counts with count() and samples
ANALYZE person;
SELECT reltuples FROM pg_class WHERE relname = 'person';
-- the connection is pooled and reused
SELECT server_name, valid, idle_connections FROM neo4j_fdw_get_connections();
SELECT protocol_version, server_agent FROM neo4j_server_info('movies');
-- altering the server drops its cached connections; the next query reconnects
ALTER SERVER movies OPTIONS (SET fetch_size '8');
SELECT count(*) FROM neo4j_fdw_get_connections();
SELECT count(*) FROM person;
SELECT server_name, valid, idle_connections FROM neo4j_fdw_get_connections();
ALTER USER MAPPING FOR CURRENT_USER SERVER movies OPTIONS (SET password 'secret');
SELECT count(*) FROM neo4j_fdw_get_connections();
-- a wrong password in the mapping: a clear error, and the mapping fixed works again
ALTER USER MAPPING FOR CURRENT_USER SERVER movies OPTIONS (SET password 'wrong');
SELECT count(*) FROM person;
ALTER USER MAPPING FOR CURRENT_USER SERVER movies OPTIONS (SET password 'secret');
SELECT count(*) FROM person;
-- a query table whose RETURN keys do not match the columns
CREATE FOREIGN TABLE wrong_keys (title text, year int)
  SERVER movies OPTIONS (query 'MATCH (m:Movie) RETURN m.title AS title, m.released AS released');
SELECT * FROM wrong_keys;
-- a value that does not fit its column names both
CREATE FOREIGN TABLE too_small (title text, tagline varchar(10)) SERVER movies OPTIONS (label 'Movie');
SELECT * FROM too_small;
-- ad-hoc Cypher against the engine
SELECT * FROM neo4j_query('movies', 'MATCH (p:Person)-[:DIRECTED]->(m:Movie) WHERE m.released >= $y RETURN p.name AS director, m.title AS movie ORDER BY movie, director', '{"y": 2006}')
  AS t(director text, movie text);
SELECT neo4j_query_jsonb FROM neo4j_query_jsonb('movies', 'MATCH (m:Movie {title: $t}) RETURN m.title AS title, m.released AS released, m.genres AS genres', '{"t": "Top Gun"}');

DROP SERVER movies CASCADE;
