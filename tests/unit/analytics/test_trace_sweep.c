/*
 * test_trace_sweep.c: forward tracing into a probable service's sweep (issue 11; found by the
 * independent world's custodial mixer, tests/diff/btc_shapes_world.py --custodial-mixer: with
 * the mixer unlabelled, FIFO named honest customers' deposits as certain stolen funds).
 * Hand-made regtest blocks with known owners (docs/TRACE-MODELS.md, "Service sweeps", is this
 * example):
 *   - the thief's coin S (1 BTC) is paid to the service's deposit address D0; seven customers
 *     pay theirs (0.3 BTC each) to D1..D7; the service sweeps D0..D7 into its pool P (one
 *     output); from P it pays customer 1 0.9 BTC (C1) and keeps the change; customer 1
 *     deposits C1 at the exchange (E1);
 *   - the thief also splits a second coin S2 into six coins, which it consolidates together
 *     with one clean coin of its own into X and deposits at the exchange (E2);
 *   - one tx of a business pays six coins to six addresses of one wallet, which sweeps them
 *     with a coin the thief paid it (S3) into one output and deposits it (E3);
 *   - an unlabelled exchange pays withdrawals straight from deposit coins, the thief's among
 *     them (build_batch, E6), and an honest user makes a Tx0 from four payers' coins, the
 *     thief's among them (build_tx0, E7) (stop 16: btc_shapes_world.py --direct-withdrawals).
 * Truth and figures (FIFO forward; backward, haircut, in test_backward):
 *   - from S: default (stop at sweeps) ends 1 BTC less its fee as service_sweep at the sweep
 *     tx, and E1 gets nothing; through sweeps (the old rule), E1 gets 0.9 BTC of the thief's
 *     value, all of it certain: a customer named as the thief;
 *   - from S2: the consolidation is no sweep (six traced coins against one clean one): E2
 *     gets the thief's value either way;
 *   - from S3: the wallet's six other coins came from one payer tx: no sweep (the payers are
 *     not many), E3 gets the value either way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "harness.h"

static char dir[4096], store[4200];
static cw_chainstore *cs;

#include "tiny_chain.h"

enum { FEE = 1000 };

static coin s1, s2, s3, cust[7], own_clean, payroll_fund, pool_float;
static uint64_t pool_key; /* the service's pool: a reused address */
static uint8_t id_s1[32], id_e1[32], id_s2[32], id_e2[32], id_s3[32], id_e3[32];
static uint8_t id_s4[32], id_e4[32], id_s5[32], id_e5[32];
static uint8_t id_s6[32], id_e6[32], id_s7[32], id_e7[32];
static coin heist[6];     /* stolen coins (labelled theft), gathered twice before a fan-out */
static uint8_t id_e8[32]; /* the deposit of the fan-out's first chain */
static coin heist2[6];    /* stolen coins (labelled theft), each moved once, then gathered twice */
static uint8_t id_e9[32]; /* the deposit of that fan-out's first chain */
static uint8_t id_s10[32], id_g10[32], id_e10[32]; /* the thief's gift to an account (below) */
static uint8_t id_s11[32], id_e11[32], id_e12[32]; /* a gift to a busy account (build_busy) */
enum { BUSY_OUTS = 4100 };                         /* more than the walk's 4,096 */
static coin heist1[3]; /* a first heist's stolen coins (labelled theft: build_second_heist) */
static uint8_t id_s12[32], id_m12[32], id_e13[32], id_e14[32];
/* a change trap's seller whose wallet was there before the theft (build_prior_wallet) */
static uint8_t id_s13[32], id_e15[32], id_e16[32], id_e17[32], id_e20[32];
/* a change trap's seller paid from the thief's reused address (build_self_change) */
static uint8_t id_s14[32], id_e18[32], id_e19[32];

/* one input to one output of value - FEE to a fresh key; the coin goes to *out */
static void pay1(gen_tx *tx, const coin *c, coin *out, uint8_t id[32])
{
    gen_tx_reset(tx);
    add_in(tx, c);
    uint64_t k = new_key();
    add_out(tx, c->value - FEE, k);
    block_tx(tx, out);
    if (out)
        out->key = k;
    if (id)
        last_txid(id);
}

/* ins swept into one output to key (0: a fresh one) */
static void sweep(gen_tx *tx, coin *const *ins, size_t n, coin *out, uint64_t key)
{
    gen_tx_reset(tx);
    uint64_t v = 0, k = key ? key : new_key();
    for (size_t i = 0; i < n; i++) {
        add_in(tx, ins[i]);
        v += ins[i]->value;
    }
    add_out(tx, v - FEE, k);
    block_tx(tx, out);
    out->key = k;
}

/* A service that rotates its pool (a fresh address each sweep) and sweeps a few deposits at a
 * time: the thief's S4 (0.5 BTC) and three customers' 0.3 BTC coins are paid to its deposit
 * addresses and swept into a fresh pool address Q; from Q it pays customers 4, 5 and 6
 * 0.25 BTC each, change to a fresh address; customer 4 deposits at the exchange (E4). */
static void build_rotating(gen_tx *tx)
{
    coin s4, cc[3], dep[4], q, payout[4];
    block_begin();
    fund(&s4, 50000000ULL, 0);
    for (int i = 0; i < 3; i++)
        fund(&cc[i], 30000000ULL, 0);
    block_end();
    block_begin();
    pay1(tx, &s4, &dep[0], id_s4);
    for (int i = 0; i < 3; i++)
        pay1(tx, &cc[i], &dep[1 + i], NULL);
    block_end();
    block_begin();
    coin *ins[4] = {&dep[0], &dep[1], &dep[2], &dep[3]};
    sweep(tx, ins, 4, &q, 0);
    gen_tx_reset(tx);
    add_in(tx, &q);
    uint64_t k4 = new_key();
    add_out(tx, 25000000ULL, k4);
    add_out(tx, 25000000ULL, new_key());
    add_out(tx, 25000000ULL, new_key());
    add_out(tx, q.value - 75000000ULL - FEE, new_key()); /* change: a fresh address */
    block_tx(tx, payout);
    payout[0].key = k4;
    pay1(tx, &payout[0], NULL, id_e4);
    block_end();
}

/* The thief gathers its own coins into a reused address of its own: S5 (0.6 BTC) is split into
 * six coins, each moved by a tx of its own to a fresh address, then all six are consolidated
 * into R (paid three times: twice before by coins of its own) and deposited (E5). */
