/*
 * test_net.c — unit tests for net.c against servers this test starts itself.
 *
 * Loopback only (127.0.0.1 and ::1). TLS tests use the certificates of
 * test/tls/make-certs.sh: from $NEO4J_TEST_CERTS if set (generated there if
 * missing), otherwise generated into a private temporary directory that is
 * removed at the end. Run from the repository root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "net.h"
#include "testlib.h"

#define SKIP(...) do { test_count++; printf("ok %d - # SKIP ", test_count); printf(__VA_ARGS__); printf("\n"); } while (0)

static bool ipv6_ok;
static char certs[512];         /* directory with the certificates, "" if unavailable */

/* ------------------------------------------------------------------ helpers */

static int64_t
ms_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
loopback(int family, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (family == AF_INET)
    {
        struct sockaddr_in *a = (struct sockaddr_in *) ss;

        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a->sin_port = htons((uint16_t) port);
        *len = sizeof *a;
    }
    else
    {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *) ss;

        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        a->sin6_port = htons((uint16_t) port);
        *len = sizeof *a;
    }
}

/* A listening socket on the loopback address of family; *port gets the port. */
static int
listen_on(int family, int backlog, int *port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    loopback(family, 0, &ss, &len);
    if (bind(fd, (struct sockaddr *) &ss, len) < 0 || listen(fd, backlog) < 0 ||
        getsockname(fd, (struct sockaddr *) &ss, &len) < 0)
    {
        close(fd);
        return -1;
    }
    *port = ntohs(family == AF_INET ? ((struct sockaddr_in *) &ss)->sin_port
                                    : ((struct sockaddr_in6 *) &ss)->sin6_port);
    return fd;
}

/* A loopback port nobody listens on (connects are refused). */
static int
closed_port(int family)
{
    int port = 0;
    int fd = listen_on(family, 1, &port);

    if (fd >= 0)
        close(fd);
    return port;
}

/* Two distinct closed ports (both bound at once, so they differ). */
static void
closed_ports(int family, int *a, int *b)
{
    int fa = listen_on(family, 1, a);
    int fb = listen_on(family, 1, b);

    if (fa >= 0)
        close(fa);
    if (fb >= 0)
        close(fb);
}

/* An addrinfo list built by hand; entries point into the caller's arrays. */
typedef struct addr_list
{
    struct addrinfo ai[8];
    struct sockaddr_storage ss[8];
    int n;
} addr_list;

static void
addr_add(addr_list *l, int family, int port)
{
    struct addrinfo *ai = &l->ai[l->n];
    socklen_t len;

    memset(ai, 0, sizeof *ai);
    loopback(family, port, &l->ss[l->n], &len);
    ai->ai_family = family;
    ai->ai_socktype = SOCK_STREAM;
    ai->ai_protocol = IPPROTO_TCP;
    ai->ai_addr = (struct sockaddr *) &l->ss[l->n];
    ai->ai_addrlen = len;
    if (l->n > 0)
        l->ai[l->n - 1].ai_next = ai;
    l->n++;
}

static void
net_config(neo4j_net_config *c, int timeout_ms, neo4j_tls_mode tls, const char *ca_file)
{
    memset(c, 0, sizeof *c);
    c->connect_timeout_ms = timeout_ms;
    c->keepalive = true;
    c->tls = tls;
    c->ca_file = ca_file;
}

/* Collected log lines. */
static char log_buf[8192];
static int log_lines;

static void
collect_log(void *ctx, neo4j_log_level level, const char *message)
{
    size_t used = strlen(log_buf);

    (void) ctx;
    log_lines++;
    snprintf(log_buf + used, sizeof log_buf - used, "%d:%s\n", (int) level, message);
}

static void
fill(unsigned char *buf, size_t len, size_t offset)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char) ((offset + i) * 31 + 7);
}

/* ------------------------------------------------------------------ test server */

typedef enum server_mode
{
    SRV_SEND_HELLO,     /* send "hello", then wait for the client to close */
    SRV_HOLD,           /* accept and stay silent until the client closes */
    SRV_CLOSE,          /* accept and close at once */
    SRV_GARBAGE,        /* send a non-TLS answer, then close */
    SRV_TLS_EXCHANGE,   /* TLS: read expect bytes, answer reply bytes, wait for close */
    SRV_TLS_HOLD,       /* TLS: handshake, then stay silent until the client closes */
    SRV_TLS_CLOSE       /* TLS: handshake, then close without close_notify */
} server_mode;

typedef struct server
{
    int lfd;
    int port;
    server_mode mode;
    SSL_CTX *ctx;
    size_t expect;
    size_t reply;
    pthread_t thread;
    bool started;
    /* results */
    bool accepted;
    bool handshake_ok;
    bool data_ok;
    bool got_close_notify;
    char sni[256];
} server;

/* Blocks until the client closes (or 3 s pass). */
static void
drain(int fd)
{
    char buf[4096];
    struct pollfd p = {fd, POLLIN, 0};

    while (poll(&p, 1, 3000) > 0 && recv(fd, buf, sizeof buf, 0) > 0)
        ;
}

