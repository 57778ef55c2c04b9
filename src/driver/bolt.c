/*
 * bolt.c — one Bolt connection: handshake, chunked framing, request queue,
 * responses and the server state machine.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>

#include "bolt.h"

#define BOLT_MAGIC 0x6060B017u
#define BOLT_MAX_CHUNK 65535
#define BOLT_IN_INITIAL (128 * 1024)
#define PRODUCT_NAME "neo4j-fdw"
#define BOLT_INTERRUPT_RESET_TIMEOUT_MS 10000

int64_t
neo4j_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
bolt_state_name(bolt_state state)
{
    static const char *const names[] = {
        "DISCONNECTED", "NEGOTIATION", "AUTHENTICATION", "READY", "STREAMING",
        "TX_READY", "TX_STREAMING", "FAILED", "INTERRUPTED", "DEFUNCT"
    };
    return (unsigned) state < sizeof names / sizeof names[0] ? names[state] : "UNKNOWN";
}

const char *
bolt_message_name(uint8_t signature)
{
    switch (signature)
    {
        case BOLT_HELLO: return "HELLO";
        case BOLT_GOODBYE: return "GOODBYE";
        case BOLT_RESET: return "RESET";
        case BOLT_RUN: return "RUN";
        case BOLT_BEGIN: return "BEGIN";
        case BOLT_COMMIT: return "COMMIT";
        case BOLT_ROLLBACK: return "ROLLBACK";
        case BOLT_DISCARD: return "DISCARD";
        case BOLT_PULL: return "PULL";
        case BOLT_TELEMETRY: return "TELEMETRY";
        case BOLT_ROUTE: return "ROUTE";
        case BOLT_LOGON: return "LOGON";
        case BOLT_LOGOFF: return "LOGOFF";
        case BOLT_SUCCESS: return "SUCCESS";
        case BOLT_RECORD: return "RECORD";
        case BOLT_IGNORED: return "IGNORED";
        case BOLT_FAILURE: return "FAILURE";
    }
    return "UNKNOWN";
}

/* ------------------------------------------------------------------ logging */

static bool
log_enabled(const bolt_conn *conn, neo4j_log_level level)
{
    return conn->log != NULL && level <= conn->log_level;
}

static void
conn_log(const bolt_conn *conn, neo4j_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
conn_log(const bolt_conn *conn, neo4j_log_level level, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (!log_enabled(conn, level))
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    conn->log(conn->log_ctx, level, line);
}

/*
 * Trace of one message as it is on the wire: "C: RUN "..." {...} {}".
 * Credentials are masked in the messages that carry them.
 */
static void
trace_message(bolt_conn *conn, const char *side, const uint8_t *data, size_t len)
{
    neo4j_arena arena;
    neo4j_buf text;
    neo4j_error err;
    uint8_t sig;
    const neo4j_value *fields;
    uint32_t nfields;

    neo4j_arena_init(&arena);
    neo4j_buf_init(&text);
    if (ps_unpack_message(data, len, &arena, &conn->ps, &sig, &fields, &nfields, &err) == 0)
    {
        bool mask = (sig == BOLT_HELLO || sig == BOLT_LOGON) && side[0] == 'C';

        neo4j_buf_append(&text, side, strlen(side));
        neo4j_buf_append(&text, ": ", 2);
        neo4j_buf_append(&text, bolt_message_name(sig), strlen(bolt_message_name(sig)));
        for (uint32_t i = 0; i < nfields; i++)
        {
            neo4j_buf_append(&text, " ", 1);
            if (mask && fields[i].type == NEO4J_MAP)
            {
                /* copy the map with the credentials replaced */
                neo4j_map_entry *copy = neo4j_arena_alloc(&arena, sizeof *copy * (fields[i].size + 1));
                neo4j_value masked;

                if (!copy)
                    break;
                for (uint32_t j = 0; j < fields[i].size; j++)
                {
                    copy[j] = fields[i].u.entries[j];
                    if (neo4j_string_equals(&copy[j].key, "credentials"))
                        copy[j].value = neo4j_string("******");
                }
                masked = neo4j_map(copy, fields[i].size);
                neo4j_value_describe(&text, &masked, 2000);
            }
            else
                neo4j_value_describe(&text, &fields[i], 2000);
        }
        neo4j_buf_append(&text, "", 1);
        if (!text.failed)
            conn->log(conn->log_ctx, NEO4J_LOG_TRACE, (const char *) text.data);
    }
    else
        conn_log(conn, NEO4J_LOG_TRACE, "%s: <undecodable message of %zu bytes: %s>", side, len, err.message);
    neo4j_buf_free(&text);
    neo4j_arena_free(&arena);
}

/* ------------------------------------------------------------------ errors */

static int
defunct(bolt_conn *conn, neo4j_error *err)
{
    conn->state = conn->send_state = BOLT_DEFUNCT;
    conn_log(conn, NEO4J_LOG_DEBUG, "connection to %s is defunct: %s", conn->address, err ? err->message : "");
    return -1;
}

static int
protocol_error(bolt_conn *conn, neo4j_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
protocol_error(bolt_conn *conn, neo4j_error *err, const char *fmt, ...)
{
    char text[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    neo4j_error_set(err, NEO4J_ERROR_PROTOCOL, NEO4J_CODE_PROTOCOL, "Bolt protocol violation by %s: %s",
                    conn->address, text);
    return defunct(conn, err);
}

static void
copy_string_value(char *dst, size_t cap, const neo4j_value *v)
{
    size_t n = 0;

    if (v && v->type == NEO4J_STRING)
    {
        n = v->size < cap - 1 ? v->size : cap - 1;
        memcpy(dst, v->u.string, n);
    }
    dst[n] = '\0';
}

void
bolt_failure_to_error(const neo4j_value *metadata, neo4j_error *err)
{
    const neo4j_value *code = NULL, *message = NULL, *gql = NULL;

    neo4j_error_clear(err);
    if (metadata && metadata->type == NEO4J_MAP)
    {
        code = neo4j_map_get(metadata, "neo4j_code");
        if (!code)
            code = neo4j_map_get(metadata, "code");
        message = neo4j_map_get(metadata, "message");
        if (!message)
            message = neo4j_map_get(metadata, "description");
        gql = neo4j_map_get(metadata, "gql_status");
    }
    copy_string_value(err->code, sizeof err->code, code);
    if (!err->code[0])
        snprintf(err->code, sizeof err->code, "Neo.DatabaseError.General.UnknownError");
    copy_string_value(err->message, sizeof err->message, message);
    copy_string_value(err->gql_status, sizeof err->gql_status, gql);
    err->category = neo4j_error_category_for_code(err->code);
}

/* ------------------------------------------------------------------ output */

static void
begin_message(bolt_conn *conn, uint8_t signature, uint8_t nfields)
{
    neo4j_buf_reset(&conn->scratch);
    ps_pack_struct_header(&conn->scratch, nfields, signature);
}

/* Splits the packed message into chunks in the output buffer and records that
 * it expects a summary. */
static int
end_message(bolt_conn *conn, uint8_t signature, bool expects_response, neo4j_error *err)
{
    const uint8_t *p = conn->scratch.data;
    size_t left = conn->scratch.len;

    if (conn->scratch.failed)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY, "out of memory packing %s",
                               bolt_message_name(signature));
    if (expects_response && conn->pending_count >= BOLT_MAX_PENDING)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE,
                               "too many pipelined requests (%d)", BOLT_MAX_PENDING);
    if (log_enabled(conn, NEO4J_LOG_TRACE))
        trace_message(conn, "C", conn->scratch.data, conn->scratch.len);

    neo4j_buf_reserve(&conn->out, left + 2 * (left / BOLT_MAX_CHUNK + 1) + 2);
    while (left > 0)
    {
        size_t n = left > BOLT_MAX_CHUNK ? BOLT_MAX_CHUNK : left;
        uint8_t header[2] = { (uint8_t) (n >> 8), (uint8_t) n };

        neo4j_buf_append(&conn->out, header, 2);
        neo4j_buf_append(&conn->out, p, n);
        p += n;
        left -= n;
    }
    neo4j_buf_append(&conn->out, "\0\0", 2);
    if (conn->out.failed)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY, "out of memory queueing %s",
                               bolt_message_name(signature));
    if (expects_response)
    {
        conn->pending[(conn->pending_head + conn->pending_count) % BOLT_MAX_PENDING] = signature;
        conn->pending_count++;
    }
    return 0;
}

