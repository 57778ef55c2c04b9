/*
 * deparse.c — builds the Cypher sent for label and relationship tables, and
 * decides which conditions and sort keys may travel with it.
 *
 * Labels, types and property names are backtick-quoted; values never appear
 * in the text: they travel as Bolt parameters $p1, $p2, ... computed at
 * execution from the expressions collected here (Neo4jParams).
 *
 * A condition is sent only when Cypher evaluates it exactly as Postgres
 * would, three-valued logic included, for every value the column can read.
 * That takes the column's declared type to match what its property holds
 * (Integer for integer columns, String for text, Date for date, ...), as any
 * foreign table trusts its declared types. Built-in operators only (a
 * built-in operator in the type's btree family, or textlike), between a
 * column of the scanned table and a value known when the query starts: a
 * constant, a parameter, a column of an outer relation (a join parameter)
 * or an expression of those without volatile functions, computed then as
 * a parameter. By column type:
 *
 *	smallint, integer, bigint	= <> < <= > >= IN; against numeric constants
 *								too (the column read as numeric), when exact
 *	numeric (no typmod)			= <> < <= > >= IN with constants that are
 *								exact as a Float or Integer within 2^53 (NaN
 *								never); > and >= also keep NaN rows as
 *								Postgres does (x <> x holds for NaN only)
 *	double precision			= <> IN with such constants (Cypher orders
 *								NaN unlike Postgres)
 *	boolean						= <> < <= > >=, IS [NOT] TRUE/FALSE/UNKNOWN
 *	text, varchar				= <> IN, LIKE / NOT LIKE 'prefix%' (STARTS
 *								WITH), under a deterministic collation
 *	date						= <> < <= > >= IN
 *	timestamp, timestamptz		= <> < <= > >= (no typmod): Neo4j keeps
 *								nanoseconds and the column reads them rounded
 *								half-even to microseconds, so a comparison
 *								with t becomes one with the last instant that
 *								reads as less than t (or as t), and = a range
 *	any type					IS [NULL | NOT NULL]
 *
 * and AND, OR, NOT of those. real and numeric(p,s) round what they read,
 * char(n) pads: only IS NULL for them. Sort keys: plain columns of integer,
 * numeric, boolean, date and timestamp types (not text: collations; not
 * float: NaN), ASC NULLS LAST or DESC NULLS FIRST, which is Cypher's order.
 */
#include "postgres.h"

#include <math.h>

#include "access/stratnum.h"
#include "access/transam.h"
#include "access/tupdesc.h"
#include "catalog/pg_am.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "common/shortest_dec.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"

#include "neo4j_fdw.h"
#include "convert.h"
#include "deparse.h"

/*
 * Numbers below 2^53 in magnitude are exact both as Integer and as Float, so
 * Cypher compares them with either kind of stored number as Postgres does.
 */
#define EXACT_LIMIT INT64CONST(9007199254740992)

typedef struct CondCxt
{
	const Neo4jScanRel *srel;
	StringInfo	buf;
	Neo4jParams *params;
} CondCxt;

static bool append_cond(CondCxt *cxt, Node *node);

void
neo4j_append_identifier(StringInfo buf, const char *name)
{
	appendStringInfoChar(buf, '`');
	for (const char *p = name; *p; p++)
	{
		if (*p == '`')
			appendStringInfoChar(buf, '`');
		appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, '`');
}

/* The variable that stands for the row's entity in the MATCH pattern. */
const char *
neo4j_row_variable(Neo4jTableKind kind)
{
	return kind == NEO4J_TABLE_RELATIONSHIP ? "r" : "n";
}

/* The Cypher expression that yields a column. */
void
neo4j_append_column_expr(StringInfo buf, Neo4jTableKind kind, const Neo4jColumnOptions *col)
{
	switch (col->role)
	{
		case NEO4J_COLUMN_ELEMENT_ID:
			appendStringInfo(buf, "elementId(%s)", neo4j_row_variable(kind));
			break;
		case NEO4J_COLUMN_START_ELEMENT_ID:
			appendStringInfoString(buf, kind == NEO4J_TABLE_RELATIONSHIP ? "elementId(s)" : "NULL");
			break;
		case NEO4J_COLUMN_END_ELEMENT_ID:
			appendStringInfoString(buf, kind == NEO4J_TABLE_RELATIONSHIP ? "elementId(e)" : "NULL");
			break;
		case NEO4J_COLUMN_PROPERTY:
			appendStringInfo(buf, "%s.", neo4j_row_variable(kind));
			neo4j_append_identifier(buf, col->property);
			break;
	}
}

