/*
 * patterns.h: per-transaction pattern flags (CoinJoin kinds, peel-chain links, fan-out,
 * fan-in) computed over a chain store and persisted beside it as `patterns.<gen>/txflags.col` (one
 * u32 per tx) with its own manifest `patterns.manifest` (the tx and block counts it covers and the
 * hash of the last block covered). docs/PATTERNS.md gives the exact rules.
 *
 * The flags of a tx depend on the tx itself, the outputs it spends and the txs that spend its
 * outputs (peel-chain links), so a build over new blocks also revisits the parents of the new
 * txs. A build continues from the covered count; a reorg below it (the covered tip block is no
 * longer in the store) rebuilds from tx 0.
 */
#ifndef CHAINWATCH_PATTERNS_H
#define CHAINWATCH_PATTERNS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/btc/store.h"

/* Flag bits (part of the txflags.col format). */
#define CW_PAT_COINJOIN (1u << 0)   /* any CoinJoin rule below, or the generic rule */
#define CW_PAT_WHIRLPOOL (1u << 1)  /* 5 in / 5 out at a Whirlpool pool denomination */
#define CW_PAT_WASABI1 (1u << 2)    /* many ~0.1 BTC equal outputs + coordinator fee */
#define CW_PAT_WASABI2 (1u << 3)    /* large round, standard denominations */
#define CW_PAT_JOINMARKET (1u << 4) /* n equal outputs + n-1..n change outputs */
#define CW_PAT_PEEL (1u << 5)       /* peel-chain link */
#define CW_PAT_FANOUT (1u << 6)     /* few inputs, many outputs */
#define CW_PAT_FANIN (1u << 7)      /* many inputs, one or two outputs (consolidation) */
#define CW_PAT_COINBASE (1u << 8)   /* coinbase tx */
#define CW_PAT_TX0 (1u << 9)        /* Whirlpool Tx0: one owner's premix split (NOT a CoinJoin) */
#define CW_PAT_COINJOIN_PROBABLE                                                                   \
    (1u << 10) /* equal outputs and several owners, below the CoinJoin rules' bar: never a         \
                  CoinJoin flag, but clustering leaves its inputs apart */
#define CW_PAT_PEEL_STRONG                                                                         \
    (1u << 11) /* a peel_chain hop whose chain the chain-level judgement (rule peel-chain-judged,  \
                  below) reads as laundering-like: 4 of fast, automated, long, large, fresh        \
                  remainders, peels to standing accounts; peel_chain alone is the shape, which an  \
                  honest wallet spending its change in a run also has */
#define CW_PAT_JOINT_FUNDING                                                                       \
    (1u << 12) /* probably two owners funding one shared 2-of-2 output (an escrow deposit, a       \
                  dual-funded channel open or splice: rules escrow-deposit, dual-funded-open,      \
                  splice-in): never a CoinJoin flag, the trace reads it as one owner's tx as       \
                  before, but clustering leaves its inputs apart */
#define CW_PAT_N_FLAGS 13
#define CW_PAT_FLAG_MASK 0xffffu /* the flag bits of a flags word */

/* Besides the flag bits, a flags word carries the rule that decided the tx's main flag (bits
 * 24..31, CW_PAT_RULE_*) and that rule's score (bits 16..23): 0..100, how sure the rule is
 * (100 only for exact facts such as coinbase). Compare flags with & CW_PAT_*, never with ==. */
#define CW_PAT_RULE(f) ((unsigned)((f) >> 24))
#define CW_PAT_SCORE(f) ((unsigned)(((f) >> 16) & 0xffu))

