/*
 * monitor.c: alert rules over the chain store, the label store and the supply database, see
 * include/chainwatch/monitor.h. Every alert carries a dedup key with an unlimited cool-down, so
 * the rules can run after every block and a long-running case raises each finding once.
 */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "chainwatch/alert.h"
#include "chainwatch/btc/address.h"
#include "chainwatch/btc/query.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/labels.h"
#include "chainwatch/monitor.h"
#include "chainwatch/patterns.h"
#include "chainwatch/share.h"
#include "chainwatch/supply.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "monitor/monitor_int.h"
#include "util/u64map.h"

typedef cw_monitor__ctx ctx;

/* A deduplicated finding whose figures moved on (more funds reached the exchange, the thief
 * made more transactions): the open alert's title and evidence are brought up to date, so an
 * alert per (rule, address, case) still shows real totals. Occurrences and last_seen are
 * cw_alert_emit's. */
static int refresh(ctx *c, int64_t id, const cw_alert_input *in)
{
    sqlite3 *db = cw_alert_db_sqlite(c->alerts);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "UPDATE alerts SET title = ?1, evidence = ?2 WHERE id = ?3 AND "
                                "(title <> ?1 OR evidence <> ?2)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, in->title, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, in->evidence ? in->evidence : "{}", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, id);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return cw_error_set(CW_EIO, "alert %lld: updating its evidence: %s", (long long)id,
                            sqlite3_errmsg(db));
    return 0;
}

static int emit(ctx *c, const cw_alert_input *in)
{
    int64_t id;
    bool dedup = false;
    int rc = cw_alert_emit(c->alerts, in, &id, &dedup);
    if (rc)
        return rc;
    if (dedup) {
        c->st->deduped++;
        return refresh(c, id, in);
    }
    c->st->raised++;
    return 0;
}

/* The block row of the tx whose txid is the first n characters of hex (CW_NONE64: none). */
static uint64_t tx_block(const cw_chainstore *cs, const char *hex, size_t n)
{
    char h[65];
    uint8_t id[32];
    uint64_t t;
    if (n != 64)
        return CW_NONE64;
    memcpy(h, hex, 64);
    h[64] = '\0';
    if (cw_hex_decode_rev(id, 32, h) || cw_chainstore_find_tx(cs, id, &t))
        return CW_NONE64;
    return cw_chainstore_tx_block(cs, t);
}

/* The block of a chain alert's triggering tx and that block's time, added to the evidence as
 * onchain_height and onchain_time (Unix seconds): what `alerts list` shows beside the time the
 * alert was raised. The tx is the evidence's txid (an address rule's first tx) or
 * first_coinjoin_txid (a case's CoinJoin alert), else the first tx by height (first_height,
 * first_block: EVM), else a case's earliest deposit (the end outputs of its paths). Nothing
 * when the evidence names none or the store does not hold it. */
static void onchain_time(const ctx *c, json_t *ev)
{
    const char *txid = json_string_value(json_object_get(ev, "txid"));
    if (!txid)
        txid = json_string_value(json_object_get(ev, "first_coinjoin_txid"));
    json_t *fh = json_object_get(ev, "first_height"), *fb = json_object_get(ev, "first_block");
    int64_t height = -1, time = -1;
    if (c->cs) {
        cw_chainstore_counts k = cw_chainstore_counts_get(c->cs);
        uint32_t base = cw_chainstore_base_height(c->cs);
        uint64_t r = CW_NONE64;
        if (txid) {
            r = tx_block(c->cs, txid, strlen(txid));
        } else if (json_is_integer(fh) && json_integer_value(fh) >= (json_int_t)base) {
            r = (uint64_t)json_integer_value(fh) - base;
        } else {
            size_t i;
            json_t *p;
            json_array_foreach(json_object_get(ev, "paths"), i, p)
            {
                const char *op = json_string_value(json_object_get(p, "outpoint"));
                uint64_t b = op ? tx_block(c->cs, op, strcspn(op, ":")) : CW_NONE64;
                if (b < r)
                    r = b;
            }
        }
        cw_error_clear();
        if (r < k.blocks) {
            height = (int64_t)(base + r);
            time = (int64_t)cw_chainstore_block(c->cs, r)->time;
        }
    } else if (c->evm) {
        /* first_block, else a case's earliest arrival (arrivals[].tx) */
        int64_t number = json_is_integer(fb) ? (int64_t)json_integer_value(fb) : -1;
        size_t i;
        json_t *a, *arrivals = number < 0 ? json_object_get(ev, "arrivals") : NULL;
        json_array_foreach(arrivals, i, a)
        {
            const char *h = json_string_value(json_object_get(a, "tx"));
            cw_evm_hash hash;
            uint64_t t;
            if (h && cw_evm_hash_parse(&hash, h, strlen(h)) == 0 &&
                cw_evmstore_find_tx(c->evm, &hash, &t) == 0) {
                int64_t n = (int64_t)cw_evmstore_tx(c->evm, t)->block;
                if (number < 0 || n < number)
                    number = n;
            }
        }
        const cw_evm_row_block *b =
            number >= 0 ? cw_evmstore_block(c->evm, (uint64_t)number) : NULL;
        cw_error_clear();
        if (b) {
            height = (int64_t)b->number;
            time = (int64_t)b->timestamp;
        }
    }
    if (time < 0)
        return;
    json_object_set_new(ev, "onchain_height", json_integer(height));
    json_object_set_new(ev, "onchain_time", json_integer(time));
}

/* Raises one alert with evidence ev (the reference is stolen), deduplicated for ever on key. */
int cw_monitor__raise(ctx *c, cw_alert_source src, const char *kind, cw_alert_severity sev,
                      cw_tlp tlp, const char *share_to, const char *title, const char *explanation,
                      json_t *ev, const char *key)
{
    char marked[600];
    if (src == CW_ALERT_SRC_CHAIN && ev)
        onchain_time(c, ev);
    if (c->synthetic && src == CW_ALERT_SRC_CHAIN && ev) {
        /* a generated world's finding: said in the title (which the dashboard, the API and the
         * shared STIX objects carry) and in the evidence */
        json_object_set_new(ev, "synthetic", json_true());
        snprintf(marked, sizeof marked, "SYNTHETIC world: %s", title);
        title = marked;
    }
    char *evs = ev ? json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(ev);
    if (!evs)
        return cw_error_set(CW_ENOMEM, "out of memory building alert evidence");
    cw_alert_input in = {0};
    in.source = src;
    in.kind = kind;
    in.severity = sev;
    in.tlp = tlp;
    in.share_to = share_to;
    in.title = title;
    in.explanation = explanation;
    in.evidence = evs;
    in.dedup_key = key;
    in.cooldown_us = -1;
    int rc = emit(c, &in);
    free(evs);
    return rc;
}

