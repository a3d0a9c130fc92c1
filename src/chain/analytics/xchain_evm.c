/*
 * xchain_evm.c: bridge exits continued into another EVM chain's store (xchain_evm.h,
 * docs/TRACE-MODELS.md "Cross-chain: into another EVM chain").
 *
 * The matcher is pure (two arrays of sides); the store side gathers the deposits from the
 * exits and, per distinct recipient, the credits into that account on the destination store
 * (walking its incoming movements backward from its last along the store's links) inside the
 * union of its deposits' windows.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "chainwatch/xchain_evm.h"

void cw_xchain_evm_opts_init(cw_xchain_evm_opts *o)
{
    memset(o, 0, sizeof *o);
    o->window_s = 24 * 3600;
    o->prompt_s = 3600;
    o->fee_bps = 100;
    o->min_score = 0.2;
}

/* case-insensitive: does h contain n */
static bool contains(const char *h, const char *n)
{
    size_t ln = strlen(n), lh = strlen(h);
    for (size_t i = 0; ln && i + ln <= lh; i++) {
        size_t k = 0;
        while (k < ln && tolower((unsigned char)h[i + k]) == tolower((unsigned char)n[k]))
            k++;
        if (k == ln)
            return true;
    }
    return false;
}

/* the same asset, or a bridged form of it (USDC.e for USDC, bETH / WETH for ETH): the same
 * decimals and one symbol (3 letters at least) inside the other */
static bool same_asset(const cw_xchain_evm_side *d, const cw_xchain_evm_side *c)
{
    if (d->decimals != c->decimals || d->decimals == 255)
        return false;
    size_t a = strlen(d->symbol), b = strlen(c->symbol);
    if (a < 3 || b < 3)
        return false;
    return a <= b ? contains(c->symbol, d->symbol) : contains(d->symbol, c->symbol);
}

/* the credit fits the deposit by recipient, asset, amount within the fee and time */
static bool fits(const cw_xchain_evm_side *d, const cw_xchain_evm_side *c,
                 const cw_xchain_evm_opts *o)
{
    if (memcmp(d->to, c->to, 20) != 0 || c->time < d->time || c->time - d->time > o->window_s)
        return false;
    if (d->has_id && c->has_id) /* the bridge names the deposit: nothing else decides */
        return d->id == c->id;
    if (!same_asset(d, c) || cw_u256_cmp(&c->amount, &d->amount) > 0)
        return false;
    cw_u256 keep, ten_k;
    cw_u256_from_u64(&keep, 10000u - (o->fee_bps > 10000 ? 10000 : o->fee_bps));
    cw_u256_from_u64(&ten_k, 10000);
    cw_u256 least = cw_u256_muldiv(&d->amount, &keep, &ten_k);
    return cw_u256_cmp(&c->amount, &least) >= 0;
}

