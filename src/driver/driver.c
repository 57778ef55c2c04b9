/*
 * driver.c — Driver, Session, Transaction and Result on top of bolt.c.
 *
 * A driver owns a pool of idle connections per address. A session borrows
 * one connection while a transaction or an auto-commit result is open and
 * gives it back as soon as neither is. bolt:// URLs use the one address of
 * the URL; neo4j:// URLs route: the session's connection goes to a reader
 * or a writer of its database's routing table (routing.c), fetched with
 * ROUTE from the routers. Records are pulled fetch_size at a
 * time, and the next PULL is sent only when the caller asks for a record
 * beyond the current batch.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bolt.h"
#include "routing.h"

/* The home database a ROUTE without db named, for sessions of one
 * impersonated user ("" = none): their next sessions use that table while it
 * is fresh instead of asking again. */
typedef struct home_database {
    char *user;
    char *database;
} home_database;

#define MAX_HOME_DATABASES 64

/* TELEMETRY api values */
enum { API_MANAGED_TX = 0, API_UNMANAGED_TX = 1, API_AUTO_COMMIT = 2, API_EXECUTE_QUERY = 3 };

struct neo4j_driver {
    neo4j_uri uri;
    neo4j_config config;
    neo4j_auth auth;
    char *auth_strings[4];           /* owned copies behind auth */
    char *config_strings[3];         /* user_agent, ca_file, severity */
    char **categories;               /* owned copy of notifications_disabled_categories */
    neo4j_routing_param *routing;    /* HELLO routing context (neo4j:// only), "address" first */
    char address[300];               /* host:port of the URL */
    size_t n_routing;
    struct pool **pools;             /* one per address ever used */
    size_t n_pools, pools_cap;
    rt_map routes;                   /* neo4j:// only: routing tables per database */
    home_database *homes;            /* neo4j:// only: the home database per impersonated user */
    int64_t acquire_deadline_ms;     /* while a session acquires: when it must give up; 0 = none */
    size_t n_homes;
};

/* Idle connections to one server. */
typedef struct pool {
    char address[300];               /* normalized host:port, as bolt_conn.address */
    char host[256];
    int port;
    bolt_conn **idle;
    size_t n_idle, idle_cap;
    int in_use;
} pool;

typedef enum result_state {
    RESULT_STREAMING,     /* a PULL is outstanding: records are on the wire */
    RESULT_PAUSED,        /* the batch ended with has_more: nothing outstanding */
    RESULT_DONE,
    RESULT_FAILED
} result_state;

struct neo4j_result {
    neo4j_session *session;          /* NULL once detached from its session */
    neo4j_transaction *tx;           /* NULL for auto-commit */
    result_state state;
    int64_t qid;
    int64_t fetch_size;
    neo4j_arena owned;               /* fields, buffered records, summary strings */
    neo4j_value *fields;
    size_t n_fields;
    neo4j_value *buffered;           /* records read ahead when another query needed the connection */
    size_t n_buffered, buffered_pos, buffered_cap;
    neo4j_error error;
    neo4j_summary summary;
    bool has_summary;
    int64_t t_first;
    const char *run_database;
};

#define MAX_TX_RESULTS 16

struct neo4j_transaction {
    neo4j_session *session;
    bool begin_pending;              /* BEGIN queued/sent, its answer not read yet */
    bool finished;
    bool failed;
    neo4j_error failure;
    neo4j_result *results[MAX_TX_RESULTS];
    size_t n_results;
};

struct neo4j_session {
    neo4j_driver *driver;
    char *database;
    char *impersonated_user;
    neo4j_access_mode mode;
    char **bookmarks;
    size_t n_bookmarks;
    int64_t fetch_size;
    char *notifications_severity;
    char **notifications_categories; /* NULL-terminated, or NULL */
    bolt_conn *conn;
    neo4j_result *auto_result;       /* open auto-commit result */
    neo4j_transaction *tx;
};

/* ------------------------------------------------------------------ small helpers */

static char *
dup_cstr(const char *s)
{
    char *copy;

    if (!s)
        return NULL;
    copy = strdup(s);
    return copy;
}

static void
free_string_array(char **list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

/* A NULL-terminated copy; NULL for NULL (or when out of memory). */
static char **
copy_string_list(const char *const *list)
{
    size_t n = neo4j_string_list_length(list);
    char **copy;

    if (!list)
        return NULL;
    copy = calloc(n + 1, sizeof *copy);
    if (!copy)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(copy[i] = dup_cstr(list[i])))
        {
            free_string_array(copy, i);
            return NULL;
        }
    return copy;
}

static char *
arena_strndup(neo4j_arena *arena, const char *s, size_t n)
{
    char *copy = neo4j_arena_alloc(arena, n + 1);

    if (copy)
    {
        memcpy(copy, s, n);
        copy[n] = '\0';
    }
    return copy;
}

static const char *
arena_string_value(neo4j_arena *arena, const neo4j_value *v)
{
    if (!v || v->type != NEO4J_STRING)
        return NULL;
    return arena_strndup(arena, v->u.string, v->size);
}

static int
oom(neo4j_error *err)
{
    return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY, "out of memory");
}

/* Copies a value and everything it points to into arena. */
static int
copy_value(neo4j_arena *arena, const neo4j_value *src, neo4j_value *dst)
{
    *dst = *src;
    switch ((neo4j_type) src->type)
    {
        case NEO4J_NULL:
        case NEO4J_BOOL:
        case NEO4J_INT:
        case NEO4J_FLOAT:
            return 0;
        case NEO4J_STRING:
        case NEO4J_BYTES:
        {
            void *bytes = neo4j_arena_alloc(arena, src->size ? src->size : 1);

            if (!bytes)
                return -1;
            memcpy(bytes, src->u.bytes, src->size);
            dst->u.bytes = bytes;
            return 0;
        }
        case NEO4J_MAP:
        {
            neo4j_map_entry *entries = neo4j_arena_alloc(arena, sizeof *entries * (src->size ? src->size : 1));

            if (!entries)
                return -1;
            for (uint32_t i = 0; i < src->size; i++)
                if (copy_value(arena, &src->u.entries[i].key, &entries[i].key) < 0 ||
                    copy_value(arena, &src->u.entries[i].value, &entries[i].value) < 0)
                    return -1;
            dst->u.entries = entries;
            return 0;
        }
        default:                /* lists and structures */
        {
            neo4j_value *items = neo4j_arena_alloc(arena, sizeof *items * (src->size ? src->size : 1));

            if (!items)
                return -1;
            for (uint32_t i = 0; i < src->size; i++)
                if (copy_value(arena, &src->u.items[i], &items[i]) < 0)
                    return -1;
            dst->u.items = items;
            return 0;
        }
    }
}

/* ------------------------------------------------------------------ config and auth */

void
neo4j_config_init(neo4j_config *config)
{
    memset(config, 0, sizeof *config);
    config->connect_timeout_ms = 30000;
    config->connection_acquisition_timeout_ms = 60000;
    config->fetch_size = 1000;
    config->keepalive = true;
    config->max_connection_pool_size = 100;
    config->max_connection_lifetime_ms = 3600 * 1000;
    config->liveness_check_timeout_ms = -1;
    config->max_bolt_minor = -1;
    config->offer_bolt6 = true;
    config->log_level = NEO4J_LOG_INFO;
    config->routing_table_purge_delay_ms = 30000;
}

neo4j_auth
neo4j_auth_none(void)
{
    neo4j_auth auth = { "none", NULL, NULL, NULL };

    return auth;
}

neo4j_auth
neo4j_auth_basic(const char *user, const char *password, const char *realm)
{
    neo4j_auth auth = { "basic", user, password, realm };

    return auth;
}

neo4j_auth
neo4j_auth_bearer(const char *token)
{
    neo4j_auth auth = { "bearer", NULL, token, NULL };

    return auth;
}

const char *
neo4j_driver_version(void)
{
    return NEO4J_DRIVER_VERSION;
}

