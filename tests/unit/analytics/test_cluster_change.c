/*
 * test_cluster_change.c: change heuristics and clustering against BlockSci's labelled regtest
 * chain (../shared/data/btc-regtest-labeled-chain/output.json is the answer key).
 *   change-ten-*            power10 names the labelled position
 *   change-optimal-*        optimal names it
 *   change-address-type-*   type names it
 *   change-reuse-*          reuse names it
 *   peeling-chain-N         peel names peeling-chain-N-position (N < 9; the last hop, whose
 *                           remainder no hop spends, abstains: a documented difference)
 *   all of the above        every heuristic together names the same position (or abstains)
 *   change-client-behavior-* fresh names it (BlockSci's client-behavior rule is a fresh address)
 *   change-locktime-*       locktime names it
 *   change-negative-testcase  no heuristic may name an output.
 * Clustering: the simple CoinJoin's three input addresses stay in three clusters; the inputs
 * of fan-8-tx-collect form one cluster and `why` names that tx. Clusters built under another
 * patterns format are refused and rebuilt from tx 0.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/cluster.h"
#include "chainwatch/errors.h"
#include "chainwatch/patterns.h"
#include "chainwatch/store.h"
#include "chainwatch/util.h"
#include "harness.h"

static char store[4096];
static json_t *key;
static cw_chainstore *cs;

static uint64_t tx_of(const char *k)
{
    const char *hex = json_string_value(json_object_get(key, k));
    uint8_t id[32];
    uint64_t t = CW_NONE64;
    if (!hex || cw_hex_decode_rev(id, 32, hex) || cw_chainstore_find_tx(cs, id, &t)) {
        fprintf(stderr, "answer key: %s not found\n", k);
        return CW_NONE64;
    }
    return t;
}

/* Position the heuristics name, -1 when they abstain. */
static int change_of(uint64_t t, uint32_t which)
{
    uint32_t v;
    if (cw_cluster_change_output(cs, t, cw_patterns_compute(cs, t), which, &v) != 0)
        return -1;
    return (int)v;
}

static void expect(const char *txkey, const char *poskey, uint32_t which)
{
    uint64_t t = tx_of(txkey);
    json_t *pj = json_object_get(key, poskey);
    CHECK(t != CW_NONE64 && json_is_integer(pj));
    if (t == CW_NONE64 || !json_is_integer(pj))
        return;
    int want = (int)json_integer_value(pj);
    int got = change_of(t, which);
    if (got != want)
        fprintf(stderr, "%s: heuristic set %u names %d, answer key %d\n", txkey, which, got, want);
    CHECK_EQ_INT(got, want);
    int all = change_of(t, CW_CHANGE_ALL);
    if (all != want && all != -1)
        fprintf(stderr, "%s: all heuristics name %d, answer key %d\n", txkey, all, want);
    CHECK(all == want || all == -1);
}

