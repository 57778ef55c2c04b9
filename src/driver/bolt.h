/*
 * bolt.h — one Bolt connection: handshake, chunking, messages and the
 * server state machine (internal).
 *
 * Requests are queued in an output buffer and sent together by
 * bolt_flush(), so RUN+PULL or BEGIN+RUN+PULL cost one write. Every queued
 * request expects exactly one summary response (SUCCESS, FAILURE or IGNORED),
 * read in order by bolt_recv(); RECORDs belong to the PULL at the head.
 */
#ifndef NEO4J_BOLT_H
#define NEO4J_BOLT_H

#include "neo4j.h"
#include "arena.h"
#include "net.h"
#include "packstream.h"
#include "uri.h"

/* Message signatures. */
enum {
    BOLT_HELLO = 0x01, BOLT_GOODBYE = 0x02, BOLT_RESET = 0x0F, BOLT_RUN = 0x10, BOLT_BEGIN = 0x11,
    BOLT_COMMIT = 0x12, BOLT_ROLLBACK = 0x13, BOLT_DISCARD = 0x2F, BOLT_PULL = 0x3F,
    BOLT_TELEMETRY = 0x54, BOLT_ROUTE = 0x66, BOLT_LOGON = 0x6A, BOLT_LOGOFF = 0x6B,
    BOLT_SUCCESS = 0x70, BOLT_RECORD = 0x71, BOLT_IGNORED = 0x7E, BOLT_FAILURE = 0x7F
};

typedef enum bolt_state {
    BOLT_DISCONNECTED = 0,
    BOLT_NEGOTIATION,
    BOLT_AUTHENTICATION,
    BOLT_READY,
    BOLT_STREAMING,
    BOLT_TX_READY,
    BOLT_TX_STREAMING,
    BOLT_FAILED,
    BOLT_INTERRUPTED,
    BOLT_DEFUNCT
} bolt_state;

const char *bolt_state_name(bolt_state state);
const char *bolt_message_name(uint8_t signature);

#define BOLT_MAX_PENDING 64

typedef struct bolt_conn {
    neo4j_socket *sock;
    int major, minor;
    bolt_state state;          /* server state after the responses read so far */
    bolt_state send_state;     /* state the server will be in once every queued request succeeds */
    int open_streams;          /* results open inside an explicit transaction */

    char *server_agent;
    char *connection_id;
    char address[300];         /* host:port as the user named it */
    int recv_timeout_ms;       /* from the connection.recv_timeout_seconds hint; -1 = none */
    bool telemetry_enabled;
    bool ssr_enabled;
    uint8_t telemetry_sent;    /* bit per API kind already reported on this connection */
    ps_options ps;

    neo4j_buf out;             /* chunked requests not yet sent */
    neo4j_buf scratch;         /* one message being packed */
    uint8_t pending[BOLT_MAX_PENDING];   /* signatures of requests awaiting a summary */
    int pending_head, pending_count;
    int hello_pending;         /* HELLO/LOGON answers still to read: the first requests
                                  go out in the same write, bolt_recv reads these first */
    int64_t deadline_ms;       /* neo4j_now_ms() by which the awaited answer must come
                                  (the login or ROUTE while acquiring); 0 = none */
    const char *deadline_awaits;   /* what that deadline waits for, for the error */
    int acquisition_timeout_ms;

    uint8_t *in;               /* bytes read from the socket */
    size_t in_len, in_pos, in_cap;
    neo4j_buf message;         /* a message reassembled from several chunks */
    bool message_in_progress;  /* message holds the first chunks of a message */
    neo4j_interrupt_fn interrupted;   /* from the config: stop waiting when true */
    void *interrupt_ctx;
    neo4j_arena arena;         /* values of the last message read */

    neo4j_error failure;       /* the last FAILURE, converted */
    neo4j_log_fn log;
    void *log_ctx;
    neo4j_log_level log_level;
    int64_t created_at_ms;
    int64_t last_used_ms;
} bolt_conn;

/* What bolt_recv() read. fields point into the connection's buffers and stay
 * valid until the next bolt_recv(). */
typedef struct bolt_response {
    uint8_t signature;         /* BOLT_SUCCESS, BOLT_RECORD, BOLT_IGNORED or BOLT_FAILURE */
    uint8_t request;           /* the request this answers (for RECORD: the PULL) */
    const neo4j_value *metadata;   /* SUCCESS/FAILURE: the map; NULL otherwise */
    const neo4j_value *record;     /* RECORD: the list of values */
} bolt_response;

typedef struct bolt_connect_params {
    const char *host;
    int port;
    const neo4j_auth *auth;
    const neo4j_config *config;
    int timeout_ms;                    /* connect + handshake + HELLO; <=0: config->connect_timeout_ms */
    bool timeout_is_acquisition;       /* timeout_ms is what is left of the connection
                                          acquisition timeout: say so when it runs out */
    neo4j_tls_mode tls;
    /* routing context (neo4j:// schemes): NULL for bolt://, else n pairs incl. "address" */
    const neo4j_routing_param *routing;
    size_t n_routing;
} bolt_connect_params;

