/*
 * test_trace_service_float.c: a payout an unlabelled custodial mixer makes from its float (a
 * coin never spent with its sweeps' coins), matched to the thief's order by amount
 * (docs/TRACE-MODELS.md, "Payouts from the float", the worked example), and its honest
 * look-alikes, on hand-made regtest blocks.
 *
 * A thief's 10 BTC coin (tx A) pays 2 BTC to its exchange account X, 5 BTC to a deposit address
 * of a custodial mixer nobody labelled (its order), 1 BTC to Z (an honest user's exchange
 * account that once received from the thief) and keeps the change. Six honest users order
 * 0.9999 BTC each. The mixer holds a 20 BTC float F; an unlabelled payer U holds 20 BTC; the
 * labelled hot wallet H of an exchange holds 20 BTC. Then:
 *   - U1 (before the sweep): U pays 4.8 BTC to Z (an amount that would match the order);
 *   - S: the mixer sweeps its seven deposit addresses into a fresh pool address;
 *   - P: the pool pays four honest customers 0.95 BTC each, change to a fresh address;
 *   - PF: the FLOAT pays 4.9 BTC (the order less 2 %) to a fresh address of the thief's, 0.5
 *     BTC to two honest customers, change to a fresh address: nothing on-chain joins F to S;
 *   - WU: U pays Z 0.5 BTC and three others (an unlabelled exchange's withdrawal, no order's
 *     amount); WH: H pays Z 4.85 BTC and three others (the order's amount, but labelled);
 *   - T1: the thief deposits PF's 4.9 BTC at X; PF2: the float's change pays 4.9 BTC straight
 *     to X again (the order is used up by PF).
 * Checked to the satoshi: with the rule, T1 (489,990,000) carries that value, probable, rule
 * service-payout, the order named; PF2's deposit, U1's, WU's and WH's at Z get nothing; the
 * ends add up to 10 BTC. Main's rule (no float) gave T1 nothing.
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

static uint8_t id_a[32], id_u1[32], id_s[32], id_p[32], id_pf[32], id_wu[32], id_wh[32], id_t1[32],
    id_pf2[32];

#define N_ORDERS 6

/* Pays the outputs already in tx, then n outputs of v to fresh keys, then change (the last
 * output) to a fresh key, spending coin in; the coins go to outs (may be NULL). */
static void pay_many(gen_tx *tx, const coin *in, int n, uint64_t v, coin *outs)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < tx->n_out; i++)
        sum += tx->out[i].value;
    add_in(tx, in);
    for (int i = 0; i < n; i++) {
        add_out(tx, v, new_key());
        sum += v;
    }
    uint64_t kc = new_key();
    add_out(tx, in->value - sum - 10000, kc);
    size_t last = tx->n_out - 1;
    block_tx(tx, outs);
    if (outs)
        outs[last].key = kc;
}

static uint64_t k_hot; /* the exchange's labelled hot wallet */

