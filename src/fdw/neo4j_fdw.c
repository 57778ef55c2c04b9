/*
 * neo4j_fdw.c — the foreign data wrapper handler: planning and executing
 * scans of label, relationship and query tables, and the neo4j_query()
 * functions.
 */
#include "postgres.h"

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
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

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
	FdwScanFetchSize			/* Integer */
};

/* Planner state of one foreign relation. */
typedef struct Neo4jRelInfo
{
	Neo4jTableOptions table;
	Bitmapset  *attrs_used;
	int			fetch_size;
} Neo4jRelInfo;

/* Executor state of one scan. */
typedef struct Neo4jScanState
{
	char	   *cypher;
	List	   *retrieved_attrs;
	List	   *retrieved_names;
	int			fetch_size;
	UserMapping *user;
	neo4j_session *session;
	neo4j_result *result;
	int		   *field_for_attr;		/* per retrieved attr: index in the record */
	Neo4jConverter *converters;		/* per retrieved attr */
	MemoryContext row_cxt;			/* reset for every row */
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

static void
neo4jGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	Neo4jRelInfo *info = palloc0(sizeof(Neo4jRelInfo));
	ListCell   *lc;

	neo4j_get_table_options(foreigntableid, &info->table);
	info->fetch_size = fetch_size_for(foreigntableid, &info->table);

	/* the columns the query needs: its output and its conditions */
	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid, &info->attrs_used);
	foreach(lc, baserel->baserestrictinfo)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		pull_varattnos((Node *) rinfo->clause, baserel->relid, &info->attrs_used);
	}
	baserel->fdw_private = info;

	/* ANALYZE's count when there is one, a modest guess otherwise */
	if (baserel->tuples < 0)
		baserel->tuples = 1000;
	baserel->rows = clamp_row_est(baserel->tuples *
								  clauselist_selectivity(root, baserel->baserestrictinfo, 0, JOIN_INNER, NULL));
}

static void
neo4jGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	/* a round trip to start, then a small cost per row on the wire */
	Cost		startup_cost = 100.0;
	Cost		total_cost = startup_cost + baserel->tuples * 0.01 + baserel->rows * cpu_tuple_cost;

	add_path(baserel, (Path *) create_foreignscan_path(root, baserel, NULL, baserel->rows, startup_cost,
													   total_cost, NIL, baserel->lateral_relids, NULL, NIL));
}

/* The RETURN keys of a query table: every column, by its property option or name. */
static void
query_table_columns(Relation rel, Bitmapset *attrs_used, List **attrs, List **names)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);

	*attrs = NIL;
	*names = NIL;
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);
		Neo4jColumnOptions col;

		if (attr->attisdropped ||
			!bms_is_member(attr->attnum - FirstLowInvalidHeapAttributeNumber, attrs_used))
			continue;
		neo4j_get_column_options(RelationGetRelid(rel), attr->attnum, &col);
		*attrs = lappend_int(*attrs, attr->attnum);
		*names = lappend(*names, makeString(col.property));
	}
}

static ForeignScan *
neo4jGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid, ForeignPath *best_path,
					List *tlist, List *scan_clauses, Plan *outer_plan)
{
	Neo4jRelInfo *info = (Neo4jRelInfo *) baserel->fdw_private;
	RangeTblEntry *rte = planner_rt_fetch(baserel->relid, root);
	Relation	rel = table_open(rte->relid, NoLock);
	StringInfoData cypher;
	List	   *attrs, *names;
	List	   *local_exprs = extract_actual_clauses(scan_clauses, false);

	initStringInfo(&cypher);
	if (info->table.kind == NEO4J_TABLE_QUERY)
	{
		appendStringInfoString(&cypher, info->table.name);
		query_table_columns(rel, info->attrs_used, &attrs, &names);
	}
	else
		neo4j_deparse_select(&cypher, rel, &info->table, info->attrs_used, NULL, NULL, &attrs, &names);
	table_close(rel, NoLock);

	return make_foreignscan(tlist, local_exprs, baserel->relid, NIL,
							list_make4(makeString(cypher.data), attrs, names, makeInteger(info->fetch_size)),
							NIL, NIL, outer_plan);
}

/* ------------------------------------------------------------------ execution */

