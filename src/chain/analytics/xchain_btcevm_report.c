/*
 * xchain_btcevm_report.c: a Bitcoin trace's swap-vault exits continued into an EVM store
 * (xchain_btcevm.c), as one JSON document that `chainwatch trace --evm-store` prints and the
 * server's /api/v1/trace?evm=1 serves (xchain_btcevm.h). Refunded deposits are followed back on
 * Bitcoin from the refund's output, round after round, each deposit continued once; then one
 * forward account-model trace runs from the payouts traced on (acct_report.h). A refund round's
 * trace is run from all its sources at once, each with its probable part (the engine's
 * opts.source_probable), so the round's nodes, paths, ends, document and the exits it yields
 * read one judgement. Opens no store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/acct_report.h"
#include "chainwatch/btc/address.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/evm/u256.h"
#include "chainwatch/util.h"
#include "chainwatch/xchain_btcevm.h"

/* a refund by amount: within this below the deposit (the vault's fee) */
#define REFUND_BAND_PCT 10

void cw_xchain_btcevm_report_opts_init(cw_xchain_btcevm_report_opts *o, const cw_trace_opts *btc,
                                       const cw_trace_labelmap *lm, size_t top, size_t graph)
{
    memset(o, 0, sizeof *o);
    cw_xchain_btcevm_opts_init(&o->x);
    o->btc = btc;
    o->lm = lm;
    o->top = top;
    o->graph = graph;
    o->max_rounds = 4;
}

static json_t *evm_hash(const cw_evmstore *s, uint64_t tx)
{
    char h[67] = "0x";
    const uint8_t *b = cw_evmstore_tx_hash(s, tx);
    if (!b)
        return json_null();
    cw_hex_encode(h + 2, b, 32);
    return json_string(h);
}

static json_t *btc_txid(const cw_chainstore *bs, uint64_t tx)
{
    char h[65];
    cw_hex_encode_rev(h, cw_chainstore_txid(bs, tx), 32);
    return json_string(h);
}

static json_t *outpoint_json(const cw_chainstore *bs, uint64_t out)
{
    char h[65], s[80];
    uint64_t tx = cw_chainstore_out_tx(bs, out);
    cw_hex_encode_rev(h, cw_chainstore_txid(bs, tx), 32);
    snprintf(s, sizeof s, "%s:%llu", h,
             (unsigned long long)(out - cw_chainstore_tx_first_out(bs, tx)));
    return json_string(s);
}

static json_t *u256_json(const cw_u256 *v)
{
    char dec[CW_U256_DEC_MAX];
    cw_u256_to_dec(dec, v);
    return json_string(dec);
}

/* the payout's part that carries the traced value: amount x traced / deposit */
static json_t *traced_amount(const cw_u256 *amount, uint64_t traced, uint64_t deposit)
{
    cw_u256 tr = *amount, a, b;
    if (deposit) {
        cw_u256_from_u64(&a, traced < deposit ? traced : deposit);
        cw_u256_from_u64(&b, deposit);
        tr = cw_u256_muldiv(amount, &a, &b);
    }
    return u256_json(&tr);
}

static const char *evidence(cw_btcevm_how h)
{
    switch (h) {
    case CW_BTCEVM_OUT_MEMO:
        return "the vault's outbound names this deposit (OUT:<txid> memo)";
    case CW_BTCEVM_AMOUNT_TIME:
        return "a payment from the vault of the memo's asset to the memo's address, its amount "
               "near the deposit at the vault's own rate (its certain OUT: pairs), in the window";
    case CW_BTCEVM_REFUND:
        return "the vault sent the deposit back on Bitcoin (REFUND:<txid> memo): the value "
               "never left Bitcoin";
    case CW_BTCEVM_NOT_SEEN:
        return "requested by the memo, not seen: no payout of the vault found (the sender "
               "writes the memo: the address is not attributed)";
    case CW_BTCEVM_OTHER_CHAIN:
        return "the memo asks for another chain than this store's";
    default:
        return "the memo's address fails its checksum";
    }
}

/* the address paid by a spent output (CW_NONE32 for coinbase, external or OP_RETURN) */
static uint32_t prevout_addr(const cw_chainstore *bs, uint64_t in)
{
    const cw_row_in *r = cw_chainstore_in(bs, in);
    if (!r || r->spent_tx == CW_IN_COINBASE || r->spent_tx == CW_IN_EXTERNAL)
        return CW_NONE32;
    const cw_row_out *o =
        cw_chainstore_out(bs, cw_chainstore_tx_first_out(bs, r->spent_tx) + r->spent_vout);
    return o ? o->addr : CW_NONE32;
}

