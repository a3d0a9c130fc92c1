/*
 * test_trace_mixer_payouts.c: custodial-mixer payouts (docs/TRACE-MODELS.md, "Custodial-mixer
 * payouts", the worked example) on hand-made regtest blocks. A thief's 10 BTC coin (tx A) pays
 * 3 BTC to its exchange deposit address X (label exchange_deposit: one account), 5 BTC to a
 * deposit address of the custodial mixer "blendr" (label mixer) and keeps 1.9999 BTC. An honest
 * user orders 2 BTC from the same mixer (tx H). The mixer sweeps both orders and its own 20 BTC
 * into a pool address (S), then pays out (P): 1.5 BTC straight to X, 3 BTC to a fresh address
 * of the thief's, 1.95 BTC to a fresh address of the honest user's, change to the mixer. The
 * thief deposits its 3 BTC at X (T1, fee 10,000); the honest user deposits its 1.95 BTC at the
 * same exchange, at its own account Y (TH). Later the mixer pays 1 BTC straight to X (P3).
 * Checked to the satoshi:
 *   - with the rule: X's deposits from P (150,000,000), T1 (299,990,000) and P3 (the cap: the
 *     500,000,000 that entered the mixer less the first two, 50,010,000) carry that value, all
 *     probable, rule mixer-payout, paths through the mixer, the JSON naming the evidence (A) and
 *     the payout tx; the mixer's own end keeps 0; the ends still add up to 10 BTC;
 *   - the honest look-alike: TH's deposit at Y and the honest payout get nothing;
 *   - without the rule (--mixer-payouts off) none of X's later deposits gets anything and the
 *     5 BTC end at the mixer;
 *   - without the evidence (no exchange_deposit label on X) nothing either.
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

#include "tiny_chain.h"

static uint8_t id_a[32], id_h[32], id_s[32], id_p[32], id_t1[32], id_th[32], id_p3[32];

static void build_world(void)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    coin stolen, hc, q;
    /* block 1: the stolen coin, the honest user's coin, the mixer's own float */
    block_begin();
    fund(&stolen, 1000000000ULL, 0);
    fund(&hc, 200000000ULL, 0);
    fund(&q, 2000000000ULL, 0);
    block_end();

    /* block 2: A (the thief: X 3 BTC, the mixer's deposit address 5 BTC, change) and H (the
     * honest order: the mixer's other deposit address) */
    uint64_t kx = new_key(), kmd = new_key(), kmd2 = new_key(), kt = new_key();
    block_begin();
    coin a_out[3], h_out[1];
    gen_tx_reset(&tx);
    add_in(&tx, &stolen);
    add_out(&tx, 300000000, kx);
    add_out(&tx, 500000000, kmd);
    add_out(&tx, 199990000, kt);
    block_tx(&tx, a_out);
    last_txid(id_a);
    gen_tx_reset(&tx);
    add_in(&tx, &hc);
    add_out(&tx, 199990000, kmd2);
    block_tx(&tx, h_out);
    last_txid(id_h);
    block_end();
    a_out[1].key = kmd;
    h_out[0].key = kmd2;

    /* block 3: S, the mixer's sweep of both orders and its float into a pool address */
    uint64_t kp = new_key();
    block_begin();
    coin pool[1];
    gen_tx_reset(&tx);
    add_in(&tx, &a_out[1]);
    add_in(&tx, &h_out[0]);
    add_in(&tx, &q);
    add_out(&tx, 2699970000ULL, kp);
    block_tx(&tx, pool);
    last_txid(id_s);
    block_end();
    pool[0].key = kp;

    /* block 4: P, the payouts: X directly, the thief's fresh address, the honest user's fresh
     * address, change to a fresh pool address */
    uint64_t kf = new_key(), kh1 = new_key(), kp2 = new_key();
    block_begin();
    coin p_out[4];
    gen_tx_reset(&tx);
    add_in(&tx, &pool[0]);
    add_out(&tx, 150000000, kx);
    add_out(&tx, 300000000, kf);
    add_out(&tx, 195000000, kh1);
    add_out(&tx, 2699970000ULL - 645000000 - 10000, kp2);
    block_tx(&tx, p_out);
    last_txid(id_p);
    block_end();
    p_out[1].key = kf;
    p_out[2].key = kh1;
    p_out[3].key = kp2;

    /* block 5: T1 (the thief deposits its payout at X) and TH (the honest user at Y) */
    uint64_t ky = new_key();
    block_begin();
    chain_pay_alone(&tx, &p_out[1], 299990000, kx, id_t1);
    chain_pay_alone(&tx, &p_out[2], 194990000, ky, id_th);
    block_end();

    /* block 6: P3, a later payout of 1 BTC straight to X (past the cap) */
    block_begin();
    gen_tx_reset(&tx);
    add_in(&tx, &p_out[3]);
    add_out(&tx, 100000000, kx);
    add_out(&tx, p_out[3].value - 100000000 - 10000, new_key());
    block_tx(&tx, NULL);
    last_txid(id_p3);
    block_end();

    gen_tx_deinit(&tx);
    chain_write(dir);
}

/* The labels: the mixer's four addresses (two deposit addresses, the pool, the payout's
 * change), X and Y (exchange_deposit when `deposits`, else unlabelled). */
