/*
 * option.c — validation and lookup of neo4j_fdw options.
 *
 * Every option is checked at CREATE/ALTER time, with messages that name the
 * option and what it accepts, so that a bad setting never waits for the
 * first query to fail.
 */
#include "postgres.h"

#include <math.h>

#include "access/reloptions.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "catalog/pg_attribute.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/lsyscache.h"

#include "neo4j_fdw.h"
#include "uri.h"

typedef struct Neo4jOption
{
	const char *name;
	Oid			context;		/* catalog the option belongs to */
	const char *accepts;		/* for messages */
} Neo4jOption;

static const Neo4jOption valid_options[] = {
	{"url", ForeignServerRelationId, "a bolt://, bolt+s://, bolt+ssc://, neo4j://, neo4j+s:// or neo4j+ssc:// URL"},
	{"database", ForeignServerRelationId, "a database name"},
	{"fetch_size", ForeignServerRelationId, "a whole number from 1 to 1000000"},
	{"connect_timeout", ForeignServerRelationId, "seconds, a whole number from 1 to 3600"},
	{"ca_file", ForeignServerRelationId, "the path of a PEM file with trusted CA certificates"},
	{"user_agent", ForeignServerRelationId, "a user agent string"},
	{"causal_chaining", ForeignServerRelationId, "true or false"},
	{"keep_connections", ForeignServerRelationId, "true or false: keep connections open between transactions"},
	{"max_retry_time", ForeignServerRelationId, "seconds or an interval: how long a failed read may be retried; 0 = no retries"},
	{"retry_initial_delay", ForeignServerRelationId, "seconds or an interval: the wait before the first retry"},
	{"retry_delay_multiplier", ForeignServerRelationId, "a number from 1 to 10: each wait is this times the one before"},
	{"retry_delay_jitter", ForeignServerRelationId, "a number from 0 to 1: waits vary by up to this fraction"},
	{"max_connection_pool_size", ForeignServerRelationId, "a whole number from 1 to 10000: connections per server address in a backend"},
	{"connection_acquisition_timeout", ForeignServerRelationId, "seconds or an interval: how long getting a connection (routing, connect, TLS, login) may take; 0 = no limit"},
	{"max_connection_lifetime", ForeignServerRelationId, "seconds or an interval: older pooled connections are closed, not reused; 0 = no limit"},
	{"liveness_check_timeout", ForeignServerRelationId, "seconds or an interval: a connection idle that long is checked (RESET) before reuse; 0 = always"},
	{"tx_timeout", ForeignServerRelationId, "seconds (a number from 0 to 31536000) or an interval such as '30 s' or '5 min'; 0 = no timeout"},
	{"user", UserMappingRelationId, "a Neo4j user name"},
	{"password", UserMappingRelationId, "a password"},
	{"token", UserMappingRelationId, "a bearer token"},
	{"impersonate", UserMappingRelationId, "a Neo4j user name to impersonate"},
	{"password_required", UserMappingRelationId, "true or false (only a superuser may set false)"},
	{"label", ForeignTableRelationId, "a node label"},
	{"relationship", ForeignTableRelationId, "a relationship type"},
	{"query", ForeignTableRelationId, "a read-only Cypher query"},
	{"fetch_size", ForeignTableRelationId, "a whole number from 1 to 1000000"},
	{"property", AttributeRelationId, "a property name (or RETURN key for query tables)"},
	{"element_id", AttributeRelationId, "true or false"},
	{"start_element_id", AttributeRelationId, "true or false"},
	{"end_element_id", AttributeRelationId, "true or false"},
	{NULL, InvalidOid, NULL}
};

static const Neo4jOption *
find_option(const char *name, Oid context)
{
	for (const Neo4jOption *opt = valid_options; opt->name; opt++)
		if (opt->context == context && strcmp(opt->name, name) == 0)
			return opt;
	return NULL;
}

/* "url, database, ..." for the hint of an unknown option. */
static char *
options_for_context(Oid context)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (const Neo4jOption *opt = valid_options; opt->name; opt++)
		if (opt->context == context)
			appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "", opt->name);
	return buf.data;
}

static int
parse_int_option(DefElem *def, int min, int max, const char *accepts)
{
	char	   *value = defGetString(def);
	char	   *end;
	long		n;

	errno = 0;
	n = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || n < min || n > max)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"", def->defname, value),
				 errhint("Option \"%s\" accepts %s.", def->defname, accepts)));
	return (int) n;
}

