/*
 * btc/store.h: the Bitcoin chain store: a directory of fixed-width column files with dense ids in
 * chain order (docs/STORE-FORMAT.md), two on-disk hash indexes (txid -> tx, address -> id),
 * and a manifest that publishes row counts atomically.
 *
 * Readers open it read-only and see the state of the last published commit; pointers returned
 * by the accessors borrow the mapping and are valid until cw_chainstore_close. One writer at a
 * time (an flock on the directory). Writers append through cw_chainstore_apply_block and
 * publish with cw_chainstore_commit; cw_chainstore_rollback undoes blocks from the tip (reorg).
 * A writer that dies at any point leaves a store that opens at its last commit: the next
 * writable open finishes or undoes the interrupted commit (the `pending` journal).
 */
#ifndef CHAINWATCH_BTC_STORE_H
#define CHAINWATCH_BTC_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/btc/block.h"

#define CW_STORE_FORMAT 3
#define CW_NONE32 0xffffffffu
#define CW_NONE64 UINT64_MAX
#define CW_IN_COINBASE 0xffffffffu /* in.spent_tx of a coinbase input */
#define CW_IN_EXTERNAL 0xfffffffeu /* in.spent_tx of an input whose prevout is in ext.col */

/* Row layouts (little-endian, as mapped). Sizes are part of the format. */
typedef struct cw_row_block {
    uint8_t hash[32];
    uint8_t prev[32];
    uint8_t merkle[32];
    uint64_t work_hi, work_lo; /* cumulative chain work up to and including this block */
    int32_t version;
    uint32_t time, bits, nonce;
    uint64_t first_tx;
    uint32_t n_tx, size, weight;
    uint32_t height;
    uint32_t first_addr; /* address count before this block (for rollback) */
    uint32_t first_ext;  /* ext.col count before this block */
} cw_row_block;          /* 160 bytes */

/* A tx row (txs.col, 24 bytes): first_in u40, first_out u40 (global input/output numbers of
 * its first input and output; counts come from the next row), size u24 (bytes with witness),
 * base_size u24 (bytes without), version i32, locktime u32. Read through the accessors. */
#define CW_ROW_TX_WIDTH 24

typedef struct cw_txmeta {
    int32_t version;
    uint32_t locktime, size, weight;
} cw_txmeta;

typedef struct cw_row_in {
    uint32_t spent_tx;   /* tx number, CW_IN_COINBASE or CW_IN_EXTERNAL */
    uint32_t spent_vout; /* output index in that tx, or the ext.col row for external */
    uint32_t sequence;
} cw_row_in; /* 12 bytes */

typedef struct cw_row_out {
    uint64_t value_type;  /* value in satoshis (low 56 bits), script type (high 8 bits) */
    uint32_t addr;        /* address id or CW_NONE32 (OP_RETURN) */
    uint32_t spending_tx; /* tx that spends it, CW_NONE32 while unspent */
} cw_row_out;             /* 16 bytes */

typedef struct cw_row_ext {
    uint8_t txid[32];
    uint32_t vout;
    uint32_t addr;
    uint64_t value;
    uint8_t type, known, pad[6];
} cw_row_ext; /* 56 bytes: a prevout from before the store's first block */

/* An OP_RETURN text (memos.col, 264 bytes): the data pushed after OP_RETURN, kept when it is
 * 1-250 bytes (THORChain's memo limit; Bitcoin Core 30 relays OP_RETURN data past the old 80)
 * of printable ASCII holding a ':' (a cross-chain swap vault's memo, `=:ETH.ETH:0x..` or
 * `OUT:<txid>`); the tx's first such output only; rows in tx order. Nothing longer or binary is
 * kept, and nothing is cut: a memo read back is the whole memo or none. */
#define CW_MEMO_TEXT_MAX 250
typedef struct cw_row_memo {
    uint32_t tx, vout;
    uint8_t len, pad[3];
    char text[252];
} cw_row_memo;

#define CW_ROW_ADDR_WIDTH 44 /* cw_addr_key (43 bytes) + 1 pad */

