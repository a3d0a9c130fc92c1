/*
 * screen.c: exposure screening (screen.h): a backward haircut trace from every output paid to
 * the address, stopping at the first labelled address on each path, at a CoinJoin under the
 * "stop" policy, and where a path's traced value falls below the floor (floor x received, at
 * least min_value: such fragments end as dust and count as unknown), with a hop cap. The value
 * that ends at a label is exposure to its category (hop 1 direct, further back indirect), its
 * probable part (passed a CoinJoin) kept apart. Shares are of the received value minus what
 * came from the address itself (CW_END_SELF). Risk categories flag the address on their
 * certain share (threshold) or, as "probable", on the share with probable exposure
 * (probable_threshold); each flag keeps its strongest paths (the largest labelled ends of the
 * category, with the tx path that brought the most value). The trace is kept for the paths.
 * The probable flag is judged on the share with one owner per output (cw_trace_owner_capped,
 * screen.h: 1/n at one-to-one mixes, amounts in many-output rounds); the uncapped share is
 * reported apart ("through_mix").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/query.h"
#include "chainwatch/errors.h"
#include "chainwatch/labels.h"
#include "chainwatch/screen.h"
#include "chainwatch/util.h"

#include "chain/analytics/trace_int.h" /* the first trace's records (tp_can_act) */

#define MAX_CATS 64
#define MAX_ROUNDS 32 /* the CoinJoins funding an address's paying txs that are looked at */

/* a many-output CoinJoin an address's paying tx spends an output of: its input value and the
 * certain value of each category in its inputs (a backward trace from them) */
typedef struct mix_round {
    uint64_t tx, in_value;
    uint64_t cert[MAX_CATS];
} mix_round;

typedef struct cat_acc {
    uint64_t direct, indirect, prob;
    uint64_t own, own_prob, own_mixes; /* one owner per mix input: value, probable, capped */
    bool own_done;                     /* computed (where it decides the flag) */
    uint32_t min_hop;
    uint32_t n_rounds; /* rounds of the address's funders that certain value entered */
} cat_acc;

struct cw_screen_result {
    const cw_chainstore *cs;
    const cw_trace_labelmap *labels;
    cw_screen_opts opts;
    char address[CW_ADDR_STR_MAX];
    uint64_t received, self, unknown, coinbase, coinjoin, floor_sat;
    cat_acc cats[MAX_CATS];
    size_t n_cats;
    bool risk[MAX_CATS];
    cw_trace *trace;
    mix_round *rounds;
    size_t n_rounds;
    uint64_t outpoint; /* the one output screened (a deposit), or CW_NONE64: an address */
    /* per deposit (opts.per_deposit): the deposits screened apart, those under min_deposit,
     * the flagged ones (their results) and their strongest level */
    bool per_deposit;
    size_t n_dep_screened, n_dep_small, n_deps, cap_deps;
    cw_screen_result **deps;
    uint64_t dep_pool; /* one deposit, flagged: its answer is the pooled one (no second trace) */
    int dep_level;
};

void cw_screen_opts_init(cw_screen_opts *o)
{
    memset(o, 0, sizeof *o);
    o->hops = 0; /* no cap: the floor bounds the work */
    o->floor = 0.001;
    o->until_height = UINT32_MAX;
    o->min_value = 1;
    o->coinjoin = CW_CJ_PROPORTIONAL;
    o->threshold = 0.05;
    o->probable_threshold = 0.25;
    o->mix_rounds = 3;
    o->min_deposit = 100000;
    o->per_deposit = CW_SCREEN_DEP_CERTAIN;
}

static const char *const dep_names[CW_SCREEN_DEP_N] = {"off", "all", "certain"};

const char *cw_screen_per_deposit_name(cw_screen_per_deposit m)
{
    return (unsigned)m < CW_SCREEN_DEP_N ? dep_names[m] : "?";
}

int cw_screen_per_deposit_parse(cw_screen_per_deposit *m, const char *s)
{
    for (int i = 0; i < CW_SCREEN_DEP_N; i++)
        if (s && !strcmp(s, dep_names[i])) {
            *m = (cw_screen_per_deposit)i;
            return 0;
        }
    return cw_error_set(CW_EINVAL, "screen: per deposit '%s' is not off, certain or all",
                        s ? s : "");
}

static int cat_index(const char *c)
{
    const char *const *cats = cw_label_categories();
    for (int i = 0; i < MAX_CATS && cats[i]; i++)
        if (!strcmp(cats[i], c))
            return i;
    return -1;
}

static double share_of(const cw_screen_result *r, uint64_t v);
static int level_of(const cw_screen_result *r, int ci);

typedef struct pick_cat {
    const cw_trace_labelmap *labels;
    int ci;
} pick_cat;

static bool pick_category(void *ctx, const cw_trace_end *e)
{
    const pick_cat *p = ctx;
    const char *cat;
    return cw_trace_labelmap_get(p->labels, e->addr, NULL, &cat) && cat_index(cat) == p->ci;
}

/* a one-to-one mix: n inputs, n outputs of one value (the Whirlpool shape) */
static bool one_to_one(const cw_chainstore *cs, uint64_t tx)
{
    uint64_t in0, in1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &in0, &in1, &o0, &o1);
    if (in1 - in0 != o1 - o0)
        return false;
    for (uint64_t o = o0 + 1; o < o1; o++)
        if (cw_out_value(cw_chainstore_out(cs, o)) != cw_out_value(cw_chainstore_out(cs, o0)))
            return false;
    return true;
}

