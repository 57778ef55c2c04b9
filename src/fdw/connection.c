/*
 * connection.c — the per-backend cache of user mappings and their drivers,
 * the Neo4j transaction of each user mapping in the current Postgres
 * transaction, bookmarks, error reporting and the SQL functions that show
 * or drop connections, bookmarks and routing tables.
 *
 * A driver owns its pooled Bolt connections (malloc'd memory, not a Postgres
 * memory context), so they outlive statements and transactions. User
 * mappings (of any servers) whose URL, credentials and driver settings are
 * the same share one driver, so one pool per address; others never do.
 * Entries are invalidated when the server or the user mapping changes and
 * dropped when next looked up, once their transaction is over; a driver is
 * closed when no entry refers to it any more.
 *
 * Transactions (as postgres_fdw's connection.c): the first query of a user
 * mapping in a Postgres transaction opens a session and begins a Neo4j
 * transaction, READ for reads, WRITE for neo4j_execute(); a write in a READ
 * transaction commits it and begins a WRITE one. Every query of that
 * mapping runs in it (several open results, by qid). XACT_EVENT_PRE_COMMIT
 * commits it (a failure is an ERROR, so the Postgres commit fails);
 * XACT_EVENT_ABORT rolls it back, best effort: if that fails the mapping's
 * connections are closed. Neo4j has no savepoints: a subtransaction that
 * wrote and is rolled back dooms the Neo4j transaction (ROLLBACK TO
 * SAVEPOINT is an ERROR, and so is the commit); one that only read just
 * closes its results (a failed Neo4j transaction without writes is rolled
 * back and begun again on next use). The bookmark of every commit is kept
 * per server and sent with the next BEGIN unless causal_chaining is off.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_user_mapping.h"
#include "common/cryptohash.h"
#include "common/pg_prng.h"
#include "common/sha2.h"
#include "funcapi.h"
#include "storage/latch.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "neo4j_fdw.h"

/*
 * A driver and the user mappings that use it. The key is a SHA-256 of the
 * URL, the credentials and every setting the driver is created with, so no
 * password is kept in it.
 */
typedef struct SharedDriver
{
	uint8		key[PG_SHA256_DIGEST_LENGTH];	/* hash key */
	neo4j_driver *driver;
	int			refcount;		/* cache entries that point here */
} SharedDriver;

typedef struct ConnCacheEntry
{
	Oid			key;			/* user mapping OID (hash key) */
	Oid			serverid;
	Oid			userid;			/* InvalidOid for PUBLIC */
	neo4j_driver *driver;		/* shared->driver, or NULL */
	SharedDriver *shared;
	bool		invalidated;	/* options changed: drop when not in use */
	bool		keep_connections;	/* server option: false closes them at transaction end */
	uint32		server_hashvalue;
	uint32		mapping_hashvalue;
	/* the Neo4j transaction of the current Postgres transaction */
	neo4j_session *xact_session;
	neo4j_transaction *xact_tx;
	neo4j_access_mode xact_mode;
	int			write_level;	/* deepest open (sub)transaction that wrote; 0 = none */
	bool		xact_failed;	/* a query of the transaction failed */
	bool		doomed;			/* rolled back under the Postgres transaction */
	List	   *sent_bookmarks; /* the bookmarks its BEGIN carried */
} ConnCacheEntry;

/* A result of a Neo4j transaction, until its scan or function closes it. */
typedef struct OpenResult
{
	neo4j_result *result;
	ConnCacheEntry *entry;
	int			nest_level;		/* subtransaction that ran it */
	struct OpenResult *next;
} OpenResult;

/* The bookmarks of a server: what this backend's last commits there left. */
typedef struct BookmarkEntry
{
	Oid			serverid;		/* hash key */
	List	   *bookmarks;		/* of char *, in TopMemoryContext */
} BookmarkEntry;

static HTAB *connection_cache = NULL;
static HTAB *driver_cache = NULL;
static HTAB *bookmark_cache = NULL;
static OpenResult *open_results = NULL; /* in TopMemoryContext */
static bool savepoint_error_pending = false;
static bool commit_in_progress = false;	/* waiting for the answer to a COMMIT */

static void invalidate_callback(Datum arg, int cacheid, uint32 hashvalue);
static void xact_callback(XactEvent event, void *arg);
static void xact_end(XactEvent event);
static void subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							 SubTransactionId parentSubid, void *arg);

/* ------------------------------------------------------------------ errors */

