/*
 * uri.h — parsing of bolt:// and neo4j:// URIs (internal).
 */
#ifndef NEO4J_URI_H
#define NEO4J_URI_H

#include "neo4j.h"

#define NEO4J_DEFAULT_PORT 7687

typedef enum neo4j_tls_mode {
    NEO4J_TLS_OFF = 0,
    NEO4J_TLS_VERIFY,        /* +s: system CAs (+ ca_file), host-name check, SNI */
    NEO4J_TLS_TRUST_ANY      /* +ssc: any certificate, still encrypted */
} neo4j_tls_mode;

typedef struct neo4j_routing_param {
    char *key;
    char *value;
} neo4j_routing_param;

typedef struct neo4j_uri {
    bool routing;                 /* neo4j, neo4j+s, neo4j+ssc */
    neo4j_tls_mode tls;
    char *host;                   /* without brackets for IPv6 literals */
    int port;                     /* NEO4J_DEFAULT_PORT if absent */
    size_t n_routing_params;      /* the query string (neo4j schemes only) */
    neo4j_routing_param *routing_params;
} neo4j_uri;

/*
 * Parses text into *uri (malloc'd strings; free with neo4j_uri_free). On error
 * returns -1 with a CLIENT error, code NEO4J_CODE_INVALID_URI, whose message
 * names the part that is wrong (scheme, host, port, query string, ...).
 * Percent-encoded query keys/values are decoded.
 */
int neo4j_uri_parse(const char *text, neo4j_uri *uri, neo4j_error *err);
void neo4j_uri_free(neo4j_uri *uri);
/* "host:port", IPv6 hosts in brackets; returns snprintf's result. */
int neo4j_uri_format_address(const char *host, int port, char *out, size_t outlen);

#endif
