/*
 * blkfile.c: Bitcoin Core style blk*.dat writer (framing, file rollover, XOR obfuscation).
 * Invariant: pos is the offset within the current file, which is also the XOR key phase.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "chain/gen/blkfile.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"

#define GEN_MAX_BLOCKFILE (128ULL * 1024 * 1024)

static int open_file(gen_blkw *w)
{
    cw_buf path = {0};
    if (cw_buf_printf(&path, "%s/blk%05u.dat", w->dir, w->file_no) != 0)
        return CW_ENOMEM;
    w->f = fopen((const char *)path.data, "wb");
    int rc = 0;
    if (!w->f)
        rc = cw_error_set(CW_EIO, "%s: %s", (const char *)path.data, strerror(errno));
    cw_buf_deinit(&path);
    w->pos = 0;
    return rc;
}

int gen_blkw_open(gen_blkw *w, const char *dir, const uint8_t magic[4], const uint8_t *key,
                  uint64_t max_file)
{
    memset(w, 0, sizeof *w);
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

static int write_raw(gen_blkw *w, const uint8_t *p, size_t n)
{
    const uint8_t *src = p;
    if (w->xor_on) {
        if (n > w->scratch_cap) {
            uint8_t *s = cw_realloc(w->scratch, n);
            if (!s)
                return CW_ENOMEM;
            w->scratch = s;
            w->scratch_cap = n;
        }
        for (size_t i = 0; i < n; i++)
            w->scratch[i] = p[i] ^ w->key[(w->pos + i) & 7];
        src = w->scratch;
    }
    if (fwrite(src, 1, n, w->f) != n)
        return cw_error_set(CW_EIO, "%s/blk%05u.dat: write: %s", w->dir, w->file_no,
                            strerror(errno));
    w->pos += n;
    w->bytes_total += n;
    return 0;
}

int gen_blkw_put_pieces(gen_blkw *w, const void *const *piece, const size_t *len, size_t np)
{
    if (!w->f)
        return cw_error_set(CW_EIO, "block writer is closed");
    size_t n = 0;
    for (size_t i = 0; i < np; i++)
        n += len[i];
    /* Core: FindBlockPos starts a new file when the record would reach the maximum size. */
    if (w->pos > 0 && w->pos + 8 + n >= w->max_file) {
        if (fclose(w->f) != 0) {
            w->f = NULL;
            return cw_error_set(CW_EIO, "%s/blk%05u.dat: close: %s", w->dir, w->file_no,
                                strerror(errno));
        }
        w->file_no++;
        int rc = open_file(w);
        if (rc != 0)
            return rc;
    }
    uint8_t hdr[8];
    memcpy(hdr, w->magic, 4);
    for (int i = 0; i < 4; i++)
        hdr[4 + i] = (uint8_t)(n >> (8 * i));
    int rc = write_raw(w, hdr, 8);
    for (size_t i = 0; rc == 0 && i < np; i++)
        rc = write_raw(w, piece[i], len[i]);
    if (rc == 0)
        w->blocks++;
    return rc;
}

int gen_blkw_put(gen_blkw *w, const uint8_t *block, size_t n)
{
    const void *p = block;
    return gen_blkw_put_pieces(w, &p, &n, 1);
}

int gen_blkw_close(gen_blkw *w)
{
    int rc = 0;
    if (w->f && fclose(w->f) != 0)
        rc = cw_error_set(CW_EIO, "%s/blk%05u.dat: close: %s", w->dir ? w->dir : "?", w->file_no,
                          strerror(errno));
    w->f = NULL;
    cw_free(w->scratch);
    cw_free(w->dir);
    w->scratch = NULL;
    w->dir = NULL;
    return rc;
}
