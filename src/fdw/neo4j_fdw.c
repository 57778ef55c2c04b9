/*
 * neo4j_fdw.c — the foreign data wrapper handler: planning and executing
 * scans of label, relationship and query tables, and the neo4j_query()
 * functions.
 *
 * For label and relationship tables the planner sends Neo4j what it can
 * evaluate exactly as Postgres would (deparse.c has the rules): WHERE
 * conditions, join conditions of parameterized scans (a nested loop runs
 * the query again for each outer row), ORDER BY (pre-sorted paths) and, when
 * nothing is left to filter locally, LIMIT/OFFSET (the final upper path).
 * Values travel as parameters $p1, $p2, ..., computed from
 * ForeignScan.fdw_exprs whenever the query (re)starts. Query tables run the
 * user's Cypher as it is.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "commands/vacuum.h"
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "neo4j_fdw.h"
#include "convert.h"
#include "deparse.h"

PG_MODULE_MAGIC;

/* Indexes into ForeignScan.fdw_private. */
enum FdwScanPrivate
{
	FdwScanCypher,				/* String: the query text */
	FdwScanRetrievedAttrs,		/* IntList: attnums, in RETURN order */
	FdwScanRetrievedNames,		/* List of String: RETURN keys, same order */
	FdwScanFetchSize,			/* Integer */
	FdwScanParamKinds			/* IntList: Neo4jParamKind of $p1, ... (fdw_exprs) */
};

/*
 * Costs: a round trip (and Neo4j planning the query) to start; Neo4j looking
 * at each row of the label or type; each row it returns on the wire and
 * converted.
 */
#define NEO4J_STARTUP_COST	100.0
#define NEO4J_SCAN_COST		0.001
#define NEO4J_TUPLE_COST	0.01

/*
 * Planner state of a foreign relation; on the ordered relation above one,
 * only base and sort_pushable.
 */
typedef struct Neo4jRelInfo
{
	Neo4jTableOptions table;
	Neo4jScanRel scan;			/* columns (label and relationship tables) */
	int			fetch_size;
	List	   *remote_conds;	/* RestrictInfos Neo4j evaluates */
	List	   *local_conds;	/* RestrictInfos left to Postgres */
	Cost		startup_cost;	/* of the plain scan */
	Cost		total_cost;
	RelOptInfo *base;			/* ordered relation: the scanned relation */
	bool		sort_pushable;	/* ordered relation: ORDER BY goes to Neo4j */
} Neo4jRelInfo;

/* Executor state of one scan (and of ANALYZE's sample query). */
typedef struct Neo4jScanState
{
	char	   *cypher;
	List	   *retrieved_attrs;
	List	   *retrieved_names;
	int			fetch_size;
	const char *relname;
	/* parameters $p1 ... $pN */
	int			nparams;
	List	   *param_exprs;	/* ExprStates */
	Oid		   *param_types;
	int		   *param_kinds;
	MemoryContext param_cxt;	/* their values, for the current run */
	/* the running query, in the transaction of the user mapping */
	UserMapping *user;
	neo4j_result *result;
	int		   *field_for_attr; /* per retrieved attr: index in the record */
	Neo4jConverter *converters; /* per retrieved attr */
	MemoryContext row_cxt;		/* reset for every row */
} Neo4jScanState;

/* ------------------------------------------------------------------ planning */

static int
fetch_size_for(Oid foreigntableid, const Neo4jTableOptions *table)
{
	Neo4jServerOptions sopts;

	if (table->fetch_size > 0)
		return table->fetch_size;
	neo4j_get_server_options(GetForeignServer(GetForeignTable(foreigntableid)->serverid), &sopts);
	return sopts.fetch_size;
}

/* Cost of a scan returning retrieved_rows, with local_conds checked locally. */
static void
scan_cost(PlannerInfo *root, RelOptInfo *baserel, double retrieved_rows, List *local_conds,
		  Cost *startup_cost, Cost *total_cost)
{
	QualCost	local;

	cost_qual_eval(&local, local_conds, root);
	*startup_cost = NEO4J_STARTUP_COST + local.startup;
	*total_cost = *startup_cost + baserel->tuples * NEO4J_SCAN_COST +
		retrieved_rows * (NEO4J_TUPLE_COST + cpu_tuple_cost + local.per_tuple);
}

/* Neo4j sorting what it returns: less than a local Sort of the same rows. */
static Cost
remote_sort_cost(double rows)
{
	return cpu_operator_cost * rows * log2(rows + 2.0);
}

static void
neo4jGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	Neo4jRelInfo *info = palloc0(sizeof(Neo4jRelInfo));
	double		retrieved_rows;
	ListCell   *lc;

	neo4j_get_table_options(foreigntableid, &info->table);
	info->fetch_size = fetch_size_for(foreigntableid, &info->table);
	if (info->table.kind != NEO4J_TABLE_QUERY)
	{
		Relation	rel = table_open(foreigntableid, NoLock);

		neo4j_scan_rel_init(&info->scan, rel, baserel->relid, info->table.kind);
		table_close(rel, NoLock);
	}

	/* the conditions Neo4j can evaluate (none for the user's Cypher) */
	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		if (info->table.kind != NEO4J_TABLE_QUERY &&
			neo4j_is_pushable_cond(root, &info->scan, rinfo->clause))
			info->remote_conds = lappend(info->remote_conds, rinfo);
		else
			info->local_conds = lappend(info->local_conds, rinfo);
	}
	baserel->fdw_private = info;

	/* ANALYZE's count when there is one, a modest guess otherwise */
	if (baserel->tuples < 0)
		baserel->tuples = 1000;
	retrieved_rows = clamp_row_est(baserel->tuples *
								   clauselist_selectivity(root, info->remote_conds, baserel->relid,
														  JOIN_INNER, NULL));
	baserel->rows = clamp_row_est(baserel->tuples *
								  clauselist_selectivity(root, baserel->baserestrictinfo, baserel->relid,
														 JOIN_INNER, NULL));
	scan_cost(root, baserel, retrieved_rows, info->local_conds, &info->startup_cost, &info->total_cost);
}

