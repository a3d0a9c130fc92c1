/*
 * rpc_decode.c: decodes a node's JSON-RPC answers into a cw_evm_block: eth_getBlockByNumber
 * with full transactions (and withdrawals), eth_getBlockReceipts (status, gas used, effective
 * gas price, contract address, logs), and internal calls either from trace_block (Parity
 * shape: action/result/traceAddress) or from debug_traceBlockByNumber with the callTracer (geth
 * shape: a call tree per transaction, flattened here depth first with its trace addresses; a
 * failed call fails everything under it). Every field is checked: quantities are 0x-hex without
 * leading garbage, addresses 20 bytes, hashes 32; a missing or malformed field is CW_ECORRUPT
 * naming the block, the element and the field. No floating point, no rounding: values are
 * 256-bit.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "chain/evm/rpc_int.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/block.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/evm/rpc.h"

typedef struct dctx {
    cw_evm_block *b;
    const char *ctx; /* "block 0x10" */
    char where[96];  /* "transactions[3]" */
} dctx;

static int bad(const dctx *d, const char *field, const char *why)
{
    return cw_error_set(CW_ECORRUPT, "%s: %s%s%s: %s", d->ctx, d->where, *d->where ? "." : "",
                        field, why);
}

static const char *str_field(const dctx *d, json_t *o, const char *field, bool required, int *rc)
{
    json_t *v = json_object_get(o, field);
    if (!v || json_is_null(v)) {
        if (required)
            *rc = bad(d, field, "missing");
        return NULL;
    }
    if (!json_is_string(v)) {
        *rc = bad(d, field, "not a string");
        return NULL;
    }
    return json_string_value(v);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* a quantity "0x1f" into 64 bits */
static int get_u64(const dctx *d, json_t *o, const char *field, bool required, uint64_t *out)
{
    int rc = 0;
    *out = 0;
    const char *s = str_field(d, o, field, required, &rc);
    if (!s)
        return rc;
    size_t n = strlen(s);
    if (n < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || n > 18)
        return bad(d, field, "not a 64-bit hex quantity");
    uint64_t v = 0;
    for (size_t i = 2; i < n; i++) {
        int h = hexval(s[i]);
        if (h < 0)
            return bad(d, field, "not a hex quantity");
        v = (v << 4) | (uint64_t)h;
    }
    *out = v;
    return 0;
}

static int get_u256(const dctx *d, json_t *o, const char *field, bool required, cw_u256 *out)
{
    int rc = 0;
    memset(out, 0, sizeof *out);
    const char *s = str_field(d, o, field, required, &rc);
    if (!s)
        return rc;
    size_t n = strlen(s);
    if (n < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return bad(d, field, "not a hex quantity");
    if (cw_u256_parse(out, s, n) != 0)
        return bad(d, field, "not a 256-bit hex quantity");
    return 0;
}

static int get_addr(const dctx *d, json_t *o, const char *field, bool required, cw_evm_addr *out,
                    bool *has)
{
    int rc = 0;
    memset(out, 0, sizeof *out);
    if (has)
        *has = false;
    const char *s = str_field(d, o, field, required, &rc);
    if (!s)
        return rc;
    if (cw_evm_addr_parse(out, s, strlen(s)) != 0)
        return bad(d, field, "not a 20-byte address");
    if (has)
        *has = true;
    return 0;
}

static int get_hash(const dctx *d, json_t *o, const char *field, bool required, cw_evm_hash *out)
{
    int rc = 0;
    memset(out, 0, sizeof *out);
    const char *s = str_field(d, o, field, required, &rc);
    if (!s)
        return rc;
    if (cw_evm_hash_parse(out, s, strlen(s)) != 0)
        return bad(d, field, "not a 32-byte hash");
    return 0;
}

/* hex data "0x..." into the arena */
static int get_data(const dctx *d, json_t *o, const char *field, uint32_t *off, uint32_t *len,
                    uint8_t sel[4])
{
    int rc = 0;
    if (off)
        *off = 0, *len = 0;
    const char *s = str_field(d, o, field, false, &rc);
    if (!s)
        return rc;
    size_t n = strlen(s);
    if (n < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || n % 2)
        return bad(d, field, "not hex data");
    size_t bytes = (n - 2) / 2;
    if (bytes > 64u * 1024 * 1024)
        return bad(d, field, "too long");
    for (size_t i = 2; i < n; i++)
        if (hexval(s[i]) < 0)
            return bad(d, field, "not hex data");
    if (sel) {
        memset(sel, 0, 4);
        for (size_t i = 0; i < 4 && i < bytes; i++)
            sel[i] = (uint8_t)(hexval(s[2 + 2 * i]) << 4 | hexval(s[3 + 2 * i]));
    }
    if (!off)
        return 0;
    /* decode through a small buffer into the arena */
    uint32_t first = 0;
    uint8_t buf[512];
    size_t done = 0;
    bool started = false;
    while (done < bytes || !started) {
        size_t k = bytes - done < sizeof buf ? bytes - done : sizeof buf;
        for (size_t i = 0; i < k; i++)
            buf[i] = (uint8_t)(hexval(s[2 + 2 * (done + i)]) << 4 | hexval(s[3 + 2 * (done + i)]));
        uint32_t o2 = 0;
        if ((rc = cw_evm_block_put_bytes(d->b, buf, k, &o2)))
            return rc;
        if (!started)
            first = o2;
        started = true;
        done += k;
    }
    *off = first;
    *len = (uint32_t)bytes;
    return 0;
}

static int decode_tx(dctx *d, json_t *t, cw_evm_tx *tx)
{
    int rc;
    uint64_t v;
    bool has_to = false;
    if ((rc = get_hash(d, t, "hash", true, &tx->hash)) ||
        (rc = get_u64(d, t, "nonce", true, &tx->nonce)) ||
        (rc = get_addr(d, t, "from", true, &tx->from, NULL)) ||
        (rc = get_addr(d, t, "to", false, &tx->to, &has_to)) ||
        (rc = get_u256(d, t, "value", true, &tx->value)) ||
        (rc = get_u64(d, t, "gas", true, &tx->gas)) ||
        (rc = get_u256(d, t, "gasPrice", false, &tx->gas_price)) ||
        (rc = get_u256(d, t, "maxFeePerGas", false, &tx->max_fee_per_gas)) ||
        (rc = get_u256(d, t, "maxPriorityFeePerGas", false, &tx->max_priority_fee_per_gas)) ||
        (rc = get_u64(d, t, "transactionIndex", true, &v)))
        return rc;
    if (v > UINT32_MAX)
        return bad(d, "transactionIndex", "out of range");
    tx->index = (uint32_t)v;
    tx->has_to = has_to;
    if ((rc = get_u64(d, t, "type", false, &v)))
        return rc;
    if (v > 255)
        return bad(d, "type", "out of range");
    tx->type = (uint8_t)v;
    int rc2 = 0;
    const char *in = str_field(d, t, "input", true, &rc2);
    if (!in)
        return rc2;
    tx->input_len = (uint32_t)((strlen(in) - 2) / 2);
    /* short inputs are kept in the block's arena: memo candidates (evm/memo.h) */
    bool keep = tx->input_len && tx->input_len <= CW_EVM_MEMO_INPUT_MAX;
    uint32_t klen = 0;
    if ((rc = get_data(d, t, "input", keep ? &tx->input_off : NULL, keep ? &klen : NULL,
                       tx->selector)))
        return rc;
    tx->input_kept = keep ? klen : 0;
    tx->status = CW_EVM_STATUS_UNKNOWN;
    tx->effective_gas_price = tx->gas_price;
    return 0;
}

static int decode_receipt(dctx *d, json_t *r, cw_evm_block *b)
{
    int rc;
    uint64_t idx;
    cw_evm_hash h;
    if ((rc = get_hash(d, r, "transactionHash", true, &h)) ||
        (rc = get_u64(d, r, "transactionIndex", true, &idx)))
        return rc;
    cw_evm_tx *tx = NULL;
    if (idx < b->n_txs && b->txs[idx].index == idx)
        tx = &b->txs[idx];
    else
        for (size_t i = 0; i < b->n_txs; i++)
            if (b->txs[i].index == idx)
                tx = &b->txs[i];
    if (!tx || memcmp(tx->hash.b, h.b, 32))
        return bad(d, "transactionHash", "names no transaction of the block");
    if (tx->has_receipt)
        return bad(d, "transactionIndex", "a second receipt for the transaction");
    uint64_t st = 0;
    bool has_status = json_object_get(r, "status") && !json_is_null(json_object_get(r, "status"));
    if ((rc = get_u64(d, r, "status", false, &st)) ||
        (rc = get_u64(d, r, "gasUsed", true, &tx->gas_used)))
        return rc;
    if (has_status && st > 1)
        return bad(d, "status", "not 0x0 or 0x1");
    tx->status = has_status ? (uint8_t)st : CW_EVM_STATUS_UNKNOWN;
    cw_u256 eff;
    if ((rc = get_u256(d, r, "effectiveGasPrice", false, &eff)))
        return rc;
    if (json_object_get(r, "effectiveGasPrice") &&
        !json_is_null(json_object_get(r, "effectiveGasPrice")))
        tx->effective_gas_price = eff;
    /* EIP-4844: blob gas x blob gas price, burnt (type-3 txs; absent or null otherwise, and
     * some nodes give the block's blob gas price on every receipt) */
    if ((rc = get_u64(d, r, "blobGasUsed", false, &tx->blob_gas_used)) ||
        (rc = get_u256(d, r, "blobGasPrice", false, &tx->blob_gas_price)))
        return rc;
    if (tx->blob_gas_used && !json_is_string(json_object_get(r, "blobGasPrice")))
        return bad(d, "blobGasPrice", "missing beside a blobGasUsed");
    bool hc = false;
    if ((rc = get_addr(d, r, "contractAddress", false, &tx->contract, &hc)))
        return rc;
    tx->has_contract = hc;
    tx->has_receipt = true;
    json_t *logs = json_object_get(r, "logs");
    if (logs && !json_is_array(logs))
        return bad(d, "logs", "not a list");
    char saved[96];
    snprintf(saved, sizeof saved, "%s", d->where);
    size_t i;
    json_t *lg;
    json_array_foreach(logs, i, lg)
    {
        snprintf(d->where, sizeof d->where, "%.60s.logs[%zu]", saved, i);
        if (!json_is_object(lg))
            return bad(d, "", "not an object");
        cw_evm_log *l = cw_evm_block_add_log(b);
        if (!l)
            return CW_ENOMEM;
        uint64_t li;
        if ((rc = get_u64(d, lg, "logIndex", true, &li)) ||
            (rc = get_addr(d, lg, "address", true, &l->address, NULL)) ||
            (rc = get_data(d, lg, "data", &l->data_off, &l->data_len, NULL)))
            return rc;
        if (li > UINT32_MAX)
            return bad(d, "logIndex", "out of range");
        l->log_index = (uint32_t)li;
        l->tx_index = tx->index;
        l->tx_hash = tx->hash;
        json_t *tp = json_object_get(lg, "topics");
        if (!json_is_array(tp) || json_array_size(tp) > 4)
            return bad(d, "topics", "not a list of at most 4 topics");
        l->n_topics = (uint8_t)json_array_size(tp);
        for (size_t k = 0; k < l->n_topics; k++) {
            json_t *x = json_array_get(tp, k);
            if (!json_is_string(x) ||
                cw_evm_hash_parse(&l->topics[k], json_string_value(x), json_string_length(x)))
                return bad(d, "topics", "not a 32-byte topic");
        }
        if (json_is_true(json_object_get(lg, "removed")))
            return bad(d, "removed", "a removed log in a block's receipts");
    }
    snprintf(d->where, sizeof d->where, "%s", saved);
    return 0;
}

static int put_trace_addr(cw_evm_block *b, cw_evm_trace *t, const uint32_t *ta, size_t n)
{
    t->ta_len = (uint32_t)n;
    if (!n)
        return 0;
    return cw_evm_block_put_bytes(b, ta, n * sizeof *ta, &t->ta_off);
}

static int put_error(cw_evm_block *b, cw_evm_trace *t, const char *e)
{
    if (!e || !*e)
        return 0;
    size_t n = strlen(e);
    if (n > 200)
        n = 200;
    t->err_len = (uint32_t)n;
    return cw_evm_block_put_bytes(b, e, n, &t->err_off);
}

static const cw_evm_tx *tx_by_hash(const cw_evm_block *b, const cw_evm_hash *h)
{
    for (size_t i = 0; i < b->n_txs; i++)
        if (!memcmp(b->txs[i].hash.b, h->b, 32))
            return &b->txs[i];
    return NULL;
}

static int call_type(const char *s, uint8_t *out)
{
    static const char *const names[] = {"", "call", "callcode", "delegatecall", "staticcall"};
    for (uint8_t i = 1; i < 5; i++)
        if (!strcasecmp(s, names[i])) {
            *out = i;
            return 0;
        }
    return -1;
}

/* trace_block: [{action, result, error, subtraces, traceAddress, transactionHash,
 * transactionPosition, type}] */
static int decode_parity(dctx *d, json_t *arr)
{
    cw_evm_block *b = d->b;
    if (!json_is_array(arr))
        return bad(d, "traces", "not a list");
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        snprintf(d->where, sizeof d->where, "traces[%zu]", i);
        if (!json_is_object(o))
            return bad(d, "", "not an object");
        int rc = 0;
        const char *ty = str_field(d, o, "type", true, &rc);
        if (!ty)
            return rc;
        json_t *action = json_object_get(o, "action");
        json_t *result = json_object_get(o, "result");
        if (!json_is_object(action))
            return bad(d, "action", "missing");
        cw_evm_trace *t = cw_evm_block_add_trace(b);
        if (!t)
            return CW_ENOMEM;
        const char *err = str_field(d, o, "error", false, &rc);
        if (rc)
            return rc;
        if ((rc = put_error(b, t, err)))
            return rc;
        if (!strcmp(ty, "reward")) {
            t->type = CW_EVM_TRACE_REWARD;
            t->tx_index = UINT32_MAX;
            bool has = false;
            if ((rc = get_addr(d, action, "author", true, &t->to, &has)) ||
                (rc = get_u256(d, action, "value", true, &t->value)))
                return rc;
            t->has_to = has;
            t->status = 1;
            continue;
        }
        cw_evm_hash h;
        if ((rc = get_hash(d, o, "transactionHash", true, &h)))
            return rc;
        const cw_evm_tx *tx = tx_by_hash(b, &h);
        if (!tx)
            return bad(d, "transactionHash", "names no transaction of the block");
        t->tx_hash = h;
        t->tx_index = tx->index;
        json_t *ta = json_object_get(o, "traceAddress");
        if (!json_is_array(ta) || json_array_size(ta) > 1024)
            return bad(d, "traceAddress", "not a list");
        uint32_t path[1024];
        size_t np = json_array_size(ta);
        for (size_t k = 0; k < np; k++) {
            json_t *x = json_array_get(ta, k);
            if (!json_is_integer(x) || json_integer_value(x) < 0 ||
                json_integer_value(x) > (json_int_t)UINT32_MAX)
                return bad(d, "traceAddress", "not a list of indexes");
            path[k] = (uint32_t)json_integer_value(x);
        }
        if ((rc = put_trace_addr(b, t, path, np)))
            return rc;
        bool hf = false, ht = false;
        if (!strcmp(ty, "call")) {
            t->type = CW_EVM_TRACE_CALL;
            const char *ct = str_field(d, action, "callType", true, &rc);
            if (!ct)
                return rc;
            if (call_type(ct, &t->call_type))
                return bad(d, "action.callType", "unknown call type");
            if ((rc = get_addr(d, action, "from", true, &t->from, &hf)) ||
                (rc = get_addr(d, action, "to", true, &t->to, &ht)) ||
                (rc = get_u256(d, action, "value", false, &t->value)))
                return rc;
        } else if (!strcmp(ty, "create")) {
            t->type = CW_EVM_TRACE_CREATE;
            if ((rc = get_addr(d, action, "from", true, &t->from, &hf)) ||
                (rc = get_u256(d, action, "value", false, &t->value)))
                return rc;
            if (json_is_object(result) && (rc = get_addr(d, result, "address", false, &t->to, &ht)))
                return rc;
        } else if (!strcmp(ty, "suicide") || !strcmp(ty, "selfdestruct")) {
            t->type = CW_EVM_TRACE_SUICIDE;
            if ((rc = get_addr(d, action, "address", true, &t->from, &hf)) ||
                (rc = get_addr(d, action, "refundAddress", true, &t->to, &ht)) ||
                (rc = get_u256(d, action, "balance", false, &t->value)))
                return rc;
        } else {
            return bad(d, "type", "unknown trace type");
        }
        t->has_from = hf;
        t->has_to = ht;
        t->status = (err && *err) ? 0 : 1;
    }
    *d->where = 0;
    /* a failed call fails everything under it (as ethereum-etl computes it): traces come
     * depth first, so a parent precedes its children */
    for (size_t i2 = 0; i2 < b->n_traces; i2++) {
        cw_evm_trace *t = &b->traces[i2];
        if (t->status || t->tx_index == UINT32_MAX)
            continue;
        for (size_t j = i2 + 1; j < b->n_traces; j++) {
            cw_evm_trace *c = &b->traces[j];
            if (c->tx_index != t->tx_index || c->ta_len <= t->ta_len)
                continue;
            if (!t->ta_len ||
                !memcmp(cw_evm_block_bytes(b, c->ta_off), cw_evm_block_bytes(b, t->ta_off),
                        t->ta_len * sizeof(uint32_t)))
                c->status = 0;
        }
    }
    return 0;
}

/* one callTracer frame and its calls, depth first */
static int decode_frame(dctx *d, json_t *f, const cw_evm_tx *tx, uint32_t *path, size_t depth,
                        bool parent_ok)
{
    cw_evm_block *b = d->b;
    if (depth > 1024)
        return bad(d, "calls", "nested too deep");
    if (!json_is_object(f))
        return bad(d, "result", "not a call frame");
    int rc = 0;
    const char *ty = str_field(d, f, "type", true, &rc);
    if (!ty)
        return rc;
    cw_evm_trace *t = cw_evm_block_add_trace(b);
    if (!t)
        return CW_ENOMEM;
    size_t ti = (size_t)(t - b->traces);
    t->tx_hash = tx->hash;
    t->tx_index = tx->index;
    const char *err = str_field(d, f, "error", false, &rc);
    if (rc)
        return rc;
    if ((rc = put_error(b, t, err)) || (rc = put_trace_addr(b, t, path, depth)))
        return rc;
    bool hf = false, ht = false;
    if (!strcasecmp(ty, "CREATE") || !strcasecmp(ty, "CREATE2")) {
        t->type = CW_EVM_TRACE_CREATE;
    } else if (!strcasecmp(ty, "SELFDESTRUCT")) {
        t->type = CW_EVM_TRACE_SUICIDE;
    } else {
        t->type = CW_EVM_TRACE_CALL;
        if (call_type(ty, &t->call_type))
            return bad(d, "type", "unknown call frame type");
    }
    cw_evm_addr from, to;
    cw_u256 value;
    if ((rc = get_addr(d, f, "from", true, &from, &hf)) ||
        (rc = get_addr(d, f, "to", false, &to, &ht)) ||
        (rc = get_u256(d, f, "value", false, &value)))
        return rc;
    t = &b->traces[ti];
    t->from = from;
    t->to = to;
    t->value = value;
    t->has_from = hf;
    t->has_to = ht;
    bool ok = parent_ok && !(err && *err);
    t->status = ok ? 1 : 0;
    json_t *calls = json_object_get(f, "calls");
    if (calls && !json_is_array(calls))
        return bad(d, "calls", "not a list");
    size_t i;
    json_t *c;
    uint32_t *p = path;
    json_array_foreach(calls, i, c)
    {
        p[depth] = (uint32_t)i;
        if ((rc = decode_frame(d, c, tx, p, depth + 1, ok)))
            return rc;
    }
    return 0;
}

static int decode_geth(dctx *d, json_t *arr)
{
    cw_evm_block *b = d->b;
    if (!json_is_array(arr))
        return bad(d, "traces", "not a list");
    if (json_array_size(arr) != b->n_txs)
        return bad(d, "traces", "not one call tree per transaction");
    uint32_t path[1025];
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        snprintf(d->where, sizeof d->where, "traces[%zu]", i);
        if (!json_is_object(o))
            return bad(d, "", "not an object");
        const cw_evm_tx *tx = NULL;
        json_t *h = json_object_get(o, "txHash");
        if (h) {
            cw_evm_hash hh;
            int rc = get_hash(d, o, "txHash", true, &hh);
            if (rc)
                return rc;
            tx = tx_by_hash(b, &hh);
            if (!tx)
                return bad(d, "txHash", "names no transaction of the block");
        } else {
            /* older geth: results in transaction order without hashes */
            for (size_t k = 0; k < b->n_txs; k++)
                if (b->txs[k].index == i)
                    tx = &b->txs[k];
            if (!tx)
                return bad(d, "", "no transaction at this position");
        }
        if (json_object_get(o, "error") && !json_object_get(o, "result"))
            return bad(d, "error", "the node could not trace this transaction");
        int rc = decode_frame(d, json_object_get(o, "result"), tx, path, 0, true);
        if (rc)
            return rc;
    }
    *d->where = 0;
    return 0;
}

