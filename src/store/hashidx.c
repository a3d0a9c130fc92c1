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
 *
 * A held index (cw_hashidx_hold, the writers of the EVM store) keeps its slots in private memory:
 * a private map of the file, copied on write, or an anonymous map after a growth. Inserts and
 * growths between two syncs then touch no file page. A sync writes the groups of slots that
 * changed into the file (its shared map), each word that differs, from the last slot to the
 * first: inserts only move entries right, so a reader scanning forward meanwhile sees an entry
 * twice at worst, never misses one (after deletes, the copy runs first to last instead). Header
 * word 32 is 1 while such a copy is under way (made durable before the first slot is written,
 * cleared after the msync): a writer that opens a file with it set knows the slots are a mix of
 * two states, and rebuilds them. After a growth, the sync writes the whole index beside the file
 * and renames it over, as growing did before: between syncs an index grows in memory only.
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

#define HIX_WRITING 32 /* header offset of the "sync under way" word (held indexes) */

static void step(const cw_hashidx *h)
{
    if (h->step)
        h->step(h->step_ctx);
}

/* records that slots [from, to] changed (held indexes) */
static inline void mark(cw_hashidx *h, uint64_t from, uint64_t to)
{
    if (!h->held || h->dirty_all)
        return;
    for (uint64_t g = from / CW_HIX_GROUP; g <= to / CW_HIX_GROUP; g++)
        h->dirty[g >> 6] |= 1ull << (g & 63);
}

static int dirty_alloc(cw_hashidx *h)
{
    uint64_t groups = (h->n_slots + CW_HIX_GROUP - 1) / CW_HIX_GROUP;
    size_t words = (size_t)((groups + 63) / 64);
    uint64_t *d = cw_calloc(words ? words : 1, sizeof *d);
    if (!d)
        return cw_error_set(CW_ENOMEM, "%s: out of memory", h->path);
    cw_free(h->dirty);
    h->dirty = d;
    h->dirty_words = words;
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
        /* made beside and renamed in: a process killed between the create and the header's
         * write must not leave an index the next run cannot open (a new store's first run) */
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp", h->path);
        int rc = hix_create(tmp, HIX_MIN_BITS, 0, &fd);
        if (rc)
            return rc;
        if (fsync(fd) < 0 || rename(tmp, h->path) < 0) {
            rc = cw_error_set(CW_EIO, "%s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return rc;
        }
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
    /* a writer trusts the count to decide when to grow: one past the slots would make every
     * insert double the index, up to 2^32 home slots (a 32 GiB file written) */
    if (h->count > n)
        return cw_error_set(CW_ECORRUPT,
                            "%s: header says %llu live entries, more than its %llu slots; cause: "
                            "a damaged index header",
                            h->path, (unsigned long long)h->count, (unsigned long long)n);
    return hix_map(h, fd, (unsigned)bits);
}

int cw_hashidx_close(cw_hashidx *h)
{
    int rc = 0;
    if (h->held) {
        munmap(h->mem, h->mem_len);
        cw_free(h->dirty);
        h->mem = NULL;
        h->mem_anon = false;
        h->dirty = NULL;
        h->held = false;
    }
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
    if (h->writable && !h->held) /* held: the sync writes it with the slots */
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

/* the ordered position of entry v in dh's geometry when `next` is one past the entry before it */
static inline uint64_t place_at(const cw_hashidx *dh, uint64_t v, uint64_t next)
{
    uint64_t p = home_of(dh, v);
    return p < next ? next : p;
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
        uint64_t p = place_at(dh, v, next);
        if (p >= dh->n_slots)
            return false;
        dst[p] = v;
        next = p + 1;
        live++;
    }
    *count = live;
    return true;
}

/* In-place growth (below): the old slots are read in ranges of this many, last range first. */
#define GROW_RANGE 4096

/* The placement of the sorted entries of src (n slots) in a table of dh's geometry, as
 * place_all gives it, without writing it: for each range of GROW_RANGE source slots, the first
 * position its entries may take (one past the entry before them). False when the last run does
 * not fit. */
static bool plan_ranges(const cw_hashidx *dh, const uint64_t *src, uint64_t n, uint64_t *next_at)
{
    uint64_t next = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (i % GROW_RANGE == 0)
            next_at[i / GROW_RANGE] = next;
        if (!src[i])
            continue;
        uint64_t p = place_at(dh, src[i], next);
        if (p >= dh->n_slots)
            return false;
        next = p + 1;
    }
    return true;
}

/* place_all into the same memory, grown: slots holds the old table's n entries (any geometry
 * with fewer home slots than dh's), and zeros up to dh->n_slots. An entry's new position is
 * never before its old one (its home there is at least twice the old home, and each entry before
 * it moves right too), so the ranges are placed last first: a range's entries are taken out,
 * its slots cleared, and the entries written at their positions, which lie in this range or in
 * slots the later ranges have already cleared. */
