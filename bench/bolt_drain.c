/*
 * bolt_drain — the wire limit: a plain socket reader that asks a Bolt 5
 * server for one query's records (PULL all) and reads them to the end,
 * looking only at chunk headers and message signatures, decoding nothing.
 *
 *   bolt_drain HOST PORT 'CYPHER'
 *   -> "drain records=N bytes=B seconds=S records_per_s=R mb_per_s=M"
 *
 * Auth is "none" (the bench server accepts any token).
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct { uint8_t data[8192]; size_t len; } msgbuf;

static void put(msgbuf *b, const void *p, size_t n) { memcpy(b->data + b->len, p, n); b->len += n; }
static void put_byte(msgbuf *b, uint8_t v) { put(b, &v, 1); }

static void
put_string(msgbuf *b, const char *s)
{
    size_t n = strlen(s);

    if (n < 16)
        put_byte(b, (uint8_t) (0x80 | n));
    else if (n < 256)
    {
        put_byte(b, 0xD0);
        put_byte(b, (uint8_t) n);
    }
    else
    {
        put_byte(b, 0xD1);
        put_byte(b, (uint8_t) (n >> 8));
        put_byte(b, (uint8_t) n);
    }
    put(b, s, n);
}

/* Appends one chunked message: body is the signature and fields. */
static void
put_message(msgbuf *out, const msgbuf *body)
{
    put_byte(out, (uint8_t) (body->len >> 8));
    put_byte(out, (uint8_t) body->len);
    put(out, body->data, body->len);
    put_byte(out, 0);
    put_byte(out, 0);
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
read_full(int fd, uint8_t *p, size_t n)
{
    while (n > 0)
    {
        ssize_t got = read(fd, p, n);

        if (got <= 0)
            return -1;
        p += got;
        n -= (size_t) got;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    static uint8_t buf[1 << 20];
    static const uint8_t handshake[20] = { 0x60, 0x60, 0xB0, 0x17, 0, 8, 8, 5, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0 };
    struct addrinfo hints = {0}, *ai;
    msgbuf out = {0}, body;
    uint8_t version[4];
    int fd, one = 1, successes = 0;
    long long records = 0, bytes = 0;
    /* parser state across reads: bytes left in the current chunk, and
     * whether the next chunk starts a message */
    size_t chunk_left = 0, header_have = 0;
    uint8_t header[2];
    int at_message_start = 1, want_signature = 0, saw_marker = 0;
    double t0, secs;

    if (argc != 4)
    {
        fprintf(stderr, "usage: bolt_drain HOST PORT 'CYPHER'\n");
        return 2;
    }
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0)
        return fprintf(stderr, "bolt_drain: cannot resolve %s\n", argv[1]), 1;
    fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
        return perror("bolt_drain: connect"), 1;
    freeaddrinfo(ai);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (write(fd, handshake, sizeof handshake) != sizeof handshake || read_full(fd, version, 4) < 0 ||
        version[3] != 5)
        return fprintf(stderr, "bolt_drain: the server did not agree to Bolt 5\n"), 1;

    /* HELLO {user_agent}, LOGON {scheme: none}, RUN query {} {}, PULL {n: -1} */
    body.len = 0;
    put(&body, "\xB1\x01\xA1", 3);
    put_string(&body, "user_agent");
    put_string(&body, "bolt-drain/1.0");
    put_message(&out, &body);
    body.len = 0;
    put(&body, "\xB1\x6A\xA1", 3);
    put_string(&body, "scheme");
    put_string(&body, "none");
    put_message(&out, &body);
    body.len = 0;
    put(&body, "\xB3\x10", 2);
    put_string(&body, argv[3]);
    put(&body, "\xA0\xA0", 2);
    put_message(&out, &body);
    body.len = 0;
    put(&body, "\xB1\x3F\xA1", 3);
    put_string(&body, "n");
    put_byte(&body, 0xFF);      /* -1 */
    put_message(&out, &body);

    t0 = now_s();
    if (write(fd, out.data, out.len) != (ssize_t) out.len)
        return perror("bolt_drain: write"), 1;
    /* HELLO, LOGON, RUN and PULL each end with a SUCCESS; records come before the last */
    while (successes < 4)
    {
        ssize_t got = read(fd, buf, sizeof buf);
        size_t p = 0;

        if (got <= 0)
            return fprintf(stderr, "bolt_drain: the server closed the connection\n"), 1;
        bytes += got;
        while (p < (size_t) got)
        {
            if (chunk_left > 0)
            {
                size_t take = chunk_left < (size_t) got - p ? chunk_left : (size_t) got - p;

                if (want_signature)
                {
                    /* the byte after the structure marker */
                    if (!saw_marker)
                    {
                        saw_marker = 1;
                        p++;
                        chunk_left--;
                        continue;
                    }
                    if (buf[p] == 0x71)
                        records++;
                    else if (buf[p] == 0x70)
                        successes++;
                    else if (buf[p] == 0x7F || buf[p] == 0x7E)
                        return fprintf(stderr, "bolt_drain: the server answered FAILURE or IGNORED\n"), 1;
                    want_signature = 0;
                }
                p += take;
                chunk_left -= take;
                continue;
            }
            header[header_have++] = buf[p++];
            if (header_have < 2)
                continue;
            header_have = 0;
            chunk_left = (size_t) header[0] << 8 | header[1];
            if (chunk_left == 0)
                at_message_start = 1;       /* end of a message (or a NOOP) */
            else if (at_message_start)
            {
                at_message_start = 0;
                want_signature = 1;
                saw_marker = 0;
            }
        }
    }
    secs = now_s() - t0;
    printf("drain records=%lld bytes=%lld seconds=%.3f records_per_s=%.0f mb_per_s=%.1f\n", records, bytes, secs,
           records / secs, bytes / secs / 1e6);
    close(fd);
    return 0;
}
