/*
 * test_cluster_truth.c: clustering and CoinJoin detection against a generated world's ground
 * truth. The test generates a world (cw_gen_run, fixed seed), ingests half of it, clusters,
 * ingests the rest and clusters again (incremental), then compares with truth/addresses.csv
 * (the true entity of every address) and truth/coinjoins.csv:
 *   - clustering precision >= 0.99, both per address (share of addresses in multi-address
 *     clusters whose entity is their cluster's majority entity) and pairwise (pairs put in one
 *     cluster that share an entity); recall (pairwise) printed;
 *   - CoinJoin precision >= 0.99 against coinjoins.csv; recall printed (and >= 0.9);
 *   - the incremental build partitions addresses exactly as a build from scratch;
 *   - `why` paths: every step's tx spends from both addresses it joins.
 * CW_TEST_GEN_TXS overrides the world size (default 30000 txs). test_mixed_world generates a
 * 60,000-tx world of data/scenarios/mixed-heists.json (seed 11) and checks issue 11's targets
 * there (test_given_world). CW_TEST_WORLD=DIR measures an
 * existing world instead (test_given_world: CoinJoin figures per kind, Tx0s, peel chains,
 * pairwise precision, CoinJoin inputs of different owners joined).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/cluster.h"
#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/patterns.h"
#include "chainwatch/util.h"
#include "harness.h"

static char world[4096], store[4096];
static uint32_t *truth_ent; /* address id -> entity + 1 (0 unknown) */
static uint64_t n_addrs;

static int ingest(int64_t to_height)
{
    cw_ingest_opts o;
    memset(&o, 0, sizeof o);
    char blocks[4200];
    snprintf(blocks, sizeof blocks, "%s/blocks", world);
    o.blocks_dir = blocks;
    o.store_dir = store;
    o.net = CW_NET_REGTEST;
    o.to_height = to_height;
    o.threads = 1;
    cw_ingest_stats st;
    return cw_ingest_btc(&o, &st);
}

/* Reads a CSV file into lines (the buffer is modified; *lines point into it). */
static char *read_lines(const char *name, char ***lines, size_t *n)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/truth/%s", world, name);
    uint8_t *d;
    size_t len;
    if (cw_file_read(&d, &len, p) != 0)
        return NULL;
    char *s = cw_realloc(d, len + 1);
    s[len] = 0;
    size_t cap = 1024, k = 0;
    char **v = cw_malloc(cap * sizeof *v);
    for (char *line = s; *line;) {
        char *e = strchr(line, '\n');
        if (e)
            *e = 0;
        if (k == cap) {
            cap *= 2;
            v = cw_realloc(v, cap * sizeof *v);
        }
        v[k++] = line;
        if (!e)
            break;
        line = e + 1;
    }
    *lines = v;
    *n = k;
    return s;
}

