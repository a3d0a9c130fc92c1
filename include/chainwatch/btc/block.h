/*
 * btc/block.h: Bitcoin block and transaction decoding (zero-copy views over the raw bytes),
 * blk*.dat framing with Bitcoin Core's XOR obfuscation, and the consensus serialisation
 * helpers the decoder's round-trip tests use.
 *
 * Decoding is strict: any length that runs past the buffer, a CompactSize above 0x02000000
 * (Core's MAX_SIZE) or a count that cannot fit in the bytes left is CW_ECORRUPT with a message
 * naming the byte offset. Views borrow the caller's buffer: valid while it is.
 */
#ifndef CHAINWATCH_BTC_BLOCK_H
#define CHAINWATCH_BTC_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/btc/address.h"

#define CW_MAX_BLOCK_SIZE 4000000u /* Core's MAX_BLOCK_SERIALIZED_SIZE */
#define CW_MAX_COMPACTSIZE 0x02000000u

typedef struct cw_txin {
    const uint8_t *prev_txid; /* 32 bytes, internal byte order */
    uint32_t prev_vout;
    uint32_t sequence;
    const uint8_t *script;
    uint32_t script_len;
    uint32_t n_witness;     /* witness stack items */
    const uint8_t *witness; /* serialised stack (items with their CompactSize lengths) */
    uint32_t witness_len;
} cw_txin;

typedef struct cw_txout {
    int64_t value;
    const uint8_t *script;
    uint32_t script_len;
} cw_txout;

typedef struct cw_tx {
    const uint8_t *raw; /* the whole serialisation */
    uint32_t size;      /* bytes, witness included */
    uint32_t base_size; /* bytes without marker, flag and witnesses */
    int32_t version;
    uint32_t locktime;
    bool segwit;          /* BIP144 marker and flag present */
    uint32_t io_offset;   /* start of the input count within raw */
    uint32_t io_len;      /* bytes of inputs and outputs (with their counts) */
    uint32_t n_in, n_out; /* counts */
    uint32_t first_in;    /* index into the decoder's input array */
    uint32_t first_out;   /* index into the decoder's output array */
    uint8_t txid[32];
    uint8_t wtxid[32];
} cw_tx;

typedef struct cw_block_header {
    int32_t version;
    uint8_t prev[32];
    uint8_t merkle[32];
    uint32_t time;
    uint32_t bits;
    uint32_t nonce;
} cw_block_header;

/* A decoded block: arrays owned by the cw_block and reused across cw_block_decode calls. */
typedef struct cw_block {
    cw_block_header header;
    uint8_t hash[32];
    uint32_t size;
    uint32_t weight;
    uint32_t n_tx;
    cw_tx *txs;
    cw_txin *ins;
    cw_txout *outs;
    uint32_t n_ins, n_outs; /* totals over the block */
    uint32_t cap_tx, cap_in, cap_out;
    /* Output classification, filled by cw_block_classify (may run on a decoder thread). */
    cw_addr_key *keys;
    uint8_t *types;
    uint64_t *key_hash; /* XXH3-64 of each key */
    uint32_t cap_keys;
    bool classified;
} cw_block;

void cw_block_header_parse(cw_block_header *out, const uint8_t raw[80]);
void cw_block_hash(uint8_t out[32], const uint8_t raw[80]);

/* Which hashes cw_block_decode computes: txids (needed to link and for the merkle root) and
 * wtxids (BIP141; a second pass over every segwit tx's bytes, so only when asked for). */
enum { CW_HASH_NONE = 0, CW_HASH_TXID = 1, CW_HASH_WTXID = 2, CW_HASH_ALL = 3 };

/* Decodes a serialised block. `what` names the source for messages ("blk00001.dat offset 8"),
 * base_offset is added to byte offsets in messages. `hashes` (CW_HASH_*) says which hashes to
 * compute; the others are left unset. Returns 0 or CW_ECORRUPT/CW_ENOMEM. */
int cw_block_decode(cw_block *b, const uint8_t *data, size_t len, const char *what,
                    uint64_t base_offset, int hashes);
void cw_block_deinit(cw_block *b);

/* Classifies every output script and hashes its address key (see cw_block.keys). Pure: any
 * thread may call it on its own block. Returns 0 or CW_ENOMEM. */
int cw_block_classify(cw_block *b);

