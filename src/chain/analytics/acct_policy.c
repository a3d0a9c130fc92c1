/*
 * acct_policy.c: the one stop policy of EVM traces (include/chainwatch/acct_policy.h), used by
 * `chainwatch trace`, the server's report (acct_report.c) and the monitor (monitor_evm.c), so
 * that the three stop at the same accounts on the same store. The decision per account is
 * cached in one byte (kind + 1, why in the high nibble): the trace asks about an account at
 * every movement into it.
 */
#include <stdlib.h>
#include <string.h>

#include "chainwatch/acct_policy.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "chainwatch/xchain.h"

struct cw_acct_policy {
    const cw_evmstore *s;
    const cw_acct_labels *lm;
    cw_evm_services *sv;  /* NULL with no_services */
    uint8_t *memo_bridge; /* bitmap, NULL with no_services */
    uint8_t *cache;       /* per account: 0 unknown, else (why << 4) | (kind + 1) */
    uint8_t *self_fed;    /* bitmap of collectors fed by the trace's own path alone, or NULL */
    uint32_t n_accounts;
    cw_acct_policy_opts o;
};

/* The accounts labelled exchange, as a bitmap for cw_evm_services_detect_known: a hot wallet
 * known by its label is a collector even if it pays out nothing on this chain. */
typedef struct custodial_set {
    const cw_acct_labels *lm;
    uint8_t *bits;
    uint32_t n;
} custodial_set;

static int custodial_cb(uint32_t account, void *payload)
{
    custodial_set *c = payload;
    if (account < c->n && cw_acct_labels_has(c->lm, account, "exchange"))
        c->bits[account / 8] |= (uint8_t)(1u << (account % 8));
    return 0;
}

void cw_acct_policy_opts_init(cw_acct_policy_opts *o)
{
    memset(o, 0, sizeof *o);
    o->memo_bridge_min = 2;
}

int cw_acct_policy_new(cw_acct_policy **out, const cw_evmstore *s, const cw_acct_labels *lm,
                       const cw_acct_policy_opts *o)
{
    *out = NULL;
    cw_acct_policy *p = cw_calloc(1, sizeof *p);
    if (!p)
        return cw_error_set(CW_ENOMEM, "out of memory");
    if (o)
        p->o = *o;
    else
        cw_acct_policy_opts_init(&p->o);
    if (!p->o.memo_bridge_min)
        p->o.memo_bridge_min = 2;
    p->s = s;
    p->lm = lm;
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    p->n_accounts = c.accounts;
    int rc = 0;
    p->cache = cw_calloc((size_t)c.accounts + 1, 1);
    if (!p->cache) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    if (!p->o.no_services) {
        size_t n_mb;
        custodial_set cs = {lm, cw_calloc((size_t)c.accounts / 8 + 1, 1), c.accounts};
        if (!cs.bits) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        cw_acct_labels_foreach(lm, custodial_cb, &cs);
        rc = cw_evm_services_detect_known(&p->sv, s, cs.bits);
        cw_free(cs.bits);
        if (rc)
            goto out;
        if ((rc = cw_xchain_memo_bridges(s, p->o.memo_bridge_min, &p->memo_bridge, &n_mb)))
            goto out;
    }
out:
    if (rc)
        cw_acct_policy_free(p);
    else
        *out = p;
    return rc;
}

void cw_acct_policy_free(cw_acct_policy *p)
{
    if (!p)
        return;
    cw_evm_services_free(p->sv);
    cw_free(p->memo_bridge);
    cw_free(p->cache);
    cw_free(p->self_fed);
    cw_free(p);
}

static bool memo_bridge(const cw_acct_policy *p, uint32_t account)
{
    return p->memo_bridge && account < p->n_accounts &&
           (p->memo_bridge[account / 8] >> (account % 8) & 1);
}

/* What a deposit address of `collector` stops as: an exchange's (its collector labelled an
 * exchange, or not labelled as a stop and its customers come back), a service's (deposit
 * addresses used once), or none (the collector is labelled a mixer or bridge, or recognised as
 * a bridge by the memos of its deposits or by its deposits and releases, or as a mixer pool:
 * the value goes on to it, where the trace stops and says what it is). */
static int collector_kind(const cw_acct_policy *p, uint32_t collector)
{
    int label = cw_acct_labels_stop(p->lm, collector);
    if (label)
        return label == CW_ACCT_STOP_EXCHANGE ? CW_ACCT_STOP_EXCHANGE : 0;
    if (memo_bridge(p, collector))
        return 0; /* a bridge by its memos */
    const cw_evm_service *c = cw_evm_services_get(p->sv, collector);
    if (c && (c->kind == CW_EVM_SVC_MIXER || c->kind == CW_EVM_SVC_BRIDGE))
        return 0;
    return cw_evm_services_one_use(p->sv, collector) ? CW_ACCT_STOP_SERVICE : CW_ACCT_STOP_EXCHANGE;
}

