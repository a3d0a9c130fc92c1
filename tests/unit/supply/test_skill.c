/*
 * test_skill.c: the skill measurements of issue 16 on the real series in ../shared/data
 * (skipped when absent), loaded as the demo loads them (prices, China's exports, USGS, KOMIR,
 * the pre-2023 events):
 *  - the price-jump threshold of the default rule table (2.07) is the 95th percentile of
 *    price_jump on the World Bank nickel price before 2009 (563 months, 1962-01..2008-12: every
 *    month with 24 prior returns), set without any event;
 *  - the standing level's rungs are KOMIR's band cuts (20, 5, 1 of 100) on KOMIR's own scale,
 *    the base index 100 x (1 - price_pctile) (sixth stop; no free parameter);
 *  - no standing rule makes an alert; KOMIR's index is scored against the standing level;
 *  - KOMIR's supply-stability index (< 20) agrees with the price regime (price_regime >= 1,
 *    like for like) with Cohen's kappa >= 0.4 (0.521 measured), more than with the standing
 *    level;
 *  - the backtest's upper bound on the hit rate given data coverage is 10 / 19 (9 events have
 *    no series in their window), so the 0.7 goal cannot be met on these events;
 *  - the trade detectors' thresholds are a false-alarm budget on 2018-2022 trade data (5 % of
 *    cell-months per cell, split over 6 detectors), set without any event;
 *  - false alarms: every alert names its rules, gallium and germanium (one HS basket) are one
 *    trade signal, a series' first evaluable month is no alert, NSR < 0.5;
 *  - the out-of-sample split adds up to the headline;
 *  - precursors (earlier announcements by the same actor) never include the scored measure;
 *  - the series document of a commodity without trade data (lithium) builds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/supply.h"
#include "harness.h"

static cw_supply *s;

static void load(cw_supply_kind kind, const char *rel, const cw_supply_load_opts *o)
{
    cw_supply_load_report rep;
    int rc = cw_supply_load(s, kind, cw_test_data(rel), o, &rep);
    if (rc)
        fprintf(stderr, "  %s: %s\n", rel, cw_error_last());
    REQUIRE(rc == 0);
    CHECK_EQ_INT(rep.rows_rejected, 0);
    cw_supply_load_report_deinit(&rep);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void test_jump_calibration(void)
{
    cw_supply_timeline *t;
    REQUIRE(cw_supply_timeline_build(&t, s, "nickel", "KOR") == 0);
    size_t n = cw_supply_timeline_months(t), k = 0;
    double *v = malloc(n * sizeof *v);
    REQUIRE(v != NULL);
    for (size_t i = 0; i < n; i++) {
        const char *per = cw_supply_timeline_period(t, i);
        double x = cw_supply_timeline_value(t, "price_jump", i);
        if (strcmp(per, "2008-12") <= 0 && isfinite(x))
            v[k++] = x;
    }
    CHECK_EQ_INT(k, 563);
    qsort(v, k, sizeof *v, cmp_d);
    double q95 = v[(size_t)(0.95 * (double)k)];
    fprintf(stderr, "  nickel price_jump before 2009: %zu months, 95th percentile %.3f\n", k, q95);
    CHECK(fabs(q95 - 2.07) < 0.005);
    free(v);
    cw_supply_timeline_free(t);
    /* the default rule reads that threshold */
    cw_supply_rules *r;
    REQUIRE(cw_supply_rules_load(&r, NULL) == 0);
    json_t *d;
    REQUIRE(cw_supply_explain(s, r, "nickel", "KOR", "2022-03", &d) == 0);
    double j = json_number_value(json_object_get(json_object_get(d, "indicators"), "price_jump"));
    CHECK(isfinite(j) && j > 2.07); /* the LME squeeze month */
    json_decref(d);
    cw_supply_rules_free(r);
}

/* The standing level reads price_pctile, the month's price as a percentile rank of the
 * series' previous 10 years (all earlier history before the seventh stop; KOMIR's base
 * variable: mid- to long-term price risk). Sixth stop: its rungs are KOMIR's band cuts on
 * KOMIR's own scale, the base index being 100 x (1 - price_pctile): caution under 20
 * (st_tight: price_pctile > 0.80), unstable under 5 (st_peak, alert: > 0.95), crisis under 1
 * (st_crisis, severe: > 0.99); the per-partner rungs (s_exp50) sit one rung higher at the same
 * cuts. No free parameter; fixed before the run. (The fifth stop read the cuts as shares of months
 * on the nickel price 1963-2008: 0.9838 and 1.0.) What the caution rung costs on a nominal price
 * that trends: the share of the 552 nickel months before 2009 it holds in is printed and pinned. */
static double builtin_threshold(const char *rule);
static const char *builtin_field(const char *rule, int field, char *buf, size_t cap);

