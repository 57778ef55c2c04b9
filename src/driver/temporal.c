/*
 * temporal.c — Neo4j's temporal values as ISO 8601 text, the proleptic
 * Gregorian calendar, UTC offsets, and zone ids (fixed offsets here, named
 * zones through a resolver; one resolver reads the system tz database).
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "temporal.h"

#define SECS_PER_DAY  NEO4J_SECONDS_PER_DAY
#define NANOS_PER_SEC NEO4J_NANOS_PER_SECOND
#define TZ_FILE_MAX   (256 * 1024)

static bool
is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* ================================================================ calendar */

bool
neo4j_is_leap_year(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int
neo4j_days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m < 1 || m > 12)
        return 0;
    return m == 2 && neo4j_is_leap_year(y) ? 29 : dim[m - 1];
}

/*
 * Proleptic Gregorian date <-> days since 1970-01-01, by the era arithmetic
 * of Hinnant's chrono algorithms: counting from March 1 puts the leap day
 * last, so a year is 5 month blocks of 153 days plus 400-year eras of
 * 146097 days.
 */
bool
neo4j_days_from_civil(int64_t y, int m, int d, int64_t *days)
{
    int64_t era, yoe, doy, doe, r;

    if (d < 1 || d > neo4j_days_in_month(y, m))
        return false;
    if (m <= 2 && __builtin_sub_overflow(y, 1, &y))
        return false;
    era = neo4j_floor_div(y, 400);
    yoe = y - era * 400;                                        /* [0, 399] */
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;      /* [0, 365] */
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                /* [0, 146096] */
    if (__builtin_mul_overflow(era, (int64_t) 146097, &r) || __builtin_add_overflow(r, doe - 719468, &r))
        return false;
    *days = r;
    return true;
}

bool
neo4j_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z, era, doe, yoe, doy, mp;

    if (days > INT64_MAX - 719468)
        return false;
    z = days + 719468;
    era = neo4j_floor_div(z, 146097);
    doe = z - era * 146097;                                     /* [0, 146096] */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int) (doy - (153 * mp + 2) / 5 + 1);
    *m = (int) (mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
    return true;
}

/* 0 = Sunday; 1970-01-01 was a Thursday. */
static int
weekday(int64_t days)
{
    return (int) neo4j_floor_mod(days + 4, 7);
}

/* ================================================================ offsets */

/* Exactly two digits at s[*i]; *i moves past the digits read. */
static bool
two_digits(const char *s, size_t n, size_t *i, int *v)
{
    int k;

    *v = 0;
    for (k = 0; k < 2; k++)
    {
        if (*i >= n || !is_digit(s[*i]))
            return false;
        *v = *v * 10 + (s[(*i)++] - '0');
    }
    return true;
}

int
neo4j_offset_parse(const char *s, size_t n, int32_t *offset, size_t *used, const char **why)
{
    size_t i = 0;
    int sign, h, m = 0, sec = 0;
    bool colon;
    const char *bad = NULL;

    if (n == 0 || (s[0] != '+' && s[0] != '-'))
    {
        if (used)
            *used = 0;
        return 0;
    }
    sign = s[i++] == '-' ? -1 : 1;
    if (!two_digits(s, n, &i, &h))
        bad = "expected a 2-digit offset hour";
    else
    {
        colon = i < n && s[i] == ':';
        if (colon)
            i++;
        if (colon || (i < n && is_digit(s[i])))
        {
            if (!two_digits(s, n, &i, &m))
                bad = "expected 2-digit offset minutes";
            else if (colon ? i < n && s[i] == ':' : i < n && is_digit(s[i]))
            {
                if (colon)
                    i++;
                if (!two_digits(s, n, &i, &sec))
                    bad = "expected 2-digit offset seconds";
            }
        }
    }
    if (!bad && (m > 59 || sec > 59 || h * 3600 + m * 60 + sec > NEO4J_MAX_OFFSET_SECONDS))
        bad = "offset out of range (at most 18:00)";
    if (used)
        *used = i;
    if (bad)
    {
        if (why)
            *why = bad;
        return -1;
    }
    *offset = sign * (h * 3600 + m * 60 + sec);
    return (int) i;
}

