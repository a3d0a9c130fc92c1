/*
 * test_patterns_joint.c: the joint-funding rules (docs/PATTERNS.md, "Joint funding") and the
 * clusters that honour them (docs/CLUSTERING.md), on hand-made regtest blocks (tiny_chain.h):
 *   esc  an escrow deposit (Bisq's deposit tx): trader A's and trader B's inputs -> one P2WSH
 *        2-of-2 + a 32-byte OP_RETURN (the contract hash): joint_funding, rule escrow-deposit;
 *   dfo  a dual-funded channel open (BOLT 2 v2): node A's and node B's inputs -> one P2WSH
 *        funding output + each one's change: joint_funding, rule dual-funded-open;
 *   spl  a splice-in of that channel: the funding output + B's new coin -> one P2WSH + B's
 *        change: joint_funding, rule splice-in (a peel hop's shape too: the build's column
 *        must hold the flag, as compute says);
 * and the single-owner look-alikes, whose inputs clustering must still join:
 *   pay  C's two coins -> a payment to a P2WSH address + change (2 outputs): no flag;
 *   msw  a multisig wallet's two P2WSH coins -> its P2WSH change + 2 payments: no flag (every
 *        input P2WSH);
 *   one  two coins of one address -> P2WSH + OP_RETURN: no flag (one input address);
 *   bat  C's two coins -> a P2WSH payment, another payment, a change and an OP_RETURN memo
 *        (3 others: more than two traders' changes): no flag.
 * The trace's multi-owner test (cw_patterns_multi_owner) stays false on all of them.
 */
#include <jansson.h>
#include <string.h>

#include "chainwatch/cluster.h"
#include "chainwatch/patterns.h"
#include "tiny_chain.h"

static char dir[4096], store[4200];
static cw_chainstore *cs;
static uint8_t id_esc[32], id_dfo[32], id_spl[32], id_pay[32], id_msw[32], id_one[32], id_bat[32];

/* A P2WSH output (a 2-of-2 script's hash, here any 32 bytes) of value. */
static void add_wsh(gen_tx *tx, uint64_t value, uint64_t seed)
{
    uint8_t spk[34] = {0x00, 0x20};
    for (int i = 0; i < 32; i++)
        spk[2 + i] = (uint8_t)(seed * 131 + (uint64_t)i * 17);
    gen_tx_add_out(tx, value, spk, sizeof spk);
}

/* An OP_RETURN of 32 bytes (a contract hash). */
static void add_hash32(gen_tx *tx)
{
    uint8_t spk[34] = {0x6a, 32};
    for (int i = 2; i < 34; i++)
        spk[i] = (uint8_t)(i * 11);
    gen_tx_add_out(tx, 0, spk, sizeof spk);
}