/* The certain value of each category that entered round tx: a backward trace (the screen's
 * options, the floor a share of the round's input value, stopping at CoinJoins) from the
 * outputs its inputs spend. */
static int round_entered(mix_round *m, const cw_screen_result *r, const cw_trace_opts *base,
                         uint64_t tx)
{
    const cw_chainstore *cs = r->cs;
    uint64_t n_txs = cw_chainstore_counts_get(cs).txs, in0, in1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &in0, &in1, &o0, &o1);
    cw_trace_sources src = {0};
    src.outs = cw_malloc((size_t)(in1 - in0 + 1) * sizeof *src.outs);
    if (!src.outs)
        return CW_ENOMEM;
    m->tx = tx;
    for (uint64_t in = in0; in < in1; in++) {
        const cw_row_in *ri = cw_chainstore_in(cs, in);
        if (ri->spent_tx >= n_txs) /* coinbase or before the store */
            continue;
        uint64_t so = cw_chainstore_tx_first_out(cs, ri->spent_tx) + ri->spent_vout;
        m->in_value += cw_out_value(cw_chainstore_out(cs, so));
        src.outs[src.n++] = so;
    }
    cw_trace_opts o = *base;
    o.coinjoin = CW_CJ_STOP; /* what entered: paths that passed no CoinJoin (and less work) */
    double fx = r->opts.floor * (double)m->in_value;
    o.min_value = (uint64_t)fx + 1;
    if (o.min_value < r->opts.min_value)
        o.min_value = r->opts.min_value;
    cw_trace *t = NULL;
    int rc = src.n ? cw_trace_run(&t, cs, r->labels, src.outs, src.n, &o) : 0;
    cw_trace_sources_deinit(&src);
    for (size_t i = 0; !rc && t && i < cw_trace_n_ends(t); i++) {
        const cw_trace_end *e = cw_trace_end_at(t, i);
        const char *cat;
        int ci;
        if (e->kind == CW_END_LABEL && cw_trace_labelmap_get(r->labels, e->addr, NULL, &cat) &&
            (ci = cat_index(cat)) >= 0)
            m->cert[ci] += e->amount - e->probable;
    }
    cw_trace_free(t);
    return rc;
}

/* Rule "mix-rounds": for an address no other rule flags and with probable exposure to a risk
 * category, the many-output CoinJoins whose outputs its paying txs spend (a paying tx that is
 * itself a CoinJoin does not count: its inputs are many owners'), and per category how many
 * of them certain value of the category entered. */
static int find_rounds(cw_screen_result *r, const cw_trace_opts *base, const uint64_t *outs,
                       size_t n)
{
    const cw_screen_opts *opts = &r->opts;
    if (!opts->mix_rounds || opts->coinjoin == CW_CJ_STOP)
        return 0;
    bool any = false;
    for (int ci = 0; ci < MAX_CATS; ci++) {
        if (level_of(r, ci))
            return 0; /* flagged already */
        any |= r->risk[ci] && r->cats[ci].prob;
    }
    if (!any)
        return 0;
    const cw_chainstore *cs = r->cs;
    uint64_t n_txs = cw_chainstore_counts_get(cs).txs;
    cw_trace_is_coinjoin_fn is_cj =
        opts->is_coinjoin ? opts->is_coinjoin : cw_trace_coinjoin_patterns;
    uint64_t pay[MAX_ROUNDS], cj[MAX_ROUNDS];
    size_t n_pay = 0, n_cj = 0;
    for (size_t i = 0; i < n && n_pay < MAX_ROUNDS; i++) {
        uint64_t p = cw_chainstore_out_tx(cs, outs[i]), in0, in1, o0, o1;
        bool seen = false;
        for (size_t q = 0; q < n_pay && !seen; q++)
            seen = pay[q] == p;
        if (seen)
            continue;
        pay[n_pay++] = p;
        if (is_cj(opts->is_coinjoin_ctx, cs, p))
            continue; /* a round's inputs are many owners', not the address's owner combining */
        cw_chainstore_tx_range(cs, p, &in0, &in1, &o0, &o1);
        for (uint64_t in = in0; in < in1 && n_cj < MAX_ROUNDS; in++) {
            uint64_t f = cw_chainstore_in(cs, in)->spent_tx;
            if (f >= n_txs)
                continue;
            for (size_t q = 0; q < n_cj && !seen; q++)
                seen = cj[q] == f;
            if (!seen && is_cj(opts->is_coinjoin_ctx, cs, f) && !one_to_one(cs, f))
                cj[n_cj++] = f;
            seen = false;
        }
    }
    if (n_cj < opts->mix_rounds)
        return 0;
    r->rounds = cw_calloc(n_cj, sizeof *r->rounds);
    if (!r->rounds)
        return CW_ENOMEM;
    r->n_rounds = n_cj;
    for (size_t k = 0; k < n_cj; k++) {
        int rc = round_entered(&r->rounds[k], r, base, cj[k]);
        if (rc)
            return rc;
        for (int ci = 0; ci < MAX_CATS; ci++)
            r->cats[ci].n_rounds += r->rounds[k].cert[ci] > 0;
    }
    return 0;
}

