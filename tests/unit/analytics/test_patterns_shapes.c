/*
 * test_patterns_shapes.c: the CoinJoin, Tx0 and peel-chain rules on hand-made transactions of
 * each shape (docs/PATTERNS.md), written as regtest blocks by a tiny block builder on the
 * generator's serializer, ingested, flagged and clustered. The shapes follow the published
 * descriptions of each protocol, not the world generator:
 *   - a Wasabi-style round with MORE equal outputs than inputs (37 inputs, 45 x 0.1 BTC,
 *     changes, a coordinator fee, one change paid back to its input's address): a CoinJoin,
 *     and Wasabi 2 (exactly 0.1 BTC is a standard denomination, and Wasabi 1 gives at most one
 *     base output per participant);
 *   - a Wasabi 2 round (standard denominations): coinjoin + wasabi2;
 *   - a mainnet-sized Wasabi 2 round: 300 inputs, each decomposed greedily on the whole
 *     standard ladder (denominations only partly repeated), 3 odd payment outputs, no fee;
 *   - a Wasabi 1.x round: base 0.10012345 BTC, some 2x and one 4x level, changes, a
 *     coordinator fee: wasabi1;
 *   - the failures found on generated worlds (issue 11): 8 inputs paying 20 x 3^13 sat and
 *     changes (no change matched: was not a CoinJoin at all); 19 inputs, 15 x 0.01 BTC, 10
 *     changes (was joinmarket); 41 inputs, 40 x 0.2 BTC, changes (was wasabi1); a JoinMarket
 *     round whose amount is a maker's 131,072-sat coin (must stay joinmarket); a JoinMarket
 *     round of 14 makers at 0.18585910 BTC, no coordinator fee output (was wasabi1);
 *   - found by the independent world (tests/diff/btc_shapes_world.py): a payroll paid from 12
 *     of the payer's coins with a change larger than any (not a CoinJoin; probable allowed),
 *     a payroll of 16 x 3,333,000 sat from 12 coins (more equal outputs than inputs off the
 *     Wasabi 2 ladder: not a CoinJoin; probable allowed), a Wasabi 2 round of 5 parties whose
 *     17 outputs repeat no value 3 times (wasabi2),
 *     a JoinMarket round whose makers' equal coins and fees give equal changes (joinmarket),
 *     and a Tx0 of a 0.25 BTC pool with a change inside the 0.05 BTC pool's range (tx0);
 *   - found by btc_alt5_world.py: payments with an OP_RETURN memo whose amount falls in a pool's
 *     premix window (not tx0), beside a Tx0 of one premix with its fee and change (tx0);
 *   - a Wasabi 2 round whose whale's largest output is a standard denomination (wasabi2, not
 *     "one payer");
 *   - found by btc_alt4/6/7 (stop 24): an exchange's batch withdrawal from 3 hot addresses (3 x
 *     0.32 BTC among 42 outputs, 2 payments matched by single inputs by chance): no probable
 *     CoinJoin (a payer's batch), while 4 parties, 3 equal outputs, 3 matched changes and a
 *     party's 2 payments stay probable; a payroll of 22 x (0.01 BTC + 72,217 sat) and a change
 *     of 182,979 sat, no OP_RETURN: no Tx0 (premix slack and fee off the published sizes),
 *     beside a Tx0 without OP_RETURN of the published sizes (tx0); a JoinMarket round of 13
 *     makers whose taker's change no input sub-set explains (the taker pays every maker's
 *     fee): joinmarket, not wasabi1; a payout of 3 x 0.1 BTC and 3 other amounts from 5
 *     received coins on 5 addresses, no change matched (btc_alt5's swapper payout): no
 *     CoinJoin (joinmarket-structure needs a maker), probable allowed;
 *   - found by btc_alt9/btc_alt7 (stop 28, rule equal-split): a thief's split of 11 coins on 3
 *     addresses into 8 equal parts, one +1 sat and one +1,740 sat, and a theft paying 4 parts
 *     (one +2 sat) and a change from 3 addresses: one owner's, no probable CoinJoin, the
 *     split's inputs clustered; a 3-party round whose one change is 300 sat above the amount
 *     and whose 2 other changes match its parties' coins: stays probable;
 *   - an exchange's batch withdrawal from 10 hot-wallet addresses with many equal round
 *     amounts (12 x 0.01 BTC, 5 x 0.05, ...) and a change, a batch of mostly 1-2-5 amounts
 *     from 6 addresses, and an exchange's withdrawals paid straight from 5 deposit coins (4 x
 *     0.05 BTC among 12 outputs): neither a CoinJoin nor a probable one (a payer's batch), while
 *     a 4-party round on the Wasabi 2 ladder with as many other outputs stays probable;
 *   - a JoinMarket round (taker + 5 makers, maker change = inputs - amount + fee): joinmarket;
 *   - a Whirlpool 5x5 mix (premix and remix inputs): whirlpool;
 *   - a Tx0 (one owner's 3 inputs -> 3 premixes, coordinator fee, OP_RETURN, change): tx0,
 *     NOT a CoinJoin nor a probable one, and its inputs are clustered;
 *   - a service payout (11 equal outputs + its change): no CoinJoin, no probable CoinJoin;
 *   - a Stonewall (2 inputs, 2 equal outputs, 2 changes; btc_alt5_world.py): a probable
 *     CoinJoin (rule stonewall), since a two-owner Stonewall X2 looks the same; the same tx
 *     with no equal outputs: not multi-owner;
 *   - a peel chain of 9 hops with one remainder only 2.3x its peel: every hop peel_chain;
 *     a 3-hop change chain: none; with --change peel the chain's addresses form one cluster
 *     up to the last remainder spent by a hop, the last hop's remainder stays apart;
 * and clustering: no two inputs of the CoinJoins share a cluster; `why` names multi-input for
 * the Tx0 and the peel rule for a peel-chain union.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/btc/block.h"
#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/cluster.h"
#include "chainwatch/errors.h"
#include "chainwatch/patterns.h"
#include "chainwatch/util.h"
#include "gen/btc/tx.h"
#include "harness.h"
#include "tiny_chain.h"

static char dir[4096], store[4200];
static cw_chainstore *cs;

/* ------------------------------------------------------------------ the shapes */

static uint64_t rnd_state = 88172645463325252ULL;
static uint64_t rnd(uint64_t below)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state % below;
}

enum { WASABI_IN = 37, WW2_PARTS = 20, JM_MAKERS = 5, PEEL_HOPS = 9, SHORT_HOPS = 3 };

static coin w1_in[WASABI_IN], w2_in[WW2_PARTS], jm_in[JM_MAKERS + 2], wp_in[5], t0_in[3], pay_in[3],
    peel_src, short_src;
static uint8_t txid_w1[32], txid_w2[32], txid_jm[32], txid_wp[32], txid_t0[32], txid_pay[32];
static coin stw_in[6];

/* the third set (stop 24): payer batches, payroll, a many-maker JoinMarket round */
enum { EXB_IN = 7, EXB_PAY = 36, JMT_MAKERS = 13 };
enum { DL_IN = 16, DL_OUTS = 6 };
static coin exb_in[EXB_IN], pr4_in[4], prl_in, t0p_in, jmt_in[JMT_MAKERS + 1], swp_in[5],
    dl_in[DL_IN];
static uint8_t txid_exb[32], txid_pr4[32], txid_prl[32], txid_t0p[32], txid_jmt[32], txid_swp[32],
    txid_dl[32];
/* rule equal-split (stop 28): a thief's split of 10 parts on 3 addresses, a theft of 4 parts
 * on 3, and an honest 3-party round whose one change is within 0.01 % of its amount */
enum { SPL_IN = 11, THS_IN = 6 };
static coin spl_in[SPL_IN], ths_in[THS_IN], hnc_in[4];
static uint8_t txid_spl[32], txid_ths[32], txid_hnc[32];
/* btc_alt5 seed 2's swapper payout 2af5be08...: its 5 coins, its outputs */
static const uint64_t swp_iv[5] = {121158, 1012594, 3407262, 4424972, 40616967};
static const uint64_t swp_ov[6] = {798951, 6181221, 10000000, 10000000, 10000000, 12600546};
static uint8_t txid_stw[32], txid_stw_plain[32], txid_stw_fan[32];

/* the second set: mainnet-sized rounds, the failures found, exchange batches */
enum { BIG_IN = 300, WW1_PARTS = 30, EX_IN = 10, DEC_IN = 6, PR_IN = 12 };
static coin big_in[BIG_IN], ww1_in[WW1_PARTS], f1_in[8], f2_in[19], f3_in[41], jmx_in[7],
    ex_in[EX_IN], dec_in[DEC_IN], pr_in[PR_IN], jme_in[6], t0b_in, wh_in[20], wd_in[5], sw_in[4],
    py_in[12], sr_in[5], jmb_in[16], t01_in, memo_in[2];
