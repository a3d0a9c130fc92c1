/*
 * test_store.c: the EVM store's writer and readers through the API (evm/store.h, flow.h),
 * with blocks built by hand so every expected figure is known: a genesis allocation, a
 * London-style fee split (burnt = gas used x base fee, tip = the rest to the miner), an ERC-20
 * Transfer log, a WETH Deposit, a failed tx (fee only), an internal call; gaps and wrong
 * parents refused with the store unchanged; balances at any block from the in/out chains;
 * rollback; check's balance rule (a balance below zero is reported); a reader beside a writer
 * that rolls back (a reorganisation), marks a contract in place, or trims files after a
 * rollback to a shorter branch.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/evm/query.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/flow.h"
#include "chainwatch/store.h"
#include "chainwatch/util.h"
#include "harness.h"

static cw_evm_addr ADDR(int i)
{
    cw_evm_addr a;
    memset(&a, 0, sizeof a);
    a.b[0] = 0xaa;
    a.b[19] = (uint8_t)i;
    return a;
}

static cw_evm_hash HASH(int kind, int i)
{
    cw_evm_hash h;
    memset(&h, 0x11 * kind, sizeof h);
    h.b[31] = (uint8_t)i;
    h.b[0] = (uint8_t)(kind * 37 + i);
    return h;
}

static const uint8_t TRANSFER[32] = {
    0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0, 0x68, 0xfc, 0x37, 0x8d, 0xaa,
    0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4, 0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef};

static void header(cw_evm_block *b, uint64_t n)
{
    cw_evm_block_reset(b);
    b->number = n;
    b->hash = HASH(1, (int)n);
    b->parent_hash = n ? HASH(1, (int)n - 1) : HASH(9, 9);
    b->timestamp = 1700000000 + 12 * n;
    b->miner = ADDR(200);
    b->has_base_fee = true;
    cw_u256_from_u64(&b->base_fee, 10);
    b->has_receipts = b->has_logs = b->has_traces = true;
}

static cw_evm_tx *tx(cw_evm_block *b, int from, int to, uint64_t value, uint8_t status)
{
    cw_evm_tx *t = cw_evm_block_add_tx(b);
    t->hash = HASH(2, (int)(b->number * 16 + b->n_txs));
    t->index = (uint32_t)b->n_txs - 1;
    t->from = ADDR(from);
    t->to = ADDR(to);
    t->has_to = true;
    cw_u256_from_u64(&t->value, value);
    t->gas = 100000;
    t->gas_used = 21000;
    t->has_receipt = true;
    t->status = status;
    cw_u256_from_u64(&t->effective_gas_price, 13); /* tip 3 per gas */
    b->tx_count = b->n_txs;
    return t;
}

static void balance(const cw_evmstore *s, int who, uint64_t at, uint32_t asset, int64_t want)
{
    cw_evm_addr a = ADDR(who);
    uint32_t id;
    REQUIRE(cw_evmstore_find_account(s, &a, &id) == 0);
    cw_u256 in[8], out[8];
    REQUIRE(cw_evmstore_account_flows(s, id, at, in, out, 8) == 0);
    cw_u256 d;
    bool neg = cw_u256_sub(&d, &in[asset], &out[asset]);
    int64_t got = neg ? -(int64_t)(0 - d.w[0]) : (int64_t)d.w[0];
    CHECK_EQ_INT(got, want);
}

typedef struct {
    int n_in, n_out;
    uint64_t sum_in;
} flow_acc;

static int on_flow(const cw_flow *f, void *ctx)
{
    flow_acc *a = ctx;
    if (f->incoming) {
        a->n_in++;
        if (f->asset == 0)
            a->sum_in += f->amount.w[0];
    } else {
        a->n_out++;
    }
    return 0;
}

static void test_store(void)
{
    const char *dir = cw_test_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/s", dir);
    cw_evmstore *s;
    REQUIRE(cw_evmstore_open(&s, path, true, "ethereum") == 0);
    cw_evm_block b;
    cw_evm_block_init(&b);
    /* block 0: genesis allocations A1 = 1000000, A2 = 500 */
    header(&b, 0);
    for (int i = 1; i <= 2; i++) {
        cw_evm_trace *t = cw_evm_block_add_trace(&b);
        t->tx_index = UINT32_MAX;
        t->type = CW_EVM_TRACE_GENESIS;
        t->status = 1;
        t->to = ADDR(i);
        t->has_to = true;
        cw_u256_from_u64(&t->value, i == 1 ? 1000000000 : 500);
    }
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    /* block 1: A1 -> A3 1000 (fee 21000 x 13: 210000 burnt, 63000 tip), a token transfer
     * A1 -> A4 of 5 units of token A50 in the same tx, and a failed A2 -> A3 5 (fee only:
     * A2 has 500 < fee, so A2's native balance goes below zero: check must say so) */
    header(&b, 1);
    cw_evm_tx *t = tx(&b, 1, 3, 1000, CW_EVM_STATUS_OK);
    cw_evm_log *l = cw_evm_block_add_log(&b);
    l->log_index = 0;
    l->tx_index = 0;
    l->tx_hash = t->hash;
    l->address = ADDR(50);
    l->n_topics = 3;
    memcpy(l->topics[0].b, TRANSFER, 32);
    memcpy(l->topics[1].b + 12, ADDR(1).b, 20);
    memcpy(l->topics[2].b + 12, ADDR(4).b, 20);
    uint8_t word[32] = {0};
    word[31] = 5;
    REQUIRE(cw_evm_block_put_bytes(&b, word, 32, &l->data_off) == 0);
    b.logs[0].data_len = 32;
    /* an internal call A3 -> A5 of 7 */
    cw_evm_trace *tr = cw_evm_block_add_trace(&b);
    tr->tx_index = 0;
    tr->tx_hash = b.txs[0].hash;
    tr->type = CW_EVM_TRACE_CALL;
    tr->call_type = CW_EVM_CALL_CALL;
    tr->status = 1;
    tr->from = ADDR(3);
    tr->to = ADDR(5);
    tr->has_from = tr->has_to = true;
    cw_u256_from_u64(&tr->value, 7);
    uint32_t ta = 0;
    REQUIRE(cw_evm_block_put_bytes(&b, &ta, 4, &b.traces[0].ta_off) == 0);
    b.traces[0].ta_len = 1;
    tx(&b, 2, 3, 5, CW_EVM_STATUS_FAILED);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    REQUIRE(cw_evmstore_commit(s) == 0);
    /* a gap and a wrong parent are refused, the store unchanged */
    cw_evm_counts c0, c1;
    cw_evmstore_counts(s, &c0);
    header(&b, 3);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    CHECK(cw_evmstore_append(s, &b) == CW_EINVAL);
    header(&b, 2);
    b.parent_hash = HASH(7, 7);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    CHECK(cw_evmstore_append(s, &b) == CW_ECORRUPT);
    CHECK_EQ_INT(cw_evmstore_tip(s), 1);
    /* block 2: A3 -> A1 100, to be rolled back */
    header(&b, 2);
    tx(&b, 3, 1, 100, CW_EVM_STATUS_OK);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    REQUIRE(cw_evmstore_commit(s) == 0);
    balance(s, 1, UINT64_MAX, 0, 1000000000 - 1000 - 273000 + 100);
    balance(s, 1, 1, 0, 1000000000 - 1000 - 273000);
    balance(s, 1, 0, 0, 1000000000);
    REQUIRE(cw_evmstore_rollback(s, 1) == 0);
    cw_evmstore_counts(s, &c1);
    CHECK(memcmp(&c0, &c1, sizeof c0) == 0);
    CHECK_EQ_INT(cw_evmstore_tip(s), 1);
    balance(s, 1, UINT64_MAX, 0, 1000000000 - 1000 - 273000);
    balance(s, 3, UINT64_MAX, 0, 1000 - 7);
    balance(s, 5, UINT64_MAX, 0, 7);
    balance(s, 200, UINT64_MAX, 0, 63000 * 2); /* both tips */
    balance(s, 2, UINT64_MAX, 0, 500 - 273000);
    balance(s, 4, UINT64_MAX, 1, 5); /* asset 1 = the token */
    cw_evm_block_free(&b);
    REQUIRE(cw_evmstore_close(s) == 0);
    /* the close after the rollback (everything published: it trims without syncing) leaves
     * each file holding exactly its published rows, the count in its header */
    static const struct {
        const char *name;
        int which; /* 0 blocks, 1 txs, 2 moves, 3 accounts */
    } cols[] = {{"blocks", 0},   {"txs", 1},      {"txhash", 1},  {"moves", 2},
                {"movelink", 2}, {"accounts", 3}, {"acctlast", 3}};
    const uint64_t want[4] = {c1.blocks, c1.txs, c1.moves, c1.accounts};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s.col", path, cols[i].name);
        FILE *f = fopen(p, "rb");
        REQUIRE(f);
        uint8_t hdr[64];
        REQUIRE(fread(hdr, 1, sizeof hdr, f) == sizeof hdr);
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fclose(f);
        uint32_t width;
        uint64_t rows;
        memcpy(&width, hdr + 12, 4);
        memcpy(&rows, hdr + 16, 8);
        CHECK_EQ_INT((long long)rows, (long long)want[cols[i].which]);
        CHECK_EQ_INT(size, (long)(64 + rows * width));
    }

    /* readers: tx movements in order, check's balance rule, the flow interface */
    REQUIRE(cw_evmstore_open(&s, path, false, NULL) == 0);
    cw_evm_hash h = HASH(2, 17); /* block 1, first tx */
    uint64_t txn, m0, m1;
    REQUIRE(cw_evmstore_find_tx(s, &h, &txn) == 0);
    cw_evmstore_tx_moves(s, txn, &m0, &m1);
    REQUIRE(m1 - m0 == 5);
    const unsigned kinds[5] = {CW_EVM_MOVE_FEE_BURNT, CW_EVM_MOVE_FEE_TIP, CW_EVM_MOVE_TX,
                               CW_EVM_MOVE_INTERNAL, CW_EVM_MOVE_ERC20};
    const uint64_t amounts[5] = {210000, 63000, 1000, 7, 5};
    for (int i = 0; i < 5; i++) {
        const cw_evm_row_move *mv = cw_evmstore_move(s, m0 + (uint64_t)i);
        CHECK_EQ_INT(mv->kind, kinds[i]);
        CHECK_EQ_INT(cw_evmstore_move_amount(s, mv).w[0], amounts[i]);
    }
    json_t *j = NULL;
    CHECK(cw_evm_check(&j, s) == CW_ECORRUPT); /* A2 went below zero */
    REQUIRE(j);
    CHECK(json_is_true(json_object_get(j, "balances_checked")));
    CHECK_EQ_INT(json_integer_value(json_object_get(j, "problems")), 1);
    const char *e0 = json_string_value(json_array_get(json_object_get(j, "errors"), 0));
    CHECK(e0 && strstr(e0, "native balance below zero"));
    json_decref(j);
    cw_evmstore_close(s);

    cw_flow_store *fs;
    REQUIRE(cw_flow_open(&fs, path) == 0);
    CHECK(cw_flow_store_kind(fs) == CW_FLOW_EVM);
    CHECK_EQ_STR(cw_flow_chain_name(fs), "ethereum");
    char a3[43];
    cw_evm_addr x = ADDR(3);
    cw_evm_addr_hex(a3, &x);
    uint64_t id;
    REQUIRE(cw_flow_resolve(fs, a3, &id) == 0);
    char back[64];
    REQUIRE(cw_flow_address(fs, id, back, sizeof back) == 0);
    CHECK_EQ_STR(back, a3);
    flow_acc acc = {0, 0, 0};
    REQUIRE(cw_flow_each(fs, id, 3, on_flow, &acc) == 0);
    CHECK_EQ_INT(acc.n_in, 1);  /* 1000 from A1 (the failed tx moved nothing) */
    CHECK_EQ_INT(acc.n_out, 1); /* 7 to A5 */
    CHECK_EQ_INT(acc.sum_in, 1000);
    CHECK(cw_flow_resolve(fs, "0x12", &id) == CW_EINVAL);
    char sym[16];
    int dec;
    REQUIRE(cw_flow_asset(fs, 0, sym, sizeof sym, &dec) == 0);
    CHECK_EQ_STR(sym, "ETH");
    CHECK_EQ_INT(dec, 18);
    cw_flow_close(fs);
}

