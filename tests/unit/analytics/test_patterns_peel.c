/*
 * test_patterns_peel.c: peel-chain evidence at the chain level (docs/PATTERNS.md, "Peel
 * chains"), on hand-made regtest blocks (tiny_chain.h), one hop of each chain a block:
 *   A  a tight 5-hop chain (one input, each remainder to a fresh address, one block apart,
 *      peels 10 %): every hop peel_chain by rule peel-run-short (below the 7 hops of peel-run);
 *   B  the same 5 hops three blocks apart (a wallet spending its change at its own pace): none;
 *   E  5 hops one block apart whose third remainder pays an address paid before: the tight
 *      runs are 3 and 2 hops: none;
 *   C  a hot wallet's float: 12 hops from a coin at an address paid 3 times, each paying a
 *      withdrawal of 0.2 % to a fresh address with fresh change: none (service float), and
 *      `explain` says so;
 *   K  the same float, 4 tight hops: none (the float test holds for short runs too);
 *   D  C's chain from a coin at a fresh address: every hop peel-run (the float needs both);
 *   G  8 hops peeling 5 % from a coin at an address paid 3 times: every hop peel-run (the float
 *      needs both);
 *   H  9 batched hops (1, 2, 3, 1, 2, 3, ... peels of 4 % each, the remainder to a fresh address
 *      at vout 1): every hop peel-run (stop 17, btc18: a hop pays 1-3 peels);
 *   I  an honest look-alike: 9 batched hops (2 payments of 4 % and change), the change to one
 *      of three addresses the wallet was paid at before, in turn (never the input's own): none
 *      (a batched hop continues only to a fresh address);
 * T  a Tx0 without OP_RETURN that has a batched hop's shape (1 input; a fresh change of
 *    0.577 BTC, 2 premixes of 0.050031 BTC and a 175,000-sat fee): tx0 (a build reads it
 *    in full, not only as a hop);
 * and a build (the memo path) gives every tx the same flags as cw_patterns_compute.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/store.h"
#include "chainwatch/patterns.h"
#include "harness.h"
#include "tiny_chain.h"

static char dir[4096], store[4200];
static cw_chainstore *cs;

enum {
    A_HOPS = 5,
    B_HOPS = 5,
    E_HOPS = 5,
    C_HOPS = 12,
    K_HOPS = 4,
    G_HOPS = 8,
    H_HOPS = 9,
    ROUNDS = 15
};

typedef struct chain {
    coin cur;
    int hops, done, every;
    uint64_t per_mille; /* peel per 1000 of the coin (0: per 10000 given in per_10k) */
    uint64_t per_10k;
    uint64_t reuse_key_at_hop2; /* E: the third remainder pays this (already paid) key */
    uint8_t ids[16][32];
    int batched;             /* H: 1 + hop % 3 peels; I: 2 peels */
    uint64_t change_pool[3]; /* I: the change goes to these (paid before), in turn */
} chain;

static chain A, B, E, C, K, D, G, H, I;
static uint8_t tx0_id[32];

static void hop(gen_tx *tx, chain *c)
{
    gen_tx_reset(tx);
    add_in(tx, &c->cur);
    uint64_t peel =
        c->per_mille ? c->cur.value * c->per_mille / 1000 : c->cur.value * c->per_10k / 10000;
    add_out(tx, peel, new_key());
    uint64_t rkey = c->change_pool[0]                      ? c->change_pool[c->done % 3]
                    : c->done == 2 && c->reuse_key_at_hop2 ? c->reuse_key_at_hop2
                                                           : new_key();
    int n_peels = c->batched == 1 ? 1 + c->done % 3 : c->batched ? 2 : 1;
    add_out(tx, c->cur.value - (uint64_t)n_peels * peel - 1500, rkey); /* vout 1 */
    for (int k = 1; k < n_peels; k++)
        add_out(tx, peel, new_key());
    coin outs[4];
    block_tx(tx, outs);
    last_txid(c->ids[c->done]);
    c->cur = outs[1];
    c->cur.key = rkey;
    c->done++;
}

