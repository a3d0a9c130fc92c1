/*
 * test_trace_regtest.c: the three trace models on BlockSci's labelled regtest chain
 * (btc-regtest-labeled-chain, its output.json names the taint-* txs), against values
 * computed by hand in docs/TRACE-MODELS.md and against BlockSci's own assertions
 * (test/blockscipy/test_taint.py, the taint_fee=False cases; FEE = 10,000 sat):
 *  - poison from taint-split-tx-1:0 to height 195 ends at 3 - 3 FEE, to the tip at 15 - 6 FEE;
 *    with taint-fund-tx-2:0 too, to 195: 15 - 5 FEE in two outputs;
 *  - haircut from taint-split-tx-1:0: 99,986,667 after merge-tx-1 (exact 99,986,666.78;
 *    BlockSci 99,986,665 with its per-hop rounding loss), 99,986,000 at the tip;
 *  - the mapping txs under each model, forward and backward, to the satoshi;
 *  - conservation (FIFO, haircut), max-hops, min-value, until-height, CoinJoin stop on the
 *    chain's simple CoinJoin; bad sources are errors.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/trace.h"
#include "harness.h"

#define FEE 10000ull

static cw_chainstore *cs;
static cw_trace_coinjoin cj_policy = CW_CJ_ORDER; /* the standard FIFO */
static cw_trace_is_coinjoin_fn cj_rule;           /* NULL: the pattern module's flags */
static double prob_floor = -1;                    /* < 0: the default */
static json_t *labels_json;

static const char *txid_of(const char *key)
{
    const char *s = json_string_value(json_object_get(labels_json, key));
    if (!s) {
        fprintf(stderr, "output.json: no key %s\n", key);
        exit(1);
    }
    return s;
}

/* the global output number of key's tx, output vout */
static uint64_t out_of(const char *key, unsigned vout)
{
    char from[96];
    snprintf(from, sizeof from, "%s:%u", txid_of(key), vout);
    cw_trace_sources s = {0};
    int rc = cw_trace_sources_add(&s, cs, NULL, from, UINT32_MAX);
    if (rc || s.n != 1) {
        fprintf(stderr, "%s: %s\n", from, cw_error_last());
        exit(1);
    }
    uint64_t o = s.outs[0];
    cw_trace_sources_deinit(&s);
    return o;
}

static cw_trace *run(const uint64_t *src, size_t n, cw_trace_model m, cw_trace_dir d,
                     uint32_t until)
{
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.model = m;
    o.coinjoin = cj_policy;
    o.is_coinjoin = cj_rule;
    if (prob_floor >= 0)
        o.probable_floor = prob_floor;
    o.direction = d;
    o.until_height = until;
    cw_trace *t = NULL;
    int rc = cw_trace_run(&t, cs, NULL, src, n, &o);
    if (rc) {
        fprintf(stderr, "trace: %s\n", cw_error_last());
        exit(1);
    }
    return t;
}

static uint64_t ended(const cw_trace *t, cw_trace_end_kind k, size_t *count)
{
    uint64_t v = 0;
    size_t c = 0;
    for (size_t i = 0; i < cw_trace_n_ends(t); i++) {
        const cw_trace_end *e = cw_trace_end_at(t, i);
        if (e->kind == k) {
            v += e->amount;
            c++;
        }
    }
    if (count)
        *count = c;
    return v;
}

static uint64_t total_ended(const cw_trace *t)
{
    uint64_t v = 0;
    for (size_t i = 0; i < cw_trace_n_ends(t); i++)
        v += cw_trace_end_at(t, i)->amount;
    return v;
}

