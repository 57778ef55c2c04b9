/*
 * test_routing.c — routing-table logic: parsing ROUTE's answer, staleness,
 * removal, least-busy choice, purging.
 */
#include <stdlib.h>
#include <string.h>

#include "neo4j.h"
#include "routing.h"
#include "testlib.h"

/* Builds {ttl, db, servers: [{role, addresses}...]} with up to 6 addresses per role. */
typedef struct rt_builder {
    neo4j_value route[6], read[6], write[6];
    neo4j_map_entry server_entries[3][2];
    neo4j_value servers[3];
    neo4j_map_entry rt_entries[3];
    neo4j_value rt;
} rt_builder;

static void
fill(neo4j_value *dst, const char *const *src, size_t *n)
{
    for (*n = 0; src && src[*n]; (*n)++)
        dst[*n] = neo4j_string(src[*n]);
}

static const neo4j_value *
build(rt_builder *b, int64_t ttl, const char *db, const char *const *routers, const char *const *readers,
      const char *const *writers)
{
    const char *roles[3] = { "ROUTE", "READ", "WRITE" };
    neo4j_value *lists[3] = { b->route, b->read, b->write };
    const char *const *src[3] = { routers, readers, writers };

    for (int i = 0; i < 3; i++)
    {
        size_t n;

        fill(lists[i], src[i], &n);
        b->server_entries[i][0].key = neo4j_string("role");
        b->server_entries[i][0].value = neo4j_string(roles[i]);
        b->server_entries[i][1].key = neo4j_string("addresses");
        b->server_entries[i][1].value = neo4j_list(lists[i], n);
        b->servers[i] = neo4j_map(b->server_entries[i], 2);
    }
    b->rt_entries[0].key = neo4j_string("ttl");
    b->rt_entries[0].value = neo4j_int(ttl);
    b->rt_entries[1].key = neo4j_string("servers");
    b->rt_entries[1].value = neo4j_list(b->servers, 3);
    b->rt_entries[2].key = neo4j_string("db");
    b->rt_entries[2].value = db ? neo4j_string(db) : neo4j_null();
    b->rt = neo4j_map(b->rt_entries, db ? 3 : 2);
    return &b->rt;
}

typedef struct loads { const char *addr[4]; int n[4]; } loads;

static int
load_of(void *ctx, const char *address)
{
    loads *l = ctx;

    for (int i = 0; i < 4; i++)
        if (l->addr[i] && strcmp(l->addr[i], address) == 0)
            return l->n[i];
    return 0;
}