int
bolt_flush(bolt_conn *conn, neo4j_error *err)
{
    if (conn->out.len == 0)
        return 0;
    if (conn->state == BOLT_DEFUNCT || !conn->sock)
        return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_SERVICE_UNAVAILABLE,
                               "the connection to %s is closed", conn->address);
    if (neo4j_net_write(conn->sock, conn->out.data, conn->out.len, -1, err) < 0)
        return defunct(conn, err);
    neo4j_buf_reset(&conn->out);
    conn->last_used_ms = neo4j_now_ms();
    return 0;
}

/* ------------------------------------------------------------------ state checks */

static int
illegal(bolt_conn *conn, uint8_t signature, neo4j_error *err)
{
    if (conn->send_state == BOLT_DEFUNCT || conn->send_state == BOLT_DISCONNECTED)
        return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_SERVICE_UNAVAILABLE,
                               "cannot send %s: the connection to %s is closed", bolt_message_name(signature),
                               conn->address);
    if (conn->send_state == BOLT_FAILED)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE,
                               "cannot send %s: the connection is FAILED and must be RESET first",
                               bolt_message_name(signature));
    return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE,
                           "%s is not allowed in state %s", bolt_message_name(signature),
                           bolt_state_name(conn->send_state));
}

static bool
version_at_least(const bolt_conn *conn, int major, int minor)
{
    return conn->major > major || (conn->major == major && conn->minor >= minor);
}

/* ------------------------------------------------------------------ request packing helpers */

static void
pack_key(neo4j_buf *buf, const char *key)
{
    ps_pack_cstring(buf, key);
}

size_t
neo4j_string_list_length(const char *const *list)
{
    size_t n = 0;

    while (list && list[n])
        n++;
    return n;
}

static void
pack_string_list(neo4j_buf *buf, const char *const *list)
{
    size_t n = neo4j_string_list_length(list);

    ps_pack_list_header(buf, (uint32_t) n);
    for (size_t i = 0; i < n; i++)
        ps_pack_cstring(buf, list[i]);
}

static void
pack_routing(neo4j_buf *buf, const neo4j_routing_param *routing, size_t n)
{
    ps_pack_map_header(buf, (uint32_t) n);
    for (size_t i = 0; i < n; i++)
    {
        ps_pack_cstring(buf, routing[i].key);
        ps_pack_cstring(buf, routing[i].value);
    }
}

/* The extra map of BEGIN and auto-commit RUN. */
static int
pack_tx_extra(bolt_conn *conn, const bolt_tx_params *tx, neo4j_error *err)
{
    neo4j_buf *buf = &conn->scratch;
    bool bookmarks, timeout, metadata, db, mode, imp, severity, categories;
    uint32_t n;

    if (!tx)
    {
        ps_pack_map_header(buf, 0);
        return 0;
    }
    bookmarks = neo4j_string_list_length(tx->bookmarks) > 0;
    timeout = tx->tx_timeout_ms >= 0;
    metadata = tx->tx_metadata && tx->tx_metadata->type == NEO4J_MAP && tx->tx_metadata->size > 0;
    db = tx->database && tx->database[0];
    mode = tx->mode == NEO4J_ACCESS_READ;
    imp = tx->impersonated_user && tx->impersonated_user[0];
    severity = version_at_least(conn, 5, 2) && tx->notifications_minimum_severity;
    categories = version_at_least(conn, 5, 2) && tx->notifications_disabled_categories;
    n = bookmarks + timeout + metadata + db + mode + imp + severity + categories;

    ps_pack_map_header(buf, n);
    if (bookmarks)
    {
        pack_key(buf, "bookmarks");
        pack_string_list(buf, tx->bookmarks);
    }
    if (timeout)
    {
        pack_key(buf, "tx_timeout");
        ps_pack_int(buf, tx->tx_timeout_ms);
    }
    if (metadata)
    {
        pack_key(buf, "tx_metadata");
        if (ps_pack_value(buf, tx->tx_metadata, &conn->ps, err) < 0)
            return -1;
    }
    if (db)
    {
        pack_key(buf, "db");
        ps_pack_cstring(buf, tx->database);
    }
    if (mode)
    {
        pack_key(buf, "mode");
        ps_pack_cstring(buf, "r");
    }
    if (imp)
    {
        pack_key(buf, "imp_user");
        ps_pack_cstring(buf, tx->impersonated_user);
    }
    if (severity)
    {
        pack_key(buf, "notifications_minimum_severity");
        ps_pack_cstring(buf, tx->notifications_minimum_severity);
    }
    if (categories)
    {
        pack_key(buf, version_at_least(conn, 5, 6) ? "notifications_disabled_classifications"
                                                   : "notifications_disabled_categories");
        pack_string_list(buf, tx->notifications_disabled_categories);
    }
    return 0;
}

