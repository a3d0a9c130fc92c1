/*
 * xchain_btcevm.h: a Bitcoin trace's bridge exits (swap vault deposits, trace.h CW_END_BRIDGE)
 * continued into an EVM chain's store (docs/TRACE-MODELS.md "Cross-chain: Bitcoin into an EVM
 * chain").
 *
 * A THORChain-like vault answers a deposit on the other chain with an outbound whose memo is
 * `OUT:<inbound txid>`, or sends it back on Bitcoin with `REFUND:<inbound txid>`. For each exit
 * whose memo asks for the destination store's chain (ETH. for ethereum, BSC. for bsc, ...):
 *  - OUT: an outbound on the destination store naming the deposit's txid: CERTAIN (the vault
 *    says which inbound it pays). The payout is the tx's credit to the memo's address, else its
 *    last credit of the memo's asset to someone other than the tx's sender;
 *  - REFUND: a Bitcoin tx after the deposit naming it: the exit ends back on Bitcoin (its value
 *    never left);
 *  - else PROBABLE: a credit of the memo's asset into the memo's address from the vault (an
 *    account seen sending OUT:/REFUND: outbounds on that store), not in a tx whose memo names
 *    another inbound, inside the window after the deposit, whose amount is within slip_bps of
 *    the deposit times the vault's own rate (the median of the 5 certain OUT: pairs nearest in
 *    time for that asset: a Bitcoin inbound's vault output and its outbound's credit). Scored by
 *    the credits that fit and time (xchain_evm.h's matcher). No rate (no OUT: pair for the
 *    asset), no vault account, or an unknown asset: no probable payout;
 *  - else "requested, not seen": the memo's address is the sender's request (a thief can name
 *    an honest person's address), never an attribution.
 * The engine opens no store and names no CLI flag; the caller traces on from the payouts' txs.
 */
#ifndef CHAINWATCH_XCHAIN_BTCEVM_H
#define CHAINWATCH_XCHAIN_BTCEVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/btc/store.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/labels.h"
#include "chainwatch/trace.h"

typedef struct cw_xchain_btcevm_opts {
    uint64_t window_s; /* payouts and refunds up to this long after the deposit (default 24 h) */
    uint64_t prompt_s; /* probable payouts within this long score the full time factor (1 h) */
    uint32_t slip_bps; /* probable: within this of the amount the vault's rate gives (500) */
    double min_score;  /* probable payouts scoring below it are listed, not traced (0.2) */
} cw_xchain_btcevm_opts;

void cw_xchain_btcevm_opts_init(cw_xchain_btcevm_opts *o);

typedef enum cw_btcevm_how {
    CW_BTCEVM_OUT_MEMO = 0,    /* certain: an outbound's OUT: names the deposit */
    CW_BTCEVM_AMOUNT_TIME = 1, /* probable: the vault paid the memo's address that asset, amount
                                * and time */
    CW_BTCEVM_REFUND = 2,      /* a REFUND: on Bitcoin names the deposit: back on Bitcoin */
    CW_BTCEVM_NOT_SEEN = 3,    /* requested by the memo, not seen on the destination store */
    CW_BTCEVM_OTHER_CHAIN = 4, /* the memo asks for a chain other than the store's */
    CW_BTCEVM_NO_ADDRESS = 5   /* the memo's address fails its checksum: nothing to look for */
} cw_btcevm_how;

const char *cw_btcevm_how_name(cw_btcevm_how h);

/* One exit (a vault deposit the trace ended in), with its payout when one was found; an exit
 * paid by several outbounds (a streaming swap) appears once per outbound. */
typedef struct cw_xchain_btcevm_exit {
    uint64_t tx;       /* the deposit (Bitcoin store tx number) */
    uint64_t traced;   /* traced value into the vault (sat) */
    uint64_t probable; /* its probable part */
    uint64_t deposit;  /* the vault output's value (sat) */
    uint64_t time;     /* the deposit's block time */
    cw_btcevm_how how;
    /* OUT_MEMO, AMOUNT_TIME: the payout on the destination store */
    uint64_t evm_tx, move;
    uint32_t recipient, asset;
    cw_u256 amount;
    uint64_t block, evm_time;
    bool to_memo_address; /* the recipient is the memo's address */
    double score;         /* 1 when certain */
    uint32_t fits;        /* probable: credits that fit */
    bool traced_on;       /* certain, or score >= min_score */
    cw_u256 expected;     /* probable: the amount the vault's rate gives */
    /* REFUND: the Bitcoin tx */
    uint64_t refund_tx;
} cw_xchain_btcevm_exit;

