/*
 * blkfile.c: Bitcoin Core style blk*.dat writer (framing, file rollover, XOR obfuscation).
 * Invariant: pos is the offset within the current file, which is also the XOR key phase.
 * Blocks go out with one writev(2) each (no stdio buffer copy); XOR'd ones through a scratch
 * buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "gen/btc/blkfile.h"

#define GEN_MAX_BLOCKFILE (128ULL * 1024 * 1024)

static int open_file(gen_blkw *w)
{
    cw_buf path = {0};
    if (cw_buf_printf(&path, "%s/blk%05u.dat", w->dir, w->file_no) != 0)
        return CW_ENOMEM;
    w->fd = open((const char *)path.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    int rc = 0;
    if (w->fd < 0)
        rc = cw_error_set(CW_EIO, "%s: %s", (const char *)path.data, strerror(errno));
    w->is_open = w->fd >= 0;
    cw_buf_deinit(&path);
    w->pos = 0;
    return rc;
}

int gen_blkw_open(gen_blkw *w, const char *dir, const uint8_t magic[4], const uint8_t *key,
                  uint64_t max_file)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    w->max_file = max_file ? max_file : GEN_MAX_BLOCKFILE;
    memcpy(w->magic, magic, 4);
    int rc = cw_mkdir_p(dir);
    if (rc != 0)
        return rc;
    w->dir = cw_strdup(dir);
    if (!w->dir)
        return CW_ENOMEM;
    /* Replace a previous world: remove its blk files and key so no stale file survives. */
    for (uint32_t i = 0;; i++) {
        cw_buf old = {0};
        if (cw_buf_printf(&old, "%s/blk%05u.dat", dir, i) != 0)
            return CW_ENOMEM;
        int gone = unlink((const char *)old.data);
        cw_buf_deinit(&old);
        if (gone != 0)
            break;
    }
    cw_buf xp = {0};
    if (cw_buf_printf(&xp, "%s/xor.dat", dir) != 0)
        return CW_ENOMEM;
    (void)unlink((const char *)xp.data);
    cw_buf_deinit(&xp);
    if (key) {
        w->xor_on = true;
        memcpy(w->key, key, 8);
        cw_buf path = {0};
        if (cw_buf_printf(&path, "%s/xor.dat", dir) != 0)
            return CW_ENOMEM;
        rc = cw_file_write_atomic((const char *)path.data, key, 8);
        cw_buf_deinit(&path);
        if (rc != 0)
            return rc;
    }
    return open_file(w);
}

/* Writes all of iov[0..n), resuming after short writes. */
static int writev_all(gen_blkw *w, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t k = writev(w->fd, iov, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return cw_error_set(CW_EIO, "%s/blk%05u.dat: write: %s", w->dir, w->file_no,
                                strerror(errno));
        }
        size_t done = (size_t)k;
        while (n > 0 && done >= iov->iov_len) {
            done -= iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    return 0;
}

void gen_blkw_zero_tail(gen_blkw *w, uint64_t bytes, bool every_file)
{
    w->zero_tail = bytes;
    w->zero_tail_all = every_file;
}

/* Leaves the zero tail after the current file's last record, as Core does: posix_fallocate
 * (zeros on disk, whatever the key), or a hole where the file system cannot allocate. */
static int put_tail(gen_blkw *w)
{
    if (!w->zero_tail)
        return 0;
    int e = posix_fallocate(w->fd, (off_t)w->pos, (off_t)w->zero_tail);
    if (e == EOPNOTSUPP || e == EINVAL)
        e = ftruncate(w->fd, (off_t)(w->pos + w->zero_tail)) == 0 ? 0 : errno;
    if (e != 0)
        return cw_error_set(CW_EIO, "%s/blk%05u.dat: zero tail of %llu bytes: %s", w->dir,
                            w->file_no, (unsigned long long)w->zero_tail, strerror(e));
    return 0;
}

int gen_blkw_put_pieces(gen_blkw *w, const void *const *piece, const size_t *len, size_t np)
{
    if (!w->is_open)
        return cw_error_set(CW_EIO, "block writer is closed");
    if (np > 7)
        return cw_error_set(CW_EINVAL, "block in %zu pieces", np);
    size_t n = 0;
    for (size_t i = 0; i < np; i++)
        n += len[i];
    /* Core: FindBlockPos starts a new file when the record would reach the maximum size. */
    if (w->pos > 0 && w->pos + 8 + n >= w->max_file) {
        if (w->zero_tail_all) {
            int rc = put_tail(w);
            if (rc != 0)
                return rc;
        }
        int fd = w->fd;
        w->is_open = false;
        w->fd = -1;
        if (close(fd) != 0)
            return cw_error_set(CW_EIO, "%s/blk%05u.dat: close: %s", w->dir, w->file_no,
                                strerror(errno));
        w->file_no++;
        int rc = open_file(w);
        if (rc != 0)
            return rc;
    }
    uint8_t hdr[8];
    memcpy(hdr, w->magic, 4);
    for (int i = 0; i < 4; i++)
        hdr[4 + i] = (uint8_t)(n >> (8 * i));
    struct iovec iov[8];
    int niov = 0;
    if (w->xor_on) {
        if (8 + n > w->scratch_cap) {
            uint8_t *s = cw_realloc(w->scratch, 8 + n);
            if (!s)
                return cw_error_set(CW_ENOMEM, "block of %zu bytes", n);
            w->scratch = s;
            w->scratch_cap = 8 + n;
        }
        uint8_t *d = w->scratch;
        memcpy(d, hdr, 8);
        size_t off = 8;
        for (size_t i = 0; i < np; i++) {
            memcpy(d + off, piece[i], len[i]);
            off += len[i];
        }
        /* byte at file offset pos + i is XORed with key[(pos + i) % 8]: 8 bytes at a time */
        uint8_t kb[8];
        for (int j = 0; j < 8; j++)
            kb[j] = w->key[(w->pos + (uint64_t)j) & 7];
        uint64_t k64, x;
        memcpy(&k64, kb, 8);
        size_t i = 0;
        for (; i + 8 <= off; i += 8) {
            memcpy(&x, d + i, 8);
            x ^= k64;
            memcpy(d + i, &x, 8);
        }
        for (; i < off; i++)
            d[i] ^= kb[i & 7];
        iov[niov++] = (struct iovec){d, 8 + n};
    } else {
        iov[niov++] = (struct iovec){hdr, 8};
        for (size_t i = 0; i < np; i++)
            if (len[i])
                iov[niov++] = (struct iovec){(void *)(uintptr_t)piece[i], len[i]};
    }
    int rc = writev_all(w, iov, niov);
    if (rc != 0)
        return rc;
    w->pos += 8 + n;
    w->bytes_total += 8 + n;
    w->blocks++;
    return 0;
}

int gen_blkw_put(gen_blkw *w, const uint8_t *block, size_t n)
{
    const void *p = block;
    return gen_blkw_put_pieces(w, &p, &n, 1);
}

int gen_blkw_close(gen_blkw *w)
{
    int rc = 0;
    if (w->is_open)
        rc = put_tail(w);
    if (w->is_open && close(w->fd) != 0 && rc == 0)
        rc = cw_error_set(CW_EIO, "%s/blk%05u.dat: close: %s", w->dir ? w->dir : "?", w->file_no,
                          strerror(errno));
    w->is_open = false;
    w->fd = -1;
    cw_free(w->scratch);
    cw_free(w->dir);
    w->scratch = NULL;
    w->dir = NULL;
    return rc;
}
