/*
 * describe.c — compact, readable rendering of values for logs and messages.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bolt.h"
#include "text.h"

static void
append_text(neo4j_buf *out, const char *s)
{
    neo4j_buf_append(out, s, strlen(s));
}


static void
describe(neo4j_buf *out, const neo4j_value *v, size_t limit)
{
    char num[64];

    if (out->len >= limit)
        return;
    switch ((neo4j_type) v->type)
    {
        case NEO4J_NULL:
            append_text(out, "null");
            return;
        case NEO4J_BOOL:
            append_text(out, v->u.boolean ? "true" : "false");
            return;
        case NEO4J_INT:
            snprintf(num, sizeof num, "%" PRId64, v->u.integer);
            append_text(out, num);
            return;
        case NEO4J_FLOAT:
            snprintf(num, sizeof num, "%.17g", v->u.real);
            if (!strpbrk(num, ".eni"))
                strcat(num, ".0");
            append_text(out, num);
            return;
        case NEO4J_STRING:
            neo4j_buf_append_json_string(out, v->u.string, v->size);
            return;
        case NEO4J_BYTES:
            append_text(out, "#");
            for (uint32_t i = 0; i < v->size && out->len < limit; i++)
            {
                snprintf(num, sizeof num, "%02X", v->u.bytes[i]);
                append_text(out, num);
            }
            return;
        case NEO4J_LIST:
            append_text(out, "[");
            for (uint32_t i = 0; i < v->size && out->len < limit; i++)
            {
                if (i)
                    append_text(out, ", ");
                describe(out, &v->u.items[i], limit);
            }
            append_text(out, "]");
            return;
        case NEO4J_MAP:
            append_text(out, "{");
            for (uint32_t i = 0; i < v->size && out->len < limit; i++)
            {
                if (i)
                    append_text(out, ", ");
                neo4j_buf_append_json_string(out, v->u.entries[i].key.u.string, v->u.entries[i].key.size);
                append_text(out, ": ");
                describe(out, &v->u.entries[i].value, limit);
            }
            append_text(out, "}");
            return;
        default:
            /* structures: TypeName(field, field, ...) */
            append_text(out, neo4j_type_name((neo4j_type) v->type));
            append_text(out, "(");
            for (uint32_t i = 0; i < v->size && out->len < limit; i++)
            {
                if (i)
                    append_text(out, ", ");
                describe(out, &v->u.items[i], limit);
            }
            append_text(out, ")");
            return;
    }
}

void
neo4j_value_describe(neo4j_buf *out, const neo4j_value *value, size_t max)
{
    size_t limit = out->len + max;

    describe(out, value, limit);
    if (out->len > limit)
    {
        out->len = limit;
        append_text(out, "...");
    }
}
