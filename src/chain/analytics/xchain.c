/*
 * xchain.c: bridge exits out of an account-model trace and their continuation in a Bitcoin
 * store (xchain.h, docs/TRACE-MODELS.md "Cross-chain: bridge exits").
 *
 * Exits: every tainted arrival at a stop of kind bridge, in chain order, with the memo the EVM
 * store kept for its transaction. Destinations: the distinct Bitcoin addresses the exits name;
 * each gets the outputs paying it inside the union of its exits' windows (found by walking the
 * address's outputs backward from its last along the store's per-address output links), scored,
 * and one forward trace of the Bitcoin engine from those that score enough.
 */
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "chainwatch/xchain.h"

struct cw_xchain_result {
    cw_xchain_exit *exits;
    size_t n_exits, cap_exits;
    cw_xchain_dest *dests;
    size_t n_dests, cap_dests;
    cw_xchain_payout *payouts;
    size_t n_payouts, cap_payouts;
};

void cw_xchain_opts_init(cw_xchain_opts *o)
{
    memset(o, 0, sizeof *o);
    o->window_s = 72 * 3600;
    o->before_s = 0;
    o->prompt_s = 6 * 3600;
    o->min_score = 0.2;
    cw_trace_opts_init(&o->btc);
}

const char *cw_xchain_status_name(cw_xchain_status s)
{
    static const char *const n[] = {"continued",          "no memo",     "bad memo",
                                    "no store for chain", "other chain", "bad address",
                                    "not paid in window"};
    return (unsigned)s < sizeof n / sizeof n[0] ? n[s] : "?";
}

const char *cw_xchain_from_name(cw_xchain_from f)
{
    static const char *const n[] = {"memo", "bitcoin address alone", "deposit event",
                                    "deposit call"};
    return (unsigned)f < sizeof n / sizeof n[0] ? n[f] : "?";
}

/* Room for one more element of arr (n used, cap allocated); returns from the caller on failure. */
#define GROW(arr, n, cap)                                                                          \
    do {                                                                                           \
        int rc_ = cw_grow(&(arr), &(cap), (n) + 1, sizeof *(arr), 16);                             \
        if (rc_)                                                                                   \
            return rc_;                                                                            \
    } while (0)

static int cmp_exit(const void *a, const void *b)
{
    uint64_t x = ((const cw_xchain_exit *)a)->move, y = ((const cw_xchain_exit *)b)->move;
    return x < y ? -1 : x > y;
}

/* A memo row that is a Bitcoin address alone (evm/memo.h cw_evm_memo_btc_from_abi: the
 * recipient a bridge without memos names in its deposit's calldata or event), checksum and all:
 * read as a swap to BTC.BTC paying that address. */
static bool bare_btc(cw_evm_memo *pm, const char *s, size_t n)
{
    if (n == 0 || n >= sizeof pm->dest)
        return false;
    char a[sizeof pm->dest];
    memcpy(a, s, n);
    a[n] = '\0';
    static const cw_network nets[] = {CW_NET_MAIN, CW_NET_TEST, CW_NET_REGTEST};
    cw_addr_key key;
    for (int i = 0; i < 3; i++)
        if (cw_addr_decode(&key, a, nets[i]) == 0) {
            memset(pm, 0, sizeof *pm);
            pm->fn = CW_MEMO_SWAP;
            snprintf(pm->chain, sizeof pm->chain, "BTC");
            snprintf(pm->symbol, sizeof pm->symbol, "BTC");
            snprintf(pm->asset, sizeof pm->asset, "BTC.BTC");
            pm->kind = '.';
            memcpy(pm->dest, a, n + 1);
            return true;
        }
    cw_error_clear();
    return false;
}

/* A deposit event's destination row (evm/memo.h cw_evm_memo_dest), or a deposit call's: read as
 * a payout of the recipient on that chain (no asset: the event names none the reader keeps). A
 * call's row names the destination of this exit only: the exit exists because the trace stopped
 * at a bridge recognised otherwise. */