static bool spends_from(const cw_chainstore *bs, uint64_t tx, uint32_t addr)
{
    uint64_t i0, i1, o0, o1;
    cw_chainstore_tx_range(bs, tx, &i0, &i1, &o0, &o1);
    for (uint64_t i = i0; i < i1; i++)
        if (prevout_addr(bs, i) == addr)
            return true;
    return false;
}

/* The refund's output (xchain_btcevm.h): its global output number or CW_NONE64, with *certain
 * and *by saying why. */
static uint64_t refund_output(const cw_chainstore *bs, uint64_t dep, uint64_t ref, bool *certain,
                              const char **by)
{
    uint64_t i0, i1, o0, o1, d0, d1, deposit = 0;
    uint32_t vault = CW_NONE32;
    cw_chainstore_tx_range(bs, dep, &i0, &i1, &d0, &d1);
    const cw_row_out *v = d0 < d1 ? cw_chainstore_out(bs, d0) : NULL;
    if (v) {
        vault = v->addr;
        deposit = cw_out_value(v);
    }
    cw_chainstore_tx_range(bs, ref, &i0, &i1, &o0, &o1);
    uint64_t only = CW_NONE64, near = CW_NONE64;
    size_t n_cand = 0, n_near = 0;
    *certain = false;
    *by = "no output of the refund identified: none to someone other than the vault, at most "
          "the deposit's value";
    for (uint64_t o = o0; o < o1; o++) {
        const cw_row_out *r = cw_chainstore_out(bs, o);
        uint64_t val = r ? cw_out_value(r) : 0;
        if (!r || r->addr == CW_NONE32 || r->addr == vault || !val || val > deposit ||
            spends_from(bs, ref, r->addr))
            continue;
        if (spends_from(bs, dep, r->addr)) {
            *certain = true;
            *by = "the refund's output to the deposit's sender";
            return o;
        }
        n_cand++;
        only = o;
        if (val * 100 >= deposit * (100 - REFUND_BAND_PCT)) {
            n_near++;
            near = o;
        }
    }
    if (n_cand == 1) {
        *certain = true;
        *by = "the refund's only output not to the vault";
        return only;
    }
    if (n_near == 1) {
        *by = "the refund's one output near the deposit's value less the vault's fee (PROBABLE: "
              "by amount)";
        return near;
    }
    if (n_cand)
        *by = "several outputs of the refund could be it: not followed";
    return CW_NONE64;
}

static json_t *exit_json(const cw_xchain_btcevm_exit *e, const cw_chainstore *bs,
                         const cw_evmstore *d, uint32_t round)
{
    json_t *o = json_object();
    char text[CW_MEMO_TEXT_MAX + 1];
    cw_evm_memo m;
    bool ok = false;
    cw_chainstore_tx_memo(bs, e->tx, text, sizeof text);
    bool parsed = cw_trace_bridge_memo(bs, e->tx, &m, &ok);
    json_object_set_new(o, "round", json_integer(round));
    json_object_set_new(o, "rounds", json_pack("[i]", (int)round));
    json_object_set_new(o, "by_round",
                        json_pack("[{s:i, s:I, s:I}]", "round", (int)round, "traced_sat",
                                  (json_int_t)e->traced, "traced_probable_sat",
                                  (json_int_t)e->probable));
    json_object_set_new(o, "deposit_txid", btc_txid(bs, e->tx));
    json_object_set_new(o, "deposit_sat", json_integer((json_int_t)e->deposit));
    json_object_set_new(o, "traced_sat", json_integer((json_int_t)e->traced));
    json_object_set_new(o, "traced_probable_sat", json_integer((json_int_t)e->probable));
    json_object_set_new(o, "deposit_time", json_integer((json_int_t)e->time));
    json_object_set_new(o, "memo", json_string(text));
    json_object_set_new(o, "requested_asset", json_string(parsed ? m.asset : ""));
    json_object_set_new(o, "requested_address", json_string(parsed && ok ? m.dest : ""));
    json_object_set_new(o, "how", json_string(cw_btcevm_how_name(e->how)));
    json_object_set_new(o, "evidence", json_string(evidence(e->how)));
    bool paid = e->how == CW_BTCEVM_OUT_MEMO || e->how == CW_BTCEVM_AMOUNT_TIME;
    json_object_set_new(o, "certain", json_boolean(e->how == CW_BTCEVM_OUT_MEMO));
    json_object_set_new(o, "probable", json_boolean(e->how == CW_BTCEVM_AMOUNT_TIME));
    json_object_set_new(o, "refund_txid",
                        e->how == CW_BTCEVM_REFUND ? btc_txid(bs, e->refund_tx) : json_null());
    json_object_set_new(o, "refund_output", json_null()); /* set by the caller */
    if (!paid) {
        json_object_set_new(o, "payout", json_null());
        return o;
    }
    json_t *p = json_object();
    json_object_set_new(o, "payout", p);
    json_object_set_new(p, "tx", evm_hash(d, e->evm_tx));
    json_object_set_new(p, "recipient", cw_acct_report_addr_json(d, e->recipient));
    json_object_set_new(p, "to_memo_address", json_boolean(e->to_memo_address));
    json_object_set_new(p, "amount", u256_json(&e->amount));
    json_object_set_new(p, "asset", cw_acct_report_asset_json(d, e->asset));
    json_object_set_new(p, "block", json_integer((json_int_t)e->block));
    json_object_set_new(p, "time", json_integer((json_int_t)e->evm_time));
    json_object_set_new(p, "traced_amount", traced_amount(&e->amount, e->traced, e->deposit));
    json_object_set_new(p, "score", json_real(e->score));
    if (e->how == CW_BTCEVM_AMOUNT_TIME) {
        json_object_set_new(p, "fits", json_integer(e->fits));
        json_object_set_new(p, "expected_amount", u256_json(&e->expected));
    }
    json_object_set_new(p, "traced", json_boolean(e->traced_on));
    return o;
}

