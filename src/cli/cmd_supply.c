/*
 * cmd_supply.c: `chainwatch supply <load|status|explain|changes|backtest|synth|ref>`: the
 * supply-chain early warning (issue 5). Thin: parses options, calls src/supply, prints.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/supply.h"
#include "cli/cli.h"

static const char usage[] =
    "Usage: chainwatch supply <subcommand> [options]\n"
    "\n"
    "Supply-chain early warning for critical minerals and lithium-ion batteries.\n"
    "\n"
    "Subcommands:\n"
    "  load KIND FILE     load one file in one transaction; KIND is comtrade, usgs, pinksheet,\n"
    "                     prices, wgi, events or komir (the file's header picks the layout).\n"
    "                     Rejected rows are listed by file and line and\n"
    "                     nothing is loaded unless --keep-going. Loading twice is harmless.\n"
    "      --reporter ISO3 --flow X|M   for the derived Comtrade layout "
    "(period_dt,partner_name,...)\n"
    "      --series NAME [--unit U]     for price files without series/unit columns\n"
    "      --keep-going                 commit the good rows even if some are rejected\n"
    "      --all-issues                 list every skipped row (default: the first 10)\n"
    "  status [--partner P] [--commodity C] [--at YYYY-MM]\n"
    "                     the current level of every commodity x partner (USA, KOR, JPN) with the\n"
    "                     rules that fired; records level changes in supply_alerts\n"
    "  explain COMMODITY PARTNER [--at YYYY-MM]\n"
    "                     every indicator, the fired rules with values and thresholds, data\n"
    "                     freshness and gaps\n"
    "  changes [--commodity C] [--partner P] [--from YYYY-MM] [--to YYYY-MM]\n"
    "                     the level changes over time (the alerts), recorded in supply_alerts\n"
    "  backtest --events FILE [--events FILE...] [--from YYYY-MM] [--to YYYY-MM] [--level N]\n"
    "           [--window MONTHS] [--split YYYY-MM]   (--split: events effective before\n"
    "           and from that month also scored apart, out of sample) [--misses]\n"
    "           [--false-alarms] [--placebo-shifts MIN..MAX]   (default 12..24, the registered\n"
    "           test; another range is a second figure beside it)\n"
    "                     data-only levels against the events (events layout, GTA or IEA\n"
    "                     catalogues): hit / miss / no data (a miss) per event with leads from\n"
    "                     the effective date and the announcement; tables per commodity and\n"
    "                     event type; noise-to-signal ratio; placebo test (events shifted by\n"
    "                     +-12..24 months) and its p-value; agreement with KOMIR (kappa); the\n"
    "                     acceptance figures, met or not. --misses: only the miss table, why\n"
    "                     each in-scope event was missed (no data, no detector value, partner\n"
    "                     basis, late, under threshold by how much) and the counts per cause.\n"
    "                     --false-alarms: only the false-alarm table, every alert outside all\n"
    "                     event windows with its cause (after an event, series start, echo,\n"
    "                     common shock, partner duplicate, price rebound, one lumpy month),\n"
    "                     counts per rule and cause, each rule's rate before --split against\n"
    "                     its registered budget\n"
    "  coverage [--from YYYY-MM] [--to YYYY-MM]\n"
    "                     which series cover which months (default 2023-01 to today), per\n"
    "                     commodity x partner, by kind (daily/monthly prices, HS6 lines, product\n"
    "                     groups, USGS annual prices, production, import sources, KOMIR), real or\n"
    "                     synthetic, read by the rules or not; BLIND = months without any\n"
    "                     monthly series\n"
    "  series COMMODITY PARTNER\n"
    "                     the monthly trade and price series, levels, anomalies and events, each\n"
    "                     marked real or synthetic (the document of GET /api/v1/supply/series)\n"
    "  synth --out DIR --seed S [--years N] [--first-year Y]\n"
    "                     write synthetic Comtrade+ CSV, prices and events with planted "
    "disruptions\n"
    "  ref DIR            reload the reference tables from DIR (see data/supply)\n"
    "\n"
    "Common options:\n"
    "  --db PATH          supply database (default $CHAINWATCH_SUPPLY_DB or ./supply.db)\n"
    "  --rules FILE       rule table (default: the built-in copy of data/supply/rules.csv)\n"
    "  --json             machine-readable output\n"
    "\n"
    "Levels: 1 interest, 2 caution, 3 alert, 4 severe. Formulas: docs/SUPPLY-INDICATORS.md.\n";

typedef struct {
    const char *db, *rules, *partner, *commodity, *at, *from, *to, *events, *out, *reporter, *flow,
        *series, *unit, *seed, *years, *first_year, *level, *window, *split, *placebo_shifts;
    bool json, keep_going, all_issues, misses, false_alarms;
    const char *pos[4];
    int n_pos;
    const char *events_list[16]; /* --events may be given several times */
    int n_events;
    bool must_exist; /* read commands: a missing database is an error, never created */
} opts;

static int parse(opts *o, int argc, char **argv, int start)
{
    memset(o, 0, sizeof *o);
    o->db = "supply.db"; /* CHAINWATCH_SUPPLY_DB arrives as --db (main.c) */
    struct {
        const char *name;
        const char **dst;
    } vals[] = {{"--db", &o->db},           {"--rules", &o->rules},
                {"--partner", &o->partner}, {"--commodity", &o->commodity},
                {"--at", &o->at},           {"--from", &o->from},
                {"--to", &o->to},           {"--events", &o->events},
                {"--out", &o->out},         {"--reporter", &o->reporter},
                {"--flow", &o->flow},       {"--series", &o->series},
                {"--unit", &o->unit},       {"--seed", &o->seed},
                {"--years", &o->years},     {"--first-year", &o->first_year},
                {"--level", &o->level},     {"--window", &o->window},
                {"--split", &o->split},     {"--placebo-shifts", &o->placebo_shifts}};
    for (int i = start; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            o->json = true;
            continue;
        }
        if (!strcmp(a, "--keep-going")) {
            o->keep_going = true;
            continue;
        }
        if (!strcmp(a, "--all-issues")) {
            o->all_issues = true;
            continue;
        }
        if (!strcmp(a, "--misses")) {
            o->misses = true;
            continue;
        }
        if (!strcmp(a, "--false-alarms")) {
            o->false_alarms = true;
            continue;
        }
        bool matched = false;
        for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++)
            if (!strcmp(a, vals[k].name)) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "chainwatch supply: %s needs a value\n", a);
                    return -1;
                }
                *vals[k].dst = argv[++i];
                matched = true;
                if (!strcmp(a, "--events")) {
                    if (o->n_events >= 16) {
                        fprintf(stderr, "chainwatch supply: at most 16 --events files\n");
                        return -1;
                    }
                    o->events_list[o->n_events++] = argv[i];
                }
            }
        if (matched)
            continue;
        if (a[0] == '-' && a[1]) {
            fprintf(stderr, "chainwatch supply: unknown option %s\n", a);
            return -1;
        }
        if (o->n_pos >= 4) {
            fprintf(stderr, "chainwatch supply: too many arguments\n");
            return -1;
        }
        o->pos[o->n_pos++] = a;
    }
    return 0;
}

static int fail(int rc)
{
    return cw_cli_fail("supply", rc);
}

static int open_all(const opts *o, cw_supply **s, cw_supply_rules **r)
{
    *s = NULL;
    if (o->must_exist && access(o->db, F_OK) != 0)
        return cw_error_set(CW_ENOTFOUND,
                            "supply database %s does not exist (load data first with "
                            "'chainwatch supply load', or give --db or CHAINWATCH_SUPPLY_DB)",
                            o->db);
    int rc = cw_supply_open(s, o->db);
    if (rc)
        return rc;
    if (r && (rc = cw_supply_rules_load(r, o->rules))) {
        cw_supply_close(*s);
        *s = NULL;
    }
    return rc;
}

