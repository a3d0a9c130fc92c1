/*
 * blkfile.c: Bitcoin Core block directories: blk?????.dat files in number order, each a
 * sequence of records `magic | u32 LE size | block`, a zero-filled preallocated tail, and
 * (Core 28+) an 8-byte XOR key in xor.dat applied as byte[i] ^= key[i % 8] by file offset.
 *
 * Scanning reads only the 8-byte frame and the 80-byte header of each record, so a rescan of a
 * large directory is cheap. A zero tail may follow the last record of any file: zeros on disk
 * (Core preallocates with posix_fallocate; in an obfuscated Core 28+ file those raw zeros read
 * as key bytes after de-obfuscation, the "zero tail after obfuscation") or zeros after
 * de-obfuscation; the rest of the file must then be zeros of the same kind (holes of sparse
 * files are skipped). Anything else (bad magic, non-zero bytes after the zero tail, a size
 * running past the end of the file) is an error naming the file, the offset and the cause.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chainwatch/btc/block.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"

typedef struct blkfile {
    char *path;
    char *name;
    int fd;
    uint64_t size;
} blkfile;

struct cw_blkdir {
    char *dir;
    cw_network net;
    uint8_t magic[4];
    uint8_t key[8];
    bool xor ;
    blkfile *files;
    uint32_t n_files;
    uint64_t total;
};

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_blk_name(const char *n)
{
    /* blk + digits + .dat (Core uses 5 digits; accept any count). */
    if (strncmp(n, "blk", 3) != 0)
        return false;
    const char *p = n + 3;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    return strcmp(p, ".dat") == 0;
}

/* Every magic a blocks directory may start with: one per network, and testnet4's beside
 * testnet3's (both are the "test" network to addresses: same prefixes, same hrp). */
static const struct {
    cw_network net;
    uint8_t magic[4];
    const char *name;
} known_magics[] = {
    {CW_NET_MAIN, {0xf9, 0xbe, 0xb4, 0xd9}, "main"},
    {CW_NET_TEST, {0x0b, 0x11, 0x09, 0x07}, "testnet3"},
    {CW_NET_TEST, {0x1c, 0x16, 0x3f, 0x28}, "testnet4"},
    {CW_NET_SIGNET, {0x0a, 0x03, 0xcf, 0x40}, "signet"},
    {CW_NET_REGTEST, {0xfa, 0xbf, 0xb5, 0xda}, "regtest"},
};
enum { N_KNOWN_MAGICS = sizeof known_magics / sizeof known_magics[0] };

static int known_magic(const uint8_t m[4])
{
    for (int i = 0; i < N_KNOWN_MAGICS; i++)
        if (!memcmp(m, known_magics[i].magic, 4))
            return i;
    return -1;
}

static int read_at(const cw_blkdir *d, const blkfile *f, uint64_t off, uint8_t *buf, size_t n);

/* The first 4 bytes (de-obfuscated) of the first file that does not start with a zero tail:
 * the magic of the directory's first record. *file is n_files when every file is empty. */
static int first_magic(const cw_blkdir *d, uint8_t m[4], uint32_t *file)
{
    for (uint32_t fi = 0; fi < d->n_files; fi++) {
        const blkfile *f = &d->files[fi];
        uint8_t raw[4];
        if (f->size < 4)
            continue;
        int rc = read_at(d, f, 0, m, 4);
        if (rc)
            return rc;
        memcpy(raw, m, 4);
        if (d->xor)
            for (int i = 0; i < 4; i++)
                raw[i] ^= d->key[i];
        if (!memcmp(m, "\0\0\0\0", 4) || !memcmp(raw, "\0\0\0\0", 4))
            continue; /* a preallocated file with no record yet */
        *file = fi;
        return 0;
    }
    *file = d->n_files;
    return 0;
}

/* Testnet4's blocks carry their own magic; a directory of them is the "test" network. */
static int pick_test_magic(cw_blkdir *d)
{
    uint8_t m[4];
    uint32_t fi;
    int rc = first_magic(d, m, &fi), k;
    if (rc == 0 && fi < d->n_files && (k = known_magic(m)) >= 0 && known_magics[k].net == d->net)
        memcpy(d->magic, m, 4);
    return rc;
}