/* Token metadata registered in any order reaches each token's asset row (symbol and decimals):
 * the lookup is a binary search over the sorted registrations, so it needs an ordering
 * comparison, not an equality test. */
static void test_token_metadata(void)
{
    const char *dir = cw_test_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/tokens", dir);
    cw_evmstore *s;
    REQUIRE(cw_evmstore_open(&s, path, true, "ethereum") == 0);
    static const int order[9] = {64, 61, 68, 60, 66, 62, 67, 63, 65};
    for (int i = 0; i < 9; i++) {
        cw_evm_token tk;
        memset(&tk, 0, sizeof tk);
        tk.address = ADDR(order[i]);
        snprintf(tk.symbol, sizeof tk.symbol, "T%d", order[i]);
        tk.decimals = order[i] - 54;
        REQUIRE(cw_evmstore_add_token(s, &tk) == 0);
    }
    cw_evm_block b;
    cw_evm_block_init(&b);
    header(&b, 0);
    cw_evm_tx *t = tx(&b, 1, 2, 0, CW_EVM_STATUS_OK);
    for (int i = 0; i < 9; i++) {
        cw_evm_log *l = cw_evm_block_add_log(&b);
        l->log_index = (uint32_t)i;
        l->tx_index = 0;
        l->tx_hash = t->hash;
        l->address = ADDR(60 + i);
        l->n_topics = 3;
        memcpy(l->topics[0].b, TRANSFER, 32);
        memcpy(l->topics[1].b + 12, ADDR(1).b, 20);
        memcpy(l->topics[2].b + 12, ADDR(2).b, 20);
        uint8_t word[32] = {0};
        word[31] = 1;
        REQUIRE(cw_evm_block_put_bytes(&b, word, 32, &l->data_off) == 0);
        b.logs[b.n_logs - 1].data_len = 32;
    }
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    REQUIRE(cw_evmstore_commit(s) == 0);
    /* assets 1..9 are the tokens in order of first movement: ADDR(60) .. ADDR(68) */
    for (int i = 0; i < 9; i++) {
        const cw_evm_row_asset *a = cw_evmstore_asset(s, (uint32_t)(1 + i));
        REQUIRE(a != NULL);
        char want[16];
        snprintf(want, sizeof want, "T%d", 60 + i);
        CHECK_EQ_STR(a->symbol, want);
        CHECK_EQ_INT(a->decimals, 6 + i);
    }
    cw_evm_block_free(&b);
    REQUIRE(cw_evmstore_close(s) == 0);
}

static cw_u256 U(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
    cw_u256 v = {{w0, w1, w2, w3}};
    return v;
}

/* the amount of movement m, and whether the row keeps it in amounts.col */
static void want_move(const cw_evmstore *s, uint64_t m, unsigned kind, cw_u256 want, bool wide)
{
    const cw_evm_row_move *mv = cw_evmstore_move(s, m);
    REQUIRE(mv != NULL);
    CHECK_EQ_INT(mv->kind, kind);
    cw_u256 got = cw_evmstore_move_amount(s, mv);
    CHECK(cw_u256_cmp(&got, &want) == 0);
    CHECK_EQ_INT(!!(mv->flags & CW_EVM_MOVEF_WIDE), wide);
    if (wide) {
        const cw_evm_row_wide *w = cw_evmstore_wide(s, mv->amount);
        REQUIRE(w != NULL);
        CHECK_EQ_INT(w->move, m);
    } else {
        CHECK_EQ_INT(mv->amount, want.w[0]);
    }
}

