/*
 * temporal.h — Neo4j's temporal values as ISO 8601 text, the calendar under
 * them, UTC offsets and time-zone ids (internal; plain C11, no Postgres).
 *
 * One implementation for every place that shows a temporal value: the CLI's
 * Jolt writer and the Postgres extension's text and jsonb rendering. Text is
 * what Neo4j prints (java.time's ISO forms):
 *
 *   Date            2024-02-29, +10000-01-01, -0001-01-01 (years beyond 9999
 *                   get '+', negative years at least 4 digits)
 *   LocalTime       12:30:00, 12:30:00.5 (fractions lose trailing zeros)
 *   Time            12:30:00+01:00, 12:30:00Z, 00:00:00-01:01:01 (offset 0 is
 *                   Z; offset seconds only when non-zero)
 *   LocalDateTime   2024-02-29T12:30:00
 *   DateTime        2024-02-29T12:30:00+01:00 (the local time at the offset)
 *   DateTimeZoneId  2024-07-01T12:00:00+02:00[Europe/Paris]; a zone id that
 *                   is an offset prints as that offset alone (+05:30); an
 *                   unknown zone as the UTC instant, 2024-07-01T10:00:00Z[Mars/Base],
 *                   or for legacy wall-clock values the wall clock,
 *                   2024-07-01T12:00:00[Mars/Base]
 *   Duration        P1Y2M3DT4H5M6.5S, PT-0.5S, PT0S (Neo4j's DurationValue)
 *
 * Values outside java.time's range (years -999999999 .. +999999999) are
 * out of range.
 */
#ifndef NEO4J_TEMPORAL_H
#define NEO4J_TEMPORAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "neo4j.h"

#define NEO4J_NANOS_PER_SECOND   INT64_C(1000000000)
#define NEO4J_SECONDS_PER_DAY    INT64_C(86400)
#define NEO4J_NANOS_PER_DAY      (NEO4J_NANOS_PER_SECOND * NEO4J_SECONDS_PER_DAY)
/* java.time's range, -999999999-01-01 .. +999999999-12-31, as days since 1970-01-01 */
#define NEO4J_MIN_EPOCH_DAY      INT64_C(-365243219162)
#define NEO4J_MAX_EPOCH_DAY      INT64_C(365241780471)
/* java.time's offsets are within +-18:00 */
#define NEO4J_MAX_OFFSET_SECONDS (18 * 3600)
/* the longest zone id looked up (and taken by the Jolt reader) */
#define NEO4J_MAX_ZONE_LEN       255
/* room for any temporal text but the zone id of a DateTimeZoneId (and its brackets) */
#define NEO4J_TEMPORAL_TEXT_MAX  96

/* ------------------------------------------------------------------ calendar */

/* Division and remainder rounding toward negative infinity (b > 0). */
static inline int64_t
neo4j_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    if (a % b != 0 && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static inline int64_t
neo4j_floor_mod(int64_t a, int64_t b)
{
    return a - neo4j_floor_div(a, b) * b;
}

/* Proleptic Gregorian, astronomical years (0 is 1 BC). */
bool neo4j_is_leap_year(int64_t year);
/* 28..31; 0 when month is not 1..12. */
int neo4j_days_in_month(int64_t year, int month);
/* Days since 1970-01-01 of a date; false when it is not a date (month 1..12,
 * day 1..days_in_month) or the count does not fit in 64 bits. */
bool neo4j_days_from_civil(int64_t year, int month, int day, int64_t *days);
/* The date of a day count; false only when the year would not fit (days
 * within 719468 of INT64_MAX). */
bool neo4j_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* ------------------------------------------------------------------ offsets and zones */

/*
 * A UTC offset at the start of s[0..n): [+-]HH, [+-]HH:MM, [+-]HHMM,
 * [+-]HH:MM:SS or [+-]HHMMSS, at most 18:00. Returns its length, 0 when s
 * does not start with '+' or '-', or -1 when it is malformed. *used (when
 * not NULL) is how far the text was read, also on failure; *why (when not
 * NULL) then says what was expected. *offset is in seconds east of UTC.
 */
int neo4j_offset_parse(const char *s, size_t n, int32_t *offset, size_t *used, const char **why);

/* A character of a zone id (Europe/Paris, Etc/GMT+1, UTC+01:00). */
static inline bool
neo4j_zone_id_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || c == '/' || c == '_' || c == '-' || c == '+' || c == '.' || c == ':';
}

/*
 * Finds the offsets of named zones. offset() gets a zone id (zone[0..len),
 * not NUL-terminated) and either a UTC instant (local false) or a wall-clock
 * time (local true), both as seconds since 1970-01-01, and sets *offset to
 * the zone's offset in seconds east of UTC: at that instant, or the one that
 * makes that wall-clock time an instant (local - *offset), by the resolver's
 * own rule for times that a transition skips or repeats. Returns 0, or -1
 * when it does not know the zone.
 */
typedef struct neo4j_zone_resolver {
    int (*offset)(void *ctx, const char *zone, size_t len, int64_t secs, bool local, int32_t *offset);
    void *ctx;
} neo4j_zone_resolver;

/*
 * The offset of any zone id at secs (as for neo4j_zone_resolver): ids that
 * are fixed offsets as java.time reads them (+01:00, +0100, UTC+01:00,
 * GMT+01:00, UT+01:00) here, others through zones (may be NULL). 0 or -1.
 */
int neo4j_zone_offset(const neo4j_zone_resolver *zones, const char *zone, size_t len, int64_t secs,
                      bool local, int32_t *offset);

/*
 * A resolver callback reading the system tz database: the TZif file of the
 * zone under $TZDIR or /usr/share/zoneinfo (read on every call; relative
 * names such as Europe/Berlin only). Wall-clock times are resolved as
 * java.time does: in an overlap the earlier offset, in a gap the offset
 * before it (so the time moves forward by the gap). ctx is unused.
 */
int neo4j_system_zone_offset(void *ctx, const char *zone, size_t len, int64_t secs, bool local,
                             int32_t *offset);

/* ------------------------------------------------------------------ values */

static inline bool
neo4j_type_is_temporal(int type)
{
    return type >= NEO4J_DATE && type <= NEO4J_DURATION;
}

/*
 * Whether a DateTime or DateTimeZoneId carries wall-clock seconds instead of
 * UTC seconds: a legacy DateTime (tag 0x46), a legacy DateTimeZoneId (tag
 * 0x66 or NEO4J_FLAG_LOCAL_SECONDS, as the decoder marks Neo4j 4.x values).
 */
bool neo4j_temporal_local_seconds(const neo4j_value *v);

#define NEO4J_TEMPORAL_MALFORMED    (-1)   /* not a temporal value of its type's shape */
#define NEO4J_TEMPORAL_OUT_OF_RANGE (-2)   /* beyond java.time's range, or overflows */

/*
 * Writes v (a Date ... Duration) as ISO 8601 text, the way Neo4j prints it,
 * into buf[0..cap), NUL-terminated and cut short when it does not fit, as
 * snprintf does. Returns the length of the whole text (so a result >= cap
 * means it was cut), NEO4J_TEMPORAL_MALFORMED or NEO4J_TEMPORAL_OUT_OF_RANGE.
 * Zone ids of DateTimeZoneId values are resolved through zones (may be NULL:
 * then only offset ids are known). The zone id is copied as it is (any bytes).
 * The text is at most NEO4J_TEMPORAL_TEXT_MAX bytes plus the zone id and 2.
 */
int neo4j_temporal_format(char *buf, size_t cap, const neo4j_value *v, const neo4j_zone_resolver *zones);

#endif
