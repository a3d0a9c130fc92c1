/*
 * test_trace_carry_unfed.c: relinked-carried's third pass (docs/TRACE-MODELS.md, "Remixed in a
 * Wasabi 2 round"), a neighbour of test_trace_carry_many.c on hand-made regtest blocks
 * (tiny_chain.h). A thief's stolen coin S (10 BTC) pays tx A: its mix coin P (0.3 BTC + 1,500
 * sat), 0.2 BTC to its exchange deposit address X (labelled exchange_deposit: an anchor's
 * address) and its change T (both certain: anchors).
 *   - R1 (a Wasabi 2 round the trace enters) = P, the thief's own untraced coin (0.3 BTC +
 *     1,500), honest A1..A3 (0.2 BTC + 1,500 each) and 9 honest coins of 0.1 BTC + 1,500; the
 *     thief takes 3 outputs of 0.2 BTC: R1:3 and R1:4 paid to T's address (relinked-address)
 *     and Q (R1:5), A1..A3 one of 0.2 BTC each, each other honest party 0.05 BTC, 4,194,304
 *     and 531,441 sat;
 *   - R2 (a Wasabi 2 round) = Q, one honest party's R1 output of 0.05 BTC (a remixer of R1)
 *     and 5 honest coins of 0.1 BTC + 1,500; the thief takes D (0.1 BTC), 2 x 4,194,304 and
 *     1,048,576 sat, the remixer 4,194,304 and 531,441, each new party 0.05 BTC, 4,194,304 and
 *     531,441;
 *   - E pays D alone to X (fee 1,000); honest owners deposit one R2 output each alone (HD, HR).
 * Pass 1: FIFO's ranking gives P's value to R1's 0.2 BTC outputs, Q among them, and Q carries
 * its share into R2: R2 was entered, so E's deposit into X re-links D (relinked-address), not
 * relinked-carried. Pass 2: R1 gives its traced value to its re-linked outputs R1:3 and R1:4
 * first (worth more than it), Q gets nothing, R2 is not entered and D gets nothing: the
 * deposit was missed even as probable. The third pass walks D as relinked-carried does a
 * round no traced value entered, on pass 2's result.
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
    fund(&own, 3 * BTC / 10 + FEE_IN, 0);
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

    /* R1: outputs sorted by value: A1..A3's 0.2 BTC (0..2), the thief's R1:3, R1:4 (to T's
     * address) and Q (5), then the honest parties' 0.05 BTC (6..14), 4,194,304 (15..23),
     * 531,441 (24..32) */
    block_begin();
    static coin r1[33], r2[23];
    uint64_t k1[33], k2[23];
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
    for (int i = 0; i < 2; i++) {
        k1[n] = kt; /* the thief's 0.2 BTC to its change T's address (relinked-address) */
        add_out(&tx, BTC / 5, k1[n++]);
    }
    k1[n] = new_key(); /* Q */
    add_out(&tx, BTC / 5, k1[n++]);
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

    /* R2: Q, the remixer's R1:6 and 5 new coins; outputs sorted by value: D 0.1 BTC (0), the
     * new parties' 0.05 BTC (1..5), 4,194,304 (6..13: the thief's 6, 7, the remixer's 8, the
     * new parties' 9..13), 1,048,576 (14: the thief's), 531,441 (15..20: the remixer's 15, the
     * new parties' 16..20) */
    block_begin();
    n = 0;
    gen_tx_reset(&tx);
    add_in(&tx, &r1[5]);
    add_in(&tx, &r1[0]);
    for (int i = 0; i < N_G; i++)
        add_in(&tx, &gco[i]);
    static const uint64_t ov[] = {BTC / 10, BTC / 10, BTC / 20, BTC / 20, BTC / 20, BTC / 20,
                                  BTC / 20, BTC / 20, P2_22,    P2_22,    P2_22,    P2_22,
                                  P2_22,    P2_22,    P2_22,    P2_22,    P2_20,    P3_12,
                                  P3_12,    P3_12,    P3_12,    P3_12,    P3_12};
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
    chain_pay_alone(&tx, &r2[0], BTC / 10 - 1000, kx, id_e);
    chain_pay_alone(&tx, &r2[2], BTC / 20 - 1000, new_key(), id_hd);
    chain_pay_alone(&tx, &r2[10], P2_22 - 1000, new_key(), id_hr);
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

