/*
 * test_trace_funders.c: the funders of a re-linked remix (docs/TRACE-MODELS.md, "Funders of a
 * re-linked remix", the worked example) on hand-made regtest blocks (tiny_chain.h; pool
 * 0.01 BTC). A thief's 10 BTC coin S pays tx A: three premixes P1, P2, P3, 0.2 BTC to its
 * exchange deposit address X (labelled exchange_deposit) and its change T (an anchor).
 *   - M1 = P1 + 4 honest remixes, M2 = P2 + 4 honest, M3 = P3 + 4 honest (first mixes);
 *   - R1 = an honest premix, M1:3 (the thief's), M2:0 and M3:0 (honest), an honest remix;
 *     its output 2 is the thief's and is spent with T into the deposit D1 (relinked-cospend);
 *   - R2 = an honest premix, M2:1 (the thief's), M1:0 (honest), two honest remixes; its
 *     output 4 is paid alone to X by tx E (relinked-address, the same deposit account);
 *   - R3 = an honest premix, M3:2 (the thief's), three honest remixes; its output 1 is paid
 *     alone to X by tx E3 (relinked-address), so M3:2 is re-linked by relinked-remix (the one
 *     traced input of R3);
 *   - honest owners deposit M1:1, M2:3 and R1:0 alone (H1, H2, H3).
 * R1 has three traced inputs and R2 two: relinked-remix (exactly one) does not apply. With
 * funders: M3's one owner coin is M3:2 (re-linked), so M3:0 is nobody's funder; R1 is paid by
 * M1:3 or M2:0, R2 by M2:1 or M1:0, each with chance 1/2 (symmetric: the chain cannot tell);
 * M1 and M2 each give their 1,000,000 sat to their two funders, R1 and R2 pass 1,000,000 each to
 * their re-linked outputs: D1 = T + 1,000,000, E = 999,000, H1..H3 nothing. With the rule
 * disabled (CW_TRACE__NO_FUNDERS, the rule before), R1's and R2's re-linked outputs get only the
 * two fifths that reached each round from M1 and M2 (400,000; M3 gives all of its value to
 * M3:2), and the rest of M1 and M2 stays as fifths on honest outputs. Value is conserved either
 * way, and the re-linking pass restarted at the first tx it changes equals the full replay.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/analytics/trace_int.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/labels.h"
#include "chainwatch/patterns.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "gen/btc/tx.h"
#include "harness.h"

static char dir[4096], store[4200];
static cw_chainstore *cs;
static cw_trace_labelmap *lm;

#include "tiny_chain.h"

enum { DENOM = 1000000, EXTRA = 1170 };
enum { T_VALUE = 1000000000 - 3 * (DENOM + EXTRA) - 20000000 - 10000 };

static coin stolen, hon[24], hpre[3];
static uint8_t id_a[32], id_m[3][32], id_r[3][32], id_d[32], id_e[32], id_e3[32], id_h[3][32];

static void fresh(uint64_t k[5])
{
    for (int i = 0; i < 5; i++)
        k[i] = new_key();
}

static void build_world(const char *out_dir)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    block_begin();
    fund(&stolen, 1000000000ULL, 0);
    for (int i = 0; i < 24; i++)
        fund(&hon[i], DENOM, 0);
    for (int i = 0; i < 3; i++)
        fund(&hpre[i], DENOM + EXTRA, 0);
    block_end();

    /* A: three premixes, 0.2 BTC to X, the change T */
    block_begin();
    coin a[6];
    uint64_t kp[3] = {new_key(), new_key(), new_key()}, kt = new_key(), kx = new_key();
    gen_tx_reset(&tx);
    add_in(&tx, &stolen);
    for (int i = 0; i < 3; i++)
        add_out(&tx, DENOM + EXTRA, kp[i]);
    add_out(&tx, T_VALUE, kt);
    add_out(&tx, 20000000, kx);
    block_tx(&tx, a);
    last_txid(id_a);
    block_end();
    for (int i = 0; i < 3; i++)
        a[i].key = kp[i];
    a[3].key = kt;

    /* M1, M2, M3: each premix with four honest remixes */
    block_begin();
    coin m[3][5];
    for (int r = 0; r < 3; r++) {
        coin *in[5] = {&a[r], &hon[4 * r], &hon[4 * r + 1], &hon[4 * r + 2], &hon[4 * r + 3]};
        uint64_t k[5];
        fresh(k);
        chain_mix5(&tx, in, k, DENOM, m[r]);
        last_txid(id_m[r]);
    }
    block_end();

    /* R1, R2, R3; H1 and H2 (honest outputs of M1 and M2 deposited alone) */
    block_begin();
    coin r1[5], r2[5], r3[5];
    uint64_t k[5];
    coin *in1[5] = {&hpre[0], &m[0][3], &m[1][0], &m[2][0], &hon[12]};
    fresh(k);
    chain_mix5(&tx, in1, k, DENOM, r1);
    last_txid(id_r[0]);
    coin *in2[5] = {&hpre[1], &m[1][1], &m[0][0], &hon[13], &hon[14]};
    fresh(k);
    chain_mix5(&tx, in2, k, DENOM, r2);
    last_txid(id_r[1]);
    coin *in3[5] = {&hpre[2], &m[2][2], &hon[15], &hon[16], &hon[17]};
    fresh(k);
    chain_mix5(&tx, in3, k, DENOM, r3);
    last_txid(id_r[2]);
    chain_pay_alone(&tx, &m[0][1], DENOM - 1000, new_key(), id_h[0]);
    chain_pay_alone(&tx, &m[1][3], DENOM - 1000, new_key(), id_h[1]);
    block_end();

    /* D1 = R1:2 + T; E = R2:4 alone to X; H3 = R1:0 alone; E3 = R3:1 alone to X */
    block_begin();
    gen_tx_reset(&tx);
    add_in(&tx, &r1[2]);
    add_in(&tx, &a[3]);
    add_out(&tx, DENOM + T_VALUE, new_key());
    block_tx(&tx, NULL);
    last_txid(id_d);
    chain_pay_alone(&tx, &r2[4], DENOM - 1000, kx, id_e);
    chain_pay_alone(&tx, &r1[0], DENOM - 1000, new_key(), id_h[2]);
    chain_pay_alone(&tx, &r3[1], DENOM - 1000, kx, id_e3);
    block_end();
    gen_tx_deinit(&tx);
    chain_write(out_dir);
}