static void build_thief_reuse(gen_tx *tx)
{
    coin s5, parts[7], moved[6], r, pre[2];
    uint64_t rk = new_key();
    block_begin();
    fund(&s5, 60000000ULL, 0);
    fund(&pre[0], 10000000ULL, rk);
    fund(&pre[1], 10000000ULL, rk);
    block_end();
    block_begin();
    gen_tx_reset(tx);
    add_in(tx, &s5);
    uint64_t pk[6];
    for (int i = 0; i < 6; i++)
        add_out(tx, 9000000ULL, pk[i] = new_key());
    add_out(tx, s5.value - 54000000ULL - FEE, new_key());
    block_tx(tx, parts);
    last_txid(id_s5);
    for (int i = 0; i < 6; i++)
        parts[i].key = pk[i];
    for (int i = 0; i < 6; i++)
        pay1(tx, &parts[i], &moved[i], NULL);
    block_end();
    block_begin();
    coin *ins[6];
    for (int i = 0; i < 6; i++)
        ins[i] = &moved[i];
    sweep(tx, ins, 6, &r, rk);
    pay1(tx, &r, NULL, id_e5);
    block_end();
}

/* Key k paid 0.1 BTC by two txs (blocks of their own), then a coin of 1 BTC (and, with extra, a
 * clean 0.5 BTC coin in the same block) that the next block's tx `id` moves to *stolen: the
 * theft, after k's history. */
static void account_then_theft(gen_tx *tx, uint64_t k, coin *extra, coin *stolen, uint8_t id[32])
{
    coin k0, k1, raw;
    block_begin();
    fund(&k0, 10000000ULL, k);
    block_end();
    block_begin();
    fund(&k1, 10000000ULL, k);
    block_end();
    block_begin();
    fund(&raw, 100000000ULL, 0);
    if (extra)
        fund(extra, 50000000ULL, 0);
    block_end();
    block_begin();
    pay1(tx, &raw, stolen, id); /* the theft */
    block_end();
}

/* A gift to a third party's own account: D, paid by two txs before the theft (blocks of their
 * own), receives 0.5 BTC of the stolen S10 (tx G10, the change the thief's); D's owner pays all
 * of that coin on to a fresh address (E10). */
static void build_gift(gen_tx *tx)
{
    coin s10, gift[2];
    uint64_t dk = new_key();
    account_then_theft(tx, dk, NULL, &s10, id_s10);
    block_begin();
    gen_tx_reset(tx);
    add_in(tx, &s10);
    add_out(tx, 50000000ULL, dk);
    add_out(tx, s10.value - 50000000ULL - FEE, new_key());
    block_tx(tx, gift);
    last_txid(id_g10);
    gift[0].key = dk;
    pay1(tx, &gift[0], NULL, id_e10);
    block_end();
}

/* A gift to a busy account: B (a merchant's or a donation address), paid by two txs before the
 * theft S11, receives 0.3 BTC of it and so does the thief's fresh address F (G11); then one tx
 * pays each of them BUSY_OUTS outputs of 1,000 sat, more than the history walk's 4,096 (as a
 * busy address gets, or an adversary makes); B pays the gift on (E11), and so does F (E12). */
static void build_busy(gen_tx *tx)
{
    coin s11, fee_coin, gift[3];
    uint64_t bk = new_key(), fk = new_key();
    account_then_theft(tx, bk, &fee_coin, &s11, id_s11);
    block_begin();
    gen_tx_reset(tx);
    add_in(tx, &s11);
    add_out(tx, 30000000ULL, bk);
    add_out(tx, 30000000ULL, fk);
    add_out(tx, s11.value - 60000000ULL - FEE, new_key());
    block_tx(tx, gift);
    gen_tx_reset(tx); /* the busy tx: a clean coin into 2 x BUSY_OUTS outputs to B and F */
    add_in(tx, &fee_coin);
    for (int i = 0; i < BUSY_OUTS; i++) {
        add_out(tx, 1000, bk);
        add_out(tx, 1000, fk);
    }
    add_out(tx, fee_coin.value - 2000ULL * BUSY_OUTS - FEE, new_key());
    block_tx(tx, NULL);
    block_end();
    block_begin();
    gift[0].key = bk;
    gift[1].key = fk;
    pay1(tx, &gift[0], NULL, id_e11);
    pay1(tx, &gift[1], NULL, id_e12);
    block_end();
}

/* One input to one output of value - FEE to key. */
static void pay_to(gen_tx *tx, const coin *c, uint64_t key)
{
    gen_tx_reset(tx);
    add_in(tx, c);
    add_out(tx, c->value - FEE, key);
    block_tx(tx, NULL);
}

/* A thief of two heists (issue 11, btc_alt9: Lazarus reuses its infrastructure). The first
 * heist's stolen coins H0..H2 (0.2 BTC each, at addresses its victim publishes: labelled theft)
 * are paid by two txs of the thief's to its reused address M and by a third to an honest
 * exchange's address X, which two customers' txs (blocks of their own) paid before. Months later
 * the second theft S12 (1 BTC) pays 0.4 BTC to M and 0.4 BTC to X (the thief's deposit); M pays
 * its coin on (E13: the thief's hop), and so does X (E14: the exchange's business). */
static void build_second_heist(gen_tx *tx)
{
    coin raw, s12, split[3];
    uint64_t mk = new_key(), xk = new_key();
    block_begin();
    for (int i = 0; i < 3; i++)
        fund(&heist1[i], 20000000ULL, 0);
    fund(&split[0], 10000000ULL, xk); /* a customer's deposit at X */
    block_end();
    block_begin();
    fund(&split[1], 10000000ULL, xk); /* another's */
    block_end();
    block_begin();
    pay_to(tx, &heist1[0], mk);
    pay_to(tx, &heist1[1], mk);
    pay_to(tx, &heist1[2], xk);
    fund(&raw, 100000000ULL, 0);
    block_end();
    block_begin();
    pay1(tx, &raw, &s12, id_s12); /* the second theft */
    block_end();
    block_begin();
    gen_tx_reset(tx);
    add_in(tx, &s12);
    add_out(tx, 40000000ULL, mk);
    add_out(tx, 40000000ULL, xk);
    add_out(tx, s12.value - 80000000ULL - FEE, new_key());
    block_tx(tx, split);
    last_txid(id_m12);
    split[0].key = mk;
    split[1].key = xk;
    pay1(tx, &split[0], NULL, id_e13);
    pay1(tx, &split[1], NULL, id_e14);
    block_end();
}

