/*
 * cmd_trace.c: `chainwatch trace`: follow value forward or backward under poison, haircut or
 * FIFO (docs/TRACE-MODELS.md). Thin: parses options, resolves --from, runs cw_trace_run and
 * prints cw_trace_json (with --json) or a table made from it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/patterns.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "chainwatch/xchain_btcevm.h"
#include "cli/cli.h"
#include "cli/from_list.h"
#include "cli/store_opts.h"
#include "cli/trace_btcevm.h"
#include "cli/trace_evm.h"

extern const cw_command cw_cmd_trace;

#define MAX_EVM_STORES 8

static int need(int argc, char **argv, int i)
{
    if (i + 1 >= argc)
        return cw_cli_usage_error(&cw_cmd_trace, "%s needs a value", argv[i]);
    return 0;
}

static int parse_u32(uint32_t *out, const char *opt, const char *v)
{
    uint64_t x;
    if (cw_parse_u64(&x, v) || x > UINT32_MAX - 1)
        return cw_cli_usage_error(&cw_cmd_trace, "%s: '%s' is not a number below 2^32", opt, v);
    *out = (uint32_t)x;
    return 0;
}

/* A two-way switch: v is `yes` (true) or `no` (false); anything else is a usage error naming opt.
 */
static int parse_switch(bool *out, const char *opt, const char *v, const char *yes, const char *no)
{
    if (!strcmp(v, yes))
        *out = true;
    else if (!strcmp(v, no))
        *out = false;
    else
        return cw_cli_usage_error(&cw_cmd_trace, "%s: %s or %s, not '%s'", opt, yes, no, v);
    return 0;
}

static void sat_btc(char *buf, size_t n, int64_t v)
{
    snprintf(buf, n, "%s%" PRId64 ".%08" PRId64, v < 0 ? "-" : "", (v < 0 ? -v : v) / 100000000,
             (v < 0 ? -v : v) % 100000000);
}

/* " (probable X BTC)" when part of v is a judgement, else "" */
static const char *prob_note(char *buf, size_t n, json_t *v)
{
    int64_t p = json_integer_value(json_object_get(v, "probable"));
    if (p <= 0)
        return "";
    char b[40];
    sat_btc(b, sizeof b, p);
    snprintf(buf, n, "  (probable %s BTC)", b);
    return buf;
}

/* "12.34%", or, for poison (reach, not amounts), nothing */
static const char *pct(char *buf, size_t n, bool reach, int64_t x, int64_t total)
{
    if (reach)
        return "";
    snprintf(buf, n, " %6.2f%%", total ? 100.0 * (double)x / (double)total : 0.0);
    return buf;
}