static cw_trace_labelmap *labels(bool deposits)
{
    const uint8_t *tx[6] = {id_a, id_h, id_s, id_p, id_a, id_th};
    const uint32_t vo[6] = {1, 0, 0, 3, 0, 0};
    const char *ent[6] = {"blendr", "blendr", "blendr", "blendr", "exch", "exch"};
    const char *xd = "exchange_deposit";
    const char *cat[6] = {"mixer", "mixer", "mixer", "mixer", xd, xd};
    size_t n = deposits ? 6 : 4;
    uint64_t outs[6];
    for (size_t i = 0; i < n; i++)
        outs[i] = chain_out(cs, tx[i], vo[i]);
    char name[16];
    snprintf(name, sizeof name, "labels%d", deposits);
    cw_trace_labelmap *m = NULL;
    if (!chain_labels(dir, name, cs, outs, ent, cat, n, &m))
        exit(1);
    return m;
}

static cw_trace *run(const cw_trace_labelmap *lm, bool rule)
{
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.stop[0] = "exchange";
    o.stop[1] = "exchange_deposit";
    o.n_stop = 2;
    CHECK(o.mixer_payouts); /* the default */
    o.mixer_payouts = rule;
    uint64_t s = chain_first_spent(cs, id_a);
    cw_trace *t = NULL;
    if (cw_trace_run(&t, cs, lm, &s, 1, &o) != 0) {
        fprintf(stderr, "trace: %s\n", cw_error_last());
        exit(1);
    }
    /* conservation: what comes back is taken off the mixer's end */
    CHECK_EQ_INT(chain_ended(t), 1000000000LL);
    return t;
}

static void check_payout(const cw_trace *t, const uint8_t *txid, uint64_t amount)
{
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, txid, 0));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->kind, CW_END_LABEL);
    CHECK_EQ_INT(e->amount, amount);
    CHECK_EQ_INT(e->probable, amount);
    CHECK_EQ_INT(e->rule, CW_RULE_MIXER_PAYOUT);
    /* the path goes through the mixer: the source's coinbase, A (paid the mixer), the
     * payout P, and the thief's own deposit tx when there is one */
    uint64_t path[8];
    size_t n = cw_trace_path(t, e->node, path, 8);
    CHECK_EQ_INT(n, txid == id_t1 ? 4 : 3);
    REQUIRE(n >= 3);
    CHECK_EQ_INT(path[1], chain_tx(cs, id_a));
    CHECK_EQ_INT(path[n - 1], chain_tx(cs, txid));
    if (txid == id_t1)
        CHECK_EQ_INT(path[2], chain_tx(cs, id_p));
}

static void test_rule(void)
{
    cw_trace_labelmap *lm = labels(true);
    cw_trace *t = run(lm, true);
    const cw_trace_stats *st = cw_trace_stats_get(t);
    CHECK_EQ_INT(st->mixer_payouts, 3);
    CHECK_EQ_INT(st->mixer_payout_value, 500000000);
    check_payout(t, id_p, 150000000);
    check_payout(t, id_t1, 299990000);
    check_payout(t, id_p3, 50010000);
    /* the one-hop payout: P's output to the thief's fresh address carries it too */
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_p, 1)), 299990000);
    /* the honest look-alike: same mixer, same exchange, its own account */
    CHECK(chain_end_at(t, chain_out(cs, id_th, 0)) == NULL);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_p, 2)), 0);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_th, 0)), 0);
    /* the certain deposit at X stays certain; the mixer keeps nothing */
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, id_a, 0));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, 300000000);
    CHECK_EQ_INT(e->probable, 0);
    e = chain_end_at(t, chain_out(cs, id_a, 1));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, 0);
    /* the JSON names the rule, the mixer, the payout and the evidence */
    json_t *j = cw_trace_json(t, 10, 1000);
    REQUIRE(j != NULL);
    char *txt = json_dumps(j, JSON_COMPACT);
    char hex[65];
    cw_hex_encode_rev(hex, id_a, 32);
    CHECK(strstr(txt, "\"mixer-payout\"") != NULL);
    CHECK(strstr(txt, "\"mixer\":\"blendr\"") != NULL);
    CHECK(strstr(txt, hex) != NULL);
    CHECK_EQ_INT(json_integer_value(json_object_get(
                     json_object_get(json_object_get(j, "probable"), "mixer_payouts"), "value")),
                 500000000);
    free(txt);
    json_decref(j);
    cw_trace_free(t);
    cw_trace_labelmap_free(lm);
}

static void test_off(void)
{
    cw_trace_labelmap *lm = labels(true);
    cw_trace *t = run(lm, false);
    CHECK_EQ_INT(cw_trace_stats_get(t)->mixer_payouts, 0);
    CHECK(chain_end_at(t, chain_out(cs, id_p, 0)) == NULL);
    CHECK(chain_end_at(t, chain_out(cs, id_t1, 0)) == NULL);
    CHECK(chain_end_at(t, chain_out(cs, id_p3, 0)) == NULL);
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, id_a, 1));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, 500000000);
    cw_trace_free(t);
    cw_trace_labelmap_free(lm);
}

static void test_no_evidence(void)
{
    cw_trace_labelmap *lm = labels(false);
    cw_trace *t = run(lm, true);
    CHECK_EQ_INT(cw_trace_stats_get(t)->mixer_payouts, 0);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_t1, 0)), 0);
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_p, 0)), 0);
    cw_trace_free(t);
    cw_trace_labelmap_free(lm);
}

int main(void)
{
    int rc = CHAIN_SETUP(build_world, dir, store, &cs);
    if (rc)
        return rc;
    RUN(test_rule);
    RUN(test_off);
    RUN(test_no_evidence);
    cw_chainstore_close(cs);
    return cw_test_done();
}