void
neo4j_append_match(StringInfo buf, const Neo4jTableOptions *table)
{
	if (table->kind == NEO4J_TABLE_LABEL)
	{
		appendStringInfoString(buf, "MATCH (n:");
		neo4j_append_identifier(buf, table->name);
		appendStringInfoChar(buf, ')');
	}
	else
	{
		appendStringInfoString(buf, "MATCH (s)-[r:");
		neo4j_append_identifier(buf, table->name);
		appendStringInfoString(buf, "]->(e)");
	}
}

List *
neo4j_used_attnums(Relation rel, Bitmapset *attrs_used)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	List	   *attnums = NIL;

	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);

		if (!attr->attisdropped &&
			bms_is_member(attr->attnum - FirstLowInvalidHeapAttributeNumber, attrs_used))
			attnums = lappend_int(attnums, attr->attnum);
	}
	return attnums;
}

/*
 * MATCH ... [WHERE ...] RETURN <expr> AS `<column>`, ... [ORDER BY ...] for
 * the columns in attrs_used; fills *retrieved_attrs (attnums) and
 * *retrieved_names (the RETURN keys, String nodes) in the same order.
 */
void
neo4j_deparse_select(StringInfo buf, Relation rel, const Neo4jTableOptions *table, Bitmapset *attrs_used,
					 const char *where, const char *order_limit,
					 List **retrieved_attrs, List **retrieved_names)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	bool		first = true;
	ListCell   *lc;

	*retrieved_attrs = NIL;
	*retrieved_names = NIL;
	neo4j_append_match(buf, table);
	if (where && where[0])
		appendStringInfo(buf, " WHERE %s", where);
	appendStringInfoString(buf, " RETURN ");
	foreach(lc, neo4j_used_attnums(rel, attrs_used))
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, lfirst_int(lc) - 1);
		Neo4jColumnOptions col;

		neo4j_get_column_options(RelationGetRelid(rel), attr->attnum, &col);
		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;
		neo4j_append_column_expr(buf, table->kind, &col);
		appendStringInfoString(buf, " AS ");
		neo4j_append_identifier(buf, NameStr(attr->attname));
		*retrieved_attrs = lappend_int(*retrieved_attrs, attr->attnum);
		*retrieved_names = lappend(*retrieved_names, makeString(pstrdup(NameStr(attr->attname))));
	}
	/* no column needed (e.g. count(*)): one value per row all the same */
	if (first)
		appendStringInfoString(buf, "NULL AS `_`");
	if (order_limit && order_limit[0])
		appendStringInfo(buf, " %s", order_limit);
}

/* ------------------------------------------------------------------ column classes */

static Neo4jColumnClass
column_class(Oid typid, int32 typmod)
{
	typid = getBaseTypeAndTypmod(typid, &typmod);
	switch (typid)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
			return NEO4J_CLASS_INT;
		case NUMERICOID:
			return typmod < 0 ? NEO4J_CLASS_NUMERIC : NEO4J_CLASS_OTHER;
		case FLOAT8OID:
			return NEO4J_CLASS_FLOAT;
		case BOOLOID:
			return NEO4J_CLASS_BOOL;
		case TEXTOID:
		case VARCHAROID:
			return NEO4J_CLASS_TEXT;
		case DATEOID:
			return NEO4J_CLASS_DATE;
		case TIMESTAMPOID:
			return typmod < 0 ? NEO4J_CLASS_TIMESTAMP : NEO4J_CLASS_OTHER;
		case TIMESTAMPTZOID:
			return typmod < 0 ? NEO4J_CLASS_TIMESTAMPTZ : NEO4J_CLASS_OTHER;
		default:
			return NEO4J_CLASS_OTHER;
	}
}