/* A change trap (issue 11, btc_alt8's trap_payment): a seller's wallet got W (0.2 BTC) at
 * address P before the theft (paid once, never spent before it: no established account), the
 * thief a coin Q (0.1 BTC) of its own at a fresh address and a merchant MC (0.05 BTC), in the same
 * block. The theft S13 (1 BTC) pays 0.5 BTC to the seller's fresh Y, 0.2 BTC to the thief's K,
 * 0.1 BTC to its K5 and the rest to its K2, in the block where the thief also gets L (0.2 BTC) and
 * the seller W2 (0.05 BTC), each at an address first paid after the theft. Then the seller spends
 * Y with W and W2: 0.3 BTC to a merchant (E15's first output) and the change to itself; the thief
 * spends K with L into one output (E16), K2 with its older Q into one output (E17), and pays the
 * merchant by a PayJoin from K5 and MC: its change 0.07 BTC less the fee first (E20), the
 * merchant's 0.08 BTC (MC and the payment) second. */
static void build_prior_wallet(gen_tx *tx)
{
    coin w, w2, q, mc, raw, s13, l, trap[4];
    uint64_t yk = new_key(), kk = new_key(), k5k = new_key(), k2k = new_key();
    block_begin();
    fund(&w, 20000000ULL, 0);
    fund(&q, 10000000ULL, 0);
    fund(&mc, 5000000ULL, 0);
    fund(&raw, 100000000ULL, 0);
    block_end();
    block_begin();
    pay1(tx, &raw, &s13, id_s13); /* the theft */
    block_end();
    block_begin();
    fund(&l, 20000000ULL, 0);
    fund(&w2, 5000000ULL, 0);
    gen_tx_reset(tx);
    add_in(tx, &s13);
    add_out(tx, 50000000ULL, yk);
    add_out(tx, 20000000ULL, kk);
    add_out(tx, 10000000ULL, k5k);
    add_out(tx, s13.value - 80000000ULL - FEE, k2k);
    block_tx(tx, trap);
    block_end();
    trap[0].key = yk;
    trap[1].key = kk;
    trap[2].key = k5k;
    trap[3].key = k2k;
    block_begin();
    gen_tx_reset(tx); /* the seller: Y, then its own W and W2 */
    add_in(tx, &trap[0]);
    add_in(tx, &w);
    add_in(tx, &w2);
    add_out(tx, 30000000ULL, new_key());
    add_out(tx, 45000000ULL - FEE, new_key());
    block_tx(tx, NULL);
    last_txid(id_e15);
    coin *ins[2] = {&trap[1], &l};
    coin o;
    sweep(tx, ins, 2, &o, 0);
    last_txid(id_e16);
    ins[0] = &trap[3];
    ins[1] = &q;
    sweep(tx, ins, 2, &o, 0);
    last_txid(id_e17);
    gen_tx_reset(tx); /* the thief's PayJoin: K5 is larger than both outputs */
    add_in(tx, &trap[2]);
    add_in(tx, &mc);
    add_out(tx, 7000000ULL - FEE, new_key());
    add_out(tx, 8000000ULL, new_key());
    block_tx(tx, NULL);
    last_txid(id_e20);
    block_end();
}

/* The other change trap: the theft S14 (1 BTC, at the thief's address A) pays 0.4 BTC back to A
 * and the rest to a seller's fresh Y2 (two outputs: a payment and the change kept at the payer's
 * own input address); A's coin then pays 0.1 BTC back to A, 0.1 BTC to the thief's fresh K3 and
 * the rest to its fresh K4 (three outputs: a fan-out). The seller pays all of Y2 on (E18), the
 * thief all of K3 (E19). */
static void build_self_change(gen_tx *tx)
{
    coin raw, s14, a[2], f[3];
    block_begin();
    fund(&raw, 100000000ULL, 0);
    block_end();
    block_begin();
    pay1(tx, &raw, &s14, id_s14); /* the theft */
    block_end();
    uint64_t ak = s14.key, yk = new_key(), k3 = new_key();
    block_begin();
    gen_tx_reset(tx);
    add_in(tx, &s14);
    add_out(tx, 40000000ULL, ak);
    add_out(tx, s14.value - 40000000ULL - FEE, yk);
    block_tx(tx, a);
    a[0].key = ak;
    a[1].key = yk;
    gen_tx_reset(tx);
    add_in(tx, &a[0]);
    add_out(tx, 10000000ULL, ak);
    add_out(tx, 10000000ULL, k3);
    add_out(tx, 20000000ULL - FEE, new_key());
    block_tx(tx, f);
    f[1].key = k3;
    block_end();
    block_begin();
    pay1(tx, &a[1], NULL, id_e18);
    pay1(tx, &f[1], NULL, id_e19);
    block_end();
}

/* An unlabelled exchange that pays a withdrawal batch straight from its customers' deposit
 * coins, no sweep first: the thief's S6 (0.4 BTC) and three customers' 0.3 BTC coins are paid to
 * four deposit addresses, and one tx spends all four into withdrawals of 0.35, 0.2, 0.15 and
 * 0.1 BTC to four customers and the change; customer 6 deposits its 0.35 BTC at another
 * exchange (E6). */
static void build_batch(gen_tx *tx)
{
    coin s6, cc[3], dep[4], wd[5];
    block_begin();
    fund(&s6, 40000000ULL, 0);
    for (int i = 0; i < 3; i++)
        fund(&cc[i], 30000000ULL, 0);
    block_end();
    block_begin();
    pay1(tx, &s6, &dep[0], id_s6);
    for (int i = 0; i < 3; i++)
        pay1(tx, &cc[i], &dep[1 + i], NULL);
    block_end();
    block_begin();
    gen_tx_reset(tx);
    uint64_t v = 0;
    for (int i = 0; i < 4; i++) {
        add_in(tx, &dep[i]);
        v += dep[i].value;
    }
    uint64_t k6 = new_key();
    add_out(tx, 35000000ULL, k6);
    add_out(tx, 20000000ULL, new_key());
    add_out(tx, 15000000ULL, new_key());
    add_out(tx, 10000000ULL, new_key());
    add_out(tx, v - 80000000ULL - FEE, new_key()); /* the change */
    block_tx(tx, wd);
    wd[0].key = k6;
    pay1(tx, &wd[0], NULL, id_e6);
    block_end();
}