static void test_poison_blocksci(void)
{
    uint64_t s1 = out_of("taint-split-tx-1", 0);
    size_t n;
    cw_trace *t = run(&s1, 1, CW_TRACE_POISON, CW_TRACE_FORWARD, 195);
    CHECK_EQ_INT(ended(t, CW_END_UNSPENT, &n), 300000000 - 3 * FEE);
    CHECK_EQ_INT(n, 1);
    cw_trace_free(t);
    t = run(&s1, 1, CW_TRACE_POISON, CW_TRACE_FORWARD, UINT32_MAX);
    CHECK_EQ_INT(ended(t, CW_END_UNSPENT, &n), 1500000000 - 6 * FEE);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(cw_trace_stats_get(t)->max_hop, 2);
    cw_trace_free(t);
    uint64_t two[2] = {s1, out_of("taint-fund-tx-2", 0)};
    t = run(two, 2, CW_TRACE_POISON, CW_TRACE_FORWARD, 195);
    CHECK_EQ_INT(ended(t, CW_END_UNSPENT, &n), 1500000000 - 5 * FEE);
    CHECK_EQ_INT(n, 2);
    cw_trace_free(t);
    t = run(two, 2, CW_TRACE_POISON, CW_TRACE_FORWARD, UINT32_MAX);
    CHECK_EQ_INT(ended(t, CW_END_UNSPENT, &n), 1500000000 - 6 * FEE);
    CHECK_EQ_INT(n, 1);
    cw_trace_free(t);
}

static void test_haircut_blocksci(void)
{
    uint64_t s1 = out_of("taint-split-tx-1", 0);
    cw_trace *t = run(&s1, 1, CW_TRACE_HAIRCUT, CW_TRACE_FORWARD, 195);
    /* 99,990,000 * 299,970,000 / 299,980,000 = 99,986,666.78; fee part 3,333.22: the spare
     * satoshi goes to the larger remainder (the output) */
    CHECK_EQ_INT(ended(t, CW_END_UNSPENT, NULL), 99986667);
    CHECK_EQ_INT(ended(t, CW_END_FEE, NULL), 3333);
    CHECK_EQ_INT(total_ended(t), 99990000);
    cw_trace_free(t);
    t = run(&s1, 1, CW_TRACE_HAIRCUT, CW_TRACE_FORWARD, UINT32_MAX);
    /* 99,986,667 * 1,499,940,000 / 1,499,950,000 = 99,986,000.41, fee 666.59 -> 667 */
    CHECK_EQ_INT(ended(t, CW_END_UNSPENT, NULL), 99986000);
    CHECK_EQ_INT(ended(t, CW_END_FEE, NULL), 3333 + 667);
    CHECK_EQ_INT(total_ended(t), 99990000);
    CHECK_EQ_INT(cw_trace_amount_at(t, out_of("taint-merge-tx-1", 0)), 99986667);
    cw_trace_free(t);
}

static void test_fifo_split_merge(void)
{
    /* split-tx-1:1 (199,990,000) is input 1 of merge-tx-1 after 99,990,000: it sits at
     * [99,990,000, 299,980,000) of an axis whose output takes [0, 299,970,000): the last
     * 10,000 sat are the fee */
    uint64_t s = out_of("taint-split-tx-1", 1);
    cw_trace *t = run(&s, 1, CW_TRACE_FIFO, CW_TRACE_FORWARD, UINT32_MAX);
    CHECK_EQ_INT(ended(t, CW_END_FEE, NULL), FEE);
    CHECK_EQ_INT(cw_trace_amount_at(t, out_of("taint-merge-tx-1", 0)), 199980000);
    /* merge-tx-3: input 0 is merge-tx-1:0 at [0, 299,970,000): traced [99,990,000,
     * 299,970,000), all inside output 0 [0, 1,499,940,000) */
    CHECK_EQ_INT(ended(t, CW_END_UNSPENT, NULL), 199980000);
    CHECK_EQ_INT(total_ended(t), 199990000);
    cw_trace_free(t);
    /* the fund tx's change-side: taint-fund-tx-2:0 is input 1 of merge-tx-2, after
     * 399,990,000; output 1,199,980,000: FIFO drops the last 10,000 (the fee) */
    s = out_of("taint-fund-tx-2", 0);
    t = run(&s, 1, CW_TRACE_FIFO, CW_TRACE_FORWARD, UINT32_MAX);
    CHECK_EQ_INT(ended(t, CW_END_FEE, NULL), 2 * FEE);
    CHECK_EQ_INT(ended(t, CW_END_UNSPENT, NULL), 800000000 - 2 * FEE);
    cw_trace_free(t);
}

