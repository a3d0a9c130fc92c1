/*
 * test_acct_trace.c: the account-model trace on hand-made movements whose answers are worked
 * out by hand in docs/TRACE-MODELS.md ("Account model"): FIFO, haircut and poison with an
 * opening balance, a DEX swap (the trader's taint converted at the executed rate; the pool
 * passes no taint to the next honest trader), WETH wrap and unwrap, gas fees, stops, hop
 * limits, dust, evidence paths, and exact 256-bit arithmetic far above 2^64 (wei).
 */
#include <stdlib.h>
#include <string.h>

#include "chainwatch/acct_trace.h"
#include "chainwatch/errors.h"
#include "harness.h"

enum {
    V = 1,
    T = 2,
    H1 = 3,
    U = 5,
    X = 10,
    USDT_C = 20,
    P = 30,
    W = 40,
    F = 50,
    M = 60,
    R1 = 61,
    R2 = 62,
    RL = 63
};
enum { ETH = 0, USDT = 1, WETH = 2 };

typedef struct world {
    cw_acct_move *m;
    size_t n;
    uint32_t opening_account, opening_asset;
    cw_u256 opening;
} world;

static cw_u256 u(uint64_t v)
{
    cw_u256 r;
    cw_u256_from_u64(&r, v);
    return r;
}

static int w_next(void *ctx, uint64_t from, cw_acct_move *out)
{
    world *w = ctx;
    for (size_t i = 0; i < w->n; i++)
        if (w->m[i].id >= from) {
            *out = w->m[i];
            return 0;
        }
    return CW_ENOTFOUND;
}

/* Balance before movement `before`: the opening balance plus the movements before it. */
static int w_balance(void *ctx, uint32_t account, uint32_t asset, uint64_t before, cw_u256 *out)
{
    world *w = ctx;
    cw_u256 b = account == w->opening_account && asset == w->opening_asset ? w->opening : u(0);
    for (size_t i = 0; i < w->n && w->m[i].id < before; i++) {
        if (w->m[i].asset != asset)
            continue;
        if (w->m[i].to == account)
            cw_u256_add(&b, &b, &w->m[i].amount);
        if (w->m[i].from == account)
            cw_u256_sub(&b, &b, &w->m[i].amount);
    }
    *out = b;
    return 0;
}

static uint32_t w_asset_account(void *ctx, uint32_t asset)
{
    (void)ctx;
    return asset == USDT ? USDT_C : asset == WETH ? W : CW_ACCT_NONE;
}

static int w_stop(void *ctx, uint32_t account)
{
    (void)ctx;
    return account == X ? CW_ACCT_STOP_EXCHANGE : account == M ? CW_ACCT_STOP_MIXER : 0;
}

static cw_acct_move mv(uint64_t id, uint64_t tx, uint32_t from, uint32_t to, uint32_t asset,
                       uint64_t amount)
{
    cw_acct_move m = {id, tx, from, to, asset, id, 1700000000 + id, false, u(amount), from, false};
    return m;
}

static const cw_acct_end *end_at(const cw_acct_result *r, uint32_t account, uint32_t asset)
{
    size_t n;
    const cw_acct_end *e = cw_acct_result_ends(r, &n);
    for (size_t i = 0; i < n; i++)
        if (e[i].account == account && e[i].asset == asset)
            return &e[i];
    return NULL;
}

static uint64_t amt(const cw_acct_end *e)
{
    return e ? e->amount.w[0] : 0;
}

static cw_acct_result *run(world *w, cw_acct_model model, const uint64_t *src, size_t n_src)
{
    cw_acct_source s = {w,    w_next, w_balance, w_asset_account, w_stop,
                        NULL, NULL,   NULL,      false,           NULL,
                        NULL, NULL,   NULL};
    cw_acct_opts o;
    cw_acct_opts_init(&o);
    o.model = model;
    o.max_hops = 0;
    cw_acct_result *r = NULL;
    CHECK(cw_acct_trace(&r, &s, src, n_src, &o) == 0);
    return r;
}

/* Worked example 1: T held 10 before the theft of 100; 50 clean arrives; T sends 120 to H1,
 * which sends it all to exchange X. */
static void test_basic(void)
{
    cw_acct_move m[] = {mv(1, 1, V, T, ETH, 100), mv(2, 2, U, T, ETH, 50),
                        mv(3, 3, T, H1, ETH, 120), mv(4, 4, H1, X, ETH, 120)};
    world w = {m, 4, T, ETH, u(10)};
    uint64_t src[] = {1};
    cw_acct_result *r = run(&w, CW_ACCT_FIFO, src, 1);
    /* FIFO: 10 clean first, then the 100 stolen: all 100 leave in the 120 */
    CHECK_EQ_INT(amt(end_at(r, X, ETH)), 100);
    CHECK(end_at(r, X, ETH)->stop == CW_ACCT_STOP_EXCHANGE);
    CHECK_EQ_INT(end_at(r, X, ETH)->hops, 2);
    CHECK(end_at(r, T, ETH) == NULL); /* T keeps 40 clean */
    uint64_t *path;
    size_t n;
    size_t ne;
    const cw_acct_end *e = cw_acct_result_ends(r, &ne);
    CHECK(cw_acct_result_path(r, (size_t)(end_at(r, X, ETH) - e), &path, &n) == 0);
    CHECK_EQ_INT(n, 3);
    CHECK(n == 3 && path[0] == 1 && path[1] == 3 && path[2] == 4);
    free(path);
    cw_acct_result_free(r);
    /* haircut: T 160 with 100 tainted; 120 carries 75; T keeps 25 of 40 tainted */
    r = run(&w, CW_ACCT_HAIRCUT, src, 1);
    CHECK_EQ_INT(amt(end_at(r, X, ETH)), 75);
    CHECK_EQ_INT(amt(end_at(r, T, ETH)), 25);
    CHECK(end_at(r, T, ETH)->stop == CW_ACCT_STOP_NONE);
    cw_acct_result_free(r);
    /* poison: reach, the whole 120 */
    r = run(&w, CW_ACCT_POISON, src, 1);
    CHECK_EQ_INT(amt(end_at(r, X, ETH)), 120);
    cw_acct_result_free(r);
}

/* Worked example 2: T swaps 1000 stolen USDT for 5 ETH at pool P (one tx), pays gas, and
 * deposits the ETH at X; then honest U swaps 2 ETH for 400 USDT at the same pool. */
static void test_swap(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, USDT, 1000),
        mv(2, 2, T, P, USDT, 1000),        /* ERC-20 Transfer to the pool */
        mv(3, 2, P, T, ETH, 5),            /* internal transfer out of the pool */
        mv(4, 2, T, CW_ACCT_NONE, ETH, 1), /* burnt fee (from clean ETH: FIFO) */
        mv(5, 3, T, X, ETH, 5),
        mv(6, 4, U, P, ETH, 2),
        mv(7, 4, P, U, USDT, 400),
    };
    m[3].fee = true;
    world w = {m, 7, T, ETH, u(3)};
    uint64_t src[] = {1};
    for (int model = CW_ACCT_HAIRCUT; model <= CW_ACCT_FIFO; model++) {
        cw_acct_result *r = run(&w, (cw_acct_model)model, src, 1);
        size_t nc;
        const cw_acct_conv *c = cw_acct_result_convs(r, &nc);
        CHECK_EQ_INT(nc, 1);
        if (nc == 1) {
            CHECK(c[0].account == T && c[0].venue == P && c[0].from_asset == USDT &&
                  c[0].to_asset == ETH && !c[0].probable);
            CHECK_EQ_INT(c[0].tainted_out.w[0], 5);
        }
        if (model == CW_ACCT_FIFO) {
            /* T held 3 clean ETH first: the fee takes 1 of it, the deposit 2 clean + 3 of
             * the 5 converted */
            CHECK_EQ_INT(amt(end_at(r, X, ETH)), 3);
            CHECK_EQ_INT(amt(end_at(r, T, ETH)), 2);
        } else {
            /* haircut: after the swap and the fee T holds 7 ETH, 5 of them tainted (the
             * converted 5); the 5 deposited carry floor(5 * 5 / 7) = 3 */
            CHECK_EQ_INT(amt(end_at(r, X, ETH)), 3);
        }
        CHECK(end_at(r, U, USDT) == NULL); /* the pool passes nothing to the honest trader */
        CHECK(end_at(r, P, USDT) == NULL && end_at(r, P, ETH) == NULL);
        cw_acct_result_free(r);
    }
}

/* Worked example 3: wrap 2 ETH to WETH (a mint), deposit the WETH; honest U unwraps later. */
static void test_wrap(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 2),
        mv(2, 2, T, W, ETH, 2),
        mv(3, 2, CW_ACCT_NONE, T, WETH, 2), /* Deposit: minted to T */
        mv(4, 3, T, X, WETH, 2),
        mv(5, 4, U, CW_ACCT_NONE, WETH, 1), /* Withdrawal: burnt from U */
        mv(6, 4, W, U, ETH, 1),
    };
    world w = {m, 6, 0, 0, u(0)};
    uint64_t src[] = {1};
    cw_acct_result *r = run(&w, CW_ACCT_FIFO, src, 1);
    CHECK_EQ_INT(amt(end_at(r, X, WETH)), 2);
    CHECK(end_at(r, U, ETH) == NULL);
    CHECK(end_at(r, W, ETH) == NULL);
    cw_acct_result_free(r);
}

/* 256-bit amounts: 401,000 ETH in wei (4.01e23, above 2^64) split by haircut. */
static void test_big(void)
{
    cw_u256 stolen, clean, out, q;
    CHECK(cw_u256_parse(&stolen, "401000000000000000000000", 24) == 0);
    CHECK(cw_u256_parse(&clean, "99000000000000000000000", 23) == 0);
    CHECK(cw_u256_parse(&out, "250000000000000000000000", 24) == 0);
    cw_acct_move m[] = {mv(1, 1, V, T, ETH, 0), mv(2, 2, U, T, ETH, 0), mv(3, 3, T, X, ETH, 0)};
    m[0].amount = stolen;
    m[1].amount = clean;
    m[2].amount = out;
    world w = {m, 3, 0, 0, u(0)};
    uint64_t src[] = {1};
    cw_acct_result *r = run(&w, CW_ACCT_HAIRCUT, src, 1);
    const cw_acct_end *e = end_at(r, X, ETH);
    char dec[CW_U256_DEC_MAX];
    CHECK(e != NULL);
    if (e) {
        cw_u256_to_dec(dec, &e->amount);
        /* 401000/500000 * 250000 = 200500 ETH exactly */
        CHECK_EQ_STR(dec, "200500000000000000000000");
    }
    cw_acct_result_free(r);
    /* muldiv against a case needing all 512 bits: (2^255) * (2^255) / (2^255) = 2^255 */
    cw_u256 big = {{0, 0, 0, 1ull << 63}};
    q = cw_u256_muldiv(&big, &big, &big);
    CHECK(memcmp(&q, &big, sizeof q) == 0);
    cw_u256 three = u(3), seven = u(7);
    q = cw_u256_muldiv(&big, &three, &seven); /* floor(3 * 2^255 / 7) */
    /* 3 * 2^255 / 7 = 2^255 * 3/7: check with the identity floor(q * 7 / 3) <= 2^255 and
     * floor((q + 1) * 7 / 3) > 2^255 */
    cw_u256 r7 = cw_u256_muldiv(&q, &seven, &three), one = u(1), q1;
    CHECK(cw_u256_cmp(&r7, &big) <= 0);
    cw_u256_add(&q1, &q, &one);
    r7 = cw_u256_muldiv(&q1, &seven, &three);
    CHECK(cw_u256_cmp(&r7, &big) > 0);
}

