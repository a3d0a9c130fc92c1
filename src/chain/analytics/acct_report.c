/*
 * acct_report.c: an EVM trace as one JSON document (include/chainwatch/acct_report.h), for
 * `chainwatch trace --store EVM`, the server's /api/v1/evm/trace and the dashboard. Where the
 * trace stops is the one policy of acct_policy.c (labels first, a fact; then memos and
 * behaviour, probable), which the monitor uses too; labels are read once (cw_acct_labels).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/acct_evm.h"
#include "chainwatch/acct_labels.h"
#include "chainwatch/acct_policy.h"
#include "chainwatch/acct_report.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/query.h"
#include "chainwatch/evm_services.h"
#include "chainwatch/util.h"

void cw_acct_report_opts_init(cw_acct_report_opts *o)
{
    memset(o, 0, sizeof *o);
    cw_acct_opts_init(&o->trace);
}

typedef struct rctx {
    const cw_evmstore *s;
    const cw_acct_labels *lm;
    cw_acct_policy *pol;
    const cw_acct_report_opts *o;
} rctx;

json_t *cw_acct_report_addr_json(const cw_evmstore *s, uint32_t id)
{
    const cw_evm_row_account *a = id == CW_ACCT_NONE ? NULL : cw_evmstore_account(s, id);
    if (!a)
        return json_null();
    char h[43] = "0x";
    cw_hex_encode(h + 2, a->addr, 20);
    return json_string(h);
}

static json_t *addr_json(const cw_evmstore *s, uint32_t id)
{
    return cw_acct_report_addr_json(s, id);
}

json_t *cw_acct_report_asset_json(const cw_evmstore *s, uint32_t id)
{
    const cw_evm_row_asset *a = cw_evmstore_asset(s, id);
    if (!a)
        return json_null();
    char sym[sizeof a->symbol + 1];
    memcpy(sym, a->symbol, sizeof a->symbol);
    sym[sizeof a->symbol] = '\0';
    if (id == CW_EVM_ASSET_NATIVE && !sym[0])
        snprintf(sym, sizeof sym, "%s", cw_evmstore_chain(s)->symbol);
    json_t *j = json_pack("{s:I, s:s, s:o}", "id", (json_int_t)id, "symbol", sym, "contract",
                          addr_json(s, a->account));
    json_object_set_new(j, "decimals",
                        a->decimals == 255 ? json_null() : json_integer(a->decimals));
    return j;
}

static json_t *amount_json(const cw_u256 *v)
{
    char dec[CW_U256_DEC_MAX];
    cw_u256_to_dec(dec, v);
    return json_string(dec);
}

static json_t *tx_json(const cw_evmstore *s, uint64_t move)
{
    const cw_evm_row_move *m = cw_evmstore_move(s, move);
    if (!m || m->tx == CW_EVM_NONE64)
        return json_null();
    char h[67] = "0x";
    cw_hex_encode(h + 2, cw_evmstore_tx_hash(s, m->tx), 32);
    return json_string(h);
}

/* On-chain time beside a block number: sets PREFIX"block", PREFIX"time" (unix seconds) and
 * PREFIX"time_utc" (ISO 8601, UTC) on j, from the block's row; nothing when the store has no
 * such block. */
static void set_when(json_t *j, const cw_evmstore *s, uint64_t block, const char *prefix)
{
    const cw_evm_row_block *b = block == CW_EVM_NONE64 ? NULL : cw_evmstore_block(s, block);
    if (!b)
        return;
    char k[32], u[32];
    cw_time_format(u, (int64_t)b->timestamp * 1000000, 0);
    snprintf(k, sizeof k, "%sblock", prefix);
    json_object_set_new(j, k, json_integer((json_int_t)b->number));
    snprintf(k, sizeof k, "%stime", prefix);
    json_object_set_new(j, k, json_integer((json_int_t)b->timestamp));
    snprintf(k, sizeof k, "%stime_utc", prefix);
    json_object_set_new(j, k, json_string(u));
}

/* the block of movement `move`, CW_EVM_NONE64 when there is none */
static uint64_t move_block(const cw_evmstore *s, uint64_t move)
{
    const cw_evm_row_move *m = move == CW_ACCT_NONE64 ? NULL : cw_evmstore_move(s, move);
    return m ? m->block : CW_EVM_NONE64;
}

/* the block of tx number `tx` */
static uint64_t tx_block(const cw_evmstore *s, uint64_t tx)
{
    const cw_evm_row_tx *t = tx == CW_ACCT_NONE64 ? NULL : cw_evmstore_tx(s, tx);
    return t ? t->block : CW_EVM_NONE64;
}

