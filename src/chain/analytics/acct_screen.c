/*
 * acct_screen.c: exposure screening on an EVM store (include/chainwatch/acct_screen.h).
 * Depth-first over receipts, newest first, carrying the share each receipt explains; labelled
 * senders end a branch.
 *
 * Speed: a visit asks "what did this account receive of this asset before movement B", and a
 * hub (an exchange, a pool) is visited again and again at different B. Walking its in-chain
 * (movelink.col prev_in) from its newest receipt each time costs its whole history per visit.
 * So a screener keeps, per (account, asset) visited twice, the counted receipts in chain order
 * and their exact prefix sums (u256, wrapping as the running sum did): a visit is a binary
 * search for B and a subtraction, then the same receipts in the same order as the walk. The
 * first visit walks (an account visited once costs no more than before); the index is built
 * on the second and reused by every later visit of every screen of the same screener. Once
 * the screener has walked in-chains for more steps than a quarter of the store's movements,
 * it indexes every account's receipts of the asset in two sequential passes over the
 * movements (a screen of thousands of accounts: hubs everywhere). Results
 * are bit-identical to the walk's (tests/cli/screen_evm_index.sh: bench_trace_evm compares
 * them with the walk kept there as the reference).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/acct_screen.h"
#include "chainwatch/acct_trace.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "util/u64map.h"

void cw_acct_screen_opts_init(cw_acct_screen_opts *o)
{
    o->max_hops = 30;
    o->floor = 0.001;
    o->before = CW_EVM_NONE64;
    o->max_inflows = 20000;
    o->swaps = true;
    o->third_party_cats = 0;
}

/* the counted receipts of one (account, asset), ascending movement ids, and prefix sums */
/* what a visit reads of a receipt, kept beside its movement id so that a hub's thousands of
 * receipts are read sequentially (the categories callback answers for a fixed label set) */
typedef struct rec {
    double amt;    /* the amount as a double, as the share computes it */
    uint32_t from; /* sender */
    uint32_t cat;  /* the sender's categories */
} rec;

typedef struct inflows {
    uint64_t *moves;
    cw_u256 *prefix; /* prefix[i] = sum of the first i amounts (n + 1 entries) */
    rec *rec;        /* parallel to moves; NULL for a walk */
    size_t n;
} inflows;

/* every account's counted receipts of one asset at once (built when screening has walked
 * in-chains for more steps than a pass over the store costs): account a's receipts are
 * moves[off[a] .. off[a + 1]), its prefix sums prefix[off[a] + a .. off[a + 1] + a] */
typedef struct gindex {
    uint32_t asset;
    uint64_t *off;
    uint64_t *moves;
    cw_u256 *prefix;
    rec *rec;
} gindex;

#define MAX_GINDEX 8

static bool counts(const cw_evm_row_move *m, uint32_t asset);

struct cw_acct_screener {
    const cw_evmstore *s;
    cw_acct_categories_fn cats;
    void *ctx;
    cw_acct_screen_opts o;
    cw_u64map index; /* (account << 32 | asset) -> slot in `lists` + 1; 0: visited once */
    cw_u64map up;    /* (account << 32 | asset) -> upstream() of a labelled sender (double bits) */
    cw_u64map third; /* account -> 1 + the receipt that made it a third party's own, 0: never */
    inflows *lists;
    size_t n_lists, cap_lists;
    uint64_t steps; /* in-chain steps walked */
    uint64_t n_moves, n_accounts;
    gindex g[MAX_GINDEX];
    size_t n_g;
    bool from_genesis; /* the store holds every block from genesis, each complete */
    bool oom;
};

static void rec_fill(const cw_acct_screener *sc, rec *x, const cw_evm_row_move *r)
{
    cw_u256 a = cw_evmstore_move_amount(sc->s, r);
    x->amt = cw_u256_to_double(&a);
    x->from = r->from;
    x->cat = r->from != CW_EVM_NONE32 && sc->cats ? sc->cats(sc->ctx, r->from) : 0;
}