static void print_table(json_t *j, const cw_trace_stats *st, double total_s)
{
    json_t *o = json_object_get(j, "options");
    char b[40], pb[64], pc[16];
    int64_t total = json_integer_value(json_object_get(j, "source_value"));
    bool reach = json_object_get(j, "reach") != NULL;
    bool fwd = !strcmp(json_string_value(json_object_get(o, "direction")), "forward");
    sat_btc(b, sizeof b, total);
    cw_cli_synthetic_line(j);
    printf("trace %s %s from %lld output(s) worth %s BTC, CoinJoins %s: %llu txs, %llu edges, "
           "max hop %u%s (%.3f s with loading the store and labels; tracing %.3f s)\n",
           json_string_value(json_object_get(o, "model")),
           json_string_value(json_object_get(o, "direction")),
           (long long)json_integer_value(json_object_get(j, "n_sources")), b,
           json_string_value(json_object_get(o, "coinjoin")), (unsigned long long)st->txs,
           (unsigned long long)st->edges, st->max_hop,
           st->truncated ? " [TRUNCATED: max nodes reached]" : "", total_s, st->seconds);
    if (reach) {
        json_t *r = json_object_get(j, "reach");
        sat_btc(b, sizeof b, json_integer_value(json_object_get(r, "value_touched")));
        printf("poison is reach, not amounts: %lld txs and %lld outputs worth %s BTC touch the "
               "source; none of these figures is an amount of the source\n",
               (long long)json_integer_value(json_object_get(r, "txs")),
               (long long)json_integer_value(json_object_get(r, "outputs")), b);
    }
    json_t *pr = json_object_get(j, "probable");
    int64_t pv = json_integer_value(json_object_get(pr, "value"));
    int64_t n_cj = json_integer_value(json_object_get(pr, "coinjoins"));
    if (n_cj) {
        sat_btc(b, sizeof b, json_integer_value(json_object_get(pr, "coinjoin_entered")));
        printf("%s mixer: %s BTC (traced value reached %lld CoinJoin tx(s))",
               fwd ? "entered" : "left a", b, (long long)n_cj);
        if (pv) {
            sat_btc(b, sizeof b, pv);
            const char *rk;
            json_t *rv;
            printf("; %s BTC beyond them is PROBABLE (rule", b);
            json_object_foreach(json_object_get(pr, "by_rule"), rk, rv)
            {
                printf(" %s", rk);
            }
            printf("): which participant's output carries it is a judgement, not a certainty");
        } else {
            printf("; not followed (--coinjoin stop)");
        }
        printf("\n");
    }
    int64_t n_fund =
        json_integer_value(json_object_get(json_object_get(pr, "relinked"), "funding"));
    if (n_fund)
        printf("relinked-funding: %lld Wasabi 2 output(s) PROBABLE: their owner's outputs from the "
               "round (one, or several spent together) exceed the round's 10 largest untraced "
               "inputs, more than a party without a traced input (at most 10 coins) could pay "
               "(--json: graph outputs' relinked.funding)\n",
               (long long)n_fund);
    json_t *car = json_object_get(json_object_get(pr, "relinked"), "carried");
    if (car)
        printf("relinked-carried: %lld post-mix output(s) PROBABLE: remixed past the rounds the "
               "trace entered (%lld remix(es)) and deposited at the owner's exchange deposit "
               "account or spent with its unmixed coins; their value is carried back over every "
               "remix input that leads to a traced round (--json: probable.relinked.carried)\n",
               (long long)json_integer_value(json_object_get(car, "outputs")),
               (long long)json_integer_value(json_object_get(car, "rounds")));
    json_t *mp = json_object_get(pr, "mixer_payouts");
    if (mp && json_integer_value(json_object_get(mp, "deposits"))) {
        sat_btc(b, sizeof b, json_integer_value(json_object_get(mp, "value")));
        printf("mixer payouts: %s BTC PROBABLE on %lld exchange deposit(s) at accounts that "
               "receive certain traced value (rule mixer-payout)\n",
               b, (long long)json_integer_value(json_object_get(mp, "deposits")));
        json_t *sp = json_object_get(mp, "unlabelled_services");
        if (sp && json_integer_value(json_object_get(sp, "deposits"))) {
            sat_btc(b, sizeof b, json_integer_value(json_object_get(sp, "value")));
            printf("  of which %s BTC on %lld deposit(s) from unlabelled services that behave as "
                   "custodial mixers (rule service-payout)\n",
                   b, (long long)json_integer_value(json_object_get(sp, "deposits")));
            json_t *fp = json_object_get(sp, "from_float");
            if (fp) {
                sat_btc(b, sizeof b, json_integer_value(json_object_get(fp, "value")));
                printf("    of which %s BTC on %lld deposit(s) paid from coins their walk did not "
                       "reach, matched to a traced order by amount\n",
                       b, (long long)json_integer_value(json_object_get(fp, "deposits")));
            }
        }
    }
    json_t *tp = json_object_get(j, "third_party");
    if (tp) {
        json_t *sp = json_object_get(tp, "spends"), *x;
        size_t i, n_ln = 0, n_pre = 0, n_sp = json_array_size(sp);
        json_array_foreach(sp, i, x)
        {
            const char *ev = json_string_value(json_object_get(x, "evidence"));
            n_ln += ev && !strcmp(ev, "lightning_close");
            n_pre += ev && (!strcmp(ev, "pre_theft_address") || !strcmp(ev, "self_change_payee"));
        }
        long long n_tx = (long long)json_integer_value(json_object_get(tp, "txs"));
        sat_btc(b, sizeof b, json_integer_value(json_object_get(tp, "value")));
        if (!n_ln && !n_pre)
            printf("third party: %s BTC of certain value made probable at %lld tx(s) where a "
                   "third party paid it on from its own account (rule third-party)\n",
                   b, n_tx);
        else /* docs/TRACE-MODELS.md, "A Lightning channel's other side" and "A wallet that
              * was there before the theft" */
            printf("third party: %s BTC of certain value made probable at %lld tx(s) (rule "
                   "third-party): %zu where a third party paid it on from its own account, %zu "
                   "spending a side of a Lightning channel's close not provably the thief's, "
                   "%zu where its holder added a coin from an address in use before the "
                   "theft or received it as a payment%s\n",
                   b, n_tx, n_sp - n_ln - n_pre, n_ln, n_pre,
                   (long long)n_sp < n_tx ? " (of the txs listed in the JSON)" : "");
    }
    json_t *du = json_object_get(j, "dusting");
    if (du) {
        sat_btc(b, sizeof b, json_integer_value(json_object_get(du, "value")));
        printf("dusting: %s BTC on %lld dust output(s) of a dusting campaign: ended as dust, "
               "not followed, no deposit of the source\n",
               b, (long long)json_integer_value(json_object_get(du, "outputs")));
    }
    printf("\nhow the value ended%s:\n", reach ? " (reach)" : "");
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(j, "ended"), k, v)
    {
        int64_t x = json_integer_value(json_object_get(v, "value"));
        sat_btc(b, sizeof b, x);
        const char *name = k;
        if (!strcmp(k, "coinjoin"))
            name = fwd ? "entered mixer" : "left a mixer";
        else if (!strcmp(k, "service_sweep"))
            name = fwd ? "entered service" : "from a service";
        else if (!strcmp(k, "bridge"))
            name = "bridge exit";
        printf("  %-14s %20s BTC%s  (%lld)%s\n", name, b, pct(pc, sizeof pc, reach, x, total),
               (long long)json_integer_value(json_object_get(v, "count")),
               prob_note(pb, sizeof pb, v));
    }
    size_t i;
    json_array_foreach(json_object_get(j, "bridge_exits"), i, v)
    {
        if (!i)
            printf("\nbridge exits (swap vault memos; status: other chain; each destination "
                   "is the memo's request, not seen here):\n");
        sat_btc(b, sizeof b, json_integer_value(json_object_get(v, "value")));
        const char *ad = json_string_value(json_object_get(v, "address"));
        printf("  %s BTC into %s -> %s %s%s  memo \"%s\"\n", b,
               json_string_value(json_object_get(v, "txid")),
               json_string_value(json_object_get(v, "asset")), ad && *ad ? "at " : "",
               ad && *ad ? ad : "(the memo's address fails its checksum: not used)",
               json_string_value(json_object_get(v, "memo")));
    }
    printf("\nby category (value that ended at addresses):\n");
    json_array_foreach(json_object_get(j, "by_category"), i, v)
    {
        int64_t x = json_integer_value(json_object_get(v, "value"));
        sat_btc(b, sizeof b, x);
        printf("  %-20s %20s BTC%s  %lld output(s)%s\n",
               json_string_value(json_object_get(v, "category")), b,
               pct(pc, sizeof pc, reach, x, total),
               (long long)json_integer_value(json_object_get(v, "outputs")),
               prob_note(pb, sizeof pb, v));
    }
    printf("\nby entity:\n");
    json_array_foreach(json_object_get(j, "by_entity"), i, v)
    {
        if (i >= 20) {
            printf("  ... (%zu entities; --json for all)\n",
                   json_array_size(json_object_get(j, "by_entity")));
            break;
        }
        int64_t x = json_integer_value(json_object_get(v, "value"));
        sat_btc(b, sizeof b, x);
        printf("  %-24s %-18s %20s BTC%s  %lld output(s), from hop %lld%s\n",
               json_string_value(json_object_get(v, "entity")),
               json_string_value(json_object_get(v, "category")), b,
               pct(pc, sizeof pc, reach, x, total),
               (long long)json_integer_value(json_object_get(v, "outputs")),
               (long long)json_integer_value(json_object_get(v, "min_hops")),
               prob_note(pb, sizeof pb, v));
    }
    printf("\nstrongest paths:\n");
    json_array_foreach(json_object_get(j, "paths"), i, v)
    {
        int64_t x = json_integer_value(json_object_get(v, "value"));
        sat_btc(b, sizeof b, x);
        const char *rule = json_string_value(json_object_get(v, "rule"));
        printf("  %2zu. %s BTC %s at %s (%s, %s) after %lld hop(s)%s%s%s\n", i + 1, b,
               json_string_value(json_object_get(v, "how")),
               json_string_value(json_object_get(v, "address")),
               json_string_value(json_object_get(v, "entity")),
               json_string_value(json_object_get(v, "category")),
               (long long)json_integer_value(json_object_get(v, "hops")), rule ? " PROBABLE (" : "",
               rule ? rule : "", rule ? ")" : "");
        size_t q, n = json_array_size(json_object_get(v, "txids"));
        json_t *tx;
        json_array_foreach(json_object_get(v, "txids"), q, tx)
        {
            /* long paths: the first and last three txs (--json has them all) */
            if (n > 8 && q >= 3 && q + 3 < n) {
                if (q == 3)
                    printf("        .. %zu more txs\n", n - 6);
                continue;
            }
            printf("        %s %s\n", q ? "->" : "  ", json_string_value(tx));
        }
    }
}