static void place_back(const cw_hashidx *dh, uint64_t *slots, uint64_t n, const uint64_t *next_at)
{
    uint64_t buf[GROW_RANGE];
    for (uint64_t r = (n + GROW_RANGE - 1) / GROW_RANGE; r-- > 0;) {
        uint64_t a = r * GROW_RANGE, b = a + GROW_RANGE < n ? a + GROW_RANGE : n, k = 0;
        for (uint64_t i = a; i < b; i++) {
            if (slots[i])
                buf[k++] = slots[i];
        }
        memset(slots + a, 0, (size_t)(b - a) * 8);
        uint64_t next = next_at[r];
        for (uint64_t i = 0; i < k; i++) {
            uint64_t p = place_at(dh, buf[i], next);
            slots[p] = buf[i];
            next = p + 1;
        }
    }
}

/* A held index whose memory is already anonymous grows in it: mremap extends the map (the new
 * slots zero) and place_back moves the entries up. Only the added half is new memory; a fresh
 * map for each growth touched the whole new table (on this kind of VM a first touch of memory
 * costs far more than the placement). 0, CW_ENOTFOUND when the entries do not fit that
 * geometry (the caller doubles again), or an error. */
static int grow_in_place(cw_hashidx *h, unsigned bits)
{
    uint64_t n = ((uint64_t)1 << bits) + tail_of(bits);
    size_t len = HIX_HEADER + (size_t)n * 8;
    cw_hashidx nh = *h;
    nh.bits = bits;
    nh.cap = (uint64_t)1 << bits;
    nh.n_slots = n;
    uint64_t *next_at = cw_malloc(((size_t)(h->n_slots / GROW_RANGE) + 1) * sizeof *next_at);
    if (!next_at)
        return cw_error_set(CW_ENOMEM, "%s: growing to 2^%u slots: out of memory", h->path, bits);
    if (!plan_ranges(&nh, h->slots, h->n_slots, next_at)) {
        cw_free(next_at);
        return CW_ENOTFOUND;
    }
    void *m = mremap(h->mem, h->mem_len, len, MREMAP_MAYMOVE);
    if (m == MAP_FAILED) {
        cw_free(next_at);
        return cw_error_set(CW_ENOMEM, "%s: growing to 2^%u slots: %s", h->path, bits,
                            strerror(errno));
    }
    uint64_t *slots = (uint64_t *)(void *)((uint8_t *)m + HIX_HEADER);
    place_back(&nh, slots, h->n_slots, next_at);
    cw_free(next_at);
    h->mem = m;
    h->mem_len = len;
    h->slots = slots;
    h->bits = bits;
    h->cap = nh.cap;
    h->n_slots = n;
    h->dirty_all = true;
    return 0;
}

/* The most home slots (log2) a growth may reach: 8 times what the live entries need at 70%
 * load. Past that, a run that does not fit is no hash's bad luck but a damaged index (entries out
 * of order, or piled on one home), which doubling would carry to 2^32 home slots (a 32 GiB file
 * written). Counts the live slots: the header's count may lie too. */
static unsigned max_growth_bits(const cw_hashidx *h)
{
    uint64_t live = 0;
    for (uint64_t i = 0; i < h->n_slots; i++)
        live += h->slots[i] != 0;
    uint64_t need = live * 10 / 7 + 1;
    unsigned b = HIX_MIN_BITS;
    while (b < HIX_MAX_BITS && ((uint64_t)1 << b) < need)
        b++;
    return b + 3 < HIX_MAX_BITS ? b + 3 : HIX_MAX_BITS;
}

static int damaged(const cw_hashidx *h, unsigned bits)
{
    return cw_error_set(CW_ECORRUPT,
                        "%s: an insert would grow it past 2^%u home slots, 8 times what its "
                        "entries need; cause: a damaged index (a wrong count in its header, "
                        "entries out of order or piled on one home)",
                        h->path, bits);
}

/* Growing a held index: in its own memory when that is anonymous already (grow_in_place), else
 * (the first growth after cw_hashidx_hold, whose memory maps the file) a new anonymous map,
 * filled in one pass; the file follows at the next sync (written whole and renamed over). */