static int
sqlstate_for(const neo4j_error *err)
{
	const char *code = err->code;

	if (strcmp(code, NEO4J_CODE_TLS) == 0 || strcmp(code, NEO4J_CODE_ACQUISITION_TIMEOUT) == 0)
		return ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION;
	if (strcmp(code, NEO4J_CODE_INVALID_URI) == 0 || strcmp(code, NEO4J_CODE_INVALID_ARGUMENT) == 0)
		return ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE;
	if (strcmp(code, NEO4J_CODE_OUT_OF_MEMORY) == 0)
		return ERRCODE_OUT_OF_MEMORY;
	if (strcmp(code, NEO4J_CODE_INTERRUPTED) == 0)
		return ERRCODE_QUERY_CANCELED;
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
	if (strcmp(code, "Neo.ClientError.Statement.AccessMode") == 0 ||
		strcmp(code, "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase") == 0)
		return ERRCODE_READ_ONLY_SQL_TRANSACTION;

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
	/* a cancel or statement_timeout stopped the wait: report it as Postgres does */
	if (strcmp(err->code, NEO4J_CODE_INTERRUPTED) == 0)
		CHECK_FOR_INTERRUPTS();
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
	ctl.keysize = PG_SHA256_DIGEST_LENGTH;
	ctl.entrysize = sizeof(SharedDriver);
	driver_cache = hash_create("neo4j_fdw drivers", 8, &ctl, HASH_ELEM | HASH_BLOBS);
	CacheRegisterSyscacheCallback(FOREIGNSERVEROID, invalidate_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(USERMAPPINGOID, invalidate_callback, (Datum) 0);
	RegisterXactCallback(xact_callback, NULL);
	RegisterSubXactCallback(subxact_callback, NULL);
}

/* The entry lets go of its driver; the last one to do so closes it. */
static void
close_entry(ConnCacheEntry *entry)
{
	SharedDriver *shared = entry->shared;

	if (!shared)
		return;
	entry->driver = NULL;
	entry->shared = NULL;
	if (--shared->refcount > 0)
		return;
	elog(DEBUG2, "neo4j_fdw: closing the connections of user mapping %u", entry->key);
	neo4j_driver_close(shared->driver);
	hash_search(driver_cache, shared->key, HASH_REMOVE, NULL);
}

/* Driver log lines go to the server log at debug levels (never as errors). */
static void
log_to_postgres(void *ctx, neo4j_log_level level, const char *message)
{
	static const int levels[] = {DEBUG1, DEBUG1, DEBUG2, DEBUG3, DEBUG5};

	elog(levels[level], "neo4j_fdw: %s", message);
}

/*
 * Polled by the driver while it waits on the network: a query cancel,
 * statement_timeout or termination stops the wait (the driver then RESETs the
 * query) and neo4j_report_error lets CHECK_FOR_INTERRUPTS raise the usual error.
 */
static bool
cancel_requested(void *ctx)
{
	/* a cancel waits while a commit is awaited: its outcome would be unknown */
	return InterruptPending && (ProcDiePending || (QueryCancelPending && !commit_in_progress));
}

static void
hash_field(pg_cryptohash_ctx *ctx, const char *value)
{
	/* length-prefixed, so that no two different lists hash alike */
	size_t		len = value ? strlen(value) + 1 : 0;

	if (pg_cryptohash_update(ctx, (const uint8 *) &len, sizeof len) < 0 ||
		(len && pg_cryptohash_update(ctx, (const uint8 *) value, len) < 0))
		elog(ERROR, "neo4j_fdw: could not compute a SHA-256 hash");
}

/* The identity of the driver built from these settings (see SharedDriver). */
static void
driver_key(const char *url, const neo4j_auth *auth, const neo4j_config *config, bool keep_connections,
		   uint8 *key)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	char		numbers[200];

	snprintf(numbers, sizeof numbers, "%d %d %d %d " INT64_FORMAT " " INT64_FORMAT " %d",
			 config->connect_timeout_ms, config->fetch_size, config->max_connection_pool_size,
			 config->connection_acquisition_timeout_ms, config->max_connection_lifetime_ms,
			 config->liveness_check_timeout_ms, (int) keep_connections);
	if (pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "neo4j_fdw: could not compute a SHA-256 hash");
	hash_field(ctx, url);
	hash_field(ctx, auth->scheme);
	hash_field(ctx, auth->principal);
	hash_field(ctx, auth->credentials);
	hash_field(ctx, auth->realm);
	hash_field(ctx, config->user_agent);
	hash_field(ctx, config->ca_file);
	hash_field(ctx, numbers);
	if (pg_cryptohash_final(ctx, key, PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "neo4j_fdw: could not compute a SHA-256 hash");
	pg_cryptohash_free(ctx);
}

/* The driver for the user mapping: an existing one with the same identity, or a new one. */
static SharedDriver *
acquire_driver(UserMapping *user, ForeignServer *server, bool *keep_connections)
{
	Neo4jServerOptions sopts;
	Neo4jUserOptions uopts;
	neo4j_config config;
	neo4j_auth	auth;
	neo4j_error err;
	SharedDriver *shared;
	uint8		key[PG_SHA256_DIGEST_LENGTH];
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
	config.max_connection_pool_size = sopts.max_connection_pool_size;
	config.connection_acquisition_timeout_ms = (int) Min(sopts.connection_acquisition_timeout_ms, PG_INT32_MAX);
	config.max_connection_lifetime_ms = sopts.max_connection_lifetime_ms;
	config.liveness_check_timeout_ms = sopts.liveness_check_timeout_ms;
	config.log = log_to_postgres;
	config.interrupted = cancel_requested;
	config.log_level = message_level_is_interesting(DEBUG5) ? NEO4J_LOG_TRACE
		: message_level_is_interesting(DEBUG3) ? NEO4J_LOG_DEBUG : NEO4J_LOG_INFO;
	*keep_connections = sopts.keep_connections;

	driver_key(sopts.url, &auth, &config, sopts.keep_connections, key);
	shared = hash_search(driver_cache, key, HASH_FIND, NULL);
	if (!shared)
	{
		neo4j_driver *driver = neo4j_driver_new(sopts.url, &auth, &config, &err);

		if (!driver)
			neo4j_report_error(&err, NULL);
		shared = hash_search(driver_cache, key, HASH_ENTER, NULL);
		shared->driver = driver;
		shared->refcount = 0;
	}
	shared->refcount++;
	return shared;
}

/* The entry is in use by the current Postgres transaction. */
static bool
entry_in_use(ConnCacheEntry *entry)
{
	return entry->xact_session != NULL || entry->xact_tx != NULL;
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
		entry->shared = NULL;
		entry->keep_connections = true;
		entry->invalidated = false;
		entry->xact_session = NULL;
		entry->xact_tx = NULL;
		entry->write_level = 0;
		entry->xact_failed = false;
		entry->doomed = false;
		entry->sent_bookmarks = NIL;
	}
	if (entry->driver && entry->invalidated && !entry_in_use(entry))
		close_entry(entry);
	if (!entry->driver)
	{
		ForeignServer *server = GetForeignServer(user->serverid);

		entry->serverid = user->serverid;
		entry->userid = user->userid;
		entry->invalidated = false;
		entry->server_hashvalue = GetSysCacheHashValue1(FOREIGNSERVEROID, ObjectIdGetDatum(server->serverid));
		entry->mapping_hashvalue = GetSysCacheHashValue1(USERMAPPINGOID, ObjectIdGetDatum(user->umid));
		entry->shared = acquire_driver(user, server, &entry->keep_connections);
		entry->driver = entry->shared->driver;
	}
	return entry;
}