static int run(int argc, char **argv)
{
    /* an EVM store: the account-model trace (trace_evm.c) */
    const char *which = getenv("CHAINWATCH_STORE");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--store") && i + 1 < argc)
            which = argv[i + 1];
        else if (!strncmp(argv[i], "--store=", 8))
            which = argv[i] + 8;
    }
    if (which && cw_evmstore_detect(which))
        return cw_cli_trace_evm(&cw_cmd_trace, argc, argv);
    const char *store = getenv("CHAINWATCH_STORE"), *labels_db = NULL;
    /* one per --from, as many as the command line holds, and --from-file's: a drainer's heist
     * has thousands of theft outputs (tests/cli/btc_alt9_world.sh) */
    cw_cli_from_list fl = {0};
    bool json = false, stop_given = false;
    uint64_t top = 10, graph = 1000;
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    bool cj_given = false;
    char *stop_buf = NULL;
    int ec = CW_EXIT_OK;
    const char *evm[MAX_EVM_STORES]; /* --evm-store CHAIN=DIR: bridge exits continued there */
    int n_evm = 0;
    uint64_t window_s = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            json = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            ec = cw_cli_usage_error(&cw_cmd_trace, "unexpected argument '%s'", a);
            goto out;
        }
        if ((ec = need(argc, argv, i)))
            goto out;
        const char *v = argv[++i];
        if (!strcmp(a, "--from")) {
            if (cw_cli_from_push(&fl, v, NULL, 0)) {
                ec = cw_cli_fail("trace", CW_ENOMEM);
                goto out;
            }
        } else if (!strcmp(a, "--from-file")) {
            int frc = cw_cli_from_file(&fl, v);
            if (frc) {
                ec = frc == CW_ENOMEM ? cw_cli_fail("trace", frc)
                                      : cw_cli_usage_error(&cw_cmd_trace, "%s", cw_error_last());
                goto out;
            }
        } else if (!strcmp(a, "--store")) {
            store = v;
        } else if (!strcmp(a, "--labels")) {
            labels_db = v;
        } else if (!strcmp(a, "--model")) {
            if (cw_trace_model_parse(&o.model, v)) {
                ec = cw_cli_usage_error(&cw_cmd_trace, "%s", cw_error_last());
                goto out;
            }
        } else if (!strcmp(a, "--direction")) {
            if (!strcmp(v, "forward"))
                o.direction = CW_TRACE_FORWARD;
            else if (!strcmp(v, "backward"))
                o.direction = CW_TRACE_BACKWARD;
            else {
                ec = cw_cli_usage_error(&cw_cmd_trace, "--direction: forward or backward");
                goto out;
            }
        } else if (!strcmp(a, "--coinjoin")) {
            if (cw_trace_coinjoin_parse(&o.coinjoin, v)) {
                ec = cw_cli_usage_error(&cw_cmd_trace, "%s", cw_error_last());
                goto out;
            }
            cj_given = true;
        } else if (!strcmp(a, "--sweeps")) {
            if ((ec = parse_switch(&o.through_sweeps, a, v, "through", "stop")))
                goto out;
        } else if (!strcmp(a, "--probable-floor")) {
            char *end = NULL;
            double d = strtod(v, &end);
            bool pc = end && *end == '%';
            if (pc)
                end++;
            if (!end || end == v || *end || d < 0 || (pc ? d >= 100 : d >= 1)) {
                ec = cw_cli_usage_error(
                    &cw_cmd_trace, "--probable-floor: '%s' is not a share below 1 (0.01 or 1%%)",
                    v);
                goto out;
            }
            o.probable_floor = pc ? d / 100.0 : d;
        } else if (!strcmp(a, "--relink")) {
            if ((ec = parse_switch(&o.relink, a, v, "on", "off")))
                goto out;
        } else if (!strcmp(a, "--mixer-payouts")) {
            if ((ec = parse_switch(&o.mixer_payouts, a, v, "on", "off")))
                goto out;
        } else if (!strcmp(a, "--service-payouts")) {
            if ((ec = parse_switch(&o.service_payouts, a, v, "on", "off")))
                goto out;
        } else if (!strcmp(a, "--dust-rule")) {
            if ((ec = parse_switch(&o.dust_rule, a, v, "on", "off")))
                goto out;
        } else if (!strcmp(a, "--max-hops")) {
            if ((ec = parse_u32(&o.max_hops, a, v)))
                goto out;
        } else if (!strcmp(a, "--until-height")) {
            if ((ec = parse_u32(&o.until_height, a, v)))
                goto out;
        } else if (!strcmp(a, "--min-value") || !strcmp(a, "--top") || !strcmp(a, "--graph") ||
                   !strcmp(a, "--max-nodes")) {
            uint64_t x;
            if (cw_parse_u64(&x, v)) {
                ec = cw_cli_usage_error(&cw_cmd_trace, "%s: '%s' is not a number", a, v);
                goto out;
            }
            if (!strcmp(a, "--min-value"))
                o.min_value = x;
            else if (!strcmp(a, "--top"))
                top = x;
            else if (!strcmp(a, "--graph"))
                graph = x;
            else
                o.max_nodes = x;
        } else if (!strcmp(a, "--evm-store")) {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v || !eq[1] || n_evm == MAX_EVM_STORES) {
                ec = cw_cli_usage_error(&cw_cmd_trace,
                                        "--evm-store: CHAIN=DIR (at most %d), not '%s'",
                                        MAX_EVM_STORES, v);
                goto out;
            }
            evm[n_evm++] = v;
        } else if (!strcmp(a, "--bridge-window")) {
            char *end;
            double hrs = strtod(v, &end);
            if (end == v || *end || !(hrs > 0 && hrs <= 24 * 365)) {
                ec = cw_cli_usage_error(&cw_cmd_trace,
                                        "--bridge-window: '%s' is not hours in (0, 8760]", v);
                goto out;
            }
            window_s = (uint64_t)(hrs * 3600);
        } else if (!strcmp(a, "--stop-at")) {
            stop_given = true;
            cw_free(stop_buf);
            stop_buf = cw_strdup(v);
            if (!stop_buf) {
                ec = cw_cli_fail("trace", CW_ENOMEM);
                goto out;
            }
            o.n_stop = 0;
            for (char *p = stop_buf; p && *p;) {
                char *c = strchr(p, ',');
                if (c)
                    *c++ = 0;
                if (!strcmp(p, "default")) {
                    cw_trace_opts d;
                    cw_trace_opts_default_stops(&d);
                    for (size_t k = 0; k < d.n_stop && o.n_stop < CW_TRACE_MAX_STOP; k++)
                        o.stop[o.n_stop++] = d.stop[k];
                } else if (*p && strcmp(p, "none") != 0) {
                    if (!cw_label_category_valid(p)) {
                        ec = cw_cli_usage_error(&cw_cmd_trace,
                                                "--stop-at: '%s' is not a label category", p);
                        goto out;
                    }
                    if (o.n_stop == CW_TRACE_MAX_STOP) {
                        ec = cw_cli_usage_error(&cw_cmd_trace, "--stop-at: at most %d",
                                                CW_TRACE_MAX_STOP);
                        goto out;
                    }
                    o.stop[o.n_stop++] = p;
                }
                p = c;
            }
        } else {
            ec = cw_cli_usage_error(&cw_cmd_trace, "unknown option %s", a);
            goto out;
        }
    }
    const char **from = fl.from;
    int n_from = fl.n;
    if (!n_from) {
        ec = cw_cli_usage_error(&cw_cmd_trace, "--from is required (what to trace)");
        goto out;
    }
    if (!store) {
        ec = cw_cli_usage_error(&cw_cmd_trace, "--store DIR is required (or set CHAINWATCH_STORE)");
        goto out;
    }
    (void)cj_given; /* default: rank (cw_trace_opts_init); haircut applies it proportionally */
    if (!stop_given && labels_db)
        cw_trace_opts_default_stops(&o);
    cw_chainstore *cs = NULL;
    cw_labels *db = NULL;
    cw_trace_labelmap *lm = NULL;
    cw_trace_sources src = {0};
    cw_trace *t = NULL;
    cw_patterns *pv = NULL;
    double t0 = cw_now(); /* timings include loading the store and the labels */
    cw_cli_ticker *tick = cw_cli_ticker_start("trace");
    int rc = cw_chainstore_open(&cs, store, false, CW_NET_MAIN);
    /* CoinJoin flags from txflags.col when `chainwatch patterns` built it, else computed */
    if (rc == 0) {
        if (cw_patterns_open(&pv, cs) == 0) {
            o.is_coinjoin = cw_trace_coinjoin_patterns;
            o.is_coinjoin_ctx = pv;
        }
        cw_error_clear(); /* not built: computed per tx instead */
    }
    if (rc == 0 && labels_db) {
        rc = cw_labels_open(&db, labels_db, CW_LABELS_READONLY);
        /* the labels of the addresses the trace touches, read as it touches them; a label
         * source needs every labelled address (the full map) */
        bool by_label = false;
        for (int i = 0; i < n_from; i++)
            by_label |= !strncmp(from[i], "label:", 6);
        if (rc == 0)
            rc =
                by_label ? cw_trace_labelmap_new(&lm, cs, db) : cw_trace_labelmap_open(&lm, cs, db);
    }
    for (int i = 0; rc == 0 && i < n_from; i++) {
        rc = cw_cli_from_wrap(&fl, i, cw_trace_sources_add(&src, cs, lm, from[i], o.until_height));
    }
    if (rc == 0)
        rc = cw_trace_run(&t, cs, lm, src.outs, src.n, &o);
    if (rc == 0)
        rc = cw_trace_labelmap_error(lm);
    cw_cli_ticker_stop(tick);
    double total_s = cw_now() - t0;
    if (rc) {
        ec = cw_cli_fail("trace", rc);
    } else {
        json_t *j = cw_trace_json(t, top, graph);
        if (!j) {
            ec = cw_cli_fail("trace", CW_ENOMEM);
        } else if ((cw_xchain_btcevm_memo_note(j, cs), n_evm) &&
                   (rc = cw_cli_trace_btcevm(j, cs, t, db, &o, lm, top, graph, evm, n_evm,
                                             window_s))) {
            json_decref(j);
            ec = cw_cli_fail("trace", rc);
        } else if ((rc = cw_trace_labelmap_error(lm)) || (rc = cw_cli_chain_answer(&j, cs, 0))) {
            json_decref(j);
            ec = cw_cli_fail("trace", rc);
        } else if (json) {
            ec = cw_cli_print_json(j);
        } else {
            print_table(j, cw_trace_stats_get(t), total_s);
            cw_cli_trace_btcevm_print(j);
            json_decref(j);
        }
    }
    cw_trace_free(t);
    cw_patterns_close(pv);
    cw_trace_sources_deinit(&src);
    cw_trace_labelmap_free(lm);
    if (db)
        cw_labels_close(db);
    if (cs)
        cw_chainstore_close(cs);
