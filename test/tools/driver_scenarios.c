/*
 * driver_scenarios — drives the driver API through named scenarios against
 * the scripted Bolt stub; prints what happened, one line per step, so the
 * conversation script can check both sides.
 *
 *   driver_scenarios SCENARIO URL
 *
 * Credentials: NEO4J_USER / NEO4J_PASSWORD as for neo4j-query.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bolt.h"
#include "neo4j.h"

static neo4j_driver *driver;

static void
print_error(const char *step, const neo4j_error *err)
{
    printf("%s: error %s category=%s: %s\n", step, err->code, neo4j_error_category_name(err->category),
           err->message);
}

static neo4j_session *
open_session(int fetch_size)
{
    neo4j_session_config cfg = {0};
    neo4j_error err;
    neo4j_session *s;

    cfg.fetch_size = fetch_size;
    s = neo4j_session_open(driver, &cfg, &err);
    if (!s)
        print_error("session", &err);
    return s;
}

/* Reads n records (all if n < 0) and prints their first value as an integer or string. */
static int
read_records(const char *name, neo4j_result *r, int n)
{
    const neo4j_value *rec;
    neo4j_error err;
    int rc = 1;

    for (int i = 0; (n < 0 || i < n) && (rc = neo4j_result_next(r, &rec, &err)) == 1; i++)
    {
        const neo4j_value *v = &rec->u.items[0];

        if (v->type == NEO4J_INT)
            printf("%s record %" PRId64 "\n", name, v->u.integer);
        else if (v->type == NEO4J_STRING)
            printf("%s record %.*s\n", name, (int) v->size, v->u.string);
        else
            printf("%s record <%s>\n", name, neo4j_type_name((neo4j_type) v->type));
    }
    if (rc < 0)
        print_error(name, &err);
    return rc;
}

/* Runs an auto-commit query and prints all its records; -1 after printing the error. */
static int
run_all(neo4j_session *s, const char *name, const char *error_step, const char *cypher)
{
    neo4j_error err;
    neo4j_result *r = neo4j_session_run(s, cypher, NULL, NULL, &err);

    if (!r)
    {
        print_error(error_step, &err);
        return -1;
    }
    read_records(name, r, -1);
    neo4j_result_close(r);
    return 0;
}

static void
print_bookmarks(neo4j_session *s)
{
    const char *const *b = neo4j_session_bookmarks(s);

    printf("bookmarks:");
    for (; *b; b++)
        printf(" %s", *b);
    printf("\n");
}

static int
scenario_discard(void)
{
    neo4j_session *s = open_session(2);
    neo4j_error err;
    neo4j_result *r;

    r = neo4j_session_run(s, "UNWIND range(1, 10) AS x RETURN x", NULL, NULL, &err);
    if (!r)
        return print_error("run", &err), 1;
    read_records("r", r, 1);
    if (neo4j_result_consume(r, &err) < 0)
        print_error("consume", &err);
    else
        printf("consumed: bookmark=%s\n", neo4j_result_summary(r)->bookmark);
    neo4j_result_close(r);
    neo4j_session_close(s);
    return 0;
}

static int
scenario_two_queries(void)
{
    neo4j_session *s = open_session(0);
    neo4j_error err;

    for (int i = 1; i <= 2; i++)
    {
        neo4j_result *r = neo4j_session_run(s, "RETURN 1 AS x", NULL, NULL, &err);

        if (!r)
            return print_error("run", &err), 1;
        read_records("q", r, -1);
        neo4j_result_close(r);
    }
    print_bookmarks(s);
    neo4j_session_close(s);
    return 0;
}

static int
scenario_failure_then_query(void)
{
    neo4j_session *s = open_session(0);
    neo4j_error err;
    neo4j_result *r;

    r = neo4j_session_run(s, "RETRUN 1", NULL, NULL, &err);
    if (r)
        return printf("unexpected success\n"), 1;
    print_error("first", &err);
    printf("syntax error: %s\n", neo4j_error_is_syntax(&err) ? "yes" : "no");
    if (run_all(s, "second", "second", "RETURN 1 AS x") < 0)
        return 1;
    neo4j_session_close(s);
    return 0;
}

static int
scenario_failure_mid_stream(void)
{
    neo4j_session *s = open_session(0);

    if (run_all(s, "r", "run", "UNWIND [1, 0] AS x RETURN 1 / x AS y") < 0)
        return 1;
    if (run_all(s, "after", "after", "RETURN 2 AS x") < 0)
        return 1;
    neo4j_session_close(s);
    return 0;
}

