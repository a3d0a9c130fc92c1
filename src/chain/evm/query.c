/*
 * query.c: the EVM store's queries as JSON (evm/query.h) and its integrity check.
 *
 * Amounts are decimal strings of base units with the asset's decimals and symbol beside them;
 * nothing is rounded or converted. A movement whose tx status is unknown (no receipt) carries
 * "probable": true. Balances are called balances only when the store holds every block from
 * genesis with receipts, logs and traces; otherwise the same sums are reported as net flows
 * over the blocks held.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/evm/query.h"
#include "chainwatch/util.h"

static json_t *u256_json(const uint8_t limbs[32])
{
    cw_u256 v = cw_evm_amount(limbs);
    char buf[CW_U256_DEC_MAX];
    cw_u256_to_dec(buf, &v);
    return json_string(buf);
}

static json_t *u256v_json(const cw_u256 *v)
{
    char buf[CW_U256_DEC_MAX];
    cw_u256_to_dec(buf, v);
    return json_string(buf);
}

static json_t *account_json(const cw_evmstore *s, uint32_t id)
{
    const cw_evm_row_account *a = cw_evmstore_account(s, id);
    if (!a)
        return json_null();
    char h[43];
    cw_evm_addr_hex(h, (const cw_evm_addr *)a->addr);
    return json_string(h);
}

static json_t *asset_json(const cw_evmstore *s, uint32_t id)
{
    const cw_evm_row_asset *a = cw_evmstore_asset(s, id);
    if (!a)
        return json_null();
    static const char *const kinds[] = {"native", "erc20", "erc721", "erc1155"};
    json_t *o = json_pack("{s:I, s:s, s:s%}", "id", (json_int_t)id, "kind",
                          a->kind < 4 ? kinds[a->kind] : "?", "symbol", a->symbol,
                          strnlen(a->symbol, sizeof a->symbol));
    json_object_set_new(o, "decimals",
                        a->decimals == 255 ? json_null() : json_integer(a->decimals));
    if (a->account != CW_EVM_NONE32)
        json_object_set_new(o, "token", account_json(s, a->account));
    return o;
}

static const char *event_name(unsigned kind)
{
    switch (kind) {
    case CW_EVM_MOVE_ERC20:
    case CW_EVM_MOVE_ERC721:
        return "Transfer(address,address,uint256)";
    case CW_EVM_MOVE_WRAP:
        return "Deposit(address,uint256)";
    case CW_EVM_MOVE_UNWRAP:
        return "Withdrawal(address,uint256)";
    case CW_EVM_MOVE_ERC1155:
        return "TransferSingle/TransferBatch (ERC-1155)";
    default:
        return NULL;
    }
}

/* the issuer.col row of tx `tx` whose movement is m (a DestroyedBlackFunds' burn, Tether's Issue
 * or Redeem), or NULL */
