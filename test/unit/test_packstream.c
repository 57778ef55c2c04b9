/*
 * test_packstream.c — PackStream codec, arena and value helpers.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "packstream.h"
#include "testlib.h"

static neo4j_arena arena;
static neo4j_error err;

static const ps_options V4 = {false, false, 0};   /* Bolt 4.4 without the utc patch */
static const ps_options V5 = {true, false, 0};    /* Bolt 5.x */
static const ps_options V6 = {true, true, 0};     /* Bolt 6.0 */

/* ------------------------------------------------------------------ helpers */

/* Hex text (spaces allowed) to freshly malloc'd bytes of exactly that length,
 * so AddressSanitizer sees any read past the end. */
static uint8_t *
from_hex(const char *hex, size_t *len)
{
    size_t n = 0, cap = strlen(hex) / 2 + 1;
    uint8_t *out = malloc(cap);
    int hi = -1;

    for (; *hex; hex++)
    {
        int c = *hex, v;

        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else
            continue;
        if (hi < 0)
            hi = v;
        else
        {
            out[n++] = (uint8_t) (hi << 4 | v);
            hi = -1;
        }
    }
    *len = n;
    return out;
}

/* Upper-case hex of at most the first 64 bytes (tests compare headers of big values). */
static const char *
hex_of(const uint8_t *p, size_t len)
{
    static char out[2 * 64 + 1];
    size_t i;

    if (len > 64)
        len = 64;
    for (i = 0; i < len; i++)
        snprintf(out + 2 * i, 3, "%02X", p[i]);
    out[2 * len] = '\0';
    return out;
}

static const char *
clean_hex(const char *hex)
{
    static char out[2 * 64 + 1];
    size_t n = 0;

    for (; *hex && n < 128; hex++)
    {
        if (*hex != ' ')
            out[n++] = (char) ((*hex >= 'a' && *hex <= 'f') ? *hex - 32 : *hex);
    }
    out[n] = '\0';
    return out;
}

/* Packs v and compares the whole encoding with want (hex). */
static void
expect_bytes(const neo4j_value *v, const ps_options *opts, const char *want, const char *what)
{
    neo4j_buf buf;
    char w[2 * 64 + 1];
    int rc;

    snprintf(w, sizeof w, "%s", clean_hex(want));
    neo4j_buf_init(&buf);
    rc = ps_pack_value(&buf, v, opts, &err);
    CHECK(rc == 0, "%s: packs", what);
    CHECK_STR(hex_of(buf.data, buf.len), w, "%s: bytes are %s", what, w);
    neo4j_buf_free(&buf);
}

/* Packs v, decodes it again and checks it is equal and used every byte. */
static void
expect_roundtrip(const neo4j_value *v, const ps_options *opts, const char *what)
{
    neo4j_buf buf;
    neo4j_value out;
    size_t used = 0;
    int rc;

    neo4j_buf_init(&buf);
    rc = ps_pack_value(&buf, v, opts, &err);
    CHECK(rc == 0, "%s: packs", what);
    neo4j_arena_reset(&arena);
    rc = ps_unpack_value(buf.data, buf.len, &arena, opts, &out, &used, &err);
    CHECK(rc == 0 && used == buf.len, "%s: decodes all %zu bytes%s%s", what, buf.len,
          rc ? " / " : "", rc ? err.message : "");
    CHECK(rc == 0 && neo4j_value_equals(v, &out), "%s: round trip is equal", what);
    neo4j_buf_free(&buf);
}

/* Decodes hex; returns rc. The input copy is kept alive until the next call
 * because decoded strings point into it. */
static uint8_t *last_input;

static int
decode_hex(const char *hex, const ps_options *opts, neo4j_value *out, size_t *used)
{
    size_t len, u = 0;
    int rc;

    free(last_input);
    last_input = from_hex(hex, &len);
    neo4j_arena_reset(&arena);
    neo4j_error_clear(&err);
    rc = ps_unpack_value(last_input, len, &arena, opts, out, &u, &err);
    if (used)
        *used = u;
    if (rc == 0 && u != len)
        return 1;   /* tests always hand over exactly one value */
    return rc;
}

/* Decoding must fail with a protocol error whose message contains want. */
static void
expect_fail(const char *hex, const ps_options *opts, const char *want, const char *what)
{
    neo4j_value v;
    int rc = decode_hex(hex, opts, &v, NULL);
    bool ok = rc == -1 && err.category == NEO4J_ERROR_PROTOCOL &&
              strcmp(err.code, NEO4J_CODE_PROTOCOL) == 0 && strstr(err.message, want) != NULL;

    CHECK(ok, "%s: rejected (%s)", what, err.message);
    if (!ok)
        printf("#   rc=%d, want message containing \"%s\"\n", rc, want);
}

/* Packing must fail with the given code; the buffer must be left as it was. */
static void
expect_pack_fail(const neo4j_value *v, const ps_options *opts, const char *code, const char *what)
{
    neo4j_buf buf;
    int rc;

    neo4j_buf_init(&buf);
    ps_pack_null(&buf);
    neo4j_error_clear(&err);
    rc = ps_pack_value(&buf, v, opts, &err);
    CHECK(rc == -1 && strcmp(err.code, code) == 0, "%s: packing fails with %s (%s)", what, code, err.message);
    CHECK(buf.len == 1 && !buf.failed, "%s: buffer left as it was", what);
    neo4j_buf_free(&buf);
}

/* ------------------------------------------------------------------ scalars */

static void
test_ints(void)
{
    static const struct { int64_t v; const char *hex; } cases[] = {
        {0, "00"}, {1, "01"}, {42, "2A"}, {127, "7F"}, {128, "C9 0080"},
        {-1, "FF"}, {-16, "F0"}, {-17, "C8 EF"}, {-128, "C8 80"}, {-129, "C9 FF7F"},
        {255, "C9 00FF"}, {32767, "C9 7FFF"}, {32768, "CA 00008000"},
        {-32768, "C9 8000"}, {-32769, "CA FFFF7FFF"},
        {INT32_MAX, "CA 7FFFFFFF"}, {(int64_t) INT32_MAX + 1, "CB 0000000080000000"},
        {INT32_MIN, "CA 80000000"}, {(int64_t) INT32_MIN - 1, "CB FFFFFFFF7FFFFFFF"},
        {INT64_MAX, "CB 7FFFFFFFFFFFFFFF"}, {INT64_MIN, "CB 8000000000000000"},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        neo4j_value v = neo4j_int(cases[i].v), out;
        char what[64];

        snprintf(what, sizeof what, "int %lld", (long long) cases[i].v);
        expect_bytes(&v, NULL, cases[i].hex, what);
        CHECK(decode_hex(cases[i].hex, &V5, &out, NULL) == 0 && out.type == NEO4J_INT &&
              out.u.integer == cases[i].v, "%s: decodes from %s", what, cases[i].hex);
    }

    /* every tiny int, both ways */
    {
        int64_t k;
        bool all = true;

        for (k = -16; k <= 127; k++)
        {
            neo4j_buf buf;
            neo4j_value v = neo4j_int(k), out;
            size_t used;

            neo4j_buf_init(&buf);
            ps_pack_value(&buf, &v, NULL, &err);
            if (buf.len != 1 || (int8_t) buf.data[0] != k)
                all = false;
            if (ps_unpack_value(buf.data, buf.len, &arena, NULL, &out, &used, &err) != 0 ||
                out.u.integer != k || used != 1)
                all = false;
            neo4j_buf_free(&buf);
        }
        CHECK(all, "every tiny int -16..127 is one byte and reads back");
    }

    /* decoders must accept encodings that are not the smallest */
    {
        neo4j_value out;

        CHECK(decode_hex("C8 05", &V5, &out, NULL) == 0 && out.u.integer == 5, "int8 form of 5");
        CHECK(decode_hex("C9 0005", &V5, &out, NULL) == 0 && out.u.integer == 5, "int16 form of 5");
        CHECK(decode_hex("CA FFFFFFFF", &V5, &out, NULL) == 0 && out.u.integer == -1, "int32 form of -1");
        CHECK(decode_hex("CB 0000000000000001", &V5, &out, NULL) == 0 && out.u.integer == 1, "int64 form of 1");
    }
}