/* ------------------------------------------------------------------ requests */

int
bolt_queue_run(bolt_conn *conn, const char *cypher, const neo4j_value *params, const bolt_tx_params *tx,
               neo4j_error *err)
{
    bolt_state next;

    if (conn->send_state == BOLT_READY && tx)
        next = BOLT_STREAMING;
    else if ((conn->send_state == BOLT_TX_READY || conn->send_state == BOLT_TX_STREAMING) && !tx)
        next = BOLT_TX_STREAMING;
    else
        return illegal(conn, BOLT_RUN, err);
    if (params && params->type != NEO4J_MAP && params->type != NEO4J_NULL)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                               "query parameters must be a map, not %s", neo4j_type_name(params->type));

    begin_message(conn, BOLT_RUN, 3);
    ps_pack_cstring(&conn->scratch, cypher);
    if (params && params->type == NEO4J_MAP)
    {
        if (ps_pack_value(&conn->scratch, params, &conn->ps, err) < 0)
            return -1;
    }
    else
        ps_pack_map_header(&conn->scratch, 0);
    if (pack_tx_extra(conn, tx, err) < 0 || end_message(conn, BOLT_RUN, true, err) < 0)
        return -1;
    conn->send_state = next;
    return 0;
}

static int
queue_pull_or_discard(bolt_conn *conn, uint8_t signature, int64_t n, int64_t qid, neo4j_error *err)
{
    if (conn->send_state != BOLT_STREAMING && conn->send_state != BOLT_TX_STREAMING)
        return illegal(conn, signature, err);
    begin_message(conn, signature, 1);
    ps_pack_map_header(&conn->scratch, qid != -1 ? 2 : 1);
    pack_key(&conn->scratch, "n");
    ps_pack_int(&conn->scratch, n);
    if (qid != -1)
    {
        pack_key(&conn->scratch, "qid");
        ps_pack_int(&conn->scratch, qid);
    }
    return end_message(conn, signature, true, err);
}

int
bolt_queue_pull(bolt_conn *conn, int64_t n, int64_t qid, neo4j_error *err)
{
    return queue_pull_or_discard(conn, BOLT_PULL, n, qid, err);
}

int
bolt_queue_discard(bolt_conn *conn, int64_t n, int64_t qid, neo4j_error *err)
{
    return queue_pull_or_discard(conn, BOLT_DISCARD, n, qid, err);
}

int
bolt_queue_begin(bolt_conn *conn, const bolt_tx_params *tx, neo4j_error *err)
{
    if (conn->send_state != BOLT_READY)
        return illegal(conn, BOLT_BEGIN, err);
    begin_message(conn, BOLT_BEGIN, 1);
    if (pack_tx_extra(conn, tx, err) < 0 || end_message(conn, BOLT_BEGIN, true, err) < 0)
        return -1;
    conn->send_state = BOLT_TX_READY;
    return 0;
}

static int
queue_tx_end(bolt_conn *conn, uint8_t signature, neo4j_error *err)
{
    if (conn->send_state != BOLT_TX_READY)
        return illegal(conn, signature, err);
    begin_message(conn, signature, 0);
    if (end_message(conn, signature, true, err) < 0)
        return -1;
    conn->send_state = BOLT_READY;
    return 0;
}

int
bolt_queue_commit(bolt_conn *conn, neo4j_error *err)
{
    return queue_tx_end(conn, BOLT_COMMIT, err);
}

int
bolt_queue_rollback(bolt_conn *conn, neo4j_error *err)
{
    return queue_tx_end(conn, BOLT_ROLLBACK, err);
}

int
bolt_queue_reset(bolt_conn *conn, neo4j_error *err)
{
    if (conn->send_state == BOLT_DEFUNCT || conn->send_state == BOLT_DISCONNECTED ||
        conn->send_state == BOLT_NEGOTIATION || conn->send_state == BOLT_AUTHENTICATION)
        return illegal(conn, BOLT_RESET, err);
    begin_message(conn, BOLT_RESET, 0);
    if (end_message(conn, BOLT_RESET, true, err) < 0)
        return -1;
    conn->send_state = BOLT_READY;
    return 0;
}

int
bolt_queue_route(bolt_conn *conn, const neo4j_routing_param *routing, size_t n_routing,
                 const char *const *bookmarks, const char *database, const char *impersonated_user,
                 neo4j_error *err)
{
    neo4j_buf *buf = &conn->scratch;

    if (conn->send_state != BOLT_READY)
        return illegal(conn, BOLT_ROUTE, err);
    begin_message(conn, BOLT_ROUTE, 3);
    pack_routing(buf, routing, n_routing);
    pack_string_list(buf, bookmarks);
    /* 4.4+: the third field is a map {db, imp_user} */
    {
        bool db = database && database[0];
        bool imp = impersonated_user && impersonated_user[0];

        ps_pack_map_header(buf, db + imp);
        if (db)
        {
            pack_key(buf, "db");
            ps_pack_cstring(buf, database);
        }
        if (imp)
        {
            pack_key(buf, "imp_user");
            ps_pack_cstring(buf, impersonated_user);
        }
    }
    return end_message(conn, BOLT_ROUTE, true, err);
}

int
bolt_queue_telemetry(bolt_conn *conn, int api, neo4j_error *err)
{
    if (!conn->telemetry_enabled || !version_at_least(conn, 5, 4))
        return 0;
    if (conn->send_state != BOLT_READY)
        return illegal(conn, BOLT_TELEMETRY, err);
    begin_message(conn, BOLT_TELEMETRY, 1);
    ps_pack_int(&conn->scratch, api);
    return end_message(conn, BOLT_TELEMETRY, true, err);
}

static void
pack_auth(neo4j_buf *buf, const neo4j_auth *auth, int extra_keys)
{
    bool principal = auth->principal != NULL;
    bool credentials = auth->credentials != NULL;
    bool realm = auth->realm && auth->realm[0];

    ps_pack_map_header(buf, 1 + principal + credentials + realm + extra_keys);
    pack_key(buf, "scheme");
    ps_pack_cstring(buf, auth->scheme ? auth->scheme : "none");
    if (principal)
    {
        pack_key(buf, "principal");
        ps_pack_cstring(buf, auth->principal);
    }
    if (credentials)
    {
        pack_key(buf, "credentials");
        ps_pack_cstring(buf, auth->credentials);
    }
    if (realm)
    {
        pack_key(buf, "realm");
        ps_pack_cstring(buf, auth->realm);
    }
}

