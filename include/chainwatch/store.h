/*
 * store.h: the building blocks of chainwatch's memory-mapped stores.
 *
 * cw_column: a fixed-width column file. 64-byte header (magic "CWCOL001", format version, row
 * width, rows at last close, name), then rows. Writers map the file read-write with spare
 * capacity and append; the authoritative row count is the store's manifest, never the file
 * size, so a crash leaves at most unpublished rows past the count, which the next writer
 * overwrites. Readers map read-only.
 *
 * cw_hashidx: an on-disk hash table (ordered linear probing) from a key to a dense u32 id. A
 * slot holds (32-bit fingerprint << 32) | (id + 1); 0 is empty; the home slot is the top bits of
 * the fingerprint and live slots are kept sorted, so the layout depends only on the set of
 * entries (see hashidx.c). Keys are not stored: the caller's callback compares a key with the
 * key of an id (from its key column). Slots whose id is at or past the caller's visible limit are
 * skipped by lookups, so readers never see unpublished rows. Deletion shifts back: no tombstones.
 *
 * cw_manifest: named u64 counters in a small text file with an xxhash64 checksum line,
 * replaced atomically (write tmp, fsync, rename, fsync dir).
 */
#ifndef CHAINWATCH_STORE_H
#define CHAINWATCH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define CW_COLUMN_HEADER 64

typedef struct cw_column {
    int fd;
    bool writable;
    uint32_t width;
    uint64_t rows; /* rows the owner considers present (published or being written) */
    uint64_t cap;  /* rows that fit in the mapping */
    uint8_t *map;  /* header + rows */
    size_t map_len;
    size_t populated; /* bytes of the mapping already faulted in for appends */
    size_t written;   /* bytes whose writeback cw_column_writeback has started */
    char path[4096];
} cw_column;

/* Opens (creating when writable) dir/name.col with the given row width. */
int cw_column_open(cw_column *c, const char *dir, const char *name, uint32_t width, bool writable);
/* Unmaps and closes; when writable and truncate is set, trims the file to `rows` rows and
 * records rows in the header. */
int cw_column_close(cw_column *c, bool truncate);
/* As cw_column_close(c, true) without its msync and fsync (each a disk cache flush): for a
 * store whose rows a commit already made durable and whose row counts a manifest publishes, so
 * that the trim and the header's row count are tidying (no reader takes the count from the
 * header, and rows past the published ones are never read). */
int cw_column_close_unsynced(cw_column *c);
/* A writer's close of a column: records rows in the header; msync and fsync when `sync`
 * (cw_column_close(c, true)) or not (cw_column_close_unsynced); trims the file to the rows only
 * when `trim` (cw_store_trim_safe), else leaves its length (rows past `rows` are never read). */
int cw_column_close_rows(cw_column *c, bool sync, bool trim);
/* Makes room for n more rows past c->rows (remapping; pointers into the old map die). */
int cw_column_reserve(cw_column *c, uint64_t n);
/* Pointer to row i (borrowed; valid until the next reserve or close). */
static inline void *cw_column_row(const cw_column *c, uint64_t i)
{
    return c->map + CW_COLUMN_HEADER + i * c->width;
}
/* Appends one row (copying width bytes). */
int cw_column_append(cw_column *c, const void *row);
/* Copies row i into out (width bytes): from the mapping, or with pread past it (rows a writer in
 * another process appended after this handle mapped the file). CW_EBUSY when the file does not
 * hold the row, CW_EIO on a read error. For readers following a link a writer just made. */
int cw_column_read(const cw_column *c, uint64_t i, void *out);
/* msync of the rows [from, to). */
int cw_column_sync(cw_column *c, uint64_t from, uint64_t to);
/* Starts (does not wait for) the writeback of the whole pages of rows below `rows` that were
 * not started yet, once at least min_bytes have accumulated: for rows that are never written
 * again, so that a later cw_column_sync finds them on disk already. */
void cw_column_writeback(cw_column *c, uint64_t rows, size_t min_bytes);
/* Puts the file's bytes [from, to) (zeros; the caller has not written them yet) into the page
 * cache with write() and maps them writable in `map` (the whole file, mapped shared) at once:
 * large folios and one call instead of a page fault and a page_mkwrite per 4 KiB. A hint. */
