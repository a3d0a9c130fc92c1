/*
 * query.c: block, tx and address lookups on a read-only chain store, as JSON.
 * Only published rows are visible: spending txs at or past the published tx count are
 * reported as unspent (a commit may be in progress in another process).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/query.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "util/u64map.h"

static json_t *hexrev(const uint8_t *h)
{
    char s[65];
    cw_hex_encode_rev(s, h, 32);
    return json_string(s);
}

void cw_query_addr_string(char *buf, const cw_chainstore *cs, uint32_t addr)
{
    if (addr == CW_NONE32 || addr >= cw_chainstore_counts_get(cs).addrs) {
        snprintf(buf, CW_ADDR_STR_MAX, "-");
        return;
    }
    if (cw_addr_encode(buf, CW_ADDR_STR_MAX, cw_chainstore_addr(cs, addr),
                       cw_chainstore_network(cs)) != 0)
        snprintf(buf, CW_ADDR_STR_MAX, "?");
}

static json_t *block_json(const cw_chainstore *cs, uint64_t r, int with_txs)
{
    const cw_row_block *b = cw_chainstore_block(cs, r);
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    char work[40];
    if (b->work_hi)
        snprintf(work, sizeof work, "%016" PRIx64 "%016" PRIx64, b->work_hi, b->work_lo);
    else
        snprintf(work, sizeof work, "%" PRIx64, b->work_lo);
    json_t *j = json_pack("{s:o, s:I, s:o, s:o, s:i, s:I, s:s, s:I, s:I, s:I, s:I, s:s}", "hash",
                          hexrev(b->hash), "height", (json_int_t)b->height, "prev", hexrev(b->prev),
                          "merkle_root", hexrev(b->merkle), "version", b->version, "time",
                          (json_int_t)b->time, "bits", "", "nonce", (json_int_t)b->nonce, "n_tx",
                          (json_int_t)b->n_tx, "size", (json_int_t)b->size, "weight",
                          (json_int_t)b->weight, "chainwork", work);
    char bits[9];
    snprintf(bits, sizeof bits, "%08x", b->bits);
    json_object_set_new(j, "bits", json_string(bits));
    if (r + 1 < c.blocks)
        json_object_set_new(j, "next", hexrev(cw_chainstore_block(cs, r + 1)->hash));
    /* fees: sum over non-coinbase txs, when every input value is known */
    bool known = true;
    uint64_t fees = 0, reward = 0;
    for (uint64_t t = b->first_tx; t < b->first_tx + b->n_tx && t < c.txs; t++) {
        uint64_t in0, in1, o0, o1, v, sum_in = 0, sum_out = 0;
        cw_chainstore_tx_range(cs, t, &in0, &in1, &o0, &o1);
        for (uint64_t o = o0; o < o1; o++)
            sum_out += cw_out_value(cw_chainstore_out(cs, o));
        if (t == b->first_tx) {
            reward = sum_out;
            continue;
        }
        for (uint64_t i = in0; i < in1 && known; i++) {
            if (cw_chainstore_in_value(cs, i, &v))
                known = false;
            else
                sum_in += v;
        }
        fees += sum_in - sum_out;
    }
    json_object_set_new(j, "coinbase_value", json_integer((json_int_t)reward));
    json_object_set_new(j, "fees", known ? json_integer((json_int_t)fees) : json_null());
    if (with_txs) {
        json_t *txs = json_array();
        for (uint64_t t = b->first_tx; t < b->first_tx + b->n_tx && t < c.txs; t++)
            json_array_append_new(txs, hexrev(cw_chainstore_txid(cs, t)));
        json_object_set_new(j, "txids", txs);
    }
    return j;
}

int cw_query_block(json_t **out, const cw_chainstore *cs, const char *q, int with_txs)
{
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    uint64_t r;
    if (strlen(q) == 64) {
        uint8_t h[32];
        if (cw_hex_decode_rev(h, 32, q))
            return cw_error_set(CW_EINVAL, "not a block hash: %s", q);
        if (cw_chainstore_find_block(cs, h, &r))
            return cw_error_set(CW_ENOTFOUND, "block %s is not in the store", q);
    } else {
        uint64_t h;
        if (cw_parse_u64(&h, q))
            return cw_error_set(CW_EINVAL, "not a height or block hash: '%s'", q);
        uint32_t base = cw_chainstore_base_height(cs);
        if (h < base || h - base >= c.blocks)
            return cw_error_set(CW_ENOTFOUND, "height %llu is not in the store (%u..%llu)",
                                (unsigned long long)h, base,
                                (unsigned long long)(base + c.blocks - 1));
        r = h - base;
    }
    *out = block_json(cs, r, with_txs);
    return *out ? 0 : cw_error_set(CW_ENOMEM, "out of memory");
}