static void *
server_main(void *arg)
{
    server *s = arg;
    struct pollfd p = {s->lfd, POLLIN, 0};
    struct timeval tv = {3, 0};
    sigset_t set;
    int fd;

    /* SIGPIPE from the server's own writes must not kill the test */
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    if (poll(&p, 1, 3000) <= 0 || (fd = accept(s->lfd, NULL, NULL)) < 0)
        return NULL;
    s->accepted = true;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

    switch (s->mode)
    {
        case SRV_SEND_HELLO:
            send(fd, "hello", 5, MSG_NOSIGNAL);
            drain(fd);
            break;
        case SRV_HOLD:
            drain(fd);
            break;
        case SRV_CLOSE:
            break;
        case SRV_GARBAGE:
            {
                char buf[512];

                (void) recv(fd, buf, sizeof buf, 0);
                send(fd, "HTTP/1.1 400 Bad Request\r\n\r\n", 28, MSG_NOSIGNAL);
                break;
            }
        case SRV_TLS_EXCHANGE:
        case SRV_TLS_HOLD:
        case SRV_TLS_CLOSE:
            {
                SSL *ssl = SSL_new(s->ctx);
                const char *sni;

                SSL_set_fd(ssl, fd);
                if (SSL_accept(ssl) == 1)
                {
                    s->handshake_ok = true;
                    sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
                    snprintf(s->sni, sizeof s->sni, "%s", sni ? sni : "");
                    if (s->mode == SRV_TLS_EXCHANGE)
                    {
                        unsigned char buf[16384], want[16384];
                        size_t got = 0;
                        bool ok = true;

                        while (got < s->expect)
                        {
                            int n = SSL_read(ssl, buf, sizeof buf);

                            if (n <= 0)
                            {
                                ok = false;
                                break;
                            }
                            fill(want, (size_t) n, got);
                            if (memcmp(buf, want, (size_t) n) != 0)
                                ok = false;
                            got += (size_t) n;
                        }
                        for (size_t sent = 0; ok && sent < s->reply;)
                        {
                            size_t chunk = s->reply - sent < sizeof buf ? s->reply - sent : sizeof buf;
                            int n;

                            fill(buf, chunk, sent);
                            n = SSL_write(ssl, buf, (int) chunk);
                            if (n <= 0)
                                ok = false;
                            else
                                sent += (size_t) n;
                        }
                        s->data_ok = ok && got == s->expect;
                    }
                    if (s->mode != SRV_TLS_CLOSE)
                    {
                        char buf[256];

                        while (SSL_read(ssl, buf, sizeof buf) > 0)
                            ;
                        s->got_close_notify = (SSL_get_shutdown(ssl) & SSL_RECEIVED_SHUTDOWN) != 0;
                    }
                }
                SSL_free(ssl);
                ERR_clear_error();
                break;
            }
    }
    close(fd);
    return NULL;
}

/* Byte counts for the next SRV_TLS_EXCHANGE server. */
static size_t exchange_expect, exchange_reply;

/* Starts a one-connection server on 127.0.0.1 (or ::1); cert/key names are files in certs. */
static bool
server_start(server *s, int family, server_mode mode, const char *cert)
{
    memset(s, 0, sizeof *s);
    s->mode = mode;
    s->expect = exchange_expect;
    s->reply = exchange_reply;
    s->lfd = listen_on(family, 8, &s->port);
    if (s->lfd < 0)
        return false;
    if (cert)
    {
        char path[600];

        s->ctx = SSL_CTX_new(TLS_server_method());
        snprintf(path, sizeof path, "%s/%s.pem", certs, cert);
        if (SSL_CTX_use_certificate_chain_file(s->ctx, path) != 1)
            return false;
        snprintf(path, sizeof path, "%s/%s.key", certs, cert);
        if (SSL_CTX_use_PrivateKey_file(s->ctx, path, SSL_FILETYPE_PEM) != 1)
            return false;
    }
    if (pthread_create(&s->thread, NULL, server_main, s) != 0)
        return false;
    s->started = true;
    return true;
}

static void
server_stop(server *s)
{
    if (s->started)
        pthread_join(s->thread, NULL);
    if (s->lfd >= 0)
        close(s->lfd);
    SSL_CTX_free(s->ctx);
    s->started = false;
}

/* ------------------------------------------------------------------ TCP tests */

