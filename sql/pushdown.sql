--
-- What label and relationship tables send to Neo4j: WHERE conditions (with
-- values as parameters $p1, ...), join conditions of nested loops, ORDER BY,
-- LIMIT and OFFSET; and what stays local. Against the graph server's movies
-- graph (test/graphserver), every query is compared with the same query on a
-- local copy of the data, so pushdown is shown not to change any result; a
-- stub (test/pg/stubs/pushdown_stub.script) checks the Cypher and the exact
-- parameter values where the engine cannot show them (booleans, zoned and
-- nanosecond timestamps, infinities, nulls in lists, LIMIT NULL).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
SET timezone = 'UTC';
\getenv graph_url GRAPH_URL
CREATE SERVER pd FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'graph_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER pd OPTIONS (user 'neo4j', password 'secret');

CREATE FOREIGN TABLE person (id text OPTIONS (element_id 'true'), name text, born int)
  SERVER pd OPTIONS (label 'Person');
-- the rating three ways: double precision, numeric, numeric(3,1)
CREATE FOREIGN TABLE movie (id text OPTIONS (element_id 'true'), title varchar(200), released int2,
                            tagline text, release_date date, rating float8,
                            score numeric OPTIONS (property 'rating'),
                            score1 numeric(3,1) OPTIONS (property 'rating'), genres text[])
  SERVER pd OPTIONS (label 'Movie');
CREATE FOREIGN TABLE acted_in (id text OPTIONS (element_id 'true'), actor text OPTIONS (start_element_id 'true'),
                               movie text OPTIONS (end_element_id 'true'), roles text[])
  SERVER pd OPTIONS (relationship 'ACTED_IN');
CREATE FOREIGN TABLE reviewed (id text OPTIONS (element_id 'true'), reviewer text OPTIONS (start_element_id 'true'),
                               movie text OPTIONS (end_element_id 'true'), rating bigint, summary text,
                               reviewed_at timestamp)
  SERVER pd OPTIONS (relationship 'REVIEWED');

-- the same data in local tables (read without any condition)
CREATE TEMP TABLE l_person AS SELECT * FROM person;
CREATE TEMP TABLE l_movie AS SELECT * FROM movie;
CREATE TEMP TABLE l_acted_in AS SELECT * FROM acted_in;
CREATE TEMP TABLE l_reviewed AS SELECT * FROM reviewed;
SELECT (SELECT count(*) FROM l_person) AS persons, (SELECT count(born) FROM l_person) AS with_born,
       (SELECT count(*) FROM l_movie) AS movies, (SELECT count(*) FROM l_acted_in) AS acted_in,
       (SELECT count(*) FROM l_reviewed) AS reviewed;

-- check(table, condition): the rows of the foreign table that meet it, whether
-- they are the same as those of the local copy (EXCEPT ALL both ways is empty),
-- the Cypher WHERE sent to Neo4j and the Filter left to Postgres.
CREATE FUNCTION pg_temp.check(tbl text, cond text,
  OUT rows bigint, OUT same boolean, OUT cypher_where text, OUT local_filter text)
LANGUAGE plpgsql AS $$
DECLARE
  plan json;
  diff bigint;
BEGIN
  EXECUTE format('EXPLAIN (VERBOSE, COSTS OFF, FORMAT JSON) SELECT * FROM %I WHERE %s', tbl, cond) INTO plan;
  cypher_where := substring(plan->0->'Plan'->>'Cypher' from ' WHERE (.*) RETURN ');
  local_filter := plan->0->'Plan'->>'Filter';
  EXECUTE format('SELECT count(*) FROM %I WHERE %s', tbl, cond) INTO rows;
  EXECUTE format('SELECT count(*) FROM ((SELECT * FROM %1$I WHERE %2$s EXCEPT ALL SELECT * FROM %3$I WHERE %2$s)
                   UNION ALL (SELECT * FROM %3$I WHERE %2$s EXCEPT ALL SELECT * FROM %1$I WHERE %2$s)) d',
                 tbl, cond, 'l_' || tbl) INTO diff;
  same := diff = 0;
END $$;

-- ordered(query): the plan's nodes from the top, what the Cypher asks after its
-- RETURN list, the rows, and whether the query on the local copies (tables
-- prefixed l_) gives the same rows in the same order.
CREATE FUNCTION pg_temp.ordered(query text,
  OUT plan text, OUT cypher_tail text, OUT rows bigint, OUT same boolean)
LANGUAGE plpgsql AS $$
DECLARE
  p json;
  local_query text := regexp_replace(query, '\m(person|movie|acted_in|reviewed)\M', 'l_\1', 'g');
  a text[];
  b text[];