int
bolt_queue_logon(bolt_conn *conn, const neo4j_auth *auth, neo4j_error *err)
{
    if (!version_at_least(conn, 5, 1))
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_UNSUPPORTED,
                               "LOGON needs Bolt 5.1+, this connection speaks %d.%d", conn->major, conn->minor);
    if (conn->send_state != BOLT_AUTHENTICATION)
        return illegal(conn, BOLT_LOGON, err);
    begin_message(conn, BOLT_LOGON, 1);
    pack_auth(&conn->scratch, auth, 0);
    if (end_message(conn, BOLT_LOGON, true, err) < 0)
        return -1;
    conn->send_state = BOLT_READY;
    return 0;
}

int
bolt_queue_logoff(bolt_conn *conn, neo4j_error *err)
{
    if (!version_at_least(conn, 5, 1))
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_UNSUPPORTED,
                               "LOGOFF needs Bolt 5.1+, this connection speaks %d.%d", conn->major, conn->minor);
    if (conn->send_state != BOLT_READY)
        return illegal(conn, BOLT_LOGOFF, err);
    begin_message(conn, BOLT_LOGOFF, 0);
    if (end_message(conn, BOLT_LOGOFF, true, err) < 0)
        return -1;
    conn->send_state = BOLT_AUTHENTICATION;
    return 0;
}

static void
platform_string(char *out, size_t cap)
{
    struct utsname u;

    if (uname(&u) == 0)
        snprintf(out, cap, "%s %s; %s", u.sysname, u.release, u.machine);
    else
        snprintf(out, cap, "unknown");
}

static int
queue_hello(bolt_conn *conn, const bolt_connect_params *params, neo4j_error *err)
{
    neo4j_buf *buf = &conn->scratch;
    const neo4j_config *cfg = params->config;
    bool auth_in_hello = !version_at_least(conn, 5, 1);
    bool bolt_agent = version_at_least(conn, 5, 3);
    bool filters = version_at_least(conn, 5, 2);
    bool severity = filters && cfg->notifications_minimum_severity;
    bool categories = filters && cfg->notifications_disabled_categories;
    bool routing = params->routing != NULL;
    bool patch = conn->major == 4;
    int keys = 1 + bolt_agent + routing + severity + categories + patch;

    begin_message(conn, BOLT_HELLO, 1);
    if (auth_in_hello)
        pack_auth(buf, params->auth, keys);
    else
        ps_pack_map_header(buf, (uint32_t) keys);
    pack_key(buf, "user_agent");
    ps_pack_cstring(buf, cfg->user_agent ? cfg->user_agent : PRODUCT_NAME "/" NEO4J_DRIVER_VERSION);
    if (bolt_agent)
    {
        char platform[256], language[64];

        platform_string(platform, sizeof platform);
        snprintf(language, sizeof language, "C/%ld", (long) __STDC_VERSION__);
        pack_key(buf, "bolt_agent");
        ps_pack_map_header(buf, 4);
        pack_key(buf, "product");
        ps_pack_cstring(buf, PRODUCT_NAME "/" NEO4J_DRIVER_VERSION);
        pack_key(buf, "platform");
        ps_pack_cstring(buf, platform);
        pack_key(buf, "language");
        ps_pack_cstring(buf, language);
        pack_key(buf, "language_details");
#if defined(__clang__)
        ps_pack_cstring(buf, "clang " __clang_version__);
#elif defined(__GNUC__)
        ps_pack_cstring(buf, "gcc " __VERSION__);
#else
        ps_pack_cstring(buf, "unknown compiler");
#endif
    }
    if (routing)
    {
        pack_key(buf, "routing");
        pack_routing(buf, params->routing, params->n_routing);
    }
    if (severity)
    {
        pack_key(buf, "notifications_minimum_severity");
        ps_pack_cstring(buf, cfg->notifications_minimum_severity);
    }
    if (categories)
    {
        pack_key(buf, version_at_least(conn, 5, 6) ? "notifications_disabled_classifications"
                                                   : "notifications_disabled_categories");
        pack_string_list(buf, cfg->notifications_disabled_categories);
    }
    if (patch)
    {
        pack_key(buf, "patch_bolt");
        ps_pack_list_header(buf, 1);
        ps_pack_cstring(buf, "utc");
    }
    if (end_message(conn, BOLT_HELLO, true, err) < 0)
        return -1;
    conn->send_state = auth_in_hello ? BOLT_READY : BOLT_AUTHENTICATION;
    return 0;
}

/* ------------------------------------------------------------------ input */

/* The deadline bolt_connect sets while an acquisition waits for the login. */
static const char login_awaited[] = "the login";

void
bolt_set_deadline(bolt_conn *conn, int64_t deadline_ms, const char *awaits)
{
    conn->deadline_ms = deadline_ms;
    conn->deadline_awaits = awaits;
}

/* Makes at least n unread bytes available in conn->in. May move unread bytes
 * to the front, so pointers into the buffer taken before are invalid. */
static int
ensure_input(bolt_conn *conn, size_t n, neo4j_error *err)
{
    while (conn->in_len - conn->in_pos < n)
    {
        ssize_t got;
        int timeout_ms;
        bool deadline_bound;

        if (conn->in_cap - conn->in_pos < n || conn->in_len == conn->in_cap)
        {
            size_t unread = conn->in_len - conn->in_pos;

            if (conn->in_pos > 0)
            {
                memmove(conn->in, conn->in + conn->in_pos, unread);
                conn->in_len = unread;
                conn->in_pos = 0;
            }
            if (conn->in_cap < n)
            {
                uint8_t *bigger = realloc(conn->in, n);

                if (!bigger)
                    return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY,
                                           "out of memory reading from %s", conn->address);
                conn->in = bigger;
                conn->in_cap = n;
            }
        }
        if (!conn->sock)
        {
            neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_SERVICE_UNAVAILABLE,
                            "connection to %s closed by the server", conn->address);
            return defunct(conn, err);
        }
        timeout_ms = conn->recv_timeout_ms;
        deadline_bound = false;
        if (conn->deadline_ms > 0)
        {
            int64_t left = conn->deadline_ms - neo4j_now_ms();

            if (left < 1)
                left = 1;
            if (timeout_ms < 0 || left <= timeout_ms)
            {
                timeout_ms = (int) left;
                deadline_bound = true;
            }
        }
        got = neo4j_net_read(conn->sock, conn->in + conn->in_len, conn->in_cap - conn->in_len, timeout_ms, err);
        if (got < 0)
        {
            if (strcmp(err->code, NEO4J_CODE_INTERRUPTED) == 0)
                return -1;      /* nothing was lost: bolt_recv recovers with RESET */
            if (strcmp(err->code, NEO4J_CODE_CONNECTION_TIMEOUT) == 0 && deadline_bound)
                neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ACQUISITION_TIMEOUT,
                                "unable to acquire a connection within %d ms (connection acquisition timeout): "
                                "%s did not answer %s", conn->acquisition_timeout_ms, conn->address,
                                conn->hello_pending ? login_awaited : conn->deadline_awaits);
            else if (strcmp(err->code, NEO4J_CODE_CONNECTION_TIMEOUT) == 0 && conn->hello_pending)
                neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_CONNECTION_TIMEOUT,
                                "%s did not answer the login within %d ms (connect timeout)",
                                conn->address, conn->recv_timeout_ms);
            else if (strcmp(err->code, NEO4J_CODE_CONNECTION_TIMEOUT) == 0)
                neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_CONNECTION_TIMEOUT,
                                "no data from %s within the connection.recv_timeout_seconds hint (%d ms)",
                                conn->address, conn->recv_timeout_ms);
            return defunct(conn, err);
        }
        conn->in_len += (size_t) got;
    }
    return 0;
}