static void
test_connect_plain(void)
{
    neo4j_net_config cfg;
    neo4j_socket *sock = NULL;
    neo4j_error err;
    server srv;
    char buf[16], want[64];
    ssize_t n;

    if (!server_start(&srv, AF_INET, SRV_SEND_HELLO, NULL))
    {
        CHECK(0, "start server");
        return;
    }
    net_config(&cfg, 2000, NEO4J_TLS_OFF, NULL);
    log_buf[0] = '\0';
    log_lines = 0;
    cfg.log = collect_log;
    cfg.log_level = NEO4J_LOG_DEBUG;
    CHECK(neo4j_net_connect("127.0.0.1", srv.port, &cfg, &sock, &err) == 0, "connect to 127.0.0.1: %s",
          sock ? "ok" : err.message);
    if (sock)
    {
        snprintf(want, sizeof want, "127.0.0.1:%d", srv.port);
        CHECK_STR(neo4j_net_peer(sock), want, "peer is numeric host:port");
        CHECK(neo4j_net_fd(sock) >= 0, "fd is valid");
        CHECK(!neo4j_net_is_tls(sock), "plain socket is not TLS");
        CHECK(!neo4j_net_has_buffered(sock), "nothing buffered on a plain socket");
        n = neo4j_net_read(sock, buf, sizeof buf, 1000, &err);
        CHECK(n == 5 && memcmp(buf, "hello", 5) == 0, "read what the server sent (%zd)", n);
        CHECK(neo4j_net_write(sock, "ping", 4, 1000, &err) == 0, "write");
        snprintf(want, sizeof want, "connecting to 127.0.0.1:%d", srv.port);
        CHECK(strstr(log_buf, want) != NULL, "attempt logged at DEBUG");
        CHECK(strstr(log_buf, "3:") == log_buf, "log level is DEBUG");
        neo4j_net_close(sock);
    }
    server_stop(&srv);

    /* a name, and no debug output below DEBUG */
    if (!server_start(&srv, AF_INET, SRV_SEND_HELLO, NULL))
        return;
    log_buf[0] = '\0';
    log_lines = 0;
    cfg.log_level = NEO4J_LOG_INFO;
    sock = NULL;
    CHECK(neo4j_net_connect("localhost", srv.port, &cfg, &sock, &err) == 0, "connect to localhost: %s",
          sock ? "ok" : err.message);
    CHECK(log_lines == 0, "no DEBUG lines at INFO level");
    neo4j_net_close(sock);
    server_stop(&srv);

    neo4j_net_close(NULL);
    CHECK(1, "neo4j_net_close(NULL) is harmless");
}

static void
test_connect_ipv6(void)
{
    neo4j_net_config cfg;
    neo4j_socket *sock = NULL;
    neo4j_error err;
    server srv;
    char want[64];

    if (!ipv6_ok)
    {
        SKIP("no IPv6 loopback");
        return;
    }
    if (!server_start(&srv, AF_INET6, SRV_SEND_HELLO, NULL))
    {
        CHECK(0, "start IPv6 server");
        return;
    }
    net_config(&cfg, 2000, NEO4J_TLS_OFF, NULL);
    CHECK(neo4j_net_connect("::1", srv.port, &cfg, &sock, &err) == 0, "connect to ::1: %s",
          sock ? "ok" : err.message);
    if (sock)
    {
        snprintf(want, sizeof want, "[::1]:%d", srv.port);
        CHECK_STR(neo4j_net_peer(sock), want, "IPv6 peer in brackets");
        neo4j_net_close(sock);
    }
    server_stop(&srv);
}

static void
test_refused(void)
{
    neo4j_net_config cfg;
    neo4j_socket *sock = (neo4j_socket *) &cfg;
    neo4j_error err;
    char want[256];
    int port = closed_port(AF_INET);

    net_config(&cfg, 2000, NEO4J_TLS_OFF, NULL);
    CHECK(neo4j_net_connect("127.0.0.1", port, &cfg, &sock, &err) == -1, "refused connect fails");
    CHECK(sock == NULL, "no socket on failure");
    CHECK(err.category == NEO4J_ERROR_CONNECTIVITY, "refused: connectivity error");
    CHECK_STR(err.code, NEO4J_CODE_SERVICE_UNAVAILABLE, "refused: service unavailable");
    snprintf(want, sizeof want, "could not connect to 127.0.0.1:%d: tried 127.0.0.1:%d (Connection refused)",
             port, port);
    CHECK_STR(err.message, want, "refused: message lists the address and reason");

    CHECK(neo4j_net_connect("", port, &cfg, &sock, &err) == -1 && err.category == NEO4J_ERROR_CLIENT,
          "empty host rejected");
    CHECK(neo4j_net_connect("127.0.0.1", 0, &cfg, &sock, &err) == -1 && err.category == NEO4J_ERROR_CLIENT,
          "port 0 rejected");
}