BEGIN
  EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF, FORMAT JSON) ' || query INTO p;
  p := p->0->'Plan';
  plan := p->>'Node Type';
  WHILE p->'Plans' IS NOT NULL LOOP
    p := p->'Plans'->0;
    plan := plan || ' > ' || (p->>'Node Type');
  END LOOP;
  cypher_tail := regexp_replace(p->>'Cypher', '^.* AS `[^`]*`', '');
  EXECUTE format('SELECT ARRAY(SELECT t::text FROM (%s) t)', query) INTO a;
  EXECUTE format('SELECT ARRAY(SELECT t::text FROM (%s) t)', local_query) INTO b;
  rows := cardinality(a);
  same := a IS NOT DISTINCT FROM b;
END $$;

-- a case-insensitive collation: text equality under it is not Cypher's
CREATE COLLATION pg_temp.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
-- a user-defined operator, even on the built-in function, is never sent
CREATE OPERATOR pg_temp.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq);

-- integers: every comparison, NOT, AND, OR, IN, nulls (4 people have no born)
SET pd.year = '1970';
SELECT c AS condition, r.* FROM (VALUES
  ('born = 1964'), ('born <> 1964'), ('born < 1940'), ('born <= 1940'), ('born > 1975'), ('born >= 1975'),
  ('1975 < born'), ('1940 >= born'), ('born IS NULL'), ('born IS NOT NULL'),
  ('NOT (born > 1960)'), ('born > 1960 AND born < 1965'), ('born < 1940 OR born > 1978'),
  ('NOT (born < 1940 OR born > 1978)'), ('born BETWEEN 1960 AND 1962'),
  ('born IN (1964, 1967)'), ('born IN (1964, NULL)'), ('born NOT IN (1964, 1967)'),
  ('born = ANY (''{1956,1962}''::int[])'), ('born = 1964::bigint'), ('born::bigint = 1964'),
  -- against numeric values: exact as a Float or an Integer
  ('born > 1964.5'), ('born = 1964.0'), ('born <= 1962.25'), ('born = 1964.1'),
  ('born < 0.1'), ('born > 12345678901234567890'),
  -- an expression without volatile functions: computed once, as a parameter
  ('born > current_setting(''pd.year'')::int'), ('born = ANY (ARRAY[1964, current_setting(''pd.year'')::int])'),
  -- computed, volatile, user-defined: local
  ('born + 1 = 1965'), ('born > 1960 AND born % 2 = 0'), ('born OPERATOR(pg_temp.===) 1964'),
  ('born > 1960 AND random() >= 0')) v(c), pg_temp.check('person', c) r;

-- text: =, <>, IN, LIKE with a prefix; ranges, other patterns and other
-- collations stay local
SELECT c AS condition, r.* FROM (VALUES
  ('name = ''Tom Hanks'''), ('name <> ''Tom Hanks'''), ('name = ''배두나'''), ('''Meg Ryan'' = name'),
  ('name IN (''Tom Hanks'', ''Meg Ryan'', NULL)'), ('name NOT IN (''Tom Hanks'', ''Meg Ryan'')'),
  ('name LIKE ''Tom%'''), ('name LIKE ''%'''), ('name NOT LIKE ''T%'''), ('name LIKE ''Tom Hanks'''),
  ('name LIKE ''T_m%'''), ('name LIKE ''%Hanks'''), ('name LIKE ''Tom\%'''), ('name ILIKE ''tom%'''),
  ('name > ''T'''), ('name BETWEEN ''A'' AND ''B'''), ('name = ''keanu reeves'' COLLATE pg_temp.ci'),
  ('name = ''Keanu Reeves'' COLLATE "C"'), ('upper(name) = ''TOM HANKS'''),
  ('name LIKE ''K%'' AND born > 1960'), ('name LIKE ''K%'' OR born IS NULL'),
  ('id = (SELECT id FROM l_person WHERE name = ''Keanu Reeves'')')) v(c), pg_temp.check('person', c) r;