static inline unsigned
read_u16(const uint8_t *p)
{
    return ((unsigned) p[0] << 8) | p[1];
}

/*
 * Reads one whole message, skipping NOOP chunks. When the message is one
 * chunk already in the buffer, it is decoded in place; otherwise its chunks
 * are joined in conn->message.
 */
static int
read_message(bolt_conn *conn, const uint8_t **data, size_t *len, neo4j_error *err)
{
    for (;;)
    {
        unsigned size;

        if (ensure_input(conn, 2, err) < 0)
            return -1;
        size = read_u16(conn->in + conn->in_pos);
        if (size == 0)
        {
            conn->in_pos += 2;
            if (!conn->message_in_progress)
                continue;       /* NOOP keep-alive */
            break;
        }
        if (ensure_input(conn, 2 + size, err) < 0)
            return -1;
        if (!conn->message_in_progress && conn->in_len - conn->in_pos >= 4 + (size_t) size &&
            read_u16(conn->in + conn->in_pos + 2 + size) == 0)
        {
            *data = conn->in + conn->in_pos + 2;
            *len = size;
            conn->in_pos += 4 + size;
            return 0;
        }
        /* a read interrupted between chunks resumes here: keep what was joined */
        if (!conn->message_in_progress)
            neo4j_buf_reset(&conn->message);
        neo4j_buf_append(&conn->message, conn->in + conn->in_pos + 2, size);
        if (conn->message.failed)
            return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY,
                                   "out of memory reading a message from %s", conn->address);
        conn->in_pos += 2 + size;
        conn->message_in_progress = true;
    }
    conn->message_in_progress = false;
    *data = conn->message.data;
    *len = conn->message.len;
    return 0;
}

static void
pop_pending(bolt_conn *conn)
{
    conn->pending_head = (conn->pending_head + 1) % BOLT_MAX_PENDING;
    conn->pending_count--;
    if (conn->pending_count == 0)
        conn->send_state = conn->state;
}

static bool
metadata_bool(const neo4j_value *metadata, const char *key)
{
    const neo4j_value *v = neo4j_map_get(metadata, key);

    return v && v->type == NEO4J_BOOL && v->u.boolean;
}

static void
apply_success(bolt_conn *conn, uint8_t request, const neo4j_value *metadata)
{
    switch (request)
    {
        case BOLT_HELLO:
            conn->state = version_at_least(conn, 5, 1) ? BOLT_AUTHENTICATION : BOLT_READY;
            break;
        case BOLT_LOGON:
        case BOLT_COMMIT:
        case BOLT_ROLLBACK:
            conn->state = BOLT_READY;
            break;
        case BOLT_RESET:
            conn->state = BOLT_READY;
            conn->open_streams = 0;
            break;
        case BOLT_LOGOFF:
            conn->state = BOLT_AUTHENTICATION;
            break;
        case BOLT_BEGIN:
            conn->state = BOLT_TX_READY;
            conn->open_streams = 0;
            break;
        case BOLT_RUN:
            if (conn->state == BOLT_READY)
                conn->state = BOLT_STREAMING;
            else if (conn->state == BOLT_TX_READY || conn->state == BOLT_TX_STREAMING)
            {
                conn->state = BOLT_TX_STREAMING;
                conn->open_streams++;
            }
            break;
        case BOLT_PULL:
        case BOLT_DISCARD:
            if (metadata_bool(metadata, "has_more"))
                break;
            if (conn->state == BOLT_STREAMING)
                conn->state = BOLT_READY;
            else if (conn->state == BOLT_TX_STREAMING && --conn->open_streams <= 0)
            {
                conn->open_streams = 0;
                conn->state = BOLT_TX_READY;
            }
            break;
        default:
            break;              /* ROUTE, TELEMETRY: no change */
    }
}

/*
 * The caller asked to stop waiting (a query cancel): RESET interrupts what
 * the server is doing, and the answers still on the way are read and dropped.
 * The connection is READY again, or DEFUNCT if the server does not answer in
 * time. err keeps the interruption as the reason.
 */
static void
recover_from_interrupt(bolt_conn *conn, neo4j_error *err)
{
    neo4j_error reset_err;
    int saved_timeout = conn->recv_timeout_ms;
    int rc;

    neo4j_net_set_interrupt(conn->sock, NULL, NULL);
    conn->recv_timeout_ms = BOLT_INTERRUPT_RESET_TIMEOUT_MS;
    rc = bolt_reset(conn, &reset_err);
    conn->recv_timeout_ms = saved_timeout;
    neo4j_net_set_interrupt(conn->sock, conn->interrupted, conn->interrupt_ctx);
    if (rc < 0)
    {
        defunct(conn, &reset_err);
        neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INTERRUPTED,
                        "query interrupted; the connection to %s did not recover and was closed (%s)",
                        conn->address, reset_err.message);
    }
    else
        neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INTERRUPTED,
                        "query interrupted; the server was told to stop (RESET) and the connection kept");
}

static int apply_hello_success(bolt_conn *conn, const neo4j_value *metadata);

