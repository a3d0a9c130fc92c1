/*
 * test_u256.c: exact 256-bit integers (src/chain/evm/u256.c). Known truth: 2^256 - 1 in decimal
 * and hex (a published constant), the fixture value 109000000000000000000 = 0x5e8adca7e45940000
 * (the data word of the log in ../shared/data/eth-etl-csv/logs_1452581.csv), carries across
 * every limb, and an independent check against unsigned __int128 for random 128-bit values.
 */
#include <stdio.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/evm/u256.h"
#include "harness.h"

static const char *MAX_DEC =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";

static cw_u256 P(const char *s)
{
    cw_u256 v;
    int rc = cw_u256_parse(&v, s, strlen(s));
    CHECK(rc == 0);
    return v;
}

static void test_parse_print(void)
{
    char buf[CW_U256_DEC_MAX], hx[70];
    cw_u256 a = P("109000000000000000000"), b = P("0x5e8adca7e45940000");
    CHECK(cw_u256_cmp(&a, &b) == 0);
    cw_u256_to_dec(buf, &a);
    CHECK_EQ_STR(buf, "109000000000000000000");
    cw_u256_to_hex(hx, &a);
    CHECK_EQ_STR(hx, "0x5e8adca7e45940000");
    cw_u256 m = P(MAX_DEC),
            mh = P("0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
    CHECK(cw_u256_cmp(&m, &mh) == 0);
    cw_u256_to_dec(buf, &m);
    CHECK_EQ_STR(buf, MAX_DEC);
    cw_u256 z = P("0x");
    CHECK(cw_u256_is_zero(&z));
    cw_u256_to_dec(buf, &z);
    CHECK_EQ_STR(buf, "0");
    cw_u256_to_hex(hx, &z);
    CHECK_EQ_STR(hx, "0x0");
    cw_u256 t = P("10000000000000000000"); /* exactly the 10^19 chunk boundary */
    cw_u256_to_dec(buf, &t);
    CHECK_EQ_STR(buf, "10000000000000000000");
    t = P("0x000000000000000000000000000000000000000000000000000000000000000000001");
    CHECK(t.w[0] == 1 && !t.w[1]);
    cw_u256 v;
    CHECK(cw_u256_parse(
              &v, "115792089237316195423570985008687907853269984665640564039457584007913129639936",
              78) == CW_EINVAL);
    CHECK(cw_u256_parse(&v, "0x10000000000000000000000000000000000000000000000000000000000000000",
                        67) == CW_EINVAL);
    CHECK(cw_u256_parse(&v, "", 0) == CW_EINVAL);
    CHECK(cw_u256_parse(&v, "1.5", 3) == CW_EINVAL);
    CHECK(cw_u256_parse(&v, "-1", 2) == CW_EINVAL);
    CHECK(cw_u256_parse(&v, "1e18", 4) == CW_EINVAL);
    CHECK(cw_u256_parse(&v, "0xg", 3) == CW_EINVAL);
    uint8_t be[32] = {0};
    /* 0x05e8adca7e45940000 as the low 9 bytes of a word */
    static const uint8_t low[9] = {0x05, 0xe8, 0xad, 0xca, 0x7e, 0x45, 0x94, 0x00, 0x00};
    memcpy(be + 23, low, 9);
    cw_u256_from_be32(&v, be);
    CHECK(cw_u256_cmp(&v, &a) == 0);
    uint8_t back[32];
    cw_u256_to_be32(back, &v);
    CHECK(memcmp(back, be, 32) == 0);
}

static void test_arith(void)
{
    cw_u256 m = P(MAX_DEC), one = P("1"), r;
    CHECK(cw_u256_add(&r, &m, &one));
    CHECK(cw_u256_is_zero(&r));
    CHECK(cw_u256_sub(&r, &r, &one));
    CHECK(cw_u256_cmp(&r, &m) == 0);
    cw_u256 c = P("18446744073709551615"); /* 2^64-1 */
    CHECK(!cw_u256_add(&r, &c, &one));
    CHECK(r.w[0] == 0 && r.w[1] == 1);
    CHECK(!cw_u256_sub(&r, &r, &one));
    CHECK(cw_u256_cmp(&r, &c) == 0);
    /* 21000 gas x 80869370967 wei = 1698256790307000 */
    cw_u256 g = P("80869370967");
    CHECK(!cw_u256_mul_u64(&r, &g, 21000));
    char buf[CW_U256_DEC_MAX];
    cw_u256_to_dec(buf, &r);
    CHECK_EQ_STR(buf, "1698256790307000");
    CHECK(cw_u256_mul_u64(&r, &m, 2));
    /* random 128-bit values against __int128 */
    __extension__ typedef unsigned __int128 u128;
    uint64_t s = 88172645463325252ull;
    for (int i = 0; i < 2000; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        uint64_t x = s;
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        u128 a = ((u128)x << 64) | s, b = (u128)(s >> 3) * 1000003u;
        cw_u256 A = {{(uint64_t)a, (uint64_t)(a >> 64), 0, 0}},
                B = {{(uint64_t)b, (uint64_t)(b >> 64), 0, 0}};
        cw_u256_add(&r, &A, &B);
        u128 sum = a + b;
        bool carry = sum < a;
        CHECK(r.w[0] == (uint64_t)sum && r.w[1] == (uint64_t)(sum >> 64) && r.w[2] == carry);
        cw_u256_to_dec(buf, &A);
        char ref[64];
        int n = 0;
        u128 t = a;
        char tmp[64];
        do {
            tmp[n++] = (char)('0' + (int)(t % 10));
            t /= 10;
        } while (t);
        for (int k = 0; k < n; k++)
            ref[k] = tmp[n - 1 - k];
        ref[n] = 0;
        CHECK_EQ_STR(buf, ref);
        cw_u256 back;
        CHECK(cw_u256_parse(&back, buf, strlen(buf)) == 0 && cw_u256_cmp(&back, &A) == 0);
        CHECK_EQ_INT(cw_u256_cmp(&A, &B), a < b ? -1 : a > b);
    }
}

int main(void)
{
    RUN(test_parse_print);
    RUN(test_arith);
    return cw_test_done();
}
