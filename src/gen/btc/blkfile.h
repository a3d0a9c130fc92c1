/*
 * blkfile.h (internal to src/chain/gen): writes blocks the way Bitcoin Core lays them out in
 * its blocks directory: blk00000.dat, blk00001.dat, ... each a sequence of
 * magic (4 bytes) | size (uint32 LE) | block, a new file started when the next record would
 * reach the maximum file size (128 MiB by default), and optionally obfuscated with the 8-byte
 * key stored in xor.dat (byte at file offset i is XORed with key[i % 8], Core 28+).
 */
#ifndef CW_GEN_BLKFILE_H
#define CW_GEN_BLKFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gen_blkw {
    char *dir;
    int fd;
    bool is_open; /* fd is an open blk file */
    uint32_t file_no;
    uint64_t pos;
    uint64_t max_file;
    uint8_t magic[4];
    bool xor_on;
    uint8_t key[8];
    uint8_t *scratch;
    size_t scratch_cap;
    uint64_t bytes_total;
    uint64_t blocks;
    uint64_t zero_tail; /* raw zero bytes to leave after the last record */
    bool zero_tail_all; /* in every file, not only the last */
} gen_blkw;

/* Opens the writer on dir (created if missing; existing blk*.dat there are replaced). With
 * key != NULL writes xor.dat and obfuscates. max_file 0 means 128 MiB. */
int gen_blkw_open(gen_blkw *w, const char *dir, const uint8_t magic[4], const uint8_t *key,
                  uint64_t max_file);
/* Appends one framed block. */
int gen_blkw_put(gen_blkw *w, const uint8_t *block, size_t n);
/* Appends one framed block given as np pieces written back to back. */
int gen_blkw_put_pieces(gen_blkw *w, const void *const *piece, const size_t *len, size_t np);
/* Sets the zero tail (Core's preallocated space: raw zeros, never obfuscated) left after the
 * last record of the last file, or of every file. */
void gen_blkw_zero_tail(gen_blkw *w, uint64_t bytes, bool every_file);
/* Flushes and closes; returns the first error seen. */
int gen_blkw_close(gen_blkw *w);

#endif
