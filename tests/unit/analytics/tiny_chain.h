/*
 * tiny_chain.h: a tiny regtest block builder for the analytics tests that need hand-made
 * txs (test_trace_relink.c, test_trace_funders.c, test_trace_sweep.c, test_screen_shallow.c,
 * test_patterns_shapes.c, test_patterns_peel.c): coins paid by each block's coinbase (fund), txs
 * appended to the current block (block_tx), blocks appended to one blk00000.dat (chain_begin,
 * block_begin, block_end, chain_write), then ingested (chain_ingest) and one address labelled
 * (chain_label); CHAIN_SETUP is a test's opening. A coin paid on alone (chain_pay_alone), a
 * trace's source (chain_first_spent) and the carry tests' trace stopping at exchanges with its
 * conservation check (chain_trace_to_exchange). P2WPKH keys are numbers (new_key). State is
 * static: include it once per test program. What a test may leave unused is inline.
 */
#ifndef CW_TEST_TINY_CHAIN_H
#define CW_TEST_TINY_CHAIN_H

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
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "gen/btc/tx.h"
#include "harness.h"

/* ------------------------------------------------------------------ a tiny block builder */

typedef struct coin {
    uint8_t txid[32];
    uint32_t vout;
    uint64_t value;
    uint64_t key;
} coin;

static cw_buf blkfile;        /* the blk00000.dat being written */
static uint8_t prev_hash[32]; /* tip */
static uint32_t height;
static uint8_t ids[64][32]; /* txids of the current block, [0] the coinbase */
static cw_buf txdata;       /* serialized txs of the current block */
static size_t n_txs;
static uint64_t next_key = 1000;
static gen_tx cb_tx;       /* the pending coinbase */
static uint64_t n_cb_outs; /* its outputs */
static coin cb_coins[256]; /* coins it pays (txid filled at block end) */
static coin *cb_dest[256]; /* where to copy each coin */
static uint32_t block_time = 1700000000;

static uint64_t new_key(void)
{
    return next_key++;
}

static void add_out(gen_tx *tx, uint64_t value, uint64_t key)
{
    uint8_t spk[GEN_SPK_MAX];
    size_t n = gen_spk(spk, CW_SCRIPT_P2WPKH, key);
    gen_tx_add_out(tx, value, spk, n);
}

/* An OP_RETURN output carrying 40 bytes (a Tx0's). */
static inline void add_opreturn(gen_tx *tx)
{
    uint8_t spk[42] = {0x6a, 40};
    for (int i = 2; i < 42; i++)
        spk[i] = (uint8_t)(i * 7);
    gen_tx_add_out(tx, 0, spk, sizeof spk);
}

static void add_in(gen_tx *tx, const coin *c)
{
    gen_tx_add_in(tx, c->txid, c->vout, CW_SCRIPT_P2WPKH, c->key, c->key * 31 + 7);
}

/* A coin of `value` to a new (or the given) key, paid by the next coinbase. */
static void fund(coin *out, uint64_t value, uint64_t key)
{
    if (n_cb_outs >= sizeof cb_coins / sizeof cb_coins[0]) {
        fprintf(stderr, "fund: more than %zu coins in one block\n",
                sizeof cb_coins / sizeof cb_coins[0]);
        abort();
    }
    out->value = value;
    out->key = key ? key : new_key();
    out->vout = (uint32_t)n_cb_outs;
    add_out(&cb_tx, value, out->key);
    cb_dest[n_cb_outs] = out;
    cb_coins[n_cb_outs++] = *out;
}

static void block_begin(void)
{
    gen_tx_reset(&cb_tx);
    cb_tx.coinbase = true;
    cb_tx.cb_script_len = (uint8_t)gen_bip34(cb_tx.cb_script, height);
    n_cb_outs = 0;
    n_txs = 0;
    txdata.len = 0;
}

/* Appends tx to the current block; the coins of its outputs [0, n) go to outs (may be NULL). */
static void block_tx(gen_tx *tx, coin *outs)
{
    uint8_t txid[32], wtxid[32];
    REQUIRE(n_txs < 63);
    REQUIRE(gen_tx_serialize(&txdata, tx, txid, wtxid) == 0);
    memcpy(ids[1 + n_txs++], txid, 32);
    for (size_t i = 0; outs && i < tx->n_out; i++) {
        memcpy(outs[i].txid, txid, 32);
        outs[i].vout = (uint32_t)i;
        outs[i].value = tx->out[i].value;
    }
}