/* Builds the whole-store index of one asset: two sequential passes over the movements. */
static const gindex *gindex_build(cw_acct_screener *sc, uint32_t asset)
{
    gindex g = {asset, cw_calloc(sc->n_accounts + 1, sizeof *g.off), NULL, NULL, NULL};
    uint64_t *cur = cw_malloc((sc->n_accounts + 1) * sizeof *cur);
    if (!g.off || !cur)
        goto fail;
    for (uint64_t m = 0; m < sc->n_moves; m++) {
        const cw_evm_row_move *r = cw_evmstore_move(sc->s, m);
        if (r->to < sc->n_accounts && counts(r, asset))
            g.off[r->to + 1]++;
    }
    for (uint64_t a = 0; a < sc->n_accounts; a++)
        g.off[a + 1] += g.off[a];
    uint64_t n = g.off[sc->n_accounts];
    g.moves = cw_malloc((n ? n : 1) * sizeof *g.moves);
    g.prefix = cw_calloc(n + sc->n_accounts + 1, sizeof *g.prefix);
    g.rec = cw_malloc((n ? n : 1) * sizeof *g.rec);
    if (!g.moves || !g.prefix || !g.rec)
        goto fail;
    memcpy(cur, g.off, (sc->n_accounts + 1) * sizeof *cur);
    for (uint64_t m = 0; m < sc->n_moves; m++) {
        const cw_evm_row_move *r = cw_evmstore_move(sc->s, m);
        if (r->to >= sc->n_accounts || !counts(r, asset))
            continue;
        uint64_t pos = cur[r->to]++;
        g.moves[pos] = m;
        rec_fill(sc, &g.rec[pos], r);
        cw_u256 a = cw_evmstore_move_amount(sc->s, r);
        cw_u256_add(&g.prefix[pos + r->to + 1], &g.prefix[pos + r->to], &a);
    }
    cw_free(cur);
    sc->g[sc->n_g] = g;
    return &sc->g[sc->n_g++];
fail:
    cw_free(cur);
    cw_free(g.off);
    cw_free(g.moves);
    cw_free(g.prefix);
    cw_free(g.rec);
    sc->oom = true;
    return NULL;
}

/* The whole-store index of the asset, built once the walks cost more than a pass would;
 * NULL until then. */
static const gindex *gindex_of(cw_acct_screener *sc, uint32_t asset)
{
    for (size_t i = 0; i < sc->n_g; i++)
        if (sc->g[i].asset == asset)
            return &sc->g[i];
    if (sc->n_g == MAX_GINDEX || sc->steps < sc->n_moves / 4 + 1000)
        return NULL;
    return gindex_build(sc, asset);
}

typedef struct walk {
    cw_acct_screener *sc;
    const cw_evmstore *s;
    uint32_t asset;
    cw_acct_categories_fn cats;
    void *ctx;
    const cw_acct_screen_opts *o;
    cw_acct_exposure *e;
    uint32_t path_acct[32];
    uint64_t path_move[32];
    uint32_t why; /* CW_ACCT_PROB_* of the branch being walked: the judgements it passed */
    uint32_t passed; /* bit d: the account at depth d paid on what it received in the same tx
                        (a pass-through), not from funds of its own */
    int rc;       /* the first error reading the store (an account's chain heads) */
} walk;

static bool counts(const cw_evm_row_move *m, uint32_t asset)
{
    return m->asset == asset && m->kind != CW_EVM_MOVE_FEE_BURNT &&
           m->kind != CW_EVM_MOVE_FEE_TIP && m->kind != CW_EVM_MOVE_ERC721 &&
           m->kind != CW_EVM_MOVE_ERC1155;
}

static void path_set(cw_acct_exposure_path *p, uint32_t cat, double share, const walk *w,
                     uint32_t n, uint32_t why, uint32_t third)
{
    p->third = third;
    p->category = cat;
    p->share = share;
    p->n = n;
    memcpy(p->accounts, w->path_acct, n * sizeof *p->accounts);
    memcpy(p->moves, w->path_move, n * sizeof *p->moves);
    p->why = why;
}

static void add_top(cw_acct_exposure *e, uint32_t cat, double share, const walk *w, uint32_t n,
                    uint32_t why, uint32_t third)
{
    if (share > e->best[cat].share) /* the first of equal shares, as top[] keeps */
        path_set(&e->best[cat], cat, share, w, n, why, third);
    size_t k = e->n_top < 5 ? e->n_top++ : 4;
    if (e->n_top == 5 && k == 4 && e->top[4].share >= share)
        return;
    path_set(&e->top[k], cat, share, w, n, why, third);
    while (k > 0 && e->top[k - 1].share < e->top[k].share) { /* keep sorted, strongest first */
        cw_acct_exposure_path t = e->top[k - 1];
        e->top[k - 1] = e->top[k];
        e->top[k] = t;
        k--;
    }
}

/* The receipts of (account, asset) into *out, built on its second visit (one visit walks, as
 * cheap as indexing); false when not indexed (first visit, or out of memory: sc->oom). */