static void test_wide_amounts(void)
{
    /* Movement rows hold 64-bit amounts; 2^64 and above go to amounts.col, exact. The edges:
     * 2^64 - 1 stays in the row, 2^64 and 2^256 - 1 do not; the same for a tx's value and gas
     * price (txamounts.col); the side tables follow commits, rollbacks, dropped appends and
     * reopening, and check cross-references them. */
    const char *dir = cw_test_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/wide", dir);
    cw_evmstore *s;
    REQUIRE(cw_evmstore_open(&s, path, true, "ethereum") == 0);
    cw_evm_block b;
    cw_evm_block_init(&b);
    const cw_u256 MAX = U(~0ull, ~0ull, ~0ull, ~0ull), P64 = U(0, 1, 0, 0),
                  P64M1 = U(~0ull, 0, 0, 0), BIG = U(5, 1, 0, 0), TOK = U(0, 0, 0, 1ull << 63);
    /* block 0: genesis A1 = 2^256 - 1, A2 = 2^64 - 1, A3 = 2^64 */
    header(&b, 0);
    const cw_u256 *alloc[3] = {&MAX, &P64M1, &P64};
    for (int i = 0; i < 3; i++) {
        cw_evm_trace *t = cw_evm_block_add_trace(&b);
        t->tx_index = UINT32_MAX;
        t->type = CW_EVM_TRACE_GENESIS;
        t->status = 1;
        t->to = ADDR(i + 1);
        t->has_to = true;
        t->value = *alloc[i];
    }
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    /* block 1: A3 -> A4 2^64 + 5, and a token transfer A3 -> A4 of 2^255 */
    header(&b, 1);
    cw_evm_tx *t = tx(&b, 3, 4, 0, CW_EVM_STATUS_OK);
    t->value = BIG;
    cw_evm_log *l = cw_evm_block_add_log(&b);
    l->log_index = 0;
    l->tx_index = 0;
    l->tx_hash = t->hash;
    l->address = ADDR(50);
    l->n_topics = 3;
    memcpy(l->topics[0].b, TRANSFER, 32);
    memcpy(l->topics[1].b + 12, ADDR(3).b, 20);
    memcpy(l->topics[2].b + 12, ADDR(4).b, 20);
    uint8_t word[32] = {0};
    word[0] = 0x80; /* big-endian 2^255 */
    REQUIRE(cw_evm_block_put_bytes(&b, word, 32, &l->data_off) == 0);
    b.logs[0].data_len = 32;
    /* A1 -> A2 1 at a gas price of 2^64 (the tip is wide), A1 -> A5 2^64 - 1 (all narrow) */
    t = tx(&b, 1, 2, 1, CW_EVM_STATUS_OK);
    t->effective_gas_price = P64;
    tx(&b, 1, 5, 0, CW_EVM_STATUS_OK)->value = P64M1;
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    REQUIRE(cw_evmstore_commit(s) == 0);
    /* 2^256-1, 2^64, 2^64+5, 2^255, the tip 21000 x (2^64 - 10) */
    CHECK_EQ_INT(cw_evmstore_wide_count(s), 5);
    CHECK_EQ_INT(cw_evmstore_txwide_count(s), 2);
    /* block 2: A1 -> A5 2^256 - 2^64 ... committed, then rolled back */
    header(&b, 2);
    t = tx(&b, 1, 5, 0, CW_EVM_STATUS_OK);
    t->value = U(0, ~0ull, ~0ull, ~0ull);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    REQUIRE(cw_evmstore_commit(s) == 0);
    CHECK_EQ_INT(cw_evmstore_wide_count(s), 6);
    CHECK_EQ_INT(cw_evmstore_txwide_count(s), 3);
    REQUIRE(cw_evmstore_rollback(s, 1) == 0);
    CHECK_EQ_INT(cw_evmstore_wide_count(s), 5);
    CHECK_EQ_INT(cw_evmstore_txwide_count(s), 2);
    /* a writer's side rows are buffered until its next flush (rowbuf_int.h): a block whose
     * append fails after its first tx's wide value and movement were appended (the second tx
     * repeats the first's hash) leaves neither row, in the buffer or the file ... */
    header(&b, 2);
    t = tx(&b, 1, 5, 0, CW_EVM_STATUS_OK);
    t->value = U(9, 9, 9, 0);
    cw_evm_hash dup = t->hash;
    tx(&b, 1, 6, 0, CW_EVM_STATUS_OK)->hash = dup;
    REQUIRE(cw_evm_block_finish(&b) == 0);
    CHECK(cw_evmstore_append(s, &b) == CW_ECORRUPT);
    cw_error_clear();
    CHECK_EQ_INT(cw_evmstore_wide_count(s), 5);
    CHECK_EQ_INT(cw_evmstore_txwide_count(s), 2);
    /* ... appended again with another wide amount but not committed: the writer reads its
     * rows back (from the buffer, where the failed block's were), and they are dropped at
     * close */
    header(&b, 2);
    t = tx(&b, 1, 5, 0, CW_EVM_STATUS_OK);
    t->value = U(7, 7, 0, 0);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    REQUIRE(cw_evmstore_append(s, &b) == 0);
    CHECK_EQ_INT(cw_evmstore_wide_count(s), 6);
    CHECK_EQ_INT(cw_evmstore_txwide_count(s), 3);
    {
        uint64_t w0, w1;
        cw_evmstore_tx_moves(s, 3, &w0, &w1); /* block 1 holds txs 0-2 */
        REQUIRE(w1 - w0 == 3);
        want_move(s, w0 + 2, CW_EVM_MOVE_TX, U(7, 7, 0, 0), true);
        cw_u256 v, g, want = U(7, 7, 0, 0);
        cw_evmstore_tx_amounts(s, cw_evmstore_tx(s, 3), &v, &g);
        CHECK(cw_u256_cmp(&v, &want) == 0);
        CHECK_EQ_INT(cw_evmstore_txwide(s, 2)->tx, 3);
    }
    cw_evm_block_free(&b);
    REQUIRE(cw_evmstore_close(s) == 0);

    REQUIRE(cw_evmstore_open(&s, path, false, NULL) == 0);
    CHECK_EQ_INT(cw_evmstore_tip(s), 1);
    CHECK_EQ_INT(cw_evmstore_wide_count(s), 5);
    CHECK_EQ_INT(cw_evmstore_txwide_count(s), 2);
    want_move(s, 0, CW_EVM_MOVE_REWARD, MAX, true);
    want_move(s, 1, CW_EVM_MOVE_REWARD, P64M1, false);
    want_move(s, 2, CW_EVM_MOVE_REWARD, P64, true);
    uint64_t m0, m1;
    cw_evmstore_tx_moves(s, 0, &m0, &m1);
    REQUIRE(m1 - m0 == 4);
    want_move(s, m0 + 2, CW_EVM_MOVE_TX, BIG, true);
    want_move(s, m0 + 3, CW_EVM_MOVE_ERC20, TOK, true);
    cw_evmstore_tx_moves(s, 1, &m0, &m1);
    REQUIRE(m1 - m0 == 3);
    want_move(s, m0, CW_EVM_MOVE_FEE_BURNT, U(210000, 0, 0, 0), false);
    want_move(s, m0 + 1, CW_EVM_MOVE_FEE_TIP, U(0 - 210000ull, 20999, 0, 0), true);
    want_move(s, m0 + 2, CW_EVM_MOVE_TX, U(1, 0, 0, 0), false);
    cw_evmstore_tx_moves(s, 2, &m0, &m1);
    REQUIRE(m1 - m0 == 3);
    want_move(s, m0 + 2, CW_EVM_MOVE_TX, P64M1, false);
    /* tx rows: value and gas price exact, wide ones through txamounts.col */
    const cw_u256 tv[3] = {BIG, U(1, 0, 0, 0), P64M1},
                  tp[3] = {U(13, 0, 0, 0), P64, U(13, 0, 0, 0)};
    for (uint64_t i = 0; i < 3; i++) {
        const cw_evm_row_tx *tr = cw_evmstore_tx(s, i);
        cw_u256 v, g;
        cw_evmstore_tx_amounts(s, tr, &v, &g);
        CHECK(cw_u256_cmp(&v, &tv[i]) == 0);
        CHECK(cw_u256_cmp(&g, &tp[i]) == 0);
        CHECK_EQ_INT(!!(tr->flags & CW_EVM_TXF_WIDE), i < 2);
    }
    CHECK_EQ_INT(cw_evmstore_txwide(s, 1)->tx, 1);
    /* balances from the chains, exact: A4 holds 2^64 + 5 ETH and 2^255 of the token; A3 paid
     * both and the fee (21000 x 13) out of 2^64 */
    cw_evm_addr a4 = ADDR(4), a3 = ADDR(3);
    uint32_t id4, id3;
    REQUIRE(cw_evmstore_find_account(s, &a4, &id4) == 0);
    REQUIRE(cw_evmstore_find_account(s, &a3, &id3) == 0);
    cw_u256 in[4], out[4];
    REQUIRE(cw_evmstore_account_flows(s, id4, UINT64_MAX, in, out, 4) == 0);
    CHECK(cw_u256_cmp(&in[0], &BIG) == 0);
    CHECK(cw_u256_cmp(&in[1], &TOK) == 0);
    REQUIRE(cw_evmstore_account_flows(s, id3, UINT64_MAX, in, out, 4) == 0);
    cw_u256 paid = BIG;
    cw_u256 fee = U(273000, 0, 0, 0);
    cw_u256_add(&paid, &paid, &fee);
    CHECK(cw_u256_cmp(&in[0], &P64) == 0);
    CHECK(cw_u256_cmp(&out[0], &paid) == 0);
    /* check: every cross-reference holds (A3 spent more than 2^64: below zero, reported) */
    json_t *j = NULL;
    CHECK(cw_evm_check(&j, s) == CW_ECORRUPT);
    REQUIRE(j);
    json_t *ck = json_object_get(j, "checked");
    CHECK_EQ_INT(json_integer_value(json_object_get(ck, "wide_amounts")), 5);
    CHECK_EQ_INT(json_integer_value(json_object_get(ck, "wide_tx_amounts")), 2);
    CHECK_EQ_INT(json_integer_value(json_object_get(j, "problems")), 1);
    const char *e0 = json_string_value(json_array_get(json_object_get(j, "errors"), 0));
    CHECK(e0 && strstr(e0, "native balance below zero"));
    json_decref(j);
    cw_evmstore_close(s);

    /* check catches a wide row that names another movement, and a tx's wide row whose value
     * and gas price both fit 64 bits (the encoding would not be the writer's) */
    const char *bad_files[2] = {"amounts.col", "txamounts.col"};
    const char *bad_want[2] = {"movement ", "tx 1: wide row 1"};
    for (int k = 0; k < 2; k++) {
        char fp[4200];
        snprintf(fp, sizeof fp, "%s/%s", path, bad_files[k]);
        FILE *f = fopen(fp, "r+b");
        REQUIRE(f != NULL);
        uint8_t orig[72], zero[64] = {0};
        uint64_t other = 3;
        long off = CW_COLUMN_HEADER + (k ? 72 : 0);
        REQUIRE(fseek(f, off, SEEK_SET) == 0 && fread(orig, 1, 72, f) == 72);
        REQUIRE(fseek(f, k ? off + 8 : off, SEEK_SET) == 0);
        REQUIRE(k ? fwrite(zero, 1, 64, f) == 64 : fwrite(&other, 8, 1, f) == 1);
        REQUIRE(fclose(f) == 0);
        REQUIRE(cw_evmstore_open(&s, path, false, NULL) == 0);
        j = NULL;
        CHECK(cw_evm_check(&j, s) == CW_ECORRUPT);
        REQUIRE(j);
        bool found = false;
        json_t *errs = json_object_get(j, "errors");
        for (size_t e = 0; e < json_array_size(errs); e++) {
            const char *m = json_string_value(json_array_get(errs, e));
            found |= m && strstr(m, bad_want[k]) && strstr(m, bad_files[k]);
        }
        CHECK(found);
        json_decref(j);
        cw_evmstore_close(s);
        f = fopen(fp, "r+b");
        REQUIRE(f != NULL);
        REQUIRE(fseek(f, off, SEEK_SET) == 0 && fwrite(orig, 1, 72, f) == 72);
        REQUIRE(fclose(f) == 0);
    }
    REQUIRE(cw_evmstore_open(&s, path, false, NULL) == 0);
    j = NULL;
    CHECK_EQ_INT(cw_evm_check(&j, s), CW_ECORRUPT); /* only A3's balance again */
    CHECK_EQ_INT(json_integer_value(json_object_get(j, "problems")), 1);
    json_decref(j);
    cw_evmstore_close(s);

    /* a store of the previous format is refused, and the message says what to do */
    char mp[4200];
    snprintf(mp, sizeof mp, "%s/MANIFEST", path);
    cw_manifest mf;
    REQUIRE(cw_manifest_read(&mf, mp) == 0);
    REQUIRE(cw_manifest_set(&mf, "evm_format", 2) == 0);
    REQUIRE(cw_manifest_write(&mf, mp) == 0);
    CHECK(cw_evmstore_open(&s, path, false, NULL) == CW_EVERSION);
    CHECK(strstr(cw_error_last(), "re-ingest") != NULL);
    cw_error_clear();
    /* format 3 (memo rows without their emitter), 4 (no blob fees), 5 (no issuers' actions)
     * and 6 (USDT's Issue / Redeem read as nothing): the file and what to do are named,
     * read-only or writable, and nothing is written */
    for (int f = 3; f <= 6; f++) {
        REQUIRE(cw_manifest_set(&mf, "evm_format", (uint64_t)f) == 0);
        REQUIRE(cw_manifest_write(&mf, mp) == 0);
        char want[64];
        snprintf(want, sizeof want, "/MANIFEST: EVM store format %d, this build reads 7", f);
        for (int w = 0; w < 2; w++) {
            CHECK(cw_evmstore_open(&s, path, w == 1, NULL) == CW_EVERSION);
            CHECK(strstr(cw_error_last(), want) != NULL);
            CHECK(strstr(cw_error_last(), f == 3   ? "emitter"
                                          : f == 4 ? "blob fees"
                                          : f == 5 ? "issuers' freezes"
                                                   : "USDT's Issue and Redeem") != NULL);
            CHECK(strstr(cw_error_last(), "re-ingest it into a new store") != NULL);
            CHECK(strstr(cw_error_last(), "chainwatch ingest evm") != NULL);
            cw_error_clear();
        }
        REQUIRE(cw_manifest_read(&mf, mp) == 0);
        CHECK_EQ_INT(cw_manifest_get(&mf, "evm_format", 0), f);
    }
}