neo4j_driver *
neo4j_get_driver(UserMapping *user)
{
	return get_entry(user)->driver;
}

/* ------------------------------------------------------------------ bookmarks */

static BookmarkEntry *
bookmarks_of(Oid serverid, bool create)
{
	BookmarkEntry *bm;
	bool		found;

	if (!bookmark_cache)
	{
		HASHCTL		ctl;

		if (!create)
			return NULL;
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(BookmarkEntry);
		bookmark_cache = hash_create("neo4j_fdw bookmarks", 8, &ctl, HASH_ELEM | HASH_BLOBS);
	}
	bm = hash_search(bookmark_cache, &serverid, create ? HASH_ENTER : HASH_FIND, &found);
	if (bm && !found)
		bm->bookmarks = NIL;
	return bm;
}

static void
free_string_list(List *list)
{
	list_free_deep(list);
}

/*
 * After a commit on the server: its bookmark replaces the ones the BEGIN
 * carried; bookmarks that other mappings added since stay.
 */
static void
remember_bookmarks(ConnCacheEntry *entry, const char *const *fresh)
{
	BookmarkEntry *bm;
	MemoryContext old;
	List	   *kept = NIL;
	ListCell   *lc;

	if (!fresh || !fresh[0])
		return;
	bm = bookmarks_of(entry->serverid, true);
	old = MemoryContextSwitchTo(TopMemoryContext);
	foreach(lc, bm->bookmarks)
	{
		char	   *b = lfirst(lc);
		bool		sent = false;
		ListCell   *lc2;

		foreach(lc2, entry->sent_bookmarks)
			if (strcmp(b, lfirst(lc2)) == 0)
				sent = true;
		for (int i = 0; fresh[i]; i++)
			if (strcmp(b, fresh[i]) == 0)
				sent = true;
		if (!sent)
			kept = lappend(kept, pstrdup(b));
	}
	for (int i = 0; fresh[i]; i++)
		kept = lappend(kept, pstrdup(fresh[i]));
	MemoryContextSwitchTo(old);
	free_string_list(bm->bookmarks);
	bm->bookmarks = kept;
}