static uint8_t txid_big[32], txid_ww1[32], txid_f1[32], txid_f2[32], txid_f3[32], txid_jmx[32],
    txid_ex[32], txid_dec[32], txid_pr[32], txid_jme[32], txid_t0b[32], txid_wh[32], txid_wd[32],
    txid_sw[32], txid_py[32], txid_sr[32], txid_jmb[32], txid_t01[32], txid_memo[2][32];

/* Wasabi 2's standard denominations (WabiSabi's StandardDenomination: 2^n, 3^n, 2 x 3^n,
 * 1/2/5 x 10^n, 5,000 sat .. 2^37 sat), largest first; returns the count. */
static size_t ladder(uint64_t *out, size_t cap)
{
    size_t n = 0;
    for (uint64_t v = 1; v <= (1ULL << 37); v *= 2)
        if (v >= 5000 && n < cap)
            out[n++] = v;
    for (uint64_t v = 1; v <= (1ULL << 37); v *= 3) {
        if (v >= 5000 && n < cap)
            out[n++] = v;
        if (2 * v >= 5000 && 2 * v <= (1ULL << 37) && n < cap)
            out[n++] = 2 * v;
    }
    for (uint64_t v = 1000; v <= (1ULL << 37); v *= 10)
        for (uint64_t m = 1; m <= 5; m += m == 2 ? 3 : 1)
            if (m * v >= 5000 && m * v <= (1ULL << 37) && n < cap)
                out[n++] = m * v;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && out[j] > out[j - 1]; j--) {
            uint64_t t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || out[i] != out[k - 1])
            out[k++] = out[i];
    return k;
}

/* A value spread about log-uniformly over [lo, hi): lo x 2^d for a random octave d, plus up
 * to one more octave. */
static uint64_t rnd_log(uint64_t lo, uint64_t hi)
{
    unsigned octaves = 0;
    while ((lo << (octaves + 1)) < hi)
        octaves++;
    uint64_t v = lo << rnd(octaves ? octaves : 1);
    v += rnd(v);
    return v < hi ? v : hi - 1;
}

/* Funds the second set (called inside blocks 1b and 1c: at most 256 coins a coinbase). */
static void fund_big(int part)
{
    if (part == 0) {
        for (int i = 0; i < 200; i++)
            fund(&big_in[i], rnd_log(20000, 300000000), 0);
        /* a Wasabi 2 round's 20 parties, one a whale (a coinbase pays at most 256 coins) */
        static const uint64_t whv[20] = {54876,   57048,   65536,    68726,    71823,
                                         76147,   78000,   95024,    132483,   162849,
                                         205765,  310000,  1299572,  2201961,  3215003,
                                         3503572, 3793124, 16951033, 40629140, 225003305};
        for (int i = 0; i < 20; i++)
            fund(&wh_in[i], whv[i], 0);
        /* a payer's 12 received coins (btc_shapes_world.py --payjoin --seed 4's payroll) */
        static const uint64_t pyv[12] = {5832531, 12002240, 5782936, 5780215, 5839383, 1545642,
                                         1470182, 5783565,  1392548, 1526470, 5773346, 5866201};
        for (int i = 0; i < 12; i++)
            fund(&py_in[i], pyv[i], 0);
        /* a small Wasabi 2 round's 5 parties (btc_shapes_world.py --small-rounds --seed 6) */
        static const uint64_t srv[5] = {10000000, 8388608, 2000000, 643252, 524288};
        for (int i = 0; i < 5; i++)
            fund(&sr_in[i], srv[i], 0);
        /* JoinMarket with 14 makers (mainnet takers can fill from more than 12): the taker's
         * two coins, one coin of 0.2 .. 0.6 BTC per maker */
        fund(&jmb_in[0], 15000000, 0);
        fund(&jmb_in[1], 9000000, 0);
        for (int i = 2; i < 16; i++)
            fund(&jmb_in[i], 20000000 + rnd(40000000), 0);
        return;
    }
    for (int i = 200; i < BIG_IN; i++)
        fund(&big_in[i], rnd_log(20000, 300000000), 0);
    /* Wasabi 1: participants with 0.11 .. 0.6 BTC */
    for (int i = 0; i < WW1_PARTS; i++)
        fund(&ww1_in[i], 11000000 + rnd(50000000), 0);
    /* failure 1: 4 participants above 20 x 3^13 sat worth, 4 below the denomination */
    static const uint64_t f1v[8] = {87614,   95784,    129118,    599404,
                                    9799606, 11256196, 222737457, 362240477};
    for (int i = 0; i < 8; i++)
        fund(&f1_in[i], f1v[i], 0);
    for (int i = 0; i < 19; i++)
        fund(&f2_in[i], i < 12 ? 45000 + rnd(600000) : 1500000 + rnd(90000000), 0);
    for (int i = 0; i < 41; i++)
        fund(&f3_in[i], i < 20 ? 40000 + rnd(9000000) : 21000000 + rnd(150000000), 0);
    /* JoinMarket: the taker's two coins, and 5 makers, one holding a 131,072-sat coin */
    fund(&jmx_in[0], 900000, 0);
    fund(&jmx_in[1], 400000, 0);
    fund(&jmx_in[2], 131072, 0);
    for (int i = 3; i < 7; i++)
        fund(&jmx_in[i], 300000 + rnd(9000000), 0);
    /* an exchange's hot wallet: 10 coins of 0.5 .. 2.5 BTC on 10 addresses */
    for (int i = 0; i < EX_IN; i++)
        fund(&ex_in[i], 50000000 + rnd(200000000), 0);
    for (int i = 0; i < DEC_IN; i++)
        fund(&dec_in[i], 20000000 + rnd(30000000), 0);
    /* a payer's coins: 11 received payments of 0.02-0.034 BTC and one of 10.68 BTC */
    for (int i = 0; i < PR_IN; i++)
        fund(&pr_in[i], i == 9 ? 1068438791 : 2000000 + rnd(1400000), 0);
    /* JoinMarket: a taker's 30 BTC and five makers' coins of exactly 11 BTC each */
    for (int i = 0; i < 6; i++)
        fund(&jme_in[i], i == 0 ? 3000743824ULL : 1100000000ULL, 0);
    fund(&t0b_in, 67108864, 0);
    fund(&t01_in, 1169722, 0);
    fund(&memo_in[0], 330000, 0);
    fund(&memo_in[1], 2400000, 0);
    /* an exchange's customers' deposit coins, and a small round's 4 parties (fixed values) */
    static const uint64_t wdv[5] = {4998880, 4995856, 4999104, 49998656, 132950544};
    for (int i = 0; i < 5; i++)
        fund(&wd_in[i], wdv[i], 0);
    static const uint64_t swv[4] = {800000, 480000, 90000, 30000};
    for (int i = 0; i < 4; i++)
        fund(&sw_in[i], swv[i], 0);
}

