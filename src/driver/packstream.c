/*
 * packstream.c — PackStream v1 encoder and decoder.
 *
 * The decoder is the hot path of a foreign-table scan: one pass over the
 * input, a switch on the marker byte, sizes checked against the bytes left
 * before anything is allocated, value nodes bump-allocated from an arena,
 * strings and bytes pointing into the input.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packstream.h"

/* ------------------------------------------------------------------ byte order */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define BE16(x) (x)
#define BE32(x) (x)
#define BE64(x) (x)
#else
#define BE16(x) __builtin_bswap16(x)
#define BE32(x) __builtin_bswap32(x)
#define BE64(x) __builtin_bswap64(x)
#endif

static inline uint16_t
load16(const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof v);
    return BE16(v);
}

static inline uint32_t
load32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof v);
    return BE32(v);
}

static inline uint64_t
load64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof v);
    return BE64(v);
}

static inline void
store16(uint8_t *p, uint16_t v)
{
    v = BE16(v);
    memcpy(p, &v, sizeof v);
}

static inline void
store32(uint8_t *p, uint32_t v)
{
    v = BE32(v);
    memcpy(p, &v, sizeof v);
}

static inline void
store64(uint8_t *p, uint64_t v)
{
    v = BE64(v);
    memcpy(p, &v, sizeof v);
}

/* ------------------------------------------------------------------ buffer */

void
neo4j_buf_init(neo4j_buf *buf)
{
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->failed = false;
}

void
neo4j_buf_free(neo4j_buf *buf)
{
    free(buf->data);
    neo4j_buf_init(buf);
}

void
neo4j_buf_reset(neo4j_buf *buf)
{
    buf->len = 0;
    buf->failed = false;
}

static bool
buf_grow(neo4j_buf *buf, size_t extra)
{
    size_t need, cap;
    uint8_t *p;

    if (extra > SIZE_MAX - buf->len)
    {
        buf->failed = true;
        return false;
    }
    need = buf->len + extra;
    cap = buf->cap ? buf->cap : 256;
    while (cap < need)
    {
        if (cap > SIZE_MAX / 2)
        {
            cap = need;
            break;
        }
        cap *= 2;
    }
    p = realloc(buf->data, cap);
    if (!p)
    {
        buf->failed = true;
        return false;
    }
    buf->data = p;
    buf->cap = cap;
    return true;
}

bool
neo4j_buf_reserve(neo4j_buf *buf, size_t extra)
{
    if (buf->failed)
        return false;
    if (extra <= buf->cap - buf->len)
        return true;
    return buf_grow(buf, extra);
}

/* Room for n more bytes, already counted in len; NULL once the buffer failed. */
static inline uint8_t *
buf_claim(neo4j_buf *buf, size_t n)
{
    uint8_t *p;

    if (!neo4j_buf_reserve(buf, n))
        return NULL;
    p = buf->data + buf->len;
    buf->len += n;
    return p;
}

void
neo4j_buf_append(neo4j_buf *buf, const void *data, size_t len)
{
    uint8_t *p;

    if (len == 0)
        return;
    p = buf_claim(buf, len);
    if (p)
        memcpy(p, data, len);
}

/* ------------------------------------------------------------------ primitive writers */

void
ps_pack_null(neo4j_buf *buf)
{
    uint8_t *p = buf_claim(buf, 1);

    if (p)
        p[0] = 0xC0;
}

void
ps_pack_bool(neo4j_buf *buf, bool b)
{
    uint8_t *p = buf_claim(buf, 1);

    if (p)
        p[0] = b ? 0xC3 : 0xC2;
}

void
ps_pack_int(neo4j_buf *buf, int64_t i)
{
    uint8_t *p;

    if (i >= -16 && i <= 127)
    {
        if ((p = buf_claim(buf, 1)))
            p[0] = (uint8_t) i;
    }
    else if (i >= INT8_MIN && i <= INT8_MAX)
    {
        if ((p = buf_claim(buf, 2)))
        {
            p[0] = 0xC8;
            p[1] = (uint8_t) i;
        }
    }
    else if (i >= INT16_MIN && i <= INT16_MAX)
    {
        if ((p = buf_claim(buf, 3)))
        {
            p[0] = 0xC9;
            store16(p + 1, (uint16_t) i);
        }
    }
    else if (i >= INT32_MIN && i <= INT32_MAX)
    {
        if ((p = buf_claim(buf, 5)))
        {
            p[0] = 0xCA;
            store32(p + 1, (uint32_t) i);
        }
    }
    else if ((p = buf_claim(buf, 9)))
    {
        p[0] = 0xCB;
        store64(p + 1, (uint64_t) i);
    }
}

void
ps_pack_float(neo4j_buf *buf, double d)
{
    uint8_t *p = buf_claim(buf, 9);
    uint64_t bits;

    if (!p)
        return;
    memcpy(&bits, &d, sizeof bits);
    p[0] = 0xC1;
    store64(p + 1, bits);
}

