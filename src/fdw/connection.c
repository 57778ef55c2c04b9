/*
 * connection.c — the per-backend cache of drivers (one per user mapping),
 * sessions opened on them, their cleanup at transaction end, error reporting
 * and the SQL functions that show or drop connections.
 *
 * A driver owns its pooled Bolt connections (malloc'd memory, not a Postgres
 * memory context), so they outlive statements and transactions. Entries are
 * invalidated when the server or the user mapping changes and dropped when
 * next looked up.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_user_mapping.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "neo4j_fdw.h"

typedef struct ConnCacheEntry
{
	Oid			key;			/* user mapping OID (hash key) */
	Oid			serverid;
	Oid			userid;			/* InvalidOid for PUBLIC */
	neo4j_driver *driver;
	int			open_sessions;	/* sessions not closed yet */
	bool		invalidated;	/* options changed: drop when not in use */
	uint32		server_hashvalue;
	uint32		mapping_hashvalue;
} ConnCacheEntry;

/* A session opened by a scan or a function, closed at the latest at transaction end. */
typedef struct OpenSession
{
	neo4j_session *session;
	ConnCacheEntry *entry;
	int			nest_level;		/* subtransaction that opened it */
	struct OpenSession *next;
} OpenSession;

static HTAB *connection_cache = NULL;
static OpenSession *open_sessions = NULL;	/* in TopMemoryContext */

static void invalidate_callback(Datum arg, int cacheid, uint32 hashvalue);
static void xact_callback(XactEvent event, void *arg);
static void subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							 SubTransactionId parentSubid, void *arg);

/* ------------------------------------------------------------------ errors */

static int
sqlstate_for(const neo4j_error *err)
{
	const char *code = err->code;

	if (strcmp(code, NEO4J_CODE_TLS) == 0)
		return ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION;
	if (strcmp(code, NEO4J_CODE_INVALID_URI) == 0 || strcmp(code, NEO4J_CODE_INVALID_ARGUMENT) == 0)
		return ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE;
	if (strcmp(code, NEO4J_CODE_OUT_OF_MEMORY) == 0)
		return ERRCODE_OUT_OF_MEMORY;
	if (neo4j_error_is_authentication(err) ||
		strcmp(code, "Neo.ClientError.Security.CredentialsExpired") == 0 ||
		strcmp(code, "Neo.ClientError.Security.TokenExpired") == 0)
		return ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
	if (strncmp(code, "Neo.ClientError.Security.", 25) == 0)
		return ERRCODE_INSUFFICIENT_PRIVILEGE;
	if (neo4j_error_is_database_not_found(err))
		return ERRCODE_INVALID_CATALOG_NAME;
	if (neo4j_error_is_syntax(err))
		return ERRCODE_SYNTAX_ERROR;
	if (strcmp(code, "Neo.ClientError.Statement.SemanticError") == 0)
		return ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION;
	if (strcmp(code, "Neo.ClientError.Statement.ParameterMissing") == 0)
		return ERRCODE_UNDEFINED_PARAMETER;
	if (strcmp(code, "Neo.ClientError.Statement.ArithmeticError") == 0 ||
		strcmp(code, "Neo.ClientError.Statement.TypeError") == 0 ||
		strcmp(code, "Neo.ClientError.Statement.ArgumentError") == 0)
		return ERRCODE_DATA_EXCEPTION;
	if (strcmp(code, "Neo.ClientError.Schema.ConstraintValidationFailed") == 0)
		return ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION;
	if (strcmp(code, "Neo.ClientError.Transaction.TransactionTimedOut") == 0 ||
		strcmp(code, "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration") == 0)
		return ERRCODE_QUERY_CANCELED;
	if (strcmp(code, "Neo.TransientError.Transaction.DeadlockDetected") == 0)
		return ERRCODE_T_R_DEADLOCK_DETECTED;
	if (strcmp(code, "Neo.TransientError.General.DatabaseUnavailable") == 0)
		return ERRCODE_CANNOT_CONNECT_NOW;

	switch (err->category)
	{
		case NEO4J_ERROR_CONNECTIVITY:
			return ERRCODE_CONNECTION_FAILURE;
		case NEO4J_ERROR_PROTOCOL:
			return ERRCODE_PROTOCOL_VIOLATION;
		case NEO4J_ERROR_SECURITY:
			return ERRCODE_INSUFFICIENT_PRIVILEGE;
		case NEO4J_ERROR_TRANSIENT:
			return ERRCODE_T_R_SERIALIZATION_FAILURE;
		default:
			return ERRCODE_FDW_ERROR;
	}
}