static int
scenario_transaction(void)
{
    neo4j_session *s = open_session(0);
    neo4j_error err;
    neo4j_transaction *tx;
    neo4j_result *r;
    neo4j_map_entry meta_entries[1] = { { neo4j_string("app"), neo4j_string("test") } };
    neo4j_value meta = neo4j_map(meta_entries, 1);
    neo4j_tx_config txc = { .timeout_ms = 5000, .metadata = &meta };
    neo4j_map_entry param_entries[1] = { { neo4j_string("name"), neo4j_string("Alice") } };
    neo4j_value params = neo4j_map(param_entries, 1);

    tx = neo4j_session_begin(s, &txc, &err);
    if (!tx)
        return print_error("begin", &err), 1;
    r = neo4j_session_run(s, "RETURN 1", NULL, NULL, &err);
    if (!r)
        print_error("auto-commit inside tx", &err);
    r = neo4j_transaction_run(tx, "CREATE (p:Person {name: $name}) RETURN p.name AS name", &params, &err);
    if (!r)
        return print_error("tx run", &err), 1;
    read_records("tx", r, -1);
    neo4j_result_close(r);
    if (neo4j_transaction_commit(tx, &err) < 0)
        print_error("commit", &err);
    else
        printf("committed\n");
    neo4j_transaction_close(tx);
    print_bookmarks(s);
    /* the next auto-commit query carries the bookmark */
    if (run_all(s, "after", "after", "MATCH (p:Person) RETURN count(p) AS n") < 0)
        return 1;
    neo4j_session_close(s);
    return 0;
}

static int
scenario_interleaved_results(void)
{
    neo4j_session *s = open_session(1);
    neo4j_error err;
    neo4j_transaction *tx;
    neo4j_result *a, *b;

    tx = neo4j_session_begin(s, NULL, &err);
    if (!tx)
        return print_error("begin", &err), 1;
    a = neo4j_transaction_run(tx, "UNWIND [1, 2, 3] AS x RETURN x", NULL, &err);
    if (!a)
        return print_error("a", &err), 1;
    read_records("a", a, 1);
    b = neo4j_transaction_run(tx, "UNWIND [10, 20] AS y RETURN y", NULL, &err);
    if (!b)
        return print_error("b", &err), 1;
    read_records("a", a, -1);
    read_records("b", b, -1);
    neo4j_result_close(a);
    neo4j_result_close(b);
    if (neo4j_transaction_rollback(tx, &err) < 0)
        print_error("rollback", &err);
    else
        printf("rolled back\n");
    neo4j_transaction_close(tx);
    neo4j_session_close(s);
    return 0;
}

static int
scenario_rollback_after_failure(void)
{
    neo4j_session *s = open_session(0);
    neo4j_error err;
    neo4j_transaction *tx;
    neo4j_result *r;

    tx = neo4j_session_begin(s, NULL, &err);
    if (!tx)
        return print_error("begin", &err), 1;
    r = neo4j_transaction_run(tx, "CREATE (:X {v: 1/0})", NULL, &err);
    if (r)
        return printf("unexpected success\n"), 1;
    print_error("tx run", &err);
    r = neo4j_transaction_run(tx, "RETURN 1", NULL, &err);
    if (!r)
        print_error("tx run again", &err);
    if (neo4j_transaction_commit(tx, &err) < 0)
        print_error("commit", &err);
    if (neo4j_transaction_rollback(tx, &err) < 0)
        print_error("rollback", &err);
    else
        printf("rolled back\n");
    neo4j_transaction_close(tx);
    if (run_all(s, "after", "after", "RETURN 1 AS x") < 0)
        return 1;
    neo4j_session_close(s);
    return 0;
}

/* Session settings travel in BEGIN and in auto-commit RUN. */
static int
scenario_session_settings(void)
{
    const char *bookmarks[] = { "FB:0", NULL };
    const char *categories[] = { "HINT", NULL };
    neo4j_session_config cfg = {
        .database = "movies", .access_mode = NEO4J_ACCESS_READ, .bookmarks = bookmarks,
        .impersonated_user = "alice", .notifications_minimum_severity = "WARNING",
        .notifications_disabled_categories = categories,
    };
    neo4j_error err;
    neo4j_session *s = neo4j_session_open(driver, &cfg, &err);
    neo4j_transaction *tx;
    neo4j_result *r;

    if (!s)
        return print_error("session", &err), 1;
    tx = neo4j_session_begin(s, NULL, &err);
    if (!tx)
        return print_error("begin", &err), 1;
    r = neo4j_transaction_run(tx, "MATCH (m:Movie) RETURN count(m) AS n", NULL, &err);
    if (!r)
        return print_error("tx run", &err), 1;
    read_records("tx", r, -1);
    neo4j_result_close(r);
    if (neo4j_transaction_commit(tx, &err) < 0)
        print_error("commit", &err);
    neo4j_transaction_close(tx);
    r = neo4j_session_run(s, "RETURN 1 AS x", NULL, NULL, &err);
    if (!r)
        return print_error("run", &err), 1;
    read_records("auto", r, -1);
    printf("database: %s\n", neo4j_result_summary(r)->database);
    neo4j_result_close(r);
    neo4j_session_close(s);
    return 0;
}