int cw_query_tx_num(json_t **out, const cw_chainstore *cs, uint64_t t)
{
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    uint64_t in0, in1, o0, o1;
    cw_chainstore_tx_range(cs, t, &in0, &in1, &o0, &o1);
    cw_txmeta meta = cw_chainstore_txmeta(cs, t), *m = &meta;
    uint64_t br = cw_chainstore_tx_block(cs, t);
    const cw_row_block *b = cw_chainstore_block(cs, br);
    char addr[CW_ADDR_STR_MAX];
    json_t *ins = json_array(), *outs = json_array();
    uint64_t in_sum = 0, out_sum = 0;
    bool all_known = true, coinbase = false;
    for (uint64_t i = in0; i < in1; i++) {
        const cw_row_in *r = cw_chainstore_in(cs, i);
        json_t *ji = json_pack("{s:I}", "sequence", (json_int_t)r->sequence);
        if (r->spent_tx == CW_IN_COINBASE) {
            coinbase = true;
            all_known = false;
            json_object_set_new(ji, "coinbase", json_true());
        } else if (r->spent_tx == CW_IN_EXTERNAL) {
            const cw_row_ext *e = cw_chainstore_ext(cs, r->spent_vout);
            json_object_set_new(ji, "prev_txid", hexrev(e->txid));
            json_object_set_new(ji, "prev_vout", json_integer(e->vout));
            json_object_set_new(ji, "external", json_true());
            if (e->known) {
                cw_query_addr_string(addr, cs, e->addr);
                json_object_set_new(ji, "value", json_integer((json_int_t)e->value));
                json_object_set_new(ji, "address", json_string(addr));
                json_object_set_new(ji, "type",
                                    json_string(cw_script_type_name((cw_script_type)e->type)));
                in_sum += e->value;
            } else {
                all_known = false;
            }
        } else {
            uint64_t o = cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout;
            const cw_row_out *po = cw_chainstore_out(cs, o);
            cw_query_addr_string(addr, cs, po->addr);
            json_object_set_new(ji, "prev_txid", hexrev(cw_chainstore_txid(cs, r->spent_tx)));
            json_object_set_new(ji, "prev_vout", json_integer(r->spent_vout));
            json_object_set_new(ji, "value", json_integer((json_int_t)cw_out_value(po)));
            json_object_set_new(ji, "address", json_string(addr));
            json_object_set_new(ji, "type", json_string(cw_script_type_name(cw_out_type(po))));
            in_sum += cw_out_value(po);
        }
        json_array_append_new(ins, ji);
    }
    for (uint64_t o = o0; o < o1; o++) {
        const cw_row_out *r = cw_chainstore_out(cs, o);
        cw_query_addr_string(addr, cs, r->addr);
        json_t *jo = json_pack("{s:I, s:I, s:s, s:s}", "n", (json_int_t)(o - o0), "value",
                               (json_int_t)cw_out_value(r), "type",
                               cw_script_type_name(cw_out_type(r)), "address", addr);
        if (r->spending_tx != CW_NONE32 && r->spending_tx < c.txs) {
            json_object_set_new(jo, "spent_by", hexrev(cw_chainstore_txid(cs, r->spending_tx)));
            /* which input of the spender */
            uint64_t s0, s1, so0, so1;
            cw_chainstore_tx_range(cs, r->spending_tx, &s0, &s1, &so0, &so1);
            for (uint64_t i = s0; i < s1; i++) {
                const cw_row_in *si = cw_chainstore_in(cs, i);
                if (si->spent_tx == t && si->spent_vout == o - o0) {
                    json_object_set_new(jo, "spent_by_input", json_integer((json_int_t)(i - s0)));
                    break;
                }
            }
        } else {
            json_object_set_new(jo, "spent_by", json_null());
        }
        out_sum += cw_out_value(r);
        json_array_append_new(outs, jo);
    }
    json_t *j =
        json_pack("{s:o, s:I, s:o, s:i, s:I, s:I, s:I, s:b, s:o, s:o, s:I}", "txid",
                  hexrev(cw_chainstore_txid(cs, t)), "height", (json_int_t)b->height, "block",
                  hexrev(b->hash), "version", m->version, "locktime", (json_int_t)m->locktime,
                  "size", (json_int_t)m->size, "weight", (json_int_t)m->weight, "coinbase",
                  coinbase, "inputs", ins, "outputs", outs, "output_value", (json_int_t)out_sum);
    json_object_set_new(j, "time", json_integer(b->time));
    if (all_known && in1 > in0) {
        json_object_set_new(j, "input_value", json_integer((json_int_t)in_sum));
        json_object_set_new(j, "fee", json_integer((json_int_t)(in_sum - out_sum)));
    } else {
        json_object_set_new(j, "fee", json_null());
    }
    *out = j;
    return j ? 0 : cw_error_set(CW_ENOMEM, "out of memory");
}

