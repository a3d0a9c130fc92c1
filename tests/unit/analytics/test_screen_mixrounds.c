/*
 * test_screen_mixrounds.c: the screening rule "mix-rounds" (issue 11: stolen deposit addresses
 * fed only after mixing, each post-mix coin below the probable threshold). Hand-made regtest
 * blocks with known owners (u = 1,000,000 sat):
 *   - the stolen coin S (labelled theft) is split by the thief into T1, T2, T3 of 100u;
 *   - R1, R2, R3: many-output rounds, each with one thief coin Ti and four honest coins of
 *     100u; every participant takes 64 + 32 + 4u (output 3k the k-th participant's 64u, the
 *     thief first). Nothing is forced; each 64u output carries at most 1/5 of theft;
 *   - R4, R5: rounds the thief was NOT in: each has the three outputs of an honest user of
 *     R1 (remixed) and four fresh honest coins: their outputs carry probable theft
 *     value, but no stolen value entered them;
 *   - W1, W2, W3: one-to-one 5 x 5 mixes (the Whirlpool shape), each with one thief coin (of
 *     the split's second series, U1-U3) and four honest coins of 100u.
 * Deposits (each one tx to a fresh address):
 *   - TD: the thief's 64u outputs of R1, R2 and R3 together: 3 rounds the stolen value
 *     entered. Share 0.2 (under 0.25): PROBABLE only by mix-rounds;
 *   - HD1: an honest user's 64u of R1 alone (1 round): not flagged;
 *   - HD2: one honest user's 64u outputs of R1 and R2 (2 rounds, the thief in both): not flagged
 *     at the default 3 (flagged with 2: the cost the default avoids);
 *   - HD3: an honest user's 64u of R1, R4 and R5 (3 exposed rounds, the thief in one): not;
 *   - TW: the thief's outputs of W1, W2, W3 (one-to-one mixes do not count): not flagged;
 *   - R6 (stop 23): a round of honest users' outputs of R1, R2 and R3 and three fresh
 *     honest coins; its first output's address, paid by R6 itself, is not flagged: a paying tx
 *     that is a CoinJoin combines many owners' coins, and its inputs' rounds do not count
 *     (main flagged it PROBABLE by mix-rounds, R1-R3).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/labels.h"
#include "chainwatch/screen.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "harness.h"

static char dir[4096], store[4200];
static cw_chainstore *cs;
static cw_trace_labelmap *lm; /* S's address: theft */

#include "tiny_chain.h"

#define U 1000000ULL
enum { FEE = 1000, N_ROUNDS = 9 };

static coin stolen;
/* R1-R5, W1-W3, R6 */
static uint8_t id_round[N_ROUNDS][32], id_td[32], id_hd1[32], id_hd2[32], id_hd3[32], id_tw[32];

/* ins (n) to one fresh deposit address */
static void deposit(gen_tx *tx, coin *const *ins, size_t n, uint8_t id[32])
{
    uint64_t v = 0;
    gen_tx_reset(tx);
    for (size_t i = 0; i < n; i++) {
        add_in(tx, ins[i]);
        v += ins[i]->value;
    }
    add_out(tx, v - FEE, new_key());
    block_tx(tx, NULL);
    last_txid(id);
}

/* a many-output round of five participants' 100u (n_in coins): each takes 64 + 32 + 4u (the
 * fee from the last); outs[3k] is participant k's 64u */
static void round5(gen_tx *tx, coin *const *ins, size_t n_in, uint64_t fee, coin outs[15],
                   uint8_t id[32])
{
    uint64_t keys[15];
    gen_tx_reset(tx);
    for (size_t i = 0; i < n_in; i++)
        add_in(tx, ins[i]);
    for (int k = 0; k < 5; k++) {
        add_out(tx, 64 * U, keys[3 * k] = new_key());
        add_out(tx, 32 * U, keys[3 * k + 1] = new_key());
        add_out(tx, 4 * U - (k == 4 ? fee : 0), keys[3 * k + 2] = new_key());
    }
    block_tx(tx, outs);
    last_txid(id);
    for (int i = 0; i < 15; i++)
        outs[i].key = keys[i];
}

static void honest(coin *c, int n)
{
    for (int i = 0; i < n; i++) { /* each paid by a coinbase of its own: one wallet each */
        block_begin();
        fund(&c[i], 100 * U, 0);
        block_end();
    }
}