/* Per address (addrsum.col): what its history adds up to, kept by the writer so that an
 * address lookup costs the same whatever the address's history. received and sent count the
 * outputs paying it and the spends of those outputs (satoshis); n_tx counts distinct txs that
 * pay or spend it; last_tx, the newest of them, doubles as the row's stamp: a row whose last_tx
 * is at or past the published tx count is being changed by a commit in progress. */
typedef struct cw_row_addrsum {
    uint64_t received, sent;
    uint32_t n_out, n_spent, n_tx, last_tx;
} cw_row_addrsum; /* 32 bytes */

static inline uint64_t cw_out_value(const cw_row_out *o)
{
    return o->value_type & 0x00ffffffffffffffull;
}
static inline cw_script_type cw_out_type(const cw_row_out *o)
{
    return (cw_script_type)(o->value_type >> 56);
}

typedef struct cw_chainstore cw_chainstore;

typedef struct cw_chainstore_counts {
    uint64_t blocks, txs, ins, outs, addrs, exts;
    uint64_t memos; /* memos.col rows (0 in a store from before it) */
} cw_chainstore_counts;

/* Opens a store directory. Writable opens create it (with net) when absent, take the writer
 * lock (CW_EBUSY when held) and recover an interrupted commit. */
int cw_chainstore_open(cw_chainstore **out, const char *dir, bool writable, cw_network net);
/* Closes; a writer with uncommitted work discards it (the manifest is the truth). */
int cw_chainstore_close(cw_chainstore *cs);

cw_network cw_chainstore_network(const cw_chainstore *cs);
cw_chainstore_counts cw_chainstore_counts_get(const cw_chainstore *cs);
/* Height of row 0 of blocks.col (0 unless the store starts mid-chain). */
uint32_t cw_chainstore_base_height(const cw_chainstore *cs);
/* The height from which memos.col keeps memos: 0 when from the store's first block; later when
 * a writer created memos.col on a store ingested before it (MANIFEST `memos_from`): vault
 * deposits below it are not seen; UINT64_MAX when the store has no memos.col (none kept). */
uint64_t cw_chainstore_memos_from(const cw_chainstore *cs);
/* Whether the store holds a generated world (MANIFEST `synthetic 1`, docs/STORE-FORMAT.md). A
 * writable handle marks it (cw_chainstore_mark_synthetic: written at once with the published
 * counts, kept by every later commit; CW_EINVAL on a read-only handle, CW_EIO). */
bool cw_chainstore_synthetic(const cw_chainstore *cs);
int cw_chainstore_mark_synthetic(cw_chainstore *cs);
const char *cw_chainstore_dir(const cw_chainstore *cs);
/* Reads the files of the store in `dir` into the operating system's page cache
 * (cw_store_warm: one 1 MiB read at a time, without read-ahead), in the order address lookups
 * need them: the address index, rows, summaries and last outputs and blocks first (a lookup's
 * constant part), then index_files (n_index of them, at most 8: the store's address-history
 * index, cw_addrhist_files; NULL and 0 without), then txs, txids and outputs (a page's rows),
 * the output links among them only without index_files (an indexed lookup does not follow them,
 * so they come last), then the txid index and inputs. budget, go_on, *out_bytes and *out_total
 * as cw_store_warm. Nothing is mapped or changed: it only makes the next lookups' page faults
 * minor instead of disk reads. */
int cw_chainstore_warm(const char *dir, const char *const *index_files, size_t n_index,
                       uint64_t budget, bool (*go_on)(void *arg, uint64_t done), void *arg,
                       uint64_t *out_bytes, uint64_t *out_total);

/* Point lookups from now on (a server): a page fault in this handle's big files (the indexes
 * and every column but blocks.col) reads that page only, not the disk's read-ahead window
 * around it (cw_store_advise_random). A cold address lookup then costs a few 4 KiB reads
 * instead of megabytes each. Scans (trace builds, clusters) should not call it. A hint. */
