/*
 * screen.h: exposure screening for a compliance desk. The exposure of an address is the share
 * of the value it received that comes, backward under the haircut model, from addresses of
 * each labelled category (sanctioned, theft, mixer, exchange...). Exposure is followed until
 * the traced share of a path falls below a floor (peel chains run 10-30 hops: no small fixed
 * depth), with a hop cap as a safety bound. Direct exposure is value whose immediate sender is
 * labelled (hop 1); indirect, value that reaches a label further back. Value traced back to
 * the address itself (its own change) is left out of the base; value that meets no label is
 * "unknown", newly mined value "coinbase".
 *
 * CoinJoins (the policy is explicit): "proportional" (default) follows through a CoinJoin
 * sharing each output over the inputs by value, and all exposure found past it is PROBABLE;
 * "stop" ends there (exposure "coinjoin": the value left a mixer); "through" follows as any
 * tx and counts what it finds as certain (not for decisions about honest participants).
 * A risk category flags the address when its certain share reaches `threshold`; when only the
 * share including probable exposure reaches `probable_threshold`, the flag is "probable".
 * Each flag carries its strongest paths. docs/TRACE-MODELS.md ("Screening") defines it.
 *
 * One owner per mix input (default): at a one-to-one equal-output mix (the Whirlpool shape)
 * each input's owner takes one output, so a thief's coins make at most one of its inputs and
 * the probable exposure an output carries is capped at max(1, certain coins in) / n
 * (cw_trace_owner_capped). In a many-output round (Wasabi-type) each output is bounded by
 * amounts instead: an output only traced value could pay is the thief's, the rest of the traced
 * value is spread by value, each output at most max(1, C) / k of its k possible payers; beside
 * the forced outputs and the largest output within what is left that only one payer's certain
 * value could pay (a), the traced coins have B = T - forced - a: outputs worth more than B get
 * 0 and B is spread over the rest (a is not raised). The probable flag is judged on that
 * capped share; the uncapped
 * proportional share is kept apart ("through mix") for a desk that wants to review coins that
 * mixed alongside stolen ones.
 *
 * Several rounds (rule "mix-rounds", PROBABLE): an address whose paying txs combine outputs of
 * several (default 3) many-output rounds that the stolen value itself entered is flagged
 * probable whatever its share: an honest participant takes an output of one such round, rarely
 * of three; one-to-one mixes do not count (honest remixers meet the thief's coin in many), nor
 * does a paying tx that is itself a CoinJoin (its inputs are many owners').
 */
#ifndef CHAINWATCH_SCREEN_H
#define CHAINWATCH_SCREEN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "chainwatch/btc/store.h"
#include "chainwatch/trace.h"

#define CW_SCREEN_MAX_FLAG_CATS 16

/* what cw_screen_address screens apart besides the pooled answer (cw_screen_opts.per_deposit) */
typedef enum cw_screen_per_deposit {
    CW_SCREEN_DEP_OFF = 0,     /* the pooled answer only */
    CW_SCREEN_DEP_ALL = 1,     /* each deposit, the whole model (certain and probable flags) */
    CW_SCREEN_DEP_CERTAIN = 2, /* each deposit, flagged only on certain exposure (default) */
    CW_SCREEN_DEP_N
} cw_screen_per_deposit;

/* "off", "all", "certain"; parse returns 0 or CW_EINVAL naming the value */
const char *cw_screen_per_deposit_name(cw_screen_per_deposit m);
int cw_screen_per_deposit_parse(cw_screen_per_deposit *m, const char *s);

typedef struct cw_screen_opts {
    uint32_t hops;              /* hop cap (default 0: none, the floor bounds the work) */
    double floor;               /* a path is followed while its traced value is at least this share
                                 * of the received value (default 0.001 = 0.1 %) */
    uint32_t until_height;      /* only outputs received at or below this height; UINT32_MAX */
    uint64_t min_value;         /* and at least this many satoshis (default 1) */
    uint64_t max_nodes;         /* memory bound per address (0: the trace default) */
    cw_trace_coinjoin coinjoin; /* CW_CJ_PROPORTIONAL (default), CW_CJ_STOP or CW_CJ_ORDER
                                 * ("through"); CW_CJ_RANK is treated as proportional */
    double threshold;           /* certain share that flags a risk category (default 0.05) */
    double probable_threshold;  /* share incl. probable that makes a probable flag (0.25) */
    const char *flag_categories[CW_SCREEN_MAX_FLAG_CATS]; /* risk categories; none given:
                                                           * sanctioned, theft, ransomware,
                                                           * darknet_market, scam */
    size_t n_flag_categories;
    /* false (default): one owner per output (1/n at one-to-one mixes, amounts in many-output
     * rounds) caps the probable share; true: the plain proportional sum (each remix's share
     * counted as if independent) */
    bool independent_inputs;
    cw_trace_is_coinjoin_fn is_coinjoin; /* NULL: the pattern module's flags */
    void *is_coinjoin_ctx;
    /* rule "mix-rounds" (default 3; 0: off): an address no other rule flags is PROBABLE for a
     * risk category when the txs paying it spend outputs of at least this many distinct
     * many-output CoinJoin rounds (not one-to-one equal-output mixes) that certain value of
     * the category entered (a backward trace from each round's inputs). Not under "stop". */
    uint32_t mix_rounds;
    /* cw_screen_address: also screen each received output of at least min_deposit satoshis
     * apart, as one deposit (the floor a share of its own value, the same categories and
     * thresholds); the address is flagged when its pooled answer or any deposit is.
     * CW_SCREEN_DEP_CERTAIN (default): a deposit is flagged only on its certain share (paths
     * that pass no CoinJoin: its trace stops at CoinJoins, unless the policy is "through"), so
     * no deposit is flagged apart for having shared a round with a thief;
     * CW_SCREEN_DEP_ALL: the whole model per deposit (certain and probable flags);
     * CW_SCREEN_DEP_OFF: the pooled answer only */
    cw_screen_per_deposit per_deposit;
    /* a deposit (an output screened alone) worth less than this is never flagged apart: a
     * dusting attack pays an honest address a few satoshis of stolen coins, and the share of
     * such an output says nothing about its owner (default 100000 sat; its value still counts
     * in the pooled answer) */
    uint64_t min_deposit;
    /* rule third-party's second trace (docs/TRACE-MODELS.md, "A third party's own account"):
     * false (default): run only when some tx of the first trace can be a third party's spend
     * (the two traces are otherwise the same); true: always (the full path, for tests) */
    bool third_party_retrace;
} cw_screen_opts;

