/*
 * query.c: block, tx and address lookups on a read-only chain store, as JSON.
 * Only published rows are visible: spending txs at or past the published tx count are
 * reported as unspent (a commit may be in progress in another process).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/addrhist.h"
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
        if (c.blocks == 0)
            return cw_error_set(CW_ENOTFOUND, "height %llu is not in the store (it is empty)",
                                (unsigned long long)h);
        if (h < base || h - base >= c.blocks)
            return cw_error_set(CW_ENOTFOUND, "height %llu is not in the store (%u..%llu)",
                                (unsigned long long)h, base,
                                (unsigned long long)(base + c.blocks - 1));
        r = h - base;
    }
    *out = block_json(cs, r, with_txs);
    if (*out && cw_chainstore_synthetic(cs))
        json_object_set_new(*out, "synthetic", json_true());
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
    if (j &&
        cw_chainstore_synthetic(cs)) /* a generated world (only then: a real one's as before) */
        json_object_set_new(j, "synthetic", json_true());
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

/* One output of an address's page of history: the output, the tx paying it and the tx
 * spending it (CW_NONE64: unspent as published); whole: its vout, value and spender are known
 * (from the address's card), out is not. */
typedef struct hist_row {
    uint64_t out, tx, vout, spender, value;
    bool whole, asked; /* asked: its payer's txid was asked for with its row */
} hist_row;

