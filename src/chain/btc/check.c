/*
 * check.c: `chainwatch check`: verifies every column of a chain store and every
 * cross-reference: block header hashes recomputed from the stored fields, prev links, heights,
 * cumulative work, tx and input/output ranges, both spend directions, the txid and address
 * indexes in both directions, the per-address output chains and the external prevouts.
 * Reports the first 100 problems, each naming the row.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/query.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"

#define MAX_REPORTED 100

typedef struct ck {
    json_t *errors;
    uint64_t n_errors;
} ck;

__attribute__((format(printf, 2, 3))) static void bad(ck *k, const char *fmt, ...)
{
    k->n_errors++;
    if (k->n_errors > MAX_REPORTED)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(k->errors, json_string(msg));
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

int cw_store_check(json_t **out, const cw_chainstore *cs)
{
    ck k = {json_array(), 0};
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    uint32_t base = cw_chainstore_base_height(cs);
    const uint64_t MAX_MONEY = 2100000000000000ull;
    /* blocks */
    cw_work acc = {0, 0};
    for (uint64_t r = 0; r < c.blocks; r++) {
        const cw_row_block *b = cw_chainstore_block(cs, r);
        uint8_t hdr[80], h[32];
        put32(hdr, (uint32_t)b->version);
        memcpy(hdr + 4, b->prev, 32);
        memcpy(hdr + 36, b->merkle, 32);
        put32(hdr + 68, b->time);
        put32(hdr + 72, b->bits);
        put32(hdr + 76, b->nonce);
        cw_block_hash(h, hdr);
        if (memcmp(h, b->hash, 32) != 0)
            bad(&k, "blocks.col row %llu: stored hash is not the hash of the stored header",
                (unsigned long long)r);
        if (b->height != base + r)
            bad(&k, "blocks.col row %llu: height %u, expected %llu", (unsigned long long)r,
                b->height, (unsigned long long)base + r);
        cw_work w;
        if (cw_work_from_bits(&w, b->bits)) {
            bad(&k, "blocks.col row %llu: bad bits %08x", (unsigned long long)r, b->bits);
        } else if (r > 0) {
            cw_work_add(&acc, w);
            if (acc.hi != b->work_hi || acc.lo != b->work_lo)
                bad(&k, "blocks.col row %llu: cumulative work does not follow from the bits",
                    (unsigned long long)r);
        } else {
            acc.hi = b->work_hi;
            acc.lo = b->work_lo;
        }
        if (r > 0) {
            const cw_row_block *p = cw_chainstore_block(cs, r - 1);
            if (memcmp(b->prev, p->hash, 32) != 0)
                bad(&k, "blocks.col row %llu: prev is not the hash of row %llu",
                    (unsigned long long)r, (unsigned long long)(r - 1));
            if (b->first_tx != p->first_tx + p->n_tx)
                bad(&k, "blocks.col row %llu: first_tx %llu, expected %llu", (unsigned long long)r,
                    (unsigned long long)b->first_tx, (unsigned long long)p->first_tx + p->n_tx);
            if (b->first_addr < p->first_addr || b->first_ext < p->first_ext)
                bad(&k, "blocks.col row %llu: address/ext counters go backwards",
                    (unsigned long long)r);
        } else if (b->first_tx != 0) {
            bad(&k, "blocks.col row 0: first_tx %llu, expected 0", (unsigned long long)b->first_tx);
        }
        if (b->n_tx == 0)
            bad(&k, "blocks.col row %llu: no transactions", (unsigned long long)r);
    }
    if (c.blocks) {
        const cw_row_block *l = cw_chainstore_block(cs, c.blocks - 1);
        if (l->first_tx + l->n_tx != c.txs)
            bad(&k, "blocks.col: the last block ends at tx %llu but txs.col has %llu rows",
                (unsigned long long)l->first_tx + l->n_tx, (unsigned long long)c.txs);
    }
    /* hash indexes: ordered layout, ids within the counts, live counts */
    if (cw_chainstore_check_indexes(cs))
        bad(&k, "%s", cw_error_last());
    /* address summaries: recomputed from the outputs and spent marks */
    if (cw_chainstore_check_addrsum(cs))
        bad(&k, "%s", cw_error_last());
    /* txs, inputs, outputs */
    uint64_t *ext_refs = cw_calloc(c.exts + 1, sizeof *ext_refs);
    uint64_t addressed_outputs = 0;
    for (uint64_t t = 0; t < c.txs; t++) {
        uint64_t in0, in1, o0, o1, tt;
        cw_chainstore_tx_range(cs, t, &in0, &in1, &o0, &o1);
        if (in1 < in0 || o1 < o0 || in1 > c.ins || o1 > c.outs) {
            bad(&k, "txs.col row %llu: bad input/output ranges", (unsigned long long)t);
            continue;
        }
        if (t == 0 && (in0 != 0 || o0 != 0))
            bad(&k, "txs.col row 0: ranges do not start at 0");
        if (cw_chainstore_find_tx(cs, cw_chainstore_txid(cs, t), &tt))
            bad(&k, "txid.hix: tx %llu is missing from the index", (unsigned long long)t);
        else if (tt != t && memcmp(cw_chainstore_txid(cs, tt), cw_chainstore_txid(cs, t), 32) != 0)
            bad(&k, "txid.hix: tx %llu maps to tx %llu", (unsigned long long)t,
                (unsigned long long)tt);
        for (uint64_t i = in0; i < in1; i++) {
            const cw_row_in *r = cw_chainstore_in(cs, i);
            if (r->spent_tx == CW_IN_COINBASE)
                continue;
            if (r->spent_tx == CW_IN_EXTERNAL) {
                if (r->spent_vout >= c.exts)
                    bad(&k, "ins.col row %llu: ext row %u out of range", (unsigned long long)i,
                        r->spent_vout);
                else
                    ext_refs[r->spent_vout]++;
                continue;
            }
            if (r->spent_tx >= t) {
                bad(&k, "ins.col row %llu: spends tx %u, not earlier than its own tx %llu",
                    (unsigned long long)i, r->spent_tx, (unsigned long long)t);
                continue;
            }
            uint64_t p0, p1, po0, po1;
            cw_chainstore_tx_range(cs, r->spent_tx, &p0, &p1, &po0, &po1);
            if (r->spent_vout >= po1 - po0) {
                bad(&k, "ins.col row %llu: spends output %u of a tx with %llu",
                    (unsigned long long)i, r->spent_vout, (unsigned long long)(po1 - po0));
                continue;
            }
            const cw_row_out *o = cw_chainstore_out(cs, po0 + r->spent_vout);
            if (o->spending_tx != t)
                bad(&k, "outs.col row %llu: spending_tx %u but input %llu of tx %llu spends it",
                    (unsigned long long)po0 + r->spent_vout, o->spending_tx, (unsigned long long)i,
                    (unsigned long long)t);
        }
        for (uint64_t o = o0; o < o1; o++) {
            const cw_row_out *r = cw_chainstore_out(cs, o);
            if (cw_out_value(r) > MAX_MONEY || cw_out_type(r) >= CW_SCRIPT_TYPE_COUNT)
                bad(&k, "outs.col row %llu: bad value or script type", (unsigned long long)o);
            if (r->addr != CW_NONE32) {
                addressed_outputs++;
                if (r->addr >= c.addrs)
                    bad(&k, "outs.col row %llu: address %u out of range", (unsigned long long)o,
                        r->addr);
            }
            if (r->spending_tx != CW_NONE32) {
                if (r->spending_tx <= t || r->spending_tx >= c.txs) {
                    bad(&k, "outs.col row %llu: spending tx %u out of range", (unsigned long long)o,
                        r->spending_tx);
                    continue;
                }
                uint64_t s0, s1, so0, so1;
                bool found = false;
                cw_chainstore_tx_range(cs, r->spending_tx, &s0, &s1, &so0, &so1);
                for (uint64_t i = s0; i < s1 && !found; i++) {
                    const cw_row_in *si = cw_chainstore_in(cs, i);
                    found = si->spent_tx == t && si->spent_vout == o - o0;
                }
                if (!found)
                    bad(&k, "outs.col row %llu: tx %u has no input spending it",
                        (unsigned long long)o, r->spending_tx);
            }
        }
    }
    for (uint64_t e = 0; e < c.exts; e++) {
        if (ext_refs[e] != 1)
            bad(&k, "ext.col row %llu: referenced by %llu inputs, expected 1",
                (unsigned long long)e, (unsigned long long)ext_refs[e]);
    }
    cw_free(ext_refs);
    /* addresses: index both ways, output chains */
    uint64_t chained = 0;
    for (uint64_t a = 0; a < c.addrs; a++) {
        uint64_t found;
        if (cw_chainstore_find_addr(cs, cw_chainstore_addr(cs, a), &found) || found != a)
            bad(&k, "addr.hix: address %llu is missing or maps elsewhere", (unsigned long long)a);
        uint64_t prev = CW_NONE64;
        for (uint64_t o = cw_chainstore_addr_last(cs, a); o != CW_NONE64;
             o = cw_chainstore_outlink(cs, o)) {
            if (o >= c.outs || (prev != CW_NONE64 && o >= prev)) {
                bad(&k, "outlink.col: address %llu has a broken output chain at %llu",
                    (unsigned long long)a, (unsigned long long)o);
                break;
            }
            if (cw_chainstore_out(cs, o)->addr != a)
                bad(&k, "outlink.col: output %llu in the chain of address %llu belongs to %u",
                    (unsigned long long)o, (unsigned long long)a, cw_chainstore_out(cs, o)->addr);
            chained++;
            prev = o;
        }
    }
    if (chained != addressed_outputs)
        bad(&k, "outlink.col: %llu outputs reachable from addresses, %llu outputs have one",
            (unsigned long long)chained, (unsigned long long)addressed_outputs);
    json_t *j = json_pack(
        "{s:b, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:I, s:o}", "ok", k.n_errors == 0, "checked",
        "blocks", (json_int_t)c.blocks, "txs", (json_int_t)c.txs, "inputs", (json_int_t)c.ins,
        "outputs", (json_int_t)c.outs, "addresses", (json_int_t)c.addrs, "external_prevouts",
        (json_int_t)c.exts, "n_errors", (json_int_t)k.n_errors, "errors", k.errors);
    *out = j;
    if (!j)
        return cw_error_set(CW_ENOMEM, "out of memory");
    return k.n_errors ? cw_error_set(CW_ECORRUPT, "%llu integrity problems",
                                     (unsigned long long)k.n_errors)
                      : 0;
}