/*
 * Zone ids that java.time reads as fixed offsets: 1 for a ZoneOffset
 * ("+01:00", printed as the offset alone), 2 for a region with a fixed
 * offset ("UTC+01:00", "GMT+01:00", "UT+01:00", printed with its id), 0 for
 * any other id.
 */
static int
fixed_offset_zone(const char *zone, size_t n, int32_t *offset)
{
    static const char *const prefixes[] = {"", "UTC", "GMT", "UT"};
    size_t k;

    for (k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++)
    {
        size_t p = strlen(prefixes[k]);

        if (n > p && memcmp(zone, prefixes[k], p) == 0
            && neo4j_offset_parse(zone + p, n - p, offset, NULL, NULL) == (int) (n - p))
            return k == 0 ? 1 : 2;
    }
    return 0;
}

int
neo4j_zone_offset(const neo4j_zone_resolver *zones, const char *zone, size_t len, int64_t secs, bool local,
                  int32_t *offset)
{
    if (fixed_offset_zone(zone, len, offset))
        return 0;
    if (!zones || !zones->offset)
        return -1;
    return zones->offset(zones->ctx, zone, len, secs, local, offset) == 0 ? 0 : -1;
}

/* ================================================================ tz database */

/* A POSIX TZ rule date: Jn (1..365, no Feb 29), n (0..365) or Mm.w.d, at secs local. */
typedef struct tz_when
{
    char kind;
    int a, b, c;
    int32_t secs;
} tz_when;

typedef struct tz_posix
{
    int32_t std_off, dst_off;   /* seconds east of UTC */
    bool has_dst;
    tz_when start, end;
} tz_posix;

typedef struct tz_zone
{
    unsigned char *data;
    const unsigned char *trans, *idx, *types;
    uint32_t timecnt, typecnt;
    int tsize;                  /* 4 (v1 data) or 8 */
    bool has_posix;
    tz_posix posix;
} tz_zone;

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static int64_t
tz_trans(const tz_zone *z, uint32_t i)
{
    const unsigned char *p = z->trans + (size_t) i * (size_t) z->tsize;

    if (z->tsize == 4)
        return (int32_t) be32(p);
    return (int64_t) ((uint64_t) be32(p) << 32 | be32(p + 4));
}

static int32_t
tz_type_off(const tz_zone *z, unsigned t)
{
    return (int32_t) be32(z->types + 6 * (size_t) t);
}

/* [+-]h[h[h]][:mm[:ss]] as seconds (POSIX and RFC 8536 hours up to 167). */
static bool
posix_hms(const char *s, size_t n, size_t *i, int32_t *out)
{
    int sign = 1, h = 0, m = 0, sec = 0, nd = 0;

    if (*i < n && (s[*i] == '+' || s[*i] == '-'))
        sign = s[(*i)++] == '-' ? -1 : 1;
    while (*i < n && is_digit(s[*i]) && nd < 3)
        h = h * 10 + (s[(*i)++] - '0'), nd++;
    if (nd == 0 || h > 167)
        return false;
    if (*i < n && s[*i] == ':')
    {
        (*i)++;
        if (!two_digits(s, n, i, &m))
            return false;
        if (*i < n && s[*i] == ':')
        {
            (*i)++;
            if (!two_digits(s, n, i, &sec))
                return false;
        }
    }
    if (m > 59 || sec > 59)
        return false;
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
}

static bool
posix_name(const char *s, size_t n, size_t *i)
{
    size_t start = *i;

    if (*i < n && s[*i] == '<')
    {
        while (*i < n && s[*i] != '>')
            (*i)++;
        if (*i >= n)
            return false;
        (*i)++;
        return *i - start > 2;
    }
    while (*i < n && ((s[*i] >= 'A' && s[*i] <= 'Z') || (s[*i] >= 'a' && s[*i] <= 'z')))
        (*i)++;
    return *i - start >= 3;
}

static bool
posix_small(const char *s, size_t n, size_t *i, int max, int *out)
{
    int v = 0, nd = 0;

    while (*i < n && is_digit(s[*i]) && nd < 3)
        v = v * 10 + (s[(*i)++] - '0'), nd++;
    if (nd == 0 || v > max)
        return false;
    *out = v;
    return true;
}

