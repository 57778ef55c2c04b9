/*
 * text.h — small text helpers: hex digits, UTF-8 sequences, JSON strings (internal).
 */
#ifndef NEO4J_TEXT_H
#define NEO4J_TEXT_H

#include "packstream.h"

/* Value of a hex digit, or -1. */
static inline int
neo4j_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid. */
size_t neo4j_utf8_sequence_length(const unsigned char *s, size_t n);
/* Bytes of the invalid sequence at s that one U+FFFD replaces (Unicode's "maximal subpart"). */
size_t neo4j_utf8_invalid_length(const unsigned char *s, size_t n);
/* The inside of a JSON string literal (no quotes); invalid UTF-8 becomes \uFFFD. */
void neo4j_buf_append_json_body(neo4j_buf *out, const char *s, size_t n);
/* A quoted JSON string. */
void neo4j_buf_append_json_string(neo4j_buf *out, const char *s, size_t n);

#endif
