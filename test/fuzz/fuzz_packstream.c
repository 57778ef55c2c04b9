/*
 * fuzz_packstream.c — libFuzzer target for the PackStream decoder.
 *
 * Every input is decoded as one value and as one message, once with Bolt 4.4
 * options (legacy DateTime) and once with Bolt 6.0 options (UTC DateTime,
 * Vector). Whatever decodes must re-encode with the same options, decode
 * again to an equal value, and re-encode to the very same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packstream.h"

static const ps_options option_sets[] = {
    {false, false, 0},   /* Bolt 4.4: 0x46 / 0x66 */
    {true, true, 0},     /* Bolt 6.0: 0x49 / 0x69, Vector, UnsupportedType */
};

#define ASSERT(cond, what) do { \
        if (!(cond)) { fprintf(stderr, "fuzz_packstream: %s (%s)\n", what, err.message); abort(); } \
    } while (0)

static neo4j_arena arena, arena2;
static neo4j_buf buf, buf2;

/* A failure must be a protocol error with a message. */
static void
check_failure(const neo4j_error *e)
{
    if (e->category != NEO4J_ERROR_PROTOCOL || strcmp(e->code, NEO4J_CODE_PROTOCOL) != 0 || !e->message[0])
    {
        fprintf(stderr, "fuzz_packstream: bad failure: %d %s %s\n", e->category, e->code, e->message);
        abort();
    }
}

static void
value_round_trip(const uint8_t *data, size_t size, const ps_options *opts)
{
    neo4j_error err;
    neo4j_value v, v2;
    size_t used = 0, used2 = 0;

    neo4j_error_clear(&err);
    neo4j_arena_reset(&arena);
    if (ps_unpack_value(data, size, &arena, opts, &v, &used, &err) != 0)
    {
        check_failure(&err);
        return;
    }
    ASSERT(used >= 1 && used <= size, "used out of range");

    neo4j_buf_reset(&buf);
    ASSERT(ps_pack_value(&buf, &v, opts, &err) == 0, "decoded value does not re-encode");
    neo4j_arena_reset(&arena2);
    ASSERT(ps_unpack_value(buf.data, buf.len, &arena2, opts, &v2, &used2, &err) == 0,
           "re-encoded value does not decode");
    ASSERT(used2 == buf.len, "re-encoded value not read whole");
    ASSERT(neo4j_value_equals(&v, &v2), "round trip changed the value");

    /* encoding is canonical: a second pass gives the same bytes */
    neo4j_buf_reset(&buf2);
    ASSERT(ps_pack_value(&buf2, &v2, opts, &err) == 0, "second re-encode failed");
    ASSERT(buf2.len == buf.len && memcmp(buf.data, buf2.data, buf.len) == 0, "encoding not stable");
}

static void
message_round_trip(const uint8_t *data, size_t size, const ps_options *opts)
{
    neo4j_error err;
    const neo4j_value *fields, *fields2;
    uint32_t n, n2, i;
    uint8_t sig, sig2;

    neo4j_error_clear(&err);
    neo4j_arena_reset(&arena);
    if (ps_unpack_message(data, size, &arena, opts, &sig, &fields, &n, &err) != 0)
    {
        check_failure(&err);
        return;
    }
    ASSERT(n <= 15, "too many message fields");

    neo4j_buf_reset(&buf);
    ps_pack_struct_header(&buf, (uint8_t) n, sig);
    for (i = 0; i < n; i++)
        ASSERT(ps_pack_value(&buf, &fields[i], opts, &err) == 0, "message field does not re-encode");
    neo4j_arena_reset(&arena2);
    ASSERT(ps_unpack_message(buf.data, buf.len, &arena2, opts, &sig2, &fields2, &n2, &err) == 0,
           "re-encoded message does not decode");
    ASSERT(sig == sig2 && n == n2, "message signature or field count changed");
    for (i = 0; i < n; i++)
        ASSERT(neo4j_value_equals(&fields[i], &fields2[i]), "message field changed");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    size_t k;

    if (!ready)
    {
        neo4j_arena_init(&arena);
        neo4j_arena_init(&arena2);
        neo4j_buf_init(&buf);
        neo4j_buf_init(&buf2);
        ready = true;
    }
    for (k = 0; k < sizeof option_sets / sizeof option_sets[0]; k++)
    {
        value_round_trip(data, size, &option_sets[k]);
        message_round_trip(data, size, &option_sets[k]);
    }
    return 0;
}
