/*
 * net.c — TCP (dual-stack, Happy Eyeballs) and TLS transport.
 *
 * Sockets stay non-blocking for their whole life; every wait is a poll()
 * bounded by a deadline, so a dead server can never hang a backend. Writes
 * never raise SIGPIPE (MSG_NOSIGNAL, also under TLS through our own BIO).
 * Everything lives in the neo4j_socket: no process-wide state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "net.h"

/* RFC 8305 "Connection Attempt Delay". */
#define ATTEMPT_DELAY_MS 250
/* How long close() may wait to get close_notify out. */
#define CLOSE_NOTIFY_WAIT_MS 100
/* "[addr%zone]:port" */
#define ADDR_NAME_MAX 96
/* A BIO type for our socket BIO; fixed, because BIO_get_new_index() hands out a small, finite set. */
#define NEO4J_BIO_TYPE (0xfe | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR)

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0          /* SO_NOSIGPIPE is set instead */
#endif

struct neo4j_socket
{
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
    BIO_METHOD *bio_method;
    bool eof;                   /* recv() saw end of stream (for BIO_CTRL_EOF) */
    bool broken;                /* fatal TLS error: no close_notify may be sent */
    neo4j_net_interrupt_fn interrupted;
    void *interrupt_ctx;
    char peer[ADDR_NAME_MAX];
};

/* What a wait needs to know to honour interrupts. */
typedef struct waiter
{
    neo4j_net_interrupt_fn interrupted;
    void *ctx;
} waiter;

/* ------------------------------------------------------------------ helpers */

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
deadline_after(int timeout_ms)
{
    return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* poll() timeout until deadline (<0: none), cut into slices when an interrupt hook must be polled. */
static int
poll_timeout(int64_t deadline, const waiter *w)
{
    int64_t left = -1;

    if (deadline >= 0)
    {
        left = deadline - now_ms();
        if (left < 0)
            left = 0;
    }
    if (w && w->interrupted && (left < 0 || left > NEO4J_NET_INTERRUPT_POLL_MS))
        left = NEO4J_NET_INTERRUPT_POLL_MS;
    return left > INT_MAX ? INT_MAX : (int) left;
}

static bool
expired(int64_t deadline)
{
    return deadline >= 0 && now_ms() >= deadline;
}

static int
interrupted_error(neo4j_error *err, const char *what)
{
    return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INTERRUPTED, "interrupted while %s", what);
}

/*
 * Waits until fd has one of events or the deadline passes. Returns 1 when
 * ready (errors and hang-ups count: the next I/O call reports them), 0 on
 * timeout, -1 (err set) when interrupted or poll() fails.
 */
static int
wait_fd(int fd, short events, int64_t deadline, const waiter *w, const char *what, neo4j_error *err)
{
    for (;;)
    {
        struct pollfd pfd;
        int rc;

        if (w && w->interrupted && w->interrupted(w->ctx))
            return interrupted_error(err, what);
        pfd.fd = fd;
        pfd.events = events;
        pfd.revents = 0;
        rc = poll(&pfd, 1, poll_timeout(deadline, w));
        if (rc > 0)
            return 1;
        if (rc == 0)
        {
            if (expired(deadline))
                return 0;
            continue;
        }
        if (errno != EINTR)
            return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_SERVICE_UNAVAILABLE,
                                   "poll() failed while %s: %s", what, strerror(errno));
    }
}

