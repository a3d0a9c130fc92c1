/*
 * fuzz_store.c: libFuzzer target for a damaged store's column and hash-index files
 * (src/store/column.c, hashidx.c): the header may lie about the width, rows, geometry or count.
 *
 * Input: byte 0 chooses. Bit 0 clear: a column file; byte 1 + 1 is the row width the reader
 * expects and the rest is the file (t.col). Bit 0 set: a hash index; the rest is the file
 * (t.hix); with bit 1 set and a header whose bits are 10..14, the file is completed to the
 * geometry those bits give (slot count in the header, zero slots to the right length) so that
 * the fuzzer reaches the slots. Bit 2: the writer prunes to the limit first (a recovery);
 * bits 3-7 give that limit (x 97) and, with bits 0-7, the keys looked up and inserted. Files are
 * written into a temporary directory made once per process.
 *
 * The rule: a damaged file gets a clear error naming the file, never a crash or an
 * out-of-bounds read. Invariants (abort() on violation):
 * - column: open returns 0 or a CW_E* error naming t.col; an open column maps exactly the whole
 *   rows the file holds, each reads back, the row past them is "not in the file" (CW_EBUSY);
 *   a writer that appends one row after them and closes leaves one more row.
 * - hash index: open and verify return 0 or an error naming t.hix; lookups stay inside the
 *   slots (ASan), and an id found is below the limit; a writer's open takes prune, inserts and
 *   deletes (of an index that verified: it still verifies and finds what was inserted); its
 *   growth is bounded by the entries it holds (a header count that lies must not make a writer
 * double the index up to 2^32 slots). File sizes are capped (RLIMIT_FSIZE 256 MiB) so no input
 * fills the disk.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/store.h"

#define FUZZ_NAME "fuzz_store"
#include "fuzz_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_column(const char *dir, const uint8_t *data, size_t size)
{
    if (size < 2)
        return;
    uint32_t width = (uint32_t)data[1] + 1;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/t.col", dir);
    fuzz_write_file(path, data + 2, size - 2, 0);
    cw_column c;
    int rc = cw_column_open(&c, dir, "t", width, false);
    if (rc) {
        fuzz_check_error(rc, path, "column open");
        if (c.fd >= 0)
            FAIL("column open failed but left its file open");
        return;
    }
    size_t fsize = size - 2;
    if (fsize < CW_COLUMN_HEADER || c.cap != (fsize - CW_COLUMN_HEADER) / width ||
        c.map_len != fsize)
        FAIL("column of %zu bytes, width %u: cap %llu, map %zu", fsize, width,
             (unsigned long long)c.cap, c.map_len);
    uint8_t row[256];
    for (uint64_t i = 0; i < c.cap; i++) {
        if ((rc = cw_column_read(&c, i, row)))
            FAIL("row %llu of %llu cannot be read", (unsigned long long)i,
                 (unsigned long long)c.cap);
    }
    rc = cw_column_read(&c, c.cap, row);
    if (rc != CW_EBUSY)
        FAIL("row past the file: rc %d, expected CW_EBUSY", rc);
    fuzz_check_error(rc, path, "column read");
    uint64_t cap = c.cap;
    cw_column_close(&c, false);
    /* a writer appends after the rows the file holds (its owner's count) and trims */
    if ((rc = cw_column_open(&c, dir, "t", width, true)))
        FAIL("writable open of a column that opened read-only: rc %d", rc);
    c.rows = cap;
    memset(row, 0xa5, sizeof row);
    if ((rc = cw_column_append(&c, row)))
        fuzz_check_error(rc, path, "column append");
    if ((rc = cw_column_close(&c, true)))
        fuzz_check_error(rc, path, "column close");
    if ((rc = cw_column_open(&c, dir, "t", width, false)))
        FAIL("column does not reopen after a writer's close: rc %d", rc);
    if (c.cap != cap + 1)
        FAIL("%llu rows after appending one to %llu", (unsigned long long)c.cap,
             (unsigned long long)cap);
    if ((rc = cw_column_read(&c, cap, row)) || row[0] != 0xa5 || row[width - 1] != 0xa5)
        FAIL("appended row does not read back");
    cw_column_close(&c, false);
}

static bool eq_third(const void *key, uint32_t id, void *ctx)
{
    (void)key;
    (void)ctx;
    return id % 3 == 0;
}

