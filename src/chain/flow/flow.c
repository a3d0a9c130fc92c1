/*
 * flow.c: the chain-neutral value-flow interface (chainwatch/flow.h) over the Bitcoin store
 * (btc/store.h) and the EVM store (evm/store.h). The kind comes from the store's MANIFEST.
 *
 * Bitcoin: an address's incoming flows are the outputs paid to it (addrlast.col, then
 * outlink.col, newest first), its outgoing flows the same outputs where spent (outs.col
 * spending_tx), reported at the spending tx. Counterparties are not resolved (several inputs
 * and outputs): CW_FLOW_NONE. EVM: the movements of its in and out chains, merged newest first.
 */
#include <stdio.h>
#include <string.h>

#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/flow.h"
#include "chainwatch/util.h"

struct cw_flow_store {
    cw_flow_kind kind;
    cw_chainstore *btc;
    cw_evmstore *evm;
};

int cw_flow_open(cw_flow_store **out, const char *dir)
{
    *out = NULL;
    cw_flow_store *s = cw_calloc(1, sizeof *s);
    if (!s)
        return cw_error_set(CW_ENOMEM, "out of memory");
    int rc;
    if (cw_evmstore_detect(dir)) {
        s->kind = CW_FLOW_EVM;
        rc = cw_evmstore_open(&s->evm, dir, false, NULL);
    } else {
        s->kind = CW_FLOW_BITCOIN;
        rc = cw_chainstore_open(&s->btc, dir, false, CW_NET_MAIN);
    }
    if (rc) {
        cw_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void cw_flow_close(cw_flow_store *s)
{
    if (!s)
        return;
    if (s->btc)
        cw_chainstore_close(s->btc);
    if (s->evm)
        cw_evmstore_close(s->evm);
    cw_free(s);
}

cw_flow_kind cw_flow_store_kind(const cw_flow_store *s)
{
    return s->kind;
}

const char *cw_flow_chain_name(const cw_flow_store *s)
{
    return s->kind == CW_FLOW_EVM ? cw_evmstore_chain(s->evm)->name : "bitcoin";
}

int cw_flow_resolve(const cw_flow_store *s, const char *address, uint64_t *id)
{
    if (s->kind == CW_FLOW_EVM) {
        cw_evm_addr a;
        if (cw_evm_addr_parse(&a, address, strlen(address)))
            return cw_error_set(CW_EINVAL, "'%s' is not an EVM address (0x + 40 hex digits)",
                                address);
        uint32_t u;
        int rc = cw_evmstore_find_account(s->evm, &a, &u);
        if (!rc)
            *id = u;
        return rc;
    }
    cw_addr_key k;
    int rc = cw_addr_decode(&k, address, cw_chainstore_network(s->btc));
    if (rc)
        return rc;
    return cw_chainstore_find_addr(s->btc, &k, id);
}

int cw_flow_address(const cw_flow_store *s, uint64_t id, char *buf, size_t n)
{
    if (s->kind == CW_FLOW_EVM) {
        const cw_evm_row_account *a =
            id < UINT32_MAX ? cw_evmstore_account(s->evm, (uint32_t)id) : NULL;
        if (!a)
            return cw_error_set(CW_ENOTFOUND, "no account %llu", (unsigned long long)id);
        if (n < 43)
            return cw_error_set(CW_EINVAL, "buffer too small");
        cw_evm_addr_hex(buf, (const cw_evm_addr *)a->addr);
        return 0;
    }
    if (id >= cw_chainstore_counts_get(s->btc).addrs)
        return cw_error_set(CW_ENOTFOUND, "no address %llu", (unsigned long long)id);
    return cw_addr_encode(buf, n, cw_chainstore_addr(s->btc, id), cw_chainstore_network(s->btc));
}

int cw_flow_asset(const cw_flow_store *s, uint32_t asset, char *symbol, size_t n, int *decimals)
{
    if (s->kind == CW_FLOW_BITCOIN) {
        if (asset != 0)
            return cw_error_set(CW_ENOTFOUND, "Bitcoin has one asset");
        snprintf(symbol, n, "BTC");
        *decimals = 8;
        return 0;
    }
    const cw_evm_row_asset *a = cw_evmstore_asset(s->evm, asset);
    if (!a)
        return cw_error_set(CW_ENOTFOUND, "no asset %u", asset);
    snprintf(symbol, n, "%.*s", (int)sizeof a->symbol, a->symbol);
    *decimals = a->decimals == 255 ? -1 : a->decimals;
    return 0;
}

static int each_evm(const cw_flow_store *s, uint64_t id, unsigned dirs, cw_flow_fn fn, void *ctx)
{
    cw_evm_row_acctlast l;
    if (id >= UINT32_MAX)
        return cw_error_set(CW_ENOTFOUND, "no account %llu", (unsigned long long)id);
    int rc = cw_evmstore_acctlast(s->evm, (uint32_t)id, &l);
    if (rc)
        return rc;
    uint64_t pi = dirs & 1 ? l.last_in : CW_EVM_NONE64, po = dirs & 2 ? l.last_out : CW_EVM_NONE64;
    while (pi != CW_EVM_NONE64 || po != CW_EVM_NONE64) {
        bool in = po == CW_EVM_NONE64 || (pi != CW_EVM_NONE64 && pi >= po);
        uint64_t m = in ? pi : po;
        const cw_evm_row_move *mv = cw_evmstore_move(s->evm, m);
        const cw_evm_movelink ln = cw_evmstore_movelink(s->evm, m);
        if (!mv)
            return cw_error_set(CW_ECORRUPT, "movement chain leaves the store");
        cw_flow f;
        memset(&f, 0, sizeof f);
        f.incoming = in;
        f.asset = mv->asset;
        f.amount = cw_evmstore_move_amount(s->evm, mv);
        uint32_t other = in ? mv->from : mv->to;
        f.counterparty = other == CW_EVM_NONE32 ? CW_FLOW_NONE : other;
        f.tx = mv->tx;
        f.position = m;
        f.height = mv->block;
        const cw_evm_row_block *b = cw_evmstore_block(s->evm, mv->block);
        f.time = b ? b->timestamp : 0;
        f.kind = mv->kind;
        f.probable = mv->flags & CW_EVM_MOVEF_STATUS_UNKNOWN;
        if (in)
            pi = ln.prev_in;
        else
            po = ln.prev_out;
        if ((rc = fn(&f, ctx)))
            return rc;
    }
    return 0;
}

static int each_btc(const cw_flow_store *s, uint64_t id, unsigned dirs, cw_flow_fn fn, void *ctx)
{
    const cw_chainstore *cs = s->btc;
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    if (id >= c.addrs)
        return cw_error_set(CW_ENOTFOUND, "no address %llu", (unsigned long long)id);
    /* outputs newest first; a spend is reported before the output it spends, ordered by the
     * spending tx only when it is later than the next output (good enough: newest first by
     * output, each output's spend just before it) */
    for (uint64_t o = cw_chainstore_addr_last(cs, id); o != CW_NONE64 && o < c.outs;
         o = cw_chainstore_outlink(cs, o)) {
        const cw_row_out *out = cw_chainstore_out(cs, o);
        uint64_t tx = cw_chainstore_out_tx(cs, o);
        cw_flow f;
        memset(&f, 0, sizeof f);
        cw_u256_from_u64(&f.amount, cw_out_value(out));
        f.counterparty = CW_FLOW_NONE;
        f.position = o;
        if ((dirs & 2) && out->spending_tx != CW_NONE32 && out->spending_tx < c.txs) {
            uint64_t br = cw_chainstore_tx_block(cs, out->spending_tx);
            const cw_row_block *b = cw_chainstore_block(cs, br);
            f.incoming = false;
            f.tx = out->spending_tx;
            f.height = b->height;
            f.time = b->time;
            int rc = fn(&f, ctx);
            if (rc)
                return rc;
        }
        if (dirs & 1) {
            const cw_row_block *b = cw_chainstore_block(cs, cw_chainstore_tx_block(cs, tx));
            f.incoming = true;
            f.tx = tx;
            f.height = b->height;
            f.time = b->time;
            int rc = fn(&f, ctx);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int cw_flow_each(const cw_flow_store *s, uint64_t id, unsigned dirs, cw_flow_fn fn, void *ctx)
{
    return s->kind == CW_FLOW_EVM ? each_evm(s, id, dirs, fn, ctx) : each_btc(s, id, dirs, fn, ctx);
}
