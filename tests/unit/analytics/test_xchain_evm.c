/*
 * test_xchain_evm.c: the matcher of bridge deposits to payouts on another EVM chain
 * (xchain_evm.h): a deposit id decides alone (a fill naming another deposit of the same amount
 * never matches); without ids two deposits of one amount to one recipient in the window are
 * both probable and take one credit each (the value is not counted twice); amount within the
 * fee, asset (bridged forms), window.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/xchain_evm.h"
#include "harness.h"

static cw_xchain_evm_side side(uint8_t who, const char *sym, uint64_t amount, uint64_t time)
{
    cw_xchain_evm_side v;
    memset(&v, 0, sizeof v);
    memset(v.to, who, sizeof v.to);
    snprintf(v.symbol, sizeof v.symbol, "%s", sym);
    v.decimals = 18;
    cw_u256_from_u64(&v.amount, amount);
    v.time = time;
    return v;
}

static void test_fill_by_id(void)
{
    cw_xchain_evm_opts o;
    cw_xchain_evm_opts_init(&o);
    /* two deposits of 10 ETH to one recipient, ids 7 and 8; the relayer fills (less its fee)
     * name 8 first, then 7 */
    cw_xchain_evm_side d[2] = {side(1, "ETH", 10000, 1000), side(1, "ETH", 10000, 1010)};
    d[0].has_id = true, d[0].id = 7;
    d[1].has_id = true, d[1].id = 8;
    cw_xchain_evm_side c[2] = {side(1, "ETH", 9990, 1020), side(1, "ETH", 9995, 1030)};
    c[0].has_id = true, c[0].id = 8;
    c[1].has_id = true, c[1].id = 7;
    cw_xchain_evm_link *l;
    size_t n;
    REQUIRE(cw_xchain_evm_match(&l, &n, d, 2, c, 2, &o) == 0);
    REQUIRE(n == 2);
    CHECK(l[0].deposit == 0 && l[0].credit == 1 && l[0].certain && l[0].score == 1.0);
    CHECK(l[1].deposit == 1 && l[1].credit == 0 && l[1].certain && l[1].score == 1.0);
    free(l);
    /* a fill for another deposit of the same amount (id 9) matches neither */
    c[0].id = 9;
    c[1].id = 9;
    REQUIRE(cw_xchain_evm_match(&l, &n, d, 2, c, 2, &o) == 0);
    CHECK_EQ_INT(n, 0);
    free(l);
}

static void test_same_amount_twice(void)
{
    cw_xchain_evm_opts o;
    cw_xchain_evm_opts_init(&o);
    /* no ids: two deposits of 5 ETH to one recipient; two mints of 5 bETH inside both windows */
    cw_xchain_evm_side d[2] = {side(2, "ETH", 5000, 2000), side(2, "ETH", 5000, 2005)};
    cw_xchain_evm_side c[3] = {side(2, "bETH", 5000, 2600), side(2, "bETH", 5000, 2700),
                               side(3, "bETH", 5000, 2650)}; /* another recipient's */
    cw_xchain_evm_link *l;
    size_t n;
    REQUIRE(cw_xchain_evm_match(&l, &n, d, 2, c, 3, &o) == 0);
    REQUIRE(n == 2);
    CHECK(!l[0].certain && !l[1].certain);
    CHECK(l[0].credit != l[1].credit); /* one credit each: 10 bETH continue, not 20 */
    CHECK(l[0].credit != 2 && l[1].credit != 2);
    CHECK(l[0].fits == 2 && l[1].fits == 2 && l[0].score == 0.5 && l[1].score == 0.5);
    free(l);
    /* only one mint: one deposit gets it, probable; the other none (never counted twice) */
    REQUIRE(cw_xchain_evm_match(&l, &n, d, 2, c, 1, &o) == 0);
    CHECK(n == 1 && l[0].deposit == 0 && l[0].credit == 0 && !l[0].certain);
    free(l);
}

static void test_fits(void)
{
    cw_xchain_evm_opts o;
    cw_xchain_evm_opts_init(&o);
    cw_xchain_evm_side d = side(4, "USDC", 1000000, 5000);
    d.decimals = 6;
    cw_xchain_evm_side c[6] = {
        side(4, "USDC.e", 1000001, 5100),         /* more than deposited */
        side(4, "USDC.e", 989999, 5100),          /* more than the 1 % fee below */
        side(4, "USDT", 1000000, 5100),           /* another asset */
        side(4, "USDC.e", 1000000, 4999),         /* before the deposit */
        side(4, "USDC.e", 1000000, 5000 + 86401), /* after the window */
        side(4, "USDC.e", 995000, 5000 + 7200),   /* fits: 0.5 % fee, 2 h later */
    };
    for (int i = 0; i < 6; i++)
        c[i].decimals = 6;
    cw_xchain_evm_link *l;
    size_t n;
    REQUIRE(cw_xchain_evm_match(&l, &n, &d, 1, c, 6, &o) == 0);
    REQUIRE(n == 1);
    CHECK(l[0].credit == 5 && l[0].fits == 1 && !l[0].certain);
    /* time factor: past the prompt hour, a little below 1 */
    CHECK(l[0].score < 1.0 && l[0].score > 0.9 && l[0].traced);
    free(l);
    /* the depositor assumed (no recipient recorded): half the score, still traced */
    d.assumed = true;
    REQUIRE(cw_xchain_evm_match(&l, &n, &d, 1, c, 6, &o) == 0);
    CHECK(n == 1 && l[0].score < 0.5 && l[0].score > 0.45 && l[0].traced);
    free(l);
}

int main(void)
{
    RUN(test_fill_by_id);
    RUN(test_same_amount_twice);
    RUN(test_fits);
    return cw_test_done();
}
