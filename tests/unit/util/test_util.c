/* test_util.c: hex, hashing (against published digests), strict number parsing and exact
 * decimal shifting of base units. */
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "harness.h"

static void test_hex_roundtrip(void)
{
    uint8_t b[4];
    char s[9];
    CHECK_EQ_INT(cw_hex_decode(b, 4, "deadBEEF"), 0);
    cw_hex_encode(s, b, 4);
    CHECK_EQ_STR(s, "deadbeef");
    cw_hex_encode_rev(s, b, 4);
    CHECK_EQ_STR(s, "efbeadde");
    CHECK(cw_hex_decode(b, 4, "deadbee") == CW_EINVAL);
    CHECK(cw_hex_decode(b, 4, "deadbeeg") == CW_EINVAL);
}

static void test_sha256_vectors(void)
{
    /* FIPS 180-2 "abc" and the genesis block header's double SHA-256. */
    uint8_t h[32];
    char s[65];
    cw_sha256(h, "abc", 3);
    cw_hex_encode(s, h, 32);
    CHECK_EQ_STR(s, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    uint8_t hdr[80];
    CHECK_EQ_INT(cw_hex_decode(hdr, 80,
                               "0100000000000000000000000000000000000000000000000000000000000000"
                               "000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa"
                               "4b1e5e4a29ab5f49ffff001d1dac2b7c"),
                 0);
    cw_sha256d(h, hdr, 80);
    cw_hex_encode_rev(s, h, 32);
    CHECK_EQ_STR(s, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    const void *pieces[2] = {hdr, hdr + 40};
    size_t lens[2] = {40, 40};
    uint8_t h2[32];
    cw_sha256d_pieces(h2, 2, pieces, lens);
    CHECK(memcmp(h, h2, 32) == 0);
    /* the 64-byte merkle-node hash agrees with the general one */
    uint8_t node[64], a[32], b[32];
    for (int k = 0; k < 64; k++)
        node[k] = (uint8_t)(k * 37 + 11);
    cw_sha256d(a, node, 64);
    cw_sha256d64(b, node);
    CHECK(memcmp(a, b, 32) == 0);
    memcpy(node, hdr, 64); /* and on the genesis header's first 64 bytes */
    cw_sha256d(a, node, 64);
    cw_sha256d64(b, node);
    CHECK(memcmp(a, b, 32) == 0);
    /* hash160 of the empty string (RIPEMD160(SHA256(""))). */
    uint8_t h160[20];
    cw_hash160(h160, "", 0);
    cw_hex_encode(s, h160, 20);
    CHECK_EQ_STR(s, "b472a266d0bd89c13706a4132ccfb16f7c3b9fcb");
}

static void test_parse_numbers(void)
{
    uint64_t u;
    CHECK_EQ_INT(cw_parse_u64(&u, "438"), 0);
    CHECK_EQ_INT(u, 438);
    CHECK(cw_parse_u64(&u, "-1") == CW_EINVAL);
    CHECK(cw_parse_u64(&u, "12x") == CW_EINVAL);
    CHECK(cw_parse_u64(&u, "") == CW_EINVAL);
    CHECK(cw_parse_u64(&u, "99999999999999999999999") == CW_EINVAL);
}

static void test_grow(void)
{
    uint32_t *v = NULL;
    size_t cap = 0;
    CHECK_EQ_INT(cw_grow(&v, &cap, 1, sizeof *v, 8), 0);
    CHECK(v != NULL && cap == 8);
    v[7] = 7;
    CHECK_EQ_INT(cw_grow(&v, &cap, 8, sizeof *v, 8), 0); /* already holds 8: unchanged */
    CHECK_EQ_INT(cap, 8);
    CHECK_EQ_INT(cw_grow(&v, &cap, 9, sizeof *v, 8), 0); /* doubles */
    CHECK_EQ_INT(cap, 16);
    CHECK_EQ_INT(v[7], 7);
    CHECK_EQ_INT(cw_grow(&v, &cap, 100, sizeof *v, 8), 0); /* to need when above twice */
    CHECK_EQ_INT(cap, 100);
    uint32_t *keep = v;
    CHECK_EQ_INT(cw_grow(&v, &cap, SIZE_MAX / 2, sizeof *v, 8), CW_ENOMEM); /* overflows */
    CHECK(v == keep && cap == 100);
    cw_free(v);
}

static void test_dec_shift(void)
{
    char o[128];
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, "1500000", 6), 0);
    CHECK_EQ_STR(o, "1.5");
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, "109000000000000000000", 18), 0);
    CHECK_EQ_STR(o, "109");
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, "64655529900000002048", 18), 0);
    CHECK_EQ_STR(o, "64.655529900000002048");
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, "-5", 3), 0);
    CHECK_EQ_STR(o, "-0.005");
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, "-0", 2), 0);
    CHECK_EQ_STR(o, "0");
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, "000", 0), 0);
    CHECK_EQ_STR(o, "0");
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, "42", 0), 0);
    CHECK_EQ_STR(o, "42");
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, "1", 77), 0);
    CHECK(strlen(o) == 79 && !strncmp(o, "0.000", 5) && o[78] == '1');
    /* 2^256 - 1 at 18 decimals */
    CHECK_EQ_INT(
        cw_dec_shift(o, sizeof o,
                     "115792089237316195423570985008687907853269984665640564039457584007913"
                     "129639935",
                     18),
        0);
    CHECK_EQ_STR(o,
                 "115792089237316195423570985008687907853269984665640564039457.584007913129639935");
    /* out of range: a token claiming 200 decimals, bad digits, too long: refused, out empty */
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, "1", 200), CW_EINVAL);
    CHECK_EQ_STR(o, "");
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, "1", 78), CW_EINVAL);
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, "1", -1), CW_EINVAL);
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, "12a", 2), CW_EINVAL);
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, "-", 2), CW_EINVAL);
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, "", 2), CW_EINVAL);
    char big[102];
    memset(big, '9', 101);
    big[101] = 0;
    CHECK_EQ_INT(cw_dec_shift(o, sizeof o, big, 2), CW_EINVAL);
    /* truncated to the caller's size, still terminated */
    char small[4];
    CHECK_EQ_INT(cw_dec_shift(small, sizeof small, "123456", 2), 0);
    CHECK_EQ_STR(small, "123");
}

