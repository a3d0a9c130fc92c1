/* test_util.c: hex, hashing (against published digests) and strict number parsing. */
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

int main(void)
{
    RUN(test_hex_roundtrip);
    RUN(test_sha256_vectors);
    RUN(test_parse_numbers);
    return cw_test_done();
}
