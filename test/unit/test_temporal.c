/*
 * test_temporal.c — the driver's calendar, offsets, zone ids and temporal text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "temporal.h"
#include "testlib.h"

static char out[1024];
static const neo4j_zone_resolver *zones;

/* v as text; "ERR:MALFORMED" / "ERR:RANGE" on failure. */
static const char *
fmt(const neo4j_value *v)
{
    int n = neo4j_temporal_format(out, sizeof out, v, zones);

    if (n == NEO4J_TEMPORAL_MALFORMED)
        return "ERR:MALFORMED";
    if (n == NEO4J_TEMPORAL_OUT_OF_RANGE)
        return "ERR:RANGE";
    if (n < 0 || (size_t) n != strlen(out))
        return "ERR:LENGTH";
    return out;
}

static neo4j_value fields[4];

/* ------------------------------------------------------------------ calendar */

static void
test_calendar(void)
{
    int64_t days, y, expect;
    int m, d, bad = 0;

    CHECK(neo4j_is_leap_year(2024) && !neo4j_is_leap_year(1900) && neo4j_is_leap_year(2000)
          && neo4j_is_leap_year(0) && neo4j_is_leap_year(-4) && !neo4j_is_leap_year(-100)
          && neo4j_is_leap_year(-400) && !neo4j_is_leap_year(-1), "leap years, astronomical numbering");
    CHECK(neo4j_days_in_month(2024, 2) == 29 && neo4j_days_in_month(2023, 2) == 28
          && neo4j_days_in_month(2023, 12) == 31 && neo4j_days_in_month(2023, 4) == 30
          && neo4j_days_in_month(2023, 0) == 0 && neo4j_days_in_month(2023, 13) == 0, "days in a month");

    CHECK(neo4j_days_from_civil(1970, 1, 1, &days) && days == 0, "1970-01-01 is day 0");
    CHECK(neo4j_days_from_civil(2024, 2, 29, &days) && days == 19782, "2024-02-29 is day 19782");
    CHECK(neo4j_days_from_civil(1969, 12, 31, &days) && days == -1, "1969-12-31 is day -1");
    CHECK(neo4j_days_from_civil(-999999999, 1, 1, &days) && days == NEO4J_MIN_EPOCH_DAY,
          "-999999999-01-01 is java.time's first day");
    CHECK(neo4j_days_from_civil(999999999, 12, 31, &days) && days == NEO4J_MAX_EPOCH_DAY,
          "+999999999-12-31 is java.time's last day");
    CHECK(!neo4j_days_from_civil(2023, 2, 29, &days) && !neo4j_days_from_civil(2023, 13, 1, &days)
          && !neo4j_days_from_civil(2023, 0, 1, &days) && !neo4j_days_from_civil(2023, 1, 0, &days)
          && !neo4j_days_from_civil(2023, 4, 31, &days), "impossible dates are refused");
    CHECK(!neo4j_days_from_civil(INT64_MAX, 12, 31, &days) && !neo4j_days_from_civil(INT64_MIN, 1, 1, &days)
          && !neo4j_days_from_civil((INT64_MAX / 146097 + 1) * 400, 3, 1, &days)
          && neo4j_days_from_civil(INT64_MAX / 146097 * 400, 3, 1, &days),
          "years whose day count overflows are refused");

    /* a plain count year by year agrees with the era arithmetic */
    expect = 0;
    for (y = 1970; y < 3000; y++)
    {
        if (!neo4j_days_from_civil(y, 1, 1, &days) || days != expect)
            bad++;
        expect += neo4j_is_leap_year(y) ? 366 : 365;
    }
    expect = 0;
    for (y = 1969; y > -3000; y--)
    {
        expect -= neo4j_is_leap_year(y) ? 366 : 365;
        if (!neo4j_days_from_civil(y, 1, 1, &days) || days != expect)
            bad++;
    }
    CHECK(bad == 0, "January 1 of -2999 .. 2999 by counting years (%d wrong)", bad);

    /* every day of 800 years around the epoch, and windows at the edges */
    bad = 0;
    for (days = -146097; days <= 146097; days++)
    {
        int64_t back;

        if (!neo4j_civil_from_days(days, &y, &m, &d) || !neo4j_days_from_civil(y, m, d, &back) || back != days)
            bad++;
    }
    for (days = NEO4J_MIN_EPOCH_DAY - 1000; days <= NEO4J_MIN_EPOCH_DAY + 1000; days++)
    {
        int64_t back;

        if (!neo4j_civil_from_days(days, &y, &m, &d) || !neo4j_days_from_civil(y, m, d, &back) || back != days)
            bad++;
    }
    CHECK(bad == 0, "day -> date -> day round trips (%d wrong)", bad);

    CHECK(neo4j_civil_from_days(NEO4J_MAX_EPOCH_DAY, &y, &m, &d) && y == 999999999 && m == 12 && d == 31,
          "the last java.time day");
    CHECK(neo4j_civil_from_days(-719468, &y, &m, &d) && y == 0 && m == 3 && d == 1, "0000-03-01");
    CHECK(neo4j_civil_from_days(INT64_MIN, &y, &m, &d) && m >= 1 && m <= 12 && d >= 1 && d <= 31,
          "INT64_MIN days has a date");
    {
        int64_t back;

        CHECK(neo4j_days_from_civil(y, m, d, &back) && back == INT64_MIN, "and it round-trips");
    }
    CHECK(neo4j_civil_from_days(INT64_MAX - 719468, &y, &m, &d), "the last day with a date");
    CHECK(!neo4j_civil_from_days(INT64_MAX - 719467, &y, &m, &d) && !neo4j_civil_from_days(INT64_MAX, &y, &m, &d),
          "days whose year would overflow are refused");
    CHECK(neo4j_floor_div(-1, 86400) == -1 && neo4j_floor_mod(-1, 86400) == 86399 && neo4j_floor_div(86400, 86400) == 1
          && neo4j_floor_mod(0, 7) == 0 && neo4j_floor_div(-86400, 86400) == -1, "floor division");
}