/* generate_implied_equalities_for_column: members that are column *arg of rel */
static bool
ec_member_is_column(PlannerInfo *root, RelOptInfo *rel, EquivalenceClass *ec, EquivalenceMember *em,
					void *arg)
{
	Var		   *var = (Var *) em->em_expr;

	while (var && IsA(var, RelabelType))
		var = (Var *) ((RelabelType *) var)->arg;
	return var && IsA(var, Var) && var->varno == rel->relid && var->varlevelsup == 0 &&
		var->varattno == *(AttrNumber *) arg;
}

/*
 * Paths that take a join condition to Neo4j as a parameter: in a nested
 * loop, the scan runs once per outer row with that row's value.
 */
static void
add_parameterized_paths(PlannerInfo *root, RelOptInfo *baserel, Neo4jRelInfo *info)
{
	List	   *clauses = NIL;
	List	   *outers = NIL;
	ListCell   *lc;

	/* join conditions as written, and equalities implied by equivalence classes */
	foreach(lc, baserel->joininfo)
		clauses = lappend(clauses, lfirst(lc));
	if (baserel->has_eclass_joins)
		for (AttrNumber attno = 1; attno <= info->scan.natts; attno++)
		{
			if (info->scan.cols[attno - 1].dropped ||
				info->scan.cols[attno - 1].cls == NEO4J_CLASS_OTHER)
				continue;
			clauses = list_concat(clauses,
								  generate_implied_equalities_for_column(root, baserel, ec_member_is_column,
																		 &attno, baserel->lateral_referencers));
		}

	foreach(lc, clauses)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		Relids		required_outer;

		if (!join_clause_is_movable_to(rinfo, baserel) ||
			!neo4j_is_pushable_cond(root, &info->scan, rinfo->clause))
			continue;
		required_outer = bms_union(bms_difference(rinfo->clause_relids, baserel->relids),
								   baserel->lateral_relids);
		if (!bms_is_empty(required_outer))
		{
			ListCell   *o;

			/* (Relids are not Nodes: no list_append_unique) */
			foreach(o, outers)
				if (bms_equal((Relids) lfirst(o), required_outer))
					break;
			if (o == NULL)
				outers = lappend(outers, required_outer);
		}
	}

	foreach(lc, outers)
	{
		Relids		required_outer = (Relids) lfirst(lc);
		ParamPathInfo *ppi = get_baserel_parampathinfo(root, baserel, required_outer);
		Cost		startup_cost,
					total_cost;

		scan_cost(root, baserel, ppi->ppi_rows, info->local_conds, &startup_cost, &total_cost);
		add_path(baserel, (Path *) create_foreignscan_path(root, baserel, NULL, ppi->ppi_rows,
														   startup_cost, total_cost, NIL,
														   required_outer, NULL, NIL));
	}
}

static void
neo4jGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	Neo4jRelInfo *info = (Neo4jRelInfo *) baserel->fdw_private;

	add_path(baserel, (Path *) create_foreignscan_path(root, baserel, NULL, baserel->rows,
													   info->startup_cost, info->total_cost, NIL,
													   baserel->lateral_relids, NULL, NIL));
	if (info->table.kind == NEO4J_TABLE_QUERY)
		return;

	/* sorted by Neo4j for the query's ORDER BY */
	if (root->query_pathkeys && neo4j_pathkeys_pushable(root, &info->scan, root->query_pathkeys))
		add_path(baserel, (Path *) create_foreignscan_path(root, baserel, NULL, baserel->rows,
														   info->startup_cost,
														   info->total_cost + remote_sort_cost(baserel->rows),
														   root->query_pathkeys, baserel->lateral_relids,
														   NULL, NIL));

	add_parameterized_paths(root, baserel, info);
}

/* LIMIT and OFFSET: absent, or a value known when the query starts. */
static bool
limit_expr_ok(Node *node)
{
	return node == NULL || IsA(node, Const) ||
		(IsA(node, Param) && (((Param *) node)->paramkind == PARAM_EXTERN ||
							  ((Param *) node)->paramkind == PARAM_EXEC));
}

/*
 * The final step (LIMIT/OFFSET) over a scan Neo4j can finish: the scan of a
 * label or relationship table with nothing left to check locally, sorted by
 * Neo4j if the query has ORDER BY. Like postgres_fdw, the path belongs to
 * the scanned relation, so the plan stays a plain scan of it.
 */
