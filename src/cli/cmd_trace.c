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
#include "chainwatch/patterns.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "cli/cli.h"

extern const cw_command cw_cmd_trace;

#define MAX_FROM 64

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

static void sat_btc(char *buf, size_t n, int64_t v)
{
    snprintf(buf, n, "%s%" PRId64 ".%08" PRId64, v < 0 ? "-" : "", (v < 0 ? -v : v) / 100000000,
             (v < 0 ? -v : v) % 100000000);
}

static void print_table(json_t *j, const cw_trace_stats *st, double total_s)
{
    json_t *o = json_object_get(j, "options");
    char b[40];
    int64_t total = json_integer_value(json_object_get(j, "source_value"));
    sat_btc(b, sizeof b, total);
    printf("trace %s %s from %lld output(s) worth %s BTC: %llu txs, %llu edges, max hop %u%s "
           "(%.3f s with loading the store and labels; tracing %.3f s)\n",
           json_string_value(json_object_get(o, "model")),
           json_string_value(json_object_get(o, "direction")),
           (long long)json_integer_value(json_object_get(j, "n_sources")), b,
           (unsigned long long)st->txs, (unsigned long long)st->edges, st->max_hop,
           st->truncated ? " [TRUNCATED: max nodes reached]" : "", total_s, st->seconds);
    printf("\nhow the value ended:\n");
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(j, "ended"), k, v)
    {
        int64_t x = json_integer_value(json_object_get(v, "value"));
        sat_btc(b, sizeof b, x);
        printf("  %-10s %20s BTC  %6.2f%%  (%lld)\n", k, b,
               total ? 100.0 * (double)x / (double)total : 0.0,
               (long long)json_integer_value(json_object_get(v, "count")));
    }
    size_t i;
    printf("\nby category (value that ended at addresses):\n");
    json_array_foreach(json_object_get(j, "by_category"), i, v)
    {
        int64_t x = json_integer_value(json_object_get(v, "value"));
        sat_btc(b, sizeof b, x);
        printf("  %-20s %20s BTC  %6.2f%%  %lld output(s)\n",
               json_string_value(json_object_get(v, "category")), b,
               total ? 100.0 * (double)x / (double)total : 0.0,
               (long long)json_integer_value(json_object_get(v, "outputs")));
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
        printf("  %-24s %-18s %20s BTC  %6.2f%%  %lld output(s), from hop %lld\n",
               json_string_value(json_object_get(v, "entity")),
               json_string_value(json_object_get(v, "category")), b,
               total ? 100.0 * (double)x / (double)total : 0.0,
               (long long)json_integer_value(json_object_get(v, "outputs")),
               (long long)json_integer_value(json_object_get(v, "min_hops")));
    }
    printf("\nstrongest paths:\n");
    json_array_foreach(json_object_get(j, "paths"), i, v)
    {
        int64_t x = json_integer_value(json_object_get(v, "value"));
        sat_btc(b, sizeof b, x);
        printf("  %2zu. %s BTC %s at %s (%s, %s) after %lld hop(s)\n", i + 1, b,
               json_string_value(json_object_get(v, "how")),
               json_string_value(json_object_get(v, "address")),
               json_string_value(json_object_get(v, "entity")),
               json_string_value(json_object_get(v, "category")),
               (long long)json_integer_value(json_object_get(v, "hops")));
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
    const char *store = getenv("CHAINWATCH_STORE"), *labels_db = NULL;
    const char *from[MAX_FROM];
    int n_from = 0;
    bool json = false, stop_given = false;
    uint64_t top = 10, graph = 1000;
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    bool cj_given = false;
    char *stop_buf = NULL;
    int ec = CW_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            json = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0)
            return cw_cli_usage_error(&cw_cmd_trace, "unexpected argument '%s'", a);
        if ((ec = need(argc, argv, i)))
            goto out;
        const char *v = argv[++i];
        if (!strcmp(a, "--from")) {
            if (n_from >= MAX_FROM) {
                ec = cw_cli_usage_error(&cw_cmd_trace, "at most %d --from", MAX_FROM);
                goto out;
            }
            from[n_from++] = v;
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
                if (*p && strcmp(p, "none") != 0) {
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
    if (!n_from) {
        ec = cw_cli_usage_error(&cw_cmd_trace, "--from is required (what to trace)");
        goto out;
    }
    if (!store) {
        ec = cw_cli_usage_error(&cw_cmd_trace, "--store DIR is required (or set CHAINWATCH_STORE)");
        goto out;
    }
    if (!cj_given && o.model == CW_TRACE_FIFO)
        o.coinjoin = CW_CJ_RANK;
    if (!stop_given && labels_db) {
        o.stop[0] = "exchange";
        o.stop[1] = "exchange_deposit";
        o.n_stop = 2;
    }
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
        if (rc == 0)
            rc = cw_trace_labelmap_new(&lm, cs, db);
    }
    for (int i = 0; rc == 0 && i < n_from; i++)
        rc = cw_trace_sources_add(&src, cs, lm, from[i], o.until_height);
    if (rc == 0)
        rc = cw_trace_run(&t, cs, lm, src.outs, src.n, &o);
    cw_cli_ticker_stop(tick);
    double total_s = cw_now() - t0;
    if (rc) {
        ec = cw_cli_fail("trace", rc);
    } else {
        json_t *j = cw_trace_json(t, top, graph);
        if (!j) {
            ec = cw_cli_fail("trace", CW_ENOMEM);
        } else if (json) {
            ec = cw_cli_print_json(j);
        } else {
            print_table(j, cw_trace_stats_get(t), total_s);
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
    return ec;
}

const cw_command cw_cmd_trace = {
    "trace", "follow value forward or backward (poison, haircut, FIFO taint)",
    "Usage: chainwatch trace --from SRC [--from SRC...] --store DIR [--labels DB]\n"
    "                        [--model poison|haircut|fifo] [--direction forward|backward]\n"
    "                        [--max-hops N] [--min-value SAT] [--until-height H]\n"
    "                        [--stop-at CATEGORY,...] [--coinjoin order|rank|stop]\n"
    "                        [--top N] [--graph N] [--max-nodes N] [--json]\n\n"
    "Follows the value of SRC through the chain and says where it ended: per category,\n"
    "entity and address (labels from --labels DB; unlabelled = unknown), unspent, fees,\n"
    "dust, the hop frontier; with the strongest paths and the flow graph (--json).\n"
    "Models and rules: docs/TRACE-MODELS.md.\n\n"
    "  --from SRC        txid:vout (one output), txid (all its outputs), an address (every\n"
    "                    output paid to it), label:NAME (addresses labelled with entity or\n"
    "                    category NAME) or cluster:ID|ADDRESS (every address of the cluster,\n"
    "                    after `chainwatch cluster build`); repeatable\n"
    "  --model M         fifo (default), haircut or poison\n"
    "  --direction D     forward (default: where did it go) or backward (where from)\n"
    "  --max-hops N      stop following after N txs (default: no limit)\n"
    "  --min-value SAT   traced amounts below SAT end as dust (default 1)\n"
    "  --until-height H  forward: ignore txs above H; backward: do not go below H\n"
    "  --stop-at C,...   label categories where value stops (default with --labels:\n"
    "                    exchange,exchange_deposit; 'none' for no stop)\n"
    "  --coinjoin P      CoinJoin policy: order (as any tx), rank (FIFO by value, largest\n"
    "                    first; the FIFO default), stop (value ends in the CoinJoin)\n"
    "  --top N           paths and addresses shown (default 10); --graph N: txs in the\n"
    "                    JSON graph (default 1000); --max-nodes N: memory bound\n\n"
    "Exit codes: 0 done, 1 failure, 2 usage, 3 source not found.\n",
    run};
