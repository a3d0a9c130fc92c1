/*
 * trace_evm.c: `chainwatch trace` on an EVM store (cmd_trace.c dispatches here when --store is
 * an EVM store): forward from a heist's transactions under FIFO (default), haircut or poison
 * (docs/TRACE-MODELS.md, "Account model"), stopping at labelled exchanges, mixers and bridges.
 * Thin: parses options into cw_acct_report_opts and prints the document of
 * cw_acct_report_run (acct_report.h), which the server serves too; where a trace stops is the
 * engine's one policy (acct_policy.h), which the monitor uses as well. Bridge exits and their
 * Bitcoin continuation are read from the same trace (xchain.h).
 * Amounts are decimal strings of base units beside the asset's symbol and decimals: nothing is
 * rounded in JSON; the text table also shows them scaled by the decimals.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chainwatch/acct_report.h"
#include "chainwatch/errors.h"
#include "chainwatch/labels.h"
#include "chainwatch/util.h"
#include "chainwatch/xchain.h"
#include "cli/cli.h"
#include "cli/store_opts.h"
#include "cli/trace_evm.h"
#include "cli/xchain_cli.h"

#define MAX_FROM 64

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

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int cw_cli_trace_evm(const cw_command *cmd, int argc, char **argv)
{
    const char *store = getenv("CHAINWATCH_STORE"), *labels = getenv("CHAINWATCH_LABELS_DB");
    const char *btc_store = NULL;
    cw_xchain_opts xo;
    cw_xchain_opts_init(&xo);
    const char *from[MAX_FROM];
    int n_from = 0;
    bool json = false;
    cw_acct_report_opts ro;
    cw_acct_report_opts_init(&ro);
    ro.max_ends = SIZE_MAX; /* the CLI prints everything */
    ro.max_arrivals = SIZE_MAX;
    cw_acct_opts *o = &ro.trace;
    static const struct option longs[] = {{"store", required_argument, NULL, 's'},
                                          {"from", required_argument, NULL, 'f'},
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
            if (n_from == MAX_FROM)
                return cw_cli_usage_error(cmd, "at most %d --from", MAX_FROM);
            from[n_from++] = optarg;
            break;
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
            if (xo.prompt_s > xo.window_s)
                xo.prompt_s = xo.window_s;
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
    if (!n_from)
        return cw_cli_usage_error(cmd, "--from 0xTXHASH is required (the heist's transactions)");
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
    if ((rc = cw_acct_report_run(&j, &r, s, db, from, (size_t)n_from, &ro)))
        goto out;
    /* bridge exits and their continuation in Bitcoin (xchain.h) */
    if (bs && db && (rc = cw_trace_labelmap_new(&blm, bs, db)))
        goto out;
    if (blm)
        cw_trace_opts_default_stops(&xo.btc);
    if ((rc = cw_xchain_bridge_exits(&xr, s, r, bs, blm, &xo)))
        goto out;
    json_t *xj = cw_cli_xchain_json(xr, s, bs, cw_acct_report_asset_json);
    json_object_update(j, xj);
    json_decref(xj);
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