int cw_evm_rpc__decode(cw_evm_block *b, json_t *blk, json_t *receipts, json_t *traces,
                       int trace_kind, const char *ctx)
{
    cw_evm_block_reset(b);
    dctx d = {b, ctx, ""};
    int rc;
    if (!json_is_object(blk))
        return cw_error_set(CW_ECORRUPT, "%s: no such block (the node returned %s)", ctx,
                            blk && json_is_null(blk) ? "null" : "no object");
    uint64_t tsv;
    if ((rc = get_u64(&d, blk, "number", true, &b->number)) ||
        (rc = get_hash(&d, blk, "hash", true, &b->hash)) ||
        (rc = get_hash(&d, blk, "parentHash", true, &b->parent_hash)) ||
        (rc = get_u64(&d, blk, "timestamp", true, &tsv)) ||
        (rc = get_addr(&d, blk, "miner", true, &b->miner, NULL)) ||
        (rc = get_u64(&d, blk, "gasUsed", true, &b->gas_used)) ||
        (rc = get_u64(&d, blk, "gasLimit", true, &b->gas_limit)))
        return rc;
    b->timestamp = tsv;
    json_t *bf = json_object_get(blk, "baseFeePerGas");
    if (bf && !json_is_null(bf)) {
        if ((rc = get_u256(&d, blk, "baseFeePerGas", true, &b->base_fee)))
            return rc;
        b->has_base_fee = true;
    }
    json_t *txs = json_object_get(blk, "transactions");
    if (!json_is_array(txs))
        return bad(&d, "transactions", "missing");
    size_t i;
    json_t *t;
    json_array_foreach(txs, i, t)
    {
        snprintf(d.where, sizeof d.where, "transactions[%zu]", i);
        if (!json_is_object(t))
            return bad(&d, "",
                       "a transaction hash, not the transaction (full transactions needed)");
        cw_evm_tx *tx = cw_evm_block_add_tx(b);
        if (!tx)
            return CW_ENOMEM;
        if ((rc = decode_tx(&d, t, tx)))
            return rc;
    }
    b->tx_count = b->n_txs;
    json_t *wd = json_object_get(blk, "withdrawals");
    if (wd && !json_is_null(wd)) {
        if (!json_is_array(wd))
            return bad(&d, "withdrawals", "not a list");
        json_array_foreach(wd, i, t)
        {
            snprintf(d.where, sizeof d.where, "withdrawals[%zu]", i);
            cw_evm_withdrawal *w = cw_evm_block_add_withdrawal(b);
            if (!w)
                return CW_ENOMEM;
            if (!json_is_object(t))
                return bad(&d, "", "not an object");
            if ((rc = get_u64(&d, t, "index", true, &w->index)) ||
                (rc = get_u64(&d, t, "validatorIndex", true, &w->validator_index)) ||
                (rc = get_addr(&d, t, "address", true, &w->address, NULL)) ||
                (rc = get_u64(&d, t, "amount", true, &w->amount_gwei)))
                return rc;
        }
    }
    *d.where = 0;
    /* receipts (some nodes answer null for a block without transactions) */
    if (json_is_null(receipts) && b->n_txs == 0)
        receipts = NULL;
    else if (!json_is_array(receipts))
        return bad(&d, "receipts", "missing (eth_getBlockReceipts answered no list)");
    if (receipts && json_array_size(receipts) != b->n_txs)
        return bad(&d, "receipts", "not one receipt per transaction");
    json_array_foreach(receipts, i, t)
    {
        snprintf(d.where, sizeof d.where, "receipts[%zu]", i);
        if (!json_is_object(t))
            return bad(&d, "", "not an object");
        json_t *bh = json_object_get(t, "blockHash");
        if (bh) {
            cw_evm_hash h;
            if ((rc = get_hash(&d, t, "blockHash", true, &h)))
                return rc;
            if (memcmp(h.b, b->hash.b, 32))
                return bad(&d, "blockHash", "a receipt of another block (a reorg while reading)");
        }
        if ((rc = decode_receipt(&d, t, b)))
            return rc;
    }
    *d.where = 0;
    b->has_receipts = true;
    b->has_logs = true;
    if (json_is_null(traces) && b->n_txs == 0)
        trace_kind = trace_kind ? -1 : 0; /* null for a block without transactions */
    if (trace_kind == 1)
        rc = decode_parity(&d, traces);
    else if (trace_kind == 2)
        rc = decode_geth(&d, traces);
    if (rc)
        return rc;
    b->has_traces = trace_kind != 0;
    return 0;
}

