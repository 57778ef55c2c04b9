/*-------------------------------------------------------------------------
 *
 * convert.c
 *		  Type conversion between Neo4j values and Postgres datums.
 *
 * Neo4j value -> column type (strict: anything not listed is an error that
 * names the column, its type and the Neo4j value):
 *
 * | Neo4j value         | Postgres column types                                     |
 * |---------------------|-----------------------------------------------------------|
 * | null                | SQL NULL, any type                                        |
 * | Boolean             | boolean                                                   |
 * | Integer             | smallint, integer, bigint (range-checked), numeric(p,s),  |
 * |                     | real, double precision                                    |
 * | Float               | double precision, real (error when a finite value         |
 * |                     | overflows or underflows), numeric(p,s) (shortest exact    |
 * |                     | digits; NaN, Infinity allowed as numeric allows them)     |
 * | String              | text, varchar(n), char(n) (validated UTF-8, converted to  |
 * |                     | the server encoding; length checked and blank-padded as   |
 * |                     | their input functions do); json, jsonb (parsed); any      |
 * |                     | other type through its input function (uuid, name, date, |
 * |                     | timestamptz, inet, enums, arrays as '{...}', ...)         |
 * | Bytes               | bytea                                                     |
 * | Date                | date                                                      |
 * | LocalTime           | time                                                      |
 * | Time                | time with time zone (offsets up to +-15:59:59)            |
 * | LocalDateTime       | timestamp                                                 |
 * | DateTime            | timestamp with time zone (the instant; offset dropped)    |
 * | DateTimeZoneId      | timestamp with time zone (Neo4j 4.x wall-clock form:      |
 * |                     | zone id resolved with Postgres' time zone data)           |
 * | Duration            | interval (months, days, microseconds)                     |
 * | Point (2D)          | point (x, y; the SRID is dropped)                         |
 * | List, Vector        | one-dimensional arrays of any type listed here, each      |
 * |                     | element by the same rules (a nested List is an error)     |
 * | any value           | jsonb and json (shapes below), text / varchar / char      |
 * |                     | (readable rendering below)                                |
 *
 * Only Strings go through input functions: any other Neo4j type into a
 * column type not listed for it is an error (a Float into integer, a
 * DateTime into timestamp without time zone, a 3D point into point).
 * Neo4j 5.x sends DateTime and DateTimeZoneId as UTC seconds, so the zone is
 * not needed for the instant.  Nanoseconds become microseconds rounded half
 * to even, which is what Postgres' own input (rint() on the fraction) gives
 * for exact halves; time(p), timestamp(p) and interval(p) then round as
 * Postgres does for the typmod.  Domains are checked after the conversion
 * to their base type.
 *
 * Errors name the column, its type and the value ("column "born" of type
 * smallint cannot hold Neo4j Integer 70000"; list elements by position),
 * with SQLSTATE 22003 (numeric out of range), 22008 (date/time out of range),
 * 22001 (string too long), 22021 (invalid UTF-8), 22P05 (no equivalent in
 * the server encoding), 22009 (time zone offset), 22023 (unknown time zone
 * of a Neo4j 4.x DateTimeZoneId), HV004 (types that do not fit).  Errors
 * raised by the Postgres functions used (input functions, numeric typmods,
 * domain checks) get a CONTEXT line naming the column.
 *
 * jsonb shapes (keys of an object print in jsonb's order):
 *
 *	 Integer				number
 *	 Float					number, written with a fraction (1.0) so that it reads
 *							back as a Float; NaN, Infinity, -Infinity as strings
 *	 String, Boolean		string, true / false
 *	 Bytes					string "\\x0a0b" (bytea's hex form)
 *	 List, Vector			array
 *	 Map					object
 *	 Date ... Duration		string, ISO 8601 as Neo4j prints it (the driver's
 *							temporal.h, as the CLI's Jolt has it): 2024-02-29,
 *							12:30:00.5, 12:30:00+01:00, 2024-02-29T12:30:00,
 *							2024-02-29T12:30:00Z, 2024-02-29T12:30:00+01:00[Europe/Paris],
 *							P1Y2M3DT4.5S
 *	 Point					{"srid": 4326, "x": 1.5, "y": 2.5[, "z": 3.0]}
 *	 Node					{"element_id": "4:...:0", "id": 0, "labels": ["Person"],
 *							 "properties": {...}}
 *	 Relationship			{"element_id", "id", "type", "start_element_id",
 *							 "end_element_id", "start_id", "end_id", "properties"}
 *	 UnboundRelationship	{"element_id", "id", "type", "properties"}
 *	 Path					{"nodes": [node, ...], "relationships": [relationship, ...]}
 *							in walk order; each relationship keeps the direction it
 *							has in the graph (start/end need not follow the walk)
 *	 UnsupportedType		{"unsupported_type": "...", "minimum_protocol_version":
 *							 "6.1"[, "message": "..."]}
 *	 other structure		{"structure_tag": 122, "fields": [...]}
 *
 * On Bolt 4.4 there are no element ids: element_id then holds the integer id
 * as a string.
 *
 * Text rendering of values that are not Strings: numbers as Postgres prints
 * integers and double precision, true / false, temporal values as in jsonb
 * above, Bytes as "\x0a0b", everything else as its jsonb text.
 *
 * Parameters (Postgres -> Neo4j): boolean, smallint, integer, bigint -> Integer;
 * real, double precision -> Float; numeric -> Integer when it has no fraction
 * and fits in 64 bits, else Float; text, varchar, char (trailing blanks
 * dropped), name, uuid, enums -> String; bytea -> Bytes; date -> Date;
 * time -> LocalTime; timetz -> Time; timestamp -> LocalDateTime;
 * timestamptz -> DateTime (UTC, offset 0); interval -> Duration;
 * point -> Point (SRID 7203, Cartesian); json, jsonb -> Map, List or scalar
 * (numbers as for numeric); arrays -> Lists (nested Lists for more than one
 * dimension); domains as their base type.  Infinite dates and timestamps
 * and numerics beyond the range of a Float cannot be sent.
 *
 * src/fdw/convert.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "common/shortest_dec.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/geo_decls.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "convert.h"
#include "temporal.h"

#define NANOS_PER_USEC		1000
/* Neo4j counts from 1970-01-01, Postgres from 2000-01-01. */
#define EPOCH_SHIFT_DAYS	(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE)
#define EPOCH_SHIFT_SECS	((int64) EPOCH_SHIFT_DAYS * SECS_PER_DAY)
#define SRID_CARTESIAN		7203
/* room for any rendered scalar: date, time, offset and a zone name */
#define SCALAR_BUFLEN		(128 + TZ_STRLEN_MAX)
/* values longer than this are not quoted in error messages */
#define MAX_QUOTED_VALUE	64

typedef struct ConvertErrorContext
{
	const Neo4jConverter *conv;
	const neo4j_value *value;
} ConvertErrorContext;

static Datum convert_value(Neo4jConverter *conv, const neo4j_value *v);
static JsonbValue *push_value(JsonbParseState **state, JsonbIteratorToken tok,
							  const neo4j_value *v);
static bool datum_to_value(Datum datum, Oid typid, neo4j_value *out);
static void malformed(const neo4j_value *v) pg_attribute_noreturn();
static void cannot_hold(const Neo4jConverter *conv, const neo4j_value *v,
						int sqlerrcode, const char *detail) pg_attribute_noreturn();
static void type_mismatch(const Neo4jConverter *conv,
						  const neo4j_value *v) pg_attribute_noreturn();
static void report_invalid_utf8(const Neo4jConverter *conv, const char *s,
								int len, int at) pg_attribute_noreturn();
static void datetime_out_of_range(const Neo4jConverter *conv,
								  const neo4j_value *v) pg_attribute_noreturn();
static void nested_list(const Neo4jConverter *conv,
						const neo4j_value *v) pg_attribute_noreturn();


/* ---------------------------------------------------------------- helpers */

/* Nanoseconds (>= 0) to microseconds, exact halves to even as rint() does. */
static inline int64
round_nanos(int64 nanos)
{
	int64		q = nanos / NANOS_PER_USEC;
	int64		r = nanos % NANOS_PER_USEC;

	if (r > NANOS_PER_USEC / 2 || (r == NANOS_PER_USEC / 2 && (q & 1)))
		q++;
	return q;
}

/*
 * Structure field i if it has the given type (the decoder checks shapes, but
 * values can be built by hand too).
 */
static inline const neo4j_value *
field(const neo4j_value *v, uint32 i, neo4j_type type)
{
	if (i >= v->size || v->u.items == NULL || v->u.items[i].type != type)
		return NULL;
	return &v->u.items[i];
}

static inline bool
field_int(const neo4j_value *v, uint32 i, int64 *out)
{
	const neo4j_value *f = field(v, i, NEO4J_INT);

	if (f == NULL)
		return false;
	*out = f->u.integer;
	return true;
}

static void
malformed(const neo4j_value *v)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
			 errmsg("malformed Neo4j %s value", neo4j_type_name(v->type))));
}

/* Postgres timestamp from Unix seconds and nanoseconds of the second. */
static bool
unix_to_timestamp(int64 secs, int64 nanos, Timestamp *result)
{
	int64		us;

	if (pg_sub_s64_overflow(secs, EPOCH_SHIFT_SECS, &secs) ||
		pg_mul_s64_overflow(secs, USECS_PER_SEC, &us) ||
		pg_add_s64_overflow(us, round_nanos(nanos), &us) ||
		!IS_VALID_TIMESTAMP(us))
		return false;
	*result = us;
	return true;
}


/* ---------------------------------------------------------------- errors */

static const Neo4jConverter *
top_converter(const Neo4jConverter *conv)
{
	return conv->parent ? conv->parent : conv;
}

static int	format_scalar(const neo4j_value *v, char *buf, bool strict);

