/*
 * monitor.h: the rules that turn engine results into alerts (issue 6), and the watch loop.
 *
 * Rules, each deduplicated so that re-running them raises nothing twice:
 *  - sanctioned-address-receives / sanctioned-address-spends: an address labelled sanctioned,
 *    theft or watchlist receives or spends in a tx not scanned before;
 *  - stolen-funds-at-exchange: for each case (cases file), a forward FIFO trace from its
 *    sources, stopped at exchanges, finds value at an exchange (one alert per case and
 *    exchange, evidence: amounts, hops, the strongest path);
 *  - watched-funds-coinjoin: a case's traced value enters a CoinJoin;
 *  - supply-level-change: a commodity x partner risk level rises (supply database).
 * The scan position (txs scanned and the hash of the block they end in) is kept in
 * NODE_DB.monitor (an EVM chain's in NODE_DB.monitor.CHAIN); a reorg below it rescans from the
 * start (dedup keeps alerts single).
 *
 * Cases file (JSON): [{"name": "...", "from": ["txid:vout" | "txid" | address, ...],
 *   "severity": "critical", "tlp": "amber", "share_to": "KOR"}]
 */
#ifndef CHAINWATCH_MONITOR_H
#define CHAINWATCH_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cw_monitor_opts {
    const char *store_dir;  /* chain store (NULL: no chain rules) */
    const char *labels_db;  /* label store (NULL: no label rules) */
    const char *node_db;    /* the node whose alert store receives the alerts (required) */
    const char *supply_db;  /* NULL: no supply rule */
    const char *cases_file; /* NULL: no case rules */
    bool synthetic;         /* the chain store, its labels and cases are a generated world (the
                               demo): every chain alert's title starts "SYNTHETIC world: " and its
                               evidence carries "synthetic": true, so the dashboard, the API and
                               the STIX objects shared with partners say so */
} cw_monitor_opts;

typedef struct cw_monitor_stats {
    uint64_t txs_scanned;
    uint64_t raised;  /* new alerts */
    uint64_t deduped; /* absorbed by an open alert with the same key */
    double seconds;
} cw_monitor_stats;

/* Runs every rule once. Returns 0 or the first error (the message names the rule and file). */
int cw_monitor_run(const cw_monitor_opts *o, cw_monitor_stats *st);

#endif