static void test_mapping(void)
{
    uint64_t s = out_of("taint-mapping-fund-tx-2", 0);
    uint64_t m0 = out_of("taint-mapping-tx", 0), m1 = out_of("taint-mapping-tx", 1),
             m2 = out_of("taint-mapping-tx", 2);
    uint64_t c[6];
    for (unsigned i = 0; i < 6; i++)
        c[i] = out_of("taint-check-tx", i);
    /* poison: every output, whole */
    cw_trace *t = run(&s, 1, CW_TRACE_POISON, CW_TRACE_FORWARD, UINT32_MAX);
    CHECK_EQ_INT(cw_trace_amount_at(t, m1), 333330000);
    CHECK_EQ_INT(ended(t, CW_END_UNSPENT, NULL), 6 * 166660000ull);
    CHECK_EQ_INT(ended(t, CW_END_FEE, NULL), FEE + 3 * FEE);
    cw_trace_free(t);
    /* haircut: 4/10 of everything */
    t = run(&s, 1, CW_TRACE_HAIRCUT, CW_TRACE_FORWARD, UINT32_MAX);
    CHECK_EQ_INT(cw_trace_amount_at(t, m0), 133332000);
    CHECK_EQ_INT(cw_trace_amount_at(t, m2), 133332000);
    for (int i = 0; i < 6; i++)
        CHECK_EQ_INT(cw_trace_amount_at(t, c[i]), 66664000);
    CHECK_EQ_INT(ended(t, CW_END_FEE, NULL), 4000 + 12000);
    CHECK_EQ_INT(total_ended(t), 400000000);
    cw_trace_free(t);
    /* FIFO: traced [400M, 800M) of the mapping tx's axis */
    t = run(&s, 1, CW_TRACE_FIFO, CW_TRACE_FORWARD, UINT32_MAX);
    CHECK_EQ_INT(cw_trace_amount_at(t, m0), 0);
    CHECK_EQ_INT(cw_trace_amount_at(t, m1), 266660000);
    CHECK_EQ_INT(cw_trace_amount_at(t, m2), 133340000);
    uint64_t want[6] = {0, 0, 99980000, 166660000, 133360000, 0};
    for (int i = 0; i < 6; i++)
        CHECK_EQ_INT(cw_trace_amount_at(t, c[i]), want[i]);
    CHECK_EQ_INT(ended(t, CW_END_FEE, NULL), 0);
    CHECK_EQ_INT(total_ended(t), 400000000);
    cw_trace_free(t);
    /* FIFO backward from check-tx:3 [499,980,000, 666,640,000): all from mapping-tx:1,
     * whose range [333,330,000, 666,660,000) came from mapping-fund-tx-2:0, minted */
    t = run(&c[3], 1, CW_TRACE_FIFO, CW_TRACE_BACKWARD, UINT32_MAX);
    CHECK_EQ_INT(cw_trace_amount_at(t, m1), 166660000);
    CHECK_EQ_INT(cw_trace_amount_at(t, m0), 0);
    CHECK_EQ_INT(cw_trace_amount_at(t, s), 166660000);
    CHECK_EQ_INT(ended(t, CW_END_COINBASE, NULL), 166660000);
    cw_trace_free(t);
    /* FIFO backward from check-tx:2 [333,320,000, 499,980,000): 10,000 from mapping-tx:0's
     * tail, the rest from mapping-tx:1; mapping-tx:0 [333,320,000 - ...) of ... */
    t = run(&c[2], 1, CW_TRACE_FIFO, CW_TRACE_BACKWARD, UINT32_MAX);
    CHECK_EQ_INT(cw_trace_amount_at(t, m0), 10000);
    CHECK_EQ_INT(cw_trace_amount_at(t, m1), 166650000);
    /* mapping-tx:0's last 10,000 sat = axis [333,320,000, 333,330,000) -> input 0 (fund-1);
     * mapping-tx:1 [0, 166,650,000) = axis [333,330,000, 499,980,000): fund-1 gets
     * 400,000,000 - 333,330,000 = 66,670,000, fund-2 the remaining 99,980,000 */
    CHECK_EQ_INT(cw_trace_amount_at(t, out_of("taint-mapping-fund-tx-1", 0)), 10000 + 66670000);
    CHECK_EQ_INT(cw_trace_amount_at(t, s), 99980000);
    CHECK_EQ_INT(total_ended(t), 166660000);
    cw_trace_free(t);
    /* haircut backward from check-tx:3: 166,660,000 over inputs of 4, 4, 2 BTC */
    t = run(&c[3], 1, CW_TRACE_HAIRCUT, CW_TRACE_BACKWARD, UINT32_MAX);
    CHECK_EQ_INT(cw_trace_amount_at(t, m0), 55553333 + 1);
    CHECK_EQ_INT(cw_trace_amount_at(t, s), 66664000);
    CHECK_EQ_INT(total_ended(t), 166660000);
    CHECK_EQ_INT(ended(t, CW_END_COINBASE, NULL), 166660000);
    cw_trace_free(t);
}

