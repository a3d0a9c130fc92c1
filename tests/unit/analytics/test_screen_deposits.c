/*
 * test_screen_deposits.c: screening each deposit, as an exchange's compliance desk does (issue
 * 11; docs/TRACE-MODELS.md, "Screening per deposit", is this example). Hand-made regtest
 * blocks:
 *   - the stolen coin S (100,000,000 sat, labelled theft) pays D 10,000,000 sat, E 1,000 sat
 *     (a dusting attack) and keeps its change;
 *   - four honest coins of 100,000,000 sat each pay the reused deposit address D (one deposit
 *     each, fee 1,000), a fifth the honest address E.
 * Truth and figures:
 *   - D received 409,996,000 sat; the stolen deposit is 2.4 % of it: pooled, the certain theft
 *     share is under the 5 % threshold and D is not flagged (main's answer). Per deposit, the
 *     stolen one is 100 % theft and flags D; the four honest ones are not flagged;
 *   - the stolen output alone (txid:vout) is flagged with its value, time and height; an honest
 *     deposit alone is not;
 *   - E's dust output is 100 % theft, but worth less than min_deposit (100,000 sat): never
 *     flagged apart, so E is not flagged per deposit (nor pooled). With min_deposit 1 the dust
 *     would flag it: the rule is what keeps an honest address clean;
 *   - the default (per deposit, certain): D is flagged without asking, on its stolen deposit's
 *     certain share (stop 21);
 *   - a round shared with the thief: S's change (89,998,000 sat) and an honest coin X of the
 *     same value mix 2 x 2 (outputs 89,997,000 sat each, one to the thief, one to the honest
 *     address H); H also gets an honest 300,000,000 sat deposit. H's round output carries the
 *     one-owner share 1/2 of theft, all probable: screened with the whole model per deposit it
 *     is a PROBABLE flag; pooled it is 0.115 (none); the default, certain per deposit, flags
 *     nothing: an honest participant is not flagged for sharing a round with the thief;
 *   - a third party's own account (docs/TRACE-MODELS.md, "A third party's own account"):
 *     ACC is paid by two txs (blocks 4, 5); a second stolen coin S2 (block 6, labelled theft)
 *     pays ACC 0.5 BTC and Q 0.3 BTC; ACC pays its 0.5 BTC on to P. Screening P reaches S2's
 *     label, and the second trace (the theft = S2's tx) finds ACC established before it: P's
 *     theft value is probable (PROBABLE, not flagged certain). Q, paid by the thief straight,
 *     stays flagged certain: no tx of its trace can be a third party's spend, so screening
 *     does not run the second trace (the fast path). Each answer is the same, in JSON, as
 *     with the second trace always run (opts.third_party_retrace).
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

enum { FEE = 1000 };
#define BIG 100000000ULL
#define STOLEN_DEP 10000000ULL
#define DUST 1000ULL

#define MIXIN (BIG - STOLEN_DEP - DUST - FEE)
#define H_BIG 300000000ULL

static coin stolen, honest[5], mix_x, h_big, acc1, acc2, stolen2;
static uint64_t key_d, key_e, key_h, key_acc, key_p, key_q;
static uint8_t id_theft[32], id_h0[32], id_round[32], id_gift[32], id_tp_pay[32];

static void build_world(void)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    key_d = new_key();
    key_e = new_key();
    key_h = new_key();
    block_begin();
    fund(&stolen, BIG, 0);
    for (int i = 0; i < 5; i++)
        fund(&honest[i], BIG, 0);
    fund(&mix_x, MIXIN, 0);
    fund(&h_big, H_BIG + FEE, 0);
    block_end();

    block_begin();
    /* the honest deposits: four to D, one to E */
    for (int i = 0; i < 5; i++) {
        gen_tx_reset(&tx);
        add_in(&tx, &honest[i]);
        add_out(&tx, BIG - FEE, i < 4 ? key_d : key_e);
        block_tx(&tx, NULL);
        if (i == 0)
            last_txid(id_h0);
    }
    /* the theft's spend: D's stolen deposit (vout 0), E's dust (vout 1), change */
    gen_tx_reset(&tx);
    add_in(&tx, &stolen);
    add_out(&tx, STOLEN_DEP, key_d);
    add_out(&tx, DUST, key_e);
    add_out(&tx, MIXIN, new_key());
    coin theft_outs[3];
    block_tx(&tx, theft_outs);
    last_txid(id_theft);
    block_end();

    /* the round the thief shares with X (2 x 2, equal outputs), and H's honest deposit */
    block_begin();
    gen_tx_reset(&tx);
    add_in(&tx, &theft_outs[2]);
    add_in(&tx, &mix_x);
    add_out(&tx, MIXIN - FEE, new_key());
    add_out(&tx, MIXIN - FEE, key_h);
    block_tx(&tx, NULL);
    last_txid(id_round);
    gen_tx_reset(&tx);
    add_in(&tx, &h_big);
    add_out(&tx, H_BIG, key_h);
    block_tx(&tx, NULL);
    block_end();

    /* a third party's own account ACC (two paying txs before the second theft), S2's gift to
     * it and the thief's payment to Q, then ACC's payment to P */
    key_acc = new_key();
    key_p = new_key();
    key_q = new_key();
    block_begin();
    fund(&acc1, 20000000ULL, key_acc);
    block_end();
    block_begin();
    fund(&acc2, 20000000ULL, key_acc);
    block_end();
    block_begin();
    fund(&stolen2, BIG, 0);
    block_end();
    block_begin();
    gen_tx_reset(&tx);
    add_in(&tx, &stolen2);
    add_out(&tx, 50000000ULL, key_acc);
    add_out(&tx, 30000000ULL, key_q);
    add_out(&tx, BIG - 80000000ULL - FEE, new_key());
    coin gift[3];
    block_tx(&tx, gift);
    last_txid(id_gift);
    block_end();
    block_begin();
    gift[0].key = key_acc;
    gen_tx_reset(&tx);
    add_in(&tx, &gift[0]);
    add_out(&tx, 50000000ULL - FEE, key_p);
    block_tx(&tx, NULL);
    last_txid(id_tp_pay);
    block_end();
    gen_tx_deinit(&tx);
    chain_write(dir);
}

