/*
 * acct_policy.h: where an account-model trace on an EVM store stops, decided in ONE place for
 * `chainwatch trace`, the server's /api/v1/evm/trace (acct_report.h) and the monitor's case
 * rule (analytics module; docs/TRACE-MODELS.md, "Account model: where a trace stops").
 *
 * The order, first match wins:
 *  1. a label (a fact): exchange and exchange_deposit -> exchange, mixer -> mixer, bridge ->
 *     bridge (cw_acct_labels_stop); with stop_at_sanctioned, a sanctioned account -> sanctioned;
 *  2. unless no_services, behaviour (each a judgement, reported as probable):
 *     - memos: an account that `memo_bridge_min` (default 2) transactions address with a swap
 *       memo asking for value on another chain is a bridge deposit (xchain.h);
 *     - services (evm_services.h): a mixer pool -> mixer, a collector (hot wallet) ->
 *       exchange, a deposit address -> exchange unless its collector is labelled as something
 *       other than an exchange (a bridge vault, a mixer: the shape matched, the service did not);
 *       an unlabelled collector whose deposit addresses are used once (no customer ever paid
 *       one twice: orders, not accounts), and its deposit addresses -> service
 *       (CW_ACCT_STOP_SERVICE: value ends at a service not known to be an exchange).
 *     - per trace (cw_acct_policy_trace): an unlabelled collector with fewer than
 *       CW_EVM_DEPOSIT_MIN_FEEDERS deposit addresses off the trace's own stops -> service, and
 *       its deposit addresses -> go on (the thief's own feeders are no evidence of a service).
 * A deposit address (labelled exchange_deposit, or recognised) is "personal": one customer
 * behind it (acct_evm.h).
 *
 * The engine never names CLI flags: the callers fill cw_acct_policy_opts.
 */
#ifndef CHAINWATCH_ACCT_POLICY_H
#define CHAINWATCH_ACCT_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "chainwatch/acct_evm.h"
#include "chainwatch/acct_labels.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/evm_services.h"

typedef struct cw_acct_policy_opts {
    bool no_services;         /* labels only: no behaviour (services, memo bridges) */
    bool stop_at_sanctioned;  /* a sanctioned account ends the trace (CW_ACCT_STOP_SANCTIONED) */
    uint32_t memo_bridge_min; /* exit memos that make a bridge deposit; 0 = 2 */
} cw_acct_policy_opts;

void cw_acct_policy_opts_init(cw_acct_policy_opts *o);

/* What decided an account's stop. */
typedef enum cw_acct_policy_why {
    CW_ACCT_WHY_NONE = 0,   /* no stop */
    CW_ACCT_WHY_LABEL = 1,  /* a label: a fact */
    CW_ACCT_WHY_MEMO = 2,   /* swap memos to other chains: a probable bridge deposit */
    CW_ACCT_WHY_SERVICE = 3 /* behaviour (evm_services.h): probable */
} cw_acct_policy_why;

typedef struct cw_acct_policy cw_acct_policy;

/* Builds the policy for s with the labels lm (borrowed: must outlive the policy; may hold no
 * label). Runs service detection and memo-bridge recognition unless o->no_services. o may be
 * NULL (defaults). Returns 0 or CW_ENOMEM. */
int cw_acct_policy_new(cw_acct_policy **out, const cw_evmstore *s, const cw_acct_labels *lm,
                       const cw_acct_policy_opts *o);
void cw_acct_policy_free(cw_acct_policy *p);

/* The stop kind of an account (CW_ACCT_STOP_*, 0 = go on); *why (may be NULL) says what
 * decided it. Cached per account: not for concurrent use. */
int cw_acct_policy_stop(cw_acct_policy *p, uint32_t account, cw_acct_policy_why *why);

/* True for an exchange stop that stands for one customer (a deposit address). */
bool cw_acct_policy_personal(cw_acct_policy *p, uint32_t account);

/* Traces `sources` on the policy's store (cw_acct_trace, options o). Feeders on the trace's
 * own path are no independent evidence of a service: when an unlabelled collector behind
 * recognised deposit addresses the trace stopped at has fewer than CW_EVM_DEPOSIT_MIN_FEEDERS
 * deposit addresses that are not among the trace's stops (a market maker fed only by the
 * thief's own single-use addresses), it stops as a service not known to be an exchange
 * (CW_ACCT_STOP_SERVICE), its deposit addresses are no stop (value goes on to it), and the
 * trace runs again (at most 4 more times). Those marks hold for cw_acct_policy_stop and
 * cw_acct_policy_recognised_json until the next call (the previous trace's path is not the
 * next one's). *out owned by the caller (cw_acct_result_free). */
int cw_acct_policy_trace(cw_acct_result **out, cw_acct_policy *p, const uint64_t *sources,
                         size_t n_sources, const cw_acct_opts *o);

/* Fills *ev to trace s under this policy (stop and personal callbacks). */
void cw_acct_policy_source(cw_acct_policy *p, cw_acct_evm *ev);

/* The recognised services (NULL with no_services). */
const cw_evm_services *cw_acct_policy_services(const cw_acct_policy *p);
const cw_acct_labels *cw_acct_policy_labels(const cw_acct_policy *p);

/* {as, score?, probable: true, collector?, collector_label?: {entity, category}, the hot
 * wallet's primary label where it has one} when behaviour decided the account's stop, or when
 * the account is recognised but unlabelled; json null when a label decided (a fact) or nothing
 * is known. New reference. */
json_t *cw_acct_policy_recognised_json(cw_acct_policy *p, uint32_t account);

#endif