static bool inflows_of(cw_acct_screener *sc, uint32_t account, uint32_t asset,
                       const cw_evm_row_acctlast *l, inflows *out)
{
    uint64_t key = (uint64_t)account << 32 | asset, slot;
    bool seen = cw_u64map_get(&sc->index, key, &slot);
    if (seen && slot) {
        *out = sc->lists[slot - 1]; /* by value: lists may move as the recursion indexes more */
        return true;
    }
    if (!seen) {
        if (cw_u64map_set(&sc->index, key, 0))
            sc->oom = true;
        return false;
    }
    size_t n = 0, steps = 0;
    for (uint64_t m = l->last_in; m != CW_EVM_NONE64;
         m = cw_evmstore_movelink(sc->s, m).prev_in, steps++)
        n += counts(cw_evmstore_move(sc->s, m), asset);
    sc->steps += 2 * steps;
    inflows f = {cw_malloc((n ? n : 1) * sizeof *f.moves), cw_malloc((n + 1) * sizeof *f.prefix),
                 cw_malloc((n ? n : 1) * sizeof *f.rec), n};
    if (sc->n_lists == sc->cap_lists) {
        size_t nc = sc->cap_lists ? sc->cap_lists * 2 : 256;
        inflows *g = realloc(sc->lists, nc * sizeof *g);
        if (g) {
            sc->lists = g;
            sc->cap_lists = nc;
        }
    }
    if (!f.moves || !f.prefix || !f.rec || sc->n_lists == sc->cap_lists ||
        cw_u64map_set(&sc->index, key, sc->n_lists + 1)) {
        cw_free(f.moves);
        cw_free(f.prefix);
        cw_free(f.rec);
        sc->oom = true;
        return false;
    }
    size_t i = n;
    for (uint64_t m = l->last_in; m != CW_EVM_NONE64; m = cw_evmstore_movelink(sc->s, m).prev_in)
        if (counts(cw_evmstore_move(sc->s, m), asset))
            f.moves[--i] = m;
    memset(&f.prefix[0], 0, sizeof f.prefix[0]);
    for (i = 0; i < n; i++) {
        const cw_evm_row_move *r = cw_evmstore_move(sc->s, f.moves[i]);
        cw_u256 a = cw_evmstore_move_amount(sc->s, r);
        cw_u256_add(&f.prefix[i + 1], &f.prefix[i], &a);
        rec_fill(sc, &f.rec[i], r);
    }
    sc->lists[sc->n_lists++] = f;
    *out = f;
    return true;
}

/* The first visit of (account, asset): what it received before `before`, walked from its
 * newest receipt (the newest max_inflows counted ones), into f (owned by the caller). */
static bool walk_inflows(walk *w, uint32_t account, const cw_evm_row_acctlast *l, uint64_t before,
                         inflows *f, uint64_t **buf, size_t *cap)
{
    size_t n = 0;
    for (uint64_t m = l->last_in; m != CW_EVM_NONE64 && n < w->o->max_inflows;
         m = cw_evmstore_movelink(w->s, m).prev_in) {
        w->sc->steps++;
        if (m >= before || !counts(cw_evmstore_move(w->s, m), w->asset))
            continue;
        if (n == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            uint64_t *g = realloc(*buf, nc * sizeof *g);
            if (!g) {
                w->sc->oom = true;
                return false;
            }
            *buf = g;
            *cap = nc;
        }
        (*buf)[n++] = m;
    }
    (void)account;
    f->moves = *buf;
    f->n = n;
    f->prefix = NULL;
    f->rec = NULL;
    return true;
}

/* Screening through swaps. A receipt of `asset` by `account` in a tx whose moves make it a swap:
 * the account itself gives up other assets in that tx (its net flow of each, fees aside, below
 * zero: a router's or a pool's swap, a wrap), or it gives up nothing and the tx's sender gives
 * up other assets and none of this one (a swap paying someone else). The swap's output is then
 * explained by what the payer gave up, screened as of the tx, each given asset an equal part
 * (probable: the venue's rate is not read); an item given up (an NFT sold) counts as an asset
 * given up. Fills given[] (at most SWAP_MAX_GIVEN), returns how
 * many (0: no swap), *payer and *before (the tx's first movement). A tx of more than
 * SWAP_MAX_MOVES movements is no swap here (bounded cost: a batch or an airdrop). */
#define SWAP_MAX_MOVES 256
#define SWAP_MAX_GIVEN 4
#define SWAP_MAX_ASSETS 16

typedef struct netflow {
    uint32_t asset[SWAP_MAX_ASSETS];
    double net[SWAP_MAX_ASSETS];
    size_t n;
    bool full;
} netflow;

static void net_add(netflow *f, uint32_t asset, double v)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->asset[i] == asset) {
            f->net[i] += v;
            return;
        }
    if (f->n == SWAP_MAX_ASSETS) {
        f->full = true;
        return;
    }
    f->asset[f->n] = asset;
    f->net[f->n++] = v;
}

/* A movement counted in a tx's net flows: not a fee. Items (NFTs) count (by number): a seller
 * that gives up an item for the payment it receives is the venue of a purchase, its payment
 * explained by the item it gave up (as the trace converts a buyer's taint into the item), not
 * by the buyer's funds. */
static bool value_move(const cw_evm_row_move *r)
{
    return r->kind != CW_EVM_MOVE_FEE_BURNT && r->kind != CW_EVM_MOVE_FEE_TIP;
}

