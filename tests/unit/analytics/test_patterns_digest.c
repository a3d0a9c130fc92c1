/*
 * test_patterns_digest.c: `patterns build` gives the same flags whatever the speed work inside
 * it. On a generated mixed-economy world (data/scenarios/mixed-heists.json, 40,000 txs, seed 11:
 * every CoinJoin kind, Tx0s, honest and heist peel chains):
 *   - the SHA-256 of the flag rows (u32 little-endian, tx order) equals the digest pinned from
 *     the build before its peel runs were memoised (main f9fea18, `chainwatch patterns build`
 *     on the same world), so a change of any flag, rule or score fails here;
 *   - every row equals cw_patterns_compute for that tx (the same rules without the build's memo:
 *     each peel run walked from the store);
 *   - an incremental build (half the chain, then the rest) writes the same rows as a build from
 *     scratch.
 * A deliberate change of the rules changes the digest: pin the new one in the same commit and
 * say why there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/patterns.h"
#include "chainwatch/util.h"
#include "harness.h"

/* sha256 of the 40,000 rows of txflags.col for this world, as this test prints it ("flags
 * digest ...") on branch h-cjdetect. Two deliberate changes moved it from main f9fea18's
 * 15e92b50...: the rules (issue 11: the CoinJoin kind from round_kind, the wasabi2-denominations
 * and equal-output-round conditions of docs/PATTERNS.md; same world: 4197c151...), then the world
 * (the generator's mainnet-sized Wasabi 2 rounds, docs/GEN.md). The same run checks that every
 * row equals cw_patterns_compute and that an incremental build equals a full one. A third
 * deliberate change (same world, a5ada900... before): the rules an independent world exposed
 * (docs/PATTERNS.md: no peel hop whose remainder goes back to an input's address, a run's mean
 * peel fraction up to 45 %, one payer's batch is no CoinJoin, Tx0s of other pools). A fourth
 * (ce1390d8... before, stop 17, btc18): a peel hop pays 1-3 peels (2-4 outputs, a batched hop's
 * remainder fresh); one row changes, the thief's own fan-out 703c688d... (2 stolen coins into 4
 * chain heads, its largest output the first coin of a peel chain) is now peel_chain. A fifth
 * (d9416603... before, stop 24, peel9): a hop's largest output must read as the payer's
 * remainder; one row changes, ef17918e... (2 inputs of 15,112,720 and 14,432,187 sat paying
 * 15,703,153 and 13,837,327: its largest output needed both coins, a payment) loses its
 * peel-run-end flag (not a hop of the world's truth). A sixth (stop 29, peelprec): flag
 * peel_strong (bit 11, the chain-level judgement) on the peel_chain hops whose chain reads as
 * laundering-like; every other bit, rule and score is unchanged: the rows with bit 11 cleared
 * still hash to the fifth digest (PINNED_NO_STRONG, checked below). */
static const char *const PINNED =
    "86a8adfd0405bc3080b96cead82356f512165e5755d840303d650ecc52691b4f";
static const char *const PINNED_NO_STRONG =
    "7a1d3ccb5495bb236e0abcf67629fa6393f8a9063373550f1250031eb7d9f43b";

static char world[4096], store[4096];

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

/* The persisted rows of the store's flags (caller frees), n = txs covered. */
static uint32_t *read_rows(uint64_t *n)
{
    cw_chainstore *cs = NULL;
    cw_patterns *p = NULL;
    uint32_t *rows = NULL;
    if (cw_chainstore_open(&cs, store, false, CW_NET_REGTEST) || cw_patterns_open(&p, cs))
        goto out;
    *n = cw_patterns_covered(p);
    rows = cw_malloc((*n + 1) * sizeof *rows);
    for (uint64_t t = 0; t < *n; t++)
        if (cw_patterns_tx_flags(p, t, &rows[t])) {
            cw_free(rows);
            rows = NULL;
            break;
        }
out:
    cw_patterns_close(p);
    cw_chainstore_close(cs);
    return rows;
}