static void
add_final_path(PlannerInfo *root, RelOptInfo *input_rel, RelOptInfo *final_rel, FinalPathExtraData *extra)
{
	Query	   *parse = root->parse;
	Neo4jRelInfo *info = (Neo4jRelInfo *) input_rel->fdw_private;
	RelOptInfo *base = input_rel;
	List	   *pathkeys = NIL;
	double		rows;
	Cost		startup_cost,
				total_cost;

	if (!extra->limit_needed || parse->hasTargetSRFs || parse->rowMarks ||
		parse->limitOption == LIMIT_OPTION_WITH_TIES)
		return;
	if (info->base)
	{
		/* input is the ordered relation */
		if (!info->sort_pushable)
			return;
		base = info->base;
		info = (Neo4jRelInfo *) base->fdw_private;
		pathkeys = root->sort_pathkeys;
	}
	else if (input_rel->reloptkind != RELOPT_BASEREL)
		return;
	if (info->table.kind == NEO4J_TABLE_QUERY || info->local_conds != NIL ||
		!bms_is_empty(base->lateral_relids) ||
		!limit_expr_ok(parse->limitOffset) || !limit_expr_ok(parse->limitCount))
		return;

	rows = base->rows;
	startup_cost = info->startup_cost;
	total_cost = info->total_cost + (pathkeys ? remote_sort_cost(rows) : 0);
	adjust_limit_rows_costs(&rows, &startup_cost, &total_cost, extra->offset_est, extra->count_est);
	/* Neo4j stops at the limit and no Limit node runs: a bit cheaper than one */
	total_cost -= (total_cost - startup_cost) * 0.05;
	add_path(final_rel, (Path *) create_foreign_upper_path(root, base, root->upper_targets[UPPERREL_FINAL],
														   rows, startup_cost, total_cost, pathkeys,
														   NULL, list_make1(makeInteger(true))));
}

static void
neo4jGetForeignUpperPaths(PlannerInfo *root, UpperRelationKind stage, RelOptInfo *input_rel,
						  RelOptInfo *output_rel, void *extra)
{
	Neo4jRelInfo *in = (Neo4jRelInfo *) input_rel->fdw_private;

	if (in == NULL || output_rel->fdw_private != NULL)
		return;
	if (stage == UPPERREL_ORDERED)
	{
		Neo4jRelInfo *ordered;

		/*
		 * The sorted paths of the scan already offer the ORDER BY; remember
		 * whether they may, for the final step to add LIMIT to them.
		 */
		if (input_rel->reloptkind != RELOPT_BASEREL || in->base || in->table.kind == NEO4J_TABLE_QUERY)
			return;
		ordered = palloc0(sizeof(Neo4jRelInfo));
		ordered->base = input_rel;
		ordered->sort_pushable = !root->parse->hasTargetSRFs &&
			neo4j_pathkeys_pushable(root, &in->scan, root->sort_pathkeys);
		output_rel->fdw_private = ordered;
	}
	else if (stage == UPPERREL_FINAL)
		add_final_path(root, input_rel, output_rel, (FinalPathExtraData *) extra);
}

/* The RETURN keys of a query table: every column, by its property option or name. */
static void
query_table_columns(Relation rel, Bitmapset *attrs_used, List **attrs, List **names)
{
	ListCell   *lc;

	*attrs = neo4j_used_attnums(rel, attrs_used);
	*names = NIL;
	foreach(lc, *attrs)
	{
		Neo4jColumnOptions col;

		neo4j_get_column_options(RelationGetRelid(rel), lfirst_int(lc), &col);
		*names = lappend(*names, makeString(col.property));
	}
}

/* Every column when the whole row is wanted. */
static Bitmapset *
expand_whole_row(Bitmapset *attrs_used, TupleDesc tupdesc)
{
	if (!bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs_used))
		return attrs_used;
	for (int i = 0; i < tupdesc->natts; i++)
		attrs_used = bms_add_member(attrs_used, i + 1 - FirstLowInvalidHeapAttributeNumber);
	return attrs_used;
}

static ForeignScan *
neo4jGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid, ForeignPath *best_path,
					List *tlist, List *scan_clauses, Plan *outer_plan)
{
	Neo4jRelInfo *info = (Neo4jRelInfo *) baserel->fdw_private;
	bool		has_limit = best_path->fdw_private != NIL;
	List	   *pathkeys = best_path->path.pathkeys;
	List	   *remote_exprs = NIL,
			   *local_exprs = NIL,
			   *attrs,
			   *names;
	Bitmapset  *attrs_used = NULL;
	Neo4jParams params = {NIL, NIL};
	StringInfoData cypher,
				where,
				tail;
	Relation	rel;
	ListCell   *lc;

	/* conditions and join conditions: to Neo4j, or checked here */
	foreach(lc, scan_clauses)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		if (rinfo->pseudoconstant)
			continue;			/* the planner checks those before the scan */
		if (info->table.kind != NEO4J_TABLE_QUERY &&
			(list_member_ptr(info->remote_conds, rinfo) ||
			 (!list_member_ptr(info->local_conds, rinfo) &&
			  neo4j_is_pushable_cond(root, &info->scan, rinfo->clause))))
			remote_exprs = lappend(remote_exprs, rinfo->clause);
		else
			local_exprs = lappend(local_exprs, rinfo->clause);
	}

	/* the columns to return: the output, local conditions and sort keys */
	rel = table_open(foreigntableid, NoLock);
	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid, &attrs_used);
	pull_varattnos((Node *) local_exprs, baserel->relid, &attrs_used);
	foreach(lc, pathkeys)
	{
		Var		   *var = neo4j_sort_key_column(root, &info->scan, (PathKey *) lfirst(lc));

		attrs_used = bms_add_member(attrs_used, var->varattno - FirstLowInvalidHeapAttributeNumber);
	}
	attrs_used = expand_whole_row(attrs_used, RelationGetDescr(rel));

	initStringInfo(&cypher);
	if (info->table.kind == NEO4J_TABLE_QUERY)
	{
		appendStringInfoString(&cypher, info->table.name);
		query_table_columns(rel, attrs_used, &attrs, &names);
	}
	else
	{
		initStringInfo(&where);
		neo4j_append_conds(&where, root, &info->scan, remote_exprs, &params);
		initStringInfo(&tail);
		neo4j_append_order_by(&tail, root, &info->scan, pathkeys);
		if (has_limit)
		{
			Node	   *offset = root->parse->limitOffset;
			Node	   *count = root->parse->limitCount;

			/* a null constant is no OFFSET / no LIMIT */
			if (offset && !(IsA(offset, Const) && ((Const *) offset)->constisnull))
			{
				appendStringInfoString(&tail, tail.len ? " SKIP " : "SKIP ");
				neo4j_append_param(&tail, &params, (Expr *) offset, NEO4J_PARAM_SKIP);
			}
			if (count && !(IsA(count, Const) && ((Const *) count)->constisnull))
			{
				appendStringInfoString(&tail, tail.len ? " LIMIT " : "LIMIT ");
				neo4j_append_param(&tail, &params, (Expr *) count, NEO4J_PARAM_LIMIT);
			}
		}
		neo4j_deparse_select(&cypher, rel, &info->table, attrs_used, where.data, tail.data, &attrs, &names);
	}
	table_close(rel, NoLock);

	/* remote_exprs also serve to recheck a row in EvalPlanQual */
	return make_foreignscan(tlist, local_exprs, baserel->relid, params.exprs,
							list_make5(makeString(cypher.data), attrs, names, makeInteger(info->fetch_size),
									   params.kinds),
							NIL, remote_exprs, outer_plan);
}