void cw_chainstore_advise_random(cw_chainstore *cs);
/* Prefetch hints for a point lookup, acting only on a handle advised random (the others
 * ignore them): the pages holding what the lookup reads next are gathered in a batch and asked
 * for at once, without waiting (cw_store_willneed: one system call per batch), so that a cold
 * lookup's independent disk reads run side by side instead of one page fault after another.
 * Nothing is read through these calls; the accessors still do that, and work the same without
 * them. A full batch is asked for before it takes more.
 *   _addr: the address's summary and last output (addrsum.col, addrlast.col);
 *   _out: the output's row and, with tx (the tx paying it, when known), that tx's row and id
 *         (_tx), else (tx CW_NONE64) the txs.col rows cw_chainstore_out_tx first looks at;
 *   _tx: the tx's row (txs.col) and id (txid.col);
 *   _txid: the tx's id (txid.col);
 *   _go: asks for the batch's pages and empties it. */
#define CW_PREFETCH_MAX 128
typedef struct cw_chainstore_prefetch {
    const cw_chainstore *cs;
    size_t n;
    struct iovec v[CW_PREFETCH_MAX];
} cw_chainstore_prefetch;
void cw_chainstore_prefetch_init(cw_chainstore_prefetch *p, const cw_chainstore *cs);
void cw_chainstore_prefetch_addr(cw_chainstore_prefetch *p, uint64_t addr);
void cw_chainstore_prefetch_out(cw_chainstore_prefetch *p, uint64_t out, uint64_t tx);
void cw_chainstore_prefetch_tx(cw_chainstore_prefetch *p, uint64_t tx);
void cw_chainstore_prefetch_txid(cw_chainstore_prefetch *p, uint64_t tx);
void cw_chainstore_prefetch_go(cw_chainstore_prefetch *p);
/* The hints stop acting on this handle (the store is in memory: each would be a system call
 * for nothing). Safe while other threads look up. */
void cw_chainstore_prefetch_stop(cw_chainstore *cs);
/* Whether the hints act on this handle. */
bool cw_chainstore_prefetching(const cw_chainstore *cs);

/* Accessors (borrowed pointers, bounds-checked by the caller against the counts). */
const cw_row_block *cw_chainstore_block(const cw_chainstore *cs, uint64_t row);
/* Verifies both hash indexes' layout and counts (cw_hashidx_verify). */
int cw_chainstore_check_indexes(const cw_chainstore *cs);
uint64_t cw_chainstore_tx_first_in(const cw_chainstore *cs, uint64_t tx);
uint64_t cw_chainstore_tx_first_out(const cw_chainstore *cs, uint64_t tx);
cw_txmeta cw_chainstore_txmeta(const cw_chainstore *cs, uint64_t tx);
const uint8_t *cw_chainstore_txid(const cw_chainstore *cs, uint64_t tx);
const cw_row_in *cw_chainstore_in(const cw_chainstore *cs, uint64_t in);
const cw_row_out *cw_chainstore_out(const cw_chainstore *cs, uint64_t out);
uint64_t cw_chainstore_outlink(const cw_chainstore *cs, uint64_t out); /* prev output, same addr */
const cw_addr_key *cw_chainstore_addr(const cw_chainstore *cs, uint64_t addr);
uint64_t cw_chainstore_addr_last(const cw_chainstore *cs, uint64_t addr); /* last output */
/* The address's summary (addrsum.col), or NULL while a commit in another process is changing
 * it (then walk the outputs from cw_chainstore_addr_last). */
const cw_row_addrsum *cw_chainstore_addrsum(const cw_chainstore *cs, uint64_t addr);
/* Recomputes every address summary from outputs.col and the spent marks in one pass and
 * compares: 0, or CW_ECORRUPT naming the first address that differs. */
int cw_chainstore_check_addrsum(const cw_chainstore *cs);
const cw_row_ext *cw_chainstore_ext(const cw_chainstore *cs, uint64_t ext);

/* Input and output ranges of tx (end exclusive). */
void cw_chainstore_tx_range(const cw_chainstore *cs, uint64_t tx, uint64_t *in0, uint64_t *in1,
                            uint64_t *out0, uint64_t *out1);
/* The tx that owns a global output / input number (binary search). */
uint64_t cw_chainstore_out_tx(const cw_chainstore *cs, uint64_t out);
uint64_t cw_chainstore_in_tx(const cw_chainstore *cs, uint64_t in);
/* The block row holding tx (binary search). */
uint64_t cw_chainstore_tx_block(const cw_chainstore *cs, uint64_t tx);

