/*
 * fuzz_files.h: for fuzz targets whose input becomes files (a blocks directory, a store's
 * files): one temporary directory per process under $TMPDIR (made on the first input, emptied
 * between inputs, removed at exit), whole-file writes, and the error rule every such target
 * checks. The including target defines FUZZ_NAME ("fuzz_blkdir") first.
 */
#ifndef CW_FUZZ_FILES_H
#define CW_FUZZ_FILES_H

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/errors.h"

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, FUZZ_NAME ": " __VA_ARGS__);                                               \
        fprintf(stderr, " (last error: %s)\n", cw_error_last());                                   \
        abort();                                                                                   \
    } while (0)

static char fuzz_dir[512];

/* Removes the files of the temporary directory. */
static inline void fuzz_empty_dir(void)
{
    DIR *d = opendir(fuzz_dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[PATH_MAX + 256];
        snprintf(p, sizeof p, "%s/%s", fuzz_dir, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
}

static inline void fuzz_remove_dir(void)
{
    fuzz_empty_dir();
    rmdir(fuzz_dir);
}

/* The temporary directory, made on the first call (returns true then), emptied on the others. */
static inline bool fuzz_tmpdir(void)
{
    if (fuzz_dir[0]) {
        fuzz_empty_dir();
        return false;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/" FUZZ_NAME "_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fuzz_dir))
        FAIL("cannot make a temporary directory");
    atexit(fuzz_remove_dir);
    return true;
}

/* Writes path with n bytes of p, then extends it with zeros to pad_to when that is larger. */
static inline void fuzz_write_file(const char *path, const uint8_t *p, size_t n, size_t pad_to)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        FAIL("cannot create %s", path);
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            FAIL("cannot write %s", path);
        p += w;
        n -= (size_t)w;
    }
    if (pad_to && ftruncate(fd, (off_t)pad_to) < 0)
        FAIL("cannot extend %s", path);
    close(fd);
}

/* A failure must be a CW_E* code whose message names `what` (a file, or the directory that
 * every file path begins with). */
static inline void fuzz_check_error(int rc, const char *what, const char *step)
{
    if (rc >= 0 || rc < CW_EBUSY)
        FAIL("%s: return code %d is no CW_E* error", step, rc);
    if (rc != CW_ENOMEM && !strstr(cw_error_last(), what))
        FAIL("%s: error message does not name %s: %s", step, what, cw_error_last());
}

#endif