/* ---- a store's bytes, failures between a tx's index entry and its rows ---- */

/* the bytes of file `name` in dir (cw_free them), its length in *n; NULL when absent */
static uint8_t *slurp(const char *dir, const char *name, size_t *n)
{
    char p[4400];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    uint8_t *b = NULL;
    if (cw_file_read(&b, n, p)) {
        cw_error_clear();
        return NULL;
    }
    return b;
}

/* every file of store a (but LOCK) exists in b with the same bytes, and b has no other file */
static void same_store(const char *a, const char *b)
{
    int files[2] = {0, 0};
    for (int side = 0; side < 2; side++) {
        DIR *d = opendir(side ? b : a);
        REQUIRE(d);
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.' || !strcmp(e->d_name, "LOCK"))
                continue;
            files[side]++;
            if (side)
                continue;
            size_t na = 0, nb = 0;
            uint8_t *ba = slurp(a, e->d_name, &na), *bb = slurp(b, e->d_name, &nb);
            CHECK(bb != NULL);
            CHECK_EQ_INT(na, nb);
            bool same = ba && bb && na == nb && memcmp(ba, bb, na) == 0;
            if (!same)
                fprintf(stderr, "  %s differs between %s and %s\n", e->d_name, a, b);
            CHECK(same);
            cw_free(ba);
            cw_free(bb);
        }
        closedir(d);
    }
    CHECK_EQ_INT(files[0], files[1]);
}

/* block n of a small chain: block 0 funds A1..A8 (its allocations come after a block's txs, so
 * it has none); each later block moves a little between them in n_tx txs (no balance goes below
 * zero) */
static void small_block_n(cw_evm_block *b, uint64_t n, int n_tx)
{
    header(b, n);
    if (n == 0) {
        for (int i = 1; i <= 8; i++) {
            cw_evm_trace *t = cw_evm_block_add_trace(b);
            t->tx_index = UINT32_MAX;
            t->type = CW_EVM_TRACE_GENESIS;
            t->status = 1;
            t->to = ADDR(i);
            t->has_to = true;
            cw_u256_from_u64(&t->value, 1000000000000ull);
        }
    }
    for (int k = 0; k < (n ? n_tx : 0); k++) {
        cw_evm_tx *t = tx(b, 1 + (int)(n + (uint64_t)k) % 8, 1 + (int)(n * 3 + (uint64_t)k + 1) % 8,
                          1000 + n * 10 + (uint64_t)k, CW_EVM_STATUS_OK);
        t->hash.b[1] = (uint8_t)n; /* HASH's one byte of number wraps at 16 blocks */
        t->hash.b[2] = (uint8_t)k;
        t->hash.b[3] = (uint8_t)(k >> 8);
    }
    REQUIRE(cw_evm_block_finish(b) == 0);
}

static void small_block(cw_evm_block *b, uint64_t n)
{
    small_block_n(b, n, 3);
}

