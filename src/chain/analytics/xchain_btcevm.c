/*
 * xchain_btcevm.c: a Bitcoin trace's bridge exits continued into an EVM store (xchain_btcevm.h,
 * docs/TRACE-MODELS.md "Cross-chain: Bitcoin into an EVM chain").
 *
 * One pass over the destination store's memo rows finds the vault's outbounds (OUT:/REFUND:
 * naming an inbound) and the vault's accounts (their senders and the contracts they call); one
 * pass over the Bitcoin store's memos after the first exit finds its refunds. Each OUT: naming a
 * Bitcoin tx the store holds with a swap memo gives the vault's rate for the asset (its vault
 * output against the credit). The probable payouts are paired by xchain_evm.h's matcher.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/acct_trace.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/util.h"
#include "chainwatch/xchain_btcevm.h"
#include "chainwatch/xchain_evm.h"

#define REFS_NEAR 5 /* the rate is the median of this many certain pairs nearest in time */

void cw_xchain_btcevm_opts_init(cw_xchain_btcevm_opts *o)
{
    memset(o, 0, sizeof *o);
    o->window_s = 24 * 3600;
    o->prompt_s = 3600;
    o->slip_bps = 500;
    o->min_score = 0.2;
}

const char *cw_btcevm_how_name(cw_btcevm_how h)
{
    static const char *const n[] = {
        "OUT memo",    "amount and time", "refunded on Bitcoin", "requested, not seen",
        "other chain", "bad address"};
    return (unsigned)h < sizeof n / sizeof n[0] ? n[h] : "?";
}

const char *cw_xchain_btcevm_prefix(const char *chain)
{
    static const char *const t[][2] = {{"ethereum", "ETH"}, {"sepolia", "ETH"},    {"dev", "ETH"},
                                       {"bsc", "BSC"},      {"avalanche", "AVAX"}, {"base", "BASE"},
                                       {"arbitrum", "ARB"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(t[i][0], chain))
            return t[i][1];
    return NULL;
}

/* an outbound on the destination store, or a refund on Bitcoin, naming an inbound txid */
typedef struct {
    uint8_t h[32]; /* as written (the txid as shown: byte-reversed from the store's) */
    uint64_t tx;
    bool refund;
} named_t;

typedef struct {
    uint32_t asset;
    uint64_t time;
    cw_u256 amount; /* the credit */
    uint64_t sat;   /* the inbound's vault output */
    double r;
} ref_t;

typedef struct {
    uint64_t tx, traced, probable, deposit, time;
    cw_evm_memo m;
    bool ok;
} dep_t;

typedef struct {
    cw_xchain_btcevm_exit *v;
    size_t n, cap;
} rows_t;

static int cmp_named_tx(const void *a, const void *b)
{
    uint64_t x = ((const named_t *)a)->tx, y = ((const named_t *)b)->tx;
    return x < y ? -1 : x > y;
}
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}
static int cmp_ref(const void *a, const void *b)
{
    const ref_t *x = a, *y = b;
    if (x->asset != y->asset)
        return x->asset < y->asset ? -1 : 1;
    return x->time < y->time ? -1 : x->time > y->time;
}
static int cmp_r(const void *a, const void *b)
{
    double x = ((const ref_t *)a)->r, y = ((const ref_t *)b)->r;
    return x < y ? -1 : x > y;
}
static int cmp_row(const void *a, const void *b)
{
    const cw_xchain_btcevm_exit *x = a, *y = b;
    if (x->tx != y->tx)
        return x->tx < y->tx ? -1 : 1;
    return x->evm_tx < y->evm_tx ? -1 : x->evm_tx > y->evm_tx;
}

static bool is_credit(unsigned k)
{
    return k == CW_EVM_MOVE_TX || k == CW_EVM_MOVE_INTERNAL || k == CW_EVM_MOVE_ERC20;
}

static uint64_t block_time(const cw_evmstore *s, uint64_t number)
{
    const cw_evm_row_block *b = cw_evmstore_block(s, number);
    return b ? b->timestamp : 0;
}

/* the vault output (the tx's first) of a Bitcoin tx, in satoshis */
static uint64_t first_out_value(const cw_chainstore *bs, uint64_t tx)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(bs, tx, &i0, &i1, &o0, &o1);
    const cw_row_out *o = o0 < o1 ? cw_chainstore_out(bs, o0) : NULL;
    return o ? o->value_type & ((1ull << 56) - 1) : 0;
}

static uint64_t btc_time(const cw_chainstore *bs, uint64_t tx)
{
    const cw_row_block *b = cw_chainstore_block(bs, cw_chainstore_tx_block(bs, tx));
    return b ? b->time : 0;
}