static bool bit(const uint8_t *b, uint32_t i)
{
    return b && (b[i / 8] >> (i % 8) & 1);
}

static int decide(const cw_acct_policy *p, uint32_t account, cw_acct_policy_why *why)
{
    /* 1. labels are facts and come first */
    int kind = cw_acct_labels_stop(p->lm, account);
    if (!kind && p->o.stop_at_sanctioned && cw_acct_labels_has(p->lm, account, "sanctioned"))
        kind = CW_ACCT_STOP_SANCTIONED;
    if (kind) {
        *why = CW_ACCT_WHY_LABEL;
        return kind;
    }
    *why = CW_ACCT_WHY_NONE;
    if (p->o.no_services)
        return 0;
    /* 2. a memo naming another chain: the account says what it is */
    if (memo_bridge(p, account)) {
        *why = CW_ACCT_WHY_MEMO;
        return CW_ACCT_STOP_BRIDGE;
    }
    /* 3. behaviour */
    const cw_evm_service *svc = cw_evm_services_get(p->sv, account);
    if (svc && svc->kind == CW_EVM_SVC_MIXER) {
        kind = CW_ACCT_STOP_MIXER;
    } else if (svc && svc->kind == CW_EVM_SVC_BRIDGE) {
        /* a lock-and-release bridge by its behaviour: its releases pay others, never follow */
        kind = CW_ACCT_STOP_BRIDGE;
    } else if (svc && svc->kind == CW_EVM_SVC_COLLECTOR && bit(p->self_fed, account)) {
        kind = CW_ACCT_STOP_SERVICE; /* its feeders are the trace's own: no known exchange */
    } else if (svc && svc->kind == CW_EVM_SVC_COLLECTOR) {
        /* unlabelled (a label came first): an exchange's hot wallet, unless its deposit
         * addresses are used once (no customer came back: orders, not accounts) */
        kind =
            cw_evm_services_one_use(p->sv, account) ? CW_ACCT_STOP_SERVICE : CW_ACCT_STOP_EXCHANGE;
    } else if (svc && (svc->kind == CW_EVM_SVC_DEPOSIT || svc->kind == CW_EVM_SVC_CONSOLIDATION)) {
        /* a deposit (or consolidation) address takes its collector's kind: of a collector
         * labelled, or recognised, as something else (a bridge vault whose deposits carry
         * memos to another chain, a mixer) it is no exchange's (the shape matched, the service
         * did not: value goes on to the collector, which says what it is); of an unlabelled
         * collector whose deposit addresses are used once, a service's */
        kind = bit(p->self_fed, svc->parent) ? 0 : collector_kind(p, svc->parent);
    }
    if (kind)
        *why = CW_ACCT_WHY_SERVICE;
    return kind;
}

int cw_acct_policy_stop(cw_acct_policy *p, uint32_t account, cw_acct_policy_why *why)
{
    cw_acct_policy_why w;
    int kind;
    uint8_t v = account < p->n_accounts ? p->cache[account] : 0;
    if (v) {
        kind = (v & 0x0f) - 1;
        w = (cw_acct_policy_why)(v >> 4);
    } else {
        kind = decide(p, account, &w);
        if (account < p->n_accounts)
            p->cache[account] = (uint8_t)(((unsigned)w << 4) | (unsigned)(kind + 1));
    }
    if (why)
        *why = w;
    return kind;
}

