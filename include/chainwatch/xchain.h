/*
 * xchain.h: cross-chain links out of an account-model trace (docs/TRACE-MODELS.md,
 * "Cross-chain: bridge exits").
 *
 * Bridge exits: taint that an EVM trace (acct_trace.h) brought to a bridge (a stop of kind
 * CW_ACCT_STOP_BRIDGE) arrived in transactions; the memos the store kept for those
 * transactions (evm/memo.h) say where the bridge was asked to pay: chain, asset, destination.
 * Each tainted arrival is one exit (tx, bridge, asset, amount, time, memo, destination).
 *
 * Continuation in Bitcoin: for an exit to BTC.BTC with a Bitcoin store, the outputs paying the
 * destination address from `before_s` before the deposit's block time to `window_s` after it are
 * the bridge's probable payouts (the bridge pays from its own vault: nothing on either chain
 * links the two, so the link is always a judgement). Their score: the share of the window's
 * outputs to that address each one is (1 for a single payout), times a time factor (1 within
 * `prompt_s` of the deposit, falling linearly to 0.5 at the window's end). The Bitcoin engine
 * (trace.h) then traces those outputs forward, one trace per destination address, under the
 * caller's Bitcoin options. The whole hop is ONE edge: EVM deposit tx -> Bitcoin address.
 *
 * The engine never opens stores or names CLI flags: the caller passes both stores and options.
 */
#ifndef CHAINWATCH_XCHAIN_H
#define CHAINWATCH_XCHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/acct_trace.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/trace.h"

typedef struct cw_xchain_opts {
    uint64_t window_s; /* payouts up to this long after the deposit (default 72 h) */
    uint64_t before_s; /* ... and from this long before it: clock skew (default 0) */
    uint64_t prompt_s; /* payouts within this long score the full time factor (default 6 h) */
    double min_score;  /* payouts scoring below it are listed, not traced (default 0.2) */
    cw_trace_opts btc; /* the Bitcoin continuation (cw_trace_opts_init; caller's stops) */
} cw_xchain_opts;

void cw_xchain_opts_init(cw_xchain_opts *o);

/* What became of an exit. */
typedef enum cw_xchain_status {
    CW_XCHAIN_CONTINUED = 0,   /* payouts found in the Bitcoin store and traced */
    CW_XCHAIN_NO_MEMO = 1,     /* the deposit carries no memo the store kept */
    CW_XCHAIN_BAD_MEMO = 2,    /* a memo that does not parse, or names no destination */
    CW_XCHAIN_NO_STORE = 3,    /* no store for the destination chain was given */
    CW_XCHAIN_OTHER_CHAIN = 4, /* the destination chain has no store kind here (not BTC) */
    CW_XCHAIN_BAD_ADDRESS = 5, /* the destination is not an address of the store's network */
    CW_XCHAIN_NOT_PAID = 6     /* the address received nothing in the window */
} cw_xchain_status;
const char *cw_xchain_status_name(cw_xchain_status s);

/* A probable payout of the bridge on the Bitcoin side. */
typedef struct cw_xchain_payout {
    uint64_t out;   /* global output number in the Bitcoin store */
    uint64_t tx;    /* its tx */
    uint64_t value; /* satoshis */
    uint64_t time;  /* its block's time */
    double score;
    bool traced; /* score >= min_score: a source of the continuation */
} cw_xchain_payout;

typedef enum cw_xchain_from {
    CW_XCHAIN_FROM_MEMO = 0,
    CW_XCHAIN_FROM_BTC_ADDRESS = 1,
    CW_XCHAIN_FROM_EVENT = 2,
    CW_XCHAIN_FROM_CALL = 3 /* the deposit call's input, read by selector (no event) */
} cw_xchain_from;
const char *cw_xchain_from_name(cw_xchain_from f);

typedef struct cw_xchain_exit {
    uint64_t move;   /* the tainted movement into the bridge (EVM store) */
    uint64_t tx;     /* its tx */
    uint32_t bridge; /* the bridge account the taint reached */
    uint32_t asset;
    cw_u256 amount; /* tainted base units that entered */
    uint64_t block, time;
    bool probable; /* the taint itself came through a judgement (acct trace) */
    char memo[CW_EVM_MEMO_MAX + 1];
    cw_evm_memo parsed; /* valid unless status is NO_MEMO / BAD_MEMO */
    /* where the destination came from: a memo (parsed.fn meaningful), a Bitcoin address alone
     * (parsed reads it as a swap to BTC.BTC), a deposit event (parsed.chain "eip155:ID" or
     * "wormhole:ID", parsed.dest the recipient, event its name), or the deposit call's input
     * (the same, event the call's name) */
    cw_xchain_from from;
    char event[32];
    /* a LayerZero destination (OFTSent, send): its endpoint id, 0 otherwise; parsed.chain is
     * "eip155:ID" when the id is in LayerZero's table (cw_evm_memo_lz_chain), else
     * "layerzero:EID" */
    uint32_t lz_eid;
    cw_xchain_status status;
    char note[200]; /* why, for the statuses other than CONTINUED */
    size_t dest;    /* index of its destination (cw_xchain_dest), SIZE_MAX when none */
} cw_xchain_exit;

/* One Bitcoin destination address, shared by every exit that names it. */
typedef struct cw_xchain_dest {
    char address[128];
    uint64_t addr;                  /* address id in the Bitcoin store, CW_NONE64 when not in it */
    size_t first_payout, n_payouts; /* in cw_xchain_result_payouts */
    cw_trace *trace;                /* the continuation, NULL when nothing was traced */
} cw_xchain_dest;

typedef struct cw_xchain_result cw_xchain_result;

/* Finds the bridge exits of r (a trace on s) and, with btc (may be NULL), continues them in
 * Bitcoin. btc_labels may be NULL. Returns 0, CW_ENOMEM or an error of the Bitcoin trace. Bad
 * memos, other chains, unknown addresses are statuses of their exits, not errors. */
int cw_xchain_bridge_exits(cw_xchain_result **out, const cw_evmstore *s, const cw_acct_result *r,
                           const cw_chainstore *btc, const cw_trace_labelmap *btc_labels,
                           const cw_xchain_opts *o);
void cw_xchain_result_free(cw_xchain_result *x);
const cw_xchain_exit *cw_xchain_result_exits(const cw_xchain_result *x, size_t *n);
const cw_xchain_dest *cw_xchain_result_dests(const cw_xchain_result *x, size_t *n);
const cw_xchain_payout *cw_xchain_result_payouts(const cw_xchain_result *x, size_t *n);

/* Accounts recognised as bridge deposits from their memos: an account that at least `min`
 * transactions address with a memo that asks for value on another chain (a swap or loan
 * with a destination), counted for the tx's `to` and, for a memo read from a log emitted by
 * another contract, for that contract too (an aggregator whose multicall called a THORChain
 * router, and the router). Sets bit id of a new bitmap of (accounts + 7) / 8 bytes (free());
 * *n_found: how many. CW_ENOMEM. */
int cw_xchain_memo_bridges(const cw_evmstore *s, uint32_t min, uint8_t **bits, size_t *n_found);

#endif