/* "Integer 70000", "String "abc"", or the bare type name for long values. */
static char *
describe_value(const neo4j_value *v)
{
	const char *type = neo4j_type_name(v->type);
	char		buf[SCALAR_BUFLEN];
	int			len;

	if (v->type == NEO4J_STRING)
	{
		/* quoted only when it can be shown as it is */
		if (v->size <= MAX_QUOTED_VALUE &&
			(v->size == 0 ||
			 pg_encoding_verifymbstr(PG_UTF8, v->u.string, v->size) == (int) v->size) &&
			(GetDatabaseEncoding() == PG_UTF8 || GetDatabaseEncoding() == PG_SQL_ASCII))
			return psprintf("%s \"%.*s\"", type, (int) v->size,
							v->size ? v->u.string : "");
		return pstrdup(type);
	}
	len = format_scalar(v, buf, false);
	if (len >= 0 && len <= MAX_QUOTED_VALUE)
		return psprintf("%s %s", type, buf);
	return pstrdup(type);
}

/* " in list element 3" for the elements of an array column, else "". */
static const char *
element_suffix(const Neo4jConverter *conv)
{
	if (conv->parent == NULL)
		return "";
	return psprintf(" in list element %d", conv->parent->cur_elem);
}

/* Column types a Neo4j type converts to (json takes any, too). */
static const char *
fitting_types(const neo4j_value *v)
{
	switch ((neo4j_type) v->type)
	{
		case NEO4J_BOOL:
			return "boolean, text or jsonb";
		case NEO4J_INT:
			return "smallint, integer, bigint, numeric, real, double precision, text or jsonb";
		case NEO4J_FLOAT:
			return "double precision, real, numeric, text or jsonb";
		case NEO4J_BYTES:
			return "bytea, text or jsonb";
		case NEO4J_DATE:
			return "date, text or jsonb";
		case NEO4J_TIME:
			return "time with time zone, text or jsonb";
		case NEO4J_LOCAL_TIME:
			return "time without time zone, text or jsonb";
		case NEO4J_DATE_TIME:
		case NEO4J_DATE_TIME_ZONE_ID:
			return "timestamp with time zone, text or jsonb";
		case NEO4J_LOCAL_DATE_TIME:
			return "timestamp without time zone, text or jsonb";
		case NEO4J_DURATION:
			return "interval, text or jsonb";
		case NEO4J_POINT_2D:
			return "point, text or jsonb";
		case NEO4J_LIST:
		case NEO4J_VECTOR:
			return "array, text or jsonb";
		default:
			return "jsonb, json or text";
	}
}

/*
 * The error for a value a column cannot hold: "column "born" of type
 * smallint cannot hold Neo4j Integer 70000".  detail may be NULL.
 */
static void
cannot_hold(const Neo4jConverter *conv, const neo4j_value *v, int sqlerrcode,
			const char *detail)
{
	const Neo4jConverter *top = top_converter(conv);
	char	   *what = describe_value(v);
	const char *where = element_suffix(conv);

	ereport(ERROR,
			(errcode(sqlerrcode),
			 errmsg("column \"%s\" of type %s cannot hold Neo4j %s%s",
					top->column_name, top->type_name, what, where),
			 detail ? errdetail_internal("%s", detail) : 0));
}

/* The error for a Neo4j type the column's type does not take at all. */
static void
type_mismatch(const Neo4jConverter *conv, const neo4j_value *v)
{
	const Neo4jConverter *top = top_converter(conv);
	char	   *what = describe_value(v);
	const char *where = element_suffix(conv);
	const char *fits = fitting_types(v);

	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
			 errmsg("column \"%s\" of type %s cannot hold Neo4j %s%s",
					top->column_name, top->type_name, what, where),
			 errhint("A Neo4j %s fits %s columns.",
					 neo4j_type_name(v->type), fits)));
}

static void
convert_error_callback(void *arg)
{
	ConvertErrorContext *ctx = (ConvertErrorContext *) arg;
	const Neo4jConverter *top = top_converter(ctx->conv);

	/* no catalog access here: the names were resolved at init */
	if (ctx->conv->parent)
		errcontext("converting Neo4j %s in list element %d for column \"%s\" of type %s",
				   neo4j_type_name(ctx->value->type), top->cur_elem,
				   top->column_name, top->type_name);
	else
		errcontext("converting Neo4j %s for column \"%s\" of type %s",
				   neo4j_type_name(ctx->value->type),
				   top->column_name, top->type_name);
}

/*
 * Errors raised by Postgres functions we call (input functions, numeric
 * typmods, domain checks) do not know the column: name it in the context.
 */
static inline void
push_context(ErrorContextCallback *cb, ConvertErrorContext *ctx,
			 const Neo4jConverter *conv, const neo4j_value *v)
{
	ctx->conv = conv;
	ctx->value = v;
	cb->callback = convert_error_callback;
	cb->arg = ctx;
	cb->previous = error_context_stack;
	error_context_stack = cb;
}

static inline void
pop_context(ErrorContextCallback *cb)
{
	error_context_stack = cb->previous;
}


/* ---------------------------------------------------------------- encoding */

static bool utf8_conv_ready = false;
static FmgrInfo utf8_conv_finfo;

/* The UTF-8 sequence at s[at] as "0xe2 0x82 0xac", as Postgres prints it. */
static char *
utf8_sequence_bytes(const char *s, int len, int at)
{
	int			n = Min(pg_utf_mblen((const unsigned char *) s + at), len - at);
	char	   *bytes = palloc(n * 5 + 1);
	char	   *p = bytes;
	int			i;

	*p = '\0';
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			*p++ = ' ';
		p += sprintf(p, "0x%02x", (unsigned char) s[at + i]);
	}
	return bytes;
}

static void
report_invalid_utf8(const Neo4jConverter *conv, const char *s, int len, int at)
{
	char	   *bytes = utf8_sequence_bytes(s, len, at);

	if (conv)
	{
		const Neo4jConverter *top = top_converter(conv);

		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("column \"%s\" of type %s cannot hold a Neo4j String that is not valid UTF-8%s",
						top->column_name, top->type_name, element_suffix(conv)),
				 errdetail("Invalid byte sequence for encoding \"UTF8\" at byte %d: %s.",
						   at + 1, bytes)));
	}
	ereport(ERROR,
			(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
			 errmsg("Neo4j String is not valid UTF-8"),
			 errdetail("Invalid byte sequence for encoding \"UTF8\" at byte %d: %s.",
					   at + 1, bytes)));
}

/* UTF-8 to a server encoding other than UTF-8 or SQL_ASCII. */
static char *
utf8_to_other(const char *s, int len, int *outlen, const Neo4jConverter *conv)
{
	int			dbenc = GetDatabaseEncoding();
	char	   *dst;
	int			done;

	/* look the conversion up once per backend: the database encoding is fixed */
	if (!utf8_conv_ready)
	{
		Oid			proc = FindDefaultConversionProc(PG_UTF8, dbenc);

		if (!OidIsValid(proc))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("default conversion function for encoding \"%s\" to \"%s\" does not exist",
							"UTF8", GetDatabaseEncodingName())));
		fmgr_info_cxt(proc, &utf8_conv_finfo, TopMemoryContext);
		utf8_conv_ready = true;
	}
	if ((Size) len >= (MaxAllocSize - 1) / MAX_CONVERSION_GROWTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("Neo4j String of %d bytes is too long to convert to encoding \"%s\"",
						len, GetDatabaseEncodingName())));
	dst = palloc((Size) len * MAX_CONVERSION_GROWTH + 1);
	done = DatumGetInt32(FunctionCall6(&utf8_conv_finfo,
									   Int32GetDatum(PG_UTF8),
									   Int32GetDatum(dbenc),
									   CStringGetDatum(s),
									   CStringGetDatum(dst),
									   Int32GetDatum(len),
									   BoolGetDatum(true)));
	if (done < len)
	{
		const Neo4jConverter *top = conv ? top_converter(conv) : NULL;
		char	   *bytes = utf8_sequence_bytes(s, len, done);

		ereport(ERROR,
				(errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
				 top ?
				 errmsg("column \"%s\" of type %s cannot hold a Neo4j String with characters that encoding \"%s\" lacks%s",
						top->column_name, top->type_name,
						GetDatabaseEncodingName(), element_suffix(conv)) :
				 errmsg("Neo4j String has characters that encoding \"%s\" lacks",
						GetDatabaseEncodingName()),
				 errdetail("Character with byte sequence %s in encoding \"UTF8\" has no equivalent in encoding \"%s\".",
						   bytes, GetDatabaseEncodingName())));
	}
	*outlen = strlen(dst);
	return dst;
}

/*
 * A Neo4j string in the server encoding, validated.  Returns s itself when
 * the server takes UTF-8 as it is, else a palloc'd NUL-terminated copy.
 * conv (may be NULL) names the column in errors.
 */
static const char *
string_to_server(const char *s, uint32 size, int *len, const Neo4jConverter *conv)
{
	int			dbenc;
	int			valid;

	if (size == 0)
	{
		*len = 0;
		return "";
	}
	if (size > MaxAllocSize - VARHDRSZ - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("Neo4j String of %u bytes is too long for Postgres", size)));
	valid = pg_encoding_verifymbstr(PG_UTF8, s, (int) size);
	if (valid != (int) size)
		report_invalid_utf8(conv, s, (int) size, valid);
	dbenc = GetDatabaseEncoding();
	if (dbenc == PG_UTF8 || dbenc == PG_SQL_ASCII)
	{
		*len = (int) size;
		return s;
	}
	return utf8_to_other(s, (int) size, len, conv);
}