static void
net_log(const neo4j_net_config *config, neo4j_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
net_log(const neo4j_net_config *config, neo4j_log_level level, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    if (!config || !config->log || level > config->log_level)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    config->log(config->log_ctx, level, buf);
}

/* "ip:port" or "[ip6]:port", numeric. */
static void
format_sockaddr(const struct sockaddr *sa, socklen_t len, char *out, size_t outlen)
{
    char host[NI_MAXHOST];
    char serv[NI_MAXSERV];

    if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    {
        snprintf(out, outlen, "(unprintable address)");
        return;
    }
    neo4j_uri_format_address(host, atoi(serv), out, outlen);
}

/* host is an IPv4 or IPv6 literal (IPv6 possibly with "%zone"); the address part goes to ip. */
static bool
ip_literal(const char *host, char *ip, size_t iplen)
{
    unsigned char buf[sizeof(struct in6_addr)];
    size_t n = strcspn(host, "%");

    if (n >= iplen)
        return false;
    memcpy(ip, host, n);
    ip[n] = '\0';
    return inet_pton(AF_INET, ip, buf) == 1 || inet_pton(AF_INET6, ip, buf) == 1;
}

/* A readable reason for an OpenSSL error code. */
static const char *
ssl_reason(unsigned long e, char *buf, size_t len)
{
    const char *r = e ? ERR_reason_error_string(e) : NULL;

    if (r)
        snprintf(buf, len, "%s", r);
    else if (e)
        ERR_error_string_n(e, buf, len);
    else
        snprintf(buf, len, "unknown error");
    return buf;
}

/* ------------------------------------------------------------------ TLS plumbing */

/*
 * Our own socket BIO: the stock one writes with write(), which raises
 * SIGPIPE on a closed connection. This one uses send(MSG_NOSIGNAL).
 */
static int
bio_write(BIO *b, const char *data, int len)
{
    neo4j_socket *sock = BIO_get_data(b);
    ssize_t n;

    BIO_clear_retry_flags(b);
    n = send(sock->fd, data, (size_t) len, MSG_NOSIGNAL);
    if (n < 0)
    {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            BIO_set_retry_write(b);
        return -1;
    }
    return (int) n;
}

static int
bio_read(BIO *b, char *data, int len)
{
    neo4j_socket *sock = BIO_get_data(b);
    ssize_t n;

    BIO_clear_retry_flags(b);
    n = recv(sock->fd, data, (size_t) len, 0);
    if (n < 0)
    {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            BIO_set_retry_read(b);
        return -1;
    }
    if (n == 0)
        sock->eof = true;
    return (int) n;
}

static int
bio_puts(BIO *b, const char *str)
{
    return bio_write(b, str, (int) strlen(str));
}

static long
bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    neo4j_socket *sock = BIO_get_data(b);

    switch (cmd)
    {
        case BIO_CTRL_FLUSH:
            return 1;
        case BIO_CTRL_EOF:
            /* lets OpenSSL tell an unexpected EOF from a socket error */
            return sock && sock->eof;
        case BIO_C_GET_FD:
            if (!sock)
                return -1;
            if (ptr)
                *(int *) ptr = sock->fd;
            return sock->fd;
        default:
            return 0;
    }
}

