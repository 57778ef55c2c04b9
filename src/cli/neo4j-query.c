/*
 * neo4j-query — a small command-line client over the driver core, and its
 * smoke test. Parameters and records use Neo4j's Jolt format (strict).
 *
 *   neo4j-query [options] URL 'CYPHER'
 *
 * Credentials come from the environment only (NEO4J_USER + NEO4J_PASSWORD,
 * or NEO4J_TOKEN for bearer auth), never from the command line.
 *
 * Exit status: 0 success, 1 Neo4j error, 2 usage error, 3 connection or TLS error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neo4j.h"
#include "jolt.h"
#include "text.h"
#include "packstream.h"

enum { EXIT_NEO4J = 1, EXIT_USAGE = 2, EXIT_CONNECTION = 3 };

static const char usage_text[] =
    "usage: neo4j-query [--database NAME] [--access read|write] [--fetch-size N]\n"
    "                   [--params JSON] [--ca-file PEM] [--connect-timeout MS]\n"
    "                   [--notifications-min-severity OFF|WARNING|INFORMATION]\n"
    "                   [--notifications-disabled CATEGORY,...]\n"
    "                   [--log error|warning|info|debug|trace] URL 'CYPHER'\n"
    "Credentials come from NEO4J_USER and NEO4J_PASSWORD, or NEO4J_TOKEN (bearer).\n"
    "Records are printed as Jolt JSON objects on stdout, the summary on stderr.\n";

static const char *const level_names[] = { "error", "warning", "info", "debug", "trace" };

static void
log_to_stderr(void *ctx, neo4j_log_level level, const char *message)
{
    fprintf(stderr, "[%s] %s\n", level_names[level], message);
}

static int
usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "neo4j-query: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_text);
    return EXIT_USAGE;
}

static int
exit_code_for(const neo4j_error *err)
{
    if (strcmp(err->code, NEO4J_CODE_INVALID_URI) == 0 || strcmp(err->code, NEO4J_CODE_INVALID_ARGUMENT) == 0)
        return EXIT_USAGE;
    if (err->category == NEO4J_ERROR_CONNECTIVITY || err->category == NEO4J_ERROR_PROTOCOL ||
        strcmp(err->code, NEO4J_CODE_TLS) == 0)
        return EXIT_CONNECTION;
    return EXIT_NEO4J;
}

static int
report(const neo4j_error *err)
{
    if (err->gql_status[0])
        fprintf(stderr, "neo4j-query: %s error: %s: %s (GQLSTATUS %s)\n", neo4j_error_category_name(err->category),
                err->code, err->message, err->gql_status);
    else
        fprintf(stderr, "neo4j-query: %s error: %s: %s\n", neo4j_error_category_name(err->category), err->code,
                err->message);
    return exit_code_for(err);
}

static void
append_json_key(neo4j_buf *out, const char *key)
{
    neo4j_buf_append_json_string(out, key, strlen(key));
    neo4j_buf_append(out, ":", 1);
}

static void
append_json_string_or_null(neo4j_buf *out, const char *s)
{
    if (s)
        neo4j_buf_append_json_string(out, s, strlen(s));
    else
        neo4j_buf_append(out, "null", 4);
}

static void
print_summary(const neo4j_summary *s, long records)
{
    neo4j_buf out;
    char text[64];

    neo4j_buf_init(&out);
    neo4j_buf_append(&out, "{", 1);
    append_json_key(&out, "server");
    append_json_string_or_null(&out, s->server_agent);
    neo4j_buf_append(&out, ",", 1);
    append_json_key(&out, "protocol");
    snprintf(text, sizeof text, "%d.%d", s->protocol_major, s->protocol_minor);
    append_json_string_or_null(&out, text);
    neo4j_buf_append(&out, ",", 1);
    append_json_key(&out, "database");
    append_json_string_or_null(&out, s->database);
    neo4j_buf_append(&out, ",", 1);
    append_json_key(&out, "bookmark");
    append_json_string_or_null(&out, s->bookmark);
    neo4j_buf_append(&out, ",", 1);
    append_json_key(&out, "type");
    append_json_string_or_null(&out, s->query_type);
    snprintf(text, sizeof text, ",\"records\":%ld", records);
    neo4j_buf_append(&out, text, strlen(text));
    if (s->counters.contains_updates)
    {
        snprintf(text, sizeof text, ",\"nodes_created\":%lld", (long long) s->counters.nodes_created);
        neo4j_buf_append(&out, text, strlen(text));
    }
    neo4j_buf_append(&out, "}\n", 3);
    fputs((const char *) out.data, stderr);
    neo4j_buf_free(&out);
}

/* Prints a record as one Jolt object keyed by field name. */
static int
print_record(const neo4j_result *result, const neo4j_value *record, neo4j_buf *line, neo4j_error *err)
{
    neo4j_buf_reset(line);
    neo4j_buf_append(line, "{", 1);
    for (uint32_t i = 0; i < record->size; i++)
    {
        const neo4j_value *name = neo4j_result_field_name(result, i);

        if (i)
            neo4j_buf_append(line, ",", 1);
        if (name && name->type == NEO4J_STRING)
            neo4j_buf_append_json_string(line, name->u.string, name->size);
        else
            neo4j_buf_append(line, "\"?\"", 3);
        neo4j_buf_append(line, ":", 1);
        if (jolt_write(line, &record->u.items[i], err) < 0)
            return -1;
    }
    neo4j_buf_append(line, "}\n", 2);
    if (line->failed)
        return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY, "out of memory");
    fwrite(line->data, 1, line->len, stdout);
    return 0;
}

