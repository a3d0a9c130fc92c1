/*
 * trace.c: the taint-tracing engine (trace.h; the models are defined in
 * docs/TRACE-MODELS.md).
 *
 * Invariants:
 *  - A tx number is processed at most once: forward, txs are popped from a min-heap of tx
 *    numbers, and a spending tx always has a larger number than the txs it spends, so every
 *    tainted input of a tx is known when it is popped; backward, the same with a max-heap.
 *    Duplicate heap entries pop consecutively and are skipped.
 *  - One node per tainted output (map output number -> node index). A node is created once,
 *    by the single tx that creates the output (forward) or spends it (backward); a source
 *    node is never overwritten.
 *  - FIFO taint is a sorted list of disjoint [start, end) intervals per node, relative to the
 *    output's first satoshi, stored contiguously in one pool. Node amount = their total.
 *  - Conservation: for FIFO and haircut, the sum of the ends equals the sources' value to the
 *    satoshi (haircut apportions with the largest-remainder rule). Poison does not conserve.
 *  - Every node and end has a probable part (<= its amount): all the value a CoinJoin passes on
 *    (any policy but stop), then, through ordinary txs, the inputs' probable total shared pro
 *    rata over the traced parts (largest remainder: conserved). Nothing that passed a CoinJoin
 *    is ever certain. Ranked CoinJoins share what reaches a group of equal outputs equally.
 *  - FIFO after a ranked or proportional CoinJoin: its outputs carry their amounts "spread"
 *    (no position in the coin); the next tx shares a spread amount pro rata over what each
 *    output (and the fee) takes of that coin on the axis.
 *  - Re-linking (forward FIFO, opts.relink): pass 1 as above; relink_find reads its result for
 *    evidence of which CoinJoin outputs the source's owner holds (anchors co-spent, addresses,
 *    remix chains); pass 2 traces with each CoinJoin filling its re-linked outputs first. Pass
 *    2 would do what pass 1 did up to the first tx that the re-links change (a round with a
 *    re-linked output, or the creator of a floor-ended sliver that such a round spends), so
 *    pass 1's result is cut back to that tx (every array is appended in chain order; each tx
 *    record keeps the sizes before it) and pass 2 continues from there. Only pass 2's result
 *    is kept; cw_trace__run(..., false) replays it from the sources (the tests compare).
 * Memory: nodes, ends, intervals and tx records grow amortised; per-tx scratch buffers are
 * reused. Nothing is allocated per step otherwise. max_nodes bounds the run.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chain/analytics/trace_int.h"
#include "chainwatch/cluster.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/keccak.h"
#include "chainwatch/labels.h"
#include "chainwatch/patterns.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"

__extension__ typedef unsigned __int128 u128;

bool cw_trace_coinjoin_patterns(void *ctx, const cw_chainstore *cs, uint64_t tx)
{
    uint32_t f;
    /* a probable CoinJoin (an equal-output round no rule named) is traced as one too: its
     * outputs belong to several owners */
    if (ctx && cw_patterns_tx_flags((const cw_patterns *)ctx, tx, &f) == 0)
        return cw_patterns_multi_owner(f);
    return cw_patterns_multi_owner(cw_patterns_compute(cs, tx));
}

void cw_trace_opts_init(cw_trace_opts *o)
{
    memset(o, 0, sizeof *o);
    o->model = CW_TRACE_FIFO;
    o->direction = CW_TRACE_FORWARD;
    o->min_value = 1;
    o->until_height = UINT32_MAX;
    o->self_addr = CW_NONE64;
    o->coinjoin = CW_CJ_RANK;
    o->probable_floor = 0.25;
    o->relink = true;
    o->mixer_payouts = true;
    o->service_payouts = true;
    o->dust_rule = true;
    o->third_party = true;
}

void cw_trace_opts_default_stops(cw_trace_opts *o)
{
    static const char *const custodial[] = {
        "exchange", "exchange_deposit", "mixer", "service", "bridge", "p2p_exchange",
        "payment_processor", "gambling", "darknet_market",
        /* not a custodian, but what a labelled merchant receives is the thief's purchase: the
         * goods were delivered for it, and what the merchant pays on (payroll, its own
         * cash-out) is its revenue, not the thief's coin (docs/TRACE-MODELS.md) */
        "merchant"};
    o->n_stop = 0;
    for (size_t i = 0; i < sizeof custodial / sizeof *custodial && i < CW_TRACE_MAX_STOP; i++)
        o->stop[o->n_stop++] = custodial[i];
}

/* ---------------------------------------------------------------- growth helpers */

static int grow(void **p, size_t *cap, size_t need, size_t width)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *q = cw_realloc(*p, n * width);
    if (!q)
        return cw_error_set(CW_ENOMEM, "trace: out of memory (%zu items of %zu bytes)", n, width);
    *p = q;
    *cap = n;
    return 0;
}

#define GROW(arr, capv, need) grow((void **)&(arr), &(capv), (need), sizeof *(arr))

/* ---------------------------------------------------------------- heap of tx keys */

static int heap_push(cw_trace *t, uint64_t key)
{
    int rc = GROW(t->heap, t->cap_heap, t->n_heap + 1);
    if (rc)
        return rc;
    size_t i = t->n_heap++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (t->heap[p] <= key)
            break;
        t->heap[i] = t->heap[p];
        i = p;
    }
    t->heap[i] = key;
    return 0;
}

static uint64_t heap_pop(cw_trace *t)
{
    uint64_t top = t->heap[0], last = t->heap[--t->n_heap];
    size_t i = 0, n = t->n_heap;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && t->heap[c + 1] < t->heap[c])
            c++;
        if (last <= t->heap[c])
            break;
        t->heap[i] = t->heap[c];
        i = c;
    }
    if (n)
        t->heap[i] = last;
    return top;
}

static int push_tx(cw_trace *t, uint64_t tx)
{
    return heap_push(t, t->opts.direction == CW_TRACE_FORWARD ? tx : UINT64_MAX - tx);
}

/* ---------------------------------------------------------------- output -> node map */

static inline uint64_t hmix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

static bool map_get(const cw_trace *t, uint64_t out, uint64_t *idx)
{
    if (!t->slots)
        return false;
    uint64_t k = out + 1;
    for (uint64_t j = hmix(k) & t->slot_mask;; j = (j + 1) & t->slot_mask) {
        const cw_trace__slot *s = &t->slots[j];
        if (s->key == k) {
            *idx = s->val;
            return true;
        }
        if (s->key == 0)
            return false;
    }
}

static void slot_insert(cw_trace__slot *slots, uint64_t mask, uint64_t k, uint64_t v)
{
    uint64_t j = hmix(k) & mask;
    while (slots[j].key)
        j = (j + 1) & mask;
    slots[j] = (cw_trace__slot){k, v};
}

/* Adds out -> idx; out must be absent. Load stays at or under 1/2. */
static int map_put(cw_trace *t, uint64_t out, uint64_t idx)
{
    if ((t->slot_count + 1) * 2 > (t->slots ? t->slot_mask + 1 : 0)) {
        uint64_t cap = t->slots ? (t->slot_mask + 1) * 2 : 1024;
        cw_trace__slot *n = cw_calloc(cap, sizeof *n);
        if (!n)
            return cw_error_set(CW_ENOMEM, "trace: out of memory for a %llu-slot map",
                                (unsigned long long)cap);
        for (uint64_t i = 0; t->slots && i <= t->slot_mask; i++)
            if (t->slots[i].key)
                slot_insert(n, cap - 1, t->slots[i].key, t->slots[i].val);
        cw_free(t->slots);
        t->slots = n;
        t->slot_mask = cap - 1;
    }
    slot_insert(t->slots, t->slot_mask, out + 1, idx);
    t->slot_count++;
    return 0;
}

/* A second table of the same kind (re-links, and the CoinJoin / examined tx sets of the
 * re-link search): value of key, or false. */
static bool tab_get(const cw_trace__slot *slots, uint64_t mask, uint64_t key, uint64_t *val)
{
    if (!slots)
        return false;
    uint64_t k = key + 1;
    for (uint64_t j = hmix(k) & mask;; j = (j + 1) & mask) {
        if (slots[j].key == k) {
            if (val)
                *val = slots[j].val;
            return true;
        }
        if (slots[j].key == 0)
            return false;
    }
}

/* Adds key -> val unless key is present (then 1 is returned and nothing changes). */
static int tab_add(cw_trace__slot **slots, uint64_t *mask, uint64_t *count, uint64_t key,
                   uint64_t val)
{
    if (tab_get(*slots, *mask, key, NULL))
        return 1;
    if ((*count + 1) * 2 > (*slots ? *mask + 1 : 0)) {
        uint64_t cap = *slots ? (*mask + 1) * 2 : 256;
        cw_trace__slot *n = cw_calloc(cap, sizeof *n);
        if (!n)
            return cw_error_set(CW_ENOMEM, "trace: out of memory for a %llu-slot table",
                                (unsigned long long)cap);
        for (uint64_t i = 0; *slots && i <= *mask; i++)
            if ((*slots)[i].key)
                slot_insert(n, cap - 1, (*slots)[i].key, (*slots)[i].val);
        cw_free(*slots);
        *slots = n;
        *mask = cap - 1;
    }
    slot_insert(*slots, *mask, key + 1, val);
    (*count)++;
    return 0;
}

/* The re-link rule of a CoinJoin output (CW_RULE_NONE when it is not re-linked). */
static uint8_t link_rule(const cw_trace *t, uint64_t out)
{
    uint64_t v;
    return t->n_links && tab_get(t->links, t->link_mask, out, &v) ? (uint8_t)(v & 15) : 0;
}

/* The share of a funder output's value that its round gives it first (0: not a funder). */
static uint64_t funder_want(const cw_trace *t, uint64_t out)
{
    uint64_t v;
    return t->n_funders && tab_get(t->funders, t->fund_mask, out, &v) ? v : 0;
}

static bool one_to_one_mix(const cw_chainstore *cs, uint64_t in0, uint64_t in1, uint64_t o0,
                           uint64_t o1);

/* ---------------------------------------------------------------- nodes and ends */

static int new_node(cw_trace *t, uint64_t out, uint64_t tx, uint32_t hop, uint32_t parent,
                    uint32_t *idx)
{
    if (t->n_nodes >= t->max_nodes) {
        t->stats.truncated = true;
        return 1;
    }
    int rc = GROW(t->nodes, t->cap_nodes, t->n_nodes + 1);
    if (rc == 0)
        rc = map_put(t, out, t->n_nodes);
    if (rc)
        return rc;
    t->nodes[t->n_nodes] =
        (cw_trace__node){out, 0, tx, 0, 0, hop, parent, false, 0, false, false, 0};
    *idx = (uint32_t)t->n_nodes++;
    return 0;
}

static int add_end(cw_trace *t, cw_trace_end_kind kind, uint64_t out, uint64_t tx, uint64_t addr,
                   uint64_t amount, uint64_t prob, uint8_t rule, uint32_t hop, uint32_t node)
{
    if (amount == 0) {
        if (node != UINT32_MAX && kind != CW_END_SELF)
            t->nodes[node].ended = true;
        return 0;
    }
    int rc = GROW(t->ends, t->cap_ends, t->n_ends + 1);
    if (rc)
        return rc;
    t->ends[t->n_ends++] = (cw_trace_end){
        kind, out, tx, addr, amount, hop, node, prob, prob ? (cw_trace_rule)rule : CW_RULE_NONE};
    t->stats.probable += prob;
    if (node != UINT32_MAX && kind != CW_END_SELF)
        t->nodes[node].ended = true;
    return 0;
}

static int add_ivl(cw_trace *t, uint64_t s, uint64_t e)
{
    if (t->n_ivl && t->ivl_open && t->ivl[t->n_ivl - 1].e == s) {
        t->ivl[t->n_ivl - 1].e = e; /* adjacent: merge */
        return 0;
    }
    int rc = GROW(t->ivl, t->cap_ivl, t->n_ivl + 1);
    if (rc)
        return rc;
    t->ivl[t->n_ivl++] = (cw_trace__ivl){s, e};
    t->ivl_open = true;
    return 0;
}

static uint32_t tx_height(const cw_trace *t, uint64_t tx)
{
    return cw_chainstore_block(t->cs, cw_chainstore_tx_block(t->cs, tx))->height;
}

static bool stops_at(const cw_trace *t, uint64_t addr)
{
    if (!t->labels || addr == CW_NONE64 || !cw_trace_labelmap_get(t->labels, addr, NULL, NULL))
        return false;
    if (t->opts.stop_any_label)
        return true;
    /* any of the address's labels: an exchange that is also sanctioned still stops at
     * "exchange", and its end is reported under its primary (sanctioned) label */
    for (size_t i = 0; i < t->opts.n_stop; i++)
        if (cw_trace_labelmap_has(t->labels, addr, t->opts.stop[i]))
            return true;
    return false;
}

static uint64_t out_addr(const cw_row_out *o)
{
    return o->addr == CW_NONE32 ? CW_NONE64 : o->addr;
}

/* A mixer's address (label category "mixer"): what a CoinJoin or a Tx0 pays a coordinator is
 * its fee, its income, and what a custodial mixer receives leaves the chain's trail: forward,
 * traced value ends there (as a mining fee does) and is not followed into the mixer's own
 * deposits at exchanges. */
static bool is_mixer(const cw_trace *t, uint64_t addr)
{
    const char *cat;
    return t->labels && addr != CW_NONE64 && cw_trace_labelmap_get(t->labels, addr, NULL, &cat) &&
           !strcmp(cat, "mixer");
}

/* A probable service's sweep (docs/TRACE-MODELS.md, "Service sweeps"): a tx of one or two
 * outputs whose untainted inputs are at least SWEEP_MIN_OTHERS coins, at least as many as the
 * tainted ones, at as many distinct addresses, paid by as many distinct txs, fewer than half of
 * them CoinJoin outputs. The multi-input rule puts every input under one owner, so the traced
 * coin had been paid to an owner that collects many payers' coins: an exchange or a custodial
 * mixer sweeping its deposit addresses. What it pays out later is not its depositor's coin, and
 * following the traced value into its payouts would name its other customers. SWEEP_MIN_PAID
 * to SWEEP_MIN_OTHERS - 1 such payers make one too when the gathered coins are then paid out
 * to many (pays_many), which backward is asked always (service_sweep, pool_sweep). A tx of three
 * outputs or more that pays many itself (pays_here) is a payout batch straight from the gathered
 * coins: SWEEP_MIN_PAID payers make one. */
#define SWEEP_MIN_OTHERS 5
#define SWEEP_SCAN (2 * SWEEP_MIN_OTHERS) /* untainted inputs looked at, at most */
#define SWEEP_MIN_PAID 3 /* payers, at least, of a sweep whose coins are paid out to many */

/* The prevout (global output number) of input in, or CW_NONE64 (coinbase, external);
 * *creator (when not NULL) gets the tx that made it. */
static uint64_t prevout_of(const cw_chainstore *cs, uint64_t in, uint64_t *creator)
{
    const cw_row_in *r = cw_chainstore_in(cs, in);
    if (r->spent_tx == CW_IN_EXTERNAL || r->spent_tx == CW_IN_COINBASE)
        return CW_NONE64;
    if (creator)
        *creator = r->spent_tx;
    return cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout;
}

static bool seen_or_add(uint64_t *set, size_t *n, uint64_t v)
{
    for (size_t i = 0; i < *n; i++)
        if (set[i] == v)
            return true;
    set[(*n)++] = v;
    return false;
}

static bool pays_many(const cw_trace *t, uint64_t o0, size_t n_out);

/* A batch pays many by itself: its outputs [o0, o0 + n_out) go to at least SWEEP_MIN_PAYEES
 * distinct addresses (the change counted as one of them), and none is an OP_RETURN. */
static bool pays_here(const cw_trace *t, uint64_t o0, size_t n_out);

/* A sweep-shaped tx with outputs [o0, o0 + n_out): of its first SWEEP_SCAN inputs with an
 * address (those the trace did not reach, when skip_traced: forward, t->s_node indexes the
 * inputs), at least `min` distinct addresses and `min` distinct payer txs; unless there are
 * `enough` of both, its coins are paid out to many (pays_many); and fewer than half of them are
 * CoinJoin outputs. The cheap tests first: the CoinJoin question (patterns) is asked last. */
static bool sweep_inputs(cw_trace *t, uint64_t in0, size_t n_in, bool skip_traced, size_t min,
                         size_t enough, uint64_t o0, size_t n_out)
{
    const cw_chainstore *cs = t->cs;
    uint64_t addrs[SWEEP_SCAN], payers[SWEEP_SCAN], creators[SWEEP_SCAN];
    size_t na = 0, np = 0, n_seen = 0, n_cj = 0;
    for (size_t k = 0; k < n_in && n_seen < SWEEP_SCAN; k++) {
        if (skip_traced && t->s_node[k] != UINT32_MAX)
            continue;
        uint64_t creator = 0, po = prevout_of(cs, in0 + k, &creator);
        uint64_t a = po == CW_NONE64 ? CW_NONE64 : out_addr(cw_chainstore_out(cs, po));
        if (a == CW_NONE64)
            continue;
        creators[n_seen++] = creator;
        seen_or_add(addrs, &na, a);
        seen_or_add(payers, &np, creator);
    }
    if (na < min || np < min)
        return false;
    if ((na < enough || np < enough) && !pays_many(t, o0, n_out))
        return false;
    /* until the answer is known: more than half not CoinJoin outputs, or half of them are */
    for (size_t i = 0, n_not = 0; i < n_seen && n_not * 2 <= n_seen && n_cj * 2 < n_seen; i++) {
        if (t->is_cj(t->opts.is_coinjoin_ctx, cs, creators[i]))
            n_cj++;
        else
            n_not++;
    }
    return n_cj * 2 < n_seen;
}

/* Forward: SWEEP_MIN_OTHERS payers or more are a service's sweep by themselves (whatever the
 * gatherer does next); SWEEP_MIN_PAID to SWEEP_MIN_OTHERS - 1 are when the gathered coins are
 * then paid out to many payees (pays_many: a service that sweeps a few deposits at a time). */
static bool service_sweep(cw_trace *t, uint64_t in0, size_t n_in, uint64_t o0, size_t n_out,
                          size_t n_tainted)
{
    size_t others = n_in - n_tainted;
    if (others < SWEEP_MIN_PAID || others < n_tainted)
        return false;
    if (n_out > 2) /* a payout batch straight from many payers' coins */
        return pays_here(t, o0, n_out) &&
               sweep_inputs(t, in0, n_in, true, SWEEP_MIN_PAID, SWEEP_MIN_PAID, o0, n_out);
    return sweep_inputs(t, in0, n_in, true, SWEEP_MIN_PAID, SWEEP_MIN_OTHERS, o0, n_out);
}

/* What makes the gatherer a service besides (docs/TRACE-MODELS.md, "Service sweeps"): it pays
 * the gathered coins out to many distinct payees. The txs that spend the sweep's outputs are
 * walked forward (at most SWEEP_WALK txs): a tx of one output moves the coins on (a sweep of
 * sweeps, a pool moved to a fresh address) and is walked through; the outputs of a tx of two or
 * more are payees, and the walk goes on from them for one more such tx (the payout's change
 * paying the next customers, the customer's own next tx); a labelled address ends the walk (an
 * exchange's deposit: the value left the gatherer there). At least SWEEP_MIN_PAYEES distinct
 * payee addresses make a service. A thief that gathers its coins to deposit them (even into a
 * reused address of its own) pays one or two; one that pays them on down a peel chain pays as
 * many as a service would and is stopped too (a miss, never an attribution). */
#define SWEEP_MIN_PAYEES 4
#define SWEEP_WALK 16  /* txs walked, at most */
#define SWEEP_LEVELS 2 /* txs of two or more outputs on one path, at most */

/* Queues output o of the walk (at most 2 * SWEEP_WALK), unless it pays no address or a
 * labelled one. */
static void walk_push(const cw_trace *t, uint64_t *q, uint8_t *qlev, size_t *nq, uint64_t o,
                      uint8_t lev)
{
    uint64_t a = out_addr(cw_chainstore_out(t->cs, o));
    if (*nq == 2 * SWEEP_WALK || a == CW_NONE64 ||
        (t->labels && cw_trace_labelmap_get(t->labels, a, NULL, NULL)))
        return;
    qlev[*nq] = lev;
    q[(*nq)++] = o;
}

static bool pays_many(const cw_trace *t, uint64_t o0, size_t n_out)
{
    const cw_chainstore *cs = t->cs;
    uint64_t q[2 * SWEEP_WALK], txs[SWEEP_WALK], payees[SWEEP_MIN_PAYEES];
    uint8_t qlev[2 * SWEEP_WALK];
    size_t nq = 0, head = 0, ntx = 0, npay = 0;
    for (size_t j = 0; j < n_out; j++)
        walk_push(t, q, qlev, &nq, o0 + j, 0);
    while (head < nq && ntx < SWEEP_WALK) {
        uint8_t lev = qlev[head];
        uint64_t sp = cw_chainstore_out(cs, q[head++])->spending_tx;
        if (sp == CW_NONE32 || sp >= t->counts.txs || seen_or_add(txs, &ntx, sp))
            continue;
        uint64_t in0, in1, p0, p1;
        cw_chainstore_tx_range(cs, sp, &in0, &in1, &p0, &p1);
        if (p1 - p0 >= 2) {
            lev++;
            for (uint64_t o = p0; o < p1; o++) {
                uint64_t a = out_addr(cw_chainstore_out(cs, o));
                if (a != CW_NONE64 && !seen_or_add(payees, &npay, a) && npay == SWEEP_MIN_PAYEES)
                    return true;
            }
        }
        if (lev >= SWEEP_LEVELS)
            continue;
        for (uint64_t o = p0; o < p1; o++)
            walk_push(t, q, qlev, &nq, o, lev);
    }
    return false;
}

static bool pays_here(const cw_trace *t, uint64_t o0, size_t n_out)
{
    uint64_t payees[SWEEP_MIN_PAYEES];
    size_t npay = 0;
    for (size_t j = 0; j < n_out; j++) {
        uint64_t a = out_addr(cw_chainstore_out(t->cs, o0 + j));
        if (a == CW_NONE64)
            return false; /* an OP_RETURN: a Tx0 (one user's premixes), not a payout */
        if (npay < SWEEP_MIN_PAYEES)
            (void)seen_or_add(payees, &npay, a);
    }
    return npay == SWEEP_MIN_PAYEES;
}

/* Does one of the first SWEEP_SCAN inputs [in0, in0 + n_in) spend a coin at a labelled address? */
static bool spends_labelled(const cw_trace *t, uint64_t in0, size_t n_in)
{
    for (size_t k = 0; t->labels && k < n_in && k < SWEEP_SCAN; k++) {
        uint64_t po = prevout_of(t->cs, in0 + k, NULL);
        uint64_t a = po == CW_NONE64 ? CW_NONE64 : out_addr(cw_chainstore_out(t->cs, po));
        if (a != CW_NONE64 && cw_trace_labelmap_get(t->labels, a, NULL, NULL))
            return true;
    }
    return false;
}

/* The label categories of illicit funds (a victim's published theft, a sanctions list; the
 * screening desk's default risk categories): no service's customers pay it in these. */
static bool risk_labelled(const cw_trace *t, uint64_t a)
{
    const char *const *risk = cw_label_risk_categories();
    for (size_t i = 0; risk[i]; i++)
        if (cw_trace_labelmap_has(t->labels, a, risk[i]))
            return true;
    return false;
}

/* Does one of the first SWEEP_SCAN inputs [in0, in0 + n_in) spend a coin at a risk-labelled
 * address (depth 0), or (depth d > 0) a coin made by a tx whose own first SWEEP_SCAN inputs do
 * at depth d - 1? */
static bool risk_funded(const cw_trace *t, uint64_t in0, size_t n_in, int depth)
{
    for (size_t k = 0; k < n_in && k < SWEEP_SCAN; k++) {
        uint64_t creator = 0, po = prevout_of(t->cs, in0 + k, &creator);
        if (po == CW_NONE64)
            continue;
        uint64_t a = out_addr(cw_chainstore_out(t->cs, po));
        if (a != CW_NONE64 && risk_labelled(t, a))
            return true;
        if (depth > 0) {
            uint64_t c0, c1, d0, d1;
            cw_chainstore_tx_range(t->cs, creator, &c0, &c1, &d0, &d1);
            if (risk_funded(t, c0, (size_t)(c1 - c0), depth - 1))
                return true;
        }
    }
    return false;
}

/* A gathering of illicit funds (docs/TRACE-MODELS.md, "Service sweeps"): more than half of the
 * first SWEEP_SCAN inputs with an address spend a coin at a risk-labelled address, or a coin
 * made by a tx that spends one, or by a tx that spends a coin made by such a tx (RISK_BACK txs
 * back, at most). A service's deposit addresses are paid by its customers, and a thief's
 * deposits among them stay a minority; a thief that consolidates its stolen coins (in one or
 * two rounds, after moving each once or not) before a fan-out is paid by the theft on every
 * input. */
#define RISK_BACK 2
static bool risk_gathering(const cw_trace *t, uint64_t in0, size_t n_in)
{
    size_t n_seen = 0, n_risk = 0;
    for (size_t k = 0; t->labels && k < n_in && n_seen < SWEEP_SCAN; k++) {
        uint64_t po = prevout_of(t->cs, in0 + k, NULL);
        if (po == CW_NONE64 || out_addr(cw_chainstore_out(t->cs, po)) == CW_NONE64)
            continue;
        n_seen++;
        n_risk += risk_funded(t, in0 + k, 1, RISK_BACK);
    }
    return n_seen && n_risk * 2 > n_seen;
}