static int
tls_error(neo4j_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
tls_error(neo4j_error *err, const char *fmt, ...)
{
    char msg[NEO4J_MESSAGE_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* leave nothing behind for other OpenSSL users in this thread (e.g. the backend's own SSL) */
    ERR_clear_error();
    return neo4j_error_set(err, NEO4J_ERROR_SECURITY, NEO4J_CODE_TLS, "%s", msg);
}

/* The SSL_CTX for one connection; built before connecting so that bad settings fail fast. */
static int
tls_context(const neo4j_net_config *config, SSL_CTX **out, neo4j_error *err)
{
    char reason[256];
    SSL_CTX *ctx;

    *out = NULL;
    ERR_clear_error();
    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return tls_error(err, "TLS: could not create a TLS context: %s",
                         ssl_reason(ERR_peek_last_error(), reason, sizeof reason));
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
    {
        SSL_CTX_free(ctx);
        return tls_error(err, "TLS: could not require TLS 1.2: %s",
                         ssl_reason(ERR_peek_last_error(), reason, sizeof reason));
    }
    /* a write may be retried from a different spot after a partial write */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);

    if (config->tls == NEO4J_TLS_VERIFY)
    {
        /* no system store is not fatal by itself: ca_file may be all there is */
        if (SSL_CTX_set_default_verify_paths(ctx) != 1)
            ERR_clear_error();
        if (config->ca_file && config->ca_file[0])
        {
            FILE *f = fopen(config->ca_file, "r");

            if (!f)
            {
                int e = errno;

                SSL_CTX_free(ctx);
                return tls_error(err, "TLS: cannot read the CA file \"%s\": %s", config->ca_file, strerror(e));
            }
            fclose(f);
            if (SSL_CTX_load_verify_locations(ctx, config->ca_file, NULL) != 1)
            {
                ssl_reason(ERR_peek_last_error(), reason, sizeof reason);
                SSL_CTX_free(ctx);
                return tls_error(err, "TLS: the CA file \"%s\" holds no usable PEM certificate (%s)",
                                 config->ca_file, reason);
            }
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    }
    else
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    *out = ctx;
    return 0;
}

/* Turns a failed certificate verification into a message saying what is wrong. */
static int
verify_error(long vr, const char *host, const char *ca_file, neo4j_error *err)
{
    const char *hint = "";

    if (vr == X509_V_ERR_HOSTNAME_MISMATCH)
        return tls_error(err, "TLS: the server certificate does not match host name \"%s\"", host);
    if (vr == X509_V_ERR_IP_ADDRESS_MISMATCH)
        return tls_error(err, "TLS: the server certificate does not match IP address \"%s\"", host);
    if (vr == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT || vr == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
        vr == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || vr == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT)
        hint = (ca_file && ca_file[0])
            ? "; the CA file does not vouch for it either"
            : "; to trust a private CA, give its certificate as the CA file";
    return tls_error(err, "TLS: the server certificate is not trusted (%s)%s",
                     X509_verify_cert_error_string(vr), hint);
}

static int
tls_handshake(neo4j_socket *sock, const char *host, const neo4j_net_config *config, int64_t deadline,
              neo4j_error *err)
{
    waiter w = {sock->interrupted, sock->interrupt_ctx};
    char reason[256];
    char ip[INET6_ADDRSTRLEN + 1];
    char name[256];
    bool is_ip = ip_literal(host, ip, sizeof ip);
    size_t hlen = strlen(host);
    BIO *bio;

    /* SNI and the name check go without an FQDN's final dot */
    snprintf(name, sizeof name, "%.*s", (int) (hlen > 1 && host[hlen - 1] == '.' ? hlen - 1 : hlen), host);

    ERR_clear_error();
    sock->bio_method = BIO_meth_new(NEO4J_BIO_TYPE, "neo4j socket");
    if (!sock->bio_method ||
        !BIO_meth_set_write(sock->bio_method, bio_write) ||
        !BIO_meth_set_read(sock->bio_method, bio_read) ||
        !BIO_meth_set_puts(sock->bio_method, bio_puts) ||
        !BIO_meth_set_ctrl(sock->bio_method, bio_ctrl))
        return tls_error(err, "TLS: could not set up the socket BIO: %s",
                         ssl_reason(ERR_peek_last_error(), reason, sizeof reason));
    sock->ssl = SSL_new(sock->ctx);
    if (!sock->ssl)
        return tls_error(err, "TLS: could not create a TLS session: %s",
                         ssl_reason(ERR_peek_last_error(), reason, sizeof reason));
    bio = BIO_new(sock->bio_method);
    if (!bio)
        return tls_error(err, "TLS: could not create the socket BIO: %s",
                         ssl_reason(ERR_peek_last_error(), reason, sizeof reason));
    BIO_set_data(bio, sock);
    BIO_set_init(bio, 1);
    SSL_set_bio(sock->ssl, bio, bio);   /* the SSL owns the BIO from here */

    /* RFC 6066 forbids IP literals in SNI */
    if (!is_ip && SSL_set_tlsext_host_name(sock->ssl, name) != 1)
        return tls_error(err, "TLS: could not set the server name \"%s\": %s", name,
                         ssl_reason(ERR_peek_last_error(), reason, sizeof reason));
    if (config->tls == NEO4J_TLS_VERIFY)
    {
        X509_VERIFY_PARAM *param = SSL_get0_param(sock->ssl);
        int ok;

        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, ip) : X509_VERIFY_PARAM_set1_host(param, name, 0);
        if (ok != 1)
            return tls_error(err, "TLS: cannot check the certificate against \"%s\": %s", host,
                             ssl_reason(ERR_peek_last_error(), reason, sizeof reason));
    }
    SSL_set_connect_state(sock->ssl);

    for (;;)
    {
        int rc, e, saved_errno, wr;
        unsigned long ssl_err;
        long vr;
        short events;

        ERR_clear_error();
        errno = 0;
        rc = SSL_do_handshake(sock->ssl);
        saved_errno = errno;
        if (rc == 1)
            break;
        e = SSL_get_error(sock->ssl, rc);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        {
            events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
            wr = wait_fd(sock->fd, events, deadline, &w, "performing the TLS handshake", err);
            if (wr < 0)
                return -1;
            if (wr == 0)
                return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_CONNECTION_TIMEOUT,
                                       "TLS handshake with %s timed out after %d ms (connect timeout)",
                                       sock->peer, config->connect_timeout_ms);
            continue;
        }

        sock->broken = true;
        ssl_err = ERR_peek_last_error();
        vr = SSL_get_verify_result(sock->ssl);
        if (config->tls == NEO4J_TLS_VERIFY && vr != X509_V_OK)
            return verify_error(vr, host, config->ca_file, err);
        if ((e == SSL_ERROR_SYSCALL && (sock->eof || saved_errno == 0)) ||
            (e == SSL_ERROR_SSL && ERR_GET_REASON(ssl_err) == SSL_R_UNEXPECTED_EOF_WHILE_READING))
            return tls_error(err, "TLS: handshake with %s failed: the server closed the connection "
                             "(is TLS enabled on the server? without TLS use bolt:// or neo4j://)", sock->peer);
        if (e == SSL_ERROR_SYSCALL && (saved_errno == ECONNRESET || saved_errno == EPIPE))
            return tls_error(err, "TLS: handshake with %s failed: the server reset the connection (%s; "
                             "is TLS enabled on the server? without TLS use bolt:// or neo4j://)",
                             sock->peer, strerror(saved_errno));
        if (e == SSL_ERROR_SYSCALL)
            return tls_error(err, "TLS: handshake with %s failed: %s", sock->peer, strerror(saved_errno));
        if (ERR_GET_REASON(ssl_err) == SSL_R_WRONG_VERSION_NUMBER)
            return tls_error(err, "TLS: handshake with %s failed: wrong version number "
                             "(the server does not speak TLS on this port? without TLS use bolt:// or neo4j://)",
                             sock->peer);
        return tls_error(err, "TLS: handshake with %s failed: %s", sock->peer,
                         ssl_reason(ssl_err, reason, sizeof reason));
    }
    net_log(config, NEO4J_LOG_DEBUG, "neo4j: TLS handshake with %s done (%s, %s%s)", sock->peer,
            SSL_get_version(sock->ssl), SSL_get_cipher_name(sock->ssl),
            config->tls == NEO4J_TLS_VERIFY ? ", certificate verified" : ", certificate not checked");
    return 0;
}

/* ------------------------------------------------------------------ TCP connect */

typedef enum attempt_state
{
    ATTEMPT_NOT_TRIED = 0,
    ATTEMPT_PENDING,
    ATTEMPT_FAILED
} attempt_state;

typedef struct attempt
{
    const struct addrinfo *ai;
    int fd;
    attempt_state state;
    int error;                  /* errno when failed */
    char name[ADDR_NAME_MAX];
} attempt;

static int
open_socket(int family)
{
    int fd;

#if defined(SOCK_CLOEXEC) && defined(SOCK_NONBLOCK)
    fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
#else
    int flags;

    fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
        (flags = fcntl(fd, F_GETFL)) < 0 ||
        fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
    {
        int e = errno;

        close(fd);
        errno = e;
        return -1;
    }
#endif
#ifdef SO_NOSIGPIPE
    {
        int one = 1;

        (void) setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
    }
#endif
    return fd;
}

/*
 * Starts a non-blocking connect. Returns 1 if connected at once, 0 if
 * pending, -1 if it failed (a->error set).
 */
static int
start_attempt(attempt *a, int index, int count, const neo4j_net_config *config)
{
    int rc;

    net_log(config, NEO4J_LOG_DEBUG, "neo4j: connecting to %s (address %d of %d)", a->name, index + 1, count);
    a->fd = open_socket(a->ai->ai_family);
    if (a->fd < 0)
    {
        a->error = errno;
        a->state = ATTEMPT_FAILED;
        return -1;
    }
    rc = connect(a->fd, a->ai->ai_addr, a->ai->ai_addrlen);
    if (rc == 0)
        return 1;
    /* an interrupted non-blocking connect goes on in the background */
    if (errno == EINPROGRESS || errno == EINTR)
    {
        a->state = ATTEMPT_PENDING;
        return 0;
    }
    a->error = errno;
    a->state = ATTEMPT_FAILED;
    close(a->fd);
    a->fd = -1;
    return -1;
}

static void
fail_attempt(attempt *a, int error, const neo4j_net_config *config)
{
    a->error = error;
    a->state = ATTEMPT_FAILED;
    close(a->fd);
    a->fd = -1;
    net_log(config, NEO4J_LOG_DEBUG, "neo4j: connection to %s failed: %s", a->name, strerror(error));
}

/* Appends ", name (reason)" for every address tried. */
static void
describe_attempts(const attempt *at, int n, char *buf, size_t len)
{
    size_t used = strlen(buf);
    int not_tried = 0;
    bool first = true;

    for (int i = 0; i < n && used < len; i++)
    {
        const char *why;
        int w;

        if (at[i].state == ATTEMPT_NOT_TRIED)
        {
            not_tried++;
            continue;
        }
        why = at[i].state == ATTEMPT_PENDING ? "timed out" : strerror(at[i].error);
        w = snprintf(buf + used, len - used, "%s%s (%s)", first ? "" : ", ", at[i].name, why);
        if (w < 0)
            break;
        used += (size_t) w;
        first = false;
    }
    if (not_tried && used < len)
        snprintf(buf + used, len - used, "%s%d more address%s not tried", first ? "" : ", ", not_tried,
                 not_tried == 1 ? "" : "es");
}

/*
 * Happy Eyeballs over at[0..n) (already in attempt order): start one, start
 * the next after ATTEMPT_DELAY_MS or as soon as one fails, first to connect
 * wins. Returns the winning index, or -1 with err set.
 */
static int
race(attempt *at, int n, const char *target, const neo4j_net_config *config, int64_t deadline,
     neo4j_error *err)
{
    waiter w = {config->interrupted, config->interrupt_ctx};
    struct pollfd *pfds = calloc((size_t) n, sizeof *pfds);
    int *owners = calloc((size_t) n, sizeof *owners);
    int next = 0, pending = 0, winner = -1;
    int64_t next_start = 0;
    bool timed_out = false;
    char msg[NEO4J_MESSAGE_MAX];

    if (!pfds || !owners)
    {
        free(pfds);
        free(owners);
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY, "out of memory while connecting");
    }

    while (winner < 0)
    {
        int64_t now = now_ms();
        int np = 0, rc, timeout;

        if (w.interrupted && w.interrupted(w.ctx))
        {
            interrupted_error(err, "connecting");
            goto fail;
        }
        if (deadline >= 0 && now >= deadline)
        {
            timed_out = true;
            break;
        }
        while (next < n && (pending == 0 || now >= next_start))
        {
            int s = start_attempt(&at[next], next, n, config);

            next++;
            if (s > 0)
            {
                winner = next - 1;
                break;
            }
            if (s == 0)
            {
                pending++;
                next_start = now + ATTEMPT_DELAY_MS;
                break;
            }
            net_log(config, NEO4J_LOG_DEBUG, "neo4j: connection to %s failed: %s",
                    at[next - 1].name, strerror(at[next - 1].error));
        }
        if (winner >= 0)
            break;
        if (pending == 0)
        {
            if (next >= n)
                break;          /* all failed */
            continue;
        }

        for (int i = 0; i < next; i++)
        {
            if (at[i].state != ATTEMPT_PENDING)
                continue;
            pfds[np].fd = at[i].fd;
            pfds[np].events = POLLOUT;
            pfds[np].revents = 0;
            owners[np++] = i;
        }
        timeout = poll_timeout(deadline, &w);
        if (next < n)
        {
            int64_t until = next_start - now_ms();

            if (until < 0)
                until = 0;
            if (timeout < 0 || until < timeout)
                timeout = (int) until;
        }
        rc = poll(pfds, (nfds_t) np, timeout);
        if (rc < 0)
        {
            if (errno == EINTR)
                continue;
            neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_SERVICE_UNAVAILABLE,
                            "poll() failed while connecting to %s: %s", target, strerror(errno));
            goto fail;
        }
        for (int k = 0; k < np && rc > 0; k++)
        {
            attempt *a = &at[owners[k]];
            int so_error = 0;
            socklen_t so_len = sizeof so_error;

            if (!pfds[k].revents)
                continue;
            if (getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len) < 0)
                so_error = errno;
            else if (so_error == 0 && (pfds[k].revents & (POLLERR | POLLHUP)))
                so_error = ECONNREFUSED;    /* should not happen: SO_ERROR is set on failure */
            if (so_error == 0)
            {
                winner = owners[k];
                break;
            }
            fail_attempt(a, so_error, config);
            pending--;
            next_start = now_ms();  /* a failure starts the next attempt at once */
        }
    }

    if (winner >= 0)
    {
        for (int i = 0; i < n; i++)
            if (i != winner && at[i].state == ATTEMPT_PENDING)
            {
                close(at[i].fd);
                at[i].fd = -1;
            }
        free(pfds);
        free(owners);
        return winner;
    }

    if (timed_out)
    {
        snprintf(msg, sizeof msg, "could not connect to %s within %d ms: %s", target, config->connect_timeout_ms,
                 next == 0 ? "no address tried" : "tried ");
        describe_attempts(at, n, msg, sizeof msg);
        neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_CONNECTION_TIMEOUT, "%s", msg);
    }
    else
    {
        snprintf(msg, sizeof msg, "could not connect to %s: tried ", target);
        describe_attempts(at, n, msg, sizeof msg);
        neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_SERVICE_UNAVAILABLE, "%s", msg);
    }

