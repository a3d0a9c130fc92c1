/*
 * test_screen_shallow.c: screening through a SHALLOW Whirlpool pool (issue 11; the outside
 * world's finding: honest coins that remixed with a thief's premixes were flagged probable
 * theft). Hand-made regtest blocks with known owners (docs/TRACE-MODELS.md, "Screening through
 * one-to-one mixes", is this example):
 *   - the thief's stolen coin S (labelled theft) pays six premixes P1..P6 and keeps change C;
 *   - four honest users' premixes H1..H4 enter M1 with P1; each honest user takes one output
 *     and remixes it in M2 with P2, then M3 with P3, then M4 with P4. The thief takes one
 *     output of each mix and deposits it alone (the one of M1 as TD1, of M4 as TD4);
 *   - honest user 1 deposits its M4 output alone (HD); the thief's change goes to deposit CD;
 *   - M5: P5, P6 and three fresh honest premixes; honest user 5 deposits its output (HD5).
 * Truth and figures (theft share of each deposit; probable threshold 0.25):
 *   - proportional, every remix counted apart (the old rule): HD 0.59 (0.2 x (1 + 4 x 0.488)),
 *     a PROBABLE flag on an honest user; TD1 0.2, TD4 0.59;
 *   - one owner per mix input (default): each mix had one certain thief coin, so every output
 *     carries at most 1/5: HD 0.2, no flag, listed "through mix"; TD1 and TD4 0.2, no flag
 *     (TD4 and HD are outputs of one mix, each deposited alone: nothing on chain tells them
 *     apart, and the screen gives them the same figure);
 *   - M5 had two certain thief coins: cap 2/5, HD5 0.4, PROBABLE (not over-capped);
 *   - CD: certain 1.0, FLAG under both rules.
 * Also: cw_trace_owner_capped without the cap equals the sum of the picked label ends (to a
 * satoshi per node); it refuses a forward trace.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/labels.h"
#include "chainwatch/screen.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "harness.h"

static char dir[4096], store[4200];
static cw_chainstore *cs;
static cw_trace_labelmap *lm; /* S's address: theft */

#include "tiny_chain.h"

enum { DENOM = 1000000, EXTRA = 1170, FEE = 1000 };

static coin stolen, hpre[7];
static uint8_t id_s[32], id_hd[32], id_td1[32], id_td4[32], id_cd[32], id_hd5[32];

/* a 5 x 5 Whirlpool mix of ins to fresh keys; outs get the coins */
static void mix(gen_tx *tx, coin *const ins[5], coin outs[5])
{
    gen_tx_reset(tx);
    uint64_t keys[5];
    for (int i = 0; i < 5; i++)
        add_in(tx, ins[i]);
    for (int i = 0; i < 5; i++)
        add_out(tx, DENOM, keys[i] = new_key());
    block_tx(tx, outs);
    for (int i = 0; i < 5; i++)
        outs[i].key = keys[i];
}

/* c alone to a fresh deposit address (fee FEE) */
static void deposit(gen_tx *tx, const coin *c, uint8_t id[32])
{
    gen_tx_reset(tx);
    add_in(tx, c);
    add_out(tx, c->value - FEE, new_key());
    block_tx(tx, NULL);
    last_txid(id);
}

static void build_world(const char *out_dir)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    block_begin();
    fund(&stolen, 100000000ULL, 0);
    for (int i = 0; i < 7; i++)
        fund(&hpre[i], DENOM + EXTRA, 0);
    block_end();

    /* S: six premixes and the change */
    block_begin();
    coin s_out[7];
    uint64_t ks[7];
    gen_tx_reset(&tx);
    add_in(&tx, &stolen);
    for (int i = 0; i < 6; i++)
        add_out(&tx, DENOM + EXTRA, ks[i] = new_key());
    uint64_t change = 100000000ULL - 6 * (DENOM + EXTRA) - 10000;
    add_out(&tx, change, ks[6] = new_key());
    block_tx(&tx, s_out);
    last_txid(id_s);
    for (int i = 0; i < 7; i++)
        s_out[i].key = ks[i];
    block_end();

    /* M1..M4: output 0 is the thief's each time, outputs 1..4 the honest users' */
    coin m[4][5], *hold[4] = {&hpre[0], &hpre[1], &hpre[2], &hpre[3]};
    for (int r = 0; r < 4; r++) {
        block_begin();
        coin *ins[5] = {&s_out[r], hold[0], hold[1], hold[2], hold[3]};
        mix(&tx, ins, m[r]);
        for (int u = 0; u < 4; u++)
            hold[u] = &m[r][1 + u];
        if (r == 0)
            deposit(&tx, &m[0][0], id_td1);
        if (r == 3) {
            deposit(&tx, &m[3][0], id_td4);
            deposit(&tx, &m[3][1], id_hd);
        }
        block_end();
    }
    /* M5: two thief premixes and three fresh honest ones; CD: the change deposited */
    block_begin();
    coin m5[5];
    coin *in5[5] = {&s_out[4], &s_out[5], &hpre[4], &hpre[5], &hpre[6]};
    mix(&tx, in5, m5);
    deposit(&tx, &m5[2], id_hd5);
    deposit(&tx, &s_out[6], id_cd);
    block_end();
    gen_tx_deinit(&tx);
    chain_write(out_dir);
}