void cw_screen_opts_init(cw_screen_opts *o);

typedef struct cw_screen_result cw_screen_result;

/* Screens one address (a string for the store's network). Returns 0, CW_EINVAL (not an
 * address, bad options), CW_ENOTFOUND (no outputs in the store) or CW_ENOMEM. *out owned by
 * the caller. */
int cw_screen_address(cw_screen_result **out, const cw_chainstore *cs,
                      const cw_trace_labelmap *labels, const char *addr,
                      const cw_screen_opts *opts);
/* Screens one output, "txid:vout" (a deposit, as an exchange screens each incoming payment):
 * its exposure with the floor a share of its own value; value from its own address is
 * "self". Worth less than opts.min_deposit, it is never flagged (its exposure is reported).
 * Returns 0, CW_EINVAL (not txid:vout, bad options), CW_ENOTFOUND (no such tx or output),
 * CW_ENOMEM. */
int cw_screen_output(cw_screen_result **out, const cw_chainstore *cs,
                     const cw_trace_labelmap *labels, const char *outpoint,
                     const cw_screen_opts *opts);
void cw_screen_result_free(cw_screen_result *r);

/* Value received from others (the base of the shares), in satoshis. */
uint64_t cw_screen_received(const cw_screen_result *r);
/* Share (0..1) of the received value that comes from category (direct + indirect, certain and
 * probable). */
double cw_screen_share(const cw_screen_result *r, const char *category);
/* The certain part of that share (what did not pass a CoinJoin). */
double cw_screen_certain_share(const cw_screen_result *r, const char *category);
/* The share the probable flag is judged on: certain plus probable, with one owner per output
 * at CoinJoins (equal to cw_screen_share when opts.independent_inputs). */
double cw_screen_flag_share(const cw_screen_result *r, const char *category);
/* 2: flagged (certain share >= threshold), 1: probable flag, 0: not flagged (any risk
 * category; the strongest level; with per_deposit, of the pooled answer and every deposit). */
int cw_screen_flag_level(const cw_screen_result *r);

/* {"address", "received", "self", "base", "hops", "floor", "floor_sat", "coinjoin",
 *  "exposure": [{category, value, share, certain, probable, direct, indirect, min_hops,
 *                "one_owner": {value, share, probable, capped_mixes} (where it decides
 *                the flag: a risk category whose share with probable exposure reaches the
 *                probable threshold and whose certain share does not flag)}],
 *  "through_mix": [{category, share, one_owner_share, paths: [...]}] (risk categories whose
 *  proportional share reaches probable_threshold while the capped one does not: exposed
 *  through a mix, no flag; paths as a flag's),
 *  "unknown", "coinbase", "coinjoin_value" (stop), "flag": "flag"|"probable"|"none",
 *  "flags": [{category, level, share, certain_share, threshold, paths: [...]; a probable
 *             flag adds one_owner_share (its score), rule ("one-owner", "proportional" or
 *             "mix-rounds") and meaning; "mix-rounds" adds rounds: [{txid, entered_share}]
 *             (the round's input value the category's certain value makes up) and
 *             min_rounds (its threshold is the count, not the share)}],
 *  "paths": [...top paths...],
 *  an output's screen adds "outpoint" (txid:vout), "value" (sat), "time" (its block's, Unix
 *  seconds), "height", "min_deposit", "below_min_deposit";
 *  with per_deposit: "pooled_flag" (the pooled answer's; "flag" is the stronger of it and the
 *  deposits') and "per_deposit": {mode ("certain"|"all"), min_deposit, screened,
 *  below_min_deposit, flag, flagged:
 *  [{outpoint, value, time, height, flag, flags, base, floor_sat, exposure, unknown_share}]}} */
json_t *cw_screen_json(const cw_screen_result *r, size_t top_paths);

#endif
