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
 *   L  a chain that ends with peels larger than its remainder (stop 18, btc19): 7 hops peeling
 *      10 %, then 4 peeling 70 % (the remainder, at vout 1, the smaller output): hops 1-8
 *      peel-run (the 8th's largest output is its peel, unspent, so the run ends there), the
 *      9th and 10th (each spending the smaller output of the one before, one block later)
 *      peel-run-end, the 11th none (at most 2 txs end a run);
 *   N  9 batched hops (2 peels of 4 %) whose 5th remainder goes back to the chain's remainder
 *      address of two hops before (paid only then): every hop peel-run (stop 18, btc19: a
 *      batched hop may reuse its chain's own address once);
 *   J  an honest look-alike: 9 batched hops whose change alternates between two addresses
 *      (each remainder from the third on pays that of two hops before): none (the fifth pays
 *      an address paid twice before: no hop; the 4 hops before are no tight run: the links
 *      back to the chain's own addresses, as R's, count for no tight hop);
 *   M  honest look-alikes of a run's end: D's 6th peel (a mid-run hop's, fresh, spent one block
 *      later by one input into 2 outputs) and the same spend of B's last peel (a run too slow
 *      to flag): none;
 *   Q  a 9-hop chain that pauses after its 8th hop, whose peel is spent one block later (by one
 *      input into 2 outputs): no flag in the end; a build up to the pause gives it
 *      peel-run-end, and the build that extends it recomputes it (incremental = full);
 *   R  a chain that pauses and comes back to its own address (stop 19, btc23): 6 batched hops
 *      (2 peels of 4 %), the 2nd three blocks after the 1st, the 3rd's remainder back to the
 *      1st's remainder address: hops 2-6 peel-run-short (the 3rd's link carries the run but
 *      counts for no tight hop: 2-3 and 4-5-6 are 4 tight hops), the 1st none;
 *   S  a run that ends after a hop back to its own address: 7 batched hops (2 peels of 4 %)
 *      whose 7th remainder pays the 5th's address, then a tx paying 2 peels of 45 % from it:
 *      hops 1-7 peel-run, the 8th peel-run-end;
 *   U  a tight run whose last hop peels more than the run's mean allows: 5 batched hops, 4
 *      peeling 2 x 22 %, the 5th 2 x 28 % (its tight window averages 47 %): hops 1-4
 *      peel-run-short, the 5th peel-run-end;
 *   V  an honest look-alike of U's end: 4 tight hops peeling 44 %, then a 5th peeling 49 % that
 *      pays its change back to its input's address (a wallet reusing it): hops 1-4
 *      peel-run-short, the 5th none;
 *   X  8 hops two blocks apart peeling 10 % (peel-run), whose 1st peel starts
 *   Y  5 hops two blocks apart peeling 10 % (too short for peel-run, too slow for
 *      peel-run-short): every hop peel-run-branch (stop 20, btc27: a chain started by another
 *      chain's peel); a build up to q_cut (X's first 6 hops, no flag) gives Y none, and the
 *      build that extends X recomputes Y (incremental = full);
 *   Y2 Y's shape 13 blocks apart from X's 3rd peel (a recipient spending its change now and
 *      then): none;
 *   Y3 Y's shape from B's 1st peel (B is no flagged run): none;
 *   Z  a run stitched across two owners (stop 24): a wallet's 4 hops two blocks apart peeling
 *      10 %, then its payment of a round amount (0.001 BTC multiple) larger than its change,
 *      then the payee's 3 hops of the paid coin: 8 txs that main linked into one run of 8
 *      (peel-run, and `cluster build --change peel` joined payer and payee); now none (the
 *      payment is no hop, and 4 and 3 slow hops are no run);
 *   Z2 the same with the payment funded by 2 coins, larger than either (non-round): none;
 *   Z3 a chain's look-alike that keeps its flags: 8 hops two blocks apart peeling 10 %, the 4th
 *      adding a small coin (its remainder below the chain's coin), the 6th paying a round
 *      peel and a round remainder (nothing tells which is the payment): every hop peel-run;
 * T  a Tx0 without OP_RETURN that has a batched hop's shape (1 input; a fresh change of
 *    0.577 BTC, 2 premixes of 0.050031 BTC and a 175,000-sat fee): tx0 (a build reads it
 *    in full, not only as a hop);
 * and a build (the memo path) gives every tx the same flags as cw_patterns_compute.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/ingest.h"
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
    L_HOPS = 11,
    L_END_AT = 7, /* L's hops from this one on peel 70 % */
    Q_HOPS = 9,
    R_HOPS = 6,
    S_HOPS = 8,
    U_HOPS = 5,
    V_HOPS = 5,
    X_HOPS = 8,
    Y_HOPS = 5,
    Y2_EVERY = 13,
    ROUNDS = 5 + 4 * Y2_EVERY + 1
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
    int end_from;            /* L: hops from this one on peel end_per_mille */
    uint64_t end_per_mille;
    coin peel; /* the last hop's peel (vout 0) */
    uint64_t rkeys[16];
    int reuse_back_at; /* N: this hop's remainder pays the remainder key of two hops before */
    int alternate;     /* J: from the third hop on, every remainder pays that of two before */
    int self_at;       /* V: this hop's remainder pays its input's own address (0: none) */
    int start;         /* the first round with a hop (then every `every` rounds) */
} chain;