/*
 * Marker plus size for strings, lists and maps: tiny form (tiny != 0) for
 * sizes below 16, then 8/16/32-bit sizes with markers m8, m8+1, m8+2.
 */
static void
pack_sized_header(neo4j_buf *buf, uint8_t tiny, uint8_t m8, size_t n)
{
    uint8_t *p;

    if (tiny && n < 16)
    {
        if ((p = buf_claim(buf, 1)))
            p[0] = (uint8_t) (tiny | n);
    }
    else if (n <= 0xFF)
    {
        if ((p = buf_claim(buf, 2)))
        {
            p[0] = m8;
            p[1] = (uint8_t) n;
        }
    }
    else if (n <= 0xFFFF)
    {
        if ((p = buf_claim(buf, 3)))
        {
            p[0] = (uint8_t) (m8 + 1);
            store16(p + 1, (uint16_t) n);
        }
    }
    else if (n <= UINT32_MAX)
    {
        if ((p = buf_claim(buf, 5)))
        {
            p[0] = (uint8_t) (m8 + 2);
            store32(p + 1, (uint32_t) n);
        }
    }
    else
        buf->failed = true;     /* PackStream cannot express the size */
}

void
ps_pack_string(neo4j_buf *buf, const char *s, size_t n)
{
    pack_sized_header(buf, 0x80, 0xD0, n);
    neo4j_buf_append(buf, s, n);
}

void
ps_pack_cstring(neo4j_buf *buf, const char *s)
{
    ps_pack_string(buf, s, strlen(s));
}

void
ps_pack_bytes(neo4j_buf *buf, const uint8_t *b, size_t n)
{
    /* bytes have no tiny form */
    pack_sized_header(buf, 0, 0xCC, n);
    neo4j_buf_append(buf, b, n);
}

void
ps_pack_list_header(neo4j_buf *buf, uint32_t n)
{
    pack_sized_header(buf, 0x90, 0xD4, n);
}

void
ps_pack_map_header(neo4j_buf *buf, uint32_t n)
{
    pack_sized_header(buf, 0xA0, 0xD8, n);
}

void
ps_pack_struct_header(neo4j_buf *buf, uint8_t nfields, uint8_t tag)
{
    uint8_t *p;

    if (nfields > 15)
    {
        buf->failed = true;
        return;
    }
    if ((p = buf_claim(buf, 2)))
    {
        p[0] = (uint8_t) (0xB0 | nfields);
        p[1] = tag;
    }
}

/* ------------------------------------------------------------------ value encoder */

typedef struct ps_encoder
{
    neo4j_buf *buf;
    neo4j_error *err;
    unsigned max_depth;
    bool utc;
    bool vector;
} ps_encoder;

static int enc_value(ps_encoder *e, const neo4j_value *v, unsigned depth);

static int
enc_fields(ps_encoder *e, const neo4j_value *v, uint8_t tag, unsigned depth)
{
    uint32_t i;

    ps_pack_struct_header(e->buf, (uint8_t) v->size, tag);
    for (i = 0; i < v->size; i++)
    {
        if (enc_value(e, &v->u.items[i], depth + 1) < 0)
            return -1;
    }
    return 0;
}

static bool
all_ints(const neo4j_value *v)
{
    uint32_t i;

    for (i = 0; i < v->size; i++)
    {
        if (v->u.items[i].type != NEO4J_INT)
            return false;
    }
    return true;
}

/* DateTime: UTC seconds (0x49) on Bolt 5 / utc patch, local seconds (0x46) before. */
static int
enc_date_time(ps_encoder *e, const neo4j_value *v)
{
    const neo4j_value *f = v->u.items;
    bool legacy_in, legacy_out = !e->utc;
    int64_t seconds, offset;

    if (v->tag != NEO4J_TAG_DATE_TIME && v->tag != NEO4J_TAG_LEGACY_DATE_TIME)
        return neo4j_error_set(e->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                               "DateTime value with structure tag 0x%02X", v->tag);
    if (v->size != 3 || !all_ints(v))
        return neo4j_error_set(e->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                               "DateTime needs 3 Integer fields (seconds, nanoseconds, offset)");
    legacy_in = v->tag == NEO4J_TAG_LEGACY_DATE_TIME;
    seconds = f[0].u.integer;
    offset = f[2].u.integer;
    if (legacy_in && !legacy_out)
    {
        if (__builtin_sub_overflow(seconds, offset, &seconds))
            return neo4j_error_set(e->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                                   "DateTime seconds out of range");
    }
    else if (!legacy_in && legacy_out)
    {
        if (__builtin_add_overflow(seconds, offset, &seconds))
            return neo4j_error_set(e->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                                   "DateTime seconds out of range");
    }
    ps_pack_struct_header(e->buf, 3, legacy_out ? NEO4J_TAG_LEGACY_DATE_TIME : NEO4J_TAG_DATE_TIME);
    ps_pack_int(e->buf, seconds);
    ps_pack_int(e->buf, f[1].u.integer);
    ps_pack_int(e->buf, offset);
    return 0;
}

