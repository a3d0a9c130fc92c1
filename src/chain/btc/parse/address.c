/*
 * address.c: networks and address encodings, see include/chainwatch/btc/address.h.
 *
 * Base58 / Base58Check (Bitcoin Core's base58.cpp algorithm), Bech32 / Bech32m (BIP173,
 * BIP350 reference algorithm), segwit addresses, and the mapping between cw_addr_key and
 * address strings. Everything works in fixed-size stack buffers: nothing allocates, so the
 * functions can be used per output on the ingest path and from the HTTP server alike.
 *
 * Invariants: a cw_addr_key produced here is canonical (bytes past len are zero), and for
 * every key k that cw_addr_encode accepts, cw_addr_decode(cw_addr_encode(k)) == k; for every
 * string s that cw_addr_decode accepts, cw_addr_encode gives s back (lowercased unless it
 * is base58). fuzz/fuzz_address.c checks both.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"

/* ---- networks ---------------------------------------------------------------------- */

typedef struct net_params {
    const char *name;
    const char *hrp;
    uint8_t magic[4];
    uint8_t pkh_version;
    uint8_t sh_version;
} net_params;

static const net_params nets[4] = {
    [CW_NET_MAIN] = {"main", "bc", {0xf9, 0xbe, 0xb4, 0xd9}, 0x00, 0x05},
    [CW_NET_TEST] = {"test", "tb", {0x0b, 0x11, 0x09, 0x07}, 0x6f, 0xc4},
    [CW_NET_SIGNET] = {"signet", "tb", {0x0a, 0x03, 0xcf, 0x40}, 0x6f, 0xc4},
    [CW_NET_REGTEST] = {"regtest", "bcrt", {0xfa, 0xbf, 0xb5, 0xda}, 0x6f, 0xc4},
};

static bool net_ok(cw_network net)
{
    return (unsigned)net < 4;
}

int cw_network_parse(cw_network *out, const char *name)
{
    for (int i = 0; i < 4; i++) {
        if (name && !strcmp(name, nets[i].name)) {
            *out = (cw_network)i;
            return 0;
        }
    }
    return cw_error_set(CW_EINVAL, "network '%.40s': expected main, test, signet or regtest",
                        name ? name : "(null)");
}

const char *cw_network_name(cw_network net)
{
    return net_ok(net) ? nets[net].name : "unknown";
}

const char *cw_network_hrp(cw_network net)
{
    return net_ok(net) ? nets[net].hrp : "";
}

void cw_network_magic(uint8_t out[4], cw_network net)
{
    if (net_ok(net))
        memcpy(out, nets[net].magic, 4);
    else
        memset(out, 0, 4);
}

/* ---- base58 ------------------------------------------------------------------------ */

static const char b58_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Digit value of each byte, XX for bytes outside the alphabet (0 O I l, non-ASCII...). */
#define XX 0xff /* not a digit */
/* clang-format off */
static const uint8_t b58_map[256] = {
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0x00 */
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0x10 */
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0x20 */
    XX, 0,  1,  2,  3,  4,  5,  6,  7,  8,  XX, XX, XX, XX, XX, XX, /* 0x30 '1'..'9' */
    XX, 9,  10, 11, 12, 13, 14, 15, 16, XX, 17, 18, 19, 20, 21, XX, /* 0x40 'A'..'N' */
    22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, XX, XX, XX, XX, XX, /* 0x50 'P'..'Z' */
    XX, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, XX, 44, 45, 46, /* 0x60 'a'..'o' */
    47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, XX, XX, XX, XX, XX, /* 0x70 'p'..'z' */
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0x80 */
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0x90 */
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0xa0 */
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0xb0 */
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0xc0 */
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0xd0 */
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0xe0 */
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0xf0 */
};
/* clang-format on */

/* Limits that keep the work buffers on the stack; addresses are far smaller. */
#define B58_MAX_BYTES 256
#define B58_MAX_CHARS 360 /* > 256 * log(256) / log(58) */
/* The number is held in 32-bit limbs and converted five base-58 digits at a time
 * (58^5 < 2^32): about ten times fewer divisions than Core's digit-by-digit loop. */