int cw_query_tx(json_t **out, const cw_chainstore *cs, const char *txid_hex)
{
    uint8_t txid[32];
    uint64_t t;
    if (cw_hex_decode_rev(txid, 32, txid_hex))
        return cw_error_set(CW_EINVAL, "not a txid (64 hex digits): '%s'", txid_hex);
    if (cw_chainstore_find_tx(cs, txid, &t))
        return cw_error_set(CW_ENOTFOUND, "tx %s is not in the store", txid_hex);
    return cw_query_tx_num(out, cs, t);
}

static int cmp_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x < y) - (x > y);
}

/* The block row where address a first appeared (blocks.col first_addr is non-decreasing). */
static uint64_t addr_first_block(const cw_chainstore *cs, uint64_t a)
{
    uint64_t lo = 0, hi = cw_chainstore_counts_get(cs).blocks;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (cw_chainstore_block(cs, mid)->first_addr <= a)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static json_t *seen_json(const cw_chainstore *cs, uint64_t block_row)
{
    const cw_row_block *b = cw_chainstore_block(cs, block_row);
    return json_pack("{s:I, s:I}", "height", (json_int_t)b->height, "time", (json_int_t)b->time);
}

static json_t *tx_ref(const cw_chainstore *cs, uint64_t t)
{
    const cw_row_block *b = cw_chainstore_block(cs, cw_chainstore_tx_block(cs, t));
    return json_pack("{s:o, s:I, s:I}", "txid", hexrev(cw_chainstore_txid(cs, t)), "height",
                     (json_int_t)b->height, "time", (json_int_t)b->time);
}

/* The totals by walking every output (the fallback while a commit in another process is
 * changing the address's summary row). */
static int walk_totals(const cw_chainstore *cs, uint64_t a, cw_row_addrsum *s)
{
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    cw_u64map txs = {0};
    uint64_t seen;
    int rc = 0;
    memset(s, 0, sizeof *s);
    for (uint64_t o = cw_chainstore_addr_last(cs, a); o != CW_NONE64;
         o = cw_chainstore_outlink(cs, o)) {
        const cw_row_out *r = cw_chainstore_out(cs, o);
        uint64_t ids[2] = {cw_chainstore_out_tx(cs, o), CW_NONE64};
        s->received += cw_out_value(r);
        s->n_out++;
        if (r->spending_tx != CW_NONE32 && r->spending_tx < c.txs) {
            s->sent += cw_out_value(r);
            s->n_spent++;
            ids[1] = r->spending_tx;
        }
        for (int k = 0; k < 2; k++) {
            if (ids[k] == CW_NONE64 || cw_u64map_get(&txs, ids[k], &seen))
                continue;
            if ((rc = cw_u64map_put(&txs, ids[k], 1)))
                goto out;
            s->n_tx++;
            if (ids[k] > s->last_tx)
                s->last_tx = (uint32_t)ids[k];
        }
    }
out:
    cw_u64map_deinit(&txs);
    return rc;
}

int cw_query_address(json_t **out, const cw_chainstore *cs, const char *s, uint64_t offset,
                     uint64_t limit)
{
    cw_addr_key k;
    uint64_t a;
    int rc;
    if (cw_addr_decode(&k, s, cw_chainstore_network(cs)))
        return cw_error_wrap(CW_EINVAL, "address '%s': ", s);
    if (cw_chainstore_find_addr(cs, &k, &a))
        return cw_error_set(CW_ENOTFOUND, "address %s has no outputs in the store", s);
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    /* Totals from the summary row (constant time whatever the history). */
    cw_row_addrsum sum;
    const cw_row_addrsum *row = cw_chainstore_addrsum(cs, a);
    if (row)
        sum = *row;
    else if ((rc = walk_totals(cs, a, &sum)))
        return rc;
    /* The page: the address's outputs, newest first, offset/limit of them (cost: the page). */
    json_t *history = json_array();
    uint64_t n_page = limit < sum.n_out ? limit : sum.n_out;
    uint64_t end = offset > UINT64_MAX - limit ? UINT64_MAX : offset + limit;
    uint64_t *ids = cw_malloc((2 * n_page + 2) * sizeof *ids), n_ids = 0, i = 0;
    for (uint64_t o = cw_chainstore_addr_last(cs, a);
         o != CW_NONE64 && i < end && n_ids < 2 * n_page; o = cw_chainstore_outlink(cs, o), i++) {
        if (i < offset)
            continue;
        const cw_row_out *r = cw_chainstore_out(cs, o);
        uint64_t t = cw_chainstore_out_tx(cs, o), o0, o1, i0, i1;
        cw_chainstore_tx_range(cs, t, &i0, &i1, &o0, &o1);
        json_t *h = tx_ref(cs, t);
        json_object_set_new(h, "vout", json_integer((json_int_t)(o - o0)));
        json_object_set_new(h, "value", json_integer((json_int_t)cw_out_value(r)));
        ids[n_ids++] = t;
        if (r->spending_tx != CW_NONE32 && r->spending_tx < c.txs) {
            json_object_set_new(h, "spent_by", tx_ref(cs, r->spending_tx));
            ids[n_ids++] = r->spending_tx;
        } else {
            json_object_set_new(h, "spent_by", json_null());
        }
        json_array_append_new(history, h);
    }
    /* txs: the distinct txs of the page's outputs (paying or spending), newest first */
    qsort(ids, n_ids, sizeof *ids, cmp_desc);
    json_t *page = json_array();
    for (uint64_t j2 = 0; j2 < n_ids; j2++) {
        if (j2 > 0 && ids[j2] == ids[j2 - 1])
            continue;
        json_array_append_new(page, tx_ref(cs, ids[j2]));
    }
    cw_free(ids);
    char canon[CW_ADDR_STR_MAX];
    cw_query_addr_string(canon, cs, (uint32_t)a);
    json_t *j = json_pack(
        "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:I, s:I, s:b, s:s}", "address", canon,
        "id", (json_int_t)a, "received", (json_int_t)sum.received, "sent", (json_int_t)sum.sent,
        "balance", (json_int_t)(sum.received - sum.sent), "outputs", (json_int_t)sum.n_out,
        "unspent_outputs", (json_int_t)(sum.n_out - sum.n_spent), "tx_count", (json_int_t)sum.n_tx,
        "txs", page, "history", history, "offset", (json_int_t)offset, "limit", (json_int_t)limit,
        "more", end < sum.n_out, "paged_by", "outputs, newest first");
    if (sum.n_tx) {
        json_object_set_new(j, "first_seen", seen_json(cs, addr_first_block(cs, a)));
        json_object_set_new(j, "last_seen", seen_json(cs, cw_chainstore_tx_block(cs, sum.last_tx)));
    }
    *out = j;
    return j ? 0 : cw_error_set(CW_ENOMEM, "out of memory");
}

int cw_query_addrs_totals(json_t **out, const cw_chainstore *cs, const uint32_t *addrs, uint64_t n)
{
    *out = NULL;
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    uint64_t received = 0, sent = 0, n_out = 0, n_spent = 0, first = UINT64_MAX;
    uint64_t last_tx = 0;
    bool any_tx = false;
    for (uint64_t i = 0; i < n; i++) {
        if (addrs[i] >= c.addrs)
            return cw_error_set(CW_EINVAL, "address id %u is not in the store", addrs[i]);
        cw_row_addrsum sum;
        const cw_row_addrsum *row = cw_chainstore_addrsum(cs, addrs[i]);
        int rc;
        if (row)
            sum = *row;
        else if ((rc = walk_totals(cs, addrs[i], &sum)))
            return rc;
        received += sum.received;
        sent += sum.sent;
        n_out += sum.n_out;
        n_spent += sum.n_spent;
        if (sum.n_tx) {
            if (!any_tx || sum.last_tx > last_tx)
                last_tx = sum.last_tx;
            any_tx = true;
            if (addrs[i] < first)
                first = addrs[i];
        }
    }
    json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "addresses", (json_int_t)n,
                          "received", (json_int_t)received, "sent", (json_int_t)sent, "balance",
                          (json_int_t)(received - sent), "outputs", (json_int_t)n_out,
                          "unspent_outputs", (json_int_t)(n_out - n_spent), "unit", "sat");
    if (!j)
        return cw_error_set(CW_ENOMEM, "out of memory");
    if (any_tx) {
        /* address ids grow with first appearance: the smallest id with a tx appeared first */
        json_object_set_new(j, "first_seen", seen_json(cs, addr_first_block(cs, first)));
        json_object_set_new(j, "last_seen", seen_json(cs, cw_chainstore_tx_block(cs, last_tx)));
    }
    *out = j;
    return 0;
}