/*
 * The bookmarks a BEGIN or ROUTE to the server carries: NULL-terminated,
 * palloc'd (the strings stay the cache's), or NULL when there are none or
 * causal chaining is off.
 */
static const char **
bookmarks_to_send(const Neo4jServerOptions *sopts, Oid serverid)
{
	BookmarkEntry *bm;
	const char **bookmarks;
	ListCell   *lc;
	int			i = 0;

	if (!sopts->causal_chaining || !(bm = bookmarks_of(serverid, false)) || !bm->bookmarks)
		return NULL;
	bookmarks = palloc(sizeof(char *) * (list_length(bm->bookmarks) + 1));
	foreach(lc, bm->bookmarks)
		bookmarks[i++] = lfirst(lc);
	bookmarks[i] = NULL;
	return bookmarks;
}

/* ------------------------------------------------------------------ transactions */

/* {application_name, backend_pid, user}: who runs the transaction, for SHOW TRANSACTIONS. */
static neo4j_value
tx_metadata(neo4j_map_entry *entries)
{
	const char *user = GetUserNameFromId(GetUserId(), true);

	entries[0].key = neo4j_string("application_name");
	entries[0].value = neo4j_string(application_name ? application_name : "");
	entries[1].key = neo4j_string("backend_pid");
	entries[1].value = neo4j_int(MyProcPid);
	entries[2].key = neo4j_string("user");
	entries[2].value = user ? neo4j_string(user) : neo4j_null();
	return neo4j_map(entries, 3);
}

/* Opens the session and begins the Neo4j transaction of entry in mode. */
/* Begins the Neo4j transaction of entry; false with err set when that fails. */
static bool
xact_try_begin(ConnCacheEntry *entry, UserMapping *user, neo4j_access_mode mode, neo4j_error *err)
{
	ForeignServer *server = GetForeignServer(user->serverid);
	Neo4jServerOptions sopts;
	Neo4jUserOptions uopts;
	neo4j_session_config cfg = {0};
	neo4j_tx_config txcfg;
	neo4j_map_entry meta[3];
	neo4j_value metadata;
	const char **bookmarks;

	neo4j_get_server_options(server, &sopts);
	neo4j_get_user_options(user, &uopts);
	cfg.database = sopts.database;
	cfg.impersonated_user = uopts.impersonate;
	cfg.access_mode = mode;
	cfg.fetch_size = sopts.fetch_size;

	free_string_list(entry->sent_bookmarks);
	entry->sent_bookmarks = NIL;
	if ((bookmarks = bookmarks_to_send(&sopts, entry->serverid)))
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		for (int i = 0; bookmarks[i]; i++)
			entry->sent_bookmarks = lappend(entry->sent_bookmarks, pstrdup(bookmarks[i]));
		MemoryContextSwitchTo(old);
		cfg.bookmarks = bookmarks;
	}

	entry->xact_session = neo4j_session_open(entry->driver, &cfg, err);
	if (bookmarks)
		pfree(bookmarks);
	if (!entry->xact_session)
		return false;
	entry->xact_mode = mode;
	entry->xact_failed = false;
	entry->write_level = 0;

	txcfg.timeout_ms = sopts.tx_timeout_ms;
	metadata = tx_metadata(meta);
	txcfg.metadata = &metadata;
	entry->xact_tx = neo4j_session_begin(entry->xact_session, &txcfg, err);
	if (!entry->xact_tx)
	{
		neo4j_session_close(entry->xact_session);
		entry->xact_session = NULL;
		return false;
	}
	return true;
}

/* Frees the registered results of entry (all if entry is NULL) run at nest_level or deeper. */
static void
close_results(ConnCacheEntry *entry, int nest_level)
{
	OpenResult **link = &open_results;

	while (*link)
	{
		OpenResult *open = *link;

		if ((entry == NULL || open->entry == entry) && open->nest_level >= nest_level)
		{
			*link = open->next;
			neo4j_result_close(open->result);
			pfree(open);
		}
		else
			link = &open->next;
	}
}

