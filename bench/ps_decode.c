/*
 * ps_decode.c — PackStream decode throughput on a stream of RECORD messages.
 *
 *   ps_decode --generate FILE N   writes N RECORD messages to FILE
 *   ps_decode FILE [PASSES]       decodes them all, PASSES times (default 3)
 *
 * FILE holds each message as a 4-byte big-endian length and the message
 * bytes (the framing the dechunker hands over). Each record is a row as a
 * foreign-table scan would see it: ints of several widths, strings, a float,
 * a small list and a Bolt 5 Node. bench/ps_decode.js decodes the same file
 * with the official JavaScript Unpacker; bench/run.sh compares the two.
 *
 * Prints one line: "c records=N best_s=T records_per_s=R mb_per_s=M checksum=C"
 * (the checksum proves the values were read; the JS side prints the same one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "packstream.h"

static int
generate(const char *path, long n)
{
    static const char *first[] = {"Alice", "Bob", "Chloé", "Dmitri", "Eve", "Fatima", "Günter", "Hiro"};
    static const char *labels_text[] = {"Person", "Customer"};
    FILE *f = fopen(path, "wb");
    neo4j_buf buf;
    neo4j_error err;
    long i;

    if (!f)
    {
        perror(path);
        return 1;
    }
    neo4j_buf_init(&buf);
    for (i = 0; i < n; i++)
    {
        char name[64], eid[64], email[96];
        neo4j_value tags[3], labels[2], node_fields[4], row[8], rec;
        neo4j_map_entry props[3];
        uint8_t hdr[4];
        int nl, el, ml;

        nl = snprintf(name, sizeof name, "%s %ld", first[i % 8], i);
        el = snprintf(eid, sizeof eid, "4:0c8f6b1e-7a2d-4f5e-9b3c-2d1e0f9a8b7c:%ld", i);
        ml = snprintf(email, sizeof email, "user%ld@example.com", i);
        tags[0] = neo4j_string("neo4j");
        tags[1] = neo4j_string(i % 3 ? "graph" : "fdw");
        tags[2] = neo4j_int(i % 1000);
        labels[0] = neo4j_string(labels_text[0]);
        labels[1] = neo4j_string(labels_text[1]);
        props[0].key = neo4j_string("name");
        props[0].value = neo4j_string_n(name, (size_t) nl);
        props[1].key = neo4j_string("age");
        props[1].value = neo4j_int(18 + i % 80);
        props[2].key = neo4j_string("email");
        props[2].value = neo4j_string_n(email, (size_t) ml);
        node_fields[0] = neo4j_int(i);
        node_fields[1] = neo4j_list(labels, 2);
        node_fields[2] = neo4j_map(props, 3);
        node_fields[3] = neo4j_string_n(eid, (size_t) el);

        row[0] = neo4j_int(i);                              /* id: grows through every int width */
        row[1] = neo4j_int(18 + i % 80);                    /* age: tiny int */
        row[2] = neo4j_string_n(name, (size_t) nl);         /* name */
        row[3] = neo4j_float(i * 0.25 + 0.1);               /* score */
        row[4] = neo4j_int(1700000000000LL + i * 1000);     /* created_ms: int64 */
        row[5] = neo4j_list(tags, 3);                       /* tags */
        row[6] = i % 10 ? neo4j_bool(i % 2) : neo4j_null(); /* active */
        row[7] = neo4j_struct(NEO4J_TAG_NODE, node_fields, 4);
        rec = neo4j_list(row, 8);

        neo4j_buf_reset(&buf);
        ps_pack_struct_header(&buf, 1, 0x71);
        if (ps_pack_value(&buf, &rec, &(ps_options) {true, false, 0}, &err) < 0)
        {
            fprintf(stderr, "pack: %s\n", err.message);
            return 1;
        }
        hdr[0] = (uint8_t) (buf.len >> 24);
        hdr[1] = (uint8_t) (buf.len >> 16);
        hdr[2] = (uint8_t) (buf.len >> 8);
        hdr[3] = (uint8_t) buf.len;
        fwrite(hdr, 1, 4, f);
        fwrite(buf.data, 1, buf.len, f);
    }
    neo4j_buf_free(&buf);
    if (fclose(f) != 0)
    {
        perror(path);
        return 1;
    }
    return 0;
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    FILE *f;
    uint8_t *data;
    long size;
    int passes = 3, pass;
    double best = 1e30;
    uint64_t checksum = 0;
    long records = 0;
    neo4j_arena arena;
    ps_options opts = {true, false, 0};

    if (argc == 4 && strcmp(argv[1], "--generate") == 0)
        return generate(argv[2], atol(argv[3]));
    if (argc < 2)
    {
        fprintf(stderr, "usage: ps_decode --generate FILE N | ps_decode FILE [PASSES]\n");
        return 2;
    }
    if (argc > 2)
        passes = atoi(argv[2]);

    f = fopen(argv[1], "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
    {
        perror(argv[1]);
        return 1;
    }
    data = malloc((size_t) size);
    if (!data || fread(data, 1, (size_t) size, f) != (size_t) size)
    {
        perror("read");
        return 1;
    }
    fclose(f);
    neo4j_arena_init(&arena);

    for (pass = 0; pass < passes; pass++)
    {
        const uint8_t *p = data, *end = data + size;
        double t0 = now(), t;

        checksum = 0;
        records = 0;
        while (end - p >= 4)
        {
            uint32_t len = (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
            uint8_t sig;
            const neo4j_value *fields, *row;
            uint32_t nfields;
            neo4j_error err;

            p += 4;
            neo4j_arena_reset(&arena);
            if (ps_unpack_message(p, len, &arena, &opts, &sig, &fields, &nfields, &err) < 0)
            {
                fprintf(stderr, "record %ld: %s\n", records, err.message);
                return 1;
            }
            p += len;
            /* touch the values the way a scan would: id, name length, node id */
            row = fields[0].u.items;
            checksum += (uint64_t) row[0].u.integer + row[2].size +
                        (uint64_t) row[7].u.items[NEO4J_NODE_ID].u.integer;
            records++;
        }
        t = now() - t0;
        if (t < best)
            best = t;
    }
    printf("c records=%ld best_s=%.4f records_per_s=%.0f mb_per_s=%.1f checksum=%llu\n",
           records, best, records / best, size / best / 1e6, (unsigned long long) checksum);
    neo4j_arena_free(&arena);
    free(data);
    return 0;
}
