/*
 * neo4j.h — public API of the embedded Neo4j driver core.
 *
 * Plain C11 + OpenSSL, no Postgres headers. Follows the uniform Neo4j driver
 * API: Driver -> Session -> (Transaction) -> Result. Every failure is reported
 * as a value in a neo4j_error; nothing here exits or longjmps.
 *
 * Memory: the driver owns everything it allocates (malloc). Values handed out
 * by a Result (records) stay valid until the next call on that session.
 */
#ifndef NEO4J_H
#define NEO4J_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NEO4J_DRIVER_VERSION "0.1.0"

/* ------------------------------------------------------------------ values */

typedef enum neo4j_type {
    NEO4J_NULL = 0,
    NEO4J_BOOL,
    NEO4J_INT,
    NEO4J_FLOAT,
    NEO4J_BYTES,
    NEO4J_STRING,
    NEO4J_LIST,
    NEO4J_MAP,
    /* structures (fields in u.items, tag in .tag) */
    NEO4J_NODE,
    NEO4J_RELATIONSHIP,
    NEO4J_UNBOUND_RELATIONSHIP,
    NEO4J_PATH,
    NEO4J_DATE,
    NEO4J_TIME,
    NEO4J_LOCAL_TIME,
    NEO4J_DATE_TIME,
    NEO4J_DATE_TIME_ZONE_ID,
    NEO4J_LOCAL_DATE_TIME,
    NEO4J_DURATION,
    NEO4J_POINT_2D,
    NEO4J_POINT_3D,
    NEO4J_VECTOR,        /* Bolt 6.0 */
    NEO4J_UNSUPPORTED,   /* Bolt 6.0 UnsupportedType */
    NEO4J_STRUCT         /* a structure with a tag this driver does not know */
} neo4j_type;

/* PackStream structure tags (values, not messages). */
enum {
    NEO4J_TAG_NODE = 0x4E,
    NEO4J_TAG_RELATIONSHIP = 0x52,
    NEO4J_TAG_UNBOUND_RELATIONSHIP = 0x72,
    NEO4J_TAG_PATH = 0x50,
    NEO4J_TAG_DATE = 0x44,
    NEO4J_TAG_TIME = 0x54,
    NEO4J_TAG_LOCAL_TIME = 0x74,
    NEO4J_TAG_DATE_TIME = 0x49,
    NEO4J_TAG_DATE_TIME_ZONE_ID = 0x69,
    NEO4J_TAG_LEGACY_DATE_TIME = 0x46,
    NEO4J_TAG_LEGACY_DATE_TIME_ZONE_ID = 0x66,
    NEO4J_TAG_LOCAL_DATE_TIME = 0x64,
    NEO4J_TAG_DURATION = 0x45,
    NEO4J_TAG_POINT_2D = 0x58,
    NEO4J_TAG_POINT_3D = 0x59,
    NEO4J_TAG_VECTOR = 0x56,
    NEO4J_TAG_UNSUPPORTED = 0x3F
};

/*
 * Field positions inside structures (neo4j_value.u.items[...]).
 * Element ids are present from Bolt 5.0 on; on 4.4 the structure has fewer
 * fields, so check .size before reading them.
 */
enum { NEO4J_NODE_ID, NEO4J_NODE_LABELS, NEO4J_NODE_PROPERTIES, NEO4J_NODE_ELEMENT_ID };
enum { NEO4J_REL_ID, NEO4J_REL_START_ID, NEO4J_REL_END_ID, NEO4J_REL_TYPE, NEO4J_REL_PROPERTIES,
       NEO4J_REL_ELEMENT_ID, NEO4J_REL_START_ELEMENT_ID, NEO4J_REL_END_ELEMENT_ID };
enum { NEO4J_UREL_ID, NEO4J_UREL_TYPE, NEO4J_UREL_PROPERTIES, NEO4J_UREL_ELEMENT_ID };
enum { NEO4J_PATH_NODES, NEO4J_PATH_RELS, NEO4J_PATH_INDICES };
/* Date: days. Time: nanos, offset_seconds. LocalTime: nanos.
 * DateTime: seconds (UTC), nanos, offset_seconds.
 * DateTimeZoneId: seconds (UTC; local if NEO4J_FLAG_LOCAL_SECONDS), nanos, zone id.
 * LocalDateTime: seconds, nanos. Duration: months, days, seconds, nanos.
 * Point2D: srid, x, y. Point3D: srid, x, y, z. Vector: type marker (bytes), data (bytes). */

