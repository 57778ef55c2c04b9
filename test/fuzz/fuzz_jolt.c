/*
 * fuzz_jolt.c — libFuzzer target for the Jolt reader and writer.
 *
 * Every input goes through jolt_parse. A parse error must name a byte
 * offset. A parsed value goes through jolt_write; what the writer emits must
 * parse again (unless wrapping every value in a sigil object pushed it past
 * the nesting limit) and write out byte-identical, so reader and writer
 * agree on every value either can produce.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jolt.h"

static void
fail(const char *what, const neo4j_error *err)
{
    fprintf(stderr, "fuzz_jolt: %s: %s\n", what, err ? err->message : "");
    abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    neo4j_arena arena;
    neo4j_error err;
    neo4j_value v, again;
    neo4j_buf first, second;

    neo4j_arena_init(&arena);
    memset(&err, 0, sizeof err);
    if (jolt_parse((const char *) data, size, &arena, &v, &err) < 0)
    {
        if (err.category != NEO4J_ERROR_CLIENT || !strstr(err.message, "at byte "))
            fail("parse error without a category or offset", &err);
        neo4j_arena_free(&arena);
        return 0;
    }
    neo4j_buf_init(&first);
    neo4j_buf_init(&second);
    /* Writing may fail only on values java.time cannot show (zone offsets at the range's edge). */
    if (jolt_write(&first, &v, &err) == 0)
    {
        if (jolt_parse((const char *) first.data, first.len, &arena, &again, &err) < 0)
        {
            if (!strstr(err.message, "nesting deeper than"))
                fail("the writer's output does not parse", &err);
        }
        else
        {
            if (jolt_write(&second, &again, &err) < 0)
                fail("the re-parsed value does not write", &err);
            if (first.len != second.len || memcmp(first.data, second.data, first.len) != 0)
                fail("writing is not idempotent", NULL);
        }
    }
    else if (!strstr(err.message, "out of range"))
        fail("a parsed value does not write", &err);
    neo4j_buf_free(&first);
    neo4j_buf_free(&second);
    neo4j_arena_free(&arena);
    return 0;
}