static void block_end(void)
{
    if (n_cb_outs == 0)
        add_out(&cb_tx, 5000000000ULL, new_key());
    cw_buf cb = {0};
    uint8_t cbid[32];
    REQUIRE(gen_tx_serialize(&cb, &cb_tx, cbid, NULL) == 0);
    for (size_t i = 0; i < n_cb_outs; i++) {
        memcpy(cb_dest[i]->txid, cbid, 32);
        cb_dest[i]->vout = (uint32_t)i;
    }
    memcpy(ids[0], cbid, 32);
    uint8_t level[66][32], root[32];
    memcpy(level, ids, (n_txs + 1) * 32);
    cw_merkle_root(root, level, n_txs + 1);
    uint8_t hdr[80], hash[32];
    gen_header(hdr, 0x20000000U, prev_hash, root, block_time += 600, 0x207fffffU, 0);
    gen_header_grind(hdr, hash);
    uint8_t cnt = (uint8_t)(n_txs + 1), rec[8];
    uint32_t size = (uint32_t)(80 + 1 + cb.len + txdata.len);
    cw_network_magic(rec, CW_NET_REGTEST);
    for (int i = 0; i < 4; i++)
        rec[4 + i] = (uint8_t)(size >> (8 * i));
    cw_buf_append(&blkfile, rec, 8);
    cw_buf_append(&blkfile, hdr, 80);
    cw_buf_append(&blkfile, &cnt, 1);
    cw_buf_append(&blkfile, cb.data, cb.len);
    if (txdata.len)
        cw_buf_append(&blkfile, txdata.data, txdata.len);
    memcpy(prev_hash, hash, 32);
    height++;
    cw_buf_deinit(&cb);
}

/* The txid of the last tx appended to the current block. */
static inline void last_txid(uint8_t out[32])
{
    memcpy(out, ids[n_txs], 32);
}

/* A tx spending coin c alone into one output of value to key, appended to the current block;
 * its txid to id. */
static inline void chain_pay_alone(gen_tx *tx, const coin *c, uint64_t value, uint64_t key,
                                   uint8_t id[32])
{
    gen_tx_reset(tx);
    add_in(tx, c);
    add_out(tx, value, key);
    block_tx(tx, NULL);
    last_txid(id);
}

/* Starts the chain: the genesis block, then height 1. */
static void chain_begin(void)
{
    gen_tx_init(&cb_tx);
    uint8_t gh[32];
    cw_buf g = {0};
    REQUIRE(gen_genesis(&g, true, gh) == 0);
    uint8_t rec[8];
    cw_network_magic(rec, CW_NET_REGTEST);
    for (int i = 0; i < 4; i++)
        rec[4 + i] = (uint8_t)(g.len >> (8 * i));
    cw_buf_append(&blkfile, rec, 8);
    cw_buf_append(&blkfile, g.data, g.len);
    cw_buf_deinit(&g);
    memcpy(prev_hash, gh, 32);
    height = 1;
}

/* Writes out_dir/blocks/blk00000.dat and frees the builder. */
static void chain_write(const char *out_dir)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/blocks", out_dir);
    REQUIRE(cw_mkdir_p(p) == 0);
    snprintf(p, sizeof p, "%s/blocks/blk00000.dat", out_dir);
    REQUIRE(cw_file_write_atomic(p, blkfile.data, blkfile.len) == 0);
    gen_tx_deinit(&cb_tx);
    cw_buf_deinit(&txdata);
    cw_buf_deinit(&blkfile);
}

/* Ingests wdir/blocks into sdir and opens it; false (with the error printed) on failure. */
static bool chain_ingest(const char *wdir, const char *sdir, cw_chainstore **out)
{
    cw_ingest_opts o;
    memset(&o, 0, sizeof o);
    char blocks[4300];
    snprintf(blocks, sizeof blocks, "%s/blocks", wdir);
    o.blocks_dir = blocks;
    o.store_dir = sdir;
    o.net = CW_NET_REGTEST;
    o.to_height = -1;
    o.threads = 1;
    cw_ingest_stats ist;
    if (cw_ingest_btc(&o, &ist) || cw_chainstore_open(out, sdir, false, CW_NET_REGTEST)) {
        fprintf(stderr, "ingest: %s\n", cw_error_last());
        return false;
    }
    return true;
}

/* A test's opening (CHAIN_SETUP): wdir = TMP/world and sdir = wdir/store, the world written by
 * the test `build` (run as a test: its checks count), then ingested into *out. 0 when ready,
 * else the exit code main returns (cw_test_done() after a failed build, 1 after a failed
 * ingest). */