static void test_build_world(void)
{
    build_world(dir);
}

static cw_trace *run(unsigned how, double floor)
{
    return chain_trace_to_exchange(cs, lm, chain_first_spent(cs, id_a), how, floor, 1000000000LL);
}

static void test_mixes_flagged(void)
{
    for (int i = 0; i < 3; i++) {
        CHECK(cw_patterns_multi_owner(cw_patterns_compute(cs, chain_tx(cs, id_m[i]))));
        CHECK(cw_patterns_multi_owner(cw_patterns_compute(cs, chain_tx(cs, id_r[i]))));
    }
}

static void test_funders(void)
{
    cw_trace *t = run(0, 0.25);
    const cw_trace_stats *st = cw_trace_stats_get(t);
    /* R1:2 (cospend), R2:4 and R3:1 (the deposit account), M3:2 (remix) */
    CHECK_EQ_INT(st->relinked, 4);
    /* M1:3, M2:0 (R1), M2:1, M1:0 (R2); M3:0 has no chance left (M3's coin is M3:2) */
    CHECK_EQ_INT(st->relink_funders, 4);
    for (uint32_t j = 0; j < 5; j++) {
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_m[0], j)),
                     j == 3 || j == 0 ? DENOM / 2 : 0);
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_m[1], j)),
                     j == 1 || j == 0 ? DENOM / 2 : 0);
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_m[2], j)), j == 2 ? DENOM : 0);
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_r[0], j)), j == 2 ? DENOM : 0);
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_r[1], j)), j == 4 ? DENOM : 0);
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_r[2], j)), j == 1 ? DENOM : 0);
    }
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, id_d, 0));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, (long long)T_VALUE + DENOM);
    CHECK_EQ_INT(e->probable, DENOM);
    CHECK_EQ_INT(e->rule, CW_RULE_RELINK_COSPEND);
    e = chain_end_at(t, chain_out(cs, id_e, 0));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, DENOM - 1000);
    CHECK_EQ_INT(e->probable, DENOM - 1000);
    for (int i = 0; i < 3; i++)
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_h[i], 0)), 0);
    /* the JSON counts the funders */
    json_t *j = cw_trace_json(t, 10, 1000);
    REQUIRE(j != NULL);
    json_t *f =
        json_object_get(json_object_get(json_object_get(j, "probable"), "relinked"), "funders");
    CHECK(json_is_integer(f) && json_integer_value(f) == 4);
    json_decref(j);
    cw_trace_free(t);
}

/* The rule disabled: the re-linked outputs get only the fifths that reached their rounds.
 * This fails with the rule on (it is the rule before it). */
static void test_without_funders(void)
{
    cw_trace *t = run(CW_TRACE__NO_FUNDERS, 0.25);
    const cw_trace_stats *st = cw_trace_stats_get(t);
    CHECK_EQ_INT(st->relinked, 4);
    CHECK_EQ_INT(st->relink_funders, 0);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_r[0], 2)), 2 * DENOM / 5);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_r[1], 4)), 2 * DENOM / 5);
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, id_d, 0));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, (long long)T_VALUE + 2 * DENOM / 5);
    cw_trace_free(t);
    /* floor 0: the honest participants' fifths are followed into their deposits */
    t = run(CW_TRACE__NO_FUNDERS, 0.0);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_h[0], 0)), 199800);
    cw_trace_free(t);
    /* with funders at floor 0, the honest deposits get nothing */
    t = run(0, 0.0);
    for (int i = 0; i < 3; i++)
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_h[i], 0)), 0);
    cw_trace_free(t);
}

/* Pass 2 restarted at the first tx the re-links or funders change = the full replay. */
static void test_incremental(void)
{
    const double floors[2] = {0.25, 0.0};
    for (int f = 0; f < 2; f++) {
        cw_trace *a = run(0, floors[f]), *b = run(CW_TRACE__REPLAY, floors[f]);
        REQUIRE(cw_trace_n_ends(a) == cw_trace_n_ends(b));
        for (size_t i = 0; i < cw_trace_n_ends(a); i++) {
            const cw_trace_end *x = cw_trace_end_at(a, i), *y = cw_trace_end_at(b, i);
            CHECK(x->kind == y->kind && x->out == y->out && x->amount == y->amount &&
                  x->probable == y->probable && x->rule == y->rule);
        }
        CHECK_EQ_INT(cw_trace_stats_get(a)->relink_funders, cw_trace_stats_get(b)->relink_funders);
        cw_trace_free(a);
        cw_trace_free(b);
    }
}

int main(void)
{
    int rc = CHAIN_SETUP(test_build_world, dir, store, &cs);
    if (rc)
        return rc;
    if (!chain_label(dir, cs, chain_out(cs, id_e, 0), "Krakenish", "exchange_deposit", &lm))
        return 1;
    RUN(test_mixes_flagged);
    RUN(test_funders);
    RUN(test_without_funders);
    RUN(test_incremental);
    cw_trace_labelmap_free(lm);
    cw_chainstore_close(cs);
    return cw_test_done();
}
