/*
 * keccak.c: Keccak-256 (the pre-standard SHA-3 padding 0x01 that Ethereum uses) and the
 * EIP-55 mixed-case checksum of EVM addresses (include/chainwatch/keccak.h). Used by the EVM
 * world generator (event topics, CREATE addresses, logs bloom) and by the label and screening
 * code (checksum-case validation). Written from the Keccak reference description (FIPS 202
 * permutation, rate 136 bytes); tests/unit/gen/evm/test_gen_evm.c checks it against published
 * digests and tests/unit/util/test_keccak.c checks EIP-55 against the EIP's own vectors.
 */
#include <stdbool.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/keccak.h"
#include "chainwatch/util.h"

static const uint64_t rc[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};
static const int rotc[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                             27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
static const int piln[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                             15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

static uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static void keccakf(uint64_t st[25])
{
    for (int round = 0; round < 24; round++) {
        uint64_t bc[5];
        for (int i = 0; i < 5; i++)
            bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
        for (int i = 0; i < 5; i++) {
            uint64_t t = bc[(i + 4) % 5] ^ rotl64(bc[(i + 1) % 5], 1);
            for (int j = 0; j < 25; j += 5)
                st[j + i] ^= t;
        }
        uint64_t t = st[1];
        for (int i = 0; i < 24; i++) {
            int j = piln[i];
            uint64_t tmp = st[j];
            st[j] = rotl64(t, rotc[i]);
            t = tmp;
        }
        for (int j = 0; j < 25; j += 5) {
            for (int i = 0; i < 5; i++)
                bc[i] = st[j + i];
            for (int i = 0; i < 5; i++)
                st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
        }
        st[0] ^= rc[round];
    }
}

void cw_keccak256(uint8_t out[32], const void *data, size_t len)
{
    uint64_t st[25];
    memset(st, 0, sizeof st);
    const uint8_t *p = data;
    const size_t rate = 136;
    while (len >= rate) {
        for (size_t i = 0; i < rate / 8; i++) {
            uint64_t w = 0;
            for (int b = 7; b >= 0; b--)
                w = (w << 8) | p[i * 8 + (size_t)b];
            st[i] ^= w;
        }
        keccakf(st);
        p += rate;
        len -= rate;
    }
    uint8_t block[136];
    memset(block, 0, sizeof block);
    memcpy(block, p, len);
    block[len] ^= 0x01;
    block[rate - 1] ^= 0x80;
    for (size_t i = 0; i < rate / 8; i++) {
        uint64_t w = 0;
        for (int b = 7; b >= 0; b--)
            w = (w << 8) | block[i * 8 + (size_t)b];
        st[i] ^= w;
    }
    keccakf(st);
    for (size_t i = 0; i < 4; i++)
        for (int b = 0; b < 8; b++)
            out[i * 8 + (size_t)b] = (uint8_t)(st[i] >> (8 * b));
}

void cw_eip55_encode(char out[43], const uint8_t addr[20])
{
    static const char hex[] = "0123456789abcdef";
    char low[40];
    for (int i = 0; i < 20; i++) {
        low[2 * i] = hex[addr[i] >> 4];
        low[2 * i + 1] = hex[addr[i] & 15];
    }
    uint8_t h[32];
    cw_keccak256(h, low, 40);
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 40; i++) {
        int nib = (h[i / 2] >> (i % 2 ? 0 : 4)) & 15;
        char c = low[i];
        out[2 + i] = (char)(c >= 'a' && nib >= 8 ? c - 32 : c);
    }
    out[42] = '\0';
}

int cw_eip55_check(const char *s)
{
    if (!s || strlen(s) != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return cw_error_set(CW_EINVAL, "'%.60s' is not 0x followed by 40 hex digits", s ? s : "");
    bool lower = false, upper = false;
    uint8_t a[20];
    for (int i = 0; i < 40; i++) {
        char c = s[2 + i];
        lower |= c >= 'a' && c <= 'f';
        upper |= c >= 'A' && c <= 'F';
    }
    if (cw_hex_decode(a, 20, s + 2))
        return cw_error_set(CW_EINVAL, "'%.60s' is not 0x followed by 40 hex digits", s);
    if (!(lower && upper))
        return 0; /* one case: no checksum to check */
    char want[43];
    cw_eip55_encode(want, a);
    if (memcmp(want + 2, s + 2, 40) != 0)
        return cw_error_set(CW_EINVAL,
                            "'%s' is mixed-case but its EIP-55 checksum does not match (a typo? "
                            "the checksummed form is %s)",
                            s, want);
    return 0;
}
