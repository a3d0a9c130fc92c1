/*
 * trace_evm.c: `chainwatch trace` on an EVM store (cmd_trace.c dispatches here when --store is
 * an EVM store): forward from a heist's transactions under FIFO (default), haircut or poison
 * (docs/TRACE-MODELS.md, "Account model"), stopping at labelled exchanges, mixers and bridges.
 * Thin: parses options into cw_acct_report_opts and prints the document of
 * cw_acct_report_run (acct_report.h), which the server serves too; where a trace stops is the
 * engine's one policy (acct_policy.h), which the monitor uses as well. Bridge exits and their
 * Bitcoin continuation are read from the same trace (xchain.h); --evm-store CHAIN=DIR continues
 * them into another EVM chain's store (xchain_evm.h) and traces on there.
 * Amounts are decimal strings of base units beside the asset's symbol and decimals: nothing is
 * rounded in JSON; the text table also shows them scaled by the decimals.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chainwatch/acct_evm.h"
#include "chainwatch/acct_report.h"
#include "chainwatch/errors.h"
#include "chainwatch/labels.h"
#include "chainwatch/util.h"
#include "chainwatch/xchain.h"
#include "chainwatch/xchain_evm.h"
#include "cli/cli.h"
#include "cli/from_list.h"
#include "cli/store_opts.h"
#include "cli/trace_evm.h"
#include "cli/xchain_cli.h"

#define MAX_EVM_STORES 8

/* "123.456 USDT" from base units and decimals (exact: string arithmetic on the digits). */
static void scaled(char *out, size_t n, const cw_u256 *v, json_t *asset)
{
    char dec[CW_U256_DEC_MAX];
    cw_u256_to_dec(dec, v);
    json_t *d = json_object_get(asset, "decimals");
    const char *sym = json_string_value(json_object_get(asset, "symbol"));
    if (!sym || !*sym) /* a token without metadata: name its contract */
        sym = json_string_value(json_object_get(asset, "contract"));
    char buf[200];
    /* decimals are what the token says (0..254 in the store); past 77 no 256-bit amount has
     * that many digits, and the amount is shown in base units */
    if (!json_is_integer(d) ||
        cw_dec_shift(buf, sizeof buf, dec, (long)json_integer_value(d)) != 0) {
        snprintf(out, n, "%s base units of %s", dec, sym ? sym : "?");
        return;
    }
    snprintf(out, n, "%s %s", buf, sym ? sym : "?");
}

void cw_cli_evm_scaled(char *out, size_t n, const cw_u256 *v, json_t *asset)
{
    scaled(out, n, v, asset);
}

/* "-0.009857137 ETH" from a decimal string of base units (an optional leading '-') and the
 * asset's decimals; "N base units of SYM" when the asset has no decimals or dec is not a
 * decimal string. A token without a symbol is named by its contract when name_contract (else
 * the caller names it). */
void cw_cli_evm_scaled_dec(char *out, size_t n, const char *dec, json_t *asset, bool name_contract)
{
    const char *sym = json_string_value(json_object_get(asset, "symbol"));
    if ((!sym || !*sym) && name_contract) /* a token without metadata: name its contract */
        sym = json_string_value(json_object_get(asset, "token"));
    if (!sym || !*sym)
        sym = "";
    json_t *d = json_object_get(asset, "decimals");
    if (!dec)
        dec = "?";
    char buf[200];
    if (!json_is_integer(d) ||
        cw_dec_shift(buf, sizeof buf, dec, (long)json_integer_value(d)) != 0) {
        snprintf(out, n, "%s base units%s%s", dec, *sym ? " of " : "", sym);
        return;
    }
    snprintf(out, n, "%s%s%s", buf, *sym ? " " : "", sym);
}

/* "block N 2026-…Z" from a JSON object's PREFIX"block" and PREFIX"time" (the trace
 * document's on-chain times), or "block ?" */
static const char *when(char out[64], const json_t *v, const char *prefix)
{
    char k[32], t[32];
    snprintf(k, sizeof k, "%sblock", prefix);
    const json_t *b = json_object_get(v, k);
    snprintf(k, sizeof k, "%stime", prefix);
    if (!json_is_integer(b))
        snprintf(out, 64, "block ?");
    else
        snprintf(out, 64, "block %lld %s", (long long)json_integer_value(b),
                 cw_cli_chain_time(t, json_object_get(v, k)));
    return out;
}

