/* test_chain_cache.c: the server's chain context keeps one clusters handle per store and
 * cluster build, and refreshes it, while clients look addresses up (a generated world of
 * 12,000 txs, seed 11, ingested up to half its height first):
 *  - 4 client threads looking up an address of a multi-address cluster and one of the
 *    largest cluster, in turn, get 200 and its cluster every time, and the server opened the
 *    clusters once for all of them (it opened them per lookup before: a manifest read, 5
 *    opens and mmaps);
 *  - a store commit (ingesting the rest) while they run: a later address is found at the next
 *    request, without a cluster (the clusters cover the first half), and the clusters were
 *    reopened with the store (their tip is checked against it); idle requests open nothing;
 *  - a `cluster build` while they run: the later address now has its cluster, chain/status
 *    says the clusters cover every tx, and again requests after it open nothing;
 *  - the memoised totals of a large cluster (cw_clusters_totals): summed once per handle, and
 *    the lookup's cluster.totals equal a fresh sum over a fresh store handle before the
 *    commit, after it (when they have changed) and after the cluster build, so a memo kept
 *    across either would fail;
 *  - a rollback starting beside the handle (the store's rollback generation bumped, no event
 *    on the directory): the next answer is dropped and read again from the reopened store;
 *  - once the warm-up has read the whole store, chain/status says prefetch: false (the
 *    lookups' page hints stop).
 * Under the tsan preset it also runs the warm-up thread and the refreshes beside the lookups. */
#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chainwatch/btc/addrhist.h"
#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/query.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/cluster.h"
#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/server.h"
#include "chainwatch/share.h"
#include "chainwatch/store.h"
#include "chainwatch/util.h"
#include "harness.h"
#include "http_call.h"
#include "server/internal.h"

enum { CLIENTS = 4 };

static uint16_t port;
static char key_buf[128];
static char addr_a[CW_ADDR_STR_MAX];   /* in a multi-address cluster of the first half */
static char addr_big[CW_ADDR_STR_MAX]; /* in the largest cluster of the first half */
static atomic_int stop_clients;

typedef struct client {
    pthread_t t;
    atomic_int done;
    int bad;
} client;

static long get(CURL *c, const char *path, json_t **out)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)port, path);
    return cw_test_http(c, "GET", url, key_buf, NULL, out);
}

static long lookup(CURL *c, const char *addr, json_t **out)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/chain/address/%s", addr);
    return get(c, path, out);
}

/* Looks addr_a and addr_big up in turn until told to stop (the large cluster's memoised
 * totals are shared by the request threads): every answer 200, the address, and a cluster of
 * 2+. */
static void *client_main(void *p)
{
    client *cl = p;
    CURL *c = curl_easy_init();
    for (int k = 0; !atomic_load(&stop_clients) || atomic_load(&cl->done) < 5; k++) {
        json_t *j = NULL;
        const char *want = k % 2 ? addr_big : addr_a;
        long st = lookup(c, want, &j);
        const char *a = json_string_value(json_object_get(j, "address"));
        json_t *size = json_object_get(json_object_get(j, "cluster"), "size");
        if (st != 200 || !a || strcmp(a, want) != 0 || json_integer_value(size) < 2)
            cl->bad++;
        json_decref(j);
        atomic_fetch_add(&cl->done, 1);
    }
    curl_easy_cleanup(c);
    return NULL;
}

/* chain/status shows open clusters covering txs, and 10 more lookups open nothing: the
 * server has opened `opens` handles in all. */
static void settled(CURL *c, cw_server *s, uint64_t txs, uint64_t opens)
{
    json_t *j = NULL;
    REQUIRE(get(c, "/api/v1/chain/status", &j) == 200);
    json_t *cl = json_object_get(j, "clusters");
    CHECK_EQ_STR(json_string_value(json_object_get(cl, "state")), "open");
    CHECK_EQ_INT(json_integer_value(json_object_get(cl, "txs")), txs);
    json_decref(j);
    for (int i = 0; i < 10; i++) {
        CHECK_EQ_INT(lookup(c, addr_a, &j), 200);
        json_decref(j);
    }
    CHECK_EQ_INT(cw_server__chain_clusters_opens(s->chain), opens);
}

/* The totals of addr's cluster summed afresh (a new store and clusters handle), as JSON. */
static void fresh_totals(json_t **out, const char *store, const char *addr)
{
    cw_chainstore *cs = NULL;
    cw_clusters *cls = NULL;
    cw_addr_key k;
    uint64_t a, n = 0;
    json_t *j = NULL;
    REQUIRE(cw_chainstore_open(&cs, store, false, CW_NET_REGTEST) == 0);
    REQUIRE(cw_clusters_open(&cls, cs) == 0);
    REQUIRE(cw_addr_decode(&k, addr, CW_NET_REGTEST) == 0);
    REQUIRE(cw_chainstore_find_addr(cs, &k, &a) == 0);
    const uint32_t *m = cw_clusters_members(cls, cw_clusters_of(cls, (uint32_t)a), &n);
    REQUIRE(n >= CW_CLUSTERS_MEMO_MIN);
    REQUIRE(cw_query_addrs_totals(&j, cs, m, n) == 0);
    cw_clusters_close(cls);
    cw_chainstore_close(cs);
    *out = j;
}