static bool watched_category(const char *cat)
{
    return !strcmp(cat, "sanctioned") || !strcmp(cat, "theft") || !strcmp(cat, "watchlist");
}

/* ---- scan position -------------------------------------------------------------------- */

static void state_path(char *out, size_t n, const char *node_db)
{
    snprintf(out, n, "%s.monitor", node_db);
}

/* "txs N block M HASH", read as sscanf("txs %" SCNu64 " block %" SCNu64 " %64s") did (the
 * same whitespace, sign and saturation rules through strtoull), with every step checked. */
static bool state_parse(const char *s, uint64_t *txs, uint64_t *block, char hash[65])
{
    char *end;
    if (strncmp(s, "txs", 3) != 0)
        return false;
    *txs = (uint64_t)strtoull(s + 3, &end, 10);
    if (end == s + 3)
        return false;
    for (s = end; isspace((unsigned char)*s); s++)
        ;
    if (strncmp(s, "block", 5) != 0)
        return false;
    *block = (uint64_t)strtoull(s + 5, &end, 10);
    if (end == s + 5)
        return false;
    for (s = end; isspace((unsigned char)*s); s++)
        ;
    size_t n = 0;
    while (n < 64 && s[n] && !isspace((unsigned char)s[n]))
        n++;
    memcpy(hash, s, n);
    hash[n] = '\0';
    return n > 0;
}

static uint64_t state_read(const char *node_db, const cw_chainstore *cs)
{
    char p[PATH_MAX];
    state_path(p, sizeof p, node_db);
    uint8_t *data;
    size_t len;
    if (cw_file_read(&data, &len, p))
        return 0;
    uint64_t txs = 0, block = 0;
    char hash[65] = "";
    if (!state_parse((const char *)data, &txs, &block, hash))
        txs = 0;
    cw_free(data);
    cw_chainstore_counts k = cw_chainstore_counts_get(cs);
    if (txs == 0 || block >= k.blocks || txs > k.txs)
        return 0;
    char have[65];
    cw_hex_encode_rev(have, cw_chainstore_block(cs, block)->hash, 32);
    return strcmp(have, hash) ? 0 : txs; /* a reorg below the position: rescan */
}

static int state_write(const char *node_db, const cw_chainstore *cs)
{
    cw_chainstore_counts k = cw_chainstore_counts_get(cs);
    if (!k.blocks)
        return 0;
    char p[PATH_MAX], hash[65], text[200];
    state_path(p, sizeof p, node_db);
    cw_hex_encode_rev(hash, cw_chainstore_block(cs, k.blocks - 1)->hash, 32);
    int n = snprintf(text, sizeof text, "txs %" PRIu64 " block %" PRIu64 " %s\n", k.txs,
                     k.blocks - 1, hash);
    return cw_file_write_atomic(p, text, (size_t)n);
}

/* ---- rule: watched addresses receive or spend ------------------------------------------- */

/* The rule's kind names the label's category, so theft and sanctions never mix:
 * sanctioned-address-receives, theft-address-spends, watchlist-address-receives, ... */
static const char *watched_kind(const char *category, int side)
{
    if (!strcmp(category, "sanctioned"))
        return side ? "sanctioned-address-spends" : "sanctioned-address-receives";
    if (!strcmp(category, "theft"))
        return side ? "theft-address-spends" : "theft-address-receives";
    return side ? "watchlist-address-spends" : "watchlist-address-receives";
}

/* The category and entity the watched-address rules use for address a, or false. The label
 * map's primary label is the address's most severe one, sanctioned first (trace.h), so a miner's
 * or an exchange's label listed first never hides a sanctioned one, and its entity is the first
 * sanctioned label's in the list order: what a separate read of the sanctioned labels gave
 * (until stop 28; that read scanned every label of the DB, 392 M of a 249-tx run's 475 M
 * instructions on a DB of 542,917 labels). */
static bool watched_label(const cw_trace_labelmap *lm, uint32_t a, const char **entity,
                          const char **category)
{
    return cw_trace_labelmap_get(lm, a, entity, category) && watched_category(*category);
}

/* One watched address (sanctioned) or one watched entity (theft, watchlist: a thief uses a
 * new address per transaction) on one side, over the scanned transactions. */
typedef struct watch_hit {
    uint32_t addr; /* the first address seen */
    int side;
    bool by_entity;
    const char *entity; /* by_entity: the entity's name (interned by the label map) */
    /* value: gross, every input (or output) at a watched address counted, so value the entity
     * passes through several of its own addresses is counted at each. net (by_entity): what
     * crossed the edge of the entity's labelled addresses in these transactions: spends, the
     * outputs of its transactions paying addresses outside the set; receives, the outputs to
     * the set of transactions that spend none of its addresses. */
    uint64_t n_tx, value, net, first_t, last_t, last_counted_t, n_addr;
    json_t *txids;     /* the first MAX_EVIDENCE_TXIDS */
    json_t *addresses; /* by_entity: the first MAX_EVIDENCE_TXIDS addresses */
    cw_u64map seen_addr;
} watch_hit;

#define MAX_EVIDENCE_TXIDS 50

/* "800.00000000" from satoshis, exactly. */
static void fmt_btc(char *out, size_t n, uint64_t sat)
{
    snprintf(out, n, "%" PRIu64 ".%08" PRIu64, sat / 100000000u, sat % 100000000u);
}

/* An alert's figures since it was raised: a later run scans only the new transactions and adds
 * them to what its open alert already holds. */
typedef struct watch_totals {
    uint64_t value, gross, n_tx, n_addr;
    int64_t first_height;
} watch_totals;

/* The evidence of the open alert with this dedup key (as cw_alert_emit finds it), or NULL. */
static int prior_evidence(ctx *c, const char *key, json_t **out)
{
    *out = NULL;
    sqlite3 *db = cw_alert_db_sqlite(c->alerts);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT evidence FROM alerts WHERE dedup_key = ?1 AND status != 2 "
                                "ORDER BY time DESC LIMIT 1",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(st, 0);
            *out = t ? json_loads(t, 0, NULL) : NULL;
            rc = SQLITE_DONE;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return cw_error_set(CW_EIO, "alert %s: reading its evidence: %s", key, sqlite3_errmsg(db));
    return 0;
}