/* ---- load ---- */
static int do_load(const opts *o)
{
    if (o->n_pos != 2) {
        fprintf(stderr,
                "chainwatch supply load: expected KIND FILE\nTry 'chainwatch supply --help'.\n");
        return CW_EXIT_USAGE;
    }
    cw_supply_kind kind;
    int rc = cw_supply_kind_parse(&kind, o->pos[0]);
    if (rc)
        return fail(rc);
    cw_supply *s;
    if ((rc = cw_supply_open(&s, o->db)))
        return fail(rc);
    cw_supply_load_opts lo = {o->reporter, o->flow, o->series, o->unit, o->keep_going};
    cw_supply_load_report rep;
    rc = cw_supply_load(s, kind, o->pos[1], &lo, &rep);
    int exit_code = CW_EXIT_OK;
    if (o->json) {
        json_t *issues = json_array();
        for (size_t i = 0; i < rep.n_issues; i++)
            json_array_append_new(
                issues,
                json_pack("{s:s, s:I, s:s}", "kind",
                          rep.issues[i].kind == CW_SUPPLY_ISSUE_REJECT ? "rejected" : "skipped",
                          "line", (json_int_t)rep.issues[i].line, "message", rep.issues[i].msg));
        json_t *j = json_pack(
            "{s:s, s:s, s:I, s:I, s:I, s:I, s:b, s:o}", "file", o->pos[1], "kind", o->pos[0],
            "rows_read", (json_int_t)rep.rows_read, "rows_loaded", (json_int_t)rep.rows_loaded,
            "rows_skipped", (json_int_t)rep.rows_skipped, "rows_rejected",
            (json_int_t)rep.rows_rejected, "committed", rep.committed, "issues", issues);
        if (rc)
            json_object_set_new(j, "error", json_string(cw_error_last()));
        cw_cli_print_json(j);
    } else {
        size_t shown = 0;
        for (size_t i = 0; i < rep.n_issues; i++) {
            const cw_supply_issue *is = &rep.issues[i];
            if (is->kind == CW_SUPPLY_ISSUE_SKIP && !o->all_issues && shown++ >= 10)
                continue;
            fprintf(is->kind == CW_SUPPLY_ISSUE_REJECT ? stderr : stdout, "%s:%zu: %s: %s\n",
                    o->pos[1], is->line,
                    is->kind == CW_SUPPLY_ISSUE_REJECT ? "rejected" : "skipped", is->msg);
        }
        if (shown > 10)
            printf("... %zu more skipped rows (--all-issues lists them)\n", shown - 10);
        if (!rc)
            printf("%s: %zu rows read, %zu loaded, %zu skipped (explained above), %zu rejected%s\n",
                   o->pos[1], rep.rows_read, rep.rows_loaded, rep.rows_skipped, rep.rows_rejected,
                   rep.committed ? "; committed" : "");
    }
    if (rc) {
        exit_code = fail(rc);
        /* the engine names the load option it needed; this is its flag */
        static const struct {
            const char *option, *flag;
        } flags[] = {{"reporter", "--reporter ISO3"},
                     {"flow", "--flow X|M"},
                     {"series", "--series NAME"},
                     {"unit", "--unit U"}};
        for (size_t i = 0; rep.need_option && i < sizeof flags / sizeof flags[0]; i++)
            if (!strcmp(rep.need_option, flags[i].option))
                fprintf(stderr, "chainwatch supply load: give %s\n", flags[i].flag);
    }
    cw_supply_load_report_deinit(&rep);
    cw_supply_close(s);
    return exit_code;
}

