/*
 * test_jolt.c — Jolt parser and writer.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jolt.h"
#include "text.h"
#include "testlib.h"

static neo4j_arena arena;
static neo4j_error err;
static char out[16384];

/* Writes v as Jolt into out; "ERR: message" on failure. */
static const char *
w(const neo4j_value *v)
{
    neo4j_buf b;

    neo4j_buf_init(&b);
    if (jolt_write(&b, v, &err) < 0)
        snprintf(out, sizeof out, "ERR: %s", err.message);
    else
        snprintf(out, sizeof out, "%.*s", (int) b.len, (const char *) b.data);
    neo4j_buf_free(&b);
    return out;
}

static int
parse(const char *json, neo4j_value *v)
{
    return jolt_parse(json, strlen(json), &arena, v, &err);
}

/* Parses then writes; "ERR: message" on failure. */
static const char *
pw(const char *json)
{
    neo4j_value v;

    if (parse(json, &v) < 0)
    {
        snprintf(out, sizeof out, "ERR: %s", err.message);
        return out;
    }
    return w(&v);
}

/* The byte offset a parse error names, -1 if the text parsed, -2 if no offset. */
static long
err_at(const char *json, size_t len)
{
    neo4j_value v;
    const char *at;

    if (jolt_parse(json, len, &arena, &v, &err) == 0)
        return -1;
    if (err.category != NEO4J_ERROR_CLIENT || strcmp(err.code, NEO4J_CODE_INVALID_ARGUMENT) != 0)
        return -3;
    at = strstr(err.message, "at byte ");
    return at ? strtol(at + 8, NULL, 10) : -2;
}

#define CHECK_ERR_AT(json, off) do {                                                \
        long got_ = err_at((json), sizeof(json) - 1);                               \
        CHECK(got_ == (off), "rejects %s at byte %ld (got %ld: %s)", #json, (long) (off), got_, \
              got_ < 0 ? "" : err.message);                                         \
    } while (0)

#define CHECK_RT(json, want) CHECK_STR(pw(json), (want), "%s -> %s", (json), (want))
#define CHECK_SAME(json) CHECK_RT(json, json)

/* A String value of a C string (no dependency on value.c). */
static neo4j_value
S(const char *s)
{
    return neo4j_string_n(s, strlen(s));
}

static bool
starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static neo4j_value
mkstruct(uint8_t type, uint8_t tag, neo4j_value *f, uint32_t n)
{
    neo4j_value v = {0};

    v.type = type;
    v.tag = tag;
    v.size = n;
    v.u.items = f;
    return v;
}

static bool
file_exists(const char *path)
{
    return access(path, R_OK) == 0;
}

/* ------------------------------------------------------------------ plain JSON */

static void
test_plain_json(void)
{
    neo4j_value v;

    CHECK_RT("42", "{\"Z\":\"42\"}");
    CHECK_RT("-7", "{\"Z\":\"-7\"}");
    CHECK_RT("0", "{\"Z\":\"0\"}");
    CHECK_RT("-0", "{\"Z\":\"0\"}");
    CHECK_RT("1.5", "{\"R\":\"1.5\"}");
    CHECK_RT("1e2", "{\"R\":\"100.0\"}");
    CHECK_RT("-2.5E-3", "{\"R\":\"-0.0025\"}");
    CHECK_RT("\"x\"", "{\"U\":\"x\"}");
    CHECK_RT("true", "{\"?\":\"true\"}");
    CHECK_RT("false", "{\"?\":\"false\"}");
    CHECK_RT("null", "null");
    CHECK_RT(" [1, \"a\", null] ", "{\"[]\":[{\"Z\":\"1\"},{\"U\":\"a\"},null]}");
    CHECK_RT("{\"a\": 1, \"b\": [true]}", "{\"{}\":{\"a\":{\"Z\":\"1\"},\"b\":{\"[]\":[{\"?\":\"true\"}]}}}");
    CHECK_RT("{}", "{\"{}\":{}}");
    CHECK_RT("[]", "{\"[]\":[]}");
    CHECK_STR(pw("\t\r\n[ ]\n"), "{\"[]\":[]}", "all four whitespace characters");

    /* int64 limits: in range -> Integer, beyond -> Float */
    CHECK(parse("9223372036854775807", &v) == 0 && v.type == NEO4J_INT && v.u.integer == INT64_MAX,
          "9223372036854775807 is an Integer");
    CHECK(parse("-9223372036854775808", &v) == 0 && v.type == NEO4J_INT && v.u.integer == INT64_MIN,
          "-9223372036854775808 is an Integer");
    CHECK(parse("9223372036854775808", &v) == 0 && v.type == NEO4J_FLOAT && v.u.real == 9223372036854775808.0,
          "9223372036854775808 overflows to a Float");
    CHECK(parse("-9223372036854775809", &v) == 0 && v.type == NEO4J_FLOAT,
          "-9223372036854775809 overflows to a Float");
    CHECK(parse("1.0", &v) == 0 && v.type == NEO4J_FLOAT && v.u.real == 1.0, "1.0 is a Float");
    CHECK(parse("1E400", &v) < 0 && strstr(err.message, "range"), "1E400 is out of range: %s", err.message);
    CHECK(parse("1e-400", &v) == 0 && v.type == NEO4J_FLOAT && v.u.real == 0.0, "1e-400 underflows to 0.0");
    CHECK_RT("9223372036854775807", "{\"R\":\"9223372036854775807\"}");
    CHECK_RT("9223372036854775808", "{\"R\":\"9.223372036854776E18\"}");

    /* a multi-key object with a sigil key is a plain map */
    CHECK_RT("{\"Z\": \"42\", \"a\": 1}", "{\"{}\":{\"Z\":{\"U\":\"42\"},\"a\":{\"Z\":\"1\"}}}");
    CHECK_RT("{\"a\": 1, \"Z\": \"42\"}", "{\"{}\":{\"a\":{\"Z\":\"1\"},\"Z\":{\"U\":\"42\"}}}");
    CHECK_RT("{\"{}\": {\"Z\": \"1\"}, \"b\": 2}", "{\"{}\":{\"{}\":{\"Z\":\"1\"},\"b\":{\"Z\":\"2\"}}}");
    CHECK_RT("{\"X\": \"1\"}", "{\"{}\":{\"X\":{\"U\":\"1\"}}}");
    CHECK(parse("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]}}", &v) == 0 && v.type == NEO4J_MAP && v.size == 2
          && v.u.entries[1].value.u.entries[0].value.size == 3, "nested structure shape");
}

/* ------------------------------------------------------------------ sigils */