/*
 * Forgets the registered results of entry, leaving the handles to their
 * owners; with discard, the rest of each is DISCARDed first.
 */
static void
forget_results(ConnCacheEntry *entry, bool discard)
{
	OpenResult **link = &open_results;

	while (*link)
	{
		OpenResult *open = *link;

		if (entry == NULL || open->entry == entry)
		{
			if (discard)
			{
				neo4j_error ignored;

				(void) neo4j_result_consume(open->result, &ignored);
			}
			*link = open->next;
			pfree(open);
		}
		else
			link = &open->next;
	}
}

/* Ends the session of entry (its transaction must be over). */
static void
xact_end_session(ConnCacheEntry *entry)
{
	if (entry->xact_tx)
	{
		neo4j_transaction_close(entry->xact_tx);
		entry->xact_tx = NULL;
	}
	if (entry->xact_session)
	{
		neo4j_session_close(entry->xact_session);
		entry->xact_session = NULL;
	}
	entry->write_level = 0;
	entry->xact_failed = false;
}

/*
 * Rolls the transaction of entry back, best effort: if that fails the
 * connections of the mapping are closed, so nothing of it survives. Its
 * results run at free_level or deeper are freed (their scans are gone);
 * the others stay with their owners, which find them ended.
 */
static void
xact_rollback(ConnCacheEntry *entry, int free_level)
{
	neo4j_error err;
	bool		ok = true;

	if (entry->xact_tx)
	{
		ok = neo4j_transaction_rollback(entry->xact_tx, &err) == 0;
		if (!ok)
			elog(DEBUG1, "neo4j_fdw: rollback failed (%s: %s), closing the connections", err.code, err.message);
	}
	close_results(entry, free_level);
	forget_results(entry, false);
	xact_end_session(entry);
	if (!ok)
		close_entry(entry);
}

/*
 * Commits the transaction of entry; an ERROR if Neo4j does not, or if the
 * answer to a write transaction's COMMIT is lost (for a read transaction
 * only a WARNING). Results still open are discarded, or with keep_results
 * read to the end into memory (their scans go on reading them).
 */
static void
xact_commit(ConnCacheEntry *entry, bool keep_results)
{
	neo4j_error err;
	int			rc;
	bool		was_read;

	if (!entry->xact_tx)
		return;
	was_read = entry->xact_mode == NEO4J_ACCESS_READ;
	forget_results(entry, !keep_results);
	commit_in_progress = true;
	rc = neo4j_transaction_commit(entry->xact_tx, &err);
	commit_in_progress = false;
	if (rc == 0)
	{
		Neo4jServerOptions sopts;
		ForeignServer *server = GetForeignServerExtended(entry->serverid, FSV_MISSING_OK);

		if (server)
			neo4j_get_server_options(server, &sopts);
		if (server && sopts.causal_chaining)
			remember_bookmarks(entry, neo4j_session_bookmarks(entry->xact_session));
	}
	xact_end_session(entry);
	if (rc == 0)
		return;
	if (strncmp(err.code, "Neo.", 4) == 0 || strcmp(err.code, NEO4J_CODE_ILLEGAL_STATE) == 0)
		ereport(ERROR,
				(errcode(sqlstate_for(&err)),
				 errmsg("could not commit the Neo4j transaction: %s", err.message[0] ? err.message : "unknown error"),
				 err.gql_status[0]
				 ? errdetail("Neo4j code: %s, GQLSTATUS %s.", err.code, err.gql_status)
				 : errdetail("Neo4j code: %s.", err.code),
				 errhint("The Neo4j transaction was not committed; the Postgres transaction is rolled back.")));
	/*
	 * The COMMIT went out, but its answer never came: Neo4j may have
	 * committed. In read access mode nothing was written, so nothing is lost.
	 */
	if (was_read)
		ereport(WARNING,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("the commit of a Neo4j read transaction was not confirmed: %s", err.message),
				 errdetail("Neo4j code: %s. The transaction was in read access mode and wrote nothing.", err.code)));
	else
		ereport(ERROR,
				(errcode(ERRCODE_TRANSACTION_RESOLUTION_UNKNOWN),
				 errmsg("the outcome of the Neo4j commit is unknown: %s", err.message),
				 errdetail("Neo4j code: %s.", err.code),
				 errhint("The connection failed while committing: the Neo4j transaction may or may not have been committed. The Postgres transaction is rolled back.")));
}