static void build_world(void)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    block_begin();
    coin a1, a2, b1, b2, b3, c1, c2, c3, c4, o1, o2, m0;
    uint64_t one = new_key();
    fund(&a1, 30000000, 0);
    fund(&a2, 40000000, 0);
    fund(&b1, 20000000, 0);
    fund(&b2, 50000000, 0);
    fund(&b3, 100000000, 0);
    fund(&c1, 10000000, 0);
    fund(&c2, 10000000, 0);
    fund(&c3, 10000000, 0);
    fund(&c4, 10000000, 0);
    fund(&o1, 10000000, one);
    fund(&o2, 10000000, one);
    fund(&m0, 90000000, 0);
    block_end();

    block_begin();
    /* the multisig wallet's two P2WSH coins */
    coin ms[3];
    gen_tx_reset(&tx);
    add_in(&tx, &m0);
    add_wsh(&tx, 40000000, 901);
    add_wsh(&tx, 40000000, 902);
    add_out(&tx, 9990000, new_key());
    block_tx(&tx, ms);
    /* esc: both traders' reserved funds -> escrow + contract hash */
    gen_tx_reset(&tx);
    add_in(&tx, &b1);
    add_in(&tx, &a1);
    add_wsh(&tx, 49990000, 1);
    add_hash32(&tx);
    block_tx(&tx, NULL);
    last_txid(id_esc);
    /* dfo: both peers' coins -> funding + two changes */
    coin dfo[3];
    gen_tx_reset(&tx);
    add_in(&tx, &a2);
    add_in(&tx, &b2);
    add_out(&tx, 15000000, new_key());
    add_wsh(&tx, 60000000, 2);
    add_out(&tx, 14990000, new_key());
    block_tx(&tx, dfo);
    last_txid(id_dfo);
    /* pay: one wallet pays a P2WSH address with change */
    gen_tx_reset(&tx);
    add_in(&tx, &c1);
    add_in(&tx, &c2);
    add_wsh(&tx, 15000000, 3);
    add_out(&tx, 4990000, new_key());
    block_tx(&tx, NULL);
    last_txid(id_pay);
    /* one: two coins of one address */
    gen_tx_reset(&tx);
    add_in(&tx, &o1);
    add_in(&tx, &o2);
    add_wsh(&tx, 19990000, 4);
    add_hash32(&tx);
    block_tx(&tx, NULL);
    last_txid(id_one);
    /* bat: a P2WSH payment among others, a memo */
    gen_tx_reset(&tx);
    add_in(&tx, &c3);
    add_in(&tx, &c4);
    add_wsh(&tx, 5000000, 5);
    add_out(&tx, 5000000, new_key());
    add_out(&tx, 4000000, new_key());
    add_out(&tx, 5990000, new_key());
    add_hash32(&tx);
    block_tx(&tx, NULL);
    last_txid(id_bat);
    block_end();

    block_begin();
    /* spl: the funding output + B's coin -> the new funding output + B's change */
    gen_tx_reset(&tx);
    add_in(&tx, &dfo[1]);
    add_in(&tx, &b3);
    add_wsh(&tx, 85123457, 6);
    add_out(&tx, 74866543, new_key());
    block_tx(&tx, NULL);
    last_txid(id_spl);
    /* msw: the multisig wallet's P2WSH coins -> its P2WSH change + 2 payments */
    gen_tx_reset(&tx);
    add_in(&tx, &ms[0]);
    add_in(&tx, &ms[1]);
    add_out(&tx, 30000000, new_key());
    add_wsh(&tx, 39990000, 7);
    add_out(&tx, 10000000, new_key());
    block_tx(&tx, NULL);
    last_txid(id_msw);
    block_end();
    gen_tx_deinit(&tx);
    chain_write(dir);
}

static void test_build_world(void)
{
    build_world();
    CHECK(height == 4);
}

static uint64_t tx_of(const uint8_t txid[32])
{
    uint64_t t = chain_tx(cs, txid);
    CHECK(t != CW_NONE64);
    return t;
}

static uint32_t in_addr_of(uint64_t t, unsigned k)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(cs, t, &i0, &i1, &o0, &o1);
    const cw_row_in *r = cw_chainstore_in(cs, i0 + k);
    return cw_chainstore_out(cs, cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout)->addr;
}

static void expect_joint(const uint8_t txid[32], unsigned rule, unsigned score)
{
    uint64_t t = tx_of(txid);
    uint32_t f = cw_patterns_compute(cs, t);
    CHECK(f & CW_PAT_JOINT_FUNDING);
    CHECK(cw_patterns_inputs_apart(f));
    CHECK(!cw_patterns_multi_owner(f)); /* the trace reads it as before */
    CHECK(!(f & (CW_PAT_COINJOIN | CW_PAT_COINJOIN_PROBABLE)));
    CHECK_EQ_INT(CW_PAT_RULE(f), rule);
    CHECK_EQ_INT(CW_PAT_SCORE(f), score);
    cw_patterns_detail d;
    cw_patterns_explain(cs, t, &d);
    CHECK_EQ_INT(d.joint_rule, rule);
    CHECK_EQ_INT(d.joint_score, score);
    CHECK_EQ_INT(d.p2wsh_outputs, 1);
    CHECK_EQ_INT(d.input_addresses, 2);
}

static void expect_none(const uint8_t txid[32])
{
    uint32_t f = cw_patterns_compute(cs, tx_of(txid));
    CHECK(!(f & CW_PAT_JOINT_FUNDING));
    CHECK(!cw_patterns_inputs_apart(f));
}