void cw_store_prefault(int fd, uint8_t *map, size_t from, size_t to);
/* Tells the kernel that a read-only mapping (map, len: as mmap returned them) is read at random
 * points: a page fault then reads its own page instead of the device's read-ahead window around
 * it (up to 8 MiB on virtual disks, so a cold point lookup would read megabytes per page it
 * touches). For point lookups (the server); scans should not call it. A hint. */
void cw_store_advise_random(const void *map, size_t len);
/* Takes the one writer's lock: opens (creating) the lock file at path and flocks it without
 * waiting. CW_EBUSY "who: busy" when another process holds it, CW_EIO naming path when it cannot
 * be opened; *fd is -1 after a failure. Closing *fd releases it (also when the process dies). */
int cw_store_lock(int *fd, const char *path, const char *who, const char *busy);
/* The rollback generation of a store, in its lock file (a seqlock's counter; a missing or
 * short file reads 0). A writer that rewrites rows a reader may publish (a rollback: the
 * other fork's rows written where the dropped ones were) calls cw_store_gen_bump before it
 * publishes the smaller counts (the value goes odd) and again after (even), before it changes
 * any row; a writable open calls cw_store_gen_settle first, which bumps an odd value (a rollback
 * killed between its two bumps, whose undo the recovery finishes). CW_EIO naming path. */
int cw_store_gen_bump(int lock_fd, const char *path);
int cw_store_gen_settle(int lock_fd, const char *path);
/* A reader's view: cw_store_gen_open (read-only; never creates the file) before it reads the
 * manifest (it also holds a shared OFD lock on byte 8 + the generation it read until
 * cw_store_gen_close: the handle's rows must not be trimmed under it, cw_store_trim_safe);
 * cw_store_gen_check after it has read the rows of an answer: CW_EBUSY "DIR: the store was rolled
 * back ... reopen" when the generation moved (the answer may mix two forks), CW_EIO on a read
 * error, else 0. Needs no lock: threads may check one view together. */
typedef struct cw_store_gen {
    int fd;        /* the lock file, read-only (-1: none when opened; checks open it each time) */
    int alt;       /* without a lock file (a store copied without it): alt_path, read-only, whose
                      byte 8 this reader holds instead (-1: none) */
    uint64_t seen; /* the generation before the manifest was read */
} cw_store_gen;
/* alt_path: a file of the store that a writer never replaces (its blocks.col), locked instead of
 * a missing lock file, which a read-only open cannot create; a writer's close checks both. */
void cw_store_gen_open(cw_store_gen *g, const char *path, const char *alt_path);
int cw_store_gen_check(const cw_store_gen *g, const char *path, const char *dir);
void cw_store_gen_close(cw_store_gen *g);
/* A writer's close (lock_fd: its lock file) may trim the files to the rows it publishes: true
 * when no read-only handle that opened before the last rollback is open, holding its lock on
 * lock_fd or, having found no lock file, on alt_fd (the writer's descriptor of the file named
 * alt_path to cw_store_gen_open; -1: none) (its rows may lie past
 * the new branch's, and a trim under its mapping makes its next read of them a SIGBUS); false
 * while one is, or when that cannot be told (the files then keep their length, and a later
 * close trims them). */
bool cw_store_trim_safe(int lock_fd, int alt_fd);
/* Asking the kernel to start reading pages of read-only mappings without waiting for them
 * (MADV_WILLNEED): a point lookup names the rows it will read next, and their disk reads run
 * side by side instead of one page fault after another. cw_store_willneed_range adds the pages
 * holding bytes [off, off + n) of a mapping (map, len: as mmap returned them; bytes past len
 * are ignored) to v (*n_v entries of cap, left as is when full); cw_store_willneed asks for them
 * all, in one system call when the kernel has process_madvise (pidfd: cw_store_self_pidfd, or
 * -1: one madvise per entry). Hints: failures are ignored. */
void cw_store_willneed_range(struct iovec *v, size_t *n_v, size_t cap, const void *map, size_t len,
                             size_t off, size_t n);
