/*
 * test_patterns_peeljudge.c: the chain-level judgement of a peel chain (docs/PATTERNS.md,
 * "Chain-level judgement", flag peel_strong), on hand-made regtest blocks (tiny_chain.h):
 *   W  a launderer's chain: 20 BTC from a fresh address, 12 hops one block apart, each peeling
 *      3 % to one of two deposit addresses paid before, each remainder to a fresh address:
 *      every hop peel_chain (peel-run) and peel_strong, all 6 parts, score 98;
 *   H  an honest wallet spending its change: 0.5 BTC, 8 hops 30 blocks apart (5 hours), each
 *      paying 10 % to a new payee, each change to a fresh address: every hop peel_chain
 *      (peel-run, the shape) and none peel_strong (only part fresh: score 58);
 *   R  W's chain 3 blocks apart (fast, not automated) whose 6th remainder goes to an address
 *      paid before (a wallet's standing address): peel_chain on every hop (the run holds) and
 *      none peel_strong: 4 parts (fast, long, large, deposit), but neither fresh nor automated
 *      (every window of its 12 hops holds that remainder);
 * and a build (the memo path) gives every tx the same flags as cw_patterns_compute, with
 * exactly W's hops peel_strong.
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

enum { W_HOPS = 12, H_HOPS = 8, H_EVERY = 30, R_HOPS = 12, R_EVERY = 3, R_REUSE_AT = 5 };

typedef struct chain {
    coin cur;
    int hops, done, every;
    uint64_t per_mille;
    uint64_t deposit[2]; /* peels to these (paid before), in turn; 0: a new payee each */
    int reuse_at;        /* this hop's remainder pays reuse_key (paid before); -1: none */
    uint64_t reuse_key;
    uint8_t ids[16][32];
} chain;

static chain W, H, R;

static void hop(gen_tx *tx, chain *c)
{
    gen_tx_reset(tx);
    add_in(tx, &c->cur);
    uint64_t peel = c->cur.value * c->per_mille / 1000;
    add_out(tx, peel, c->deposit[0] ? c->deposit[c->done % 2] : new_key());
    uint64_t rkey = c->done == c->reuse_at ? c->reuse_key : new_key();
    add_out(tx, c->cur.value - peel - 1500, rkey); /* vout 1 */
    coin outs[2];
    block_tx(tx, outs);
    last_txid(c->ids[c->done]);
    c->cur = outs[1];
    c->cur.key = rkey;
    c->done++;
}

static void build_world(void)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    block_begin();
    const uint64_t d1 = new_key(), d2 = new_key(), e1 = new_key(), e2 = new_key();
    const uint64_t standing = new_key();
    coin dummy;
    fund(&dummy, 100000, d1); /* W's deposit addresses, paid before */
    fund(&dummy, 100000, d2);
    fund(&dummy, 100000, e1); /* R's */
    fund(&dummy, 100000, e2);
    fund(&dummy, 100000, standing);
    W = (chain){.hops = W_HOPS, .every = 1, .per_mille = 30, .deposit = {d1, d2}, .reuse_at = -1};
    H = (chain){.hops = H_HOPS, .every = H_EVERY, .per_mille = 100, .reuse_at = -1};
    R = (chain){.hops = R_HOPS,
                .every = R_EVERY,
                .per_mille = 30,
                .deposit = {e1, e2},
                .reuse_at = R_REUSE_AT,
                .reuse_key = standing};
    fund(&W.cur, 2000000000, 0);
    fund(&H.cur, 50000000, 0);
    fund(&R.cur, 2000000000, 0);
    block_end();
    chain *all[] = {&W, &H, &R};
    for (int r = 0; r < H_HOPS * H_EVERY; r++) {
        block_begin();
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            if (all[k]->done < all[k]->hops && r % all[k]->every == 0)
                hop(&tx, all[k]);
        block_end();
    }
    gen_tx_deinit(&tx);
    chain_write(dir);
}

static void test_build_world(void)
{
    build_world();
    CHECK_EQ_INT(W.done, W_HOPS);
    CHECK_EQ_INT(H.done, H_HOPS);
    CHECK_EQ_INT(R.done, R_HOPS);
}

