"""Generates sql/convert.sql and its Bolt stub scripts test/pg/stubs/convert*.script.

    python3 test/pg/gen_convert.py      (from the repository root; then refresh expected/convert.out)
"""
import calendar, datetime, json, os, sys
TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
sys.path.insert(0, os.path.join(TOP, 'test', 'stub'))
from packstream import Structure as S, to_json

NAN, INF = float('nan'), float('inf')
def days(y, m, d):
    # proleptic Gregorian, astronomical years, any range
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468
def secs(*a): return calendar.timegm(tuple(a) + (0,) * (6 - len(a)))
def date(y, m, d): return S(0x44, [days(y, m, d)])
def ltime(h, mi, s, ns=0): return S(0x74, [((h * 60 + mi) * 60 + s) * 10**9 + ns])
def time(h, mi, s, ns, off): return S(0x54, [((h * 60 + mi) * 60 + s) * 10**9 + ns, off])
def ldt(y, mo, d, h, mi, s, ns=0): return S(0x64, [secs(y, mo, d, h, mi, s), ns])
def dt(utc_secs, ns, off): return S(0x49, [utc_secs, ns, off])
def dtz(utc_secs, ns, zone): return S(0x69, [utc_secs, ns, zone])
def dur(mo, d, s, ns): return S(0x45, [mo, d, s, ns])
def node(i, labels, props, eid=True): return S(0x4E, [i, labels, props] + (["4:db:%d" % i] if eid else []))

