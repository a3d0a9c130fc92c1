/*
 * fuzz_blkdir.c: libFuzzer target for Bitcoin Core block directories (src/chain/btc/parse/
 * blkfile.c) and what ingest reads from one: blk*.dat framing (magic, size, record), the zero
 * tail (raw or after de-obfuscation, sparse holes), xor.dat, several files in name order.
 *
 * Input: byte 0 = (files - 1) in bits 0-1 (1..4 files), xor.dat present in bit 2 (8 key bytes
 * follow), xor.dat of the wrong length in bit 3, bits 4-6 the network (0 and 5-7: taken from
 * the files, 1 main, 2 test, 3 signet, 4 regtest), bit 7: the last file ends in a 64 KiB hole
 * (a sparse preallocated tail). Then, for every file but the last, a 16-bit LE length and that
 * many bytes; the last file gets the rest. The files are written as
 * blk00000.dat... into a temporary directory (made once per process, emptied per input).
 *
 * Invariants (abort() on violation): open, detect and scan return 0 or a CW_E* error whose
 * message names the directory's path; a scan error on the files names "offset". On success
 * every record lies inside its file, records of a file follow each other in order without
 * overlap, their count is at most total bytes / 89, and each record reads back (cw_blkdir_read)
 * and decodes as ingest does (decode, classify, witness check, merkle) or fails with a message;
 * a decoded block's hash is the record's.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/block.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"

#define FUZZ_NAME "fuzz_blkdir"
#include "fuzz_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fuzz_tmpdir();
    const char *dir = fuzz_dir;
    uint8_t mode = data[0];
    size_t off = 1;
    unsigned n_files = (mode & 3u) + 1;
    char path[PATH_MAX];
    if (mode & 4) {
        if (size - off < 8)
            return 0;
        snprintf(path, sizeof path, "%s/xor.dat", dir);
        fuzz_write_file(path, data + off, (mode & 8) ? 7 : 8, 0);
        off += 8;
    }
    for (unsigned i = 0; i < n_files; i++) {
        size_t len = size - off;
        if (i + 1 < n_files) {
            if (size - off < 2)
                return 0;
            len = (size_t)data[off] | (size_t)data[off + 1] << 8;
            off += 2;
            if (len > size - off)
                len = size - off;
        }
        snprintf(path, sizeof path, "%s/blk%05u.dat", dir, i);
        bool hole = i + 1 == n_files && (mode & 0x80);
        fuzz_write_file(path, data + off, len, hole ? len + 65536 : 0);
        off += len;
    }
    static const cw_network nets[8] = {CW_NET_MAIN,    CW_NET_MAIN, CW_NET_TEST, CW_NET_SIGNET,
                                       CW_NET_REGTEST, CW_NET_MAIN, CW_NET_MAIN, CW_NET_MAIN};
    unsigned nk = (mode >> 4) & 7u;
    bool detect = nk == 0 || nk > 4;
    cw_blkdir *d = NULL;
    int rc = cw_blkdir_open(&d, dir, nets[nk]);
    if (rc) {
        fuzz_check_error(rc, dir, "open");
        return 0;
    }
    cw_network net;
    if (detect && (rc = cw_blkdir_detect_network(d, &net))) {
        fuzz_check_error(rc, dir, "detect");
        cw_blkdir_close(d);
        return 0;
    }
    if (cw_blkdir_n_files(d) != n_files)
        FAIL("%u files written, %u listed", n_files, cw_blkdir_n_files(d));
    cw_blkrec *recs = NULL;
    size_t n_recs = 0;
    if ((rc = cw_blkdir_scan(d, &recs, &n_recs))) {
        fuzz_check_error(rc, dir, "scan");
        if (rc == CW_ECORRUPT && !strstr(cw_error_last(), "offset"))
            FAIL("scan: a damaged file's error does not give the offset");
        cw_blkdir_close(d);
        return 0;
    }
    if (n_recs > cw_blkdir_total_bytes(d) / 89)
        FAIL("%zu records in %llu bytes", n_recs, (unsigned long long)cw_blkdir_total_bytes(d));
    cw_block b = {0};
    uint8_t *buf = NULL;
    uint64_t next = 0;
    for (size_t i = 0; i < n_recs; i++) {
        const cw_blkrec *r = &recs[i];
        if (r->file >= n_files)
            FAIL("record %zu: file %u of %u", i, r->file, n_files);
        if (i > 0 && recs[i - 1].file > r->file)
            FAIL("record %zu: files out of order", i);
        if (i == 0 || recs[i - 1].file != r->file)
            next = 0;
        if (r->offset < next + 8 || r->size < 81 || r->size > CW_MAX_BLOCK_SIZE)
            FAIL("record %zu: offset %llu size %u overlaps or is impossible", i,
                 (unsigned long long)r->offset, r->size);
        next = r->offset + r->size;
        buf = realloc(buf, r->size);
        if (!buf)
            FAIL("out of memory");
        if ((rc = cw_blkdir_read(d, r, buf)))
            FAIL("record %zu: scanned but cannot be read (rc %d)", i, rc);
        char what[PATH_MAX + 64];
        snprintf(what, sizeof what, "%s: block at offset %llu", cw_blkdir_file_path(d, r->file),
                 (unsigned long long)r->offset);
        rc = cw_block_decode(&b, buf, r->size, what, r->offset, CW_HASH_ALL);
        if (rc == 0 && memcmp(b.hash, r->hash, 32) != 0)
            FAIL("record %zu: decoded hash differs from the scanned one", i);
        if (rc == 0 && (rc = cw_block_classify(&b)) == 0 &&
            (rc = cw_block_check_witness(&b, what)) == 0) {
            uint8_t root[32];
            if (cw_block_merkle(root, &b) != 0)
                FAIL("record %zu: decoded but no merkle root", i);
        }
        if (rc)
            fuzz_check_error(rc, dir, "decode");
    }
    free(buf);
    cw_block_deinit(&b);
    free(recs);
    cw_blkdir_close(d);
    return 0;
}