/* ------------------------------------------------------------------ offsets */

static void
test_offsets(void)
{
    int32_t off = 0;
    size_t used = 99;
    const char *why = NULL;

    CHECK(neo4j_offset_parse("+01:00", 6, &off, &used, &why) == 6 && off == 3600 && used == 6, "+01:00");
    CHECK(neo4j_offset_parse("-05", 3, &off, NULL, NULL) == 3 && off == -18000, "-05");
    CHECK(neo4j_offset_parse("+0130", 5, &off, NULL, NULL) == 5 && off == 5400, "+0130");
    CHECK(neo4j_offset_parse("+013015", 7, &off, NULL, NULL) == 7 && off == 5415, "+013015");
    CHECK(neo4j_offset_parse("-01:01:01", 9, &off, NULL, NULL) == 9 && off == -3661, "-01:01:01");
    CHECK(neo4j_offset_parse("+18:00", 6, &off, NULL, NULL) == 6 && off == 64800, "+18:00 is the limit");
    CHECK(neo4j_offset_parse("+01:00[Europe/Paris]", 20, &off, &used, NULL) == 6 && used == 6,
          "a prefix: the length of the offset");
    CHECK(neo4j_offset_parse("+01:0000", 8, &off, NULL, NULL) == 6, "+01:00 then digits: seconds need a colon");
    CHECK(neo4j_offset_parse("Z", 1, &off, &used, NULL) == 0 && used == 0, "no sign: no offset");
    CHECK(neo4j_offset_parse("", 0, &off, &used, NULL) == 0 && used == 0, "empty: no offset");
    CHECK(neo4j_offset_parse("+18:01", 6, &off, &used, &why) == -1 && strstr(why, "out of range") && used == 6,
          "beyond 18:00: %s", why);
    CHECK(neo4j_offset_parse("+01:60", 6, &off, NULL, &why) == -1 && strstr(why, "out of range"), "minute 60");
    CHECK(neo4j_offset_parse("+1", 2, &off, &used, &why) == -1 && strstr(why, "offset hour") && used == 2,
          "one hour digit: %s", why);
    CHECK(neo4j_offset_parse("+01:", 4, &off, &used, &why) == -1 && strstr(why, "minutes") && used == 4,
          "colon without minutes: %s", why);
    CHECK(neo4j_offset_parse("+013", 4, &off, NULL, &why) == -1 && strstr(why, "minutes"), "three digits");
    CHECK(neo4j_offset_parse("+01:00:", 7, &off, NULL, &why) == -1 && strstr(why, "seconds"),
          "colon without seconds: %s", why);

    CHECK(neo4j_zone_offset(NULL, "+05:30", 6, 0, false, &off) == 0 && off == 19800, "offset id");
    CHECK(neo4j_zone_offset(NULL, "+0530", 5, 0, true, &off) == 0 && off == 19800, "compact offset id");
    CHECK(neo4j_zone_offset(NULL, "UTC+01:00", 9, 0, false, &off) == 0 && off == 3600, "UTC+01:00");
    CHECK(neo4j_zone_offset(NULL, "GMT-05:00", 9, 0, false, &off) == 0 && off == -18000, "GMT-05:00");
    CHECK(neo4j_zone_offset(NULL, "UT+02", 5, 0, false, &off) == 0 && off == 7200, "UT+02");
    CHECK(neo4j_zone_offset(NULL, "Europe/Paris", 12, 0, false, &off) < 0, "a named zone without a resolver");
    CHECK(neo4j_zone_offset(NULL, "+01:00x", 7, 0, false, &off) < 0 && neo4j_zone_offset(NULL, "UTC", 3, 0, false, &off) < 0
          && neo4j_zone_offset(NULL, "UTC+", 4, 0, false, &off) < 0 && neo4j_zone_offset(NULL, "", 0, 0, false, &off) < 0,
          "not offsets");
    CHECK(neo4j_zone_id_char('/') && neo4j_zone_id_char(':') && !neo4j_zone_id_char(' ') && !neo4j_zone_id_char(']'),
          "zone id characters");
}