static void test_standing_scale(void)
{
    static const struct {
        const char *rule, *level, *requires;
        double band; /* KOMIR's cut on 0-100 */
    } rung[] = {{"st_tight", "caution", "", 20},
                {"st_peak", "alert", "", 5},
                {"st_crisis", "severe", "", 1},
                {"st_tight_dep", "alert", "s_exp50", 20},
                {"st_peak_dep", "severe", "s_exp50", 5}};
    for (size_t k = 0; k < sizeof rung / sizeof rung[0]; k++) {
        char f[64];
        CHECK(fabs(builtin_threshold(rung[k].rule) - (1.0 - rung[k].band / 100.0)) < 1e-12);
        CHECK_EQ_STR(builtin_field(rung[k].rule, 1, f, sizeof f), rung[k].level);
        CHECK_EQ_STR(builtin_field(rung[k].rule, 2, f, sizeof f), "standing");
        CHECK_EQ_STR(builtin_field(rung[k].rule, 3, f, sizeof f), "price_pctile");
        CHECK_EQ_STR(builtin_field(rung[k].rule, 4, f, sizeof f), ">"); /* index < cut */
        CHECK_EQ_STR(builtin_field(rung[k].rule, 7, f, sizeof f), rung[k].requires);
    }
    CHECK(isnan(builtin_threshold("s_price_tight"))); /* replaced in the fifth stop */
    cw_supply_timeline *t;
    REQUIRE(cw_supply_timeline_build(&t, s, "nickel", "KOR") == 0);
    size_t n = cw_supply_timeline_months(t), k = 0, caution = 0, unstable = 0, crisis = 0;
    for (size_t i = 0; i < n; i++) {
        double x = cw_supply_timeline_value(t, "price_pctile", i);
        if (strcmp(cw_supply_timeline_period(t, i), "2008-12") > 0 || !isfinite(x))
            continue;
        k++;
        caution += x > builtin_threshold("st_tight");
        unstable += x > builtin_threshold("st_peak");
        crisis += x > builtin_threshold("st_crisis");
    }
    /* seventh stop: the rank is over the previous 120 months (10 years) at most, not all
     * history, so a nominal price's drift since 1960 does not hold the standing level at
     * caution for decades; recomputed here from the timeline's own monthly price */
    size_t checked = 0, differs_from_all = 0;
    for (size_t i = 0; i < n; i++) {
        double x = cw_supply_timeline_value(t, "price_pctile", i);
        double pi = cw_supply_timeline_value(t, "price", i);
        if (!(isfinite(pi) && pi > 0))
            continue;
        double below = 0, below_all = 0;
        size_t kw = 0, ka = 0;
        for (size_t j = 0; j < i; j++) {
            double pj = cw_supply_timeline_value(t, "price", j);
            if (!(isfinite(pj) && pj > 0))
                continue;
            double b = pj < pi ? 1.0 : pj == pi ? 0.5 : 0.0;
            ka++;
            below_all += b;
            if (i - j <= 120) {
                kw++;
                below += b;
            }
        }
        if (kw < 36) {
            CHECK(isnan(x));
            continue;
        }
        checked++;
        CHECK(fabs(x - below / (double)kw) < 1e-12);
        differs_from_all += fabs(below / (double)kw - below_all / (double)ka) > 1e-9;
    }
    CHECK(checked > 700);
    CHECK(differs_from_all > 500);
    cw_supply_timeline_free(t);
    fprintf(stderr,
            "  nickel price_pctile before 2009: %zu months; base index under 20 in %.1f %%, under "
            "5 in %.1f %%, under 1 in %.1f %%\n",
            k, 100.0 * (double)caution / (double)k, 100.0 * (double)unstable / (double)k,
            100.0 * (double)crisis / (double)k);
    CHECK_EQ_INT(k, 552);
    CHECK(caution > unstable && unstable >= crisis && crisis > 0);
    /* seventh stop, ranked over 10 years: 46.9 / 33.7 / 13.4 % (all history: 70.8 / 41.1 /
     * 14.5 %) */
    CHECK(fabs(100.0 * (double)caution / (double)k - 46.9) < 0.1);
    CHECK(fabs(100.0 * (double)unstable / (double)k - 33.7) < 0.1);
    CHECK(fabs(100.0 * (double)crisis / (double)k - 13.4) < 0.1);
}

/* The threshold of a rule in the built-in default table (field 6 of its CSV line). */
static double builtin_threshold(const char *rule)
{
    const char *t = cw_supply_ref_builtin("rules.csv");
    char key[48];
    snprintf(key, sizeof key, "\n%s,", rule);
    const char *p = t ? strstr(t, key) : NULL;
    if (!p)
        return NAN;
    p++;
    for (int f = 0; f < 5; f++) {
        p = strchr(p, ',');
        if (!p)
            return NAN;
        p++;
    }
    return strtod(p, NULL);
}