static void
test_scalars(void)
{
    neo4j_value v, out;

    v = neo4j_null();
    expect_bytes(&v, NULL, "C0", "null");
    expect_roundtrip(&v, &V5, "null");
    v = neo4j_bool(true);
    expect_bytes(&v, NULL, "C3", "true");
    expect_roundtrip(&v, &V5, "true");
    v = neo4j_bool(false);
    expect_bytes(&v, NULL, "C2", "false");
    expect_roundtrip(&v, &V5, "false");

    v = neo4j_float(1.1);
    expect_bytes(&v, NULL, "C1 3FF199999999999A", "float 1.1 (spec example)");
    v = neo4j_float(-1.1);
    expect_bytes(&v, NULL, "C1 BFF199999999999A", "float -1.1");
    v = neo4j_float(0.0);
    expect_bytes(&v, NULL, "C1 0000000000000000", "float 0.0");
    v = neo4j_float(-0.0);
    expect_bytes(&v, NULL, "C1 8000000000000000", "float -0.0");
    expect_roundtrip(&v, &V5, "float -0.0");
    CHECK(decode_hex("C1 8000000000000000", &V5, &out, NULL) == 0 && out.type == NEO4J_FLOAT &&
          out.u.real == 0.0 && signbit(out.u.real), "-0.0 keeps its sign");
    v = neo4j_float(INFINITY);
    expect_bytes(&v, NULL, "C1 7FF0000000000000", "float +inf");
    expect_roundtrip(&v, &V5, "float +inf");
    v = neo4j_float(-INFINITY);
    expect_bytes(&v, NULL, "C1 FFF0000000000000", "float -inf");
    expect_roundtrip(&v, &V5, "float -inf");
    v = neo4j_float(NAN);
    expect_roundtrip(&v, &V5, "float NaN");
    CHECK(decode_hex("C1 7FF8000000000001", &V5, &out, NULL) == 0 && isnan(out.u.real),
          "NaN with payload decodes as NaN");
    expect_roundtrip(&out, &V5, "NaN payload survives");
    v = neo4j_float(DBL_MAX);
    expect_roundtrip(&v, &V5, "DBL_MAX");
    v = neo4j_float(DBL_MIN / 4);
    expect_roundtrip(&v, &V5, "denormal");
    {
        neo4j_value a = neo4j_float(0.0), b = neo4j_float(-0.0);

        CHECK(!neo4j_value_equals(&a, &b), "0.0 and -0.0 differ bitwise");
        a = neo4j_float(NAN);
        b = neo4j_float(NAN);
        CHECK(neo4j_value_equals(&a, &b), "NaN equals NaN bitwise");
    }
    CHECK(decode_hex("C0", &V5, &out, NULL) == 0 && out.type == NEO4J_NULL, "decodes null");
    CHECK(decode_hex("C3", &V5, &out, NULL) == 0 && out.type == NEO4J_BOOL && out.u.boolean, "decodes true");
    CHECK(decode_hex("C2", &V5, &out, NULL) == 0 && out.type == NEO4J_BOOL && !out.u.boolean, "decodes false");
}

/* ------------------------------------------------------------------ sized values */

static void
test_strings(void)
{
    static const struct { size_t n; const char *header; } cases[] = {
        {0, "80"}, {1, "81"}, {15, "8F"}, {16, "D0 10"}, {255, "D0 FF"}, {256, "D1 0100"},
        {65535, "D1 FFFF"}, {65536, "D2 00010000"}, {100000, "D2 000186A0"},
    };
    char *text = malloc(100001);
    size_t i;

    for (i = 0; i < 100000; i++)
        text[i] = (char) ('a' + i % 26);

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        neo4j_value v = neo4j_string_n(text, cases[i].n), out;
        neo4j_buf buf;
        char what[64];
        size_t hlen, used;
        uint8_t *hdr = from_hex(cases[i].header, &hlen);

        snprintf(what, sizeof what, "string of %zu bytes", cases[i].n);
        neo4j_buf_init(&buf);
        CHECK(ps_pack_value(&buf, &v, NULL, &err) == 0 && buf.len == hlen + cases[i].n &&
              memcmp(buf.data, hdr, hlen) == 0, "%s: header %s", what, cases[i].header);
        neo4j_arena_reset(&arena);
        CHECK(ps_unpack_value(buf.data, buf.len, &arena, &V5, &out, &used, &err) == 0 &&
              out.type == NEO4J_STRING && out.size == cases[i].n && used == buf.len &&
              (cases[i].n == 0 || memcmp(out.u.string, text, cases[i].n) == 0), "%s: reads back", what);
        CHECK(cases[i].n == 0 || out.u.string == (const char *) buf.data + hlen, "%s: zero copy", what);
        neo4j_buf_free(&buf);
        free(hdr);
    }
    free(text);

    {
        neo4j_value v = neo4j_string("Größenmaßstäbe"), out;

        expect_bytes(&v, NULL, "D0 12 47 72 C3 B6 C3 9F 65 6E 6D 61 C3 9F 73 74 C3 A4 62 65",
                     "UTF-8 string (spec example)");
        expect_roundtrip(&v, &V5, "UTF-8 string");
        v = neo4j_string("A");
        expect_bytes(&v, NULL, "81 41", "string \"A\" (spec example)");
        CHECK(decode_hex("D0 01 41", &V5, &out, NULL) == 0 && neo4j_string_equals(&out, "A"),
              "non-minimal string size accepted");
        CHECK(decode_hex("D2 00000000", &V5, &out, NULL) == 0 && out.type == NEO4J_STRING && out.size == 0,
              "empty string with a 32-bit size");
    }
}

static void
test_bytes(void)
{
    static const struct { size_t n; const char *header; } cases[] = {
        {0, "CC 00"}, {1, "CC 01"}, {15, "CC 0F"}, {16, "CC 10"}, {255, "CC FF"}, {256, "CD 0100"},
        {65535, "CD FFFF"}, {65536, "CE 00010000"},
    };
    uint8_t *data = malloc(65536);
    size_t i;

    for (i = 0; i < 65536; i++)
        data[i] = (uint8_t) (i * 7);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        neo4j_value v = neo4j_bytes(data, cases[i].n), out;
        neo4j_buf buf;
        char what[64];
        size_t hlen, used;
        uint8_t *hdr = from_hex(cases[i].header, &hlen);

        snprintf(what, sizeof what, "bytes of %zu", cases[i].n);
        neo4j_buf_init(&buf);
        CHECK(ps_pack_value(&buf, &v, NULL, &err) == 0 && buf.len == hlen + cases[i].n &&
              memcmp(buf.data, hdr, hlen) == 0, "%s: header %s (no tiny form)", what, cases[i].header);
        neo4j_arena_reset(&arena);
        CHECK(ps_unpack_value(buf.data, buf.len, &arena, &V5, &out, &used, &err) == 0 &&
              out.type == NEO4J_BYTES && used == buf.len && neo4j_value_equals(&v, &out),
              "%s: reads back", what);
        neo4j_buf_free(&buf);
        free(hdr);
    }
    free(data);
}

static void
test_lists(void)
{
    static const struct { size_t n; const char *header; } cases[] = {
        {0, "90"}, {1, "91"}, {15, "9F"}, {16, "D4 10"}, {255, "D4 FF"}, {256, "D5 0100"},
        {65535, "D5 FFFF"}, {65536, "D6 00010000"},
    };
    neo4j_value *items = calloc(65536, sizeof *items);
    size_t i;

    for (i = 0; i < 65536; i++)
        items[i] = neo4j_int((int64_t) (i % 100));
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        neo4j_value v = neo4j_list(items, cases[i].n), out;
        neo4j_buf buf;
        char what[64];
        size_t hlen, used;
        uint8_t *hdr = from_hex(cases[i].header, &hlen);

        snprintf(what, sizeof what, "list of %zu", cases[i].n);
        neo4j_buf_init(&buf);
        CHECK(ps_pack_value(&buf, &v, NULL, &err) == 0 && buf.len == hlen + cases[i].n &&
              memcmp(buf.data, hdr, hlen) == 0, "%s: header %s", what, cases[i].header);
        neo4j_arena_reset(&arena);
        CHECK(ps_unpack_value(buf.data, buf.len, &arena, &V5, &out, &used, &err) == 0 &&
              out.type == NEO4J_LIST && used == buf.len && neo4j_value_equals(&v, &out),
              "%s: reads back", what);
        neo4j_buf_free(&buf);
        free(hdr);
    }
    free(items);

    {
        neo4j_value three[3] = {neo4j_int(1), neo4j_int(2), neo4j_int(3)};
        neo4j_value mixed[4] = {neo4j_int(1), neo4j_string("a"), neo4j_null(), neo4j_float(0.5)};
        neo4j_value v = neo4j_list(three, 3);

        expect_bytes(&v, NULL, "93 01 02 03", "list [1,2,3] (spec example)");
        v = neo4j_list(mixed, 4);
        expect_roundtrip(&v, &V5, "mixed list");
    }
}

