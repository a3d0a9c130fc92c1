/*
 * ingest.c: blocks directory -> chain store.
 *
 * 1. Scan every blk file's framing and headers (cheap: 88 bytes a record).
 * 2. Build the block tree from prev links over the scanned records and the blocks already in
 *    the store; cumulative work from the bits (Core's GetBlockProof). The best tip has the most
 *    work; among equal work the block seen first is kept, as Core keeps its first-seen tip: the
 *    store's tip, then the record whose chain became complete first in file order (blk file
 *    number, then offset; a block written before its parent counts as seen when its last
 *    missing ancestor is read, as in Core's -reindex), then the earlier record itself.
 * 3. Roll the store back to the fork point when the best chain leaves it (a reorg), then decode
 *    and append the new blocks in height order, checking each merkle root, committing every
 *    `commit_txs` transactions. With threads > 1, worker threads read, decode and hash blocks
 *    ahead of the single writer, which applies them in order.
 * A store that is empty and a directory without the genesis block start mid-chain: the root
 * block's height comes from its BIP34 coinbase, and prevouts come from --prevouts when given.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "util/u64map.h"

/* Without --commit-txs, commit every COMMIT_SECONDS, or every COMMIT_RATIO times as long as
 * the last commit took when that is longer: a commit msyncs every dirty page of the store (the
 * spent marks and index inserts of a large store dirty pages all over it, and the next writes
 * to them fault again), so commits stay at most about a fifth of the run whatever the store's
 * size; a kill loses at most the work since the last one. */
#define COMMIT_SECONDS 10.0
#define COMMIT_RATIO 4.0
#define NODE_NONE UINT64_MAX

typedef struct node {
    uint8_t hash[32];
    uint8_t prev[32];
    uint64_t parent;   /* node index or NODE_NONE */
    uint64_t rec;      /* index into recs, or NODE_NONE for a stored-only block */
    int64_t store_row; /* row in blocks.col, or -1 */
    cw_work work;      /* cumulative */
    uint32_t bits;
    int64_t height;
    /* When the block and all its ancestors had been read: 0 for stored blocks, else 1 + the
     * largest record index (file order) on its path back to the store or the root. */
    uint64_t seen;
    int state; /* 0 unknown, 1 connected, 2 orphan, 3 visiting */
} node;

typedef struct tree {
    node *nodes;
    uint64_t n, cap;
    cw_u64map byhash; /* first 8 hash bytes -> node */
} tree;

static uint64_t h64(const uint8_t *h)
{
    uint64_t v;
    memcpy(&v, h, 8);
    return v;
}

static int64_t tree_find(const tree *t, const uint8_t *hash)
{
    uint64_t cur = 0, v;
    while (cw_u64map_next(&t->byhash, h64(hash), &cur, &v)) {
        if (!memcmp(t->nodes[v].hash, hash, 32))
            return (int64_t)v;
    }
    return -1;
}

static int tree_add(tree *t, const uint8_t *hash, const uint8_t *prev, uint64_t *idx)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        node *nn = realloc(t->nodes, t->cap * sizeof *nn);
        if (!nn)
            return cw_error_set(CW_ENOMEM, "out of memory for the block tree");
        t->nodes = nn;
    }
    node *nd = &t->nodes[t->n];
    memset(nd, 0, sizeof *nd);
    memcpy(nd->hash, hash, 32);
    memcpy(nd->prev, prev, 32);
    nd->parent = NODE_NONE;
    nd->rec = NODE_NONE;
    nd->store_row = -1;
    *idx = t->n++;
    return cw_u64map_put(&t->byhash, h64(hash), *idx);
}

static bool is_zero32(const uint8_t *h)
{
    for (int i = 0; i < 32; i++) {
        if (h[i])
            return false;
    }
    return true;
}