static json_t *label_json(const cw_acct_labels *lm, uint32_t account)
{
    const cw_acct_label *l = cw_acct_labels_primary(lm, account);
    if (!l)
        return json_null();
    return json_pack("{s:s, s:s, s:s}", "entity", l->entity, "category", l->category, "entity_ref",
                     l->entity_ref);
}

/* Why value is probable past a third party's own account (CW_ACCT_THIRD_*). */
static json_t *through_json(const cw_evmstore *s, uint32_t account)
{
    json_t *a = addr_json(s, account);
    char why[128];
    snprintf(why, sizeof why, "probable: through a third party's own account %s",
             json_is_string(a) ? json_string_value(a) : "?");
    return json_pack("{s:o, s:s}", "address", a, "reads_as", why);
}

/* ends by amount, largest first (for the cap); ctx: the ends */
static int cmp_end_idx(const void *x, const void *y, void *ctx)
{
    const cw_acct_end *e = ctx;
    const cw_acct_end *a = &e[*(const size_t *)x], *b = &e[*(const size_t *)y];
    for (int w = 3; w >= 0; w--)
        if (a->amount.w[w] != b->amount.w[w])
            return a->amount.w[w] < b->amount.w[w] ? 1 : -1;
    return (*(const size_t *)x > *(const size_t *)y) - (*(const size_t *)x < *(const size_t *)y);
}

