/*
 * acct_trace.c: the account-model taint trace (include/chainwatch/acct_trace.h).
 *
 * One sweep over the movements from the first source on, a transaction at a time (its
 * movements are contiguous). State is kept only for (account, asset) pairs that hold taint or
 * held it: a pair opens with what the account held just before (the source's balance
 * callback), as one clean lot or clean total, so taint never lands on an empty account that in
 * fact held clean funds. Per transaction, net flows (fees out, mints and burns as the token
 * contract's; items, NFTs, count here and nowhere else) name the converters: accounts that give
 * up one asset and gain another (a seller giving up an item for a payment is one). Taint
 * reaching a converter in an asset it gains is converted, not held (that is the pool's side of
 * a swap); taint the converter sent in the assets it gave up is carried to the assets it
 * gained, in proportion (that is the trader's side); a giver that gains nothing, paying a
 * venue, has its taint carried to the accounts that only gain another asset (a swap paying
 * someone else). Evidence: each tainted movement remembers the movement that brought taint to
 * its sender, so a path back to a source is a walk.
 * Through mixers, a sweep also follows (shadow) the recipients of withdrawals from tainted pools
 * a few hops by their own transactions; withdrawals whose shadow pays a deposit address that
 * direct or linked taint reached (or an account holding only such taint, or a bridge naming a
 * destination such taint was bridged to) are linked in the next sweep (at most MAX_SWEEPS),
 * never more than the tainted notes that went in; the shadow goes only through accounts with
 * no history of others' funds. A pool whose every note is traced (its contract's running
 * balance, on full-history sources) links every withdrawal. A withdrawal whose only evidence is
 * the anonymity set is a candidate: recorded, carrying no value unless follow_candidates.
 * An account with a history of its own before it first kept taint (a third party's: a public
 * figure the thief gifts, a merchant it pays) keeps what it received as it came, but all it pays
 * on is probable, through it (CW_ACCT_THIRD_*).
 */
#include <stdlib.h>
#include <string.h>

#include "chainwatch/acct_trace.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "util/u64map.h"

__extension__ typedef unsigned __int128 u128;

/* ---- 256-bit helpers ---- */

static const cw_u256 ZERO = {{0, 0, 0, 0}};

static bool lt(const cw_u256 *a, const cw_u256 *b)
{
    return cw_u256_cmp(a, b) < 0;
}

static cw_u256 add(cw_u256 a, cw_u256 b)
{
    cw_u256 r;
    if (cw_u256_add(&r, &a, &b))
        r.w[0] = r.w[1] = r.w[2] = r.w[3] = UINT64_MAX; /* saturate: amounts never get there */
    return r;
}

static cw_u256 sub(cw_u256 a, cw_u256 b) /* a - b, 0 when b > a */
{
    cw_u256 r;
    if (cw_u256_sub(&r, &a, &b))
        return ZERO;
    return r;
}

static cw_u256 min_u(cw_u256 a, cw_u256 b)
{
    return lt(&a, &b) ? a : b;
}

cw_u256 cw_u256_muldiv(const cw_u256 *a, const cw_u256 *b, const cw_u256 *c)
{
    /* fast path: everything in 64 bits for a and b, 128 for the product */
    if (cw_u256_fits_u64(a) && cw_u256_fits_u64(b) && !(c->w[2] | c->w[3])) {
        u128 p = (u128)a->w[0] * b->w[0], d = (u128)c->w[1] << 64 | c->w[0];
        u128 q = p / d;
        cw_u256 r = {{(uint64_t)q, (uint64_t)(q >> 64), 0, 0}};
        return r;
    }
    /* 512-bit product, little-endian limbs */
    uint64_t p[8] = {0};
    for (int i = 0; i < 4; i++) {
        u128 carry = 0;
        for (int j = 0; j < 4; j++) {
            u128 t = (u128)a->w[i] * b->w[j] + p[i + j] + carry;
            p[i + j] = (uint64_t)t;
            carry = t >> 64;
        }
        p[i + 4] = (uint64_t)carry;
    }
    /* binary long division of p by c (remainder < c fits in 257 bits: keep a carry bit) */
    uint64_t rem[4] = {0}, q[8] = {0};
    int top = 511;
    while (top >= 0 && !((p[top / 64] >> (top % 64)) & 1))
        top--;
    for (int bit = top; bit >= 0; bit--) {
        uint64_t hi = rem[3] >> 63;
        for (int k = 3; k > 0; k--)
            rem[k] = rem[k] << 1 | rem[k - 1] >> 63;
        rem[0] = rem[0] << 1 | ((p[bit / 64] >> (bit % 64)) & 1);
        cw_u256 r = {{rem[0], rem[1], rem[2], rem[3]}};
        if (hi || cw_u256_cmp(&r, c) >= 0) {
            cw_u256 d;
            cw_u256_sub(&d, &r, c);
            memcpy(rem, d.w, sizeof rem);
            q[bit / 64] |= 1ull << (bit % 64);
        }
    }
    cw_u256 r = {{q[0], q[1], q[2], q[3]}};
    if (q[4] | q[5] | q[6] | q[7])
        r.w[0] = r.w[1] = r.w[2] = r.w[3] = UINT64_MAX;
    return r;
}

/* ---- state ---- */

/* How a taint is known: 0 certain; PROB_STRONG through a link with evidence beyond the
 * anonymity set (gas funding, convergence); PROB_WEAK (with PROB_STRONG) through any other
 * judgement (a multi-asset conversion); PROB_CAND (with both) through a candidate mixer link
 * followed on request (follow_candidates). Bits: a mix is the weaker. */
#define PROB_STRONG 1u
#define PROB_WEAK 3u
#define PROB_WEAK_BIT 2u
#define PROB_CAND 7u
#define PROB_CAND_BIT 4u
/* through a third party's own account (CW_ACCT_THIRD_*): a judgement like a weak one (no
 * convergence, no gas funding, no own history of the thief's is shown by it) */
#define PROB_THIRD 11u

typedef struct lot {
    cw_u256 amount;
    uint64_t via; /* movement that brought it (tainted lots) */
    uint32_t hop;
    uint32_t through;          /* the third party's own account it came through, or NONE */
    uint8_t tainted, probable; /* probable: PROB_* bits */
} lot;

typedef struct pair {
    uint32_t account, asset;
    cw_u256 total, tainted;
    lot *lots;
    size_t head, n, cap;
    uint64_t first_via;
    uint32_t hop;
    uint32_t through; /* the first third party's own account its taint came through, or NONE */
    uint8_t probable;
    bool live;
    /* untainted value it ever held or received (opening balance included), and taint it
     * received: its history is the thief's while the first is at most 1 % of the second (dust
     * sent to a thief's address, address poisoning, does not make it someone else's) */
    cw_u256 clean_got, taint_got;
    /* of clean_got, what a conversion's output then marked tainted (the trader's side of a
     * swap: received as a clean payment from the venue, then given the taint it carries) */
    cw_u256 conv_got;
} pair;

struct cw_acct_result {
    cw_acct_end *ends;
    size_t n_ends, cap_ends;
    cw_acct_conv *convs;
    size_t n_convs, cap_convs;
    cw_acct_arrival *arr;
    size_t n_arr, cap_arr;
    cw_acct_mixlink *links;
    size_t n_links, cap_links;
    cw_u256 *sourced, *fees, *dust, *burnt;
    size_t n_assets;
    uint64_t moves, edges;
    cw_u64map parent; /* tainted movement -> movement that brought taint to its sender */
};

/* One denomination of one mixer pool: notes outstanding, and how many of them are tainted
 * (fractional: a note may be partly tainted). */
typedef struct note_pool {
    uint32_t account, asset;
    cw_u256 denom;
    double all, tainted;
    double deposited; /* tainted notes deposited (fractional) */
    uint32_t linked;  /* withdrawals linked so far */
    uint32_t hop;
    uint64_t via;
    /* at most this many notes outstanding may be someone else's: what the pool held at open
     * (0 when its contract held nothing), plus every deposit not wholly tainted (certain or
     * strongly linked); 0 again when the contract's balance falls to zero. 0 with tainted
     * notes outstanding: every note is traced (CW_ACCT_EV_ONLY_TAINTED) */
    double others;
} note_pool;

/* Evidence met by a withdrawal's recipient in pass 1 (CW_ACCT_EV_FUNDED, CW_ACCT_EV_GATHER):
 * the withdrawal movement, the movement and account that showed it. */
typedef struct met_ev {
    uint64_t w, move;
    uint32_t account;
    uint8_t bits;
} met_ev;

/* Pass 1: a payment by a followed recipient (or who it paid) into an account that is no stop. */
typedef struct gather_pay {
    uint32_t account, asset;
    uint64_t w, move;
    cw_u256 amount;
} gather_pay;

/* A mixer contract's running balance of one asset (full_history sources only): from its
 * balance before movement `upto`, then every movement from `upto` on. */
typedef struct pool_bal {
    uint32_t account, asset;
    cw_u256 bal;
    uint64_t upto;
} pool_bal;

typedef struct tracer {
    const cw_acct_source *src;
    cw_acct_opts o;
    cw_acct_result *r;
    pair *pairs;
    size_t n_pairs, cap_pairs;
    cw_u64map pair_ix; /* account << 32 | asset -> pair index */
    cw_u64map end_ix;  /* stop ends: account << 32 | asset -> end index */
    size_t live;       /* pairs holding taint */
    note_pool *pools;
    size_t n_pools, cap_pools;
    pool_bal *pbal;
    size_t n_pbal, cap_pbal;
    cw_u64map pbal_ix; /* account << 32 | asset -> index in pbal */
    /* convergence (through mixers): pass 1 follows the recipients of unlinked withdrawals of
     * tainted pools a few hops (shadow: account -> withdrawal movement << 8 | hop) and notes
     * where they pay a personal stop (conv: stop account, withdrawal); pass 2 links the
     * withdrawals whose shadow met a stop that direct (not probable) taint reached */
    bool shadow_on;
    cw_u64map shadow;
    cw_u64map direct_stop; /* stop accounts reached by direct taint -> 1 */
    uint64_t *conv;        /* pairs: stop account, withdrawal movement */
    size_t n_conv, cap_conv;
    /* the same for bridge destinations (source.dest keys): those direct taint was bridged to,
     * and pairs (destination, withdrawal) where a shadow bridged */
    cw_u64map direct_dest;
    uint64_t *dconv;
    size_t n_dconv, cap_dconv;
    cw_u64map forced; /* pass 2: withdrawal movement -> its pool (account << 32 | asset) */
    uint64_t *flist;  /* the same as pairs, for counting those ahead */
    size_t n_forced, cap_flist;
    /* leads (kept across sweeps): withdrawal movement -> index in leads, the first stop its
     * shadow paid */
    cw_u64map lead_ix;
    cw_acct_mixlink *leads; /* only the lead_* fields are used */
    size_t n_leads, cap_leads;
    /* recipient evidence (pass 1 of each sweep): gas funding and consolidation met, and the
     * payments of followed accounts into accounts that are no stop */
    met_ev *met;
    size_t n_met, cap_met;
    gather_pay *gpay;
    size_t n_gpay, cap_gpay;
    /* kept across sweeps: forced withdrawal movement -> index in fevs (its evidence) */
    cw_u64map fev_ix;
    met_ev *fevs;
    size_t n_fevs, cap_fevs;
    /* accounts judged (CW_ACCT_THIRD_*) since they first kept taint: account -> the first
     * movement of that tx << 16 | a third party's own account << 15 | payers << 8 | payees
     * before it; and (account, asset) pairs whose own funds were weighed */
    cw_u64map third, third_asset;
} tracer;

#define SHADOW_HOPS 3
#define MAX_SWEEPS 3