/* DateTimeZoneId: converting between UTC and local seconds needs a time-zone
 * database, so a value only goes out in the form it already has. */
static int
enc_date_time_zone_id(ps_encoder *e, const neo4j_value *v, unsigned depth)
{
    bool local;

    if (v->tag != NEO4J_TAG_DATE_TIME_ZONE_ID && v->tag != NEO4J_TAG_LEGACY_DATE_TIME_ZONE_ID)
        return neo4j_error_set(e->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                               "DateTimeZoneId value with structure tag 0x%02X", v->tag);
    local = v->tag == NEO4J_TAG_LEGACY_DATE_TIME_ZONE_ID || (v->flags & NEO4J_FLAG_LOCAL_SECONDS);
    if (e->utc && local)
        return neo4j_error_set(e->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_UNSUPPORTED,
                               "a DateTimeZoneId with local seconds cannot be sent on this connection "
                               "(it needs UTC seconds; converting needs a time-zone database)");
    if (!e->utc && !local)
        return neo4j_error_set(e->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_UNSUPPORTED,
                               "a DateTimeZoneId with UTC seconds needs Bolt 5.0+ or the utc patch "
                               "(converting to local seconds needs a time-zone database)");
    return enc_fields(e, v, e->utc ? NEO4J_TAG_DATE_TIME_ZONE_ID : NEO4J_TAG_LEGACY_DATE_TIME_ZONE_ID,
                      depth);
}

static int
enc_value(ps_encoder *e, const neo4j_value *v, unsigned depth)
{
    uint32_t i;

    switch ((neo4j_type) v->type)
    {
        case NEO4J_NULL:
            ps_pack_null(e->buf);
            return 0;
        case NEO4J_BOOL:
            ps_pack_bool(e->buf, v->u.boolean);
            return 0;
        case NEO4J_INT:
            ps_pack_int(e->buf, v->u.integer);
            return 0;
        case NEO4J_FLOAT:
            ps_pack_float(e->buf, v->u.real);
            return 0;
        case NEO4J_STRING:
            ps_pack_string(e->buf, v->u.string, v->size);
            return 0;
        case NEO4J_BYTES:
            ps_pack_bytes(e->buf, v->u.bytes, v->size);
            return 0;
        default:
            break;
    }

    if (depth >= e->max_depth)
        return neo4j_error_set(e->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                               "value nested deeper than %u levels", e->max_depth);

    switch ((neo4j_type) v->type)
    {
        case NEO4J_LIST:
            ps_pack_list_header(e->buf, v->size);
            for (i = 0; i < v->size; i++)
            {
                if (enc_value(e, &v->u.items[i], depth + 1) < 0)
                    return -1;
            }
            return 0;
        case NEO4J_MAP:
            ps_pack_map_header(e->buf, v->size);
            for (i = 0; i < v->size; i++)
            {
                const neo4j_map_entry *en = &v->u.entries[i];

                if (en->key.type != NEO4J_STRING)
                    return neo4j_error_set(e->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                                           "map key is a %s, not a String",
                                           neo4j_type_name((neo4j_type) en->key.type));
                ps_pack_string(e->buf, en->key.u.string, en->key.size);
                if (enc_value(e, &en->value, depth + 1) < 0)
                    return -1;
            }
            return 0;
        case NEO4J_NODE:
        case NEO4J_RELATIONSHIP:
        case NEO4J_UNBOUND_RELATIONSHIP:
        case NEO4J_PATH:
        case NEO4J_DATE:
        case NEO4J_TIME:
        case NEO4J_LOCAL_TIME:
        case NEO4J_DATE_TIME:
        case NEO4J_DATE_TIME_ZONE_ID:
        case NEO4J_LOCAL_DATE_TIME:
        case NEO4J_DURATION:
        case NEO4J_POINT_2D:
        case NEO4J_POINT_3D:
        case NEO4J_VECTOR:
        case NEO4J_UNSUPPORTED:
        case NEO4J_STRUCT:
            if (v->size > 15)
                return neo4j_error_set(e->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                                       "structure with %u fields (PackStream allows at most 15)", v->size);
            if (v->type == NEO4J_DATE_TIME)
                return enc_date_time(e, v);
            if (v->type == NEO4J_DATE_TIME_ZONE_ID)
                return enc_date_time_zone_id(e, v, depth);
            if ((v->type == NEO4J_VECTOR || v->type == NEO4J_UNSUPPORTED) && !e->vector)
                return neo4j_error_set(e->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_UNSUPPORTED,
                                       "%s values need Bolt 6.0",
                                       neo4j_type_name((neo4j_type) v->type));
            return enc_fields(e, v, v->tag, depth);
        default:
            return neo4j_error_set(e->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                                   "value of unknown type %u", v->type);
    }
}

