/*
 * test_trace_relink_funding.c: relinked-funding (docs/TRACE-MODELS.md, "Re-linking", the
 * funding bound) on a hand-made Wasabi 2 round R of 14 inputs and 122 outputs (standard
 * denominations, sorted by value, 1,500 sat of fee per input):
 *   - the thief's stolen coin S (10 BTC + 1,500 sat, the source) pays 100 outputs of 0.1 BTC;
 *   - honest A (1 BTC + 1,500) takes one output of 1 BTC; honest whale W brings 3 coins of
 *     0.5 BTC + 1,500 and takes 3 outputs of 0.5 BTC; 9 honest parties bring 0.1 BTC + 1,500
 *     each and take 2 outputs of 0.05 BTC.
 * The round's 10 largest untraced inputs sum to 310,015,000 sat. Later:
 *   - F: the thief spends 40 of its outputs (4 BTC) together into its exchange deposit address
 *     (labelled exchange_deposit; fee 1,000): more than any party without a traced input could
 *     have taken, so the 40 are re-linked (relinked-funding, evidence F);
 *   - G: the thief spends 20 others (2 BTC) together: under the bound, not re-linked;
 *   - WS: the whale spends its 3 outputs (1.5 BTC) together: under the bound, not re-linked;
 *   - H: an honest party spends its 2 outputs together: not re-linked, no traced value.
 * rank gives S's value to the largest outputs first (A's, then W's, then a 75 % share of each
 * 0.1 BTC output), so without the rule F carries 40 x 7,500,000 sat - its fee share; with it
 * F carries its whole 399,999,000 sat (probable, relinked-funding) and the JSON names what the
 * rule rests on (the owner's outputs against the bound). The test fails with the rule removed
 * (F's amount and rule) and with a bound of fewer inputs (WS re-linked).
 *
 * A second round R2 checks the order when the round's traced value is short: a stolen coin
 * S2 (6 BTC) and the thief's own 4 BTC + 1,500 sat pay its change T2 (1 BTC, certain: an
 * anchor) and X (9 BTC + 1,500, 5 BTC traced). X enters R2 with 10 honest coins of 0.1 BTC +
 * 1,500 (each takes 0.05, 0.02, 0.02 and 0.01 BTC) and takes 90 outputs of 0.1 BTC, the last
 * paid to T2's address (relinked-address);
 * F2 spends 60 of the others together (6 BTC > the bound 100,015,000 sat: relinked-funding).
 * R2 received 5 BTC of traced value, less than the re-linked outputs: the output with direct
 * evidence (the address) gets its whole 0.1 BTC first, relinked-funding's the rest (without
 * that order it got nothing).
 *
 * A third round R3 checks the share when the round's traced value is short of the outputs with
 * direct evidence: a stolen coin S3 (3 BTC) and the thief's own 2 BTC + 1,500 sat pay T3 (1 BTC,
 * certain: an anchor) to the thief's exchange deposit address D3 (labelled exchange_deposit) and
 * X3 (4 BTC + 1,500, 2 BTC traced). X3 enters R3 with 10 honest coins of 0.1 BTC + 1,500 (each
 * takes two outputs of 0.05 BTC) and takes 40 outputs of 0.1 BTC; the thief deposits them all at
 * D3: E1 spends 20, E2 19, E3 the last one (relinked-address, the deposit account: 40 direct
 * re-links worth 4 BTC against about 2 BTC of traced value). Each gets half of its value, so E3
 * is reached too (before, the first 20 took it all in output order and E2 and E3 got nothing);
 * and at a probable floor of 0.6 the half shares are still followed (a re-linked output's holder
 * is known), where a sliver of an honest output would not be. A3 also dusts ten addresses (1,000
 * sat each, the first 10,000 sat of S3), the last an honest customer's deposit address H
 * (labelled exchange_deposit), where that customer later deposits its own R3 output (HD): the
 * dust is no anchor, so HD is not re-linked and gets nothing (before, H counted as the thief's
 * deposit account and HD took a share).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/analytics/trace_int.h"
#include "chainwatch/btc/address.h"
#include "chainwatch/btc/block.h"
#include "chainwatch/btc/ingest.h"
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
static cw_trace_labelmap *lm; /* F's output address: exchange_deposit */

#include "tiny_chain.h"