/* An honest user's Tx0 from coins of four payers: the thief paid it S7 (0.2 BTC), three others
 * 0.1 BTC each; the Tx0 spends the four into five 0.1 BTC premixes, an OP_RETURN and the change
 * (one owner's coins, not a payout); the user deposits the first premix (E7). */
static void build_tx0(gen_tx *tx)
{
    coin s7, cc[3], got[4], pre[7];
    block_begin();
    fund(&s7, 20000000ULL + FEE, 0);
    for (int i = 0; i < 3; i++)
        fund(&cc[i], 10000000ULL + FEE, 0);
    block_end();
    block_begin();
    pay1(tx, &s7, &got[0], id_s7);
    for (int i = 0; i < 3; i++)
        pay1(tx, &cc[i], &got[1 + i], NULL);
    block_end();
    block_begin();
    gen_tx_reset(tx);
    for (int i = 0; i < 4; i++)
        add_in(tx, &got[i]);
    uint64_t k7 = new_key();
    add_out(tx, 10000000ULL, k7);
    for (int i = 0; i < 4; i++)
        add_out(tx, 10000000ULL, new_key());
    add_opreturn(tx);
    add_out(tx, 50000000ULL - 2 * FEE, new_key()); /* the change: 0.5 BTC in, 0.5 out */
    block_tx(tx, pre);
    pre[0].key = k7;
    pay1(tx, &pre[0], NULL, id_e7);
    block_end();
}

/* A thief gathers six stolen coins in two rounds (issue 11, btcalt3's heist a): three txs of
 * two stolen coins each, then one tx of those three coins (three inputs from three payer txs,
 * one output: a sweep's shape), whose coin fans out to five fresh addresses (paid out to many,
 * as a service's pool would be); the first of them is deposited (E8). */
static void build_heist(gen_tx *tx, coin *stolen, bool move, uint8_t id_dep[32])
{
    coin c[3], k, fan[5], moved[6];
    block_begin();
    for (int i = 0; i < 6; i++)
        fund(&stolen[i], 20000000ULL, 0);
    block_end();
    block_begin();
    for (int i = 0; i < 6; i++) {
        moved[i] = stolen[i];
        if (move) /* each stolen coin to a fresh address of the thief's first */
            pay1(tx, &stolen[i], &moved[i], NULL);
    }
    for (int i = 0; i < 3; i++) {
        coin *ins[2] = {&moved[2 * i], &moved[2 * i + 1]};
        sweep(tx, ins, 2, &c[i], 0);
    }
    block_end();
    block_begin();
    coin *ins[3] = {&c[0], &c[1], &c[2]};
    sweep(tx, ins, 3, &k, 0);
    gen_tx_reset(tx);
    add_in(tx, &k);
    uint64_t fk[5];
    for (int i = 0; i < 5; i++)
        add_out(tx, (k.value - FEE) / 5, fk[i] = new_key());
    block_tx(tx, fan);
    for (int i = 0; i < 5; i++)
        fan[i].key = fk[i];
    pay1(tx, &fan[0], NULL, id_dep);
    block_end();
}

static void build_world(const char *out_dir)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    block_begin();
    fund(&s1, 100000000ULL, 0);
    for (int i = 0; i < 7; i++)
        fund(&cust[i], 30000000ULL, 0);
    fund(&s2, 60000000ULL, 0);
    fund(&own_clean, 10000000ULL, 0);
    fund(&s3, 20000000ULL, 0);
    fund(&payroll_fund, 70000000ULL, 0);
    pool_key = new_key();
    fund(&pool_float, 50000000ULL, pool_key); /* the service's float, at its pool address */
    block_end();
    /* the thief and seven customers pay the service's deposit addresses */
    block_begin();
    coin dep[8];
    pay1(&tx, &s1, &dep[0], id_s1);
    for (int i = 0; i < 7; i++)
        pay1(&tx, &cust[i], &dep[1 + i], NULL);
    /* the thief splits S2 into six coins */
    gen_tx_reset(&tx);
    add_in(&tx, &s2);
    coin parts[7]; /* six and the change */
    uint64_t pk[6];
    for (int i = 0; i < 6; i++)
        add_out(&tx, 9000000ULL, pk[i] = new_key());
    add_out(&tx, s2.value - 6 * 9000000ULL - FEE, new_key());
    block_tx(&tx, parts);
    last_txid(id_s2);
    for (int i = 0; i < 6; i++)
        parts[i].key = pk[i];
    /* a business pays six coins to six addresses of one wallet */
    gen_tx_reset(&tx);
    add_in(&tx, &payroll_fund);
    coin wages[7];
    uint64_t wk[6];
    for (int i = 0; i < 6; i++)
        add_out(&tx, 10000000ULL, wk[i] = new_key());
    add_out(&tx, payroll_fund.value - 6 * 10000000ULL - FEE, new_key());
    block_tx(&tx, wages);
    for (int i = 0; i < 6; i++)
        wages[i].key = wk[i];
    block_end();
    /* the service's sweep; the thief's consolidation; the thief pays the wallet */
    block_begin();
    coin pool, x, shop[7];
    coin *ins[8];
    for (int i = 0; i < 8; i++)
        ins[i] = &dep[i];
    sweep(&tx, ins, 8, &pool, pool_key);
    coin *cins[7];
    for (int i = 0; i < 6; i++)
        cins[i] = &parts[i];
    cins[6] = &own_clean;
    sweep(&tx, cins, 7, &x, 0);
    for (int i = 0; i < 6; i++)
        shop[i] = wages[i];
    pay1(&tx, &s3, &shop[6], id_s3);
    block_end();
    /* the service pays customer 1 from its pool; deposits */
    block_begin();
    gen_tx_reset(&tx);
    add_in(&tx, &pool);
    coin po[4];
    uint64_t c1k = new_key();
    add_out(&tx, 90000000ULL, c1k);
    add_out(&tx, 20000000ULL, new_key()); /* customers 2 and 3, in the same payout */
    add_out(&tx, 20000000ULL, new_key());
    add_out(&tx, pool.value - 130000000ULL - FEE, pool_key); /* change back to the pool */
    block_tx(&tx, po);
    po[0].key = c1k;
    pay1(&tx, &po[0], NULL, id_e1);
    pay1(&tx, &x, NULL, id_e2);
    coin shop_sum;
    coin *sins[7];
    for (int i = 0; i < 7; i++)
        sins[i] = &shop[i];
    sweep(&tx, sins, 7, &shop_sum, 0);
    pay1(&tx, &shop_sum, NULL, id_e3);
    block_end();
    build_rotating(&tx);
    build_thief_reuse(&tx);
    build_batch(&tx);
    build_tx0(&tx);
    build_heist(&tx, heist, false, id_e8);
    build_heist(&tx, heist2, true, id_e9);
    build_gift(&tx);
    build_busy(&tx);
    build_second_heist(&tx);
    build_prior_wallet(&tx);
    build_self_change(&tx);
    gen_tx_deinit(&tx);
    chain_write(out_dir);
}