/* the heist's txs: their number, and the first and last block with its time */
static void print_heist(json_t *j)
{
    json_t *sa = json_object_get(j, "sources_at"), *v, *lo = NULL, *hi = NULL;
    size_t i;
    json_array_foreach(sa, i, v)
    {
        json_int_t b = json_integer_value(json_object_get(v, "block"));
        if (!json_is_integer(json_object_get(v, "block")))
            continue;
        if (!lo || b < json_integer_value(json_object_get(lo, "block")))
            lo = v;
        if (!hi || b > json_integer_value(json_object_get(hi, "block")))
            hi = v;
    }
    char w0[64], w1[64];
    if (!lo)
        return;
    if (lo == hi || json_integer_value(json_object_get(lo, "block")) ==
                        json_integer_value(json_object_get(hi, "block")))
        printf("heist: %zu tx%s at %s\n", json_array_size(sa), json_array_size(sa) == 1 ? "" : "s",
               when(w0, lo, ""));
    else
        printf("heist: %zu txs from %s to %s\n", json_array_size(sa), when(w0, lo, ""),
               when(w1, hi, ""));
}

static void print_text(json_t *j, double seconds)
{
    cw_cli_synthetic_line(j);
    printf("trace %s (account model): %lld movements read, %lld tainted (%.3f s)\n",
           json_string_value(json_object_get(j, "model")),
           (long long)json_integer_value(json_object_get(j, "movements_read")),
           (long long)json_integer_value(json_object_get(j, "tainted_movements")), seconds);
    print_heist(j);
    size_t i;
    json_t *v;
    char w[64];
    printf("\nwhere the value ended (kind, address, amount, hops, first arrival's block and "
           "time, UTC):\n");
    json_array_foreach(json_object_get(j, "ends"), i, v)
    {
        cw_u256 amt;
        const char *a = json_string_value(json_object_get(v, "amount"));
        char sc[160];
        if (cw_u256_parse(&amt, a, strlen(a)) == 0)
            scaled(sc, sizeof sc, &amt, json_object_get(v, "asset"));
        else
            snprintf(sc, sizeof sc, "%s", a);
        json_t *rec = json_object_get(v, "recognised");
        printf("  %-10s %s  %s  %lld hops  %s%s", json_string_value(json_object_get(v, "kind")),
               json_string_value(json_object_get(v, "address")), sc,
               (long long)json_integer_value(json_object_get(v, "hops")), when(w, v, "first_"),
               json_is_true(json_object_get(v, "probable")) && !json_is_object(rec) ? "  (probable)"
                                                                                    : "");
        if (json_is_object(rec) && json_is_real(json_object_get(rec, "score")))
            printf("  [probable %s, score %.2f]", json_string_value(json_object_get(rec, "as")),
                   json_real_value(json_object_get(rec, "score")));
        else if (json_is_object(rec))
            printf("  [probable %s]", json_string_value(json_object_get(rec, "as")));
        json_t *be = json_is_object(rec) ? json_object_get(rec, "bridge_evidence") : NULL;
        if (json_is_object(be))
            printf("  rule %s: %lld deposits, %lld releases to others",
                   json_string_value(json_object_get(be, "rule")),
                   (long long)json_integer_value(json_object_get(be, "deposits")),
                   (long long)json_integer_value(json_object_get(be, "releases")));
        if (json_is_object(rec) && json_is_string(json_object_get(rec, "collector"))) {
            json_t *cl = json_object_get(rec, "collector_label");
            bool svc = !strcmp(json_string_value(json_object_get(v, "kind")), "service");
            printf("  %s %s", svc ? "collector" : "hot wallet",
                   json_string_value(json_object_get(rec, "collector")));
            if (json_is_object(cl))
                printf(" (%s, %s)", json_string_value(json_object_get(cl, "entity")),
                       json_string_value(json_object_get(cl, "category")));
        }
        json_t *tp = json_object_get(v, "through_third_party");
        if (json_is_object(tp)) /* a judgement: past a third party's own account */
            printf("  %s", json_string_value(json_object_get(tp, "reads_as")));
        json_t *fz = json_object_get(v, "frozen");
        if (json_is_object(fz)) /* a fact from the chain: the token's contract froze it */
            printf("  FROZEN by the issuer since block %lld (tx %s)%s",
                   (long long)json_integer_value(json_object_get(fz, "since_block")),
                   json_string_value(json_object_get(fz, "tx")),
                   json_is_true(json_object_get(fz, "probable")) ? ", probable" : "");
        putchar('\n');
    }
    json_array_foreach(json_object_get(j, "mixer_links"), i, v)
    {
        if (i == 0)
            printf("\nmixer withdrawals linked (probable; evidence beyond the anonymity set):\n");
        printf("  %s  %s -> %s  score %.2f (", when(w, v, ""),
               json_string_value(json_object_get(v, "withdrawal_tx")),
               json_string_value(json_object_get(v, "recipient")),
               json_real_value(json_object_get(v, "score")));
        size_t k;
        json_t *ev;
        json_array_foreach(json_object_get(v, "evidence"), k, ev)
        {
            printf("%s%s", k ? ", " : "", json_string_value(ev));
        }
        json_t *sb = json_object_get(v, "evidence_shown_by");
        if (json_is_object(sb))
            printf("; shown by %s, %s", json_string_value(json_object_get(sb, "tx")),
                   json_string_value(json_object_get(sb, "address")));
        printf(")\n");
    }
    json_array_foreach(json_object_get(j, "mixer_candidates"), i, v)
    {
        if (i == 0)
            printf("\nmixer withdrawals, probable CANDIDATES only (denomination and timing; %s):\n",
                   json_is_true(json_object_get(v, "followed")) ? "followed on request"
                                                                : "in no amount above");
        json_t *ld = json_object_get(v, "lead");
        printf("  %s  %s -> %s  score %.2f", when(w, v, ""),
               json_string_value(json_object_get(v, "withdrawal_tx")),
               json_string_value(json_object_get(v, "recipient")),
               json_real_value(json_object_get(v, "score")));
        if (json_is_object(ld))
            printf("  (its recipient then paid %s %s at %s)",
                   json_string_value(json_object_get(ld, "kind")),
                   json_string_value(json_object_get(ld, "address")), when(w, ld, ""));
        putchar('\n');
    }
    json_array_foreach(json_object_get(j, "conversions"), i, v)
    {
        if (i == 0)
            printf("\nconversions (swaps, wrap/unwrap) the trace went through:\n");
        printf("  %s  %s: %s gave %s, got %s at %s%s\n", when(w, v, ""),
               json_string_value(json_object_get(v, "tx")),
               json_string_value(json_object_get(v, "account")),
               json_string_value(json_object_get(json_object_get(v, "gave"), "symbol")),
               json_string_value(json_object_get(json_object_get(v, "got"), "symbol")),
               json_is_null(json_object_get(v, "venue"))
                   ? "?"
                   : json_string_value(json_object_get(v, "venue")),
               json_is_true(json_object_get(v, "probable")) ? " (probable)" : "");
    }
}