/* A Neo4j String as a palloc'd NUL-terminated string in the server encoding. */
static char *
string_to_cstring(const neo4j_value *v, const Neo4jConverter *conv)
{
	int			len;
	const char *s = string_to_server(v->u.string, v->size, &len, conv);

	/* a converted string is a palloc'd copy already */
	if (s != v->u.string && len > 0)
		return unconstify(char *, s);
	return pnstrdup(s, len);
}

/* A server-encoding string as a Neo4j String (UTF-8). */
static neo4j_value
server_string_value(const char *s, int len)
{
	char	   *u = pg_server_to_any(s, len, PG_UTF8);

	if (u != s)
		len = strlen(u);
	return neo4j_string_n(u, len);
}


/* ---------------------------------------------------------------- rendering */

/*
 * pg_tzset for a zone name that is not NUL-terminated.  The last name is
 * remembered, found or not: a column tends to repeat one zone, and pg_tzset
 * tries the file system again for every unknown name.
 */
static pg_tz *
lookup_zone(const char *zone, int len)
{
	static char last_name[TZ_STRLEN_MAX + 1];
	static int	last_len = -1;
	static pg_tz *last_tz = NULL;

	if (len == last_len && memcmp(zone, last_name, len) == 0)
		return last_tz;
	memcpy(last_name, zone, len);
	last_name[len] = '\0';
	last_len = -1;				/* in case pg_tzset fails */
	last_tz = pg_tzset(last_name);
	last_len = len;
	return last_tz;
}

/*
 * The driver's zone resolver on Postgres' time zone data: the UTC offset
 * (seconds east) of a named zone at an instant (UTC seconds) or at a
 * wall-clock time (local seconds, resolved as Postgres resolves a local
 * timestamptz input); -1 if the zone is unknown.  Ids that are offsets
 * (+01:00, UTC+01:00) never get here: the driver reads them itself, as
 * pg_tzset would read them as POSIX zones, whose sign is reversed.
 */
static int
pg_zone_offset(void *ctx, const char *zone, size_t len, int64_t secs, bool local,
			   int32_t *offset)
{
	pg_tz	   *tz;

	if (len == 0 || len > TZ_STRLEN_MAX || memchr(zone, '\0', len) != NULL)
		return -1;
	tz = lookup_zone(zone, (int) len);
	if (tz == NULL)
		return -1;
	if (!local)
	{
		pg_time_t	t = (pg_time_t) secs;
		struct pg_tm *tm = pg_localtime(&t, tz);

		if (tm == NULL)
			return -1;
		*offset = (int32) tm->tm_gmtoff;
	}
	else
	{
		struct pg_tm tm;
		int64		y;

		memset(&tm, 0, sizeof(tm));
		/* DetermineTimeZoneOffset guesses UTC outside Postgres' calendar */
		if (!neo4j_civil_from_days(neo4j_floor_div(secs, SECS_PER_DAY), &y, &tm.tm_mon,
								   &tm.tm_mday) ||
			y < -4713 || y > 5874897)
			return -1;
		tm.tm_year = (int) y;
		tm.tm_hour = (int) (neo4j_floor_mod(secs, SECS_PER_DAY) / SECS_PER_HOUR);
		tm.tm_min = (int) (neo4j_floor_mod(secs, SECS_PER_HOUR) / SECS_PER_MINUTE);
		tm.tm_sec = (int) neo4j_floor_mod(secs, SECS_PER_MINUTE);
		/* Postgres counts seconds west of UTC */
		*offset = -DetermineTimeZoneOffset(&tm, tz);
	}
	return 0;
}

static const neo4j_zone_resolver pg_zones = {pg_zone_offset, NULL};

/* A zone id we can print and look up: printable ASCII. */
static bool
zone_id_ok(const neo4j_value *zv)
{
	uint32		i;

	if (zv->size == 0 || zv->size > TZ_STRLEN_MAX)
		return false;
	for (i = 0; i < zv->size; i++)
	{
		if (zv->u.string[i] <= ' ' || zv->u.string[i] > '~')
			return false;
	}
	return true;
}

/*
 * A temporal value in ISO 8601 as Neo4j prints it (the driver's text, zone
 * ids resolved with Postgres' time zone data) in buf (SCALAR_BUFLEN bytes);
 * -1 if malformed or out of range.
 */
static int
format_temporal(char *buf, const neo4j_value *v)
{
	const neo4j_value *zv = field(v, 2, NEO4J_STRING);
	int			n;

	if (v->type == NEO4J_DATE_TIME_ZONE_ID && zv != NULL && !zone_id_ok(zv))
		return -1;
	n = neo4j_temporal_format(buf, SCALAR_BUFLEN, v, &pg_zones);
	return n < SCALAR_BUFLEN ? n : -1;
}

/* A Float as float8out prints it (extra_float_digits is honoured). */
static int
format_float8(char *buf, double d)
{
	int			ndig;

	if (isnan(d))
		return sprintf(buf, "NaN");
	if (isinf(d))
		return sprintf(buf, d > 0 ? "Infinity" : "-Infinity");
	if (extra_float_digits > 0)
		return double_to_shortest_decimal_buf(d, buf);
	ndig = DBL_DIG + extra_float_digits;
	if (ndig < 1)
		ndig = 1;
	return sprintf(buf, "%.*g", ndig, d);
}

/*
 * Boolean, Integer, Float and temporal values as text in buf (at least
 * SCALAR_BUFLEN bytes); -1 for other types, and for malformed values unless
 * strict (then an error).
 */
static int
format_scalar(const neo4j_value *v, char *buf, bool strict)
{
	int			n;

	switch ((neo4j_type) v->type)
	{
		case NEO4J_BOOL:
			return sprintf(buf, v->u.boolean ? "true" : "false");
		case NEO4J_INT:
			return pg_lltoa(v->u.integer, buf);
		case NEO4J_FLOAT:
			return format_float8(buf, v->u.real);
		default:
			if (!neo4j_type_is_temporal(v->type))
				return -1;
			n = format_temporal(buf, v);
			if (n < 0 && strict)
				malformed(v);
			return n;
	}
}

/* Bytes as bytea's hex output, \x0a0b. */
static char *
bytes_to_hex(const neo4j_value *v, int *len)
{
	char	   *s = palloc((Size) v->size * 2 + 3);

	s[0] = '\\';
	s[1] = 'x';
	*len = 2 + (int) hex_encode((const char *) v->u.bytes, v->size, s + 2);
	s[*len] = '\0';
	return s;
}


/* ---------------------------------------------------------------- jsonb */

static inline void
jbv_string(JsonbValue *jv, const char *s, int len)
{
	jv->type = jbvString;
	jv->val.string.val = unconstify(char *, s);
	jv->val.string.len = len;
}

static inline void
push_key(JsonbParseState **state, const char *key)
{
	JsonbValue	jv;

	jbv_string(&jv, key, strlen(key));
	pushJsonbValue(state, WJB_KEY, &jv);
}

static void
jbv_int(JsonbValue *jv, int64 i)
{
	jv->type = jbvNumeric;
	jv->val.numeric = int64_to_numeric(i);
}

/*
 * A Float as a JSON number in its shortest exact digits, with a fraction
 * (1.0) so that it reads back as a Float; NaN and infinities, which JSON
 * numbers cannot hold, as strings.
 */
static void
jbv_float(JsonbValue *jv, double d, bool single)
{
	char		buf[DOUBLE_SHORTEST_DECIMAL_LEN + 2];
	int			n;

	if (isnan(d) || isinf(d))
	{
		jbv_string(jv, isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity",
				   isnan(d) ? 3 : d > 0 ? 8 : 9);
		return;
	}
	if (single)
		n = float_to_shortest_decimal_buf((float) d, buf);
	else
		n = double_to_shortest_decimal_buf(d, buf);
	if (strpbrk(buf, ".e") == NULL)
	{
		buf[n++] = '.';
		buf[n++] = '0';
		buf[n] = '\0';
	}
	jv->type = jbvNumeric;
	jv->val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
														  CStringGetDatum(buf),
														  ObjectIdGetDatum(InvalidOid),
														  Int32GetDatum(-1)));
}

/* A scalar (rendered as a JSON scalar) in *jv; false for containers. */
static bool
scalar_to_jbv(const neo4j_value *v, JsonbValue *jv)
{
	char		buf[SCALAR_BUFLEN];
	const char *s;
	int			len;

	switch ((neo4j_type) v->type)
	{
		case NEO4J_NULL:
			jv->type = jbvNull;
			return true;
		case NEO4J_BOOL:
			jv->type = jbvBool;
			jv->val.boolean = v->u.boolean;
			return true;
		case NEO4J_INT:
			jbv_int(jv, v->u.integer);
			return true;
		case NEO4J_FLOAT:
			jbv_float(jv, v->u.real, false);
			return true;
		case NEO4J_STRING:
			s = string_to_server(v->u.string, v->size, &len, NULL);
			jbv_string(jv, s, len);
			return true;
		case NEO4J_BYTES:
			s = bytes_to_hex(v, &len);
			jbv_string(jv, s, len);
			return true;
		default:
			if (!neo4j_type_is_temporal(v->type))
				return false;
			len = format_scalar(v, buf, true);
			jbv_string(jv, pnstrdup(buf, len), len);
			return true;
	}
}

static void
push_string_field(JsonbParseState **state, const char *key, const neo4j_value *s)
{
	JsonbValue	jv;

	push_key(state, key);
	scalar_to_jbv(s, &jv);
	pushJsonbValue(state, WJB_VALUE, &jv);
}

static void
push_int_field(JsonbParseState **state, const char *key, int64 i)
{
	JsonbValue	jv;

	push_key(state, key);
	jbv_int(&jv, i);
	pushJsonbValue(state, WJB_VALUE, &jv);
}

