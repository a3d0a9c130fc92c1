/*
 * test_trace_service_payouts.c: an unlabelled custodial mixer's payouts (docs/TRACE-MODELS.md,
 * "Unlabelled custodial mixers", the worked example), its honest look-alikes, and the JSON
 * graph's one entry per tx in chain order, on hand-made regtest blocks.
 *
 * A thief's 10 BTC coin (tx A) pays 2 BTC to its exchange account X, 5 BTC to a deposit address
 * of a custodial mixer nobody labelled, 1 BTC to Z (an OTC desk's exchange account: honest, but
 * it once received from the thief), 1 BTC to a deposit address of exchange E (whose hot wallet
 * is labelled, its deposit addresses not), 0.5 BTC to a merchant's invoice address, 0.25 BTC to
 * Z2 (the merchant's own exchange account) and keeps the change. Six honest users order from
 * the mixer, six of E's customers deposit, five of the merchant's customers pay it. Then:
 *   - S: the mixer sweeps its seven deposit addresses into a pool address; P pays out of it
 *     0.6 and 0.4 BTC straight to X (one tx, two deposits), 3 BTC to a fresh address of the
 *     thief's, 0.95 BTC to each of three honest users, change to a fresh address;
 *   - T1: the thief deposits its 3 BTC at X; TH: an honest user deposits its 0.95 BTC at Y;
 *   - SE: E sweeps its deposit addresses into its hot wallet W (label exchange); WD: W pays
 *     four withdrawals, one of them to Z (an exchange's withdrawal to an honest user who once
 *     received from the thief);
 *   - SM: the merchant sweeps its invoices; MP: it pays 2 BTC to its own account Z2 (a merchant
 *     payout), change back to its pool;
 *   - T6: the thief's change moves on (a tx of the main passes after P in the chain).
 * Checked to the satoshi: with the rule, X's deposits from P (60,000,000 and 40,000,000) and
 * T1 (299,990,000) carry that value, probable, rule service-payout, the path through the
 * mixer's sweep; the sweep's end keeps 500,000,000 less that; the ends add up to 10 BTC;
 * WD's deposit at Z, MP's at Z2 and TH's at Y get nothing; without the rule nothing comes
 * back. The JSON graph lists each tx once (P with both its deposits) in chain order, with the
 * mixer labelled too (rule mixer-payout: main appended P twice after T6).
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

static uint8_t id_a[32], id_s[32], id_p[32], id_t1[32], id_th[32], id_se[32], id_wd[32], id_sm[32],
    id_mp[32], id_t6[32], id_p2[32], id_p3[32];

#define N_OTHERS 6

static void build_world(void)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    coin stolen, hc[N_OTHERS], ec[N_OTHERS], mc[N_OTHERS];
    block_begin();
    fund(&stolen, 1000000000ULL, 0);
    for (int i = 0; i < N_OTHERS; i++) {
        fund(&hc[i], 100000000ULL, 0);
        fund(&ec[i], 100000000ULL, 0);
        fund(&mc[i], 50000000ULL, 0);
    }
    block_end();

    /* block 2: A, the honest orders, E's customers' deposits, the merchant's customers */
    uint64_t kx = new_key(), kz = new_key(), kz2 = new_key(), kt = new_key();
    uint64_t kmd[N_OTHERS + 1], kde[N_OTHERS + 1], kmi[N_OTHERS];
    for (int i = 0; i <= N_OTHERS; i++) {
        kmd[i] = new_key();
        kde[i] = new_key();
    }
    for (int i = 0; i < N_OTHERS; i++)
        kmi[i] = new_key();
    coin a_out[7], md[N_OTHERS + 1], de[N_OTHERS + 1], mi[N_OTHERS];
    block_begin();
    gen_tx_reset(&tx);
    add_in(&tx, &stolen);
    add_out(&tx, 200000000, kx);
    add_out(&tx, 500000000, kmd[0]);
    add_out(&tx, 100000000, kz);
    add_out(&tx, 100000000, kde[0]);
    add_out(&tx, 50000000, kmi[0]);
    add_out(&tx, 25000000, kz2);
    add_out(&tx, 24990000, kt);
    block_tx(&tx, a_out);
    last_txid(id_a);
    md[0] = a_out[1];
    md[0].key = kmd[0];
    de[0] = a_out[3];
    de[0].key = kde[0];
    mi[0] = a_out[4];
    mi[0].key = kmi[0];
    a_out[6].key = kt;
    for (int i = 0; i < N_OTHERS; i++) {
        gen_tx_reset(&tx);
        add_in(&tx, &hc[i]);
        add_out(&tx, 99990000, kmd[i + 1]);
        block_tx(&tx, &md[i + 1]);
        md[i + 1].key = kmd[i + 1];
        gen_tx_reset(&tx);
        add_in(&tx, &ec[i]);
        add_out(&tx, 99990000, kde[i + 1]);
        block_tx(&tx, &de[i + 1]);
        de[i + 1].key = kde[i + 1];
        if (i + 1 < N_OTHERS) {
            gen_tx_reset(&tx);
            add_in(&tx, &mc[i]);
            add_out(&tx, 49990000, kmi[i + 1]);
            block_tx(&tx, &mi[i + 1]);
            mi[i + 1].key = kmi[i + 1];
        }
    }
    block_end();

    /* block 3: the three sweeps */
    uint64_t kp = new_key(), kw = new_key(), kmp = new_key();
    coin pool, hot, mpool;
    uint64_t sum = 0;
    block_begin();
    gen_tx_reset(&tx);
    for (int i = 0; i <= N_OTHERS; i++) {
        add_in(&tx, &md[i]);
        sum += md[i].value;
    }
    add_out(&tx, sum - 10000, kp);
    block_tx(&tx, &pool);
    last_txid(id_s);
    pool.key = kp;
    gen_tx_reset(&tx);
    sum = 0;
    for (int i = 0; i <= N_OTHERS; i++) {
        add_in(&tx, &de[i]);
        sum += de[i].value;
    }
    add_out(&tx, sum - 10000, kw);
    block_tx(&tx, &hot);
    last_txid(id_se);
    hot.key = kw;
    gen_tx_reset(&tx);
    sum = 0;
    for (int i = 0; i < N_OTHERS; i++) {
        add_in(&tx, &mi[i]);
        sum += mi[i].value;
    }
    add_out(&tx, sum - 10000, kmp);
    block_tx(&tx, &mpool);
    last_txid(id_sm);
    mpool.key = kmp;
    block_end();

    /* block 4: P (the mixer's payouts), WD (E's withdrawals), MP (the merchant's payout) */
    uint64_t kf = new_key(), kh[3] = {new_key(), new_key(), new_key()};
    coin p_out[8];
    block_begin();
    gen_tx_reset(&tx);
    add_in(&tx, &pool);
    add_out(&tx, 60000000, kx);
    add_out(&tx, 40000000, kx);
    add_out(&tx, 300000000, kf);
    for (int i = 0; i < 3; i++)
        add_out(&tx, 95000000, kh[i]);
    uint64_t kpc = new_key();
    add_out(&tx, pool.value - 685000000 - 10000, kpc);
    block_tx(&tx, p_out);
    last_txid(id_p);
    p_out[2].key = kf;
    p_out[3].key = kh[0];
    p_out[6].key = kpc;
    gen_tx_reset(&tx);
    add_in(&tx, &hot);
    add_out(&tx, 50000000, kz);
    for (int i = 0; i < 3; i++)
        add_out(&tx, 50000000, new_key());
    add_out(&tx, hot.value - 200000000 - 10000, kw);
    block_tx(&tx, NULL);
    last_txid(id_wd);
    gen_tx_reset(&tx);
    add_in(&tx, &mpool);
    add_out(&tx, 200000000, kz2);
    add_out(&tx, mpool.value - 200000000 - 10000, kmp);
    block_tx(&tx, NULL);
    last_txid(id_mp);
    block_end();

    /* block 5: T1 (the thief deposits at X) and TH (an honest user at Y) */
    block_begin();
    chain_pay_alone(&tx, &p_out[2], 299990000, kx, id_t1);
    chain_pay_alone(&tx, &p_out[3], 94990000, new_key(), id_th);
    /* P2: the pool's change goes on paying customers (X, two others, change) */
    gen_tx_reset(&tx);
    add_in(&tx, &p_out[6]);
    add_out(&tx, 50000000, kx);
    add_out(&tx, 10000000, new_key());
    add_out(&tx, 10000000, new_key());
    uint64_t kpc2 = new_key();
    add_out(&tx, p_out[6].value - 70000000 - 10000, kpc2);
    coin p2_out[4];
    block_tx(&tx, p2_out);
    last_txid(id_p2);
    p2_out[3].key = kpc2;
    /* P3: and on (X 0.3 BTC, two others, change): past the payee's one hop */
    gen_tx_reset(&tx);
    add_in(&tx, &p2_out[3]);
    add_out(&tx, 30000000, kx);
    add_out(&tx, 10000000, new_key());
    add_out(&tx, 10000000, new_key());
    add_out(&tx, p2_out[3].value - 50000000 - 10000, new_key());
    block_tx(&tx, NULL);
    last_txid(id_p3);
    block_end();

    /* block 6: T6, the thief's change moves on */
    block_begin();
    chain_pay_alone(&tx, &a_out[6], 24980000, new_key(), id_t6);
    block_end();

    gen_tx_deinit(&tx);
    chain_write(dir);
}

