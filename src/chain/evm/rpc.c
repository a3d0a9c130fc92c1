/*
 * rpc.c: the JSON-RPC client (libcurl, jansson) and the follower behind
 * `chainwatch ingest evm --rpc URL` (evm/rpc.h, docs/INGEST-EVM-RPC.md).
 *
 * One HTTP connection is reused for every request; each request has a timeout. An answer
 * with an `error` member, an HTTP status other than 200, a body that is not JSON, or a timeout
 * is CW_EIO with the method, the block and the node's message. The follower reads the node's
 * tip, then for each next block: the block with full transactions, its receipts, its traces;
 * if the block's parent is not the store's tip, the store rolls back one block and the block
 * before is read again (a reorg), up to max_reorg blocks. Commits every commit_blocks blocks and
 * at the end, so an error or a stop leaves the store at a commit.
 *
 * Token metadata: for the contract of each ERC-20 Transfer log whose token the store does not
 * hold yet, symbol() and decimals() are asked with eth_call at that block, so that an RPC-filled
 * store names its tokens as a tokens.csv-filled one does. Once a block carrying them is appended
 * the writer keeps them for the pass (rolled back and re-created assets find them again), so
 * they are asked once per contract and pass; a block dropped by a reorg before its append does
 * not count. A call the node answers with a JSON-RPC error (a revert: no such function) leaves
 * them unknown.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/evm/rpc_int.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/rpc.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/util.h"
#include "util/u64map.h"

typedef struct rpc {
    CURL *curl;
    struct curl_slist *hdr;
    const char *url;
    long timeout_ms;
    uint64_t id;
    uint64_t requests;
    bool rpc_error; /* the last failure was the node's JSON-RPC error answer (not transport) */
    char *buf;
    size_t len, cap;
    char errbuf[CURL_ERROR_SIZE];
} rpc;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    rpc *r = ud;
    size_t k = size * n;
    if (r->len + k + 1 > r->cap) {
        size_t nc = r->cap ? r->cap : 65536;
        while (nc < r->len + k + 1)
            nc *= 2;
        if (nc > (size_t)1 << 31)
            return 0; /* an answer above 2 GiB: refuse */
        char *q = realloc(r->buf, nc);
        if (!q)
            return 0;
        r->buf = q;
        r->cap = nc;
    }
    memcpy(r->buf + r->len, p, k);
    r->len += k;
    r->buf[r->len] = 0;
    return k;
}

static int rpc_open(rpc *r, const char *url, double timeout_s)
{
    memset(r, 0, sizeof *r);
    r->url = url;
    r->timeout_ms = (long)((timeout_s > 0 ? timeout_s : 30.0) * 1000.0);
    if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
        return cw_error_set(CW_EINVAL, "node URL %s: expected an http:// or https:// URL", url);
    r->curl = curl_easy_init();
    if (!r->curl)
        return cw_error_set(CW_ENOMEM, "curl_easy_init failed");
    r->hdr = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(r->curl, CURLOPT_URL, url);
    curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, r->hdr);
    curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(r->curl, CURLOPT_TIMEOUT_MS, r->timeout_ms);
    curl_easy_setopt(r->curl, CURLOPT_CONNECTTIMEOUT_MS, r->timeout_ms);
    curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(r->curl, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(r->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    return 0;
}

static void rpc_close(rpc *r)
{
    if (r->curl)
        curl_easy_cleanup(r->curl);
    curl_slist_free_all(r->hdr);
    free(r->buf);
    memset(r, 0, sizeof *r);
}

/* Calls method with params (stolen); *out receives the `result` (owned; may be JSON null). */
static int rpc_call(rpc *r, const char *method, json_t *params, const char *ctx, json_t **out)
{
    *out = NULL;
    json_t *req = json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id", (json_int_t)++r->id,
                            "method", method, "params", params);
    if (!req)
        return cw_error_set(CW_ENOMEM, "out of memory");
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (!body)
        return cw_error_set(CW_ENOMEM, "out of memory");
    r->len = 0;
    r->errbuf[0] = 0;
    r->rpc_error = false;
    curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, body);
    CURLcode cc = curl_easy_perform(r->curl);
    r->requests++;
    free(body);
    if (cc == CURLE_OPERATION_TIMEDOUT)
        return cw_error_set(CW_EIO, "%s %s (%s): no answer within %.1f s (timeout)", r->url, method,
                            ctx, (double)r->timeout_ms / 1000.0);
    if (cc != CURLE_OK)
        return cw_error_set(CW_EIO, "%s %s (%s): %s", r->url, method, ctx,
                            r->errbuf[0] ? r->errbuf : curl_easy_strerror(cc));
    long code = 0;
    curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &code);
    json_error_t je;
    json_t *ans = r->len ? json_loadb(r->buf, r->len, 0, &je) : NULL;
    if (code != 200 && !(ans && json_object_get(ans, "error"))) {
        json_decref(ans);
        return cw_error_set(CW_EIO, "%s %s (%s): HTTP status %ld", r->url, method, ctx, code);
    }
    if (!ans)
        return cw_error_set(CW_EIO, "%s %s (%s): the answer is not JSON (%s)", r->url, method, ctx,
                            r->len ? je.text : "empty body");
    json_t *err = json_object_get(ans, "error");
    if (err && !json_is_null(err)) {
        json_t *m = json_object_get(err, "message");
        json_t *c = json_object_get(err, "code");
        r->rpc_error = true;
        int rc = cw_error_set(CW_EIO, "%s %s (%s): JSON-RPC error %lld: %s", r->url, method, ctx,
                              (long long)(json_is_integer(c) ? json_integer_value(c) : 0),
                              json_is_string(m) ? json_string_value(m) : "(no message)");
        json_decref(ans);
        return rc;
    }
    json_t *res = json_object_get(ans, "result");
    if (!res) {
        json_decref(ans);
        return cw_error_set(CW_EIO, "%s %s (%s): an answer without result or error", r->url, method,
                            ctx);
    }
    *out = json_incref(res);
    json_decref(ans);
    return 0;
}

