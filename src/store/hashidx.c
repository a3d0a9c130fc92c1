/*
 * hashidx.c: on-disk hash index from keys to dense u32 ids (see store.h).
 *
 * File: 64-byte header (magic "CWHIX002", log2 of the home-slot count, live count, slots), then
 * the slots. A slot is (fp << 32) | (id + 1) with fp the high 32 bits of the key's 64-bit hash;
 * 0 is empty. An entry's home is the top `bits` bits of its hash (so the slot alone knows its
 * home: fp >> (32 - bits)), and the table is *ordered* linear probing without wrap-around: the
 * live slots read in order are sorted by value, and each entry sits at the first free position
 * at or after its home given the entries before it (pos = max(home, previous pos + 1)). The layout
 * is therefore a function of the set of entries and the capacity alone, whatever the order of
 * inserts and deletes: stores built in different orders, or resumed after a crash, are
 * byte-identical. A lookup stops at an empty slot or a larger fingerprint. Past the 2^bits home
 * slots there is an overflow tail for the last run; growing doubles the home slots and is a
 * single streaming pass (the order is preserved), written beside the old file and renamed over
 * it, so a crash leaves one whole index or the other.
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

static const char hix_magic[8] = {'C', 'W', 'H', 'I', 'X', '0', '0', '2'};
#define HIX_HEADER 64
#define HIX_MIN_BITS 10
#define HIX_MAX_BITS 32

/* Overflow tail past the home slots: room for the last run to spill into. */
static uint64_t tail_of(unsigned bits)
{
    return 64 + ((uint64_t)1 << bits) / 256;
}

static inline uint64_t home_of(const cw_hashidx *h, uint64_t slot)
{
    return (slot >> 32) >> (32 - h->bits);
}