static inline int chain_setup(const char *name, void (*build)(void), char *wdir, size_t wcap,
                              char *sdir, size_t scap, cw_chainstore **out)
{
    snprintf(wdir, wcap, "%s/world", cw_test_tmpdir());
    snprintf(sdir, scap, "%s/store", wdir);
    cw_test_run(name, build);
    if (cw_test_failures)
        return cw_test_done();
    return chain_ingest(wdir, sdir, out) ? 0 : 1;
}
#define CHAIN_SETUP(build, dir, store, cs)                                                         \
    chain_setup(#build, build, dir, sizeof dir, store, sizeof store, cs)

/* A labelmap with n labels: the address of output outs[i] as entity ents[i], category cats[i]
 * (wdir/NAME.csv, wdir/NAME.db); false (with the error printed) on failure. */
static inline bool chain_labels(const char *wdir, const char *name, const cw_chainstore *st,
                                const uint64_t *outs, const char *const *ents,
                                const char *const *cats, size_t n, cw_trace_labelmap **map)
{
    char a[CW_ADDR_STR_MAX], csv[4300], db[4300];
    snprintf(csv, sizeof csv, "%s/%s.csv", wdir, name);
    snprintf(db, sizeof db, "%s/%s.db", wdir, name);
    FILE *f = fopen(csv, "w");
    cw_labels *ldb = NULL;
    cw_label_import_stats ls;
    bool ok = f && fprintf(f, "address,entity,category\n") > 0;
    for (size_t i = 0; ok && i < n; i++) {
        const cw_addr_key *k = cw_chainstore_addr(st, cw_chainstore_out(st, outs[i])->addr);
        ok = cw_addr_encode(a, sizeof a, k, CW_NET_REGTEST) >= 0 &&
             fprintf(f, "%s,%s,%s\n", a, ents[i], cats[i]) > 0;
    }
    if (f && fclose(f))
        ok = false;
    if (!ok || cw_labels_open(&ldb, db, 0) ||
        cw_labels_import(ldb, CW_IMPORT_CSV, csv, NULL, &ls) ||
        cw_trace_labelmap_new(map, st, ldb)) {
        fprintf(stderr, "labels: %s\n", ok ? cw_error_last() : "cannot write the label file");
        cw_labels_close(ldb);
        return false;
    }
    cw_labels_close(ldb);
    return true;
}

/* A labelmap with one label: the address of output `out` (wdir/labels.csv, wdir/labels.db);
 * false (with the error printed) on failure. */
static inline bool chain_label(const char *wdir, const cw_chainstore *st, uint64_t out,
                               const char *entity, const char *category, cw_trace_labelmap **map)
{
    return chain_labels(wdir, "labels", st, &out, &entity, &category, 1, map);
}

/* ------------------------------------------------------------------ look-ups and shapes */

/* The tx number of txid in st (CW_NONE64 when absent). */
static inline uint64_t chain_tx(const cw_chainstore *st, const uint8_t txid[32])
{
    uint64_t t = CW_NONE64;
    if (cw_chainstore_find_tx(st, txid, &t))
        return CW_NONE64;
    return t;
}

/* The global output number of txid:vout in st (a failed check when txid is absent). */
static inline uint64_t chain_out(const cw_chainstore *st, const uint8_t txid[32], uint32_t vout)
{
    uint64_t t = chain_tx(st, txid);
    CHECK(t != CW_NONE64);
    return t == CW_NONE64 ? CW_NONE64 : cw_chainstore_tx_first_out(st, t) + vout;
}

/* The global output number of the coin that txid's first input spends in st (a trace's source:
 * the thief's coin that tx spends). */
static inline uint64_t chain_first_spent(const cw_chainstore *st, const uint8_t txid[32])
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(st, chain_tx(st, txid), &i0, &i1, &o0, &o1);
    const cw_row_in *r = cw_chainstore_in(st, i0);
    return cw_chainstore_tx_first_out(st, r->spent_tx) + r->spent_vout;
}

/* A 5 x 5 Whirlpool-shaped mix appended to the current block: ins, five outputs of `denom` to
 * keys; the coins go to outs. */
static inline void chain_mix5(gen_tx *tx, coin *const ins[5], const uint64_t keys[5],
                              uint64_t denom, coin outs[5])
{
    gen_tx_reset(tx);
    for (int i = 0; i < 5; i++)
        add_in(tx, ins[i]);
    for (int i = 0; i < 5; i++)
        add_out(tx, denom, keys[i]);
    block_tx(tx, outs);
    for (int i = 0; i < 5; i++)
        outs[i].key = keys[i];
}

/* The end of trace t at output out, or NULL. */
static inline const cw_trace_end *chain_end_at(const cw_trace *t, uint64_t out)
{
    for (size_t i = 0; i < cw_trace_n_ends(t); i++)
        if (cw_trace_end_at(t, i)->out == out)
            return cw_trace_end_at(t, i);
    return NULL;
}

/* The sum of trace t's ends (what conservation compares with the sources' value). */
static inline uint64_t chain_ended(const cw_trace *t)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < cw_trace_n_ends(t); i++)
        sum += cw_trace_end_at(t, i)->amount;
    return sum;
}

/* A forward trace (cw_trace__run with the rules `how`) from output src under labels map that
 * stops at exchange and exchange_deposit, probable floor `floor` (negative: the default); the
 * test ends (its failures counted) when it fails. Checks conservation: its ends sum to total. */
static inline cw_trace *chain_trace_to_exchange(const cw_chainstore *st,
                                                const cw_trace_labelmap *map, uint64_t src,
                                                unsigned how, double floor, long long total)
{
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.stop[0] = "exchange";
    o.stop[1] = "exchange_deposit";
    o.n_stop = 2;
    if (floor >= 0)
        o.probable_floor = floor;
    cw_trace *t = NULL;
    if (cw_trace__run(&t, st, map, &src, 1, &o, how) != 0) {
        CHECK(!"cw_trace__run failed");
        fprintf(stderr, "trace: %s\n", cw_error_last());
        exit(cw_test_done());
    }
    CHECK_EQ_INT(chain_ended(t), total); /* conservation */
    return t;
}

#endif
