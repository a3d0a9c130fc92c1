/*
 * acct_evm.c: the account-model trace's movement source over an EVM store
 * (cw_acct_source_evm): movements are moves.col rows in id order (NFT transfers, counted by
 * items only, carry no fungible value: given as items, which count in a tx's net flows only,
 * and left out of balances); an opening balance is a walk of the
 * account's in and out chains (movelink.col) up to the movement; the token contract behind an
 * asset is its assets.col row; times are the block rows' timestamps; a tx's bridge destination
 * is its first memo (memos.col) asking for value on another chain; an account is fresh before a
 * movement when its first appearance (account row) is later, and only a store held from genesis
 * (complete) says so.
 */
#include <string.h>

#include "chainwatch/acct_evm.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/evm_services.h"
#include "chainwatch/util.h"

static bool fungible(const cw_evm_row_move *m)
{
    return m->kind != CW_EVM_MOVE_ERC721 && m->kind != CW_EVM_MOVE_ERC1155;
}

static int evm_next(void *ctx, uint64_t from, cw_acct_move *out)
{
    cw_acct_evm *e = ctx;
    cw_evm_counts c;
    cw_evmstore_counts(e->store, &c);
    if (from >= c.moves)
        return CW_ENOTFOUND;
    {
        uint64_t id = from;
        const cw_evm_row_move *m = cw_evmstore_move(e->store, id);
        const cw_evm_row_block *b = cw_evmstore_block(e->store, m->block);
        out->id = id;
        out->tx = m->tx;
        out->from = m->from;
        out->to = m->to;
        out->asset = m->asset;
        out->block = m->block;
        out->time = b ? b->timestamp : 0;
        out->fee = m->kind == CW_EVM_MOVE_FEE_BURNT || m->kind == CW_EVM_MOVE_FEE_TIP;
        out->amount = cw_evmstore_move_amount(e->store, m);
        const cw_evm_row_tx *tx = m->tx == CW_EVM_NONE64 ? NULL : cw_evmstore_tx(e->store, m->tx);
        out->tx_from = tx ? tx->from : CW_ACCT_NONE;
        out->item = !fungible(m);
        return 0;
    }
}

static int evm_balance(void *ctx, uint32_t account, uint32_t asset, uint64_t before, cw_u256 *out)
{
    cw_acct_evm *e = ctx;
    cw_u256 in = {{0}}, sent = {{0}};
    cw_evm_row_acctlast l;
    int rc = cw_evmstore_acctlast(e->store, account, &l);
    if (rc)
        return rc;
    for (uint64_t m = l.last_in; m != CW_EVM_NONE64;
         m = cw_evmstore_movelink(e->store, m).prev_in) {
        const cw_evm_row_move *r = cw_evmstore_move(e->store, m);
        if (m < before && r->asset == asset && fungible(r)) {
            cw_u256 a = cw_evmstore_move_amount(e->store, r);
            cw_u256_add(&in, &in, &a);
        }
    }
    for (uint64_t m = l.last_out; m != CW_EVM_NONE64;
         m = cw_evmstore_movelink(e->store, m).prev_out) {
        const cw_evm_row_move *r = cw_evmstore_move(e->store, m);
        if (m < before && r->asset == asset && fungible(r)) {
            cw_u256 a = cw_evmstore_move_amount(e->store, r);
            cw_u256_add(&sent, &sent, &a);
        }
    }
    /* a store that starts mid-chain may not explain a balance: never below zero */
    if (cw_u256_sub(out, &in, &sent))
        memset(out, 0, sizeof *out);
    return 0;
}

static uint32_t evm_asset_account(void *ctx, uint32_t asset)
{
    cw_acct_evm *e = ctx;
    const cw_evm_row_asset *a = cw_evmstore_asset(e->store, asset);
    return a ? a->account : CW_ACCT_NONE;
}

static int evm_stop(void *ctx, uint32_t account)
{
    cw_acct_evm *e = ctx;
    return e->stop ? e->stop(e->stop_ctx, account) : 0;
}

static bool evm_personal(void *ctx, uint32_t account)
{
    cw_acct_evm *e = ctx;
    return e->personal && e->personal(e->stop_ctx, account);
}

/* The first memo of tx that asks for value on another chain, as a key of its chain and
 * destination (FNV-1a, never 0); 0 when it has none or names no destination ("" = back to the
 * sender: no beneficiary named). */