/* ------------------------------------------------------------------ running a query */

/* Converters for the retrieved columns of tupdesc, allocated in cxt. */
static void
scan_prepare(Neo4jScanState *state, TupleDesc tupdesc, MemoryContext cxt)
{
	int			n = list_length(state->retrieved_attrs);
	ListCell   *lc;
	int			i = 0;

	state->field_for_attr = MemoryContextAllocZero(cxt, sizeof(int) * (n + 1));
	state->converters = MemoryContextAllocZero(cxt, sizeof(Neo4jConverter) * (n + 1));
	foreach(lc, state->retrieved_attrs)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, lfirst_int(lc) - 1);

		neo4j_converter_init(&state->converters[i++], attr->atttypid, attr->atttypmod,
							 NameStr(attr->attname), cxt);
	}
}

/* Maps each retrieved attribute to its position in the record, by RETURN key. */
static void
bind_fields(Neo4jScanState *state)
{
	size_t		nfields = neo4j_result_field_count(state->result);
	ListCell   *lc;
	int			i = 0;

	foreach(lc, state->retrieved_names)
	{
		const char *name = strVal(lfirst(lc));
		int			found = -1;

		for (size_t f = 0; f < nfields; f++)
			if (neo4j_string_equals(neo4j_result_field_name(state->result, f), name))
				found = (int) f;
		if (found < 0)
		{
			StringInfoData keys;

			initStringInfo(&keys);
			for (size_t f = 0; f < nfields; f++)
			{
				const neo4j_value *key = neo4j_result_field_name(state->result, f);

				appendStringInfo(&keys, "%s%.*s", f ? ", " : "", (int) key->size, key->u.string);
			}
			ereport(ERROR,
					(errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
					 errmsg("the Cypher query of foreign table \"%s\" returns no key \"%s\"", state->relname, name),
					 errdetail("It returns: %s.", keys.len ? keys.data : "nothing"),
					 errhint("Name the column like a RETURN key, or map it with the column option \"property\".")));
		}
		state->field_for_attr[i++] = found;
	}
}

/* Runs the query with params (a Map, or NULL) and binds its keys to columns. */
static void
scan_start(Neo4jScanState *state, const neo4j_value *params)
{
	state->result = neo4j_xact_run(state->user, state->cypher, params, state->fetch_size, false);
	bind_fields(state);
}

/*
 * The next record into values/nulls (indexed by attnum - 1; columns not
 * retrieved are null), converted in CurrentMemoryContext; false at the end.
 */
static bool
scan_next(Neo4jScanState *state, Datum *values, bool *nulls, int natts)
{
	const neo4j_value *record;
	neo4j_error err;
	ListCell   *lc;
	int			rc,
				i = 0;

	rc = neo4j_result_next(state->result, &record, &err);
	if (rc < 0)
		neo4j_xact_result_error(state->result, &err, state->cypher);
	if (rc == 0)
		return false;
	memset(nulls, true, sizeof(bool) * natts);
	foreach(lc, state->retrieved_attrs)
	{
		int			attno = lfirst_int(lc) - 1;

		values[attno] = neo4j_convert(&state->converters[i], &record->u.items[state->field_for_attr[i]],
									  &nulls[attno]);
		i++;
	}
	return true;
}

static void
close_result(Neo4jScanState *state)
{
	if (state->result)
	{
		neo4j_xact_close_result(state->result);
		state->result = NULL;
	}
}

/* ------------------------------------------------------------------ parameter values */

/*
 * Far beyond the dates Postgres reads (year 10,000,000, or before -9,998,000)
 * but within Neo4j's: stands for infinity, which Neo4j has not.
 */
#define FAR_DAYS	INT64CONST(3652425000)

static void
infinite_temporal(Oid typid, bool positive, neo4j_value *out)
{
	neo4j_value *f = palloc(sizeof(neo4j_value) * 3);
	int64		days = positive ? FAR_DAYS : -FAR_DAYS;

	switch (getBaseType(typid))
	{
		case DATEOID:
			f[0] = neo4j_int(days);
			*out = neo4j_struct(NEO4J_TAG_DATE, f, 1);
			return;
		case TIMESTAMPOID:
			f[0] = neo4j_int(days * SECS_PER_DAY);
			f[1] = neo4j_int(0);
			*out = neo4j_struct(NEO4J_TAG_LOCAL_DATE_TIME, f, 2);
			return;
		case TIMESTAMPTZOID:
			f[0] = neo4j_int(days * SECS_PER_DAY);
			f[1] = neo4j_int(0);
			f[2] = neo4j_int(0);
			*out = neo4j_struct(NEO4J_TAG_DATE_TIME, f, 3);
			return;
	}
	elog(ERROR, "neo4j_fdw: no infinite value for type %u", typid);
}