static void
test_sigils(void)
{
    neo4j_value v;

    CHECK(parse("{\"Z\": \"42\"}", &v) == 0 && v.type == NEO4J_INT && v.u.integer == 42, "Z -> Integer");
    CHECK(parse("{\"Z\":\"-9223372036854775808\"}", &v) == 0 && v.u.integer == INT64_MIN, "Z min");
    CHECK(parse("{\"Z\":\"9223372036854775807\"}", &v) == 0 && v.u.integer == INT64_MAX, "Z max");
    CHECK(parse("{\"Z\":\"9223372036854775808\"}", &v) < 0 && strstr(err.message, "needs a decimal integer")
          && strstr(err.message, "at byte 5"), "Z overflow is an error: %s", err.message);
    CHECK(parse("{\"Z\":\"1.5\"}", &v) < 0, "Z with a fraction is an error");
    CHECK(parse("{\"Z\":\"\"}", &v) < 0, "empty Z is an error");
    CHECK(parse("{\"Z\":42}", &v) < 0 && strstr(err.message, "needs a JSON string"), "Z needs a string: %s",
          err.message);
    CHECK(parse("{\"R\": \"1.5\"}", &v) == 0 && v.type == NEO4J_FLOAT && v.u.real == 1.5, "R -> Float");
    CHECK(parse("{\"R\":\"NaN\"}", &v) == 0 && v.type == NEO4J_FLOAT && isnan(v.u.real), "R NaN");
    CHECK(parse("{\"R\":\"Infinity\"}", &v) == 0 && isinf(v.u.real) && v.u.real > 0, "R Infinity");
    CHECK(parse("{\"R\":\"-Infinity\"}", &v) == 0 && isinf(v.u.real) && v.u.real < 0, "R -Infinity");
    CHECK(parse("{\"R\":\"1.0E10\"}", &v) == 0 && v.u.real == 1e10, "R Java exponent form");
    CHECK(parse("{\"R\":\"4294967296\"}", &v) == 0 && v.type == NEO4J_INT && v.u.integer == 4294967296LL,
          "R with an integer text is Neo4j's big Integer");
    CHECK(parse("{\"R\":\"1e400\"}", &v) < 0, "R out of range is an error");
    CHECK(parse("{\"R\":\"abc\"}", &v) < 0, "R garbage is an error");
    CHECK(parse("{\"R\":\"nan\"}", &v) < 0, "R lower-case nan is an error");
    CHECK(parse("{\"U\":\"x\"}", &v) == 0 && v.type == NEO4J_STRING && v.size == 1, "U -> String");
    CHECK(parse("{\"U\":1}", &v) < 0, "U needs a string");
    CHECK(parse("{\"?\":\"true\"}", &v) == 0 && v.type == NEO4J_BOOL && v.u.boolean, "? true");
    CHECK(parse("{\"?\":\"false\"}", &v) == 0 && v.type == NEO4J_BOOL && !v.u.boolean, "? false");
    CHECK(parse("{\"?\":\"yes\"}", &v) < 0, "? yes is an error");
    CHECK(parse("{\"?\":true}", &v) < 0, "? needs a string");
    CHECK(parse("{\"#\":\"0A0bff\"}", &v) == 0 && v.type == NEO4J_BYTES && v.size == 3 && v.u.bytes[0] == 0x0A
          && v.u.bytes[1] == 0x0B && v.u.bytes[2] == 0xFF, "# -> Bytes");
    CHECK_RT("{\"#\":\"0a0bff\"}", "{\"#\":\"0A0BFF\"}");
    CHECK_SAME("{\"#\":\"\"}");
    CHECK(parse("{\"#\":\"ABC\"}", &v) < 0, "# odd length is an error");
    CHECK(parse("{\"#\":\"0G\"}", &v) < 0, "# non-hex is an error");
    CHECK(parse("{\"[]\":[{\"Z\":\"1\"},\"a\"]}", &v) == 0 && v.type == NEO4J_LIST && v.size == 2
          && v.u.items[0].type == NEO4J_INT && v.u.items[1].type == NEO4J_STRING, "[] -> List");
    CHECK(parse("{\"[]\":{}}", &v) < 0, "[] needs an array");
    CHECK(parse("{\"{}\":{\"a\":{\"Z\":\"1\"}}}", &v) == 0 && v.type == NEO4J_MAP && v.size == 1
          && v.u.entries[0].value.type == NEO4J_INT, "{} -> Map");
    CHECK(parse("{\"{}\":{\"Z\":{\"U\":\"x\"}}}", &v) == 0 && v.type == NEO4J_MAP && v.size == 1
          && v.u.entries[0].key.size == 1 && v.u.entries[0].value.type == NEO4J_STRING,
          "keys inside {} are never sigils");
    CHECK(parse("{\"{}\":{\"Z\":\"1\"}}", &v) == 0 && v.type == NEO4J_MAP && v.u.entries[0].value.type == NEO4J_STRING,
          "{\"{}\":{\"Z\":\"1\"}} is a map with key Z");
    CHECK(parse("{\"{}\":[]}", &v) < 0, "{} needs an object");
    CHECK_SAME("{\"{}\":{\"{}\":{\"{}\":{}}}}");
    CHECK_SAME("{\"[]\":[{\"[]\":[]},{\"{}\":{\"[]\":{\"[]\":[]}}}]}");
    CHECK(parse("{\"()\":[1,[],{}]}", &v) < 0 && strstr(err.message, "Node"), "Node sigil rejected: %s",
          err.message);
    CHECK(parse("{\"->\":[1,2,\"T\",3,{}]}", &v) < 0 && strstr(err.message, "Relationship"), "-> rejected");
    CHECK(parse("{\"<-\":[1,2,\"T\",3,{}]}", &v) < 0 && strstr(err.message, "Relationship"), "<- rejected");
    CHECK(parse("{\"..\":[]}", &v) < 0 && strstr(err.message, "Path"), ".. rejected");
    CHECK(parse("{\"Z\":\"1\"}", &v) == 0 && err_at("[1, {\"Z\":\"x\"}]", 15) == 9,
          "sigil errors name the value's offset (%s)", err.message);

    /* every sigil both ways */
    CHECK_SAME("{\"Z\":\"42\"}");
    CHECK_SAME("{\"Z\":\"-2147483648\"}");
    CHECK_SAME("{\"R\":\"1.5\"}");
    CHECK_SAME("{\"R\":\"NaN\"}");
    CHECK_SAME("{\"R\":\"Infinity\"}");
    CHECK_SAME("{\"R\":\"-Infinity\"}");
    CHECK_SAME("{\"R\":\"-0.0\"}");
    CHECK_SAME("{\"R\":\"9223372036854775807\"}");
    CHECK_SAME("{\"R\":\"-9223372036854775808\"}");
    CHECK_SAME("{\"U\":\"\"}");
    CHECK_SAME("{\"U\":\"Neo4j\"}");
    CHECK_SAME("{\"?\":\"true\"}");
    CHECK_SAME("{\"#\":\"FA08\"}");
    CHECK_SAME("{\"[]\":[{\"Z\":\"123\"},null]}");
    CHECK_SAME("{\"{}\":{\"name\":{\"U\":\"Jeff\"}}}");
    CHECK_SAME("{\"T\":\"2023-08-09T09:02:40.063Z\"}");
    CHECK_SAME("{\"T\":\"2023-08-09\"}");
    CHECK_SAME("{\"T\":\"09:02:40.063Z\"}");
    CHECK_SAME("{\"T\":\"P14DT16H12M\"}");
    CHECK_SAME("{\"@\":\"SRID=4326;POINT(1.2 3.4)\"}");
    CHECK_SAME("{\"@\":\"SRID=4979;POINT Z (3.4 5.6 7.8)\"}");
    CHECK_RT("{ \"Z\" : \"7\" }", "{\"Z\":\"7\"}");
}

/* ------------------------------------------------------------------ strings */

