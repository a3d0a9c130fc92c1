/*
 * dec_int.h: eight decimal digits at a time (SWAR), for the EVM decoders' integer fields
 * (csv.c's parse_u64f, u256.c's cw_u256_parse). Internal to src/chain/evm.
 */
#ifndef CW_CHAIN_EVM_DEC_INT_H
#define CW_CHAIN_EVM_DEC_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The eight characters at s as a decimal number (0..99,999,999) into *v: true when all eight
 * are '0'..'9'. Each byte is tested at once (its high nibble 3, and adding 6 keeps it 3); the
 * digits are then joined in pairs, fours and eights by three multiplications. A byte of 0xfa or
 * more can carry into the next one's test, but it fails its own, so nothing else passes. */
static inline bool cw_evm_dec8(const char *s, uint64_t *v)
{
    uint64_t x;
    memcpy(&x, s, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x); /* the first digit in the low byte */
#endif
    const uint64_t hi = 0xf0f0f0f0f0f0f0f0ull;
    if (((x & hi) | (((x + 0x0606060606060606ull) & hi) >> 4)) != 0x3333333333333333ull)
        return false;
    x -= 0x3030303030303030ull;
    x = x * 10 + (x >> 8); /* byte 2i: digit 2i x 10 + digit 2i+1 */
    x = (((x & 0x000000ff000000ffull) * (100 + (1000000ull << 32))) +
         (((x >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32)))) >>
        32;
    *v = x;
    return true;
}

#endif