/* ---- status / explain ---- */
static const char *jstr(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* The unit of an indicator, for the text output. */
static const char *ind_unit(const char *k, json_t *data)
{
    if (!strcmp(k, "trade_value"))
        return "USD/month";
    if (!strcmp(k, "price"))
        return jstr(json_object_get(data, "price"), "unit");
    if (strstr(k, "share") || !strcmp(k, "nir") || !strcmp(k, "prod_top_share"))
        return "fraction 0-1";
    if (strstr(k, "hhi"))
        return "0-1 (wgi_hhi: 0-10)";
    if (!strcmp(k, "price_jump"))
        return "sd of the previous 36 monthly log returns";
    if (!strcmp(k, "price_jump_eom"))
        return "sd of the previous 36 end-of-month log returns (mean of each month's last 5 "
               "observations)";
    if (!strcmp(k, "komir_market_risk"))
        return "index 0-100, lower = riskier (KOMIR)";
    if (!strcmp(k, "komir_mrisk_jump"))
        return "the index's fall, sd of its previous 36 monthly log changes";
    if (!strcmp(k, "trade_frontload"))
        return "the smaller of a surge in the 2 months before and this month's fall from it, "
               "robust sd of the 12 months before";
    if (!strcmp(k, "line_stop"))
        return "months of the last 6 with an HS6 line below 0.1 x its previous 24-month median";
    if (!strcmp(k, "price_regime"))
        return "sd of the previous 36 months' log price";
    if (!strcmp(k, "price_pctile"))
        return "percentile rank 0-1 among the previous 120 months (at least 36)";
    if (strstr(k, "_z"))
        return "robust z";
    if (strstr(k, "cusum") || strstr(k, "ewma"))
        return "x decision limit";
    if (strstr(k, "_cp"))
        return "probability";
    if (!strcmp(k, "trade_floor_run"))
        return "months";
    if (!strcmp(k, "event_measure") || !strcmp(k, "event_actor"))
        return "actor share";
    if (!strcmp(k, "event_active"))
        return "events";
    return "";
}

static void print_detail(json_t *d)
{
    json_t *data = json_object_get(d, "data");
    bool syn = json_is_true(json_object_get(data, "synthetic"));
    printf("%s %s at %s: level %s (event-informed); data-only level %s; standing level %s%s\n",
           jstr(d, "commodity"), jstr(d, "partner"), jstr(d, "period"), jstr(d, "level_name"),
           jstr(d, "level_data_only_name"), jstr(d, "standing_level_name"),
           syn ? "   [SYNTHETIC DATA: not real trade or prices]" : "   [real data]");
    json_t *sf = json_object_get(d, "standing_fired"), *so;
    for (size_t q = 0; q < json_array_size(sf) && (so = json_array_get(sf, q)); q++)
        printf("standing: %s (%s) %s = %.4g %s %g (sustained state, not an alert)\n",
               jstr(so, "rule"), jstr(so, "level"), jstr(so, "indicator"),
               json_number_value(json_object_get(so, "value")), jstr(so, "op"),
               json_number_value(json_object_get(so, "threshold")));
    json_t *ex = json_object_get(data, "exposure");
    if (json_is_object(ex))
        printf("exposure: %s, %s (published %s): %s %s %.1f %% of %s\n      source: %s\n",
               jstr(ex, "basis"), jstr(ex, "period"), jstr(ex, "published"),
               strstr(jstr(ex, "basis"), "production") ? "top producer" : "top supplier",
               jstr(ex, "top_supplier"), 100 * json_number_value(json_object_get(ex, "share")),
               strstr(jstr(ex, "basis"), "production") ? "world mine production"
                                                       : "the partner's imports",
               jstr(ex, "source"));
    else { /* the engine's gap says why: nothing published by this month, or no data */
        json_t *gp = json_object_get(data, "gaps"), *g;
        const char *why = "exposure: no basis";
        for (size_t q = 0; q < json_array_size(gp) && (g = json_array_get(gp, q)); q++)
            if (json_is_string(g) && !strncmp(json_string_value(g), "exposure: ", 10))
                why = json_string_value(g);
        printf("%s\n", why);
    }
    {
        json_t *hl = json_object_get(data, "hs_lines");
        printf("HS lines counted:");
        for (size_t k = 0; k < json_array_size(hl); k++)
            printf(" %s", json_string_value(json_array_get(hl, k)));
        if (json_is_string(json_object_get(data, "trade_group")))
            printf("; trade series: product group %s", jstr(data, "trade_group"));
        if (json_is_string(json_object_get(d, "line_z_up_hs6")))
            printf("; line_z_up on HS %s", jstr(d, "line_z_up_hs6"));
        if (json_is_string(json_object_get(d, "line_z_down_hs6")))
            printf("; line_z_down on HS %s", jstr(d, "line_z_down_hs6"));
        if (json_is_string(json_object_get(d, "line_stop_hs6")))
            printf("; line_stop on HS %s", jstr(d, "line_stop_hs6"));
        printf("\n");
    }
    json_t *un = json_object_get(data, "units");
    printf("units: trade %s; price %s\n", jstr(un, "trade"), jstr(un, "price"));
    json_t *f = json_object_get(d, "fired");
    size_t i;
    json_t *o;
    if (json_array_size(f))
        printf("fired rules:\n");
    for (i = 0; i < json_array_size(f) && (o = json_array_get(f, i)); i++) {
        printf("  %-18s %-8s %-16s %.4g %s %g (at %s)\n      %s\n",
               json_string_value(json_object_get(o, "rule")),
               json_string_value(json_object_get(o, "level")),
               json_string_value(json_object_get(o, "indicator")),
               json_number_value(json_object_get(o, "value")),
               json_string_value(json_object_get(o, "op")),
               json_number_value(json_object_get(o, "threshold")),
               json_string_value(json_object_get(o, "at")),
               json_string_value(json_object_get(o, "source")));
    }
    printf("indicators:\n");
    const char *k;
    json_t *v;
    for (void *it_ = json_object_iter(json_object_get(d, "indicators"));
         it_ && (k = json_object_iter_key(it_)) && (v = json_object_iter_value(it_));
         it_ = json_object_iter_next(json_object_get(d, "indicators"), it_)) {
        if (json_is_number(v))
            printf("  %-18s %.6g %s\n", k, json_number_value(v), ind_unit(k, data));
        else
            printf("  %-18s n/a\n", k);
    }
    json_t *ts = json_object_get(d, "top_supplier"), *tp = json_object_get(d, "top_producer");
    if (json_is_string(ts))
        printf("top supplier: %s\n", json_string_value(ts));
    if (json_is_string(tp))
        printf("top producer: %s\n", json_string_value(tp));
    json_t *tr = json_object_get(data, "trade"), *pr = json_object_get(data, "price");
    if (json_is_object(tr))
        printf("trade (USD): %s, %s to %s; %lld months old at %s; the series ends %s, %lld "
               "months before today (%s); %lld of last 12 months missing\n",
               jstr(tr, "basis"), jstr(tr, "first"), jstr(tr, "last"),
               (long long)json_integer_value(json_object_get(tr, "age_months")), jstr(d, "period"),
               jstr(tr, "series_last"),
               (long long)json_integer_value(json_object_get(tr, "months_behind_today")),
               jstr(data, "today"),
               (long long)json_integer_value(json_object_get(tr, "missing_months_last_12")));
    if (json_is_object(pr)) {
        printf("price: %s (%s), %s to %s; the series ends %s, %lld months before today (%s)\n",
               jstr(pr, "series"), jstr(pr, "unit"), jstr(pr, "first"), jstr(pr, "last"),
               jstr(pr, "series_last"),
               (long long)json_integer_value(json_object_get(pr, "months_behind_today")),
               jstr(data, "today"));
        if (json_integer_value(json_object_get(pr, "quiet_months_last_12")))
            printf("price quotes: %lld of the 12 months to %s have no new quote (every "
                   "observation equal to the previous month's last: the source carried its "
                   "quote forward); the detectors read them as a price that did not move\n",
                   (long long)json_integer_value(json_object_get(pr, "quiet_months_last_12")),
                   jstr(pr, "last"));
        printf("price freshness: last observation %s (%s)%s; %s\n", jstr(pr, "last_observation"),
               jstr(pr, "last_series"),
               json_is_true(json_object_get(pr, "last_month_partial")) ? ", a partial month" : "",
               json_is_true(json_object_get(pr, "provisional"))
                   ? "this month's level is provisional"
               : json_is_true(json_object_get(pr, "ended"))
                   ? "the loaded series has ended: no month after it can warn"
                   : "current");
    }
    if (json_is_string(json_object_get(data, "price_series_note")))
        printf("price series: %s\n", jstr(data, "price_series_note"));
    json_t *hy = json_object_get(data, "hygiene");
    if (json_integer_value(json_object_get(hy, "floor_months")) ||
        json_integer_value(json_object_get(hy, "unit_value_months")))
        printf("hygiene: %lld near-zero and %lld unit-value months read as missing (%s)\n",
               (long long)json_integer_value(json_object_get(hy, "floor_months")),
               (long long)json_integer_value(json_object_get(hy, "unit_value_months")),
               jstr(hy, "rule"));
    json_t *evs = json_object_get(d, "events_last_12_months");
    for (size_t q = 0; q < json_array_size(evs); q++) {
        json_t *e = json_array_get(evs, q);
        char sh[48] = "share n/a";
        if (json_is_number(json_object_get(e, "actor_share")))
            snprintf(sh, sizeof sh, "%.1f %%",
                     100 * json_number_value(json_object_get(e, "actor_share")));
        const char *oth = json_string_value(json_object_get(e, "other_commodity"));
        char on[64] = "";
        if (oth)
            snprintf(on, sizeof on, " on %s (another commodity)", oth);
        const char *dep = json_string_value(json_object_get(e, "partner_dependence"));
        printf("event %s%s: announced %s, effective %s, by %s (%s: %s)%s\n%s%s%s      %s\n",
               jstr(e, "id"), on, jstr(e, "announced"), jstr(e, "effective"), jstr(e, "actor"), sh,
               jstr(e, "actor_share_basis"),
               oth ? "; a supplier of this commodity restricting another (event_actor)"
               : json_is_true(json_object_get(e, "counted")) ? "; counted as a measure"
               : json_is_true(json_object_get(e, "measure")) ? "; no share known"
                                                             : "; not an export measure",
               dep ? "      partner dependence: " : "", dep ? dep : "", dep ? "\n" : "",
               jstr(e, "source"));
    }
    json_t *po = json_object_get(data, "production");
    if (json_is_object(po))
        printf("production: year %lld%s\n",
               (long long)json_integer_value(json_object_get(po, "year")),
               json_is_true(json_object_get(po, "estimated")) ? " (estimate)" : "");
    for (i = 0; i < json_array_size(json_object_get(data, "gaps")) &&
                (o = json_array_get(json_object_get(data, "gaps"), i));
         i++)
        printf("gap: %s\n", json_string_value(o));
}

static int do_explain(const opts *o)
{
    if (o->n_pos != 2) {
        fprintf(stderr, "chainwatch supply explain: expected COMMODITY PARTNER\n"
                        "Try 'chainwatch supply --help'.\n");
        return CW_EXIT_USAGE;
    }
    cw_supply *s;
    cw_supply_rules *r;
    int rc = open_all(o, &s, &r);
    if (rc)
        return fail(rc);
    json_t *d;
    rc = cw_supply_explain(s, r, o->pos[0], o->pos[1], o->at, &d);
    int ec = CW_EXIT_OK;
    if (rc)
        ec = fail(rc);
    else if (o->json)
        ec = cw_cli_print_json(d);
    else {
        print_detail(d);
        json_decref(d);
    }
    cw_supply_rules_free(r);
    cw_supply_close(s);
    return ec;
}

static const char *const partners[] = {"USA", "KOR", "JPN"};

/* One line on how fresh the level of a status row is (twelfth stop): the month of each
 * series' last data against today, a partial last month (provisional level), ended series. */
static void print_fresh(json_t *data)
{
    json_t *tr = json_object_get(data, "trade"), *pr = json_object_get(data, "price");
    printf("    fresh (today %s):", jstr(data, "today"));
    if (json_is_object(tr))
        printf(" trade to %s, %lld months before today%s%s", jstr(tr, "series_last"),
               (long long)json_integer_value(json_object_get(tr, "months_behind_today")),
               json_is_true(json_object_get(tr, "ended")) ? " (ended in the loaded files)" : "",
               json_is_object(pr) ? ";" : "");
    if (json_is_object(pr))
        printf(" price to %s (%s), %lld months before today%s%s", jstr(pr, "last_observation"),
               jstr(pr, "last_series"),
               (long long)json_integer_value(json_object_get(pr, "months_behind_today")),
               json_is_true(json_object_get(pr, "ended")) ? " (ended in the loaded files)" : "",
               json_is_true(json_object_get(pr, "last_month_partial"))
                   ? "; its last month is partial, the level there is provisional"
                   : "");
    if (!json_is_object(tr) && !json_is_object(pr))
        printf(" no monthly series");
    json_t *fo = json_object_get(data, "fresh");
    if (json_is_object(fo) && json_is_string(json_object_get(fo, "newest_month")))
        printf("; the level rests on data to %s (%s), %lld months old: %s (limit %lld months)",
               jstr(fo, "newest_month"), jstr(fo, "newest_series"),
               (long long)json_integer_value(json_object_get(fo, "months_old")),
               json_is_true(json_object_get(fo, "stale")) ? "STALE" : "fresh",
               (long long)json_integer_value(json_object_get(fo, "stale_limit_months")));
    printf("\n");
}

/* A level name as status shows it: "stale" for "none" resting on stale data (stop 18). */
static const char *shown(json_t *d, const char *name)
{
    bool stale = json_is_true(
        json_object_get(json_object_get(json_object_get(d, "data"), "fresh"), "stale"));
    return stale && name && !strcmp(name, "none") ? "stale" : name;
}

static int do_status(const opts *o)
{
    cw_supply *s;
    cw_supply_rules *r;
    int rc = open_all(o, &s, &r);
    if (rc)
        return fail(rc);
    int ec = CW_EXIT_OK;
    json_t *rows = json_array();
    const char *const *coms;
    size_t n_com = cw_supply_commodities(s, &coms);
    const char *one_com = NULL;
    if (o->commodity && !(one_com = cw_supply_commodity_resolve(s, o->commodity))) {
        rc = cw_error_set(CW_ENOTFOUND, "unknown commodity '%s'", o->commodity);
        goto out;
    }
    char one_par[4] = "";
    if (o->partner && (rc = cw_supply_country_resolve(s, o->partner, one_par)))
        goto out;
    for (size_t a = 0; a < n_com; a++) {
        if (one_com && strcmp(one_com, coms[a]) != 0)
            continue;
        for (size_t b = 0; b < 3; b++) {
            const char *p = one_par[0] ? one_par : partners[b];
            if (one_par[0] && b > 0)
                break;
            json_t *d, *cov = NULL;
            rc = cw_supply_explain(s, r, coms[a], p, o->at, &d);
            if (rc == CW_ENOTFOUND) {
                d = json_pack("{s:s, s:s, s:n, s:s}", "commodity", coms[a], "partner", p, "level",
                              "note", cw_error_last());
                rc = 0;
            }
            if (rc)
                goto out;
            if ((rc = cw_supply_coverage(s, coms[a], p, &cov))) {
                json_decref(d);
                goto out;
            }
            json_object_set_new(d, "coverage", cov);
            json_array_append_new(rows, d);
        }
    }
    /* record level changes (with events) as alert rows */
    cw_supply_level_change *ch = NULL;
    size_t n_ch = 0, n_new = 0;
    rc = cw_supply_level_changes(s, r, one_com, one_par[0] ? one_par : NULL, NULL, o->at, true, &ch,
                                 &n_ch);
    if (!rc)
        rc = cw_supply_alerts_record(s, ch, n_ch, &n_new);
    cw_supply_level_changes_free(ch, n_ch);
    if (rc)
        goto out;
    if (o->json) {
        ec = cw_cli_print_json(
            json_pack("{s:o, s:I}", "assessments", rows, "new_alert_rows", (json_int_t)n_new));
        rows = NULL;
    } else {
        printf("%-12s %-4s %-8s %-9s %-9s %-9s %-9s %s\n", "commodity", "prt", "period", "level",
               "data-only", "standing", "series", "fired rules (standing rules apart)");
        size_t i;
        json_t *d;
        for (i = 0; i < json_array_size(rows) && (d = json_array_get(rows, i)); i++) {
            json_t *lv = json_object_get(d, "level_name");
            json_t *miss = json_object_get(json_object_get(d, "coverage"), "missing");
            if (!lv) {
                printf("%-12s %-4s %-8s %-9s %-9s %-9s %-9s %s\n", jstr(d, "commodity"),
                       jstr(d, "partner"), "-", "no data", "-", "-", "-", jstr(d, "note"));
                for (size_t q = 0; q < json_array_size(miss); q++) {
                    json_t *m = json_array_get(miss, q);
                    printf("    missing: %s%s%s\n      published: %s%s%s\n", jstr(m, "data"),
                           json_is_string(json_object_get(m, "hs_lines")) ? "; HS " : "",
                           jstr(m, "hs_lines"), jstr(m, "where"),
                           json_is_string(json_object_get(m, "national")) ? "; " : "",
                           jstr(m, "national"));
                }
                continue;
            }
            char fired[512] = "";
            size_t pos = 0, k;
            json_t *f;
            for (k = 0; k < json_array_size(json_object_get(d, "fired")) &&
                        (f = json_array_get(json_object_get(d, "fired"), k));
                 k++) {
                int w = snprintf(fired + pos, sizeof fired - pos, "%s%s", k ? " " : "",
                                 json_string_value(json_object_get(f, "rule")));
                if (w > 0 && (size_t)w < sizeof fired - pos)
                    pos += (size_t)w;
            }
            json_t *sf = json_object_get(d, "standing_fired");
            for (k = 0; k < json_array_size(sf) && (f = json_array_get(sf, k)); k++) {
                int w = snprintf(fired + pos, sizeof fired - pos, "%s%s", pos ? " " : "",
                                 json_string_value(json_object_get(f, "rule")));
                if (w > 0 && (size_t)w < sizeof fired - pos)
                    pos += (size_t)w;
            }
            printf("%-12s %-4s %-8s %-9s %-9s %-9s %-9s %s\n", jstr(d, "commodity"),
                   jstr(d, "partner"), jstr(d, "period"), shown(d, json_string_value(lv)),
                   shown(d, jstr(d, "level_data_only_name")),
                   shown(d, jstr(d, "standing_level_name")),
                   jstr(json_object_get(d, "data"), "series_kind"), pos ? fired : "-");
            json_t *sp = json_object_get(json_object_get(d, "coverage"), "spans");
            const char *tr = json_string_value(json_object_get(sp, "own_imports"));
            const char *tk = "own imports";
            if (!tr) {
                tr = json_string_value(json_object_get(sp, "mirror"));
                tk = "mirror";
            }
            if (!tr) {
                tr = json_string_value(json_object_get(sp, "group"));
                tk = "mirror, product group";
            }
            printf("    months: trade %s%s%s%s; price %s (no data outside them)\n",
                   tr ? tr : "none", tr ? " (" : "", tr ? tk : "", tr ? ")" : "",
                   json_string_value(json_object_get(sp, "price"))
                       ? json_string_value(json_object_get(sp, "price"))
                       : "none");
            print_fresh(json_object_get(d, "data"));
            for (size_t q = 0; q < json_array_size(miss); q++) {
                json_t *m = json_array_get(miss, q);
                if (strstr(jstr(m, "data"), "own monthly imports"))
                    continue; /* true of every real cell here; listed for the no-data rows */
                printf("    missing: %s%s%s\n      published: %s\n", jstr(m, "data"),
                       json_is_string(json_object_get(m, "hs_lines")) ? "; HS " : "",
                       jstr(m, "hs_lines"), jstr(m, "where"));
            }
        }
        printf("%zu new level changes recorded in supply_alerts (%s)\n", n_new, o->db);
    }
out:
    json_decref(rows);
    if (rc)
        ec = fail(rc);
    cw_supply_rules_free(r);
    cw_supply_close(s);
    return ec;
}

static int do_changes(const opts *o)
{
    cw_supply *s;
    cw_supply_rules *r;
    int rc = open_all(o, &s, &r);
    if (rc)
        return fail(rc);
    cw_supply_level_change *ch = NULL;
    size_t n = 0, n_new = 0;
    int ec = CW_EXIT_OK;
    rc = cw_supply_level_changes(s, r, o->commodity, o->partner, o->from, o->to, true, &ch, &n);
    if (!rc)
        rc = cw_supply_alerts_record(s, ch, n, &n_new);
    if (rc) {
        ec = fail(rc);
    } else if (o->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(
                a,
                json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o}", "commodity", ch[i].commodity,
                          "partner", ch[i].partner, "period", ch[i].period, "from",
                          cw_supply_level_name(ch[i].old_level), "to",
                          cw_supply_level_name(ch[i].new_level), "reason", ch[i].reason,
                          "provisional", ch[i].provisional, "provisional_note",
                          ch[i].provisional ? json_string(ch[i].provisional_note) : json_null()));
        ec = cw_cli_print_json(
            json_pack("{s:o, s:I}", "changes", a, "new_alert_rows", (json_int_t)n_new));
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%s %-12s %s %-8s -> %-8s %s%s%s%s\n", ch[i].period, ch[i].commodity,
                   ch[i].partner, cw_supply_level_name(ch[i].old_level),
                   cw_supply_level_name(ch[i].new_level), ch[i].reason,
                   ch[i].provisional ? " [PROVISIONAL: " : "",
                   ch[i].provisional ? ch[i].provisional_note : "", ch[i].provisional ? "]" : "");
        printf("%zu level changes, %zu new rows in supply_alerts\n", n, n_new);
    }
    cw_supply_level_changes_free(ch, n);
    cw_supply_rules_free(r);
    cw_supply_close(s);
    return ec;
}

