/*
 * sink.c: the generator's output stage (see sink.h): address ground-truth lines formatted by
 * hand into a large buffer and written with write(2); block assembly (wtxids, witness
 * commitment, coinbase, merkle roots, header, out-of-order holding, stale siblings) and the
 * blk writer; on a worker thread or inline. Invariant: batches are processed in the order
 * they were flushed and each batch's records in the order they were appended, whatever the
 * thread count, and the worker's block state (tip, held block, stale tip) mirrors the
 * decisions the simulation drew.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/btc/block.h"
#include "chainwatch/errors.h"
#include "gen/btc/sink.h"
#include "gen/btc/world.h"

#define SINK_TEXT_FLUSH (4u << 20)
#define GEN_BITS 0x207fffffU

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int text_flush(gen_sink *s)
{
    if (s->text.len == 0)
        return 0;
    int rc = 0;
    if (write_all(s->fd_addr, s->text.data, s->text.len) != 0)
        rc = cw_error_set(CW_EIO, "%s/addresses.csv: write: %s", s->truth_dir, strerror(errno));
    s->text.len = 0;
    return rc;
}

int gen_sink_open(gen_sink *s, const char *truth_dir, cw_network net, uint64_t salt)
{
    memset(s, 0, sizeof *s);
    s->fd_addr = -1;
    s->truth_dir = truth_dir;
    s->salt = salt;
    gen_addrfmt_init(&s->afmt, net);
    cw_buf p = {0};
    if (cw_buf_printf(&p, "%s/addresses.csv", truth_dir) != 0)
        return CW_ENOMEM;
    s->is_open = true;
    s->fd_addr = open((const char *)p.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    int rc = 0;
    if (s->fd_addr < 0)
        rc = cw_error_set(CW_EIO, "%s: %s", (const char *)p.data, strerror(errno));
    cw_buf_deinit(&p);
    if (rc != 0)
        return rc;
    for (int t = 0; t < CW_SCRIPT_TYPE_COUNT; t++) {
        const char *nm = cw_script_type_name((cw_script_type)t);
        size_t l = strlen(nm);
        if (l < 32) {
            memcpy(s->tpad[t], nm, l);
            s->tlen[t] = (uint8_t)l;
        }
    }
    for (int c = 0; c < 8; c++) {
        const char *nm = gen_cat_name(c);
        size_t l = strlen(nm);
        if (l < 32) {
            memcpy(s->cpad[c], nm, l);
            s->clen[c] = (uint8_t)l;
        }
    }
    static const char hdr[] = "address,script_type,entity_id,entity_name,category,customer_id\n";
    if ((rc = cw_buf_reserve(&s->text, SINK_TEXT_FLUSH + 4096)) != 0)
        return rc;
    return cw_buf_append(&s->text, hdr, sizeof hdr - 1);
}

static char *put_u32dec(char *p, uint32_t v)
{
    char tmp[10];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

static char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n); /* NOLINT(bugprone-not-null-terminated-result): a line, not a C string */
    return p + n;
}