#define B58_POW5 656356768u /* 58^5 */
#define B58_LIMBS (B58_MAX_CHARS / 5 + 2)

int cw_base58_encode(char *out, size_t out_size, const uint8_t *data, size_t n)
{
    if (n > B58_MAX_BYTES)
        return cw_error_set(CW_EINVAL, "base58: %zu bytes is more than the %d supported", n,
                            B58_MAX_BYTES);
    size_t zeros = 0;
    while (zeros < n && data[zeros] == 0)
        zeros++;
    /* Big-endian 32-bit limbs of data[zeros..n); the first limb takes the odd bytes. */
    uint32_t limb[B58_MAX_BYTES / 4 + 1];
    size_t m = n - zeros, nl = (m + 3) / 4, first = m % 4 ? m % 4 : 4;
    const uint8_t *p = data + zeros;
    for (size_t i = 0; i < nl; i++) {
        size_t take = i == 0 ? first : 4;
        uint32_t v = 0;
        for (size_t j = 0; j < take; j++)
            v = v << 8 | *p++;
        limb[i] = v;
    }
    /* Base-58 digits, least significant first. */
    uint8_t digits[B58_MAX_BYTES * 138 / 100 + 6];
    size_t nd = 0, start = 0;
    while (start < nl) {
        uint64_t rem = 0;
        for (size_t i = start; i < nl; i++) {
            uint64_t cur = rem << 32 | limb[i];
            limb[i] = (uint32_t)(cur / B58_POW5);
            rem = cur % B58_POW5;
        }
        while (start < nl && limb[start] == 0)
            start++;
        for (int j = 0; j < 5; j++) {
            digits[nd++] = (uint8_t)(rem % 58);
            rem /= 58;
        }
    }
    while (nd > 0 && digits[nd - 1] == 0)
        nd--; /* the last group's leading zeros */
    size_t need = zeros + nd + 1;
    if (out_size < need)
        return cw_error_set(CW_EINVAL, "base58: output needs %zu bytes, buffer has %zu", need,
                            out_size);
    memset(out, '1', zeros);
    for (size_t i = 0; i < nd; i++)
        out[zeros + i] = b58_alphabet[digits[nd - 1 - i]];
    out[zeros + nd] = '\0';
    return 0;
}

int cw_base58_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *s)
{
    size_t slen = strnlen(s, B58_MAX_CHARS + 1);
    if (slen > B58_MAX_CHARS)
        return cw_error_set(CW_EINVAL, "base58: string longer than %d characters", B58_MAX_CHARS);
    size_t zeros = 0;
    while (zeros < slen && s[zeros] == '1')
        zeros++;
    /* Little-endian 32-bit limbs; each group of up to 5 digits: limb = limb * 58^k + group. */
    uint32_t limb[B58_LIMBS];
    size_t nl = 0;
    for (size_t i = zeros; i < slen;) {
        uint32_t group = 0, mul = 1;
        for (size_t j = 0; j < 5 && i < slen; j++, i++) {
            uint8_t digit = b58_map[(unsigned char)s[i]];
            if (digit == XX)
                return cw_error_set(CW_EINVAL, "base58: invalid character 0x%02x at position %zu",
                                    (unsigned char)s[i], i);
            group = group * 58 + digit;
            mul *= 58;
        }
        uint64_t carry = group;
        for (size_t k = 0; k < nl; k++) {
            carry += (uint64_t)limb[k] * mul;
            limb[k] = (uint32_t)carry;
            carry >>= 32;
        }
        if (carry)
            limb[nl++] = (uint32_t)carry;
    }
    /* Minimal big-endian bytes of the number, after `zeros` zero bytes. */
    size_t nb = nl * 4;
    while (nb > 0 && ((limb[(nb - 1) / 4] >> (8 * ((nb - 1) % 4))) & 0xff) == 0)
        nb--;
    size_t n = zeros + nb;
    if (n > out_cap)
        return cw_error_set(CW_EINVAL, "base58: decodes to %zu bytes, more than %zu", n, out_cap);
    memset(out, 0, zeros);
    for (size_t i = 0; i < nb; i++) {
        size_t bi = nb - 1 - i; /* byte index from the least significant end */
        out[zeros + i] = (uint8_t)(limb[bi / 4] >> (8 * (bi % 4)));
    }
    *out_len = n;
    return 0;
}