static bool event_dest(cw_xchain_exit *e, const cw_evm_row_memo *m)
{
    cw_evm_memo_dest d;
    if (m->source != CW_EVM_MEMO_SRC_EVENT || cw_evm_memo_dest_parse(&d, m->memo, m->len) != 0) {
        cw_error_clear();
        return false;
    }
    cw_evm_memo *pm = &e->parsed;
    memset(pm, 0, sizeof *pm);
    uint64_t evm_chain;
    if (!strcmp(d.ns, "layerzero")) {
        /* an endpoint id: the EVM chain when LayerZero's table names it, else the id itself */
        e->lz_eid = (uint32_t)d.chain;
        if (cw_evm_memo_lz_chain(d.chain, &evm_chain))
            snprintf(pm->chain, sizeof pm->chain, "eip155:%llu", (unsigned long long)evm_chain);
        else
            snprintf(pm->chain, sizeof pm->chain, "layerzero:%llu", (unsigned long long)d.chain);
    } else {
        snprintf(pm->chain, sizeof pm->chain, "%s:%llu", d.ns, (unsigned long long)d.chain);
    }
    pm->kind = '.';
    snprintf(pm->dest, sizeof pm->dest, "%s", d.to);
    snprintf(e->event, sizeof e->event, "%s", d.event);
    e->from = d.call ? CW_XCHAIN_FROM_CALL : CW_XCHAIN_FROM_EVENT;
    return true;
}

/* the memo of the exit's tx that names a payout elsewhere (else the first one); without one,
 * a deposit event's destination */
static void read_memo(const cw_evmstore *s, cw_xchain_exit *e)
{
    uint64_t a, z;
    cw_evmstore_tx_memos(s, e->tx, &a, &z);
    if (a == z) {
        e->status = CW_XCHAIN_NO_MEMO;
        snprintf(e->note, sizeof e->note,
                 "the deposit carries no memo the store kept (a bridge deposit to an unknown "
                 "destination)");
        return;
    }
    bool found = false, memo = false;
    for (uint64_t i = a; i < z && !found; i++) {
        const cw_evm_row_memo *m = cw_evmstore_memo(s, i);
        if (m->source == CW_EVM_MEMO_SRC_EVENT)
            continue;
        cw_evm_memo pm;
        if (!memo || cw_evm_memo_parse(&pm, m->memo, m->len) == 0) {
            memcpy(e->memo, m->memo, m->len);
            e->memo[m->len] = '\0';
        }
        memo = true;
        if (cw_evm_memo_parse(&e->parsed, m->memo, m->len) == 0 &&
            cw_evm_memo_is_exit(&e->parsed)) {
            e->from = CW_XCHAIN_FROM_MEMO;
            found = true;
        } else if (bare_btc(&e->parsed, m->memo, m->len)) {
            e->from = CW_XCHAIN_FROM_BTC_ADDRESS;
            found = true;
        }
        if (found) {
            memcpy(e->memo, m->memo, m->len);
            e->memo[m->len] = '\0';
        }
    }
    for (uint64_t i = a; i < z && !found; i++)
        found = event_dest(e, cw_evmstore_memo(s, i));
    if (found)
        cw_error_clear(); /* a row before it that did not parse */
    if (!found && !memo) {
        e->status = CW_XCHAIN_NO_MEMO;
        snprintf(e->note, sizeof e->note,
                 "the deposit carries no memo the store kept (a bridge deposit to an unknown "
                 "destination)");
        return;
    }
    if (!found) {
        int rc = cw_evm_memo_parse(&e->parsed, e->memo, strlen(e->memo));
        e->status = CW_XCHAIN_BAD_MEMO;
        if (rc)
            snprintf(e->note, sizeof e->note, "%s", cw_error_last());
        else
            snprintf(e->note, sizeof e->note,
                     "memo function %s names no destination on another chain",
                     cw_evm_memo_fn_name(e->parsed.fn));
        cw_error_clear();
    }
}

