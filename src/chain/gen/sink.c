/*
 * sink.c: the generator's output stage (see sink.h): address ground-truth lines formatted by
 * hand into a large buffer and written with write(2), blocks through the blk writer, on a
 * worker thread or inline. Invariant: batches are processed in the order they were flushed
 * and each batch's records in the order they were appended, whatever the thread count.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "chain/gen/sink.h"
#include "chain/gen/world.h"
#include "chainwatch/errors.h"

#define SINK_TEXT_FLUSH (4u << 20)

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
    s->fd_addr = open((const char *)p.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    int rc = 0;
    if (s->fd_addr < 0)
        rc = cw_error_set(CW_EIO, "%s: %s", (const char *)p.data, strerror(errno));
    cw_buf_deinit(&p);
    if (rc != 0)
        return rc;
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
    memcpy(p, s, n);
    return p + n;
}

static int format_addrs(gen_sink *s, const gen_batch *b)
{
    /* the longest line: 96 (address) + 8 + 10 + name + 22 + 10 + separators */
    for (uint32_t i = 0; i < b->n_addrs; i++) {
        const gen_addr_rec *r = &b->addrs[i];
        const char *name = s->names + s->name_off[r->ent];
        size_t name_len = s->name_off[r->ent + 1] - s->name_off[r->ent] - 1;
        if (cw_buf_reserve(&s->text, 200 + name_len) != 0)
            return cw_error_set(CW_ENOMEM, "addresses.csv buffer");
        char *start = (char *)s->text.data + s->text.len, *p = start;
        int n = gen_addrfmt_encode(&s->afmt, p, r->type, (s->salt << 40) + r->id);
        if (n < 0)
            return n;
        p += n;
        *p++ = ',';
        p = put_str(p, cw_script_type_name((cw_script_type)r->type));
        *p++ = ',';
        p = put_u32dec(p, r->ent);
        *p++ = ',';
        memcpy(p, name, name_len);
        p += name_len;
        *p++ = ',';
        p = put_str(p, gen_cat_name(r->cat));
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

static int process(gen_sink *s, gen_batch *b)
{
    int rc = format_addrs(s, b);
    size_t off = 0;
    for (uint32_t i = 0; rc == 0 && i < b->n_blk; i++) {
        rc = gen_blkw_put(s->bw, b->blocks.data + off, b->blk_len[i]);
        off += b->blk_len[i];
    }
    return rc;
}

static void batch_reset(gen_batch *b)
{
    b->n_addrs = 0;
    b->n_blk = 0;
    b->blocks.len = 0;
}

static void batch_free(gen_batch *b)
{
    cw_free(b->addrs);
    cw_free(b->blk_len);
    cw_buf_deinit(&b->blocks);
    memset(b, 0, sizeof *b);
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
                   unsigned threads)
{
    s->bw = bw;
    s->names = names;
    s->name_off = name_off;
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
    gen_batch *b = &s->batch[s->fill];
    if (n > UINT32_MAX)
        return cw_error_set(CW_EINVAL, "block of %zu bytes", n);
    if (b->n_blk == b->cap_blk) {
        uint32_t cap = b->cap_blk ? b->cap_blk * 2 : 8;
        uint32_t *l = cw_realloc(b->blk_len, (size_t)cap * sizeof *l);
        if (!l)
            return CW_ENOMEM;
        b->blk_len = l;
        b->cap_blk = cap;
    }
    if (cw_buf_append(&b->blocks, data, n) != 0)
        return CW_ENOMEM;
    b->blk_len[b->n_blk++] = (uint32_t)n;
    s->bytes_queued += 8 + n;
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
    if (s->bw && (s->batch[s->fill].n_addrs || s->batch[s->fill].n_blk))
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
    if (s->fd_addr >= 0) {
        int r2 = s->err == 0 && rc == 0 ? text_flush(s) : 0;
        if (close(s->fd_addr) != 0 && r2 == 0 && rc == 0)
            r2 = cw_error_set(CW_EIO, "%s/addresses.csv: close: %s", s->truth_dir,
                              strerror(errno));
        s->fd_addr = -1;
        if (rc == 0)
            rc = r2;
    }
    batch_free(&s->batch[0]);
    batch_free(&s->batch[1]);
    cw_buf_deinit(&s->text);
    s->bw = NULL;
    return rc;
}