/* Reads the next response of any request, the hidden HELLO/LOGON included. */
static int
recv_response(bolt_conn *conn, bolt_response *resp, neo4j_error *err)
{
    const uint8_t *data = NULL;
    size_t len = 0;
    uint8_t sig, request;
    const neo4j_value *fields;
    uint32_t nfields;

    memset(resp, 0, sizeof *resp);
    if (conn->state == BOLT_DEFUNCT)
        return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_SERVICE_UNAVAILABLE,
                               "the connection to %s is closed", conn->address);
    if (conn->pending_count == 0)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE,
                               "no request is waiting for a response");
    neo4j_arena_reset(&conn->arena);
    if (read_message(conn, &data, &len, err) < 0)
    {
        /* before the login is answered a RESET cannot help: the connection goes */
        if (strcmp(err->code, NEO4J_CODE_INTERRUPTED) == 0 && conn->hello_pending == 0)
            recover_from_interrupt(conn, err);
        else if (strcmp(err->code, NEO4J_CODE_INTERRUPTED) == 0)
            defunct(conn, err);
        return -1;
    }
    if (log_enabled(conn, NEO4J_LOG_TRACE))
        trace_message(conn, "S", data, len);
    if (ps_unpack_message(data, len, &conn->arena, &conn->ps, &sig, &fields, &nfields, err) < 0)
        return defunct(conn, err);

    request = conn->pending[conn->pending_head];
    resp->signature = sig;
    resp->request = request;
    switch (sig)
    {
        case BOLT_RECORD:
            if (request != BOLT_PULL)
                return protocol_error(conn, err, "RECORD in answer to %s", bolt_message_name(request));
            if (nfields != 1 || fields[0].type != NEO4J_LIST)
                return protocol_error(conn, err, "RECORD without a list of values");
            resp->record = &fields[0];
            return 0;
        case BOLT_SUCCESS:
            if (nfields != 1 || fields[0].type != NEO4J_MAP)
                return protocol_error(conn, err, "SUCCESS without a metadata map");
            resp->metadata = &fields[0];
            apply_success(conn, request, resp->metadata);
            pop_pending(conn);
            return 0;
        case BOLT_FAILURE:
            if (nfields != 1 || fields[0].type != NEO4J_MAP)
                return protocol_error(conn, err, "FAILURE without a metadata map");
            resp->metadata = &fields[0];
            bolt_failure_to_error(resp->metadata, &conn->failure);
            /* the server closes after a failed HELLO or LOGON */
            conn->state = (request == BOLT_HELLO || request == BOLT_LOGON) ? BOLT_DEFUNCT : BOLT_FAILED;
            conn->open_streams = 0;
            pop_pending(conn);
            if (conn->state == BOLT_DEFUNCT)
                conn->send_state = BOLT_DEFUNCT;
            return 0;
        case BOLT_IGNORED:
            if (nfields != 0)
                return protocol_error(conn, err, "IGNORED with fields");
            if (conn->state != BOLT_FAILED)
                conn->state = BOLT_INTERRUPTED;
            pop_pending(conn);
            return 0;
        default:
            return protocol_error(conn, err, "unexpected message 0x%02X (%s) in answer to %s", sig,
                                  bolt_message_name(sig), bolt_message_name(request));
    }
}

/*
 * Reads the answers of HELLO (and LOGON), which bolt_connect sent without
 * waiting: the login's outcome, the server's agent and hints. A failure is
 * the error of the request being read (the server closes the connection).
 */
static int
read_hello_answers(bolt_conn *conn, neo4j_error *err)
{
    int hint_ms = -1;

    while (conn->hello_pending > 0)
    {
        bolt_response resp;

        if (recv_response(conn, &resp, err) < 0)
            return -1;
        conn->hello_pending--;
        if (resp.signature == BOLT_FAILURE)
        {
            *err = conn->failure;
            conn->hello_pending = 0;
            return defunct(conn, err);
        }
        if (resp.signature != BOLT_SUCCESS)
            return protocol_error(conn, err, "%s was not answered with SUCCESS", bolt_message_name(resp.request));
        if (resp.request == BOLT_HELLO)
            hint_ms = apply_hello_success(conn, resp.metadata);
    }
    conn->recv_timeout_ms = hint_ms;    /* no hint: wait as long as queries run */
    if (conn->deadline_awaits == login_awaited)
        bolt_set_deadline(conn, 0, NULL);
    conn_log(conn, NEO4J_LOG_INFO, "connected to %s (%s, Bolt %d.%d%s)", conn->address,
             conn->server_agent ? conn->server_agent : "unknown server", conn->major, conn->minor,
             neo4j_net_is_tls(conn->sock) ? ", TLS" : "");
    return 0;
}

int
bolt_recv(bolt_conn *conn, bolt_response *resp, neo4j_error *err)
{
    if (conn->hello_pending > 0 && read_hello_answers(conn, err) < 0)
    {
        memset(resp, 0, sizeof *resp);
        return -1;
    }
    return recv_response(conn, resp, err);
}

int
bolt_finish_hello(bolt_conn *conn, neo4j_error *err)
{
    if (conn->hello_pending == 0)
        return conn->state == BOLT_DEFUNCT ? neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY,
                                                             NEO4J_CODE_SERVICE_UNAVAILABLE,
                                                             "the connection to %s is closed", conn->address)
                                           : 0;
    if (bolt_flush(conn, err) < 0)
        return -1;
    return read_hello_answers(conn, err);
}

int
bolt_sync(bolt_conn *conn, neo4j_error *err)
{
    bool failed = false;
    bolt_response resp;

    if (bolt_flush(conn, err) < 0)
        return -1;
    while (conn->pending_count > 0)
    {
        if (bolt_recv(conn, &resp, err) < 0)
            return -1;
        if (resp.signature == BOLT_FAILURE && !failed)
        {
            *err = conn->failure;
            failed = true;
        }
        else if (resp.signature == BOLT_IGNORED && !failed)
        {
            neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_ILLEGAL_STATE,
                            "the server ignored %s (the connection is %s)", bolt_message_name(resp.request),
                            bolt_state_name(conn->state));
            failed = true;
        }
    }
    return failed ? -1 : 0;
}

