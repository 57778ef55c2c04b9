/*
 * uri.c — parsing of bolt:// and neo4j:// URIs.
 *
 * Accepted form: scheme://host[:port][/][?key=value&...]
 * Anything else is rejected with a message that names the offending part,
 * because a silently ignored typo in a foreign server definition is much
 * harder to track down than an error at CREATE SERVER time.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "uri.h"
#include "text.h"

#define ACCEPTED_SCHEMES "bolt, bolt+s, bolt+ssc, neo4j, neo4j+s, neo4j+ssc"
#define URI_FORM "scheme://host[:port]"

/* Longest piece of user input copied into a message. */
#define ECHO_MAX 200

typedef struct scheme_info
{
    const char *name;
    bool routing;
    neo4j_tls_mode tls;
} scheme_info;

static const scheme_info schemes[] = {
    {"bolt", false, NEO4J_TLS_OFF},
    {"bolt+s", false, NEO4J_TLS_VERIFY},
    {"bolt+ssc", false, NEO4J_TLS_TRUST_ANY},
    {"neo4j", true, NEO4J_TLS_OFF},
    {"neo4j+s", true, NEO4J_TLS_VERIFY},
    {"neo4j+ssc", true, NEO4J_TLS_TRUST_ANY},
};

/*
 * Copies len bytes of s into buf for a message: control characters become
 * '?' (so a message never carries a newline or escape sequence), and long
 * input is cut with "...".
 */