static void net_of(const cw_evmstore *s, uint64_t first, uint64_t end, uint32_t who, netflow *f)
{
    f->n = 0;
    f->full = false;
    for (uint64_t k = first; k < end; k++) {
        const cw_evm_row_move *r = cw_evmstore_move(s, k);
        if (!value_move(r) || r->from == r->to || (r->from != who && r->to != who))
            continue;
        cw_u256 a = cw_evmstore_move_amount(s, r);
        net_add(f, r->asset, r->to == who ? cw_u256_to_double(&a) : -cw_u256_to_double(&a));
    }
}

/* the assets f gives up other than `asset` into given[]; how many */
static size_t given_up(const netflow *f, uint32_t asset, uint32_t *given)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n && n < SWAP_MAX_GIVEN; i++)
        if (f->asset[i] != asset && f->net[i] < 0)
            given[n++] = f->asset[i];
    return n;
}

static size_t swap_input(const cw_evmstore *s, uint32_t account, uint64_t m, uint32_t asset,
                         uint32_t *payer, uint64_t *before, uint32_t *given)
{
    const cw_evm_row_move *r = cw_evmstore_move(s, m);
    if (!r || r->tx == CW_EVM_NONE64)
        return 0;
    uint64_t first, end;
    cw_evmstore_tx_moves(s, r->tx, &first, &end);
    if (end <= first || end - first > SWAP_MAX_MOVES)
        return 0;
    netflow f;
    net_of(s, first, end, account, &f);
    size_t n = f.full ? 0 : given_up(&f, asset, given);
    if (n) {
        *payer = account;
        *before = first;
        return n;
    }
    const cw_evm_row_tx *t = cw_evmstore_tx(s, r->tx);
    if (!t || t->from == account || t->from == CW_EVM_NONE32)
        return 0;
    for (size_t i = 0; i < f.n; i++)
        if (f.net[i] < 0)
            return 0; /* the receiver gives up this asset: a payment passed on */
    net_of(s, first, end, t->from, &f);
    if (f.full)
        return 0;
    for (size_t i = 0; i < f.n; i++)
        if (f.net[i] > 0 || (f.asset[i] == asset && f.net[i] < 0))
            return 0; /* the sender gains, or pays this asset itself: no swap for another */
    n = given_up(&f, asset, given);
    if (n) {
        *payer = t->from;
        *before = first;
    }
    return n;
}

/* A receipt a venue could have paid: in a tx the sender did not send (a pool or router pays in
 * its caller's tx), or minted (a wrap); not a tx's own value. */
static bool venue_paid(const cw_evmstore *s, uint64_t m, uint32_t from)
{
    const cw_evm_row_move *r = cw_evmstore_move(s, m);
    if (!r || r->kind == CW_EVM_MOVE_TX || r->tx == CW_EVM_NONE64)
        return false;
    const cw_evm_row_tx *t = cw_evmstore_tx(s, r->tx);
    return t && (from == CW_EVM_NONE32 || t->from != from);
}

/* A payment `before` by an account that received at least as much in the same tx just before
 * it: a pass-through (a batch sender, a router forwarding its caller's value). Those receipts
 * alone explain it; its earlier receipts left in their own txs. Returns how many (the newest;
 * their sum in *got), 0: none. asc: f->moves ascending (indexed), else newest first. */
static size_t pass_through(const walk *w, const inflows *f, size_t end, bool asc, uint64_t before,
                           cw_u256 *got)
{
    const cw_evm_row_move *p = cw_evmstore_move(w->s, before);
    cw_u256 need = cw_evmstore_move_amount(w->s, p);
    *got = (cw_u256){{0}};
    for (size_t k = 0; k < end; k++) {
        const cw_evm_row_move *r = cw_evmstore_move(w->s, f->moves[asc ? end - 1 - k : k]);
        if (r->tx != p->tx)
            return 0;
        cw_u256 a = cw_evmstore_move_amount(w->s, r);
        cw_u256_add(got, got, &a);
        if (cw_u256_cmp(got, &need) >= 0)
            return k + 1;
    }
    return 0;
}

/* The indexed receipts of (account, asset) into *f (the index is built on this call if need
 * be: a labelled sender is read once per screener); false when none can be read. */
static bool indexed_inflows(cw_acct_screener *sc, uint32_t account, uint32_t asset, inflows *f)
{
    const gindex *g = gindex_of(sc, asset);
    if (g && account < sc->n_accounts) {
        f->moves = g->moves + g->off[account];
        f->prefix = g->prefix + g->off[account] + account;
        f->rec = g->rec + g->off[account];
        f->n = g->off[account + 1] - g->off[account];
        return true;
    }
    cw_evm_row_acctlast l;
    if (sc->oom || cw_evmstore_acctlast(sc->s, account, &l)) {
        cw_error_clear();
        return false;
    }
    /* the first call of an account marks it seen, the second indexes it */
    return inflows_of(sc, account, asset, &l, f) ||
           (!sc->oom && inflows_of(sc, account, asset, &l, f));
}