static uint64_t key(uint32_t account, uint32_t asset)
{
    return (uint64_t)account << 32 | asset;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 16;
    while (c < need)
        c *= 2;
    void *x = realloc(*p, c * size);
    if (!x)
        return cw_error_set(CW_ENOMEM, "out of memory tracing");
    *p = x;
    *cap = c;
    return 0;
}

static int asset_slot(cw_acct_result *r, uint32_t asset)
{
    if (asset < r->n_assets)
        return 0;
    size_t n = (size_t)asset + 1;
    cw_u256 **arrs[4] = {&r->sourced, &r->fees, &r->dust, &r->burnt};
    for (int i = 0; i < 4; i++) {
        cw_u256 *x = realloc(*arrs[i], n * sizeof *x);
        if (!x)
            return cw_error_set(CW_ENOMEM, "out of memory tracing");
        memset(x + r->n_assets, 0, (n - r->n_assets) * sizeof *x);
        *arrs[i] = x;
    }
    r->n_assets = n;
    return 0;
}

static pair *find_pair(tracer *t, uint32_t account, uint32_t asset)
{
    uint64_t ix;
    if (account == CW_ACCT_NONE || !cw_u64map_get(&t->pair_ix, key(account, asset), &ix))
        return NULL;
    return &t->pairs[ix];
}

static int push_lot(pair *p, cw_u256 amount, bool tainted, uint64_t via, uint32_t hop,
                    uint8_t probable, uint32_t through)
{
    if (cw_u256_is_zero(&amount))
        return 0;
    lot *last = p->n > p->head ? &p->lots[p->n - 1] : NULL;
    if (last && !tainted && !last->tainted) {
        last->amount = add(last->amount, amount); /* clean lots merge */
        return 0;
    }
    if (p->head > 0 && p->head == p->n)
        p->head = p->n = 0;
    if (p->head > 64 && p->head * 2 > p->n) {
        memmove(p->lots, p->lots + p->head, (p->n - p->head) * sizeof *p->lots);
        p->n -= p->head;
        p->head = 0;
    }
    int rc = grow((void **)&p->lots, &p->cap, p->n + 1, sizeof *p->lots);
    if (rc)
        return rc;
    p->lots[p->n++] = (lot){amount, via, hop, through, tainted, probable};
    return 0;
}

/* Opens (account, asset) with what the account held just before movement `before`. */
static int open_pair(tracer *t, uint32_t account, uint32_t asset, uint64_t before, pair **out)
{
    pair *p = find_pair(t, account, asset);
    if (p) {
        *out = p;
        return 0;
    }
    cw_u256 bal = ZERO;
    int rc;
    if (t->src->balance && (rc = t->src->balance(t->src->ctx, account, asset, before, &bal)))
        return rc;
    if ((rc = grow((void **)&t->pairs, &t->cap_pairs, t->n_pairs + 1, sizeof *t->pairs)) ||
        (rc = cw_u64map_set(&t->pair_ix, key(account, asset), t->n_pairs)))
        return rc;
    p = &t->pairs[t->n_pairs++];
    memset(p, 0, sizeof *p);
    p->account = account;
    p->asset = asset;
    p->first_via = CW_ACCT_NONE64;
    p->hop = UINT32_MAX;
    p->through = CW_ACCT_NONE;
    p->total = bal;
    p->clean_got = bal;
    if ((rc = push_lot(p, bal, false, 0, 0, false, CW_ACCT_NONE)))
        return rc;
    *out = p;
    return 0;
}

static void set_live(tracer *t, pair *p)
{
    bool now = !cw_u256_is_zero(&p->tainted);
    if (now && !p->live)
        t->live++;
    else if (!now && p->live)
        t->live--;
    p->live = now;
}

/* What a movement of v out of p carries: taint x, its hops, the movement that brought it. */
typedef struct carried {
    cw_u256 x;
    uint32_t hop;
    uint64_t via;
    uint8_t probable; /* PROB_* bits */
    uint32_t through; /* the first third party's own account it came through, or NONE */
} carried;

/* The account was judged a third party's own account when it first kept taint. */
static bool is_third(const tracer *t, uint32_t account)
{
    uint64_t v;
    return account != CW_ACCT_NONE && cw_u64map_get(&t->third, account, &v) && (v >> 15 & 1);
}

static carried take(tracer *t, pair *p, cw_u256 v)
{
    carried c = {ZERO, UINT32_MAX, CW_ACCT_NONE64, false, CW_ACCT_NONE};
    if (!p)
        return c;
    switch (t->o.model) {
    case CW_ACCT_POISON:
        if (!cw_u256_is_zero(&p->tainted))
            c.x = v;
        p->total = sub(p->total, v);
        break;
    case CW_ACCT_HAIRCUT:
        if (!lt(&v, &p->total)) {
            c.x = p->tainted;
            p->total = ZERO;
        } else {
            c.x = cw_u256_muldiv(&p->tainted, &v, &p->total);
            p->total = sub(p->total, v);
        }
        p->tainted = sub(p->tainted, c.x);
        break;
    case CW_ACCT_FIFO: {
        cw_u256 need = v;
        while (!cw_u256_is_zero(&need) && p->head < p->n) {
            lot *l = &p->lots[p->head];
            cw_u256 part = min_u(l->amount, need);
            if (l->tainted) {
                c.x = add(c.x, part);
                if (c.via == CW_ACCT_NONE64)
                    c.via = l->via;
                if (l->hop < c.hop)
                    c.hop = l->hop;
                c.probable |= l->probable;
                if (c.through == CW_ACCT_NONE)
                    c.through = l->through;
            }
            l->amount = sub(l->amount, part);
            need = sub(need, part);
            if (cw_u256_is_zero(&l->amount))
                p->head++;
        }
        p->total = sub(p->total, v);
        p->tainted = sub(p->tainted, c.x);
        break;
    }
    }
    if (t->o.model != CW_ACCT_FIFO && !cw_u256_is_zero(&c.x)) {
        c.hop = p->hop;
        c.via = p->first_via;
        c.probable = p->probable;
        c.through = p->through;
    }
    /* what a third party's own account pays on is probable, through it */
    if (!cw_u256_is_zero(&c.x) && c.through == CW_ACCT_NONE && is_third(t, p->account))
        c.through = p->account;
    if (c.through != CW_ACCT_NONE && !cw_u256_is_zero(&c.x))
        c.probable |= PROB_THIRD;
    set_live(t, p);
    return c;
}

/* Adds v (x of it tainted) to p. */
static int give(tracer *t, pair *p, cw_u256 v, const carried *c, uint64_t move)
{
    int rc;
    cw_u256 clean = sub(v, c->x);
    p->total = add(p->total, v);
    p->clean_got = add(p->clean_got, clean);
    p->taint_got = add(p->taint_got, c->x);
    if (t->o.model == CW_ACCT_FIFO) {
        /* taint first within the movement: it is one payment, the order inside is moot */
        if ((rc = push_lot(p, c->x, true, move, c->hop + 1, c->probable, c->through)) ||
            (rc = push_lot(p, clean, false, 0, 0, false, CW_ACCT_NONE)))
            return rc;
    }
    if (!cw_u256_is_zero(&c->x)) {
        p->tainted = add(p->tainted, c->x);
        if (p->first_via == CW_ACCT_NONE64)
            p->first_via = move;
        if (c->hop + 1 < p->hop)
            p->hop = c->hop + 1;
        p->probable |= c->probable;
        if (p->through == CW_ACCT_NONE)
            p->through = c->through;
    }
    set_live(t, p);
    return 0;
}

/* Marks the newest t of p (received in this tx) as tainted: a conversion's output. */
static int taint_tail(tracer *t, pair *p, cw_u256 x, uint64_t via, uint32_t hop, uint8_t probable,
                      uint32_t through)
{
    x = min_u(x, sub(p->total, p->tainted));
    if (cw_u256_is_zero(&x))
        return 0;
    if (t->o.model == CW_ACCT_FIFO) {
        cw_u256 need = x;
        /* take it off the clean tail lots, then push it back as one tainted lot */
        while (!cw_u256_is_zero(&need) && p->n > p->head) {
            lot *l = &p->lots[p->n - 1];
            if (l->tainted)
                break;
            cw_u256 part = min_u(l->amount, need);
            l->amount = sub(l->amount, part);
            need = sub(need, part);
            if (cw_u256_is_zero(&l->amount))
                p->n--;
        }
        x = sub(x, need);
        int rc = grow((void **)&p->lots, &p->cap, p->n + 1, sizeof *p->lots);
        if (rc)
            return rc;
        if (!cw_u256_is_zero(&x))
            p->lots[p->n++] = (lot){x, via, hop, through, 1, probable};
    }
    p->tainted = add(p->tainted, x);
    p->taint_got = add(p->taint_got, x);
    p->conv_got = add(p->conv_got, x);
    if (p->first_via == CW_ACCT_NONE64)
        p->first_via = via;
    if (hop < p->hop)
        p->hop = hop;
    p->probable |= probable;
    if (p->through == CW_ACCT_NONE)
        p->through = through;
    set_live(t, p);
    return 0;
}

static int end_add(tracer *t, uint32_t account, uint32_t asset, int stop, const carried *c,
                   uint64_t move)
{
    uint64_t ix;
    cw_acct_result *r = t->r;
    if (!cw_u64map_get(&t->end_ix, key(account, asset), &ix)) {
        int rc = grow((void **)&r->ends, &r->cap_ends, r->n_ends + 1, sizeof *r->ends);
        if (rc || (rc = cw_u64map_set(&t->end_ix, key(account, asset), r->n_ends)))
            return rc;
        ix = r->n_ends++;
        r->ends[ix] = (cw_acct_end){account,    asset, stop,  ZERO, move,  0,
                                    UINT32_MAX, false, false, 0,    false, CW_ACCT_NONE};
    }
    cw_acct_end *e = &r->ends[ix];
    e->amount = add(e->amount, c->x);
    e->n_moves++;
    if (stop != CW_ACCT_STOP_NONE) {
        int rc = grow((void **)&r->arr, &r->cap_arr, r->n_arr + 1, sizeof *r->arr);
        if (rc)
            return rc;
        r->arr[r->n_arr++] =
            (cw_acct_arrival){account, asset, move, c->x, c->probable != 0, c->through};
    }
    if (c->hop + 1 < e->hops)
        e->hops = c->hop + 1;
    if (e->through == CW_ACCT_NONE && !cw_u256_is_zero(&c->x))
        e->through = c->through;
    e->probable |= c->probable != 0;
    e->candidate |= (c->probable & PROB_CAND_BIT) != 0;
    if (stop == CW_ACCT_STOP_EXCHANGE && !(c->probable & PROB_WEAK_BIT) && !cw_u256_is_zero(&c->x))
        return cw_u64map_set(&t->direct_stop, account, 1);
    return 0;
}

/* ---- one transaction ---- */

typedef struct net {
    uint32_t account, asset;
    cw_u256 in, out;      /* non-fee amounts gained and given up */
    cw_u256 t_out, v_out; /* taint carried by and amount of its out-movements (given-up assets) */
    cw_u256 pg_t, pg_v;   /* the same, of an account that only gives up, into venues */
    bool pg_done;
    bool item; /* an NFT collection: counted by items, indivisible */
    uint32_t hop;
    uint64_t via;
    uint8_t probable;
    uint32_t through; /* the first third party's own account its taint came through */
} net;

typedef struct group {
    cw_acct_move *m;
    size_t n, cap;
    net *nets;
    size_t n_nets, cap_nets;
} group;