/* Reads and decodes a record's block; verifies the merkle root. */
static int load_block(cw_blkdir *d, const cw_blkrec *rec, cw_buf *buf, cw_block *b, bool witness)
{
    buf->len = 0;
    int rc = cw_buf_reserve(buf, rec->size);
    if (rc)
        return rc;
    if ((rc = cw_blkdir_read(d, rec, buf->data)))
        return rc;
    char what[320];
    snprintf(what, sizeof what, "%s: block at offset %llu", cw_blkdir_file_path(d, rec->file),
             (unsigned long long)rec->offset);
    if ((rc = cw_block_decode(b, buf->data, rec->size, what, rec->offset,
                              witness ? CW_HASH_ALL : CW_HASH_TXID)) ||
        (rc = cw_block_classify(b)) || (witness && (rc = cw_block_check_witness(b, what))))
        return rc;
    uint8_t root[32];
    if ((rc = cw_block_merkle(root, b)))
        return rc;
    if (memcmp(root, b->header.merkle, 32) != 0)
        return cw_error_set(CW_ECORRUPT, "%s: merkle root does not match the transactions", what);
    return 0;
}

/* ---- the decode pipeline --------------------------------------------------------------- */

typedef struct slot {
    cw_block block;
    cw_buf buf;
    int rc;
    char err[512];
    int ready; /* 0 empty/claimed, 1 done */
} slot;

typedef struct pipeline {
    cw_blkdir *dir;
    const cw_blkrec *recs;
    const uint64_t *order; /* rec indexes in apply order */
    uint64_t n;
    bool witness; /* verify BIP141 witness commitments */
    slot *slots;
    uint64_t n_slots;
    uint64_t next_claim;   /* next job to claim */
    uint64_t next_consume; /* job the writer holds or waits for */
    bool holding;          /* the writer holds slot next_consume */
    bool quit;
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    pthread_t *threads;
    int n_threads;
} pipeline;

static void *worker(void *arg)
{
    pipeline *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && !(p->next_claim < p->n && p->next_claim < p->next_consume + p->n_slots))
            pthread_cond_wait(&p->cv_work, &p->mu);
        if (p->quit)
            break;
        uint64_t job = p->next_claim++;
        slot *s = &p->slots[job % p->n_slots];
        pthread_mutex_unlock(&p->mu);
        s->rc = load_block(p->dir, &p->recs[p->order[job]], &s->buf, &s->block, p->witness);
        if (s->rc)
            snprintf(s->err, sizeof s->err, "%s", cw_error_last());
        pthread_mutex_lock(&p->mu);
        s->ready = 1;
        pthread_cond_broadcast(&p->cv_done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Returns the next decoded block in order (borrowed until the next call). */
static int pipeline_next(pipeline *p, cw_block **out)
{
    if (p->n_threads == 0) {
        /* single-threaded: decode inline */
        slot *s = &p->slots[0];
        int rc = load_block(p->dir, &p->recs[p->order[p->next_consume++]], &s->buf, &s->block,
                            p->witness);
        if (rc)
            return rc;
        *out = &s->block;
        return 0;
    }
    pthread_mutex_lock(&p->mu);
    if (p->holding) {
        /* release the slot the writer was using; only now may a worker refill it */
        p->slots[p->next_consume % p->n_slots].ready = 0;
        p->next_consume++;
        p->holding = false;
        pthread_cond_broadcast(&p->cv_work);
    }
    slot *s = &p->slots[p->next_consume % p->n_slots];
    while (!s->ready)
        pthread_cond_wait(&p->cv_done, &p->mu);
    p->holding = true;
    pthread_mutex_unlock(&p->mu);
    if (s->rc)
        return cw_error_set(s->rc, "%s", s->err);
    *out = &s->block;
    return 0;
}

static int pipeline_start(pipeline *p, int n_threads)
{
    p->n_slots = n_threads > 0 ? (uint64_t)n_threads * 4 : 1;
    p->slots = cw_calloc(p->n_slots, sizeof *p->slots);
    p->threads = cw_calloc((size_t)n_threads, sizeof *p->threads);
    if (!p->slots || !p->threads)
        return cw_error_set(CW_ENOMEM, "out of memory");
    if (n_threads == 0)
        return 0;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv_work, NULL);
    pthread_cond_init(&p->cv_done, NULL);
    for (int i = 0; i < n_threads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
            return cw_error_set(CW_ENOMEM, "cannot start decoder thread");
        p->n_threads++;
    }
    return 0;
}