/* The labels: X, Z, Z2 and TH's Y (exchange_deposit), E's hot wallet (exchange); with
 * `mixer`, the mixer's deposit addresses and its pool too (mixer "blendr"). */
static cw_trace_labelmap *labels(bool mixer)
{
    struct {
        const uint8_t *tx;
        uint32_t vout;
        const char *ent, *cat;
    } l[] = {{id_a, 0, "exch", "exchange_deposit"}, {id_a, 2, "exch", "exchange_deposit"},
             {id_a, 5, "exch", "exchange_deposit"}, {id_th, 0, "exch", "exchange_deposit"},
             {id_se, 0, "exch-e", "exchange"},      {id_a, 1, "blendr", "mixer"},
             {id_s, 0, "blendr", "mixer"}};
    size_t n = mixer ? 7 : 5;
    uint64_t outs[7];
    const char *ents[7], *cats[7];
    for (size_t i = 0; i < n; i++) {
        outs[i] = chain_out(cs, l[i].tx, l[i].vout);
        ents[i] = l[i].ent;
        cats[i] = l[i].cat;
    }
    char name[16];
    snprintf(name, sizeof name, "labels%d", mixer);
    cw_trace_labelmap *m = NULL;
    if (!chain_labels(dir, name, cs, outs, ents, cats, n, &m))
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
    CHECK(o.service_payouts); /* the default */
    o.service_payouts = rule;
    uint64_t s = chain_first_spent(cs, id_a);
    cw_trace *t = NULL;
    if (cw_trace_run(&t, cs, lm, &s, 1, &o) != 0) {
        fprintf(stderr, "trace: %s\n", cw_error_last());
        exit(1);
    }
    CHECK_EQ_INT(chain_ended(t), 1000000000LL); /* conservation */
    return t;
}