static net *net_of(group *g, uint32_t account, uint32_t asset)
{
    for (size_t i = 0; i < g->n_nets; i++)
        if (g->nets[i].account == account && g->nets[i].asset == asset)
            return &g->nets[i];
    if (grow((void **)&g->nets, &g->cap_nets, g->n_nets + 1, sizeof *g->nets))
        return NULL;
    net *n = &g->nets[g->n_nets++];
    memset(n, 0, sizeof *n);
    n->account = account;
    n->asset = asset;
    n->hop = UINT32_MAX;
    n->via = CW_ACCT_NONE64;
    n->through = CW_ACCT_NONE;
    return n;
}

/* The account whose side of a movement this is: mints and burns are the token contract's. */
static uint32_t side(const tracer *t, uint32_t account, uint32_t asset)
{
    if (account != CW_ACCT_NONE || !t->src->asset_account)
        return account;
    return t->src->asset_account(t->src->ctx, asset);
}

static bool gives_up(const net *n)
{
    return lt(&n->in, &n->out);
}
static bool gains(const net *n)
{
    return lt(&n->out, &n->in);
}

/* A converter gives up one asset and gains another in this tx. */
static bool converter(const group *g, uint32_t account)
{
    bool up = false, gain = false;
    for (size_t i = 0; i < g->n_nets; i++) {
        if (g->nets[i].account != account)
            continue;
        up |= gives_up(&g->nets[i]);
        gain |= gains(&g->nets[i]);
    }
    return up && gain;
}

static note_pool *pool_find(tracer *t, uint32_t account, uint32_t asset, const cw_u256 *denom)
{
    for (size_t i = 0; i < t->n_pools; i++)
        if (t->pools[i].account == account && t->pools[i].asset == asset &&
            cw_u256_cmp(&t->pools[i].denom, denom) == 0)
            return &t->pools[i];
    return NULL;
}

/* The pool of a deposit into mixer `account`, opened with the notes the pool's balance holds. */
static int pool_open(tracer *t, uint32_t account, uint32_t asset, const cw_u256 *denom,
                     uint64_t before, note_pool **out)
{
    note_pool *p = pool_find(t, account, asset, denom);
    uint64_t had;
    if (!p) {
        cw_u256 bal = ZERO;
        int rc;
        if (t->src->balance && (rc = t->src->balance(t->src->ctx, account, asset, before, &bal)))
            return rc;
        if ((rc = grow((void **)&t->pools, &t->cap_pools, t->n_pools + 1, sizeof *t->pools)))
            return rc;
        p = &t->pools[t->n_pools++];
        double d = cw_u256_to_double(denom);
        *p = (note_pool){.account = account,
                         .asset = asset,
                         .denom = *denom,
                         .all = d > 0 ? (double)(uint64_t)(cw_u256_to_double(&bal) / d) : 0,
                         .hop = UINT32_MAX,
                         .via = CW_ACCT_NONE64};
        /* someone else's notes, at most: the whole balance in this denomination, rounded up
         * (a contract of several denominations overcounts: the safe side) */
        p->others = d > 0 && !cw_u256_is_zero(&bal)
                        ? (double)(uint64_t)(cw_u256_to_double(&bal) / d) + 1
                        : 0;
        /* the anonymity set: the notes of this denomination, when the history says so (never
         * more than the balance holds); someone else's stays bounded by the whole balance, since
         * a contract may let notes of one size come out as another */
        uint64_t nn;
        if (t->src->notes && t->src->full_history &&
            (rc = t->src->notes(t->src->ctx, account, asset, denom, before, &nn)))
            return rc;
        if (t->src->notes && t->src->full_history && (double)nn < p->all)
            p->all = (double)nn;
        if (t->src->full_history && !cw_u64map_get(&t->pbal_ix, key(account, asset), &had)) {
            if ((rc = grow((void **)&t->pbal, &t->cap_pbal, t->n_pbal + 1, sizeof *t->pbal)) ||
                (rc = cw_u64map_set(&t->pbal_ix, key(account, asset), t->n_pbal)))
                return rc;
            t->pbal[t->n_pbal++] = (pool_bal){account, asset, bal, before};
        }
    }
    *out = p;
    return 0;
}

/* The account holds taint known directly or through strong evidence (never only through a
 * judgement: a relayer that a weak link reached is no thief). */
static bool holds_taint(tracer *t, uint32_t account)
{
    if (account == CW_ACCT_NONE)
        return false;
    for (size_t i = 0; i < t->n_pairs; i++) /* few pairs per account: a scan of live ones */
        if (t->pairs[i].account == account && t->pairs[i].live &&
            !(t->pairs[i].probable & PROB_WEAK_BIT))
            return true;
    return false;
}

/* The account's history is its own or the thief's: nothing of it was seen before `before`, or
 * before the first taint it got, and it never held anything but taint known directly or
 * through strong evidence (clean value at most 1 % of the taint it got: dust). A service the thief
 * also paid (an OTC desk, a merchant, a shared deposit address) has a history of other people's
 * funds and fails this: convergence never goes through it. */
static bool own_history(tracer *t, uint32_t account, uint64_t before)
{
    if (!t->src->fresh || account == CW_ACCT_NONE)
        return false;
    uint64_t first = before, ix;
    for (uint32_t a = 0; a < t->r->n_assets; a++) {
        if (!cw_u64map_get(&t->pair_ix, key(account, a), &ix))
            continue;
        const pair *p = &t->pairs[ix];
        cw_u256 hundred, one, c100;
        cw_u256_from_u64(&hundred, 100);
        cw_u256_from_u64(&one, 1);
        c100 = cw_u256_muldiv(&p->clean_got, &hundred, &one);
        if (lt(&p->taint_got, &c100) || (p->probable & PROB_WEAK_BIT))
            return false;
        if (p->first_via < first)
            first = p->first_via;
    }
    return t->src->fresh(t->src->ctx, account, first);
}

/* A shadow (pass 1) that only looks for a lead: its account has a history of others' funds. */
#define SHADOW_LEAD_ONLY 0x80u
#define SHADOW_HOP_MASK 0x7fu

/* A lead: the first stop the shadow of withdrawal w paid (kept across sweeps). */
static int lead_note(tracer *t, uint64_t w, const cw_acct_move *m, int stop)
{
    uint64_t had;
    if (cw_u64map_get(&t->lead_ix, w, &had))
        return 0;
    int rc = grow((void **)&t->leads, &t->cap_leads, t->n_leads + 1, sizeof *t->leads);
    if (rc || (rc = cw_u64map_set(&t->lead_ix, w, t->n_leads)))
        return rc;
    cw_acct_mixlink *l = &t->leads[t->n_leads++];
    memset(l, 0, sizeof *l);
    l->lead_account = m->to;
    l->lead_stop = stop;
    l->lead_move = m->id;
    l->lead_asset = m->asset;
    l->lead_amount = m->amount;
    return 0;
}

/* The recipient already held traced funds (certain or strongly linked) and its whole history is
 * the thief's (an address match: the thief's own address); *via: the movement that first
 * brought it taint. */
static bool held_by_thief(tracer *t, uint32_t account, uint64_t before, uint64_t *via)
{
    if (account == CW_ACCT_NONE)
        return false;
    uint64_t ix;
    bool any = false;
    for (uint32_t a = 0; a < t->r->n_assets && !any; a++)
        if (cw_u64map_get(&t->pair_ix, key(account, a), &ix) &&
            !cw_u256_is_zero(&t->pairs[ix].taint_got) && !(t->pairs[ix].probable & PROB_WEAK_BIT)) {
            any = true;
            *via = t->pairs[ix].first_via;
        }
    return any && own_history(t, account, before);
}

/* The payer of m is the thief's: in the asset it pays, it holds taint known directly or through
 * strong evidence, everything else it got in that asset is dust beside it (at most 1 %; a
 * conversion's tainted output is not someone else's), and it was fresh before its first taint. Its
 * other assets do not count (a swap judged probable makes no one else's address of it). */
static bool thief_payer(tracer *t, const cw_acct_move *m)
{
    const pair *p = find_pair(t, m->from, m->asset);
    if (!p || !t->src->fresh || !p->live || (p->probable & PROB_WEAK_BIT))
        return false;
    cw_u256 hundred, one;
    cw_u256_from_u64(&hundred, 100);
    cw_u256_from_u64(&one, 1);
    cw_u256 clean = sub(p->clean_got, p->conv_got), c100 = cw_u256_muldiv(&clean, &hundred, &one);
    return !lt(&p->taint_got, &c100) && t->src->fresh(t->src->ctx, m->from, p->first_via);
}

/* The taint x arriving at p (what it got before included) is at most 1 % of the clean value p
 * got (a conversion's output aside): dust beside its own funds (dusted_payer: nothing arriving). */
static bool dust_beside(const pair *p, const cw_u256 *x)
{
    cw_u256 hundred, one;
    cw_u256_from_u64(&hundred, 100);
    cw_u256_from_u64(&one, 1);
    cw_u256 got = add(p->taint_got, *x), clean = sub(p->clean_got, p->conv_got),
            t100 = cw_u256_muldiv(&got, &hundred, &one);
    return !cw_u256_is_zero(&got) && !lt(&clean, &t100);
}

/* The payer holds its own funds with the taint it got as dust beside them: the taint it ever got
 * in this asset is at most 1 % of the clean value it got (a conversion's output aside), as when the
 * thief dusts an honest account or poisons its history. What it pays on is its own. */
static bool dusted_payer(const pair *p)
{
    cw_u256 none = ZERO;
    return p && dust_beside(p, &none);
}

static int met_add(tracer *t, uint64_t w, uint64_t move, uint32_t account, uint8_t bits)
{
    int rc = grow((void **)&t->met, &t->cap_met, t->n_met + 1, sizeof *t->met);
    if (rc)
        return rc;
    t->met[t->n_met++] = (met_ev){w, move, account, bits};
    return 0;
}

/* Convergence links still ahead (pass 2) for pool p after movement id. */
static size_t forced_ahead(const tracer *t, const note_pool *p, uint64_t id)
{
    size_t k = 0;
    for (size_t i = 0; i < t->n_forced; i++)
        k += t->flist[2 * i] > id && t->flist[2 * i + 1] == key(p->account, p->asset);
    return k;
}

/* Pass 1: a movement sent by an account the shadow follows (a withdrawal's recipient, or who
 * it paid, by its own transactions: a pool paying out in someone's swap is not followed). */