/* Backward, the same sweep seen from its output (docs/TRACE-MODELS.md, "Service sweeps"): no
 * input is known to be tainted here, so the thief's own consolidation of coins from several of
 * its txs would look the same by its inputs alone; what a service's sweep has besides is what
 * its owner does with the coins: it pays them out to many payees (pays_many). A tx of one or
 * two outputs whose inputs (the first SWEEP_SCAN looked at) are at least SWEEP_MIN_PAID
 * coins at as many addresses, paid by as many txs, fewer than half of them CoinJoin outputs,
 * whose outputs are paid out to many. Whether an address is reused says nothing either way: a
 * service may rotate its pool addresses, a thief may gather into one address again and again.
 * Not a sweep: a gathering of illicit funds (risk_gathering) that the traced value reached with
 * some certain part (`certain`): the labels one to three txs back say who paid it better than the
 * shape. A gathering reached only through a CoinJoin's proportional share stays a sweep: the
 * thief's coins a round mixed are no evidence about its other participants' provenance. */
static bool pool_sweep(cw_trace *t, uint64_t in0, size_t n_in, uint64_t o0, size_t n_out,
                       bool certain)
{
    if (n_in < SWEEP_MIN_PAID)
        return false;
    bool shape;
    if (n_out > 2) /* a payout batch straight from many payers' coins, none labelled (a label
                    * one hop back says who paid better than the shape) */
        shape = pays_here(t, o0, n_out) && !spends_labelled(t, in0, n_in) &&
                sweep_inputs(t, in0, n_in, false, SWEEP_MIN_PAID, SWEEP_MIN_PAID, o0, n_out);
    else
        shape = sweep_inputs(t, in0, n_in, false, SWEEP_MIN_PAID, SIZE_MAX, o0, n_out);
    return shape && !(certain && risk_gathering(t, in0, n_in));
}

/* Dust (stop 20): a dusting campaign pays 546 to a few thousand sat to many addresses in one tx,
 * honest users' and honest customers' deposit addresses among them, to make them look tied to
 * its source. An output of at most DUST_MAX_SAT whose creating tx pays at least DUST_MIN_OUTS
 * such outputs, and whose spender (if any) adds at least DUST_SHARE times its value from its
 * other inputs (the taint is at most 1 % of what the spender adds, the EVM's dusted_payer rule)
 * is not followed and is no deposit of the source: it ends as `dust`. A real deposit is far
 * above any exchange's minimum; a thief's one small payment is not a many-output dusting. The
 * cap was 2,000 sat until stop 24: btcalt8's campaign (546-5,000 sat) put certain value on the
 * dust above 2,000 and on the dusted users' later deposits; what keeps the rule sound is
 * DUST_SHARE (the holder adds 100 times the dust), so the cap is 0.0001 BTC. */
#define DUST_MAX_SAT 10000
#define DUST_MIN_OUTS 10
#define DUST_SHARE 100

static bool dusting_output(const cw_trace *t, uint64_t out, uint64_t tx, const cw_row_out *o)
{
    uint64_t v = cw_out_value(o);
    if (v > DUST_MAX_SAT)
        return false;
    uint64_t in0, in1, o0, o1;
    cw_chainstore_tx_range(t->cs, tx, &in0, &in1, &o0, &o1);
    if (o1 - o0 < DUST_MIN_OUTS)
        return false;
    size_t n_dust = 0;
    for (uint64_t j = o0; j < o1 && n_dust < DUST_MIN_OUTS; j++)
        if (cw_out_value(cw_chainstore_out(t->cs, j)) <= DUST_MAX_SAT)
            n_dust++;
    if (n_dust < DUST_MIN_OUTS)
        return false;
    uint64_t sp = o->spending_tx;
    if (sp == CW_NONE32 || sp >= t->counts.txs)
        return true;
    cw_chainstore_tx_range(t->cs, sp, &in0, &in1, &o0, &o1);
    uint64_t added = 0, need = (uint64_t)DUST_SHARE * v;
    for (uint64_t k = in0; k < in1 && added < need; k++) {
        uint64_t po = prevout_of(t->cs, k, NULL);
        if (po != CW_NONE64 && po != out)
            added += cw_out_value(cw_chainstore_out(t->cs, po));
    }
    return added >= need;
}

/* ---------------------------------------------------------------- a third party's own account */

/* docs/TRACE-MODELS.md, "A third party's own account" (opts.third_party). An address's history
 * is walked newest first for at most TP_WALK outputs, its outputs since the theft included. A
 * walk that ends there before it reached an output paid before the theft (busy since) takes the
 * address for an established account when it was first paid in an earlier block than the
 * theft's (its id is below the block's first_addr: ids are given in order of first appearance):
 * so busy an address is someone's living wallet, and what it pays on is probable (the EVM walk's
 * answer, evm_history). One first paid in the theft's block or later (the thief's fresh address,
 * however busy it is made since) counts what the walk saw: not established, certain. */
#define TP_WALK 4096

/* Address a was first paid (or first spent a coin from before the store) in an earlier block
 * than tx before's. */
static bool tp_older(const cw_chainstore *cs, uint64_t a, uint64_t before)
{
    if (before >= cw_chainstore_counts_get(cs).txs)
        return false;
    const cw_row_block *b = cw_chainstore_block(cs, cw_chainstore_tx_block(cs, before));
    return b && a < b->first_addr;
}

/* Tx c paid its outputs with the thief's coins by a fact the investigator put in the labels the
 * trace reads: it spends a coin at an address labelled theft, and it is not a CoinJoin (whose
 * inputs are many owners'). A coin at such an address is spent by whoever holds its key: the
 * thief of an earlier heist (docs/TRACE-MODELS.md, "A thief's own earlier receipts"). */
static bool tp_thief_paid(const cw_trace *t, uint64_t c)
{
    uint64_t in0, in1, o0, o1;
    if (c >= t->counts.txs)
        return false;
    cw_chainstore_tx_range(t->cs, c, &in0, &in1, &o0, &o1);
    bool labelled = false;
    for (uint64_t k = in0; k < in1 && !labelled; k++) {
        uint64_t po = prevout_of(t->cs, k, NULL);
        uint64_t pa = po == CW_NONE64 ? CW_NONE64 : out_addr(cw_chainstore_out(t->cs, po));
        labelled = pa != CW_NONE64 && cw_trace_labelmap_has(t->labels, pa, "theft");
    }
    return labelled && !t->is_cj(t->opts.is_coinjoin_ctx, t->cs, c);
}

/* cw_trace__tp_established; with t (its labels not empty), a receipt before the theft paid by
 * a tx tp_thief_paid says is not counted: it was the thief's own coin, not the address's (with
 * not_own, its sat and txs are added to not_own[0] and not_own[1]). */
static bool tp_walk(const cw_chainstore *cs, const cw_trace *t, uint64_t a, uint64_t before,
                    uint64_t out0, uint64_t n_outs, bool early, uint64_t *recv, uint64_t *not_own)
{
    uint64_t n_tx = 0, last = CW_NONE64, o;
    bool spent = false, reached = false, thief = false;
    size_t walked = 0;
    *recv = 0;
    for (o = cw_chainstore_addr_last(cs, a); o != CW_NONE64 && walked < TP_WALK;
         o = cw_chainstore_outlink(cs, o), walked++) {
        if (o >= out0 || o >= n_outs)
            continue; /* paid at or after the theft */
        reached = true;
        const cw_row_out *r = cw_chainstore_out(cs, o);
        uint64_t c = cw_chainstore_out_tx(cs, o);
        if (c != last) {
            last = c;
            thief = t && tp_thief_paid(t, c);
            n_tx += !thief;
            if (thief && not_own)
                not_own[1]++;
        }
        if (thief) { /* the thief's coin: not the address's own */
            if (not_own)
                not_own[0] += cw_out_value(r);
            continue;
        }
        *recv += cw_out_value(r);
        if (r->spending_tx != CW_NONE32 && r->spending_tx < before)
            spent = true;
        if (early && *recv > 0 && (n_tx >= 2 || spent))
            return true;
    }
    if (o != CW_NONE64 && !reached && tp_older(cs, a, before)) {
        *recv = CW_TRACE__TP_BUSY; /* busy since: what it received before is not counted */
        return true;
    }
    return *recv > 0 && (n_tx >= 2 || (n_tx == 1 && spent));
}

bool cw_trace__tp_established(const cw_chainstore *cs, uint64_t a, uint64_t before, uint64_t out0,
                              uint64_t n_outs, bool early, uint64_t *recv)
{
    return tp_walk(cs, NULL, a, before, out0, n_outs, early, recv, NULL);
}

void cw_trace__tp_not_own(const cw_trace *t, uint64_t a, uint64_t *sat, uint64_t *txs)
{
    uint64_t n[2] = {0, 0}, recv;
    if (a != CW_NONE64 && t->labels && !cw_trace_labelmap_empty(t->labels))
        (void)tp_walk(t->cs, t, a, t->tp_before, t->tp_out0, t->counts.outs, false, &recv, n);
    *sat = n[0];
    *txs = n[1];
}
/* Address a is a third party's established account: before the theft (t->tp_before) it was
 * paid by two or more txs, or by one and spent, or it is busy since (CW_TRACE__TP_BUSY); never
 * an address a source was paid to (the thief's own, whatever its past). With labels, receipts
 * a thief paid (tp_thief_paid) are not its own, and an address labelled theft is the thief's
 * itself. *own: what it received
 * before the theft (CW_TRACE__TP_BUSY: not counted), 0 when it is not established. Memoised per
 * address (own + 1, CW_TRACE__TP_BUSY as itself). */
static int tp_account(cw_trace *t, uint64_t a, uint64_t *own)
{
    *own = 0;
    if (a == CW_NONE64 || tab_get(t->tp_src, t->tps_mask, a, NULL))
        return 0;
    uint64_t v;
    if (tab_get(t->tp_memo, t->tpm_mask, a, &v)) {
        *own = v == CW_TRACE__TP_BUSY ? v : v ? v - 1 : 0;
        return 0;
    }
    uint64_t recv = 0;
    bool facts = t->labels && !cw_trace_labelmap_empty(t->labels);
    bool est = !(facts && cw_trace_labelmap_has(t->labels, a, "theft")) &&
               tp_walk(t->cs, facts ? t : NULL, a, t->tp_before, t->tp_out0, t->counts.outs, false,
                       &recv, NULL);
    uint64_t memo = !est ? 0 : recv == CW_TRACE__TP_BUSY ? recv : recv + 1;
    int rc = tab_add(&t->tp_memo, &t->tpm_mask, &t->n_tpm, a, memo);
    if (rc != 0 && rc != 1)
        return rc;
    *own = est ? recv : 0;
    return 0;
}

/* docs/TRACE-MODELS.md, "A wallet that was there before the theft" (evidence
 * pre_theft_address). An untraced coin a forward spend adds, at address a, is the coin of a
 * wallet with a life before the theft when a was first paid (or first spent a coin from before
 * the store) in an earlier block than the theft's (tp_older), is no address a source was paid
 * to, and, with labels, is not labelled theft and was not paid by a tx tp_thief_paid says the
 * thief paid. */
static bool tp_prior_coin(const cw_trace *t, uint64_t a, uint64_t po)
{
    if (a == CW_NONE64 || tab_get(t->tp_src, t->tps_mask, a, NULL) ||
        !tp_older(t->cs, a, t->tp_before))
        return false;
    if (!t->labels || cw_trace_labelmap_empty(t->labels))
        return true;
    return !cw_trace_labelmap_has(t->labels, a, "theft") &&
           !tp_thief_paid(t, cw_chainstore_out_tx(t->cs, po));
}

/* docs/TRACE-MODELS.md, "A payment whose payer kept its change at its own address" (evidence
 * self_change_payee). Coin po (at address a) was paid away by its creator c: c (not a
 * CoinJoin; at most TP_PAY_MAX inputs and two outputs, a wallet's payment and its change) pays
 * its other output back to an address one of its inputs was held at (the payer's change, by
 * address reuse), and a is none of its inputs' addresses. */
#define TP_PAY_MAX 16

static bool tp_paid_away(const cw_trace *t, uint64_t po, uint64_t c)
{
    const cw_chainstore *cs = t->cs;
    uint64_t in0, in1, o0, o1, ia[TP_PAY_MAX];
    uint64_t a = out_addr(cw_chainstore_out(cs, po));
    if (c >= t->counts.txs || a == CW_NONE64)
        return false;
    cw_chainstore_tx_range(cs, c, &in0, &in1, &o0, &o1);
    if (in1 - in0 > TP_PAY_MAX || o1 - o0 != 2)
        return false; /* a payment and its change (a fan-out that pays one of its own input
                       * addresses too pays its own fresh ones beside it: btc_alt6's thief) */
    size_t n = 0;
    for (uint64_t k = in0; k < in1; k++) {
        uint64_t p = prevout_of(cs, k, NULL);
        uint64_t pa = p == CW_NONE64 ? CW_NONE64 : out_addr(cw_chainstore_out(cs, p));
        if (pa == a)
            return false; /* back to its own input's address: the payer's change */
        if (pa != CW_NONE64)
            ia[n++] = pa;
    }
    bool back = false;
    for (uint64_t j = o0; j < o1 && !back; j++) {
        uint64_t oa = j == po ? CW_NONE64 : out_addr(cw_chainstore_out(cs, j));
        for (size_t i = 0; i < n && oa != CW_NONE64 && !back; i++)
            back = oa == ia[i];
    }
    return back && !t->is_cj(t->opts.is_coinjoin_ctx, cs, c);
}

/* Whether tx (not a CoinJoin, not a sweep) is a third party's spend from its own account, into
 * record tr (tp_kind 0: it is not). Forward, an input carrying traced value (s_node set, not a
 * source) held at an established account (CW_TRACE__TP_ACCOUNT), or an untraced input of over
 * DUST_MAX_SAT held at one (CW_TRACE__TP_OWN_COIN: the spender adds its own coins); failing
 * both, when a traced input is not a source (the spender received it: a source is the thief's
 * own coin), an untraced input of over DUST_MAX_SAT at an address in use before the theft
 * (tp_prior_coin, CW_TRACE__TP_PRIOR: a wallet that was there before the theft adds its coins;
 * the largest such coin is named), unless tx is a probable PayJoin (the payer holds the traced
 * coin, the payee added its own: rule payjoin judges it); failing that, a traced input that is not
 * a source and was paid away by its creator (tp_paid_away, CW_TRACE__TP_PAYEE: its payer kept its
 * change at its own input address; the first such input is named). Backward (the traced value of
 * tx's outputs goes to every input): any input at an established account. */
static int tp_spend(cw_trace *t, cw_trace__txrec *tr, uint64_t in0, size_t n_in, bool fwd)
{
    const cw_chainstore *cs = t->cs;
    bool received = false; /* forward: a traced input that is not a source */
    for (size_t k = 0; fwd && k < n_in && !received; k++)
        received = t->s_node[k] != UINT32_MAX && t->s_node[k] >= t->n_src_nodes;
    uint64_t prior_addr = CW_NONE64, prior_v = 0, payee_addr = CW_NONE64, payer = CW_NONE64;
    for (size_t k = 0; k < n_in; k++) {
        uint64_t c = CW_NONE64, po = prevout_of(cs, in0 + k, &c), own = 0;
        if (po == CW_NONE64 || po >= t->counts.outs)
            continue;
        const cw_row_out *o = cw_chainstore_out(cs, po);
        uint64_t a = out_addr(o), v = cw_out_value(o);
        uint32_t ni = fwd ? t->s_node[k] : UINT32_MAX;
        if (ni != UINT32_MAX && ni < t->n_src_nodes)
            continue; /* a source: the thief's own coin */
        uint64_t idx;
        if (!fwd && map_get(t, po, &idx) && idx < t->n_src_nodes)
            continue; /* the screened address's own coin (its value ends as "self") */
        if (ni == UINT32_MAX && v <= DUST_MAX_SAT)
            continue; /* a speck added is no evidence of an account */
        int rc = tp_account(t, a, &own);
        if (rc)
            return rc;
        if (!own) {
            if (received && ni == UINT32_MAX && v > prior_v && tp_prior_coin(t, a, po)) {
                prior_addr = a;
                prior_v = v;
            } else if (fwd && ni != UINT32_MAX && payee_addr == CW_NONE64 &&
                       tp_paid_away(t, po, c)) {
                payee_addr = a;
                payer = c;
            }
            continue;
        }
        bool traced = !fwd || ni != UINT32_MAX;
        if (traced && tr->tp_kind != CW_TRACE__TP_ACCOUNT) {
            tr->tp_kind = CW_TRACE__TP_ACCOUNT;
            tr->tp_addr = a;
            tr->tp_own = own;
        } else if (!traced && tr->tp_kind != CW_TRACE__TP_ACCOUNT && own > tr->tp_own) {
            tr->tp_kind = CW_TRACE__TP_OWN_COIN;
            tr->tp_addr = a;
            tr->tp_own = own;
        }
    }
    if (!tr->tp_kind && prior_addr != CW_NONE64 && !cw_cluster_payjoin_probable(cs, tr->tx, 0)) {
        tr->tp_kind = CW_TRACE__TP_PRIOR;
        tr->tp_addr = prior_addr;
        tr->tp_own = prior_v;
    } else if (!tr->tp_kind && payee_addr != CW_NONE64) {
        tr->tp_kind = CW_TRACE__TP_PAYEE;
        tr->tp_addr = payee_addr;
        tr->tp_own = payer;
    }
    return 0;
}

/* ------------------------------------------------------ a Lightning channel's other side */

int cw_trace__ln_close(const cw_chainstore *cs, uint64_t tx)
{
    uint64_t in0, in1, o0, o1;
    if (tx >= cw_chainstore_counts_get(cs).txs)
        return CW_TRACE__LN_NONE;
    cw_chainstore_tx_range(cs, tx, &in0, &in1, &o0, &o1);
    if (in1 - in0 != 1 || o1 == o0)
        return CW_TRACE__LN_NONE;
    uint64_t po = prevout_of(cs, in0, NULL);
    if (po == CW_NONE64)
        return CW_TRACE__LN_NONE;
    cw_script_type ty = cw_out_type(cw_chainstore_out(cs, po));
    uint32_t seq = cw_chainstore_in(cs, in0)->sequence;
    uint32_t lt = cw_chainstore_txmeta(cs, tx).locktime;
    if ((lt >> 24) == 0x20 && (seq >> 24) == 0x80 &&
        (ty == CW_SCRIPT_P2WSH || ty == CW_SCRIPT_P2TR))
        return CW_TRACE__LN_FORCE;
    if (lt == 0 && seq == 0xFFFFFFFFu && ty == CW_SCRIPT_P2WSH && o1 - o0 <= 2)
        return CW_TRACE__LN_COOP;
    return CW_TRACE__LN_NONE;
}

/* docs/TRACE-MODELS.md, "A Lightning channel's other side". Whether tx spends an output of a
 * Lightning channel close (cw_trace__ln_close) that is not provably the thief's, into record tr
 * (CW_TRACE__TP_CHANNEL, tp_addr the output's address, tp_own the close). A close splits the
 * channel between its two sides, and nothing on the chain says which output is whose: the
 * thief's balance, or the peer's (what the thief paid through the channel), or an HTLC its
 * claimant takes. The close's outputs are receipts (certain); their spend is a third party's
 * unless it is provably the thief's. Forward that is: the output sits at an address a source was
 * paid to, or the spend adds a coin of certain traced value that is not a close's output (the
 * thief's own coins spent beside it). Backward (screening) any input from a close counts, the
 * screened address's own coins apart. */
static void ln_spend(cw_trace *t, cw_trace__txrec *tr, uint64_t in0, size_t n_in, bool fwd)
{
    const cw_chainstore *cs = t->cs;
    uint64_t addr = CW_NONE64, close = CW_NONE64;
    bool thief_coin = false;
    for (size_t k = 0; k < n_in; k++) {
        uint64_t c = 0, po = prevout_of(cs, in0 + k, &c), idx;
        uint32_t ni = fwd ? t->s_node[k] : UINT32_MAX;
        if (po == CW_NONE64 || po >= t->counts.outs || (fwd && ni == UINT32_MAX))
            continue; /* forward: an untraced coin says nothing of the side */
        if (!fwd && map_get(t, po, &idx) && idx < t->n_src_nodes)
            continue; /* the screened address's own coin */
        bool src = fwd && ni < t->n_src_nodes;
        uint64_t a = out_addr(cw_chainstore_out(cs, po));
        if (!src && cw_trace__ln_close(cs, c) &&
            !(fwd && a != CW_NONE64 && tab_get(t->tp_src, t->tps_mask, a, NULL))) {
            if (close == CW_NONE64) {
                close = c;
                addr = a;
            }
        } else if (fwd && (src || t->nodes[ni].amount > t->nodes[ni].prob)) {
            thief_coin = true;
        }
    }
    if (close == CW_NONE64 || thief_coin)
        return;
    tr->tp_kind = CW_TRACE__TP_CHANNEL;
    tr->tp_addr = addr;
    tr->tp_own = close;
}

/* Marks the tx of record tr a third party's spend when tp_spend (with the theft known) or
 * ln_spend says so: the certain value through it (T - *P) becomes probable. */
static int tp_apply(cw_trace *t, uint64_t in0, size_t n_in, bool fwd, uint64_t T, uint64_t *P,
                    uint8_t *rule)
{
    cw_trace__txrec *tr = &t->txr[t->n_txr - 1];
    if (!t->opts.third_party || T <= *P || t->opts.model == CW_TRACE_POISON)
        return 0;
    int rc = t->tp_before ? tp_spend(t, tr, in0, n_in, fwd) : 0;
    if (rc)
        return rc;
    if (!tr->tp_kind)
        ln_spend(t, tr, in0, n_in, fwd);
    if (!tr->tp_kind)
        return 0;
    tr->tp_value = T - *P;
    t->stats.third_party_txs++;
    t->stats.third_party_value += T - *P;
    *P = T;
    *rule = CW_RULE_THIRD_PARTY;
    return 0;
}

/* The output is a cross-chain swap vault's deposit: the first output of a tx whose OP_RETURN
 * memo swaps to another chain (THORChain's observers read the first output as the vault, the
 * memo from OP_RETURN, the rest as the sender's change). The value there leaves Bitcoin. */
static bool vault_deposit(const cw_trace *t, uint64_t out, uint64_t tx)
{
    if (t->opts.model == CW_TRACE_POISON || tx == CW_NONE64 ||
        out != cw_chainstore_tx_first_out(t->cs, tx) || !t->counts.memos)
        return false;
    cw_evm_memo m;
    bool ok;
    return cw_trace_bridge_memo(t->cs, tx, &m, &ok);
}

/* Forward: decides what happens to the value at a new node (follow it or end it). */
static int settle_forward(cw_trace *t, uint32_t ni, bool source)
{
    cw_trace__node *n = &t->nodes[ni];
    const cw_row_out *o = cw_chainstore_out(t->cs, n->out);
    uint64_t addr = out_addr(o);
    if (addr == CW_NONE64)
        return add_end(t, CW_END_BURNED, n->out, n->tx, addr, n->amount, n->prob, n->rule, n->hop,
                       ni);
    if (!source && t->opts.dust_rule && dusting_output(t, n->out, n->tx, o)) {
        n->dusting = true;
        t->stats.dusting_outputs++;
        t->stats.dusting_value += n->amount;
        return add_end(t, CW_END_DUST, n->out, n->tx, addr, n->amount, n->prob, n->rule, n->hop,
                       ni);
    }
    if (!source && vault_deposit(t, n->out, n->tx))
        return add_end(t, CW_END_BRIDGE, n->out, n->tx, addr, n->amount, n->prob, n->rule, n->hop,
                       ni);
    if (!source && (stops_at(t, addr) || is_mixer(t, addr)))
        return add_end(t, CW_END_LABEL, n->out, n->tx, addr, n->amount, n->prob, n->rule, n->hop,
                       ni);
    uint64_t sp = o->spending_tx;
    if (sp == CW_NONE32 || sp >= t->counts.txs ||
        (t->opts.until_height != UINT32_MAX && tx_height(t, sp) > t->opts.until_height))
        return add_end(t, CW_END_UNSPENT, n->out, n->tx, addr, n->amount, n->prob, n->rule, n->hop,
                       ni);
    if (!source && n->amount < t->opts.min_value)
        return add_end(t, CW_END_DUST, n->out, n->tx, addr, n->amount, n->prob, n->rule, n->hop,
                       ni);
    /* a probable fragment that is a sliver of its coin is not followed: after a CoinJoin or
     * two, a shared share says nothing about who holds the coin. A re-linked output is: its
     * holder is known (the source's owner), only its share of the round's value is small. So
     * is a PayJoin's (rule payjoin): no round shared it, its payer's coins are followed; and
     * a source's own probable share (rule probable-source): no round shared it either */
    if (!source && n->prob && n->rule != CW_RULE_PAYJOIN && n->rule != CW_RULE_SOURCE &&
        t->opts.probable_floor > 0.0 &&
        (double)n->amount < t->opts.probable_floor * (double)cw_out_value(o) &&
        !(t->n_lr && sp != CW_NONE32 && tab_get(t->lrounds, t->lr_mask, sp, NULL)) &&
        !link_rule(t, n->out))
        return add_end(t, CW_END_DUST, n->out, n->tx, addr, n->amount, n->prob, n->rule, n->hop,
                       ni);
    if (t->opts.max_hops && n->hop >= t->opts.max_hops)
        return add_end(t, CW_END_FRONTIER, n->out, n->tx, addr, n->amount, n->prob, n->rule, n->hop,
                       ni);
    return push_tx(t, sp);
}