static void test_build_world(void)
{
    build_world(dir);
}

/* ------------------------------------------------------------------ checks */

static uint64_t out_of(const uint8_t txid[32], uint32_t vout)
{
    uint64_t t = CW_NONE64;
    if (cw_chainstore_find_tx(cs, txid, &t)) {
        CHECK(!"a tx of the example is not in the store");
        exit(cw_test_done());
    }
    return cw_chainstore_tx_first_out(cs, t) + vout;
}

static void addr_of(char a[CW_ADDR_STR_MAX], const uint8_t txid[32], uint32_t vout)
{
    const cw_addr_key *k = cw_chainstore_addr(cs, cw_chainstore_out(cs, out_of(txid, vout))->addr);
    REQUIRE(cw_addr_encode(a, CW_ADDR_STR_MAX, k, CW_NET_REGTEST) >= 0);
}

static cw_screen_result *screen(const uint8_t txid[32], bool independent)
{
    char a[CW_ADDR_STR_MAX];
    addr_of(a, txid, 0);
    cw_screen_opts o;
    cw_screen_opts_init(&o);
    o.independent_inputs = independent;
    cw_screen_result *r = NULL;
    if (cw_screen_address(&r, cs, lm, a, &o)) {
        fprintf(stderr, "screen %s: %s\n", a, cw_error_last());
        exit(cw_test_done());
    }
    return r;
}

#define NEAR(x, y) (fabs((x) - (y)) < 0.002)

static bool has_through_mix(const cw_screen_result *r)
{
    json_t *j = cw_screen_json(r, 3);
    bool m = json_array_size(json_object_get(j, "through_mix")) == 1 &&
             !strcmp(json_string_value(json_object_get(j, "flag")), "none") &&
             !strcmp(json_string_value(json_object_get(j, "mix_inputs")), "one-owner");
    json_decref(j);
    return m;
}

/* The through-mix entry's strongest path: to the theft label, probable (past a CoinJoin, its
 * rule named), through `hops` txs: the deposit, the mixes and the thief's split. */
static bool through_mix_path(const cw_screen_result *r, size_t hops)
{
    json_t *j = cw_screen_json(r, 3);
    json_t *p = json_array_get(
        json_object_get(json_array_get(json_object_get(j, "through_mix"), 0), "paths"), 0);
    bool ok = p && !strcmp(json_string_value(json_object_get(p, "category")), "theft") &&
              json_integer_value(json_object_get(p, "probable")) > 0 &&
              json_string_value(json_object_get(p, "rule")) &&
              json_array_size(json_object_get(p, "txids")) == hops;
    if (!ok) {
        char *s = json_dumps(json_object_get(j, "through_mix"), JSON_COMPACT);
        fprintf(stderr, "through_mix: %s\n", s ? s : "?");
        free(s);
    }
    json_decref(j);
    return ok;
}

/* the old rule: the honest remixer looks more stolen than the thief's first coin */
static void test_independent(void)
{
    cw_screen_result *hd = screen(id_hd, true), *td1 = screen(id_td1, true),
                     *td4 = screen(id_td4, true);
    double p = 0.2;
    for (int r = 1; r < 4; r++)
        p = 0.2 * (1.0 + 4.0 * p);
    CHECK(NEAR(cw_screen_share(hd, "theft"), p)); /* 0.59 */
    CHECK(cw_screen_flag_level(hd) == 1);         /* a false probable flag */
    CHECK(NEAR(cw_screen_flag_share(hd, "theft"), cw_screen_share(hd, "theft")));
    CHECK(NEAR(cw_screen_share(td1, "theft"), 0.2));
    CHECK(cw_screen_flag_level(td1) == 0);
    CHECK(NEAR(cw_screen_share(td4, "theft"), p));
    cw_screen_result_free(hd);
    cw_screen_result_free(td1);
    cw_screen_result_free(td4);
}

