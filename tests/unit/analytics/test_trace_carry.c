/*
 * test_trace_carry.c: relinked-carried (docs/TRACE-MODELS.md, "Remixed past the trace", the
 * worked example) on hand-made regtest blocks (tiny_chain.h; pool 0.01 BTC). A thief's 10 BTC
 * coin S pays tx A: a premix P, 0.2 BTC to its exchange deposit address X (labelled
 * exchange_deposit: an anchor's address) and its change T.
 *   - M1 = P + 4 honest remixes: the thief's output M1:3 (the trace's first mix);
 *   - R1 = M1:3 (the thief's), M1:0 (an honest remixer's) and 3 honest coins; R1:2 the thief's;
 *   - R2 = R1:2 (the thief's), R1:4 (an honest remixer's) and 3 honest coins; R2:1 the thief's,
 *     paid alone to X by tx E;
 *   - honest owners deposit M1:1 (H1), R1:0 (H2) and R2:3 (H3) alone at other addresses.
 * Under the default floor (0.25) M1 gives each output a fifth (200,000 sat), under the floor:
 * R1 is entered by slivers only and not followed, R2 by nothing. E pays the deposit account
 * that received the anchor, so R2:1 is the owner's; its round got no traced value to give it.
 * Walked back: R2's inputs R1:2 and R1:4 lead to M1 (a round the trace entered), its other
 * three do not; R1's inputs M1:3 and M1:0 are coins the trace reached. Which of each pair was
 * the thief's the chain does not say, so each carries half: M1 gives M1:3 and M1:0 500,000 sat
 * each, R1 passes them to R1:2 and R1:4 (500,000 each), R2 passes the 1,000,000 to R2:1 and E
 * receives 999,000 (probable, relinked-carried; the JSON marks the four coins of the walk). M1's
 * three other outputs, R1's and R2's other outputs and H1..H3 get nothing. With the rule disabled
 * (CW_TRACE__NO_CARRY, the rule before) E gets nothing and M1's fifths end under the floor. At
 * floor 0 the fifths are followed, R2 is entered and relinked-address re-links R2:1 as before: the
 * rule does nothing.
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
enum { T_VALUE = 1000000000 - (DENOM + EXTRA) - 20000000 - 10000 };

static coin stolen, hon[10];
static uint8_t id_a[32], id_m[32], id_r[2][32], id_e[32], id_h[3][32];

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
    for (int i = 0; i < 10; i++)
        fund(&hon[i], DENOM, 0);
    block_end();

    /* A: the premix, 0.2 BTC to X, the change T */
    block_begin();
    coin a[3];
    uint64_t kp = new_key(), kt = new_key(), kx = new_key();
    gen_tx_reset(&tx);
    add_in(&tx, &stolen);
    add_out(&tx, DENOM + EXTRA, kp);
    add_out(&tx, T_VALUE, kt);
    add_out(&tx, 20000000, kx);
    block_tx(&tx, a);
    last_txid(id_a);
    block_end();
    a[0].key = kp;
    a[1].key = kt;

    /* M1 = P + 4 honest remixes (hon 0..3; the thief's output 3) */
    block_begin();
    coin m[5], r1[5], r2[5];
    uint64_t k[5];
    coin *in0[5] = {&a[0], &hon[0], &hon[1], &hon[2], &hon[3]};
    fresh(k);
    chain_mix5(&tx, in0, k, DENOM, m);
    last_txid(id_m);
    block_end();

    /* R1 = M1:3 (the thief's), M1:0 and hon 4..6 (the thief's output 2); H1 = M1:1 alone */
    block_begin();
    coin *in1[5] = {&hon[4], &m[3], &hon[5], &m[0], &hon[6]};
    fresh(k);
    chain_mix5(&tx, in1, k, DENOM, r1);
    last_txid(id_r[0]);
    chain_pay_alone(&tx, &m[1], DENOM - 1000, new_key(), id_h[0]);
    block_end();

    /* R2 = R1:2 (the thief's), R1:4 and hon 7..9 (the thief's output 1); H2 = R1:0 alone */
    block_begin();
    coin *in2[5] = {&hon[7], &r1[4], &hon[8], &r1[2], &hon[9]};
    fresh(k);
    chain_mix5(&tx, in2, k, DENOM, r2);
    last_txid(id_r[1]);
    chain_pay_alone(&tx, &r1[0], DENOM - 1000, new_key(), id_h[1]);
    block_end();

    /* E = R2:1 alone to X; H3 = R2:3 alone */
    block_begin();
    chain_pay_alone(&tx, &r2[1], DENOM - 1000, kx, id_e);
    chain_pay_alone(&tx, &r2[3], DENOM - 1000, new_key(), id_h[2]);
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

/* Every end of a and b the same. */
static void same_ends(const cw_trace *a, const cw_trace *b)
{
    REQUIRE(cw_trace_n_ends(a) == cw_trace_n_ends(b));
    for (size_t i = 0; i < cw_trace_n_ends(a); i++) {
        const cw_trace_end *x = cw_trace_end_at(a, i), *y = cw_trace_end_at(b, i);
        CHECK(x->kind == y->kind && x->out == y->out && x->amount == y->amount &&
              x->probable == y->probable && x->rule == y->rule);
    }
}