fail:
    for (int i = 0; i < n; i++)
        if (at[i].state == ATTEMPT_PENDING)
        {
            close(at[i].fd);
            at[i].fd = -1;
        }
    free(pfds);
    free(owners);
    return -1;
}

static bool
same_address(const struct addrinfo *a, const struct addrinfo *b)
{
    return a->ai_family == b->ai_family && a->ai_addrlen == b->ai_addrlen &&
           memcmp(a->ai_addr, b->ai_addr, a->ai_addrlen) == 0;
}

/*
 * Orders addrs for the race (RFC 8305 section 4): duplicates dropped, then
 * alternating between the family of the first address and the other one,
 * keeping the resolver's order within each family.
 */
static int
order_attempts(const struct addrinfo *addrs, attempt **out)
{
    const struct addrinfo *ai;
    const struct addrinfo **same, **other;
    attempt *at;
    int total = 0, ns = 0, no = 0, n = 0, first_family = 0;

    *out = NULL;
    for (ai = addrs; ai; ai = ai->ai_next)
        total++;
    if (total == 0)
        return 0;
    same = calloc((size_t) total, sizeof *same);
    other = calloc((size_t) total, sizeof *other);
    at = calloc((size_t) total, sizeof *at);
    if (!same || !other || !at)
    {
        free(same);
        free(other);
        free(at);
        return -1;
    }
    for (ai = addrs; ai; ai = ai->ai_next)
    {
        bool dup = false;

        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        if (!first_family)
            first_family = ai->ai_family;
        for (int k = 0; k < ns && !dup; k++)
            dup = same_address(same[k], ai);
        for (int k = 0; k < no && !dup; k++)
            dup = same_address(other[k], ai);
        if (dup)
            continue;
        if (ai->ai_family == first_family)
            same[ns++] = ai;
        else
            other[no++] = ai;
    }
    for (int i = 0; i < ns || i < no; i++)
    {
        if (i < ns)
            at[n++].ai = same[i];
        if (i < no)
            at[n++].ai = other[i];
    }
    for (int k = 0; k < n; k++)
    {
        at[k].fd = -1;
        format_sockaddr(at[k].ai->ai_addr, at[k].ai->ai_addrlen, at[k].name, sizeof at[k].name);
    }
    free(same);
    free(other);
    if (n == 0)
    {
        free(at);
        return 0;
    }
    *out = at;
    return n;
}