static void key_addr(char a[CW_ADDR_STR_MAX], uint64_t key)
{
    uint8_t spk[GEN_SPK_MAX];
    size_t n = gen_spk(spk, CW_SCRIPT_P2WPKH, key);
    cw_addr_key k;
    cw_script_classify(spk, n, &k);
    REQUIRE(cw_addr_encode(a, CW_ADDR_STR_MAX, &k, CW_NET_REGTEST) >= 0);
}

static bool is_round(void *ctx, const cw_chainstore *c, uint64_t tx)
{
    (void)ctx;
    return tx == chain_tx(c, id_round);
}

/* per_deposit: -1 the default (certain), else a cw_screen_per_deposit */
static cw_screen_result *screen_addr(uint64_t key, int per_deposit, uint64_t min_deposit)
{
    char a[CW_ADDR_STR_MAX];
    key_addr(a, key);
    cw_screen_opts o;
    cw_screen_opts_init(&o);
    o.is_coinjoin = is_round;
    if (per_deposit >= 0)
        o.per_deposit = (cw_screen_per_deposit)per_deposit;
    if (min_deposit)
        o.min_deposit = min_deposit;
    cw_screen_result *r = NULL;
    if (cw_screen_address(&r, cs, lm, a, &o)) {
        fprintf(stderr, "screen %s: %s\n", a, cw_error_last());
        exit(cw_test_done());
    }
    return r;
}

static cw_screen_result *screen_out(const uint8_t txid[32], uint32_t vout)
{
    char hex[65], op[80];
    cw_hex_encode_rev(hex, txid, 32);
    snprintf(op, sizeof op, "%s:%u", hex, vout);
    cw_screen_opts o;
    cw_screen_opts_init(&o);
    cw_screen_result *r = NULL;
    if (cw_screen_output(&r, cs, lm, op, &o)) {
        fprintf(stderr, "screen %s: %s\n", op, cw_error_last());
        exit(cw_test_done());
    }
    return r;
}

#define NEAR(x, y) (fabs((x) - (y)) < 0.001)

