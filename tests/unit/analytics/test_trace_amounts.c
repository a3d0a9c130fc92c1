/*
 * test_trace_amounts.c: forward FIFO under `rank` through a many-output CoinJoin round, bounded
 * by amounts (docs/TRACE-MODELS.md, "What the amounts force, and what they do not", the worked
 * example; issue 11: on the independent generator's careful-thief seed 4, `rank` put 2.2 BTC of
 * the thief's value on a maker's Wasabi 2 output the thief's remaining coins could not pay, and
 * none on the thief's own smaller outputs). Hand-made regtest blocks (tiny_chain.h; units
 * u = 1,000,000 sat):
 *   - the stolen coin S pays T1 700u and T2 300u (one tx; no fee);
 *   - seven honest coins, each from a coinbase of its own: A 270u, B and C 100u, D and E 60u,
 *     F and G 30u (everyone else's value U = 650u);
 *   - the round R (a CoinJoin by the test's rule): T1, T2 and the seven; outputs, in this order:
 *     the thief's 775u, A's 268u, the thief's 134u and 86u, then B 98u, C 98u, D 58u, E 58u,
 *     F 28u, G 28u (fee 19u).
 * `rank` lays the traced 1000u first on the axis: the fee takes 19u, the thief's 775u all of
 * its value, and A's 268u the last 206u (76.9 %: followed). By amounts: 775u is worth more than
 * U (nobody else could pay it: forced), which leaves the traced coins B = 225u; A's 268u is
 * worth more, so it is not the thief's and its 206u move to the outputs of at most 225u, in
 * rank order, each up to w / k (k = the traced coins and each other coin worth w or more):
 * 134u (k = 2: the traced coins, A) gets 67u, each 98u (k = 4: A, B, C) 24.5u, 86u (k = 4)
 * 21.5u, each 58u (k = 6) 9,666,666 sat, each 28u (k = 8) 3.5u; the 42,166,668 sat left end
 * there as "entered mixer" (probable). A's output gets nothing. That is without a probable
 * floor; under the default floor (0.25) a one-in-k share with k >= 4 is not placed (the floor
 * would end it as a sliver, or follow it when w / k lands on the floor exactly, as 98u / 4 does):
 * only the 134u gets its 67u and 139u enter the round. Without the bound
 * (CW_TRACE__NO_AMOUNTS) the figures are rank's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/analytics/trace_int.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "harness.h"

static char dir[4096], store[4200];
static cw_chainstore *cs;

#include "tiny_chain.h"

#define U 1000000ULL

static coin stolen;
static uint8_t id_split[32], id_r[32];

static void build_world(void)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    block_begin();
    fund(&stolen, 1000 * U, 0);
    block_end();
    static const uint64_t hv[7] = {270 * U, 100 * U, 100 * U, 60 * U, 60 * U, 30 * U, 30 * U};
    coin h[7];
    for (int i = 0; i < 7; i++) {
        block_begin();
        fund(&h[i], hv[i], 0);
        block_end();
    }
    block_begin();
    coin t[2];
    uint64_t kt[2];
    gen_tx_reset(&tx);
    add_in(&tx, &stolen);
    add_out(&tx, 700 * U, kt[0] = new_key());
    add_out(&tx, 300 * U, kt[1] = new_key());
    block_tx(&tx, t);
    last_txid(id_split);
    t[0].key = kt[0];
    t[1].key = kt[1];
    block_end();

    block_begin();
    gen_tx_reset(&tx);
    add_in(&tx, &t[0]);
    add_in(&tx, &t[1]);
    for (int i = 0; i < 7; i++)
        add_in(&tx, &h[i]);
    static const uint64_t ov[10] = {775 * U, 268 * U, 134 * U, 86 * U, 98 * U,
                                    98 * U,  58 * U,  58 * U,  28 * U, 28 * U};
    for (int i = 0; i < 10; i++)
        add_out(&tx, ov[i], new_key());
    block_tx(&tx, NULL);
    last_txid(id_r);
    block_end();
    gen_tx_deinit(&tx);
    chain_write(dir);
}

static void test_build_world(void)
{
    build_world();
}

/* R is the example's CoinJoin (named here: the test is about the trace rule) */
static bool is_round(void *ctx, const cw_chainstore *c, uint64_t tx)
{
    (void)ctx;
    return tx == chain_tx(c, id_r);
}