static void build_world(void)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    coin stolen, hc[N_ORDERS], fl, uc, hw;
    k_hot = new_key();
    block_begin();
    fund(&stolen, 1000000000ULL, 0);
    for (int i = 0; i < N_ORDERS; i++)
        fund(&hc[i], 100000000ULL, 0);
    fund(&fl, 2000000000ULL, 0);
    fund(&uc, 2000000000ULL, 0);
    fund(&hw, 2000000000ULL, k_hot);
    block_end();

    /* block 2: A, U1 (4.8 BTC to Z before the sweep), the honest orders */
    uint64_t kx = new_key(), kz = new_key(), kmd[N_ORDERS + 1];
    for (int i = 0; i <= N_ORDERS; i++)
        kmd[i] = new_key();
    coin a_out[4], md[N_ORDERS + 1], u1_out[4];
    block_begin();
    gen_tx_reset(&tx);
    add_in(&tx, &stolen);
    add_out(&tx, 200000000, kx);
    add_out(&tx, 500000000, kmd[0]);
    add_out(&tx, 100000000, kz);
    add_out(&tx, 199990000, new_key());
    block_tx(&tx, a_out);
    last_txid(id_a);
    md[0] = a_out[1];
    md[0].key = kmd[0];
    gen_tx_reset(&tx);
    add_out(&tx, 480000000, kz);
    pay_many(&tx, &uc, 2, 50000000, u1_out);
    last_txid(id_u1);
    for (int i = 0; i < N_ORDERS; i++) {
        gen_tx_reset(&tx);
        add_in(&tx, &hc[i]);
        add_out(&tx, 99990000, kmd[i + 1]);
        block_tx(&tx, &md[i + 1]);
        md[i + 1].key = kmd[i + 1];
    }
    block_end();

    /* block 3: S, the mixer's sweep into a fresh pool address */
    uint64_t kp = new_key(), sum = 0;
    coin pool;
    block_begin();
    gen_tx_reset(&tx);
    for (int i = 0; i <= N_ORDERS; i++) {
        add_in(&tx, &md[i]);
        sum += md[i].value;
    }
    add_out(&tx, sum - 10000, kp);
    block_tx(&tx, &pool);
    last_txid(id_s);
    pool.key = kp;
    block_end();

    /* block 4: P (the pool pays four customers), PF (the float pays the thief 4.9 BTC and two
     * customers), WU (U's withdrawals, 0.5 BTC to Z), WH (H's, 4.85 BTC to Z) */
    uint64_t kf = new_key();
    coin pf_out[4];
    block_begin();
    gen_tx_reset(&tx);
    pay_many(&tx, &pool, 4, 95000000, NULL);
    last_txid(id_p);
    gen_tx_reset(&tx);
    add_out(&tx, 490000000, kf);
    pay_many(&tx, &fl, 2, 50000000, pf_out);
    last_txid(id_pf);
    pf_out[0].key = kf;
    gen_tx_reset(&tx);
    add_out(&tx, 50000000, kz);
    pay_many(&tx, &u1_out[3], 3, 50000000, NULL);
    last_txid(id_wu);
    gen_tx_reset(&tx);
    add_in(&tx, &hw);
    add_out(&tx, 485000000, kz);
    for (int i = 0; i < 3; i++)
        add_out(&tx, 50000000, new_key());
    add_out(&tx, hw.value - 635000000 - 10000, k_hot); /* change back to the hot wallet */
    block_tx(&tx, NULL);
    last_txid(id_wh);
    block_end();

    /* block 5: T1 (the thief deposits PF's 4.9 BTC at X), PF2 (the float's change pays X 4.9
     * BTC again, and three customers) */
    block_begin();
    chain_pay_alone(&tx, &pf_out[0], 489990000, kx, id_t1);
    gen_tx_reset(&tx);
    add_out(&tx, 490000000, kx);
    pay_many(&tx, &pf_out[3], 3, 10000000, NULL);
    last_txid(id_pf2);
    block_end();

    gen_tx_deinit(&tx);
    chain_write(dir);
}

/* The labels: X and Z (exchange_deposit), H's hot wallet (exchange). */
static cw_trace_labelmap *labels(void)
{
    uint64_t outs[3] = {chain_out(cs, id_a, 0), chain_out(cs, id_a, 2), chain_out(cs, id_wh, 4)};
    const char *ents[3] = {"exch", "exch", "exch"};
    const char *cats[3] = {"exchange_deposit", "exchange_deposit", "exchange"};
    cw_trace_labelmap *m = NULL;
    if (!chain_labels(dir, "labels", cs, outs, ents, cats, 3, &m))
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

/* The honest look-alikes get nothing: U1 (the order's amount, before the sweep), WU (an
 * unlabelled payer, no order's amount), WH (the order's amount from a labelled exchange), and
 * PF2 (the float again: its order is used up). */
static void check_honest(const cw_trace *t)
{
    const uint8_t *ids_[4] = {id_u1, id_wu, id_wh, id_pf2};
    for (int i = 0; i < 4; i++) {
        CHECK(chain_end_at(t, chain_out(cs, ids_[i], 0)) == NULL);
        CHECK_EQ_INT(cw_trace_amount_at(t, chain_out(cs, ids_[i], 0)), 0);
    }
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, id_a, 2)); /* Z keeps A's 1 BTC */
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->amount, 100000000);
    CHECK_EQ_INT(e->probable, 0);
}