/* Hop limit and dust. */
static void test_limits(void)
{
    cw_acct_move m[] = {mv(1, 1, V, T, ETH, 100), mv(2, 2, T, H1, ETH, 100),
                        mv(3, 3, H1, F, ETH, 99), mv(4, 4, H1, U, ETH, 1)};
    world w = {m, 4, 0, 0, u(0)};
    uint64_t src[] = {1};
    cw_acct_source s = {&w,   w_next, w_balance, w_asset_account, w_stop,
                        NULL, NULL,   NULL,      false,           NULL,
                        NULL, NULL,   NULL};
    cw_acct_opts o;
    cw_acct_opts_init(&o);
    o.max_hops = 2;
    o.min_amount = u(5);
    cw_acct_result *r = NULL;
    CHECK(cw_acct_trace(&r, &s, src, 1, &o) == 0);
    CHECK_EQ_INT(amt(end_at(r, F, ETH)), 99);
    CHECK(end_at(r, F, ETH) && end_at(r, F, ETH)->stop == CW_ACCT_STOP_OTHER);
    CHECK(end_at(r, U, ETH) == NULL); /* 1 is below the dust floor of 5 */
    size_t na;
    const cw_u256 *sourced, *fees, *dust, *burnt;
    cw_acct_result_totals(r, &na, &sourced, &fees, &dust, &burnt);
    CHECK_EQ_INT(dust[ETH].w[0], 1);
    CHECK_EQ_INT(sourced[ETH].w[0], 100);
    cw_acct_result_free(r);
}

/* Worked example 4: a mixer pool of 10-unit notes. T deposits 3 stolen notes, honest U 1.
 * Withdrawal A (9 to R1 + 1 to relayer RL) is sent by RL: its score is the tainted share of the
 * notes outstanding, 3/4 = 0.75, below 0.9: not linked. Withdrawal B (10 to R2) is paid for
 * by T, who still holds stolen funds: gas-funding reuse, score 0.95: linked, probable. */
static void test_mixer(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 100), mv(2, 2, T, M, ETH, 10),  mv(3, 3, T, M, ETH, 10),
        mv(4, 4, T, M, ETH, 10),  mv(5, 5, U, M, ETH, 10),  mv(6, 6, M, R1, ETH, 9),
        mv(7, 6, M, RL, ETH, 1),  mv(8, 7, M, R2, ETH, 10), mv(9, 8, R2, X, ETH, 10),
    };
    m[5].tx_from = m[6].tx_from = RL;
    m[7].tx_from = T;
    world w = {m, 9, 0, 0, u(0)};
    uint64_t src[] = {1};
    cw_acct_source s = {&w,   w_next, w_balance, w_asset_account, w_stop,
                        NULL, NULL,   NULL,      false,           NULL,
                        NULL, NULL,   NULL};
    cw_acct_opts o;
    cw_acct_opts_init(&o);
    o.through_mixer = true;
    cw_acct_result *r = NULL;
    CHECK(cw_acct_trace(&r, &s, src, 1, &o) == 0);
    size_t n;
    const cw_acct_mixlink *l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK(l[0].recipient == R2 && l[0].sender_reuse && l[0].score >= 0.95);
        CHECK_EQ_INT(l[0].denomination.w[0], 10);
    }
    CHECK_EQ_INT(amt(end_at(r, X, ETH)), 10);                /* reached through the link */
    CHECK(end_at(r, X, ETH) && end_at(r, X, ETH)->probable); /* and says so */
    CHECK(end_at(r, R1, ETH) == NULL);                       /* the unlinked withdrawal: nothing */
    CHECK_EQ_INT(amt(end_at(r, M, ETH)), 30);                /* entered the mixer */
    cw_acct_result_free(r);
    /* without --through-mixer the trace stops at the pool */
    o.through_mixer = false;
    CHECK(cw_acct_trace(&r, &s, src, 1, &o) == 0);
    CHECK(end_at(r, X, ETH) == NULL);
    cw_acct_result_free(r);
}

/* Worked example 5: a swap that pays another account. T gives 1000 stolen USDT to pool P, and
 * P pays the 5 ETH to Y (a fresh address of T's), which deposits them at X. T gains nothing
 * in that tx: the taint goes to the account the swap paid, exact (one giver, one gainer). */
static void test_swap_recipient(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, USDT, 1000), mv(2, 2, T, P, USDT, 1000), mv(3, 2, P, H1, ETH, 5),
        mv(4, 3, H1, X, ETH, 5),    mv(5, 4, U, P, ETH, 2), /* an honest trader after: the pool
                                                               passes nothing to U */
        mv(6, 4, P, U, USDT, 400),
    };
    world w = {m, 6, 0, 0, u(0)};
    uint64_t src[] = {1};
    cw_acct_result *r = run(&w, CW_ACCT_FIFO, src, 1);
    size_t nc;
    const cw_acct_conv *c = cw_acct_result_convs(r, &nc);
    CHECK_EQ_INT(nc, 1);
    if (nc == 1) {
        CHECK(c[0].account == T && c[0].recipient == H1 && c[0].venue == P &&
              c[0].from_asset == USDT && c[0].to_asset == ETH && !c[0].probable);
        CHECK_EQ_INT(c[0].tainted_out.w[0], 5);
    }
    CHECK_EQ_INT(amt(end_at(r, X, ETH)), 5);
    CHECK(end_at(r, U, USDT) == NULL);
    cw_acct_result_free(r);
}

/* Worked example 6: convergence. Mixer M of 10-unit notes: T deposits 3 stolen notes, honest
 * U 3 (the tainted share 3/6 = 0.5: no link by score). T's own funds reach its deposit address
 * D directly. Three withdrawals, all by relayer RL: to R1, who later pays D (the thief's
 * deposit address, which direct taint reached): linked by convergence; to R2, who pays A, an
 * address of T's holding only stolen funds: linked; to R3, who pays its own deposit address
 * D3 (no taint reached it): not linked. */
enum { D = 70, D3 = 71, R3 = 72, A = 73 };

static int c_stop(void *ctx, uint32_t account)
{
    (void)ctx;
    return account == D || account == D3 ? CW_ACCT_STOP_EXCHANGE
           : account == M                ? CW_ACCT_STOP_MIXER
                                         : 0;
}

static bool c_personal(void *ctx, uint32_t account)
{
    (void)ctx;
    return account == D || account == D3;
}

/* No movement of the account before movement `before` (the hand-made worlds start at
 * genesis). */
static bool w_fresh(void *ctx, uint32_t account, uint64_t before)
{
    world *w = ctx;
    for (size_t i = 0; i < w->n && w->m[i].id < before; i++)
        if (w->m[i].from == account || w->m[i].to == account)
            return false;
    return true;
}

/* Notes of denom in account before `before`: deposits of exactly denom less the txs whose
 * outflows from the account sum to denom. */
static int w_notes(void *ctx, uint32_t account, uint32_t asset, const cw_u256 *denom,
                   uint64_t before, uint64_t *out)
{
    world *w = ctx;
    uint64_t in = 0, wd = 0;
    for (size_t i = 0; i < w->n && w->m[i].id < before; i++) {
        const cw_acct_move *m = &w->m[i];
        if (m->asset != asset)
            continue;
        if (m->to == account && cw_u256_cmp(&m->amount, denom) == 0)
            in++;
        if (m->from == account && (i == 0 || w->m[i - 1].tx != m->tx)) {
            cw_u256 sum = u(0);
            for (size_t k = i; k < w->n && w->m[k].tx == m->tx; k++)
                if (w->m[k].from == account && w->m[k].asset == asset)
                    cw_u256_add(&sum, &sum, &w->m[k].amount);
            wd += cw_u256_cmp(&sum, denom) == 0;
        }
    }
    *out = in > wd ? in - wd : 0;
    return 0;
}

/* A trace from movement 1 through mixers, with the given stops, personal stops and bridge
 * destinations (any may be NULL), following candidates or not; the world is its whole history
 * (fresh addresses known, running pool balances exact) unless partial. */
static cw_acct_result *run_mix_h(world *w, int (*stop)(void *, uint32_t),
                                 bool (*personal)(void *, uint32_t),
                                 uint64_t (*dest)(void *, uint64_t), bool follow, bool partial)
{
    uint64_t src[] = {1};
    cw_acct_source s = {w,         w_next,
                        w_balance, w_asset_account,
                        stop,      personal,
                        dest,      partial ? NULL : w_fresh,
                        !partial,  partial ? NULL : w_notes,
                        NULL,      NULL,
                        NULL};
    cw_acct_opts o;
    cw_acct_opts_init(&o);
    o.through_mixer = true;
    o.follow_candidates = follow;
    cw_acct_result *r = NULL;
    CHECK(cw_acct_trace(&r, &s, src, 1, &o) == 0);
    return r;
}

static cw_acct_result *run_mix(world *w, int (*stop)(void *, uint32_t),
                               bool (*personal)(void *, uint32_t),
                               uint64_t (*dest)(void *, uint64_t), bool follow)
{
    return run_mix_h(w, stop, personal, dest, follow, false);
}

