/*
 * btc/ingest.h: `chainwatch ingest btc`: reads a Bitcoin Core blocks directory, picks the best
 * chain by cumulative work (stale and orphan blocks skipped, reorgs at the tip rolled back),
 * decodes every block and appends it to the chain store, committing every few hundred thousand txs.
 * A signal (SIGINT, SIGTERM) stops it after the next commit with CW_EINTR.
 */
#ifndef CHAINWATCH_BTC_INGEST_H
#define CHAINWATCH_BTC_INGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "chainwatch/btc/address.h"

typedef struct cw_ingest_opts {
    const char *blocks_dir;
    const char *store_dir;
    cw_network net;       /* the network, unless net_from_files */
    bool net_from_files;  /* take the network from the first record's magic (an existing store
                           * must hold the same one); with no record at all, net */
    int64_t to_height;    /* stop at this height; -1 for the tip */
    int threads;          /* decoding/hashing threads (>= 1) */
    const char *prevouts; /* optional btcd .utxostore file of prevouts */
    uint64_t commit_txs;  /* commit after this many txs (0: every 10 seconds) */
    bool progress;        /* show a progress line when stderr is a terminal */
    bool verify_witness;  /* compute wtxids and check each block's BIP141 commitment */
    bool synthetic;       /* the blocks are a generated world even without truth beside them */
    volatile int *stop;   /* set non-zero (from a signal handler) to stop after a commit */
} cw_ingest_opts;

typedef struct cw_ingest_stats {
    uint64_t records;      /* block records found in the files */
    uint64_t orphans;      /* records not connected to the chain */
    uint64_t stale;        /* connected records not on the best chain */
    uint64_t rolled_back;  /* blocks removed by a reorg */
    uint64_t blocks_added; /* blocks appended */
    uint64_t txs_added;
    uint64_t ins_added, outs_added;
    uint64_t bytes_read; /* block bytes decoded */
    int64_t tip_height;  /* height of the store's tip afterwards, -1 when empty */
    cw_network net;      /* the network ingested (as given, or as the files say) */
    bool synthetic;      /* the store holds a generated world (marked now or before) */
    double seconds;
} cw_ingest_stats;

/* A generated world is marked in the store (cw_chainstore_mark_synthetic, before its first block
 * is appended) when opts->synthetic is set or the blocks come from `chainwatch gen`: its ground
 * truth lies beside them (the blocks folder's parent holds truth/world.json,
 * cw_ingest_btc_generated). Real blocks are never marked. */
bool cw_ingest_btc_generated(const char *blocks_dir);
int cw_ingest_btc(const cw_ingest_opts *opts, cw_ingest_stats *stats);

/* A btcd .utxostore file (txid | vout | len | compressed entry, see PROVENANCE of the fixture). */
typedef struct cw_utxofile cw_utxofile;
int cw_utxofile_load(cw_utxofile **out, const char *path);
void cw_utxofile_free(cw_utxofile *u);
size_t cw_utxofile_count(const cw_utxofile *u);
bool cw_utxofile_lookup(void *ctx, const uint8_t txid[32], uint32_t vout, uint64_t *value,
                        const uint8_t **script, size_t *script_len);

#endif
