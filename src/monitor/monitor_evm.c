/*
 * monitor_evm.c: the chain rules on an EVM store (include/chainwatch/monitor.h, issue 13).
 *
 *  - sanctioned-address-receives / sanctioned-address-spends: an account labelled sanctioned
 *    (any label of it: cw_acct_labels keeps them all) is the recipient or the sender of a
 *    value movement not scanned before (fees and NFT counts left out); one alert per account
 *    and direction, with the amounts per asset;
 *  - per case (cases file; "from" lists the heist's tx hashes), a forward FIFO account-model
 *    trace (acct_trace.h) that stops where `chainwatch trace` and the server stop (the one
 *    policy of acct_policy.h: labelled exchanges, mixers and bridges, bridges named by swap
 *    memos, accounts recognised from behaviour as exchange deposit addresses or mixer pools,
 *    probable) and, here only, at sanctioned accounts. Taint reaching
 *      an exchange         -> stolen-funds-at-exchange (one alert per case and exchange),
 *      a mixer             -> watched-funds-mixer-entry (per case and mixer),
 *      a bridge            -> watched-funds-bridge-exit (per case and bridge: the value leaves
 *                             the chain there; the continuation on the other chain is
 *                             xchain's work),
 *      a sanctioned account-> watched-funds-sanctioned-counterparty (per case and account).
 * Only a sanctioned party's addresses go under evidence "addresses" (which sharing turns into
 * an indicator of malicious activity); an exchange's, a mixer's or a bridge's go under
 * "party_addresses": they received stolen value, they are not the thief.
 * Evidence names the chain, and per asset its symbol, decimals and the amount in base units as
 * a decimal string (wei exceed 2^53: never a JSON number). Titles show the amounts scaled by
 * the decimals, exactly (digit arithmetic, never a double).
 * The scan position ("evm moves N block M HASH") is kept per chain in NODE_DB.monitor.CHAIN
 * (NODE_DB.monitor is the Bitcoin one: one file for both made each chain's run rescan the
 * other's store from the start); a store whose block M has another hash (a reorg) is rescanned
 * from the start.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/acct_evm.h"
#include "chainwatch/acct_labels.h"
#include "chainwatch/acct_policy.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm_services.h"
#include "chainwatch/labels.h"
#include "chainwatch/util.h"
#include "monitor/monitor_int.h"
#include "util/u64map.h"

#define MAX_EVIDENCE_TXS 50

/* ---- formatting ------------------------------------------------------------------------ */

static void addr_str(char out[43], const cw_evmstore *s, uint32_t id)
{
    const cw_evm_row_account *a = id == CW_EVM_NONE32 ? NULL : cw_evmstore_account(s, id);
    if (!a) {
        snprintf(out, 43, "%s", "nobody");
        return;
    }
    out[0] = '0';
    out[1] = 'x';
    cw_hex_encode(out + 2, a->addr, 20);
}

static void tx_str(char out[67], const cw_evmstore *s, uint64_t tx)
{
    out[0] = '0';
    out[1] = 'x';
    cw_hex_encode(out + 2, cw_evmstore_tx_hash(s, tx), 32);
}

/* symbol and decimals (255 = unknown) of an asset */
static void asset_info(const cw_evmstore *s, uint32_t id, char sym[49], int *decimals)
{
    const cw_evm_row_asset *a = cw_evmstore_asset(s, id);
    sym[0] = '\0';
    *decimals = 255;
    if (a) {
        memcpy(sym, a->symbol, sizeof a->symbol);
        sym[sizeof a->symbol] = '\0';
        *decimals = a->decimals;
    }
    if (id == CW_EVM_ASSET_NATIVE && !sym[0])
        snprintf(sym, 49, "%s", cw_evmstore_chain(s)->symbol);
    if (!sym[0] && a && a->account != CW_EVM_NONE32) {
        char h[43];
        addr_str(h, s, a->account);
        snprintf(sym, 49, "%s", h);
    }
}