static bool json_array_has_string(json_t *a, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (json_is_string(v) && !strcmp(json_string_value(v), s))
            return true;
    }
    return false;
}

/* Adds the open alert's figures (prior) to this run's: sums, the earliest height, its txids
 * and addresses first (at most MAX_EVIDENCE_TXIDS each). The address count is exact while both
 * lists hold every address; past that an address seen in two runs may count twice. */
static void totals_merge(watch_totals *t, json_t *prior, json_t **txids, json_t **addresses)
{
    t->value += (uint64_t)json_integer_value(json_object_get(prior, "value_sat"));
    t->gross += (uint64_t)json_integer_value(json_object_get(prior, "gross_value_sat"));
    t->n_tx += (uint64_t)json_integer_value(json_object_get(prior, "tx_count"));
    json_t *fh = json_object_get(prior, "first_height");
    if (json_is_integer(fh) && json_integer_value(fh) < t->first_height)
        t->first_height = json_integer_value(fh);
    json_t *pt = json_object_get(prior, "txids"), *pa = json_object_get(prior, "addresses");
    json_t *nt = json_is_array(pt) ? json_copy(pt) : json_array();
    size_t i;
    json_t *v;
    json_array_foreach(*txids, i, v)
    {
        if (json_array_size(nt) < MAX_EVIDENCE_TXIDS)
            json_array_append(nt, v);
    }
    json_decref(*txids);
    *txids = nt;
    json_t *na = json_is_array(pa) ? json_copy(pa) : json_array();
    uint64_t overlap = 0;
    json_array_foreach(*addresses, i, v)
    {
        if (json_is_array(pa) && json_array_has_string(pa, json_string_value(v)))
            overlap++;
        else if (json_array_size(na) < MAX_EVIDENCE_TXIDS)
            json_array_append(na, v);
    }
    json_decref(*addresses);
    *addresses = na;
    t->n_addr += (uint64_t)json_integer_value(json_object_get(prior, "address_count")) - overlap;
}

/* One alert per (rule, sanctioned address) and per (rule, theft or watchlist entity): a thief's
 * 300 transactions from 300 fresh addresses are one alert with them in its evidence, not 300
 * alerts. The dedup key is the kind and the address or entity, so later runs add occurrences
 * to the open alert (and bring its totals up to date) instead of raising new ones. */