/* What the indexed receipts f (ascending) hold before movement `before`: how many, and their
 * sum (base units, as a double) into *sum. */
static size_t received_before(const inflows *f, uint64_t before, double *sum)
{
    size_t lo = 0, hi = f->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->moves[mid] < before)
            lo = mid + 1;
        else
            hi = mid;
    }
    *sum = cw_u256_to_double(&f->prefix[lo]);
    return lo;
}

/* How many labelled senders upstream() follows. */
#define DUST_UPSTREAM 4

/* The most any of the labelled senders upstream of labelled `account` received of the walk's
 * asset: from each, its largest receipt (of its newest max_inflows) from a sender sharing one of
 * its categories, at most DUST_UPSTREAM of them (a thief's dusting hop, labelled, got its
 * budget from the labelled drain recipient holding the heist). Cached per screener. */
static double upstream(walk *w, uint32_t account, uint32_t cat)
{
    uint64_t key = (uint64_t)account << 32 | w->asset, v;
    double best = 0;
    if (cw_u64map_get(&w->sc->up, key, &v)) {
        memcpy(&best, &v, sizeof best);
        return best;
    }
    uint32_t a = account;
    cat &= ~CW_ACCT_CAT_PROBABLE;
    for (int up = 0; up < DUST_UPSTREAM; up++) {
        inflows f;
        if (!indexed_inflows(w->sc, a, w->asset, &f))
            break;
        uint32_t next = CW_EVM_NONE32;
        double big = 0;
        for (size_t i = f.n > w->o->max_inflows ? f.n - w->o->max_inflows : 0; i < f.n; i++)
            if (f.rec[i].from != a && f.rec[i].from != CW_EVM_NONE32 && (f.rec[i].cat & cat) &&
                f.rec[i].amt > big) {
                big = f.rec[i].amt;
                next = f.rec[i].from;
            }
        if (next == CW_EVM_NONE32 || next == account || !indexed_inflows(w->sc, next, w->asset, &f))
            break;
        if (cw_u256_to_double(&f.prefix[f.n]) > best)
            best = cw_u256_to_double(&f.prefix[f.n]);
        a = next;
    }
    memcpy(&v, &best, sizeof v);
    if (cw_u64map_set(&w->sc->up, key, v))
        w->sc->oom = true;
    return best;
}

typedef struct sender_at {
    uint64_t move;
    uint32_t from;
} sender_at;

static int by_move(const void *a, const void *b)
{
    const sender_at *x = a, *y = b;
    return x->move < y->move ? -1 : x->move > y->move;
}

/* The receipt (movement id) from which `a` counts as a third party's own account (acct_screen.h:
 * its CW_ACCT_THIRD_SENDERS-th distinct sender not labelled with third_party_cats, any asset,
 * fees aside; its newest max_inflows receipts), CW_EVM_NONE64 when never. Cached per screener. */
static uint64_t third_from(cw_acct_screener *sc, uint32_t a)
{
    uint64_t v;
    if (cw_u64map_get(&sc->third, a, &v))
        return v ? v - 1 : CW_EVM_NONE64;
    cw_evm_row_acctlast l;
    uint64_t at = CW_EVM_NONE64;
    sender_at *x = NULL;
    size_t n = 0, cap = 0;
    if (!cw_evmstore_acctlast(sc->s, a, &l)) {
        for (uint64_t m = l.last_in; m != CW_EVM_NONE64 && n < sc->o.max_inflows;
             m = cw_evmstore_movelink(sc->s, m).prev_in) {
            const cw_evm_row_move *r = cw_evmstore_move(sc->s, m);
            if (r->kind == CW_EVM_MOVE_FEE_BURNT || r->kind == CW_EVM_MOVE_FEE_TIP ||
                r->from == CW_EVM_NONE32 || r->from == a ||
                (sc->cats && (sc->cats(sc->ctx, r->from) & sc->o.third_party_cats)))
                continue;
            if (n == cap) {
                size_t nc = cap ? 2 * cap : 64;
                sender_at *g = realloc(x, nc * sizeof *g);
                if (!g) {
                    sc->oom = true;
                    break;
                }
                x = g;
                cap = nc;
            }
            x[n++] = (sender_at){m, r->from};
        }
    }
    cw_error_clear();
    if (n)
        qsort(x, n, sizeof *x, by_move);
    /* the distinct senders in order of their first receipt: a handful are compared */
    uint32_t seen[CW_ACCT_THIRD_SENDERS];
    size_t k = 0;
    for (size_t i = 0; i < n && k < CW_ACCT_THIRD_SENDERS; i++) {
        size_t j = 0;
        while (j < k && seen[j] != x[i].from)
            j++;
        if (j == k) {
            seen[k++] = x[i].from;
            if (k == CW_ACCT_THIRD_SENDERS)
                at = x[i].move;
        }
    }
    free(x);
    if (cw_u64map_set(&sc->third, a, at == CW_EVM_NONE64 ? 0 : at + 1))
        sc->oom = true;
    return at;
}