static int grow_held(cw_hashidx *h)
{
    unsigned max_bits = max_growth_bits(h);
    for (unsigned bits = h->bits + 1; bits <= HIX_MAX_BITS; bits++) {
        if (bits > max_bits)
            return damaged(h, bits - 1);
        if (h->mem_anon) {
            int rc = grow_in_place(h, bits);
            if (rc == CW_ENOTFOUND)
                continue; /* a pathological run: double again */
            return rc;
        }
        uint64_t n = ((uint64_t)1 << bits) + tail_of(bits);
        size_t len = HIX_HEADER + (size_t)n * 8;
        void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return cw_error_set(CW_ENOMEM, "%s: growing to 2^%u slots: %s", h->path, bits,
                                strerror(errno));
#ifdef MADV_HUGEPAGE
        (void)madvise(m, len, MADV_HUGEPAGE); /* random probes: fewer TLB misses */
#endif
        cw_hashidx nh = *h;
        nh.bits = bits;
        nh.cap = (uint64_t)1 << bits;
        nh.n_slots = n;
        nh.slots = (uint64_t *)(void *)((uint8_t *)m + HIX_HEADER);
        uint64_t live;
        if (!place_all(&nh, nh.slots, h->slots, h->n_slots, UINT32_MAX, &live)) {
            munmap(m, len);
            continue; /* a pathological run: double again */
        }
        munmap(h->mem, h->mem_len);
        h->mem = m;
        h->mem_len = len;
        h->mem_anon = true;
        h->slots = nh.slots;
        h->bits = bits;
        h->cap = nh.cap;
        h->n_slots = n;
        h->dirty_all = true;
        return 0;
    }
    return cw_error_set(CW_EINVAL, "%s: index full (2^%d home slots)", h->path, HIX_MAX_BITS);
}