/* A tx's hash goes into the index before its rows (one walk of the index finds a duplicate or
 * places the entry); when the block then fails between the two, the undo (which finds index
 * entries through their rows) cannot see that entry, and the append removes it itself. The
 * failure here is a real resource error: the tx's value needs a first row in txamounts.col,
 * and growing that file past RLIMIT_FSIZE fails (EFBIG). Afterwards the index holds neither of
 * the block's txs, the same block appends once the limit is lifted, and the store ends byte for
 * byte as one that never failed (a stale entry would refuse the retry as "already in the
 * store", or leave the index with one entry too many). */
static void test_pending_tx_cleanup(void)
{
    const char *dir = cw_test_tmpdir();
    char ref[4096], path[4096];
    snprintf(ref, sizeof ref, "%s/pend-ref", dir);
    snprintf(path, sizeof path, "%s/pend", dir);
    cw_evm_block b;
    cw_evm_block_init(&b);
    /* block 2 of the store: a narrow tx, then one whose value is >= 2^64 */
    const cw_u256 WIDE = U(3, 1, 0, 0);
    for (int k = 0; k < 2; k++) {
        cw_evmstore *s;
        REQUIRE(cw_evmstore_open(&s, k ? path : ref, true, "ethereum") == 0);
        for (uint64_t n = 0; n <= 1; n++) {
            small_block(&b, n);
            REQUIRE(cw_evmstore_append(s, &b) == 0);
        }
        REQUIRE(cw_evmstore_commit(s) == 0);
        header(&b, 2);
        tx(&b, 1, 2, 5, CW_EVM_STATUS_OK);
        cw_evm_tx *t = tx(&b, 3, 4, 0, CW_EVM_STATUS_OK);
        t->value = WIDE;
        REQUIRE(cw_evm_block_finish(&b) == 0);
        if (k) {
            /* every file the block needs is grown already but txamounts.col (empty) */
            struct rlimit old, lim;
            REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
            lim = old;
            lim.rlim_cur = 4096;
            void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
            REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);
            int rc = cw_evmstore_append(s, &b);
            REQUIRE(setrlimit(RLIMIT_FSIZE, &old) == 0);
            signal(SIGXFSZ, prev);
            CHECK_EQ_INT(rc, CW_EIO);
            CHECK(strstr(cw_error_last(), "txamounts.col") != NULL);
            cw_error_clear();
            CHECK_EQ_INT(cw_evmstore_tip(s), 1);
            uint64_t txn;
            for (size_t i = 0; i < b.n_txs; i++) {
                CHECK_EQ_INT(cw_evmstore_find_tx(s, &b.txs[i].hash, &txn), CW_ENOTFOUND);
                cw_error_clear();
            }
        }
        REQUIRE(cw_evmstore_append(s, &b) == 0);
        REQUIRE(cw_evmstore_commit(s) == 0);
        uint64_t txn;
        REQUIRE(cw_evmstore_find_tx(s, &b.txs[1].hash, &txn) == 0);
        CHECK_EQ_INT(txn, 4); /* block 1's three, then this block's second */
        REQUIRE(cw_evmstore_close(s) == 0);
    }
    cw_evm_block_free(&b);
    same_store(ref, path);
}

/* ---- a reader beside a writer that rolls back ---- */

/* chain A: blocks 0..5 of small_block, committed, into a new store at path */
static void build_a(const char *path)
{
    cw_evmstore *s;
    cw_evm_block b;
    cw_evm_block_init(&b);
    REQUIRE(cw_evmstore_open(&s, path, true, "ethereum") == 0);
    for (uint64_t n = 0; n <= 5; n++) {
        small_block(&b, n);
        REQUIRE(cw_evmstore_append(s, &b) == 0);
    }
    REQUIRE(cw_evmstore_commit(s) == 0);
    REQUIRE(cw_evmstore_close(s) == 0);
    cw_evm_block_free(&b);
}

/* block n >= 3 of fork B (parent: A's block 2): other hashes, other txs and amounts */
static void fork_block(cw_evm_block *b, uint64_t n)
{
    header(b, n);
    b->hash = HASH(3, (int)n);
    b->parent_hash = n == 3 ? HASH(1, 2) : HASH(3, (int)n - 1);
    for (int k = 0; k < 4; k++) {
        cw_evm_tx *t = tx(b, 1 + (int)(n + (uint64_t)k + 3) % 8, 1 + (int)(n + (uint64_t)k) % 8,
                          7000 + n * 100 + (uint64_t)k, CW_EVM_STATUS_OK);
        t->hash.b[1] = (uint8_t)n;
        t->hash.b[2] = (uint8_t)k;
        t->hash.b[4] = 0xbb;
    }
    REQUIRE(cw_evm_block_finish(b) == 0);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* Everything a reader's handle publishes, as it reads it now, hashed: block, tx, movement and
 * account rows (the contract mark as published), each tx's hash, each account's heads and
 * flows. 0 when a read fails. */
static uint64_t view(const cw_evmstore *r)
{
    cw_evm_counts c;
    cw_evmstore_counts(r, &c);
    uint64_t h = 14695981039346656037ull;
    for (uint64_t n = c.base; n < c.base + c.blocks; n++)
        h = fnv(h, cw_evmstore_block(r, n), sizeof(cw_evm_row_block));
    for (uint64_t t = 0; t < c.txs; t++) {
        h = fnv(h, cw_evmstore_tx(r, t), sizeof(cw_evm_row_tx));
        h = fnv(h, cw_evmstore_tx_hash(r, t), 32);
    }
    for (uint64_t m = 0; m < c.moves; m++) {
        h = fnv(h, cw_evmstore_move(r, m), sizeof(cw_evm_row_move));
        cw_evm_movelink l = cw_evmstore_movelink(r, m);
        h = fnv(h, &l, sizeof l);
    }
    for (uint32_t a = 0; a < c.accounts; a++) {
        cw_evm_row_account ar = *cw_evmstore_account(r, a);
        ar.contract_block = cw_evmstore_contract_block(r, a);
        h = fnv(h, &ar, sizeof ar);
        cw_evm_row_acctlast al;
        if (cw_evmstore_acctlast(r, a, &al))
            return 0;
        h = fnv(h, &al, sizeof al);
    }
    return h;
}

/* The writer (a child process): a reorganisation to fork B (rollback to block 2, blocks 3..last
 * of B appended and committed, a clean close), killed at its crash point `at` (0: never).
 * Returns the child's wait status. */
static int fork_writer(const char *path, unsigned at, uint64_t last)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char v[16];
        snprintf(v, sizeof v, "%u", at);
        if (at)
            setenv("CW_TEST_CRASH_POINT", v, 1);
        cw_evmstore *w;
        cw_evm_block b;
        cw_evm_block_init(&b);
        if (cw_evmstore_open(&w, path, true, NULL) || cw_evmstore_rollback(w, 2))
            _exit(3);
        for (uint64_t n = 3; n <= last; n++) {
            fork_block(&b, n);
            if (cw_evmstore_append(w, &b))
                _exit(4);
        }
        if (cw_evmstore_commit(w) || cw_evmstore_close(w))
            _exit(5);
        _exit(0);
    }
    int st = -1;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return st;
}

/* A handle open on chain A's tip while a writer beside it rolls back to block 2 and writes fork
 * B's rows where A's were, killed at each of its crash points in turn (then not killed): the
 * rows the handle reads after it either equal the ones it read before (one fork, A's) or its
 * snapshot check says "rolled back: reopen" (CW_EBUSY). With no generation bump around the
 * rollback (main's code), the handle reads B's rows under A's snapshot and the check passes.
 * A writer killed before its rollback publishes anything leaves the check passing. Reopened,
 * the handle reads the store as the writer left it, and the check passes. */
