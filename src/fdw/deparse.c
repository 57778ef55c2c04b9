/*
 * deparse.c — builds the Cypher sent for label and relationship tables.
 *
 * Labels, types and property names are backtick-quoted; values never appear
 * in the text: they travel as Bolt parameters.
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "access/tupdesc.h"
#include "utils/rel.h"

#include "neo4j_fdw.h"
#include "deparse.h"

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

/*
 * MATCH ... [WHERE ...] RETURN <expr> AS `<column>`, ... for the columns in
 * attrs_used; fills *retrieved_attrs (attnums) and *retrieved_names (the
 * RETURN keys, String nodes) in the same order.
 */
void
neo4j_deparse_select(StringInfo buf, Relation rel, const Neo4jTableOptions *table, Bitmapset *attrs_used,
					 const char *where, const char *order_limit,
					 List **retrieved_attrs, List **retrieved_names)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	bool		first = true;

	*retrieved_attrs = NIL;
	*retrieved_names = NIL;
	neo4j_append_match(buf, table);
	if (where && where[0])
		appendStringInfo(buf, " WHERE %s", where);
	appendStringInfoString(buf, " RETURN ");
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);
		Neo4jColumnOptions col;

		if (attr->attisdropped ||
			!bms_is_member(attr->attnum - FirstLowInvalidHeapAttributeNumber, attrs_used))
			continue;
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