/* ------------------------------------------------------------------ driver */

static int
build_routing_context(neo4j_driver *driver, neo4j_error *err)
{
    char address[300];
    size_t n = driver->uri.n_routing_params + 1;

    if (!driver->uri.routing)
        return 0;
    driver->routing = calloc(n, sizeof *driver->routing);
    if (!driver->routing)
        return oom(err);
    neo4j_uri_format_address(driver->uri.host, driver->uri.port, address, sizeof address);
    driver->routing[0].key = dup_cstr("address");
    driver->routing[0].value = dup_cstr(address);
    for (size_t i = 0; i < driver->uri.n_routing_params; i++)
    {
        if (strcmp(driver->uri.routing_params[i].key, "address") == 0)
            return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_URI,
                                   "invalid URI: the routing context may not set \"address\"");
        driver->routing[i + 1].key = dup_cstr(driver->uri.routing_params[i].key);
        driver->routing[i + 1].value = dup_cstr(driver->uri.routing_params[i].value);
    }
    driver->n_routing = n;
    for (size_t i = 0; i < n; i++)
        if (!driver->routing[i].key || !driver->routing[i].value)
            return oom(err);
    return 0;
}

neo4j_driver *
neo4j_driver_new(const char *uri, const neo4j_auth *auth, const neo4j_config *config, neo4j_error *err)
{
    neo4j_driver *driver = calloc(1, sizeof *driver);
    neo4j_auth none = neo4j_auth_none();

    neo4j_error_clear(err);
    if (!driver)
    {
        oom(err);
        return NULL;
    }
    if (neo4j_uri_parse(uri ? uri : "", &driver->uri, err) < 0)
    {
        free(driver);
        return NULL;
    }
    if (config)
        driver->config = *config;
    else
        neo4j_config_init(&driver->config);
    if (driver->config.fetch_size == 0)
        driver->config.fetch_size = 1000;
    rt_map_init(&driver->routes, driver->config.routing_table_purge_delay_ms > 0
                ? driver->config.routing_table_purge_delay_ms : 0);
    if (!auth)
        auth = &none;
    driver->auth_strings[0] = dup_cstr(auth->scheme ? auth->scheme : "none");
    driver->auth_strings[1] = dup_cstr(auth->principal);
    driver->auth_strings[2] = dup_cstr(auth->credentials);
    driver->auth_strings[3] = dup_cstr(auth->realm);
    driver->auth.scheme = driver->auth_strings[0];
    driver->auth.principal = driver->auth_strings[1];
    driver->auth.credentials = driver->auth_strings[2];
    driver->auth.realm = driver->auth_strings[3];
    driver->config_strings[0] = dup_cstr(driver->config.user_agent);
    driver->config_strings[1] = dup_cstr(driver->config.ca_file);
    driver->config_strings[2] = dup_cstr(driver->config.notifications_minimum_severity);
    driver->config.user_agent = driver->config_strings[0];
    driver->config.ca_file = driver->config_strings[1];
    driver->config.notifications_minimum_severity = driver->config_strings[2];
    driver->categories = copy_string_list(driver->config.notifications_disabled_categories);
    driver->config.notifications_disabled_categories = (const char *const *) driver->categories;
    neo4j_uri_format_address(driver->uri.host, driver->uri.port, driver->address, sizeof driver->address);
    if (build_routing_context(driver, err) < 0)
    {
        neo4j_driver_close(driver);
        return NULL;
    }
    return driver;
}

void
neo4j_driver_close(neo4j_driver *driver)
{
    if (!driver)
        return;
    for (size_t i = 0; i < driver->n_pools; i++)
    {
        pool *p = driver->pools[i];

        for (size_t j = 0; j < p->n_idle; j++)
            bolt_close(p->idle[j]);
        free(p->idle);
        free(p);
    }
    free(driver->pools);
    rt_map_free(&driver->routes);
    for (size_t i = 0; i < driver->n_homes; i++)
    {
        free(driver->homes[i].user);
        free(driver->homes[i].database);
    }
    free(driver->homes);
    for (size_t i = 0; i < driver->n_routing; i++)
    {
        free(driver->routing[i].key);
        free(driver->routing[i].value);
    }
    free(driver->routing);
    for (int i = 0; i < 4; i++)
    {
        if (driver->auth_strings[i])
            memset(driver->auth_strings[i], 0, strlen(driver->auth_strings[i]));   /* scrub secrets */
        free(driver->auth_strings[i]);
    }
    for (int i = 0; i < 3; i++)
        free(driver->config_strings[i]);
    free_string_array(driver->categories, neo4j_string_list_length((const char *const *) driver->categories));
    neo4j_uri_free(&driver->uri);
    free(driver);
}

/* The pool of an address; created on first use when create is set. */
static pool *
pool_get(neo4j_driver *driver, const char *address, bool create)
{
    pool *p;
    pool **pools;

    for (size_t i = 0; i < driver->n_pools; i++)
        if (strcmp(driver->pools[i]->address, address) == 0)
            return driver->pools[i];
    if (!create)
        return NULL;
    if (!(p = calloc(1, sizeof *p)))
        return NULL;
    if (rt_split_address(address, p->host, sizeof p->host, &p->port, p->address, sizeof p->address) < 0)
    {
        free(p);
        return NULL;
    }
    pools = neo4j_array_grow(driver->pools, &driver->pools_cap, driver->n_pools, sizeof *pools, 4);
    if (!pools)
    {
        free(p);
        return NULL;
    }
    driver->pools = pools;
    driver->pools[driver->n_pools++] = p;
    return p;
}

/* Connections in use to an address: the load for the least-busy choice. */
static int
pool_load(void *ctx, const char *address)
{
    pool *p = pool_get(ctx, address, false);

    return p ? p->in_use : 0;
}

/* A server that failed: out of every routing table, its idle connections closed. */
static void
forget_server(neo4j_driver *driver, const char *address)
{
    pool *p = pool_get(driver, address, false);

    rt_map_forget(&driver->routes, address);
    if (p)
    {
        for (size_t i = 0; i < p->n_idle; i++)
            bolt_close(p->idle[i]);
        p->n_idle = 0;
    }
}

static bool
connection_too_old(const neo4j_driver *driver, const bolt_conn *conn)
{
    int64_t limit = driver->config.max_connection_lifetime_ms;

    return limit > 0 && neo4j_now_ms() - conn->created_at_ms > limit;
}

static bool
connection_needs_liveness_check(const neo4j_driver *driver, const bolt_conn *conn)
{
    int64_t limit = driver->config.liveness_check_timeout_ms;

    return limit >= 0 && neo4j_now_ms() - conn->last_used_ms >= limit;
}

static int
acquisition_timed_out(const neo4j_driver *driver, neo4j_error *err)
{
    return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ACQUISITION_TIMEOUT,
                           "unable to acquire a connection within %d ms (connection acquisition timeout)",
                           driver->config.connection_acquisition_timeout_ms);
}

static int
acquire_connection(neo4j_driver *driver, const char *address, bolt_conn **out, neo4j_error *err)
{
    bolt_connect_params params;
    pool *p = pool_get(driver, address, true);

    if (!p)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                               "cannot use the server address \"%s\" (or out of memory)", address);
    while (p->n_idle > 0)
    {
        bolt_conn *conn = p->idle[--p->n_idle];
        neo4j_error ignored;

        if (conn->state == BOLT_READY && conn->pending_count == 0 && !connection_too_old(driver, conn) &&
            (!connection_needs_liveness_check(driver, conn) || bolt_reset(conn, &ignored) == 0))
        {
            p->in_use++;
            *out = conn;
            return 0;
        }
        bolt_close(conn);
    }
    if (driver->config.max_connection_pool_size > 0 && p->in_use >= driver->config.max_connection_pool_size)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE,
                               "connection pool exhausted: %d connections to %s are in use", p->in_use,
                               p->address);
    memset(&params, 0, sizeof params);
    if (driver->acquire_deadline_ms > 0)
    {
        int64_t left = driver->acquire_deadline_ms - neo4j_now_ms();

        if (left <= 0)
            return acquisition_timed_out(driver, err);
        params.timeout_is_acquisition = left < driver->config.connect_timeout_ms || driver->config.connect_timeout_ms <= 0;
        params.timeout_ms = (int) (params.timeout_is_acquisition ? left : driver->config.connect_timeout_ms);
    }
    params.host = p->host;
    params.port = p->port;
    params.auth = &driver->auth;
    params.config = &driver->config;
    params.tls = driver->uri.tls;
    params.routing = driver->routing;
    params.n_routing = driver->n_routing;
    if (bolt_connect(&params, out, err) < 0)
        return -1;
    /* the pool key must be what release_connection will look up */
    snprintf((*out)->address, sizeof (*out)->address, "%s", p->address);
    p->in_use++;
    return 0;
}

