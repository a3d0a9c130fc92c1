/*
 * test_trace_carry_many.c: relinked-carried through a Wasabi 2 remix (docs/TRACE-MODELS.md,
 * "Remixed in a Wasabi 2 round") on hand-made regtest blocks (tiny_chain.h). A thief's stolen
 * coin S (10 BTC) pays tx A: its mix coin P (0.3 BTC + 1,500 sat), 0.2 BTC to its exchange
 * deposit address X (labelled exchange_deposit: an anchor's address) and its change T (both
 * certain: anchors).
 *   - R1 (a Wasabi 2 round the trace enters) = P, the thief's own untraced coin (0.2 BTC +
 *     1,500), honest A1..A3 (0.2 BTC + 1,500 each) and 9 honest coins of 0.1 BTC + 1,500; the
 *     thief takes 3 outputs of 0.1 BTC and 0.2 BTC paid to T's address (R1:3, relinked-address),
 *     A1..A3 one of 0.2 BTC each, each other honest party 0.05 BTC, 4,194,304 and 531,441 sat.
 *     FIFO's ranking gives P's value to the largest outputs that fit (the 0.2 BTC ones), so the
 *     thief's three 0.1 BTC coins get nothing;
 *   - R2 (a Wasabi 2 round no traced value enters) = the thief's three R1 outputs, one honest
 *     party's R1 output of 0.05 BTC (a remixer of R1) and 5 honest coins of 0.1 BTC + 1,500; the
 *     thief takes 0.2 BTC (D), 2 x 4,194,304 and 1,048,576 sat, the remixer 4,194,304 and
 *     531,441, each new party 0.05 BTC, 4,194,304 and 531,441;
 *   - E pays D alone to X (fee 1,000); honest owners deposit one R2 output each alone (HD, HR).
 * E pays the account that received an anchor, so D is the thief's; its round got no traced
 * value. Walked back: R2's inputs that are R1's outputs (R1 was entered; pass 1 gave them
 * nothing) are roots: the thief's three 0.1 BTC coins and the remixer's 0.05 BTC coin; the five
 * new coins lead nowhere. D's 0.2 BTC is wanted from them by value (one owner brings several
 * inputs of unequal value to a Wasabi 2 round): 5,714,285 sat from each 0.1 BTC coin, 2,857,142
 * from the 0.05 BTC coin. R1's traced value (27,512,205 sat) is short of those wants and R1:3's
 * 0.2 BTC: they share it by what they want (R1:3 13,756,103, the funders 3,930,315 each and
 * 1,965,157), R2 passes the funders' 13,756,102 to D, E receives it less its fee share (13,755,414,
 * probable, relinked-carried). No honest output keeps more than before (R1's honest ones get
 * nothing). With the rule disabled (CW_TRACE__NO_CARRY_MANY, one-to-one mixes only, the rule
 * before) E gets nothing and R1:3 its whole 0.2 BTC: 13 checks of test_carried fail; with R1:3
 * served first (the rule's first version), 8.
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

#define BTC 100000000ULL
enum { FEE_IN = 1500, N_H = 9, N_G = 5, P2_22 = 4194304, P3_12 = 531441, P2_20 = 1048576 };
enum { P_VALUE = 30000000 + FEE_IN, X_VALUE = 20000000 };
#define T_VALUE (10 * BTC - P_VALUE - X_VALUE - 10000)

static coin stolen, a1[3], hon[N_H], gco[N_G], own;
static uint8_t id_a[32], id_r1[32], id_r2[32], id_e[32], id_hd[32], id_hr[32];

static void build_world(const char *out_dir)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    block_begin();
    fund(&stolen, 10 * BTC, 0);
    for (int i = 0; i < 3; i++)
        fund(&a1[i], BTC / 5 + FEE_IN, 0);
    for (int i = 0; i < N_H; i++)
        fund(&hon[i], BTC / 10 + FEE_IN, 0);
    for (int i = 0; i < N_G; i++)
        fund(&gco[i], BTC / 10 + FEE_IN, 0);
    fund(&own, BTC / 5 + FEE_IN, 0);
    block_end();

    /* A: P, 0.2 BTC to X, the change T */
    block_begin();
    coin a[3];
    uint64_t kp = new_key(), kt = new_key(), kx = new_key();
    gen_tx_reset(&tx);
    add_in(&tx, &stolen);
    add_out(&tx, P_VALUE, kp);
    add_out(&tx, T_VALUE, kt);
    add_out(&tx, X_VALUE, kx);
    block_tx(&tx, a);
    last_txid(id_a);
    block_end();
    a[0].key = kp;
    a[1].key = kt;

    /* R1: outputs sorted by value: A1..A3's 0.2 BTC (0..2), the thief's 3 x 0.1 BTC (3..5),
     * then the honest parties' 0.05 BTC (6..14), 4,194,304 (15..23), 531,441 (24..32) */
    block_begin();
    static coin r1[34], r2[24];
    uint64_t k1[34], k2[24];
    size_t n = 0;
    gen_tx_reset(&tx);
    for (int i = 0; i < 3; i++)
        add_in(&tx, &a1[i]);
    add_in(&tx, &a[0]);
    add_in(&tx, &own);
    for (int i = 0; i < N_H; i++)
        add_in(&tx, &hon[i]);
    for (int i = 0; i < 3; i++) {
        k1[n] = new_key();
        add_out(&tx, BTC / 5, k1[n++]);
    }
    k1[n] = kt; /* the thief's 0.2 BTC to its change T's address (relinked-address) */
    add_out(&tx, BTC / 5, k1[n++]);
    for (int i = 0; i < 3; i++) {
        k1[n] = new_key();
        add_out(&tx, BTC / 10, k1[n++]);
    }
    static const uint64_t hv[3] = {BTC / 20, P2_22, P3_12};
    for (int v = 0; v < 3; v++)
        for (int i = 0; i < N_H; i++) {
            k1[n] = new_key();
            add_out(&tx, hv[v], k1[n++]);
        }
    block_tx(&tx, r1);
    last_txid(id_r1);
    for (size_t i = 0; i < n; i++)
        r1[i].key = k1[i];
    block_end();

    /* R2: the thief's 3 R1 coins, the remixer's R1:4 and 5 new coins; outputs sorted by value:
     * D 0.2 BTC (0), the new parties' 0.05 BTC (1..5), 4,194,304 (6..13: the thief's 6, 7, the
     * remixer's 8, the new parties' 9..13), 1,048,576 (14: the thief's), 531,441 (15..20: the
     * remixer's 15, the new parties' 16..20) */
    block_begin();
    n = 0;
    gen_tx_reset(&tx);
    for (int i = 0; i < 3; i++)
        add_in(&tx, &r1[4 + i]);
    add_in(&tx, &r1[7]);
    for (int i = 0; i < N_G; i++)
        add_in(&tx, &gco[i]);
    static const uint64_t ov[] = {20000000, BTC / 20, BTC / 20, BTC / 20, BTC / 20, BTC / 20,
                                  P2_22,    P2_22,    P2_22,    P2_22,    P2_22,    P2_22,
                                  P2_22,    P2_22,    P2_20,    P3_12,    P3_12,    P3_12,
                                  P3_12,    P3_12,    P3_12};
    for (size_t i = 0; i < sizeof ov / sizeof ov[0]; i++) {
        k2[n] = new_key();
        add_out(&tx, ov[i], k2[n++]);
    }
    block_tx(&tx, r2);
    last_txid(id_r2);
    for (size_t i = 0; i < n; i++)
        r2[i].key = k2[i];
    block_end();

    /* E = D alone to X; HD = a new party's R2:1 alone, HR = the remixer's R2:8 alone */
    block_begin();
    chain_pay_alone(&tx, &r2[0], 20000000 - 1000, kx, id_e);
    chain_pay_alone(&tx, &r2[1], BTC / 20 - 1000, new_key(), id_hd);
    chain_pay_alone(&tx, &r2[8], P2_22 - 1000, new_key(), id_hr);
    block_end();
    gen_tx_deinit(&tx);
    chain_write(out_dir);
}

