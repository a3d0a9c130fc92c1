/*
 * acct_screen_report.c: EVM screening as one JSON document (include/chainwatch/acct_report.h,
 * cw_acct_report_screen), for `chainwatch screen --store EVM` and the server's
 * /api/v1/evm/screen/{addr}: both print what this builds, so they agree.
 *
 * A branch ends at a labelled sender (its categories: a fact) or, unless no_services, at an
 * account the one stop policy recognises from behaviour (acct_policy.h: an exchange's deposit
 * address or hot wallet, a mixer pool, a memo bridge, a one-use service), which puts the share
 * on that category as probable, as the trace stops there. Each category's share is split into
 * certain (the haircut through payments to a label) and probable (through a swap, an equal
 * split of a swap's inputs, or a recognised service), and a risky category flags in two tiers,
 * as the Bitcoin screen does: "flag" when its certain share reaches threshold, "probable" when
 * only the share with probable exposure reaches probable_threshold.
 */
#include <stdio.h>
#include <string.h>

#include "chainwatch/acct_labels.h"
#include "chainwatch/acct_policy.h"
#include "chainwatch/acct_report.h"
#include "chainwatch/acct_screen.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/block.h"
#include "chainwatch/keccak.h"
#include "chainwatch/labels.h"
#include "chainwatch/util.h"

void cw_acct_screen_report_opts_init(cw_acct_screen_report_opts *o)
{
    memset(o, 0, sizeof *o);
    cw_acct_screen_opts_init(&o->screen);
    o->threshold = 0.05;
    o->probable_threshold = 0.25;
}

typedef struct sctx {
    const cw_acct_labels *lm;
    cw_acct_policy *pol;  /* NULL: labels only */
    uint32_t stop_bit[6]; /* CW_ACCT_STOP_* -> category bit (0: none) */
} sctx;

static uint32_t cat_bit(const char *name)
{
    const char *const *names = cw_label_categories();
    for (uint32_t b = 0; names[b] && b < CW_ACCT_MAX_CATEGORIES; b++)
        if (!strcmp(names[b], name))
            return 1u << b;
    return 0;
}

/* labels first (a fact); else the policy's stop from behaviour, probable */
static uint32_t cats_of(void *ctx, uint32_t account)
{
    sctx *c = ctx;
    uint32_t m = cw_acct_labels_mask(c->lm, account);
    if (m || !c->pol)
        return m;
    cw_acct_policy_why why;
    int stop = cw_acct_policy_stop(c->pol, account, &why);
    if (stop <= 0 || stop > 5 || why == CW_ACCT_WHY_LABEL || !c->stop_bit[stop])
        return 0;
    return c->stop_bit[stop] | CW_ACCT_CAT_PROBABLE;
}

static json_t *asset_name(const cw_evmstore *s, uint32_t id)
{
    const cw_evm_row_asset *a = cw_evmstore_asset(s, id);
    char sym[sizeof a->symbol + 1] = "";
    if (a) {
        memcpy(sym, a->symbol, sizeof a->symbol);
        sym[sizeof a->symbol] = '\0';
    }
    if (id == CW_EVM_ASSET_NATIVE && !sym[0])
        return json_string(cw_evmstore_chain(s)->symbol);
    if (!sym[0] && a)
        return cw_acct_report_addr_json(s, a->account);
    return json_string(sym);
}

static bool risky(const char *cat)
{
    return !strcmp(cat, "sanctioned") || !strcmp(cat, "theft") || !strcmp(cat, "mixer");
}

/* the judgements of CW_ACCT_PROB_* bits, by name */
static json_t *why_json(uint32_t why)
{
    json_t *a = json_array();
    if (why & CW_ACCT_PROB_SWAP)
        json_array_append_new(a, json_string("swap"));
    if (why & CW_ACCT_PROB_SPLIT)
        json_array_append_new(a, json_string("split"));
    if (why & CW_ACCT_PROB_SERVICE)
        json_array_append_new(a, json_string("service"));
    if (why & CW_ACCT_PROB_THIRD)
        json_array_append_new(a, json_string("third_party"));
    return a;
}

static int entity_addr(const cw_label *l, void *payload)
{
    json_t *arr = payload;
    if (l->subject_kind == CW_SUBJECT_ADDRESS && json_array_size(arr) < 200)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "asset", l->asset, "address",
                                             l->subject, "category", l->category));
    return 0;
}

/* The address's own labels, and for each labelled entity its addresses on every chain (an
 * entity such as OFAC's "Lazarus Group" has XBT and ETH addresses). */