enum { FEE_IN = 1500, N_TH = 100, N_H = 9, N_F = 40, N_G = 20 };
#define BTC 100000000ULL
#define BOUND (BTC + 3 * (BTC / 2) + 6 * (BTC / 10) + 10 * FEE_IN)

static coin s_coin, a_coin, w_coin[3], h_coin[N_H];
static uint8_t id_r[32], id_f[32], id_g[32], id_ws[32], id_h[32];
static coin s2_coin, c2_coin, h2_coin[10];
static uint8_t id_a2[32], id_r2[32], id_f2[32];
enum { N_TH2 = 90, N_F2 = 60 };
static coin s3_coin, c3_coin, h3_coin[10];
static uint8_t id_a3[32], id_r3[32], id_e3[3][32], id_hd[32];
enum { N_TH3 = 40 };

static void build_world(const char *out_dir)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);

    block_begin();
    fund(&s_coin, 10 * BTC + FEE_IN, 0);
    fund(&a_coin, BTC + FEE_IN, 0);
    for (int i = 0; i < 3; i++)
        fund(&w_coin[i], BTC / 2 + FEE_IN, 0);
    for (int i = 0; i < N_H; i++)
        fund(&h_coin[i], BTC / 10 + FEE_IN, 0);
    fund(&s2_coin, 6 * BTC, 0);
    fund(&c2_coin, 4 * BTC + FEE_IN, 0);
    for (int i = 0; i < 10; i++)
        fund(&h2_coin[i], BTC / 10 + FEE_IN, 0);
    fund(&s3_coin, 3 * BTC, 0);
    fund(&c3_coin, 2 * BTC + FEE_IN + 10 * 1000, 0);
    for (int i = 0; i < 10; i++)
        fund(&h3_coin[i], BTC / 10 + FEE_IN, 0);
    block_end();

    /* R: inputs and outputs sorted by value, as Wasabi 2 does */
    block_begin();
    gen_tx_reset(&tx);
    add_in(&tx, &s_coin);
    add_in(&tx, &a_coin);
    for (int i = 0; i < 3; i++)
        add_in(&tx, &w_coin[i]);
    for (int i = 0; i < N_H; i++)
        add_in(&tx, &h_coin[i]);
    static coin r[1 + 3 + N_TH + 2 * N_H];
    uint64_t keys[1 + 3 + N_TH + 2 * N_H];
    size_t n = 0;
    keys[n] = new_key();
    add_out(&tx, BTC, keys[n++]);
    for (int i = 0; i < 3; i++) {
        keys[n] = new_key();
        add_out(&tx, BTC / 2, keys[n++]);
    }
    for (int i = 0; i < N_TH; i++) {
        keys[n] = new_key();
        add_out(&tx, BTC / 10, keys[n++]);
    }
    for (int i = 0; i < 2 * N_H; i++) {
        keys[n] = new_key();
        add_out(&tx, BTC / 20, keys[n++]);
    }
    block_tx(&tx, r);
    last_txid(id_r);
    for (size_t i = 0; i < n; i++)
        r[i].key = keys[i];
    block_end();

    block_begin();
    /* F: 40 of the thief's outputs (R:4..43) to its deposit address */
    gen_tx_reset(&tx);
    for (int i = 0; i < N_F; i++)
        add_in(&tx, &r[4 + i]);
    add_out(&tx, N_F * (BTC / 10) - 1000, new_key());
    block_tx(&tx, NULL);
    last_txid(id_f);
    /* G: 20 others (R:44..63) */
    gen_tx_reset(&tx);
    for (int i = 0; i < N_G; i++)
        add_in(&tx, &r[4 + N_F + i]);
    add_out(&tx, N_G * (BTC / 10) - 1000, new_key());
    block_tx(&tx, NULL);
    last_txid(id_g);
    /* WS: the whale's 3 outputs (R:1..3) */
    gen_tx_reset(&tx);
    for (int i = 0; i < 3; i++)
        add_in(&tx, &r[1 + i]);
    add_out(&tx, 3 * (BTC / 2) - 1000, new_key());
    block_tx(&tx, NULL);
    last_txid(id_ws);
    /* H: the first honest small party's 2 outputs */
    gen_tx_reset(&tx);
    add_in(&tx, &r[4 + N_TH]);
    add_in(&tx, &r[4 + N_TH + 1]);
    add_out(&tx, BTC / 10 - 1000, new_key());
    block_tx(&tx, NULL);
    last_txid(id_h);
    block_end();

    /* the second round: A2 (T2 and X), R2, F2 */
    block_begin();
    gen_tx_reset(&tx);
    add_in(&tx, &s2_coin);
    add_in(&tx, &c2_coin);
    uint64_t kt2 = new_key(), kx2 = new_key();
    add_out(&tx, BTC, kt2);
    add_out(&tx, 9 * BTC + FEE_IN, kx2);
    coin a2[2];
    block_tx(&tx, a2);
    last_txid(id_a2);
    a2[1].key = kx2;
    gen_tx_reset(&tx);
    add_in(&tx, &a2[1]);
    for (int i = 0; i < 10; i++)
        add_in(&tx, &h2_coin[i]);
    /* each honest party: 0.05, 0.02, 0.02 and 0.01 BTC (sorted by value) */
    static const uint64_t hv[4] = {BTC / 20, BTC / 50, BTC / 50, BTC / 100};
    static coin r2[N_TH2 + 40];
    uint64_t k2[N_TH2 + 40];
    for (int i = 0; i < N_TH2 + 40; i++) {
        k2[i] = i == N_TH2 - 1 ? kt2 : new_key();
        int h = i - N_TH2;
        add_out(&tx, h < 0 ? BTC / 10 : hv[h < 10 ? 0 : h < 30 ? 1 : 3], k2[i]);
    }
    block_tx(&tx, r2);
    last_txid(id_r2);
    for (int i = 0; i < N_TH2 + 40; i++)
        r2[i].key = k2[i];
    gen_tx_reset(&tx);
    for (int i = 0; i < N_F2; i++)
        add_in(&tx, &r2[i]);
    add_out(&tx, N_F2 * (BTC / 10) - 1000, new_key());
    block_tx(&tx, NULL);
    last_txid(id_f2);
    block_end();

    /* the third round: A3 (T3 to D3, X3), R3, the deposits E1..E3 at D3 */
    block_begin();
    gen_tx_reset(&tx);
    add_in(&tx, &s3_coin);
    add_in(&tx, &c3_coin);
    uint64_t kd3 = new_key(), kx3 = new_key(), kh3 = new_key();
    for (int i = 0; i < 10; i++) /* a dusting campaign: the last to honest H's deposit address */
        add_out(&tx, 1000, i == 9 ? kh3 : new_key());
    add_out(&tx, BTC, kd3);
    add_out(&tx, 4 * BTC + FEE_IN, kx3);
    coin a3[12];
    block_tx(&tx, a3);
    last_txid(id_a3);
    a3[11].key = kx3;
    gen_tx_reset(&tx);
    add_in(&tx, &a3[11]);
    for (int i = 0; i < 10; i++)
        add_in(&tx, &h3_coin[i]);
    static coin r3[N_TH3 + 20];
    uint64_t k3[N_TH3 + 20];
    for (int i = 0; i < N_TH3 + 20; i++) {
        k3[i] = new_key();
        add_out(&tx, i < N_TH3 ? BTC / 10 : BTC / 20, k3[i]);
    }
    block_tx(&tx, r3);
    last_txid(id_r3);
    for (int i = 0; i < N_TH3 + 20; i++)
        r3[i].key = k3[i];
    static const int e3_from[3] = {0, 20, 39}, e3_n[3] = {20, 19, 1};
    for (int e = 0; e < 3; e++) {
        gen_tx_reset(&tx);
        for (int i = 0; i < e3_n[e]; i++)
            add_in(&tx, &r3[e3_from[e] + i]);
        add_out(&tx, (uint64_t)e3_n[e] * (BTC / 10) - 1000, kd3);
        block_tx(&tx, NULL);
        last_txid(id_e3[e]);
    }
    /* HD: an honest party deposits its R3 output at H, the dusted deposit account */
    chain_pay_alone(&tx, &r3[N_TH3], BTC / 20 - 1000, kh3, id_hd);
    block_end();

    gen_tx_deinit(&tx);
    chain_write(out_dir);
}