/* Field `field` (0-based) of a rule's line in the built-in default table, unquoted fields only. */
static const char *builtin_field(const char *rule, int field, char *buf, size_t cap)
{
    const char *t = cw_supply_ref_builtin("rules.csv");
    char key[48];
    snprintf(key, sizeof key, "\n%s,", rule);
    const char *p = t ? strstr(t, key) : NULL;
    buf[0] = 0;
    if (!p)
        return buf;
    p++;
    for (int f = 0; f < field; f++) {
        p = strchr(p, ',');
        if (!p)
            return buf;
        p++;
    }
    size_t len = strcspn(p, ",\n");
    snprintf(buf, cap, "%.*s", (int)(len < cap ? len : cap - 1), p);
    return buf;
}

/* The trade detectors' thresholds are a false-alarm budget (issue 16, third stop): 5 % of the
 * months of a trade cell, split over its 6 detectors, so each threshold is the 1 - 0.05/6
 * quantile of its indicator over every distinct trade cell-month 2018-04..2022-12 (China's
 * exports of graphite, gallium/germanium and rare earths to USA, KOR and JPN; no event of the
 * files is on these commodities in that span). Germanium's series is gallium's (the basket
 * 811292 carries all of it): counted once. */
static void test_trade_budget(void)
{
    static const char *const com[] = {"graphite", "gallium", "rare_earths"};
    static const char *const par[] = {"USA", "KOR", "JPN"};
    static const struct {
        const char *ind, *rule;
        double sign;
    } det[] = {{"line_z_up", "d_trade_up", 1},
               {"line_z_down", "d_trade_down", -1},
               {"trade_cusum_up", "d_trade_cusum_up", 1},
               {"trade_cusum_down", "d_trade_cusum_down", 1},
               {"trade_ewma_abs", "d_trade_ewma", 1},
               {"trade_cp", "d_trade_cp", 1}};
    const double q = 1.0 - 0.05 / 6.0;
    /* germanium = gallium, month by month */
    for (int p = 0; p < 3; p++) {
        cw_supply_timeline *a, *b;
        REQUIRE(cw_supply_timeline_build(&a, s, "gallium", par[p]) == 0);
        REQUIRE(cw_supply_timeline_build(&b, s, "germanium", par[p]) == 0);
        size_t same = 0;
        REQUIRE(cw_supply_timeline_months(a) == cw_supply_timeline_months(b));
        for (size_t i = 0; i < cw_supply_timeline_months(a); i++) {
            double x = cw_supply_timeline_value(a, "trade_value", i),
                   y = cw_supply_timeline_value(b, "trade_value", i);
            same += (isnan(x) && isnan(y)) || x == y;
        }
        CHECK_EQ_INT(same, cw_supply_timeline_months(a));
        cw_supply_timeline_free(a);
        cw_supply_timeline_free(b);
    }
    for (size_t d = 0; d < sizeof det / sizeof det[0]; d++) {
        double *v = malloc(2000 * sizeof *v);
        REQUIRE(v != NULL);
        size_t n = 0, months = 0;
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < 3; p++) {
                cw_supply_timeline *t;
                REQUIRE(cw_supply_timeline_build(&t, s, com[c], par[p]) == 0);
                for (size_t i = 0; i < cw_supply_timeline_months(t) && n < 2000; i++) {
                    const char *per = cw_supply_timeline_period(t, i);
                    if (strcmp(per, "2018-04") < 0 || strcmp(per, "2022-12") > 0)
                        continue;
                    months += isfinite(cw_supply_timeline_value(t, "trade_z", i));
                    double x = cw_supply_timeline_value(t, det[d].ind, i);
                    if (isfinite(x))
                        v[n++] = det[d].sign * x;
                }
                cw_supply_timeline_free(t);
            }
        qsort(v, n, sizeof *v, cmp_d);
        double qv = det[d].sign * v[(size_t)(q * (double)n)];
        double thr = builtin_threshold(det[d].rule);
        fprintf(stderr, "  %-18s %-16s %zu values (%zu cell-months): quantile %.3f, rule %.2f\n",
                det[d].rule, det[d].ind, n, months, qv, thr);
        /* 480 until the seventh stop; gallium/germanium read China's product group since
         * (wider basket), which has 8 unit-value months missing in the span */
        CHECK(months == 472);
        CHECK(fabs(qv - thr) < 0.006);
        free(v);
    }
}