enum {
    CW_PAT_RULE_NONE = 0,
    CW_PAT_RULE_COINBASE,        /* the coinbase tx */
    CW_PAT_RULE_WHIRLPOOL,       /* 5..10 in = out, all outputs one pool denomination */
    CW_PAT_RULE_EQUAL_MIX,       /* the Whirlpool shape at a value that is not a pool's */
    CW_PAT_RULE_WASABI2,         /* many standard denominations, many owners */
    CW_PAT_RULE_EQUAL_ROUND,     /* >= 5 equal outputs, many owners, changes matched */
    CW_PAT_RULE_JM_SUBSET,       /* n equal outputs, makers' changes matched by input sub-sets */
    CW_PAT_RULE_JM_STRUCTURE,    /* n equal outputs + n-1..n+1 others, n distinct owners */
    CW_PAT_RULE_TX0,             /* premix outputs + OP_RETURN (+ coordinator fee, change) */
    CW_PAT_RULE_TX0_NO_OPRETURN, /* premix outputs + coordinator fee, one owner */
    CW_PAT_RULE_PROBABLE,        /* equal outputs, several owners: probable CoinJoin */
    CW_PAT_RULE_PEEL_RUN,        /* a hop of a run of >= CW_PAT_PEEL_MIN_RUN peel hops */
    CW_PAT_RULE_SHAPE,           /* fan-out / fan-in from the counts alone */
    CW_PAT_RULE_PEEL_SHORT,      /* a hop of a tight run of >= CW_PAT_PEEL_SHORT_RUN hops */
    CW_PAT_RULE_PEEL_END,        /* one of the <= CW_PAT_PEEL_END_HOPS txs ending a flagged run */
    CW_PAT_RULE_PEEL_BRANCH,     /* a hop of a run started by a flagged run's peel */
    CW_PAT_RULE_STONEWALL,       /* 2 equal outputs + 2 others, >= 2 input addresses, an input
                                    sub-set paying one equal output and one other */
    CW_PAT_RULE_ESCROW_DEPOSIT, /* >= 2 input addresses -> one P2WSH + OP_RETURN (+ <= 2 changes) */
    CW_PAT_RULE_DUAL_FUNDED, /* >= 2 input addresses -> one P2WSH + 2 changes to fresh addresses */
    CW_PAT_RULE_SPLICE_IN,   /* a P2WSH coin + others -> one P2WSH + 1 change */
    CW_PAT_N_RULES
};

/* Most outputs of a peel hop: a remainder and up to 3 peels (a batched hop). */
#define CW_PAT_PEEL_MAX_OUTS 4
/* A hop's largest output is a payment, not the chain's remainder, when it is a multiple of
 * this (0.001 BTC) while another output is not: a change is what is left after a payment and
 * a fee, round only by chance (docs/PATTERNS.md, "The remainder is the payer's"). */
#define CW_PAT_PEEL_ROUND_SAT 100000
/* Minimum number of consecutive hops for a peel chain (docs/PATTERNS.md). */
#define CW_PAT_PEEL_MIN_RUN 7
/* Largest mean peel fraction (peel / input, in millionths) over the hops of a run. */
#define CW_PAT_PEEL_MAX_MEAN_PPM 450000
/* A shorter run is a peel chain only when it is tight (rule peel-run-short): at least this
 * many hops, each link a one-input hop spending a remainder paid to a fresh address (no output
 * paid it before), confirmed at most CW_PAT_PEEL_TIGHT_BLOCKS blocks after its parent. A batched
 * hop's remainder back at the chain's own earlier address links the run but counts for no hop. */
#define CW_PAT_PEEL_SHORT_RUN 4
#define CW_PAT_PEEL_TIGHT_BLOCKS 1
/* A service's float, not a peel chain: the run's first hop spends a coin at an address paid at
 * least CW_PAT_PEEL_FLOAT_PAID times up to that coin (a standing address: a hot wallet), and
 * its hops pay on average less than CW_PAT_PEEL_FLOAT_MAX_PPM of what they hold (withdrawals
 * from a float). The head is looked for at most CW_PAT_PEEL_HEAD_CAP hops up. */