/* A datum as a parameter value; infinite dates and timestamps as far ones. */
static void
datum_value(Datum datum, Oid typid, bool isnull, neo4j_value *out)
{
	if (neo4j_datum_to_value(datum, typid, isnull, out))
		return;
	switch (getBaseType(typid))
	{
		case DATEOID:
			infinite_temporal(typid, DatumGetDateADT(datum) == DATEVAL_NOEND, out);
			return;
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			infinite_temporal(typid, DatumGetTimestamp(datum) == DT_NOEND, out);
			return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
			 errmsg("cannot send a value of type %s to Neo4j", format_type_be(typid))));
}

/*
 * A column reads Neo4j's nanoseconds rounded half to even to microseconds:
 * the last instant that reads as less than ts (upto: as ts or less) lies
 * half a microsecond before ts (ts + 1), one nanosecond earlier still when
 * that microsecond is even (the half rounds up to it then).
 */
static void
timestamp_bound(Datum datum, Oid typid, bool upto, neo4j_value *out)
{
	Timestamp	ts = DatumGetTimestamp(datum);
	neo4j_value v;
	neo4j_value *f;
	int64		secs,
				nanos;

	if (TIMESTAMP_NOT_FINITE(ts))
	{
		infinite_temporal(typid, ts == DT_NOEND, out);
		return;
	}
	if (upto)
		ts++;
	if (!neo4j_datum_to_value(TimestampGetDatum(ts), typid, false, &v) || v.size < 2)
		elog(ERROR, "neo4j_fdw: cannot send timestamp bound");
	f = palloc(sizeof(neo4j_value) * v.size);
	memcpy(f, v.u.items, sizeof(neo4j_value) * v.size);
	secs = f[0].u.integer;
	nanos = f[1].u.integer - ((ts & 1) ? 500 : 501);
	if (nanos < 0)
	{
		nanos += 1000000000;
		secs--;
	}
	f[0] = neo4j_int(secs);
	f[1] = neo4j_int(nanos);
	*out = neo4j_struct(v.tag, f, v.size);
}

/* An array as a flat List (= ANY compares with every element, any dimension). */
static void
array_value(Datum datum, neo4j_value *out)
{
	ArrayType  *arr = DatumGetArrayTypeP(datum);
	Oid			elemtype = ARR_ELEMTYPE(arr);
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	neo4j_value *items;

	get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
	deconstruct_array(arr, elemtype, elmlen, elmbyval, elmalign, &elems, &nulls, &n);
	items = palloc(sizeof(neo4j_value) * Max(n, 1));
	for (int i = 0; i < n; i++)
		datum_value(elems[i], elemtype, nulls[i], &items[i]);
	*out = neo4j_list(items, n);
}

static void
param_value(Neo4jParamKind kind, Oid typid, Datum datum, bool isnull, neo4j_value *out)
{
	int64		n;

	if (isnull && kind != NEO4J_PARAM_SKIP && kind != NEO4J_PARAM_LIMIT)
	{
		*out = neo4j_null();
		return;
	}
	switch (kind)
	{
		case NEO4J_PARAM_VALUE:
			datum_value(datum, typid, false, out);
			return;
		case NEO4J_PARAM_LIST:
			array_value(datum, out);
			return;
		case NEO4J_PARAM_TS_BELOW:
		case NEO4J_PARAM_TS_UPTO:
			timestamp_bound(datum, typid, kind == NEO4J_PARAM_TS_UPTO, out);
			return;
		case NEO4J_PARAM_SKIP:
			/* as the Limit node would check them */
			n = isnull ? 0 : DatumGetInt64(datum);
			if (n < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE),
						 errmsg("OFFSET must not be negative")));
			*out = neo4j_int(n);
			return;
		case NEO4J_PARAM_LIMIT:
			n = isnull ? PG_INT64_MAX : DatumGetInt64(datum);
			if (n < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE),
						 errmsg("LIMIT must not be negative")));
			*out = neo4j_int(n);
			return;
	}
}

/* ------------------------------------------------------------------ execution */

static void
neo4jBeginForeignScan(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	RangeTblEntry *rte = exec_rt_fetch(fsplan->scan.scanrelid, estate);
	Oid			userid = OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
	Neo4jScanState *state = palloc0(sizeof(Neo4jScanState));
	ListCell   *lc;
	int			i = 0;

	node->fdw_state = state;
	state->cypher = strVal(list_nth(fsplan->fdw_private, FdwScanCypher));
	state->retrieved_attrs = (List *) list_nth(fsplan->fdw_private, FdwScanRetrievedAttrs);
	state->retrieved_names = (List *) list_nth(fsplan->fdw_private, FdwScanRetrievedNames);
	state->fetch_size = intVal(list_nth(fsplan->fdw_private, FdwScanFetchSize));
	state->relname = RelationGetRelationName(node->ss.ss_currentRelation);
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;

	state->user = GetUserMapping(userid, GetForeignTable(rte->relid)->serverid);
	state->nparams = list_length(fsplan->fdw_exprs);
	state->param_exprs = ExecInitExprList(fsplan->fdw_exprs, (PlanState *) node);
	state->param_types = palloc(sizeof(Oid) * (state->nparams + 1));
	state->param_kinds = palloc(sizeof(int) * (state->nparams + 1));
	foreach(lc, fsplan->fdw_exprs)
	{
		state->param_types[i] = exprType(lfirst(lc));
		state->param_kinds[i] = list_nth_int((List *) list_nth(fsplan->fdw_private, FdwScanParamKinds), i);
		i++;
	}
	scan_prepare(state, RelationGetDescr(node->ss.ss_currentRelation), CurrentMemoryContext);
	state->param_cxt = AllocSetContextCreate(estate->es_query_cxt, "neo4j_fdw parameters", ALLOCSET_SMALL_SIZES);
	state->row_cxt = AllocSetContextCreate(estate->es_query_cxt, "neo4j_fdw row", ALLOCSET_SMALL_SIZES);
}