/* Block 2b: the second set's transactions. */
static void build_big(gen_tx *tx)
{
    uint64_t den[160];
    size_t nd = ladder(den, 160);
    /* a mainnet-sized Wasabi 2 round: each input its own participant, value less a fee share
     * split greedily into 1..4 standard denominations, the rest an odd output (< 5,000 sat: to
     * miners);
     * three participants pay someone an odd amount from the round instead */
    gen_tx_reset(tx);
    for (int i = 0; i < BIG_IN; i++)
        add_in(tx, &big_in[i]);
    for (int i = 0; i < BIG_IN; i++) {
        uint64_t left = big_in[i].value - 1500;
        if (i % 100 == 7) {
            uint64_t pay = left / 3 + 12345;
            add_out(tx, pay, new_key());
            left -= pay;
        }
        for (int o = 0; o < 1 + i % 4 && left >= 5000; o++) {
            size_t d = 0;
            while (d < nd && den[d] > left)
                d++;
            add_out(tx, den[d], new_key());
            left -= den[d];
        }
        if (left >= 5000) /* the rest as an odd output when the denominations run out */
            add_out(tx, left, new_key());
    }
    block_tx(tx, NULL);
    last_txid(txid_big);

    /* Wasabi 1.x: base D, 2D for a fifth, 4D for one, change each, one coordinator fee */
    const uint64_t D = 10012345;
    gen_tx_reset(tx);
    uint64_t coord = 0;
    for (int i = 0; i < WW1_PARTS; i++)
        add_in(tx, &ww1_in[i]);
    for (int i = 0; i < WW1_PARTS; i++) {
        uint64_t left = ww1_in[i].value - 2500, mixed = 0;
        for (unsigned l = 0; l < (i == 3 ? 3u : i % 5 == 0 ? 2u : 1u); l++) {
            if (left < (D << l) + (D << l) / 300 + 5000)
                break;
            add_out(tx, D << l, new_key());
            left -= D << l;
            mixed += D << l;
        }
        coord += mixed * 3 / 1000;
        left -= mixed * 3 / 1000;
        if (left >= 5000)
            add_out(tx, left, new_key());
    }
    add_out(tx, coord, new_key());
    block_tx(tx, NULL);
    last_txid(txid_ww1);

    /* failure 1: 20 x 1,594,323 sat (3^13) from 8 inputs; the 4 small participants take their
     * coin back less a fee */
    gen_tx_reset(tx);
    for (int i = 0; i < 8; i++)
        add_in(tx, &f1_in[i]);
    for (int i = 0; i < 4; i++)
        add_out(tx, f1_in[i].value - 4048, new_key());
    static const unsigned f1n[4] = {3, 4, 6, 7};
    for (int i = 4; i < 8; i++) {
        for (unsigned c = 0; c < f1n[i - 4]; c++)
            add_out(tx, 1594323, new_key());
        add_out(tx, f1_in[i].value - f1n[i - 4] * 1594323ULL - 4100, new_key());
    }
    add_out(tx, 1652332, new_key()); /* a coordinator fee */
    block_tx(tx, NULL);
    last_txid(txid_f1);

    /* failure 2: 15 x 0.01 BTC from 19 inputs: 7 large participants take 1..3 each and a
     * change, 12 small ones only their coin back less a fee, but 3 of those put it in fees */
    gen_tx_reset(tx);
    for (int i = 0; i < 19; i++)
        add_in(tx, &f2_in[i]);
    unsigned taken = 0;
    for (int i = 12; i < 19; i++) {
        unsigned c = i == 18 ? 15 - taken : 1 + (unsigned)(i % 3);
        if (taken + c > 15)
            c = 15 - taken;
        for (unsigned j = 0; j < c; j++)
            add_out(tx, 1000000, new_key());
        taken += c;
        add_out(tx, f2_in[i].value - c * 1000000ULL - 5200, new_key());
    }
    for (int i = 0; i < 3; i++)
        add_out(tx, f2_in[i].value - 3900, new_key());
    block_tx(tx, NULL);
    last_txid(txid_f2);

    /* failure 3: 40 x 0.2 BTC from 41 inputs (20 participants of 2 coins and one of 1), each
     * taking 1..3 and most a change */
    gen_tx_reset(tx);
    for (int i = 0; i < 41; i++)
        add_in(tx, &f3_in[i]);
    unsigned left40 = 40;
    for (int p = 0; p < 21 && left40; p++) {
        uint64_t in = f3_in[p < 20 ? 20 + p : 40].value + (p < 20 ? f3_in[p].value : 0);
        unsigned c = (unsigned)((in - 10000) / 20000000);
        if (c > left40)
            c = left40;
        if (c > 3)
            c = 3;
        for (unsigned j = 0; j < c; j++)
            add_out(tx, 20000000, new_key());
        left40 -= c;
        if (in - c * 20000000ULL - 6000 >= 5000 && p % 4 != 1)
            add_out(tx, in - c * 20000000ULL - 6000, new_key());
    }
    block_tx(tx, NULL);
    last_txid(txid_f3);

    /* JoinMarket: amount = the smallest maker's coin, 131,072 sat; each party one equal
     * output; makers' changes, the 131,072-sat maker none (its coin pays the amount) */
    const uint64_t amt = 131072, fee = 120;
    gen_tx_reset(tx);
    for (int i = 0; i < 7; i++)
        add_in(tx, &jmx_in[i]);
    for (int i = 0; i < 6; i++)
        add_out(tx, amt, new_key());
    for (int i = 3; i < 7; i++)
        add_out(tx, jmx_in[i].value - amt + fee, new_key());
    add_out(tx, jmx_in[0].value + jmx_in[1].value - amt - 5 * fee - 3000, new_key());
    block_tx(tx, NULL);
    last_txid(txid_jmx);

    /* JoinMarket, 15 parties at 0.18585910 BTC (inside Wasabi 1's 0.05-0.2 BTC, not a
     * standard denomination): each maker's change beside its equal output, the taker's change,
     * no coordinator fee output */
    const uint64_t amt_b = 18585910;
    uint64_t fees_b = 0;
    gen_tx_reset(tx);
    for (int i = 0; i < 16; i++)
        add_in(tx, &jmb_in[i]);
    for (int i = 0; i < 15; i++)
        add_out(tx, amt_b, new_key());
    for (int i = 2; i < 16; i++) {
        uint64_t cjfee = 250 + rnd(4000);
        fees_b += cjfee;
        add_out(tx, jmb_in[i].value - amt_b + cjfee, new_key());
    }
    add_out(tx, jmb_in[0].value + jmb_in[1].value - amt_b - fees_b - 9000, new_key());
    block_tx(tx, NULL);
    last_txid(txid_jmb);

    /* an exchange batch withdrawal: 10 hot-wallet coins, 60 withdrawals, many of them the same
     * round amounts, and the exchange's change */
    static const uint64_t round_amts[] = {1000000, 5000000, 10000000, 2000000, 100000000};
    static const unsigned round_n[] = {12, 5, 4, 3, 2};
    gen_tx_reset(tx);
    uint64_t sum = 0, paid = 0;
    for (int i = 0; i < EX_IN; i++) {
        add_in(tx, &ex_in[i]);
        sum += ex_in[i].value;
    }
    for (size_t a = 0; a < 5; a++)
        for (unsigned j = 0; j < round_n[a]; j++) {
            add_out(tx, round_amts[a], new_key());
            paid += round_amts[a];
        }
    for (int i = 0; i < 34; i++) {
        uint64_t v = rnd_log(60000, 40000000);
        add_out(tx, v, new_key());
        paid += v;
    }
    add_out(tx, sum - paid - 25000, new_key());
    block_tx(tx, NULL);
    last_txid(txid_ex);

    /* a batch of mostly 1-2-5 amounts (what people withdraw), 3 x 0.01 BTC, from 6 addresses:
     * wasabi2-denominations flagged it before issue 11's rules (>= half of the outputs standard,
     * 7 values, one repeated), then it was a probable CoinJoin (as many input addresses as
     * equal outputs); its 11 other outputs are more than 3 parties' changes and a fee, with no
     * Wasabi 2 denomination: a payer's batch, neither */
    static const uint64_t dec_amts[] = {1000000, 1000000,  1000000, 2000000, 5000000,
                                        5000000, 10000000, 500000,  200000,  20000000,
                                        1234567, 3456789,  2500000};
    gen_tx_reset(tx);
    sum = paid = 0;
    for (int i = 0; i < DEC_IN; i++) {
        add_in(tx, &dec_in[i]);
        sum += dec_in[i].value;
    }
    for (size_t a = 0; a < sizeof dec_amts / sizeof dec_amts[0]; a++) {
        add_out(tx, dec_amts[a], new_key());
        paid += dec_amts[a];
    }
    add_out(tx, sum - paid - 9000, new_key());
    block_tx(tx, NULL);
    last_txid(txid_dec);

    /* a payroll paid from several of the payer's coins (the outside world's finding, issue 11):
     * 10 salaries of 0.025 BTC, 3 other payments and one change LARGER than every input; two
     * small inputs happen to sum to a payment (a sub-set "change" match). No input pays a
     * salary exactly, so the 10 equal outputs would need 10 parties and there are only 4
     * other outputs for their changes: one payer. */
    gen_tx_reset(tx);
    sum = paid = 0;
    for (int i = 0; i < PR_IN; i++) {
        add_in(tx, &pr_in[i]);
        sum += pr_in[i].value;
    }
    for (int i = 0; i < 10; i++)
        add_out(tx, 2500000, new_key());
    add_out(tx, pr_in[0].value + pr_in[1].value - 2500000 - 1500, new_key());
    add_out(tx, 1019391, new_key());
    add_out(tx, 2610679, new_key());
    paid = 10 * 2500000ULL + pr_in[0].value + pr_in[1].value - 2500000 - 1500 + 1019391 + 2610679;
    add_out(tx, sum - paid - 3093, new_key());
    block_tx(tx, NULL);
    last_txid(txid_pr);

    /* JoinMarket with makers alike: their 11 BTC coins and equal fees give equal changes (two
     * pairs), so the round has 3 repeated values, none a denomination or a level (the outside
     * world's careful seed 3: it had no kind) */
    static const uint64_t jme_fee[5] = {1111, 24745, 24745, 2358, 2358};
    const uint64_t jme_amt = 933169354;
    gen_tx_reset(tx);
    for (int i = 0; i < 6; i++)
        add_in(tx, &jme_in[i]);
    for (int i = 0; i < 6; i++)
        add_out(tx, jme_amt, new_key());
    uint64_t fees = 0;
    for (int i = 1; i < 6; i++) {
        uint64_t mf = jme_fee[i - 1];
        add_out(tx, jme_in[i].value - jme_amt + mf, new_key());
        fees += mf;
    }
    add_out(tx, jme_in[0].value - jme_amt - fees - 6000, new_key());
    block_tx(tx, NULL);
    last_txid(txid_jme);

    /* a Tx0 of a 0.25 BTC pool (not on the known list) whose change, 0.0536 BTC, falls inside
     * the 0.05 BTC pool's premix range: 2 premixes, fee, 2 changes, OP_RETURN (the outside
     * world's seed 1: it was only fan_out) */
    gen_tx_reset(tx);
    add_in(tx, &t0b_in);
    add_opreturn(tx);
    add_out(tx, 1000000, new_key()); /* coordinator fee */
    add_out(tx, 10729011, new_key());
    add_out(tx, 25003892, new_key());
    add_out(tx, 25003892, new_key());
    add_out(tx, 5364505, new_key());
    block_tx(tx, NULL);
    last_txid(txid_t0b);

    /* a Tx0 of one premix (0.01 BTC pool): premix, coordinator fee, OP_RETURN, and a change of
     * 116,522 sat, inside the 0.001 BTC pool's premix window (btc_alt5's seed 1 has this Tx0) */
    gen_tx_reset(tx);
    add_in(tx, &t01_in);
    add_opreturn(tx);
    add_out(tx, 50000, new_key()); /* coordinator fee */
    add_out(tx, 1001700, new_key());
    add_out(tx, 116522, new_key());
    block_tx(tx, NULL);
    last_txid(txid_t01);
    /* payments with a memo (OP_RETURN): one amount and a change, the amount inside some pool's
     * premix window (0.0025 BTC's, with a change small enough for its coordinator fee; the
     * known 0.01 BTC pool's); the outside world's btc_alt5 flagged 1 in 3 of them tx0 */
    static const uint64_t memo_pay[2] = {259848, 1050000};
    for (int i = 0; i < 2; i++) {
        gen_tx_reset(tx);
        add_in(tx, &memo_in[i]);
        add_out(tx, memo_pay[i], new_key());
        add_opreturn(tx);
        add_out(tx, memo_in[i].value - memo_pay[i] - 1200, new_key());
        block_tx(tx, NULL);
        last_txid(txid_memo[i]);
    }

    /* a Wasabi 2 round with a whale: 20 inputs, 67 x 20,000 sat, 31 x 5,000, and the whale's
     * 2.25 BTC coin split into 2 BTC (a standard denomination) and the rest; the largest input
     * less the largest output covers the class, but the largest output is no change (our
     * world-4: "one payer" took it, only coinjoin_probable) */
    static const uint64_t who[17] = {200000000, 40415535, 24279098, 16808462, 3695337, 3381654,
                                     3133640,   2000000,  1183956,  889786,   178282,  91567,
                                     73638,     32768,    32768,    11075,    10000};
    gen_tx_reset(tx);
    for (int i = 0; i < 20; i++)
        add_in(tx, &wh_in[i]);
    for (int i = 0; i < 115; i++)
        add_out(tx, i < 67 ? 20000 : i < 98 ? 5000 : who[i - 98], new_key());
    block_tx(tx, NULL);
    last_txid(txid_wh);

    /* an exchange paying withdrawals straight from 5 customers' deposit coins (the batch
     * btc_shapes_world.py --direct-withdrawals --seed 4 made): 4 x 0.05 BTC among 12 outputs,
     * round amounts and others, the change to its hot wallet. A probable CoinJoin before
     * (4 equal outputs, 5 input addresses); 8 other outputs are more than 4 parties' changes
     * and a fee, no Wasabi 2 denomination, no change matched: one payer's batch */
    static const uint64_t wdo[12] = {2000000, 10000000, 5000000, 2000000,   5000000, 5000000,
                                     8569882, 5000000,  285922,  120287753, 862263,  33915557};
    gen_tx_reset(tx);
    for (int i = 0; i < 5; i++)
        add_in(tx, &wd_in[i]);
    for (int i = 0; i < 12; i++)
        add_out(tx, wdo[i], new_key());
    block_tx(tx, NULL);
    last_txid(txid_wd);

    /* a small Wasabi 2-like round of 4 parties: 3 x 2^17 sat and other standard denominations
     * (powers of 2 and 3 among them) and two small changes, no change matched by an input
     * sub-set: 10 other outputs, as many as a batch's, but a ladder no payer uses: still a
     * probable CoinJoin */
    static const uint64_t swo[11] = {131072, 131072, 131072, 262144, 200000, 177147,
                                     118098, 100000, 65536,  50000,  20000};
    gen_tx_reset(tx);
    for (int i = 0; i < 4; i++)
        add_in(tx, &sw_in[i]);
    for (int i = 0; i < 11; i++)
        add_out(tx, swo[i], new_key());
    add_out(tx, 4321, new_key());
    add_out(tx, 6789, new_key());
    block_tx(tx, NULL);
    last_txid(txid_sw);

    /* a payroll: 16 salaries of 3,333,000 sat, one payment and the change from 12 received
     * coins at 12 addresses; two sub-sets of inputs happen to match the other outputs as
     * "changes". Was coinjoin (equal-output-round, no kind): more equal outputs than inputs
     * off the Wasabi 2 ladder is one payer's (docs/PATTERNS.md, "One payer") */
    gen_tx_reset(tx);
    for (int i = 0; i < 12; i++)
        add_in(tx, &py_in[i]);
    for (int i = 0; i < 18; i++)
        add_out(tx, i == 11 ? 3840813 : i == 16 ? 1388079 : 3333000, new_key());
    block_tx(tx, NULL);
    last_txid(txid_py);

    /* a small Wasabi 2 round: 5 parties, 17 outputs on the ladder, only 39,366 sat twice (no
     * class of 3, which every other CoinJoin rule needs); 11 distinct powers of 2 or 3. Was no
     * flag at all, and the multi-input heuristic joined its parties */
    static const uint64_t sro[17] = {10000000, 4782969, 3188646, 1594323, 531441, 500000,
                                     262144,   200000,  177147,  118098,  65536,  39366,
                                     39366,    20000,   10000,   6561,    5000};
    gen_tx_reset(tx);
    for (int i = 0; i < 5; i++)
        add_in(tx, &sr_in[i]);
    for (int i = 0; i < 17; i++)
        add_out(tx, sro[i], new_key());
    block_tx(tx, NULL);
    last_txid(txid_sr);
}
static uint8_t peel_ids[PEEL_HOPS][32], short_ids[SHORT_HOPS][32];