/* An element id, or on Bolt 4.4 (no element ids) the integer id as text. */
static void
push_element_id(JsonbParseState **state, const char *key,
				const neo4j_value *eid, int64 id)
{
	JsonbValue	jv;
	char	   *s;

	if (eid)
	{
		push_string_field(state, key, eid);
		return;
	}
	push_key(state, key);
	s = psprintf(INT64_FORMAT, id);
	jbv_string(&jv, s, strlen(s));
	pushJsonbValue(state, WJB_VALUE, &jv);
}

static JsonbValue *
push_map(JsonbParseState **state, const neo4j_value *m)
{
	uint32		i;

	if (m->size && m->u.entries == NULL)
		malformed(m);
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	for (i = 0; i < m->size; i++)
	{
		const neo4j_map_entry *e = &m->u.entries[i];
		JsonbValue	key;

		if (e->key.type != NEO4J_STRING)
			malformed(m);
		/* duplicate keys: jsonb keeps the last, as PackStream says */
		scalar_to_jbv(&e->key, &key);
		pushJsonbValue(state, WJB_KEY, &key);
		push_value(state, WJB_VALUE, &e->value);
	}
	return pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

static bool
node_ids(const neo4j_value *n, int64 *id, const neo4j_value **eid)
{
	if (n->type != NEO4J_NODE || !field_int(n, NEO4J_NODE_ID, id))
		return false;
	*eid = field(n, NEO4J_NODE_ELEMENT_ID, NEO4J_STRING);
	return true;
}

static JsonbValue *
push_node(JsonbParseState **state, const neo4j_value *v)
{
	const neo4j_value *labels = field(v, NEO4J_NODE_LABELS, NEO4J_LIST);
	const neo4j_value *props = field(v, NEO4J_NODE_PROPERTIES, NEO4J_MAP);
	const neo4j_value *eid;
	int64		id;
	uint32		i;

	if (!node_ids(v, &id, &eid) || labels == NULL || props == NULL ||
		(labels->size && labels->u.items == NULL))
		malformed(v);
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	push_element_id(state, "element_id", eid, id);
	push_int_field(state, "id", id);
	push_key(state, "labels");
	pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < labels->size; i++)
	{
		JsonbValue	jv;

		if (labels->u.items[i].type != NEO4J_STRING)
			malformed(v);
		scalar_to_jbv(&labels->u.items[i], &jv);
		pushJsonbValue(state, WJB_ELEM, &jv);
	}
	pushJsonbValue(state, WJB_END_ARRAY, NULL);
	push_key(state, "properties");
	push_map(state, props);
	return pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/*
 * A Relationship, or an UnboundRelationship: alone (no start and end) or
 * inside a Path, where start and end are the nodes it connects.
 */
static JsonbValue *
push_relationship(JsonbParseState **state, const neo4j_value *r,
				  const neo4j_value *start, const neo4j_value *end)
{
	bool		bound = r->type == NEO4J_RELATIONSHIP;
	const neo4j_value *type = field(r, bound ? NEO4J_REL_TYPE : NEO4J_UREL_TYPE,
									NEO4J_STRING);
	const neo4j_value *props = field(r, bound ? NEO4J_REL_PROPERTIES : NEO4J_UREL_PROPERTIES,
									 NEO4J_MAP);
	const neo4j_value *eid = field(r, bound ? NEO4J_REL_ELEMENT_ID : NEO4J_UREL_ELEMENT_ID,
								   NEO4J_STRING);
	const neo4j_value *start_eid = NULL;
	const neo4j_value *end_eid = NULL;
	int64		id,
				start_id = 0,
				end_id = 0;
	bool		ends = bound || (start && end);

	if ((!bound && r->type != NEO4J_UNBOUND_RELATIONSHIP) ||
		!field_int(r, bound ? NEO4J_REL_ID : NEO4J_UREL_ID, &id) ||
		type == NULL || props == NULL)
		malformed(r);
	if (bound)
	{
		if (!field_int(r, NEO4J_REL_START_ID, &start_id) ||
			!field_int(r, NEO4J_REL_END_ID, &end_id))
			malformed(r);
		start_eid = field(r, NEO4J_REL_START_ELEMENT_ID, NEO4J_STRING);
		end_eid = field(r, NEO4J_REL_END_ELEMENT_ID, NEO4J_STRING);
	}
	else if (ends &&
			 (!node_ids(start, &start_id, &start_eid) ||
			  !node_ids(end, &end_id, &end_eid)))
		malformed(r);

	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	push_element_id(state, "element_id", eid, id);
	push_int_field(state, "id", id);
	push_string_field(state, "type", type);
	if (ends)
	{
		push_element_id(state, "start_element_id", start_eid, start_id);
		push_element_id(state, "end_element_id", end_eid, end_id);
		push_int_field(state, "start_id", start_id);
		push_int_field(state, "end_id", end_id);
	}
	push_key(state, "properties");
	push_map(state, props);
	return pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/*
 * A Path as its nodes and relationships in walk order.  The indices are
 * (relationship, node) pairs: relationship k > 0 is walked along its
 * direction, -k against it.
 */
static JsonbValue *
push_path(JsonbParseState **state, const neo4j_value *v)
{
	const neo4j_value *nodes = field(v, NEO4J_PATH_NODES, NEO4J_LIST);
	const neo4j_value *rels = field(v, NEO4J_PATH_RELS, NEO4J_LIST);
	const neo4j_value *idx = field(v, NEO4J_PATH_INDICES, NEO4J_LIST);
	const neo4j_value *prev;
	uint32		i;

	if (nodes == NULL || rels == NULL || idx == NULL || nodes->size == 0 ||
		nodes->u.items == NULL || idx->size % 2 != 0 ||
		(idx->size && idx->u.items == NULL) || (rels->size && rels->u.items == NULL))
		malformed(v);
	for (i = 0; i < idx->size; i += 2)
	{
		const neo4j_value *r = &idx->u.items[i];
		const neo4j_value *n = &idx->u.items[i + 1];

		if (r->type != NEO4J_INT || n->type != NEO4J_INT ||
			r->u.integer == 0 || r->u.integer < -(int64) rels->size ||
			r->u.integer > (int64) rels->size ||
			n->u.integer < 0 || n->u.integer >= (int64) nodes->size)
			malformed(v);
	}

	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	push_key(state, "nodes");
	pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	push_node(state, &nodes->u.items[0]);
	for (i = 0; i < idx->size; i += 2)
		push_node(state, &nodes->u.items[idx->u.items[i + 1].u.integer]);
	pushJsonbValue(state, WJB_END_ARRAY, NULL);

	push_key(state, "relationships");
	pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	prev = &nodes->u.items[0];
	for (i = 0; i < idx->size; i += 2)
	{
		int64		r = idx->u.items[i].u.integer;
		const neo4j_value *next = &nodes->u.items[idx->u.items[i + 1].u.integer];
		const neo4j_value *rel = &rels->u.items[(r > 0 ? r : -r) - 1];

		if (r > 0)
			push_relationship(state, rel, prev, next);
		else
			push_relationship(state, rel, next, prev);
		prev = next;
	}
	pushJsonbValue(state, WJB_END_ARRAY, NULL);
	return pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

static JsonbValue *
push_point(JsonbParseState **state, const neo4j_value *v)
{
	static const char *const axes[] = {"x", "y", "z"};
	int			dims = v->type == NEO4J_POINT_3D ? 3 : 2;
	int64		srid;
	int			k;

	if (!field_int(v, 0, &srid))
		malformed(v);
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	push_int_field(state, "srid", srid);
	for (k = 0; k < dims; k++)
	{
		const neo4j_value *c = field(v, k + 1, NEO4J_FLOAT);
		JsonbValue	jv;

		if (c == NULL)
			malformed(v);
		push_key(state, axes[k]);
		jbv_float(&jv, c->u.real, false);
		pushJsonbValue(state, WJB_VALUE, &jv);
	}
	return pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/*
 * Bolt 6.0 Vector: a type marker and big-endian elements.  Returns the
 * element count and width, or -1 if malformed.
 */
static int
vector_shape(const neo4j_value *v, uint8 *marker, const uint8 **data, int *width)
{
	const neo4j_value *tm = field(v, 0, NEO4J_BYTES);
	const neo4j_value *dv = field(v, 1, NEO4J_BYTES);

	if (tm == NULL || dv == NULL || tm->size != 1 || tm->u.bytes == NULL ||
		(dv->size && dv->u.bytes == NULL))
		return -1;
	*marker = tm->u.bytes[0];
	switch (*marker)
	{
		case 0xC8:				/* INT_8 */
			*width = 1;
			break;
		case 0xC9:				/* INT_16 */
			*width = 2;
			break;
		case 0xCA:				/* INT_32 */
		case 0xC6:				/* FLOAT_32 */
			*width = 4;
			break;
		case 0xCB:				/* INT_64 */
		case 0xC1:				/* FLOAT_64 */
			*width = 8;
			break;
		default:
			return -1;
	}
	if (dv->size % *width != 0 || dv->size / *width > MaxArraySize)
		return -1;
	*data = dv->u.bytes;
	return (int) (dv->size / *width);
}

/* Element i of a Vector as an Integer or Float; *single for FLOAT_32. */
static void
vector_item(uint8 marker, const uint8 *data, int width, int i, neo4j_value *out,
			bool *single)
{
	uint64		raw = 0;
	int			k;

	for (k = 0; k < width; k++)
		raw = raw << 8 | data[(Size) i * width + k];
	*single = false;
	switch (marker)
	{
		case 0xC8:
			*out = neo4j_int((int8) raw);
			break;
		case 0xC9:
			*out = neo4j_int((int16) raw);
			break;
		case 0xCA:
			*out = neo4j_int((int32) raw);
			break;
		case 0xCB:
			*out = neo4j_int((int64) raw);
			break;
		case 0xC6:
			{
				uint32		r32 = (uint32) raw;
				float		f;

				memcpy(&f, &r32, sizeof(f));
				*out = neo4j_float(f);
				*single = true;
				break;
			}
		default:
			{
				double		d;

				memcpy(&d, &raw, sizeof(d));
				*out = neo4j_float(d);
				break;
			}
	}
}

static JsonbValue *
push_vector(JsonbParseState **state, const neo4j_value *v)
{
	uint8		marker;
	const uint8 *data;
	int			width;
	int			n = vector_shape(v, &marker, &data, &width);
	int			i;

	if (n < 0)
		malformed(v);
	pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
	{
		neo4j_value item;
		bool		single;
		JsonbValue	jv;

		vector_item(marker, data, width, i, &item, &single);
		if (item.type == NEO4J_INT)
			jbv_int(&jv, item.u.integer);
		else
			jbv_float(&jv, item.u.real, single);
		pushJsonbValue(state, WJB_ELEM, &jv);
	}
	return pushJsonbValue(state, WJB_END_ARRAY, NULL);
}

/* Any structure without a better shape: its tag and fields. */
static JsonbValue *
push_structure(JsonbParseState **state, const neo4j_value *v)
{
	uint32		i;

	if (v->size && v->u.items == NULL)
		malformed(v);
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	push_int_field(state, "structure_tag", v->tag);
	push_key(state, "fields");
	pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < v->size; i++)
		push_value(state, WJB_ELEM, &v->u.items[i]);
	pushJsonbValue(state, WJB_END_ARRAY, NULL);
	return pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/* Bolt 6.0 UnsupportedType: name, minimum protocol version, extra map. */
static JsonbValue *
push_unsupported(JsonbParseState **state, const neo4j_value *v)
{
	const neo4j_value *name = field(v, 0, NEO4J_STRING);
	const neo4j_value *extra = field(v, 3, NEO4J_MAP);
	const neo4j_value *message = extra ? neo4j_map_get(extra, "message") : NULL;
	int64		major,
				minor;
	JsonbValue	jv;
	char	   *version;

	if (name == NULL || !field_int(v, 1, &major) || !field_int(v, 2, &minor))
		return push_structure(state, v);
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	push_string_field(state, "unsupported_type", name);
	push_key(state, "minimum_protocol_version");
	version = psprintf(INT64_FORMAT "." INT64_FORMAT, major, minor);
	jbv_string(&jv, version, strlen(version));
	pushJsonbValue(state, WJB_VALUE, &jv);
	if (message && message->type == NEO4J_STRING)
		push_string_field(state, "message", message);
	return pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/* Pushes v as the next element (WJB_ELEM) or object value (WJB_VALUE). */
static JsonbValue *
push_value(JsonbParseState **state, JsonbIteratorToken tok, const neo4j_value *v)
{
	JsonbValue	jv;
	uint32		i;

	if (scalar_to_jbv(v, &jv))
		return pushJsonbValue(state, tok, &jv);

	/* values nest as deep as the Bolt decoder allows */
	check_stack_depth();
	switch ((neo4j_type) v->type)
	{
		case NEO4J_LIST:
			if (v->size && v->u.items == NULL)
				malformed(v);
			pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
			for (i = 0; i < v->size; i++)
				push_value(state, WJB_ELEM, &v->u.items[i]);
			return pushJsonbValue(state, WJB_END_ARRAY, NULL);
		case NEO4J_MAP:
			return push_map(state, v);
		case NEO4J_NODE:
			return push_node(state, v);
		case NEO4J_RELATIONSHIP:
		case NEO4J_UNBOUND_RELATIONSHIP:
			return push_relationship(state, v, NULL, NULL);
		case NEO4J_PATH:
			return push_path(state, v);
		case NEO4J_POINT_2D:
		case NEO4J_POINT_3D:
			return push_point(state, v);
		case NEO4J_VECTOR:
			return push_vector(state, v);
		case NEO4J_UNSUPPORTED:
			return push_unsupported(state, v);
		default:
			return push_structure(state, v);
	}
}

Jsonb *
neo4j_value_to_jsonb(const neo4j_value *value)
{
	JsonbParseState *state = NULL;
	JsonbValue	jv;
	neo4j_value null_value = neo4j_null();

	if (value == NULL)
		value = &null_value;

	/* a top-level scalar: JsonbValueToJsonb wraps it itself */
	if (scalar_to_jbv(value, &jv))
		return JsonbValueToJsonb(&jv);
	return JsonbValueToJsonb(push_value(&state, WJB_VALUE, value));
}

char *
neo4j_value_to_text(const neo4j_value *value)
{
	char		buf[SCALAR_BUFLEN];
	int			len;
	Jsonb	   *jb;

	if (value == NULL)
		return NULL;
	switch ((neo4j_type) value->type)
	{
		case NEO4J_NULL:
			return NULL;
		case NEO4J_STRING:
			return string_to_cstring(value, NULL);
		case NEO4J_BYTES:
			return bytes_to_hex(value, &len);
		default:
			if ((len = format_scalar(value, buf, true)) >= 0)
				return pnstrdup(buf, len);
			jb = neo4j_value_to_jsonb(value);
			return JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	}
}


/* ---------------------------------------------------------------- converters */

static void
converter_setup(Neo4jConverter *conv, Oid typid, int32 typmod,
				const char *column_name, MemoryContext cxt, Neo4jConverter *parent)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
	Oid			infunc;
	Oid			elemtype;

	memset(conv, 0, sizeof(*conv));
	conv->cxt = cxt;
	conv->parent = parent;
	conv->typid = typid;
	conv->typmod = typmod;
	conv->column_name = parent ? parent->column_name :
		pstrdup(column_name ? column_name : "?column?");
	/* resolved now: error paths must not look up the catalogs */
	conv->type_name = parent ? parent->type_name :
		format_type_with_typemod(typid, typmod);
	conv->basetypmod = typmod;
	conv->basetypid = getBaseTypeAndTypmod(typid, &conv->basetypmod);
	conv->is_domain = conv->basetypid != typid;
	conv->maxlen = -1;
	getTypeInputInfo(conv->basetypid, &infunc, &conv->typioparam);
	fmgr_info_cxt(infunc, &conv->infunc, cxt);

	switch (conv->basetypid)
	{
		case INT2OID:
			conv->kind = NEO4J_CONV_INT2;
			break;
		case INT4OID:
			conv->kind = NEO4J_CONV_INT4;
			break;
		case INT8OID:
			conv->kind = NEO4J_CONV_INT8;
			break;
		case FLOAT4OID:
			conv->kind = NEO4J_CONV_FLOAT4;
			break;
		case FLOAT8OID:
			conv->kind = NEO4J_CONV_FLOAT8;
			break;
		case NUMERICOID:
			conv->kind = NEO4J_CONV_NUMERIC;
			break;
		case BOOLOID:
			conv->kind = NEO4J_CONV_BOOL;
			break;
		case TEXTOID:
			conv->kind = NEO4J_CONV_TEXT;
			break;
		case VARCHAROID:
		case BPCHAROID:
			conv->kind = NEO4J_CONV_TEXT;
			if (conv->basetypmod >= (int32) VARHDRSZ)
			{
				conv->maxlen = conv->basetypmod - VARHDRSZ;
				conv->pad = conv->basetypid == BPCHAROID;
			}
			break;
		case BYTEAOID:
			conv->kind = NEO4J_CONV_BYTEA;
			break;
		case DATEOID:
			conv->kind = NEO4J_CONV_DATE;
			break;
		case TIMEOID:
			conv->kind = NEO4J_CONV_TIME;
			break;
		case TIMETZOID:
			conv->kind = NEO4J_CONV_TIMETZ;
			break;
		case TIMESTAMPOID:
			conv->kind = NEO4J_CONV_TIMESTAMP;
			break;
		case TIMESTAMPTZOID:
			conv->kind = NEO4J_CONV_TIMESTAMPTZ;
			break;
		case INTERVALOID:
			conv->kind = NEO4J_CONV_INTERVAL;
			break;
		case POINTOID:
			conv->kind = NEO4J_CONV_POINT;
			break;
		case JSONOID:
			conv->kind = NEO4J_CONV_JSON;
			break;
		case JSONBOID:
			conv->kind = NEO4J_CONV_JSONB;
			break;
		case INT2VECTOROID:
		case OIDVECTOROID:
			/* array-like system types: their input functions only */
			conv->kind = NEO4J_CONV_OTHER;
			break;
		default:
			elemtype = get_element_type(conv->basetypid);
			if (OidIsValid(elemtype) && parent == NULL)
			{
				conv->kind = NEO4J_CONV_ARRAY;
				get_typlenbyvalalign(elemtype, &conv->elmlen, &conv->elmbyval,
									 &conv->elmalign);
				conv->elem = palloc(sizeof(Neo4jConverter));
				/* an array column's typmod is its elements' */
				converter_setup(conv->elem, elemtype, conv->basetypmod, NULL, cxt, conv);
			}
			else
				conv->kind = NEO4J_CONV_OTHER;
			break;
	}
	MemoryContextSwitchTo(oldcxt);
}

void
neo4j_converter_init(Neo4jConverter *conv, Oid typid, int32 typmod,
					 const char *column_name, MemoryContext cxt)
{
	converter_setup(conv, typid, typmod, column_name, cxt, NULL);
}

/* Text of a text, varchar(n) or char(n) column, as their input functions do. */
static Datum
make_text(const Neo4jConverter *conv, const neo4j_value *v, const char *s, int len)
{
	if (conv->maxlen >= 0)
	{
		/* more bytes than the limit may still be few enough characters */
		if (len > conv->maxlen)
		{
			int			cut = pg_mbcharcliplen(s, len, conv->maxlen);
			int			j;

			/* like Postgres, trailing blanks beyond the limit are dropped */
			for (j = cut; j < len; j++)
			{
				if (s[j] != ' ')
				{
					char	   *detail = psprintf("The value has %d characters.",
												  pg_mbstrlen_with_len(s, len));

					cannot_hold(conv, v, ERRCODE_STRING_DATA_RIGHT_TRUNCATION, detail);
				}
			}
			len = cut;
		}
		if (conv->pad)
		{
			int			chars = pg_mbstrlen_with_len(s, len);

			if (chars < conv->maxlen)
			{
				int			pad = conv->maxlen - chars;
				text	   *t = (text *) palloc(VARHDRSZ + len + pad);

				SET_VARSIZE(t, VARHDRSZ + len + pad);
				memcpy(VARDATA(t), s, len);
				memset(VARDATA(t) + len, ' ', pad);
				return PointerGetDatum(t);
			}
		}
	}
	return PointerGetDatum(cstring_to_text_with_len(s, len));
}

/* Any value into a text column: Strings as they are, others rendered. */
static Datum
convert_to_text(Neo4jConverter *conv, const neo4j_value *v)
{
	char		buf[SCALAR_BUFLEN];
	const char *s;
	int			len;
	ErrorContextCallback errcb;
	ConvertErrorContext ectx;

	if (v->type == NEO4J_STRING)
	{
		s = string_to_server(v->u.string, v->size, &len, conv);
		return make_text(conv, v, s, len);
	}
	if ((len = format_scalar(v, buf, false)) >= 0)
		return make_text(conv, v, buf, len);

	/* lists, maps, graph values: their jsonb text */
	push_context(&errcb, &ectx, conv, v);
	s = neo4j_value_to_text(v);
	pop_context(&errcb);
	return make_text(conv, v, s, strlen(s));
}

/* A String into a non-text column: parsed by the type's input function. */
static Datum
convert_with_input(Neo4jConverter *conv, const neo4j_value *v)
{
	char	   *cstr = string_to_cstring(v, conv);
	ErrorContextCallback errcb;
	ConvertErrorContext ectx;
	Datum		result;

	push_context(&errcb, &ectx, conv, v);
	result = InputFunctionCall(&conv->infunc, cstr, conv->typioparam,
							   conv->basetypmod);
	pop_context(&errcb);
	return result;
}

/* Out of range for a date or time type. */
static void
datetime_out_of_range(const Neo4jConverter *conv, const neo4j_value *v)
{
	cannot_hold(conv, v, ERRCODE_DATETIME_VALUE_OUT_OF_RANGE, NULL);
}

static Datum
convert_numeric(Neo4jConverter *conv, const neo4j_value *v)
{
	ErrorContextCallback errcb;
	ConvertErrorContext ectx;
	Datum		result;

	push_context(&errcb, &ectx, conv, v);
	if (v->type == NEO4J_INT)
	{
		result = NumericGetDatum(int64_to_numeric(v->u.integer));
		if (conv->basetypmod >= (int32) VARHDRSZ)
			result = DirectFunctionCall2(numeric, result,
										 Int32GetDatum(conv->basetypmod));
	}
	else
	{
		/* shortest digits that read back as the same double, not float8's 15 */
		char		buf[DOUBLE_SHORTEST_DECIMAL_LEN + 10];
		double		d = v->u.real;

		if (isnan(d))
			strcpy(buf, "NaN");
		else if (isinf(d))
			strcpy(buf, d > 0 ? "Infinity" : "-Infinity");
		else
			double_to_shortest_decimal_buf(d, buf);
		result = DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
									 ObjectIdGetDatum(InvalidOid),
									 Int32GetDatum(conv->basetypmod));
	}
	pop_context(&errcb);
	return result;
}

static Datum
convert_date(Neo4jConverter *conv, const neo4j_value *v)
{
	int64		n_days;

	if (!field_int(v, 0, &n_days))
		malformed(v);
	if (n_days < NEO4J_MIN_EPOCH_DAY || n_days > NEO4J_MAX_EPOCH_DAY ||
		!IS_VALID_DATE(n_days - EPOCH_SHIFT_DAYS))
		datetime_out_of_range(conv, v);
	return DateADTGetDatum((DateADT) (n_days - EPOCH_SHIFT_DAYS));
}

static Datum
convert_time(Neo4jConverter *conv, const neo4j_value *v)
{
	int64		nanos;
	TimeADT		t;

	if (!field_int(v, 0, &nanos) || nanos < 0 || nanos >= NEO4J_NANOS_PER_DAY)
		malformed(v);
	/* may round up to 24:00:00, which time allows */
	t = round_nanos(nanos);
	AdjustTimeForTypmod(&t, conv->basetypmod);
	return TimeADTGetDatum(t);
}

static Datum
convert_timetz(Neo4jConverter *conv, const neo4j_value *v)
{
	int64		nanos,
				offset;
	TimeTzADT  *result;

	if (!field_int(v, 0, &nanos) || !field_int(v, 1, &offset) ||
		nanos < 0 || nanos >= NEO4J_NANOS_PER_DAY ||
		offset < -NEO4J_MAX_OFFSET_SECONDS || offset > NEO4J_MAX_OFFSET_SECONDS)
		malformed(v);
	if (offset <= -TZDISP_LIMIT || offset >= TZDISP_LIMIT)
		cannot_hold(conv, v, ERRCODE_INVALID_TIME_ZONE_DISPLACEMENT_VALUE,
					"Time zone offsets in Postgres are less than 16 hours.");
	result = (TimeTzADT *) palloc(sizeof(TimeTzADT));
	result->time = round_nanos(nanos);
	/* Neo4j counts seconds east of UTC, Postgres seconds west */
	result->zone = (int32) -offset;
	AdjustTimeForTypmod(&result->time, conv->basetypmod);
	return TimeTzADTPGetDatum(result);
}

/* LocalDateTime into timestamp; DateTime and DateTimeZoneId into timestamptz. */
static Datum
convert_timestamp(Neo4jConverter *conv, const neo4j_value *v)
{
	int64		secs,
				nanos;
	Timestamp	ts;

	if (!field_int(v, 0, &secs) || !field_int(v, 1, &nanos) ||
		nanos < 0 || nanos >= NEO4J_NANOS_PER_SECOND)
		malformed(v);
	if (v->type == NEO4J_DATE_TIME && neo4j_temporal_local_seconds(v))
	{
		int64		offset;

		if (!field_int(v, 2, &offset) || offset < -NEO4J_MAX_OFFSET_SECONDS || offset > NEO4J_MAX_OFFSET_SECONDS)
			malformed(v);
		if (pg_sub_s64_overflow(secs, offset, &secs))
			datetime_out_of_range(conv, v);
	}
	else if (v->type == NEO4J_DATE_TIME_ZONE_ID && neo4j_temporal_local_seconds(v))
	{
		/* Neo4j 4.x: wall-clock seconds, so the zone decides the instant */
		const neo4j_value *zv = field(v, 2, NEO4J_STRING);
		int32		offset;

		if (zv == NULL || !zone_id_ok(zv))
			malformed(v);
		if (secs < NEO4J_MIN_EPOCH_DAY * SECS_PER_DAY || secs > NEO4J_MAX_EPOCH_DAY * SECS_PER_DAY)
			datetime_out_of_range(conv, v);
		if (neo4j_zone_offset(&pg_zones, zv->u.string, zv->size, secs, true, &offset) < 0)
		{
			char	   *detail = psprintf("Time zone \"%.*s\" is not recognized.",
										  (int) zv->size, zv->u.string);

			cannot_hold(conv, v, ERRCODE_INVALID_PARAMETER_VALUE, detail);
		}
		secs -= offset;
	}
	if (!unix_to_timestamp(secs, nanos, &ts))
		datetime_out_of_range(conv, v);
	AdjustTimestampForTypmod(&ts, conv->basetypmod);
	if (!IS_VALID_TIMESTAMP(ts))
		datetime_out_of_range(conv, v);
	return TimestampGetDatum(ts);
}

static Datum
convert_interval(Neo4jConverter *conv, const neo4j_value *v)
{
	int64		n_months,
				n_days,
				secs,
				nanos,
				us;
	Interval   *result;

	if (!field_int(v, 0, &n_months) || !field_int(v, 1, &n_days) ||
		!field_int(v, 2, &secs) || !field_int(v, 3, &nanos))
		malformed(v);
	/* nanoseconds into [0, 1e9) first: half-to-even then ignores the sign */
	if (n_months < PG_INT32_MIN || n_months > PG_INT32_MAX ||
		n_days < PG_INT32_MIN || n_days > PG_INT32_MAX ||
		pg_add_s64_overflow(secs, neo4j_floor_div(nanos, NEO4J_NANOS_PER_SECOND), &secs) ||
		pg_mul_s64_overflow(secs, USECS_PER_SEC, &us) ||
		pg_add_s64_overflow(us, round_nanos(neo4j_floor_mod(nanos, NEO4J_NANOS_PER_SECOND)), &us))
		datetime_out_of_range(conv, v);
	result = (Interval *) palloc(sizeof(Interval));
	result->month = (int32) n_months;
	result->day = (int32) n_days;
	result->time = us;
	if (conv->basetypmod >= 0)
	{
		ErrorContextCallback errcb;
		ConvertErrorContext ectx;
		Datum		scaled;

		push_context(&errcb, &ectx, conv, v);
		scaled = DirectFunctionCall2(interval_scale, IntervalPGetDatum(result),
									 Int32GetDatum(conv->basetypmod));
		pop_context(&errcb);
		return scaled;
	}
	return IntervalPGetDatum(result);
}

static void
nested_list(const Neo4jConverter *conv, const neo4j_value *v)
{
	const Neo4jConverter *top = top_converter(conv);

	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
			 errmsg("column \"%s\" of type %s cannot hold a nested Neo4j %s in list element %d",
					top->column_name, top->type_name, neo4j_type_name(v->type),
					top->cur_elem),
			 errdetail("Arrays made from Neo4j Lists have one dimension."),
			 errhint("Use a jsonb column for nested lists.")));
}

static void
reserve_elements(Neo4jConverter *conv, int n)
{
	if (n <= conv->elem_cap)
		return;
	if ((Size) n > MaxArraySize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("Neo4j List of %d elements is too long for column \"%s\"",
						n, conv->column_name)));
	if (conv->elem_values)
	{
		pfree(conv->elem_values);
		pfree(conv->elem_nulls);
	}
	conv->elem_cap = Max(n, 16);
	conv->elem_values = MemoryContextAlloc(conv->cxt, sizeof(Datum) * conv->elem_cap);
	conv->elem_nulls = MemoryContextAlloc(conv->cxt, sizeof(bool) * conv->elem_cap);
}