static void build_world(const char *out_dir)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    block_begin();
    fund(&stolen, 600 * U + FEE, 0);
    block_end();
    static coin h[N_ROUNDS][4];
    for (int r = 0; r < N_ROUNDS; r++)
        honest(h[r], 4);
    /* the split: T1-T3 for the rounds, U1-U3 for the one-to-one mixes */
    block_begin();
    coin t[6];
    uint64_t kt[6];
    gen_tx_reset(&tx);
    add_in(&tx, &stolen);
    for (int i = 0; i < 6; i++)
        add_out(&tx, 100 * U, kt[i] = new_key());
    block_tx(&tx, t);
    for (int i = 0; i < 6; i++)
        t[i].key = kt[i];
    block_end();

    block_begin();
    static coin ro[5][15];
    for (int r = 0; r < 3; r++) {
        coin *ins[5] = {&t[r], &h[r][0], &h[r][1], &h[r][2], &h[r][3]};
        round5(&tx, ins, 5, FEE, ro[r], id_round[r]);
    }
    block_end();
    /* R4, R5: an honest user's three outputs of R1 (participants 3 and 4) remixed, no thief
     * coin */
    block_begin();
    for (int r = 3; r < 5; r++) {
        coin *ins[7] = {&ro[0][3 * r], &ro[0][3 * r + 1], &ro[0][3 * r + 2], &h[r][0],
                        &h[r][1],      &h[r][2],          &h[r][3]};
        round5(&tx, ins, 7, r == 4 ? 2 * FEE : FEE, ro[r], id_round[r]);
    }
    /* W1-W3: 5 x 5 one-to-one mixes of 100u with one thief coin each */
    static coin wo[3][5];
    for (int w = 0; w < 3; w++) {
        coin *ins[5] = {&t[3 + w], &h[5 + w][0], &h[5 + w][1], &h[5 + w][2], &h[5 + w][3]};
        uint64_t keys[5];
        for (int i = 0; i < 5; i++)
            keys[i] = new_key();
        chain_mix5(&tx, ins, keys, 100 * U - FEE, wo[w]);
        last_txid(id_round[5 + w]);
    }
    block_end();

    /* R6: honest users' outputs of R1 (participant 1's 32 + 4u, participant 2's 4u), R2 and
     * R3 (participant 3's 64 + 32 + 4u of each) remixed with three fresh honest coins, no thief
     * coin (540u in; the 40u over the outputs is the fee) */
    block_begin();
    coin *in6[12] = {&ro[0][4], &ro[0][5],  &ro[0][8],  &ro[1][9], &ro[1][10], &ro[1][11],
                     &ro[2][9], &ro[2][10], &ro[2][11], &h[8][0],  &h[8][1],   &h[8][2]};
    static coin r6[15];
    round5(&tx, in6, 12, FEE, r6, id_round[8]);
    block_end();

    block_begin();
    coin *td[3] = {&ro[0][0], &ro[1][0], &ro[2][0]}; /* the thief's 64u of R1-R3 */
    deposit(&tx, td, 3, id_td);
    coin *hd1[1] = {&ro[0][3]}; /* participant 1 of R1 */
    deposit(&tx, hd1, 1, id_hd1);
    coin *hd2[2] = {&ro[0][6], &ro[1][6]}; /* participant 2 of R1 and of R2: one user */
    deposit(&tx, hd2, 2, id_hd2);
    /* participant 1 of R4 and of R5 and an R1 output (participant 2's 32u): one user */
    coin *hd3[3] = {&ro[0][7], &ro[3][3], &ro[4][3]};
    deposit(&tx, hd3, 3, id_hd3);
    coin *tw[3] = {&wo[0][0], &wo[1][0], &wo[2][0]}; /* the thief's outputs of W1-W3 */
    deposit(&tx, tw, 3, id_tw);
    block_end();
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
    uint64_t t = chain_tx(cs, txid);
    if (t == CW_NONE64) {
        CHECK(!"a tx of the example is not in the store");
        exit(cw_test_done());
    }
    return t;
}

/* the example's CoinJoins are R1-R6 and W1-W3 (named here: the test is about the screening
 * rule, not about recognising the rounds) */
static bool is_round(void *ctx, const cw_chainstore *c, uint64_t tx)
{
    (void)ctx;
    (void)c;
    for (int r = 0; r < N_ROUNDS; r++)
        if (tx == tx_of(id_round[r]))
            return true;
    return false;
}

static void addr_of(char a[CW_ADDR_STR_MAX], const uint8_t txid[32])
{
    uint64_t o = cw_chainstore_tx_first_out(cs, tx_of(txid));
    const cw_addr_key *k = cw_chainstore_addr(cs, cw_chainstore_out(cs, o)->addr);
    REQUIRE(cw_addr_encode(a, CW_ADDR_STR_MAX, k, CW_NET_REGTEST) >= 0);
}