/* Gives a connection back: reusable ones go to the idle list (recovered with
 * RESET first if needed), others are closed. */
static void
release_connection(neo4j_driver *driver, bolt_conn *conn)
{
    neo4j_error ignored;
    bolt_conn **idle;
    pool *p = pool_get(driver, conn->address, false);

    if (!p)
    {
        bolt_close(conn);
        return;
    }
    p->in_use--;
    if (conn->state != BOLT_READY || conn->pending_count > 0)
    {
        if (conn->state == BOLT_DEFUNCT || bolt_reset(conn, &ignored) < 0)
        {
            /* a broken connection: with routing, the server goes out of the tables */
            if (driver->uri.routing)
                forget_server(driver, p->address);
            bolt_close(conn);
            return;
        }
    }
    if (connection_too_old(driver, conn))
    {
        bolt_close(conn);
        return;
    }
    idle = neo4j_array_grow(p->idle, &p->idle_cap, p->n_idle, sizeof *idle, 8);
    if (!idle)
    {
        bolt_close(conn);
        return;
    }
    p->idle = idle;
    p->idle[p->n_idle++] = conn;
}

/* ------------------------------------------------------------------ routing */

/* Errors that end discovery at once: asking another router would not help. */
static bool
discovery_fatal(const neo4j_error *e)
{
    static const char *const codes[] = {
        "Neo.ClientError.Database.DatabaseNotFound",
        "Neo.ClientError.Transaction.InvalidBookmark",
        "Neo.ClientError.Transaction.InvalidBookmarkMixture",
        "Neo.ClientError.Statement.TypeError",
        "Neo.ClientError.Statement.ArgumentError",
        "Neo.ClientError.Request.Invalid",
        NEO4J_CODE_OUT_OF_MEMORY,
    };

    if (e->category == NEO4J_ERROR_SECURITY)
        return strcmp(e->code, "Neo.ClientError.Security.AuthorizationExpired") != 0;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(e->code, codes[i]) == 0)
            return true;
    return false;
}

/* ROUTE on one connection; a new table (not yet stored) or -1. */
static int
fetch_routing_table(neo4j_driver *driver, bolt_conn *conn, const char *database, const char *const *bookmarks,
                    const char *imp_user, rt_table **out, neo4j_error *err)
{
    bolt_response resp;
    neo4j_error ignored;
    rt_table *table;
    int received;

    if (bolt_queue_route(conn, driver->routing, driver->n_routing, bookmarks, database, imp_user, err) < 0 ||
        bolt_flush(conn, err) < 0)
        return -1;
    /* a router that takes ROUTE and never answers must not outlast the acquisition */
    bolt_set_deadline(conn, driver->acquire_deadline_ms, "ROUTE");
    received = bolt_recv(conn, &resp, err);
    bolt_set_deadline(conn, 0, NULL);
    if (received < 0)
        return -1;
    if (resp.signature == BOLT_FAILURE)
    {
        *err = conn->failure;
        bolt_reset(conn, &ignored);
        return -1;
    }
    if (resp.signature != BOLT_SUCCESS)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE, "the server ignored ROUTE");
    table = rt_table_parse(neo4j_map_get(resp.metadata, "rt"), database, neo4j_now_ms(), err);
    if (!table)
        return -1;
    /* as the official drivers: an answer without routers or readers is no answer */
    if (table->role[RT_ROUTE].n == 0 || table->role[RT_READ].n == 0)
    {
        neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_SERVICE_UNAVAILABLE,
                        "the routing table has no %s", table->role[RT_ROUTE].n == 0 ? "routers" : "readers");
        rt_table_free(table);
        return -1;
    }
    *out = table;
    return 0;
}

/*
 * Fetches a fresh table for database (NULL: the home database) from the
 * known routers, then the URL's address, and stores it. A router that fails
 * is forgotten and the next one tried.
 */
static int
routing_refresh(neo4j_driver *driver, const char *database, const char *const *bookmarks, const char *imp_user,
                rt_table **out, neo4j_error *err)
{
    rt_table *old = database ? rt_map_get(&driver->routes, database) : NULL;
    rt_list known = { NULL, 0 };
    size_t n = 0;
    char **candidates;
    size_t n_candidates = 0;
    char tried[NEO4J_MESSAGE_MAX - 100];
    size_t used = 0;
    int rc = -1;

    /* the table's routers; with no table (or the home database, whose
     * name is not known yet) the routers of every table */
    for (size_t t = 0; t < driver->routes.n; t++)
        if (!old || driver->routes.tables[t] == old)
            n += driver->routes.tables[t]->role[RT_ROUTE].n;
    if (!(candidates = calloc(n + 1, sizeof *candidates)))
        return oom(err);
    for (size_t t = 0; t < driver->routes.n; t++)
    {
        rt_list *routers = &driver->routes.tables[t]->role[RT_ROUTE];

        if (old && driver->routes.tables[t] != old)
            continue;
        for (size_t i = 0; i < routers->n; i++)
        {
            known.items = candidates;
            known.n = n_candidates;
            if (!rt_list_contains(&known, routers->items[i]) &&
                (candidates[n_candidates] = dup_cstr(routers->items[i])))
                n_candidates++;
        }
    }
    known.items = candidates;
    known.n = n_candidates;
    if (!rt_list_contains(&known, driver->address) && (candidates[n_candidates] = dup_cstr(driver->address)))
        n_candidates++;
    tried[0] = '\0';
    for (size_t i = 0; i < n_candidates; i++)
    {
        const char *router = candidates[i];
        bolt_conn *conn;
        rt_table *table = NULL;
        neo4j_error e;
        bool connected;

        neo4j_error_clear(&e);
        if ((connected = acquire_connection(driver, router, &conn, &e) == 0))
        {
            int fetched = fetch_routing_table(driver, conn, database, bookmarks, imp_user, &table, &e);

            release_connection(driver, conn);
            if (fetched == 0)
            {
                if (rt_map_put(&driver->routes, table) < 0)
                {
                    rt_table_free(table);
                    oom(err);
                    break;
                }
                *out = table;
                rc = 0;
                break;
            }
        }
        if (discovery_fatal(&e))
        {
            *err = e;
            break;
        }
        if (strcmp(e.code, NEO4J_CODE_ACQUISITION_TIMEOUT) == 0)
        {
            /* no time left for another router; one that hung after connecting goes */
            if (connected)
                forget_server(driver, router);
            *err = e;
            break;
        }
        if (used < sizeof tried)
            used += (size_t) snprintf(tried + used, sizeof tried - used, "%s%s (%s)", used ? ", " : "", router,
                                      e.message);
        if (e.category == NEO4J_ERROR_CONNECTIVITY ||
            strcmp(e.code, "Neo.TransientError.General.DatabaseUnavailable") == 0)
            forget_server(driver, router);
        else if ((old = database ? rt_map_get(&driver->routes, database) : NULL))
            rt_table_remove(old, RT_ROUTE, router);
        if (i + 1 == n_candidates)
            neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_SERVICE_UNAVAILABLE,
                            "unable to retrieve routing information (tried: %s)", tried);
    }
    if (rc < 0 && !err->code[0])
        oom(err);               /* no candidate at all: only out of memory gets here */
    for (size_t i = 0; i < n_candidates; i++)
        free(candidates[i]);
    free(candidates);
    return rc;
}