/* addr_big's lookup: its cluster.totals equal a fresh sum (looked up twice: the second answer
 * comes from the memo). Returns the totals (a new reference). */
static json_t *big_totals_checked(CURL *c, const char *store)
{
    json_t *want = NULL, *got = NULL;
    fresh_totals(&want, store, addr_big);
    if (!want)
        return json_null();
    for (int i = 0; i < 2; i++) {
        json_t *j = NULL;
        CHECK_EQ_INT(lookup(c, addr_big, &j), 200);
        json_t *t = json_object_get(json_object_get(j, "cluster"), "totals");
        CHECK(t != NULL && json_equal(t, want));
        if (t && !got)
            got = json_incref(t);
        json_decref(j);
    }
    json_decref(got);
    return want;
}

/* The memo on one handle: the first sum of a large cluster is a miss, the next a hit, and
 * both equal cw_query_addrs_sum; a small cluster is never memoised. */
static void test_totals_memo(const char *store)
{
    cw_chainstore *cs = NULL;
    cw_clusters *cls = NULL;
    REQUIRE(cw_chainstore_open(&cs, store, false, CW_NET_REGTEST) == 0);
    REQUIRE(cw_clusters_open(&cls, cs) == 0);
    uint32_t big = CW_NONE32, small = CW_NONE32;
    uint64_t big_n = 0;
    for (uint32_t k = 0; k < cw_clusters_count(cls); k++) {
        uint64_t n = 0;
        (void)cw_clusters_members(cls, k, &n);
        if (n > big_n) {
            big = k;
            big_n = n;
        }
        if (n == 1 && small == CW_NONE32)
            small = k;
    }
    REQUIRE(big_n >= CW_CLUSTERS_MEMO_MIN && small != CW_NONE32);
    uint64_t n = 0, hits = 0, misses = 0;
    const uint32_t *m = cw_clusters_members(cls, big, &n);
    cw_addrs_sum want, got1, got2, one;
    REQUIRE(cw_query_addrs_sum(&want, cs, m, n) == 0);
    CHECK(want.n_out > 0 && want.first != CW_NONE64);
    REQUIRE(cw_clusters_totals(cls, cs, big, &got1) == 0);
    REQUIRE(cw_clusters_totals(cls, cs, big, &got2) == 0);
    REQUIRE(cw_clusters_totals(cls, cs, small, &one) == 0);
    CHECK(memcmp(&got1, &want, sizeof want) == 0);
    CHECK(memcmp(&got2, &want, sizeof want) == 0);
    CHECK_EQ_INT(one.n, 1);
    cw_clusters_memo_stats(cls, &hits, &misses);
    CHECK_EQ_INT(misses, 1);
    CHECK_EQ_INT(hits, 1);
    CHECK(cw_clusters_totals(cls, cs, (uint32_t)cw_clusters_count(cls), &one) == CW_ENOTFOUND);
    cw_clusters_close(cls);
    cw_chainstore_close(cs);
}

static int ingest(const char *blocks, const char *store, int64_t to_height)
{
    cw_ingest_opts io = {.blocks_dir = blocks,
                         .store_dir = store,
                         .net = CW_NET_REGTEST,
                         .to_height = to_height,
                         .threads = 2,
                         .commit_txs = UINT64_MAX / 2};
    cw_ingest_stats is;
    return cw_ingest_btc(&io, &is);
}

