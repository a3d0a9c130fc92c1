/*
 * sink.h (internal to src/chain/gen): the generator's output stage. The simulation appends
 * address records (one per new address), serialized transactions with their txids, and one
 * block job (coinbase, time, out-of-order and stale-fork decisions, all drawn by the
 * simulation) to a batch; gen_sink_flush() hands the batch over. The sink then formats each
 * address's ground-truth line into addresses.csv, computes the wtxids, the witness commitment,
 * the coinbase, both merkle roots and the header, and writes the block (and a stale sibling)
 * through the blk writer, either on a worker thread (threads >= 2: the simulation fills the
 * next batch meanwhile) or inline. Batches are processed strictly in order, so the bytes
 * written do not depend on the thread count.
 *
 * The simulation never needs a block's hash or its coinbase txid right away: coinbase coins
 * mature after 100 blocks, and gen_sink_cb_txid() gives their txid by then.
 */
#ifndef CW_GEN_SINK_H
#define CW_GEN_SINK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "chainwatch/util.h"
#include "gen/btc/addrfmt.h"
#include "gen/btc/blkfile.h"
#include "gen/btc/tx.h"

typedef struct gen_addr_rec {
    uint32_t id;
    uint32_t ent;
    uint32_t customer; /* UINT32_MAX: none */
    uint8_t type;
    uint8_t cat;
} gen_addr_rec;

/* A coinbase less its witness commitment: BIP34 script, one payout output. */
typedef struct gen_cb_spec {
    uint8_t script[GEN_SCRIPTSIG_MAX];
    uint8_t script_len;
    uint8_t spk_len;
    uint8_t spk[GEN_SPK_MAX];
    uint64_t value;
} gen_cb_spec;

typedef struct gen_block_job {
    uint32_t height, time;
    bool witness;     /* some transaction has a witness: add the BIP141 commitment */
    bool hold;        /* hold this block back and write it after the next one */
    bool stale;       /* also write a stale sibling */
    bool stale_start; /* the sibling starts a new branch off this block's parent */
    uint32_t stale_height, stale_time;
    gen_cb_spec cb, stale_cb;
} gen_block_job;

typedef struct gen_batch {
    gen_addr_rec *addrs;
    uint32_t n_addrs, cap_addrs;
    cw_buf raw; /* one finished block to write first (the genesis), or empty */
    /* the block's non-coinbase transactions */
    cw_buf txdata;
    uint32_t *tx_len;
    uint8_t (*txids)[32];
    uint8_t *tx_wit;
    uint32_t n_tx, cap_tx;
    bool has_job;
    gen_block_job job;
} gen_batch;

typedef struct gen_sink {
    /* fixed before gen_sink_start; read by the worker */
    gen_addrfmt afmt;
    uint64_t salt;
    const char *names; /* entity i's name: names + name_off[i] .. name_off[i+1] - 1; the
                          arena is followed by 32 readable bytes */
    const uint32_t *name_off;
    uint32_t first_user;
    const char *truth_dir;
    gen_blkw *bw;
    /* script type and category names, zero-padded to 32 bytes (length 0: not padded) */
    char tpad[CW_SCRIPT_TYPE_COUNT][32];
    uint8_t tlen[CW_SCRIPT_TYPE_COUNT];
    char cpad[8][32];
    uint8_t clen[8];
    int fd_addr;
    bool is_open; /* gen_sink_open ran (fd_addr is meaningful) */
    /* the worker's */
    cw_buf text;
    uint8_t prev_hash[32];  /* best tip; set to the genesis hash before the first flush */
    uint8_t (*cb_txid)[32]; /* coinbase txid by height */
    uint32_t max_height;
    bool has_held;
    cw_buf held;
    uint8_t stale_tip[32];
    cw_buf stale_json;
    uint32_t stale_written;
    gen_tx cb;
    cw_buf cbbuf;
    uint8_t (*ids)[32];
    uint32_t cap_ids;
    /* handoff */
    gen_batch batch[2];
    int fill; /* the batch the simulation appends to */
    int job;  /* the batch being processed when pending */
    bool threaded, running, pending, quit;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int err;
    char msg[512];
    uint64_t bytes_queued; /* transaction bytes handed over (progress) */
} gen_sink;

/* Opens truth_dir/addresses.csv (header written). Call once; gen_sink_close always after. */
int gen_sink_open(gen_sink *s, const char *truth_dir, cw_network net, uint64_t salt);
/* Starts processing: blocks go to bw; entities from first_user on are users, named
 * "user-%06u" by their index (as gen_entity_name does); max_height bounds the block heights;
 * threads >= 2 starts the worker. */
int gen_sink_start(gen_sink *s, gen_blkw *bw, const char *names, const uint32_t *name_off,
                   uint32_t first_user, uint32_t max_height, unsigned threads);
/* The batch being filled (its txdata, tx arrays and job). */
static inline gen_batch *gen_sink_batch(gen_sink *s)
{
    return &s->batch[s->fill];
}
/* Room for one more transaction in the current batch; returns 0 or CW_ENOMEM. */
int gen_sink_tx_reserve(gen_sink *s);
/* The txid of the coinbase at height h, once its block has been processed (h + 2 <= the
 * height being filled). */
static inline const uint8_t *gen_sink_cb_txid(const gen_sink *s, uint32_t h)
{
    return s->cb_txid[h];
}
static inline gen_addr_rec *gen_sink_addr(gen_sink *s)
{
    gen_batch *b = &s->batch[s->fill];
    if (b->n_addrs == b->cap_addrs) {
        uint32_t cap = b->cap_addrs ? b->cap_addrs * 2 : 4096;
        gen_addr_rec *n = cw_realloc(b->addrs, (size_t)cap * sizeof *n);
        if (!n)
            return NULL;
        b->addrs = n;
        b->cap_addrs = cap;
    }
    return &b->addrs[b->n_addrs++];
}
/* Queues one finished block (copied; the genesis) to be written before the batch's job. */
int gen_sink_block(gen_sink *s, const uint8_t *data, size_t n);
/* Hands the current batch over (waits for the previous one first); returns the first error
 * the sink has met. */
int gen_sink_flush(gen_sink *s);
/* Flushes, stops the worker, writes a block still held back, writes and closes
 * addresses.csv; returns the first error. Afterwards prev_hash is the tip and stale_json the
 * stale blocks' JSON objects. Safe to call more than once and after a failed open. */
int gen_sink_close(gen_sink *s);

/* gen_sink_close, then frees the coinbase txids and the stale JSON. */
void gen_sink_free(gen_sink *s);

#endif
