--
-- Type mapping, value by value, against a scripted Bolt stub (test/pg/stubs/types.script)
-- that answers with every Neo4j type, including those the graph engine lacks
-- (durations, zoned datetimes, points, times).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
\getenv stub_url STUB_TYPES_URL
CREATE SERVER stub_types FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'stub_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER stub_types OPTIONS (user 'neo4j', password 'pass');

-- Integer into every integer type, numeric, float and text
SELECT * FROM neo4j_query('stub_types', 'RETURN 1 AS a, -32768 AS b, 2147483647 AS c, 9223372036854775807 AS d, 42 AS e, 7 AS f')
  AS t(a int2, b int2, c int4, d int8, e numeric(6,2), f float8);
SELECT * FROM neo4j_query('stub_types', 'RETURN 70000 AS small') AS t(small int2);
SELECT * FROM neo4j_query('stub_types', 'RETURN 9223372036854775807 AS big') AS t(big int4);
-- Float
SELECT * FROM neo4j_query('stub_types', 'RETURN 1.5 AS a, 0.1 AS b, 2.5 AS c, 1e300 AS d')
  AS t(a float4, b float8, c numeric, d text);
SELECT * FROM neo4j_query('stub_types', 'RETURN 1e300 AS f') AS t(f float4);
-- String, Boolean, Bytes
SELECT * FROM neo4j_query('stub_types', 'RETURN "Keanu Reeves" AS a, "Zoë" AS b, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" AS c, "{\"k\": [1, 2]}" AS d, true AS e')
  AS t(a text, b varchar(10), c uuid, d jsonb, e bool);
SELECT * FROM neo4j_query('stub_types', 'MATCH (f:File) RETURN f.data AS data LIMIT 1') AS t(data bytea);
SELECT * FROM neo4j_query('stub_types', 'RETURN "too long for this" AS s') AS t(s varchar(5));
SELECT * FROM neo4j_query('stub_types', 'RETURN "text" AS s') AS t(s int);
-- temporal values
SELECT * FROM neo4j_query('stub_types', 'RETURN date("2024-02-29") AS d, localtime("12:34:56.789") AS lt, time("12:00+01:00") AS t, localdatetime("2024-02-29T12:34:56.123456789") AS ldt')
  AS t(d date, lt time, t timetz, ldt timestamp);
SELECT * FROM neo4j_query('stub_types', 'RETURN datetime("2024-02-29T12:00:00+01:00") AS a, datetime("2024-07-01T12:00:00[Europe/Paris]") AS b, duration("P1Y2M3DT4H5M6.5S") AS c')
  AS t(a timestamptz, b timestamptz, c interval);
-- spatial values
SELECT * FROM neo4j_query('stub_types', 'RETURN point({x: 1.5, y: 2.5}) AS p, point({x: 1, y: 2, z: 3}) AS q')
  AS t(p point, q jsonb);
SELECT * FROM neo4j_query('stub_types', 'RETURN point({x: 1, y: 2, z: 3}) AS q') AS t(q point);
-- lists into arrays and jsonb
SELECT * FROM neo4j_query('stub_types', 'RETURN ["Neo", "Trinity"] AS roles, [1, 2, null] AS ints, [1.5, 2.5] AS floats, [1, "a"] AS mixed')
  AS t(roles text[], ints int8[], floats float8[], mixed jsonb);
SELECT * FROM neo4j_query('stub_types', 'RETURN [[1, 2], [3]] AS nested') AS t(nested int[]);
-- graph values as jsonb and text
SELECT * FROM neo4j_query('stub_types', 'MATCH p = (a:Person)-[r:ACTED_IN]->(m:Movie) RETURN a, r, p LIMIT 1')
  AS t(a jsonb, r jsonb, p jsonb);
SELECT * FROM neo4j_query('stub_types', 'MATCH (a:Person) RETURN a, {name: a.name, born: a.born} AS m LIMIT 1')
  AS t(a text, m text);
-- null goes to null in any column
SELECT * FROM neo4j_query('stub_types', 'RETURN null AS a, null AS b, null AS c') AS t(a int, b text[], c jsonb);
-- each record as jsonb
SELECT * FROM neo4j_query_jsonb('stub_types', 'UNWIND [1, 2] AS x RETURN x, x * 1.5 AS y');
-- a Neo4j error: the Neo4j code in DETAIL, the query in CONTEXT; then the next statement works
SELECT * FROM neo4j_query('stub_types', 'RETRUN 1') AS t(x int);
SELECT * FROM neo4j_query('stub_types', 'RETURN 1 AS x') AS t(x int);
-- parameters travel typed: integers as Integer, other numbers as Float
SELECT * FROM neo4j_query('stub_types', 'RETURN $i AS i, $f AS f, $s AS s, $b AS b, $l AS l, $m AS m',
  '{"i": 2000, "f": 1.5, "s": "x", "b": false, "l": [1, "two"], "m": {"k": null}}')
  AS t(i int, f float8, s text, b bool, l jsonb, m jsonb);

DROP SERVER stub_types CASCADE;