static bool has_u64(const uint64_t *v, size_t n, uint64_t x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

static json_int_t jint(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* A refund's output followed as a source: num / den of its value is probable (0 / 1: certain);
 * dep: the refunded deposit's tx, by: how the output was found (refund_output) */
typedef struct src_share {
    uint64_t num, den, dep;
    const char *by;
} src_share;

static uint64_t share_of(uint64_t v, uint64_t num, uint64_t den)
{
    cw_u256 a, b, c;
    if (!den || num >= den)
        return v;
    cw_u256_from_u64(&a, v);
    cw_u256_from_u64(&b, num);
    cw_u256_from_u64(&c, den);
    cw_u256 r = cw_u256_muldiv(&a, &b, &c);
    return r.w[0]; /* <= v */
}

/* A deposit an earlier round continued, reached again by this round (a refund swapped back into
 * the vault with value the earlier round traced there): not continued again, but this round's
 * value is added to its rows (traced_sat, traced_probable_sat, the payout's traced_amount) and
 * the round to its rounds. */
static void add_round(json_t *xs, const cw_chainstore *bs, const cw_xchain_btcevm_exit *e,
                      uint32_t round)
{
    json_t *id = btc_txid(bs, e->tx), *x;
    size_t k;
    json_array_foreach(xs, k, x)
    {
        if (!json_equal(json_object_get(x, "deposit_txid"), id))
            continue;
        uint64_t tr = (uint64_t)jint(x, "traced_sat") + e->traced;
        json_object_set_new(x, "traced_sat", json_integer((json_int_t)tr));
        json_object_set_new(x, "traced_probable_sat",
                            json_integer(jint(x, "traced_probable_sat") + (json_int_t)e->probable));
        json_array_append_new(json_object_get(x, "rounds"), json_integer(round));
        json_array_append_new(json_object_get(x, "by_round"),
                              json_pack("{s:i, s:I, s:I}", "round", (int)round, "traced_sat",
                                        (json_int_t)e->traced, "traced_probable_sat",
                                        (json_int_t)e->probable));
        json_t *p = json_object_get(x, "payout");
        const char *a = json_string_value(json_object_get(p, "amount"));
        cw_u256 amount;
        if (!a)
            continue;
        if (cw_u256_parse(&amount, a, strlen(a))) {
            cw_error_clear(); /* not reached: the amount is our own decimal */
            continue;
        }
        json_object_set_new(p, "traced_amount",
                            traced_amount(&amount, tr, (uint64_t)jint(x, "deposit_sat")));
    }
    json_decref(id);
}

/* One round: the exits of t into xs (t's ends already carry the round's sources' judgement:
 * opts.source_probable); the refunds' outputs to follow appended to *srcs with their probable
 * shares in *shares (grown with it); the payouts to trace on appended to from. */
static int one_round(json_t *xs, const cw_chainstore *bs, const cw_trace *t, const cw_evmstore *d,
                     const cw_xchain_btcevm_report_opts *o, uint32_t round, uint64_t **seen,
                     size_t *n_seen, size_t *c_seen, uint64_t **srcs, src_share **shares,
                     size_t *n_srcs, size_t *c_srcs, size_t *c_sh, json_t *from)
{
    cw_xchain_btcevm_exit *ex = NULL;
    size_t ne = 0, seen0 = *n_seen;
    int rc = cw_xchain_btcevm_run(&ex, &ne, bs, t, d, &o->x);
    if (rc)
        return rc;
    for (size_t i = 0; i < ne; i++) {
        cw_xchain_btcevm_exit *e = &ex[i];
        if (has_u64(*seen, seen0, e->tx)) {
            if (!i || ex[i - 1].tx != e->tx) /* rows sorted by deposit: once a deposit */
                add_round(xs, bs, e, round);
            continue;
        }
        if (!has_u64(*seen, *n_seen, e->tx)) {
            if (cw_grow(seen, c_seen, *n_seen + 1, sizeof **seen, 16))
                goto nomem;
            (*seen)[(*n_seen)++] = e->tx;
        }
        json_t *x = exit_json(e, bs, d, round);
        json_array_append_new(xs, x);
        json_t *p = json_object_get(x, "payout");
        if (json_is_true(json_object_get(p, "traced"))) {
            json_t *h = json_object_get(p, "tx");
            bool dup = !json_is_string(h);
            for (size_t k = 0; k < json_array_size(from) && !dup; k++)
                dup = json_equal(json_array_get(from, k), h);
            if (!dup)
                json_array_append(from, h);
        }
        if (e->how != CW_BTCEVM_REFUND)
            continue;
        bool certain;
        const char *by;
        uint64_t out = refund_output(bs, e->tx, e->refund_tx, &certain, &by);
        if (out == CW_NONE64) {
            json_object_set_new(x, "refund_output",
                                json_pack("{s:n, s:n, s:n, s:b, s:b, s:s, s:b}", "outpoint",
                                          "address", "value_sat", 0, "probable", 0, "by", by,
                                          "followed", 0));
            continue;
        }
        const cw_row_out *r = cw_chainstore_out(bs, out);
        char addr[128] = "";
        const cw_addr_key *ak = cw_chainstore_addr(bs, r->addr);
        if (ak)
            cw_addr_encode(addr, sizeof addr, ak, cw_chainstore_network(bs));
        /* the deposit's probable part, or an output chosen by amount, makes it probable */
        bool prob = !certain || e->probable > 0;
        bool follow = o->btc && round < o->max_rounds;
        json_object_set_new(x, "refund_output",
                            json_pack("{s:o, s:s, s:I, s:b, s:b, s:s, s:b}", "outpoint",
                                      outpoint_json(bs, out), "address", addr, "value_sat",
                                      (json_int_t)cw_out_value(r), "certain", !prob, "probable",
                                      prob, "by", by, "followed", follow));
        if (!follow || has_u64(*srcs, *n_srcs, out))
            continue;
        if (cw_grow(srcs, c_srcs, *n_srcs + 1, sizeof **srcs, 8) ||
            cw_grow(shares, c_sh, *n_srcs + 1, sizeof **shares, 8))
            goto nomem;
        /* an output by amount: all of it probable; else the deposit's probable share */
        (*shares)[*n_srcs] = !certain    ? (src_share){1, 1, e->tx, by}
                             : e->traced ? (src_share){e->probable, e->traced, e->tx, by}
                                         : (src_share){0, 1, e->tx, by};
        (*srcs)[(*n_srcs)++] = out;
    }
    free(ex);
    return 0;
nomem:
    free(ex);
    return cw_error_set(CW_ENOMEM, "bridge continuation: out of memory");
}

int cw_xchain_btcevm_report(json_t *conts, const cw_chainstore *bs, const cw_trace *t,
                            cw_labels *db, const cw_evmstore *dst, const char *chain,
                            const char *store_name, const cw_xchain_btcevm_report_opts *o)
{
    json_t *c = json_object(), *xs = json_array(), *rts = json_array(), *from = json_array();
    uint64_t *seen = NULL, *srcs = NULL, *sprob = NULL;
    src_share *shares = NULL;
    size_t n_seen = 0, c_seen = 0, c_srcs = 0, c_sh = 0, c_sprob = 0;
    const char **hashes = NULL;
    cw_trace *round_t = NULL;
    json_t *dj = NULL;
    int rc = 0;
    json_array_append_new(conts, c);
    json_object_set_new(c, "chain", json_string(chain));
    json_object_set_new(c, "store", json_string(store_name));
    json_object_set_new(c, "exits", xs);
    json_object_set_new(c, "refund_traces", rts);
    const cw_trace *cur = t;
    for (uint32_t round = 1; cur; round++) {
        size_t n_srcs = 0;
        bool prob = false;
        if ((rc = one_round(xs, bs, cur, dst, o, round, &seen, &n_seen, &c_seen, &srcs, &shares,
                            &n_srcs, &c_srcs, &c_sh, from)))
            goto out;
        cw_trace_free(round_t);
        round_t = NULL;
        cur = NULL;
        if (!n_srcs)
            break;
        /* the refunds' outputs, traced on as the first trace was, each with its probable part */
        if (cw_grow(&sprob, &c_sprob, n_srcs, sizeof *sprob, 8)) {
            rc = cw_error_set(CW_ENOMEM, "bridge continuation: out of memory");
            goto out;
        }
        for (size_t i = 0; i < n_srcs; i++) {
            uint64_t v = cw_out_value(cw_chainstore_out(bs, srcs[i]));
            sprob[i] = shares[i].num ? share_of(v, shares[i].num, shares[i].den) : 0;
            prob = prob || sprob[i];
        }
        cw_trace_opts bo = *o->btc;
        bo.source_probable = sprob;
        if ((rc = cw_trace_run(&round_t, bs, o->lm, srcs, n_srcs, &bo)))
            goto out;
        json_t *r = json_object(), *sj = json_array(),
               *doc = cw_trace_json(round_t, o->top, o->graph);
        if (!doc) {
            json_decref(r);
            json_decref(sj);
            rc = cw_error_set(CW_ENOMEM, "bridge continuation: out of memory");
            goto out;
        }
        json_t *bj = json_array();
        for (size_t i = 0; i < n_srcs; i++) {
            uint64_t v = cw_out_value(cw_chainstore_out(bs, srcs[i]));
            json_array_append_new(sj, outpoint_json(bs, srcs[i]));
            json_array_append_new(bj, json_pack("{s:o, s:o, s:I, s:I, s:s}", "outpoint",
                                                outpoint_json(bs, srcs[i]), "deposit_txid",
                                                btc_txid(bs, shares[i].dep), "value_sat",
                                                (json_int_t)v, "probable_sat", (json_int_t)sprob[i],
                                                "by", shares[i].by));
        }
        json_object_set_new(r, "round", json_integer(round + 1));
        json_object_set_new(r, "sources", sj);
        json_object_set_new(r, "by_source", bj);
        json_object_set_new(r, "probable", json_boolean(prob));
        json_object_set_new(r, "trace", doc);
        json_array_append_new(rts, r);
        cur = round_t;
    }
    size_t nf = json_array_size(from);
    if (!nf) {
        json_object_set_new(c, "trace", json_null());
        goto out;
    }
    if (!(hashes = calloc(nf, sizeof *hashes))) {
        rc = cw_error_set(CW_ENOMEM, "bridge continuation: out of memory");
        goto out;
    }
    for (size_t i = 0; i < nf; i++)
        hashes[i] = json_string_value(json_array_get(from, i)); /* alive until from is freed */
    cw_acct_report_opts ro;
    cw_acct_report_opts_init(&ro);
    ro.max_ends = SIZE_MAX;
    ro.max_arrivals = SIZE_MAX;
    double t0 = cw_now();
    if ((rc = cw_acct_report_trace(&dj, dst, db, hashes, nf, &ro)))
        goto out;
    json_object_set_new(dj, "seconds", json_real(cw_now() - t0));
    json_object_set_new(c, "trace", dj);
    dj = NULL;
out:
    json_decref(dj);
    cw_trace_free(round_t);
    free(hashes);
    json_decref(from);
    free(seen);
    free(srcs);
    free(sprob);
    free(shares);
    return rc;
}

void cw_xchain_btcevm_memo_note(json_t *j, const cw_chainstore *bs)
{
    uint64_t h = cw_chainstore_memos_from(bs);
    if (!h)
        return; /* memos kept from the store's first block */
    json_object_set_new(
        j, "memos_kept",
        json_pack("{s:o, s:s}", "from_height",
                  h == UINT64_MAX ? json_null() : json_integer((json_int_t)h), "meaning",
                  h == UINT64_MAX ? "the store keeps no memos (ingested before memos.col): no "
                                    "vault deposit is recognised as a bridge exit"
                                  : "memos.col was created on a store ingested before it: vault "
                                    "deposits below this height are not recognised as bridge "
                                    "exits (re-ingest to see them)"));
}