int cw_blkdir_detect_network(cw_blkdir *d, cw_network *net)
{
    uint8_t m[4];
    uint32_t fi;
    int rc = first_magic(d, m, &fi), k;
    if (rc)
        return rc;
    if (fi == d->n_files)
        return cw_error_set(CW_ENOTFOUND,
                            "%s: no block record to take the network from (every blk file is "
                            "empty); give the network",
                            d->dir);
    if ((k = known_magic(m)) < 0)
        return cw_error_set(CW_ECORRUPT,
                            "%s: offset 0: magic %02x%02x%02x%02x%s is no network's (main "
                            "f9beb4d9, testnet3 0b110907, testnet4 1c163f28, signet 0a03cf40, "
                            "regtest fabfb5da); cause: not a Bitcoin Core block file%s",
                            d->files[fi].path, m[0], m[1], m[2], m[3],
                            d->xor ? " after de-obfuscation with xor.dat" : "",
                            d->xor ? ", or an xor.dat from another directory" : "");
    d->net = known_magics[k].net;
    memcpy(d->magic, known_magics[k].magic, 4);
    *net = d->net;
    return 0;
}

int cw_blkdir_open(cw_blkdir **out, const char *dir, cw_network net)
{
    int rc = 0;
    char **names = NULL;
    size_t n = 0, cap = 0;
    cw_blkdir *d = cw_calloc(1, sizeof *d);
    if (!d)
        return cw_error_set(CW_ENOMEM, "out of memory");
    d->dir = cw_strdup(dir);
    d->net = net;
    cw_network_magic(d->magic, net);
    DIR *dh = opendir(dir);
    if (!dh) {
        rc = cw_error_set(errno == ENOENT ? CW_ENOTFOUND : CW_EIO, "%s: %s", dir, strerror(errno));
        goto out;
    }
    struct dirent *e;
    while ((e = readdir(dh))) {
        if (!is_blk_name(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn) {
                closedir(dh);
                rc = cw_error_set(CW_ENOMEM, "out of memory");
                goto out;
            }
            names = nn;
        }
        names[n++] = cw_strdup(e->d_name);
    }
    closedir(dh);
    if (n == 0) {
        rc = cw_error_set(CW_ENOTFOUND, "%s: no blk*.dat files", dir);
        goto out;
    }
    qsort(names, n, sizeof *names, cmp_names);
    d->files = cw_calloc(n, sizeof *d->files);
    if (!d->files) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        blkfile *f = &d->files[i];
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        f->path = cw_strdup(path);
        f->name = names[i];
        names[i] = NULL;
        f->fd = open(path, O_RDONLY | O_CLOEXEC);
        d->n_files = (uint32_t)(i + 1);
        if (f->fd < 0) {
            rc = cw_error_set(CW_EIO, "%s: %s", path, strerror(errno));
            goto out;
        }
        struct stat st;
        if (fstat(f->fd, &st) < 0) {
            rc = cw_error_set(CW_EIO, "%s: %s", path, strerror(errno));
            goto out;
        }
        f->size = (uint64_t)st.st_size;
        d->total += f->size;
    }
    /* xor.dat: absent, or 8 bytes (all zero means no obfuscation). */
    char kpath[PATH_MAX];
    snprintf(kpath, sizeof kpath, "%s/xor.dat", dir);
    uint8_t *key = NULL;
    size_t klen = 0;
    rc = cw_file_read(&key, &klen, kpath);
    if (rc == 0) {
        if (klen != 8) {
            cw_free(key);
            rc = cw_error_set(CW_ECORRUPT, "%s: expected an 8-byte key, found %zu bytes", kpath,
                              klen);
            goto out;
        }
        memcpy(d->key, key, 8);
        cw_free(key);
        for (int i = 0; i < 8; i++)
            d->xor |= d->key[i] != 0;
    } else if (rc != CW_ENOTFOUND) {
        goto out;
    }
    rc = d->net == CW_NET_TEST ? pick_test_magic(d) : 0;
out:
    for (size_t i = 0; i < n; i++)
        cw_free(names ? names[i] : NULL);
    cw_free(names);
    if (rc) {
        cw_blkdir_close(d);
        return rc;
    }
    *out = d;
    return 0;
}

void cw_blkdir_close(cw_blkdir *d)
{
    if (!d)
        return;
    for (uint32_t i = 0; i < d->n_files; i++) {
        if (d->files[i].fd >= 0)
            close(d->files[i].fd);
        cw_free(d->files[i].path);
        cw_free(d->files[i].name);
    }
    cw_free(d->files);
    cw_free(d->dir);
    cw_free(d);
}

uint32_t cw_blkdir_n_files(const cw_blkdir *d)
{
    return d->n_files;
}