/* All refused: the message shows the alternating order and drops duplicates. */
static void
test_attempt_order(void)
{
    neo4j_net_config cfg;
    neo4j_socket *sock = NULL;
    neo4j_error err;
    addr_list l = {0};
    char want[512];
    int p4a, p4b, p6a, p6b;

    if (!ipv6_ok)
    {
        SKIP("no IPv6 loopback");
        return;
    }
    closed_ports(AF_INET, &p4a, &p4b);
    closed_ports(AF_INET6, &p6a, &p6b);
    addr_add(&l, AF_INET, p4a);
    addr_add(&l, AF_INET, p4b);
    addr_add(&l, AF_INET, p4a);     /* duplicate */
    addr_add(&l, AF_INET6, p6a);
    addr_add(&l, AF_INET6, p6b);
    net_config(&cfg, 2000, NEO4J_TLS_OFF, NULL);
    CHECK(neo4j_net_connect_addrinfo("example", 7687, l.ai, &cfg, &sock, &err) == -1, "all addresses refused");
    snprintf(want, sizeof want,
             "could not connect to example:7687: tried 127.0.0.1:%d (Connection refused), "
             "[::1]:%d (Connection refused), 127.0.0.1:%d (Connection refused), [::1]:%d (Connection refused)",
             p4a, p6a, p4b, p6b);
    CHECK_STR(err.message, want, "alternating families, starting with the first, duplicates dropped");

    /* starting with IPv6 when it comes first */
    memset(&l, 0, sizeof l);
    addr_add(&l, AF_INET6, p6a);
    addr_add(&l, AF_INET, p4a);
    addr_add(&l, AF_INET, p4b);
    CHECK(neo4j_net_connect_addrinfo("::1", 7687, l.ai, &cfg, &sock, &err) == -1, "refused again");
    snprintf(want, sizeof want,
             "could not connect to [::1]:7687: tried [::1]:%d (Connection refused), "
             "127.0.0.1:%d (Connection refused), 127.0.0.1:%d (Connection refused)",
             p6a, p4a, p4b);
    CHECK_STR(err.message, want, "IPv6 first when resolved first; leftovers of one family at the end");
}

/* A refusing first address does not delay a good second one. */
static void
test_refused_then_good(void)
{
    neo4j_net_config cfg;
    neo4j_socket *sock = NULL;
    neo4j_error err;
    server srv;
    addr_list l = {0};
    int64_t t0, took;
    char want[64];
    int family2 = ipv6_ok ? AF_INET6 : AF_INET;

    if (!server_start(&srv, family2, SRV_SEND_HELLO, NULL))
    {
        CHECK(0, "start server");
        return;
    }
    addr_add(&l, AF_INET, closed_port(AF_INET));
    addr_add(&l, family2, srv.port);
    net_config(&cfg, 2000, NEO4J_TLS_OFF, NULL);
    t0 = ms_now();
    CHECK(neo4j_net_connect_addrinfo("localhost", srv.port, l.ai, &cfg, &sock, &err) == 0,
          "falls back to the second address: %s", sock ? "ok" : err.message);
    took = ms_now() - t0;
    CHECK(took < 200, "without waiting for the attempt delay (%lld ms)", (long long) took);
    if (sock)
    {
        neo4j_uri_format_address(family2 == AF_INET6 ? "::1" : "127.0.0.1", srv.port, want, sizeof want);
        CHECK_STR(neo4j_net_peer(sock), want, "connected to the good address");
        neo4j_net_close(sock);
    }
    server_stop(&srv);
}

/*
 * A listener whose accept queue is full drops SYNs: a loopback address
 * that does not answer. Returns its fd (port in *port), or -1 when this
 * system does not behave that way. Filler sockets go into fillers[8].
 */
static int
blackhole(int *port, int fillers[8])
{
    struct sockaddr_storage ss;
    socklen_t len;
    int lfd = listen_on(AF_INET, 0, port);

    for (int i = 0; i < 8; i++)
        fillers[i] = -1;
    if (lfd < 0)
        return -1;
    loopback(AF_INET, *port, &ss, &len);
    for (int i = 0; i < 8; i++)
    {
        struct pollfd p;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

        fillers[i] = fd;
        if (connect(fd, (struct sockaddr *) &ss, len) == 0)
            continue;
        p.fd = fd;
        p.events = POLLOUT;
        p.revents = 0;
        if (poll(&p, 1, 100) == 0)
            return lfd;         /* this one hangs: so will the next */
    }
    for (int i = 0; i < 8; i++)
        if (fillers[i] >= 0)
            close(fillers[i]);
    close(lfd);
    return -1;
}

static void
blackhole_close(int lfd, int fillers[8])
{
    for (int i = 0; i < 8; i++)
        if (fillers[i] >= 0)
            close(fillers[i]);
    close(lfd);
}

