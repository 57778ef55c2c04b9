/*
 * arena.c — chunked bump allocator (see arena.h).
 */
#include <stdint.h>
#include <stdlib.h>

#include "arena.h"

static inline char *
block_data(neo4j_arena_block *b)
{
    return (char *) b + NEO4J_ARENA_HEADER;
}

void
neo4j_arena_init(neo4j_arena *arena)
{
    arena->head = NULL;
    arena->blocks = NULL;
    arena->used = 0;
    arena->large = NULL;
}

void *
neo4j_arena_alloc(neo4j_arena *arena, size_t size)
{
    neo4j_arena_block *b;
    size_t rounded;
    char *p;

    if (size > SIZE_MAX - NEO4J_ARENA_HEADER - 16)
        return NULL;
    rounded = (size + 7) & ~(size_t) 7;

    if (arena->head && rounded <= arena->head->cap - arena->used)
    {
        p = block_data(arena->head) + arena->used;
        arena->used += rounded;
        return p;
    }

    /* Big requests get their own block so they do not waste a standard one. */
    if (rounded > NEO4J_ARENA_BLOCK_SIZE / 4)
    {
        b = malloc(NEO4J_ARENA_HEADER + rounded);
        if (!b)
            return NULL;
        b->cap = rounded;
        b->next = arena->large;
        arena->large = b;
        return block_data(b);
    }

    if (arena->head && arena->head->next)
    {
        /* a block kept by an earlier reset */
        arena->head = arena->head->next;
    }
    else
    {
        b = malloc(NEO4J_ARENA_HEADER + NEO4J_ARENA_BLOCK_SIZE);
        if (!b)
            return NULL;
        b->cap = NEO4J_ARENA_BLOCK_SIZE;
        b->next = NULL;
        if (arena->head)
            arena->head->next = b;      /* head is the last block here */
        else
            arena->blocks = b;
        arena->head = b;
    }
    arena->used = rounded;
    return block_data(arena->head);
}

static void
free_chain(neo4j_arena_block *b)
{
    while (b)
    {
        neo4j_arena_block *next = b->next;

        free(b);
        b = next;
    }
}

void
neo4j_arena_reset(neo4j_arena *arena)
{
    neo4j_arena_block *b = arena->blocks;
    size_t kept = 0;

    free_chain(arena->large);
    arena->large = NULL;

    /* Keep a bounded number of standard blocks; one huge result must not pin memory. */
    while (b)
    {
        kept += b->cap;
        if (kept >= NEO4J_ARENA_KEEP && b->next)
        {
            free_chain(b->next);
            b->next = NULL;
        }
        b = b->next;
    }
    arena->head = arena->blocks;
    arena->used = 0;
}

void
neo4j_arena_free(neo4j_arena *arena)
{
    free_chain(arena->large);
    free_chain(arena->blocks);
    neo4j_arena_init(arena);
}

void *
neo4j_array_grow(void *items, size_t *cap, size_t count, size_t item_size, size_t initial)
{
    size_t want;
    void *bigger;

    if (count < *cap)
        return items;
    want = *cap ? *cap * 2 : initial;
    if (want <= count || want > SIZE_MAX / item_size)
        return NULL;
    bigger = realloc(items, want * item_size);
    if (bigger)
        *cap = want;
    return bigger;
}
