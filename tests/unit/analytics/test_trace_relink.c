/*
 * test_trace_relink.c: re-linking (docs/TRACE-MODELS.md, "Re-linking", the worked example) on
 * hand-made regtest blocks: a thief's 10 BTC coin pays three Whirlpool premixes (0.01 BTC
 * pool), 0.2 BTC to its exchange deposit address X (labelled exchange_deposit) and keeps its
 * "toxic" change T. Premix 1 goes through mix M1, its output through mix M2, and that output
 * is spent together with T into a deposit D (relinked-cospend at D, then relinked-remix back
 * through M2 to M1). Premix 2's mix M3 pays one output to T's address (relinked-address).
 * Premix 3's mix M4 has an output later paid alone to X by tx E (relinked-address: the same
 * deposit account). An honest participant of M1 deposits its output alone.
 * Checked to the satoshi, with the default options and with --relink off:
 *   - with re-linking D carries T + 1,000,000 sat, 1,000,000 of them probable
 *     (relinked-cospend), E 999,000 (relinked-address), the honest deposit nothing, M3's
 *     re-linked output 1,000,000;
 *   - without it (probable floor 0) each equal output of M1, M3 and M4 carries 200,000 sat,
 *     the honest deposit and E 199,800 probable (the rest to their fees), D only T + 40,000
 *     (a fifth of M2's fifth); at the default floor (0.25) the fifths are not followed.
 * Value is conserved either way. The block builder is tiny_chain.h (test_patterns_shapes.c
 * has its own copy).
 * The re-linking pass restarts at the first tx the re-links change (trace.c, rewind_to):
 * test_incremental checks that its result (every end, the statistics, the JSON) equals the
 * full replay from the sources, under each CoinJoin policy and floor, with four re-linked
 * rounds (M1..M4) and the restart after the first tx.
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
static cw_trace_labelmap *lm; /* kx: exchange_deposit */

#include "tiny_chain.h"

/* ------------------------------------------------------------------ the example */

enum { DENOM = 1000000, EXTRA = 1170 };

static coin stolen, hon[16], hpre;
static uint64_t kx; /* the thief's exchange deposit address (labelled exchange_deposit) */
static uint8_t id_a[32], id_m1[32], id_m2[32], id_m3[32], id_m4[32], id_d[32], id_e[32], id_h[32];
enum { T_VALUE = 976986490 }; /* A's change */

/* a 5 x 5 Whirlpool mix: ins (the first is the premix that pays the fee), outputs of DENOM to
 * keys (the coins go to outs) */