void
neo4j_report_error(const neo4j_error *err, const char *cypher)
{
	ereport(ERROR,
			(errcode(sqlstate_for(err)),
			 errmsg("Neo4j: %s", err->message[0] ? err->message : "unknown error"),
			 err->gql_status[0]
			 ? errdetail("Neo4j code: %s, GQLSTATUS %s.", err->code, err->gql_status)
			 : errdetail("Neo4j code: %s.", err->code),
			 cypher ? errcontext("Cypher query: %s", cypher) : 0));
}

/* ------------------------------------------------------------------ the cache */

static void
init_cache(void)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(ConnCacheEntry);
	connection_cache = hash_create("neo4j_fdw connections", 8, &ctl, HASH_ELEM | HASH_BLOBS);
	CacheRegisterSyscacheCallback(FOREIGNSERVEROID, invalidate_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(USERMAPPINGOID, invalidate_callback, (Datum) 0);
	RegisterXactCallback(xact_callback, NULL);
	RegisterSubXactCallback(subxact_callback, NULL);
}

static void
close_entry(ConnCacheEntry *entry)
{
	if (entry->driver)
	{
		elog(DEBUG2, "neo4j_fdw: closing connections of user mapping %u", entry->key);
		neo4j_driver_close(entry->driver);
		entry->driver = NULL;
	}
}

/* Driver log lines go to the server log at debug levels (never as errors). */
static void
log_to_postgres(void *ctx, neo4j_log_level level, const char *message)
{
	static const int levels[] = {DEBUG1, DEBUG1, DEBUG2, DEBUG3, DEBUG5};

	elog(levels[level], "neo4j_fdw: %s", message);
}

static neo4j_driver *
create_driver(UserMapping *user, ForeignServer *server)
{
	Neo4jServerOptions sopts;
	Neo4jUserOptions uopts;
	neo4j_config config;
	neo4j_auth	auth;
	neo4j_error err;
	neo4j_driver *driver;
	char		user_agent[128];

	neo4j_get_server_options(server, &sopts);
	neo4j_get_user_options(user, &uopts);

	/* as in postgres_fdw: non-superusers must bring credentials of their own */
	if (!superuser_arg(user->userid) && uopts.password_required && !uopts.password && !uopts.token)
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("password or token is required"),
				 errdetail("Non-superusers must provide a password or a token in the user mapping.")));

	if (uopts.token)
		auth = neo4j_auth_bearer(uopts.token);
	else if (uopts.user)
		auth = neo4j_auth_basic(uopts.user, uopts.password ? uopts.password : "", NULL);
	else
		auth = neo4j_auth_none();

	neo4j_config_init(&config);
	snprintf(user_agent, sizeof user_agent, "neo4j_fdw/%s (PostgreSQL %s)", NEO4J_DRIVER_VERSION, PG_VERSION);
	config.user_agent = sopts.user_agent ? sopts.user_agent : user_agent;
	config.connect_timeout_ms = sopts.connect_timeout_s * 1000;
	config.fetch_size = sopts.fetch_size;
	config.ca_file = sopts.ca_file;
	config.log = log_to_postgres;
	config.log_level = message_level_is_interesting(DEBUG5) ? NEO4J_LOG_TRACE
		: message_level_is_interesting(DEBUG3) ? NEO4J_LOG_DEBUG : NEO4J_LOG_INFO;

	driver = neo4j_driver_new(sopts.url, &auth, &config, &err);
	if (!driver)
		neo4j_report_error(&err, NULL);
	return driver;
}

