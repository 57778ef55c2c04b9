/*
 * jolt.c — Jolt reader (query parameters) and strict Jolt writer (records).
 *
 * Rendering follows what Neo4j's HTTP API emits with
 * "application/vnd.neo4j.jolt-v2;strict=true" (and jolt v1 for 4.x values):
 *
 *   null                 null
 *   Boolean              {"?":"true"}
 *   Integer              {"Z":"42"}; outside the 32-bit range {"R":"4294967296"}
 *                        (the Jolt documentation reserves R for those)
 *   Float                {"R":"1.5"}, Java's Double.toString form: "1.0", "1.0E10",
 *                        "1.0E-5", "NaN", "Infinity", "-Infinity", "-0.0"
 *   String               {"U":"..."}
 *   Bytes                {"#":"0A0B"} (upper-case hex)
 *   List / Map           {"[]":[...]} / {"{}":{"k":...}}
 *   temporal             {"T":"..."} in java.time ISO form (ISO_LOCAL_DATE etc.):
 *                        years beyond 9999 get '+', negative years '-0001',
 *                        fractions of a second lose trailing zeros, offset 0 is Z,
 *                        offsets print seconds only when non-zero
 *   Duration             {"T":"P1Y2M3DT4H5M6.5S"} as Neo4j's DurationValue prints it
 *   Point                {"@":"SRID=4326;POINT(1.5 2.0)"}, {"@":"SRID=4979;POINT Z (1.0 2.0 3.0)"}
 *   Node                 {"()":[id, ["Label"], {"k":...}]}
 *   Relationship         {"->":[id, start_id, "TYPE", end_id, {"k":...}]}
 *   Path                 {"..":[node, rel, node, ...]}, a relationship traversed
 *                        against its direction as {"<-":[id, prev_id, "TYPE", next_id, {...}]}
 *
 * Ids are element ids (JSON strings) when the value carries them (Bolt 5+),
 * otherwise the integer ids as JSON numbers (Neo4j 4.x, jolt v1).
 *
 * Temporal text comes from the driver (temporal.h), the same text the
 * Postgres extension shows. DateTimeZoneId needs the zone's offset at that
 * instant. It is read from the system tz database (TZif files under $TZDIR or
 * /usr/share/zoneinfo, parsed by the driver; no TZ/localtime games, so it is
 * thread-safe). When the zone is not found the value is written honestly
 * without guessing: a UTC-seconds
 * value as the UTC instant plus the zone, "2024-01-01T09:00:00Z[Europe/Paris]"
 * (java.time reads that back as the same instant); a legacy (4.x) value, whose
 * seconds are wall-clock time, as "2024-01-01T10:00:00[Europe/Paris]".
 *
 * Non-standard values, for which Jolt has no sigil, become maps:
 *   Vector (Bolt 6.0)    a List of Integers or Floats
 *   UnsupportedType      {"{}":{"unsupportedType":{"U":name},
 *                               "minimumProtocolVersion":{"U":"6.1"},"message":{"U":...}}}
 *   unknown structure    {"{}":{"structureTag":{"#":"7A"},"fields":{"[]":[...]}}}
 *   UnboundRelationship  {"->":[id, null, "TYPE", null, {...}]} (never sent alone)
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jolt.h"
#include "temporal.h"
#include "text.h"


/* ================================================================ UTF-8 */


static size_t
utf8_put(char *out, uint32_t cp)
{
    if (cp < 0x80)
    {
        out[0] = (char) cp;
        return 1;
    }
    if (cp < 0x800)
    {
        out[0] = (char) (0xC0 | (cp >> 6));
        out[1] = (char) (0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000)
    {
        out[0] = (char) (0xE0 | (cp >> 12));
        out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char) (0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char) (0xF0 | (cp >> 18));
    out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char) (0x80 | (cp & 0x3F));
    return 4;
}


static bool
is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* ================================================================ numbers as text */

/* [+-]?[0-9]+ in the int64 range. */
static bool
parse_i64(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    uint64_t v = 0, limit;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i >= n)
        return false;
    limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
    for (; i < n; i++)
    {
        unsigned dgt;

        if (!is_digit(s[i]))
            return false;
        dgt = (unsigned) (s[i] - '0');
        if (v > (limit - dgt) / 10)
            return false;
        v = v * 10 + dgt;
    }
    *out = neg ? (int64_t) (0 - v) : (int64_t) v;
    return true;
}

/* Decimal floating-point syntax: [+-]?(d+(.d*)?|.d+)([eE][+-]?d+)? */
static bool
is_decimal(const char *s, size_t n)
{
    size_t i = 0, mant = 0;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && is_digit(s[i]))
        i++, mant++;
    if (i < n && s[i] == '.')
    {
        i++;
        while (i < n && is_digit(s[i]))
            i++, mant++;
    }
    if (mant == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E'))
    {
        size_t e0;

        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        e0 = i;
        while (i < n && is_digit(s[i]))
            i++;
        if (i == e0)
            return false;
    }
    return i == n;
}