/* base units scaled by decimals, exactly: "30", "0.0015" (trailing zeros dropped); unknown
 * decimals (255), or more than a 256-bit amount can have, read "N base units of" */
static void scaled(char *out, size_t n, const cw_u256 *v, int decimals)
{
    char dec[CW_U256_DEC_MAX];
    cw_u256_to_dec(dec, v);
    if (decimals == 255 || cw_dec_shift(out, n, dec, decimals) != 0)
        snprintf(out, n, "%s base units of", dec);
}

/* ---- per-asset sums ---------------------------------------------------------------------- */

typedef struct sums {
    uint32_t asset[16];
    cw_u256 v[16];
    size_t n;
} sums;

static void sums_add(sums *x, uint32_t asset, const cw_u256 *v)
{
    size_t i = 0;
    while (i < x->n && x->asset[i] != asset)
        i++;
    if (i == x->n) {
        if (x->n == 16)
            return; /* more than 16 assets: the evidence keeps the first 16 */
        x->asset[x->n] = asset;
        memset(&x->v[x->n], 0, sizeof x->v[0]);
        x->n++;
    }
    cw_u256_add(&x->v[i], &x->v[i], v);
}

/* [{"asset","decimals","contract","amount"}] and "30 ETH + 1000 USDT" */
static json_t *sums_json(const cw_evmstore *s, const sums *x, char *text, size_t tn)
{
    json_t *arr = json_array();
    size_t o = 0;
    text[0] = '\0';
    for (size_t i = 0; i < x->n; i++) {
        char sym[49], dec[CW_U256_DEC_MAX], sc[CW_U256_DEC_MAX + 80], contract[43];
        int d;
        asset_info(s, x->asset[i], sym, &d);
        cw_u256_to_dec(dec, &x->v[i]);
        scaled(sc, sizeof sc, &x->v[i], d);
        const cw_evm_row_asset *a = cw_evmstore_asset(s, x->asset[i]);
        json_t *j = json_pack("{s:s, s:s}", "asset", sym, "amount", dec);
        json_object_set_new(j, "decimals", d == 255 ? json_null() : json_integer(d));
        if (a && a->account != CW_EVM_NONE32) {
            addr_str(contract, s, a->account);
            json_object_set_new(j, "contract", json_string(contract));
        }
        json_array_append_new(arr, j);
        if (o < tn)
            o += (size_t)snprintf(text + o, tn - o, "%s%s %s", i ? " + " : "", sc, sym);
    }
    return arr;
}

/* ---- scan position ----------------------------------------------------------------------- */

static void state_path(char *out, size_t n, const char *node_db, const cw_evmstore *s)
{
    snprintf(out, n, "%s.monitor.%s", node_db, cw_evmstore_chain(s)->name);
}

static uint64_t state_read(const char *node_db, const cw_evmstore *s)
{
    char p[PATH_MAX], hash[80] = "", have[65];
    state_path(p, sizeof p, node_db, s);
    uint8_t *data;
    size_t len;
    if (cw_file_read(&data, &len, p))
        return 0;
    unsigned long long moves = 0, block = 0;
    int k = sscanf((const char *)data, "evm moves %llu block %llu %64s", &moves, &block, hash);
    cw_free(data);
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    if (k != 3 || moves > c.moves || block < c.base || block >= c.base + c.blocks)
        return 0;
    const cw_evm_row_block *b = cw_evmstore_block(s, block);
    if (!b)
        return 0;
    cw_hex_encode(have, b->hash, 32);
    return strcmp(have, hash) ? 0 : (uint64_t)moves;
}