/* A number with `digits` decimals, or "n/a" for null. */
static void fmt_num(char *buf, size_t cap, json_t *v, int digits)
{
    if (json_is_number(v))
        snprintf(buf, cap, "%.*f", digits, json_number_value(v));
    else
        snprintf(buf, cap, "n/a");
}

/* The noise-to-signal ratio beside the headline with the reaction months left out (JSON
 * noise_to_signal_reactions_left_out). */
static void print_nsr_reactions(const char *label, json_t *x)
{
    if (!json_is_object(x))
        return;
    char v[32];
    fmt_num(v, sizeof v, json_object_get(x, "value"), 3);
    printf("%s: %s with the reaction months left out (beside the headline, which counts them as "
           "noise: %lld signal and %lld quiet cell-months outside every window, within %lld "
           "months after an event on the cell took effect)\n",
           label, v, (long long)json_integer_value(json_object_get(x, "reaction_signal_months")),
           (long long)json_integer_value(json_object_get(x, "reaction_quiet_months")),
           (long long)json_integer_value(json_object_get(x, "reaction_months_after")));
}

static void print_backtest(json_t *res)
{
    size_t i;
    json_t *e;
    printf("%-22s %-10s %-22s %-4s %-12s %s\n", "event", "effective", "commodity", "prt", "result",
           "lead eff/ann (months) / note");
    for (i = 0; i < json_array_size(json_object_get(res, "events")) &&
                (e = json_array_get(json_object_get(res, "events"), i));
         i++) {
        json_t *lead = json_object_get(e, "lead_months");
        char leadbuf[48] = "";
        if (json_is_integer(lead))
            snprintf(
                leadbuf, sizeof leadbuf, "%lld/%lld ", (long long)json_integer_value(lead),
                (long long)json_integer_value(json_object_get(e, "lead_from_announcement_months")));
        printf("%-22s %-10s %-22.22s %-4s %-12s %s%s\n",
               json_string_value(json_object_get(e, "event_id")),
               json_string_value(json_object_get(e, "effective")),
               json_string_value(json_object_get(e, "commodity")),
               json_string_value(json_object_get(e, "partner")),
               json_string_value(json_object_get(e, "result")), leadbuf,
               json_string_value(json_object_get(e, "note")));
        json_t *md = json_object_get(e, "missing_data"), *g;
        for (size_t k = 0; k < json_array_size(md) && (g = json_array_get(md, k)); k++)
            printf("    missing: %s %s%s%s %s..%s (loaded: %s)\n      published: %s\n",
                   jstr(g, "commodity"), jstr(g, "data"),
                   json_object_get(g, "partner") ? " for " : "", jstr(g, "partner"),
                   jstr(g, "window_from"), jstr(g, "window_to"), jstr(g, "loaded"),
                   jstr(g, "where"));
    }
    const char *k;
    json_t *v;
    for (int t = 0; t < 2; t++) {
        json_t *tab = json_object_get(res, t ? "by_event_type" : "by_commodity");
        printf("%s:\n", t ? "per event type (hit / miss / no data)"
                          : "per commodity (hit / miss / no data)");
        for (void *it = json_object_iter(tab);
             it && (k = json_object_iter_key(it)) && (v = json_object_iter_value(it));
             it = json_object_iter_next(tab, it))
            printf("  %-24s %lld / %lld / %lld\n", k,
                   (long long)json_integer_value(json_object_get(v, "hit")),
                   (long long)json_integer_value(json_object_get(v, "miss")),
                   (long long)json_integer_value(json_object_get(v, "no_data")));
    }
    json_t *sm = json_object_get(res, "summary");
    char hr[32], hrd[32], nsr[32], lead[32], leada[32];
    fmt_num(hr, sizeof hr, json_object_get(sm, "hit_rate"), 3);
    fmt_num(hrd, sizeof hrd, json_object_get(sm, "hit_rate_with_data"), 3);
    fmt_num(nsr, sizeof nsr, json_object_get(sm, "noise_to_signal"), 3);
    fmt_num(lead, sizeof lead, json_object_get(sm, "mean_lead_months"), 1);
    fmt_num(leada, sizeof leada, json_object_get(sm, "mean_lead_from_announcement_months"), 1);
    printf("events %lld (%lld listed twice, scored once; %lld easings apart; %lld out of scope)\n",
           (long long)json_integer_value(json_object_get(sm, "events")),
           (long long)json_integer_value(json_object_get(sm, "merged")),
           (long long)json_integer_value(json_object_get(sm, "easing")),
           (long long)json_integer_value(json_object_get(sm, "out_of_scope")));
    printf("scored %lld: hits %lld, misses %lld, no data %lld (counted as misses)\n",
           (long long)json_integer_value(json_object_get(sm, "scored")),
           (long long)json_integer_value(json_object_get(sm, "hits")),
           (long long)json_integer_value(json_object_get(sm, "misses")),
           (long long)json_integer_value(json_object_get(sm, "no_data")));
    char ub[32];
    fmt_num(ub, sizeof ub, json_object_get(sm, "hit_rate_upper_bound"), 3);
    printf("hit rate %s (with data only: %s); mean lead %s months from the effective date, %s "
           "from the announcement\n",
           hr, hrd, lead, leada);
    printf("upper bound on the hit rate given data coverage (every event with data a hit): %s\n",
           ub);
    printf("two signals, scored apart: ALERTS (switch-ons of the data-only alert level, built on "
           "changes) against the events: hit rate, noise-to-signal, placebo; the STANDING level "
           "(structural and standing rules: sustained tightness, graded per partner) against "
           "KOMIR's index: kappa\n");
    printf("alerts %lld (level >= %s; price signals once per commodity), matched %lld, false "
           "alarms %lld; noise-to-signal %s (%s to %s)\n",
           (long long)json_integer_value(json_object_get(sm, "alerts")),
           json_string_value(json_object_get(sm, "level")),
           (long long)json_integer_value(json_object_get(sm, "alerts_matched")),
           (long long)json_integer_value(json_object_get(sm, "false_alarms")), nsr,
           json_string_value(json_object_get(sm, "from")),
           json_string_value(json_object_get(sm, "to")));
    char np_[32], nt_[32];
    fmt_num(np_, sizeof np_, json_object_get(sm, "noise_to_signal_price"), 3);
    fmt_num(nt_, sizeof nt_, json_object_get(sm, "noise_to_signal_trade"), 3);
    printf("noise-to-signal apart: price cells %s, trade cells %s (n/a: no signal month in any "
           "event window)\n",
           np_, nt_);
    print_nsr_reactions("noise-to-signal",
                        json_object_get(sm, "noise_to_signal_reactions_left_out"));
    json_t *br = json_object_get(res, "alerts_by_rule");
    if (json_is_object(br) && json_object_size(br)) {
        printf(
            "alerts by rule (matched / false; an alert fired by several rules counts for each):");
        const char *rk;
        json_t *rv;
        json_object_foreach(br, rk, rv) printf(
            " %s %lld/%lld", rk, (long long)json_integer_value(json_object_get(rv, "matched")),
            (long long)json_integer_value(json_object_get(rv, "false")));
        printf("\n");
    }
    json_t *pl = json_object_get(res, "placebo");
    char pa[32], pm[32], pp[32];
    fmt_num(pa, sizeof pa, json_object_get(pl, "actual_hit_rate_with_data"), 3);
    fmt_num(pm, sizeof pm, json_object_get(pl, "mean_placebo_hit_rate"), 3);
    fmt_num(pp, sizeof pp, json_object_get(pl, "p_value"), 3);
    long long smin = json_integer_value(json_object_get(pl, "shift_min_months")),
              smax = json_integer_value(json_object_get(pl, "shift_max_months"));
    printf("placebo (events shifted +-%lld..%lld months%s): hit rate with data %s vs %s on average "
           "over %lld shifts, %lld at least as good: p = %s\n",
           smin, smax,
           smin == 12 && smax == 24 ? "" : "; not the registered +-12..24: see --placebo-shifts",
           pa, pm, (long long)json_integer_value(json_object_get(pl, "shifts")),
           (long long)json_integer_value(json_object_get(pl, "shifts_at_least_as_good")), pp);
    json_t *pin = json_object_get(pl, "independent"), *pcl = json_object_get(pl, "clustered");
    if (json_is_object(pin) && json_is_object(pcl)) {
        char im[32], ip[32], pmin[32], cm[32], cp[32];
        fmt_num(im, sizeof im, json_object_get(pin, "mean_hit_rate"), 3);
        fmt_num(ip, sizeof ip, json_object_get(pin, "p_value"), 4);
        fmt_num(cm, sizeof cm, json_object_get(pcl, "mean_hit_rate"), 3);
        fmt_num(cp, sizeof cp, json_object_get(pcl, "p_value"), 4);
        fmt_num(pmin, sizeof pmin, json_object_get(pl, "p_minimum_common_shift"), 3);
        printf("placebo, each event shifted by its own draw of the same shifts (%lld seeded "
               "draws; assumes independent events): %s on average, %lld draws at least as "
               "good: p = %s; events sharing a commodity shifted together (%lld clusters of "
               "%lld events): %s on average, %lld at least as good: p = %s (beside the "
               "common-shift p %s, whose smallest possible value is %s)\n",
               (long long)json_integer_value(json_object_get(pin, "draws_with_data")), im,
               (long long)json_integer_value(json_object_get(pin, "draws_at_least_as_good")), ip,
               (long long)json_integer_value(json_object_get(pcl, "clusters")),
               (long long)json_integer_value(json_object_get(pcl, "events")), cm,
               (long long)json_integer_value(json_object_get(pcl, "draws_at_least_as_good")), cp,
               pp, pmin);
    }
    json_t *km = json_object_get(res, "komir_agreement");
    char kp[32];
    fmt_num(kp, sizeof kp, json_object_get(km, "kappa"), 3);
    printf("KOMIR agreement (KOR, index < 20 vs the standing level >= caution, not the alerts): "
           "both %lld, KOMIR only %lld, "
           "chainwatch only %lld, both stable %lld: kappa %s\n",
           (long long)json_integer_value(json_object_get(km, "both_caution")),
           (long long)json_integer_value(json_object_get(km, "komir_only")),
           (long long)json_integer_value(json_object_get(km, "chainwatch_only")),
           (long long)json_integer_value(json_object_get(km, "both_stable")), kp);
    json_t *kl = json_object_get(km, "like_for_like");
    if (json_is_object(kl)) {
        fmt_num(kp, sizeof kp, json_object_get(kl, "kappa"), 3);
        printf("KOMIR like for like (same months, index < 20 vs the price regime, %s): both %lld, "
               "KOMIR only %lld, chainwatch only %lld, both stable %lld: kappa %s\n",
               json_string_value(json_object_get(kl, "method")) +
                   strlen("like for like: the same KOMIR months against the price regime ("),
               (long long)json_integer_value(json_object_get(kl, "both_caution")),
               (long long)json_integer_value(json_object_get(kl, "komir_only")),
               (long long)json_integer_value(json_object_get(kl, "chainwatch_only")),
               (long long)json_integer_value(json_object_get(kl, "both_stable")), kp);
    }
    json_t *kv = json_object_get(km, "coverage");
    if (json_is_object(kv)) {
        char kw[32], kb[32];
        fmt_num(kw, sizeof kw, json_object_get(kv, "kappa_with_long_run_price"), 3);
        fmt_num(kb, sizeof kb, json_object_get(kv, "kappa_bound"), 3);
        printf("KOMIR coverage (KOR months with each input of KOMIR's published method, no "
               "look-ahead; import growth and the world supply-demand ratio: no file): kappa on "
               "months with the long-run price %s; bound given coverage %s\n",
               kw, kb);
        const char *ck;
        json_t *cv;
        json_object_foreach(json_object_get(kv, "by_commodity"), ck, cv)
        {
            fmt_num(kw, sizeof kw, json_object_get(cv, "kappa_with_long_run_price"), 3);
            fmt_num(kb, sizeof kb, json_object_get(cv, "kappa_bound"), 3);
            printf(
                "  %-8s %lld months, KOMIR caution %lld; price %lld, long-run price (>= 36 "
                "earlier months) %lld, production concentration %lld, Korea's import sources "
                "%lld; caution months without the long-run price %lld; kappa there %s, bound "
                "%s\n",
                ck, (long long)json_integer_value(json_object_get(cv, "index_months")),
                (long long)json_integer_value(json_object_get(cv, "komir_caution")),
                (long long)json_integer_value(json_object_get(cv, "with_price")),
                (long long)json_integer_value(json_object_get(cv, "with_long_run_price")),
                (long long)json_integer_value(json_object_get(cv, "with_production_concentration")),
                (long long)json_integer_value(json_object_get(cv, "with_import_concentration")),
                (long long)json_integer_value(
                    json_object_get(cv, "caution_without_long_run_price")),
                kw, kb);
            const char *wh = json_string_value(json_object_get(cv, "where"));
            if (wh)
                printf("      published: %s\n", wh);
        }
    }
    json_t *pre = json_object_get(res, "precursors");
    if (json_is_object(pre)) {
        char c1[32], c2[32], c3[32];
        fmt_num(c1, sizeof c1, json_object_get(pre, "combined_hit_rate"), 3);
        fmt_num(c2, sizeof c2, json_object_get(pre, "mean_placebo_combined_hit_rate"), 3);
        fmt_num(c3, sizeof c3, json_object_get(pre, "placebo_p"), 3);
        printf("event-informed from earlier announcements only (same actor, shared commodity; not "
               "the headline): %lld precursor hits; data-only or precursor %lld, hit rate %s vs "
               "%s shifted: placebo p %s\n",
               (long long)json_integer_value(json_object_get(pre, "precursor_hits")),
               (long long)json_integer_value(json_object_get(pre, "combined_hits")), c1, c2, c3);
        json_t *pany = json_object_get(pre, "any_commodity");
        if (json_is_object(pany)) {
            fmt_num(c1, sizeof c1, json_object_get(pany, "combined_hit_rate"), 3);
            fmt_num(c2, sizeof c2, json_object_get(pany, "mean_placebo_combined_hit_rate"), 3);
            fmt_num(c3, sizeof c3, json_object_get(pany, "placebo_p"), 3);
            printf(
                "event-informed, same actor on any in-scope commodity (e_actor without its share "
                "condition; not the "
                "headline): %lld precursor hits; data-only or precursor %lld, hit rate %s vs "
                "%s shifted: placebo p %s\n",
                (long long)json_integer_value(json_object_get(pany, "precursor_hits")),
                (long long)json_integer_value(json_object_get(pany, "combined_hits")), c1, c2, c3);
        }
    }
    json_t *oos = json_object_get(res, "out_of_sample");
    for (size_t h = 0; h < json_array_size(json_object_get(oos, "periods")); h++) {
        json_t *row = json_array_get(json_object_get(oos, "periods"), h);
        char r1[32], r2[32], r3[32], r4[32];
        fmt_num(r1, sizeof r1, json_object_get(row, "hit_rate"), 3);
        fmt_num(r2, sizeof r2, json_object_get(row, "hit_rate_with_data"), 3);
        fmt_num(r3, sizeof r3, json_object_get(row, "placebo_p"), 3);
        fmt_num(r4, sizeof r4, json_object_get(row, "noise_to_signal"), 3);
        char r5[32], r6[32];
        fmt_num(r5, sizeof r5, json_object_get(row, "placebo_p_independent"), 4);
        fmt_num(r6, sizeof r6, json_object_get(row, "placebo_p_clustered"), 4);
        printf("split %s, events %s: scored %lld, hits %lld, misses %lld, no data %lld; hit rate "
               "%s (with data %s); placebo p %s (independent shifts %s, by commodity cluster %s); "
               "noise-to-signal %s (%s to %s)\n",
               json_string_value(json_object_get(oos, "split")),
               json_string_value(json_object_get(row, "events")),
               (long long)json_integer_value(json_object_get(row, "scored")),
               (long long)json_integer_value(json_object_get(row, "hits")),
               (long long)json_integer_value(json_object_get(row, "misses")),
               (long long)json_integer_value(json_object_get(row, "no_data")), r1, r2, r3, r5, r6,
               r4, json_string_value(json_object_get(row, "nsr_from")),
               json_string_value(json_object_get(row, "nsr_to")));
        char lab[160];
        snprintf(lab, sizeof lab, "noise-to-signal, split %s, events %s",
                 json_string_value(json_object_get(oos, "split")),
                 json_string_value(json_object_get(row, "events")));
        print_nsr_reactions(lab, json_object_get(row, "noise_to_signal_reactions_left_out"));
    }
    json_t *acc = json_object_get(res, "acceptance");
    printf("acceptance:");
    for (void *it = json_object_iter(acc);
         it && (k = json_object_iter_key(it)) && (v = json_object_iter_value(it));
         it = json_object_iter_next(acc, it)) {
        char val[32];
        fmt_num(val, sizeof val, json_object_get(v, "value"), 3);
        const char *sig = json_string_value(json_object_get(v, "signal"));
        char bnd[160] = "";
        json_t *bv = json_object_get(v, "bound_given_coverage");
        if (json_is_number(bv))
            snprintf(bnd, sizeof bnd, ", bound given coverage %.3f", json_number_value(bv));
        json_t *iv = json_object_get(v, "independent_shifts_p"),
               *cv = json_object_get(v, "clustered_shifts_p");
        if (json_is_number(iv) && json_is_number(cv))
            snprintf(bnd, sizeof bnd,
                     "; not the headline: independent shifts p %.4f, by "
                     "commodity cluster %.4f",
                     json_number_value(iv), json_number_value(cv));
        json_t *rp = json_object_get(res, "placebo");
        if (!strcmp(k, "placebo_p") &&
            (json_integer_value(json_object_get(rp, "shift_min_months")) != 12 ||
             json_integer_value(json_object_get(rp, "shift_max_months")) != 24)) {
            size_t bl = strlen(bnd);
            snprintf(bnd + bl, sizeof bnd - bl, "; shifts +-%lld..%lld, not the registered test",
                     (long long)json_integer_value(json_object_get(rp, "shift_min_months")),
                     (long long)json_integer_value(json_object_get(rp, "shift_max_months")));
        }
        printf(" %s %s (%s%starget %g: %s%s);", k, val, sig ? sig : "", sig ? ", " : "",
               json_number_value(json_object_get(v, "target")),
               json_is_false(json_object_get(v, "registered")) ? "not scored"
               : json_is_true(json_object_get(v, "met"))       ? "met"
                                                               : "NOT met",
               bnd);
    }
    printf("\n");
}