static bool eq_id(const void *key, uint32_t id, void *ctx)
{
    (void)ctx;
    return *(const uint32_t *)key == id;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

static void fuzz_hashidx(const char *dir, const uint8_t *data, size_t size)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/t.hix", dir);
    size_t pad = 0;
    uint8_t hdr[64];
    const uint8_t *file = data + 1;
    size_t flen = size - 1;
    if ((data[0] & 2) && flen >= 64) {
        uint64_t bits;
        memcpy(&bits, file + 8, 8);
        if (bits >= 10 && bits <= 14) {
            uint64_t n = ((uint64_t)1 << bits) + 64 + ((uint64_t)1 << bits) / 256;
            memcpy(hdr, file, 64);
            memcpy(hdr + 24, &n, 8);
            pad = 64 + (size_t)n * 8;
            if (flen > pad)
                flen = pad;
        }
    }
    if (pad) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, hdr, 64) != 64 ||
            (flen > 64 && write(fd, file + 64, flen - 64) != (ssize_t)(flen - 64)) ||
            ftruncate(fd, (off_t)pad) < 0)
            FAIL("cannot write %s", path);
        close(fd);
    } else {
        fuzz_write_file(path, file, flen, 0);
    }
    uint32_t limit = (uint32_t)(data[0] >> 3) * 97u;
    cw_hashidx h;
    int rc = cw_hashidx_open(&h, dir, "t", false);
    if (rc) {
        fuzz_check_error(rc, path, "index open");
        cw_hashidx_close(&h);
        return;
    }
    int vrc = cw_hashidx_verify(&h, UINT32_MAX);
    if (vrc)
        fuzz_check_error(vrc, path, "index verify");
    uint32_t id;
    for (uint64_t k = 0; k < 64; k++) {
        uint64_t h64 = mix(k ^ (uint64_t)data[0] << 40);
        if (k < h.n_slots && h.slots[k * h.n_slots / 64])
            h64 = h.slots[k * h.n_slots / 64] & 0xffffffff00000000ull; /* a stored fingerprint */
        if (cw_hashidx_find(&h, h64, NULL, limit, eq_third, NULL, &id) == 0 &&
            (id >= limit || id % 3))
            FAIL("find returned id %u (limit %u)", id, limit);
    }
    uint64_t live = 0;
    for (uint64_t i = 0; i < h.n_slots; i++)
        live += h.slots[i] != 0;
    unsigned bits0 = h.bits;
    cw_hashidx_close(&h);
    enum { N_INS = 40 };
    /* a writer's open (a store's writer never verifies first): prune to the limit, insert ids
     * past it, delete one; when the file verified, it must still verify and find them */
    if ((rc = cw_hashidx_open(&h, dir, "t", true))) {
        fuzz_check_error(rc, path, "writable index open");
        cw_hashidx_close(&h);
        return;
    }
    if (data[0] & 4) { /* a writer's recovery of an interrupted write */
        cw_hashidx_prune(&h, limit);
        if (!vrc && (rc = cw_hashidx_verify(&h, limit)))
            FAIL("a verified index does not verify after prune: rc %d", rc);
    } else {
        limit = UINT32_MAX - N_INS; /* every stored id stays visible */
    }
    /* growth: bounded by what the entries need (70% load), with room for a hash's bad luck */
    uint64_t need = (live + N_INS) * 10 / 7 + 1, cap0 = (uint64_t)1 << bits0;
    for (uint32_t k = 0; k < N_INS; k++) {
        if ((rc = cw_hashidx_insert(&h, mix(k + 1000u * data[0]), limit + k))) {
            fuzz_check_error(rc, path, "index insert");
            cw_hashidx_close(&h);
            return;
        }
        if (h.cap > 16 * (need > cap0 ? need : cap0))
            FAIL("index grew from 2^%u to 2^%u home slots for %llu entries", bits0, h.bits,
                 (unsigned long long)(live + k + 1));
    }
    cw_hashidx_delete(&h, mix(1000u * data[0] + 1), limit);
    if (vrc) {
        cw_hashidx_close(&h);
        return;
    }
    if ((rc = cw_hashidx_verify(&h, limit + N_INS)))
        FAIL("index does not verify after inserts: rc %d", rc);
    for (uint32_t k = 1; k < N_INS; k++) {
        uint32_t want = limit + k;
        if (cw_hashidx_find(&h, mix(k + 1000u * data[0]), &want, limit + N_INS, eq_id, NULL, &id) !=
                0 ||
            id != want)
            FAIL("inserted id %u not found", want);
    }
    cw_hashidx_close(&h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (fuzz_tmpdir()) {
        /* no input may fill the disk: writes past 256 MiB fail (EFBIG) instead */
        struct rlimit rl = {256u << 20, 256u << 20};
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &rl);
    }
    if (data[0] & 1)
        fuzz_hashidx(fuzz_dir, data, size);
    else
        fuzz_column(fuzz_dir, data, size);
    return 0;
}