static void build_world(const char *out_dir)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);

    /* block 1: the stolen coin, honest postmix coins and one honest premix */
    block_begin();
    fund(&stolen, 1000000000ULL, 0);
    for (int i = 0; i < 16; i++)
        fund(&hon[i], DENOM, 0);
    fund(&hpre, DENOM + EXTRA, 0);
    block_end();

    /* block 2: A, the thief's Tx0-like split: three premixes, 0.2 BTC to its exchange deposit
     * address kx and the toxic change T */
    block_begin();
    coin a_out[5];
    uint64_t kp1 = new_key(), kp2 = new_key(), kp3 = new_key(), kt = new_key();
    kx = new_key();
    gen_tx_reset(&tx);
    add_in(&tx, &stolen);
    add_out(&tx, DENOM + EXTRA, kp1);
    add_out(&tx, DENOM + EXTRA, kp2);
    add_out(&tx, T_VALUE, kt);
    add_out(&tx, DENOM + EXTRA, kp3);
    add_out(&tx, 20000000, kx);
    REQUIRE(1000000000ULL - 3 * (DENOM + EXTRA) - 20000000 - 10000 == T_VALUE);
    block_tx(&tx, a_out);
    last_txid(id_a);
    block_end();
    a_out[0].key = kp1;
    a_out[1].key = kp2;
    a_out[2].key = kt;
    a_out[3].key = kp3;

    /* block 3: M1 (premix 1 + 4 honest remixes) and M3 (premix 2 + 4 honest remixes; its
     * output 1 paid to T's address) */
    block_begin();
    coin m1[5], m3[5];
    coin *in1[5] = {&a_out[0], &hon[0], &hon[1], &hon[2], &hon[3]};
    uint64_t k1[5] = {new_key(), new_key(), new_key(), new_key(), new_key()};
    chain_mix5(&tx, in1, k1, DENOM, m1);
    last_txid(id_m1);
    coin *in3[5] = {&a_out[1], &hon[4], &hon[5], &hon[6], &hon[7]};
    uint64_t k3[5] = {new_key(), kt, new_key(), new_key(), new_key()};
    chain_mix5(&tx, in3, k3, DENOM, m3);
    last_txid(id_m3);
    coin m4[5];
    coin *in4[5] = {&a_out[3], &hon[12], &hon[13], &hon[14], &hon[15]};
    uint64_t k4[5] = {new_key(), new_key(), new_key(), new_key(), new_key()};
    chain_mix5(&tx, in4, k4, DENOM, m4);
    last_txid(id_m4);
    block_end();

    /* block 4: M2 (an honest premix, the thief's M1 output 3, 3 honest remixes); the honest
     * owner of M1 output 0 deposits it alone */
    block_begin();
    coin m2[5];
    coin *in2[5] = {&hpre, &hon[8], &m1[3], &hon[9], &hon[10]};
    uint64_t k2[5] = {new_key(), new_key(), new_key(), new_key(), new_key()};
    chain_mix5(&tx, in2, k2, DENOM, m2);
    last_txid(id_m2);
    chain_pay_alone(&tx, &m1[0], DENOM - 1000, new_key(), id_h);
    block_end();

    /* block 5: D, the thief spends M2 output 4 together with T into one deposit (no fee) */
    block_begin();
    gen_tx_reset(&tx);
    add_in(&tx, &m2[4]);
    add_in(&tx, &a_out[2]);
    add_out(&tx, DENOM + a_out[2].value, new_key());
    block_tx(&tx, NULL);
    last_txid(id_d);
    /* E: M4's output 2, alone, to the thief's deposit address kx (fee 1,000) */
    chain_pay_alone(&tx, &m4[2], DENOM - 1000, kx, id_e);
    block_end();

    gen_tx_deinit(&tx);
    chain_write(out_dir);
}

static void test_build_world(void)
{
    build_world(dir);
}

/* ------------------------------------------------------------------ checks */

/* The CLI's stops with --labels: re-linking acts only in a trace that stops at the cash-outs
 * (cw_trace_relink_guarded). */
static void cli_stops(cw_trace_opts *o)
{
    o->stop[0] = "exchange";
    o->stop[1] = "exchange_deposit";
    o->n_stop = 2;
}

static cw_trace *run(bool relink, double floor)
{
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    cli_stops(&o);
    CHECK(o.relink);
    o.relink = relink;
    o.probable_floor = floor;
    /* the source: the stolen coin, the coinbase output that A spends */
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, chain_tx(cs, id_a), &i0, &i1, &o0, &o1);
    const cw_row_in *r = cw_chainstore_in(cs, i0);
    uint64_t s = cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout;
    cw_trace *t = NULL;
    if (cw_trace_run(&t, cs, lm, &s, 1, &o) != 0) {
        CHECK(!"cw_trace_run failed");
        fprintf(stderr, "trace: %s\n", cw_error_last());
        exit(cw_test_done());
    }
    /* conservation */
    CHECK_EQ_INT(chain_ended(t), 1000000000LL);
    return t;
}

static void test_mixes_flagged(void)
{
    const uint8_t *m[3] = {id_m1, id_m2, id_m3};
    for (int i = 0; i < 3; i++)
        CHECK(cw_patterns_multi_owner(cw_patterns_compute(cs, chain_tx(cs, m[i]))));
    CHECK(!cw_patterns_multi_owner(cw_patterns_compute(cs, chain_tx(cs, id_d))));
}

