/*
 * error.c — errors as values.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "neo4j.h"

void
neo4j_error_clear(neo4j_error *err)
{
    if (!err)
        return;
    err->category = NEO4J_OK;
    err->code[0] = '\0';
    err->gql_status[0] = '\0';
    err->message[0] = '\0';
}

int
neo4j_error_set(neo4j_error *err, neo4j_error_category cat, const char *code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return -1;
    err->category = cat;
    snprintf(err->code, sizeof err->code, "%s", code ? code : "");
    err->gql_status[0] = '\0';
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

static bool
starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

neo4j_error_category
neo4j_error_category_for_code(const char *code)
{
    if (!code || !*code)
        return NEO4J_ERROR_DATABASE;
    if (starts_with(code, "Neo.ClientError.Security.") || starts_with(code, "Neo.TransientError.Security."))
        return NEO4J_ERROR_SECURITY;
    if (starts_with(code, "Neo.ClientError."))
        return NEO4J_ERROR_CLIENT;
    if (starts_with(code, "Neo.TransientError."))
        return NEO4J_ERROR_TRANSIENT;
    if (starts_with(code, "Neo.DatabaseError."))
        return NEO4J_ERROR_DATABASE;
    return NEO4J_ERROR_DATABASE;
}

const char *
neo4j_error_category_name(neo4j_error_category cat)
{
    switch (cat)
    {
        case NEO4J_OK: return "ok";
        case NEO4J_ERROR_CONNECTIVITY: return "connectivity";
        case NEO4J_ERROR_SECURITY: return "security";
        case NEO4J_ERROR_CLIENT: return "client";
        case NEO4J_ERROR_TRANSIENT: return "transient";
        case NEO4J_ERROR_DATABASE: return "database";
        case NEO4J_ERROR_PROTOCOL: return "protocol";
    }
    return "unknown";
}

bool
neo4j_error_is_authentication(const neo4j_error *err)
{
    return err && strcmp(err->code, "Neo.ClientError.Security.Unauthorized") == 0;
}

bool
neo4j_error_is_database_not_found(const neo4j_error *err)
{
    return err && strcmp(err->code, "Neo.ClientError.Database.DatabaseNotFound") == 0;
}

bool
neo4j_error_is_syntax(const neo4j_error *err)
{
    return err && strcmp(err->code, "Neo.ClientError.Statement.SyntaxError") == 0;
}

bool
neo4j_error_is_retryable(const neo4j_error *err)
{
    if (!err)
        return false;
    if (err->category == NEO4J_ERROR_CONNECTIVITY)
        return true;
    if (err->category == NEO4J_ERROR_TRANSIENT)
        return strcmp(err->code, "Neo.TransientError.Transaction.Terminated") != 0 &&
               strcmp(err->code, "Neo.TransientError.Transaction.LockClientStopped") != 0;
    return strcmp(err->code, "Neo.ClientError.Cluster.NotALeader") == 0 ||
           strcmp(err->code, "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase") == 0 ||
           strcmp(err->code, "Neo.ClientError.Security.AuthorizationExpired") == 0;
}
