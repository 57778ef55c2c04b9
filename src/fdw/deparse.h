/*
 * deparse.h — Cypher generation for label and relationship tables, and the
 * rules for what may be sent to Neo4j (conditions, ORDER BY).
 */
#ifndef NEO4J_FDW_DEPARSE_H
#define NEO4J_FDW_DEPARSE_H

#include "nodes/pathnodes.h"

#include "neo4j_fdw.h"

/*
 * How a column compares in Cypher exactly as in Postgres, from its declared
 * type; decides which conditions and sort keys on it may be pushed down.
 */
typedef enum Neo4jColumnClass
{
	NEO4J_CLASS_OTHER,			/* only IS [NOT] NULL */
	NEO4J_CLASS_INT,			/* smallint, integer, bigint: Integer */
	NEO4J_CLASS_NUMERIC,		/* numeric without typmod: Integer or Float */
	NEO4J_CLASS_FLOAT,			/* double precision: = and <> only */
	NEO4J_CLASS_BOOL,
	NEO4J_CLASS_TEXT,			/* text, varchar: =, <>, IN, LIKE 'prefix%' */
	NEO4J_CLASS_DATE,
	NEO4J_CLASS_TIMESTAMP,		/* timestamp without typmod: LocalDateTime */
	NEO4J_CLASS_TIMESTAMPTZ		/* timestamptz without typmod: DateTime */
} Neo4jColumnClass;

typedef struct Neo4jColumn
{
	bool		dropped;
	char	   *name;			/* the column's name: its RETURN key */
	Neo4jColumnOptions opts;
	Neo4jColumnClass cls;
} Neo4jColumn;

/* A label or relationship table as the deparser sees it. */
typedef struct Neo4jScanRel
{
	Index		relid;			/* range table index */
	Neo4jTableKind kind;
	int			natts;
	Neo4jColumn *cols;			/* [attnum - 1] */
} Neo4jScanRel;

/*
 * How a parameter's value is computed from its expression (the $pN of a
 * query are ForeignScan.fdw_exprs, in order, with these kinds in
 * fdw_private).
 */
typedef enum Neo4jParamKind
{
	NEO4J_PARAM_VALUE,			/* the value as it is */
	NEO4J_PARAM_LIST,			/* an array, as a flat List */
	NEO4J_PARAM_TS_BELOW,		/* timestamp t: last instant that reads as < t */
	NEO4J_PARAM_TS_UPTO,		/* timestamp t: last instant that reads as <= t */
	NEO4J_PARAM_SKIP,			/* OFFSET: null is 0 */
	NEO4J_PARAM_LIMIT			/* LIMIT: null is no limit */
} Neo4jParamKind;

/* Parameters collected while deparsing. */
typedef struct Neo4jParams
{
	List	   *exprs;
	List	   *kinds;			/* IntList of Neo4jParamKind */
} Neo4jParams;

extern const char *neo4j_row_variable(Neo4jTableKind kind);
extern void neo4j_append_column_expr(StringInfo buf, Neo4jTableKind kind, const Neo4jColumnOptions *col);
extern void neo4j_append_match(StringInfo buf, const Neo4jTableOptions *table);
/* Attribute numbers of the non-dropped columns in attrs_used, in column order. */
extern List *neo4j_used_attnums(Relation rel, Bitmapset *attrs_used);
extern void neo4j_deparse_select(StringInfo buf, Relation rel, const Neo4jTableOptions *table,
								 Bitmapset *attrs_used, const char *where, const char *order_limit,
								 List **retrieved_attrs, List **retrieved_names);

extern void neo4j_scan_rel_init(Neo4jScanRel *srel, Relation rel, Index relid, Neo4jTableKind kind);
extern bool neo4j_is_pushable_cond(PlannerInfo *root, const Neo4jScanRel *srel, Expr *cond);
extern void neo4j_append_conds(StringInfo buf, PlannerInfo *root, const Neo4jScanRel *srel,
							   List *conds, Neo4jParams *params);
extern Var *neo4j_sort_key_column(PlannerInfo *root, const Neo4jScanRel *srel, PathKey *pathkey);
extern bool neo4j_pathkeys_pushable(PlannerInfo *root, const Neo4jScanRel *srel, List *pathkeys);
extern void neo4j_append_order_by(StringInfo buf, PlannerInfo *root, const Neo4jScanRel *srel,
								  List *pathkeys);
extern void neo4j_append_param(StringInfo buf, Neo4jParams *params, Expr *expr, Neo4jParamKind kind);

#endif