int cw_evm_rpc__genesis(cw_evm_block *b, json_t *alloc)
{
    dctx d = {b, "block 0", ""};
    size_t i;
    json_t *a;
    json_array_foreach(alloc, i, a)
    {
        snprintf(d.where, sizeof d.where, "genesis[%zu]", i);
        cw_evm_trace *t = cw_evm_block_add_trace(b);
        if (!t)
            return CW_ENOMEM;
        bool has = false;
        int rc;
        if ((rc = get_addr(&d, a, "address", true, &t->to, &has)) ||
            (rc = get_u256(&d, a, "balance", true, &t->value)))
            return rc;
        t->has_to = has;
        t->type = CW_EVM_TRACE_GENESIS;
        t->tx_index = UINT32_MAX;
        t->status = 1;
    }
    return 0;
}

int cw_evm_rpc_decode_block(cw_evm_block *b, const char *block_json, size_t block_len,
                            const char *receipts_json, size_t receipts_len, const char *traces_json,
                            size_t traces_len, int trace_kind)
{
    json_error_t je;
    json_t *blk = json_loadb(block_json, block_len, 0, &je);
    json_t *rc_ = receipts_json ? json_loadb(receipts_json, receipts_len, 0, &je) : NULL;
    json_t *tr = traces_json && trace_kind ? json_loadb(traces_json, traces_len, 0, &je) : NULL;
    int rc;
    if (!blk)
        rc = cw_error_set(CW_ECORRUPT, "block: JSON: %s", je.text);
    else if (!rc_)
        rc = cw_error_set(CW_ECORRUPT, "receipts: missing or not JSON");
    else if (trace_kind && !tr)
        rc = cw_error_set(CW_ECORRUPT, "traces: missing or not JSON");
    else if (!(rc = cw_evm_rpc__decode(b, blk, rc_, tr, trace_kind, "block")))
        rc = cw_evm_block_finish(b);
    json_decref(blk);
    json_decref(rc_);
    json_decref(tr);
    return rc;
}