/* At a labelled end reached at `depth`: the index on the path of the third party's own account
 * the value passed, the nearest the label (accounts 1 .. depth that are no contract and did not
 * pass the value on as a pass-through, each as of the receipt by which the value entered it); 0
 * when none. */
static uint32_t third_party(walk *w, uint32_t depth)
{
    for (uint32_t i = depth < 31 ? depth : 31; i >= 1; i--) {
        /* a person's account: no contract (a batch sender, a pool), no pass-through */
        if ((w->passed >> i & 1) ||
            cw_evmstore_contract_block(w->s, w->path_acct[i]) != CW_EVM_NONE32)
            continue;
        uint64_t at = third_from(w->sc, w->path_acct[i]);
        if (at != CW_EVM_NONE64 && at < w->path_move[i])
            return i;
    }
    return 0;
}

static void visit(walk *w, uint32_t account, uint64_t before, uint32_t depth, double weight)
{
    cw_acct_exposure *e = w->e;
    e->accounts_visited++;
    cw_evm_row_acctlast hl;
    int rc = cw_evmstore_acctlast(w->s, account, &hl);
    if (rc) {
        if (!w->rc)
            w->rc = rc;
        return;
    }
    const cw_evm_row_acctlast *l = &hl;
    /* what it received of the asset before `before`: the newest max_inflows of them, as
     * receipts[i] for i from end - 1 down to start (newest first) */
    inflows f;
    uint64_t *buf = NULL; /* first visit: the walked receipts, newest first */
    size_t cap = 0, start, end;
    cw_u256 total = {{0}};
    const gindex *g = gindex_of(w->sc, w->asset);
    bool indexed = false;
    if (g && account < w->sc->n_accounts) {
        f.moves = g->moves + g->off[account];
        f.prefix = g->prefix + g->off[account] + account;
        f.rec = g->rec + g->off[account];
        f.n = g->off[account + 1] - g->off[account];
        indexed = true;
    } else if (!w->sc->oom) {
        indexed = inflows_of(w->sc, account, w->asset, l, &f);
    }
    if (indexed) {
        size_t lo = 0, hi = f.n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (f.moves[mid] < before)
                lo = mid + 1;
            else
                hi = mid;
        }
        end = lo;
        start = end > w->o->max_inflows ? end - w->o->max_inflows : 0;
        cw_u256_sub(&total, &f.prefix[end], &f.prefix[start]);
    } else {
        if (w->sc->oom || !walk_inflows(w, account, l, before, &f, &buf, &cap)) {
            free(buf);
            return;
        }
        for (size_t i = 0; i < f.n; i++) {
            cw_u256 a = cw_evmstore_move_amount(w->s, cw_evmstore_move(w->s, f.moves[i]));
            cw_u256_add(&total, &total, &a);
        }
        start = 0;
        end = f.n;
    }
    cw_u256 pt_total;
    size_t pt = depth && w->o->swaps ? pass_through(w, &f, end, indexed, before, &pt_total) : 0;
    if (pt && end - start >= pt) {
        start = end - pt;
        total = pt_total;
    }
    if (depth < 32) {
        w->passed &= ~(1u << depth);
        w->passed |= (uint32_t)(pt && end - start >= pt) << depth;
    }
    if (depth == 0)
        e->received = total;
    double t = cw_u256_to_double(&total);
    if (t <= 0) {
        free(buf);
        e->unexplored += weight; /* nothing explains it: a store starting mid-chain */
        e->whole = 0;
        return;
    }
    for (size_t i = end; i-- > start;) {
        /* indexed: ascending, walk from the end; walked: newest first already */
        uint64_t m = f.prefix ? f.moves[i] : f.moves[end - 1 - i];
        rec x;
        if (f.rec)
            x = f.rec[i];
        else
            rec_fill(w->sc, &x, cw_evmstore_move(w->s, m));
        e->receipts_read++;
        double share = weight * x.amt / t;
        if (share <= 0)
            continue;
        if (depth < 32) {
            w->path_acct[depth] = account;
            w->path_move[depth] = m;
        }
        uint32_t c = x.cat;
        /* a swap's output from an unlabelled venue or minted (a wrap): explained by the swap's
         * own input */
        if (!c && w->o->swaps && depth + 1 < w->o->max_hops && share >= w->o->floor &&
            venue_paid(w->s, m, x.from)) {
            uint32_t given[SWAP_MAX_GIVEN], payer, keep = w->asset, keep_why = w->why;
            uint64_t at;
            size_t ng = swap_input(w->s, account, m, keep, &payer, &at, given);
            if (ng) {
                e->swapped += share;
                e->swaps++;
                if (depth + 1 < 32)
                    w->path_acct[depth + 1] = payer;
                w->why |= CW_ACCT_PROB_SWAP | (ng > 1 ? CW_ACCT_PROB_SPLIT : 0);
                for (size_t k = 0; k < ng; k++) {
                    w->asset = given[k];
                    visit(w, payer, at, depth + 1, share / (double)ng);
                }
                w->asset = keep;
                w->why = keep_why;
                continue;
            }
        }
        if (x.from == CW_EVM_NONE32) {
            e->received_share_minted += share;
            e->whole = 0;
            continue;
        }
        /* a token "paid" by a labelled account that never received it, in a store holding the
         * chain from genesis: none of that account's value (a token's Transfer log names any
         * sender its contract likes: a fake token's spam in a thief's name, address
         * poisoning); from nobody, as a mint */
        /* a labelled sender's receipts, indexed on the first receipt from it (once per
         * screener): whether it held the asset, and how much, before it paid */
        inflows sf;
        double src = 0;
        size_t held = 1; /* assumed held when its receipts cannot be read */
        if (c && indexed_inflows(w->sc, x.from, w->asset, &sf))
            held = received_before(&sf, m, &src);
        if (c && w->asset != CW_EVM_ASSET_NATIVE && w->sc->from_genesis && !held) {
            e->received_share_minted += share;
            e->whole = 0;
            continue;
        }
        if (c) {
            uint32_t why = w->why | (c & CW_ACCT_CAT_PROBABLE ? CW_ACCT_PROB_SERVICE : 0);
            uint32_t third = depth && (c & w->o->third_party_cats) ? third_party(w, depth) : 0;
            e->whole &= why ? 0 : third ? c & ~w->o->third_party_cats : c; /* certain ends */
            double src_up = upstream(w, x.from, c);
            if (src_up > src)
                src = src_up;
            for (uint32_t k = 0; k < CW_ACCT_MAX_CATEGORIES; k++) {
                if (!(c & (1u << k)))
                    continue;
                uint32_t th = third && (w->o->third_party_cats >> k & 1) ? third : 0;
                uint32_t why_k = why | (th ? CW_ACCT_PROB_THIRD : 0);
                if (src > e->source_received[k])
                    e->source_received[k] = src;
                if (depth == 0)
                    e->direct[k] += share;
                else
                    e->indirect[k] += share;
                if (why_k) {
                    e->probable[k] += share;
                    e->why_of[k] |= why_k;
                }
                /* accounts: the screened one .. the labelled sender; moves[i]: the receipt
                 * that links accounts[i] to accounts[i + 1] */
                if (depth + 1 < 32)
                    w->path_acct[depth + 1] = x.from;
                add_top(e, k, share, w, depth + 2 < 32 ? depth + 2 : 32, why_k, th);
            }
            continue;
        }
        if (share < w->o->floor || depth + 1 >= w->o->max_hops || x.from == account) {
            e->unexplored += share;
            e->whole = 0;
            continue;
        }
        visit(w, x.from, m, depth + 1, share);
    }
    free(buf);
}