static void test_change_cases(void)
{
    char k1[64], k2[64];
    for (int i = 0; i < 6; i++) {
        snprintf(k1, sizeof k1, "change-ten-%d-tx", i);
        snprintf(k2, sizeof k2, "change-ten-%d-position", i);
        expect(k1, k2, CW_CHANGE_POWER10);
    }
    for (int i = 0; i < 2; i++) {
        snprintf(k1, sizeof k1, "change-optimal-%d-tx", i);
        snprintf(k2, sizeof k2, "change-optimal-%d-position", i);
        expect(k1, k2, CW_CHANGE_OPTIMAL);
    }
    for (int i = 0; i < 3; i++) {
        snprintf(k1, sizeof k1, "change-address-type-tx-%d", i);
        snprintf(k2, sizeof k2, "change-address-type-position-%d", i);
        expect(k1, k2, CW_CHANGE_TYPE);
        snprintf(k1, sizeof k1, "change-reuse-tx-%d", i);
        snprintf(k2, sizeof k2, "change-reuse-position-%d", i);
        expect(k1, k2, CW_CHANGE_REUSE);
    }
    for (int i = 0; i < 9; i++) {
        snprintf(k1, sizeof k1, "peeling-chain-%d-tx", i);
        snprintf(k2, sizeof k2, "peeling-chain-%d-position", i);
        expect(k1, k2, CW_CHANGE_PEEL);
    }
    /* documented difference (docs/CLUSTERING.md): the chain's last hop, whose remainder no
     * hop spends, gets no peel change (a run's last hop may pay its larger output to someone
     * else: on generated worlds that merged a thief with an exchange) */
    CHECK_EQ_INT(change_of(tx_of("peeling-chain-9-tx"), CW_CHANGE_PEEL), -1);
    /* BlockSci's "client behavior" change is the output to a never-seen address: our fresh */
    for (int i = 0; i < 3; i++) {
        snprintf(k1, sizeof k1, "change-client-behavior-tx-%d", i);
        snprintf(k2, sizeof k2, "change-client-behavior-position-%d", i);
        expect(k1, k2, CW_CHANGE_FRESH);
    }
    for (int i = 0; i < 3; i++) {
        snprintf(k1, sizeof k1, "change-locktime-tx-%d", i);
        snprintf(k2, sizeof k2, "change-locktime-position-%d", i);
        expect(k1, k2, CW_CHANGE_LOCKTIME);
    }
    uint64_t t = tx_of("change-negative-testcase-tx");
    REQUIRE(t != CW_NONE64);
    for (unsigned h = 0; h < CW_CHANGE_N; h++)
        CHECK_EQ_INT(change_of(t, 1u << h), -1);
    CHECK_EQ_INT(change_of(t, CW_CHANGE_ALL), -1);
    /* the CoinJoin is never given a change output */
    t = tx_of("simple-coinjoin-tx");
    REQUIRE(t != CW_NONE64);
    CHECK_EQ_INT(change_of(t, CW_CHANGE_ALL), -1);
}

static uint32_t in_addr(uint64_t t, unsigned k)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, t, &i0, &i1, &o0, &o1);
    const cw_row_in *r = cw_chainstore_in(cs, i0 + k);
    return cw_chainstore_out(cs, cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout)->addr;
}

static void test_clusters(void)
{
    cw_cluster_stats st;
    REQUIRE(cw_cluster_build(store, CW_CHANGE_ALL, &st) == 0);
    /* the simple CoinJoin, and taint-mapping-tx (3 inputs -> 3 equal outputs, no change) as a
     * probable CoinJoin */
    CHECK_EQ_INT(st.coinjoin_skipped, 2);
    CHECK_EQ_INT(st.probable_skipped, 1);
    uint64_t tm = tx_of("taint-mapping-tx");
    REQUIRE(tm != CW_NONE64);
    CHECK(cw_patterns_compute(cs, tm) & CW_PAT_COINJOIN_PROBABLE);
    cw_clusters *cl;
    REQUIRE(cw_clusters_open(&cl, cs) == 0);
    uint64_t cj = tx_of("simple-coinjoin-tx");
    REQUIRE(cj != CW_NONE64);
    uint32_t a0 = cw_clusters_of(cl, in_addr(cj, 0)), a1 = cw_clusters_of(cl, in_addr(cj, 1)),
             a2 = cw_clusters_of(cl, in_addr(cj, 2));
    CHECK(a0 != a1 && a1 != a2 && a0 != a2);
    uint64_t col = tx_of("fan-8-tx-collect");
    REQUIRE(col != CW_NONE64);
    uint32_t first = in_addr(col, 0), last = in_addr(col, 7);
    CHECK_EQ_INT(cw_clusters_of(cl, first), cw_clusters_of(cl, last));
    cw_cluster_step *steps;
    size_t n;
    REQUIRE(cw_clusters_why(cl, first, last, &steps, &n) == 0);
    CHECK(n >= 1);
    for (size_t i = 0; i < n; i++)
        CHECK_EQ_INT(steps[i].tx, col);
    cw_free(steps);
    CHECK(cw_clusters_why(cl, in_addr(cj, 0), in_addr(cj, 1), &steps, &n) == CW_ENOTFOUND);
    cw_clusters_close(cl);
}

static int ingest(const char *dir, int64_t to)
{
    cw_ingest_opts o;
    memset(&o, 0, sizeof o);
    o.blocks_dir = cw_test_data("btc-regtest-labeled-chain");
    o.store_dir = dir;
    o.net = CW_NET_REGTEST;
    o.to_height = to;
    o.threads = 1;
    cw_ingest_stats ist;
    return cw_ingest_btc(&o, &ist);
}