void cw_store_willneed(int pidfd, const struct iovec *v, size_t n_v);
/* A descriptor of this process for cw_store_willneed (pidfd_open), or -1 without one. */
int cw_store_self_pidfd(void);
/* Reads the files paths[0..n) (NULL entries and missing files skipped) into the operating
 * system's page cache, in that order, one 1 MiB read at a time without read-ahead: a server's
 * warm-up, so that later page faults in their mappings are minor. Stops before reading past
 * `budget` bytes in all, or when go_on(arg, done) returns false (asked before each read with
 * the bytes read so far; may be NULL, and may sleep to pace the reads). Nothing is mapped or
 * changed. *out_bytes (may be NULL): bytes read; *out_total (may be NULL): the files' bytes,
 * set before the first go_on call and raised at the end to the bytes read when the files grew
 * meanwhile (they are read to their end). 0, or CW_EIO naming the file, CW_ENOMEM. */
int cw_store_warm(const char *const *paths, size_t n, uint64_t budget,
                  bool (*go_on)(void *arg, uint64_t done), void *arg, uint64_t *out_bytes,
                  uint64_t *out_total);
/* File size the rows occupy. */
uint64_t cw_column_bytes(const cw_column *c);

typedef struct cw_hashidx {
    int fd;
    bool writable;
    unsigned bits;    /* log2 of the home slots */
    uint64_t cap;     /* home slots, 2^bits (load is kept <= 70% of it) */
    uint64_t n_slots; /* home slots plus the overflow tail */
    uint64_t count;   /* live entries */
    uint64_t *slots;  /* the slots read and written: in the file's map, or in `mem` when held */
    uint8_t *map;     /* the file, mapped shared */
    size_t map_len;
    char path[4096];
    /* held (cw_hashidx_hold): the writer's slots live in private memory and reach the file only
     * at cw_hashidx_sync */
    bool held;
    bool torn;          /* the file was found in the middle of a sync (see cw_hashidx_hold) */
    bool dirty_all;     /* every slot group to copy at the next sync */
    bool shrank;        /* entries moved left (deletes) since the last sync */
    unsigned file_bits; /* geometry of the file when held (bits differs after a growth) */
    uint8_t *mem;       /* private copy: header + slots (a private map of the file, or anonymous) */
    bool mem_anon;      /* mem is anonymous (after a growth): the next growth extends it in place */
    size_t mem_len;
    uint64_t *dirty; /* bitmap of changed groups of CW_HIX_GROUP slots since the last sync */
    size_t dirty_words;
    void (*step)(void *); /* called between the steps of a held sync (tests' crash points) */
    void *step_ctx;
} cw_hashidx;
#define CW_HIX_GROUP 512 /* slots per dirty-tracking group (one 4 KiB page of slots) */

/* Returns true when key equals the key stored for id. */
typedef bool (*cw_hashidx_eq)(const void *key, uint32_t id, void *ctx);

int cw_hashidx_open(cw_hashidx *h, const char *dir, const char *name, bool writable);
int cw_hashidx_close(cw_hashidx *h);
/* Looks up a key with hash h64; ids >= limit are invisible. Returns 0 and *id, or CW_ENOTFOUND. */
int cw_hashidx_find(const cw_hashidx *h, uint64_t h64, const void *key, uint32_t limit,
                    cw_hashidx_eq eq, void *ctx, uint32_t *id);
/* Inserts id for a key known to be absent; grows (a streaming pass) past 70% load. */
int cw_hashidx_insert(cw_hashidx *h, uint64_t h64, uint32_t id);
/* cw_hashidx_find with limit = id, then cw_hashidx_insert of id when the key is absent, over one
 * walk of the probe sequence: the entries find compares (same fingerprint, id below `id`) all
 * lie before id's ordered position. *out is the id found, or id when it was inserted (so
 * *out != id means present). 0, or an error of growing. */
int cw_hashidx_find_or_insert(cw_hashidx *h, uint64_t h64, const void *key, uint32_t id,
                              cw_hashidx_eq eq, void *ctx, uint32_t *out);
/* Replaces the id stored for a present key (old id) with new_id. */
int cw_hashidx_replace(cw_hashidx *h, uint64_t h64, uint32_t old_id, uint32_t new_id);
/* Deletes the entry (h64, id) if present; returns 0 either way. */
int cw_hashidx_delete(cw_hashidx *h, uint64_t h64, uint32_t id);
/* Drops every entry whose id is >= limit (one sequential pass; crash recovery). */
void cw_hashidx_prune(cw_hashidx *h, uint32_t limit);
/* Checks the ordered layout (each live slot at max(its home, previous + 1), values strictly
 * increasing), that every id is below limit and that the header's count is right. */
