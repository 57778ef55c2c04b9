/*
 * deparse.h — Cypher generation for label and relationship tables.
 */
#ifndef NEO4J_FDW_DEPARSE_H
#define NEO4J_FDW_DEPARSE_H

#include "neo4j_fdw.h"

extern const char *neo4j_row_variable(Neo4jTableKind kind);
extern void neo4j_append_column_expr(StringInfo buf, Neo4jTableKind kind, const Neo4jColumnOptions *col);
extern void neo4j_append_match(StringInfo buf, const Neo4jTableOptions *table);
extern void neo4j_deparse_select(StringInfo buf, Relation rel, const Neo4jTableOptions *table,
								 Bitmapset *attrs_used, const char *where, const char *order_limit,
								 List **retrieved_attrs, List **retrieved_names);

#endif
