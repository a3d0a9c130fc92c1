/*
 * trace_btcevm.c: `chainwatch trace` on a Bitcoin store with --evm-store CHAIN=DIR: opens each
 * EVM store and appends the document of cw_xchain_btcevm_report (xchain_btcevm.h: each bridge
 * exit continued there, refunds followed back on Bitcoin, one account-model trace from the
 * payouts), which the server serves too; prints it as text.
 * JSON: "evm_continuations": [{chain, store, exits: [...], refund_traces: [...], trace}].
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

static int one_store(json_t *conts, const char *spec, const cw_chainstore *bs, const cw_trace *t,
                     cw_labels *db, const cw_xchain_btcevm_report_opts *o)
{
    char chain[64];
    const char *dir = strchr(spec, '=') + 1;
    size_t cl = (size_t)(dir - 1 - spec);
    snprintf(chain, sizeof chain, "%.*s", (int)(cl < sizeof chain ? cl : sizeof chain - 1), spec);
    cw_evmstore *d = NULL;
    int rc = cw_cli_evm_store_open_as(&d, chain, dir);
    if (!rc)
        rc = cw_xchain_btcevm_report(conts, bs, t, db, d, chain, dir, o);
    if (!rc)
        rc = cw_evmstore_snapshot_check(d); /* a rollback beside it: the answer may mix forks */
    if (d)
        cw_evmstore_close(d);
    return rc;
}