/* d_line_stop's threshold (issue 16, eighth stop) by the trade false-alarm budget, set without
 * any event: the smallest count k >= 2 with line_stop >= k in at most 5 % / 6 of the distinct
 * trade cell-months 2018-04..2022-12 where line_stop is defined (258: gallium/germanium and
 * graphite to USA, KOR, JPN; rare earths have no HS6 rows). 811292 is lumpy (to the USA 3-5 of
 * 6 months near zero in 2020 and 2021), so k is 5: 1 cell-month at 5, 10 at >= 4. */
static void test_line_stop_budget(void)
{
    static const char *const com[] = {"graphite", "gallium", "rare_earths"};
    static const char *const par[] = {"USA", "KOR", "JPN"};
    size_t n = 0, ge[8] = {0};
    for (int c = 0; c < 3; c++)
        for (int p = 0; p < 3; p++) {
            cw_supply_timeline *t;
            REQUIRE(cw_supply_timeline_build(&t, s, com[c], par[p]) == 0);
            for (size_t i = 0; i < cw_supply_timeline_months(t); i++) {
                const char *per = cw_supply_timeline_period(t, i);
                double x = cw_supply_timeline_value(t, "line_stop", i);
                if (strcmp(per, "2018-04") < 0 || strcmp(per, "2022-12") > 0 || !isfinite(x))
                    continue;
                n++;
                for (int k = 0; k < 8; k++)
                    ge[k] += x >= k;
            }
            cw_supply_timeline_free(t);
        }
    int k = 2;
    while (k < 7 && (double)ge[k] > (0.05 / 6.0) * (double)n)
        k++;
    fprintf(stderr,
            "  line_stop: %zu cell-months, >= 2: %zu, >= 3: %zu, >= 4: %zu, >= 5: %zu;"
            " budget k %d, rule %.0f\n",
            n, ge[2], ge[3], ge[4], ge[5], k, builtin_threshold("d_line_stop"));
    CHECK_EQ_INT(n, 258);
    CHECK_EQ_INT(k, 5);
    CHECK(builtin_threshold("d_line_stop") == k);
    /* Rule B of the eighth stop, retired by its own pre-registered test (no event matched that
     * d_price_jump did not, 2 new false alarms): not in the default table. */
    CHECK(isnan(builtin_threshold("d_price_jump_eom")));
}

/* d_trade_frontload's threshold (stop 17) by the trade false-alarm budget, set without any
 * event: the 99.17th percentile (5 % / 6) of trade_frontload over the distinct trade
 * cell-months 2018-04..2022-12 where it is defined (graphite, gallium/germanium and rare earths
 * to USA, KOR, JPN), the procedure of the six trade detectors (test_trade_budget). */
static void test_frontload_budget(void)
{
    static const char *const com[] = {"graphite", "gallium", "rare_earths"};
    static const char *const par[] = {"USA", "KOR", "JPN"};
    double v[2000];
    size_t n = 0;
    for (int c = 0; c < 3; c++)
        for (int p = 0; p < 3; p++) {
            cw_supply_timeline *t;
            REQUIRE(cw_supply_timeline_build(&t, s, com[c], par[p]) == 0);
            for (size_t i = 0; i < cw_supply_timeline_months(t) && n < 2000; i++) {
                const char *per = cw_supply_timeline_period(t, i);
                double x = cw_supply_timeline_value(t, "trade_frontload", i);
                if (strcmp(per, "2018-04") < 0 || strcmp(per, "2022-12") > 0 || !isfinite(x))
                    continue;
                v[n++] = x;
            }
            cw_supply_timeline_free(t);
        }
    CHECK_EQ_INT(n, 513);
    if (n < 5)
        return;
    qsort(v, n, sizeof *v, cmp_d);
    double qv = v[(size_t)((1.0 - 0.05 / 6.0) * (double)n)];
    fprintf(stderr,
            "  trade_frontload: %zu cell-months, quantile %.3f (largest %.3f, %.3f, %.3f,"
            " %.3f, %.3f), rule %.2f\n",
            n, qv, v[n - 1], v[n - 2], v[n - 3], v[n - 4], v[n - 5],
            builtin_threshold("d_trade_frontload"));
    size_t met = 0;
    for (size_t i = 0; i < n; i++)
        met += v[i] >= 4.57;
    /* registered in the docs before any backtest ran with the rule (stop 17) */
    CHECK(fabs(qv - 4.57) < 0.006);
    CHECK_EQ_INT(met, 4);
}

