/*
 * fuzz_evm_rpc.c: libFuzzer target for the JSON-RPC decoding of `ingest evm --rpc`
 * (cw_evm_rpc_decode_block): a node's answers are untrusted input.
 *
 * Input: one byte choosing the traces' shape (0 none, 1 trace_block, 2 debug_traceBlockByNumber
 * with the callTracer; taken modulo 3), then the `result` of eth_getBlockByNumber, a NUL, the
 * `result` of eth_getBlockReceipts, a NUL, and the traces' `result`. The decoder must never
 * misbehave; when it accepts a block, the block must be consistent: one receipt per
 * transaction, every log and trace naming a transaction of the block, trace addresses inside
 * the arena, and decoding the same input again gives the same block. Any broken invariant calls
 * abort(). The seed corpus (fuzz/corpus/evm_rpc) holds real answers of anvil, a geth-shaped
 * call tree and malformed variants. The first two parts are also read as the answers to a
 * token's symbol() and decimals() (cw_evm_rpc_decode_token_meta): the symbol must come out
 * NUL-terminated, without control characters, and decimals in -1..255.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/evm/block.h"
#include "chainwatch/evm/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "fuzz_evm_rpc: " __VA_ARGS__);                                             \
        fprintf(stderr, "\n");                                                                     \
        abort();                                                                                   \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int kind = data[0] % 3;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    const char *parts[3] = {p, NULL, NULL};
    size_t lens[3] = {n, 0, 0};
    int k = 0;
    for (size_t i = 0; i < n && k < 2; i++)
        if (p[i] == 0) {
            lens[k] = (size_t)(p + i - parts[k]);
            parts[k + 1] = p + i + 1;
            lens[k + 1] = n - i - 1;
            k++;
        }
    cw_evm_block b, b2;
    cw_evm_block_init(&b);
    cw_evm_block_init(&b2);
    int rc =
        cw_evm_rpc_decode_block(&b, parts[0], lens[0], parts[1], lens[1], parts[2], lens[2], kind);
    if (rc == 0) {
        for (size_t i = 0; i < b.n_txs; i++)
            if (!b.txs[i].has_receipt)
                FAIL("accepted a transaction without its receipt");
        for (size_t i = 0; i < b.n_logs; i++)
            if (b.logs[i].tx_index >= b.n_txs ||
                (uint64_t)b.logs[i].data_off + b.logs[i].data_len > b.arena_len)
                FAIL("a log outside the block");
        for (size_t i = 0; i < b.n_traces; i++) {
            const cw_evm_trace *t = &b.traces[i];
            if (t->tx_index != UINT32_MAX && t->tx_index >= b.n_txs)
                FAIL("a trace outside the block");
            if ((uint64_t)t->ta_off + (uint64_t)t->ta_len * 4 > b.arena_len && t->ta_len)
                FAIL("a trace address outside the arena");
            if (t->status > 1)
                FAIL("a trace status %u", t->status);
        }
        if (cw_evm_rpc_decode_block(&b2, parts[0], lens[0], parts[1], lens[1], parts[2], lens[2],
                                    kind) != 0 ||
            b2.n_txs != b.n_txs || b2.n_logs != b.n_logs || b2.n_traces != b.n_traces ||
            b2.number != b.number || memcmp(b2.hash.b, b.hash.b, 32))
            FAIL("decoding the same answers twice differs");
    } else if (!*cw_error_last()) {
        FAIL("an error without a message");
    }
    cw_evm_block_free(&b);
    cw_evm_block_free(&b2);
    if (k >= 1) { /* parts[0] ends at its NUL; parts[1] may not: copy it */
        char *dec = malloc(lens[1] + 1);
        if (!dec)
            return 0;
        memcpy(dec, parts[1], lens[1]);
        dec[lens[1]] = 0;
        cw_evm_token t;
        cw_evm_rpc_decode_token_meta(&t, parts[0], dec);
        size_t sl = strnlen(t.symbol, sizeof t.symbol);
        if (sl == sizeof t.symbol)
            FAIL("a symbol without its NUL");
        for (size_t i = 0; i < sl; i++)
            if ((unsigned char)t.symbol[i] < 0x20 || t.symbol[i] == 0x7f)
                FAIL("a control character in a symbol");
        if (t.decimals < -1 || t.decimals > 255)
            FAIL("decimals %d", t.decimals);
        free(dec);
    }
    return 0;
}
