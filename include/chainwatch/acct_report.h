/*
 * acct_report.h: an account-model trace on an EVM store as one JSON document, for
 * `chainwatch trace --store EVM` (a thin caller), the server and the dashboard (analytics
 * module): cw_acct_trace from the value movements of the given transactions, stopping where
 * the one stop policy says (acct_policy.h: labelled exchanges, mixers and bridges, every EVM
 * address label, any asset code; unless told not to, bridges named by swap memos and accounts
 * recognised from behaviour, exchange deposit addresses and mixer pools, probable).
 *
 * The document has the shape of `chainwatch trace --json` on an EVM store, which the dashboard
 * reads (web/js/evm.js): "chain", "synthetic" (true when the store holds a generated world:
 * cw_evmstore_synthetic; whoever shows the document says so), "model", "sources", "ends" (address,
 * asset {id, symbol, decimals, contract}, kind, amount as a decimal string of base units, hops,
 * movements, probable, first_tx, path: the tx hashes from a source, label {entity, category} or
 * null with sanctioned first, recognised {as, score, probable} or null, arrivals and arrival_count
 * for stops, reads_as under poison, via_candidate_link when a followed candidate reached it;
 * kind "dust" with "dust": {rule, meaning} for a holding that is dust an honest account holds,
 * cw_acct_end.dust; "frozen" {by, since_block, since_time, tx, probable, meaning} on a holding
 * the token's own contract has frozen at the store's tip: cw_evm_frozen_json, a fact),
 * "conversions", "mixer_links" (with --through-mixer: withdrawal tx, mixer, recipient, asset,
 * amount, denomination, score, evidence classes, lead, probable; links carry value),
 * "mixer_candidates" (the same for withdrawals whose only evidence is the anonymity set: they
 * carry none unless follow_candidates; reads_as says so), "totals" (per asset:
 * sourced, fees, dust, burnt), "movements_read", "tainted_movements", "ends_truncated".
 * Amounts are never JSON numbers (wei exceed 2^53).
 */
#ifndef CHAINWATCH_ACCT_REPORT_H
#define CHAINWATCH_ACCT_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "chainwatch/acct_screen.h"
#include "chainwatch/acct_trace.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/labels.h"

typedef struct cw_acct_report_opts {
    cw_acct_opts trace;  /* model, hops, until, min amount, mixers (cw_acct_opts_init) */
    bool no_services;    /* stop only at labelled accounts */
    size_t max_ends;     /* ends (largest first past it) and conversions; 0 = 2000 / 1000;
                            SIZE_MAX: all */
    size_t max_arrivals; /* per end; 0 = 100; SIZE_MAX: all */
} cw_acct_report_opts;

void cw_acct_report_opts_init(cw_acct_report_opts *o);

/* Traces forward from the value movements of the transactions `from` (0x hashes) and builds
 * the document into *out (owned by the caller). db may be NULL (no labels). Returns 0, or
 * CW_EINVAL (a malformed hash, no source), CW_ENOTFOUND (a tx not in the store or moving no
 * value: the message names it), CW_ENOMEM. */
int cw_acct_report_trace(json_t **out, const cw_evmstore *s, cw_labels *db, const char *const *from,
                         size_t n_from, const cw_acct_report_opts *o);

/* The same, and the trace itself into *result (owned by the caller, may be NULL) for what
 * reads it further (bridge exits: xchain.h). */
int cw_acct_report_run(json_t **out, cw_acct_result **result, const cw_evmstore *s, cw_labels *db,
                       const char *const *from, size_t n_from, const cw_acct_report_opts *o);

/* Screening (acct_screen.h) as one document, for `chainwatch screen --store EVM` and the
 * server's /api/v1/evm/screen/{addr}. */
typedef struct cw_acct_screen_report_opts {
    cw_acct_screen_opts screen; /* floor, hops, swaps (cw_acct_screen_opts_init) */
    double threshold;           /* a risky category's CERTAIN share that flags (default 0.05) */
    double probable_threshold;  /* its share with probable exposure that flags "probable" when
                                   the certain share does not reach threshold (default 0.25) */
    bool no_services;           /* branches end only at labels, not at accounts recognised from
                                   behaviour (acct_policy.h) */
} cw_acct_screen_report_opts;

void cw_acct_screen_report_opts_init(cw_acct_screen_report_opts *o);

/* Screens each address (0x, a mixed-case one matching its EIP-55 checksum) for every asset it
 * received, into *out: {"results": [{address, flagged, flag: "flag"|"probable"|"none",
 * sanctioned, labels, recognised (acct_policy's judgement of the address itself, or null),
 * assets: [{asset, received, exposure: {CATEGORY: {direct, indirect, certain, probable, why}},
 * unexplored, from_nobody, flag, flags: [{category, level: "flag"|"probable", share,
 * certain_share, threshold, why, meaning?}], flagged: [CATEGORY...] (either level),
 * strongest_paths: [{category, share, accounts, txs, probable, why}], through_swaps,
 * accounts_visited, receipts_read}], reads_as}], threshold, probable_threshold, floor,
 * max_hops, services, synthetic}. "why" names the judgements a probable share passed: "swap",
 * "split" (a swap's several inputs, an equal part each), "service" (a branch ended at an
 * account recognised from behaviour, by its category: exchange, mixer, bridge, service).
 * Returns 0, CW_EINVAL (a malformed address: the message names it), CW_ENOTFOUND (an address
 * not in the store), CW_ENOMEM or a store read error. */
int cw_acct_report_screen(json_t **out, const cw_evmstore *s, cw_labels *db,
                          const char *const *addrs, size_t n, const cw_acct_screen_report_opts *o);

/* An account of s as its 0x address (json null for CW_ACCT_NONE or an unknown id). New
 * reference. */
json_t *cw_acct_report_addr_json(const cw_evmstore *s, uint32_t id);

/* {id, symbol, decimals (null when unknown), contract} of an asset of s. New reference. */
json_t *cw_acct_report_asset_json(const cw_evmstore *s, uint32_t id);

#endif