/* Backward: the value at a new node (a prevout) is followed to the tx that created it. */
static int settle_backward(cw_trace *t, uint32_t ni, bool source)
{
    cw_trace__node *n = &t->nodes[ni];
    const cw_row_out *o = cw_chainstore_out(t->cs, n->out);
    uint64_t addr = out_addr(o);
    uint64_t creator = cw_chainstore_out_tx(t->cs, n->out);
    if (!source) {
        if (addr != CW_NONE64 && addr == t->opts.self_addr)
            return add_end(t, CW_END_SELF, n->out, n->tx, addr, n->amount, n->prob, n->rule, n->hop,
                           ni);
        if (stops_at(t, addr))
            return add_end(t, CW_END_LABEL, n->out, n->tx, addr, n->amount, n->prob, n->rule,
                           n->hop, ni);
        if (n->amount < t->opts.min_value)
            return add_end(t, CW_END_DUST, n->out, n->tx, addr, n->amount, n->prob, n->rule, n->hop,
                           ni);
        if ((t->opts.max_hops && n->hop >= t->opts.max_hops) ||
            (t->opts.until_height != UINT32_MAX && tx_height(t, creator) < t->opts.until_height))
            return add_end(t, CW_END_FRONTIER, n->out, n->tx, addr, n->amount, n->prob, n->rule,
                           n->hop, ni);
    }
    return push_tx(t, creator);
}

/* ---------------------------------------------------------------- apportioning */

typedef cw_trace__rem rem_slot;

static int cmp_rem(const void *a, const void *b)
{
    const rem_slot *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem < y->rem ? 1 : -1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* out[i] = total * w[i] / W rounded by the largest-remainder rule (ties to the lower index):
 * the parts sum to total exactly. */
static int apportion(cw_trace *t, uint64_t total, const uint64_t *w, size_t n, uint64_t W,
                     uint64_t *out)
{
    if (W == 0) {
        memset(out, 0, n * sizeof *out);
        return 0;
    }
    int rc = GROW(t->rem, t->cap_rem, n);
    if (rc)
        return rc;
    rem_slot *rs = t->rem;
    uint64_t placed = 0;
    for (size_t i = 0; i < n; i++) {
        u128 p = (u128)total * w[i];
        out[i] = (uint64_t)(p / W);
        rs[i] = (rem_slot){(uint64_t)(p % W), (uint32_t)i};
        placed += out[i];
    }
    uint64_t left = total - placed; /* < n */
    if (left) {
        qsort(rs, n, sizeof *rs, cmp_rem);
        for (size_t k = 0; k < left && k < n; k++)
            out[rs[k].idx]++;
    }
    return 0;
}

/* ---------------------------------------------------------------- per-tx scratch */

static int scratch(cw_trace *t, size_t n_in, size_t n_out)
{
    size_t n = (n_in > n_out ? n_in : n_out) + 1;
    int rc = GROW(t->s_val, t->cap_s_val, n);
    if (rc == 0)
        rc = GROW(t->s_node, t->cap_s_node, n);
    if (rc == 0)
        rc = GROW(t->s_amt, t->cap_s_amt, n);
    if (rc == 0)
        rc = GROW(t->s_perm, t->cap_s_perm, n);
    if (rc == 0)
        rc = GROW(t->s_oval, t->cap_s_oval, n);
    if (rc == 0)
        rc = GROW(t->s_operm, t->cap_s_operm, n);
    if (rc == 0)
        rc = GROW(t->s_oamt, t->cap_s_oamt, n);
    if (rc == 0)
        rc = GROW(t->s_prob, t->cap_s_prob, n);
    if (rc == 0)
        rc = GROW(t->s_tmp, t->cap_s_tmp, 2 * n);
    if (rc == 0)
        rc = GROW(t->s_pre, t->cap_s_pre, n);
    return rc;
}

/* A CoinJoin candidate: every CoinJoin rule wants at least 2 inputs and at least 2 outputs of
 * one value (t->s_oval holds the output values), a cheap filter before the pattern rules.
 * Poison is reach, not attribution: it does not ask. */
static bool is_cj(cw_trace *t, uint64_t tx, size_t n_in, size_t n_out)
{
    if (n_in < 2 || n_out < 2 || t->opts.model == CW_TRACE_POISON)
        return false;
    bool equal = n_out > 64; /* large rounds: ask the rules */
    for (size_t i = 0; !equal && i < n_out; i++)
        for (size_t j = i + 1; j < n_out; j++)
            if (t->s_oval[i] == t->s_oval[j]) {
                equal = true;
                break;
            }
    return equal && t->is_cj(t->opts.is_coinjoin_ctx, t->cs, tx);
}

/* The rule a CoinJoin applies: rank is a FIFO rule (haircut shares by value, which is the
 * proportional rule; poison touches every output, as through) */
static uint8_t policy_rule(const cw_trace *t)
{
    cw_trace_coinjoin c = t->opts.coinjoin;
    if (t->opts.model == CW_TRACE_POISON)
        return CW_RULE_CJ_ORDER;
    if (t->opts.model == CW_TRACE_HAIRCUT)
        return c == CW_CJ_ORDER ? CW_RULE_CJ_ORDER : CW_RULE_CJ_PROPORTIONAL;
    return c == CW_CJ_RANK           ? CW_RULE_CJ_RANK
           : c == CW_CJ_PROPORTIONAL ? CW_RULE_CJ_PROPORTIONAL
                                     : CW_RULE_CJ_ORDER;
}

/* Ranked FIFO in a CoinJoin: the traced value that reached a run of equal-valued parts (in
 * the rank order p, where equal values are adjacent) is shared equally by the run (largest
 * remainder), and those parts carry it as a prefix: picking one coin of a group of equal
 * coins would be a guess. */
static int pool_equal(cw_trace *t, const uint32_t *p, const uint64_t *val, size_t n, uint64_t *amt,
                      uint8_t *pre)
{
    uint64_t *w = t->s_tmp, *o = t->s_tmp + n;
    for (size_t k = 0; k < n;) {
        size_t e = k + 1;
        while (e < n && val[p[e]] == val[p[k]])
            e++;
        if (e - k >= 2) {
            uint64_t sum = 0;
            for (size_t q = k; q < e; q++) {
                sum += amt[p[q]];
                w[q - k] = 1;
                pre[p[q]] = 1;
            }
            if (sum) {
                int rc = apportion(t, sum, w, e - k, e - k, o);
                if (rc)
                    return rc;
                for (size_t q = k; q < e; q++)
                    amt[p[q]] = o[q - k];
            }
        }
        k = e;
    }
    return 0;
}

/* The possible payers of a round's n inputs: an input joins the payer of the first earlier input
 * that spends an output of the same tx (creator[q]; CW_NONE64: a payer of its own) when that tx
 * is not a CoinJoin (one wallet's coins together). pid[q]: the first input of q's payer (q
 * itself when it is the first). Used by rank_by_amounts (forward FIFO) and round_by_amounts'
 * caller (screening). */
static void group_payers(const cw_trace *t, const uint64_t *creator, size_t n, uint64_t *pid)
{
    for (size_t q = 0; q < n; q++) {
        pid[q] = q;
        if (creator[q] == CW_NONE64)
            continue;
        for (size_t e = 0; e < q; e++)
            if (creator[e] == creator[q]) {
                if (!t->is_cj(t->opts.is_coinjoin_ctx, t->cs, creator[q]))
                    pid[q] = pid[e];
                break;
            }
    }
}

/* A ranked many-output round (a CoinJoin that is not a one-to-one mix), one owner per output
 * and a participant's outputs paid from its own inputs (as round_by_amounts, for screening).
 * The traced coins (value VT; U = V_in - VT is everyone else's) pay first every output worth
 * more than U (forced: nobody else could); what they have left, B = VT - the forced outputs,
 * cannot pay an output worth more than B that U could pay. Such an output is not the traced
 * owner's by its amount: what rank gave it is taken off and given to the outputs B
 * can pay (no coordinator's), in rank order, each up to w / k of its value w, k the possible
 * payers that could have paid it (the traced coins and each other payer whose coins together
 * are worth w or more; a payer is the inputs spending outputs of one tx that is not a
 * CoinJoin, or one input). What finds no room there is returned (*unplaced): it entered the
 * round and the amounts do not say where it went (docs/TRACE-MODELS.md, "Bounded by
 * amounts"). */
static void rank_by_amounts(cw_trace *t, uint64_t in0, size_t n_in, uint64_t o0, size_t n_out,
                            uint64_t V_in, const uint32_t *pout, uint64_t *oamt, uint64_t *unplaced)
{
    *unplaced = 0;
    if (one_to_one_mix(t->cs, in0, in0 + n_in, o0, o0 + n_out))
        return;
    uint64_t VT = 0, forced = 0, mv = 0;
    for (size_t k = 0; k < n_in; k++)
        if (t->s_node[k] != UINT32_MAX)
            VT += t->s_val[k];
    uint64_t U = V_in - VT;
    for (size_t j = 0; j < n_out; j++)
        if (t->s_oval[j] > U)
            forced += t->s_oval[j];
    uint64_t B = VT > forced ? VT - forced : 0;
    uint64_t *coord = t->s_tmp; /* 1: a coordinator's output */
    for (size_t j = 0; j < n_out; j++) {
        coord[j] = t->labels && cw_trace_labelmap_has(
                                    t->labels, out_addr(cw_chainstore_out(t->cs, o0 + j)), "mixer");
        uint64_t w = t->s_oval[j];
        if (!coord[j] && w <= U && w > B && oamt[j]) {
            mv += oamt[j];
            oamt[j] = 0;
        }
    }
    if (!mv)
        return;
    /* the other payers' values: s_amt (free here: FIFO positions are not used in a CoinJoin,
     * whose outputs all carry their amounts spread) holds first each untraced input's creator
     * (the traced coins are left out), then each payer's value summed on its first input;
     * s_tmp + n_out: the payer of each input */
    uint64_t *pay = t->s_amt, *pid = t->s_tmp + n_out;
    for (size_t k = 0; k < n_in; k++) {
        const cw_row_in *r = cw_chainstore_in(t->cs, in0 + k);
        pay[k] = t->s_node[k] != UINT32_MAX || r->spent_tx == CW_IN_EXTERNAL ||
                         r->spent_tx == CW_IN_COINBASE
                     ? CW_NONE64
                     : r->spent_tx;
    }
    group_payers(t, pay, n_in, pid);
    memset(pay, 0, n_in * sizeof *pay);
    for (size_t k = 0; k < n_in; k++)
        if (t->s_node[k] == UINT32_MAX)
            pay[pid[k]] += t->s_val[k];
    uint64_t left = mv;
    double fl = t->opts.probable_floor;
    for (size_t q = 0; q < n_out && left; q++) {
        uint32_t j = pout[q];
        uint64_t w = t->s_oval[j];
        if (coord[j] || w > B || w > U)
            continue;
        uint64_t kk = 1; /* the traced coins */
        for (size_t k = 0; k < n_in; k++)
            if (pay[k] >= w)
                kk++;
        /* a one-in-k share at or under the probable floor is not placed: the floor would end
         * it as a sliver on a coin that is k - 1 times more likely someone else's (exactly on
         * the floor, w / k would be followed or not by w's last digits) */
        if (fl > 0.0 && (double)kk * fl >= 1.0)
            continue;
        uint64_t lim = w / kk;
        if (oamt[j] >= lim)
            continue;
        uint64_t take = lim - oamt[j] < left ? lim - oamt[j] : left;
        oamt[j] += take;
        left -= take;
    }
    *unplaced = left;
}

/* The probable part of each of n parts carrying amt (which sum to W): all of it after a
 * CoinJoin, else the inputs' probable total P shared pro rata. */
static int split_prob(cw_trace *t, bool cj, uint64_t P, const uint64_t *amt, size_t n, uint64_t W,
                      uint64_t *prob)
{
    if (cj) {
        memcpy(prob, amt, n * sizeof *prob);
        return 0;
    }
    if (P == 0 || W == 0) {
        memset(prob, 0, n * sizeof *prob);
        return 0;
    }
    if (P >= W) {
        memcpy(prob, amt, n * sizeof *prob);
        return 0;
    }
    return apportion(t, P, amt, n, W, prob);
}

static void identity(uint32_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint32_t)i;
}

/* Ranks indexes by value, largest first, ties by index (a stable order). */
static void rank_perm(uint32_t *p, const uint64_t *v, size_t n)
{
    /* insertion sort: CoinJoins have at most a few hundred outputs, and qsort's comparator
     * could not see the values without global state */
    identity(p, n);
    for (size_t i = 1; i < n; i++) {
        uint32_t x = p[i];
        size_t j = i;
        while (j > 0 && v[p[j - 1]] < v[x]) {
            p[j] = p[j - 1];
            j--;
        }
        p[j] = x;
    }
}

/* The output order of a ranked CoinJoin: outputs paid to a coordinator (label category
 * "mixer") first, as fees are, then the rest by value, largest first. */
static void rank_out_perm(const cw_trace *t, uint32_t *p, const uint64_t *v, uint64_t o0, size_t n)
{
    rank_perm(p, v, n);
    if (!t->labels)
        return;
    size_t front = 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t a = out_addr(cw_chainstore_out(t->cs, o0 + p[k]));
        if (cw_trace_labelmap_has(t->labels, a, "mixer")) {
            uint32_t x = p[k];
            memmove(p + front + 1, p + front, (k - front) * sizeof *p);
            p[front++] = x;
        }
    }
}

/* Clips the sorted intervals A[0..nA) (axis coordinates) to [lo, hi) and appends them,
 * shifted to start at lo, to the pool. *pa is a cursor that only moves forward past
 * intervals ending at or before lo (ranges are visited in increasing order). Returns the
 * clipped length through *len. */
