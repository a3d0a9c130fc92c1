/*
 * xchain_evm.h: continuing an EVM trace's bridge exits into another EVM chain's store
 * (docs/TRACE-MODELS.md, "Cross-chain: into another EVM chain").
 *
 * A bridge pays on the destination chain in one of two ways: it mints or releases the asset to
 * the recipient (lock-and-mint), or a relayer pays the recipient from its own funds and is repaid
 * later (Across-like fills). Either way the payout is one credit to the recipient on the
 * destination chain. The matcher pairs each deposit with such a credit:
 *  - when both sides carry the bridge's deposit id (nonce), only the credit naming the deposit's
 *    id matches, and the link is CERTAIN (score 1); a credit naming another id never matches;
 *  - otherwise by recipient, asset (the same symbol and decimals, or a bridged form of it:
 *    "USDC.e", "bETH", "WETH" for "USDC", "ETH"), an amount from the deposit less `fee_bps` up
 *    to the deposit, and a time from the deposit to `window_s` after it. The link is then a
 *    judgement, PROBABLE: its score is 1 / (the credits that fit) times a time factor (1 within
 *    `prompt_s`, falling linearly to 0.5 at the window's end), halved when the recipient was not
 *    recorded and the depositor's own address was assumed (bridges' default).
 * Deposits are matched in time order, each to the earliest credit that fits and no earlier
 * deposit took: two deposits of one amount to one recipient get one credit each (both probable,
 * each scored by the credits that fit it), and no credit is counted twice.
 *
 * A deposit is the whole movement into the bridge (the bridge pays for all of it, even when only
 * part of it was tainted: the exit's amount). The value on the destination chain is the credit's
 * amount (a relayer's fill: what it paid the recipient, never its other funds). The caller then
 * traces on from the credits' txs in the destination store (acct_report.h). The engine opens no
 * store and names no CLI flag.
 */
#ifndef CHAINWATCH_XCHAIN_EVM_H
#define CHAINWATCH_XCHAIN_EVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/evm/store.h"
#include "chainwatch/xchain.h"

typedef struct cw_xchain_evm_opts {
    uint64_t window_s; /* credits up to this long after the deposit (default 24 h) */
    uint64_t prompt_s; /* credits within this long score the full time factor (default 1 h) */
    uint32_t fee_bps;  /* the bridge's fee: a credit is at least the deposit less this (100) */
    double min_score;  /* links scoring below it are listed, not traced (default 0.2) */
} cw_xchain_evm_opts;

void cw_xchain_evm_opts_init(cw_xchain_evm_opts *o);

/* One side of the matcher: a deposit into a bridge or a credit on the destination chain. */
typedef struct cw_xchain_evm_side {
    uint8_t to[20]; /* the recipient */
    char symbol[48];
    uint8_t decimals; /* 255 = unknown */
    cw_u256 amount;
    uint64_t time;
    bool has_id; /* the bridge's deposit id (nonce) the event carries */
    uint64_t id;
    bool assumed; /* deposits: no recipient recorded, the depositor assumed */
} cw_xchain_evm_side;

typedef struct cw_xchain_evm_link {
    size_t deposit, credit; /* indexes into the matcher's arrays */
    double score;           /* 1 when certain */
    bool certain;           /* matched by deposit id */
    uint32_t fits;          /* credits that fit the deposit (the chosen one included) */
    bool traced;            /* score >= min_score */
} cw_xchain_evm_link;

/* Pairs deposits with credits as above into a new array *links (free()) of *n links, in the
 * deposits' time order. 0 or CW_ENOMEM. */
int cw_xchain_evm_match(cw_xchain_evm_link **links, size_t *n, const cw_xchain_evm_side *deposits,
                        size_t n_deposits, const cw_xchain_evm_side *credits, size_t n_credits,
                        const cw_xchain_evm_opts *o);

/* A payout found on the destination store for a bridge exit. */
typedef struct cw_xchain_evm_payout {
    size_t exit;          /* index into cw_xchain_result_exits */
    uint64_t tx, move;    /* in the destination store */
    uint32_t recipient;   /* account id in the destination store */
    uint32_t asset;       /* asset id in the destination store */
    cw_u256 amount;       /* the credit */
    uint64_t block, time; /* the credit's block and its time */
    double score;
    bool certain, assumed, traced;
    uint32_t fits;
} cw_xchain_evm_payout;

/* The exits of x (a trace on src) whose destination is dst's chain (an event or memo naming
 * "eip155:ID" with dst's chain id), or that name no destination at all (the depositor is then
 * assumed the recipient), matched to credits in dst. Exits to other chains are left alone.
 * The stores hold no deposit ids (they keep no raw event data), so every link read from them is
 * probable. New array *out (free()) of *n payouts in exit order. 0, CW_ENOMEM. */
int cw_xchain_evm_payouts(cw_xchain_evm_payout **out, size_t *n, const cw_evmstore *src,
                          const cw_xchain_result *x, const cw_evmstore *dst,
                          const cw_xchain_evm_opts *o);

#endif
