/*
 * arena.c — a bump allocator over a list of chunks that outlive arena_reset.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_FIRST 4096
#define CHUNK_MAX (256 * 1024) /* larger allocations get a block of their own */

struct arena_chunk {
    arena_chunk *next;
    size_t size; /* bytes of data */
    size_t used;
    max_align_t data[];
};

static arena_chunk *chunk_new(size_t size, arena_chunk *next)
{
    arena_chunk *c = size <= SIZE_MAX - sizeof(*c) ? malloc(sizeof(*c) + size) : NULL;
    if (c)
        *c = (arena_chunk){.next = next, .size = size};
    return c;
}

static void *chunk_take(arena_chunk *c, size_t size)
{
    void *p = (char *)c->data + c->used;
    c->used += size;
    return p;
}

/* A chunk with room for size bytes: the current one, a later one kept from an earlier row,
 * or a new one, appended: twice as large as the last (up to CHUNK_MAX), and at least size. */
static arena_chunk *chunk_with_room(arena *a, size_t size)
{
    arena_chunk *last = NULL;
    for (arena_chunk *c = a->cur; c; c = c->next) {
        if (c->size - c->used >= size)
            return a->cur = c;
        last = c;
    }
    size_t grown = last ? last->size * 2 : CHUNK_FIRST;
    grown = grown < CHUNK_MAX ? grown : CHUNK_MAX;
    arena_chunk *c = chunk_new(grown > size ? grown : size, NULL);
    if (!c)
        return NULL;
    if (last)
        last->next = c;
    else
        a->chunks = c;
    return a->cur = c;
}

void *arena_alloc(arena *a, size_t size)
{
    const size_t align = _Alignof(max_align_t);
    if (size > SIZE_MAX - align)
        return NULL;
    size = size ? (size + align - 1) / align * align : align;
    if (size > CHUNK_MAX / 2) {
        arena_chunk *b = chunk_new(size, a->big);
        if (!b)
            return NULL;
        a->big = b;
        return chunk_take(b, size);
    }
    arena_chunk *c = chunk_with_room(a, size);
    return c ? chunk_take(c, size) : NULL;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *d = n < SIZE_MAX ? arena_alloc(a, n + 1) : NULL;
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void free_list(arena_chunk *c)
{
    while (c) {
        arena_chunk *next = c->next;
        free(c);
        c = next;
    }
}

void arena_reset(arena *a)
{
    for (arena_chunk *c = a->chunks; c; c = c->next)
        c->used = 0;
    a->cur = a->chunks;
    free_list(a->big);
    a->big = NULL;
}

void arena_free(arena *a)
{
    free_list(a->chunks);
    free_list(a->big);
    *a = (arena)ARENA_INIT;
}