/* A List or Vector into a one-dimensional array. */
static Datum
convert_array(Neo4jConverter *conv, const neo4j_value *v)
{
	Neo4jConverter *ec = conv->elem;
	bool		takes_lists = ec->kind == NEO4J_CONV_JSONB || ec->kind == NEO4J_CONV_JSON;
	uint8		marker = 0;
	const uint8 *data = NULL;
	int			width = 0;
	int			n;
	int			i;
	int			dims[1];
	int			lbs[1];

	if (v->type == NEO4J_VECTOR)
	{
		if ((n = vector_shape(v, &marker, &data, &width)) < 0)
			malformed(v);
	}
	else
	{
		if (v->size > MaxArraySize || (v->size && v->u.items == NULL))
			malformed(v);
		n = (int) v->size;
	}
	if (n == 0)
		return PointerGetDatum(construct_empty_array(ec->typid));
	reserve_elements(conv, n);
	for (i = 0; i < n; i++)
	{
		conv->cur_elem = i + 1;
		if (v->type == NEO4J_VECTOR)
		{
			neo4j_value item;
			bool		single;

			vector_item(marker, data, width, i, &item, &single);
			conv->elem_values[i] = neo4j_convert(ec, &item, &conv->elem_nulls[i]);
		}
		else
		{
			const neo4j_value *item = &v->u.items[i];

			if (!takes_lists && (item->type == NEO4J_LIST || item->type == NEO4J_VECTOR))
				nested_list(ec, item);
			conv->elem_values[i] = neo4j_convert(ec, item, &conv->elem_nulls[i]);
		}
	}
	conv->cur_elem = 0;
	dims[0] = n;
	lbs[0] = 1;
	return PointerGetDatum(construct_md_array(conv->elem_values, conv->elem_nulls,
											  1, dims, lbs, ec->typid,
											  conv->elmlen, conv->elmbyval,
											  conv->elmalign));
}