static int check_opts(const cw_screen_opts *opts)
{
    if (!(opts->floor >= 0.0 && opts->floor < 1.0) ||
        !(opts->threshold > 0.0 && opts->threshold <= 1.0) ||
        !(opts->probable_threshold > 0.0 && opts->probable_threshold <= 1.0) ||
        (unsigned)opts->coinjoin >= CW_CJ_N)
        return cw_error_set(CW_EINVAL, "screen: floor must be in [0, 1), thresholds in (0, 1]");
    if ((unsigned)opts->per_deposit >= CW_SCREEN_DEP_N)
        return cw_error_set(CW_EINVAL, "screen: per_deposit %u is not off, all or certain",
                            (unsigned)opts->per_deposit);
    return 0;
}

/* The earliest tx paying a risk-labelled address where the trace of r ended (0: none). */
static uint64_t risk_before(const cw_screen_result *r)
{
    uint64_t before = 0;
    for (size_t i = 0; i < cw_trace_n_ends(r->trace); i++) {
        const cw_trace_end *e = cw_trace_end_at(r->trace, i);
        const char *cat;
        int ci;
        if (e->kind != CW_END_LABEL || e->out == CW_NONE64 ||
            !cw_trace_labelmap_get(r->labels, e->addr, NULL, &cat) || (ci = cat_index(cat)) < 0 ||
            !r->risk[ci])
            continue;
        uint64_t c = cw_chainstore_out_tx(r->cs, e->out);
        if (c && (before == 0 || c < before))
            before = c;
    }
    return before;
}

/* Whether rule third-party can act in a second backward trace t2 = t with
 * third_party_before = before (docs/TRACE-MODELS.md, "A third party's own account"). t2 makes
 * the same steps as t, tx for tx, up to the first tx where the rule acts; the rule acts only
 * at a non-CoinJoin tx whose traced value in (its traced outputs) has a certain part and one of
 * whose inputs sits at an established account that is not an address the screened outputs
 * were paid to. At t2's first such tx everything before is t's, so t has that tx with the same
 * values: when no tx of t qualifies, t2 is t. Looser than the rule (its dust, sweep and
 * coinbase exclusions are not applied): it may say yes where the rule would not act (t2 is
 * then run, as before), never no where it would. */
static bool tp_can_act(const cw_trace *t, const uint64_t *outs, size_t n_outs, uint64_t before)
{
    const cw_chainstore *cs = t->cs;
    uint64_t n_all = cw_chainstore_counts_get(cs).outs;
    uint64_t out0 = cw_chainstore_tx_first_out(cs, before);
    for (size_t k = 0; k < t->n_txr; k++) {
        const cw_trace__txrec *x = &t->txr[k];
        if (x->coinjoin)
            continue;
        uint64_t A = 0, P = 0;
        for (uint32_t e = 0; e < x->n_in; e++) {
            const cw_trace__node *n = &t->nodes[t->edges[x->e0 + e]];
            A += n->amount;
            P += n->prob;
        }
        if (A <= P)
            continue; /* nothing certain to make probable */
        uint64_t in0, in1, o0, o1;
        cw_chainstore_tx_range(cs, x->tx, &in0, &in1, &o0, &o1);
        for (uint64_t in = in0; in < in1; in++) {
            const cw_row_in *ri = cw_chainstore_in(cs, in);
            if (ri->spent_tx == CW_IN_EXTERNAL || ri->spent_tx == CW_IN_COINBASE)
                continue;
            uint64_t po = cw_chainstore_tx_first_out(cs, ri->spent_tx) + ri->spent_vout;
            if (po >= n_all)
                continue;
            uint32_t a = cw_chainstore_out(cs, po)->addr;
            if (a == CW_NONE32)
                continue;
            bool src = false;
            for (size_t i = 0; i < n_outs && !src; i++)
                src = cw_chainstore_out(cs, outs[i])->addr == a;
            uint64_t recv;
            if (!src && cw_trace__tp_established(cs, a, before, out0, n_all, true, &recv))
                return true;
        }
    }
    return false;
}

/* Screens the outputs outs[0..n_outs) together (an address's receipts, or one deposit): the
 * floor a share of their value, value from address a (CW_NONE64: none) its own. */