static chain A, B, E, C, K, D, G, H, I, L, N, J, Q, R, S, U, V, X, Y, Y2, Y3;

/* Z, Z2, Z3 (stop 24): a hop's largest output that is a payment, not the payer's remainder */
enum { Z_TXS = 8, Z_PAY_AT = 4 };
typedef struct stitch {
    coin cur, extra; /* extra: Z2's second coin, Z3's small coin */
    int kind, done;  /* kind 0: Z, 1: Z2, 2: Z3 */
    uint8_t ids[Z_TXS][32];
} stitch;
static stitch Z, Z2, Z3;

static void z_step(gen_tx *tx, stitch *z)
{
    gen_tx_reset(tx);
    add_in(tx, &z->cur);
    uint64_t in = z->cur.value, peel = in / 10 + 7, rem;
    if (z->kind == 0 && z->done == Z_PAY_AT) { /* a round payment larger than the change */
        rem = in * 6 / 10 / 100000 * 100000;
        peel = in - rem - 1500;
    } else if (z->kind == 1 && z->done == Z_PAY_AT) { /* 2 coins pay more than either holds */
        add_in(tx, &z->extra);
        in += z->extra.value;
        rem = in * 8 / 10 + 777;
        peel = in - rem - 1500;
    } else if (z->kind == 2 && z->done == 3) { /* the chain adds a small coin */
        add_in(tx, &z->extra);
        in += z->extra.value;
        rem = in - peel - 1500;
    } else if (z->kind == 2 && z->done == 5) { /* a round peel and a round remainder */
        peel = 10000000;
        rem = (in - peel - 1500) / 100000 * 100000;
    } else {
        rem = in - peel - 1500;
    }
    const uint64_t rkey = new_key();
    add_out(tx, peel, new_key());
    add_out(tx, rem, rkey); /* vout 1 */
    coin outs[2];
    block_tx(tx, outs);
    last_txid(z->ids[z->done++]);
    z->cur = outs[1];
    z->cur.key = rkey;
}
static uint8_t tx0_id[32], m_ids[2][32], q_end_id[32];
static uint32_t q_cut; /* a height after Q's end tx and before Q goes on */