static int rule_watched(ctx *c, const cw_chainstore *cs, const cw_trace_labelmap *lm, uint64_t from)
{
    cw_chainstore_counts k = cw_chainstore_counts_get(cs);
    char txid[65], addr[CW_ADDR_STR_MAX], key[256], title[512];
    cw_u64map idx = {0}; /* addr * 2 + side -> index in hits */
    watch_hit *hits = NULL;
    size_t n_hits = 0, cap_hits = 0;
    size_t *spenders = NULL, n_spenders = 0, cap_spenders = 0; /* by-entity spend hits of a tx */
    int rc = 0;
    for (uint64_t t = from; t < k.txs; t++) {
        uint64_t in0, in1, o0, o1;
        cw_chainstore_tx_range(cs, t, &in0, &in1, &o0, &o1);
        n_spenders = 0;
        /* inputs first (side 1), so the outputs know which entities pay in this tx */
        for (int side = 1; side >= 0; side--) {
            uint64_t a0 = side ? in0 : o0, a1 = side ? in1 : o1;
            for (uint64_t i = a0; i < a1; i++) {
                uint32_t a;
                uint64_t value;
                if (side) {
                    const cw_row_in *r = cw_chainstore_in(cs, i);
                    if (r->spent_tx >= CW_IN_EXTERNAL)
                        continue;
                    const cw_row_out *o = cw_chainstore_out(
                        cs, cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout);
                    a = o->addr;
                    value = cw_out_value(o);
                } else {
                    const cw_row_out *o = cw_chainstore_out(cs, i);
                    a = o->addr;
                    value = cw_out_value(o);
                }
                const char *entity = NULL, *category = NULL;
                bool watched = a != CW_NONE32 && watched_label(lm, a, &entity, &category);
                bool by_entity = watched && strcmp(category, "sanctioned") != 0;
                bool own_spend = false; /* an output of the entity's own spend back to its set */
                if (!side) {
                    /* net outflow: this output leaves every paying entity it is not labelled
                     * with (an unlabelled or unspendable output leaves them all) */
                    for (size_t s = 0; s < n_spenders; s++) {
                        watch_hit *sp = &hits[spenders[s]];
                        if (by_entity && !strcmp(sp->entity, entity))
                            own_spend = true;
                        else
                            sp->net += value;
                    }
                }
                if (!watched)
                    continue;
                /* entity names are interned by the label map: one pointer per name */
                uint64_t hk = by_entity ? (UINT64_C(1) << 63) | ((uint64_t)(uintptr_t)entity << 1) |
                                              (uint64_t)side
                                        : (uint64_t)a * 2 + (uint64_t)side,
                         hi;
                if (!cw_u64map_get(&idx, hk, &hi)) {
                    if (cw_grow(&hits, &cap_hits, n_hits + 1, sizeof *hits, 64)) {
                        rc = cw_error_set(CW_ENOMEM, "out of memory in the watched-address rule");
                        goto out;
                    }
                    hi = n_hits++;
                    hits[hi] = (watch_hit){.addr = a,
                                           .side = side,
                                           .by_entity = by_entity,
                                           .entity = entity,
                                           .first_t = t,
                                           .last_counted_t = UINT64_MAX,
                                           .txids = json_array(),
                                           .addresses = json_array()};
                    if ((rc = cw_u64map_set(&idx, hk, hi)))
                        goto out;
                }
                watch_hit *h = &hits[hi];
                uint64_t dummy;
                if (!cw_u64map_get(&h->seen_addr, a, &dummy)) {
                    if ((rc = cw_u64map_set(&h->seen_addr, a, 1)))
                        goto out;
                    h->n_addr++;
                    if (json_array_size(h->addresses) < MAX_EVIDENCE_TXIDS) {
                        cw_query_addr_string(addr, cs, a);
                        json_array_append_new(h->addresses, json_string(addr));
                    }
                }
                h->value += value;
                if (by_entity && !side && !own_spend)
                    h->net += value; /* came from outside the set */
                h->last_t = t;
                if (h->last_counted_t != t) {
                    h->last_counted_t = t;
                    h->n_tx++;
                    if (json_array_size(h->txids) < MAX_EVIDENCE_TXIDS) {
                        cw_hex_encode_rev(txid, cw_chainstore_txid(cs, t), 32);
                        json_array_append_new(h->txids, json_string(txid));
                    }
                    if (by_entity && side) {
                        if (cw_grow(&spenders, &cap_spenders, n_spenders + 1, sizeof *spenders,
                                    8)) {
                            rc = cw_error_set(CW_ENOMEM,
                                              "out of memory in the watched-address rule");
                            goto out;
                        }
                        spenders[n_spenders++] = (size_t)hi;
                    }
                }
            }
        }
    }
    if ((rc = cw_trace_labelmap_error(lm))) /* a label lookup failed: raise nothing */
        goto out;
    for (size_t i = 0; i < n_hits; i++) {
        watch_hit *h = &hits[i];
        const char *entity = "", *category = "";
        watched_label(lm, h->addr, &entity, &category);
        cw_query_addr_string(addr, cs, h->addr);
        const char *kind = watched_kind(category, h->side);
        bool sanctioned = !strcmp(category, "sanctioned");
        if (h->by_entity)
            snprintf(key, sizeof key, "%s:entity:%s", kind, entity);
        else
            snprintf(key, sizeof key, "%s:%s", kind, addr);
        /* the totals since the alert was raised: this run's figures plus its open alert's */
        const cw_row_block *b0 = cw_chainstore_block(cs, cw_chainstore_tx_block(cs, h->first_t));
        const cw_row_block *b1 = cw_chainstore_block(cs, cw_chainstore_tx_block(cs, h->last_t));
        watch_totals tot = {h->by_entity ? h->net : h->value, h->value, h->n_tx, h->n_addr,
                            b0->height};
        json_t *prior = NULL;
        if ((rc = prior_evidence(c, key, &prior)))
            goto out;
        /* a scan from the start (the first, or after a reorg) has the whole totals already;
         * an alert of an older version held the gross sum in value_sat: not added */
        if (prior && from > 0 && (!h->by_entity || json_object_get(prior, "value_basis")))
            totals_merge(&tot, prior, &h->txids, &h->addresses);
        json_decref(prior);
        char v[48];
        fmt_btc(v, sizeof v, tot.value);
        if (h->by_entity) {
            /* the net figure, never the gross one: value a thief recycles through its own
             * addresses would be counted again at each (an 800 BTC heist read "15393.6 BTC") */
            snprintf(title, sizeof title,
                     "%s %s: %" PRIu64 " address%s %s %s BTC %s the labelled addresses (net) in "
                     "%" PRIu64 " tx%s",
                     !strcmp(category, "theft") ? "Theft-labelled" : "Watchlisted", entity,
                     tot.n_addr, tot.n_addr == 1 ? "" : "es", h->side ? "sent" : "received", v,
                     h->side ? "out of" : "from outside", tot.n_tx, tot.n_tx == 1 ? "" : "s");
        } else {
            snprintf(title, sizeof title,
                     "Sanctioned address %s (%s) %s %s BTC in %" PRIu64 " tx%s", addr, entity,
                     h->side ? "spent" : "received", v, tot.n_tx, tot.n_tx == 1 ? "" : "s");
        }
        json_t *ev = json_pack(
            "{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:b, s:O}", "address", addr,
            "entity", entity, "category", category, "direction", h->side ? "spend" : "receive",
            "value_sat", (json_int_t)tot.value, "tx_count", (json_int_t)tot.n_tx, "address_count",
            (json_int_t)tot.n_addr, "first_height", (json_int_t)tot.first_height, "last_height",
            (json_int_t)b1->height, "txids", h->txids, "txids_truncated",
            tot.n_tx > MAX_EVIDENCE_TXIDS || tot.n_addr > MAX_EVIDENCE_TXIDS, "addresses",
            h->addresses);
        h->txids = NULL;
        if (ev)
            json_object_set_new(ev, "txid",
                                json_copy(json_array_get(json_object_get(ev, "txids"), 0)));
        if (ev && h->by_entity) {
            json_object_set_new(ev, "gross_value_sat", json_integer((json_int_t)tot.gross));
            json_object_set_new(ev, "value_basis",
                                json_string(h->side ? "net outflow from the labelled addresses"
                                                    : "net inflow to the labelled addresses"));
        }
        rc = cw_monitor__raise(
            c, CW_ALERT_SRC_CHAIN, kind, sanctioned ? CW_SEV_HIGH : CW_SEV_MEDIUM, CW_TLP_GREEN,
            NULL, title,
            sanctioned ? "An address on a sanctions list moved funds in newly scanned "
                         "transactions; the evidence lists them (one alert per "
                         "address and direction)."
                       : "Addresses labelled as a thief's (or on a watchlist, not a "
                         "sanctions list) moved funds in newly scanned transactions; "
                         "the evidence lists them (one alert per entity and "
                         "direction). The amount is net: what left the entity's labelled "
                         "addresses for others (spends), or reached them from others "
                         "(receives), since the alert was raised; value it passes "
                         "through its own addresses is not counted again (gross_value_sat "
                         "counts it at each).",
            ev, key);
        if (rc)
            goto out;
    }
out:
    for (size_t i = 0; i < n_hits; i++) {
        json_decref(hits[i].txids);
        json_decref(hits[i].addresses);
        cw_u64map_deinit(&hits[i].seen_addr);
    }
    free(hits);
    free(spenders);
    cw_u64map_deinit(&idx);
    return rc;
}

/* ---- rule: cases (stolen funds at exchanges, CoinJoin entry) ----------------------------- */

cw_tlp cw_monitor__tlp(const char *s)
{
    if (!s)
        return CW_TLP_AMBER;
    if (!strcmp(s, "clear"))
        return CW_TLP_CLEAR;
    if (!strcmp(s, "green"))
        return CW_TLP_GREEN;
    if (!strcmp(s, "amber+strict"))
        return CW_TLP_AMBER_STRICT;
    if (!strcmp(s, "red"))
        return CW_TLP_RED;
    return CW_TLP_AMBER;
}