static bool unsupported(void)
{
    /* the node does not know the method (-32601) or refuses its parameters as such */
    const char *m = cw_error_last();
    return strstr(m, "-32601") || strstr(m, "ethod not found") || strstr(m, "not supported") ||
           strstr(m, "does not exist") || strstr(m, "not available") ||
           strstr(m, "ethod not supported");
}

static int hex_u64(json_t *v, uint64_t *out)
{
    if (!json_is_string(v))
        return -1;
    const char *s = json_string_value(v);
    size_t n = strlen(s);
    if (n < 3 || n > 18 || s[0] != '0' || s[1] != 'x')
        return -1;
    uint64_t x = 0;
    for (size_t i = 2; i < n; i++) {
        char c = s[i];
        int h = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (h < 0)
            return -1;
        x = (x << 4) | (uint64_t)h;
    }
    *out = x;
    return 0;
}

/* Block 0's opening balances. JSON-RPC has no call for the genesis allocation; a development
 * node (anvil, hardhat) lists its funded accounts in eth_accounts, so their nonzero balances
 * at block 0 are recorded as genesis allocations. Elsewhere eth_accounts is empty or refused
 * and nothing is added: such a store does not start from a known opening. */
static int genesis(rpc *r, cw_evm_block *b)
{
    json_t *acc = NULL;
    if (rpc_call(r, "eth_accounts", json_array(), "block 0", &acc) != 0 || !json_is_array(acc)) {
        json_decref(acc);
        return 0;
    }
    json_t *alloc = json_array();
    size_t i;
    json_t *a;
    int rc = 0;
    json_array_foreach(acc, i, a)
    {
        if (!json_is_string(a))
            continue;
        json_t *bal = NULL;
        if ((rc = rpc_call(r, "eth_getBalance", json_pack("[O, s]", a, "0x0"), "block 0", &bal)))
            break;
        if (json_is_string(bal) && strcmp(json_string_value(bal), "0x0"))
            json_array_append_new(alloc, json_pack("{s:O, s:O}", "address", a, "balance", bal));
        json_decref(bal);
    }
    if (!rc)
        rc = cw_evm_rpc__genesis(b, alloc);
    json_decref(alloc);
    json_decref(acc);
    return rc;
}

/* keccak256("Transfer(address,address,uint256)") */
static const uint8_t TRANSFER_TOPIC[32] = {
    0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0, 0x68, 0xfc, 0x37, 0x8d, 0xaa,
    0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4, 0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef};