/* The third set's coins (block 1d). */
static const uint64_t exb_v[EXB_IN] = {150000000, 180000000, 95000000, 210000000,
                                       130000000, 175000000, 160000000};
static const uint64_t pr4_c[3] = {1234567, 2345671, 987653};     /* the 3 parties' changes */
static const uint64_t pr4_p[3] = {17654321, 28765437, 35432109}; /* the 4th: 2 pays, change */
enum { PR4_V = 4321987, JMT_V = 17742154, JMT_CJFEE = 40000, PRL_V = 1072217, PRL_N = 22 };
static const uint64_t SPL_V = 3691365071ULL, THS_V = 5629748803ULL, HNC_V = 4321987;
/* the honest round's changes: the first 300 sat (0.007 %) above the amount */
static const uint64_t hnc_c[3] = {4321987 + 300, 2345671, 987653};
static void fund_third(void)
{
    uint64_t saved = rnd_state; /* the other sets draw what they drew before this one */
    rnd_state = 0x9e3779b97f4a7c15ULL;
    /* an exchange's hot wallet: 7 coins on 3 addresses */
    uint64_t hot[3] = {new_key(), new_key(), new_key()};
    for (int i = 0; i < EXB_IN; i++)
        fund(&exb_in[i], exb_v[i], hot[i < 3 ? 0 : i < 5 ? 1 : 2]);
    for (int i = 0; i < 3; i++)
        fund(&pr4_in[i], PR4_V + pr4_c[i] + 3000, 0);
    fund(&pr4_in[3], pr4_p[0] + pr4_p[1] + pr4_p[2] + 4000, 0);
    fund(&prl_in, (uint64_t)PRL_N * PRL_V + 182979 + 4000, 0);
    fund(&t0p_in, 5 * 1001100 + 35000 + 2345678 + 3000, 0);
    /* the taker's coin pays the amount, every maker's fee and the miner */
    fund(&jmt_in[0], JMT_V + 2536395 + JMT_MAKERS * JMT_CJFEE + 10000, 0);
    for (int i = 1; i <= JMT_MAKERS; i++)
        fund(&jmt_in[i], 25000000 + rnd(55000000), 0);
    for (int i = 0; i < 5; i++)
        fund(&swp_in[i], swp_iv[i], 0);
    for (int i = 0; i < DL_IN; i++)
        fund(&dl_in[i], 20000000 + rnd(80000000), 0);
    /* btc_alt9 seed 1's drain fan-out 15a14fb5...: 11 coins on 3 (multisig) addresses, two of
     * them each 2 parts and a little (a sub-set sum "matches" a near-equal part as a change) */
    uint64_t ms[3] = {new_key(), new_key(), new_key()};
    fund(&spl_in[0], 2 * SPL_V + 3000, ms[0]);
    fund(&spl_in[1], 2 * SPL_V + 4000, ms[1]);
    for (int i = 2; i < SPL_IN; i++)
        fund(&spl_in[i], 6 * SPL_V / 9, ms[i % 3]);
    /* btc_alt7's theft cd694d1e...: a victim's coins on 3 addresses pay 4 parts and a change */
    uint64_t vk[3] = {new_key(), new_key(), new_key()};
    for (int i = 0; i < THS_IN; i++)
        fund(&ths_in[i], 4000000000ULL, vk[i % 3]);
    /* 3 parties; party 2 also pays 2 amounts from a second coin of its address */
    for (int i = 0; i < 3; i++)
        fund(&hnc_in[i], HNC_V + hnc_c[i] + 3000, 0);
    fund(&hnc_in[3], pr4_p[0] + pr4_p[1] + 4000, hnc_in[2].key);
    rnd_state = saved;
}