static void pipeline_stop(pipeline *p)
{
    if (p->n_threads > 0) {
        pthread_mutex_lock(&p->mu);
        p->quit = true;
        pthread_cond_broadcast(&p->cv_work);
        pthread_mutex_unlock(&p->mu);
        for (int i = 0; i < p->n_threads; i++)
            pthread_join(p->threads[i], NULL);
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv_work);
        pthread_cond_destroy(&p->cv_done);
    }
    for (uint64_t i = 0; p->slots && i < p->n_slots; i++) {
        cw_block_deinit(&p->slots[i].block);
        cw_buf_deinit(&p->slots[i].buf);
    }
    cw_free(p->slots);
    cw_free(p->threads);
}

/* ---- main entry ---------------------------------------------------------------------- */

/* Connects node i: computes work and height from its ancestors (iteratively). */
static int connect(tree *t, uint64_t i, bool allow_root, cw_blkdir *dir, const cw_blkrec *recs,
                   uint64_t *stack, cw_buf *buf, cw_block *scratch)
{
    uint64_t sp = 0, cur = i;
    while (t->nodes[cur].state == 0) {
        t->nodes[cur].state = 3;
        stack[sp++] = cur;
        int64_t p = tree_find(t, t->nodes[cur].prev);
        if (p < 0)
            break;
        t->nodes[cur].parent = (uint64_t)p;
        cur = (uint64_t)p;
    }
    /* cur is either a resolved node (state 1/2) or the top of an unresolved chain (state 3). */
    while (sp > 0) {
        uint64_t k = stack[--sp];
        node *nd = &t->nodes[k];
        nd->seen = nd->rec == NODE_NONE ? 0 : nd->rec + 1;
        cw_work w;
        if (cw_work_from_bits(&w, nd->bits) != 0) {
            nd->state = 2;
            continue;
        }
        if (nd->parent == NODE_NONE) {
            if (is_zero32(nd->prev)) {
                nd->height = 0;
                nd->work = w;
                nd->state = 1;
            } else if (allow_root && nd->rec != NODE_NONE) {
                /* a store starting mid-chain: height from BIP34 */
                int rc = load_block(dir, &recs[nd->rec], buf, scratch, false);
                if (rc)
                    return rc;
                int64_t h =
                    scratch->n_tx && scratch->txs[0].n_in
                        ? cw_coinbase_height(scratch->ins[0].script, scratch->ins[0].script_len)
                        : -1;
                nd->height = h < 0 ? 0 : h;
                nd->work = w;
                nd->state = 1;
            } else {
                nd->state = 2;
            }
            continue;
        }
        node *par = &t->nodes[nd->parent];
        if (par->state != 1) {
            nd->state = 2;
            continue;
        }
        nd->height = par->height + 1;
        if (par->seen > nd->seen)
            nd->seen = par->seen;
        nd->work = par->work;
        cw_work_add(&nd->work, w);
        nd->state = 1;
    }
    return 0;
}

static volatile int no_stop;

/* After a failed run: says that the store is at its last commit (closing drops what was
 * applied after it), which is a valid store that `check` passes and a rerun resumes. */
static void where_store_stands(int rc, const cw_chainstore *cs, const char *store_dir)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", cw_error_last());
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    if (c.blocks == 0)
        cw_error_set(rc, "%s; nothing was committed: %s is an empty store", msg, store_dir);
    else
        cw_error_set(rc, "%s; %s stays at its last commit, tip height %llu (%llu blocks)", msg,
                     store_dir, (unsigned long long)cw_chainstore_base_height(cs) + c.blocks - 1,
                     (unsigned long long)c.blocks);
}

