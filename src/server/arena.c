/*
 * arena.c: a bump allocator for one HTTP request. Blocks double in size; nothing is freed
 * until the request completes, when the whole arena goes at once (libmicrohttpd's
 * completion callback). Large requests get a block of their own size.
 */
#include <stdint.h>
#include <string.h>

#include "chainwatch/server.h"
#include "chainwatch/util.h"

typedef struct block {
    struct block *next;
    size_t cap, used;
    _Alignas(16) unsigned char data[];
} block;

struct cw_arena {
    block *head;
    size_t next_size;
    size_t total;
};

cw_arena *cw_arena_new(size_t first)
{
    cw_arena *a = cw_calloc(1, sizeof *a);
    if (a)
        a->next_size = first ? first : 4096;
    return a;
}

void *cw_arena_alloc(cw_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = a->next_size;
        while (cap < n)
            cap *= 2;
        if (cap > SIZE_MAX / 2 - sizeof(block))
            return NULL;
        b = cw_malloc(sizeof(block) + cap);
        if (!b)
            return NULL;
        b->cap = cap;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        if (a->next_size < (1u << 20))
            a->next_size *= 2;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->total += n;
    return p;
}

char *cw_arena_strndup(cw_arena *a, const char *s, size_t n)
{
    char *p = cw_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

size_t cw_arena_used(const cw_arena *a)
{
    return a->total;
}

void cw_arena_free(cw_arena *a)
{
    if (!a)
        return;
    block *b = a->head;
    while (b) {
        block *n = b->next;
        cw_free(b);
        b = n;
    }
    cw_free(a);
}