int
bolt_reset(bolt_conn *conn, neo4j_error *err)
{
    bolt_response resp;

    if (bolt_queue_reset(conn, err) < 0 || bolt_flush(conn, err) < 0)
        return -1;
    conn->state = BOLT_INTERRUPTED;
    while (conn->pending_count > 0)
    {
        if (bolt_recv(conn, &resp, err) < 0)
            return -1;
        if (resp.request == BOLT_RESET && resp.signature != BOLT_SUCCESS)
        {
            if (resp.signature == BOLT_FAILURE)
                *err = conn->failure;
            else
                neo4j_error_set(err, NEO4J_ERROR_PROTOCOL, NEO4J_CODE_PROTOCOL, "RESET was not accepted");
            return defunct(conn, err);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ handshake */

static int
read_exact(bolt_conn *conn, uint8_t *out, size_t n, int timeout_ms, neo4j_error *err)
{
    size_t got = 0;

    while (got < n)
    {
        ssize_t r = neo4j_net_read(conn->sock, out + got, n - got, timeout_ms, err);

        if (r < 0)
            return -1;
        got += (size_t) r;
    }
    return 0;
}

static int
read_varint(bolt_conn *conn, uint64_t *value, int timeout_ms, neo4j_error *err)
{
    *value = 0;
    for (int shift = 0; shift < 64; shift += 7)
    {
        uint8_t b;

        if (read_exact(conn, &b, 1, timeout_ms, err) < 0)
            return -1;
        *value |= (uint64_t) (b & 0x7F) << shift;
        if (!(b & 0x80))
            return 0;
    }
    return neo4j_error_set(err, NEO4J_ERROR_PROTOCOL, NEO4J_CODE_PROTOCOL, "handshake manifest: varint too long");
}

static void
put_u32(uint8_t *p, unsigned reserved, unsigned range, unsigned minor, unsigned major)
{
    p[0] = (uint8_t) reserved;
    p[1] = (uint8_t) range;
    p[2] = (uint8_t) minor;
    p[3] = (uint8_t) major;
}

static int
max_minor_5(const neo4j_config *cfg)
{
    return (cfg->max_bolt_minor >= 0 && cfg->max_bolt_minor < 8) ? cfg->max_bolt_minor : 8;
}

/* The best version inside the server's manifest ranges that we support. */
static bool
choose_from_manifest(const uint8_t *ranges, uint64_t count, const neo4j_config *cfg, int *major, int *minor)
{
    int best_major = 0, best_minor = -1;

    for (uint64_t i = 0; i < count; i++)
    {
        const uint8_t *r = ranges + 4 * i;
        int m = r[3], hi = r[2], lo = r[2] - r[1];
        int candidate = -1;

        if (m == 6 && lo <= 0 && cfg->offer_bolt6)
            candidate = 0;
        else if (m == 5)
            candidate = hi < max_minor_5(cfg) ? hi : max_minor_5(cfg);
        else if (m == 4 && lo <= 4 && hi >= 4)
            candidate = 4;
        if (m == 5 && candidate < lo)
            candidate = -1;
        if (candidate >= 0 && (m > best_major || (m == best_major && candidate > best_minor)))
        {
            best_major = m;
            best_minor = candidate;
        }
    }
    *major = best_major;
    *minor = best_minor;
    return best_minor >= 0;
}

static int
handshake(bolt_conn *conn, const neo4j_config *cfg, int timeout_ms, neo4j_error *err)
{
    uint8_t hello[20] = { 0x60, 0x60, 0xB0, 0x17 };
    uint8_t answer[4];
    int slot = 4, top5 = max_minor_5(cfg);

    if (cfg->offer_bolt6)
    {
        put_u32(hello + slot, 0, 0, 1, 0xFF);     /* handshake manifest v1 */
        slot += 4;
    }
    put_u32(hello + slot, 0, (unsigned) top5, (unsigned) top5, 5);
    slot += 4;
    put_u32(hello + slot, 0, 0, 4, 4);
    if (neo4j_net_write(conn->sock, hello, sizeof hello, timeout_ms, err) < 0 ||
        read_exact(conn, answer, 4, timeout_ms, err) < 0)
        return -1;

    if (memcmp(answer, "HTTP", 4) == 0)
        return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_PROTOCOL,
                               "%s answered in HTTP: this is the HTTP port, not the Bolt port (usually 7687)",
                               conn->address);
    if (answer[0] == 0 && answer[1] == 0 && answer[2] == 0 && answer[3] == 0)
        return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_PROTOCOL,
                               "%s does not speak Bolt 4.4+ (it refused every version offered: 5.%d-5.0, 4.4%s)",
                               conn->address, top5, cfg->offer_bolt6 ? ", 6.0" : "");
    if (answer[3] == 0xFF && answer[2] == 1 && cfg->offer_bolt6)
    {
        uint64_t count, capabilities;
        uint8_t *ranges, reply[5];
        int major, minor;

        if (read_varint(conn, &count, timeout_ms, err) < 0)
            return -1;
        if (count == 0 || count > 64)
            return neo4j_error_set(err, NEO4J_ERROR_PROTOCOL, NEO4J_CODE_PROTOCOL,
                                   "handshake manifest from %s lists %llu versions", conn->address,
                                   (unsigned long long) count);
        ranges = malloc(4 * count);
        if (!ranges)
            return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY, "out of memory");
        if (read_exact(conn, ranges, 4 * count, timeout_ms, err) < 0 ||
            read_varint(conn, &capabilities, timeout_ms, err) < 0)
        {
            free(ranges);
            return -1;
        }
        if (!choose_from_manifest(ranges, count, cfg, &major, &minor))
        {
            free(ranges);
            return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_PROTOCOL,
                                   "%s does not speak Bolt 4.4+ (no common version in its manifest)", conn->address);
        }
        free(ranges);
        put_u32(reply, 0, 0, (unsigned) minor, (unsigned) major);
        reply[4] = 0;           /* no capabilities requested */
        neo4j_buf_append(&conn->out, reply, 5);   /* goes out with HELLO */
        conn->major = major;
        conn->minor = minor;
    }
    else
    {
        conn->major = answer[3];
        conn->minor = answer[2];
        if (!((conn->major == 5 && conn->minor <= top5) || (conn->major == 4 && conn->minor == 4)))
            return neo4j_error_set(err, NEO4J_ERROR_PROTOCOL, NEO4J_CODE_PROTOCOL,
                                   "%s chose Bolt %d.%d, which was not offered", conn->address, conn->major,
                                   conn->minor);
    }
    conn->ps.utc_datetime = conn->major >= 5;
    conn->ps.vector = conn->major >= 6;
    conn_log(conn, NEO4J_LOG_DEBUG, "%s: negotiated Bolt %d.%d", conn->address, conn->major, conn->minor);
    return 0;
}

static char *
dup_string_value(const neo4j_value *v)
{
    char *s;

    if (!v || v->type != NEO4J_STRING)
        return NULL;
    s = malloc(v->size + 1);
    if (s)
    {
        memcpy(s, v->u.string, v->size);
        s[v->size] = '\0';
    }
    return s;
}