/* The miss table (--misses): every in-scope event without a hit, its cause and the nearest
 * rule, then the counts per cause. */
static void print_misses(json_t *res)
{
    json_t *ms = json_object_get(res, "misses"), *e;
    json_t *ev = json_object_get(ms, "events");
    printf("why each in-scope event was missed (first cause that applies: no data, no detector "
           "value, partner basis, late within %lld months, under threshold)\n",
           (long long)json_integer_value(json_object_get(ms, "late_months")));
    printf("%-22s %-10s %-22s %-4s %-18s %s\n", "event", "effective", "commodity", "prt", "cause",
           "why");
    for (size_t i = 0; i < json_array_size(ev) && (e = json_array_get(ev, i)); i++)
        printf("%-22s %-10s %-22.22s %-4s %-18s %s\n", jstr(e, "event_id"), jstr(e, "effective"),
               jstr(e, "commodity"), jstr(e, "partner"), jstr(e, "cause"), jstr(e, "text"));
    json_t *cnt = json_object_get(ms, "counts");
    const char *k;
    json_t *v;
    printf("misses per cause (%zu events):", json_array_size(ev));
    json_object_foreach(cnt, k, v) printf(" %s %lld;", k, (long long)json_integer_value(v));
    printf("\n");
}

/* The false-alarm table (--false-alarms): every alert outside all event windows with its cause,
 * the counts per cause and per rule, and each rule's rate against its registered budget. */