/* Interrupts the first wait that lasts beyond 300 ms, once (like a query cancel). */
static int64_t interrupt_at_ms = -1;

static bool
interrupt_once(void *ctx)
{
    if (interrupt_at_ms < 0 || neo4j_now_ms() < interrupt_at_ms)
        return false;
    interrupt_at_ms = -1;
    return true;
}

static int
scenario_cancel(void)
{
    neo4j_session *s = open_session(0);
    neo4j_error err;
    neo4j_result *r;
    int64_t started;

    r = neo4j_session_run(s, "UNWIND range(1, 1000000) AS x RETURN x", NULL, NULL, &err);
    if (!r)
        return print_error("run", &err), 1;
    started = neo4j_now_ms();
    interrupt_at_ms = started + 300;
    read_records("r", r, -1);
    printf("interrupted within a second: %s\n", neo4j_now_ms() - started < 1000 ? "yes" : "no");
    neo4j_result_close(r);
    if (run_all(s, "after", "after", "RETURN 2 AS x") < 0)
        return 1;
    neo4j_session_close(s);
    return 0;
}

static int
scenario_verify(void)
{
    neo4j_error err;

    if (neo4j_driver_verify_connectivity(driver, &err) < 0)
        return print_error("verify", &err), 1;
    printf("connectivity ok\n");
    return 0;
}

/* Bolt-level requests the public API does not expose yet: ROUTE, LOGOFF/LOGON. */
static int
scenario_bolt_messages(void)
{
    neo4j_config config;
    neo4j_auth auth = neo4j_auth_basic("neo4j", "pass", NULL);
    neo4j_auth other = neo4j_auth_bearer("token-2");
    neo4j_routing_param routing[2] = { { "address", "db.example.com:7687" }, { "region", "eu" } };
    const char *bookmarks[] = { "FB:1", NULL };
    bolt_connect_params params = {0};
    bolt_response resp;
    neo4j_error err;
    bolt_conn *conn;

    neo4j_config_init(&config);
    params.host = getenv("STUB_HOST");
    params.port = atoi(getenv("STUB_PORT"));
    params.auth = &auth;
    params.config = &config;
    params.routing = routing;
    params.n_routing = 2;
    if (bolt_connect(&params, &conn, &err) < 0)
        return print_error("connect", &err), 1;
    printf("connected: Bolt %d.%d\n", conn->major, conn->minor);
    if (bolt_queue_route(conn, routing, 2, bookmarks, "movies", "alice", &err) < 0 || bolt_flush(conn, &err) < 0 ||
        bolt_recv(conn, &resp, &err) < 0)
        return print_error("route", &err), 1;
    if (resp.signature == BOLT_SUCCESS)
    {
        const neo4j_value *rt = neo4j_map_get(resp.metadata, "rt");
        const neo4j_value *ttl = rt ? neo4j_map_get(rt, "ttl") : NULL;
        const neo4j_value *db = rt ? neo4j_map_get(rt, "db") : NULL;

        printf("route: ttl=%" PRId64 " db=%.*s\n", ttl ? ttl->u.integer : -1, db ? (int) db->size : 0,
               db ? db->u.string : "");
    }
    if (bolt_queue_logoff(conn, &err) < 0 || bolt_queue_logon(conn, &other, &err) < 0 || bolt_sync(conn, &err) < 0)
        print_error("re-auth", &err);
    else
        printf("re-authenticated: %s\n", bolt_state_name(conn->state));
    if (bolt_queue_logon(conn, &other, &err) < 0)
        printf("second LOGON refused: %s\n", err.message);
    bolt_close(conn);
    return 0;
}

/*
 * neo4j:// routing: runs the steps of $STEPS, separated by ';':
 *   read[@DB]:QUERY   a READ session (home database without @DB) runs QUERY
 *   write[@DB]:QUERY  the same as a WRITE session
 *   table[@DB]        prints the driver's routing table of DB (home without @DB)
 *   sleep:SECONDS
 * $BOOKMARK and $IMP_USER apply to every session. Prints records, the
 * server agent and database of each query, and errors.
 */
static void
routing_query(neo4j_access_mode mode, const char *db, const char *query)
{
    const char *label = mode == NEO4J_ACCESS_READ ? "read" : "write";
    const char *bookmarks[] = { getenv("BOOKMARK"), NULL };
    neo4j_session_config cfg = {0};
    const neo4j_summary *sum;
    neo4j_error err;
    neo4j_session *s;
    neo4j_result *r;

    cfg.database = db;
    cfg.access_mode = mode;
    cfg.bookmarks = bookmarks[0] ? bookmarks : NULL;
    cfg.impersonated_user = getenv("IMP_USER");
    if (!(s = neo4j_session_open(driver, &cfg, &err)))
    {
        print_error(label, &err);
        return;
    }
    if (!(r = neo4j_session_run(s, query, NULL, NULL, &err)))
        print_error(label, &err);
    else
    {
        if (read_records(label, r, -1) == 0 && (sum = neo4j_result_summary(r)))
            printf("%s: done by %s db=%s\n", label, sum->server_agent ? sum->server_agent : "?",
                   sum->database ? sum->database : "?");
        neo4j_result_close(r);
    }
    neo4j_session_close(s);
}