/* Computes the parameters (again after a rescan: join values change) and runs the query. */
static void
start_query(ForeignScanState *node, Neo4jScanState *state)
{
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	neo4j_map_entry *entries;
	neo4j_value params;
	MemoryContext old;
	ListCell   *lc;
	int			i = 0;

	if (state->nparams == 0)
	{
		scan_start(state, NULL);
		return;
	}
	MemoryContextReset(state->param_cxt);
	old = MemoryContextSwitchTo(state->param_cxt);
	entries = palloc(sizeof(neo4j_map_entry) * state->nparams);
	foreach(lc, state->param_exprs)
	{
		bool		isnull;
		Datum		value = ExecEvalExpr((ExprState *) lfirst(lc), econtext, &isnull);

		entries[i].key = neo4j_string(psprintf("p%d", i + 1));
		param_value(state->param_kinds[i], state->param_types[i], value, isnull, &entries[i].value);
		i++;
	}
	params = neo4j_map(entries, state->nparams);
	MemoryContextSwitchTo(old);
	scan_start(state, &params);
}

static TupleTableSlot *
neo4jIterateForeignScan(ForeignScanState *node)
{
	Neo4jScanState *state = (Neo4jScanState *) node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	MemoryContext old;
	bool		found;

	if (!state->result)
		start_query(node, state);
	ExecClearTuple(slot);
	MemoryContextReset(state->row_cxt);
	old = MemoryContextSwitchTo(state->row_cxt);
	found = scan_next(state, slot->tts_values, slot->tts_isnull, slot->tts_tupleDescriptor->natts);
	MemoryContextSwitchTo(old);
	return found ? ExecStoreVirtualTuple(slot) : slot;
}

static void
neo4jReScanForeignScan(ForeignScanState *node)
{
	/* the query runs again, with fresh parameters, on the next fetch, in the same transaction */
	close_result((Neo4jScanState *) node->fdw_state);
}

static void
neo4jEndForeignScan(ForeignScanState *node)
{
	Neo4jScanState *state = (Neo4jScanState *) node->fdw_state;

	if (!state)
		return;
	close_result(state);
}

static void
neo4jExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	Neo4jScanState *state = (Neo4jScanState *) node->fdw_state;
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;

	ExplainPropertyText("Cypher", state->cypher, es);
	if (es->verbose)
	{
		if (fsplan->fdw_exprs)
		{
			StringInfoData params;
			ListCell   *lc;
			int			i = 0;

			/* names and types only: values may be secrets, and change per run */
			initStringInfo(&params);
			foreach(lc, fsplan->fdw_exprs)
			{
				appendStringInfo(&params, "%s$p%d %s", i ? ", " : "", i + 1,
								 format_type_be(exprType(lfirst(lc))));
				i++;
			}
			ExplainPropertyText("Parameters", params.data, es);
		}
		ExplainPropertyInteger("Fetch Size", NULL, state->fetch_size, es);
	}
}

/* ------------------------------------------------------------------ ANALYZE */

static int	acquire_sample_rows(Relation relation, int elevel, HeapTuple *rows, int targrows,
								double *totalrows, double *totaldeadrows);

static bool
neo4jAnalyzeForeignTable(Relation relation, AcquireSampleRowsFunc *func, BlockNumber *totalpages)
{
	*func = acquire_sample_rows;
	*totalpages = 1;
	return true;
}

/* count() of a label or relationship table, or -1 if Neo4j does not say. */
static double
count_rows(Neo4jScanState *state, const Neo4jTableOptions *table)
{
	StringInfoData cypher;
	const neo4j_value *record;
	neo4j_result *result;
	neo4j_error err;
	double		counted = -1;
	int			rc;

	initStringInfo(&cypher);
	neo4j_append_match(&cypher, table);
	appendStringInfo(&cypher, " RETURN count(%s) AS `count`", neo4j_row_variable(table->kind));
	result = neo4j_xact_run(state->user, cypher.data, NULL, state->fetch_size, false);
	rc = neo4j_result_next(result, &record, &err);
	if (rc < 0)
		neo4j_xact_result_error(result, &err, cypher.data);
	if (rc == 1 && record->size == 1 && record->u.items[0].type == NEO4J_INT)
		counted = (double) record->u.items[0].u.integer;
	neo4j_xact_close_result(result);
	return counted;
}

/*
 * Label and relationship tables: the cheap count() for the total and the
 * first targrows rows (LIMIT $limit) as the sample. Query tables: the first
 * targrows records, then stop; their total is the number read, which
 * underestimates a query that returns more (counting it would mean running
 * it to the end).
 */