/* .flags */
#define NEO4J_FLAG_LOCAL_SECONDS 0x0001  /* legacy 4.x DateTimeZoneId: seconds are wall-clock */

typedef struct neo4j_value neo4j_value;
typedef struct neo4j_map_entry neo4j_map_entry;

struct neo4j_value {
    uint8_t  type;     /* neo4j_type */
    uint8_t  tag;      /* structure tag; 0 for non-structures */
    uint16_t flags;
    uint32_t size;     /* bytes (string, bytes), items (list), entries (map), fields (structure) */
    union {
        bool                   boolean;
        int64_t                integer;
        double                 real;
        const char            *string;   /* UTF-8, NOT NUL-terminated: use .size */
        const uint8_t         *bytes;
        const neo4j_value     *items;    /* list items, structure fields */
        const neo4j_map_entry *entries;  /* map entries */
    } u;
};

struct neo4j_map_entry {
    neo4j_value key;    /* always NEO4J_STRING */
    neo4j_value value;
};

/* Constructors for building parameters; they never copy. */
static inline neo4j_value neo4j_null(void) { neo4j_value v = {0}; v.type = NEO4J_NULL; return v; }
static inline neo4j_value neo4j_bool(bool b) { neo4j_value v = {0}; v.type = NEO4J_BOOL; v.u.boolean = b; return v; }
static inline neo4j_value neo4j_int(int64_t i) { neo4j_value v = {0}; v.type = NEO4J_INT; v.u.integer = i; return v; }
static inline neo4j_value neo4j_float(double d) { neo4j_value v = {0}; v.type = NEO4J_FLOAT; v.u.real = d; return v; }
static inline neo4j_value neo4j_string_n(const char *s, size_t n)
{ neo4j_value v = {0}; v.type = NEO4J_STRING; v.size = (uint32_t) n; v.u.string = s; return v; }
neo4j_value neo4j_string(const char *cstr);
static inline neo4j_value neo4j_bytes(const uint8_t *b, size_t n)
{ neo4j_value v = {0}; v.type = NEO4J_BYTES; v.size = (uint32_t) n; v.u.bytes = b; return v; }
static inline neo4j_value neo4j_list(const neo4j_value *items, size_t n)
{ neo4j_value v = {0}; v.type = NEO4J_LIST; v.size = (uint32_t) n; v.u.items = items; return v; }
static inline neo4j_value neo4j_map(const neo4j_map_entry *entries, size_t n)
{ neo4j_value v = {0}; v.type = NEO4J_MAP; v.size = (uint32_t) n; v.u.entries = entries; return v; }
/* A structure value; the type is derived from the tag (NEO4J_STRUCT if unknown). */
neo4j_value neo4j_struct(uint8_t tag, const neo4j_value *fields, size_t n);

/* Lookups and helpers. */
const neo4j_value *neo4j_map_get(const neo4j_value *map, const char *key);
bool neo4j_string_equals(const neo4j_value *v, const char *cstr);
const char *neo4j_type_name(neo4j_type type);   /* "Integer", "String", "Node", ... */
neo4j_type neo4j_type_for_tag(uint8_t tag);
/* Deep equality (floats compared bitwise, so NaN equals NaN). */
bool neo4j_value_equals(const neo4j_value *a, const neo4j_value *b);

/* ------------------------------------------------------------------ errors */

typedef enum neo4j_error_category {
    NEO4J_OK = 0,
    NEO4J_ERROR_CONNECTIVITY,  /* cannot connect, connection lost, timeout */
    NEO4J_ERROR_SECURITY,      /* auth failed, TLS failure, forbidden */
    NEO4J_ERROR_CLIENT,        /* Neo.ClientError.* and misuse of the API, bad URI */
    NEO4J_ERROR_TRANSIENT,     /* Neo.TransientError.* */
    NEO4J_ERROR_DATABASE,      /* Neo.DatabaseError.* */
    NEO4J_ERROR_PROTOCOL       /* the peer broke the Bolt protocol */
} neo4j_error_category;

#define NEO4J_CODE_MAX 128
#define NEO4J_MESSAGE_MAX 2048