static void
test_maps(void)
{
    static const struct { size_t n; const char *header; } cases[] = {
        {0, "A0"}, {1, "A1"}, {15, "AF"}, {16, "D8 10"}, {255, "D8 FF"}, {256, "D9 0100"},
        {65535, "D9 FFFF"}, {65536, "DA 00010000"},
    };
    neo4j_map_entry *entries = calloc(65536, sizeof *entries);
    char *keys = malloc(65536 * 8);
    size_t i;

    for (i = 0; i < 65536; i++)
    {
        int kl = snprintf(keys + 8 * i, 8, "k%zu", i);

        entries[i].key = neo4j_string_n(keys + 8 * i, (size_t) kl);
        entries[i].value = neo4j_int((int64_t) i);
    }
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        neo4j_value v = neo4j_map(entries, cases[i].n), out;
        neo4j_buf buf;
        char what[64];
        size_t hlen, used;
        uint8_t *hdr = from_hex(cases[i].header, &hlen);

        snprintf(what, sizeof what, "map of %zu", cases[i].n);
        neo4j_buf_init(&buf);
        CHECK(ps_pack_value(&buf, &v, NULL, &err) == 0 && memcmp(buf.data, hdr, hlen) == 0,
              "%s: header %s", what, cases[i].header);
        neo4j_arena_reset(&arena);
        CHECK(ps_unpack_value(buf.data, buf.len, &arena, &V5, &out, &used, &err) == 0 &&
              out.type == NEO4J_MAP && used == buf.len && neo4j_value_equals(&v, &out),
              "%s: reads back", what);
        if (cases[i].n == 65536)
        {
            const neo4j_value *x = neo4j_map_get(&out, "k65535");

            CHECK(x && x->type == NEO4J_INT && x->u.integer == 65535, "map of 65536: lookup of the last key");
        }
        neo4j_buf_free(&buf);
        free(hdr);
    }
    free(entries);
    free(keys);

    {
        neo4j_map_entry e[1] = {{neo4j_string("one"), neo4j_string("eins")}};
        neo4j_value v = neo4j_map(e, 1), out;

        expect_bytes(&v, NULL, "A1 83 6F 6E 65 84 65 69 6E 73", "map {one: eins} (spec example)");
        /* duplicate keys: the last one wins */
        CHECK(decode_hex("A3 81 61 01 81 62 02 81 61 03", &V5, &out, NULL) == 0 && out.size == 3,
              "map with a duplicate key decodes");
        CHECK(neo4j_map_get(&out, "a") && neo4j_map_get(&out, "a")->u.integer == 3, "duplicate key: last wins");
        CHECK(neo4j_map_get(&out, "b") && neo4j_map_get(&out, "b")->u.integer == 2, "other key found");
        CHECK(neo4j_map_get(&out, "c") == NULL, "missing key is NULL");
        CHECK(decode_hex("D8 01 D1 0001 78 C0", &V5, &out, NULL) == 0 && neo4j_map_get(&out, "x") &&
              neo4j_map_get(&out, "x")->type == NEO4J_NULL, "key with a 16-bit size marker");
    }
}

/* ------------------------------------------------------------------ structures */

static void
test_structures(void)
{
    neo4j_value out;
    const neo4j_value *f;

    /* Node, 4.x and 5.x forms */
    CHECK(decode_hex("B3 4E 01 92 81 41 81 42 A1 84 6E 61 6D 65 82 78 79", &V5, &out, NULL) == 0 &&
          out.type == NEO4J_NODE && out.tag == 0x4E && out.size == 3, "Node 4.x form");
    f = out.u.items;
    CHECK(f[NEO4J_NODE_ID].u.integer == 1 && f[NEO4J_NODE_LABELS].size == 2 &&
          neo4j_string_equals(&f[NEO4J_NODE_LABELS].u.items[1], "B") &&
          neo4j_string_equals(neo4j_map_get(&f[NEO4J_NODE_PROPERTIES], "name"), "xy"), "Node 4.x fields");
    expect_roundtrip(&out, &V4, "Node 4.x");
    CHECK(decode_hex("B4 4E 01 91 81 41 A0 84 34 3A 78 31", &V5, &out, NULL) == 0 &&
          out.type == NEO4J_NODE && out.size == 4 &&
          neo4j_string_equals(&out.u.items[NEO4J_NODE_ELEMENT_ID], "4:x1"), "Node 5.x form with element id");
    expect_roundtrip(&out, &V5, "Node 5.x");
    expect_fail("B2 4E 01 90", &V5, "Node structure with 2 fields", "Node with 2 fields");
    expect_fail("B5 4E 01 90 A0 80 80", &V5, "Node structure with 5 fields", "Node with 5 fields");
    expect_fail("B3 4E 01 91 01 A0", &V5, "labels", "Node label not a string");
    expect_fail("B3 4E 01 01 A0", &V5, "labels", "Node labels not a list");
    expect_fail("B3 4E 01 90 90", &V5, "properties", "Node properties not a map");
    expect_fail("B3 4E 81 31 90 A0", &V5, "id", "Node id a string");
    expect_fail("B4 4E 01 90 A0 01", &V5, "element_id", "Node element id an int");

    /* Relationship */
    CHECK(decode_hex("B5 52 0B 02 03 85 4B 4E 4F 57 53 A0", &V5, &out, NULL) == 0 &&
          out.type == NEO4J_RELATIONSHIP && out.size == 5 &&
          neo4j_string_equals(&out.u.items[NEO4J_REL_TYPE], "KNOWS") &&
          out.u.items[NEO4J_REL_START_ID].u.integer == 2, "Relationship 4.x form");
    expect_roundtrip(&out, &V4, "Relationship 4.x");
    CHECK(decode_hex("B8 52 0B 02 03 85 4B 4E 4F 57 53 A0 81 72 81 73 81 65", &V5, &out, NULL) == 0 &&
          out.type == NEO4J_RELATIONSHIP && out.size == 8 &&
          neo4j_string_equals(&out.u.items[NEO4J_REL_END_ELEMENT_ID], "e"), "Relationship 5.x form");
    expect_roundtrip(&out, &V5, "Relationship 5.x");
    expect_fail("B6 52 0B 02 03 85 4B 4E 4F 57 53 A0 81 72", &V5, "with 6 fields", "Relationship with 6 fields");
    expect_fail("B5 52 0B 02 03 01 A0", &V5, "type", "Relationship type an int");
    expect_fail("B5 52 0B 02 C0 80 A0", &V5, "end id", "Relationship end id null");
    expect_fail("B8 52 0B 02 03 80 A0 81 72 01 81 65", &V5, "start_element_id", "Relationship start element id int");

    /* UnboundRelationship */
    CHECK(decode_hex("B3 72 11 85 4B 4E 4F 57 53 A0", &V5, &out, NULL) == 0 &&
          out.type == NEO4J_UNBOUND_RELATIONSHIP && out.size == 3, "UnboundRelationship 4.x form");
    CHECK(decode_hex("B4 72 11 85 4B 4E 4F 57 53 A0 83 66 6F 6F", &V5, &out, NULL) == 0 &&
          out.type == NEO4J_UNBOUND_RELATIONSHIP && out.size == 4, "UnboundRelationship 5.x form");
    expect_fail("B2 72 11 80", &V5, "UnboundRelationship structure with 2", "UnboundRelationship with 2 fields");
    expect_fail("B3 72 11 80 90", &V5, "properties", "UnboundRelationship properties a list");

    /* Path: (n0)-[r1]->(n1)<-[r1]-(n0), nodes 4.x form, rels 5.x form */
    {
        const char *path = "B3 50 "
            "92 B3 4E 01 90 A0 B3 4E 02 90 A0 "
            "91 B4 72 0A 81 52 A0 81 72 "
            "94 01 01 FF 00";

        CHECK(decode_hex(path, &V5, &out, NULL) == 0 && out.type == NEO4J_PATH && out.size == 3 &&
              out.u.items[NEO4J_PATH_NODES].size == 2 && out.u.items[NEO4J_PATH_RELS].size == 1 &&
              out.u.items[NEO4J_PATH_INDICES].size == 4 &&
              out.u.items[NEO4J_PATH_INDICES].u.items[2].u.integer == -1, "Path decodes");
        expect_roundtrip(&out, &V5, "Path");
    }
    CHECK(decode_hex("B3 50 91 B3 4E 01 90 A0 90 90", &V5, &out, NULL) == 0 && out.type == NEO4J_PATH,
          "Path of one node");
    expect_fail("B3 50 90 90 90", &V5, "Path without nodes", "Path without nodes");
    expect_fail("B3 50 91 01 90 90", &V5, "List of Node", "Path nodes not nodes");
    expect_fail("B3 50 91 B3 4E 01 90 A0 91 B3 4E 01 90 A0 90", &V5, "List of UnboundRelationship",
                "Path rels are nodes");
    expect_fail("B3 50 91 B3 4E 01 90 A0 90 91 01", &V5, "odd number", "Path with odd indices");
    expect_fail("B3 50 91 B3 4E 01 90 A0 90 92 81 61 00", &V5, "List of Integer", "Path index a string");
    expect_fail("B3 50 91 B3 4E 01 90 A0 90 92 01 00", &V5, "relationship index 1 out of range",
                "Path rel index beyond rels");
    expect_fail("B3 50 91 B3 4E 01 90 A0 91 B3 72 0A 80 A0 92 00 00", &V5, "relationship index 0",
                "Path rel index 0");
    expect_fail("B3 50 91 B3 4E 01 90 A0 91 B3 72 0A 80 A0 92 FE 00", &V5, "relationship index -2",
                "Path rel index -2 of 1");
    expect_fail("B3 50 91 B3 4E 01 90 A0 91 B3 72 0A 80 A0 92 01 01", &V5, "node index 1 out of range",
                "Path node index beyond nodes");
    expect_fail("B3 50 91 B3 4E 01 90 A0 91 B3 72 0A 80 A0 92 01 FF", &V5, "node index -1",
                "Path negative node index");
    expect_fail("B3 50 91 B3 4E 01 90 A0 91 B3 72 0A 80 A0 92 CB 8000000000000000 00", &V5,
                "relationship index", "Path rel index INT64_MIN");
    expect_fail("B2 50 90 90", &V5, "Path structure with 2 fields", "Path with 2 fields");

    /* temporal and spatial */
    CHECK(decode_hex("B1 44 C9 4E 20", &V5, &out, NULL) == 0 && out.type == NEO4J_DATE &&
          out.u.items[0].u.integer == 20000, "Date");
    expect_fail("B1 44 81 31", &V5, "Date field 0 must be an Integer", "Date of a string");
    expect_fail("B2 44 01 02", &V5, "Date structure with 2 fields", "Date with 2 fields");
    CHECK(decode_hex("B2 54 CA 05F5E100 C9 0E10", &V5, &out, NULL) == 0 && out.type == NEO4J_TIME &&
          out.u.items[1].u.integer == 3600, "Time");
    expect_fail("B1 54 01", &V5, "Time structure with 1 fields", "Time with 1 field");
    CHECK(decode_hex("B1 74 CA 05F5E100", &V5, &out, NULL) == 0 && out.type == NEO4J_LOCAL_TIME, "LocalTime");
    expect_fail("B1 74 C1 0000000000000000", &V5, "LocalTime field 0 must be an Integer", "LocalTime of a float");
    CHECK(decode_hex("B2 64 CA 5E0BE100 00", &V5, &out, NULL) == 0 && out.type == NEO4J_LOCAL_DATE_TIME,
          "LocalDateTime");
    expect_fail("B3 64 01 02 03", &V5, "LocalDateTime structure with 3", "LocalDateTime with 3 fields");
    CHECK(decode_hex("B4 45 0E 10 C9 0E10 00", &V5, &out, NULL) == 0 && out.type == NEO4J_DURATION &&
          out.u.items[0].u.integer == 14, "Duration");
    expect_fail("B4 45 0E 10 C0 00", &V5, "Duration field 2 must be an Integer", "Duration with a null");
    CHECK(decode_hex("B3 58 C9 10E6 C1 3FF0000000000000 C1 4000000000000000", &V5, &out, NULL) == 0 &&
          out.type == NEO4J_POINT_2D && out.u.items[0].u.integer == 4326 && out.u.items[2].u.real == 2.0,
          "Point2D");
    expect_roundtrip(&out, &V5, "Point2D");
    CHECK(decode_hex("B4 59 C9 2317 C1 3FF0000000000000 C1 4000000000000000 C1 4008000000000000",
                     &V5, &out, NULL) == 0 && out.type == NEO4J_POINT_3D && out.u.items[3].u.real == 3.0,
          "Point3D");
    expect_roundtrip(&out, &V5, "Point3D");
    expect_fail("B3 58 C9 10E6 01 02", &V5, "Point2D field 1 (x) must be a Float", "Point2D of ints");
    expect_fail("B3 59 C9 10E6 C1 3FF0000000000000 C1 4000000000000000", &V5, "Point3D structure with 3",
                "Point3D with 3 fields");
    expect_fail("B3 58 C1 3FF0000000000000 C1 3FF0000000000000 C1 3FF0000000000000", &V5, "srid",
                "Point2D float srid");

    /* UTC DateTime (Bolt 5): 1970-01-01T02:15:00.000000042+01:00 is seconds 4500 */
    CHECK(decode_hex("B3 49 C9 1194 2A C9 0E10", &V5, &out, NULL) == 0 && out.type == NEO4J_DATE_TIME &&
          out.tag == 0x49 && out.u.items[0].u.integer == 4500, "DateTime 0x49 on Bolt 5");
    expect_roundtrip(&out, &V5, "DateTime 0x49");
    expect_fail("B3 49 C9 1194 2A C9 0E10", &V4, "0x49 before Bolt 5.0", "DateTime 0x49 on Bolt 4.4");
    expect_fail("B3 49 C9 1194 2A 81 61", &V5, "DateTime field 2 must be an Integer", "DateTime string offset");
    CHECK(decode_hex("B3 69 C9 1194 2A 8C 45 75 72 6F 70 65 2F 50 61 72 69 73", &V5, &out, NULL) == 0 &&
          out.type == NEO4J_DATE_TIME_ZONE_ID && out.flags == 0 &&
          neo4j_string_equals(&out.u.items[2], "Europe/Paris"), "DateTimeZoneId 0x69 on Bolt 5");
    expect_roundtrip(&out, &V5, "DateTimeZoneId 0x69");
    expect_fail("B3 69 C9 1194 2A 81 61", &V4, "0x69 before Bolt 5.0", "DateTimeZoneId 0x69 on Bolt 4.4");
    expect_fail("B3 69 C9 1194 2A 01", &V5, "zone id", "DateTimeZoneId with an int zone");

    /* unknown tags stay generic structures with their fields */
    CHECK(decode_hex("B2 7A 01 81 61", &V5, &out, NULL) == 0 && out.type == NEO4J_STRUCT && out.tag == 0x7A &&
          out.size == 2 && out.u.items[0].u.integer == 1, "unknown tag 0x7A is a Structure");
    expect_roundtrip(&out, &V5, "unknown structure");
    CHECK(decode_hex("B0 01", &V5, &out, NULL) == 0 && out.type == NEO4J_STRUCT && out.size == 0,
          "structure without fields");
    expect_roundtrip(&out, &V5, "empty structure");
    CHECK(decode_hex("BF 7A 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E", &V5, &out, NULL) == 0 &&
          out.size == 15, "structure with 15 fields");
}

