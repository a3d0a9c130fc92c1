/*
 * column.c: fixed-width column files, memory-mapped (see store.h for the format).
 * A writer's mapping is MAP_SHARED, so rows written survive the death of the process (kill -9);
 * durability against power loss comes from cw_column_sync before the manifest is published.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/store.h"

static const char col_magic[8] = {'C', 'W', 'C', 'O', 'L', '0', '0', '1'};
#define COL_VERSION 1

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static int map_file(cw_column *c, size_t len)
{
    int prot = c->writable ? PROT_READ | PROT_WRITE : PROT_READ;
    void *m = mmap(NULL, len, prot, MAP_SHARED, c->fd, 0);
    if (m == MAP_FAILED)
        return cw_error_set(CW_EIO, "%s: mmap of %zu bytes: %s", c->path, len, strerror(errno));
    c->map = m;
    c->map_len = len;
    c->cap = (len - CW_COLUMN_HEADER) / c->width;
    return 0;
}

static int column_open(cw_column *c, const char *dir, const char *name, uint32_t width,
                       bool writable)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->width = width;
    c->writable = writable;
    snprintf(c->path, sizeof c->path, "%s/%s.col", dir, name);
    c->fd = open(c->path, writable ? O_RDWR | O_CREAT | O_CLOEXEC : O_RDONLY | O_CLOEXEC, 0644);
    if (c->fd < 0)
        return cw_error_set(errno == ENOENT ? CW_ENOTFOUND : CW_EIO, "%s: %s", c->path,
                            strerror(errno));
    struct stat st;
    if (fstat(c->fd, &st) < 0)
        goto ioerr;
    if (st.st_size == 0) {
        if (!writable)
            return cw_error_set(CW_ECORRUPT, "%s: empty column file", c->path);
        uint8_t hdr[CW_COLUMN_HEADER] = {0};
        memcpy(hdr, col_magic, 8);
        put32(hdr + 8, COL_VERSION);
        put32(hdr + 12, width);
        snprintf((char *)hdr + 24, 32, "%s", name);
        if (pwrite(c->fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr)
            goto ioerr;
        st.st_size = CW_COLUMN_HEADER;
    }
    if ((size_t)st.st_size < CW_COLUMN_HEADER)
        return cw_error_set(CW_ECORRUPT, "%s: file shorter than its header", c->path);
    uint8_t hdr[CW_COLUMN_HEADER];
    if (pread(c->fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr)
        goto ioerr;
    if (memcmp(hdr, col_magic, 8) != 0)
        return cw_error_set(CW_ECORRUPT, "%s: not a chainwatch column file (bad magic)", c->path);
    if (get32(hdr + 8) != COL_VERSION)
        return cw_error_set(CW_EVERSION, "%s: column format version %u (this build reads %u)",
                            c->path, get32(hdr + 8), COL_VERSION);
    if (get32(hdr + 12) != width)
        return cw_error_set(CW_ECORRUPT, "%s: row width %u, expected %u", c->path, get32(hdr + 12),
                            width);
    return map_file(c, (size_t)st.st_size);
ioerr:
    return cw_error_set(CW_EIO, "%s: %s", c->path, strerror(errno));
}

int cw_column_open(cw_column *c, const char *dir, const char *name, uint32_t width, bool writable)
{
    int rc = column_open(c, dir, name, width, writable);
    if (rc && c->fd >= 0) { /* a refused header or a failed map: nothing stays open */
        close(c->fd);
        c->fd = -1;
    }
    return rc;
}

int cw_column_reserve(cw_column *c, uint64_t n)
{
    if (c->rows + n <= c->cap)
        return 0;
    if (!c->writable)
        return cw_error_set(CW_EPERM, "%s: column opened read-only", c->path);
    uint64_t cap = c->cap + c->cap / 2;
    if (cap < c->rows + n)
        cap = c->rows + n;
    if (cap < 4096)
        cap = 4096;
    size_t len = CW_COLUMN_HEADER + (size_t)cap * c->width;
    if (ftruncate(c->fd, (off_t)len) < 0)
        return cw_error_set(CW_EIO, "%s: growing to %zu bytes: %s", c->path, len, strerror(errno));
    void *m = mremap(c->map, c->map_len, len, MREMAP_MAYMOVE);
    if (m == MAP_FAILED)
        return cw_error_set(CW_EIO, "%s: mremap to %zu bytes: %s", c->path, len, strerror(errno));
    c->map = m;
    c->map_len = len;
    c->cap = cap;
    return 0;
}

/* Appends fault their pages in ahead of use, a megabyte at a time: one madvise instead of a
 * page fault per 4 KiB (each of which costs a trap and the filesystem's page_mkwrite). */
#define POPULATE_CHUNK ((size_t)1 << 20)

void cw_store_prefault(int fd, uint8_t *map, size_t from, size_t to)
{
    static const uint8_t zeros[POPULATE_CHUNK];
    for (size_t off = from; off < to; off += sizeof zeros) {
        size_t n = to - off < sizeof zeros ? to - off : sizeof zeros;
        (void)pwrite(fd, zeros, n, (off_t)off); /* hints: the faults work without them */
    }
#ifdef MADV_POPULATE_WRITE
    if (to > from)
        (void)madvise(map + from, to - from, MADV_POPULATE_WRITE);
#else
    (void)map;
#endif
}

void cw_store_advise_random(const void *map, size_t len)
{
    if (map && len)
        (void)madvise((void *)(uintptr_t)map, len, MADV_RANDOM); /* a hint */
}

