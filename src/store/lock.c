/*
 * lock.c: the one writer's lock of a store or of a derived build beside it: an flock'ed file,
 * taken without waiting (a second writer is refused, not queued) and released when the
 * descriptor closes, so a killed writer never leaves a stale lock behind.
 */
#include <errno.h>
#include <fcntl.h>
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