static bool
posix_when(const char *s, size_t n, size_t *i, tz_when *w)
{
    w->secs = 7200;
    if (*i < n && s[*i] == 'J')
    {
        (*i)++;
        w->kind = 'J';
        if (!posix_small(s, n, i, 365, &w->a) || w->a < 1)
            return false;
    }
    else if (*i < n && s[*i] == 'M')
    {
        (*i)++;
        w->kind = 'M';
        if (!posix_small(s, n, i, 12, &w->a) || w->a < 1 || *i >= n || s[(*i)++] != '.'
            || !posix_small(s, n, i, 5, &w->b) || w->b < 1 || *i >= n || s[(*i)++] != '.'
            || !posix_small(s, n, i, 6, &w->c))
            return false;
    }
    else
    {
        w->kind = 'D';
        if (!posix_small(s, n, i, 365, &w->a))
            return false;
    }
    if (*i < n && s[*i] == '/')
    {
        (*i)++;
        return posix_hms(s, n, i, &w->secs);
    }
    return true;
}

static bool
posix_parse(const char *s, size_t n, tz_posix *r)
{
    size_t i = 0;
    int32_t v;

    memset(r, 0, sizeof *r);
    if (!posix_name(s, n, &i) || !posix_hms(s, n, &i, &v))
        return false;
    r->std_off = -v;            /* POSIX counts west as positive */
    if (i == n)
        return true;
    if (!posix_name(s, n, &i))
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (i < n && s[i] != ',')
    {
        if (!posix_hms(s, n, &i, &v))
            return false;
        r->dst_off = -v;
    }
    if (i == n)
    {
        /* POSIX's default rule (US, 2007). */
        r->start = (tz_when) {'M', 3, 2, 0, 7200};
        r->end = (tz_when) {'M', 11, 1, 0, 7200};
        return true;
    }
    if (s[i++] != ',' || !posix_when(s, n, &i, &r->start) || i >= n || s[i++] != ','
        || !posix_when(s, n, &i, &r->end))
        return false;
    return i == n;
}

/* The day (since 1970-01-01) a rule date falls on in year y (a year of a bounded instant). */
static int64_t
posix_day(int64_t y, const tz_when *w)
{
    int64_t jan1 = 0, first = 0;
    int day;

    neo4j_days_from_civil(y, 1, 1, &jan1);
    if (w->kind == 'J')
        return jan1 + w->a - 1 + (neo4j_is_leap_year(y) && w->a >= 60 ? 1 : 0);
    if (w->kind == 'D')
        return jan1 + w->a;
    neo4j_days_from_civil(y, w->a, 1, &first);
    day = (w->c - weekday(first) + 7) % 7 + (w->b - 1) * 7;
    while (day >= neo4j_days_in_month(y, w->a))
        day -= 7;
    return first + day;
}

static int32_t
posix_offset(const tz_posix *r, int64_t t)
{
    int64_t y, start, end;
    int m, d;

    if (!r->has_dst)
        return r->std_off;
    neo4j_civil_from_days(neo4j_floor_div(t + r->std_off, SECS_PER_DAY), &y, &m, &d);
    start = posix_day(y, &r->start) * SECS_PER_DAY + r->start.secs - r->std_off;
    end = posix_day(y, &r->end) * SECS_PER_DAY + r->end.secs - r->dst_off;
    if (start < end)
        return t >= start && t < end ? r->dst_off : r->std_off;
    return t >= end && t < start ? r->std_off : r->dst_off;
}

