/*
 * neo4j_fdw.h — shared declarations of the Postgres side of neo4j_fdw.
 */
#ifndef NEO4J_FDW_H
#define NEO4J_FDW_H

#include "postgres.h"

#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "nodes/pathnodes.h"
#include "utils/relcache.h"

#include "neo4j.h"

#define NEO4J_DEFAULT_FETCH_SIZE 1000

/* ------------------------------------------------------------------ option.c */

typedef enum Neo4jTableKind
{
	NEO4J_TABLE_LABEL,			/* rows are nodes with a label */
	NEO4J_TABLE_RELATIONSHIP,	/* rows are relationships of a type */
	NEO4J_TABLE_QUERY			/* rows are the records of a read query */
} Neo4jTableKind;

typedef enum Neo4jColumnRole
{
	NEO4J_COLUMN_PROPERTY,		/* a property, or a RETURN key of a query table */
	NEO4J_COLUMN_ELEMENT_ID,
	NEO4J_COLUMN_START_ELEMENT_ID,
	NEO4J_COLUMN_END_ELEMENT_ID
} Neo4jColumnRole;

typedef struct Neo4jServerOptions
{
	char	   *url;
	char	   *database;		/* NULL = the user's home database */
	int			fetch_size;
	int			connect_timeout_s;
	char	   *ca_file;
	char	   *user_agent;
	bool		causal_chaining;	/* bookmarks chain this backend's transactions */
	int64		tx_timeout_ms;	/* -1 = the server's */
	bool		keep_connections;	/* false: close them at transaction end */
	int			max_connection_pool_size;	/* per address */
	int64		connection_acquisition_timeout_ms;	/* 0 = no limit */
	int64		max_connection_lifetime_ms; /* 0 = no limit */
	int64		liveness_check_timeout_ms;	/* -1 = never check */
	int64		max_retry_time_ms;	/* budget for retrying a failed read; 0 = none */
	int64		retry_initial_delay_ms;
	double		retry_delay_multiplier;
	double		retry_delay_jitter;	/* fraction, e.g. 0.2 = +-20 % */
} Neo4jServerOptions;

typedef struct Neo4jUserOptions
{
	char	   *user;
	char	   *password;
	char	   *token;			/* bearer token */
	char	   *impersonate;
	bool		password_required;
} Neo4jUserOptions;

typedef struct Neo4jTableOptions
{
	Neo4jTableKind kind;
	char	   *name;			/* label, relationship type or query text */
	int			fetch_size;		/* 0 = the server's */
} Neo4jTableOptions;

typedef struct Neo4jColumnOptions
{
	Neo4jColumnRole role;
	char	   *property;		/* property / RETURN key; the column name by default */
} Neo4jColumnOptions;

extern void neo4j_get_server_options(ForeignServer *server, Neo4jServerOptions *opts);
extern void neo4j_get_user_options(UserMapping *user, Neo4jUserOptions *opts);
extern void neo4j_get_table_options(Oid relid, Neo4jTableOptions *opts);
extern void neo4j_get_column_options(Oid relid, AttrNumber attnum, Neo4jColumnOptions *opts);

/* ------------------------------------------------------------------ connection.c */

/* The driver (and its pooled connection) for a user mapping, cached per backend. */
extern neo4j_driver *neo4j_get_driver(UserMapping *user);
/*
 * Runs cypher in the Neo4j transaction of the user mapping in the current
 * Postgres transaction, begun here on first use (READ; WRITE for write);
 * fetch_size is records per batch for this result (0: the server's).
 * committed before the Postgres commit, rolled back on abort. The result
 * stays registered until neo4j_xact_close_result().
 */
extern neo4j_result *neo4j_xact_run(UserMapping *user, const char *cypher, const neo4j_value *params,
									int fetch_size, bool write);
extern void neo4j_xact_close_result(neo4j_result *result);
/* neo4j_report_error() for an error of a result from neo4j_xact_run(). */
extern void neo4j_xact_result_error(neo4j_result *result, const neo4j_error *err,
									const char *cypher) pg_attribute_noreturn();
/* ereport(ERROR) for a driver error, with a fitting SQLSTATE and the Neo4j code in DETAIL. */
extern void neo4j_report_error(const neo4j_error *err, const char *cypher) pg_attribute_noreturn();
extern ForeignServer *neo4j_server_by_name(const char *name);

/* ------------------------------------------------------------------ deparse.c */

/* Backtick-quotes an identifier for Cypher (backticks doubled). */
extern void neo4j_append_identifier(StringInfo buf, const char *name);

#endif