/* ------------------------------------------------------------------ a resolver for tests */

/* Whether the system tz database is there (for Europe/Paris and the like). */
static bool
tzdb_here(void)
{
    const char *dir = getenv("TZDIR");
    char path[512];

    snprintf(path, sizeof path, "%s/Europe/Paris", dir && *dir ? dir : "/usr/share/zoneinfo");
    return access(path, R_OK) == 0;
}

/*
 * "Test/Zone": +01:00, but +02:00 from 2024-03-31T01:00Z to 2024-10-27T01:00Z
 * (as Europe/Paris). Wall-clock times: overlap -> the earlier offset (+02:00),
 * gap -> the offset before it. Other zones from the system tz database.
 * Counts its calls.
 */
static int calls;

static int
test_zone(void *ctx, const char *zone, size_t len, int64_t secs, bool local, int32_t *offset)
{
    const int64_t start = 1711846800, end = 1729990800;

    (void) ctx;
    calls++;
    if (len != 9 || memcmp(zone, "Test/Zone", 9) != 0)
        return neo4j_system_zone_offset(NULL, zone, len, secs, local, offset);
    if (!local)
        *offset = secs >= start && secs < end ? 7200 : 3600;
    else if (secs - 7200 >= start && secs - 7200 < end)
        *offset = 7200;
    else
        *offset = 3600;
    return 0;
}

static const neo4j_zone_resolver test_zones = {test_zone, NULL};

/* ------------------------------------------------------------------ text */

/* One value (Integer fields, then the zone id as field 2 if any) and the text it has. */
typedef struct text_case
{
    uint8_t tag;
    uint16_t flags;
    int n;
    int64_t f[4];
    const char *zone;
    const char *want;
    const char *what;
} text_case;

#define D2024 INT64_C(19782)            /* 2024-02-29 */
#define LEGACY_ZONED NEO4J_TAG_LEGACY_DATE_TIME_ZONE_ID
#define ZONED NEO4J_TAG_DATE_TIME_ZONE_ID