/* The zone's offset at UTC instant t (RFC 8536 lookup). */
static int32_t
tz_offset_at(const tz_zone *z, int64_t t)
{
    uint32_t lo, hi;

    if (z->timecnt == 0)
        return z->has_posix ? posix_offset(&z->posix, t) : tz_type_off(z, 0);
    if (t < tz_trans(z, 0))
        return tz_type_off(z, 0);
    if (t >= tz_trans(z, z->timecnt - 1) && z->has_posix)
        return posix_offset(&z->posix, t);
    lo = 0;
    hi = z->timecnt - 1;        /* the answer is in [lo, hi] */
    while (lo < hi)
    {
        uint32_t mid = lo + (hi - lo + 1) / 2;

        if (tz_trans(z, mid) <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return tz_type_off(z, z->idx[lo]);
}

static bool
tz_parse(tz_zone *z, size_t size)
{
    const unsigned char *d = z->data;
    uint64_t isut, isstd, leap, timecnt, typecnt, charcnt, body, base;
    uint32_t i;

    if (size < 44 || memcmp(d, "TZif", 4) != 0)
        return false;
    isut = be32(d + 20);
    isstd = be32(d + 24);
    leap = be32(d + 28);
    timecnt = be32(d + 32);
    typecnt = be32(d + 36);
    charcnt = be32(d + 40);
    body = timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
    base = 44;
    z->tsize = 4;
    if (d[4] >= '2')
    {
        /* Skip the 32-bit data; use the 64-bit block and its footer. */
        base = 44 + body;
        if (base + 44 > size || memcmp(d + base, "TZif", 4) != 0)
            return false;
        isut = be32(d + base + 20);
        isstd = be32(d + base + 24);
        leap = be32(d + base + 28);
        timecnt = be32(d + base + 32);
        typecnt = be32(d + base + 36);
        charcnt = be32(d + base + 40);
        base += 44;
        body = timecnt * 9 + typecnt * 6 + charcnt + leap * 12 + isstd + isut;
        z->tsize = 8;
    }
    if (typecnt == 0 || base + body > size)
        return false;
    z->timecnt = (uint32_t) timecnt;
    z->typecnt = (uint32_t) typecnt;
    z->trans = d + base;
    z->idx = z->trans + timecnt * (uint64_t) z->tsize;
    z->types = z->idx + timecnt;
    for (i = 0; i < z->timecnt; i++)
        if (z->idx[i] >= z->typecnt)
            return false;
    z->has_posix = false;
    if (z->tsize == 8)
    {
        const unsigned char *f = d + base + body, *e;
        size_t left = size - (size_t) (base + body);

        if (left < 2 || f[0] != '\n')
            return false;
        e = memchr(f + 1, '\n', left - 1);
        if (!e)
            return false;
        if (e > f + 1)
        {
            if (!posix_parse((const char *) f + 1, (size_t) (e - f - 1), &z->posix))
                return false;
            z->has_posix = true;
        }
    }
    return true;
}

/* Relative names such as Europe/Berlin only: no "..", no absolute paths. */
static bool
zone_name_ok(const char *zone, size_t n)
{
    size_t i, comp = 0;

    if (n == 0 || n > NEO4J_MAX_ZONE_LEN || zone[0] == '/')
        return false;
    for (i = 0; i <= n; i++)
    {
        if (i == n || zone[i] == '/')
        {
            if (i == comp || (i - comp == 1 && zone[comp] == '.')
                || (i - comp == 2 && zone[comp] == '.' && zone[comp + 1] == '.'))
                return false;
            comp = i + 1;
        }
        else if (!neo4j_zone_id_char((unsigned char) zone[i]) || zone[i] == ':')
            return false;
    }
    return true;
}

/* Loads zone from $TZDIR or /usr/share/zoneinfo; false if unknown or unreadable. */
static bool
tz_load(tz_zone *z, const char *zone, size_t n)
{
    const char *dir = getenv("TZDIR");
    char path[4096];
    FILE *fp;
    size_t size;
    int len;

    memset(z, 0, sizeof *z);
    if (!zone_name_ok(zone, n))
        return false;
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    len = snprintf(path, sizeof path, "%s/%.*s", dir, (int) n, zone);
    if (len < 0 || (size_t) len >= sizeof path)
        return false;
    fp = fopen(path, "rb");
    if (!fp)
        return false;
    z->data = malloc(TZ_FILE_MAX + 1);
    size = z->data ? fread(z->data, 1, TZ_FILE_MAX + 1, fp) : 0;
    fclose(fp);
    if (size == 0 || size > TZ_FILE_MAX || !tz_parse(z, size))
    {
        free(z->data);
        z->data = NULL;
        return false;
    }
    return true;
}

/*
 * The offset that makes a wall-clock time an instant, as java.time resolves
 * it: in an overlap the earlier offset, in a gap the one before the gap
 * (the instant is then shown later, at the offset after it).
 */
static int32_t
tz_offset_for_local(const tz_zone *z, int64_t local)
{
    int32_t before = tz_offset_at(z, local - SECS_PER_DAY);
    int32_t after = tz_offset_at(z, local + SECS_PER_DAY);

    if (before == after || tz_offset_at(z, local - before) == before)
        return before;
    if (tz_offset_at(z, local - after) == after)
        return after;
    return before;
}

int
neo4j_system_zone_offset(void *ctx, const char *zone, size_t len, int64_t secs, bool local, int32_t *offset)
{
    tz_zone z;

    (void) ctx;
    /* far beyond any calendar that matters; keeps the rule arithmetic in range */
    if (secs < INT64_MIN / 4 || secs > INT64_MAX / 4 || !tz_load(&z, zone, len))
        return -1;
    *offset = local ? tz_offset_for_local(&z, secs) : tz_offset_at(&z, secs);
    free(z.data);
    return 0;
}

/* ================================================================ text */

/* Text written into buf[0..cap) as far as it fits; len counts all of it. */
typedef struct text_out
{
    char *buf;
    size_t cap, len;
} text_out;

static void
out_put(text_out *o, const char *s, size_t n)
{
    if (o->len < o->cap)
    {
        size_t room = o->cap - o->len;

        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

static void out_printf(text_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
out_printf(text_out *o, const char *fmt, ...)
{
    char t[64];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(t, sizeof t, fmt, ap);
    va_end(ap);
    if (n > 0)
        out_put(o, t, (size_t) n < sizeof t ? (size_t) n : sizeof t - 1);
}

/* .fraction of nanos (1..999999999) without trailing zeros */
static void
out_fraction(text_out *o, int64_t nanos)
{
    int width = 9;

    while (nanos % 10 == 0)
    {
        nanos /= 10;
        width--;
    }
    out_printf(o, ".%0*" PRId64, width, nanos);
}

/* ISO date as java.time prints it: +10000-01-01, -0001-01-01 (days in java.time's range). */
static void
out_date(text_out *o, int64_t days)
{
    int64_t y;
    int m, d;

    neo4j_civil_from_days(days, &y, &m, &d);
    if (y > 9999)
        out_printf(o, "+%" PRId64 "-%02d-%02d", y, m, d);
    else if (y < 0)
        out_printf(o, "-%04" PRId64 "-%02d-%02d", -y, m, d);
    else
        out_printf(o, "%04" PRId64 "-%02d-%02d", y, m, d);
}

/* HH:MM:SS[.fraction without trailing zeros] */
static void
out_time(text_out *o, int64_t nanos_of_day)
{
    int64_t secs = nanos_of_day / NANOS_PER_SEC;
    int64_t frac = nanos_of_day % NANOS_PER_SEC;

    out_printf(o, "%02d:%02d:%02d", (int) (secs / 3600), (int) (secs / 60 % 60), (int) (secs % 60));
    if (frac != 0)
        out_fraction(o, frac);
}

/* Z, or +HH:MM with :SS only when non-zero */
static void
out_offset(text_out *o, int32_t off)
{
    int32_t a = off < 0 ? -off : off;
    char sign = off < 0 ? '-' : '+';

    if (off == 0)
        out_put(o, "Z", 1);
    else if (a % 60 != 0)
        out_printf(o, "%c%02d:%02d:%02d", sign, (int) (a / 3600), (int) (a / 60 % 60), (int) (a % 60));
    else
        out_printf(o, "%c%02d:%02d", sign, (int) (a / 3600), (int) (a / 60 % 60));
}

/* Date T time from local seconds; false when out of java.time's range. */
static bool
out_local(text_out *o, int64_t local, int64_t nanos)
{
    int64_t days = neo4j_floor_div(local, SECS_PER_DAY);

    if (days < NEO4J_MIN_EPOCH_DAY || days > NEO4J_MAX_EPOCH_DAY)
        return false;
    out_date(o, days);
    out_put(o, "T", 1);
    out_time(o, neo4j_floor_mod(local, SECS_PER_DAY) * NANOS_PER_SEC + nanos);
    return true;
}

/* ================================================================ values */

static bool
field_int(const neo4j_value *v, uint32_t i, int64_t *out)
{
    if (i >= v->size || !v->u.items || v->u.items[i].type != NEO4J_INT)
        return false;
    *out = v->u.items[i].u.integer;
    return true;
}

bool
neo4j_temporal_local_seconds(const neo4j_value *v)
{
    if (v->type == NEO4J_DATE_TIME)
        return v->tag == NEO4J_TAG_LEGACY_DATE_TIME;
    if (v->type == NEO4J_DATE_TIME_ZONE_ID)
        return v->tag == NEO4J_TAG_LEGACY_DATE_TIME_ZONE_ID || (v->flags & NEO4J_FLAG_LOCAL_SECONDS);
    return false;
}

/*
 * DateTimeZoneId: the local time with the zone's offset and the zone id.
 * Without an offset for the zone, the UTC instant (Z) or the wall-clock
 * time (legacy values) and the zone id.
 */
static int
format_zoned(text_out *o, const neo4j_value *v, const neo4j_zone_resolver *zones)
{
    const neo4j_value *zv = v->size > 2 && v->u.items ? &v->u.items[2] : NULL;
    bool wall = neo4j_temporal_local_seconds(v);
    int64_t secs, nanos, local;
    int32_t off, now;
    const char *zone;
    size_t n;
    int fixed;

    if (!field_int(v, 0, &secs) || !field_int(v, 1, &nanos) || !zv || zv->type != NEO4J_STRING
        || (zv->size && !zv->u.string) || nanos < 0 || nanos >= NANOS_PER_SEC)
        return NEO4J_TEMPORAL_MALFORMED;
    zone = zv->size ? zv->u.string : "";
    n = zv->size;
    /* beyond java.time's range (and a day for the offset) the zone does not matter */
    if (secs < (NEO4J_MIN_EPOCH_DAY - 1) * SECS_PER_DAY || secs > (NEO4J_MAX_EPOCH_DAY + 2) * SECS_PER_DAY)
        return NEO4J_TEMPORAL_OUT_OF_RANGE;
    fixed = fixed_offset_zone(zone, n, &off);
    if (fixed || (zones && zones->offset && zones->offset(zones->ctx, zone, n, secs, wall, &off) == 0))
    {
        local = wall ? secs : secs + off;
        /* the offset of a wall-clock time picks the instant; show that as the zone does
         * (a time in a gap moves forward to the offset after it) */
        if (wall && !fixed && zones->offset(zones->ctx, zone, n, secs - off, false, &now) == 0)
        {
            local = secs - off + now;
            off = now;
        }
        if (!out_local(o, local, nanos))
            return NEO4J_TEMPORAL_OUT_OF_RANGE;
        out_offset(o, off);
        /* an offset id is java.time's ZoneOffset: no [...] */
        if (fixed == 1)
            return 0;
    }
    else
    {
        if (!out_local(o, secs, nanos))
            return NEO4J_TEMPORAL_OUT_OF_RANGE;
        if (!wall)
            out_put(o, "Z", 1);
    }
    out_put(o, "[", 1);
    out_put(o, zone, n);
    out_put(o, "]", 1);
    return 0;
}

/* Neo4j's DurationValue.prettyPrint: P1Y2M3DT4H5M6.5S, PT-0.5S, PT0S. */
static int
format_duration(text_out *o, const neo4j_value *v)
{
    int64_t months, days, secs, nanos;

    if (!field_int(v, 0, &months) || !field_int(v, 1, &days) || !field_int(v, 2, &secs)
        || !field_int(v, 3, &nanos))
        return NEO4J_TEMPORAL_MALFORMED;
    /* nanoseconds into [0, 1e9), as Neo4j keeps them */
    if (__builtin_add_overflow(secs, neo4j_floor_div(nanos, NANOS_PER_SEC), &secs))
        return NEO4J_TEMPORAL_OUT_OF_RANGE;
    nanos = neo4j_floor_mod(nanos, NANOS_PER_SEC);
    out_put(o, "P", 1);
    if (months / 12 != 0)
        out_printf(o, "%" PRId64 "Y", months / 12);
    if (months % 12 != 0)
        out_printf(o, "%" PRId64 "M", months % 12);
    if (days != 0)
        out_printf(o, "%" PRId64 "D", days);
    if (secs != 0 || nanos != 0)
    {
        bool negative = secs < 0;
        int64_t s = secs, frac = nanos;

        /* -1.5 s is kept as -2 s + 0.5 s; print it as -1.5 */
        if (negative && frac != 0)
        {
            s++;
            frac = NANOS_PER_SEC - frac;
        }
        out_put(o, "T", 1);
        if (s / 3600 != 0)
            out_printf(o, "%" PRId64 "H", s / 3600);
        if (s % 3600 / 60 != 0)
            out_printf(o, "%" PRId64 "M", s % 3600 / 60);
        s %= 60;
        if (s != 0 || frac != 0)
        {
            if (s == 0 && negative)
                out_put(o, "-", 1);
            out_printf(o, "%" PRId64, s);
            if (frac != 0)
                out_fraction(o, frac);
            out_put(o, "S", 1);
        }
    }
    if (o->len == 1)
        out_put(o, "T0S", 3);
    return 0;
}

static int
format_value(text_out *o, const neo4j_value *v, const neo4j_zone_resolver *zones)
{
    int64_t a, b, off;

    switch ((neo4j_type) v->type)
    {
        case NEO4J_DATE:
            if (!field_int(v, 0, &a))
                return NEO4J_TEMPORAL_MALFORMED;
            if (a < NEO4J_MIN_EPOCH_DAY || a > NEO4J_MAX_EPOCH_DAY)
                return NEO4J_TEMPORAL_OUT_OF_RANGE;
            out_date(o, a);
            return 0;
        case NEO4J_LOCAL_TIME:
            if (!field_int(v, 0, &a) || a < 0 || a >= NEO4J_NANOS_PER_DAY)
                return NEO4J_TEMPORAL_MALFORMED;
            out_time(o, a);
            return 0;
        case NEO4J_TIME:
            if (!field_int(v, 0, &a) || !field_int(v, 1, &off) || a < 0 || a >= NEO4J_NANOS_PER_DAY
                || off < -NEO4J_MAX_OFFSET_SECONDS || off > NEO4J_MAX_OFFSET_SECONDS)
                return NEO4J_TEMPORAL_MALFORMED;
            out_time(o, a);
            out_offset(o, (int32_t) off);
            return 0;
        case NEO4J_LOCAL_DATE_TIME:
            if (!field_int(v, 0, &a) || !field_int(v, 1, &b) || b < 0 || b >= NANOS_PER_SEC)
                return NEO4J_TEMPORAL_MALFORMED;
            return out_local(o, a, b) ? 0 : NEO4J_TEMPORAL_OUT_OF_RANGE;
        case NEO4J_DATE_TIME:
            if (!field_int(v, 0, &a) || !field_int(v, 1, &b) || !field_int(v, 2, &off) || b < 0
                || b >= NANOS_PER_SEC || off < -NEO4J_MAX_OFFSET_SECONDS || off > NEO4J_MAX_OFFSET_SECONDS)
                return NEO4J_TEMPORAL_MALFORMED;
            /* UTC seconds (0x49), or wall-clock seconds (legacy 0x46) */
            if ((!neo4j_temporal_local_seconds(v) && __builtin_add_overflow(a, off, &a)) || !out_local(o, a, b))
                return NEO4J_TEMPORAL_OUT_OF_RANGE;
            out_offset(o, (int32_t) off);
            return 0;
        case NEO4J_DATE_TIME_ZONE_ID:
            return format_zoned(o, v, zones);
        case NEO4J_DURATION:
            return format_duration(o, v);
        default:
            return NEO4J_TEMPORAL_MALFORMED;
    }
}

int
neo4j_temporal_format(char *buf, size_t cap, const neo4j_value *v, const neo4j_zone_resolver *zones)
{
    text_out o = {buf, cap, 0};
    int rc = format_value(&o, v, zones);

    if (rc < 0)
    {
        if (cap > 0)
            buf[0] = '\0';
        return rc;
    }
    if (o.len > INT_MAX)
        return NEO4J_TEMPORAL_OUT_OF_RANGE;
    if (cap > 0)
        buf[o.len < cap ? o.len : cap - 1] = '\0';
    return (int) o.len;
}