static void load_truth(const cw_chainstore *cs)
{
    char **lines;
    size_t n;
    char *buf = read_lines("addresses.csv", &lines, &n);
    REQUIRE(buf != NULL);
    n_addrs = cw_chainstore_counts_get(cs).addrs;
    truth_ent = cw_calloc(n_addrs + 1, sizeof *truth_ent);
    size_t found = 0;
    for (size_t i = 1; i < n; i++) {
        char *c1 = strchr(lines[i], ',');
        char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (!c2)
            continue;
        *c1 = 0;
        cw_addr_key k;
        uint64_t id, ent;
        char *c3 = strchr(c2 + 1, ',');
        if (c3)
            *c3 = 0;
        if (cw_addr_decode(&k, lines[i], CW_NET_REGTEST) || cw_parse_u64(&ent, c2 + 1))
            continue;
        if (cw_chainstore_find_addr(cs, &k, &id) == 0 && id < n_addrs) {
            truth_ent[id] = (uint32_t)ent + 1;
            found++;
        }
    }
    cw_error_clear();
    printf("truth: %zu of %llu store addresses have a true entity\n", found,
           (unsigned long long)n_addrs);
    CHECK(found * 100 >= n_addrs * 95);
    cw_free(lines);
    cw_free(buf);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

typedef struct metrics {
    double addr_precision, pair_precision, pair_recall;
    uint64_t clusters_multi, merged_entities;
} metrics;

static metrics measure(const cw_clusters *cl)
{
    metrics m;
    memset(&m, 0, sizeof m);
    uint64_t nc = cw_clusters_count(cl);
    /* (cluster, entity) pairs sorted: runs give counts */
    uint64_t *ce = cw_malloc((n_addrs + 1) * sizeof *ce);
    uint64_t *ent_count = cw_calloc(n_addrs + 2, sizeof *ent_count);
    uint64_t k = 0;
    for (uint64_t a = 0; a < n_addrs; a++) {
        if (!truth_ent[a])
            continue;
        ce[k++] = ((uint64_t)cw_clusters_of(cl, (uint32_t)a) << 32) | truth_ent[a];
        ent_count[truth_ent[a]]++;
    }
    qsort(ce, k, sizeof *ce, cmp_u64);
    double same_pairs = 0, all_pairs = 0, true_pairs = 0;
    uint64_t in_multi = 0, majority_ok = 0;
    for (uint64_t i = 0; i < k;) {
        uint64_t c = ce[i] >> 32, j = i, best = 0, size = 0;
        uint64_t n_ent = 0;
        while (j < k && ce[j] >> 32 == c) {
            uint64_t r = j;
            while (r < k && ce[r] == ce[j])
                r++;
            uint64_t cnt = r - j;
            same_pairs += (double)cnt * (double)(cnt - 1) / 2;
            if (cnt > best)
                best = cnt;
            size += cnt;
            n_ent++;
            j = r;
        }
        all_pairs += (double)size * (double)(size - 1) / 2;
        if (size > 1) {
            in_multi += size;
            majority_ok += best;
            m.clusters_multi++;
            if (n_ent > 1)
                m.merged_entities++;
        }
        i = j;
    }
    for (uint64_t e = 0; e < n_addrs + 2; e++)
        true_pairs += (double)ent_count[e] * (double)(ent_count[e] ? ent_count[e] - 1 : 0) / 2;
    m.addr_precision = in_multi ? (double)majority_ok / (double)in_multi : 1.0;
    m.pair_precision = all_pairs > 0 ? same_pairs / all_pairs : 1.0;
    m.pair_recall = true_pairs > 0 ? same_pairs / true_pairs : 1.0;
    (void)nc;
    cw_free(ce);
    cw_free(ent_count);
    return m;
}

static uint32_t *partition(const cw_clusters *cl)
{
    uint32_t *p = cw_malloc((n_addrs + 1) * sizeof *p);
    for (uint64_t a = 0; a < n_addrs; a++)
        p[a] = cw_clusters_of(cl, (uint32_t)a);
    return p;
}

/* True when tx t has an input from address a or pays a (as change). */
static bool tx_touches(const cw_chainstore *cs, uint32_t t, uint32_t a)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, t, &i0, &i1, &o0, &o1);
    for (uint64_t i = i0; i < i1; i++) {
        const cw_row_in *r = cw_chainstore_in(cs, i);
        if (r->spent_tx < CW_IN_EXTERNAL &&
            cw_chainstore_out(cs, cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout)
                    ->addr == a)
            return true;
    }
    for (uint64_t o = o0; o < o1; o++)
        if (cw_chainstore_out(cs, o)->addr == a)
            return true;
    return false;
}