/* D wants its 0.1 BTC from R2's live inputs by value (Q and A1's R1:0, 0.2 BTC each): 5,000,000
 * sat each. R1's traced value (27,512,205 sat) is short of R1:3's and R1:4's 0.2 BTC and those
 * wants: shared by want (R1:3 11,004,882, R1:4 11,004,882, R1:0 2,751,221, Q 2,751,220). R2
 * passes the funders' 5,502,441 sat on to D, less what R2's fee takes, and nothing to its other
 * outputs. */
enum { R1_RL = 11004882, W_0 = 2751221, W_Q = 2751220, D_GOT = 5197627, E_GOT = 5197107 };

static void test_carried(void)
{
    cw_trace *t = run(0), *b = run(CW_TRACE__NO_CARRY_UNFED);
    const cw_trace_stats *st = cw_trace_stats_get(t);
    CHECK_EQ_INT(st->relink_carried, 0); /* D keeps its re-link (relinked-address) */
    CHECK_EQ_INT(st->relink_carry_rounds, 1);
    CHECK_EQ_INT(st->relink_funders, 2); /* Q (the thief's), R1:0 (the remixer's) */
    for (uint32_t j = 0; j < 33; j++) {
        uint64_t o = chain_out(cs, id_r1, j);
        uint64_t want = j == 3 || j == 4 ? R1_RL : j == 0 ? W_0 : j == 5 ? W_Q : 0;
        if (want)
            CHECK_EQ_INT(cw_trace_amount_at(t, o), want);
        else /* no other output of R1 gets more than the rule before gave it */
            CHECK(cw_trace_amount_at(t, o) <= cw_trace_amount_at(b, o));
    }
    for (uint32_t j = 0; j < 23; j++)
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_r2, j)), j == 0 ? D_GOT : 0);
    uint8_t rule = 0;
    uint64_t ev = 0;
    CHECK(cw_trace__link(t, chain_out(cs, id_r2, 0), &rule, &ev));
    CHECK_EQ_INT(rule, CW_RULE_RELINK_ADDRESS);
    CHECK_EQ_INT(ev, chain_tx(cs, id_e));
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, id_e, 0));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, E_GOT);
    CHECK_EQ_INT(e->probable, E_GOT);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_hd, 0)), 0);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_hr, 0)), 0);
    /* the walk's coins are marked: Q and R1:0 */
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
    CHECK_EQ_INT(marked, 2);
    json_decref(j);
    cw_trace_free(t);
    cw_trace_free(b);
}

/* The rule before it: D is re-linked (pass 1 entered R2 through Q's and R1:0's shares), but
 * pass 2 gives R1's value to R1:3 and R1:4 (13,756,103 and 13,756,102), Q and R1:0 get
 * nothing, R2 is not entered and E gets nothing. This fails with the third pass on. */
static void test_without(void)
{
    cw_trace *t = run(CW_TRACE__NO_CARRY_UNFED);
    uint8_t rule = 0;
    uint64_t ev = 0;
    CHECK(cw_trace__link(t, chain_out(cs, id_r2, 0), &rule, &ev));
    CHECK_EQ_INT(cw_trace_stats_get(t)->relink_carry_rounds, 0);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_e, 0)), 0);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_r1, 0)), 0);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_r1, 5)), 0);
    cw_trace_free(t);
}

/* The third pass restarted at the first tx the re-links change = the full replay. */
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