static void test_mixes_flagged(void)
{
    CHECK(cw_patterns_multi_owner(cw_patterns_compute(cs, chain_tx(cs, id_m))));
    for (int i = 0; i < 2; i++)
        CHECK(cw_patterns_multi_owner(cw_patterns_compute(cs, chain_tx(cs, id_r[i]))));
}

static void test_carried(void)
{
    cw_trace *t = run(0, 0.25);
    const cw_trace_stats *st = cw_trace_stats_get(t);
    CHECK_EQ_INT(st->relink_carried, 1);
    CHECK_EQ_INT(st->relink_carry_rounds, 2);
    /* M1:3, M1:0 (roots), R1:2, R1:4 (the walk's coins) */
    CHECK_EQ_INT(st->relink_funders, 4);
    for (uint32_t j = 0; j < 5; j++) {
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_m, j)),
                     j == 3 || j == 0 ? DENOM / 2 : 0);
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_r[0], j)),
                     j == 2 || j == 4 ? DENOM / 2 : 0);
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_r[1], j)), j == 1 ? DENOM : 0);
    }
    uint8_t rule = 0;
    uint64_t ev = 0;
    CHECK(cw_trace__link(t, chain_out(cs, id_r[1], 1), &rule, &ev));
    CHECK_EQ_INT(rule, CW_RULE_RELINK_CARRIED);
    CHECK_EQ_INT(ev, chain_tx(cs, id_e));
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, id_e, 0));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, DENOM - 1000);
    CHECK_EQ_INT(e->probable, DENOM - 1000);
    CHECK_EQ_INT(e->rule, CW_RULE_RELINK_CARRIED);
    for (int i = 0; i < 3; i++)
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_h[i], 0)), 0);
    /* the JSON names the rule on the output and counts it */
    json_t *j = cw_trace_json(t, 10, 1000);
    REQUIRE(j != NULL);
    json_t *c =
        json_object_get(json_object_get(json_object_get(j, "probable"), "relinked"), "carried");
    CHECK(json_is_integer(json_object_get(c, "outputs")) &&
          json_integer_value(json_object_get(c, "outputs")) == 1);
    CHECK(json_integer_value(json_object_get(c, "rounds")) == 2);
    CHECK(json_object_get(json_object_get(j, "probable"), "by_rule") &&
          json_object_get(json_object_get(json_object_get(j, "probable"), "by_rule"),
                          "relinked-carried") != NULL);
    /* the walk's coins are marked: M1:3, M1:0, R1:2, R1:4 */
    size_t marked = 0, gi, oi;
    json_t *tx, *out;
    json_array_foreach(json_object_get(j, "graph"), gi, tx)
    {
        json_array_foreach(json_object_get(tx, "outputs"), oi, out)
        {
            marked += json_object_get(out, "carried") != NULL;
        }
    }
    CHECK_EQ_INT(marked, 4);
    json_decref(j);
    cw_trace_free(t);
}

/* The rule disabled: the deposit gets nothing, M1's fifths end under the floor. This fails
 * with the rule on (it is the rule before it). */
static void test_without(void)
{
    cw_trace *t = run(CW_TRACE__NO_CARRY, 0.25);
    const cw_trace_stats *st = cw_trace_stats_get(t);
    CHECK_EQ_INT(st->relink_carried, 0);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_e, 0)), 0);
    for (uint32_t j = 0; j < 5; j++)
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_m, j)), DENOM / 5);
    cw_trace_free(t);
}

/* At floor 0 the fifths are followed: R2 is entered, relinked-address re-links R2:1 as
 * before, and the rule changes nothing. */
static void test_entered(void)
{
    cw_trace *a = run(0, 0.0), *b = run(CW_TRACE__NO_CARRY, 0.0);
    CHECK_EQ_INT(cw_trace_stats_get(a)->relink_carried, 0);
    uint8_t rule = 0;
    uint64_t ev = 0;
    CHECK(cw_trace__link(a, chain_out(cs, id_r[1], 1), &rule, &ev));
    CHECK_EQ_INT(rule, CW_RULE_RELINK_ADDRESS);
    same_ends(a, b);
    cw_trace_free(a);
    cw_trace_free(b);
}

/* Pass 2 restarted at the first tx the re-links change = the full replay. */
static void test_incremental(void)
{
    cw_trace *a = run(0, 0.25), *b = run(CW_TRACE__REPLAY, 0.25);
    same_ends(a, b);
    cw_trace_free(a);
    cw_trace_free(b);
}

int main(void)
{
    int rc = CHAIN_SETUP(test_build_world, dir, store, &cs);
    if (rc)
        return rc;
    if (!chain_label(dir, cs, chain_out(cs, id_e, 0), "Krakenish", "exchange_deposit", &lm))
        return 1;
    RUN(test_mixes_flagged);
    RUN(test_carried);
    RUN(test_without);
    RUN(test_entered);
    RUN(test_incremental);
    cw_trace_labelmap_free(lm);
    cw_chainstore_close(cs);
    return cw_test_done();
}