typedef struct {
    const cw_xchain_evm_side *v;
    size_t i;
} order_t;
static int by_time(const void *a, const void *b)
{
    const order_t *x = a, *y = b;
    if (x->v[x->i].time != y->v[y->i].time)
        return x->v[x->i].time < y->v[y->i].time ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

int cw_xchain_evm_match(cw_xchain_evm_link **links, size_t *n, const cw_xchain_evm_side *deposits,
                        size_t n_deposits, const cw_xchain_evm_side *credits, size_t n_credits,
                        const cw_xchain_evm_opts *o)
{
    *links = NULL;
    *n = 0;
    order_t *ord = n_deposits ? malloc(n_deposits * sizeof *ord) : NULL;
    bool *used = n_credits ? calloc(n_credits, sizeof *used) : NULL;
    cw_xchain_evm_link *out = n_deposits ? malloc(n_deposits * sizeof *out) : NULL;
    if ((n_deposits && (!ord || !out)) || (n_credits && !used)) {
        free(ord);
        free(used);
        free(out);
        return cw_error_set(CW_ENOMEM, "bridge payouts: out of memory");
    }
    for (size_t i = 0; i < n_deposits; i++)
        ord[i] = (order_t){deposits, i};
    if (n_deposits > 1)
        qsort(ord, n_deposits, sizeof *ord, by_time);
    size_t k = 0;
    for (size_t oi = 0; oi < n_deposits; oi++) {
        const cw_xchain_evm_side *d = &deposits[ord[oi].i];
        size_t best = SIZE_MAX;
        uint32_t nfit = 0;
        bool by_id = false;
        for (size_t c = 0; c < n_credits; c++) {
            if (!fits(d, &credits[c], o))
                continue;
            nfit++;
            if (!used[c] && (best == SIZE_MAX || credits[c].time < credits[best].time))
                best = c;
        }
        if (best == SIZE_MAX)
            continue;
        by_id = d->has_id && credits[best].has_id;
        used[best] = true;
        double score = 1.0;
        if (!by_id) {
            uint64_t dt = credits[best].time - d->time;
            double tf = 1.0;
            if (dt > o->prompt_s && o->window_s > o->prompt_s)
                tf = 1.0 - 0.5 * (double)(dt - o->prompt_s) / (double)(o->window_s - o->prompt_s);
            score = tf / (double)nfit;
            if (d->assumed)
                score *= 0.5;
        }
        out[k++] = (cw_xchain_evm_link){ord[oi].i, best, score, by_id, nfit, score >= o->min_score};
    }
    free(ord);
    free(used);
    *links = out;
    *n = k;
    return 0;
}

/* ---- the stores ---- */

static void asset_of(const cw_evmstore *s, uint32_t id, cw_xchain_evm_side *v)
{
    const cw_evm_row_asset *a = cw_evmstore_asset(s, id);
    v->decimals = a ? a->decimals : 255;
    if (a && a->kind == CW_EVM_ASSET_KIND_NATIVE && !a->symbol[0])
        snprintf(v->symbol, sizeof v->symbol, "%s", cw_evmstore_chain(s)->symbol);
    else if (a)
        snprintf(v->symbol, sizeof v->symbol, "%.*s", (int)sizeof a->symbol, a->symbol);
}

static uint64_t block_time(const cw_evmstore *s, uint64_t number)
{
    const cw_evm_row_block *b = cw_evmstore_block(s, number);
    return b ? b->timestamp : 0;
}

static bool credit_kind(unsigned k)
{
    return k == CW_EVM_MOVE_TX || k == CW_EVM_MOVE_INTERNAL || k == CW_EVM_MOVE_ERC20 ||
           k == CW_EVM_MOVE_WRAP || k == CW_EVM_MOVE_SELFDESTRUCT;
}

int cw_xchain_evm_payouts(cw_xchain_evm_payout **out, size_t *n, const cw_evmstore *src,
                          const cw_xchain_result *x, const cw_evmstore *dst,
                          const cw_xchain_evm_opts *o)
{
    *out = NULL;
    *n = 0;
    size_t ne;
    const cw_xchain_exit *ex = cw_xchain_result_exits(x, &ne);
    uint64_t chain = cw_evmstore_chain(dst)->chain_id;
    char want[32];
    snprintf(want, sizeof want, "eip155:%llu", (unsigned long long)chain);
    cw_xchain_evm_side *dep = ne ? calloc(ne, sizeof *dep) : NULL;
    size_t *dep_exit = ne ? calloc(ne, sizeof *dep_exit) : NULL;
    uint32_t *rcpt = ne ? calloc(ne, sizeof *rcpt) : NULL; /* dst account per deposit */
    cw_xchain_evm_side *cr = NULL;
    uint64_t *cr_move = NULL;
    size_t nd = 0, nc = 0, cap = 0;
    cw_xchain_evm_link *links = NULL;
    size_t nl = 0;
    int rc = 0;
    if (ne && (!dep || !dep_exit || !rcpt)) {
        rc = cw_error_set(CW_ENOMEM, "bridge payouts: out of memory");
        goto out;
    }
    for (size_t i = 0; i < ne; i++) {
        const cw_xchain_exit *e = &ex[i];
        cw_xchain_evm_side *d = &dep[nd];
        if (e->status == CW_XCHAIN_NO_MEMO) {
            /* no destination recorded: the depositor's own address, as bridges default to */
            const cw_evm_row_tx *t = cw_evmstore_tx(src, e->tx);
            const cw_evm_row_account *a = t ? cw_evmstore_account(src, t->from) : NULL;
            if (!a)
                continue;
            memcpy(d->to, a->addr, 20);
            d->assumed = true;
        } else if ((e->from == CW_XCHAIN_FROM_EVENT || e->from == CW_XCHAIN_FROM_CALL) &&
                   !strcmp(e->parsed.chain, want) && strlen(e->parsed.dest) == 42 &&
                   cw_hex_decode(d->to, 20, e->parsed.dest + 2) == 0) {
            d->assumed = false;
        } else {
            cw_error_clear();
            continue;
        }
        cw_evm_addr ad;
        memcpy(ad.b, d->to, 20);
        if (cw_evmstore_find_account(dst, &ad, &rcpt[nd]) != 0) {
            cw_error_clear(); /* the recipient never appears on the destination chain */
            continue;
        }
        asset_of(src, e->asset, d);
        /* the whole deposit: the bridge pays for all of it, tainted or not */
        const cw_evm_row_move *mv = cw_evmstore_move(src, e->move);
        d->amount = mv ? cw_evmstore_move_amount(src, mv) : e->amount;
        d->time = e->time;
        dep_exit[nd++] = i;
    }
    /* the credits into each distinct recipient inside its deposits' windows */
    for (size_t i = 0; i < nd; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = rcpt[j] == rcpt[i];
        if (seen)
            continue;
        uint64_t lo = UINT64_MAX, hi = 0;
        for (size_t j = i; j < nd; j++)
            if (rcpt[j] == rcpt[i]) {
                lo = dep[j].time < lo ? dep[j].time : lo;
                hi = dep[j].time + o->window_s > hi ? dep[j].time + o->window_s : hi;
            }
        cw_evm_row_acctlast al;
        if (cw_evmstore_acctlast(dst, rcpt[i], &al) != 0) {
            cw_error_clear();
            continue;
        }
        for (uint64_t m = al.last_in; m != CW_EVM_NONE64;
             m = cw_evmstore_movelink(dst, m).prev_in) {
            const cw_evm_row_move *mv = cw_evmstore_move(dst, m);
            if (!mv)
                break;
            uint64_t t = block_time(dst, mv->block);
            if (t < lo)
                break;
            if (t > hi || !credit_kind(mv->kind) || mv->to != rcpt[i] || mv->from == rcpt[i] ||
                mv->tx == CW_EVM_NONE64)
                continue;
            if (nc == cap) {
                size_t nc2 = cap ? 2 * cap : 64;
                cw_xchain_evm_side *c2 = realloc(cr, nc2 * sizeof *c2);
                if (c2)
                    cr = c2;
                uint64_t *m2 = c2 ? realloc(cr_move, nc2 * sizeof *m2) : NULL;
                if (!m2) {
                    rc = cw_error_set(CW_ENOMEM, "bridge payouts: out of memory");
                    goto out;
                }
                cr_move = m2;
                cap = nc2;
            }
            cw_xchain_evm_side *c = &cr[nc];
            memset(c, 0, sizeof *c);
            memcpy(c->to, dep[i].to, 20);
            asset_of(dst, mv->asset, c);
            c->amount = cw_evmstore_move_amount(dst, mv);
            c->time = t;
            cr_move[nc++] = m;
        }
    }
    if ((rc = cw_xchain_evm_match(&links, &nl, dep, nd, cr, nc, o)))
        goto out;
    if (nl && !(*out = calloc(nl, sizeof **out))) {
        rc = cw_error_set(CW_ENOMEM, "bridge payouts: out of memory");
        goto out;
    }
    for (size_t i = 0; i < nl; i++) {
        const cw_evm_row_move *mv = cw_evmstore_move(dst, cr_move[links[i].credit]);
        cw_xchain_evm_payout *p = &(*out)[i];
        p->exit = dep_exit[links[i].deposit];
        p->move = cr_move[links[i].credit];
        p->tx = mv->tx;
        p->recipient = mv->to;
        p->asset = mv->asset;
        p->amount = cr[links[i].credit].amount;
        p->block = mv->block;
        p->time = cr[links[i].credit].time;
        p->score = links[i].score;
        p->certain = links[i].certain;
        p->assumed = dep[links[i].deposit].assumed;
        p->traced = links[i].traced;
        p->fits = links[i].fits;
    }
    /* in exit order */
    for (size_t i = 1; i < nl; i++)
        for (size_t j = i; j > 0 && (*out)[j - 1].exit > (*out)[j].exit; j--) {
            cw_xchain_evm_payout t = (*out)[j];
            (*out)[j] = (*out)[j - 1];
            (*out)[j - 1] = t;
        }
    *n = nl;
out:
    free(links);
    free(dep);
    free(dep_exit);
    free(rcpt);
    free(cr);
    free(cr_move);
    return rc;
}