static int shadow_move(tracer *t, const cw_acct_move *m, int stop)
{
    uint64_t v;
    int rc;
    if (m->fee || m->from == CW_ACCT_NONE || m->to == CW_ACCT_NONE || m->tx_from != m->from)
        return 0;
    /* gas funding: an account holding traced funds of its own history (the thief's) pays a
     * followed recipient itself (who the recipient paid on is judged as a consolidation) */
    if (!stop && cw_u64map_get(&t->shadow, m->to, &v) && !(v & SHADOW_LEAD_ONLY) &&
        (v & SHADOW_HOP_MASK) == 0 && thief_payer(t, m) &&
        (rc = met_add(t, v >> 8, m->id, m->from, CW_ACCT_EV_FUNDED)))
        return rc;
    if (!cw_u64map_get(&t->shadow, m->from, &v))
        return 0;
    if (stop && (rc = lead_note(t, v >> 8, m, stop)))
        return rc;
    if (v & SHADOW_LEAD_ONLY)
        return 0;
    uint64_t dk;
    if (stop == CW_ACCT_STOP_BRIDGE && t->src->dest && (dk = t->src->dest(t->src->ctx, m->tx))) {
        /* bridged to a destination on another chain: converges if direct taint went there */
        if ((rc = grow((void **)&t->dconv, &t->cap_dconv, 2 * t->n_dconv + 2, sizeof *t->dconv)))
            return rc;
        t->dconv[2 * t->n_dconv] = dk;
        t->dconv[2 * t->n_dconv + 1] = v >> 8;
        t->n_dconv++;
        return 0;
    }
    if (stop == CW_ACCT_STOP_EXCHANGE) {
        if (!t->src->personal || !t->src->personal(t->src->ctx, m->to))
            return 0;
        rc = grow((void **)&t->conv, &t->cap_conv, 2 * t->n_conv + 2, sizeof *t->conv);
        if (rc)
            return rc;
        t->conv[2 * t->n_conv] = m->to;
        t->conv[2 * t->n_conv + 1] = v >> 8;
        t->n_conv++;
        return 0;
    }
    /* every payment into an account that is no stop: a consolidation, judged after the sweep */
    if (!stop) {
        if ((rc = grow((void **)&t->gpay, &t->cap_gpay, t->n_gpay + 1, sizeof *t->gpay)))
            return rc;
        t->gpay[t->n_gpay++] = (gather_pay){m->to, m->asset, v >> 8, m->id, m->amount};
    }
    /* paying an account that holds stolen funds and whose whole history is the thief's (the
     * thief's own; dust aside): that account meets direct taint here (an honest payee, or a
     * service the thief paid, holds or held others' funds too) */
    const pair *q = stop ? NULL : find_pair(t, m->to, m->asset);
    if (q && !(q->probable & PROB_WEAK_BIT) && !cw_u256_is_zero(&q->tainted) &&
        own_history(t, m->to, m->id)) {
        rc = grow((void **)&t->conv, &t->cap_conv, 2 * t->n_conv + 2, sizeof *t->conv);
        if (rc)
            return rc;
        t->conv[2 * t->n_conv] = CW_ACCT_NONE64; /* met: no stop to confirm */
        t->conv[2 * t->n_conv + 1] = v >> 8;
        t->n_conv++;
        return 0;
    }
    uint64_t had;
    /* on only into an account of the recipient's or the thief's own (a fresh one) */
    if (stop || (v & SHADOW_HOP_MASK) + 1 >= SHADOW_HOPS ||
        cw_u64map_get(&t->shadow, m->to, &had) || !own_history(t, m->to, m->id))
        return 0;
    return cw_u64map_set(&t->shadow, m->to, v + 1);
}