const char *cw_blkdir_file_name(const cw_blkdir *d, uint32_t file)
{
    return file < d->n_files ? d->files[file].name : "?";
}

const char *cw_blkdir_file_path(const cw_blkdir *d, uint32_t file)
{
    return file < d->n_files ? d->files[file].path : "?";
}

uint64_t cw_blkdir_total_bytes(const cw_blkdir *d)
{
    return d->total;
}

/* pread of the bytes as stored on disk. */
static int read_raw(const blkfile *f, uint64_t off, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(f->fd, buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return cw_error_set(CW_EIO, "%s: read at offset %llu: %s", f->path,
                                (unsigned long long)off + got, strerror(errno));
        if (r == 0)
            return cw_error_set(CW_ECORRUPT, "%s: unexpected end of file at offset %llu", f->path,
                                (unsigned long long)off + got);
        got += (size_t)r;
    }
    return 0;
}

static void deobfuscate(const cw_blkdir *d, uint64_t off, uint8_t *buf, size_t n)
{
    if (d->xor)
        for (size_t i = 0; i < n; i++)
            buf[i] ^= d->key[(off + i) % 8];
}

/* pread with de-obfuscation by file offset. */
static int read_at(const cw_blkdir *d, const blkfile *f, uint64_t off, uint8_t *buf, size_t n)
{
    int rc = read_raw(f, off, buf, n);
    if (rc == 0)
        deobfuscate(d, off, buf, n);
    return rc;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        if (x)
            return false;
    }
    for (; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Whether the rest of the file from off is zero bytes: as stored on disk (raw: Core's
 * preallocated tail, never obfuscated) or after de-obfuscation (a copy written through the
 * key). Returns 0 when it is, 1 with *bad set to the first other byte, or an error. Holes of a
 * sparse file are skipped without reading them. */
static int rest_is_zero(const cw_blkdir *d, const blkfile *f, uint64_t off, bool raw, uint64_t *bad)
{
    uint8_t buf[65536];
    while (off < f->size) {
        if (raw) {
            off_t data = lseek(f->fd, (off_t)off, SEEK_DATA);
            if (data < 0 && errno == ENXIO)
                return 0; /* a hole up to the end */
            if (data > (off_t)off)
                off = (uint64_t)data;
            if (off >= f->size)
                return 0;
        }
        size_t n = f->size - off < sizeof buf ? (size_t)(f->size - off) : sizeof buf;
        int rc = raw ? read_raw(f, off, buf, n) : read_at(d, f, off, buf, n);
        if (rc)
            return rc;
        if (!all_zero(buf, n)) {
            for (size_t i = 0; i < n; i++) {
                if (buf[i]) {
                    *bad = off + i;
                    return 1;
                }
            }
        }
        off += n;
    }
    return 0;
}

/* A zero tail starts at off (raw: zeros on disk; otherwise zeros after de-obfuscation): the
 * rest of the file must be zeros of the same kind. Returns 0 or an error naming the cause. */
static int check_tail(const cw_blkdir *d, const blkfile *f, uint64_t off, bool raw)
{
    uint64_t bad = 0;
    int z = rest_is_zero(d, f, off, raw, &bad);
    if (z <= 0)
        return z;
    const char *kind = d->xor &&raw ? "zero tail after obfuscation (raw zeros on disk, as Core "
                                      "28+ leaves its preallocated space)"
                                    : "zero tail (Core's preallocated space)";
    return cw_error_set(CW_ECORRUPT,
                        "%s: garbage (non-zero byte) at offset %llu after the %s that starts at "
                        "offset %llu; cause: data after the zero tail (a damaged or "
                        "concatenated file?)",
                        f->path, (unsigned long long)bad, kind, (unsigned long long)off);
}

/* The cause of a bad magic at off: raw holds the 4 bytes on disk, plain after de-obfuscation. */
static const char *bad_magic_cause(const cw_blkdir *d, const uint8_t raw[4], const uint8_t plain[4],
                                   char *buf, size_t n)
{
    if (d->xor &&!memcmp(raw, d->magic, 4))
        return "the file is not obfuscated but xor.dat holds a key (an xor.dat from another "
               "directory?)";
    int k = known_magic(plain), own = known_magic(d->magic);
    if (k >= 0 && memcmp(plain, d->magic, 4)) {
        if (known_magics[k].net == d->net && own >= 0)
            snprintf(buf, n, "%s blocks in a directory of %s blocks", known_magics[k].name,
                     known_magics[own].name);
        else
            snprintf(buf, n, "blocks of another network: %s (ingest them as %s)",
                     known_magics[k].name, cw_network_name(known_magics[k].net));
        return buf;
    }
    if (!d->xor &&raw[0] && raw[1] && raw[2] && raw[3])
        return "garbage between records? (or an obfuscated file whose xor.dat is missing)";
    return "garbage between records? (or a damaged file)";
}

int cw_blkdir_scan(cw_blkdir *d, cw_blkrec **recs, size_t *n_recs)
{
    cw_blkrec *r = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (uint32_t fi = 0; fi < d->n_files; fi++) {
        const blkfile *f = &d->files[fi];
        uint64_t off = 0;
        while (off < f->size) {
            uint8_t frame[88], raw[8];
            size_t have = f->size - off < 8 ? (size_t)(f->size - off) : 8;
            if ((rc = read_raw(f, off, raw, have)))
                goto out;
            memcpy(frame, raw, have);
            deobfuscate(d, off, frame, have);
            /* Core's preallocated zero tail: raw zeros on disk even in an obfuscated file (they
             * read as key bytes after de-obfuscation), or zeros after de-obfuscation */
            bool raw_zero = all_zero(raw, have < 4 ? have : 4);
            bool plain_zero = all_zero(frame, have < 4 ? have : 4);
            if (raw_zero || plain_zero) {
                if ((rc = check_tail(d, f, off, raw_zero)))
                    goto out;
                break;
            }
            if (have < 8) {
                rc = cw_error_set(CW_ECORRUPT,
                                  "%s: truncated record header at offset %llu (%llu bytes "
                                  "left); cause: a truncated file",
                                  f->path, (unsigned long long)off, (unsigned long long)have);
                goto out;
            }
            if (memcmp(frame, d->magic, 4) != 0) {
                char cbuf[96];
                rc = cw_error_set(CW_ECORRUPT,
                                  "%s: bad magic %02x%02x%02x%02x at offset %llu (expected "
                                  "%02x%02x%02x%02x for %s%s); cause: %s",
                                  f->path, frame[0], frame[1], frame[2], frame[3],
                                  (unsigned long long)off, d->magic[0], d->magic[1], d->magic[2],
                                  d->magic[3], cw_network_name(d->net),
                                  d->xor ? ", after de-obfuscation with xor.dat" : "",
                                  bad_magic_cause(d, raw, frame, cbuf, sizeof cbuf));
                goto out;
            }
            uint32_t size = (uint32_t)frame[4] | (uint32_t)frame[5] << 8 |
                            (uint32_t)frame[6] << 16 | (uint32_t)frame[7] << 24;
            if (size < 81 || size > CW_MAX_BLOCK_SIZE) {
                rc = cw_error_set(CW_ECORRUPT,
                                  "%s: record at offset %llu has impossible block size %u "
                                  "(must be 81..%u); cause: a damaged record header",
                                  f->path, (unsigned long long)off, size, CW_MAX_BLOCK_SIZE);
                goto out;
            }
            if (size > f->size - off - 8) {
                rc = cw_error_set(CW_ECORRUPT,
                                  "%s: record at offset %llu says %u bytes but only %llu remain; "
                                  "cause: a truncated file (or a damaged size)",
                                  f->path, (unsigned long long)off, size,
                                  (unsigned long long)(f->size - off - 8));
                goto out;
            }
            if ((rc = read_at(d, f, off + 8, frame + 8, 80)))
                goto out;
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                cw_blkrec *nr = realloc(r, cap * sizeof *r);
                if (!nr) {
                    rc = cw_error_set(CW_ENOMEM, "out of memory");
                    goto out;
                }
                r = nr;
            }
            cw_blkrec *rec = &r[n++];
            rec->file = fi;
            rec->offset = off + 8;
            rec->size = size;
            cw_block_hash(rec->hash, frame + 8);
            memcpy(rec->prev, frame + 8 + 4, 32);
            memcpy(&rec->bits, frame + 8 + 72, 4);
            off += 8 + (uint64_t)size;
        }
    }
out:
    if (rc) {
        free(r);
        return rc;
    }
    *recs = r;
    *n_recs = n;
    return 0;
}

int cw_blkdir_read(cw_blkdir *d, const cw_blkrec *rec, uint8_t *buf)
{
    if (rec->file >= d->n_files)
        return cw_error_set(CW_EINVAL, "bad file index %u", rec->file);
    return read_at(d, &d->files[rec->file], rec->offset, buf, rec->size);
}