#define CW_PAT_PEEL_FLOAT_PAID 3
#define CW_PAT_PEEL_FLOAT_MAX_PPM 10000
#define CW_PAT_PEEL_HEAD_CAP 64
/* A run's end (rule peel-run-end): up to this many txs after a flagged run's last hop (the
 * one whose remainder no hop spends, or only the first of these txs, a hop peeling more than
 * the run's mean allows), each with one input spending an output of the one before, paid to a
 * fresh address (or the chain's own earlier one), at most CW_PAT_PEEL_TIGHT_BLOCKS blocks after it,
 * with 2..CW_PAT_PEEL_MAX_OUTS outputs to addresses: a chain ending with a peel larger than its
 * remainder, or a last batched hop, whose remainder is not the largest output. */
#define CW_PAT_PEEL_END_HOPS 2
/* A branch (rule peel-run-branch): a run of CW_PAT_PEEL_BRANCH_RUN..CW_PAT_PEEL_MIN_RUN - 1
 * hops whose first hop spends a peel (not the remainder) of a hop flagged peel-run or
 * peel-run-short, its links at most CW_PAT_PEEL_BRANCH_MEDIAN blocks apart at the (upper)
 * median and CW_PAT_PEEL_BRANCH_MAX at most, peeling on average at most
 * CW_PAT_PEEL_MAX_MEAN_PPM: a chain started by another chain's peel (a fan-out of chains). */
#define CW_PAT_PEEL_BRANCH_RUN 5
#define CW_PAT_PEEL_BRANCH_MEDIAN 12
#define CW_PAT_PEEL_BRANCH_MAX 24
/* The chain-level judgement (rule peel-chain-judged, flag peel_strong) of a hop flagged
 * peel-run, peel-run-short or peel-run-branch, over the same window of the run the run rule
 * walks (at most 14 hops, older ones first). Its parts, each read from the window alone (no
 * later block changes them):
 *   fast       the (upper) median blocks between consecutive hops <= CW_PAT_PEEL_FAST_BLOCKS
 *              (4 hours of 10-minute blocks: a script, not a person paying now and then);
 *   automated  that median <= CW_PAT_PEEL_AUTO_BLOCKS (20 minutes: hop after hop);
 *   long       >= CW_PAT_PEEL_LONG_RUN hops;
 *   large      >= CW_PAT_PEEL_LARGE_SAT entering the window's oldest hop (one large amount);
 *   fresh      every remainder paid to an address no output paid before;
 *   deposit    at least half the peels paid to an address paid before (a standing account: an
 *              exchange deposit address the chain pays again and again).
 * Score 50 + 8 per part; the hop is peel_strong with CW_PAT_PEEL_STRONG_PARTS parts or more, one
 * of them fresh or automated (docs/PATTERNS.md, "Chain-level judgement"). */
#define CW_PAT_PEEL_FAST_BLOCKS 24
#define CW_PAT_PEEL_AUTO_BLOCKS 2
#define CW_PAT_PEEL_LONG_RUN 10
#define CW_PAT_PEEL_LARGE_SAT 100000000
#define CW_PAT_PEEL_STRONG_PARTS 4
enum {
    CW_PAT_PEEL_PART_FAST = 1u << 0,
    CW_PAT_PEEL_PART_AUTOMATED = 1u << 1,
    CW_PAT_PEEL_PART_LONG = 1u << 2,
    CW_PAT_PEEL_PART_LARGE = 1u << 3,
    CW_PAT_PEEL_PART_FRESH = 1u << 4,
    CW_PAT_PEEL_PART_DEPOSIT = 1u << 5,
    CW_PAT_PEEL_N_PARTS = 6
};
/* Name of chain-judgement part i ("fast", ...), NULL past the last. */
const char *cw_patterns_peel_part_name(unsigned i);

/* Name of flag bit i ("coinjoin", "whirlpool", ...), or NULL past the last. */
const char *cw_patterns_flag_name(unsigned bit);
/* Writes the comma-separated names of the set flags into buf ("" when none). */
void cw_patterns_flags_string(char *buf, size_t n, uint32_t flags);
/* Short name of a rule ("whirlpool-pool-denomination", ...) and a one-line statement of it;
 * NULL past the last. */