static const text_case text_cases[] = {
    /* Date */
    {NEO4J_TAG_DATE, 0, 1, {D2024}, NULL,
     "2024-02-29", "Date"},
    {NEO4J_TAG_DATE, 0, 1, {0}, NULL,
     "1970-01-01", "the epoch"},
    {NEO4J_TAG_DATE, 0, 1, {-719529}, NULL,
     "-0001-12-31", "a negative year has 4 digits at least"},
    {NEO4J_TAG_DATE, 0, 1, {-719528}, NULL,
     "0000-01-01", "year 0"},
    {NEO4J_TAG_DATE, 0, 1, {2932896}, NULL,
     "9999-12-31", "9999 without a sign"},
    {NEO4J_TAG_DATE, 0, 1, {2932897}, NULL,
     "+10000-01-01", "beyond 9999 with '+'"},
    {NEO4J_TAG_DATE, 0, 1, {NEO4J_MAX_EPOCH_DAY}, NULL,
     "+999999999-12-31", "java.time's last day"},
    {NEO4J_TAG_DATE, 0, 1, {NEO4J_MIN_EPOCH_DAY}, NULL,
     "-999999999-01-01", "java.time's first day"},
    {NEO4J_TAG_DATE, 0, 1, {NEO4J_MAX_EPOCH_DAY + 1}, NULL,
     "ERR:RANGE", "after java.time's range"},
    {NEO4J_TAG_DATE, 0, 1, {NEO4J_MIN_EPOCH_DAY - 1}, NULL,
     "ERR:RANGE", "before java.time's range"},
    {NEO4J_TAG_DATE, 0, 1, {INT64_MIN}, NULL,
     "ERR:RANGE", "INT64_MIN days"},
    {NEO4J_TAG_DATE, 0, 0, {0}, NULL,
     "ERR:MALFORMED", "no fields"},
    /* LocalTime and Time */
    {NEO4J_TAG_LOCAL_TIME, 0, 1, {0}, NULL,
     "00:00:00", "midnight"},
    {NEO4J_TAG_LOCAL_TIME, 0, 1, {45000500000000}, NULL,
     "12:30:00.5", "fraction without trailing zeros"},
    {NEO4J_TAG_LOCAL_TIME, 0, 1, {NEO4J_NANOS_PER_DAY - 1}, NULL,
     "23:59:59.999999999", "the last nanosecond"},
    {NEO4J_TAG_LOCAL_TIME, 0, 1, {1}, NULL,
     "00:00:00.000000001", "one nanosecond"},
    {NEO4J_TAG_LOCAL_TIME, 0, 1, {NEO4J_NANOS_PER_DAY}, NULL,
     "ERR:MALFORMED", "24:00 is malformed"},
    {NEO4J_TAG_LOCAL_TIME, 0, 1, {-1}, NULL,
     "ERR:MALFORMED", "negative time is malformed"},
    {NEO4J_TAG_TIME, 0, 2, {45000000000000, 3600}, NULL,
     "12:30:00+01:00", "Time"},
    {NEO4J_TAG_TIME, 0, 2, {45000000000000, 0}, NULL,
     "12:30:00Z", "offset 0 is Z"},
    {NEO4J_TAG_TIME, 0, 2, {0, -3661}, NULL,
     "00:00:00-01:01:01", "offset seconds when non-zero"},
    {NEO4J_TAG_TIME, 0, 2, {0, 64800}, NULL,
     "00:00:00+18:00", "+18:00"},
    {NEO4J_TAG_TIME, 0, 2, {0, 64801}, NULL,
     "ERR:MALFORMED", "offset beyond 18:00 is malformed"},
    /* LocalDateTime and DateTime */
    {NEO4J_TAG_LOCAL_DATE_TIME, 0, 2, {D2024 * 86400 + 43200, 0}, NULL,
     "2024-02-29T12:00:00", "LocalDateTime"},
    {NEO4J_TAG_LOCAL_DATE_TIME, 0, 2, {-1, 500000000}, NULL,
     "1969-12-31T23:59:59.5", "before the epoch"},
    {NEO4J_TAG_LOCAL_DATE_TIME, 0, 2, {0, NEO4J_NANOS_PER_SECOND}, NULL,
     "ERR:MALFORMED", "nanoseconds of 1e9"},
    {NEO4J_TAG_LOCAL_DATE_TIME, 0, 2, {INT64_MAX, 0}, NULL,
     "ERR:RANGE", "INT64_MAX seconds"},
    {NEO4J_TAG_DATE_TIME, 0, 3, {4500, 42, 3600}, NULL,
     "1970-01-01T02:15:00.000000042+01:00", "DateTime: UTC seconds shown at the offset (the Bolt spec's example)"},
    {NEO4J_TAG_LEGACY_DATE_TIME, 0, 3, {4500, 42, 3600}, NULL,
     "1970-01-01T01:15:00.000000042+01:00", "legacy DateTime: wall-clock seconds"},
    {NEO4J_TAG_DATE_TIME, NEO4J_FLAG_LOCAL_SECONDS, 3, {4500, 0, 3600}, NULL,
     "1970-01-01T02:15:00+01:00", "the flag is for DateTimeZoneId only"},
    {NEO4J_TAG_DATE_TIME, 0, 3, {INT64_MAX, 0, 3600}, NULL,
     "ERR:RANGE", "DateTime overflow"},
    {NEO4J_TAG_DATE_TIME, 0, 3, {0, -1, 0}, NULL,
     "ERR:MALFORMED", "negative nanoseconds"},
    {NEO4J_TAG_DATE_TIME, 0, 3, {0, 0, -64801}, NULL,
     "ERR:MALFORMED", "offset beyond -18:00"},
    /* DateTimeZoneId (Test/Zone resolved by test_zone) */
    {ZONED, 0, 2, {1704099600, 0}, "Test/Zone",
     "2024-01-01T10:00:00+01:00[Test/Zone]", "zone id: local time, offset, zone"},
    {ZONED, 0, 2, {1719828000, 5}, "Test/Zone",
     "2024-07-01T12:00:00.000000005+02:00[Test/Zone]", "summer"},
    {ZONED, 0, 2, {1704099600, 0}, "Mars/Base",
     "2024-01-01T09:00:00Z[Mars/Base]", "unknown zone: the UTC instant"},
    {LEGACY_ZONED, 0, 2, {1704103200, 0}, "Mars/Base",
     "2024-01-01T10:00:00[Mars/Base]", "unknown zone, legacy: the wall clock"},
    {LEGACY_ZONED, 0, 2, {1704103200, 0}, "Test/Zone",
     "2024-01-01T10:00:00+01:00[Test/Zone]", "legacy tag: wall-clock seconds"},
    {ZONED, NEO4J_FLAG_LOCAL_SECONDS, 2, {1704103200, 0}, "Test/Zone",
     "2024-01-01T10:00:00+01:00[Test/Zone]", "NEO4J_FLAG_LOCAL_SECONDS: wall-clock seconds"},
    /* 2024-03-31T02:30 local does not exist: the resolver's offset (+01:00) makes it 01:30Z, 03:30+02:00 */
    {LEGACY_ZONED, 0, 2, {1711852200, 0}, "Test/Zone",
     "2024-03-31T03:30:00+02:00[Test/Zone]", "a wall-clock time in a gap moves forward"},
    {LEGACY_ZONED, 0, 2, {1729996200, 0}, "Test/Zone",
     "2024-10-27T02:30:00+02:00[Test/Zone]", "in an overlap the resolver's choice"},
    {ZONED, 0, 2, {1704099600, 0}, "+05:30",
     "2024-01-01T14:30:00+05:30", "an offset id prints as the offset alone"},
    {ZONED, 0, 2, {1704099600, 0}, "-0100",
     "2024-01-01T08:00:00-01:00", "a compact offset id too"},
    {LEGACY_ZONED, 0, 2, {1704099600, 0}, "+05:30",
     "2024-01-01T09:00:00+05:30", "legacy offset id: wall clock"},
    {ZONED, 0, 2, {1704099600, 0}, "UTC+01:00",
     "2024-01-01T10:00:00+01:00[UTC+01:00]", "UTC+01:00 keeps its id"},
    {ZONED, 0, 2, {1704099600, 0}, "GMT-05:00",
     "2024-01-01T04:00:00-05:00[GMT-05:00]", "GMT-05:00"},
    {ZONED, 0, 2, {1704099600, 0}, "UT+02:00",
     "2024-01-01T11:00:00+02:00[UT+02:00]", "UT+02:00"},
    {ZONED, 0, 2, {1704099600, 0}, "Europe/\"x\"",
     "2024-01-01T09:00:00Z[Europe/\"x\"]", "the zone id is copied as it is"},
    {ZONED, 0, 2, {0, 0}, "",
     "1970-01-01T00:00:00Z[]", "an empty zone id"},
    {ZONED, 0, 2, {(NEO4J_MAX_EPOCH_DAY + 1) * 86400, 0}, "+01:00",
     "ERR:RANGE", "past java.time's range at the offset"},
    {ZONED, 0, 2, {(NEO4J_MAX_EPOCH_DAY + 1) * 86400 - 3601, 0}, "+01:00",
     "+999999999-12-31T23:59:59+01:00", "the last second at +01:00"},
    {ZONED, 0, 2, {NEO4J_MIN_EPOCH_DAY * 86400 + 86399, 999999999}, "-01:01:01",
     "-999999999-01-01T22:58:58.999999999-01:01:01", "the longest date and time"},
    {ZONED, 0, 2, {INT64_MAX, 0}, "Test/Zone",
     "ERR:RANGE", "INT64_MAX"},
    {ZONED, 0, 2, {INT64_MIN, 0}, "Mars/Base",
     "ERR:RANGE", "INT64_MIN"},
    {ZONED, 0, 2, {0, NEO4J_NANOS_PER_SECOND}, "Test/Zone",
     "ERR:MALFORMED", "nanoseconds of 1e9"},
    {ZONED, 0, 3, {0, 0, 1}, NULL,
     "ERR:MALFORMED", "a zone id that is not a String"},
    {ZONED, 0, 2, {0, 0}, NULL,
     "ERR:MALFORMED", "no zone id"},
    /* Duration */
    {NEO4J_TAG_DURATION, 0, 4, {14, 3, 14706, 500000000}, NULL,
     "P1Y2M3DT4H5M6.5S", "Duration"},
    {NEO4J_TAG_DURATION, 0, 4, {0, 0, 0, 0}, NULL,
     "PT0S", "zero"},
    {NEO4J_TAG_DURATION, 0, 4, {0, 0, -1, 500000000}, NULL,
     "PT-0.5S", "-0.5 s"},
    {NEO4J_TAG_DURATION, 0, 4, {0, 0, -2, 500000000}, NULL,
     "PT-1.5S", "-1.5 s"},
    {NEO4J_TAG_DURATION, 0, 4, {0, 0, 0, -500000000}, NULL,
     "PT-0.5S", "negative nanoseconds are normalised"},
    {NEO4J_TAG_DURATION, 0, 4, {0, 0, 0, 1500000000}, NULL,
     "PT1.5S", "nanoseconds beyond a second"},
    {NEO4J_TAG_DURATION, 0, 4, {0, 0, -3662, 500000000}, NULL,
     "PT-1H-1M-1.5S", "negative hours and minutes"},
    {NEO4J_TAG_DURATION, 0, 4, {-14, -3, 0, 0}, NULL,
     "P-1Y-2M-3D", "negative months and days"},
    {NEO4J_TAG_DURATION, 0, 4, {0, 14, 58320, 0}, NULL,
     "P14DT16H12M", "days are not folded into months"},
    {NEO4J_TAG_DURATION, 0, 4, {0, 0, 129600, 0}, NULL,
     "PT36H", "hours are not folded into days"},
    {NEO4J_TAG_DURATION, 0, 4, {0, 0, 0, 1}, NULL,
     "PT0.000000001S", "one nanosecond"},
    {NEO4J_TAG_DURATION, 0, 4, {0, 0, INT64_MIN, -1}, NULL,
     "ERR:RANGE", "seconds underflow while normalising"},
    {NEO4J_TAG_DURATION, 0, 3, {0, 0, 0}, NULL,
     "ERR:MALFORMED", "three fields"},
    /* the rest needs the system tz database (Europe/Paris etc.) */
    {0, 0, 0, {0}, NULL,
     NULL, NULL},
    {ZONED, 0, 2, {-5364662400, 0}, "Europe/Berlin",
     "1800-01-01T00:53:28+00:53:28[Europe/Berlin]", "before the first transition: local mean time"},
    {ZONED, 0, 2, {1711846799, 0}, "Europe/Paris",
     "2024-03-31T01:59:59+01:00[Europe/Paris]", "before a switch"},
    {ZONED, 0, 2, {1711846800, 0}, "Europe/Paris",
     "2024-03-31T03:00:00+02:00[Europe/Paris]", "after it"},
    {LEGACY_ZONED, 0, 2, {1711852200, 0}, "Europe/Paris",
     "2024-03-31T03:30:00+02:00[Europe/Paris]", "a gap, as java.time shows it"},
    {LEGACY_ZONED, 0, 2, {1729996200, 0}, "Europe/Paris",
     "2024-10-27T02:30:00+02:00[Europe/Paris]", "an overlap, as java.time shows it"},
    {ZONED, 0, 2, {1717243200, 0}, "Asia/Kathmandu",
     "2024-06-01T17:45:00+05:45[Asia/Kathmandu]", "Kathmandu"},
    {ZONED, 0, 2, {4118040000, 0}, "Australia/Sydney",
     "2100-06-30T22:00:00+10:00[Australia/Sydney]", "2100: the footer's rule, southern winter"},
    {ZONED, 0, 2, {1704067200, 0}, "Mars/Olympus",
     "2024-01-01T00:00:00Z[Mars/Olympus]", "an unknown zone"},
};

