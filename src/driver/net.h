/*
 * net.h — TCP (dual-stack, Happy Eyeballs) and TLS transport (internal).
 */
#ifndef NEO4J_NET_H
#define NEO4J_NET_H

#include <sys/types.h>
#include "neo4j.h"
#include "uri.h"

typedef struct neo4j_socket neo4j_socket;
struct addrinfo;

/*
 * Interrupt hook: polled whenever a wait is woken by a signal (EINTR) and at
 * least every NEO4J_NET_INTERRUPT_POLL_MS while waiting; returning true
 * abandons the wait with a CLIENT error, code NEO4J_CODE_INTERRUPTED. Meant
 * for query cancel in a backend. After an interrupted read or write the
 * connection is in an unknown state and must be closed.
 */
typedef neo4j_interrupt_fn neo4j_net_interrupt_fn;
#define NEO4J_NET_INTERRUPT_POLL_MS 100

/* Zero-initialize (new fields may be added); connect_timeout_ms <= 0 means no limit. */
typedef struct neo4j_net_config {
    int connect_timeout_ms;      /* total budget for resolve + connect + TLS handshake */
    bool keepalive;
    neo4j_tls_mode tls;
    const char *ca_file;         /* extra trusted CAs for NEO4J_TLS_VERIFY, or NULL */
    neo4j_log_fn log;
    void *log_ctx;
    neo4j_log_level log_level;
    neo4j_net_interrupt_fn interrupted;   /* optional, see above; inherited by the socket */
    void *interrupt_ctx;
} neo4j_net_config;

/*
 * Resolves host (all IPv4 and IPv6 addresses), then connects with staggered
 * attempts (250 ms apart, alternating families, first success wins, the
 * others are closed), sets TCP_NODELAY and keepalive, and performs the TLS
 * handshake when asked (SNI = host, TLS 1.2 minimum).
 * Errors: CONNECTIVITY (resolve/connect/timeout: message lists the addresses
 * tried), SECURITY with code NEO4J_CODE_TLS (certificate not trusted,
 * host-name mismatch, handshake failure: message says which).
 */
int neo4j_net_connect(const char *host, int port, const neo4j_net_config *config,
                      neo4j_socket **out, neo4j_error *err);

/*
 * The connect step alone, for tests: tries the given addresses (in the
 * Happy-Eyeballs order) without resolving; host and port are used for SNI,
 * certificate checks and messages only.
 */
int neo4j_net_connect_addrinfo(const char *host, int port, const struct addrinfo *addrs,
                               const neo4j_net_config *config, neo4j_socket **out, neo4j_error *err);

/* Writes everything; -1 (CONNECTIVITY) on failure or after timeout_ms (<0: no timeout). */
int neo4j_net_write(neo4j_socket *sock, const void *data, size_t len, int timeout_ms, neo4j_error *err);

/*
 * Reads what is available (at least 1 byte, at most cap), waiting up to
 * timeout_ms (<0: forever). Returns bytes read, or -1 with CONNECTIVITY error
 * ("connection closed by server" on EOF; code NEO4J_CODE_CONNECTION_TIMEOUT on timeout).
 */
ssize_t neo4j_net_read(neo4j_socket *sock, void *buf, size_t cap, int timeout_ms, neo4j_error *err);

/* The peer's "host:port" as connected (numeric). */
const char *neo4j_net_peer(const neo4j_socket *sock);
int neo4j_net_fd(const neo4j_socket *sock);
bool neo4j_net_is_tls(const neo4j_socket *sock);
/*
 * True when decrypted data is already buffered inside TLS, so a caller that
 * polls the fd itself must call neo4j_net_read without waiting first.
 */
bool neo4j_net_has_buffered(const neo4j_socket *sock);
/* Replaces the interrupt hook taken from the config at connect time. */
void neo4j_net_set_interrupt(neo4j_socket *sock, neo4j_net_interrupt_fn fn, void *ctx);
/* Closes (TLS close_notify best effort) and frees. */
void neo4j_net_close(neo4j_socket *sock);

#endif
