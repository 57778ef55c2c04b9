/*
 * ps_codec.c — our PackStream codec as a line filter, for cross-checks
 * against other implementations (test/crosscheck/crosscheck.js).
 *
 * Each input line is "MODE HEX":
 *   MODE  v<d>[<e>] decodes HEX as one value, m<d>[<e>] as one Bolt message;
 *         d is the protocol the bytes are read with, e the one they are
 *         written back with (default d): 4 = Bolt 4.4 (legacy DateTime),
 *         5 = Bolt 5.x (UTC DateTime), 6 = Bolt 6.0 (also Vector).
 *   HEX   the PackStream bytes (may be empty).
 * Each input line gives one output line:
 *   ok JSON HEX     decoded value described as JSON, and its re-encoding;
 *   ok JSON !CODE   decoded, but the encoder refused it (CODE = error code);
 *   err MESSAGE     the decoder refused the input.
 *
 * JSON (no spaces): null, true, false, {"i":"<decimal>"}, {"f":"<16 hex
 * digits of the IEEE bits>"}, {"s":"<hex of UTF-8>"}, {"b":"<hex>"}, [items],
 * {"m":[["<key hex>",value],...]}, {"t":"<type name>","tag":N,"flags":N,
 * "f":[fields]}; a message is {"sig":N,"f":[fields]}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packstream.h"
#include "text.h"

static const char hexdigits[] = "0123456789abcdef";

static void
put(neo4j_buf *o, const char *s)
{
    neo4j_buf_append(o, s, strlen(s));
}

static void
put_hex(neo4j_buf *o, const uint8_t *p, size_t n)
{
    size_t i;

    if (!neo4j_buf_reserve(o, 2 * n))
        return;
    for (i = 0; i < n; i++)
    {
        o->data[o->len++] = (uint8_t) hexdigits[p[i] >> 4];
        o->data[o->len++] = (uint8_t) hexdigits[p[i] & 15];
    }
}

static void
describe(neo4j_buf *o, const neo4j_value *v)
{
    char tmp[64];
    uint32_t i;

    switch ((neo4j_type) v->type)
    {
        case NEO4J_NULL:
            put(o, "null");
            return;
        case NEO4J_BOOL:
            put(o, v->u.boolean ? "true" : "false");
            return;
        case NEO4J_INT:
            snprintf(tmp, sizeof tmp, "{\"i\":\"%lld\"}", (long long) v->u.integer);
            put(o, tmp);
            return;
        case NEO4J_FLOAT:
        {
            uint64_t bits;

            memcpy(&bits, &v->u.real, sizeof bits);
            snprintf(tmp, sizeof tmp, "{\"f\":\"%016llx\"}", (unsigned long long) bits);
            put(o, tmp);
            return;
        }
        case NEO4J_STRING:
        case NEO4J_BYTES:
            put(o, v->type == NEO4J_STRING ? "{\"s\":\"" : "{\"b\":\"");
            put_hex(o, v->u.bytes, v->size);
            put(o, "\"}");
            return;
        case NEO4J_LIST:
            put(o, "[");
            for (i = 0; i < v->size; i++)
            {
                if (i)
                    put(o, ",");
                describe(o, &v->u.items[i]);
            }
            put(o, "]");
            return;
        case NEO4J_MAP:
            put(o, "{\"m\":[");
            for (i = 0; i < v->size; i++)
            {
                put(o, i ? ",[\"" : "[\"");
                put_hex(o, v->u.entries[i].key.u.bytes, v->u.entries[i].key.size);
                put(o, "\",");
                describe(o, &v->u.entries[i].value);
                put(o, "]");
            }
            put(o, "]}");
            return;
        default:
            snprintf(tmp, sizeof tmp, "{\"t\":\"%s\",\"tag\":%u,\"flags\":%u,\"f\":[",
                     neo4j_type_name((neo4j_type) v->type), v->tag, v->flags);
            put(o, tmp);
            for (i = 0; i < v->size; i++)
            {
                if (i)
                    put(o, ",");
                describe(o, &v->u.items[i]);
            }
            put(o, "]}");
            return;
    }
}


static bool
set_options(ps_options *o, char c)
{
    memset(o, 0, sizeof *o);
    switch (c)
    {
        case '4': return true;
        case '5': o->utc_datetime = true; return true;
        case '6': o->utc_datetime = true; o->vector = true; return true;
        default: return false;
    }
}

int
main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    neo4j_arena arena;
    neo4j_buf out, enc;
    uint8_t *bytes = NULL;
    size_t bytes_cap = 0;

    neo4j_arena_init(&arena);
    neo4j_buf_init(&out);
    neo4j_buf_init(&enc);

    while ((n = getline(&line, &cap, stdin)) >= 0)
    {
        ps_options dopts, eopts;
        neo4j_error err;
        char *hex, *mode = line;
        size_t len = 0, i;
        bool message, bad = false;
        int rc;

        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        hex = strchr(line, ' ');
        if (hex)
            *hex++ = '\0';
        else
            hex = line + n;

        message = mode[0] == 'm';
        if ((mode[0] != 'v' && !message) || !set_options(&dopts, mode[1]) ||
            !set_options(&eopts, mode[2] ? mode[2] : mode[1]))
        {
            printf("err bad mode \"%s\"\n", mode);
            continue;
        }

        if (strlen(hex) / 2 + 1 > bytes_cap)
        {
            bytes_cap = strlen(hex) / 2 + 1;
            bytes = realloc(bytes, bytes_cap);
            if (!bytes)
                return 1;
        }
        for (i = 0; hex[i] && hex[i + 1]; i += 2)
        {
            int hi = neo4j_hex_digit(hex[i]), lo = neo4j_hex_digit(hex[i + 1]);

            if (hi < 0 || lo < 0)
            {
                bad = true;
                break;
            }
            bytes[len++] = (uint8_t) (hi << 4 | lo);
        }
        if (bad || hex[i])
        {
            printf("err bad hex\n");
            continue;
        }

        neo4j_arena_reset(&arena);
        neo4j_buf_reset(&out);
        neo4j_buf_reset(&enc);
        neo4j_error_clear(&err);

        if (message)
        {
            uint8_t sig;
            const neo4j_value *fields;
            uint32_t nf, k;
            char tmp[32];

            rc = ps_unpack_message(bytes, len, &arena, &dopts, &sig, &fields, &nf, &err);
            if (rc == 0)
            {
                snprintf(tmp, sizeof tmp, "{\"sig\":%u,\"f\":[", sig);
                put(&out, tmp);
                ps_pack_struct_header(&enc, (uint8_t) nf, sig);
                for (k = 0; k < nf; k++)
                {
                    if (k)
                        put(&out, ",");
                    describe(&out, &fields[k]);
                    if (rc == 0)
                        rc = ps_pack_value(&enc, &fields[k], &eopts, &err) < 0 ? 1 : 0;
                }
                put(&out, "]}");
            }
        }
        else
        {
            neo4j_value v;
            size_t used = 0;

            rc = ps_unpack_value(bytes, len, &arena, &dopts, &v, &used, &err);
            if (rc == 0 && used != len)
            {
                neo4j_error_set(&err, NEO4J_ERROR_PROTOCOL, NEO4J_CODE_PROTOCOL,
                                "%zu bytes left over after the value", len - used);
                rc = -1;
            }
            if (rc == 0)
            {
                describe(&out, &v);
                rc = ps_pack_value(&enc, &v, &eopts, &err) < 0 ? 1 : 0;
            }
        }

        if (rc < 0)
        {
            printf("err %s\n", err.message);
            continue;
        }
        fputs("ok ", stdout);
        fwrite(out.data, 1, out.len, stdout);
        fputc(' ', stdout);
        if (rc > 0)
            printf("!%s\n", err.code);
        else
        {
            neo4j_buf_reset(&out);
            put_hex(&out, enc.data, enc.len);
            fwrite(out.data, 1, out.len, stdout);
            fputc('\n', stdout);
        }
    }
    free(line);
    free(bytes);
    neo4j_buf_free(&out);
    neo4j_buf_free(&enc);
    neo4j_arena_free(&arena);
    return 0;
}