/* probable value: the sum of the ends' probable parts, and every end's rule */
static uint64_t total_probable(const cw_trace *t, cw_trace_rule want_rule, bool *rules_ok)
{
    uint64_t p = 0;
    *rules_ok = true;
    for (size_t i = 0; i < cw_trace_n_ends(t); i++) {
        const cw_trace_end *e = cw_trace_end_at(t, i);
        p += e->probable;
        if (e->probable > e->amount || (e->probable && e->rule != want_rule))
            *rules_ok = false;
    }
    return p;
}

/* taint-mapping-tx (3 inputs of 4, 4, 2 BTC, 3 equal outputs of 3.3333 BTC, no change) is
 * flagged as a CoinJoin by the generic rule (not by the pattern module's, which wants change
 * outputs). Traced: input 1, [400M, 800M) of the input axis. */
static void test_mapping_ranked(void)
{
    uint64_t s = out_of("taint-mapping-fund-tx-2", 0);
    uint64_t m0 = out_of("taint-mapping-tx", 0), m1 = out_of("taint-mapping-tx", 1),
             m2 = out_of("taint-mapping-tx", 2);
    uint64_t c[6];
    bool rules_ok;
    for (unsigned i = 0; i < 6; i++)
        c[i] = out_of("taint-check-tx", i);
    cj_policy = CW_CJ_RANK;
    cj_rule = cw_trace_coinjoin_generic;
    /* ranked: the fee first [0, 10,000), then the outputs; FIFO would give m1 266,670,000 and
     * m2 133,330,000, but the three are equal coins: the group shares the 400,000,000 equally
     * (largest remainder: the extra satoshi to the lowest index) and all of it is probable */
    cw_trace *t = run(&s, 1, CW_TRACE_FIFO, CW_TRACE_FORWARD, UINT32_MAX);
    CHECK_EQ_INT(cw_trace_amount_at(t, m0), 133333334);
    CHECK_EQ_INT(cw_trace_amount_at(t, m1), 133333333);
    CHECK_EQ_INT(cw_trace_amount_at(t, m2), 133333333);
    /* check-tx is not a CoinJoin (6 equal outputs from 3 inputs). A CoinJoin's outputs carry
     * their amounts spread (no position in the coin), so each input's amount is shared by what
     * each output takes of it: input 0 ([0, 333,330,000) on the axis) gives 166,660,000 /
     * 333,330,000 of its 133,333,334 to outputs 0 and 1 each and 10,000 / 333,330,000 to
     * output 2 (largest remainder per input); the last input also 30,000 / 333,330,000 to
     * the fee (12,000) */
    uint64_t want[6] = {66664667, 66664667, 66664666, 66664667, 66664666, 66664667};
    for (int i = 0; i < 6; i++)
        CHECK_EQ_INT(cw_trace_amount_at(t, c[i]), want[i]);
    CHECK_EQ_INT(total_ended(t), 400000000);
    CHECK_EQ_INT(total_probable(t, CW_RULE_CJ_RANK, &rules_ok), 400000000);
    CHECK(rules_ok);
    CHECK_EQ_INT(cw_trace_stats_get(t)->coinjoins, 1);
    CHECK_EQ_INT(cw_trace_stats_get(t)->coinjoin_in, 400000000);
    cw_trace_free(t);
    /* backward, the mirror: check-tx:2 -> mapping-tx:0 (10,000) and :1 (166,650,000) at
     * [333,330,000, 499,990,000) of the ranked axis -> fund-1 66,670,000, fund-2 99,990,000;
     * fund-1 and fund-2 are equal inputs (4 BTC): they share 166,660,000 equally */
    t = run(&c[2], 1, CW_TRACE_FIFO, CW_TRACE_BACKWARD, UINT32_MAX);
    CHECK_EQ_INT(cw_trace_amount_at(t, out_of("taint-mapping-fund-tx-1", 0)), 83330000);
    CHECK_EQ_INT(cw_trace_amount_at(t, s), 83330000);
    CHECK_EQ_INT(total_ended(t), 166660000);
    CHECK_EQ_INT(total_probable(t, CW_RULE_CJ_RANK, &rules_ok), 166660000);
    CHECK(rules_ok);
    cw_trace_free(t);
    /* proportional: each output 400M x 333,330,000 / 1e9 = 133,332,000, the fee 4,000 */
    cj_policy = CW_CJ_PROPORTIONAL;
    t = run(&s, 1, CW_TRACE_FIFO, CW_TRACE_FORWARD, UINT32_MAX);
    CHECK_EQ_INT(cw_trace_amount_at(t, m0), 133332000);
    CHECK_EQ_INT(cw_trace_amount_at(t, m1), 133332000);
    CHECK_EQ_INT(cw_trace_amount_at(t, m2), 133332000);
    CHECK_EQ_INT(ended(t, CW_END_FEE, NULL), 4000 + 12000); /* mapping-tx, check-tx */
    /* spread: 133,332,000 x 166,660,000 / 333,330,000 = 66,664,000 to each output */
    uint64_t want_p[6] = {66664000, 66664000, 66664000, 66664000, 66664000, 66664000};
    for (int i = 0; i < 6; i++)
        CHECK_EQ_INT(cw_trace_amount_at(t, c[i]), want_p[i]);
    CHECK_EQ_INT(total_probable(t, CW_RULE_CJ_PROPORTIONAL, &rules_ok), 400000000);
    CHECK(rules_ok);
    cw_trace_free(t);
    /* the probable floor: 133,332,000 is 40 % of its 333,330,000 coin; with a floor of 50 %
     * the three shares are not followed (dust, probable), and the total is still 4 BTC */
    prob_floor = 0.5;
    t = run(&s, 1, CW_TRACE_FIFO, CW_TRACE_FORWARD, UINT32_MAX);
    CHECK_EQ_INT(ended(t, CW_END_DUST, NULL), 3 * 133332000);
    CHECK_EQ_INT(cw_trace_amount_at(t, c[0]), 0);
    CHECK_EQ_INT(total_ended(t), 400000000);
    cw_trace_free(t);
    prob_floor = -1;
    /* haircut through the CoinJoin: the same split, and probable too */
    t = run(&s, 1, CW_TRACE_HAIRCUT, CW_TRACE_FORWARD, UINT32_MAX);
    CHECK_EQ_INT(cw_trace_amount_at(t, m1), 133332000);
    CHECK_EQ_INT(total_probable(t, CW_RULE_CJ_PROPORTIONAL, &rules_ok), 400000000);
    CHECK(rules_ok);
    cw_trace_free(t);
    /* stop: the value ends in the CoinJoin ("entered mixer"), nothing is probable */
    cj_policy = CW_CJ_STOP;
    t = run(&s, 1, CW_TRACE_FIFO, CW_TRACE_FORWARD, UINT32_MAX);
    CHECK_EQ_INT(ended(t, CW_END_COINJOIN, NULL), 400000000);
    CHECK_EQ_INT(cw_trace_amount_at(t, m1), 0);
    CHECK_EQ_INT(total_probable(t, CW_RULE_NONE, &rules_ok), 0);
    CHECK_EQ_INT(cw_trace_stats_get(t)->coinjoin_in, 400000000);
    cw_trace_free(t);
    /* order ("through"): standard FIFO amounts, but probable */
    cj_policy = CW_CJ_ORDER;
    t = run(&s, 1, CW_TRACE_FIFO, CW_TRACE_FORWARD, UINT32_MAX);
    CHECK_EQ_INT(cw_trace_amount_at(t, m1), 266660000);
    CHECK_EQ_INT(cw_trace_amount_at(t, m2), 133340000);
    CHECK_EQ_INT(total_probable(t, CW_RULE_CJ_ORDER, &rules_ok), 400000000);
    CHECK(rules_ok);
    cw_trace_free(t);
    /* with the pattern module's rule the mapping tx (3 inputs, 3 equal outputs, no change) is
     * a probable CoinJoin (coinjoin_probable, docs/PATTERNS.md), traced as one: a third to
     * each equal output, all of it probable */
    cj_rule = NULL;
    cj_policy = CW_CJ_PROPORTIONAL;
    t = run(&s, 1, CW_TRACE_FIFO, CW_TRACE_FORWARD, UINT32_MAX);
    CHECK_EQ_INT(cw_trace_amount_at(t, m1), 133332000);
    CHECK_EQ_INT(cw_trace_amount_at(t, m2), 133332000);
    CHECK_EQ_INT(total_probable(t, CW_RULE_NONE, &rules_ok), 400000000);
    cw_trace_free(t);
    cj_policy = CW_CJ_ORDER;
}