static ConnCacheEntry *
get_entry(UserMapping *user)
{
	ConnCacheEntry *entry;
	bool		found;

	if (!connection_cache)
		init_cache();
	entry = hash_search(connection_cache, &user->umid, HASH_ENTER, &found);
	if (!found)
	{
		entry->driver = NULL;
		entry->open_sessions = 0;
		entry->invalidated = false;
	}
	if (entry->driver && entry->invalidated && entry->open_sessions == 0)
		close_entry(entry);
	if (!entry->driver)
	{
		ForeignServer *server = GetForeignServer(user->serverid);

		entry->serverid = user->serverid;
		entry->userid = user->userid;
		entry->invalidated = false;
		entry->server_hashvalue = GetSysCacheHashValue1(FOREIGNSERVEROID, ObjectIdGetDatum(server->serverid));
		entry->mapping_hashvalue = GetSysCacheHashValue1(USERMAPPINGOID, ObjectIdGetDatum(user->umid));
		entry->driver = create_driver(user, server);
	}
	return entry;
}

neo4j_driver *
neo4j_get_driver(UserMapping *user)
{
	return get_entry(user)->driver;
}

neo4j_session *
neo4j_open_session(UserMapping *user, int fetch_size, neo4j_access_mode mode)
{
	ConnCacheEntry *entry = get_entry(user);
	Neo4jServerOptions sopts;
	Neo4jUserOptions uopts;
	neo4j_session_config cfg = {0};
	neo4j_error err;
	OpenSession *open;

	neo4j_get_server_options(GetForeignServer(user->serverid), &sopts);
	neo4j_get_user_options(user, &uopts);
	cfg.database = sopts.database;
	cfg.impersonated_user = uopts.impersonate;
	cfg.access_mode = mode;
	cfg.fetch_size = fetch_size > 0 ? fetch_size : sopts.fetch_size;

	open = MemoryContextAlloc(TopMemoryContext, sizeof(OpenSession));
	open->session = neo4j_session_open(entry->driver, &cfg, &err);
	if (!open->session)
	{
		pfree(open);
		neo4j_report_error(&err, NULL);
	}
	open->entry = entry;
	open->nest_level = GetCurrentTransactionNestLevel();
	open->next = open_sessions;
	open_sessions = open;
	entry->open_sessions++;
	return open->session;
}

void
neo4j_close_session(neo4j_session *session)
{
	for (OpenSession **link = &open_sessions; *link; link = &(*link)->next)
	{
		OpenSession *open = *link;

		if (open->session == session)
		{
			*link = open->next;
			neo4j_session_close(session);
			open->entry->open_sessions--;
			pfree(open);
			return;
		}
	}
	neo4j_session_close(session);
}

/* Closes the sessions left open (by an error, say) at or below nest_level. */
static void
close_sessions_from(int nest_level)
{
	OpenSession **link = &open_sessions;

	while (*link)
	{
		OpenSession *open = *link;

		if (open->nest_level >= nest_level)
		{
			*link = open->next;
			neo4j_session_close(open->session);
			open->entry->open_sessions--;
			pfree(open);
		}
		else
			link = &open->next;
	}
}

static void
xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
		close_sessions_from(0);
}

static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		close_sessions_from(GetCurrentTransactionNestLevel());
}

/* A server or user mapping changed: drop its drivers once they are not in use. */
static void
invalidate_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS scan;
	ConnCacheEntry *entry;

	hash_seq_init(&scan, connection_cache);
	while ((entry = (ConnCacheEntry *) hash_seq_search(&scan)))
	{
		if (!entry->driver)
			continue;
		if (hashvalue == 0 ||
			(cacheid == FOREIGNSERVEROID && entry->server_hashvalue == hashvalue) ||
			(cacheid == USERMAPPINGOID && entry->mapping_hashvalue == hashvalue))
		{
			if (entry->open_sessions == 0)
				close_entry(entry);
			else
				entry->invalidated = true;
		}
	}
}