/* A silent first address: the second starts after the 250 ms attempt delay and wins. */
static void
test_stagger_and_timeout(void)
{
    neo4j_net_config cfg;
    neo4j_socket *sock = NULL;
    neo4j_error err;
    server srv;
    addr_list l = {0};
    int fillers[8];
    int bport, lfd;
    int64_t t0, took;
    char want[128];

    lfd = blackhole(&bport, fillers);
    if (lfd < 0)
    {
        SKIP("full accept queues do not drop SYNs here");
        return;
    }
    if (!server_start(&srv, AF_INET, SRV_SEND_HELLO, NULL))
    {
        CHECK(0, "start server");
        blackhole_close(lfd, fillers);
        return;
    }
    addr_add(&l, AF_INET, bport);
    addr_add(&l, AF_INET, srv.port);
    net_config(&cfg, 2000, NEO4J_TLS_OFF, NULL);
    t0 = ms_now();
    CHECK(neo4j_net_connect_addrinfo("localhost", bport, l.ai, &cfg, &sock, &err) == 0,
          "silent first address: second wins: %s", sock ? "ok" : err.message);
    took = ms_now() - t0;
    CHECK(took >= 200 && took < 1000, "second attempt after the attempt delay (%lld ms)", (long long) took);
    if (sock)
    {
        snprintf(want, sizeof want, "127.0.0.1:%d", srv.port);
        CHECK_STR(neo4j_net_peer(sock), want, "peer is the answering address");
        neo4j_net_close(sock);
    }
    server_stop(&srv);

    /* only the silent address: overall timeout */
    memset(&l, 0, sizeof l);
    addr_add(&l, AF_INET, bport);
    net_config(&cfg, 300, NEO4J_TLS_OFF, NULL);
    t0 = ms_now();
    CHECK(neo4j_net_connect_addrinfo("localhost", bport, l.ai, &cfg, &sock, &err) == -1, "silent address times out");
    took = ms_now() - t0;
    CHECK(took >= 290 && took < 1000, "within the connect timeout (%lld ms)", (long long) took);
    CHECK(err.category == NEO4J_ERROR_CONNECTIVITY, "timeout: connectivity error");
    CHECK_STR(err.code, NEO4J_CODE_CONNECTION_TIMEOUT, "timeout: code");
    snprintf(want, sizeof want, "could not connect to localhost:%d within 300 ms: tried 127.0.0.1:%d (timed out)",
             bport, bport);
    CHECK_STR(err.message, want, "timeout: message");

    /* a refused address after a silent one is reported too */
    memset(&l, 0, sizeof l);
    addr_add(&l, AF_INET, bport);
    addr_add(&l, AF_INET, closed_port(AF_INET));
    CHECK(neo4j_net_connect_addrinfo("localhost", bport, l.ai, &cfg, &sock, &err) == -1, "silent + refused");
    CHECK(strstr(err.message, "(timed out), 127.0.0.1:") && strstr(err.message, "(Connection refused)"),
          "both reasons listed: %s", err.message);
    CHECK_STR(err.code, NEO4J_CODE_CONNECTION_TIMEOUT, "silent + refused is a timeout");

    blackhole_close(lfd, fillers);
}

static int interrupt_calls;

static bool
interrupt_after_two(void *ctx)
{
    (void) ctx;
    return ++interrupt_calls > 2;
}

static void
test_read_timeout_eof_sigpipe(void)
{
    neo4j_net_config cfg;
    neo4j_socket *sock = NULL;
    neo4j_error err;
    server srv;
    char buf[64];
    int64_t t0, took;
    ssize_t n;

    net_config(&cfg, 2000, NEO4J_TLS_OFF, NULL);

    /* read timeout */
    if (!server_start(&srv, AF_INET, SRV_HOLD, NULL))
        return;
    if (neo4j_net_connect("127.0.0.1", srv.port, &cfg, &sock, &err) == 0)
    {
        t0 = ms_now();
        n = neo4j_net_read(sock, buf, sizeof buf, 150, &err);
        took = ms_now() - t0;
        CHECK(n == -1, "read on a silent server fails");
        CHECK(took >= 140 && took < 1000, "after the read timeout (%lld ms)", (long long) took);
        CHECK(err.category == NEO4J_ERROR_CONNECTIVITY, "read timeout: connectivity");
        CHECK_STR(err.code, NEO4J_CODE_CONNECTION_TIMEOUT, "read timeout: code");
        CHECK(strstr(err.message, "timed out after 150 ms") != NULL, "read timeout: message: %s", err.message);
        n = neo4j_net_read(sock, buf, sizeof buf, 0, &err);
        CHECK(n == -1 && strcmp(err.code, NEO4J_CODE_CONNECTION_TIMEOUT) == 0, "timeout 0 returns at once");

        /* interrupt hook */
        interrupt_calls = 0;
        neo4j_net_set_interrupt(sock, interrupt_after_two, NULL);
        t0 = ms_now();
        n = neo4j_net_read(sock, buf, sizeof buf, -1, &err);
        took = ms_now() - t0;
        CHECK(n == -1 && strcmp(err.code, NEO4J_CODE_INTERRUPTED) == 0, "interrupt hook ends an endless read: %s",
              err.message);
        CHECK(took >= 150 && took < 1000, "after two poll slices (%lld ms)", (long long) took);
        neo4j_net_close(sock);
    }
    else
        CHECK(0, "connect: %s", err.message);
    server_stop(&srv);

    /* EOF */
    if (!server_start(&srv, AF_INET, SRV_CLOSE, NULL))
        return;
    if (neo4j_net_connect("127.0.0.1", srv.port, &cfg, &sock, &err) == 0)
    {
        n = neo4j_net_read(sock, buf, sizeof buf, 1000, &err);
        CHECK(n == -1 && err.category == NEO4J_ERROR_CONNECTIVITY, "read after server close fails");
        CHECK(strstr(err.message, "connection closed by the server") != NULL, "EOF message: %s", err.message);

        /* writing to the closed connection: an error, not SIGPIPE (which is fatal here) */
        {
            static unsigned char big[1 << 16];
            int rc = 0;

            for (int i = 0; i < 64 && rc == 0; i++)
                rc = neo4j_net_write(sock, big, sizeof big, 1000, &err);
            CHECK(rc == -1 && err.category == NEO4J_ERROR_CONNECTIVITY, "write to a closed peer fails: %s",
                  err.message);
        }
        neo4j_net_close(sock);
    }
    else
        CHECK(0, "connect: %s", err.message);
    server_stop(&srv);
}

