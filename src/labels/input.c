/*
 * input.c: reading import files. A path ending in ".bz2" is decompressed by a `bzip2 -dc`
 * child process (posix_spawnp, no shell; libbz2 is not among the linked libraries) whose
 * stdout we read through a pipe; its exit status is checked on close, so a truncated or
 * corrupt .bz2 file is an error even when the bytes decoded so far parse. The SHA-256 of the
 * decompressed content is computed on the way (provenance, and the idempotence check).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "chainwatch/errors.h"
#include "labels/labels_int.h"

extern char **environ;

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static void hex_digest(EVP_MD_CTX *ctx, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx, md, &n);
    cw_hex_encode(out, md, n);
}

int cw_labels__input_open(cw_labels__input *in, const char *path)
{
    memset(in, 0, sizeof *in);
    in->path = path;
    in->fd = -1;
    int rc = 0;
    EVP_MD_CTX *sha = EVP_MD_CTX_new();
    if (!sha || !EVP_DigestInit_ex(sha, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(sha);
        return cw_error_set(CW_ENOMEM, "out of memory");
    }
    in->sha = sha;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = cw_error_set(errno == ENOENT ? CW_ENOTFOUND : CW_EIO, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if (!ends_with(path, ".bz2")) {
        in->fd = fd;
        return 0;
    }
    /* bzip2 reads the file on its stdin, so names starting with '-' need no care. */
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        rc = cw_error_set(CW_EIO, "pipe: %s", strerror(errno));
        close(fd);
        goto fail;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, 0);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    char *argv[] = {(char *)(uintptr_t) "bzip2", (char *)(uintptr_t) "-dc", NULL};
    /* The child gets SIGPIPE's default action even if we ignore it (a server does), so that
     * closing the pipe early ends it by SIGPIPE rather than by a write error exit status. */
    posix_spawnattr_t attr;
    sigset_t def;
    posix_spawnattr_init(&attr);
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &def);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int e = posix_spawnp(&pid, "bzip2", &fa, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    close(fd);
    close(p[1]);
    if (e != 0) {
        close(p[0]);
        rc = cw_error_set(CW_EIO, "%s: cannot run bzip2 to decompress it: %s", path, strerror(e));
        goto fail;
    }
    in->fd = p[0];
    in->child = pid;
    return 0;
fail:
    EVP_MD_CTX_free(sha);
    in->sha = NULL;
    return rc;
}

ssize_t cw_labels__input_read(cw_labels__input *in, void *buf, size_t n)
{
    if (in->err)
        return in->err;
    ssize_t r;
    do {
        r = read(in->fd, buf, n);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        in->err = cw_error_set(CW_EIO, "%s: read: %s", in->path, strerror(errno));
        return in->err;
    }
    EVP_DigestUpdate((EVP_MD_CTX *)in->sha, buf, (size_t)r);
    in->bytes += (uint64_t)r;
    return r;
}

int cw_labels__input_close(cw_labels__input *in, char content_sha256[65])
{
    int rc = 0;
    if (in->fd >= 0)
        close(in->fd);
    in->fd = -1;
    if (in->child > 0) {
        int status = 0;
        pid_t r;
        do {
            r = waitpid(in->child, &status, 0);
        } while (r < 0 && errno == EINTR);
        if (r < 0)
            rc = cw_error_set(CW_EIO, "%s: waiting for bzip2: %s", in->path, strerror(errno));
        else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE)
            rc = 0; /* we stopped reading early; the caller reports why */
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            rc = cw_error_set(CW_ECORRUPT,
                              "%s: bzip2 -dc failed (status %d): the file is truncated or not "
                              "bzip2 data",
                              in->path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        in->child = 0;
    }
    if (in->sha) {
        if (content_sha256)
            hex_digest((EVP_MD_CTX *)in->sha, content_sha256);
        EVP_MD_CTX_free((EVP_MD_CTX *)in->sha);
        in->sha = NULL;
    }
    return rc;
}

int cw_labels__input_slurp(const char *path, cw_buf *out, char content_sha256[65])
{
    cw_labels__input in;
    int rc = cw_labels__input_open(&in, path);
    if (rc)
        return rc;
    out->len = 0;
    for (;;) {
        if ((rc = cw_buf_reserve(out, 1 << 16)))
            break;
        ssize_t r = cw_labels__input_read(&in, out->data + out->len, out->cap - out->len - 1);
        if (r < 0) {
            rc = (int)r;
            break;
        }
        if (r == 0)
            break;
        out->len += (size_t)r;
    }
    int rc2 = cw_labels__input_close(&in, content_sha256);
    if (!rc)
        rc = rc2;
    if (!rc)
        rc = cw_buf_append(out, "", 0);
    return rc;
}

int cw_labels__file_sha256(const char *path, char out[65])
{
    int rc = 0;
    unsigned char buf[1 << 16];
    EVP_MD_CTX *sha = EVP_MD_CTX_new();
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (!sha || !EVP_DigestInit_ex(sha, EVP_sha256(), NULL)) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    if (fd < 0) {
        rc = cw_error_set(errno == ENOENT ? CW_ENOTFOUND : CW_EIO, "%s: %s", path, strerror(errno));
        goto out;
    }
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = cw_error_set(CW_EIO, "%s: read: %s", path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        EVP_DigestUpdate(sha, buf, (size_t)r);
    }
    hex_digest(sha, out);
out:
    if (fd >= 0)
        close(fd);
    EVP_MD_CTX_free(sha);
    return rc;
}