/* the reused address: diluted pooled, flagged per deposit, the stolen deposit listed */
static void test_diluted_deposit(void)
{
    cw_screen_result *pool = screen_addr(key_d, CW_SCREEN_DEP_OFF, 0),
                     *per = screen_addr(key_d, CW_SCREEN_DEP_ALL, 0);
    CHECK(cw_screen_received(pool) == 4 * (BIG - FEE) + STOLEN_DEP);
    CHECK(NEAR(cw_screen_certain_share(pool, "theft"),
               (double)STOLEN_DEP / (double)(4 * (BIG - FEE) + STOLEN_DEP)));
    CHECK(cw_screen_flag_level(pool) == 0); /* main's answer: under 5 % */
    CHECK(cw_screen_flag_level(per) == 2);
    json_t *j = cw_screen_json(per, 3), *pd = json_object_get(j, "per_deposit");
    CHECK(!strcmp(json_string_value(json_object_get(j, "flag")), "flag"));
    CHECK(!strcmp(json_string_value(json_object_get(j, "pooled_flag")), "none"));
    CHECK(json_array_size(json_object_get(j, "flags")) == 0); /* the pooled flags, kept */
    CHECK(json_integer_value(json_object_get(pd, "screened")) == 5);
    CHECK(json_integer_value(json_object_get(pd, "below_min_deposit")) == 0);
    json_t *fl = json_object_get(pd, "flagged"), *d = json_array_get(fl, 0);
    CHECK(json_array_size(fl) == 1);
    char hex[65], op[80];
    cw_hex_encode_rev(hex, id_theft, 32);
    snprintf(op, sizeof op, "%s:0", hex);
    CHECK(d && !strcmp(json_string_value(json_object_get(d, "outpoint")), op));
    CHECK(json_integer_value(json_object_get(d, "value")) == (json_int_t)STOLEN_DEP);
    json_t *f = json_array_get(json_object_get(d, "flags"), 0);
    CHECK(f && !strcmp(json_string_value(json_object_get(f, "category")), "theft"));
    CHECK(f && NEAR(json_real_value(json_object_get(f, "certain_share")), 1.0));
    CHECK(json_array_size(json_object_get(f, "paths")) == 1);
    json_decref(j);
    cw_screen_result_free(pool);
    cw_screen_result_free(per);
}

/* one output alone: the stolen deposit flagged, with its value and time; an honest one not */
static void test_outpoint(void)
{
    cw_screen_result *t = screen_out(id_theft, 0), *h = screen_out(id_h0, 0);
    CHECK(cw_screen_flag_level(t) == 2);
    CHECK(NEAR(cw_screen_certain_share(t, "theft"), 1.0));
    CHECK(cw_screen_received(t) == STOLEN_DEP);
    json_t *j = cw_screen_json(t, 3);
    CHECK(json_integer_value(json_object_get(j, "value")) == (json_int_t)STOLEN_DEP);
    CHECK(json_integer_value(json_object_get(j, "height")) == 2);
    CHECK(json_integer_value(json_object_get(j, "time")) == 1700000000 + 2 * 600);
    CHECK(json_integer_value(json_object_get(j, "floor_sat")) == (json_int_t)STOLEN_DEP / 1000);
    CHECK(json_is_false(json_object_get(j, "below_min_deposit")));
    json_decref(j);
    CHECK(cw_screen_flag_level(h) == 0);
    CHECK(cw_screen_share(h, "theft") == 0.0);
    cw_screen_result_free(t);
    cw_screen_result_free(h);
    /* bad outputs: named, no result */
    cw_screen_opts o;
    cw_screen_opts_init(&o);
    cw_screen_result *r = NULL;
    char hex[65], op[80];
    cw_hex_encode_rev(hex, id_theft, 32);
    snprintf(op, sizeof op, "%s:7", hex);
    CHECK(cw_screen_output(&r, cs, lm, op, &o) == CW_ENOTFOUND && !r);
    CHECK(cw_screen_output(&r, cs, lm, "abc:1", &o) == CW_EINVAL && !r);
    CHECK(strstr(cw_error_last(), "abc:1") != NULL);
}

