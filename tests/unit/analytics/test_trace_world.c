/*
 * test_trace_world.c: tracing and screening against a generated world's ground truth.
 * Generates a world with the default heist scenario (data/scenarios/demo-heist.json: 800 BTC
 * stolen, fan-out, peel chains, two Wasabi rounds, Whirlpool, consolidation, cash-out) with
 * 30,000 txs (seed 1), ingests it, loads labels made from truth/addresses.csv (every address
 * that is not an individual user's: exchanges, deposit addresses, coordinators as mixer,
 * thief addresses as theft) and checks, against truth/heists.json:
 *  - FIFO forward from the stolen outputs (stop at exchange, exchange_deposit, mixer;
 *    CoinJoins ranked) finds every exchange that received stolen value, recall >= 0.95 on
 *    deposit transactions, amounts per exchange within 1 % of the truth, and conserves value;
 *  - haircut forward also finds every exchange (recall on deposit txs >= 0.95);
 *  - FIFO with CoinJoins by plain order is worse (documents why rank is the default);
 *  - screening: a deposit address that received stolen value shows theft exposure > 0,
 *    and a deposit address that never received any shows none.
 *  (re-linking, restarted against replayed: test_trace_relink_truth, on a world with true
 *  re-links; this world's were all customers' coins past the exchanges.)
 * The measured figures are printed (the report quotes them).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/analytics/trace_int.h"
#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/labels.h"
#include "chainwatch/screen.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "gen_world.h"
#include "harness.h"

static cw_chainstore *cs;
static cw_trace_labelmap *lm;
static json_t *heist;
static char dir[1024];

static const char *map_category(const char *c)
{
    if (!strcmp(c, "coinjoin_coordinator"))
        return "mixer";
    if (!strcmp(c, "thief"))
        return "theft";
    if (!strcmp(c, "exchange") || !strcmp(c, "exchange_deposit"))
        return c;
    return NULL; /* users, miners, merchants, services: unlabelled here */
}

/* truth/addresses.csv -> a label CSV (address,entity,category) */
static int make_labels(const char *truth_csv, const char *out_csv)
{
    FILE *in = fopen(truth_csv, "r"), *out = fopen(out_csv, "w");
    if (!in || !out)
        return -1;
    char line[512];
    int n = 0;
    fputs("address,entity,category\n", out);
    if (!fgets(line, sizeof line, in)) /* header */
        return -1;
    while (fgets(line, sizeof line, in)) {
        /* address,script_type,entity_id,entity_name,category,customer_id */
        char *f[6] = {0};
        char *p = line;
        for (int i = 0; i < 6 && p; i++) {
            f[i] = p;
            p = strchr(p, ',');
            if (p)
                *p++ = 0;
        }
        if (!f[4])
            continue;
        f[4][strcspn(f[4], "\r\n")] = 0;
        const char *cat = map_category(f[4]);
        if (!cat)
            continue;
        fprintf(out, "%s,%s,%s\n", f[0], f[3], cat);
        n++;
    }
    fclose(in);
    fclose(out);
    return n;
}

static uint64_t outpoint(const char *op)
{
    cw_trace_sources s = {0};
    if (cw_trace_sources_add(&s, cs, NULL, op, UINT32_MAX) || s.n != 1) {
        fprintf(stderr, "%s: %s\n", op, cw_error_last());
        exit(1);
    }
    uint64_t o = s.outs[0];
    cw_trace_sources_deinit(&s);
    return o;
}

typedef struct result {
    double recall;         /* deposit txs with traced value (certain or probable) / deposit txs */
    double recall_certain; /* deposit txs with certain traced value / deposit txs */
    double precision_certain; /* deposit txs with certain value that are the heist's */
    size_t false_probable;    /* other deposit txs with only probable value (counted apart) */
    double worst_err;         /* largest relative error of an exchange's traced deposits (all) */
    size_t exchanges_missed;
    uint64_t ended, probable, victim_certain, victim_probable;
} result;