/* Block 2c: the third set's transactions. */
static void build_third(gen_tx *tx)
{
    uint64_t saved = rnd_state;
    rnd_state = 0x2545f4914f6cdd1dULL;
    /* the exchange's batch: 3 x 0.32 BTC, 36 payments of 0.002-0.03 BTC, 2 payments that a
     * single input pays with 0.32 BTC give or take the fee tolerance (chance), and a change */
    gen_tx_reset(tx);
    uint64_t out = 0;
    for (int i = 0; i < EXB_IN; i++)
        add_in(tx, &exb_in[i]);
    for (int i = 0; i < 3; i++)
        add_out(tx, 32000000, new_key());
    for (int i = 0; i < EXB_PAY; i++) {
        uint64_t v = 200000 + rnd(2800000) * 2 + 7;
        add_out(tx, v, new_key());
        out += v;
    }
    add_out(tx, exb_v[2] - 32000000 - 258663, new_key());
    add_out(tx, exb_v[4] - 32000000 + 123457, new_key());
    uint64_t sum = 0;
    for (int i = 0; i < EXB_IN; i++)
        sum += exb_v[i];
    add_out(tx,
            sum - 96000000 - out - (exb_v[2] - 32000000 - 258663) - (exb_v[4] - 32000000 + 123457) -
                20000,
            new_key());
    block_tx(tx, NULL);
    last_txid(txid_exb);

    /* 4 parties: 3 take one equal output and a change each, the 4th pays 2 others and a change */
    gen_tx_reset(tx);
    for (int i = 0; i < 4; i++)
        add_in(tx, &pr4_in[i]);
    for (int i = 0; i < 3; i++) {
        add_out(tx, PR4_V, new_key());
        add_out(tx, pr4_c[i], new_key());
    }
    for (int i = 0; i < 3; i++)
        add_out(tx, pr4_p[i], new_key());
    block_tx(tx, NULL);
    last_txid(txid_pr4);

    /* payroll: 22 salaries of 1,072,217 sat (0.01 BTC + 72,217) and a change, one coin */
    gen_tx_reset(tx);
    add_in(tx, &prl_in);
    for (int i = 0; i < PRL_N; i++)
        add_out(tx, PRL_V, new_key());
    add_out(tx, 182979, new_key());
    block_tx(tx, NULL);
    last_txid(txid_prl);

    /* a Tx0 with no OP_RETURN of the published sizes: 5 premixes of 0.01 BTC + 1,100 sat, a
     * 3.5 % fee, a change */
    gen_tx_reset(tx);
    add_in(tx, &t0p_in);
    for (int i = 0; i < 5; i++)
        add_out(tx, 1001100, new_key());
    add_out(tx, 35000, new_key());
    add_out(tx, 2345678, new_key());
    block_tx(tx, NULL);
    last_txid(txid_t0p);

    /* JoinMarket, 13 makers: each maker's change is its coin less the amount plus its fee;
     * the taker's change is short of all of them */
    gen_tx_reset(tx);
    for (int i = 0; i <= JMT_MAKERS; i++)
        add_in(tx, &jmt_in[i]);
    for (int i = 0; i <= JMT_MAKERS; i++)
        add_out(tx, JMT_V, new_key());
    add_out(tx, 2536395, new_key());
    for (int i = 1; i <= JMT_MAKERS; i++)
        add_out(tx, jmt_in[i].value - JMT_V + JMT_CJFEE - 700, new_key());
    block_tx(tx, NULL);
    last_txid(txid_jmt);

    gen_tx_reset(tx); /* a payout from 5 received coins: no input sub-set pays 0.1 BTC + any */
    for (int i = 0; i < 5; i++)
        add_in(tx, &swp_in[i]);
    for (int i = 0; i < 6; i++)
        add_out(tx, swp_ov[i], new_key());
    block_tx(tx, NULL);
    last_txid(txid_swp);

    /* a Wasabi 2 round on the 1-2-5 steps of its ladder only (no power of 2 or 3; our own
     * world's rounds, stop 26): 16 parties, each coin decomposed greedily into 6 outputs of
     * 1/2/5 x 10^n sat and an odd change, so 96 of 112 outputs (85.7 %) are standard, under
     * the 90 % the rule asked before; no payer batch pays that few odd amounts */
    gen_tx_reset(tx);
    for (int i = 0; i < DL_IN; i++) {
        add_in(tx, &dl_in[i]);
        uint64_t left = dl_in[i].value - 1234;
        for (int j = 0; j < DL_OUTS; j++) {
            uint64_t d = 0; /* the largest step <= left */
            for (uint64_t p = 1000; p <= left; p *= 10)
                for (int m = 0; m < 3; m++) {
                    uint64_t c = p * (const uint64_t[]){1, 2, 5}[m];
                    if (c >= 5000 && c <= left)
                        d = c;
                }
            add_out(tx, d, new_key());
            left -= d;
        }
        add_out(tx, left, new_key());
    }
    block_tx(tx, NULL);
    last_txid(txid_dl);

    /* the thief's split: 8 parts, one +1 sat, one +1,740 sat (10 parts), no change */
    gen_tx_reset(tx);
    for (int i = 0; i < SPL_IN; i++)
        add_in(tx, &spl_in[i]);
    for (int i = 0; i < 8; i++)
        add_out(tx, SPL_V, new_key());
    add_out(tx, SPL_V + 1, new_key());
    add_out(tx, SPL_V + 1740, new_key());
    block_tx(tx, NULL);
    last_txid(txid_spl);
    /* the theft: 4 parts of 22,518,995,214 sat (the last +2 sat) and the victim's change */
    gen_tx_reset(tx);
    for (int i = 0; i < THS_IN; i++)
        add_in(tx, &ths_in[i]);
    for (int i = 0; i < 3; i++)
        add_out(tx, THS_V, new_key());
    add_out(tx, THS_V + 2, new_key());
    add_out(tx, THS_IN * 4000000000ULL - 4 * THS_V - 2 - 5000, new_key());
    block_tx(tx, NULL);
    last_txid(txid_ths);
    /* the honest round: 3 x the amount, 3 changes (one near-equal), party 2's 2 payments */
    gen_tx_reset(tx);
    for (int i = 0; i < 4; i++)
        add_in(tx, &hnc_in[i]);
    for (int i = 0; i < 3; i++) {
        add_out(tx, HNC_V, new_key());
        add_out(tx, hnc_c[i], new_key());
    }
    add_out(tx, pr4_p[0], new_key());
    add_out(tx, pr4_p[1], new_key());
    block_tx(tx, NULL);
    last_txid(txid_hnc);
    rnd_state = saved;
}