static void
set_socket_options(int fd, const neo4j_net_config *config, const char *peer)
{
    int one = 1;

    /* Bolt writes whole messages; Nagle would only add latency */
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
        net_log(config, NEO4J_LOG_DEBUG, "neo4j: could not set TCP_NODELAY on %s: %s", peer, strerror(errno));
    if (config->keepalive && setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) < 0)
        net_log(config, NEO4J_LOG_DEBUG, "neo4j: could not set SO_KEEPALIVE on %s: %s", peer, strerror(errno));
}

/* Takes ownership of ctx (NULL for plain TCP), also on failure. */
static int
connect_addrinfo(const char *host, int port, const struct addrinfo *addrs, const neo4j_net_config *config,
                 SSL_CTX *ctx, int64_t deadline, neo4j_socket **out, neo4j_error *err)
{
    char target[ADDR_NAME_MAX + 256];
    attempt *at;
    neo4j_socket *sock;
    int n, winner;

    neo4j_uri_format_address(host, port, target, sizeof target);
    n = order_attempts(addrs, &at);
    if (n <= 0)
    {
        SSL_CTX_free(ctx);
        if (n < 0)
            return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY, "out of memory while connecting");
        return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_SERVICE_UNAVAILABLE,
                               "could not connect to %s: no IPv4 or IPv6 address", target);
    }
    winner = race(at, n, target, config, deadline, err);
    if (winner < 0)
    {
        SSL_CTX_free(ctx);
        free(at);
        return -1;
    }

    sock = calloc(1, sizeof *sock);
    if (!sock)
    {
        SSL_CTX_free(ctx);
        close(at[winner].fd);
        free(at);
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY, "out of memory while connecting");
    }
    sock->fd = at[winner].fd;
    sock->interrupted = config->interrupted;
    sock->interrupt_ctx = config->interrupt_ctx;
    snprintf(sock->peer, sizeof sock->peer, "%s", at[winner].name);
    free(at);
    set_socket_options(sock->fd, config, sock->peer);
    net_log(config, NEO4J_LOG_DEBUG, "neo4j: connected to %s (for %s)", sock->peer, target);

    if (ctx)
    {
        sock->ctx = ctx;
        if (tls_handshake(sock, host, config, deadline, err) < 0)
        {
            sock->broken = true;
            neo4j_net_close(sock);
            return -1;
        }
    }
    *out = sock;
    return 0;
}