static int add_exits(cw_xchain_result *x, const cw_evmstore *s, const cw_acct_result *r)
{
    size_t n_ends, n_arr;
    const cw_acct_end *ends = cw_acct_result_ends(r, &n_ends);
    const cw_acct_arrival *ar = cw_acct_result_arrivals(r, &n_arr);
    for (size_t i = 0; i < n_ends; i++) {
        if (ends[i].stop != CW_ACCT_STOP_BRIDGE)
            continue;
        size_t lo = 0, hi = n_arr;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (ar[mid].account < ends[i].account ||
                (ar[mid].account == ends[i].account && ar[mid].asset < ends[i].asset))
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo;
             k < n_arr && ar[k].account == ends[i].account && ar[k].asset == ends[i].asset; k++) {
            const cw_evm_row_move *mv = cw_evmstore_move(s, ar[k].move);
            if (!mv || mv->tx == CW_EVM_NONE64)
                continue;
            GROW(x->exits, x->n_exits, x->cap_exits);
            cw_xchain_exit *e = &x->exits[x->n_exits++];
            memset(e, 0, sizeof *e);
            e->move = ar[k].move;
            e->tx = mv->tx;
            e->bridge = ends[i].account;
            e->asset = ends[i].asset;
            e->amount = ar[k].amount;
            e->block = mv->block;
            const cw_evm_row_block *b = cw_evmstore_block(s, mv->block);
            e->time = b ? b->timestamp : 0;
            e->probable = ends[i].probable;
            e->dest = SIZE_MAX;
            read_memo(s, e);
        }
    }
    if (x->n_exits)
        qsort(x->exits, x->n_exits, sizeof *x->exits, cmp_exit);
    return 0;
}

static uint64_t out_time(const cw_chainstore *cs, uint64_t out, uint64_t *tx)
{
    *tx = cw_chainstore_out_tx(cs, out);
    const cw_row_block *b = cw_chainstore_block(cs, cw_chainstore_tx_block(cs, *tx));
    return b ? b->time : 0;
}

/* the destination's payouts: outputs paying it inside its exits' windows */
static int find_payouts(cw_xchain_result *x, size_t di, const cw_chainstore *cs,
                        const cw_xchain_opts *o)
{
    cw_xchain_dest *d = &x->dests[di];
    uint64_t lo = UINT64_MAX, hi = 0, n_exits = 0;
    for (size_t i = 0; i < x->n_exits; i++) {
        const cw_xchain_exit *e = &x->exits[i];
        if (e->dest != di)
            continue;
        n_exits++;
        uint64_t a = e->time > o->before_s ? e->time - o->before_s : 0;
        if (a < lo)
            lo = a;
        if (e->time + o->window_s > hi)
            hi = e->time + o->window_s;
    }
    d->first_payout = x->n_payouts;
    /* newest first along the address's output links; block times may step back a little
     * (two hours, by consensus), so the walk stops two hours before the window */
    for (uint64_t out = cw_chainstore_addr_last(cs, d->addr); out != CW_NONE64;
         out = cw_chainstore_outlink(cs, out)) {
        uint64_t tx, t = out_time(cs, out, &tx);
        if (t + 7200 < lo)
            break;
        if (t < lo || t > hi)
            continue;
        GROW(x->payouts, x->n_payouts, x->cap_payouts);
        cw_xchain_payout *p = &x->payouts[x->n_payouts++];
        memset(p, 0, sizeof *p);
        p->out = out;
        p->tx = tx;
        p->value = cw_out_value(cw_chainstore_out(cs, out));
        p->time = t;
    }
    d->n_payouts = x->n_payouts - d->first_payout;
    /* chain order */
    for (size_t i = 0, j = d->n_payouts; i + 1 < j; i++, j--) {
        cw_xchain_payout tmp = x->payouts[d->first_payout + i];
        x->payouts[d->first_payout + i] = x->payouts[d->first_payout + j - 1];
        x->payouts[d->first_payout + j - 1] = tmp;
    }
    double share = d->n_payouts > n_exits ? (double)n_exits / (double)d->n_payouts : 1.0;
    for (size_t k = 0; k < d->n_payouts; k++) {
        cw_xchain_payout *p = &x->payouts[d->first_payout + k];
        /* time since the latest deposit to this address before the payout */
        uint64_t dt = UINT64_MAX;
        for (size_t i = 0; i < x->n_exits; i++) {
            const cw_xchain_exit *e = &x->exits[i];
            if (e->dest == di && e->time <= p->time + o->before_s)
                dt = p->time >= e->time ? p->time - e->time : 0;
        }
        double tf = 1.0;
        if (dt > o->prompt_s && o->window_s > o->prompt_s)
            tf = 1.0 - 0.5 * (double)(dt - o->prompt_s) / (double)(o->window_s - o->prompt_s);
        if (tf < 0.5)
            tf = 0.5;
        p->score = share * tf;
        p->traced = p->score >= o->min_score;
    }
    return 0;
}