static void test_world(void)
{
    uint64_t txs = 30000;
    const char *env = getenv("CW_TEST_GEN_TXS");
    if (env)
        cw_parse_u64(&txs, env);
    cw_gen_opts go;
    memset(&go, 0, sizeof go);
    go.out_dir = world;
    go.txs = txs;
    go.seed = 20261128;
    go.net = CW_NET_REGTEST;
    cw_gen_stats gs;
    REQUIRE(cw_gen_run(&go, &gs) == 0);
    /* half, cluster, the rest, cluster again */
    REQUIRE(ingest((int64_t)gs.blocks / 2) == 0);
    cw_cluster_stats st;
    REQUIRE(cw_cluster_build(store, 0, &st) == 0);
    uint64_t half = st.txs_after;
    REQUIRE(ingest(-1) == 0);
    REQUIRE(cw_cluster_build(store, 0, &st) == 0);
    CHECK_EQ_INT(st.txs_before, half);
    CHECK(!st.rebuilt);
    printf("world: %llu txs, %llu addresses, %llu clusters, incremental build %.2f s\n",
           (unsigned long long)st.txs_after, (unsigned long long)st.addrs,
           (unsigned long long)st.clusters, st.seconds);

    cw_chainstore *cs;
    REQUIRE(cw_chainstore_open(&cs, store, false, CW_NET_REGTEST) == 0);
    load_truth(cs);
    cw_clusters *cl;
    REQUIRE(cw_clusters_open(&cl, cs) == 0);
    metrics m = measure(cl);
    printf("clustering (multi-input, CoinJoin excluded): precision %.5f per address, %.5f "
           "pairwise; recall %.5f pairwise; %llu multi-address clusters, %llu mixing entities\n",
           m.addr_precision, m.pair_precision, m.pair_recall, (unsigned long long)m.clusters_multi,
           (unsigned long long)m.merged_entities);
    CHECK(m.addr_precision >= 0.99);
    CHECK(m.pair_precision >= 0.999); /* issue 11 acceptance */
    CHECK(m.pair_recall > 0.0);
    uint32_t *inc = partition(cl);

    /* why: pick the first address of the largest multi-member cluster and its last member */
    uint32_t best = 0;
    uint64_t best_n = 0, n;
    for (uint32_t c = 0; c < cw_clusters_count(cl); c++) {
        cw_clusters_members(cl, c, &n);
        if (n > best_n) {
            best_n = n;
            best = c;
        }
    }
    const uint32_t *mem = cw_clusters_members(cl, best, &n);
    REQUIRE(n >= 2);
    cw_cluster_step *steps;
    size_t ns;
    REQUIRE(cw_clusters_why(cl, mem[0], mem[n - 1], &steps, &ns) == 0);
    CHECK(ns >= 1);
    if (ns) {
        CHECK_EQ_INT(steps[0].a, mem[0]);
        CHECK_EQ_INT(steps[ns - 1].b, mem[n - 1]);
    }
    int bad_steps = 0;
    for (size_t i = 0; i < ns; i++) {
        if (i > 0 && steps[i].a != steps[i - 1].b)
            bad_steps++;
        if (!tx_touches(cs, steps[i].tx, steps[i].a) || !tx_touches(cs, steps[i].tx, steps[i].b))
            bad_steps++;
    }
    CHECK_EQ_INT(bad_steps, 0);
    cw_free(steps);
    /* two addresses in different clusters: not found */
    uint32_t other = mem[0] == 0 ? 1 : 0;
    if (cw_clusters_of(cl, other) != best)
        CHECK(cw_clusters_why(cl, mem[0], other, &steps, &ns) == CW_ENOTFOUND);
    cw_clusters_close(cl);

    /* a different heuristic set rebuilds; back to none rebuilds to the same partition */
    REQUIRE(cw_cluster_build(store, CW_CHANGE_ALL, &st) == 0);
    CHECK(st.rebuilt);
    REQUIRE(cw_clusters_open(&cl, cs) == 0);
    m = measure(cl);
    printf("clustering with all change heuristics: precision %.5f per address, %.5f pairwise; "
           "recall %.5f pairwise\n",
           m.addr_precision, m.pair_precision, m.pair_recall);
    cw_clusters_close(cl);
    for (unsigned h = 0; h < CW_CHANGE_N; h++) {
        REQUIRE(cw_cluster_build(store, 1u << h, &st) == 0);
        REQUIRE(cw_clusters_open(&cl, cs) == 0);
        m = measure(cl);
        printf("clustering with change heuristic %-8s: precision %.5f per address, %.5f "
               "pairwise; recall %.5f pairwise (%llu change unions)\n",
               cw_cluster_change_name(h), m.addr_precision, m.pair_precision, m.pair_recall,
               (unsigned long long)st.change_merges);
        cw_clusters_close(cl);
    }
    REQUIRE(cw_cluster_build(store, 0, &st) == 0);
    CHECK(st.rebuilt);
    REQUIRE(cw_clusters_open(&cl, cs) == 0);
    uint32_t *full = partition(cl);
    uint64_t n_diff = 0;
    for (uint64_t a = 0; a < n_addrs; a++) {
        if (inc[a] != full[a] && n_diff++ < 3) {
            uint64_t s1 = 0, s2 = 0;
            cw_clusters_members(cl, full[a], &s2);
            fprintf(stderr, "address %llu: incremental cluster %u, full cluster %u (size %llu)\n",
                    (unsigned long long)a, inc[a], full[a], (unsigned long long)s2);
            (void)s1;
        }
    }
    CHECK_EQ_INT(n_diff, 0);
    cw_free(inc);
    cw_free(full);
    cw_clusters_close(cl);

    /* CoinJoin detection against coinjoins.csv */
    cw_patterns *p;
    REQUIRE(cw_patterns_open(&p, cs) == 0);
    char **lines;
    size_t nl;
    char *buf = read_lines("coinjoins.csv", &lines, &nl);
    REQUIRE(buf != NULL);
    uint64_t n_tx = cw_chainstore_counts_get(cs).txs;
    uint8_t *is_true = cw_calloc(n_tx + 1, 1);
    uint64_t n_true = 0;
    for (size_t i = 1; i < nl; i++) {
        uint8_t id[32];
        uint64_t t;
        if (strlen(lines[i]) < 64)
            continue;
        lines[i][64] = 0;
        CHECK(cw_hex_decode_rev(id, 32, lines[i]) == 0);
        if (cw_chainstore_find_tx(cs, id, &t) == 0) {
            is_true[t] = 1;
            n_true++;
        }
    }
    uint64_t tp = 0, fp = 0;
    for (uint64_t t = 0; t < n_tx; t++) {
        uint32_t f = 0;
        cw_patterns_tx_flags(p, t, &f);
        if (f & CW_PAT_COINJOIN) {
            if (is_true[t])
                tp++;
            else
                fp++;
        }
    }
    double prec = tp + fp ? (double)tp / (double)(tp + fp) : 0,
           rec = n_true ? (double)tp / (double)n_true : 0;
    printf("CoinJoin detection: %llu true, %llu flagged, %llu correct: precision %.5f, recall "
           "%.5f\n",
           (unsigned long long)n_true, (unsigned long long)(tp + fp), (unsigned long long)tp, prec,
           rec);
    CHECK(n_true > 0);
    CHECK(prec >= 0.99);
    CHECK(rec >= 0.9);
    cw_free(is_true);
    cw_free(lines);
    cw_free(buf);
    cw_patterns_close(p);
    cw_chainstore_close(cs);
    cw_free(truth_ent);
}