typedef struct neo4j_error {
    neo4j_error_category category;
    char code[NEO4J_CODE_MAX];        /* Neo4j code, e.g. Neo.ClientError.Security.Unauthorized,
                                         or a driver code such as Driver.ServiceUnavailable */
    char gql_status[16];              /* GQLSTATUS (Bolt 5.7+), empty if none */
    char message[NEO4J_MESSAGE_MAX];
} neo4j_error;

/* Driver-side codes (server codes always start with "Neo."). */
#define NEO4J_CODE_SERVICE_UNAVAILABLE "Driver.ServiceUnavailable"
#define NEO4J_CODE_CONNECTION_TIMEOUT  "Driver.ConnectionTimeout"
#define NEO4J_CODE_TLS                 "Driver.TLSError"
#define NEO4J_CODE_PROTOCOL            "Driver.ProtocolError"
#define NEO4J_CODE_INVALID_URI         "Driver.InvalidURI"
#define NEO4J_CODE_INVALID_ARGUMENT    "Driver.InvalidArgument"
#define NEO4J_CODE_ILLEGAL_STATE       "Driver.IllegalState"
#define NEO4J_CODE_OUT_OF_MEMORY       "Driver.OutOfMemory"
#define NEO4J_CODE_UNSUPPORTED         "Driver.Unsupported"
#define NEO4J_CODE_ACQUISITION_TIMEOUT "Driver.ConnectionAcquisitionTimeout"

