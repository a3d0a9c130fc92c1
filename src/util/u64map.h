/*
 * u64map.h: an in-memory open-addressing hash map from u64 keys to u64 values (linear
 * probing, power-of-two capacity, load <= 1/2). Duplicate keys are allowed (a multimap):
 * cw_u64map_get walks all values of a key through a cursor. Value UINT64_MAX is reserved.
 * Used for per-batch overlays in the ingest writer.
 */
#ifndef CW_U64MAP_H
#define CW_U64MAP_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cw_u64pair {
    uint64_t key, val;
} cw_u64pair;

typedef struct cw_u64map {
    cw_u64pair *slots; /* key and value side by side: one cache line per probe */
    uint64_t cap, count;
} cw_u64map;

int cw_u64map_put(cw_u64map *m, uint64_t key, uint64_t val); /* adds (multimap) */
int cw_u64map_set(cw_u64map *m, uint64_t key, uint64_t val); /* replaces or adds */
/* Iterates values of key: start with *cursor = 0; returns false when no more. */
bool cw_u64map_next(const cw_u64map *m, uint64_t key, uint64_t *cursor, uint64_t *val);
bool cw_u64map_get(const cw_u64map *m, uint64_t key, uint64_t *val); /* first value */
void cw_u64map_clear(cw_u64map *m);
/* Starts loading the first probe slot of key into cache. */
static inline void cw_u64map_prefetch(const cw_u64map *m, uint64_t key)
{
    if (m->cap) {
        uint64_t x = key;
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdull;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53ull;
        x ^= x >> 33;
        __builtin_prefetch(&m->slots[x & (m->cap - 1)]);
    }
}
void cw_u64map_deinit(cw_u64map *m);

#endif