static void
check_not_doomed(ConnCacheEntry *entry)
{
	if (entry->doomed)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("the Neo4j transaction was rolled back"),
				 errdetail("A rolled back subtransaction had written to Neo4j, which has no savepoints."),
				 errhint("Roll back the whole transaction.")));
}

/*
 * Waits until `until`, or less if Postgres is told to cancel. A latch set
 * for another reason (it may already be set) does not cut the wait short.
 */
static void
retry_wait(TimestampTz until)
{
	long		left_ms;

	while ((left_ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), until)) > 0)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, left_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * The first query of a Neo4j transaction: BEGIN, RUN and the first PULL go
 * out together, and a read waits here for the first batch (peek), so that a
 * failure anywhere before the first row reaches Postgres can be retried: the
 * transaction is begun again after a wait, as the official drivers retry,
 * for routing, connection and transient failures, with waits growing by
 * retry_delay_multiplier (+- retry_delay_jitter) until max_retry_time has
 * passed. Writes are not retried here.
 */
static neo4j_result *
begin_and_run(ConnCacheEntry *entry, UserMapping *user, neo4j_access_mode mode, const char *cypher,
			  const neo4j_value *params, int fetch_size, neo4j_error *err)
{
	Neo4jServerOptions sopts;
	TimestampTz deadline;
	double		delay_ms;

	neo4j_get_server_options(GetForeignServer(user->serverid), &sopts);
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), sopts.max_retry_time_ms);
	delay_ms = (double) sopts.retry_initial_delay_ms;
	for (;;)
	{
		neo4j_result *result = NULL;
		TimestampTz now;
		long		wait_ms;

		entry = get_entry(user);	/* a failed rollback may have closed the driver */
		if (xact_try_begin(entry, user, mode, err))
		{
			const neo4j_value *first;

			result = neo4j_transaction_run_fetch(entry->xact_tx, cypher, params, fetch_size, err);
			if (result && mode == NEO4J_ACCESS_READ && neo4j_result_peek(result, &first, err) < 0)
			{
				neo4j_result_close(result);
				result = NULL;
			}
			if (result)
				return result;
		}
		if (mode != NEO4J_ACCESS_READ || !neo4j_error_is_retryable(err))
			return NULL;
		now = GetCurrentTimestamp();
		if (now >= deadline)
			return NULL;
		/* the last wait ends at the deadline: one more try then */
		wait_ms = (long) (delay_ms * (1.0 + sopts.retry_delay_jitter * (2.0 * pg_prng_double(&pg_global_prng_state) - 1.0)));
		wait_ms = Min(wait_ms, TimestampDifferenceMilliseconds(now, deadline));
		ereport(DEBUG1,
				(errmsg("neo4j_fdw: retrying a read in %ld ms after %s: %s", wait_ms, err->code, err->message)));
		/* drop the failed transaction (and a broken connection) before the next try */
		xact_rollback(entry, INT_MAX);
		retry_wait(TimestampTzPlusMilliseconds(now, wait_ms));
		delay_ms *= sopts.retry_delay_multiplier;
	}
}

neo4j_result *
neo4j_xact_run(UserMapping *user, const char *cypher, const neo4j_value *params, int fetch_size, bool write)
{
	ConnCacheEntry *entry = get_entry(user);
	neo4j_access_mode mode = write ? NEO4J_ACCESS_WRITE : NEO4J_ACCESS_READ;
	neo4j_result *result;
	neo4j_error err;
	OpenResult *open;

	check_not_doomed(entry);
	if (entry->xact_tx && write && entry->xact_mode == NEO4J_ACCESS_READ)
	{
		/* a first write: the read transaction ends, a write transaction begins */
		elog(DEBUG1, "neo4j_fdw: committing the read transaction of user mapping %u before a write", entry->key);
		xact_commit(entry, true);
	}
	if (entry->xact_tx)
	{
		if (write)
			entry->write_level = Max(entry->write_level, GetCurrentTransactionNestLevel());
		result = neo4j_transaction_run_fetch(entry->xact_tx, cypher, params, fetch_size, &err);
	}
	else
	{
		result = begin_and_run(entry, user, mode, cypher, params, fetch_size, &err);
		if (write)
			entry->write_level = Max(entry->write_level, GetCurrentTransactionNestLevel());
	}
	if (!result)
	{
		entry->xact_failed = true;
		neo4j_report_error(&err, cypher);
	}
	open = MemoryContextAlloc(TopMemoryContext, sizeof(OpenResult));
	open->result = result;
	open->entry = entry;
	open->nest_level = GetCurrentTransactionNestLevel();
	open->next = open_results;
	open_results = open;
	return result;
}