static void build_world(const char *out_dir)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);

    /* block 1 funds every input */
    block_begin();
    /* Wasabi-style round: 37 participants, 45 equal outputs of 0.1 BTC */
    static unsigned w1_n[WASABI_IN];
    static uint64_t w1_change[WASABI_IN];
    for (int i = 0; i < WASABI_IN; i++) {
        w1_n[i] = i < 8 ? 2 : 1;
        w1_change[i] = i % 4 == 3 ? 0 : 1000000 + rnd(4000000);
        fund(&w1_in[i], w1_n[i] * 10000000ULL + w1_change[i] + 3000 + w1_n[i] * 30000, 0);
    }
    /* Wasabi 2: inputs 0.05 .. 1 BTC */
    for (int i = 0; i < WW2_PARTS; i++)
        fund(&w2_in[i], 5000000 + rnd(95000000), 0);
    /* JoinMarket: taker (2 inputs) + 5 makers */
    fund(&jm_in[0], 2000000 + rnd(500000), 0);
    fund(&jm_in[1], 300000 + rnd(500000), 0);
    for (int i = 0; i < JM_MAKERS; i++)
        fund(&jm_in[2 + i], 1500000 + rnd(3000000), 0);
    /* Whirlpool: 2 premixes (denomination + margin), 3 remixes */
    for (int i = 0; i < 5; i++)
        fund(&wp_in[i], i < 2 ? 1000000 + 1170 : 1000000, 0);
    /* Tx0: one owner's three coins */
    for (int i = 0; i < 3; i++)
        fund(&t0_in[i], 6000000 + rnd(3000000), 0);
    /* a service's payout coins */
    for (int i = 0; i < 3; i++)
        fund(&pay_in[i], 100000 + rnd(200000), 0);
    /* Stonewall (X2): two wallets' coins, or one wallet's in two sets */
    for (int i = 0; i < 6; i++)
        fund(&stw_in[i], 3000000 + rnd(2000000), 0);
    fund(&peel_src, 10000000000ULL, 0);
    fund(&short_src, 50000000, 0);
    block_end();
    /* blocks 1b, 1c fund the second set */
    block_begin();
    fund_big(0);
    block_end();
    block_begin();
    fund_big(1);
    block_end();
    block_begin(); /* block 1d: the third set */
    fund_third();
    block_end();

    /* block 2: the CoinJoins, the Tx0, the payout */
    block_begin();
    gen_tx_reset(&tx);
    for (int i = 0; i < WASABI_IN; i++)
        add_in(&tx, &w1_in[i]);
    uint64_t coord = 0;
    for (int i = 0; i < WASABI_IN; i++) {
        for (unsigned j = 0; j < w1_n[i]; j++)
            add_out(&tx, 10000000, new_key());
        coord += 3000;
        if (w1_change[i])
            add_out(&tx, w1_change[i], i == 5 ? w1_in[i].key : new_key()); /* one reuse */
    }
    add_out(&tx, coord, new_key());
    block_tx(&tx, NULL);
    last_txid(txid_w1);

    gen_tx_reset(&tx);
    static const uint64_t den[] = {50000000, 20000000, 10000000, 5000000, 2000000, 1000000,
                                   500000,   200000,   100000,   50000,   20000,   10000};
    for (int i = 0; i < WW2_PARTS; i++)
        add_in(&tx, &w2_in[i]);
    for (int i = 0; i < WW2_PARTS; i++) {
        uint64_t left = w2_in[i].value - 2000;
        for (size_t d = 0; d < sizeof den / sizeof den[0] && left >= 10000; d++)
            while (left >= den[d]) {
                add_out(&tx, den[d], new_key());
                left -= den[d];
            }
    }
    block_tx(&tx, NULL);
    last_txid(txid_w2);

    gen_tx_reset(&tx);
    uint64_t amount = 1234567, cjfee = 250;
    for (int i = 0; i < JM_MAKERS + 2; i++)
        add_in(&tx, &jm_in[i]);
    for (int i = 0; i < JM_MAKERS + 1; i++)
        add_out(&tx, amount, new_key());
    for (int i = 0; i < JM_MAKERS; i++)
        add_out(&tx, jm_in[2 + i].value - amount + cjfee, new_key());
    add_out(&tx, jm_in[0].value + jm_in[1].value - amount - JM_MAKERS * cjfee - 4000, new_key());
    block_tx(&tx, NULL);
    last_txid(txid_jm);

    gen_tx_reset(&tx);
    for (int i = 0; i < 5; i++)
        add_in(&tx, &wp_in[i]);
    for (int i = 0; i < 5; i++)
        add_out(&tx, 1000000, new_key());
    block_tx(&tx, NULL);
    last_txid(txid_wp);

    gen_tx_reset(&tx);
    uint64_t sum = 0;
    for (int i = 0; i < 3; i++) {
        add_in(&tx, &t0_in[i]);
        sum += t0_in[i].value;
    }
    add_opreturn(&tx);
    add_out(&tx, 175000, new_key()); /* coordinator fee */
    for (int i = 0; i < 3; i++)
        add_out(&tx, 5000000 + 2900, new_key());
    add_out(&tx, sum - 175000 - 3 * 5002900 - 3000, new_key());
    block_tx(&tx, NULL);
    last_txid(txid_t0);

    gen_tx_reset(&tx);
    sum = 0;
    for (int i = 0; i < 3; i++) {
        add_in(&tx, &pay_in[i]);
        sum += pay_in[i].value;
    }
    for (int i = 0; i < 11; i++)
        add_out(&tx, 10159, new_key());
    add_out(&tx, sum - 11 * 10159 - 2000, new_key());
    block_tx(&tx, NULL);
    last_txid(txid_pay);
    /* a Stonewall: 2 equal outputs (the payment and its decoy) and 2 changes; then the same
     * inputs' shape with no equal outputs (an ordinary 2-input, 4-output payment) */
    for (int k = 0; k < 2; k++) {
        gen_tx_reset(&tx);
        add_in(&tx, &stw_in[2 * k]);
        add_in(&tx, &stw_in[2 * k + 1]);
        add_out(&tx, 1234567, new_key());
        add_out(&tx, k ? 1234568 : 1234567, new_key());
        add_out(&tx, stw_in[2 * k].value - 1234567 - 1000, new_key());
        add_out(&tx, stw_in[2 * k + 1].value - 1234568 - 1000, new_key());
        block_tx(&tx, NULL);
        last_txid(k ? txid_stw_plain : txid_stw);
    }
    /* a wallet's fan-out of 4 outputs, 2 of them equal (a thief halving its split, as `chainwatch
     * gen` does): no input pays one equal output and one other, so no Stonewall */
    {
        gen_tx_reset(&tx);
        add_in(&tx, &stw_in[4]);
        add_in(&tx, &stw_in[5]);
        uint64_t all = stw_in[4].value + stw_in[5].value, part = all / 5;
        add_out(&tx, part, new_key());
        add_out(&tx, part, new_key());
        add_out(&tx, part + part / 7, new_key());
        add_out(&tx, all - 3 * part - part / 7 - 2000, new_key());
        block_tx(&tx, NULL);
        last_txid(txid_stw_fan);
    }
    block_end();
    block_begin();
    build_big(&tx);
    block_end();
    block_begin();
    build_third(&tx);
    block_end();

    /* blocks 3..: the peel chain (one hop a block) and the short change chain */
    coin cur = peel_src, scur = short_src;
    for (int h = 0; h < PEEL_HOPS; h++) {
        block_begin();
        gen_tx_reset(&tx);
        add_in(&tx, &cur);
        uint64_t peel = h == 3 ? cur.value * 3 / 10 : cur.value / 20;
        add_out(&tx, peel, new_key());
        uint64_t rkey = new_key();
        add_out(&tx, cur.value - peel - 2000, rkey);
        coin outs[2];
        block_tx(&tx, outs);
        last_txid(peel_ids[h]);
        cur = outs[1];
        cur.key = rkey;
        if (h < SHORT_HOPS) {
            gen_tx_reset(&tx);
            add_in(&tx, &scur);
            uint64_t skey = new_key();
            add_out(&tx, scur.value / 10, new_key());
            add_out(&tx, scur.value - scur.value / 10 - 1500, skey);
            block_tx(&tx, outs);
            last_txid(short_ids[h]);
            scur = outs[1];
            scur.key = skey;
        }
        block_end();
    }
    gen_tx_deinit(&tx);
    chain_write(out_dir);
}

static void test_build_world(void)
{
    build_world(dir);
}

/* ------------------------------------------------------------------ checks */

static uint64_t tx_of(const uint8_t txid[32])
{
    uint64_t t = CW_NONE64;
    if (cw_chainstore_find_tx(cs, txid, &t))
        return CW_NONE64;
    return t;
}

