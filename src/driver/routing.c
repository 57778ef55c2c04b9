/*
 * routing.c — routing tables: parsing ROUTE's answer, staleness, removal of
 * failed servers, least-busy choice, purging of old tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "routing.h"
#include "uri.h"

/* ttl beyond ~100 years is as good as forever, and cannot overflow */
#define RT_MAX_TTL_S ((int64_t) 100 * 365 * 24 * 3600)

static int
rt_oom(neo4j_error *err)
{
    return neo4j_error_set(err, NEO4J_ERROR_CLIENT, NEO4J_CODE_OUT_OF_MEMORY, "out of memory");
}

int
rt_split_address(const char *address, char *host, size_t hostlen, int *port, char *norm, size_t normlen)
{
    const char *colon;
    const char *host_start = address;
    size_t host_len;
    long p = NEO4J_DEFAULT_PORT;

    if (!address || !address[0])
        return -1;
    if (address[0] == '[')
    {
        const char *close = strchr(address, ']');

        if (!close)
            return -1;
        host_start = address + 1;
        host_len = (size_t) (close - host_start);
        colon = close[1] == ':' ? close + 1 : NULL;
        if (!colon && close[1] != '\0')
            return -1;
    }
    else
    {
        colon = strrchr(address, ':');
        if (colon && strchr(address, ':') != colon)
            return -1;          /* a bare IPv6 literal without brackets */
        host_len = colon ? (size_t) (colon - address) : strlen(address);
    }
    if (colon)
    {
        char *end;

        p = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end != '\0' || p <= 0 || p > 65535)
            return -1;
    }
    if (host_len == 0 || host_len >= hostlen)
        return -1;
    memcpy(host, host_start, host_len);
    host[host_len] = '\0';
    *port = (int) p;
    if (norm)
        neo4j_uri_format_address(host, (int) p, norm, normlen);
    return 0;
}

bool
rt_list_contains(const rt_list *list, const char *address)
{
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->items[i], address) == 0)
            return true;
    return false;
}

static int
rt_list_add(rt_list *list, const char *address)
{
    char **items;

    if (rt_list_contains(list, address))
        return 0;
    items = realloc(list->items, sizeof *items * (list->n + 1));
    if (!items)
        return -1;
    list->items = items;
    if (!(list->items[list->n] = strdup(address)))
        return -1;
    list->n++;
    return 0;
}

static void
rt_list_free(rt_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

void
rt_table_free(rt_table *table)
{
    if (!table)
        return;
    for (int r = 0; r < RT_N_ROLES; r++)
        rt_list_free(&table->role[r]);
    free(table->database);
    free(table);
}

static bool
value_is(const neo4j_value *v, const char *s)
{
    return v && neo4j_string_equals(v, s);
}

rt_table *
rt_table_parse(const neo4j_value *rt, const char *database, int64_t now_ms, neo4j_error *err)
{
    const neo4j_value *ttl = rt && rt->type == NEO4J_MAP ? neo4j_map_get(rt, "ttl") : NULL;
    const neo4j_value *db = rt && rt->type == NEO4J_MAP ? neo4j_map_get(rt, "db") : NULL;
    const neo4j_value *servers = rt && rt->type == NEO4J_MAP ? neo4j_map_get(rt, "servers") : NULL;
    rt_table *table;
    int64_t ttl_s;

    if (!ttl || ttl->type != NEO4J_INT || !servers || servers->type != NEO4J_LIST)
    {
        neo4j_error_set(err, NEO4J_ERROR_PROTOCOL, NEO4J_CODE_PROTOCOL,
                        "the routing table has no ttl or no servers");
        return NULL;
    }
    if (!(table = calloc(1, sizeof *table)))
    {
        rt_oom(err);
        return NULL;
    }
    if (db && db->type == NEO4J_STRING)
    {
        table->database = malloc(db->size + 1);
        if (table->database)
        {
            memcpy(table->database, db->u.string, db->size);
            table->database[db->size] = '\0';
        }
    }
    else
        table->database = strdup(database ? database : "");
    if (!table->database)
        goto oom;
    ttl_s = ttl->u.integer < 0 ? 0 : ttl->u.integer > RT_MAX_TTL_S ? RT_MAX_TTL_S : ttl->u.integer;
    table->ttl_ms = ttl_s * 1000;
    table->fetched_at_ms = now_ms;
    for (uint32_t i = 0; i < servers->size; i++)
    {
        const neo4j_value *s = &servers->u.items[i];
        const neo4j_value *role = s->type == NEO4J_MAP ? neo4j_map_get(s, "role") : NULL;
        const neo4j_value *addresses = s->type == NEO4J_MAP ? neo4j_map_get(s, "addresses") : NULL;
        rt_list *list;

        if (value_is(role, "ROUTE"))
            list = &table->role[RT_ROUTE];
        else if (value_is(role, "READ"))
            list = &table->role[RT_READ];
        else if (value_is(role, "WRITE"))
            list = &table->role[RT_WRITE];
        else
            continue;           /* a role from the future: ignore */
        if (!addresses || addresses->type != NEO4J_LIST)
            continue;
        for (uint32_t j = 0; j < addresses->size; j++)
        {
            const neo4j_value *a = &addresses->u.items[j];
            char text[300], host[256], norm[300];
            int port;

            if (a->type != NEO4J_STRING || a->size >= sizeof text)
                continue;
            memcpy(text, a->u.string, a->size);
            text[a->size] = '\0';
            if (rt_split_address(text, host, sizeof host, &port, norm, sizeof norm) < 0)
                continue;       /* one bad entry should not cost the whole table */
            if (rt_list_add(list, norm) < 0)
                goto oom;
        }
    }
    return table;

oom:
    rt_table_free(table);
    rt_oom(err);
    return NULL;
}

bool
rt_table_stale(const rt_table *table, neo4j_access_mode mode, int64_t now_ms)
{
    if (!table)
        return true;
    if (now_ms >= table->fetched_at_ms + table->ttl_ms)
        return true;
    if (table->role[RT_ROUTE].n == 0)
        return true;
    return table->role[mode == NEO4J_ACCESS_READ ? RT_READ : RT_WRITE].n == 0;
}

void
rt_table_remove(rt_table *table, rt_role role, const char *address)
{
    rt_list *list = &table->role[role];

    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->items[i], address) == 0)
        {
            free(list->items[i]);
            memmove(&list->items[i], &list->items[i + 1], sizeof *list->items * (list->n - i - 1));
            list->n--;
            return;
        }
}

