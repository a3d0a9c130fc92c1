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
 * for stops, reads_as under poison, via_candidate_link when a followed candidate reached it),
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

/* {id, symbol, decimals (null when unknown), contract} of an asset of s. New reference. */
json_t *cw_acct_report_asset_json(const cw_evmstore *s, uint32_t id);

#endif
