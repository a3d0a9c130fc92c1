/*
 * test_patterns_regtest.c: pattern flags against BlockSci's labelled regtest chain
 * (../shared/data/btc-regtest-labeled-chain, output.json is the answer key): every
 * peeling-chain-N-tx is a peel-chain link, simple-coinjoin-tx is a CoinJoin and no other tx
 * of the chain is; the persisted column equals the flags computed on the fly; an incremental
 * build (half the chain, then the rest) gives the same column as a build in one go.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/query.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/patterns.h"
#include "chainwatch/util.h"
#include "harness.h"

static char store[4096], store2[4096];
static json_t *key;

static int ingest(const char *dir, int64_t to_height)
{
    cw_ingest_opts o;
    memset(&o, 0, sizeof o);
    o.blocks_dir = cw_test_data("btc-regtest-labeled-chain");
    o.store_dir = dir;
    o.net = CW_NET_REGTEST;
    o.to_height = to_height;
    o.threads = 1;
    cw_ingest_stats st;
    return cw_ingest_btc(&o, &st);
}

static uint64_t tx_of(const cw_chainstore *cs, const char *hex)
{
    uint8_t id[32];
    uint64_t t = CW_NONE64;
    if (cw_hex_decode_rev(id, 32, hex) || cw_chainstore_find_tx(cs, id, &t))
        return CW_NONE64;
    return t;
}

static void test_flags(void)
{
    REQUIRE(ingest(store, -1) == 0);
    cw_patterns_stats st;
    REQUIRE(cw_patterns_build(store, &st) == 0);
    CHECK_EQ_INT(st.txs_after, 356);
    cw_chainstore *cs;
    REQUIRE(cw_chainstore_open(&cs, store, false, CW_NET_REGTEST) == 0);
    cw_patterns *p;
    REQUIRE(cw_patterns_open(&p, cs) == 0);
    CHECK_EQ_INT(cw_patterns_covered(p), 356);
    uint32_t f;
    /* the ten peel-chain hops */
    int n_peel = 0;
    for (int i = 0; i < 10; i++) {
        char k[64];
        snprintf(k, sizeof k, "peeling-chain-%d-tx", i);
        uint64_t t = tx_of(cs, json_string_value(json_object_get(key, k)));
        CHECK(t != CW_NONE64);
        if (t == CW_NONE64)
            continue;
        CHECK(cw_patterns_tx_flags(p, t, &f) == 0);
        if (f & CW_PAT_PEEL)
            n_peel++;
        else
            fprintf(stderr, "%s not flagged peel_chain (flags %u)\n", k, f);
        CHECK(!(f & CW_PAT_COINJOIN));
    }
    CHECK_EQ_INT(n_peel, 10);
    /* CoinJoin: exactly the labelled one */
    uint64_t cj = tx_of(cs, json_string_value(json_object_get(key, "simple-coinjoin-tx")));
    REQUIRE(cj != CW_NONE64);
    int n_cj = 0, n_mismatch = 0;
    for (uint64_t t = 0; t < 356; t++) {
        CHECK(cw_patterns_tx_flags(p, t, &f) == 0);
        if (f != cw_patterns_compute(cs, t))
            n_mismatch++;
        if (f & CW_PAT_COINJOIN) {
            n_cj++;
            CHECK_EQ_INT(t, cj);
        }
        CHECK(!(f & (CW_PAT_WHIRLPOOL | CW_PAT_WASABI1 | CW_PAT_WASABI2)));
    }
    CHECK_EQ_INT(n_cj, 1);
    CHECK_EQ_INT(n_mismatch, 0);
    /* fan-8: one input to 8 outputs, then 8 inputs collected into one */
    CHECK(cw_patterns_tx_flags(p, tx_of(cs, json_string_value(json_object_get(key, "fan-8-tx"))),
                               &f) == 0 &&
          (f & CW_PAT_FANOUT));
    CHECK(cw_patterns_tx_flags(
              p, tx_of(cs, json_string_value(json_object_get(key, "fan-8-tx-collect"))), &f) == 0 &&
          (f & CW_PAT_FANIN));
    CHECK(cw_patterns_tx_flags(p, 356, &f) == CW_ENOTFOUND);
    char names[128];
    cw_patterns_flags_string(names, sizeof names, CW_PAT_COINJOIN | CW_PAT_JOINMARKET);
    CHECK_EQ_STR(names, "coinjoin,joinmarket");
    cw_patterns_close(p);
    /* the hook for `chainwatch tx`: flags from the column */
    json_t *j;
    REQUIRE(cw_query_tx(&j, cs, json_string_value(json_object_get(key, "simple-coinjoin-tx"))) ==
            0);
    cw_patterns_annotate_tx(j, cs);
    char *dump = json_dumps(json_object_get(j, "flags"), JSON_COMPACT);
    CHECK_EQ_STR(dump, "[\"coinjoin\",\"joinmarket\"]");
    CHECK_EQ_STR(json_string_value(json_object_get(j, "flags_source")), "column");
    free(dump);
    json_decref(j);
    cw_chainstore_close(cs);
}