static json_t *own_labels(const cw_acct_labels *lm, cw_labels *db, uint32_t account, bool *sanct)
{
    size_t n;
    const cw_acct_label *l = cw_acct_labels_all(lm, account, &n);
    json_t *arr = json_array();
    *sanct = false;
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "entity", l[i].entity, "entity_ref",
                              l[i].entity_ref, "category", l[i].category, "asset", l[i].asset,
                              "programs", l[i].programs, "source", l[i].source);
        if (!strcmp(l[i].category, "sanctioned"))
            *sanct = true;
        if (db && l[i].entity_ref[0]) {
            json_t *ea = json_array();
            cw_labels_find_subject(db, l[i].entity_ref, entity_addr, ea);
            json_object_set_new(j, "entity_addresses", ea);
        }
        json_array_append_new(arr, j);
    }
    return arr;
}

static json_t *path_json(const cw_evmstore *s, const cw_acct_exposure_path *p)
{
    const char *const *names = cw_label_categories();
    json_t *accts = json_array(), *txs = json_array();
    for (uint32_t q = 0; q < p->n; q++)
        json_array_append_new(accts, cw_acct_report_addr_json(s, p->accounts[q]));
    for (uint32_t q = 0; q + 1 < p->n; q++) {
        const cw_evm_row_move *mv = cw_evmstore_move(s, p->moves[q]);
        char h[67] = "0x";
        if (mv && mv->tx != CW_EVM_NONE64) {
            cw_hex_encode(h + 2, cw_evmstore_tx_hash(s, mv->tx), 32);
            json_array_append_new(txs, json_string(h));
        } else {
            json_array_append_new(txs, json_null());
        }
    }
    json_t *j = json_pack("{s:s, s:f, s:o, s:o, s:b, s:o}", "category", names[p->category], "share",
                          p->share, "accounts", accts, "txs", txs, "probable", p->why != 0, "why",
                          why_json(p->why));
    if (j && p->third && p->third < p->n) /* probable: through this person's own account */
        json_object_set_new(j, "third_party", cw_acct_report_addr_json(s, p->accounts[p->third]));
    return j;
}

/* The 5 strongest paths of any category, then the strongest of each flagged category (bit k of
 * `flagged`) that has none among them: a flagged category always shows its own path, whatever
 * crowds it out. */
static json_t *paths_json(const cw_evmstore *s, const cw_acct_exposure *e, uint32_t flagged)
{
    json_t *paths = json_array();
    for (size_t p = 0; p < e->n_top; p++)
        json_array_append_new(paths, path_json(s, &e->top[p]));
    for (uint32_t k = 0; k < CW_ACCT_MAX_CATEGORIES; k++) {
        size_t p = 0;
        while (p < e->n_top && e->top[p].category != k)
            p++;
        if (p == e->n_top && (flagged >> k & 1) && e->best[k].n && e->best[k].share > 0)
            json_array_append_new(paths, path_json(s, &e->best[k]));
    }
    return paths;
}