/* ------------------------------------------------------------------ TLS tests */

static bool certs_private;     /* made by this run: removed at the end */

/*
 * $NEO4J_TEST_CERTS if set (generated there if missing); otherwise a private
 * directory, so concurrent runs never see each other's half-replaced files.
 */
static bool
find_certs(void)
{
    const char *env = getenv("NEO4J_TEST_CERTS");
    char cmd[1200], probe[600];
    struct stat st;

    if (env && *env)
    {
        snprintf(certs, sizeof certs, "%s", env);
        snprintf(probe, sizeof probe, "%s/selfsigned.pem", certs);
        if (stat(probe, &st) == 0)
            return true;
    }
    else
    {
        const char *tmp = getenv("TMPDIR");

        snprintf(certs, sizeof certs, "%s/neo4j-test-certs.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(certs))
        {
            certs[0] = '\0';
            return false;
        }
        certs_private = true;
    }
    snprintf(probe, sizeof probe, "%s/selfsigned.pem", certs);
    if (stat("test/tls/make-certs.sh", &st) != 0)
    {
        printf("# test/tls/make-certs.sh not found (run from the repository root)\n");
        return false;
    }
    snprintf(cmd, sizeof cmd, "sh test/tls/make-certs.sh '%s'", certs);
    return system(cmd) == 0 && stat(probe, &st) == 0;
}

static void
remove_certs(void)
{
    static const char *const files[] = {
        "ca.pem", "ca.key", "server.pem", "server.key", "wrong.pem", "wrong.key",
        "selfsigned.pem", "selfsigned.key", NULL
    };
    char path[700];

    if (!certs_private)
        return;
    for (const char *const *f = files; *f; f++)
    {
        snprintf(path, sizeof path, "%s/%s", certs, *f);
        unlink(path);
    }
    rmdir(certs);
}

/* Connects with TLS to a server presenting cert; returns 0/-1 like neo4j_net_connect. */
static int
tls_connect(server *srv, server_mode mode, const char *cert, const char *host, neo4j_tls_mode tls,
            const char *ca_file, int timeout_ms, neo4j_socket **sock, neo4j_error *err)
{
    neo4j_net_config cfg;

    *sock = NULL;
    if (!server_start(srv, AF_INET, mode, cert))
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, "Test", "could not start the TLS server");
    net_config(&cfg, timeout_ms, tls, ca_file);
    cfg.log = collect_log;
    cfg.log_level = NEO4J_LOG_DEBUG;
    log_buf[0] = '\0';
    return neo4j_net_connect(host, srv->port, &cfg, sock, err);
}

static void
expect_tls_error(int rc, const neo4j_error *err, const char *fragment, const char *what)
{
    CHECK(rc == -1, "%s: fails", what);
    CHECK(err->category == NEO4J_ERROR_SECURITY, "%s: security error (%s)", what,
          neo4j_error_category_name(err->category));
    CHECK_STR(err->code, NEO4J_CODE_TLS, "%s: TLS code", what);
    CHECK(strstr(err->message, fragment) != NULL, "%s: message \"%s\"", what, err->message);
}

static void
test_tls(void)
{
    char ca[600];
    neo4j_socket *sock;
    neo4j_error err;
    server srv;
    int rc;

    if (!certs[0])
    {
        SKIP("no test certificates (run from the repository root, or set NEO4J_TEST_CERTS)");
        return;
    }
    snprintf(ca, sizeof ca, "%s/ca.pem", certs);

    /* verified, by name, with a real exchange both ways */
    exchange_expect = 300000;
    exchange_reply = 300000;
    rc = tls_connect(&srv, SRV_TLS_EXCHANGE, "server", "localhost", NEO4J_TLS_VERIFY, ca, 2000, &sock, &err);
    CHECK(rc == 0, "TLS verify with ca_file succeeds: %s", rc ? err.message : "ok");
    if (rc == 0)
    {
        static unsigned char out[300000], in[300000], want[300000];
        size_t got = 0;

        CHECK(neo4j_net_is_tls(sock), "socket is TLS");
        CHECK(strstr(log_buf, "TLS handshake with") && strstr(log_buf, "certificate verified"),
              "handshake logged");
        fill(out, sizeof out, 0);
        CHECK(neo4j_net_write(sock, out, sizeof out, 2000, &err) == 0, "TLS write of %zu bytes", sizeof out);
        while (got < sizeof in)
        {
            ssize_t n = neo4j_net_read(sock, in + got, sizeof in - got, 2000, &err);

            if (n <= 0)
                break;
            got += (size_t) n;
        }
        fill(want, sizeof want, 0);
        CHECK(got == sizeof in && memcmp(in, want, sizeof in) == 0, "TLS read of %zu bytes intact", got);
        neo4j_net_close(sock);
    }
    server_stop(&srv);
    CHECK(srv.handshake_ok && srv.data_ok, "server saw the data intact");
    CHECK(srv.got_close_notify, "close sends close_notify");
    CHECK_STR(srv.sni, "localhost", "SNI is the host name");
}