/* eth_call `selector` on `to` at block q: *hex the result (owned, or NULL when the node
 * answered with a JSON-RPC error, e.g. a revert). Transport failures are errors. */
static int call_view(rpc *r, const char *to, const char *selector, const char *q, const char *ctx,
                     char **hex)
{
    *hex = NULL;
    json_t *res = NULL;
    int rc = rpc_call(r, "eth_call", json_pack("[{s:s, s:s}, s]", "to", to, "data", selector, q),
                      ctx, &res);
    if (rc && r->rpc_error) {
        cw_error_clear();
        return 0;
    }
    if (!rc && json_is_string(res) && !(*hex = strdup(json_string_value(res))))
        rc = cw_error_set(CW_ENOMEM, "out of memory");
    json_decref(res);
    return rc;
}

/* A set of addresses: a hash map from a fold of the 20 bytes to indexes into v (exact). */
typedef struct addrset {
    cw_u64map map;
    cw_evm_addr *v;
    size_t n, cap;
} addrset;

static uint64_t addr_key(const cw_evm_addr *a)
{
    uint64_t x, y;
    uint32_t z;
    memcpy(&x, a->b, 8);
    memcpy(&y, a->b + 8, 8);
    memcpy(&z, a->b + 16, 4);
    return x ^ (y * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)z << 29);
}

static bool addrset_has(const addrset *set, const cw_evm_addr *a)
{
    uint64_t cur = 0, i;
    while (cw_u64map_next(&set->map, addr_key(a), &cur, &i))
        if (!memcmp(set->v[i].b, a->b, 20))
            return true;
    return false;
}

static int addrset_add(addrset *set, const cw_evm_addr *a)
{
    if (addrset_has(set, a))
        return 0;
    if (cw_grow(&set->v, &set->cap, set->n + 1, sizeof *set->v, 64))
        return -1;
    set->v[set->n] = *a;
    if (cw_u64map_put(&set->map, addr_key(a), set->n))
        return cw_error_set(CW_ENOMEM, "out of memory");
    set->n++;
    return 0;
}

static void addrset_free(addrset *set)
{
    cw_u64map_deinit(&set->map);
    free(set->v);
    memset(set, 0, sizeof *set);
}

/* Metadata of the tokens whose first ERC-20 Transfer is in b, added to b->tokens: not for a
 * contract the store holds an asset for, nor one in `registered` (the writer has its metadata:
 * an appended block of this pass carried it), nor one already in b->tokens. */
static int token_meta(rpc *r, const cw_evmstore *s, const addrset *registered, cw_evm_block *b,
                      const char *q, const char *ctx)
{
    for (size_t i = 0; i < b->n_logs; i++) {
        const cw_evm_log *l = &b->logs[i];
        if (l->n_topics != 3 || l->data_len != 32 || memcmp(l->topics[0].b, TRANSFER_TOPIC, 32))
            continue;
        bool known = addrset_has(registered, &l->address);
        for (size_t k = 0; !known && k < b->n_tokens; k++)
            known = !memcmp(b->tokens[k].address.b, l->address.b, 20);
        uint32_t id, asset;
        if (!known && !cw_evmstore_find_account(s, &l->address, &id) &&
            !cw_evmstore_find_asset(s, id, &asset))
            known = true;
        cw_error_clear();
        if (known)
            continue;
        char to[43] = "0x", *sym = NULL, *dec = NULL;
        cw_hex_encode(to + 2, l->address.b, 20);
        int rc = call_view(r, to, "0x95d89b41", q, ctx, &sym); /* symbol() */
        if (!rc)
            rc = call_view(r, to, "0x313ce567", q, ctx, &dec); /* decimals() */
        cw_evm_token *t = rc ? NULL : cw_evm_block_add_token(b);
        if (!rc && !t)
            rc = CW_ENOMEM;
        if (t) {
            cw_evm_rpc_decode_token_meta(t, sym, dec);
            t->address = l->address;
        }
        free(sym);
        free(dec);
        if (rc)
            return rc;
    }
    return 0;
}