static int
acquire_sample_rows(Relation relation, int elevel, HeapTuple *rows, int targrows,
					double *totalrows, double *totaldeadrows)
{
	Oid			relid = RelationGetRelid(relation);
	TupleDesc	tupdesc = RelationGetDescr(relation);
	Neo4jTableOptions table;
	Neo4jScanState state = {0};
	StringInfoData cypher;
	Bitmapset  *all = NULL;
	Datum	   *values = palloc(sizeof(Datum) * tupdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * tupdesc->natts);
	neo4j_map_entry limit = {neo4j_string("limit"), neo4j_int(targrows)};
	neo4j_value params = neo4j_map(&limit, 1);
	double		counted = -1;
	int			n = 0;

	neo4j_get_table_options(relid, &table);
	for (int i = 0; i < tupdesc->natts; i++)
		if (!TupleDescAttr(tupdesc, i)->attisdropped)
			all = bms_add_member(all, i + 1 - FirstLowInvalidHeapAttributeNumber);
	state.relname = RelationGetRelationName(relation);
	state.fetch_size = fetch_size_for(relid, &table);
	state.user = GetUserMapping(relation->rd_rel->relowner, GetForeignTable(relid)->serverid);

	initStringInfo(&cypher);
	if (table.kind == NEO4J_TABLE_QUERY)
	{
		appendStringInfoString(&cypher, table.name);
		query_table_columns(relation, all, &state.retrieved_attrs, &state.retrieved_names);
	}
	else
	{
		counted = count_rows(&state, &table);
		neo4j_deparse_select(&cypher, relation, &table, all, NULL, "LIMIT $limit",
							 &state.retrieved_attrs, &state.retrieved_names);
	}
	state.cypher = cypher.data;
	scan_prepare(&state, tupdesc, CurrentMemoryContext);
	scan_start(&state, table.kind == NEO4J_TABLE_QUERY ? NULL : &params);

	state.row_cxt = AllocSetContextCreate(CurrentMemoryContext, "neo4j_fdw sample row", ALLOCSET_SMALL_SIZES);
	while (n < targrows)
	{
		MemoryContext old = MemoryContextSwitchTo(state.row_cxt);
		bool		found = scan_next(&state, values, nulls, tupdesc->natts);

		MemoryContextSwitchTo(old);
		if (!found)
			break;
		rows[n++] = heap_form_tuple(tupdesc, values, nulls);
		MemoryContextReset(state.row_cxt);
		vacuum_delay_point();
	}
	close_result(&state);
	MemoryContextDelete(state.row_cxt);

	*totalrows = counted >= n ? counted : n;
	*totaldeadrows = 0;
	ereport(elevel,
			(errmsg("\"%s\": table contains %.0f rows, %d rows in sample",
					RelationGetRelationName(relation), *totalrows, n)));
	return n;
}

/* ------------------------------------------------------------------ handler */

PG_FUNCTION_INFO_V1(neo4j_fdw_handler);

Datum
neo4j_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	routine->GetForeignRelSize = neo4jGetForeignRelSize;
	routine->GetForeignPaths = neo4jGetForeignPaths;
	routine->GetForeignPlan = neo4jGetForeignPlan;
	routine->GetForeignUpperPaths = neo4jGetForeignUpperPaths;
	routine->BeginForeignScan = neo4jBeginForeignScan;
	routine->IterateForeignScan = neo4jIterateForeignScan;
	routine->ReScanForeignScan = neo4jReScanForeignScan;
	routine->EndForeignScan = neo4jEndForeignScan;
	routine->ExplainForeignScan = neo4jExplainForeignScan;
	routine->AnalyzeForeignTable = neo4jAnalyzeForeignTable;
	PG_RETURN_POINTER(routine);
}

/* ------------------------------------------------------------------ neo4j_query() */

/*
 * Runs cypher on the named server for the current user, in the transaction
 * of that user mapping (WRITE for write); params is a jsonb object.
 */
static neo4j_result *
run_adhoc(const char *server_name, const char *cypher, Jsonb *params_json, bool write)
{
	ForeignServer *server = neo4j_server_by_name(server_name);
	UserMapping *user = GetUserMapping(GetUserId(), server->serverid);
	neo4j_value params;

	if (!JB_ROOT_IS_OBJECT(params_json))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the parameters of %s must be a jsonb object", write ? "neo4j_execute" : "neo4j_query"),
				 errhint("For example: '{\"year\": 2000}'.")));
	neo4j_jsonb_to_value(params_json, &params);
	return neo4j_xact_run(user, cypher, &params, 0, write);
}

PG_FUNCTION_INFO_V1(neo4j_query);
PG_FUNCTION_INFO_V1(neo4j_query_jsonb);

/*
 * neo4j_query(server, cypher, params): columns of the definition list bind to
 * the RETURN keys by name, or by position when no name matches.
 */