static uint64_t evm_dest(void *ctx, uint64_t tx)
{
    cw_acct_evm *e = ctx;
    if (tx == CW_ACCT_NONE64)
        return 0;
    uint64_t a, z;
    cw_evmstore_tx_memos(e->store, tx, &a, &z);
    for (uint64_t i = a; i < z; i++) {
        const cw_evm_row_memo *m = cw_evmstore_memo(e->store, i);
        cw_evm_memo pm;
        if (cw_evm_memo_parse(&pm, m->memo, m->len) || !cw_evm_memo_is_exit(&pm) || !pm.dest[0])
            continue;
        uint64_t h = 1469598103934665603ull;
        const char *parts[3] = {pm.chain, ":", pm.dest};
        for (int k = 0; k < 3; k++)
            for (const char *c = parts[k]; *c; c++)
                h = (h ^ (uint8_t)*c) * 1099511628211ull;
        return h ? h : 1;
    }
    return 0;
}

/* The account that emitted tx's memo or deposit event when the store's row names one other
 * than the tx's `to` (a router in front of the bridge passed the deposit on, and the bridge
 * logged it), else CW_ACCT_NONE. */
static uint32_t evm_emitter(void *ctx, uint64_t tx)
{
    cw_acct_evm *e = ctx;
    if (tx == CW_ACCT_NONE64)
        return CW_ACCT_NONE;
    uint64_t a, z;
    cw_evmstore_tx_memos(e->store, tx, &a, &z);
    for (uint64_t i = a; i < z; i++) {
        const cw_evm_row_memo *m = cw_evmstore_memo(e->store, i);
        uint32_t em = m->log != CW_EVM_NONE32 ? cw_evm_memo_row_emitter(e->store, m) : m->to;
        if (em != CW_EVM_NONE32 && em != m->to)
            return em;
    }
    return CW_ACCT_NONE;
}

/* tx has no memo row but, at most, destinations read from its input by a deposit call's
 * selector: no memo, no deposit event (of any emitter) */
static bool evm_silent(void *ctx, uint64_t tx)
{
    cw_acct_evm *e = ctx;
    if (tx == CW_ACCT_NONE64)
        return false;
    uint64_t a, z;
    cw_evmstore_tx_memos(e->store, tx, &a, &z);
    for (uint64_t i = a; i < z; i++) {
        const cw_evm_row_memo *m = cw_evmstore_memo(e->store, i);
        cw_evm_memo_dest d;
        if (m->source != CW_EVM_MEMO_SRC_EVENT ||
            cw_evm_memo_dest_parse(&d, m->memo, m->len) != 0) {
            cw_error_clear();
            return false;
        }
        if (!d.call)
            return false;
    }
    return true;
}

/* The store holds the chain from genesis with receipts, logs and traces for every block. */
static bool evm_full(const cw_evmstore *s)
{
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    return c.base == 0 && c.incomplete == 0;
}

/* No movement of the account before movement `before`: it first appears in a later block (its
 * account row), or in the same block with no movement of it numbered lower. Such a movement
 * lies in `before`'s block: each chain is walked newest first for at most CW_ACCT_HISTORY_WALK
 * movements, and when one is busier since, the block's movements before `before` are read
 * instead (the same answer, its cost bounded by the block, not by the account's history). */
static bool evm_fresh(void *ctx, uint32_t account, uint64_t before)
{
    cw_acct_evm *e = ctx;
    cw_evm_counts c;
    cw_evmstore_counts(e->store, &c);
    const cw_evm_row_account *a = cw_evmstore_account(e->store, account);
    cw_evm_row_acctlast hl;
    const cw_evm_row_acctlast *l = cw_evmstore_acctlast(e->store, account, &hl) ? NULL : &hl;
    if (!a || !l || before >= c.moves || !evm_full(e->store))
        return false;
    uint64_t blk = cw_evmstore_move(e->store, before)->block;
    if (a->first_block != blk)
        return a->first_block > blk;
    uint64_t m = l->last_in;
    for (uint32_t w = 0; m != CW_EVM_NONE64 && w < CW_ACCT_HISTORY_WALK;
         m = cw_evmstore_movelink(e->store, m).prev_in, w++)
        if (m < before)
            return false;
    bool cut = m != CW_EVM_NONE64;
    m = l->last_out;
    for (uint32_t w = 0; m != CW_EVM_NONE64 && w < CW_ACCT_HISTORY_WALK;
         m = cw_evmstore_movelink(e->store, m).prev_out, w++)
        if (m < before)
            return false;
    cut |= m != CW_EVM_NONE64;
    for (m = before; cut && m-- > 0;) {
        const cw_evm_row_move *r = cw_evmstore_move(e->store, m);
        if (r->block != blk)
            break;
        if (r->from == account || r->to == account)
            return false;
    }
    return true;
}