static void
test_legacy_datetime(void)
{
    neo4j_value out;
    neo4j_value dt[3] = {neo4j_int(4500), neo4j_int(42), neo4j_int(3600)};
    neo4j_value v = neo4j_struct(NEO4J_TAG_DATE_TIME, dt, 3);

    /* the spec example: local seconds 8100 = UTC 4500 + offset 3600 */
    CHECK(decode_hex("B3 46 C9 1FA4 2A C9 0E10", &V4, &out, NULL) == 0, "legacy DateTime 0x46 on Bolt 4.4");
    CHECK(out.type == NEO4J_DATE_TIME && out.tag == NEO4J_TAG_DATE_TIME, "legacy DateTime becomes tag 0x49");
    CHECK(out.u.items[0].u.integer == 4500, "legacy DateTime seconds converted to UTC (8100 - 3600)");
    CHECK(out.u.items[1].u.integer == 42 && out.u.items[2].u.integer == 3600, "nanos and offset kept");
    CHECK(neo4j_value_equals(&out, &v), "legacy DateTime equals the UTC value");
    expect_fail("B3 46 C9 1FA4 2A C9 0E10", &V5, "legacy DateTime structure 0x46", "0x46 on Bolt 5");
    expect_fail("B3 46 CB 8000000000000000 00 01", &V4, "out of range", "legacy DateTime seconds overflow");
    expect_fail("B3 46 01 02 81 61", &V4, "legacy DateTime field 2 must be an Integer", "legacy DateTime bad offset");
    expect_fail("B2 46 01 02", &V4, "legacy DateTime structure with 2", "legacy DateTime with 2 fields");

    /* encoding a UTC DateTime: as is on Bolt 5, local seconds on 4.4 */
    expect_bytes(&v, &V5, "B3 49 C9 1194 2A C9 0E10", "DateTime on Bolt 5");
    expect_bytes(&v, &V4, "B3 46 C9 1FA4 2A C9 0E10", "DateTime on Bolt 4.4 as legacy");
    expect_roundtrip(&v, &V4, "DateTime through the legacy form");
    {
        neo4j_value neg[3] = {neo4j_int(-100), neo4j_int(0), neo4j_int(-18000)};
        neo4j_value n = neo4j_struct(NEO4J_TAG_DATE_TIME, neg, 3);

        expect_bytes(&n, &V4, "B3 46 C9 B9 4C 00 C9 B9 B0", "negative offset: local = -100 - 18000");
        expect_roundtrip(&n, &V4, "negative offset round trip");
    }
    {
        /* a value built in the legacy form by hand goes out converted on Bolt 5 */
        neo4j_value local[3] = {neo4j_int(8100), neo4j_int(42), neo4j_int(3600)};
        neo4j_value l = neo4j_struct(NEO4J_TAG_LEGACY_DATE_TIME, local, 3);

        CHECK(l.type == NEO4J_DATE_TIME, "neo4j_struct(0x46) is a DateTime");
        expect_bytes(&l, &V5, "B3 49 C9 1194 2A C9 0E10", "hand-built 0x46 on Bolt 5");
        expect_bytes(&l, &V4, "B3 46 C9 1FA4 2A C9 0E10", "hand-built 0x46 on Bolt 4.4");
    }
    {
        neo4j_value big[3] = {neo4j_int(INT64_MAX), neo4j_int(0), neo4j_int(1)};
        neo4j_value b = neo4j_struct(NEO4J_TAG_DATE_TIME, big, 3);
        neo4j_value bad[3] = {neo4j_int(1), neo4j_string("x"), neo4j_int(1)};
        neo4j_value bd = neo4j_struct(NEO4J_TAG_DATE_TIME, bad, 3);

        expect_pack_fail(&b, &V4, NEO4J_CODE_INVALID_ARGUMENT, "DateTime overflow on 4.4");
        expect_pack_fail(&bd, &V5, NEO4J_CODE_INVALID_ARGUMENT, "DateTime with string nanos");
        bd = neo4j_struct(NEO4J_TAG_DATE_TIME, bad, 2);
        expect_pack_fail(&bd, &V5, NEO4J_CODE_INVALID_ARGUMENT, "DateTime with 2 fields");
    }

    /* DateTimeZoneId: no conversion without a time-zone database */
    CHECK(decode_hex("B3 66 C9 1FA4 2A 8C 45 75 72 6F 70 65 2F 50 61 72 69 73", &V4, &out, NULL) == 0,
          "legacy DateTimeZoneId 0x66 on Bolt 4.4");
    CHECK(out.type == NEO4J_DATE_TIME_ZONE_ID && out.tag == NEO4J_TAG_DATE_TIME_ZONE_ID &&
          (out.flags & NEO4J_FLAG_LOCAL_SECONDS), "0x66 becomes tag 0x69 with the local-seconds flag");
    CHECK(out.u.items[0].u.integer == 8100, "0x66 seconds stay local");
    expect_bytes(&out, &V4, "B3 66 C9 1FA4 2A 8C 45 75 72 6F 70 65 2F 50 61 72 69 73",
                 "local DateTimeZoneId goes back out as 0x66");
    expect_roundtrip(&out, &V4, "legacy DateTimeZoneId round trip");
    expect_pack_fail(&out, &V5, NEO4J_CODE_UNSUPPORTED, "local DateTimeZoneId on Bolt 5");
    expect_fail("B3 66 C9 1FA4 2A 81 61", &V5, "legacy DateTimeZoneId structure 0x66", "0x66 on Bolt 5");
    {
        neo4j_value z[3] = {neo4j_int(4500), neo4j_int(42), neo4j_string("Europe/Paris")};
        neo4j_value zv = neo4j_struct(NEO4J_TAG_DATE_TIME_ZONE_ID, z, 3);

        expect_bytes(&zv, &V5, "B3 69 C9 1194 2A 8C 45 75 72 6F 70 65 2F 50 61 72 69 73", "DateTimeZoneId on Bolt 5");
        expect_pack_fail(&zv, &V4, NEO4J_CODE_UNSUPPORTED, "UTC DateTimeZoneId on Bolt 4.4");
        zv.flags = NEO4J_FLAG_LOCAL_SECONDS;
        expect_bytes(&zv, &V4, "B3 66 C9 1194 2A 8C 45 75 72 6F 70 65 2F 50 61 72 69 73",
                     "flagged DateTimeZoneId on 4.4 is written as 0x66 as is");
        zv = neo4j_struct(NEO4J_TAG_LEGACY_DATE_TIME_ZONE_ID, z, 3);
        CHECK(zv.type == NEO4J_DATE_TIME_ZONE_ID, "neo4j_struct(0x66) is a DateTimeZoneId");
        expect_bytes(&zv, &V4, "B3 66 C9 1194 2A 8C 45 75 72 6F 70 65 2F 50 61 72 69 73", "hand-built 0x66 on 4.4");
        expect_pack_fail(&zv, &V5, NEO4J_CODE_UNSUPPORTED, "hand-built 0x66 on Bolt 5");
    }
}

