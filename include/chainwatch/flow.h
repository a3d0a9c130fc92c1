/*
 * flow.h: the chain-neutral value-flow interface for what sits above the chains (analytics,
 * monitor, server). Open a store of either chain, resolve an address string to a dense id,
 * and walk an address's incoming and outgoing value flows, newest first. Deliberately small;
 * chain-specific detail stays in btc/ and evm/ (BlockSci's accessors are the model: each call
 * answers from one or two columns, never a search).
 *
 * Which columns answer each call:
 *   cw_flow_open            MANIFEST (the kind: `format` = Bitcoin, `evm_format` = EVM)
 *   cw_flow_resolve         Bitcoin: addr.hix -> addrs.col; EVM: addr.hix -> accounts.col
 *   cw_flow_address         Bitcoin: addrs.col (encoded for the network); EVM: accounts.col
 *   cw_flow_each            Bitcoin: addrlast.col head, outlink.col chain of outputs (in),
 *                           outs.col spending_tx of each (out), txs.col for the tx, blocks.col
 *                           for height/time. EVM: acctlast.col heads, movelink.col chains,
 *                           moves.col rows, blocks.col for the time.
 *   cw_flow_asset           Bitcoin: the native coin only; EVM: assets.col
 */
#ifndef CHAINWATCH_FLOW_H
#define CHAINWATCH_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/evm/u256.h"

typedef enum { CW_FLOW_BITCOIN = 1, CW_FLOW_EVM = 2 } cw_flow_kind;

#define CW_FLOW_NONE UINT64_MAX

typedef struct cw_flow_store cw_flow_store;

typedef struct cw_flow {
    bool incoming;         /* into the address (else out of it) */
    uint32_t asset;        /* 0 = the chain's native coin (BTC, ETH...) */
    cw_u256 amount;        /* base units (satoshi, wei, token units), exact */
    uint64_t counterparty; /* address id on the other side, CW_FLOW_NONE when none or several
                              (Bitcoin: not resolved; EVM: mint, burn, fee burnt) */
    uint64_t tx;           /* tx number in the store, CW_FLOW_NONE for block-level flows */
    uint64_t position;     /* Bitcoin: global output number; EVM: movement number */
    uint64_t height;       /* block height */
    uint64_t time;         /* block time, unix seconds (on-chain) */
    uint8_t kind;          /* EVM: CW_EVM_MOVE_*; Bitcoin: 0 */
    bool probable;         /* EVM: the tx's success is not known */
} cw_flow;

/* Opens dir read-only, whichever chain it holds. Never creates anything. */
int cw_flow_open(cw_flow_store **out, const char *dir);
void cw_flow_close(cw_flow_store *s);
cw_flow_kind cw_flow_store_kind(const cw_flow_store *s);
/* "bitcoin", "ethereum", "bsc", ... */
const char *cw_flow_chain_name(const cw_flow_store *s);
/* Address string (Bitcoin encoding for the store's network, or 0x + 40 hex) -> dense id.
 * CW_EINVAL when it is not an address of this chain, CW_ENOTFOUND when not in the store. */
int cw_flow_resolve(const cw_flow_store *s, const char *address, uint64_t *id);
/* The address string of an id. */
int cw_flow_address(const cw_flow_store *s, uint64_t id, char *buf, size_t n);
/* Calls fn for the address's flows, newest first (dirs: 1 = in, 2 = out, 3 = both);
 * fn returns non-zero to stop (that value is returned). */
typedef int (*cw_flow_fn)(const cw_flow *f, void *ctx);
int cw_flow_each(const cw_flow_store *s, uint64_t id, unsigned dirs, cw_flow_fn fn, void *ctx);
/* Asset symbol and decimals (-1 when unknown). */
int cw_flow_asset(const cw_flow_store *s, uint32_t asset, char *symbol, size_t n, int *decimals);

#endif