/* The session's database pinned to the name the server resolved. */
static void
session_pin_database(neo4j_session *session, const char *database)
{
    if (!session->database && database && database[0])
        session->database = dup_cstr(database);
}

static home_database *
home_database_get(neo4j_driver *driver, const char *imp_user)
{
    const char *user = imp_user ? imp_user : "";

    for (size_t i = 0; i < driver->n_homes; i++)
        if (strcmp(driver->homes[i].user, user) == 0)
            return &driver->homes[i];
    return NULL;
}

/* Remembers the home database of imp_user's sessions (best effort: out of
 * memory only means the next session asks again). */
static void
home_database_put(neo4j_driver *driver, const char *imp_user, const char *database)
{
    home_database *home = home_database_get(driver, imp_user);
    char *copy = dup_cstr(database);

    if (!copy)
        return;
    if (!home)
    {
        char *user = dup_cstr(imp_user ? imp_user : "");
        home_database *homes;

        if (driver->n_homes == MAX_HOME_DATABASES)
        {
            /* bounded: the oldest entry goes */
            free(driver->homes[0].user);
            free(driver->homes[0].database);
            memmove(driver->homes, driver->homes + 1, sizeof *driver->homes * --driver->n_homes);
        }
        homes = realloc(driver->homes, sizeof *homes * (driver->n_homes + 1));
        if (!user || !homes)
        {
            free(user);
            free(copy);
            if (homes)
                driver->homes = homes;
            return;
        }
        driver->homes = homes;
        home = &driver->homes[driver->n_homes++];
        home->user = user;
        home->database = NULL;
    }
    free(home->database);
    home->database = copy;
}

/*
 * A fresh routing table for the session's database and mode. A session
 * without a database uses the table of the home database a ROUTE named
 * before, while that table is fresh; once it is stale the server is asked
 * again without a name, so a changed home database is noticed.
 */
static int
session_routing_table(neo4j_session *session, neo4j_access_mode mode, rt_table **out, neo4j_error *err)
{
    neo4j_driver *driver = session->driver;
    int64_t now = neo4j_now_ms();
    const char *database = session->database;
    rt_table *table;

    rt_map_purge(&driver->routes, now);
    if (!database)
    {
        home_database *home = home_database_get(driver, session->impersonated_user);

        table = home ? rt_map_get(&driver->routes, home->database) : NULL;
        if (table && !rt_table_stale(table, mode, now))
        {
            session_pin_database(session, table->database);
            *out = table;
            return 0;
        }
    }
    table = database ? rt_map_get(&driver->routes, database) : NULL;
    if (!table || rt_table_stale(table, mode, now))
    {
        if (routing_refresh(driver, database, (const char *const *) session->bookmarks,
                            session->impersonated_user, &table, err) < 0)
            return -1;
        if (!database)
            home_database_put(driver, session->impersonated_user, table->database);
        session_pin_database(session, table->database);
    }
    *out = table;
    return 0;
}

static int session_acquire_within(neo4j_session *session, neo4j_error *err);

/* Routing, connect, TLS and login from here on share the acquisition timeout. */
static void
acquisition_begin(neo4j_driver *driver)
{
    int timeout = driver->config.connection_acquisition_timeout_ms;

    driver->acquire_deadline_ms = timeout > 0 ? neo4j_now_ms() + timeout : 0;
}

/* Ends what acquisition_begin started; rc is the outcome, passed through. */
static int
acquisition_end(neo4j_driver *driver, int rc, neo4j_error *err)
{
    /* a connect cut short by the deadline reports the acquisition timeout */
    if (rc < 0 && driver->acquire_deadline_ms > 0 && neo4j_now_ms() >= driver->acquire_deadline_ms &&
        err->category == NEO4J_ERROR_CONNECTIVITY)
        acquisition_timed_out(driver, err);
    driver->acquire_deadline_ms = 0;
    return rc;
}

/*
 * The connection for the session's next request: a reader or a writer,
 * within the acquisition timeout (routing, connect and HELLO together).
 */
static int
session_acquire(neo4j_session *session, neo4j_error *err)
{
    acquisition_begin(session->driver);
    return acquisition_end(session->driver, session_acquire_within(session, err), err);
}

static int
session_acquire_within(neo4j_session *session, neo4j_error *err)
{
    neo4j_driver *driver = session->driver;
    rt_role role = session->mode == NEO4J_ACCESS_READ ? RT_READ : RT_WRITE;

    if (!driver->uri.routing)
        return acquire_connection(driver, driver->address, &session->conn, err);
    /* a server that cannot be reached is forgotten and another one tried */
    for (int attempt = 0; attempt < 8; attempt++)
    {
        rt_table *table;
        const char *chosen;
        char address[300];

        if (session_routing_table(session, session->mode, &table, err) < 0)
            return -1;
        if (!(chosen = rt_table_choose(table, role, pool_load, driver)))
            return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_SERVICE_UNAVAILABLE,
                                   "no %s server available for database \"%s\"",
                                   role == RT_READ ? "read" : "write", table->database);
        snprintf(address, sizeof address, "%s", chosen);
        if (acquire_connection(driver, address, &session->conn, err) == 0)
            return 0;
        if (err->category != NEO4J_ERROR_CONNECTIVITY)
            return -1;
        forget_server(driver, address);
    }
    return -1;
}

/* What a FAILURE or a broken connection means for the routing tables; the
 * error itself still goes to the caller. */
static void
session_note_failure(neo4j_session *session, const neo4j_error *err)
{
    neo4j_driver *driver = session->driver;
    bolt_conn *conn = session->conn;

    if (!driver->uri.routing || !conn)
        return;
    if (strcmp(err->code, "Neo.TransientError.General.DatabaseUnavailable") == 0 ||
        (conn->state == BOLT_DEFUNCT && err->category == NEO4J_ERROR_CONNECTIVITY))
        forget_server(driver, conn->address);
    else if (strcmp(err->code, "Neo.ClientError.Cluster.NotALeader") == 0 ||
             strcmp(err->code, "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase") == 0)
    {
        rt_table *table = rt_map_get(&driver->routes, session->database);

        if (table)
            rt_table_remove(table, RT_WRITE, conn->address);
    }
}

/* A connection as a read session of the home database would get one (for
 * neo4j:// that means a routing table first); NULL on failure. */
static neo4j_session *
probe_session(neo4j_driver *driver, const char *database, neo4j_error *err)
{
    neo4j_session_config cfg;
    neo4j_session *session;

    memset(&cfg, 0, sizeof cfg);
    cfg.database = database;
    cfg.access_mode = NEO4J_ACCESS_READ;
    if (!(session = neo4j_session_open(driver, &cfg, err)))
        return NULL;
    /* a new connection's login is only read with its first request: wait for it here */
    if (session_acquire(session, err) < 0 || bolt_finish_hello(session->conn, err) < 0)
    {
        if (session->conn)
            session_note_failure(session, err);
        neo4j_session_close(session);
        return NULL;
    }
    return session;
}

int
neo4j_driver_verify_connectivity(neo4j_driver *driver, neo4j_error *err)
{
    neo4j_session *session;

    neo4j_error_clear(err);
    if (!(session = probe_session(driver, NULL, err)))
        return -1;
    neo4j_session_close(session);
    return 0;
}

int
neo4j_driver_server_info(neo4j_driver *driver, neo4j_server_info *info, neo4j_error *err)
{
    neo4j_session *session;
    bolt_conn *conn;

    neo4j_error_clear(err);
    memset(info, 0, sizeof *info);
    if (!(session = probe_session(driver, NULL, err)))
        return -1;
    conn = session->conn;
    snprintf(info->address, sizeof info->address, "%s", conn->address);
    snprintf(info->agent, sizeof info->agent, "%s", conn->server_agent ? conn->server_agent : "");
    info->protocol_major = conn->major;
    info->protocol_minor = conn->minor;
    neo4j_session_close(session);
    return 0;
}