static int continue_btc(cw_xchain_result *x, const cw_chainstore *cs,
                        const cw_trace_labelmap *labels, const cw_xchain_opts *o)
{
    cw_network net = cs ? cw_chainstore_network(cs) : CW_NET_MAIN;
    for (size_t i = 0; i < x->n_exits; i++) {
        cw_xchain_exit *e = &x->exits[i];
        if (e->status != CW_XCHAIN_CONTINUED)
            continue;
        const cw_evm_memo *m = &e->parsed;
        if (strcmp(m->chain, "BTC") != 0 || m->kind != '.') {
            e->status = CW_XCHAIN_OTHER_CHAIN;
            if (m->kind != '.')
                snprintf(e->note, sizeof e->note,
                         "%s is a %s asset held on the bridge's own chain, not a payout on %s",
                         m->asset,
                         m->kind == '/'   ? "synthetic"
                         : m->kind == '~' ? "trade"
                                          : "secured",
                         m->chain);
            else
                snprintf(e->note, sizeof e->note,
                         "destination chain %s: chainwatch follows bridge exits into Bitcoin "
                         "only",
                         m->chain);
            continue;
        }
        if (!cs) {
            e->status = CW_XCHAIN_NO_STORE;
            snprintf(e->note, sizeof e->note, "no Bitcoin store given to continue in");
            continue;
        }
        cw_addr_key key;
        if (cw_addr_decode(&key, m->dest, net) != 0) {
            cw_error_clear();
            e->status = CW_XCHAIN_BAD_ADDRESS;
            snprintf(e->note, sizeof e->note,
                     "'%.120s' is not a Bitcoin address of %s (the store's network)", m->dest,
                     cw_network_name(net));
            continue;
        }
        size_t di = 0;
        while (di < x->n_dests && strcmp(x->dests[di].address, m->dest) != 0)
            di++;
        if (di == x->n_dests) {
            GROW(x->dests, x->n_dests, x->cap_dests);
            cw_xchain_dest *d = &x->dests[x->n_dests++];
            memset(d, 0, sizeof *d);
            snprintf(d->address, sizeof d->address, "%s", m->dest);
            if (cw_chainstore_find_addr(cs, &key, &d->addr) != 0) {
                cw_error_clear();
                d->addr = CW_NONE64;
            }
        }
        e->dest = di;
    }
    for (size_t di = 0; cs && di < x->n_dests; di++) {
        cw_xchain_dest *d = &x->dests[di];
        int rc;
        if (d->addr != CW_NONE64 && (rc = find_payouts(x, di, cs, o)))
            return rc;
        uint64_t *src = NULL;
        size_t ns = 0;
        if (d->n_payouts && !(src = cw_calloc(d->n_payouts, sizeof *src)))
            return cw_error_set(CW_ENOMEM, "out of memory");
        for (size_t k = 0; k < d->n_payouts; k++)
            if (x->payouts[d->first_payout + k].traced)
                src[ns++] = x->payouts[d->first_payout + k].out;
        rc = ns ? cw_trace_run(&d->trace, cs, labels, src, ns, &o->btc) : 0;
        cw_free(src);
        if (rc)
            return rc;
        if (!ns) {
            for (size_t i = 0; i < x->n_exits; i++) {
                cw_xchain_exit *e = &x->exits[i];
                if (e->dest != di)
                    continue;
                e->status = CW_XCHAIN_NOT_PAID;
                snprintf(e->note, sizeof e->note,
                         d->n_payouts ? "the address's payouts in the window score below the "
                                        "minimum"
                                      : "the address received nothing in the Bitcoin store "
                                        "within the window after the deposit");
            }
        }
    }
    return 0;
}