static void test_build_world(void)
{
    build_world(dir);
}

/* ------------------------------------------------------------------ checks */

/* FIFO forward from the first n_src outputs of from_tx: the value at the first output of at_tx,
 * its probable part, and the value ended as service_sweep */
static void trace_lm(const uint8_t from_tx[32], size_t n_src, const uint8_t at_tx[32], bool through,
                     const cw_trace_labelmap *lm, uint64_t *at, uint64_t *at_prob, uint64_t *swept)
{
    *at = *at_prob = *swept = UINT64_MAX; /* a failed REQUIRE leaves these: every check fails */
    uint64_t src[6], dst = chain_out(cs, at_tx, 0);
    for (size_t i = 0; i < n_src; i++)
        src[i] = chain_out(cs, from_tx, (uint32_t)i);
    REQUIRE(dst != CW_NONE64 && src[0] != CW_NONE64);
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.through_sweeps = through;
    cw_trace *t = NULL;
    REQUIRE(cw_trace_run(&t, cs, lm, src, n_src, &o) == 0);
    *at = cw_trace_amount_at(t, dst);
    *at_prob = 0;
    *swept = 0;
    for (size_t i = 0; i < cw_trace_n_ends(t); i++) {
        const cw_trace_end *e = cw_trace_end_at(t, i);
        if (e->kind == CW_END_SWEEP)
            *swept += e->amount;
        if (e->out == dst)
            *at_prob += e->probable;
    }
    cw_trace_free(t);
}

static void trace_to(const uint8_t from_tx[32], size_t n_src, const uint8_t at_tx[32], bool through,
                     uint64_t *at, uint64_t *at_prob, uint64_t *swept)
{
    trace_lm(from_tx, n_src, at_tx, through, NULL, at, at_prob, swept);
}

/* The JSON of the FIFO forward trace (the defaults) from the first output of from_tx; NULL when
 * there is none or the trace fails (every check on it then fails). */
static json_t *trace_json_from(const uint8_t from_tx[32])
{
    uint64_t src = chain_out(cs, from_tx, 0);
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    cw_trace *t = NULL;
    if (src == CW_NONE64 || cw_trace_run(&t, cs, NULL, &src, 1, &o) != 0)
        return NULL;
    json_t *j = cw_trace_json(t, 10, 100);
    cw_trace_free(t);
    return j;
}

static void test_service_sweep(void)
{
    uint64_t at, prob, swept;
    trace_to(id_s1, 1, id_e1, false, &at, &prob, &swept);
    CHECK(at == 0);
    CHECK(swept == 100000000ULL - FEE); /* all the thief paid the service */
    trace_to(id_s1, 1, id_e1, true, &at, &prob, &swept);
    CHECK(swept == 0);
    CHECK(at == 90000000ULL - FEE); /* the old rule: a customer's deposit, all of it certain */
    CHECK(prob == 0);
    CHECK(!strcmp(cw_trace_end_kind_name(CW_END_SWEEP), "service_sweep"));
}

static void test_own_consolidation(void)
{
    uint64_t at, prob, swept, at2, prob2, swept2;
    trace_to(id_s2, 6, id_e2, false, &at, &prob, &swept);
    trace_to(id_s2, 6, id_e2, true, &at2, &prob2, &swept2);
    CHECK(swept == 0 && swept2 == 0);
    CHECK(at == 6 * 9000000ULL); /* FIFO: the six traced coins come first */
    CHECK(at == at2);
}

static void test_one_payer(void)
{
    uint64_t at, prob, swept;
    trace_to(id_s3, 1, id_e3, false, &at, &prob, &swept);
    CHECK(swept == 0);
    CHECK(at > 0);
}

/* Backward (haircut, as screening traces) from the first output of from_tx: the value that
 * reaches the first output of at_tx, and the value ended as service_sweep */
static void back_to(const uint8_t from_tx[32], const uint8_t at_tx[32], bool through, uint64_t *at,
                    uint64_t *swept)
{
    *at = *swept = UINT64_MAX;
    uint64_t src = chain_out(cs, from_tx, 0), dst = chain_out(cs, at_tx, 0);
    REQUIRE(src != CW_NONE64 && dst != CW_NONE64);
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.model = CW_TRACE_HAIRCUT;
    o.direction = CW_TRACE_BACKWARD;
    o.through_sweeps = through;
    cw_trace *t = NULL;
    REQUIRE(cw_trace_run(&t, cs, NULL, &src, 1, &o) == 0);
    *at = cw_trace_amount_at(t, dst);
    *swept = 0;
    for (size_t i = 0; i < cw_trace_n_ends(t); i++)
        if (cw_trace_end_at(t, i)->kind == CW_END_SWEEP)
            *swept += cw_trace_end_at(t, i)->amount;
    cw_trace_free(t);
}

/* Screening's trace (haircut, backward, stopping at every label) from the first output of
 * from_tx with the stolen coins labelled theft, S's as well (a thief's direct deposit at the
 * service): the value that ends at theft-labelled coins, and the value ended as service_sweep */
static void back_screen(const uint8_t from_tx[32], uint64_t *theft, uint64_t *swept)
{
    *theft = *swept = UINT64_MAX;
    uint64_t outs[13];
    const char *ents[13], *cats[13];
    for (int i = 0; i < 6; i++) {
        outs[i] = chain_out(cs, heist[i].txid, heist[i].vout);
        outs[7 + i] = chain_out(cs, heist2[i].txid, heist2[i].vout);
    }
    outs[6] = chain_out(cs, s1.txid, s1.vout);
    for (int i = 0; i < 13; i++) {
        ents[i] = "heist";
        cats[i] = "theft";
    }
    cw_trace_labelmap *lm = NULL;
    uint64_t src = chain_out(cs, from_tx, 0);
    REQUIRE(src != CW_NONE64 && chain_labels(dir, "theft", cs, outs, ents, cats, 13, &lm));
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.model = CW_TRACE_HAIRCUT;
    o.direction = CW_TRACE_BACKWARD;
    o.stop_any_label = true;
    o.coinjoin = CW_CJ_PROPORTIONAL;
    cw_trace *t = NULL;
    int rc = cw_trace_run(&t, cs, lm, &src, 1, &o);
    CHECK(rc == 0);
    if (rc == 0) {
        *theft = *swept = 0;
        for (size_t i = 0; i < cw_trace_n_ends(t); i++) {
            const cw_trace_end *e = cw_trace_end_at(t, i);
            if (e->kind == CW_END_SWEEP)
                *swept += e->amount;
            if (e->kind == CW_END_LABEL)
                *theft += e->amount;
        }
    }
    cw_trace_free(t);
    cw_trace_labelmap_free(lm);
}