/* Checks the BIP141 witness commitment against the wtxids (decode with CW_HASH_ALL first).
 * Returns 0, or CW_ECORRUPT naming `what`. */
int cw_block_check_witness(const cw_block *b, const char *what);

/* Merkle root of n >= 1 hashes (internal byte order), computed in place: level holds the n
 * hashes and has room for n + 1; its contents are overwritten. */
void cw_merkle_root(uint8_t out[32], uint8_t (*level)[32], size_t n);

/* Merkle root of the block's txids. */
int cw_block_merkle(uint8_t out[32], const cw_block *b);

/* Decodes one transaction at data[0..len). *consumed gets its size. Inputs and outputs go to
 * the caller's arrays, grown as needed (pass zeroed pointers and capacities the first time). */
int cw_tx_decode(cw_tx *tx, const uint8_t *data, size_t len, size_t *consumed, cw_txin **ins,
                 uint32_t *cap_in, cw_txout **outs, uint32_t *cap_out, uint32_t first_in,
                 uint32_t first_out, const char *what, uint64_t base_offset);
void cw_tx_hash(cw_tx *tx);       /* txid and wtxid */
void cw_tx_hash_txid(cw_tx *tx);  /* txid only */
void cw_tx_hash_wtxid(cw_tx *tx); /* wtxid only (after cw_tx_hash_txid for non-segwit txs) */

/* Serialises a decoded tx back to bytes (for round-trip checks); *out owned by the caller. */
int cw_tx_serialize(uint8_t **out, size_t *out_len, const cw_tx *tx, const cw_txin *ins,
                    const cw_txout *outs);

/* CompactSize helpers. cw_compact_read returns bytes read or CW_ECORRUPT. */
int cw_compact_read(uint64_t *out, const uint8_t *p, size_t avail);
size_t cw_compact_write(uint8_t *out, uint64_t v);

/* Proof-of-work: the work of a block with these bits, as a 128-bit number in two halves
 * (enough for any real chain's cumulative work). Returns CW_EINVAL for a bad target. */
typedef struct cw_work {
    uint64_t hi, lo;
} cw_work;
int cw_work_from_bits(cw_work *out, uint32_t bits);
void cw_work_add(cw_work *acc, cw_work w);
int cw_work_cmp(cw_work a, cw_work b);

/* BIP34 height from a coinbase scriptSig, or -1 when it has none. */
int64_t cw_coinbase_height(const uint8_t *script, size_t len);

/* ---- blk*.dat files ---- */
typedef struct cw_blkdir cw_blkdir;

typedef struct cw_blkrec {
    uint32_t file;   /* index into the directory's file list */
    uint64_t offset; /* of the block bytes (after magic and size) */
    uint32_t size;
    uint32_t bits; /* difficulty bits from the header */
    uint8_t hash[32];
    uint8_t prev[32];
} cw_blkrec;

/* Opens a blocks directory: lists blk?????.dat in order, reads xor.dat when present. For the
 * test network the records' magic may be testnet3's or testnet4's (the first record decides). */
int cw_blkdir_open(cw_blkdir **out, const char *dir, cw_network net);
/* Takes the network from the magic of the directory's first record (after de-obfuscation) and
 * uses it from then on: main, testnet3 or testnet4 (CW_NET_TEST), signet or regtest. An unknown
 * magic is CW_ECORRUPT naming the file; a directory with no record is CW_ENOTFOUND. */
int cw_blkdir_detect_network(cw_blkdir *d, cw_network *net);
void cw_blkdir_close(cw_blkdir *d);
uint32_t cw_blkdir_n_files(const cw_blkdir *d);
const char *cw_blkdir_file_name(const cw_blkdir *d, uint32_t file);
const char *cw_blkdir_file_path(const cw_blkdir *d, uint32_t file);
uint64_t cw_blkdir_total_bytes(const cw_blkdir *d);
/* Scans every file's framing and headers. *recs owned by the caller. Errors name the file
 * and offset: bad magic, garbage between records, a size past the end of the file. */
int cw_blkdir_scan(cw_blkdir *d, cw_blkrec **recs, size_t *n_recs);
/* Reads a record's block bytes (de-obfuscated) into buf (capacity >= rec->size). */
int cw_blkdir_read(cw_blkdir *d, const cw_blkrec *rec, uint8_t *buf);

#endif