static Datum
convert_value(Neo4jConverter *conv, const neo4j_value *v)
{
	ErrorContextCallback errcb;
	ConvertErrorContext ectx;
	Jsonb	   *jb;
	char	   *s;

	if (v->type == NEO4J_STRING && conv->kind != NEO4J_CONV_TEXT)
		return convert_with_input(conv, v);

	switch (conv->kind)
	{
		case NEO4J_CONV_INT2:
			if (v->type != NEO4J_INT)
				break;
			if (v->u.integer < PG_INT16_MIN || v->u.integer > PG_INT16_MAX)
				cannot_hold(conv, v, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, NULL);
			return Int16GetDatum((int16) v->u.integer);
		case NEO4J_CONV_INT4:
			if (v->type != NEO4J_INT)
				break;
			if (v->u.integer < PG_INT32_MIN || v->u.integer > PG_INT32_MAX)
				cannot_hold(conv, v, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, NULL);
			return Int32GetDatum((int32) v->u.integer);
		case NEO4J_CONV_INT8:
			if (v->type != NEO4J_INT)
				break;
			return Int64GetDatum(v->u.integer);
		case NEO4J_CONV_FLOAT4:
			if (v->type == NEO4J_INT)
				return Float4GetDatum((float4) v->u.integer);
			if (v->type == NEO4J_FLOAT)
			{
				float4		f = (float4) v->u.real;

				/* as float8 to real does: overflow and underflow are errors */
				if ((isinf(f) && !isinf(v->u.real)) || (f == 0.0f && v->u.real != 0.0))
					cannot_hold(conv, v, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, NULL);
				return Float4GetDatum(f);
			}
			break;
		case NEO4J_CONV_FLOAT8:
			if (v->type == NEO4J_INT)
				return Float8GetDatum((float8) v->u.integer);
			if (v->type == NEO4J_FLOAT)
				return Float8GetDatum(v->u.real);
			break;
		case NEO4J_CONV_NUMERIC:
			if (v->type == NEO4J_INT || v->type == NEO4J_FLOAT)
				return convert_numeric(conv, v);
			break;
		case NEO4J_CONV_BOOL:
			if (v->type == NEO4J_BOOL)
				return BoolGetDatum(v->u.boolean);
			break;
		case NEO4J_CONV_TEXT:
			return convert_to_text(conv, v);
		case NEO4J_CONV_BYTEA:
			if (v->type == NEO4J_BYTES)
			{
				bytea	   *b;

				if (v->size > MaxAllocSize - VARHDRSZ || (v->size && v->u.bytes == NULL))
					malformed(v);
				b = (bytea *) palloc(VARHDRSZ + v->size);
				SET_VARSIZE(b, VARHDRSZ + v->size);
				if (v->size)
					memcpy(VARDATA(b), v->u.bytes, v->size);
				return PointerGetDatum(b);
			}
			break;
		case NEO4J_CONV_DATE:
			if (v->type == NEO4J_DATE)
				return convert_date(conv, v);
			break;
		case NEO4J_CONV_TIME:
			if (v->type == NEO4J_LOCAL_TIME)
				return convert_time(conv, v);
			break;
		case NEO4J_CONV_TIMETZ:
			if (v->type == NEO4J_TIME)
				return convert_timetz(conv, v);
			break;
		case NEO4J_CONV_TIMESTAMP:
			if (v->type == NEO4J_LOCAL_DATE_TIME)
				return convert_timestamp(conv, v);
			break;
		case NEO4J_CONV_TIMESTAMPTZ:
			if (v->type == NEO4J_DATE_TIME || v->type == NEO4J_DATE_TIME_ZONE_ID)
				return convert_timestamp(conv, v);
			break;
		case NEO4J_CONV_INTERVAL:
			if (v->type == NEO4J_DURATION)
				return convert_interval(conv, v);
			break;
		case NEO4J_CONV_POINT:
			if (v->type == NEO4J_POINT_2D)
			{
				const neo4j_value *x = field(v, 1, NEO4J_FLOAT);
				const neo4j_value *y = field(v, 2, NEO4J_FLOAT);
				Point	   *p;

				if (x == NULL || y == NULL)
					malformed(v);
				p = (Point *) palloc(sizeof(Point));
				p->x = x->u.real;
				p->y = y->u.real;
				return PointPGetDatum(p);
			}
			if (v->type == NEO4J_POINT_3D)
				cannot_hold(conv, v, ERRCODE_FDW_INVALID_DATA_TYPE,
							"A point column holds two coordinates; use jsonb for 3D points.");
			break;
		case NEO4J_CONV_JSON:
			push_context(&errcb, &ectx, conv, v);
			jb = neo4j_value_to_jsonb(v);
			s = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
			pop_context(&errcb);
			return PointerGetDatum(cstring_to_text(s));
		case NEO4J_CONV_JSONB:
			push_context(&errcb, &ectx, conv, v);
			jb = neo4j_value_to_jsonb(v);
			pop_context(&errcb);
			return JsonbPGetDatum(jb);
		case NEO4J_CONV_ARRAY:
			if (v->type == NEO4J_LIST || v->type == NEO4J_VECTOR)
				return convert_array(conv, v);
			break;
		case NEO4J_CONV_OTHER:
			break;
	}
	type_mismatch(conv, v);
	return (Datum) 0;			/* keep compiler quiet */
}

