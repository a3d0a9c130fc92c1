/*
 * out.c: the generator's buffered CSV writer. Rows are formatted by hand into a 4 MiB buffer
 * (hex, decimal 64- and 128-bit numbers) and written with one write() per buffer; lines end
 * with CRLF, as Python's csv module (and so ethereum-etl) writes them. A write error is kept
 * and reported by ew_out_close. No fsync: a world is remade from its seed, and leaving 2 GB
 * to the page cache keeps the wall time near the CPU time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "gen/evm/evm_int.h"

#define OUT_CAP (4u << 20)

int ew_out_open(ew_out *o, const char *dir, const char *name, const char *header)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
    o->fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0)
        return cw_error_set(CW_EIO, "%s: %s", o->path, strerror(errno));
    o->buf = malloc(OUT_CAP);
    if (!o->buf) {
        close(o->fd);
        o->fd = -1;
        return cw_error_set(CW_ENOMEM, "out of memory for %s", o->path);
    }
    o->cap = OUT_CAP - 65536; /* one row always fits past the flush mark */
    if (header) {
        ew_put_s(o, header);
        ew_put_eol(o);
    }
    return 0;
}

int ew_out_flush(ew_out *o)
{
    size_t off = 0;
    while (off < o->len) {
        ssize_t n = write(o->fd, o->buf + off, o->len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (!o->err)
                o->err = errno;
            o->len = 0; /* the file is incomplete: ew_out_close reports it */
            return CW_EIO;
        }
        off += (size_t)n;
    }
    o->bytes += o->len;
    o->len = 0;
    return 0;
}

int ew_out_close(ew_out *o)
{
    if (!o->buf)
        return 0;
    (void)ew_out_flush(o);
    if (close(o->fd) != 0 && !o->err)
        o->err = errno;
    int e = o->err;
    free(o->buf);
    o->buf = NULL;
    o->fd = -1;
    if (e)
        return cw_error_set(CW_EIO, "write %s: %s", o->path, strerror(e));
    return 0;
}

void ew_out_abort(ew_out *o)
{
    if (!o->buf)
        return;
    close(o->fd);
    free(o->buf);
    o->buf = NULL;
    o->fd = -1;
}

void ew_put_s(ew_out *o, const char *s)
{
    size_t n = strlen(s);
    ew_need(o, n);
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

void ew_put_c(ew_out *o, char c)
{
    o->buf[o->len++] = c;
}

void ew_put_eol(ew_out *o)
{
    o->buf[o->len++] = '\r';
    o->buf[o->len++] = '\n';
    o->rows++;
    ew_need(o, 0);
}

void ew_put_u64(ew_out *o, uint64_t v)
{
    char t[24];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        o->buf[o->len++] = t[--n];
}

int ew_u128_dec(char *out, u128 v)
{
    char t[48];
    int n = 0;
    while (v >> 64) {
        /* 10^19 chunks, so that the common case stays in 64-bit divisions */
        const uint64_t p19 = 10000000000000000000ULL;
        u128 hi = v / p19;
        uint64_t lo = (uint64_t)(v % p19);
        for (int i = 0; i < 19; i++) {
            t[n++] = (char)('0' + lo % 10);
            lo /= 10;
        }
        v = hi;
    }
    uint64_t x = (uint64_t)v;
    if (x || n == 0) {
        do {
            t[n++] = (char)('0' + x % 10);
            x /= 10;
        } while (x);
    }
    int len = 0;
    while (n)
        out[len++] = t[--n];
    out[len] = 0;
    return len;
}

void ew_put_u128(ew_out *o, u128 v)
{
    char t[48];
    int n = ew_u128_dec(t, v);
    memcpy(o->buf + o->len, t, (size_t)n);
    o->len += (size_t)n;
}

void ew_put_hex(ew_out *o, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    ew_need(o, 2 * n + 2);
    char *d = o->buf + o->len;
    *d++ = '0';
    *d++ = 'x';
    for (size_t i = 0; i < n; i++) {
        *d++ = hx[p[i] >> 4];
        *d++ = hx[p[i] & 15];
    }
    o->len += 2 * n + 2;
}