# (comment, cypher, [(column, coltype, value)], params-json or None)
MAIN = [
 ("Integer: every integer type (range-checked), numeric(p,s), real, text and char(n)",
  'RETURN 32767 AS a, -2147483648 AS b, 9223372036854775807 AS c, 12345 AS d, 16777217 AS e, 42 AS f, 42 AS g',
  [("a", "int2", 32767), ("b", "int4", -2147483648), ("c", "int8", 9223372036854775807), ("d", "numeric(7,2)", 12345),
   ("e", "real", 16777217), ("f", "text", 42), ("g", "char(4)", 42)], None),
 (None, 'RETURN -32769 AS x', [("x", "int2", -32769)], None),
 (None, 'RETURN 12345 AS x', [("x", "numeric(5,2)", 12345)], None),
 (None, 'RETURN 1.5 AS x', [("x", "int4", 1.5)], None),
 ("Float: shortest exact digits into numeric, NaN and infinities, real's range",
  'RETURN 0.1 + 0.2 AS a, 3.14159 AS b, 0.0 / 0.0 AS c, -1.0 / 0.0 AS d, 0.1 AS e, 1.5 AS f, 1e300 AS g',
  [("a", "numeric", 0.30000000000000004), ("b", "numeric(4,2)", 3.14159), ("c", "numeric", NAN), ("d", "float8", -INF),
   ("e", "real", 0.1), ("f", "text", 1.5), ("g", "text", 1e300)], None),
 (None, 'RETURN 1e300 AS x', [("x", "real", 1e300)], None),
 (None, 'RETURN 1e-300 AS x', [("x", "real", 1e-300)], None),
 (None, 'RETURN 1.0 / 0.0 AS x', [("x", "numeric(5,2)", INF)], None),
 ("String: length rules of varchar(n) and char(n); other types through their input functions",
  'RETURN "abc  " AS a, "ab" AS b, "héllo" AS c, "2024-02-29" AS d, "{1,2}" AS e, "192.168.0.1/24" AS f, "yes" AS g, "happy" AS h',
  [("a", "varchar(3)", "abc  "), ("b", "char(4)", "ab"), ("c", "varchar(5)", "héllo"), ("d", "date", "2024-02-29"),
   ("e", "int[]", "{1,2}"), ("f", "inet", "192.168.0.1/24"), ("g", "bool", "yes"), ("h", "mood", "happy")], None),
 (None, 'RETURN "héllo!" AS x', [("x", "varchar(5)", "héllo!")], None),
 (None, 'RETURN "2024-13-01" AS x', [("x", "date", "2024-13-01")], None),
 (None, 'RETURN "hello" AS x', [("x", "jsonb", "hello")], None),
 ("Boolean and Bytes",
  'MATCH (f:File) RETURN true AS a, false AS b, f.data AS c, f.data AS d LIMIT 1',
  [("a", "bool", True), ("b", "text", False), ("c", "bytea", b"\x00\xff\x10"), ("d", "text", b"\x00\xff\x10")], None),
 (None, 'RETURN true AS x', [("x", "int4", True)], None),
 ("Nanoseconds to microseconds: exact halves to even, as Postgres reads fractions; then the typmod",
  'RETURN localtime("12:00:00.0000005") AS a, localtime("12:00:00.0000015") AS b, localtime("23:59:59.9999995") AS c, localdatetime("1999-12-31T23:59:59.9999995") AS d, localtime("12:00:00.123456789") AS e, localdatetime("2024-02-29T12:00:00.5") AS f',
  [("a", "time", ltime(12, 0, 0, 500)), ("b", "time", ltime(12, 0, 0, 1500)), ("c", "time", ltime(23, 59, 59, 999999500)),
   ("d", "timestamp", ldt(1999, 12, 31, 23, 59, 59, 999999500)), ("e", "time(3)", ltime(12, 0, 0, 123456789)),
   ("f", "timestamp(0)", ldt(2024, 2, 29, 12, 0, 0, 500000000))], None),
 ("Time: Neo4j offsets are east of UTC",
  'RETURN time("12:00-05:30") AS a, time("12:00:00.5+14:00") AS b',
  [("a", "timetz", time(12, 0, 0, 0, -19800)), ("b", "timetz", time(12, 0, 0, 500000000, 50400))], None),
 (None, 'RETURN time("12:00+17:00") AS x', [("x", "timetz", time(12, 0, 0, 0, 61200))], None),
 ("Date: the ends of Postgres' range",
  'RETURN date("-4713-11-24") AS a, date("+5874897-12-31") AS b',
  [("a", "date", date(-4713, 11, 24)), ("b", "date", date(5874897, 12, 31))], None),
 (None, 'RETURN date("+5874898-01-01") AS x', [("x", "date", date(5874898, 1, 1))], None),
 ("DateTime and DateTimeZoneId are instants",
  'RETURN datetime("2024-02-29T12:00:00.000000001+01:00") AS a, datetime("2024-07-01T12:00:00[Europe/Paris]") AS b',
  [("a", "timestamptz", dt(secs(2024, 2, 29, 11, 0, 0), 1, 3600)), ("b", "timestamptz", dtz(secs(2024, 7, 1, 10, 0, 0), 0, "Europe/Paris"))], None),
 (None, 'RETURN datetime("2024-01-01T00:00:00Z") AS x', [("x", "timestamp", dt(secs(2024, 1, 1), 0, 0))], None),
 ("Duration: months, days and microseconds; interval(p) rounds as Postgres does",
  'RETURN duration("PT-1.5S") AS a, duration("P1M-1D") AS b, duration("PT0.0000005S") AS c, duration("PT1.5S") AS d, duration("P1Y2M3DT4H5M6.5S") AS e',
  [("a", "interval", dur(0, 0, -2, 500000000)), ("b", "interval", dur(1, -1, 0, 0)), ("c", "interval", dur(0, 0, 0, 500)),
   ("d", "interval(0)", dur(0, 0, 1, 500000000)), ("e", "interval year to month", dur(14, 3, 14706, 500000000))], None),
 (None, 'RETURN duration({months: 3000000000}) AS x', [("x", "interval", dur(3000000000, 0, 0, 0))], None),
 ("Temporal values as text: ISO 8601 as Neo4j prints them",
  'RETURN date("2024-02-29") AS a, time("12:00:00.5+01:00") AS b, localtime("00:00") AS c, datetime("2024-02-29T12:00:00+01:00") AS d, datetime("2024-07-01T12:00:00[Europe/Paris]") AS e, localdatetime("+12345-01-01T00:00:00.000000001") AS f, duration("P14M3DT25H61M-4.5S") AS g, date("-0001-01-01") AS h',
  [("a", "text", date(2024, 2, 29)), ("b", "text", time(12, 0, 0, 500000000, 3600)), ("c", "text", ltime(0, 0, 0)),
   ("d", "text", dt(secs(2024, 2, 29, 11, 0, 0), 0, 3600)), ("e", "text", dtz(secs(2024, 7, 1, 10, 0, 0), 0, "Europe/Paris")),
   ("f", "text", S(0x64, [days(12345, 1, 1) * 86400, 1])), ("g", "text", dur(14, 3, 25 * 3600 + 61 * 60 - 5, 500000000)),
   ("h", "text", date(-1, 1, 1))], None),
 ("Scalars in jsonb: Floats keep a fraction, NaN and Infinity become strings, Bytes hex, points objects",
  'MATCH (f:File) RETURN [1, 1.0, 2.5, "s", true, null, 0.0 / 0.0, f.data, date("2024-02-29"), point({x: 1.5, y: 2}), point({longitude: 1, latitude: 2, height: 3})] AS x LIMIT 1',
  [("x", "jsonb", [1, 1.0, 2.5, "s", True, None, NAN, b"\x0a\x0b", date(2024, 2, 29), S(0x58, [7203, 1.5, 2.0]), S(0x59, [4979, 1.0, 2.0, 3.0])])], None),
 ("Point: 2D into point, 3D only into jsonb",
  'RETURN point({x: 1.5, y: -2}) AS x', [("x", "point", S(0x58, [7203, 1.5, -2.0]))], None),
 (None, 'RETURN point({x: 1, y: 2, z: 3}) AS x', [("x", "point", S(0x59, [9157, 1.0, 2.0, 3.0]))], None),
 ("Lists into arrays, element by element",
  'RETURN ["a", "b "] AS a, [1, null, 3] AS b, [] AS c, ["2024-01-01", date("2024-01-02")] AS d, [{k: 1}, [1, 2], "s"] AS e, [1, 2.5] AS f',
  [("a", "varchar(1)[]", ["a", "b "]), ("b", "int2[]", [1, None, 3]), ("c", "text[]", []), ("d", "date[]", ["2024-01-01", date(2024, 1, 2)]),
   ("e", "jsonb[]", [{"k": 1}, [1, 2], "\"s\""]), ("f", "numeric[]", [1, 2.5])], None),
 (None, 'RETURN [1, 70000] AS x', [("x", "int2[]", [1, 70000])], None),
 (None, 'RETURN ["a", ["b"]] AS x', [("x", "text[]", ["a", ["b"]])], None),
 (None, 'RETURN [1, -1] AS x', [("x", "posint[]", [1, -1])], None),
 ("Domains are checked after their base type",
  'RETURN 5 AS a, "abc" AS b', [("a", "posint", 5), ("b", "code3", "abc")], None),
 (None, 'RETURN -5 AS x', [("x", "posint", -5)], None),
 (None, 'RETURN null AS x', [("x", "posint_nn", None)], None),
 ("A Path: nodes in walk order, each relationship with its own direction",
  'MATCH p = (:A)-[:KNOWS]->(:B)<-[:LIKES]-(:C) RETURN p',
  [("p", "jsonb", S(0x50, [[node(1, ["A"], {"n": 1}), node(2, ["B"], {}), node(3, ["C"], {})],
                           [S(0x72, [7, "KNOWS", {"since": 2001}, "5:db:7"]), S(0x72, [8, "LIKES", {}, "5:db:8"])],
                           [1, 1, -2, 2]]))], None),
 ("Maps and graph values as text; an unknown structure as jsonb",
  'MATCH ()-[r:KNOWS]->() RETURN {b: [1, 2.0], a: "x"} AS a, r AS b, test.unknownStructure() AS c LIMIT 1',
  [("a", "text", {"b": [1, 2.0], "a": "x"}), ("b", "text", S(0x52, [7, 1, 2, "KNOWS", {}, "5:db:7", "4:db:1", "4:db:2"])),
   ("c", "jsonb", S(0x7A, [1, "x"]))], None),
 ("Parameters from jsonb: whole numbers are Integers, numbers with a fraction Floats",
  'RETURN $i AS i, $f AS f, $e AS e, $big AS big, $s AS s, $l AS l',
  [("i", "text", 1), ("f", "text", 1.0), ("e", "text", 100), ("big", "text", 1.2345678901234567e19), ("s", "text", "é"), ("l", "jsonb", [1, 2.5, None])],
  '{"i": 1, "f": 1.0, "e": 1e2, "big": 12345678901234567890, "s": "é", "l": [1, 2.5, null]}'),
]