/* The class of a value compared with a column (real widens exactly). */
static Neo4jColumnClass
value_class(Oid typid)
{
	switch (getBaseType(typid))
	{
		case FLOAT4OID:
			return NEO4J_CLASS_FLOAT;
		case NUMERICOID:
			return NEO4J_CLASS_NUMERIC;
		default:
			return column_class(typid, -1);
	}
}

/* The btree operator family whose operators compare a class, by name. */
static Oid
class_opfamily(Neo4jColumnClass cls)
{
	static Oid	families[NEO4J_CLASS_TIMESTAMPTZ + 1];
	static const char *const names[NEO4J_CLASS_TIMESTAMPTZ + 1] = {
		[NEO4J_CLASS_INT] = "integer_ops",
		[NEO4J_CLASS_NUMERIC] = "numeric_ops",
		[NEO4J_CLASS_FLOAT] = "float_ops",
		[NEO4J_CLASS_BOOL] = "bool_ops",
		[NEO4J_CLASS_TEXT] = "text_ops",
		[NEO4J_CLASS_DATE] = "datetime_ops",
		[NEO4J_CLASS_TIMESTAMP] = "datetime_ops",
		[NEO4J_CLASS_TIMESTAMPTZ] = "datetime_ops",
	};

	if (names[cls] == NULL)
		return InvalidOid;
	if (!OidIsValid(families[cls]))
		families[cls] = get_opfamily_oid(BTREE_AM_OID,
										 list_make2(makeString(pstrdup("pg_catalog")),
													makeString(pstrdup(names[cls]))),
										 false);
	return families[cls];
}

/*
 * The btree strategy of a built-in operator in the family of cls
 * (ROWCOMPARE_NE for <>), or 0 when it is not one of them.
 */
static int
comparison_strategy(Oid opno, Neo4jColumnClass cls)
{
	Oid			family = class_opfamily(cls);
	ListCell   *lc;

	if (opno >= FirstGenbkiObjectId || !OidIsValid(family))
		return 0;
	foreach(lc, get_op_btree_interpretation(opno))
	{
		OpBtreeInterpretation *interp = (OpBtreeInterpretation *) lfirst(lc);

		if (interp->opfamily_id == family)
			return interp->strategy;
	}
	return 0;
}

void
neo4j_scan_rel_init(Neo4jScanRel *srel, Relation rel, Index relid, Neo4jTableKind kind)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);

	srel->relid = relid;
	srel->kind = kind;
	srel->natts = tupdesc->natts;
	srel->cols = palloc0(sizeof(Neo4jColumn) * Max(tupdesc->natts, 1));
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);
		Neo4jColumn *col = &srel->cols[i];

		col->dropped = attr->attisdropped;
		if (col->dropped)
			continue;
		col->name = pstrdup(NameStr(attr->attname));
		neo4j_get_column_options(RelationGetRelid(rel), attr->attnum, &col->opts);
		col->cls = column_class(attr->atttypid, attr->atttypmod);
		/* element ids are Strings */
		if (col->opts.role != NEO4J_COLUMN_PROPERTY && col->cls != NEO4J_CLASS_TEXT)
			col->cls = NEO4J_CLASS_OTHER;
	}
}

/* ------------------------------------------------------------------ operands */

static Node *
strip_relabel(Node *node)
{
	while (node && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	return node;
}

/* The column of the scanned table that node is, or NULL. */
static const Neo4jColumn *
column_of(const Neo4jScanRel *srel, Node *node)
{
	Var		   *var = (Var *) strip_relabel(node);
	const Neo4jColumn *col;

	if (var == NULL || !IsA(var, Var) || var->varno != srel->relid || var->varlevelsup != 0 ||
		var->varattno <= 0 || var->varattno > srel->natts)
		return NULL;
	col = &srel->cols[var->varattno - 1];
	return col->dropped ? NULL : col;
}

/*
 * A column, or an integer column read as numeric (int2/4/8 to numeric is
 * exact in Postgres, and Cypher compares Integers with Floats by value).
 */
static const Neo4jColumn *
column_or_numeric_cast(const Neo4jScanRel *srel, Node *node, bool *cast)
{
	FuncExpr   *fe = (FuncExpr *) node;
	const Neo4jColumn *col;

	*cast = false;
	if (fe && IsA(fe, FuncExpr) && list_length(fe->args) == 1 &&
		(fe->funcid == F_NUMERIC_INT2 || fe->funcid == F_NUMERIC_INT4 || fe->funcid == F_NUMERIC_INT8))
	{
		col = column_of(srel, linitial(fe->args));
		if (col == NULL || col->cls != NEO4J_CLASS_INT)
			return NULL;
		*cast = true;
		return col;
	}
	return column_of(srel, node);
}

static bool
references_rel(Node *node, void *relid)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
		return ((Var *) node)->varno == *(Index *) relid && ((Var *) node)->varlevelsup == 0;
	if (IsA(node, PlaceHolderVar))
		return true;
	return expression_tree_walker(node, references_rel, relid);
}

