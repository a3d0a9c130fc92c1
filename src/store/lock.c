/*
 * lock.c: the one writer's lock of a store or of a derived build beside it: an flock'ed file,
 * taken without waiting (a second writer is refused, not queued) and released when the
 * descriptor closes, so a killed writer never leaves a stale lock behind.
 *
 * The lock file of a store also holds its rollback generation (cw_store_gen_*): a seqlock's
 * counter, odd while a rollback is publishing its smaller counts, that a reader compares with
 * the value it read before the manifest to know whether a rollback may have rewritten rows it
 * publishes. Not durable: only readers alive beside the writer need it. A reader also holds a
 * shared OFD lock on byte 8 + its generation of the file while its handle is open, so that a
 * writer's close can tell whether a handle from before a rollback, which may publish more rows
 * than the store now holds, is still mapping the files (cw_store_trim_safe).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/store.h"

int cw_store_lock(int *fd, const char *path, const char *who, const char *busy)
{
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0)
        return cw_error_set(CW_EIO, "%s: %s", path, strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        close(*fd);
        *fd = -1;
        return cw_error_set(CW_EBUSY, "%s: %s", who, busy);
    }
    return 0;
}

/* The generation is the lock file's first 8 bytes (little-endian; a shorter file reads 0). */
static uint64_t gen_pread(int fd, bool *ok)
{
    uint8_t b[8] = {0};
    ssize_t n = pread(fd, b, sizeof b, 0);
    *ok = n >= 0;
    uint64_t g = 0;
    for (int i = 7; n == (ssize_t)sizeof b && i >= 0; i--)
        g = g << 8 | b[i];
    return g;
}

int cw_store_gen_bump(int lock_fd, const char *path)
{
    bool ok;
    uint64_t g = gen_pread(lock_fd, &ok) + 1;
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(g >> (8 * i));
    if (!ok || pwrite(lock_fd, b, sizeof b, 0) != (ssize_t)sizeof b)
        return cw_error_set(CW_EIO, "%s: writing the rollback generation: %s", path,
                            strerror(errno));
    /* Seen by readers before any row this writer rewrites after it. */
    atomic_thread_fence(memory_order_seq_cst);
    return 0;
}

int cw_store_gen_settle(int lock_fd, const char *path)
{
    bool ok;
    uint64_t g = gen_pread(lock_fd, &ok);
    if (!ok)
        return cw_error_set(CW_EIO, "%s: reading the rollback generation: %s", path,
                            strerror(errno));
    return g & 1 ? cw_store_gen_bump(lock_fd, path) : 0;
}

/* A shared (F_RDLCK) or no (F_UNLCK) OFD lock on the byte of generation gen; false when the
 * kernel refuses it (then no writer can see this reader: its trims are as without readers). */
static bool gen_hold(int fd, uint64_t gen, short type)
{
    if (gen > (uint64_t)INT64_MAX - 16)
        return false;
    struct flock l = {
        .l_type = type, .l_whence = SEEK_SET, .l_start = (off_t)(8 + gen), .l_len = 1};
    return fcntl(fd, F_OFD_SETLK, &l) == 0;
}

void cw_store_gen_open(cw_store_gen *g, const char *path, const char *alt_path)
{
    g->fd = open(path, O_RDONLY | O_CLOEXEC);
    g->alt = -1;
    if (g->fd < 0 && alt_path) {
        /* No lock file (a store copied without it; a read-only open never creates one): hold
         * byte 8 (generation 0, all that a missing file reads as) of alt_path instead, which a
         * writer's close also checks. Failing that, this reader is as without a lock. */
        g->alt = open(alt_path, O_RDONLY | O_CLOEXEC);
        if (g->alt >= 0)
            (void)gen_hold(g->alt, 0, F_RDLCK);
    }
    bool ok = true;
    g->seen = g->fd >= 0 ? gen_pread(g->fd, &ok) : 0;
    /* Hold the generation read, then read it again: a rollback that moved it meanwhile may
     * have closed (and trimmed) without seeing this hold, so hold the new one. Once the value
     * reads the same after the hold, any later writer's close sees it. */
    for (int i = 0; g->fd >= 0 && ok && i < 16; i++) {
        (void)gen_hold(g->fd, g->seen, F_RDLCK);
        uint64_t now = gen_pread(g->fd, &ok);
        if (!ok || now == g->seen)
            break;
        (void)gen_hold(g->fd, g->seen, F_UNLCK);
        g->seen = now;
    }
    /* Read before the manifest that this generation vouches for. */
    atomic_thread_fence(memory_order_seq_cst);
}

/* any lock on bytes 8 .. 8 + g - 1 of fd (a reader holding a generation before g)? */
static bool gen_held_below(int fd, uint64_t g, bool *ok)
{
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 8, .l_len = (off_t)g};
    *ok = fcntl(fd, F_OFD_GETLK, &l) == 0;
    return l.l_type != F_UNLCK;
}

bool cw_store_trim_safe(int lock_fd, int alt_fd)
{
    bool ok;
    uint64_t g = gen_pread(lock_fd, &ok);
    if (!ok)
        return false; /* cannot tell: a tail left is harmless, a trim under a reader is not */
    if (g == 0)
        return true; /* never rolled back: no handle publishes more rows than the store */
    if (g > (uint64_t)INT64_MAX - 16)
        return false;
    /* any reader holding a generation before the current one, on the lock file or (one that
     * found none) on alt_fd? */
    bool held = gen_held_below(lock_fd, g, &ok);
    if (!ok || held)
        return false;
    if (alt_fd >= 0 && (gen_held_below(alt_fd, g, &ok) || !ok))
        return false;
    return true;
}

int cw_store_gen_check(const cw_store_gen *g, const char *path, const char *dir)
{
#ifdef CW_TEST_HOOKS
    /* Test hook, compiled only into test builds (CW_TEST_HOOKS: the asan and tsan presets): a
     * shell command run before the check, between the reads of an answer and the check
     * (tests/cli/reader_rollback.sh runs a real rollback there). A release build never runs a
     * command named by its environment. */
    const char *hook = getenv("CW_TEST_BEFORE_SNAPSHOT_CHECK");
    if (hook && *hook && system(hook) != 0)
        return cw_error_set(CW_EIO, "%s: CW_TEST_BEFORE_SNAPSHOT_CHECK failed", dir);
#endif
    /* After the rows the caller read. */
    atomic_thread_fence(memory_order_seq_cst);
    int fd = g->fd >= 0 ? g->fd : open(path, O_RDONLY | O_CLOEXEC);
    bool ok = true;
    uint64_t now = fd >= 0 ? gen_pread(fd, &ok) : 0;
    if (fd >= 0 && fd != g->fd)
        close(fd);
    if (!ok)
        return cw_error_set(CW_EIO, "%s: reading the rollback generation: %s", path,
                            strerror(errno));
    if (now != g->seen)
        return cw_error_set(CW_EBUSY,
                            "%s: the store was rolled back (a reorganisation) since this handle "
                            "opened it: its answer may mix two forks; reopen the store and ask "
                            "again",
                            dir);
    return 0;
}

void cw_store_gen_close(cw_store_gen *g)
{
    if (g->fd >= 0)
        close(g->fd);
    if (g->alt >= 0)
        close(g->alt);
    g->fd = -1;
    g->alt = -1;
}