bool cw_ingest_btc_generated(const char *blocks_dir)
{
    /* `chainwatch gen --out DIR` writes DIR/blocks and DIR/truth/world.json */
    char p[PATH_MAX];
    size_t n = strlen(blocks_dir);
    while (n > 1 && blocks_dir[n - 1] == '/')
        n--;
    size_t cut = n;
    while (cut > 0 && blocks_dir[cut - 1] != '/')
        cut--;
    int len = cut == 0 ? snprintf(p, sizeof p, "truth/world.json")
                       : snprintf(p, sizeof p, "%.*struth/world.json", (int)cut, blocks_dir);
    struct stat st;
    return len > 0 && (size_t)len < sizeof p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int cw_ingest_btc(const cw_ingest_opts *o, cw_ingest_stats *st)
{
    int rc;
    double t0 = cw_now();
    cw_blkdir *dir = NULL;
    cw_blkrec *recs = NULL;
    size_t n_recs = 0;
    cw_chainstore *cs = NULL;
    cw_utxofile *utxos = NULL;
    tree t = {0};
    uint64_t *stack = NULL, *path = NULL;
    cw_buf buf = {0};
    cw_block scratch = {0};
    pipeline pl = {0};
    cw_progress *prog = NULL;
    volatile int *stop = o->stop ? o->stop : &no_stop;
    memset(st, 0, sizeof *st);
    st->tip_height = -1;

    cw_network net = o->net;
    if ((rc = cw_blkdir_open(&dir, o->blocks_dir, net)))
        goto out;
    if (o->net_from_files && (rc = cw_blkdir_detect_network(dir, &net))) {
        if (rc != CW_ENOTFOUND) /* no record: nothing to ingest; the store opens as net */
            goto out;
        cw_error_clear();
    }
    st->net = net;
    if ((rc = cw_blkdir_scan(dir, &recs, &n_recs)))
        goto out;
    st->records = n_recs;
    if ((rc = cw_chainstore_open(&cs, o->store_dir, true, net)))
        goto out;
    if ((o->synthetic || cw_ingest_btc_generated(o->blocks_dir)) &&
        (rc = cw_chainstore_mark_synthetic(cs)))
        goto out;
    st->synthetic = cw_chainstore_synthetic(cs);
    if (o->prevouts) {
        if ((rc = cw_utxofile_load(&utxos, o->prevouts)))
            goto out;
        cw_chainstore_set_prevouts(cs, cw_utxofile_lookup, utxos);
    }
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    uint32_t base = cw_chainstore_base_height(cs);
    /* stored blocks first, connected by construction */
    for (uint64_t r = 0; r < c.blocks; r++) {
        const cw_row_block *b = cw_chainstore_block(cs, r);
        uint64_t idx;
        if ((rc = tree_add(&t, b->hash, b->prev, &idx)))
            goto out;
        node *nd = &t.nodes[idx];
        nd->store_row = (int64_t)r;
        nd->work.hi = b->work_hi;
        nd->work.lo = b->work_lo;
        nd->bits = b->bits;
        nd->height = (int64_t)base + (int64_t)r;
        nd->state = 1;
        if (r > 0)
            nd->parent = idx - 1;
    }
    bool have_genesis = false;
    for (size_t i = 0; i < n_recs; i++) {
        if (tree_find(&t, recs[i].hash) >= 0)
            continue; /* already stored, or a duplicate record */
        uint64_t idx;
        if ((rc = tree_add(&t, recs[i].hash, recs[i].prev, &idx)))
            goto out;
        t.nodes[idx].rec = i;
        t.nodes[idx].bits = recs[i].bits;
        if (is_zero32(recs[i].prev))
            have_genesis = true;
    }
    bool allow_root = c.blocks == 0 && !have_genesis;
    stack = cw_malloc((t.n + 1) * sizeof *stack);
    if (!stack) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    for (uint64_t i = 0; i < t.n; i++) {
        if (t.nodes[i].state == 0 &&
            (rc = connect(&t, i, allow_root, dir, recs, stack, &buf, &scratch)))
            goto out;
    }
    /* best tip */
    int64_t best = c.blocks ? (int64_t)(c.blocks - 1) : -1;
    for (uint64_t i = 0; i < t.n; i++) {
        node *nd = &t.nodes[i];
        if (nd->state != 1) {
            if (nd->rec != NODE_NONE)
                st->orphans++;
            continue;
        }
        if (o->to_height >= 0 && nd->height > o->to_height && nd->store_row < 0)
            continue; /* --to never rolls a store back */
        if (best < 0) {
            best = (int64_t)i;
            continue;
        }
        const node *bn = &t.nodes[best];
        int cmp = cw_work_cmp(nd->work, bn->work);
        if (cmp > 0 ||
            (cmp == 0 && (nd->seen < bn->seen || (nd->seen == bn->seen && nd->rec < bn->rec))))
            best = (int64_t)i;
    }
    if (best < 0)
        goto done;
    /* path from the fork point to the best tip */
    uint64_t n_path = 0;
    path = cw_malloc((t.n + 1) * sizeof *path);
    if (!path) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    uint64_t cur = (uint64_t)best;
    while (cur != NODE_NONE && t.nodes[cur].store_row < 0) {
        path[n_path++] = cur;
        cur = t.nodes[cur].parent;
    }
    uint64_t keep = cur == NODE_NONE ? 0 : (uint64_t)t.nodes[cur].store_row + 1;
    uint64_t connected = 0;
    for (uint64_t i = 0; i < t.n; i++)
        connected += t.nodes[i].state == 1 && t.nodes[i].rec != NODE_NONE;
    st->stale = connected - n_path;
    if (keep < c.blocks) {
        st->rolled_back = c.blocks - keep;
        if ((rc = cw_chainstore_rollback(cs, keep)))
            goto out;
    }
    /* reverse into apply order, as record indexes */
    for (uint64_t i = 0; i < n_path / 2; i++) {
        uint64_t x = path[i];
        path[i] = path[n_path - 1 - i];
        path[n_path - 1 - i] = x;
    }
    uint64_t *order = stack; /* reuse */
    for (uint64_t i = 0; i < n_path; i++)
        order[i] = t.nodes[path[i]].rec;
    pl.dir = dir;
    pl.recs = recs;
    pl.order = order;
    pl.n = n_path;
    pl.witness = o->verify_witness;
    if ((rc = pipeline_start(&pl, o->threads > 1 ? o->threads : 0)))
        goto out;
    prog = o->progress ? cw_progress_new("ingest", n_path, "blocks") : NULL;
    uint64_t since = 0;
    double last_commit = cw_now(), commit_every = COMMIT_SECONDS;
    for (uint64_t i = 0; i < n_path; i++) {
        cw_block *b = NULL;
        if ((rc = pipeline_next(&pl, &b)))
            goto out;
        node *nd = &t.nodes[path[i]];
        if ((rc = cw_chainstore_apply_block(cs, b, (uint32_t)nd->height, nd->work))) {
            const cw_blkrec *rec = &recs[order[i]];
            cw_error_wrap(rc, "%s: block at offset %llu: ", cw_blkdir_file_path(dir, rec->file),
                          (unsigned long long)rec->offset);
            goto out;
        }
        st->blocks_added++;
        st->txs_added += b->n_tx;
        st->ins_added += b->n_ins;
        st->outs_added += b->n_outs;
        st->bytes_read += b->size;
        since += b->n_tx;
        bool due = o->commit_txs ? since >= o->commit_txs : cw_now() - last_commit >= commit_every;
        if (due || *stop) {
            double c0 = cw_now();
            if ((rc = cw_chainstore_commit(cs)))
                goto out;
            since = 0;
            last_commit = cw_now();
            if (COMMIT_RATIO * (last_commit - c0) > commit_every)
                commit_every = COMMIT_RATIO * (last_commit - c0);
            if (*stop) {
                rc = cw_error_set(CW_EINTR,
                                  "interrupted after %llu blocks; committed, run again "
                                  "to continue",
                                  (unsigned long long)st->blocks_added);
                goto out;
            }
        }
        cw_progress_update(prog, i + 1, st->txs_added, st->bytes_read);
    }
    if ((rc = cw_chainstore_commit(cs)))
        goto out;
done:
    c = cw_chainstore_counts_get(cs);
    st->tip_height = c.blocks ? (int64_t)cw_chainstore_base_height(cs) + (int64_t)c.blocks - 1 : -1;
    rc = 0;
out:
    cw_progress_free(prog);
    pipeline_stop(&pl);
    if (rc && rc != CW_EINTR && cs)
        where_store_stands(rc, cs, o->store_dir);
    if (cs) {
        int crc = cw_chainstore_close(cs);
        if (!rc)
            rc = crc;
    }
    cw_utxofile_free(utxos);
    cw_block_deinit(&scratch);
    cw_buf_deinit(&buf);
    cw_free(stack);
    cw_free(path);
    free(t.nodes);
    cw_u64map_deinit(&t.byhash);
    free(recs);
    cw_blkdir_close(dir);
    st->seconds = cw_now() - t0;
    return rc;
}
