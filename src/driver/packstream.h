/*
 * packstream.h — PackStream v1 encoder and decoder (internal).
 *
 * The encoder appends to a growable byte buffer. The decoder is bounded: it
 * never reads past the input, rejects sizes larger than the bytes that
 * arrived, and limits nesting depth. Decoded strings and bytes point into the
 * input (zero copy); value nodes come from an arena.
 */
#ifndef NEO4J_PACKSTREAM_H
#define NEO4J_PACKSTREAM_H

#include "neo4j.h"
#include "arena.h"

/* Growable output buffer (malloc). On allocation failure .failed is set and
 * further appends are ignored, so callers check once at the end. */
typedef struct neo4j_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    bool failed;
} neo4j_buf;

void neo4j_buf_init(neo4j_buf *buf);
void neo4j_buf_free(neo4j_buf *buf);
void neo4j_buf_reset(neo4j_buf *buf);
bool neo4j_buf_reserve(neo4j_buf *buf, size_t extra);
void neo4j_buf_append(neo4j_buf *buf, const void *data, size_t len);

/* How a value is packed / read for a negotiated protocol version. */
typedef struct ps_options {
    bool utc_datetime;        /* Bolt 5.0+, or 4.4 with patch_bolt utc: tags 0x49/0x69 */
    bool vector;              /* Bolt 6.0: Vector / UnsupportedType structures */
    unsigned max_depth;       /* nesting limit while decoding; 0 = PS_DEFAULT_MAX_DEPTH */
} ps_options;

#define PS_DEFAULT_MAX_DEPTH 64

/* Primitive writers. */
void ps_pack_null(neo4j_buf *buf);
void ps_pack_bool(neo4j_buf *buf, bool b);
void ps_pack_int(neo4j_buf *buf, int64_t i);        /* smallest encoding */
void ps_pack_float(neo4j_buf *buf, double d);
void ps_pack_string(neo4j_buf *buf, const char *s, size_t n);
void ps_pack_cstring(neo4j_buf *buf, const char *s);
void ps_pack_bytes(neo4j_buf *buf, const uint8_t *b, size_t n);
void ps_pack_list_header(neo4j_buf *buf, uint32_t n);
void ps_pack_map_header(neo4j_buf *buf, uint32_t n);
void ps_pack_struct_header(neo4j_buf *buf, uint8_t nfields, uint8_t tag);

/*
 * Packs a whole value tree. Fails (-1, err set) on values that cannot be sent:
 * a map key that is not a string, a structure with more than 15 fields, a
 * zoned legacy DateTime that would need a time-zone database, etc.
 */
int ps_pack_value(neo4j_buf *buf, const neo4j_value *value, const ps_options *opts, neo4j_error *err);

/*
 * Decodes one value from data[0..len). On success returns 0, stores the value
 * in *out and the number of bytes used in *used. Structures are checked
 * against their expected shape (field count and field types) and get their
 * neo4j_type; legacy DateTime (0x46) is converted to UTC form (0x49) when
 * !opts->utc_datetime. Returns -1 with a PROTOCOL error on malformed input.
 */
int ps_unpack_value(const uint8_t *data, size_t len, neo4j_arena *arena, const ps_options *opts,
                    neo4j_value *out, size_t *used, neo4j_error *err);

/*
 * Decodes one whole Bolt message (a structure whose tag is the message
 * signature). The fields are returned as an array of *nfields values.
 * The message must use exactly len bytes.
 */
int ps_unpack_message(const uint8_t *data, size_t len, neo4j_arena *arena, const ps_options *opts,
                      uint8_t *signature, const neo4j_value **fields, uint32_t *nfields, neo4j_error *err);

#endif