int cw_hashidx_verify(const cw_hashidx *h, uint32_t limit);
/* Makes the file durable. Held: writes the slots changed since the last sync into the file
 * (see hashidx.c), or the whole index beside it and renamed over it after a growth. */
int cw_hashidx_sync(cw_hashidx *h);
/* For a writer: from now on the slots live in private memory (a private map of the file; an
 * anonymous one after a growth) and reach the file only at cw_hashidx_sync, so inserts and
 * growths between syncs write no file pages and take no write faults. Sets h->torn when the file
 * was left in the middle of a sync (a crash): its entries are then not to be trusted, and the
 * caller rebuilds them (cw_hashidx_clear, then cw_hashidx_insert for each published id). */
int cw_hashidx_hold(cw_hashidx *h);
/* Empties the index (same geometry): for a rebuild. */
void cw_hashidx_clear(cw_hashidx *h);
/* Makes every slot page writable again after a sync (one madvise instead of a write fault per
 * page): for writers that will insert at least about one entry per page before the next sync. */
void cw_hashidx_populate(cw_hashidx *h);
/* Starts loading the home slot of h64 into cache. */
static inline void cw_hashidx_prefetch(const cw_hashidx *h, uint64_t h64)
{
    __builtin_prefetch(&h->slots[(h64 >> 32) >> (32 - h->bits)]);
}
/* The first id whose slot carries h64's fingerprint, or UINT32_MAX: a candidate only (not
 * confirmed against the key), for warming caches ahead of cw_hashidx_find. */
static inline uint32_t cw_hashidx_peek(const cw_hashidx *h, uint64_t h64)
{
    uint64_t fp = h64 >> 32;
    const uint64_t *s = h->slots + (fp >> (32 - h->bits)), *end = h->slots + h->n_slots;
    for (; s < end && *s && (*s >> 32) <= fp; s++) {
        if ((*s >> 32) == fp)
            return (uint32_t)*s - 1;
    }
    return UINT32_MAX;
}
/* Records the live-entry count in the header. */
void cw_hashidx_set_count(cw_hashidx *h, uint64_t count);
uint64_t cw_hashidx_bytes(const cw_hashidx *h);

#define CW_MANIFEST_MAX 32
typedef struct cw_manifest {
    size_t n;
    char keys[CW_MANIFEST_MAX][32];
    uint64_t vals[CW_MANIFEST_MAX];
} cw_manifest;

int cw_manifest_read(cw_manifest *m, const char *path);
int cw_manifest_write(const cw_manifest *m, const char *path);
uint64_t cw_manifest_get(const cw_manifest *m, const char *key, uint64_t dflt);
int cw_manifest_set(cw_manifest *m, const char *key, uint64_t val);

/* Generation folders of derived files (src/store/derived.c; docs/STORE-FORMAT.md, "Derived files
 * beside readers"): a build writes STORE/NAME.<gen>/ whole, makes it durable, replaces its
 * manifest (naming gen) by rename, then removes the other folders; nothing is rewritten in place.
 * cw_derived_remove_gen removes every file of the folder (also ones a later build added), then
 * the folder. cw_derived_next_gen: a generation above the published one and above every folder
 * present, so a build never writes into a folder a reader may have opened. cw_derived_moved:
 * whether the manifest at path now differs from m (a build published since m was read); a
 * reader whose files the manifest names cannot be opened asks it and, when true, starts over
 * with the new manifest. cw_derived_test_hook: in test builds only, runs the shell command
 * CW_TEST_AFTER_DERIVED_MANIFEST (a reader calls it between reading a manifest and opening the
 * files it names). */
void cw_derived_gen_dir(char *out, size_t n, const char *store, const char *name, uint64_t gen);
void cw_derived_remove_gen(const char *store, const char *name, uint64_t gen);
void cw_derived_remove_other_gens(const char *store, const char *name, uint64_t keep);
uint64_t cw_derived_next_gen(const char *store, const char *name, uint64_t published);
bool cw_derived_moved(const cw_manifest *m, const char *path);
void cw_derived_test_hook(void);

#endif