/* dust: an honest address paid a few stolen satoshis is not flagged per deposit */
static void test_dust(void)
{
    cw_screen_result *pool = screen_addr(key_e, CW_SCREEN_DEP_OFF, 0),
                     *per = screen_addr(key_e, CW_SCREEN_DEP_ALL, 0),
                     *no_rule = screen_addr(key_e, CW_SCREEN_DEP_ALL, 1);
    CHECK(cw_screen_flag_level(pool) == 0);
    CHECK(cw_screen_flag_level(per) == 0);
    json_t *j = cw_screen_json(per, 3), *pd = json_object_get(j, "per_deposit");
    CHECK(json_integer_value(json_object_get(pd, "screened")) == 1);
    CHECK(json_integer_value(json_object_get(pd, "below_min_deposit")) == 1);
    CHECK(!strcmp(json_string_value(json_object_get(j, "flag")), "none"));
    json_decref(j);
    /* without the rule the dust would flag an honest address */
    CHECK(cw_screen_flag_level(no_rule) == 2);
    /* the dust output alone: its exposure reported, never flagged */
    cw_screen_result *d = screen_out(id_theft, 1);
    CHECK(NEAR(cw_screen_certain_share(d, "theft"), 1.0));
    CHECK(cw_screen_flag_level(d) == 0);
    j = cw_screen_json(d, 3);
    CHECK(json_is_true(json_object_get(j, "below_min_deposit")));
    CHECK(!strcmp(json_string_value(json_object_get(j, "flag")), "none"));
    json_decref(j);
    cw_screen_result_free(d);
    cw_screen_result_free(pool);
    cw_screen_result_free(per);
    cw_screen_result_free(no_rule);
}

/* the default: each deposit screened apart, flagged on its certain share; D flagged unasked */
static void test_default_certain(void)
{
    cw_screen_opts o;
    cw_screen_opts_init(&o);
    CHECK(o.per_deposit == CW_SCREEN_DEP_CERTAIN);
    cw_screen_result *r = screen_addr(key_d, -1, 0);
    CHECK(cw_screen_flag_level(r) == 2);
    json_t *j = cw_screen_json(r, 3), *pd = json_object_get(j, "per_deposit");
    CHECK(!strcmp(json_string_value(json_object_get(j, "flag")), "flag"));
    CHECK(!strcmp(json_string_value(json_object_get(j, "pooled_flag")), "none"));
    CHECK(pd && !strcmp(json_string_value(json_object_get(pd, "mode")), "certain"));
    CHECK(json_integer_value(json_object_get(pd, "screened")) == 5);
    json_t *d = json_array_get(json_object_get(pd, "flagged"), 0);
    CHECK(json_array_size(json_object_get(pd, "flagged")) == 1);
    CHECK(d && json_integer_value(json_object_get(d, "value")) == (json_int_t)STOLEN_DEP);
    json_decref(j);
    cw_screen_result_free(r);
    /* the dusted honest address stays clean by default too */
    r = screen_addr(key_e, -1, 0);
    CHECK(cw_screen_flag_level(r) == 0);
    cw_screen_result_free(r);
    /* names: parse and print agree; a bad one is an error naming it */
    cw_screen_per_deposit m = CW_SCREEN_DEP_OFF;
    CHECK(cw_screen_per_deposit_parse(&m, "certain") == 0 && m == CW_SCREEN_DEP_CERTAIN);
    CHECK(!strcmp(cw_screen_per_deposit_name(CW_SCREEN_DEP_ALL), "all"));
    CHECK(cw_screen_per_deposit_parse(&m, "yes") == CW_EINVAL);
    CHECK(strstr(cw_error_last(), "yes") != NULL);
}

/* an honest participant of the thief's round: PROBABLE with the whole model per deposit, not
 * flagged by the default (certain per deposit) nor pooled */