size_t
neo4j_driver_idle_connections(const neo4j_driver *driver)
{
    size_t n = 0;

    for (size_t i = 0; i < driver->n_pools; i++)
        n += driver->pools[i]->n_idle;
    return n;
}

int
neo4j_driver_routing_table(neo4j_driver *driver, const char *database, const char *const *bookmarks,
                           neo4j_routing_table_info *out, neo4j_error *err)
{
    static const char *const role_names[RT_N_ROLES] = { "ROUTE", "READ", "WRITE" };
    neo4j_session_config cfg;
    neo4j_session *session;
    rt_table *table;
    int rc;

    neo4j_error_clear(err);
    memset(out, 0, sizeof *out);
    if (!driver->uri.routing)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_UNSUPPORTED,
                               "%s is a direct (bolt://) URL: it has no routing table", driver->address);
    memset(&cfg, 0, sizeof cfg);
    cfg.database = database;
    cfg.access_mode = NEO4J_ACCESS_READ;
    cfg.bookmarks = bookmarks;
    if (!(session = neo4j_session_open(driver, &cfg, err)))
        return -1;
    acquisition_begin(driver);
    rc = acquisition_end(driver, session_routing_table(session, NEO4J_ACCESS_READ, &table, err), err);
    if (rc == 0)
    {
        snprintf(out->database, sizeof out->database, "%s", table->database);
        out->ttl_ms = table->ttl_ms;
        out->expires_in_ms = table->fetched_at_ms + table->ttl_ms - neo4j_now_ms();
        for (int r = 0; r < RT_N_ROLES; r++)
            for (size_t i = 0; i < table->role[r].n; i++)
            {
                neo4j_routing_server *s;

                if (out->n_servers == NEO4J_ROUTING_MAX_SERVERS)
                {
                    out->truncated = true;
                    break;
                }
                s = &out->servers[out->n_servers++];
                snprintf(s->address, sizeof s->address, "%s", table->role[r].items[i]);
                snprintf(s->role, sizeof s->role, "%s", role_names[r]);
            }
    }
    neo4j_session_close(session);
    return rc;
}

const char *
neo4j_driver_address(const neo4j_driver *driver)
{
    return driver->address;
}

/* ------------------------------------------------------------------ session */

neo4j_session *
neo4j_session_open(neo4j_driver *driver, const neo4j_session_config *config, neo4j_error *err)
{
    neo4j_session *session = calloc(1, sizeof *session);

    neo4j_error_clear(err);
    if (!session)
    {
        oom(err);
        return NULL;
    }
    session->driver = driver;
    session->fetch_size = driver->config.fetch_size;
    if (config)
    {
        size_t n = 0;

        session->database = dup_cstr(config->database);
        session->impersonated_user = dup_cstr(config->impersonated_user);
        session->mode = config->access_mode;
        if (config->fetch_size != 0)
            session->fetch_size = config->fetch_size;
        n = neo4j_string_list_length(config->bookmarks);
        if (n > 0)
        {
            session->bookmarks = copy_string_list(config->bookmarks);
            session->n_bookmarks = session->bookmarks ? n : 0;
        }
        session->notifications_severity = dup_cstr(config->notifications_minimum_severity);
        session->notifications_categories = copy_string_list(config->notifications_disabled_categories);
        if ((n > 0 && !session->bookmarks) ||
            (config->notifications_minimum_severity && !session->notifications_severity) ||
            (config->notifications_disabled_categories && !session->notifications_categories))
        {
            neo4j_session_close(session);
            oom(err);
            return NULL;
        }
    }
    if (session->fetch_size < 0)
        session->fetch_size = -1;
    return session;
}

const char *const *
neo4j_session_bookmarks(neo4j_session *session)
{
    static const char *const none[] = { NULL };

    return session->bookmarks ? (const char *const *) session->bookmarks : none;
}

static void
set_bookmark(neo4j_session *session, const neo4j_value *bookmark)
{
    char **list;

    if (!bookmark || bookmark->type != NEO4J_STRING || bookmark->size == 0)
        return;
    list = calloc(2, sizeof *list);
    if (!list)
        return;
    list[0] = malloc(bookmark->size + 1);
    if (!list[0])
    {
        free(list);
        return;
    }
    memcpy(list[0], bookmark->u.string, bookmark->size);
    list[0][bookmark->size] = '\0';
    free_string_array(session->bookmarks, session->n_bookmarks);
    session->bookmarks = list;
    session->n_bookmarks = 1;
}

static void
tx_params(const neo4j_session *session, const neo4j_tx_config *tx_config, bolt_tx_params *params)
{
    memset(params, 0, sizeof *params);
    params->bookmarks = (const char *const *) session->bookmarks;
    params->tx_timeout_ms = tx_config ? tx_config->timeout_ms : -1;
    params->tx_metadata = tx_config ? tx_config->metadata : NULL;
    params->database = session->database;
    params->mode = session->mode;
    params->impersonated_user = session->impersonated_user;
    params->notifications_minimum_severity = session->notifications_severity;
    params->notifications_disabled_categories = (const char *const *) session->notifications_categories;
}

static void
session_release_if_idle(neo4j_session *session)
{
    if (session->conn && !session->tx && !session->auto_result)
    {
        release_connection(session->driver, session->conn);
        session->conn = NULL;
    }
}

static int result_buffer_rest(neo4j_result *result, bool all, neo4j_error *err);
static void result_detach(neo4j_result *result);

/* Makes the session's connection free for a new query: an open auto-commit
 * result is read to its end into memory, as the official drivers do. */
static int
session_prepare(neo4j_session *session, neo4j_error *err)
{
    if (session->tx)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE,
                               "the session has an open transaction: run queries in it, or end it first");
    if (session->auto_result)
    {
        neo4j_result *previous = session->auto_result;

        if (result_buffer_rest(previous, true, err) < 0)
            return -1;
    }
    if (!session->conn && session_acquire(session, err) < 0)
        return -1;
    return 0;
}

static void
telemetry(bolt_conn *conn, int api)
{
    neo4j_error ignored;

    if (conn->telemetry_enabled && !(conn->telemetry_sent & (1u << api)) &&
        bolt_queue_telemetry(conn, api, &ignored) == 0)
        conn->telemetry_sent |= (uint8_t) (1u << api);
}

/* ------------------------------------------------------------------ result */

static neo4j_result *
result_new(neo4j_session *session, neo4j_transaction *tx)
{
    neo4j_result *result = calloc(1, sizeof *result);

    if (!result)
        return NULL;
    result->session = session;
    result->tx = tx;
    result->state = RESULT_STREAMING;
    result->qid = -1;
    result->fetch_size = session->fetch_size;
    neo4j_arena_init(&result->owned);
    return result;
}

static void
result_fail(neo4j_result *result, const neo4j_error *err)
{
    result->state = RESULT_FAILED;
    result->error = *err;
}

/* Takes RUN's SUCCESS: field names, t_first, qid, db. */
static int
result_take_run(neo4j_result *result, const neo4j_value *metadata, neo4j_error *err)
{
    const neo4j_value *fields = neo4j_map_get(metadata, "fields");
    const neo4j_value *t_first = neo4j_map_get(metadata, "t_first");
    const neo4j_value *qid = neo4j_map_get(metadata, "qid");

    if (fields && fields->type == NEO4J_LIST)
    {
        result->fields = neo4j_arena_alloc(&result->owned, sizeof *result->fields * (fields->size + 1));
        if (!result->fields)
            return oom(err);
        for (uint32_t i = 0; i < fields->size; i++)
            if (copy_value(&result->owned, &fields->u.items[i], &result->fields[i]) < 0)
                return oom(err);
        result->n_fields = fields->size;
    }
    if (t_first && t_first->type == NEO4J_INT)
        result->t_first = t_first->u.integer;
    if (qid && qid->type == NEO4J_INT)
        result->qid = qid->u.integer;
    result->run_database = arena_string_value(&result->owned, neo4j_map_get(metadata, "db"));
    return 0;
}

