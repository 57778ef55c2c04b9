-- neo4j_fdw demo: SQL over the movies graph (run by scripts/demo.sh).
\set QUIET on
\pset footer off
\getenv graph_url GRAPH_URL
CREATE EXTENSION neo4j_fdw;
CREATE SERVER movies FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'graph_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER movies OPTIONS (user 'neo4j', password 'secret');

-- node labels, a relationship type and a read query as tables
CREATE FOREIGN TABLE person (id text OPTIONS (element_id 'true'), name text, born int)
  SERVER movies OPTIONS (label 'Person');
CREATE FOREIGN TABLE movie (id text OPTIONS (element_id 'true'), title text, released int,
                            release_date date, genres text[], rating float8)
  SERVER movies OPTIONS (label 'Movie');
CREATE FOREIGN TABLE acted_in (actor text OPTIONS (start_element_id 'true'),
                               movie text OPTIONS (end_element_id 'true'), roles text[])
  SERVER movies OPTIONS (relationship 'ACTED_IN');
-- (Neo4j never matches one relationship twice in a pattern, so a and b differ;
-- the demo's graph engine does not apply that rule, hence a <> b)
CREATE FOREIGN TABLE coactors (actor text, coactor text, movies bigint)
  SERVER movies OPTIONS (query 'MATCH (a:Person)-[:ACTED_IN]->(m:Movie)<-[:ACTED_IN]-(b:Person) WHERE a <> b RETURN a.name AS actor, b.name AS coactor, count(m) AS movies');

-- a plain Postgres table to join with
CREATE TABLE local_ratings (person text PRIMARY KEY, rating int);
INSERT INTO local_ratings VALUES ('Keanu Reeves', 9), ('Carrie-Anne Moss', 8), ('Tom Hanks', 10),
  ('Meg Ryan', 7), ('Charlize Theron', 8), ('Al Pacino', 9);
\set QUIET off

\echo
\echo '1. The graph joined with a local table: people born after 1960 and their local rating'
SELECT p.name, p.born, r.rating
FROM person p JOIN local_ratings r ON r.person = p.name
WHERE p.born > 1960
ORDER BY r.rating DESC, p.name;

\echo '2. A relationship table joined twice with a label table: who played whom in The Matrix'
SELECT p.name AS actor, a.roles[1] AS role
FROM acted_in a
JOIN person p ON p.id = a.actor
JOIN movie m ON m.id = a.movie
WHERE m.title = 'The Matrix'
ORDER BY actor;

\echo '3. Ad-hoc Cypher with a parameter: neo4j_query()'
SELECT * FROM neo4j_query('movies',
  'MATCH (m:Movie) WHERE m.released > $year RETURN m.title AS title, m.released AS released ORDER BY released, title',
  '{"year": 2005}') AS t(title text, released int);

\echo '4. A read query as a table: Keanu Reeves'' most frequent co-actors'
SELECT coactor, movies FROM coactors WHERE actor = 'Keanu Reeves' ORDER BY movies DESC, coactor LIMIT 5;

\echo '5. EXPLAIN shows the Cypher that is sent (only the columns used are returned)'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT p.name, r.rating FROM person p JOIN local_ratings r ON r.person = p.name WHERE p.born > 1960;

\echo '6. The server behind it'
SELECT * FROM neo4j_server_info('movies');