int
ps_pack_value(neo4j_buf *buf, const neo4j_value *value, const ps_options *opts, neo4j_error *err)
{
    ps_encoder e;
    size_t start = buf->len;

    e.buf = buf;
    e.err = err;
    e.max_depth = opts && opts->max_depth ? opts->max_depth : PS_DEFAULT_MAX_DEPTH;
    e.utc = opts && opts->utc_datetime;
    e.vector = opts && opts->vector;

    if (enc_value(&e, value, 0) < 0)
    {
        /* leave the buffer as it was, so a caller can go on using it */
        if (!buf->failed)
            buf->len = start;
        return -1;
    }
    if (buf->failed)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY,
                               "out of memory while packing a value");
    return 0;
}

/* ------------------------------------------------------------------ decoder */

typedef struct ps_decoder
{
    const uint8_t *start;
    const uint8_t *end;
    neo4j_arena *arena;
    neo4j_error *err;
    unsigned max_depth;
    bool utc;
    bool vector;
} ps_decoder;

static const uint8_t *dec_fail(ps_decoder *d, const uint8_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), cold, noinline));

static const uint8_t *
dec_fail(ps_decoder *d, const uint8_t *at, const char *fmt, ...)
{
    char what[NEO4J_MESSAGE_MAX - 64];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    neo4j_error_set(d->err, NEO4J_ERROR_PROTOCOL, NEO4J_CODE_PROTOCOL,
                    "PackStream: %s at offset %zu", what, (size_t) (at - d->start));
    return NULL;
}

static const uint8_t *__attribute__((cold, noinline))
dec_oom(ps_decoder *d)
{
    neo4j_error_set(d->err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY,
                    "out of memory while decoding PackStream");
    return NULL;
}

static inline void *
dec_alloc(ps_decoder *d, size_t n, size_t elem)
{
    if (n > SIZE_MAX / elem)
        return NULL;
    return neo4j_arena_alloc_inline(d->arena, n * elem);
}

static const char *
type_name_of(const neo4j_value *v)
{
    return neo4j_type_name((neo4j_type) v->type);
}

/* "a" or "an", for readable messages */
static const char *
a_an(const char *word)
{
    return strchr("AEIOU", word[0]) ? "an" : "a";
}

static bool
list_of(const neo4j_value *v, neo4j_type item_type)
{
    uint32_t i;

    if (v->type != NEO4J_LIST)
        return false;
    for (i = 0; i < v->size; i++)
    {
        if (v->u.items[i].type != item_type)
            return false;
    }
    return true;
}