static int64_t
stat_value(const neo4j_value *stats, const char *key)
{
    const neo4j_value *v = stats ? neo4j_map_get(stats, key) : NULL;

    return v && v->type == NEO4J_INT ? v->u.integer : 0;
}

static char *
entry_string(neo4j_arena *arena, const neo4j_value *map, const char *key)
{
    return (char *) arena_string_value(arena, neo4j_map_get(map, key));
}

/* Takes the final SUCCESS of PULL or DISCARD into the summary. */
static void
result_take_summary(neo4j_result *result, const neo4j_value *metadata)
{
    neo4j_summary *s = &result->summary;
    neo4j_arena *arena = &result->owned;
    bolt_conn *conn = result->session ? result->session->conn : NULL;
    const neo4j_value *stats = neo4j_map_get(metadata, "stats");
    const neo4j_value *t_last = neo4j_map_get(metadata, "t_last");
    const neo4j_value *notes = neo4j_map_get(metadata, "statuses");
    bool statuses = notes != NULL;

    memset(s, 0, sizeof *s);
    if (conn)
    {
        s->server_agent = conn->server_agent ? arena_strndup(arena, conn->server_agent, strlen(conn->server_agent))
                                             : NULL;
        s->server_address = arena_strndup(arena, conn->address, strlen(conn->address));
        s->protocol_major = conn->major;
        s->protocol_minor = conn->minor;
    }
    s->database = arena_string_value(arena, neo4j_map_get(metadata, "db"));
    if (!s->database)
        s->database = result->run_database;
    s->bookmark = arena_string_value(arena, neo4j_map_get(metadata, "bookmark"));
    s->query_type = arena_string_value(arena, neo4j_map_get(metadata, "type"));
    s->t_first_ms = result->t_first;
    s->t_last_ms = t_last && t_last->type == NEO4J_INT ? t_last->u.integer : 0;
    if (stats && stats->type == NEO4J_MAP)
    {
        neo4j_counters *c = &s->counters;

        c->nodes_created = stat_value(stats, "nodes-created");
        c->nodes_deleted = stat_value(stats, "nodes-deleted");
        c->relationships_created = stat_value(stats, "relationships-created");
        c->relationships_deleted = stat_value(stats, "relationships-deleted");
        c->properties_set = stat_value(stats, "properties-set");
        c->labels_added = stat_value(stats, "labels-added");
        c->labels_removed = stat_value(stats, "labels-removed");
        c->indexes_added = stat_value(stats, "indexes-added");
        c->indexes_removed = stat_value(stats, "indexes-removed");
        c->constraints_added = stat_value(stats, "constraints-added");
        c->constraints_removed = stat_value(stats, "constraints-removed");
        c->system_updates = stat_value(stats, "system-updates");
        {
            const neo4j_value *u = neo4j_map_get(stats, "contains-updates");
            const neo4j_value *su = neo4j_map_get(stats, "contains-system-updates");

            c->contains_updates = u && u->type == NEO4J_BOOL ? u->u.boolean
                : (c->nodes_created || c->nodes_deleted || c->relationships_created ||
                   c->relationships_deleted || c->properties_set || c->labels_added || c->labels_removed ||
                   c->indexes_added || c->indexes_removed || c->constraints_added || c->constraints_removed);
            c->contains_system_updates = su && su->type == NEO4J_BOOL ? su->u.boolean : c->system_updates > 0;
        }
    }
    if (!notes)
        notes = neo4j_map_get(metadata, "notifications");
    if (notes && notes->type == NEO4J_LIST && notes->size > 0)
    {
        neo4j_notification *list = neo4j_arena_alloc(arena, sizeof *list * notes->size);

        if (list)
        {
            for (uint32_t i = 0; i < notes->size; i++)
            {
                const neo4j_value *n = &notes->u.items[i];
                const neo4j_value *diag = neo4j_map_get(n, "diagnostic_record");

                memset(&list[i], 0, sizeof list[i]);
                if (n->type != NEO4J_MAP)
                    continue;
                list[i].code = entry_string(arena, n, statuses ? "neo4j_code" : "code");
                list[i].gql_status = entry_string(arena, n, "gql_status");
                list[i].title = entry_string(arena, n, "title");
                list[i].description = entry_string(arena, n, statuses ? "status_description" : "description");
                if (!list[i].description)
                    list[i].description = entry_string(arena, n, "description");
                list[i].severity = entry_string(arena, n, "severity");
                list[i].category = entry_string(arena, n, "category");
                if (diag && diag->type == NEO4J_MAP)
                {
                    if (!list[i].severity)
                        list[i].severity = entry_string(arena, diag, "_severity");
                    if (!list[i].category)
                        list[i].category = entry_string(arena, diag, "_classification");
                }
            }
            s->notifications = list;
            s->notification_count = notes->size;
        }
    }
    result->has_summary = true;
    if (result->session && !result->tx && s->bookmark)
        set_bookmark(result->session, neo4j_map_get(metadata, "bookmark"));
}

static bool
metadata_has_more(const neo4j_value *metadata)
{
    const neo4j_value *v = neo4j_map_get(metadata, "has_more");

    return v && v->type == NEO4J_BOOL && v->u.boolean;
}

/* The result no longer needs the session's connection. */
static void
result_detach(neo4j_result *result)
{
    neo4j_session *session = result->session;

    if (!session)
        return;
    if (result->tx)
    {
        neo4j_transaction *tx = result->tx;

        for (size_t i = 0; i < tx->n_results; i++)
            if (tx->results[i] == result)
            {
                tx->results[i] = tx->results[--tx->n_results];
                break;
            }
        result->tx = NULL;
    }
    else if (session->auto_result == result)
    {
        session->auto_result = NULL;
        session_release_if_idle(session);
    }
    result->session = NULL;
}

/* After a FAILURE the rest of the pipeline is IGNORED; reads it and, outside
 * an explicit transaction, RESETs so the connection can be reused. */
static void
recover_after_failure(neo4j_session *session, neo4j_transaction *tx)
{
    bolt_conn *conn = session->conn;
    bolt_response resp;
    neo4j_error ignored;

    if (!conn)
        return;
    while (conn->pending_count > 0 && conn->state != BOLT_DEFUNCT)
        if (bolt_recv(conn, &resp, &ignored) < 0)
            break;
    if (tx)
    {
        tx->failed = true;
        return;                 /* the transaction stays FAILED until rolled back */
    }
    if (conn->state != BOLT_DEFUNCT)
        bolt_reset(conn, &ignored);
}

/*
 * Reads the responses of the outstanding PULL/DISCARD. Returns 1 with a
 * record, 0 when the batch ended (state PAUSED, DONE), -1 on error.
 */
static int
result_read(neo4j_result *result, const neo4j_value **record, neo4j_error *err)
{
    neo4j_session *session = result->session;
    bolt_conn *conn = session->conn;
    bolt_response resp;

    if (bolt_recv(conn, &resp, err) < 0)
    {
        session_note_failure(session, err);
        result_fail(result, err);
        if (result->tx)
            result->tx->failed = true;
        return -1;
    }
    switch (resp.signature)
    {
        case BOLT_RECORD:
            *record = resp.record;
            return 1;
        case BOLT_SUCCESS:
            if (metadata_has_more(resp.metadata))
            {
                result->state = RESULT_PAUSED;
                return 0;
            }
            result_take_summary(result, resp.metadata);
            result->state = RESULT_DONE;
            return 0;
        case BOLT_FAILURE:
            *err = conn->failure;
            session_note_failure(session, err);
            result_fail(result, err);
            recover_after_failure(session, result->tx);
            return -1;
        default:
            neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE,
                            "the server ignored the request for records (connection %s)",
                            bolt_state_name(conn->state));
            result_fail(result, err);
            recover_after_failure(session, result->tx);
            return -1;
    }
}

