/*
 * rng.h: the generator's seeded pseudo-random numbers: splitmix64 for seeding and mixing,
 * xoshiro256** for streams. Everything the generator decides comes from here, so the same
 * seed gives the same bytes on every machine (no time(), no rand(), no floating-point
 * libm calls whose last bit could differ: only +, *, / on doubles, which IEEE 754 fixes).
 */
#ifndef CW_GEN_RNG_H
#define CW_GEN_RNG_H

#include <stdint.h>

typedef struct gen_rng {
    uint64_t s[4];
} gen_rng;

/* The splitmix64 finaliser: a bijection on 64-bit words. */
static inline uint64_t gen_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t gen_splitmix(uint64_t *state)
{
    *state += 0x9e3779b97f4a7c15ULL;
    return gen_mix64(*state);
}

static inline void gen_rng_seed(gen_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t st = seed ^ gen_mix64(stream + 0x243f6a8885a308d3ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = gen_splitmix(&st);
}

static inline uint64_t gen_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t gen_next(gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = gen_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = gen_rotl(s[3], 45);
    return result;
}

__extension__ typedef unsigned __int128 gen_u128;

/* Uniform in [0, n) (n > 0); Lemire's multiply-shift, bias below 2^-32 for our n. */
static inline uint64_t gen_below(gen_rng *r, uint64_t n)
{
    return (uint64_t)(((gen_u128)gen_next(r) * n) >> 64);
}

/* Uniform in [lo, hi] inclusive. */
static inline uint64_t gen_range(gen_rng *r, uint64_t lo, uint64_t hi)
{
    return lo + gen_below(r, hi - lo + 1);
}

/* Uniform double in [0, 1). */
static inline double gen_unit(gen_rng *r)
{
    return (double)(gen_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline int gen_chance(gen_rng *r, double p)
{
    return gen_unit(r) < p;
}

/* A heavy-tailed positive value: lo * (1/u)^(1/alpha) approximated without libm by a
 * product of uniform factors; deterministic and cheap. Capped at hi. */
static inline uint64_t gen_heavy(gen_rng *r, uint64_t lo, uint64_t hi)
{
    double v = (double)lo;
    while (v < (double)hi && gen_chance(r, 0.45))
        v *= 1.5 + 2.0 * gen_unit(r);
    if (v > (double)hi)
        v = (double)hi;
    return (uint64_t)v;
}

#endif