static void build_world(const char *out_dir)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    block_begin();
    const uint64_t hot = new_key(), hot2 = new_key(), paid = new_key();
    coin dummy;
    for (int i = 0; i < 2; i++) { /* the hot wallets' addresses, paid twice before */
        fund(&dummy, 100000000, hot);
        fund(&dummy, 100000000, hot2);
    }
    fund(&dummy, 100000, paid); /* E's third remainder pays this address again */
    fund(&A.cur, 50000000, 0);
    fund(&B.cur, 50000000, 0);
    fund(&E.cur, 50000000, 0);
    fund(&C.cur, 2000000000, hot); /* the third coin at `hot` */
    fund(&K.cur, 2000000000, hot2);
    fund(&D.cur, 2000000000, 0);
    fund(&G.cur, 2000000000, 0);
    fund(&H.cur, 2000000000, 0);
    fund(&I.cur, 2000000000, 0);
    coin t0;
    fund(&t0, 67876413, 0);
    uint64_t pool[3];
    for (int k = 0; k < 3; k++) { /* I's change addresses, each paid before */
        pool[k] = new_key();
        fund(&dummy, 100000, pool[k]);
    }
    block_end();
    block_begin(); /* G's coin moves to a third address paid three times */
    {
        const uint64_t g = new_key();
        fund(&dummy, 100000, g);
        fund(&dummy, 100000, g);
        gen_tx_reset(&tx);
        add_in(&tx, &G.cur);
        add_out(&tx, G.cur.value - 1000, g);
        coin o[1];
        block_tx(&tx, o);
        G.cur = o[0];
        G.cur.key = g;
        gen_tx_reset(&tx); /* T, from bw's Tx0s: change, premix, fee, premix */
        add_in(&tx, &t0);
        add_out(&tx, 57694532, new_key());
        add_out(&tx, 5003100, new_key());
        add_out(&tx, 175000, new_key());
        add_out(&tx, 5003100, new_key());
        coin to[4];
        block_tx(&tx, to);
        last_txid(tx0_id);
    }
    block_end();
    A = (chain){A.cur, A_HOPS, 0, 1, 100, 0, 0, {{0}}, 0, {0}};
    B = (chain){B.cur, B_HOPS, 0, 3, 100, 0, 0, {{0}}, 0, {0}};
    E = (chain){E.cur, E_HOPS, 0, 1, 100, 0, paid, {{0}}, 0, {0}};
    C = (chain){C.cur, C_HOPS, 0, 1, 0, 20, 0, {{0}}, 0, {0}};
    K = (chain){K.cur, K_HOPS, 0, 1, 0, 20, 0, {{0}}, 0, {0}};
    D = (chain){D.cur, C_HOPS, 0, 1, 0, 20, 0, {{0}}, 0, {0}};
    G = (chain){G.cur, G_HOPS, 0, 1, 50, 0, 0, {{0}}, 0, {0}};
    H = (chain){H.cur, H_HOPS, 0, 1, 40, 0, 0, {{0}}, 1, {0}};
    I = (chain){I.cur, H_HOPS, 0, 1, 40, 0, 0, {{0}}, 2, {pool[0], pool[1], pool[2]}};
    chain *all[] = {&A, &B, &E, &C, &K, &D, &G, &H, &I};
    for (int r = 0; r < ROUNDS; r++) {
        block_begin();
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            if (all[k]->done < all[k]->hops && r % all[k]->every == 0)
                hop(&tx, all[k]);
        block_end();
    }
    gen_tx_deinit(&tx);
    chain_write(out_dir);
}

static void test_build_world(void)
{
    build_world(dir);
    CHECK_EQ_INT(B.done, B_HOPS);
}

static uint32_t flags_of(const uint8_t txid[32])
{
    uint64_t t = chain_tx(cs, txid);
    CHECK(t != CW_NONE64);
    return t == CW_NONE64 ? 0 : cw_patterns_compute(cs, t);
}