/* The index of tx t in the page's txs (ids descending). */
static uint32_t tx_index(const cw_addr_page *p, uint64_t t)
{
    uint64_t lo = 0, hi = p->n_txs;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (p->txs[mid].tx == t)
            return (uint32_t)mid;
        if (p->txs[mid].tx > t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return UINT32_MAX;
}

static void tx_ref_fill(cw_addr_page_tx *r, const cw_chainstore *cs, uint64_t t)
{
    const cw_row_block *b = cw_chainstore_block(cs, cw_chainstore_tx_block(cs, t));
    r->tx = t;
    memcpy(r->txid, cw_chainstore_txid(cs, t), 32);
    r->height = b->height;
    r->time = b->time;
}

/* The page: the address's outputs, newest first, offset/limit of them (cost: the page). A
 * cold lookup's page reads are asked for in batches (cw_chainstore_prefetch_*), in the order
 * they depend on each other: the outputs' rows and where their txs are (once the links are
 * walked), then the txs paying and spending them; each batch's disk reads run side by side. */
/* The page's outputs through the index: the outputs newer than it walked from the last one,
 * then the slice of its rows at the page's offset (tx known: no owner search). false when the
 * walk and the index disagree with the summary's count (then the caller walks as without). */
static bool page_from_index(hist_row *h, uint64_t *n_out, uint64_t *links, const cw_chainstore *cs,
                            const cw_addrhist *ix, uint64_t a, const cw_row_addrsum *sum,
                            uint64_t offset, uint64_t want)
{
    uint64_t cov = cw_addrhist_outs(ix), n_ix = cw_addrhist_count(ix, a), n = 0, i = 0;
    if (n_ix > sum->n_out)
        return false;
    uint64_t tail = sum->n_out - n_ix; /* outputs at or past cov, newest first */
    if (offset + want > tail && n_ix && cw_chainstore_prefetching(cs))
        cw_addrhist_willneed(ix, a, offset > tail ? offset - tail : 0, offset + want - tail);
    uint64_t o = cw_chainstore_addr_last(cs, a);
    for (; o != CW_NONE64 && o >= cov && n < want; i++) {
        if (i >= offset) {
            h[n].tx = CW_NONE64;
            h[n++].out = o;
        }
        if (n == want)
            break;
        o = cw_chainstore_outlink(cs, o);
        ++*links;
    }
    if (n < want && (i != tail || (o != CW_NONE64 && o >= cov)))
        return false;
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    for (uint64_t k = offset > tail ? offset - tail : 0; n < want && k < n_ix; k++) {
        cw_addrhist_entry(ix, a, k, &h[n].out, &h[n].tx);
        /* a damaged ent.col (an output or a tx the store does not hold, or an output outside
         * its tx): not used, the caller walks */
        if (h[n].out >= c.outs || h[n].tx >= c.txs)
            return false;
        n++;
    }
    *n_out = n;
    return n == want;
}

static int history_page(cw_addr_page *p, const cw_chainstore *cs, const cw_addrhist *ix, uint64_t a,
                        const cw_row_addrsum *sum, uint64_t offset, uint64_t limit)
{
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    uint64_t want = offset < sum->n_out ? sum->n_out - offset : 0;
    if (want > limit)
        want = limit;
    hist_row *h = cw_calloc(want ? want : 1, sizeof *h);
    uint64_t *ids = cw_malloc((2 * want + 1) * sizeof *ids);
    p->txs = cw_malloc((2 * want + 1) * sizeof *p->txs);
    p->hist = cw_malloc((want ? want : 1) * sizeof *p->hist);
    uint64_t n = 0, n_ids = 0, i = 0;
    int rc = 0;
    cw_chainstore_prefetch pf;
    cw_chainstore_prefetch_init(&pf, cs);
    if (!h || !ids || !p->txs || !p->hist) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    /* The address's card holds its newest output whole: while nothing was paid to or spent
     * by it since the build (its summary still counts the card's outputs and spends), a page
     * of that one output needs neither the index's rows nor outs.col. */
    cw_addrhist_card card;
    bool whole = ix && want == 1 && offset == 0 && cw_addrhist_card_get(ix, a, &card) &&
                 card.n == sum->n_out && card.n_spent == sum->n_spent && card.n > 0 &&
                 card.tx < c.txs && (card.spender == CW_NONE64 || card.spender < c.txs);
    if (whole) {
        h[0] = (hist_row){.out = CW_NONE64,
                          .tx = card.tx,
                          .vout = card.vout,
                          .spender = card.spender,
                          .value = card.value,
                          .whole = true};
        n = 1;
    }
    bool indexed = whole || (ix && page_from_index(h, &n, &p->links, cs, ix, a, sum, offset, want));
    if (!indexed)
        n = 0;
    /* without: the outputs are a chain of links, each read after the one before */
    for (uint64_t o = cw_chainstore_addr_last(cs, a); !indexed && o != CW_NONE64 && n < want; i++) {
        if (i >= offset) {
            h[n].tx = CW_NONE64;
            h[n++].out = o;
        }
        if (n == want) /* the page is complete: its last link is not needed */
            break;
        o = cw_chainstore_outlink(cs, o);
        p->links++;
    }
    /* their rows (the spenders) and the txs.col rows that find the payers; a payer known
     * from the index: its row and txid, beside the output's row */
    for (uint64_t k = 0; k < n; k++) {
        h[k].asked = h[k].tx != CW_NONE64;
        if (h[k].whole) /* its txids: all it still needs */
            cw_chainstore_prefetch_txid(&pf, h[k].tx);
        else
            cw_chainstore_prefetch_out(&pf, h[k].out, h[k].tx);
        if (h[k].whole && h[k].spender != CW_NONE64)
            cw_chainstore_prefetch_txid(&pf, h[k].spender);
    }
    cw_chainstore_prefetch_go(&pf);
    for (uint64_t k = 0; k < n; k++) {
        uint64_t o0, o1, i0, i1;
        if (h[k].whole) {
            ids[n_ids++] = h[k].tx;
            if (h[k].spender != CW_NONE64)
                ids[n_ids++] = h[k].spender;
            continue;
        }
        const cw_row_out *r = cw_chainstore_out(cs, h[k].out);
        h[k].value = cw_out_value(r);
        h[k].spender =
            r->spending_tx != CW_NONE32 && r->spending_tx < c.txs ? r->spending_tx : CW_NONE64;
        if (h[k].tx == CW_NONE64) { /* walked: its tx is the one whose range holds it */
            h[k].tx = cw_chainstore_out_tx(cs, h[k].out);
            cw_chainstore_tx_range(cs, h[k].tx, &i0, &i1, &o0, &o1);
        } else {
            o0 = cw_chainstore_tx_first_out(cs, h[k].tx);
            if (h[k].out < o0) { /* the index named a tx after the output: never printed */
                rc = cw_error_set(CW_ECORRUPT,
                                  "address index: output %" PRIu64 " is not paid by tx %" PRIu64
                                  " (a damaged ent.col; `chainwatch check` names it, "
                                  "`addrindex` rebuilds it)",
                                  h[k].out, h[k].tx);
                goto out;
            }
        }
        h[k].vout = h[k].out - o0;
        ids[n_ids++] = h[k].tx;
        if (h[k].spender != CW_NONE64)
            ids[n_ids++] = h[k].spender;
    }
    /* the txids of both (the spenders': the payers' were asked for with the outputs' rows when
     * the index named them) */
    for (uint64_t k = 0; k < n; k++) {
        if (h[k].whole)
            continue;
        if (!h[k].asked)
            cw_chainstore_prefetch_txid(&pf, h[k].tx);
        if (h[k].spender != CW_NONE64)
            cw_chainstore_prefetch_txid(&pf, h[k].spender);
    }
    cw_chainstore_prefetch_go(&pf);
    /* txs: the distinct txs of the page's outputs (paying or spending), newest first, each
     * listed once and referred to by the history entries */
    qsort(ids, n_ids, sizeof *ids, cmp_desc);
    for (uint64_t k = 0; k < n_ids; k++) {
        if (p->n_txs > 0 && ids[k] == p->txs[p->n_txs - 1].tx)
            continue;
        tx_ref_fill(&p->txs[p->n_txs++], cs, ids[k]);
    }
    for (uint64_t k = 0; k < n; k++) {
        cw_addr_page_out *e = &p->hist[p->n_hist++];
        e->vout = h[k].vout;
        e->value = h[k].value;
        e->paid = tx_index(p, h[k].tx);
        e->spent = h[k].spender != CW_NONE64 ? tx_index(p, h[k].spender) : UINT32_MAX;
    }
out:
    cw_free(h);
    cw_free(ids);
    return rc;
}

/* The address's card (or off.col rows) asked for with its key row (cw_chainstore_find_addr_ahead).
 */
static void index_ahead(void *arg, uint64_t a, cw_chainstore_prefetch *p)
{
    cw_addrhist_prefetch(arg, a, p);
}

static void seen_fill(cw_addr_page_seen *s, const cw_chainstore *cs, uint64_t block_row)
{
    const cw_row_block *b = cw_chainstore_block(cs, block_row);
    s->height = b->height;
    s->time = b->time;
}

void cw_query_address_page_free(cw_addr_page *p)
{
    cw_free(p->txs);
    cw_free(p->hist);
    memset(p, 0, sizeof *p);
}

int cw_query_address_page(cw_addr_page *p, const cw_chainstore *cs, const char *s, uint64_t offset,
                          uint64_t limit)
{
    return cw_query_address_page_ix(p, cs, NULL, s, offset, limit);
}

int cw_query_address_page_ix(cw_addr_page *p, const cw_chainstore *cs, const cw_addrhist *ix,
                             const char *s, uint64_t offset, uint64_t limit)
{
    cw_addr_key k;
    uint64_t a;
    int rc;
    memset(p, 0, sizeof *p);
    if (cw_addr_decode(&k, s, cw_chainstore_network(cs)))
        return cw_error_wrap(CW_EINVAL, "address '%s': ", s);
    if (cw_chainstore_find_addr_ahead(cs, &k, &a, ix ? index_ahead : NULL, (void *)(uintptr_t)ix))
        return cw_error_set(CW_ENOTFOUND, "address %s has no outputs in the store", s);
    /* (its summary, newest output and card were asked for with its key) */
    /* Totals from the summary row (constant time whatever the history). */
    const cw_row_addrsum *row = cw_chainstore_addrsum(cs, a);
    if (row)
        p->sum = *row;
    else if ((rc = walk_totals(cs, a, &p->sum)))
        return rc;
    p->id = a;
    p->offset = offset;
    p->limit = limit;
    uint64_t end = offset > UINT64_MAX - limit ? UINT64_MAX : offset + limit;
    p->more = end < p->sum.n_out;
    if ((rc = history_page(p, cs, ix, a, &p->sum, offset, limit))) {
        cw_query_address_page_free(p);
        return rc;
    }
    cw_query_addr_string(p->address, cs, (uint32_t)a);
    if (p->sum.n_tx) {
        p->seen = true;
        seen_fill(&p->first_seen, cs, addr_first_block(cs, a));
        seen_fill(&p->last_seen, cs, cw_chainstore_tx_block(cs, p->sum.last_tx));
    }
    return 0;
}

static json_t *page_tx_json(const cw_addr_page_tx *t)
{
    char s[65];
    cw_hex_encode_rev(s, t->txid, 32);
    return json_pack("{s:s, s:I, s:I}", "txid", s, "height", (json_int_t)t->height, "time",
                     (json_int_t)t->time);
}

static json_t *page_seen_json(const cw_addr_page_seen *s)
{
    return json_pack("{s:I, s:I}", "height", (json_int_t)s->height, "time", (json_int_t)s->time);
}

int cw_query_address(json_t **out, const cw_chainstore *cs, const char *s, uint64_t offset,
                     uint64_t limit)
{
    return cw_query_address_ix(out, cs, NULL, s, offset, limit);
}

int cw_query_address_ix(json_t **out, const cw_chainstore *cs, const cw_addrhist *ix, const char *s,
                        uint64_t offset, uint64_t limit)
{
    cw_addr_page p;
    int rc = cw_query_address_page_ix(&p, cs, ix, s, offset, limit);
    *out = NULL;
    if (rc)
        return rc;
    json_t *page = json_array(), *history = json_array();
    for (uint64_t k = 0; page && k < p.n_txs && !rc; k++)
        if (json_array_append_new(page, page_tx_json(&p.txs[k])))
            rc = CW_ENOMEM;
    for (uint64_t k = 0; history && k < p.n_hist && !rc; k++) {
        const cw_addr_page_out *e = &p.hist[k];
        const cw_addr_page_tx *paid = &p.txs[e->paid];
        char txid[65];
        cw_hex_encode_rev(txid, paid->txid, 32);
        json_t *j =
            json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}", "txid", txid, "height",
                      (json_int_t)paid->height, "time", (json_int_t)paid->time, "vout",
                      (json_int_t)e->vout, "value", (json_int_t)e->value, "spent_by",
                      e->spent != UINT32_MAX ? page_tx_json(&p.txs[e->spent]) : json_null());
        if (!j || json_array_append_new(history, j))
            rc = CW_ENOMEM;
    }
    const cw_row_addrsum *sum = &p.sum;
    json_t *j =
        rc || !page || !history
            ? NULL
            : json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:O, s:O, s:I, s:I, "
                        "s:b, s:s}",
                        "address", p.address, "id", (json_int_t)p.id, "received",
                        (json_int_t)sum->received, "sent", (json_int_t)sum->sent, "balance",
                        (json_int_t)(sum->received - sum->sent), "outputs", (json_int_t)sum->n_out,
                        "unspent_outputs", (json_int_t)(sum->n_out - sum->n_spent), "tx_count",
                        (json_int_t)sum->n_tx, "txs", page, "history", history, "offset",
                        (json_int_t)p.offset, "limit", (json_int_t)p.limit, "more", p.more,
                        "paged_by", CW_QUERY_ADDRESS_PAGED_BY);
    json_decref(page);
    json_decref(history);
    if (j && p.seen) {
        json_object_set_new(j, "first_seen", page_seen_json(&p.first_seen));
        json_object_set_new(j, "last_seen", page_seen_json(&p.last_seen));
    }
    if (j && cw_chainstore_synthetic(cs))
        json_object_set_new(j, "synthetic", json_true());
    cw_query_address_page_free(&p);
    *out = j;
    return j ? 0 : cw_error_set(CW_ENOMEM, "out of memory");
}