int cw_base58check_encode(char *out, size_t out_size, const uint8_t *payload, size_t n)
{
    uint8_t buf[B58_MAX_BYTES];
    uint8_t h[32];
    if (n > B58_MAX_BYTES - 4)
        return cw_error_set(CW_EINVAL, "base58check: payload of %zu bytes is too long", n);
    memcpy(buf, payload, n);
    cw_sha256d(h, payload, n);
    memcpy(buf + n, h, 4);
    return cw_base58_encode(out, out_size, buf, n + 4);
}

int cw_base58check_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *s)
{
    uint8_t buf[B58_MAX_CHARS];
    uint8_t h[32];
    size_t n;
    int rc = cw_base58_decode(buf, sizeof buf, &n, s);
    if (rc)
        return rc;
    if (n < 4)
        return cw_error_set(CW_EINVAL, "base58check: only %zu bytes, no room for a checksum", n);
    cw_sha256d(h, buf, n - 4);
    if (memcmp(h, buf + n - 4, 4) != 0)
        return cw_error_set(CW_EINVAL, "base58check: bad checksum");
    if (n - 4 > out_cap)
        return cw_error_set(CW_EINVAL, "base58check: payload of %zu bytes, more than %zu", n - 4,
                            out_cap);
    memcpy(out, buf, n - 4);
    *out_len = n - 4;
    return 0;
}

/* ---- bech32 / bech32m ---------------------------------------------------------------- */

static const char b32_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

#define BECH32_MAX_LEN 90
#define BECH32_HRP_MAX 83
#define BECH32_CONST 1u
#define BECH32M_CONST 0x2bc830a3u

/* Value of a lowercase data character, XX for any other byte. */
static int b32_value(unsigned char c)
{
    /* clang-format off */
    static const uint8_t map[128] = {
        XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0x00 */
        XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0x10 */
        XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0x20 */
        15, XX, 10, 17, 21, 20, 26, 30, 7,  5,  XX, XX, XX, XX, XX, XX, /* 0x30 '0'..'9' */
        XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0x40 */
        XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0x50 */
        XX, 29, XX, 24, 13, 25, 9,  8,  23, XX, 18, 22, 31, 27, 19, XX, /* 0x60 'a'..'o' */
        1,  0,  3,  16, 11, 28, 12, 14, 6,  4,  2,  XX, XX, XX, XX, XX, /* 0x70 'p'..'z' */
    };
    /* clang-format on */
    return c < 128 && map[c] != XX ? map[c] : -1;
}

/* The generator terms of BIP 173's polymod for each value of the state's top 5 bits (the
 * XOR of the generators whose bit is set): one table load per character instead of five
 * conditional XORs. */
static const uint32_t polymod_gen[32] = {
    0x00000000u, 0x3b6a57b2u, 0x26508e6du, 0x1d3ad9dfu, 0x1ea119fau, 0x25cb4e48u, 0x38f19797u,
    0x039bc025u, 0x3d4233ddu, 0x0628646fu, 0x1b12bdb0u, 0x2078ea02u, 0x23e32a27u, 0x18897d95u,
    0x05b3a44au, 0x3ed9f3f8u, 0x2a1462b3u, 0x117e3501u, 0x0c44ecdeu, 0x372ebb6cu, 0x34b57b49u,
    0x0fdf2cfbu, 0x12e5f524u, 0x298fa296u, 0x1756516eu, 0x2c3c06dcu, 0x3106df03u, 0x0a6c88b1u,
    0x09f74894u, 0x329d1f26u, 0x2fa7c6f9u, 0x14cd914bu};

static inline uint32_t polymod_step(uint32_t pre)
{
    return ((pre & 0x1ffffffu) << 5) ^ polymod_gen[pre >> 25];
}