static cw_screen_result *screen(const uint8_t txid[32], uint32_t mix_rounds)
{
    char a[CW_ADDR_STR_MAX];
    addr_of(a, txid);
    cw_screen_opts so;
    cw_screen_opts_init(&so);
    so.is_coinjoin = is_round;
    so.mix_rounds = mix_rounds;
    cw_screen_result *r = NULL;
    if (cw_screen_address(&r, cs, lm, a, &so)) {
        fprintf(stderr, "screen %s: %s\n", a, cw_error_last());
        exit(cw_test_done());
    }
    return r;
}

/* the theft flag's rule and its rounds' txids (hex) */
static bool flag_rule(const cw_screen_result *r, const char *rule, size_t *n_rounds)
{
    json_t *j = cw_screen_json(r, 3), *f = json_array_get(json_object_get(j, "flags"), 0);
    const char *got = json_string_value(json_object_get(f, "rule"));
    bool ok = got && !strcmp(got, rule);
    *n_rounds = json_array_size(json_object_get(f, "rounds"));
    const char *m = json_string_value(json_object_get(f, "meaning"));
    if (ok && !strcmp(rule, "mix-rounds"))
        ok = m && strstr(m, "CoinJoin rounds the theft funds entered") &&
             json_array_size(json_object_get(f, "paths")) > 0 &&
             json_integer_value(json_object_get(f, "min_rounds")) > 0 &&
             !strcmp(json_string_value(json_object_get(f, "level")), "probable");
    json_decref(j);
    return ok;
}

static void test_thief_three_rounds(void)
{
    cw_screen_result *td = screen(id_td, 3), *off = screen(id_td, 0);
    /* each post-mix coin is one of five possible payers': the share alone flags nothing */
    CHECK(fabs(cw_screen_flag_share(td, "theft") - 0.2) < 0.002);
    CHECK(cw_screen_certain_share(td, "theft") == 0.0);
    CHECK(cw_screen_flag_level(off) == 0); /* the rule off (--mix-rounds 0) */
    CHECK(cw_screen_flag_level(td) == 1);  /* PROBABLE, never certain */
    size_t n = 0;
    CHECK(flag_rule(td, "mix-rounds", &n));
    CHECK(n == 3);
    cw_screen_result_free(td);
    cw_screen_result_free(off);
}

static void test_honest(void)
{
    cw_screen_result *hd1 = screen(id_hd1, 3), *hd2 = screen(id_hd2, 3), *hd2k2 = screen(id_hd2, 2),
                     *hd3 = screen(id_hd3, 3), *hd3k1 = screen(id_hd3, 1), *tw = screen(id_tw, 3);
    CHECK(cw_screen_flag_level(hd1) == 0); /* one round */
    CHECK(cw_screen_flag_level(hd2) == 0); /* two rounds the thief entered: under 3 */
    CHECK(cw_screen_flag_level(hd2k2) == 1);
    CHECK(cw_screen_flag_level(hd3) == 0); /* three exposed rounds, one the thief entered */
    CHECK(cw_screen_flag_level(hd3k1) == 1);
    size_t n = 0;
    CHECK(flag_rule(hd3k1, "mix-rounds", &n));
    CHECK(n == 1); /* only R1 is listed */
    CHECK(cw_screen_share(hd3, "theft") > 0.0);
    CHECK(cw_screen_flag_level(tw) == 0); /* one-to-one mixes do not count */
    /* R6's first output: its paying tx is a round, whose inputs are many owners' (outputs of
     * R1-R3 that honest users remixed): it does not count them (stop 23) */
    cw_screen_result *r6 = screen(id_round[8], 3);
    CHECK(cw_screen_share(r6, "theft") > 0.0);
    CHECK(cw_screen_flag_level(r6) == 0);
    cw_screen_result_free(r6);
    cw_screen_result_free(hd1);
    cw_screen_result_free(hd2);
    cw_screen_result_free(hd2k2);
    cw_screen_result_free(hd3);
    cw_screen_result_free(hd3k1);
    cw_screen_result_free(tw);
}

int main(void)
{
    int rc = CHAIN_SETUP(test_build_world, dir, store, &cs);
    if (rc)
        return rc;
    if (!chain_label(dir, cs, cw_chainstore_tx_first_out(cs, tx_of(stolen.txid)) + stolen.vout,
                     "heist", "theft", &lm))
        return 1;
    RUN(test_thief_three_rounds);
    RUN(test_honest);
    cw_trace_labelmap_free(lm);
    cw_chainstore_close(cs);
    return cw_test_done();
}