static void test_converge(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 100),  mv(2, 2, T, M, ETH, 10),   mv(3, 3, T, M, ETH, 10),
        mv(4, 4, T, M, ETH, 10),   mv(5, 5, U, M, ETH, 10),   mv(6, 6, U, M, ETH, 10),
        mv(7, 7, U, M, ETH, 10),   mv(8, 8, T, D, ETH, 20),   mv(9, 9, T, A, ETH, 30),
        mv(10, 10, M, R1, ETH, 9), mv(11, 10, M, RL, ETH, 1), mv(12, 11, M, R2, ETH, 9),
        mv(13, 11, M, RL, ETH, 1), mv(14, 12, M, R3, ETH, 9), mv(15, 12, M, RL, ETH, 1),
        mv(16, 13, R1, D, ETH, 9), mv(17, 14, R2, A, ETH, 9), mv(18, 15, R3, D3, ETH, 9),
    };
    for (int i = 9; i < 15; i++)
        m[i].tx_from = RL;
    world w = {m, 18, 0, 0, u(0)};
    cw_acct_result *r = run_mix(&w, c_stop, c_personal, NULL, false);
    size_t n;
    const cw_acct_mixlink *l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 2);
    if (n == 2) {
        CHECK(l[0].recipient == R1 && l[0].converged && !l[0].sender_reuse);
        CHECK(l[1].recipient == R2 && l[1].converged);
        CHECK(l[0].score >= CW_ACCT_CONVERGE_SCORE && l[0].score <= 1);
    }
    CHECK_EQ_INT(amt(end_at(r, D, ETH)), 29); /* 20 direct + 9 through the link */
    CHECK(end_at(r, D, ETH) && end_at(r, D, ETH)->probable);
    CHECK(end_at(r, D3, ETH) == NULL);        /* the honest withdrawal: nothing */
    CHECK_EQ_INT(amt(end_at(r, A, ETH)), 39); /* held: 30 direct + 9 linked */
    cw_acct_result_free(r);
    /* no personal stops known: no convergence, nothing linked */
    r = run_mix(&w, c_stop, NULL, NULL, false);
    cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(amt(end_at(r, D, ETH)), 20);
    cw_acct_result_free(r);
}

/* Worked example 7: a deposit address only mixed funds use. As in example 6, 3 stolen and 3
 * honest notes. Withdrawal 1 to R1 is paid for by T (gas reuse, 0.95: a strong link); R1 pays
 * D3, which no direct taint reaches. Relayed withdrawal 2 to R2: R2 pays D3 too: D3 was reached
 * by a strong link, so withdrawal 2 converges (found in the second sweep, linked in the third).
 * Relayed withdrawal 3 to R3, who pays D: D saw no taint at all here: not linked. */
static void test_converge_strong(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 100),    mv(2, 2, T, M, ETH, 10),    mv(3, 3, T, M, ETH, 10),
        mv(4, 4, T, M, ETH, 10),     mv(5, 5, U, M, ETH, 10),    mv(6, 6, U, M, ETH, 10),
        mv(7, 7, U, M, ETH, 10),     mv(8, 10, M, R1, ETH, 10),  mv(9, 11, M, R2, ETH, 9),
        mv(10, 11, M, RL, ETH, 1),   mv(11, 12, M, R3, ETH, 9),  mv(12, 12, M, RL, ETH, 1),
        mv(13, 13, R1, D3, ETH, 10), mv(14, 14, R2, D3, ETH, 9), mv(15, 15, R3, D, ETH, 9),
    };
    m[7].tx_from = T;
    for (int i = 8; i < 12; i++)
        m[i].tx_from = RL;
    world w = {m, 15, 0, 0, u(0)};
    cw_acct_result *r = run_mix(&w, c_stop, c_personal, NULL, false);
    size_t n;
    const cw_acct_mixlink *l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 2);
    if (n == 2) {
        CHECK(l[0].recipient == R1 && l[0].sender_reuse);
        CHECK(l[1].recipient == R2 && l[1].converged && !l[1].sender_reuse);
    }
    CHECK_EQ_INT(amt(end_at(r, D3, ETH)), 19);
    CHECK(end_at(r, D, ETH) == NULL);
    cw_acct_result_free(r);
}

/* Worked example 9: a candidate is not a link (the seed-4 false attribution of the no-reuse
 * world in small). The thief T puts 9 notes of 10 into mixer M, honest U 1: the tainted share
 * is 9/10 = 0.9, the default link score. U's note comes out first, relayed by RL to U's fresh
 * address R3, which pays its own exchange deposit address D3. Denomination and timing alone
 * said "0.9 the thief's": before, D3 was named with 9 stolen (probable); it is U's. Now the
 * withdrawal is a candidate: listed with its lead (D3, 9 paid), in no end; the 90 that entered
 * the mixer stay there. On request (follow_candidates) D3 gets 9, marked candidate. */
static void test_candidate(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 100),  mv(2, 2, T, M, ETH, 10),    mv(3, 3, T, M, ETH, 10),
        mv(4, 4, T, M, ETH, 10),   mv(5, 5, T, M, ETH, 10),    mv(6, 6, T, M, ETH, 10),
        mv(7, 7, T, M, ETH, 10),   mv(8, 8, T, M, ETH, 10),    mv(9, 9, T, M, ETH, 10),
        mv(10, 10, T, M, ETH, 10), mv(11, 11, U, M, ETH, 10),  mv(12, 12, M, R3, ETH, 9),
        mv(13, 12, M, RL, ETH, 1), mv(14, 13, R3, D3, ETH, 9),
    };
    m[11].tx_from = m[12].tx_from = RL;
    world w = {m, 14, 0, 0, u(0)};
    cw_acct_result *r = run_mix(&w, c_stop, c_personal, NULL, false);
    size_t n;
    const cw_acct_mixlink *l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK(l[0].recipient == R3 && l[0].candidate && !l[0].sender_reuse && !l[0].converged);
        CHECK(l[0].evidence == CW_ACCT_EV_ANON);
        CHECK(l[0].score >= 0.9 && l[0].score < 0.95);
        CHECK(l[0].lead_account == D3 && l[0].lead_stop == CW_ACCT_STOP_EXCHANGE);
        CHECK_EQ_INT(l[0].lead_amount.w[0], 9);
    }
    CHECK(end_at(r, D3, ETH) == NULL); /* nobody honest is named */
    CHECK(end_at(r, R3, ETH) == NULL);
    CHECK_EQ_INT(amt(end_at(r, M, ETH)), 90); /* entered the mixer, and stays there */
    cw_acct_result_free(r);
    /* on request the candidate carries value, and every end it reaches says so */
    r = run_mix(&w, c_stop, c_personal, NULL, true);
    const cw_acct_end *e = end_at(r, D3, ETH);
    CHECK_EQ_INT(amt(e), 9);
    CHECK(e && e->probable && e->candidate);
    cw_acct_result_free(r);
}

/* Gas funding is no evidence when the withdrawal's sender is paid by the pool in it (a relayer
 * taking its fee). The thief deposits 3 notes of 10, honest U 3 (score 0.5); the thief also pays
 * relayer RL 2 directly (RL now holds stolen funds). RL relays U's withdrawal to R3 (fee 1), who
 * pays D3: not linked, D3 not named. A withdrawal the thief's own address T sends to R1 (no fee
 * to T) is linked by gas funding. */
static void test_relayer_no_gas_evidence(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 100), mv(2, 2, T, M, ETH, 10),    mv(3, 3, T, M, ETH, 10),
        mv(4, 4, T, M, ETH, 10),  mv(5, 5, U, M, ETH, 10),    mv(6, 6, U, M, ETH, 10),
        mv(7, 7, U, M, ETH, 10),  mv(8, 8, T, RL, ETH, 2),    mv(9, 9, M, R3, ETH, 9),
        mv(10, 9, M, RL, ETH, 1), mv(11, 10, R3, D3, ETH, 9), mv(12, 11, M, R1, ETH, 10),
    };
    m[8].tx_from = m[9].tx_from = RL;
    m[11].tx_from = T;
    world w = {m, 12, 0, 0, u(0)};
    cw_acct_result *r = run_mix(&w, c_stop, c_personal, NULL, false);
    size_t n;
    const cw_acct_mixlink *l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 1);
    if (n == 1)
        CHECK(l[0].recipient == R1 && l[0].sender_reuse && l[0].evidence & CW_ACCT_EV_GAS);
    CHECK(end_at(r, D3, ETH) == NULL);
    CHECK_EQ_INT(amt(end_at(r, R1, ETH)), 10);
    cw_acct_result_free(r);
}

/* A multi-hop route in one tx (an aggregator or a router's path): T gives 1000 stolen USDT to
 * pool P (USDT/WETH), P pays 2 WETH to pool P2 (WETH/ETH, say), P2 pays 5 ETH to T. Both pools
 * gain one asset and give up another: venues; T gave up USDT and gained ETH: the 5 ETH are
 * tainted in full, exact, with no event signature or pool layout read. Honest U trading at P2
 * after gets nothing. */
enum { P2 = 31 };

static void test_multihop(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, USDT, 1000), mv(2, 2, T, P, USDT, 1000), mv(3, 2, P, P2, WETH, 2),
        mv(4, 2, P2, T, ETH, 5),    mv(5, 3, T, X, ETH, 5),     mv(6, 4, U, P2, WETH, 1),
        mv(7, 4, P2, U, ETH, 2),
    };
    world w = {m, 7, 0, 0, u(0)};
    uint64_t src[] = {1};
    cw_acct_result *r = run(&w, CW_ACCT_FIFO, src, 1);
    size_t nc;
    const cw_acct_conv *c = cw_acct_result_convs(r, &nc);
    CHECK_EQ_INT(nc, 1);
    if (nc == 1)
        CHECK(c[0].account == T && c[0].from_asset == USDT && c[0].to_asset == ETH &&
              c[0].tainted_out.w[0] == 5 && !c[0].probable);
    CHECK_EQ_INT(amt(end_at(r, X, ETH)), 5);
    CHECK(end_at(r, X, ETH) && !end_at(r, X, ETH)->probable);
    CHECK(end_at(r, U, ETH) == NULL && end_at(r, P2, WETH) == NULL && end_at(r, P2, ETH) == NULL);
    cw_acct_result_free(r);
}

/* Worked example 10: convergence across a bridge. The same pool as example 6 (3 stolen notes,
 * 3 honest: score 0.5, no candidate). T bridges 20 of its own to bridge B with a memo naming
 * Bitcoin address K1 (tx 8). Relayed withdrawal 1 goes to R1, who bridges its 9 to B naming
 * K1 too: the same beneficiary on the other chain, so it is linked (convergence) and B
 * receives 20 + 9 = 29. Relayed withdrawal 2 goes to R2, who bridges to K2, where no taint
 * went: not linked. Withdrawal 3 (R3) pays nobody. */
enum { BR = 74 };

static int b_stop(void *ctx, uint32_t account)
{
    (void)ctx;
    return account == BR ? CW_ACCT_STOP_BRIDGE : account == M ? CW_ACCT_STOP_MIXER : 0;
}

static uint64_t b_dest(void *ctx, uint64_t tx)
{
    (void)ctx;
    return tx == 8 || tx == 13 ? 0xb1 : tx == 14 ? 0xb2 : 0; /* K1, K1, K2 */
}