static void
test_bolt6(void)
{
    neo4j_value out;
    const char *vec = "B2 56 CC 01 C1 CC 10 3FF0000000000000 4000000000000000";

    CHECK(decode_hex(vec, &V6, &out, NULL) == 0 && out.type == NEO4J_VECTOR && out.size == 2 &&
          out.u.items[1].size == 16, "Vector of two float64 on Bolt 6");
    expect_roundtrip(&out, &V6, "Vector");
    expect_pack_fail(&out, &V5, NEO4J_CODE_UNSUPPORTED, "Vector on Bolt 5");
    CHECK(decode_hex(vec, &V5, &out, NULL) == 0 && out.type == NEO4J_STRUCT && out.tag == 0x56,
          "tag 0x56 before Bolt 6 is a plain Structure");
    expect_roundtrip(&out, &V5, "plain 0x56 structure on Bolt 5");
    CHECK(decode_hex("B2 56 CC 01 C8 CC 03 01 02 FF", &V6, &out, NULL) == 0 && out.type == NEO4J_VECTOR,
          "Vector of int8");
    CHECK(decode_hex("B2 56 CC 01 C6 CC 04 3F800000", &V6, &out, NULL) == 0 && out.type == NEO4J_VECTOR,
          "Vector of float32");
    CHECK(decode_hex("B2 56 CC 01 C9 CC 00", &V6, &out, NULL) == 0 && out.type == NEO4J_VECTOR,
          "empty Vector of int16");
    expect_fail("B2 56 CC 01 C9 CC 03 010203", &V6, "not a whole number", "Vector with a partial element");
    expect_fail("B2 56 CC 01 C4 CC 00", &V6, "unknown element type", "Vector of marker C4");
    expect_fail("B2 56 CC 02 C1 C1 CC 00", &V6, "unknown element type", "Vector with a 2-byte type marker");
    expect_fail("B2 56 81 41 CC 00", &V6, "type_marker", "Vector with a string type marker");
    expect_fail("B1 56 CC 01 C1", &V6, "Vector structure with 1", "Vector with 1 field");

    CHECK(decode_hex("B4 3F 8C 51 75 61 6E 74 75 6D 46 6C 6F 61 74 2A 15 A1 87 6D 65 73 73 61 67 65 82 68 69",
                     &V6, &out, NULL) == 0 && out.type == NEO4J_UNSUPPORTED &&
          neo4j_string_equals(&out.u.items[0], "QuantumFloat") && out.u.items[1].u.integer == 42,
          "UnsupportedType on Bolt 6");
    expect_roundtrip(&out, &V6, "UnsupportedType");
    expect_pack_fail(&out, &V5, NEO4J_CODE_UNSUPPORTED, "UnsupportedType on Bolt 5");
    expect_fail("B4 3F 01 2A 15 A0", &V6, "name", "UnsupportedType with an int name");
    CHECK(decode_hex("B4 3F 01 2A 15 A0", &V5, &out, NULL) == 0 && out.type == NEO4J_STRUCT,
          "tag 0x3F before Bolt 6 is a plain Structure");
}

/* ------------------------------------------------------------------ hostile input */

static void
test_bad_markers(void)
{
    static const uint8_t bad[] = {0xC4, 0xC5, 0xC6, 0xC7, 0xCF, 0xD3, 0xD7, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF,
                                  0xE0, 0xE5, 0xEF};
    size_t i;
    bool all = true;

    for (i = 0; i < sizeof bad; i++)
    {
        neo4j_value out;
        uint8_t in[4] = {bad[i], 0, 0, 0};
        char want[32];

        snprintf(want, sizeof want, "unknown marker 0x%02X", bad[i]);
        neo4j_arena_reset(&arena);
        if (ps_unpack_value(in, sizeof in, &arena, &V6, &out, NULL, &err) != -1 || !strstr(err.message, want))
            all = false;
    }
    CHECK(all, "reserved markers C4-C7, CF, D3, D7, DB-DF, E0-EF are rejected");
    expect_fail("92 01 C7", &V5, "unknown marker 0xC7 at offset 2", "bad marker inside a list has its offset");
    expect_fail("", &V5, "truncated", "empty input");
}

static void
test_oversized(void)
{
    expect_fail("D2 FFFFFFFF 41 42", &V5, "String of 4294967295 bytes but only 2 bytes remain", "huge String size");
    expect_fail("D1 0100 41", &V5, "String of 256 bytes", "String longer than the input");
    expect_fail("8F 41 42 43", &V5, "String of 15 bytes", "tiny String longer than the input");
    expect_fail("CE FFFFFFFF 00", &V5, "Bytes of 4294967295", "huge Bytes size");
    expect_fail("CC 05 00 00", &V5, "Bytes of 5", "Bytes longer than the input");
    expect_fail("D6 FFFFFFFF 01 02 03", &V5, "List of 4294967295 items but only 3 bytes remain", "huge List size");
    expect_fail("D5 0004 01 02 03", &V5, "List of 4 items", "List with more items than bytes");
    expect_fail("9F 01", &V5, "List of 15 items", "tiny List longer than the input");
    expect_fail("DA FFFFFFFF 81 61 01", &V5, "Map of 4294967295 entries", "huge Map size");
    expect_fail("D8 03 81 61 01 81 62", &V5, "Map of 3 entries but only 5 bytes remain", "Map needs 2 bytes an entry");
    expect_fail("BF 4E 01 02", &V5, "structure of 15 fields but only 2 bytes remain", "Structure longer than the input");
    expect_fail("A1 D2 FFFFFFF0 01", &V5, "String of 4294967280 bytes", "huge map key size");
}