/* Fetches and decodes block n. *trace_kind: 1 trace_block, 2 debug; probed when 0 (auto). */
static int fetch_block(rpc *r, const cw_evmstore *s, const addrset *tokens, cw_evm_block *b,
                       uint64_t n, cw_evm_rpc_traces mode, int *trace_kind)
{
    char q[32], ctx[48];
    snprintf(q, sizeof q, "0x%llx", (unsigned long long)n);
    snprintf(ctx, sizeof ctx, "block %llu", (unsigned long long)n);
    json_t *blk = NULL, *rcpts = NULL, *tr = NULL;
    int rc = rpc_call(r, "eth_getBlockByNumber", json_pack("[s, b]", q, 1), ctx, &blk);
    if (rc)
        goto out;
    if (json_is_null(blk)) {
        rc = cw_error_set(CW_ENOTFOUND, "%s: the node has no block %llu", r->url,
                          (unsigned long long)n);
        goto out;
    }
    if ((rc = rpc_call(r, "eth_getBlockReceipts", json_pack("[s]", q), ctx, &rcpts)))
        goto out;
    if (mode != CW_EVM_RPC_TRACES_NONE) {
        if (*trace_kind == 0 || *trace_kind == 1) {
            rc = rpc_call(r, "trace_block", json_pack("[s]", q), ctx, &tr);
            if (!rc)
                *trace_kind = 1;
            else if (*trace_kind == 0 && mode == CW_EVM_RPC_TRACES_AUTO && unsupported())
                rc = 1; /* try the other */
            else
                goto out;
        }
        if (*trace_kind == 2 || rc == 1) {
            rc = rpc_call(r, "debug_traceBlockByNumber",
                          json_pack("[s, {s:s}]", q, "tracer", "callTracer"), ctx, &tr);
            if (rc)
                goto out;
            *trace_kind = 2;
        }
    }
    rc = cw_evm_rpc__decode(b, blk, rcpts, tr, mode == CW_EVM_RPC_TRACES_NONE ? 0 : *trace_kind,
                            ctx);
    if (!rc)
        rc = token_meta(r, s, tokens, b, q, ctx);
    if (!rc && n == 0)
        rc = genesis(r, b);
    if (!rc)
        rc = cw_evm_block_finish(b);
out:
    json_decref(blk);
    json_decref(rcpts);
    json_decref(tr);
    return rc;
}