/* strtod on a text that is known to be decimal; false when not finite. */
static bool
decimal_to_double(const char *s, size_t n, double *out)
{
    char small[64];
    char *tmp = small;
    double d;

    if (n >= sizeof small)
    {
        tmp = malloc(n + 1);
        if (!tmp)
            return false;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    d = strtod(tmp, NULL);
    if (tmp != small)
        free(tmp);
    if (!isfinite(d))
        return false;
    *out = d;
    return true;
}

/* ================================================================ JSON parser */

typedef enum sigil
{
    SIG_NONE = 0,
    SIG_INT, SIG_FLOAT, SIG_STRING, SIG_BOOL, SIG_BYTES, SIG_LIST, SIG_MAP,
    SIG_TIME, SIG_POINT, SIG_NODE, SIG_REL, SIG_REL_REV, SIG_PATH
} sigil;

static const char *const sigil_text[] = {
    "", "Z", "R", "U", "?", "#", "[]", "{}", "T", "@", "()", "->", "<-", ".."
};

typedef struct jparser
{
    const char *s;
    size_t len;
    size_t pos;
    neo4j_arena *arena;
    neo4j_error *err;
    unsigned depth;
    neo4j_value *vals;          /* items of every array still open */
    size_t nvals, capvals;
    neo4j_map_entry *ents;      /* entries of every object still open */
    size_t nents, capents;
} jparser;

static int parse_value(jparser *p, neo4j_value *out, bool plain_object);

static int json_error(jparser *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int jolt_error(jparser *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
json_error(jparser *p, size_t at, const char *fmt, ...)
{
    char what[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return neo4j_error_set(p->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                           "invalid JSON at byte %zu: %s", at, what);
}

static int
jolt_error(jparser *p, size_t at, const char *fmt, ...)
{
    char what[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return neo4j_error_set(p->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                           "invalid Jolt value at byte %zu: %s", at, what);
}

static int
oom_error(jparser *p)
{
    return neo4j_error_set(p->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY,
                           "out of memory while parsing JSON");
}

/* "expected X, found Y" at the current position. */
static int
json_expected(jparser *p, const char *what)
{
    char found[24];

    if (p->pos >= p->len)
        snprintf(found, sizeof found, "end of input");
    else
    {
        unsigned char c = (unsigned char) p->s[p->pos];

        if (c > 0x20 && c < 0x7F)
            snprintf(found, sizeof found, "'%c'", c);
        else
            snprintf(found, sizeof found, "byte 0x%02X", c);
    }
    return json_error(p, p->pos, "expected %s, found %s", what, found);
}

static void *
palloc(jparser *p, size_t n)
{
    return neo4j_arena_alloc(p->arena, n ? n : 1);
}

static void
skip_ws(jparser *p)
{
    while (p->pos < p->len)
    {
        char c = p->s[p->pos];

        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

static int
push_value(jparser *p, const neo4j_value *v)
{
    neo4j_value *vals = neo4j_array_grow(p->vals, &p->capvals, p->nvals, sizeof *vals, 64);

    if (!vals)
        return oom_error(p);
    p->vals = vals;
    p->vals[p->nvals++] = *v;
    return 0;
}

static int
push_entry(jparser *p, const neo4j_map_entry *e)
{
    neo4j_map_entry *ents = neo4j_array_grow(p->ents, &p->capents, p->nents, sizeof *ents, 32);

    if (!ents)
        return oom_error(p);
    p->ents = ents;
    p->ents[p->nents++] = *e;
    return 0;
}

/* Parses the string at p->pos (a '"') into arena memory. */
static int
parse_string(jparser *p, const char **out, uint32_t *outlen)
{
    const char *s = p->s;
    size_t start = p->pos + 1, end = start, i, o = 0;
    char *buf;

    /* The closing quote is the first one not escaped; decoding never grows. */
    for (;;)
    {
        if (end >= p->len)
            return json_error(p, p->pos, "unterminated string");
        if (s[end] == '"')
            break;
        end += s[end] == '\\' ? 2 : 1;
    }
    if (end - start > UINT32_MAX)
        return json_error(p, p->pos, "string longer than 4 GiB");
    buf = palloc(p, end - start);
    if (!buf)
        return oom_error(p);

    for (i = start; i < end;)
    {
        unsigned char c = (unsigned char) s[i];

        if (c == '\\')
        {
            char e = s[i + 1];
            uint32_t cp;
            size_t k;

            switch (e)
            {
                case '"': buf[o++] = '"'; i += 2; continue;
                case '\\': buf[o++] = '\\'; i += 2; continue;
                case '/': buf[o++] = '/'; i += 2; continue;
                case 'b': buf[o++] = '\b'; i += 2; continue;
                case 'f': buf[o++] = '\f'; i += 2; continue;
                case 'n': buf[o++] = '\n'; i += 2; continue;
                case 'r': buf[o++] = '\r'; i += 2; continue;
                case 't': buf[o++] = '\t'; i += 2; continue;
                case 'u': break;
                default:
                    return json_error(p, i, "invalid escape sequence in string");
            }
            if (end - i < 6)
                return json_error(p, i, "expected 4 hex digits after \\u");
            cp = 0;
            for (k = 2; k < 6; k++)
            {
                int h = neo4j_hex_digit((unsigned char) s[i + k]);

                if (h < 0)
                    return json_error(p, i, "expected 4 hex digits after \\u");
                cp = cp * 16 + (uint32_t) h;
            }
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return json_error(p, i, "unpaired low surrogate \\u%04X", (unsigned) cp);
            if (cp >= 0xD800 && cp <= 0xDBFF)
            {
                uint32_t lo = 0;

                if (end - i < 12 || s[i + 6] != '\\' || s[i + 7] != 'u')
                    return json_error(p, i, "high surrogate \\u%04X not followed by a low surrogate",
                                      (unsigned) cp);
                for (k = 8; k < 12; k++)
                {
                    int h = neo4j_hex_digit((unsigned char) s[i + k]);

                    if (h < 0)
                        return json_error(p, i + 6, "expected 4 hex digits after \\u");
                    lo = lo * 16 + (uint32_t) h;
                }
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return json_error(p, i, "high surrogate \\u%04X not followed by a low surrogate",
                                      (unsigned) cp);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 12;
            }
            else
                i += 6;
            o += utf8_put(buf + o, cp);
        }
        else if (c < 0x20)
            return json_error(p, i, "control character 0x%02X in string must be escaped", c);
        else if (c < 0x80)
        {
            buf[o++] = (char) c;
            i++;
        }
        else
        {
            size_t k = neo4j_utf8_sequence_length((const unsigned char *) s + i, end - i);

            if (k == 0)
                return json_error(p, i, "invalid UTF-8 in string");
            memcpy(buf + o, s + i, k);
            o += k;
            i += k;
        }
    }
    p->pos = end + 1;
    *out = buf;
    *outlen = (uint32_t) o;
    return 0;
}

static int
parse_literal(jparser *p, const char *word, neo4j_value *out)
{
    size_t n = strlen(word);

    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return json_error(p, p->pos, "expected a value (\"%s\"?)", word);
    p->pos += n;
    if (word[0] == 'n')
        *out = neo4j_null();
    else
        *out = neo4j_bool(word[0] == 't');
    return 0;
}

/* RFC 8259 number; integral and in int64 range -> Integer, else Float. */
static int
parse_number(jparser *p, neo4j_value *out)
{
    const char *s = p->s;
    size_t start = p->pos, i = start;
    bool is_int = true;
    int64_t iv;
    double d;

    if (s[i] == '-')
        i++;
    if (i >= p->len || !is_digit(s[i]))
    {
        p->pos = i;
        return json_expected(p, "a digit");
    }
    if (s[i] == '0')
    {
        i++;
        if (i < p->len && is_digit(s[i]))
            return json_error(p, start, "leading zeros are not allowed in numbers");
    }
    else
        while (i < p->len && is_digit(s[i]))
            i++;
    if (i < p->len && s[i] == '.')
    {
        is_int = false;
        i++;
        if (i >= p->len || !is_digit(s[i]))
        {
            p->pos = i;
            return json_expected(p, "a digit after '.'");
        }
        while (i < p->len && is_digit(s[i]))
            i++;
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E'))
    {
        is_int = false;
        i++;
        if (i < p->len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= p->len || !is_digit(s[i]))
        {
            p->pos = i;
            return json_expected(p, "a digit in the exponent");
        }
        while (i < p->len && is_digit(s[i]))
            i++;
    }
    p->pos = i;
    if (is_int && parse_i64(s + start, i - start, &iv))
    {
        *out = neo4j_int(iv);
        return 0;
    }
    if (!decimal_to_double(s + start, i - start, &d))
        return json_error(p, start, "number out of the range of a 64-bit float");
    *out = neo4j_float(d);
    return 0;
}

/* After an array item or object member: 1 when a ',' follows, 0 at the closer, -1 otherwise. */
static int
after_member(jparser *p, char closer, const char *expected)
{
    if (p->pos < p->len && p->s[p->pos] == ',')
    {
        p->pos++;
        return 1;
    }
    if (p->pos < p->len && p->s[p->pos] == closer)
    {
        p->pos++;
        return 0;
    }
    return json_expected(p, expected);
}

static int
parse_array(jparser *p, neo4j_value *out)
{
    size_t start = p->pos, base = p->nvals, n;
    int rc;
    neo4j_value *items = NULL;

    if (++p->depth > JOLT_MAX_DEPTH)
        return json_error(p, start, "nesting deeper than %d levels", JOLT_MAX_DEPTH);
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ']')
        p->pos++;
    else
    {
        for (;;)
        {
            neo4j_value v;

            if (parse_value(p, &v, false) < 0 || push_value(p, &v) < 0)
                return -1;
            skip_ws(p);
            rc = after_member(p, ']', "',' or ']'");
            if (rc < 0)
                return -1;
            if (rc == 0)
                break;
        }
    }
    n = p->nvals - base;
    if (n > UINT32_MAX)
        return json_error(p, start, "array with more than 4294967295 items");
    if (n > 0)
    {
        items = palloc(p, n * sizeof *items);
        if (!items)
            return oom_error(p);
        memcpy(items, p->vals + base, n * sizeof *items);
    }
    p->nvals = base;
    p->depth--;
    *out = neo4j_list(items, n);
    return 0;
}

/*
 * From the value at *pos, finds where it ends, without validating; false if
 * the text ends first. Used to look ahead past a {"{}": ...} value.
 */
static bool
scan_value_end(const char *s, size_t len, size_t *pos)
{
    size_t i = *pos, depth = 0;

    do
    {
        char c;

        if (i >= len)
            return false;
        c = s[i];
        if (c == '"')
        {
            i++;
            while (i < len && s[i] != '"')
                i += s[i] == '\\' ? 2 : 1;
            if (i >= len)
                return false;
            i++;
        }
        else if (c == '{' || c == '[')
        {
            depth++;
            i++;
        }
        else if (c == '}' || c == ']')
        {
            if (depth == 0)
                return false;
            depth--;
            i++;
        }
        else if (depth == 0)
        {
            while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' '
                   && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
                i++;
        }
        else
            i++;
    } while (depth > 0);
    *pos = i;
    return true;
}

/* Whether the value at p->pos is the last one of its object. */
static bool
value_ends_object(const jparser *p)
{
    size_t i = p->pos;

    if (!scan_value_end(p->s, p->len, &i))
        return false;
    while (i < p->len && (p->s[i] == ' ' || p->s[i] == '\t' || p->s[i] == '\n' || p->s[i] == '\r'))
        i++;
    return i < p->len && p->s[i] == '}';
}

static sigil
sigil_of(const char *k, uint32_t n)
{
    int i;

    if (n < 1 || n > 2)
        return SIG_NONE;
    for (i = SIG_INT; i <= SIG_PATH; i++)
        if (strlen(sigil_text[i]) == n && memcmp(sigil_text[i], k, n) == 0)
            return (sigil) i;
    return SIG_NONE;
}

static int
key_cmp(const void *a, const void *b)
{
    const neo4j_map_entry *x = *(const neo4j_map_entry *const *) a;
    const neo4j_map_entry *y = *(const neo4j_map_entry *const *) b;
    uint32_t n = x->key.size < y->key.size ? x->key.size : y->key.size;
    int c = n ? memcmp(x->key.u.string, y->key.u.string, n) : 0;

    if (c != 0)
        return c;
    return x->key.size < y->key.size ? -1 : x->key.size > y->key.size;
}

static bool
same_key(const neo4j_map_entry *a, const neo4j_map_entry *b)
{
    return a->key.size == b->key.size
        && (a->key.size == 0 || memcmp(a->key.u.string, b->key.u.string, a->key.size) == 0);
}

static int
duplicate_error(jparser *p, size_t at, const neo4j_map_entry *e)
{
    char shown[68];
    uint32_t i, n = e->key.size < 64 ? e->key.size : 64;

    /* Keys are arbitrary text: show a printable-ASCII version only. */
    for (i = 0; i < n; i++)
    {
        unsigned char c = (unsigned char) e->key.u.string[i];

        shown[i] = (char) (c >= 0x20 && c < 0x7F ? c : '?');
    }
    shown[n] = '\0';
    return json_error(p, at, "duplicate key \"%s%s\" in object", shown, e->key.size > 64 ? "..." : "");
}

static int
check_duplicates(jparser *p, size_t at, const neo4j_map_entry *e, size_t n)
{
    const neo4j_map_entry **idx;
    size_t i, j;
    int rc = 0;

    if (n < 2)
        return 0;
    if (n <= 16)
    {
        for (i = 0; i < n; i++)
            for (j = i + 1; j < n; j++)
                if (same_key(&e[i], &e[j]))
                    return duplicate_error(p, at, &e[i]);
        return 0;
    }
    idx = malloc(n * sizeof *idx);
    if (!idx)
        return oom_error(p);
    for (i = 0; i < n; i++)
        idx[i] = &e[i];
    qsort(idx, n, sizeof *idx, key_cmp);
    for (i = 1; i < n; i++)
        if (same_key(idx[i - 1], idx[i]))
        {
            rc = duplicate_error(p, at, idx[i]);
            break;
        }
    free(idx);
    return rc;
}

static int jolt_convert(jparser *p, sigil sg, const neo4j_value *v, size_t at, neo4j_value *out);

/*
 * An object. Unless plain (the inside of {"{}": ...}), an object whose only
 * key is a sigil is the typed value the sigil names.
 */
static int
parse_object(jparser *p, neo4j_value *out, bool plain)
{
    size_t start = p->pos, base = p->nents, n;
    neo4j_map_entry *entries = NULL;
    bool first = true;
    int rc;

    if (++p->depth > JOLT_MAX_DEPTH)
        return json_error(p, start, "nesting deeper than %d levels", JOLT_MAX_DEPTH);
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '}')
        p->pos++;
    else
    {
        for (;;)
        {
            neo4j_map_entry e;
            const char *k;
            uint32_t klen;
            size_t vstart;
            sigil sg = SIG_NONE;

            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != '"')
                return json_expected(p, "a string key");
            if (parse_string(p, &k, &klen) < 0)
                return -1;
            e.key = neo4j_string_n(k, klen);
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':')
                return json_expected(p, "':' after an object key");
            p->pos++;
            skip_ws(p);
            vstart = p->pos;
            if (first && !plain)
                sg = sigil_of(k, klen);
            /* Only a map's inside reads differently, so only it needs the look-ahead. */
            if (parse_value(p, &e.value, sg == SIG_MAP && value_ends_object(p)) < 0)
                return -1;
            skip_ws(p);
            if (sg != SIG_NONE && p->pos < p->len && p->s[p->pos] == '}')
            {
                p->pos++;
                p->depth--;
                return jolt_convert(p, sg, &e.value, vstart, out);
            }
            if (push_entry(p, &e) < 0)
                return -1;
            first = false;
            rc = after_member(p, '}', "',' or '}'");
            if (rc < 0)
                return -1;
            if (rc == 0)
                break;
        }
    }
    n = p->nents - base;
    if (n > UINT32_MAX)
        return json_error(p, start, "object with more than 4294967295 keys");
    if (n > 0)
    {
        if (check_duplicates(p, start, p->ents + base, n) < 0)
            return -1;
        entries = palloc(p, n * sizeof *entries);
        if (!entries)
            return oom_error(p);
        memcpy(entries, p->ents + base, n * sizeof *entries);
    }
    p->nents = base;
    p->depth--;
    *out = neo4j_map(entries, n);
    return 0;
}

static int
parse_value(jparser *p, neo4j_value *out, bool plain_object)
{
    char c;

    skip_ws(p);
    if (p->pos >= p->len)
        return json_expected(p, "a value");
    c = p->s[p->pos];
    switch (c)
    {
        case '{':
            return parse_object(p, out, plain_object);
        case '[':
            return parse_array(p, out);
        case '"':
        {
            const char *str;
            uint32_t n;

            if (parse_string(p, &str, &n) < 0)
                return -1;
            *out = neo4j_string_n(str, n);
            return 0;
        }
        case 't':
            return parse_literal(p, "true", out);
        case 'f':
            return parse_literal(p, "false", out);
        case 'n':
            return parse_literal(p, "null", out);
        default:
            if (c == '-' || is_digit(c))
                return parse_number(p, out);
            return json_expected(p, "a value");
    }
}

/* ================================================================ Jolt scalars */

static int
make_struct(jparser *p, uint8_t type, uint8_t tag, const neo4j_value *fields, size_t n,
            neo4j_value *out)
{
    neo4j_value *f = palloc(p, n * sizeof *f);
    neo4j_value v = {0};

    if (!f)
        return oom_error(p);
    memcpy(f, fields, n * sizeof *f);
    v.type = type;
    v.tag = tag;
    v.size = (uint32_t) n;
    v.u.items = f;
    *out = v;
    return 0;
}

static int
jolt_float(jparser *p, const char *s, size_t n, size_t at, neo4j_value *out)
{
    int64_t iv;
    double d;

    if (n == 3 && memcmp(s, "NaN", 3) == 0)
        d = NAN;
    else if ((n == 8 && memcmp(s, "Infinity", 8) == 0) || (n == 9 && memcmp(s, "+Infinity", 9) == 0))
        d = INFINITY;
    else if (n == 9 && memcmp(s, "-Infinity", 9) == 0)
        d = -INFINITY;
    else if (parse_i64(s, n, &iv))
    {
        /* Neo4j writes integers outside the 32-bit range as R. */
        *out = neo4j_int(iv);
        return 0;
    }
    else if (!is_decimal(s, n))
        return jolt_error(p, at, "{\"R\": ...} needs a decimal number, \"NaN\", \"Infinity\" or \"-Infinity\"");
    else if (!decimal_to_double(s, n, &d))
        return jolt_error(p, at, "{\"R\": ...} is out of the range of a 64-bit float");
    *out = neo4j_float(d);
    return 0;
}

static int
jolt_bytes(jparser *p, const char *s, size_t n, size_t at, neo4j_value *out)
{
    uint8_t *b;
    size_t i;

    if (n % 2 != 0)
        return jolt_error(p, at, "{\"#\": ...} needs an even number of hex digits");
    b = palloc(p, n / 2);
    if (!b)
        return oom_error(p);
    for (i = 0; i < n; i += 2)
    {
        int hi = neo4j_hex_digit((unsigned char) s[i]), lo = neo4j_hex_digit((unsigned char) s[i + 1]);

        if (hi < 0 || lo < 0)
            return jolt_error(p, at, "{\"#\": ...} needs hex digits, found a non-hex character at position %zu",
                              hi < 0 ? i : i + 1);
    }
    for (i = 0; i < n; i += 2)
        b[i / 2] = (uint8_t) (neo4j_hex_digit((unsigned char) s[i]) * 16 + neo4j_hex_digit((unsigned char) s[i + 1]));
    *out = neo4j_bytes(b, n / 2);
    return 0;
}

/* ================================================================ temporal text */

typedef struct tcur
{
    const char *s;
    size_t n, i;
} tcur;

static int
tc_peek(const tcur *c)
{
    return c->i < c->n ? (unsigned char) c->s[c->i] : -1;
}

static bool
tc_eat(tcur *c, int ch)
{
    if (tc_peek(c) == ch)
    {
        c->i++;
        return true;
    }
    return false;
}

/* Exactly `count` digits. */
static bool
tc_fixed(tcur *c, int count, int *v)
{
    int k;

    *v = 0;
    for (k = 0; k < count; k++)
    {
        int ch = tc_peek(c);

        if (!is_digit(ch))
            return false;
        *v = *v * 10 + (ch - '0');
        c->i++;
    }
    return true;
}

/* [+-]?YYYY-MM-DD (a sign allows 4 to 9 year digits); the result in epoch days. */
static const char *
tc_date(tcur *c, int64_t *days)
{
    int sign = 0, nd = 0, m, d;
    int64_t y = 0;

    if (tc_peek(c) == '+' || tc_peek(c) == '-')
        sign = c->s[c->i++] == '-' ? -1 : 1;
    while (is_digit(tc_peek(c)) && nd < 10)
    {
        y = y * 10 + (c->s[c->i++] - '0');
        nd++;
    }
    if (sign ? nd < 4 || nd > 9 : nd != 4)
        return sign ? "expected a year of 4 to 9 digits" : "expected a 4-digit year (longer ones need a sign)";
    if (sign < 0)
        y = -y;
    if (!tc_eat(c, '-'))
        return "expected '-' after the year";
    if (!tc_fixed(c, 2, &m))
        return "expected a 2-digit month";
    if (m < 1 || m > 12)
        return "month out of range";
    if (!tc_eat(c, '-'))
        return "expected '-' after the month";
    if (!tc_fixed(c, 2, &d))
        return "expected a 2-digit day";
    if (!neo4j_days_from_civil(y, m, d, days))
        return "day out of range for the month";
    return NULL;
}

/* HH:MM[:SS[.fraction]] as nanoseconds since midnight. */
static const char *
tc_time(tcur *c, int64_t *nanos)
{
    int h, mi, sec = 0;
    int64_t frac = 0;

    if (!tc_fixed(c, 2, &h))
        return "expected a 2-digit hour";
    if (h > 23)
        return "hour out of range";
    if (!tc_eat(c, ':'))
        return "expected ':' after the hour";
    if (!tc_fixed(c, 2, &mi))
        return "expected 2-digit minutes";
    if (mi > 59)
        return "minutes out of range";
    if (tc_eat(c, ':'))
    {
        if (!tc_fixed(c, 2, &sec))
            return "expected 2-digit seconds";
        if (sec > 59)
            return "seconds out of range";
        if (tc_eat(c, '.'))
        {
            int nd = 0;

            while (is_digit(tc_peek(c)))
            {
                if (++nd > 9)
                    return "more than 9 digits of fractional seconds";
                frac = frac * 10 + (c->s[c->i++] - '0');
            }
            if (nd == 0)
                return "expected digits after '.'";
            for (; nd < 9; nd++)
                frac *= 10;
        }
    }
    *nanos = ((int64_t) h * 3600 + mi * 60 + sec) * NEO4J_NANOS_PER_SECOND + frac;
    return NULL;
}

/* Z | ±HH[[:]MM[[:]SS]]; *has is false when there is none. */
static const char *
tc_offset(tcur *c, int32_t *off, bool *has)
{
    size_t used;
    const char *why = NULL;
    int n;

    *has = false;
    if (tc_eat(c, 'Z') || tc_eat(c, 'z'))
    {
        *off = 0;
        *has = true;
        return NULL;
    }
    n = neo4j_offset_parse(c->s + c->i, c->n - c->i, off, &used, &why);
    c->i += used;
    if (n < 0)
        return why;
    *has = n > 0;
    return NULL;
}

/* [Zone/Id] */
static const char *
tc_zone(tcur *c, const char **zone, size_t *zlen, bool *has)
{
    size_t start;

    *has = false;
    if (!tc_eat(c, '['))
        return NULL;
    start = c->i;
    while (neo4j_zone_id_char(tc_peek(c)))
        c->i++;
    if (c->i == start || c->i - start > NEO4J_MAX_ZONE_LEN)
        return "expected a zone id such as Europe/Berlin inside [...]";
    *zone = c->s + start;
    *zlen = c->i - start;
    if (!tc_eat(c, ']'))
        return "expected ']' after the zone id";
    *has = true;
    return NULL;
}

/*
 * ISO 8601 unit-based duration as Neo4j reads and prints it:
 * [-+]P[nY][nM][nW][nD][T[nH][nM][n[.f]S]], every number optionally signed.
 */
static const char *
tc_duration(tcur *c, int64_t f[4])
{
    static const char units[] = "YMWDHMS";
    static const int64_t scale[] = {12, 1, 7, 1, 3600, 60, 1};
    int64_t months = 0, days = 0, secs = 0, nanos = 0;
    int next = 0, neg = 0, seen = 0;
    bool in_time = false;

    if (tc_peek(c) == '+' || tc_peek(c) == '-')
        neg = c->s[c->i++] == '-';
    if (!tc_eat(c, 'P') && !tc_eat(c, 'p'))
        return "expected 'P' to start a duration";
    while (c->i < c->n)
    {
        int64_t v = 0, frac = 0;
        bool vneg = false, has_frac = false;
        int nd = 0, u, ch;

        if (tc_eat(c, 'T') || tc_eat(c, 't'))
        {
            if (in_time)
                return "a duration has one 'T'";
            in_time = true;
            if (next < 4)
                next = 4;
            if (c->i >= c->n)
                return "expected a time component after 'T'";
            continue;
        }
        if (tc_peek(c) == '+' || tc_peek(c) == '-')
            vneg = c->s[c->i++] == '-';
        while (is_digit(tc_peek(c)))
        {
            int dgt = c->s[c->i++] - '0';

            if (v > (INT64_MAX - dgt) / 10)
                return "duration component out of range";
            v = v * 10 + dgt;
            nd++;
        }
        if (nd == 0)
            return "expected a number in the duration";
        if (tc_peek(c) == '.' || tc_peek(c) == ',')
        {
            int fd = 0;

            c->i++;
            has_frac = true;
            while (is_digit(tc_peek(c)))
            {
                if (++fd > 9)
                    return "more than 9 digits of fractional seconds";
                frac = frac * 10 + (c->s[c->i++] - '0');
            }
            if (fd == 0)
                return "expected digits after the decimal point";
            for (; fd < 9; fd++)
                frac *= 10;
        }
        ch = tc_peek(c);
        if (ch >= 'a' && ch <= 'z')
            ch -= 'a' - 'A';
        /* M is months before T and minutes after it. */
        for (u = next; u < 7; u++)
            if (units[u] == ch && (u < 4) != in_time)
                break;
        if (u == 7)
            return in_time ? "expected H, M or S (in this order) in the time part"
                           : "expected Y, M, W or D (in this order), or T";
        c->i++;
        if (has_frac && u != 6)
            return "only seconds can have a fraction";
        if (vneg)
            v = -v;
        if (__builtin_mul_overflow(v, scale[u], &v))
            return "duration out of range";
        if (u < 2 ? __builtin_add_overflow(months, v, &months) : u < 4 ? __builtin_add_overflow(days, v, &days)
                  : __builtin_add_overflow(secs, v, &secs))
            return "duration out of range";
        if (u == 6)
            nanos = vneg ? -frac : frac;
        next = u + 1;
        seen++;
    }
    if (seen == 0)
        return "expected at least one component after 'P'";
    /* Nanoseconds in 0..999999999, as Neo4j keeps them. */
    if (nanos < 0)
    {
        if (__builtin_sub_overflow(secs, 1, &secs))
            return "duration out of range";
        nanos += NEO4J_NANOS_PER_SECOND;
    }
    if (neg)
    {
        if (months == INT64_MIN || days == INT64_MIN || secs == INT64_MIN)
            return "duration out of range";
        months = -months;
        days = -days;
        secs = -secs;
        if (nanos > 0)
        {
            if (__builtin_sub_overflow(secs, 1, &secs))
                return "duration out of range";
            nanos = NEO4J_NANOS_PER_SECOND - nanos;
        }
    }
    f[0] = months;
    f[1] = days;
    f[2] = secs;
    f[3] = nanos;
    return NULL;
}

static int
jolt_temporal(jparser *p, const char *s, size_t n, size_t at, neo4j_value *out)
{
    tcur c = {s, n, 0};
    const char *bad;
    neo4j_value f[4];

    if (n >= 1 && (s[0] == 'P' || s[0] == 'p' || ((s[0] == '-' || s[0] == '+') && n >= 2
                                                 && (s[1] == 'P' || s[1] == 'p'))))
    {
        int64_t d[4];

        if ((bad = tc_duration(&c, d)) != NULL)
            goto fail;
        f[0] = neo4j_int(d[0]);
        f[1] = neo4j_int(d[1]);
        f[2] = neo4j_int(d[2]);
        f[3] = neo4j_int(d[3]);
        return make_struct(p, NEO4J_DURATION, NEO4J_TAG_DURATION, f, 4, out);
    }
    if (n >= 3 && is_digit(s[0]) && is_digit(s[1]) && s[2] == ':')
    {
        int64_t tod;
        int32_t off;
        bool has_off;

        if ((bad = tc_time(&c, &tod)) != NULL || (bad = tc_offset(&c, &off, &has_off)) != NULL)
            goto fail;
        if (tc_peek(&c) == '[')
        {
            bad = "a time of day cannot have a zone id, only an offset";
            goto fail;
        }
        if (c.i != n)
        {
            bad = "unexpected characters after the time";
            goto fail;
        }
        f[0] = neo4j_int(tod);
        if (!has_off)
            return make_struct(p, NEO4J_LOCAL_TIME, NEO4J_TAG_LOCAL_TIME, f, 1, out);
        f[1] = neo4j_int(off);
        return make_struct(p, NEO4J_TIME, NEO4J_TAG_TIME, f, 2, out);
    }
    else
    {
        int64_t days, tod, local, secs;
        int32_t off;
        bool has_off, has_zone;
        const char *zone = NULL;
        size_t zlen = 0;

        if ((bad = tc_date(&c, &days)) != NULL)
            goto fail;
        if (c.i == n)
        {
            f[0] = neo4j_int(days);
            return make_struct(p, NEO4J_DATE, NEO4J_TAG_DATE, f, 1, out);
        }
        if (!tc_eat(&c, 'T') && !tc_eat(&c, 't'))
        {
            bad = "expected 'T' between the date and the time";
            goto fail;
        }
        if ((bad = tc_time(&c, &tod)) != NULL || (bad = tc_offset(&c, &off, &has_off)) != NULL
            || (bad = tc_zone(&c, &zone, &zlen, &has_zone)) != NULL)
            goto fail;
        if (c.i != n)
        {
            bad = "unexpected characters after the date and time";
            goto fail;
        }
        local = days * NEO4J_SECONDS_PER_DAY + tod / NEO4J_NANOS_PER_SECOND;
        f[1] = neo4j_int(tod % NEO4J_NANOS_PER_SECOND);
        if (has_zone && !has_off)
        {
            bad = "a zone id needs an offset too, e.g. 2024-01-01T10:00:00+01:00[Europe/Paris] "
                  "(offsets of named zones are not resolved here)";
            goto fail;
        }
        if (!has_off)
        {
            f[0] = neo4j_int(local);
            return make_struct(p, NEO4J_LOCAL_DATE_TIME, NEO4J_TAG_LOCAL_DATE_TIME, f, 2, out);
        }
        secs = local - off;
        f[0] = neo4j_int(secs);
        if (!has_zone)
        {
            f[2] = neo4j_int(off);
            return make_struct(p, NEO4J_DATE_TIME, NEO4J_TAG_DATE_TIME, f, 3, out);
        }
        f[2] = neo4j_string_n(zone, zlen);
        return make_struct(p, NEO4J_DATE_TIME_ZONE_ID, NEO4J_TAG_DATE_TIME_ZONE_ID, f, 3, out);
    }

fail:
    return jolt_error(p, at, "{\"T\": ...} needs an ISO 8601 date, time, datetime or duration: %s "
                      "(at character %zu of the text)", bad, c.i);
}

/* ================================================================ points */

static bool
pt_ieq(tcur *c, const char *word)
{
    size_t n = strlen(word), k;

    if (c->n - c->i < n)
        return false;
    for (k = 0; k < n; k++)
    {
        int ch = (unsigned char) c->s[c->i + k];

        if (ch >= 'a' && ch <= 'z')
            ch -= 'a' - 'A';
        if (ch != word[k])
            return false;
    }
    c->i += n;
    return true;
}

static void
pt_ws(tcur *c)
{
    while (tc_peek(c) == ' ')
        c->i++;
}

static bool
pt_number(tcur *c, double *d)
{
    size_t start = c->i;
    int ch;

    while ((ch = tc_peek(c)) != -1 && (is_digit(ch) || ch == '+' || ch == '-' || ch == '.'
                                       || ch == 'e' || ch == 'E'))
        c->i++;
    return is_decimal(c->s + start, c->i - start) && decimal_to_double(c->s + start, c->i - start, d);
}

/* [SRID=n;]POINT[ Z] (x y[ z]) — without SRID, Cartesian (7203 / 9157). */
static int
jolt_point(jparser *p, const char *s, size_t n, size_t at, neo4j_value *out)
{
    tcur c = {s, n, 0};
    int64_t srid = -1;
    bool z = false;
    double xyz[3];
    int k = 0;
    neo4j_value f[4];
    const char *bad;

    pt_ws(&c);
    if (pt_ieq(&c, "SRID="))
    {
        size_t st = c.i;

        while (is_digit(tc_peek(&c)))
            c.i++;
        if (!parse_i64(s + st, c.i - st, &srid) || srid > INT32_MAX)
        {
            bad = "expected an SRID number after SRID=";
            goto fail;
        }
        if (!tc_eat(&c, ';'))
        {
            bad = "expected ';' after the SRID";
            goto fail;
        }
        pt_ws(&c);
    }
    if (!pt_ieq(&c, "POINT"))
    {
        bad = "expected POINT";
        goto fail;
    }
    pt_ws(&c);
    if (pt_ieq(&c, "Z"))
    {
        z = true;
        pt_ws(&c);
    }
    if (!tc_eat(&c, '('))
    {
        bad = "expected '(' before the coordinates";
        goto fail;
    }
    for (;;)
    {
        pt_ws(&c);
        if (tc_peek(&c) == ')' && k >= 2)
            break;
        if (k == 3 || !pt_number(&c, &xyz[k]))
        {
            bad = "expected 2 or 3 finite decimal coordinates separated by spaces";
            goto fail;
        }
        k++;
        if (tc_peek(&c) != ' ' && tc_peek(&c) != ')')
        {
            bad = "expected a space or ')' after a coordinate";
            goto fail;
        }
    }
    c.i++;
    pt_ws(&c);
    if (c.i != n)
    {
        bad = "unexpected characters after ')'";
        goto fail;
    }
    if (z && k != 3)
    {
        bad = "POINT Z needs 3 coordinates";
        goto fail;
    }
    if (srid < 0)
        srid = k == 3 ? 9157 : 7203;
    f[0] = neo4j_int(srid);
    f[1] = neo4j_float(xyz[0]);
    f[2] = neo4j_float(xyz[1]);
    if (k == 2)
        return make_struct(p, NEO4J_POINT_2D, NEO4J_TAG_POINT_2D, f, 3, out);
    f[3] = neo4j_float(xyz[2]);
    return make_struct(p, NEO4J_POINT_3D, NEO4J_TAG_POINT_3D, f, 4, out);

fail:
    return jolt_error(p, at, "{\"@\": ...} needs a point such as \"SRID=4326;POINT(1.5 2.5)\": %s "
                      "(at character %zu of the text)", bad, c.i);
}

/* The typed value of {sigil: v}. */
static int
jolt_convert(jparser *p, sigil sg, const neo4j_value *v, size_t at, neo4j_value *out)
{
    const char *s;
    size_t n;
    int64_t iv;

    switch (sg)
    {
        case SIG_LIST:
            if (v->type != NEO4J_LIST)
                return jolt_error(p, at, "{\"[]\": ...} needs an array");
            *out = *v;
            return 0;
        case SIG_MAP:
            if (v->type != NEO4J_MAP)
                return jolt_error(p, at, "{\"{}\": ...} needs an object");
            *out = *v;
            return 0;
        case SIG_NODE:
            return jolt_error(p, at, "a Node ({\"()\": ...}) cannot be a query parameter");
        case SIG_REL:
        case SIG_REL_REV:
            return jolt_error(p, at, "a Relationship ({\"%s\": ...}) cannot be a query parameter",
                              sigil_text[sg]);
        case SIG_PATH:
            return jolt_error(p, at, "a Path ({\"..\": ...}) cannot be a query parameter");
        default:
            break;
    }
    if (v->type != NEO4J_STRING)
        return jolt_error(p, at, "{\"%s\": ...} needs a JSON string", sigil_text[sg]);
    s = v->u.string;
    n = v->size;
    switch (sg)
    {
        case SIG_STRING:
            *out = *v;
            return 0;
        case SIG_BOOL:
            if (n == 4 && memcmp(s, "true", 4) == 0)
                *out = neo4j_bool(true);
            else if (n == 5 && memcmp(s, "false", 5) == 0)
                *out = neo4j_bool(false);
            else
                return jolt_error(p, at, "{\"?\": ...} needs \"true\" or \"false\"");
            return 0;
        case SIG_INT:
            if (!parse_i64(s, n, &iv))
                return jolt_error(p, at, "{\"Z\": ...} needs a decimal integer from "
                                  "-9223372036854775808 to 9223372036854775807");
            *out = neo4j_int(iv);
            return 0;
        case SIG_FLOAT:
            return jolt_float(p, s, n, at, out);
        case SIG_BYTES:
            return jolt_bytes(p, s, n, at, out);
        case SIG_TIME:
            return jolt_temporal(p, s, n, at, out);
        case SIG_POINT:
            return jolt_point(p, s, n, at, out);
        default:
            return jolt_error(p, at, "unknown sigil");
    }
}

int
jolt_parse(const char *text, size_t len, neo4j_arena *arena, neo4j_value *out, neo4j_error *err)
{
    jparser p;
    int rc;

    memset(&p, 0, sizeof p);
    p.s = text ? text : "";
    p.len = text ? len : 0;
    p.arena = arena;
    p.err = err;
    rc = parse_value(&p, out, false);
    if (rc == 0)
    {
        skip_ws(&p);
        if (p.pos != p.len)
            rc = json_expected(&p, "the end of the input after the value");
    }
    free(p.vals);
    free(p.ents);
    return rc;
}

/* ================================================================ writer helpers */

static void
put(neo4j_buf *b, const char *s)
{
    neo4j_buf_append(b, s, strlen(s));
}

static void
put_ch(neo4j_buf *b, char c)
{
    neo4j_buf_append(b, &c, 1);
}



static void
put_str_value(neo4j_buf *b, const neo4j_value *v)
{
    neo4j_buf_append_json_string(b, v->u.string, v->size);
}

/* {"S":"text"} for ASCII text that needs no escaping. */
static void
put_sigiled(neo4j_buf *b, const char *sig, const char *text)
{
    put(b, "{\"");
    put(b, sig);
    put(b, "\":\"");
    put(b, text);
    put(b, "\"}");
}

/*
 * Shortest decimal that reads back as d (d finite, > 0), as java.lang's
 * Double.toString (JDK 19+) / Float.toString choose it: at least 2 digits,
 * the closest of the shortest candidates. Returns the digit count; *exp10 is
 * the exponent of the first digit.
 */
static int
shortest_digits(double d, bool single, char digits[24], int *exp10)
{
    int prec, maxprec = single ? 9 : 17, nd;
    uint64_t mant = 0;
    int e = 0;

    for (prec = 1; prec <= maxprec; prec++)
    {
        char tmp[48];
        uint64_t m;
        int k, ee;
        double back;

        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        m = 0;
        for (k = 0; tmp[k] && tmp[k] != 'e'; k++)
            if (is_digit(tmp[k]))
                m = m * 10 + (uint64_t) (tmp[k] - '0');
        ee = (int) strtol(tmp + k + 1, NULL, 10);
        back = single ? (double) strtof(tmp, NULL) : strtod(tmp, NULL);
        if (back != d)
        {
            /* The closest candidate missed; the next one on the other side may not. */
            uint64_t m2 = back < d ? m + 1 : m - 1;
            int e2 = ee;
            uint64_t low = 1, high;

            for (k = 1; k < prec; k++)
                low *= 10;
            high = low * 10;
            if (m2 == high)
            {
                m2 = low;
                e2++;
            }
            if (m2 < low)
                continue;       /* fewer digits: already tried */
            snprintf(tmp, sizeof tmp, "%" PRIu64 "e%d", m2, e2 - (prec - 1));
            back = single ? (double) strtof(tmp, NULL) : strtod(tmp, NULL);
            if (back != d)
                continue;
            m = m2;
            ee = e2;
        }
        mant = m;
        e = ee;
        if (prec == 1)
            continue;           /* Java prints at least 2 digits: look at those too */
        break;
    }
    if (prec > maxprec)
    {
        /* Not reached for finite values; keep the full precision. */
        char tmp[48];
        int k;

        snprintf(tmp, sizeof tmp, "%.*e", maxprec - 1, d);
        mant = 0;
        for (k = 0; tmp[k] && tmp[k] != 'e'; k++)
            if (is_digit(tmp[k]))
                mant = mant * 10 + (uint64_t) (tmp[k] - '0');
        e = (int) strtol(tmp + k + 1, NULL, 10);
    }
    while (mant >= 10 && mant % 10 == 0)
        mant /= 10;
    nd = snprintf(digits, 24, "%" PRIu64, mant);
    *exp10 = e;
    return nd;
}

/* Java's Double.toString / Float.toString layout. */
static void
format_java_float(char *out, size_t cap, double d, bool single)
{
    char digits[24];
    int nd, e, k;
    size_t o = 0;

    if (isnan(d))
    {
        snprintf(out, cap, "NaN");
        return;
    }
    if (isinf(d))
    {
        snprintf(out, cap, d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (d == 0)
    {
        snprintf(out, cap, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    if (d < 0)
        out[o++] = '-';
    nd = shortest_digits(fabs(d), single, digits, &e);
    if (e >= -3 && e < 7)
    {
        if (e >= 0)
        {
            for (k = 0; k <= e; k++)
                out[o++] = k < nd ? digits[k] : '0';
            out[o++] = '.';
            if (nd > e + 1)
                for (k = e + 1; k < nd; k++)
                    out[o++] = digits[k];
            else
                out[o++] = '0';
        }
        else
        {
            out[o++] = '0';
            out[o++] = '.';
            for (k = 0; k < -e - 1; k++)
                out[o++] = '0';
            for (k = 0; k < nd; k++)
                out[o++] = digits[k];
        }
        out[o] = '\0';
        return;
    }
    out[o++] = digits[0];
    out[o++] = '.';
    if (nd > 1)
        for (k = 1; k < nd; k++)
            out[o++] = digits[k];
    else
        out[o++] = '0';
    snprintf(out + o, cap - o, "E%d", e);
}

static void
put_int(neo4j_buf *b, int64_t i)
{
    char t[32];

    snprintf(t, sizeof t, "%" PRId64, i);
    /* The Jolt documentation: R also marks integers outside the 32-bit range. */
    put_sigiled(b, i >= INT32_MIN && i <= INT32_MAX ? "Z" : "R", t);
}

static void
put_float(neo4j_buf *b, double d, bool single)
{
    char t[40];

    format_java_float(t, sizeof t, d, single);
    put_sigiled(b, "R", t);
}

/* ================================================================ temporal, point and vector values */

static int
render_error(neo4j_error *err, const char *what)
{
    return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                           "cannot render value as Jolt: %s", what);
}

/* Field i of a structure if it has that type; NULL for anything else. */
static const neo4j_value *
field(const neo4j_value *v, uint32_t i, uint8_t type)
{
    if (v->type < NEO4J_NODE || v->type > NEO4J_STRUCT || i >= v->size || !v->u.items
        || v->u.items[i].type != type)
        return NULL;
    return &v->u.items[i];
}

static bool
field_int(const neo4j_value *v, uint32_t i, int64_t *out)
{
    const neo4j_value *f = field(v, i, NEO4J_INT);

    if (!f)
        return false;
    *out = f->u.integer;
    return true;
}

static const neo4j_zone_resolver system_zones = {neo4j_system_zone_offset, NULL};

static int
write_temporal(neo4j_buf *b, const neo4j_value *v, neo4j_error *err)
{
    char small[NEO4J_TEMPORAL_TEXT_MAX + NEO4J_MAX_ZONE_LEN + 3], *t = small, what[64];
    int n = neo4j_temporal_format(small, sizeof small, v, &system_zones);

    if (n >= (int) sizeof small)
    {
        /* a zone id longer than any real one */
        size_t cap = (size_t) n + 1;

        t = malloc(cap);
        if (!t)
            return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY,
                                   "out of memory while writing Jolt");
        n = neo4j_temporal_format(t, cap, v, &system_zones);
        if (n >= (int) cap)
            n = NEO4J_TEMPORAL_MALFORMED;
    }
    if (n < 0)
    {
        if (t != small)
            free(t);
        snprintf(what, sizeof what, n == NEO4J_TEMPORAL_OUT_OF_RANGE ? "%s out of range" : "malformed %s structure",
                 neo4j_type_name((neo4j_type) v->type));
        return render_error(err, what);
    }
    put(b, "{\"T\":\"");
    /* the text is plain ASCII but for a zone id */
    neo4j_buf_append_json_body(b, t, (size_t) n);
    put(b, "\"}");
    if (t != small)
        free(t);
    return 0;
}

static int
write_point(neo4j_buf *b, const neo4j_value *v, neo4j_error *err)
{
    int64_t srid;
    int k, dims = v->type == NEO4J_POINT_3D ? 3 : 2;
    char t[48];

    if (!field_int(v, 0, &srid) || v->size < (uint32_t) dims + 1)
        return render_error(err, "malformed Point structure");
    snprintf(t, sizeof t, "%" PRId64, srid);
    put(b, "{\"@\":\"SRID=");
    put(b, t);
    put(b, dims == 3 ? ";POINT Z (" : ";POINT(");
    for (k = 0; k < dims; k++)
    {
        const neo4j_value *f = field(v, (uint32_t) k + 1, NEO4J_FLOAT);

        if (!f)
            return render_error(err, "malformed Point structure");
        format_java_float(t, sizeof t, f->u.real, false);
        if (k > 0)
            put_ch(b, ' ');
        put(b, t);
    }
    put(b, ")\"}");
    return 0;
}

/* Bolt 6.0 Vector as a List of its elements. */
static int
write_vector(neo4j_buf *b, const neo4j_value *v, neo4j_error *err)
{
    const neo4j_value *tm = field(v, 0, NEO4J_BYTES), *data = field(v, 1, NEO4J_BYTES);
    size_t width, i, k;

    if (!tm || !data || tm->size != 1 || !tm->u.bytes || (data->size && !data->u.bytes))
        return render_error(err, "malformed Vector structure");
    switch (tm->u.bytes[0])
    {
        case 0xC8: width = 1; break;
        case 0xC9: width = 2; break;
        case 0xCA: case 0xC6: width = 4; break;
        case 0xCB: case 0xC1: width = 8; break;
        default:
            return render_error(err, "Vector with an unknown element type");
    }
    if (data->size % width != 0)
        return render_error(err, "malformed Vector structure");
    put(b, "{\"[]\":[");
    for (i = 0; i < data->size; i += width)
    {
        uint64_t raw = 0;

        for (k = 0; k < width; k++)
            raw = raw << 8 | data->u.bytes[i + k];
        if (i > 0)
            put_ch(b, ',');
        switch (tm->u.bytes[0])
        {
            case 0xC8: put_int(b, (int8_t) raw); break;
            case 0xC9: put_int(b, (int16_t) raw); break;
            case 0xCA: put_int(b, (int32_t) raw); break;
            case 0xCB: put_int(b, (int64_t) raw); break;
            case 0xC6:
            {
                uint32_t r32 = (uint32_t) raw;
                float f;

                memcpy(&f, &r32, sizeof f);
                put_float(b, f, true);
                break;
            }
            default:
            {
                double d;

                memcpy(&d, &raw, sizeof d);
                put_float(b, d, false);
                break;
            }
        }
    }
    put(b, "]}");
    return 0;
}

/* ================================================================ writer */

static int write_value(neo4j_buf *b, const neo4j_value *v, neo4j_error *err, int depth);

/* {"k":value,...} — the plain object inside {} and entity properties. */
static int
write_object(neo4j_buf *b, const neo4j_value *m, neo4j_error *err, int depth)
{
    uint32_t i;

    if (m->type != NEO4J_MAP || (m->size && !m->u.entries))
        return render_error(err, "expected a Map");
    put_ch(b, '{');
    for (i = 0; i < m->size; i++)
    {
        const neo4j_map_entry *e = &m->u.entries[i];

        if (e->key.type != NEO4J_STRING)
            return render_error(err, "a Map key is not a String");
        if (i > 0)
            put_ch(b, ',');
        put_str_value(b, &e->key);
        put_ch(b, ':');
        if (write_value(b, &e->value, err, depth + 1) < 0)
            return -1;
    }
    put_ch(b, '}');
    return 0;
}

static void
put_json_int(neo4j_buf *b, int64_t i)
{
    char t[32];

    snprintf(t, sizeof t, "%" PRId64, i);
    put(b, t);
}

/* An entity id: the element id (5.x) if the structure has one, else the integer id. */
static int
put_entity_id(neo4j_buf *b, const neo4j_value *v, uint32_t id_field, uint32_t eid_field, neo4j_error *err)
{
    const neo4j_value *eid = field(v, eid_field, NEO4J_STRING);
    int64_t id;

    if (eid)
        put_str_value(b, eid);
    else if (field_int(v, id_field, &id))
        put_json_int(b, id);
    else
        return render_error(err, "malformed graph structure (no id)");
    return 0;
}

static int
write_node(neo4j_buf *b, const neo4j_value *v, neo4j_error *err, int depth)
{
    const neo4j_value *labels = field(v, NEO4J_NODE_LABELS, NEO4J_LIST);
    const neo4j_value *props = field(v, NEO4J_NODE_PROPERTIES, NEO4J_MAP);
    uint32_t i;

    if (v->type != NEO4J_NODE || !labels || !props || (labels->size && !labels->u.items))
        return render_error(err, "malformed Node structure");
    put(b, "{\"()\":[");
    if (put_entity_id(b, v, NEO4J_NODE_ID, NEO4J_NODE_ELEMENT_ID, err) < 0)
        return -1;
    put(b, ",[");
    for (i = 0; i < labels->size; i++)
    {
        if (labels->u.items[i].type != NEO4J_STRING)
            return render_error(err, "a Node label is not a String");
        if (i > 0)
            put_ch(b, ',');
        put_str_value(b, &labels->u.items[i]);
    }
    put(b, "],");
    if (write_object(b, props, err, depth) < 0)
        return -1;
    put(b, "]}");
    return 0;
}

/*
 * A relationship as [id, first, type, second, props]; first/second are the
 * given nodes (inside a path) or the relationship's own start/end.
 */
static int
write_rel(neo4j_buf *b, const neo4j_value *r, const char *sig, const neo4j_value *first,
          const neo4j_value *second, neo4j_error *err, int depth)
{
    bool bound = r->type == NEO4J_RELATIONSHIP;
    const neo4j_value *type = field(r, bound ? NEO4J_REL_TYPE : NEO4J_UREL_TYPE, NEO4J_STRING);
    const neo4j_value *props = field(r, bound ? NEO4J_REL_PROPERTIES : NEO4J_UREL_PROPERTIES, NEO4J_MAP);

    if ((r->type != NEO4J_RELATIONSHIP && r->type != NEO4J_UNBOUND_RELATIONSHIP) || !type || !props)
        return render_error(err, "malformed Relationship structure");
    put(b, "{\"");
    put(b, sig);
    put(b, "\":[");
    if (put_entity_id(b, r, NEO4J_REL_ID, bound ? NEO4J_REL_ELEMENT_ID : NEO4J_UREL_ELEMENT_ID, err) < 0)
        return -1;
    put_ch(b, ',');
    if (first)
    {
        if (put_entity_id(b, first, NEO4J_NODE_ID, NEO4J_NODE_ELEMENT_ID, err) < 0)
            return -1;
    }
    else if (bound)
    {
        if (put_entity_id(b, r, NEO4J_REL_START_ID, NEO4J_REL_START_ELEMENT_ID, err) < 0)
            return -1;
    }
    else
        put(b, "null");
    put_ch(b, ',');
    put_str_value(b, type);
    put_ch(b, ',');
    if (second)
    {
        if (put_entity_id(b, second, NEO4J_NODE_ID, NEO4J_NODE_ELEMENT_ID, err) < 0)
            return -1;
    }
    else if (bound)
    {
        if (put_entity_id(b, r, NEO4J_REL_END_ID, NEO4J_REL_END_ELEMENT_ID, err) < 0)
            return -1;
    }
    else
        put(b, "null");
    put_ch(b, ',');
    if (write_object(b, props, err, depth) < 0)
        return -1;
    put(b, "]}");
    return 0;
}

/*
 * A path flows from its first node: a relationship traversed along its
 * direction is "->", against it "<-", both listing [id, previous node,
 * type, next node, props] (Neo4j's JoltPathSerializer).
 */
static int
write_path(neo4j_buf *b, const neo4j_value *v, neo4j_error *err, int depth)
{
    const neo4j_value *nodes = field(v, NEO4J_PATH_NODES, NEO4J_LIST);
    const neo4j_value *rels = field(v, NEO4J_PATH_RELS, NEO4J_LIST);
    const neo4j_value *idx = field(v, NEO4J_PATH_INDICES, NEO4J_LIST);
    const neo4j_value *prev;
    uint32_t i;

    if (!nodes || !rels || !idx || nodes->size == 0 || !nodes->u.items || idx->size % 2 != 0
        || (idx->size && !idx->u.items) || (rels->size && !rels->u.items))
        return render_error(err, "malformed Path structure");
    prev = &nodes->u.items[0];
    put(b, "{\"..\":[");
    if (write_node(b, prev, err, depth + 1) < 0)
        return -1;
    for (i = 0; i < idx->size; i += 2)
    {
        const neo4j_value *ri = &idx->u.items[i], *ni = &idx->u.items[i + 1], *next;
        int64_t r, nidx;

        if (ri->type != NEO4J_INT || ni->type != NEO4J_INT)
            return render_error(err, "malformed Path structure (indices)");
        r = ri->u.integer;
        nidx = ni->u.integer;
        if (r == 0 || r < -(int64_t) rels->size || r > (int64_t) rels->size || nidx < 0
            || nidx >= (int64_t) nodes->size)
            return render_error(err, "malformed Path structure (index out of range)");
        next = &nodes->u.items[nidx];
        if (next->type != NEO4J_NODE)
            return render_error(err, "malformed Path structure (not a Node)");
        put_ch(b, ',');
        if (write_rel(b, &rels->u.items[(r > 0 ? r : -r) - 1], r > 0 ? "->" : "<-", prev, next, err,
                      depth + 1) < 0)
            return -1;
        put_ch(b, ',');
        if (write_node(b, next, err, depth + 1) < 0)
            return -1;
        prev = next;
    }
    put(b, "]}");
    return 0;
}

static int
write_unsupported(neo4j_buf *b, const neo4j_value *v, neo4j_error *err)
{
    const neo4j_value *name = field(v, 0, NEO4J_STRING), *extra = field(v, 3, NEO4J_MAP), *msg;
    int64_t major, minor;
    uint32_t i;
    char t[48];

    if (!name || !field_int(v, 1, &major) || !field_int(v, 2, &minor))
        return render_error(err, "malformed UnsupportedType structure");
    put(b, "{\"{}\":{\"unsupportedType\":{\"U\":");
    put_str_value(b, name);
    snprintf(t, sizeof t, "%" PRId64 ".%" PRId64, major, minor);
    put(b, "},\"minimumProtocolVersion\":");
    put_sigiled(b, "U", t);
    msg = NULL;
    for (i = 0; extra && extra->u.entries && i < extra->size; i++)
        if (extra->u.entries[i].key.type == NEO4J_STRING && extra->u.entries[i].value.type == NEO4J_STRING
            && extra->u.entries[i].key.size == 7 && memcmp(extra->u.entries[i].key.u.string, "message", 7) == 0)
            msg = &extra->u.entries[i].value;
    if (msg)
    {
        put(b, ",\"message\":{\"U\":");
        put_str_value(b, msg);
        put_ch(b, '}');
    }
    put(b, "}}");
    return 0;
}

static int
write_struct(neo4j_buf *b, const neo4j_value *v, neo4j_error *err, int depth)
{
    uint32_t i;
    char t[8];

    snprintf(t, sizeof t, "%02X", v->tag);
    put(b, "{\"{}\":{\"structureTag\":");
    put_sigiled(b, "#", t);
    put(b, ",\"fields\":{\"[]\":[");
    for (i = 0; i < v->size; i++)
    {
        if (i > 0)
            put_ch(b, ',');
        if (write_value(b, &v->u.items[i], err, depth + 1) < 0)
            return -1;
    }
    put(b, "]}}}");
    return 0;
}

static int
write_value(neo4j_buf *b, const neo4j_value *v, neo4j_error *err, int depth)
{
    uint32_t i;

    if (depth > JOLT_MAX_WRITE_DEPTH)
        return render_error(err, "value nested too deeply");
    if (v->type >= NEO4J_NODE && v->size && !v->u.items)
        return render_error(err, "malformed structure");
    switch ((neo4j_type) v->type)
    {
        case NEO4J_NULL:
            put(b, "null");
            return 0;
        case NEO4J_BOOL:
            put_sigiled(b, "?", v->u.boolean ? "true" : "false");
            return 0;
        case NEO4J_INT:
            put_int(b, v->u.integer);
            return 0;
        case NEO4J_FLOAT:
            put_float(b, v->u.real, false);
            return 0;
        case NEO4J_STRING:
            if (v->size && !v->u.string)
                return render_error(err, "malformed String");
            put(b, "{\"U\":");
            put_str_value(b, v);
            put_ch(b, '}');
            return 0;
        case NEO4J_BYTES:
            if (v->size && !v->u.bytes)
                return render_error(err, "malformed Bytes");
            put(b, "{\"#\":\"");
            for (i = 0; i < v->size; i++)
            {
                static const char hex[] = "0123456789ABCDEF";
                char two[2] = {hex[v->u.bytes[i] >> 4], hex[v->u.bytes[i] & 15]};

                neo4j_buf_append(b, two, 2);
            }
            put(b, "\"}");
            return 0;
        case NEO4J_LIST:
            if (v->size && !v->u.items)
                return render_error(err, "malformed List");
            put(b, "{\"[]\":[");
            for (i = 0; i < v->size; i++)
            {
                if (i > 0)
                    put_ch(b, ',');
                if (write_value(b, &v->u.items[i], err, depth + 1) < 0)
                    return -1;
            }
            put(b, "]}");
            return 0;
        case NEO4J_MAP:
            put(b, "{\"{}\":");
            if (write_object(b, v, err, depth) < 0)
                return -1;
            put_ch(b, '}');
            return 0;
        case NEO4J_NODE:
            return write_node(b, v, err, depth);
        case NEO4J_RELATIONSHIP:
        case NEO4J_UNBOUND_RELATIONSHIP:
            return write_rel(b, v, "->", NULL, NULL, err, depth);
        case NEO4J_PATH:
            return write_path(b, v, err, depth);
        case NEO4J_POINT_2D:
        case NEO4J_POINT_3D:
            return write_point(b, v, err);
        case NEO4J_VECTOR:
            return write_vector(b, v, err);
        case NEO4J_UNSUPPORTED:
            return write_unsupported(b, v, err);
        case NEO4J_STRUCT:
            return write_struct(b, v, err, depth);
        default:
            if (neo4j_type_is_temporal(v->type))
                return write_temporal(b, v, err);
            break;
    }
    return render_error(err, "unknown value type");
}

int
jolt_write(neo4j_buf *out, const neo4j_value *v, neo4j_error *err)
{
    size_t start = out->len;

    if (write_value(out, v, err, 0) < 0)
    {
        if (!out->failed)
            out->len = start;
        return -1;
    }
    if (out->failed)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY,
                               "out of memory while writing Jolt");
    return 0;
}