static void check_payout(const cw_trace *t, const uint8_t *txid, uint32_t vout, uint64_t amount,
                         cw_trace_rule rule)
{
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, txid, vout));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->kind, CW_END_LABEL);
    CHECK_EQ_INT(e->amount, amount);
    CHECK_EQ_INT(e->probable, amount);
    CHECK_EQ_INT(e->rule, rule);
    uint64_t path[8];
    size_t n = cw_trace_path(t, e->node, path, 8);
    REQUIRE(n >= 3);
    CHECK_EQ_INT(path[1], chain_tx(cs, id_a));
    CHECK_EQ_INT(path[n - 1], chain_tx(cs, txid));
}

/* The honest look-alikes get nothing. */
static void check_honest(const cw_trace *t)
{
    CHECK(chain_end_at(t, chain_out(cs, id_wd, 0)) == NULL); /* E's withdrawal to Z */
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_wd, 0)), 0);
    CHECK(chain_end_at(t, chain_out(cs, id_mp, 0)) == NULL); /* the merchant's payout to Z2 */
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_mp, 0)), 0);
    CHECK(chain_end_at(t, chain_out(cs, id_th, 0)) == NULL); /* an honest customer at Y */
    CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, id_p, 3)), 0);
    /* Z's and Z2's certain value from A stays as it was */
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, id_a, 2));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, 100000000);
    CHECK_EQ_INT(e->probable, 0);
}

/* The JSON graph: each tx once, in chain order; P with both its deposits at X. */
static void check_graph(const cw_trace *t, const char *rule, size_t n_outs)
{
    json_t *j = cw_trace_json(t, 10, 1000);
    REQUIRE(j != NULL);
    json_t *g = json_object_get(j, "graph");
    uint64_t last = 0;
    size_t n_p = 0;
    for (size_t i = 0; i < json_array_size(g); i++) {
        json_t *e = json_array_get(g, i);
        uint8_t id[32];
        REQUIRE(cw_hex_decode_rev(id, 32, json_string_value(json_object_get(e, "txid"))) == 0);
        uint64_t tx = chain_tx(cs, id);
        CHECK(i == 0 || tx > last);
        last = tx;
        if (memcmp(id, id_p, 32) != 0)
            continue;
        n_p++;
        json_t *outs = json_object_get(e, "outputs");
        CHECK_EQ_INT(json_array_size(outs), n_outs); /* X twice, the thief's fresh address... */
        size_t n_rule = 0;
        for (size_t k = 0; k < json_array_size(outs); k++) {
            json_t *mp = json_object_get(json_array_get(outs, k), "mixer_payout");
            n_rule += mp && !strcmp(json_string_value(json_object_get(mp, "rule")), rule);
        }
        CHECK_EQ_INT(n_rule, 2);
    }
    CHECK_EQ_INT(n_p, 1);
    char *txt = json_dumps(j, JSON_COMPACT);
    CHECK(strstr(txt, rule) != NULL);
    free(txt);
    json_decref(j);
}