static void test_build_world(void)
{
    build_world(dir);
}

static cw_trace *run(unsigned how)
{
    return chain_trace_to_exchange(cs, lm, chain_first_spent(cs, id_a), how, -1, 10 * BTC);
}

static void test_rounds_flagged(void)
{
    CHECK(cw_patterns_compute(cs, chain_tx(cs, id_r1)) & CW_PAT_WASABI2);
    CHECK(cw_patterns_compute(cs, chain_tx(cs, id_r2)) & CW_PAT_WASABI2);
}

/* R1's traced value (27,512,205 sat) is short of what its re-linked output R1:3 (0.2 BTC) and
 * the funders want (D's 20,000,000 sat by value over R2's live inputs: 5,714,285 from each of the
 * thief's 0.1 BTC coins, 2,857,142 from the remixer's): shared by those wants */
enum { R1_3 = 13756103, W_TH = 3930315, W_RM = 1965157, D_GOT = 3 * W_TH + W_RM };
enum { E_GOT = 13755414 }; /* D's traced value less its share of E's 1,000-sat fee */

static void test_carried(void)
{
    cw_trace *t = run(0), *b = run(CW_TRACE__NO_CARRY_MANY);
    const cw_trace_stats *st = cw_trace_stats_get(t);
    CHECK_EQ_INT(st->relink_carried, 1);
    CHECK_EQ_INT(st->relink_carry_rounds, 1);
    CHECK_EQ_INT(st->relink_funders, 4); /* R1:3..5 (the thief's), R1:6 (the remixer's) */
    for (uint32_t j = 0; j < 34; j++) {
        uint64_t o = chain_out(cs, id_r1, j);
        uint64_t want = j >= 4 && j <= 6 ? W_TH : j == 7 ? W_RM : j == 3 ? R1_3 : 0;
        if (want)
            CHECK_EQ_INT(cw_trace_amount_at(t, o), want);
        else /* no other output of R1 gets more than the policy gave it */
            CHECK(cw_trace_amount_at(t, o) <= cw_trace_amount_at(b, o));
    }
    for (uint32_t j = 0; j < 21; j++)
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_r2, j)), j == 0 ? D_GOT : 0);
    uint8_t rule = 0;
    uint64_t ev = 0;
    CHECK(cw_trace__link(t, chain_out(cs, id_r2, 0), &rule, &ev));
    CHECK_EQ_INT(rule, CW_RULE_RELINK_CARRIED);
    CHECK_EQ_INT(ev, chain_tx(cs, id_e));
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, id_e, 0));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, E_GOT);
    CHECK_EQ_INT(e->probable, E_GOT);
    CHECK_EQ_INT(e->rule, CW_RULE_RELINK_CARRIED);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_hd, 0)), 0);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_hr, 0)), 0);
    /* the walk's coins are marked: R1:3..6 */
    json_t *j = cw_trace_json(t, 10, 1000);
    REQUIRE(j != NULL);
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
    cw_trace_free(b);
}