/* Takes what HELLO's SUCCESS says; returns the recv timeout hint in ms, or -1. */
static int
apply_hello_success(bolt_conn *conn, const neo4j_value *metadata)
{
    int hint_ms = -1;

    const neo4j_value *hints = neo4j_map_get(metadata, "hints");
    const neo4j_value *patch = neo4j_map_get(metadata, "patch_bolt");

    free(conn->server_agent);
    free(conn->connection_id);
    conn->server_agent = dup_string_value(neo4j_map_get(metadata, "server"));
    conn->connection_id = dup_string_value(neo4j_map_get(metadata, "connection_id"));
    if (hints && hints->type == NEO4J_MAP)
    {
        const neo4j_value *timeout = neo4j_map_get(hints, "connection.recv_timeout_seconds");

        if (timeout && timeout->type == NEO4J_INT && timeout->u.integer > 0 && timeout->u.integer < 86400 * 365)
            hint_ms = (int) (timeout->u.integer * 1000);
        conn->telemetry_enabled = metadata_bool(hints, "telemetry.enabled");
        conn->ssr_enabled = metadata_bool(hints, "ssr.enabled");
    }
    if (patch && patch->type == NEO4J_LIST)
        for (uint32_t i = 0; i < patch->size; i++)
            if (neo4j_string_equals(&patch->u.items[i], "utc"))
                conn->ps.utc_datetime = true;
    return hint_ms;
}

static bolt_conn *
conn_alloc(void)
{
    bolt_conn *conn = calloc(1, sizeof *conn);

    if (!conn)
        return NULL;
    conn->in_cap = BOLT_IN_INITIAL;
    conn->in = malloc(conn->in_cap);
    if (!conn->in)
    {
        free(conn);
        return NULL;
    }
    neo4j_buf_init(&conn->out);
    neo4j_buf_init(&conn->scratch);
    neo4j_buf_init(&conn->message);
    neo4j_arena_init(&conn->arena);
    conn->recv_timeout_ms = -1;
    conn->ps.max_depth = PS_DEFAULT_MAX_DEPTH;
    conn->created_at_ms = conn->last_used_ms = neo4j_now_ms();
    return conn;
}

int
bolt_connect(const bolt_connect_params *params, bolt_conn **out, neo4j_error *err)
{
    const neo4j_config *cfg = params->config;
    neo4j_net_config net = {0};
    bolt_conn *conn;
    int timeout = params->timeout_ms > 0 ? params->timeout_ms
                  : cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 30000;

    *out = NULL;
    conn = conn_alloc();
    if (!conn)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY, "out of memory");
    neo4j_uri_format_address(params->host, params->port, conn->address, sizeof conn->address);
    conn->log = cfg->log;
    conn->log_ctx = cfg->log_ctx;
    conn->log_level = cfg->log_level;

    net.connect_timeout_ms = timeout;
    net.keepalive = cfg->keepalive;
    net.tls = params->tls;
    net.ca_file = cfg->ca_file;
    net.log = cfg->log;
    net.log_ctx = cfg->log_ctx;
    net.log_level = cfg->log_level;
    net.interrupted = cfg->interrupted;
    net.interrupt_ctx = cfg->interrupt_ctx;
    conn->interrupted = cfg->interrupted;
    conn->interrupt_ctx = cfg->interrupt_ctx;
    if (neo4j_net_connect(params->host, params->port, &net, &conn->sock, err) < 0)
        goto fail;
    conn->state = conn->send_state = BOLT_NEGOTIATION;
    if (handshake(conn, cfg, timeout, err) < 0)
        goto fail;

    /* HELLO (and LOGON) in one write; the version reply of a manifest handshake goes first */
    if (queue_hello(conn, params, err) < 0)
        goto fail;
    if (version_at_least(conn, 5, 1) && bolt_queue_logon(conn, params->auth, err) < 0)
        goto fail;
    /* not sent yet: the first requests join them in one write */
    conn->hello_pending = conn->pending_count;
    conn->recv_timeout_ms = timeout;     /* until HELLO is answered; then its hint */
    conn->acquisition_timeout_ms = cfg->connection_acquisition_timeout_ms;
    if (params->timeout_is_acquisition)
        bolt_set_deadline(conn, neo4j_now_ms() + timeout, login_awaited);
    conn->send_state = BOLT_READY;
    *out = conn;
    return 0;

fail:
    conn->state = BOLT_DEFUNCT;
    bolt_close(conn);
    return -1;
}

void
bolt_close(bolt_conn *conn)
{
    if (!conn)
        return;
    if (conn->sock && conn->state != BOLT_DEFUNCT && conn->state != BOLT_NEGOTIATION)
    {
        neo4j_error ignored;

        /* GOODBYE expects no answer; best effort with a short timeout */
        neo4j_buf_reset(&conn->out);
        begin_message(conn, BOLT_GOODBYE, 0);
        if (end_message(conn, BOLT_GOODBYE, false, &ignored) == 0)
            neo4j_net_write(conn->sock, conn->out.data, conn->out.len, 1000, &ignored);
    }
    if (conn->sock)
        neo4j_net_close(conn->sock);
    free(conn->server_agent);
    free(conn->connection_id);
    free(conn->in);
    neo4j_buf_free(&conn->out);
    neo4j_buf_free(&conn->scratch);
    neo4j_buf_free(&conn->message);
    neo4j_arena_free(&conn->arena);
    free(conn);
}

/* ------------------------------------------------------------------ testing */

bolt_conn *
bolt_conn_from_bytes(const uint8_t *data, size_t len, int major, int minor)
{
    bolt_conn *conn = conn_alloc();

    if (!conn)
        return NULL;
    if (len > conn->in_cap)
    {
        uint8_t *bigger = realloc(conn->in, len);

        if (!bigger)
        {
            bolt_close(conn);
            return NULL;
        }
        conn->in = bigger;
        conn->in_cap = len;
    }
    memcpy(conn->in, data, len);
    conn->in_len = len;
    conn->major = major;
    conn->minor = minor;
    conn->ps.utc_datetime = major >= 5;
    conn->ps.vector = major >= 6;
    snprintf(conn->address, sizeof conn->address, "test");
    conn->state = conn->send_state = BOLT_READY;
    return conn;
}

void
bolt_test_expect(bolt_conn *conn, uint8_t request, bolt_state state)
{
    conn->pending[(conn->pending_head + conn->pending_count) % BOLT_MAX_PENDING] = request;
    conn->pending_count++;
    conn->state = conn->send_state = state;
}