static bool
parse_bool_option(DefElem *def)
{
	bool		result;

	if (!parse_bool(defGetString(def), &result))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"", def->defname, defGetString(def)),
				 errhint("Option \"%s\" accepts true or false.", def->defname)));
	return result;
}

/*
 * A duration option in milliseconds: seconds (a number) or an interval, from
 * 0 to a year. A month counts 30 days.
 */
static int64
parse_timeout_option(DefElem *def, const char *accepts)
{
	char	   *value = defGetString(def);
	char	   *end;
	double		seconds;
	bool		ok = true;

	errno = 0;
	seconds = strtod(value, &end);
	if (end == value || *end != '\0' || errno != 0)
	{
		/* not a number: an interval */
		MemoryContext cxt = CurrentMemoryContext;

		PG_TRY();
		{
			Interval   *iv = DatumGetIntervalP(DirectFunctionCall3(interval_in, CStringGetDatum(value),
																  ObjectIdGetDatum(InvalidOid),
																  Int32GetDatum(-1)));

			seconds = iv->time / (double) USECS_PER_SEC +
				(iv->day + (double) iv->month * DAYS_PER_MONTH) * SECS_PER_DAY;
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(cxt);
			FlushErrorState();
			ok = false;
		}
		PG_END_TRY();
	}
	if (!ok || isnan(seconds) || seconds < 0 || seconds > 365.0 * SECS_PER_DAY ||
		(seconds > 0 && seconds < 0.001))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"", def->defname, value),
				 errhint("Option \"%s\" accepts %s.", def->defname, accepts)));
	return (int64) (seconds * 1000.0 + 0.5);
}

static double
parse_float_option(DefElem *def, double min, double max, const char *accepts)
{
	char	   *value = defGetString(def);
	char	   *end;
	double		d;

	errno = 0;
	d = strtod(value, &end);
	if (errno != 0 || end == value || *end != '\0' || isnan(d) || d < min || d > max)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"", def->defname, value),
				 errhint("Option \"%s\" accepts %s.", def->defname, accepts)));
	return d;
}

static void
validate_url(DefElem *def)
{
	neo4j_uri	uri;
	neo4j_error err;

	if (neo4j_uri_parse(defGetString(def), &uri, &err) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"url\": %s", err.message),
				 errhint("Option \"url\" accepts %s.", find_option("url", ForeignServerRelationId)->accepts)));
	neo4j_uri_free(&uri);
}

static void
validate_nonempty(DefElem *def, const Neo4jOption *opt)
{
	if (defGetString(def)[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("option \"%s\" must not be empty", def->defname),
				 errhint("Option \"%s\" accepts %s.", def->defname, opt->accepts)));
}

PG_FUNCTION_INFO_V1(neo4j_fdw_validator);

/*
 * Checks the options of a server, user mapping, foreign table or column.
 * Called with the complete list after CREATE or ALTER.
 */