/* Sets the bit of every tx listed in truth file `name` (txid in CSV column `col`); with
 * kinds, also records the kind (column kcol) as an index into kind_names. */
static char kind_names[16][32];
static int n_kinds;
static uint64_t load_txs(const cw_chainstore *cs, const char *name, int col, int kcol,
                         int8_t *kind_of, uint8_t *bits)
{
    char **lines;
    size_t nl;
    char *buf = read_lines(name, &lines, &nl);
    if (!buf)
        return 0;
    uint64_t n = 0;
    for (size_t i = 1; i < nl; i++) {
        char *f[16];
        int nf = 0;
        for (char *c = lines[i]; c && nf < 16;) {
            f[nf++] = c;
            c = strchr(c, ',');
            if (c)
                *c++ = 0;
        }
        uint8_t id[32];
        uint64_t t;
        if (nf <= col || strlen(f[col]) != 64 || cw_hex_decode_rev(id, 32, f[col]) ||
            cw_chainstore_find_tx(cs, id, &t))
            continue;
        if (bits)
            bits[t] = 1;
        if (kind_of && kcol < nf) {
            int k;
            for (k = 0; k < n_kinds && strcmp(kind_names[k], f[kcol]); k++)
                ;
            if (k == n_kinds && n_kinds < 16)
                snprintf(kind_names[n_kinds++], sizeof kind_names[0], "%s", f[kcol]);
            kind_of[t] = (int8_t)k;
        }
        n++;
    }
    cw_error_clear();
    cw_free(lines);
    cw_free(buf);
    return n;
}

static uint32_t kind_bit(const char *kind)
{
    return !strcmp(kind, "whirlpool")    ? CW_PAT_WHIRLPOOL
           : !strcmp(kind, "wasabi1")    ? CW_PAT_WASABI1
           : !strcmp(kind, "wasabi2")    ? CW_PAT_WASABI2
           : !strcmp(kind, "joinmarket") ? CW_PAT_JOINMARKET
                                         : 0;
}

