/*
 * rowbuf_int.h: the EVM store writer's append buffer for a side column (memos.col, amounts.col,
 * txamounts.col), used by store.c and memo.c only.
 *
 * Rows appended past the file's go into memory and reach the file with one pwrite per flush
 * (the writer's flush_rows, before any commit), as the store's moves and txs do, instead of
 * being copied into freshly mapped pages (the column's prefault, a fault or a read-for-ownership
 * per line, and at each writeback a write-protect and TLB flush per mapped page). The file is
 * grown for a row when it is appended, so a flush always fits. The column's row count includes
 * the buffered rows at once; cw_evm_rowbuf_row reads a buffered row from the buffer, an older
 * one from the map. Rows that the count drops (a failed append, a rollback, a close) are dropped
 * from the buffer too, never written. A side row derives from its tx or movement alone and
 * changes nothing in place, so when it reaches the file changes nothing else: the commit writes
 * and syncs it before MANIFEST publishes it, as it always did.
 */
#ifndef CW_CHAIN_EVM_ROWBUF_INT_H
#define CW_CHAIN_EVM_ROWBUF_INT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/store.h"
#include "chainwatch/util.h"

typedef struct cw_evm_rowbuf {
    uint8_t *buf;   /* NULL: unbuffered (a reader's handle): rows go into the map */
    uint64_t first; /* row number of buf[0] */
    size_t n, cap;  /* rows buffered, room */
} cw_evm_rowbuf;

/* A writer's buffer, room for `rows` rows of `width` bytes to start with; false: no memory. */
static inline bool cw_evm_rowbuf_init(cw_evm_rowbuf *w, uint32_t width, size_t rows)
{
    w->n = 0;
    w->first = 0;
    w->cap = rows;
    return (w->buf = cw_malloc(rows * width)) != NULL;
}

static inline void cw_evm_rowbuf_free(cw_evm_rowbuf *w)
{
    cw_free(w->buf);
    memset(w, 0, sizeof *w);
}

/* row i (< c->rows) of a buffered column */
static inline const void *cw_evm_rowbuf_row(const cw_column *c, const cw_evm_rowbuf *w, uint64_t i)
{
    if (w->n && i >= w->first && i - w->first < w->n)
        return w->buf + (size_t)(i - w->first) * c->width;
    return cw_column_row(c, i);
}

/* drops the buffered rows past the column's count (set lower since they were appended) */
static inline void cw_evm_rowbuf_trim(const cw_column *c, cw_evm_rowbuf *w)
{
    if (w->n && w->first + w->n > c->rows)
        w->n = c->rows > w->first ? (size_t)(c->rows - w->first) : 0;
}

/* Appends a row: into the buffer when there is one, else into the map (cw_column_append). */
static inline int cw_evm_rowbuf_append(cw_column *c, cw_evm_rowbuf *w, const void *row)
{
    if (!w->buf)
        return cw_column_append(c, row);
    int rc;
    if (c->rows >= c->cap && (rc = cw_column_reserve(c, 1)))
        return rc;
    cw_evm_rowbuf_trim(c, w);
    if (!w->n)
        w->first = c->rows;
    if (w->n >= w->cap && (rc = cw_grow(&w->buf, &w->cap, w->n + 1, c->width, 256)))
        return cw_error_wrap(rc, "%s buffer: ", c->path);
    memcpy(w->buf + w->n * c->width, row, c->width);
    w->n++;
    c->rows++;
    return 0;
}

/* Writes the buffered rows (those the count still holds) to the file and empties the buffer;
 * starts their writeback when `writeback_bytes` of rows have gathered (cw_column_writeback). */
static inline int cw_evm_rowbuf_flush(cw_column *c, cw_evm_rowbuf *w, size_t writeback_bytes)
{
    cw_evm_rowbuf_trim(c, w);
    if (!w->n)
        return 0;
    const uint8_t *p = w->buf;
    size_t len = w->n * c->width;
    off_t off = (off_t)(CW_COLUMN_HEADER + w->first * c->width);
    while (len) {
        ssize_t k = pwrite(c->fd, p, len, off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return cw_error_set(CW_EIO, "%s: write: %s", c->path,
                                k < 0 ? strerror(errno) : "no progress");
        p += k;
        len -= (size_t)k;
        off += k;
    }
    cw_column_writeback(c, w->first + w->n, writeback_bytes);
    w->n = 0;
    return 0;
}

#endif