static int
append_buffered(neo4j_result *result, const neo4j_value *record, neo4j_error *err)
{
    neo4j_value *buffered = neo4j_array_grow(result->buffered, &result->buffered_cap, result->n_buffered,
                                             sizeof *buffered, 64);

    if (!buffered)
        return oom(err);
    result->buffered = buffered;
    if (copy_value(&result->owned, record, &result->buffered[result->n_buffered]) < 0)
        return oom(err);
    result->n_buffered++;
    return 0;
}

static int
send_pull(neo4j_result *result, uint8_t signature, int64_t n, neo4j_error *err)
{
    bolt_conn *conn = result->session->conn;
    int rc = signature == BOLT_PULL ? bolt_queue_pull(conn, n, result->tx ? result->qid : -1, err)
                                    : bolt_queue_discard(conn, n, result->tx ? result->qid : -1, err);

    if (rc < 0 || bolt_flush(conn, err) < 0)
    {
        result_fail(result, err);
        return -1;
    }
    result->state = RESULT_STREAMING;
    return 0;
}

/*
 * Moves the records already on the wire into memory so the connection is
 * free for another request; with all, pulls the rest of the result too.
 */
static int
result_buffer_rest(neo4j_result *result, bool all, neo4j_error *err)
{
    const neo4j_value *record;

    for (;;)
    {
        int rc;

        if (result->state == RESULT_PAUSED && all)
        {
            if (send_pull(result, BOLT_PULL, -1, err) < 0)
                return -1;
        }
        if (result->state != RESULT_STREAMING)
            break;
        rc = result_read(result, &record, err);
        if (rc < 0)
            return -1;
        if (rc == 1 && append_buffered(result, record, err) < 0)
            return -1;
    }
    if (result->state == RESULT_DONE)
        result_detach(result);
    return 0;
}

/* Other results of the same transaction give up the wire first. */
static int
tx_free_wire(neo4j_transaction *tx, neo4j_result *except, neo4j_error *err)
{
    for (size_t i = 0; i < tx->n_results; i++)
    {
        neo4j_result *other = tx->results[i];

        if (other != except && other->state == RESULT_STREAMING)
        {
            if (result_buffer_rest(other, false, err) < 0)
                return -1;
            i = (size_t) -1;    /* the list may have changed */
        }
    }
    return 0;
}

/*
 * Drives the result on: with keep_records, until the next record (1) or the
 * end (0); otherwise records are dropped and the rest is DISCARDed.
 */
static int
result_advance(neo4j_result *result, bool keep_records, const neo4j_value **record, neo4j_error *err)
{
    for (;;)
    {
        int rc;

        switch (result->state)
        {
            case RESULT_DONE:
                result_detach(result);
                return 0;
            case RESULT_FAILED:
                *err = result->error;
                result_detach(result);
                return -1;
            case RESULT_PAUSED:
                if (!result->session)
                    return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE,
                                           "the result's session or transaction is closed");
                if (result->tx && tx_free_wire(result->tx, result, err) < 0)
                    return -1;
                if (send_pull(result, keep_records ? BOLT_PULL : BOLT_DISCARD,
                              keep_records ? result->fetch_size : -1, err) < 0)
                    return -1;
                break;
            case RESULT_STREAMING:
                rc = result_read(result, record, err);
                if (rc < 0)
                {
                    result_detach(result);
                    return -1;
                }
                if (rc == 1 && keep_records)
                    return 1;
                break;
        }
    }
}

int
neo4j_result_next(neo4j_result *result, const neo4j_value **record, neo4j_error *err)
{
    neo4j_error_clear(err);
    *record = NULL;
    if (result->buffered_pos < result->n_buffered)
    {
        *record = &result->buffered[result->buffered_pos++];
        return 1;
    }
    return result_advance(result, true, record, err);
}

int
neo4j_result_peek(neo4j_result *result, const neo4j_value **record, neo4j_error *err)
{
    int rc;

    neo4j_error_clear(err);
    *record = NULL;
    if (result->buffered_pos < result->n_buffered)
    {
        *record = &result->buffered[result->buffered_pos];
        return 1;
    }
    rc = result_advance(result, true, record, err);
    if (rc != 1)
        return rc;
    /* kept in the result's own memory: the wire may be read before next() */
    if (append_buffered(result, *record, err) < 0)
        return -1;
    *record = &result->buffered[result->buffered_pos];
    return 1;
}

int
neo4j_result_consume(neo4j_result *result, neo4j_error *err)
{
    const neo4j_value *record;

    neo4j_error_clear(err);
    result->n_buffered = result->buffered_pos = 0;
    return result_advance(result, false, &record, err);
}

void
neo4j_result_close(neo4j_result *result)
{
    neo4j_error ignored;

    if (!result)
        return;
    if (result->session && (result->state == RESULT_STREAMING || result->state == RESULT_PAUSED))
        neo4j_result_consume(result, &ignored);
    result_detach(result);
    free(result->buffered);
    neo4j_arena_free(&result->owned);
    free(result);
}

size_t
neo4j_result_field_count(const neo4j_result *result)
{
    return result->n_fields;
}

const neo4j_value *
neo4j_result_field_name(const neo4j_result *result, size_t i)
{
    return i < result->n_fields ? &result->fields[i] : NULL;
}

const neo4j_summary *
neo4j_result_summary(const neo4j_result *result)
{
    return result->has_summary ? &result->summary : NULL;
}

/* ------------------------------------------------------------------ running queries */

/* Reads the summary answering `request`, skipping TELEMETRY's answer. */
static int
expect_summary(neo4j_session *session, uint8_t request, const neo4j_value **metadata, neo4j_error *err)
{
    bolt_conn *conn = session->conn;
    bolt_response resp;

    for (;;)
    {
        if (bolt_recv(conn, &resp, err) < 0)
        {
            session_note_failure(session, err);
            return -1;
        }
        if (resp.request == BOLT_TELEMETRY && resp.signature == BOLT_SUCCESS)
            continue;
        if (resp.request != request && resp.signature != BOLT_FAILURE && resp.signature != BOLT_IGNORED)
            return neo4j_error_set(err, NEO4J_ERROR_PROTOCOL, NEO4J_CODE_PROTOCOL,
                                   "expected the answer to %s, got one to %s", bolt_message_name(request),
                                   bolt_message_name(resp.request));
        switch (resp.signature)
        {
            case BOLT_SUCCESS:
                if (metadata)
                    *metadata = resp.metadata;
                return 0;
            case BOLT_FAILURE:
                *err = conn->failure;
                session_note_failure(session, err);
                return -1;
            default:
                return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE,
                                       "the server ignored %s", bolt_message_name(resp.request));
        }
    }
}

neo4j_result *
neo4j_session_run(neo4j_session *session, const char *cypher, const neo4j_value *params,
                  const neo4j_tx_config *tx_config, neo4j_error *err)
{
    bolt_tx_params tx;
    neo4j_result *result;
    const neo4j_value *metadata;
    bolt_conn *conn;

    neo4j_error_clear(err);
    if (!cypher)
    {
        neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT, "the query text is missing");
        return NULL;
    }
    if (session_prepare(session, err) < 0)
        return NULL;
    conn = session->conn;
    result = result_new(session, NULL);
    if (!result)
    {
        oom(err);
        session_release_if_idle(session);
        return NULL;
    }
    tx_params(session, tx_config, &tx);
    telemetry(conn, API_AUTO_COMMIT);
    if (bolt_queue_run(conn, cypher, params, &tx, err) < 0 ||
        bolt_queue_pull(conn, result->fetch_size, -1, err) < 0 ||
        bolt_flush(conn, err) < 0)
        goto fail;
    session->auto_result = result;
    if (expect_summary(session, BOLT_RUN, &metadata, err) < 0)
    {
        session->auto_result = NULL;
        recover_after_failure(session, NULL);
        goto fail;
    }
    if (result_take_run(result, metadata, err) < 0)
    {
        neo4j_result_close(result);
        return NULL;
    }
    /* Bolt 5.8: RUN's SUCCESS names the home database */
    if (session->driver->uri.routing)
        session_pin_database(session, result->run_database);
    return result;