static void test_reader_beside_rollback(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/rb", cw_test_tmpdir());
    unsigned mixed = 0, flagged = 0, rounds = 0, clean_end = 0;
    for (unsigned at = 1; at <= 200 && !clean_end; at++) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
        REQUIRE(system(cmd) == 0);
        build_a(path);
        cw_evmstore *r;
        REQUIRE(cw_evmstore_open(&r, path, false, NULL) == 0);
        uint64_t before = view(r);
        REQUIRE(before != 0);
        int st = fork_writer(path, at, 7);
        bool killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
        if (!killed) {
            CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
            clean_end = at; /* more crash points than the writer has: it ran to its end */
        }
        uint64_t after = view(r);
        int rc = cw_evmstore_snapshot_check(r);
        bool differs = after != before;
        mixed += differs;
        flagged += rc != 0;
        if (differs && rc == 0)
            fprintf(stderr, "  crash point %u: the reader read the other fork's rows unflagged\n",
                    at);
        CHECK(!differs || rc == CW_EBUSY);
        if (rc) {
            CHECK(strstr(cw_error_last(), "rolled back") != NULL);
            cw_error_clear();
        }
        REQUIRE(cw_evmstore_close(r) == 0);
        /* reopened: a consistent snapshot of what the writer left (a recovery, as any reader) */
        REQUIRE(cw_evmstore_open(&r, path, false, NULL) == 0);
        CHECK(view(r) != 0);
        CHECK_EQ_INT(cw_evmstore_snapshot_check(r), 0);
        if (!killed)
            CHECK_EQ_INT(cw_evmstore_tip(r), 7);
        REQUIRE(cw_evmstore_close(r) == 0);
        rounds++;
    }
    printf("# %u rounds (crash points 1..%u, then none): the reader's rows changed in %u, its "
           "check said reopen in %u\n",
           rounds, clean_end ? clean_end - 1 : rounds, mixed, flagged);
    CHECK(clean_end > 5);
    CHECK(mixed >= 3); /* the rollback's undo and the new rows did reach the reader */
}

static long long file_size(const char *dir, const char *name)
{
    char p[4400];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

/* the wait status of a child process that reads everything handle r publishes (view) */
static int view_in_child(const cw_evmstore *r)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(view(r) != 0 ? 0 : 6);
    int st = -1;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return st;
}

/* A handle on a chain of 30 blocks of 20 txs each (580 txs: tens of KiB of tx and movement
 * rows, and few enough that the tx hash index never grows, as the direct ingest's), and
 * beside it a reorganisation to a branch of 5 blocks with a clean close: the close trims files
 * only below rows no handle from before the rollback can read, so the handle's reads (in a
 * child process) end normally, and its check says reopen. h-reader16's close trimmed the files
 * to the new branch's rows under the handle's mapping: the child died of SIGBUS. A writer's
 * close with no such handle left trims the files, and the store is then byte for byte the one a
 * direct ingest of the same blocks writes (so is the store trimmed with no reader beside). */
static void reader_beside_trim(const char *name, bool no_lock)
{
    char path[4096], ref[4096], alone[4096];
    snprintf(path, sizeof path, "%s/%s", cw_test_tmpdir(), name);
    snprintf(ref, sizeof ref, "%s/%s-ref", cw_test_tmpdir(), name);
    snprintf(alone, sizeof alone, "%s/%s-alone", cw_test_tmpdir(), name);
    cw_evm_block b;
    cw_evm_block_init(&b);
    for (int k = 0; k < 2; k++) {
        cw_evmstore *s;
        REQUIRE(cw_evmstore_open(&s, k ? alone : path, true, "ethereum") == 0);
        for (uint64_t n = 0; n < 30; n++) {
            small_block_n(&b, n, 20);
            REQUIRE(cw_evmstore_append(s, &b) == 0);
        }
        REQUIRE(cw_evmstore_commit(s) == 0);
        REQUIRE(cw_evmstore_close(s) == 0);
    }
    cw_evmstore *s;
    REQUIRE(cw_evmstore_open(&s, ref, true, "ethereum") == 0);
    for (uint64_t n = 0; n <= 4; n++) {
        if (n <= 2)
            small_block_n(&b, n, 20);
        else
            fork_block(&b, n);
        REQUIRE(cw_evmstore_append(s, &b) == 0);
    }
    REQUIRE(cw_evmstore_commit(s) == 0);
    REQUIRE(cw_evmstore_close(s) == 0);
    cw_evm_block_free(&b);

    char lk[4200];
    snprintf(lk, sizeof lk, "%s/LOCK", path);
    if (no_lock) /* a store copied without its LOCK file: the reader holds blocks.col instead */
        REQUIRE(unlink(lk) == 0);
    cw_evmstore *r;
    REQUIRE(cw_evmstore_open(&r, path, false, NULL) == 0);
    CHECK(!no_lock || access(lk, F_OK) != 0); /* a read-only open creates nothing */
    REQUIRE(view(r) != 0);
    int st = fork_writer(path, 0, 4);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    st = view_in_child(r);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fprintf(stderr, "  the reader's handle died after the writer's trim (wait status %#x)\n",
                (unsigned)st);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_EQ_INT(cw_evmstore_snapshot_check(r), CW_EBUSY);
    cw_error_clear();
    /* the rollback's close left the tail of txs.col under the handle's mapping */
    CHECK(file_size(path, "txs.col") > file_size(ref, "txs.col"));
    /* a second handle, opened after the rollback, does not hold the trim back */
    cw_evmstore *r2;
    REQUIRE(cw_evmstore_open(&r2, path, false, NULL) == 0);
    CHECK_EQ_INT(cw_evmstore_tip(r2), 4);
    REQUIRE(cw_evmstore_close(r) == 0);
    /* the next writer's close, beside r2 only, trims what the rollback left */
    REQUIRE(cw_evmstore_open(&s, path, true, NULL) == 0);
    REQUIRE(cw_evmstore_close(s) == 0);
    CHECK(view(r2) != 0);
    CHECK_EQ_INT(cw_evmstore_snapshot_check(r2), 0);
    REQUIRE(cw_evmstore_close(r2) == 0);
    same_store(ref, path);
    /* the same reorganisation with no reader: trimmed at once */
    st = fork_writer(alone, 0, 4);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    same_store(ref, alone);
}

static void test_reader_beside_trim(void)
{
    reader_beside_trim("trim", false);
    /* h-reader18 measured first: without LOCK the handle held no lock and died of SIGBUS */
    reader_beside_trim("trim-nolock", true);
}

/* An account that existed before its code is marked a contract in place (accounts.col's
 * contract_block) right after its creates row, before the commit. A handle open beside a writer
 * killed there (crash point 1: the commit's first step) reads the mark as absent: the address
 * page says "contract": false as the recovered store does (main's code said true, with a
 * contract_since_block past the handle's tip). */
static void test_reader_contract_mark(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/cm", cw_test_tmpdir());
    build_a(path);
    cw_evmstore *r;
    REQUIRE(cw_evmstore_open(&r, path, false, NULL) == 0);
    cw_evm_addr five = ADDR(5);
    uint32_t id;
    REQUIRE(cw_evmstore_find_account(r, &five, &id) == 0);
    CHECK_EQ_INT(cw_evmstore_contract_block(r, id), CW_EVM_NONE32);
    fflush(NULL);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        setenv("CW_TEST_CRASH_POINT", "1", 1);
        cw_evmstore *w;
        cw_evm_block b;
        cw_evm_block_init(&b);
        if (cw_evmstore_open(&w, path, true, NULL))
            _exit(3);
        header(&b, 6);
        cw_evm_tx *t = tx(&b, 1, 0, 0, CW_EVM_STATUS_OK);
        t->has_to = false; /* a creation, at an address that has received value before */
        t->has_contract = true;
        t->contract = five;
        if (cw_evm_block_finish(&b) || cw_evmstore_append(w, &b))
            _exit(4);
        cw_evmstore_commit(w);
        _exit(5); /* not killed: the test below fails */
    }
    int st;
    REQUIRE(waitpid(pid, &st, 0) == pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    /* the writer did mark the row in place */
    CHECK_EQ_INT(cw_evmstore_account(r, id)->contract_block, 6);
    CHECK_EQ_INT(cw_evmstore_contract_block(r, id), CW_EVM_NONE32);
    json_t *j = NULL;
    char hx[43];
    cw_evm_addr_hex(hx, &five);
    REQUIRE(cw_evm_query_address(&j, r, hx, 0, 10) == 0);
    CHECK(json_is_false(json_object_get(j, "contract")));
    CHECK(json_object_get(j, "contract_since_block") == NULL);
    json_decref(j);
    CHECK_EQ_INT(cw_evmstore_snapshot_check(r), 0); /* no rollback: nothing to reopen for */
    REQUIRE(cw_evmstore_close(r) == 0);
}

/* ---- stablecoin issuers' actions (issuer.col; docs/STORE-FORMAT.md "Issuers' actions") ---- */