#define TLS_TEST_START()                                \
    char ca[600];                                       \
    neo4j_socket *sock;                                 \
    neo4j_error err;                                    \
    server srv;                                         \
    int rc;                                             \
    if (!certs[0])                                      \
    {                                                   \
        SKIP("no test certificates");                   \
        return;                                         \
    }                                                   \
    snprintf(ca, sizeof ca, "%s/ca.pem", certs)

static void
test_tls_verify_failures(void)
{
    TLS_TEST_START();

    /* by IP literal: IP SAN checked, no SNI */
    rc = tls_connect(&srv, SRV_TLS_HOLD, "server", "127.0.0.1", NEO4J_TLS_VERIFY, ca, 2000, &sock, &err);
    CHECK(rc == 0, "TLS verify by IP address succeeds: %s", rc ? err.message : "ok");
    neo4j_net_close(sock);
    server_stop(&srv);
    CHECK_STR(srv.sni, "", "no SNI for an IP literal");

    /* not trusted without the CA */
    rc = tls_connect(&srv, SRV_TLS_HOLD, "server", "localhost", NEO4J_TLS_VERIFY, NULL, 2000, &sock, &err);
    expect_tls_error(rc, &err, "TLS: the server certificate is not trusted (unable to get local issuer certificate",
                     "unknown CA");
    CHECK(strstr(err.message, "CA file") != NULL, "unknown CA: hint about the CA file");
    server_stop(&srv);

    /* wrong name */
    rc = tls_connect(&srv, SRV_TLS_HOLD, "wrong", "localhost", NEO4J_TLS_VERIFY, ca, 2000, &sock, &err);
    expect_tls_error(rc, &err, "TLS: the server certificate does not match host name \"localhost\"", "wrong name");
    server_stop(&srv);
    rc = tls_connect(&srv, SRV_TLS_HOLD, "wrong", "127.0.0.1", NEO4J_TLS_VERIFY, ca, 2000, &sock, &err);
    expect_tls_error(rc, &err, "TLS: the server certificate does not match IP address \"127.0.0.1\"", "wrong IP");
    server_stop(&srv);

    /* self-signed: refused by +s, accepted by +ssc */
    rc = tls_connect(&srv, SRV_TLS_HOLD, "selfsigned", "localhost", NEO4J_TLS_VERIFY, ca, 2000, &sock, &err);
    expect_tls_error(rc, &err, "TLS: the server certificate is not trusted (self-signed certificate", "self-signed");
    server_stop(&srv);
}

static void
test_tls_trust_any(void)
{
    TLS_TEST_START();

    rc = tls_connect(&srv, SRV_TLS_HOLD, "selfsigned", "localhost", NEO4J_TLS_TRUST_ANY, NULL, 2000, &sock, &err);
    CHECK(rc == 0, "+ssc accepts a self-signed certificate: %s", rc ? err.message : "ok");
    if (rc == 0)
    {
        char buf[16];
        int64_t t0 = ms_now();
        ssize_t n = neo4j_net_read(sock, buf, sizeof buf, 100, &err);

        CHECK(strstr(log_buf, "certificate not checked") != NULL, "+ssc logged as unchecked");
        CHECK(n == -1 && strcmp(err.code, NEO4J_CODE_CONNECTION_TIMEOUT) == 0 && ms_now() - t0 < 1000,
              "TLS read timeout: %s", err.message);
        neo4j_net_close(sock);
    }
    server_stop(&srv);
    CHECK(srv.got_close_notify, "+ssc close sends close_notify");
    rc = tls_connect(&srv, SRV_TLS_HOLD, "wrong", "localhost", NEO4J_TLS_TRUST_ANY, NULL, 2000, &sock, &err);
    CHECK(rc == 0, "+ssc ignores the host name: %s", rc ? err.message : "ok");
    neo4j_net_close(sock);
    server_stop(&srv);

}