static int screen_run(cw_screen_result **out, const cw_chainstore *cs,
                      const cw_trace_labelmap *labels, uint64_t a, const uint64_t *outs,
                      size_t n_outs, const cw_screen_opts *opts)
{
    *out = NULL;
    int rc;
    cw_screen_result *r = cw_calloc(1, sizeof *r);
    if (!r)
        return CW_ENOMEM;
    r->cs = cs;
    r->labels = labels;
    r->opts = *opts;
    r->outpoint = CW_NONE64;
    if (a != CW_NONE64)
        cw_query_addr_string(r->address, cs, (uint32_t)a);
    for (size_t i = 0; i < MAX_CATS; i++)
        r->cats[i].min_hop = UINT32_MAX;
    if (opts->n_flag_categories) {
        for (size_t i = 0; i < opts->n_flag_categories && i < CW_SCREEN_MAX_FLAG_CATS; i++) {
            int ci = cat_index(opts->flag_categories[i]);
            if (ci < 0) {
                rc = cw_error_set(CW_EINVAL, "screen: '%s' is not a label category",
                                  opts->flag_categories[i]);
                cw_screen_result_free(r);
                return rc;
            }
            r->risk[ci] = true;
        }
    } else {
        const char *const *default_risk = cw_label_risk_categories();
        for (size_t i = 0; default_risk[i]; i++) {
            int ci = cat_index(default_risk[i]);
            if (ci >= 0)
                r->risk[ci] = true;
        }
    }
    /* the floor in satoshis: a share of everything screened (the address's receipts, or the
     * one deposit) */
    uint64_t recv = 0;
    for (size_t i = 0; i < n_outs; i++)
        recv += cw_out_value(cw_chainstore_out(cs, outs[i]));
    double fx = opts->floor * (double)recv;
    r->floor_sat = (uint64_t)fx;
    if ((double)r->floor_sat < fx)
        r->floor_sat++; /* rounded up */
    if (r->floor_sat < opts->min_value)
        r->floor_sat = opts->min_value;
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.model = CW_TRACE_HAIRCUT;
    o.direction = CW_TRACE_BACKWARD;
    o.max_hops = opts->hops;
    o.min_value = r->floor_sat;
    o.stop_any_label = true;
    o.self_addr = a;
    o.max_nodes = opts->max_nodes;
    o.coinjoin = opts->coinjoin == CW_CJ_RANK ? CW_CJ_PROPORTIONAL : opts->coinjoin;
    o.is_coinjoin = opts->is_coinjoin;
    o.is_coinjoin_ctx = opts->is_coinjoin_ctx;
    rc = cw_trace_run(&r->trace, cs, labels, outs, n_outs, &o);
    /* a third party's own account (docs/TRACE-MODELS.md): once the trace has reached a risk
     * label, the theft is known (the earliest tx paying such an address on its paths), and a
     * second trace makes the value probable where a third party paid it on from its own
     * account, an address with its own history before the theft. It is run only when it can
     * differ from the first (tp_can_act); the mix-rounds traces get the theft either way */
    uint64_t before = rc == 0 && o.third_party ? risk_before(r) : 0;
    if (before) {
        o.third_party_before = before;
        if (opts->third_party_retrace || tp_can_act(r->trace, outs, n_outs, before)) {
            cw_trace_free(r->trace);
            r->trace = NULL;
            rc = cw_trace_run(&r->trace, cs, labels, outs, n_outs, &o);
        }
    }
    if (rc) {
        cw_screen_result_free(r);
        return rc;
    }
    r->received = cw_trace_stats_get(r->trace)->source_value;
    for (size_t i = 0; i < cw_trace_n_ends(r->trace); i++) {
        const cw_trace_end *e = cw_trace_end_at(r->trace, i);
        const char *cat;
        int ci;
        switch (e->kind) {
        case CW_END_SELF:
            r->self += e->amount;
            break;
        case CW_END_COINBASE:
            r->coinbase += e->amount;
            break;
        case CW_END_COINJOIN:
            r->coinjoin += e->amount;
            break;
        case CW_END_LABEL:
            if (cw_trace_labelmap_get(labels, e->addr, NULL, &cat) && (ci = cat_index(cat)) >= 0) {
                if (e->hop <= 1)
                    r->cats[ci].direct += e->amount;
                else
                    r->cats[ci].indirect += e->amount;
                /* "through": what passed a CoinJoin counts as certain */
                if (opts->coinjoin != CW_CJ_ORDER)
                    r->cats[ci].prob += e->probable;
                if (e->hop < r->cats[ci].min_hop)
                    r->cats[ci].min_hop = e->hop;
                break;
            }
            r->unknown += e->amount;
            break;
        default:
            r->unknown += e->amount;
            break;
        }
    }
    for (int ci = 0; ci < MAX_CATS; ci++) {
        cat_acc *c = &r->cats[ci];
        c->own = c->direct + c->indirect;
        c->own_prob = c->prob;
        /* computed where it decides the flag: a risk category with probable exposure whose
         * share reaches the probable threshold and whose certain share does not flag */
        if (!r->risk[ci] || !c->prob || opts->independent_inputs ||
            share_of(r, c->own) < opts->probable_threshold ||
            share_of(r, c->own - c->prob) >= opts->threshold)
            continue;
        c->own_done = true;
        pick_cat pc = {labels, ci};
        if ((rc = cw_trace_owner_capped(r->trace, pick_category, &pc, !opts->independent_inputs,
                                        &c->own, &c->own_prob, &c->own_mixes))) {
            cw_screen_result_free(r);
            return rc;
        }
        /* the recomputation rounds per coin: certain as traced, never above what the address
         * received (it may pass the proportional value: an output of a round that only the
         * traced value could pay is all of it) */
        uint64_t cert = c->direct + c->indirect - c->prob, base = cw_screen_received(r);
        if (c->own > base)
            c->own = base;
        if (c->own < cert)
            c->own = cert;
        c->own_prob = c->own - cert;
    }
    rc = find_rounds(r, &o, outs, n_outs);
    if (rc) {
        cw_screen_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* The deposits of an address screened apart (opts.per_deposit): each received output of at
 * least min_deposit satoshis is screened as one deposit (the floor a share of its own value);
 * the address is flagged when any is. CW_SCREEN_DEP_CERTAIN keeps only certain flags: certain
 * value passes no CoinJoin, so the deposit's trace stops at CoinJoins (less work, the same
 * certain share) and needs no mix-rounds. The flagged deposits' results are kept (their
 * paths). */
