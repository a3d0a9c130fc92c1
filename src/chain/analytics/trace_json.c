/*
 * trace_json.c: a trace result as JSON (cw_trace_json): totals per end kind, where the value
 * ended per category, entity and address (labels from the label map; unlabelled addresses
 * are "unknown"), the strongest paths (the largest ends with the tx path that brought the
 * most value to each) and the flow graph (txs with their traced inputs and outputs).
 * Arrays are sorted by amount (descending) then by key, so the output is deterministic.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/analytics/trace_int.h"
#include "chainwatch/btc/query.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/util.h"
#include "util/u64map.h"

typedef struct acc {
    uint64_t key; /* addr id, or entity name pointer */
    const char *entity, *category;
    uint64_t amount, n;
    uint64_t prob;  /* the probable part of amount */
    uint32_t kinds; /* bit per end kind */
    uint32_t min_hop;
} acc;

typedef struct accs {
    cw_u64map idx;
    acc *a;
    size_t n, cap;
} accs;

static acc *acc_get(accs *s, uint64_t key)
{
    uint64_t i;
    if (cw_u64map_get(&s->idx, key, &i))
        return &s->a[i];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        acc *a = cw_realloc(s->a, cap * sizeof *a);
        if (!a)
            return NULL;
        s->a = a;
        s->cap = cap;
    }
    if (cw_u64map_set(&s->idx, key, s->n))
        return NULL;
    s->a[s->n] = (acc){key, NULL, NULL, 0, 0, 0, 0, UINT32_MAX};
    return &s->a[s->n++];
}

static void accs_deinit(accs *s)
{
    cw_u64map_deinit(&s->idx);
    cw_free(s->a);
}

static int cmp_acc(const void *x, const void *y)
{
    const acc *a = x, *b = y;
    if (a->amount != b->amount)
        return a->amount < b->amount ? 1 : -1;
    return (a->key > b->key) - (a->key < b->key);
}

static int cmp_cat(const void *x, const void *y)
{
    const acc *a = x, *b = y;
    if (a->amount != b->amount)
        return a->amount < b->amount ? 1 : -1;
    return strcmp(a->category, b->category);
}

static int cmp_ent(const void *x, const void *y)
{
    const acc *a = x, *b = y;
    if (a->amount != b->amount)
        return a->amount < b->amount ? 1 : -1;
    return strcmp(a->entity ? a->entity : "", b->entity ? b->entity : "");
}

static json_t *kinds_json(uint32_t kinds)
{
    json_t *k = json_array();
    for (int i = 0; i < CW_END_N; i++)
        if (kinds & (1u << i))
            json_array_append_new(k, json_string(cw_trace_end_kind_name((cw_trace_end_kind)i)));
    return k;
}

static json_t *outpoint_json(const cw_chainstore *cs, uint64_t out)
{
    uint64_t tx = cw_chainstore_out_tx(cs, out);
    char s[80];
    cw_hex_encode_rev(s, cw_chainstore_txid(cs, tx), 32);
    snprintf(s + 64, 16, ":%llu", (unsigned long long)(out - cw_chainstore_tx_first_out(cs, tx)));
    return json_string(s);
}

static json_t *txid_json(const cw_chainstore *cs, uint64_t tx)
{
    char s[65];
    cw_hex_encode_rev(s, cw_chainstore_txid(cs, tx), 32);
    return json_string(s);
}

static json_t *addr_json(const cw_chainstore *cs, uint64_t addr)
{
    char buf[CW_ADDR_STR_MAX];
    cw_query_addr_string(buf, cs, addr == CW_NONE64 ? CW_NONE32 : (uint32_t)addr);
    return json_string(buf);
}

static void label_of(const cw_trace *t, uint64_t addr, const char **ent, const char **cat)
{
    *ent = NULL;
    *cat = "unknown";
    if (!cw_trace_labelmap_get(t->labels, addr, ent, cat)) {
        *ent = NULL;
        *cat = "unknown";
    }
}

/* The graph's tx records in chain order (a record index, its tx): the payout records
 * mixer_payouts appends after the passes take their place, and records of one tx stay in the
 * order they were made. */
typedef struct txord {
    uint64_t tx;
    size_t i;
} txord;