static void expect(const char *name, const chain *c, unsigned rule)
{
    for (int h = 0; h < c->hops; h++) {
        uint32_t f = flags_of(c->ids[h]);
        bool want = rule != CW_PAT_RULE_NONE;
        if (!!(f & CW_PAT_PEEL) != want || (want && CW_PAT_RULE(f) != rule))
            fprintf(stderr, "chain %s hop %d: flags %08x, want rule %u\n", name, h, f, rule);
        CHECK(!!(f & CW_PAT_PEEL) == want);
        if (want) {
            CHECK_EQ_INT(CW_PAT_RULE(f), rule);
            CHECK(CW_PAT_SCORE(f) < 100); /* a judgement */
        }
    }
}

static void test_flags(void)
{
    expect("A tight 5", &A, CW_PAT_RULE_PEEL_SHORT);
    expect("B slow 5", &B, CW_PAT_RULE_NONE);
    expect("E reused remainder", &E, CW_PAT_RULE_NONE);
    expect("C float 12", &C, CW_PAT_RULE_NONE);
    expect("K float 4", &K, CW_PAT_RULE_NONE);
    expect("D fresh 12", &D, CW_PAT_RULE_PEEL_RUN);
    expect("G reused head, 5% peels", &G, CW_PAT_RULE_PEEL_RUN);
    expect("H batched 9", &H, CW_PAT_RULE_PEEL_RUN);
    expect("I batched, change to addresses paid before", &I, CW_PAT_RULE_NONE);
    uint32_t large = 9;
    CHECK(cw_patterns_peel_shape(cs, chain_tx(cs, H.ids[2]), &large)); /* 3 peels */
    CHECK_EQ_INT(large, 1);
    CHECK(!cw_patterns_peel_shape(cs, chain_tx(cs, I.ids[2]), NULL));
    CHECK(cw_patterns_peel_shape(cs, chain_tx(cs, tx0_id), NULL)); /* a batched hop's shape */
    CHECK(flags_of(tx0_id) & CW_PAT_TX0);

    cw_patterns_detail d;
    cw_patterns_explain(cs, chain_tx(cs, C.ids[5]), &d);
    CHECK(d.peel_float);
    CHECK(d.peel_run >= CW_PAT_PEEL_MIN_RUN);
    cw_patterns_explain(cs, chain_tx(cs, A.ids[2]), &d);
    CHECK(!d.peel_float);
    CHECK_EQ_INT(d.peel_run, A_HOPS);
    CHECK_EQ_INT(d.peel_tight, CW_PAT_PEEL_SHORT_RUN);
    cw_patterns_explain(cs, chain_tx(cs, B.ids[2]), &d);
    CHECK_EQ_INT(d.peel_run, B_HOPS);
    CHECK_EQ_INT(d.peel_tight, 1);
    cw_patterns_explain(cs, chain_tx(cs, H.ids[4]), &d);
    CHECK_EQ_INT(d.peel_run, H_HOPS);
}

/* A build (the memo path) gives each tx cw_patterns_compute's flags. */
static void test_build(void)
{
    cw_patterns_stats st;
    REQUIRE(cw_patterns_build(store, &st) == 0);
    cw_patterns *p = NULL;
    REQUIRE(cw_patterns_open(&p, cs) == 0);
    uint64_t n = cw_chainstore_counts_get(cs).txs, peel = 0, diff = 0;
    for (uint64_t t = 0; t < n; t++) {
        uint32_t f = 0;
        REQUIRE(cw_patterns_tx_flags(p, t, &f) == 0);
        diff += f != cw_patterns_compute(cs, t);
        peel += (f & CW_PAT_PEEL) != 0;
    }
    CHECK_EQ_INT(diff, 0);
    CHECK_EQ_INT(peel, A_HOPS + C_HOPS + G_HOPS + H_HOPS); /* A, D, G and H */
    cw_patterns_close(p);
}

int main(void)
{
    int rc = CHAIN_SETUP(test_build_world, dir, store, &cs);
    if (rc)
        return rc;
    RUN(test_flags);
    RUN(test_build);
    cw_chainstore_close(cs);
    return cw_test_done();
}