/* The checksum state after the expanded (lowercase) hrp and the data values. */
static uint32_t polymod(const char *hrp, size_t hrp_len, const uint8_t *data, size_t n)
{
    uint32_t chk = 1;
    for (size_t i = 0; i < hrp_len; i++)
        chk = polymod_step(chk) ^ ((unsigned char)hrp[i] >> 5);
    chk = polymod_step(chk);
    for (size_t i = 0; i < hrp_len; i++)
        chk = polymod_step(chk) ^ ((unsigned char)hrp[i] & 0x1f);
    for (size_t i = 0; i < n; i++)
        chk = polymod_step(chk) ^ data[i];
    return chk;
}

int cw_bech32_encode(char *out, size_t out_size, const char *hrp, const uint8_t *data5, size_t n,
                     cw_bech32_variant variant)
{
    char lhrp[BECH32_HRP_MAX + 1];
    uint8_t values[BECH32_MAX_LEN];
    size_t hrp_len = strnlen(hrp, BECH32_HRP_MAX + 1);
    if (variant != CW_BECH32 && variant != CW_BECH32M)
        return cw_error_set(CW_EINVAL, "bech32: unknown variant %d", (int)variant);
    if (hrp_len < 1 || hrp_len > BECH32_HRP_MAX)
        return cw_error_set(CW_EINVAL, "bech32: hrp must have 1..%d characters", BECH32_HRP_MAX);
    if (hrp_len + 1 + n + 6 > BECH32_MAX_LEN)
        return cw_error_set(CW_EINVAL, "bech32: %zu characters is more than %d",
                            hrp_len + 1 + n + 6, BECH32_MAX_LEN);
    if (out_size < hrp_len + 1 + n + 6 + 1)
        return cw_error_set(CW_EINVAL, "bech32: output buffer of %zu bytes is too small", out_size);
    for (size_t i = 0; i < hrp_len; i++) {
        unsigned char c = (unsigned char)hrp[i];
        if (c < 33 || c > 126)
            return cw_error_set(CW_EINVAL, "bech32: hrp character 0x%02x out of range", c);
        lhrp[i] = (char)tolower(c);
    }
    for (size_t i = 0; i < n; i++) {
        if (data5[i] > 31)
            return cw_error_set(CW_EINVAL, "bech32: data value %u at %zu is not 5-bit", data5[i],
                                i);
        values[i] = data5[i];
    }
    memset(values + n, 0, 6);
    uint32_t mod = polymod(lhrp, hrp_len, values, n + 6) ^
                   (variant == CW_BECH32 ? BECH32_CONST : BECH32M_CONST);
    for (size_t i = 0; i < 6; i++)
        values[n + i] = (uint8_t)((mod >> (5 * (5 - i))) & 31);
    size_t o = 0;
    memcpy(out, lhrp, hrp_len);
    o += hrp_len;
    out[o++] = '1';
    for (size_t i = 0; i < n + 6; i++)
        out[o++] = b32_charset[values[i]];
    out[o] = '\0';
    return 0;
}

/* tolower for the bytes 33..126 a bech32 string may hold, without the locale call. */
static inline char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int cw_bech32_decode(char *hrp_out, uint8_t *data5, size_t *n, cw_bech32_variant *variant,
                     const char *s)
{
    size_t len = strnlen(s, BECH32_MAX_LEN + 1);
    if (len > BECH32_MAX_LEN)
        return cw_error_set(CW_EINVAL, "bech32: longer than %d characters", BECH32_MAX_LEN);
    bool lower = false, upper = false;
    size_t sep = len; /* position of the last '1' */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 33 || c > 126)
            return cw_error_set(CW_EINVAL, "bech32: character 0x%02x at position %zu out of range",
                                c, i);
        if (c >= 'a' && c <= 'z')
            lower = true;
        if (c >= 'A' && c <= 'Z')
            upper = true;
        if (c == '1')
            sep = i;
    }
    if (lower && upper)
        return cw_error_set(CW_EINVAL, "bech32: mixed upper and lower case");
    if (sep == len)
        return cw_error_set(CW_EINVAL, "bech32: no separator '1'");
    if (sep == 0)
        return cw_error_set(CW_EINVAL, "bech32: empty human-readable part");
    if (sep > BECH32_HRP_MAX)
        return cw_error_set(CW_EINVAL, "bech32: human-readable part longer than %d",
                            BECH32_HRP_MAX);
    if (len - sep - 1 < 6)
        return cw_error_set(CW_EINVAL, "bech32: checksum shorter than 6 characters");
    char hrp[BECH32_HRP_MAX + 1];
    for (size_t i = 0; i < sep; i++)
        hrp[i] = ascii_lower(s[i]);
    hrp[sep] = '\0';
    uint8_t values[BECH32_MAX_LEN];
    size_t nv = len - sep - 1;
    for (size_t i = 0; i < nv; i++) {
        int v = b32_value((unsigned char)ascii_lower(s[sep + 1 + i]));
        if (v < 0)
            return cw_error_set(CW_EINVAL, "bech32: invalid data character '%c' at position %zu",
                                s[sep + 1 + i], sep + 1 + i);
        values[i] = (uint8_t)v;
    }
    uint32_t mod = polymod(hrp, sep, values, nv);
    if (mod == BECH32_CONST)
        *variant = CW_BECH32;
    else if (mod == BECH32M_CONST)
        *variant = CW_BECH32M;
    else
        return cw_error_set(CW_EINVAL, "bech32: bad checksum");
    memcpy(hrp_out, hrp, sep + 1);
    memcpy(data5, values, nv - 6);
    *n = nv - 6;
    return 0;
}