/* CW_TEST_WORLD=DIR: measures an existing generated world (DIR/blocks, DIR/truth) instead of
 * generating one: CoinJoin precision and recall per kind (truth/coinjoins.csv), Tx0s
 * (truth/tx0s.csv), peel-chain hops (truth/peel_chains.csv), pairwise cluster precision with
 * the default evidence and with --change peel, and inputs of true CoinJoins put in one
 * cluster although their owners differ. Asserts issue 11's acceptance figures. */
static void test_given_world(void)
{
    REQUIRE(ingest(-1) == 0);
    cw_cluster_stats st;
    REQUIRE(cw_cluster_build(store, 0, &st) == 0);
    cw_chainstore *cs;
    REQUIRE(cw_chainstore_open(&cs, store, false, CW_NET_REGTEST) == 0);
    uint64_t n_tx = cw_chainstore_counts_get(cs).txs;
    load_truth(cs);
    int8_t *kind = cw_malloc(n_tx + 1);
    uint8_t *tx0 = cw_calloc(n_tx + 1, 1), *peel = cw_calloc(n_tx + 1, 1);
    memset(kind, -1, n_tx + 1);
    load_txs(cs, "coinjoins.csv", 0, 2, kind, NULL);
    uint64_t n_tx0 = load_txs(cs, "tx0s.csv", 0, -1, NULL, tx0);
    uint64_t n_peel = load_txs(cs, "peel_chains.csv", 3, -1, NULL, peel);
    cw_patterns *p;
    REQUIRE(cw_patterns_open(&p, cs) == 0);
    uint64_t tot[16] = {0}, hit[16] = {0}, kflag[16] = {0}, kflag_ok[16] = {0};
    uint64_t cj = 0, cj_ok = 0, t0f = 0, t0ok = 0, t0cj = 0, pf = 0, pok = 0;
    for (uint64_t t = 0; t < n_tx; t++) {
        uint32_t f = 0;
        cw_patterns_tx_flags(p, t, &f);
        int k = kind[t];
        if (k >= 0) {
            tot[k]++;
            hit[k] += (f & CW_PAT_COINJOIN) != 0;
        }
        for (int q = 0; q < n_kinds; q++)
            if (kind_bit(kind_names[q]) && (f & kind_bit(kind_names[q]))) {
                kflag[q]++;
                kflag_ok[q] += k >= 0;
            }
        if (f & CW_PAT_COINJOIN) {
            cj++;
            cj_ok += k >= 0;
        }
        if (f & CW_PAT_TX0) {
            t0f++;
            t0ok += tx0[t];
        }
        t0cj += tx0[t] && (f & CW_PAT_COINJOIN);
        if (f & CW_PAT_PEEL) {
            pf++;
            pok += peel[t];
        }
    }
    double prec = cj ? (double)cj_ok / (double)cj : 1.0;
    printf("CoinJoin: %llu flagged, precision %.5f\n", (unsigned long long)cj, prec);
    CHECK(prec >= 0.99);
    for (int q = 0; q < n_kinds; q++) {
        double r = tot[q] ? (double)hit[q] / (double)tot[q] : 1.0;
        double kp = kflag[q] ? (double)kflag_ok[q] / (double)kflag[q] : 1.0;
        printf("  %-10s %6llu true, recall %.5f; %6llu flagged with its kind bit, precision "
               "%.5f\n",
               kind_names[q], (unsigned long long)tot[q], r, (unsigned long long)kflag[q], kp);
        CHECK(r >= 0.95);
        CHECK(kp >= 0.99);
    }
    double t0p = t0f ? (double)t0ok / (double)t0f : 1.0,
           t0r = n_tx0 ? (double)t0ok / (double)n_tx0 : 1.0;
    printf("Tx0: %llu true, %llu flagged tx0, precision %.5f, recall %.5f; %llu flagged as "
           "CoinJoin\n",
           (unsigned long long)n_tx0, (unsigned long long)t0f, t0p, t0r, (unsigned long long)t0cj);
    CHECK(t0p >= 0.99);
    CHECK(t0r >= 0.95);
    CHECK_EQ_INT(t0cj, 0);
    double pp = pf ? (double)pok / (double)pf : 1.0,
           pr = n_peel ? (double)pok / (double)n_peel : 1.0;
    printf("peel chains: %llu true hops, %llu flagged, precision %.5f, recall %.5f\n",
           (unsigned long long)n_peel, (unsigned long long)pf, pp, pr);
    if (n_peel) {
        CHECK(pp >= 0.9);
        CHECK(pr >= 0.9);
    }
    cw_patterns_close(p);
    for (int pass = 0; pass < 2; pass++) {
        uint32_t change = pass ? CW_CHANGE_PEEL : 0;
        REQUIRE(cw_cluster_build(store, change, &st) == 0);
        cw_clusters *cl;
        REQUIRE(cw_clusters_open(&cl, cs) == 0);
        metrics m = measure(cl);
        /* inputs of a true CoinJoin in one cluster although their owners differ */
        uint64_t through = 0;
        for (uint64_t t = 0; t < n_tx; t++) {
            if (kind[t] < 0)
                continue;
            uint64_t i0, i1, o0, o1;
            cw_chainstore_tx_range(cs, t, &i0, &i1, &o0, &o1);
            uint32_t a0 = CW_NONE32;
            for (uint64_t i = i0; i < i1; i++) {
                const cw_row_in *r = cw_chainstore_in(cs, i);
                if (r->spent_tx >= CW_IN_EXTERNAL)
                    continue;
                uint32_t a = cw_chainstore_out(cs, cw_chainstore_tx_first_out(cs, r->spent_tx) +
                                                       r->spent_vout)
                                 ->addr;
                if (a0 == CW_NONE32) {
                    a0 = a;
                    continue;
                }
                through += truth_ent[a] && truth_ent[a0] && truth_ent[a] != truth_ent[a0] &&
                           cw_clusters_of(cl, a) == cw_clusters_of(cl, a0);
            }
        }
        printf("clusters (%s): pairwise precision %.6f, recall %.5f, %llu clusters mixing "
               "entities; CoinJoin inputs of different owners in one cluster: %llu\n",
               pass ? "--change peel" : "default", m.pair_precision, m.pair_recall,
               (unsigned long long)m.merged_entities, (unsigned long long)through);
        CHECK(m.pair_precision >= 0.999);
        CHECK_EQ_INT(through, 0);
        cw_clusters_close(cl);
    }
    cw_free(kind);
    cw_free(tx0);
    cw_free(peel);
    cw_chainstore_close(cs);
    cw_free(truth_ent);
}