static int grow(cw_hashidx *h)
{
    if (h->held)
        return grow_held(h);
    unsigned max_bits = max_growth_bits(h);
    for (unsigned bits = h->bits + 1; bits <= HIX_MAX_BITS; bits++) {
        if (bits > max_bits)
            return damaged(h, bits - 1);
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
    mark(h, i, j);
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

int cw_hashidx_find_or_insert(cw_hashidx *h, uint64_t h64, const void *key, uint32_t id,
                              cw_hashidx_eq eq, void *ctx, uint32_t *out)
{
    uint64_t v = slot_make(h64, id), fp = h64 >> 32;
    uint64_t *s = h->slots, n = h->n_slots, i = home_of(h, v);
    /* the slots before v's ordered position: every one find would compare (a larger
     * fingerprint, or this one with an id >= `id`, is a larger value) */
    for (; i < n && s[i] && s[i] < v; i++) {
        if ((s[i] >> 32) == fp && eq(key, (uint32_t)s[i] - 1, ctx)) {
            *out = (uint32_t)s[i] - 1;
            return 0;
        }
    }
    *out = id;
    if ((h->count + 1) * 10 > h->cap * 7)
        return cw_hashidx_insert(h, h64, id); /* grows first: positions move */
    uint64_t j = i;
    while (j < n && s[j])
        j++;
    if (j >= n)
        return cw_hashidx_insert(h, h64, id); /* the run passes the tail: grows */
    /* as raw_insert: shifted from the end */
    for (uint64_t k = j; k > i; k--)
        ((volatile uint64_t *)s)[k] = s[k - 1];
    ((volatile uint64_t *)s)[i] = v;
    mark(h, i, j);
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
    mark(h, (uint64_t)found, i);
    h->shrank = true;
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
    h->dirty_all = h->shrank = true;
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

void cw_hashidx_clear(cw_hashidx *h)
{
    memset(h->slots, 0, (size_t)h->n_slots * 8);
    cw_hashidx_set_count(h, 0);
    h->dirty_all = h->shrank = true;
}

int cw_hashidx_hold(cw_hashidx *h)
{
    if (!h->writable || h->held)
        return 0;
    uint64_t writing;
    memcpy(&writing, h->map + HIX_WRITING, 8);
    h->torn = writing != 0;
    void *m = mmap(NULL, h->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE, h->fd, 0);
    if (m == MAP_FAILED)
        return cw_error_set(CW_EIO, "%s: mmap: %s", h->path, strerror(errno));
    h->mem = m;
    h->mem_len = h->map_len;
    h->mem_anon = false;
    h->slots = (uint64_t *)(void *)(h->mem + HIX_HEADER);
    h->file_bits = h->bits;
    h->held = true;
    h->dirty_all = h->shrank = false;
    int rc = dirty_alloc(h);
    if (rc)
        return rc;
    /* a growth interrupted before its rename leaves the new file beside the index */
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.grow", h->path);
    (void)unlink(tmp);
    return 0;
}

/* copies slots [lo, hi) that differ from memory into the file's map, last first (or first
 * first when `forward`) */
static void copy_group(const cw_hashidx *h, uint64_t lo, uint64_t hi, bool forward)
{
    volatile uint64_t *dst = (volatile uint64_t *)(void *)(h->map + HIX_HEADER);
    const uint64_t *src = h->slots;
    if (forward) {
        for (uint64_t k = lo; k < hi; k++) {
            if (dst[k] != src[k])
                dst[k] = src[k];
        }
    } else {
        for (uint64_t k = hi; k-- > lo;) {
            if (dst[k] != src[k])
                dst[k] = src[k];
        }
    }
}

/* After a growth: the whole index written beside the file, made durable and renamed over it. */
static int sync_rewrite(cw_hashidx *h)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.grow", h->path);
    int fd;
    int rc = hix_create(tmp, h->bits, h->count, &fd);
    if (rc)
        return rc;
    step(h);
    const uint8_t *p = (const uint8_t *)h->slots;
    size_t len = (size_t)h->n_slots * 8, chunk = (size_t)8 << 20;
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        if (pwrite(fd, p + off, n, (off_t)(HIX_HEADER + off)) != (ssize_t)n) {
            rc = cw_error_set(CW_EIO, "%s: write: %s", tmp, strerror(errno));
            break;
        }
    }
    if (!rc && (fsync(fd) < 0 || rename(tmp, h->path) < 0))
        rc = cw_error_set(CW_EIO, "%s: %s", tmp, strerror(errno));
    if (rc) {
        close(fd);
        unlink(tmp);
        return rc;
    }
    step(h);
    /* the new file replaces the old one; the memory stays the writer's copy */
    uint64_t n_slots = h->n_slots, cap = h->cap;
    unsigned bits = h->bits;
    uint64_t *slots = h->slots;
    munmap(h->map, h->map_len);
    close(h->fd);
    h->fd = fd;
    if ((rc = hix_map(h, fd, bits)))
        return rc;
    h->slots = slots; /* hix_map points them at the file */
    h->n_slots = n_slots;
    h->cap = cap;
    h->file_bits = bits;
    h->dirty_all = h->shrank = false;
    return dirty_alloc(h);
}

static int sync_held(cw_hashidx *h)
{
    if (h->bits != h->file_bits)
        return sync_rewrite(h);
    uint64_t groups = (h->n_slots + CW_HIX_GROUP - 1) / CW_HIX_GROUP, n_dirty = 0;
    for (size_t w = 0; w < h->dirty_words; w++)
        n_dirty += (uint64_t)__builtin_popcountll(h->dirty[w]);
    if (h->dirty_all)
        n_dirty = groups;
    uint64_t file_count;
    memcpy(&file_count, h->map + 16, 8);
    if (!n_dirty && file_count == h->count)
        return 0;
    /* the file is a mix of two states until the copy below is durable */
    const uint64_t one = 1, zero = 0;
    memcpy(h->map + HIX_WRITING, &one, 8);
    if (msync(h->map, HIX_HEADER, MS_SYNC) < 0)
        return cw_error_set(CW_EIO, "%s: msync: %s", h->path, strerror(errno));
    step(h);
    bool fwd = h->shrank;
    uint64_t done = 0;
    for (uint64_t i = 0; i < groups; i++) {
        uint64_t g = fwd ? i : groups - 1 - i;
        if (!h->dirty_all && !(h->dirty[g >> 6] >> (g & 63) & 1))
            continue;
        uint64_t lo = g * CW_HIX_GROUP, hi = lo + CW_HIX_GROUP;
        copy_group(h, lo, hi < h->n_slots ? hi : h->n_slots, fwd);
        if (++done == (n_dirty + 1) / 2)
            step(h); /* half the changed groups written */
    }
    memcpy(h->map + 16, &h->count, 8);
    if (msync(h->map, h->map_len, MS_SYNC) < 0)
        return cw_error_set(CW_EIO, "%s: msync: %s", h->path, strerror(errno));
    memcpy(h->map + HIX_WRITING, &zero, 8); /* durable with the next sync; until then a crash
                                                only costs a rebuild */
    memset(h->dirty, 0, h->dirty_words * sizeof *h->dirty);
    h->dirty_all = h->shrank = false;
    return 0;
}

int cw_hashidx_sync(cw_hashidx *h)
{
    if (h->held)
        return sync_held(h);
    if (h->writable && msync(h->map, h->map_len, MS_SYNC) < 0)
        return cw_error_set(CW_EIO, "%s: msync: %s", h->path, strerror(errno));
    return 0;
}

void cw_hashidx_populate(cw_hashidx *h)
{
#ifdef MADV_POPULATE_WRITE
    if (h->writable && !h->held && h->map_len > HIX_HEADER)
        (void)madvise(h->map + HIX_HEADER, h->map_len - HIX_HEADER, MADV_POPULATE_WRITE);
#else
    (void)h;
#endif
}

uint64_t cw_hashidx_bytes(const cw_hashidx *h)
{
    return h->map_len;
}