int cw_evm_rpc_follow(const cw_evm_rpc_opts *o, cw_evm_rpc_stats *st)
{
    memset(st, 0, sizeof *st);
    st->tip = -1;
    st->node_tip = -1;
    st->traces_used = "none";
    double t0 = cw_now();
    rpc r;
    cw_evmstore *s = NULL;
    cw_evm_block b;
    cw_evm_block_init(&b);
    cw_progress *prog = NULL;
    addrset tokens = {0}; /* token contracts whose metadata the writer got this pass */
    int rc = rpc_open(&r, o->url, o->timeout_s);
    if (rc)
        goto out;
    json_t *res = NULL;
    if ((rc = rpc_call(&r, "eth_blockNumber", json_array(), "tip", &res)))
        goto out;
    uint64_t node_tip = 0;
    if (hex_u64(res, &node_tip)) {
        json_decref(res);
        rc = cw_error_set(CW_ECORRUPT, "%s eth_blockNumber: not a hex quantity", o->url);
        goto out;
    }
    json_decref(res);
    st->node_tip = (int64_t)node_tip;
    if ((rc = cw_evmstore_open(&s, o->store_dir, true, o->chain)))
        goto out;
    uint32_t max_reorg = o->max_reorg ? o->max_reorg : 64;
    /* the store's tip must still be on the node's chain: a reorg to a branch no longer than
     * ours shows only here */
    for (uint32_t depth = 0;; depth++) {
        int64_t t = cw_evmstore_tip(s);
        if (t < 0)
            break;
        if (depth > max_reorg) {
            rc = cw_error_set(CW_ECORRUPT,
                              "%s: a reorg deeper than %u blocks below block %lld: "
                              "refused",
                              o->url, max_reorg, (long long)t);
            goto out;
        }
        bool same = false;
        if ((uint64_t)t <= node_tip) {
            char q[32], ctx[48];
            snprintf(q, sizeof q, "0x%llx", (unsigned long long)t);
            snprintf(ctx, sizeof ctx, "block %lld", (long long)t);
            json_t *h = NULL;
            if ((rc = rpc_call(&r, "eth_getBlockByNumber", json_pack("[s, b]", q, 0), ctx, &h)))
                goto out;
            json_t *hv = json_is_object(h) ? json_object_get(h, "hash") : NULL;
            cw_evm_hash hh;
            const cw_evm_row_block *row = cw_evmstore_block(s, (uint64_t)t);
            same = json_is_string(hv) &&
                   !cw_evm_hash_parse(&hh, json_string_value(hv), json_string_length(hv)) && row &&
                   !memcmp(row->hash, hh.b, 32);
            json_decref(h);
        }
        if (same)
            break;
        if ((rc = cw_evmstore_rollback(s, t - 1)))
            goto out;
        st->rolled_back++;
    }
    uint64_t last =
        o->to_block >= 0 && (uint64_t)o->to_block < node_tip ? (uint64_t)o->to_block : node_tip;
    int64_t tip = cw_evmstore_tip(s);
    uint64_t next =
        tip >= 0 ? (uint64_t)tip + 1 : (uint64_t)(o->from_block > 0 ? o->from_block : 0);
    uint64_t commit_every = o->commit_blocks ? o->commit_blocks : 100;
    uint64_t since_commit = 0, reorg_depth = 0;
    int trace_kind = o->traces == CW_EVM_RPC_TRACES_PARITY ? 1
                     : o->traces == CW_EVM_RPC_TRACES_GETH ? 2
                                                           : 0;
    if (o->progress && last >= next)
        prog = cw_progress_new("ingest evm rpc", last - next + 1, "block");
    uint64_t first = next;
    while (next <= last) {
        if (o->stop && *o->stop) {
            rc = CW_EINTR;
            break;
        }
        if ((rc = fetch_block(&r, s, &tokens, &b, next, o->traces, &trace_kind)))
            break;
        tip = cw_evmstore_tip(s);
        if (tip >= 0 && (uint64_t)tip + 1 == next) {
            const cw_evm_row_block *t = cw_evmstore_block(s, (uint64_t)tip);
            if (t && memcmp(t->hash, b.parent_hash.b, 32) != 0) {
                /* a reorg: drop our tip and read the block before again */
                if (++reorg_depth > max_reorg) {
                    rc = cw_error_set(CW_ECORRUPT,
                                      "%s: a reorg deeper than %u blocks at block %llu: refused",
                                      o->url, max_reorg, (unsigned long long)next);
                    break;
                }
                if ((rc = cw_evmstore_commit(s)) || (rc = cw_evmstore_rollback(s, tip - 1)))
                    break;
                st->rolled_back++;
                if (st->blocks_added)
                    st->blocks_added--;
                next = (uint64_t)tip;
                continue;
            }
        }
        if ((rc = cw_evmstore_append(s, &b)))
            break;
        for (size_t i = 0; i < b.n_tokens && !rc; i++)
            rc = addrset_add(&tokens, &b.tokens[i].address);
        if (rc)
            break;
        reorg_depth = 0;
        st->blocks_added++;
        st->txs_added += b.n_txs;
        next++;
        if (++since_commit >= commit_every) {
            if ((rc = cw_evmstore_commit(s)))
                break;
            since_commit = 0;
        }
        if (prog)
            cw_progress_update(prog, next - first, st->txs_added, 0);
    }
    /* the pass's blocks are published only when it ends well or is stopped by a signal: after
     * an error (a JSON-RPC error, a timeout, a malformed answer) the store stays at its last
     * commit, as the CSV ingest's does; closing drops the appends since */
    if (s && (!rc || rc == CW_EINTR)) {
        int rc2 = cw_evmstore_commit(s);
        rc = rc2 ? rc2 : rc;
    }
    st->traces_used = o->traces == CW_EVM_RPC_TRACES_NONE ? "none"
                      : trace_kind == 1                   ? "trace_block"
                      : trace_kind == 2                   ? "debug_traceBlockByNumber"
                                                          : "none";
out:
    if (s) {
        st->tip = cw_evmstore_tip(s);
        int rc2 = cw_evmstore_close(s);
        if (!rc)
            rc = rc2;
    }
    st->requests = r.requests;
    cw_progress_free(prog);
    cw_evm_block_free(&b);
    addrset_free(&tokens);
    rpc_close(&r);
    st->seconds = cw_now() - t0;
    return rc;
}