cw_alert_severity cw_monitor__case_severity(const json_t *case_j)
{
    const char *s = json_string_value(json_object_get(case_j, "severity"));
    return s && !strcmp(s, "high") ? CW_SEV_HIGH : CW_SEV_CRITICAL;
}

/* Loads the cases file and checks every case before any rule runs, so a bad file raises
 * nothing and moves no scan position: each case an object with a string "name", a non-empty
 * "from" of strings, and, when given, "severity" high|critical and "tlp" one of TLP 2.0's
 * names. A misspelt "red" must never share a case as amber, nor a "medium" raise critical. */
static int cases_load(json_t **out, const char *file)
{
    static const char *const tlps[] = {"clear", "green", "amber", "amber+strict", "red"};
    json_error_t err;
    json_t *cases = json_load_file(file, 0, &err), *k;
    int rc = 0;
    *out = NULL;
    if (!cases || !json_is_array(cases)) {
        rc = cw_error_set(CW_EINVAL, "%s: line %d: %s", file, err.line,
                          cases ? "expected a JSON array of cases" : err.text);
        json_decref(cases);
        return rc;
    }
    size_t i, j;
    json_array_foreach(cases, i, k)
    {
        const char *name = json_string_value(json_object_get(k, "name"));
        json_t *from = json_object_get(k, "from"), *f;
        json_t *sev = json_object_get(k, "severity"), *tlp = json_object_get(k, "tlp");
        const char *sev_s = json_string_value(sev), *tlp_s = json_string_value(tlp);
        if (!json_is_object(k) || !name || !json_is_array(from) || !json_array_size(from)) {
            rc = cw_error_set(
                CW_EINVAL, "%s: case %zu: needs \"name\" and a non-empty \"from\" list", file, i);
            break;
        }
        json_array_foreach(from, j, f)
        {
            if (!rc && !json_is_string(f))
                rc = cw_error_set(CW_EINVAL, "%s: case '%s': from[%zu] is not a string", file, name,
                                  j);
        }
        if (rc)
            break;
        if (sev && (!sev_s || (strcmp(sev_s, "high") && strcmp(sev_s, "critical")))) {
            rc = cw_error_set(
                CW_EINVAL, "%s: case '%s': field \"severity\": expected \"high\" or \"critical\"",
                file, name);
            break;
        }
        bool ok = !tlp;
        for (size_t t = 0; !ok && tlp_s && t < sizeof tlps / sizeof *tlps; t++)
            ok = !strcmp(tlp_s, tlps[t]);
        if (!ok) {
            rc = cw_error_set(CW_EINVAL,
                              "%s: case '%s': field \"tlp\": expected one of clear, green, amber, "
                              "amber+strict, red (TLP 2.0, lower case)",
                              file, name);
            break;
        }
    }
    if (rc)
        json_decref(cases);
    else
        *out = cases;
    return rc;
}