static cw_trace *trace_heist(cw_trace_model m, cw_trace_coinjoin cj)
{
    json_t *st = json_object_get(heist, "stolen_outputs");
    uint64_t src[16];
    size_t n = 0, i;
    json_t *v;
    json_array_foreach(st, i, v)
    {
        if (n < 16)
            src[n++] = outpoint(json_string_value(json_object_get(v, "outpoint")));
    }
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.model = m;
    o.coinjoin = cj;
    o.stop[0] = "exchange";
    o.stop[1] = "exchange_deposit";
    o.stop[2] = "mixer";
    o.n_stop = 3;
    cw_trace *t = NULL;
    if (cw_trace_run(&t, cs, lm, src, n, &o)) {
        fprintf(stderr, "trace: %s\n", cw_error_last());
        exit(1);
    }
    return t;
}

static result score(const cw_trace *t, const char *name)
{
    result r;
    memset(&r, 0, sizeof r);
    /* recall on deposit txs */
    json_t *deps = json_object_get(heist, "deposits"), *seen = json_object(), *hit = json_object();
    size_t i;
    json_t *d;
    json_array_foreach(deps, i, d)
    {
        const char *txid = json_string_value(json_object_get(d, "txid"));
        json_object_set_new(seen, txid, json_true());
        uint64_t o = outpoint(json_string_value(json_object_get(d, "outpoint")));
        if (cw_trace_amount_at(t, o) > 0)
            json_object_set_new(hit, txid, json_true());
    }
    r.recall = (double)json_object_size(hit) / (double)json_object_size(seen);
    /* certain and probable ends at exchange addresses, by deposit tx */
    json_t *cert = json_object(), *cert_true = json_object(), *prob_false = json_object();
    const char *victim = json_string_value(json_object_get(heist, "victim"));
    for (size_t k = 0; k < cw_trace_n_ends(t); k++) {
        const cw_trace_end *e = cw_trace_end_at(t, k);
        const char *ent, *cat;
        if (e->kind != CW_END_LABEL || !cw_trace_labelmap_get(lm, e->addr, &ent, &cat) ||
            (strcmp(cat, "exchange_deposit") != 0 && strcmp(cat, "exchange") != 0))
            continue;
        char txid[65];
        cw_hex_encode_rev(txid, cw_chainstore_txid(cs, e->tx), 32);
        bool truth = json_object_get(seen, txid) != NULL;
        if (e->amount > e->probable) {
            json_object_set_new(cert, txid, json_true());
            if (truth)
                json_object_set_new(cert_true, txid, json_true());
        } else if (!truth) {
            json_object_set_new(prob_false, txid, json_true());
        }
        if (!strcmp(ent, victim)) {
            r.victim_certain += e->amount - e->probable;
            r.victim_probable += e->probable;
        }
    }
    r.recall_certain = (double)json_object_size(cert_true) / (double)json_object_size(seen);
    r.precision_certain = json_object_size(cert)
                              ? (double)json_object_size(cert_true) / (double)json_object_size(cert)
                              : 1.0;
    r.false_probable = json_object_size(prob_false);
    json_decref(cert);
    json_decref(cert_true);
    json_decref(prob_false);
    /* amounts per exchange: value that ended at addresses labelled with the exchange */
    json_t *by_ex = json_object_get(heist, "deposits_by_exchange");
    const char *ex;
    json_t *want;
    json_object_foreach(by_ex, ex, want)
    {
        uint64_t got = 0;
        for (size_t k = 0; k < cw_trace_n_ends(t); k++) {
            const cw_trace_end *e = cw_trace_end_at(t, k);
            const char *ent, *cat;
            if (e->kind == CW_END_LABEL && cw_trace_labelmap_get(lm, e->addr, &ent, &cat) &&
                !strcmp(ent, ex))
                got += e->amount;
        }
        double w = (double)json_integer_value(want);
        double err = ((double)got > w ? (double)got - w : w - (double)got) / w;
        if (got == 0)
            r.exchanges_missed++;
        if (err > r.worst_err)
            r.worst_err = err;
        printf("  %-8s %-10s truth %14.0f traced %14llu  error %+.3f%%\n", name, ex, w,
               (unsigned long long)got, 100.0 * ((double)got - w) / w);
    }
    for (size_t k = 0; k < cw_trace_n_ends(t); k++) {
        r.ended += cw_trace_end_at(t, k)->amount;
        r.probable += cw_trace_end_at(t, k)->probable;
    }
    printf("  %-8s deposit txs %zu: recall %.4f (certain %.4f, precision of certain %.4f; %zu "
           "other deposit txs only probable), worst exchange error %.3f%%, victim %llu sat "
           "certain + %llu probable, %llu sat probable in all, %llu txs traced\n",
           name, json_object_size(seen), r.recall, r.recall_certain, r.precision_certain,
           r.false_probable, 100.0 * r.worst_err, (unsigned long long)r.victim_certain,
           (unsigned long long)r.victim_probable, (unsigned long long)r.probable,
           (unsigned long long)cw_trace_stats_get(t)->txs);
    json_decref(seen);
    json_decref(hit);
    return r;
}

