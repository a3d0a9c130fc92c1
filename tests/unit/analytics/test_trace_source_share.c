/*
 * test_trace_source_share.c: a source's probable share (cw_trace_opts.source_probable,
 * docs/TRACE-MODELS.md, "A source's probable share"): the part of a source's value that is a
 * judgement before the trace (a refund's output found by amount) is carried as value made
 * probable at a mix is, so nodes, paths, ends, stats and the JSON read one judgement. Hand-made
 * regtest blocks (tiny_chain.h):
 *   - A (1 BTC, certain) and B (0.6 BTC, given as probable) each move once (a1, b1); one tx J
 *     spends a1 then b1 into o1 (a1's value) and o2 (b1's less the fee); o2 moves on to o3
 *     (unspent). FIFO: o1 holds A's value only (certain), o2 and o3 B's (probable whole);
 *   - C (0.05 BTC, given as probable) is spent with a clean coin of 0.3 BTC into g, which moves
 *     on to g2 (unspent): C's value is a sixth of g, under the probable floor (0.25) that cuts a
 *     mix's sliver; a source's own share is followed on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "harness.h"

static char dir[4096], store[4200];
static cw_chainstore *cs;

#include "tiny_chain.h"

enum { FEE = 1000 };

static coin ca, cb, cc, clean, a1, b1, o[2], o3, g, g2;
static uint8_t id_fund[32], id_j[32], id_o3[32], id_g[32], id_g2[32];

static void pay1(gen_tx *tx, const coin *c, coin *out, uint8_t id[32])
{
    gen_tx_reset(tx);
    add_in(tx, c);
    uint64_t k = new_key();
    add_out(tx, c->value - FEE, k);
    block_tx(tx, out);
    out->key = k;
    last_txid(id);
}

static void build_world(void)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    block_begin();
    fund(&ca, 100000000ULL, 0);
    fund(&cb, 60000000ULL, 0);
    fund(&cc, 5000000ULL, 0);
    fund(&clean, 30000000ULL, 0);
    block_end();
    memcpy(id_fund, ids[0], 32); /* the coinbase */
    uint8_t scratch[32];
    block_begin();
    pay1(&tx, &ca, &a1, scratch);
    pay1(&tx, &cb, &b1, scratch);
    block_end();
    block_begin();
    gen_tx_reset(&tx);
    add_in(&tx, &a1);
    add_in(&tx, &b1);
    uint64_t k0 = new_key(), k1 = new_key();
    add_out(&tx, a1.value, k0);
    add_out(&tx, b1.value - FEE, k1);
    block_tx(&tx, o);
    o[0].key = k0;
    o[1].key = k1;
    last_txid(id_j);
    pay1(&tx, &o[1], &o3, id_o3);
    gen_tx_reset(&tx);
    add_in(&tx, &cc);
    add_in(&tx, &clean);
    uint64_t kg = new_key();
    add_out(&tx, cc.value + clean.value - FEE, kg);
    block_tx(&tx, &g);
    g.key = kg;
    last_txid(id_g);
    pay1(&tx, &g, &g2, id_g2);
    block_end();
    gen_tx_deinit(&tx);
    chain_write(dir);
}

static void test_build_world(void)
{
    build_world();
}

/* A and B traced together, B's probable part p (NULL option when p is UINT64_MAX) */
static cw_trace *run_ab(cw_trace_model m, uint64_t p)
{
    uint64_t src[2] = {chain_out(cs, id_fund, 0), chain_out(cs, id_fund, 1)}, sp[2] = {0, p};
    cw_trace_opts op;
    cw_trace_opts_init(&op);
    op.model = m;
    op.source_probable = p == UINT64_MAX ? NULL : sp;
    cw_trace *t = NULL;
    if (cw_trace_run(&t, cs, NULL, src, 2, &op)) {
        fprintf(stderr, "trace: %s\n", cw_error_last());
        return NULL;
    }
    return t;
}

/* The graph output at txid:vout of t's JSON: its traced and probable_traced (false: absent). */
static bool graph_out(const cw_trace *t, const uint8_t txid[32], uint32_t vout, int64_t *traced,
                      int64_t *prob)
{
    char h[65], op[80];
    cw_hex_encode_rev(h, txid, 32);
    snprintf(op, sizeof op, "%s:%u", h, vout);
    json_t *j = cw_trace_json(t, 100, 100), *x, *y;
    size_t i, k;
    bool found = false;
    json_array_foreach(json_object_get(j, "graph"), i, x)
    {
        json_array_foreach(json_object_get(x, "outputs"), k, y)
        {
            const char *s = json_string_value(json_object_get(y, "outpoint"));
            if (s && !strcmp(s, op)) {
                *traced = json_integer_value(json_object_get(y, "traced"));
                *prob = json_integer_value(json_object_get(y, "probable_traced"));
                found = true;
            }
        }
    }
    json_decref(j);
    return found;
}

/* FIFO: the certain source's value stays certain, the probable one's is probable on every node,
 * end and path it reaches, by position in J (not pro rata); the option off: all certain */