/* The rule disabled (one-to-one mixes only): E gets nothing, R1's ranking gives P's value to
 * A1..A3's outputs and none to the thief's. This fails with the rule on. */
static void test_without(void)
{
    cw_trace *t = run(CW_TRACE__NO_CARRY_MANY);
    CHECK_EQ_INT(cw_trace_stats_get(t)->relink_carried, 0);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_e, 0)), 0);
    for (uint32_t j = 4; j <= 7; j++)
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_r1, j)), 0);
    cw_trace_free(t);
}

/* Pass 2 restarted at the first tx the re-links change (R1, a wrounds round) = the full
 * replay. */
static void test_incremental(void)
{
    cw_trace *a = run(0), *b = run(CW_TRACE__REPLAY);
    REQUIRE(cw_trace_n_ends(a) == cw_trace_n_ends(b));
    for (size_t i = 0; i < cw_trace_n_ends(a); i++) {
        const cw_trace_end *x = cw_trace_end_at(a, i), *y = cw_trace_end_at(b, i);
        CHECK(x->kind == y->kind && x->out == y->out && x->amount == y->amount &&
              x->probable == y->probable && x->rule == y->rule);
    }
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
    RUN(test_rounds_flagged);
    RUN(test_carried);
    RUN(test_without);
    RUN(test_incremental);
    cw_trace_labelmap_free(lm);
    cw_chainstore_close(cs);
    return cw_test_done();
}