Datum
neo4j_convert(Neo4jConverter *conv, const neo4j_value *value, bool *isnull)
{
	Datum		result = (Datum) 0;

	*isnull = value == NULL || value->type == NEO4J_NULL;
	if (!*isnull)
		result = convert_value(conv, value);
	if (conv->is_domain)
	{
		ErrorContextCallback errcb;
		ConvertErrorContext ectx;
		neo4j_value null_value = neo4j_null();

		push_context(&errcb, &ectx, conv, value ? value : &null_value);
		domain_check(result, *isnull, conv->typid, &conv->domain_extra, conv->cxt);
		pop_context(&errcb);
	}
	return result;
}


/* ---------------------------------------------------------------- parameters */

static neo4j_value
make_struct(uint8 tag, neo4j_value *fields, int n)
{
	return neo4j_struct(tag, fields, n);
}

/*
 * numeric as an Integer when written without a fraction and within int64,
 * else a Float; false when beyond a Float's range.
 */
static bool
numeric_to_value(Numeric num, neo4j_value *out)
{
	char	   *s;
	char	   *end;
	double		d;

	if (numeric_is_nan(num))
	{
		*out = neo4j_float(get_float8_nan());
		return true;
	}
	s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));
	if (!numeric_is_inf(num) && strchr(s, '.') == NULL)
	{
		int64		i;

		errno = 0;
		i = strtoi64(s, &end, 10);
		if (errno == 0 && *end == '\0')
		{
			*out = neo4j_int(i);
			return true;
		}
	}
	errno = 0;
	d = strtod(s, &end);
	if (*end != '\0' || (errno == ERANGE && isinf(d) && !numeric_is_inf(num)))
		return false;
	*out = neo4j_float(d);
	return true;
}

