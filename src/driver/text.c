/*
 * text.c — UTF-8 checks and JSON string escaping shared by the driver's log
 * rendering and the command-line client.
 */
#include <stdio.h>
#include <string.h>

#include "text.h"

static void
append_cstr(neo4j_buf *b, const char *s)
{
    neo4j_buf_append(b, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid. */
size_t
neo4j_utf8_sequence_length(const unsigned char *s, size_t n)
{
    unsigned c = s[0];

    if (c < 0x80)
        return 1;
    if (c < 0xC2 || c > 0xF4)
        return 0;
    if (c < 0xE0)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0)
    {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
            return 0;   /* overlong, surrogate */
        return 3;
    }
    if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
        return 0;
    if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
        return 0;       /* overlong, beyond U+10FFFF */
    return 4;
}

/*
 * Bytes of the "maximal subpart" of an invalid sequence at s, each of which
 * is replaced by one U+FFFD (the Unicode-recommended practice).
 */
size_t
neo4j_utf8_invalid_length(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t need, i;
    unsigned lo = 0x80, hi = 0xBF;

    if (c < 0xC2 || c > 0xF4)
        return 1;
    need = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    for (i = 1; i < need && i < n; i++)
    {
        if (s[i] < lo || s[i] > hi)
            break;
        lo = 0x80;
        hi = 0xBF;
    }
    return i;
}

/* The inside of a JSON string literal (no quotes). */
void
neo4j_buf_append_json_body(neo4j_buf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *) str;
    size_t i = 0, run = 0;

    while (i < n)
    {
        unsigned char c = s[i];
        size_t k;
        char esc[8];

        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80)
        {
            i++;
            continue;
        }
        if (c >= 0x80 && (k = neo4j_utf8_sequence_length(s + i, n - i)) != 0)
        {
            i += k;
            continue;
        }
        if (i > run)
            neo4j_buf_append(b, s + run, i - run);
        switch (c)
        {
            case '"': append_cstr(b, "\\\""); break;
            case '\\': append_cstr(b, "\\\\"); break;
            case '\b': append_cstr(b, "\\b"); break;
            case '\f': append_cstr(b, "\\f"); break;
            case '\n': append_cstr(b, "\\n"); break;
            case '\r': append_cstr(b, "\\r"); break;
            case '\t': append_cstr(b, "\\t"); break;
            default:
                if (c < 0x20)
                {
                    snprintf(esc, sizeof esc, "\\u%04X", c);
                    append_cstr(b, esc);
                }
                break;
        }
        if (c >= 0x80)
        {
            append_cstr(b, "\\uFFFD");
            i += neo4j_utf8_invalid_length(s + i, n - i);
        }
        else
            i++;
        run = i;
    }
    if (i > run)
        neo4j_buf_append(b, s + run, i - run);
}

void
neo4j_buf_append_json_string(neo4j_buf *out, const char *s, size_t n)
{
    neo4j_buf_append(out, "\"", 1);
    if (n > 0 && s)
        neo4j_buf_append_json_body(out, s, n);
    neo4j_buf_append(out, "\"", 1);
}
