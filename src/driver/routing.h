/*
 * routing.h — client-side routing tables for neo4j:// URLs (internal).
 *
 * One table per database: the servers that route, read and write, as
 * "host:port" strings, and when the table was fetched. Pure bookkeeping:
 * fetching a table (ROUTE) and connecting are driver.c's business.
 */
#ifndef NEO4J_ROUTING_H
#define NEO4J_ROUTING_H

#include "neo4j.h"

typedef enum rt_role { RT_ROUTE = 0, RT_READ, RT_WRITE, RT_N_ROLES } rt_role;

typedef struct rt_list {
    char **items;                    /* "host:port", normalized */
    size_t n;
} rt_list;

typedef struct rt_table {
    char *database;                  /* the key; "" when the server did not name it */
    rt_list role[RT_N_ROLES];
    int64_t ttl_ms;
    int64_t fetched_at_ms;           /* neo4j_now_ms() clock */
    unsigned next[RT_N_ROLES];       /* round-robin start, so ties spread out */
} rt_table;

typedef struct rt_map {
    rt_table **tables;
    size_t n, cap;
    int64_t purge_delay_ms;          /* tables expired longer than this are dropped */
} rt_map;

/* Parses ROUTE's "rt" map ({ttl, db, servers: [{role, addresses}]}) into a
 * new table; database is the key to use when rt has no "db" (may be NULL). */
rt_table *rt_table_parse(const neo4j_value *rt, const char *database, int64_t now_ms, neo4j_error *err);
void rt_table_free(rt_table *table);

/* Expired, no routers, or nobody for the access mode. */
bool rt_table_stale(const rt_table *table, neo4j_access_mode mode, int64_t now_ms);
bool rt_list_contains(const rt_list *list, const char *address);
/* Removes the address from one role of a table (no-op if absent). */
void rt_table_remove(rt_table *table, rt_role role, const char *address);

/*
 * Chooses among a role's servers the one with the fewest connections in use
 * (load(ctx, address)); ties go round-robin. NULL if the role is empty.
 */
const char *rt_table_choose(rt_table *table, rt_role role, int (*load)(void *ctx, const char *address),
                            void *ctx);

void rt_map_init(rt_map *map, int64_t purge_delay_ms);
void rt_map_free(rt_map *map);
rt_table *rt_map_get(rt_map *map, const char *database);
/* Stores table under table->database, replacing (and freeing) an older one. */
int rt_map_put(rt_map *map, rt_table *table);
/* Removes the address from every role of every table. */
void rt_map_forget(rt_map *map, const char *address);
/* Drops the tables that expired more than purge_delay_ms ago. */
void rt_map_purge(rt_map *map, int64_t now_ms);

/*
 * Splits "host:port" / "[v6]:port" (port defaults to 7687) into host and
 * port, and writes the normalized form into norm (if not NULL). -1 if bad.
 */
int rt_split_address(const char *address, char *host, size_t hostlen, int *port, char *norm, size_t normlen);

#endif
