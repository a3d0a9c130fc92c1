/*
 * test_acct_batch.c: the account-model trace through a batch payout, one tx paying 40 accounts
 * (a group of 41 (account, asset) nets: the table grows past 16 and 32 while a sender's net is
 * in hand). The thief T receives 1000 stolen; the batch pays 25 to each of 40 accounts: haircut
 * and FIFO must end with exactly 25 at each of them, 1000 in all (poison also reports T itself).
 * Before the fix in process_group (acct_trace.c) the sender's net was written through a pointer the
 * growth had freed: a heap-use-after-free under ASan, invalid writes under valgrind
 * (scripts/valgrind-check.sh).
 */
#include <stdlib.h>
#include <string.h>

#include "chainwatch/acct_trace.h"
#include "chainwatch/errors.h"
#include "harness.h"

enum { V = 1, T = 2, FIRST = 100, N_PAID = 40, ETH = 0 };

typedef struct world {
    cw_acct_move m[N_PAID + 1];
    size_t n;
} world;

static cw_u256 u(uint64_t v)
{
    cw_u256 r;
    cw_u256_from_u64(&r, v);
    return r;
}

static int w_next(void *ctx, uint64_t from, cw_acct_move *out)
{
    const world *w = ctx;
    for (size_t i = 0; i < w->n; i++)
        if (w->m[i].id >= from) {
            *out = w->m[i];
            return 0;
        }
    return CW_ENOTFOUND;
}

static int w_balance(void *ctx, uint32_t account, uint32_t asset, uint64_t before, cw_u256 *out)
{
    const world *w = ctx;
    cw_u256 b = u(0);
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
    (void)asset;
    return CW_ACCT_NONE;
}

static cw_acct_move mv(uint64_t id, uint64_t tx, uint32_t from, uint32_t to, uint64_t amount)
{
    cw_acct_move m = {id, tx, from, to, ETH, id, 1700000000 + id, false, u(amount), from, false};
    return m;
}

static void test_batch_payout(void)
{
    static world w;
    w.n = 0;
    w.m[w.n++] = mv(1, 1, V, T, 1000);
    for (uint32_t k = 0; k < N_PAID; k++)
        w.m[w.n++] = mv(2 + k, 2, T, FIRST + k, 25);
    cw_acct_source s = {&w,   w_next, w_balance, w_asset_account, NULL,
                        NULL, NULL,   NULL,      false,           NULL,
                        NULL, NULL,   NULL};
    uint64_t src[] = {1};
    for (int model = CW_ACCT_HAIRCUT; model <= CW_ACCT_FIFO; model++) {
        cw_acct_opts o;
        cw_acct_opts_init(&o);
        o.model = (cw_acct_model)model;
        cw_acct_result *r = NULL;
        CHECK(cw_acct_trace(&r, &s, src, 1, &o) == 0);
        if (!r)
            continue;
        size_t ne;
        const cw_acct_end *e = cw_acct_result_ends(r, &ne);
        CHECK_EQ_INT(ne, N_PAID);
        uint64_t total = 0;
        int paid = 0;
        for (size_t i = 0; i < ne; i++) {
            total += e[i].amount.w[0];
            paid += e[i].account >= FIRST && e[i].account < FIRST + N_PAID &&
                    e[i].amount.w[0] == 25 && e[i].asset == ETH;
        }
        CHECK_EQ_INT(paid, N_PAID);
        CHECK_EQ_INT(total, 1000);
        cw_acct_result_free(r);
    }
}

int main(void)
{
    RUN(test_batch_payout);
    return cw_test_done();
}
