/*
 * arena.h — memory that lives as long as one row (or one batch): many small allocations,
 * all given back by one arena_reset, which keeps the chunks for the next row, so a steady
 * stream of similar rows allocates nothing. An allocation larger than a chunk gets a block
 * of its own, freed at the next reset.
 */
#ifndef SLUICE_ARENA_H
#define SLUICE_ARENA_H

#include <stddef.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
    arena_chunk *chunks; /* kept across resets, in the order they are filled */
    arena_chunk *cur;    /* the chunk allocations come from now */
    arena_chunk *big;    /* blocks of one large allocation each, freed at reset */
} arena;

#define ARENA_INIT                                                                                 \
    {                                                                                              \
        NULL, NULL, NULL                                                                           \
    }

/* size bytes, aligned for any type, not zeroed; NULL when out of memory. */
void *arena_alloc(arena *a, size_t size);
/* A NUL-terminated copy of n bytes of s; NULL when out of memory. */
char *arena_strndup(arena *a, const char *s, size_t n);
/* Everything allocated since the last reset is gone; the chunks stay for reuse. */
void arena_reset(arena *a);
/* Everything, chunks included. The arena is empty and usable again. */
void arena_free(arena *a);

#endif