static void test_converge_bridge(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 100),   mv(2, 2, T, M, ETH, 10),   mv(3, 3, T, M, ETH, 10),
        mv(4, 4, T, M, ETH, 10),    mv(5, 5, U, M, ETH, 10),   mv(6, 6, U, M, ETH, 10),
        mv(7, 7, U, M, ETH, 10),    mv(8, 8, T, BR, ETH, 20),  mv(9, 10, M, R1, ETH, 9),
        mv(10, 10, M, RL, ETH, 1),  mv(11, 11, M, R2, ETH, 9), mv(12, 11, M, RL, ETH, 1),
        mv(13, 12, M, R3, ETH, 9),  mv(14, 12, M, RL, ETH, 1), mv(15, 13, R1, BR, ETH, 9),
        mv(16, 14, R2, BR, ETH, 9),
    };
    for (int i = 8; i < 14; i++)
        m[i].tx_from = RL;
    world w = {m, 16, 0, 0, u(0)};
    cw_acct_result *r = run_mix(&w, b_stop, c_personal, b_dest, false);
    size_t n;
    const cw_acct_mixlink *l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK(l[0].recipient == R1 && l[0].converged && !l[0].candidate);
        CHECK(l[0].evidence == (CW_ACCT_EV_ANON | CW_ACCT_EV_CONVERGE));
        CHECK(l[0].lead_account == BR && l[0].lead_stop == CW_ACCT_STOP_BRIDGE);
    }
    CHECK_EQ_INT(amt(end_at(r, BR, ETH)), 29);
    cw_acct_result_free(r);
    /* without destinations: nothing links */
    r = run_mix(&w, b_stop, c_personal, NULL, false);
    cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(amt(end_at(r, BR, ETH)), 20);
    cw_acct_result_free(r);
}

/* Worked example 11: every note in the pool is the thief's. Honest U deposits a note of 10
 * into the empty pool M and takes it out again (relayed to U's R3): M holds nothing. Then T
 * deposits 3 stolen notes and nobody else deposits: whatever leaves M now is stolen. The
 * relayed withdrawals to R1 and R2 are links (evidence only_tainted_notes, score 1), though no
 * gas funding or convergence backs them, and R1's deposit address D3 is reached with 9. Had
 * U's note stayed in (the same world without U's withdrawal) the tainted share 3/4 is a
 * candidate at most; and a source without the whole history (balances not known exact) never
 * says so. */
static void test_only_tainted_notes(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 100), mv(2, 2, U, M, ETH, 10),  mv(3, 3, M, R3, ETH, 9),
        mv(4, 3, M, RL, ETH, 1),  mv(5, 4, T, M, ETH, 10),  mv(6, 5, T, M, ETH, 10),
        mv(7, 6, T, M, ETH, 10),  mv(8, 7, M, R1, ETH, 9),  mv(9, 7, M, RL, ETH, 1),
        mv(10, 8, M, R2, ETH, 9), mv(11, 8, M, RL, ETH, 1), mv(12, 9, R1, D3, ETH, 9),
    };
    for (int i = 2; i < 11; i++)
        m[i].tx_from = RL;
    world w = {m, 12, 0, 0, u(0)};
    cw_acct_result *r = run_mix(&w, c_stop, c_personal, NULL, false);
    size_t n;
    const cw_acct_mixlink *l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 2);
    if (n == 2) {
        CHECK(l[0].recipient == R1 && !l[0].candidate && l[0].score == 1);
        CHECK(l[0].evidence == (CW_ACCT_EV_ANON | CW_ACCT_EV_ONLY_TAINTED));
        CHECK(l[1].recipient == R2 && !l[1].candidate);
    }
    CHECK_EQ_INT(amt(end_at(r, D3, ETH)), 9);
    CHECK(end_at(r, D3, ETH) && end_at(r, D3, ETH)->probable);
    CHECK_EQ_INT(amt(end_at(r, R2, ETH)), 9);
    CHECK(end_at(r, R3, ETH) == NULL);
    cw_acct_result_free(r);
    /* balances not known exact: candidates only */
    r = run_mix_h(&w, c_stop, c_personal, NULL, false, true);
    l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 2);
    for (size_t i = 0; i < n; i++)
        CHECK(l[i].candidate && l[i].evidence == CW_ACCT_EV_ANON);
    CHECK(end_at(r, D3, ETH) == NULL);
    cw_acct_result_free(r);
    /* U's note still in the pool when the thief's come out: no proof */
    cw_acct_move m2[] = {
        mv(1, 1, V, T, ETH, 100), mv(2, 2, U, M, ETH, 10),   mv(5, 4, T, M, ETH, 10),
        mv(6, 5, T, M, ETH, 10),  mv(7, 6, T, M, ETH, 10),   mv(8, 7, M, R1, ETH, 9),
        mv(9, 7, M, RL, ETH, 1),  mv(12, 9, R1, D3, ETH, 9),
    };
    m2[5].tx_from = m2[6].tx_from = RL;
    world w2 = {m2, 8, 0, 0, u(0)};
    r = run_mix(&w2, c_stop, c_personal, NULL, false);
    l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 0); /* 3/4 = 0.75: not even a candidate */
    CHECK(end_at(r, D3, ETH) == NULL);
    cw_acct_result_free(r);
}

/* Worked example 12: a service the thief also paid is no convergence. The pool as in example
 * 6 (3 stolen notes, 3 honest: score 0.5). OTC desk O has served honest K before (K paid it 5,
 * which it forwarded on to S): when T pays O 30, O holds only stolen funds. Honest U's
 * withdrawal to R3 pays O 9, as a customer: before, "an account holding only stolen funds"
 * linked it. Desk O2 holds K's 5 and T's 30 and deposits everything at its own exchange
 * deposit address D (direct taint reaches D); U's other withdrawal to R4 pays O2: before, the
 * follow went on through O2 to D and linked it. Neither links now: O and O2 have others'
 * funds in their history. T's fresh address A, which holds only stolen funds, still
 * converges with the thief's withdrawal to R1. */
enum { O = 75, O2 = 76, K = 77, S = 78, R4 = 79, G = 80, G2 = 81 };

static void test_shared_service_no_convergence(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 200),   mv(2, 2, T, M, ETH, 10),   mv(3, 3, T, M, ETH, 10),
        mv(4, 4, T, M, ETH, 10),    mv(5, 5, U, M, ETH, 10),   mv(6, 6, U, M, ETH, 10),
        mv(7, 7, U, M, ETH, 10),    mv(8, 8, K, O, ETH, 5),    mv(9, 9, O, S, ETH, 5),
        mv(10, 10, T, O, ETH, 30),  mv(11, 11, K, O2, ETH, 5), mv(12, 12, T, O2, ETH, 30),
        mv(13, 13, T, A, ETH, 30),  mv(14, 14, M, R3, ETH, 9), mv(15, 14, M, RL, ETH, 1),
        mv(16, 15, M, R4, ETH, 9),  mv(17, 15, M, RL, ETH, 1), mv(18, 16, M, R1, ETH, 9),
        mv(19, 16, M, RL, ETH, 1),  mv(20, 17, R3, O, ETH, 9), mv(21, 18, R4, O2, ETH, 9),
        mv(22, 19, O2, D, ETH, 44), mv(23, 20, R1, A, ETH, 9),
    };
    for (int i = 13; i < 19; i++)
        m[i].tx_from = RL;
    world w = {m, 23, 0, 0, u(0)};
    cw_acct_result *r = run_mix(&w, c_stop, c_personal, NULL, false);
    size_t n;
    const cw_acct_mixlink *l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 1);
    if (n == 1)
        CHECK(l[0].recipient == R1 && l[0].converged);
    CHECK_EQ_INT(amt(end_at(r, D, ETH)), 30); /* the thief's 30 through O2, not U's 9 */
    CHECK_EQ_INT(amt(end_at(r, O, ETH)), 30);
    CHECK_EQ_INT(amt(end_at(r, A, ETH)), 39);
    cw_acct_result_free(r);
}

/* One contract taking several denominations: its anonymity set of one denomination counts
 * only that denomination's notes. Honest U put one note of 100 into M; then the thief puts 3
 * notes of 10, and nobody else: the 10-notes are all the thief's. Before, the set opened with
 * M's whole balance / 10 = 10 phantom notes (score 3/13, no candidate); now with the 10-notes
 * M held (none): the relayed withdrawal to R1 scores 1 and is a candidate. Not a link: U's 100
 * might come out as 10-notes in a contract that allows it, so the pool is not proven to hold
 * only the thief's (only_tainted_notes stays bounded by the whole balance). */
static void test_multidenom_set(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 100), mv(2, 2, U, M, ETH, 100), mv(3, 3, T, M, ETH, 10),
        mv(4, 4, T, M, ETH, 10),  mv(5, 5, T, M, ETH, 10),  mv(6, 6, M, R1, ETH, 9),
        mv(7, 6, M, RL, ETH, 1),  mv(8, 7, R1, D3, ETH, 9),
    };
    m[5].tx_from = m[6].tx_from = RL;
    world w = {m, 8, 0, 0, u(0)};
    cw_acct_result *r = run_mix(&w, c_stop, c_personal, NULL, false);
    size_t n;
    const cw_acct_mixlink *l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK(l[0].recipient == R1 && l[0].candidate && l[0].score == 1);
        CHECK(l[0].evidence == CW_ACCT_EV_ANON);
    }
    CHECK(end_at(r, D3, ETH) == NULL);
    cw_acct_result_free(r);
}

/* Dust does not make the thief's address someone else's. The pool of example 6 (3 stolen notes,
 * 3 honest); the thief's fresh address A gets 150 stolen, then K sends it 1 (address-poisoning
 * dust, under 1 % of what A got); the thief's relayed withdrawal to R1 pays A: A's history is
 * still the thief's, so the withdrawal converges (A holds 150 + 9 linked). Had K sent 10 (more
 * than 1 %), A would be someone's shared account: not linked. */
static void test_dust_keeps_own_history(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 200),  mv(2, 2, T, M, ETH, 10),   mv(3, 3, T, M, ETH, 10),
        mv(4, 4, T, M, ETH, 10),   mv(5, 5, U, M, ETH, 10),   mv(6, 6, U, M, ETH, 10),
        mv(7, 7, U, M, ETH, 10),   mv(8, 8, T, A, ETH, 150),  mv(9, 9, K, A, ETH, 1),
        mv(10, 10, M, R1, ETH, 9), mv(11, 10, M, RL, ETH, 1), mv(12, 11, R1, A, ETH, 9),
    };
    m[9].tx_from = m[10].tx_from = RL;
    world w = {m, 12, 0, 0, u(0)};
    cw_acct_result *r = run_mix(&w, c_stop, c_personal, NULL, false);
    size_t n;
    const cw_acct_mixlink *l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 1);
    if (n == 1)
        CHECK(l[0].recipient == R1 && l[0].converged);
    CHECK_EQ_INT(amt(end_at(r, A, ETH)), 159);
    cw_acct_result_free(r);
    m[8].amount = u(10);
    r = run_mix(&w, c_stop, c_personal, NULL, false);
    cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(amt(end_at(r, A, ETH)), 150);
    cw_acct_result_free(r);
}

