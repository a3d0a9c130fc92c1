/*
 * monitor_int.h: what the files of src/monitor/ share (not a public interface): the alert
 * context, raising a deduplicated alert, TLP names, and the EVM rules (monitor_evm.c).
 */
#ifndef CW_MONITOR_INT_H
#define CW_MONITOR_INT_H

#include <jansson.h>

#include "chainwatch/alert.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/monitor.h"

typedef struct cw_monitor__ctx {
    cw_alert_db *alerts;
    cw_monitor_stats *st;
    bool synthetic;          /* cw_monitor_opts.synthetic */
    const cw_chainstore *cs; /* the store the chain rules read (one of the two; NULL: none): */
    const cw_evmstore *evm;  /* the on-chain time of an alert's triggering tx comes from it */
    json_t *cases;           /* the cases file, checked whole before any rule ran (NULL: none) */
} cw_monitor__ctx;

/* Raises one alert with evidence ev (the reference is stolen), deduplicated for ever on key;
 * a repeated finding brings the open alert's title and evidence up to date. */
int cw_monitor__raise(cw_monitor__ctx *c, cw_alert_source src, const char *kind,
                      cw_alert_severity sev, cw_tlp tlp, const char *share_to, const char *title,
                      const char *explanation, json_t *ev, const char *key);

/* "clear", "green", "amber", "amber+strict", "red"; NULL (none given) is amber. Only names
 * cw_monitor__cases_load accepted reach it. */
cw_tlp cw_monitor__tlp(const char *s);

/* The severity a case asks for: "high", or "critical" (also when none is given). */
cw_alert_severity cw_monitor__case_severity(const json_t *case_j);

/* The chain rules on an EVM store (o->store_dir holds one): sanctioned counterparties in newly
 * scanned movements, and per case stolen funds at exchanges, mixer entry, bridge exit and
 * traced funds reaching a sanctioned account. Sets st->txs_scanned (the transactions whose
 * movements were scanned). */
int cw_monitor__run_evm(cw_monitor__ctx *c, const cw_monitor_opts *o);

#endif