out:
    cw_free(stop_buf);
    cw_cli_from_free(&fl);
    return ec;
}

const cw_command cw_cmd_trace = {
    "trace", "follow value forward or backward (poison, haircut, FIFO taint)",
    "Usage: chainwatch trace --from SRC [--from SRC...] --store DIR [--labels DB]\n"
    "                        [--model poison|haircut|fifo] [--direction forward|backward]\n"
    "                        [--max-hops N] [--min-value SAT] [--until-height H]\n"
    "                        [--stop-at CATEGORY,...]\n"
    "                        [--coinjoin rank|proportional|stop|order|through]\n"
    "                        [--probable-floor SHARE] [--relink on|off] [--sweeps stop|through]\n"
    "                        [--mixer-payouts|--service-payouts|--dust-rule on|off]\n"
    "                        [--top N] [--graph N] [--max-nodes N] [--json]\n\n"
    "Follows the value of SRC through the chain and says where it ended: per category,\n"
    "entity and address (labels from --labels DB; unlabelled = unknown), unspent, fees,\n"
    "dust, the hop frontier (--json: paths, flow graph). Rules: docs/TRACE-MODELS.md.\n\n"
    "  --from SRC        txid:vout (one output), txid (all its outputs), an address (every\n"
    "                    output paid to it), label:NAME (addresses labelled with entity or\n"
    "                    category NAME) or cluster:ID|ADDRESS (every address of the cluster,\n"
    "                    after `cluster build`); repeatable; --from-file F: one a line\n"
    "  --model M         fifo (default), haircut or poison\n"
    "  --direction D     forward (default: where did it go) or backward (where from)\n"
    "  --max-hops N      stop after N txs (default: none)\n"
    "  --min-value SAT   traced amounts below SAT end as dust (default 1)\n"
    "  --until-height H  forward: ignore txs above H; backward: do not go below H\n"
    "  --stop-at C,...   label categories where value stops; 'default' (the default\n"
    "                    with --labels): custodial services, merchants; 'none': no stop\n"
    "  --coinjoin P      CoinJoin policy: rank (the default: FIFO matching by value, a\n"
    "                    group of equal outputs sharing what reaches it; haircut shares\n"
    "                    by value), proportional (every output gets its share by value),\n"
    "                    stop (value ends there: \"entered mixer\") or order|through (as\n"
    "                    any tx). Value past a CoinJoin is always reported PROBABLE\n"
    "  --sweeps P        at a service's probable sweep/batch of many payers' coins:\n"
    "                    stop (default: \"entered service\"/\"from a service\") or through\n"
    "  --probable-floor S  a probable amount below this share of its coin is not followed\n"
    "                    (ends as dust; default 0.25; 0: follow every sliver)\n"
    "  --relink on|off   forward: re-link the CoinJoin outputs the source's owner is seen\n"
    "                    to hold (spent together with its other coins, remix chains) and\n"
    "                    give them the round's value first (default on; still PROBABLE).\n"
    "                    Only with --labels and a stop at exchange(_deposit)\n"
    "  --mixer-payouts on|off  forward: a mixer's later payouts into an account with\n"
    "                    certain traced value get what entered it (PROBABLE; default on)\n"
    "  --service-payouts on|off  unlabelled services too (default on)\n"
    "  --dust-rule on|off  a dusting campaign's outputs end as dust (default on)\n"
    "  --top N           paths and addresses shown (default 10); --graph N: txs in the\n"
    "                    JSON graph (default 1000); --max-nodes N: memory bound\n\n"
    "On an EVM store (--from[-file] 0xTXHASH): the account model (--model, --max-hops,\n"
    "--until, --min-amount, --labels, --no-services, --through-mixer, --link-score), bridge\n"
    "exits:\n"
    "  --through-mixer   link mixer withdrawals with evidence beyond denomination and timing\n"
    "                    (gas paid by a tainted account, convergence): PROBABLE; those with\n"
    "                    denomination and timing only are listed as CANDIDATES, in no amount\n"
    "  --follow-candidates  let candidates carry value too (ends say via_candidate_link)\n"
    "  --btc-store DIR, --evm-store CHAIN=DIR (repeatable)  continue bridge exits\n"
    "                    in that store from the bridge's payouts (PROBABLE, scored)\n"
    "  --bridge-window H  hours in which payouts count (default 72; EVM 24)\n"
    "On a Bitcoin store, --evm-store continues swap-vault exits (OUT: memo CERTAIN).\n\n"
    "Exit codes: 0 done, 1 failure, 2 usage, 3 source not found.\n",
    run};