/* Worked example 27 (docs/TRACE-MODELS.md): the thief dusts an honest account. H1 held 10000 when
 * T, holding 100 stolen, sent it 1; H1 then pays X 10001, FIFO's lots (its 10000, then the 1) both
 * in it. The taint H1 ever got is at most 1 % of its clean value: H1 pays its own funds, the 1 ends
 * as dust, and X's deposit is no cash-out of the heist. Had H1 held 50 (the 1 is 2 % of it), X gets
 * the 1. */
static void test_dusted_payer(void)
{
    cw_acct_move m[] = {mv(1, 1, V, T, ETH, 100), mv(2, 2, T, H1, ETH, 1),
                        mv(3, 3, H1, X, ETH, 10001)};
    world w = {m, 3, H1, ETH, u(10000)};
    uint64_t src[] = {1};
    cw_acct_result *r = run(&w, CW_ACCT_FIFO, src, 1);
    size_t n;
    const cw_u256 *sourced, *fees, *dust, *burnt;
    CHECK(end_at(r, X, ETH) == NULL);
    CHECK_EQ_INT(amt(end_at(r, T, ETH)), 99);
    cw_acct_result_totals(r, &n, &sourced, &fees, &dust, &burnt);
    CHECK(n >= 1 && dust[ETH].w[0] == 1);
    cw_acct_result_free(r);
    m[2].amount = u(51);
    w.opening = u(50);
    r = run(&w, CW_ACCT_FIFO, src, 1);
    CHECK_EQ_INT(amt(end_at(r, X, ETH)), 1);
    cw_acct_result_free(r);
}

/* Distinct payers and payees of `account` before movement `before` (source.history). */
static int w_history(void *ctx, uint32_t account, uint64_t before, uint32_t cap, uint32_t *payers,
                     uint32_t *payees)
{
    world *w = ctx;
    uint32_t seen[2][16], *n[2] = {payers, payees};
    *payers = *payees = 0;
    for (size_t i = 0; i < w->n && w->m[i].id < before; i++)
        for (int d = 0; d < 2; d++) {
            uint32_t self = d ? w->m[i].from : w->m[i].to, other = d ? w->m[i].to : w->m[i].from;
            if (self != account || other == account || other == CW_ACCT_NONE || w->m[i].fee)
                continue;
            bool had = false;
            for (uint32_t k = 0; k < *n[d]; k++)
                had |= seen[d][k] == other;
            if (!had && *n[d] < cap && *n[d] < 16)
                seen[d][(*n[d])++] = other;
        }
    return 0;
}

/* Traces from src[0] under model, with w_history as the source's history (no hop limit). */
static cw_acct_result *run_history(world *w, int model, const uint64_t *src)
{
    cw_acct_source s = {w,    w_next, w_balance, w_asset_account, w_stop, NULL, NULL, NULL, false,
                        NULL, NULL,   NULL,      w_history};
    cw_acct_opts o;
    cw_acct_opts_init(&o);
    o.model = (cw_acct_model)model;
    o.max_hops = 0;
    cw_acct_result *r = NULL;
    CHECK(cw_acct_trace(&r, &s, src, 1, &o) == 0);
    return r;
}

static const cw_acct_arrival *arrival(const cw_acct_result *r, uint64_t move)
{
    size_t n;
    const cw_acct_arrival *a = cw_acct_result_arrivals(r, &n);
    for (size_t i = 0; i < n; i++)
        if (a[i].move == move)
            return &a[i];
    return NULL;
}

/* Worked example 31 (docs/TRACE-MODELS.md "A third party's own account"). PF, a public figure,
 * was paid by K1, K2, K3 (1,000 ETH in all) and paid Q1, Q2, Q3 1 each before the heist; OLD, an
 * account of the thief's that existed before, was funded by its earlier accounts E1 and E2 (25
 * each), paid Q1 1 (and E1 nothing) and holds 49; RT, a router with a history
 * of its own, passes value on in the tx it gets it; FR is the thief's fresh hop. T (the heist's
 * receiver, 10,000 stolen) gifts PF 100, pays OLD 5,000 and FR 3,000. PF deposits 1,050 at
 * exchange X (FIFO: its own 997, then 53 of the gift) and pays H2, who had no history, 40, which
 * H2 deposits. OLD deposits 5,000 (its own 49 first, then 4,951 stolen); FR deposits 1,000
 * through RT (one tx) and 2,000 itself. */
static void test_third_party(void)
{
    enum { K1 = 70, K2, K3, Q1, Q2, Q3, OLD = 80, E1, E2, RT = 90, FR = 91, PF = 92, H2 = 93 };
    cw_acct_move m[40];
    size_t n = 0;
    uint32_t k[] = {K1, K2, K3}, q[] = {Q1, Q2, Q3};
    for (int i = 0; i < 3; i++)
        m[n] = mv(n + 1, n + 1, k[i], PF, ETH, i == 2 ? 334 : 333), n++;
    for (int i = 0; i < 3; i++)
        m[n] = mv(n + 1, n + 1, PF, q[i], ETH, 1), n++;
    m[n] = mv(n + 1, n + 1, E1, OLD, ETH, 25), n++;
    m[n] = mv(n + 1, n + 1, E2, OLD, ETH, 25), n++;
    m[n] = mv(n + 1, n + 1, OLD, E1, ETH, 0), n++;
    m[n] = mv(n + 1, n + 1, OLD, Q1, ETH, 1), n++;
    for (int i = 0; i < 3; i++) { /* the router's own history */
        m[n] = mv(n + 1, n + 1, k[i], RT, ETH, 1), n++;
        m[n] = mv(n + 1, n + 1, RT, q[i], ETH, 1), n++;
    }
    uint64_t src[] = {n + 1};
    m[n] = mv(n + 1, n + 1, V, T, ETH, 10000), n++;
    m[n] = mv(n + 1, n + 1, T, PF, ETH, 100), n++;
    m[n] = mv(n + 1, n + 1, T, OLD, ETH, 5000), n++;
    m[n] = mv(n + 1, n + 1, T, FR, ETH, 3000), n++;
    uint64_t pf_x = n + 1;
    m[n] = mv(n + 1, n + 1, PF, X, ETH, 1050), n++;
    m[n] = mv(n + 1, n + 1, PF, H2, ETH, 40), n++;
    uint64_t h2_x = n + 1;
    m[n] = mv(n + 1, n + 1, H2, X, ETH, 40), n++;
    uint64_t old_x = n + 1;
    m[n] = mv(n + 1, n + 1, OLD, X, ETH, 5000), n++;
    uint64_t rt_x = n + 2;
    m[n] = mv(n + 1, n + 1, FR, RT, ETH, 1000), n++;
    m[n] = mv(n + 1, n, RT, X, ETH, 1000), n++; /* the same tx */
    uint64_t fr_x = n + 1;
    m[n] = mv(n + 1, n + 1, FR, X, ETH, 2000), n++;
    world w = {m, n, CW_ACCT_NONE, ETH, u(0)};
    for (int model = CW_ACCT_HAIRCUT; model <= CW_ACCT_FIFO;
         model += CW_ACCT_FIFO - CW_ACCT_HAIRCUT) {
        cw_acct_result *r = run_history(&w, model, src);
        if (!r)
            continue;
        bool fifo = model == CW_ACCT_FIFO;
        /* PF: a third party's holding, received certain */
        const cw_acct_end *e = end_at(r, PF, ETH);
        CHECK(e && e->third_party && e->through == PF && !e->probable);
        if (fifo)
            CHECK_EQ_INT(amt(e), 7);
        /* what PF paid on: probable, through PF (its deposit, and H2's) */
        const cw_acct_arrival *a = arrival(r, pf_x);
        CHECK(a && a->probable && a->through == PF);
        if (fifo)
            CHECK(a && a->amount.w[0] == 53);
        a = arrival(r, h2_x);
        CHECK(a && a->probable && a->through == PF);
        if (fifo)
            CHECK(a && a->amount.w[0] == 40);
        /* the thief's old account, its fresh hop and the router: certain, held */
        a = arrival(r, old_x);
        CHECK(a && !a->probable && a->through == CW_ACCT_NONE);
        if (fifo)
            CHECK(a && a->amount.w[0] == 4951);
        e = end_at(r, OLD, ETH);
        CHECK(e && !e->third_party && e->through == CW_ACCT_NONE && !e->probable);
        a = arrival(r, rt_x);
        CHECK(a && !a->probable && a->through == CW_ACCT_NONE && a->amount.w[0] == 1000);
        a = arrival(r, fr_x);
        CHECK(a && !a->probable && a->amount.w[0] == 2000);
        e = end_at(r, X, ETH);
        CHECK(e && e->probable && e->through == PF);
        cw_acct_result_free(r);
    }
}

/* The thief's dust first does not freeze a young account's history (stop 26). YF, young, was paid
 * 1,000 by K1 before the heist (one payer, no payee). T (10,000 stolen) pays its duster DU 10, DU
 * dusts YF 1 (at most 1 % of YF's own: dust beside its funds, no anchor). YF then lives: paid by
 * K2 and K3, pays Q1..Q3. T gifts YF 100 (material): judged then, 3 payers and 3 payees, a third
 * party's; YF deposits 1,200 at X, probable through YF. FH, the thief's fresh hop, gets 5 of gas
 * from T (no funds of its own: its first taint anchors), is paid by the thief's E1..E3 and pays
 * Q1..Q3, then gets 3,000 and deposits it: certain, as before. main judged YF at the dust (1
 * payer): held certain, its deposit certain. */
static void test_third_party_dust_first(void)
{
    enum { K1 = 70, K2, K3, Q1, Q2, Q3, E1 = 80, E2, E3, DU = 90, YF = 91, FH = 92 };
    cw_acct_move m[40];
    size_t n = 0;
    uint32_t q[] = {Q1, Q2, Q3}, e[] = {E1, E2, E3};
    m[n] = mv(n + 1, n + 1, K1, YF, ETH, 1000), n++;
    for (int i = 0; i < 3; i++)
        m[n] = mv(n + 1, n + 1, K1, e[i], ETH, 10), n++;
    uint64_t src[] = {n + 1};
    m[n] = mv(n + 1, n + 1, V, T, ETH, 10000), n++;
    m[n] = mv(n + 1, n + 1, T, DU, ETH, 10), n++;
    m[n] = mv(n + 1, n + 1, DU, YF, ETH, 1), n++;
    m[n] = mv(n + 1, n + 1, T, FH, ETH, 5), n++;
    m[n] = mv(n + 1, n + 1, K2, YF, ETH, 100), n++;
    m[n] = mv(n + 1, n + 1, K3, YF, ETH, 100), n++;
    for (int i = 0; i < 3; i++) {
        m[n] = mv(n + 1, n + 1, YF, q[i], ETH, 1), n++;
        m[n] = mv(n + 1, n + 1, e[i], FH, ETH, 1), n++;
        m[n] = mv(n + 1, n + 1, FH, q[i], ETH, 1), n++;
    }
    m[n] = mv(n + 1, n + 1, T, YF, ETH, 100), n++;
    m[n] = mv(n + 1, n + 1, T, FH, ETH, 3000), n++;
    uint64_t yf_x = n + 1;
    m[n] = mv(n + 1, n + 1, YF, X, ETH, 1200), n++;
    uint64_t fh_x = n + 1;
    m[n] = mv(n + 1, n + 1, FH, X, ETH, 3000), n++;
    world w = {m, n, CW_ACCT_NONE, ETH, u(0)};
    for (int model = CW_ACCT_HAIRCUT; model <= CW_ACCT_FIFO;
         model += CW_ACCT_FIFO - CW_ACCT_HAIRCUT) {
        cw_acct_result *r = run_history(&w, model, src);
        if (!r)
            continue;
        const cw_acct_end *en = end_at(r, YF, ETH);
        CHECK(en && en->third_party && en->through == YF);
        const cw_acct_arrival *a = arrival(r, yf_x);
        CHECK(a && a->probable && a->through == YF);
        a = arrival(r, fh_x);
        CHECK(a && !a->probable && a->through == CW_ACCT_NONE);
        en = end_at(r, FH, ETH);
        CHECK(!en || !en->third_party);
        cw_acct_result_free(r);
    }
}