/*
 * A value known when the query starts, computed then as a parameter: a
 * constant, a query parameter, a column of another relation (a join
 * parameter), or any expression of those without volatile functions (the
 * same value for every row, as Postgres would compute it row by row).
 */
static bool
is_value(const Neo4jScanRel *srel, Node *node)
{
	Index		relid = srel->relid;

	node = strip_relabel(node);
	if (node == NULL)
		return false;
	if (IsA(node, Const))
		return true;
	if (IsA(node, Param))
		return ((Param *) node)->paramkind == PARAM_EXTERN ||
			((Param *) node)->paramkind == PARAM_EXEC;
	return !references_rel(node, &relid) && !contain_volatile_functions(node) &&
		!contain_subplans(node) && !contain_agg_clause(node) && !contain_window_function(node);
}

/* numeric that a Float or an Integer within 2^53 holds exactly (not NaN). */
static bool
numeric_is_exact(Numeric num)
{
	neo4j_value v;
	char		buf[DOUBLE_SHORTEST_DECIMAL_LEN];
	Datum		back;

	if (numeric_is_nan(num) || numeric_is_inf(num) ||
		!neo4j_datum_to_value(NumericGetDatum(num), NUMERICOID, false, &v))
		return false;
	if (v.type == NEO4J_INT)
		return v.u.integer > -EXACT_LIMIT && v.u.integer < EXACT_LIMIT;
	if (v.type != NEO4J_FLOAT || !(fabs(v.u.real) < (double) EXACT_LIMIT))
		return false;
	/* a column reads a Float as its shortest digits: the same number? */
	double_to_shortest_decimal_buf(v.u.real, buf);
	back = DirectFunctionCall3(numeric_in, CStringGetDatum(buf), ObjectIdGetDatum(InvalidOid),
							   Int32GetDatum(-1));
	return DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(num), back));
}

/* A number Cypher compares as Postgres does, whatever the stored kind. */
static bool
datum_is_exact(Datum d, Oid typid)
{
	double		f;

	switch (getBaseType(typid))
	{
		case INT2OID:
		case INT4OID:
			return true;
		case INT8OID:
			return DatumGetInt64(d) > -EXACT_LIMIT && DatumGetInt64(d) < EXACT_LIMIT;
		case FLOAT4OID:
			f = DatumGetFloat4(d);
			break;
		case FLOAT8OID:
			f = DatumGetFloat8(d);
			break;
		case NUMERICOID:
			return numeric_is_exact(DatumGetNumeric(d));
		default:
			return false;
	}
	return !isnan(f) && fabs(f) < (double) EXACT_LIMIT;
}