/* Checks the shape of a known structure and gives it its type. */
static const uint8_t *
dec_structure(ps_decoder *d, const uint8_t *at, const uint8_t *p, neo4j_value *out, neo4j_value *f)
{
    uint32_t n = out->size;
    uint32_t i;
    const char *name;
    const char *want;              /* expected field counts, for the message */
    const char *bad = NULL;        /* name of a field of the wrong type */
    const char *bad_type = NULL;   /* what it should have been */
    int bad_index = -1;
    int64_t secs;

    switch (out->tag)
    {
        case NEO4J_TAG_NODE:
            name = "Node", want = "3 or 4";
            if (n != 3 && n != 4)
                goto bad_count;
            if (f[0].type != NEO4J_INT)
                bad = "id", bad_type = "Integer", bad_index = 0;
            else if (!list_of(&f[1], NEO4J_STRING))
                bad = "labels", bad_type = "List of String", bad_index = 1;
            else if (f[2].type != NEO4J_MAP)
                bad = "properties", bad_type = "Map", bad_index = 2;
            else if (n == 4 && f[3].type != NEO4J_STRING)
                bad = "element_id", bad_type = "String", bad_index = 3;
            break;

        case NEO4J_TAG_RELATIONSHIP:
            name = "Relationship", want = "5 or 8";
            if (n != 5 && n != 8)
                goto bad_count;
            if (f[0].type != NEO4J_INT)
                bad = "id", bad_type = "Integer", bad_index = 0;
            else if (f[1].type != NEO4J_INT)
                bad = "start id", bad_type = "Integer", bad_index = 1;
            else if (f[2].type != NEO4J_INT)
                bad = "end id", bad_type = "Integer", bad_index = 2;
            else if (f[3].type != NEO4J_STRING)
                bad = "type", bad_type = "String", bad_index = 3;
            else if (f[4].type != NEO4J_MAP)
                bad = "properties", bad_type = "Map", bad_index = 4;
            else if (n == 8)
            {
                for (i = 5; i < 8 && !bad; i++)
                {
                    if (f[i].type != NEO4J_STRING)
                        bad = i == 5 ? "element_id" : i == 6 ? "start_element_id" : "end_element_id",
                        bad_type = "String", bad_index = (int) i;
                }
            }
            break;

        case NEO4J_TAG_UNBOUND_RELATIONSHIP:
            name = "UnboundRelationship", want = "3 or 4";
            if (n != 3 && n != 4)
                goto bad_count;
            if (f[0].type != NEO4J_INT)
                bad = "id", bad_type = "Integer", bad_index = 0;
            else if (f[1].type != NEO4J_STRING)
                bad = "type", bad_type = "String", bad_index = 1;
            else if (f[2].type != NEO4J_MAP)
                bad = "properties", bad_type = "Map", bad_index = 2;
            else if (n == 4 && f[3].type != NEO4J_STRING)
                bad = "element_id", bad_type = "String", bad_index = 3;
            break;

        case NEO4J_TAG_PATH:
        {
            uint32_t nnodes, nrels;

            name = "Path", want = "3";
            if (n != 3)
                goto bad_count;
            if (!list_of(&f[0], NEO4J_NODE))
                bad = "nodes", bad_type = "List of Node", bad_index = 0;
            else if (!list_of(&f[1], NEO4J_UNBOUND_RELATIONSHIP))
                bad = "relationships", bad_type = "List of UnboundRelationship", bad_index = 1;
            else if (!list_of(&f[2], NEO4J_INT))
                bad = "indices", bad_type = "List of Integer", bad_index = 2;
            if (bad)
                break;
            /* the indices must describe a walk over these nodes and relationships */
            nnodes = f[0].size;
            nrels = f[1].size;
            if (nnodes == 0)
                return dec_fail(d, at, "Path without nodes");
            if (f[2].size % 2 != 0)
                return dec_fail(d, at, "Path with an odd number (%u) of indices", f[2].size);
            for (i = 0; i < f[2].size; i += 2)
            {
                int64_t r = f[2].u.items[i].u.integer;
                int64_t k = f[2].u.items[i + 1].u.integer;

                if (r == 0 || r < -(int64_t) nrels || r > (int64_t) nrels)
                    return dec_fail(d, at, "Path relationship index %lld out of range (%u relationships)",
                                    (long long) r, nrels);
                if (k < 0 || k >= (int64_t) nnodes)
                    return dec_fail(d, at, "Path node index %lld out of range (%u nodes)",
                                    (long long) k, nnodes);
            }
            break;
        }

        case NEO4J_TAG_DATE:
            name = "Date", want = "1";
            if (n != 1)
                goto bad_count;
            goto ints;
        case NEO4J_TAG_TIME:
            name = "Time", want = "2";
            if (n != 2)
                goto bad_count;
            goto ints;
        case NEO4J_TAG_LOCAL_TIME:
            name = "LocalTime", want = "1";
            if (n != 1)
                goto bad_count;
            goto ints;
        case NEO4J_TAG_LOCAL_DATE_TIME:
            name = "LocalDateTime", want = "2";
            if (n != 2)
                goto bad_count;
            goto ints;
        case NEO4J_TAG_DURATION:
            name = "Duration", want = "4";
            if (n != 4)
                goto bad_count;
            goto ints;

        case NEO4J_TAG_DATE_TIME:
            if (!d->utc)
                return dec_fail(d, at, "DateTime structure 0x49 before Bolt 5.0 (without the utc patch)");
            name = "DateTime", want = "3";
            if (n != 3)
                goto bad_count;
            goto ints;

        case NEO4J_TAG_LEGACY_DATE_TIME:
            if (d->utc)
                return dec_fail(d, at, "legacy DateTime structure 0x46 on Bolt 5.0+ (or with the utc patch)");
            name = "legacy DateTime", want = "3";
            if (n != 3)
                goto bad_count;
            for (i = 0; i < n; i++)
            {
                if (f[i].type != NEO4J_INT)
                    goto bad_int;
            }
            /* local seconds to the UTC form every caller sees */
            if (__builtin_sub_overflow(f[0].u.integer, f[2].u.integer, &secs))
                return dec_fail(d, at, "legacy DateTime seconds out of range");
            f[0].u.integer = secs;
            out->tag = NEO4J_TAG_DATE_TIME;
            out->type = NEO4J_DATE_TIME;
            return p;

        case NEO4J_TAG_DATE_TIME_ZONE_ID:
        case NEO4J_TAG_LEGACY_DATE_TIME_ZONE_ID:
            if (out->tag == NEO4J_TAG_DATE_TIME_ZONE_ID && !d->utc)
                return dec_fail(d, at, "DateTimeZoneId structure 0x69 before Bolt 5.0 (without the utc patch)");
            if (out->tag == NEO4J_TAG_LEGACY_DATE_TIME_ZONE_ID && d->utc)
                return dec_fail(d, at,
                                "legacy DateTimeZoneId structure 0x66 on Bolt 5.0+ (or with the utc patch)");
            name = "DateTimeZoneId", want = "3";
            if (n != 3)
                goto bad_count;
            if (f[0].type != NEO4J_INT)
                bad = "seconds", bad_type = "Integer", bad_index = 0;
            else if (f[1].type != NEO4J_INT)
                bad = "nanoseconds", bad_type = "Integer", bad_index = 1;
            else if (f[2].type != NEO4J_STRING)
                bad = "zone id", bad_type = "String", bad_index = 2;
            if (bad)
                break;
            if (out->tag == NEO4J_TAG_LEGACY_DATE_TIME_ZONE_ID)
            {
                /* seconds stay local: only a time-zone database could convert them */
                out->tag = NEO4J_TAG_DATE_TIME_ZONE_ID;
                out->flags = NEO4J_FLAG_LOCAL_SECONDS;
            }
            out->type = NEO4J_DATE_TIME_ZONE_ID;
            return p;

        case NEO4J_TAG_POINT_2D:
        case NEO4J_TAG_POINT_3D:
            name = out->tag == NEO4J_TAG_POINT_2D ? "Point2D" : "Point3D";
            want = out->tag == NEO4J_TAG_POINT_2D ? "3" : "4";
            if (n != (out->tag == NEO4J_TAG_POINT_2D ? 3u : 4u))
                goto bad_count;
            if (f[0].type != NEO4J_INT)
                bad = "srid", bad_type = "Integer", bad_index = 0;
            for (i = 1; i < n && !bad; i++)
            {
                if (f[i].type != NEO4J_FLOAT)
                    bad = i == 1 ? "x" : i == 2 ? "y" : "z", bad_type = "Float", bad_index = (int) i;
            }
            break;

        case NEO4J_TAG_VECTOR:
        {
            unsigned width = 0;

            if (!d->vector)
                goto unknown;
            name = "Vector", want = "2";
            if (n != 2)
                goto bad_count;
            if (f[0].type != NEO4J_BYTES)
                bad = "type_marker", bad_type = "Bytes", bad_index = 0;
            else if (f[1].type != NEO4J_BYTES)
                bad = "data", bad_type = "Bytes", bad_index = 1;
            if (bad)
                break;
            if (f[0].size == 1)
            {
                switch (f[0].u.bytes[0])
                {
                    case 0xC8: width = 1; break;
                    case 0xC9: width = 2; break;
                    case 0xCA: width = 4; break;
                    case 0xCB: width = 8; break;
                    case 0xC6: width = 4; break;
                    case 0xC1: width = 8; break;
                    default: break;
                }
            }
            if (width == 0)
                return dec_fail(d, at, "Vector with an unknown element type");
            if (f[1].size % width != 0)
                return dec_fail(d, at, "Vector data of %u bytes is not a whole number of %u-byte elements",
                                f[1].size, width);
            break;
        }

        case NEO4J_TAG_UNSUPPORTED:
            if (!d->vector)
                goto unknown;
            name = "UnsupportedType", want = "4";
            if (n != 4)
                goto bad_count;
            if (f[0].type != NEO4J_STRING)
                bad = "name", bad_type = "String", bad_index = 0;
            else if (f[1].type != NEO4J_INT)
                bad = "minimum_protocol_major", bad_type = "Integer", bad_index = 1;
            else if (f[2].type != NEO4J_INT)
                bad = "minimum_protocol_minor", bad_type = "Integer", bad_index = 2;
            else if (f[3].type != NEO4J_MAP)
                bad = "extra", bad_type = "Map", bad_index = 3;
            break;

        default:
            goto unknown;
    }

    if (bad)
        return dec_fail(d, at, "%s field %d (%s) must be %s %s, not %s %s",
                        name, bad_index, bad, a_an(bad_type), bad_type,
                        a_an(type_name_of(&f[bad_index])), type_name_of(&f[bad_index]));
    out->type = (uint8_t) neo4j_type_for_tag(out->tag);
    return p;

ints:
    for (i = 0; i < n; i++)
    {
        if (f[i].type != NEO4J_INT)
            goto bad_int;
    }
    out->type = (uint8_t) neo4j_type_for_tag(out->tag);
    return p;

bad_int:
    return dec_fail(d, at, "%s field %u must be an Integer, not %s %s", name, i,
                    a_an(type_name_of(&f[i])), type_name_of(&f[i]));

bad_count:
    return dec_fail(d, at, "%s structure with %u fields (expected %s)", name, n, want);

unknown:
    out->type = NEO4J_STRUCT;
    return p;
}