static void test_backtest_skill(void)
{
    cw_supply_rules *r;
    REQUIRE(cw_supply_rules_load(&r, NULL) == 0);
    /* cw_test_data() returns one static buffer: copy each path */
    char f0[1024], f1[1024], f2[1024];
    snprintf(f0, sizeof f0, "%s", cw_test_data("facts/disruption_events.csv"));
    snprintf(f1, sizeof f1, "%s",
             cw_test_data("policy-events-gta-iea/gta_trade_controls_subset.csv"));
    snprintf(f2, sizeof f2, "%s",
             cw_test_data("policy-events-gta-iea/iea_cm_policies_trade_subset.csv"));
    const char *files[] = {f0, f1, f2};
    cw_supply_backtest_opts o = {NULL, NULL, CW_SUPPLY_CAUTION, 12, 12, 24, "2016-01", 0, 0};
    json_t *res;
    REQUIRE(cw_supply_backtest(s, r, files, 3, &o, &res) == 0);
    json_t *sum = json_object_get(res, "summary");
    long long hits = json_integer_value(json_object_get(sum, "hits")),
              misses = json_integer_value(json_object_get(sum, "misses")),
              nod = json_integer_value(json_object_get(sum, "no_data")),
              scored = json_integer_value(json_object_get(sum, "scored"));
    fprintf(stderr, "  backtest: %lld hits, %lld misses, %lld no data of %lld\n", hits, misses, nod,
            scored);
    CHECK_EQ_INT(scored, 19);
    CHECK_EQ_INT(nod, 9);
    CHECK_EQ_INT(hits, 7);
    /* false alarms (issue 16, third stop): measured with the demo's command, NSR 0.410 and
     * 21 of 27 alerts unmatched; here (no WGI, KOMIR, Pink Sheet long) the same rules */
    double nsr = json_number_value(json_object_get(sum, "noise_to_signal"));
    fprintf(stderr, "  noise-to-signal %.3f, alerts %lld, false %lld\n", nsr,
            json_integer_value(json_object_get(sum, "alerts")),
            json_integer_value(json_object_get(sum, "false_alarms")));
    CHECK(nsr < 0.5);
    /* every alert names its rules; germanium's trade cells are gallium's (counted once); the
     * BOCPD warm-up leaves no change point in the first months of China's exports (2018-04 is
     * their first robust z: before, 11 cells "switched on" there, 8 of them by d_trade_cp) */
    json_t *um = json_object_get(res, "unmatched_alerts");
    CHECK(json_array_size(um) > 0);
    int first_month = 0;
    for (size_t i = 0; i < json_array_size(um); i++) {
        json_t *a = json_array_get(um, i);
        const char *rules = json_string_value(json_object_get(a, "rules"));
        CHECK(rules && rules[0]);
        const char *com = json_string_value(json_object_get(a, "commodity"));
        const char *pa = json_string_value(json_object_get(a, "partner"));
        const char *per = json_string_value(json_object_get(a, "period"));
        CHECK(!(com && !strcmp(com, "germanium") && pa && strcmp(pa, "all (price)")));
        if (per && !strcmp(per, "2018-04") && pa && strcmp(pa, "all (price)")) {
            first_month++;
            CHECK(strstr(rules, "d_trade_cp") == NULL);
        }
    }
    CHECK(first_month <= 1); /* graphite KOR: a real z of -6.7 on HS 380110 */
    CHECK(json_is_object(json_object_get(res, "alerts_by_rule")));
    /* no pre-2023 event window covers a commodity with trade data (China's exports start in
     * 2017; the events on graphite, gallium and germanium are later): the trade cells' NSR
     * cannot be measured here, the price cells' can */
    CHECK(json_is_null(json_object_get(sum, "noise_to_signal_trade")));
    CHECK(json_is_number(json_object_get(sum, "noise_to_signal_price")));
    double ub = json_number_value(json_object_get(sum, "hit_rate_upper_bound"));
    CHECK(fabs(ub - 10.0 / 19.0) < 1e-9);
    CHECK(ub < 0.7);
    /* out of sample: the two periods add up to the headline */
    json_t *per = json_object_get(json_object_get(res, "out_of_sample"), "periods");
    REQUIRE(json_array_size(per) == 2);
    long long hs = 0, ss = 0;
    for (size_t i = 0; i < 2; i++) {
        hs += json_integer_value(json_object_get(json_array_get(per, i), "hits"));
        ss += json_integer_value(json_object_get(json_array_get(per, i), "scored"));
    }
    CHECK_EQ_INT(hs, hits);
    CHECK_EQ_INT(ss, scored);
    /* two signals apart: no standing rule makes an alert */
    json_t *abr = json_object_get(res, "alerts_by_rule");
    const char *rk;
    json_t *rv;
    json_object_foreach(abr, rk, rv)
    {
        CHECK(strncmp(rk, "st_", 3) != 0);
        CHECK(strcmp(rk, "s_price_high") != 0);
    }
    /* KOMIR is scored against the standing level: chainwatch's caution months are the KOR
     * months of KOMIR's index (2018-01..2024-05) with the standing level >= caution */
    json_t *km = json_object_get(res, "komir_agreement");
    {
        long long cw_bad = 0;
        static const char *const kc[] = {"lithium", "cobalt", "nickel"};
        for (int c = 0; c < 3; c++) {
            cw_supply_timeline *t;
            REQUIRE(cw_supply_timeline_build(&t, s, kc[c], "KOR") == 0);
            for (size_t i = 0; i < cw_supply_timeline_months(t); i++) {
                const char *pm = cw_supply_timeline_period(t, i);
                if (strcmp(pm, "2018-01") >= 0 && strcmp(pm, "2024-05") <= 0)
                    cw_bad += cw_supply_timeline_standing(t, r, i) >= CW_SUPPLY_CAUTION;
            }
            cw_supply_timeline_free(t);
        }
        long long got = json_integer_value(json_object_get(km, "both_caution")) +
                        json_integer_value(json_object_get(km, "chainwatch_only"));
        fprintf(stderr, "  KOMIR: standing level >= caution in %lld KOR months, scored %lld\n",
                cw_bad, got);
        CHECK_EQ_INT(got, cw_bad);
        CHECK(cw_bad > 0);
        CHECK(strstr(json_string_value(json_object_get(km, "method")), "standing") != NULL);
        json_t *acc = json_object_get(res, "acceptance");
        CHECK_EQ_STR(
            json_string_value(json_object_get(json_object_get(acc, "komir_kappa"), "signal")),
            "standing level");
        CHECK_EQ_STR(
            json_string_value(json_object_get(json_object_get(acc, "placebo_p"), "signal")),
            "alerts");
    }
    /* KOMIR: like for like (the price regime) agrees; the standing level less */
    double k_level = json_number_value(json_object_get(km, "kappa"));
    json_t *kl = json_object_get(km, "like_for_like");
    double k_like = json_number_value(json_object_get(kl, "kappa"));
    long long n_like = json_integer_value(json_object_get(kl, "both_caution")) +
                       json_integer_value(json_object_get(kl, "komir_only")) +
                       json_integer_value(json_object_get(kl, "chainwatch_only")) +
                       json_integer_value(json_object_get(kl, "both_stable"));
    fprintf(stderr,
            "  KOMIR kappa: standing level >= caution %.3f, like for like %.3f over %lld months\n",
            k_level, k_like, n_like);
    CHECK(k_like >= 0.4);
    CHECK(n_like > 150);
    /* sixth stop: the standing rungs on KOMIR's scale (base index 100 x (1 - price_pctile));
     * measured once after they were fixed: 0.535 on the demo's database */
    CHECK(k_level >= 0.4);
    /* KOMIR against coverage: which inputs of its published method exist per KOR month (no
     * look-ahead), kappa where the long-run price exists, and the bound given coverage */
    json_t *kv = json_object_get(km, "coverage");
    REQUIRE(json_is_object(kv));
    {
        static const char *const kc[] = {"lithium", "cobalt", "nickel"};
        for (int c = 0; c < 3; c++) {
            json_t *cv = json_object_get(json_object_get(kv, "by_commodity"), kc[c]);
            REQUIRE(json_is_object(cv));
            cw_supply_timeline *t;
            REQUIRE(cw_supply_timeline_build(&t, s, kc[c], "KOR") == 0);
            long long lr = 0, pc = 0, months = 0;
            for (size_t i = 0; i < cw_supply_timeline_months(t); i++) {
                const char *pm = cw_supply_timeline_period(t, i);
                if (strcmp(pm, "2018-01") < 0 || strcmp(pm, "2024-05") > 0)
                    continue;
                months++;
                lr += isfinite(cw_supply_timeline_value(t, "price_pctile", i));
                pc += isfinite(cw_supply_timeline_value(t, "prod_hhi", i));
            }
            cw_supply_timeline_free(t);
            fprintf(stderr,
                    "  KOMIR coverage %s: %lld months, long-run price %lld, production "
                    "concentration %lld\n",
                    kc[c], months, lr, pc);
            CHECK_EQ_INT(json_integer_value(json_object_get(cv, "index_months")), 77);
            CHECK_EQ_INT(json_integer_value(json_object_get(cv, "with_long_run_price")), lr);
            CHECK_EQ_INT(json_integer_value(json_object_get(cv, "with_production_concentration")),
                         pc);
            /* USGS MCS 2026: 2024 and 2025 only, never read backwards; since stop 18 each year
             * from its publication (2024's from 2025-01, after KOMIR's last month 2024-05;
             * before, 2024-01..05 read 2024's figures) */
            CHECK_EQ_INT(pc, 0);
            double kb = json_number_value(json_object_get(cv, "kappa_bound"));
            CHECK(kb >= json_number_value(json_object_get(
                            json_object_get(json_object_get(km, "by_commodity"), kc[c]), "kappa")) -
                            1e-12);
            /* a KOMIR caution month without the long-run price has a where-published line */
            CHECK((json_integer_value(json_object_get(cv, "caution_without_long_run_price")) > 0) ==
                  json_is_string(json_object_get(cv, "where")));
        }
        /* nickel's price runs from 1960: every KOMIR month has its long-run price; cobalt's
         * starts 2017-01, so its 2018 months do not (36 earlier months needed) */
        json_t *ni = json_object_get(json_object_get(kv, "by_commodity"), "nickel");
        json_t *co = json_object_get(json_object_get(kv, "by_commodity"), "cobalt");
        CHECK_EQ_INT(json_integer_value(json_object_get(ni, "with_long_run_price")), 77);
        CHECK(json_integer_value(json_object_get(co, "caution_without_long_run_price")) > 0);
        double kb = json_number_value(json_object_get(kv, "kappa_bound"));
        CHECK(kb >= k_level);
        json_t *acc = json_object_get(res, "acceptance");
        CHECK(fabs(json_number_value(json_object_get(json_object_get(acc, "komir_kappa"),
                                                     "bound_given_coverage")) -
                   kb) < 1e-12);
        CHECK(fabs(json_number_value(
                       json_object_get(json_object_get(acc, "hit_rate"), "bound_given_coverage")) -
                   10.0 / 19.0) < 1e-12);
    }
    /* precursors: earlier announcements by the same actor, never a listing of the scored
     * measure itself (Zimbabwe's 2022 lithium ban is in facts, GTA and IEA) */
    json_t *pre = json_object_get(res, "precursors");
    CHECK_EQ_INT(json_integer_value(json_object_get(pre, "precursor_hits")), 5);
    CHECK_EQ_INT(json_integer_value(json_object_get(pre, "combined_hits")), 12);
    json_t *pe = json_object_get(pre, "events");
    bool zw = false, ree = false;
    for (size_t i = 0; i < json_array_size(pe); i++) {
        const char *id = json_string_value(json_object_get(json_array_get(pe, i), "event_id"));
        const char *at =
            json_string_value(json_object_get(json_array_get(pe, i), "precursor_announced"));
        zw = zw || !strcmp(id, "zw_li_ore_ban");
        if (!strcmp(id, "ree_2010_japan_halt")) /* China's July 2010 quota cut came first */
            ree = !strcmp(at, "2010-07");
    }
    CHECK(!zw);
    CHECK(ree);
    json_decref(res);
    /* a bad split month is refused */
    o.split = "2016-13";
    CHECK(cw_supply_backtest(s, r, files, 3, &o, &res) == CW_EINVAL);
    cw_supply_rules_free(r);
}