/*
 * Connects, negotiates the version (5.8..5.0 as a range, then 4.4; 6.0 via the
 * handshake manifest) and queues HELLO (and LOGON on 5.1+) without waiting:
 * they go out in one write with the first requests, and the first bolt_recv
 * reads their answers (a failed login is that call's error). Requests may be
 * queued at once; bolt_finish_hello() waits for the login by itself.
 */
int bolt_connect(const bolt_connect_params *params, bolt_conn **out, neo4j_error *err);
/* Sends HELLO/LOGON if still queued and reads their answers; 0 when logged in. */
int bolt_finish_hello(bolt_conn *conn, neo4j_error *err);
/* Sends GOODBYE when possible, closes and frees. */
void bolt_close(bolt_conn *conn);

/* Queue requests (nothing is sent until bolt_flush). Each checks that the
 * request is legal in the state the server will be in, and fails with
 * NEO4J_CODE_ILLEGAL_STATE (CLIENT) otherwise. */
typedef struct bolt_tx_params {
    const char *const *bookmarks;
    int64_t tx_timeout_ms;             /* < 0: not sent */
    const neo4j_value *tx_metadata;    /* map or NULL */
    const char *database;
    neo4j_access_mode mode;
    const char *impersonated_user;
    const char *notifications_minimum_severity;
    const char *const *notifications_disabled_categories;
} bolt_tx_params;

int bolt_queue_run(bolt_conn *conn, const char *cypher, const neo4j_value *params,
                   const bolt_tx_params *tx, neo4j_error *err);   /* tx NULL inside a transaction */
int bolt_queue_pull(bolt_conn *conn, int64_t n, int64_t qid, neo4j_error *err);
int bolt_queue_discard(bolt_conn *conn, int64_t n, int64_t qid, neo4j_error *err);
int bolt_queue_begin(bolt_conn *conn, const bolt_tx_params *tx, neo4j_error *err);
int bolt_queue_commit(bolt_conn *conn, neo4j_error *err);
int bolt_queue_rollback(bolt_conn *conn, neo4j_error *err);
int bolt_queue_reset(bolt_conn *conn, neo4j_error *err);
int bolt_queue_route(bolt_conn *conn, const neo4j_routing_param *routing, size_t n_routing,
                     const char *const *bookmarks, const char *database, const char *impersonated_user,
                     neo4j_error *err);
int bolt_queue_telemetry(bolt_conn *conn, int api, neo4j_error *err);
int bolt_queue_logoff(bolt_conn *conn, neo4j_error *err);
int bolt_queue_logon(bolt_conn *conn, const neo4j_auth *auth, neo4j_error *err);

/* Sends everything queued in one write. */
int bolt_flush(bolt_conn *conn, neo4j_error *err);

/*
 * Reads the next response. Returns 0 and fills *resp, or -1 when the
 * connection broke or the server broke the protocol (the connection is then
 * DEFUNCT). A FAILURE is returned as a response (0) and also converted into
 * conn->failure.
 */
int bolt_recv(bolt_conn *conn, bolt_response *resp, neo4j_error *err);

/* Reads responses until every queued request has its summary; the first
 * FAILURE (or, failing that, an IGNORED) is returned as an error (-1). */
int bolt_sync(bolt_conn *conn, neo4j_error *err);

/* Reads give up at deadline_ms (neo4j_now_ms(); 0 = no deadline) with the
 * acquisition timeout's error, naming what was awaited ("ROUTE"). */
void bolt_set_deadline(bolt_conn *conn, int64_t deadline_ms, const char *awaits);

/* RESET + wait: recovers a FAILED or INTERRUPTED connection. */
int bolt_reset(bolt_conn *conn, neo4j_error *err);

/* Converts FAILURE metadata (4.x/5.x "code", 5.7+ "neo4j_code", "gql_status") into err. */
void bolt_failure_to_error(const neo4j_value *metadata, neo4j_error *err);

/* For tests and fuzzing: a connection without a socket that reads the given
 * bytes as if the server had sent them (then EOF). The caller marks which
 * requests are pending with bolt_test_expect(). */
bolt_conn *bolt_conn_from_bytes(const uint8_t *data, size_t len, int major, int minor);
void bolt_test_expect(bolt_conn *conn, uint8_t request, bolt_state state);

/* Renders a value compactly for logs and messages (JSON-like, truncated at max bytes). */
void neo4j_value_describe(neo4j_buf *out, const neo4j_value *value, size_t max);

int64_t neo4j_now_ms(void);
/* Entries of a NULL-terminated string list (0 for NULL). */
size_t neo4j_string_list_length(const char *const *list);

#endif