/* The bridge exits of t (a forward trace on bs) against dst: a new array *out (free()) of *n
 * rows in deposit order. 0 or CW_ENOMEM. */
int cw_xchain_btcevm_run(cw_xchain_btcevm_exit **out, size_t *n, const cw_chainstore *bs,
                         const cw_trace *t, const cw_evmstore *dst, const cw_xchain_btcevm_opts *o);

/* ---- the continuation as one JSON document (xchain_btcevm_report.c) ----
 * For `chainwatch trace --evm-store` (a thin caller) and the server's /api/v1/trace?evm=1: the
 * same document. A refunded deposit's value is the thief's again on Bitcoin: the refund's output
 * (refund_output) is traced on from there, with the Bitcoin trace's own options and labels, and
 * that trace's vault deposits are continued in turn ("round" 2, 3, ...; a deposit is continued
 * once, whichever round reaches it again, so a refund that goes back into the vault never loops;
 * a later round's value into it is added to its row, the round to its "rounds", its part to its
 * "by_round"). A round's probable sources make their value probable where it goes: the
 * round's trace is run with each source's probable part (cw_trace_opts.source_probable: all of
 * an output chosen by amount, else the refunded deposit's probable share of it), so its nodes,
 * paths, ends (its deposits, and the exchanges, unspent outputs and fees its document lists) and
 * graph carry it (rule probable-source); a certain source's value stays certain.
 * The output: the refund tx's one output to the deposit's sender (certain), else its only output
 * neither to the vault (the deposit's vault address, the refund's input addresses) nor above the
 * deposit (certain: the vault names the deposit), else the one such output within 10 % below
 * the deposit (probable: by amount), else none (not followed, said so). */
typedef struct cw_xchain_btcevm_report_opts {
    cw_xchain_btcevm_opts x;
    const cw_trace_opts *btc;    /* the Bitcoin trace's options, for the refunds' traces; NULL:
                                  * refunds are named, not followed */
    const cw_trace_labelmap *lm; /* its labels (may be NULL) */
    size_t top, graph;           /* cw_trace_json's limits for the refunds' traces */
    uint32_t max_rounds;         /* refunds followed through at most this many rounds (4) */
} cw_xchain_btcevm_report_opts;

/* The defaults, and the Bitcoin trace's own options, labels and JSON limits (btc may be NULL). */
void cw_xchain_btcevm_report_opts_init(cw_xchain_btcevm_report_opts *o, const cw_trace_opts *btc,
                                       const cw_trace_labelmap *lm, size_t top, size_t graph);

/* Continues the bridge exits of t (a forward trace on bs) into dst and appends one object to
 * the array conts: {chain, store (store_name), exits: [{round, rounds, by_round: [{round,
 * traced_sat, traced_probable_sat}], deposit_txid, deposit_sat,
 * traced_sat, traced_probable_sat, deposit_time, memo, requested_asset, requested_address, how,
 * evidence, certain, probable, refund_txid, refund_output: {outpoint, address, value_sat,
 * certain, probable, by, followed} | null, payout: {...} | null}], refund_traces: [{round,
 * sources: [outpoint...], by_source: [{outpoint, deposit_txid, value_sat, probable_sat (its
 * probable share of value_sat), by}], probable, trace: cw_trace_json of the round's trace, run
 * with its sources' probable parts (probable.by_rule["probable-source"])}], trace: the
 * account-model trace from
 * the traced payouts (acct_report.h) | null}. db: the labels for the EVM trace (may be NULL).
 * 0, CW_ENOMEM, or an engine's error (the message names it). */
int cw_xchain_btcevm_report(json_t *conts, const cw_chainstore *bs, const cw_trace *t,
                            cw_labels *db, const cw_evmstore *dst, const char *chain,
                            const char *store_name, const cw_xchain_btcevm_report_opts *o);

/* When bs's memos.col does not cover the whole chain, sets j's "memos_kept": {from_height (null:
 * none kept), meaning}; else leaves j alone. */
void cw_xchain_btcevm_memo_note(json_t *j, const cw_chainstore *bs);

/* The THORChain prefix of an EVM chain by its store name ("ethereum" -> "ETH", "bsc" -> "BSC",
 * "avalanche" -> "AVAX", "base" -> "BASE", "arbitrum" -> "ARB"), NULL when the vault serves none */
const char *cw_xchain_btcevm_prefix(const char *chain_name);

#endif