static const uint8_t ADDED_BLACKLIST[32] = {
    0x42, 0xe1, 0x60, 0x15, 0x48, 0x68, 0x08, 0x7d, 0x6b, 0xfd, 0xc0, 0xca, 0x23, 0xd9, 0x6a, 0x1c,
    0x1c, 0xfa, 0x32, 0xf1, 0xb7, 0x2b, 0xa9, 0xba, 0x27, 0xb6, 0x9b, 0x98, 0xa0, 0xd8, 0x19, 0xdc};
static const uint8_t REMOVED_BLACKLIST[32] = {
    0xd7, 0xe9, 0xec, 0x6e, 0x6e, 0xcd, 0x65, 0x49, 0x2d, 0xce, 0x6b, 0xf5, 0x13, 0xcd, 0x68, 0x67,
    0x56, 0x0d, 0x49, 0x54, 0x44, 0x21, 0xd0, 0x78, 0x3d, 0xdf, 0x06, 0xe7, 0x6c, 0x24, 0x47, 0x0c};
static const uint8_t DESTROYED[32] = {
    0x61, 0xe6, 0xe6, 0x6b, 0x0d, 0x63, 0x39, 0xb2, 0x98, 0x0a, 0xec, 0xc6, 0xcc, 0xc0, 0x03, 0x97,
    0x36, 0x79, 0x1f, 0x0c, 0xcd, 0xe9, 0xed, 0x51, 0x2e, 0x78, 0x9a, 0x7f, 0xbd, 0xd6, 0x98, 0xc6};
static const uint8_t BLACKLISTED[32] = {
    0xff, 0xa4, 0xe6, 0x18, 0x17, 0x77, 0x69, 0x25, 0x65, 0xcf, 0x28, 0x52, 0x8f, 0xc8, 0x8f, 0xd1,
    0x51, 0x6e, 0xa8, 0x6b, 0x56, 0xda, 0x07, 0x52, 0x35, 0xfa, 0x57, 0x5a, 0xf6, 0xa4, 0xb8, 0x55};

#define TOKEN 60 /* the issuer's token contract */
#define FAKE 61  /* another contract emitting the same events */
#define U1 11    /* frozen (USDT's shape: the user in the data), destroyed with no Transfer */
#define U2 12    /* frozen (USDC's shape: indexed), destroyed with a Transfer to 0x0 as well */
#define U3 13    /* frozen by FAKE only */

/* a log of tx t (the block's last tx) from contract `who`: topic0, the user indexed (user >= 0,
 * topic 1) or not (user < 0), then data words (an address word for -user, or amounts) */
static void ev(cw_evm_block *b, int who, const uint8_t topic0[32], int user, const uint64_t *words,
               int n_words)
{
    const cw_evm_tx *t = &b->txs[b->n_txs - 1];
    cw_evm_log *l = cw_evm_block_add_log(b);
    size_t li = b->n_logs - 1;
    l->log_index = (uint32_t)li;
    l->tx_index = t->index;
    l->tx_hash = t->hash;
    l->address = ADDR(who);
    memcpy(l->topics[0].b, topic0, 32);
    l->n_topics = 1;
    uint8_t d[96] = {0};
    int n = 0;
    if (user >= 0) {
        memcpy(l->topics[1].b + 12, ADDR(user).b, 20);
        l->n_topics = 2;
    } else {
        memcpy(d + 12, ADDR(-user).b, 20);
        n = 1;
    }
    for (int i = 0; i < n_words; i++, n++)
        for (int k = 0; k < 8; k++)
            d[32 * n + 31 - k] = (uint8_t)(words[i] >> (8 * k));
    uint32_t off = 0;
    REQUIRE(cw_evm_block_put_bytes(b, d, (size_t)(32 * n), &off) == 0);
    b->logs[li].data_off = off;
    b->logs[li].data_len = (uint32_t)(32 * n);
}

/* a Transfer(from -> to, v) of contract who (0 = the zero address) */
static void transfer_log(cw_evm_block *b, int who, int from, int to, uint64_t v)
{
    const cw_evm_tx *t = &b->txs[b->n_txs - 1];
    cw_evm_log *l = cw_evm_block_add_log(b);
    size_t li = b->n_logs - 1;
    l->log_index = (uint32_t)li;
    l->tx_index = t->index;
    l->tx_hash = t->hash;
    l->address = ADDR(who);
    l->n_topics = 3;
    memcpy(l->topics[0].b, TRANSFER, 32);
    if (from)
        memcpy(l->topics[1].b + 12, ADDR(from).b, 20);
    if (to)
        memcpy(l->topics[2].b + 12, ADDR(to).b, 20);
    uint8_t d[32] = {0};
    for (int k = 0; k < 8; k++)
        d[31 - k] = (uint8_t)(v >> (8 * k));
    uint32_t off = 0;
    REQUIRE(cw_evm_block_put_bytes(b, d, 32, &off) == 0);
    b->logs[li].data_off = off;
    b->logs[li].data_len = 32;
}

/* blocks 0-2: gas money, the token minted to U1 1000, U2 500, U3 300; block 2 the freezes (TOKEN
 * freezes U1 in USDT's shape and U2 in USDC's, FAKE "freezes" U3) */
static void issuer_block(cw_evm_block *b, uint64_t n)
{
    header(b, n);
    if (n == 0) {
        cw_evm_trace *t = cw_evm_block_add_trace(b);
        t->tx_index = UINT32_MAX;
        t->type = CW_EVM_TRACE_GENESIS;
        t->status = 1;
        t->to = ADDR(1);
        t->has_to = true;
        cw_u256_from_u64(&t->value, 1000000000);
    } else if (n == 1) {
        tx(b, 1, TOKEN, 0, CW_EVM_STATUS_OK);
        transfer_log(b, TOKEN, 0, U1, 1000);
        transfer_log(b, TOKEN, 0, U2, 500);
        transfer_log(b, TOKEN, 0, U3, 300);
    } else if (n == 2) {
        tx(b, 1, TOKEN, 0, CW_EVM_STATUS_OK);
        ev(b, TOKEN, ADDED_BLACKLIST, -U1, NULL, 0);
        ev(b, TOKEN, BLACKLISTED, U2, NULL, 0);
        tx(b, 1, FAKE, 0, CW_EVM_STATUS_OK);
        ev(b, FAKE, ADDED_BLACKLIST, -U3, NULL, 0);
    } else if (n == 3) {
        /* U1: destroyed with no Transfer (mainnet USDT), the user in the data;
         * U2: the destroy (indexed) and then a Transfer to 0x0 of the same amount: one burn */
        uint64_t v1 = 1000, v2 = 500;
        tx(b, 1, TOKEN, 0, CW_EVM_STATUS_OK);
        ev(b, TOKEN, DESTROYED, -U1, &v1, 1);
        tx(b, 1, TOKEN, 0, CW_EVM_STATUS_OK);
        ev(b, TOKEN, DESTROYED, U2, &v2, 1);
        transfer_log(b, TOKEN, U2, 0, 500);
    }
    REQUIRE(cw_evm_block_finish(b) == 0);
}

static uint32_t acct_id(const cw_evmstore *s, int who)
{
    cw_evm_addr a = ADDR(who);
    uint32_t id = CW_EVM_NONE32;
    CHECK(cw_evmstore_find_account(s, &a, &id) == 0);
    return id;
}

/* a store of blocks 0..last, committed after block 2 and after `last` */
static void build_issuer(const char *path, uint64_t last)
{
    cw_evmstore *s;
    REQUIRE(cw_evmstore_open(&s, path, true, "ethereum") == 0);
    cw_evm_block b;
    cw_evm_block_init(&b);
    for (uint64_t n = 0; n <= last; n++) {
        issuer_block(&b, n);
        REQUIRE(cw_evmstore_append(s, &b) == 0);
        if (n == 2)
            REQUIRE(cw_evmstore_commit(s) == 0);
    }
    REQUIRE(cw_evmstore_commit(s) == 0);
    REQUIRE(cw_evmstore_close(s) == 0);
    cw_evm_block_free(&b);
}

/* USDT's DestroyedBlackFunds is a burn of the emitting token (no Transfer on mainnet); a
 * destroy beside a Transfer to 0x0 counts once; an amount above the balance is refused with the
 * block, tx and log named, the store unchanged; freezes are kept, only the token's own contract's
 * count; a writer killed at every crash point of the destroy's commit leaves a store that, once
 * recovered and resumed, is byte for byte the uninterrupted one */
