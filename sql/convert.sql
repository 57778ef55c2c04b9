--
-- Type conversion (src/fdw/convert.c), value by value, against scripted Bolt
-- stubs: test/pg/stubs/convert.script (Bolt 5.8) and convert_legacy.script
-- (Bolt 4.4 without the utc patch: legacy DateTime / DateTimeZoneId).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS neo4j_fdw;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
SET extra_float_digits = 1;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE DOMAIN posint_nn AS posint NOT NULL;
CREATE DOMAIN code3 AS varchar(3);
\getenv convert_url STUB_CONVERT_URL
\getenv convert_legacy_url STUB_CONVERT_LEGACY_URL
CREATE SERVER stub_convert FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'convert_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER stub_convert OPTIONS (user 'neo4j', password 'pass');
CREATE SERVER stub_convert_legacy FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'convert_legacy_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER stub_convert_legacy OPTIONS (user 'neo4j', password 'pass');

-- Integer: every integer type (range-checked), numeric(p,s), real, text and char(n)
SELECT * FROM neo4j_query('stub_convert', 'RETURN 32767 AS a, -2147483648 AS b, 9223372036854775807 AS c, 12345 AS d, 16777217 AS e, 42 AS f, 42 AS g')
  AS t(a int2, b int4, c int8, d numeric(7,2), e real, f text, g char(4));
SELECT * FROM neo4j_query('stub_convert', 'RETURN -32769 AS x')
  AS t(x int2);
SELECT * FROM neo4j_query('stub_convert', 'RETURN 12345 AS x')
  AS t(x numeric(5,2));
SELECT * FROM neo4j_query('stub_convert', 'RETURN 1.5 AS x')
  AS t(x int4);
-- Float: shortest exact digits into numeric, NaN and infinities, real's range
SELECT * FROM neo4j_query('stub_convert', 'RETURN 0.1 + 0.2 AS a, 3.14159 AS b, 0.0 / 0.0 AS c, -1.0 / 0.0 AS d, 0.1 AS e, 1.5 AS f, 1e300 AS g')
  AS t(a numeric, b numeric(4,2), c numeric, d float8, e real, f text, g text);
SELECT * FROM neo4j_query('stub_convert', 'RETURN 1e300 AS x')
  AS t(x real);
SELECT * FROM neo4j_query('stub_convert', 'RETURN 1e-300 AS x')
  AS t(x real);
SELECT * FROM neo4j_query('stub_convert', 'RETURN 1.0 / 0.0 AS x')
  AS t(x numeric(5,2));
-- String: length rules of varchar(n) and char(n); other types through their input functions
SELECT * FROM neo4j_query('stub_convert', 'RETURN "abc  " AS a, "ab" AS b, "héllo" AS c, "2024-02-29" AS d, "{1,2}" AS e, "192.168.0.1/24" AS f, "yes" AS g, "happy" AS h')
  AS t(a varchar(3), b char(4), c varchar(5), d date, e int[], f inet, g bool, h mood);
SELECT * FROM neo4j_query('stub_convert', 'RETURN "héllo!" AS x')
  AS t(x varchar(5));
SELECT * FROM neo4j_query('stub_convert', 'RETURN "2024-13-01" AS x')
  AS t(x date);
SELECT * FROM neo4j_query('stub_convert', 'RETURN "hello" AS x')
  AS t(x jsonb);
-- Boolean and Bytes
SELECT * FROM neo4j_query('stub_convert', 'MATCH (f:File) RETURN true AS a, false AS b, f.data AS c, f.data AS d LIMIT 1')
  AS t(a bool, b text, c bytea, d text);
SELECT * FROM neo4j_query('stub_convert', 'RETURN true AS x')
  AS t(x int4);
-- Nanoseconds to microseconds: exact halves to even, as Postgres reads fractions; then the typmod
SELECT * FROM neo4j_query('stub_convert', 'RETURN localtime("12:00:00.0000005") AS a, localtime("12:00:00.0000015") AS b, localtime("23:59:59.9999995") AS c, localdatetime("1999-12-31T23:59:59.9999995") AS d, localtime("12:00:00.123456789") AS e, localdatetime("2024-02-29T12:00:00.5") AS f')
  AS t(a time, b time, c time, d timestamp, e time(3), f timestamp(0));
-- Time: Neo4j offsets are east of UTC
SELECT * FROM neo4j_query('stub_convert', 'RETURN time("12:00-05:30") AS a, time("12:00:00.5+14:00") AS b')
  AS t(a timetz, b timetz);
SELECT * FROM neo4j_query('stub_convert', 'RETURN time("12:00+17:00") AS x')
  AS t(x timetz);
-- Date: the ends of Postgres' range
SELECT * FROM neo4j_query('stub_convert', 'RETURN date("-4713-11-24") AS a, date("+5874897-12-31") AS b')
  AS t(a date, b date);
SELECT * FROM neo4j_query('stub_convert', 'RETURN date("+5874898-01-01") AS x')
  AS t(x date);
-- DateTime and DateTimeZoneId are instants
SELECT * FROM neo4j_query('stub_convert', 'RETURN datetime("2024-02-29T12:00:00.000000001+01:00") AS a, datetime("2024-07-01T12:00:00[Europe/Paris]") AS b')
  AS t(a timestamptz, b timestamptz);
SELECT * FROM neo4j_query('stub_convert', 'RETURN datetime("2024-01-01T00:00:00Z") AS x')
  AS t(x timestamp);