static void
routing_print_table(const char *db)
{
    neo4j_routing_table_info *info = malloc(sizeof *info);
    const char *bookmarks[] = { getenv("BOOKMARK"), NULL };
    neo4j_error err;

    if (!info)
        return;
    if (neo4j_driver_routing_table(driver, db, bookmarks[0] ? bookmarks : NULL, info, &err) < 0)
        print_error("table", &err);
    else
    {
        printf("table %s ttl=%" PRId64 ":", info->database, info->ttl_ms / 1000);
        for (size_t i = 0; i < info->n_servers; i++)
            printf(" %s=%s", info->servers[i].role, info->servers[i].address);
        printf("\n");
    }
    free(info);
}

static int
scenario_routing(void)
{
    const char *steps = getenv("STEPS");
    char *copy, *save = NULL;

    if (!steps)
        return fprintf(stderr, "routing: set STEPS\n"), 2;
    copy = strdup(steps);
    for (char *step = strtok_r(copy, ";", &save); step; step = strtok_r(NULL, ";", &save))
    {
        char *arg = strchr(step, ':');
        char *db;

        while (*step == ' ')
            step++;
        if (arg)
            *arg++ = '\0';
        if ((db = strchr(step, '@')))
            *db++ = '\0';
        if (strcmp(step, "read") == 0 || strcmp(step, "write") == 0)
            routing_query(step[0] == 'r' ? NEO4J_ACCESS_READ : NEO4J_ACCESS_WRITE, db, arg ? arg : "RETURN 1");
        else if (strcmp(step, "table") == 0)
            routing_print_table(db);
        else if (strcmp(step, "sleep") == 0 && arg)
        {
            struct timespec ts;
            double secs = atof(arg);

            ts.tv_sec = (time_t) secs;
            ts.tv_nsec = (long) ((secs - (double) ts.tv_sec) * 1e9);
            nanosleep(&ts, NULL);
        }
        else
        {
            fprintf(stderr, "routing: bad step %s\n", step);
            free(copy);
            return 2;
        }
    }
    printf("idle connections: %zu\n", neo4j_driver_idle_connections(driver));
    free(copy);
    return 0;
}

static const struct { const char *name; int (*run)(void); } scenarios[] = {
    { "routing", scenario_routing },
    { "bolt-messages", scenario_bolt_messages },
    { "discard", scenario_discard },
    { "two-queries", scenario_two_queries },
    { "failure-then-query", scenario_failure_then_query },
    { "failure-mid-stream", scenario_failure_mid_stream },
    { "transaction", scenario_transaction },
    { "interleaved-results", scenario_interleaved_results },
    { "rollback-after-failure", scenario_rollback_after_failure },
    { "verify", scenario_verify },
    { "cancel", scenario_cancel },
    { "session-settings", scenario_session_settings },
};

int
main(int argc, char **argv)
{
    neo4j_config config;
    neo4j_auth auth;
    neo4j_error err;
    const char *user = getenv("NEO4J_USER"), *password = getenv("NEO4J_PASSWORD");
    int rc = 2;

    if (argc != 3)
    {
        fprintf(stderr, "usage: driver_scenarios SCENARIO URL\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    neo4j_config_init(&config);
    config.interrupted = interrupt_once;
    if (getenv("LIVENESS_CHECK_MS"))
        config.liveness_check_timeout_ms = atoi(getenv("LIVENESS_CHECK_MS"));
    if (getenv("ACQUISITION_TIMEOUT_MS"))
        config.connection_acquisition_timeout_ms = atoi(getenv("ACQUISITION_TIMEOUT_MS"));
    if (getenv("MAX_LIFETIME_MS"))
        config.max_connection_lifetime_ms = atoi(getenv("MAX_LIFETIME_MS"));
    auth = user ? neo4j_auth_basic(user, password ? password : "", NULL) : neo4j_auth_none();
    driver = neo4j_driver_new(argv[2], &auth, &config, &err);
    if (!driver)
        return print_error("driver", &err), 3;
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        if (strcmp(scenarios[i].name, argv[1]) == 0)
            rc = scenarios[i].run();
    if (rc == 2)
        fprintf(stderr, "unknown scenario %s\n", argv[1]);
    neo4j_driver_close(driver);
    return rc;
}
