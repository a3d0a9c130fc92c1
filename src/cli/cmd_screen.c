/*
 * cmd_screen.c: `chainwatch screen ADDR... | --file F`: exposure of addresses to labelled
 * categories (screen.h). One JSON object per address per line with --json (JSON lines, the
 * batch format; an EVM store, screen_evm.c: one line, the server's document with the run's
 * settings); a readable block per address otherwise. An address that is not in the
 * store is reported (an "error" object in JSON lines) and makes the exit code 3; the other
 * addresses are still screened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/patterns.h"
#include "chainwatch/screen.h"
#include "chainwatch/util.h"
#include "cli/cli.h"
#include "cli/screen_evm.h"

extern const cw_command cw_cmd_screen;

static void print_path(json_t *v, const char *indent)
{
    const char *rule = json_string_value(json_object_get(v, "rule"));
    printf("%spath: %lld sat from %s (%s, %s), %lld hop(s)%s%s%s:", indent,
           (long long)json_integer_value(json_object_get(v, "value")),
           json_string_value(json_object_get(v, "address")),
           json_string_value(json_object_get(v, "entity")),
           json_string_value(json_object_get(v, "category")),
           (long long)json_integer_value(json_object_get(v, "hops")), rule ? " PROBABLE (" : "",
           rule ? rule : "", rule ? ")" : "");
    size_t q, n = json_array_size(json_object_get(v, "txids"));
    json_t *tx;
    json_array_foreach(json_object_get(v, "txids"), q, tx)
    {
        if (n > 8 && q >= 3 && q + 3 < n) {
            if (q == 3)
                printf(" > .. %zu more", n - 6);
            continue;
        }
        printf(" %s%.16s", q ? "> " : "", json_string_value(tx));
    }
    printf("\n");
}

static void print_one(json_t *j)
{
    const char *flag = json_string_value(json_object_get(j, "flag"));
    if (json_object_get(j, "outpoint"))
        printf("output %s: %lld sat paid to %s at height %lld (time %lld)%s\n",
               json_string_value(json_object_get(j, "outpoint")),
               (long long)json_integer_value(json_object_get(j, "value")),
               json_string_value(json_object_get(j, "address")),
               (long long)json_integer_value(json_object_get(j, "height")),
               (long long)json_integer_value(json_object_get(j, "time")),
               json_is_true(json_object_get(j, "below_min_deposit"))
                   ? "; below --min-deposit: never flagged (dust)"
                   : "");
    printf("%s: %s; received %lld sat from others (%lld from itself); paths followed to %.3f%% "
           "of it (%lld sat), CoinJoins %s, %lld hop(s) deep\n",
           json_string_value(json_object_get(j, "address")),
           !strcmp(flag, "flag")       ? "FLAGGED"
           : !strcmp(flag, "probable") ? "PROBABLE FLAG (through a CoinJoin: a judgement)"
                                       : "not flagged",
           (long long)json_integer_value(json_object_get(j, "base")),
           (long long)json_integer_value(json_object_get(j, "self")),
           100.0 * json_real_value(json_object_get(j, "floor")),
           (long long)json_integer_value(json_object_get(j, "floor_sat")),
           json_string_value(json_object_get(j, "coinjoin")),
           (long long)json_integer_value(json_object_get(j, "max_hop")));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "flags"), i, v)
    {
        printf("  %s %s: %.3f%% of the received value (certain %.3f%%; threshold %.3f%%)\n",
               !strcmp(json_string_value(json_object_get(v, "level")), "flag") ? "FLAG"
                                                                               : "PROBABLE",
               json_string_value(json_object_get(v, "category")),
               100.0 * json_real_value(json_object_get(v, "share")),
               100.0 * json_real_value(json_object_get(v, "certain_share")),
               100.0 * json_real_value(json_object_get(v, "threshold")));
        size_t k;
        json_t *p;
        const char *rule = json_string_value(json_object_get(v, "rule"));
        if (rule && !strcmp(rule, "mix-rounds")) {
            printf("    rule mix-rounds (%zu rounds, at least %lld; not the share): %s\n",
                   json_array_size(json_object_get(v, "rounds")),
                   (long long)json_integer_value(json_object_get(v, "min_rounds")),
                   json_string_value(json_object_get(v, "meaning")));
            json_array_foreach(json_object_get(v, "rounds"), k, p)
            {
                printf("      round %s (entered: %.1f%% of its input value)\n",
                       json_string_value(json_object_get(p, "txid")),
                       100.0 * json_real_value(json_object_get(p, "entered_share")));
            }
        }
        json_array_foreach(json_object_get(v, "paths"), k, p)
        {
            print_path(p, "    ");
        }
    }
    printf("  exposure:\n");
    json_array_foreach(json_object_get(j, "exposure"), i, v)
    {
        int64_t pr = json_integer_value(json_object_get(v, "probable"));
        printf("  %-18s %7.3f%%  %lld sat (direct %lld, indirect %lld), from hop %lld",
               json_string_value(json_object_get(v, "category")),
               100.0 * json_real_value(json_object_get(v, "share")),
               (long long)json_integer_value(json_object_get(v, "value")),
               (long long)json_integer_value(json_object_get(v, "direct")),
               (long long)json_integer_value(json_object_get(v, "indirect")),
               (long long)json_integer_value(json_object_get(v, "min_hops")));
        if (pr > 0)
            printf("; %lld sat of it PROBABLE (passed a CoinJoin)", (long long)pr);
        json_t *own = json_object_get(v, "one_owner");
        if (pr > 0 && json_integer_value(json_object_get(own, "capped_mixes")) > 0)
            printf(
                "; %.3f%% with one owner per mix output, bounded by amounts (%lld mix(es) capped)",
                100.0 * json_real_value(json_object_get(own, "share")),
                (long long)json_integer_value(json_object_get(own, "capped_mixes")));
        printf("\n");
    }
    json_array_foreach(json_object_get(j, "through_mix"), i, v)
    {
        printf("  EXPOSED THROUGH A MIX (no flag) %s: %.3f%% if every remix counted apart, "
               "%.3f%% with one owner per mix output, bounded by amounts: the coin mixed alongside "
               "such coins\n",
               json_string_value(json_object_get(v, "category")),
               100.0 * json_real_value(json_object_get(v, "share")),
               100.0 * json_real_value(json_object_get(v, "one_owner_share")));
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(v, "paths"), k, p)
        {
            print_path(p, "    ");
        }
    }
    int64_t base = json_integer_value(json_object_get(j, "base"));
    int64_t cb = json_integer_value(json_object_get(j, "coinbase"));
    int64_t cjv = json_integer_value(json_object_get(j, "coinjoin_value"));
    printf("  %-18s %7.3f%%  (no label before the floor or the hop cap)\n", "unknown",
           100.0 * json_real_value(json_object_get(j, "unknown_share")));
    if (cjv)
        printf("  %-18s %7.3f%%  left a mixer: %lld sat came out of CoinJoins (not followed)\n",
               "coinjoin", 100.0 * json_real_value(json_object_get(j, "coinjoin_share")),
               (long long)cjv);
    if (cb)
        printf("  %-18s %7.3f%%  (newly mined)\n", "coinbase",
               base ? 100.0 * (double)cb / (double)base : 0.0);
    json_array_foreach(json_object_get(j, "paths"), i, v)
    {
        print_path(v, "  ");
    }
    json_t *pd = json_object_get(j, "per_deposit");
    if (pd) {
        printf("  per deposit (%s): %lld deposit(s) of at least %lld sat screened apart (%lld "
               "smaller not), %zu flagged; pooled answer: %s\n",
               json_string_value(json_object_get(pd, "mode")),
               (long long)json_integer_value(json_object_get(pd, "screened")),
               (long long)json_integer_value(json_object_get(pd, "min_deposit")),
               (long long)json_integer_value(json_object_get(pd, "below_min_deposit")),
               json_array_size(json_object_get(pd, "flagged")),
               json_string_value(json_object_get(j, "pooled_flag")));
        json_array_foreach(json_object_get(pd, "flagged"), i, v)
        {
            printf("  DEPOSIT %s: %lld sat at height %lld, %s\n",
                   json_string_value(json_object_get(v, "outpoint")),
                   (long long)json_integer_value(json_object_get(v, "value")),
                   (long long)json_integer_value(json_object_get(v, "height")),
                   !strcmp(json_string_value(json_object_get(v, "flag")), "flag")
                       ? "FLAGGED"
                       : "PROBABLE FLAG");
            size_t k;
            json_t *f;
            json_array_foreach(json_object_get(v, "flags"), k, f)
            {
                printf("    %s %s: %.3f%% of the deposit (certain %.3f%%)\n",
                       !strcmp(json_string_value(json_object_get(f, "level")), "flag") ? "FLAG"
                                                                                       : "PROBABLE",
                       json_string_value(json_object_get(f, "category")),
                       100.0 * json_real_value(json_object_get(f, "share")),
                       100.0 * json_real_value(json_object_get(f, "certain_share")));
                size_t q;
                json_t *p;
                json_array_foreach(json_object_get(f, "paths"), q, p)
                {
                    print_path(p, "      ");
                }
            }
        }
    }
}

static int screen_one(const cw_chainstore *cs, const cw_trace_labelmap *lm, const char *addr,
                      const cw_screen_opts *so, bool json, size_t top, int *worst)
{
    cw_screen_result *r = NULL;
    /* txid:vout: that one output (a deposit) */
    int rc = strchr(addr, ':') ? cw_screen_output(&r, cs, lm, addr, so)
                               : cw_screen_address(&r, cs, lm, addr, so);
    int lrc = cw_trace_labelmap_error(lm); /* a label lookup failed: no answer to print */
    if (lrc) {
        cw_screen_result_free(r);
        return lrc;
    }
    if (rc == CW_ENOTFOUND || rc == CW_EINVAL) {
        if (json) {
            json_t *e = json_pack("{s:s, s:s}", strchr(addr, ':') ? "outpoint" : "address", addr,
                                  "error", cw_error_last());
            char *s = json_dumps(e, JSON_SORT_KEYS | JSON_COMPACT);
            if (s)
                printf("%s\n", s);
            free(s);
            json_decref(e);
        } else {
            fprintf(stderr, "chainwatch screen: %s\n", cw_cli_error_text("screen"));
        }
        if (*worst == CW_EXIT_OK)
            *worst = rc == CW_EINVAL ? CW_EXIT_USAGE : CW_EXIT_NOTFOUND;
        return 0;
    }
    if (rc)
        return rc;
    json_t *j = cw_screen_json(r, top);
    cw_screen_result_free(r);
    if (!j)
        return CW_ENOMEM;
    if (json) {
        char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
        if (s)
            printf("%s\n", s);
        free(s);
    } else {
        print_one(j);
    }
    json_decref(j);
    return 0;
}

