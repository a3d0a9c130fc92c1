/*
 * bench_address.c: address lookups (`chainwatch address`, GET /api/v1/address/...) on a chain
 * store. The totals come from the per-address summary column (addrsum.col), so a lookup costs
 * the same whatever the address's history; the page costs its own size. The bound it is
 * compared with is the walk the lookup did before the summary column: every output of the
 * address along its outlink chain, with the tx that owns each (what an explorer without
 * summaries does). Measured on random addresses and on the 20 with the longest histories
 * (exchange hot wallets, miners), where the walk is slowest. Prints lookups/s, p50/p99/max in
 * microseconds, and the ratio walk/summary. Not a test.
 *
 * With a label database it also builds the full address -> label map (cw_trace_labelmap_new:
 * every address label decoded and looked up in the store; the server's, and a trace's with
 * --from label:), and the pass it replaced (cw_labels_foreach over every label, sorted and
 * joined in SQL, each address decoded and looked up): labels per second of both and the ratio.
 * Then the lazy map a CLI trace or screen uses (cw_trace_labelmap_open): lookups per second of
 * 2,000 spread address ids (below its switch to reading every label on a large label DB), and
 * how many lookups cost as much as the full build; every answer checked against the full map.
 *
 * usage: bench_address STORE [N_RANDOM [LABELS.db]]   (default 20000 random addresses)
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chainwatch/btc/query.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/labels.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The pre-summary cost: walk all outputs, owning tx of each (binary search), sum. */
static uint64_t walk(const cw_chainstore *cs, uint64_t a)
{
    uint64_t sum = 0;
    for (uint64_t o = cw_chainstore_addr_last(cs, a); o != CW_NONE64;
         o = cw_chainstore_outlink(cs, o))
        sum += cw_out_value(cw_chainstore_out(cs, o)) + cw_chainstore_out_tx(cs, o);
    return sum;
}

/* The label pass before cw_labels_foreach_address: every label in list order with its joins,
 * each address label of a Bitcoin asset decoded and looked up (the map's own work left out). */
typedef struct old_pass {
    const cw_chainstore *cs;
    size_t found;
} old_pass;

static int on_old_label(const cw_label *l, void *payload)
{
    old_pass *o = payload;
    cw_addr_key k;
    uint64_t a;
    if (l->subject_kind != CW_SUBJECT_ADDRESS ||
        (l->asset[0] && strcmp(l->asset, "XBT") != 0 && strcmp(l->asset, "BTC") != 0))
        return 0;
    if (cw_addr_decode(&k, l->subject, cw_chainstore_network(o->cs)) == 0 &&
        cw_chainstore_find_addr(o->cs, &k, &a) == 0)
        o->found++;
    return 0;
}

static int bench_labelmap(const cw_chainstore *cs, const char *path)
{
    cw_labels *db = NULL;
    cw_labels_totals t;
    if (cw_labels_open(&db, path, CW_LABELS_READONLY) || cw_labels_totals_get(db, &t)) {
        fprintf(stderr, "bench_address: %s\n", cw_error_last());
        cw_labels_close(db);
        return 1;
    }
    double best_new = 1e30, best_old = 1e30;
    size_t n_map = 0, n_old = 0;
    for (int rep = 0; rep < 3; rep++) {
        cw_trace_labelmap *lm = NULL;
        double t0 = cw_now();
        if (cw_trace_labelmap_new(&lm, cs, db)) {
            fprintf(stderr, "bench_address: label map: %s\n", cw_error_last());
            cw_labels_close(db);
            return 1;
        }
        double dt = cw_now() - t0;
        best_new = dt < best_new ? dt : best_new;
        n_map = cw_trace_labelmap_count(lm);
        cw_trace_labelmap_free(lm);
        old_pass o = {cs, 0};
        t0 = cw_now();
        if (cw_labels_foreach(db, NULL, on_old_label, &o) < 0) {
            fprintf(stderr, "bench_address: labels: %s\n", cw_error_last());
            cw_labels_close(db);
            return 1;
        }
        dt = cw_now() - t0;
        best_old = dt < best_old ? dt : best_old;
        n_old = o.found;
    }
    printf("  label map, %lld labels (%zu in the store, %zu addresses): %.3f s, %.0f labels/s; "
           "the old pass %.3f s, %.0f labels/s; ratio old/new %.2f (best of 3)\n",
           (long long)t.labels, n_old, n_map, best_new, (double)t.labels / best_new, best_old,
           (double)t.labels / best_old, best_old / best_new);
    cw_trace_labelmap *full = NULL, *lazy = NULL;
    uint64_t n_addrs = cw_chainstore_counts_get(cs).addrs, n_look = 2000, differ = 0, hits = 0;
    if (cw_trace_labelmap_new(&full, cs, db) || cw_trace_labelmap_open(&lazy, cs, db)) {
        fprintf(stderr, "bench_address: label map: %s\n", cw_error_last());
        cw_trace_labelmap_free(full);
        cw_labels_close(db);
        return 1;
    }
    double t0 = cw_now();
    for (uint64_t i = 0; i < n_look; i++) {
        const char *c1 = NULL;
        hits += cw_trace_labelmap_get(lazy, i * 2654435761u % n_addrs, NULL, &c1);
    }
    double dt = cw_now() - t0;
    for (uint64_t i = 0; i < n_look; i++) {
        uint64_t a = i * 2654435761u % n_addrs;
        const char *e1 = NULL, *c1 = NULL, *e2 = NULL, *c2 = NULL;
        bool g1 = cw_trace_labelmap_get(lazy, a, &e1, &c1),
             g2 = cw_trace_labelmap_get(full, a, &e2, &c2);
        differ += g1 != g2 || (g1 && (strcmp(e1, e2) || strcmp(c1, c2)));
    }
    int lerr = cw_trace_labelmap_error(lazy);
    printf("  lazy label map: %llu lookups (%llu labelled): %.3f s, %.0f lookups/s; the full "
           "build costs %.0f lookups; %llu answers differ from the full map's%s\n",
           (unsigned long long)n_look, (unsigned long long)hits, dt, (double)n_look / dt,
           best_new / dt * (double)n_look, (unsigned long long)differ,
           lerr ? " (a lookup failed)" : "");
    cw_trace_labelmap_free(lazy);
    cw_trace_labelmap_free(full);
    cw_labels_close(db);
    return differ || lerr ? 1 : 0;
}

