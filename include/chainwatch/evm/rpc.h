/*
 * evm/rpc.h: `chainwatch ingest evm --rpc URL`: follows an EVM node over JSON-RPC into an EVM
 * store (docs/INGEST-EVM-RPC.md).
 *
 * For each block after the store's tip: eth_getBlockByNumber (full transactions, withdrawals),
 * eth_getBlockReceipts (status, gas used, effective price, created contract, logs), and the
 * internal calls from trace_block (Parity/Erigon/anvil) or debug_traceBlockByNumber with the
 * callTracer (geth); decoded into a cw_evm_block and appended through the store's writer. At
 * the tip a block whose parent hash is not the store's tip hash means a reorg: the store rolls
 * back block by block until the parent matches (at most `max_reorg` blocks), then follows the
 * new branch. A JSON-RPC error, an HTTP failure or a timeout is an error naming the method, the
 * block and the node's message; the store stays at its last commit.
 */
#ifndef CHAINWATCH_EVM_RPC_H
#define CHAINWATCH_EVM_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/evm/block.h"

/* Where internal calls come from. */
typedef enum cw_evm_rpc_traces {
    CW_EVM_RPC_TRACES_AUTO = 0,   /* trace_block, else debug_traceBlockByNumber (callTracer) */
    CW_EVM_RPC_TRACES_PARITY = 1, /* trace_block only */
    CW_EVM_RPC_TRACES_GETH = 2,   /* debug_traceBlockByNumber with the callTracer only */
    CW_EVM_RPC_TRACES_NONE = 3    /* no internal calls: the blocks are marked incomplete */
} cw_evm_rpc_traces;

typedef struct cw_evm_rpc_opts {
    const char *url; /* http(s)://host:port */
    const char *store_dir;
    const char *chain; /* store chain name (NULL: keep / "ethereum") */
    cw_evm_rpc_traces traces;
    double timeout_s;       /* per request; 0 = 30 s */
    int64_t from_block;     /* first block when the store is empty (default 0) */
    int64_t to_block;       /* last block to ingest; -1 = the node's tip */
    uint32_t max_reorg;     /* deepest rollback accepted (0 = 64) */
    uint64_t commit_blocks; /* commit at least every N blocks (0 = 100) */
    bool progress;
    volatile int *stop; /* set from a signal handler: stop after the next commit */
} cw_evm_rpc_opts;

typedef struct cw_evm_rpc_stats {
    uint64_t blocks_added, txs_added, rolled_back, requests;
    int64_t tip;             /* the store's tip after the run, -1 when empty */
    int64_t node_tip;        /* the node's block number */
    const char *traces_used; /* "trace_block", "debug_traceBlockByNumber" or "none" */
    double seconds;
} cw_evm_rpc_stats;

/* Catches the store up with the node (one pass: to the node's tip or to_block), rolling back
 * reorganised blocks. Returns 0, CW_EIO (HTTP failure, timeout, JSON-RPC error: the message names
 * the method and block), CW_ECORRUPT (a malformed answer, naming the field), CW_EINTR (stopped;
 * what was ingested is committed), or a store error. */
int cw_evm_rpc_follow(const cw_evm_rpc_opts *o, cw_evm_rpc_stats *st);

/* Decodes one block from the JSON text of its three answers' `result` members: the block (with
 * full transactions), the receipts array, and the traces (`trace_kind` 1: trace_block's array;
 * 2: debug_traceBlockByNumber's array of {txHash, result}; NULL/0: none). Fills b (reset first)
 * and runs cw_evm_block_finish. Returns 0 or CW_ECORRUPT naming the field. Untrusted input:
 * fuzzed by fuzz/fuzz_evm_rpc.c. */
int cw_evm_rpc_decode_block(cw_evm_block *b, const char *block_json, size_t block_len,
                            const char *receipts_json, size_t receipts_len, const char *traces_json,
                            size_t traces_len, int trace_kind);

/* Token metadata from the `result`s of eth_call symbol() and decimals() (0x-hex, either may be
 * NULL: the call reverted or the token has no such function). The symbol is an ABI string or a
 * bytes32 (MKR); control characters are dropped and it is cut at 47 bytes, as tokens.csv's are
 * read. decimals is a uint256 word, kept when at most 255. Whatever does not decode is left
 * unknown (symbol "", decimals -1): a token's metadata is never a reason to stop. t->address is
 * left alone. Untrusted input: fuzzed by fuzz/fuzz_evm_rpc.c. */
void cw_evm_rpc_decode_token_meta(cw_evm_token *t, const char *symbol_hex,
                                  const char *decimals_hex);

#endif
