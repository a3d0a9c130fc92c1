/* test_ingest_threads.c: `ingest btc` with decoding threads gives the same store, byte for byte,
 * as one thread: a generated XOR'd world over several blk files (out-of-order blocks, stale
 * siblings) ingested on one thread, on three threads, and on three threads with a commit every
 * 400 transactions in two runs (the second resuming the first), and the mainnet blocks (XOR'd
 * copy, when ../shared/data is present) on one and on three threads. Under ThreadSanitizer (the
 * tsan preset) it is the race test of the ingest pipeline: workers read, decode and hash blocks
 * ahead of the writer that applies them in order. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/ingest.h"
#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/util.h"
#include "harness.h"

static int ingest(const char *blocks, const char *store, cw_network net, int threads,
                  uint64_t commit_txs, int64_t to, cw_ingest_stats *st)
{
    cw_ingest_opts o;
    memset(&o, 0, sizeof o);
    o.blocks_dir = blocks;
    o.store_dir = store;
    o.net = net;
    o.to_height = to;
    o.threads = threads;
    o.commit_txs = commit_txs;
    int rc = cw_ingest_btc(&o, st);
    if (rc)
        fprintf(stderr, "ingest %s -> %s: %s\n", blocks, store, cw_error_last());
    return rc;
}

/* Number of files of dir a whose bytes differ from (or are missing in) dir b; LOCK ignored.
 * -1 when a cannot be listed. */
static int differing_files(const char *a, const char *b)
{
    DIR *d = opendir(a);
    if (!d)
        return -1;
    int bad = 0, n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "LOCK"))
            continue;
        char pa[1024], pb[1024];
        snprintf(pa, sizeof pa, "%s/%s", a, e->d_name);
        snprintf(pb, sizeof pb, "%s/%s", b, e->d_name);
        uint8_t *xa = NULL, *xb = NULL;
        size_t na = 0, nb = 0;
        int ra = cw_file_read(&xa, &na, pa), rb = cw_file_read(&xb, &nb, pb);
        if (ra || rb || na != nb || memcmp(xa, xb, na)) {
            fprintf(stderr, "differs: %s vs %s\n", pa, pb);
            bad++;
        }
        n++;
        cw_free(xa);
        cw_free(xb);
    }
    closedir(d);
    return n ? bad : -1;
}

static void test_generated_world(void)
{
    const char *src = getenv("CW_SOURCE_DIR");
    if (!src)
        cw_test_skip("CW_SOURCE_DIR is not set");
    char path[1024], world[1024], blocks[1100], s1[1024], s3[1024], sc[1024];
    snprintf(path, sizeof path, "%s/data/scenarios/quick-heist.json", src);
    cw_gen_scenario *scen = NULL;
    REQUIRE(cw_gen_scenario_load(&scen, path) == 0);
    snprintf(world, sizeof world, "%s/world", cw_test_tmpdir());
    cw_gen_opts g;
    memset(&g, 0, sizeof g);
    g.out_dir = world;
    g.txs = 4000;
    g.seed = 5;
    g.scenario = scen;
    g.net = CW_NET_REGTEST;
    g.threads = 2;
    g.max_file_size = 300000; /* several blk files */
    g.xor_on = true;
    REQUIRE(cw_hex_decode(g.xor_key, 8, "5a17c0ffee01d0a9") == 0);
    cw_gen_stats gs;
    int rc = cw_gen_run(&g, &gs);
    cw_gen_scenario_free(scen);
    REQUIRE(rc == 0);
    CHECK(gs.files >= 3);
    CHECK(gs.stale_blocks > 0);
    snprintf(blocks, sizeof blocks, "%s/blocks", world);
    snprintf(s1, sizeof s1, "%s/s1", cw_test_tmpdir());
    snprintf(s3, sizeof s3, "%s/s3", cw_test_tmpdir());
    snprintf(sc, sizeof sc, "%s/sc", cw_test_tmpdir());
    cw_ingest_stats a, b, c;
    REQUIRE(ingest(blocks, s1, CW_NET_REGTEST, 1, 0, -1, &a) == 0);
    REQUIRE(ingest(blocks, s3, CW_NET_REGTEST, 3, 0, -1, &b) == 0);
    CHECK_EQ_INT(a.txs_added, gs.txs);
    CHECK_EQ_INT(b.txs_added, gs.txs);
    CHECK_EQ_INT(a.blocks_added, gs.blocks);
    CHECK_EQ_INT(differing_files(s1, s3), 0);
    /* commits while workers are ahead of the writer, and a second run resuming the first */
    int64_t half = (int64_t)gs.blocks / 2;
    REQUIRE(ingest(blocks, sc, CW_NET_REGTEST, 3, 400, half, &c) == 0);
    CHECK_EQ_INT(c.tip_height, half);
    REQUIRE(ingest(blocks, sc, CW_NET_REGTEST, 3, 400, -1, &c) == 0);
    CHECK_EQ_INT(c.blocks_added, gs.blocks - (uint64_t)half - 1);
    CHECK_EQ_INT(differing_files(s1, sc), 0);
}

static void test_mainnet(void)
{
    const char *xor = cw_test_data("btc-mainnet-blocks/derived-xor");
    char s1[1024], s3[1024];
    snprintf(s1, sizeof s1, "%s/m1", cw_test_tmpdir());
    snprintf(s3, sizeof s3, "%s/m3", cw_test_tmpdir());
    cw_ingest_stats a, b;
    REQUIRE(ingest(xor, s1, CW_NET_MAIN, 1, 0, -1, &a) == 0);
    REQUIRE(ingest(xor, s3, CW_NET_MAIN, 3, 0, -1, &b) == 0);
    CHECK_EQ_INT(a.tip_height, 438);
    CHECK_EQ_INT(b.txs_added, a.txs_added);
    CHECK_EQ_INT(differing_files(s1, s3), 0);
}

int main(void)
{
    RUN(test_generated_world);
    RUN(test_mainnet);
    return cw_test_done();
}