static uint64_t sweep_end(const cw_trace *t)
{
    for (size_t i = 0; i < cw_trace_n_ends(t); i++) {
        const cw_trace_end *e = cw_trace_end_at(t, i);
        if (e->kind == CW_END_SWEEP && e->tx == chain_tx(cs, id_s))
            return e->amount;
    }
    return UINT64_MAX;
}

static void test_float(void)
{
    cw_trace_labelmap *lm = labels();
    cw_trace *t = run(lm, true);
    const cw_trace_stats *st = cw_trace_stats_get(t);
    CHECK_EQ_INT(st->service_payouts, 1);
    CHECK_EQ_INT(st->service_float_payouts, 1);
    CHECK_EQ_INT(st->service_float_payout_value, 489990000);
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, id_t1, 0));
    REQUIRE(e != NULL);
    CHECK_EQ_INT(e->kind, CW_END_LABEL);
    CHECK_EQ_INT(e->amount, 489990000);
    CHECK_EQ_INT(e->probable, 489990000);
    CHECK_EQ_INT(e->rule, CW_RULE_SERVICE_PAYOUT);
    uint64_t path[8];
    size_t n = cw_trace_path(t, e->node, path, 8);
    REQUIRE(n >= 4); /* A, the sweep, PF, T1 */
    CHECK_EQ_INT(path[1], chain_tx(cs, id_a));
    CHECK_EQ_INT(path[n - 2], chain_tx(cs, id_pf));
    CHECK_EQ_INT(path[n - 1], chain_tx(cs, id_t1));
    check_honest(t);
    CHECK_EQ_INT(sweep_end(t), 500000000 - 489990000); /* the sweep keeps the rest */
    json_t *j = cw_trace_json(t, 10, 1000);
    REQUIRE(j != NULL);
    char *txt = json_dumps(j, JSON_COMPACT);
    char hex[65];
    cw_hex_encode_rev(hex, id_a, 32);
    const char *ord = strstr(txt, "\"order\":{\"outpoint\":\"");
    CHECK(ord != NULL); /* the order named: A's output 1 */
    CHECK(ord && !strncmp(ord + strlen("\"order\":{\"outpoint\":\""), hex, 64) &&
          !strncmp(ord + strlen("\"order\":{\"outpoint\":\"") + 64, ":1\"", 3));
    CHECK(strstr(txt, "\"from_float\":{") != NULL);
    free(txt);
    json_decref(j);
    cw_trace_free(t);
    cw_trace_labelmap_free(lm);
}

static void test_off(void)
{
    cw_trace_labelmap *lm = labels();
    cw_trace *t = run(lm, false);
    CHECK_EQ_INT(cw_trace_stats_get(t)->mixer_payouts, 0);
    CHECK(chain_end_at(t, chain_out(cs, id_t1, 0)) == NULL);
    check_honest(t);
    CHECK_EQ_INT(sweep_end(t), 500000000);
    cw_trace_free(t);
    cw_trace_labelmap_free(lm);
}

typedef struct found {
    uint64_t addr[4];
    int n;
} found;

static void on_found(uint64_t addr, void *payload)
{
    found *f = payload;
    if (f->n < 4)
        f->addr[f->n] = addr;
    f->n++;
}

/* The label map reads labels in storage order but keeps the list order (category, asset,
 * subject key, id) of cw_labels_foreach: the address with the smaller key comes first even
 * when its label was imported second, and the most severe label is the primary one. */