/* One asset's answer; *level: 2 flag, 1 probable flag, 0 none (the strongest of its flags). */
static json_t *asset_json(const cw_evmstore *s, const cw_acct_exposure *e, uint32_t asset,
                          const cw_acct_screen_report_opts *o, int *level)
{
    const char *const *names = cw_label_categories();
    json_t *exp = json_object(), *flags = json_array(), *flagged = json_array();
    json_t *dusted = json_object();
    char amt[CW_U256_DEC_MAX];
    uint32_t flagged_bits = 0;
    *level = 0;
    for (uint32_t b = 0; names[b] && b < CW_ACCT_MAX_CATEGORIES; b++) {
        double all = e->direct[b] + e->indirect[b], prob = e->probable[b];
        double cert = all - prob > 0 ? all - prob : 0;
        if (e->dusted[b] > 0) {
            bool exact = cw_acct_exposure_amount(e, b, e->dusted[b], amt);
            json_object_set_new(
                dusted, names[b],
                json_pack("{s:f, s:s, s:b, s:s}", "share", e->dusted[b], "amount", amt,
                          "amount_rounded", !exact, "meaning",
                          "dusted: all this category brought (amount, base units) is at most "
                          "1/10000 of what its sender held: a fact, not a share of the "
                          "account's own funds, never flagged"));
        }
        if (e->direct[b] <= 0 && e->indirect[b] <= 0)
            continue;
        json_object_set_new(exp, names[b],
                            json_pack("{s:f, s:f, s:f, s:f, s:o}", "direct", e->direct[b],
                                      "indirect", e->indirect[b], "certain", cert, "probable", prob,
                                      "why", why_json(e->why_of[b])));
        if (!risky(names[b]))
            continue;
        int l = cert >= o->threshold ? 2 : all >= o->probable_threshold ? 1 : 0;
        if (!l)
            continue;
        if (l > *level)
            *level = l;
        json_array_append_new(flagged, json_string(names[b]));
        flagged_bits |= 1u << b;
        json_t *f = json_pack("{s:s, s:s, s:f, s:f, s:f, s:o}", "category", names[b], "level",
                              l == 2 ? "flag" : "probable", "share", all, "certain_share", cert,
                              "threshold", l == 2 ? o->threshold : o->probable_threshold, "why",
                              why_json(l == 2 ? 0 : e->why_of[b]));
        /* received from it (the haircut: share x received, rounded unless it is all of it) */
        bool exact = cw_acct_exposure_amount(e, b, all, amt);
        json_object_set_new(f, "amount", json_string(amt));
        json_object_set_new(f, "amount_rounded", json_boolean(!exact));
        if (l == 1)
            json_object_set_new(f, "meaning",
                                json_string("the share reached this category only through a "
                                            "judgement (a swap read as its input, an equal split "
                                            "of a swap's inputs, an account recognised from its "
                                            "behaviour, a third party's own account that paid it "
                                            "on): probable, not certain"));
        /* probable through a third party's own account: which (its strongest path's) */
        const cw_acct_exposure_path *bp = &e->best[b];
        if (l == 1 && (e->why_of[b] & CW_ACCT_PROB_THIRD) && bp->third && bp->third < bp->n)
            json_object_set_new(f, "third_party",
                                cw_acct_report_addr_json(s, bp->accounts[bp->third]));
        json_array_append_new(flags, f);
    }
    char dec[CW_U256_DEC_MAX];
    cw_u256_to_dec(dec, &e->received);
    return json_pack(
        "{s:o, s:s, s:o, s:o, s:f, s:f, s:s, s:o, s:o, s:o, s:I, s:I, "
        "s:{s:f, s:I, s:s}}",
        "asset", asset_name(s, asset), "received", dec, "exposure", exp, "dusted", dusted,
        "unexplored", e->unexplored, "from_nobody", e->received_share_minted, "flag",
        *level == 2   ? "flag"
        : *level == 1 ? "probable"
                      : "none",
        "flags", flags, "flagged", flagged, "strongest_paths", paths_json(s, e, flagged_bits),
        "accounts_visited", (json_int_t)e->accounts_visited, "receipts_read",
        (json_int_t)e->receipts_read, "through_swaps", "share", e->swapped, "swaps",
        (json_int_t)e->swaps, "reads_as", "probable");
}

