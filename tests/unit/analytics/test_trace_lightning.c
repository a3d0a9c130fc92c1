/*
 * test_trace_lightning.c: a Lightning channel's other side (issue 11; docs/TRACE-MODELS.md, "A
 * Lightning channel's other side"). On btc_alt4 and btc_alt8 the forward FIFO trace gave a channel
 * peer's payees, and an HTLC claimant's, certain stolen value: the peer spends its side of the
 * thief's channel close alone from the fresh address it was paid to, which reads as a thief's
 * hop. Hand-made regtest blocks with known owners:
 *   - the thief's stolen coin S (1 BTC) opens two channels, funding outputs FA (0.4 BTC) and FB
 *     (0.3 BTC, both P2WSH), pays 0.1 BTC to a P2WSH output FN of its own and keeps change C1;
 *   - channel A closes cooperatively (BOLT 3 closing tx: locktime 0, sequence 0xFFFFFFFF): the
 *     peer's P1 (0.2 BTC) and the thief's T1; the peer pays a merchant (M1) from P1 alone, the
 *     thief deposits T1 alone (D1);
 *   - channel B force closes (a commitment tx: locktime 0x20.., sequence 0x80..): to_remote R
 *     (the peer's, 0.1 BTC), two 330-sat anchors, to_local L (the thief's); the peer sweeps R
 *     alone (W), the thief sweeps L together with C1 into a deposit (D2);
 *   - FN, a P2WSH output that is no channel, pays a payee (Q) and the thief's change, which the
 *     thief deposits (D3): an ordinary spend, no close.
 * Truth and figures (FIFO forward from S): P1, R and T1 are receipts, certain; M1, W and D1 are
 * probable (the spends of a close's outputs: nothing on the chain says which side is the
 * thief's, so D1 is a certain deposit lost to probable, the rule's cost); D2 is certain (L is
 * spent beside the thief's certain C1); D3 and Q certain. Backward (screening's shape) from M1:
 * all probable; from P1 (the receipt): certain.
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

static coin s; /* the stolen coin */
static uint8_t id_s[32], id_close_a[32], id_close_b[32], id_m1[32], id_d1[32], id_w[32];
static uint8_t id_d2[32], id_n[32], id_d3[32];

/* A P2WSH output of value to a script hash drawn from seed. */
static void add_p2wsh(gen_tx *tx, uint64_t value, uint64_t seed)
{
    uint8_t spk[34] = {0x00, 0x20};
    for (int i = 0; i < 32; i++)
        spk[2 + i] = (uint8_t)(seed * 131 + (uint64_t)i * 17);
    gen_tx_add_out(tx, value, spk, sizeof spk);
}

/* Spends c (its witness is not checked by ingest) with the given sequence. */
static void add_in_seq(gen_tx *tx, const coin *c, uint32_t seq)
{
    gen_txin *in = gen_tx_add_in(tx, c->txid, c->vout, CW_SCRIPT_P2WPKH, c->key, c->key * 31 + 7);
    REQUIRE(in != NULL);
    in->sequence = seq;
}

/* c to one output of its value less FEE to a fresh key (into *out when not NULL) */
static void pay1(gen_tx *tx, const coin *c, coin *out, uint8_t id[32])
{
    gen_tx_reset(tx);
    add_in(tx, c);
    uint64_t k = new_key();
    add_out(tx, c->value - FEE, k);
    block_tx(tx, out);
    if (out)
        out->key = k;
    last_txid(id);
}