static void
test_tls_eof(void)
{
    TLS_TEST_START();

    /* server closes after the handshake: EOF, then writes fail without SIGPIPE */
    rc = tls_connect(&srv, SRV_TLS_CLOSE, "server", "localhost", NEO4J_TLS_VERIFY, ca, 2000, &sock, &err);
    CHECK(rc == 0, "TLS connect: %s", rc ? err.message : "ok");
    if (rc == 0)
    {
        static unsigned char big[1 << 16];
        char buf[16];
        ssize_t n = neo4j_net_read(sock, buf, sizeof buf, 1000, &err);
        int wrc = 0;

        CHECK(n == -1 && err.category == NEO4J_ERROR_CONNECTIVITY &&
              strstr(err.message, "connection closed by the server"), "TLS EOF: %s", err.message);
        for (int i = 0; i < 64 && wrc == 0; i++)
            wrc = neo4j_net_write(sock, big, sizeof big, 1000, &err);
        CHECK(wrc == -1 && err.category == NEO4J_ERROR_CONNECTIVITY, "TLS write to a closed peer fails: %s",
              err.message);
        neo4j_net_close(sock);
    }
    server_stop(&srv);

}

static void
test_tls_ca_file(void)
{
    char missing[600], notpem[600];
    neo4j_net_config cfg;
    TLS_TEST_START();

    (void) srv;
    (void) ca;
    snprintf(missing, sizeof missing, "%s/no-such-ca.pem", certs);
    snprintf(notpem, sizeof notpem, "%s/ca.key", certs);

    /* CA file problems are reported before any connection is tried */
    net_config(&cfg, 2000, NEO4J_TLS_VERIFY, missing);
    rc = neo4j_net_connect("127.0.0.1", closed_port(AF_INET), &cfg, &sock, &err);
    expect_tls_error(rc, &err, "cannot read the CA file", "missing CA file");
    CHECK(strstr(err.message, missing) && strstr(err.message, "No such file or directory"),
          "missing CA file named with the reason");
    cfg.ca_file = notpem;
    rc = neo4j_net_connect("127.0.0.1", closed_port(AF_INET), &cfg, &sock, &err);
    expect_tls_error(rc, &err, "holds no usable PEM certificate", "CA file without certificates");
    CHECK(strstr(err.message, notpem) != NULL, "bad CA file named");
    CHECK(ERR_peek_error() == 0, "OpenSSL error queue left empty");

}

static void
test_tls_not_tls(void)
{
    TLS_TEST_START();

    /* not a TLS server */
    rc = tls_connect(&srv, SRV_CLOSE, NULL, "localhost", NEO4J_TLS_TRUST_ANY, NULL, 2000, &sock, &err);
    expect_tls_error(rc, &err, "handshake with 127.0.0.1:", "server closes during handshake");
    CHECK(strstr(err.message, "is TLS enabled on the server?") != NULL, "hint about TLS on the server");
    server_stop(&srv);
    rc = tls_connect(&srv, SRV_GARBAGE, NULL, "localhost", NEO4J_TLS_TRUST_ANY, NULL, 2000, &sock, &err);
    expect_tls_error(rc, &err, "handshake with 127.0.0.1:", "plain-text answer to the handshake");
    server_stop(&srv);

    /* a server that never answers the handshake: connect timeout */
    {
        int64_t t0 = ms_now(), took;

        /* +ssc: no CA bundle to load, so the time measured is the wait */
        rc = tls_connect(&srv, SRV_HOLD, NULL, "localhost", NEO4J_TLS_TRUST_ANY, NULL, 300, &sock, &err);
        took = ms_now() - t0;
        CHECK(rc == -1 && err.category == NEO4J_ERROR_CONNECTIVITY, "silent TLS server fails");
        CHECK_STR(err.code, NEO4J_CODE_CONNECTION_TIMEOUT, "handshake timeout code");
        CHECK(strstr(err.message, "TLS handshake") != NULL, "handshake timeout message: %s", err.message);
        CHECK(took >= 290 && took < 1000, "handshake bounded by the connect timeout (%lld ms)", (long long) took);
        server_stop(&srv);
    }
}

/* Runs one test function and reports how long it took. */
#define RUN(fn) do { int64_t t0_ = ms_now(); fn(); printf("# %s: %lld ms\n", #fn, (long long) (ms_now() - t0_)); } while (0)

int
main(void)
{
    int port;
    int fd;

    /* a stray SIGPIPE must kill the test, so that the tests notice it */
    signal(SIGPIPE, SIG_DFL);
    fd = listen_on(AF_INET6, 1, &port);
    ipv6_ok = fd >= 0;
    if (fd >= 0)
        close(fd);
    {
        int64_t t0 = ms_now();

        bool have = find_certs();

        printf("# certificates in %s: %lld ms\n", have ? certs : "(none)", (long long) (ms_now() - t0));
        if (!have)
        {
            remove_certs();
            certs[0] = '\0';
        }
    }

    RUN(test_connect_plain);
    RUN(test_connect_ipv6);
    RUN(test_refused);
    RUN(test_attempt_order);
    RUN(test_refused_then_good);
    RUN(test_stagger_and_timeout);
    RUN(test_read_timeout_eof_sigpipe);
    RUN(test_tls);
    RUN(test_tls_verify_failures);
    RUN(test_tls_trust_any);
    RUN(test_tls_eof);
    RUN(test_tls_ca_file);
    RUN(test_tls_not_tls);
    remove_certs();
    return TEST_DONE();
}
