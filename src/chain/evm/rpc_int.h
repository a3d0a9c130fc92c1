/*
 * rpc_int.h: internals shared by rpc.c (the JSON-RPC client and follower) and rpc_decode.c
 * (the decoding of the node's answers into a cw_evm_block).
 */
#ifndef CW_EVM_RPC_INT_H
#define CW_EVM_RPC_INT_H

#include <jansson.h>

#include "chainwatch/evm/block.h"

/* Decodes block / receipts / traces answers (jansson values, borrowed) into b (reset first),
 * then cw_evm_block_finish. `ctx` names the block in messages ("block 0x1f"). trace_kind: 0
 * none, 1 trace_block, 2 debug_traceBlockByNumber (callTracer). 0 or CW_ECORRUPT. */
int cw_evm_rpc__decode(cw_evm_block *b, json_t *block, json_t *receipts, json_t *traces,
                       int trace_kind, const char *ctx);

/* Adds genesis allocations to a decoded block 0 before cw_evm_block_finish: `alloc` is an
 * array of {"address": "0x..", "balance": "0x.."} (borrowed); each becomes a block-level trace
 * of type genesis, as ethereum-etl writes genesis allocations. 0 or CW_ECORRUPT. */
int cw_evm_rpc__genesis(cw_evm_block *b, json_t *alloc);

#endif