static void test_fifo(void)
{
    cw_trace *t = run_ab(CW_TRACE_FIFO, cb.value);
    REQUIRE(t);
    const cw_trace_end *e1 = chain_end_at(t, chain_out(cs, id_j, 0));
    const cw_trace_end *e3 = chain_end_at(t, chain_out(cs, id_o3, 0));
    REQUIRE(e1 && e3);
    CHECK(e1->amount == a1.value && e1->probable == 0);
    CHECK(e3->amount == o3.value && e3->probable == o3.value && e3->rule == CW_RULE_SOURCE);
    CHECK(cw_trace_stats_get(t)->probable == cb.value);
    int64_t tr = -1, pr = -1;
    CHECK(graph_out(t, id_j, 1, &tr, &pr) && tr == (int64_t)o[1].value && pr == tr);
    CHECK(graph_out(t, id_j, 0, &tr, &pr) && tr == (int64_t)o[0].value && pr == 0);
    json_t *j = cw_trace_json(t, 100, 100), *p;
    size_t i, n_prob = 0, n_rule = 0;
    json_array_foreach(json_object_get(j, "paths"), i, p)
    {
        if (json_integer_value(json_object_get(p, "probable")) > 0) {
            n_prob++;
            n_rule += !strcmp(json_string_value(json_object_get(p, "rule")), "probable-source");
        }
    }
    CHECK(n_prob >= 1 && n_rule == n_prob);
    CHECK(json_integer_value(json_object_get(
              json_object_get(json_object_get(j, "probable"), "by_rule"), "probable-source")) ==
          (json_int_t)cb.value);
    json_decref(j);
    cw_trace_free(t);
    t = run_ab(CW_TRACE_FIFO, UINT64_MAX);
    REQUIRE(t);
    CHECK(cw_trace_stats_get(t)->probable == 0);
    cw_trace_free(t);
}

/* A partial share: a third of B's value probable, spread over where B's value goes */
static void test_partial(void)
{
    cw_trace *t = run_ab(CW_TRACE_FIFO, cb.value / 3);
    REQUIRE(t);
    const cw_trace_end *e1 = chain_end_at(t, chain_out(cs, id_j, 0));
    const cw_trace_end *e3 = chain_end_at(t, chain_out(cs, id_o3, 0));
    REQUIRE(e1 && e3);
    CHECK(e1->probable == 0);
    CHECK(e3->probable > 0 && e3->probable <= o3.value / 3 + 1 && e3->probable + 2 >= o3.value / 3);
    CHECK(cw_trace_stats_get(t)->probable == cb.value / 3);
    cw_trace_free(t);
}

/* Haircut shares J's value pro rata: o1 gets its share of the probable part too; poison marks
 * every output the probable value reaches; backward, the source's share is all its ends' */
static void test_other_models(void)
{
    cw_trace *t = run_ab(CW_TRACE_HAIRCUT, cb.value);
    REQUIRE(t);
    const cw_trace_end *e1 = chain_end_at(t, chain_out(cs, id_j, 0));
    REQUIRE(e1);
    CHECK(e1->probable > 0 && e1->probable < e1->amount);
    CHECK(cw_trace_stats_get(t)->probable == cb.value);
    cw_trace_free(t);
    t = run_ab(CW_TRACE_POISON, cb.value);
    REQUIRE(t);
    e1 = chain_end_at(t, chain_out(cs, id_j, 0));
    const cw_trace_end *e3 = chain_end_at(t, chain_out(cs, id_o3, 0));
    REQUIRE(e1 && e3);
    CHECK(e1->probable == e1->amount && e3->probable == e3->amount);
    cw_trace_free(t);
    /* backward (haircut, as screening): a wholly probable source's value is probable wherever
     * it came from */
    uint64_t src = chain_out(cs, id_o3, 0), sp = o3.value;
    cw_trace_opts op;
    cw_trace_opts_init(&op);
    op.model = CW_TRACE_HAIRCUT;
    op.direction = CW_TRACE_BACKWARD;
    op.source_probable = &sp;
    REQUIRE(cw_trace_run(&t, cs, NULL, &src, 1, &op) == 0);
    CHECK(cw_trace_stats_get(t)->source_value == o3.value && chain_ended(t) == o3.value);
    CHECK(cw_trace_stats_get(t)->probable == o3.value);
    cw_trace_free(t);
}

/* A probable source's value that is a sixth of the coin it is paid into is followed on (no
 * dust end at the probable floor), probable whole */
static void test_floor(void)
{
    uint64_t src = chain_out(cs, id_fund, 2), sp = cc.value;
    cw_trace_opts op;
    cw_trace_opts_init(&op);
    op.source_probable = &sp;
    cw_trace *t = NULL;
    REQUIRE(cw_trace_run(&t, cs, NULL, &src, 1, &op) == 0);
    const cw_trace_end *e = chain_end_at(t, chain_out(cs, id_g2, 0));
    REQUIRE(e);
    CHECK(e->kind == CW_END_UNSPENT && e->amount == cc.value && e->probable == cc.value);
    CHECK(chain_end_at(t, chain_out(cs, id_g, 0)) == NULL);
    cw_trace_free(t);
}

/* A probable part above the source's value: refused, naming the source */
static void test_bad(void)
{
    uint64_t src = chain_out(cs, id_fund, 2), sp = cc.value + 1;
    cw_trace_opts op;
    cw_trace_opts_init(&op);
    op.source_probable = &sp;
    cw_trace *t = NULL;
    CHECK(cw_trace_run(&t, cs, NULL, &src, 1, &op) == CW_EINVAL && t == NULL);
    CHECK(strstr(cw_error_last(), "source 0") && strstr(cw_error_last(), "source_probable"));
    cw_error_clear();
}

int main(void)
{
    int rc = CHAIN_SETUP(test_build_world, dir, store, &cs);
    if (rc)
        return rc;
    RUN(test_fifo);
    RUN(test_partial);
    RUN(test_other_models);
    RUN(test_floor);
    RUN(test_bad);
    cw_chainstore_close(cs);
    return cw_test_done();
}