/* A merchant that has paid no one yet (stop 27, found on tests/diff/evm_alt3_world.py's worlds at
 * every seed: its honest merchant, paid by 244 customers and by no one paid before the thief's
 * first payment, named holding stolen value, certain). MC was paid 100 each by C1, C2 and C3 and
 * has paid no one; the thief T pays it 15, then MC pays its supplier SU 250 and deposits 60 at X.
 * MC is a third party's own account (3 payers, its own 300 beside the 15): its holding is kind
 * third_party, received certain, and its deposit probable, through MC. YG, paid 1 each by the
 * thief's earlier E1, E2 and E3 (three payers, but 3 of its own beside 3,000 arriving), stays the
 * thief's: held, its deposit certain. */
static void test_third_party_merchant(void)
{
    enum { C1 = 70, C2, C3, SU = 74, E1 = 80, E2, E3, MC = 90, YG = 91 };
    cw_acct_move m[20];
    size_t n = 0;
    uint32_t c[] = {C1, C2, C3}, e[] = {E1, E2, E3};
    for (int i = 0; i < 3; i++) {
        m[n] = mv(n + 1, n + 1, c[i], MC, ETH, 100), n++;
        m[n] = mv(n + 1, n + 1, e[i], YG, ETH, 1), n++;
    }
    uint64_t src[] = {n + 1};
    m[n] = mv(n + 1, n + 1, V, T, ETH, 10000), n++;
    m[n] = mv(n + 1, n + 1, T, MC, ETH, 15), n++;
    m[n] = mv(n + 1, n + 1, T, YG, ETH, 3000), n++;
    m[n] = mv(n + 1, n + 1, MC, SU, ETH, 250), n++;
    uint64_t mc_x = n + 1;
    m[n] = mv(n + 1, n + 1, MC, X, ETH, 60), n++;
    uint64_t yg_x = n + 1;
    m[n] = mv(n + 1, n + 1, YG, X, ETH, 3000), n++;
    world w = {m, n, CW_ACCT_NONE, ETH, u(0)};
    for (int model = CW_ACCT_HAIRCUT; model <= CW_ACCT_FIFO;
         model += CW_ACCT_FIFO - CW_ACCT_HAIRCUT) {
        cw_acct_result *r = run_history(&w, model, src);
        if (!r)
            continue;
        const cw_acct_end *en = end_at(r, MC, ETH);
        CHECK(en && en->third_party && en->through == MC && !en->probable);
        const cw_acct_arrival *a = arrival(r, mc_x);
        CHECK(a && a->probable && a->through == MC);
        a = arrival(r, yg_x);
        CHECK(a && !a->probable && a->through == CW_ACCT_NONE);
        if (model == CW_ACCT_FIFO)
            CHECK(a && a->amount.w[0] == 2997);
        cw_acct_result_free(r);
    }
}

/* Dust an honest account holds (docs/TRACE-MODELS.md "Dust"). D0..D11 and E0..E11 got 5 ETH
 * each from KD earlier (used addresses holding funds of their own, but so little that 2 of dust
 * is more than 1 % of it); G0..G11 hold nothing. T, the thief, got 1,000,000 ETH and pays honest
 * H1, who holds 10,000 of its own, 1 (its own funds beside the dust: rule "own funds"); pays
 * D0..D11 2 each (a campaign: at most 1/10,000 of what entered, one sender, at least 10 used
 * addresses); pays G0..G11 2 each (empty: the thief's own hops funded with gas, held); pays its
 * own F 400,000 (a share that matters: held). Its hop U got 500 and pays E0..E8 3 each: nine,
 * too few for a campaign, held. */
static void test_dust_holdings(void)
{
    enum { KD = 70, D0 = 100, E0 = 200, G0 = 300 };
    cw_acct_move m[80];
    size_t n = 0;
    for (uint32_t i = 0; i < 12; i++) {
        m[n] = mv(n + 1, n + 1, KD, D0 + i, ETH, 5), n++;
        m[n] = mv(n + 1, n + 1, KD, E0 + i, ETH, 5), n++;
    }
    uint64_t src[] = {n + 1};
    m[n] = mv(n + 1, n + 1, V, T, ETH, 1000000), n++;
    m[n] = mv(n + 1, n + 1, T, H1, ETH, 1), n++;
    size_t d_first = n;
    for (uint32_t i = 0; i < 12; i++)
        m[n] = mv(n + 1, n + 1, T, D0 + i, ETH, 2), n++;
    for (uint32_t i = 0; i < 12; i++)
        m[n] = mv(n + 1, n + 1, T, G0 + i, ETH, 2), n++;
    m[n] = mv(n + 1, n + 1, T, F, ETH, 400000), n++;
    m[n] = mv(n + 1, n + 1, T, U, ETH, 500), n++;
    for (uint32_t i = 0; i < 9; i++)
        m[n] = mv(n + 1, n + 1, U, E0 + i, ETH, 3), n++;
    world w = {m, n, H1, ETH, u(10000)};
    cw_acct_result *r = run(&w, CW_ACCT_FIFO, src, 1);
    const cw_acct_end *e = end_at(r, H1, ETH);
    CHECK(e && amt(e) == 1 && e->dust == CW_ACCT_DUST_OWN_FUNDS);
    for (uint32_t i = 0; i < 12; i++) {
        e = end_at(r, D0 + i, ETH);
        CHECK(e && amt(e) == 2 && e->dust == CW_ACCT_DUST_CAMPAIGN);
        e = end_at(r, G0 + i, ETH);
        CHECK(e && amt(e) == 2 && e->dust == 0);
    }
    CHECK(end_at(r, F, ETH) && end_at(r, F, ETH)->dust == 0);
    CHECK(end_at(r, T, ETH) && end_at(r, T, ETH)->dust == 0);
    for (uint32_t i = 0; i < 9; i++)
        CHECK(end_at(r, E0 + i, ETH) && end_at(r, E0 + i, ETH)->dust == 0);
    cw_acct_result_free(r);
    /* D0..D11 paid 200 each: 1/5,000 of what entered, not tiny: held */
    for (size_t i = d_first; i < d_first + 12; i++)
        m[i].amount = u(200);
    r = run(&w, CW_ACCT_FIFO, src, 1);
    CHECK(end_at(r, D0, ETH) && end_at(r, D0, ETH)->dust == 0);
    cw_acct_result_free(r);
}

/* Worked example 28: a dusting campaign's dust at an exchange deposit address (stop 24). D0..D11
 * and H1 hold 5 each of their own; T (1,000,000 stolen) pays D0..D11 2 each (a campaign) and, into
 * exchange deposit X, 2 directly (the thief dusts an honest user's deposit address); D0 deposits
 * its 7 at X (the dust among its own funds: 2 of 7, too much for the 1 % rule); D1 pays H1 7,
 * who deposits 12 at X. None of these is a cash-out of the heist: dust (6), no arrival. T's real
 * deposit of 500,000 stays; so does fresh GH's 2 (the thief's hop, funded by T: no funds of its
 * own). */
static void test_dust_at_deposit(void)
{
    enum { KD = 70, D0 = 100, GH = 90 };
    cw_acct_move m[40];
    size_t n = 0;
    for (uint32_t i = 0; i < 12; i++)
        m[n] = mv(n + 1, n + 1, KD, D0 + i, ETH, 5), n++;
    m[n] = mv(n + 1, n + 1, KD, H1, ETH, 5), n++;
    uint64_t src[] = {n + 1};
    m[n] = mv(n + 1, n + 1, V, T, ETH, 1000000), n++;
    for (uint32_t i = 0; i < 12; i++)
        m[n] = mv(n + 1, n + 1, T, D0 + i, ETH, 2), n++;
    m[n] = mv(n + 1, n + 1, T, X, ETH, 2), n++;
    m[n] = mv(n + 1, n + 1, D0, X, ETH, 7), n++;
    m[n] = mv(n + 1, n + 1, D0 + 1, H1, ETH, 7), n++;
    m[n] = mv(n + 1, n + 1, H1, X, ETH, 12), n++;
    m[n] = mv(n + 1, n + 1, T, GH, ETH, 2), n++;
    m[n] = mv(n + 1, n + 1, GH, X, ETH, 2), n++;
    m[n] = mv(n + 1, n + 1, T, X, ETH, 500000), n++;
    world w = {m, n, 0, 0, u(0)};
    cw_acct_result *r = run(&w, CW_ACCT_FIFO, src, 1);
    const cw_acct_end *e = end_at(r, X, ETH);
    CHECK(e && e->stop == CW_ACCT_STOP_EXCHANGE);
    CHECK_EQ_INT(amt(e), 500002);
    size_t na, nt;
    const cw_acct_arrival *ar = cw_acct_result_arrivals(r, &na);
    CHECK_EQ_INT(na, 2);
    for (size_t i = 0; i < na; i++)
        CHECK(ar[i].move == n || ar[i].move == n - 1);
    const cw_u256 *so, *fe, *du, *bu;
    cw_acct_result_totals(r, &nt, &so, &fe, &du, &bu);
    CHECK(nt > ETH && du[ETH].w[0] == 6);
    CHECK(end_at(r, D0 + 2, ETH) && end_at(r, D0 + 2, ETH)->dust == CW_ACCT_DUST_CAMPAIGN);
    cw_acct_result_free(r);
}

/* Worked example 15: an address match. The pool of example 6 (3 stolen notes, 3 honest: score
 * 0.5). A relayed withdrawal pays T itself, the thief's depositing address, which held stolen
 * funds before: linked (address_match, 0.95; the evidence is T's first taint, movement 1), and
 * T holds 70 + 9 = 79. Honest U's relayed withdrawal to U, which deposited too but never held
 * taint: not linked. */