void
neo4j_xact_close_result(neo4j_result *result)
{
	for (OpenResult **link = &open_results; *link; link = &(*link)->next)
	{
		OpenResult *open = *link;

		if (open->result == result)
		{
			*link = open->next;
			pfree(open);
			break;
		}
	}
	neo4j_result_close(result);
}

void
neo4j_xact_result_error(neo4j_result *result, const neo4j_error *err, const char *cypher)
{
	for (OpenResult *open = open_results; open; open = open->next)
		if (open->result == result)
			open->entry->xact_failed = true;
	neo4j_report_error(err, cypher);
}

/*
 * Commits, rolls back and closes at transaction end, in a memory context of
 * its own: a COMMIT inside a procedure runs this with the procedure's
 * context current, which lives as long as the CALL (a loop of COMMITs grew
 * it by about 2 kB per transaction).
 */
static void
xact_callback(XactEvent event, void *arg)
{
	static MemoryContext callback_context = NULL;
	MemoryContext old;

	if (!connection_cache)
		return;
	if (!callback_context)
		callback_context = AllocSetContextCreate(TopMemoryContext, "neo4j_fdw transaction end",
												 ALLOCSET_SMALL_SIZES);
	MemoryContextReset(callback_context);	/* left over if the last one ended in an ERROR */
	old = MemoryContextSwitchTo(callback_context);
	xact_end(event);
	MemoryContextSwitchTo(old);
	MemoryContextReset(callback_context);
}

static void
xact_end(XactEvent event)
{
	HASH_SEQ_STATUS scan;
	ConnCacheEntry *entry;

	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
			hash_seq_init(&scan, connection_cache);
			while ((entry = (ConnCacheEntry *) hash_seq_search(&scan)))
			{
				if (entry->doomed)
				{
					hash_seq_term(&scan);
					ereport(ERROR,
							(errcode(ERRCODE_TRANSACTION_ROLLBACK),
							 errmsg("could not commit: the Neo4j transaction was rolled back"),
							 errdetail("A rolled back subtransaction had written to Neo4j, which has no savepoints.")));
				}
				if (entry->xact_tx)
				{
					PG_TRY();
					{
						xact_commit(entry, false);
					}
					PG_CATCH();
					{
						hash_seq_term(&scan);
						PG_RE_THROW();
					}
					PG_END_TRY();
				}
			}
			break;
		case XACT_EVENT_PRE_PREPARE:
			hash_seq_init(&scan, connection_cache);
			while ((entry = (ConnCacheEntry *) hash_seq_search(&scan)))
				if (entry_in_use(entry))
				{
					hash_seq_term(&scan);
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("cannot PREPARE a transaction that has used Neo4j")));
				}
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			/* after a commit everything is committed: this rolls back on abort */
			hash_seq_init(&scan, connection_cache);
			while ((entry = (ConnCacheEntry *) hash_seq_search(&scan)))
			{
				if (entry_in_use(entry))
					xact_rollback(entry, event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ? 0 : INT_MAX);
				entry->doomed = false;
				if (!entry->keep_connections)
					close_entry(entry);
			}
			if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
				close_results(NULL, 0);
			else
				forget_results(NULL, false);
			savepoint_error_pending = false;
			break;
		default:
			break;
	}
}

static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();
	HASH_SEQ_STATUS scan;
	ConnCacheEntry *entry;

	if (event == SUBXACT_EVENT_START_SUB && savepoint_error_pending)
	{
		/* ROLLBACK TO SAVEPOINT restarts the subtransaction it rolled back */
		savepoint_error_pending = false;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("cannot roll back to a savepoint after a write to Neo4j in that subtransaction"),
				 errdetail("Neo4j has no savepoints: its transaction was rolled back."),
				 errhint("Roll back the whole transaction.")));
	}
	if (!connection_cache)
		return;
	if (event != SUBXACT_EVENT_COMMIT_SUB && event != SUBXACT_EVENT_ABORT_SUB)
		return;
	if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		/* results (of cursors, say) of the subtransaction now belong to its parent */
		for (OpenResult *open = open_results; open; open = open->next)
			if (open->nest_level >= level)
				open->nest_level = level - 1;
	}
	hash_seq_init(&scan, connection_cache);
	while ((entry = (ConnCacheEntry *) hash_seq_search(&scan)))
	{
		if (!entry->xact_tx)
			continue;
		if (event == SUBXACT_EVENT_COMMIT_SUB)
		{
			/* the writes of the subtransaction now belong to its parent */
			if (entry->write_level >= level)
				entry->write_level = level - 1;
			continue;
		}
		if (entry->write_level >= level || (entry->xact_failed && entry->write_level > 0))
		{
			/* writes that cannot be undone alone: the whole transaction goes */
			xact_rollback(entry, level);
			entry->doomed = true;
			savepoint_error_pending = true;
		}
		else if (entry->xact_failed)
			xact_rollback(entry, level);	/* only reads: a new transaction begins on next use */
		else
			close_results(entry, level);
	}
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
			if (!entry_in_use(entry))
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
		if (entry_in_use(entry))
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

