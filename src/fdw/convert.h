/*-------------------------------------------------------------------------
 *
 * convert.h
 *		  Conversion between Neo4j values (src/driver) and Postgres datums.
 *
 * The mapping is documented at the top of convert.c.
 *
 * src/fdw/convert.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef NEO4J_FDW_CONVERT_H
#define NEO4J_FDW_CONVERT_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/jsonb.h"

#include "neo4j.h"

/* What a converter builds; chosen once from the column's base type. */
typedef enum Neo4jConvKind
{
	NEO4J_CONV_INT2,
	NEO4J_CONV_INT4,
	NEO4J_CONV_INT8,
	NEO4J_CONV_FLOAT4,
	NEO4J_CONV_FLOAT8,
	NEO4J_CONV_NUMERIC,
	NEO4J_CONV_BOOL,
	NEO4J_CONV_TEXT,			/* text, varchar, bpchar */
	NEO4J_CONV_BYTEA,
	NEO4J_CONV_DATE,
	NEO4J_CONV_TIME,
	NEO4J_CONV_TIMETZ,
	NEO4J_CONV_TIMESTAMP,
	NEO4J_CONV_TIMESTAMPTZ,
	NEO4J_CONV_INTERVAL,
	NEO4J_CONV_POINT,
	NEO4J_CONV_JSON,
	NEO4J_CONV_JSONB,
	NEO4J_CONV_ARRAY,
	NEO4J_CONV_OTHER			/* Strings only, through the input function */
} Neo4jConvKind;

/*
 * Per-column conversion state, built once per scan by neo4j_converter_init.
 * The caller owns the struct; everything it points to lives in the memory
 * context given to neo4j_converter_init.
 */
typedef struct Neo4jConverter
{
	Neo4jConvKind kind;
	const char *column_name;	/* for messages */
	const char *type_name;		/* format_type_with_typemod, for messages */
	Oid			typid;			/* column type as declared (maybe a domain) */
	int32		typmod;
	Oid			basetypid;		/* typid without domains */
	int32		basetypmod;
	bool		is_domain;
	void	   *domain_extra;	/* domain_check() cache */
	int32		maxlen;			/* NEO4J_CONV_TEXT: limit in characters, or -1 */
	bool		pad;			/* NEO4J_CONV_TEXT: blank-pad (bpchar) */
	FmgrInfo	infunc;			/* base type's input function, for Strings */
	Oid			typioparam;
	/* NEO4J_CONV_ARRAY */
	struct Neo4jConverter *elem;	/* element converter */
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	Datum	   *elem_values;	/* scratch space, grown as needed */
	bool	   *elem_nulls;
	int			elem_cap;
	/* set on element converters: the array column, for messages */
	struct Neo4jConverter *parent;
	int			cur_elem;		/* 1-based element being converted */
	MemoryContext cxt;
} Neo4jConverter;

/*
 * Resolves everything a column needs (type kind, input function, array
 * element converter) so that neo4j_convert does no catalog lookups.
 * column_name is copied; it may be NULL.
 */
extern void neo4j_converter_init(Neo4jConverter *conv, Oid typid, int32 typmod,
								 const char *column_name, MemoryContext cxt);

/*
 * Converts one value (NULL or a Neo4j Null gives SQL NULL) to the column's
 * type, allocating in CurrentMemoryContext. Values that do not fit raise an
 * error naming the column, its type and the Neo4j value.
 */
extern Datum neo4j_convert(Neo4jConverter *conv, const neo4j_value *value,
						   bool *isnull);

/* jsonb rendering of any value; the shapes are documented in convert.c. */
extern Jsonb *neo4j_value_to_jsonb(const neo4j_value *value);

/*
 * Readable text of any value in the server encoding: Strings as they are,
 * numbers as Postgres prints them, temporal values in ISO 8601 as Neo4j
 * prints them, everything else as its jsonb text. NULL for a Neo4j Null.
 */
extern char *neo4j_value_to_text(const neo4j_value *value);

/*
 * A datum of type typid (domains allowed) as a Neo4j value allocated in
 * CurrentMemoryContext, for query parameters. Returns false when the type,
 * or this particular value (an infinite date, say), cannot be sent.
 */
extern bool neo4j_datum_to_value(Datum datum, Oid typid, bool isnull,
								 neo4j_value *out);

/*
 * Any jsonb as a Neo4j value: objects become Maps, arrays Lists, numbers
 * without a fraction in int64 range Integers, other numbers Floats.
 * The caller checks JB_ROOT_IS_OBJECT if it needs a Map.
 */
extern void neo4j_jsonb_to_value(Jsonb *jb, neo4j_value *out);

#endif							/* NEO4J_FDW_CONVERT_H */
