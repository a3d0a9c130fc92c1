/* u64map.c: see u64map.h. Keys are mixed with a 64-bit finaliser before probing. */
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "util/u64map.h"

#define EMPTY UINT64_MAX

static inline uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static int rehash(cw_u64map *m, uint64_t ncap)
{
    cw_u64pair *ns = malloc(ncap * sizeof *ns);
    if (!ns)
        return cw_error_set(CW_ENOMEM, "out of memory for a %llu-slot map",
                            (unsigned long long)ncap);
    memset(ns, 0xff, ncap * sizeof *ns);
    for (uint64_t i = 0; i < m->cap; i++) {
        if (m->slots[i].val == EMPTY)
            continue;
        uint64_t j = mix(m->slots[i].key) & (ncap - 1);
        while (ns[j].val != EMPTY)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

int cw_u64map_put(cw_u64map *m, uint64_t key, uint64_t val)
{
    if ((m->count + 1) * 2 > m->cap) {
        int rc = rehash(m, m->cap ? m->cap * 2 : 1024);
        if (rc)
            return rc;
    }
    uint64_t j = mix(key) & (m->cap - 1);
    while (m->slots[j].val != EMPTY)
        j = (j + 1) & (m->cap - 1);
    m->slots[j].key = key;
    m->slots[j].val = val;
    m->count++;
    return 0;
}

int cw_u64map_set(cw_u64map *m, uint64_t key, uint64_t val)
{
    if (m->cap) {
        for (uint64_t j = mix(key) & (m->cap - 1); m->slots[j].val != EMPTY;
             j = (j + 1) & (m->cap - 1)) {
            if (m->slots[j].key == key) {
                m->slots[j].val = val;
                return 0;
            }
        }
    }
    return cw_u64map_put(m, key, val);
}

bool cw_u64map_next(const cw_u64map *m, uint64_t key, uint64_t *cursor, uint64_t *val)
{
    if (!m->cap)
        return false;
    uint64_t start = mix(key) & (m->cap - 1);
    for (uint64_t n = *cursor; n < m->cap; n++) {
        uint64_t j = (start + n) & (m->cap - 1);
        if (m->slots[j].val == EMPTY)
            return false;
        if (m->slots[j].key == key) {
            *val = m->slots[j].val;
            *cursor = n + 1;
            return true;
        }
    }
    return false;
}

bool cw_u64map_get(const cw_u64map *m, uint64_t key, uint64_t *val)
{
    uint64_t c = 0;
    return cw_u64map_next(m, key, &c, val);
}

void cw_u64map_clear(cw_u64map *m)
{
    if (m->cap)
        memset(m->slots, 0xff, m->cap * sizeof *m->slots);
    m->count = 0;
}

void cw_u64map_deinit(cw_u64map *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}