/* ------------------------------------------------------------------ public API */

int
neo4j_net_connect_addrinfo(const char *host, int port, const struct addrinfo *addrs,
                           const neo4j_net_config *config, neo4j_socket **out, neo4j_error *err)
{
    SSL_CTX *ctx = NULL;

    *out = NULL;
    if (config->tls != NEO4J_TLS_OFF && tls_context(config, &ctx, err) < 0)
        return -1;
    return connect_addrinfo(host, port, addrs, config, ctx,
                            config->connect_timeout_ms > 0 ? now_ms() + config->connect_timeout_ms : -1,
                            out, err);
}

int
neo4j_net_connect(const char *host, int port, const neo4j_net_config *config,
                  neo4j_socket **out, neo4j_error *err)
{
    struct addrinfo hints;
    struct addrinfo *res = NULL;
    char target[ADDR_NAME_MAX + 256];
    char port_str[16];
    SSL_CTX *ctx = NULL;
    int64_t start, deadline;
    int rc;

    *out = NULL;
    if (!host || !*host || port < 1 || port > 65535)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_ARGUMENT,
                               "cannot connect: no host or port out of range");
    neo4j_uri_format_address(host, port, target, sizeof target);

    /* TLS settings first: a bad CA file is reported without touching the network */
    if (config->tls != NEO4J_TLS_OFF && tls_context(config, &ctx, err) < 0)
        return -1;

    /* the budget covers the network: loading CA certificates above is not counted */
    start = now_ms();
    deadline = config->connect_timeout_ms > 0 ? start + config->connect_timeout_ms : -1;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(port_str, sizeof port_str, "%d", port);
    net_log(config, NEO4J_LOG_DEBUG, "neo4j: resolving %s", host);
    rc = getaddrinfo(host, port_str, &hints, &res);
    if (rc != 0)
    {
        const char *why = rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc);

        SSL_CTX_free(ctx);
        return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_SERVICE_UNAVAILABLE,
                               "could not connect to %s: cannot resolve host \"%s\": %s", target, host, why);
    }
    if (expired(deadline))
    {
        freeaddrinfo(res);
        SSL_CTX_free(ctx);
        return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_CONNECTION_TIMEOUT,
                               "could not connect to %s within %d ms: resolving \"%s\" took %lld ms",
                               target, config->connect_timeout_ms, host, (long long) (now_ms() - start));
    }
    rc = connect_addrinfo(host, port, res, config, ctx, deadline, out, err);
    freeaddrinfo(res);
    return rc;
}