/* ---- segwit addresses ---------------------------------------------------------------- */

static int check_program(int witver, size_t prog_len)
{
    if (witver < 0 || witver > 16)
        return cw_error_set(CW_EINVAL, "segwit: invalid witness version %d", witver);
    if (prog_len < 2 || prog_len > 40)
        return cw_error_set(CW_EINVAL, "segwit: invalid program length %zu (must be 2..40 bytes)",
                            prog_len);
    if (witver == 0 && prog_len != 20 && prog_len != 32)
        return cw_error_set(CW_EINVAL,
                            "segwit: invalid program length %zu for witness version 0 "
                            "(must be 20 or 32)",
                            prog_len);
    return 0;
}

int cw_segwit_encode(char *out, size_t out_size, const char *hrp, int witver, const uint8_t *prog,
                     size_t prog_len)
{
    int rc = check_program(witver, prog_len);
    if (rc)
        return rc;
    uint8_t data5[1 + 64];
    size_t n = 0;
    data5[n++] = (uint8_t)witver;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < prog_len; i++) {
        acc = ((acc << 8) | prog[i]) & 0xfff;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            data5[n++] = (uint8_t)((acc >> bits) & 31);
        }
    }
    if (bits)
        data5[n++] = (uint8_t)((acc << (5 - bits)) & 31);
    return cw_bech32_encode(out, out_size, hrp, data5, n, witver == 0 ? CW_BECH32 : CW_BECH32M);
}

/* The segwit rules (BIP 173/350) on a decoded bech32 data part. */
static int segwit_from_data5(int *witver, uint8_t *prog, size_t *prog_len, const uint8_t *data5,
                             size_t n, cw_bech32_variant variant)
{
    int rc;
    if (n == 0)
        return cw_error_set(CW_EINVAL, "segwit: empty data section");
    int ver = data5[0];
    if (ver > 16)
        return cw_error_set(CW_EINVAL, "segwit: invalid witness version %d", ver);
    uint8_t p[40];
    size_t plen = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 1; i < n; i++) {
        acc = ((acc << 5) | data5[i]) & 0xfff;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            if (plen == sizeof p)
                return cw_error_set(CW_EINVAL,
                                    "segwit: invalid program length (more than 40 bytes)");
            p[plen++] = (uint8_t)((acc >> bits) & 0xff);
        }
    }
    if (bits >= 5)
        return cw_error_set(CW_EINVAL, "segwit: more than 4 bits of padding");
    if ((acc << (8 - bits)) & 0xff)
        return cw_error_set(CW_EINVAL, "segwit: non-zero padding bits");
    rc = check_program(ver, plen);
    if (rc)
        return rc;
    if (ver == 0 && variant != CW_BECH32)
        return cw_error_set(CW_EINVAL,
                            "segwit: witness version 0 must use the bech32 checksum, not bech32m");
    if (ver != 0 && variant != CW_BECH32M)
        return cw_error_set(CW_EINVAL,
                            "segwit: witness version %d must use the bech32m checksum, not bech32 "
                            "(BIP350)",
                            ver);
    *witver = ver;
    memcpy(prog, p, plen);
    *prog_len = plen;
    return 0;
}