/* The thief's second gathering is a sweep by its shape and by what its coin does (five
 * payees), but every input spends a coin made by a tx that spends stolen coins: not a
 * service's. E8's provenance goes through both rounds to the stolen coins, all of it (before
 * this rule: it ended at the gathering, "from a service", and screening missed every such
 * deposit). The service's sweep of eight deposits, one of them the thief's stolen S paid
 * straight in, stays a sweep: customer 1's deposit E1 still ends there, and no value reaches
 * the stolen coin. */
static void test_heist_gathering(void)
{
    uint64_t theft, swept;
    back_screen(id_e8, &theft, &swept);
    CHECK_EQ_INT(swept, 0);
    CHECK_EQ_INT(theft,
                 23998000LL); /* E8: ((3 * (0.4 BTC - FEE) - FEE) - FEE) / 5 - FEE, all of it */
    back_screen(id_e1, &theft, &swept);
    CHECK_EQ_INT(theft, 0);
    CHECK(swept > 0 && swept != UINT64_MAX);
}

/* The same thief moves each stolen coin once to a fresh address of its own before the two
 * gatherings: the second gathering's inputs are made by txs that spend coins made by txs that
 * spend the stolen coins (three txs back). E9's provenance still goes through to the stolen
 * coins, all of it (with the look-back of one tx, stop 19: it ended at the second gathering,
 * "from a service"). */
static void test_heist_moved_gathering(void)
{
    uint64_t theft, swept;
    back_screen(id_e9, &theft, &swept);
    CHECK_EQ_INT(swept, 0);
    CHECK_EQ_INT(theft, 23996800LL); /* E9: ((3 * (2 * (0.2 BTC - FEE) - FEE) - FEE) - FEE) / 5
                                      * - FEE, all of it */
}

/* Screening's direction: customer 1's deposit comes from the service's pool, which a sweep of
 * eight payers' coins and its own float paid; the pool address is paid three times (float,
 * sweep, change). By default the provenance ends at the sweep; through it, a share reaches the
 * thief's deposit (D0, S's payment). The thief's consolidation X pays a fresh address: E2's
 * provenance goes through it to S2's parts. */
static void test_backward(void)
{
    uint64_t at, swept;
    back_to(id_e1, id_s1, false, &at, &swept);
    CHECK(at == 0);
    CHECK(swept > 0);
    back_to(id_e1, id_s1, true, &at, &swept);
    CHECK(swept == 0);
    CHECK(at > 0 && at != UINT64_MAX); /* the old rule: the customer's coin "came from" the thief */
    back_to(id_e2, id_s2, false, &at, &swept);
    CHECK(swept == 0);
    CHECK(at > 0 && at != UINT64_MAX);
}

/* A rotating pool that sweeps four deposits: three other payers, and the pool's coin is paid
 * out to four addresses (customers 4-6 and the change). Forward, S4's value ends at the sweep;
 * through it (and before this rule: fewer than five other payers), customer 4's deposit E4
 * carried the thief's value as certain. Backward, E4's provenance ends at the sweep (the pool
 * address is fresh: the rule that read reuse followed it into S4's payment). */
static void test_rotating_pool(void)
{
    uint64_t at, prob, swept;
    trace_to(id_s4, 1, id_e4, false, &at, &prob, &swept);
    CHECK(at == 0);
    CHECK(swept == 50000000ULL - FEE);
    trace_to(id_s4, 1, id_e4, true, &at, &prob, &swept);
    CHECK(swept == 0);
    CHECK(at == 25000000ULL - FEE); /* FIFO: D0 first on the sweep, customer 4 first on Q */
    back_to(id_e4, id_s4, false, &at, &swept);
    CHECK(at == 0);
    CHECK(swept > 0 && swept != UINT64_MAX);
    back_to(id_e4, id_s4, true, &at, &swept);
    CHECK(swept == 0);
    CHECK(at > 0 && at != UINT64_MAX);
}

/* The thief's consolidation of six coins from six txs into its reused address R, deposited in
 * one output: nothing is paid out to many, so backward E5's provenance goes through it to S5's
 * split (the rule that read reuse ended it there as a service), and forward E5 gets S5's six
 * parts either way. */
static void test_thief_reuse(void)
{
    uint64_t at, prob, swept;
    back_to(id_e5, id_s5, false, &at, &swept);
    CHECK(swept == 0);
    CHECK(at > 0 && at != UINT64_MAX);
    trace_to(id_s5, 6, id_e5, false, &at, &prob, &swept);
    CHECK(swept == 0);
    CHECK(at == 6 * (9000000ULL - FEE) - 2 * FEE); /* the consolidation's fee and the deposit's */
    /* R was paid before the theft by one tx (two outputs of it) and never spent: no account of
     * a third party's (docs/TRACE-MODELS.md, "A third party's own account"), so the deposit
     * from R stays certain */
    CHECK(prob == 0);
}

/* The gift to D's account: the receipt (G10's output to D) carries the gift whole, what D pays
 * on from it is probable */
static void test_gift_account(void)
{
    uint64_t at, prob, swept;
    trace_to(id_s10, 1, id_g10, false, &at, &prob, &swept);
    CHECK(at == 50000000ULL); /* followed on, so no end there: its probable part is the next tx's */
    trace_to(id_s10, 1, id_e10, false, &at, &prob, &swept);
    CHECK(at == 50000000ULL - FEE);
    CHECK(prob == at);
}

/* The gift to the busy account B: B's walk (newest first, at most 4,096 outputs) ends in the
 * 4,101 outputs paid it since the theft, and B was first paid in a block before the theft's: an
 * established account (the EVM walk's answer), so what B pays on from the gift is probable, and
 * the JSON says its own was not counted. The thief's fresh F, made as busy, was first paid after
 * the theft: its deposit stays certain. (Before stop 27 B read as "not established", certain.) */
