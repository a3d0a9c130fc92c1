/*
 * acct_screen.c: exposure screening on an EVM store (include/chainwatch/acct_screen.h).
 * Depth-first over receipts, newest first along each account's in-chain (movelink.col
 * prev_in), carrying the share each receipt explains; labelled senders end a branch.
 */
#include <string.h>

#include "chainwatch/acct_screen.h"
#include "chainwatch/errors.h"

void cw_acct_screen_opts_init(cw_acct_screen_opts *o)
{
    o->max_hops = 30;
    o->floor = 0.001;
    o->before = CW_EVM_NONE64;
    o->max_inflows = 20000;
}

typedef struct walk {
    const cw_evmstore *s;
    uint32_t asset;
    cw_acct_categories_fn cats;
    void *ctx;
    const cw_acct_screen_opts *o;
    cw_acct_exposure *e;
    uint32_t path_acct[32];
    uint64_t path_move[32];
} walk;

static bool counts(const cw_evm_row_move *m, uint32_t asset)
{
    return m->asset == asset && m->kind != CW_EVM_MOVE_FEE_BURNT &&
           m->kind != CW_EVM_MOVE_FEE_TIP && m->kind != CW_EVM_MOVE_ERC721 &&
           m->kind != CW_EVM_MOVE_ERC1155;
}

/* u256 as a double (shares only: the rounding is far below any floor) */
static double dbl(const cw_u256 *v)
{
    return (double)v->w[0] +
           18446744073709551616.0 *
               ((double)v->w[1] + 18446744073709551616.0 *
                                      ((double)v->w[2] + 18446744073709551616.0 * (double)v->w[3]));
}

static void add_top(cw_acct_exposure *e, uint32_t cat, double share, const walk *w, uint32_t n)
{
    size_t k = e->n_top < 5 ? e->n_top++ : 4;
    if (e->n_top == 5 && k == 4 && e->top[4].share >= share)
        return;
    cw_acct_exposure_path *p = &e->top[k];
    p->category = cat;
    p->share = share;
    p->n = n;
    memcpy(p->accounts, w->path_acct, n * sizeof *p->accounts);
    memcpy(p->moves, w->path_move, n * sizeof *p->moves);
    while (k > 0 && e->top[k - 1].share < e->top[k].share) { /* keep sorted, strongest first */
        cw_acct_exposure_path t = e->top[k - 1];
        e->top[k - 1] = e->top[k];
        e->top[k] = t;
        k--;
    }
}

static void visit(walk *w, uint32_t account, uint64_t before, uint32_t depth, double weight)
{
    cw_acct_exposure *e = w->e;
    e->accounts_visited++;
    const cw_evm_row_acctlast *l = cw_evmstore_acctlast(w->s, account);
    if (!l)
        return;
    /* what it received of the asset before `before` */
    cw_u256 total = {{0}};
    uint32_t n = 0;
    for (uint64_t m = l->last_in; m != CW_EVM_NONE64 && n < w->o->max_inflows;
         m = cw_evmstore_movelink(w->s, m)->prev_in) {
        const cw_evm_row_move *r = cw_evmstore_move(w->s, m);
        if (m >= before || !counts(r, w->asset))
            continue;
        cw_u256 a = cw_evm_amount(r->amount);
        cw_u256_add(&total, &total, &a);
        n++;
    }
    if (depth == 0)
        e->received = total;
    double t = dbl(&total);
    if (t <= 0) {
        e->unexplored += weight; /* nothing explains it: a store starting mid-chain */
        return;
    }
    n = 0;
    for (uint64_t m = l->last_in; m != CW_EVM_NONE64 && n < w->o->max_inflows;
         m = cw_evmstore_movelink(w->s, m)->prev_in) {
        const cw_evm_row_move *r = cw_evmstore_move(w->s, m);
        if (m >= before || !counts(r, w->asset))
            continue;
        n++;
        e->receipts_read++;
        cw_u256 a = cw_evm_amount(r->amount);
        double share = weight * dbl(&a) / t;
        if (share <= 0)
            continue;
        if (depth < 32) {
            w->path_acct[depth] = account;
            w->path_move[depth] = m;
        }
        if (r->from == CW_EVM_NONE32) {
            e->received_share_minted += share;
            continue;
        }
        uint32_t c = w->cats ? w->cats(w->ctx, r->from) : 0;
        if (c) {
            for (uint32_t k = 0; k < CW_ACCT_MAX_CATEGORIES; k++) {
                if (!(c & (1u << k)))
                    continue;
                if (depth == 0)
                    e->direct[k] += share;
                else
                    e->indirect[k] += share;
                /* accounts: the screened one .. the labelled sender; moves[i]: the receipt
                 * that links accounts[i] to accounts[i + 1] */
                if (depth + 1 < 32)
                    w->path_acct[depth + 1] = r->from;
                add_top(e, k, share, w, depth + 2 < 32 ? depth + 2 : 32);
            }
            continue;
        }
        if (share < w->o->floor || depth + 1 >= w->o->max_hops || r->from == account) {
            e->unexplored += share;
            continue;
        }
        visit(w, r->from, m, depth + 1, share);
    }
}

int cw_acct_screen(cw_acct_exposure *out, const cw_evmstore *s, uint32_t account, uint32_t asset,
                   cw_acct_categories_fn cats, void *ctx, const cw_acct_screen_opts *o)
{
    memset(out, 0, sizeof *out);
    out->asset = asset;
    walk w = {s, asset, cats, ctx, o, out, {0}, {0}};
    visit(&w, account, o->before, 0, 1.0);
    if (cw_u256_is_zero(&out->received))
        return cw_error_set(CW_ENOTFOUND, "the account never received this asset");
    return 0;
}