static void test_clusters_handle(void)
{
    char dir[1024], blocks[1100], store[1100], db[1100];
    snprintf(dir, sizeof dir, "%s/world", cw_test_tmpdir());
    snprintf(blocks, sizeof blocks, "%s/blocks", dir);
    snprintf(store, sizeof store, "%s/store", dir);
    snprintf(db, sizeof db, "%s/node.db", cw_test_tmpdir());
    cw_gen_opts go = {0};
    go.out_dir = dir;
    go.txs = 12000; /* the demo heist's timeline needs 10,245 */
    go.seed = 11;
    go.net = CW_NET_REGTEST;
    cw_gen_stats gs;
    if (cw_gen_run(&go, &gs))
        fprintf(stderr, "gen: %s\n", cw_error_last());
    REQUIRE(gs.txs == go.txs);
    REQUIRE(gs.blocks > 10);
    REQUIRE(ingest(blocks, store, (int64_t)gs.blocks / 2) == 0);
    REQUIRE(cw_cluster_build(store, CW_CHANGE_ALL, NULL) == 0);
    cw_addrhist_stats hs;
    REQUIRE(cw_addrhist_build(store, &hs) == 0);
    uint64_t half_outs = hs.outs;

    /* addr_a: a member of the first multi-address cluster; first_new: the first address id
     * the second half adds */
    cw_chainstore *cs = NULL;
    cw_clusters *cls = NULL;
    REQUIRE(cw_chainstore_open(&cs, store, false, CW_NET_REGTEST) == 0);
    REQUIRE(cw_clusters_open(&cls, cs) == 0);
    uint64_t first_new = cw_chainstore_counts_get(cs).addrs, half_txs = cw_clusters_txs(cls);
    uint64_t big_n = 0;
    for (uint32_t k = 0; k < cw_clusters_count(cls); k++) {
        uint64_t n = 0;
        const uint32_t *m = cw_clusters_members(cls, k, &n);
        if (n >= 2 && !addr_a[0])
            cw_query_addr_string(addr_a, cs, m[0]);
        if (n > big_n) {
            big_n = n;
            cw_query_addr_string(addr_big, cs, m[0]);
        }
    }
    cw_clusters_close(cls);
    cw_chainstore_close(cs);
    REQUIRE(addr_a[0]);
    REQUIRE(big_n >= CW_CLUSTERS_MEMO_MIN);
    test_totals_memo(store);

    REQUIRE(cw_node_init(db, "USA", NULL) == 0);
    cw_node *n = NULL;
    REQUIRE(cw_node_open(&n, db) == 0);
    char *key = NULL;
    REQUIRE(cw_keys_add(n, "ana", "USA", CW_ROLE_ANALYST, &key) == 0);
    snprintf(key_buf, sizeof key_buf, "%s", key);
    free(key);
    cw_node_close(n);
    cw_server_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.db_path = db;
    cfg.listen = "127.0.0.1:0";
    cfg.threads = 4;
    cfg.store_dir = store;
    cw_server *s = NULL;
    REQUIRE(cw_server_start(&s, &cfg) == 0);
    port = cw_server_port(s);
    CURL *c = curl_easy_init();
    json_t *j = NULL;

    /* 1. Lookups from 4 clients: one clusters handle for all of them. */
    client cl[CLIENTS] = {0};
    for (int i = 0; i < CLIENTS; i++)
        REQUIRE(pthread_create(&cl[i].t, NULL, client_main, &cl[i]) == 0);
    int seen = 0;
    while (seen < 20) { /* wait for 20 answers in all */
        seen = 0;
        for (int i = 0; i < CLIENTS; i++)
            seen += atomic_load(&cl[i].done);
    }
    CHECK_EQ_INT(cw_server__chain_clusters_opens(s->chain), 1);
    CHECK_EQ_INT(cw_server__chain_addrhist_opens(s->chain), 1);
    CHECK(cw_server__chain_watching(s->chain)); /* no stat per request: an inotify watch */
    json_t *tot_half = big_totals_checked(c, store);

    /* 2. A store commit while they run: the later addresses appear at the next request, the
     * clusters are reopened with the store, and requests after that open nothing. */
    REQUIRE(ingest(blocks, store, -1) == 0);
    REQUIRE(cw_chainstore_open(&cs, store, false, CW_NET_REGTEST) == 0);
    char addr_b[CW_ADDR_STR_MAX];
    uint64_t all_txs = cw_chainstore_counts_get(cs).txs;
    REQUIRE(cw_chainstore_counts_get(cs).addrs > first_new);
    cw_query_addr_string(addr_b, cs, (uint32_t)first_new);
    cw_chainstore_close(cs);
    CHECK_EQ_INT(lookup(c, addr_b, &j), 200);
    CHECK(json_object_get(j, "cluster") == NULL); /* past the clusters' addresses */
    json_decref(j);
    uint64_t opens = cw_server__chain_clusters_opens(s->chain);
    CHECK(opens >= 2); /* reopened with the store (once per commit the requests saw) */
    settled(c, s, half_txs, opens);
    /* the index was reopened with the store and covers the first half (the rest is walked) */
    uint64_t ah_opens = cw_server__chain_addrhist_opens(s->chain);
    CHECK(ah_opens >= 2);
    REQUIRE(get(c, "/api/v1/chain/status", &j) == 200);
    CHECK_EQ_INT(
        json_integer_value(json_object_get(json_object_get(j, "address_index"), "outputs")),
        half_outs);
    CHECK(json_is_true(json_object_get(json_object_get(j, "address_index"), "cards")));
    json_decref(j);
    json_t *tot_all = big_totals_checked(c, store);
    CHECK(!json_equal(tot_all, tot_half)); /* the commit changed them: a kept memo would fail */

    /* 3. A cluster build while they run: the later address gets its cluster. */
    REQUIRE(cw_cluster_build(store, CW_CHANGE_ALL, NULL) == 0);
    CHECK_EQ_INT(lookup(c, addr_b, &j), 200);
    CHECK(json_is_object(json_object_get(j, "cluster")));
    json_decref(j);
    CHECK_EQ_INT(cw_server__chain_clusters_opens(s->chain), opens + 1);
    settled(c, s, all_txs, opens + 1);
    json_t *tot_rebuilt = big_totals_checked(c, store);
    const json_t *tots[3] = {tot_half, tot_all, tot_rebuilt};
    for (int i = 0; i < 3; i++) { /* the figures, for the log */
        char *t = json_dumps(tots[i], JSON_COMPACT);
        fprintf(stderr, "largest cluster's totals %s: %s\n",
                i == 0   ? "(first half)"
                : i == 1 ? "(after the commit)"
                         : "(after the build)",
                t);
        free(t);
    }
    json_decref(tot_half);
    json_decref(tot_all);
    json_decref(tot_rebuilt);

    /* 3b. An index build while they run: reopened at the next request, covering everything;
     * requests after it open nothing. */
    REQUIRE(cw_addrhist_build(store, &hs) == 0);
    CHECK(hs.outs > half_outs);
    REQUIRE(get(c, "/api/v1/chain/status", &j) == 200);
    CHECK_EQ_INT(
        json_integer_value(json_object_get(json_object_get(j, "address_index"), "outputs")),
        hs.outs);
    json_decref(j);
    CHECK_EQ_INT(lookup(c, addr_b, &j), 200);
    CHECK(json_is_object(json_object_get(j, "cluster")));
    json_decref(j);
    settled(c, s, all_txs, opens + 1);
    CHECK_EQ_INT(cw_server__chain_addrhist_opens(s->chain), ah_opens + 1);

    /* 3c. A rollback starts beside the store's handle: its writer, still running, has bumped
     * the rollback generation (docs/STORE-FORMAT.md, "A reader beside a writer"), which makes no
     * event on the directory. The next answer is read from the old handle, found stale by the
     * generation, dropped and answered again from the store reopened (the clusters and the
     * index with it, once for all the clients); it equals the answer before; later requests
     * open nothing. Without the check after the answer, nothing reopens. */
    char lpath[1200];
    snprintf(lpath, sizeof lpath, "%s/LOCK", store);
    int lfd = open(lpath, O_RDWR | O_CLOEXEC);
    REQUIRE(lfd >= 0);
    json_t *before = NULL, *after = NULL;
    CHECK_EQ_INT(lookup(c, addr_b, &before), 200);
    REQUIRE(cw_store_gen_bump(lfd, lpath) == 0);
    CHECK_EQ_INT(lookup(c, addr_b, &after), 200);
    CHECK(before && after && json_equal(before, after));
    json_decref(before);
    json_decref(after);
    CHECK_EQ_INT(cw_server__chain_clusters_opens(s->chain), opens + 2);
    CHECK_EQ_INT(cw_server__chain_addrhist_opens(s->chain), ah_opens + 2);
    settled(c, s, all_txs, opens + 2);
    close(lfd);

    /* 4. Once the warm-up has read the whole store, lookups stop asking for their pages
     * (chain/status prefetch: false), and still answer. */
    bool done = false;
    for (int i = 0; i < 600 && !done; i++) {
        REQUIRE(get(c, "/api/v1/chain/status", &j) == 200);
        json_t *w = json_object_get(j, "warm");
        done = !strcmp(json_string_value(json_object_get(w, "state")), "done") &&
               json_integer_value(json_object_get(w, "bytes")) >=
                   json_integer_value(json_object_get(w, "of"));
        json_decref(j);
        if (!done) {
            struct timespec ms50 = {0, 50000000};
            nanosleep(&ms50, NULL);
        }
    }
    CHECK(done);
    CHECK_EQ_INT(lookup(c, addr_big, &j), 200);
    json_decref(j);
    REQUIRE(get(c, "/api/v1/chain/status", &j) == 200);
    CHECK(json_is_false(json_object_get(j, "prefetch")));
    json_decref(j);

    atomic_store(&stop_clients, 1);
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(cl[i].t, NULL);
        CHECK(atomic_load(&cl[i].done) >= 5);
        CHECK_EQ_INT(cl[i].bad, 0);
    }
    curl_easy_cleanup(c);
    cw_server_stop(s);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    RUN(test_clusters_handle);
    curl_global_cleanup();
    return cw_test_done();
}