static void test_busy_account(void)
{
    uint64_t at, prob, swept;
    trace_to(id_s11, 1, id_e11, false, &at, &prob, &swept);
    CHECK(at == 30000000ULL - FEE);
    CHECK(prob == at);
    trace_to(id_s11, 1, id_e12, false, &at, &prob, &swept);
    CHECK(at == 30000000ULL - FEE);
    CHECK(prob == 0);
    json_t *j = trace_json_from(id_s11);
    json_t *sp = json_object_get(json_object_get(j, "third_party"), "spends");
    CHECK(json_array_size(sp) == 1);
    json_t *s0 = json_array_get(sp, 0);
    CHECK(json_is_null(json_object_get(s0, "own")));
    const char *why = json_string_value(json_object_get(s0, "why"));
    CHECK(why && strstr(why, "4,096 times or more since the theft"));
    json_decref(j);
}

/* The second heist (build_second_heist). With no labels M's two receipts before the theft make
 * it an established account: the thief's hop E13 is probable, as the exchange X's payment E14
 * is. With the first heist's stolen coins labelled theft (what its victim publishes), M's
 * receipts were paid by txs that spend them: the thief's own coins, not M's, so M is no
 * established account and E13 is certain (docs/TRACE-MODELS.md, "A thief's own earlier
 * receipts"). X keeps its two customers' receipts beside the thief's deposit: still a third
 * party, E14 probable. M itself labelled theft: the thief's, E13 certain. */
static void test_second_heist(void)
{
    uint64_t at, prob, swept;
    trace_to(id_s12, 1, id_e13, false, &at, &prob, &swept);
    CHECK(at == 40000000ULL - FEE);
    CHECK(prob == at);
    trace_to(id_s12, 1, id_e14, false, &at, &prob, &swept);
    CHECK(at == 40000000ULL - FEE);
    CHECK(prob == at);
    uint64_t outs[3];
    const char *ents[3] = {"heist 1", "heist 1", "heist 1"}, *cats[3] = {"theft", "theft", "theft"};
    for (int i = 0; i < 3; i++)
        outs[i] = chain_out(cs, heist1[i].txid, heist1[i].vout);
    cw_trace_labelmap *lm = NULL;
    REQUIRE(chain_labels(dir, "heist1", cs, outs, ents, cats, 3, &lm));
    trace_lm(id_s12, 1, id_e13, false, lm, &at, &prob, &swept);
    CHECK(at == 40000000ULL - FEE);
    CHECK(prob == 0);
    trace_lm(id_s12, 1, id_e14, false, lm, &at, &prob, &swept);
    CHECK(at == 40000000ULL - FEE);
    CHECK(prob == at);
    cw_trace_labelmap_free(lm);
    uint64_t m = chain_out(cs, id_m12, 0); /* M itself labelled theft */
    const char *ent = "thief", *cat = "theft";
    REQUIRE(m != CW_NONE64);
    lm = NULL;
    REQUIRE(chain_labels(dir, "thief_m", cs, &m, &ent, &cat, 1, &lm));
    trace_lm(id_s12, 1, id_e13, false, lm, &at, &prob, &swept);
    CHECK(at == 40000000ULL - FEE);
    CHECK(prob == 0);
    cw_trace_labelmap_free(lm);
}

/* The second heist's JSON (docs/TRACE-MODELS.md, "A third party's own account"): with the first
 * heist's coins labelled theft, X's spend E14 is the one third party's spend; its "own" is the two
 * customers' 0.2 BTC and "not_own" the thief's deposit there before the theft (0.2 BTC less the
 * fee, one tx), which the sentence names too. Without labels both M's and X's spends are listed,
 * X's own counting the thief's deposit, and no spend has "not_own". */
static void test_second_heist_json(void)
{
    uint64_t outs[3], src = chain_out(cs, id_s12, 0);
    const char *ents[3] = {"heist 1", "heist 1", "heist 1"}, *cats[3] = {"theft", "theft", "theft"};
    for (int i = 0; i < 3; i++)
        outs[i] = chain_out(cs, heist1[i].txid, heist1[i].vout);
    cw_trace_labelmap *lm = NULL;
    REQUIRE(chain_labels(dir, "heist1_json", cs, outs, ents, cats, 3, &lm));
    char xa[CW_ADDR_STR_MAX]; /* X: where S12's split paid the thief's deposit (its output 1) */
    const cw_addr_key *xk =
        cw_chainstore_addr(cs, cw_chainstore_out(cs, chain_out(cs, id_m12, 1))->addr);
    REQUIRE(cw_addr_encode(xa, sizeof xa, xk, CW_NET_REGTEST) >= 0);
    for (int labelled = 0; labelled < 2; labelled++) {
        cw_trace_opts o;
        cw_trace_opts_init(&o);
        cw_trace *t = NULL;
        REQUIRE(cw_trace_run(&t, cs, labelled ? lm : NULL, &src, 1, &o) == 0);
        json_t *j = cw_trace_json(t, 10, 100);
        json_t *sp = json_object_get(json_object_get(j, "third_party"), "spends");
        CHECK_EQ_INT(json_array_size(sp), labelled ? 1 : 2);
        size_t k, n_not_own = 0;
        json_t *e, *x = NULL;
        json_array_foreach(sp, k, e)
        {
            n_not_own += json_object_get(e, "not_own") != NULL;
            const char *a = json_string_value(json_object_get(e, "address"));
            if (a && !strcmp(a, xa))
                x = e;
        }
        CHECK(x != NULL);
        CHECK_EQ_INT(json_integer_value(json_object_get(x, "own")),
                     labelled ? 20000000 : 40000000 - FEE);
        CHECK_EQ_INT(n_not_own, labelled);
        json_t *no = json_object_get(x, "not_own");
        if (labelled) {
            CHECK_EQ_INT(json_integer_value(json_object_get(no, "sat")), 20000000 - FEE);
            CHECK_EQ_INT(json_integer_value(json_object_get(no, "txs")), 1);
            const char *why = json_string_value(json_object_get(x, "why"));
            char want[200];
            snprintf(want, sizeof want, "and %d sat in 1 tx(s) paid with coins at theft-labelled",
                     20000000 - FEE);
            CHECK(why && strstr(why, want));
        }
        json_decref(j);
        cw_trace_free(t);
    }
    cw_trace_labelmap_free(lm);
}