static uint32_t flags_of(const uint8_t txid[32])
{
    uint64_t t = tx_of(txid);
    CHECK(t != CW_NONE64);
    return t == CW_NONE64 ? 0 : cw_patterns_compute(cs, t);
}

static uint32_t in_addr_of(uint64_t t, unsigned k)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, t, &i0, &i1, &o0, &o1);
    const cw_row_in *r = cw_chainstore_in(cs, i0 + k);
    return cw_chainstore_out(cs, cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout)->addr;
}

static void test_flags(void)
{
    uint32_t f = flags_of(txid_w1);
    CHECK(f & CW_PAT_COINJOIN);
    CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_EQUAL_ROUND);
    CHECK(CW_PAT_SCORE(f) >= 80 && CW_PAT_SCORE(f) < 100);
    /* exactly 0.1 BTC (a standard denomination) and 45 equal outputs from 37 inputs: Wasabi 1
     * gives one base output per participant, so this is Wasabi 2's shape */
    CHECK(f & CW_PAT_WASABI2);
    CHECK(!(f & CW_PAT_WASABI1));
    cw_patterns_detail d;
    cw_patterns_explain(cs, tx_of(txid_w1), &d);
    CHECK_EQ_INT(d.equal_outputs, 45);
    CHECK_EQ_INT(d.inputs, WASABI_IN);
    CHECK(d.changes_matched >= 2);

    f = flags_of(txid_w2);
    CHECK((f & (CW_PAT_COINJOIN | CW_PAT_WASABI2)) == (CW_PAT_COINJOIN | CW_PAT_WASABI2));
    CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_WASABI2);

    f = flags_of(txid_jm);
    CHECK((f & (CW_PAT_COINJOIN | CW_PAT_JOINMARKET)) == (CW_PAT_COINJOIN | CW_PAT_JOINMARKET));
    CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_JM_SUBSET);
    cw_patterns_explain(cs, tx_of(txid_jm), &d);
    CHECK(d.changes_matched >= JM_MAKERS);

    f = flags_of(txid_wp);
    CHECK((f & (CW_PAT_COINJOIN | CW_PAT_WHIRLPOOL)) == (CW_PAT_COINJOIN | CW_PAT_WHIRLPOOL));
    CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_WHIRLPOOL);

    f = flags_of(txid_t0);
    CHECK(f & CW_PAT_TX0);
    CHECK(!cw_patterns_multi_owner(f));
    CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_TX0);

    f = flags_of(txid_t0b); /* another pool's Tx0, a change in a known pool's premix range */
    CHECK(f & CW_PAT_TX0);
    CHECK(!cw_patterns_multi_owner(f));
    CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_TX0);

    f = flags_of(txid_t01); /* one premix, its fee and change */
    CHECK(f & CW_PAT_TX0);
    CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_TX0);
    for (int i = 0; i < 2; i++) { /* a payment with a memo is no Tx0 */
        f = flags_of(txid_memo[i]);
        CHECK(!(f & CW_PAT_TX0));
        CHECK(!cw_patterns_multi_owner(f));
    }

    f = flags_of(txid_stw); /* Stonewall and Stonewall X2 look the same: probably two owners */
    CHECK(f & CW_PAT_COINJOIN_PROBABLE);
    CHECK(!(f & CW_PAT_COINJOIN));
    CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_STONEWALL);
    CHECK(!cw_patterns_multi_owner(flags_of(txid_stw_plain)));
    CHECK(!cw_patterns_multi_owner(flags_of(txid_stw_fan))); /* no Stonewall's halves */

    f = flags_of(txid_pay);
    CHECK(!cw_patterns_multi_owner(f));
    CHECK(f & CW_PAT_FANOUT);

    for (int h = 0; h < PEEL_HOPS; h++) {
        f = flags_of(peel_ids[h]);
        if (!(f & CW_PAT_PEEL))
            fprintf(stderr, "peel hop %d not flagged (flags %08x)\n", h, f);
        CHECK(f & CW_PAT_PEEL);
        CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_PEEL_RUN);
    }
    for (int h = 0; h < SHORT_HOPS; h++)
        CHECK(!(flags_of(short_ids[h]) & CW_PAT_PEEL));

    /* the second set */
    struct {
        const char *name;
        const uint8_t *txid;
        uint32_t kind; /* 0: neither a CoinJoin nor a probable one; UINT32_MAX: not a CoinJoin */
    } want[] = {{"ww2 300 inputs", txid_big, CW_PAT_WASABI2},
                {"ww1 0.10012345", txid_ww1, CW_PAT_WASABI1},
                {"20 x 3^13 from 8 inputs", txid_f1, CW_PAT_WASABI2},
                {"15 x 0.01 BTC, 19 inputs", txid_f2, CW_PAT_WASABI2},
                {"40 x 0.2 BTC, 41 inputs", txid_f3, CW_PAT_WASABI2},
                {"joinmarket at 131072", txid_jmx, CW_PAT_JOINMARKET},
                {"joinmarket, 14 makers", txid_jmb, CW_PAT_JOINMARKET},
                {"exchange batch", txid_ex, 0},
                {"1-2-5 batch", txid_dec, 0},
                {"withdrawals from deposits", txid_wd, 0},
                {"payroll from 12 coins", txid_pr, UINT32_MAX},
                {"joinmarket, makers alike", txid_jme, CW_PAT_JOINMARKET},
                {"ww2 whale, 2 BTC out", txid_wh, CW_PAT_WASABI2},
                {"4-party ladder round", txid_sw, UINT32_MAX},
                {"payroll, 16 x 3,333,000", txid_py, UINT32_MAX},
                {"ww2 small round, 5 in", txid_sr, CW_PAT_WASABI2},
                {"exchange batch, 2 by chance", txid_exb, 0},
                {"4 parties, 3 equal, 6 other", txid_pr4, UINT32_MAX},
                {"payroll 22 x 1,072,217", txid_prl, 0},
                {"tx0, no OP_RETURN", txid_t0p, 0},
                {"joinmarket, 13 makers", txid_jmt, CW_PAT_JOINMARKET},
                {"payout, 3 x 0.1 BTC, 5 coins", txid_swp, UINT32_MAX},
                {"ww2 on 1-2-5 only, 16 in", txid_dl, CW_PAT_WASABI2}};
    const uint32_t kinds = CW_PAT_WASABI1 | CW_PAT_WASABI2 | CW_PAT_JOINMARKET | CW_PAT_WHIRLPOOL;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        f = flags_of(want[i].txid);
        cw_patterns_explain(cs, tx_of(want[i].txid), &d);
        char names[128];
        cw_patterns_flags_string(names, sizeof names, f);
        printf("%-26s %-28s rule %-28s score %u  %u x %llu sat, %u in, %u other, %u matched%s%s\n",
               want[i].name, names, cw_patterns_rule_name(CW_PAT_RULE(f)), CW_PAT_SCORE(f),
               d.equal_outputs, (unsigned long long)d.equal_value, d.inputs, d.other_outputs,
               d.changes_matched, d.kind_reason ? ", kind: " : "",
               d.kind_reason ? d.kind_reason : "");
        if (want[i].kind == UINT32_MAX) {
            CHECK(!(f & CW_PAT_COINJOIN)); /* coinjoin_probable allowed */
        } else if (want[i].kind) {
            CHECK(f & CW_PAT_COINJOIN);
            CHECK_EQ_INT(f & kinds, want[i].kind);
            CHECK(CW_PAT_SCORE(f) < 100); /* a judgement */
            CHECK(d.kind_reason != NULL);
        } else {
            CHECK(!cw_patterns_multi_owner(f));
        }
    }

    /* the batches say why they are no probable CoinJoin; the 4-party round is one */
    cw_patterns_explain(cs, tx_of(txid_wd), &d);
    CHECK(d.payer_batch);
    CHECK_EQ_INT(d.other_outputs, 8);
    cw_patterns_explain(cs, tx_of(txid_dec), &d);
    CHECK(d.payer_batch);
    f = flags_of(txid_sw);
    CHECK(f & CW_PAT_COINJOIN_PROBABLE);
    CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_PROBABLE);
    cw_patterns_explain(cs, tx_of(txid_sw), &d);
    CHECK(!d.payer_batch);
    CHECK_EQ_INT(d.changes_matched, 0); /* the ladder, not a matched change, keeps it probable */

    /* the third set: 2 of the batch's 39 other outputs matched by chance lift no exemption;
     * 3 of 6 matched (half) keep a round probable */
    cw_patterns_explain(cs, tx_of(txid_exb), &d);
    CHECK(d.payer_batch);
    CHECK_EQ_INT(d.other_outputs, EXB_PAY + 3);
    CHECK_EQ_INT(d.changes_matched, 2);
    f = flags_of(txid_pr4);
    CHECK(f & CW_PAT_COINJOIN_PROBABLE);
    CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_PROBABLE);
    cw_patterns_explain(cs, tx_of(txid_pr4), &d);
    CHECK(!d.payer_batch);
    CHECK_EQ_INT(d.changes_matched, 3);
    f = flags_of(txid_prl); /* no Tx0: a slack and a "fee" no Whirlpool coordinator publishes */
    CHECK(!(f & CW_PAT_TX0));
    CHECK(f & CW_PAT_FANOUT);
    f = flags_of(txid_t0p);
    CHECK(f & CW_PAT_TX0);
    CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_TX0_NO_OPRETURN);
    cw_patterns_explain(cs, tx_of(txid_jmt), &d); /* the taker's change alone is unexplained */
    CHECK_EQ_INT(d.changes_matched, JMT_MAKERS);
    CHECK_EQ_INT(d.other_outputs, JMT_MAKERS + 1);
    f = flags_of(txid_swp); /* no maker: probable at most */
    CHECK(f & CW_PAT_COINJOIN_PROBABLE);
    cw_patterns_explain(cs, tx_of(txid_swp), &d);
    CHECK_EQ_INT(d.changes_matched, 0);

    /* rule equal-split: the thief's 10 parts on 3 addresses and the theft's 4 parts on 3 are
     * one owner's split, no probable CoinJoin (before: probable, 2 near-equal parts matched as
     * changes; 3 input addresses for 3 equal outputs); the honest round with a near-equal
     * change stays probable (its 2 other changes are matched) */
    f = flags_of(txid_spl);
    CHECK(!cw_patterns_multi_owner(f));
    cw_patterns_explain(cs, tx_of(txid_spl), &d);
    CHECK_EQ_INT(d.equal_outputs, 8);
    CHECK_EQ_INT(d.input_addresses, 3);
    CHECK_EQ_INT(d.equal_split, 2);
    f = flags_of(txid_ths);
    CHECK(!cw_patterns_multi_owner(f));
    cw_patterns_explain(cs, tx_of(txid_ths), &d);
    CHECK_EQ_INT(d.equal_split, 1);
    f = flags_of(txid_hnc);
    CHECK(f & CW_PAT_COINJOIN_PROBABLE);
    CHECK_EQ_INT(CW_PAT_RULE(f), CW_PAT_RULE_PROBABLE);
    cw_patterns_explain(cs, tx_of(txid_hnc), &d);
    CHECK_EQ_INT(d.equal_split, 0);
    CHECK_EQ_INT(d.input_addresses, 3);
    CHECK_EQ_INT(d.changes_matched, 3);

    /* the persisted column says the same, with rule and score */
    cw_patterns_stats st;
    REQUIRE(cw_patterns_build(store, &st) == 0);
    CHECK_EQ_INT(st.counts[9], 3 + 1);      /* tx0 */
    CHECK_EQ_INT(st.counts[0], 4 + 10 + 1 + 1); /* coinjoin (+ the 1-2-5 Wasabi 2 round) */
    CHECK_EQ_INT(st.counts[5], PEEL_HOPS);
    char names[256];
    cw_patterns_flags_string(names, sizeof names, CW_PAT_TX0 | CW_PAT_COINJOIN_PROBABLE);
    CHECK_EQ_STR(names, "tx0,coinjoin_probable");
    CHECK_EQ_STR(cw_patterns_rule_name(CW_PAT_RULE_TX0), "tx0-op-return");
}

