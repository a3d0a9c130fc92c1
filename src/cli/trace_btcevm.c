/*
 * trace_btcevm.c: `chainwatch trace` on a Bitcoin store with --evm-store CHAIN=DIR: each bridge
 * exit (a swap vault deposit) continued into that EVM store (xchain_btcevm.h), then one forward
 * account-model trace from the payouts (acct_report.h), as trace_evm.c does for EVM exits.
 * JSON: "evm_continuations": [{chain, store, exits: [...], trace: {document} | null}].
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/acct_report.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/memo.h"
#include "chainwatch/util.h"
#include "chainwatch/xchain_btcevm.h"
#include "cli/store_opts.h"
#include "cli/trace_btcevm.h"
#include "cli/trace_evm.h"

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

static json_t *u256_json(const cw_u256 *v)
{
    char dec[CW_U256_DEC_MAX];
    cw_u256_to_dec(dec, v);
    return json_string(dec);
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

static json_t *exit_json(const cw_xchain_btcevm_exit *e, const cw_chainstore *bs,
                         const cw_evmstore *d)
{
    json_t *o = json_object();
    char text[CW_MEMO_TEXT_MAX + 1];
    cw_evm_memo m;
    bool ok = false;
    cw_chainstore_tx_memo(bs, e->tx, text, sizeof text);
    bool parsed = cw_trace_bridge_memo(bs, e->tx, &m, &ok);
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
    /* the payout's part that carries the traced value: amount x traced / deposit */
    cw_u256 tr = e->amount, a, b;
    if (e->deposit) {
        cw_u256_from_u64(&a, e->traced < e->deposit ? e->traced : e->deposit);
        cw_u256_from_u64(&b, e->deposit);
        tr = cw_u256_muldiv(&e->amount, &a, &b);
    }
    json_object_set_new(p, "traced_amount", u256_json(&tr));
    json_object_set_new(p, "score", json_real(e->score));
    if (e->how == CW_BTCEVM_AMOUNT_TIME) {
        json_object_set_new(p, "fits", json_integer(e->fits));
        json_object_set_new(p, "expected_amount", u256_json(&e->expected));
    }
    json_object_set_new(p, "traced", json_boolean(e->traced_on));
    return o;
}

static int one_store(json_t *conts, const char *spec, const cw_chainstore *bs, const cw_trace *t,
                     cw_labels *db, const cw_xchain_btcevm_opts *o)
{
    char chain[64];
    const char *dir = strchr(spec, '=') + 1;
    size_t cl = (size_t)(dir - 1 - spec);
    snprintf(chain, sizeof chain, "%.*s", (int)(cl < sizeof chain ? cl : sizeof chain - 1), spec);
    cw_evmstore *d = NULL;
    cw_xchain_btcevm_exit *ex = NULL;
    size_t ne = 0, nf = 0;
    const char **from = NULL;
    json_t *dj = NULL;
    int rc;
    if ((rc = cw_cli_evm_store_open_as(&d, chain, dir)))
        goto out;
    if ((rc = cw_xchain_btcevm_run(&ex, &ne, bs, t, d, o)))
        goto out;
    json_t *c = json_object(), *xs = json_array();
    json_array_append_new(conts, c);
    json_object_set_new(c, "chain", json_string(chain));
    json_object_set_new(c, "store", json_string(dir));
    json_object_set_new(c, "exits", xs);
    if (ne && !(from = calloc(ne, sizeof *from))) {
        rc = cw_error_set(CW_ENOMEM, "--evm-store: out of memory");
        goto out;
    }
    for (size_t i = 0; i < ne; i++) {
        json_t *x = exit_json(&ex[i], bs, d);
        json_array_append_new(xs, x);
        json_t *p = json_object_get(x, "payout");
        if (!json_is_true(json_object_get(p, "traced")))
            continue;
        const char *h = json_string_value(json_object_get(p, "tx"));
        bool dup = !h;
        for (size_t k = 0; k < nf && !dup; k++)
            dup = !strcmp(from[k], h);
        if (!dup)
            from[nf++] = h; /* borrowed from the document, alive until it is freed */
    }
    if (nf) {
        cw_acct_report_opts ro;
        cw_acct_report_opts_init(&ro);
        ro.max_ends = SIZE_MAX;
        ro.max_arrivals = SIZE_MAX;
        double t0 = cw_now();
        if ((rc = cw_acct_report_trace(&dj, d, db, from, nf, &ro)))
            goto out;
        json_object_set_new(dj, "seconds", json_real(cw_now() - t0));
        if ((rc = cw_cli_evm_answer(&dj, d, 0)))
            goto out;
        json_object_set_new(c, "trace", dj);
        dj = NULL;
    } else
        json_object_set_new(c, "trace", json_null());
out:
    json_decref(dj);
    free(from);
    free(ex);
    if (d)
        cw_evmstore_close(d);
    return rc;
}

int cw_cli_trace_btcevm(json_t *j, const cw_chainstore *bs, const cw_trace *t, cw_labels *db,
                        const char *const *specs, int n, uint64_t window_s)
{
    cw_xchain_btcevm_opts o;
    cw_xchain_btcevm_opts_init(&o);
    if (window_s) {
        o.window_s = window_s;
        if (o.prompt_s > window_s)
            o.prompt_s = window_s;
    }
    json_t *conts = json_array();
    json_object_set_new(j, "evm_continuations", conts);
    for (int i = 0; i < n; i++) {
        int rc = one_store(conts, specs[i], bs, t, db, &o);
        if (rc)
            return rc;
    }
    return 0;
}