static json_t *ends_json(const rctx *c, const cw_acct_result *r, const cw_acct_report_opts *o,
                         bool *truncated)
{
    size_t n, na;
    const cw_acct_end *e = cw_acct_result_ends(r, &n);
    const cw_acct_arrival *ar = cw_acct_result_arrivals(r, &na);
    size_t max_ends = o->max_ends ? o->max_ends : 2000;
    size_t max_arr = o->max_arrivals ? o->max_arrivals : 100;
    size_t *idx = cw_malloc((n ? n : 1) * sizeof *idx);
    json_t *ends = json_array();
    if (!idx || !ends) {
        cw_free(idx);
        json_decref(ends);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    *truncated = n > max_ends;
    if (*truncated) { /* keep the largest */
        qsort_r(idx, n, sizeof *idx, cmp_end_idx, (void *)(uintptr_t)e);
        n = max_ends;
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = idx[k];
        json_t *path = json_array();
        uint64_t *ids;
        size_t np;
        if (cw_acct_result_path(r, i, &ids, &np) == 0) {
            for (size_t q = 0; q < np; q++)
                json_array_append_new(path, tx_json(c->s, ids[q]));
            free(ids);
        }
        /* an end a recognition decided (behaviour, not a label) is a judgement: probable */
        json_t *rec = cw_acct_policy_recognised_json(c->pol, e[i].account);
        bool rec_prob = e[i].stop != CW_ACCT_STOP_NONE && json_is_object(rec);
        bool prob = e[i].probable || rec_prob;
        json_t *j = json_pack("{s:o, s:o, s:s, s:o, s:I, s:I, s:b, s:o, s:o, s:o, s:o}", "address",
                              addr_json(c->s, e[i].account), "asset",
                              cw_acct_report_asset_json(c->s, e[i].asset), "kind",
                              e[i].dust          ? "dust"
                              : e[i].third_party ? "third_party"
                                                 : cw_acct_stop_name(e[i].stop),
                              "amount", amount_json(&e[i].amount), "hops", (json_int_t)e[i].hops,
                              "movements", (json_int_t)e[i].n_moves, "probable", prob, "first_tx",
                              tx_json(c->s, e[i].first_move), "path", path, "label",
                              label_json(c->lm, e[i].account), "recognised", rec);
        set_when(j, c->s, move_block(c->s, e[i].first_move), "first_");
        if (o->trace.model == CW_ACCT_POISON)
            json_object_set_new(j, "reads_as", json_string("reach (value touched), not amount"));
        if (e[i].dust) /* a holding, but not the thief's: dust an honest account holds */
            json_object_set_new(
                j, "dust",
                json_pack("{s:s, s:s}", "rule",
                          e[i].dust == CW_ACCT_DUST_OWN_FUNDS ? "own funds" : "campaign", "meaning",
                          e[i].dust == CW_ACCT_DUST_OWN_FUNDS
                              ? "stolen dust beside the account's own funds (at most 1 % of what "
                                "it got in the asset): held, but not a holding of the thief's"
                              : "one of many tiny holdings one sender paid (a dusting campaign): "
                                "held, but not a holding of the thief's"));
        if (e[i].third_party && !e[i].dust) /* received it, but not named a holder */
            json_object_set_new(
                j, "third_party",
                json_pack("{s:s}", "meaning",
                          "a third party's own account (paid by and paying others before the "
                          "stolen value arrived): it received this amount, but is not named a "
                          "holder of the thief's; what it paid on is probable"));
        if (e[i].through != CW_ACCT_NONE && e[i].through != e[i].account)
            json_object_set_new(j, "through_third_party", through_json(c->s, e[i].through));
        if (e[i].stop == CW_ACCT_STOP_NONE && !e[i].dust) {
            /* a holding the token's own contract has frozen: a fact from the chain */
            json_t *fz = cw_evm_frozen_json(c->s, e[i].account, e[i].asset);
            if (fz)
                json_object_set_new(j, "frozen", fz);
        }
        if (e[i].candidate) /* only with follow_candidates */
            json_object_set_new(j, "via_candidate_link", json_true());
        if (e[i].stop != CW_ACCT_STOP_NONE) {
            size_t lo = 0, hi = na;
            while (lo < hi) { /* arrivals are sorted by account, asset, movement */
                size_t mid = lo + (hi - lo) / 2;
                if (ar[mid].account < e[i].account ||
                    (ar[mid].account == e[i].account && ar[mid].asset < e[i].asset))
                    lo = mid + 1;
                else
                    hi = mid;
            }
            json_t *arr = json_array();
            size_t cnt = 0;
            for (size_t q = lo;
                 q < na && ar[q].account == e[i].account && ar[q].asset == e[i].asset; q++, cnt++)
                if (cnt < max_arr) {
                    json_t *aj = json_pack("{s:o, s:o, s:b}", "tx", tx_json(c->s, ar[q].move),
                                           "amount", amount_json(&ar[q].amount), "probable",
                                           ar[q].probable || rec_prob);
                    if (ar[q].through != CW_ACCT_NONE)
                        json_object_set_new(aj, "through_third_party",
                                            through_json(c->s, ar[q].through));
                    set_when(aj, c->s, move_block(c->s, ar[q].move), "");
                    json_array_append_new(arr, aj);
                }
            json_object_set_new(j, "arrivals", arr);
            json_object_set_new(j, "arrival_count", json_integer((json_int_t)cnt));
        }
        json_array_append_new(ends, j);
    }
    cw_free(idx);
    return ends;
}

/* A mixer link's evidence classes, weakest first. */
static json_t *evidence_json(uint8_t ev)
{
    json_t *a = json_array();
    if (ev & CW_ACCT_EV_ANON)
        json_array_append_new(a, json_string("anonymity_set"));
    if (ev & CW_ACCT_EV_GAS)
        json_array_append_new(a, json_string("gas_funding"));
    if (ev & CW_ACCT_EV_CONVERGE)
        json_array_append_new(a, json_string("convergence"));
    if (ev & CW_ACCT_EV_ONLY_TAINTED)
        json_array_append_new(a, json_string("only_tainted_notes"));
    if (ev & CW_ACCT_EV_ADDRESS)
        json_array_append_new(a, json_string("address_match"));
    if (ev & CW_ACCT_EV_FUNDED)
        json_array_append_new(a, json_string("recipient_gas_funding"));
    if (ev & CW_ACCT_EV_GATHER)
        json_array_append_new(a, json_string("consolidation"));
    return a;
}

/* Where a withdrawal's recipient went first (a stop), or null: value paid, not taint. */
static json_t *lead_json(const rctx *c, const cw_acct_mixlink *l)
{
    if (l->lead_account == CW_ACCT_NONE)
        return json_null();
    json_t *j =
        json_pack("{s:o, s:s, s:o, s:o, s:o, s:o}", "address", addr_json(c->s, l->lead_account),
                  "kind", cw_acct_stop_name(l->lead_stop), "tx", tx_json(c->s, l->lead_move),
                  "asset", cw_acct_report_asset_json(c->s, l->lead_asset), "amount_paid",
                  amount_json(&l->lead_amount), "label", label_json(c->lm, l->lead_account));
    json_object_set_new(j, "recognised", cw_acct_policy_recognised_json(c->pol, l->lead_account));
    set_when(j, c->s, move_block(c->s, l->lead_move), "");
    return j;
}

static json_t *tx_hash_json(const cw_evmstore *s, uint64_t tx)
{
    char h[67] = "0x";
    cw_hex_encode(h + 2, cw_evmstore_tx_hash(s, tx), 32);
    return json_string(h);
}

/* passed[i]: the movements of from[i] a receiver passed on in it (cw_acct_evm_tx_sources) */
static json_t *document(const rctx *c, const cw_acct_result *r, const char *const *from,
                        const size_t *passed, size_t n_from)
{
    const cw_evmstore *s = c->s;
    const cw_acct_report_opts *o = c->o;
    bool truncated = false;
    json_t *ends = ends_json(c, r, o, &truncated);
    json_t *totals = json_array(), *sources = json_array(), *convs = json_array();
    json_t *links = json_array();
    size_t n;
    const cw_u256 *sr, *fees, *dust, *burnt;
    cw_acct_result_totals(r, &n, &sr, &fees, &dust, &burnt);
    for (size_t a = 0; a < n; a++) {
        if (cw_u256_is_zero(&sr[a]) && cw_u256_is_zero(&fees[a]) && cw_u256_is_zero(&dust[a]) &&
            cw_u256_is_zero(&burnt[a]))
            continue;
        json_array_append_new(totals,
                              json_pack("{s:o, s:o, s:o, s:o, s:o}", "asset",
                                        cw_acct_report_asset_json(s, (uint32_t)a), "sourced",
                                        amount_json(&sr[a]), "fees", amount_json(&fees[a]), "dust",
                                        amount_json(&dust[a]), "burnt", amount_json(&burnt[a])));
    }
    size_t max_convs = o->max_ends ? o->max_ends : 1000;
    const cw_acct_conv *cv = cw_acct_result_convs(r, &n);
    for (size_t i = 0; i < n && i < max_convs; i++) {
        json_t *cj = json_pack(
            "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "tx", tx_hash_json(s, cv[i].tx),
            "account", addr_json(s, cv[i].account), "venue", addr_json(s, cv[i].venue), "gave",
            cw_acct_report_asset_json(s, cv[i].from_asset), "got",
            cw_acct_report_asset_json(s, cv[i].to_asset), "tainted_in",
            amount_json(&cv[i].tainted_in), "gained", amount_json(&cv[i].gained), "tainted_out",
            amount_json(&cv[i].tainted_out), "probable", cv[i].probable);
        json_object_set_new(cj, "recipient", addr_json(s, cv[i].recipient));
        set_when(cj, s, tx_block(s, cv[i].tx), "");
        json_array_append_new(convs, cj);
    }
    json_t *cands = json_array();
    const cw_acct_mixlink *ml = cw_acct_result_mixlinks(r, &n);
    for (size_t i = 0; i < n; i++) {
        json_t *lj = json_pack(
            "{s:o, s:o, s:o, s:o, s:o, s:o, s:f, s:b, s:b}", "withdrawal_tx",
            tx_json(s, ml[i].move), "mixer", addr_json(s, ml[i].mixer), "recipient",
            addr_json(s, ml[i].recipient), "asset", cw_acct_report_asset_json(s, ml[i].asset),
            "amount", amount_json(&ml[i].amount), "denomination", amount_json(&ml[i].denomination),
            "score", ml[i].score, "gas_paid_by_tainted_account", ml[i].sender_reuse, "probable", 1);
        json_object_set_new(lj, "converges_with_direct_taint", json_boolean(ml[i].converged));
        set_when(lj, s, move_block(s, ml[i].move), "");
        json_object_set_new(lj, "evidence", evidence_json(ml[i].evidence));
        /* what showed the recipient's evidence: the gas payment and its funder, the
         * consolidation payment and the gathering address, the traced movement that reached
         * the recipient before its withdrawal (an address match) */
        if (ml[i].ev_move != CW_ACCT_NONE64 &&
            (ml[i].evidence & (CW_ACCT_EV_ADDRESS | CW_ACCT_EV_FUNDED | CW_ACCT_EV_GATHER)))
            json_object_set_new(
                lj, "evidence_shown_by",
                json_pack("{s:o, s:o}", "tx", tx_json(s, ml[i].ev_move), "address",
                          addr_json(s, ml[i].ev_account != CW_ACCT_NONE ? ml[i].ev_account
                                                                        : ml[i].recipient)));
        /* the chance a withdrawal of this pool picked at random is the thief's: the tainted
         * share of its notes outstanding (what the anonymity set alone says) */
        if (ml[i].anon_notes > 0)
            json_object_set_new(lj, "anonymity_set",
                                json_pack("{s:f, s:f, s:f}", "notes", ml[i].anon_notes,
                                          "thief_notes", ml[i].anon_tainted, "chance_at_random",
                                          ml[i].anon_tainted / ml[i].anon_notes));
        json_object_set_new(lj, "lead", lead_json(c, &ml[i]));
        if (ml[i].candidate) {
            json_object_set_new(lj, "followed", json_boolean(o->trace.follow_candidates));
            json_object_set_new(
                lj, "reads_as",
                json_string(o->trace.follow_candidates
                                ? "probable candidate (denomination and timing only), followed "
                                  "on request: the ends it reached say via_candidate_link"
                                : "probable candidate (denomination and timing only): not "
                                  "followed, in no amount; the lead is where its recipient went"));
            json_array_append_new(cands, lj);
        } else {
            json_array_append_new(links, lj);
        }
    }
    /* the heist's txs with their blocks and times (`sources` keeps the hashes as given) */
    json_t *sources_at = json_array();
    for (size_t i = 0; i < n_from; i++) {
        json_array_append_new(sources, json_string(from[i]));
        cw_evm_hash h;
        uint64_t tx;
        json_t *sj = json_pack("{s:s}", "tx", from[i]);
        if (strlen(from[i]) == 66 && cw_hex_decode(h.b, 32, from[i] + 2) == 0 &&
            cw_evmstore_find_tx(s, &h, &tx) == 0)
            set_when(sj, s, tx_block(s, tx), "");
        if (passed[i]) /* said, not silent: the tx's movements a receiver passed on in it */
            json_object_set_new(sj, "passed_on_not_sourced", json_integer((json_int_t)passed[i]));
        cw_error_clear();
        json_array_append_new(sources_at, sj);
    }
    uint64_t moves, edges;
    cw_acct_result_counts(r, &moves, &edges);
    static const char *const models[] = {"poison", "haircut", "fifo"};
    return json_pack("{s:s, s:b, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:b, s:o}", "chain",
                     cw_evmstore_chain(s)->name, "synthetic", cw_evmstore_synthetic(s), "model",
                     models[o->trace.model], "sources", sources, "ends", ends ? ends : json_array(),
                     "conversions", convs, "mixer_links", links, "mixer_candidates", cands,
                     "totals", totals, "movements_read", (json_int_t)moves, "tainted_movements",
                     (json_int_t)edges, "ends_truncated", truncated, "sources_at", sources_at);
}

int cw_acct_report_run(json_t **out, cw_acct_result **result, const cw_evmstore *s, cw_labels *db,
                       const char *const *from, size_t n_from, const cw_acct_report_opts *o)
{
    *out = NULL;
    if (result)
        *result = NULL;
    if (!n_from)
        return cw_error_set(CW_EINVAL, "no source: name the heist's transactions (0x hashes)");
    uint64_t *ids = NULL;
    size_t n_ids = 0;
    cw_acct_labels *lm = NULL;
    cw_acct_policy *pol = NULL;
    cw_acct_result *r = NULL;
    json_t *j = NULL;
    size_t *passed = calloc(n_from, sizeof *passed);
    int rc = 0;
    if (!passed) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n_from; i++) {
        uint64_t *part;
        size_t np;
        if ((rc = cw_acct_evm_tx_sources(s, from[i], &part, &np, &passed[i])))
            goto out;
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
    if ((rc = cw_acct_labels_new(&lm, s, db)))
        goto out;
    cw_acct_policy_opts po;
    cw_acct_policy_opts_init(&po);
    po.no_services = o->no_services;
    if ((rc = cw_acct_policy_new(&pol, s, lm, &po)))
        goto out;
    if ((rc = cw_acct_policy_trace(&r, pol, ids, n_ids, &o->trace)))
        goto out;
    rctx c = {s, lm, pol, o};
    j = document(&c, r, from, passed, n_from);
    if (!j)
        rc = cw_error_set(CW_ENOMEM, "out of memory building the trace document");
out:
    if (!rc && result) {
        *result = r;
        r = NULL;
    }
    cw_acct_result_free(r);
    cw_acct_policy_free(pol);
    cw_acct_labels_free(lm);
    free(ids);
    free(passed);
    if (!rc)
        *out = j;
    return rc;
}

int cw_acct_report_trace(json_t **out, const cw_evmstore *s, cw_labels *db, const char *const *from,
                         size_t n_from, const cw_acct_report_opts *o)
{
    return cw_acct_report_run(out, NULL, s, db, from, n_from, o);
}