static void test_series_without_trade(void)
{
    cw_supply_rules *r;
    REQUIRE(cw_supply_rules_load(&r, NULL) == 0);
    json_t *d = NULL;
    int rc = cw_supply_series(s, r, "lithium", "KOR", &d);
    if (rc)
        fprintf(stderr, "  %s\n", cw_error_last());
    CHECK_EQ_INT(rc, 0);
    CHECK(json_is_null(json_object_get(json_object_get(d, "trade_series"), "basis")));
    CHECK(json_array_size(json_object_get(d, "price")) > 90);
    json_decref(d);
    cw_supply_rules_free(r);
}

/* Fifteenth stop: KOMIR's market-risk index (loaded here, after the other tests, so that their
 * figures are those of the demo's default table). komir_mrisk_jump, the index's fall in sd of
 * its previous 36 monthly log changes, is defined in 35 months before 2016-01 (cobalt
 * 2013-02..2015-12; lithium from 2017-02) and reaches d_price_jump's 2.07 in none of them
 * (largest 2.01, 2014-03): the opt-in rule d_mrisk_jump is within its 5 % budget before the
 * split; no default rule reads the index. */
static void test_mrisk_budget(void)
{
    load(CW_SUPPLY_KOMIR, "komir-supply-risk-indices/komir_marketidx_cobalt.csv", NULL);
    load(CW_SUPPLY_KOMIR, "komir-supply-risk-indices/komir_marketidx_lithium.csv", NULL);
    size_t pre = 0, met = 0;
    double top = -INFINITY;
    char top_at[8] = "";
    const char *com[] = {"cobalt", "lithium"}, *first[] = {"2011-01", "2015-01"},
               *first_jump[] = {"2013-02", "2017-02"};
    for (int c = 0; c < 2; c++) {
        cw_supply_timeline *t;
        REQUIRE(cw_supply_timeline_build(&t, s, com[c], "USA") == 0);
        size_t n = cw_supply_timeline_months(t);
        CHECK_EQ_STR(cw_supply_timeline_period(t, 0), first[c]);
        const char *fj = NULL;
        for (size_t i = 0; i < n; i++) {
            const char *per = cw_supply_timeline_period(t, i);
            double j = cw_supply_timeline_value(t, "komir_mrisk_jump", i);
            if (isfinite(j) && !fj)
                fj = per;
            if (isfinite(j) && strcmp(per, "2016-01") < 0) {
                pre++;
                met += j >= 2.07;
                if (j > top) {
                    top = j;
                    snprintf(top_at, sizeof top_at, "%s", per);
                }
            }
        }
        CHECK(fj && !strcmp(fj, first_jump[c]));
        cw_supply_timeline_free(t);
    }
    fprintf(stderr,
            "  komir_mrisk_jump before 2016-01: %zu months, %zu at >= 2.07, largest %.3f (%s)\n",
            pre, met, top, top_at);
    CHECK_EQ_INT(pre, 35);
    CHECK_EQ_INT(met, 0);
    CHECK(fabs(top - 2.012) < 0.005 && !strcmp(top_at, "2014-03"));
    /* no rule of the default table reads the index */
    cw_supply_rules *r;
    REQUIRE(cw_supply_rules_load(&r, NULL) == 0);
    json_t *d;
    REQUIRE(cw_supply_explain(s, r, "cobalt", "KOR", "2018-04", &d) == 0);
    char *dump = json_dumps(d, 0);
    CHECK(dump && !strstr(dump, "\"indicator\": \"komir_"));
    CHECK(isfinite(
        json_number_value(json_object_get(json_object_get(d, "indicators"), "komir_mrisk_jump"))));
    free(dump);
    json_decref(d);
    cw_supply_rules_free(r);
}