static void test_shared_round(void)
{
    cw_screen_result *pool = screen_addr(key_h, CW_SCREEN_DEP_OFF, 0),
                     *all = screen_addr(key_h, CW_SCREEN_DEP_ALL, 0),
                     *def = screen_addr(key_h, -1, 0);
    double base = (double)(H_BIG + MIXIN - FEE);
    CHECK(NEAR(cw_screen_share(pool, "theft"), (MIXIN - FEE) / 2.0 / base));
    CHECK(cw_screen_certain_share(pool, "theft") == 0.0);
    CHECK(cw_screen_flag_level(pool) == 0);
    CHECK(cw_screen_flag_level(all) == 1); /* the whole model: the round output's 1/2 */
    json_t *j = cw_screen_json(all, 3);
    json_t *d = json_array_get(json_object_get(json_object_get(j, "per_deposit"), "flagged"), 0);
    CHECK(d && !strcmp(json_string_value(json_object_get(d, "flag")), "probable"));
    json_decref(j);
    CHECK(cw_screen_flag_level(def) == 0);
    j = cw_screen_json(def, 3);
    CHECK(!strcmp(json_string_value(json_object_get(j, "flag")), "none"));
    CHECK(json_integer_value(json_object_get(json_object_get(j, "per_deposit"), "screened")) == 2);
    json_decref(j);
    cw_screen_result_free(pool);
    cw_screen_result_free(all);
    cw_screen_result_free(def);
}

/* A screening's answer as JSON text (sorted keys), and its flag level. */
static char *screen_text(const char *what, bool retrace, int *level)
{
    cw_screen_opts o;
    cw_screen_opts_init(&o);
    o.third_party_retrace = retrace;
    cw_screen_result *r = NULL;
    int rc = strchr(what, ':') ? cw_screen_output(&r, cs, lm, what, &o)
                               : cw_screen_address(&r, cs, lm, what, &o);
    if (rc) {
        fprintf(stderr, "screen %s: %s\n", what, cw_error_last());
        exit(cw_test_done());
    }
    *level = cw_screen_flag_level(r);
    json_t *j = cw_screen_json(r, 3);
    char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(j);
    cw_screen_result_free(r);
    return s;
}

/* the same answer with the second trace run only where it can differ (the default) and always */
static int screen_agree(const char *what)
{
    int fast = -1, full = -2;
    char *a = screen_text(what, false, &fast), *b = screen_text(what, true, &full);
    bool same = a && b && !strcmp(a, b);
    if (!same)
        fprintf(stderr, "screen %s: the fast path's answer differs from the full path's\n", what);
    CHECK(same);
    CHECK(fast == full);
    free(a);
    free(b);
    return fast;
}

/* a third party's own account: P probable, Q certain, each the same as the full path's */
static void test_third_party_fast(void)
{
    char p[CW_ADDR_STR_MAX], q[CW_ADDR_STR_MAX], acc[CW_ADDR_STR_MAX], hex[65], op[80];
    key_addr(p, key_p);
    key_addr(q, key_q);
    key_addr(acc, key_acc);
    CHECK(screen_agree(p) == 1); /* probable: through ACC's own account */
    cw_hex_encode_rev(hex, id_tp_pay, 32);
    snprintf(op, sizeof op, "%s:0", hex);
    CHECK(screen_agree(op) == 1);
    CHECK(screen_agree(q) == 2); /* the thief's own payment: certain */
    cw_hex_encode_rev(hex, id_gift, 32);
    snprintf(op, sizeof op, "%s:1", hex);
    CHECK(screen_agree(op) == 2);
    CHECK(screen_agree(acc) == 2); /* ACC's receipt of the gift is certain */
}

int main(void)
{
    int rc = CHAIN_SETUP(build_world, dir, store, &cs);
    if (rc)
        return rc;
    uint64_t t;
    if (cw_chainstore_find_tx(cs, stolen.txid, &t) != 0)
        return 1;
    uint64_t t2, outs[2];
    if (cw_chainstore_find_tx(cs, stolen2.txid, &t2) != 0)
        return 1;
    outs[0] = cw_chainstore_tx_first_out(cs, t) + stolen.vout;
    outs[1] = cw_chainstore_tx_first_out(cs, t2) + stolen2.vout;
    const char *ents[2] = {"heist", "heist2"}, *cats[2] = {"theft", "theft"};
    if (!chain_labels(dir, "labels", cs, outs, ents, cats, 2, &lm))
        return 1;
    RUN(test_diluted_deposit);
    RUN(test_outpoint);
    RUN(test_dust);
    RUN(test_default_certain);
    RUN(test_shared_round);
    RUN(test_third_party_fast);
    cw_trace_labelmap_free(lm);
    cw_chainstore_close(cs);
    return cw_test_done();
}