/* ---- token metadata: the answers to eth_call symbol() and decimals() ---- */

/* "0x..." into bytes; n bytes or -1 (odd length, not hex, more than cap) */
static long hex_blob(const char *s, uint8_t *out, size_t cap)
{
    if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return -1;
    s += 2;
    size_t n = strlen(s);
    if (n % 2 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (long)(n / 2);
}

/* a big-endian 32-byte word at p that fits in 64 bits, or UINT64_MAX */
static uint64_t word_u64(const uint8_t *p)
{
    for (int i = 0; i < 24; i++)
        if (p[i])
            return UINT64_MAX;
    uint64_t v = 0;
    for (int i = 24; i < 32; i++)
        v = v << 8 | p[i];
    return v;
}

void cw_evm_rpc_decode_token_meta(cw_evm_token *t, const char *symbol_hex, const char *decimals_hex)
{
    uint8_t buf[1024];
    memset(t->symbol, 0, sizeof t->symbol);
    t->decimals = -1;
    long n = hex_blob(symbol_hex, buf, sizeof buf);
    const uint8_t *sym = NULL;
    size_t len = 0;
    if (n == 32) { /* bytes32 (MKR, SAI): NUL-padded on the right */
        sym = buf;
        while (len < 32 && buf[len])
            len++;
    } else if (n >= 64) { /* an ABI string: offset, then length and bytes there */
        uint64_t off = word_u64(buf), l;
        if (off != UINT64_MAX && off <= (uint64_t)n - 32 &&
            (l = word_u64(buf + off)) <= (uint64_t)n - 32 - off) {
            sym = buf + off + 32;
            len = (size_t)l;
        }
    }
    /* as tokens.csv's symbols are read: UTF-8 without control characters, at most 47 bytes */
    if (sym)
        cw_evm_token_set_symbol(t, sym, len);
    if (hex_blob(decimals_hex, buf, sizeof buf) == 32) {
        uint64_t d = word_u64(buf);
        if (d <= 255)
            t->decimals = (int)d;
    }
}