const char *cw_patterns_rule_name(unsigned rule);
const char *cw_patterns_rule_text(unsigned rule);
/* True when clustering must not unite the inputs of a tx with these flags (CoinJoin or
 * probable CoinJoin). */
bool cw_patterns_multi_owner(uint32_t flags);
/* True when clustering must leave the inputs of a tx with these flags apart: multi-owner (above)
 * or probably jointly funded (CW_PAT_JOINT_FUNDING). The trace asks cw_patterns_multi_owner. */
bool cw_patterns_inputs_apart(uint32_t flags);

/* The CoinJoin evidence behind a tx's flags (for `patterns show`, `tx` and tracing). */
typedef struct cw_patterns_detail {
    uint32_t flags;                   /* as cw_patterns_compute */
    unsigned rule, score;             /* CW_PAT_RULE(flags), CW_PAT_SCORE(flags) */
    uint32_t equal_outputs;           /* outputs in the largest equal-value class */
    uint64_t equal_value;             /* their value, sat */
    uint32_t inputs, input_addresses; /* inputs and distinct input addresses */
    uint32_t other_outputs;           /* outputs to addresses outside that class */
    uint32_t changes_matched; /* other outputs explained as one owner's change by a sub-set of
                                 the inputs (sub-set sum) */
    uint32_t peel_run;        /* peel hops in the run through this tx (capped at 2 x minimum) */
    uint32_t peel_tight;      /* hops in the tight run through it (capped at CW_PAT_PEEL_SHORT_RUN),
                                 counted only for a run of CW_PAT_PEEL_SHORT_RUN..7 hops */
    bool peel_float;          /* the run is a service's float (not flagged, see above) */
    bool peel_branch;         /* rule peel-run-branch: the run started at a flagged run's peel */
    /* the chain-level judgement of a peel-run, peel-run-short or peel-run-branch hop (0 when not
     * judged): its score (50 + 8 per part), parts (CW_PAT_PEEL_PART_*) and window figures */
    unsigned chain_score, chain_parts;
    uint32_t chain_hops, chain_gap; /* hops in the window, median blocks between them */
    uint64_t chain_start_sat;       /* outputs of the window's oldest hop, sat */
    uint32_t chain_fresh, chain_peels, chain_peels_paid; /* remainders to fresh addresses;
                                                            peels; peels to addresses paid before */
    uint32_t peel_end;        /* rule peel-run-end: txs from the run's last hop to this one */
    bool payer_batch; /* equal outputs among many other payments, no Wasabi 2 ladder, fewer than
                         2 changes matched: one payer's batch, not a probable CoinJoin */
    uint32_t equal_split;     /* rule equal-split: outputs within 0.01 % of the class value, counted
                                 as the same split's parts (fewer input addresses than parts, other
                                 outputs not matched as changes): one owner's split, not a probable
                                 CoinJoin; 0 when not */
    const char *kind_reason;  /* why the CoinJoin got its kind bit (static text), or NULL */
    unsigned joint_rule, joint_score; /* the joint-funding rule that fired (CW_PAT_RULE_ESCROW_
                                         DEPOSIT..SPLICE_IN) and its score, 0 when none; the
                                         main rule when no peel rule fired */
    uint32_t p2wsh_outputs, opreturn_outputs; /* the joint-funding rules' evidence */
} cw_patterns_detail;
/* Computes the flags of tx with their evidence (from the store alone). */
void cw_patterns_explain(const cw_chainstore *cs, uint64_t tx, cw_patterns_detail *out);
/* Adds "rule", "rule_text", "score" and "evidence" for the flags f of tx to a JSON object. */
void cw_patterns_detail_json(json_t *obj, const cw_chainstore *cs, uint64_t tx, uint32_t f);