static void
test_strings(void)
{
    neo4j_value v, s;

    CHECK_RT("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "{\"U\":\"\\\"\\\\/\\b\\f\\n\\r\\t\"}");
    CHECK_RT("\"\\u0001\\u001f\\u007f\"", "{\"U\":\"\\u0001\\u001F\x7f\"}");
    CHECK_RT("\"\\u00e9\"", "{\"U\":\"\xc3\xa9\"}");
    CHECK_RT("\"\\u20AC\"", "{\"U\":\"\xe2\x82\xac\"}");
    CHECK_RT("\"\\ud83d\\ude00\"", "{\"U\":\"\xf0\x9f\x98\x80\"}");
    CHECK_RT("\"\\uDBFF\\uDFFF\"", "{\"U\":\"\xf4\x8f\xbf\xbf\"}");
    CHECK_RT("\"\xf0\x9f\x98\x80 \xe2\x80\xa8\"", "{\"U\":\"\xf0\x9f\x98\x80 \xe2\x80\xa8\"}");
    CHECK(parse("\"a\\u0000b\"", &v) == 0 && v.size == 3 && v.u.string[1] == '\0', "\\u0000 embeds a NUL");
    CHECK_RT("\"a\\u0000b\"", "{\"U\":\"a\\u0000b\"}");
    CHECK_ERR_AT("\"\\ud800\"", 1);
    CHECK_ERR_AT("\"ab\\udc00\"", 3);
    CHECK_ERR_AT("\"\\ud800\\u0041\"", 1);
    CHECK_ERR_AT("\"\\ud800x\"", 1);
    CHECK_ERR_AT("\"\\u12\"", 1);
    CHECK_ERR_AT("\"\\u12G4\"", 1);
    CHECK_ERR_AT("\"\\x\"", 1);
    CHECK_ERR_AT("\"a\x01\"", 2);
    CHECK_ERR_AT("\"\t\"", 1);
    CHECK_ERR_AT("\"\xc3\x28\"", 1);
    CHECK_ERR_AT("\"ok\xc0\xaf\"", 3);
    CHECK_ERR_AT("\"\xed\xa0\x80\"", 1);
    CHECK_ERR_AT("\"\xf4\x90\x80\x80\"", 1);
    CHECK_ERR_AT("\"\xff\"", 1);
    CHECK_ERR_AT("\"\xe2\x82\"", 1);
    CHECK_ERR_AT("\"abc", 0);
    CHECK_ERR_AT("\"abc\\\"", 0);

    /* the writer replaces invalid UTF-8, maximal subpart by subpart */
    s = neo4j_string_n("a\xff" "b", 3);
    CHECK_STR(w(&s), "{\"U\":\"a\\uFFFDb\"}", "invalid byte -> \\uFFFD");
    s = neo4j_string_n("\xe2\x82" "A", 3);
    CHECK_STR(w(&s), "{\"U\":\"\\uFFFDA\"}", "truncated sequence -> one \\uFFFD");
    s = neo4j_string_n("\xf0\x9f\x98", 3);
    CHECK_STR(w(&s), "{\"U\":\"\\uFFFD\"}", "truncated 4-byte sequence at the end -> one \\uFFFD");
    s = neo4j_string_n("\xed\xa0\x80", 3);
    CHECK_STR(w(&s), "{\"U\":\"\\uFFFD\\uFFFD\\uFFFD\"}", "encoded surrogate -> three \\uFFFD");
    s = neo4j_string_n("\xc0\xaf", 2);
    CHECK_STR(w(&s), "{\"U\":\"\\uFFFD\\uFFFD\"}", "overlong -> two \\uFFFD");
    s = neo4j_string_n("</script>\x7f", 10);
    CHECK_STR(w(&s), "{\"U\":\"</script>\x7f\"}", "slash and DEL pass through");
    {
        neo4j_buf b;

        neo4j_buf_init(&b);
        neo4j_buf_append_json_string(&b, "k\"\n\xc3\xa9", 5);
        CHECK(b.len == sizeof "\"k\\\"\\n\xc3\xa9\"" - 1
              && memcmp(b.data, "\"k\\\"\\n\xc3\xa9\"", b.len) == 0, "jolt_write_json_string");
        neo4j_buf_free(&b);
    }
}

/* ------------------------------------------------------------------ invalid JSON */

static void
test_invalid_json(void)
{
    neo4j_value v;
    char deep[400];
    int i;

    CHECK_ERR_AT("", 0);
    CHECK_ERR_AT("   ", 3);
    CHECK_ERR_AT("[1,]", 3);
    CHECK_ERR_AT("[1 2]", 3);
    CHECK_ERR_AT("[", 1);
    CHECK_ERR_AT("[1", 2);
    CHECK_ERR_AT("{\"a\" 1}", 5);
    CHECK_ERR_AT("{\"a\":1,}", 7);
    CHECK_ERR_AT("{\"a\":}", 5);
    CHECK_ERR_AT("{1:2}", 1);
    CHECK_ERR_AT("{'a':1}", 1);
    CHECK_ERR_AT("{\"a\":1}}", 7);
    CHECK_ERR_AT("{\"a\":1 \"b\":2}", 7);
    CHECK_ERR_AT("01", 0);
    CHECK_ERR_AT("-01", 0);
    CHECK_ERR_AT("1.", 2);
    CHECK_ERR_AT("1.e5", 2);
    CHECK_ERR_AT("1e", 2);
    CHECK_ERR_AT("1e+", 3);
    CHECK_ERR_AT("-", 1);
    CHECK_ERR_AT("+1", 0);
    CHECK_ERR_AT(".5", 0);
    CHECK_ERR_AT("NaN", 0);
    CHECK_ERR_AT("Infinity", 0);
    CHECK_ERR_AT("tru", 0);
    CHECK_ERR_AT("nul", 0);
    CHECK_ERR_AT("True", 0);
    CHECK_ERR_AT("[1]x", 3);
    CHECK_ERR_AT("1 2", 2);
    CHECK_ERR_AT("\xef\xbb\xbf" "1", 0);
    CHECK_ERR_AT("[1,\f2]", 3);
    CHECK_ERR_AT("{\"a\":1,\"a\":2}", 0);
    CHECK_ERR_AT("[0, {\"b\":1,\"c\":2,\"b\":3}]", 4);
    CHECK_ERR_AT("/* */ 1", 0);
    CHECK(err_at("[1]\0", 4) == 3, "a NUL after the value is trailing garbage");
    CHECK(err_at("\"a\0b\"", 5) == 2, "a raw NUL inside a string is rejected");
    CHECK(parse("{\"a\":1,\"a\":2}", &v) < 0 && strstr(err.message, "duplicate key \"a\""), "duplicate message: %s",
          err.message);
    CHECK(parse("[1,]", &v) < 0 && strstr(err.message, "expected a value, found ']'"), "message says what: %s",
          err.message);
    CHECK(parse("{\"a\" 1}", &v) < 0 && strstr(err.message, "expected ':'"), "message says ':': %s", err.message);

    /* many keys: duplicate detection by sorting */
    {
        char big[4096];
        size_t n = 0;

        n += (size_t) snprintf(big + n, sizeof big - n, "{");
        for (i = 0; i < 100; i++)
            n += (size_t) snprintf(big + n, sizeof big - n, "%s\"k%d\":%d", i ? "," : "", i, i);
        snprintf(big + n, sizeof big - n, "}");
        CHECK(parse(big, &v) == 0 && v.type == NEO4J_MAP && v.size == 100, "100 distinct keys");
        snprintf(big + n - 0, sizeof big - n, ",\"k57\":0}");
        CHECK(err_at(big, strlen(big)) == 0 && strstr(err.message, "k57"), "duplicate among 101 keys: %s",
              err.message);
    }

    /* depth: 64 nested arrays are fine, 65 are not (offset of the 65th '[') */
    for (i = 0; i < 64; i++)
        deep[i] = '[';
    for (i = 0; i < 64; i++)
        deep[64 + i] = ']';
    CHECK(jolt_parse(deep, 128, &arena, &v, &err) == 0, "64 nested arrays parse");
    for (i = 0; i < 65; i++)
        deep[i] = '[';
    for (i = 0; i < 65; i++)
        deep[65 + i] = ']';
    CHECK(err_at(deep, 130) == 64 && strstr(err.message, "deeper than 64"), "65 nested arrays: %s", err.message);
    /* objects count too, sigil objects included */
    {
        char d2[1200];
        size_t n = 0;

        for (i = 0; i < 32; i++)
            n += (size_t) snprintf(d2 + n, sizeof d2 - n, "{\"[]\":[");
        for (i = 0; i < 32; i++)
            n += (size_t) snprintf(d2 + n, sizeof d2 - n, "]}");
        CHECK(jolt_parse(d2, n, &arena, &v, &err) == 0, "32 nested {\"[]\":[...]} (depth 64) parse");
        n = 0;
        for (i = 0; i < 32; i++)
            n += (size_t) snprintf(d2 + n, sizeof d2 - n, "{\"[]\":[");
        n += (size_t) snprintf(d2 + n, sizeof d2 - n, "{}");
        for (i = 0; i < 32; i++)
            n += (size_t) snprintf(d2 + n, sizeof d2 - n, "]}");
        CHECK(err_at(d2, n) == 32 * 7, "one more object exceeds the limit (%s)", err.message);
    }
    CHECK(jolt_parse(NULL, 0, &arena, &v, &err) < 0, "NULL text is an error");
}

/* ------------------------------------------------------------------ numbers */

static void
test_numbers(void)
{
    struct { double d; const char *want; } f[] = {
        {1.0, "1.0"}, {0.1, "0.1"}, {100.0, "100.0"}, {1.5, "1.5"}, {-2.25, "-2.25"},
        {1e7, "1.0E7"}, {9999999.0, "9999999.0"}, {12345678.9, "1.23456789E7"}, {0.001, "0.001"},
        {0.0001, "1.0E-4"}, {1e-5, "1.0E-5"}, {123456789.0, "1.23456789E8"}, {-0.0, "-0.0"},
        {0.0, "0.0"}, {5e-324, "4.9E-324"}, {DBL_MAX, "1.7976931348623157E308"},
        {1.0 / 3, "0.3333333333333333"}, {2e23, "2.0E23"}, {1e23, "1.0E23"}, {0.3, "0.3"},
        {9007199254740993.0, "9.007199254740992E15"}, {2.2250738585072014E-308, "2.2250738585072014E-308"},
        {123.456, "123.456"}, {1e21, "1.0E21"}, {4.35, "4.35"},
    };
    struct { int64_t i; const char *want; } n[] = {
        {0, "{\"Z\":\"0\"}"}, {2147483647, "{\"Z\":\"2147483647\"}"}, {-2147483648LL, "{\"Z\":\"-2147483648\"}"},
        {2147483648LL, "{\"R\":\"2147483648\"}"}, {-2147483649LL, "{\"R\":\"-2147483649\"}"},
        {INT64_MIN, "{\"R\":\"-9223372036854775808\"}"},
    };
    size_t i;
    neo4j_value v;
    char want[64];

    for (i = 0; i < sizeof f / sizeof f[0]; i++)
    {
        v = neo4j_float(f[i].d);
        snprintf(want, sizeof want, "{\"R\":\"%s\"}", f[i].want);
        CHECK_STR(w(&v), want, "Float %.17g", f[i].d);
    }
    v = neo4j_float(NAN);
    CHECK_STR(w(&v), "{\"R\":\"NaN\"}", "Float NaN");
    v = neo4j_float(-INFINITY);
    CHECK_STR(w(&v), "{\"R\":\"-Infinity\"}", "Float -Infinity");
    for (i = 0; i < sizeof n / sizeof n[0]; i++)
    {
        v = neo4j_int(n[i].i);
        CHECK_STR(w(&v), n[i].want, "Integer %lld", (long long) n[i].i);
    }

    /* floats round-trip through the writer and parser */
    {
        uint64_t x = 0x9E3779B97F4A7C15ULL;
        int bad = 0, k;

        for (k = 0; k < 20000; k++)
        {
            double d, back;
            neo4j_value p;

            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            memcpy(&d, &x, sizeof d);
            if (!isfinite(d))
                continue;
            v = neo4j_float(d);
            w(&v);
            if (parse(out, &p) < 0 || p.type != NEO4J_FLOAT)
            {
                bad++;
                continue;
            }
            back = p.u.real;
            if (memcmp(&back, &d, sizeof d) != 0)
                bad++;
        }
        CHECK(bad == 0, "20000 random doubles round-trip bit-exactly (%d failed)", bad);
    }
}

/* ------------------------------------------------------------------ temporal */

static void
test_temporal(void)
{
    neo4j_value v, f[4], s;
    int64_t d;
    int bad = 0;

    /* dates */
    CHECK(parse("{\"T\":\"1970-01-01\"}", &v) == 0 && v.type == NEO4J_DATE && v.tag == NEO4J_TAG_DATE
          && v.size == 1 && v.u.items[0].u.integer == 0, "epoch date is day 0");
    CHECK(parse("{\"T\":\"2024-02-29\"}", &v) == 0 && v.u.items[0].u.integer == 19782, "leap day 2024 is day 19782");
    CHECK_SAME("{\"T\":\"2024-02-29\"}");
    CHECK_SAME("{\"T\":\"2000-02-29\"}");
    CHECK(parse("{\"T\":\"2023-02-29\"}", &v) < 0 && strstr(err.message, "day out of range"), "2023-02-29: %s",
          err.message);
    CHECK(parse("{\"T\":\"1900-02-29\"}", &v) < 0, "1900 is not a leap year");
    CHECK(parse("{\"T\":\"2024-13-01\"}", &v) < 0, "month 13");
    CHECK(parse("{\"T\":\"2024-04-31\"}", &v) < 0, "April 31st");
    CHECK(parse("{\"T\":\"2024-1-01\"}", &v) < 0, "1-digit month");
    CHECK_SAME("{\"T\":\"-0001-01-01\"}");
    CHECK_SAME("{\"T\":\"-0004-02-29\"}");
    CHECK_SAME("{\"T\":\"0000-02-29\"}");
    CHECK_SAME("{\"T\":\"+10000-01-01\"}");
    CHECK_SAME("{\"T\":\"9999-12-31\"}");
    CHECK_SAME("{\"T\":\"-999999999-01-01\"}");
    CHECK_SAME("{\"T\":\"+999999999-12-31\"}");
    CHECK_RT("{\"T\":\"+2024-01-01\"}", "{\"T\":\"2024-01-01\"}");
    CHECK(parse("{\"T\":\"10000-01-01\"}", &v) < 0, "5-digit year needs a sign");
    CHECK(parse("{\"T\":\"+1000000000-01-01\"}", &v) < 0, "10-digit year");
    CHECK(parse("{\"T\":\"-999999999-01-01\"}", &v) == 0 && v.u.items[0].u.integer == -365243219162LL,
          "java.time's first day");
    CHECK(parse("{\"T\":\"+999999999-12-31\"}", &v) == 0 && v.u.items[0].u.integer == 365241780471LL,
          "java.time's last day");
    f[0] = neo4j_int(365241780472LL);
    s = mkstruct(NEO4J_DATE, NEO4J_TAG_DATE, f, 1);
    CHECK(starts(w(&s), "ERR:"), "a Date past +999999999-12-31 is an error");
    f[0] = neo4j_int(-1);
    CHECK_STR(w(&s), "{\"T\":\"1969-12-31\"}", "day -1");
    f[0] = neo4j_int(-719528);
    CHECK_STR(w(&s), "{\"T\":\"0000-01-01\"}", "day -719528 is 0000-01-01");
    f[0] = neo4j_int(-141427);
    CHECK_STR(w(&s), "{\"T\":\"1582-10-15\"}", "Gregorian reform day, proleptic");
    /* civil-from-days and days-from-civil agree over a wide range */
    for (d = -3000000; d <= 3000000 && bad < 5; d += 97)
    {
        neo4j_value back;

        f[0] = neo4j_int(d);
        w(&s);
        if (parse(out, &back) < 0 || back.type != NEO4J_DATE || back.u.items[0].u.integer != d)
            bad++;
    }
    CHECK(bad == 0, "dates round-trip from 6212-BC to 10183-AD (%d failed, last %s)", bad, out);

    /* times */
    CHECK(parse("{\"T\":\"12:00:00.5+01:00\"}", &v) == 0 && v.type == NEO4J_TIME && v.tag == NEO4J_TAG_TIME
          && v.size == 2 && v.u.items[0].u.integer == 43200500000000LL && v.u.items[1].u.integer == 3600,
          "Time fields");
    CHECK_SAME("{\"T\":\"12:00:00.5+01:00\"}");
    CHECK_RT("{\"T\":\"12:00+05:45\"}", "{\"T\":\"12:00:00+05:45\"}");
    CHECK_SAME("{\"T\":\"12:00:00-00:30\"}");
    CHECK_SAME("{\"T\":\"23:59:59.999999999Z\"}");
    CHECK_RT("{\"T\":\"12:00:00+00:00\"}", "{\"T\":\"12:00:00Z\"}");
    CHECK_RT("{\"T\":\"12:00:00+0130\"}", "{\"T\":\"12:00:00+01:30\"}");
    CHECK_RT("{\"T\":\"12:00:00-05\"}", "{\"T\":\"12:00:00-05:00\"}");
    CHECK_SAME("{\"T\":\"12:00:00+01:00:30\"}");
    CHECK_RT("{\"T\":\"12:00:00+18:00\"}", "{\"T\":\"12:00:00+18:00\"}");
    CHECK(parse("{\"T\":\"12:00:00+18:01\"}", &v) < 0, "offset beyond 18:00");
    CHECK(parse("{\"T\":\"12:00:00+01:00[Europe/Paris]\"}", &v) < 0, "Time with a zone id");
    CHECK(parse("{\"T\":\"12:00:00.000000\"}", &v) == 0 && v.type == NEO4J_LOCAL_TIME && v.tag == NEO4J_TAG_LOCAL_TIME,
          "LocalTime");
    CHECK_RT("{\"T\":\"12:00:00.000\"}", "{\"T\":\"12:00:00\"}");
    CHECK_RT("{\"T\":\"12:00:00.100\"}", "{\"T\":\"12:00:00.1\"}");
    CHECK_SAME("{\"T\":\"00:00:00.000000001\"}");
    CHECK_SAME("{\"T\":\"12:34:56.123456789\"}");
    CHECK_RT("{\"T\":\"07:05\"}", "{\"T\":\"07:05:00\"}");
    CHECK(parse("{\"T\":\"24:00:00\"}", &v) < 0, "hour 24");
    CHECK(parse("{\"T\":\"12:60:00\"}", &v) < 0, "minute 60");
    CHECK(parse("{\"T\":\"12:00:60\"}", &v) < 0, "second 60");
    CHECK(parse("{\"T\":\"12:00:00.1234567890\"}", &v) < 0, "10 fraction digits");
    CHECK(parse("{\"T\":\"12:00:00.\"}", &v) < 0, "empty fraction");
    CHECK(parse("{\"T\":\"12:00:00 \"}", &v) < 0, "trailing space");

    /* datetimes */
    CHECK(parse("{\"T\":\"2024-02-29T12:00:00+01:00\"}", &v) == 0 && v.type == NEO4J_DATE_TIME
          && v.tag == NEO4J_TAG_DATE_TIME && v.size == 3 && v.u.items[0].u.integer == 19782LL * 86400 + 11 * 3600
          && v.u.items[1].u.integer == 0 && v.u.items[2].u.integer == 3600, "DateTime fields are UTC seconds");
    CHECK_SAME("{\"T\":\"2024-02-29T12:00:00+01:00\"}");
    CHECK_SAME("{\"T\":\"2024-02-29T12:00:00Z\"}");
    CHECK_SAME("{\"T\":\"1969-12-31T23:59:59.999999999Z\"}");
    CHECK_SAME("{\"T\":\"2024-02-29T00:15:00.000000001-00:30\"}");
    CHECK_SAME("{\"T\":\"1970-01-01T02:15:00.000000042+01:00\"}");
    CHECK(parse("{\"T\":\"1970-01-01T02:15:00.000000042+01:00\"}", &v) == 0 && v.u.items[0].u.integer == 4500
          && v.u.items[1].u.integer == 42, "the Bolt spec's DateTime example (4500 s, 42 ns)");
    CHECK_SAME("{\"T\":\"-0100-03-01T05:45:00+05:45\"}");
    CHECK_SAME("{\"T\":\"+12345-06-07T08:09:10.11+12:00\"}");
    CHECK_RT("{\"T\":\"2024-02-29t12:00:00z\"}", "{\"T\":\"2024-02-29T12:00:00Z\"}");
    CHECK(parse("{\"T\":\"2024-02-29T12:00:00\"}", &v) == 0 && v.type == NEO4J_LOCAL_DATE_TIME
          && v.tag == NEO4J_TAG_LOCAL_DATE_TIME && v.size == 2 && v.u.items[0].u.integer == 19782LL * 86400 + 43200,
          "LocalDateTime fields");
    CHECK_SAME("{\"T\":\"2024-02-29T12:00:00\"}");
    CHECK_SAME("{\"T\":\"-0001-12-31T23:59:59.5\"}");
    CHECK(parse("{\"T\":\"2024-02-29 12:00:00\"}", &v) < 0, "space instead of T");
    CHECK(parse("{\"T\":\"2024-02-29T\"}", &v) < 0, "T without a time");
    CHECK(parse("{\"T\":\"2024-01-01T10:00:00[Europe/Paris]\"}", &v) < 0 && strstr(err.message, "needs an offset"),
          "zone id without offset: %s", err.message);
    CHECK(parse("{\"T\":\"2024-01-01T10:00:00+01:00[Europe/Paris]\"}", &v) == 0
          && v.type == NEO4J_DATE_TIME_ZONE_ID && v.tag == NEO4J_TAG_DATE_TIME_ZONE_ID && v.size == 3
          && v.u.items[0].u.integer == 1704099600LL && v.u.items[2].type == NEO4J_STRING
          && v.u.items[2].size == 12 && memcmp(v.u.items[2].u.string, "Europe/Paris", 12) == 0,
          "DateTimeZoneId: UTC seconds from the offset, zone id kept");
    CHECK(parse("{\"T\":\"2024-01-01T10:00:00+01:00[]\"}", &v) < 0, "empty zone id");
    CHECK(parse("{\"T\":\"2024-01-01T10:00:00+01:00[Europe/Paris\"}", &v) < 0, "unterminated zone id");
    CHECK(parse("{\"T\":\"2024-01-01T10:00:00+01:00[Europe/Paris]x\"}", &v) < 0, "text after the zone id");
    CHECK(parse("{\"T\":\"\"}", &v) < 0 && strstr(err.message, "at byte 5"), "empty temporal: %s", err.message);
    CHECK(parse("{\"T\":\"yesterday\"}", &v) < 0, "garbage temporal");

    /* legacy DateTime (0x46): seconds are wall-clock */
    f[0] = neo4j_int(19782LL * 86400 + 43200);
    f[1] = neo4j_int(0);
    f[2] = neo4j_int(3600);
    s = mkstruct(NEO4J_DATE_TIME, NEO4J_TAG_LEGACY_DATE_TIME, f, 3);
    CHECK_STR(w(&s), "{\"T\":\"2024-02-29T12:00:00+01:00\"}", "legacy DateTime uses local seconds");
    s.tag = NEO4J_TAG_DATE_TIME;
    CHECK_STR(w(&s), "{\"T\":\"2024-02-29T13:00:00+01:00\"}", "DateTime uses UTC seconds");
    f[1] = neo4j_int(1000000000);
    CHECK(starts(w(&s), "ERR:"), "nanoseconds of 1e9 are malformed");
    f[1] = neo4j_int(0);
    f[0] = neo4j_int(INT64_MAX);
    CHECK(starts(w(&s), "ERR:"), "DateTime with INT64_MAX seconds is an error: %s", out);
    f[0] = neo4j_int(-1);
    s = mkstruct(NEO4J_LOCAL_DATE_TIME, NEO4J_TAG_LOCAL_DATE_TIME, f, 2);
    CHECK_STR(w(&s), "{\"T\":\"1969-12-31T23:59:59\"}", "LocalDateTime before the epoch");
    f[0] = neo4j_int(3661);
    f[1] = neo4j_int(7);
    s = mkstruct(NEO4J_TIME, NEO4J_TAG_TIME, f, 2);
    f[0] = neo4j_int(0);
    f[1] = neo4j_int(-3661);
    CHECK_STR(w(&s), "{\"T\":\"00:00:00-01:01:01\"}", "offset with seconds");
    f[0] = neo4j_int(86400LL * 1000000000);
    CHECK(starts(w(&s), "ERR:"), "Time of 24:00 is malformed");
}

/* ------------------------------------------------------------------ zones */

static void
test_zones(void)
{
    bool tz = file_exists("/usr/share/zoneinfo/Europe/Paris") && !getenv("TZDIR");
    neo4j_value v, f[3], s, lv;
    int64_t local;

    if (tz)
    {
        CHECK_SAME("{\"T\":\"2024-01-01T10:00:00+01:00[Europe/Paris]\"}");
        CHECK_SAME("{\"T\":\"2024-07-01T10:00:00.5+02:00[Europe/Paris]\"}");
        CHECK_RT("{\"T\":\"2024-07-01T08:00:00Z[Europe/Paris]\"}",
                 "{\"T\":\"2024-07-01T10:00:00+02:00[Europe/Paris]\"}");
        CHECK_SAME("{\"T\":\"2024-06-01T12:00:00+05:45[Asia/Kathmandu]\"}");
        CHECK_SAME("{\"T\":\"2024-07-01T12:00:00-02:30[America/St_Johns]\"}");
        CHECK_SAME("{\"T\":\"2024-01-01T12:00:00-03:30[America/St_Johns]\"}");
        CHECK_SAME("{\"T\":\"2024-01-01T12:00:00Z[UTC]\"}");
        /* beyond the last transition the footer's POSIX rule applies */
        CHECK_SAME("{\"T\":\"2100-07-01T12:00:00+02:00[Europe/Berlin]\"}");
        CHECK_SAME("{\"T\":\"2100-01-01T12:00:00+01:00[Europe/Berlin]\"}");
        CHECK_SAME("{\"T\":\"2100-01-15T12:00:00+11:00[Australia/Sydney]\"}");
        CHECK_SAME("{\"T\":\"2100-07-15T12:00:00+10:00[Australia/Sydney]\"}");
        CHECK_SAME("{\"T\":\"2100-03-14T12:00:00-04:00[America/New_York]\"}");
        CHECK_SAME("{\"T\":\"2100-03-13T12:00:00-05:00[America/New_York]\"}");
        /* before the first transition: local mean time, offset with seconds */
        CHECK_SAME("{\"T\":\"1800-01-01T00:53:28+00:53:28[Europe/Berlin]\"}");
        /* around a switch: 2024-03-31 01:00Z Paris goes to +02:00 */
        CHECK_RT("{\"T\":\"2024-03-31T00:59:59Z[Europe/Paris]\"}",
                 "{\"T\":\"2024-03-31T01:59:59+01:00[Europe/Paris]\"}");
        CHECK_RT("{\"T\":\"2024-03-31T01:00:00Z[Europe/Paris]\"}",
                 "{\"T\":\"2024-03-31T03:00:00+02:00[Europe/Paris]\"}");

        /* legacy (4.x) zoned values carry wall-clock seconds */
        CHECK(parse("{\"T\":\"2024-01-01T10:00:00\"}", &lv) == 0, "local seconds");
        local = lv.u.items[0].u.integer;
        f[0] = neo4j_int(local);
        f[1] = neo4j_int(0);
        f[2] = S("Europe/Paris");
        s = mkstruct(NEO4J_DATE_TIME_ZONE_ID, NEO4J_TAG_LEGACY_DATE_TIME_ZONE_ID, f, 3);
        CHECK_STR(w(&s), "{\"T\":\"2024-01-01T10:00:00+01:00[Europe/Paris]\"}", "legacy tag 0x66");
        s.tag = NEO4J_TAG_DATE_TIME_ZONE_ID;
        s.flags = NEO4J_FLAG_LOCAL_SECONDS;
        CHECK_STR(w(&s), "{\"T\":\"2024-01-01T10:00:00+01:00[Europe/Paris]\"}", "NEO4J_FLAG_LOCAL_SECONDS");
        /* gap: 02:30 does not exist on 2024-03-31 in Paris; java.time moves it to 03:30+02:00 */
        parse("{\"T\":\"2024-03-31T02:30:00\"}", &lv);
        f[0] = lv.u.items[0];
        CHECK_STR(w(&s), "{\"T\":\"2024-03-31T03:30:00+02:00[Europe/Paris]\"}", "legacy value in a gap");
        /* overlap: 02:30 happens twice on 2024-10-27; java.time takes the earlier offset */
        parse("{\"T\":\"2024-10-27T02:30:00\"}", &lv);
        f[0] = lv.u.items[0];
        CHECK_STR(w(&s), "{\"T\":\"2024-10-27T02:30:00+02:00[Europe/Paris]\"}", "legacy value in an overlap");
        s.flags = 0;
        CHECK_STR(w(&s), "{\"T\":\"2024-10-27T03:30:00+01:00[Europe/Paris]\"}", "same seconds as UTC");
    }
    else
        CHECK(1, "no tz database here: zone lookups skipped");

    /* without tz data (or for unknown zones): honest UTC / wall-clock forms */
    CHECK_RT("{\"T\":\"2024-01-01T10:00:00+01:00[Mars/Olympus_Mons]\"}",
             "{\"T\":\"2024-01-01T09:00:00Z[Mars/Olympus_Mons]\"}");
    CHECK_RT("{\"T\":\"2024-01-01T10:00:00+01:00[../../etc/passwd]\"}",
             "{\"T\":\"2024-01-01T09:00:00Z[../../etc/passwd]\"}");
    setenv("TZDIR", "/nonexistent-tz-dir", 1);
    CHECK_RT("{\"T\":\"2024-01-01T10:00:00+01:00[Europe/Paris]\"}", "{\"T\":\"2024-01-01T09:00:00Z[Europe/Paris]\"}");
    CHECK_RT("{\"T\":\"2024-01-01T09:00:00Z[Europe/Paris]\"}", "{\"T\":\"2024-01-01T09:00:00Z[Europe/Paris]\"}");
    CHECK(parse("{\"T\":\"2024-01-01T10:00:00\"}", &lv) == 0, "local seconds");
    f[0] = lv.u.items[0];
    f[1] = neo4j_int(5);
    f[2] = S("Europe/Paris");
    s = mkstruct(NEO4J_DATE_TIME_ZONE_ID, NEO4J_TAG_DATE_TIME_ZONE_ID, f, 3);
    s.flags = NEO4J_FLAG_LOCAL_SECONDS;
    CHECK_STR(w(&s), "{\"T\":\"2024-01-01T10:00:00.000000005[Europe/Paris]\"}", "legacy value without tz data");
    unsetenv("TZDIR");
    /* a zone id that is an offset prints as java.time's ZoneOffset: no [...] */
    f[2] = S("+05:30");
    s.flags = 0;
    CHECK_STR(w(&s), "{\"T\":\"2024-01-01T15:30:00.000000005+05:30\"}", "offset zone id");
    f[2] = S("Europe/\"x\"");
    CHECK_STR(w(&s), "{\"T\":\"2024-01-01T10:00:00.000000005Z[Europe/\\\"x\\\"]\"}", "zone id is JSON-escaped");
    f[2] = neo4j_int(1);
    CHECK(starts(w(&s), "ERR:"), "zone id that is not a String is malformed");
    (void) v;
}

/* ------------------------------------------------------------------ durations */

static void
test_durations(void)
{
    neo4j_value v, f[4], s;

    CHECK(parse("{\"T\":\"P1Y2M3DT4H5M6.5S\"}", &v) == 0 && v.type == NEO4J_DURATION && v.tag == NEO4J_TAG_DURATION
          && v.size == 4 && v.u.items[0].u.integer == 14 && v.u.items[1].u.integer == 3
          && v.u.items[2].u.integer == 14706 && v.u.items[3].u.integer == 500000000, "Duration fields");
    CHECK_SAME("{\"T\":\"P1Y2M3DT4H5M6.5S\"}");
    CHECK_SAME("{\"T\":\"PT0S\"}");
    CHECK_SAME("{\"T\":\"P14DT16H12M\"}");
    CHECK_SAME("{\"T\":\"PT-0.5S\"}");
    CHECK_SAME("{\"T\":\"PT-1.5S\"}");
    CHECK_SAME("{\"T\":\"PT-1H-1M-1.5S\"}");
    CHECK_SAME("{\"T\":\"PT0.000000001S\"}");
    CHECK_SAME("{\"T\":\"P-1Y-2M-3D\"}");
    CHECK_SAME("{\"T\":\"PT36H\"}");
    CHECK_SAME("{\"T\":\"PT1M0.1S\"}");
    CHECK(parse("{\"T\":\"PT-0.5S\"}", &v) == 0 && v.u.items[2].u.integer == -1
          && v.u.items[3].u.integer == 500000000, "-0.5 s is -1 s + 0.5e9 ns");
    CHECK_RT("{\"T\":\"-PT1.5S\"}", "{\"T\":\"PT-1.5S\"}");
    CHECK_RT("{\"T\":\"-P1Y\"}", "{\"T\":\"P-1Y\"}");
    CHECK_RT("{\"T\":\"P1W\"}", "{\"T\":\"P7D\"}");
    CHECK_RT("{\"T\":\"P1Y-2M\"}", "{\"T\":\"P10M\"}");
    CHECK_RT("{\"T\":\"p1yt2h\"}", "{\"T\":\"P1YT2H\"}");
    CHECK_RT("{\"T\":\"PT90M\"}", "{\"T\":\"PT1H30M\"}");
    CHECK_RT("{\"T\":\"PT0,25S\"}", "{\"T\":\"PT0.25S\"}");
    CHECK_RT("{\"T\":\"P0D\"}", "{\"T\":\"PT0S\"}");
    CHECK(parse("{\"T\":\"P\"}", &v) < 0, "P alone");
    CHECK(parse("{\"T\":\"PT\"}", &v) < 0, "PT alone");
    CHECK(parse("{\"T\":\"P1S\"}", &v) < 0, "seconds before T");
    CHECK(parse("{\"T\":\"PT1D\"}", &v) < 0, "days after T");
    CHECK(parse("{\"T\":\"P1M1Y\"}", &v) < 0, "units out of order");
    CHECK(parse("{\"T\":\"P1.5Y\"}", &v) < 0, "fractional years");
    CHECK(parse("{\"T\":\"PT1.5M\"}", &v) < 0, "fractional minutes");
    CHECK(parse("{\"T\":\"PT1.1234567891S\"}", &v) < 0, "10 fraction digits");
    CHECK(parse("{\"T\":\"P1YT\"}", &v) < 0, "T without a component");
    CHECK(parse("{\"T\":\"P99999999999999999999Y\"}", &v) < 0, "huge years");
    CHECK(parse("{\"T\":\"P768614336404564651Y\"}", &v) < 0, "years * 12 overflows");
    CHECK(parse("{\"T\":\"PT9223372036854775807S\"}", &v) == 0, "INT64_MAX seconds");
    CHECK(parse("{\"T\":\"PT9223372036854775807H\"}", &v) < 0, "hours overflow");

    f[0] = neo4j_int(-14);
    f[1] = neo4j_int(0);
    f[2] = neo4j_int(0);
    f[3] = neo4j_int(-1);
    s = mkstruct(NEO4J_DURATION, NEO4J_TAG_DURATION, f, 4);
    CHECK_STR(w(&s), "{\"T\":\"P-1Y-2MT-0.000000001S\"}", "un-normalised nanoseconds");
    f[0] = neo4j_int(0);
    f[3] = neo4j_int(2500000000LL);
    CHECK_STR(w(&s), "{\"T\":\"PT2.5S\"}", "nanoseconds beyond a second");
    f[2] = neo4j_int(INT64_MIN);
    f[3] = neo4j_int(0);
    CHECK_STR(w(&s), "{\"T\":\"PT-2562047788015215H-30M-8S\"}", "INT64_MIN seconds");
    f[3] = neo4j_int(-1);
    CHECK(starts(w(&s), "ERR:"), "seconds underflow while normalising");
    f[2] = neo4j_int(0);
    f[3] = neo4j_float(1.0);
    CHECK(starts(w(&s), "ERR:"), "a Float field is malformed");
}

/* ------------------------------------------------------------------ points */

static void
test_points(void)
{
    neo4j_value v, f[4], s;

    CHECK(parse("{\"@\":\"SRID=4326;POINT(1.5 2.5)\"}", &v) == 0 && v.type == NEO4J_POINT_2D
          && v.tag == NEO4J_TAG_POINT_2D && v.size == 3 && v.u.items[0].u.integer == 4326
          && v.u.items[1].u.real == 1.5 && v.u.items[2].u.real == 2.5, "Point2D fields");
    CHECK_SAME("{\"@\":\"SRID=4326;POINT(1.5 2.5)\"}");
    CHECK(parse("{\"@\":\"SRID=4979;POINT Z (3.4 5.6 7.8)\"}", &v) == 0 && v.type == NEO4J_POINT_3D
          && v.tag == NEO4J_TAG_POINT_3D && v.size == 4 && v.u.items[3].u.real == 7.8, "Point3D fields");
    CHECK_RT("{\"@\":\"SRID=7203;POINT(1 2)\"}", "{\"@\":\"SRID=7203;POINT(1.0 2.0)\"}");
    CHECK_RT("{\"@\":\"POINT (30 10)\"}", "{\"@\":\"SRID=7203;POINT(30.0 10.0)\"}");
    CHECK_RT("{\"@\":\"POINT Z (1 2 3)\"}", "{\"@\":\"SRID=9157;POINT Z (1.0 2.0 3.0)\"}");
    CHECK_RT("{\"@\":\"SRID=9157;POINT(1 2 3)\"}", "{\"@\":\"SRID=9157;POINT Z (1.0 2.0 3.0)\"}");
    CHECK_RT("{\"@\":\"srid=4326;point(-1.0E10 1e-5)\"}", "{\"@\":\"SRID=4326;POINT(-1.0E10 1.0E-5)\"}");
    CHECK(parse("{\"@\":\"SRID=4326;POINT(1)\"}", &v) < 0, "one coordinate");
    CHECK(parse("{\"@\":\"SRID=4326;POINT(1 2 3 4)\"}", &v) < 0, "four coordinates");
    CHECK(parse("{\"@\":\"SRID=4326;POINT Z (1 2)\"}", &v) < 0, "Z with two coordinates");
    CHECK(parse("{\"@\":\"SRID=x;POINT(1 2)\"}", &v) < 0, "bad SRID");
    CHECK(parse("{\"@\":\"SRID=4326;POINT(1 2) x\"}", &v) < 0, "trailing text");
    CHECK(parse("{\"@\":\"SRID=4326;POINT(NaN 1)\"}", &v) < 0, "NaN coordinate");
    CHECK(parse("{\"@\":\"SRID=4326;POINT(1,2)\"}", &v) < 0, "comma separator");
    CHECK(parse("{\"@\":\"SRID=4326;LINESTRING(1 2, 3 4)\"}", &v) < 0 && strstr(err.message, "POINT"),
          "not a point: %s", err.message);

    f[0] = neo4j_int(4326);
    f[1] = neo4j_float(1.5);
    f[2] = neo4j_int(2);
    s = mkstruct(NEO4J_POINT_2D, NEO4J_TAG_POINT_2D, f, 3);
    CHECK(starts(w(&s), "ERR:"), "a Point with an Integer coordinate is malformed");
}

/* ------------------------------------------------------------------ graph */

static void
test_graph(void)
{
    neo4j_value lab[2], nf[4], n5, n4, n2f[4], n2, n3f[4], n3;
    neo4j_map_entry props[1], relprops[1];
    neo4j_value rf[8], r5, r4, uf[4], u1, u2f[4], u2, nodes[3], rels[2], idx[4], pf[3], p5, p4;
    neo4j_value n4f[3], n24f[3], n24, n34f[3], n34, uf4[3], u24f[3], u14, u24, nodes4[3], rels4[2], pf4[3];

    lab[0] = S("Person");
    lab[1] = S("Employee");
    props[0].key = S("name");
    props[0].value = S("Phil");
    relprops[0].key = S("since");
    relprops[0].value = neo4j_int(1999);

    /* 5.x node */
    nf[0] = neo4j_int(12);
    nf[1] = neo4j_list(lab, 2);
    nf[2] = neo4j_map(props, 1);
    nf[3] = S("4:b7c0:12");
    n5 = mkstruct(NEO4J_NODE, NEO4J_TAG_NODE, nf, 4);
    CHECK_STR(w(&n5), "{\"()\":[\"4:b7c0:12\",[\"Person\",\"Employee\"],{\"name\":{\"U\":\"Phil\"}}]}",
              "Node (5.x: element id)");
    /* 4.x node */
    n4 = mkstruct(NEO4J_NODE, NEO4J_TAG_NODE, nf, 3);
    CHECK_STR(w(&n4), "{\"()\":[12,[\"Person\",\"Employee\"],{\"name\":{\"U\":\"Phil\"}}]}",
              "Node (4.x: integer id)");

    /* 5.x relationship */
    rf[0] = neo4j_int(7);
    rf[1] = neo4j_int(12);
    rf[2] = neo4j_int(13);
    rf[3] = S("KNOWS");
    rf[4] = neo4j_map(relprops, 1);
    rf[5] = S("5:b7c0:7");
    rf[6] = S("4:b7c0:12");
    rf[7] = S("4:b7c0:13");
    r5 = mkstruct(NEO4J_RELATIONSHIP, NEO4J_TAG_RELATIONSHIP, rf, 8);
    CHECK_STR(w(&r5), "{\"->\":[\"5:b7c0:7\",\"4:b7c0:12\",\"KNOWS\",\"4:b7c0:13\",{\"since\":{\"Z\":\"1999\"}}]}",
              "Relationship (5.x)");
    r4 = mkstruct(NEO4J_RELATIONSHIP, NEO4J_TAG_RELATIONSHIP, rf, 5);
    CHECK_STR(w(&r4), "{\"->\":[7,12,\"KNOWS\",13,{\"since\":{\"Z\":\"1999\"}}]}", "Relationship (4.x)");

    /* 5.x path (12)-[7:KNOWS]->(13)<-[8:LIKES]-(14) */
    n2f[0] = neo4j_int(13);
    n2f[1] = neo4j_list(lab, 1);
    n2f[2] = neo4j_map(NULL, 0);
    n2f[3] = S("4:b7c0:13");
    n2 = mkstruct(NEO4J_NODE, NEO4J_TAG_NODE, n2f, 4);
    n3f[0] = neo4j_int(14);
    n3f[1] = neo4j_list(NULL, 0);
    n3f[2] = neo4j_map(NULL, 0);
    n3f[3] = S("4:b7c0:14");
    n3 = mkstruct(NEO4J_NODE, NEO4J_TAG_NODE, n3f, 4);
    uf[0] = neo4j_int(7);
    uf[1] = S("KNOWS");
    uf[2] = neo4j_map(relprops, 1);
    uf[3] = S("5:b7c0:7");
    u1 = mkstruct(NEO4J_UNBOUND_RELATIONSHIP, NEO4J_TAG_UNBOUND_RELATIONSHIP, uf, 4);
    u2f[0] = neo4j_int(8);
    u2f[1] = S("LIKES");
    u2f[2] = neo4j_map(NULL, 0);
    u2f[3] = S("5:b7c0:8");
    u2 = mkstruct(NEO4J_UNBOUND_RELATIONSHIP, NEO4J_TAG_UNBOUND_RELATIONSHIP, u2f, 4);
    nodes[0] = n5;
    nodes[1] = n2;
    nodes[2] = n3;
    rels[0] = u1;
    rels[1] = u2;
    idx[0] = neo4j_int(1);
    idx[1] = neo4j_int(1);
    idx[2] = neo4j_int(-2);
    idx[3] = neo4j_int(2);
    pf[0] = neo4j_list(nodes, 3);
    pf[1] = neo4j_list(rels, 2);
    pf[2] = neo4j_list(idx, 4);
    p5 = mkstruct(NEO4J_PATH, NEO4J_TAG_PATH, pf, 3);
    CHECK_STR(w(&p5),
              "{\"..\":[{\"()\":[\"4:b7c0:12\",[\"Person\",\"Employee\"],{\"name\":{\"U\":\"Phil\"}}]},"
              "{\"->\":[\"5:b7c0:7\",\"4:b7c0:12\",\"KNOWS\",\"4:b7c0:13\",{\"since\":{\"Z\":\"1999\"}}]},"
              "{\"()\":[\"4:b7c0:13\",[\"Person\"],{}]},"
              "{\"<-\":[\"5:b7c0:8\",\"4:b7c0:13\",\"LIKES\",\"4:b7c0:14\",{}]},"
              "{\"()\":[\"4:b7c0:14\",[],{}]}]}",
              "Path (5.x) with a relationship against its direction");

    /* the same path from 4.x */
    memcpy(n4f, nf, sizeof n4f);
    memcpy(n24f, n2f, sizeof n24f);
    memcpy(n34f, n3f, sizeof n34f);
    n24 = mkstruct(NEO4J_NODE, NEO4J_TAG_NODE, n24f, 3);
    n34 = mkstruct(NEO4J_NODE, NEO4J_TAG_NODE, n34f, 3);
    memcpy(uf4, uf, sizeof uf4);
    memcpy(u24f, u2f, sizeof u24f);
    u14 = mkstruct(NEO4J_UNBOUND_RELATIONSHIP, NEO4J_TAG_UNBOUND_RELATIONSHIP, uf4, 3);
    u24 = mkstruct(NEO4J_UNBOUND_RELATIONSHIP, NEO4J_TAG_UNBOUND_RELATIONSHIP, u24f, 3);
    nodes4[0] = mkstruct(NEO4J_NODE, NEO4J_TAG_NODE, n4f, 3);
    nodes4[1] = n24;
    nodes4[2] = n34;
    rels4[0] = u14;
    rels4[1] = u24;
    pf4[0] = neo4j_list(nodes4, 3);
    pf4[1] = neo4j_list(rels4, 2);
    pf4[2] = neo4j_list(idx, 4);
    p4 = mkstruct(NEO4J_PATH, NEO4J_TAG_PATH, pf4, 3);
    CHECK_STR(w(&p4),
              "{\"..\":[{\"()\":[12,[\"Person\",\"Employee\"],{\"name\":{\"U\":\"Phil\"}}]},"
              "{\"->\":[7,12,\"KNOWS\",13,{\"since\":{\"Z\":\"1999\"}}]},"
              "{\"()\":[13,[\"Person\"],{}]},"
              "{\"<-\":[8,13,\"LIKES\",14,{}]},"
              "{\"()\":[14,[],{}]}]}",
              "Path (4.x)");

    /* a single-node path */
    pf4[1] = neo4j_list(NULL, 0);
    pf4[2] = neo4j_list(NULL, 0);
    CHECK_STR(w(&p4), "{\"..\":[{\"()\":[12,[\"Person\",\"Employee\"],{\"name\":{\"U\":\"Phil\"}}]}]}",
              "zero-length Path");
    /* malformed paths */
    pf4[1] = neo4j_list(rels4, 2);
    pf4[2] = neo4j_list(idx, 3);
    CHECK(starts(w(&p4), "ERR:"), "odd number of path indices");
    idx[2] = neo4j_int(3);
    pf4[2] = neo4j_list(idx, 4);
    CHECK(starts(w(&p4), "ERR:"), "relationship index out of range");
    idx[2] = neo4j_int(0);
    CHECK(starts(w(&p4), "ERR:"), "relationship index 0");
    idx[2] = neo4j_int(-2);
    idx[3] = neo4j_int(3);
    CHECK(starts(w(&p4), "ERR:"), "node index out of range");
    idx[3] = neo4j_int(2);
    CHECK(!starts(w(&p4), "ERR:"), "fixed again");
    /* hostile trees: a String where a Node or a relationship should be */
    nodes4[2] = S("a string that is not a node at all");
    CHECK(starts(w(&p4), "ERR:"), "a String in the path's nodes");
    nodes4[2] = n34;
    rels4[1] = S("a string that is not a relationship");
    CHECK(starts(w(&p4), "ERR:"), "a String in the path's relationships");
    rels4[1] = u24;
    nodes4[0] = S("not a node either, but long enough");
    CHECK(starts(w(&p4), "ERR:"), "a String as the path's first node");
    nodes4[0] = mkstruct(NEO4J_NODE, NEO4J_TAG_NODE, n4f, 3);

    /* an unbound relationship on its own has no ends */
    CHECK_STR(w(&u1), "{\"->\":[\"5:b7c0:7\",null,\"KNOWS\",null,{\"since\":{\"Z\":\"1999\"}}]}",
              "UnboundRelationship alone");
    /* malformed node: label not a string */
    lab[1] = neo4j_int(1);
    CHECK(starts(w(&n4), "ERR:"), "a non-String label is malformed");
    lab[1] = S("Employee");
    nf[2] = neo4j_list(NULL, 0);
    CHECK(starts(w(&n4), "ERR:"), "Node properties that are not a Map");
}

/* ------------------------------------------------------------------ other values */

static void
test_other(void)
{
    uint8_t tm[1], data[16];
    neo4j_value f[4], s, items[2], deep[300];
    neo4j_map_entry e[2], extra[1];
    neo4j_buf b;
    int i;

    /* Bolt 6.0 vectors */
    f[0] = neo4j_bytes(tm, 1);
    s = mkstruct(NEO4J_VECTOR, NEO4J_TAG_VECTOR, f, 2);
    tm[0] = 0xC8;
    data[0] = 0x01;
    data[1] = 0xFF;
    f[1] = neo4j_bytes(data, 2);
    CHECK_STR(w(&s), "{\"[]\":[{\"Z\":\"1\"},{\"Z\":\"-1\"}]}", "int8 Vector");
    tm[0] = 0xC9;
    data[0] = 0x80;
    data[1] = 0x00;
    CHECK_STR(w(&s), "{\"[]\":[{\"Z\":\"-32768\"}]}", "int16 Vector");
    tm[0] = 0xCA;
    memcpy(data, "\x7f\xff\xff\xff", 4);
    f[1] = neo4j_bytes(data, 4);
    CHECK_STR(w(&s), "{\"[]\":[{\"Z\":\"2147483647\"}]}", "int32 Vector");
    tm[0] = 0xCB;
    memcpy(data, "\x80\x00\x00\x00\x00\x00\x00\x00", 8);
    f[1] = neo4j_bytes(data, 8);
    CHECK_STR(w(&s), "{\"[]\":[{\"R\":\"-9223372036854775808\"}]}", "int64 Vector");
    tm[0] = 0xC1;
    memcpy(data, "\x3f\xf8\x00\x00\x00\x00\x00\x00", 8);
    CHECK_STR(w(&s), "{\"[]\":[{\"R\":\"1.5\"}]}", "float64 Vector");
    tm[0] = 0xC6;
    memcpy(data, "\x3d\xcc\xcc\xcd\x7f\xc0\x00\x00", 8);
    CHECK_STR(w(&s), "{\"[]\":[{\"R\":\"0.1\"},{\"R\":\"NaN\"}]}", "float32 Vector, shortest float digits");
    f[1] = neo4j_bytes(data, 0);
    CHECK_STR(w(&s), "{\"[]\":[]}", "empty Vector");
    f[1] = neo4j_bytes(data, 3);
    CHECK(starts(w(&s), "ERR:"), "Vector data not a multiple of the width");
    tm[0] = 0x01;
    CHECK(starts(w(&s), "ERR:"), "Vector with an unknown type marker");

    /* UnsupportedType */
    extra[0].key = S("message");
    extra[0].value = S("upgrade");
    f[0] = S("QuantumFloat");
    f[1] = neo4j_int(42);
    f[2] = neo4j_int(21);
    f[3] = neo4j_map(extra, 1);
    s = mkstruct(NEO4J_UNSUPPORTED, NEO4J_TAG_UNSUPPORTED, f, 4);
    CHECK_STR(w(&s), "{\"{}\":{\"unsupportedType\":{\"U\":\"QuantumFloat\"},"
              "\"minimumProtocolVersion\":{\"U\":\"42.21\"},\"message\":{\"U\":\"upgrade\"}}}", "UnsupportedType");
    f[3] = neo4j_map(NULL, 0);
    CHECK_STR(w(&s), "{\"{}\":{\"unsupportedType\":{\"U\":\"QuantumFloat\"},"
              "\"minimumProtocolVersion\":{\"U\":\"42.21\"}}}", "UnsupportedType without a message");

    /* unknown structure */
    f[0] = neo4j_int(1);
    f[1] = S("x");
    s = mkstruct(NEO4J_STRUCT, 0x7A, f, 2);
    CHECK_STR(w(&s), "{\"{}\":{\"structureTag\":{\"#\":\"7A\"},\"fields\":{\"[]\":[{\"Z\":\"1\"},{\"U\":\"x\"}]}}}",
              "unknown structure");

    /* bytes */
    memcpy(data, "\x00\x7f\x80\xff", 4);
    s = neo4j_bytes(data, 4);
    CHECK_STR(w(&s), "{\"#\":\"007F80FF\"}", "Bytes in upper-case hex");

    /* a map key that is not a string: error, and the buffer is left as it was */
    e[0].key = S("a");
    e[0].value = neo4j_int(1);
    e[1].key = neo4j_int(2);
    e[1].value = neo4j_int(2);
    items[0] = neo4j_int(0);
    items[1] = neo4j_map(e, 2);
    s = neo4j_list(items, 2);
    neo4j_buf_init(&b);
    neo4j_buf_append(&b, "prefix", 6);
    CHECK(jolt_write(&b, &s, &err) < 0 && b.len == 6 && err.category == NEO4J_ERROR_CLIENT
          && strstr(err.message, "Map key"), "non-String key: %s", err.message);
    s = neo4j_int(5);
    CHECK(jolt_write(&b, &s, &err) == 0 && b.len == 15 && memcmp(b.data, "prefix{\"Z\":\"5\"}", 15) == 0,
          "jolt_write appends");
    neo4j_buf_free(&b);

    /* writer depth limit */
    deep[0] = neo4j_null();
    for (i = 1; i < 300; i++)
        deep[i] = neo4j_list(&deep[i - 1], 1);
    CHECK(!starts(w(&deep[200]), "ERR:"), "200 nested lists are written");
    CHECK(starts(w(&deep[299]), "ERR:") && strstr(out, "deep"), "299 nested lists are refused: %s", out);

    s.type = 200;
    CHECK(starts(w(&s), "ERR:"), "unknown value type");
}

int
main(void)
{
    neo4j_arena_init(&arena);
    test_plain_json();
    test_sigils();
    test_strings();
    test_invalid_json();
    test_numbers();
    test_temporal();
    test_zones();
    test_durations();
    test_points();
    test_graph();
    test_other();
    neo4j_arena_free(&arena);
    return TEST_DONE();
}