/* A constant number, or array of numbers, each exact (nulls are fine). */
static bool
const_is_exact(Node *node, bool is_array)
{
	Const	   *c = (Const *) strip_relabel(node);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	Oid			elemtype;

	if (!IsA(c, Const))
		return false;
	if (c->constisnull)
		return true;
	if (!is_array)
		return datum_is_exact(c->constvalue, c->consttype);
	elemtype = get_element_type(c->consttype);
	get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
	deconstruct_array(DatumGetArrayTypeP(c->constvalue), elemtype, elmlen, elmbyval, elmalign,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (!nulls[i] && !datum_is_exact(elems[i], elemtype))
			return false;
	return true;
}

/* Text equality and prefixes match Cypher's under a deterministic collation. */
static bool
collation_ok(Oid collid)
{
	return OidIsValid(collid) && get_collation_isdeterministic(collid);
}

/*
 * Whether a value of class vcls (a constant, parameter or outer column) may
 * be compared with a column of class cls, and must then be constant.
 */
static bool
value_fits(Neo4jColumnClass cls, Neo4jColumnClass vcls, bool *const_only)
{
	*const_only = cls == NEO4J_CLASS_NUMERIC || cls == NEO4J_CLASS_FLOAT;
	return cls != NEO4J_CLASS_OTHER && vcls == cls;
}

/* ------------------------------------------------------------------ conditions */

void
neo4j_append_param(StringInfo buf, Neo4jParams *params, Expr *expr, Neo4jParamKind kind)
{
	params->exprs = lappend(params->exprs, expr);
	params->kinds = lappend_int(params->kinds, kind);
	appendStringInfo(buf, "$p%d", list_length(params->exprs));
}

static void
append_column(CondCxt *cxt, const Neo4jColumn *col)
{
	neo4j_append_column_expr(cxt->buf, cxt->srel->kind, &col->opts);
}

static const char *const cypher_ops[] = {
	[BTLessStrategyNumber] = "<",
	[BTLessEqualStrategyNumber] = "<=",
	[BTEqualStrategyNumber] = "=",
	[BTGreaterEqualStrategyNumber] = ">=",
	[BTGreaterStrategyNumber] = ">",
	[ROWCOMPARE_NE] = "<>",
};

/* x op y as y op' x */
static int
commute_strategy(int strategy)
{
	switch (strategy)
	{
		case BTLessStrategyNumber:
			return BTGreaterStrategyNumber;
		case BTLessEqualStrategyNumber:
			return BTGreaterEqualStrategyNumber;
		case BTGreaterEqualStrategyNumber:
			return BTLessEqualStrategyNumber;
		case BTGreaterStrategyNumber:
			return BTLessStrategyNumber;
		default:
			return strategy;
	}
}

/*
 * A timestamp column against t. Neo4j keeps nanoseconds; the column reads
 * them as microseconds rounded half to even, so "reads as >= t" is "> the
 * last instant that reads as < t" ($BELOW) and "reads as <= t" is "<= the
 * last instant that reads as t or less" ($UPTO). Those instants fall half a
 * microsecond (and a nanosecond) before a microsecond, so an engine that
 * keeps microseconds only, truncating the parameter, still compares right.
 * DateTimes compare by instant there, which makes = a range too: Cypher's =
 * would also compare the zone.
 */
static void
append_timestamp_comparison(CondCxt *cxt, const Neo4jColumn *col, int strategy, Expr *value)
{
	bool		range = strategy == BTEqualStrategyNumber || strategy == ROWCOMPARE_NE;

	if (strategy == ROWCOMPARE_NE)
		appendStringInfoString(cxt->buf, "NOT ");
	if (range)
		appendStringInfoChar(cxt->buf, '(');
	append_column(cxt, col);
	if (range || strategy == BTGreaterEqualStrategyNumber || strategy == BTLessStrategyNumber)
	{
		appendStringInfoString(cxt->buf, strategy == BTLessStrategyNumber ? " <= " : " > ");
		neo4j_append_param(cxt->buf, cxt->params, value, NEO4J_PARAM_TS_BELOW);
	}
	if (range)
	{
		appendStringInfoString(cxt->buf, " AND ");
		append_column(cxt, col);
	}
	if (range || strategy == BTGreaterStrategyNumber || strategy == BTLessEqualStrategyNumber)
	{
		appendStringInfoString(cxt->buf, strategy == BTGreaterStrategyNumber ? " > " : " <= ");
		neo4j_append_param(cxt->buf, cxt->params, value, NEO4J_PARAM_TS_UPTO);
	}
	if (range)
		appendStringInfoChar(cxt->buf, ')');
}

/* col [NOT] LIKE 'prefix%' as [NOT (]col STARTS WITH $p[)] */
static bool
append_like(CondCxt *cxt, const Neo4jColumn *col, Node *value, Oid collid, bool negate)
{
	Const	   *c = (Const *) strip_relabel(value);
	char	   *pattern;
	size_t		len;

	if (col->cls != NEO4J_CLASS_TEXT || !collation_ok(collid) || !IsA(c, Const) || c->constisnull)
		return false;
	pattern = TextDatumGetCString(c->constvalue);
	len = strlen(pattern);
	if (len == 0 || pattern[len - 1] != '%')
		return false;
	for (size_t i = 0; i < len - 1; i++)
		if (pattern[i] == '%' || pattern[i] == '_' || pattern[i] == '\\')
			return false;
	if (negate)
		appendStringInfoString(cxt->buf, "NOT (");
	append_column(cxt, col);
	appendStringInfoString(cxt->buf, " STARTS WITH ");
	neo4j_append_param(cxt->buf, cxt->params,
					   (Expr *) makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1,
										  CStringGetTextDatum(pnstrdup(pattern, len - 1)), false, false),
					   NEO4J_PARAM_VALUE);
	if (negate)
		appendStringInfoChar(cxt->buf, ')');
	return true;
}