static const uint8_t *dec_value(ps_decoder *d, const uint8_t *p, neo4j_value *out, unsigned depth);

static inline void
set_value(neo4j_value *out, neo4j_type type, uint32_t size)
{
    out->type = (uint8_t) type;
    out->tag = 0;
    out->flags = 0;
    out->size = size;
}

static const uint8_t *
dec_value(ps_decoder *d, const uint8_t *p, neo4j_value *out, unsigned depth)
{
    const uint8_t *at = p;
    uint32_t n, i;
    uint8_t m;

    if (p >= d->end)
        return dec_fail(d, p, "truncated input, expected a value");
    m = *p++;

    switch (m >> 4)
    {
        case 0x0: case 0x1: case 0x2: case 0x3:
        case 0x4: case 0x5: case 0x6: case 0x7:
            set_value(out, NEO4J_INT, 0);
            out->u.integer = m;
            return p;
        case 0xF:
            set_value(out, NEO4J_INT, 0);
            out->u.integer = (int8_t) m;
            return p;
        case 0x8:
            n = m & 0x0F;
            goto string;
        case 0x9:
            n = m & 0x0F;
            goto list;
        case 0xA:
            n = m & 0x0F;
            goto map;
        case 0xB:
            n = m & 0x0F;
            goto structure;
        case 0xC:
            switch (m)
            {
                case 0xC0:
                    set_value(out, NEO4J_NULL, 0);
                    out->u.integer = 0;
                    return p;
                case 0xC1:
                {
                    uint64_t bits;

                    if (d->end - p < 8)
                        goto truncated;
                    bits = load64(p);
                    set_value(out, NEO4J_FLOAT, 0);
                    memcpy(&out->u.real, &bits, sizeof bits);
                    return p + 8;
                }
                case 0xC2:
                case 0xC3:
                    set_value(out, NEO4J_BOOL, 0);
                    out->u.integer = 0;
                    out->u.boolean = m == 0xC3;
                    return p;
                case 0xC8:
                    if (d->end - p < 1)
                        goto truncated;
                    set_value(out, NEO4J_INT, 0);
                    out->u.integer = (int8_t) p[0];
                    return p + 1;
                case 0xC9:
                    if (d->end - p < 2)
                        goto truncated;
                    set_value(out, NEO4J_INT, 0);
                    out->u.integer = (int16_t) load16(p);
                    return p + 2;
                case 0xCA:
                    if (d->end - p < 4)
                        goto truncated;
                    set_value(out, NEO4J_INT, 0);
                    out->u.integer = (int32_t) load32(p);
                    return p + 4;
                case 0xCB:
                    if (d->end - p < 8)
                        goto truncated;
                    set_value(out, NEO4J_INT, 0);
                    out->u.integer = (int64_t) load64(p);
                    return p + 8;
                case 0xCC:
                    if (d->end - p < 1)
                        goto truncated;
                    n = p[0];
                    p += 1;
                    goto bytes;
                case 0xCD:
                    if (d->end - p < 2)
                        goto truncated;
                    n = load16(p);
                    p += 2;
                    goto bytes;
                case 0xCE:
                    if (d->end - p < 4)
                        goto truncated;
                    n = load32(p);
                    p += 4;
                    goto bytes;
                default:
                    goto bad_marker;
            }
        case 0xD:
            switch (m)
            {
                case 0xD0:
                case 0xD4:
                case 0xD8:
                    if (d->end - p < 1)
                        goto truncated;
                    n = p[0];
                    p += 1;
                    break;
                case 0xD1:
                case 0xD5:
                case 0xD9:
                    if (d->end - p < 2)
                        goto truncated;
                    n = load16(p);
                    p += 2;
                    break;
                case 0xD2:
                case 0xD6:
                case 0xDA:
                    if (d->end - p < 4)
                        goto truncated;
                    n = load32(p);
                    p += 4;
                    break;
                default:
                    goto bad_marker;
            }
            if (m <= 0xD2)
                goto string;
            if (m <= 0xD6)
                goto list;
            goto map;
        default:
            goto bad_marker;
    }

string:
    if (n > (size_t) (d->end - p))
        return dec_fail(d, at, "String of %u bytes but only %zu bytes remain", n, (size_t) (d->end - p));
    set_value(out, NEO4J_STRING, n);
    out->u.string = (const char *) p;
    return p + n;

bytes:
    if (n > (size_t) (d->end - p))
        return dec_fail(d, at, "Bytes of %u bytes but only %zu bytes remain", n, (size_t) (d->end - p));
    set_value(out, NEO4J_BYTES, n);
    out->u.bytes = p;
    return p + n;

list:
{
    neo4j_value *items = NULL;

    /* every item takes at least one byte */
    if (n > (size_t) (d->end - p))
        return dec_fail(d, at, "List of %u items but only %zu bytes remain", n, (size_t) (d->end - p));
    if (depth >= d->max_depth)
        return dec_fail(d, at, "values nested deeper than %u levels", d->max_depth);
    if (n > 0)
    {
        items = dec_alloc(d, n, sizeof *items);
        if (!items)
            return dec_oom(d);
        for (i = 0; i < n; i++)
        {
            p = dec_value(d, p, &items[i], depth + 1);
            if (!p)
                return NULL;
        }
    }
    set_value(out, NEO4J_LIST, n);
    out->u.items = items;
    return p;
}

map:
{
    neo4j_map_entry *entries = NULL;

    /* every entry takes at least two bytes: a key and a value */
    if (n > (size_t) (d->end - p) / 2)
        return dec_fail(d, at, "Map of %u entries but only %zu bytes remain", n, (size_t) (d->end - p));
    if (depth >= d->max_depth)
        return dec_fail(d, at, "values nested deeper than %u levels", d->max_depth);
    if (n > 0)
    {
        entries = dec_alloc(d, n, sizeof *entries);
        if (!entries)
            return dec_oom(d);
        for (i = 0; i < n; i++)
        {
            neo4j_map_entry *e = &entries[i];
            const uint8_t *kat = p;
            uint32_t kn;
            uint8_t km;

            if (p >= d->end)
                return dec_fail(d, p, "truncated input, expected a map key");
            km = *p++;
            if ((km & 0xF0) == 0x80)
                kn = km & 0x0F;
            else if (km == 0xD0 && d->end - p >= 1)
                kn = p[0], p += 1;
            else if (km == 0xD1 && d->end - p >= 2)
                kn = load16(p), p += 2;
            else if (km == 0xD2 && d->end - p >= 4)
                kn = load32(p), p += 4;
            else if (km >= 0xD0 && km <= 0xD2)
                return dec_fail(d, p, "truncated input, expected a String size");
            else
                return dec_fail(d, kat, "map key must be a String, not marker 0x%02X", km);
            if (kn > (size_t) (d->end - p))
                return dec_fail(d, kat, "String of %u bytes but only %zu bytes remain",
                                kn, (size_t) (d->end - p));
            set_value(&e->key, NEO4J_STRING, kn);
            e->key.u.string = (const char *) p;
            p += kn;
            p = dec_value(d, p, &e->value, depth + 1);
            if (!p)
                return NULL;
        }
    }
    set_value(out, NEO4J_MAP, n);
    out->u.entries = entries;
    return p;
}

structure:
{
    neo4j_value *fields = NULL;

    if (p >= d->end)
        return dec_fail(d, p, "truncated input, expected a structure tag");
    set_value(out, NEO4J_STRUCT, n);
    out->tag = *p++;
    if (n > (size_t) (d->end - p))
        return dec_fail(d, at, "structure of %u fields but only %zu bytes remain", n, (size_t) (d->end - p));
    if (depth >= d->max_depth)
        return dec_fail(d, at, "values nested deeper than %u levels", d->max_depth);
    if (n > 0)
    {
        fields = dec_alloc(d, n, sizeof *fields);
        if (!fields)
            return dec_oom(d);
        for (i = 0; i < n; i++)
        {
            p = dec_value(d, p, &fields[i], depth + 1);
            if (!p)
                return NULL;
        }
    }
    out->u.items = fields;
    return dec_structure(d, at, p, out, fields);
}

truncated:
    return dec_fail(d, at, "truncated input inside a value with marker 0x%02X", m);

bad_marker:
    return dec_fail(d, at, "unknown marker 0x%02X", m);
}