static void test_limits(void)
{
    uint64_t s = out_of("taint-mapping-fund-tx-2", 0);
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.model = CW_TRACE_HAIRCUT;
    o.max_hops = 1;
    cw_trace *t = NULL;
    REQUIRE(cw_trace_run(&t, cs, NULL, &s, 1, &o) == 0);
    CHECK_EQ_INT(ended(t, CW_END_FRONTIER, NULL), 3 * 133332000ull);
    CHECK_EQ_INT(total_ended(t), 400000000);
    cw_trace_free(t);
    o.max_hops = 0;
    o.min_value = 133332001; /* every mapping-tx output is below it */
    REQUIRE(cw_trace_run(&t, cs, NULL, &s, 1, &o) == 0);
    CHECK_EQ_INT(ended(t, CW_END_DUST, NULL), 3 * 133332000ull);
    cw_trace_free(t);
    /* the memory bound: a trace that reaches max_nodes stops and says so */
    o.min_value = 1;
    o.max_nodes = 3;
    REQUIRE(cw_trace_run(&t, cs, NULL, &s, 1, &o) == 0);
    CHECK(cw_trace_stats_get(t)->truncated);
    CHECK_EQ_INT(cw_trace_stats_get(t)->nodes, 3);
    cw_trace_free(t);
    o.max_nodes = 0;
    /* backward with --until-height: value created below the height is not followed */
    uint64_t c3 = out_of("taint-check-tx", 3);
    o.model = CW_TRACE_FIFO;
    o.direction = CW_TRACE_BACKWARD;
    o.until_height = 198; /* mapping-tx (198) is followed, the fund txs (197) are not */
    REQUIRE(cw_trace_run(&t, cs, NULL, &c3, 1, &o) == 0);
    CHECK_EQ_INT(ended(t, CW_END_FRONTIER, NULL), 166660000);
    /* the mapping tx is a probable CoinJoin: rank shares its equal group, so this fund tx's
     * output carries half of it */
    CHECK_EQ_INT(cw_trace_amount_at(t, s), 83330000);
    CHECK_EQ_INT(cw_trace_stats_get(t)->txs, 2);
    cw_trace_free(t);
    o.until_height = UINT32_MAX;
    o.direction = CW_TRACE_FORWARD;
    /* no sources, bad source strings */
    CHECK(cw_trace_run(&t, cs, NULL, &s, 0, &o) == CW_EINVAL);
    cw_trace_sources src = {0};
    CHECK(cw_trace_sources_add(&src, cs, NULL, "nonsense", UINT32_MAX) == CW_EINVAL);
    CHECK(cw_trace_sources_add(&src, cs, NULL,
                               "00000000000000000000000000000000000000000000000000000000000000aa:0",
                               UINT32_MAX) == CW_ENOTFOUND);
    char bad[96];
    snprintf(bad, sizeof bad, "%s:7", txid_of("taint-mapping-tx"));
    CHECK(cw_trace_sources_add(&src, cs, NULL, bad, UINT32_MAX) == CW_ENOTFOUND);
    CHECK(cw_trace_sources_add(&src, cs, NULL, "label:theft", UINT32_MAX) == CW_EINVAL);
    CHECK(cw_trace_sources_add(&src, cs, NULL, txid_of("taint-check-tx"), UINT32_MAX) == 0);
    CHECK_EQ_INT(src.n, 6);
    cw_trace_sources_deinit(&src);
}