static void test_issuers(void)
{
    char path[4096], ref[4096];
    snprintf(ref, sizeof ref, "%s/iss_ref", cw_test_tmpdir());
    build_issuer(ref, 3);
    cw_evmstore *s;
    REQUIRE(cw_evmstore_open(&s, ref, true, NULL) == 0);
    uint32_t tok = acct_id(s, TOKEN), fake = acct_id(s, FAKE), u1 = acct_id(s, U1),
             u2 = acct_id(s, U2), u3 = acct_id(s, U3), asset;
    REQUIRE(cw_evmstore_find_asset(s, tok, &asset) == 0);
    balance(s, U1, UINT64_MAX, asset, 0); /* main: 1000, the destroy not read */
    balance(s, U2, UINT64_MAX, asset, 0); /* one burn, not two (-500) */
    balance(s, U3, UINT64_MAX, asset, 300);
    balance(s, U1, 2, asset, 1000);
    /* rows: 3 freezes (block 2), 2 destroys (block 3) */
    CHECK_EQ_INT(cw_evmstore_issuer_count(s), 5);
    const cw_evm_row_issuer *r = cw_evmstore_issuer(s, 3), *since;
    REQUIRE(r);
    CHECK_EQ_INT(r->kind, CW_EVM_ISSUER_DESTROY);
    CHECK_EQ_INT(r->user, u1);
    CHECK(r->move != CW_EVM_NONE64); /* the burn it made */
    const cw_evm_row_move *mv = cw_evmstore_move(s, r->move);
    REQUIRE(mv);
    CHECK(mv->from == u1 && mv->to == CW_EVM_NONE32 && mv->asset == asset && mv->pos == r->log);
    CHECK_EQ_INT(cw_evmstore_issuer(s, 4)->move, CW_EVM_NONE64); /* the Transfer is the burn */
    /* frozen: by the token's own contract, since block 2; U3 only by FAKE */
    CHECK(cw_evmstore_frozen(s, tok, u1, CW_EVM_NONE64, &since) && since && since->block == 2);
    CHECK(cw_evmstore_frozen(s, tok, u2, CW_EVM_NONE64, &since));
    CHECK(!cw_evmstore_frozen(s, tok, u3, CW_EVM_NONE64, &since) && !since);
    CHECK(cw_evmstore_frozen(s, fake, u3, CW_EVM_NONE64, &since));
    json_t *fz = cw_evm_frozen_json(s, u2, asset);
    CHECK(fz && json_integer_value(json_object_get(fz, "since_block")) == 2);
    json_decref(fz);
    CHECK(cw_evm_frozen_json(s, u3, asset) == NULL); /* another contract's freeze */
    json_t *j = NULL;
    CHECK(cw_evm_check(&j, s) == 0);
    CHECK_EQ_INT(json_integer_value(json_object_get(j, "problems")), 0);
    json_decref(j);
    /* an amount above the balance (U3 holds 300) is no error (anyone can emit the event; valid
     * chain data never stops an ingest): what U3 holds is burnt, the row flagged; a FAKE
     * contract's destroy of U1 (who holds none of FAKE's token) burns nothing; then U1's
     * freeze lifted */
    cw_evm_block b;
    cw_evm_block_init(&b);
    header(&b, 4);
    uint64_t v = 301;
    tx(&b, 1, TOKEN, 0, CW_EVM_STATUS_OK);
    ev(&b, TOKEN, DESTROYED, U3, &v, 1);
    tx(&b, 1, FAKE, 0, CW_EVM_STATUS_OK);
    ev(&b, FAKE, DESTROYED, U1, &v, 1);
    tx(&b, 1, TOKEN, 0, CW_EVM_STATUS_OK);
    ev(&b, TOKEN, REMOVED_BLACKLIST, -U1, NULL, 0);
    REQUIRE(cw_evm_block_finish(&b) == 0);
    CHECK(cw_evmstore_append(s, &b) == 0);
    REQUIRE(cw_evmstore_commit(s) == 0);
    balance(s, U3, UINT64_MAX, asset, 0);
    CHECK_EQ_INT(cw_evmstore_issuer_count(s), 8);
    r = cw_evmstore_issuer(s, 5);
    REQUIRE(r);
    CHECK(r->kind == CW_EVM_ISSUER_DESTROY && r->user == u3);
    CHECK(r->flags & CW_EVM_ISSUERF_OVER_BALANCE);
    REQUIRE(r->move != CW_EVM_NONE64);
    cw_u256 burnt = cw_evmstore_move_amount(s, cw_evmstore_move(s, r->move));
    CHECK(cw_u256_fits_u64(&burnt) && burnt.w[0] == 300);
    r = cw_evmstore_issuer(s, 6);
    REQUIRE(r);
    CHECK(r->kind == CW_EVM_ISSUER_DESTROY && r->user == u1 && r->token == fake);
    CHECK((r->flags & CW_EVM_ISSUERF_OVER_BALANCE) && r->move == CW_EVM_NONE64);
    balance(s, U1, UINT64_MAX, asset, 0);
    CHECK(!cw_evmstore_frozen(s, tok, u1, CW_EVM_NONE64, &since));
    CHECK(cw_evmstore_frozen(s, tok, u1, r->tx + 1, &since)); /* before the lift's tx */
    j = NULL;
    CHECK(cw_evm_check(&j, s) == 0);
    CHECK_EQ_INT(json_integer_value(json_object_get(j, "problems")), 0);
    json_decref(j);
    /* a rollback to block 3 drops block 4's rows */
    REQUIRE(cw_evmstore_rollback(s, 3) == 0);
    CHECK_EQ_INT(cw_evmstore_issuer_count(s), 5);
    balance(s, U3, UINT64_MAX, asset, 300);
    REQUIRE(cw_evmstore_close(s) == 0);
    cw_evm_block_free(&b);
    /* killed at each crash point of appending and committing block 3 (the destroys) after the
     * freezes' commit: recovered and resumed, the store is the uninterrupted one */
    snprintf(ref, sizeof ref, "%s/iss_ref3", cw_test_tmpdir());
    build_issuer(ref, 3);
    unsigned killed = 0;
    for (unsigned at = 1; at <= 64; at++) {
        snprintf(path, sizeof path, "%s/iss_%u", cw_test_tmpdir(), at);
        build_issuer(path, 2);
        fflush(NULL);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            char e[16];
            snprintf(e, sizeof e, "%u", at);
            setenv("CW_TEST_CRASH_POINT", e, 1);
            cw_evmstore *w;
            cw_evm_block cb;
            cw_evm_block_init(&cb);
            if (cw_evmstore_open(&w, path, true, NULL))
                _exit(3);
            issuer_block(&cb, 3);
            if (cw_evmstore_append(w, &cb) || cw_evmstore_commit(w) || cw_evmstore_close(w))
                _exit(4);
            _exit(0);
        }
        int st;
        REQUIRE(waitpid(pid, &st, 0) == pid);
        CHECK((WIFEXITED(st) && WEXITSTATUS(st) == 0) ||
              (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL));
        killed += WIFSIGNALED(st);
        cw_evmstore *w;
        REQUIRE(cw_evmstore_open(&w, path, true, NULL) == 0); /* recovers */
        bool published = cw_evmstore_tip(w) == 3;
        /* the freezes are published either way: a reader finds U1 frozen, and its balance
         * whole until the destroy is */
        CHECK_EQ_INT(cw_evmstore_issuer_count(w), published ? 5 : 3);
        balance(w, U1, UINT64_MAX, asset, published ? 0 : 1000);
        if (!published) {
            cw_evm_block cb;
            cw_evm_block_init(&cb);
            issuer_block(&cb, 3);
            REQUIRE(cw_evmstore_append(w, &cb) == 0);
            REQUIRE(cw_evmstore_commit(w) == 0);
            cw_evm_block_free(&cb);
        }
        REQUIRE(cw_evmstore_close(w) == 0);
        same_store(ref, path);
        if (WIFEXITED(st))
            break; /* past the last crash point */
    }
    fprintf(stderr,
            "# %u crash points of the destroys' append and commit, each recovered to the "
            "uninterrupted store\n",
            killed);
    CHECK(killed >= 3); /* the commit's steps */
}

int main(void)
{
    RUN(test_store);
    RUN(test_token_metadata);
    RUN(test_wide_amounts);
    RUN(test_pending_tx_cleanup);
    RUN(test_reader_beside_rollback);
    RUN(test_reader_contract_mark);
    RUN(test_reader_beside_trim);
    RUN(test_issuers);
    return cw_test_done();
}