static void test_time_format(void)
{
    char b[32];
    cw_time_format(b, 1764288000123456LL, 6);
    CHECK_EQ_STR(b, "2025-11-28T00:00:00.123456Z");
    cw_time_format(b, 1764288000123456LL, 3);
    CHECK_EQ_STR(b, "2025-11-28T00:00:00.123Z");
    int64_t t = 0;
    CHECK_EQ_INT(cw_time_parse(&t, "2025-11-28T00:00:00.123456Z"), 0);
    CHECK_EQ_INT(t, 1764288000123456LL);
    CHECK_EQ_INT(cw_time_parse(&t, "2025-11-28T00:00:00.1Z"), 0);
    CHECK_EQ_INT(t, 1764288000100000LL);
    CHECK_EQ_INT(cw_time_parse(&t, "2025-11-28 00:00:00"), CW_EINVAL);
    /* RFC 3339 offsets: the same instant in UTC (the taxii2-client sends +00:00). */
    CHECK_EQ_INT(cw_time_parse(&t, "2025-11-28T01:00:00+01:00"), 0);
    CHECK_EQ_INT(t, 1764288000000000LL);
    CHECK_EQ_INT(cw_time_parse(&t, "2025-11-27T19:00:00.5-05:00"), 0);
    CHECK_EQ_INT(t, 1764288000500000LL);
    CHECK_EQ_INT(cw_time_parse(&t, "2025-11-28T00:00:00+00:00"), 0);
    CHECK_EQ_INT(t, 1764288000000000LL);
    CHECK_EQ_INT(cw_time_parse(&t, "2025-11-28T00:00:00+24:00"), CW_EINVAL);
    CHECK_EQ_INT(cw_time_parse(&t, "2025-11-28T00:00:00+0100"), CW_EINVAL);
    CHECK_EQ_INT(cw_time_parse(&t, "2025-11-28T00:00:00+01:00x"), CW_EINVAL);
}

int main(void)
{
    RUN(test_time_format);
    RUN(test_hex_roundtrip);
    RUN(test_sha256_vectors);
    RUN(test_parse_numbers);
    RUN(test_grow);
    RUN(test_dec_shift);
    return cw_test_done();
}