static const char *
echo(char *buf, size_t size, const char *s, size_t len)
{
    size_t i, n = 0;
    bool cut = false;

    if (len > ECHO_MAX)
    {
        len = ECHO_MAX;
        cut = true;
    }
    for (i = 0; i < len && n + 1 < size; i++)
    {
        unsigned char c = (unsigned char) s[i];

        buf[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char) c;
    }
    if (cut && n + 4 < size)
    {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* Sets the INVALID_URI error: invalid URI "<text>": <reason>. */
static int
uri_error(neo4j_error *err, const char *text, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
uri_error(neo4j_error *err, const char *text, const char *fmt, ...)
{
    char reason[NEO4J_MESSAGE_MAX];
    char shown[ECHO_MAX + 8];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_URI, "invalid URI \"%s\": %s",
                           echo(shown, sizeof shown, text, strlen(text)), reason);
}

static int
oom_error(neo4j_error *err)
{
    return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY,
                           "out of memory while parsing the URI");
}

static char *
dup_n(const char *s, size_t n)
{
    char *r = malloc(n + 1);

    if (r)
    {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}


/*
 * Percent-decodes s[0..len) into a new string. Returns NULL with *bad set to
 * the offending position for a malformed escape or %00 (a NUL would silently
 * truncate the value), or NULL with *bad == NULL when out of memory.
 */
static char *
percent_decode(const char *s, size_t len, const char **bad)
{
    char *out = malloc(len + 1);
    size_t i, n = 0;

    *bad = NULL;
    if (!out)
        return NULL;
    for (i = 0; i < len; i++)
    {
        if (s[i] == '%')
        {
            int hi = i + 1 < len ? neo4j_hex_digit(s[i + 1]) : -1;
            int lo = i + 2 < len ? neo4j_hex_digit(s[i + 2]) : -1;

            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            {
                *bad = s + i;
                free(out);
                return NULL;
            }
            out[n++] = (char) (hi * 16 + lo);
            i += 2;
        }
        else
            out[n++] = s[i];
    }
    out[n] = '\0';
    return out;
}

/* Letters, digits, '-', '_' and '.'; labels non-empty (a final '.' is allowed). */
static bool
valid_host_name(const char *s, size_t len)
{
    size_t i, label = 0;

    if (len == 0 || len > 253)
        return false;
    for (i = 0; i < len; i++)
    {
        char c = s[i];

        if (c == '.')
        {
            if (label == 0)
                return false;
            label = 0;
        }
        else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_')
        {
            if (++label > 63)
                return false;
        }
        else
            return false;
    }
    return true;
}

/* Only digits and dots: meant as an IPv4 address, so it must be one. */
static bool
looks_like_ipv4(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
            return false;
    return true;
}

static bool
valid_ipv4(const char *s, size_t len)
{
    char v4[INET_ADDRSTRLEN + 1];
    struct in_addr a4;

    if (len >= sizeof v4)
        return false;
    memcpy(v4, s, len);
    v4[len] = '\0';
    return inet_pton(AF_INET, v4, &a4) == 1;
}

/*
 * Parses "[v6addr]" or "[v6addr%25zone]" (RFC 6874) at s[0..len), where s[0]
 * is '['. On success sets *host (malloc'd, without brackets, zone as "%zone")
 * and *consumed (up to and including ']').
 */
static int
parse_ipv6_literal(const char *text, const char *s, size_t len, char **host, size_t *consumed,
                   neo4j_error *err)
{
    const char *close = memchr(s, ']', len);
    const char *inner = s + 1;
    const char *zone;
    size_t inner_len, addr_len;
    char addr[INET6_ADDRSTRLEN + 1];
    char shown[ECHO_MAX + 8];
    struct in6_addr a6;

    if (!close)
        return uri_error(err, text, "IPv6 address \"%s\" has no closing \"]\" (expected [address] or [address]:port)",
                         echo(shown, sizeof shown, s, len));
    inner_len = (size_t) (close - inner);
    zone = NULL;
    addr_len = inner_len;
    for (size_t i = 0; i + 2 < inner_len; i++)
    {
        if (inner[i] == '%' && inner[i + 1] == '2' && inner[i + 2] == '5')
        {
            zone = inner + i + 3;
            addr_len = i;
            break;
        }
    }
    if (addr_len == 0 || addr_len >= sizeof addr)
        goto bad;
    memcpy(addr, inner, addr_len);
    addr[addr_len] = '\0';
    if (inet_pton(AF_INET6, addr, &a6) != 1)
        goto bad;
    if (zone)
    {
        size_t zone_len = (size_t) (inner + inner_len - zone);

        if (zone_len == 0 || !valid_host_name(zone, zone_len) || memchr(zone, '.', zone_len))
            goto bad;
        /* getaddrinfo takes the zone as "addr%zone". */
        *host = malloc(addr_len + 1 + zone_len + 1);
        if (!*host)
            return oom_error(err);
        memcpy(*host, addr, addr_len);
        (*host)[addr_len] = '%';
        memcpy(*host + addr_len + 1, zone, zone_len);
        (*host)[addr_len + 1 + zone_len] = '\0';
    }
    else if (!(*host = dup_n(addr, addr_len)))
        return oom_error(err);
    *consumed = (size_t) (close - s) + 1;
    return 0;

bad:
    return uri_error(err, text, "invalid IPv6 address \"%s\" (expected a literal such as [::1] or [fe80::1%%25eth0])",
                     echo(shown, sizeof shown, s, (size_t) (close - s) + 1));
}

/* Digits only, 1..65535. */
static int
parse_port(const char *text, const char *s, size_t len, int *port, neo4j_error *err)
{
    char shown[ECHO_MAX + 8];
    long v = 0;
    size_t i;

    if (len == 0)
        return uri_error(err, text, "missing port number after \":\" (expected a number from 1 to 65535)");
    for (i = 0; i < len; i++)
    {
        if (s[i] < '0' || s[i] > '9')
            return uri_error(err, text, "invalid port \"%s\" (expected a number from 1 to 65535)",
                             echo(shown, sizeof shown, s, len));
        if (v <= 65535)
            v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return uri_error(err, text, "port %s is out of range (expected a number from 1 to 65535)",
                         echo(shown, sizeof shown, s, len));
    *port = (int) v;
    return 0;
}

/*
 * Percent-decodes one half of the routing context entry s[0..len) into *out;
 * entry/entry_len is the whole "key=value" for the message.
 */
static int
decode_part(const char *text, const char *s, size_t len, const char *entry, size_t entry_len,
            char **out, neo4j_error *err)
{
    char shown[ECHO_MAX + 8];
    char shown2[ECHO_MAX + 8];
    const char *bad;

    *out = percent_decode(s, len, &bad);
    if (*out)
        return 0;
    if (!bad)
        return oom_error(err);
    return uri_error(err, text, "invalid percent-encoding \"%s\" in routing context entry \"%s\" "
                     "(expected %%XX with two hex digits, not %%00)",
                     echo(shown2, sizeof shown2, bad, strnlen(bad, 3)),
                     echo(shown, sizeof shown, entry, entry_len));
}

/* Parses the routing context "k=v&k2=v2" at q (after '?'), up to the end of the text. */
static int
parse_routing_context(const char *text, const char *q, neo4j_uri *uri, neo4j_error *err)
{
    char shown[ECHO_MAX + 8];
    size_t qlen = strlen(q);
    size_t max_entries = 1;
    const char *s = q;

    if (qlen == 0)
        return 0;               /* a bare "?" carries no context */
    for (size_t i = 0; i < qlen; i++)
        if (q[i] == '&')
            max_entries++;
    uri->routing_params = calloc(max_entries, sizeof(neo4j_routing_param));
    if (!uri->routing_params)
        return oom_error(err);

    for (;;)
    {
        const char *end = s + strcspn(s, "&");
        size_t len = (size_t) (end - s);
        const char *eq = memchr(s, '=', len);
        neo4j_routing_param *param;

        if (len == 0)
            return uri_error(err, text, "empty entry in the routing context \"?%s\" (expected key=value pairs separated by \"&\")",
                             echo(shown, sizeof shown, q, qlen));
        if (!eq)
            return uri_error(err, text, "routing context entry \"%s\" has no \"=\" (expected key=value)",
                             echo(shown, sizeof shown, s, len));
        if (memchr(eq + 1, '=', (size_t) (end - eq - 1)))
            return uri_error(err, text, "routing context entry \"%s\" has more than one \"=\" (write \"=\" inside a value as %%3D)",
                             echo(shown, sizeof shown, s, len));

        /* Owned by uri as soon as decoded, so every exit below frees them. */
        param = &uri->routing_params[uri->n_routing_params++];
        if (decode_part(text, s, (size_t) (eq - s), s, len, &param->key, err) < 0 ||
            decode_part(text, eq + 1, (size_t) (end - eq - 1), s, len, &param->value, err) < 0)
            return -1;

        if (param->key[0] == '\0')
            return uri_error(err, text, "routing context entry \"%s\" has an empty key",
                             echo(shown, sizeof shown, s, len));
        if (param->value[0] == '\0')
            return uri_error(err, text, "routing context key \"%s\" has an empty value (expected key=value)",
                             echo(shown, sizeof shown, param->key, strlen(param->key)));
        if (strcmp(param->key, "address") == 0)
            return uri_error(err, text, "routing context key \"address\" is reserved (the driver sets it)");
        for (size_t i = 0; i + 1 < uri->n_routing_params; i++)
            if (strcmp(uri->routing_params[i].key, param->key) == 0)
                return uri_error(err, text, "routing context key \"%s\" appears more than once",
                                 echo(shown, sizeof shown, param->key, strlen(param->key)));

        if (*end == '\0')
            break;
        s = end + 1;
    }
    return 0;
}

static int
parse(const char *text, neo4j_uri *uri, neo4j_error *err)
{
    char shown[ECHO_MAX + 8];
    const char *sep = strstr(text, "://");
    const scheme_info *scheme = NULL;
    const char *rest, *auth, *p;
    size_t scheme_len, auth_len;
    int port = NEO4J_DEFAULT_PORT;

    if (!sep)
        return uri_error(err, text, "missing scheme (expected " URI_FORM " with scheme one of " ACCEPTED_SCHEMES ")");
    scheme_len = (size_t) (sep - text);
    if (scheme_len == 0)
        return uri_error(err, text, "missing scheme (expected " URI_FORM " with scheme one of " ACCEPTED_SCHEMES ")");
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
    {
        if (strlen(schemes[i].name) == scheme_len && strncasecmp(schemes[i].name, text, scheme_len) == 0)
        {
            scheme = &schemes[i];
            break;
        }
    }
    if (!scheme)
        return uri_error(err, text, "unknown scheme \"%s\" (accepted: " ACCEPTED_SCHEMES ")",
                         echo(shown, sizeof shown, text, scheme_len));
    uri->routing = scheme->routing;
    uri->tls = scheme->tls;

    rest = sep + 3;
    if ((p = strchr(rest, '#')) != NULL)
        return uri_error(err, text, "fragment \"%s\" is not accepted (expected " URI_FORM "[?routing context])",
                         echo(shown, sizeof shown, p, strlen(p)));

    /* authority: up to the path or the query */
    auth = rest;
    auth_len = strcspn(auth, "/?");
    if (auth_len == 0)
        return uri_error(err, text, "missing host (expected " URI_FORM ")");

    if (auth[0] == '[')
    {
        size_t used = 0;

        if (parse_ipv6_literal(text, auth, auth_len, &uri->host, &used, err) < 0)
            return -1;
        if (used < auth_len)
        {
            if (auth[used] != ':')
                return uri_error(err, text, "unexpected \"%s\" after the IPv6 address (expected [address]:port)",
                                 echo(shown, sizeof shown, auth + used, auth_len - used));
            if (parse_port(text, auth + used + 1, auth_len - used - 1, &port, err) < 0)
                return -1;
        }
    }
    else
    {
        const char *colon = memchr(auth, ':', auth_len);
        size_t host_len = colon ? (size_t) (colon - auth) : auth_len;

        if (colon && memchr(colon + 1, ':', auth_len - host_len - 1))
            return uri_error(err, text, "an IPv6 address must be enclosed in brackets (e.g. bolt://[::1]:7687)");
        if (host_len == 0)
            return uri_error(err, text, "missing host (expected " URI_FORM ")");
        if (looks_like_ipv4(auth, host_len) && !valid_ipv4(auth, host_len))
            return uri_error(err, text, "invalid IPv4 address \"%s\" (expected four numbers from 0 to 255, e.g. 127.0.0.1)",
                             echo(shown, sizeof shown, auth, host_len));
        if (!valid_host_name(auth, host_len))
            return uri_error(err, text, "invalid host \"%s\" (expected a DNS name, an IPv4 address, or an IPv6 address in brackets)",
                             echo(shown, sizeof shown, auth, host_len));
        if (colon && parse_port(text, colon + 1, auth_len - host_len - 1, &port, err) < 0)
            return -1;
        if (!(uri->host = dup_n(auth, host_len)))
            return oom_error(err);
    }
    uri->port = port;

    p = auth + auth_len;
    if (*p == '/')
    {
        size_t path_len = strcspn(p, "?");

        if (path_len > 1)
            return uri_error(err, text, "path \"%s\" is not accepted (only an optional trailing \"/\"; "
                             "choose the database in the session, not in the URI)",
                             echo(shown, sizeof shown, p, path_len));
        p++;
    }
    if (*p == '?')
    {
        if (!uri->routing)
            return uri_error(err, text, "query string \"%s\" is not accepted with %s:// "
                             "(a routing context is only accepted with neo4j, neo4j+s and neo4j+ssc)",
                             echo(shown, sizeof shown, p, strlen(p)), scheme->name);
        if (parse_routing_context(text, p + 1, uri, err) < 0)
            return -1;
    }
    return 0;
}

int
neo4j_uri_parse(const char *text, neo4j_uri *uri, neo4j_error *err)
{
    const char *at;

    memset(uri, 0, sizeof *uri);
    if (!text)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_URI,
                               "invalid URI: no URI given (expected " URI_FORM ")");

    /*
     * Any '@' is taken as user information and refused before anything
     * else, with the part before the last '@' masked: it may hold a
     * password, which must not end up in a log.
     */
    if ((at = strrchr(text, '@')) != NULL)
    {
        const char *sep = strstr(text, "://");
        const char *after = sep && sep < at ? sep + 3 : text;
        size_t prefix_len = (size_t) (after - text);
        char prefix[ECHO_MAX + 8];
        char shown[ECHO_MAX + 8];

        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_INVALID_URI,
                               "invalid URI \"%s***%s\": user information (\"user:password@\") is not accepted; "
                               "credentials belong in the auth token (a \"@\" in a routing context value must be written %%40)",
                               echo(prefix, sizeof prefix, text, prefix_len > 32 ? 32 : prefix_len),
                               echo(shown, sizeof shown, at, strlen(at)));
    }
    if (parse(text, uri, err) < 0)
    {
        neo4j_uri_free(uri);
        return -1;
    }
    return 0;
}

void
neo4j_uri_free(neo4j_uri *uri)
{
    if (!uri)
        return;
    free(uri->host);
    for (size_t i = 0; i < uri->n_routing_params; i++)
    {
        free(uri->routing_params[i].key);
        free(uri->routing_params[i].value);
    }
    free(uri->routing_params);
    memset(uri, 0, sizeof *uri);
}

int
neo4j_uri_format_address(const char *host, int port, char *out, size_t outlen)
{
    if (host && strchr(host, ':'))
        return snprintf(out, outlen, "[%s]:%d", host, port);
    return snprintf(out, outlen, "%s:%d", host ? host : "", port);
}