int cw_xchain_bridge_exits(cw_xchain_result **out, const cw_evmstore *s, const cw_acct_result *r,
                           const cw_chainstore *btc, const cw_trace_labelmap *btc_labels,
                           const cw_xchain_opts *o)
{
    *out = NULL;
    cw_xchain_result *x = cw_calloc(1, sizeof *x);
    if (!x)
        return cw_error_set(CW_ENOMEM, "out of memory");
    int rc = add_exits(x, s, r);
    if (!rc)
        rc = continue_btc(x, btc, btc_labels, o);
    if (rc) {
        cw_xchain_result_free(x);
        return rc;
    }
    *out = x;
    return 0;
}

void cw_xchain_result_free(cw_xchain_result *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n_dests; i++)
        cw_trace_free(x->dests[i].trace);
    cw_free(x->exits);
    cw_free(x->dests);
    cw_free(x->payouts);
    cw_free(x);
}

const cw_xchain_exit *cw_xchain_result_exits(const cw_xchain_result *x, size_t *n)
{
    *n = x->n_exits;
    return x->exits;
}

const cw_xchain_dest *cw_xchain_result_dests(const cw_xchain_result *x, size_t *n)
{
    *n = x->n_dests;
    return x->dests;
}

const cw_xchain_payout *cw_xchain_result_payouts(const cw_xchain_result *x, size_t *n)
{
    *n = x->n_payouts;
    return x->payouts;
}

int cw_xchain_memo_bridges(const cw_evmstore *s, uint32_t min, uint8_t **bits, size_t *n_found)
{
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    *n_found = 0;
    *bits = cw_calloc((c.accounts + 7) / 8 + 1, 1);
    uint32_t *cnt = cw_calloc(c.accounts + 1, sizeof *cnt);
    if (!*bits || !cnt) {
        cw_free(*bits);
        cw_free(cnt);
        *bits = NULL;
        return cw_error_set(CW_ENOMEM, "out of memory");
    }
    /* per tx, one count for the account it addressed with the memo (the tx's `to`: a vault, a
     * router, an aggregator whose multicall carries the call) and one for the contract that
     * logged it when that is another (a THORChain router called by the aggregator) */
    uint64_t n = cw_evmstore_memo_count(s), last_to = CW_EVM_NONE64, last_em = CW_EVM_NONE64;
    for (uint64_t i = 0; i < n; i++) {
        const cw_evm_row_memo *m = cw_evmstore_memo(s, i);
        cw_evm_memo pm;
        uint32_t em = m->log != CW_EVM_NONE32 && m->emitter != m->to ? m->emitter : CW_EVM_NONE32;
        bool count_to = m->to != CW_EVM_NONE32 && m->to < c.accounts && m->tx != last_to;
        bool count_em = em != CW_EVM_NONE32 && em < c.accounts && m->tx != last_em;
        if (!count_to && !count_em)
            continue;
        if (cw_evm_memo_parse(&pm, m->memo, m->len) != 0) {
            cw_error_clear();
            continue;
        }
        if (!cw_evm_memo_is_exit(&pm))
            continue;
        for (int k = 0; k < 2; k++) {
            uint32_t acct = k ? em : m->to;
            if (!(k ? count_em : count_to))
                continue;
            *(k ? &last_em : &last_to) = m->tx; /* one count per tx and role */
            if (++cnt[acct] == min) {
                (*bits)[acct / 8] |= (uint8_t)(1u << (acct % 8));
                (*n_found)++;
            }
        }
    }
    cw_free(cnt);
    return 0;
}