/* Maps each retrieved attribute to its position in the record, by RETURN key. */
static void
bind_fields(Neo4jScanState *state, const char *relname)
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
					 errmsg("the Cypher query of foreign table \"%s\" returns no key \"%s\"", relname, name),
					 errdetail("It returns: %s.", keys.len ? keys.data : "nothing"),
					 errhint("Name the column like a RETURN key, or map it with the column option \"property\".")));
		}
		state->field_for_attr[i++] = found;
	}
}

static void
neo4jBeginForeignScan(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	RangeTblEntry *rte = exec_rt_fetch(fsplan->scan.scanrelid, estate);
	Oid			userid = OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
	ForeignTable *table = GetForeignTable(rte->relid);
	TupleDesc	tupdesc = RelationGetDescr(node->ss.ss_currentRelation);
	Neo4jScanState *state = palloc0(sizeof(Neo4jScanState));
	ListCell   *lc;
	int			i = 0;

	node->fdw_state = state;
	state->cypher = strVal(list_nth(fsplan->fdw_private, FdwScanCypher));
	state->retrieved_attrs = (List *) list_nth(fsplan->fdw_private, FdwScanRetrievedAttrs);
	state->retrieved_names = (List *) list_nth(fsplan->fdw_private, FdwScanRetrievedNames);
	state->fetch_size = intVal(list_nth(fsplan->fdw_private, FdwScanFetchSize));
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;

	state->user = GetUserMapping(userid, table->serverid);
	state->field_for_attr = palloc0(sizeof(int) * (list_length(state->retrieved_attrs) + 1));
	state->converters = palloc0(sizeof(Neo4jConverter) * (list_length(state->retrieved_attrs) + 1));
	foreach(lc, state->retrieved_attrs)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, lfirst_int(lc) - 1);

		neo4j_converter_init(&state->converters[i++], attr->atttypid, attr->atttypmod,
							 NameStr(attr->attname), CurrentMemoryContext);
	}
	state->row_cxt = AllocSetContextCreate(estate->es_query_cxt, "neo4j_fdw row", ALLOCSET_SMALL_SIZES);
}

static void
start_query(ForeignScanState *node, Neo4jScanState *state)
{
	neo4j_error err;

	if (!state->session)
		state->session = neo4j_open_session(state->user, state->fetch_size, NEO4J_ACCESS_READ);
	state->result = neo4j_session_run(state->session, state->cypher, NULL, NULL, &err);
	if (!state->result)
		neo4j_report_error(&err, state->cypher);
	bind_fields(state, RelationGetRelationName(node->ss.ss_currentRelation));
}

static TupleTableSlot *
neo4jIterateForeignScan(ForeignScanState *node)
{
	Neo4jScanState *state = (Neo4jScanState *) node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	const neo4j_value *record;
	neo4j_error err;
	MemoryContext old;
	ListCell   *lc;
	int			rc, i = 0;

	if (!state->result)
		start_query(node, state);
	ExecClearTuple(slot);
	MemoryContextReset(state->row_cxt);
	rc = neo4j_result_next(state->result, &record, &err);
	if (rc < 0)
		neo4j_report_error(&err, state->cypher);
	if (rc == 0)
		return slot;

	old = MemoryContextSwitchTo(state->row_cxt);
	memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	foreach(lc, state->retrieved_attrs)
	{
		int			attno = lfirst_int(lc) - 1;

		slot->tts_values[attno] = neo4j_convert(&state->converters[i],
												&record->u.items[state->field_for_attr[i]],
												&slot->tts_isnull[attno]);
		i++;
	}
	MemoryContextSwitchTo(old);
	return ExecStoreVirtualTuple(slot);
}

static void
close_result(Neo4jScanState *state)
{
	if (state->result)
	{
		neo4j_result_close(state->result);
		state->result = NULL;
	}
}

static void
neo4jReScanForeignScan(ForeignScanState *node)
{
	/* the query runs again on the next fetch; the session (and connection) is kept */
	close_result((Neo4jScanState *) node->fdw_state);
}

static void
neo4jEndForeignScan(ForeignScanState *node)
{
	Neo4jScanState *state = (Neo4jScanState *) node->fdw_state;

	if (!state)
		return;
	close_result(state);
	if (state->session)
	{
		neo4j_close_session(state->session);
		state->session = NULL;
	}
}