static void print_false_alarms(json_t *res)
{
    json_t *fa = json_object_get(res, "false_alarms"), *e;
    json_t *ev = json_object_get(fa, "events");
    printf("false alarms: every alert outside all event windows on its cell (first cause that "
           "applies: after an event within %lld months, series start, echo, common shock, "
           "partner duplicate, price rebound, one lumpy month; a provisional month later revised "
           "cannot be named: one vintage loaded)\n",
           (long long)json_integer_value(json_object_get(fa, "late_months")));
    printf("%-8s %-12s %-12s %-18s %-40s %s\n", "month", "commodity", "partner", "cause", "rules",
           "why");
    for (size_t i = 0; i < json_array_size(ev) && (e = json_array_get(ev, i)); i++)
        printf("%-8s %-12s %-12s %-18s %-40s %s%s\n", jstr(e, "period"), jstr(e, "commodity"),
               jstr(e, "partner"), jstr(e, "cause"), jstr(e, "rules"), jstr(e, "text"),
               json_is_true(json_object_get(e, "pre_split")) ? " [before the split]" : "");
    const char *k;
    json_t *v;
    printf("false alarms per cause (%zu alerts):", json_array_size(ev));
    json_object_foreach(json_object_get(fa, "counts"), k, v)
        printf(" %s %lld;", k, (long long)json_integer_value(v));
    printf("\n");
    json_t *pre = json_object_get(fa, "pre_split_false_alarms");
    if (json_is_integer(pre))
        printf("false alarms before the split: %lld\n", (long long)json_integer_value(pre));
    printf("false alarms per rule (an alert fired by several rules counts for each; before the "
           "split):");
    json_object_foreach(json_object_get(fa, "by_rule"), k, v) printf(
        " %s %lld (%lld);", k, (long long)json_integer_value(json_object_get(v, "false_alarms")),
        (long long)json_integer_value(json_object_get(v, "pre_split")));
    printf("\n");
    json_t *sm = json_object_get(fa, "signal_months");
    if (json_is_object(sm)) {
        json_t *rows = json_object_get(sm, "rows");
        printf("signal months outside every event window (level at or above the scored level; "
               "what the noise-to-signal ratio counts as noise, switch-ons marked *): %lld, %lld "
               "of them on a price that fell from the month before\n",
               (long long)json_integer_value(json_object_get(sm, "months")),
               (long long)json_integer_value(json_object_get(sm, "price_falling")));
        for (size_t i = 0; i < json_array_size(rows) && (e = json_array_get(rows, i)); i++) {
            json_t *pm = json_object_get(e, "price_move");
            json_t *re = json_object_get(e, "reaction_to");
            printf("  %-8s%s %-12s %-12s %-6s %s%s%s%s%s\n", jstr(e, "period"),
                   json_is_true(json_object_get(e, "alert")) ? "*" : " ", jstr(e, "commodity"),
                   jstr(e, "partner"), json_is_string(pm) ? json_string_value(pm) : "-",
                   jstr(e, "rules"), json_is_string(re) ? " [reaction to " : "",
                   json_is_string(re) ? json_string_value(re) : "", json_is_string(re) ? "]" : "",
                   json_is_true(json_object_get(e, "pre_split")) ? " [before the split]" : "");
        }
        printf("signal months outside every event window per rule (a month fired by several "
               "rules counts for each):");
        json_object_foreach(json_object_get(sm, "by_rule"), k, v)
            printf(" %s %lld;", k, (long long)json_integer_value(v));
        printf("\n");
    }
    json_t *rt = json_object_get(fa, "rates");
    for (int h = 0; h < 2 && json_is_object(rt); h++) {
        json_t *x = h ? json_object_get(rt, "from_split") : rt;
        if (!json_is_object(x))
            continue;
        json_t *sp = json_object_get(x, "span");
        printf("rates %s %s..%s, cell-months outside every event window: the indicator met "
               "its threshold / months with a value = rate (the budget registered in the docs); "
               "months the rule fired (lookback, prerequisites)\n",
               jstr(sp, "what"), jstr(sp, "from"), jstr(sp, "to"));
        json_object_foreach(json_object_get(x, "rules"), k, v)
        {
            json_t *b = json_object_get(v, "budget"), *rv = json_object_get(v, "rate");
            json_t *pb = json_object_get(v, "p_at_budget");
            char bud[160], rate[32];
            if (json_is_number(b) && json_is_number(rv) && json_is_number(pb))
                snprintf(bud, sizeof bud,
                         "budget %.2f %%: OVER; at a true rate of %.2f %% this many months or "
                         "more come with probability %.3f",
                         100 * json_number_value(b), 100 * json_number_value(b),
                         json_number_value(pb));
            else if (json_is_number(b) && json_is_number(rv))
                snprintf(bud, sizeof bud, "budget %.2f %%: %s", 100 * json_number_value(b),
                         json_is_true(json_object_get(v, "over_budget")) ? "OVER" : "within");
            else if (json_is_number(b))
                snprintf(bud, sizeof bud, "budget %.2f %%", 100 * json_number_value(b));
            else
                snprintf(bud, sizeof bud, "no budget registered: textbook threshold");
            if (json_is_number(rv))
                snprintf(rate, sizeof rate, "%.2f %%", 100 * json_number_value(rv));
            else
                snprintf(rate, sizeof rate, "n/a (no month with a value)");
            printf("  %-20s %lld / %lld = %s (%s); fired %lld\n", k,
                   (long long)json_integer_value(json_object_get(v, "indicator_met")),
                   (long long)json_integer_value(json_object_get(v, "months")), rate, bud,
                   (long long)json_integer_value(json_object_get(v, "fired")));
        }
        for (int c = 0; c < 2; c++) {
            json_t *cv = json_object_get(x, c ? "trade_cells" : "price_cells");
            char rate[32];
            fmt_num(rate, sizeof rate, json_object_get(cv, "rate"), 3);
            printf("  %s cells: a signal in %lld of %lld months (%s)\n", c ? "trade" : "price",
                   (long long)json_integer_value(json_object_get(cv, "signal_months")),
                   (long long)json_integer_value(json_object_get(cv, "months")), rate);
        }
    }
}