static void test_digest(void)
{
    const char *src = getenv("CW_SOURCE_DIR");
    char path[4200];
    snprintf(path, sizeof path, "%s/data/scenarios/mixed-heists.json", src ? src : ".");
    cw_gen_scenario *sc = NULL;
    REQUIRE(cw_gen_scenario_load(&sc, path) == 0);
    cw_gen_opts go;
    memset(&go, 0, sizeof go);
    go.out_dir = world;
    go.txs = 40000;
    go.seed = 11;
    go.net = CW_NET_REGTEST;
    go.scenario = sc;
    go.threads = 1;
    cw_gen_stats gs;
    int rc = cw_gen_run(&go, &gs);
    cw_gen_scenario_free(sc);
    REQUIRE(rc == 0);

    /* incremental: half the chain, flags, the rest, flags again */
    REQUIRE(ingest(1700) == 0);
    cw_patterns_stats ps;
    REQUIRE(cw_patterns_build(store, &ps) == 0);
    REQUIRE(ps.txs_before == 0 && ps.txs_after > 10000);
    REQUIRE(ingest(-1) == 0);
    REQUIRE(cw_patterns_build(store, &ps) == 0);
    CHECK(ps.txs_before > 10000 && ps.txs_before < ps.txs_after);
    CHECK(ps.counts[5] > 100); /* peel-chain hops: the memo's work is exercised */
    CHECK(ps.counts[0] > 100); /* CoinJoins */
    uint64_t n_inc = 0, n_full = 0;
    uint32_t *inc = read_rows(&n_inc);
    REQUIRE(inc != NULL);
    REQUIRE(n_inc == 40000);

    /* from scratch */
    char mp[4200];
    snprintf(mp, sizeof mp, "%s/patterns.manifest", store);
    REQUIRE(unlink(mp) == 0);
    REQUIRE(cw_patterns_build(store, &ps) == 0);
    CHECK(ps.txs_before == 0);
    uint32_t *full = read_rows(&n_full);
    REQUIRE(full != NULL);
    CHECK(n_full == n_inc);
    CHECK(memcmp(inc, full, n_inc * sizeof *inc) == 0);

    /* the pinned digest (rows are little-endian u32 on disk; this host is little-endian) */
    uint8_t d[32];
    char hex[65];
    cw_sha256(d, full, n_full * sizeof *full);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    printf("flags digest %s (pinned %s)\n", hex, PINNED);
    CHECK_EQ_STR(hex, PINNED);
    uint64_t n_strong = 0, n_alone = 0; /* rows peel_strong; of them not peel_chain */
    for (uint64_t t = 0; t < n_full; t++) {
        n_strong += (full[t] & CW_PAT_PEEL_STRONG) != 0;
        n_alone += (full[t] & CW_PAT_PEEL_STRONG) && !(full[t] & CW_PAT_PEEL);
        inc[t] = full[t] & ~CW_PAT_PEEL_STRONG;
    }
    CHECK_EQ_INT(n_alone, 0);
    cw_sha256(d, inc, n_full * sizeof *inc);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    printf("flags digest without peel_strong %s, %llu rows peel_strong\n", hex,
           (unsigned long long)n_strong);
    CHECK_EQ_STR(hex, PINNED_NO_STRONG);
    CHECK(n_strong > 0);

    /* the same flags without the build's memo */
    cw_chainstore *cs = NULL;
    REQUIRE(cw_chainstore_open(&cs, store, false, CW_NET_REGTEST) == 0);
    uint64_t differ = 0, first = CW_NONE64;
    for (uint64_t t = 0; t < n_full; t++)
        if (cw_patterns_compute(cs, t) != full[t]) {
            differ++;
            if (first == CW_NONE64)
                first = t;
        }
    if (differ)
        printf("%llu txs differ from cw_patterns_compute, first tx %llu\n",
               (unsigned long long)differ, (unsigned long long)first);
    CHECK(differ == 0);
    cw_chainstore_close(cs);
    cw_free(inc);
    cw_free(full);
}

int main(void)
{
    snprintf(world, sizeof world, "%s/world", cw_test_tmpdir());
    snprintf(store, sizeof store, "%s/store", cw_test_tmpdir());
    RUN(test_digest);
    return cw_test_done();
}