/* A JSON scalar from a jsonb iterator. */
static void
jbv_to_value(const JsonbValue *jv, neo4j_value *out)
{
	switch (jv->type)
	{
		case jbvNull:
			*out = neo4j_null();
			break;
		case jbvBool:
			*out = neo4j_bool(jv->val.boolean);
			break;
		case jbvString:
			*out = server_string_value(jv->val.string.val, jv->val.string.len);
			break;
		case jbvNumeric:
			if (!numeric_to_value(jv->val.numeric, out))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("JSON number %s is out of range for a Neo4j Float",
								numeric_out_sci(jv->val.numeric, 6))));
			break;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) jv->type);
	}
}

/* The value that starts with token tok (already read into *jv). */
static void
jsonb_read(JsonbIterator **it, JsonbIteratorToken tok, JsonbValue *jv, neo4j_value *out)
{
	check_stack_depth();
	if (tok == WJB_BEGIN_ARRAY)
	{
		int			n = jv->val.array.nElems;
		neo4j_value *items = palloc(sizeof(neo4j_value) * Max(n, 1));
		int			i = 0;

		while ((tok = JsonbIteratorNext(it, jv, false)) != WJB_END_ARRAY)
		{
			if (i >= n)
				elog(ERROR, "jsonb array has more elements than announced");
			jsonb_read(it, tok, jv, &items[i++]);
		}
		*out = neo4j_list(items, i);
	}
	else if (tok == WJB_BEGIN_OBJECT)
	{
		int			n = jv->val.object.nPairs;
		neo4j_map_entry *entries = palloc(sizeof(neo4j_map_entry) * Max(n, 1));
		int			i = 0;

		while ((tok = JsonbIteratorNext(it, jv, false)) != WJB_END_OBJECT)
		{
			if (tok != WJB_KEY || i >= n)
				elog(ERROR, "unexpected jsonb iterator token %d", (int) tok);
			entries[i].key = server_string_value(jv->val.string.val, jv->val.string.len);
			tok = JsonbIteratorNext(it, jv, false);
			jsonb_read(it, tok, jv, &entries[i].value);
			i++;
		}
		*out = neo4j_map(entries, i);
	}
	else
		jbv_to_value(jv, out);
}

void
neo4j_jsonb_to_value(Jsonb *jb, neo4j_value *out)
{
	JsonbIterator *it = JsonbIteratorInit(&jb->root);
	JsonbValue	jv;
	JsonbIteratorToken tok = JsonbIteratorNext(&it, &jv, false);

	/* a top-level scalar is stored as a one-element "raw scalar" array */
	if (tok == WJB_BEGIN_ARRAY && jv.val.array.rawScalar)
	{
		tok = JsonbIteratorNext(&it, &jv, false);
		jbv_to_value(&jv, out);
		return;
	}
	jsonb_read(&it, tok, &jv, out);
}

/* Nested Lists for a multi-dimensional array, row-major. */
static neo4j_value
nest_lists(neo4j_value *items, const int *dims, int ndim)
{
	neo4j_value *lists;
	int			stride = 1;
	int			k;

	if (ndim == 1)
		return neo4j_list(items, dims[0]);
	for (k = 1; k < ndim; k++)
		stride *= dims[k];
	lists = palloc(sizeof(neo4j_value) * dims[0]);
	for (k = 0; k < dims[0]; k++)
		lists[k] = nest_lists(items + (Size) k * stride, dims + 1, ndim - 1);
	return neo4j_list(lists, dims[0]);
}

static bool
array_to_value(ArrayType *arr, neo4j_value *out)
{
	Oid			elemtype = ARR_ELEMTYPE(arr);
	Oid			elembase = getBaseType(elemtype);
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	neo4j_value *items;

	if (ARR_NDIM(arr) == 0)
	{
		*out = neo4j_list(NULL, 0);
		return true;
	}
	get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
	deconstruct_array(arr, elemtype, elmlen, elmbyval, elmalign, &elems, &nulls, &n);
	items = palloc(sizeof(neo4j_value) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			items[i] = neo4j_null();
		else if (!datum_to_value(elems[i], elembase, &items[i]))
			return false;
	}
	*out = nest_lists(items, ARR_DIMS(arr), ARR_NDIM(arr));
	return true;
}

/* typid has no domains here. */
static bool
datum_to_value(Datum datum, Oid typid, neo4j_value *out)
{
	neo4j_value *f;
	text	   *t;

	switch (typid)
	{
		case BOOLOID:
			*out = neo4j_bool(DatumGetBool(datum));
			return true;
		case INT2OID:
			*out = neo4j_int(DatumGetInt16(datum));
			return true;
		case INT4OID:
			*out = neo4j_int(DatumGetInt32(datum));
			return true;
		case INT8OID:
			*out = neo4j_int(DatumGetInt64(datum));
			return true;
		case FLOAT4OID:
			*out = neo4j_float(DatumGetFloat4(datum));
			return true;
		case FLOAT8OID:
			*out = neo4j_float(DatumGetFloat8(datum));
			return true;
		case NUMERICOID:
			return numeric_to_value(DatumGetNumeric(datum), out);
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			{
				int			len;

				t = DatumGetTextPP(datum);
				len = VARSIZE_ANY_EXHDR(t);
				/* char(n) pads with blanks that mean nothing, as in bpchar to text */
				if (typid == BPCHAROID)
					len = bpchartruelen(VARDATA_ANY(t), len);
				*out = server_string_value(VARDATA_ANY(t), len);
				return true;
			}
		case NAMEOID:
			*out = server_string_value(NameStr(*DatumGetName(datum)),
									   strlen(NameStr(*DatumGetName(datum))));
			return true;
		case UUIDOID:
			*out = neo4j_string(DatumGetCString(DirectFunctionCall1(uuid_out, datum)));
			return true;
		case BYTEAOID:
			{
				bytea	   *b = DatumGetByteaPP(datum);

				*out = neo4j_bytes((const uint8_t *) VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
				return true;
			}
		case DATEOID:
			{
				DateADT		d = DatumGetDateADT(datum);

				if (DATE_NOT_FINITE(d))
					return false;
				f = palloc(sizeof(neo4j_value));
				f[0] = neo4j_int((int64) d + EPOCH_SHIFT_DAYS);
				*out = make_struct(NEO4J_TAG_DATE, f, 1);
				return true;
			}
		case TIMEOID:
			/* Postgres allows 24:00:00, Neo4j stops before it */
			if (DatumGetTimeADT(datum) >= USECS_PER_DAY)
				return false;
			f = palloc(sizeof(neo4j_value));
			f[0] = neo4j_int(DatumGetTimeADT(datum) * NANOS_PER_USEC);
			*out = make_struct(NEO4J_TAG_LOCAL_TIME, f, 1);
			return true;
		case TIMETZOID:
			{
				TimeTzADT  *tz = DatumGetTimeTzADTP(datum);

				if (tz->time >= USECS_PER_DAY)
					return false;
				f = palloc(sizeof(neo4j_value) * 2);
				f[0] = neo4j_int(tz->time * NANOS_PER_USEC);
				f[1] = neo4j_int(-(int64) tz->zone);
				*out = make_struct(NEO4J_TAG_TIME, f, 2);
				return true;
			}
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			{
				Timestamp	ts = DatumGetTimestamp(datum);

				if (TIMESTAMP_NOT_FINITE(ts))
					return false;
				f = palloc(sizeof(neo4j_value) * 3);
				f[0] = neo4j_int(neo4j_floor_div(ts, USECS_PER_SEC) + EPOCH_SHIFT_SECS);
				f[1] = neo4j_int(neo4j_floor_mod(ts, USECS_PER_SEC) * NANOS_PER_USEC);
				if (typid == TIMESTAMPOID)
					*out = make_struct(NEO4J_TAG_LOCAL_DATE_TIME, f, 2);
				else
				{
					f[2] = neo4j_int(0);
					*out = make_struct(NEO4J_TAG_DATE_TIME, f, 3);
				}
				return true;
			}
		case INTERVALOID:
			{
				Interval   *iv = DatumGetIntervalP(datum);

				f = palloc(sizeof(neo4j_value) * 4);
				f[0] = neo4j_int(iv->month);
				f[1] = neo4j_int(iv->day);
				f[2] = neo4j_int(neo4j_floor_div(iv->time, USECS_PER_SEC));
				f[3] = neo4j_int(neo4j_floor_mod(iv->time, USECS_PER_SEC) * NANOS_PER_USEC);
				*out = make_struct(NEO4J_TAG_DURATION, f, 4);
				return true;
			}
		case POINTOID:
			{
				Point	   *p = DatumGetPointP(datum);

				f = palloc(sizeof(neo4j_value) * 3);
				f[0] = neo4j_int(SRID_CARTESIAN);
				f[1] = neo4j_float(p->x);
				f[2] = neo4j_float(p->y);
				*out = make_struct(NEO4J_TAG_POINT_2D, f, 3);
				return true;
			}
		case JSONBOID:
			neo4j_jsonb_to_value(DatumGetJsonbP(datum), out);
			return true;
		case JSONOID:
			neo4j_jsonb_to_value(DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
																	CStringGetDatum(TextDatumGetCString(datum)))),
								 out);
			return true;
		default:
			if (OidIsValid(get_element_type(typid)) &&
				typid != INT2VECTOROID && typid != OIDVECTOROID)
				return array_to_value(DatumGetArrayTypeP(datum), out);
			if (type_is_enum(typid))
			{
				Oid			outfunc;
				bool		isvarlena;
				char	   *s;

				getTypeOutputInfo(typid, &outfunc, &isvarlena);
				s = OidOutputFunctionCall(outfunc, datum);
				*out = server_string_value(s, strlen(s));
				return true;
			}
			return false;
	}
}

bool
neo4j_datum_to_value(Datum datum, Oid typid, bool isnull, neo4j_value *out)
{
	if (isnull)
	{
		*out = neo4j_null();
		return true;
	}
	return datum_to_value(datum, getBaseType(typid), out);
}