static void test_one_owner(void)
{
    cw_screen_result *hd = screen(id_hd, false), *td1 = screen(id_td1, false),
                     *td4 = screen(id_td4, false), *hd5 = screen(id_hd5, false),
                     *cd = screen(id_cd, false);
    /* the proportional share is still reported; the flag is judged on the capped one */
    CHECK(cw_screen_share(hd, "theft") > 0.58);
    CHECK(NEAR(cw_screen_flag_share(hd, "theft"), 0.2));
    CHECK(cw_screen_certain_share(hd, "theft") == 0.0);
    CHECK(cw_screen_flag_level(hd) == 0);
    CHECK(has_through_mix(hd));
    CHECK(through_mix_path(hd, 3)); /* the deposit, M4, the split paying P4 */
    CHECK(NEAR(cw_screen_flag_share(td1, "theft"), 0.2));
    CHECK(cw_screen_flag_level(td1) == 0);
    /* the thief's coin and the honest one from the same mix: the same figure */
    CHECK(NEAR(cw_screen_flag_share(td4, "theft"), cw_screen_flag_share(hd, "theft")));
    /* two certain thief coins in M5: 2 of its 5 outputs are the thief's */
    CHECK(NEAR(cw_screen_flag_share(hd5, "theft"), 0.4));
    CHECK(NEAR(cw_screen_share(hd5, "theft"), 0.4));
    CHECK(cw_screen_flag_level(hd5) == 1);
    CHECK(cw_screen_flag_level(cd) == 2);
    CHECK(NEAR(cw_screen_certain_share(cd, "theft"), 1.0));
    cw_screen_result_free(hd);
    cw_screen_result_free(td1);
    cw_screen_result_free(td4);
    cw_screen_result_free(hd5);
    cw_screen_result_free(cd);
}

static bool pick_label(void *ctx, const cw_trace_end *e)
{
    (void)ctx;
    return e->kind == CW_END_LABEL;
}

/* without the cap the recomputation is the trace's own sum; it needs a backward haircut */
static void test_uncapped_equals_trace(void)
{
    const uint8_t *deps[] = {id_hd, id_td1, id_td4, id_hd5, id_cd};
    for (size_t d = 0; d < sizeof deps / sizeof *deps; d++) {
        uint64_t src = out_of(deps[d], 0);
        cw_trace_opts o;
        cw_trace_opts_init(&o);
        o.model = CW_TRACE_HAIRCUT;
        o.direction = CW_TRACE_BACKWARD;
        o.coinjoin = CW_CJ_PROPORTIONAL;
        o.stop_any_label = true;
        cw_trace *t = NULL;
        REQUIRE(cw_trace_run(&t, cs, lm, &src, 1, &o) == 0);
        uint64_t sum = 0, prob = 0, tot, tp, mixes;
        for (size_t i = 0; i < cw_trace_n_ends(t); i++) {
            const cw_trace_end *e = cw_trace_end_at(t, i);
            if (e->kind == CW_END_LABEL) {
                sum += e->amount;
                prob += e->probable;
            }
        }
        REQUIRE(cw_trace_owner_capped(t, pick_label, NULL, false, &tot, &tp, &mixes) == 0);
        uint64_t slack = cw_trace_stats_get(t)->nodes + 1;
        CHECK(tot + slack >= sum && tot <= sum + slack);
        CHECK(tp + slack >= prob && tp <= prob + slack);
        CHECK(mixes == 0);
        REQUIRE(cw_trace_owner_capped(t, pick_label, NULL, true, &tot, &tp, &mixes) == 0);
        CHECK(tot <= sum + slack);
        CHECK(d != 0 || mixes >= 1); /* HD: capped */
        cw_trace_free(t);
    }
    uint64_t src = out_of(id_s, 0), a, b, c;
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.model = CW_TRACE_HAIRCUT;
    cw_trace *t = NULL;
    REQUIRE(cw_trace_run(&t, cs, lm, &src, 1, &o) == 0);
    CHECK(cw_trace_owner_capped(t, pick_label, NULL, true, &a, &b, &c) == CW_EINVAL);
    cw_trace_free(t);
}

int main(void)
{
    int rc = CHAIN_SETUP(test_build_world, dir, store, &cs);
    if (rc)
        return rc;
    /* the label: the stolen coin's address is theft */
    if (!chain_label(dir, cs, out_of(stolen.txid, stolen.vout), "heist", "theft", &lm))
        return 1;
    RUN(test_independent);
    RUN(test_one_owner);
    RUN(test_uncapped_equals_trace);
    cw_trace_labelmap_free(lm);
    cw_chainstore_close(cs);
    return cw_test_done();
}