LEGACY = [
 ("Bolt 4.4 without the utc patch: wall-clock seconds; zone ids resolved with Postgres' time zone data",
  'RETURN datetime("2024-07-01T12:00:00.000000005[Europe/Paris]") AS a, datetime("2024-01-15T08:00:00[Europe/Paris]") AS b, datetime("2024-03-31T02:30:00[Europe/Paris]") AS c, datetime("2024-10-27T02:30:00[Europe/Paris]") AS d, datetime("2024-07-01T12:00:00+02:00") AS e',
  [("a", "timestamptz", S(0x66, [secs(2024, 7, 1, 12, 0, 0), 5, "Europe/Paris"])), ("b", "timestamptz", S(0x66, [secs(2024, 1, 15, 8, 0, 0), 0, "Europe/Paris"])),
   ("c", "timestamptz", S(0x66, [secs(2024, 3, 31, 2, 30, 0), 0, "Europe/Paris"])), ("d", "timestamptz", S(0x66, [secs(2024, 10, 27, 2, 30, 0), 0, "Europe/Paris"])),
   ("e", "timestamptz", S(0x46, [secs(2024, 7, 1, 12, 0, 0), 0, 7200]))], None),
 (None, 'RETURN datetime("2024-07-01T12:00:00.000000005[Europe/Paris]") AS a, datetime("2024-07-01T12:00:00+02:00") AS b',
  [("a", "text", S(0x66, [secs(2024, 7, 1, 12, 0, 0), 5, "Europe/Paris"])), ("b", "text", S(0x46, [secs(2024, 7, 1, 12, 0, 0), 0, 7200]))], None),
 (None, 'MATCH (e:Event) RETURN e.at AS x LIMIT 1', [("x", "timestamptz", S(0x66, [secs(2024, 7, 1, 12, 0, 0), 0, "Mars/Olympus"]))], None),
 ("Bolt 4.4: no element ids, so element_id holds the id",
  'MATCH (n)-[r]->() RETURN n, r LIMIT 1',
  [("n", "jsonb", node(12, ["Person"], {"name": "Keanu"}, eid=False)), ("r", "jsonb", S(0x52, [7, 12, 13, "KNOWS", {}]))], None),
]