static void test_address_match(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 100), mv(2, 2, T, M, ETH, 10),   mv(3, 3, T, M, ETH, 10),
        mv(4, 4, T, M, ETH, 10),  mv(5, 5, U, M, ETH, 10),   mv(6, 6, U, M, ETH, 10),
        mv(7, 7, U, M, ETH, 10),  mv(8, 10, M, T, ETH, 9),   mv(9, 10, M, RL, ETH, 1),
        mv(10, 11, M, U, ETH, 9), mv(11, 11, M, RL, ETH, 1),
    };
    for (int i = 7; i < 11; i++)
        m[i].tx_from = RL;
    world w = {m, 11, 0, 0, u(0)};
    cw_acct_result *r = run_mix(&w, c_stop, c_personal, NULL, false);
    size_t n;
    const cw_acct_mixlink *l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK(l[0].recipient == T && !l[0].candidate && (l[0].evidence & CW_ACCT_EV_ADDRESS));
        CHECK(l[0].score >= 0.95 && l[0].ev_move == 1);
        CHECK(l[0].anon_notes == 6 && l[0].anon_tainted == 3);
    }
    CHECK_EQ_INT(amt(end_at(r, T, ETH)), 79);
    CHECK(end_at(r, U, ETH) == NULL);
    cw_acct_result_free(r);
}

/* Worked example 16: gas funding of a recipient. The same pool. OTC desk O served honest K (50)
 * before the thief paid it 10. Relayed withdrawals pay fresh R1 (the thief's) and R2 (U's). T,
 * holding only stolen funds, then pays R1 1 for gas: R1's withdrawal is linked
 * (recipient_gas_funding, shown by movement 14 from T) and R1 holds 9 + 1 = 10. O pays R2 1:
 * O holds stolen funds too, but others' funds are in its history: R2 is not linked. */
static void test_recipient_gas_funding(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 100),  mv(2, 2, T, M, ETH, 10),   mv(3, 3, T, M, ETH, 10),
        mv(4, 4, T, M, ETH, 10),   mv(5, 5, U, M, ETH, 10),   mv(6, 6, U, M, ETH, 10),
        mv(7, 7, U, M, ETH, 10),   mv(8, 8, K, O, ETH, 50),   mv(9, 9, T, O, ETH, 10),
        mv(10, 10, M, R1, ETH, 9), mv(11, 10, M, RL, ETH, 1), mv(12, 11, M, R2, ETH, 9),
        mv(13, 11, M, RL, ETH, 1), mv(14, 12, T, R1, ETH, 1), mv(15, 13, O, R2, ETH, 1),
    };
    for (int i = 9; i < 13; i++)
        m[i].tx_from = RL;
    world w = {m, 15, 0, 0, u(0)};
    cw_acct_result *r = run_mix(&w, c_stop, c_personal, NULL, false);
    size_t n;
    const cw_acct_mixlink *l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK(l[0].recipient == R1 && (l[0].evidence & CW_ACCT_EV_FUNDED));
        CHECK(l[0].ev_account == T && l[0].ev_move == 14);
    }
    CHECK_EQ_INT(amt(end_at(r, R1, ETH)), 10);
    CHECK(end_at(r, R1, ETH) && end_at(r, R1, ETH)->probable);
    cw_acct_result_free(r);
}

/* Worked example 17: consolidation. The same pool. Relayed withdrawals pay fresh R1 and R2 (the
 * thief's) and R3 (U's). R1 and R2 each pay their 9 to fresh G; then T pays G 5 of its own: G's
 * only inflows are followed recipients' and traced funds, so both withdrawals are linked
 * (consolidation, shown by the payments into G) and G holds 9 + 9 + 5 = 23. R3 pays its 9 to
 * U's fresh G2, which no traced funds reach: not linked. Had G a history of its own (K paid it
 * before), nothing is linked. */
static void test_consolidation(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 100),  mv(2, 2, T, M, ETH, 10),    mv(3, 3, T, M, ETH, 10),
        mv(4, 4, T, M, ETH, 10),   mv(5, 5, U, M, ETH, 10),    mv(6, 6, U, M, ETH, 10),
        mv(7, 7, U, M, ETH, 10),   mv(8, 8, M, R1, ETH, 9),    mv(9, 8, M, RL, ETH, 1),
        mv(10, 9, M, R2, ETH, 9),  mv(11, 9, M, RL, ETH, 1),   mv(12, 10, M, R3, ETH, 9),
        mv(13, 10, M, RL, ETH, 1), mv(14, 11, R1, G, ETH, 9),  mv(15, 12, R2, G, ETH, 9),
        mv(16, 13, T, G, ETH, 5),  mv(17, 14, R3, G2, ETH, 9),
    };
    for (int i = 7; i < 13; i++)
        m[i].tx_from = RL;
    world w = {m, 17, 0, 0, u(0)};
    cw_acct_result *r = run_mix(&w, c_stop, c_personal, NULL, false);
    size_t n;
    const cw_acct_mixlink *l = cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 2);
    if (n == 2) {
        CHECK(l[0].recipient == R1 && (l[0].evidence & CW_ACCT_EV_GATHER) && l[0].ev_account == G);
        CHECK(l[1].recipient == R2 && (l[1].evidence & CW_ACCT_EV_GATHER) && l[1].ev_move == 15);
    }
    CHECK_EQ_INT(amt(end_at(r, G, ETH)), 23);
    CHECK(end_at(r, G2, ETH) == NULL);
    cw_acct_result_free(r);
    /* G with a history of its own: K paid it 5 first (G is not fresh): nothing linked */
    cw_acct_move m2[18];
    m2[0] = mv(0, 0, K, G, ETH, 5);
    memcpy(m2 + 1, m, sizeof m);
    world w2 = {m2, 18, 0, 0, u(0)};
    r = run_mix(&w2, c_stop, c_personal, NULL, false);
    cw_acct_result_mixlinks(r, &n);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(amt(end_at(r, G, ETH)), 5);
    cw_acct_result_free(r);
}

/* Worked example 24: an aggregator router RT that both swaps and bridges, in front of pool P
 * and bridge pool BP. T swaps 1000 stolen USDT through it for 5 ETH that RT passes back
 * (tx 2), 1000 more for 4 ETH the pool pays T itself (tx 3), and 500 for 2 ETH that RT pays to
 * Y, a fresh address of T's (tx 4: T gains nothing, a swap paying someone else); T deposits its
 * 9 ETH at exchange X, Y its 2. T2 sends 4 stolen ETH through RT into BP, which emits the
 * deposit event (tx 8). Run with RT and BP filed under bridges (a label, or recognised) and
 * with neither a stop. The swaps are no ends at RT (it keeps none of the USDT; the swap carries
 * the taint on as ETH at the executed rate); the deposit ends at BP, the bridge that emitted
 * its event, not at RT (main's trace ended it at RT). Main's trace
 * ended all three swaps' 2500 USDT at a bridge-filed RT as well (counting the taint twice), and
 * lost tx 4's taint whether RT was a stop or not (the router, not T, paid the pool). */
enum { RT = 82, BP = 83, T2 = 84, Y = 85 };

static int rt_stop(void *ctx, uint32_t account)
{
    (void)ctx;
    return account == RT || account == BP ? CW_ACCT_STOP_BRIDGE
           : account == X                 ? CW_ACCT_STOP_EXCHANGE
                                          : 0;
}

/* BP emitted tx 8's deposit event, which RT (the tx's `to`) passed on */
static uint32_t rt_emitter(void *ctx, uint64_t tx)
{
    (void)ctx;
    return tx == 8 ? BP : CW_ACCT_NONE;
}

static void test_router_swap(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T, USDT, 2500),  mv(2, 2, T, RT, USDT, 1000), mv(3, 2, RT, P, USDT, 1000),
        mv(4, 2, P, RT, ETH, 5),     mv(5, 2, RT, T, ETH, 5),     mv(6, 3, T, RT, USDT, 1000),
        mv(7, 3, RT, P, USDT, 1000), mv(8, 3, P, T, ETH, 4),      mv(9, 4, T, RT, USDT, 500),
        mv(10, 4, RT, P, USDT, 500), mv(11, 4, P, RT, ETH, 2),    mv(12, 4, RT, Y, ETH, 2),
        mv(13, 5, T, X, ETH, 9),     mv(14, 6, Y, X, ETH, 2),     mv(15, 7, V, T2, ETH, 4),
        mv(16, 8, T2, RT, ETH, 4),   mv(17, 8, RT, BP, ETH, 4),
    };
    world w = {m, 17, 0, 0, u(0)};
    uint64_t src[] = {1, 15};
    for (int labelled = 0; labelled < 2; labelled++)
        for (int model = CW_ACCT_HAIRCUT; model <= CW_ACCT_FIFO; model++) {
            cw_acct_source s = {
                &w,         w_next, w_balance, w_asset_account, labelled ? rt_stop : w_stop,
                NULL,       NULL,   NULL,      false,           NULL,
                rt_emitter, NULL,   NULL};
            cw_acct_opts o;
            cw_acct_opts_init(&o);
            o.model = (cw_acct_model)model;
            o.max_hops = 0;
            cw_acct_result *r = NULL;
            CHECK(cw_acct_trace(&r, &s, src, 2, &o) == 0);
            if (!r)
                continue;
            size_t nc;
            const cw_acct_conv *c = cw_acct_result_convs(r, &nc);
            CHECK_EQ_INT(nc, 3);
            for (size_t i = 0; i < nc; i++)
                CHECK(c[i].account == T && c[i].recipient == (i == 2 ? Y : T) && c[i].venue == P &&
                      c[i].from_asset == USDT && c[i].to_asset == ETH && !c[i].probable &&
                      c[i].tainted_out.w[0] == (i == 0   ? 5
                                                : i == 1 ? 4
                                                         : 2));
            CHECK(end_at(r, RT, USDT) == NULL); /* no swap ends at the router */
            CHECK(end_at(r, P, USDT) == NULL);
            CHECK_EQ_INT(amt(end_at(r, X, ETH)), 11);
            /* the bridge deposit ends at the bridge that emitted its event, not at the router
             * in front of it (held by BP when neither is a stop) */
            CHECK_EQ_INT(amt(end_at(r, BP, ETH)), 4);
            CHECK(end_at(r, RT, ETH) == NULL);
            if (labelled)
                CHECK(end_at(r, BP, ETH) && end_at(r, BP, ETH)->stop == CW_ACCT_STOP_BRIDGE);
            cw_acct_result_free(r);
        }
}

/* Worked example 25 (docs/TRACE-MODELS.md): a router filed as a bridge in front of a lock
 * bridge LB that records deposits with no event. T3 holds 7 stolen ETH. Tx 2: T3 sends 3 to RT,
 * which passes them to LB; the tx has no memo and no deposit event: the deposit ends at LB. Tx 3:
 * the same with 2, but the tx carries a memo (RT named the destination): it ends at RT, as
 * before. Tx 4: T3 sends 2 to RT, which pays 1 to LB and 1 to BP: two bridges gain, which one
 * took the taint is not known: it ends at RT. Main's trace ended all 7 at RT. */
