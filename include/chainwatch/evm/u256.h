/*
 * evm/u256.h: exact unsigned 256-bit integers for EVM values (wei, token base units).
 *
 * Four 64-bit limbs, least significant first. Parsing accepts decimal ("109000000000000000000")
 * and 0x-prefixed hex ("0x5e8adca7e45940000", "0x" = 0); anything else, an empty string or a
 * value of 2^256 or more is refused. No floating point and no rounding anywhere.
 */
#ifndef CHAINWATCH_EVM_U256_H
#define CHAINWATCH_EVM_U256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cw_u256 {
    uint64_t w[4]; /* w[0] least significant */
} cw_u256;

/* Longest decimal rendering of a u256 (78 digits) plus NUL. */
#define CW_U256_DEC_MAX 80

/* Parses s[0..len) as decimal or 0x-hex. Returns 0, or CW_EINVAL (bad digit, empty, overflow)
 * with the reason in cw_error_last(). */
int cw_u256_parse(cw_u256 *out, const char *s, size_t len);
/* From/to 32 big-endian bytes (an ABI word, e.g. a log's data or an indexed topic). */
void cw_u256_from_be32(cw_u256 *out, const uint8_t be[32]);
void cw_u256_to_be32(uint8_t be[32], const cw_u256 *v);
static inline void cw_u256_from_u64(cw_u256 *out, uint64_t v)
{
    out->w[0] = v;
    out->w[1] = out->w[2] = out->w[3] = 0;
}
static inline bool cw_u256_is_zero(const cw_u256 *a)
{
    return !(a->w[0] | a->w[1] | a->w[2] | a->w[3]);
}
/* True when a fits in 64 bits. */
static inline bool cw_u256_fits_u64(const cw_u256 *a)
{
    return !(a->w[1] | a->w[2] | a->w[3]);
}
/* a as a double, rounded (shares and amounts shown beside them: judgements, not balances). */
static inline double cw_u256_to_double(const cw_u256 *a)
{
    return (double)a->w[0] +
           18446744073709551616.0 *
               ((double)a->w[1] + 18446744073709551616.0 *
                                      ((double)a->w[2] + 18446744073709551616.0 * (double)a->w[3]));
}
/* -1, 0, 1. */
int cw_u256_cmp(const cw_u256 *a, const cw_u256 *b);
/* r = a + b; returns true on overflow (r wraps). r may alias a or b. */
bool cw_u256_add(cw_u256 *r, const cw_u256 *a, const cw_u256 *b);
/* r = a - b; returns true on borrow (a < b; r wraps). r may alias a or b. */
bool cw_u256_sub(cw_u256 *r, const cw_u256 *a, const cw_u256 *b);
/* r = a * m; returns true on overflow. r may alias a. */
bool cw_u256_mul_u64(cw_u256 *r, const cw_u256 *a, uint64_t m);
/* Decimal digits and NUL into buf (size >= CW_U256_DEC_MAX); returns the length. */
size_t cw_u256_to_dec(char *buf, const cw_u256 *v);
/* "0x" + minimal lowercase hex ("0x0" for zero) into buf (size >= 67); returns the length. */
size_t cw_u256_to_hex(char *buf, const cw_u256 *v);

#endif