/* Lookups: 0 and the id, or CW_ENOTFOUND. */
int cw_chainstore_find_tx(const cw_chainstore *cs, const uint8_t txid[32], uint64_t *tx);
/* On a handle advised random, cw_chainstore_find_addr asks for the candidate's summary and last
 * output together with its key row (cw_chainstore_prefetch_addr): a lookup reads them next. */
int cw_chainstore_find_addr(const cw_chainstore *cs, const cw_addr_key *key, uint64_t *addr);
/* The same, and on a handle advised random fn(arg, id, batch) adds to the candidate's batch what
 * the caller reads next about it (an index's row: cw_addrhist_prefetch), so that it too is read
 * beside the key row instead of after it. fn may be NULL. */
typedef void (*cw_chainstore_ahead_fn)(void *arg, uint64_t addr, cw_chainstore_prefetch *p);
int cw_chainstore_find_addr_ahead(const cw_chainstore *cs, const cw_addr_key *key, uint64_t *addr,
                                  cw_chainstore_ahead_fn fn, void *arg);
int cw_chainstore_find_block(const cw_chainstore *cs, const uint8_t hash[32], uint64_t *row);

/* The OP_RETURN text of tx (the first one kept, see cw_row_memo): its length (text NUL-ended,
 * at most cap-1 bytes, cap >= CW_MEMO_TEXT_MAX + 1), or 0 when the tx has none, or the store
 * keeps none (a store ingested before memos.col, `cw_chainstore_counts.memos` 0). */
size_t cw_chainstore_tx_memo(const cw_chainstore *cs, uint64_t tx, char *text, size_t cap);
/* The first kept OP_RETURN text of a tx numbered from_tx or later: its length, *tx and text as
 * above; 0 when there is none (walk a store's memos: from_tx = the last *tx + 1). */
size_t cw_chainstore_memo_next(const cw_chainstore *cs, uint64_t from_tx, uint64_t *tx, char *text,
                               size_t cap);

/* Value of the output an input spends: 0 and *value, or CW_ENOTFOUND (coinbase or unknown
 * external prevout). */
int cw_chainstore_in_value(const cw_chainstore *cs, uint64_t in, uint64_t *value);

/* ---- writing ---- */
/* Prevouts known from outside the store (for a store that starts mid-chain). */
typedef struct cw_prevout_source cw_prevout_source;
/* Looks up txid:vout; returns true and fills value and script (borrowed). */
typedef bool (*cw_prevout_lookup)(void *ctx, const uint8_t txid[32], uint32_t vout, uint64_t *value,
                                  const uint8_t **script, size_t *script_len);
void cw_chainstore_set_prevouts(cw_chainstore *cs, cw_prevout_lookup fn, void *ctx);

/* Appends a decoded block (txids computed) as the next height. Links every input to the
 * output it spends (CW_ECORRUPT naming the tx for a missing or double-spent prevout when the
 * store starts at genesis). Work is the block's cumulative chain work. Classifies the outputs
 * first unless cw_block_classify already did (on a decoder thread). */
int cw_chainstore_apply_block(cw_chainstore *cs, cw_block *b, uint32_t height, cw_work chainwork);
/* Publishes everything applied since the last commit. */
int cw_chainstore_commit(cw_chainstore *cs);
/* Undoes committed blocks down to n_blocks rows (a reorg), committing the result. */
int cw_chainstore_rollback(cw_chainstore *cs, uint64_t n_blocks);
/* A read-only handle's snapshot still stands: no rollback (a reorganisation, whose other fork's
 * rows are written where the dropped ones were) started since the handle opened. Call it after
 * reading the rows of an answer: 0 means the answer is of one fork, the handle's; CW_EBUSY
 * ("... rolled back ...: reopen the store and ask again") means it may mix two: drop it, reopen
 * and ask again. One pread of the lock file; threads may share it. 0 on a writable handle. */
int cw_chainstore_snapshot_check(const cw_chainstore *cs);
/* Bytes on disk: columns and indexes. */
uint64_t cw_chainstore_bytes(const cw_chainstore *cs, uint64_t *index_bytes);

#endif