-- smallint, varchar, date, double precision (= and <> only: NaN), numeric
-- (NaN kept by > and >=), numeric(3,1) (rounds what it reads: local), arrays
SELECT c AS condition, r.* FROM (VALUES
  ('released = 1999'), ('released BETWEEN 1990 AND 1995'), ('released IN (1986, 2006)'),
  ('title = ''Top Gun'''), ('title LIKE ''The %'''), ('title IN (''Top Gun'', ''Cast Away'')'),
  ('tagline IS NULL'), ('tagline LIKE ''Welcome%'''), ('genres IS NOT NULL'), ('''Drama'' = ANY (genres)'),
  ('release_date = ''1999-03-31'''), ('release_date >= ''2006-01-01'''), ('release_date < ''1990-01-01'''),
  ('release_date IN (''1999-03-31'', ''2003-05-15'')'), ('release_date > ''2000-01-01''::timestamp'),
  ('rating = 8.7'), ('rating <> 8.7'), ('rating IN (8.7, 8.6)'), ('rating > 8'), ('rating = ''NaN'''),
  ('rating = 8.7::real'),
  ('score = 8.7'), ('score > 8.55'), ('score >= 8.6'), ('score < 6.7'), ('score <= 6.7'), ('score <> 7.7'),
  ('score IN (8.7, 6.6)'), ('score = 0.1000000000000000000001'), ('score > ''NaN'''),
  ('score1 = 8.7'), ('score1 > 8.5')) v(c), pg_temp.check('movie', c) r;

-- relationship tables: properties and element ids of the relationship and its ends
SELECT c AS condition, r.* FROM (VALUES
  ('actor = (SELECT id FROM l_person WHERE name = ''Keanu Reeves'')'),
  ('movie = (SELECT id FROM l_movie WHERE title = ''The Matrix'') AND roles IS NOT NULL'),
  ('id = ANY (ARRAY(SELECT id FROM l_acted_in LIMIT 3))'),
  ('actor <> movie'), ('roles = ''{Neo}''')) v(c), pg_temp.check('acted_in', c) r;

-- timestamps: a column reads Neo4j's nanoseconds rounded to microseconds, so
-- comparisons go to the last instant that reads as less than (or as) the value
SELECT c AS condition, r.* FROM (VALUES
  ('reviewed_at = ''2012-11-20 09:30:00.5'''), ('reviewed_at <> ''2012-11-20 09:30:00.5'''),
  ('reviewed_at < ''2012-11-20 09:30:00.5'''), ('reviewed_at <= ''2012-11-20 09:30:00.5'''),
  ('reviewed_at > ''2013-02-14 21:45:30.25'''), ('reviewed_at >= ''2013-02-14 21:45:30.25'''),
  ('reviewed_at >= ''2013-01-01'' AND rating > 80'), ('reviewed_at = ''2013-01-05'''),
  ('reviewed_at::date = ''2013-01-05'''), ('summary LIKE ''S%''')) v(c), pg_temp.check('reviewed', c) r;

-- what EXPLAIN VERBOSE shows: the Cypher with placeholders, the parameters'
-- names and types (never their values)
EXPLAIN (VERBOSE, COSTS OFF)
SELECT name, born FROM person WHERE born > 1960 AND name LIKE 'K%' AND upper(name) <> 'X';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT title FROM movie WHERE score > 8 OR release_date = '1986-05-16';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT summary FROM reviewed WHERE reviewed_at = '2013-01-05 20:15';

-- ORDER BY: integers, numeric, dates and timestamps with Cypher's null order
-- (ASC NULLS LAST, DESC NULLS FIRST) go to Neo4j, and then LIMIT and OFFSET
-- too; text, double precision and other null orders stay local, and so does
-- LIMIT above a local filter. Ties: only the sort keys are compared.
SELECT q AS query, r.* FROM (VALUES
  ('SELECT born FROM person ORDER BY born'),
  ('SELECT born FROM person ORDER BY born DESC LIMIT 6'),
  ('SELECT born FROM person WHERE born > 1960 ORDER BY born LIMIT 3 OFFSET 2'),
  ('SELECT born FROM person ORDER BY born OFFSET 58'),
  ('SELECT born FROM person ORDER BY born NULLS FIRST LIMIT 5'),
  ('SELECT born FROM person ORDER BY born DESC NULLS LAST LIMIT 3'),
  ('SELECT born FROM person WHERE upper(name) LIKE ''K%'' ORDER BY born LIMIT 2'),
  ('SELECT name FROM person ORDER BY name LIMIT 3'),
  ('SELECT born, name FROM person WHERE born < 1945 ORDER BY born, name'),
  ('SELECT count(*) FROM (SELECT * FROM person WHERE born > 1960 LIMIT 5) s'),
  ('SELECT released, release_date FROM movie ORDER BY released DESC, release_date LIMIT 4'),
  ('SELECT score FROM movie ORDER BY score DESC LIMIT 3'),
  ('SELECT rating FROM movie ORDER BY rating DESC LIMIT 3'),
  ('SELECT release_date FROM movie WHERE tagline IS NOT NULL ORDER BY release_date LIMIT 2'),
  ('SELECT reviewed_at FROM reviewed ORDER BY reviewed_at DESC LIMIT 2'),
  ('SELECT released FROM movie ORDER BY released FETCH FIRST 1 ROWS WITH TIES'),
  ('SELECT released + 1 AS next FROM movie WHERE released < 1990 ORDER BY released LIMIT 2')
  ) v(q), pg_temp.ordered(q) r;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT name, born FROM person WHERE born > 1960 ORDER BY born DESC LIMIT 3 OFFSET 1;