static int screen_deposits(cw_screen_result *r, const uint64_t *outs, size_t n, uint64_t a)
{
    cw_screen_opts opts = r->opts;
    bool certain = opts.per_deposit == CW_SCREEN_DEP_CERTAIN;
    int min_level = certain ? 2 : 1;
    if (certain && opts.coinjoin != CW_CJ_ORDER) { /* "through": its certain passes rounds */
        opts.coinjoin = CW_CJ_STOP;
        opts.mix_rounds = 0;
    }
    r->per_deposit = true;
    r->dep_pool = CW_NONE64;
    if (n == 1 && cw_out_value(cw_chainstore_out(r->cs, outs[0])) >= opts.min_deposit) {
        /* the pooled trace is that deposit's: the same outputs, floor and self */
        r->n_dep_screened = 1;
        r->dep_level = cw_screen_flag_level(r);
        if (r->dep_level < min_level)
            r->dep_level = 0;
        if (r->dep_level)
            r->dep_pool = outs[0];
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (cw_out_value(cw_chainstore_out(r->cs, outs[i])) < opts.min_deposit) {
            r->n_dep_small++;
            continue;
        }
        r->n_dep_screened++;
        cw_screen_result *d = NULL;
        int rc = screen_run(&d, r->cs, r->labels, a, &outs[i], 1, &opts);
        if (rc)
            return rc;
        d->outpoint = outs[i];
        int l = cw_screen_flag_level(d);
        if (l < min_level) {
            cw_screen_result_free(d);
            continue;
        }
        if (l > r->dep_level)
            r->dep_level = l;
        if (r->n_deps == r->cap_deps) {
            size_t cap = r->cap_deps ? 2 * r->cap_deps : 4;
            cw_screen_result **v = cw_realloc(r->deps, cap * sizeof *v);
            if (!v) {
                cw_screen_result_free(d);
                return CW_ENOMEM;
            }
            r->deps = v;
            r->cap_deps = cap;
        }
        r->deps[r->n_deps++] = d;
    }
    return 0;
}