static void
neo4jExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	Neo4jScanState *state = (Neo4jScanState *) node->fdw_state;

	ExplainPropertyText("Cypher", state->cypher, es);
	if (es->verbose)
		ExplainPropertyInteger("Fetch Size", NULL, state->fetch_size, es);
}

/* ------------------------------------------------------------------ ANALYZE */

static int
acquire_sample_rows(Relation relation, int elevel, HeapTuple *rows, int targrows,
					double *totalrows, double *totaldeadrows);

static bool
neo4jAnalyzeForeignTable(Relation relation, AcquireSampleRowsFunc *func, BlockNumber *totalpages)
{
	*func = acquire_sample_rows;
	*totalpages = 1;
	return true;
}

/*
 * Label and relationship tables count their rows with a cheap count() and
 * sample the first targrows rows; query tables read everything.
 */
static int
acquire_sample_rows(Relation relation, int elevel, HeapTuple *rows, int targrows,
					double *totalrows, double *totaldeadrows)
{
	Oid			relid = RelationGetRelid(relation);
	ForeignTable *table = GetForeignTable(relid);
	UserMapping *user = GetUserMapping(relation->rd_rel->relowner, table->serverid);
	TupleDesc	tupdesc = RelationGetDescr(relation);
	Neo4jTableOptions topts;
	neo4j_session *session;
	neo4j_result *result;
	neo4j_error err;
	const neo4j_value *record;
	StringInfoData cypher;
	Bitmapset  *all = NULL;
	List	   *attrs, *names;
	Neo4jScanState state = {0};
	Datum	   *values = palloc(sizeof(Datum) * tupdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * tupdesc->natts);
	int			n = 0, rc;
	double		counted = -1;

	neo4j_get_table_options(relid, &topts);
	for (int i = 0; i < tupdesc->natts; i++)
		if (!TupleDescAttr(tupdesc, i)->attisdropped)
			all = bms_add_member(all, i + 1 - FirstLowInvalidHeapAttributeNumber);
	session = neo4j_open_session(user, fetch_size_for(relid, &topts), NEO4J_ACCESS_READ);

	initStringInfo(&cypher);
	if (topts.kind != NEO4J_TABLE_QUERY)
	{
		neo4j_append_match(&cypher, &topts);
		appendStringInfo(&cypher, " RETURN count(%s) AS `count`", neo4j_row_variable(topts.kind));
		result = neo4j_session_run(session, cypher.data, NULL, NULL, &err);
		if (!result)
			neo4j_report_error(&err, cypher.data);
		rc = neo4j_result_next(result, &record, &err);
		if (rc < 0)
			neo4j_report_error(&err, cypher.data);
		if (rc == 1 && record->size == 1 && record->u.items[0].type == NEO4J_INT)
			counted = (double) record->u.items[0].u.integer;
		neo4j_result_close(result);
		resetStringInfo(&cypher);
		neo4j_deparse_select(&cypher, relation, &topts, all, NULL, "LIMIT $limit", &attrs, &names);
	}
	else
	{
		appendStringInfoString(&cypher, topts.name);
		query_table_columns(relation, all, &attrs, &names);
	}

	state.cypher = cypher.data;
	state.retrieved_attrs = attrs;
	state.retrieved_names = names;
	state.session = session;
	state.field_for_attr = palloc0(sizeof(int) * (list_length(attrs) + 1));
	state.converters = palloc0(sizeof(Neo4jConverter) * (list_length(attrs) + 1));
	{
		ListCell   *lc;
		int			i = 0;
		neo4j_map_entry limit_entry = {neo4j_string("limit"), neo4j_int(targrows)};
		neo4j_value params = neo4j_map(&limit_entry, 1);

		foreach(lc, attrs)
		{
			Form_pg_attribute attr = TupleDescAttr(tupdesc, lfirst_int(lc) - 1);

			neo4j_converter_init(&state.converters[i++], attr->atttypid, attr->atttypmod,
								 NameStr(attr->attname), CurrentMemoryContext);
		}
		state.result = neo4j_session_run(session, state.cypher,
										 topts.kind != NEO4J_TABLE_QUERY ? &params : NULL, NULL, &err);
		if (!state.result)
			neo4j_report_error(&err, state.cypher);
	}
	{
		size_t		nfields = neo4j_result_field_count(state.result);
		ListCell   *lc;
		int			i = 0;

		foreach(lc, names)
		{
			state.field_for_attr[i] = -1;
			for (size_t f = 0; f < nfields; f++)
				if (neo4j_string_equals(neo4j_result_field_name(state.result, f), strVal(lfirst(lc))))
					state.field_for_attr[i] = (int) f;
			i++;
		}
	}

	while ((rc = neo4j_result_next(state.result, &record, &err)) == 1)
	{
		ListCell   *lc;
		int			i = 0;

		vacuum_delay_point();
		if (n >= targrows)
			continue;			/* query tables: read on to count */
		memset(nulls, true, sizeof(bool) * tupdesc->natts);
		foreach(lc, attrs)
		{
			int			attno = lfirst_int(lc) - 1;

			if (state.field_for_attr[i] >= 0)
				values[attno] = neo4j_convert(&state.converters[i], &record->u.items[state.field_for_attr[i]],
											  &nulls[attno]);
			i++;
		}
		rows[n++] = heap_form_tuple(tupdesc, values, nulls);
		if (counted < 0)
			continue;
	}
	if (rc < 0)
		neo4j_report_error(&err, state.cypher);
	if (counted < 0)
		counted = n;
	neo4j_result_close(state.result);
	neo4j_close_session(session);

	*totalrows = counted;
	*totaldeadrows = 0;
	ereport(elevel,
			(errmsg("\"%s\": table contains %.0f rows, %d rows in sample",
					RelationGetRelationName(relation), counted, n)));
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
	routine->BeginForeignScan = neo4jBeginForeignScan;
	routine->IterateForeignScan = neo4jIterateForeignScan;
	routine->ReScanForeignScan = neo4jReScanForeignScan;
	routine->EndForeignScan = neo4jEndForeignScan;
	routine->ExplainForeignScan = neo4jExplainForeignScan;
	routine->AnalyzeForeignTable = neo4jAnalyzeForeignTable;
	PG_RETURN_POINTER(routine);
}