SELECT name, born FROM person WHERE born > 1975 ORDER BY born DESC LIMIT 3 OFFSET 1;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT name, born FROM person ORDER BY born DESC, name LIMIT 3;

-- query parameters in a generic plan: their values are read at execution
SET plan_cache_mode = force_generic_plan;
PREPARE by_born(int, text) AS SELECT name, born FROM person WHERE born = $1 OR name = $2 ORDER BY born, name;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE by_born(1964, 'Tom Hanks');
EXECUTE by_born(1964, 'Tom Hanks');
EXECUTE by_born(1961, NULL);
PREPARE in_list(int[], date) AS SELECT title FROM movie WHERE released = ANY ($1) AND release_date < $2 ORDER BY title;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE in_list('{1999,2003}', '2003-06-01');
EXECUTE in_list('{1999,2003}', '2003-06-01');
EXECUTE in_list('{{1986,1992},{2000,2012}}', '2100-01-01');
SELECT title FROM l_movie WHERE released IN (1986, 1992, 2000, 2012) ORDER BY title;
PREPARE top(bigint, bigint) AS SELECT born FROM person WHERE born IS NOT NULL ORDER BY born LIMIT $1 OFFSET $2;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE top(3, 2);
EXECUTE top(3, 2);
EXECUTE top(2, NULL);
EXECUTE top(-1, 0);
EXECUTE top(1, -1);
PREPARE pattern(text) AS SELECT name FROM person WHERE name LIKE $1 ORDER BY name;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE pattern('Tom%');
EXECUTE pattern('Tom%');
PREPARE since(timestamp) AS SELECT summary FROM reviewed WHERE reviewed_at >= $1 ORDER BY reviewed_at;
EXECUTE since('2013-01-05 20:15');
RESET plan_cache_mode;

-- joins with a local table: a nested loop runs the foreign query once per
-- outer row, with the join value as a parameter
CREATE TEMP TABLE fans (person text, stars int);
INSERT INTO fans VALUES ('Keanu Reeves', 5), ('Tom Hanks', 4), ('Nobody Known', 3), (NULL, 2);
ANALYZE fans;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT f.person, p.born FROM fans f JOIN person p ON p.name = f.person WHERE f.stars >= 4;
SELECT f.person, p.born FROM fans f JOIN person p ON p.name = f.person WHERE f.stars >= 4 ORDER BY 1;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SET enable_material = off;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT f.person, p.born FROM fans f LEFT JOIN person p ON p.name = f.person AND p.born > f.stars + 1955;
SELECT f.person, p.born FROM fans f LEFT JOIN person p ON p.name = f.person AND p.born > f.stars + 1955 ORDER BY 1;
SELECT f.person, p.born FROM fans f LEFT JOIN l_person p ON p.name = f.person AND p.born > f.stars + 1955 ORDER BY 1;
-- a relationship table joined by element id, rescanned per person
EXPLAIN (VERBOSE, COSTS OFF)
SELECT p.name, count(a.id) FROM l_person p JOIN acted_in a ON a.actor = p.id
WHERE p.name IN ('Keanu Reeves', 'Tom Hanks', 'Nobody') GROUP BY p.name;
SELECT p.name, count(a.id) FROM l_person p JOIN acted_in a ON a.actor = p.id
WHERE p.name IN ('Keanu Reeves', 'Tom Hanks', 'Nobody') GROUP BY p.name ORDER BY 1;
SELECT p.name, count(a.id) FROM l_person p JOIN l_acted_in a ON a.actor = p.id
WHERE p.name IN ('Keanu Reeves', 'Tom Hanks', 'Nobody') GROUP BY p.name ORDER BY 1;
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET enable_material;
-- a correlated subquery, and LATERAL with LIMIT: one query per outer row
EXPLAIN (VERBOSE, COSTS OFF)
SELECT f.person, (SELECT born FROM person p WHERE p.name = f.person) FROM fans f;
SELECT f.person, (SELECT born FROM person p WHERE p.name = f.person) FROM fans f ORDER BY 1;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT f.stars, m.title FROM fans f,
  LATERAL (SELECT title FROM movie WHERE released > 1990 + f.stars ORDER BY release_date LIMIT 1) m;