static void test_unlabelled(void)
{
    cw_trace_labelmap *lm = labels(false);
    cw_trace *t = run(lm, true);
    const cw_trace_stats *st = cw_trace_stats_get(t);
    CHECK_EQ_INT(st->mixer_payouts, 5);
    CHECK_EQ_INT(st->mixer_payout_value, 479990000);
    CHECK_EQ_INT(st->service_payouts, 5);
    CHECK_EQ_INT(st->service_payout_value, 479990000);
    check_payout(t, id_p, 0, 60000000, CW_RULE_SERVICE_PAYOUT);
    check_payout(t, id_p, 1, 40000000, CW_RULE_SERVICE_PAYOUT);
    check_payout(t, id_t1, 0, 299990000, CW_RULE_SERVICE_PAYOUT);
    /* the pool going on (P's change spent alone by P2, paying four) is the service's */
    check_payout(t, id_p2, 0, 50000000, CW_RULE_SERVICE_PAYOUT);
    check_payout(t, id_p3, 0, 30000000, CW_RULE_SERVICE_PAYOUT);
    check_honest(t);
    /* the mixer's sweep keeps what did not come back */
    size_t n_sweep = 0;
    for (size_t i = 0; i < cw_trace_n_ends(t); i++) {
        const cw_trace_end *e = cw_trace_end_at(t, i);
        if (e->kind == CW_END_SWEEP && e->tx == chain_tx(cs, id_s)) {
            n_sweep++;
            CHECK_EQ_INT(e->amount, 500000000 - 479990000);
        }
    }
    CHECK_EQ_INT(n_sweep, 1);
    check_graph(t, "service-payout", 3);
    json_t *j = cw_trace_json(t, 10, 1000);
    REQUIRE(j != NULL);
    char *txt = json_dumps(j, JSON_COMPACT);
    char hex[65];
    cw_hex_encode_rev(hex, id_s, 32);
    CHECK(strstr(txt, "\"mixer\":\"unlabelled service\"") != NULL);
    CHECK(strstr(txt, hex) != NULL); /* the sweep named */
    CHECK(strstr(txt, "\"unlabelled_services\"") != NULL);
    free(txt);
    json_decref(j);
    cw_trace_free(t);
    cw_trace_labelmap_free(lm);
}

static void test_off(void)
{
    cw_trace_labelmap *lm = labels(false);
    cw_trace *t = run(lm, false);
    CHECK_EQ_INT(cw_trace_stats_get(t)->mixer_payouts, 0);
    CHECK(chain_end_at(t, chain_out(cs, id_p, 0)) == NULL);
    CHECK(chain_end_at(t, chain_out(cs, id_t1, 0)) == NULL);
    check_honest(t);
    cw_trace_free(t);
    cw_trace_labelmap_free(lm);
}

static void test_labelled_graph(void)
{
    cw_trace_labelmap *lm = labels(true);
    cw_trace *t = run(lm, true);
    const cw_trace_stats *st = cw_trace_stats_get(t);
    /* P2 is the payee's hop to the labelled rule (one input, P's output to an unlabelled
     * address): the same four deposits */
    CHECK_EQ_INT(st->mixer_payouts, 4);
    CHECK_EQ_INT(st->service_payouts, 0);
    check_payout(t, id_p, 0, 60000000, CW_RULE_MIXER_PAYOUT);
    check_payout(t, id_p, 1, 40000000, CW_RULE_MIXER_PAYOUT);
    check_honest(t);
    check_graph(t, "mixer-payout", 4); /* ... and the hop through P's change */
    cw_trace_free(t);
    cw_trace_labelmap_free(lm);
}

int main(void)
{
    int rc = CHAIN_SETUP(build_world, dir, store, &cs);
    if (rc)
        return rc;
    RUN(test_unlabelled);
    RUN(test_off);
    RUN(test_labelled_graph);
    cw_chainstore_close(cs);
    return cw_test_done();
}