/* the memo's asset on dst: native by the chain's symbol, a token by the contract after '-' */
static uint32_t memo_asset(const cw_evmstore *dst, const cw_evm_memo *m)
{
    const char *dash = strchr(m->symbol, '-');
    if (!dash)
        return strcasecmp(m->symbol, cw_evmstore_chain(dst)->symbol) ? CW_EVM_NONE32
                                                                     : CW_EVM_ASSET_NATIVE;
    cw_evm_addr a;
    uint32_t acct, asset;
    if (strlen(dash + 1) != 42 || (dash[2] != 'x' && dash[2] != 'X') ||
        cw_hex_decode(a.b, 20, dash + 3) || cw_evmstore_find_account(dst, &a, &acct) ||
        cw_evmstore_find_asset(dst, acct, &asset)) {
        cw_error_clear();
        return CW_EVM_NONE32;
    }
    return asset;
}

/* the memo's address as an account of dst, or CW_EVM_NONE32 */
static uint32_t memo_account(const cw_evmstore *dst, const cw_evm_memo *m, cw_evm_addr *a)
{
    uint32_t id;
    if (strlen(m->dest) != 42 || cw_hex_decode(a->b, 20, m->dest + 2) ||
        cw_evmstore_find_account(dst, a, &id)) {
        cw_error_clear();
        return CW_EVM_NONE32;
    }
    return id;
}

/* the payout of an outbound tx: its credit to `to`, else its last credit of `asset` (any when
 * CW_EVM_NONE32) to someone other than the tx's sender; CW_EVM_NONE64 when none */
static uint64_t payout_move(const cw_evmstore *dst, uint64_t tx, uint32_t to, uint32_t asset)
{
    uint64_t first, end, last = CW_EVM_NONE64;
    const cw_evm_row_tx *t = cw_evmstore_tx(dst, tx);
    cw_evmstore_tx_moves(dst, tx, &first, &end);
    for (uint64_t m = first; t && m < end; m++) {
        const cw_evm_row_move *mv = cw_evmstore_move(dst, m);
        if (!mv || !is_credit(mv->kind))
            continue;
        if (to != CW_EVM_NONE32 && mv->to == to)
            return m;
        if (mv->to != t->from && (asset == CW_EVM_NONE32 || mv->asset == asset))
            last = m;
    }
    return last;
}

static cw_xchain_btcevm_exit *add_row(rows_t *r, const dep_t *d, cw_btcevm_how how)
{
    if (cw_grow(&r->v, &r->cap, r->n + 1, sizeof *r->v, 16))
        return NULL;
    cw_xchain_btcevm_exit *e = &r->v[r->n++];
    memset(e, 0, sizeof *e);
    e->tx = d->tx;
    e->traced = d->traced;
    e->probable = d->probable;
    e->deposit = d->deposit;
    e->time = d->time;
    e->how = how;
    e->evm_tx = e->move = e->refund_tx = CW_EVM_NONE64;
    e->recipient = e->asset = CW_EVM_NONE32;
    return e;
}

static void set_payout(cw_xchain_btcevm_exit *e, const cw_evmstore *dst, uint64_t m)
{
    const cw_evm_row_move *mv = cw_evmstore_move(dst, m);
    e->move = m;
    e->evm_tx = mv->tx;
    e->recipient = mv->to;
    e->asset = mv->asset;
    e->amount = cw_evmstore_move_amount(dst, mv);
    e->block = mv->block;
    e->evm_time = block_time(dst, mv->block);
}

/* the vault's rate for asset near time t: the median of the nearest certain pairs */
static const ref_t *rate_near(ref_t *refs, size_t n, uint32_t asset, uint64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi && refs[lo].asset != asset)
        lo++;
    while (hi > lo && refs[hi - 1].asset != asset)
        hi--;
    if (lo == hi)
        return NULL;
    size_t k = lo; /* first at or after t */
    while (k < hi && refs[k].time < t)
        k++;
    size_t a = k, b = k; /* [a, b): the nearest, grown one at a time */
    while (b - a < REFS_NEAR && (a > lo || b < hi)) {
        if (a > lo && (b == hi || t - refs[a - 1].time <= refs[b].time - t))
            a--;
        else
            b++;
    }
    ref_t near[REFS_NEAR];
    memcpy(near, refs + a, (b - a) * sizeof *near);
    qsort(near, b - a, sizeof *near, cmp_r);
    for (size_t i = a; i < b; i++) /* the median pair itself */
        if (refs[i].r == near[(b - a) / 2].r)
            return &refs[i];
    return &refs[a];
}