-- Duration: months, days and microseconds; interval(p) rounds as Postgres does
SELECT * FROM neo4j_query('stub_convert', 'RETURN duration("PT-1.5S") AS a, duration("P1M-1D") AS b, duration("PT0.0000005S") AS c, duration("PT1.5S") AS d, duration("P1Y2M3DT4H5M6.5S") AS e')
  AS t(a interval, b interval, c interval, d interval(0), e interval year to month);
SELECT * FROM neo4j_query('stub_convert', 'RETURN duration({months: 3000000000}) AS x')
  AS t(x interval);
-- Temporal values as text: ISO 8601 as Neo4j prints them
SELECT * FROM neo4j_query('stub_convert', 'RETURN date("2024-02-29") AS a, time("12:00:00.5+01:00") AS b, localtime("00:00") AS c, datetime("2024-02-29T12:00:00+01:00") AS d, datetime("2024-07-01T12:00:00[Europe/Paris]") AS e, localdatetime("+12345-01-01T00:00:00.000000001") AS f, duration("P14M3DT25H61M-4.5S") AS g, date("-0001-01-01") AS h')
  AS t(a text, b text, c text, d text, e text, f text, g text, h text);
-- Scalars in jsonb: Floats keep a fraction, NaN and Infinity become strings, Bytes hex, points objects
SELECT * FROM neo4j_query('stub_convert', 'MATCH (f:File) RETURN [1, 1.0, 2.5, "s", true, null, 0.0 / 0.0, f.data, date("2024-02-29"), point({x: 1.5, y: 2}), point({longitude: 1, latitude: 2, height: 3})] AS x LIMIT 1')
  AS t(x jsonb);
-- Point: 2D into point, 3D only into jsonb
SELECT * FROM neo4j_query('stub_convert', 'RETURN point({x: 1.5, y: -2}) AS x')
  AS t(x point);
SELECT * FROM neo4j_query('stub_convert', 'RETURN point({x: 1, y: 2, z: 3}) AS x')
  AS t(x point);
-- Lists into arrays, element by element
SELECT * FROM neo4j_query('stub_convert', 'RETURN ["a", "b "] AS a, [1, null, 3] AS b, [] AS c, ["2024-01-01", date("2024-01-02")] AS d, [{k: 1}, [1, 2], "s"] AS e, [1, 2.5] AS f')
  AS t(a varchar(1)[], b int2[], c text[], d date[], e jsonb[], f numeric[]);
SELECT * FROM neo4j_query('stub_convert', 'RETURN [1, 70000] AS x')
  AS t(x int2[]);
SELECT * FROM neo4j_query('stub_convert', 'RETURN ["a", ["b"]] AS x')
  AS t(x text[]);
SELECT * FROM neo4j_query('stub_convert', 'RETURN [1, -1] AS x')
  AS t(x posint[]);
-- Domains are checked after their base type
SELECT * FROM neo4j_query('stub_convert', 'RETURN 5 AS a, "abc" AS b')
  AS t(a posint, b code3);
SELECT * FROM neo4j_query('stub_convert', 'RETURN -5 AS x')
  AS t(x posint);
SELECT * FROM neo4j_query('stub_convert', 'RETURN null AS x')
  AS t(x posint_nn);
-- A Path: nodes in walk order, each relationship with its own direction
SELECT * FROM neo4j_query('stub_convert', 'MATCH p = (:A)-[:KNOWS]->(:B)<-[:LIKES]-(:C) RETURN p')
  AS t(p jsonb);
-- Maps and graph values as text; an unknown structure as jsonb
SELECT * FROM neo4j_query('stub_convert', 'MATCH ()-[r:KNOWS]->() RETURN {b: [1, 2.0], a: "x"} AS a, r AS b, test.unknownStructure() AS c LIMIT 1')
  AS t(a text, b text, c jsonb);
-- Parameters from jsonb: whole numbers are Integers, numbers with a fraction Floats
SELECT * FROM neo4j_query('stub_convert', 'RETURN $i AS i, $f AS f, $e AS e, $big AS big, $s AS s, $l AS l',
  '{"i": 1, "f": 1.0, "e": 1e2, "big": 12345678901234567890, "s": "é", "l": [1, 2.5, null]}')
  AS t(i text, f text, e text, big text, s text, l jsonb);
-- Bolt 4.4 without the utc patch: wall-clock seconds; zone ids resolved with Postgres' time zone data
SELECT * FROM neo4j_query('stub_convert_legacy', 'RETURN datetime("2024-07-01T12:00:00.000000005[Europe/Paris]") AS a, datetime("2024-01-15T08:00:00[Europe/Paris]") AS b, datetime("2024-03-31T02:30:00[Europe/Paris]") AS c, datetime("2024-10-27T02:30:00[Europe/Paris]") AS d, datetime("2024-07-01T12:00:00+02:00") AS e')
  AS t(a timestamptz, b timestamptz, c timestamptz, d timestamptz, e timestamptz);
SELECT * FROM neo4j_query('stub_convert_legacy', 'RETURN datetime("2024-07-01T12:00:00.000000005[Europe/Paris]") AS a, datetime("2024-07-01T12:00:00+02:00") AS b')
  AS t(a text, b text);
SELECT * FROM neo4j_query('stub_convert_legacy', 'MATCH (e:Event) RETURN e.at AS x LIMIT 1')
  AS t(x timestamptz);
-- Bolt 4.4: no element ids, so element_id holds the id
SELECT * FROM neo4j_query('stub_convert_legacy', 'MATCH (n)-[r]->() RETURN n, r LIMIT 1')
  AS t(n jsonb, r jsonb);

DROP SERVER stub_convert CASCADE;
DROP SERVER stub_convert_legacy CASCADE;
DROP DOMAIN code3;
DROP DOMAIN posint_nn;
DROP DOMAIN posint;
DROP TYPE mood;