/* The change trap (build_prior_wallet; docs/TRACE-MODELS.md, "A wallet that was there before the
 * theft"). The seller's receipt Y stays certain; its spend adds W, a coin at an address paid
 * before the theft, beside the coin it received: a wallet that was there before the theft, so
 * the merchant's 0.3 BTC (all of it the theft's by FIFO) is probable, and the JSON names the
 * evidence, W's address and its value. The thief's K spent with L, whose address was first paid
 * after the theft, stays certain; its K2 spent with its own older Q reads as a seller's (the
 * rule's cost: the honest reading wins). The thief's PayJoin with MC (an address of before) is
 * rule payjoin's: its change keeps as certain its value less MC's, 0.05 BTC probable, not all.
 * Before the rule E15 and E17 were certain (4 checks fail). */
static void test_prior_wallet(void)
{
    uint64_t at, prob, swept;
    trace_to(id_s13, 1, id_e15, false, &at, &prob, &swept);
    CHECK(at == 30000000ULL);
    CHECK(prob == at);
    trace_to(id_s13, 1, id_e16, false, &at, &prob, &swept);
    CHECK(at == 20000000ULL);
    CHECK(prob == 0);
    trace_to(id_s13, 1, id_e17, false, &at, &prob, &swept);
    CHECK(at == 20000000ULL - 2 * FEE);
    CHECK(prob == at);
    trace_to(id_s13, 1, id_e20, false, &at, &prob, &swept);
    CHECK(at == 7000000ULL - FEE);
    CHECK(prob == 5000000ULL);
    json_t *j = trace_json_from(id_s13);
    json_t *sp = json_object_get(json_object_get(j, "third_party"), "spends"), *x;
    size_t i, n_prior = 0;
    const char *why = NULL;
    json_array_foreach(sp, i, x)
    {
        const char *ev = json_string_value(json_object_get(x, "evidence"));
        if (ev && !strcmp(ev, "pre_theft_address")) {
            n_prior++;
            if (json_integer_value(json_object_get(x, "own_coin")) == 20000000)
                why = json_string_value(json_object_get(x, "why"));
        }
    }
    CHECK(n_prior == 2); /* E15 and E17 */
    CHECK(why && strstr(why, "an address in use before the theft"));
    json_decref(j);
}

/* The self-change trap (build_self_change; docs/TRACE-MODELS.md, "A payment whose payer kept its
 * change at its own address"). S14's tx pays two outputs, one back to its input's address A: the
 * other, Y2, is a payment to another party. Y2's receipt stays certain, what the seller pays on
 * from it (E18) is probable, and the JSON names the payer. The fan-out from A (three outputs, one
 * back to A) is no such payment: the thief's K3 pays on certain (E19). Before the rule E18 was
 * certain (4 checks fail). */
static void test_self_change_payee(void)
{
    uint64_t at, prob, swept;
    trace_to(id_s14, 1, id_e18, false, &at, &prob, &swept);
    CHECK(at == 60000000ULL - 3 * FEE);
    CHECK(prob == at);
    trace_to(id_s14, 1, id_e19, false, &at, &prob, &swept);
    CHECK(at == 10000000ULL - FEE);
    CHECK(prob == 0);
    json_t *j = trace_json_from(id_s14);
    json_t *sp = json_object_get(json_object_get(j, "third_party"), "spends");
    CHECK(json_array_size(sp) == 1);
    json_t *s0 = json_array_get(sp, 0);
    const char *ev = json_string_value(json_object_get(s0, "evidence"));
    CHECK(ev && !strcmp(ev, "self_change_payee"));
    CHECK(json_is_string(json_object_get(s0, "payer_txid")));
    json_decref(j);
}

/* The withdrawal batch paid straight from four payers' deposit coins (three besides the thief's)
 * to four customers and the change: a service's payout. Forward, S6's value ends there; through
 * it (and before this rule: a batch was never a sweep), customer 6's deposit E6 carried 0.35 BTC
 * less its fee of the thief's value, all of it certain: a customer named as the thief.
 * Backward, E6's provenance ends there ("from a service"). */
static void test_direct_batch(void)
{
    uint64_t at, prob, swept;
    trace_to(id_s6, 1, id_e6, false, &at, &prob, &swept);
    CHECK(at == 0);
    CHECK(swept == 40000000ULL - FEE);
    trace_to(id_s6, 1, id_e6, true, &at, &prob, &swept);
    CHECK(swept == 0);
    CHECK(at == 35000000ULL - FEE); /* FIFO: D0 first on the batch, customer 6 first */
    CHECK(prob == 0);
    back_to(id_e6, id_s6, false, &at, &swept);
    CHECK(at == 0);
    CHECK(swept > 0 && swept != UINT64_MAX);
    back_to(id_e6, id_s6, true, &at, &swept);
    CHECK(swept == 0);
    CHECK(at > 0 && at != UINT64_MAX);
}

/* The honest user's Tx0 from four payers' coins pays five outputs, one of them an OP_RETURN: one
 * owner's premixes, no payout. Forward the thief's 0.2 BTC reaches the first premix and its
 * deposit E7 (FIFO); backward E7's provenance reaches S7's payment. */
static void test_tx0_not_batch(void)
{
    uint64_t at, prob, swept;
    trace_to(id_s7, 1, id_e7, false, &at, &prob, &swept);
    CHECK(swept == 0);
    CHECK(at == 10000000ULL - FEE);
    back_to(id_e7, id_s7, false, &at, &swept);
    CHECK(swept == 0);
    CHECK(at > 0 && at != UINT64_MAX);
}

int main(void)
{
    int rc = CHAIN_SETUP(test_build_world, dir, store, &cs);
    if (rc)
        return rc;
    RUN(test_service_sweep);
    RUN(test_own_consolidation);
    RUN(test_one_payer);
    RUN(test_backward);
    RUN(test_rotating_pool);
    RUN(test_thief_reuse);
    RUN(test_gift_account);
    RUN(test_busy_account);
    RUN(test_second_heist);
    RUN(test_second_heist_json);
    RUN(test_prior_wallet);
    RUN(test_self_change_payee);
    RUN(test_direct_batch);
    RUN(test_tx0_not_batch);
    RUN(test_heist_gathering);
    RUN(test_heist_moved_gathering);
    cw_chainstore_close(cs);
    return cw_test_done();
}