bool cw_acct_policy_personal(cw_acct_policy *p, uint32_t account)
{
    if (cw_acct_policy_stop(p, account, NULL) != CW_ACCT_STOP_EXCHANGE)
        return false;
    if (cw_acct_labels_has(p->lm, account, "exchange_deposit"))
        return true;
    const cw_evm_service *svc = cw_evm_services_get(p->sv, account);
    return svc && svc->kind == CW_EVM_SVC_DEPOSIT;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Feeders on the trace's own path are no independent evidence of a service: of the unlabelled
 * collectors behind the recognised deposit addresses among `ends` (the accounts a trace
 * stopped at), marks those with fewer than CW_EVM_DEPOSIT_MIN_FEEDERS deposit addresses that
 * are not among `ends` (a market maker fed only by the thief's own single-use addresses). */
static int own_path(cw_acct_policy *p, const uint32_t *ends, size_t n_ends, size_t *n_marked)
{
    *n_marked = 0;
    if (!p->sv || !n_ends)
        return 0;
    size_t nb = (size_t)p->n_accounts / 8 + 1, n_c = 0;
    uint32_t *cand = cw_calloc(n_ends, sizeof *cand), *others = cw_calloc(n_ends, sizeof *others);
    uint8_t *on = cw_calloc(nb, 1);
    int rc = 0;
    if (!cand || !others || !on) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    /* the unlabelled collectors behind the recognised deposit addresses among the ends */
    for (size_t i = 0; i < n_ends; i++) {
        uint32_t a = ends[i];
        if (a >= p->n_accounts)
            continue;
        on[a / 8] |= (uint8_t)(1u << (a % 8));
        cw_acct_policy_why why;
        const cw_evm_service *d = cw_evm_services_get(p->sv, a);
        if (!cw_acct_policy_stop(p, a, &why) || why != CW_ACCT_WHY_SERVICE || !d ||
            d->kind != CW_EVM_SVC_DEPOSIT || d->parent >= p->n_accounts ||
            bit(p->self_fed, d->parent) || cw_acct_labels_stop(p->lm, d->parent))
            continue;
        const cw_evm_service *h = cw_evm_services_get(p->sv, d->parent);
        if (h && h->kind == CW_EVM_SVC_COLLECTOR)
            cand[n_c++] = d->parent;
    }
    if (!n_c)
        goto out;
    qsort(cand, n_c, sizeof *cand, cmp_u32);
    size_t k = 0;
    for (size_t i = 0; i < n_c; i++)
        if (!k || cand[k - 1] != cand[i])
            cand[k++] = cand[i];
    n_c = k;
    /* each one's deposit addresses off the trace's path: the evidence that is not the thief's */
    for (uint32_t x = 0; x < p->n_accounts; x++) {
        const cw_evm_service *d = cw_evm_services_get(p->sv, x);
        if (!d || d->kind != CW_EVM_SVC_DEPOSIT || bit(on, x))
            continue;
        uint32_t *c = bsearch(&d->parent, cand, n_c, sizeof *cand, cmp_u32);
        if (c)
            others[c - cand]++;
    }
    for (size_t i = 0; i < n_c; i++) {
        if (others[i] >= CW_EVM_DEPOSIT_MIN_FEEDERS)
            continue;
        if (!p->self_fed && !(p->self_fed = cw_calloc(nb, 1))) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        p->self_fed[cand[i] / 8] |= (uint8_t)(1u << (cand[i] % 8));
        (*n_marked)++;
    }
    if (*n_marked)
        memset(p->cache, 0, (size_t)p->n_accounts + 1);
out:
    cw_free(cand);
    cw_free(others);
    cw_free(on);
    return rc;
}

int cw_acct_policy_trace(cw_acct_result **out, cw_acct_policy *p, const uint64_t *sources,
                         size_t n_sources, const cw_acct_opts *o)
{
    *out = NULL;
    if (p->self_fed) { /* the previous trace's path is not this one's */
        cw_free(p->self_fed);
        p->self_fed = NULL;
        memset(p->cache, 0, (size_t)p->n_accounts + 1);
    }
    cw_acct_evm ev;
    cw_acct_policy_source(p, &ev);
    cw_acct_source src;
    cw_acct_source_evm(&src, &ev);
    cw_acct_result *r = NULL;
    int rc;
    for (int round = 0;; round++) {
        if ((rc = cw_acct_trace(&r, &src, sources, n_sources, o)))
            return rc;
        size_t n_e, n_m = 0, k = 0;
        const cw_acct_end *e = cw_acct_result_ends(r, &n_e);
        if (round == 4 || !p->sv)
            break;
        uint32_t *stops = cw_malloc((n_e + 1) * sizeof *stops);
        if (!stops) {
            cw_acct_result_free(r);
            return cw_error_set(CW_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < n_e; i++)
            if (e[i].stop != CW_ACCT_STOP_NONE)
                stops[k++] = e[i].account;
        rc = own_path(p, stops, k, &n_m);
        cw_free(stops);
        if (rc || !n_m) {
            if (rc)
                cw_acct_result_free(r);
            else
                *out = r;
            return rc;
        }
        cw_acct_result_free(r);
        r = NULL;
    }
    *out = r;
    return 0;
}

static int stop_cb(void *ctx, uint32_t account)
{
    return cw_acct_policy_stop(ctx, account, NULL);
}

static bool personal_cb(void *ctx, uint32_t account)
{
    return cw_acct_policy_personal(ctx, account);
}

void cw_acct_policy_source(cw_acct_policy *p, cw_acct_evm *ev)
{
    ev->store = p->s;
    ev->stop = stop_cb;
    ev->stop_ctx = p;
    ev->personal = personal_cb;
}

const cw_evm_services *cw_acct_policy_services(const cw_acct_policy *p)
{
    return p->sv;
}

const cw_acct_labels *cw_acct_policy_labels(const cw_acct_policy *p)
{
    return p->lm;
}

json_t *cw_acct_policy_recognised_json(cw_acct_policy *p, uint32_t account)
{
    cw_acct_policy_why why;
    cw_acct_policy_stop(p, account, &why);
    if (why == CW_ACCT_WHY_LABEL)
        return json_null(); /* a label decided: a fact */
    if (why == CW_ACCT_WHY_MEMO)
        return json_pack("{s:s, s:b}", "as", "bridge deposit (swap memos to other chains)",
                         "probable", 1);
    const cw_evm_service *svc = cw_evm_services_get(p->sv, account);
    if (!svc)
        return json_null();
    /* a service whose deposit addresses are used once is not known to be an exchange */
    bool one_use = cw_acct_policy_stop(p, account, NULL) == CW_ACCT_STOP_SERVICE;
    bool own = bit(p->self_fed, svc->kind == CW_EVM_SVC_COLLECTOR ? account : svc->parent);
    const char *as =
        own && svc->kind == CW_EVM_SVC_COLLECTOR
            ? "collector of an unlabelled service (too few deposit addresses off this trace's "
              "path to know it an exchange)"
        : own ? "payer of a service's collector (on this trace's path: not counted as its "
                "deposit address)"
        : svc->kind == CW_EVM_SVC_BRIDGE && svc->rule == CW_EVM_BRIDGE_RULE_EVENTS
            ? "bridge (deposit events naming another chain; payouts to non-depositors)"
        : !one_use && svc->kind == CW_EVM_SVC_DEPOSIT && svc->rule == CW_EVM_DEPOSIT_RULE_CREATOR
            ? "exchange deposit address (not yet swept: created as its collector's "
              "other deposit addresses were)"
        : !one_use                          ? cw_evm_service_name(svc->kind)
        : svc->kind == CW_EVM_SVC_COLLECTOR ? "collector of an unlabelled service "
                                              "(deposit addresses used once)"
                                            : "deposit address of an unlabelled "
                                              "service (used once: an order)";
    json_t *j = json_pack("{s:s, s:f, s:b}", "as", as, "score", svc->score, "probable", 1);
    if (svc->kind == CW_EVM_SVC_BRIDGE && svc->rule == CW_EVM_BRIDGE_RULE_EVENTS)
        json_object_set_new(j, "bridge_evidence",
                            json_pack("{s:s, s:i, s:i, s:i}", "rule", "deposit_events", "deposits",
                                      (json_int_t)svc->reused, "payouts", (json_int_t)svc->n,
                                      "payees", (json_int_t)svc->payees));
    else if (svc->kind == CW_EVM_SVC_BRIDGE)
        json_object_set_new(j, "bridge_evidence",
                            json_pack("{s:s, s:i, s:i}", "rule", "lock_release", "deposits",
                                      (json_int_t)svc->reused, "releases", (json_int_t)svc->n));
    if (svc->kind == CW_EVM_SVC_DEPOSIT && svc->rule == CW_EVM_DEPOSIT_RULE_CREATOR) {
        json_t *e = json_pack("{s:s, s:i}", "rule", "creator", "siblings", (json_int_t)svc->payees);
        char h[43] = "0x";
        const cw_evm_row_account *a = cw_evmstore_account(p->s, svc->creator);
        if (a) {
            cw_hex_encode(h + 2, a->addr, 20);
            json_object_set_new(e, "created_in_tx_of", json_string(h));
        }
        if (svc->factory != CW_EVM_NONE32 && (a = cw_evmstore_account(p->s, svc->factory))) {
            cw_hex_encode(h + 2, a->addr, 20);
            json_object_set_new(e, "calling", json_string(h));
        }
        json_object_set_new(j, "deposit_evidence", e);
    }
    if (one_use && svc->kind == CW_EVM_SVC_COLLECTOR)
        json_object_set_new(
            j, "deposit_addresses_reused",
            json_pack("{s:i, s:i}", "reused", (json_int_t)svc->reused, "of", (json_int_t)svc->n));
    if (svc->parent != CW_EVM_NONE32) {
        const cw_evm_row_account *a = cw_evmstore_account(p->s, svc->parent);
        if (a) {
            char h[43] = "0x";
            cw_hex_encode(h + 2, a->addr, 20);
            json_object_set_new(j, "collector", json_string(h));
            /* the hot wallet's label, so "which exchange" needs no second lookup */
            const cw_acct_label *l = cw_acct_labels_primary(p->lm, svc->parent);
            if (l)
                json_object_set_new(
                    j, "collector_label",
                    json_pack("{s:s, s:s}", "entity", l->entity, "category", l->category));
        }
    }
    return j;
}