/* Adds `a` to the distinct accounts seen (at most cap, cap <= 16). */
static void seen_add(uint32_t *seen, uint32_t *n, uint32_t cap, uint32_t a)
{
    for (uint32_t i = 0; i < *n; i++)
        if (seen[i] == a)
            return;
    if (*n < cap)
        seen[(*n)++] = a;
}

/* The account's distinct payers and payees before movement `before` (value movements: fees,
 * mints, burns, NFTs and zero amounts left out), each counted up to cap: a walk of its in and out
 * chains, newest first, of at most CW_ACCT_HISTORY_WALK movements each (the movements after
 * `before` included: a thief can pay a busy account millions of them since). A chain whose walk
 * ends at that bound before it reached any movement before `before` (busy since) counts cap when
 * the account was seen in an earlier block: an account that busy is taken as one of many
 * counterparts. A chain that reached some counts what it saw, and so does one of an account that
 * first appeared in `before`'s block (the thief's fresh hop, however busy it was made since, is
 * not taken for many). An account that first appeared in a later block had none: 0, 0, unwalked. */
static int evm_history(void *ctx, uint32_t account, uint64_t before, uint32_t cap, uint32_t *payers,
                       uint32_t *payees)
{
    cw_acct_evm *e = ctx;
    cw_evm_row_acctlast l;
    cw_evm_counts c;
    *payers = *payees = 0;
    if (cap > 16)
        cap = 16;
    int rc = cw_evmstore_acctlast(e->store, account, &l);
    if (rc)
        return rc;
    cw_evmstore_counts(e->store, &c);
    const cw_evm_row_account *a = cw_evmstore_account(e->store, account);
    uint32_t blk = before < c.moves ? cw_evmstore_move(e->store, before)->block : CW_EVM_NONE32;
    if (a && blk != CW_EVM_NONE32 && a->first_block > blk)
        return 0;
    /* busy since `before` counts as many only for an account seen in an earlier block (one that
     * first appeared in `before`'s block, as a thief's fresh hop does, may have had nothing) */
    bool older = a && blk != CW_EVM_NONE32 && a->first_block < blk;
    for (int dir = 0; dir < 2; dir++) {
        uint32_t *n = dir ? payees : payers, seen[16], walked = 0;
        bool reached = false;
        uint64_t m = dir ? l.last_out : l.last_in;
        for (; m != CW_EVM_NONE64 && *n < cap && walked < CW_ACCT_HISTORY_WALK; walked++) {
            if (m < before) {
                reached = true;
                const cw_evm_row_move *r = cw_evmstore_move(e->store, m);
                uint32_t other = dir ? r->to : r->from;
                if (fungible(r) && r->kind != CW_EVM_MOVE_FEE_BURNT &&
                    r->kind != CW_EVM_MOVE_FEE_TIP && other != CW_EVM_NONE32 && other != account) {
                    cw_u256 v = cw_evmstore_move_amount(e->store, r);
                    if (!cw_u256_is_zero(&v))
                        seen_add(seen, n, cap, other);
                }
            }
            cw_evm_movelink k = cw_evmstore_movelink(e->store, m);
            m = dir ? k.prev_out : k.prev_in;
        }
        if (m != CW_EVM_NONE64 && *n < cap && !reached && older)
            *n = cap;
    }
    return 0;
}

/* Notes of denom in a mixer before movement `before`: deposits of exactly denom, less the txs
 * whose outflows from it (the out chain holds a tx's movements next to each other) sum to it. */
static int evm_notes(void *ctx, uint32_t account, uint32_t asset, const cw_u256 *denom,
                     uint64_t before, uint64_t *out)
{
    cw_acct_evm *e = ctx;
    cw_evm_row_acctlast hl;
    int rc = cw_evmstore_acctlast(e->store, account, &hl);
    if (rc)
        return rc;
    const cw_evm_row_acctlast *l = &hl;
    uint64_t in = 0, wd = 0;
    for (uint64_t m = l->last_in; m != CW_EVM_NONE64;
         m = cw_evmstore_movelink(e->store, m).prev_in) {
        const cw_evm_row_move *r = cw_evmstore_move(e->store, m);
        if (m >= before || r->asset != asset || !fungible(r))
            continue;
        cw_u256 a = cw_evmstore_move_amount(e->store, r);
        in += cw_u256_cmp(&a, denom) == 0;
    }
    uint64_t tx = CW_EVM_NONE64;
    cw_u256 sum = {{0}};
    for (uint64_t m = l->last_out;; m = cw_evmstore_movelink(e->store, m).prev_out) {
        const cw_evm_row_move *r = m == CW_EVM_NONE64 ? NULL : cw_evmstore_move(e->store, m);
        bool take = r && m < before && r->asset == asset && fungible(r);
        if (!r || (take && r->tx != tx)) { /* a tx's outflows end: one withdrawal? */
            wd += tx != CW_EVM_NONE64 && cw_u256_cmp(&sum, denom) == 0;
            memset(&sum, 0, sizeof sum);
            tx = r ? r->tx : CW_EVM_NONE64;
        }
        if (!r)
            break;
        if (take) {
            cw_u256 a = cw_evmstore_move_amount(e->store, r);
            cw_u256_add(&sum, &sum, &a);
        }
    }
    *out = in > wd ? in - wd : 0;
    return 0;
}