Datum
neo4j_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			catalog = PG_GETARG_OID(1);
	ListCell   *cell;
	int			table_kinds = 0;
	int			column_roles = 0;
	bool		has_url = false;

	foreach(cell, options)
	{
		DefElem    *def = (DefElem *) lfirst(cell);
		const Neo4jOption *opt = find_option(def->defname, catalog);

		if (!opt)
		{
			char	   *valid = options_for_context(catalog);

			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", def->defname),
					 valid[0] ? errhint("Valid options in this context are: %s.", valid)
					 : errhint("There are no valid options in this context.")));
		}

		if (strcmp(def->defname, "url") == 0)
		{
			validate_url(def);
			has_url = true;
		}
		else if (strcmp(def->defname, "fetch_size") == 0)
			(void) parse_int_option(def, 1, 1000000, opt->accepts);
		else if (strcmp(def->defname, "connect_timeout") == 0)
			(void) parse_int_option(def, 1, 3600, opt->accepts);
		else if (strcmp(def->defname, "max_connection_pool_size") == 0)
			(void) parse_int_option(def, 1, 10000, opt->accepts);
		else if (strcmp(def->defname, "causal_chaining") == 0 ||
				 strcmp(def->defname, "keep_connections") == 0)
			(void) parse_bool_option(def);
		else if (strcmp(def->defname, "tx_timeout") == 0 ||
				 strcmp(def->defname, "connection_acquisition_timeout") == 0 ||
				 strcmp(def->defname, "max_connection_lifetime") == 0 ||
				 strcmp(def->defname, "liveness_check_timeout") == 0 ||
				 strcmp(def->defname, "max_retry_time") == 0 ||
				 strcmp(def->defname, "retry_initial_delay") == 0)
			(void) parse_timeout_option(def, opt->accepts);
		else if (strcmp(def->defname, "retry_delay_multiplier") == 0)
			(void) parse_float_option(def, 1, 10, opt->accepts);
		else if (strcmp(def->defname, "retry_delay_jitter") == 0)
			(void) parse_float_option(def, 0, 1, opt->accepts);
		else if (strcmp(def->defname, "password_required") == 0)
		{
			if (!parse_bool_option(def) && !superuser())
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("password_required=false is superuser-only"),
						 errhint("User mappings with the password_required option set to false may only be created or modified by the superuser.")));
		}
		else if (strcmp(def->defname, "element_id") == 0 ||
				 strcmp(def->defname, "start_element_id") == 0 ||
				 strcmp(def->defname, "end_element_id") == 0)
		{
			if (parse_bool_option(def))
				column_roles++;
		}
		else if (strcmp(def->defname, "label") == 0 ||
				 strcmp(def->defname, "relationship") == 0 ||
				 strcmp(def->defname, "query") == 0)
		{
			validate_nonempty(def, opt);
			table_kinds++;
		}
		else if (strcmp(def->defname, "database") == 0 ||
				 strcmp(def->defname, "property") == 0 ||
				 strcmp(def->defname, "user") == 0)
			validate_nonempty(def, opt);
	}

	if (catalog == ForeignServerRelationId && !has_url)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("option \"url\" is required for a neo4j_fdw server"),
				 errhint("For example: OPTIONS (url 'neo4j://localhost:7687').")));
	if (catalog == ForeignTableRelationId && table_kinds != 1)
		ereport(ERROR,
				(errcode(table_kinds == 0 ? ERRCODE_FDW_OPTION_NAME_NOT_FOUND : ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("a neo4j_fdw foreign table needs exactly one of the options \"label\", \"relationship\" or \"query\""),
				 errhint("label 'Person' maps nodes, relationship 'ACTED_IN' maps relationships, query 'MATCH ... RETURN ...' maps the records of a read query.")));
	if (catalog == AttributeRelationId && column_roles > 1)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("a column can be only one of element_id, start_element_id and end_element_id")));

	PG_RETURN_VOID();
}

/* ------------------------------------------------------------------ lookups */

void
neo4j_get_server_options(ForeignServer *server, Neo4jServerOptions *opts)
{
	ListCell   *cell;

	memset(opts, 0, sizeof *opts);
	opts->fetch_size = NEO4J_DEFAULT_FETCH_SIZE;
	opts->connect_timeout_s = 30;
	opts->causal_chaining = true;
	opts->tx_timeout_ms = -1;
	opts->keep_connections = true;
	/* the official drivers' pool defaults */
	opts->max_connection_pool_size = 100;
	opts->connection_acquisition_timeout_ms = 60000;
	opts->max_connection_lifetime_ms = 3600 * 1000;
	opts->liveness_check_timeout_ms = -1;
	/* the official drivers' retry defaults */
	opts->max_retry_time_ms = 30000;
	opts->retry_initial_delay_ms = 1000;
	opts->retry_delay_multiplier = 2.0;
	opts->retry_delay_jitter = 0.2;
	foreach(cell, server->options)
	{
		DefElem    *def = (DefElem *) lfirst(cell);

		if (strcmp(def->defname, "url") == 0)
			opts->url = defGetString(def);
		else if (strcmp(def->defname, "database") == 0)
			opts->database = defGetString(def);
		else if (strcmp(def->defname, "fetch_size") == 0)
			opts->fetch_size = parse_int_option(def, 1, 1000000, "a whole number from 1 to 1000000");
		else if (strcmp(def->defname, "connect_timeout") == 0)
			opts->connect_timeout_s = parse_int_option(def, 1, 3600, "seconds");
		else if (strcmp(def->defname, "ca_file") == 0)
			opts->ca_file = defGetString(def);
		else if (strcmp(def->defname, "user_agent") == 0)
			opts->user_agent = defGetString(def);
		else if (strcmp(def->defname, "causal_chaining") == 0)
			opts->causal_chaining = defGetBoolean(def);
		else if (strcmp(def->defname, "keep_connections") == 0)
			opts->keep_connections = defGetBoolean(def);
		else if (strcmp(def->defname, "max_retry_time") == 0)
			opts->max_retry_time_ms = parse_timeout_option(def, "seconds or an interval");
		else if (strcmp(def->defname, "retry_initial_delay") == 0)
			opts->retry_initial_delay_ms = parse_timeout_option(def, "seconds or an interval");
		else if (strcmp(def->defname, "retry_delay_multiplier") == 0)
			opts->retry_delay_multiplier = parse_float_option(def, 1, 10, "a number from 1 to 10");
		else if (strcmp(def->defname, "retry_delay_jitter") == 0)
			opts->retry_delay_jitter = parse_float_option(def, 0, 1, "a number from 0 to 1");
		else if (strcmp(def->defname, "tx_timeout") == 0)
			opts->tx_timeout_ms = parse_timeout_option(def, "seconds or an interval");
		else if (strcmp(def->defname, "max_connection_pool_size") == 0)
			opts->max_connection_pool_size = parse_int_option(def, 1, 10000, "a whole number from 1 to 10000");
		else if (strcmp(def->defname, "connection_acquisition_timeout") == 0)
			opts->connection_acquisition_timeout_ms = parse_timeout_option(def, "seconds or an interval");
		else if (strcmp(def->defname, "max_connection_lifetime") == 0)
			opts->max_connection_lifetime_ms = parse_timeout_option(def, "seconds or an interval");
		else if (strcmp(def->defname, "liveness_check_timeout") == 0)
			opts->liveness_check_timeout_ms = parse_timeout_option(def, "seconds or an interval");
	}
}