static bool
append_comparison(CondCxt *cxt, OpExpr *op)
{
	Node	   *colnode,
			   *value;
	const Neo4jColumn *col;
	Neo4jColumnClass cls;
	bool		cast,
				commuted = false,
				const_only;
	int			strategy;

	if (list_length(op->args) != 2 || op->opno >= FirstGenbkiObjectId)
		return false;
	colnode = linitial(op->args);
	value = lsecond(op->args);
	col = column_or_numeric_cast(cxt->srel, colnode, &cast);
	if (col == NULL)
	{
		value = colnode;
		col = column_or_numeric_cast(cxt->srel, lsecond(op->args), &cast);
		commuted = true;
	}
	if (col == NULL || !is_value(cxt->srel, value))
		return false;

	set_opfuncid(op);
	if (op->opfuncid == F_TEXTLIKE || op->opfuncid == F_TEXTNLIKE)
		return !commuted && !cast &&
			append_like(cxt, col, value, op->inputcollid, op->opfuncid == F_TEXTNLIKE);

	/* read as numeric, an integer column compares as numeric does */
	cls = cast ? NEO4J_CLASS_NUMERIC : col->cls;
	strategy = comparison_strategy(op->opno, cls);
	if (strategy == 0 || !value_fits(cls, value_class(exprType(value)), &const_only) ||
		(const_only && !const_is_exact(value, false)))
		return false;
	if ((cls == NEO4J_CLASS_FLOAT || cls == NEO4J_CLASS_TEXT) &&
		strategy != BTEqualStrategyNumber && strategy != ROWCOMPARE_NE)
		return false;
	if (cls == NEO4J_CLASS_TEXT && !collation_ok(op->inputcollid))
		return false;
	if (commuted)
		strategy = commute_strategy(strategy);

	if (cls == NEO4J_CLASS_TIMESTAMP || cls == NEO4J_CLASS_TIMESTAMPTZ)
	{
		append_timestamp_comparison(cxt, col, strategy, (Expr *) value);
		return true;
	}
	/* Postgres orders NaN above every number, Cypher compares it false */
	if (cls == NEO4J_CLASS_NUMERIC && !cast &&
		(strategy == BTGreaterStrategyNumber || strategy == BTGreaterEqualStrategyNumber))
	{
		appendStringInfoChar(cxt->buf, '(');
		append_column(cxt, col);
		appendStringInfo(cxt->buf, " %s ", cypher_ops[strategy]);
		neo4j_append_param(cxt->buf, cxt->params, (Expr *) value, NEO4J_PARAM_VALUE);
		appendStringInfoString(cxt->buf, " OR ");
		append_column(cxt, col);
		appendStringInfoString(cxt->buf, " <> ");
		append_column(cxt, col);
		appendStringInfoChar(cxt->buf, ')');
		return true;
	}
	append_column(cxt, col);
	appendStringInfo(cxt->buf, " %s ", cypher_ops[strategy]);
	neo4j_append_param(cxt->buf, cxt->params, (Expr *) value, NEO4J_PARAM_VALUE);
	return true;
}