int cw_xchain_btcevm_run(cw_xchain_btcevm_exit **out, size_t *n, const cw_chainstore *bs,
                         const cw_trace *t, const cw_evmstore *dst, const cw_xchain_btcevm_opts *o)
{
    *out = NULL;
    *n = 0;
    rows_t rows = {0};
    dep_t *deps = NULL;
    named_t *named = NULL, *refunds = NULL;
    uint32_t *vault = NULL, *rcpt = NULL;
    ref_t *refs = NULL;
    cw_xchain_evm_side *ds = NULL, *cs = NULL;
    size_t *ds_dep = NULL;
    uint64_t *cs_move = NULL;
    cw_xchain_evm_link *links = NULL;
    size_t nd = 0, cd = 0, nn = 0, cn = 0, nr = 0, cr = 0, nv = 0, cv = 0, nref = 0, cref = 0;
    size_t nds = 0, nc = 0, cc = 0, cm = 0, nl = 0;
    cw_u256 *expect = NULL;
    int rc = CW_ENOMEM;
    const char *prefix = cw_xchain_btcevm_prefix(cw_evmstore_chain(dst)->name);
    char text[CW_MEMO_TEXT_MAX + 1];

    /* the exits, one per deposit tx */
    for (size_t i = 0; i < cw_trace_n_ends(t); i++) {
        const cw_trace_end *e = cw_trace_end_at(t, i);
        if (e->kind != CW_END_BRIDGE)
            continue;
        size_t k = 0;
        while (k < nd && deps[k].tx != e->tx)
            k++;
        if (k == nd) {
            dep_t d = {.tx = e->tx};
            if (!cw_trace_bridge_memo(bs, e->tx, &d.m, &d.ok))
                continue;
            if (cw_grow(&deps, &cd, nd + 1, sizeof *deps, 16))
                goto out;
            d.deposit = first_out_value(bs, e->tx);
            d.time = btc_time(bs, e->tx);
            deps[nd++] = d;
        }
        deps[k].traced += e->amount;
        deps[k].probable += e->probable;
    }
    if (!nd) {
        rc = 0;
        goto out;
    }
    uint64_t first_tx = UINT64_MAX;
    for (size_t i = 0; i < nd; i++)
        first_tx = deps[i].tx < first_tx ? deps[i].tx : first_tx;

    /* the vault's outbounds on dst, and its accounts */
    for (uint64_t i = 0; i < cw_evmstore_memo_count(dst); i++) {
        const cw_evm_row_memo *r = cw_evmstore_memo(dst, i);
        cw_evm_memo m;
        named_t x = {.tx = r->tx};
        if (cw_evm_memo_parse(&m, r->memo, strnlen(r->memo, r->len)) ||
            (m.fn != CW_MEMO_OUT && m.fn != CW_MEMO_REFUND) || strlen(m.hash) != 64 ||
            cw_hex_decode(x.h, 32, m.hash)) {
            cw_error_clear();
            continue;
        }
        x.refund = m.fn == CW_MEMO_REFUND;
        const cw_evm_row_tx *tr = cw_evmstore_tx(dst, r->tx);
        uint32_t acc[3] = {tr ? tr->from : CW_EVM_NONE32, r->to, r->emitter};
        if (cw_grow(&named, &cn, nn + 1, sizeof *named, 64) ||
            cw_grow(&vault, &cv, nv + 3, sizeof *vault, 64))
            goto out;
        named[nn++] = x;
        for (int k = 0; k < 3; k++)
            if (acc[k] != CW_EVM_NONE32)
                vault[nv++] = acc[k];
    }
    if (nn > 1)
        qsort(named, nn, sizeof *named, cmp_named_tx);
    if (nv > 1)
        qsort(vault, nv, sizeof *vault, cmp_u32);

    /* the refunds on Bitcoin after the first exit */
    uint64_t btx = first_tx + 1, at;
    while (cw_chainstore_memo_next(bs, btx, &at, text, sizeof text)) {
        btx = at + 1;
        cw_evm_memo m;
        named_t x = {.tx = at, .refund = true};
        if (cw_evm_memo_parse(&m, text, strlen(text)) || m.fn != CW_MEMO_REFUND ||
            strlen(m.hash) != 64 || cw_hex_decode(x.h, 32, m.hash)) {
            cw_error_clear();
            continue;
        }
        if (cw_grow(&refunds, &cr, nr + 1, sizeof *refunds, 16))
            goto out;
        refunds[nr++] = x;
    }

    /* the vault's rates: each OUT: naming a Bitcoin swap inbound this store holds */
    for (size_t i = 0; i < nn; i++) {
        uint8_t le[32];
        uint64_t in;
        cw_evm_memo m;
        bool ok;
        if (named[i].refund)
            continue;
        for (int k = 0; k < 32; k++)
            le[k] = named[i].h[31 - k];
        if (cw_chainstore_find_tx(bs, le, &in)) {
            cw_error_clear();
            continue;
        }
        if (!cw_trace_bridge_memo(bs, in, &m, &ok) || !ok)
            continue;
        cw_evm_addr a;
        uint32_t asset = memo_asset(dst, &m);
        uint64_t mv = payout_move(dst, named[i].tx, memo_account(dst, &m, &a), asset);
        uint64_t sat = first_out_value(bs, in);
        if (asset == CW_EVM_NONE32 || mv == CW_EVM_NONE64 || !sat ||
            cw_evmstore_move(dst, mv)->asset != asset)
            continue;
        if (cw_grow(&refs, &cref, nref + 1, sizeof *refs, 64))
            goto out;
        ref_t *f = &refs[nref++];
        const cw_evm_row_move *row = cw_evmstore_move(dst, mv);
        f->asset = asset;
        f->time = block_time(dst, row->block);
        f->amount = cw_evmstore_move_amount(dst, row);
        f->sat = sat;
        f->r = 0;
        for (int k = 3; k >= 0; k--)
            f->r = f->r * 18446744073709551616.0 + (double)f->amount.w[k];
        f->r /= (double)sat;
    }
    if (nref > 1)
        qsort(refs, nref, sizeof *refs, cmp_ref);

    /* each exit: certain, refunded, or a probable candidate */
    if (nd && (!(ds = calloc(nd, sizeof *ds)) || !(ds_dep = calloc(nd, sizeof *ds_dep)) ||
               !(rcpt = calloc(nd, sizeof *rcpt)) || !(expect = calloc(nd, sizeof *expect))))
        goto out;
    uint32_t fee_bps =
        (uint32_t)((2ull * o->slip_bps * 10000 + 10000 + o->slip_bps - 1) / (10000 + o->slip_bps));
    for (size_t i = 0; i < nd; i++) {
        const dep_t *d = &deps[i];
        if (!prefix || strcasecmp(d->m.chain, prefix)) {
            if (!add_row(&rows, d, CW_BTCEVM_OTHER_CHAIN))
                goto out;
            continue;
        }
        if (!d->ok) {
            if (!add_row(&rows, d, CW_BTCEVM_NO_ADDRESS))
                goto out;
            continue;
        }
        uint8_t shown[32];
        const uint8_t *le = cw_chainstore_txid(bs, d->tx);
        for (int k = 0; k < 32; k++)
            shown[k] = le[31 - k];
        cw_evm_addr a;
        uint32_t to = memo_account(dst, &d->m, &a), asset = memo_asset(dst, &d->m);
        bool done = false;
        for (size_t k = 0; k < nn; k++) {
            if (named[k].refund || memcmp(named[k].h, shown, 32))
                continue;
            uint64_t mv = payout_move(dst, named[k].tx, to, asset);
            if (mv == CW_EVM_NONE64)
                continue;
            cw_xchain_btcevm_exit *e = add_row(&rows, d, CW_BTCEVM_OUT_MEMO);
            if (!e)
                goto out;
            set_payout(e, dst, mv);
            e->to_memo_address = to != CW_EVM_NONE32 && e->recipient == to;
            e->score = 1;
            e->traced_on = true;
            done = true;
        }
        for (size_t k = 0; k < nr && !done; k++)
            if (refunds[k].tx > d->tx && !memcmp(refunds[k].h, shown, 32)) {
                cw_xchain_btcevm_exit *e = add_row(&rows, d, CW_BTCEVM_REFUND);
                if (!e)
                    goto out;
                e->refund_tx = refunds[k].tx;
                done = true;
            }
        if (done)
            continue;
        const ref_t *rf = asset != CW_EVM_NONE32 ? rate_near(refs, nref, asset, d->time) : NULL;
        if (!rf || to == CW_EVM_NONE32 || !nv) {
            if (!add_row(&rows, d, CW_BTCEVM_NOT_SEEN))
                goto out;
            continue;
        }
        cw_xchain_evm_side *s = &ds[nds];
        memcpy(s->to, a.b, 20);
        const cw_evm_row_asset *ar = cw_evmstore_asset(dst, asset);
        snprintf(s->symbol, sizeof s->symbol, "asset:%u;", asset);
        s->decimals = ar && ar->decimals != 255 ? ar->decimals : 0;
        cw_u256 sat, refsat, up, tenk;
        cw_u256_from_u64(&sat, d->deposit);
        cw_u256_from_u64(&refsat, rf->sat);
        cw_u256_from_u64(&up, 10000u + o->slip_bps);
        cw_u256_from_u64(&tenk, 10000);
        expect[nds] = cw_u256_muldiv(&sat, &rf->amount, &refsat);
        s->amount = cw_u256_muldiv(&expect[nds], &up, &tenk);
        s->time = d->time;
        rcpt[nds] = to;
        ds_dep[nds++] = i;
    }

    /* the vault's credits into each candidate's address inside its window */
    for (size_t i = 0; i < nds; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = rcpt[j] == rcpt[i];
        cw_evm_row_acctlast al;
        if (seen)
            continue;
        if (cw_evmstore_acctlast(dst, rcpt[i], &al)) {
            cw_error_clear();
            continue;
        }
        uint64_t lo = UINT64_MAX, hi = 0;
        for (size_t j = i; j < nds; j++)
            if (rcpt[j] == rcpt[i]) {
                lo = ds[j].time < lo ? ds[j].time : lo;
                hi = ds[j].time + o->window_s > hi ? ds[j].time + o->window_s : hi;
            }
        for (uint64_t m = al.last_in; m != CW_EVM_NONE64;
             m = cw_evmstore_movelink(dst, m).prev_in) {
            const cw_evm_row_move *mv = cw_evmstore_move(dst, m);
            if (!mv)
                break;
            uint64_t tm = block_time(dst, mv->block);
            if (tm < lo)
                break;
            named_t key = {.tx = mv->tx};
            if (tm > hi || !is_credit(mv->kind) || mv->to != rcpt[i] ||
                !bsearch(&mv->from, vault, nv, sizeof *vault, cmp_u32) ||
                (nn && bsearch(&key, named, nn, sizeof *named, cmp_named_tx)))
                continue; /* not the vault's, or an outbound naming another inbound */
            if (cw_grow(&cs, &cc, nc + 1, sizeof *cs, 64) ||
                cw_grow(&cs_move, &cm, nc + 1, sizeof *cs_move, 64))
                goto out;
            cw_xchain_evm_side *c = &cs[nc];
            memset(c, 0, sizeof *c);
            memcpy(c->to, ds[i].to, 20);
            const cw_evm_row_asset *ar = cw_evmstore_asset(dst, mv->asset);
            snprintf(c->symbol, sizeof c->symbol, "asset:%u;", mv->asset);
            c->decimals = ar && ar->decimals != 255 ? ar->decimals : 0;
            c->amount = cw_evmstore_move_amount(dst, mv);
            c->time = tm;
            cs_move[nc++] = m;
        }
    }
    cw_xchain_evm_opts eo;
    cw_xchain_evm_opts_init(&eo);
    eo.window_s = o->window_s;
    eo.prompt_s = o->prompt_s;
    eo.fee_bps = fee_bps;
    eo.min_score = o->min_score;
    if ((rc = cw_xchain_evm_match(&links, &nl, ds, nds, cs, nc, &eo)))
        goto out;
    rc = CW_ENOMEM;
    for (size_t k = 0; k < nds; k++) {
        const cw_xchain_evm_link *l = NULL;
        for (size_t j = 0; j < nl && !l; j++)
            if (links[j].deposit == k)
                l = &links[j];
        cw_xchain_btcevm_exit *e =
            add_row(&rows, &deps[ds_dep[k]], l ? CW_BTCEVM_AMOUNT_TIME : CW_BTCEVM_NOT_SEEN);
        if (!e)
            goto out;
        if (!l)
            continue;
        set_payout(e, dst, cs_move[l->credit]);
        e->to_memo_address = true;
        e->score = l->score;
        e->fits = l->fits;
        e->traced_on = l->traced;
        e->expected = expect[k];
    }
    if (rows.n > 1)
        qsort(rows.v, rows.n, sizeof *rows.v, cmp_row);
    *out = rows.v;
    *n = rows.n;
    rows.v = NULL;
    rc = 0;
out:
    if (rc == CW_ENOMEM)
        cw_error_set(CW_ENOMEM, "bridge payouts: out of memory");
    free(rows.v);
    free(deps);
    free(named);
    free(refunds);
    free(vault);
    free(rcpt);
    free(refs);
    free(ds);
    free(ds_dep);
    free(cs);
    free(cs_move);
    free(links);
    free(expect);
    return rc;
}
