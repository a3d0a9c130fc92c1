/*
 * memo_int.h: the EVM store's memo table, writer side (memo.c), used by store.c only.
 *
 * memos.col holds fixed-width rows (evm/memo.h, cw_evm_row_memo) in tx order; MANIFEST's
 * `memos` publishes the count with the other counts (one atomic commit). A row derives from its
 * tx alone and changes nothing in place, so recovery and rollback only set the row count: the
 * rows of the kept txs, found by binary search on `tx`.
 */
#ifndef CW_CHAIN_EVM_MEMO_INT_H
#define CW_CHAIN_EVM_MEMO_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "chain/evm/rowbuf_int.h"
#include "chainwatch/evm/block.h"
#include "chainwatch/store.h"

typedef struct cw_evm_memotab {
    cw_column col;    /* col.rows: rows present (published or being written) */
    uint64_t pub;     /* published rows */
    cw_evm_rowbuf wb; /* the writer's rows not yet in the file (rowbuf_int.h); store.c sets it up */
} cw_evm_memotab;

/* Opens dir/memos.col; CW_ECORRUPT when it holds fewer rows than published. */
int cw_evm_memotab_open(cw_evm_memotab *m, const char *dir, bool writable, uint64_t published);
/* Drops unpublished rows and closes (when writable: trimming the file when `trim`,
 * cw_store_trim_safe; without syncing when `synced`: every published row is durable already,
 * cw_column_close_rows). */
int cw_evm_memotab_close(cw_evm_memotab *m, bool writable, bool synced, bool trim);
/* The account id of a log's emitting contract (20 bytes), found, never created: CW_EVM_NONE32
 * when the store holds no such account. */
typedef uint32_t (*cw_evm_memo_acct_fn)(void *ctx, const uint8_t *addr);
/* Appends the memos of tx t (tx number txn, addressed to account `to`) of block b; a log's row
 * names its emitter (`to` when the log's address is the tx's `to`, else found by `acct`). */
int cw_evm_memotab_add_tx(cw_evm_memotab *m, const cw_evm_block *b, const cw_evm_tx *t,
                          uint64_t txn, uint32_t to, cw_evm_memo_acct_fn acct, void *ctx);
/* Rows whose tx is below txs (the count to publish with txs transactions). */
uint64_t cw_evm_memotab_rows_below(const cw_evm_memotab *m, uint64_t txs);

#endif