static int rule_case(ctx *c, const cw_chainstore *cs, const cw_trace_labelmap *lm, json_t *cs_j,
                     const char *file, size_t idx)
{
    const char *name = json_string_value(json_object_get(cs_j, "name"));
    json_t *from = json_object_get(cs_j, "from");
    if (!name || !json_is_array(from) || !json_array_size(from))
        return cw_error_set(CW_EINVAL, "%s: case %zu: needs \"name\" and a non-empty \"from\" list",
                            file, idx);
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.model = CW_TRACE_FIFO;
    /* CoinJoins ranked, equal outputs sharing: the value past one is PROBABLE and the alert
     * says so, with the rule (docs/TRACE-MODELS.md, CoinJoins) */
    o.coinjoin = CW_CJ_RANK;
    cw_patterns *pv = NULL;
    if (cw_patterns_open(&pv, cs) == 0) {
        o.is_coinjoin = cw_trace_coinjoin_patterns;
        o.is_coinjoin_ctx = pv;
    }
    cw_error_clear();
    /* value stops where it leaves the launderer's hands: the custodial services (exchanges,
     * mixers and CoinJoin coordinators, bridges, instant exchangers) and merchants; trace.h */
    cw_trace_opts_default_stops(&o);
    cw_trace_sources src = {0};
    cw_trace *t = NULL;
    json_t *j = NULL;
    size_t i;
    json_t *f;
    int rc = 0;
    json_array_foreach(from, i, f)
    {
        if (!json_is_string(f)) {
            rc = cw_error_set(CW_EINVAL, "%s: case '%s': from[%zu] is not a string", file, name, i);
            goto out;
        }
        if ((rc = cw_trace_sources_add(&src, cs, lm, json_string_value(f), UINT32_MAX))) {
            if (rc == CW_ENOTFOUND) { /* not in the store yet: nothing to watch */
                rc = 0;
                continue;
            }
            cw_error_wrap(rc, "%s: case '%s': ", file, name);
            goto out;
        }
    }
    if (!src.n)
        goto out;
    if ((rc = cw_trace_run(&t, cs, lm, src.outs, src.n, &o)))
        goto out;
    j = cw_trace_json(t, 1000, 0); /* every ending path: each exchange gets its own */
    if ((rc = cw_trace_labelmap_error(lm))) /* a label lookup failed: raise nothing */
        goto out;
    cw_alert_severity sev = cw_monitor__case_severity(cs_j);
    const char *tlp_s = json_string_value(json_object_get(cs_j, "tlp"));
    const char *share_to = json_string_value(json_object_get(cs_j, "share_to"));
    json_t *ent;
    json_array_foreach(json_object_get(j, "by_entity"), i, ent)
    {
        const char *cat = json_string_value(json_object_get(ent, "category"));
        const char *who = json_string_value(json_object_get(ent, "entity"));
        json_int_t value = json_integer_value(json_object_get(ent, "value"));
        if (!cat || !who || value <= 0 ||
            (strcmp(cat, "exchange") != 0 && strcmp(cat, "exchange_deposit") != 0))
            continue;
        /* One alert per (rule, exchange, case): later runs add occurrences to it. */
        char key[512], title[512];
        snprintf(key, sizeof key, "stolen-funds-at-exchange:%s:%s", name, who);
        json_int_t prob = json_integer_value(json_object_get(ent, "probable"));
        if (prob > 0)
            snprintf(title, sizeof title,
                     "Case %s: %.8f BTC of traced funds reached %s (total so far; %.8f BTC of "
                     "it PROBABLE: it passed a CoinJoin)",
                     name, (double)value / 1e8, who, (double)prob / 1e8);
        else
            snprintf(title, sizeof title,
                     "Case %s: %.8f BTC of traced funds reached %s (total so far)", name,
                     (double)value / 1e8, who);
        json_t *paths = json_array();
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(j, "paths"), k, p)
        {
            const char *pe = json_string_value(json_object_get(p, "entity"));
            if (pe && !strcmp(pe, who) && json_array_size(paths) < 3)
                json_array_append(paths, p);
        }
        json_t *ev = json_pack("{s:s, s:s, s:s, s:I, s:I, s:O, s:o, s:s}", "case", name, "exchange",
                               who, "category", cat, "value_sat", value, "source_value_sat",
                               json_integer_value(json_object_get(j, "source_value")), "sources",
                               from, "paths", paths, "model", "fifo");
        json_object_set(ev, "min_hops", json_object_get(ent, "min_hops"));
        json_object_set(ev, "certain_sat", json_object_get(ent, "certain"));
        json_object_set(ev, "probable_sat", json_object_get(ent, "probable"));
        json_object_set_new(ev, "coinjoin_policy", json_string("rank"));
        json_object_set(ev, "outputs", json_object_get(ent, "outputs"));
        rc = cw_monitor__raise(
            c, CW_ALERT_SRC_CHAIN, "stolen-funds-at-exchange", sev, cw_monitor__tlp(tlp_s),
            share_to, title,
            prob > 0 ? "A forward FIFO trace from the case's sources "
                       "(docs/TRACE-MODELS.md), stopped at labelled exchanges, ends at "
                       "this exchange's addresses. Part of it (probable_sat in the "
                       "evidence) passed a CoinJoin, "
                       "where it was matched to outputs by value, equal outputs sharing "
                       "(rule coinjoin-rank): that part is PROBABLE, a judgement, not "
                       "proof that these deposits are the thief's. The evidence gives "
                       "the amounts, the hops and the strongest paths."
                     : "A forward FIFO trace from the case's sources "
                       "(docs/TRACE-MODELS.md), stopped at labelled exchanges, ends at "
                       "this exchange's addresses; the evidence gives the amount, the "
                       "hops and the strongest paths.",
            ev, key);
        if (rc)
            goto out;
    }
    /* CoinJoin entry: any traced tx flagged as a CoinJoin */
    size_t n_cj = 0;
    json_t *g;
    json_t *first_cj = NULL;
    json_t *full = cw_trace_json(t, 1, 100000);
    json_array_foreach(json_object_get(full, "graph"), i, g)
    {
        if (json_is_true(json_object_get(g, "coinjoin"))) {
            if (!first_cj)
                first_cj = json_object_get(g, "txid");
            n_cj++;
        }
    }
    if (n_cj) {
        char key[512], title[512];
        snprintf(key, sizeof key, "watched-funds-coinjoin:%s", name);
        snprintf(title, sizeof title, "Case %s: traced funds entered %zu CoinJoin transaction%s",
                 name, n_cj, n_cj == 1 ? "" : "s");
        json_t *ev = json_pack("{s:s, s:I, s:O, s:O, s:s}", "case", name, "coinjoins",
                               (json_int_t)n_cj, "first_coinjoin_txid",
                               first_cj ? first_cj : json_null(), "sources", from, "model", "fifo");
        rc = cw_monitor__raise(c, CW_ALERT_SRC_CHAIN, "watched-funds-coinjoin", CW_SEV_MEDIUM,
                               cw_monitor__tlp(tlp_s), share_to, title,
                               "Value traced from the case's sources went through transactions the "
                               "pattern rules flag as CoinJoins (docs/PATTERNS.md).",
                               ev, key);
    }
    json_decref(full);
out:
    json_decref(j);
    cw_trace_free(t);
    cw_trace_sources_deinit(&src);
    cw_patterns_close(pv);
    return rc;
}

/* ---- rule: supply level changes -------------------------------------------------------- */

/* The level of commodity x partner at month period, from the changes (the newest at or
 * before it; 0 when none). */
static int supply_level_at(const cw_supply_level_change *ch, size_t n, const char *com,
                           const char *partner, const char *period)
{
    int lvl = 0;
    const char *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(ch[i].commodity, com) && !strcmp(ch[i].partner, partner) &&
            strcmp(ch[i].period, period) <= 0 && (!best || strcmp(ch[i].period, best) > 0)) {
            best = ch[i].period;
            lvl = ch[i].new_level;
        }
    return lvl;
}

/* A supply alert raised while its month was partial (evidence.provisional), still open, after
 * this run's alerts were raised. The alert of a month that is still partial is left (this run
 * brought it up to date if it is the latest change). Once the month reads complete:
 *  - the completed month holds the same rise (same commodity, partner, month and level): the
 *    alert is UPDATED in place, the same finding on complete data: PROVISIONAL leaves the
 *    title, provisional becomes false and `completed` says so (a raise with the same key does
 *    this already while the change is the latest; this also covers an alert a later month's
 *    change has overtaken);
 *  - otherwise (the completed month rose to another level, or not at all): the alert is
 *    SUPERSEDED, closed by the monitor with a note giving the completed month's level and the
 *    alert of the completed month, if any. It is not rewritten: an investigator may have acted
 *    on what it said, and its history keeps it; its finding no longer holds, so it leaves the
 *    open queue. */