/* The flags of tx computed from the store alone (no persisted column needed). Valid for any
 * tx below the published tx count. */
uint32_t cw_patterns_compute(const cw_chainstore *cs, uint64_t tx);
/* Peel-hop shape of a tx: not a coinbase, 1 or 2 inputs, 2 to CW_PAT_PEEL_MAX_OUTS outputs to
 * addresses, the remainder (the largest) strictly above every peel (the others, may be 0), and
 * for a batched hop (more than 2 outputs) a remainder paid to an address no output paid before;
 * and a remainder that reads as the payer's own (not a round amount beside a peel that is not,
 * not more than each of 2 inputs holds: stop 24); *large gets the remainder's vout. (Before issue
 * 11 this asked for a remainder >= 4x the peel; before stop 18 for exactly 2 outputs.) A peel-chain
 * link additionally needs a run of CW_PAT_PEEL_MIN_RUN such hops, each spending the previous one's
 * remainder. */
bool cw_patterns_peel_shape(const cw_chainstore *cs, uint64_t tx, uint32_t *large);
/* Number of hops in the peel run through tx (tx included), counting at most `cap` (0 when tx
 * is not of peel-hop shape). */
unsigned cw_patterns_peel_run(const cw_chainstore *cs, uint64_t tx, unsigned cap);
/* The peel hop whose remainder tx (itself of peel-hop shape) spends, CW_NONE64 when none. */
uint64_t cw_patterns_peel_parent(const cw_chainstore *cs, uint64_t tx);
/* The peel hop that spends tx's remainder (tx of peel-hop shape), CW_NONE64 when none. */
uint64_t cw_patterns_peel_next(const cw_chainstore *cs, uint64_t tx);

typedef struct cw_patterns_stats {
    uint64_t txs_before;             /* txs covered before this build */
    uint64_t txs_after;              /* txs covered now */
    bool rebuilt;                    /* a reorg (or a damaged column) forced a rebuild from tx 0 */
    uint64_t counts[CW_PAT_N_FLAGS]; /* txs carrying each flag, over the whole store */
    double seconds;
} cw_patterns_stats;

/* Computes or extends the flags of every published tx of the store in store_dir into a new
 * generation (patterns.<gen>/txflags.col, src/store/derived.c: the rows a reader has open are
 * never rewritten; nothing is written when the flags are up to date). Opens the
 * chain store read-only; takes an flock on store_dir/analytics.lock (CW_EBUSY when another
 * build runs). stats may be NULL. Errors: CW_EIO, CW_ECORRUPT, CW_ENOTFOUND, CW_EBUSY. */
int cw_patterns_build(const char *store_dir, cw_patterns_stats *stats);

/* The format of the flags a build writes now: it changes whenever a rule does (flags of
 * another format differ), so what is derived from the flags (clusters) records it. */
uint64_t cw_patterns_format(void);

/* A read-only view of txflags.col. */
typedef struct cw_patterns cw_patterns;
/* Opens the flags of an open store; CW_ENOTFOUND when never built. The view covers the txs of
 * its manifest (cw_patterns_covered); a reorg since the build makes it CW_ECORRUPT ("rebuild"). */
int cw_patterns_open(cw_patterns **out, const cw_chainstore *cs);
void cw_patterns_close(cw_patterns *p);
uint64_t cw_patterns_covered(const cw_patterns *p);
/* Flags of tx: 0 and *flags, or CW_ENOTFOUND when tx is past the covered count. */
int cw_patterns_tx_flags(const cw_patterns *p, uint64_t tx, uint32_t *flags);

/* For `chainwatch tx`: adds "flags" (array of names) to a tx JSON object of cw_query_tx,
 * from txflags.col when it covers the tx, else computed on the fly ("flags_source" says
 * which). Never fails the caller: on any error it adds nothing. */
void cw_patterns_annotate_tx(json_t *tx_json, const cw_chainstore *cs);

#endif