/* One address's answer into *out. */
static int screen_one(json_t **out, const cw_evmstore *s, cw_labels *db, const cw_acct_labels *lm,
                      cw_acct_policy *pol, cw_acct_screener *sc, const char *addr,
                      const cw_acct_screen_report_opts *o)
{
    cw_evm_addr a;
    uint32_t id;
    *out = NULL;
    if (cw_evm_addr_parse(&a, addr, strlen(addr)))
        return cw_error_set(CW_EINVAL, "'%s' is not an EVM address (0x and 40 hex digits)", addr);
    if (cw_eip55_check(addr))
        return CW_EINVAL;
    if (cw_evmstore_find_account(s, &a, &id))
        return cw_error_set(CW_ENOTFOUND, "address %s is not in the store", addr);
    /* the assets it received */
    uint32_t assets[64];
    size_t n_assets = 0;
    cw_evm_row_acctlast l;
    int rc = cw_evmstore_acctlast(s, id, &l);
    if (rc)
        return rc;
    for (uint64_t m = l.last_in; m != CW_EVM_NONE64 && n_assets < 64;
         m = cw_evmstore_movelink(s, m).prev_in) {
        uint32_t as = cw_evmstore_move(s, m)->asset;
        size_t k = 0;
        while (k < n_assets && assets[k] != as)
            k++;
        if (k == n_assets)
            assets[n_assets++] = as;
    }
    cw_acct_exposure *ex = cw_malloc((n_assets ? n_assets : 1) * sizeof *ex);
    if (!ex)
        return cw_error_set(CW_ENOMEM, "out of memory");
    size_t n_ex = 0;
    for (size_t k = 0; k < n_assets; k++) {
        int src = cw_acct_screener_run(sc, &ex[n_ex], id, assets[k]);
        if (src && src != CW_ENOTFOUND) { /* out of memory, or the store could not be read */
            cw_free(ex);
            return src;
        }
        if (src) {
            cw_error_clear();
            continue;
        }
        n_ex++;
    }
    const char *const *names = cw_label_categories();
    uint32_t risky_cats = 0;
    for (uint32_t b = 0; names[b] && b < CW_ACCT_MAX_CATEGORIES; b++)
        if (risky(names[b]))
            risky_cats |= 1u << b;
    rc = cw_acct_screen_dust(sc, id, ex, n_ex, risky_cats);
    if (rc) {
        cw_free(ex);
        return rc;
    }
    json_t *ja = json_array();
    int best = 0;
    for (size_t k = 0; k < n_ex; k++) {
        int lv;
        json_array_append_new(ja, asset_json(s, &ex[k], ex[k].asset, o, &lv));
        if (lv > best)
            best = lv;
    }
    cw_free(ex);
    bool sanctioned;
    json_t *own = own_labels(lm, db, id, &sanctioned);
    /* an address that is itself sanctioned is flagged whatever it received: a fact, not a
     * share */
    if (sanctioned)
        best = 2;
    json_t *rec = pol ? cw_acct_policy_recognised_json(pol, id) : json_null();
    *out = json_pack("{s:s, s:b, s:s, s:b, s:o, s:o, s:o, s:s}", "address", addr, "flagged",
                     best > 0, "flag",
                     best == 2   ? "flag"
                     : best == 1 ? "probable"
                                 : "none",
                     "sanctioned", sanctioned, "labels", own, "recognised", rec ? rec : json_null(),
                     "assets", ja, "reads_as",
                     "shares of received value, not amounts: certain through payments to a "
                     "label, probable through a judgement");
    return *out ? 0 : cw_error_set(CW_ENOMEM, "out of memory");
}

int cw_acct_report_screen(json_t **out, const cw_evmstore *s, cw_labels *db,
                          const char *const *addrs, size_t n, const cw_acct_screen_report_opts *o)
{
    *out = NULL;
    cw_acct_labels *lm = NULL;
    cw_acct_policy *pol = NULL;
    cw_acct_screener *sc = NULL;
    sctx ct = {0};
    json_t *all = json_array();
    int rc = cw_acct_labels_new(&lm, s, db);
    if (!rc && !o->no_services) {
        cw_acct_policy_opts po;
        cw_acct_policy_opts_init(&po);
        rc = cw_acct_policy_new(&pol, s, lm, &po);
    }
    if (rc)
        goto out;
    ct.lm = lm;
    ct.pol = pol;
    ct.stop_bit[CW_ACCT_STOP_EXCHANGE] = cat_bit("exchange");
    ct.stop_bit[CW_ACCT_STOP_MIXER] = cat_bit("mixer");
    ct.stop_bit[CW_ACCT_STOP_BRIDGE] = cat_bit("bridge");
    ct.stop_bit[CW_ACCT_STOP_SERVICE] = cat_bit("service");
    /* one screener for every address: hubs they share are indexed once; what reached a risky
     * label through a third party's own account is probable */
    cw_acct_screen_opts so = o->screen;
    const char *const *names = cw_label_categories();
    for (uint32_t b = 0; names[b] && b < CW_ACCT_MAX_CATEGORIES; b++)
        if (risky(names[b]))
            so.third_party_cats |= 1u << b;
    if ((rc = cw_acct_screener_new(&sc, s, cats_of, &ct, &so)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        json_t *r;
        if ((rc = screen_one(&r, s, db, lm, pol, sc, addrs[i], o)))
            goto out;
        json_array_append_new(all, r);
    }
    *out = json_pack("{s:o, s:f, s:f, s:f, s:i, s:b, s:b}", "results", all, "threshold",
                     o->threshold, "probable_threshold", o->probable_threshold, "floor",
                     o->screen.floor, "max_hops", (int)o->screen.max_hops, "services",
                     !o->no_services, "synthetic", cw_evmstore_synthetic(s));
    all = NULL;
    if (!*out)
        rc = cw_error_set(CW_ENOMEM, "out of memory");
out:
    json_decref(all);
    cw_acct_screener_free(sc);
    cw_acct_policy_free(pol);
    cw_acct_labels_free(lm);
    return rc;
}