/* ---- backtest ---- */
static int do_backtest(const opts *o)
{
    if (!o->n_events) {
        fprintf(stderr, "chainwatch supply backtest: --events FILE is required\n"
                        "Try 'chainwatch supply --help'.\n");
        return CW_EXIT_USAGE;
    }
    cw_supply_backtest_opts bo = {o->from, o->to, CW_SUPPLY_CAUTION, 12, 12, 24, o->split, 0, 0};
    if (o->level) {
        int lv = cw_supply_level_parse(o->level);
        if (lv <= 0) {
            fprintf(stderr, "chainwatch supply backtest: --level must be 1-4 or a level name\n");
            return CW_EXIT_USAGE;
        }
        bo.level = lv;
    }
    if (o->placebo_shifts) { /* MIN..MAX months (stop 18: the pre-registered second figure) */
        int a = 0, b = 0, used = 0;
        if (sscanf(o->placebo_shifts, "%d..%d%n", &a, &b, &used) != 2 || o->placebo_shifts[used] ||
            a < 1 || b < a || b > 60) {
            fprintf(stderr, "chainwatch supply backtest: --placebo-shifts must be MIN..MAX months, "
                            "1 <= MIN <= MAX <= 60 (default 12..24)\n");
            return CW_EXIT_USAGE;
        }
        bo.placebo_min = a;
        bo.placebo_max = b;
    }
    if (o->window) {
        char *end;
        long w = strtol(o->window, &end, 10);
        if (*end || w < 1 || w > 60) {
            fprintf(stderr, "chainwatch supply backtest: --window must be 1..60 months\n");
            return CW_EXIT_USAGE;
        }
        bo.window_months = (int)w;
    }
    cw_supply *s;
    cw_supply_rules *r;
    int rc = open_all(o, &s, &r);
    if (rc)
        return fail(rc);
    json_t *res;
    int ec = CW_EXIT_OK;
    rc = cw_supply_backtest(s, r, o->events_list, (size_t)o->n_events, &bo, &res);
    if (rc) {
        ec = fail(rc);
    } else if (o->json && (o->misses || o->false_alarms)) {
        json_t *ms = json_incref(json_object_get(res, o->misses ? "misses" : "false_alarms"));
        json_decref(res);
        ec = cw_cli_print_json(ms);
    } else if (o->json) {
        ec = cw_cli_print_json(res);
    } else {
        if (o->misses)
            print_misses(res);
        else if (o->false_alarms)
            print_false_alarms(res);
        else
            print_backtest(res);
        json_decref(res);
    }
    cw_supply_rules_free(r);
    cw_supply_close(s);
    return ec;
}

/* ---- series (the document of GET /api/v1/supply/series) ---- */
static int do_series(const opts *o)
{
    if (o->n_pos != 2) {
        fprintf(stderr, "chainwatch supply series: expected COMMODITY PARTNER\n"
                        "Try 'chainwatch supply --help'.\n");
        return CW_EXIT_USAGE;
    }
    cw_supply *s;
    cw_supply_rules *r;
    int rc = open_all(o, &s, &r);
    if (rc)
        return fail(rc);
    json_t *d;
    int ec = CW_EXIT_OK;
    rc = cw_supply_series(s, r, o->pos[0], o->pos[1], &d);
    if (rc) {
        ec = fail(rc);
    } else if (o->json) {
        ec = cw_cli_print_json(d);
    } else {
        json_t *ts = json_object_get(d, "trade_series"), *ps = json_object_get(d, "price_series");
        printf("%s %s: %s data\n", jstr(d, "commodity"), jstr(d, "partner"),
               !strcmp(jstr(d, "series_kind"), "synthetic") ? "SYNTHETIC" : "real");
        printf("trade: %zu months (%s), %s to %s, %s\n",
               json_array_size(json_object_get(d, "trade")), jstr(ts, "unit"), jstr(ts, "first"),
               jstr(ts, "last"), jstr(ts, "kind"));
        printf("price: %zu months of %s (%s), %s to %s, %s\n",
               json_array_size(json_object_get(d, "price")), jstr(ps, "series"), jstr(ps, "unit"),
               jstr(ps, "first"), jstr(ps, "last"), jstr(ps, "kind"));
        printf("anomalies: %zu, events: %zu (--json for the series)\n",
               json_array_size(json_object_get(d, "anomalies")),
               json_array_size(json_object_get(d, "events")));
        json_decref(d);
    }
    cw_supply_rules_free(r);
    cw_supply_close(s);
    return ec;
}