static uint32_t flags_of(const uint8_t txid[32])
{
    uint64_t t = chain_tx(cs, txid);
    CHECK(t != CW_NONE64);
    return t == CW_NONE64 ? 0 : cw_patterns_compute(cs, t);
}

/* Every hop of c peel_chain by peel-run, and peel_strong as `strong` says. */
static void expect(const char *name, const chain *c, bool strong)
{
    for (int h = 0; h < c->hops; h++) {
        uint32_t f = flags_of(c->ids[h]);
        if (!(f & CW_PAT_PEEL) || !!(f & CW_PAT_PEEL_STRONG) != strong)
            fprintf(stderr, "chain %s hop %d: flags %08x, want peel_chain%s\n", name, h, f,
                    strong ? " and peel_strong" : " alone");
        CHECK(f & CW_PAT_PEEL);
        CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_PEEL_RUN);
        CHECK(!!(f & CW_PAT_PEEL_STRONG) == strong);
    }
}

static void test_flags(void)
{
    expect("W", &W, true);
    expect("H", &H, false);
    expect("R", &R, false);

    cw_patterns_detail d;
    cw_patterns_explain(cs, chain_tx(cs, W.ids[6]), &d);
    CHECK_EQ_INT(d.chain_parts, CW_PAT_PEEL_PART_FAST | CW_PAT_PEEL_PART_AUTOMATED |
                                    CW_PAT_PEEL_PART_LONG | CW_PAT_PEEL_PART_LARGE |
                                    CW_PAT_PEEL_PART_FRESH | CW_PAT_PEEL_PART_DEPOSIT);
    CHECK_EQ_INT(d.chain_score, 98);
    CHECK_EQ_INT(d.chain_hops, W_HOPS);
    CHECK_EQ_INT(d.chain_gap, 1);
    CHECK_EQ_INT(d.chain_start_sat, 2000000000 - 1500); /* the first hop's outputs */
    CHECK_EQ_INT(d.chain_peels_paid, W_HOPS);

    cw_patterns_explain(cs, chain_tx(cs, H.ids[3]), &d);
    CHECK_EQ_INT(d.chain_parts, CW_PAT_PEEL_PART_FRESH);
    CHECK_EQ_INT(d.chain_score, 58);
    CHECK_EQ_INT(d.chain_gap, H_EVERY);
    CHECK_EQ_INT(d.chain_peels_paid, 0);

    cw_patterns_explain(cs, chain_tx(cs, R.ids[2]), &d);
    CHECK_EQ_INT(d.chain_parts, CW_PAT_PEEL_PART_FAST | CW_PAT_PEEL_PART_LONG |
                                    CW_PAT_PEEL_PART_LARGE | CW_PAT_PEEL_PART_DEPOSIT);
    CHECK_EQ_INT(d.chain_fresh, R_HOPS - 1);
    CHECK_EQ_INT(d.chain_gap, R_EVERY);
    CHECK_EQ_INT(d.chain_score, 82);
}

static void test_build(void)
{
    cw_patterns_stats st;
    REQUIRE(cw_patterns_build(store, &st) == 0);
    cw_patterns *p = NULL;
    REQUIRE(cw_patterns_open(&p, cs) == 0);
    uint64_t n = cw_chainstore_counts_get(cs).txs, strong = 0, diff = 0;
    for (uint64_t t = 0; t < n; t++) {
        uint32_t f = 0;
        REQUIRE(cw_patterns_tx_flags(p, t, &f) == 0);
        diff += f != cw_patterns_compute(cs, t);
        strong += (f & CW_PAT_PEEL_STRONG) != 0;
    }
    CHECK_EQ_INT(diff, 0);
    CHECK_EQ_INT(strong, W_HOPS);
    CHECK_EQ_INT(st.counts[11], W_HOPS); /* the build counts the new flag */
    CHECK_EQ_INT(st.counts[5], W_HOPS + H_HOPS + R_HOPS);
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