void cw_cli_trace_evm_print(json_t *j)
{
    print_text(j, json_real_value(json_object_get(j, "seconds")));
    cw_cli_xchain_print(j);
}

/* the continuations into other EVM chains (the "evm_continuations" of the document) */
static void print_continuations(json_t *j)
{
    size_t i, k;
    json_t *c, *p;
    char w[64], w0[64], sc[160];
    json_array_foreach(json_object_get(j, "evm_continuations"), i, c)
    {
        json_t *ps = json_object_get(c, "payouts");
        printf("\n==== continued on %s (%s): %zu bridge payout%s matched to the exits above\n"
               "     (what is traced from a PROBABLE payout is probable too)\n",
               json_string_value(json_object_get(c, "chain")),
               json_string_value(json_object_get(c, "store")), json_array_size(ps),
               json_array_size(ps) == 1 ? "" : "s");
        json_array_foreach(ps, k, p)
        {
            cw_cli_evm_scaled_dec(sc, sizeof sc, json_string_value(json_object_get(p, "amount")),
                                  json_object_get(p, "asset"), true);
            printf("  deposit %s at %s\n      -> %s at %s on %s: %s to %s\n",
                   json_string_value(json_object_get(p, "deposit_tx")), when(w0, p, "deposit_"),
                   json_string_value(json_object_get(p, "tx")), when(w, p, ""),
                   json_string_value(json_object_get(c, "chain")), sc,
                   json_string_value(json_object_get(p, "recipient")));
            if (json_is_true(json_object_get(p, "probable")))
                printf("      PROBABLE, score %.2f (%lld credit%s fit; by %s)%s\n",
                       json_real_value(json_object_get(p, "score")),
                       (long long)json_integer_value(json_object_get(p, "fits")),
                       json_integer_value(json_object_get(p, "fits")) == 1 ? "" : "s",
                       json_string_value(json_object_get(p, "by")),
                       json_is_true(json_object_get(p, "traced"))
                           ? ""
                           : ": below the score, not traced");
            else
                printf("      certain (by %s)\n", json_string_value(json_object_get(p, "by")));
        }
        json_t *t = json_object_get(c, "trace");
        if (json_is_object(t)) {
            putchar('\n');
            print_text(t, json_real_value(json_object_get(t, "seconds")));
            cw_cli_xchain_print(t);
        }
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static json_t *hash_json(const cw_evmstore *s, uint64_t tx)
{
    char h[67] = "0x";
    const uint8_t *b = cw_evmstore_tx_hash(s, tx);
    if (!b)
        return json_null();
    cw_hex_encode(h + 2, b, 32);
    return json_string(h);
}

static json_t *addr_json(const cw_evmstore *s, uint32_t id)
{
    char h[43] = "0x";
    const cw_evm_row_account *a = cw_evmstore_account(s, id);
    if (!a)
        return json_null();
    cw_hex_encode(h + 2, a->addr, 20);
    return json_string(h);
}

int cw_cli_evm_store_open_as(cw_evmstore **d, const char *chain, const char *dir)
{
    int rc;
    *d = NULL;
    if (!cw_evmstore_detect(dir))
        return cw_error_set(CW_EINVAL, "--evm-store %s: %s is no EVM store", chain, dir);
    if ((rc = cw_evmstore_open(d, dir, false, NULL)))
        return cw_error_wrap(rc, "--evm-store %s: ", chain);
    if (strcmp(cw_evmstore_chain(*d)->name, chain) != 0) {
        rc = cw_error_set(CW_EINVAL, "--evm-store %s=%s: the store holds %s, not %s", chain, dir,
                          cw_evmstore_chain(*d)->name, chain);
        cw_evmstore_close(*d);
        *d = NULL;
    }
    return rc;
}

/* One --evm-store: the exits' payouts on that chain (xchain_evm.h) and the trace on from them
 * under the same options and stops, with its own bridge exits (and their Bitcoin continuation
 * when bs is given); appended to conts. */
static int continue_evm(json_t *conts, const char *chain_eq, const char *dir, const cw_evmstore *s,
                        const cw_xchain_result *xr, cw_labels *db, const cw_chainstore *bs,
                        const cw_trace_labelmap *blm, const cw_acct_report_opts *ro,
                        const cw_xchain_opts *xo, const cw_xchain_evm_opts *eo)
{
    char chain[64];
    size_t cl = (size_t)(strchr(chain_eq, '=') - chain_eq);
    snprintf(chain, sizeof chain, "%.*s", (int)(cl < sizeof chain ? cl : sizeof chain - 1),
             chain_eq);
    double t0 = now();
    cw_evmstore *d = NULL;
    cw_xchain_evm_payout *p = NULL;
    size_t np = 0;
    const char **from = NULL;
    char(*hashes)[67] = NULL;
    json_t *dj = NULL;
    cw_acct_result *dr = NULL;
    cw_xchain_result *dxr = NULL;
    int rc;
    if ((rc = cw_cli_evm_store_open_as(&d, chain, dir)))
        goto out;
    if ((rc = cw_xchain_evm_payouts(&p, &np, s, xr, d, eo)))
        goto out;
    size_t ne;
    const cw_xchain_exit *ex = cw_xchain_result_exits(xr, &ne);
    json_t *c = json_object(), *pj = json_array();
    json_array_append_new(conts, c);
    json_object_set_new(c, "chain", json_string(chain));
    json_object_set_new(c, "store", json_string(dir));
    json_object_set_new(c, "payouts", pj);
    from = np ? calloc(np, sizeof *from) : NULL;
    hashes = np ? calloc(np, sizeof *hashes) : NULL;
    if (np && (!from || !hashes)) {
        rc = cw_error_set(CW_ENOMEM, "--evm-store: out of memory");
        goto out;
    }
    size_t nf = 0;
    for (size_t i = 0; i < np; i++) {
        const cw_xchain_exit *e = &ex[p[i].exit];
        char dec[CW_U256_DEC_MAX];
        json_t *o = json_object();
        json_array_append_new(pj, o);
        json_object_set_new(o, "deposit_tx", hash_json(s, e->tx));
        json_object_set_new(o, "bridge", addr_json(s, e->bridge));
        cw_u256_to_dec(dec, &e->amount);
        json_object_set_new(o, "deposit_tainted", json_string(dec));
        const cw_evm_row_move *dm = cw_evmstore_move(s, e->move);
        cw_u256 da = dm ? cw_evmstore_move_amount(s, dm) : e->amount;
        cw_u256_to_dec(dec, &da);
        json_object_set_new(o, "deposit_amount", json_string(dec));
        json_object_set_new(o, "deposit_asset", cw_acct_report_asset_json(s, e->asset));
        json_object_set_new(o, "deposit_block", json_integer((json_int_t)e->block));
        json_object_set_new(o, "deposit_time", json_integer((json_int_t)e->time));
        json_object_set_new(o, "tx", hash_json(d, p[i].tx));
        json_object_set_new(o, "recipient", addr_json(d, p[i].recipient));
        cw_u256_to_dec(dec, &p[i].amount);
        json_object_set_new(o, "amount", json_string(dec));
        json_object_set_new(o, "asset", cw_acct_report_asset_json(d, p[i].asset));
        json_object_set_new(o, "block", json_integer((json_int_t)p[i].block));
        json_object_set_new(o, "time", json_integer((json_int_t)p[i].time));
        json_object_set_new(o, "certain", json_boolean(p[i].certain));
        json_object_set_new(o, "probable", json_boolean(!p[i].certain));
        json_object_set_new(o, "score", json_real(p[i].score));
        json_object_set_new(o, "fits", json_integer(p[i].fits));
        json_object_set_new(o, "recipient_assumed", json_boolean(p[i].assumed));
        json_object_set_new(o, "by",
                            json_string(p[i].certain ? "deposit id"
                                        : p[i].assumed
                                            ? "depositor's address (no recipient recorded), asset, "
                                              "amount within the fee, time"
                                            : "recipient, asset, amount within the fee, time"));
        json_object_set_new(o, "traced", json_boolean(p[i].traced));
        if (!p[i].traced)
            continue;
        json_t *h = json_object_get(o, "tx");
        bool dup = false;
        for (size_t k = 0; k < nf && !dup; k++)
            dup = !strcmp(from[k], json_string_value(h));
        if (!dup && json_is_string(h)) {
            snprintf(hashes[nf], sizeof hashes[nf], "%s", json_string_value(h));
            from[nf] = hashes[nf];
            nf++;
        }
    }
    if (nf) {
        if ((rc = cw_acct_report_run(&dj, &dr, d, db, from, nf, ro)))
            goto out;
        if ((rc = cw_xchain_bridge_exits(&dxr, d, dr, bs, blm, xo)))
            goto out;
        json_t *xj = cw_cli_xchain_json(dxr, d, bs, cw_acct_report_asset_json);
        json_object_update(dj, xj);
        json_decref(xj);
        json_object_set_new(dj, "seconds", json_real(now() - t0));
        if ((rc = cw_cli_evm_answer(&dj, d, 0)))
            goto out;
        json_object_set_new(c, "trace", dj);
        dj = NULL;
    } else
        json_object_set_new(c, "trace", json_null());
out:
    json_decref(dj);
    cw_xchain_result_free(dxr);
    cw_acct_result_free(dr);
    free(from);
    free(hashes);
    free(p);
    if (d)
        cw_evmstore_close(d);
    return rc;
}

/* cw_cli_trace_evm with its sources' list fl (freed by the caller, whatever this returns). */
static int trace_evm(const cw_command *cmd, int argc, char **argv, cw_cli_from_list *fl)
{
    const char *store = getenv("CHAINWATCH_STORE"), *labels = getenv("CHAINWATCH_LABELS_DB");
    const char *btc_store = NULL;
    const char *evm_chain[MAX_EVM_STORES], *evm_dir[MAX_EVM_STORES];
    int n_evm = 0;
    bool window_set = false;
    cw_xchain_opts xo;
    cw_xchain_opts_init(&xo);
    bool json = false;
    cw_acct_report_opts ro;
    cw_acct_report_opts_init(&ro);
    ro.max_ends = SIZE_MAX; /* the CLI prints everything */
    ro.max_arrivals = SIZE_MAX;
    cw_acct_opts *o = &ro.trace;
    static const struct option longs[] = {{"store", required_argument, NULL, 's'},
                                          {"from", required_argument, NULL, 'f'},
                                          {"from-file", required_argument, NULL, 'F'},
                                          {"model", required_argument, NULL, 'm'},
                                          {"max-hops", required_argument, NULL, 'h'},
                                          {"until", required_argument, NULL, 'u'},
                                          {"min-amount", required_argument, NULL, 'a'},
                                          {"labels", required_argument, NULL, 'l'},
                                          {"json", no_argument, NULL, 'j'},
                                          {"no-services", no_argument, NULL, 'n'},
                                          {"through-mixer", no_argument, NULL, 'x'},
                                          {"link-score", required_argument, NULL, 'k'},
                                          {"follow-candidates", no_argument, NULL, 'c'},
                                          {"btc-store", required_argument, NULL, 'b'},
                                          {"bridge-window", required_argument, NULL, 'w'},
                                          {"evm-store", required_argument, NULL, 'e'},
                                          {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    uint64_t x;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 's':
            store = optarg;
            break;
        case 'f':
            if (cw_cli_from_push(fl, optarg, NULL, 0))
                return cw_cli_fail("trace", CW_ENOMEM);
            break;
        case 'F': {
            int frc = cw_cli_from_file(fl, optarg);
            if (frc)
                return frc == CW_ENOMEM ? cw_cli_fail("trace", frc)
                                        : cw_cli_usage_error(cmd, "%s", cw_error_last());
            break;
        }
        case 'm':
            if (!strcmp(optarg, "fifo"))
                o->model = CW_ACCT_FIFO;
            else if (!strcmp(optarg, "haircut"))
                o->model = CW_ACCT_HAIRCUT;
            else if (!strcmp(optarg, "poison"))
                o->model = CW_ACCT_POISON;
            else
                return cw_cli_usage_error(cmd, "--model: poison, haircut or fifo, not '%s'",
                                          optarg);
            break;
        case 'h':
            if (cw_parse_u64(&x, optarg) || x > UINT32_MAX)
                return cw_cli_usage_error(cmd, "--max-hops: '%s' is not a number", optarg);
            o->max_hops = (uint32_t)x;
            break;
        case 'u':
            if (cw_parse_u64(&o->until_time, optarg))
                return cw_cli_usage_error(cmd, "--until: '%s' is not unix seconds", optarg);
            break;
        case 'a':
            if (cw_u256_parse(&o->min_amount, optarg, strlen(optarg)))
                return cw_cli_usage_error(cmd, "--min-amount: '%s' is not an amount in base units",
                                          optarg);
            break;
        case 'l':
            labels = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'n':
            ro.no_services = true;
            break;
        case 'x':
            o->through_mixer = true;
            break;
        case 'c':
            o->follow_candidates = true;
            break;
        case 'k': {
            char *end;
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v > 0 && v <= 1))
                return cw_cli_usage_error(cmd, "--link-score: '%s' is not a score in (0, 1]",
                                          optarg);
            o->min_link_score = v;
            break;
        }
        case 'b':
            btc_store = optarg;
            break;
        case 'w': {
            char *end;
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v > 0 && v <= 24 * 365))
                return cw_cli_usage_error(cmd, "--bridge-window: '%s' is not hours in (0, 8760]",
                                          optarg);
            xo.window_s = (uint64_t)(v * 3600);
            window_set = true;
            if (xo.prompt_s > xo.window_s)
                xo.prompt_s = xo.window_s;
            break;
        }
        case 'e': {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || !eq[1])
                return cw_cli_usage_error(cmd, "--evm-store: CHAIN=DIR, not '%s'", optarg);
            if (n_evm == MAX_EVM_STORES)
                return cw_cli_usage_error(cmd, "at most %d --evm-store", MAX_EVM_STORES);
            evm_chain[n_evm] = optarg; /* up to '=' (checked against the store's chain) */
            evm_dir[n_evm++] = eq + 1;
            break;
        }
        default:
            return cw_cli_usage_error(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (!store)
        return cw_cli_usage_error(cmd, "--store is required");
    if (o->follow_candidates && !o->through_mixer)
        return cw_cli_usage_error(cmd, "--follow-candidates needs --through-mixer");
    if (!fl->n)
        return cw_cli_usage_error(cmd, "--from 0xTXHASH is required (the heist's transactions; "
                                       "or --from-file FILE, one a line)");
    double t0 = now();
    int rc;
    cw_evmstore *s = NULL;
    cw_labels *db = NULL;
    cw_acct_result *r = NULL;
    cw_chainstore *bs = NULL;
    cw_trace_labelmap *blm = NULL;
    cw_xchain_result *xr = NULL;
    json_t *j = NULL;
    if (btc_store && cw_evmstore_detect(btc_store)) {
        rc =
            cw_error_set(CW_EINVAL, "--btc-store %s: an EVM store, not a Bitcoin store", btc_store);
        goto out;
    }
    if ((rc = cw_evmstore_open(&s, store, false, NULL)))
        goto out;
    if (btc_store && (rc = cw_chainstore_open(&bs, btc_store, false, CW_NET_MAIN))) {
        rc = cw_error_wrap(rc, "--btc-store: ");
        goto out;
    }
    if (labels && (rc = cw_labels_open(&db, labels, CW_LABELS_READONLY)))
        goto out;
    /* a bad source from a file is named by its line (cw_acct_report_run names the source) */
    for (int i = 0; i < fl->n; i++) {
        uint64_t *ids = NULL;
        size_t n_ids = 0;
        if (!fl->file[i])
            continue;
        rc = cw_cli_from_wrap(fl, i, cw_acct_evm_tx_sources(s, fl->from[i], &ids, &n_ids, NULL));
        free(ids);
        if (rc)
            goto out;
    }
    if ((rc = cw_acct_report_run(&j, &r, s, db, fl->from, (size_t)fl->n, &ro)))
        goto out;
    /* bridge exits and their continuation in Bitcoin (xchain.h); the Bitcoin side's labels
     * are read as its traces touch their addresses (the lazy map: the same answers as the
     * full map, which read every label of a DB shared by both chains) */
    if (bs && db && (rc = cw_trace_labelmap_open(&blm, bs, db)))
        goto out;
    if (blm)
        cw_trace_opts_default_stops(&xo.btc);
    if ((rc = cw_xchain_bridge_exits(&xr, s, r, bs, blm, &xo)))
        goto out;
    json_t *xj = cw_cli_xchain_json(xr, s, bs, cw_acct_report_asset_json);
    json_object_update(j, xj);
    json_decref(xj);
    if (n_evm) {
        cw_xchain_evm_opts eo;
        cw_xchain_evm_opts_init(&eo);
        if (window_set)
            eo.window_s = xo.window_s;
        json_t *conts = json_array();
        json_object_set_new(j, "evm_continuations", conts);
        for (int i = 0; i < n_evm; i++)
            if ((rc = continue_evm(conts, evm_chain[i], evm_dir[i], s, xr, db, bs, blm, &ro, &xo,
                                   &eo)))
                goto out;
    }
    if (blm && (rc = cw_trace_labelmap_error(blm))) /* a label lookup failed: no answer */
        goto out;
    double secs = now() - t0;
    json_object_set_new(j, "seconds", json_real(secs));
    if ((rc = cw_cli_evm_answer(&j, s, 0)) || (bs && (rc = cw_cli_chain_answer(&j, bs, 0))))
        goto out;
    if (json) {
        cw_cli_print_json(j);
        j = NULL; /* cw_cli_print_json takes it */
    } else {
        print_text(j, secs);
        cw_cli_xchain_print(j);
        print_continuations(j);
    }
out:
    json_decref(j);
    cw_xchain_result_free(xr);
    cw_trace_labelmap_free(blm);
    if (bs)
        cw_chainstore_close(bs);
    cw_acct_result_free(r);
    if (db)
        cw_labels_close(db);
    cw_evmstore_close(s);
    return rc ? cw_cli_fail("trace", rc) : CW_EXIT_OK;
}

int cw_cli_trace_evm(const cw_command *cmd, int argc, char **argv)
{
    cw_cli_from_list fl = {0}; /* --from and --from-file's: a heist of hundreds of txs */
    int ec = trace_evm(cmd, argc, argv, &fl);
    cw_cli_from_free(&fl);
    return ec;
}
