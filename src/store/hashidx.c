/*
 * hashidx.c: on-disk hash index from keys to dense u32 ids (see store.h).
 * File: 64-byte header (magic "CWHIX001", capacity, live count), then cap u64 slots.
 * Linear probing from h64 & (cap - 1); fingerprint = high 32 bits of h64. Growing writes a new
 * file beside the old one and renames it over, so a crash leaves one whole index or the other.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/store.h"
#include "chainwatch/util.h"

static const char hix_magic[8] = {'C', 'W', 'H', 'I', 'X', '0', '0', '1'};
#define HIX_HEADER 64
#define HIX_MIN_CAP 1024

static int hix_map(cw_hashidx *h, int fd, uint64_t cap)
{
    size_t len = HIX_HEADER + (size_t)cap * 8;
    int prot = h->writable ? PROT_READ | PROT_WRITE : PROT_READ;
    void *m = mmap(NULL, len, prot, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return cw_error_set(CW_EIO, "%s: mmap: %s", h->path, strerror(errno));
    h->map = m;
    h->map_len = len;
    h->slots = (uint64_t *)(void *)(h->map + HIX_HEADER);
    h->cap = cap;
    return 0;
}

static int hix_create(const char *path, uint64_t cap, int *out_fd)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return cw_error_set(CW_EIO, "%s: %s", path, strerror(errno));
    uint8_t hdr[HIX_HEADER] = {0};
    memcpy(hdr, hix_magic, 8);
    memcpy(hdr + 8, &cap, 8);
    if (pwrite(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr ||
        ftruncate(fd, (off_t)(HIX_HEADER + cap * 8)) < 0) {
        int e = errno;
        close(fd);
        return cw_error_set(CW_EIO, "%s: %s", path, strerror(e));
    }
    *out_fd = fd;
    return 0;
}

int cw_hashidx_open(cw_hashidx *h, const char *dir, const char *name, bool writable)
{
    memset(h, 0, sizeof *h);
    h->fd = -1;
    h->writable = writable;
    snprintf(h->path, sizeof h->path, "%s/%s.hix", dir, name);
    int fd = open(h->path, writable ? O_RDWR | O_CLOEXEC : O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && writable) {
        int rc = hix_create(h->path, HIX_MIN_CAP, &fd);
        if (rc)
            return rc;
    } else if (fd < 0) {
        return cw_error_set(errno == ENOENT ? CW_ENOTFOUND : CW_EIO, "%s: %s", h->path,
                            strerror(errno));
    }
    h->fd = fd;
    uint8_t hdr[HIX_HEADER];
    struct stat st;
    if (pread(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr || fstat(fd, &st) < 0)
        return cw_error_set(CW_ECORRUPT, "%s: cannot read index header", h->path);
    if (memcmp(hdr, hix_magic, 8) != 0)
        return cw_error_set(CW_ECORRUPT, "%s: not a chainwatch hash index (bad magic)", h->path);
    uint64_t cap;
    memcpy(&cap, hdr + 8, 8);
    memcpy(&h->count, hdr + 16, 8);
    if (cap < HIX_MIN_CAP || (cap & (cap - 1)) || (uint64_t)st.st_size != HIX_HEADER + cap * 8)
        return cw_error_set(CW_ECORRUPT, "%s: bad capacity %llu for a file of %lld bytes",
                            h->path, (unsigned long long)cap, (long long)st.st_size);
    return hix_map(h, fd, cap);
}

int cw_hashidx_close(cw_hashidx *h)
{
    int rc = 0;
    if (h->map) {
        if (h->writable && msync(h->map, h->map_len, MS_SYNC) < 0)
            rc = cw_error_set(CW_EIO, "%s: msync: %s", h->path, strerror(errno));
        munmap(h->map, h->map_len);
    }
    if (h->fd >= 0)
        close(h->fd);
    h->map = NULL;
    h->fd = -1;
    return rc;
}

void cw_hashidx_set_count(cw_hashidx *h, uint64_t count)
{
    h->count = count;
    if (h->writable)
        memcpy(h->map + 16, &count, 8);
}

static inline uint64_t slot_make(uint64_t h64, uint32_t id)
{
    return (h64 >> 32) << 32 | ((uint64_t)id + 1);
}

int cw_hashidx_find(const cw_hashidx *h, uint64_t h64, const void *key, uint32_t limit,
                    cw_hashidx_eq eq, void *ctx, uint32_t *id)
{
    uint64_t mask = h->cap - 1;
    uint32_t fp = (uint32_t)(h64 >> 32);
    for (uint64_t i = h64 & mask, n = 0; n < h->cap; i = (i + 1) & mask, n++) {
        uint64_t s = h->slots[i];
        if (!s)
            return CW_ENOTFOUND;
        uint32_t sid = (uint32_t)(s & 0xffffffffu) - 1;
        if ((uint32_t)(s >> 32) == fp && sid < limit && eq(key, sid, ctx)) {
            *id = sid;
            return 0;
        }
    }
    return CW_ENOTFOUND;
}

static void raw_insert(uint64_t *slots, uint64_t cap, uint64_t slot, uint64_t h64)
{
    uint64_t mask = cap - 1;
    uint64_t i = h64 & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = slot;
}

static int grow(cw_hashidx *h, cw_hashidx_hash_id hash_id, void *ctx)
{
    uint64_t ncap = h->cap * 2;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.grow", h->path);
    int fd;
    int rc = hix_create(tmp, ncap, &fd);
    if (rc)
        return rc;
    size_t len = HIX_HEADER + (size_t)ncap * 8;
    uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        close(fd);
        unlink(tmp);
        return cw_error_set(CW_EIO, "%s: mmap: %s", tmp, strerror(errno));
    }
    uint64_t *ns = (uint64_t *)(void *)(m + HIX_HEADER);
    for (uint64_t i = 0; i < h->cap; i++) {
        uint64_t s = h->slots[i];
        if (!s)
            continue;
        uint32_t id = (uint32_t)(s & 0xffffffffu) - 1;
        raw_insert(ns, ncap, s, hash_id(id, ctx));
    }
    memcpy(m + 16, &h->count, 8);
    if (msync(m, len, MS_SYNC) < 0 || fsync(fd) < 0 || rename(tmp, h->path) < 0) {
        rc = cw_error_set(CW_EIO, "%s: %s", tmp, strerror(errno));
        munmap(m, len);
        close(fd);
        unlink(tmp);
        return rc;
    }
    munmap(h->map, h->map_len);
    close(h->fd);
    h->fd = fd;
    h->map = m;
    h->map_len = len;
    h->slots = ns;
    h->cap = ncap;
    return 0;
}

int cw_hashidx_insert(cw_hashidx *h, uint64_t h64, uint32_t id, cw_hashidx_hash_id hash_id,
                      void *ctx)
{
    if ((h->count + 1) * 10 > h->cap * 7) {
        int rc = grow(h, hash_id, ctx);
        if (rc)
            return rc;
    }
    raw_insert(h->slots, h->cap, slot_make(h64, id), h64);
    h->count++;
    return 0;
}

static int64_t find_slot(const cw_hashidx *h, uint64_t h64, uint32_t id)
{
    uint64_t mask = h->cap - 1;
    uint64_t want = slot_make(h64, id);
    for (uint64_t i = h64 & mask, n = 0; n < h->cap; i = (i + 1) & mask, n++) {
        if (!h->slots[i])
            return -1;
        if (h->slots[i] == want)
            return (int64_t)i;
    }
    return -1;
}

int cw_hashidx_replace(cw_hashidx *h, uint64_t h64, uint32_t old_id, uint32_t new_id)
{
    int64_t i = find_slot(h, h64, old_id);
    if (i < 0)
        return cw_error_set(CW_ENOTFOUND, "%s: entry for id %u not found", h->path, old_id);
    h->slots[i] = slot_make(h64, new_id);
    return 0;
}

int cw_hashidx_delete(cw_hashidx *h, uint64_t h64, uint32_t id, cw_hashidx_hash_id hash_id,
                      void *ctx)
{
    int64_t found = find_slot(h, h64, id);
    if (found < 0)
        return 0;
    uint64_t mask = h->cap - 1;
    uint64_t i = (uint64_t)found, j = i;
    h->slots[i] = 0;
    h->count--;
    /* Backward-shift deletion: an entry after the hole moves into it unless its home slot
     * lies cyclically in (hole, its position]. No tombstones. */
    for (;;) {
        j = (j + 1) & mask;
        uint64_t s = h->slots[j];
        if (!s)
            break;
        uint64_t k = hash_id((uint32_t)(s & 0xffffffffu) - 1, ctx) & mask;
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays)
            continue;
        h->slots[i] = s;
        h->slots[j] = 0;
        i = j;
    }
    return 0;
}

int cw_hashidx_sync(cw_hashidx *h)
{
    if (h->writable && msync(h->map, h->map_len, MS_SYNC) < 0)
        return cw_error_set(CW_EIO, "%s: msync: %s", h->path, strerror(errno));
    return 0;
}

uint64_t cw_hashidx_bytes(const cw_hashidx *h)
{
    return h->map_len;
}