int
main(int argc, char **argv)
{
    static const struct option options[] = {
        { "database", required_argument, NULL, 'd' },
        { "access", required_argument, NULL, 'a' },
        { "fetch-size", required_argument, NULL, 'f' },
        { "params", required_argument, NULL, 'p' },
        { "ca-file", required_argument, NULL, 'c' },
        { "connect-timeout", required_argument, NULL, 't' },
        { "log", required_argument, NULL, 'l' },
        { "notifications-min-severity", required_argument, NULL, 'n' },
        { "notifications-disabled", required_argument, NULL, 'N' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    neo4j_config config;
    neo4j_session_config session_config = {0};
    neo4j_auth auth;
    neo4j_error err;
    neo4j_arena arena;
    neo4j_value params = neo4j_null();
    neo4j_driver *driver;
    neo4j_session *session;
    neo4j_result *result;
    const neo4j_value *record;
    const char *params_text = NULL, *user, *password, *token;
    neo4j_buf line;
    long records = 0;
    int opt, rc, status = 0;
    char *end;
    const char *categories[17] = {0};

    neo4j_config_init(&config);
    config.user_agent = "neo4j-query/" NEO4J_DRIVER_VERSION;
    while ((opt = getopt_long(argc, argv, "d:a:f:p:c:t:l:n:N:h", options, NULL)) != -1)
    {
        switch (opt)
        {
            case 'd':
                session_config.database = optarg;
                break;
            case 'a':
                if (strcmp(optarg, "read") == 0)
                    session_config.access_mode = NEO4J_ACCESS_READ;
                else if (strcmp(optarg, "write") == 0)
                    session_config.access_mode = NEO4J_ACCESS_WRITE;
                else
                    return usage_error("invalid --access \"%s\" (accepted: read, write)", optarg);
                break;
            case 'f':
                session_config.fetch_size = (int) strtol(optarg, &end, 10);
                if (*end || end == optarg || (session_config.fetch_size <= 0 && session_config.fetch_size != -1))
                    return usage_error("invalid --fetch-size \"%s\" (a positive number, or -1 for all)", optarg);
                break;
            case 'p':
                params_text = optarg;
                break;
            case 'c':
                config.ca_file = optarg;
                break;
            case 't':
                config.connect_timeout_ms = (int) strtol(optarg, &end, 10);
                if (*end || end == optarg || config.connect_timeout_ms <= 0)
                    return usage_error("invalid --connect-timeout \"%s\" (milliseconds, > 0)", optarg);
                break;
            case 'l':
            {
                int found = -1;

                for (int i = 0; i < 5; i++)
                    if (strcmp(optarg, level_names[i]) == 0)
                        found = i;
                if (found < 0)
                    return usage_error("invalid --log \"%s\" (accepted: error, warning, info, debug, trace)",
                                       optarg);
                config.log = log_to_stderr;
                config.log_level = (neo4j_log_level) found;
                break;
            }
            case 'n':
                if (strcmp(optarg, "OFF") != 0 && strcmp(optarg, "WARNING") != 0 &&
                    strcmp(optarg, "INFORMATION") != 0)
                    return usage_error("invalid --notifications-min-severity \"%s\" "
                                       "(accepted: OFF, WARNING, INFORMATION)", optarg);
                config.notifications_minimum_severity = optarg;
                break;
            case 'N':
            {
                int n = 0;

                for (char *tok = strtok(optarg, ","); tok; tok = strtok(NULL, ","))
                {
                    if (n == 16)
                        return usage_error("%s", "--notifications-disabled takes at most 16 categories");
                    categories[n++] = tok;
                }
                config.notifications_disabled_categories = categories;
                break;
            }
            case 'h':
                fputs(usage_text, stdout);
                return 0;
            default:
                fputs(usage_text, stderr);
                return EXIT_USAGE;
        }
    }
    if (argc - optind != 2)
        return usage_error("%s", "expected a URL and a Cypher query");

    neo4j_arena_init(&arena);
    if (params_text)
    {
        if (jolt_parse(params_text, strlen(params_text), &arena, &params, &err) < 0)
        {
            fprintf(stderr, "neo4j-query: invalid --params: %s\n", err.message);
            return EXIT_USAGE;
        }
        if (params.type != NEO4J_MAP)
        {
            fprintf(stderr, "neo4j-query: invalid --params: expected a JSON object, got %s\n",
                    neo4j_type_name((neo4j_type) params.type));
            return EXIT_USAGE;
        }
    }

    user = getenv("NEO4J_USER");
    password = getenv("NEO4J_PASSWORD");
    token = getenv("NEO4J_TOKEN");
    if (token && *token)
        auth = neo4j_auth_bearer(token);
    else if (user && *user)
        auth = neo4j_auth_basic(user, password ? password : "", NULL);
    else
        auth = neo4j_auth_none();

    driver = neo4j_driver_new(argv[optind], &auth, &config, &err);
    if (!driver)
        return report(&err);
    session = neo4j_session_open(driver, &session_config, &err);
    if (!session)
    {
        neo4j_driver_close(driver);
        return report(&err);
    }
    result = neo4j_session_run(session, argv[optind + 1], params_text ? &params : NULL, NULL, &err);
    if (!result)
        status = report(&err);
    else
    {
        neo4j_buf_init(&line);
        while ((rc = neo4j_result_next(result, &record, &err)) == 1)
        {
            if (print_record(result, record, &line, &err) < 0)
            {
                rc = -1;
                break;
            }
            records++;
        }
        fflush(stdout);
        if (rc < 0)
            status = report(&err);
        else
            print_summary(neo4j_result_summary(result), records);
        neo4j_buf_free(&line);
        neo4j_result_close(result);
    }
    neo4j_session_close(session);
    neo4j_driver_close(driver);
    neo4j_arena_free(&arena);
    return status;
}