int
main(void)
{
    const char *routers[] = { "r1:7687", "r2:7687", NULL };
    const char *readers[] = { "a:7687", "b:7688", "c", NULL };
    const char *writers[] = { "w:7687", NULL };
    const char *bad[] = { "ok:1", "", "x:99999", "::1", "[::1]:7000", NULL };
    rt_builder b;
    neo4j_error err;
    rt_table *t;
    rt_map map;
    char host[256], norm[300];
    int port;

    /* addresses */
    CHECK(rt_split_address("db.example.com:7688", host, sizeof host, &port, norm, sizeof norm) == 0 &&
          strcmp(host, "db.example.com") == 0 && port == 7688, "host:port splits");
    CHECK(rt_split_address("db", host, sizeof host, &port, norm, sizeof norm) == 0 && port == 7687,
          "port defaults to 7687");
    CHECK_STR(norm, "db:7687", "normalized with the default port");
    CHECK(rt_split_address("[::1]:9000", host, sizeof host, &port, norm, sizeof norm) == 0 &&
          strcmp(host, "::1") == 0 && port == 9000, "IPv6 in brackets");
    CHECK_STR(norm, "[::1]:9000", "IPv6 normalized in brackets");
    CHECK(rt_split_address("a:b", host, sizeof host, &port, NULL, 0) < 0, "bad port refused");
    CHECK(rt_split_address("::1", host, sizeof host, &port, NULL, 0) < 0, "bare IPv6 refused");
    CHECK(rt_split_address(":7687", host, sizeof host, &port, NULL, 0) < 0, "empty host refused");

    /* parsing */
    t = rt_table_parse(build(&b, 300, "movies", routers, readers, writers), NULL, 1000, &err);
    CHECK(t != NULL, "table parsed");
    CHECK_STR(t->database, "movies", "database from rt.db");
    CHECK(t->ttl_ms == 300000 && t->fetched_at_ms == 1000, "ttl in ms, fetch time");
    CHECK(t->role[RT_ROUTE].n == 2 && t->role[RT_READ].n == 3 && t->role[RT_WRITE].n == 1, "role counts");
    CHECK_STR(t->role[RT_READ].items[2], "c:7687", "addresses normalized");
    CHECK(!rt_table_stale(t, NEO4J_ACCESS_READ, 1000) && !rt_table_stale(t, NEO4J_ACCESS_WRITE, 300999),
          "fresh until the ttl passes");
    CHECK(rt_table_stale(t, NEO4J_ACCESS_READ, 301000), "stale once the ttl passed");

    /* removal and staleness per mode */
    rt_table_remove(t, RT_WRITE, "w:7687");
    CHECK(rt_table_stale(t, NEO4J_ACCESS_WRITE, 2000) && !rt_table_stale(t, NEO4J_ACCESS_READ, 2000),
          "no writers: stale for writes only");
    rt_table_remove(t, RT_ROUTE, "r1:7687");
    rt_table_remove(t, RT_ROUTE, "nobody:1");
    CHECK(t->role[RT_ROUTE].n == 1 && strcmp(t->role[RT_ROUTE].items[0], "r2:7687") == 0, "router removed");
    rt_table_remove(t, RT_ROUTE, "r2:7687");
    CHECK(rt_table_stale(t, NEO4J_ACCESS_READ, 2000), "no routers: stale");

    /* least busy */
    {
        loads l = { { "a:7687", "b:7688", "c:7687" }, { 3, 1, 2 } };
        const char *chosen = rt_table_choose(t, RT_READ, load_of, &l);

        CHECK_STR(chosen, "b:7688", "the least busy reader is chosen");
        l.n[1] = 5;
        CHECK_STR(rt_table_choose(t, RT_READ, load_of, &l), "c:7687", "load changes the choice");
        CHECK(rt_table_choose(t, RT_WRITE, load_of, &l) == NULL, "no writer to choose");
        l.n[0] = l.n[1] = l.n[2] = 0;
        {
            const char *first = rt_table_choose(t, RT_READ, load_of, &l);
            const char *second = rt_table_choose(t, RT_READ, load_of, &l);

            CHECK(first && second && strcmp(first, second) != 0, "ties go round-robin");
        }
    }
    rt_table_free(t);

    /* bad entries are skipped, no db -> the given key; ttl 0 is stale at once */
    t = rt_table_parse(build(&b, 0, NULL, bad, readers, NULL), "fallback", 50, &err);
    CHECK(t && strcmp(t->database, "fallback") == 0, "key when rt has no db");
    CHECK(t && t->role[RT_ROUTE].n == 2, "bad addresses skipped (%zu kept)", t ? t->role[RT_ROUTE].n : 0);
    CHECK(t && rt_table_stale(t, NEO4J_ACCESS_READ, 50), "ttl 0: stale at once");
    rt_table_free(t);
    {
        neo4j_map_entry e = { neo4j_string("ttl"), neo4j_int(1) };
        neo4j_value rt = neo4j_map(&e, 1);

        CHECK(rt_table_parse(&rt, NULL, 0, &err) == NULL && err.category == NEO4J_ERROR_PROTOCOL,
              "no servers: protocol error");
    }

    /* the map: put, replace, forget, purge */
    rt_map_init(&map, 30000);
    rt_map_put(&map, rt_table_parse(build(&b, 10, "a", routers, readers, writers), NULL, 0, &err));
    rt_map_put(&map, rt_table_parse(build(&b, 100, "b", routers, readers, writers), NULL, 0, &err));
    CHECK(map.n == 2 && rt_map_get(&map, "a") && rt_map_get(&map, "b") && !rt_map_get(&map, "c"),
          "one table per database");
    rt_map_put(&map, rt_table_parse(build(&b, 20, "a", routers, readers, NULL), NULL, 5, &err));
    CHECK(map.n == 2 && rt_map_get(&map, "a")->ttl_ms == 20000, "a refresh replaces the table");
    rt_map_forget(&map, "a:7687");
    rt_map_forget(&map, "w:7687");
    CHECK(!rt_list_contains(&rt_map_get(&map, "b")->role[RT_READ], "a:7687") &&
          rt_map_get(&map, "b")->role[RT_WRITE].n == 0 && rt_map_get(&map, "a")->role[RT_READ].n == 2,
          "a forgotten server leaves every table");
    rt_map_purge(&map, 5 + 20000 + 30000);
    CHECK(map.n == 2, "expired less than the purge delay: kept");
    rt_map_purge(&map, 5 + 20000 + 30001);
    CHECK(map.n == 1 && !rt_map_get(&map, "a") && rt_map_get(&map, "b"), "expired longer: purged");
    rt_map_purge(&map, 100000 + 30001);
    CHECK(map.n == 0, "every old table purged");
    rt_map_free(&map);

    return TEST_DONE();
}