static int supply_settle_provisional(ctx *c, const cw_supply_level_change *ch, size_t n)
{
    sqlite3 *db = cw_alert_db_sqlite(c->alerts);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, title, evidence FROM alerts WHERE kind = "
                           "'supply-level-change' AND status != 2 ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return cw_error_set(CW_EIO, "supply alerts: %s", sqlite3_errmsg(db));
    typedef struct {
        int64_t id;
        char *title;
        json_t *ev;
    } open_t;
    open_t *op = NULL;
    size_t n_op = 0, cap = 0;
    int sr;
    while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 2);
        json_t *ev = t ? json_loads(t, 0, NULL) : NULL;
        if (!json_is_true(json_object_get(ev, "provisional"))) {
            json_decref(ev);
            continue;
        }
        if ((rc = cw_grow(&op, &cap, n_op + 1, sizeof *op, 4))) {
            json_decref(ev);
            break;
        }
        op[n_op].id = sqlite3_column_int64(st, 0);
        op[n_op].title = cw_strdup((const char *)sqlite3_column_text(st, 1));
        op[n_op++].ev = ev;
    }
    if (!rc && sr != SQLITE_DONE)
        rc = cw_error_set(CW_EIO, "supply alerts: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    for (size_t a = 0; !rc && a < n_op; a++) {
        json_t *ev = op[a].ev;
        const char *com = json_string_value(json_object_get(ev, "commodity"));
        const char *keyp = json_string_value(json_object_get(ev, "partner"));
        const char *per = json_string_value(json_object_get(ev, "period"));
        const char *to = json_string_value(json_object_get(ev, "to"));
        if (!com || !keyp || !per || !to || !op[a].title)
            continue;
        char p0[4];
        snprintf(p0, sizeof p0, "%.3s", keyp); /* the first partner the alert names */
        const cw_supply_level_change *now = NULL;
        for (size_t i = 0; i < n && !now; i++)
            if (!strcmp(ch[i].commodity, com) && !strcmp(ch[i].partner, p0) &&
                !strcmp(ch[i].period, per))
                now = &ch[i];
        if (now && now->provisional)
            continue; /* still a partial month */
        int lvl = supply_level_at(ch, n, com, p0, per);
        char note[400];
        if (now && !strcmp(cw_supply_level_name(now->new_level), to)) {
            /* update: the same finding on the completed month */
            char title[400];
            snprintf(title, sizeof title, "%s", op[a].title);
            char *pz = strstr(title, ", PROVISIONAL: a partial month");
            if (pz)
                memmove(pz, pz + strlen(", PROVISIONAL: a partial month"),
                        strlen(pz + strlen(", PROVISIONAL: a partial month")) + 1);
            snprintf(note, sizeof note,
                     "%s completed: the level holds at %s (raised while the month was partial)",
                     per, to);
            json_object_set_new(ev, "provisional", json_false());
            json_object_set_new(ev, "provisional_note", json_null());
            json_object_set_new(ev, "completed", json_string(note));
            if (now->reason)
                json_object_set_new(ev, "reason", json_string(now->reason));
            char *evs = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS);
            cw_alert_input in = {.title = title, .evidence = evs};
            rc = evs ? refresh(c, op[a].id, &in) : cw_error_set(CW_ENOMEM, "out of memory");
            free(evs);
            continue;
        }
        /* supersede: the completed month says something else */
        char more[96] = "";
        if (now && now->new_level > now->old_level && now->new_level >= CW_SUPPLY_CAUTION)
            snprintf(more, sizeof more, "; the completed month's rise to %s is its own alert",
                     cw_supply_level_name(now->new_level));
        snprintf(note, sizeof note,
                 "superseded: %s is now complete and reads %s for %s (the alert said %s while "
                 "the month was partial)%s",
                 per, cw_supply_level_name(lvl), p0, to, more);
        rc = cw_alert_set_status(c->alerts, op[a].id, CW_ALERT_CLOSED, "chainwatch monitor", note);
    }
    for (size_t a = 0; a < n_op; a++) {
        free(op[a].title);
        json_decref(op[a].ev);
    }
    cw_free(op);
    return rc;
}

static int rule_supply(ctx *c, const char *db)
{
    cw_supply *s = NULL;
    cw_supply_rules *r = NULL;
    cw_supply_level_change *ch = NULL;
    size_t n = 0;
    int rc = cw_supply_open(&s, db);
    if (!rc)
        rc = cw_supply_rules_load(&r, NULL);
    if (!rc)
        rc = cw_supply_level_changes(s, r, NULL, NULL, NULL, NULL, true, &ch, &n);
    /* A warning in force, not history: per (commodity, partner) only the latest change is
     * raised, and only when it raised the level to caution or above (a level history back to
     * the 1960s would otherwise flood the queue). A change reached by partner-invariant rules
     * alone (one world price, production) is the same signal for every partner: the partners
     * whose latest change it is share one alert that names them. */
    bool *live = n ? cw_calloc(n, sizeof *live) : NULL;
    if (!rc && n && !live)
        rc = cw_error_set(CW_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        if (ch[i].new_level <= ch[i].old_level || ch[i].new_level < CW_SUPPLY_CAUTION)
            continue;
        bool later = false;
        for (size_t j = 0; j < n && !later; j++)
            later = j != i && !strcmp(ch[j].commodity, ch[i].commodity) &&
                    !strcmp(ch[j].partner, ch[i].partner) && strcmp(ch[j].period, ch[i].period) > 0;
        live[i] = !later;
    }
    for (size_t i = 0; !rc && i < n; i++) {
        if (!live[i])
            continue;
        /* the partners sharing this partner-invariant signal (i is the first of them) */
        bool first = true;
        char partners[64] = "", keyp[64] = "";
        json_t *per = json_array();
        bool same_old = true;
        for (size_t j = 0; j < n; j++) {
            bool member = j == i || (ch[i].invariant && live[j] && ch[j].invariant &&
                                     !strcmp(ch[j].commodity, ch[i].commodity) &&
                                     !strcmp(ch[j].period, ch[i].period) &&
                                     ch[j].new_level == ch[i].new_level);
            if (!member)
                continue;
            if (j < i) {
                first = false;
                break;
            }
            size_t l = strlen(partners), lk = strlen(keyp);
            snprintf(partners + l, sizeof partners - l, "%s%s", l ? ", " : "", ch[j].partner);
            snprintf(keyp + lk, sizeof keyp - lk, "%s%s", lk ? "+" : "", ch[j].partner);
            same_old = same_old && ch[j].old_level == ch[i].old_level;
            json_array_append_new(per, json_pack("{s:s, s:s, s:s}", "partner", ch[j].partner,
                                                 "from", cw_supply_level_name(ch[j].old_level),
                                                 "reason", ch[j].reason ? ch[j].reason : ""));
        }
        if (!first) {
            json_decref(per);
            continue;
        }
        size_t n_par = json_array_size(per);
        char key[200], title[400], when[64];
        /* a level reached in a partial month (a daily price that stopped inside it) is
         * provisional: the title and the evidence say so */
        snprintf(when, sizeof when, "%s%s", ch[i].period,
                 ch[i].provisional ? ", PROVISIONAL: a partial month" : "");
        snprintf(key, sizeof key, "supply-level:%s:%s:%s:%d", ch[i].commodity, keyp, ch[i].period,
                 ch[i].new_level);
        if (n_par > 1)
            snprintf(title, sizeof title,
                     "%s for %s: supply risk %s%s%s (%s; one partner-invariant signal, the same "
                     "for each)",
                     ch[i].commodity, partners,
                     same_old ? cw_supply_level_name(ch[i].old_level) : "", same_old ? " -> " : "",
                     cw_supply_level_name(ch[i].new_level), when);
        else
            snprintf(title, sizeof title, "%s for %s: supply risk %s -> %s (%s)", ch[i].commodity,
                     ch[i].partner, cw_supply_level_name(ch[i].old_level),
                     cw_supply_level_name(ch[i].new_level), when);
        json_t *ev = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o}", "commodity", ch[i].commodity, "partner",
            keyp, "period", ch[i].period, "from", cw_supply_level_name(ch[i].old_level), "to",
            cw_supply_level_name(ch[i].new_level), "reason", ch[i].reason ? ch[i].reason : "",
            "partner_invariant", ch[i].invariant, "partners", per);
        json_object_set_new(ev, "provisional", json_boolean(ch[i].provisional));
        json_object_set_new(ev, "provisional_note",
                            ch[i].provisional ? json_string(ch[i].provisional_note) : json_null());
        cw_alert_severity sev = ch[i].new_level >= CW_SUPPLY_SEVERE  ? CW_SEV_CRITICAL
                                : ch[i].new_level >= CW_SUPPLY_ALERT ? CW_SEV_HIGH
                                                                     : CW_SEV_MEDIUM;
        rc = cw_monitor__raise(c, CW_ALERT_SRC_SUPPLY, "supply-level-change", sev, CW_TLP_GREEN,
                               NULL, title, ch[i].reason, ev, key);
    }
    if (!rc)
        rc = supply_settle_provisional(c, ch, n);
    cw_free(live);
    cw_supply_level_changes_free(ch, n);
    cw_supply_rules_free(r);
    cw_supply_close(s);
    return rc;
}

