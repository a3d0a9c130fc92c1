/*
 * evm/block.h: one decoded EVM block, with everything the EVM store needs, as plain C structs.
 *
 * Both sources fill it: the ethereum-etl CSV decoder (evm/csv.h) and the JSON-RPC follower.
 * A block owns growable arrays of transactions (receipts merged in), logs, traces and
 * withdrawals, plus one byte arena for variable-length data (log data, trace addresses, error
 * strings) addressed by offset, so the arrays can grow without invalidating anything.
 *
 * Filling one:
 *   cw_evm_block b; cw_evm_block_init(&b);
 *   b.number = ...; (header fields)
 *   cw_evm_tx *t = cw_evm_block_add_tx(&b); t->hash = ...;      (zeroed; NULL on ENOMEM)
 *   cw_evm_log *l = cw_evm_block_add_log(&b); l->tx_index = ...; cw_evm_block_put_bytes(...)
 *   ... b.has_receipts = true (when receipts were supplied) ...
 *   cw_evm_block_finish(&b);  (sorts, links logs/traces to their tx, checks cross-references)
 *   cw_evmstore_append(store, &b);
 *   cw_evm_block_reset(&b);   (empties it, keeps the memory) ... cw_evm_block_free(&b).
 *
 * Conventions: addresses are 20 raw bytes, hashes 32 raw bytes in the order they are printed
 * (0x + hex of the bytes in order, no reversal as in Bitcoin); `src_file`/`src_line` name the
 * source file and line of a CSV row (line 0 for RPC) so errors can name them.
 */
#ifndef CHAINWATCH_EVM_BLOCK_H
#define CHAINWATCH_EVM_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/evm/u256.h"

typedef struct cw_evm_addr {
    uint8_t b[20];
} cw_evm_addr;

typedef struct cw_evm_hash {
    uint8_t b[32];
} cw_evm_hash;

/* Transaction status. Pre-Byzantium receipts have no status: the decoder derives it (every
 * failure then consumed all gas, so gas_used < gas means success) or from the tx's top-level
 * trace, else UNKNOWN. */
enum { CW_EVM_STATUS_FAILED = 0, CW_EVM_STATUS_OK = 1, CW_EVM_STATUS_UNKNOWN = 2 };

typedef struct cw_evm_tx {
    cw_evm_hash hash;
    uint32_t index; /* transaction_index in the block */
    uint64_t nonce;
    cw_evm_addr from;
    cw_evm_addr to; /* valid when has_to (a contract creation has none) */
    bool has_to;
    uint8_t type;      /* EIP-2718 type (0 legacy, 1, 2, 3, ...) */
    uint8_t status;    /* CW_EVM_STATUS_* */
    bool has_receipt;  /* gas_used, effective_gas_price, status, contract come from a receipt */
    cw_u256 value;     /* wei */
    uint64_t gas;      /* gas limit */
    cw_u256 gas_price; /* as in the tx (legacy) or max fee; see effective */
    cw_u256 max_fee_per_gas; /* EIP-1559 (zero when absent) */
    cw_u256 max_priority_fee_per_gas;
    cw_u256 effective_gas_price; /* receipt's; equals gas_price for legacy txs */
    uint64_t gas_used;           /* receipt's */
    uint64_t blob_gas_used;      /* receipt's (EIP-4844 type-3 txs; 0 otherwise) */
    cw_u256 blob_gas_price;      /* receipt's blob base fee; blob_gas_used x it is burnt */
    cw_evm_addr contract;        /* receipt's contract_address, valid when has_contract */
    bool has_contract;
    uint8_t selector[4];            /* first 4 bytes of input (zeros when shorter) */
    uint32_t input_len;             /* bytes of input */
    uint32_t input_off, input_kept; /* input bytes in the arena when at most
                                       CW_EVM_MEMO_INPUT_MAX (evm/memo.h: memo candidates),
                                       input_kept = input_len then; else 0 */
    uint32_t first_log, n_logs;     /* set by cw_evm_block_finish */
    uint32_t first_trace, n_traces; /* set by cw_evm_block_finish */
    uint64_t src_line;
    uint32_t src_file;
} cw_evm_tx;

typedef struct cw_evm_log {
    uint32_t log_index; /* in the block */
    uint32_t tx_index;
    cw_evm_hash tx_hash;
    cw_evm_addr address;
    uint8_t n_topics; /* 0..4 */
    cw_evm_hash topics[4];
    uint32_t data_off, data_len; /* bytes in the block's arena */
    uint64_t src_line;
    uint32_t src_file;
} cw_evm_log;

enum { /* trace_type */
       CW_EVM_TRACE_CALL = 0,
       CW_EVM_TRACE_CREATE = 1,
       CW_EVM_TRACE_SUICIDE = 2,
       CW_EVM_TRACE_REWARD = 3,
       CW_EVM_TRACE_GENESIS = 4, /* genesis allocation (block 0), block-level */
       CW_EVM_TRACE_DAOFORK = 5  /* the DAO fork's irregular state change, block-level */
};
enum { /* call_type */
       CW_EVM_CALL_NONE = 0,
       CW_EVM_CALL_CALL = 1,
       CW_EVM_CALL_CALLCODE = 2,
       CW_EVM_CALL_DELEGATECALL = 3,
       CW_EVM_CALL_STATICCALL = 4
};