int cw_screen_address(cw_screen_result **out, const cw_chainstore *cs,
                      const cw_trace_labelmap *labels, const char *addr, const cw_screen_opts *opts)
{
    *out = NULL;
    int rc = check_opts(opts);
    if (rc)
        return rc;
    cw_addr_key k;
    uint64_t a;
    if (cw_addr_decode(&k, addr, cw_chainstore_network(cs)) != 0)
        return cw_error_wrap(CW_EINVAL, "screen: '%s' is not an address: ", addr);
    if (cw_chainstore_find_addr(cs, &k, &a) != 0)
        return cw_error_set(CW_ENOTFOUND, "screen: address %s has no outputs in the store", addr);
    cw_trace_sources src = {0};
    rc = cw_trace_sources_add(&src, cs, NULL, addr, opts->until_height);
    if (rc)
        return rc;
    cw_screen_result *r = NULL;
    rc = screen_run(&r, cs, labels, a, src.outs, src.n, opts);
    if (!rc && opts->per_deposit != CW_SCREEN_DEP_OFF)
        rc = screen_deposits(r, src.outs, src.n, a);
    cw_trace_sources_deinit(&src);
    if (rc) {
        cw_screen_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int cw_screen_output(cw_screen_result **out, const cw_chainstore *cs,
                     const cw_trace_labelmap *labels, const char *outpoint,
                     const cw_screen_opts *opts)
{
    *out = NULL;
    int rc = check_opts(opts);
    if (rc)
        return rc;
    const char *colon = strchr(outpoint, ':');
    if (!colon || colon - outpoint != 64)
        return cw_error_set(CW_EINVAL, "screen: '%s' is not an output (txid:vout)", outpoint);
    cw_trace_sources src = {0};
    if ((rc = cw_trace_sources_add(&src, cs, NULL, outpoint, UINT32_MAX)))
        return rc;
    uint64_t o = src.outs[0];
    cw_trace_sources_deinit(&src);
    uint32_t a = cw_chainstore_out(cs, o)->addr;
    cw_screen_result *r = NULL;
    rc = screen_run(&r, cs, labels, a == CW_NONE32 ? CW_NONE64 : a, &o, 1, opts);
    if (rc)
        return rc;
    r->outpoint = o;
    *out = r;
    return 0;
}

void cw_screen_result_free(cw_screen_result *r)
{
    if (!r)
        return;
    cw_trace_free(r->trace);
    cw_free(r->rounds);
    for (size_t i = 0; i < r->n_deps; i++)
        cw_screen_result_free(r->deps[i]);
    cw_free(r->deps);
    cw_free(r);
}

uint64_t cw_screen_received(const cw_screen_result *r)
{
    return r->received > r->self ? r->received - r->self : 0;
}

static double share_of(const cw_screen_result *r, uint64_t v)
{
    uint64_t base = cw_screen_received(r);
    return base ? (double)v / (double)base : 0.0;
}

double cw_screen_share(const cw_screen_result *r, const char *category)
{
    int ci = cat_index(category);
    if (ci < 0)
        return 0.0;
    return share_of(r, r->cats[ci].direct + r->cats[ci].indirect);
}

double cw_screen_certain_share(const cw_screen_result *r, const char *category)
{
    int ci = cat_index(category);
    if (ci < 0)
        return 0.0;
    return share_of(r, r->cats[ci].direct + r->cats[ci].indirect - r->cats[ci].prob);
}

double cw_screen_flag_share(const cw_screen_result *r, const char *category)
{
    int ci = cat_index(category);
    if (ci < 0)
        return 0.0;
    return share_of(r, r->cats[ci].own);
}

/* one deposit screened (an output) worth less than min_deposit: never flagged (a dusting
 * attack pays an honest address a few satoshis of stolen coins) */
static bool below_min_out(const cw_screen_result *r, uint64_t out)
{
    return out != CW_NONE64 && cw_out_value(cw_chainstore_out(r->cs, out)) < r->opts.min_deposit;
}

static bool below_min(const cw_screen_result *r)
{
    return below_min_out(r, r->outpoint);
}

/* 2 flag, 1 probable, 0 none for category index ci */
static int level_of(const cw_screen_result *r, int ci)
{
    if (!r->risk[ci] || below_min(r))
        return 0;
    const cat_acc *c = &r->cats[ci];
    uint64_t v = c->direct + c->indirect;
    if (v == 0)
        return 0;
    if (share_of(r, v - c->prob) >= r->opts.threshold)
        return 2;
    if (c->own_prob && share_of(r, c->own) >= r->opts.probable_threshold)
        return 1;
    if (r->opts.mix_rounds && c->n_rounds >= r->opts.mix_rounds)
        return 1; /* rule mix-rounds */
    return 0;
}

/* exposed through a mix only: the proportional share reaches the probable threshold, the
 * one-owner share does not (and no flag) */
static bool through_mix(const cw_screen_result *r, int ci)
{
    const cat_acc *c = &r->cats[ci];
    return r->risk[ci] && c->prob && level_of(r, ci) == 0 &&
           share_of(r, c->direct + c->indirect) >= r->opts.probable_threshold;
}

int cw_screen_flag_level(const cw_screen_result *r)
{
    int best = 0;
    const char *const *cats = cw_label_categories();
    for (int i = 0; i < MAX_CATS && cats[i]; i++) {
        int l = level_of(r, i);
        if (l > best)
            best = l;
    }
    return best > r->dep_level ? best : r->dep_level;
}

static int cmp_end(const void *x, const void *y)
{
    const cw_trace_end *a = *(const cw_trace_end *const *)x, *b = *(const cw_trace_end *const *)y;
    if (a->amount != b->amount)
        return a->amount < b->amount ? 1 : -1;
    return (a->out > b->out) - (a->out < b->out);
}

/* The strongest paths to category cat: its largest labelled ends with their tx paths. */
static json_t *paths_to(const cw_screen_result *r, const char *cat, size_t top)
{
    json_t *arr = json_array();
    size_t n = cw_trace_n_ends(r->trace), m = 0;
    const cw_trace_end **v = cw_malloc((n + 1) * sizeof(const cw_trace_end *));
    uint64_t *txs = cw_malloc(4096 * sizeof *txs);
    if (!arr || !v || !txs) {
        cw_free(v);
        cw_free(txs);
        json_decref(arr);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const cw_trace_end *e = cw_trace_end_at(r->trace, i);
        const char *c;
        if (e->kind == CW_END_LABEL && e->node != UINT32_MAX &&
            cw_trace_labelmap_get(r->labels, e->addr, NULL, &c) && !strcmp(c, cat))
            v[m++] = e;
    }
    if (m > 1)
        qsort(v, m, sizeof(const cw_trace_end *), cmp_end);
    for (size_t i = 0; i < m && i < top; i++) {
        const cw_trace_end *e = v[i];
        const char *ent = NULL, *c = NULL;
        cw_trace_labelmap_get(r->labels, e->addr, &ent, &c);
        char as[CW_ADDR_STR_MAX];
        cw_query_addr_string(as, r->cs, (uint32_t)e->addr);
        size_t k = cw_trace_path(r->trace, e->node, txs, 4096);
        json_t *tj = json_array();
        for (size_t q = 0; q < k; q++) {
            char h[65];
            cw_hex_encode_rev(h, cw_chainstore_txid(r->cs, txs[q]), 32);
            json_array_append_new(tj, json_string(h));
        }
        json_t *p = json_pack("{s:s, s:s, s:s, s:I, s:I, s:f, s:I, s:o}", "address", as, "entity",
                              ent ? ent : "unknown", "category", c, "value", (json_int_t)e->amount,
                              "probable", (json_int_t)e->probable, "share", share_of(r, e->amount),
                              "hops", (json_int_t)e->hop, "txids", tj);
        if (p && e->probable)
            json_object_set_new(p, "rule", json_string(cw_trace_rule_name(e->rule)));
        json_array_append_new(arr, p);
    }
    cw_free(v);
    cw_free(txs);
    return arr;
}

/* obj (a flag or a through-mix entry) with "paths": paths_to category cat; returns obj. */
static json_t *with_paths(json_t *obj, const cw_screen_result *r, const char *cat, size_t top)
{
    json_t *p = paths_to(r, cat, top);
    if (obj && p)
        json_object_set_new(obj, "paths", p);
    else
        json_decref(p);
    return obj;
}

/* a "mix-rounds" flag: its meaning and the rounds the category's certain value entered */
static void rounds_json(json_t *f, const cw_screen_result *r, int ci)
{
    char m[256];
    snprintf(m, sizeof m,
             "fed by outputs of %u CoinJoin rounds the %s funds entered: each round's "
             "participants are many owners, so whose coin this is remains a judgement, not a "
             "certainty",
             r->cats[ci].n_rounds, cw_label_categories()[ci]);
    json_object_set_new(f, "meaning", json_string(m));
    json_t *a = json_array();
    for (size_t k = 0; k < r->n_rounds; k++) {
        const mix_round *x = &r->rounds[k];
        if (!x->cert[ci])
            continue;
        char h[65];
        cw_hex_encode_rev(h, cw_chainstore_txid(r->cs, x->tx), 32);
        json_array_append_new(
            a, json_pack("{s:s, s:f}", "txid", h, "entered_share",
                         x->in_value ? (double)x->cert[ci] / (double)x->in_value : 0.0));
    }
    json_object_set_new(f, "rounds", a);
    json_object_set_new(f, "min_rounds", json_integer((json_int_t)r->opts.mix_rounds));
}

static const char *level_name(int l)
{
    return l == 2 ? "flag" : l == 1 ? "probable" : "none";
}

/* an output's screen: which output, its value, when it was paid, and the minimum rule */
static void outpoint_json(json_t *j, const cw_screen_result *r, uint64_t out)
{
    const cw_chainstore *cs = r->cs;
    uint64_t tx = cw_chainstore_out_tx(cs, out);
    char h[65], s[80];
    cw_hex_encode_rev(h, cw_chainstore_txid(cs, tx), 32);
    snprintf(s, sizeof s, "%s:%llu", h,
             (unsigned long long)(out - cw_chainstore_tx_first_out(cs, tx)));
    const cw_row_block *b = cw_chainstore_block(cs, cw_chainstore_tx_block(cs, tx));
    json_object_set_new(j, "outpoint", json_string(s));
    json_object_set_new(j, "value",
                        json_integer((json_int_t)cw_out_value(cw_chainstore_out(cs, out))));
    json_object_set_new(j, "time", json_integer((json_int_t)b->time));
    json_object_set_new(j, "height", json_integer((json_int_t)b->height));
    json_object_set_new(j, "min_deposit", json_integer((json_int_t)r->opts.min_deposit));
    json_object_set_new(j, "below_min_deposit", json_boolean(below_min_out(r, out)));
}

/* per deposit: how many were screened apart, how many were under min_deposit, and each flagged
 * deposit (its outpoint, value, time, flag, flags with their shares of the deposit and paths) */
static const char *const dep_keys[] = {"outpoint", "value",         "time", "height",
                                       "flag",     "flags",         "base", "floor_sat",
                                       "exposure", "unknown_share", NULL};

static json_t *deposits_json(const cw_screen_result *r, const json_t *pooled, size_t top_paths)
{
    json_t *arr = json_array();
    if (arr && r->dep_pool != CW_NONE64) { /* the one deposit: the pooled answer */
        json_t *e = json_object();
        for (size_t k = 0; e && dep_keys[k]; k++)
            json_object_set(e, dep_keys[k], json_object_get(pooled, dep_keys[k]));
        if (e)
            outpoint_json(e, r, r->dep_pool);
        json_object_del(e, "min_deposit");
        json_object_del(e, "below_min_deposit");
        json_array_append_new(arr, e);
    }
    for (size_t i = 0; arr && i < r->n_deps; i++) {
        json_t *d = cw_screen_json(r->deps[i], top_paths), *e = json_object();
        if (!d || !e) {
            json_decref(d);
            json_decref(e);
            json_decref(arr);
            return NULL;
        }
        for (size_t k = 0; dep_keys[k]; k++)
            json_object_set(e, dep_keys[k], json_object_get(d, dep_keys[k]));
        json_decref(d);
        json_array_append_new(arr, e);
    }
    if (!arr)
        return NULL;
    return json_pack("{s:s, s:I, s:I, s:I, s:s, s:o}", "mode",
                     cw_screen_per_deposit_name(r->opts.per_deposit), "min_deposit",
                     (json_int_t)r->opts.min_deposit, "screened", (json_int_t)r->n_dep_screened,
                     "below_min_deposit", (json_int_t)r->n_dep_small, "flag",
                     level_name(r->dep_level), "flagged", arr);
}

json_t *cw_screen_json(const cw_screen_result *r, size_t top_paths)
{
    uint64_t base = cw_screen_received(r);
    json_t *j = json_pack(
        "{s:s, s:I, s:f, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:f}", "address", r->address,
        "hops", (json_int_t)r->opts.hops, "floor", r->opts.floor, "floor_sat",
        (json_int_t)r->floor_sat, "coinjoin",
        r->opts.coinjoin == CW_CJ_ORDER ? "through" : cw_trace_coinjoin_name(r->opts.coinjoin),
        "received", (json_int_t)r->received, "self", (json_int_t)r->self, "base", (json_int_t)base,
        "unknown", (json_int_t)r->unknown, "coinbase", (json_int_t)r->coinbase, "threshold",
        r->opts.threshold, "probable_threshold", r->opts.probable_threshold);
    if (j && cw_chainstore_synthetic(r->cs)) /* a generated world (only then: real as before) */
        json_object_set_new(j, "synthetic", json_true());
    if (!j)
        return NULL;
    json_object_set_new(j, "coinjoin_value", json_integer((json_int_t)r->coinjoin));
    json_object_set_new(j, "max_hop",
                        json_integer((json_int_t)cw_trace_stats_get(r->trace)->max_hop));
    json_t *exp = json_array(), *flags = json_array(), *mix = json_array();
    const char *const *cats = cw_label_categories();
    int best = 0;
    for (int i = 0; i < MAX_CATS && cats[i]; i++) {
        const cat_acc *c = &r->cats[i];
        uint64_t v = c->direct + c->indirect;
        if (!v)
            continue;
        json_array_append_new(
            exp,
            json_pack("{s:s, s:I, s:f, s:I, s:I, s:I, s:I, s:I}", "category", cats[i], "value",
                      (json_int_t)v, "share", share_of(r, v), "certain", (json_int_t)(v - c->prob),
                      "probable", (json_int_t)c->prob, "direct", (json_int_t)c->direct, "indirect",
                      (json_int_t)c->indirect, "min_hops", (json_int_t)c->min_hop));
        if (c->own_done)
            json_object_set_new(json_array_get(exp, json_array_size(exp) - 1), "one_owner",
                                json_pack("{s:I, s:f, s:I, s:I}", "value", (json_int_t)c->own,
                                          "share", share_of(r, c->own), "probable",
                                          (json_int_t)c->own_prob, "capped_mixes",
                                          (json_int_t)c->own_mixes));
        if (through_mix(r, i)) {
            /* a review tier, not a flag: with the paths to the category's largest labelled
             * ends, as a flag has them, so a desk sees which source and which mix */
            json_t *m = json_pack("{s:s, s:f, s:f}", "category", cats[i], "share", share_of(r, v),
                                  "one_owner_share", share_of(r, c->own));
            json_array_append_new(mix, with_paths(m, r, cats[i], top_paths));
        }
        int l = level_of(r, i);
        if (!l)
            continue;
        if (l > best)
            best = l;
        json_t *f = json_pack("{s:s, s:s, s:f, s:f, s:f}", "category", cats[i], "level",
                              l == 2 ? "flag" : "probable", "share", share_of(r, v),
                              "certain_share", share_of(r, v - c->prob), "threshold",
                              l == 2 ? r->opts.threshold : r->opts.probable_threshold);
        bool rounds = l == 1 && !(c->own_prob && share_of(r, c->own) >= r->opts.probable_threshold);
        if (f && l == 1) {
            json_object_set_new(f, "one_owner_share", json_real(share_of(r, c->own)));
            json_object_set_new(f, "rule",
                                json_string(rounds                       ? "mix-rounds"
                                            : r->opts.independent_inputs ? "proportional"
                                                                         : "one-owner"));
        }
        if (f && rounds)
            rounds_json(f, r, i);
        else if (f && l == 1)
            json_object_set_new(f, "meaning",
                                json_string("the exposure passed a CoinJoin: which participant's "
                                            "coin carries it is a judgement, not a certainty"));
        json_array_append_new(flags, with_paths(f, r, cats[i], top_paths));
    }
    json_object_set_new(j, "exposure", exp);
    json_object_set_new(j, "flags", flags);
    json_object_set_new(j, "through_mix", mix);
    json_object_set_new(j, "mix_inputs",
                        json_string(r->opts.independent_inputs ? "independent" : "one-owner"));
    if (r->outpoint != CW_NONE64)
        outpoint_json(j, r, r->outpoint);
    json_object_set_new(j, "flag", json_string(level_name(best)));
    json_object_set_new(j, "unknown_share",
                        json_real(base ? (double)r->unknown / (double)base : 0.0));
    if (r->per_deposit) {
        /* the pooled answer stays as it is ("flags", "pooled_flag"); "flag" is the stronger */
        json_object_set_new(j, "pooled_flag", json_string(level_name(best)));
        json_t *d = deposits_json(r, j, top_paths);
        if (!d) {
            json_decref(j);
            return NULL;
        }
        json_object_set_new(j, "per_deposit", d);
        if (r->dep_level > best)
            best = r->dep_level;
    }
    json_object_set_new(j, "flag", json_string(level_name(best)));
    /* a probable flag is a flag (for review); its level says it rests on a judgement */
    json_object_set_new(j, "flagged", json_boolean(best > 0));
    json_object_set_new(j, "coinjoin_share",
                        json_real(base ? (double)r->coinjoin / (double)base : 0.0));
    /* the strongest paths: the largest labelled ends */
    json_t *tj = cw_trace_json(r->trace, top_paths, 0);
    json_t *paths = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(tj, "paths"), i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "how")), "label") != 0)
            continue;
        json_object_del(p, "how");
        json_array_append(paths, p);
    }
    json_decref(tj);
    json_object_set_new(j, "paths", paths);
    return j;
}