static void test_build_world(void)
{
    build_world(dir);
}

/* Forward FIFO from output s, stopping at the exchanges' labels; checks conservation. */
static cw_trace *run_src(uint64_t s, bool relink, double floor, uint64_t total)
{
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.stop[0] = "exchange";
    o.stop[1] = "exchange_deposit";
    o.n_stop = 2;
    o.relink = relink;
    o.probable_floor = floor;
    cw_trace *t = NULL;
    if (cw_trace_run(&t, cs, lm, &s, 1, &o) != 0) {
        CHECK(!"cw_trace_run failed");
        fprintf(stderr, "trace: %s\n", cw_error_last());
        exit(cw_test_done());
    }
    CHECK_EQ_INT(chain_ended(t), total); /* conservation */
    return t;
}

/* From the coin the first input of first_tx spends, at the default floor. */
static cw_trace *run_from(const uint8_t *first_tx, bool relink, uint64_t total)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, chain_tx(cs, first_tx), &i0, &i1, &o0, &o1);
    const cw_row_in *in = cw_chainstore_in(cs, i0);
    uint64_t s = cw_chainstore_tx_first_out(cs, in->spent_tx) + in->spent_vout;
    return run_src(s, relink, 0.25, total);
}

static cw_trace *run(bool relink)
{
    return run_from(id_r, relink, 10 * BTC + FEE_IN);
}