static void test_mixed_world(void)
{
    const char *src = getenv("CW_SOURCE_DIR");
    char path[4200];
    snprintf(path, sizeof path, "%s/data/scenarios/mixed-heists.json", src ? src : ".");
    cw_gen_scenario *sc = NULL;
    REQUIRE(cw_gen_scenario_load(&sc, path) == 0);
    uint64_t txs = 60000;
    const char *env = getenv("CW_TEST_MIXED_TXS");
    if (env)
        cw_parse_u64(&txs, env);
    cw_gen_opts go;
    memset(&go, 0, sizeof go);
    go.out_dir = world;
    go.txs = txs;
    go.seed = 11;
    go.net = CW_NET_REGTEST;
    go.scenario = sc;
    go.threads = 1;
    cw_gen_stats gs;
    int rc = cw_gen_run(&go, &gs);
    cw_gen_scenario_free(sc);
    REQUIRE(rc == 0);
    test_given_world();
}

int main(void)
{
    snprintf(world, sizeof world, "%s/world", cw_test_tmpdir());
    snprintf(store, sizeof store, "%s/store", cw_test_tmpdir());
    const char *given = getenv("CW_TEST_WORLD");
    if (given && *given) {
        snprintf(world, sizeof world, "%s", given);
        RUN(test_given_world);
        return cw_test_done();
    }
    RUN(test_world);
    /* issue 11's acceptance figures on a mixed-economy world (every CoinJoin kind, Tx0s,
     * honest and heist peel chains); CW_TEST_MIXED_TXS overrides its size */
    snprintf(world, sizeof world, "%s/mixed", cw_test_tmpdir());
    snprintf(store, sizeof store, "%s/mixed-store", cw_test_tmpdir());
    RUN(test_mixed_world);
    return cw_test_done();
}