static void test_relinked(void)
{
    cw_trace *t = run(true, 0.25);
    const cw_trace_stats *st = cw_trace_stats_get(t);
    /* M2:4 (cospend), M1:3 (remix), M3:1 (address), M4:2 (address: the deposit account) */
    CHECK_EQ_INT(st->relinked, 4);
    CHECK_EQ_INT(st->relink_cospends, 1);
    uint64_t d = chain_out(cs, id_d, 0), h = chain_out(cs, id_h, 0), m3 = chain_out(cs, id_m3, 1);
    const cw_trace_end *e = chain_end_at(t, d);
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->kind, CW_END_UNSPENT);
    CHECK_EQ_INT(e->amount, T_VALUE + DENOM);
    CHECK_EQ_INT(e->probable, 1000000);
    CHECK_EQ_INT(e->rule, CW_RULE_RELINK_COSPEND);
    CHECK(chain_end_at(t, h) == NULL);
    CHECK_EQ_INT(cw_trace_amount_at(t, h), 0);
    for (uint32_t j = 0; j < 5; j++) {
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_m1, j)), j == 3 ? DENOM : 0);
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_m2, j)), j == 4 ? DENOM : 0);
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_m3, j)), j == 1 ? DENOM : 0);
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_m4, j)), j == 2 ? DENOM : 0);
    }
    e = chain_end_at(t, chain_out(cs, id_e, 0));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, DENOM - 1000);
    CHECK_EQ_INT(e->probable, DENOM - 1000);
    CHECK_EQ_INT(e->rule, CW_RULE_RELINK_ADDRESS);
    e = chain_end_at(t, m3);
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->probable, DENOM);
    CHECK_EQ_INT(e->rule, CW_RULE_RELINK_ADDRESS);
    CHECK_EQ_STR(cw_trace_rule_name(e->rule), "relinked-address");
    /* the JSON names the rule and the evidence of each re-linked output */
    json_t *j = cw_trace_json(t, 10, 1000);
    REQUIRE(j != NULL);
    char *txt = json_dumps(j, JSON_COMPACT);
    CHECK(strstr(txt, "\"relinked-remix\"") != NULL);
    CHECK(strstr(txt, "\"relinked-cospend\"") != NULL);
    free(txt);
    json_decref(j);
    cw_trace_free(t);
}

static void test_without(void)
{
    cw_trace *t = run(false, 0.0);
    CHECK_EQ_INT(cw_trace_stats_get(t)->relinked, 0);
    uint64_t d = chain_out(cs, id_d, 0), h = chain_out(cs, id_h, 0);
    for (uint32_t j = 0; j < 5; j++) {
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_m1, j)), DENOM / 5);
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_m3, j)), DENOM / 5);
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_m4, j)), DENOM / 5);
    }
    CHECK_EQ_INT(chain_end_at(t, chain_out(cs, id_e, 0))->amount, 199800);
    /* the honest deposit pays a 1,000 sat fee: the spread fifth is shared by the deposit
     * (999,000 of the coin's 1,000,000) and the fee */
    const cw_trace_end *e = chain_end_at(t, h);
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, 199800);
    CHECK_EQ_INT(e->probable, 199800);
    CHECK_EQ_INT(e->rule, CW_RULE_CJ_RANK);
    e = chain_end_at(t, d);
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, (long long)T_VALUE + 40000); /* a fifth of M2's fifth */
    CHECK_EQ_INT(e->probable, 40000);
    cw_trace_free(t);
    /* default floor, no re-linking: the fifths are not followed (dust) */
    t = run(false, 0.25);
    CHECK(chain_end_at(t, h) == NULL);
    e = chain_end_at(t, d);
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, T_VALUE);
    CHECK_EQ_INT(e->probable, 0);
    cw_trace_free(t);
}

/* The JSON of a result without its timing. */
static char *json_of(const cw_trace *t)
{
    json_t *j = cw_trace_json(t, 1000, 100000);
    if (!j)
        return NULL;
    json_t *st = json_object_get(j, "stats");
    if (st)
        json_object_del(st, "seconds");
    json_object_del(j, "seconds");
    char *txt = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return txt;
}

