/*
 * warm.c: reading files into the page cache for a server's warm-up (cw_store_warm, store.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/store.h"
#include "chainwatch/util.h"

int cw_store_warm(const char *const *paths, size_t n, uint64_t budget,
                  bool (*go_on)(void *arg, uint64_t done), void *arg, uint64_t *out_bytes,
                  uint64_t *out_total)
{
    enum { CHUNK = 1 << 20 };
    uint64_t done = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (paths[i] && stat(paths[i], &st) == 0)
            total += (uint64_t)st.st_size;
    }
    if (out_total)
        *out_total = total;
    uint8_t *buf = cw_malloc(CHUNK);
    if (!buf)
        return cw_error_set(CW_ENOMEM, "out of memory");
    int rc = 0;
    bool stopped = false;
    for (size_t i = 0; !rc && !stopped && i < n; i++) {
        if (!paths[i])
            continue;
        int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT) /* not every store has every file */
                continue;
            rc = cw_error_set(CW_EIO, "%s: %s", paths[i], strerror(errno));
            break;
        }
        /* No read-ahead on this descriptor: each pread is one 1 MiB disk read, finished before
         * the next is asked for. With the kernel's read-ahead (up to 8-16 MiB a window on
         * virtual disks) a lookup's 4 KiB read queued behind megabytes of warm-up. */
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
        for (off_t off = 0;; off += CHUNK) {
            if (done + CHUNK > budget || (go_on && !go_on(arg, done))) {
                stopped = true;
                break;
            }
            ssize_t got = pread(fd, buf, CHUNK, off);
            if (got < 0 && errno == EINTR) {
                off -= CHUNK;
                continue;
            }
            if (got < 0) {
                rc = cw_error_set(CW_EIO, "%s: read at %lld: %s", paths[i], (long long)off,
                                  strerror(errno));
                break;
            }
            if (got == 0)
                break;
            done += (uint64_t)got;
        }
        close(fd);
    }
    cw_free(buf);
    if (out_bytes)
        *out_bytes = done;
    /* the files are read to their end: files that grew meanwhile (a commit) gave more than
     * their size at the start */
    if (out_total && done > total)
        *out_total = done;
    return rc;
}