/* col = ANY(array) as col IN $p; col <> ALL(array) as NOT (col IN $p) */
static bool
append_in(CondCxt *cxt, ScalarArrayOpExpr *saop)
{
	const Neo4jColumn *col;
	Node	   *value;
	Oid			elemtype;
	bool		const_only;
	int			strategy;

	if (list_length(saop->args) != 2 || saop->opno >= FirstGenbkiObjectId)
		return false;
	col = column_of(cxt->srel, linitial(saop->args));
	value = lsecond(saop->args);
	if (col == NULL || !is_value(cxt->srel, value) ||
		col->cls == NEO4J_CLASS_TIMESTAMP || col->cls == NEO4J_CLASS_TIMESTAMPTZ)
		return false;
	elemtype = get_element_type(exprType(value));
	strategy = comparison_strategy(saop->opno, col->cls);
	if (!OidIsValid(elemtype) || !value_fits(col->cls, value_class(elemtype), &const_only) ||
		(const_only && !const_is_exact(value, true)) ||
		(col->cls == NEO4J_CLASS_TEXT && !collation_ok(saop->inputcollid)))
		return false;
	if (saop->useOr ? strategy != BTEqualStrategyNumber : strategy != ROWCOMPARE_NE)
		return false;

	if (!saop->useOr)
		appendStringInfoString(cxt->buf, "NOT (");
	append_column(cxt, col);
	appendStringInfoString(cxt->buf, " IN ");
	neo4j_append_param(cxt->buf, cxt->params, (Expr *) value, NEO4J_PARAM_LIST);
	if (!saop->useOr)
		appendStringInfoChar(cxt->buf, ')');
	return true;
}

/* IS [NOT] TRUE / FALSE / UNKNOWN on a boolean column: never null, as in Postgres */
static bool
append_boolean_test(CondCxt *cxt, BooleanTest *bt)
{
	const Neo4jColumn *col = column_of(cxt->srel, (Node *) bt->arg);
	bool		want_true;

	if (col == NULL || col->cls != NEO4J_CLASS_BOOL)
		return false;
	if (bt->booltesttype == IS_UNKNOWN || bt->booltesttype == IS_NOT_UNKNOWN)
	{
		append_column(cxt, col);
		appendStringInfoString(cxt->buf, bt->booltesttype == IS_UNKNOWN ? " IS NULL" : " IS NOT NULL");
		return true;
	}
	want_true = bt->booltesttype == IS_TRUE || bt->booltesttype == IS_NOT_FALSE;
	appendStringInfoChar(cxt->buf, '(');
	append_column(cxt, col);
	if (bt->booltesttype == IS_TRUE || bt->booltesttype == IS_FALSE)
		appendStringInfoString(cxt->buf, " IS NOT NULL AND ");
	else
		appendStringInfoString(cxt->buf, " IS NULL OR ");
	if (!want_true)
		appendStringInfoString(cxt->buf, "NOT ");
	append_column(cxt, col);
	appendStringInfoChar(cxt->buf, ')');
	return true;
}

/* Appends node as a Cypher condition; false (buf then undefined) if it cannot be sent. */
static bool
append_cond(CondCxt *cxt, Node *node)
{
	const Neo4jColumn *col;

	if (node == NULL)
		return false;
	switch (nodeTag(node))
	{
		case T_BoolExpr:
			{
				BoolExpr   *b = (BoolExpr *) node;
				ListCell   *lc;

				if (b->boolop == NOT_EXPR)
				{
					appendStringInfoString(cxt->buf, "NOT (");
					if (!append_cond(cxt, linitial(b->args)))
						return false;
					appendStringInfoChar(cxt->buf, ')');
					return true;
				}
				appendStringInfoChar(cxt->buf, '(');
				foreach(lc, b->args)
				{
					if (lc != list_head(b->args))
						appendStringInfoString(cxt->buf, b->boolop == AND_EXPR ? " AND " : " OR ");
					if (!append_cond(cxt, lfirst(lc)))
						return false;
				}
				appendStringInfoChar(cxt->buf, ')');
				return true;
			}
		case T_OpExpr:
			return append_comparison(cxt, (OpExpr *) node);
		case T_ScalarArrayOpExpr:
			return append_in(cxt, (ScalarArrayOpExpr *) node);
		case T_NullTest:
			{
				NullTest   *nt = (NullTest *) node;

				col = column_of(cxt->srel, (Node *) nt->arg);
				if (col == NULL || nt->argisrow)
					return false;
				append_column(cxt, col);
				appendStringInfoString(cxt->buf, nt->nulltesttype == IS_NULL ? " IS NULL" : " IS NOT NULL");
				return true;
			}
		case T_BooleanTest:
			return append_boolean_test(cxt, (BooleanTest *) node);
		case T_Var:
		case T_RelabelType:
			/* a boolean column on its own */
			col = column_of(cxt->srel, node);
			if (col == NULL || col->cls != NEO4J_CLASS_BOOL)
				return false;
			append_column(cxt, col);
			return true;
		default:
			return false;
	}
}

