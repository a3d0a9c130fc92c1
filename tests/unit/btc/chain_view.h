/*
 * chain_view.h: the Bitcoin reader tests' digest of everything a chain store handle publishes
 * (blocks, txids and tx metadata with their txid index lookups, inputs, outputs with the spends
 * it publishes and their links, addresses with their last outputs and address index lookups,
 * external prevouts), read through its mappings: a row rewritten or trimmed under the handle
 * changes it (or faults). `lookups`: with the index lookups (which the column rows alone do not
 * need).
 */
#ifndef CW_TEST_CHAIN_VIEW_H
#define CW_TEST_CHAIN_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"

static inline uint64_t chain_view_fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static inline uint64_t chain_view(const cw_chainstore *r, bool lookups)
{
    cw_chainstore_counts c = cw_chainstore_counts_get(r);
    uint64_t h = 14695981039346656037ull;
    for (uint64_t b = 0; b < c.blocks; b++)
        h = chain_view_fnv(h, cw_chainstore_block(r, b), sizeof(cw_row_block));
    for (uint64_t t = 0; t < c.txs; t++) {
        h = chain_view_fnv(h, cw_chainstore_txid(r, t), 32);
        cw_txmeta m = cw_chainstore_txmeta(r, t);
        h = chain_view_fnv(h, &m, sizeof m);
        uint64_t found = UINT64_MAX;
        if (lookups && cw_chainstore_find_tx(r, cw_chainstore_txid(r, t), &found))
            cw_error_clear();
        h = chain_view_fnv(h, &found, sizeof found);
    }
    for (uint64_t i = 0; i < c.ins; i++)
        h = chain_view_fnv(h, cw_chainstore_in(r, i), sizeof(cw_row_in));
    for (uint64_t o = 0; o < c.outs; o++) {
        cw_row_out out = *cw_chainstore_out(r, o);
        if (out.spending_tx >= c.txs) /* a spend past the published txs: not one */
            out.spending_tx = UINT32_MAX;
        h = chain_view_fnv(h, &out, sizeof out);
        uint64_t l = cw_chainstore_outlink(r, o);
        h = chain_view_fnv(h, &l, sizeof l);
    }
    for (uint64_t a = 0; a < c.addrs; a++) {
        h = chain_view_fnv(h, cw_chainstore_addr(r, a), sizeof(cw_addr_key));
        uint64_t last = cw_chainstore_addr_last(r, a), found = UINT64_MAX;
        h = chain_view_fnv(h, &last, sizeof last);
        if (lookups && cw_chainstore_find_addr(r, cw_chainstore_addr(r, a), &found))
            cw_error_clear();
        h = chain_view_fnv(h, &found, sizeof found);
    }
    for (uint64_t e = 0; e < c.exts; e++)
        h = chain_view_fnv(h, cw_chainstore_ext(r, e), sizeof(cw_row_ext));
    return h;
}

#endif
