/*
 * sink.h (internal to src/chain/gen): the generator's output stage. The simulation appends
 * address records (one per new address) and finished blocks to a batch; gen_sink_flush() hands
 * the batch over. The sink formats each address's ground-truth line (address string, script
 * type, entity, name, category, customer) into addresses.csv and writes the blocks through
 * the blk writer, either on a worker thread (threads >= 2: the simulation fills the next
 * batch meanwhile) or inline. Batches are processed strictly in order, so the bytes written do
 * not depend on the thread count.
 */
#ifndef CW_GEN_SINK_H
#define CW_GEN_SINK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "chain/gen/addrfmt.h"
#include "chain/gen/blkfile.h"
#include "chainwatch/util.h"

typedef struct gen_addr_rec {
    uint32_t id;
    uint32_t ent;
    uint32_t customer; /* UINT32_MAX: none */
    uint8_t type;
    uint8_t cat;
} gen_addr_rec;

typedef struct gen_batch {
    gen_addr_rec *addrs;
    uint32_t n_addrs, cap_addrs;
    cw_buf blocks; /* framed block records' payloads, back to back */
    uint32_t *blk_len;
    uint32_t n_blk, cap_blk;
} gen_batch;

typedef struct gen_sink {
    /* fixed before gen_sink_start; read by the worker */
    gen_addrfmt afmt;
    uint64_t salt;
    const char *names;         /* entity i's name: names + name_off[i] .. name_off[i+1] - 1 */
    const uint32_t *name_off;
    const char *truth_dir;
    gen_blkw *bw;
    int fd_addr;
    /* the worker's */
    cw_buf text;
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
    uint64_t bytes_queued; /* blk bytes handed over, framing included (progress) */
} gen_sink;

/* Opens truth_dir/addresses.csv (header written). Call once; gen_sink_close always after. */
int gen_sink_open(gen_sink *s, const char *truth_dir, cw_network net, uint64_t salt);
/* Starts processing: blocks go to bw; threads >= 2 starts the worker. */
int gen_sink_start(gen_sink *s, gen_blkw *bw, const char *names, const uint32_t *name_off,
                   unsigned threads);
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
/* Queues one block (copied). */
int gen_sink_block(gen_sink *s, const uint8_t *data, size_t n);
/* Hands the current batch over (waits for the previous one first); returns the first error
 * the sink has met. */
int gen_sink_flush(gen_sink *s);
/* Flushes, stops the worker, writes and closes addresses.csv; returns the first error.
 * Safe to call more than once and after a failed open. */
int gen_sink_close(gen_sink *s);

#endif