/* Dust (acct_screen.h, cw_acct_screen_dust): in one asset's screen, a category whose whole
 * contribution, share x received, is at most 1 / CW_ACCT_DUST_TINY of what one of its labelled
 * senders had received of the asset when it paid (the trace's bound for a dusting campaign's
 * payment) is moved out of the shares into dusted[], and its paths out of top[]. */
static void dust_one(cw_acct_exposure *e, uint32_t k)
{
    double all = e->direct[k] + e->indirect[k];
    if (all <= 0 ||
        all * cw_u256_to_double(&e->received) * (double)CW_ACCT_DUST_TINY > e->source_received[k])
        return;
    e->dusted[k] = all;
    e->direct[k] = e->indirect[k] = e->probable[k] = 0;
    e->why_of[k] = 0;
    size_t n = 0;
    for (size_t p = 0; p < e->n_top; p++)
        if (e->top[p].category != k)
            e->top[n++] = e->top[p];
    e->n_top = n;
    memset(&e->best[k], 0, sizeof e->best[k]);
}

/* The first counted receipt of (account, asset) into *m (through the screener's index); false
 * when none or it cannot be read. */
static bool first_receipt(cw_acct_screener *sc, uint32_t account, uint32_t asset, uint64_t *m)
{
    inflows f;
    if (!indexed_inflows(sc, account, asset, &f) || !f.n)
        return false;
    *m = f.moves[0];
    return true;
}