static void
test_map_keys(void)
{
    expect_fail("A1 01 01", &V5, "map key must be a String, not marker 0x01", "int map key");
    expect_fail("A1 C0 01", &V5, "map key must be a String, not marker 0xC0", "null map key");
    expect_fail("A1 91 81 61 01", &V5, "map key must be a String", "list map key");
    expect_fail("A2 81 61 01 CC 01 61 01", &V5, "not marker 0xCC at offset 4", "bytes map key, with offset");
    expect_fail("A1 B1 44 00 01", &V5, "map key must be a String", "structure map key");
    expect_fail("A1 D1 00", &V5, "truncated", "map key size cut short");
    {
        neo4j_map_entry e[2] = {{neo4j_string("a"), neo4j_int(1)}, {neo4j_int(1), neo4j_int(2)}};
        neo4j_value m = neo4j_map(e, 2);

        expect_pack_fail(&m, &V5, NEO4J_CODE_INVALID_ARGUMENT, "map with an Integer key");
    }
}

static void
test_depth(void)
{
    enum { MAX = 200 };
    char hex[3 * (MAX + 2) + 1];
    neo4j_value out;
    ps_options o3 = {true, false, 3};
    int i;

    /* PS_DEFAULT_MAX_DEPTH nested lists are fine, one more is not */
    hex[0] = '\0';
    for (i = 0; i < PS_DEFAULT_MAX_DEPTH - 1; i++)
        strcat(hex, "91 ");
    strcat(hex, "90");
    CHECK(decode_hex(hex, &V5, &out, NULL) == 0, "%d nested lists decode", PS_DEFAULT_MAX_DEPTH);
    expect_roundtrip(&out, &V5, "64 nested lists");
    hex[0] = '\0';
    for (i = 0; i < PS_DEFAULT_MAX_DEPTH; i++)
        strcat(hex, "91 ");
    strcat(hex, "90");
    expect_fail(hex, &V5, "nested deeper than 64", "65 nested lists");
    {
        /* the encoder has the same limit */
        neo4j_value deep[PS_DEFAULT_MAX_DEPTH + 1];

        deep[0] = neo4j_list(NULL, 0);
        for (i = 1; i <= PS_DEFAULT_MAX_DEPTH; i++)
            deep[i] = neo4j_list(&deep[i - 1], 1);
        expect_pack_fail(&deep[PS_DEFAULT_MAX_DEPTH], &V5, NEO4J_CODE_INVALID_ARGUMENT, "65 nested lists");
        expect_roundtrip(&deep[PS_DEFAULT_MAX_DEPTH - 1], &V5, "64 nested lists built in C");
    }

    /* a custom limit; maps and structures count too */
    CHECK(decode_hex("91 91 91 01", &o3, &out, NULL) == 0, "3 nested lists with max_depth 3");
    expect_fail("91 91 91 91 01", &o3, "nested deeper than 3", "4 nested lists with max_depth 3");
    CHECK(decode_hex("A1 81 61 A1 81 62 91 01", &o3, &out, NULL) == 0, "map, map, list with max_depth 3");
    expect_fail("A1 81 61 A1 81 62 91 A0", &o3, "nested deeper than 3", "map, map, list, map with max_depth 3");
    expect_fail("B1 7A B1 7A B1 7A B1 7A 01", &o3, "nested deeper than 3", "4 nested structures with max_depth 3");
    expect_fail("91 91 91 B1 44 01", &o3, "nested deeper than 3", "a Date inside 3 lists with max_depth 3");

    /* a very deep hostile input must fail cleanly, not blow the stack */
    {
        size_t n = 1000000;
        uint8_t *in = malloc(n);

        memset(in, 0x91, n);
        neo4j_arena_reset(&arena);
        CHECK(ps_unpack_value(in, n, &arena, &V5, &out, NULL, &err) == -1 && strstr(err.message, "nested"),
              "a million nested lists are rejected");
        memset(in, 0xB1, n);
        CHECK(ps_unpack_value(in, n, &arena, &V5, &out, NULL, &err) == -1, "a million nested structures are rejected");
        free(in);
    }
}

/* Every strict prefix of a message must fail with a protocol error. */
static void
test_truncation(void)
{
    static const char *messages[] = {
        /* RECORD [1, -200, 70000, 2^40, 1.5, "hello", null, true, b"\x01\x02", {a: [1, 2]}] */
        "B1 71 9A 01 C9 FF38 CA 00011170 CB 0000010000000000 C1 3FF8000000000000 85 68656C6C6F C0 C3 CC 02 0102 "
        "A1 81 61 92 01 02",
        /* SUCCESS {fields: ["n", "m"], t_first: 3, qid: 0} */
        "B1 70 A3 86 6669656C6473 92 81 6E 81 6D 87 745F6669727374 03 83 716964 00",
        /* RECORD [Node 5.x, Relationship 5.x, Path] */
        "B1 71 93 B4 4E 01 91 81 41 A1 81 6B 81 76 83 343A31 "
        "B8 52 0B 01 02 85 4B4E4F5753 A0 81 72 81 61 81 62 "
        "B3 50 92 B3 4E 01 90 A0 B3 4E 02 90 A0 91 B3 72 0A 81 52 A0 92 01 01",
        /* RECORD [Date, Time, LocalTime, DateTime, DateTimeZoneId, LocalDateTime, Duration, Point2D, Point3D] */
        "B1 71 99 B1 44 C9 4E20 B2 54 CA 05F5E100 C9 0E10 B1 74 01 B3 49 C9 1194 2A C9 0E10 "
        "B3 69 01 02 83 555443 B2 64 01 02 B4 45 01 02 03 04 "
        "B3 58 01 C1 3FF0000000000000 C1 4000000000000000 "
        "B4 59 01 C1 3FF0000000000000 C1 4000000000000000 C1 4008000000000000",
        /* FAILURE {code: "Neo.X", message: long string} */
        "B1 7F A2 84 636F6465 85 4E656F2E58 87 6D657373616765 D0 14 3031323334353637383930313233343536373839",
        /* RECORD [[[[]]], D1/D5/D9 forms] */
        "B1 71 94 91 91 91 90 D1 0003 616263 D5 0002 01 02 D9 0001 81 6B C0",
    };
    size_t i;

    for (i = 0; i < sizeof messages / sizeof messages[0]; i++)
    {
        size_t len, k;
        uint8_t *full = from_hex(messages[i], &len);
        uint8_t sig;
        const neo4j_value *fields;
        uint32_t nfields;
        bool all_fail = true, all_value_fail = true, msg_ok;

        neo4j_arena_reset(&arena);
        msg_ok = ps_unpack_message(full, len, &arena, &V5, &sig, &fields, &nfields, &err) == 0;
        CHECK(msg_ok && nfields == 1, "message %zu (%zu bytes) decodes whole%s%s", i, len,
              msg_ok ? "" : ": ", msg_ok ? "" : err.message);
        for (k = 0; k < len; k++)
        {
            /* an exact-size copy, so ASan catches a read past the end */
            uint8_t *part = malloc(k ? k : 1);
            neo4j_value v;
            size_t used;

            memcpy(part, full, k);
            neo4j_arena_reset(&arena);
            neo4j_error_clear(&err);
            if (ps_unpack_message(part, k, &arena, &V5, &sig, &fields, &nfields, &err) != -1 ||
                err.category != NEO4J_ERROR_PROTOCOL || err.message[0] == '\0')
            {
                all_fail = false;
                printf("#   message %zu prefix %zu did not fail cleanly\n", i, k);
            }
            /* the value inside, cut short, must fail too */
            if (k >= 2)
            {
                neo4j_error_clear(&err);
                if (ps_unpack_value(part + 2, k - 2, &arena, &V5, &v, &used, &err) != -1 ||
                    err.category != NEO4J_ERROR_PROTOCOL)
                    all_value_fail = false;
            }
            free(part);
        }
        CHECK(all_fail, "message %zu: all %zu truncations fail with a protocol error", i, len);
        CHECK(all_value_fail, "message %zu: its value cut at every byte fails", i);
        free(full);
    }
}

/* ------------------------------------------------------------------ messages */