static int run(int argc, char **argv)
{
    /* an EVM store: account-model screening (screen_evm.c) */
    const char *which = getenv("CHAINWATCH_STORE");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--store") && i + 1 < argc)
            which = argv[i + 1];
        else if (!strncmp(argv[i], "--store=", 8))
            which = argv[i] + 8;
    }
    if (which && cw_evmstore_detect(which))
        return cw_cli_screen_evm(&cw_cmd_screen, argc, argv);
    const char *store = getenv("CHAINWATCH_STORE"), *labels_db = NULL, *file = NULL;
    bool json = false;
    uint64_t top = 3;
    cw_screen_opts so;
    cw_screen_opts_init(&so);
    char **addrs = cw_calloc((size_t)argc + 1, sizeof *addrs);
    int n_addrs = 0;
    if (!addrs)
        return cw_cli_fail("screen", CW_ENOMEM);
    int ec = CW_EXIT_OK;
    char *flag_buf = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            json = true;
            continue;
        }
        if (!strcmp(a, "--per-deposit")) {
            so.per_deposit = CW_SCREEN_DEP_ALL; /* --deposits all */
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            addrs[n_addrs++] = argv[i];
            continue;
        }
        if (i + 1 >= argc) {
            ec = cw_cli_usage_error(&cw_cmd_screen, "%s needs a value", a);
            goto out;
        }
        const char *v = argv[++i];
        uint64_t x = 0;
        if (!strcmp(a, "--store")) {
            store = v;
        } else if (!strcmp(a, "--labels")) {
            labels_db = v;
        } else if (!strcmp(a, "--file")) {
            file = v;
        } else if (!strcmp(a, "--coinjoin")) {
            if (cw_trace_coinjoin_parse(&so.coinjoin, v) || so.coinjoin == CW_CJ_RANK) {
                ec = cw_cli_usage_error(&cw_cmd_screen,
                                        "--coinjoin: proportional, stop or through, not '%s'", v);
                goto out;
            }
        } else if (!strcmp(a, "--deposits")) {
            if (cw_screen_per_deposit_parse(&so.per_deposit, v)) {
                ec = cw_cli_usage_error(&cw_cmd_screen, "--deposits: certain, all or off, not '%s'",
                                        v);
                goto out;
            }
        } else if (!strcmp(a, "--mix-inputs")) {
            if (strcmp(v, "one-owner") && strcmp(v, "independent")) {
                ec = cw_cli_usage_error(&cw_cmd_screen,
                                        "--mix-inputs: one-owner or independent, not '%s'", v);
                goto out;
            }
            so.independent_inputs = !strcmp(v, "independent");
        } else if (!strcmp(a, "--floor") || !strcmp(a, "--threshold") ||
                   !strcmp(a, "--probable-threshold")) {
            char *end = NULL;
            double d = strtod(v, &end);
            bool pct = end && *end == '%';
            if (pct)
                end++;
            if (!end || end == v || *end || d < 0 || (pct ? d > 100 : d > 1)) {
                ec = cw_cli_usage_error(&cw_cmd_screen, "%s: '%s' is not a share (0.01 or 1%%)", a,
                                        v);
                goto out;
            }
            if (pct)
                d /= 100.0;
            if (!strcmp(a, "--floor"))
                so.floor = d;
            else if (!strcmp(a, "--threshold"))
                so.threshold = d;
            else
                so.probable_threshold = d;
        } else if (!strcmp(a, "--flag")) {
            cw_free(flag_buf);
            flag_buf = cw_strdup(v);
            if (!flag_buf) {
                ec = cw_cli_fail("screen", CW_ENOMEM);
                goto out;
            }
            so.n_flag_categories = 0;
            for (char *p = flag_buf; p && *p;) {
                char *c = strchr(p, ',');
                if (c)
                    *c++ = 0;
                if (*p) {
                    if (!cw_label_category_valid(p) ||
                        so.n_flag_categories == CW_SCREEN_MAX_FLAG_CATS) {
                        ec = cw_cli_usage_error(&cw_cmd_screen,
                                                "--flag: '%s' is not a label category", p);
                        goto out;
                    }
                    so.flag_categories[so.n_flag_categories++] = p;
                }
                p = c;
            }
        } else if (!strcmp(a, "--hops") || !strcmp(a, "--until-height") ||
                   !strcmp(a, "--min-value") || !strcmp(a, "--top") || !strcmp(a, "--mix-rounds") ||
                   !strcmp(a, "--min-deposit")) {
            if (cw_parse_u64(&x, v) || (x > UINT32_MAX - 1 && strcmp(a, "--min-deposit"))) {
                ec = cw_cli_usage_error(&cw_cmd_screen, "%s: '%s' is not a number", a, v);
                goto out;
            }
            if (!strcmp(a, "--hops"))
                so.hops = (uint32_t)x;
            else if (!strcmp(a, "--until-height"))
                so.until_height = (uint32_t)x;
            else if (!strcmp(a, "--min-value"))
                so.min_value = x;
            else if (!strcmp(a, "--mix-rounds"))
                so.mix_rounds = (uint32_t)x;
            else if (!strcmp(a, "--min-deposit"))
                so.min_deposit = x;
            else
                top = x;
        } else {
            ec = cw_cli_usage_error(&cw_cmd_screen, "unknown option %s", a);
            goto out;
        }
    }
    if (!n_addrs && !file) {
        ec = cw_cli_usage_error(&cw_cmd_screen, "give addresses or --file F");
        goto out;
    }
    if (!store || !labels_db) {
        ec = cw_cli_usage_error(&cw_cmd_screen, "--store DIR and --labels DB are required");
        goto out;
    }
    if (so.floor >= 1.0 || so.threshold <= 0.0 || so.probable_threshold <= 0.0) {
        ec = cw_cli_usage_error(&cw_cmd_screen, "--floor must be below 1, thresholds above 0");
        goto out;
    }
    cw_chainstore *cs = NULL;
    cw_labels *db = NULL;
    cw_trace_labelmap *lm = NULL;
    cw_patterns *pv = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = 0;
    if (file && (rc = cw_file_read(&data, &len, file)) != 0)
        rc = cw_error_wrap(rc, "--file %s: ", file);
    if (rc == 0)
        rc = cw_chainstore_open(&cs, store, false, CW_NET_MAIN);
    /* CoinJoin flags from txflags.col when `chainwatch patterns` built it, else computed */
    if (rc == 0) {
        if (cw_patterns_open(&pv, cs) == 0) {
            so.is_coinjoin = cw_trace_coinjoin_patterns;
            so.is_coinjoin_ctx = pv;
        }
        cw_error_clear();
    }
    if (rc == 0)
        rc = cw_labels_open(&db, labels_db, CW_LABELS_READONLY);
    if (rc == 0) /* the labels of the addresses the screens touch, read as they touch them */
        rc = cw_trace_labelmap_open(&lm, cs, db);
    int worst = CW_EXIT_OK;
    if (rc == 0 && !json && cw_chainstore_synthetic(cs)) {
        json_t *mark = json_pack("{s:b}", "synthetic", 1);
        cw_cli_synthetic_line(mark);
        json_decref(mark);
    }
    for (int i = 0; rc == 0 && i < n_addrs; i++)
        rc = screen_one(cs, lm, addrs[i], &so, json, top, &worst);
    if (rc == 0 && data) {
        /* one address per line; blank lines and # comments skipped */
        const char *p = (const char *)data, *end = p + len, *s;
        size_t lineno = 0, n;
        while (rc == 0 && cw_cli_list_next(&p, end, &lineno, &s, &n)) {
            char line[256];
            if (n >= sizeof line) {
                rc = cw_error_set(CW_EINVAL, "%s: a line is too long for an address or an output",
                                  file);
                break;
            }
            memcpy(line, s, n);
            line[n] = 0;
            rc = screen_one(cs, lm, line, &so, json, top, &worst);
        }
    }
    /* each address's answer is printed as it is read: a rollback beside them fails the run */
    if (rc == 0 && cs)
        rc = cw_chainstore_snapshot_check(cs);
    if (rc)
        ec = cw_cli_fail("screen", rc);
    else
        ec = worst;
    cw_trace_labelmap_free(lm);
    cw_patterns_close(pv);
    if (db)
        cw_labels_close(db);
    if (cs)
        cw_chainstore_close(cs);
    cw_free(data);