static int state_write(const char *node_db, const cw_evmstore *s)
{
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    int64_t tip = cw_evmstore_tip(s);
    if (tip < 0)
        return 0;
    const cw_evm_row_block *b = cw_evmstore_block(s, (uint64_t)tip);
    if (!b)
        return 0;
    char p[PATH_MAX], hash[65], text[200];
    state_path(p, sizeof p, node_db, s);
    cw_hex_encode(hash, b->hash, 32);
    int n = snprintf(text, sizeof text, "evm moves %" PRIu64 " block %" PRId64 " %s\n", c.moves,
                     tip, hash);
    return cw_file_write_atomic(p, text, (size_t)n);
}

/* ---- rule: sanctioned counterparties in newly scanned movements ------------------------- */

typedef struct hit {
    uint32_t account;
    int side; /* 0 receives, 1 spends */
    sums amount;
    uint64_t n_tx, last_tx, first_block, last_block;
    json_t *txs;
} hit;

static bool counted(const cw_evm_row_move *m)
{
    return m->kind != CW_EVM_MOVE_FEE_BURNT && m->kind != CW_EVM_MOVE_FEE_TIP &&
           m->kind != CW_EVM_MOVE_ERC721 && m->kind != CW_EVM_MOVE_ERC1155;
}

static int rule_sanctioned(cw_monitor__ctx *c, const cw_evmstore *s, const cw_acct_labels *lm,
                           uint64_t from)
{
    cw_evm_counts k;
    cw_evmstore_counts(s, &k);
    cw_u64map idx = {0};
    hit *hits = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    const char *chain = cw_evmstore_chain(s)->name;
    for (uint64_t m = from; m < k.moves; m++) {
        const cw_evm_row_move *r = cw_evmstore_move(s, m);
        if (!counted(r))
            continue;
        for (int side = 0; side < 2; side++) {
            uint32_t a = side ? r->from : r->to;
            if (a == CW_EVM_NONE32 || !cw_acct_labels_has(lm, a, "sanctioned"))
                continue;
            uint64_t key = (uint64_t)a * 2 + (uint64_t)side, hi;
            if (!cw_u64map_get(&idx, key, &hi)) {
                if (n == cap) {
                    size_t nc = cap ? cap * 2 : 16;
                    hit *nh = realloc(hits, nc * sizeof *nh);
                    if (!nh) {
                        rc = cw_error_set(CW_ENOMEM, "out of memory in the sanctioned rule");
                        goto out;
                    }
                    hits = nh;
                    cap = nc;
                }
                hi = n++;
                memset(&hits[hi], 0, sizeof hits[hi]);
                hits[hi].account = a;
                hits[hi].side = side;
                hits[hi].last_tx = UINT64_MAX;
                hits[hi].first_block = r->block;
                hits[hi].txs = json_array();
                if ((rc = cw_u64map_set(&idx, key, hi)))
                    goto out;
            }
            hit *h = &hits[hi];
            cw_u256 v = cw_evmstore_move_amount(s, r);
            sums_add(&h->amount, r->asset, &v);
            h->last_block = r->block;
            if (r->tx != CW_EVM_NONE64 && r->tx != h->last_tx) {
                h->last_tx = r->tx;
                h->n_tx++;
                if (json_array_size(h->txs) < MAX_EVIDENCE_TXS) {
                    char t[67];
                    tx_str(t, s, r->tx);
                    json_array_append_new(h->txs, json_string(t));
                }
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        hit *h = &hits[i];
        const cw_acct_label *l = cw_acct_labels_of(lm, h->account, "sanctioned");
        char addr[43], key[256], title[768], amt[512];
        addr_str(addr, s, h->account);
        const char *kind = h->side ? "sanctioned-address-spends" : "sanctioned-address-receives";
        json_t *amounts = sums_json(s, &h->amount, amt, sizeof amt);
        snprintf(key, sizeof key, "%s:%s:%s", kind, chain, addr);
        snprintf(title, sizeof title, "Sanctioned address %s (%s) %s %s on %s in %" PRIu64 " tx%s",
                 addr, l ? l->entity : "?", h->side ? "sent" : "received", amt, chain, h->n_tx,
                 h->n_tx == 1 ? "" : "s");
        char sym[49];
        int d;
        asset_info(s, h->amount.asset[0], sym, &d);
        json_t *ev = json_pack(
            "{s:s, s:s, s:[s], s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:I, s:I, s:I, s:o, s:b}",
            "chain", chain, "address", addr, "addresses", addr, "entity", l ? l->entity : "",
            "entity_ref", l ? l->entity_ref : "", "programs", l ? l->programs : "", "category",
            "sanctioned", "direction", h->side ? "spend" : "receive", "amounts", amounts,
            "currency", sym, "tx_count", (json_int_t)h->n_tx, "first_block",
            (json_int_t)h->first_block, "last_block", (json_int_t)h->last_block, "txs", h->txs,
            "txs_truncated", h->n_tx > MAX_EVIDENCE_TXS);
        h->txs = NULL;
        if (l && l->source[0])
            json_object_set_new(ev, "label_source", json_string(l->source));
        rc = cw_monitor__raise(c, CW_ALERT_SRC_CHAIN, kind, CW_SEV_HIGH, CW_TLP_GREEN, NULL, title,
                               "An address on a sanctions list moved value on this EVM chain in "
                               "newly scanned transactions (one alert per address and "
                               "direction); the evidence gives the amounts per asset in base "
                               "units and the transactions.",
                               ev, key);
        if (rc)
            goto out;
    }
out:
    for (size_t i = 0; i < n; i++)
        json_decref(hits[i].txs);
    free(hits);
    cw_u64map_deinit(&idx);
    return rc;
}

/* ---- rule: cases ------------------------------------------------------------------------- */

/* One finding of a case: the value of one kind that reached one party. */
typedef struct finding {
    int stop;
    char who[256]; /* entity name, or the address (recognised services: probable) */
    bool probable; /* recognised from behaviour, or reached through a judgement */
    uint32_t hops; /* fewest */
    sums amount;
    json_t *accounts; /* addresses of the party that received */
    json_t *txs;      /* the movements into it (first MAX_EVIDENCE_TXS) */
    uint64_t n_tx;
} finding;

static const char *stop_kind(int stop)
{
    switch (stop) {
    case CW_ACCT_STOP_EXCHANGE:
    case CW_ACCT_STOP_SERVICE: /* a cash-out service, named as one in the title and party */
        return "stolen-funds-at-exchange";
    case CW_ACCT_STOP_MIXER:
        return "watched-funds-mixer-entry";
    case CW_ACCT_STOP_BRIDGE:
        return "watched-funds-bridge-exit";
    case CW_ACCT_STOP_SANCTIONED:
        return "watched-funds-sanctioned-counterparty";
    default: /* no finding (a hop limit, a holding): the caller never raises one */
        return NULL;
    }
}

static const char *stop_expl(int stop)
{
    switch (stop) {
    case CW_ACCT_STOP_EXCHANGE:
        return "A forward FIFO account-model trace from the case's transactions "
               "(docs/TRACE-MODELS.md, Account model), stopped at exchanges, ends at this "
               "exchange's addresses: labelled, or recognised from behaviour as its deposit "
               "addresses (then PROBABLE, with the score in the evidence). Amounts are per asset, "
               "in base units.";
    case CW_ACCT_STOP_MIXER:
        return "Value traced (FIFO) from the case's transactions entered this mixer (labelled, "
               "or recognised from fixed-denomination deposits: then PROBABLE). The trace stops "
               "there; a trace through the mixer links withdrawals to deposits, each as probable.";
    case CW_ACCT_STOP_BRIDGE:
        return "Value traced (FIFO) from the case's transactions reached this bridge (labelled, or "
               "named by two or more "
               "swap memos to other chains: then PROBABLE): it leaves "
               "the chain here. Amounts are per asset, in base units.";
    default: /* CW_ACCT_STOP_SANCTIONED */
        return "Value traced (FIFO) from the case's transactions reached an address on a "
               "sanctions list. Amounts are per asset, in base units.";
    }
}

static int rule_case(cw_monitor__ctx *c, const cw_evmstore *s, cw_acct_policy *pol, json_t *cs_j,
                     const char *file, size_t idx)
{
    const char *name = json_string_value(json_object_get(cs_j, "name"));
    json_t *from = json_object_get(cs_j, "from");
    if (!name || !json_is_array(from) || !json_array_size(from))
        return cw_error_set(CW_EINVAL, "%s: case %zu: needs \"name\" and a non-empty \"from\" list",
                            file, idx);
    const char *chain = cw_evmstore_chain(s)->name;
    uint64_t *ids = NULL;
    size_t n_ids = 0, i;
    json_t *f;
    int rc = 0;
    const cw_acct_labels *lm = cw_acct_policy_labels(pol);
    const cw_evm_services *sv = cw_acct_policy_services(pol);
    cw_acct_result *r = NULL;
    finding *fs = NULL;
    size_t n_fs = 0;
    json_array_foreach(from, i, f)
    {
        if (!json_is_string(f)) {
            rc = cw_error_set(CW_EINVAL, "%s: case '%s': from[%zu] is not a string", file, name, i);
            goto out;
        }
        uint64_t *part;
        size_t np;
        if ((rc = cw_acct_evm_tx_sources(s, json_string_value(f), &part, &np, NULL))) {
            if (rc == CW_ENOTFOUND) { /* not in the store yet: nothing to watch */
                rc = 0;
                cw_error_clear();
                continue;
            }
            cw_error_wrap(rc, "%s: case '%s': from[%zu]: ", file, name, i);
            goto out;
        }
        uint64_t *grown = realloc(ids, (n_ids + np) * sizeof *ids);
        if (!grown) {
            free(part);
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        ids = grown;
        memcpy(ids + n_ids, part, np * sizeof *part);
        n_ids += np;
        free(part);
    }
    if (!n_ids)
        goto out;
    cw_acct_opts o;
    cw_acct_opts_init(&o);
    o.model = CW_ACCT_FIFO;
    if ((rc = cw_acct_policy_trace(&r, pol, ids, n_ids, &o)))
        goto out;
    size_t n_end, n_arr;
    const cw_acct_end *e = cw_acct_result_ends(r, &n_end);
    const cw_acct_arrival *ar = cw_acct_result_arrivals(r, &n_arr);
    fs = cw_calloc(n_end ? n_end : 1, sizeof *fs);
    if (!fs) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < n_end; k++) {
        /* a finding is where value stopped at a party: a holding (NONE) is not one, nor is
         * the trace's hop limit (OTHER), which says nothing about who holds the value there */
        if (!stop_kind(e[k].stop) || cw_u256_is_zero(&e[k].amount))
            continue;
        /* the party: the label's entity; a recognised deposit address: its collector's label,
         * else the collector's address (probable); otherwise the address itself */
        char who[256], addr[43];
        bool probable = e[k].probable;
        addr_str(addr, s, e[k].account);
        cw_acct_policy_why why;
        cw_acct_policy_stop(pol, e[k].account, &why);
        const cw_acct_label *l = cw_acct_labels_primary(lm, e[k].account);
        const cw_evm_service *svc = l ? NULL : cw_evm_services_get(sv, e[k].account);
        if (l && e[k].stop == CW_ACCT_STOP_SANCTIONED)
            l = cw_acct_labels_of(lm, e[k].account, "sanctioned");
        if (l) {
            snprintf(who, sizeof who, "%s", l->entity);
        } else if (svc &&
                   (svc->kind == CW_EVM_SVC_DEPOSIT || svc->kind == CW_EVM_SVC_CONSOLIDATION)) {
            const cw_acct_label *pl = cw_acct_labels_primary(lm, svc->parent);
            char pa[43];
            addr_str(pa, s, svc->parent);
            if (pl)
                snprintf(who, sizeof who, "%s", pl->entity);
            else
                snprintf(who, sizeof who, "%s %s",
                         e[k].stop == CW_ACCT_STOP_SERVICE ? "unlabelled service" : "exchange", pa);
            probable = true;
        } else if (why == CW_ACCT_WHY_MEMO) {
            snprintf(who, sizeof who, "bridge deposit %s", addr);
            probable = true;
        } else {
            snprintf(who, sizeof who, "%s %s", svc ? cw_evm_service_name(svc->kind) : "address",
                     addr);
            probable = probable || svc != NULL;
        }
        size_t j = 0;
        while (j < n_fs && !(fs[j].stop == e[k].stop && !strcmp(fs[j].who, who)))
            j++;
        if (j == n_fs) {
            fs[j].stop = e[k].stop;
            snprintf(fs[j].who, sizeof fs[j].who, "%s", who);
            fs[j].hops = e[k].hops;
            fs[j].accounts = json_array();
            fs[j].txs = json_array();
            n_fs++;
        }
        finding *fd = &fs[j];
        fd->probable = fd->probable || probable;
        if (e[k].hops < fd->hops)
            fd->hops = e[k].hops;
        sums_add(&fd->amount, e[k].asset, &e[k].amount);
        bool seen = false;
        size_t q;
        json_t *x;
        json_array_foreach(fd->accounts, q, x) seen = seen || !strcmp(json_string_value(x), addr);
        if (!seen && json_array_size(fd->accounts) < MAX_EVIDENCE_TXS)
            json_array_append_new(fd->accounts, json_string(addr));
        for (size_t a = 0; a < n_arr; a++) {
            if (ar[a].account != e[k].account || ar[a].asset != e[k].asset)
                continue;
            fd->n_tx++;
            const cw_evm_row_move *mv = cw_evmstore_move(s, ar[a].move);
            if (mv && mv->tx != CW_EVM_NONE64 && json_array_size(fd->txs) < MAX_EVIDENCE_TXS) {
                char t[67], dec[CW_U256_DEC_MAX];
                tx_str(t, s, mv->tx);
                cw_u256_to_dec(dec, &ar[a].amount);
                json_array_append_new(fd->txs, json_pack("{s:s, s:s}", "tx", t, "amount", dec));
            }
        }
    }
    const char *tlp_s = json_string_value(json_object_get(cs_j, "tlp"));
    const char *share_to = json_string_value(json_object_get(cs_j, "share_to"));
    for (size_t j = 0; j < n_fs; j++) {
        finding *fd = &fs[j];
        char key[600], title[1024], amt[512], sym[49];
        int d;
        const char *kind = stop_kind(fd->stop);
        json_t *amounts = sums_json(s, &fd->amount, amt, sizeof amt);
        asset_info(s, fd->amount.asset[0], sym, &d);
        snprintf(key, sizeof key, "%s:%s:%s:%s", kind, chain, name, fd->who);
        static const char *const verb[] = {[CW_ACCT_STOP_EXCHANGE] = "reached",
                                           [CW_ACCT_STOP_MIXER] = "entered mixer",
                                           [CW_ACCT_STOP_BRIDGE] = "left the chain at bridge",
                                           [CW_ACCT_STOP_SERVICE] = "reached",
                                           [CW_ACCT_STOP_SANCTIONED] = "reached sanctioned"};
        snprintf(title, sizeof title, "Case %s: %s of traced funds %s %s on %s (total so far%s)",
                 name, amt, fd->stop == CW_ACCT_STOP_EXCHANGE ? "reached" : verb[fd->stop], fd->who,
                 chain, fd->probable ? "; PROBABLE" : "");
        json_t *ev =
            json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:O, s:o, s:o, s:I, s:I, s:b, s:s}", "case",
                      name, "chain", chain, "party", fd->who, "category",
                      fd->stop == CW_ACCT_STOP_EXCHANGE  ? "exchange"
                      : fd->stop == CW_ACCT_STOP_MIXER   ? "mixer"
                      : fd->stop == CW_ACCT_STOP_BRIDGE  ? "bridge"
                      : fd->stop == CW_ACCT_STOP_SERVICE ? "service"
                                                         : "sanctioned",
                      "amounts", amounts, "currency", sym, "sources", from,
                      fd->stop == CW_ACCT_STOP_SANCTIONED ? "addresses" : "party_addresses",
                      fd->accounts, "arrivals", fd->txs, "arrival_count", (json_int_t)fd->n_tx,
                      "min_hops", (json_int_t)fd->hops, "probable", fd->probable, "model", "fifo");
        fd->accounts = fd->txs = NULL;
        if (fd->stop == CW_ACCT_STOP_EXCHANGE)
            json_object_set_new(ev, "exchange", json_string(fd->who));
        cw_alert_severity sev = cw_monitor__case_severity(cs_j);
        if (fd->stop == CW_ACCT_STOP_MIXER || fd->stop == CW_ACCT_STOP_BRIDGE)
            sev = CW_SEV_HIGH;
        if ((rc = cw_monitor__raise(c, CW_ALERT_SRC_CHAIN, kind, sev, cw_monitor__tlp(tlp_s),
                                    share_to, title, stop_expl(fd->stop), ev, key)))
            goto out;
    }
out:
    for (size_t j = 0; j < n_fs; j++) {
        json_decref(fs[j].accounts);
        json_decref(fs[j].txs);
    }
    cw_free(fs);
    cw_acct_result_free(r);
    free(ids);
    return rc;
}