static const cw_evm_row_issuer *issuer_of_move(const cw_evmstore *s, uint64_t tx, uint64_t m)
{
    uint64_t lo = 0, hi = cw_evmstore_issuer_count(s);
    while (lo < hi) { /* rows are in tx order */
        uint64_t mid = lo + (hi - lo) / 2;
        if (cw_evmstore_issuer(s, mid)->tx < tx)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (const cw_evm_row_issuer *r; (r = cw_evmstore_issuer(s, lo)) && r->tx == tx; lo++)
        if (r->move == m)
            return r;
    return NULL;
}

json_t *cw_evm_frozen_json(const cw_evmstore *s, uint32_t account, uint32_t asset)
{
    const cw_evm_row_asset *a = cw_evmstore_asset(s, asset);
    const cw_evm_row_issuer *r;
    if (!a || a->account == CW_EVM_NONE32 ||
        !cw_evmstore_frozen(s, a->account, account, CW_EVM_NONE64, &r))
        return NULL;
    char h[67];
    cw_evm_hash_hex(h, (const cw_evm_hash *)cw_evmstore_tx_hash(s, r->tx));
    const cw_evm_row_block *b = cw_evmstore_block(s, r->block);
    return json_pack("{s:o, s:I, s:I, s:s, s:b, s:s}", "by", account_json(s, a->account),
                     "since_block", (json_int_t)r->block, "since_time",
                     (json_int_t)(b ? b->timestamp : 0), "tx", h, "probable",
                     (r->flags & CW_EVM_ISSUERF_STATUS_UNKNOWN) != 0, "meaning",
                     "frozen by the issuer: the token's own contract blacklisted this account "
                     "(AddedBlackList or Blacklisted) and has not lifted it; the balance is held "
                     "but cannot be moved while frozen");
}

static json_t *move_json(const cw_evmstore *s, uint64_t m)
{
    const cw_evm_row_move *mv = cw_evmstore_move(s, m);
    json_t *o = json_object();
    json_object_set_new(o, "movement", json_integer((json_int_t)m));
    json_object_set_new(o, "kind", json_string(cw_evm_move_kind_name(mv->kind)));
    const char *ev = event_name(mv->kind);
    const cw_evm_row_issuer *ir = mv->kind == CW_EVM_MOVE_ERC20 &&
                                          (mv->to == CW_EVM_NONE32 || mv->from == CW_EVM_NONE32) &&
                                          mv->tx != CW_EVM_NONE64
                                      ? issuer_of_move(s, mv->tx, m)
                                      : NULL;
    if (ir && ir->kind == CW_EVM_ISSUER_DESTROY) {
        ev = "DestroyedBlackFunds(address,uint256)"; /* the issuer's burn, no Transfer */
        json_object_set_new(o, "destroyed_by_issuer", json_true());
    } else if (ir && (ir->kind == CW_EVM_ISSUER_ISSUE || ir->kind == CW_EVM_ISSUER_REDEEM)) {
        /* Tether's mint to / burn from its owner, no Transfer */
        bool issue = ir->kind == CW_EVM_ISSUER_ISSUE;
        ev = issue ? "Issue(uint256)" : "Redeem(uint256)";
        json_object_set_new(o, issue ? "issued_by_issuer" : "redeemed_by_issuer", json_true());
    }
    if (ev) {
        json_object_set_new(o, "event", json_string(ev));
        json_object_set_new(o, "log_index", json_integer(mv->pos));
    } else if (mv->kind == CW_EVM_MOVE_INTERNAL || mv->kind == CW_EVM_MOVE_SELFDESTRUCT) {
        json_object_set_new(o, "trace", json_integer(mv->pos));
    } else if (mv->kind == CW_EVM_MOVE_WITHDRAWAL) {
        json_object_set_new(o, "withdrawal", json_integer(mv->pos));
    } else if (mv->kind == CW_EVM_MOVE_FEE_BURNT && mv->pos == 1) {
        json_object_set_new(o, "blob", json_true()); /* EIP-4844 blob fee */
    }
    json_object_set_new(o, "asset", asset_json(s, mv->asset));
    json_object_set_new(o, "from",
                        mv->from == CW_EVM_NONE32 ? json_null() : account_json(s, mv->from));
    json_object_set_new(o, "to", mv->to == CW_EVM_NONE32 ? json_null() : account_json(s, mv->to));
    cw_u256 amount = cw_evmstore_move_amount(s, mv);
    json_object_set_new(o, mv->flags & CW_EVM_MOVEF_COUNT_ONLY ? "items" : "amount",
                        u256v_json(&amount));
    json_object_set_new(o, "block", json_integer(mv->block));
    const cw_evm_row_block *b = cw_evmstore_block(s, mv->block);
    if (b)
        json_object_set_new(o, "time", json_integer((json_int_t)b->timestamp));
    if (mv->tx != CW_EVM_NONE64) {
        char h[67];
        cw_evm_hash_hex(h, (const cw_evm_hash *)cw_evmstore_tx_hash(s, mv->tx));
        json_object_set_new(o, "tx", json_string(h));
    }
    if (mv->flags & CW_EVM_MOVEF_STATUS_UNKNOWN)
        json_object_set_new(o, "probable", json_true());
    return o;
}

static const char *status_name(uint8_t st)
{
    return st == CW_EVM_STATUS_OK ? "success" : st == CW_EVM_STATUS_FAILED ? "failed" : "unknown";
}

static int parse_addr_arg(const char *arg, cw_evm_addr *a)
{
    if (cw_evm_addr_parse(a, arg, strlen(arg)))
        return cw_error_set(CW_EINVAL, "'%s' is not a 0x address (40 hex digits)", arg);
    return 0;
}

static int parse_hash_arg(const char *arg, cw_evm_hash *h)
{
    if (cw_evm_hash_parse(h, arg, strlen(arg)))
        return cw_error_set(CW_EINVAL, "'%s' is not a 0x hash (64 hex digits)", arg);
    return 0;
}

int cw_evm_query_tx(json_t **out, const cw_evmstore *s, const char *hash)
{
    *out = NULL;
    cw_evm_hash h;
    int rc = parse_hash_arg(hash, &h);
    if (rc)
        return rc;
    uint64_t tx;
    if ((rc = cw_evmstore_find_tx(s, &h, &tx)))
        return cw_error_set(rc, "transaction %s is not in the store", hash);
    const cw_evm_row_tx *t = cw_evmstore_tx(s, tx);
    const cw_evm_row_block *b = cw_evmstore_block(s, t->block);
    char hx[67];
    json_t *o = json_object();
    cw_evm_hash_hex(hx, &h);
    json_object_set_new(o, "chain", json_string(cw_evmstore_chain(s)->name));
    json_object_set_new(o, "synthetic", json_boolean(cw_evmstore_synthetic(s)));
    json_object_set_new(o, "hash", json_string(hx));
    json_object_set_new(o, "block", json_integer(t->block));
    if (b) {
        cw_evm_hash_hex(hx, (const cw_evm_hash *)b->hash);
        json_object_set_new(o, "block_hash", json_string(hx));
        json_object_set_new(o, "time", json_integer((json_int_t)b->timestamp));
    }
    json_object_set_new(o, "index", json_integer(t->index));
    json_object_set_new(o, "nonce", json_integer((json_int_t)t->nonce));
    json_object_set_new(o, "from", account_json(s, t->from));
    json_object_set_new(o, "to", t->to == CW_EVM_NONE32 ? json_null() : account_json(s, t->to));
    if (t->created != CW_EVM_NONE32)
        json_object_set_new(o, "contract_created", account_json(s, t->created));
    cw_u256 value, price;
    cw_evmstore_tx_amounts(s, t, &value, &price);
    json_object_set_new(o, "value", u256v_json(&value));
    json_object_set_new(o, "status", json_string(status_name(t->status)));
    json_object_set_new(o, "type", json_integer(t->type));
    json_object_set_new(o, "gas", json_integer((json_int_t)t->gas));
    json_object_set_new(o, "gas_price", u256v_json(&price));
    if (t->flags & CW_EVM_TXF_RECEIPT) {
        json_object_set_new(o, "gas_used", json_integer((json_int_t)t->gas_used));
        cw_u256 fee = price;
        if (!cw_u256_mul_u64(&fee, &fee, t->gas_used))
            json_object_set_new(o, "fee", u256v_json(&fee));
    }
    char sel[11];
    cw_hex_encode(sel + 2, t->selector, 4);
    sel[0] = '0';
    sel[1] = 'x';
    json_object_set_new(o, "selector", json_string(sel));
    json_object_set_new(o, "logs", json_integer(t->n_logs));
    json_t *ms = json_array();
    uint64_t a, e;
    cw_evmstore_tx_moves(s, tx, &a, &e);
    cw_u256 blob = {{0, 0, 0, 0}};
    for (uint64_t m = a; m < e; m++) {
        json_array_append_new(ms, move_json(s, m));
        const cw_evm_row_move *mv = cw_evmstore_move(s, m);
        if (mv->kind == CW_EVM_MOVE_FEE_BURNT && mv->pos == 1) {
            cw_u256 v = cw_evmstore_move_amount(s, mv);
            cw_u256_add(&blob, &blob, &v);
        }
    }
    json_object_set_new(o, "movements", ms);
    /* EIP-4844: the blob fee, beside the gas fee (a movement of its own, above) */
    if (!cw_u256_is_zero(&blob))
        json_object_set_new(o, "blob_fee", u256v_json(&blob));
    /* stablecoin issuers' actions (issuer.col): freezes, unfreezes, destroyed balances */
    json_t *ij = json_array();
    for (uint64_t i = 0, n = cw_evmstore_issuer_count(s); i < n; i++) {
        const cw_evm_row_issuer *r = cw_evmstore_issuer(s, i);
        if (r->tx != tx)
            continue;
        static const char *const act[] = {"?", "freeze", "unfreeze", "destroy", "issue", "redeem"};
        json_t *x = json_pack("{s:s, s:o, s:o, s:I}", "action", act[r->kind <= 5 ? r->kind : 0],
                              "token", account_json(s, r->token), "account",
                              r->user == CW_EVM_NONE32 ? json_null() : account_json(s, r->user),
                              "log_index", (json_int_t)r->log);
        if (r->flags & CW_EVM_ISSUERF_OWNER_UNKNOWN)
            json_object_set_new(x, "note",
                                json_string("the tx does not tell the contract's owner (no traces "
                                            "and not a direct call, or callers that differ): no "
                                            "movement made; the owner's balance misses it"));
        if (r->kind == CW_EVM_ISSUER_ISSUE || r->kind == CW_EVM_ISSUER_REDEEM)
            json_object_set_new(x, r->kind == CW_EVM_ISSUER_ISSUE ? "mint" : "burn",
                                r->move == CW_EVM_NONE64 ? json_null()
                                                         : json_integer((json_int_t)r->move));
        if (r->kind == CW_EVM_ISSUER_DESTROY)
            json_object_set_new(x, "burn",
                                r->move == CW_EVM_NONE64
                                    ? json_string("by the tx's Transfer to 0x0 (counted once)")
                                    : json_integer((json_int_t)r->move));
        json_array_append_new(ij, x);
    }
    if (json_array_size(ij))
        json_object_set_new(o, "issuer_actions", ij);
    else
        json_decref(ij);
    /* bridge memos kept by the store (evm/memo.h) */
    json_t *mj = json_array();
    cw_evmstore_tx_memos(s, tx, &a, &e);
    for (uint64_t i = a; i < e; i++) {
        const cw_evm_row_memo *mr = cw_evmstore_memo(s, i);
        static const char *const src[] = {"?", "calldata", "log", "text", "deposit event"};
        /* a source-4 row without a log index is a deposit call's destination, not an event's */
        const char *sn = mr->source == CW_EVM_MEMO_SRC_EVENT && mr->log == CW_EVM_NONE32
                             ? "deposit call"
                             : src[mr->source <= 4 ? mr->source : 0];
        json_t *m = json_pack("{s:s%, s:s}", "memo", mr->memo, (size_t)mr->len, "source", sn);
        if (mr->log != CW_EVM_NONE32)
            json_object_set_new(m, "log_index", json_integer(mr->log));
        /* the contract the memo came from (a log's emitter, else the tx's `to`); null when it
         * is no account of the store */
        json_object_set_new(m, "emitter", account_json(s, mr->emitter));
        if (mr->flags & CW_EVM_MEMOF_TRUNCATED)
            json_object_set_new(m, "truncated", json_true());
        json_array_append_new(mj, m);
    }
    json_object_set_new(o, "memos", mj);
    *out = o;
    return 0;
}

/* A memo row's accounts (format 4): `to` is its tx's `to`; the emitter is an account of the
 * store or none, the tx's `to` for a row read from calldata, and the account an event's text
 * names after `:@` (else the tx's `to`). d: the row's parsed destination (source 4), else NULL. */
static bool memo_emitter_ok(const cw_evmstore *s, const cw_evm_row_memo *mr,
                            const cw_evm_memo_dest *d, uint64_t accounts)
{
    const cw_evm_row_tx *t = cw_evmstore_tx(s, mr->tx);
    if (!t || mr->to != t->to || (mr->emitter != CW_EVM_NONE32 && mr->emitter >= accounts))
        return false;
    if (mr->log == CW_EVM_NONE32)
        return mr->emitter == mr->to;
    if (!d)
        return true;
    if (!d->emitter[0])
        return mr->emitter == mr->to;
    if (mr->emitter == CW_EVM_NONE32) { /* none yet: the account first appears later, if ever */
        cw_evm_addr ad;
        uint32_t id;
        if (cw_hex_decode(ad.b, 20, d->emitter + 2) != 0)
            return false;
        bool later = cw_evmstore_find_account(s, &ad, &id) != 0 ||
                     cw_evmstore_account(s, id)->first_block >= t->block;
        cw_error_clear();
        return later;
    }
    const cw_evm_row_account *a = cw_evmstore_account(s, mr->emitter);
    char h[43];
    if (a)
        cw_evm_addr_hex(h, (const cw_evm_addr *)a->addr);
    return a && strcmp(h, d->emitter) == 0;
}

/* one balance of a stated opening snapshot, of an account and asset the store names */
typedef struct opening_row {
    uint32_t acct, asset;
    size_t line;
    cw_u256 bal;
} opening_row;
static int read_opening(const cw_evmstore *s, const char *path, opening_row **out, size_t *n,
                        size_t *lines);

static bool store_complete(const cw_evmstore *s)
{
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    return c.base == 0 && c.incomplete == 0;
}

int cw_evm_query_address(json_t **out, const cw_evmstore *s, const char *addr, uint64_t offset,
                         uint64_t limit)
{
    return cw_evm_query_address_opening(out, s, addr, offset, limit, NULL);
}

int cw_evm_query_address_opening(json_t **out, const cw_evmstore *s, const char *addr,
                                 uint64_t offset, uint64_t limit, const char *opening)
{
    *out = NULL;
    cw_evm_addr a;
    int rc = parse_addr_arg(addr, &a);
    if (rc)
        return rc;
    uint32_t id;
    if ((rc = cw_evmstore_find_account(s, &a, &id)))
        return cw_error_set(rc, "address %s is not in the store", addr);
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    const cw_evm_row_account *ar = cw_evmstore_account(s, id);
    json_t *o = json_object();
    char hx[43];
    cw_evm_addr_hex(hx, &a);
    json_object_set_new(o, "chain", json_string(cw_evmstore_chain(s)->name));
    json_object_set_new(o, "synthetic", json_boolean(cw_evmstore_synthetic(s)));
    json_object_set_new(o, "address", json_string(hx));
    json_object_set_new(o, "id", json_integer(id));
    uint32_t cb = cw_evmstore_contract_block(s, id);
    json_object_set_new(o, "contract", json_boolean(cb != CW_EVM_NONE32));
    if (cb != CW_EVM_NONE32)
        json_object_set_new(o, "contract_since_block", json_integer(cb));
    uint32_t lb = cw_evmstore_account_last_block(s, id);
    const cw_evm_row_block *fb = cw_evmstore_block(s, ar->first_block),
                           *lbr = cw_evmstore_block(s, lb);
    json_object_set_new(o, "first_seen",
                        json_pack("{s:i, s:I}", "block", (int)ar->first_block, "time",
                                  (json_int_t)(fb ? fb->timestamp : 0)));
    json_object_set_new(
        o, "last_seen",
        json_pack("{s:i, s:I}", "block", (int)lb, "time", (json_int_t)(lbr ? lbr->timestamp : 0)));
    /* balances per asset */
    uint32_t na = (uint32_t)c.assets;
    cw_u256 *in = cw_calloc(na ? na : 1, sizeof *in), *outv = cw_calloc(na ? na : 1, sizeof *outv);
    if (!in || !outv) {
        cw_free(in);
        cw_free(outv);
        json_decref(o);
        return cw_error_set(CW_ENOMEM, "out of memory");
    }
    if ((rc = cw_evmstore_account_flows(s, id, UINT64_MAX, in, outv, na))) {
        cw_free(in);
        cw_free(outv);
        json_decref(o);
        return rc;
    }
    /* Balances: from genesis, or from a stated opening snapshot of the balances before the
     * store's first block (as `check --opening`), with receipts, logs and traces everywhere;
     * else net flows from the first block held. */
    cw_evm_counts cc;
    cw_evmstore_counts(s, &cc);
    cw_u256 *open_bal = NULL;
    bool *has_open = NULL;
    if (opening) {
        opening_row *rows_o = NULL;
        size_t n_o = 0, lines_o = 0;
        if ((rc = read_opening(s, opening, &rows_o, &n_o, &lines_o)) ||
            !(open_bal = cw_calloc(na ? na : 1, sizeof *open_bal)) ||
            !(has_open = cw_calloc(na ? na : 1, sizeof *has_open))) {
            if (!rc)
                rc = cw_error_set(CW_ENOMEM, "out of memory");
            cw_free(rows_o);
            cw_free(open_bal);
            cw_free(has_open);
            cw_free(in);
            cw_free(outv);
            json_decref(o);
            return rc;
        }
        size_t held = 0;
        for (size_t i = 0; i < n_o && !rc; i++) {
            if (rows_o[i].acct != id || rows_o[i].asset >= na)
                continue;
            if (has_open[rows_o[i].asset])
                rc = cw_error_set(CW_ECORRUPT,
                                  "%s: line %zu: a second balance of the same account and asset",
                                  opening, rows_o[i].line);
            has_open[rows_o[i].asset] = true;
            open_bal[rows_o[i].asset] = rows_o[i].bal;
            held++;
        }
        cw_free(rows_o);
        if (rc) {
            cw_free(open_bal);
            cw_free(has_open);
            cw_free(in);
            cw_free(outv);
            json_decref(o);
            return cw_error_wrap(rc, "opening snapshot: ");
        }
        json_object_set_new(o, "opening",
                            json_pack("{s:s, s:I, s:I, s:I}", "file", opening, "before_block",
                                      (json_int_t)cc.base, "balances_read", (json_int_t)lines_o,
                                      "balances_of_address", (json_int_t)held));
    }
    bool complete = (store_complete(s) || (opening && cc.incomplete == 0)) && cc.blocks > 0;
    json_object_set_new(o, "complete", json_boolean(complete));
    json_object_set_new(o, "from_block", json_integer((json_int_t)cc.base));
    if (!complete) {
        char note[400];
        if (cc.incomplete)
            snprintf(note, sizeof note,
                     "%llu blocks were ingested without receipts, logs or traces: figures are "
                     "net flows over the blocks held from block %llu, not balances",
                     (unsigned long long)cc.incomplete, (unsigned long long)cc.base);
        else
            snprintf(note, sizeof note,
                     "the store starts at block %llu, not at genesis: figures are net flows from "
                     "block %llu, not balances (a stated opening snapshot of the balances before "
                     "block %llu gives balances)",
                     (unsigned long long)cc.base, (unsigned long long)cc.base,
                     (unsigned long long)cc.base);
        json_object_set_new(o, "note", json_string(note));
    }
    json_t *bal = json_array();
    for (uint32_t i = 0; i < na; i++) {
        bool op = open_bal && has_open[i];
        if (cw_u256_is_zero(&in[i]) && cw_u256_is_zero(&outv[i]) && !op)
            continue;
        json_t *e = json_object();
        json_object_set_new(e, "asset", asset_json(s, i));
        json_object_set_new(e, "received", u256v_json(&in[i]));
        json_object_set_new(e, "sent", u256v_json(&outv[i]));
        cw_u256 d, have = in[i];
        if (op) {
            json_object_set_new(e, "opening", u256v_json(&open_bal[i]));
            if (cw_u256_add(&have, &in[i], &open_bal[i]))
                memset(&have, 0xff, sizeof have); /* past 2^256: no real balance; saturated */
        }
        char buf[CW_U256_DEC_MAX + 2];
        bool below = cw_u256_cmp(&have, &outv[i]) < 0;
        if (!below) {
            cw_u256_sub(&d, &have, &outv[i]);
            cw_u256_to_dec(buf, &d);
        } else {
            cw_u256_sub(&d, &outv[i], &have);
            buf[0] = '-';
            cw_u256_to_dec(buf + 1, &d);
        }
        json_object_set_new(e, complete ? "balance" : "net_flow", json_string(buf));
        if (complete && below)
            json_object_set_new(
                e, "below_zero",
                json_string(opening ? "more sent than the opening balance and the credits held: "
                                      "the opening snapshot or the store misses a credit"
                                    : "more sent than received: the store misses a credit (a "
                                      "token whose events do not tell every change)"));
        json_t *fz = cw_evm_frozen_json(s, id, i);
        if (fz)
            json_object_set_new(e, "frozen", fz);
        json_array_append_new(bal, e);
    }
    cw_free(in);
    cw_free(outv);
    cw_free(open_bal);
    cw_free(has_open);
    json_object_set_new(o, "balances", bal);
    /* a page of movements, newest first: merge the in and out chains */
    cw_evm_row_acctlast l;
    if ((rc = cw_evmstore_acctlast(s, id, &l))) {
        json_decref(o);
        return rc;
    }
    uint64_t pi = l.last_in, po = l.last_out, k = 0, n_in = 0, n_out = 0;
    json_t *page = json_array();
    /* counterparties: a small table of (account, in, out) counted over the whole history */
    typedef struct {
        uint32_t id;
        uint64_t in, out;
    } cp;
    cp *cps = NULL;
    size_t ncp = 0, capcp = 0;
    while (pi != CW_EVM_NONE64 || po != CW_EVM_NONE64) {
        uint64_t m;
        bool is_in;
        if (po == CW_EVM_NONE64 || (pi != CW_EVM_NONE64 && pi >= po)) {
            m = pi; /* pi == po: a movement to itself, taken once */
            is_in = true;
        } else {
            m = po;
            is_in = false;
        }
        const cw_evm_row_move *mv = cw_evmstore_move(s, m);
        const cw_evm_movelink ln = cw_evmstore_movelink(s, m);
        if (!mv)
            break;
        if (k >= offset && k < offset + limit)
            json_array_append_new(page, move_json(s, m));
        k++;
        uint32_t other = is_in ? mv->from : mv->to;
        if (pi == po) {
            pi = ln.prev_in;
            po = ln.prev_out;
            n_in++;
            n_out++;
        } else if (is_in) {
            pi = ln.prev_in;
            n_in++;
        } else {
            po = ln.prev_out;
            n_out++;
        }
        if (other == CW_EVM_NONE32 || other == id)
            continue;
        size_t j = 0;
        for (; j < ncp && cps[j].id != other; j++)
            ;
        if (j == ncp) {
            if (ncp == capcp) {
                size_t nc = capcp ? capcp * 2 : 32;
                cp *p = cw_realloc(cps, nc * sizeof *p);
                if (!p)
                    break;
                cps = p;
                capcp = nc;
            }
            cps[ncp++] = (cp){other, 0, 0};
            if (ncp > 100000)
                break; /* enough for a summary */
        }
        if (is_in)
            cps[j].in++;
        else
            cps[j].out++;
    }
    json_object_set_new(o, "movements_total", json_integer((json_int_t)k));
    json_object_set_new(o, "movements_in", json_integer((json_int_t)n_in));
    json_object_set_new(o, "movements_out", json_integer((json_int_t)n_out));
    json_object_set_new(o, "offset", json_integer((json_int_t)offset));
    json_object_set_new(o, "movements", page);
    /* the 25 counterparties with the most movements */
    json_t *cj = json_array();
    for (int r = 0; r < 25 && ncp; r++) {
        size_t best = 0;
        for (size_t j = 1; j < ncp; j++) {
            if (cps[j].in + cps[j].out > cps[best].in + cps[best].out)
                best = j;
        }
        if (cps[best].in + cps[best].out == 0)
            break;
        json_array_append_new(
            cj, json_pack("{s:o, s:I, s:I}", "address", account_json(s, cps[best].id), "from_it",
                          (json_int_t)cps[best].in, "to_it", (json_int_t)cps[best].out));
        cps[best].in = cps[best].out = 0;
    }
    cw_free(cps);
    json_object_set_new(o, "counterparties", cj);
    *out = o;
    return 0;
}

int cw_evm_query_block(json_t **out, const cw_evmstore *s, const char *which)
{
    *out = NULL;
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    const cw_evm_row_block *b = NULL;
    uint64_t num;
    if (!strncmp(which, "0x", 2) && strlen(which) == 66) {
        cw_evm_hash h;
        int rc = parse_hash_arg(which, &h);
        if (rc)
            return rc;
        for (uint64_t i = c.blocks; i-- > 0;) {
            const cw_evm_row_block *r = cw_evmstore_block(s, c.base + i);
            if ((memcmp(r->hash, h.b, 32) == 0)) {
                b = r;
                break;
            }
        }
    } else if (!cw_parse_u64(&num, which)) {
        b = cw_evmstore_block(s, num);
    } else {
        return cw_error_set(CW_EINVAL, "'%s' is not a block number or 0x hash", which);
    }
    if (!b)
        return cw_error_set(CW_ENOTFOUND, "block %s is not in the store (it holds %llu..%llu)",
                            which, (unsigned long long)c.base,
                            (unsigned long long)(c.base + c.blocks - 1));
    json_t *o = json_object();
    char hx[67];
    json_object_set_new(o, "chain", json_string(cw_evmstore_chain(s)->name));
    json_object_set_new(o, "synthetic", json_boolean(cw_evmstore_synthetic(s)));
    json_object_set_new(o, "number", json_integer((json_int_t)b->number));
    cw_evm_hash_hex(hx, (const cw_evm_hash *)b->hash);
    json_object_set_new(o, "hash", json_string(hx));
    cw_evm_hash_hex(hx, (const cw_evm_hash *)b->parent);
    json_object_set_new(o, "parent_hash", json_string(hx));
    json_object_set_new(o, "time", json_integer((json_int_t)b->timestamp));
    json_object_set_new(o, "miner", account_json(s, b->miner));
    json_object_set_new(o, "gas_used", json_integer((json_int_t)b->gas_used));
    json_object_set_new(o, "gas_limit", json_integer((json_int_t)b->gas_limit));
    if (b->flags & CW_EVM_BLOCKF_BASE_FEE)
        json_object_set_new(o, "base_fee_per_gas", u256_json(b->base_fee));
    json_object_set_new(o, "transaction_count", json_integer(b->n_tx));
    json_object_set_new(o, "withdrawals", json_integer(b->n_withdrawals));
    json_object_set_new(o, "has_receipts", json_boolean(b->flags & CW_EVM_BLOCKF_RECEIPTS));
    json_object_set_new(o, "has_logs", json_boolean(b->flags & CW_EVM_BLOCKF_LOGS));
    json_object_set_new(o, "has_traces", json_boolean(b->flags & CW_EVM_BLOCKF_TRACES));
    const cw_evm_row_block *nb = cw_evmstore_block(s, b->number + 1);
    uint64_t end_move = nb ? nb->first_move : c.moves;
    json_object_set_new(o, "movements", json_integer((json_int_t)(end_move - b->first_move)));
    cw_u256 burnt = {{0, 0, 0, 0}};
    for (uint64_t m = b->first_move; m < end_move; m++) {
        const cw_evm_row_move *mv = cw_evmstore_move(s, m);
        if (mv->kind == CW_EVM_MOVE_FEE_BURNT) {
            cw_u256 v = cw_evmstore_move_amount(s, mv);
            cw_u256_add(&burnt, &burnt, &v);
        }
    }
    json_object_set_new(o, "burnt_fees", u256v_json(&burnt));
    json_t *txs = json_array();
    for (uint32_t i = 0; i < b->n_tx; i++) {
        cw_evm_hash_hex(hx, (const cw_evm_hash *)cw_evmstore_tx_hash(s, b->first_tx + i));
        json_array_append_new(txs, json_string(hx));
    }
    json_object_set_new(o, "txs", txs);
    *out = o;
    return 0;
}

/* ---- check ---- */

typedef struct {
    json_t *errors;
    size_t n;
} problems;

static void problem(problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(problems *p, const char *fmt, ...)
{
    p->n++;
    if (json_array_size(p->errors) >= 100)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_array_append_new(p->errors, json_string(buf));
}

/* A side-table reference of a wide row (amounts.col, txamounts.col): its rows follow their
 * owners' order one for one, so the row named must be the next; ok = it exists, names its
 * owner back and holds a value that does not fit the 64 bits of the row. */
static void wide_row(problems *p, const char *owner, uint64_t id, const char *table, uint64_t row,
                     uint64_t *next, bool ok)
{
    if (row != *next || !ok)
        problem(p,
                "%s %llu: wide row %llu is not the next row of %s.col (%llu), does not name it "
                "back, or holds a value below 2^64",
                owner, (unsigned long long)id, (unsigned long long)row, table,
                (unsigned long long)*next);
    (*next)++;
}

/* per (account, asset) sums for the no-negative-balance check */
typedef struct {
    uint64_t key; /* (account + 1) << 32 | asset, 0 empty */
    cw_u256 bal;
    bool neg, opened; /* opened: set from the opening snapshot */
} bal_slot;

/* Reads a stated opening snapshot: `address,asset,balance` lines (a first line starting with
 * "address" is a header; CRLF is accepted), asset the native coin (ETH, native, or the chain's
 * symbol) or a token contract's address, balance a non-negative integer in base units. Balances
 * of accounts or tokens the store never names are left out (no movement of the store can take
 * them below zero); *lines counts the balances read. */
static int read_opening(const cw_evmstore *s, const char *path, opening_row **out, size_t *n,
                        size_t *lines)
{
    *out = NULL;
    *n = *lines = 0;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, line = 0;
    int rc = cw_file_read(&buf, &len, path);
    if (rc)
        return cw_error_wrap(rc, "opening snapshot: ");
    const cw_evm_row_asset *nat = cw_evmstore_asset(s, CW_EVM_ASSET_NATIVE);
    size_t natlen = nat ? strnlen(nat->symbol, sizeof nat->symbol) : 0;
    const char *p = (const char *)buf, *end = p + len;
    while (p < end && !rc) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = (size_t)((nl ? nl : end) - p);
        const char *next = nl ? nl + 1 : end;
        line++;
        if (l && p[l - 1] == '\r')
            l--;
        if (!l || (line == 1 && l >= 7 && !memcmp(p, "address", 7))) {
            p = next;
            continue;
        }
        const char *c1 = memchr(p, ',', l);
        const char *c2 = c1 ? memchr(c1 + 1, ',', l - (size_t)(c1 + 1 - p)) : NULL;
        cw_evm_addr a, t;
        cw_u256 v;
        if (!c2 || memchr(c2 + 1, ',', l - (size_t)(c2 + 1 - p))) {
            rc = cw_error_set(CW_ECORRUPT, "%s: line %zu: not address,asset,balance", path, line);
            break;
        }
        const char *ap = c1 + 1, *vp = c2 + 1;
        size_t al = (size_t)(c2 - ap), vl = (size_t)(p + l - vp);
        bool native = (al == 3 && !strncmp(ap, "ETH", 3)) ||
                      (al == 6 && !strncmp(ap, "native", 6)) ||
                      (natlen && al == natlen && !strncmp(ap, nat->symbol, natlen));
        if (cw_evm_addr_parse(&a, p, (size_t)(c1 - p))) {
            rc =
                cw_error_set(CW_ECORRUPT, "%s: line %zu: address: not 0x and 40 hex digits: '%.*s'",
                             path, line, (int)(c1 - p > 60 ? 60 : c1 - p), p);
            break;
        }
        if (!native && cw_evm_addr_parse(&t, ap, al)) {
            rc = cw_error_set(CW_ECORRUPT,
                              "%s: line %zu: asset: the native coin or a token address: '%.*s'",
                              path, line, (int)(al > 60 ? 60 : al), ap);
            break;
        }
        if (!vl || vp[0] == '-' || cw_u256_parse(&v, vp, vl)) {
            rc = cw_error_set(CW_ECORRUPT,
                              "%s: line %zu: balance: not a non-negative integer below 2^256: "
                              "'%.*s'",
                              path, line, (int)(vl > 80 ? 80 : vl), vp);
            break;
        }
        (*lines)++;
        uint32_t acct, tacct, asset = CW_EVM_ASSET_NATIVE;
        bool known = cw_evmstore_find_account(s, &a, &acct) == 0 &&
                     (native || (cw_evmstore_find_account(s, &t, &tacct) == 0 &&
                                 cw_evmstore_find_asset(s, tacct, &asset) == 0));
        cw_error_clear();
        if (known) {
            if (*n == cap) {
                size_t nc = cap ? 2 * cap : 256;
                opening_row *r = cw_realloc(*out, nc * sizeof *r);
                if (!r) {
                    rc = cw_error_set(CW_ENOMEM, "out of memory (opening snapshot)");
                    break;
                }
                *out = r;
                cap = nc;
            }
            (*out)[(*n)++] = (opening_row){acct, asset, line, v};
        }
        p = next;
    }
    cw_free(buf);
    if (rc) {
        cw_free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static bal_slot *bal_get(bal_slot *t, size_t cap, uint32_t acct, uint32_t asset)
{
    uint64_t key = ((uint64_t)acct + 1) << 32 | asset;
    uint64_t h = key * 0x9e3779b97f4a7c15ull;
    size_t j = (size_t)(h >> 20) & (cap - 1);
    while (t[j].key && t[j].key != key)
        j = (j + 1) & (cap - 1);
    t[j].key = key;
    return &t[j];
}

int cw_evm_check(json_t **out, const cw_evmstore *s)
{
    return cw_evm_check_opening(out, s, NULL);
}

int cw_evm_check_opening(json_t **out, const cw_evmstore *s, const char *opening)
{
    *out = NULL;
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    opening_row *open = NULL;
    size_t n_open = 0, open_lines = 0;
    if (opening) {
        int orc = read_opening(s, opening, &open, &n_open, &open_lines);
        if (orc)
            return orc;
    }
    problems p = {json_array(), 0};
    /* blocks: numbers, parent links, ranges */
    uint64_t next_tx = 0, next_move = 0, next_acct = 0, next_asset = 0, next_create = 0;
    for (uint64_t i = 0; i < c.blocks; i++) {
        const cw_evm_row_block *b = cw_evmstore_block(s, c.base + i);
        if (b->number != c.base + i)
            problem(&p, "block row %llu: number %llu", (unsigned long long)i,
                    (unsigned long long)b->number);
        if (i) {
            const cw_evm_row_block *pb = cw_evmstore_block(s, c.base + i - 1);
            if ((memcmp(pb->hash, b->parent, 32) != 0))
                problem(&p, "block %llu: parent hash is not block %llu's hash",
                        (unsigned long long)b->number, (unsigned long long)b->number - 1);
        }
        if (b->first_tx != next_tx || b->first_move < next_move || b->first_account < next_acct ||
            b->first_asset < next_asset || b->first_create < next_create)
            problem(&p, "block %llu: row ranges out of order", (unsigned long long)b->number);
        if (b->miner >= c.accounts)
            problem(&p, "block %llu: miner id %u past the accounts", (unsigned long long)b->number,
                    b->miner);
        for (uint32_t k = 0; k < b->n_tx && b->first_tx + k < c.txs; k++) {
            const cw_evm_row_tx *t = cw_evmstore_tx(s, b->first_tx + k);
            if (t->block != b->number || t->index != k)
                problem(&p, "tx %llu: block %u index %u, expected block %llu index %u",
                        (unsigned long long)b->first_tx + k, t->block, t->index,
                        (unsigned long long)b->number, k);
        }
        next_tx = b->first_tx + b->n_tx;
        next_move = b->first_move;
        next_acct = b->first_account;
        next_asset = b->first_asset;
        next_create = b->first_create;
    }
    if (next_tx != c.txs)
        problem(&p, "the blocks hold %llu txs, the store %llu", (unsigned long long)next_tx,
                (unsigned long long)c.txs);
    /* txs */
    uint64_t next_txwide = 0;
    for (uint64_t t = 0; t < c.txs; t++) {
        const cw_evm_row_tx *tr = cw_evmstore_tx(s, t);
        if (tr->flags & CW_EVM_TXF_WIDE) {
            /* one txamounts.col row per wide tx, in tx order, naming it back, and only when
             * the value or the gas price does not fit the row's 64 bits */
            const cw_evm_row_txwide *w = cw_evmstore_txwide(s, tr->value);
            bool ok = w && w->tx == t;
            if (ok) {
                cw_u256 v = cw_evm_amount(w->value), g = cw_evm_amount(w->gas_price);
                ok = !cw_u256_fits_u64(&v) || !cw_u256_fits_u64(&g);
            }
            wide_row(&p, "tx", t, "txamounts", tr->value, &next_txwide, ok);
        }
        if (tr->from >= c.accounts || (tr->to != CW_EVM_NONE32 && tr->to >= c.accounts) ||
            (tr->created != CW_EVM_NONE32 && tr->created >= c.accounts))
            problem(&p, "tx %llu: account id past the accounts", (unsigned long long)t);
        if (tr->first_move > c.moves)
            problem(&p, "tx %llu: first movement past the movements", (unsigned long long)t);
        uint64_t id;
        if (cw_evmstore_find_tx(s, (const cw_evm_hash *)cw_evmstore_tx_hash(s, t), &id) || id != t)
            problem(&p, "tx %llu: the hash index does not find it", (unsigned long long)t);
    }
    if (next_txwide != cw_evmstore_txwide_count(s))
        problem(&p, "txamounts.col holds %llu rows, the txs name %llu",
                (unsigned long long)cw_evmstore_txwide_count(s), (unsigned long long)next_txwide);
    /* issuers' actions: in tx order, naming txs, blocks and accounts of the store; a destroy's
     * burn is a movement of its tx at its log, from the user to nobody in the emitter's token */
    uint64_t n_issuer = cw_evmstore_issuer_count(s);
    for (uint64_t i = 0; i < n_issuer; i++) {
        const cw_evm_row_issuer *r = cw_evmstore_issuer(s, i);
        const cw_evm_row_issuer *pr = i ? cw_evmstore_issuer(s, i - 1) : NULL;
        const cw_evm_row_tx *tr = r->tx < c.txs ? cw_evmstore_tx(s, r->tx) : NULL;
        bool supply = r->kind == CW_EVM_ISSUER_ISSUE || r->kind == CW_EVM_ISSUER_REDEEM;
        bool ok = tr && tr->block == r->block && r->token < c.accounts &&
                  (r->user < c.accounts ||
                   (supply && r->user == CW_EVM_NONE32 && r->move == CW_EVM_NONE64 &&
                    (r->flags & CW_EVM_ISSUERF_OWNER_UNKNOWN))) &&
                  r->kind >= CW_EVM_ISSUER_FREEZE && r->kind <= CW_EVM_ISSUER_REDEEM &&
                  (!pr || pr->tx < r->tx || (pr->tx == r->tx && pr->log < r->log)) &&
                  (r->kind == CW_EVM_ISSUER_DESTROY || supply || r->move == CW_EVM_NONE64);
        if (ok && r->move != CW_EVM_NONE64) {
            /* a burn from the user (destroy, redeem) or a mint to it (issue) */
            bool mint = r->kind == CW_EVM_ISSUER_ISSUE;
            const cw_evm_row_move *mv = r->move < c.moves ? cw_evmstore_move(s, r->move) : NULL;
            const cw_evm_row_asset *as = mv ? cw_evmstore_asset(s, mv->asset) : NULL;
            ok = mv && mv->tx == r->tx && mv->pos == r->log &&
                 (mint ? mv->to : mv->from) == r->user &&
                 (mint ? mv->from : mv->to) == CW_EVM_NONE32 && mv->kind == CW_EVM_MOVE_ERC20 &&
                 as && as->account == r->token;
        }
        if (!ok)
            problem(&p,
                    "issuer.col row %llu: not an issuer's action of the store (tx %llu, log %u)",
                    (unsigned long long)i, (unsigned long long)r->tx, r->log);
    }
    /* moves and their links */
    uint8_t *seen = cw_calloc(c.moves ? c.moves : 1, 1);
    if (!seen) {
        json_decref(p.errors);
        cw_free(open);
        return cw_error_set(CW_ENOMEM, "out of memory");
    }
    uint64_t next_wide = 0;
    for (uint64_t m = 0; m < c.moves; m++) {
        const cw_evm_row_move *mv = cw_evmstore_move(s, m);
        const cw_evm_movelink ln = cw_evmstore_movelink(s, m);
        if ((mv->from != CW_EVM_NONE32 && mv->from >= c.accounts) ||
            (mv->to != CW_EVM_NONE32 && mv->to >= c.accounts) || mv->asset >= c.assets)
            problem(&p, "movement %llu: id past the accounts or assets", (unsigned long long)m);
        if (mv->tx != CW_EVM_NONE64) {
            const cw_evm_row_tx *t = cw_evmstore_tx(s, mv->tx);
            if (!t || t->block != mv->block || t->first_move > m)
                problem(&p, "movement %llu: its tx %llu is not in block %u or starts after it",
                        (unsigned long long)m, (unsigned long long)mv->tx, mv->block);
        }
        if (!cw_evmstore_block(s, mv->block))
            problem(&p, "movement %llu: block %u not in the store", (unsigned long long)m,
                    mv->block);
        if (mv->kind < CW_EVM_MOVE_TX || mv->kind > CW_EVM_MOVE_ERC1155)
            problem(&p, "movement %llu: unknown kind %u", (unsigned long long)m, mv->kind);
        if (mv->flags &
            ~(CW_EVM_MOVEF_STATUS_UNKNOWN | CW_EVM_MOVEF_COUNT_ONLY | CW_EVM_MOVEF_WIDE))
            problem(&p, "movement %llu: unknown flags 0x%x", (unsigned long long)m, mv->flags);
        if (mv->flags & CW_EVM_MOVEF_WIDE) {
            /* one amounts.col row per wide movement, in movement order, naming it back, and
             * only for amounts that do not fit the row's 64 bits */
            const cw_evm_row_wide *w = cw_evmstore_wide(s, mv->amount);
            cw_u256 v = w ? cw_evm_amount(w->amount) : (cw_u256){{0, 0, 0, 0}};
            wide_row(&p, "movement", m, "amounts", mv->amount, &next_wide,
                     w && w->move == m && !cw_u256_fits_u64(&v));
        }
        if (ln.prev_out != CW_EVM_NONE64 &&
            (ln.prev_out >= m || cw_evmstore_move(s, ln.prev_out)->from != mv->from))
            problem(&p, "movement %llu: prev_out does not point to an earlier movement of %u",
                    (unsigned long long)m, mv->from);
        if (ln.prev_in != CW_EVM_NONE64 &&
            (ln.prev_in >= m || cw_evmstore_move(s, ln.prev_in)->to != mv->to))
            problem(&p, "movement %llu: prev_in does not point to an earlier movement of %u",
                    (unsigned long long)m, mv->to);
    }
    if (next_wide != cw_evmstore_wide_count(s))
        problem(&p, "amounts.col holds %llu rows, the movements name %llu",
                (unsigned long long)cw_evmstore_wide_count(s), (unsigned long long)next_wide);
    /* accounts: index, chains cover every movement exactly once */
    for (uint32_t a = 0; a < c.accounts; a++) {
        const cw_evm_row_account *ar = cw_evmstore_account(s, a);
        uint32_t id;
        if (cw_evmstore_find_account(s, (const cw_evm_addr *)ar->addr, &id) || id != a)
            problem(&p, "account %u: the address index does not find it", a);
        if (!cw_evmstore_block(s, ar->first_block))
            problem(&p, "account %u: first seen in block %u, not in the store", a, ar->first_block);
        cw_evm_row_acctlast l;
        if (cw_evmstore_acctlast(s, a, &l)) {
            problem(&p, "account %u: its chain heads: %s", a, cw_error_last());
            continue;
        }
        for (int dir = 0; dir < 2; dir++) {
            uint64_t m = dir ? l.last_out : l.last_in;
            while (m != CW_EVM_NONE64) {
                if (m >= c.moves) {
                    problem(&p, "account %u: chain points past the movements", a);
                    break;
                }
                const cw_evm_row_move *mv = cw_evmstore_move(s, m);
                if ((dir ? mv->from : mv->to) != a) {
                    problem(&p, "account %u: chain reaches movement %llu of another account", a,
                            (unsigned long long)m);
                    break;
                }
                uint8_t bit = dir ? 2 : 1;
                if (seen[m] & bit) {
                    problem(&p, "account %u: movement %llu twice in a chain", a,
                            (unsigned long long)m);
                    break;
                }
                seen[m] |= bit;
                const cw_evm_movelink ln = cw_evmstore_movelink(s, m);
                m = dir ? ln.prev_out : ln.prev_in;
            }
        }
    }
    for (uint64_t m = 0; m < c.moves; m++) {
        const cw_evm_row_move *mv = cw_evmstore_move(s, m);
        uint8_t want = (mv->to != CW_EVM_NONE32 ? 1 : 0) | (mv->from != CW_EVM_NONE32 ? 2 : 0);
        if (seen[m] != want)
            problem(&p, "movement %llu is missing from its account's in or out chain",
                    (unsigned long long)m);
    }
    cw_free(seen);
    /* assets and creates */
    for (uint32_t i = 0; i < c.assets; i++) {
        const cw_evm_row_asset *as = cw_evmstore_asset(s, i);
        uint32_t back;
        if (i == 0 && (as->kind != CW_EVM_ASSET_KIND_NATIVE || as->account != CW_EVM_NONE32))
            problem(&p, "asset 0 is not the native coin");
        if (i && (as->account >= c.accounts || cw_evmstore_find_asset(s, as->account, &back) ||
                  back != i))
            problem(&p, "asset %u: token account %u not found or not unique", i, as->account);
    }
    for (uint64_t i = 0; i < c.creates; i++) {
        const cw_evm_row_create *cr = cw_evmstore_create(s, i);
        uint32_t cb = cw_evmstore_contract_block(s, cr->account);
        if (cb == CW_EVM_NONE32 || cb > cr->block)
            problem(&p, "creation %llu: account %u is not marked a contract by block %u",
                    (unsigned long long)i, cr->account, cr->block);
    }
    int rc = 0;
    /* balances: only meaningful from genesis, or from a stated opening snapshot of the
     * balances before the first block, with receipts, logs and traces everywhere */
    bool complete = (c.base == 0 || opening) && c.incomplete == 0 && c.blocks > 0;
    uint64_t negative = 0;
    json_t *below = json_array(); /* per token: accounts below zero at the tip */
    if (complete) {
        size_t cap = 1024;
        while (cap < 2 * (c.moves + n_open + 1))
            cap *= 2;
        bal_slot *t = cw_calloc(cap, sizeof *t);
        if (!t) {
            json_decref(p.errors);
            cw_free(open);
            return cw_error_set(CW_ENOMEM, "out of memory (balance check)");
        }
        for (size_t i = 0; i < n_open; i++) {
            bal_slot *b = bal_get(t, cap, open[i].acct, open[i].asset);
            if (b->opened)
                problem(&p,
                        "opening snapshot line %zu: a second balance of the same account and asset",
                        open[i].line);
            b->opened = true;
            b->bal = open[i].bal;
        }
        for (uint64_t m = 0; m < c.moves; m++) {
            const cw_evm_row_move *mv = cw_evmstore_move(s, m);
            if (mv->flags & CW_EVM_MOVEF_COUNT_ONLY)
                continue;
            cw_u256 v = cw_evmstore_move_amount(s, mv);
            if (mv->to != CW_EVM_NONE32) {
                bal_slot *b = bal_get(t, cap, mv->to, mv->asset);
                if (b->neg) {
                    /* bal holds the magnitude of a negative balance */
                    if (cw_u256_cmp(&v, &b->bal) >= 0) {
                        cw_u256_sub(&b->bal, &v, &b->bal);
                        b->neg = false;
                    } else {
                        cw_u256_sub(&b->bal, &b->bal, &v);
                    }
                } else {
                    cw_u256_add(&b->bal, &b->bal, &v);
                }
            }
            if (mv->from != CW_EVM_NONE32) {
                bal_slot *b = bal_get(t, cap, mv->from, mv->asset);
                if (b->neg) {
                    cw_u256_add(&b->bal, &b->bal, &v);
                } else if (cw_u256_sub(&b->bal, &b->bal, &v)) {
                    cw_u256 z = {{0, 0, 0, 0}};
                    cw_u256_sub(&b->bal, &z, &b->bal);
                    b->neg = true;
                    negative++;
                    if (mv->asset == CW_EVM_ASSET_NATIVE) {
                        const cw_evm_row_account *ar = cw_evmstore_account(s, mv->from);
                        char h[43] = "?";
                        if (ar)
                            cw_evm_addr_hex(h, (const cw_evm_addr *)ar->addr);
                        problem(&p,
                                "account %u (%s): native balance below zero at movement %llu "
                                "(block %u)",
                                mv->from, h, (unsigned long long)m, mv->block);
                    }
                }
            }
        }
        /* the tokens whose events leave holders below zero at the tip (a rebasing token's
         * holders spending balance no Transfer gave them, a token minting or burning with no
         * event): per asset in id order, how many accounts. The native coin is no such token: a
         * native balance below zero is a problem, named above with its account. */
        for (size_t j = 0; j < cap; j++)
            if (t[j].key && t[j].neg && (uint32_t)t[j].key == CW_EVM_ASSET_NATIVE)
                t[j].neg = false;
        for (;;) {
            uint32_t asset = UINT32_MAX;
            uint64_t n = 0;
            for (size_t j = 0; j < cap; j++)
                if (t[j].key && t[j].neg && (uint32_t)t[j].key < asset)
                    asset = (uint32_t)t[j].key;
            if (asset == UINT32_MAX)
                break;
            for (size_t j = 0; j < cap; j++)
                if (t[j].key && t[j].neg && (uint32_t)t[j].key == asset) {
                    n++;
                    t[j].neg = false;
                }
            json_t *e = asset_json(s, asset);
            json_object_set_new(e, "accounts_below_zero", json_integer((json_int_t)n));
            json_array_append_new(below, e);
        }
        cw_free(t);
    }
    /* memos: in tx order, each of a tx in the store, each parsing as it did when kept (or a
     * Bitcoin address alone, a bridge's recipient without memo syntax; a deposit event's
     * destination, source SRC_EVENT) */
    uint64_t n_memos = cw_evmstore_memo_count(s);
    for (uint64_t i = 0; i < n_memos; i++) {
        const cw_evm_row_memo *mr = cw_evmstore_memo(s, i);
        cw_evm_memo pm;
        cw_evm_memo_dest pd;
        bool ev = mr->source == CW_EVM_MEMO_SRC_EVENT;
        if (mr->tx >= c.txs || (i && mr->tx < cw_evmstore_memo(s, i - 1)->tx))
            problem(&p, "memo %llu: tx %llu past the txs or out of order", (unsigned long long)i,
                    (unsigned long long)mr->tx);
        else if (mr->len > CW_EVM_MEMO_MAX || mr->source < CW_EVM_MEMO_SRC_CALLDATA ||
                 mr->source > CW_EVM_MEMO_SRC_EVENT ||
                 (ev && cw_evm_memo_dest_parse(&pd, mr->memo, mr->len) != 0) ||
                 (!ev && !(mr->flags & CW_EVM_MEMOF_TRUNCATED) &&
                  cw_evm_memo_parse(&pm, mr->memo, mr->len) != 0 &&
                  !cw_evm_memo_btc_shaped((const uint8_t *)mr->memo, mr->len)))
            problem(&p, "memo %llu (tx %llu): not a memo the writer keeps", (unsigned long long)i,
                    (unsigned long long)mr->tx);
        else if ((mr->source == CW_EVM_MEMO_SRC_LOG || (ev && !pd.call)) !=
                 (mr->log != CW_EVM_NONE32)) /* a destination read from calldata has no log */
            problem(&p, "memo %llu: log index %u does not match its source", (unsigned long long)i,
                    mr->log);
        else if (!memo_emitter_ok(s, mr, ev ? &pd : NULL, c.accounts))
            problem(&p,
                    "memo %llu (tx %llu): its `to` (%u) or emitter (%u) does not match the tx's "
                    "`to` or the event's emitter",
                    (unsigned long long)i, (unsigned long long)mr->tx, mr->to, mr->emitter);
    }
    cw_error_clear();
    if (p.n)
        rc = CW_ECORRUPT;
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string("evm"));
    json_object_set_new(o, "chain", json_string(cw_evmstore_chain(s)->name));
    json_object_set_new(o, "synthetic", json_boolean(cw_evmstore_synthetic(s)));
    json_object_set_new(o, "checked",
                        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "blocks", (json_int_t)c.blocks,
                                  "txs", (json_int_t)c.txs, "movements", (json_int_t)c.moves,
                                  "accounts", (json_int_t)c.accounts, "assets",
                                  (json_int_t)c.assets, "creations", (json_int_t)c.creates));
    json_object_set_new(json_object_get(o, "checked"), "memos", json_integer((json_int_t)n_memos));
    json_object_set_new(json_object_get(o, "checked"), "wide_amounts",
                        json_integer((json_int_t)cw_evmstore_wide_count(s)));
    json_object_set_new(json_object_get(o, "checked"), "wide_tx_amounts",
                        json_integer((json_int_t)cw_evmstore_txwide_count(s)));
    json_object_set_new(json_object_get(o, "checked"), "issuer_actions",
                        json_integer((json_int_t)n_issuer));
    json_object_set_new(o, "balances_checked", json_boolean(complete));
    if (opening)
        json_object_set_new(o, "opening",
                            json_pack("{s:s, s:I, s:I, s:I}", "file", opening, "before_block",
                                      (json_int_t)c.base, "balances", (json_int_t)open_lines,
                                      "balances_in_store", (json_int_t)n_open));
    cw_free(open);
    if (complete) {
        json_object_set_new(o, "balances_below_zero", json_integer((json_int_t)negative));
        json_object_set_new(o, "tokens_below_zero", below);
        below = NULL;
    } else
        json_object_set_new(o, "balances_note",
                            json_string("not checked: the store does not start at genesis "
                                        "(nor from a stated opening snapshot) or lacks receipts, "
                                        "logs or traces for some blocks"));
    json_decref(below);
    json_object_set_new(o, "problems", json_integer((json_int_t)p.n));
    json_object_set_new(o, "errors", p.errors);
    *out = o;
    return rc ? cw_error_set(rc, "%zu problems found", p.n) : 0;
}
