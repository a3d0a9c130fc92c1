/*
 * test_trace_bridge.c: a Bitcoin trace ends at a cross-chain swap vault by its OP_RETURN memo
 * (docs/TRACE-MODELS.md "Bitcoin: swap vault memos"). A tiny chain: stolen coins paid to a
 * vault with swap memos (long and short forms, a mixed-case EVM address with a good and a bad
 * EIP-55 checksum), with malformed or non-exit memos (OUT:, a swap into BTC, a bad asset, binary
 * data, a control character; the test builder's scripts hold at most 72 bytes, so the 250-byte
 * bound is not built here): the store keeps the memo texts
 * (memos.col), the forward FIFO trace ends the vault's deposit (the tx's first output) as a
 * `bridge` end and follows the change; the other shapes stay ordinary payments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "harness.h"

static char dir[4096], store[4200];
static cw_chainstore *cs;

#include "tiny_chain.h"

enum { FEE = 1000, N_CASES = 9 };

static const char *const memos[N_CASES] = {
    "=:ETH.ETH:0x52908400098527886e0f7030069857d2e4169ee7",
    "=:ETH.USDT:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed:0/1/0:t:15",
    "=:e:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", /* mixed case, checksum wrong */
    "OUT:E6E068FDB4BC9D2933FBF20DA18A613B4D2E4D3C392FE8A748DA1623326AF516",
    "=:BTC.BTC:bcrt1qexample",          /* a swap into Bitcoin: no exit */
    "=:ETH:0x52908400098527886e0f7030", /* malformed asset: no exit */
    "s:BSC.BNB:0xde709f2102306220921060314715629080e2fb77:1e6",
    NULL,                                                 /* binary OP_RETURN data */
    "=:e:0x52908400098527886e0f7030069857d2e4169ee7\x01", /* a control character */
};
/* whether the store keeps the memo */
static const bool kept[N_CASES] = {true, true, true, true, true, true, true, false, false};
/* whether the case ends at the vault, and what the destination reads */
static const bool exits[N_CASES] = {true, true, true, false, false, false, true, false, false};
static const char *const dests[N_CASES] = {"0x52908400098527886e0f7030069857d2e4169ee7",
                                           "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                                           "",
                                           "",
                                           "",
                                           "",
                                           "0xde709f2102306220921060314715629080e2fb77",
                                           "",
                                           ""};

static coin stolen[N_CASES], vaultc[N_CASES], change[N_CASES];
static uint8_t vids[N_CASES][32];
static uint64_t vault_key;

static void add_memo(gen_tx *tx, int i)
{
    uint8_t spk[600];
    size_t n = 0;
    spk[n++] = 0x6a;
    if (memos[i]) {
        size_t l = strlen(memos[i]);
        if (l < 0x4c) {
            spk[n++] = (uint8_t)l;
        } else {
            spk[n++] = 0x4c;
            spk[n++] = (uint8_t)l;
        }
        memcpy(spk + n, memos[i], l);
        n += l;
    } else {
        spk[n++] = 20;
        for (int k = 0; k < 20; k++)
            spk[n++] = (uint8_t)(k * 13 + 1); /* binary, with a ':' (0x3a) among it */
        spk[5] = ':';
    }
    gen_tx_add_out(tx, 0, spk, n);
}

static void build(void)
{
    chain_begin();
    gen_tx tx;
    gen_tx_init(&tx);
    vault_key = new_key();
    block_begin();
    for (int i = 0; i < N_CASES; i++)
        fund(&stolen[i], 100000000ULL, 0);
    block_end();
    block_begin();
    for (int i = 0; i < N_CASES; i++) {
        gen_tx_reset(&tx);
        add_in(&tx, &stolen[i]);
        add_out(&tx, 30000000ULL, vault_key); /* the vault: the first output */
        add_memo(&tx, i);
        uint64_t k = new_key();
        add_out(&tx, 70000000ULL - FEE, k); /* the thief's change */
        coin outs[3];
        block_tx(&tx, outs);
        vaultc[i] = outs[0];
        change[i] = outs[2];
        change[i].key = k;
        last_txid(vids[i]);
    }
    block_end();
    chain_write(dir);
    gen_tx_deinit(&tx);
}

static void test_store_keeps_memos(void)
{
    char text[CW_MEMO_TEXT_MAX + 1];
    CHECK(cw_chainstore_counts_get(cs).memos == 7); /* not the binary one, not the long one */
    for (int i = 0; i < N_CASES; i++) {
        uint64_t t = chain_tx(cs, vids[i]);
        REQUIRE(t != CW_NONE64);
        size_t n = cw_chainstore_tx_memo(cs, t, text, sizeof text);
        if (kept[i]) {
            CHECK_EQ_INT((int)n, (int)strlen(memos[i]));
            CHECK_EQ_STR(text, memos[i]);
        } else {
            CHECK_EQ_INT((int)n, 0);
        }
    }
    /* a tx without a memo, and a buffer too small for any memo */
    CHECK(cw_chainstore_tx_memo(cs, 0, text, sizeof text) == 0);
    CHECK(cw_chainstore_tx_memo(cs, chain_tx(cs, vids[0]), text, 10) == 0);
}

static void test_bridge_memo(void)
{
    for (int i = 0; i < N_CASES; i++) {
        cw_evm_memo m;
        bool ok = true;
        bool ex = cw_trace_bridge_memo(cs, chain_tx(cs, vids[i]), &m, &ok);
        CHECK(ex == exits[i]);
        if (!ex)
            continue;
        CHECK(ok == (dests[i][0] != 0));
        if (ok)
            CHECK_EQ_STR(m.dest, dests[i]);
    }
}

static void test_trace_ends_at_vault(void)
{
    for (int i = 0; i < N_CASES; i++) {
        uint64_t src = chain_out(cs, stolen[i].txid, stolen[i].vout);
        uint64_t v = chain_out(cs, vids[i], 0), c = chain_out(cs, vids[i], 2);
        cw_trace_opts o;
        cw_trace_opts_init(&o);
        cw_trace *t = NULL;
        REQUIRE(cw_trace_run(&t, cs, NULL, &src, 1, &o) == 0);
        const cw_trace_end *ev = chain_end_at(t, v), *ec = chain_end_at(t, c);
        REQUIRE(ev && ec);
        CHECK(ev->kind == (exits[i] ? CW_END_BRIDGE : CW_END_UNSPENT));
        CHECK(ev->amount == 30000000ULL && ev->probable == 0);                /* certain */
        CHECK(ec->kind == CW_END_UNSPENT && ec->amount == 70000000ULL - FEE); /* change followed */
        CHECK(chain_ended(t) == 100000000ULL);
        cw_trace_free(t);
    }
    CHECK_EQ_STR(cw_trace_end_kind_name(CW_END_BRIDGE), "bridge");
}

int main(void)
{
    int rc = CHAIN_SETUP(build, dir, store, &cs);
    if (rc)
        return rc;
    RUN(test_store_keeps_memos);
    RUN(test_bridge_memo);
    RUN(test_trace_ends_at_vault);
    cw_chainstore_close(cs);
    return cw_test_done();
}