void
neo4j_get_user_options(UserMapping *user, Neo4jUserOptions *opts)
{
	ListCell   *cell;

	memset(opts, 0, sizeof *opts);
	opts->password_required = true;
	foreach(cell, user->options)
	{
		DefElem    *def = (DefElem *) lfirst(cell);

		if (strcmp(def->defname, "user") == 0)
			opts->user = defGetString(def);
		else if (strcmp(def->defname, "password") == 0)
			opts->password = defGetString(def);
		else if (strcmp(def->defname, "token") == 0)
			opts->token = defGetString(def);
		else if (strcmp(def->defname, "impersonate") == 0)
			opts->impersonate = defGetString(def);
		else if (strcmp(def->defname, "password_required") == 0)
			opts->password_required = defGetBoolean(def);
	}
}

void
neo4j_get_table_options(Oid relid, Neo4jTableOptions *opts)
{
	ForeignTable *table = GetForeignTable(relid);
	ListCell   *cell;

	memset(opts, 0, sizeof *opts);
	foreach(cell, table->options)
	{
		DefElem    *def = (DefElem *) lfirst(cell);

		if (strcmp(def->defname, "label") == 0)
		{
			opts->kind = NEO4J_TABLE_LABEL;
			opts->name = defGetString(def);
		}
		else if (strcmp(def->defname, "relationship") == 0)
		{
			opts->kind = NEO4J_TABLE_RELATIONSHIP;
			opts->name = defGetString(def);
		}
		else if (strcmp(def->defname, "query") == 0)
		{
			opts->kind = NEO4J_TABLE_QUERY;
			opts->name = defGetString(def);
		}
		else if (strcmp(def->defname, "fetch_size") == 0)
			opts->fetch_size = parse_int_option(def, 1, 1000000, "a whole number from 1 to 1000000");
	}
}

void
neo4j_get_column_options(Oid relid, AttrNumber attnum, Neo4jColumnOptions *opts)
{
	ListCell   *cell;

	memset(opts, 0, sizeof *opts);
	opts->role = NEO4J_COLUMN_PROPERTY;
	foreach(cell, GetForeignColumnOptions(relid, attnum))
	{
		DefElem    *def = (DefElem *) lfirst(cell);

		if (strcmp(def->defname, "property") == 0)
			opts->property = defGetString(def);
		else if (strcmp(def->defname, "element_id") == 0 && defGetBoolean(def))
			opts->role = NEO4J_COLUMN_ELEMENT_ID;
		else if (strcmp(def->defname, "start_element_id") == 0 && defGetBoolean(def))
			opts->role = NEO4J_COLUMN_START_ELEMENT_ID;
		else if (strcmp(def->defname, "end_element_id") == 0 && defGetBoolean(def))
			opts->role = NEO4J_COLUMN_END_ELEMENT_ID;
	}
	if (!opts->property)
		opts->property = get_attname(relid, attnum, false);
}