static void test_coinjoin(void)
{
    /* simple-coinjoin-tx: 3 inputs, 3 x 50,000,000 + 3 change: flagged by the generic rule;
     * the split and check txs are not (6 equal outputs from 3 inputs); the mapping tx
     * (3 inputs, 3 equal outputs) is structurally one and is flagged (test_mapping_ranked) */
    cw_trace_sources src = {0};
    REQUIRE(cw_trace_sources_add(&src, cs, NULL, txid_of("simple-coinjoin-tx"), UINT32_MAX) == 0);
    uint64_t cj_tx = cw_chainstore_out_tx(cs, src.outs[0]);
    CHECK(cw_trace_coinjoin_generic(NULL, cs, cj_tx));
    CHECK(cw_trace_coinjoin_patterns(NULL, cs, cj_tx));
    /* the mapping tx is a probable CoinJoin for the pattern module, traced as one */
    CHECK(cw_trace_coinjoin_patterns(NULL, cs,
                                     cw_chainstore_out_tx(cs, out_of("taint-mapping-tx", 0))));
    CHECK(cw_trace_coinjoin_generic(NULL, cs,
                                    cw_chainstore_out_tx(cs, out_of("taint-mapping-tx", 0))));
    CHECK(!cw_trace_coinjoin_generic(NULL, cs,
                                     cw_chainstore_out_tx(cs, out_of("taint-check-tx", 0))));
    CHECK(!cw_trace_coinjoin_generic(NULL, cs,
                                     cw_chainstore_out_tx(cs, out_of("taint-split-tx-1", 0))));
    cw_trace_sources_deinit(&src);
    /* backward from a CoinJoin output with --coinjoin stop ends in the CoinJoin */
    char from[96];
    snprintf(from, sizeof from, "%s:0", txid_of("simple-coinjoin-tx"));
    REQUIRE(cw_trace_sources_add(&src, cs, NULL, from, UINT32_MAX) == 0);
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.direction = CW_TRACE_BACKWARD;
    o.coinjoin = CW_CJ_STOP;
    cw_trace *t = NULL;
    REQUIRE(cw_trace_run(&t, cs, NULL, src.outs, src.n, &o) == 0);
    uint64_t v = cw_out_value(cw_chainstore_out(cs, src.outs[0]));
    CHECK_EQ_INT(ended(t, CW_END_COINJOIN, NULL), v);
    cw_trace_free(t);
    cw_trace_sources_deinit(&src);
}