/* Incremental builds with every change heuristic (peel and locktime look at spending txs, so
 * parents are revisited) partition the addresses as one build over the whole chain. */
static void test_incremental(void)
{
    char s2[4200];
    snprintf(s2, sizeof s2, "%s/store2", cw_test_tmpdir());
    cw_cluster_stats st;
    uint64_t prev = 0;
    /* splits between the peel chain's funding tx (139) and its first hop (140), and between
     * change-locktime-tx-0/1 (173, 175) and the txs that spend their outputs */
    static const int64_t heights[] = {120, 139, 160, 173, 175, -1};
    for (size_t i = 0; i < sizeof heights / sizeof heights[0]; i++) {
        REQUIRE(ingest(s2, heights[i]) == 0);
        REQUIRE(cw_cluster_build(s2, CW_CHANGE_ALL, &st) == 0);
        CHECK(!st.rebuilt);
        CHECK_EQ_INT(st.txs_before, prev);
        prev = st.txs_after;
    }
    CHECK_EQ_INT(prev, 356);
    REQUIRE(cw_cluster_build(store, CW_CHANGE_ALL, &st) == 0);
    cw_chainstore *cs2;
    REQUIRE(cw_chainstore_open(&cs2, s2, false, CW_NET_REGTEST) == 0);
    cw_clusters *a, *b;
    REQUIRE(cw_clusters_open(&a, cs) == 0);
    REQUIRE(cw_clusters_open(&b, cs2) == 0);
    CHECK_EQ_INT(cw_clusters_count(a), cw_clusters_count(b));
    int diff = 0;
    for (uint32_t x = 0; x < cw_clusters_addrs(a); x++)
        diff += cw_clusters_of(a, x) != cw_clusters_of(b, x);
    CHECK_EQ_INT(diff, 0);
    cw_clusters_close(a);
    cw_clusters_close(b);
    cw_chainstore_close(cs2);
}

/* A reorg below the covered tip (here: a rollback to height 150) makes readers refuse the old
 * results and the next builds start again from tx 0. */
static void test_reorg(void)
{
    char s3[4200];
    snprintf(s3, sizeof s3, "%s/store3", cw_test_tmpdir());
    REQUIRE(ingest(s3, -1) == 0);
    cw_cluster_stats st;
    REQUIRE(cw_cluster_build(s3, 0, &st) == 0);
    CHECK_EQ_INT(st.txs_after, 356);
    cw_chainstore *w;
    REQUIRE(cw_chainstore_open(&w, s3, true, CW_NET_REGTEST) == 0);
    CHECK(cw_chainstore_rollback(w, 151) == 0);
    uint64_t txs = cw_chainstore_counts_get(w).txs;
    cw_chainstore_close(w);
    CHECK(txs < 356);
    cw_chainstore *r;
    REQUIRE(cw_chainstore_open(&r, s3, false, CW_NET_REGTEST) == 0);
    cw_clusters *cl = NULL;
    cw_patterns *p = NULL;
    CHECK(cw_clusters_open(&cl, r) == CW_ECORRUPT);
    CHECK(cw_patterns_open(&p, r) == CW_ECORRUPT);
    REQUIRE(cw_cluster_build(s3, 0, &st) == 0);
    CHECK(st.rebuilt);
    CHECK_EQ_INT(st.txs_before, 0);
    CHECK_EQ_INT(st.txs_after, txs);
    CHECK(cw_clusters_open(&cl, r) == 0);
    CHECK(cw_patterns_open(&p, r) == 0);
    if (p)
        CHECK_EQ_INT(cw_patterns_covered(p), txs);
    cw_patterns_close(p);
    cw_clusters_close(cl);
    cw_chainstore_close(r);
}

/* Clusters built under other pattern rules: a generation whose manifest names another patterns
 * format (here: a union of the simple CoinJoin's inputs, as rules that did not know it made, and
 * a manifest one tx short so that a build would continue over it) is refused by readers, and
 * the next build starts from tx 0 and drops the union. */