static void
test_messages(void)
{
    size_t len;
    uint8_t *in;
    uint8_t sig = 0;
    const neo4j_value *fields = NULL;
    uint32_t n = 99;
    int rc;

    in = from_hex("B1 71 93 01 02 03", &len);
    rc = ps_unpack_message(in, len, &arena, &V5, &sig, &fields, &n, &err);
    CHECK(rc == 0 && sig == 0x71 && n == 1, "RECORD message: signature 0x71, one field");
    CHECK(rc == 0 && fields[0].type == NEO4J_LIST && fields[0].size == 3 && fields[0].u.items[2].u.integer == 3,
          "RECORD field is the list [1, 2, 3]");
    free(in);

    in = from_hex("B1 70 A1 86 6669656C6473 91 81 78", &len);
    rc = ps_unpack_message(in, len, &arena, &V5, &sig, &fields, &n, &err);
    CHECK(rc == 0 && sig == 0x70 && n == 1 && fields[0].type == NEO4J_MAP &&
          neo4j_map_get(&fields[0], "fields") && neo4j_map_get(&fields[0], "fields")->size == 1,
          "SUCCESS message with metadata");
    free(in);

    in = from_hex("B0 7E", &len);
    rc = ps_unpack_message(in, len, &arena, &V5, &sig, &fields, &n, &err);
    CHECK(rc == 0 && sig == 0x7E && n == 0, "IGNORED message without fields");
    free(in);

    in = from_hex("B3 10 81 71 A0 A0", &len);
    rc = ps_unpack_message(in, len, &arena, &V5, &sig, &fields, &n, &err);
    CHECK(rc == 0 && sig == 0x10 && n == 3 && fields[2].type == NEO4J_MAP, "message with three fields (RUN)");
    free(in);

    in = from_hex("B1 71 90 00", &len);
    rc = ps_unpack_message(in, len, &arena, &V5, &sig, &fields, &n, &err);
    CHECK(rc == -1 && strstr(err.message, "1 bytes left over after the message at offset 3"),
          "trailing byte after a message is rejected (%s)", err.message);
    free(in);

    in = from_hex("91 01", &len);
    rc = ps_unpack_message(in, len, &arena, &V5, &sig, &fields, &n, &err);
    CHECK(rc == -1 && strstr(err.message, "must be a structure"), "a list is not a message");
    free(in);

    rc = ps_unpack_message((const uint8_t *) "", 0, &arena, &V5, &sig, &fields, &n, &err);
    CHECK(rc == -1 && strstr(err.message, "empty message"), "empty message rejected");

    in = from_hex("B1 71 91 C7", &len);
    rc = ps_unpack_message(in, len, &arena, &V5, &sig, &fields, &n, &err);
    CHECK(rc == -1 && err.category == NEO4J_ERROR_PROTOCOL && strcmp(err.code, NEO4J_CODE_PROTOCOL) == 0 &&
          strstr(err.message, "unknown marker 0xC7 at offset 3"), "error in a field names its offset in the message");
    free(in);

    in = from_hex("B2 71 01", &len);
    rc = ps_unpack_message(in, len, &arena, &V5, &sig, &fields, &n, &err);
    CHECK(rc == -1 && strstr(err.message, "message of 2 fields"), "message with more fields than bytes");
    free(in);

    /* legacy DateTime inside a record on 4.4 */
    in = from_hex("B1 71 91 B3 46 C9 1FA4 2A C9 0E10", &len);
    rc = ps_unpack_message(in, len, &arena, &V4, &sig, &fields, &n, &err);
    CHECK(rc == 0 && fields[0].u.items[0].tag == 0x49 && fields[0].u.items[0].u.items[0].u.integer == 4500,
          "legacy DateTime converted inside a RECORD");
    free(in);

    /* used: values back to back */
    {
        neo4j_value v;
        size_t used = 0;

        in = from_hex("C9 0100 81 61 C0", &len);
        CHECK(ps_unpack_value(in, len, &arena, &V5, &v, &used, &err) == 0 && used == 3 && v.u.integer == 256,
              "first of three values uses 3 bytes");
        CHECK(ps_unpack_value(in + 3, len - 3, &arena, &V5, &v, &used, &err) == 0 && used == 2 &&
              neo4j_string_equals(&v, "a"), "second value uses 2 bytes");
        CHECK(ps_unpack_value(in + 5, len - 5, &arena, NULL, &v, &used, &err) == 0 && used == 1 &&
              v.type == NEO4J_NULL, "third value (NULL options) uses 1 byte");
        free(in);
    }
}

/* ------------------------------------------------------------------ encoder odds and ends */

static void
test_encoder(void)
{
    neo4j_buf buf;
    neo4j_value fields[16];
    neo4j_value v;
    int i;

    for (i = 0; i < 16; i++)
        fields[i] = neo4j_int(i);
    v = neo4j_struct(0x7A, fields, 16);
    expect_pack_fail(&v, &V5, NEO4J_CODE_INVALID_ARGUMENT, "structure with 16 fields");
    v = neo4j_struct(0x7A, fields, 15);
    expect_roundtrip(&v, &V5, "structure with 15 fields");

    neo4j_buf_init(&buf);
    ps_pack_struct_header(&buf, 16, 0x7A);
    CHECK(buf.failed, "a 16-field structure header marks the buffer failed");
    neo4j_buf_reset(&buf);
    CHECK(!buf.failed && buf.len == 0, "reset clears the failure");
    ps_pack_struct_header(&buf, 3, 0x10);
    ps_pack_cstring(&buf, "RETURN 1");
    ps_pack_map_header(&buf, 0);
    ps_pack_map_header(&buf, 1);
    ps_pack_cstring(&buf, "db");
    ps_pack_cstring(&buf, "neo4j");
    CHECK_STR(hex_of(buf.data, buf.len), "B3108852455455524E2031A0A1826462856E656F346A",
              "RUN message built from primitives");
    neo4j_buf_reset(&buf);
    ps_pack_list_header(&buf, 70000);
    ps_pack_bytes(&buf, (const uint8_t *) "", 0);
    CHECK_STR(hex_of(buf.data, buf.len), "D600011170CC00", "list header 70000 and empty bytes");
    neo4j_buf_reset(&buf);
    for (i = 0; i < 100000; i++)
        ps_pack_int(&buf, i);
    CHECK(!buf.failed && buf.len > 100000 && buf.cap >= buf.len, "buffer grows over many appends");
    CHECK(neo4j_buf_reserve(&buf, 1 << 20) && buf.cap - buf.len >= (1 << 20), "reserve makes room");
    neo4j_buf_append(&buf, "xyz", 3);
    CHECK(memcmp(buf.data + buf.len - 3, "xyz", 3) == 0, "append copies bytes");
    neo4j_buf_free(&buf);
    CHECK(buf.data == NULL && buf.len == 0 && buf.cap == 0, "free leaves an empty buffer");

    v.type = 200;
    expect_pack_fail(&v, &V5, NEO4J_CODE_INVALID_ARGUMENT, "value of an unknown type");

    {
        /* a parameter map as the session would build it */
        neo4j_value labels[2] = {neo4j_string("A"), neo4j_string("B")};
        neo4j_map_entry props[3] = {
            {neo4j_string("ids"), neo4j_list(labels, 2)},
            {neo4j_string("n"), neo4j_int(-1)},
            {neo4j_string("x"), neo4j_float(0.25)},
        };
        neo4j_value params = neo4j_map(props, 3);

        expect_bytes(&params, &V5, "A3 83 696473 92 81 41 81 42 81 6E FF 81 78 C1 3FD0000000000000", "parameter map");
        expect_roundtrip(&params, &V5, "parameter map");
    }
}

/* ------------------------------------------------------------------ arena and values */

static void
test_arena(void)
{
    neo4j_arena a;
    void *p1, *p2, *big, *p3;
    int i;
    bool aligned = true;

    neo4j_arena_init(&a);
    p1 = neo4j_arena_alloc(&a, 1);
    p2 = neo4j_arena_alloc(&a, 3);
    CHECK(p1 && p2 && ((uintptr_t) p1 % 8) == 0 && ((uintptr_t) p2 % 8) == 0, "allocations are 8-byte aligned");
    CHECK((char *) p2 - (char *) p1 == 8, "small allocations are packed");
    for (i = 0; i < 10000; i++)
    {
        void *p = neo4j_arena_alloc_inline(&a, (size_t) (i % 50) + 1);

        if (!p || ((uintptr_t) p % 8) != 0)
            aligned = false;
        else
            memset(p, 0xAB, (size_t) (i % 50) + 1);
    }
    CHECK(aligned, "10000 mixed allocations succeed, aligned");
    big = neo4j_arena_alloc(&a, 1 << 20);
    CHECK(big != NULL, "a 1 MiB allocation gets its own block");
    memset(big, 0, 1 << 20);
    CHECK(a.large != NULL, "large block tracked apart");
    neo4j_arena_reset(&a);
    CHECK(a.large == NULL && a.used == 0 && a.head == a.blocks, "reset frees large blocks and rewinds");
    p3 = neo4j_arena_alloc(&a, 1);
    CHECK(p3 == p1, "reset reuses the first block");
    CHECK(neo4j_arena_alloc(&a, SIZE_MAX) == NULL, "an impossible size fails");
    CHECK(neo4j_arena_alloc(&a, SIZE_MAX - 4) == NULL, "a size near SIZE_MAX fails without overflow");
    for (i = 0; i < 100; i++)
        neo4j_arena_alloc(&a, NEO4J_ARENA_BLOCK_SIZE / 4);    /* ~25 standard blocks */
    neo4j_arena_reset(&a);
    for (i = 0; i < 100; i++)
        neo4j_arena_alloc(&a, NEO4J_ARENA_BLOCK_SIZE / 4);
    CHECK(a.large == NULL, "quarter-block allocations stay in standard blocks");
    {
        size_t kept = 0;
        neo4j_arena_block *b;

        for (i = 0; i < 400; i++)
            neo4j_arena_alloc(&a, NEO4J_ARENA_BLOCK_SIZE / 4);   /* beyond what reset keeps */
        neo4j_arena_reset(&a);
        for (b = a.blocks; b; b = b->next)
            kept += b->cap;
        CHECK(kept <= NEO4J_ARENA_KEEP && kept > 0, "reset keeps at most %d bytes of blocks (%zu)",
              NEO4J_ARENA_KEEP, kept);
    }
    neo4j_arena_free(&a);
    CHECK(a.blocks == NULL && a.head == NULL, "free releases everything");
    neo4j_arena_free(&a);
    CHECK(a.blocks == NULL, "free twice is harmless");
}