void cw_cli_trace_memo_note(json_t *j, const cw_chainstore *bs)
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

static void sat_btc(char *buf, size_t n, json_int_t v)
{
    snprintf(buf, n, "%" PRId64 ".%08" PRId64, (int64_t)v / 100000000, (int64_t)v % 100000000);
}

void cw_cli_trace_btcevm_print(json_t *j)
{
    size_t i, k;
    json_t *c, *x;
    char b0[40], b1[40], w[32], sc[200];
    json_t *mk = json_object_get(j, "memos_kept");
    if (json_is_object(mk) && json_is_integer(json_object_get(mk, "from_height")))
        printf("\nswap memos kept from height %lld only (memos.col created on a store ingested "
               "before it): vault deposits below it are not bridge exits here\n",
               (long long)json_integer_value(json_object_get(mk, "from_height")));
    else if (json_is_object(mk))
        printf("\nthis store keeps no swap memos (ingested before memos.col): no vault deposit "
               "is recognised as a bridge exit\n");
    json_array_foreach(json_object_get(j, "evm_continuations"), i, c)
    {
        json_t *xs = json_object_get(c, "exits");
        printf("\n==== continued on %s (%s): %zu bridge exit%s (what is traced from a PROBABLE "
               "payout is probable too)\n",
               json_string_value(json_object_get(c, "chain")),
               json_string_value(json_object_get(c, "store")), json_array_size(xs),
               json_array_size(xs) == 1 ? "" : "s");
        json_array_foreach(xs, k, x)
        {
            sat_btc(b0, sizeof b0, json_integer_value(json_object_get(x, "traced_sat")));
            sat_btc(b1, sizeof b1, json_integer_value(json_object_get(x, "deposit_sat")));
            printf("  deposit %s at %s: %s BTC traced of %s BTC, memo \"%s\"\n",
                   json_string_value(json_object_get(x, "deposit_txid")),
                   cw_cli_chain_time(w, json_object_get(x, "deposit_time")), b0, b1,
                   json_string_value(json_object_get(x, "memo")));
            const char *how = json_string_value(json_object_get(x, "how"));
            json_t *p = json_object_get(x, "payout");
            if (json_is_object(p)) {
                cw_cli_evm_scaled_dec(sc, sizeof sc,
                                      json_string_value(json_object_get(p, "amount")),
                                      json_object_get(p, "asset"), true);
                printf("      -> %s at block %lld %s: %s to %s%s\n",
                       json_string_value(json_object_get(p, "tx")),
                       (long long)json_integer_value(json_object_get(p, "block")),
                       cw_cli_chain_time(w, json_object_get(p, "time")), sc,
                       json_string_value(json_object_get(p, "recipient")),
                       json_is_true(json_object_get(p, "to_memo_address"))
                           ? ""
                           : " (not the memo's address)");
                json_int_t tsat = json_integer_value(json_object_get(x, "traced_sat"));
                json_int_t dsat = json_integer_value(json_object_get(x, "deposit_sat"));
                json_int_t psat = json_integer_value(json_object_get(x, "traced_probable_sat"));
                if (tsat < dsat || psat > 0) {
                    cw_cli_evm_scaled_dec(sc, sizeof sc,
                                          json_string_value(json_object_get(p, "traced_amount")),
                                          json_object_get(p, "asset"), true);
                    printf(
                        "      of it %s carries the traced value (%.1f %% of the deposit%s); the "
                        "trace below sources the whole payout\n",
                        sc, dsat ? 100.0 * (double)tsat / (double)dsat : 0.0,
                        psat > 0 ? ", part of it PROBABLE on Bitcoin" : "");
                }
                if (json_is_true(json_object_get(x, "certain")))
                    printf("      CERTAIN (by %s)\n", how);
                else {
                    cw_cli_evm_scaled_dec(sc, sizeof sc,
                                          json_string_value(json_object_get(p, "expected_amount")),
                                          json_object_get(p, "asset"), true);
                    printf("      PROBABLE, score %.2f (%lld credit%s fit; by %s: %s expected at "
                           "the vault's rate)%s\n",
                           json_real_value(json_object_get(p, "score")),
                           (long long)json_integer_value(json_object_get(p, "fits")),
                           json_integer_value(json_object_get(p, "fits")) == 1 ? "" : "s", how, sc,
                           json_is_true(json_object_get(p, "traced"))
                               ? ""
                               : ": below the score, not traced");
                }
            } else if (json_is_string(json_object_get(x, "refund_txid")))
                printf("      refunded on Bitcoin by %s: the exit ends back on Bitcoin\n",
                       json_string_value(json_object_get(x, "refund_txid")));
            else
                printf("      %s%s%s\n", json_string_value(json_object_get(x, "evidence")),
                       *json_string_value(json_object_get(x, "requested_address")) ? ": " : "",
                       json_string_value(json_object_get(x, "requested_address")));
        }
        json_t *tr = json_object_get(c, "trace");
        if (json_is_object(tr)) {
            putchar('\n');
            cw_cli_trace_evm_print(tr);
        }
    }
}
