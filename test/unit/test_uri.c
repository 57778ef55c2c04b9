/*
 * test_uri.c — unit tests for uri.c.
 */
#include <stdlib.h>
#include <string.h>

#include "uri.h"
#include "testlib.h"

/* Parses text, expecting success; the caller frees *uri. */
static int
parse_ok(const char *text, neo4j_uri *uri)
{
    neo4j_error err;
    int rc;

    neo4j_error_clear(&err);
    rc = neo4j_uri_parse(text, uri, &err);
    if (rc != 0)
        printf("# unexpected error for %s: %s\n", text, err.message);
    return rc;
}

/* Parses text, expecting an INVALID_URI error whose message contains every given fragment. */
static void
expect_error(const char *text, const char *const *fragments, const char *what)
{
    neo4j_uri uri;
    neo4j_error err;
    int rc;
    bool all = true;

    neo4j_error_clear(&err);
    rc = neo4j_uri_parse(text, &uri, &err);
    CHECK(rc == -1, "%s: rejected", what);
    CHECK(err.category == NEO4J_ERROR_CLIENT, "%s: category client", what);
    CHECK_STR(err.code, NEO4J_CODE_INVALID_URI, "%s: code", what);
    CHECK(uri.host == NULL && uri.routing_params == NULL && uri.n_routing_params == 0,
          "%s: uri left empty", what);
    for (const char *const *f = fragments; *f; f++)
    {
        if (!strstr(err.message, *f))
        {
            printf("#   message lacks \"%s\"\n", *f);
            all = false;
        }
    }
    CHECK(all, "%s: message names the problem", what);
    if (!all)
        printf("#   message: %s\n", err.message);
}

#define EXPECT_ERROR(text, what, ...) \
    expect_error(text, (const char *const[]) {__VA_ARGS__, NULL}, what)

static void
test_schemes(void)
{
    static const struct
    {
        const char *text;
        bool routing;
        neo4j_tls_mode tls;
    } cases[] = {
        {"bolt://localhost", false, NEO4J_TLS_OFF},
        {"bolt+s://localhost", false, NEO4J_TLS_VERIFY},
        {"bolt+ssc://localhost", false, NEO4J_TLS_TRUST_ANY},
        {"neo4j://localhost", true, NEO4J_TLS_OFF},
        {"neo4j+s://localhost", true, NEO4J_TLS_VERIFY},
        {"neo4j+ssc://localhost", true, NEO4J_TLS_TRUST_ANY},
        {"BOLT://localhost", false, NEO4J_TLS_OFF},
        {"Neo4J+S://localhost", true, NEO4J_TLS_VERIFY},
        {"BOLT+SSC://localhost", false, NEO4J_TLS_TRUST_ANY},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        neo4j_uri uri;

        if (parse_ok(cases[i].text, &uri) != 0)
        {
            CHECK(0, "parse %s", cases[i].text);
            continue;
        }
        CHECK(uri.routing == cases[i].routing && uri.tls == cases[i].tls,
              "scheme of %s: routing=%d tls=%d", cases[i].text, uri.routing, (int) uri.tls);
        CHECK_STR(uri.host, "localhost", "host of %s", cases[i].text);
        CHECK(uri.port == NEO4J_DEFAULT_PORT, "default port for %s", cases[i].text);
        CHECK(uri.n_routing_params == 0, "no routing context in %s", cases[i].text);
        neo4j_uri_free(&uri);
    }
}