/* ---- synth / ref ---- */
static int do_synth(const opts *o)
{
    if (!o->out || !o->seed) {
        fprintf(stderr, "chainwatch supply synth: --out DIR and --seed S are required\n"
                        "Try 'chainwatch supply --help'.\n");
        return CW_EXIT_USAGE;
    }
    cw_supply_synth_opts so = {0, 2010, 15};
    char *end;
    so.seed = strtoull(o->seed, &end, 10);
    if (*end || !*o->seed) {
        fprintf(stderr, "chainwatch supply synth: --seed must be a number\n");
        return CW_EXIT_USAGE;
    }
    if (o->years) {
        long y = strtol(o->years, &end, 10);
        if (*end || y < 3 || y > 40) {
            fprintf(stderr, "chainwatch supply synth: --years must be 3..40\n");
            return CW_EXIT_USAGE;
        }
        so.years = (int)y;
    }
    if (o->first_year) {
        long y = strtol(o->first_year, &end, 10);
        if (*end || y < 1990 || y > 2100) {
            fprintf(stderr, "chainwatch supply synth: --first-year must be 1990..2100\n");
            return CW_EXIT_USAGE;
        }
        so.first_year = (int)y;
    }
    int rc = cw_supply_synth(o->out, &so);
    if (rc)
        return fail(rc);
    printf("wrote %s/comtrade.csv, prices.csv, events.csv, truth.csv (seed %llu, %d-%d)\n", o->out,
           (unsigned long long)so.seed, so.first_year, so.first_year + so.years - 1);
    return CW_EXIT_OK;
}

/* supply coverage: which real series cover which months, per commodity x partner. */
static int do_coverage(const opts *o)
{
    cw_supply *s;
    int rc = open_all(o, &s, NULL);
    if (rc)
        return fail(rc);
    json_t *d;
    rc = cw_supply_coverage_months(s, o->from, o->to, &d);
    cw_supply_close(s);
    if (rc)
        return fail(rc);
    if (o->json)
        return cw_cli_print_json(d);
    printf("coverage %s..%s (%lld months): the series of each commodity x partner and the months "
           "they cover; blind = months no monthly series the rules read has data\n",
           jstr(d, "from"), jstr(d, "to"),
           (long long)json_integer_value(json_object_get(d, "months")));
    size_t i, k;
    json_t *c, *x;
    /* the matrix first: months with monthly data, and which kinds (p price, t HS6 lines,
     * g product group, a annual price only) */
    printf("\n%-12s %-16s %-16s %-16s (months with monthly data / months a detector can "
           "read, of %lld; p price, t HS6 trade, g product group, a annual price only)\n",
           "commodity", "USA", "KOR", "JPN",
           (long long)json_integer_value(json_object_get(d, "months")));
    json_array_foreach(json_object_get(d, "cells"), i, c)
    {
        if (i % 3 == 0)
            printf("%-12s", jstr(c, "commodity"));
        bool kp = false, kt = false, kg = false, ka = false;
        json_array_foreach(json_object_get(c, "series"), k, x)
        {
            const char *kind = jstr(x, "kind");
            bool any = json_integer_value(json_object_get(x, "months")) > 0;
            kp |= any && !strcmp(kind, "price");
            kt |= any && !strcmp(kind, "trade_hs6");
            kg |= any && !strcmp(kind, "trade_group");
            ka |= !strcmp(kind, "annual_price");
        }
        char cellv[32];
        snprintf(cellv, sizeof cellv, "%lld/%lld %s%s%s%s",
                 (long long)json_integer_value(json_object_get(c, "monthly_months")),
                 (long long)json_integer_value(json_object_get(c, "detector_months")),
                 kp ? "p" : "", kt ? "t" : "", kg ? "g" : "", ka && !kp && !kt && !kg ? "a" : "");
        printf(" %-16s", cellv);
        if (i % 3 == 2)
            printf("\n");
    }
    json_array_foreach(json_object_get(d, "cells"), i, c)
    {
        json_t *bl = json_object_get(c, "blind");
        printf("\n%s %s: monthly data in %lld of %lld months", jstr(c, "commodity"),
               jstr(c, "partner"),
               (long long)json_integer_value(json_object_get(c, "monthly_months")),
               (long long)json_integer_value(json_object_get(d, "months")));
        if (json_array_size(bl)) {
            printf("; BLIND");
            json_array_foreach(bl, k, x) printf(" %s", json_string_value(x));
        }
        json_t *db = json_object_get(c, "detector_blind");
        printf("; a detector can read %lld months",
               (long long)json_integer_value(json_object_get(c, "detector_months")));
        if (json_array_size(db)) {
            printf(", none in");
            json_array_foreach(db, k, x) printf(" %s", json_string_value(x));
        }
        printf("\n");
        size_t shown = 0;
        json_array_foreach(json_object_get(c, "series"), k, x)
        {
            const char *kind = jstr(x, "kind");
            char when[64];
            if (json_is_integer(json_object_get(x, "first_year")))
                snprintf(when, sizeof when, "%lld..%lld%s",
                         (long long)json_integer_value(json_object_get(x, "first_year")),
                         (long long)json_integer_value(json_object_get(x, "last_year")),
                         json_is_true(json_object_get(x, "last_estimated")) ? "e" : "");
            else if (json_is_integer(json_object_get(x, "months")))
                snprintf(when, sizeof when, "%s..%s (%lld months in range)",
                         json_is_string(json_object_get(x, "first")) ? jstr(x, "first") : "none",
                         json_is_string(json_object_get(x, "last")) ? jstr(x, "last") : "none",
                         (long long)json_integer_value(json_object_get(x, "months")));
            else
                snprintf(when, sizeof when, "%s..%s", jstr(x, "first"), jstr(x, "last"));
            const char *unit = json_is_string(json_object_get(x, "unit")) ? jstr(x, "unit") : "";
            const char *src = json_is_string(json_object_get(x, "source")) ? jstr(x, "source") : "";
            const char *lo = json_is_string(json_object_get(x, "last_observation"))
                                 ? jstr(x, "last_observation")
                                 : "";
            printf("  %-14s %-7s %s%s%s%s: %s%s%s, %s%s%s%s%s\n", kind, jstr(x, "freq"),
                   jstr(x, "name"), *unit ? " [" : "", unit, *unit ? "]" : "", when,
                   *lo ? "; last observation " : "", lo, jstr(x, "data"), *src ? " (" : "", src,
                   *src ? ")" : "",
                   json_is_true(json_object_get(x, "read_by_rules")) ? ""
                                                                     : ", not read by the rules");
            shown++;
        }
        if (!shown)
            printf("  no series at all\n");
    }
    json_decref(d);
    return CW_EXIT_OK;
}

static int do_ref(const opts *o)
{
    if (o->n_pos != 1) {
        fprintf(stderr, "chainwatch supply ref: expected DIR\n");
        return CW_EXIT_USAGE;
    }
    cw_supply *s;
    int rc = cw_supply_open(&s, o->db);
    if (!rc)
        rc = cw_supply_ref_reload(s, o->pos[0]);
    cw_supply_close(s);
    if (rc)
        return fail(rc);
    printf("reference tables reloaded from %s\n", o->pos[0]);
    return CW_EXIT_OK;
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return CW_EXIT_USAGE;
    }
    opts o;
    if (parse(&o, argc, argv, 2))
        return CW_EXIT_USAGE;
    const char *sub = argv[1];
    o.must_exist = !strcmp(sub, "status") || !strcmp(sub, "explain") || !strcmp(sub, "changes") ||
                   !strcmp(sub, "backtest") || !strcmp(sub, "series") || !strcmp(sub, "coverage");
    if (!strcmp(sub, "load"))
        return do_load(&o);
    if (!strcmp(sub, "status"))
        return do_status(&o);
    if (!strcmp(sub, "explain"))
        return do_explain(&o);
    if (!strcmp(sub, "changes"))
        return do_changes(&o);
    if (!strcmp(sub, "series"))
        return do_series(&o);
    if (!strcmp(sub, "backtest"))
        return do_backtest(&o);
    if (!strcmp(sub, "synth"))
        return do_synth(&o);
    if (!strcmp(sub, "ref"))
        return do_ref(&o);
    if (!strcmp(sub, "coverage"))
        return do_coverage(&o);
    fprintf(stderr, "chainwatch supply: unknown subcommand '%s'\nTry 'chainwatch supply --help'.\n",
            sub);
    return CW_EXIT_USAGE;
}

const cw_command cw_cmd_supply = {
    "supply", "supply-chain early warning: load data, status, explain, backtest", usage, run};