static void test_patterns_format(void)
{
    char s4[4200], mpath[4300], gdir[4300];
    snprintf(s4, sizeof s4, "%s/store4", cw_test_tmpdir());
    REQUIRE(ingest(s4, -1) == 0);
    cw_cluster_stats st;
    REQUIRE(cw_cluster_build(s4, 0, &st) == 0);
    uint64_t cj = tx_of("simple-coinjoin-tx");
    REQUIRE(cj != CW_NONE64);
    uint32_t a = in_addr(cj, 0), b = in_addr(cj, 1); /* the same ids: the same chain */
    snprintf(mpath, sizeof mpath, "%s/cluster.manifest", s4);
    cw_manifest m;
    REQUIRE(cw_manifest_read(&m, mpath) == 0);
    CHECK_EQ_INT(cw_manifest_get(&m, "patterns", 0), cw_patterns_format());
    snprintf(gdir, sizeof gdir, "%s/cluster.%llu", s4,
             (unsigned long long)cw_manifest_get(&m, "gen", 0));
    cw_column c;
    REQUIRE(cw_column_open(&c, gdir, "parent", 4, true) == 0);
    REQUIRE(c.cap > a && c.cap > b);
    uint32_t *par = cw_column_row(&c, 0);
    par[par[a]] = par[b];                     /* a's root under b's: the CoinJoin's inputs united */
    REQUIRE(cw_column_close(&c, false) == 0); /* the rows stay: no trim */
    REQUIRE(cw_manifest_set(&m, "patterns", cw_patterns_format() - 1) == 0);
    REQUIRE(cw_manifest_set(&m, "txs", cw_manifest_get(&m, "txs", 0) - 1) == 0);
    REQUIRE(cw_manifest_write(&m, mpath) == 0);
    cw_chainstore *r;
    REQUIRE(cw_chainstore_open(&r, s4, false, CW_NET_REGTEST) == 0);
    cw_clusters *cl = NULL;
    CHECK(cw_clusters_open(&cl, r) == CW_EVERSION);
    CHECK(strstr(cw_error_last(), "run `chainwatch cluster build`") != NULL);
    cw_clusters_close(cl);
    cl = NULL;
    REQUIRE(cw_cluster_build(s4, 0, &st) == 0);
    CHECK(st.rebuilt);
    CHECK_EQ_INT(st.txs_before, 0);
    REQUIRE(cw_manifest_read(&m, mpath) == 0);
    CHECK_EQ_INT(cw_manifest_get(&m, "patterns", 0), cw_patterns_format());
    REQUIRE(cw_clusters_open(&cl, r) == 0);
    CHECK(cw_clusters_of(cl, a) != cw_clusters_of(cl, b));
    cw_clusters_close(cl);
    cw_chainstore_close(r);
}

static void test_parse(void)
{
    uint32_t m;
    CHECK(cw_cluster_change_parse(&m, "fresh,peel") == 0 &&
          m == (CW_CHANGE_FRESH | CW_CHANGE_PEEL));
    CHECK(cw_cluster_change_parse(&m, "all") == 0 && m == CW_CHANGE_ALL);
    CHECK(cw_cluster_change_parse(&m, "none") == 0 && m == 0);
    CHECK(cw_cluster_change_parse(&m, "fresh,bogus") == CW_EINVAL);
    CHECK(strstr(cw_error_last(), "'bogus'") != NULL);
}

int main(void)
{
    const char *k = cw_test_data("btc-regtest-labeled-chain/output.json");
    json_error_t je;
    key = json_load_file(k, 0, &je);
    if (!key) {
        fprintf(stderr, "%s: %s\n", k, je.text);
        return 1;
    }
    snprintf(store, sizeof store, "%s/store", cw_test_tmpdir());
    cw_ingest_opts o;
    memset(&o, 0, sizeof o);
    o.blocks_dir = cw_test_data("btc-regtest-labeled-chain");
    o.store_dir = store;
    o.net = CW_NET_REGTEST;
    o.to_height = -1;
    o.threads = 1;
    cw_ingest_stats ist;
    if (cw_ingest_btc(&o, &ist) || cw_chainstore_open(&cs, store, false, CW_NET_REGTEST)) {
        fprintf(stderr, "ingest: %s\n", cw_error_last());
        return 1;
    }
    RUN(test_change_cases);
    RUN(test_clusters);
    RUN(test_incremental);
    RUN(test_reorg);
    RUN(test_patterns_format);
    RUN(test_parse);
    cw_chainstore_close(cs);
    json_decref(key);
    return cw_test_done();
}