enum { LB = 86, T3 = 87 };

static int lock_stop(void *ctx, uint32_t account)
{
    (void)ctx;
    return account == RT || account == BP || account == LB ? CW_ACCT_STOP_BRIDGE : 0;
}

static uint32_t no_emitter(void *ctx, uint64_t tx)
{
    (void)ctx;
    (void)tx;
    return CW_ACCT_NONE;
}

static bool lock_silent(void *ctx, uint64_t tx)
{
    (void)ctx;
    return tx == 2 || tx == 4;
}

static void test_router_lock(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T3, ETH, 7),  mv(2, 2, T3, RT, ETH, 3), mv(3, 2, RT, LB, ETH, 3),
        mv(4, 3, T3, RT, ETH, 2), mv(5, 3, RT, LB, ETH, 2), mv(6, 4, T3, RT, ETH, 2),
        mv(7, 4, RT, LB, ETH, 1), mv(8, 4, RT, BP, ETH, 1),
    };
    world w = {m, 8, 0, 0, u(0)};
    uint64_t src[] = {1};
    for (int model = CW_ACCT_HAIRCUT; model <= CW_ACCT_FIFO; model++) {
        cw_acct_source s = {&w,   w_next, w_balance, w_asset_account, lock_stop,   NULL, NULL,
                            NULL, false,  NULL,      no_emitter,      lock_silent, NULL};
        cw_acct_opts o;
        cw_acct_opts_init(&o);
        o.model = (cw_acct_model)model;
        o.max_hops = 0;
        cw_acct_result *r = NULL;
        CHECK(cw_acct_trace(&r, &s, src, 1, &o) == 0);
        if (!r)
            continue;
        CHECK_EQ_INT(amt(end_at(r, LB, ETH)), 3);
        CHECK_EQ_INT(amt(end_at(r, RT, ETH)), 4);
        CHECK(end_at(r, BP, ETH) == NULL);
        CHECK(end_at(r, LB, ETH) && end_at(r, LB, ETH)->stop == CW_ACCT_STOP_BRIDGE);
        cw_acct_result_free(r);
    }
}

/* Worked example 26 (docs/TRACE-MODELS.md): a THORChain router TR called in an aggregator AG's
 * multicall. T4 holds 5 stolen ETH. Txs 2 and 3: T4 sends 3, then 2, to AG; AG pays TR, TR pays
 * its vault VA and logs the memo (the memo row's emitter is TR, the tx's `to` AG). AG is filed as
 * a bridge (a label, or recognised): it keeps none of the deposit and paid it to TR, the memo's
 * emitter and a bridge, which passes it on to its vault in the same tx: the deposits end at TR,
 * not at AG. When TR is no bridge stop, they end at AG, as before. Main's trace ended them at AG
 * in both runs (TR keeps nothing, so AG was not passed through). */
enum { AG = 88, TR = 89, VA = 90, T4 = 91 };

static int agg_stop_tr(void *ctx, uint32_t account)
{
    (void)ctx;
    return account == AG || account == TR || account == VA ? CW_ACCT_STOP_BRIDGE : 0;
}

static int agg_stop_no_tr(void *ctx, uint32_t account)
{
    (void)ctx;
    return account == AG || account == VA ? CW_ACCT_STOP_BRIDGE : 0;
}

static uint32_t agg_emitter(void *ctx, uint64_t tx)
{
    (void)ctx;
    return tx == 2 || tx == 3 ? TR : CW_ACCT_NONE;
}

static void test_router_aggregator(void)
{
    cw_acct_move m[] = {
        mv(1, 1, V, T4, ETH, 5),  mv(2, 2, T4, AG, ETH, 3), mv(3, 2, AG, TR, ETH, 3),
        mv(4, 2, TR, VA, ETH, 3), mv(5, 3, T4, AG, ETH, 2), mv(6, 3, AG, TR, ETH, 2),
        mv(7, 3, TR, VA, ETH, 2),
    };
    world w = {m, 7, 0, 0, u(0)};
    uint64_t src[] = {1};
    for (int tr_bridge = 1; tr_bridge >= 0; tr_bridge--)
        for (int model = CW_ACCT_HAIRCUT; model <= CW_ACCT_FIFO; model++) {
            cw_acct_source s = {&w,
                                w_next,
                                w_balance,
                                w_asset_account,
                                tr_bridge ? agg_stop_tr : agg_stop_no_tr,
                                NULL,
                                NULL,
                                NULL,
                                false,
                                NULL,
                                agg_emitter,
                                NULL,
                                NULL};
            cw_acct_opts o;
            cw_acct_opts_init(&o);
            o.model = (cw_acct_model)model;
            o.max_hops = 0;
            cw_acct_result *r = NULL;
            CHECK(cw_acct_trace(&r, &s, src, 1, &o) == 0);
            if (!r)
                continue;
            uint32_t at = tr_bridge ? TR : AG, not_at = tr_bridge ? AG : TR;
            CHECK_EQ_INT(amt(end_at(r, at, ETH)), 5);
            CHECK(end_at(r, at, ETH) && end_at(r, at, ETH)->stop == CW_ACCT_STOP_BRIDGE);
            CHECK(end_at(r, not_at, ETH) == NULL);
            CHECK(end_at(r, VA, ETH) == NULL);
            cw_acct_result_free(r);
        }
}

/* An NFT purchase with stolen ETH (stop 22, tests/diff/evm_alt5_world.py): T pays 100 into a
 * marketplace MK, which pays seller S 95 and fee recipient FR 5 while S's item goes to the
 * thief's holder H (one tx); SL later pays honest U 60 of its own funds and the payment. The
 * seller gave up an item for the payment: a venue, holding none of the taint, which goes on as
 * the item, held by H. Then H sells the item to honest B for 80 (B's ETH, not stolen): the item
 * carries no taint of its own, so B holds none, and H's 80 is clean. Main (items never given to
 * the trace) held 95 at S and passed 60 of it on to U. */
static void test_nft_purchase(void)
{
    enum { SL = 70, MK = 71, FR = 72, H = 73, B = 74, NFT = 3 };
    cw_acct_move m[] = {
        mv(1, 1, V, T, ETH, 100), mv(2, 2, T, MK, ETH, 100), mv(3, 2, MK, SL, ETH, 95),
        mv(4, 2, MK, FR, ETH, 5), mv(5, 2, SL, H, NFT, 1),   mv(6, 3, SL, U, ETH, 60),
        mv(7, 4, B, MK, ETH, 80), mv(8, 4, MK, H, ETH, 80),  mv(9, 4, H, B, NFT, 1)};
    m[4].item = m[8].item = true;
    world w = {m, 9, SL, ETH, u(10)};
    uint64_t src[] = {1};
    for (int model = CW_ACCT_HAIRCUT; model <= CW_ACCT_FIFO; model++) {
        cw_acct_result *r = run(&w, (cw_acct_model)model, src, 1);
        CHECK(end_at(r, SL, ETH) == NULL);
        CHECK(end_at(r, U, ETH) == NULL);
        CHECK(end_at(r, B, NFT) == NULL);
        CHECK(end_at(r, B, ETH) == NULL);
        CHECK(end_at(r, H, ETH) == NULL);
        CHECK_EQ_INT(amt(end_at(r, FR, ETH)), 5);
        CHECK_EQ_INT(amt(end_at(r, H, NFT)), 1);
        CHECK(end_at(r, H, NFT) && end_at(r, H, NFT)->stop == CW_ACCT_STOP_NONE);
        cw_acct_result_free(r);
    }
}

/* A flash-loan washer (stop 22, tests/diff/evm_alt5_world.py): T pays its contract WC 100
 * stolen ETH, which in the same tx wraps it, borrows 500 WETH from vault FV, sells the 600 at
 * pool P for USDT, buys 590 WETH back at pool FP, repays the 500, unwraps the 90 left and pays
 * them to OUT; OUT deposits them at X. No one gains another asset: a round trip, whose ETH
 * paid out takes the taint (probable). Main lost it (taint converted at WETH, no gainer). */
static void test_flash_round_trip(void)
{
    enum { WC = 90, FV = 91, FP = 92, OUT = 93 };
    cw_acct_move m[] = {mv(1, 1, V, T, ETH, 100),
                        mv(2, 2, T, WC, ETH, 100),
                        mv(3, 2, WC, W, ETH, 100),
                        mv(4, 2, CW_ACCT_NONE, WC, WETH, 100),
                        mv(5, 2, FV, WC, WETH, 500),
                        mv(6, 2, WC, P, WETH, 600),
                        mv(7, 2, P, WC, USDT, 1200000),
                        mv(8, 2, WC, FP, USDT, 1200000),
                        mv(9, 2, FP, WC, WETH, 590),
                        mv(10, 2, WC, FV, WETH, 500),
                        mv(11, 2, WC, CW_ACCT_NONE, WETH, 90),
                        mv(12, 2, W, WC, ETH, 90),
                        mv(13, 2, WC, OUT, ETH, 90),
                        mv(14, 3, OUT, X, ETH, 90)};
    world w = {m, 14, P, WETH, u(10000)};
    uint64_t src[] = {1};
    for (int model = CW_ACCT_HAIRCUT; model <= CW_ACCT_FIFO; model++) {
        cw_acct_result *r = run(&w, (cw_acct_model)model, src, 1);
        CHECK_EQ_INT(amt(end_at(r, X, ETH)), 90);
        CHECK(end_at(r, X, ETH) && end_at(r, X, ETH)->probable);
        CHECK(end_at(r, FV, WETH) == NULL);
        cw_acct_result_free(r);
    }
}

int main(void)
{
    RUN(test_basic);
    RUN(test_swap);
    RUN(test_wrap);
    RUN(test_big);
    RUN(test_limits);
    RUN(test_mixer);
    RUN(test_swap_recipient);
    RUN(test_converge);
    RUN(test_converge_strong);
    RUN(test_candidate);
    RUN(test_converge_bridge);
    RUN(test_multihop);
    RUN(test_relayer_no_gas_evidence);
    RUN(test_only_tainted_notes);
    RUN(test_shared_service_no_convergence);
    RUN(test_multidenom_set);
    RUN(test_dust_keeps_own_history);
    RUN(test_address_match);
    RUN(test_recipient_gas_funding);
    RUN(test_consolidation);
    RUN(test_router_swap);
    RUN(test_router_lock);
    RUN(test_router_aggregator);
    RUN(test_dusted_payer);
    RUN(test_third_party);
    RUN(test_third_party_dust_first);
    RUN(test_third_party_merchant);
    RUN(test_dust_holdings);
    RUN(test_dust_at_deposit);
    RUN(test_nft_purchase);
    RUN(test_flash_round_trip);
    return cw_test_done();
}