/* ------------------------------------------------------------------ I/O */

static int
closed_error(neo4j_socket *sock, neo4j_error *err)
{
    return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_SERVICE_UNAVAILABLE,
                           "connection closed by the server (%s)", sock->peer);
}

static int
lost_error(neo4j_socket *sock, const char *doing, const char *why, neo4j_error *err)
{
    return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_SERVICE_UNAVAILABLE,
                           "connection to %s lost while %s: %s", sock->peer, doing, why);
}

/*
 * Classifies a failed SSL_read/SSL_write. Returns POLLIN/POLLOUT when the
 * call must be retried once the socket is ready, or -1 with err set.
 */
static int
tls_io_result(neo4j_socket *sock, int rc, int saved_errno, const char *doing, neo4j_error *err)
{
    char reason[256];
    unsigned long e;

    switch (SSL_get_error(sock->ssl, rc))
    {
        case SSL_ERROR_WANT_READ:
            return POLLIN;
        case SSL_ERROR_WANT_WRITE:
            return POLLOUT;
        case SSL_ERROR_ZERO_RETURN:
            /* close_notify received: an orderly close, ours may still be sent */
            ERR_clear_error();
            return closed_error(sock, err);
        case SSL_ERROR_SYSCALL:
            sock->broken = true;
            ERR_clear_error();
            if (sock->eof || saved_errno == 0)
                return closed_error(sock, err);
            return lost_error(sock, doing, strerror(saved_errno), err);
        default:
            sock->broken = true;
            e = ERR_peek_last_error();
            ERR_clear_error();
            if (ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
                return closed_error(sock, err);
            snprintf(reason, sizeof reason, "TLS error: ");
            ssl_reason(e, reason + strlen(reason), sizeof reason - strlen(reason));
            return lost_error(sock, doing, reason, err);
    }
}

/* Waits for events after a retryable I/O result; 0 to retry, -1 with err set. */
static int
io_wait(neo4j_socket *sock, short events, int64_t deadline, int timeout_ms, const char *doing, neo4j_error *err)
{
    waiter w = {sock->interrupted, sock->interrupt_ctx};
    char what[ADDR_NAME_MAX + 64];
    int rc;

    snprintf(what, sizeof what, "%s %s", doing, sock->peer);
    rc = wait_fd(sock->fd, events, deadline, &w, what, err);
    if (rc > 0)
        return 0;
    if (rc == 0)
        return neo4j_error_set(err, NEO4J_ERROR_CONNECTIVITY, NEO4J_CODE_CONNECTION_TIMEOUT,
                               "timed out after %d ms %s", timeout_ms, what);
    return -1;
}

int
neo4j_net_write(neo4j_socket *sock, const void *data, size_t len, int timeout_ms, neo4j_error *err)
{
    const char *p = data;
    int64_t deadline = deadline_after(timeout_ms);
    const char *doing = "writing to";

    while (len > 0)
    {
        short events;

        if (sock->ssl)
        {
            int chunk = len > INT_MAX ? INT_MAX : (int) len;
            int n, saved_errno, r;

            ERR_clear_error();
            errno = 0;
            n = SSL_write(sock->ssl, p, chunk);
            saved_errno = errno;
            if (n > 0)
            {
                p += n;
                len -= (size_t) n;
                continue;
            }
            r = tls_io_result(sock, n, saved_errno, "writing", err);
            if (r < 0)
                return -1;
            events = (short) r;
        }
        else
        {
            ssize_t n = send(sock->fd, p, len, MSG_NOSIGNAL);

            if (n >= 0)
            {
                p += n;
                len -= (size_t) n;
                continue;
            }
            if (errno == EINTR)
            {
                if (sock->interrupted && sock->interrupted(sock->interrupt_ctx))
                    return interrupted_error(err, "writing to the server");
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                return lost_error(sock, "writing", strerror(errno), err);
            events = POLLOUT;
        }
        if (io_wait(sock, events, deadline, timeout_ms, doing, err) < 0)
            return -1;
    }
    return 0;
}

ssize_t
neo4j_net_read(neo4j_socket *sock, void *buf, size_t cap, int timeout_ms, neo4j_error *err)
{
    int64_t deadline = deadline_after(timeout_ms);
    const char *doing = "waiting for data from";

    if (cap == 0)
        return 0;
    for (;;)
    {
        short events;

        /*
         * Always try the read before polling: TLS may hold decrypted bytes
         * (SSL_pending) that the socket no longer shows as readable.
         */
        if (sock->ssl)
        {
            int chunk = cap > INT_MAX ? INT_MAX : (int) cap;
            int n, saved_errno, r;

            ERR_clear_error();
            errno = 0;
            n = SSL_read(sock->ssl, buf, chunk);
            saved_errno = errno;
            if (n > 0)
                return n;
            r = tls_io_result(sock, n, saved_errno, "reading", err);
            if (r < 0)
                return -1;
            events = (short) r;
        }
        else
        {
            ssize_t n = recv(sock->fd, buf, cap, 0);

            if (n > 0)
                return n;
            if (n == 0)
                return closed_error(sock, err);
            if (errno == EINTR)
            {
                if (sock->interrupted && sock->interrupted(sock->interrupt_ctx))
                    return interrupted_error(err, "reading from the server");
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                return lost_error(sock, "reading", strerror(errno), err);
            events = POLLIN;
        }
        if (io_wait(sock, events, deadline, timeout_ms, doing, err) < 0)
            return -1;
    }
}

const char *
neo4j_net_peer(const neo4j_socket *sock)
{
    return sock->peer;
}

int
neo4j_net_fd(const neo4j_socket *sock)
{
    return sock->fd;
}

bool
neo4j_net_is_tls(const neo4j_socket *sock)
{
    return sock->ssl != NULL;
}

bool
neo4j_net_has_buffered(const neo4j_socket *sock)
{
    return sock->ssl && SSL_has_pending(sock->ssl);
}

void
neo4j_net_set_interrupt(neo4j_socket *sock, neo4j_net_interrupt_fn fn, void *ctx)
{
    sock->interrupted = fn;
    sock->interrupt_ctx = ctx;
}

void
neo4j_net_close(neo4j_socket *sock)
{
    if (!sock)
        return;
    if (sock->ssl)
    {
        /* OpenSSL forbids SSL_shutdown after a fatal error */
        if (!sock->broken && SSL_is_init_finished(sock->ssl))
        {
            int rc;

            ERR_clear_error();
            rc = SSL_shutdown(sock->ssl);
            if (rc < 0 && SSL_get_error(sock->ssl, rc) == SSL_ERROR_WANT_WRITE &&
                wait_fd(sock->fd, POLLOUT, now_ms() + CLOSE_NOTIFY_WAIT_MS, NULL, "closing", NULL) > 0)
            {
                ERR_clear_error();
                (void) SSL_shutdown(sock->ssl);
            }
            /* the peer's close_notify is not waited for */
        }
        ERR_clear_error();
        SSL_free(sock->ssl);    /* frees the BIO too */
    }
    SSL_CTX_free(sock->ctx);
    BIO_meth_free(sock->bio_method);
    if (sock->fd >= 0)
        close(sock->fd);
    free(sock);
}