int main(void)
{
    cw_test_data("worldbank-pink-sheet/monthly_prices.csv");
    char path[1024];
    snprintf(path, sizeof path, "%s/skill16.db", cw_test_tmpdir());
    if (cw_supply_open(&s, path)) {
        fprintf(stderr, "%s\n", cw_error_last());
        return 1;
    }
    cw_supply_load_opts chn = {"CHN", "X", NULL, NULL, false};
    load(CW_SUPPLY_COMTRADE, "china-cm-exports-comtrade/deep_dive_hs6_monthly.csv", &chn);
    load(CW_SUPPLY_COMTRADE, "china-cm-exports-comtrade/country_monthly_stats.csv", &chn);
    load(CW_SUPPLY_USGS, "usgs-mcs2026-extract/world_production_mcs2026.csv", NULL);
    load(CW_SUPPLY_USGS, "usgs-mcs2026-extract/us_import_sources_mcs2026.csv", NULL);
    load(CW_SUPPLY_PINKSHEET, "worldbank-pink-sheet/monthly_prices.csv", NULL);
    cw_supply_load_opts li = {NULL, NULL, "li2co3_cn_spot", "CNY/t", false};
    load(CW_SUPPLY_PRICES,
         "lithium-carbonate-china-spot/lithium_carbonate_99.5_china_spot_daily.csv", &li);
    load(CW_SUPPLY_PRICES, "lithium-carbonate-china-spot/lithium_carbonate_china_spot_monthly.csv",
         NULL);
    const char *metal[] = {"Cobalt", "Lithium", "Nickel"},
               *ser[] = {"cobalt_dmp", "lithium_dmp", "nickel_dmp"};
    for (int i = 0; i < 3; i++) {
        char rel[160];
        snprintf(
            rel, sizeof rel,
            "battery-metal-prices-dailymetalprice/%s_prices_2017-01-01_to_2025-10-31_merged.csv",
            metal[i]);
        cw_supply_load_opts mo = {NULL, NULL, ser[i], NULL, false};
        load(CW_SUPPLY_PRICES, rel, &mo);
    }
    load(CW_SUPPLY_PRICES, "battery-metal-prices-dailymetalprice/battery_metals_monthly.csv", NULL);
    load(CW_SUPPLY_PRICES, "ree-prices-china-daily/rare_earth_prices_cn_daily_orig.csv", NULL);
    load(CW_SUPPLY_PRICES, "komis-minor-metal-prices/komis_prices_monthly_mean.csv", NULL);
    const char *km[] = {"lithium", "cobalt", "nickel"};
    for (int i = 0; i < 3; i++) {
        char rel[160];
        snprintf(rel, sizeof rel, "komir-supply-risk-indices/komir_procureidx_%s.csv", km[i]);
        load(CW_SUPPLY_KOMIR, rel, NULL);
    }
    load(CW_SUPPLY_EVENTS, "facts/disruption_events.csv", NULL);
    RUN(test_jump_calibration);
    RUN(test_standing_scale);
    RUN(test_trade_budget);
    RUN(test_line_stop_budget);
    RUN(test_frontload_budget);
    RUN(test_backtest_skill);
    RUN(test_series_without_trade);
    RUN(test_mrisk_budget);
    cw_supply_close(s);
    return cw_test_done();
}