/* True when a case of the cases file traces from a label (label:NAME): every labelled address
 * is needed (cw_trace_sources_add takes them from the full label map only). */
static bool cases_by_label(const json_t *cases)
{
    size_t i, k;
    json_t *cs_j, *f;
    json_array_foreach(cases, i, cs_j)
    {
        json_array_foreach(json_object_get(cs_j, "from"), k, f)
        {
            const char *s = json_string_value(f);
            if (s && !strncmp(s, "label:", 6))
                return true;
        }
    }
    return false;
}

/* The label map of a run. Lazy (the labels of the addresses the rules touch, read as they
 * touch them: the same answers; a run over a few new blocks reads a few hundred labels, not the
 * ~500k a shared DB holds) unless a case traces from a label (every labelled address: the
 * full map) or the new transactions have more inputs and outputs than half the DB's labels,
 * past which the lazy map would switch to reading them all anyway (the first run, over the
 * whole chain; trace.h). */
static int labelmap_for(cw_trace_labelmap **lm, const cw_chainstore *cs, cw_labels *db,
                        const json_t *cases, uint64_t from)
{
    uint64_t n = cw_chainstore_counts_get(cs).txs, ios = 0;
    if (from < n) {
        uint64_t in0, in1, o0, o1, li0, li1, lo0, lo1;
        cw_chainstore_tx_range(cs, from, &in0, &in1, &o0, &o1);
        cw_chainstore_tx_range(cs, n - 1, &li0, &li1, &lo0, &lo1);
        ios = (li1 - in0) + (lo1 - o0);
    }
    cw_labels_totals tot;
    int rc = cw_labels_totals_get(db, &tot);
    if (rc)
        return rc;
    if (cases_by_label(cases) || ios > (uint64_t)(tot.labels > 0 ? tot.labels : 0) / 2)
        return cw_trace_labelmap_new(lm, cs, db);
    return cw_trace_labelmap_open(lm, cs, db);
}

int cw_monitor_run(const cw_monitor_opts *o, cw_monitor_stats *st)
{
    memset(st, 0, sizeof *st);
    double t0 = cw_now();
    if (!o->node_db)
        return cw_error_set(CW_EINVAL, "a node database is required");
    cw_node *node = NULL;
    cw_chainstore *cs = NULL;
    cw_labels *labels = NULL;
    cw_trace_labelmap *lm = NULL;
    json_t *cases = NULL;
    int rc = cw_node_open(&node, o->node_db);
    if (rc)
        return rc;
    if (o->cases_file && (rc = cases_load(&cases, o->cases_file)))
        goto out;
    ctx c = {cw_node_alerts(node), st, o->synthetic, NULL, NULL, cases};
    if (o->store_dir && cw_evmstore_detect(o->store_dir)) {
        if ((rc = cw_monitor__run_evm(&c, o)))
            goto out;
    } else if (o->store_dir) {
        if ((rc = cw_chainstore_open(&cs, o->store_dir, false, CW_NET_MAIN)))
            goto out;
        if (cw_chainstore_synthetic(cs)) /* the store says it holds a generated world */
            c.synthetic = true;
        c.cs = cs;
        uint64_t from = state_read(o->node_db, cs);
        if (o->labels_db && ((rc = cw_labels_open(&labels, o->labels_db, CW_LABELS_READONLY)) ||
                             (rc = labelmap_for(&lm, cs, labels, cases, from))))
            goto out;
        st->txs_scanned = cw_chainstore_counts_get(cs).txs - from;
        if (lm && (rc = rule_watched(&c, cs, lm, from)))
            goto out;
        if (cases) {
            size_t i;
            json_t *k;
            json_array_foreach(cases, i, k)
            {
                if ((rc = rule_case(&c, cs, lm, k, o->cases_file, i)))
                    goto out;
            }
        }
        /* the label DB's read snapshot ends here, before the node DB is written */
        cw_trace_labelmap_free(lm);
        lm = NULL;
        if ((rc = state_write(o->node_db, cs)))
            goto out;
    }
    if (o->supply_db && (rc = rule_supply(&c, o->supply_db)))
        goto out;
    /* what the rules raised is published to partners by the share module */
    rc = cw_share_publish_pending(node, NULL);
out:
    json_decref(cases);
    cw_trace_labelmap_free(lm);
    cw_labels_close(labels);
    cw_chainstore_close(cs);
    cw_node_close(node);
    st->seconds = cw_now() - t0;
    return rc;
}