static void test_clusters(void)
{
    cw_cluster_stats st;
    REQUIRE(cw_cluster_build(store, CW_CHANGE_PEEL, &st) == 0);
    /* + the probable payrolls and 4-party round (the 1-2-5 batch is a payer's: its inputs are
     * clustered) + the Stonewall (probably two owners: no union) */
    /* + the third set's JoinMarket round, 4-party round and probable payout, and the 1-2-5
     * Wasabi 2 round */
    /* + the honest round with a near-equal change (the splits are one owner's: joined) */
    CHECK_EQ_INT(st.coinjoin_skipped, 4 + 10 + 3 + 1 + 3 + 1 + 1);
    cw_chainstore_close(cs);
    REQUIRE(cw_chainstore_open(&cs, store, false, CW_NET_REGTEST) == 0);
    cw_clusters *cl;
    REQUIRE(cw_clusters_open(&cl, cs) == 0);
    /* no two inputs of a CoinJoin share a cluster */
    const uint8_t *cjs[4] = {txid_w1, txid_w2, txid_jm, txid_wp};
    int shared = 0;
    for (int c = 0; c < 4; c++) {
        uint64_t t = tx_of(cjs[c]);
        uint64_t i0, i1, o0, o1;
        cw_chainstore_tx_range(cs, t, &i0, &i1, &o0, &o1);
        for (unsigned a = 1; a < i1 - i0; a++)
            shared += cw_clusters_of(cl, in_addr_of(t, 0)) == cw_clusters_of(cl, in_addr_of(t, a));
    }
    CHECK_EQ_INT(shared, 0);
    /* the thief's split is one owner's: its 3 addresses in one cluster */
    uint64_t ts = tx_of(txid_spl);
    CHECK_EQ_INT(cw_clusters_of(cl, in_addr_of(ts, 0)), cw_clusters_of(cl, in_addr_of(ts, 1)));
    CHECK_EQ_INT(cw_clusters_of(cl, in_addr_of(ts, 0)), cw_clusters_of(cl, in_addr_of(ts, 4)));
    /* the Tx0's inputs are one owner's: one cluster, joined by the multi-input heuristic */
    uint64_t t0 = tx_of(txid_t0);
    uint32_t a = in_addr_of(t0, 0), b = in_addr_of(t0, 2);
    CHECK_EQ_INT(cw_clusters_of(cl, a), cw_clusters_of(cl, b));
    cw_cluster_step *steps;
    size_t n;
    REQUIRE(cw_clusters_why(cl, a, b, &steps, &n) == 0);
    CHECK(n >= 1);
    for (size_t i = 0; i < n; i++) {
        cw_cluster_reason r;
        cw_clusters_step_reason(cl, cs, &steps[i], &r);
        CHECK_EQ_INT(r.heuristic, CW_CLUSTER_MULTI_INPUT);
        CHECK_EQ_INT(steps[i].tx, t0);
    }
    cw_free(steps);
    /* the peel chain: the first hop's input and the last remainder, through change unions
     * named by the peel rule */
    uint64_t h0 = tx_of(peel_ids[0]), hl = tx_of(peel_ids[PEEL_HOPS - 2]);
    uint32_t first = in_addr_of(h0, 0);
    uint64_t o_last = cw_chainstore_tx_first_out(cs, hl) + 1;
    uint32_t last = cw_chainstore_out(cs, o_last)->addr;
    CHECK_EQ_INT(cw_clusters_of(cl, first), cw_clusters_of(cl, last));
    if (cw_clusters_why(cl, first, last, &steps, &n) == 0) {
        CHECK_EQ_INT(n, PEEL_HOPS - 1);
        for (size_t i = 0; i < n; i++) {
            cw_cluster_reason r;
            cw_clusters_step_reason(cl, cs, &steps[i], &r);
            CHECK_EQ_INT(r.heuristic, CW_CLUSTER_CHANGE);
            CHECK_EQ_INT(r.change_rules, CW_CHANGE_PEEL);
            CHECK_EQ_INT(r.vout, 1);
        }
        cw_free(steps);
    } else {
        CHECK(0);
    }
    /* the last hop's remainder is spent by no hop: no union (it may be someone else's) */
    uint64_t hend = tx_of(peel_ids[PEEL_HOPS - 1]);
    uint32_t end = cw_chainstore_out(cs, cw_chainstore_tx_first_out(cs, hend) + 1)->addr;
    CHECK(cw_clusters_of(cl, end) != cw_clusters_of(cl, first));
    /* the peel outputs stay apart from the chain */
    uint32_t peel_out = cw_chainstore_out(cs, cw_chainstore_tx_first_out(cs, h0))->addr;
    CHECK(cw_clusters_of(cl, peel_out) != cw_clusters_of(cl, first));
    cw_clusters_close(cl);
}

int main(void)
{
    int rc = CHAIN_SETUP(test_build_world, dir, store, &cs);
    if (rc)
        return rc;
    RUN(test_flags);
    RUN(test_clusters);
    cw_chainstore_close(cs);
    return cw_test_done();
}