static int clip(cw_trace *t, const cw_trace__ivl *A, size_t nA, size_t *pa, uint64_t lo,
                uint64_t hi, bool store, uint64_t *len)
{
    *len = 0;
    while (*pa < nA && A[*pa].e <= lo)
        (*pa)++;
    for (size_t q = *pa; q < nA && A[q].s < hi; q++) {
        uint64_t s = A[q].s > lo ? A[q].s : lo, e = A[q].e < hi ? A[q].e : hi;
        if (e <= s)
            continue;
        *len += e - s;
        if (store) {
            int rc = add_ivl(t, s - lo, e - lo);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* FIFO, forward: the inputs whose traced amount is spread (no position in their coin) share
 * it over the outputs and the fee in proportion to how much of the coin each takes on the
 * axis (largest remainder per input: conserved exactly). Outputs [0, n_out) start at
 * t->s_amt[j] on the axis; the fee takes [0, fee) when ranked, else [V_in - fee, V_in).
 * Outputs that receive a spread part carry their whole amount spread (pre = 1). */
static int spread_inputs(cw_trace *t, const uint32_t *pin, size_t n_in, size_t n_out, bool ranked,
                         uint64_t fee, uint64_t V_in, uint64_t *oamt, uint8_t *pre)
{
    uint64_t *w = t->s_tmp, *o = t->s_tmp + n_out + 1;
    uint64_t pos = 0;
    for (size_t k = 0; k < n_in; k++) {
        uint32_t i = pin[k];
        uint64_t v = t->s_val[i];
        uint32_t ni = t->s_node[i];
        if (ni != UINT32_MAX && t->nodes[ni].spread && t->nodes[ni].amount && v) {
            uint64_t lo = pos, hi = pos + v, W = 0;
            for (size_t j = 0; j <= n_out; j++) {
                uint64_t s0, s1;
                if (j < n_out) {
                    s0 = t->s_amt[j];
                    s1 = s0 + t->s_oval[j];
                } else {
                    s0 = ranked ? 0 : V_in - fee;
                    s1 = ranked ? fee : V_in;
                }
                uint64_t a = s0 > lo ? s0 : lo, b = s1 < hi ? s1 : hi;
                w[j] = b > a ? b - a : 0;
                W += w[j];
            }
            if (W == 0) { /* cannot happen (the ranges tile the axis): keep it conserved */
                w[n_out] = 1;
                W = 1;
            }
            int rc = apportion(t, t->nodes[ni].amount, w, n_out + 1, W, o);
            if (rc)
                return rc;
            for (size_t j = 0; j <= n_out; j++)
                if (o[j]) {
                    oamt[j] += o[j];
                    pre[j] = 1;
                }
        }
        pos += v;
    }
    return 0;
}

enum { LK_FUNDER = 255 }; /* relink_apply: a funder output (re-link rules are < CW_RULE_N) */

/* Re-linking at a CoinJoin (pass 2): the traced value R that reached the outputs (amt, the
 * policy's answer) goes first to the re-linked outputs, each up to its whole value (they are
 * the source owner's: its inputs paid them; relinked-funding's after the others; by value when R
 * is short of them), then to the
 * funders (funder_want each; pro rata when R is short of them: the owner's coin is one of them,
 * which one is not known), and what is left is shared over the other outputs in proportion to what
 * the policy gave them (by value if it gave them nothing). Every output then carries its value as a
 * prefix. Conserves R exactly. */
static int relink_apply(cw_trace *t, uint64_t o0, size_t n_out, uint64_t *amt, uint8_t *pre,
                        uint64_t *unplaced)
{
    uint32_t *lk = t->s_operm;
    uint64_t R = 0;
    bool any = false;
    for (size_t j = 0; j < n_out; j++) {
        R += amt[j];
        lk[j] = link_rule(t, o0 + j);
        if (!lk[j] && funder_want(t, o0 + j))
            lk[j] = LK_FUNDER;
        any |= lk[j] != 0;
    }
    if (!any || R == 0)
        return 0;
    uint64_t left = R, W = 0, F = 0, *w = t->s_tmp, *o = t->s_tmp + n_out;
    int rc;
    /* the re-links with direct evidence first, then relinked-funding's (a bound: when the
     * round's traced value is short, it does not take from the owner's other outputs). Each
     * tier's outputs take their whole value when the value left covers them all, else a share
     * of it by value: all are the owner's, which of them holds the traced satoshis the round
     * does not say (the owner brought untraced coins too). A round that made roots of
     * relinked-carried's walk into a Wasabi 2 / JoinMarket round (wrounds) keeps its ranking
     * and puts those funders in the first tier, each wanting at least what the policy gave it
     * (so its other outputs never get more than the policy gave them): when the round is short,
     * its re-linked outputs and those funders share it by what they want (all are the owner's
     * coins, or pass on to one) */
    bool wr = t->n_wr && tab_get(t->wrounds, t->wr_mask, cw_chainstore_out_tx(t->cs, o0), NULL);
    for (int tier = 0; tier < 2; tier++) {
        uint64_t V = 0;
        for (size_t j = 0; j < n_out; j++) {
            bool in =
                lk[j] && lk[j] != LK_FUNDER && (lk[j] == CW_RULE_RELINK_FUNDING) == (tier == 1);
            w[j] = in ? t->s_oval[j] : 0;
            if (wr && tier == 0 && lk[j] == LK_FUNDER) {
                w[j] = funder_want(t, o0 + j);
                if (w[j] < amt[j])
                    w[j] = amt[j];
            }
            V += w[j];
        }
        if (V == 0)
            continue;
        uint64_t give = V < left ? V : left;
        if ((rc = apportion(t, give, w, n_out, V, o)))
            return rc;
        for (size_t j = 0; j < n_out; j++)
            if (w[j])
                amt[j] = o[j];
        left -= give;
    }
    /* the funders (at a wrounds round: with the re-linked outputs above) */
    for (size_t j = 0; j < n_out; j++) {
        w[j] = lk[j] == LK_FUNDER && !wr ? funder_want(t, o0 + j) : 0;
        F += w[j];
    }
    if (F && left) {
        uint64_t give = F < left ? F : left;
        if ((rc = apportion(t, give, w, n_out, F, o)))
            return rc;
        for (size_t j = 0; j < n_out; j++)
            if (lk[j] == LK_FUNDER)
                amt[j] = o[j];
        left -= give;
    } else if (!wr) {
        for (size_t j = 0; j < n_out; j++)
            if (lk[j] == LK_FUNDER)
                amt[j] = 0;
    }
    if (t->n_cr && tab_get(t->crounds, t->cr_mask, cw_chainstore_out_tx(t->cs, o0), NULL)) {
        /* a round of relinked-carried's walk: what its paths do not want goes on along them
         * (the funders, each up to its value), never to its other outputs; what finds no room
         * ends in the round ("entered mixer") */
        uint64_t C = 0;
        for (size_t j = 0; j < n_out; j++) {
            w[j] = lk[j] == LK_FUNDER && t->s_oval[j] > amt[j] ? t->s_oval[j] - amt[j] : 0;
            C += w[j];
        }
        uint64_t give = C < left ? C : left;
        if (give && (rc = apportion(t, give, w, n_out, C, o)))
            return rc;
        for (size_t j = 0; j < n_out; j++) {
            if (give && lk[j] == LK_FUNDER)
                amt[j] += o[j];
            if (!lk[j])
                amt[j] = 0;
            pre[j] = 1;
        }
        *unplaced += left - give;
        return 0;
    }
    for (size_t j = 0; j < n_out; j++) {
        w[j] = lk[j] ? 0 : amt[j];
        W += w[j];
    }
    if (left && W == 0)
        for (size_t j = 0; j < n_out; j++)
            if (!lk[j]) {
                w[j] = t->s_oval[j];
                W += w[j];
            }
    if (left && W == 0) { /* every output is re-linked or a funder: the funders take the rest */
        for (size_t j = 0; j < n_out; j++)
            if (lk[j] == LK_FUNDER) {
                w[j] = t->s_oval[j];
                W += w[j];
            }
        if ((rc = apportion(t, left, w, n_out, W, o)))
            return rc;
        for (size_t j = 0; j < n_out; j++)
            if (lk[j] == LK_FUNDER)
                amt[j] += o[j];
        left = 0;
        W = 0;
    }
    if ((rc = apportion(t, left, w, n_out, W, o)))
        return rc;
    for (size_t j = 0; j < n_out; j++) {
        if (!lk[j])
            amt[j] = o[j];
        pre[j] = 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- forward tx */

/* FIFO, forward, an ordinary tx whose traced inputs' probable parts all come from their
 * sources (opts.source_probable, rule probable-source; none spread): that value has positions
 * in its coins as certain value has, so each input's probable part goes where FIFO puts its
 * traced satoshis, shared over the outputs and the fee (slot n_out) by how many of them each
 * takes (largest remainder per input: a wholly probable input's part lands exactly where its
 * satoshis do), instead of the tx's probable total pro rata (split_prob; docs/TRACE-MODELS.md,
 * "A source's probable share"). Otherwise (a mix's share, a third party's spend that made
 * certain value probable: P_in is then more than the inputs' own) prob is left as split_prob
 * made it. Outputs start at t->s_amt[j]; uses t->s_tmp. */
static int source_positions(cw_trace *t, size_t n_in, size_t n_out, uint64_t P_in, uint64_t *prob)
{
    uint64_t P = 0;
    for (size_t k = 0; k < n_in; k++) {
        const cw_trace__node *n = t->s_node[k] == UINT32_MAX ? NULL : &t->nodes[t->s_node[k]];
        if (n && (n->spread || (n->prob && n->rule != CW_RULE_SOURCE)))
            return 0;
        P += n ? n->prob : 0;
    }
    if (!P || P != P_in)
        return 0;
    memset(prob, 0, (n_out + 1) * sizeof *prob);
    uint64_t pos = 0, *len = t->s_tmp, *part = t->s_tmp + n_out + 1;
    for (size_t k = 0; k < n_in; pos += t->s_val[k], k++) {
        const cw_trace__node *n = t->s_node[k] == UINT32_MAX ? NULL : &t->nodes[t->s_node[k]];
        if (!n || !n->prob)
            continue;
        memset(len, 0, (n_out + 1) * sizeof *len);
        size_t j = 0;
        for (uint32_t q = 0; q < n->ivl_n; q++) {
            uint64_t a = pos + t->ivl[n->ivl_off + q].s, b = pos + t->ivl[n->ivl_off + q].e;
            while (a < b) {
                while (j < n_out && t->s_amt[j] + t->s_oval[j] <= a)
                    j++;
                uint64_t e = j < n_out && t->s_amt[j] + t->s_oval[j] < b
                                 ? t->s_amt[j] + t->s_oval[j]
                                 : b; /* the fee takes the rest */
                len[j] += e - a;
                a = e;
            }
        }
        int rc = apportion(t, n->prob, len, n_out + 1, n->amount, part);
        if (rc)
            return rc;
        for (size_t i = 0; i <= n_out; i++)
            prob[i] += part[i];
    }
    return 0;
}

/* A probable PayJoin (cw_cluster_payjoin_probable, BIP78) that spends untraced coins beside
 * traced ones: the untraced coins may be the payee's, which the payee takes back inside its
 * output (payment + its own coin), so FIFO's order of the coins tells nothing of which output
 * holds them. Each output keeps as certain at most its value less the untraced coins' whole
 * value (the payee's output keeps the payment); the rest of its certain amount becomes probable.
 * Amounts and positions are unchanged. True when it made some value probable. */
static bool payjoin_probable(const cw_trace *t, uint64_t tx, size_t n_in, size_t n_out,
                             const uint64_t *oamt, uint64_t *oprob)
{
    uint64_t untraced = 0;
    for (size_t k = 0; k < n_in; k++)
        if (t->s_node[k] == UINT32_MAX)
            untraced += t->s_val[k];
    if (!untraced || !cw_cluster_payjoin_probable(t->cs, tx, 0))
        return false;
    bool any = false;
    for (size_t j = 0; j < n_out; j++) {
        uint64_t cap = t->s_oval[j] > untraced ? t->s_oval[j] - untraced : 0;
        uint64_t certain = oamt[j] - oprob[j];
        if (certain > cap) {
            oprob[j] += certain - cap;
            any = true;
        }
    }
    return any;
}

static int process_forward(cw_trace *t, uint64_t tx)
{
    const cw_chainstore *cs = t->cs;
    uint64_t in0, in1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &in0, &in1, &o0, &o1);
    size_t n_in = in1 - in0, n_out = o1 - o0;
    int rc = scratch(t, n_in, n_out);
    if (rc)
        return rc;
    uint64_t V_in = 0, V_out = 0, T_in = 0, P_in = 0;
    uint32_t hop = UINT32_MAX, parent = UINT32_MAX;
    uint64_t best = 0, best_p = 0;
    uint8_t in_rule = CW_RULE_NONE;
    size_t n_tainted = 0;
    for (size_t k = 0; k < n_in; k++) {
        const cw_row_in *r = cw_chainstore_in(cs, in0 + k);
        uint64_t v = 0;
        uint32_t ni = UINT32_MAX;
        if (r->spent_tx == CW_IN_EXTERNAL) {
            const cw_row_ext *e = cw_chainstore_ext(cs, r->spent_vout);
            v = e->known ? e->value : 0;
        } else if (r->spent_tx != CW_IN_COINBASE) {
            uint64_t po = cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout;
            v = cw_out_value(cw_chainstore_out(cs, po));
            uint64_t idx;
            if (map_get(t, po, &idx) && !t->nodes[idx].ended) {
                ni = (uint32_t)idx;
                cw_trace__node *n = &t->nodes[ni];
                T_in += n->amount;
                P_in += n->prob;
                n_tainted++;
                if (n->hop < hop)
                    hop = n->hop;
                if (parent == UINT32_MAX || n->amount > best) {
                    best = n->amount;
                    parent = ni;
                }
                if (n->prob > best_p) {
                    best_p = n->prob;
                    in_rule = n->rule;
                }
            }
        }
        t->s_val[k] = v;
        t->s_node[k] = ni;
        V_in += v;
    }
    if (n_tainted == 0)
        return 0;
    for (size_t j = 0; j < n_out; j++) {
        t->s_oval[j] = cw_out_value(cw_chainstore_out(cs, o0 + j));
        V_out += t->s_oval[j];
    }
    if (V_in < V_out)
        V_in = V_out; /* unknown external prevouts: their value is clean */
    uint64_t fee = V_in - V_out;
    hop++;
    if (hop > t->stats.max_hop)
        t->stats.max_hop = hop;

    /* the tx record for the graph */
    if ((rc = GROW(t->txr, t->cap_txr, t->n_txr + 1)))
        return rc;
    cw_trace__txrec *tr = &t->txr[t->n_txr++];
    *tr = (cw_trace__txrec){tx, hop, t->n_edges, 0, 0, 0, 0, CW_RULE_NONE, 0, 0, 0, 0, 0, 0, 0};
    tr->node0 = (uint32_t)t->n_nodes;
    tr->end0 = t->n_ends;
    tr->ivl0 = t->n_ivl;
    for (size_t k = 0; k < n_in; k++) {
        if (t->s_node[k] == UINT32_MAX)
            continue;
        if ((rc = GROW(t->edges, t->cap_edges, t->n_edges + 1)))
            return rc;
        t->edges[t->n_edges++] = t->s_node[k];
        tr->n_in++;
    }
    t->stats.edges += n_tainted;

    bool cj = is_cj(t, tx, n_in, n_out);
    tr->coinjoin = cj;
    uint8_t rule = in_rule;
    if (cj) {
        t->stats.coinjoins++;
        t->stats.coinjoin_in += T_in - P_in; /* certain value entering */
        if (t->opts.coinjoin == CW_CJ_STOP) {
            tr->end_amount = T_in;
            return add_end(t, CW_END_COINJOIN, CW_NONE64, tx, CW_NONE64, T_in, P_in, in_rule, hop,
                           UINT32_MAX);
        }
        rule = policy_rule(t);
        tr->rule = rule;
    } else if (!t->opts.through_sweeps && t->opts.model != CW_TRACE_POISON &&
               service_sweep(t, in0, n_in, o0, n_out, n_tainted)) {
        tr->end_amount = T_in;
        return add_end(t, CW_END_SWEEP, CW_NONE64, tx, CW_NONE64, T_in, P_in, in_rule, hop,
                       UINT32_MAX);
    }
    /* a third party spending from its own account: what it pays on is probable */
    if (!cj && (rc = tp_apply(t, in0, n_in, true, T_in, &P_in, &rule)))
        return rc;

    /* the amount each output (and the fee, slot n_out) receives; pre[j]: carried as a prefix */
    uint64_t *oamt = t->s_oamt, *oprob = t->s_prob;
    uint8_t *pre = t->s_pre;
    memset(pre, 0, n_out + 1);
    bool fifo = t->opts.model == CW_TRACE_FIFO;
    bool prop = cj && t->opts.coinjoin == CW_CJ_PROPORTIONAL;
    uint64_t unplaced = 0; /* rank_by_amounts */
    if (t->opts.model == CW_TRACE_POISON) {
        memcpy(oamt, t->s_oval, n_out * sizeof *oamt);
        oamt[n_out] = fee;
    } else if (t->opts.model == CW_TRACE_HAIRCUT || prop) {
        t->s_oval[n_out] = fee;
        if ((rc = apportion(t, T_in, t->s_oval, n_out + 1, V_in, oamt)))
            return rc;
        memset(pre, 1, n_out + 1);
    } else {
        /* FIFO: the tainted intervals on the input axis */
        uint32_t *pin = t->s_perm, *pout = t->s_operm;
        bool ranked = cj && t->opts.coinjoin == CW_CJ_RANK;
        if (ranked) {
            rank_perm(pin, t->s_val, n_in);
            rank_out_perm(t, pout, t->s_oval, o0, n_out);
        } else {
            identity(pin, n_in);
            identity(pout, n_out);
        }
        t->n_axis = 0;
        uint64_t pos = 0;
        bool any_spread = false;
        for (size_t k = 0; k < n_in; k++) {
            uint32_t i = pin[k];
            uint32_t ni = t->s_node[i];
            if (ni != UINT32_MAX && t->nodes[ni].spread) {
                any_spread = true; /* shared pro rata below, not by position */
            } else if (ni != UINT32_MAX) {
                const cw_trace__node *n = &t->nodes[ni];
                for (uint32_t q = 0; q < n->ivl_n; q++) {
                    if ((rc = GROW(t->axis, t->cap_axis, t->n_axis + 1)))
                        return rc;
                    const cw_trace__ivl *iv = &t->ivl[n->ivl_off + q];
                    t->axis[t->n_axis++] = (cw_trace__ivl){pos + iv->s, pos + iv->e};
                }
            }
            pos += t->s_val[i];
        }
        /* amounts first (no storing), so that nodes are only made for tainted outputs. A
         * ranked CoinJoin pays its fee first: [0, fee), then the outputs. */
        size_t pa = 0;
        uint64_t lo = 0;
        if (ranked) {
            if ((rc = clip(t, t->axis, t->n_axis, &pa, 0, fee, false, &oamt[n_out])))
                return rc;
            lo = fee;
        }
        for (size_t k = 0; k < n_out; k++) {
            uint32_t j = pout[k];
            if ((rc = clip(t, t->axis, t->n_axis, &pa, lo, lo + t->s_oval[j], false, &oamt[j])))
                return rc;
            t->s_amt[j] = lo; /* start of output j on the axis */
            lo += t->s_oval[j];
        }
        if (!ranked && (rc = clip(t, t->axis, t->n_axis, &pa, lo, V_in, false, &oamt[n_out])))
            return rc;
        if (any_spread && (rc = spread_inputs(t, pin, n_in, n_out, ranked, fee, V_in, oamt, pre)))
            return rc;
        /* a round with a re-linked output or a funder gives those its value first
         * (relink_apply): the owner's outputs are known there, the amounts add nothing */
        if (ranked && !t->no_amounts && !(t->n_lr && tab_get(t->lrounds, t->lr_mask, tx, NULL)) &&
            !(t->n_fr && tab_get(t->frounds, t->fr_mask, tx, NULL)))
            rank_by_amounts(t, in0, n_in, o0, n_out, V_in, pout, oamt, &unplaced);
        if (ranked && (rc = pool_equal(t, pout, t->s_oval, n_out, oamt, pre)))
            return rc;
    }
    if (cj && (t->n_links || t->n_funders) && t->opts.model != CW_TRACE_POISON &&
        (rc = relink_apply(t, o0, n_out, oamt, pre, &unplaced)))
        return rc;
    /* a ranked CoinJoin's order says nothing of where in a coin its traced value sits: every
     * output carries its amount spread (FIFO; `order` keeps FIFO's positions, as BlockSci) */
    if (cj && t->opts.coinjoin != CW_CJ_ORDER)
        memset(pre, 1, n_out + 1);
    if (t->opts.model == CW_TRACE_POISON) {
        for (size_t j = 0; j <= n_out; j++)
            oprob[j] = cj || P_in ? oamt[j] : 0;
    } else if ((rc = split_prob(t, cj, P_in, oamt, n_out + 1, T_in, oprob))) {
        return rc;
    }
    if (fifo && !cj && P_in && (rc = source_positions(t, n_in, n_out, P_in, oprob)))
        return rc;
    bool payjoin =
        fifo && !cj && n_tainted < n_in && payjoin_probable(t, tx, n_in, n_out, oamt, oprob);

    /* fee end */
    if (oamt[n_out]) {
        tr->end_amount = oamt[n_out];
        if ((rc = add_end(t, CW_END_FEE, CW_NONE64, tx, CW_NONE64, oamt[n_out], oprob[n_out], rule,
                          hop, UINT32_MAX)))
            return rc;
    }
    /* what the amounts took off outputs the traced coins could not pay and found no place for:
     * it entered the round ("entered mixer"), all of it probable */
    if (unplaced) {
        tr->end_amount += unplaced;
        if ((rc = add_end(t, CW_END_COINJOIN, CW_NONE64, tx, CW_NONE64, unplaced, unplaced, rule,
                          hop, UINT32_MAX)))
            return rc;
    }
    /* output nodes */
    for (size_t j = 0; j < n_out; j++) {
        if (!oamt[j])
            continue;
        uint64_t out = o0 + j, idx;
        t->stats.edges++;
        if (map_get(t, out, &idx)) {
            /* a source output (already wholly traced): the value that reached it ends as
             * "self" so that it is not counted twice */
            if ((rc = GROW(t->edges, t->cap_edges, t->n_edges + 1)))
                return rc;
            t->edges[t->n_edges++] = (uint32_t)idx;
            t->txr[t->n_txr - 1].n_out++;
            if ((rc = add_end(t, CW_END_SELF, out, tx, out_addr(cw_chainstore_out(cs, out)),
                              oamt[j], oprob[j], rule, hop, (uint32_t)idx)))
                return rc;
            continue;
        }
        uint32_t ni;
        rc = new_node(t, out, tx, hop, parent, &ni);
        if (rc)
            return rc;
        cw_trace__node *n = &t->nodes[ni];
        n->amount = oamt[j];
        n->prob = oprob[j];
        n->rule = oprob[j] ? rule : CW_RULE_NONE;
        if (payjoin && oprob[j] && rule == CW_RULE_NONE)
            n->rule = CW_RULE_PAYJOIN;
        if (cj && oprob[j] && t->n_links) {
            uint8_t lr = link_rule(t, out);
            if (lr)
                n->rule = lr;
        }
        if (fifo) {
            n->spread = pre[j] != 0;
            n->ivl_off = t->n_ivl;
            t->ivl_open = false;
            if (pre[j]) {
                if ((rc = add_ivl(t, 0, oamt[j])))
                    return rc;
            } else {
                size_t pa = 0;
                uint64_t len;
                if ((rc = clip(t, t->axis, t->n_axis, &pa, t->s_amt[j], t->s_amt[j] + t->s_oval[j],
                               true, &len)))
                    return rc;
            }
            n = &t->nodes[ni];
            n->ivl_n = (uint32_t)(t->n_ivl - n->ivl_off);
        }
        if ((rc = GROW(t->edges, t->cap_edges, t->n_edges + 1)))
            return rc;
        t->edges[t->n_edges++] = ni;
        t->txr[t->n_txr - 1].n_out++;
        if ((rc = settle_forward(t, ni, false)))
            return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- backward tx */

static int process_backward(cw_trace *t, uint64_t tx)
{
    const cw_chainstore *cs = t->cs;
    uint64_t in0, in1, o0, o1;
    cw_chainstore_tx_range(cs, tx, &in0, &in1, &o0, &o1);
    size_t n_in = in1 - in0, n_out = o1 - o0;
    int rc = scratch(t, n_in, n_out);
    if (rc)
        return rc;
    uint64_t A = 0, P = 0, best = 0, best_p = 0, V_in = 0;
    uint32_t hop = UINT32_MAX, parent = UINT32_MAX;
    uint8_t in_rule = CW_RULE_NONE;
    size_t n_tracked = 0;
    for (size_t j = 0; j < n_out; j++) {
        uint64_t idx;
        t->s_oval[j] = cw_out_value(cw_chainstore_out(cs, o0 + j));
        t->s_node[j] = UINT32_MAX;
        if (map_get(t, o0 + j, &idx) && !t->nodes[idx].ended) {
            uint32_t ni = (uint32_t)idx;
            const cw_trace__node *n = &t->nodes[ni];
            t->s_node[j] = ni;
            A += n->amount;
            P += n->prob;
            n_tracked++;
            if (n->hop < hop)
                hop = n->hop;
            if (parent == UINT32_MAX || n->amount > best) {
                best = n->amount;
                parent = ni;
            }
            if (n->prob > best_p) {
                best_p = n->prob;
                in_rule = n->rule;
            }
        }
    }
    if (n_tracked == 0)
        return 0;
    hop++;
    if (hop > t->stats.max_hop)
        t->stats.max_hop = hop;
    if ((rc = GROW(t->txr, t->cap_txr, t->n_txr + 1)))
        return rc;
    cw_trace__txrec *tr = &t->txr[t->n_txr++];
    *tr = (cw_trace__txrec){tx, hop, t->n_edges, 0, 0, 0, 0, CW_RULE_NONE, 0, 0, 0, 0, 0, 0, 0};
    for (size_t j = 0; j < n_out; j++) {
        if (t->s_node[j] == UINT32_MAX)
            continue;
        if ((rc = GROW(t->edges, t->cap_edges, t->n_edges + 1)))
            return rc;
        t->edges[t->n_edges++] = t->s_node[j];
        tr->n_in++;
    }
    t->stats.edges += n_tracked;
    if (cw_chainstore_in(cs, in0)->spent_tx == CW_IN_COINBASE) {
        tr->end_amount = A;
        return add_end(t, CW_END_COINBASE, CW_NONE64, tx, CW_NONE64, A, P, in_rule, hop,
                       UINT32_MAX);
    }
    bool cj = is_cj(t, tx, n_in, n_out);
    tr->coinjoin = cj;
    uint8_t rule = in_rule;
    if (cj) {
        t->stats.coinjoins++;
        t->stats.coinjoin_in += A - P;
        if (t->opts.coinjoin == CW_CJ_STOP) {
            tr->end_amount = A;
            return add_end(t, CW_END_COINJOIN, CW_NONE64, tx, CW_NONE64, A, P, in_rule, hop,
                           UINT32_MAX);
        }
        rule = policy_rule(t);
        tr->rule = rule;
    } else if (!t->opts.through_sweeps && t->opts.model != CW_TRACE_POISON &&
               pool_sweep(t, in0, n_in, o0, n_out, A > P)) {
        tr->end_amount = A;
        return add_end(t, CW_END_SWEEP, CW_NONE64, tx, CW_NONE64, A, P, in_rule, hop, UINT32_MAX);
    }
    /* a third party's spend from its own account (screening's second trace): probable */
    if (!cj && (rc = tp_apply(t, in0, n_in, false, A, &P, &rule)))
        return rc;
    /* input values and prevouts */
    uint64_t *ival = t->s_val, *iamt = t->s_amt, *iprob = t->s_prob;
    uint8_t *pre = t->s_pre;
    memset(pre, 0, n_in + 1);
    for (size_t k = 0; k < n_in; k++) {
        const cw_row_in *r = cw_chainstore_in(cs, in0 + k);
        if (r->spent_tx == CW_IN_EXTERNAL) {
            const cw_row_ext *e = cw_chainstore_ext(cs, r->spent_vout);
            ival[k] = e->known ? e->value : 0;
        } else {
            uint64_t po = cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout;
            ival[k] = cw_out_value(cw_chainstore_out(cs, po));
        }
        V_in += ival[k];
    }
    bool fifo = t->opts.model == CW_TRACE_FIFO;
    bool prop = cj && t->opts.coinjoin == CW_CJ_PROPORTIONAL;
    if (t->opts.model == CW_TRACE_POISON) {
        memcpy(iamt, ival, n_in * sizeof *iamt);
    } else if (t->opts.model == CW_TRACE_HAIRCUT || prop) {
        if ((rc = apportion(t, A, ival, n_in, V_in, iamt)))
            return rc;
        memset(pre, 1, n_in);
    } else {
        uint32_t *pin = t->s_perm, *pout = t->s_operm;
        bool ranked = cj && t->opts.coinjoin == CW_CJ_RANK;
        if (ranked) {
            rank_perm(pin, ival, n_in);
            rank_out_perm(t, pout, t->s_oval, o0, n_out);
        } else {
            identity(pin, n_in);
            identity(pout, n_out);
        }
        t->n_axis = 0;
        /* the mirror of forward: a ranked CoinJoin's outputs start after its fee */
        uint64_t V_out = 0;
        for (size_t j = 0; j < n_out; j++)
            V_out += t->s_oval[j];
        uint64_t pos = ranked && V_in > V_out ? V_in - V_out : 0;
        for (size_t k = 0; k < n_out; k++) {
            uint32_t j = pout[k];
            uint32_t ni = t->s_node[j];
            if (ni != UINT32_MAX) {
                const cw_trace__node *n = &t->nodes[ni];
                for (uint32_t q = 0; q < n->ivl_n; q++) {
                    if ((rc = GROW(t->axis, t->cap_axis, t->n_axis + 1)))
                        return rc;
                    const cw_trace__ivl *iv = &t->ivl[n->ivl_off + q];
                    t->axis[t->n_axis++] = (cw_trace__ivl){pos + iv->s, pos + iv->e};
                }
            }
            pos += t->s_oval[j];
        }
        size_t pa = 0;
        uint64_t lo = 0;
        for (size_t k = 0; k < n_in; k++) {
            uint32_t i = pin[k];
            if ((rc = clip(t, t->axis, t->n_axis, &pa, lo, lo + ival[i], false, &iamt[i])))
                return rc;
            t->s_oamt[i] = lo;
            lo += ival[i];
        }
        if (ranked && (rc = pool_equal(t, pin, ival, n_in, iamt, pre)))
            return rc;
    }
    if (t->opts.model == CW_TRACE_POISON) {
        for (size_t k = 0; k < n_in; k++)
            iprob[k] = cj || P ? iamt[k] : 0;
    } else {
        uint64_t W = 0;
        for (size_t k = 0; k < n_in; k++)
            W += iamt[k];
        if ((rc = split_prob(t, cj, P, iamt, n_in, W, iprob)))
            return rc;
    }
    for (size_t k = 0; k < n_in; k++) {
        if (!iamt[k])
            continue;
        const cw_row_in *r = cw_chainstore_in(cs, in0 + k);
        t->stats.edges++;
        if (r->spent_tx == CW_IN_EXTERNAL) {
            if ((rc = add_end(t, CW_END_EXTERNAL, CW_NONE64, tx, CW_NONE64, iamt[k], iprob[k], rule,
                              hop, UINT32_MAX)))
                return rc;
            tr = &t->txr[t->n_txr - 1];
            tr->end_amount += iamt[k];
            continue;
        }
        uint64_t po = cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout, idx;
        if (map_get(t, po, &idx)) {
            /* another source (e.g. the screened address's own coins): ends as "self" */
            if ((rc = GROW(t->edges, t->cap_edges, t->n_edges + 1)))
                return rc;
            t->edges[t->n_edges++] = (uint32_t)idx;
            t->txr[t->n_txr - 1].n_out++;
            if ((rc = add_end(t, CW_END_SELF, po, tx, out_addr(cw_chainstore_out(cs, po)), iamt[k],
                              iprob[k], rule, hop, (uint32_t)idx)))
                return rc;
            continue;
        }
        uint32_t ni;
        if ((rc = new_node(t, po, tx, hop, parent, &ni)))
            return rc;
        t->nodes[ni].amount = iamt[k];
        t->nodes[ni].prob = iprob[k];
        t->nodes[ni].rule = iprob[k] ? rule : CW_RULE_NONE;
        if (fifo) {
            t->nodes[ni].ivl_off = t->n_ivl;
            t->ivl_open = false;
            if (pre[k]) {
                if ((rc = add_ivl(t, 0, iamt[k])))
                    return rc;
            } else {
                size_t pa = 0;
                uint64_t len;
                if ((rc = clip(t, t->axis, t->n_axis, &pa, t->s_oamt[k], t->s_oamt[k] + ival[k],
                               true, &len)))
                    return rc;
            }
            t->nodes[ni].ivl_n = (uint32_t)(t->n_ivl - t->nodes[ni].ivl_off);
        }
        if ((rc = GROW(t->edges, t->cap_edges, t->n_edges + 1)))
            return rc;
        t->edges[t->n_edges++] = ni;
        t->txr[t->n_txr - 1].n_out++;
        if ((rc = settle_backward(t, ni, false)))
            return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- run */

/* Processes the txs of the heap in chain order (forward) or its reverse (backward). */
static int drain(cw_trace *t)
{
    bool fwd = t->opts.direction == CW_TRACE_FORWARD;
    uint64_t last = UINT64_MAX;
    bool any = false;
    int rc = 0;
    while (rc == 0 && t->n_heap) {
        uint64_t key = heap_pop(t);
        if (any && key == last)
            continue;
        any = true;
        last = key;
        uint64_t tx = fwd ? key : UINT64_MAX - key;
        t->stats.txs++;
        rc = fwd ? process_forward(t, tx) : process_backward(t, tx);
    }
    if (rc == 1)
        rc = 0; /* max_nodes: truncated, reported in the stats */
    return rc;
}

/* One pass over the chain from the sources (the state must be empty). */
static int run_pass(cw_trace *t, const uint64_t *sources, size_t n_sources)
{
    const cw_chainstore *cs = t->cs;
    const cw_trace_opts *opts = &t->opts;
    int rc = 0;
    bool fwd = opts->direction == CW_TRACE_FORWARD;
    for (size_t i = 0; i < n_sources && rc == 0; i++) {
        uint64_t o = sources[i], idx;
        if (o >= t->counts.outs) {
            rc = cw_error_set(CW_EINVAL, "trace: source output %llu is not in the store",
                              (unsigned long long)o);
            break;
        }
        if (map_get(t, o, &idx))
            continue; /* given twice */
        uint64_t creator = cw_chainstore_out_tx(cs, o);
        uint32_t ni;
        rc = new_node(t, o, creator, 0, UINT32_MAX, &ni);
        if (rc == 1)
            rc = cw_error_set(CW_EINVAL, "trace: more sources than max_nodes");
        if (rc)
            break;
        uint64_t v = cw_out_value(cw_chainstore_out(cs, o));
        uint64_t p = opts->source_probable ? opts->source_probable[i] : 0;
        if (p > v) {
            rc = cw_error_set(CW_EINVAL,
                              "trace: source %zu (output %llu): source_probable %llu sat is more "
                              "than its value %llu sat",
                              i, (unsigned long long)o, (unsigned long long)p,
                              (unsigned long long)v);
            break;
        }
        t->nodes[ni].amount = v;
        t->nodes[ni].prob = p; /* a judgement made before this trace (opts.source_probable) */
        t->nodes[ni].rule = p ? CW_RULE_SOURCE : CW_RULE_NONE;
        t->stats.source_value += v;
        if (opts->model == CW_TRACE_FIFO) {
            t->nodes[ni].ivl_off = t->n_ivl;
            t->ivl_open = false;
            if (v && (rc = add_ivl(t, 0, v)))
                break;
            t->nodes[ni].ivl_n = v ? 1 : 0;
        }
    }
    t->n_src_nodes = t->n_nodes;
    /* settle the sources once all are nodes (a source spent by another source's tx) */
    for (size_t ni = 0; ni < t->n_nodes && rc == 0; ni++)
        rc = fwd ? settle_forward(t, (uint32_t)ni, true) : settle_backward(t, (uint32_t)ni, true);
    return rc ? rc : drain(t);
}

/* Empties the result of a pass (keeps the buffers and the re-links). */
static void reset_pass(cw_trace *t)
{
    if (t->slots)
        memset(t->slots, 0, (t->slot_mask + 1) * sizeof *t->slots);
    t->slot_count = 0;
    t->n_nodes = t->n_ends = t->n_ivl = t->n_txr = t->n_edges = t->n_heap = 0;
    t->ivl_open = false;
    uint64_t rl = t->stats.relinked, rc = t->stats.relink_cospends, rf = t->stats.relink_funders;
    uint64_t rfb = t->stats.relink_funding, rca = t->stats.relink_carried;
    uint64_t rcr = t->stats.relink_carry_rounds;
    memset(&t->stats, 0, sizeof t->stats);
    t->stats.relink_funding = rfb;
    t->stats.relink_carried = rca;
    t->stats.relink_carry_rounds = rcr;
    t->stats.relinked = rl;
    t->stats.relink_cospends = rc;
    t->stats.relink_funders = rf;
}

/* The first tx record of pass 1 whose processing the re-links can change (n_txr: none).
 * Before it, pass 2 does exactly what pass 1 did: the re-links act only (a) at a CoinJoin
 * with a re-linked output (relink_apply, the re-link rule of its nodes), the rounds in
 * t->lrounds, and (b) when a node is settled whose spending tx is such a round (its sliver
 * under the probable floor is followed): a node that pass 1 ended for the floor (a superset
 * of those: probable, ended, under the floor) and whose spender is in lrounds makes its
 * creating tx the restart point. Every other tx's processing reads only its input nodes,
 * which by induction are the same. Source nodes are settled without the floor. */
static size_t relink_first_change(const cw_trace *t)
{
    uint64_t D = UINT64_MAX;
    for (size_t k = 0; k < t->n_txr; k++)
        if (tab_get(t->lrounds, t->lr_mask, t->txr[k].tx, NULL) ||
            (t->n_fr && tab_get(t->frounds, t->fr_mask, t->txr[k].tx, NULL)) ||
            (t->n_wr && tab_get(t->wrounds, t->wr_mask, t->txr[k].tx, NULL))) {
            D = t->txr[k].tx; /* txr is in chain order */
            break;
        }
    double fl = t->opts.probable_floor;
    for (size_t i = t->n_src_nodes; i < t->n_nodes && fl > 0.0; i++) {
        const cw_trace__node *n = &t->nodes[i];
        if (n->tx >= D || !n->ended || !n->prob)
            continue;
        const cw_row_out *o = cw_chainstore_out(t->cs, n->out);
        if ((double)n->amount >= fl * (double)cw_out_value(o))
            continue;
        if (o->spending_tx != CW_NONE32 && tab_get(t->lrounds, t->lr_mask, o->spending_tx, NULL))
            D = n->tx;
    }
    size_t lo = 0, hi = t->n_txr; /* first record with tx >= D */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->txr[mid].tx < D)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Cuts pass 1's result back to what it was before tx record i was processed, and refills
 * the heap with the txs still pending then, so that drain() continues from there as a full
 * second pass would. The statistics of the kept prefix are recomputed from it. */
static int rewind_to(cw_trace *t, size_t i)
{
    const cw_trace__txrec *r = &t->txr[i];
    uint64_t D = r->tx;
    t->n_nodes = r->node0;
    t->n_ends = r->end0;
    t->n_ivl = r->ivl0;
    t->n_edges = r->e0;
    t->n_txr = i;
    t->ivl_open = false;
    /* the map: only the kept nodes */
    memset(t->slots, 0, (t->slot_mask + 1) * sizeof *t->slots);
    t->slot_count = t->n_nodes;
    for (size_t k = 0; k < t->n_nodes; k++)
        slot_insert(t->slots, t->slot_mask, t->nodes[k].out + 1, k);
    /* statistics of the prefix */
    cw_trace_stats *st = &t->stats;
    st->txs = i;
    st->edges = st->coinjoins = st->coinjoin_in = st->probable = 0;
    st->third_party_txs = st->third_party_value = 0;
    st->max_hop = 0;
    st->truncated = false;
    for (size_t k = 0; k < i; k++) {
        const cw_trace__txrec *x = &t->txr[k];
        st->edges += (uint64_t)x->n_in + x->n_out;
        if (x->hop > st->max_hop)
            st->max_hop = x->hop;
        if (x->tp_kind) {
            st->third_party_txs++;
            st->third_party_value += x->tp_value;
        }
        if (!x->coinjoin)
            continue;
        st->coinjoins++;
        for (uint32_t e = 0; e < x->n_in; e++) {
            const cw_trace__node *n = &t->nodes[t->edges[x->e0 + e]];
            st->coinjoin_in += n->amount - n->prob;
        }
    }
    for (size_t k = 0; k < t->n_ends; k++)
        st->probable += t->ends[k].probable;
    st->dusting_outputs = st->dusting_value = 0; /* pass 2 counts its own dusting ends again */
    for (size_t k = 0; k < t->n_nodes; k++)
        if (t->nodes[k].dusting) {
            st->dusting_outputs++;
            st->dusting_value += t->nodes[k].amount;
        }
    /* pending: the txs that kept nodes were followed into (not ended) and that come at or
     * after D */
    t->n_heap = 0;
    int rc = 0;
    for (size_t k = 0; k < t->n_nodes && rc == 0; k++) {
        if (t->nodes[k].ended)
            continue;
        uint64_t sp = cw_chainstore_out(t->cs, t->nodes[k].out)->spending_tx;
        if (sp >= D)
            rc = push_tx(t, sp);
    }
    return rc;
}

/* Is tx a CoinJoin (the engine's test, with its cheap filter)? Uses the output scratch. A tx
 * that pass 1 processed has the answer in its record (records are in chain order). */
static int tx_is_cj(cw_trace *t, uint64_t tx, bool *cj)
{
    size_t lo = 0, hi = t->n_txr;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->txr[mid].tx < tx)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (t->opts.direction == CW_TRACE_FORWARD && lo < t->n_txr && t->txr[lo].tx == tx) {
        *cj = t->txr[lo].coinjoin;
        return 0;
    }
    uint64_t in0, in1, o0, o1;
    cw_chainstore_tx_range(t->cs, tx, &in0, &in1, &o0, &o1);
    if (in1 - in0 < 2 || o1 - o0 < 2) { /* is_cj's first test, before reading the outputs */
        *cj = false;
        return 0;
    }
    int rc = scratch(t, in1 - in0, o1 - o0);
    if (rc)
        return rc;
    for (uint64_t j = o0; j < o1; j++)
        t->s_oval[j - o0] = cw_out_value(cw_chainstore_out(t->cs, j));
    *cj = is_cj(t, tx, in1 - in0, o1 - o0);
    return 0;
}

/* An anchor: a coin that pass 1 traced and at least half of whose value is certain traced
 * value (the stolen value reached it without passing a CoinJoin). Never a dusting campaign's
 * output (opts.dust_rule): the source paid it, but its holder is the dusted party, so neither
 * its address (an honest customer's deposit account) nor its spender is the source owner's. */
static bool is_anchor(const cw_trace *t, uint64_t out)
{
    uint64_t idx;
    if (!map_get(t, out, &idx))
        return false;
    const cw_trace__node *n = &t->nodes[idx];
    return !n->dusting &&
           (u128)(n->amount - n->prob) * 2 >= cw_out_value(cw_chainstore_out(t->cs, out)) &&
           n->amount > n->prob;
}

/* A CoinJoin output that may be re-linked: not paid to a labelled address (a coordinator's
 * fee, an exchange) and not OP_RETURN. */
static bool relinkable(const cw_trace *t, uint64_t out)
{
    uint64_t a = out_addr(cw_chainstore_out(t->cs, out));
    return a != CW_NONE64 && !(t->labels && cw_trace_labelmap_get(t->labels, a, NULL, NULL));
}

/* Did the traced value reach the coins tx c makes along the source owner's own lineage: at
 * least half of c's input value is coins with certain traced value, each made by a source or
 * by such a tx? Memoised in *memo (tx -> 1 yes / 2 no); *stack is scratch. An exchange's
 * consolidation spends a few traced deposits among many others' (its output is mostly
 * untraced value under any rule but FIFO's order), so the exchange's withdrawals that FIFO
 * fills with traced value are not anchors: their holders are customers, not the source's
 * owner, whether the exchange is labelled or not. Iterative (a peel chain is hundreds of txs
 * deep). */
static int lineage_ok(cw_trace *t, uint64_t c, cw_trace__slot **memo, uint64_t *mask,
                      uint64_t *count, uint64_t **stack, size_t *cap, bool *yes)
{
    uint64_t v;
    if (tab_get(*memo, *mask, c, &v)) {
        *yes = v == 1;
        return 0;
    }
    size_t n = 0;
    int rc = GROW(*stack, *cap, 1);
    if (rc)
        return rc;
    (*stack)[n++] = c;
    while (n && rc == 0) {
        uint64_t x = (*stack)[n - 1], in0, in1, o0, o1, idx;
        if (tab_get(*memo, *mask, x, NULL)) {
            n--;
            continue;
        }
        cw_chainstore_tx_range(t->cs, x, &in0, &in1, &o0, &o1);
        u128 traced = 0, total = 0;
        bool ok = true, pending = false;
        for (uint64_t k = in0; k < in1 && rc == 0; k++) {
            uint64_t pc = 0, po = prevout_of(t->cs, k, &pc);
            if (po == CW_NONE64)
                continue; /* coinbase, external: no value to weigh */
            uint64_t val = cw_out_value(cw_chainstore_out(t->cs, po));
            total += val;
            /* only certain traced value is the lineage: a post-mix coin the owner spends with
             * it is not (its round's inputs are others') */
            if (!map_get(t, po, &idx) || t->nodes[idx].amount <= t->nodes[idx].prob)
                continue;
            traced += val;
            if (idx < t->n_src_nodes)
                continue; /* a source */
            if (!tab_get(*memo, *mask, pc, &v)) {
                if ((rc = GROW(*stack, *cap, n + 1)) == 0)
                    (*stack)[n++] = pc;
                pending = true;
            } else if (v != 1) {
                ok = false;
            }
        }
        if (rc || pending)
            continue; /* x again once its traced inputs' creators are known */
        ok = ok && traced * 2 >= total && traced > 0;
        if ((rc = tab_add(memo, mask, count, x, ok ? 1 : 2)) == 1)
            rc = 0;
        n--;
    }
    if (rc == 0)
        *yes = tab_get(*memo, *mask, c, &v) && v == 1;
    return rc;
}

static int add_link(cw_trace *t, uint64_t out, uint64_t evidence, uint8_t rule)
{
    int rc = tab_add(&t->links, &t->link_mask, &t->n_links, out, evidence * 16 + rule);
    return rc == 1 ? 0 : rc;
}

/* Is tx c (the creator of a candidate) a CoinJoin that pass 1's value entered: one of its
 * inputs is a coin pass 1 traced (any amount, a sliver ended under the floor too)? Memoised in
 * *memo (tx -> 1 yes / 2 no). A re-link gives the round's traced value to the output first,
 * so only such a round's outputs are candidates: an output of a round no traced value entered
 * is nobody's stolen value, whoever holds it (without stops at labels the trace goes on past
 * an exchange, and a customer who withdrew traced coins and spends them with a post-mix coin
 * of an unrelated round is the anchor holder, not the thief). */
static int entered_cj(cw_trace *t, uint64_t c, cw_trace__slot **memo, uint64_t *mask,
                      uint64_t *count, bool *yes)
{
    uint64_t v, in0, in1, o0, o1, idx;
    if (tab_get(*memo, *mask, c, &v)) {
        *yes = v == 1;
        return 0;
    }
    bool entered = false;
    cw_chainstore_tx_range(t->cs, c, &in0, &in1, &o0, &o1);
    for (uint64_t k = in0; k < in1 && !entered; k++) {
        uint64_t po = prevout_of(t->cs, k, NULL);
        entered = po != CW_NONE64 && map_get(t, po, &idx);
    }
    int rc = 0;
    *yes = false;
    if (entered)
        rc = tx_is_cj(t, c, yes);
    if (rc == 0 && (rc = tab_add(memo, mask, count, c, *yes ? 1 : 2)) == 1)
        rc = 0;
    return rc;
}

/* A funder candidate (funders_of): coin po, made by round M, spent by round R. */
typedef struct fund_edge {
    uint64_t po, M, R;
    double p, w; /* pass 1's share of the coin; the chance it paid a re-linked output */
} fund_edge;

typedef struct fund_set {
    fund_edge *e;
    size_t n, cap;
} fund_set;

/* The funder candidates of round R (docs/TRACE-MODELS.md, "Funders of a re-linked remix"): R
 * is a one-to-one mix (each input's owner takes one output) with m re-linked outputs and k >= 2
 * inputs pass 1 traced, none re-linked, each an output of a CoinJoin that pass 1's value entered
 * (a candidate). The source owner's coins that paid the re-linked outputs are m of those k.
 * Nothing when one traced input is not a candidate (an unmixed coin: the owner's own premix) or
 * is re-linked (its remix chain is known), or when k < 2 (relinked-remix's case). Appends the
 * candidates to *fs. Returns 0 or CW_ENOMEM. */
static int funders_of(cw_trace *t, uint64_t R, fund_set *fs, cw_trace__slot **memo, uint64_t *mask,
                      uint64_t *count)
{
    const cw_chainstore *cs = t->cs;
    uint64_t in0, in1, o0, o1, idx;
    cw_chainstore_tx_range(cs, R, &in0, &in1, &o0, &o1);
    if (!one_to_one_mix(cs, in0, in1, o0, o1))
        return 0;
    uint64_t m = 0, k = 0;
    for (uint64_t o = o0; o < o1; o++)
        m += link_rule(t, o) != 0;
    int rc = 0;
    for (uint64_t i = in0; i < in1 && rc == 0; i++) {
        uint64_t pc = 0, po = prevout_of(cs, i, &pc);
        bool pcj = false;
        if (po == CW_NONE64 || !map_get(t, po, &idx))
            continue;
        if (!relinkable(t, po) || link_rule(t, po) ||
            (rc = entered_cj(t, pc, memo, mask, count, &pcj)) != 0 || !pcj)
            return rc;
        k++;
    }
    if (k < 2 || m == 0 || m >= k)
        return 0;
    for (uint64_t i = in0; i < in1 && rc == 0; i++) {
        uint64_t pc = 0, po = prevout_of(cs, i, &pc);
        if (po == CW_NONE64 || !map_get(t, po, &idx))
            continue;
        if ((rc = GROW(fs->e, fs->cap, fs->n + 1)) != 0)
            break;
        double p = (double)t->nodes[idx].amount / (double)cw_out_value(cw_chainstore_out(cs, po));
        fs->e[fs->n++] = (fund_edge){po, pc, R, p, p};
    }
    return rc;
}

static int cmp_edge_R(const void *a, const void *b)
{
    const fund_edge *x = a, *y = b;
    return x->R < y->R ? -1 : x->R > y->R ? 1 : x->po < y->po ? -1 : x->po > y->po;
}

typedef struct m_slot {
    uint64_t M;
    size_t i;
} m_slot;

static int cmp_m_slot(const void *a, const void *b)
{
    const m_slot *x = a, *y = b;
    return x->M < y->M ? -1 : x->M > y->M ? 1 : x->i < y->i ? -1 : x->i > y->i;
}

/* The owner's coins the rounds hold, in coins: what pass 1 traced on M's outputs over their
 * value, less M's own re-linked outputs (they take theirs first). */
static double round_supply(const cw_trace *t, uint64_t M)
{
    uint64_t in0, in1, o0, o1, idx;
    cw_chainstore_tx_range(t->cs, M, &in0, &in1, &o0, &o1);
    double c = 0.0;
    for (uint64_t o = o0; o < o1; o++) {
        if (link_rule(t, o)) {
            c -= 1.0;
            continue;
        }
        if (map_get(t, o, &idx))
            c += (double)t->nodes[idx].amount / (double)cw_out_value(cw_chainstore_out(t->cs, o));
    }
    return c > 0.0 ? c : 0.0;
}

/* Each candidate's chance of being one of the owner's coins that paid a re-linked output,
 * given that each round R with m re-linked outputs was paid by m of its candidates and that a
 * round M gives the owner no more coins than pass 1 traced on its outputs (one owner per mix
 * input: the owner took as many outputs as the coins it brought): starting from pass 1's
 * shares, alternately scaled to the rounds R (sum m, each at most 1) and capped at the rounds M
 * (sum <= the supply), 32 times. Then each funder's want = chance * its value. Returns 0 or
 * CW_ENOMEM. */
static int funders_fit(cw_trace *t, fund_set *fs)
{
    fund_edge *e = fs->e;
    size_t n = fs->n;
    qsort(e, n, sizeof *e, cmp_edge_R);
    size_t *byM = cw_calloc(n, sizeof *byM);
    m_slot *bym = cw_calloc(n, sizeof *bym);
    double *sup = cw_calloc(n, sizeof *sup), *mR = cw_calloc(n, sizeof *mR);
    int rc = 0;
    if (!byM || !bym || !sup || !mR) {
        rc = CW_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        bym[i] = (m_slot){e[i].M, i};
    qsort(bym, n, sizeof *bym, cmp_m_slot);
    for (size_t i = 0; i < n; i++)
        byM[i] = bym[i].i;
    for (size_t a = 0, b; a < n; a = b) { /* supply per M group (at its first index) */
        for (b = a; b < n && e[byM[b]].M == e[byM[a]].M; b++)
            ;
        sup[a] = round_supply(t, e[byM[a]].M);
    }
    for (size_t a = 0, b; a < n; a = b) { /* m per R group (at its first edge) */
        uint64_t in0, in1, o0, o1, m = 0;
        for (b = a; b < n && e[b].R == e[a].R; b++)
            ;
        cw_chainstore_tx_range(t->cs, e[a].R, &in0, &in1, &o0, &o1);
        for (uint64_t o = o0; o < o1; o++)
            m += link_rule(t, o) != 0;
        mR[a] = (double)m;
    }
    for (int it = 0; it < 32; it++) {
        for (size_t a = 0, b; a < n; a = b) {
            double sum = 0.0;
            for (b = a; b < n && e[b].R == e[a].R; b++)
                sum += e[b].w;
            for (size_t i = a; i < b && sum > 0.0; i++) {
                e[i].w *= mR[a] / sum;
                if (e[i].w > 1.0)
                    e[i].w = 1.0;
            }
        }
        for (size_t a = 0, b; a < n; a = b) {
            double sum = 0.0;
            for (b = a; b < n && e[byM[b]].M == e[byM[a]].M; b++)
                sum += e[byM[b]].w;
            if (sum > sup[a])
                for (size_t i = a; i < b; i++)
                    e[byM[i]].w *= sup[a] / sum;
        }
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        double v = (double)cw_out_value(cw_chainstore_out(t->cs, e[i].po));
        uint64_t want = e[i].w >= 1.0 ? (uint64_t)v : (uint64_t)(e[i].w * v + 0.5);
        if (want == 0)
            continue;
        if ((rc = tab_add(&t->funders, &t->fund_mask, &t->n_funders, e[i].po, want)) == 1)
            rc = 0;
        if (rc == 0 && (rc = tab_add(&t->frounds, &t->fr_mask, &t->n_fr, e[i].M, 0)) == 1)
            rc = 0;
    }
    t->stats.relink_funders = t->n_funders;
out:
    cw_free(byM);
    cw_free(bym);
    cw_free(sup);
    cw_free(mR);
    return rc;
}

/* Is tx a Wasabi 2 round (the patterns module's flag: the store's when the trace reads it,
 * else computed)? */
static bool is_wasabi2(const cw_trace *t, uint64_t tx)
{
    uint32_t f;
    if (t->is_cj == cw_trace_coinjoin_patterns && t->opts.is_coinjoin_ctx &&
        cw_patterns_tx_flags((const cw_patterns *)t->opts.is_coinjoin_ctx, tx, &f) == 0)
        return (f & CW_PAT_WASABI2) != 0;
    return (cw_patterns_compute(t->cs, tx) & CW_PAT_WASABI2) != 0;
}

enum { FUND_MAX_INPUTS = 10 }; /* Wasabi 2's client registers at most 10 coins a round */

static int add_funding(cw_trace *t, uint64_t out, uint64_t evidence, uint64_t value, uint64_t bound)
{
    int rc =
        tab_add(&t->links, &t->link_mask, &t->n_links, out, evidence * 16 + CW_RULE_RELINK_FUNDING);
    if (rc)
        return rc == 1 ? 0 : rc; /* re-linked by another rule already */
    t->stats.relink_funding++;
    if ((rc = tab_add(&t->fb_value, &t->fbv_mask, &t->n_fbv, out, value)) == 0)
        rc = tab_add(&t->fb_bound, &t->fbb_mask, &t->n_fbb, out, bound);
    return rc == 1 ? 0 : rc;
}

/* relinked-funding at round c (a CoinJoin pass 1 passed): when c is a Wasabi 2 round, any
 * party of it without a traced input brought at most FUND_MAX_INPUTS untraced inputs, so its
 * outputs are worth at most the sum B of the round's FUND_MAX_INPUTS largest untraced inputs.
 * An owner's outputs from c worth more than B are a traced-input holder's: one output alone,
 * or the outputs of c that one ordinary tx S (not a CoinJoin) spends together (common-input
 * ownership). Evidence: c for one output, S for a co-spend. Labelled outputs (a coordinator's
 * fee, an exchange) are never re-linked. Returns 0 or CW_ENOMEM. */
static int funding_links(cw_trace *t, uint64_t c)
{
    const cw_chainstore *cs = t->cs;
    uint64_t in0, in1, o0, o1, idx, top[FUND_MAX_INPUTS] = {0};
    cw_chainstore_tx_range(cs, c, &in0, &in1, &o0, &o1);
    if (!is_wasabi2(t, c))
        return 0;
    for (uint64_t k = in0; k < in1; k++) {
        uint64_t po = prevout_of(cs, k, NULL);
        if (po == CW_NONE64 || map_get(t, po, &idx))
            continue; /* a traced input (a sliver under the floor too) */
        uint64_t v = cw_out_value(cw_chainstore_out(cs, po));
        for (int j = 0; j < FUND_MAX_INPUTS; j++)
            if (v > top[j]) {
                uint64_t x = top[j];
                top[j] = v;
                v = x;
            }
    }
    u128 bound = 0;
    for (int j = 0; j < FUND_MAX_INPUTS; j++)
        bound += top[j];
    int rc = 0;
    for (uint64_t o = o0; o < o1 && rc == 0; o++) {
        if (!relinkable(t, o) || link_rule(t, o))
            continue;
        u128 owner = cw_out_value(cw_chainstore_out(cs, o));
        uint64_t S = cw_chainstore_out(cs, o)->spending_tx, ev = c, s0, s1, so0, so1;
        if (S != CW_NONE32 && S < t->counts.txs) {
            cw_chainstore_tx_range(cs, S, &s0, &s1, &so0, &so1);
            bool cj = true;
            if (s1 - s0 >= 2 && (rc = tx_is_cj(t, S, &cj)) == 0 && !cj) {
                owner = 0;
                for (uint64_t k = s0; k < s1; k++) {
                    uint64_t pc = 0, po = prevout_of(cs, k, &pc);
                    if (po != CW_NONE64 && pc == c && relinkable(t, po))
                        owner += cw_out_value(cw_chainstore_out(cs, po));
                }
                ev = S;
            }
        }
        if (rc == 0 && owner > bound)
            rc = add_funding(t, o, ev, (uint64_t)owner, (uint64_t)bound);
    }
    return rc;
}

/* ---------------------------------------------------------------- relinked-carried */

/* A coin the re-link search found to be the source owner's (an ordinary tx S pays it into the
 * owner's exchange deposit account, or spends it with an anchor) that is an output of a
 * CoinJoin no traced value entered: the owner remixed its coin past the last round the trace
 * entered. */
typedef struct carry_cand {
    uint64_t D, S;
    bool unfed; /* D is re-linked already (end evidence); pass 2 did not enter its many round
                 * (relink_unfed) */
} carry_cand;

/* A round of the walk back from the candidates: a one-to-one mix, or (many) a CoinJoin of
 * another shape (Wasabi 2, JoinMarket: one owner brings several inputs and takes several
 * outputs of unequal value). dem: what its outputs on the paths want (sat); e0 / e1: its
 * in-edges (carry_edge). */
typedef struct carry_round {
    uint64_t tx, dem;
    size_t e0, e1;
    uint32_t depth;
    bool live, many;
} carry_round;

/* An input q of round x: a coin pass 1 traced (y = SIZE_MAX: a root), an output pass 1 gave
 * nothing of a CoinJoin its value entered (y = SIZE_MAX, ent: a root too; only into a many
 * round), or an output of round y of the walk. want: the value it carries into x. */
typedef struct carry_edge {
    uint64_t q, want;
    size_t x, y;
    bool ent;
} carry_edge;

/* At most this many remixes back from a candidate's round (CARRY_MANY_DEPTH between many
 * rounds), and rounds in one trace's walk */
enum { CARRY_DEPTH = 8, CARRY_MANY_DEPTH = 1, CARRY_ROUNDS = 20000 };

/* The index of round tx in the walk (*at), added at depth when new; SIZE_MAX when the walk is
 * full (CARRY_ROUNDS). Returns 0 or CW_ENOMEM. */
static int carry_round_of(carry_round **r, size_t *n, size_t *cap, cw_trace__slot **ix,
                          uint64_t *mask, uint64_t *cnt, uint64_t tx, uint32_t depth, size_t *at)
{
    uint64_t v;
    if (tab_get(*ix, *mask, tx, &v)) {
        *at = (size_t)v;
        return 0;
    }
    *at = SIZE_MAX;
    if (*n >= CARRY_ROUNDS)
        return 0;
    int rc = GROW(*r, *cap, *n + 1);
    if (rc)
        return rc;
    (*r)[*n] = (carry_round){tx, 0, 0, 0, depth, false, false};
    if ((rc = tab_add(ix, mask, cnt, tx, *n)) != 0)
        return rc == 1 ? 0 : rc;
    *at = (*n)++;
    return 0;
}

/* Is tx a one-to-one mix that is a CoinJoin (the Whirlpool shape: each input's owner takes one
 * output)? *many: a CoinJoin of another shape (set only when many is not NULL). */
static int carry_mix(cw_trace *t, uint64_t tx, bool *yes, bool *many)
{
    uint64_t in0, in1, o0, o1;
    cw_chainstore_tx_range(t->cs, tx, &in0, &in1, &o0, &o1);
    *yes = false;
    bool one = one_to_one_mix(t->cs, in0, in1, o0, o1);
    if (many)
        *many = false;
    if (!one && !many)
        return 0;
    int rc = tx_is_cj(t, tx, yes);
    if (rc == 0 && *yes && !one)
        *many = true;
    return rc;
}

/* relinked-carried (docs/TRACE-MODELS.md, "Remixed past the trace"). Each candidate D is the
 * owner's by the evidence S; its round R received no traced value. Walk back from R through
 * one-to-one mixes (at most CARRY_DEPTH rounds) to the coins pass 1 traced (the roots): the
 * owner's coin that paid D came through one of the walk's paths, and which one the chain does
 * not say (honest remixers share the rounds). So D's value is wanted from every path at once:
 * each round splits what its path outputs want equally over its inputs on a path (a live
 * input: one that leads back to a root), each at most its value, round by round back to the
 * roots. The roots become funders (their rounds give them their want first), the path coins
 * of the walk funders of their rounds, and every round of a path a round that gives its path
 * outputs their value first (lrounds: a sliver that enters it is followed): the value goes
 * only along the paths and ends only at D. Everything is probable. Returns 0 or CW_ENOMEM. */
static int carry_links(cw_trace *t, const carry_cand *cand, size_t n_cand)
{
    const cw_chainstore *cs = t->cs;
    carry_round *r = NULL;
    carry_edge *e = NULL;
    size_t n_r = 0, cap_r = 0, n_e = 0, cap_e = 0, *ord = NULL;
    cw_trace__slot *ix = NULL, *memo = NULL;
    uint64_t ix_mask = 0, n_ix = 0, memo_mask = 0, n_memo = 0;
    int rc = 0;
    /* the candidates' rounds, then the walk back (breadth first: each round at its least
     * depth) */
    for (size_t i = 0; i < n_cand && rc == 0; i++) {
        size_t at;
        bool mix = false, many = false;
        uint64_t R = cw_chainstore_out_tx(cs, cand[i].D);
        if ((link_rule(t, cand[i].D) && !cand[i].unfed) ||
            (rc = carry_mix(t, R, &mix, t->no_carry_many ? NULL : &many)) != 0 || !mix ||
            (cand[i].unfed && !many))
            continue;
        rc = carry_round_of(&r, &n_r, &cap_r, &ix, &ix_mask, &n_ix, R, 0, &at);
        if (rc == 0 && at != SIZE_MAX)
            r[at].many = many;
    }
    for (size_t i = 0; i < n_r && rc == 0; i++) {
        uint64_t in0, in1, o0, o1;
        cw_chainstore_tx_range(cs, r[i].tx, &in0, &in1, &o0, &o1);
        r[i].e0 = n_e;
        for (uint64_t k = in0; k < in1 && rc == 0; k++) {
            uint64_t y = 0, q = prevout_of(cs, k, &y), idx;
            size_t at = SIZE_MAX;
            bool ent = false;
            if (q == CW_NONE64)
                continue;
            if (map_get(t, q, &idx)) {
                if (t->nodes[idx].dusting || !relinkable(t, q) || link_rule(t, q))
                    continue;
            } else if (r[i].many) {
                /* into a many round: an output pass 1 gave nothing of a CoinJoin its value
                 * entered is a root (its round gives it its want first), else an output of
                 * another many round no traced value entered, CARRY_MANY_DEPTH back at most */
                bool mix = false, many = false;
                if (!relinkable(t, q) || link_rule(t, q) ||
                    (rc = entered_cj(t, y, &memo, &memo_mask, &n_memo, &ent)) != 0)
                    continue;
                if (!ent && (r[i].depth + 1 > CARRY_MANY_DEPTH ||
                             (rc = carry_mix(t, y, &mix, &many)) != 0 || !mix || !many ||
                             (rc = carry_round_of(&r, &n_r, &cap_r, &ix, &ix_mask, &n_ix, y,
                                                  r[i].depth + 1, &at)) != 0 ||
                             at == SIZE_MAX))
                    continue;
                if (!ent)
                    r[at].many = true;
            } else {
                bool mix = false;
                if (r[i].depth + 1 > CARRY_DEPTH || (rc = carry_mix(t, y, &mix, NULL)) != 0 ||
                    !mix ||
                    (rc = carry_round_of(&r, &n_r, &cap_r, &ix, &ix_mask, &n_ix, y, r[i].depth + 1,
                                         &at)) != 0 ||
                    at == SIZE_MAX)
                    continue;
            }
            if ((rc = GROW(e, cap_e, n_e + 1)) == 0)
                e[n_e++] = (carry_edge){q, 0, i, at, ent};
        }
        r[i].e1 = n_e;
    }
    if (rc || n_r == 0)
        goto out;
    /* live rounds (a path to a root), in chain order: a round's inputs are older than it */
    m_slot *by_tx = cw_calloc(n_r, sizeof *by_tx);
    if (!by_tx || !(ord = cw_calloc(n_r, sizeof *ord))) {
        cw_free(by_tx);
        rc = CW_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n_r; i++)
        by_tx[i] = (m_slot){r[i].tx, i};
    qsort(by_tx, n_r, sizeof *by_tx, cmp_m_slot);
    for (size_t i = 0; i < n_r; i++)
        ord[i] = by_tx[i].i;
    cw_free(by_tx);
    for (size_t a = 0; a < n_r; a++) {
        carry_round *x = &r[ord[a]];
        for (size_t j = x->e0; j < x->e1 && !x->live; j++)
            x->live = e[j].y == SIZE_MAX || r[e[j].y].live;
    }
    /* what the candidates want, then back round by round (newest first) */
    for (size_t i = 0; i < n_cand; i++) {
        uint64_t v;
        if ((!link_rule(t, cand[i].D) || cand[i].unfed) &&
            tab_get(ix, ix_mask, cw_chainstore_out_tx(cs, cand[i].D), &v) && r[v].live)
            r[v].dem += cw_out_value(cw_chainstore_out(cs, cand[i].D));
    }
    for (size_t a = n_r; a-- > 0;) {
        carry_round *x = &r[ord[a]];
        size_t k = 0;
        uint64_t V = 0;
        if (!x->live || x->dem == 0)
            continue;
        for (size_t j = x->e0; j < x->e1; j++)
            if (e[j].y == SIZE_MAX || r[e[j].y].live) {
                k++;
                V += cw_out_value(cw_chainstore_out(cs, e[j].q));
            }
        for (size_t j = x->e0; j < x->e1; j++) {
            if (e[j].y != SIZE_MAX && !r[e[j].y].live)
                continue;
            /* a many round: by value over its live inputs (one owner's several inputs of
             * unequal value; each live satoshi as likely the owner's), each at most its value */
            uint64_t v = cw_out_value(cw_chainstore_out(cs, e[j].q));
            uint64_t w = !x->many ? x->dem / k : x->dem >= V ? v : (uint64_t)((u128)x->dem * v / V);
            e[j].want = w < v ? w : v;
            if (e[j].y != SIZE_MAX)
                r[e[j].y].dem += e[j].want;
        }
    }
    /* the re-links, the funders and the rounds */
    for (size_t i = 0; i < n_cand && rc == 0; i++) {
        uint64_t v;
        if (link_rule(t, cand[i].D) || /* an unfed candidate keeps its re-link */
            !tab_get(ix, ix_mask, cw_chainstore_out_tx(cs, cand[i].D), &v) || !r[v].live ||
            r[v].dem == 0)
            continue;
        if ((rc = add_link(t, cand[i].D, cand[i].S, CW_RULE_RELINK_CARRIED)) == 0)
            t->stats.relink_carried++;
    }
    for (size_t j = 0; j < n_e && rc == 0; j++) {
        if (!e[j].want)
            continue;
        uint64_t want = e[j].want, idx;
        /* a root keeps at least what pass 1 gave it: its round's other outputs never get more */
        if (e[j].y == SIZE_MAX && map_get(t, e[j].q, &idx) && t->nodes[idx].amount > want)
            want = t->nodes[idx].amount;
        if ((rc = tab_add(&t->funders, &t->fund_mask, &t->n_funders, e[j].q, want)) == 1) {
            rc = 0;
            continue; /* a funder of another rule already */
        }
        /* a root's round gives it its want first when it is a CoinJoin (relink_apply); a
         * root into a many round keeps its round's ranking by amounts (wrounds: pass 2 only
         * restarts there) */
        bool mcj = false;
        uint64_t M = cw_chainstore_out_tx(cs, e[j].q);
        if (rc == 0 && e[j].y == SIZE_MAX && (rc = tx_is_cj(t, M, &mcj)) == 0 && mcj) {
            if (r[e[j].x].many)
                rc = tab_add(&t->wrounds, &t->wr_mask, &t->n_wr, M, 0);
            else
                rc = tab_add(&t->frounds, &t->fr_mask, &t->n_fr, M, 0);
            rc = rc == 1 ? 0 : rc;
        }
    }
    for (size_t i = 0; i < n_r && rc == 0; i++) {
        if (!r[i].live || r[i].dem == 0)
            continue;
        t->stats.relink_carry_rounds++;
        if ((rc = tab_add(&t->lrounds, &t->lr_mask, &t->n_lr, r[i].tx, 0)) == 1)
            rc = 0;
        if (rc == 0 && (rc = tab_add(&t->crounds, &t->cr_mask, &t->n_cr, r[i].tx, 0)) == 1)
            rc = 0;
    }
    t->stats.relink_funders = t->n_funders;
out:
    cw_free(r);
    cw_free(e);
    cw_free(ord);
    cw_free(ix);
    cw_free(memo);
    return rc;
}

/* The re-link search over pass 1's result (docs/TRACE-MODELS.md, "Re-linking"). Anchors are
 * coins that pass 1 traced and at least half of whose value is certain traced value (stolen
 * value that never passed a CoinJoin). Candidates are outputs of the CoinJoins that pass 1's
 * value entered (entered_cj: one of its inputs traced), never one paid to a labelled address
 * (a coordinator's fee, an exchange).
 *  - relinked-cospend: an ordinary tx S (not a CoinJoin) spends an anchor and a candidate:
 *    common-input ownership makes the candidate the anchor holder's (the thief merging its
 *    post-mix coins with its unmixed "toxic" coins). Evidence: S.
 *  - relinked-address: an output of a CoinJoin that pass 1 traced, paid to an address that
 *    also holds an anchor (address reuse). Evidence: the CoinJoin.
 *  - relinked-remix: a re-linked output's CoinJoin of whose inputs pass 1 traced exactly one
 *    (any amount, a sliver below the floor too), that input being a candidate: it funded
 *    the re-linked output, the remix chain. Evidence: the CoinJoin. Followed back round by
 *    round to the round the stolen value entered.
 * Post-mix coins spent together with no anchor are not re-linked: heavy honest mixers and
 * coordinators hold coins of many of the same rounds. Returns 0 or CW_ENOMEM. */
static int relink_find(cw_trace *t)
{
    const cw_chainstore *cs = t->cs;
    cw_trace__slot *memo = NULL, *seen = NULL, *aaddr = NULL, *lin = NULL;
    uint64_t memo_mask = 0, n_memo = 0, seen_mask = 0, n_seen = 0, aa_mask = 0, n_aa = 0;
    uint64_t lin_mask = 0, n_lin = 0;
    uint64_t *work = NULL;
    size_t n_work = 0, cap_work = 0, n_cand = 0, cap_cand = 0;
    carry_cand *cand = NULL; /* the owner's coins from rounds no traced value entered */
    int rc = 0;
    /* anchors: their addresses, and their spending txs (co-spends) */
    for (size_t i = 0; i < t->n_nodes && rc == 0; i++) {
        uint64_t out = t->nodes[i].out;
        bool own = i < t->n_src_nodes;
        if (!is_anchor(t, out) ||
            (!own && (rc = lineage_ok(t, t->nodes[i].tx, &lin, &lin_mask, &n_lin, &work, &cap_work,
                                      &own)) != 0) ||
            !own)
            continue;
        uint64_t a = out_addr(cw_chainstore_out(cs, out));
        if (a != CW_NONE64 && (rc = tab_add(&aaddr, &aa_mask, &n_aa, a, 0)) == 1)
            rc = 0;
        uint64_t S = cw_chainstore_out(cs, out)->spending_tx;
        /* a coin the trace stopped at (a labelled exchange or deposit address) is the
         * labelled owner's now: its spending tx (the exchange's sweep) is no evidence about
         * the source's owner (its address still is, for the deposit-account rule below) */
        if (rc || S == CW_NONE32 || S >= t->counts.txs || stops_at(t, a))
            continue;
        if ((rc = tab_add(&seen, &seen_mask, &n_seen, S, 0)) != 0) {
            rc = rc == 1 ? 0 : rc;
            continue; /* S examined already */
        }
        uint64_t s0, s1, so0, so1;
        cw_chainstore_tx_range(cs, S, &s0, &s1, &so0, &so1);
        if (s1 - s0 < 2)
            continue;
        bool cj;
        if ((rc = tx_is_cj(t, S, &cj)) != 0 || cj)
            continue;
        bool counted = false;
        for (uint64_t k = s0; k < s1 && rc == 0; k++) {
            uint64_t pc = 0, po = prevout_of(cs, k, &pc);
            bool pcj = false;
            if (po == CW_NONE64 || !relinkable(t, po) ||
                (rc = entered_cj(t, pc, &memo, &memo_mask, &n_memo, &pcj)) != 0)
                continue;
            if (!pcj) {
                if (!t->no_carry && (rc = GROW(cand, cap_cand, n_cand + 1)) == 0)
                    cand[n_cand++] = (carry_cand){po, S, false};
                continue;
            }
            if (!counted) {
                t->stats.relink_cospends++;
                counted = true;
            }
            rc = add_link(t, po, S, CW_RULE_RELINK_COSPEND);
        }
    }
    /* address reuse, at the CoinJoins pass 1 passed */
    for (size_t i = 0; i < t->n_txr && rc == 0 && n_aa; i++) {
        if (!t->txr[i].coinjoin)
            continue;
        uint64_t c = t->txr[i].tx, in0, in1, o0, o1;
        cw_chainstore_tx_range(cs, c, &in0, &in1, &o0, &o1);
        for (uint64_t o = o0; o < o1 && rc == 0; o++)
            if (relinkable(t, o) &&
                tab_get(aaddr, aa_mask, out_addr(cw_chainstore_out(cs, o)), NULL))
                rc = add_link(t, o, c, CW_RULE_RELINK_ADDRESS);
    }
    /* the same exchange deposit account: a tx that spends CoinJoin outputs into a deposit
     * address (label category exchange_deposit: one customer's account) that also received
     * an anchor; every CoinJoin output it spends is the account holder's */
    for (uint64_t j = 0; rc == 0 && aaddr && j <= aa_mask; j++) {
        const char *cat;
        uint64_t a = aaddr[j].key - 1;
        if (!aaddr[j].key || !t->labels || !cw_trace_labelmap_get(t->labels, a, NULL, &cat) ||
            strcmp(cat, "exchange_deposit") != 0)
            continue;
        uint64_t o = cw_chainstore_addr_last(cs, a);
        for (int walked = 0; rc == 0 && o != CW_NONE64 && o < t->counts.outs && walked < 100000;
             walked++, o = cw_chainstore_outlink(cs, o)) {
            uint64_t S = cw_chainstore_out_tx(cs, o), s0, s1, so0, so1;
            if ((rc = tab_add(&seen, &seen_mask, &n_seen, S, 1)) != 0) {
                rc = rc == 1 ? 0 : rc;
                continue;
            }
            bool cj;
            if ((rc = tx_is_cj(t, S, &cj)) != 0 || cj)
                continue;
            cw_chainstore_tx_range(cs, S, &s0, &s1, &so0, &so1);
            for (uint64_t k = s0; k < s1 && rc == 0; k++) {
                uint64_t pc = 0, po = prevout_of(cs, k, &pc);
                bool pcj = false;
                if (po == CW_NONE64 || !relinkable(t, po) ||
                    (rc = entered_cj(t, pc, &memo, &memo_mask, &n_memo, &pcj)) != 0)
                    continue;
                if (!pcj) {
                    if (!t->no_carry && (rc = GROW(cand, cap_cand, n_cand + 1)) == 0)
                        cand[n_cand++] = (carry_cand){po, S, false};
                    continue;
                }
                rc = add_link(t, po, S, CW_RULE_RELINK_ADDRESS);
            }
        }
    }
    /* the funding bound, at the Wasabi 2 rounds pass 1 passed */
    for (size_t i = 0; i < t->n_txr && rc == 0; i++)
        if (t->txr[i].coinjoin)
            rc = funding_links(t, t->txr[i].tx);
    /* remix chains: every re-linked output, then every output they re-link */
    for (uint64_t j = 0; rc == 0 && t->links && j <= t->link_mask; j++)
        if (t->links[j].key) {
            if ((rc = GROW(work, cap_work, n_work + 1)) == 0)
                work[n_work++] = t->links[j].key - 1;
        }
    while (rc == 0 && n_work) {
        uint64_t x = work[--n_work];
        uint64_t c = cw_chainstore_out_tx(cs, x), in0, in1, o0, o1;
        cw_chainstore_tx_range(cs, c, &in0, &in1, &o0, &o1);
        uint64_t one = CW_NONE64, one_c = 0;
        size_t n = 0;
        for (uint64_t k = in0; k < in1 && n < 2; k++) {
            uint64_t pc = 0, po = prevout_of(cs, k, &pc), idx;
            if (po != CW_NONE64 && map_get(t, po, &idx)) {
                one = po;
                one_c = pc;
                n++;
            }
        }
        bool pcj = false;
        if (n != 1 || !relinkable(t, one) || link_rule(t, one) ||
            (rc = entered_cj(t, one_c, &memo, &memo_mask, &n_memo, &pcj)) != 0 || !pcj)
            continue;
        if ((rc = add_link(t, one, c, CW_RULE_RELINK_REMIX)) == 0 &&
            (rc = GROW(work, cap_work, n_work + 1)) == 0)
            work[n_work++] = one;
    }
    /* funders: a re-linked output of a one-to-one mix with k >= 2 traced inputs, each a
     * CoinJoin output of a round the value entered, was paid by one of them */
    fund_set fs = {0};
    cw_trace__slot *rseen = NULL;
    uint64_t rs_mask = 0, n_rs = 0;
    for (uint64_t j = 0; rc == 0 && t->links && j <= t->link_mask && !t->no_funders; j++) {
        if (!t->links[j].key)
            continue;
        uint64_t R = cw_chainstore_out_tx(cs, t->links[j].key - 1);
        if ((rc = tab_add(&rseen, &rs_mask, &n_rs, R, 0)) == 0)
            rc = funders_of(t, R, &fs, &memo, &memo_mask, &n_memo);
        else if (rc == 1)
            rc = 0; /* R examined already */
    }
    if (rc == 0 && fs.n)
        rc = funders_fit(t, &fs);
    cw_free(fs.e);
    cw_free(rseen);
    /* remixed past the trace: the owner's coins from rounds no traced value entered */
    if (rc == 0 && n_cand)
        rc = carry_links(t, cand, n_cand);
    cw_free(cand);
    /* the rounds with a re-linked output: a sliver that enters one is followed past the
     * probable floor, since that round gives it to the re-linked output */
    for (uint64_t j = 0; rc == 0 && t->links && j <= t->link_mask; j++)
        if (t->links[j].key &&
            (rc = tab_add(&t->lrounds, &t->lr_mask, &t->n_lr,
                          cw_chainstore_out_tx(cs, t->links[j].key - 1), 0)) == 1)
            rc = 0;
    t->stats.relinked = t->n_links;
    cw_free(lin);
    cw_free(memo);
    cw_free(seen);
    cw_free(aaddr);
    cw_free(work);
    return rc;
}

/* relinked-carried's third pass (docs/TRACE-MODELS.md, "Remixed in a Wasabi 2 round"): after
 * pass 2, a re-linked output D with end evidence (relinked-address: an anchor's address;
 * relinked-cospend: spent with an anchor) of a many round R (Wasabi 2, JoinMarket) that pass 1
 * entered and pass 2 did not: the coins that carried pass 1's value into R were outputs of a
 * round whose re-links and funders took its value in pass 2. R is then a round no traced value
 * entered, and D is walked as relinked-carried's candidates are, on pass 2's result (D keeps
 * its re-link and evidence). *more: some round was walked (a third pass is due). Returns 0 or
 * CW_ENOMEM. */
static int relink_unfed(cw_trace *t, bool *more)
{
    const cw_chainstore *cs = t->cs;
    carry_cand *cand = NULL;
    size_t n_cand = 0, cap_cand = 0;
    uint64_t rounds = t->stats.relink_carry_rounds, idx;
    int rc = 0;
    *more = false;
    for (uint64_t j = 0; rc == 0 && t->links && j <= t->link_mask; j++) {
        uint64_t D = t->links[j].key - 1, ev = t->links[j].val / 16, in0, in1, o0, o1;
        uint8_t rule = (uint8_t)(t->links[j].val % 16);
        if (!t->links[j].key ||
            (rule != CW_RULE_RELINK_ADDRESS && rule != CW_RULE_RELINK_COSPEND) ||
            (map_get(t, D, &idx) && t->nodes[idx].amount))
            continue;
        uint64_t R = cw_chainstore_out_tx(cs, D);
        cw_chainstore_tx_range(cs, R, &in0, &in1, &o0, &o1);
        bool entered = false, mix = false, many = false;
        for (uint64_t k = in0; k < in1 && !entered; k++) {
            uint64_t po = prevout_of(cs, k, NULL);
            entered = po != CW_NONE64 && map_get(t, po, &idx);
        }
        if (entered || (rc = carry_mix(t, R, &mix, &many)) != 0 || !mix || !many)
            continue;
        if ((rc = GROW(cand, cap_cand, n_cand + 1)) == 0)
            cand[n_cand++] = (carry_cand){D, ev, true};
    }
    if (rc == 0 && n_cand)
        rc = carry_links(t, cand, n_cand);
    cw_free(cand);
    *more = rc == 0 && t->stats.relink_carry_rounds > rounds;
    return rc;
}

/* ---------------------------------------------------------------- custodial-mixer payouts */

/* A mixer the trace entered (value ended at an address of category mixer): its entity, the
 * value that entered it (the cap), the first tx that paid it, and the node of its largest
 * entry (the path's parent of what comes back). */
typedef struct mp_mixer {
    const char *entity; /* NULL: an unlabelled service, known by its sweep (sweep_tx) */
    uint64_t entered, left, first_tx, sweep_tx;
    uint32_t node, hop;
    size_t rep; /* unlabelled: the service it is one with (its own index when none) */
    bool off;   /* unlabelled: not a custodial mixer by its behaviour (an input labelled as
                 * an exchange's, or fewer than SWEEP_MIN_PAYEES payees) */
} mp_mixer;

/* The unlabelled services' txs (tx -> index into the mixers) and addresses, found by
 * mp_service. */
typedef struct mp_svc {
    cw_trace__slot *tx, *addr;
    uint64_t tx_mask, n_tx, addr_mask, n_addr;
    uint64_t *q; /* coins of the service to follow */
    size_t nq, cap_q, walked, n_walked_tx;
    uint64_t until; /* the last tx a payout may be (the last candidate deposit) */
} mp_svc;

/* Bounds of the services' walks in one trace: their txs, and the outputs looked at at their
 * addresses. Hitting one leaves later payouts unfound (a miss, never an attribution). */
#define MP_SVC_TXS 50000
#define MP_SVC_WALK 500000

static size_t mp_rep(const mp_mixer *ms, size_t m)
{
    while (ms[m].rep != m)
        m = ms[m].rep;
    return m;
}

static int mp_push(mp_svc *s, uint64_t o)
{
    int rc = GROW(s->q, s->cap_q, s->nq + 1);
    if (rc == 0)
        s->q[s->nq++] = o;
    return rc;
}

/* Whether output o of a tx of the service is the pool going on: the tx that spends it spends
 * it alone and pays at least MP_GOES_ON outputs (the remainder paying the next customers, a
 * payout chain); a customer's coin is deposited, or paid on to one or two. */
#define MP_GOES_ON 3
static bool mp_goes_on(const cw_trace *t, uint64_t o)
{
    uint64_t sp = cw_chainstore_out(t->cs, o)->spending_tx, i0, i1, o0, o1;
    if (sp == CW_NONE32 || sp >= t->counts.txs)
        return false;
    cw_chainstore_tx_range(t->cs, sp, &i0, &i1, &o0, &o1);
    return i1 - i0 == 1 && o1 - o0 >= MP_GOES_ON;
}

/* docs/TRACE-MODELS.md, "Unlabelled custodial mixers": the txs of the service whose sweep
 * (tx `sweep`, mixer m) ended the trace. A coin of the service is an output of the sweep, any
 * output paid to an address the service has spent from (its pool, reused), or the one output
 * of a tx of the service (its pool moved on); a tx of the service is one that spends a coin of
 * the service, never a CoinJoin; its inputs are all the service's (the multi-input rule), so
 * their addresses become the service's. A change output to a fresh address is found when it
 * is spent together with another coin of the service. A service that reaches another's txs
 * becomes one with it (the cap is then their joint value); one whose inputs include an address
 * labelled exchange or exchange_deposit, or whose sweep pays one, is an exchange: its walk stops
 * there and it is left alone. */
static int mp_service(cw_trace *t, mp_svc *s, mp_mixer *ms, size_t m, uint64_t sweep)
{
    const cw_chainstore *cs = t->cs;
    size_t head = 0;
    uint64_t v;
    int rc = 0;
    s->nq = 0;
    if (sweep > s->until) /* after the last deposit that could have been paid */
        return 0;
    if (tab_get(s->tx, s->tx_mask, sweep, &v)) { /* the same service swept it */
        ms[m].rep = mp_rep(ms, (size_t)v);
        return 0;
    }
    for (uint64_t tx = sweep; rc == 0;) {
        uint64_t i0, i1, o0, o1;
        if ((rc = tab_add(&s->tx, &s->tx_mask, &s->n_tx, tx, m)) != 0)
            return rc == 1 ? 0 : rc;
        s->n_walked_tx++;
        cw_chainstore_tx_range(cs, tx, &i0, &i1, &o0, &o1);
        for (uint64_t k = i0; k < i1 && rc == 0; k++) {
            uint64_t po = prevout_of(cs, k, NULL), a;
            if (po == CW_NONE64 || (a = out_addr(cw_chainstore_out(cs, po))) == CW_NONE64)
                continue;
            if (cw_trace_labelmap_has(t->labels, a, "exchange") ||
                cw_trace_labelmap_has(t->labels, a, "exchange_deposit"))
                ms[m].off = true;
            if ((rc = tab_add(&s->addr, &s->addr_mask, &s->n_addr, a, m)) == 1) {
                rc = 0;
                continue;
            }
            /* the address's other coins are the service's too */
            for (uint64_t o = cw_chainstore_addr_last(cs, a);
                 rc == 0 && o != CW_NONE64 && o < t->counts.outs && s->walked < MP_SVC_WALK;
                 o = cw_chainstore_outlink(cs, o), s->walked++)
                rc = mp_push(s, o);
        }
        for (uint64_t o = o0; o < o1 && rc == 0 && tx == sweep; o++) {
            uint64_t a = out_addr(cw_chainstore_out(cs, o));
            if (a != CW_NONE64 && (cw_trace_labelmap_has(t->labels, a, "exchange") ||
                                   cw_trace_labelmap_has(t->labels, a, "exchange_deposit")))
                ms[m].off = true; /* swept into an exchange's labelled address */
        }
        if (ms[m].off) /* an exchange: nothing of it is followed */
            break;
        for (uint64_t o = o0; o < o1 && rc == 0; o++) {
            uint64_t a = out_addr(cw_chainstore_out(cs, o));
            if (o1 - o0 == 1 || tx == sweep ||
                (a != CW_NONE64 && tab_get(s->addr, s->addr_mask, a, NULL)) || mp_goes_on(t, o))
                rc = mp_push(s, o);
        }
        /* the next tx of the service: one that spends a coin of it */
        tx = CW_NONE64;
        while (rc == 0 && head < s->nq && tx == CW_NONE64 && s->n_walked_tx < MP_SVC_TXS) {
            uint64_t sp = cw_chainstore_out(cs, s->q[head++])->spending_tx;
            if (sp == CW_NONE32 || sp >= t->counts.txs || sp > s->until)
                continue;
            if (tab_get(s->tx, s->tx_mask, sp, &v)) {
                size_t r = mp_rep(ms, (size_t)v), mr = mp_rep(ms, m);
                if (r != mr) /* one service: the later joins the earlier */
                    ms[r > mr ? r : mr].rep = r < mr ? r : mr;
                continue;
            }
            if (!t->is_cj(t->opts.is_coinjoin_ctx, cs, sp))
                tx = sp;
        }
        if (tx == CW_NONE64)
            break;
    }
    return rc;
}

/* An exchange deposit address holding certain stolen value: its first such tx (the evidence
 * shown). */
typedef struct mp_acct {
    uint64_t addr, first_tx;
} mp_acct;

/* A candidate: deposit output d (created by T) funded by mixer m's payout tx P, directly
 * (p == CW_NONE64) or through p, P's output that T spends alone. */
typedef struct mp_cand {
    uint64_t d, T, p, P, evidence;
    size_t m;
    uint64_t amount;
    uint64_t order; /* the order its payout was matched to by amount, or CW_NONE64 */
} mp_cand;

/* An order at an unlabelled service: a coin with traced value that one of its sweeps
 * gathered (one customer's deposit), and its value. A payout matched to it by amount uses it
 * up (docs/TRACE-MODELS.md, "Payouts from the float"). */
typedef struct mp_order {
    size_t m; /* the service (its representative) */
    uint64_t sweep, out, value;
    bool used;
} mp_order;

/* A payout pays an order less the service's fee: between 90 % and 100 % of it. */
#define MP_ORDER_FEE_MAX_PCT 10
/* Deposits looked at for payouts from the float in one trace (the matching is quadratic in
 * them); past that none is matched (a miss, never an attribution). */
#define MP_FLOAT_CANDS 4096

static int cmp_cand(const void *a, const void *b)
{
    const mp_cand *x = a, *y = b;
    if (x->T != y->T)
        return x->T < y->T ? -1 : 1;
    return x->d < y->d ? -1 : x->d > y->d;
}

static bool mp_same(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/* The entered mixer (index into ms) that tx spends a coin of, after its first entry; SIZE_MAX
 * when none. */
static size_t mp_mixer_of(const cw_trace *t, uint64_t tx, const mp_mixer *ms, size_t n_ms,
                          const mp_svc *sv)
{
    uint64_t i0, i1, o0, o1, v;
    if (sv->tx && tab_get(sv->tx, sv->tx_mask, tx, &v)) {
        size_t r = mp_rep(ms, (size_t)v);
        if (ms[r].first_tx < tx && !ms[r].off)
            return r;
    }
    cw_chainstore_tx_range(t->cs, tx, &i0, &i1, &o0, &o1);
    for (uint64_t k = i0; k < i1; k++) {
        uint64_t po = prevout_of(t->cs, k, NULL);
        if (po == CW_NONE64)
            continue;
        uint64_t a = out_addr(cw_chainstore_out(t->cs, po));
        const char *ent, *cat;
        if (a == CW_NONE64 || !cw_trace_labelmap_get(t->labels, a, &ent, &cat) ||
            strcmp(cat, "mixer") != 0)
            continue;
        for (size_t m = 0; m < n_ms; m++)
            if (ms[m].entity && ms[m].first_tx < tx && mp_same(ent, ms[m].entity))
                return m;
    }
    return SIZE_MAX;
}

static int mp_node(cw_trace *t, uint64_t out, uint64_t tx, uint32_t hop, uint32_t parent,
                   uint64_t amount, uint8_t rule, uint32_t *ni)
{
    int rc = new_node(t, out, tx, hop, parent, ni);
    if (rc)
        return rc == 1 ? 0 : rc; /* max_nodes: truncated, said in the stats */
    cw_trace__node *n = &t->nodes[*ni];
    n->amount = n->prob = amount;
    n->rule = rule;
    n->spread = true;
    if (hop > t->stats.max_hop)
        t->stats.max_hop = hop;
    return 0;
}

/* A graph record for tx: input node in (UINT32_MAX: none; the mixer's own coins are not
 * traced) and output node out. */
static int mp_txrec(cw_trace *t, uint64_t tx, uint32_t hop, uint32_t in, uint32_t out)
{
    int rc = GROW(t->txr, t->cap_txr, t->n_txr + 1);
    if (rc == 0)
        rc = GROW(t->edges, t->cap_edges, t->n_edges + 2);
    if (rc)
        return rc;
    cw_trace__txrec *tr = &t->txr[t->n_txr++];
    *tr = (cw_trace__txrec){tx, hop, (uint32_t)t->n_edges, 0, 0, 0, 0, CW_RULE_NONE, 0, 0, 0, 0, 0,
                            0,  0};
    tr->node0 = (uint32_t)t->n_nodes;
    tr->end0 = t->n_ends;
    tr->ivl0 = t->n_ivl;
    if (in != UINT32_MAX) {
        t->edges[t->n_edges++] = in;
        tr->n_in = 1;
    }
    t->edges[t->n_edges++] = out;
    tr->n_out = 1;
    t->stats.edges += 1 + (in != UINT32_MAX);
    return 0;
}

/* End e of mixer mx gives up what came back from mx and is not yet taken off its ends. */
static void mp_give_back(cw_trace *t, cw_trace_end *e, mp_mixer *mx)
{
    uint64_t back = mx->entered - mx->left;
    uint64_t take = back < e->amount ? back : e->amount;
    e->amount -= take;
    mx->left += take;
    if (e->probable > e->amount) {
        t->stats.probable -= e->probable - e->amount;
        e->probable = e->amount;
    }
}

/* The orders at the unlabelled services judged custodial mixers: each input of a sweep that
 * ended the trace that carried traced value in, once. */
static int mp_orders(const cw_trace *t, const mp_mixer *ms, size_t n_ms, mp_order **ords, size_t *n,
                     size_t *cap)
{
    int rc = 0;
    for (size_t i = 0; i < t->n_ends && rc == 0; i++) {
        const cw_trace_end *e = &t->ends[i];
        size_t m = 0;
        if (e->kind != CW_END_SWEEP)
            continue;
        while (m < n_ms && (ms[m].entity || ms[m].sweep_tx != e->tx))
            m++;
        if (m == n_ms || ms[mp_rep(ms, m)].off)
            continue;
        size_t r = 0;
        while (r < t->n_txr && !(t->txr[r].tx == e->tx && t->txr[r].n_in))
            r++;
        for (uint32_t q = 0; r < t->n_txr && q < t->txr[r].n_in && rc == 0; q++) {
            const cw_trace__node *nd = &t->nodes[t->edges[t->txr[r].e0 + q]];
            size_t k = 0;
            while (k < *n && (*ords)[k].out != nd->out)
                k++;
            if (!nd->amount || k < *n)
                continue;
            if ((rc = GROW(*ords, *cap, *n + 1)) == 0)
                (*ords)[(*n)++] =
                    (mp_order){mp_rep(ms, m), e->tx, nd->out,
                               cw_out_value(cw_chainstore_out(t->cs, nd->out)), false};
        }
    }
    return rc;
}

/* The payer's side of candidate c: through the payee's hop (P and its output p) or direct (T
 * and the deposit d). */
static uint64_t mp_payer(const mp_cand *c, bool hop, uint64_t *out)
{
    *out = hop ? c->p : c->d;
    return hop ? c->P : c->T;
}

/* Whether candidate c's deposit tx T is the payee's own hop from a payout for a payout from
 * the float: it spends the payout's output p alone and pays fewer than MP_GOES_ON outputs (a
 * tx paying more is the pool going on: a payout itself). */
static bool mp_hop(const cw_trace *t, const mp_cand *c)
{
    uint64_t i0, i1, o0, o1;
    if (c->p == CW_NONE64)
        return false;
    cw_chainstore_tx_range(t->cs, c->T, &i0, &i1, &o0, &o1);
    return o1 - o0 < MP_GOES_ON;
}

/* What payer tx X paid the payee: the value of its distinct outputs among candidates
 * [0, n) (seen from side `hop`; m: only those given to no mixer yet, or only mixer m's; with
 * `fl`, only hops that mp_hop accepts). */
static uint64_t mp_paid(const cw_trace *t, const mp_cand *c, size_t n, uint64_t X, bool hop,
                        size_t m, bool fl)
{
    uint64_t sum = 0, o, o2;
    for (size_t j = 0; j < n; j++) {
        if (c[j].m != m || (hop && c[j].p == CW_NONE64) || mp_payer(&c[j], hop, &o) != X ||
            (hop && fl && !mp_hop(t, &c[j])))
            continue;
        size_t k = 0;
        while (k < j && !(c[k].m == m && (!hop || c[k].p != CW_NONE64) &&
                          mp_payer(&c[k], hop, &o2) == X && o2 == o))
            k++;
        if (k == j)
            sum += cw_out_value(cw_chainstore_out(t->cs, o));
    }
    return sum;
}

/* The unused order (of service m, or of any when m is SIZE_MAX) gathered before tx X that
 * `paid` pays less a fee of at most MP_ORDER_FEE_MAX_PCT: the smallest such; SIZE_MAX when
 * none. */
static size_t mp_order_match(const mp_order *o, size_t n, size_t m, uint64_t X, uint64_t paid)
{
    size_t best = SIZE_MAX;
    for (size_t k = 0; k < n; k++)
        if (!o[k].used && (m == SIZE_MAX || o[k].m == m) && o[k].sweep < X && paid <= o[k].value &&
            paid * 100 >= o[k].value * (100 - MP_ORDER_FEE_MAX_PCT) &&
            (best == SIZE_MAX || o[k].value < o[best].value))
            best = k;
    return best;
}

/* Whether tx X can be a service's payout from its float: not a CoinJoin, no input that the
 * trace reached (FIFO decided those) or that carries any label, and no tx of a service judged
 * not a custodial mixer. */
static bool mp_float_payer(const cw_trace *t, uint64_t X, const mp_mixer *ms, const mp_svc *sv)
{
    const cw_chainstore *cs = t->cs;
    uint64_t i0, i1, o0, o1, v, idx;
    if (X == CW_NONE64 || t->is_cj(t->opts.is_coinjoin_ctx, cs, X) ||
        (sv->tx && tab_get(sv->tx, sv->tx_mask, X, &v) && ms[mp_rep(ms, (size_t)v)].off))
        return false;
    cw_chainstore_tx_range(cs, X, &i0, &i1, &o0, &o1);
    for (uint64_t k = i0; k < i1; k++) {
        uint64_t po = prevout_of(cs, k, NULL), a;
        if (po == CW_NONE64 || map_get(t, po, &idx))
            return false;
        if ((a = out_addr(cw_chainstore_out(cs, po))) != CW_NONE64 &&
            cw_trace_labelmap_get(t->labels, a, NULL, NULL))
            return false;
    }
    return true;
}

/* docs/TRACE-MODELS.md, "Payouts from the float": cands [0, n_c) are the deposits a service's
 * txs paid (walk or label); fl [0, n_fl) the others. Each payout of an unlabelled service
 * uses up the order it pays (less a fee); then a payout of a tx the walk did not reach (the
 * float's) is the service's when it pays the payee one unused order of it less a fee: its
 * deposits are appended to cands with the order. */
static int mp_float_payouts(const cw_trace *t, const mp_mixer *ms, const mp_svc *sv, mp_order *ords,
                            size_t n_ord, mp_cand **cands, size_t *n_c, size_t *cap_c, mp_cand *fl,
                            size_t n_fl)
{
    uint64_t o;
    int rc = 0;
    if (n_fl > 1) /* the earlier payout first */
        qsort(fl, n_fl, sizeof *fl, cmp_cand);
    for (size_t i = 0; i < *n_c; i++) {
        const mp_cand *c = &(*cands)[i];
        bool hop = c->p != CW_NONE64;
        size_t j = 0;
        while (j < i && !((*cands)[j].m == c->m && (*cands)[j].P == c->P &&
                          ((*cands)[j].p != CW_NONE64) == hop))
            j++;
        if (ms[c->m].entity || j < i) /* a payout tx uses up one order */
            continue;
        size_t k = mp_order_match(ords, n_ord, c->m, c->P,
                                  mp_paid(t, *cands, *n_c, c->P, hop, c->m, false));
        if (k != SIZE_MAX)
            ords[k].used = true;
    }
    for (size_t i = 0; i < n_fl && rc == 0; i++)
        for (int side = 1; side >= 0 && fl[i].m == SIZE_MAX && rc == 0; side--) {
            bool hop = side;
            uint64_t X = mp_payer(&fl[i], hop, &o);
            if ((hop && !mp_hop(t, &fl[i])) || !mp_float_payer(t, X, ms, sv))
                continue;
            size_t k = mp_order_match(ords, n_ord, SIZE_MAX, X,
                                      mp_paid(t, fl, n_fl, X, hop, SIZE_MAX, true));
            if (k == SIZE_MAX)
                continue;
            ords[k].used = true;
            for (size_t j = i; j < n_fl && rc == 0; j++) {
                mp_cand c = fl[j];
                if (c.m != SIZE_MAX || (hop && !mp_hop(t, &c)) || mp_payer(&c, hop, &o) != X)
                    continue;
                fl[j].m = ords[k].m;
                c.m = ords[k].m;
                c.order = ords[k].out;
                c.P = X;
                if (hop) {
                    uint64_t pv = cw_out_value(cw_chainstore_out(t->cs, c.p));
                    if (pv < c.amount)
                        c.amount = pv;
                } else {
                    c.p = CW_NONE64;
                }
                if ((rc = GROW(*cands, *cap_c, *n_c + 1)) == 0)
                    (*cands)[(*n_c)++] = c;
            }
        }
    return rc;
}

/* opts.mixer_payouts (docs/TRACE-MODELS.md, "Custodial-mixer payouts"). A custodial mixer
 * pays its customers from a pool: nothing on-chain links an order to its payout, so the value
 * that entered it ends there. But when one of its later payouts is deposited at an exchange
 * account that this trace puts certain stolen value in (an address of category
 * exchange_deposit: one customer's account; before or after the payout: who holds an account
 * does not depend on the order of its deposits), the payee is that account's holder, the
 * thief: the payout is probably the thief's own mixed value coming back. Only the deposit address
 * itself is evidence (never its cluster: an exchange's sweeps join all its customers'
 * deposit addresses). The payout reaches the deposit directly (the mixer's tx pays it) or
 * through one tx of the payee's that spends the payout output alone (an unlabelled address);
 * no deeper. Given value: the deposit's value (through a hop, at most the payout output's),
 * all probable, in chain order of the deposits until the value that entered that mixer is
 * used up. Deposits the trace already reached are left as they are. */
static int mixer_payouts(cw_trace *t)
{
    const cw_chainstore *cs = t->cs;
    mp_mixer *ms = NULL;
    mp_acct *as = NULL;
    mp_cand *cs_ = NULL;
    mp_svc sv = {0};
    sv.until = CW_NONE64;
    size_t n_ms = 0, cap_ms = 0, n_as = 0, cap_as = 0, n_c = 0, cap_c = 0;
    int rc = 0;
    /* the mixers entered and the accounts with certain stolen value */
    for (size_t i = 0; i < t->n_ends && rc == 0; i++) {
        const cw_trace_end *e = &t->ends[i];
        const char *ent, *cat;
        if (e->kind == CW_END_SWEEP && t->opts.service_payouts && e->amount) {
            /* an unlabelled service: one mixer per sweep until mp_service joins them */
            if ((rc = GROW(ms, cap_ms, n_ms + 1)))
                break;
            ms[n_ms] = (mp_mixer){NULL,       e->amount, e->amount, e->tx, e->tx,
                                  UINT32_MAX, e->hop,    n_ms,      false};
            for (size_t r = 0; r < t->n_txr; r++) /* the path goes through its traced input */
                if (t->txr[r].tx == e->tx && t->txr[r].n_in) {
                    ms[n_ms].node = t->edges[t->txr[r].e0];
                    break;
                }
            n_ms++;
            continue;
        }
        if (e->kind != CW_END_LABEL || e->addr == CW_NONE64 ||
            !cw_trace_labelmap_get(t->labels, e->addr, &ent, &cat))
            continue;
        if (!strcmp(cat, "mixer")) {
            size_t m = 0;
            while (m < n_ms && !(ms[m].entity && mp_same(ent, ms[m].entity)))
                m++;
            if (m == n_ms) {
                if ((rc = GROW(ms, cap_ms, n_ms + 1)))
                    break;
                ms[n_ms] = (mp_mixer){ent, 0, 0, e->tx, CW_NONE64, e->node, e->hop, n_ms, false};
                n_ms++;
            }
            if (e->tx < ms[m].first_tx)
                ms[m].first_tx = e->tx;
            if (e->amount > ms[m].left) { /* the largest entry: the path goes through it */
                ms[m].left = e->amount;
                ms[m].node = e->node;
                ms[m].hop = e->hop;
            }
            ms[m].entered += e->amount;
        } else if (e->amount > e->probable &&
                   cw_trace_labelmap_has(t->labels, e->addr, "exchange_deposit")) {
            size_t k = 0;
            while (k < n_as && as[k].addr != e->addr)
                k++;
            if (k == n_as) {
                if ((rc = GROW(as, cap_as, n_as + 1)))
                    break;
                as[n_as++] = (mp_acct){e->addr, e->tx};
            } else if (e->tx < as[k].first_tx) {
                as[k].first_tx = e->tx;
            }
        }
    }
    /* each account's deposits the trace did not reach: the deposit tx T, and when T spends
     * alone an unreached output p paid to an unlabelled address, p's tx P (the payee's hop) */
    for (size_t k = 0; k < n_as && n_ms && rc == 0; k++) {
        uint64_t o = cw_chainstore_addr_last(cs, as[k].addr), idx;
        for (int walked = 0; rc == 0 && o != CW_NONE64 && o < t->counts.outs && walked < 100000;
             walked++, o = cw_chainstore_outlink(cs, o)) {
            uint64_t T = cw_chainstore_out_tx(cs, o), i0, i1, o0, o1, P = CW_NONE64, p = CW_NONE64;
            uint64_t amount = cw_out_value(cw_chainstore_out(cs, o)), pa;
            if (map_get(t, o, &idx) || amount == 0)
                continue;
            cw_chainstore_tx_range(cs, T, &i0, &i1, &o0, &o1);
            if (i1 - i0 == 1 && (p = prevout_of(cs, i0, &P)) != CW_NONE64 &&
                (map_get(t, p, &idx) || (pa = out_addr(cw_chainstore_out(cs, p))) == CW_NONE64 ||
                 cw_trace_labelmap_get(t->labels, pa, NULL, NULL)))
                p = P = CW_NONE64;
            if ((rc = GROW(cs_, cap_c, n_c + 1)))
                break;
            cs_[n_c++] = (mp_cand){o, T, p, P, as[k].first_tx, SIZE_MAX, amount, CW_NONE64};
            if (T > sv.until || sv.until == CW_NONE64)
                sv.until = T;
        }
    }
    /* the services are walked only as far as the last of those deposits: a later payout
     * cannot have funded one */
    for (size_t m = 0; m < n_ms && rc == 0 && n_c; m++)
        if (!ms[m].entity)
            rc = mp_service(t, &sv, ms, m, ms[m].sweep_tx);
    for (size_t m = 0; m < n_ms && rc == 0; m++) {
        size_t r = mp_rep(ms, m);
        if (r == m)
            continue;
        ms[r].entered += ms[m].entered;
        ms[r].off |= ms[m].off;
        if (ms[m].first_tx < ms[r].first_tx)
            ms[r].first_tx = ms[m].first_tx;
        if (ms[m].entered > ms[r].left) { /* the path goes through the largest entry */
            ms[r].left = ms[m].entered;
            ms[r].node = ms[m].node;
            ms[r].hop = ms[m].hop;
        }
        ms[m].entered = 0;
    }
    /* a custodial mixer pays many customers: the outputs of its txs to addresses it never
     * spent from go to at least SWEEP_MIN_PAYEES addresses (a merchant's processor paying its
     * merchant, a wallet paying its owner's account, do not) */
    for (size_t m = 0; m < n_ms && rc == 0; m++) {
        uint64_t payees[SWEEP_MIN_PAYEES];
        size_t np = 0;
        if (ms[m].entity || mp_rep(ms, m) != m || ms[m].off)
            continue;
        for (uint64_t j = 0; sv.tx && j <= sv.tx_mask && np < SWEEP_MIN_PAYEES; j++) {
            uint64_t i0, i1, o0, o1;
            if (!sv.tx[j].key || mp_rep(ms, (size_t)sv.tx[j].val) != m)
                continue;
            cw_chainstore_tx_range(cs, sv.tx[j].key - 1, &i0, &i1, &o0, &o1);
            for (uint64_t o = o0; o < o1 && np < SWEEP_MIN_PAYEES; o++) {
                uint64_t a = out_addr(cw_chainstore_out(cs, o));
                if (a != CW_NONE64 && !tab_get(sv.addr, sv.addr_mask, a, NULL))
                    seen_or_add(payees, &np, a);
            }
        }
        ms[m].off = np < SWEEP_MIN_PAYEES;
    }
    for (size_t m = 0; m < n_ms; m++)
        ms[m].left = ms[m].entered;
    /* the deposits a payout of an entered mixer funded: directly, else through the hop */
    size_t n_keep = 0, n_fl = 0, cap_fl = 0, n_ord = 0, cap_ord = 0;
    mp_cand *fl = NULL;
    mp_order *ords = NULL;
    if (t->opts.service_payouts && n_c)
        rc = mp_orders(t, ms, n_ms, &ords, &n_ord, &cap_ord);
    for (size_t i = 0; i < n_c && rc == 0; i++) {
        mp_cand c = cs_[i];
        c.m = mp_mixer_of(t, c.T, ms, n_ms, &sv);
        if (c.m != SIZE_MAX) {
            c.p = CW_NONE64;
            c.P = c.T;
        } else if (c.p != CW_NONE64 && (c.m = mp_mixer_of(t, c.P, ms, n_ms, &sv)) != SIZE_MAX) {
            uint64_t pv = cw_out_value(cw_chainstore_out(cs, c.p));
            if (pv < c.amount)
                c.amount = pv;
        }
        if (c.m != SIZE_MAX && c.amount)
            cs_[n_keep++] = c;
        else if (c.amount && n_ord && (rc = GROW(fl, cap_fl, n_fl + 1)) == 0)
            fl[n_fl++] = c; /* perhaps paid from the float */
    }
    n_c = n_keep;
    if (rc == 0 && n_fl && n_fl <= MP_FLOAT_CANDS)
        rc = mp_float_payouts(t, ms, &sv, ords, n_ord, &cs_, &n_c, &cap_c, fl, n_fl);
    cw_free(fl);
    cw_free(ords);
    if (n_c > 1)
        qsort(cs_, n_c, sizeof *cs_, cmp_cand);
    for (size_t i = 0; i < n_c && rc == 0; i++) {
        mp_cand *c = &cs_[i];
        mp_mixer *mx = &ms[c->m];
        uint64_t a = c->amount < mx->left ? c->amount : mx->left, idx;
        if (a == 0 || map_get(t, c->d, &idx) || (c->p != CW_NONE64 && map_get(t, c->p, &idx)))
            continue;
        mx->left -= a;
        uint32_t parent = mx->node, hop = mx->hop, pn = UINT32_MAX, dn = UINT32_MAX;
        uint8_t rule = mx->entity ? CW_RULE_MIXER_PAYOUT : CW_RULE_SERVICE_PAYOUT;
        if (c->p != CW_NONE64) {
            if ((rc = mp_node(t, c->p, c->P, ++hop, parent, a, rule, &pn)) || pn == UINT32_MAX ||
                (rc = mp_txrec(t, c->P, hop, UINT32_MAX, pn)))
                break;
            parent = pn;
        }
        if ((rc = mp_node(t, c->d, c->T, ++hop, parent, a, rule, &dn)) || dn == UINT32_MAX ||
            (rc = mp_txrec(t, c->T, hop, pn, dn)))
            break;
        if ((rc = add_end(t, CW_END_LABEL, c->d, c->T, out_addr(cw_chainstore_out(cs, c->d)), a, a,
                          rule, hop, dn)))
            break;
        if ((rc = GROW(t->mpay, t->cap_mpay, t->n_mpay + 1)))
            break;
        t->mpay[t->n_mpay++] =
            (cw_trace__mpay){c->d, c->P, c->evidence, mx->entity, mx->sweep_tx, c->order};
        t->stats.mixer_payouts++;
        t->stats.mixer_payout_value += a;
        if (!mx->entity) {
            t->stats.service_payouts++;
            t->stats.service_payout_value += a;
        }
        if (c->order != CW_NONE64) {
            t->stats.service_float_payouts++;
            t->stats.service_float_payout_value += a;
        }
    }
    /* what came back is no longer at the mixer: its ends give it up, in chain order, so
     * that the ends still add up to the sources' value */
    for (size_t i = 0; i < t->n_ends && rc == 0; i++) {
        cw_trace_end *e = &t->ends[i];
        const char *ent = NULL, *cat;
        size_t m = 0;
        if (e->kind == CW_END_SWEEP) {
            while (m < n_ms && (ms[m].entity || ms[m].sweep_tx != e->tx))
                m++;
            if (m < n_ms)
                mp_give_back(t, e, &ms[mp_rep(ms, m)]);
            continue;
        }
        if (e->kind != CW_END_LABEL || e->addr == CW_NONE64 ||
            !cw_trace_labelmap_get(t->labels, e->addr, &ent, &cat) || strcmp(cat, "mixer") != 0)
            continue;
        while (m < n_ms && !(ms[m].entity && mp_same(ent, ms[m].entity)))
            m++;
        if (m < n_ms)
            mp_give_back(t, e, &ms[m]);
    }
    cw_free(ms);
    cw_free(as);
    cw_free(cs_);
    cw_free(sv.tx);
    cw_free(sv.addr);
    cw_free(sv.q);
    return rc;
}

int cw_trace_run(cw_trace **out, const cw_chainstore *cs, const cw_trace_labelmap *labels,
                 const uint64_t *sources, size_t n_sources, const cw_trace_opts *opts)
{
    return cw_trace__run(out, cs, labels, sources, n_sources, opts, 0);
}

/* Re-linking needs a trace that stops where the source's owner pays others in bulk: labels
 * with a stop at category exchange or exchange_deposit (the CLI's default with --labels), or
 * at every label. An anchor is the owner's coin only until the value is paid away; past an
 * exchange the first pass's anchors are its customers' withdrawals, and their co-spends with
 * their own post-mix coins re-linked those (docs/TRACE-MODELS.md, "Re-linking": on btcgen's
 * worlds without labels 2,129 of 2,129 re-linked outputs were honest users'). */
bool cw_trace_relink_guarded(const cw_trace_labelmap *labels, const cw_trace_opts *o)
{
    if (cw_trace_labelmap_empty(labels))
        return false;
    if (o->stop_any_label)
        return true;
    for (size_t i = 0; i < o->n_stop && i < CW_TRACE_MAX_STOP; i++)
        if (o->stop[i] &&
            (strcmp(o->stop[i], "exchange") == 0 || strcmp(o->stop[i], "exchange_deposit") == 0))
            return true;
    return false;
}

/* opts.third_party: the theft (forward by default the earliest source's tx) and the addresses
 * the sources were paid to. */
static int tp_init(cw_trace *t, const uint64_t *sources, size_t n_sources)
{
    const cw_trace_opts *o = &t->opts;
    if (!o->third_party || o->model == CW_TRACE_POISON)
        return 0;
    uint64_t B = o->third_party_before;
    for (size_t i = 0; i < n_sources && o->direction == CW_TRACE_FORWARD && !o->third_party_before;
         i++) {
        uint64_t c = sources[i] < t->counts.outs ? cw_chainstore_out_tx(t->cs, sources[i]) : 0;
        if (c && (B == 0 || c < B))
            B = c;
    }
    if (B == 0 || B >= t->counts.txs)
        return 0;
    t->tp_before = B;
    t->tp_out0 = cw_chainstore_tx_first_out(t->cs, B);
    for (size_t i = 0; i < n_sources; i++) {
        if (sources[i] >= t->counts.outs)
            continue;
        uint64_t a = out_addr(cw_chainstore_out(t->cs, sources[i]));
        int rc = a == CW_NONE64 ? 0 : tab_add(&t->tp_src, &t->tps_mask, &t->n_tps, a, 1);
        if (rc != 0 && rc != 1)
            return rc;
    }
    return 0;
}

int cw_trace__run(cw_trace **out, const cw_chainstore *cs, const cw_trace_labelmap *labels,
                  const uint64_t *sources, size_t n_sources, const cw_trace_opts *opts,
                  unsigned how)
{
    bool incremental = !(how & CW_TRACE__REPLAY);
    *out = NULL;
    if (n_sources == 0)
        return cw_error_set(CW_EINVAL, "trace: no source (nothing to trace)");
    if ((unsigned)opts->model > CW_TRACE_FIFO || (unsigned)opts->direction > 1 ||
        (unsigned)opts->coinjoin >= CW_CJ_N)
        return cw_error_set(CW_EINVAL, "trace: bad options");
    double t0 = cw_now();
    cw_trace *t = cw_calloc(1, sizeof *t);
    if (!t)
        return CW_ENOMEM;
    t->cs = cs;
    t->labels = labels;
    t->opts = *opts;
    t->counts = cw_chainstore_counts_get(cs);
    t->max_nodes = opts->max_nodes ? opts->max_nodes : 50000000;
    if (t->max_nodes > UINT32_MAX - 1)
        t->max_nodes = UINT32_MAX - 1;
    t->is_cj = opts->is_coinjoin ? opts->is_coinjoin : cw_trace_coinjoin_patterns;
    t->no_funders = (how & CW_TRACE__NO_FUNDERS) != 0;
    t->no_amounts = (how & CW_TRACE__NO_AMOUNTS) != 0;
    t->no_carry = (how & CW_TRACE__NO_CARRY) != 0;
    t->no_carry_many = (how & CW_TRACE__NO_CARRY_MANY) != 0;
    t->no_carry_unfed = (how & CW_TRACE__NO_CARRY_UNFED) != 0;
    int rc = tp_init(t, sources, n_sources);
    if (rc == 0)
        rc = run_pass(t, sources, n_sources);
    t->relink_unguarded = !(how & CW_TRACE__UNSTOPPED) && !cw_trace_relink_guarded(labels, opts);
    /* re-linking: a second pass that knows which CoinJoin outputs are the source owner's */
    if (rc == 0 && opts->relink && opts->direction == CW_TRACE_FORWARD &&
        opts->model == CW_TRACE_FIFO && opts->coinjoin != CW_CJ_STOP && t->stats.coinjoins &&
        !t->stats.truncated && !t->relink_unguarded) {
        rc = relink_find(t);
        if (rc == 0 && t->n_links && incremental) {
            /* pass 2 = pass 1 up to the first tx the re-links change: restart there */
            t->relink_restart = relink_first_change(t);
            if (t->relink_restart < t->n_txr && (rc = rewind_to(t, t->relink_restart)) == 0)
                rc = drain(t);
        } else if (rc == 0 && t->n_links) {
            reset_pass(t);
            rc = run_pass(t, sources, n_sources);
        }
        /* a third pass when pass 2 left a re-linked output's many round unfed */
        bool more = false;
        if (rc == 0 && t->n_links && !t->no_carry && !t->no_carry_many && !t->no_carry_unfed &&
            (rc = relink_unfed(t, &more)) == 0 && more) {
            if (incremental) {
                t->relink_restart = relink_first_change(t);
                if (t->relink_restart < t->n_txr && (rc = rewind_to(t, t->relink_restart)) == 0)
                    rc = drain(t);
            } else {
                reset_pass(t);
                rc = run_pass(t, sources, n_sources);
            }
        }
    }
    /* custodial-mixer payouts: after the passes, on the final result's ends */
    if (rc == 0 && opts->mixer_payouts && opts->direction == CW_TRACE_FORWARD &&
        opts->model == CW_TRACE_FIFO && !t->stats.truncated &&
        ((how & CW_TRACE__UNSTOPPED) || cw_trace_relink_guarded(labels, opts)))
        rc = mixer_payouts(t);
    t->opts.source_probable = NULL; /* borrowed for the run only */
    t->stats.nodes = t->n_nodes;
    t->stats.intervals = t->n_ivl;
    t->stats.seconds = cw_now() - t0;
    /* the scratch is not needed any more */
    cw_free(t->heap);
    t->heap = NULL;
    t->cap_heap = 0;
    if (rc) {
        cw_trace_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

void cw_trace_free(cw_trace *t)
{
    if (!t)
        return;
    cw_free(t->slots);
    cw_free(t->nodes);
    cw_free(t->ends);
    cw_free(t->ivl);
    cw_free(t->axis);
    cw_free(t->heap);
    cw_free(t->links);
    cw_free(t->fb_value);
    cw_free(t->fb_bound);
    cw_free(t->mpay);
    cw_free(t->lrounds);
    cw_free(t->crounds);
    cw_free(t->funders);
    cw_free(t->frounds);
    cw_free(t->wrounds);
    cw_free(t->tp_memo);
    cw_free(t->tp_src);
    cw_free(t->txr);
    cw_free(t->edges);
    cw_free(t->rem);
    cw_free(t->s_val);
    cw_free(t->s_node);
    cw_free(t->s_amt);
    cw_free(t->s_perm);
    cw_free(t->s_oval);
    cw_free(t->s_operm);
    cw_free(t->s_oamt);
    cw_free(t->s_prob);
    cw_free(t->s_tmp);
    cw_free(t->s_pre);
    cw_free(t);
}

bool cw_trace__carried(const cw_trace *t, uint64_t out)
{
    uint64_t sp = cw_chainstore_out(t->cs, out)->spending_tx;
    return funder_want(t, out) && t->n_cr && sp != CW_NONE32 &&
           tab_get(t->crounds, t->cr_mask, sp, NULL);
}

bool cw_trace__link(const cw_trace *t, uint64_t out, uint8_t *rule, uint64_t *evidence_tx)
{
    uint64_t v;
    if (!t->n_links || !tab_get(t->links, t->link_mask, out, &v))
        return false;
    *rule = (uint8_t)(v & 15);
    *evidence_tx = v >> 4;
    return true;
}

bool cw_trace__funding(const cw_trace *t, uint64_t out, uint64_t *owner_sat, uint64_t *bound_sat)
{
    uint8_t rule;
    uint64_t ev;
    return cw_trace__link(t, out, &rule, &ev) && rule == CW_RULE_RELINK_FUNDING &&
           tab_get(t->fb_value, t->fbv_mask, out, owner_sat) &&
           tab_get(t->fb_bound, t->fbb_mask, out, bound_sat);
}

const cw_trace_stats *cw_trace_stats_get(const cw_trace *t)
{
    return &t->stats;
}

size_t cw_trace_n_ends(const cw_trace *t)
{
    return t->n_ends;
}

const cw_trace_end *cw_trace_end_at(const cw_trace *t, size_t i)
{
    return i < t->n_ends ? &t->ends[i] : NULL;
}

uint64_t cw_trace_amount_at(const cw_trace *t, uint64_t out)
{
    uint64_t idx;
    return map_get(t, out, &idx) ? t->nodes[idx].amount : 0;
}

size_t cw_trace_path(const cw_trace *t, uint32_t node, uint64_t *txs, size_t cap)
{
    size_t n = 0;
    for (uint32_t i = node; i != UINT32_MAX && i < t->n_nodes && n < cap && n < 100000;
         i = t->nodes[i].parent)
        if (n == 0 || txs[n - 1] != t->nodes[i].tx) /* backward: a source's creator is the
                                                     * spender of its hop-1 prevouts */
            txs[n++] = t->nodes[i].tx;
    if (t->opts.direction == CW_TRACE_FORWARD) {
        for (size_t a = 0, b = n ? n - 1 : 0; a < b; a++, b--) {
            uint64_t x = txs[a];
            txs[a] = txs[b];
            txs[b] = x;
        }
    }
    return n;
}

/* ---------------------------------------------------------------- one owner per mix input */

/* Value of input k of tx (prevout value, the known value of an external one, else 0) and its
 * prevout (CW_NONE64 when external). */
static uint64_t input_value(const cw_chainstore *cs, uint64_t in, uint64_t *po)
{
    const cw_row_in *r = cw_chainstore_in(cs, in);
    if (r->spent_tx == CW_IN_EXTERNAL || r->spent_tx == CW_IN_COINBASE) {
        *po = CW_NONE64;
        if (r->spent_tx == CW_IN_COINBASE)
            return 0;
        const cw_row_ext *e = cw_chainstore_ext(cs, r->spent_vout);
        return e->known ? e->value : 0;
    }
    *po = cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout;
    return cw_out_value(cw_chainstore_out(cs, *po));
}

/* n inputs, n outputs of one value d, every input >= d (each input funds one output). */
static bool one_to_one_mix(const cw_chainstore *cs, uint64_t in0, uint64_t in1, uint64_t o0,
                           uint64_t o1)
{
    size_t n = in1 - in0;
    if (n < 2 || o1 - o0 != n)
        return false;
    uint64_t d = cw_out_value(cw_chainstore_out(cs, o0)), po;
    for (uint64_t j = o0 + 1; j < o1; j++)
        if (cw_out_value(cw_chainstore_out(cs, j)) != d)
            return false;
    for (uint64_t k = in0; k < in1; k++)
        if (input_value(cs, k, &po) < d)
            return false;
    return d > 0;
}

/* A many-output round (a CoinJoin that is not a one-to-one mix), one owner per output and a
 * participant's outputs paid from its own inputs: the share of the picked value in each output,
 * out[j] (docs/TRACE-MODELS.md, "Screening through many-output rounds"). v/f/g: the inputs'
 * values and picked shares (f), certain (g); F: the value-weighted mean of f (the
 * proportional share). T = sum v f is the traced value in, U = V - T the value that may be
 * anyone else's. An output worth more than U could only be paid with traced value: it is
 * forced, and gets T / (the forced outputs' sum), at most 1. The rest of T is spread over the
 * other outputs by value (at most F), and each of those gets at most max(1, C) / k, where k
 * counts the possible payers that could have paid it (their inputs together >= it) and C is
 * their certain shares summed (at most 1 each): an output is one participant's, and the traced
 * coins make at most max(1, C) of its k possible payers (no cap when none could: the output of
 * an owner the grouping split). A possible payer is the inputs spending outputs of one tx that
 * is not a CoinJoin (one wallet's coins), or one input. pv/pg/pc: the payers' values, certain
 * shares and certain values (m of them). Budget: beside the forced outputs the traced coins
 * have T - forced; when the largest output within that which only one payer could pay (a, no
 * output as large that no payer could pay) is within that payer's certain value, they have
 * B = T - forced - a beside a too (without a, B = T - forced, when something is forced). They
 * could not pay an output worth more than B beside them: it gets 0 (its value entered the
 * round; with a, it would be the traced coins' only if a wallet the grouping cannot see paid
 * a), and B is what is spread over the outputs it could pay (by value, at most as above). a
 * keeps its share: the budget only lowers. Returns true when some output got less than F. */
static bool round_by_amounts(const cw_chainstore *cs, uint64_t o0, uint64_t o1, const double *v,
                             const double *f, size_t n_in, const double *pv, const double *pg,
                             const double *pc, size_t m, double F, double *out)
{
    double V = 0, T = 0, forced = 0, vout = 0;
    for (size_t k = 0; k < n_in; k++) {
        V += v[k];
        T += v[k] * f[k];
    }
    double U = V - T;
    for (uint64_t j = o0; j < o1; j++) {
        double w = (double)cw_out_value(cw_chainstore_out(cs, j));
        vout += w;
        if (w > U + 0.5)
            forced += w;
    }
    double ff = forced > 0 ? (T >= forced ? 1.0 : T / forced) : 0;
    double rest = T > forced ? T - forced : 0, W = vout - forced;
    double fr = W > 0 ? rest / W : 0;
    if (fr > F)
        fr = F;
    /* the budget: beside the forced outputs the traced coins have T - forced; a (ja, worth
     * wa), the largest output within that which one payer alone could pay, within its certain
     * value; w0 the largest no payer could pay */
    double wa = 0, w0 = 0;
    uint64_t ja = o1;
    for (uint64_t j = o0; j < o1; j++) {
        double w = (double)cw_out_value(cw_chainstore_out(cs, j));
        if (w > U + 0.5 || w > T - forced + 0.5)
            continue;
        size_t kk = 0, one = 0;
        for (size_t k = 0; k < m && kk < 2; k++)
            if (pv[k] >= w) {
                kk++;
                one = k;
            }
        if (kk == 0 && w > w0)
            w0 = w;
        else if (kk == 1 && pc[one] >= w && w > wa) {
            wa = w;
            ja = j;
        }
    }
    if (!(ja < o1 && w0 < wa)) { /* no a */
        wa = 0;
        ja = o1;
    }
    double B = T - forced - wa, WB = 0, fa = fr;
    bool budget = (ja < o1 || forced > 0) && B >= 0;
    if (budget) { /* what B could pay shares B, at most as fr does (a keeps fa) */
        for (uint64_t j = o0; j < o1; j++) {
            double w = (double)cw_out_value(cw_chainstore_out(cs, j));
            if (j != ja && w <= B + 0.5)
                WB += w;
        }
        if (WB > 0 && B / WB < fr)
            fr = B / WB;
    }
    bool lowered = false;
    for (uint64_t j = o0; j < o1; j++) {
        double w = (double)cw_out_value(cw_chainstore_out(cs, j)), x;
        if (w > U + 0.5) {
            x = ff;
        } else if (budget && j != ja && w > B + 0.5) {
            x = 0; /* not beside the forced outputs and a: the traced coins could not pay it */
        } else {
            x = j == ja ? fa : fr;
            double kk = 0, C = 0;
            for (size_t k = 0; k < m; k++)
                if (pv[k] >= w) {
                    kk += 1;
                    C += pg[k] < 1.0 ? pg[k] : 1.0;
                }
            if (kk >= 1) {
                double lim = (C > 1.0 ? C : 1.0) / kk;
                if (x > lim)
                    x = lim;
            }
        }
        if (x < F - 1e-12)
            lowered = true;
        out[j - o0] = x;
    }
    return lowered;
}

/* The composition of each node's coin (f: the share of its value that ends at the picked ends,
 * g: the certain part of f) is computed from the oldest tx record to the newest: a picked
 * labelled end is all of it, certain; every other end none; the outputs of a tx get the
 * value-weighted mean of its inputs' (haircut), and past a CoinJoin nothing is certain, with
 * the one-owner cap at one-to-one mixes and the amounts' bound in other rounds
 * (round_by_amounts). The sources' value times their f is the result. */
int cw_trace_owner_capped(const cw_trace *t, cw_trace_end_pick_fn pick, void *ctx, bool cap,
                          uint64_t *total, uint64_t *probable, uint64_t *capped_mixes)
{
    *total = *probable = *capped_mixes = 0;
    if (t->opts.direction != CW_TRACE_BACKWARD || t->opts.model != CW_TRACE_HAIRCUT)
        return cw_error_set(CW_EINVAL, "trace: one-owner capping needs a backward haircut trace");
    if (!t->n_nodes)
        return 0;
    double *f = cw_calloc(2 * t->n_nodes, sizeof *f), *g = f + t->n_nodes;
    if (!f)
        return CW_ENOMEM;
    double *sv = NULL, *so = NULL;     /* per round: inputs' v, f, g, payers' v, g, certain v;
                                        * outputs' shares */
    uint64_t *stx = NULL, *pid = NULL; /* per round: each input's funding tx (CW_NONE64:
                                        * external) and its payer */
    size_t cap_sv = 0, cap_so = 0, cap_stx = 0, cap_pid = 0;
    int rc = 0;
    for (size_t i = 0; i < t->n_ends; i++) {
        const cw_trace_end *e = &t->ends[i];
        if (e->kind == CW_END_LABEL && e->node < t->n_nodes && pick(ctx, e))
            f[e->node] = g[e->node] = 1.0;
    }
    const cw_chainstore *cs = t->cs;
    for (size_t r = t->n_txr; r-- > 0;) {
        const cw_trace__txrec *tr = &t->txr[r];
        uint64_t in0, in1, o0, o1, idx, po;
        cw_chainstore_tx_range(cs, tr->tx, &in0, &in1, &o0, &o1);
        double V = 0, F = 0, G = 0, Gsum = 0;
        bool cb = in1 > in0 && cw_chainstore_in(cs, in0)->spent_tx == CW_IN_COINBASE;
        bool stop = tr->coinjoin && t->opts.coinjoin == CW_CJ_STOP;
        bool many = false; /* a many-output round: per-output shares in so */
        if (tr->coinjoin && cap && !cb && !stop && !one_to_one_mix(cs, in0, in1, o0, o1)) {
            if ((rc = GROW(sv, cap_sv, 6 * (in1 - in0))) || (rc = GROW(so, cap_so, o1 - o0 + 1)) ||
                (rc = GROW(stx, cap_stx, in1 - in0)) || (rc = GROW(pid, cap_pid, in1 - in0)))
                break;
            many = true;
        }
        for (uint64_t k = in0; k < in1 && !cb && !stop; k++) {
            double v = (double)input_value(cs, k, &po), fi = 0, gi = 0;
            if (po != CW_NONE64 && map_get(t, po, &idx) && idx >= t->n_src_nodes) {
                fi = f[idx];
                gi = g[idx];
            }
            V += v;
            F += v * fi;
            G += v * gi;
            Gsum += gi;
            if (many) {
                size_t q = k - in0, n = in1 - in0;
                sv[q] = v;
                sv[n + q] = fi;
                sv[2 * n + q] = gi;
                stx[q] = po == CW_NONE64 ? CW_NONE64 : cw_chainstore_in(cs, k)->spent_tx;
            }
        }
        F = V > 0 ? F / V : 0;
        G = V > 0 ? G / V : 0;
        if (tr->coinjoin) {
            G = 0; /* nothing past a CoinJoin is certain */
            if (cap && F > 0 && one_to_one_mix(cs, in0, in1, o0, o1)) {
                double lim = (Gsum > 1.0 ? Gsum : 1.0) / (double)(in1 - in0);
                if (F > lim + 1e-12) {
                    F = lim;
                    ++*capped_mixes;
                }
            }
        }
        if (many && F > 0) {
            size_t n = in1 - in0, m = 0;
            double *pv = sv + 3 * n, *pg = sv + 4 * n, *pc = sv + 5 * n;
            group_payers(t, stx, n, pid);    /* possible payers: one wallet's coins together */
            for (size_t q = 0; q < n; q++) { /* numbered 0..m-1 in order of their first input */
                if (pid[q] == q) {
                    pid[q] = m;
                    pv[m] = sv[q];
                    pc[m] = sv[q] * sv[2 * n + q];
                    pg[m++] = sv[2 * n + q];
                } else {
                    size_t k = (size_t)pid[pid[q]];
                    pid[q] = k;
                    pv[k] += sv[q];
                    pc[k] += sv[q] * sv[2 * n + q];
                    pg[k] += sv[2 * n + q];
                }
            }
            if (round_by_amounts(cs, o0, o1, sv, sv + n, n, pv, pg, pc, m, F, so))
                ++*capped_mixes;
        } else {
            many = false;
        }
        for (uint64_t j = o0; j < o1; j++)
            if (map_get(t, j, &idx) && !t->nodes[idx].ended) {
                f[idx] = many ? so[j - o0] : F;
                g[idx] = G;
            }
    }
    cw_free(sv);
    cw_free(so);
    cw_free(stx);
    cw_free(pid);
    if (rc) {
        cw_free(f);
        return rc;
    }
    double tot = 0, cert = 0;
    for (size_t i = 0; i < t->n_src_nodes; i++) {
        double v = (double)t->nodes[i].amount;
        tot += v * f[i];
        cert += v * g[i];
    }
    cw_free(f);
    *total = (uint64_t)(tot + 0.5);
    uint64_t c = (uint64_t)(cert + 0.5);
    *probable = *total > c ? *total - c : 0;
    return 0;
}

/* ---- cross-chain swap memos (docs/TRACE-MODELS.md "Bitcoin: swap vault memos") ---- */

bool cw_trace_bridge_memo(const cw_chainstore *cs, uint64_t tx, cw_evm_memo *m, bool *dest_ok)
{
    char text[CW_MEMO_TEXT_MAX + 1];
    size_t n = cw_chainstore_tx_memo(cs, tx, text, sizeof text);
    *dest_ok = false;
    if (!n || cw_evm_memo_parse(m, text, n) || !cw_evm_memo_is_exit(m))
        return false;
    if (!strcmp(m->chain, "BTC"))
        return false; /* a swap into another Bitcoin asset: the value stays on this chain */
    const char *d = m->dest;
    if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
        char a[43];
        size_t dn = strlen(d);
        if (dn == 42) {
            memcpy(a, d, 43);
            a[1] = 'x'; /* a memo written upper-case whole: "0X" + one case */
            *dest_ok = cw_eip55_check(a) == 0;
        }
    } else
        *dest_ok = true; /* another chain's address or a THORName, as written */
    if (!*dest_ok)
        cw_error_clear();
    return true;
}