static int hix_map(cw_hashidx *h, int fd, unsigned bits)
{
    uint64_t n = ((uint64_t)1 << bits) + tail_of(bits);
    size_t len = HIX_HEADER + (size_t)n * 8;
    int prot = h->writable ? PROT_READ | PROT_WRITE : PROT_READ;
    void *m = mmap(NULL, len, prot, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return cw_error_set(CW_EIO, "%s: mmap: %s", h->path, strerror(errno));
    h->map = m;
    h->map_len = len;
    h->slots = (uint64_t *)(void *)(h->map + HIX_HEADER);
    h->bits = bits;
    h->cap = (uint64_t)1 << bits;
    h->n_slots = n;
    return 0;
}

static int hix_create(const char *path, unsigned bits, uint64_t count, int *out_fd)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return cw_error_set(CW_EIO, "%s: %s", path, strerror(errno));
    uint8_t hdr[HIX_HEADER] = {0};
    uint64_t b = bits, n = ((uint64_t)1 << bits) + tail_of(bits);
    memcpy(hdr, hix_magic, 8);
    memcpy(hdr + 8, &b, 8);
    memcpy(hdr + 16, &count, 8);
    memcpy(hdr + 24, &n, 8);
    if (pwrite(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr ||
        ftruncate(fd, (off_t)(HIX_HEADER + n * 8)) < 0) {
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
        int rc = hix_create(h->path, HIX_MIN_BITS, 0, &fd);
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
    if (memcmp(hdr, hix_magic, 7) != 0)
        return cw_error_set(CW_ECORRUPT, "%s: not a chainwatch hash index (bad magic)", h->path);
    if (memcmp(hdr, hix_magic, 8) != 0)
        return cw_error_set(CW_EVERSION, "%s: hash index version %c, this build reads %c", h->path,
                            hdr[7], hix_magic[7]);
    uint64_t bits, n;
    memcpy(&bits, hdr + 8, 8);
    memcpy(&h->count, hdr + 16, 8);
    memcpy(&n, hdr + 24, 8);
    if (bits < HIX_MIN_BITS || bits > HIX_MAX_BITS ||
        n != ((uint64_t)1 << bits) + tail_of((unsigned)bits) ||
        (uint64_t)st.st_size != HIX_HEADER + n * 8)
        return cw_error_set(CW_ECORRUPT,
                            "%s: bad geometry (2^%llu home slots, %llu slots) for a "
                            "file of %lld bytes",
                            h->path, (unsigned long long)bits, (unsigned long long)n,
                            (long long)st.st_size);
    return hix_map(h, fd, (unsigned)bits);
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
    uint64_t fp = h64 >> 32;
    const uint64_t *s = h->slots + (fp >> (32 - h->bits)), *end = h->slots + h->n_slots;
    for (; s < end; s++) {
        uint64_t v = *s;
        if (!v || (v >> 32) > fp)
            return CW_ENOTFOUND;
        if ((v >> 32) == fp) {
            uint32_t sid = (uint32_t)v - 1;
            if (sid < limit && eq(key, sid, ctx)) {
                *id = sid;
                return 0;
            }
        }
    }
    return CW_ENOTFOUND;
}

/* Writes the sorted entries of src (n slots, any geometry) into dst (cleared, dst_n slots):
 * each at max(its home, previous position + 1). Entries with id >= limit are dropped. Returns
 * false when the last run does not fit. Works in place (dst == src) when dst's geometry is
 * src's: entries only ever move left then. */
static bool place_all(const cw_hashidx *dh, uint64_t *dst, const uint64_t *src, uint64_t n,
                      uint32_t limit, uint64_t *count)
{
    uint64_t next = 0, live = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v = src[i];
        if (!v)
            continue;
        if (dst == src)
            dst[i] = 0;
        if ((uint32_t)v - 1 >= limit)
            continue;
        uint64_t p = home_of(dh, v);
        if (p < next)
            p = next;
        if (p >= dh->n_slots)
            return false;
        dst[p] = v;
        next = p + 1;
        live++;
    }
    *count = live;
    return true;
}

static int grow(cw_hashidx *h)
{
    for (unsigned bits = h->bits + 1; bits <= HIX_MAX_BITS; bits++) {
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.grow", h->path);
        int fd;
        int rc = hix_create(tmp, bits, h->count, &fd);
        if (rc)
            return rc;
        cw_hashidx nh = *h;
        nh.fd = fd;
        if ((rc = hix_map(&nh, fd, bits))) {
            close(fd);
            unlink(tmp);
            return rc;
        }
        /* every page is written below and by the inserts that follow */
        cw_store_prefault(fd, nh.map, HIX_HEADER, nh.map_len);
        uint64_t live;
        if (!place_all(&nh, nh.slots, h->slots, h->n_slots, UINT32_MAX, &live)) {
            munmap(nh.map, nh.map_len);
            close(fd);
            unlink(tmp);
            continue; /* a pathological run: double again */
        }
        if (msync(nh.map, nh.map_len, MS_SYNC) < 0 || fsync(fd) < 0 || rename(tmp, h->path) < 0) {
            rc = cw_error_set(CW_EIO, "%s: %s", tmp, strerror(errno));
            munmap(nh.map, nh.map_len);
            close(fd);
            unlink(tmp);
            return rc;
        }
        /* the msync left every page clean and write-protected: the inserts that follow hit
         * pages all over the file, one write fault each (~9 us here) without this (~1 us) */
        cw_hashidx_populate(&nh);
        munmap(h->map, h->map_len);
        close(h->fd);
        *h = nh;
        return 0;
    }
    return cw_error_set(CW_EINVAL, "%s: index full (2^%d home slots)", h->path, HIX_MAX_BITS);
}

/* Inserts slot value v at its ordered position; false when the run would pass the tail. */
static bool raw_insert(cw_hashidx *h, uint64_t v)
{
    uint64_t *s = h->slots, n = h->n_slots;
    uint64_t i = home_of(h, v);
    while (i < n && s[i] && s[i] < v)
        i++;
    uint64_t j = i;
    while (j < n && s[j])
        j++;
    if (j >= n)
        return false;
    /* shift [i, j) right by one, from the end: a concurrent reader scanning forward sees an
     * entry twice at worst, never misses one */
    for (uint64_t k = j; k > i; k--)
        ((volatile uint64_t *)s)[k] = s[k - 1];
    ((volatile uint64_t *)s)[i] = v;
    return true;
}

int cw_hashidx_insert(cw_hashidx *h, uint64_t h64, uint32_t id)
{
    if ((h->count + 1) * 10 > h->cap * 7) {
        int rc = grow(h);
        if (rc)
            return rc;
    }
    while (!raw_insert(h, slot_make(h64, id))) {
        int rc = grow(h);
        if (rc)
            return rc;
    }
    h->count++;
    return 0;
}

static int64_t find_slot(const cw_hashidx *h, uint64_t v)
{
    for (uint64_t i = home_of(h, v); i < h->n_slots && h->slots[i] && h->slots[i] <= v; i++) {
        if (h->slots[i] == v)
            return (int64_t)i;
    }
    return -1;
}

int cw_hashidx_delete(cw_hashidx *h, uint64_t h64, uint32_t id)
{
    int64_t found = find_slot(h, slot_make(h64, id));
    if (found < 0)
        return 0;
    uint64_t *s = h->slots, i = (uint64_t)found;
    /* Backward shift: the next entry moves into the hole unless it sits at its home. */
    while (i + 1 < h->n_slots && s[i + 1] && home_of(h, s[i + 1]) <= i) {
        s[i] = s[i + 1];
        i++;
    }
    s[i] = 0;
    h->count--;
    return 0;
}

int cw_hashidx_replace(cw_hashidx *h, uint64_t h64, uint32_t old_id, uint32_t new_id)
{
    if (find_slot(h, slot_make(h64, old_id)) < 0)
        return cw_error_set(CW_ENOTFOUND, "%s: entry for id %u not found", h->path, old_id);
    int rc = cw_hashidx_delete(h, h64, old_id);
    return rc ? rc : cw_hashidx_insert(h, h64, new_id);
}

void cw_hashidx_prune(cw_hashidx *h, uint32_t limit)
{
    uint64_t live;
    place_all(h, h->slots, h->slots, h->n_slots, limit, &live); /* in place: cannot overflow */
    cw_hashidx_set_count(h, live);
}

int cw_hashidx_verify(const cw_hashidx *h, uint32_t limit)
{
    uint64_t live = 0, prev = 0, next = 0;
    for (uint64_t i = 0; i < h->n_slots; i++) {
        uint64_t v = h->slots[i];
        if (!v)
            continue;
        uint64_t want = home_of(h, v) > next ? home_of(h, v) : next;
        if (v <= prev || i != want)
            return cw_error_set(CW_ECORRUPT, "%s: slot %llu is out of order (entry for id %u)",
                                h->path, (unsigned long long)i, (uint32_t)v - 1);
        if ((uint32_t)v - 1 >= limit)
            return cw_error_set(CW_ECORRUPT, "%s: slot %llu names id %u, past the %u published",
                                h->path, (unsigned long long)i, (uint32_t)v - 1, limit);
        prev = v;
        next = i + 1;
        live++;
    }
    if (live != h->count)
        return cw_error_set(CW_ECORRUPT, "%s: %llu live entries, the header says %llu", h->path,
                            (unsigned long long)live, (unsigned long long)h->count);
    return 0;
}

int cw_hashidx_sync(cw_hashidx *h)
{
    if (h->writable && msync(h->map, h->map_len, MS_SYNC) < 0)
        return cw_error_set(CW_EIO, "%s: msync: %s", h->path, strerror(errno));
    return 0;
}

void cw_hashidx_populate(cw_hashidx *h)
{
#ifdef MADV_POPULATE_WRITE
    if (h->writable && h->map_len > HIX_HEADER)
        (void)madvise(h->map + HIX_HEADER, h->map_len - HIX_HEADER, MADV_POPULATE_WRITE);
#else
    (void)h;
#endif
}

uint64_t cw_hashidx_bytes(const cw_hashidx *h)
{
    return h->map_len;
}