static void
test_hosts_and_ports(void)
{
    static const struct
    {
        const char *text;
        const char *host;
        int port;
    } cases[] = {
        {"bolt://localhost:7688", "localhost", 7688},
        {"bolt://localhost/", "localhost", 7687},
        {"bolt://localhost:1/", "localhost", 1},
        {"bolt://localhost:65535", "localhost", 65535},
        {"bolt://localhost:007687", "localhost", 7687},
        {"bolt://127.0.0.1", "127.0.0.1", 7687},
        {"bolt://10.1.2.3:9999", "10.1.2.3", 9999},
        {"bolt://[::1]", "::1", 7687},
        {"bolt://[::1]:7688", "::1", 7688},
        {"bolt://[::1]:7688/", "::1", 7688},
        {"bolt://[2001:db8::42]/", "2001:db8::42", 7687},
        {"bolt://[::ffff:127.0.0.1]:7000", "::ffff:127.0.0.1", 7000},
        {"bolt://[fe80::1%25eth0]:7687", "fe80::1%eth0", 7687},
        {"neo4j://db-1.cluster_internal.example.com:7687", "db-1.cluster_internal.example.com", 7687},
        {"neo4j://example.com.", "example.com.", 7687},
        {"neo4j+s://XYZ.databases.neo4j.io", "XYZ.databases.neo4j.io", 7687},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        neo4j_uri uri;

        if (parse_ok(cases[i].text, &uri) != 0)
        {
            CHECK(0, "parse %s", cases[i].text);
            continue;
        }
        CHECK_STR(uri.host, cases[i].host, "host of %s", cases[i].text);
        CHECK(uri.port == cases[i].port, "port of %s is %d", cases[i].text, uri.port);
        neo4j_uri_free(&uri);
    }
}

static void
test_routing_context(void)
{
    neo4j_uri uri;

    if (parse_ok("neo4j://localhost:7687?region=eu-west&policy=fast", &uri) == 0)
    {
        CHECK(uri.n_routing_params == 2, "two routing params");
        CHECK_STR(uri.routing_params[0].key, "region", "first key");
        CHECK_STR(uri.routing_params[0].value, "eu-west", "first value");
        CHECK_STR(uri.routing_params[1].key, "policy", "second key");
        CHECK_STR(uri.routing_params[1].value, "fast", "second value");
        neo4j_uri_free(&uri);
        CHECK(uri.host == NULL && uri.routing_params == NULL && uri.n_routing_params == 0, "free zeroes");
    }
    else
        CHECK(0, "routing context parses");

    if (parse_ok("neo4j+s://h/?a%20b=c%2Fd%3D%26e%40f&x=%C3%A9", &uri) == 0)
    {
        CHECK(uri.n_routing_params == 2, "decoded: two params");
        CHECK_STR(uri.routing_params[0].key, "a b", "decoded key");
        CHECK_STR(uri.routing_params[0].value, "c/d=&e@f", "decoded value");
        CHECK_STR(uri.routing_params[1].value, "\xc3\xa9", "decoded UTF-8");
        CHECK(uri.port == 7687 && strcmp(uri.host, "h") == 0, "host and port with trailing / and query");
        neo4j_uri_free(&uri);
    }
    else
        CHECK(0, "percent-encoded routing context parses");

    if (parse_ok("neo4j://[::1]:7690?k=v+w", &uri) == 0)
    {
        CHECK_STR(uri.routing_params[0].value, "v+w", "'+' stays a plus");
        CHECK_STR(uri.host, "::1", "IPv6 host with query");
        CHECK(uri.port == 7690, "IPv6 port with query");
        neo4j_uri_free(&uri);
    }
    else
        CHECK(0, "IPv6 with routing context parses");

    if (parse_ok("neo4j://localhost?", &uri) == 0)
    {
        CHECK(uri.n_routing_params == 0, "bare '?' is an empty routing context");
        neo4j_uri_free(&uri);
    }
    else
        CHECK(0, "bare '?' parses");

    neo4j_uri_free(NULL);
    CHECK(1, "neo4j_uri_free(NULL) is harmless");
}