ForeignServer *
neo4j_server_by_name(const char *name)
{
	ForeignServer *server = GetForeignServerByName(name, false);
	ForeignDataWrapper *fdw = GetForeignDataWrapper(server->fdwid);

	if (strcmp(fdw->fdwname, "neo4j_fdw") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("server \"%s\" is not a neo4j_fdw server", name)));
	return server;
}

/* ------------------------------------------------------------------ SQL functions */

PG_FUNCTION_INFO_V1(neo4j_fdw_get_connections);
PG_FUNCTION_INFO_V1(neo4j_fdw_disconnect);
PG_FUNCTION_INFO_V1(neo4j_fdw_disconnect_all);
PG_FUNCTION_INFO_V1(neo4j_fdw_server_info);

Datum
neo4j_fdw_get_connections(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HASH_SEQ_STATUS scan;
	ConnCacheEntry *entry;

	InitMaterializedSRF(fcinfo, 0);
	if (!connection_cache)
		PG_RETURN_VOID();
	hash_seq_init(&scan, connection_cache);
	while ((entry = (ConnCacheEntry *) hash_seq_search(&scan)))
	{
		Datum		values[5];
		bool		nulls[5] = {0};
		ForeignServer *server;

		if (!entry->driver)
			continue;
		server = GetForeignServerExtended(entry->serverid, FSV_MISSING_OK);
		if (server)
			values[0] = CStringGetTextDatum(server->servername);
		else
			nulls[0] = true;
		if (OidIsValid(entry->userid))
			values[1] = CStringGetTextDatum(GetUserNameFromId(entry->userid, true) ? GetUserNameFromId(entry->userid, true) : "?");
		else
			values[1] = CStringGetTextDatum("public");
		values[2] = BoolGetDatum(!entry->invalidated);
		values[3] = CStringGetTextDatum(neo4j_driver_address(entry->driver));
		values[4] = Int32GetDatum((int32) neo4j_driver_idle_connections(entry->driver));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}

/* Closes the drivers of one server (InvalidOid: all); true if any was closed. */
static bool
disconnect(Oid serverid)
{
	HASH_SEQ_STATUS scan;
	ConnCacheEntry *entry;
	bool		closed = false;

	if (!connection_cache)
		return false;
	hash_seq_init(&scan, connection_cache);
	while ((entry = (ConnCacheEntry *) hash_seq_search(&scan)))
	{
		if (!entry->driver || (OidIsValid(serverid) && entry->serverid != serverid))
			continue;
		if (entry->open_sessions > 0)
		{
			ForeignServer *server = GetForeignServerExtended(entry->serverid, FSV_MISSING_OK);

			ereport(WARNING,
					(errmsg("cannot close the connection to server \"%s\" because it is still in use",
							server ? server->servername : "?")));
			continue;
		}
		close_entry(entry);
		closed = true;
	}
	return closed;
}

Datum
neo4j_fdw_disconnect(PG_FUNCTION_ARGS)
{
	ForeignServer *server = neo4j_server_by_name(text_to_cstring(PG_GETARG_TEXT_PP(0)));

	PG_RETURN_BOOL(disconnect(server->serverid));
}

Datum
neo4j_fdw_disconnect_all(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(disconnect(InvalidOid));
}

Datum
neo4j_fdw_server_info(PG_FUNCTION_ARGS)
{
	ForeignServer *server = neo4j_server_by_name(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	UserMapping *user = GetUserMapping(GetUserId(), server->serverid);
	Neo4jServerOptions sopts;
	neo4j_server_info info;
	neo4j_error err;
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {0};
	char		version[32];

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (neo4j_driver_server_info(neo4j_get_driver(user), &info, &err) < 0)
		neo4j_report_error(&err, NULL);
	neo4j_get_server_options(server, &sopts);
	snprintf(version, sizeof version, "%d.%d", info.protocol_major, info.protocol_minor);
	values[0] = CStringGetTextDatum(info.address);
	values[1] = CStringGetTextDatum(info.agent);
	values[2] = CStringGetTextDatum(version);
	if (sopts.database)
		values[3] = CStringGetTextDatum(sopts.database);
	else
		nulls[3] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