/* Pass 2 restarted where the re-links change something = pass 2 replayed from the sources. */
static void test_incremental(void)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, chain_tx(cs, id_a), &i0, &i1, &o0, &o1);
    const cw_row_in *r = cw_chainstore_in(cs, i0);
    uint64_t s = cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout;
    const cw_trace_coinjoin pol[3] = {CW_CJ_RANK, CW_CJ_PROPORTIONAL, CW_CJ_ORDER};
    const double floors[2] = {0.25, 0.0};
    for (int p = 0; p < 3; p++)
        for (int f = 0; f < 2; f++) {
            cw_trace_opts o;
            cw_trace_opts_init(&o);
            cli_stops(&o);
            o.coinjoin = pol[p];
            o.probable_floor = floors[f];
            cw_trace *a = NULL, *b = NULL;
            REQUIRE(cw_trace__run(&a, cs, lm, &s, 1, &o, 0) == 0);
            REQUIRE(cw_trace__run(&b, cs, lm, &s, 1, &o, CW_TRACE__REPLAY) == 0);
            const cw_trace_stats *sa = cw_trace_stats_get(a), *sb = cw_trace_stats_get(b);
            /* 4 under rank and proportional; 3 under order: M1 gives P1's value to its first
             * outputs, none enters M2, so O2 (co-spent with T in D) is an output of a round no
             * traced value entered; relinked-carried walks M2 back to M1 (O1 is M2's only
             * input that leads to a coin the trace reached, P1) and re-links O2 (until stop 22
             * it was not re-linked: 2) */
            CHECK_EQ_INT(sa->relinked, p == 2 ? 3 : 4);
            CHECK_EQ_INT(sa->relinked, sb->relinked);
            /* restarted after A (the first tx), before the last tx pass 1 processed */
            CHECK(a->relink_restart > 0);
            CHECK(a->relink_restart < b->n_txr);
            CHECK_EQ_INT(sa->txs, sb->txs);
            CHECK_EQ_INT(sa->edges, sb->edges);
            CHECK_EQ_INT(sa->nodes, sb->nodes);
            CHECK_EQ_INT(sa->intervals, sb->intervals);
            CHECK_EQ_INT(sa->max_hop, sb->max_hop);
            CHECK_EQ_INT(sa->coinjoins, sb->coinjoins);
            CHECK_EQ_INT(sa->coinjoin_in, sb->coinjoin_in);
            CHECK_EQ_INT(sa->probable, sb->probable);
            CHECK_EQ_INT(sa->relink_cospends, sb->relink_cospends);
            REQUIRE(cw_trace_n_ends(a) == cw_trace_n_ends(b));
            for (size_t i = 0; i < cw_trace_n_ends(a); i++) {
                const cw_trace_end *x = cw_trace_end_at(a, i), *y = cw_trace_end_at(b, i);
                CHECK(x->kind == y->kind && x->out == y->out && x->tx == y->tx &&
                      x->addr == y->addr && x->amount == y->amount && x->hop == y->hop &&
                      x->node == y->node && x->probable == y->probable && x->rule == y->rule);
            }
            char *ja = json_of(a), *jb = json_of(b);
            REQUIRE(ja && jb);
            CHECK_EQ_STR(ja, jb);
            free(ja);
            free(jb);
            cw_trace_free(a);
            cw_trace_free(b);
        }
}

int main(void)
{
    int rc = CHAIN_SETUP(test_build_world, dir, store, &cs);
    if (rc)
        return rc;
    /* the label: kx is an exchange deposit address (found through E's output) */
    if (!chain_label(dir, cs, chain_out(cs, id_e, 0), "Krakenish", "exchange_deposit", &lm))
        return 1;
    (void)kx;
    RUN(test_mixes_flagged);
    RUN(test_relinked);
    RUN(test_without);
    RUN(test_incremental);
    cw_trace_labelmap_free(lm);
    cw_chainstore_close(cs);
    return cw_test_done();
}