static void
test_errors(void)
{
    neo4j_error err;
    neo4j_uri uri;

    EXPECT_ERROR("foo://x", "unknown scheme",
                 "invalid URI \"foo://x\": unknown scheme \"foo\" (accepted: bolt, bolt+s, bolt+ssc, neo4j, neo4j+s, neo4j+ssc)");
    EXPECT_ERROR("http://localhost:7474", "http scheme", "unknown scheme \"http\"");
    EXPECT_ERROR("bolt+x://localhost", "bolt+x scheme", "unknown scheme \"bolt+x\"");
    EXPECT_ERROR("localhost:7687", "no scheme", "missing scheme", "bolt, bolt+s");
    EXPECT_ERROR("://localhost", "empty scheme", "missing scheme");
    EXPECT_ERROR("", "empty string", "missing scheme");
    EXPECT_ERROR("bolt:/localhost", "single slash", "missing scheme");

    EXPECT_ERROR("bolt://", "empty host", "missing host");
    EXPECT_ERROR("bolt://:7687", "port without host", "missing host");
    EXPECT_ERROR("bolt:///", "slash without host", "missing host");
    EXPECT_ERROR("bolt://local host", "space in host", "invalid host \"local host\"", "DNS name");
    EXPECT_ERROR("bolt://a..b", "empty label", "invalid host \"a..b\"");
    EXPECT_ERROR("bolt://.a", "leading dot", "invalid host");
    EXPECT_ERROR("bolt://h%41st", "percent in host", "invalid host");
    EXPECT_ERROR("bolt://a\nb", "newline in host", "invalid host \"a?b\"");
    EXPECT_ERROR("bolt://256.1.1.1", "bad IPv4", "invalid IPv4 address \"256.1.1.1\"");
    EXPECT_ERROR("bolt://1.2.3", "short IPv4", "invalid IPv4 address \"1.2.3\"");
    EXPECT_ERROR("bolt://::1", "unbracketed IPv6", "must be enclosed in brackets", "[::1]:7687");
    EXPECT_ERROR("bolt://::1:7687", "unbracketed IPv6 with port", "must be enclosed in brackets");
    EXPECT_ERROR("bolt://[::1", "unclosed bracket", "no closing \"]\"");
    EXPECT_ERROR("bolt://[::g]:7687", "bad IPv6", "invalid IPv6 address \"[::g]\"");
    EXPECT_ERROR("bolt://[]:7687", "empty brackets", "invalid IPv6 address \"[]\"");
    EXPECT_ERROR("bolt://[127.0.0.1]", "IPv4 in brackets", "invalid IPv6 address");
    EXPECT_ERROR("bolt://[fe80::1%25]", "empty zone", "invalid IPv6 address");
    EXPECT_ERROR("bolt://[::1]7687", "junk after bracket", "unexpected \"7687\" after the IPv6 address");

    EXPECT_ERROR("bolt://localhost:", "empty port", "missing port number", "1 to 65535");
    EXPECT_ERROR("bolt://localhost:0", "port 0", "port 0 is out of range", "1 to 65535");
    EXPECT_ERROR("bolt://localhost:65536", "port 65536", "port 65536 is out of range");
    EXPECT_ERROR("bolt://localhost:99999999999999999999", "huge port", "out of range");
    EXPECT_ERROR("bolt://localhost:-1", "negative port", "invalid port \"-1\"");
    EXPECT_ERROR("bolt://localhost:+80", "signed port", "invalid port \"+80\"");
    EXPECT_ERROR("bolt://localhost:76x7", "port with letter", "invalid port \"76x7\"");
    EXPECT_ERROR("bolt://localhost: 7687", "port with space", "invalid port");
    EXPECT_ERROR("bolt://[::1]:", "empty IPv6 port", "missing port number");
    EXPECT_ERROR("bolt://[::1]:http", "named IPv6 port", "invalid port \"http\"");

    EXPECT_ERROR("bolt://localhost/neo4j", "path", "path \"/neo4j\" is not accepted", "trailing \"/\"");
    EXPECT_ERROR("bolt://localhost//", "double slash", "path \"//\"");
    EXPECT_ERROR("neo4j://localhost/db?a=b", "path before query", "path \"/db\"");
    EXPECT_ERROR("bolt://localhost#frag", "fragment", "fragment \"#frag\" is not accepted");
    EXPECT_ERROR("neo4j://localhost?a=b#x", "fragment after query", "fragment \"#x\"");

    EXPECT_ERROR("bolt://localhost?region=eu", "query on bolt", "query string \"?region=eu\"",
                 "bolt://", "neo4j, neo4j+s and neo4j+ssc");
    EXPECT_ERROR("bolt+s://localhost/?a=b", "query on bolt+s", "not accepted with bolt+s://");
    EXPECT_ERROR("bolt://localhost?", "bare ? on bolt", "query string \"?\"");
    EXPECT_ERROR("neo4j://h?a=1&a=2", "duplicate key", "key \"a\" appears more than once");
    EXPECT_ERROR("neo4j://h?a%62=1&ab=2", "duplicate key after decoding", "key \"ab\" appears more than once");
    EXPECT_ERROR("neo4j://h?=1", "empty key", "entry \"=1\" has an empty key");
    EXPECT_ERROR("neo4j://h?a=", "empty value", "key \"a\" has an empty value");
    EXPECT_ERROR("neo4j://h?a", "no equals", "entry \"a\" has no \"=\"");
    EXPECT_ERROR("neo4j://h?a=b=c", "two equals", "entry \"a=b=c\" has more than one \"=\"", "%3D");
    EXPECT_ERROR("neo4j://h?a=1&&b=2", "empty entry", "empty entry in the routing context \"?a=1&&b=2\"");
    EXPECT_ERROR("neo4j://h?a=1&", "trailing &", "empty entry");
    EXPECT_ERROR("neo4j://h?&a=1", "leading &", "empty entry");
    EXPECT_ERROR("neo4j://h?a=%zz", "bad escape", "invalid percent-encoding \"%zz\"", "entry \"a=%zz\"");
    EXPECT_ERROR("neo4j://h?a=%4", "short escape", "invalid percent-encoding \"%4\"");
    EXPECT_ERROR("neo4j://h?a=b%", "escape at end", "invalid percent-encoding \"%\"");
    EXPECT_ERROR("neo4j://h?a=%00", "NUL escape", "invalid percent-encoding \"%00\"");
    EXPECT_ERROR("neo4j://h?k%3=v", "bad escape in key", "invalid percent-encoding \"%3=\"");
    EXPECT_ERROR("neo4j://h?address=x:1", "reserved key", "key \"address\" is reserved");

    /* user information: refused, and the password never appears in the message */
    EXPECT_ERROR("bolt://neo4j:s3cret@localhost:7687", "userinfo", "credentials belong in the auth token",
                 "bolt://***@localhost:7687");
    neo4j_uri_parse("neo4j+s://admin:pa:ss@w0rd@db.example.com?x=1", &uri, &err);
    CHECK(strstr(err.message, "pa:ss") == NULL && strstr(err.message, "w0rd") == NULL &&
          strstr(err.message, "admin") == NULL, "password with '@' not echoed: %s", err.message);
    CHECK(strstr(err.message, "***@db.example.com") != NULL, "masked form shown");
    neo4j_uri_parse("bolt://alice:p/ss?#x@host", &uri, &err);
    CHECK(strstr(err.message, "alice") == NULL && strstr(err.message, "p/ss") == NULL &&
          strstr(err.message, "auth token") != NULL,
          "password with '/', '?' and '#' not echoed: %s", err.message);
    EXPECT_ERROR("bolt://@localhost", "empty userinfo", "user information");
    EXPECT_ERROR("user@localhost", "userinfo without scheme", "user information");

    /* long input is cut in the message */
    {
        char text[1200];

        memcpy(text, "bolt://", 7);
        memset(text + 7, 'a', sizeof text - 8);
        text[sizeof text - 1] = '\0';
        EXPECT_ERROR(text, "overlong host", "invalid host", "...");
        CHECK(strlen(err.message) < 1000, "overlong input shortened in the message");
    }

    neo4j_error_clear(&err);
    CHECK(neo4j_uri_parse(NULL, &uri, &err) == -1 && strcmp(err.code, NEO4J_CODE_INVALID_URI) == 0,
          "NULL text rejected");
}

static void
test_format_address(void)
{
    char buf[64];
    int n;

    n = neo4j_uri_format_address("localhost", 7687, buf, sizeof buf);
    CHECK_STR(buf, "localhost:7687", "format DNS name");
    CHECK(n == (int) strlen("localhost:7687"), "format returns length");
    neo4j_uri_format_address("127.0.0.1", 1, buf, sizeof buf);
    CHECK_STR(buf, "127.0.0.1:1", "format IPv4");
    neo4j_uri_format_address("::1", 7688, buf, sizeof buf);
    CHECK_STR(buf, "[::1]:7688", "format IPv6 in brackets");
    neo4j_uri_format_address("fe80::1%eth0", 7687, buf, sizeof buf);
    CHECK_STR(buf, "[fe80::1%eth0]:7687", "format IPv6 with zone");
    n = neo4j_uri_format_address("2001:db8::1", 7687, buf, 8);
    CHECK(n == (int) strlen("[2001:db8::1]:7687") && strlen(buf) == 7, "format truncates like snprintf");
}

int
main(void)
{
    test_schemes();
    test_hosts_and_ports();
    test_routing_context();
    test_errors();
    test_format_address();
    return TEST_DONE();
}