int main(void)
{
    const char *dir = cw_test_data("btc-regtest-labeled-chain/blk00000.dat");
    char blocks[1024], store[1024];
    snprintf(blocks, sizeof blocks, "%s", dir);
    *strrchr(blocks, '/') = 0;
    snprintf(store, sizeof store, "%s/store", cw_test_tmpdir());
    char lj[1100];
    snprintf(lj, sizeof lj, "%s/output.json", blocks);
    json_error_t jerr;
    labels_json = json_load_file(lj, 0, &jerr);
    if (!labels_json) {
        fprintf(stderr, "%s: %s\n", lj, jerr.text);
        return 1;
    }
    cw_ingest_opts io = {.blocks_dir = blocks,
                         .store_dir = store,
                         .net = CW_NET_REGTEST,
                         .to_height = -1,
                         .threads = 1};
    cw_ingest_stats st;
    if (cw_ingest_btc(&io, &st) || cw_chainstore_open(&cs, store, false, CW_NET_REGTEST)) {
        fprintf(stderr, "ingest: %s\n", cw_error_last());
        return 1;
    }
    RUN(test_poison_blocksci);
    RUN(test_haircut_blocksci);
    RUN(test_fifo_split_merge);
    RUN(test_mapping);
    RUN(test_mapping_ranked);
    RUN(test_limits);
    RUN(test_coinjoin);
    cw_chainstore_close(cs);
    json_decref(labels_json);
    return cw_test_done();
}