typedef struct cw_evm_trace {
    uint32_t tx_index; /* UINT32_MAX for block-level traces (reward, genesis, daofork) */
    cw_evm_hash tx_hash;
    uint8_t type;      /* CW_EVM_TRACE_* */
    uint8_t call_type; /* CW_EVM_CALL_* */
    uint8_t status;    /* 1 success, 0 failed (itself or an enclosing call) */
    bool has_from, has_to;
    cw_evm_addr from, to; /* create: to = the new contract; suicide: to = refund address */
    cw_u256 value;
    uint32_t ta_off, ta_len;   /* trace address: ta_len u32 in the arena (empty = top level) */
    uint32_t err_off, err_len; /* error string in the arena (empty when none) */
    uint64_t src_line;
    uint32_t src_file;
} cw_evm_trace;

typedef struct cw_evm_withdrawal {
    uint64_t index;
    uint64_t validator_index;
    cw_evm_addr address;
    uint64_t amount_gwei;
} cw_evm_withdrawal;

/* Token metadata (tokens.csv, or an RPC follower's symbol()/decimals() calls). */
typedef struct cw_evm_token {
    cw_evm_addr address;
    char symbol[48]; /* may be empty; valid UTF-8 without control characters */
    int decimals;    /* -1 when unknown */
} cw_evm_token;

/* A token's symbol as a contract or an export gives it (any bytes) into t->symbol: whole UTF-8
 * characters only, control characters (C0, DEL, C1) and bytes that are no UTF-8 dropped, cut at
 * 47 bytes between characters. */
void cw_evm_token_set_symbol(cw_evm_token *t, const uint8_t *p, size_t n);

typedef struct cw_evm_block {
    uint64_t number;
    cw_evm_hash hash, parent_hash;
    uint64_t timestamp; /* unix seconds */
    cw_evm_addr miner;  /* fee recipient */
    cw_u256 base_fee;   /* valid when has_base_fee (London and later) */
    bool has_base_fee;
    uint64_t gas_used, gas_limit;
    uint64_t tx_count; /* as the block header/source states it; checked against n_txs */
    bool has_receipts; /* the source supplied receipts for this block's txs */
    bool has_logs;     /* ... logs */
    bool has_traces;   /* ... traces */
    uint64_t src_line;
    uint32_t src_file;
    /* names of the source files for error messages (src_file indexes it), or NULL (RPC) */
    const char *const *src_files;
    size_t n_src_files;

    cw_evm_tx *txs;
    size_t n_txs, cap_txs;
    cw_evm_log *logs;
    size_t n_logs, cap_logs;
    cw_evm_trace *traces;
    size_t n_traces, cap_traces;
    cw_evm_withdrawal *withdrawals;
    size_t n_withdrawals, cap_withdrawals;
    cw_evm_token *tokens; /* metadata of tokens known by this block (applied when first seen) */
    size_t n_tokens, cap_tokens;
    uint8_t *arena;
    size_t arena_len, arena_cap;
} cw_evm_block;

void cw_evm_block_init(cw_evm_block *b);
/* Empties the block (all counts and header fields to zero), keeping its memory. */
void cw_evm_block_reset(cw_evm_block *b);
void cw_evm_block_free(cw_evm_block *b);
/* Append one zeroed element; NULL on ENOMEM (cw_error_set). */
cw_evm_tx *cw_evm_block_add_tx(cw_evm_block *b);
cw_evm_log *cw_evm_block_add_log(cw_evm_block *b);
cw_evm_trace *cw_evm_block_add_trace(cw_evm_block *b);
cw_evm_withdrawal *cw_evm_block_add_withdrawal(cw_evm_block *b);
cw_evm_token *cw_evm_block_add_token(cw_evm_block *b);
/* Copies n bytes into the arena; *off receives their offset. 0 or CW_ENOMEM. */
int cw_evm_block_put_bytes(cw_evm_block *b, const void *data, size_t n, uint32_t *off);
static inline const uint8_t *cw_evm_block_bytes(const cw_evm_block *b, uint32_t off)
{
    return b->arena + off;
}
/* Trace address element i of t. */
uint32_t cw_evm_trace_addr_at(const cw_evm_block *b, const cw_evm_trace *t, uint32_t i);

/* Sorts txs by index, logs by log_index, traces by (tx_index, trace address); links each tx's
 * first_log/n_logs and first_trace/n_traces; derives a missing status (see above); checks that
 * tx indexes are 0..n-1 without duplicates, that tx_count matches, and that every log and trace
 * names a tx of this block by index and hash. Returns 0 or CW_ECORRUPT naming the row
 * (src_line) and field. */
int cw_evm_block_finish(cw_evm_block *b);

/* Hex helpers: "0x" + 40 / 64 lowercase hex digits + NUL. */
void cw_evm_addr_hex(char out[43], const cw_evm_addr *a);
void cw_evm_hash_hex(char out[67], const cw_evm_hash *h);
/* Parses "0x" + exactly 40 / 64 hex digits (either case); CW_EINVAL otherwise. */
int cw_evm_addr_parse(cw_evm_addr *out, const char *s, size_t len);
int cw_evm_hash_parse(cw_evm_hash *out, const char *s, size_t len);
/* Decodes 2n hex digits (either case, no prefix) at s into n bytes at out (NULL: only checks
 * them). Returns 0, or -1 at the first character that is not a hex digit (out then holds
 * garbage). Sets no error message: the caller names the field. */
int cw_evm_hex_decode(uint8_t *out, const char *s, size_t n);

#endif