static void test_build_world(void)
{
    gen_tx tx;
    gen_tx_init(&tx);
    coin open[4], ca[2], cb[4], n[2], peer[2], skip;
    chain_begin();
    block_begin();
    fund(&s, 100000000ULL, 0);
    block_end();

    block_begin(); /* the thief's channel opens: FA, FB, its own P2WSH FN, change C1 */
    gen_tx_reset(&tx);
    add_in(&tx, &s);
    add_p2wsh(&tx, 40000000ULL, 1);
    add_p2wsh(&tx, 30000000ULL, 2);
    add_p2wsh(&tx, 10000000ULL, 3);
    uint64_t kc1 = new_key();
    add_out(&tx, 20000000ULL - FEE, kc1);
    block_tx(&tx, open);
    open[3].key = kc1;
    last_txid(id_s);
    block_end();

    block_begin();
    /* channel A, a cooperative close: P1 (the peer's) first, T1 (the thief's) */
    gen_tx_reset(&tx);
    add_in_seq(&tx, &open[0], 0xFFFFFFFFu);
    uint64_t kp1 = new_key(), kt1 = new_key();
    add_out(&tx, 20000000ULL, kp1);
    add_out(&tx, 20000000ULL - FEE, kt1);
    block_tx(&tx, ca);
    ca[0].key = kp1;
    ca[1].key = kt1;
    last_txid(id_close_a);
    /* channel B, a force close: to_remote R, two anchors, to_local L */
    gen_tx_reset(&tx);
    tx.locktime = 0x20abcdefU;
    add_in_seq(&tx, &open[1], 0x80123456U);
    add_p2wsh(&tx, 10000000ULL, 4);
    add_p2wsh(&tx, 330, 5);
    add_p2wsh(&tx, 330, 6);
    add_p2wsh(&tx, 20000000ULL - 660 - FEE, 7);
    block_tx(&tx, cb);
    for (int i = 0; i < 4; i++)
        cb[i].key = new_key();
    last_txid(id_close_b);
    /* FN pays Q and the thief's change: a P2WSH wallet's payment (locktime at the height,
     * sequence 0xFFFFFFFD), no close */
    gen_tx_reset(&tx);
    tx.locktime = height;
    add_in(&tx, &open[2]);
    uint64_t kq = new_key(), kn = new_key();
    add_out(&tx, 5000000ULL, kq);
    add_out(&tx, 5000000ULL - FEE, kn);
    block_tx(&tx, n);
    n[0].key = kq;
    n[1].key = kn;
    last_txid(id_n);
    block_end();

    block_begin();
    /* the peer pays a merchant from P1 alone: M1 first, its change */
    gen_tx_reset(&tx);
    add_in(&tx, &ca[0]);
    add_out(&tx, 15000000ULL, new_key());
    add_out(&tx, 5000000ULL - FEE, new_key());
    block_tx(&tx, peer);
    last_txid(id_m1);
    pay1(&tx, &ca[1], NULL, id_d1); /* the thief deposits T1 alone */
    gen_tx_reset(&tx);              /* the peer sweeps to_remote (1-block CSV) */
    add_in_seq(&tx, &cb[0], 1);
    add_out(&tx, cb[0].value - FEE, new_key());
    block_tx(&tx, NULL);
    last_txid(id_w);
    gen_tx_reset(&tx); /* the thief sweeps to_local (CSV 144) with its C1 into a deposit */
    add_in_seq(&tx, &cb[3], 144);
    add_in(&tx, &open[3]);
    add_out(&tx, cb[3].value + open[3].value - FEE, new_key());
    block_tx(&tx, NULL);
    last_txid(id_d2);
    pay1(&tx, &n[1], &skip, id_d3); /* the thief deposits FN's change */
    block_end();
    gen_tx_deinit(&tx);
    chain_write(dir);
}

/* Forward FIFO from S: the value at output vout of at_tx, its probable part, and (json not
 * NULL) the trace's JSON. */
static void fwd_at(const uint8_t at_tx[32], uint32_t vout, uint64_t *at, uint64_t *prob,
                   json_t **json)
{
    *at = *prob = UINT64_MAX;
    uint64_t src = chain_out(cs, s.txid, s.vout), dst = chain_out(cs, at_tx, vout);
    REQUIRE(src != CW_NONE64 && dst != CW_NONE64);
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    cw_trace *t = NULL;
    REQUIRE(cw_trace_run(&t, cs, NULL, &src, 1, &o) == 0);
    *at = cw_trace_amount_at(t, dst);
    *prob = 0;
    for (size_t i = 0; i < cw_trace_n_ends(t); i++) {
        const cw_trace_end *e = cw_trace_end_at(t, i);
        if (e->out == dst)
            *prob += e->probable;
    }
    if (json)
        *json = cw_trace_json(t, 10, 100);
    cw_trace_free(t);
}

