/*
 * arena.h — a bump allocator for decoded values (internal).
 *
 * Memory comes from fixed-size blocks filled front to back. A request larger
 * than a quarter of a block gets a block of its own. Reset forgets every
 * allocation but keeps the standard blocks (up to NEO4J_ARENA_KEEP bytes) for
 * reuse and frees the large ones, so steady-state decoding allocates nothing.
 */
#ifndef NEO4J_ARENA_H
#define NEO4J_ARENA_H

#include <stdbool.h>
#include <stddef.h>

#define NEO4J_ARENA_BLOCK_SIZE (32 * 1024)   /* data bytes in a standard block */
#define NEO4J_ARENA_KEEP       (1024 * 1024) /* standard blocks kept by reset */

typedef struct neo4j_arena_block neo4j_arena_block;

/* Block header; the data follows it (the header size is a multiple of 16). */
struct neo4j_arena_block {
    neo4j_arena_block *next;
    size_t cap;                  /* data bytes */
};

typedef struct neo4j_arena {
    neo4j_arena_block *head;     /* block being filled */
    neo4j_arena_block *blocks;   /* all standard blocks, oldest first */
    size_t used;                 /* bytes used in head */
    neo4j_arena_block *large;    /* blocks of single large allocations */
} neo4j_arena;

void neo4j_arena_init(neo4j_arena *arena);
/* 8-byte aligned memory, or NULL when out of memory. */
void *neo4j_arena_alloc(neo4j_arena *arena, size_t size);
/* Forgets every allocation; keeps standard blocks for reuse, frees the large ones. */
void neo4j_arena_reset(neo4j_arena *arena);
void neo4j_arena_free(neo4j_arena *arena);

/* The header rounded up so the data stays 16-byte aligned. */
#define NEO4J_ARENA_HEADER ((sizeof(neo4j_arena_block) + 15) & ~(size_t) 15)

/* Allocation fast path for hot loops (the decoder); same contract as neo4j_arena_alloc. */
static inline void *
neo4j_arena_alloc_inline(neo4j_arena *arena, size_t size)
{
    neo4j_arena_block *b = arena->head;

    /* used and cap are multiples of 8, so size <= room implies rounded size <= room */
    if (b && size <= b->cap - arena->used)
    {
        char *p = (char *) b + NEO4J_ARENA_HEADER + arena->used;

        arena->used += (size + 7) & ~(size_t) 7;
        return p;
    }
    return neo4j_arena_alloc(arena, size);
}

/*
 * Makes room for one more item in a malloc'd array that grows by doubling
 * (starting at `initial`). Returns the array, moved or not, or NULL when out
 * of memory (the array is then unchanged).
 */
void *neo4j_array_grow(void *items, size_t *cap, size_t count, size_t item_size, size_t initial);

#endif