static int format_addrs(gen_sink *s, const gen_batch *b)
{
    /* the longest line: 96 (address) + 8 + 10 + name + 22 + 10 + separators */
    for (uint32_t i = 0; i < b->n_addrs; i++) {
        const gen_addr_rec *r = &b->addrs[i];
        size_t name_len = 0;
        const char *name = NULL;
        bool is_user = r->ent >= s->first_user && r->ent - s->first_user < 1000000;
        if (!is_user) {
            name = s->names + s->name_off[r->ent];
            name_len = s->name_off[r->ent + 1] - s->name_off[r->ent] - 1;
        }
        if (cw_buf_reserve(&s->text, 300 + name_len) != 0)
            return cw_error_set(CW_ENOMEM, "addresses.csv buffer");
        char *start = (char *)s->text.data + s->text.len, *p = start;
        int n = gen_addrfmt_encode(&s->afmt, p, r->type, (s->salt << 40) + r->id);
        if (n < 0)
            return n;
        p += n;
        *p++ = ',';
        /* fixed-size copies from padded tables (the buffer has the slack reserved) */
        if (r->type < CW_SCRIPT_TYPE_COUNT && s->tlen[r->type]) {
            memcpy(p, s->tpad[r->type], 32);
            p += s->tlen[r->type];
        } else {
            p = put_str(p, cw_script_type_name((cw_script_type)r->type));
        }
        *p++ = ',';
        p = put_u32dec(p, r->ent);
        *p++ = ',';
        if (is_user) {
            /* users (most addresses): "user-%06u" without touching the names arena */
            uint32_t x = r->ent - s->first_user;
            memcpy(p, "user-", 5); /* NOLINT(bugprone-not-null-terminated-result): as above */
            for (int k = 10; k >= 5; k--) {
                p[k] = (char)('0' + x % 10);
                x /= 10;
            }
            p += 11;
        } else if (name_len <= 32) {
            memcpy(p, name, 32); /* the names arena ends with 32 bytes of padding */
            p += name_len;
        } else {
            memcpy(p, name, name_len);
            p += name_len;
        }
        *p++ = ',';
        if (r->cat < 8 && s->clen[r->cat]) {
            memcpy(p, s->cpad[r->cat], 32);
            p += s->clen[r->cat];
        } else {
            p = put_str(p, gen_cat_name(r->cat));
        }
        *p++ = ',';
        if (r->customer != UINT32_MAX)
            p = put_u32dec(p, r->customer);
        *p++ = '\n';
        s->text.len += (size_t)(p - start);
        if (s->text.len >= SINK_TEXT_FLUSH) {
            int rc = text_flush(s);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

/* Writes a block given in pieces, holding it back or releasing a held one as decided. */
static int put_block(gen_sink *s, const void *const *pc, const size_t *pl, size_t np, bool may_hold,
                     bool hold)
{
    int rc;
    if (s->has_held) {
        rc = gen_blkw_put_pieces(s->bw, pc, pl, np);
        if (rc == 0)
            rc = gen_blkw_put(s->bw, s->held.data, s->held.len);
        s->has_held = false;
        return rc;
    }
    if (may_hold && hold) {
        s->held.len = 0;
        for (size_t i = 0; i < np; i++)
            if (cw_buf_append(&s->held, pc[i], pl[i]) != 0)
                return cw_error_set(CW_ENOMEM, "held block");
        s->has_held = true;
        return 0;
    }
    return gen_blkw_put_pieces(s->bw, pc, pl, np);
}

/* Serializes a coinbase from its spec (with the witness commitment of wroot when given) into
 * s->cbbuf; txid gets its txid. */
static int build_coinbase(gen_sink *s, const gen_cb_spec *cb, const uint8_t *wroot,
                          uint8_t txid[32])
{
    gen_tx *tx = &s->cb;
    gen_tx_reset(tx);
    tx->coinbase = true;
    memcpy(tx->cb_script, cb->script, cb->script_len);
    tx->cb_script_len = cb->script_len;
    if (!gen_tx_add_out(tx, cb->value, cb->spk, cb->spk_len))
        return cw_error_set(CW_ENOMEM, "coinbase");
    if (wroot) {
        uint8_t spk[38] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
        uint8_t buf[64];
        memcpy(buf, wroot, 32);
        memset(buf + 32, 0, 32);
        cw_sha256d64(spk + 6, buf);
        if (!gen_tx_add_out(tx, 0, spk, sizeof spk))
            return cw_error_set(CW_ENOMEM, "coinbase");
        tx->cb_witness = true;
    }
    s->cbbuf.len = 0;
    return gen_tx_serialize(&s->cbbuf, tx, txid, NULL);
}

static int do_job(gen_sink *s, gen_batch *b)
{
    const gen_block_job *j = &b->job;
    uint32_t n = b->n_tx;
    if (j->height > s->max_height || (j->stale && j->stale_height > s->max_height))
        return cw_error_set(CW_EINVAL, "gen: block height %u beyond the plan", j->height);
    if (n + 1 > s->cap_ids) {
        uint8_t(*ids)[32] = cw_realloc(s->ids, ((size_t)n + 64) * 32);
        if (!ids)
            return cw_error_set(CW_ENOMEM, "block of %u transactions", n);
        s->ids = ids;
        s->cap_ids = n + 64;
    }
    uint8_t wroot[32] = {0};
    int rc;
    if (j->witness) {
        /* the witness root uses wtxids with the coinbase's as zero */
        memset(s->ids[0], 0, 32);
        size_t off = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (b->tx_wit[i])
                cw_sha256d(s->ids[i + 1], b->txdata.data + off, b->tx_len[i]);
            else
                memcpy(s->ids[i + 1], b->txids[i], 32);
            off += b->tx_len[i];
        }
        cw_merkle_root(wroot, s->ids, (size_t)n + 1); /* ids has room for n + 2 */
    }
    uint8_t *cbtxid = s->cb_txid[j->height];
    if ((rc = build_coinbase(s, &j->cb, j->witness ? wroot : NULL, cbtxid)) != 0)
        return rc;
    memcpy(s->ids[0], cbtxid, 32);
    if (n)
        memcpy(s->ids[1], b->txids, (size_t)n * 32);
    uint8_t mroot[32];
    cw_merkle_root(mroot, s->ids, (size_t)n + 1);
    uint8_t hdr[80], hash[32];
    gen_header(hdr, 0x20000000U, s->prev_hash, mroot, j->time, GEN_BITS, 0);
    gen_header_grind(hdr, hash);
    uint8_t cnt[9];
    size_t ntx = (size_t)n + 1, cl;
    if (ntx < 0xfd) {
        cnt[0] = (uint8_t)ntx;
        cl = 1;
    } else {
        cnt[0] = 0xfd;
        cnt[1] = (uint8_t)ntx;
        cnt[2] = (uint8_t)(ntx >> 8);
        cl = 3;
        if (ntx > 0xffff) {
            cnt[0] = 0xfe;
            cnt[3] = (uint8_t)(ntx >> 16);
            cnt[4] = (uint8_t)(ntx >> 24);
            cl = 5;
        }
    }
    const void *pc[4] = {hdr, cnt, s->cbbuf.data, b->txdata.data};
    size_t pl[4] = {80, cl, s->cbbuf.len, b->txdata.len};
    if ((rc = put_block(s, pc, pl, n ? 4 : 3, true, j->hold)) != 0)
        return rc;
    uint8_t parent[32];
    memcpy(parent, s->prev_hash, 32);
    memcpy(s->prev_hash, hash, 32);
    if (!j->stale)
        return 0;
    /* a stale sibling: a one-transaction block off the parent of this block, or one above
     * the stale tip */
    uint8_t stxid[32], shdr[80], shash[32];
    if ((rc = build_coinbase(s, &j->stale_cb, NULL, stxid)) != 0)
        return rc;
    gen_header(shdr, 0x20000000U, j->stale_start ? parent : s->stale_tip, stxid, j->stale_time,
               GEN_BITS, 0);
    gen_header_grind(shdr, shash);
    static const uint8_t one = 1;
    const void *spc[3] = {shdr, &one, s->cbbuf.data};
    size_t spl[3] = {80, 1, s->cbbuf.len};
    if ((rc = put_block(s, spc, spl, 3, false, false)) != 0)
        return rc;
    char hx[65];
    cw_hex_encode_rev(hx, shash, 32);
    if (cw_buf_printf(&s->stale_json, "%s{\"hash\":\"%s\",\"height\":%u}",
                      s->stale_written ? "," : "", hx, j->stale_height) != 0)
        return CW_ENOMEM;
    s->stale_written++;
    memcpy(s->stale_tip, shash, 32);
    return 0;
}

static int process(gen_sink *s, gen_batch *b)
{
    int rc = format_addrs(s, b);
    if (rc == 0 && b->raw.len)
        rc = gen_blkw_put(s->bw, b->raw.data, b->raw.len);
    if (rc == 0 && b->has_job)
        rc = do_job(s, b);
    return rc;
}

static void batch_reset(gen_batch *b)
{
    b->n_addrs = 0;
    b->raw.len = 0;
    b->txdata.len = 0;
    b->n_tx = 0;
    b->has_job = false;
}

static void batch_free(gen_batch *b)
{
    cw_free(b->addrs);
    cw_buf_deinit(&b->raw);
    cw_buf_deinit(&b->txdata);
    cw_free(b->tx_len);
    cw_free(b->txids);
    cw_free(b->tx_wit);
    memset(b, 0, sizeof *b);
}

int gen_sink_tx_reserve(gen_sink *s)
{
    gen_batch *b = &s->batch[s->fill];
    if (b->n_tx < b->cap_tx)
        return 0;
    uint32_t cap = b->cap_tx ? b->cap_tx * 2 : 1024;
    uint32_t *l = cw_realloc(b->tx_len, (size_t)cap * sizeof *l);
    if (l)
        b->tx_len = l;
    uint8_t(*ids)[32] = l ? cw_realloc(b->txids, (size_t)cap * 32) : NULL;
    if (ids)
        b->txids = ids;
    uint8_t *wit = ids ? cw_realloc(b->tx_wit, cap) : NULL;
    if (!wit)
        return cw_error_set(CW_ENOMEM, "block of %u transactions", cap);
    b->tx_wit = wit;
    b->cap_tx = cap;
    return 0;
}

static void *worker(void *arg)
{
    gen_sink *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->pending && !s->quit)
            pthread_cond_wait(&s->cv, &s->mu);
        if (!s->pending)
            break;
        int job = s->job;
        bool skip = s->err != 0;
        pthread_mutex_unlock(&s->mu);
        int rc = skip ? 0 : process(s, &s->batch[job]);
        pthread_mutex_lock(&s->mu);
        if (rc != 0 && s->err == 0) {
            s->err = rc;
            snprintf(s->msg, sizeof s->msg, "%s", cw_error_last());
        }
        s->pending = false;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

int gen_sink_start(gen_sink *s, gen_blkw *bw, const char *names, const uint32_t *name_off,
                   uint32_t first_user, uint32_t max_height, unsigned threads)
{
    s->first_user = first_user;
    s->bw = bw;
    s->names = names;
    s->name_off = name_off;
    s->max_height = max_height;
    s->cb_txid = cw_calloc((size_t)max_height + 1, 32);
    if (!s->cb_txid)
        return cw_error_set(CW_ENOMEM, "coinbase txids for %u blocks", max_height);
    if (threads < 2)
        return 0;
    if (pthread_mutex_init(&s->mu, NULL) != 0)
        return cw_error_set(CW_ENOMEM, "gen: mutex");
    if (pthread_cond_init(&s->cv, NULL) != 0) {
        pthread_mutex_destroy(&s->mu);
        return cw_error_set(CW_ENOMEM, "gen: condition variable");
    }
    s->threaded = true;
    if (pthread_create(&s->th, NULL, worker, s) != 0) {
        pthread_cond_destroy(&s->cv);
        pthread_mutex_destroy(&s->mu);
        s->threaded = false;
        return cw_error_set(CW_ENOMEM, "gen: cannot start the output thread");
    }
    s->running = true;
    return 0;
}

int gen_sink_block(gen_sink *s, const uint8_t *data, size_t n)
{
    if (cw_buf_append(&s->batch[s->fill].raw, data, n) != 0)
        return cw_error_set(CW_ENOMEM, "block of %zu bytes", n);
    return 0;
}

int gen_sink_flush(gen_sink *s)
{
    if (!s->bw)
        return cw_error_set(CW_EINVAL, "gen: output stage not started");
    if (!s->running) {
        int rc = s->err ? s->err : process(s, &s->batch[s->fill]);
        if (rc != 0 && s->err == 0) {
            s->err = rc;
            snprintf(s->msg, sizeof s->msg, "%s", cw_error_last());
        }
        batch_reset(&s->batch[s->fill]);
        return rc;
    }
    pthread_mutex_lock(&s->mu);
    while (s->pending)
        pthread_cond_wait(&s->cv, &s->mu);
    int err = s->err;
    if (err == 0) {
        s->job = s->fill;
        s->fill ^= 1;
        s->pending = true;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    if (err != 0)
        return cw_error_set(err, "%s", s->msg);
    batch_reset(&s->batch[s->fill]); /* the worker is done with it */
    return 0;
}

int gen_sink_close(gen_sink *s)
{
    int rc = 0;
    gen_batch *last = &s->batch[s->fill];
    if (s->bw && (last->n_addrs || last->raw.len || last->has_job))
        rc = gen_sink_flush(s);
    if (s->running) {
        pthread_mutex_lock(&s->mu);
        s->quit = true;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->th, NULL);
        pthread_cond_destroy(&s->cv);
        pthread_mutex_destroy(&s->mu);
        s->running = false;
        if (rc == 0 && s->err != 0)
            rc = cw_error_set(s->err, "%s", s->msg);
    }
    if (s->has_held && rc == 0 && s->err == 0)
        rc = gen_blkw_put(s->bw, s->held.data, s->held.len);
    s->has_held = false;
    if (s->is_open && s->fd_addr >= 0) {
        int r2 = s->err == 0 && rc == 0 ? text_flush(s) : 0;
        if (close(s->fd_addr) != 0 && r2 == 0 && rc == 0)
            r2 = cw_error_set(CW_EIO, "%s/addresses.csv: close: %s", s->truth_dir, strerror(errno));
        s->fd_addr = -1;
        if (rc == 0)
            rc = r2;
    }
    batch_free(&s->batch[0]);
    batch_free(&s->batch[1]);
    cw_buf_deinit(&s->text);
    cw_buf_deinit(&s->held);
    cw_buf_deinit(&s->cbbuf);
    gen_tx_deinit(&s->cb);
    cw_free(s->ids);
    s->ids = NULL;
    s->cap_ids = 0;
    s->bw = NULL;
    return rc;
}

void gen_sink_free(gen_sink *s)
{
    gen_sink_close(s);
    cw_free(s->cb_txid);
    s->cb_txid = NULL;
    cw_buf_deinit(&s->stale_json);
}