static cw_trace *run(unsigned how, double floor)
{
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.is_coinjoin = is_round;
    o.probable_floor = floor;
    uint64_t s = chain_out(cs, stolen.txid, stolen.vout);
    cw_trace *t = NULL;
    if (cw_trace__run(&t, cs, NULL, &s, 1, &o, how) != 0) {
        CHECK(!"cw_trace__run failed");
        fprintf(stderr, "trace: %s\n", cw_error_last());
        exit(cw_test_done());
    }
    CHECK_EQ_INT(chain_ended(t), 1000LL * (long long)U);
    return t;
}

static long long at(const cw_trace *t, uint32_t vout)
{
    return (long long)cw_trace_amount_at(t, chain_out(cs, id_r, vout));
}

static long long entered(const cw_trace *t)
{
    long long s = 0;
    for (size_t i = 0; i < cw_trace_n_ends(t); i++) {
        const cw_trace_end *e = cw_trace_end_at(t, i);
        if (e->kind == CW_END_COINJOIN) {
            s += (long long)e->amount;
            CHECK_EQ_INT((long long)e->probable, (long long)e->amount);
        }
    }
    return s;
}

static void test_rank_alone(void)
{
    cw_trace *t = run(CW_TRACE__NO_AMOUNTS, 0.25);
    CHECK_EQ_INT(at(t, 0), 775LL * (long long)U);
    CHECK_EQ_INT(at(t, 1), 206LL * (long long)U); /* A's: the thief's value on an honest output */
    CHECK_EQ_INT(at(t, 2), 0);
    CHECK_EQ_INT(at(t, 3), 0);
    CHECK_EQ_INT(entered(t), 0);
    cw_trace_free(t);
}

/* without a probable floor every output B can pay gets its one-in-k share */
static void test_by_amounts_no_floor(void)
{
    cw_trace *t = run(0, 0.0);
    CHECK_EQ_INT(at(t, 0), 775LL * (long long)U); /* forced: the thief's */
    CHECK_EQ_INT(at(t, 1), 0);                    /* A's: more than the thief had left */
    CHECK_EQ_INT(at(t, 2), 67LL * (long long)U);  /* the thief's 134u: 1/2 */
    CHECK_EQ_INT(at(t, 3), 21500000LL);           /* the thief's 86u: 1/4 */
    CHECK_EQ_INT(at(t, 4), 24500000LL);           /* B's 98u: 1/4 (equal pair, shared) */
    CHECK_EQ_INT(at(t, 5), 24500000LL);
    CHECK_EQ_INT(at(t, 6), 9666666LL); /* D's, E's 58u: 1/6 each */
    CHECK_EQ_INT(at(t, 7), 9666666LL);
    CHECK_EQ_INT(at(t, 8), 3500000LL); /* F's, G's 28u: 1/8 each */
    CHECK_EQ_INT(at(t, 9), 3500000LL);
    CHECK_EQ_INT(entered(t), 42166668LL);
    cw_trace_free(t);
}

/* under the default floor (0.25) a one-in-k share with k >= 4 is not placed: B's and C's 98u
 * (k = 4, exactly on the floor: followed) and the smaller outputs get nothing; the thief's 134u
 * (k = 2) keeps its 67u and the other 139u entered the round */
static void test_by_amounts(void)
{
    cw_trace *t = run(0, 0.25);
    CHECK_EQ_INT(at(t, 0), 775LL * (long long)U);
    CHECK_EQ_INT(at(t, 1), 0);
    CHECK_EQ_INT(at(t, 2), 67LL * (long long)U);
    for (uint32_t v = 3; v < 10; v++)
        CHECK_EQ_INT(at(t, v), 0);
    CHECK_EQ_INT(entered(t), 139LL * (long long)U);
    cw_trace_free(t);
}

int main(void)
{
    int rc = CHAIN_SETUP(test_build_world, dir, store, &cs);
    if (rc)
        return rc;
    RUN(test_rank_alone);
    RUN(test_by_amounts_no_floor);
    RUN(test_by_amounts);
    cw_chainstore_close(cs);
    return cw_test_done();
}