int cw_monitor__run_evm(cw_monitor__ctx *c, const cw_monitor_opts *o)
{
    cw_evmstore *s = NULL;
    cw_labels *labels = NULL;
    cw_acct_labels *lm = NULL;
    cw_acct_policy *pol = NULL;
    int rc = cw_evmstore_open(&s, o->store_dir, false, NULL);
    if (rc)
        return rc;
    /* a store holding a generated world marks its alerts whether or not the caller said
     * --synthetic (cw_monitor__raise: title and evidence) */
    if (cw_evmstore_synthetic(s))
        c->synthetic = true;
    c->evm = s;
    if (o->labels_db && (rc = cw_labels_open(&labels, o->labels_db, CW_LABELS_READONLY)))
        goto out;
    if ((rc = cw_acct_labels_new(&lm, s, labels)))
        goto out;
    uint64_t from = state_read(o->node_db, s);
    cw_evm_counts k;
    cw_evmstore_counts(s, &k);
    /* transactions whose movements are scanned (block-level movements have none) */
    c->st->txs_scanned = 0;
    for (uint64_t m = from; m < k.moves; m++) {
        uint64_t tx = cw_evmstore_move(s, m)->tx;
        if (tx != CW_EVM_NONE64) {
            c->st->txs_scanned = k.txs - tx;
            break;
        }
    }
    if (labels && (rc = rule_sanctioned(c, s, lm, from)))
        goto out;
    if (c->cases) { /* checked whole by the caller */
        /* the one stop policy of `chainwatch trace` and the server (acct_policy.h); a
         * sanctioned account ends the trace here: the finding is that the value reached it */
        cw_acct_policy_opts po;
        cw_acct_policy_opts_init(&po);
        po.stop_at_sanctioned = true;
        if ((rc = cw_acct_policy_new(&pol, s, lm, &po)))
            goto out;
        size_t i;
        json_t *cj;
        json_array_foreach(c->cases, i, cj)
        {
            if ((rc = rule_case(c, s, pol, cj, o->cases_file, i)))
                goto out;
        }
    }
    rc = state_write(o->node_db, s);
out:
    cw_acct_policy_free(pol);
    cw_acct_labels_free(lm);
    cw_labels_close(labels);
    c->evm = NULL;
    cw_evmstore_close(s);
    return rc;
}