static void hop(gen_tx *tx, chain *c)
{
    gen_tx_reset(tx);
    add_in(tx, &c->cur);
    uint64_t peel =
        c->per_mille ? c->cur.value * c->per_mille / 1000 : c->cur.value * c->per_10k / 10000;
    if (c->end_from && c->done >= c->end_from)
        peel = c->cur.value * c->end_per_mille / 1000;
    const uint64_t pkey = new_key();
    add_out(tx, peel, pkey);
    uint64_t rkey = c->change_pool[0]                      ? c->change_pool[c->done % 3]
                    : c->done == 2 && c->reuse_key_at_hop2 ? c->reuse_key_at_hop2
                                                           : new_key();
    if ((c->reuse_back_at && c->done == c->reuse_back_at) || (c->alternate && c->done >= 2))
        rkey = c->rkeys[c->done - 2];
    if (c->self_at && c->done == c->self_at)
        rkey = c->cur.key;
    c->rkeys[c->done] = rkey;
    int n_peels = c->batched == 1 ? 1 + c->done % 3 : c->batched ? 2 : 1;
    add_out(tx, c->cur.value - (uint64_t)n_peels * peel - 1500, rkey); /* vout 1 */
    for (int k = 1; k < n_peels; k++)
        add_out(tx, peel, new_key());
    coin outs[4];
    block_tx(tx, outs);
    last_txid(c->ids[c->done]);
    c->cur = outs[1];
    c->cur.key = rkey;
    c->peel = outs[0];
    c->peel.key = pkey;
    c->done++;
}