static void
test_values(void)
{
    neo4j_value s = neo4j_string("abc"), n = neo4j_string(NULL), e = neo4j_string("");
    neo4j_map_entry me[2] = {{neo4j_string("x"), neo4j_int(1)}, {neo4j_string("y"), neo4j_int(2)}};
    neo4j_map_entry me2[2] = {{neo4j_string("y"), neo4j_int(2)}, {neo4j_string("x"), neo4j_int(1)}};
    neo4j_map_entry me3[2] = {{neo4j_string("y"), neo4j_int(2)}, {neo4j_string("z"), neo4j_int(1)}};
    neo4j_value m1 = neo4j_map(me, 2), m2 = neo4j_map(me2, 2), m3 = neo4j_map(me3, 2);
    neo4j_value l1 = neo4j_list(NULL, 0), l2 = neo4j_list(&s, 0);
    neo4j_value st;

    CHECK(s.type == NEO4J_STRING && s.size == 3, "neo4j_string");
    CHECK(n.type == NEO4J_NULL, "neo4j_string(NULL) is Null");
    CHECK(e.type == NEO4J_STRING && e.size == 0, "neo4j_string(\"\") is an empty String");
    CHECK(neo4j_string_equals(&s, "abc") && !neo4j_string_equals(&s, "ab") && !neo4j_string_equals(&s, "abcd"),
          "neo4j_string_equals compares lengths and bytes");
    CHECK(!neo4j_string_equals(&n, "") && neo4j_string_equals(&e, ""), "string_equals on Null and empty");
    CHECK(neo4j_map_get(&m1, "y") && neo4j_map_get(&m1, "y")->u.integer == 2, "map_get finds a key");
    CHECK(neo4j_map_get(&m1, "") == NULL && neo4j_map_get(&s, "y") == NULL && neo4j_map_get(NULL, "y") == NULL,
          "map_get on missing key, non-map, NULL");
    CHECK(neo4j_value_equals(&m1, &m2), "maps with keys in another order are equal");
    CHECK(!neo4j_value_equals(&m1, &m3), "maps with other keys differ");
    CHECK(neo4j_value_equals(&l1, &l2), "empty lists are equal");
    CHECK(!neo4j_value_equals(&l1, &m1), "list and map differ");
    {
        neo4j_value i1 = neo4j_int(1), f1 = neo4j_float(1.0), b1 = neo4j_bool(true);
        neo4j_value bs = neo4j_bytes((const uint8_t *) "abc", 3);

        CHECK(!neo4j_value_equals(&i1, &f1), "Integer 1 and Float 1.0 differ");
        CHECK(!neo4j_value_equals(&i1, &b1), "Integer 1 and true differ");
        CHECK(!neo4j_value_equals(&s, &bs), "String and Bytes with the same bytes differ");
    }
    st = neo4j_struct(NEO4J_TAG_NODE, NULL, 0);
    CHECK(st.type == NEO4J_NODE && st.tag == 0x4E, "neo4j_struct derives the type from the tag");
    st = neo4j_struct(0x01, NULL, 0);
    CHECK(st.type == NEO4J_STRUCT && st.tag == 0x01, "unknown tag gives NEO4J_STRUCT");
    {
        neo4j_value f3[3] = {neo4j_int(1), neo4j_int(2), neo4j_string("Z")};
        neo4j_value a = neo4j_struct(NEO4J_TAG_DATE_TIME_ZONE_ID, f3, 3);
        neo4j_value b = a;

        b.flags = NEO4J_FLAG_LOCAL_SECONDS;
        CHECK(!neo4j_value_equals(&a, &b), "local-seconds flag makes a difference");
        b = neo4j_struct(0x7A, f3, 3);
        CHECK(!neo4j_value_equals(&a, &b), "different tags differ");
    }

    CHECK_STR(neo4j_type_name(NEO4J_NULL), "Null", "type name Null");
    CHECK_STR(neo4j_type_name(NEO4J_BOOL), "Boolean", "type name Boolean");
    CHECK_STR(neo4j_type_name(NEO4J_INT), "Integer", "type name Integer");
    CHECK_STR(neo4j_type_name(NEO4J_FLOAT), "Float", "type name Float");
    CHECK_STR(neo4j_type_name(NEO4J_BYTES), "Bytes", "type name Bytes");
    CHECK_STR(neo4j_type_name(NEO4J_STRING), "String", "type name String");
    CHECK_STR(neo4j_type_name(NEO4J_LIST), "List", "type name List");
    CHECK_STR(neo4j_type_name(NEO4J_MAP), "Map", "type name Map");
    CHECK_STR(neo4j_type_name(NEO4J_NODE), "Node", "type name Node");
    CHECK_STR(neo4j_type_name(NEO4J_RELATIONSHIP), "Relationship", "type name Relationship");
    CHECK_STR(neo4j_type_name(NEO4J_UNBOUND_RELATIONSHIP), "UnboundRelationship", "type name UnboundRelationship");
    CHECK_STR(neo4j_type_name(NEO4J_PATH), "Path", "type name Path");
    CHECK_STR(neo4j_type_name(NEO4J_DATE), "Date", "type name Date");
    CHECK_STR(neo4j_type_name(NEO4J_TIME), "Time", "type name Time");
    CHECK_STR(neo4j_type_name(NEO4J_LOCAL_TIME), "LocalTime", "type name LocalTime");
    CHECK_STR(neo4j_type_name(NEO4J_DATE_TIME), "DateTime", "type name DateTime");
    CHECK_STR(neo4j_type_name(NEO4J_DATE_TIME_ZONE_ID), "DateTimeZoneId", "type name DateTimeZoneId");
    CHECK_STR(neo4j_type_name(NEO4J_LOCAL_DATE_TIME), "LocalDateTime", "type name LocalDateTime");
    CHECK_STR(neo4j_type_name(NEO4J_DURATION), "Duration", "type name Duration");
    CHECK_STR(neo4j_type_name(NEO4J_POINT_2D), "Point", "type name Point (2D)");
    CHECK_STR(neo4j_type_name(NEO4J_POINT_3D), "Point", "type name Point (3D)");
    CHECK_STR(neo4j_type_name(NEO4J_VECTOR), "Vector", "type name Vector");
    CHECK_STR(neo4j_type_name(NEO4J_UNSUPPORTED), "UnsupportedType", "type name UnsupportedType");
    CHECK_STR(neo4j_type_name(NEO4J_STRUCT), "Structure", "type name Structure");
    CHECK_STR(neo4j_type_name((neo4j_type) 99), "Unknown", "type name of an unknown type");

    CHECK(neo4j_type_for_tag(0x4E) == NEO4J_NODE && neo4j_type_for_tag(0x52) == NEO4J_RELATIONSHIP &&
          neo4j_type_for_tag(0x72) == NEO4J_UNBOUND_RELATIONSHIP && neo4j_type_for_tag(0x50) == NEO4J_PATH,
          "graph tags");
    CHECK(neo4j_type_for_tag(0x44) == NEO4J_DATE && neo4j_type_for_tag(0x54) == NEO4J_TIME &&
          neo4j_type_for_tag(0x74) == NEO4J_LOCAL_TIME && neo4j_type_for_tag(0x64) == NEO4J_LOCAL_DATE_TIME &&
          neo4j_type_for_tag(0x45) == NEO4J_DURATION, "temporal tags");
    CHECK(neo4j_type_for_tag(0x49) == NEO4J_DATE_TIME && neo4j_type_for_tag(0x46) == NEO4J_DATE_TIME &&
          neo4j_type_for_tag(0x69) == NEO4J_DATE_TIME_ZONE_ID && neo4j_type_for_tag(0x66) == NEO4J_DATE_TIME_ZONE_ID,
          "DateTime tags, both forms");
    CHECK(neo4j_type_for_tag(0x58) == NEO4J_POINT_2D && neo4j_type_for_tag(0x59) == NEO4J_POINT_3D &&
          neo4j_type_for_tag(0x56) == NEO4J_VECTOR && neo4j_type_for_tag(0x3F) == NEO4J_UNSUPPORTED &&
          neo4j_type_for_tag(0x00) == NEO4J_STRUCT && neo4j_type_for_tag(0x71) == NEO4J_STRUCT,
          "spatial, Bolt 6 and unknown tags");
}

int
main(void)
{
    neo4j_arena_init(&arena);
    test_ints();
    test_scalars();
    test_strings();
    test_bytes();
    test_lists();
    test_maps();
    test_structures();
    test_legacy_datetime();
    test_bolt6();
    test_bad_markers();
    test_oversized();
    test_map_keys();
    test_depth();
    test_truncation();
    test_messages();
    test_encoder();
    test_arena();
    test_values();
    free(last_input);
    neo4j_arena_free(&arena);
    return TEST_DONE();
}