int cw_cli_trace_btcevm(json_t *j, const cw_chainstore *bs, const cw_trace *t, cw_labels *db,
                        const cw_trace_opts *bo, const cw_trace_labelmap *lm, size_t top,
                        size_t graph, const char *const *specs, int n, uint64_t window_s)
{
    cw_xchain_btcevm_report_opts o;
    cw_xchain_btcevm_report_opts_init(&o, bo, lm, top, graph);
    if (window_s) {
        o.x.window_s = window_s;
        if (o.x.prompt_s > window_s)
            o.x.prompt_s = window_s;
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

static void sat_btc(char *buf, size_t n, json_int_t v)
{
    snprintf(buf, n, "%" PRId64 ".%08" PRId64, (int64_t)v / 100000000, (int64_t)v % 100000000);
}

static void refund_line(json_t *r)
{
    char b[40];
    if (!json_is_object(r))
        return;
    if (!json_is_string(json_object_get(r, "outpoint"))) {
        printf("      %s\n", json_string_value(json_object_get(r, "by")));
        return;
    }
    sat_btc(b, sizeof b, json_integer_value(json_object_get(r, "value_sat")));
    printf("      the traced value is back at %s (%s, %s BTC): %s (%s)%s\n",
           json_string_value(json_object_get(r, "outpoint")),
           json_string_value(json_object_get(r, "address")), b,
           json_is_true(json_object_get(r, "certain")) ? "CERTAIN" : "PROBABLE",
           json_string_value(json_object_get(r, "by")),
           json_is_true(json_object_get(r, "followed")) ? ", followed below"
                                                        : ", not followed (rounds exhausted)");
}

/* " (reached by a refund followed: round 2 X BTC)" for a deposit only a later round reached,
 * " (also reached by a refund followed: round 1 X BTC, round 2 Y BTC, PROBABLE Z BTC)" for one
 * several rounds reached (by_round: each round's value, its probable part), "" for round 1 only */
static void rounds_text(char *buf, size_t cap, json_t *x)
{
    json_t *rs = json_object_get(x, "by_round"), *r;
    size_t i, n = 0;
    char v[40], p[40];
    buf[0] = 0;
    if (json_array_size(rs) == 0 ||
        (json_array_size(rs) == 1 &&
         json_integer_value(json_object_get(json_array_get(rs, 0), "round")) <= 1))
        return;
    n += (size_t)snprintf(buf, cap, " (%s by a refund followed:",
                          json_array_size(rs) > 1 ? "also reached" : "reached");
    json_array_foreach(rs, i, r)
    {
        json_int_t ps = json_integer_value(json_object_get(r, "traced_probable_sat"));
        sat_btc(v, sizeof v, json_integer_value(json_object_get(r, "traced_sat")));
        sat_btc(p, sizeof p, ps);
        if (n < cap)
            n += (size_t)snprintf(buf + n, cap - n, "%s round %lld %s BTC%s%s", i ? "," : "",
                                  (long long)json_integer_value(json_object_get(r, "round")), v,
                                  ps > 0 ? ", PROBABLE " : "", ps > 0 ? p : "");
        if (ps > 0 && n < cap)
            n += (size_t)snprintf(buf + n, cap - n, " BTC");
    }
    if (n + 2 <= cap)
        strcat(buf, ")");
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
            /* a deposit a later round reached too is listed once, at its first round, with the
             * later rounds' value added (xchain_btcevm_report.c): each round and its value */
            char rounds[256];
            rounds_text(rounds, sizeof rounds, x);
            printf("  deposit %s at %s: %s BTC traced of %s BTC, memo \"%s\"%s\n",
                   json_string_value(json_object_get(x, "deposit_txid")),
                   cw_cli_chain_time(w, json_object_get(x, "deposit_time")), b0, b1,
                   json_string_value(json_object_get(x, "memo")), rounds);
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
            } else if (json_is_string(json_object_get(x, "refund_txid"))) {
                printf("      refunded on Bitcoin by %s: the exit ends back on Bitcoin\n",
                       json_string_value(json_object_get(x, "refund_txid")));
                refund_line(json_object_get(x, "refund_output"));
            } else
                printf("      %s%s%s\n", json_string_value(json_object_get(x, "evidence")),
                       *json_string_value(json_object_get(x, "requested_address")) ? ": " : "",
                       json_string_value(json_object_get(x, "requested_address")));
        }
        json_array_foreach(json_object_get(c, "refund_traces"), k, x)
        {
            json_t *d = json_object_get(x, "trace"), *s;
            size_t m, n_prob = 0, n_src = json_array_size(json_object_get(x, "by_source"));
            printf("\n  refunds followed on Bitcoin (round %lld, from",
                   (long long)json_integer_value(json_object_get(x, "round")));
            json_array_foreach(json_object_get(x, "by_source"), m, s)
            {
                json_int_t p = json_integer_value(json_object_get(s, "probable_sat"));
                printf(" %s", json_string_value(json_object_get(s, "outpoint")));
                if (!p)
                    continue;
                n_prob++;
                sat_btc(b0, sizeof b0, p);
                printf(" (PROBABLE %s BTC)", b0);
            }
            if (!n_src) /* a document from before by_source */
                json_array_foreach(json_object_get(x, "sources"), m, s)
                {
                    printf(" %s", json_string_value(s));
                }
            sat_btc(b0, sizeof b0, json_integer_value(json_object_get(d, "source_value")));
            printf(", %s BTC)%s: where the value ended\n", b0,
                   !json_is_true(json_object_get(x, "probable")) ? ""
                   : n_prob < n_src
                       ? ", PROBABLE in part (the sources so marked: a refund's output chosen by "
                         "amount, or a deposit traced through a judgement; each end's probable "
                         "part below is theirs)"
                       : ", PROBABLE (a refund's output chosen by amount, or a deposit traced "
                         "through a judgement)");
            json_array_foreach(json_object_get(d, "by_entity"), m, s)
            {
                sat_btc(b0, sizeof b0, json_integer_value(json_object_get(s, "value")));
                sat_btc(b1, sizeof b1, json_integer_value(json_object_get(s, "probable")));
                printf("    %-28s %-18s %16s BTC (probable %s), %lld output%s, from hop %lld\n",
                       json_string_value(json_object_get(s, "entity")),
                       json_string_value(json_object_get(s, "category")), b0, b1,
                       (long long)json_integer_value(json_object_get(s, "outputs")),
                       json_integer_value(json_object_get(s, "outputs")) == 1 ? "" : "s",
                       (long long)json_integer_value(json_object_get(s, "min_hops")));
            }
            json_t *ended = json_object_get(d, "ended");
            const char *kind;
            json_object_foreach(ended, kind, s)
            {
                if (strcmp(kind, "unspent") && strcmp(kind, "fee") && strcmp(kind, "bridge"))
                    continue;
                sat_btc(b0, sizeof b0, json_integer_value(json_object_get(s, "value")));
                printf("    %-47s %16s BTC\n", kind, b0);
            }
        }
        json_t *tr = json_object_get(c, "trace");
        if (json_is_object(tr)) {
            putchar('\n');
            cw_cli_trace_evm_print(tr);
        }
    }
}