int cw_query_addrs_sum(cw_addrs_sum *out, const cw_chainstore *cs, const uint32_t *addrs,
                       uint64_t n)
{
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    cw_addrs_sum t = {.n = n, .first = CW_NONE64};
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
        t.received += sum.received;
        t.sent += sum.sent;
        t.n_out += sum.n_out;
        t.n_spent += sum.n_spent;
        if (sum.n_tx) {
            if (t.first == CW_NONE64 || sum.last_tx > t.last_tx)
                t.last_tx = sum.last_tx;
            if (t.first == CW_NONE64 || addrs[i] < t.first)
                t.first = addrs[i];
        }
    }
    *out = t;
    return 0;
}

json_t *cw_query_addrs_sum_json(const cw_chainstore *cs, const cw_addrs_sum *t)
{
    json_t *j =
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "addresses", (json_int_t)t->n, "received",
                  (json_int_t)t->received, "sent", (json_int_t)t->sent, "balance",
                  (json_int_t)(t->received - t->sent), "outputs", (json_int_t)t->n_out,
                  "unspent_outputs", (json_int_t)(t->n_out - t->n_spent), "unit", "sat");
    if (j && t->first != CW_NONE64) {
        /* address ids grow with first appearance: the smallest id with a tx appeared first */
        json_object_set_new(j, "first_seen", seen_json(cs, addr_first_block(cs, t->first)));
        json_object_set_new(j, "last_seen", seen_json(cs, cw_chainstore_tx_block(cs, t->last_tx)));
    }
    return j;
}

int cw_query_addrs_totals(json_t **out, const cw_chainstore *cs, const uint32_t *addrs, uint64_t n)
{
    cw_addrs_sum t;
    *out = NULL;
    int rc = cw_query_addrs_sum(&t, cs, addrs, n);
    if (rc)
        return rc;
    *out = cw_query_addrs_sum_json(cs, &t);
    return *out ? 0 : cw_error_set(CW_ENOMEM, "out of memory");
}