static int file_bytes(const char *dir, const char *name, uint8_t **out, size_t *n)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return cw_file_read(out, n, p);
}

static void test_incremental(void)
{
    /* half the chain (up to the peel chain's middle), build, the rest, build again */
    REQUIRE(ingest(store2, 144) == 0);
    cw_patterns_stats st;
    REQUIRE(cw_patterns_build(store2, &st) == 0);
    uint64_t half = st.txs_after;
    CHECK(half > 0 && half < 356);
    REQUIRE(ingest(store2, -1) == 0);
    REQUIRE(cw_patterns_build(store2, &st) == 0);
    CHECK_EQ_INT(st.txs_before, half);
    CHECK_EQ_INT(st.txs_after, 356);
    CHECK(!st.rebuilt);
    uint8_t *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    REQUIRE(file_bytes(store, "patterns.1/txflags.col", &a, &na) == 0);
    REQUIRE(file_bytes(store2, "patterns.2/txflags.col", &b, &nb) == 0);
    CHECK_EQ_INT(na, nb);
    CHECK(na == nb && memcmp(a, b, na) == 0);
    cw_free(a);
    cw_free(b);
    /* a build with nothing new changes nothing */
    REQUIRE(cw_patterns_build(store2, &st) == 0);
    CHECK_EQ_INT(st.txs_before, 356);
}

/* A reader keeps its generation whole while a build extends the flags beside it: an extension
 * recomputes older rows (a new peel hop completes a run), which main's build rewrote in place
 * under the reader's mapping. */
static void test_reader_beside_build(void)
{
    char s3[4200];
    snprintf(s3, sizeof s3, "%s/store3", cw_test_tmpdir());
    REQUIRE(ingest(s3, 141) == 0); /* an extension past 141 recomputes 3 of its 190 rows */
    cw_patterns_stats st;
    REQUIRE(cw_patterns_build(s3, &st) == 0);
    cw_chainstore *cs;
    REQUIRE(cw_chainstore_open(&cs, s3, false, CW_NET_REGTEST) == 0);
    cw_patterns *p;
    REQUIRE(cw_patterns_open(&p, cs) == 0);
    uint64_t n = cw_patterns_covered(p);
    uint32_t *before = cw_calloc(n + 1, 4);
    REQUIRE(before != NULL);
    for (uint64_t t = 0; t < n; t++)
        REQUIRE(cw_patterns_tx_flags(p, t, &before[t]) == 0);
    REQUIRE(ingest(s3, -1) == 0);
    REQUIRE(cw_patterns_build(s3, &st) == 0);
    CHECK_EQ_INT(st.txs_before, n);
    /* the build changed some of those rows: a new reader sees them */
    cw_chainstore *cs2;
    REQUIRE(cw_chainstore_open(&cs2, s3, false, CW_NET_REGTEST) == 0);
    cw_patterns *p2;
    REQUIRE(cw_patterns_open(&p2, cs2) == 0);
    uint64_t moved = 0, kept = 0;
    for (uint64_t t = 0; t < n; t++) {
        uint32_t f_old = 0, f_new = 0;
        REQUIRE(cw_patterns_tx_flags(p, t, &f_old) == 0);
        REQUIRE(cw_patterns_tx_flags(p2, t, &f_new) == 0);
        moved += f_new != before[t];
        kept += f_old == before[t];
    }
    CHECK(moved > 0);
    CHECK_EQ_INT(kept, n); /* the first reader's rows are as it opened them */
    cw_patterns_close(p2);
    cw_chainstore_close(cs2);
    cw_patterns_close(p);
    cw_chainstore_close(cs);
    cw_free(before);
}

static void test_errors(void)
{
    char empty[4200];
    snprintf(empty, sizeof empty, "%s/nostore", cw_test_tmpdir());
    CHECK(cw_patterns_build(empty, NULL) != 0);
    CHECK(strstr(cw_error_last(), "nostore") != NULL);
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
    snprintf(store2, sizeof store2, "%s/store2", cw_test_tmpdir());
    RUN(test_flags);
    RUN(test_incremental);
    RUN(test_reader_beside_build);
    RUN(test_errors);
    json_decref(key);
    return cw_test_done();
}