static int cmp_txord(const void *x, const void *y)
{
    const txord *a = x, *b = y;
    if (a->tx != b->tx)
        return a->tx < b->tx ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Backward the trace meets txs latest first: its graph keeps that order. */
static int cmp_txord_back(const void *x, const void *y)
{
    const txord *a = x, *b = y;
    if (a->tx != b->tx)
        return a->tx > b->tx ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* One graph entry (an input or output node) as JSON. */
/* Why a tx was a third party's spend (opts.third_party): "probable: through a third party's own
 * account, ADDRESS, which held N sat of its own"; an address busy since the theft (own
 * CW_TRACE__TP_BUSY) has "own": null and says so instead. What it received before the theft
 * from the thief (txs spending theft-labelled coins), left out of "own", is "not_own". */
static json_t *tp_json(const cw_trace *t, const cw_trace__txrec *r)
{
    const cw_chainstore *cs = t->cs;
    char addr[CW_ADDR_STR_MAX], why[CW_ADDR_STR_MAX + 600], held[360];
    cw_query_addr_string(addr, cs, r->tp_addr == CW_NONE64 ? CW_NONE32 : (uint32_t)r->tp_addr);
    if (r->tp_kind == CW_TRACE__TP_CHANNEL) {
        /* docs/TRACE-MODELS.md, "A Lightning channel's other side": tp_own is the close */
        bool force = cw_trace__ln_close(cs, r->tp_own) == CW_TRACE__LN_FORCE;
        snprintf(why, sizeof why,
                 "probable: spends %s, paid by a Lightning channel's %s, a side of the channel "
                 "that is not provably the thief's (the peer's balance, or an HTLC its "
                 "claimant takes)",
                 addr, force ? "force close (a commitment tx)" : "cooperative close");
        return json_pack("{s:o, s:s, s:s, s:s, s:o, s:I, s:s}", "txid", txid_json(cs, r->tx),
                         "evidence", "lightning_close", "close", force ? "force" : "cooperative",
                         "close_output_address", addr, "close_txid", txid_json(cs, r->tp_own),
                         "certain_made_probable", (json_int_t)r->tp_value, "why", why);
    }
    if (r->tp_kind == CW_TRACE__TP_PRIOR) {
        /* docs/TRACE-MODELS.md, "A wallet that was there before the theft": tp_own is the
         * largest such coin's value */
        snprintf(why, sizeof why,
                 "probable: the holder of a coin it received spent it with a coin of its own "
                 "(%llu sat) from %s, an address in use before the theft (a wallet that was "
                 "there before the theft, not the thief's fresh one)",
                 (unsigned long long)r->tp_own, addr);
        return json_pack("{s:o, s:s, s:s, s:I, s:I, s:s}", "txid", txid_json(cs, r->tx), "evidence",
                         "pre_theft_address", "address", addr, "own_coin", (json_int_t)r->tp_own,
                         "certain_made_probable", (json_int_t)r->tp_value, "why", why);
    }
    if (r->tp_kind == CW_TRACE__TP_PAYEE) {
        /* docs/TRACE-MODELS.md, "A payment whose payer kept its change at its own address":
         * tp_own is the payer's tx */
        snprintf(why, sizeof why,
                 "probable: spends a coin paid to %s by a tx that kept its change at its own "
                 "input's address (a payment to another party, who spends it on its own "
                 "business)",
                 addr);
        return json_pack("{s:o, s:s, s:s, s:o, s:I, s:s}", "txid", txid_json(cs, r->tx), "evidence",
                         "self_change_payee", "address", addr, "payer_txid",
                         txid_json(cs, r->tp_own), "certain_made_probable", (json_int_t)r->tp_value,
                         "why", why);
    }
    bool busy = r->tp_own == CW_TRACE__TP_BUSY;
    if (busy)
        snprintf(held, sizeof held,
                 "which was first paid in a block before the theft's and 4,096 times or more "
                 "since the theft (what it received before the theft is not counted)");
    else
        snprintf(held, sizeof held, "which received %llu sat of its own before the theft",
                 (unsigned long long)r->tp_own);
    uint64_t no_sat = 0, no_txs = 0;
    if (!busy)
        cw_trace__tp_not_own(t, r->tp_addr, &no_sat, &no_txs);
    if (no_sat) {
        size_t k = strlen(held);
        snprintf(held + k, sizeof held - k,
                 " (and %llu sat in %llu tx(s) paid with coins at theft-labelled addresses: the "
                 "thief's, not its own)",
                 (unsigned long long)no_sat, (unsigned long long)no_txs);
    }
    if (r->tp_kind == CW_TRACE__TP_ACCOUNT)
        snprintf(why, sizeof why, "probable: through a third party's own account, %s, %s", addr,
                 held);
    else
        snprintf(why, sizeof why,
                 "probable: spent with a third party's own coins from its account %s, %s", addr,
                 held);
    json_t *j =
        json_pack("{s:o, s:s, s:s, s:o, s:I, s:s}", "txid", txid_json(cs, r->tx), "evidence",
                  r->tp_kind == CW_TRACE__TP_ACCOUNT ? "account" : "own_coins", "address", addr,
                  "own", busy ? json_null() : json_integer((json_int_t)r->tp_own),
                  "certain_made_probable", (json_int_t)r->tp_value, "why", why);
    if (j && no_sat)
        json_object_set_new(
            j, "not_own",
            json_pack("{s:I, s:I, s:s}", "sat", (json_int_t)no_sat, "txs", (json_int_t)no_txs,
                      "meaning",
                      "received before the theft in txs that spend a coin at an address labelled "
                      "theft (not CoinJoins): the thief's coins, not counted in \"own\" "
                      "(docs/TRACE-MODELS.md, \"A thief's own earlier receipts\")"));
    return j;
}

static json_t *graph_node(const cw_trace *t, const cw_trace__txrec *r, uint32_t k, bool fwd)
{
    const cw_chainstore *cs = t->cs;
    const cw_trace__node *n = &t->nodes[t->edges[r->e0 + k]];
    json_t *oj = json_pack("{s:o, s:o, s:I, s:I, s:I}", "outpoint", outpoint_json(cs, n->out),
                           "address", addr_json(cs, cw_chainstore_out(cs, n->out)->addr), "value",
                           (json_int_t)cw_out_value(cw_chainstore_out(cs, n->out)), "traced",
                           (json_int_t)n->amount, "probable_traced", (json_int_t)n->prob);
    uint8_t lr;
    uint64_t ev;
    uint64_t fv, fb;
    if (fwd && k >= r->n_in && r->coinjoin && cw_trace__link(t, n->out, &lr, &ev)) {
        json_t *lj = json_pack("{s:s, s:o}", "rule", cw_trace_rule_name((cw_trace_rule)lr),
                               "evidence", txid_json(cs, ev));
        /* what relinked-funding rests on: the owner's outputs from the round against the
         * most the round's untraced inputs could pay one party (its 10 largest) */
        if (cw_trace__funding(t, n->out, &fv, &fb))
            json_object_set_new(lj, "funding",
                                json_pack("{s:I, s:I, s:s}", "owner_outputs", (json_int_t)fv,
                                          "untraced_top10_inputs", (json_int_t)fb, "meaning",
                                          "the owner's outputs from this Wasabi 2 round (this "
                                          "one, or those the evidence tx spends together) are "
                                          "worth more than the round's 10 largest untraced "
                                          "inputs: a party without a traced input (at most 10 "
                                          "coins) could not have paid them"));
        json_object_set_new(oj, "relinked", lj);
    }
    if (fwd && k >= r->n_in && r->coinjoin && cw_trace__carried(t, n->out))
        json_object_set_new(
            oj, "carried",
            json_pack("{s:s, s:s}", "rule", "relinked-carried", "meaning",
                      "one of the remix inputs that lead back to a round the trace entered, one "
                      "of which paid a relinked-carried output: its share passes on along the "
                      "remixes to that output, not to this coin's owner; probable"));
    if (fwd && k >= r->n_in && n->dusting)
        json_object_set_new(oj, "dusting", json_true());
    if (fwd && k >= r->n_in &&
        (n->rule == CW_RULE_MIXER_PAYOUT || n->rule == CW_RULE_SERVICE_PAYOUT))
        for (size_t m = 0; m < t->n_mpay; m++)
            if (t->mpay[m].out == n->out) {
                const cw_trace__mpay *p = &t->mpay[m];
                json_t *mj = json_pack(
                    "{s:s, s:s, s:o, s:o}", "rule", cw_trace_rule_name((cw_trace_rule)n->rule),
                    "mixer", p->mixer ? p->mixer : "unlabelled service", "payout",
                    txid_json(cs, p->payout_tx), "evidence", txid_json(cs, p->evidence_tx));
                if (p->sweep_tx != CW_NONE64)
                    json_object_set_new(mj, "service_sweep", txid_json(cs, p->sweep_tx));
                if (p->order_out != CW_NONE64) /* a payout from the float */
                    json_object_set_new(
                        mj, "order",
                        json_pack("{s:o, s:I, s:s}", "outpoint", outpoint_json(cs, p->order_out),
                                  "value",
                                  (json_int_t)cw_out_value(cw_chainstore_out(cs, p->order_out)),
                                  "matched", "by amount (the order less a fee of at most 10 %)"));
                json_object_set_new(oj, "mixer_payout", mj);
            }
    return oj;
}

/* Whether node index ni is already among record r's entries [0, k) of one side. */
static bool graph_seen(const cw_trace *t, const cw_trace__txrec *r, uint32_t k0, uint32_t k,
                       uint32_t ni)
{
    for (uint32_t q = k0; q < k; q++)
        if (t->nodes[t->edges[r->e0 + q]].out == t->nodes[ni].out)
            return true;
    return false;
}

static int cmp_end(const void *x, const void *y)
{
    const cw_trace_end *a = *(const cw_trace_end *const *)x, *b = *(const cw_trace_end *const *)y;
    if (a->amount != b->amount)
        return a->amount < b->amount ? 1 : -1;
    return (a->out > b->out) - (a->out < b->out);
}

/* A rule's figures under the result's "probable": {k1: v1, k2: v2, "meaning": meaning}. */
static void probable_rule(json_t *j, const char *key, const char *k1, uint64_t v1, const char *k2,
                          uint64_t v2, const char *meaning)
{
    json_object_set_new(
        json_object_get(j, "probable"), key,
        json_pack("{s:I, s:I, s:s}", k1, (json_int_t)v1, k2, (json_int_t)v2, "meaning", meaning));
}

json_t *cw_trace_json(const cw_trace *t, size_t top, size_t graph_limit)
{
    const cw_chainstore *cs = t->cs;
    json_t *j = json_object();
    accs by_addr = {0}, by_ent = {0}, by_cat = {0};
    const cw_trace_end **sorted = NULL;
    uint64_t *path = NULL;
    txord *ord = NULL;
    if (!j)
        return NULL;
    if (cw_chainstore_synthetic(cs)) /* a generated world (only then: a real one's as before) */
        json_object_set_new(j, "synthetic", json_true());
    /* options */
    json_t *stop = json_array();
    for (size_t i = 0; i < t->opts.n_stop; i++)
        json_array_append_new(stop, json_string(t->opts.stop[i]));
    json_object_set_new(
        j, "options",
        json_pack(
            "{s:s, s:s, s:I, s:I, s:o, s:o, s:s, s:b}", "model", cw_trace_model_name(t->opts.model),
            "direction", t->opts.direction == CW_TRACE_FORWARD ? "forward" : "backward", "max_hops",
            (json_int_t)t->opts.max_hops, "min_value", (json_int_t)t->opts.min_value,
            "until_height",
            t->opts.until_height == UINT32_MAX ? json_null() : json_integer(t->opts.until_height),
            "stop_at", stop, "coinjoin", cw_trace_coinjoin_name(t->opts.coinjoin), "labels",
            t->labels != NULL));
    /* sources: nodes at hop 0 */
    json_t *src = json_array();
    size_t n_src = 0;
    for (size_t i = 0; i < t->n_nodes; i++) {
        const cw_trace__node *n = &t->nodes[i];
        if (n->parent != UINT32_MAX || n->hop != 0)
            continue;
        if (n_src++ < 100)
            json_array_append_new(
                src, json_pack("{s:o, s:I, s:o}", "outpoint", outpoint_json(cs, n->out), "value",
                               (json_int_t)n->amount, "address",
                               addr_json(cs, cw_chainstore_out(cs, n->out)->addr)));
    }
    json_object_set_new(j, "sources", src);
    json_object_set_new(j, "n_sources", json_integer((json_int_t)n_src));
    json_object_set_new(j, "source_value", json_integer((json_int_t)t->stats.source_value));

    /* totals per end kind, and the accumulators */
    uint64_t tot[CW_END_N] = {0}, cnt[CW_END_N] = {0}, ptot[CW_END_N] = {0}, ended = 0;
    uint64_t rule_tot[CW_RULE_N] = {0};
    for (size_t i = 0; i < t->n_ends; i++) {
        const cw_trace_end *e = &t->ends[i];
        tot[e->kind] += e->amount;
        ptot[e->kind] += e->probable;
        cnt[e->kind]++;
        ended += e->amount;
        if (e->probable && (unsigned)e->rule < CW_RULE_N)
            rule_tot[e->rule] += e->probable;
        if (e->addr == CW_NONE64)
            continue;
        const char *ent, *cat;
        label_of(t, e->addr, &ent, &cat);
        acc *a = acc_get(&by_addr, e->addr);
        acc *b = acc_get(&by_ent, (uint64_t)(uintptr_t)ent);
        acc *c = acc_get(&by_cat, (uint64_t)(uintptr_t)cat);
        if (!a || !b || !c)
            goto fail;
        acc *all[3] = {a, b, c};
        for (int k = 0; k < 3; k++) {
            all[k]->entity = ent;
            all[k]->category = cat;
            all[k]->amount += e->amount;
            all[k]->prob += e->probable;
            all[k]->n++;
            all[k]->kinds |= 1u << e->kind;
            if (e->hop < all[k]->min_hop)
                all[k]->min_hop = e->hop;
        }
    }
    json_t *totals = json_object();
    for (int k = 0; k < CW_END_N; k++)
        if (cnt[k])
            json_object_set_new(totals, cw_trace_end_kind_name((cw_trace_end_kind)k),
                                json_pack("{s:I, s:I, s:I}", "value", (json_int_t)tot[k], "count",
                                          (json_int_t)cnt[k], "probable", (json_int_t)ptot[k]));
    json_object_set_new(j, "ended", totals);
    /* bridge exits: the swap memo of each vault deposit the trail ended in */
    json_t *bx = json_array();
    for (size_t i = 0; i < t->n_ends; i++) {
        const cw_trace_end *e = &t->ends[i];
        cw_evm_memo m;
        bool ok;
        if (e->kind != CW_END_BRIDGE || !cw_trace_bridge_memo(cs, e->tx, &m, &ok))
            continue;
        char hex[65], text[CW_MEMO_TEXT_MAX + 1];
        cw_hex_encode_rev(hex, cw_chainstore_txid(cs, e->tx), 32);
        cw_chainstore_tx_memo(cs, e->tx, text, sizeof text);
        json_array_append_new(
            bx, json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "txid", hex, "value",
                          (json_int_t)e->amount, "probable", (json_int_t)e->probable, "memo", text,
                          "chain", m.chain, "asset", m.asset, "address", ok ? m.dest : "",
                          "destination",
                          ok ? "requested by the memo (the vault pays it on the other chain: "
                               "not seen in this store)"
                             : "memo's address fails its checksum: not used",
                          "status", "other chain"));
    }
    json_object_set_new(j, "bridge_exits", bx);
    json_object_set_new(j, "ended_value", json_integer((json_int_t)ended));
    /* what is a judgement: the value that passed a CoinJoin (docs/TRACE-MODELS.md) */
    uint64_t prob_all = 0;
    for (int k = 0; k < CW_END_N; k++)
        prob_all += ptot[k];
    json_t *rules = json_object();
    for (int r = 1; r < CW_RULE_N; r++)
        if (rule_tot[r])
            json_object_set_new(rules, cw_trace_rule_name((cw_trace_rule)r),
                                json_integer((json_int_t)rule_tot[r]));
    json_object_set_new(j, "probable",
                        json_pack("{s:I, s:o, s:I, s:I, s:s}", "value", (json_int_t)prob_all,
                                  "by_rule", rules, "coinjoins", (json_int_t)t->stats.coinjoins,
                                  "coinjoin_entered", (json_int_t)t->stats.coinjoin_in, "meaning",
                                  "value that passed a CoinJoin: which participant's output "
                                  "carries it is a judgement (the rule), not a certainty"));
    bool fwd_fifo = t->opts.direction == CW_TRACE_FORWARD && t->opts.model == CW_TRACE_FIFO;
    if (t->opts.relink && fwd_fifo)
        probable_rule(j, "relinked", "outputs", t->stats.relinked, "cospends",
                      t->stats.relink_cospends,
                      "CoinJoin outputs the source's owner was seen to hold (spent together with "
                      "its other coins, or a remix chain to one): they received the round's "
                      "traced value first; still probable");
    if (t->stats.relink_funders)
        json_object_set_new(json_object_get(json_object_get(j, "probable"), "relinked"), "funders",
                            json_integer((json_int_t)t->stats.relink_funders));
    if (t->stats.relink_funding)
        json_object_set_new(json_object_get(json_object_get(j, "probable"), "relinked"), "funding",
                            json_integer((json_int_t)t->stats.relink_funding));
    if (t->stats.relink_carried)
        json_object_set_new(
            json_object_get(json_object_get(j, "probable"), "relinked"), "carried",
            json_pack("{s:I, s:I, s:s}", "outputs", (json_int_t)t->stats.relink_carried, "rounds",
                      (json_int_t)t->stats.relink_carry_rounds, "meaning",
                      "post-mix coins the owner remixed past the rounds the trace entered, "
                      "deposited at its exchange deposit account (or spent with its unmixed "
                      "coins): their value is carried back through those remixes, shared over "
                      "every input that leads back to a round the trace entered (which one was "
                      "the owner's the chain does not say); still probable"));
    if (t->opts.relink && fwd_fifo && t->relink_unguarded)
        json_object_set_new(json_object_get(json_object_get(j, "probable"), "relinked"), "off",
                            json_string("not done: the trace does not stop at labelled "
                                        "exchanges (labels with a stop at exchange or "
                                        "exchange_deposit), so its anchors would include "
                                        "customers' coins past the cash-outs"));
    if (t->opts.mixer_payouts && fwd_fifo)
        probable_rule(j, "mixer_payouts", "deposits", t->stats.mixer_payouts, "value",
                      t->stats.mixer_payout_value,
                      "payouts of a mixer the traced value entered, deposited at an exchange "
                      "account that receives certain traced value: probably the source owner's "
                      "value coming back (at most what entered the mixer); still probable");
    if (t->opts.mixer_payouts && t->opts.service_payouts && fwd_fifo && t->stats.service_payouts)
        json_object_set_new(
            json_object_get(json_object_get(j, "probable"), "mixer_payouts"), "unlabelled_services",
            json_pack("{s:I, s:I, s:s, s:s}", "deposits", (json_int_t)t->stats.service_payouts,
                      "value", (json_int_t)t->stats.service_payout_value, "rule",
                      cw_trace_rule_name(CW_RULE_SERVICE_PAYOUT), "meaning",
                      "the mixer is an unlabelled service whose sweep ended the trace and whose "
                      "coins never reach an exchange's labelled address (docs/TRACE-MODELS.md, "
                      "\"Unlabelled custodial mixers\")"));
    if (t->opts.mixer_payouts && t->opts.service_payouts && fwd_fifo &&
        t->stats.service_float_payouts)
        json_object_set_new(
            json_object_get(json_object_get(json_object_get(j, "probable"), "mixer_payouts"),
                            "unlabelled_services"),
            "from_float",
            json_pack("{s:I, s:I, s:s}", "deposits", (json_int_t)t->stats.service_float_payouts,
                      "value", (json_int_t)t->stats.service_float_payout_value, "meaning",
                      "paid by a tx the service's walk did not reach (its float), matched by "
                      "amount to one traced order at the service less a fee of at most 10 % "
                      "(docs/TRACE-MODELS.md, \"Payouts from the float\")"));
    if (t->stats.third_party_txs) {
        json_t *tl = json_array();
        for (size_t i = 0; i < t->n_txr && json_array_size(tl) < 100; i++)
            if (t->txr[i].tp_kind)
                json_array_append_new(tl, tp_json(t, &t->txr[i]));
        json_object_set_new(
            j, "third_party",
            json_pack("{s:I, s:I, s:s, s:o, s:s}", "txs", (json_int_t)t->stats.third_party_txs,
                      "value", (json_int_t)t->stats.third_party_value, "rule",
                      cw_trace_rule_name(CW_RULE_THIRD_PARTY), "spends", tl, "meaning",
                      "certain value that a third party spent from its own account (an address "
                      "with its own history before the theft, or with its own coins from before "
                      "it, or beside a coin from an address in use before the theft), or "
                      "received as a payment whose payer kept its change at its own address, or "
                      "from a Lightning channel close's side not provably the thief's: its "
                      "receipt is certain, what it paid on is probable, its payees are its "
                      "counterparties (the first 100 txs; docs/TRACE-MODELS.md, \"A third "
                      "party's own account\", \"A wallet that was there before the theft\", "
                      "\"A payment whose payer kept its change at its own address\", \"A "
                      "Lightning channel's other side\")"));
    }
    if (t->stats.dusting_outputs)
        json_object_set_new(
            j, "dusting",
            json_pack("{s:I, s:I, s:s}", "outputs", (json_int_t)t->stats.dusting_outputs, "value",
                      (json_int_t)t->stats.dusting_value, "meaning",
                      "outputs of at most 10,000 sat from a tx paying ten or more such (a dusting "
                      "campaign), whose spender adds 100 times their value: the source paid "
                      "them, but their holders are not its recipients; ended as dust, not "
                      "followed, no deposit (graph outputs' dusting; docs/TRACE-MODELS.md, "
                      "\"Dusting\")"));
    /* poison does not conserve value: its figures are reach, never amounts of the source */
    if (t->opts.model == CW_TRACE_POISON) {
        uint64_t touched = 0, outs = 0;
        for (size_t i = 0; i < t->n_nodes; i++)
            if (t->nodes[i].parent != UINT32_MAX || t->nodes[i].hop != 0) {
                touched += t->nodes[i].amount;
                outs++;
            }
        json_object_set_new(j, "reach",
                            json_pack("{s:I, s:I, s:I, s:s}", "txs", (json_int_t)t->stats.txs,
                                      "outputs", (json_int_t)outs, "value_touched",
                                      (json_int_t)touched, "meaning",
                                      "poison marks every output that touches the source: "
                                      "values are outputs touched, not amounts of the source"));
    }

    /* per category, entity, address */
    if (by_cat.n > 1)
        qsort(by_cat.a, by_cat.n, sizeof *by_cat.a, cmp_cat);
    json_t *cats = json_array();
    for (size_t i = 0; i < by_cat.n; i++) {
        const acc *a = &by_cat.a[i];
        json_array_append_new(cats, json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}", "category",
                                              a->category, "value", (json_int_t)a->amount,
                                              "certain", (json_int_t)(a->amount - a->prob),
                                              "probable", (json_int_t)a->prob, "outputs",
                                              (json_int_t)a->n, "how", kinds_json(a->kinds)));
    }
    json_object_set_new(j, "by_category", cats);
    /* entities: sort key must not depend on pointers: sort by amount, then name */
    if (by_ent.n > 1)
        qsort(by_ent.a, by_ent.n, sizeof *by_ent.a, cmp_ent);
    json_t *ents = json_array();
    for (size_t i = 0; i < by_ent.n; i++) {
        const acc *a = &by_ent.a[i];
        json_array_append_new(
            ents, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "entity",
                            a->entity ? a->entity : "unknown", "category", a->category, "value",
                            (json_int_t)a->amount, "certain", (json_int_t)(a->amount - a->prob),
                            "probable", (json_int_t)a->prob, "outputs", (json_int_t)a->n,
                            "min_hops", (json_int_t)a->min_hop, "how", kinds_json(a->kinds)));
    }
    json_object_set_new(j, "by_entity", ents);
    if (by_addr.n > 1)
        qsort(by_addr.a, by_addr.n, sizeof *by_addr.a, cmp_acc);
    json_t *addrs = json_array();
    for (size_t i = 0; i < by_addr.n && i < top; i++) {
        const acc *a = &by_addr.a[i];
        json_array_append_new(
            addrs, json_pack("{s:o, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "address",
                             addr_json(cs, a->key), "entity", a->entity ? a->entity : "unknown",
                             "category", a->category, "value", (json_int_t)a->amount, "certain",
                             (json_int_t)(a->amount - a->prob), "probable", (json_int_t)a->prob,
                             "outputs", (json_int_t)a->n, "min_hops", (json_int_t)a->min_hop, "how",
                             kinds_json(a->kinds)));
    }
    json_object_set_new(j, "by_address", addrs);
    json_object_set_new(j, "n_addresses", json_integer((json_int_t)by_addr.n));

    /* strongest paths: the largest ends at outputs */
    sorted = cw_malloc((t->n_ends + 1) * sizeof(const cw_trace_end *));
    path = cw_malloc(4096 * sizeof *path);
    if (!sorted || !path)
        goto fail;
    size_t n_sorted = 0;
    for (size_t i = 0; i < t->n_ends; i++)
        if (t->ends[i].node != UINT32_MAX)
            sorted[n_sorted++] = &t->ends[i];
    if (n_sorted > 1)
        qsort(sorted, n_sorted, sizeof(const cw_trace_end *), cmp_end);
    json_t *paths = json_array();
    for (size_t i = 0; i < n_sorted && i < top; i++) {
        const cw_trace_end *e = sorted[i];
        const char *ent, *cat;
        label_of(t, e->addr, &ent, &cat);
        size_t n = cw_trace_path(t, e->node, path, 4096);
        json_t *txs = json_array();
        for (size_t k = 0; k < n; k++)
            json_array_append_new(txs, txid_json(cs, path[k]));
        json_t *pj = json_pack(
            "{s:o, s:o, s:s, s:s, s:I, s:I, s:s, s:I, s:o}", "outpoint", outpoint_json(cs, e->out),
            "address", addr_json(cs, e->addr), "entity", ent ? ent : "unknown", "category", cat,
            "value", (json_int_t)e->amount, "probable", (json_int_t)e->probable, "how",
            cw_trace_end_kind_name(e->kind), "hops", (json_int_t)e->hop, "txids", txs);
        if (pj && e->probable)
            json_object_set_new(pj, "rule", json_string(cw_trace_rule_name(e->rule)));
        json_array_append_new(paths, pj);
    }
    json_object_set_new(j, "paths", paths);

    /* the flow graph: one entry per tx, in chain order */
    json_t *graph = json_array();
    bool fwd = t->opts.direction == CW_TRACE_FORWARD;
    ord = cw_malloc((t->n_txr + 1) * sizeof *ord);
    if (!ord)
        goto fail;
    for (size_t i = 0; i < t->n_txr; i++)
        ord[i] = (txord){t->txr[i].tx, i};
    if (t->n_txr > 1)
        qsort(ord, t->n_txr, sizeof *ord, fwd ? cmp_txord : cmp_txord_back);
    size_t n_graph = 0;
    for (size_t g0 = 0, g1; g0 < t->n_txr; g0 = g1) {
        for (g1 = g0 + 1; g1 < t->n_txr && ord[g1].tx == ord[g0].tx;)
            g1++;
        if (n_graph++ >= graph_limit)
            continue;
        /* the records of one tx (a payout tx funding two deposits: one record each) are one
         * entry; an input or output in two of them is listed once */
        const cw_trace__txrec *r0 = &t->txr[ord[g0].i];
        json_t *in = json_array(), *outs = json_array();
        uint32_t hop = r0->hop;
        uint64_t end_amount = 0;
        const cw_trace__txrec *cj = NULL;
        for (size_t g = g0; g < g1; g++) {
            const cw_trace__txrec *r = &t->txr[ord[g].i];
            if (r->hop < hop)
                hop = r->hop;
            end_amount += r->end_amount;
            if (r->coinjoin && !cj)
                cj = r;
            for (uint32_t k = 0; k < r->n_in + r->n_out; k++) {
                uint32_t ni = t->edges[r->e0 + k];
                bool dup = false;
                for (size_t h = g0; h < g && !dup; h++) {
                    const cw_trace__txrec *q = &t->txr[ord[h].i];
                    dup = k < r->n_in ? graph_seen(t, q, 0, q->n_in, ni)
                                      : graph_seen(t, q, q->n_in, q->n_in + q->n_out, ni);
                }
                if (!dup)
                    json_array_append_new(k < r->n_in ? in : outs, graph_node(t, r, k, fwd));
            }
        }
        json_t *g = json_pack(
            "{s:o, s:I, s:I, s:b, s:o, s:o}", "txid", txid_json(cs, r0->tx), "height",
            (json_int_t)cw_chainstore_block(cs, cw_chainstore_tx_block(cs, r0->tx))->height, "hop",
            (json_int_t)hop, "coinjoin", cj != NULL, fwd ? "inputs" : "outputs", in,
            fwd ? "outputs" : "inputs", outs);
        if (end_amount)
            json_object_set_new(g, fwd ? "fee_or_end" : "end",
                                json_integer((json_int_t)end_amount));
        for (size_t q = g0; q < g1; q++)
            if (t->txr[ord[q].i].tp_kind) {
                json_object_set_new(g, "third_party", tp_json(t, &t->txr[ord[q].i]));
                break;
            }
        if (cj)
            json_object_set_new(
                g, "coinjoin_rule",
                json_string(cj->rule ? cw_trace_rule_name((cw_trace_rule)cj->rule) : "stop"));
        json_array_append_new(graph, g);
    }
    json_object_set_new(j, "graph", graph);
    json_object_set_new(j, "graph_truncated", json_boolean(n_graph > graph_limit));
    json_object_set_new(j, "stats",
                        json_pack("{s:I, s:I, s:I, s:I, s:I, s:b}", "txs", (json_int_t)t->stats.txs,
                                  "edges", (json_int_t)t->stats.edges, "nodes",
                                  (json_int_t)t->stats.nodes, "intervals",
                                  (json_int_t)t->stats.intervals, "max_hop",
                                  (json_int_t)t->stats.max_hop, "truncated", t->stats.truncated));
    cw_free(sorted);
    cw_free(ord);
    cw_free(path);
    accs_deinit(&by_addr);
    accs_deinit(&by_ent);
    accs_deinit(&by_cat);
    return j;
fail:
    cw_free(sorted);
    cw_free(ord);
    cw_free(path);
    accs_deinit(&by_addr);
    accs_deinit(&by_ent);
    accs_deinit(&by_cat);
    json_decref(j);
    return NULL;
}