void cw_acct_source_evm(cw_acct_source *out, cw_acct_evm *ctx)
{
    out->ctx = ctx;
    out->next = evm_next;
    out->balance = evm_balance;
    out->asset_account = evm_asset_account;
    out->stop = evm_stop;
    out->personal = ctx->personal ? evm_personal : NULL;
    out->dest = evm_dest;
    out->fresh = evm_fresh;
    out->full_history = evm_full(ctx->store);
    out->notes = evm_notes;
    out->emitter = evm_emitter;
    out->silent = evm_silent;
    out->history = evm_history;
}

/* Movement a[i] is passed on in its own tx: its receiver pays out, of that asset and later in
 * the tx, at least all it receives from a[i] on (a spoke pool forwarding a relayer's fill, a
 * router or batch contract). Its onward movements are sources themselves, so it is not: the
 * payer's own value (a relayer's ETH) does not enter the trace as the heist's. */
static bool passed_on(const cw_evmstore *s, const uint64_t *a, size_t k, size_t i)
{
    const cw_evm_row_move *m = cw_evmstore_move(s, a[i]);
    if (m->to == CW_EVM_NONE32 || m->to == m->from)
        return false;
    cw_u256 in = {{0, 0, 0, 0}}, out = {{0, 0, 0, 0}};
    for (size_t j = i; j < k; j++) {
        const cw_evm_row_move *q = cw_evmstore_move(s, a[j]);
        if (q->asset != m->asset)
            continue;
        cw_u256 v = cw_evmstore_move_amount(s, q);
        if (q->to == m->to && cw_u256_add(&in, &in, &v))
            return false;
        if (q->from == m->to && j > i && cw_u256_add(&out, &out, &v))
            return false;
    }
    return !cw_u256_is_zero(&out) && cw_u256_cmp(&out, &in) >= 0;
}

int cw_acct_evm_tx_sources(const cw_evmstore *s, const char *hash, uint64_t **ids, size_t *n,
                           size_t *n_passed)
{
    if (n_passed)
        *n_passed = 0;
    cw_evm_hash h;
    size_t len = strlen(hash);
    if (len != 66 || hash[0] != '0' || (hash[1] != 'x' && hash[1] != 'X') ||
        cw_hex_decode(h.b, 32, hash + 2))
        return cw_error_set(CW_EINVAL, "'%s' is not a tx hash (0x and 64 hex digits)", hash);
    uint64_t tx, first, end;
    if (cw_evmstore_find_tx(s, &h, &tx))
        return cw_error_set(CW_ENOTFOUND, "tx %s is not in the store", hash);
    cw_evmstore_tx_moves(s, tx, &first, &end);
    uint64_t *a = malloc((end - first + 1) * sizeof *a);
    if (!a)
        return cw_error_set(CW_ENOMEM, "out of memory");
    size_t k = 0;
    for (uint64_t m = first; m < end; m++) {
        const cw_evm_row_move *r = cw_evmstore_move(s, m);
        if (fungible(r) && r->kind != CW_EVM_MOVE_FEE_BURNT && r->kind != CW_EVM_MOVE_FEE_TIP)
            a[k++] = m;
    }
    if (!k) {
        free(a);
        return cw_error_set(CW_ENOTFOUND, "tx %s moves no value (nothing to trace)", hash);
    }
    size_t kept = 0;
    for (size_t i = 0; i < k; i++) {
        if (passed_on(s, a, k, i)) {
            if (n_passed)
                (*n_passed)++;
            continue;
        }
        a[kept++] = a[i];
    }
    k = kept; /* a receiver that passes on in the tx also pays a movement that stays */
    *ids = a;
    *n = k;
    return 0;
}
