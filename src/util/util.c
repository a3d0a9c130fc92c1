/*
 * util.c: allocation wrappers, hex, hashing through OpenSSL's EVP interface, whole-file I/O,
 * atomic file replacement, the growable buffer, strict number parsing and a monotonic clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The SHA256_CTX interface is deprecated in OpenSSL 3 but avoids EVP's per-call provider
 * dispatch, which costs more than hashing a typical transaction; txid hashing is the ingest
 * hot path (see bench/bench_ingest.c). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/ripemd.h>
#include <openssl/sha.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"

void *cw_malloc(size_t n)
{
    return malloc(n ? n : 1);
}

void *cw_calloc(size_t count, size_t n)
{
    return calloc(count ? count : 1, n ? n : 1);
}

void *cw_realloc(void *p, size_t n)
{
    return realloc(p, n ? n : 1);
}

int cw_grow(void *pp, size_t *cap, size_t need, size_t elem, size_t min_cap)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap > SIZE_MAX / 2 ? SIZE_MAX : 2 * *cap;
    if (nc < need)
        nc = need;
    if (nc < min_cap)
        nc = min_cap;
    if (elem && nc > SIZE_MAX / elem)
        return cw_error_set(CW_ENOMEM, "out of memory (%zu elements of %zu bytes)", nc, elem);
    void *p;
    memcpy(&p, pp, sizeof p); /* pp points at a T *: read and write it as bytes */
    void *np = cw_realloc(p, nc * elem);
    if (!np)
        return cw_error_set(CW_ENOMEM, "out of memory");
    memcpy(pp, &np, sizeof np);
    *cap = nc;
    return 0;
}

char *cw_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = cw_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void cw_free(void *p)
{
    free(p);
}

static const char hexdigits[] = "0123456789abcdef";

void cw_hex_encode(char *out, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexdigits[in[i] >> 4];
        out[2 * i + 1] = hexdigits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void cw_hex_encode_rev(char *out, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = in[n - 1 - i];
        out[2 * i] = hexdigits[b >> 4];
        out[2 * i + 1] = hexdigits[b & 15];
    }
    out[2 * n] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int cw_hex_decode(uint8_t *out, size_t n, const char *hex)
{
    if (strlen(hex) != 2 * n)
        return cw_error_set(CW_EINVAL, "expected %zu hex digits, got %zu", 2 * n, strlen(hex));
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return cw_error_set(CW_EINVAL, "bad hex digit at position %zu", 2 * i);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int cw_hex_decode_rev(uint8_t *out, size_t n, const char *hex)
{
    int rc = cw_hex_decode(out, n, hex);
    if (rc)
        return rc;
    for (size_t i = 0; i < n / 2; i++) {
        uint8_t t = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = t;
    }
    return 0;
}

int cw_hex_decode_alloc(uint8_t **out, size_t *out_len, const char *hex)
{
    size_t len = strlen(hex);
    if (len % 2)
        return cw_error_set(CW_EINVAL, "odd number of hex digits (%zu)", len);
    uint8_t *buf = cw_malloc(len / 2);
    if (!buf)
        return cw_error_set(CW_ENOMEM, "out of memory");
    int rc = cw_hex_decode(buf, len / 2, hex);
    if (rc) {
        cw_free(buf);
        return rc;
    }
    *out = buf;
    *out_len = len / 2;
    return 0;
}

void cw_sha256(uint8_t out[32], const void *data, size_t n)
{
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, data, n);
    SHA256_Final(out, &ctx);
}

static void be32_words(uint8_t out[32], const SHA256_CTX *c)
{
    for (size_t i = 0; i < 8; i++) {
        uint32_t w = c->h[i];
        out[4 * i] = (uint8_t)(w >> 24);
        out[4 * i + 1] = (uint8_t)(w >> 16);
        out[4 * i + 2] = (uint8_t)(w >> 8);
        out[4 * i + 3] = (uint8_t)w;
    }
}

/* The second SHA-256 of a double hash has a 32-byte message: one compression of the digest and
 * fixed padding (0x80, zeros, length 256 bits), without Init/Update/Final's buffering. */
static void sha256_32(uint8_t out[32], const uint8_t digest[32])
{
    uint8_t blk[64] = {0};
    memcpy(blk, digest, 32);
    blk[32] = 0x80;
    blk[62] = 0x01; /* 256 bits */
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Transform(&c, blk);
    be32_words(out, &c);
}

void cw_sha256d(uint8_t out[32], const void *data, size_t n)
{
    uint8_t first[32];
    cw_sha256(first, data, n);
    sha256_32(out, first);
}

void cw_sha256d64(uint8_t out[32], const uint8_t in[64])
{
    static const uint8_t pad[64] = {[0] = 0x80, [62] = 0x02}; /* 512 bits */
    SHA256_CTX c;
    uint8_t first[32];
    SHA256_Init(&c);
    SHA256_Transform(&c, in);
    SHA256_Transform(&c, pad);
    be32_words(first, &c);
    sha256_32(out, first);
}

void cw_sha256d_pieces(uint8_t out[32], size_t n_pieces, const void *const *data, const size_t *len)
{
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    for (size_t i = 0; i < n_pieces; i++)
        SHA256_Update(&ctx, data[i], len[i]);
    uint8_t first[32];
    SHA256_Final(first, &ctx);
    sha256_32(out, first);
}

void cw_hash160(uint8_t out[20], const void *data, size_t n)
{
    uint8_t sha[32];
    cw_sha256(sha, data, n);
    RIPEMD160(sha, 32, out); /* direct call: no per-call provider fetch (see the note above) */
}

int cw_file_read(uint8_t **out, size_t *out_len, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cw_error_set(errno == ENOENT ? CW_ENOTFOUND : CW_EIO, "%s: %s", path,
                            strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return cw_error_set(CW_EIO, "%s: %s", path, strerror(errno));
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = cw_malloc(n + 1);
    if (!buf) {
        close(fd);
        return cw_error_set(CW_ENOMEM, "%s: out of memory for %zu bytes", path, n);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = errno;
            cw_free(buf);
            close(fd);
            return cw_error_set(CW_EIO, "%s: read failed at offset %zu: %s", path, got,
                                r == 0 ? "unexpected end of file" : strerror(e));
        }
        got += (size_t)r;
    }
    buf[n] = 0;
    close(fd);
    *out = buf;
    *out_len = n;
    return 0;
}

int cw_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return cw_error_set(CW_EIO, "%s: %s", dir, strerror(errno));
    int rc = fsync(fd);
    close(fd);
    if (rc < 0)
        return cw_error_set(CW_EIO, "fsync %s: %s", dir, strerror(errno));
    return 0;
}