/* Whether cond (a clause on srel's table) can be evaluated by Neo4j. */
bool
neo4j_is_pushable_cond(PlannerInfo *root, const Neo4jScanRel *srel, Expr *cond)
{
	StringInfoData scratch;
	Neo4jParams params = {NIL, NIL};
	CondCxt		cxt = {srel, &scratch, &params};
	bool		ok;

	initStringInfo(&scratch);
	ok = append_cond(&cxt, (Node *) cond);
	pfree(scratch.data);
	return ok;
}

/* The conditions (each pushable), joined by AND, their values added to params. */
void
neo4j_append_conds(StringInfo buf, PlannerInfo *root, const Neo4jScanRel *srel, List *conds,
				   Neo4jParams *params)
{
	CondCxt		cxt = {srel, buf, params};
	ListCell   *lc;

	foreach(lc, conds)
	{
		if (lc != list_head(conds))
			appendStringInfoString(buf, " AND ");
		if (!append_cond(&cxt, lfirst(lc)))
			elog(ERROR, "neo4j_fdw: condition cannot be sent to Neo4j");
	}
}

/* ------------------------------------------------------------------ ORDER BY */

/*
 * The column a sort key orders by, if Cypher's ORDER BY on it gives
 * Postgres' order (nulls last ascending, first descending, as Cypher puts
 * them); NULL otherwise.
 */
Var *
neo4j_sort_key_column(PlannerInfo *root, const Neo4jScanRel *srel, PathKey *pathkey)
{
	EquivalenceClass *ec = pathkey->pk_eclass;
	ListCell   *lc;

	if (ec->ec_has_volatile ||
		pathkey->pk_nulls_first != (pathkey->pk_strategy == BTGreaterStrategyNumber))
		return NULL;
	foreach(lc, ec->ec_members)
	{
		EquivalenceMember *em = (EquivalenceMember *) lfirst(lc);
		const Neo4jColumn *col;

		if (em->em_is_const || em->em_is_child)
			continue;
		col = column_of(srel, (Node *) em->em_expr);
		if (col == NULL)
			continue;
		switch (col->cls)
		{
			case NEO4J_CLASS_INT:
			case NEO4J_CLASS_NUMERIC:
			case NEO4J_CLASS_BOOL:
			case NEO4J_CLASS_DATE:
			case NEO4J_CLASS_TIMESTAMP:
			case NEO4J_CLASS_TIMESTAMPTZ:
				if (pathkey->pk_opfamily == class_opfamily(col->cls))
					return (Var *) strip_relabel((Node *) em->em_expr);
				break;
			default:
				break;
		}
	}
	return NULL;
}

bool
neo4j_pathkeys_pushable(PlannerInfo *root, const Neo4jScanRel *srel, List *pathkeys)
{
	ListCell   *lc;

	foreach(lc, pathkeys)
		if (neo4j_sort_key_column(root, srel, (PathKey *) lfirst(lc)) == NULL)
			return false;
	return true;
}

/*
 * ORDER BY `column` [DESC], ... by RETURN key: the caller returns every sort
 * column (after RETURN a key could hide the row variable).
 */
void
neo4j_append_order_by(StringInfo buf, PlannerInfo *root, const Neo4jScanRel *srel, List *pathkeys)
{
	ListCell   *lc;

	foreach(lc, pathkeys)
	{
		PathKey    *pathkey = (PathKey *) lfirst(lc);
		Var		   *var = neo4j_sort_key_column(root, srel, pathkey);

		Assert(var != NULL);
		appendStringInfoString(buf, lc == list_head(pathkeys) ? "ORDER BY " : ", ");
		neo4j_append_identifier(buf, srel->cols[var->varattno - 1].name);
		if (pathkey->pk_strategy == BTGreaterStrategyNumber)
			appendStringInfoString(buf, " DESC");
	}
}