static void test_labelmap_order(void)
{
    uint64_t ox = chain_out(cs, id_a, 0), oz = chain_out(cs, id_a, 2);
    uint64_t ax = cw_chainstore_out(cs, ox)->addr, az = cw_chainstore_out(cs, oz)->addr;
    char sx[CW_ADDR_STR_MAX], sz[CW_ADDR_STR_MAX];
    REQUIRE(cw_addr_encode(sx, sizeof sx, cw_chainstore_addr(cs, ax), CW_NET_REGTEST) >= 0);
    REQUIRE(cw_addr_encode(sz, sizeof sz, cw_chainstore_addr(cs, az), CW_NET_REGTEST) >= 0);
    bool x_first = strcmp(sx, sz) < 0;
    uint64_t lo = x_first ? ox : oz, hi = x_first ? oz : ox;
    uint64_t outs[4] = {hi, lo, hi, lo};
    const char *ents[4] = {"Hi", "Lo", "Fence", "Exch"};
    const char *cats[4] = {"theft", "theft", "exchange", "exchange"};
    cw_trace_labelmap *m = NULL;
    REQUIRE(chain_labels(dir, "order", cs, outs, ents, cats, 4, &m));
    CHECK_EQ_INT((int)cw_trace_labelmap_count(m), 2);
    found f = {0};
    CHECK_EQ_INT((int)cw_trace_labelmap_find(m, "theft", on_found, &f), 2);
    uint64_t alo = cw_chainstore_out(cs, lo)->addr, ahi = cw_chainstore_out(cs, hi)->addr;
    CHECK(f.n == 2 && f.addr[0] == alo && f.addr[1] == ahi);
    const char *ent = NULL, *cat = NULL;
    CHECK(cw_trace_labelmap_get(m, ahi, &ent, &cat));
    CHECK_EQ_STR(ent, "Hi");
    CHECK_EQ_STR(cat, "theft");
    CHECK(cw_trace_labelmap_has(m, ahi, "exchange"));
    cw_trace_labelmap_free(m);
}

/* The lazy map (cw_trace_labelmap_open) answers as the full map for every address of the store:
 * an address with a theft and an exchange label, one labelled in upper-case bech32, labels of
 * another asset (ETH: not Bitcoin's) and of no store address. The labels outnumber half the
 * addresses, so the first lookups read by subject key and the rest after the switch to reading
 * every label. */
static int lazy_diff(const cw_trace_labelmap *full, const cw_trace_labelmap *lazy, uint64_t a)
{
    static const char *const cats[] = {"theft", "exchange", "mixer", "sanctioned", "other"};
    const char *e1 = NULL, *c1 = NULL, *e2 = NULL, *c2 = NULL;
    bool g1 = cw_trace_labelmap_get(full, a, &e1, &c1),
         g2 = cw_trace_labelmap_get(lazy, a, &e2, &c2);
    int d = g1 != g2 || (g1 && (strcmp(e1, e2) || strcmp(c1, c2)));
    for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++)
        d += cw_trace_labelmap_has(full, a, cats[i]) != cw_trace_labelmap_has(lazy, a, cats[i]);
    return d;
}