static void test_round_flagged(void)
{
    uint32_t f = cw_patterns_compute(cs, chain_tx(cs, id_r));
    CHECK(f & CW_PAT_WASABI2);
    CHECK(!cw_patterns_multi_owner(cw_patterns_compute(cs, chain_tx(cs, id_f))));
}

static bool linked(const cw_trace *t, const uint8_t *txid, uint32_t vout, uint8_t *rule,
                   uint64_t *ev)
{
    return cw_trace__link(t, chain_out(cs, txid, vout), rule, ev);
}

static void test_funding(void)
{
    cw_trace *t = run(true);
    const cw_trace_stats *st = cw_trace_stats_get(t);
    CHECK_EQ_INT(st->relink_funding, N_F);
    CHECK_EQ_INT(st->relinked, N_F);
    uint8_t rule;
    uint64_t ev, fv, fb;
    for (uint32_t v = 0; v < 4 + N_TH + 2 * N_H; v++) {
        bool in_f = v >= 4 && v < 4 + N_F;
        CHECK(linked(t, id_r, v, &rule, &ev) == in_f);
        if (in_f) {
            CHECK_EQ_INT(rule, CW_RULE_RELINK_FUNDING);
            CHECK_EQ_INT(ev, chain_tx(cs, id_f));
            CHECK(cw_trace__funding(t, chain_out(cs, id_r, v), &fv, &fb));
            CHECK_EQ_INT(fv, N_F * (BTC / 10));
            CHECK_EQ_INT(fb, BOUND);
        }
    }
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, id_f, 0));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, N_F * (BTC / 10) - 1000);
    CHECK_EQ_INT(e->probable, N_F * (BTC / 10) - 1000);
    CHECK_EQ_INT(e->rule, CW_RULE_RELINK_FUNDING);
    CHECK_EQ_STR(cw_trace_rule_name(e->rule), "relinked-funding");
    /* the honest small party's co-spend stays clean */
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_h, 0)), 0);
    /* the JSON names the rule, its evidence and what it rests on */
    json_t *j = cw_trace_json(t, 10, 1000);
    REQUIRE(j != NULL);
    char *txt = json_dumps(j, JSON_COMPACT);
    CHECK(strstr(txt, "\"relinked-funding\"") != NULL);
    char want[96];
    snprintf(want, sizeof want, "\"untraced_top10_inputs\":%llu", (unsigned long long)BOUND);
    CHECK(strstr(txt, want) != NULL);
    CHECK(strstr(txt, "\"owner_outputs\":4000000000") == NULL);
    CHECK(strstr(txt, "\"owner_outputs\":400000000") != NULL);
    CHECK_EQ_INT(json_integer_value(json_object_get(
                     json_object_get(json_object_get(j, "probable"), "relinked"), "funding")),
                 N_F);
    free(txt);
    json_decref(j);
    cw_trace_free(t);
}

static void test_without(void)
{
    cw_trace *t = run(false);
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, id_f, 0));
    REQUIRE(e != NULL);
    CHECK(e->amount < N_F * (BTC / 10) - 1000);
    CHECK(e->rule != CW_RULE_RELINK_FUNDING);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_h, 0)), 0);
    cw_trace_free(t);
}

