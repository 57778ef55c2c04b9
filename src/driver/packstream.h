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

/* How a value is packed / read for a negotiated protocol version.
 * A NULL ps_options pointer means all-zero options (Bolt 4.4 without the
 * utc patch, no Vector, default depth). */
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
 * Packs a whole value tree. Fails (-1, err set, category CLIENT) on values
 * that cannot be sent: a map key that is not a string, a structure with more
 * than 15 fields, nesting deeper than max_depth (code INVALID_ARGUMENT); a
 * Vector/UnsupportedType without opts->vector, or a DateTimeZoneId whose
 * seconds would have to be converted between UTC and local time, which needs
 * a time-zone database (code UNSUPPORTED). A DateTime (0x49, UTC seconds) is
 * written as legacy 0x46 with local seconds when !opts->utc_datetime; one
 * built by hand as 0x46 is converted the other way on UTC connections. A
 * DateTimeZoneId goes out as 0x66 only if it carries NEO4J_FLAG_LOCAL_SECONDS
 * (or was built with tag 0x66), as 0x69 only if it does not. On failure the
 * buffer is left as it was (unless it ran out of memory: .failed).
 */
int ps_pack_value(neo4j_buf *buf, const neo4j_value *value, const ps_options *opts, neo4j_error *err);

/*
 * Decodes one value from data[0..len). On success returns 0, stores the value
 * in *out and the number of bytes used in *used (may be NULL). Structures are
 * checked against their expected shape (field count, 4.x or 5.x form, and
 * field types; Path indices must stay within its nodes and relationships) and
 * get their neo4j_type; unknown tags stay NEO4J_STRUCT. Legacy DateTime (0x46)
 * is converted to UTC form (0x49, seconds - offset); legacy DateTimeZoneId
 * (0x66) becomes tag 0x69 with NEO4J_FLAG_LOCAL_SECONDS. 0x46/0x66 are only
 * accepted when !opts->utc_datetime and 0x49/0x69 only when it is set; Vector
 * (0x56) and UnsupportedType (0x3F) are typed only with opts->vector (else
 * plain structures). Nesting: at most max_depth lists/maps/structures inside
 * each other. Strings are not checked for valid UTF-8.
 * Returns -1 with a PROTOCOL error ("PackStream: ... at offset N") on
 * malformed input, or a CLIENT/OutOfMemory error if the arena fails.
 */
int ps_unpack_value(const uint8_t *data, size_t len, neo4j_arena *arena, const ps_options *opts,
                    neo4j_value *out, size_t *used, neo4j_error *err);

/*
 * Decodes one whole Bolt message (a structure whose tag is the message
 * signature). The fields are returned as an array of *nfields values
 * (NULL when there are none), allocated in the arena. The message must use
 * exactly len bytes. The message structure itself does not count towards
 * the nesting limit: each field may nest max_depth levels.
 */
int ps_unpack_message(const uint8_t *data, size_t len, neo4j_arena *arena, const ps_options *opts,
                      uint8_t *signature, const neo4j_value **fields, uint32_t *nfields, neo4j_error *err);

#endif
