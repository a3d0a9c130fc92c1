/*
 * fuzz_evm_csv.c: libFuzzer target for the ethereum-etl decoder (src/chain/evm/csv.c): CSV, and
 * JSON lines (csv_json.inc) when the input's first byte is '{'. The input is up to seven files
 * separated by NUL bytes, in the order blocks, transactions, receipts, logs, token_transfers,
 * traces, tokens. Decoding arbitrary bytes must end in 0 or a CW_E* error, never a crash, and
 * every block handed back must be consistent: txs numbered 0..n-1 matching transaction_count,
 * every log and trace pointing at a tx of the block by index and hash, arena offsets inside the
 * arena.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/evm/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const KINDS[7] = {"blocks",          "transactions", "receipts", "logs",
                                     "token_transfers", "traces",       "tokens"};
static const char *const KINDS_JSON[7] = {"blocks.json", "transactions.json",    "receipts.json",
                                          "logs.json",   "token_transfers.json", "traces.json",
                                          "tokens.json"};

static void check_block(const cw_evm_block *b)
{
    if (b->n_txs != b->tx_count)
        abort();
    for (size_t i = 0; i < b->n_txs; i++) {
        const cw_evm_tx *t = &b->txs[i];
        if (t->index != i || (size_t)t->first_log + t->n_logs > b->n_logs ||
            (size_t)t->first_trace + t->n_traces > b->n_traces || t->status > 2)
            abort();
    }
    for (size_t i = 0; i < b->n_logs; i++) {
        const cw_evm_log *l = &b->logs[i];
        if (l->tx_index >= b->n_txs || memcmp(&b->txs[l->tx_index].hash, &l->tx_hash, 32) ||
            l->n_topics > 4 || (size_t)l->data_off + l->data_len > b->arena_len)
            abort();
    }
    for (size_t i = 0; i < b->n_traces; i++) {
        const cw_evm_trace *t = &b->traces[i];
        if ((t->tx_index != UINT32_MAX && t->tx_index >= b->n_txs) ||
            (size_t)t->ta_off + 4 * (size_t)t->ta_len > b->arena_len ||
            (size_t)t->err_off + t->err_len > b->arena_len)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    const char *bufs[7];
    size_t lens[7], n = 0, start = 0;
    for (size_t i = 0; i <= size && n < 7; i++) {
        if (i == size || copy[i] == '\0') {
            bufs[n] = copy + start;
            lens[n] = i - start;
            n++;
            start = i + 1;
        }
    }
    cw_evm_csv *r;
    if (cw_evm_csv_open_mem(&r, size && data[0] == '{' ? KINDS_JSON : KINDS, bufs, lens, n) == 0) {
        cw_evm_block b;
        cw_evm_block_init(&b);
        for (int k = 0; k < 1000 && cw_evm_csv_next(r, &b) == 1; k++)
            check_block(&b);
        cw_evm_block_free(&b);
        cw_evm_csv_close(r);
    }
    free(copy);
    return 0;
}