static void test_order(void)
{
    CHECK(cw_patterns_compute(cs, chain_tx(cs, id_r2)) & CW_PAT_WASABI2);
    cw_trace *t = run_from(id_a2, true, 6 * BTC);
    uint8_t rule;
    uint64_t ev, fv, fb;
    REQUIRE(linked(t, id_r2, N_TH2 - 1, &rule, &ev));
    CHECK_EQ_INT(rule, CW_RULE_RELINK_ADDRESS);
    for (uint32_t v = 0; v < N_F2; v++) {
        CHECK(linked(t, id_r2, v, &rule, &ev) && rule == CW_RULE_RELINK_FUNDING);
        CHECK(cw_trace__funding(t, chain_out(cs, id_r2, v), &fv, &fb) &&
              fb == 10 * (BTC / 10 + FEE_IN) && fv == N_F2 * (BTC / 10));
    }
    CHECK(!linked(t, id_r2, N_F2, &rule, &ev));
    /* the address's output first, whole; the round's traced value is short of F2's outputs */
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_r2, N_TH2 - 1)), BTC / 10);
    uint64_t f2 = cw_trace_amount_at(t, chain_out(cs, id_f2, 0));
    CHECK(f2 > 4 * BTC && f2 < 5 * BTC);
    cw_trace_free(t);
}

static void test_short_round(void)
{
    CHECK(cw_patterns_compute(cs, chain_tx(cs, id_r3)) & CW_PAT_COINJOIN);
    static const int e3_n[3] = {20, 19, 1};
    for (int pass = 0; pass < 2; pass++) {
        /* R3: 40 outputs re-linked by the deposit account, worth twice its traced value */
        cw_trace *t =
            run_src(chain_out(cs, s3_coin.txid, s3_coin.vout), true, pass ? 0.6 : 0.25, 3 * BTC);
        uint8_t rule;
        uint64_t ev;
        for (uint32_t v = 0; v < N_TH3 + 20; v++)
            CHECK(linked(t, id_r3, v, &rule, &ev) == (v < N_TH3));
        /* the round's traced value (X3's 2 BTC less the dust's 10,000 sat and the fee's first
         * 16,500) shared by value over the 40 outputs: 4,999,337 or 4,999,338 sat each */
        uint64_t R = 0;
        for (uint32_t v = 0; v < N_TH3; v++) {
            uint64_t a = cw_trace_amount_at(t, chain_out(cs, id_r3, v));
            CHECK(a == 4999337 || a == 4999338);
            R += a;
        }
        CHECK_EQ_INT(R, 2 * BTC - 10 * 1000 - 11 * FEE_IN);
        /* the dust at H is no anchor: H's own deposit is not the thief's account's */
        const cw_trace_end *dend = chain_end_at(t, chain_out(cs, id_a3, 9));
        REQUIRE(dend != NULL);
        CHECK_EQ_INT(dend->kind, CW_END_DUST);
        CHECK(!linked(t, id_r3, N_TH3, &rule, &ev));
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_hd, 0)), 0);
        for (uint32_t v = N_TH3; v < N_TH3 + 20; v++)
            CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_r3, v)), 0);
        /* every deposit reached, each just under half its value (the fees' shares), all
         * probable, by the rule */
        for (int e = 0; e < 3; e++) {
            const cw_trace_end *end = chain_end_at(t, chain_out(cs, id_e3[e], 0));
            REQUIRE(end != NULL);
            uint64_t half = (uint64_t)e3_n[e] * (BTC / 20);
            CHECK(end->amount > half - half / 500 && end->amount < half);
            CHECK_EQ_INT(end->probable, end->amount);
            CHECK_EQ_INT(end->rule, CW_RULE_RELINK_ADDRESS);
        }
        cw_trace_free(t);
    }
}

int main(void)
{
    int rc = CHAIN_SETUP(test_build_world, dir, store, &cs);
    if (rc)
        return rc;
    const uint64_t louts[3] = {chain_out(cs, id_f, 0), chain_out(cs, id_a3, 10),
                               chain_out(cs, id_a3, 9)};
    const char *const lents[3] = {"Krakenish", "Bitstampish", "Coinbasish"};
    const char *const lcats[3] = {"exchange_deposit", "exchange_deposit", "exchange_deposit"};
    if (!chain_labels(dir, "labels", cs, louts, lents, lcats, 3, &lm))
        return 1;
    RUN(test_round_flagged);
    RUN(test_funding);
    RUN(test_without);
    RUN(test_order);
    RUN(test_short_round);
    cw_trace_labelmap_free(lm);
    cw_chainstore_close(cs);
    return cw_test_done();
}