void neo4j_error_clear(neo4j_error *err);
/* Sets category/code/message (printf-style); returns -1 so callers can `return neo4j_error_set(...)`. */
int neo4j_error_set(neo4j_error *err, neo4j_error_category cat, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Category of a server code ("Neo.ClientError.Security.X" -> SECURITY, ...). */
neo4j_error_category neo4j_error_category_for_code(const char *code);
const char *neo4j_error_category_name(neo4j_error_category cat);
bool neo4j_error_is_authentication(const neo4j_error *err);      /* Neo.ClientError.Security.Unauthorized */
bool neo4j_error_is_database_not_found(const neo4j_error *err);  /* Neo.ClientError.Database.DatabaseNotFound */
bool neo4j_error_is_syntax(const neo4j_error *err);              /* Neo.ClientError.Statement.SyntaxError */
bool neo4j_error_is_retryable(const neo4j_error *err);

/* ------------------------------------------------------------------ logging */

typedef enum neo4j_log_level {
    NEO4J_LOG_ERROR = 0,
    NEO4J_LOG_WARNING,
    NEO4J_LOG_INFO,
    NEO4J_LOG_DEBUG,
    NEO4J_LOG_TRACE     /* every Bolt message, C:/S: style, credentials masked */
} neo4j_log_level;

typedef void (*neo4j_log_fn)(void *ctx, neo4j_log_level level, const char *message);

/* ------------------------------------------------------------------ auth and config */

typedef struct neo4j_auth {
    const char *scheme;       /* "none", "basic", "bearer", "kerberos", or custom */
    const char *principal;
    const char *credentials;
    const char *realm;        /* optional */
} neo4j_auth;

neo4j_auth neo4j_auth_none(void);
neo4j_auth neo4j_auth_basic(const char *user, const char *password, const char *realm);
neo4j_auth neo4j_auth_bearer(const char *token);

/* Polled while the driver waits on the network (at least every 100 ms): when it
 * returns true the wait ends with code NEO4J_CODE_INTERRUPTED; a query in
 * progress is stopped with RESET and the connection kept if it recovers. */
typedef bool (*neo4j_interrupt_fn)(void *ctx);
#define NEO4J_CODE_INTERRUPTED         "Driver.Interrupted"

typedef struct neo4j_config {
    const char *user_agent;           /* default "neo4j-fdw/<version>" */
    int connect_timeout_ms;           /* default 30000 */
    int fetch_size;                   /* records per PULL; default 1000; -1 = all */
    const char *ca_file;              /* extra trusted CAs (PEM) for +s schemes */
    bool keepalive;                   /* TCP keepalive, default true */
    int max_connection_pool_size;     /* idle + in use per address; default 100. A backend is
                                         single-threaded: nobody else can give a connection back,
                                         so an exhausted pool fails at once instead of waiting */
    /* how long a session may take to get its connection: routing table,
       connect, TLS and HELLO together; default 60000; <=0 = no limit beyond
       connect_timeout_ms per connection */
    int connection_acquisition_timeout_ms;
    int64_t max_connection_lifetime_ms;   /* older connections are closed, not reused; default 1 h; <=0 off */
    int64_t liveness_check_timeout_ms;    /* idle longer than this: RESET round trip before reuse;
                                             default -1 (off), 0 = always */
    const char *notifications_minimum_severity;     /* NULL = server default; "OFF" disables */
    const char *const *notifications_disabled_categories;  /* NULL-terminated, or NULL */
    int max_bolt_minor;               /* testing: cap the proposed 5.x minor (-1 = no cap) */
    bool offer_bolt6;                 /* offer 6.0 via the handshake manifest (default true) */
    neo4j_log_fn log;
    void *log_ctx;
    neo4j_log_level log_level;
    /* neo4j:// routing: tables expired for longer than this are dropped
     * (so the map of databases stays bounded); default 30000 */
    int routing_table_purge_delay_ms;
    neo4j_interrupt_fn interrupted;   /* optional: cancel support (see above) */
    void *interrupt_ctx;
} neo4j_config;

void neo4j_config_init(neo4j_config *config);

/* ------------------------------------------------------------------ driver API */

typedef struct neo4j_driver neo4j_driver;
typedef struct neo4j_session neo4j_session;
typedef struct neo4j_transaction neo4j_transaction;
typedef struct neo4j_result neo4j_result;

typedef enum neo4j_access_mode { NEO4J_ACCESS_WRITE = 0, NEO4J_ACCESS_READ = 1 } neo4j_access_mode;

typedef struct neo4j_session_config {
    const char *database;              /* NULL = home database */
    neo4j_access_mode access_mode;
    const char *const *bookmarks;      /* NULL-terminated initial bookmarks, or NULL */
    const char *impersonated_user;
    int fetch_size;                    /* 0 = driver default */
    /* Bolt 5.2+: override the driver's notification filters for this session's
     * transactions (sent in BEGIN / auto-commit RUN); NULL = driver setting. */
    const char *notifications_minimum_severity;
    const char *const *notifications_disabled_categories;
} neo4j_session_config;

typedef struct neo4j_tx_config {
    int64_t timeout_ms;                /* <0 = server default, 0 = no timeout */
    const neo4j_value *metadata;       /* a map, or NULL */
} neo4j_tx_config;

/* Creates a driver; does not connect. The auth strings are copied. */
neo4j_driver *neo4j_driver_new(const char *uri, const neo4j_auth *auth, const neo4j_config *config,
                               neo4j_error *err);
/* Opens (or reuses) a connection and checks it; -1 on failure. */
int neo4j_driver_verify_connectivity(neo4j_driver *driver, neo4j_error *err);
void neo4j_driver_close(neo4j_driver *driver);

/* What a connection to the server reports. */
typedef struct neo4j_server_info {
    char address[300];                 /* host:port as configured */
    char agent[128];                   /* e.g. "Neo4j/5.26.0" */
    int protocol_major, protocol_minor;
} neo4j_server_info;

/* Fills *info from a pooled connection (opening one if there is none). */
int neo4j_driver_server_info(neo4j_driver *driver, neo4j_server_info *info, neo4j_error *err);
/* Idle connections in the driver's pools (all addresses), and the "host:port"
 * of the URL (the initial router for neo4j:// URLs). */
size_t neo4j_driver_idle_connections(const neo4j_driver *driver);
const char *neo4j_driver_address(const neo4j_driver *driver);

/* ------------------------------------------------------------------ routing (neo4j:// URLs) */

#define NEO4J_ROUTING_MAX_SERVERS 32

typedef struct neo4j_routing_server {
    char address[300];                 /* host:port */
    char role[8];                      /* "ROUTE", "READ" or "WRITE" */
} neo4j_routing_server;

typedef struct neo4j_routing_table_info {
    char database[256];                /* the database the table is for (the home database's name) */
    int64_t ttl_ms;
    int64_t expires_in_ms;             /* < 0: expired that long ago */
    size_t n_servers;                  /* routers first, then readers, then writers */
    neo4j_routing_server servers[NEO4J_ROUTING_MAX_SERVERS];
    bool truncated;                    /* more servers than fit */
} neo4j_routing_table_info;

/*
 * The routing table of a database (NULL = the home database), fetched first
 * if the driver has none or it is stale for reads; a fetch sends bookmarks
 * (NULL-terminated, or NULL) as a session's ROUTE would. -1 with an error for
 * bolt:// URLs (NEO4J_CODE_UNSUPPORTED) or when no router answers.
 */
int neo4j_driver_routing_table(neo4j_driver *driver, const char *database, const char *const *bookmarks,
                               neo4j_routing_table_info *out, neo4j_error *err);

neo4j_session *neo4j_session_open(neo4j_driver *driver, const neo4j_session_config *config, neo4j_error *err);
/* Closes the session; an open result is discarded, an open transaction rolled back. */
void neo4j_session_close(neo4j_session *session);
/* The bookmarks the session holds now (after the last commit), NULL-terminated. */
const char *const *neo4j_session_bookmarks(neo4j_session *session);

/* Auto-commit query. params may be NULL or a map. */
neo4j_result *neo4j_session_run(neo4j_session *session, const char *cypher, const neo4j_value *params,
                                const neo4j_tx_config *tx_config, neo4j_error *err);
neo4j_transaction *neo4j_session_begin(neo4j_session *session, const neo4j_tx_config *tx_config,
                                       neo4j_error *err);
neo4j_result *neo4j_transaction_run(neo4j_transaction *tx, const char *cypher, const neo4j_value *params,
                                    neo4j_error *err);
/* The same with this result's own fetch size (records per PULL; 0 = the session's, -1 = all). */
neo4j_result *neo4j_transaction_run_fetch(neo4j_transaction *tx, const char *cypher, const neo4j_value *params,
                                          int64_t fetch_size, neo4j_error *err);
int neo4j_transaction_commit(neo4j_transaction *tx, neo4j_error *err);
int neo4j_transaction_rollback(neo4j_transaction *tx, neo4j_error *err);
/* Rolls back if neither committed nor rolled back; frees the handle. */
void neo4j_transaction_close(neo4j_transaction *tx);

/* Column names of a result. */
size_t neo4j_result_field_count(const neo4j_result *result);
const neo4j_value *neo4j_result_field_name(const neo4j_result *result, size_t i);  /* a String */
/*
 * Next record: returns 1 and sets *record (a List of the values), 0 at the
 * end, -1 on error. The record stays valid until the next call on any result,
 * transaction or session call of the same session. Records are fetched in
 * batches of fetch_size only as the caller asks for them.
 */
int neo4j_result_next(neo4j_result *result, const neo4j_value **record, neo4j_error *err);
/* The record next() would return, without taking it (1, 0 at the end, -1 on
 * error): the first batch's failure shows here before any record is used. */
int neo4j_result_peek(neo4j_result *result, const neo4j_value **record, neo4j_error *err);
/* Discards the remaining records (DISCARD) and completes the summary. */
int neo4j_result_consume(neo4j_result *result, neo4j_error *err);
/* Frees the handle; consumes first if still streaming. */
void neo4j_result_close(neo4j_result *result);

typedef struct neo4j_counters {
    int64_t nodes_created, nodes_deleted, relationships_created, relationships_deleted,
            properties_set, labels_added, labels_removed, indexes_added, indexes_removed,
            constraints_added, constraints_removed, system_updates;
    bool contains_updates, contains_system_updates;
} neo4j_counters;

typedef struct neo4j_notification {
    char *code;            /* neo4j code (notifications) or NULL */
    char *gql_status;      /* GQLSTATUS (statuses, 5.6+) or NULL */
    char *title;
    char *description;
    char *severity;
    char *category;        /* category / classification */
} neo4j_notification;

typedef struct neo4j_summary {
    const char *server_agent;     /* e.g. "Neo4j/5.26.0" */
    const char *server_address;   /* host:port */
    int protocol_major, protocol_minor;
    const char *database;         /* NULL if the server did not say */
    const char *bookmark;         /* NULL outside auto-commit or if none */
    const char *query_type;       /* "r", "w", "rw", "s" */
    int64_t t_first_ms, t_last_ms;
    neo4j_counters counters;
    size_t notification_count;
    const neo4j_notification *notifications;
} neo4j_summary;

/* Valid once the result has been fully read or consumed; NULL before. */
const neo4j_summary *neo4j_result_summary(const neo4j_result *result);

/* ------------------------------------------------------------------ misc */

const char *neo4j_driver_version(void);

#ifdef __cplusplus
}
#endif
#endif /* NEO4J_H */