/* ------------------------------------------------------------------ neo4j_query() */

/* Runs cypher on the named server for the current user; params is a jsonb object. */
static neo4j_result *
run_adhoc(const char *server_name, const char *cypher, Jsonb *params_json, neo4j_session **session)
{
	ForeignServer *server = neo4j_server_by_name(server_name);
	UserMapping *user = GetUserMapping(GetUserId(), server->serverid);
	neo4j_value params;
	neo4j_result *result;
	neo4j_error err;

	if (!JB_ROOT_IS_OBJECT(params_json))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the parameters of neo4j_query must be a jsonb object"),
				 errhint("For example: '{\"year\": 2000}'.")));
	neo4j_jsonb_to_value(params_json, &params);
	*session = neo4j_open_session(user, 0, NEO4J_ACCESS_WRITE);
	result = neo4j_session_run(*session, cypher, &params, NULL, &err);
	if (!result)
		neo4j_report_error(&err, cypher);
	return result;
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
	neo4j_session *session;
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
	result = run_adhoc(text_to_cstring(PG_GETARG_TEXT_PP(0)), cypher, PG_GETARG_JSONB_P(2), &session);

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
		neo4j_report_error(&err, cypher);
	neo4j_result_close(result);
	neo4j_close_session(session);
	MemoryContextDelete(row_cxt);
	PG_RETURN_VOID();
}

/* neo4j_query_jsonb(server, cypher, params): each record as {"key": value, ...}. */
Datum
neo4j_query_jsonb(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *cypher = text_to_cstring(PG_GETARG_TEXT_PP(1));
	neo4j_session *session;
	neo4j_result *result;
	const neo4j_value *record;
	neo4j_error err;
	neo4j_map_entry *entries;
	size_t		nfields;
	int			rc;
	MemoryContext row_cxt, old;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	result = run_adhoc(text_to_cstring(PG_GETARG_TEXT_PP(0)), cypher, PG_GETARG_JSONB_P(2), &session);
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
		neo4j_report_error(&err, cypher);
	neo4j_result_close(result);
	neo4j_close_session(session);
	MemoryContextDelete(row_cxt);
	PG_RETURN_VOID();
}