int cw_file_write_atomic(const char *path, const void *data, size_t n)
{
    char tmp[PATH_MAX], dir[PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return cw_error_set(CW_EINVAL, "path too long: %s", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return cw_error_set(CW_EIO, "%s: %s", tmp, strerror(errno));
    const uint8_t *p = data;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return cw_error_set(CW_EIO, "write %s: %s", tmp, strerror(e));
        }
        done += (size_t)w;
    }
    if (fsync(fd) < 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return cw_error_set(CW_EIO, "fsync %s: %s", tmp, strerror(e));
    }
    close(fd);
    if (rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return cw_error_set(CW_EIO, "rename %s: %s", tmp, strerror(e));
    }
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    return cw_fsync_dir(dir);
}

int cw_mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    if ((size_t)snprintf(buf, sizeof buf, "%s", path) >= sizeof buf)
        return cw_error_set(CW_EINVAL, "path too long: %s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                return cw_error_set(CW_EIO, "mkdir %s: %s", buf, strerror(errno));
            *p = '/';
        }
    }
    if (mkdir(buf, 0755) < 0 && errno != EEXIST)
        return cw_error_set(CW_EIO, "mkdir %s: %s", buf, strerror(errno));
    return 0;
}

int cw_buf_reserve(cw_buf *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra)
        cap *= 2;
    uint8_t *d = cw_realloc(b->data, cap);
    if (!d)
        return cw_error_set(CW_ENOMEM, "out of memory growing a buffer to %zu bytes", cap);
    b->data = d;
    b->cap = cap;
    return 0;
}

int cw_buf_append(cw_buf *b, const void *data, size_t n)
{
    int rc = cw_buf_reserve(b, n + 1);
    if (rc)
        return rc;
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

int cw_buf_printf(cw_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return cw_error_set(CW_EINVAL, "bad format");
    }
    int rc = cw_buf_reserve(b, (size_t)n + 1);
    if (rc) {
        va_end(ap2);
        return rc;
    }
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
    return 0;
}

void cw_buf_deinit(cw_buf *b)
{
    cw_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int cw_dec_shift(char *out, size_t n, const char *dec, long decimals)
{
    if (n)
        out[0] = '\0';
    bool neg = dec[0] == '-';
    const char *d = dec + neg;
    size_t len = strlen(d);
    if (len == 0 || len > 100 || strspn(d, "0123456789") != len || decimals < 0 || decimals > 77)
        return CW_EINVAL;
    size_t k = (size_t)decimals, o = 0;
    char buf[1 + 100 + 2 + 77 + 1]; /* sign, digits, "0.", leading zeros of the fraction */
    if (neg)
        buf[o++] = '-';
    if (k == 0) {
        memcpy(buf + o, d, len);
        o += len;
    } else if (len <= k) {
        buf[o++] = '0';
        buf[o++] = '.';
        for (size_t z = len; z < k; z++)
            buf[o++] = '0';
        memcpy(buf + o, d, len);
        o += len;
    } else {
        memcpy(buf + o, d, len - k);
        o += len - k;
        buf[o++] = '.';
        memcpy(buf + o, d + len - k, k);
        o += k;
    }
    buf[o] = '\0';
    char *dot = strchr(buf, '.');
    if (dot) { /* trim the fraction's trailing zeros, and the point itself */
        while (o > (size_t)(dot - buf) + 1 && buf[o - 1] == '0')
            buf[--o] = '\0';
        if (buf + o - 1 == dot)
            buf[--o] = '\0';
    }
    bool zero = strspn(buf + neg, "0.") == o - neg;
    snprintf(out, n, "%s", zero ? "0" : buf);
    return 0;
}

int cw_parse_u64(uint64_t *out, const char *s)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return cw_error_set(CW_EINVAL, "not a non-negative integer: '%s'", s ? s : "");
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return cw_error_set(CW_EINVAL, "not a non-negative integer: '%s'", s);
    *out = v;
    return 0;
}

int cw_parse_i64(int64_t *out, const char *s)
{
    if (!s || !*s)
        return cw_error_set(CW_EINVAL, "not an integer: ''");
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return cw_error_set(CW_EINVAL, "not an integer: '%s'", s);
    *out = v;
    return 0;
}

int cw_parse_double(double *out, const char *s)
{
    if (!s || !*s)
        return cw_error_set(CW_EINVAL, "not a number: ''");
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end)
        return cw_error_set(CW_EINVAL, "not a number: '%s'", s);
    *out = v;
    return 0;
}
