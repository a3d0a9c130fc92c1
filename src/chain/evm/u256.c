/*
 * u256.c: exact unsigned 256-bit arithmetic for EVM values (evm/u256.h). Four 64-bit limbs,
 * least significant first, with unsigned __int128 for carries and the decimal conversions.
 */
#include <string.h>

#include "chain/evm/dec_int.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/u256.h"

__extension__ typedef unsigned __int128 u128;

int cw_u256_cmp(const cw_u256 *a, const cw_u256 *b)
{
    for (int i = 3; i >= 0; i--) {
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    }
    return 0;
}

bool cw_u256_add(cw_u256 *r, const cw_u256 *a, const cw_u256 *b)
{
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)a->w[i] + b->w[i];
        r->w[i] = (uint64_t)c;
        c >>= 64;
    }
    return c != 0;
}

bool cw_u256_sub(cw_u256 *r, const cw_u256 *a, const cw_u256 *b)
{
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t x = a->w[i], y = b->w[i];
        uint64_t d = x - y - borrow;
        borrow = (x < y || (x == y && borrow)) ? 1 : 0;
        r->w[i] = d;
    }
    return borrow != 0;
}

bool cw_u256_mul_u64(cw_u256 *r, const cw_u256 *a, uint64_t m)
{
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)a->w[i] * m;
        r->w[i] = (uint64_t)c;
        c >>= 64;
    }
    return c != 0;
}

/* r = r * mul + d; false on overflow */
static bool mul_add(cw_u256 *r, uint64_t mul, uint64_t d)
{
    u128 c = d;
    for (int i = 0; i < 4; i++) {
        c += (u128)r->w[i] * mul;
        r->w[i] = (uint64_t)c;
        c >>= 64;
    }
    return c == 0;
}

static int hex_value(uint64_t *out, char c)
{
    if (c >= '0' && c <= '9')
        *out = (uint64_t)(c - '0');
    else if (c >= 'a' && c <= 'f')
        *out = (uint64_t)(c - 'a') + 10;
    else if (c >= 'A' && c <= 'F')
        *out = (uint64_t)(c - 'A') + 10;
    else
        return -1;
    return 0;
}

int cw_u256_parse(cw_u256 *out, const char *s, size_t len)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return cw_error_set(CW_EINVAL, "empty number");
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        size_t z = 2;
        while (z < len && s[z] == '0')
            z++;
        if (len - z > 64) {
            /* the first offending digit is named when there is one */
            for (size_t i = z; i < len; i++) {
                uint64_t d;
                if (hex_value(&d, s[i]))
                    return cw_error_set(CW_EINVAL, "bad hex digit '%c' in '%.*s'", s[i],
                                        (int)(len > 80 ? 80 : len), s);
            }
            return cw_error_set(CW_EINVAL, "hex number '%.*s' is 2^256 or more",
                                (int)(len > 80 ? 80 : len), s);
        }
        /* at most 64 significant digits: straight into the limbs, least significant first */
        for (size_t i = len, k = 0; i > z; i--, k++) {
            uint64_t d;
            if (hex_value(&d, s[i - 1]))
                return cw_error_set(CW_EINVAL, "bad hex digit '%c' in '%.*s'", s[i - 1],
                                    (int)(len > 80 ? 80 : len), s);
            out->w[k / 16] |= d << (4 * (k % 16));
        }
        return 0;
    }
    /* decimal, 19 digits (below 2^64) at a time */
    static const uint64_t POW10[20] = {1ull,
                                       10ull,
                                       100ull,
                                       1000ull,
                                       10000ull,
                                       100000ull,
                                       1000000ull,
                                       10000000ull,
                                       100000000ull,
                                       1000000000ull,
                                       10000000000ull,
                                       100000000000ull,
                                       1000000000000ull,
                                       10000000000000ull,
                                       100000000000000ull,
                                       1000000000000000ull,
                                       10000000000000000ull,
                                       100000000000000000ull,
                                       1000000000000000000ull,
                                       10000000000000000000ull};
    size_t i = 0;
    while (i < len) {
        size_t n = len - i < 19 ? len - i : 19;
        uint64_t chunk = 0, eight;
        size_t k = 0;
        for (; k + 8 <= n && cw_evm_dec8(s + i + k, &eight); k += 8)
            chunk = chunk * 100000000u + eight; /* at most 16 digits so far: no overflow */
        for (; k < n; k++) {
            unsigned d = (unsigned)(unsigned char)s[i + k] - '0';
            if (d > 9)
                return cw_error_set(CW_EINVAL, "not a non-negative integer: '%.*s'",
                                    (int)(len > 80 ? 80 : len), s);
            chunk = chunk * 10 + d;
        }
        if (i == 0)
            out->w[0] = chunk;
        else if (!mul_add(out, POW10[n], chunk))
            return cw_error_set(CW_EINVAL, "number '%.*s' is 2^256 or more",
                                (int)(len > 80 ? 80 : len), s);
        i += n;
    }
    return 0;
}

/* big-endian 64-bit word at p (one load and a byte swap on a little-endian host) */
static inline uint64_t load_be64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline void store_be64(uint8_t *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(p, &v, 8);
}

void cw_u256_from_be32(cw_u256 *out, const uint8_t be[32])
{
    for (int i = 0; i < 4; i++)
        out->w[i] = load_be64(be + (3 - i) * 8);
}

void cw_u256_to_be32(uint8_t be[32], const cw_u256 *v)
{
    for (int i = 0; i < 4; i++)
        store_be64(be + (3 - i) * 8, v->w[i]);
}

size_t cw_u256_to_dec(char *buf, const cw_u256 *v)
{
    cw_u256 t = *v;
    char tmp[CW_U256_DEC_MAX];
    size_t n = 0;
    /* divide by 10^19 repeatedly; each chunk gives 19 digits */
    const uint64_t chunk = 10000000000000000000ull;
    do {
        u128 rem = 0;
        for (int i = 3; i >= 0; i--) {
            u128 cur = (rem << 64) | t.w[i];
            t.w[i] = (uint64_t)(cur / chunk);
            rem = cur % chunk;
        }
        uint64_t r = (uint64_t)rem;
        bool last = cw_u256_is_zero(&t);
        for (int k = 0; k < 19; k++) {
            tmp[n++] = (char)('0' + r % 10);
            r /= 10;
            if (last && r == 0)
                break;
        }
    } while (!cw_u256_is_zero(&t));
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return n;
}

size_t cw_u256_to_hex(char *buf, const cw_u256 *v)
{
    static const char hx[] = "0123456789abcdef";
    size_t n = 0;
    buf[n++] = '0';
    buf[n++] = 'x';
    bool started = false;
    for (int i = 3; i >= 0; i--) {
        for (int sh = 60; sh >= 0; sh -= 4) {
            unsigned d = (unsigned)(v->w[i] >> sh) & 15;
            if (d || started) {
                started = true;
                buf[n++] = hx[d];
            }
        }
    }
    if (!started)
        buf[n++] = '0';
    buf[n] = 0;
    return n;
}