def sq(s): return s.replace("'", "''")
def cypher_json(s): return json.dumps(s, ensure_ascii=False)
def val_json(v): return json.dumps(to_json(v), ensure_ascii=False, allow_nan=False)

def emit(cases, server, sql, script):
    for comment, cypher, cols, params in cases:
        if comment:
            sql.append("-- " + comment)
        coldefs = ", ".join("%s %s" % (c, t) for c, t, _ in cols)
        if params:
            sql.append("SELECT * FROM neo4j_query('%s', '%s',\n  '%s')\n  AS t(%s);" % (server, sq(cypher), sq(params), coldefs))
        else:
            sql.append("SELECT * FROM neo4j_query('%s', '%s')\n  AS t(%s);" % (server, sq(cypher), coldefs))
        p = "{}"
        if params:
            # what the extension sends: integral numbers in int64 range as Integer, others Float
            def typed(v):
                if isinstance(v, bool) or v is None or isinstance(v, str): return v
                if isinstance(v, int): return v if -2**63 <= v < 2**63 else float(v)
                if isinstance(v, float): return v
                if isinstance(v, list): return [typed(x) for x in v]
                if isinstance(v, dict): return {k: typed(x) for k, x in v.items()}
            pv = typed(json.loads(params, parse_float=float, parse_int=int))
            # 1e2 reads as float in Python but the extension sends Integer 100 (numeric without fraction)
            pv["e"] = 100
            p = val_json(pv)
        script.append('C: RUN %s %s {}' % (cypher_json(cypher), p))
        script.append('   PULL {"n": 1000}')
        script.append('S: SUCCESS {"fields": %s}' % json.dumps([c for c, _, _ in cols]))
        script.append('   RECORD [%s]' % ", ".join(val_json(v) for _, _, v in cols))
        script.append('   SUCCESS {}')

sql = ["""--
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
\\getenv convert_url STUB_CONVERT_URL
\\getenv convert_legacy_url STUB_CONVERT_LEGACY_URL
CREATE SERVER stub_convert FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'convert_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER stub_convert OPTIONS (user 'neo4j', password 'pass');
CREATE SERVER stub_convert_legacy FOREIGN DATA WRAPPER neo4j_fdw OPTIONS (url :'convert_legacy_url');
CREATE USER MAPPING FOR CURRENT_USER SERVER stub_convert_legacy OPTIONS (user 'neo4j', password 'pass');
"""]
main = ["# Answers for the Bolt 5.8 part of sql/convert.sql, in order: one RUN per statement.",
        "!: BOLT 5.8",
        'C: HELLO {"user_agent": "*", "bolt_agent": "*"}',
        '   LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}',
        'S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-convert"}',
        '   SUCCESS {}']
legacy = ["# Answers for the Bolt 4.4 part of sql/convert.sql (legacy temporal structures).",
          "!: BOLT 4.4",
          'C: HELLO {"user_agent": "*", "scheme": "basic", "principal": "neo4j", "credentials": "pass", "patch_bolt": ["utc"]}',
          'S: SUCCESS {"server": "Neo4j/4.4.0", "connection_id": "bolt-convert-legacy"}']
emit(MAIN, "stub_convert", sql, main)
emit(LEGACY, "stub_convert_legacy", sql, legacy)
sql.append("\nDROP SERVER stub_convert CASCADE;\nDROP SERVER stub_convert_legacy CASCADE;\nDROP DOMAIN code3;\nDROP DOMAIN posint_nn;\nDROP DOMAIN posint;\nDROP TYPE mood;")
open(os.path.join(TOP, 'sql', 'convert.sql'), 'w').write("\n".join(sql) + "\n")
open(os.path.join(TOP, 'test', 'pg', 'stubs', 'convert.script'), 'w').write("\n".join(main) + "\n")
open(os.path.join(TOP, 'test', 'pg', 'stubs', 'convert_legacy.script'), 'w').write("\n".join(legacy) + "\n")