/* The cases up to the marker, and those after it when there is a tz database. */
static void
check_cases(bool tzdb)
{
    size_t i;

    for (i = 0; i < sizeof text_cases / sizeof text_cases[0]; i++)
    {
        const text_case *c = &text_cases[i];
        neo4j_value v;
        int k, n = c->n;

        if (c->tag == 0)
        {
            if (!tzdb)
                break;
            continue;
        }

        for (k = 0; k < n; k++)
            fields[k] = neo4j_int(c->f[k]);
        if (c->zone)
            fields[n++] = neo4j_string(c->zone);
        v = neo4j_struct(c->tag, fields, (size_t) n);
        v.flags = c->flags;
        CHECK_STR(fmt(&v), c->want, "%s", c->what);
    }
}

static void
test_text(void)
{
    neo4j_value v;
    int n;

    zones = &test_zones;
    check_cases(tzdb_here());

    /* the resolver: asked only for named zones, twice for wall-clock values */
    fields[0] = neo4j_int(1704099600);
    fields[1] = neo4j_int(0);
    fields[2] = neo4j_string("UT+02:00");
    v = neo4j_struct(ZONED, fields, 3);
    calls = 0;
    fmt(&v);
    CHECK(calls == 0, "offset ids never reach the resolver");
    fields[2] = neo4j_string("Test/Zone");
    fmt(&v);
    CHECK(calls == 1, "a UTC value asks the resolver once");
    v.tag = LEGACY_ZONED;
    calls = 0;
    fmt(&v);
    CHECK(calls == 2, "a wall-clock value asks for the instant, then its offset");
    zones = NULL;
    v.tag = ZONED;
    CHECK_STR(fmt(&v), "2024-01-01T09:00:00Z[Test/Zone]", "no resolver: named zones are unknown");
    CHECK(neo4j_temporal_format(out, sizeof out, &(neo4j_value) {0}, NULL) == NEO4J_TEMPORAL_MALFORMED,
          "a Null is not temporal");
    fields[0] = neo4j_float(1.5);
    v = neo4j_struct(NEO4J_TAG_DURATION, fields, 4);
    CHECK_STR(fmt(&v), "ERR:MALFORMED", "a Float field is malformed");

    /* the longest texts fit NEO4J_TEMPORAL_TEXT_MAX */
    fields[0] = neo4j_int(INT64_MIN);
    fields[1] = neo4j_int(INT64_MIN);
    fields[2] = neo4j_int(INT64_MIN + 1);
    fields[3] = neo4j_int(999999999);
    n = neo4j_temporal_format(NULL, 0, &v, NULL);
    CHECK(n > 70 && n <= NEO4J_TEMPORAL_TEXT_MAX, "the longest Duration (%d bytes) fits", n);
    CHECK(strlen("-999999999-01-01T22:58:58.999999999-01:01:01[]") <= NEO4J_TEMPORAL_TEXT_MAX,
          "the longest date and time fits with brackets");

    /* cut short as snprintf does */
    fields[0] = neo4j_int(D2024);
    v = neo4j_struct(NEO4J_TAG_DATE, fields, 1);
    memset(out, 'x', sizeof out);
    n = neo4j_temporal_format(out, 5, &v, NULL);
    CHECK(n == 10 && strcmp(out, "2024") == 0 && out[5] == 'x', "cut to the buffer (%d, %s)", n, out);
    n = neo4j_temporal_format(out, 11, &v, NULL);
    CHECK(n == 10 && strcmp(out, "2024-02-29") == 0, "exactly enough room");
    CHECK(neo4j_temporal_format(NULL, 0, &v, NULL) == 10, "no buffer: only the length");
    memset(out, 'x', sizeof out);
    n = neo4j_temporal_format(out, 12, &(neo4j_value) {0}, NULL);
    CHECK(n < 0 && out[0] == '\0', "an error leaves an empty string");
}

