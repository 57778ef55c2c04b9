/*
 * fuzz_uri.c — libFuzzer target for the URI parser.
 *
 * Every input (as a C string: up to its first NUL) goes through
 * neo4j_uri_parse. A refused URI must come with an InvalidURI error and a
 * message. An accepted one must have a host and a port in range; it is
 * written back as a URL (the scheme its flags name, the host and port, the
 * routing context percent-encoded)
 * and must parse again to the same parts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"

static void
fail(const char *what, const char *text)
{
    fprintf(stderr, "fuzz_uri: %s: \"%s\"\n", what, text);
    abort();
}

static const char *
scheme_of(const neo4j_uri *uri)
{
    static const char *const names[2][3] = {
        { "bolt", "bolt+s", "bolt+ssc" },
        { "neo4j", "neo4j+s", "neo4j+ssc" },
    };

    return names[uri->routing ? 1 : 0][uri->tls];
}

/* Appends s with every byte but unreserved ones as %XX. */
static size_t
append_encoded(char *out, size_t used, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            out[used++] = (char) *p;
        else
        {
            out[used++] = '%';
            out[used++] = hex[*p >> 4];
            out[used++] = hex[*p & 15];
        }
    }
    return used;
}

static void
check_same(const neo4j_uri *a, const neo4j_uri *b, const char *text)
{
    if (a->routing != b->routing || a->tls != b->tls || strcmp(a->host, b->host) != 0 || a->port != b->port ||
        a->n_routing_params != b->n_routing_params)
        fail("written back, the URI parses to other parts", text);
    for (size_t i = 0; i < a->n_routing_params; i++)
        if (strcmp(a->routing_params[i].key, b->routing_params[i].key) != 0 ||
            strcmp(a->routing_params[i].value, b->routing_params[i].value) != 0)
            fail("written back, the routing context differs", text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    neo4j_uri uri, again;
    neo4j_error err;
    char *url;
    size_t cap, used;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (neo4j_uri_parse(text, &uri, &err) < 0)
    {
        if (strcmp(err.code, NEO4J_CODE_INVALID_URI) != 0 || !err.message[0])
            fail("a refused URI without an InvalidURI error", text);
        free(text);
        return 0;
    }
    if (!uri.host || !uri.host[0] || uri.port < 1 || uri.port > 65535 || (uri.tls != NEO4J_TLS_OFF &&
        uri.tls != NEO4J_TLS_VERIFY && uri.tls != NEO4J_TLS_TRUST_ANY))
        fail("accepted with a bad host, port or TLS mode", text);
    if (!uri.routing && uri.n_routing_params)
        fail("a routing context on a bolt URI", text);

    /* worst case: every byte of host and context percent-encoded */
    cap = 64 + 3 * (strlen(uri.host) + size) + 8 * uri.n_routing_params;
    url = malloc(cap);
    if (!url)
        abort();
    used = (size_t) snprintf(url, cap, "%s://", scheme_of(&uri));
    if (strchr(uri.host, ':'))
    {
        /* an IPv6 literal: in a URL its zone's "%" is written %25 (RFC 6874) */
        url[used++] = '[';
        for (const char *h = uri.host; *h; h++)
            used += (size_t) snprintf(url + used, cap - used, *h == '%' ? "%%25" : "%c", *h);
        used += (size_t) snprintf(url + used, cap - used, "]:%d", uri.port);
    }
    else
        used += (size_t) neo4j_uri_format_address(uri.host, uri.port, url + used, cap - used);
    for (size_t i = 0; i < uri.n_routing_params; i++)
    {
        url[used++] = i == 0 ? '?' : '&';
        used = append_encoded(url, used, uri.routing_params[i].key);
        url[used++] = '=';
        used = append_encoded(url, used, uri.routing_params[i].value);
    }
    url[used] = '\0';
    if (neo4j_uri_parse(url, &again, &err) < 0)
    {
        fprintf(stderr, "fuzz_uri: \"%s\" written back as \"%s\" is refused: %s\n", text, url, err.message);
        abort();
    }
    check_same(&uri, &again, text);
    neo4j_uri_free(&again);
    neo4j_uri_free(&uri);
    free(url);
    free(text);
    return 0;
}
