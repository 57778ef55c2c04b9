/*
 * jolt.h — Jolt (Neo4j's typed JSON) reader and writer for the CLI.
 *
 * jolt_parse reads query parameters: strict RFC 8259 JSON in which an object
 * with exactly one key that is a Jolt sigil is read as that typed value
 * ({"Z": "42"} is an Integer, {"T": "2024-02-29"} a Date, ...), while every
 * other JSON value maps to the obvious type (integral numbers in int64 range
 * become Integer, other numbers Float, objects Map, arrays List).
 *
 * jolt_write renders any value in strict Jolt as Neo4j's HTTP API does
 * (application/vnd.neo4j.jolt-v2;strict=true): every value except null is a
 * one-key object naming its type.
 *
 * Both assume the "C" LC_NUMERIC locale (the default unless the program
 * calls setlocale).
 */
#ifndef NEO4J_JOLT_H
#define NEO4J_JOLT_H

#include <stddef.h>

#include "neo4j.h"
#include "arena.h"
#include "packstream.h"

/* JSON nesting limit of jolt_parse (arrays and objects, sigil objects included). */
#define JOLT_MAX_DEPTH 64
/* Value nesting limit of jolt_write (guards the stack against hostile trees). */
#define JOLT_MAX_WRITE_DEPTH 256

/*
 * Parses text[0..len) (one JSON document, optional surrounding whitespace)
 * into *out. Every node, string and byte array is allocated from arena, so
 * the result does not point into text. Returns 0, or -1 with a CLIENT /
 * Driver.InvalidArgument error naming the byte offset and what was expected.
 *
 * Sigils: Z Integer; R Float ("NaN", "Infinity", "-Infinity"; a plain
 * integer string is an Integer, as Neo4j writes integers outside the 32-bit
 * range with R); U String; ? Boolean; # Bytes (hex); [] List; {} Map (its
 * keys are never sigils); T Date, Time, LocalTime, DateTime,
 * DateTimeZoneId, LocalDateTime or Duration (ISO 8601; a zone id needs an
 * offset, e.g. 2024-01-01T10:00:00+01:00[Europe/Paris]); @ Point
 * ("SRID=4326;POINT(1.5 2.5)", "SRID=4979;POINT Z (1 2 3)"). Node,
 * Relationship and Path sigils are rejected: Neo4j does not take them as
 * parameters. Duplicate map keys are rejected.
 */
int jolt_parse(const char *text, size_t len, neo4j_arena *arena, neo4j_value *out, neo4j_error *err);

/*
 * Appends the strict Jolt rendering of *v to out. Returns 0, or -1 with err
 * set on a value that cannot be rendered (malformed structure, non-string
 * map key, out-of-range temporal, too deep, out of memory).
 */
int jolt_write(neo4j_buf *out, const neo4j_value *v, neo4j_error *err);


#endif