/* ------------------------------------------------------------------ the system tz database */

static void
test_system_zones(void)
{
    static const struct { const char *zone; int64_t secs; bool local; int32_t want; const char *what; } offsets[] = {
        {"Europe/Paris", 1704099600, false, 3600, "Paris, winter"},
        {"Europe/Paris", 1719828000, false, 7200, "Paris, summer"},
        {"Europe/Paris", 4118040000, false, 7200, "2100: the footer's rule"},
        {"Europe/Paris", 1711852200, true, 3600, "a gap: the offset before it"},
        {"Europe/Paris", 1729996200, true, 7200, "an overlap: the earlier offset"},
        {"Mars/Olympus", 0, false, -1, "unknown zone"},
        {"../../etc/passwd", 0, false, -1, "no parent directories"},
        {"/etc/passwd", 0, false, -1, "no absolute paths"},
        {"Europe/./Paris", 0, false, -1, "no '.' components"},
        {"Europe/Paris:x", 0, false, -1, "no ':'"},
        {"", 0, false, -1, "no empty name"},
        {"Europe/Paris", INT64_MAX, false, -1, "no absurd instants"},
    };
    size_t i;

    if (!tzdb_here())
    {
        CHECK(1, "no tz database here: system zones skipped");
        return;
    }
    for (i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
    {
        int32_t off = -1;
        int rc = neo4j_system_zone_offset(NULL, offsets[i].zone, strlen(offsets[i].zone), offsets[i].secs,
                                          offsets[i].local, &off);

        CHECK(offsets[i].want == -1 ? rc < 0 : rc == 0 && off == offsets[i].want, "%s (%d)", offsets[i].what, off);
    }
    CHECK(neo4j_system_zone_offset(NULL, "Europe/Paris\0x", 14, 0, false, &(int32_t) {0}) < 0, "no NUL bytes");
}

int
main(void)
{
    test_calendar();
    test_offsets();
    test_text();
    test_system_zones();
    return TEST_DONE();
}