Datum
neo4j_query(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *cypher = text_to_cstring(PG_GETARG_TEXT_PP(1));
	neo4j_result *result;
	const neo4j_value *record;
	neo4j_error err;
	TupleDesc	tupdesc;
	Neo4jConverter *converters;
	int		   *field_for_col;
	Datum	   *values;
	bool	   *nulls;
	size_t		nfields;
	int			natts, rc, by_name = 0;
	MemoryContext row_cxt, old;

	InitMaterializedSRF(fcinfo, 0);
	tupdesc = rsinfo->setDesc;
	natts = tupdesc->natts;
	result = run_adhoc(text_to_cstring(PG_GETARG_TEXT_PP(0)), cypher, PG_GETARG_JSONB_P(2), false);

	nfields = neo4j_result_field_count(result);
	converters = palloc0(sizeof(Neo4jConverter) * natts);
	field_for_col = palloc(sizeof(int) * natts);
	values = palloc(sizeof(Datum) * natts);
	nulls = palloc(sizeof(bool) * natts);
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);

		field_for_col[i] = -1;
		for (size_t f = 0; f < nfields; f++)
			if (neo4j_string_equals(neo4j_result_field_name(result, f), NameStr(attr->attname)))
				field_for_col[i] = (int) f;
		by_name += field_for_col[i] >= 0;
		neo4j_converter_init(&converters[i], attr->atttypid, attr->atttypmod, NameStr(attr->attname),
							 CurrentMemoryContext);
	}
	if (by_name == 0 && (size_t) natts == nfields)
		for (int i = 0; i < natts; i++)
			field_for_col[i] = i;
	else if (by_name < natts)
		for (int i = 0; i < natts; i++)
			if (field_for_col[i] < 0)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("the query returns no key \"%s\"", NameStr(TupleDescAttr(tupdesc, i)->attname)),
						 errhint("Name the columns of the definition list like the RETURN keys, or list as many columns as the query returns.")));

	row_cxt = AllocSetContextCreate(CurrentMemoryContext, "neo4j_query row", ALLOCSET_SMALL_SIZES);
	while ((rc = neo4j_result_next(result, &record, &err)) == 1)
	{
		MemoryContextReset(row_cxt);
		old = MemoryContextSwitchTo(row_cxt);
		for (int i = 0; i < natts; i++)
			values[i] = neo4j_convert(&converters[i], &record->u.items[field_for_col[i]], &nulls[i]);
		MemoryContextSwitchTo(old);
		tuplestore_putvalues(rsinfo->setResult, tupdesc, values, nulls);
	}
	if (rc < 0)
		neo4j_xact_result_error(result, &err, cypher);
	neo4j_xact_close_result(result);
	MemoryContextDelete(row_cxt);
	PG_RETURN_VOID();
}

/* neo4j_query_jsonb(server, cypher, params): each record as {"key": value, ...}. */
Datum
neo4j_query_jsonb(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *cypher = text_to_cstring(PG_GETARG_TEXT_PP(1));
	neo4j_result *result;
	const neo4j_value *record;
	neo4j_error err;
	neo4j_map_entry *entries;
	size_t		nfields;
	int			rc;
	MemoryContext row_cxt, old;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	result = run_adhoc(text_to_cstring(PG_GETARG_TEXT_PP(0)), cypher, PG_GETARG_JSONB_P(2), false);
	nfields = neo4j_result_field_count(result);
	entries = palloc0(sizeof(neo4j_map_entry) * (nfields + 1));
	for (size_t f = 0; f < nfields; f++)
		entries[f].key = *neo4j_result_field_name(result, f);

	row_cxt = AllocSetContextCreate(CurrentMemoryContext, "neo4j_query row", ALLOCSET_SMALL_SIZES);
	while ((rc = neo4j_result_next(result, &record, &err)) == 1)
	{
		Datum		value;
		bool		isnull = false;
		neo4j_value map;

		MemoryContextReset(row_cxt);
		old = MemoryContextSwitchTo(row_cxt);
		for (size_t f = 0; f < nfields && f < record->size; f++)
			entries[f].value = record->u.items[f];
		map = neo4j_map(entries, nfields);
		value = JsonbPGetDatum(neo4j_value_to_jsonb(&map));
		MemoryContextSwitchTo(old);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
	}
	if (rc < 0)
		neo4j_xact_result_error(result, &err, cypher);
	neo4j_xact_close_result(result);
	MemoryContextDelete(row_cxt);
	PG_RETURN_VOID();
}

/* ------------------------------------------------------------------ neo4j_execute() */

PG_FUNCTION_INFO_V1(neo4j_execute);

/*
 * neo4j_execute(server, cypher, params): runs a writing statement in the
 * WRITE transaction of the user mapping; returns its counters.
 */
Datum
neo4j_execute(PG_FUNCTION_ARGS)
{
	char	   *cypher = text_to_cstring(PG_GETARG_TEXT_PP(1));
	neo4j_result *result;
	const neo4j_summary *summary;
	const neo4j_counters *c;
	neo4j_error err;
	StringInfoData json;

	result = run_adhoc(text_to_cstring(PG_GETARG_TEXT_PP(0)), cypher, PG_GETARG_JSONB_P(2), true);
	if (neo4j_result_consume(result, &err) < 0)
		neo4j_xact_result_error(result, &err, cypher);
	summary = neo4j_result_summary(result);
	initStringInfo(&json);
	if (summary)
	{
		c = &summary->counters;
		appendStringInfo(&json,
						 "{\"nodes_created\": " INT64_FORMAT ", \"nodes_deleted\": " INT64_FORMAT
						 ", \"relationships_created\": " INT64_FORMAT ", \"relationships_deleted\": " INT64_FORMAT
						 ", \"properties_set\": " INT64_FORMAT ", \"labels_added\": " INT64_FORMAT
						 ", \"labels_removed\": " INT64_FORMAT ", \"indexes_added\": " INT64_FORMAT
						 ", \"indexes_removed\": " INT64_FORMAT ", \"constraints_added\": " INT64_FORMAT
						 ", \"constraints_removed\": " INT64_FORMAT ", \"system_updates\": " INT64_FORMAT
						 ", \"contains_updates\": %s, \"contains_system_updates\": %s}",
						 c->nodes_created, c->nodes_deleted, c->relationships_created, c->relationships_deleted,
						 c->properties_set, c->labels_added, c->labels_removed, c->indexes_added,
						 c->indexes_removed, c->constraints_added, c->constraints_removed, c->system_updates,
						 c->contains_updates ? "true" : "false", c->contains_system_updates ? "true" : "false");
	}
	else
		appendStringInfoString(&json, "{}");
	neo4j_xact_close_result(result);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(json.data)));
}