int cw_acct_screen_dust(cw_acct_screener *sc, uint32_t account, cw_acct_exposure *e, size_t n,
                        uint32_t cats)
{
    const cw_acct_exposure *native = NULL;
    for (size_t i = 0; i < n; i++)
        if (e[i].asset == CW_EVM_ASSET_NATIVE)
            native = &e[i];
    uint64_t first;
    if (!native || !first_receipt(sc, account, CW_EVM_ASSET_NATIVE, &first))
        return sc->oom ? cw_error_set(CW_ENOMEM, "out of memory indexing receipts for screening")
                       : 0;
    /* the native value it held just after its first receipt (the thief funds its fresh hops
     * and look-alikes with gas first; a campaign targets used addresses) */
    cw_acct_exposure at;
    memset(&at, 0, sizeof at);
    walk w = {sc, sc->s, CW_EVM_ASSET_NATIVE, sc->cats, sc->ctx, &sc->o, &at, {0}, {0}, 0, 0, 0};
    visit(&w, account, first + 1, 0, 1.0);
    if (w.rc)
        return w.rc;
    if (sc->oom)
        return cw_error_set(CW_ENOMEM, "out of memory indexing receipts for screening");
    for (uint32_t k = 0; k < CW_ACCT_MAX_CATEGORIES; k++) {
        if (!(cats & (1u << k)))
            continue;
        /* funds of its own: the category brought less than half the native value it received,
         * and none of its first native receipt */
        if (native->direct[k] + native->indirect[k] >= 0.5 || at.direct[k] + at.indirect[k] > 0)
            continue;
        for (size_t i = 0; i < n; i++)
            dust_one(&e[i], k);
    }
    return 0;
}

bool cw_acct_exposure_amount(const cw_acct_exposure *e, uint32_t k, double share,
                             char out[CW_U256_DEC_MAX])
{
    if (share > 0 && k < CW_ACCT_MAX_CATEGORIES && (e->whole >> k & 1)) {
        cw_u256_to_dec(out, &e->received);
        return true;
    }
    char buf[400]; /* share <= 1 of at most 2^256: 78 digits */
    snprintf(buf, sizeof buf, "%.0f", share > 0 ? share * cw_u256_to_double(&e->received) : 0.0);
    int sig = 0;
    for (char *p = buf; *p; p++)
        if (*p >= '0' && *p <= '9' && (sig || *p != '0') && ++sig > 15)
            *p = '0'; /* past a double's 15 significant digits: not known */
    size_t n = strlen(buf);
    n = n < CW_U256_DEC_MAX ? n : CW_U256_DEC_MAX - 1;
    memcpy(out, buf, n);
    out[n] = '\0';
    return false;
}

int cw_acct_screener_new(cw_acct_screener **out, const cw_evmstore *s, cw_acct_categories_fn cats,
                         void *ctx, const cw_acct_screen_opts *o)
{
    *out = cw_calloc(1, sizeof **out);
    if (!*out)
        return cw_error_set(CW_ENOMEM, "out of memory");
    (*out)->s = s;
    (*out)->cats = cats;
    (*out)->ctx = ctx;
    (*out)->o = *o;
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    (*out)->n_moves = c.moves;
    (*out)->n_accounts = c.accounts;
    (*out)->from_genesis = c.base == 0 && c.incomplete == 0;
    return 0;
}

void cw_acct_screener_free(cw_acct_screener *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->n_lists; i++) {
        cw_free(sc->lists[i].moves);
        cw_free(sc->lists[i].prefix);
        cw_free(sc->lists[i].rec);
    }
    free(sc->lists);
    for (size_t i = 0; i < sc->n_g; i++) {
        cw_free(sc->g[i].off);
        cw_free(sc->g[i].moves);
        cw_free(sc->g[i].prefix);
        cw_free(sc->g[i].rec);
    }
    cw_u64map_deinit(&sc->index);
    cw_u64map_deinit(&sc->up);
    cw_u64map_deinit(&sc->third);
    cw_free(sc);
}

int cw_acct_screener_run(cw_acct_screener *sc, cw_acct_exposure *out, uint32_t account,
                         uint32_t asset)
{
    memset(out, 0, sizeof *out);
    out->asset = asset;
    out->whole = UINT32_MAX; /* narrowed by every end the walk reaches */
    walk w = {sc, sc->s, asset, sc->cats, sc->ctx, &sc->o, out, {0}, {0}, 0, 0, 0};
    visit(&w, account, sc->o.before, 0, 1.0);
    if (w.rc)
        return w.rc;
    if (sc->oom)
        return cw_error_set(CW_ENOMEM, "out of memory indexing receipts for screening");
    if (cw_u256_is_zero(&out->received))
        return cw_error_set(CW_ENOTFOUND, "the account never received this asset");
    return 0;
}

int cw_acct_screen(cw_acct_exposure *out, const cw_evmstore *s, uint32_t account, uint32_t asset,
                   cw_acct_categories_fn cats, void *ctx, const cw_acct_screen_opts *o)
{
    cw_acct_screener *sc;
    memset(out, 0, sizeof *out);
    int rc = cw_acct_screener_new(&sc, s, cats, ctx, o);
    if (!rc)
        rc = cw_acct_screener_run(sc, out, account, asset);
    cw_acct_screener_free(sc);
    return rc;
}
