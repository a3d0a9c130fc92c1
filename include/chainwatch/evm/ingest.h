/*
 * evm/ingest.h: `chainwatch ingest evm --csv DIR`: ethereum-etl exports into an EVM store.
 *
 * Decoder (evm/csv.h), then writer (evm/store.h). Blocks already in the store are checked
 * against it (same hash) and skipped, so a rerun after an interruption (even kill -9) resumes;
 * the first new block must follow the store's tip (a gap is refused). Commits every
 * `commit_blocks` blocks, or at least 10 s (and 4x the last commit's duration) apart. On any
 * error the store is left at its last commit and the error names the file and line.
 *
 * A generated world is marked in the store (cw_evmstore_mark_synthetic, before its first block
 * is appended) so that everything reading the store says so: a folder with a generator's ground
 * truth beside the exports (`DIR/truth/world.json`, as `chainwatch gen evm` and the independent
 * generators under tests/diff write it) is one, and so is any folder ingested with `synthetic`
 * (another generator's world). Real exports have no truth folder and are never marked.
 */
#ifndef CHAINWATCH_EVM_INGEST_H
#define CHAINWATCH_EVM_INGEST_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cw_evm_ingest_opts {
    const char *csv_dir;
    const char *store_dir;
    const char *chain;      /* "ethereum" (default) ... */
    uint64_t commit_blocks; /* 0 = by time */
    int64_t rollback_to;    /* first drop the blocks above this number (a reorg); -2 = none */
    bool progress;          /* a progress line when stderr is a terminal */
    bool synthetic;         /* the exports are a generated world even without DIR/truth */
    volatile int *stop;     /* set (from a signal handler) to stop after the next commit */
} cw_evm_ingest_opts;

typedef struct cw_evm_ingest_stats {
    uint64_t blocks_added, txs_added, moves_added, accounts_added, blocks_skipped;
    uint64_t bytes_read;
    int64_t tip;
    double seconds;
    bool synthetic; /* the store holds a generated world (marked now or before) */
} cw_evm_ingest_stats;

int cw_evm_ingest_csv(const cw_evm_ingest_opts *o, cw_evm_ingest_stats *st);

/* True when csv_dir holds a generator's ground truth (csv_dir/truth/world.json). */
bool cw_evm_ingest_generated(const char *csv_dir);

#endif