fail:
    neo4j_arena_free(&result->owned);
    free(result);
    session_release_if_idle(session);
    return NULL;
}

neo4j_transaction *
neo4j_session_begin(neo4j_session *session, const neo4j_tx_config *tx_config, neo4j_error *err)
{
    bolt_tx_params params;
    neo4j_transaction *tx;

    neo4j_error_clear(err);
    if (session_prepare(session, err) < 0)
        return NULL;
    tx = calloc(1, sizeof *tx);
    if (!tx)
    {
        oom(err);
        session_release_if_idle(session);
        return NULL;
    }
    tx_params(session, tx_config, &params);
    telemetry(session->conn, API_UNMANAGED_TX);
    /* BEGIN goes out with the first RUN (or COMMIT): one round trip saved */
    if (bolt_queue_begin(session->conn, &params, err) < 0)
    {
        free(tx);
        session_release_if_idle(session);
        return NULL;
    }
    tx->session = session;
    tx->begin_pending = true;
    session->tx = tx;
    return tx;
}

static int
tx_usable(neo4j_transaction *tx, neo4j_error *err)
{
    if (!tx->session || tx->finished)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE, "the transaction is closed");
    if (tx->failed)
    {
        *err = tx->failure;
        if (!err->code[0])
            neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE,
                            "the transaction failed earlier and must be rolled back");
        return -1;
    }
    return 0;
}

/* Reads BEGIN's answer if it is still outstanding. */
static int
tx_confirm_begin(neo4j_transaction *tx, neo4j_error *err)
{
    const neo4j_value *metadata = NULL;

    if (!tx->begin_pending)
        return 0;
    tx->begin_pending = false;
    if (expect_summary(tx->session, BOLT_BEGIN, &metadata, err) < 0)
    {
        tx->failed = true;
        tx->failure = *err;
        recover_after_failure(tx->session, tx);
        return -1;
    }
    /* Bolt 5.8: BEGIN's SUCCESS names the home database */
    if (tx->session->driver->uri.routing)
    {
        const neo4j_value *db = neo4j_map_get(metadata, "db");

        if (db && db->type == NEO4J_STRING && !tx->session->database)
        {
            char name[256];

            snprintf(name, sizeof name, "%.*s", (int) db->size, db->u.string);
            session_pin_database(tx->session, name);
        }
    }
    return 0;
}

neo4j_result *
neo4j_transaction_run(neo4j_transaction *tx, const char *cypher, const neo4j_value *params, neo4j_error *err)
{
    return neo4j_transaction_run_fetch(tx, cypher, params, 0, err);
}

neo4j_result *
neo4j_transaction_run_fetch(neo4j_transaction *tx, const char *cypher, const neo4j_value *params,
                            int64_t fetch_size, neo4j_error *err)
{
    neo4j_session *session = tx->session;
    neo4j_result *result;
    const neo4j_value *metadata;
    bolt_conn *conn;

    neo4j_error_clear(err);
    if (tx_usable(tx, err) < 0)
        return NULL;
    if (!cypher)
    {
        neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT, "the query text is missing");
        return NULL;
    }
    if (tx->n_results >= MAX_TX_RESULTS)
    {
        neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE,
                        "too many open results in one transaction (%d)", MAX_TX_RESULTS);
        return NULL;
    }
    conn = session->conn;
    if (tx_free_wire(tx, NULL, err) < 0)
        return NULL;
    result = result_new(session, tx);
    if (!result)
    {
        oom(err);
        return NULL;
    }
    if (fetch_size != 0)
        result->fetch_size = fetch_size;
    if (bolt_queue_run(conn, cypher, params, NULL, err) < 0 ||
        bolt_queue_pull(conn, result->fetch_size, -1, err) < 0 ||
        bolt_flush(conn, err) < 0 ||
        tx_confirm_begin(tx, err) < 0)
        goto fail;
    if (expect_summary(session, BOLT_RUN, &metadata, err) < 0)
    {
        tx->failed = true;
        tx->failure = *err;
        recover_after_failure(session, tx);
        goto fail;
    }
    if (result_take_run(result, metadata, err) < 0)
        goto fail;
    tx->results[tx->n_results++] = result;
    return result;

fail:
    if (conn->state == BOLT_DEFUNCT)
        tx->failed = true;
    neo4j_arena_free(&result->owned);
    free(result);
    return NULL;
}

static void
tx_finish(neo4j_transaction *tx)
{
    neo4j_session *session = tx->session;

    while (tx->n_results > 0)
    {
        neo4j_result *r = tx->results[0];

        if (r->state == RESULT_STREAMING || r->state == RESULT_PAUSED)
            neo4j_error_set(&r->error, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE,
                            "the transaction ended before the result was read"), r->state = RESULT_FAILED;
        result_detach(r);
    }
    tx->finished = true;
    if (session)
    {
        session->tx = NULL;
        session_release_if_idle(session);
    }
}

int
neo4j_transaction_commit(neo4j_transaction *tx, neo4j_error *err)
{
    neo4j_session *session = tx->session;
    const neo4j_value *metadata;
    int rc = 0;

    neo4j_error_clear(err);
    if (tx_usable(tx, err) < 0)
        return -1;
    /* open results are read to the end first, as the official drivers do */
    while (tx->n_results > 0)
        if (result_buffer_rest(tx->results[0], true, err) < 0)
        {
            tx->failed = true;
            tx->failure = *err;
            return -1;
        }
    if (bolt_queue_commit(session->conn, err) < 0 || bolt_flush(session->conn, err) < 0 ||
        tx_confirm_begin(tx, err) < 0)
        rc = -1;
    else if (expect_summary(session, BOLT_COMMIT, &metadata, err) < 0)
        rc = -1;
    else
        set_bookmark(session, neo4j_map_get(metadata, "bookmark"));
    tx_finish(tx);
    return rc;
}

int
neo4j_transaction_rollback(neo4j_transaction *tx, neo4j_error *err)
{
    neo4j_session *session = tx->session;
    bolt_conn *conn;
    int rc = 0;

    neo4j_error_clear(err);
    if (!session || tx->finished)
        return 0;
    conn = session->conn;
    if (tx->failed || conn->send_state != BOLT_TX_READY)
    {
        /* RESET rolls back whatever state the transaction is in */
        if (conn->state != BOLT_DEFUNCT)
            rc = bolt_reset(conn, err);
    }
    else if (bolt_queue_rollback(conn, err) < 0 || bolt_flush(conn, err) < 0 || tx_confirm_begin(tx, err) < 0 ||
             expect_summary(session, BOLT_ROLLBACK, NULL, err) < 0)
        rc = -1;
    tx_finish(tx);
    return rc;
}

void
neo4j_transaction_close(neo4j_transaction *tx)
{
    neo4j_error ignored;

    if (!tx)
        return;
    if (!tx->finished)
        neo4j_transaction_rollback(tx, &ignored);
    free(tx);
}

void
neo4j_session_close(neo4j_session *session)
{
    neo4j_error ignored;

    if (!session)
        return;
    if (session->auto_result)
    {
        neo4j_result *r = session->auto_result;

        neo4j_result_consume(r, &ignored);
        result_detach(r);
    }
    if (session->tx)
    {
        neo4j_transaction *tx = session->tx;

        neo4j_transaction_rollback(tx, &ignored);
        tx->session = NULL;
    }
    if (session->conn)
    {
        release_connection(session->driver, session->conn);
        session->conn = NULL;
    }
    free(session->database);
    free(session->impersonated_user);
    free_string_array(session->bookmarks, session->n_bookmarks);
    free(session->notifications_severity);
    free_string_array(session->notifications_categories,
                      neo4j_string_list_length((const char *const *) session->notifications_categories));
    free(session);
}