static void test_flags(void)
{
    expect_joint(id_esc, CW_PAT_RULE_ESCROW_DEPOSIT, 70);
    expect_joint(id_dfo, CW_PAT_RULE_DUAL_FUNDED, 50);
    expect_joint(id_spl, CW_PAT_RULE_SPLICE_IN, 50);
    expect_none(id_pay);
    expect_none(id_msw);
    expect_none(id_one);
    expect_none(id_bat);
    CHECK_EQ_STR(cw_patterns_rule_name(CW_PAT_RULE_ESCROW_DEPOSIT), "escrow-deposit");
    CHECK_EQ_STR(cw_patterns_rule_name(CW_PAT_RULE_DUAL_FUNDED), "dual-funded-open");
    CHECK_EQ_STR(cw_patterns_rule_name(CW_PAT_RULE_SPLICE_IN), "splice-in");
    char names[256];
    cw_patterns_flags_string(names, sizeof names, CW_PAT_JOINT_FUNDING);
    CHECK_EQ_STR(names, "joint_funding");
    /* `patterns show --json` and `tx`: the rule, its score and the evidence */
    json_t *o = json_object();
    uint64_t t = tx_of(id_dfo);
    cw_patterns_detail_json(o, cs, t, cw_patterns_compute(cs, t));
    CHECK_EQ_STR(json_string_value(json_object_get(o, "rule")), "dual-funded-open");
    CHECK_EQ_INT(json_integer_value(json_object_get(o, "score")), 50);
    CHECK(json_is_true(json_object_get(o, "probable")));
    json_t *jf = json_object_get(json_object_get(o, "evidence"), "joint_funding");
    CHECK_EQ_STR(json_string_value(json_object_get(jf, "rule")), "dual-funded-open");
    json_decref(o);
}

static void test_build_and_clusters(void)
{
    cw_patterns_stats ps;
    REQUIRE(cw_patterns_build(store, &ps) == 0);
    CHECK_EQ_INT(ps.counts[12], 3); /* joint_funding: esc, dfo, spl */
    /* the column holds what compute says of each tx, a splice-in of a peel hop's shape too
     * (a build's first pass decides such a hop apart: stop 29) */
    CHECK(cw_patterns_peel_shape(cs, tx_of(id_spl), NULL));
    cw_patterns *p;
    REQUIRE(cw_patterns_open(&p, cs) == 0);
    uint64_t txs = cw_chainstore_counts_get(cs).txs;
    unsigned differ = 0;
    for (uint64_t t = 0; t < txs; t++) {
        uint32_t f = 0;
        CHECK(cw_patterns_tx_flags(p, t, &f) == 0);
        differ += f != cw_patterns_compute(cs, t);
    }
    CHECK_EQ_INT(differ, 0);
    cw_patterns_close(p);
    cw_cluster_stats st;
    REQUIRE(cw_cluster_build(store, 0, &st) == 0);
    CHECK_EQ_INT(st.joint_withheld, 3);
    CHECK_EQ_INT(st.coinjoin_skipped, 0);
    cw_chainstore_close(cs);
    REQUIRE(cw_chainstore_open(&cs, store, false, CW_NET_REGTEST) == 0);
    cw_clusters *cl;
    REQUIRE(cw_clusters_open(&cl, cs) == 0);
    /* the two owners of each jointly funded tx stay apart ... */
    const uint8_t *apart[3] = {id_esc, id_dfo, id_spl};
    for (int i = 0; i < 3; i++) {
        uint64_t t = tx_of(apart[i]);
        uint32_t a = in_addr_of(t, 0), b = in_addr_of(t, 1);
        CHECK(cw_clusters_of(cl, a) != cw_clusters_of(cl, b));
        cw_cluster_step *steps = NULL;
        size_t n = 0;
        CHECK(cw_clusters_why(cl, a, b, &steps, &n) != 0);
        cw_free(steps);
    }
    /* ... and the look-alikes' inputs are one owner's, joined */
    const uint8_t *joined[3] = {id_pay, id_msw, id_bat};
    for (int i = 0; i < 3; i++) {
        uint64_t t = tx_of(joined[i]);
        CHECK_EQ_INT(cw_clusters_of(cl, in_addr_of(t, 0)), cw_clusters_of(cl, in_addr_of(t, 1)));
    }
    cw_clusters_close(cl);
}

int main(void)
{
    int rc = CHAIN_SETUP(test_build_world, dir, store, &cs);
    if (rc)
        return rc;
    RUN(test_flags);
    RUN(test_build_and_clusters);
    cw_chainstore_close(cs);
    return cw_test_done();
}