static void test_forward(void)
{
    uint64_t at, prob;
    json_t *j = NULL;
    fwd_at(id_m1, 0, &at, &prob, &j);
    CHECK(at == 15000000ULL); /* the peer's payee: FIFO gives it P1's first satoshis */
    CHECK(prob == at);        /* probable: P1 is a close's side not provably the thief's */
    json_t *sp = json_object_get(json_object_get(j, "third_party"), "spends");
    size_t n_ln = 0, n_force = 0, n_named = 0;
    for (size_t i = 0; i < json_array_size(sp); i++) {
        json_t *x = json_array_get(sp, i);
        const char *ev = json_string_value(json_object_get(x, "evidence"));
        const char *cl = json_string_value(json_object_get(x, "close"));
        if (!ev || strcmp(ev, "lightning_close"))
            continue;
        n_ln++;
        n_force += cl && !strcmp(cl, "force");
        /* the output is named apart from "address" (a third party's account): it may be the
         * thief's own side (D1's) */
        n_named += json_object_get(x, "address") == NULL &&
                   json_is_string(json_object_get(x, "close_output_address"));
    }
    CHECK(n_ln == 3);    /* M1's, D1's and W's txs */
    CHECK(n_force == 1); /* W's: the to_remote of B's commitment tx */
    CHECK(n_named == 3);
    json_decref(j);
    fwd_at(id_d1, 0, &at, &prob, NULL);
    CHECK(at == 20000000ULL - 2 * FEE);
    CHECK(prob == at); /* the rule's cost: the thief's own side, spent alone */
    fwd_at(id_w, 0, &at, &prob, NULL);
    CHECK(at == 10000000ULL - FEE);
    CHECK(prob == at); /* the peer's to_remote sweep */
    fwd_at(id_d2, 0, &at, &prob, NULL);
    CHECK(at == 40000000ULL - 660 - 3 * FEE);
    CHECK(prob == 0); /* to_local spent beside the thief's certain C1: the thief's side */
    fwd_at(id_d3, 0, &at, &prob, NULL);
    CHECK(at == 5000000ULL - 2 * FEE);
    CHECK(prob == 0); /* FN's spend is no close */
}

/* Backward (screening's direction, the haircut model) from the first output of from_tx: the
 * value that reaches S's spend and its probable part. */
static void back_from(const uint8_t from_tx[32], uint64_t *total, uint64_t *prob)
{
    *total = *prob = UINT64_MAX;
    uint64_t src = chain_out(cs, from_tx, 0);
    REQUIRE(src != CW_NONE64);
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    o.model = CW_TRACE_HAIRCUT;
    o.direction = CW_TRACE_BACKWARD;
    cw_trace *t = NULL;
    REQUIRE(cw_trace_run(&t, cs, NULL, &src, 1, &o) == 0);
    *total = *prob = 0;
    for (size_t i = 0; i < cw_trace_n_ends(t); i++) {
        const cw_trace_end *e = cw_trace_end_at(t, i);
        *total += e->amount;
        *prob += e->probable;
    }
    cw_trace_free(t);
}

static void test_backward(void)
{
    uint64_t total, prob;
    back_from(id_m1, &total, &prob);
    CHECK(total > 0 && total != UINT64_MAX);
    CHECK(prob == total); /* a merchant paid by the peer: probable */
    back_from(id_close_a, &total, &prob);
    CHECK(total > 0 && total != UINT64_MAX);
    CHECK(prob == 0); /* the peer's receipt P1 itself: certain */
}

int main(void)
{
    int rc = CHAIN_SETUP(test_build_world, dir, store, &cs);
    if (rc)
        return rc;
    RUN(test_forward);
    RUN(test_backward);
    cw_chainstore_close(cs);
    return cw_test_done();
}