int cw_segwit_decode(int *witver, uint8_t *prog, size_t *prog_len, const char *hrp, const char *s)
{
    char got_hrp[BECH32_HRP_MAX + 1];
    uint8_t data5[BECH32_MAX_LEN];
    size_t n;
    cw_bech32_variant variant;
    int rc = cw_bech32_decode(got_hrp, data5, &n, &variant, s);
    if (rc)
        return rc;
    if (strcasecmp(got_hrp, hrp) != 0)
        return cw_error_set(CW_EINVAL, "segwit: human-readable part '%s' is not '%.20s'", got_hrp,
                            hrp);
    return segwit_from_data5(witver, prog, prog_len, data5, n, variant);
}

/* ---- address keys <-> strings -------------------------------------------------------- */

static const char pfx_multisig[] = "multisig-";
static const char pfx_script[] = "script-";
static const char pfx_witness0[] = "witness-v0-";

static bool key_canonical(const cw_addr_key *key)
{
    if (key->len > sizeof key->data)
        return false;
    for (size_t i = key->len; i < sizeof key->data; i++)
        if (key->data[i])
            return false;
    return key->kind == CW_ADDR_WITNESS || key->witver == 0;
}

/* prefix + lowercase hex of the key's data. */
static int encode_hex_form(char *out, size_t out_size, const char *prefix, const cw_addr_key *key)
{
    size_t pl = strlen(prefix);
    if (out_size < pl + 2 * (size_t)key->len + 1)
        return cw_error_set(CW_EINVAL, "address: output buffer of %zu bytes is too small",
                            out_size);
    snprintf(out, out_size, "%s", prefix);
    cw_hex_encode(out + pl, key->data, key->len);
    return 0;
}