static void
dec_init(ps_decoder *d, const uint8_t *data, size_t len, neo4j_arena *arena, const ps_options *opts,
         neo4j_error *err)
{
    d->start = data;
    d->end = data + len;
    d->arena = arena;
    d->err = err;
    d->max_depth = opts && opts->max_depth ? opts->max_depth : PS_DEFAULT_MAX_DEPTH;
    d->utc = opts && opts->utc_datetime;
    d->vector = opts && opts->vector;
}

int
ps_unpack_value(const uint8_t *data, size_t len, neo4j_arena *arena, const ps_options *opts,
                neo4j_value *out, size_t *used, neo4j_error *err)
{
    ps_decoder d;
    const uint8_t *p;

    dec_init(&d, data, len, arena, opts, err);
    p = dec_value(&d, data, out, 0);
    if (!p)
        return -1;
    if (used)
        *used = (size_t) (p - data);
    return 0;
}

int
ps_unpack_message(const uint8_t *data, size_t len, neo4j_arena *arena, const ps_options *opts,
                  uint8_t *signature, const neo4j_value **fields, uint32_t *nfields, neo4j_error *err)
{
    ps_decoder d;
    const uint8_t *p = data;
    neo4j_value *f = NULL;
    uint32_t n, i;

    dec_init(&d, data, len, arena, opts, err);
    if (len == 0)
        return dec_fail(&d, p, "empty message"), -1;
    if ((data[0] & 0xF0) != 0xB0)
        return dec_fail(&d, p, "a message must be a structure, not marker 0x%02X", data[0]), -1;
    if (len < 2)
        return dec_fail(&d, p + 1, "truncated message, expected a signature"), -1;
    n = data[0] & 0x0F;
    p = data + 2;
    if (n > (size_t) (d.end - p))
        return dec_fail(&d, data, "message of %u fields but only %zu bytes remain", n, (size_t) (d.end - p)), -1;
    if (n > 0)
    {
        f = dec_alloc(&d, n, sizeof *f);
        if (!f)
            return dec_oom(&d), -1;
        for (i = 0; i < n; i++)
        {
            /* the message structure itself does not count towards the nesting limit */
            p = dec_value(&d, p, &f[i], 0);
            if (!p)
                return -1;
        }
    }
    if (p != d.end)
        return dec_fail(&d, p, "%zu bytes left over after the message", (size_t) (d.end - p)), -1;
    *signature = data[1];
    *fields = f;
    *nfields = n;
    return 0;
}