/* what every CoinJoin policy must hold: nothing certain is attributed to a deposit that is
 * not the heist's, and nothing certain to the victim */
static void check_honest(const result *r)
{
    CHECK(r->precision_certain == 1.0);
    CHECK_EQ_INT(r->victim_certain, 0);
}

static void test_fifo_proportional(void)
{
    /* the default: value past a CoinJoin is shared by its outputs and probable */
    cw_trace *t = trace_heist(CW_TRACE_FIFO, CW_CJ_PROPORTIONAL);
    result r = score(t, "fifo");
    check_honest(&r);
    CHECK_EQ_INT(r.exchanges_missed, 0);
    CHECK(r.recall >= 0.95);
    CHECK(r.probable > 0);
    CHECK_EQ_INT(r.ended, json_integer_value(json_object_get(heist, "amount_sat")));
    cw_trace_free(t);
}

static void test_fifo_rank(void)
{
    /* ranked, equal groups shared: the amounts per exchange (certain + probable) stay close */
    cw_trace *t = trace_heist(CW_TRACE_FIFO, CW_CJ_RANK);
    result r = score(t, "fifo/rank");
    check_honest(&r);
    CHECK_EQ_INT(r.exchanges_missed, 0);
    CHECK(r.recall >= 0.95);
    CHECK(r.worst_err <= 0.01);
    CHECK_EQ_INT(r.ended, json_integer_value(json_object_get(heist, "amount_sat")));
    cw_trace_free(t);
}

static void test_fifo_stop(void)
{
    /* stop: the pre-mixing deposits exactly, nothing probable, value that entered mixers */
    cw_trace *t = trace_heist(CW_TRACE_FIFO, CW_CJ_STOP);
    result r = score(t, "fifo/stop");
    check_honest(&r);
    CHECK_EQ_INT(r.probable, 0);
    CHECK(r.recall < 0.95); /* the post-mix cash-outs are not reached */
    CHECK(cw_trace_stats_get(t)->coinjoin_in > 0);
    cw_trace_free(t);
}

static void test_fifo_order(void)
{
    /* plain order through the CoinJoins: every exchange found, all past the mixing probable */
    cw_trace *t = trace_heist(CW_TRACE_FIFO, CW_CJ_ORDER);
    result r = score(t, "fifo/ord");
    check_honest(&r);
    CHECK_EQ_INT(r.exchanges_missed, 0);
    CHECK(r.recall >= 0.95);
    cw_trace_free(t);
}

static void test_haircut(void)
{
    cw_trace *t = trace_heist(CW_TRACE_HAIRCUT, CW_CJ_PROPORTIONAL);
    result r = score(t, "haircut");
    check_honest(&r);
    CHECK_EQ_INT(r.exchanges_missed, 0);
    CHECK(r.recall >= 0.95);
    CHECK_EQ_INT(r.ended, json_integer_value(json_object_get(heist, "amount_sat")));
    cw_trace_free(t);
}