int cw_addr_encode(char *out, size_t out_size, const cw_addr_key *key, cw_network net)
{
    if (!net_ok(net))
        return cw_error_set(CW_EINVAL, "address: unknown network %d", (int)net);
    if (!key_canonical(key))
        return cw_error_set(CW_EINVAL, "address: key is not canonical (kind %u, len %u)", key->kind,
                            key->len);
    switch ((cw_addr_kind)key->kind) {
    case CW_ADDR_NONE:
        return cw_error_set(CW_EINVAL, "address: OP_RETURN outputs have no address");
    case CW_ADDR_PKH:
    case CW_ADDR_SH: {
        if (key->len != 20)
            return cw_error_set(CW_EINVAL, "address: hash of %u bytes, expected 20", key->len);
        uint8_t payload[21];
        payload[0] = key->kind == CW_ADDR_PKH ? nets[net].pkh_version : nets[net].sh_version;
        memcpy(payload + 1, key->data, 20);
        return cw_base58check_encode(out, out_size, payload, sizeof payload);
    }
    case CW_ADDR_WITNESS:
        if (key->witver == 0 && key->len >= 2 && key->len <= 40 && key->len != 20 && key->len != 32)
            return encode_hex_form(out, out_size, pfx_witness0, key);
        return cw_segwit_encode(out, out_size, nets[net].hrp, key->witver, key->data, key->len);
    case CW_ADDR_MULTISIG:
    case CW_ADDR_NONSTD:
        if (key->len != 32)
            return cw_error_set(CW_EINVAL, "address: script hash of %u bytes, expected 32",
                                key->len);
        return encode_hex_form(out, out_size,
                               key->kind == CW_ADDR_MULTISIG ? pfx_multisig : pfx_script, key);
    }
    return cw_error_set(CW_EINVAL, "address: unknown kind %u", key->kind);
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Which network (if any) uses this bech32 hrp; test and signet share "tb". */
static const char *hrp_owner(const char *hrp)
{
    if (!strcmp(hrp, "bc"))
        return "main";
    if (!strcmp(hrp, "tb"))
        return "test/signet";
    if (!strcmp(hrp, "bcrt"))
        return "regtest";
    return NULL;
}

static bool starts_with_known_hrp(const char *s)
{
    static const char *const prefixes[] = {"bc1", "tb1", "bcrt1"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (!strncasecmp(s, prefixes[i], strlen(prefixes[i])))
            return true;
    return false;
}

static int decode_hex_form(cw_addr_key *out, const char *s, const char *hex, cw_addr_kind kind,
                           size_t min_len, size_t max_len)
{
    size_t hl = strnlen(hex, 2 * max_len + 1);
    if (hl % 2 || hl < 2 * min_len || hl > 2 * max_len)
        return cw_error_set(CW_EINVAL, "address '%.100s': expected %zu..%zu bytes of hex", s,
                            min_len, max_len);
    if (cw_hex_decode(out->data, hl / 2, hex) != 0)
        return cw_error_set(CW_EINVAL, "address '%.100s': invalid hex digits", s);
    out->kind = (uint8_t)kind;
    out->len = (uint8_t)(hl / 2);
    return 0;
}

/* A decoded bech32 string (hrp, data part, checksum variant) as an address of net. */
static int decode_segwit(cw_addr_key *out, const char *s, const char *got_hrp, const uint8_t *data5,
                         size_t n, cw_bech32_variant variant, cw_network net)
{
    if (strcmp(got_hrp, nets[net].hrp) != 0) {
        const char *owner = hrp_owner(got_hrp);
        if (owner)
            return cw_error_set(CW_EINVAL, "address '%.100s' is for the %s network, not %s", s,
                                owner, nets[net].name);
        return cw_error_set(CW_EINVAL,
                            "address '%.100s': unknown human-readable part '%s' (expected '%s' "
                            "for %s)",
                            s, got_hrp, nets[net].hrp, nets[net].name);
    }
    int ver;
    size_t plen;
    if (segwit_from_data5(&ver, out->data, &plen, data5, n, variant) != 0)
        return cw_error_wrap(CW_EINVAL, "address '%.100s': ", s);
    out->kind = CW_ADDR_WITNESS;
    out->witver = (uint8_t)ver;
    out->len = (uint8_t)plen;
    return 0;
}

/* Returns 0, CW_EINVAL for a valid base58check string that is no address of net, or
 * NOT_BASE58CHECK (error message set) when s is no base58check string at all. */
#define NOT_BASE58CHECK 1
static int decode_base58(cw_addr_key *out, const char *s, cw_network net)
{
    uint8_t payload[64];
    size_t n;
    if (cw_base58check_decode(payload, sizeof payload, &n, s) != 0)
        return NOT_BASE58CHECK;
    if (n != 21)
        return cw_error_set(
            CW_EINVAL, "address '%.100s': base58check payload of %zu bytes (expected 21)", s, n);
    uint8_t v = payload[0];
    if (v == nets[net].pkh_version || v == nets[net].sh_version) {
        out->kind = v == nets[net].pkh_version ? CW_ADDR_PKH : CW_ADDR_SH;
        out->len = 20;
        memcpy(out->data, payload + 1, 20);
        return 0;
    }
    if (v == 0x00 || v == 0x05)
        return cw_error_set(CW_EINVAL, "address '%.100s' is for the main network, not %s", s,
                            nets[net].name);
    if (v == 0x6f || v == 0xc4)
        return cw_error_set(CW_EINVAL,
                            "address '%.100s' is for a test network (test/signet/regtest), not %s",
                            s, nets[net].name);
    return cw_error_set(CW_EINVAL, "address '%.100s': unknown base58 version byte 0x%02x", s, v);
}

/* Any bech32 string: its hrp must be the network's, then the segwit rules apply. */
static int decode_bech32(cw_addr_key *out, const char *s, cw_network net)
{
    char hrp[BECH32_HRP_MAX + 1];
    uint8_t data5[BECH32_MAX_LEN];
    size_t n;
    cw_bech32_variant variant;
    if (cw_bech32_decode(hrp, data5, &n, &variant, s) != 0)
        return cw_error_wrap(CW_EINVAL, "address '%.100s': ", s);
    return decode_segwit(out, s, hrp, data5, n, variant, net);
}

/* strspn(s, b58_alphabet) == len, by the digit table. */
static bool all_base58(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (b58_map[(unsigned char)s[i]] == XX)
            return false;
    return true;
}

int cw_addr_decode(cw_addr_key *out, const char *s, cw_network net)
{
    memset(out, 0, sizeof *out);
    if (!s)
        return cw_error_set(CW_EINVAL, "address: missing");
    if (!net_ok(net))
        return cw_error_set(CW_EINVAL, "address: unknown network %d", (int)net);
    size_t len = strnlen(s, CW_ADDR_STR_MAX);
    if (len == 0)
        return cw_error_set(CW_EINVAL, "address: empty string");
    if (len >= CW_ADDR_STR_MAX)
        return cw_error_set(CW_EINVAL, "address '%.40s...': longer than %d characters", s,
                            CW_ADDR_STR_MAX - 1);
    int rc;
    if (has_prefix(s, pfx_multisig))
        rc = decode_hex_form(out, s, s + strlen(pfx_multisig), CW_ADDR_MULTISIG, 32, 32);
    else if (has_prefix(s, pfx_script))
        rc = decode_hex_form(out, s, s + strlen(pfx_script), CW_ADDR_NONSTD, 32, 32);
    else if (has_prefix(s, pfx_witness0)) {
        rc = decode_hex_form(out, s, s + strlen(pfx_witness0), CW_ADDR_WITNESS, 2, 40);
        if (rc == 0 && (out->len == 20 || out->len == 32))
            rc = cw_error_set(CW_EINVAL,
                              "address '%.100s': a %u-byte version 0 program has a bech32 "
                              "address; use that",
                              s, out->len);
    } else if (starts_with_known_hrp(s)) {
        rc = decode_bech32(out, s, net);
    } else if (all_base58(s, len)) {
        /* A base58 string; it could still be bech32 with an unknown hrp (all its characters
         * can be base58 ones), which only matters for the message. */
        rc = decode_base58(out, s, net);
        if (rc == NOT_BASE58CHECK) {
            char b58_err[256];
            snprintf(b58_err, sizeof b58_err, "%s", cw_error_last());
            rc = decode_bech32(out, s, net);
            if (rc != 0 && !strstr(cw_error_last(), "human-readable part"))
                rc = cw_error_set(CW_EINVAL, "address '%.100s': %s", s, b58_err);
        }
    } else {
        /* Not base58; say why it is not bech32 either. */
        char hrp[BECH32_HRP_MAX + 1];
        uint8_t data5[BECH32_MAX_LEN];
        size_t n;
        cw_bech32_variant variant;
        if (cw_bech32_decode(hrp, data5, &n, &variant, s) == 0) {
            rc = decode_segwit(out, s, hrp, data5, n, variant, net);
        } else {
            char b32_err[256], b58_err[256];
            snprintf(b32_err, sizeof b32_err, "%s", cw_error_last());
            decode_base58(out, s, net);
            snprintf(b58_err, sizeof b58_err, "%s", cw_error_last());
            rc = cw_error_set(CW_EINVAL, "address '%.100s': not base58check (%s) and not %s", s,
                              b58_err, b32_err);
        }
    }
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int cw_addr_script(uint8_t *out, const cw_addr_key *key)
{
    switch (key->kind) {
    case CW_ADDR_PKH:
        if (key->len != 20)
            break;
        out[0] = 0x76;
        out[1] = 0xa9;
        out[2] = 20;
        memcpy(out + 3, key->data, 20);
        out[23] = 0x88;
        out[24] = 0xac;
        return 25;
    case CW_ADDR_SH:
        if (key->len != 20)
            break;
        out[0] = 0xa9;
        out[1] = 20;
        memcpy(out + 2, key->data, 20);
        out[22] = 0x87;
        return 23;
    case CW_ADDR_WITNESS:
        if (key->witver > 16 || key->len < 2 || key->len > 40)
            break;
        out[0] = key->witver == 0 ? 0x00 : (uint8_t)(0x50 + key->witver);
        out[1] = key->len;
        memcpy(out + 2, key->data, key->len);
        return 2 + key->len;
    default:
        return cw_error_set(CW_EINVAL, "address: kind %u has no canonical script", key->kind);
    }
    return cw_error_set(CW_EINVAL, "address: malformed key (kind %u, version %u, len %u)",
                        key->kind, key->witver, key->len);
}