static void test_labelmap_lazy(void)
{
    uint64_t n = cw_chainstore_counts_get(cs).addrs;
    REQUIRE(n >= 4);
    char path[4300], db[4300], s[CW_ADDR_STR_MAX];
    snprintf(path, sizeof path, "%s/lazy.csv", dir);
    snprintf(db, sizeof db, "%s/lazy.db", dir);
    FILE *f = fopen(path, "w");
    REQUIRE(f != NULL);
    fprintf(f, "asset,address,entity,category\n");
    bool upper = false;
    for (uint64_t a = 0; a < n; a++) {
        REQUIRE(cw_addr_encode(s, sizeof s, cw_chainstore_addr(cs, a), CW_NET_REGTEST) >= 0);
        if (a == 0)
            fprintf(f, "XBT,%s,Thief,theft\nXBT,%s,Ex,exchange\n", s, s);
        else if (a == 1)
            fprintf(f, "ETH,%s,Other chain,sanctioned\n,%s,Mix,mixer\n", s, s);
        else if (!upper && !strncmp(s, "bcrt1", 5)) {
            for (char *p = s; *p; p++)
                *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
            fprintf(f, "BTC,%s,Upper,mixer\n", s);
            upper = true;
        }
        cw_addr_key k = {.kind = CW_ADDR_PKH, .len = 20};
        memcpy(k.data, &a, sizeof a);
        k.data[19] = 0xa5; /* no store address */
        REQUIRE(cw_addr_encode(s, sizeof s, &k, CW_NET_REGTEST) >= 0);
        fprintf(f, "XBT,%s,Elsewhere,other\n", s);
    }
    REQUIRE(fclose(f) == 0);
    cw_labels *ldb = NULL;
    cw_label_import_stats ls;
    REQUIRE(cw_labels_open(&ldb, db, 0) == 0);
    REQUIRE(cw_labels_import(ldb, CW_IMPORT_CSV, path, NULL, &ls) == 0);
    cw_labels_close(ldb);
    REQUIRE(cw_labels_open(&ldb, db, CW_LABELS_READONLY) == 0);
    cw_trace_labelmap *full = NULL, *lazy = NULL, *back = NULL;
    REQUIRE(cw_trace_labelmap_new(&full, cs, ldb) == 0);
    REQUIRE(cw_trace_labelmap_open(&lazy, cs, ldb) == 0);
    REQUIRE(cw_trace_labelmap_open(&back, cs, ldb) == 0);
    CHECK(upper);
    CHECK(cw_trace_labelmap_lazy(lazy) && !cw_trace_labelmap_lazy(full));
    CHECK_EQ_INT((int)cw_trace_labelmap_count(full), upper ? 3 : 2);
    CHECK(!cw_trace_labelmap_empty(lazy) && !cw_trace_labelmap_empty(full));
    CHECK_EQ_INT((int)cw_trace_labelmap_count(lazy), 0); /* nothing looked up yet */
    const char *ent = NULL, *cat = NULL;
    CHECK(cw_trace_labelmap_get(lazy, 0, &ent, &cat));
    CHECK(ent && cat && !strcmp(ent, "Thief") && !strcmp(cat, "theft"));
    CHECK(cw_trace_labelmap_has(lazy, 0, "exchange") &&
          !cw_trace_labelmap_has(lazy, 1, "sanctioned"));
    CHECK(cw_trace_labelmap_has(lazy, 1, "mixer"));
    CHECK_EQ_INT((int)cw_trace_labelmap_count(lazy), 2); /* only these two read */
    int diff = 0;
    for (uint64_t a = 0; a < n; a++)
        diff += lazy_diff(full, lazy, a);
    for (uint64_t a = n; a-- > 0;) /* the other order: the switch comes at other addresses */
        diff += lazy_diff(full, back, a);
    CHECK_EQ_INT(diff, 0);
    CHECK_EQ_INT((int)cw_trace_labelmap_count(lazy), (int)cw_trace_labelmap_count(full));
    CHECK_EQ_INT(cw_trace_labelmap_error(lazy), 0);
    CHECK(ent && !strcmp(ent, "Thief")); /* still valid after the switch */
    cw_trace_sources src = {0};
    CHECK_EQ_INT(cw_trace_sources_add(&src, cs, lazy, "label:theft", UINT32_MAX), CW_EINVAL);
    CHECK_EQ_INT(cw_trace_sources_add(&src, cs, full, "label:theft", UINT32_MAX), 0);
    cw_trace_sources_deinit(&src);
    cw_trace_labelmap_free(back);
    cw_trace_labelmap_free(lazy);
    cw_trace_labelmap_free(full);
    cw_labels_close(ldb);
}

int main(void)
{
    int rc = CHAIN_SETUP(build_world, dir, store, &cs);
    if (rc)
        return rc;
    RUN(test_float);
    RUN(test_off);
    RUN(test_labelmap_order);
    RUN(test_labelmap_lazy);
    cw_chainstore_close(cs);
    return cw_test_done();
}