static void report(const char *what, double *us, size_t n, double total)
{
    qsort(us, n, sizeof *us, cmp_dbl);
    printf("  %-28s %7zu lookups  %9.0f lookups/s  p50 %8.1f us  p99 %8.1f us  max %9.1f us\n",
           what, n, (double)n / total, us[n / 2], us[n * 99 / 100], us[n - 1]);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_address STORE [N_RANDOM [LABELS.db]]\n");
        return 2;
    }
    size_t n_rand = 20000;
    uint64_t v;
    if (argc > 2 && cw_parse_u64(&v, argv[2]) == 0 && v > 0)
        n_rand = (size_t)v;
    cw_chainstore *cs = NULL;
    if (cw_chainstore_open(&cs, argv[1], false, CW_NET_REGTEST)) {
        fprintf(stderr, "bench_address: %s\n", cw_error_last());
        return 1;
    }
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    if (c.addrs == 0) {
        fprintf(stderr, "bench_address: the store has no addresses\n");
        return 1;
    }
    /* the 20 longest histories */
    enum { TOP = 20 };
    uint64_t top[TOP] = {0}, top_n[TOP] = {0};
    for (uint64_t a = 0; a < c.addrs; a++) {
        const cw_row_addrsum *s = cw_chainstore_addrsum(cs, a);
        uint64_t n = s ? s->n_out : 0;
        if (n <= top_n[TOP - 1])
            continue;
        int i = TOP - 1;
        while (i > 0 && top_n[i - 1] < n) {
            top[i] = top[i - 1];
            top_n[i] = top_n[i - 1];
            i--;
        }
        top[i] = a;
        top_n[i] = n;
    }
    size_t n_all = n_rand + TOP;
    uint64_t *ids = malloc(n_all * sizeof *ids);
    char(*strs)[CW_ADDR_STR_MAX] = malloc(n_all * sizeof *strs);
    double *us = malloc(n_all * sizeof *us);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n_all; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        ids[i] = i < n_rand ? x % c.addrs : top[i - n_rand];
        cw_query_addr_string(strs[i], cs, (uint32_t)ids[i]);
    }
    printf("bench_address: %s: %llu txs, %llu addresses; longest history %llu outputs\n", argv[1],
           (unsigned long long)c.txs, (unsigned long long)c.addrs, (unsigned long long)top_n[0]);
    double t_sum[2] = {0}, t_walk[2] = {0};
    volatile uint64_t sink = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t lo = pass ? n_rand : 0, hi = pass ? n_all : n_rand;
        for (size_t i = lo; i < hi; i++) {
            json_t *j = NULL;
            double t0 = cw_now();
            if (cw_query_address(&j, cs, strs[i], 0, 25) == 0)
                sink += (uint64_t)json_integer_value(json_object_get(j, "balance"));
            us[i - lo] = (cw_now() - t0) * 1e6;
            t_sum[pass] += us[i - lo] * 1e-6;
            json_decref(j);
        }
        report(pass ? "summary, 20 longest:" : "summary, random:", us, hi - lo, t_sum[pass]);
        for (size_t i = lo; i < hi; i++) {
            double t0 = cw_now();
            sink += walk(cs, ids[i]);
            us[i - lo] = (cw_now() - t0) * 1e6;
            t_walk[pass] += us[i - lo] * 1e-6;
        }
        report(pass ? "walk only, 20 longest:" : "walk only, random:", us, hi - lo, t_walk[pass]);
    }
    /* the lookup builds JSON and a page; the walk is only the old totals loop, so for the
     * random (mostly one-output) addresses the walk is cheaper than a whole lookup: the ratio
     * that matters is on long histories */
    printf("  ratio walk-only / whole lookup: random %.2f, 20 longest %.1f (above 1: the summary "
           "wins even against the bare walk)\n",
           t_walk[0] / t_sum[0], t_walk[1] / t_sum[1]);
    (void)sink;
    int rc = argc > 3 ? bench_labelmap(cs, argv[3]) : 0;
    free(ids);
    free(strs);
    free(us);
    cw_chainstore_close(cs);
    return rc;
}