PG_FUNCTION_INFO_V1(neo4j_fdw_bookmarks);
PG_FUNCTION_INFO_V1(neo4j_fdw_clear_bookmarks);
PG_FUNCTION_INFO_V1(neo4j_routing_table);

/* neo4j_fdw_bookmarks(): the bookmarks this backend holds, per server. */
Datum
neo4j_fdw_bookmarks(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HASH_SEQ_STATUS scan;
	BookmarkEntry *bm;

	InitMaterializedSRF(fcinfo, 0);
	if (!bookmark_cache)
		PG_RETURN_VOID();
	hash_seq_init(&scan, bookmark_cache);
	while ((bm = (BookmarkEntry *) hash_seq_search(&scan)))
	{
		ForeignServer *server = GetForeignServerExtended(bm->serverid, FSV_MISSING_OK);
		ListCell   *lc;

		if (!server)
			continue;			/* dropped */
		foreach(lc, bm->bookmarks)
		{
			Datum		values[2];
			bool		nulls[2] = {0};

			values[0] = CStringGetTextDatum(server->servername);
			values[1] = CStringGetTextDatum((char *) lfirst(lc));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	PG_RETURN_VOID();
}

/* neo4j_fdw_clear_bookmarks(server): forgets the bookmarks of a server (NULL: all). */
Datum
neo4j_fdw_clear_bookmarks(PG_FUNCTION_ARGS)
{
	HASH_SEQ_STATUS scan;
	BookmarkEntry *bm;
	Oid			serverid = InvalidOid;

	if (!PG_ARGISNULL(0))
		serverid = neo4j_server_by_name(text_to_cstring(PG_GETARG_TEXT_PP(0)))->serverid;
	if (!bookmark_cache)
		PG_RETURN_VOID();
	hash_seq_init(&scan, bookmark_cache);
	while ((bm = (BookmarkEntry *) hash_seq_search(&scan)))
		if (!OidIsValid(serverid) || bm->serverid == serverid)
		{
			free_string_list(bm->bookmarks);
			bm->bookmarks = NIL;
		}
	PG_RETURN_VOID();
}

/* neo4j_routing_table(server, database): the driver's routing table, fetched if needed. */
Datum
neo4j_routing_table(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ForeignServer *server;
	UserMapping *user;
	Neo4jServerOptions sopts;
	neo4j_routing_table_info *info;
	neo4j_error err;
	char	   *database = NULL;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	server = neo4j_server_by_name(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	neo4j_get_server_options(server, &sopts);
	if (!PG_ARGISNULL(1))
		database = text_to_cstring(PG_GETARG_TEXT_PP(1));
	else
		database = sopts.database;
	if (strncmp(sopts.url, "neo4j", 5) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("server \"%s\" has no routing table", server->servername),
				 errdetail("Routing needs a neo4j:// URL (neo4j://, neo4j+s:// or neo4j+ssc://); the server's URL is a bolt:// one, a single server."),
				 errhint("Use neo4j_server_info() for the server a bolt:// URL connects to.")));

	InitMaterializedSRF(fcinfo, 0);
	user = GetUserMapping(GetUserId(), server->serverid);
	info = palloc0(sizeof(neo4j_routing_table_info));
	if (neo4j_driver_routing_table(neo4j_get_driver(user), database,
								   (const char *const *) bookmarks_to_send(&sopts, server->serverid), info, &err) < 0)
		neo4j_report_error(&err, NULL);
	for (size_t i = 0; i < info->n_servers; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {0};
		Interval   *expires = palloc0(sizeof(Interval));

		expires->time = info->expires_in_ms * 1000;
		values[0] = CStringGetTextDatum(info->servers[i].role);
		values[1] = CStringGetTextDatum(info->servers[i].address);
		values[2] = IntervalPGetDatum(expires);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}