/* M: one input spending coin into a payment and change, both to fresh addresses. */
static void spend_peel(gen_tx *tx, coin *c, uint8_t id[32])
{
    gen_tx_reset(tx);
    add_in(tx, c);
    add_out(tx, c->value / 3, new_key());
    add_out(tx, c->value - c->value / 3 - 1500, new_key());
    coin outs[2];
    block_tx(tx, outs);
    last_txid(id);
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
    fund(&L.cur, 2000000000, 0);
    fund(&N.cur, 2000000000, 0);
    fund(&J.cur, 2000000000, 0);
    fund(&Q.cur, 2000000000, 0);
    fund(&R.cur, 2000000000, 0);
    fund(&S.cur, 2000000000, 0);
    fund(&U.cur, 2000000000, 0);
    fund(&V.cur, 2000000000, 0);
    fund(&X.cur, 2000000000, 0);
    Z.kind = 0;
    Z2.kind = 1;
    Z3.kind = 2;
    fund(&Z.cur, 2000000000, 0);
    fund(&Z2.cur, 2000000000, 0);
    fund(&Z2.extra, 1500000000, 0);
    fund(&Z3.cur, 2000000000, 0);
    fund(&Z3.extra, 1000123, 0);
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
    A = (chain){A.cur, A_HOPS,         0,   1, 100, 0, 0, {{0}}, 0, {0}, 0,
                0,     {{0}, 0, 0, 0}, {0}, 0, 0,   0, 0};
    B = (chain){B.cur, B_HOPS,         0,   3, 100, 0, 0, {{0}}, 0, {0}, 0,
                0,     {{0}, 0, 0, 0}, {0}, 0, 0,   0, 0};
    E = (chain){E.cur, E_HOPS,         0,   1, 100, 0, paid, {{0}}, 0, {0}, 0,
                0,     {{0}, 0, 0, 0}, {0}, 0, 0,   0, 0};
    C = (chain){C.cur, C_HOPS,         0,   1, 0, 20, 0, {{0}}, 0, {0}, 0,
                0,     {{0}, 0, 0, 0}, {0}, 0, 0, 0,  0};
    K = (chain){K.cur, K_HOPS,         0,   1, 0, 20, 0, {{0}}, 0, {0}, 0,
                0,     {{0}, 0, 0, 0}, {0}, 0, 0, 0,  0};
    D = (chain){D.cur, C_HOPS,         0,   1, 0, 20, 0, {{0}}, 0, {0}, 0,
                0,     {{0}, 0, 0, 0}, {0}, 0, 0, 0,  0};
    G = (chain){G.cur, G_HOPS,         0,   1, 50, 0, 0, {{0}}, 0, {0}, 0,
                0,     {{0}, 0, 0, 0}, {0}, 0, 0,  0, 0};
    H = (chain){H.cur, H_HOPS,         0,   1, 40, 0, 0, {{0}}, 1, {0}, 0,
                0,     {{0}, 0, 0, 0}, {0}, 0, 0,  0, 0};
    I = (chain){I.cur, H_HOPS,         0,   1, 40, 0, 0, {{0}}, 2, {pool[0], pool[1], pool[2]}, 0,
                0,     {{0}, 0, 0, 0}, {0}, 0, 0,  0, 0};
    L = (chain){L.cur, L_HOPS,         0,   1, 100, 0, 0, {{0}}, 0, {0}, L_END_AT,
                700,   {{0}, 0, 0, 0}, {0}, 0, 0,   0, 0};
    N = (chain){N.cur, H_HOPS,         0,   1, 40, 0, 0, {{0}}, 2, {0}, 0,
                0,     {{0}, 0, 0, 0}, {0}, 4, 0,  0, 0};
    J = (chain){J.cur, H_HOPS,         0,   1, 40, 0, 0, {{0}}, 2, {0}, 0,
                0,     {{0}, 0, 0, 0}, {0}, 0, 1,  0, 0};
    Q = (chain){Q.cur, Q_HOPS,         0,   1, 100, 0, 0, {{0}}, 0, {0}, 0,
                0,     {{0}, 0, 0, 0}, {0}, 0, 0,   0, 0};
    R = (chain){.cur = R.cur,
                .hops = R_HOPS,
                .every = 1,
                .per_mille = 40,
                .batched = 2,
                .reuse_back_at = 2};
    S = (chain){.cur = S.cur,
                .hops = S_HOPS,
                .every = 1,
                .per_mille = 40,
                .batched = 2,
                .reuse_back_at = 6,
                .end_from = 7,
                .end_per_mille = 450};
    U = (chain){.cur = U.cur,
                .hops = U_HOPS,
                .every = 1,
                .per_mille = 220,
                .batched = 2,
                .end_from = 4,
                .end_per_mille = 280};
    V = (chain){.cur = V.cur,
                .hops = V_HOPS,
                .every = 1,
                .per_mille = 440,
                .end_from = 4,
                .end_per_mille = 490,
                .self_at = 4};
    X = (chain){.cur = X.cur, .hops = X_HOPS, .every = 2, .per_mille = 100};
    Y = (chain){.hops = Y_HOPS, .every = 2, .per_mille = 100, .start = 1};
    Y2 = (chain){.hops = Y_HOPS, .every = Y2_EVERY, .per_mille = 100, .start = 5};
    Y3 = (chain){.hops = Y_HOPS, .every = 2, .per_mille = 100, .start = 1};
    chain *all[] = {&A, &B, &E, &C, &K, &D, &G, &H, &I,  &L, &N,
                    &J, &Q, &R, &S, &U, &V, &X, &Y, &Y2, &Y3};
    for (int r = 0; r < ROUNDS; r++) {
        block_begin();
        if (r == Y.start) { /* X's and B's 1st peels (round 0) */
            Y.cur = X.peel;
            Y3.cur = B.peel;
        }
        if (r == Y2.start) /* X's 3rd peel (round 4) */
            Y2.cur = X.peel;
        if (r == 8) /* the block after Q's 8th hop: its peel spent at once */
            spend_peel(&tx, &Q.peel, q_end_id);
        if (r == 10)
            q_cut = height;
        if (D.done == 6 && r < 7) /* the block after D's 6th hop */
            spend_peel(&tx, &D.peel, m_ids[0]);
        if (r == 13) /* the block after B's last hop (round 12) */
            spend_peel(&tx, &B.peel, m_ids[1]);
        if (r % 2 == 0 && r < 2 * Z_TXS) { /* two blocks apart */
            z_step(&tx, &Z);
            z_step(&tx, &Z2);
            z_step(&tx, &Z3);
        }
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            if (all[k]->done < all[k]->hops && r >= all[k]->start &&
                (r - all[k]->start) % all[k]->every == 0 &&
                !(all[k] == &Q && Q.done == Q_HOPS - 1 && r < 12) && /* Q pauses, then goes on */
                !(all[k] == &R && R.done == 1 && r < 4))             /* R pauses after hop 1 */
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

/* c's first n hops have rule a, the others rule b */
static void expect_then(const char *name, const chain *c, int n, unsigned a, unsigned b)
{
    for (int h = 0; h < c->hops; h++) {
        uint32_t f = flags_of(c->ids[h]);
        unsigned want = h < n ? a : b;
        if (CW_PAT_RULE(f) != want)
            fprintf(stderr, "chain %s hop %d: flags %08x, want rule %u\n", name, h, f, want);
        CHECK_EQ_INT(CW_PAT_RULE(f), want);
        CHECK(!!(f & CW_PAT_PEEL) == (want != CW_PAT_RULE_NONE));
    }
}

static void test_flags(void)
{
    cw_patterns_detail d0;
    expect("A tight 5", &A, CW_PAT_RULE_PEEL_SHORT);
    expect("B slow 5", &B, CW_PAT_RULE_NONE);
    expect("E reused remainder", &E, CW_PAT_RULE_NONE);
    expect("C float 12", &C, CW_PAT_RULE_NONE);
    expect("K float 4", &K, CW_PAT_RULE_NONE);
    expect("D fresh 12", &D, CW_PAT_RULE_PEEL_RUN);
    expect("G reused head, 5% peels", &G, CW_PAT_RULE_PEEL_RUN);
    expect("H batched 9", &H, CW_PAT_RULE_PEEL_RUN);
    expect("I batched, change to addresses paid before", &I, CW_PAT_RULE_NONE);
    expect("N batched, 5th remainder to the 3rd's address", &N, CW_PAT_RULE_PEEL_RUN);
    expect("J batched, change alternating between two addresses", &J, CW_PAT_RULE_NONE);
    /* R: a pause after the 1st hop, the 3rd's remainder back to the 1st's address */
    expect_then("R", &R, 1, CW_PAT_RULE_NONE, CW_PAT_RULE_PEEL_SHORT);
    cw_patterns_explain(cs, chain_tx(cs, R.ids[R_HOPS - 1]), &d0);
    CHECK_EQ_INT(d0.peel_tight, CW_PAT_PEEL_SHORT_RUN);
    /* S and U: the run's end after a hop back to the chain's address, and after a last hop
     * peeling more than the run's mean */
    expect_then("S", &S, S_HOPS - 1, CW_PAT_RULE_PEEL_RUN, CW_PAT_RULE_PEEL_END);
    expect_then("U", &U, U_HOPS - 1, CW_PAT_RULE_PEEL_SHORT, CW_PAT_RULE_PEEL_END);
    CHECK(cw_patterns_peel_shape(cs, chain_tx(cs, U.ids[U_HOPS - 1]), NULL)); /* a hop */
    cw_patterns_explain(cs, chain_tx(cs, U.ids[U_HOPS - 1]), &d0);
    CHECK_EQ_INT(d0.peel_end, 1);
    expect_then("V", &V, V_HOPS - 1, CW_PAT_RULE_PEEL_SHORT, CW_PAT_RULE_NONE);
    /* X, Y, Y2, Y3: a chain started by a flagged chain's peel, at a script's tempo */
    expect("X", &X, CW_PAT_RULE_PEEL_RUN);
    expect("Y branch", &Y, CW_PAT_RULE_PEEL_BRANCH);
    expect("Y2 slow branch", &Y2, CW_PAT_RULE_NONE);
    expect("Y3 from an unflagged run's peel", &Y3, CW_PAT_RULE_NONE);
    cw_patterns_explain(cs, chain_tx(cs, Y.ids[2]), &d0);
    CHECK(d0.peel_branch);
    CHECK_EQ_INT(d0.peel_run, Y_HOPS);
    CHECK(cw_patterns_peel_shape(cs, chain_tx(cs, V.ids[V_HOPS - 1]), NULL)); /* a hop */
    uint32_t large = 9;
    CHECK(cw_patterns_peel_shape(cs, chain_tx(cs, H.ids[2]), &large)); /* 3 peels */
    CHECK_EQ_INT(large, 1);
    CHECK(!cw_patterns_peel_shape(cs, chain_tx(cs, I.ids[2]), NULL));
    CHECK(cw_patterns_peel_shape(cs, chain_tx(cs, tx0_id), NULL)); /* a batched hop's shape */
    CHECK(flags_of(tx0_id) & CW_PAT_TX0);

    /* L: hops 1-8 peel-run, 9 and 10 end the run, 11 is too far */
    for (int h = 0; h < L_HOPS; h++) {
        uint32_t f = flags_of(L.ids[h]);
        unsigned want = h <= L_END_AT                          ? CW_PAT_RULE_PEEL_RUN
                        : h <= L_END_AT + CW_PAT_PEEL_END_HOPS ? CW_PAT_RULE_PEEL_END
                                                               : CW_PAT_RULE_NONE;
        if (CW_PAT_RULE(f) != want)
            fprintf(stderr, "chain L hop %d: flags %08x, want rule %u\n", h, f, want);
        CHECK_EQ_INT(CW_PAT_RULE(f), want);
        CHECK(!!(f & CW_PAT_PEEL) == (want != CW_PAT_RULE_NONE));
    }
    CHECK(CW_PAT_SCORE(flags_of(L.ids[L_END_AT + 1])) < 100); /* a judgement */
    cw_patterns_explain(cs, chain_tx(cs, L.ids[L_END_AT + 2]), &d0);
    CHECK_EQ_INT(d0.peel_end, 2);
    /* Q: its 8th hop's peel, spent at once, is no end once the run goes on through the 8th
     * hop's remainder */
    CHECK(!(flags_of(q_end_id) & CW_PAT_PEEL));
    /* M: a mid-run hop's peel and a slow run's peel, spent at once: no flag */
    for (int k = 0; k < 2; k++) {
        uint32_t f = flags_of(m_ids[k]);
        if (f & CW_PAT_PEEL)
            fprintf(stderr, "look-alike M%d: flags %08x\n", k, f);
        CHECK(!(f & CW_PAT_PEEL));
    }

    /* Z, Z2: a payment larger than its change is no hop, so no run crosses to the payee;
     * Z3: a small coin added, or round amounts on both sides, keep the chain */
    const stitch *zs[] = {&Z, &Z2, &Z3};
    for (int k = 0; k < 3; k++)
        for (int h = 0; h < Z_TXS; h++) {
            uint32_t f = flags_of(zs[k]->ids[h]);
            unsigned want = k == 2 ? CW_PAT_RULE_PEEL_RUN : CW_PAT_RULE_NONE;
            if (CW_PAT_RULE(f) != want)
                fprintf(stderr, "stitch Z%d tx %d: flags %08x, want rule %u\n", k + 1, h, f, want);
            CHECK_EQ_INT(CW_PAT_RULE(f), want);
        }
    CHECK(!cw_patterns_peel_shape(cs, chain_tx(cs, Z.ids[Z_PAY_AT]), NULL));
    CHECK(!cw_patterns_peel_shape(cs, chain_tx(cs, Z2.ids[Z_PAY_AT]), NULL));
    CHECK(cw_patterns_peel_shape(cs, chain_tx(cs, Z3.ids[3]), NULL));
    CHECK(cw_patterns_peel_shape(cs, chain_tx(cs, Z3.ids[5]), NULL));
    CHECK(cw_patterns_peel_next(cs, chain_tx(cs, Z.ids[Z_PAY_AT - 1])) == CW_NONE64);

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
    /* A, D, G, H, N, Q, L's 8 run hops and 2 ends, R's last 5, S, U, V's first 4, X, Y, Z3 */
    CHECK_EQ_INT(peel, A_HOPS + C_HOPS + G_HOPS + 2 * H_HOPS + Q_HOPS + L_END_AT + 1 +
                           CW_PAT_PEEL_END_HOPS + R_HOPS - 1 + S_HOPS + U_HOPS + V_HOPS - 1 +
                           X_HOPS + Y_HOPS + Z_TXS);
    cw_patterns_close(p);
}

static int ingest_to(const char *sdir, int64_t to_height)
{
    cw_ingest_opts o;
    memset(&o, 0, sizeof o);
    char blocks[4300];
    snprintf(blocks, sizeof blocks, "%s/blocks", dir);
    o.blocks_dir = blocks;
    o.store_dir = sdir;
    o.net = CW_NET_REGTEST;
    o.to_height = to_height;
    o.threads = 1;
    cw_ingest_stats st;
    return cw_ingest_btc(&o, &st);
}

static size_t read_all(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, cap, f) : 0;
    if (f)
        fclose(f);
    return n;
}

/* An incremental build equals the full one (test_build's): up to q_cut Q's end tx ends its run
 * (peel-run-end); the next blocks continue the run through the 8th hop's remainder, so the
 * extension recomputes the end tx, an older row, to no flag; and X's 7th hop makes X a
 * peel-run, so the extension recomputes Y, older rows, to peel-run-branch. */
static void test_incremental(void)
{
    char s2[4300], p1[4400], p2[4400];
    snprintf(s2, sizeof s2, "%s/store2", dir);
    REQUIRE(ingest_to(s2, q_cut) == 0);
    cw_patterns_stats st;
    REQUIRE(cw_patterns_build(s2, &st) == 0);
    cw_chainstore *c2 = NULL;
    REQUIRE(cw_chainstore_open(&c2, s2, false, CW_NET_REGTEST) == 0);
    uint64_t t = chain_tx(c2, q_end_id);
    CHECK(t != CW_NONE64);
    cw_patterns *p = NULL;
    uint32_t f = 0;
    REQUIRE(cw_patterns_open(&p, c2) == 0);
    CHECK(cw_patterns_tx_flags(p, t, &f) == 0);
    CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_PEEL_END);
    for (int h = 0; h < Y_HOPS; h++) { /* X is 6 hops long here: no source, no branch */
        uint64_t y = chain_tx(c2, Y.ids[h]);
        CHECK(y != CW_NONE64);
        f = 0;
        CHECK(y == CW_NONE64 || cw_patterns_tx_flags(p, y, &f) == 0);
        CHECK(!(f & CW_PAT_PEEL));
    }
    cw_patterns_close(p);
    cw_chainstore_close(c2);
    REQUIRE(ingest_to(s2, -1) == 0);
    REQUIRE(cw_patterns_build(s2, &st) == 0);
    CHECK(!st.rebuilt);
    snprintf(p1, sizeof p1, "%s/patterns.1/txflags.col", store);
    snprintf(p2, sizeof p2, "%s/patterns.2/txflags.col", s2);
    static uint8_t a[1 << 16], b[1 << 16];
    size_t na = read_all(p1, a, sizeof a), nb = read_all(p2, b, sizeof b);
    CHECK(na > 64 && na < sizeof a);
    CHECK_EQ_INT(na, nb);
    CHECK(na == nb && memcmp(a, b, na) == 0);
}

int main(void)
{
    int rc = CHAIN_SETUP(test_build_world, dir, store, &cs);
    if (rc)
        return rc;
    RUN(test_flags);
    RUN(test_build);
    RUN(test_incremental);
    cw_chainstore_close(cs);
    return cw_test_done();
}