void cw_store_willneed_range(struct iovec *v, size_t *n_v, size_t cap, const void *map, size_t len,
                             size_t off, size_t n)
{
    if (!map || off >= len || !n || *n_v >= cap)
        return;
    size_t end = n > len - off ? len : off + n;
    long page = sysconf(_SC_PAGESIZE); /* mmap returns page-aligned maps */
    size_t from = page > 0 ? off & ~((size_t)page - 1) : off;
    uint8_t *base = (uint8_t *)(uintptr_t)map + from;
    if (*n_v > 0 && (uint8_t *)v[*n_v - 1].iov_base == base) { /* the same page again */
        if (v[*n_v - 1].iov_len < end - from)
            v[*n_v - 1].iov_len = end - from;
        return;
    }
    v[(*n_v)++] = (struct iovec){base, end - from};
}

void cw_store_willneed(int pidfd, const struct iovec *v, size_t n_v)
{
    if (!n_v)
        return;
#if defined(SYS_process_madvise) && defined(MADV_WILLNEED)
    if (pidfd >= 0 && syscall(SYS_process_madvise, pidfd, v, n_v, MADV_WILLNEED, 0u) >= 0)
        return;
#else
    (void)pidfd;
#endif
    for (size_t i = 0; i < n_v; i++)
        (void)madvise(v[i].iov_base, v[i].iov_len, MADV_WILLNEED); /* a hint */
}

int cw_store_self_pidfd(void)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, getpid(), 0u);
#else
    return -1;
#endif
}

static void populate_ahead(cw_column *c, size_t end)
{
    if (end <= c->populated)
        return;
    size_t from = (end + 4095) & ~(size_t)4095, to = from + POPULATE_CHUNK;
    if (from < c->populated)
        from = c->populated;
    if (to > c->map_len)
        to = c->map_len;
    if (to > from)
        cw_store_prefault(c->fd, c->map, from, to);
    c->populated = to;
}

int cw_column_read(const cw_column *c, uint64_t i, void *out)
{
    if (i < c->cap) {
        memcpy(out, cw_column_row(c, i), c->width);
        return 0;
    }
    ssize_t got = pread(c->fd, out, c->width, (off_t)(CW_COLUMN_HEADER + i * c->width));
    if (got == (ssize_t)c->width)
        return 0;
    if (got < 0)
        return cw_error_set(CW_EIO, "%s: row %llu: %s", c->path, (unsigned long long)i,
                            strerror(errno));
    return cw_error_set(CW_EBUSY, "%s: row %llu is not in the file", c->path,
                        (unsigned long long)i);
}

int cw_column_append(cw_column *c, const void *row)
{
    int rc = cw_column_reserve(c, 1);
    if (rc)
        return rc;
    size_t end = CW_COLUMN_HEADER + (size_t)(c->rows + 1) * c->width;
    if (end > c->populated)
        populate_ahead(c, end);
    memcpy(cw_column_row(c, c->rows), row, c->width);
    c->rows++;
    return 0;
}

int cw_column_sync(cw_column *c, uint64_t from, uint64_t to)
{
    if (!c->writable || to <= from)
        return 0;
    long page = sysconf(_SC_PAGESIZE);
    size_t start = CW_COLUMN_HEADER + (size_t)from * c->width;
    size_t end = CW_COLUMN_HEADER + (size_t)to * c->width;
    start -= start % (size_t)page;
    if (end > c->map_len)
        end = c->map_len;
    if (msync(c->map + start, end - start, MS_SYNC) < 0)
        return cw_error_set(CW_EIO, "%s: msync: %s", c->path, strerror(errno));
    return 0;
}

void cw_column_writeback(cw_column *c, uint64_t rows, size_t min_bytes)
{
    size_t end = (CW_COLUMN_HEADER + (size_t)rows * c->width) & ~(size_t)4095;
    if (c->written > end)
        c->written = end; /* rolled back */
    if (!c->writable || end < c->written + min_bytes)
        return;
    /* a hint: the commit's msync writes whatever this did not */
    (void)sync_file_range(c->fd, (off_t)c->written, (off_t)(end - c->written),
                          SYNC_FILE_RANGE_WRITE);
    c->written = end;
}

uint64_t cw_column_bytes(const cw_column *c)
{
    return CW_COLUMN_HEADER + c->rows * c->width;
}

static int column_close(cw_column *c, bool truncate, bool sync, bool trim)
{
    int rc = 0;
    if (c->map && c->writable && truncate) {
        uint64_t rows = c->rows;
        memcpy(c->map + 16, &rows, 8);
        if (sync && msync(c->map, c->map_len, MS_SYNC) < 0)
            rc = cw_error_set(CW_EIO, "%s: msync: %s", c->path, strerror(errno));
    }
    if (c->map)
        munmap(c->map, c->map_len);
    c->map = NULL;
    if (c->fd >= 0) {
        if (c->writable && truncate && trim && rc == 0) {
            if (ftruncate(c->fd, (off_t)cw_column_bytes(c)) < 0 || (sync && fsync(c->fd) < 0))
                rc = cw_error_set(CW_EIO, "%s: %s", c->path, strerror(errno));
        }
        close(c->fd);
    }
    c->fd = -1;
    return rc;
}

int cw_column_close(cw_column *c, bool truncate)
{
    return column_close(c, truncate, true, true);
}

int cw_column_close_unsynced(cw_column *c)
{
    return column_close(c, true, false, true);
}

int cw_column_close_rows(cw_column *c, bool sync, bool trim)
{
    return column_close(c, true, sync, trim);
}