static void test_screen(void)
{
    /* a deposit address that received stolen value directly from the thief */
    json_t *deps = json_object_get(heist, "deposits");
    const char *dirty = json_string_value(json_object_get(json_array_get(deps, 0), "address"));
    cw_screen_opts so;
    cw_screen_opts_init(&so);
    /* the defaults: followed to the floor (0.1 % of the received value), CoinJoins
     * proportional */
    cw_screen_result *r = NULL;
    REQUIRE(cw_screen_address(&r, cs, lm, dirty, &so) == 0);
    double theft = cw_screen_share(r, "theft");
    printf("  screen %s: theft exposure %.4f\n", dirty, theft);
    CHECK(theft > 0.0);
    CHECK(theft <= 1.0);
    CHECK(cw_screen_flag_level(r) == 2); /* a peel-chain deposit: certain exposure */
    /* every satoshi of the base is accounted for: categories + unknown + coinbase */
    json_t *sj = cw_screen_json(r, 3);
    uint64_t sum = (uint64_t)json_integer_value(json_object_get(sj, "unknown")) +
                   (uint64_t)json_integer_value(json_object_get(sj, "coinbase")) +
                   (uint64_t)json_integer_value(json_object_get(sj, "coinjoin_value"));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(sj, "exposure"), i, v)
    {
        sum += (uint64_t)json_integer_value(json_object_get(v, "value"));
    }
    CHECK_EQ_INT(sum, cw_screen_received(r));
    CHECK(json_array_size(json_object_get(sj, "paths")) > 0);
    /* the flag carries its strongest path, which starts at a theft-labelled address */
    json_t *f0 = json_array_get(json_object_get(sj, "flags"), 0);
    CHECK(json_array_size(json_object_get(f0, "paths")) > 0);
    json_decref(sj);
    cw_screen_result_free(r);
    /* a deposit address of the same exchange that no heist deposit ever used */
    json_t *by_addr = json_object_get(heist, "deposits_by_address");
    char path[1100];
    snprintf(path, sizeof path, "%s/truth/addresses.csv", dir);
    FILE *f = fopen(path, "r");
    REQUIRE(f);
    char line[512], clean[512] = "";
    while (fgets(line, sizeof line, f)) {
        if (!strstr(line, ",exchange_deposit,"))
            continue;
        *strchr(line, ',') = 0;
        if (json_object_get(by_addr, line))
            continue;
        /* one that has received something */
        cw_screen_result *c = NULL;
        if (cw_screen_address(&c, cs, lm, line, &so) == 0 && cw_screen_received(c) > 0) {
            snprintf(clean, sizeof clean, "%s", line);
            double th = cw_screen_share(c, "theft");
            printf("  screen %s: theft exposure %.4f (clean deposit address)\n", line, th);
            CHECK(th == 0.0);
            CHECK(cw_screen_flag_level(c) == 0);
            cw_screen_result_free(c);
            break;
        }
        cw_screen_result_free(c);
    }
    fclose(f);
    CHECK(clean[0]);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/world", cw_test_tmpdir());
    char truth[1100], csv[1100], db[1100], hj[1100];
    snprintf(truth, sizeof truth, "%s/truth/addresses.csv", dir);
    snprintf(csv, sizeof csv, "%s/labels.csv", dir);
    snprintf(db, sizeof db, "%s/labels.db", dir);
    snprintf(hj, sizeof hj, "%s/truth/heists.json", dir);
    cw_gen_stats gs;
    if (gen_world(dir, 30000, 1, NULL, &gs, &cs))
        return 1;
    int n = make_labels(truth, csv);
    cw_labels *ldb = NULL;
    cw_label_import_stats ls;
    if (n <= 0 || cw_labels_open(&ldb, db, 0) ||
        cw_labels_import(ldb, CW_IMPORT_CSV, csv, NULL, &ls) ||
        cw_trace_labelmap_new(&lm, cs, ldb)) {
        fprintf(stderr, "labels: %s\n", cw_error_last());
        return 1;
    }
    cw_labels_close(ldb);
    printf("world: %llu txs, %d labels, %zu in the store\n", (unsigned long long)gs.txs, n,
           cw_trace_labelmap_count(lm));
    json_error_t je;
    json_t *all = json_load_file(hj, 0, &je);
    if (!all || !json_array_size(all)) {
        fprintf(stderr, "%s: %s\n", hj, je.text);
        return 1;
    }
    heist = json_array_get(all, 0);
    if (!json_is_true(json_object_get(heist, "finished"))) {
        fprintf(stderr, "the heist did not finish in the world\n");
        return 1;
    }
    RUN(test_fifo_proportional);
    RUN(test_fifo_rank);
    RUN(test_fifo_stop);
    RUN(test_fifo_order);
    RUN(test_haircut);
    RUN(test_screen);
    json_decref(all);
    cw_trace_labelmap_free(lm);
    cw_chainstore_close(cs);
    return cw_test_done();
}