out:
    cw_free(flag_buf);
    cw_free(addrs);
    return ec;
}

const cw_command cw_cmd_screen = {
    "screen", "exposure of addresses to labelled categories, with flags and their paths",
    "Usage: chainwatch screen ADDR|TXID:VOUT... | --file F  --store DIR --labels DB\n"
    "                         [--floor SHARE] [--hops CAP] [--coinjoin proportional|stop|through]\n"
    "                         [--threshold SHARE] [--probable-threshold SHARE]\n"
    "                         [--mix-inputs one-owner|independent] [--mix-rounds N]\n"
    "                         [--flag CATEGORY,...] [--until-height H] [--min-value SAT]\n"
    "                         [--deposits certain|all|off] [--per-deposit] [--min-deposit SAT]\n"
    "                         [--top N] [--json]\n\n"
    "For each address: the share of the value it received (minus its own change) that\n"
    "comes, backward under the haircut model, from addresses of each labelled category:\n"
    "direct (the sender is labelled) and indirect; the rest is unknown. A path is followed\n"
    "until its traced value falls below --floor of the received value (default 0.001 =\n"
    "0.1%; peel chains run tens of hops), at most --hops CAP deep (default 0: no cap).\n"
    "  --coinjoin P   proportional (default): through a CoinJoin, each output is shared\n"
    "                 over the inputs by value and what is found past it is PROBABLE;\n"
    "                 stop: the value ends there (\"left a mixer\", exposure coinjoin);\n"
    "                 through: as any tx, counted as certain\n"
    "  --threshold S  a risk category (--flag, default sanctioned,theft,ransomware,\n"
    "                 darknet_market,scam) whose certain share reaches S flags the address\n"
    "                 (default 0.05); --probable-threshold S (default 0.25): the share with\n"
    "                 probable exposure that makes a PROBABLE flag. Shares: 0.05 or 5%.\n"
    "  --mix-inputs M one-owner (default): in a one-to-one equal-output mix (n inputs,\n"
    "                 n equal outputs: Whirlpool) each input is another owner's, so an\n"
    "                 output carries at most max(1, certain coins in)/n of the probable\n"
    "                 exposure; remixes with the same tainted coins do not add up.\n"
    "                 In other rounds (Wasabi-type) each output is bounded by amounts:\n"
    "                 one only stolen value could pay is the thief's, the rest spread by\n"
    "                 value, at most max(1, certain payers)/k of its k possible payers.\n"
    "                 The uncapped share is shown apart (\"through mix\": exposed, no flag).\n"
    "                 independent: the plain proportional sum (each remix counted apart)\n"
    "  --mix-rounds N PROBABLE (rule mix-rounds) an address no other rule flags whose\n"
    "                 paying txs (not CoinJoins) spend outputs of N+ distinct many-output\n"
    "                 CoinJoin rounds the category's certain value entered (default 3; 0:\n"
    "                 off; one-to-one mixes do not count; not under --coinjoin stop)\n"
    "TXID:VOUT screens that one output (a deposit, as an exchange screens each payment):\n"
    "the same model with the floor a share of its own value; its answer adds the outpoint,\n"
    "value (sat) and time.\n"
    "  --deposits M   also screen each output an address received apart (a deposit):\n"
    "                 flagged if pooled or any deposit is; certain (default): a deposit\n"
    "                 flags on its certain share only (no CoinJoin on the path); all: the\n"
    "                 whole model (PROBABLE too; --per-deposit); off: pooled only\n"
    "  --min-deposit SAT  an output worth less is never flagged on its own (a dusting\n"
    "                 attack pays an honest address a few stolen satoshis; default 100000)\n"
    "Each flag lists its strongest paths (--top N, default 3). --file F reads one address\n"
    "or output a line (# comments). --json: JSON lines, an object an address.\n"
    "EVM store (0x; --floor, --max-hops, --threshold, --probable-threshold, --no-services):\n"
    "haircut back over receipts; a swap read as its input; a branch ends at a label or a\n"
    "recognised exchange, mixer, bridge, service. FLAG: certain share >= --threshold;\n"
    "PROBABLE FLAG: only via a judgement, >= --probable-threshold (0.25). --json: one line,\n"
    "the document of GET /api/v1/evm/screen/0xADDR (results, settings). docs/TRACE-MODELS.md\n\n"
    "Exit codes: 0 done, 1 failure, 2 usage, 3 an address is not in the store (the others\n"
    "are still screened; in JSON lines it has an \"error\" member).\n",
    run};