const char *
rt_table_choose(rt_table *table, rt_role role, int (*load)(void *ctx, const char *address), void *ctx)
{
    rt_list *list = &table->role[role];
    size_t start, best = 0;
    int best_load = -1;

    if (list->n == 0)
        return NULL;
    start = table->next[role] % list->n;
    for (size_t k = 0; k < list->n; k++)
    {
        size_t i = (start + k) % list->n;
        int l = load ? load(ctx, list->items[i]) : 0;

        if (best_load < 0 || l < best_load)
        {
            best = i;
            best_load = l;
        }
    }
    table->next[role] = (unsigned) ((start + 1) % list->n);
    return list->items[best];
}

void
rt_map_init(rt_map *map, int64_t purge_delay_ms)
{
    memset(map, 0, sizeof *map);
    map->purge_delay_ms = purge_delay_ms;
}

void
rt_map_free(rt_map *map)
{
    for (size_t i = 0; i < map->n; i++)
        rt_table_free(map->tables[i]);
    free(map->tables);
    map->tables = NULL;
    map->n = map->cap = 0;
}

rt_table *
rt_map_get(rt_map *map, const char *database)
{
    const char *key = database ? database : "";

    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->tables[i]->database, key) == 0)
            return map->tables[i];
    return NULL;
}

int
rt_map_put(rt_map *map, rt_table *table)
{
    rt_table **tables;

    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->tables[i]->database, table->database) == 0)
        {
            /* the round-robin position survives a refresh */
            memcpy(table->next, map->tables[i]->next, sizeof table->next);
            rt_table_free(map->tables[i]);
            map->tables[i] = table;
            return 0;
        }
    tables = neo4j_array_grow(map->tables, &map->cap, map->n, sizeof *tables, 4);
    if (!tables)
        return -1;
    map->tables = tables;
    map->tables[map->n++] = table;
    return 0;
}

void
rt_map_forget(rt_map *map, const char *address)
{
    for (size_t i = 0; i < map->n; i++)
        for (int r = 0; r < RT_N_ROLES; r++)
            rt_table_remove(map->tables[i], (rt_role) r, address);
}

void
rt_map_purge(rt_map *map, int64_t now_ms)
{
    for (size_t i = 0; i < map->n;)
    {
        rt_table *t = map->tables[i];

        if (now_ms > t->fetched_at_ms + t->ttl_ms + map->purge_delay_ms)
        {
            rt_table_free(t);
            map->tables[i] = map->tables[--map->n];
        }
        else
            i++;
    }
}