SELECT f.stars, m.title FROM fans f,
  LATERAL (SELECT title FROM movie WHERE released > 1990 + f.stars ORDER BY release_date LIMIT 1) m ORDER BY 1;
SELECT f.stars, m.title FROM fans f,
  LATERAL (SELECT title FROM l_movie WHERE released > 1990 + f.stars ORDER BY release_date LIMIT 1) m ORDER BY 1;

-- query tables keep their Cypher: conditions, ORDER BY and LIMIT stay local
CREATE FOREIGN TABLE born_in (name text, born int)
  SERVER pd OPTIONS (query 'MATCH (p:Person) RETURN p.name AS name, p.born AS born');
EXPLAIN (VERBOSE, COSTS OFF) SELECT name FROM born_in WHERE born = 1964 ORDER BY born LIMIT 1;
SELECT name FROM born_in WHERE born = 1964 ORDER BY born LIMIT 1;

-- estimates: pushed conditions reduce the rows Neo4j returns and the cost
EXPLAIN SELECT * FROM person;
EXPLAIN SELECT * FROM person WHERE name = 'Tom Hanks';
EXPLAIN SELECT * FROM person WHERE upper(name) = 'TOM HANKS';
-- ANALYZE: a label table counts its rows with count() and samples the first
-- ones; a query table reads no more than the sample (300 rows here) and takes
-- that as its count
CREATE FOREIGN TABLE numbers (x int)
  SERVER pd OPTIONS (query 'UNWIND range(1, 1000) AS x RETURN x', fetch_size '100');
ALTER FOREIGN TABLE numbers ALTER x SET STATISTICS 1;
ANALYZE person, numbers;
SELECT relname, reltuples FROM pg_class WHERE oid IN ('person'::regclass, 'numbers'::regclass) ORDER BY 1;
SELECT count(*) FROM numbers;
EXPLAIN SELECT * FROM person WHERE born > 1970;

DROP SERVER pd CASCADE;

-- what the graph engine cannot show, against a stub that checks the Cypher and
-- the exact value of every parameter (test/pg/stubs/pushdown_stub.script; its
-- rows are scripted)
\getenv stub_url STUB_PUSHDOWN_STUB_URL
CREATE SERVER pd_stub FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'stub_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER pd_stub OPTIONS (user 'neo4j', password 'pass');
CREATE FOREIGN TABLE things (n int, ok boolean, at timestamptz, ts timestamp, d date, x numeric, f float8)
  SERVER pd_stub OPTIONS (label 'Thing');
-- booleans; IS [NOT] TRUE / FALSE are never null, so they are spelled out
SELECT n FROM things WHERE ok OR ok IS NULL;
SELECT n FROM things WHERE NOT ok;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT n FROM things WHERE (ok IS TRUE OR ok IS FALSE) AND ok IS NOT TRUE AND ok IS NOT FALSE;
SELECT n FROM things WHERE (ok IS TRUE OR ok IS FALSE) AND ok IS NOT TRUE AND ok IS NOT FALSE;
SELECT n FROM things WHERE ok > false;
-- timestamptz compares instants, with the rounding of nanoseconds
EXPLAIN (VERBOSE, COSTS OFF)
SELECT n FROM things WHERE at >= '2024-01-01 00:00:00.000001+00' AND at < '2024-01-02 00:00:00+01';
SELECT n FROM things WHERE at >= '2024-01-01 00:00:00.000001+00' AND at < '2024-01-02 00:00:00+01';
SELECT n FROM things WHERE ts = '2024-02-29 12:00:00.5';
-- infinite dates and timestamps: beyond what a column can read
SELECT n FROM things WHERE d < 'infinity' AND d > '-infinity' AND ts < 'infinity';
-- NOT IN with a null is never true (nor is x IN [..., null] without a match,
-- in Neo4j as in Postgres); <> ALL of an empty array always is
SELECT n FROM things WHERE n NOT IN (1, NULL) OR n <> ALL ('{}');
-- numbers exact as a Float or an Integer
SELECT n FROM things WHERE x = 0.1 OR x > 1e15 OR f IN (1.5, 2.5);
SET plan_cache_mode = force_generic_plan;
-- = ANY compares with every element of a multidimensional array
PREPARE arr(int[]) AS SELECT n FROM things WHERE n = ANY ($1);
EXECUTE arr('{{1,2},{3,NULL}}');
-- LIMIT NULL is no limit
PREPARE lim(bigint) AS SELECT n FROM things ORDER BY n LIMIT $1;
EXECUTE lim(NULL);
RESET plan_cache_mode;
DROP SERVER pd_stub CASCADE;
