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
 *     would flag it: the rule is what keeps an honest address clean.
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

static coin stolen, honest[5];
static uint64_t key_d, key_e;
static uint8_t id_theft[32], id_h0[32];

static void build_world(void)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    key_d = new_key();
    key_e = new_key();
    block_begin();
    fund(&stolen, BIG, 0);
    for (int i = 0; i < 5; i++)
        fund(&honest[i], BIG, 0);
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
    add_out(&tx, BIG - STOLEN_DEP - DUST - FEE, new_key());
    block_tx(&tx, NULL);
    last_txid(id_theft);
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

static cw_screen_result *screen_addr(uint64_t key, bool per_deposit, uint64_t min_deposit)
{
    char a[CW_ADDR_STR_MAX];
    key_addr(a, key);
    cw_screen_opts o;
    cw_screen_opts_init(&o);
    o.per_deposit = per_deposit;
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
    cw_screen_result *pool = screen_addr(key_d, false, 0), *per = screen_addr(key_d, true, 0);
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
    cw_screen_result *pool = screen_addr(key_e, false, 0), *per = screen_addr(key_e, true, 0),
                     *no_rule = screen_addr(key_e, true, 1);
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

int main(void)
{
    int rc = CHAIN_SETUP(build_world, dir, store, &cs);
    if (rc)
        return rc;
    uint64_t t;
    if (cw_chainstore_find_tx(cs, stolen.txid, &t) != 0)
        return 1;
    if (!chain_label(dir, cs, cw_chainstore_tx_first_out(cs, t) + stolen.vout, "heist", "theft",
                     &lm))
        return 1;
    RUN(test_diluted_deposit);
    RUN(test_outpoint);
    RUN(test_dust);
    cw_trace_labelmap_free(lm);
    cw_chainstore_close(cs);
    return cw_test_done();
}