static bool is_source(const uint64_t *src, size_t n, uint64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (src[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && src[lo] == id;
}

/* Judges `account` when it keeps taint (x of `asset`, in tx g): a third party's own account
 * (CW_ACCT_THIRD_*) when, before the tx in which it first kept taint, it had been paid by
 * CW_ACCT_THIRD_PAYERS distinct accounts and had paid CW_ACCT_THIRD_PAYEES, or had been paid by
 * and had paid CW_ACCT_THIRD_OWN_MIN each, or had been paid by CW_ACCT_THIRD_PAYERS and had paid
 * any (stop 27: a merchant that has paid no one yet), and held more of the asset then than the x
 * arriving (own funds beside which the stolen value is the smaller part). History is counted before
 * the first material taint at most (dust beside its own funds, dust_beside, that does not make it a
 * third party's is judged again at the next): what the thief's own hop does with the loot builds
 * it none (a fresh hop has no funds of its own: its first taint is material), and the thief's
 * dust to a young account does not freeze it young. An account that
 * does not gain the asset in the tx (conv: nets read) passes it on there, as a router does: it
 * is judged where it keeps some. */
static int judge_third(tracer *t, const group *g, bool conv, uint32_t account, uint32_t asset,
                       const cw_u256 *x, const pair *p)
{
    uint64_t v, one;
    if (!t->src->history || account == CW_ACCT_NONE ||
        (cw_u64map_get(&t->third, account, &v) && (v >> 15 & 1)) ||
        cw_u64map_get(&t->third_asset, key(account, asset), &one))
        return 0;
    if (conv) {
        bool gain = false;
        for (size_t i = 0; i < g->n_nets; i++)
            if (g->nets[i].account == account && g->nets[i].asset == asset)
                gain = gains(&g->nets[i]);
        if (!gain)
            return 0;
    }
    int rc;
    bool anchor = !cw_u64map_get(&t->third, account, &v), weighed = false;
    if (anchor) {
        uint32_t payers = 0, payees = 0,
                 cap = CW_ACCT_THIRD_PAYERS > CW_ACCT_THIRD_PAYEES ? CW_ACCT_THIRD_PAYERS
                                                                   : CW_ACCT_THIRD_PAYEES;
        if ((rc = t->src->history(t->src->ctx, account, g->m[0].id, cap, &payers, &payees)))
            return rc;
        bool third = payers >= CW_ACCT_THIRD_PAYERS && payees >= CW_ACCT_THIRD_PAYEES;
        v = g->m[0].id << 16 | (uint64_t)third << 15 | (uint64_t)(payers & 0x7f) << 8 |
            (payees & 0xff);
    }
    uint32_t payers = (uint32_t)(v >> 8 & 0x7f), payees = (uint32_t)(v & 0xff);
    /* own funds weighed after 2 payers and 2 payees, or after CW_ACCT_THIRD_PAYERS payers and
     * any payees (a merchant that collected from its customers and has paid no one yet) */
    bool weigh = (payers >= CW_ACCT_THIRD_OWN_MIN && payees >= CW_ACCT_THIRD_OWN_MIN) ||
                 payers >= CW_ACCT_THIRD_PAYERS;
    if (!(v >> 15 & 1) && weigh && t->src->balance) {
        cw_u256 own = ZERO;
        if ((rc = t->src->balance(t->src->ctx, account, asset, v >> 16, &own)))
            return rc;
        weighed = true;
        if (lt(x, &own))
            v |= 1ull << 15;
    }
    /* dust beside its own funds that does not make it a third party's anchors nothing: the
     * thief dusting a young account cannot freeze the history it is judged by (judged again at
     * the next taint, up to its first material one) */
    if (anchor && !(v >> 15 & 1) && p && dust_beside(p, x))
        return 0;
    if (weighed && (rc = cw_u64map_set(&t->third_asset, key(account, asset), 1)))
        return rc;
    return cw_u64map_set(&t->third, account, v);
}

/* A venue of a swap in this tx: a converter that gains `asset`. */
static bool swap_venue(const group *g, uint32_t asset)
{
    for (size_t i = 0; i < g->n_nets; i++)
        if (g->nets[i].asset == asset && g->nets[i].account != CW_ACCT_NONE && gains(&g->nets[i]) &&
            converter(g, g->nets[i].account))
            return true;
    return false;
}

/* A bridge stop `via` that keeps none of `asset` in a tx with no memo and no deposit event,
 * where exactly one other account, a bridge stop too, gains it (a router filed as a bridge in
 * front of a bridge that records the deposit with no event): the deposit ends there, not at
 * `via`. */
static bool silent_pass(const tracer *t, group *g, uint32_t via, uint32_t asset)
{
    const net *b = net_of(g, via, asset);
    if (!b || gains(b))
        return false;
    uint32_t found = CW_ACCT_NONE;
    for (size_t i = 0; i < g->n_nets; i++) {
        const net *e = &g->nets[i];
        if (e->asset != asset || e->account == via || e->account == CW_ACCT_NONE || !gains(e) ||
            t->src->stop(t->src->ctx, e->account) != CW_ACCT_STOP_BRIDGE)
            continue;
        if (found != CW_ACCT_NONE)
            return false;
        found = e->account;
    }
    return found != CW_ACCT_NONE;
}

/* Whether `from` pays `to` some `asset` directly in this tx. */
static bool pays(const tracer *t, const group *g, uint32_t from, uint32_t to, uint32_t asset)
{
    for (size_t i = 0; i < g->n; i++) {
        const cw_acct_move *m = &g->m[i];
        if (!m->fee && m->asset == asset && side(t, m->from, asset) == from &&
            side(t, m->to, asset) == to)
            return true;
    }
    return false;
}

/* The one account that gave up `asset` in this tx and paid it to `pass` (an account whose net
 * in it is nothing, such as a router holding a swap's input on its way to the pool), or
 * CW_ACCT_NONE (none, or several: which one's taint went on is not known); a venue paying
 * `pass` some of what it gains is none of them. */
static uint32_t upstream_giver(const tracer *t, group *g, uint32_t pass, uint32_t asset)
{
    uint32_t found = CW_ACCT_NONE;
    for (size_t i = 0; i < g->n; i++) {
        const cw_acct_move *m = &g->m[i];
        if (m->fee || m->asset != asset || side(t, m->to, asset) != pass)
            continue;
        uint32_t from = side(t, m->from, asset);
        if (from == CW_ACCT_NONE || from == found)
            continue;
        const net *a = net_of(g, from, asset);
        /* a venue that gains this asset paying some back (a wrapped-token contract unwrapping
         * a round trip's output) gave up none of it: no giver */
        if (a && gains(a) && converter(g, from))
            continue;
        if (!a || !gives_up(a) || converter(g, from) || found != CW_ACCT_NONE)
            return CW_ACCT_NONE;
        found = from;
    }
    return found;
}

/* A gainer of a swap that paid it: it gains an asset other than `given` and gives up nothing. */
static bool pure_gainer(const group *g, const net *b, uint32_t given)
{
    return b->asset != given && b->account != CW_ACCT_NONE && gains(b) && !converter(g, b->account);
}

/* The output side of a conversion: giver gave up asset `from` (carrying t_in of taint), and
 * b's account gained b's asset, c->x of it tainted. Recorded as a conversion, then held by the
 * gainer as its newest lot (or ended at a stop). */
static int convert_out(tracer *t, const group *g, uint32_t giver, uint32_t from, const net *b,
                       const cw_u256 *t_in, const carried *c, uint64_t after)
{
    cw_acct_result *r = t->r;
    int rc;
    cw_u256 gained = sub(b->in, b->out);
    if (cw_u256_is_zero(&c->x))
        return 0;
    if (!b->item && lt(&c->x, &t->o.min_amount)) {
        if ((rc = asset_slot(r, b->asset)))
            return rc;
        r->dust[b->asset] = add(r->dust[b->asset], c->x);
        return 0;
    }
    if ((rc = grow((void **)&r->convs, &r->cap_convs, r->n_convs + 1, sizeof *r->convs)))
        return rc;
    uint32_t venue = CW_ACCT_NONE;
    for (size_t k = 0; k < g->n_nets && venue == CW_ACCT_NONE; k++)
        if (g->nets[k].asset == from && g->nets[k].account != giver && gains(&g->nets[k]) &&
            converter(g, g->nets[k].account))
            venue = g->nets[k].account;
    r->convs[r->n_convs++] =
        (cw_acct_conv){g->m[0].tx,       giver,     venue, from, b->asset, *t_in, gained, c->x,
                       c->probable != 0, b->account};
    if (b->account == CW_ACCT_NONE)
        return 0;
    int stop = t->src->stop ? t->src->stop(t->src->ctx, b->account) : 0;
    if (stop)
        return end_add(t, b->account, b->asset, stop, c, c->via);
    /* a swap paying another account: the payee keeps it (the trader's own side was judged
     * when it got the taint it swapped) */
    pair *q;
    if ((rc = open_pair(t, b->account, b->asset, after, &q)))
        return rc;
    if (b->account != giver && (rc = judge_third(t, g, true, b->account, b->asset, &c->x, q)))
        return rc;
    /* items are not given to pairs as they move (no taint of their own; a source's balances
     * may leave them out): the ones gained here are, before they take the taint */
    carried clean = {ZERO, 0, CW_ACCT_NONE64, false, CW_ACCT_NONE};
    if (b->item && (rc = give(t, q, c->x, &clean, after - 1)))
        return rc;
    return taint_tail(t, q, c->x, c->via, c->hop == UINT32_MAX ? 0 : c->hop, c->probable,
                      c->through);
}

/* The running balances of the mixer contracts after tx g; a contract left holding nothing
 * holds no note: no one else's, and none of the thief's still to withdraw. */
static void pbal_update(tracer *t, const group *g)
{
    uint64_t ix;
    for (size_t i = 0; i < g->n; i++) {
        const cw_acct_move *m = &g->m[i];
        if (m->item)
            continue;
        if (m->from != CW_ACCT_NONE && cw_u64map_get(&t->pbal_ix, key(m->from, m->asset), &ix) &&
            m->id >= t->pbal[ix].upto)
            t->pbal[ix].bal = sub(t->pbal[ix].bal, m->amount);
        if (m->to != CW_ACCT_NONE && cw_u64map_get(&t->pbal_ix, key(m->to, m->asset), &ix) &&
            m->id >= t->pbal[ix].upto)
            t->pbal[ix].bal = add(t->pbal[ix].bal, m->amount);
    }
    for (size_t k = 0; k < t->n_pools; k++) {
        note_pool *p = &t->pools[k];
        if (!cw_u64map_get(&t->pbal_ix, key(p->account, p->asset), &ix) ||
            !cw_u256_is_zero(&t->pbal[ix].bal))
            continue;
        p->others = p->all = p->tainted = 0;
        if (p->deposited > (double)p->linked)
            p->deposited = (double)p->linked;
    }
}

static int process_group(tracer *t, group *g, const uint64_t *src, size_t n_src)
{
    int rc;
    cw_acct_result *r = t->r;
    g->n_nets = 0;
    /* net flows, only where taint may be involved (small txs; a batch of thousands of
     * transfers is no swap) */
    bool conv = g->n <= 256;
    for (size_t i = 0; conv && i < g->n; i++) {
        const cw_acct_move *m = &g->m[i];
        if (m->fee)
            continue;
        /* one at a time: net_of may move g->nets, so a pointer does not outlive the next call */
        net *a = net_of(g, side(t, m->from, m->asset), m->asset);
        if (!a)
            return cw_error_set(CW_ENOMEM, "out of memory tracing");
        a->out = add(a->out, m->amount);
        a->item = m->item;
        net *b = net_of(g, side(t, m->to, m->asset), m->asset);
        if (!b)
            return cw_error_set(CW_ENOMEM, "out of memory tracing");
        b->in = add(b->in, m->amount);
        b->item = m->item;
    }
    /* mixer withdrawals in this tx: the pool's outflows add up to a denomination; the largest
     * one (the recipient's, beside a relayer's fee) may be linked to the tainted notes */
    size_t link_move = SIZE_MAX;
    carried link_c = {ZERO, 0, CW_ACCT_NONE64, PROB_WEAK, CW_ACCT_NONE};
    for (size_t i = 0; t->o.through_mixer && t->n_pools && i < g->n && link_move == SIZE_MAX; i++) {
        const cw_acct_move *m = &g->m[i];
        if (m->fee || m->item || m->from == CW_ACCT_NONE)
            continue;
        bool known = false;
        for (size_t k = 0; k < t->n_pools && !known; k++)
            known = t->pools[k].account == m->from && t->pools[k].asset == m->asset;
        if (!known)
            continue;
        cw_u256 w = ZERO;
        size_t big = i;
        for (size_t k = 0; k < g->n; k++) {
            if (g->m[k].fee || g->m[k].item || g->m[k].from != m->from || g->m[k].asset != m->asset)
                continue;
            w = add(w, g->m[k].amount);
            if (lt(&g->m[big].amount, &g->m[k].amount))
                big = k;
        }
        note_pool *p = pool_find(t, m->from, m->asset, &w);
        if (!p || p->all <= 0)
            break;
        double score = p->tainted > 0 ? p->tainted / p->all : 0;
        /* gas funding: the withdrawal was sent by an account holding taint, unless the pool
         * pays it in this tx (a relayer taking its fee: a service, which a thief may have paid
         * too, and whose every relayed withdrawal would otherwise look like the thief's) */
        bool fee_taker = false;
        for (size_t k = 0; k < g->n && !fee_taker; k++)
            fee_taker = !g->m[k].fee && !g->m[k].item && g->m[k].from == m->from &&
                        g->m[k].to == m->tx_from && !cw_u256_is_zero(&g->m[k].amount);
        bool reuse = p->tainted > 0 && !fee_taker && holds_taint(t, m->tx_from);
        /* address match: the recipient is an address of the thief's already (it deposited, or
         * traced funds reached it before) */
        uint64_t match_via = CW_ACCT_NONE64;
        bool match = p->tainted > 0 && held_by_thief(t, g->m[big].to, g->m[big].id, &match_via);
        double anon_all = p->all, anon_tainted = p->tainted;
        if ((reuse || match) && score < 0.95)
            score = 0.95;
        uint64_t one;
        bool converged = t->n_forced && cw_u64map_get(&t->forced, g->m[big].id, &one);
        if (converged && score < CW_ACCT_CONVERGE_SCORE)
            score = CW_ACCT_CONVERGE_SCORE;
        if (score > 1)
            score = 1;
        /* never more links than tainted notes went in; links by convergence come first (their
         * notes are kept from the score links of the withdrawals before them) */
        double free_notes = p->deposited - (double)p->linked -
                            (converged ? 0 : (double)forced_ahead(t, p, g->m[big].id));
        /* every note outstanding was deposited from traced taint: this one is the thief's */
        bool only = t->src->full_history && p->others < 0.5 && p->all >= 0.5 && free_notes >= 1;
        if (only)
            score = 1;
        bool ok = converged
                      ? free_notes >= 0.5
                      : (p->tainted > 0 && score >= t->o.min_link_score && free_notes >= 1) || only;
        if (ok) {
            /* evidence beyond the anonymity set (gas funding, convergence) makes a link, which
             * is strong: deposit addresses it reaches confirm convergence like direct taint in
             * the next sweep. The anonymity set alone (denomination and timing) makes a
             * candidate: the same note accounting, but no value carried unless asked */
            bool candidate = !reuse && !converged && !only && !match;
            if (!candidate || t->o.follow_candidates) {
                link_move = big;
                link_c = (carried){g->m[big].amount, p->hop, p->via,
                                   (uint8_t)(candidate ? PROB_CAND : PROB_STRONG), CW_ACCT_NONE};
            }
            p->tainted = p->tainted >= 1 ? p->tainted - 1 : 0;
            p->linked++;
            int rc2 = grow((void **)&r->links, &r->cap_links, r->n_links + 1, sizeof *r->links);
            if (rc2)
                return rc2;
            cw_acct_mixlink *l = &r->links[r->n_links++];
            memset(l, 0, sizeof *l);
            l->move = g->m[big].id;
            l->mixer = m->from;
            l->recipient = g->m[big].to;
            l->asset = m->asset;
            l->amount = g->m[big].amount;
            l->denomination = w;
            l->score = score;
            l->sender_reuse = reuse;
            l->converged = converged;
            l->candidate = candidate;
            /* a link forced by the recipient's gas funding or consolidation names that
             * evidence; by a deposit address or a holding of direct taint, convergence */
            uint64_t fx;
            const met_ev *fe =
                converged && cw_u64map_get(&t->fev_ix, g->m[big].id, &fx) ? &t->fevs[fx] : NULL;
            l->evidence =
                (uint8_t)(CW_ACCT_EV_ANON | (reuse ? CW_ACCT_EV_GAS : 0) |
                          (converged ? (fe ? fe->bits : CW_ACCT_EV_CONVERGE) : 0) |
                          (only ? CW_ACCT_EV_ONLY_TAINTED : 0) | (match ? CW_ACCT_EV_ADDRESS : 0));
            l->ev_move = fe ? fe->move : match ? match_via : CW_ACCT_NONE64;
            l->ev_account = fe ? fe->account : CW_ACCT_NONE;
            l->anon_notes = anon_all;
            l->anon_tainted = anon_tainted;
            l->lead_account = CW_ACCT_NONE;
        } else if (p->tainted > 0) {
            p->tainted -= p->tainted / p->all; /* the expected share leaves with it */
        }
        /* pass 1: follow where the recipient of any withdrawal after tainted deposits pays, for
         * convergence (linked ones too: pass 2 may link fewer by score; not one whose pool
         * holds only traced notes, which would only meet its own taint), or for its lead only
         * when the recipient has a history of others' funds */
        if (t->shadow_on && p->deposited > 0 && g->m[big].to != CW_ACCT_NONE &&
            (rc = cw_u64map_set(
                 &t->shadow, g->m[big].to,
                 g->m[big].id << 8 |
                     (!only && own_history(t, g->m[big].to, g->m[big].id) ? 0 : SHADOW_LEAD_ONLY))))
            return rc;
        p->all -= 1;
        break; /* one withdrawal a tx: the pool's other outflows are its relayer's fee */
    }
    for (size_t i = 0; i < g->n; i++) {
        const cw_acct_move *m = &g->m[i];
        /* an item carries no taint of its own: it only made its seller a venue (net flows) */
        if (m->item)
            continue;
        r->moves++;
        if ((rc = asset_slot(r, m->asset)))
            return rc;
        carried c = take(t, find_pair(t, m->from, m->asset), m->amount);
        if (is_source(src, n_src, m->id)) {
            /* hops count movements after the source's: its receiver is hop 0, so the
             * source movement carries "hop -1" (give() and end_add() add one, wrapping) */
            c = (carried){m->amount, UINT32_MAX, CW_ACCT_NONE64, false, CW_ACCT_NONE};
            r->sourced[m->asset] = add(r->sourced[m->asset], m->amount);
        }
        if (i == link_move)
            c = link_c; /* a probable mixer link: the withdrawal carries the pool's taint */
        bool tainted = !cw_u256_is_zero(&c.x);
        /* below --min-amount, or paid by an account whose taint is dust beside its own funds
         * (its deposit at an exchange is no cash-out of the heist): dust */
        if (tainted &&
            (lt(&c.x, &t->o.min_amount) || (i != link_move && !is_source(src, n_src, m->id) &&
                                            dusted_payer(find_pair(t, m->from, m->asset))))) {
            r->dust[m->asset] = add(r->dust[m->asset], c.x);
            c.x = ZERO;
            tainted = false;
        }
        if (tainted) {
            r->edges++;
            /* the map reserves UINT64_MAX: a source's "no parent" is stored one below */
            if ((rc = cw_u64map_set(&r->parent, m->id,
                                    c.via == CW_ACCT_NONE64 ? CW_ACCT_NONE64 - 1 : c.via)))
                return rc;
        }
        if (m->fee) {
            if (tainted)
                r->fees[m->asset] = add(r->fees[m->asset], c.x);
            pair *q = find_pair(t, m->to, m->asset);
            carried clean = {ZERO, 0, CW_ACCT_NONE64, false, CW_ACCT_NONE};
            if (q && (rc = give(t, q, m->amount, &clean, m->id)))
                return rc;
            continue;
        }
        uint32_t from_side = side(t, m->from, m->asset), to_side = side(t, m->to, m->asset);
        /* the sender's side of a conversion: remember what its given-up asset carried */
        if (conv && tainted && converter(g, from_side)) {
            net *a = net_of(g, from_side, m->asset);
            if (a && gives_up(a)) {
                a->t_out = add(a->t_out, c.x);
                if (c.hop < a->hop)
                    a->hop = c.hop;
                if (a->via == CW_ACCT_NONE64)
                    a->via = m->id;
                a->probable |= c.probable;
                if (a->through == CW_ACCT_NONE)
                    a->through = c.through;
            }
        }
        if (conv && converter(g, from_side)) {
            net *a = net_of(g, from_side, m->asset);
            if (a && gives_up(a))
                a->v_out = add(a->v_out, m->amount);
        }
        bool venue = conv && to_side != CW_ACCT_NONE && converter(g, to_side) &&
                     gains(net_of(g, to_side, m->asset));
        /* a giver that gains nothing here paying a venue: a swap that pays someone else */
        if (venue && from_side != CW_ACCT_NONE && !converter(g, from_side)) {
            net *a = net_of(g, from_side, m->asset);
            /* a pass-through paying the venue (a router that took the trader's input first):
             * the giver is who paid it the taint in this tx */
            if (a && !gives_up(a) && tainted) {
                uint32_t up = upstream_giver(t, g, from_side, m->asset);
                a = up != CW_ACCT_NONE ? net_of(g, up, m->asset) : NULL;
            }
            if (a && gives_up(a)) {
                a->pg_v = add(a->pg_v, m->amount);
                if (tainted) {
                    a->pg_t = add(a->pg_t, c.x);
                    if (c.hop < a->hop)
                        a->hop = c.hop;
                    if (a->via == CW_ACCT_NONE64)
                        a->via = m->id;
                    a->probable |= c.probable;
                    if (a->through == CW_ACCT_NONE)
                        a->through = c.through;
                }
            }
        }
        /* the receiver */
        if (venue) {
            /* converted at this venue: the taint goes on as the trader's gained asset */
            pair *q = find_pair(t, m->to, m->asset);
            carried clean = {ZERO, 0, CW_ACCT_NONE64, false, CW_ACCT_NONE};
            if (q && (rc = give(t, q, m->amount, &clean, m->id)))
                return rc;
            continue;
        }
        if (m->to == CW_ACCT_NONE) {
            if (tainted)
                r->burnt[m->asset] = add(r->burnt[m->asset], c.x);
            continue;
        }
        int stop = t->src->stop ? t->src->stop(t->src->ctx, m->to) : 0;
        /* a stop the taint only passes through on its way to a swap: the sender gives up this
         * asset, the stop keeps none of it, and a venue of this tx gains it (an aggregator
         * router that both swaps and bridges, labelled or recognised as a bridge, taking a
         * swap's input on its way to the pool). The swap carries the taint on at the executed
         * rate (the trader's side, or the accounts the swap paid); ending it at the router as
         * well would count it twice. It goes on to the venue, which converts it. */
        if (stop && stop != CW_ACCT_STOP_MIXER && tainted && conv && from_side != CW_ACCT_NONE &&
            to_side != CW_ACCT_NONE && swap_venue(g, m->asset)) {
            /* one at a time (net_of may move g->nets) */
            const net *a = net_of(g, from_side, m->asset);
            bool up = a && gives_up(a);
            const net *b = up ? net_of(g, to_side, m->asset) : NULL;
            if (b && !gains(b))
                stop = 0;
        }
        /* a router filed as a bridge that keeps none of a deposit it passes on, in this tx, to
         * the bridge that emitted the tx's memo or deposit event (and that is a bridge stop
         * too): the deposit ends there, at the bridge, not at the router in front of it. The
         * bridge keeps it, or is paid it by the router and passes it on itself (a THORChain
         * router paying its vault, called in an aggregator's multicall) */
        if (stop == CW_ACCT_STOP_BRIDGE && tainted && conv && t->src->emitter &&
            to_side != CW_ACCT_NONE) {
            uint32_t em = t->src->emitter(t->src->ctx, m->tx);
            if (em != CW_ACCT_NONE && em != to_side &&
                t->src->stop(t->src->ctx, em) == CW_ACCT_STOP_BRIDGE) {
                const net *b = net_of(g, to_side, m->asset);
                bool keeps = !b || gains(b);
                const net *e = keeps ? NULL : net_of(g, em, m->asset);
                if (e && (gains(e) || pays(t, g, to_side, em, m->asset)))
                    stop = 0;
            } else if (em == CW_ACCT_NONE && t->src->silent && t->src->silent(t->src->ctx, m->tx) &&
                       silent_pass(t, g, to_side, m->asset)) {
                stop = 0;
            }
        }
        if (t->shadow_on && t->shadow.count && (rc = shadow_move(t, m, stop)))
            return rc;
        if (stop == CW_ACCT_STOP_MIXER && t->o.through_mixer && !cw_u256_is_zero(&m->amount)) {
            /* every deposit counts in the pool's anonymity set, tainted or not */
            note_pool *p;
            if ((rc = pool_open(t, m->to, m->asset, &m->amount, m->id, &p)))
                return rc;
            p->all += 1;
            /* a note not wholly of traced taint (certain or strongly linked) may be another's */
            if (!tainted || cw_u256_cmp(&c.x, &m->amount) != 0 || (c.probable & PROB_WEAK_BIT))
                p->others += 1;
            if (tainted) {
                p->tainted += cw_u256_to_double(&c.x) / cw_u256_to_double(&m->amount);
                p->deposited += cw_u256_to_double(&c.x) / cw_u256_to_double(&m->amount);
                if (p->via == CW_ACCT_NONE64)
                    p->via = m->id;
                if (c.hop + 1 < p->hop)
                    p->hop = c.hop + 1;
            }
        }
        if (stop && tainted) {
            uint64_t dk;
            /* a bridge destination that direct (or strongly linked) taint was sent to */
            if (stop == CW_ACCT_STOP_BRIDGE && t->o.through_mixer && t->src->dest &&
                !(c.probable & PROB_WEAK_BIT) && (dk = t->src->dest(t->src->ctx, m->tx)) &&
                (rc = cw_u64map_set(&t->direct_dest, dk, 1)))
                return rc;
            if ((rc = end_add(t, m->to, m->asset, stop, &c, m->id)))
                return rc;
            continue;
        }
        if (tainted && t->o.max_hops && c.hop != UINT32_MAX && c.hop + 1 >= t->o.max_hops) {
            if ((rc = end_add(t, m->to, m->asset, CW_ACCT_STOP_OTHER, &c, m->id)))
                return rc;
            continue;
        }
        /* the receiver keeps taint: a third party's own account? (a source's receiver is the
         * thief's by the investigator's word) */
        pair *q = find_pair(t, m->to, m->asset);
        if (!q && tainted && !stop && (rc = open_pair(t, m->to, m->asset, m->id, &q)))
            return rc;
        if (tainted && !is_source(src, n_src, m->id) &&
            (rc = judge_third(t, g, conv, m->to, m->asset, &c.x, q)))
            return rc;
        if (q && (rc = give(t, q, m->amount, &c, m->id)))
            return rc;
    }
    if (t->n_pbal)
        pbal_update(t, g);
    if (!conv)
        return 0;
    /* the trader's side: gained assets take the taint its given-up assets carried */
    uint64_t after = g->m[g->n - 1].id + 1;
    for (size_t i = 0; i < g->n_nets; i++) {
        net *a = &g->nets[i];
        if (!gives_up(a) || cw_u256_is_zero(&a->t_out) || cw_u256_is_zero(&a->v_out))
            continue;
        size_t n_up = 0;
        for (size_t j = 0; j < g->n_nets; j++)
            n_up += g->nets[j].account == a->account && gives_up(&g->nets[j]);
        for (size_t j = 0; j < g->n_nets; j++) {
            net *b = &g->nets[j];
            if (b->account != a->account || !gains(b))
                continue;
            cw_u256 gained = sub(b->in, b->out);
            cw_u256 x = cw_u256_muldiv(&gained, &a->t_out, &a->v_out);
            carried c = {x, a->hop, a->via, (uint8_t)(a->probable | (n_up > 1 ? PROB_WEAK : 0)),
                         a->through};
            /* items are indivisible: bought with any taint, they are held tainted, probable
             * when the payment was not all taint */
            if (b->item && lt(&a->t_out, &a->v_out)) {
                c.x = gained;
                c.probable |= PROB_WEAK;
            }
            if ((rc = convert_out(t, g, a->account, a->asset, b, &a->t_out, &c, after)))
                return rc;
        }
    }
    /* a swap paying another account: givers that only give up (into venues) and gainers that
     * only gain, in other assets, pooled per given-up asset; the gainers share the taint in
     * proportion to what they gained (one giver and one gainer: exact, else probable) */
    for (size_t i = 0; i < g->n_nets; i++) {
        net *a = &g->nets[i];
        if (cw_u256_is_zero(&a->pg_t) || a->pg_done)
            continue;
        cw_u256 tt = ZERO, vv = ZERO;
        carried c = {ZERO, UINT32_MAX, CW_ACCT_NONE64, false, CW_ACCT_NONE};
        size_t n_givers = 0, n_gainers = 0, n_assets = 0;
        for (size_t j = 0; j < g->n_nets; j++) {
            net *o = &g->nets[j];
            if (cw_u256_is_zero(&o->pg_v))
                continue;
            if (o->asset != a->asset) {
                n_assets += !cw_u256_is_zero(&o->pg_t);
                continue;
            }
            o->pg_done = true;
            n_givers++;
            tt = add(tt, o->pg_t);
            vv = add(vv, o->pg_v);
            if (!cw_u256_is_zero(&o->pg_t)) {
                if (o->hop < c.hop)
                    c.hop = o->hop;
                if (c.via == CW_ACCT_NONE64)
                    c.via = o->via;
                c.probable |= o->probable;
                if (c.through == CW_ACCT_NONE)
                    c.through = o->through;
            }
        }
        for (size_t j = 0; j < g->n_nets; j++)
            n_gainers += pure_gainer(g, &g->nets[j], a->asset);
        if (n_givers > 1 || n_gainers > 1 || n_assets > 0)
            c.probable |= PROB_WEAK;
        /* no one gains another asset: a round trip through the venues (a flash-loan washer
         * swapping the thief's ETH round and back in one tx) paying the given-up asset back
         * out to accounts that only gain it: they take the taint, probable (main lost it) */
        bool round = n_gainers == 0;
        if (round)
            c.probable |= PROB_WEAK;
        for (size_t j = 0; j < g->n_nets; j++) {
            net *b = &g->nets[j];
            if (round ? !(b->asset == a->asset && b->account != CW_ACCT_NONE &&
                          cw_u256_is_zero(&b->pg_v) && gains(b) && !converter(g, b->account))
                      : !pure_gainer(g, b, a->asset))
                continue;
            cw_u256 gained = sub(b->in, b->out);
            c.x = min_u(cw_u256_muldiv(&gained, &tt, &vv), gained);
            carried ci = c;
            if (b->item && lt(&tt, &vv)) { /* indivisible, as above */
                ci.x = gained;
                ci.probable |= PROB_WEAK;
            }
            if ((rc = convert_out(t, g, a->account, a->asset, b, &tt, &ci, after)))
                return rc;
        }
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_end(const void *a, const void *b)
{
    const cw_acct_end *x = a, *y = b;
    int xs = x->stop ? 0 : 1, ys = y->stop ? 0 : 1;
    if (xs != ys)
        return xs - ys;
    if (x->account != y->account)
        return x->account < y->account ? -1 : 1;
    return (x->asset > y->asset) - (x->asset < y->asset);
}

static int cmp_arr(const void *a, const void *b)
{
    const cw_acct_arrival *x = a, *y = b;
    if (x->account != y->account)
        return x->account < y->account ? -1 : 1;
    if (x->asset != y->asset)
        return x->asset < y->asset ? -1 : 1;
    return (x->move > y->move) - (x->move < y->move);
}

typedef struct tiny {
    uint32_t sender, asset;
    size_t end;
} tiny;

static int cmp_tiny(const void *a, const void *b)
{
    const tiny *x = a, *y = b;
    if (x->asset != y->asset)
        return x->asset < y->asset ? -1 : 1;
    if (x->sender != y->sender)
        return x->sender < y->sender ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* The sender of movement id (CW_ACCT_NONE when not found). */
static uint32_t sender_of(tracer *t, uint64_t id)
{
    cw_acct_move m;
    if (id == CW_ACCT_NONE64 || t->src->next(t->src->ctx, id, &m) || m.id != id) {
        cw_error_clear();
        return CW_ACCT_NONE;
    }
    return m.from;
}

/* How many accounts (asset, sender) dusted: the run of tn (sorted) equal to it. */
static size_t campaign_size(const tiny *tn, size_t n, uint32_t asset, uint32_t sender)
{
    size_t lo = 0, hi = n;
    tiny key = {sender, asset, 0};
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_tiny(&tn[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t k = lo;
    while (k < n && tn[k].asset == asset && tn[k].sender == sender)
        k++;
    return k - lo;
}

/* Account's pair p in asset is a dusting campaign's target: its first taint came from a sender
 * whose first tainted payment to each of at least CW_ACCT_DUST_CAMPAIGN_MIN accounts brought them
 * at most 1 / CW_ACCT_DUST_TINY of the taint that entered the asset (tn: those accounts by sender),
 * all the taint it got in the asset is that small, it held funds of its own (more than all the
 * taint it ever got in that asset), in an asset the stolen value entered (a token that never
 * carried taint, such as a fake one whose logs move nothing real, does not count), just before
 * that taint (a campaign targets used addresses, while the thief funds its empty hops with gas)
 * and no more than such tiny taint in another asset (a hop moving stolen tokens holds what is
 * left of its gas; one campaign may dust ETH and a token at once, a poisoner's look-alike adds
 * its own dust). */
static bool campaign_target(tracer *t, const tiny *tn, size_t n, const cw_u256 *entered,
                            uint32_t account, uint32_t asset, const pair *p)
{
    cw_acct_result *r = t->r;
    cw_u256 tiny_div, one;
    cw_u256_from_u64(&tiny_div, CW_ACCT_DUST_TINY);
    cw_u256_from_u64(&one, 1);
    if (!p || asset >= r->n_assets || cw_u256_is_zero(&p->taint_got))
        return false;
    cw_u256 x = cw_u256_muldiv(&p->taint_got, &tiny_div, &one);
    if (lt(&entered[asset], &x))
        return false;
    uint32_t from = sender_of(t, p->first_via);
    if (from == CW_ACCT_NONE || campaign_size(tn, n, asset, from) < CW_ACCT_DUST_CAMPAIGN_MIN)
        return false;
    bool own = false, other = false;
    for (uint32_t a = 0; a < r->n_assets && !other; a++) {
        const pair *q = a == asset ? NULL : find_pair(t, account, a);
        bool got = q && !cw_u256_is_zero(&q->taint_got);
        /* taint in another asset, unless that too is tiny (the same campaign dusting ETH and a
         * token, a poisoner's look-alike dust) */
        if (got) {
            cw_u256 y = cw_u256_muldiv(&q->taint_got, &tiny_div, &one);
            other = lt(&entered[a], &y);
        }
        /* funds of its own: more than all the taint it ever got in that asset (the gas the
         * thief paid a fresh hop is none) */
        cw_u256 b;
        if (!own && !other && !cw_u256_is_zero(&entered[a]) &&
            t->src->balance(t->src->ctx, account, a, p->first_via, &b) == 0)
            own = got ? lt(&q->taint_got, &b) : !cw_u256_is_zero(&b);
    }
    cw_error_clear();
    return own && !other;
}

/* The holdings a dusting campaign left (CW_ACCT_DUST_CAMPAIGN): a campaign target's holding
 * (campaign_target above), whatever it did with the dust since. Their amounts stay in the result
 * (ends of kind dust). And what a campaign brought to an exchange deposit address is no cash-out
 * of the heist: a tiny arrival (at most 1 / CW_ACCT_DUST_TINY of what entered the asset) that is
 * the campaign's own payment into the deposit address, or whose taint came through a campaign
 * target within CW_ACCT_DUST_CHAIN movements (the target paid it, or paid the dust on to who did)
 * leaves its end and counts as dust (the asset's total), as a dusted payer's does during the
 * sweep; an end left with nothing is dropped. */
/* How far back an arrival's taint is followed for a campaign target (movements). */
#define CW_ACCT_DUST_CHAIN 4

static int dust_campaigns(tracer *t)
{
    cw_acct_result *r = t->r;
    size_t n = 0;
    cw_u256 *entered = calloc(r->n_assets ? r->n_assets : 1, sizeof *entered);
    tiny *tn = malloc((t->n_pairs ? t->n_pairs : 1) * sizeof *tn);
    int rc = 0;
    if (!entered || !tn) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t a = 0; a < r->n_assets; a++)
        entered[a] = r->sourced[a];
    for (size_t i = 0; i < r->n_convs; i++)
        if (r->convs[i].to_asset < r->n_assets)
            entered[r->convs[i].to_asset] =
                add(entered[r->convs[i].to_asset], r->convs[i].tainted_out);
    cw_u256 tiny_div, one;
    cw_u256_from_u64(&tiny_div, CW_ACCT_DUST_TINY);
    cw_u256_from_u64(&one, 1);
    /* every account that got a tiny taint, by the sender of its first */
    for (size_t i = 0; i < t->n_pairs; i++) {
        const pair *p = &t->pairs[i];
        if (cw_u256_is_zero(&p->taint_got) || p->asset >= r->n_assets)
            continue;
        cw_u256 x = cw_u256_muldiv(&p->taint_got, &tiny_div, &one);
        uint32_t from;
        if (lt(&entered[p->asset], &x) || (from = sender_of(t, p->first_via)) == CW_ACCT_NONE)
            continue;
        tn[n++] = (tiny){from, p->asset, i};
    }
    qsort(tn, n, sizeof *tn, cmp_tiny);
    for (size_t i = 0; i < r->n_ends; i++) {
        cw_acct_end *e = &r->ends[i];
        if (e->stop != CW_ACCT_STOP_NONE || e->dust || e->asset >= r->n_assets)
            continue;
        if (campaign_target(t, tn, n, entered, e->account, e->asset,
                            find_pair(t, e->account, e->asset)))
            e->dust = CW_ACCT_DUST_CAMPAIGN;
    }
    /* arrivals at exchange deposit addresses that a campaign brought */
    size_t k = 0;
    bool dropped = false;
    for (size_t i = 0; i < r->n_arr; i++) {
        cw_acct_arrival *a = &r->arr[i];
        uint64_t ix;
        cw_acct_end *e =
            a->asset < r->n_assets && cw_u64map_get(&t->end_ix, key(a->account, a->asset), &ix)
                ? &r->ends[ix]
                : NULL;
        uint32_t from =
            e && e->stop == CW_ACCT_STOP_EXCHANGE ? sender_of(t, a->move) : CW_ACCT_NONE;
        bool dust = false;
        cw_u256 x = cw_u256_muldiv(&a->amount, &tiny_div, &one);
        if (from != CW_ACCT_NONE && !lt(&entered[a->asset], &x)) {
            /* tiny: the campaign's own payment, or its taint came through a campaign target
             * (the target's payment, or a payment of someone it paid the dust on to) */
            dust = campaign_size(tn, n, a->asset, from) >= CW_ACCT_DUST_CAMPAIGN_MIN;
            uint64_t mv = a->move;
            for (int up = 0; up < CW_ACCT_DUST_CHAIN && !dust && from != CW_ACCT_NONE; up++) {
                dust = campaign_target(t, tn, n, entered, from, a->asset,
                                       find_pair(t, from, a->asset));
                if (!cw_u64map_get(&r->parent, mv, &mv) || mv >= CW_ACCT_NONE64 - 1)
                    break;
                from = sender_of(t, mv);
            }
        }
        if (dust) {
            e->amount = sub(e->amount, a->amount);
            e->n_moves -= e->n_moves > 0;
            r->dust[a->asset] = add(r->dust[a->asset], a->amount);
            dropped |= cw_u256_is_zero(&e->amount);
            continue;
        }
        r->arr[k++] = *a;
    }
    r->n_arr = k;
    if (dropped) { /* ends left with nothing (the end index is stale from here on) */
        k = 0;
        for (size_t i = 0; i < r->n_ends; i++)
            if (r->ends[i].stop == CW_ACCT_STOP_NONE || !cw_u256_is_zero(&r->ends[i].amount))
                r->ends[k++] = r->ends[i];
        r->n_ends = k;
        cw_u64map_deinit(&t->end_ix);
    }
out:
    free(entered);
    free(tn);
    return rc;
}

/* One sweep from the first source on, into t->r. */
static int sweep(tracer *t, const uint64_t *s, size_t n_sources)
{
    const cw_acct_source *src = t->src;
    group g = {0};
    int rc = 0;
    uint64_t cur = s[0];
    cw_acct_move m;
    bool have = false;
    for (;;) {
        if (!have) {
            rc = src->next(src->ctx, cur, &m);
            if (rc == CW_ENOTFOUND) {
                rc = 0;
                break;
            }
            if (rc)
                goto out;
            have = true;
        }
        if (t->o.until_time && m.time > t->o.until_time)
            break;
        /* the movements of one tx (block-level movements are one each) */
        g.n = 0;
        uint64_t tx = m.tx;
        do {
            if ((rc = grow((void **)&g.m, &g.cap, g.n + 1, sizeof *g.m)))
                goto out;
            g.m[g.n++] = m;
            cur = m.id + 1;
            rc = src->next(src->ctx, cur, &m);
            have = rc == 0;
            if (rc && rc != CW_ENOTFOUND)
                goto out;
            rc = 0;
        } while (have && tx != CW_ACCT_NONE64 && m.tx == tx);
        if ((rc = process_group(t, &g, s, n_sources)))
            goto out;
        /* nothing tainted left and no source ahead (poison never runs dry: up to the end);
         * tainted notes in a mixer may still be withdrawn, followed recipients may still pay */
        bool notes = false;
        for (size_t k = 0; k < t->n_pools && !notes; k++)
            notes = t->pools[k].tainted > 0;
        if (t->live == 0 && !notes && !(t->shadow_on && t->shadow.count) && cur > s[n_sources - 1])
            break;
        if (!have)
            break;
    }
    /* what traced accounts still hold */
    for (size_t i = 0; i < t->n_pairs; i++) {
        pair *p = &t->pairs[i];
        if (cw_u256_is_zero(&p->tainted))
            continue;
        if ((rc =
                 grow((void **)&t->r->ends, &t->r->cap_ends, t->r->n_ends + 1, sizeof *t->r->ends)))
            goto out;
        t->r->ends[t->r->n_ends++] = (cw_acct_end){
            p->account,
            p->asset,
            CW_ACCT_STOP_NONE,
            p->tainted,
            p->first_via,
            0,
            p->hop,
            p->probable != 0,
            (p->probable & PROB_CAND_BIT) != 0,
            dusted_payer(p) ? CW_ACCT_DUST_OWN_FUNDS : 0,
            is_third(t, p->account),
            p->through == CW_ACCT_NONE && is_third(t, p->account) ? p->account : p->through};
    }
    if ((rc = dust_campaigns(t)))
        goto out;
    if (t->r->n_ends)
        qsort(t->r->ends, t->r->n_ends, sizeof *t->r->ends, cmp_end);
    if (t->r->n_arr)
        qsort(t->r->arr, t->r->n_arr, sizeof *t->r->arr, cmp_arr);
out:
    free(g.m);
    free(g.nets);
    return rc;
}

/* Frees the sweep state (not the result, nor the convergence findings). */
static void reset(tracer *t)
{
    for (size_t i = 0; i < t->n_pairs; i++)
        free(t->pairs[i].lots);
    free(t->pairs);
    free(t->pools);
    free(t->pbal);
    t->pairs = NULL;
    t->pools = NULL;
    t->pbal = NULL;
    t->n_pairs = t->cap_pairs = t->n_pools = t->cap_pools = t->live = 0;
    t->n_pbal = t->cap_pbal = 0;
    cw_u64map_deinit(&t->pbal_ix);
    cw_u64map_deinit(&t->pair_ix);
    cw_u64map_deinit(&t->end_ix);
    cw_u64map_deinit(&t->shadow);
    cw_u64map_deinit(&t->direct_stop);
    cw_u64map_deinit(&t->direct_dest);
    cw_u64map_deinit(&t->third);
    cw_u64map_deinit(&t->third_asset);
}

/* Pass 2 links withdrawal movement w (its pool named by its sender). */
static int force(tracer *t, uint64_t w)
{
    cw_acct_move wm;
    int rc = t->src->next(t->src->ctx, w, &wm);
    if (rc || (rc = cw_u64map_set(&t->forced, w, key(wm.from, wm.asset))) ||
        (rc = grow((void **)&t->flist, &t->cap_flist, 2 * t->n_forced + 2, sizeof *t->flist)))
        return rc;
    t->flist[2 * t->n_forced] = w;
    t->flist[2 * t->n_forced + 1] = key(wm.from, wm.asset);
    t->n_forced++;
    return 0;
}

static int cmp_gpay(const void *a, const void *b)
{
    const gather_pay *x = a, *y = b;
    if (x->account != y->account)
        return x->account < y->account ? -1 : 1;
    if (x->asset != y->asset)
        return x->asset < y->asset ? -1 : 1;
    return (x->move > y->move) - (x->move < y->move);
}

/* Consolidation, after a sweep: an account that followed recipients paid is the thief's
 * gathering address when traced funds (certain or strongly linked) reached it too, it was fresh
 * before the first of these payments, and all else it got is at most 1 % of that taint: every
 * withdrawal whose recipient paid it is linked (met, CW_ACCT_EV_GATHER). An honest user's
 * gathering address gets no traced funds; one with a history of its own is not fresh. */
static int judge_gathers(tracer *t)
{
    if (!t->n_gpay || !t->src->fresh)
        return 0;
    qsort(t->gpay, t->n_gpay, sizeof *t->gpay, cmp_gpay);
    for (size_t i = 0, j; i < t->n_gpay; i = j) {
        cw_u256 paid = ZERO;
        for (j = i; j < t->n_gpay && t->gpay[j].account == t->gpay[i].account &&
                    t->gpay[j].asset == t->gpay[i].asset;
             j++)
            paid = add(paid, t->gpay[j].amount);
        const pair *q = find_pair(t, t->gpay[i].account, t->gpay[i].asset);
        if (!q || cw_u256_is_zero(&q->taint_got) || (q->probable & PROB_WEAK_BIT))
            continue;
        cw_u256 hundred, one;
        cw_u256_from_u64(&hundred, 100);
        cw_u256_from_u64(&one, 1);
        cw_u256 other = sub(q->clean_got, paid), o100 = cw_u256_muldiv(&other, &hundred, &one);
        uint64_t first = t->gpay[i].move < q->first_via ? t->gpay[i].move : q->first_via;
        if (lt(&q->taint_got, &o100) || !t->src->fresh(t->src->ctx, q->account, first))
            continue;
        for (size_t k = i; k < j; k++) {
            int rc = met_add(t, t->gpay[k].w, t->gpay[k].move, q->account, CW_ACCT_EV_GATHER);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int cw_acct_trace(cw_acct_result **out, const cw_acct_source *src, const uint64_t *sources,
                  size_t n_sources, const cw_acct_opts *opts)
{
    if (!n_sources)
        return cw_error_set(CW_EINVAL, "trace: no source movements");
    int rc = 0;
    tracer t = {0};
    uint64_t *s = cw_malloc(n_sources * sizeof *s);
    memcpy(s, sources, n_sources * sizeof *s);
    qsort(s, n_sources, sizeof *s, cmp_u64);
    t.src = src;
    t.o = *opts;
    t.shadow_on = opts->through_mixer && src->personal;
    t.r = cw_calloc(1, sizeof *t.r);
    if (!t.r) {
        rc = cw_error_set(CW_ENOMEM, "out of memory tracing");
        goto out;
    }
    if ((rc = sweep(&t, s, n_sources)))
        goto out;
    /* convergence: withdrawals whose recipients paid a personal stop (a deposit address: one
     * customer) that direct taint (or a link's) reached, or an account holding only such
     * taint; the pool is named by the withdrawal's sender. Each sweep may confirm more (a
     * deposit address reached by a link found in the sweep before): at most MAX_SWEEPS, the
     * last one with the links found and no following. */
    for (int sweeps = 1; t.shadow_on; sweeps++) {
        size_t before = t.n_forced;
        /* the recipients' own evidence first (gas funding, consolidation): it is named; a
         * withdrawal this sweep linked already needs no consolidation (its own taint at the
         * gathering address would meet itself) */
        cw_u64map linked = {0};
        for (size_t i = 0; i < t.r->n_links && !rc; i++)
            if (!t.r->links[i].candidate)
                rc = cw_u64map_set(&linked, t.r->links[i].move, 1);
        if (rc || (rc = judge_gathers(&t))) {
            cw_u64map_deinit(&linked);
            goto out;
        }
        for (size_t i = 0; i < t.n_met; i++) {
            uint64_t one;
            if (cw_u64map_get(&t.forced, t.met[i].w, &one) ||
                ((t.met[i].bits & CW_ACCT_EV_GATHER) && cw_u64map_get(&linked, t.met[i].w, &one)))
                continue;
            if ((rc = force(&t, t.met[i].w)) ||
                (rc = grow((void **)&t.fevs, &t.cap_fevs, t.n_fevs + 1, sizeof *t.fevs)) ||
                (rc = cw_u64map_set(&t.fev_ix, t.met[i].w, t.n_fevs)))
                break;
            t.fevs[t.n_fevs++] = t.met[i];
        }
        cw_u64map_deinit(&linked);
        if (rc)
            goto out;
        t.n_met = t.n_gpay = 0;
        for (size_t i = 0; i < t.n_conv + t.n_dconv; i++) {
            bool d = i >= t.n_conv; /* a bridge destination */
            const uint64_t *cv = d ? &t.dconv[2 * (i - t.n_conv)] : &t.conv[2 * i];
            uint64_t one, w = cv[1];
            if ((d ? !cw_u64map_get(&t.direct_dest, cv[0], &one)
                   : cv[0] != CW_ACCT_NONE64 && !cw_u64map_get(&t.direct_stop, cv[0], &one)) ||
                cw_u64map_get(&t.forced, w, &one))
                continue;
            if ((rc = force(&t, w)))
                goto out;
        }
        t.n_conv = t.n_dconv = 0;
        if (t.n_forced == before)
            break; /* nothing new: this sweep's result stands */
        reset(&t);
        cw_acct_result_free(t.r);
        t.shadow_on = sweeps + 1 < MAX_SWEEPS;
        t.r = cw_calloc(1, sizeof *t.r);
        if (!t.r) {
            rc = cw_error_set(CW_ENOMEM, "out of memory tracing");
            goto out;
        }
        if ((rc = sweep(&t, s, n_sources)))
            goto out;
    }
    /* the leads of the links and candidates: where each recipient went first */
    for (size_t i = 0; i < t.r->n_links; i++) {
        uint64_t ix;
        if (cw_u64map_get(&t.lead_ix, t.r->links[i].move, &ix)) {
            const cw_acct_mixlink *ld = &t.leads[ix];
            cw_acct_mixlink *l = &t.r->links[i];
            l->lead_account = ld->lead_account;
            l->lead_stop = ld->lead_stop;
            l->lead_move = ld->lead_move;
            l->lead_asset = ld->lead_asset;
            l->lead_amount = ld->lead_amount;
        }
    }
out:
    reset(&t);
    free(t.conv);
    free(t.dconv);
    free(t.flist);
    free(t.leads);
    free(t.met);
    free(t.gpay);
    free(t.fevs);
    cw_u64map_deinit(&t.fev_ix);
    cw_u64map_deinit(&t.lead_ix);
    cw_u64map_deinit(&t.forced);
    cw_free(s);
    if (rc) {
        cw_acct_result_free(t.r);
        return rc;
    }
    *out = t.r;
    return 0;
}

void cw_acct_result_free(cw_acct_result *r)
{
    if (!r)
        return;
    free(r->ends);
    free(r->convs);
    free(r->arr);
    free(r->links);
    free(r->sourced);
    free(r->fees);
    free(r->dust);
    free(r->burnt);
    cw_u64map_deinit(&r->parent);
    cw_free(r);
}

const cw_acct_end *cw_acct_result_ends(const cw_acct_result *r, size_t *n)
{
    *n = r->n_ends;
    return r->ends;
}

const cw_acct_conv *cw_acct_result_convs(const cw_acct_result *r, size_t *n)
{
    *n = r->n_convs;
    return r->convs;
}

const cw_acct_mixlink *cw_acct_result_mixlinks(const cw_acct_result *r, size_t *n)
{
    *n = r->n_links;
    return r->links;
}

void cw_acct_opts_init(cw_acct_opts *o)
{
    memset(o, 0, sizeof *o);
    o->model = CW_ACCT_FIFO;
    o->max_hops = 64;
    o->min_link_score = 0.9;
}

const cw_acct_arrival *cw_acct_result_arrivals(const cw_acct_result *r, size_t *n)
{
    *n = r->n_arr;
    return r->arr;
}

void cw_acct_result_totals(const cw_acct_result *r, size_t *n, const cw_u256 **sourced,
                           const cw_u256 **fees, const cw_u256 **dust, const cw_u256 **burnt)
{
    *n = r->n_assets;
    *sourced = r->sourced;
    *fees = r->fees;
    *dust = r->dust;
    *burnt = r->burnt;
}

void cw_acct_result_counts(const cw_acct_result *r, uint64_t *moves, uint64_t *edges)
{
    *moves = r->moves;
    *edges = r->edges;
}

int cw_acct_result_path(const cw_acct_result *r, size_t end, uint64_t **ids, size_t *n)
{
    if (end >= r->n_ends)
        return cw_error_set(CW_EINVAL, "no end %zu", end);
    size_t cap = 16, k = 0;
    uint64_t *a = malloc(cap * sizeof *a);
    if (!a)
        return cw_error_set(CW_ENOMEM, "out of memory");
    uint64_t id = r->ends[end].first_move, parent;
    while (id != CW_ACCT_NONE64 && k < 100000) {
        if (k == cap) {
            uint64_t *x = realloc(a, (cap *= 2) * sizeof *a);
            if (!x) {
                free(a);
                return cw_error_set(CW_ENOMEM, "out of memory");
            }
            a = x;
        }
        a[k++] = id;
        if (!cw_u64map_get(&r->parent, id, &parent) || parent == CW_ACCT_NONE64 - 1)
            break;
        id = parent;
    }
    for (size_t i = 0; i < k / 2; i++) { /* source first */
        uint64_t x = a[i];
        a[i] = a[k - 1 - i];
        a[k - 1 - i] = x;
    }
    *ids = a;
    *n = k;
    return 0;
}

const char *cw_acct_stop_name(int kind)
{
    switch (kind) {
    case CW_ACCT_STOP_EXCHANGE:
        return "exchange";
    case CW_ACCT_STOP_MIXER:
        return "mixer";
    case CW_ACCT_STOP_BRIDGE:
        return "bridge";
    case CW_ACCT_STOP_OTHER:
        return "hop limit";
    case CW_ACCT_STOP_SANCTIONED:
        return "sanctioned";
    case CW_ACCT_STOP_SERVICE:
        return "service";
    default:
        return "held";
    }
}
