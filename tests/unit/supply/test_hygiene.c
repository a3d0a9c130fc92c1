/*
 * test_hygiene.c: series hygiene and direction on generated series (exact, no shared data):
 *  - a near-zero month in a steady series is a collapse (line_z_down far below -3.5, and two in
 *    a row make trade_floor_run 2), while the same month in a lumpy series (near-zero months
 *    before) is read as missing (no z at all);
 *  - a change point on a falling price does not count (price_cp_up 0), on a rising one it does;
 *  - a file with a "synthetic" column is marked synthetic, a plain one real;
 *  - a standing rule (a price at the top of its history) raises the standing level only: no
 *    alert-level change, no anomaly on the chart, and the series document carries it apart;
 *  - an HS6 line that stops inside a product group that holds (line_stop, d_line_stop) and a
 *    rise in a month's last days (price_jump_eom, d_price_jump_eom), eighth stop;
 *  - the newest month of a daily series that stops before its month's last 7 days is partial
 *    and its level provisional; one ending on its month's last day, or a monthly series, is
 *    complete (twelfth stop).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/supply.h"
#include "chainwatch/util.h"
#include "harness.h"

static cw_supply *s;

/* explain's document for commodity x partner at the month under the default rules, or NULL
 * (the error printed) */
static json_t *explain(const char *com, const char *par, const char *month)
{
    cw_supply_rules *r = NULL;
    json_t *d = NULL;
    if (cw_supply_rules_load(&r, NULL) || cw_supply_explain(s, r, com, par, month, &d)) {
        fprintf(stderr, "  explain %s %s %s: %s\n", com, par, month, cw_error_last());
        d = NULL;
    }
    cw_supply_rules_free(r);
    return d;
}

static double at(cw_supply_timeline *t, const char *ind, const char *period)
{
    for (size_t i = 0; i < cw_supply_timeline_months(t); i++)
        if (!strcmp(cw_supply_timeline_period(t, i), period))
            return cw_supply_timeline_value(t, ind, i);
    return NAN;
}

static void test_floor(void)
{
    /* 48 months 2018-01..2021-12: KOR steady ~4 M (a small seasonal wiggle) with 7,000 in
     * 2021-11 and 2021-12; USA lumpy: the same level but near zero every 7th month, and in
     * 2021-11 */
    char path[1024];
    snprintf(path, sizeof path, "%s/trade.csv", cw_test_tmpdir());
    cw_buf b = {0};
    cw_buf_printf(&b, "period_dt,partner_name,hs6,val,qty\n");
    for (int k = 0; k < 48; k++) {
        int y = 2018 + k / 12, m = k % 12 + 1;
        double steady = 4e6 * (1 + 0.05 * sin(k * 0.5));
        if (k >= 46)
            steady = 7000;
        double lumpy = (k % 7 == 3 || k == 46) ? 600 : 4e6 * (1 + 0.05 * cos(k * 0.7));
        cw_buf_printf(&b, "%04d-%02d-01,South Korea,250410,%.0f,%.0f\n", y, m, steady, steady / 4);
        cw_buf_printf(&b, "%04d-%02d-01,USA,250410,%.0f,%.0f\n", y, m, lumpy, lumpy / 4);
    }
    REQUIRE(cw_file_write_atomic(path, b.data, b.len) == 0);
    cw_buf_deinit(&b);
    cw_supply_load_opts o = {"CHN", "X", NULL, NULL, false};
    cw_supply_load_report rep;
    REQUIRE(cw_supply_load(s, CW_SUPPLY_COMTRADE, path, &o, &rep) == 0);
    cw_supply_load_report_deinit(&rep);
    cw_supply_timeline *t;
    REQUIRE(cw_supply_timeline_build(&t, s, "graphite", "KOR") == 0);
    double z = at(t, "line_z_down", "2021-11");
    fprintf(stderr, "  steady series, first near-zero month: line_z_down %.1f\n", z);
    CHECK(z <= -3.5);
    CHECK(at(t, "trade_floor_run", "2021-11") == 1);
    CHECK(at(t, "trade_floor_run", "2021-12") == 2);
    CHECK(at(t, "trade_floor_run", "2021-10") == 0);
    cw_supply_timeline_free(t);
    REQUIRE(cw_supply_timeline_build(&t, s, "graphite", "USA") == 0);
    fprintf(stderr, "  lumpy series, near-zero month: line_z_down %g\n",
            at(t, "line_z_down", "2021-11"));
    CHECK(isnan(at(t, "line_z_down", "2021-11"))); /* read as missing */
    CHECK(isnan(at(t, "trade_z", "2021-11")));
    CHECK(isfinite(at(t, "line_z_down", "2021-09"))); /* the other months are data */
    cw_supply_timeline_free(t);
    /* explain reports the hygiene and says the data are real (no "synthetic" column) */
    json_t *d = explain("graphite", "USA", "2021-11");
    REQUIRE(d);
    json_t *data = json_object_get(d, "data");
    CHECK(json_integer_value(json_object_get(json_object_get(data, "hygiene"), "floor_months")) >=
          1);
    CHECK_EQ_STR(json_string_value(json_object_get(data, "series_kind")), "real");
    json_decref(d);
}

static void test_price_direction(void)
{
    /* two synthetic price series (marked synthetic): flat with noise for 4 years, then a 40 %
     * fall (cobalt) or a 40 % rise (nickel) */
    char path[1024];
    snprintf(path, sizeof path, "%s/prices.csv", cw_test_tmpdir());
    cw_buf b = {0};
    cw_buf_printf(&b, "series,date,value,unit,synthetic\n");
    for (int k = 0; k < 60; k++) {
        double base = 100 * (1 + 0.03 * sin(k * 1.3));
        double down = k >= 48 ? base * 0.6 : base, up = k >= 48 ? base * 1.4 : base;
        cw_buf_printf(&b, "synth_cobalt,%04d-%02d-01,%.3f,USD/t,1\n", 2015 + k / 12, k % 12 + 1,
                      down);
        cw_buf_printf(&b, "synth_nickel,%04d-%02d-01,%.3f,USD/t,1\n", 2015 + k / 12, k % 12 + 1,
                      up);
    }
    REQUIRE(cw_file_write_atomic(path, b.data, b.len) == 0);
    cw_buf_deinit(&b);
    cw_supply_load_report rep;
    REQUIRE(cw_supply_load(s, CW_SUPPLY_PRICES, path, NULL, &rep) == 0);
    cw_supply_load_report_deinit(&rep);
    cw_supply_timeline *t;
    REQUIRE(cw_supply_timeline_build(&t, s, "cobalt", "JPN") == 0);
    double cp = at(t, "price_cp", "2019-01"), up = at(t, "price_cp_up", "2019-01");
    fprintf(stderr, "  falling price: price_cp %.3f, price_cp_up %.3f\n", cp, up);
    CHECK(cp >= 0.5); /* a break */
    CHECK(up == 0.0); /* not a shortage signal */
    cw_supply_timeline_free(t);
    REQUIRE(cw_supply_timeline_build(&t, s, "nickel", "JPN") == 0);
    cp = at(t, "price_cp", "2019-01");
    up = at(t, "price_cp_up", "2019-01");
    fprintf(stderr, "  rising price: price_cp %.3f, price_cp_up %.3f\n", cp, up);
    CHECK(cp >= 0.5 && up == cp);
    cw_supply_timeline_free(t);
    json_t *d = explain("nickel", "JPN", "2019-01");
    REQUIRE(d);
    CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(d, "data"), "series_kind")),
                 "synthetic");
    json_decref(d);
}

/* Two levels apart (issue 16, fifth stop): with the rising nickel price of
 * test_price_direction (flat 48 months, then 40 % higher: a new high of its history from
 * 2019-01), a standing rule on price_pctile puts the standing level at caution while the alert
 * level, its changes and the chart's anomalies know nothing of it. */
static void test_standing_apart(void)
{
    static const char table[] =
        "rule_id,level,kind,indicator,op,threshold,lookback_months,requires,source\n"
        "x_peak,caution,standing,price_pctile,>=,0.99,0,,test: a new high\n"
        "x_struct,interest,structural,prod_hhi,>=,0.25,0,,test\n";
    cw_supply_rules *r;
    REQUIRE(cw_supply_rules_parse(&r, table, strlen(table), "t.csv") == 0);
    cw_supply_timeline *t;
    REQUIRE(cw_supply_timeline_build(&t, s, "nickel", "JPN") == 0);
    size_t i19 = 0, n_on = 0;
    for (size_t i = 0; i < cw_supply_timeline_months(t); i++) {
        if (!strcmp(cw_supply_timeline_period(t, i), "2019-01"))
            i19 = i;
        n_on += cw_supply_timeline_standing(t, r, i) == CW_SUPPLY_CAUTION;
        CHECK(cw_supply_timeline_level(t, r, i, false, NULL) < CW_SUPPLY_CAUTION);
        CHECK(cw_supply_timeline_level(t, r, i, true, NULL) < CW_SUPPLY_CAUTION);
    }
    fprintf(stderr, "  price_pctile 2019-01 %.3f; standing caution in %zu months\n",
            cw_supply_timeline_value(t, "price_pctile", i19), n_on);
    CHECK(cw_supply_timeline_value(t, "price_pctile", i19) >= 0.99);
    CHECK_EQ_INT(cw_supply_timeline_standing(t, r, i19), CW_SUPPLY_CAUTION);
    CHECK(n_on >= 1);
    cw_supply_timeline_free(t);
    /* explain names it as standing, and not among the fired rules of the level */
    json_t *d;
    REQUIRE(cw_supply_explain(s, r, "nickel", "JPN", "2019-01", &d) == 0);
    CHECK_EQ_INT(json_integer_value(json_object_get(d, "standing_level")), CW_SUPPLY_CAUTION);
    json_t *sf = json_object_get(d, "standing_fired");
    REQUIRE(json_array_size(sf) == 1);
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(sf, 0), "rule")), "x_peak");
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(sf, 0), "kind")), "standing");
    json_t *f = json_object_get(d, "fired");
    for (size_t k = 0; k < json_array_size(f); k++)
        CHECK(strcmp(json_string_value(json_object_get(json_array_get(f, k), "rule")), "x_peak"));
    CHECK(json_integer_value(json_object_get(d, "level")) < CW_SUPPLY_CAUTION);
    json_decref(d);
    /* no level change (no alert) comes from it */
    cw_supply_level_change *c;
    size_t nc;
    REQUIRE(cw_supply_level_changes(s, r, "nickel", "JPN", NULL, NULL, true, &c, &nc) == 0);
    for (size_t k = 0; k < nc; k++)
        CHECK(c[k].new_level < CW_SUPPLY_CAUTION && !strstr(c[k].reason, "x_peak"));
    cw_supply_level_changes_free(c, nc);
    /* the series document: the standing level apart, never an anomaly */
    REQUIRE(cw_supply_series(s, r, "nickel", "JPN", &d) == 0);
    json_t *sl = json_object_get(d, "standing_level");
    CHECK_EQ_INT(json_array_size(sl), json_array_size(json_object_get(d, "months")));
    size_t on = 0;
    for (size_t k = 0; k < json_array_size(sl); k++)
        on += json_integer_value(json_array_get(sl, k)) == CW_SUPPLY_CAUTION;
    CHECK_EQ_INT(on, n_on);
    json_t *an = json_object_get(d, "anomalies");
    for (size_t k = 0; k < json_array_size(an); k++)
        CHECK(strcmp(json_string_value(json_object_get(json_array_get(an, k), "rule")), "x_peak"));
    json_decref(d);
    cw_supply_rules_free(r);
}

/* Did rule fire in explain's answer for commodity x partner at the month? */
static bool fired_at(const char *com, const char *par, const char *month, const char *rule)
{
    json_t *d = explain(com, par, month), *f;
    if (!d)
        return false;
    bool fired = false;
    size_t i;
    json_array_foreach(json_object_get(d, "fired"), i, f) fired |=
        !strcmp(json_string_value(json_object_get(f, "rule")), rule);
    json_decref(d);
    return fired;
}

/* A ban on one partner (issue 16, eighth stop): China's Ga/Ge product group to the USA holds
 * at ~10 M USD a month while one of its HS6 lines, 811292 (~500 k a month), stops for five
 * months (300 USD, no row, 1,000 x 3). line_stop counts the months of the last 6 the line was
 * under 0.1 x its previous 24-month median: 5 in 2021-11, and d_line_stop (>= 5) fires with the
 * line named, while the group total shows nothing. KOR's line is lumpy (near zero every third
 * month): at most 2 of 6, no alert. */
static void test_line_stop(void)
{
    char grp[1024], hs[1024];
    snprintf(grp, sizeof grp, "%s/group.csv", cw_test_tmpdir());
    snprintf(hs, sizeof hs, "%s/hs6.csv", cw_test_tmpdir());
    cw_buf g = {0}, h = {0};
    cw_buf_printf(&g, "period_dt,val,qty,uv,hhi,broad_group,partner_name\n");
    cw_buf_printf(&h, "period_dt,partner_name,hs6,val,qty\n");
    for (int k = 0; k < 48; k++) {
        int y = 2018 + k / 12, m = k % 12 + 1;
        double tot = 1e7 * (1 + 0.1 * sin(k * 0.9));
        cw_buf_printf(&g, "%04d-%02d-01,%.0f,%.0f,10,0.5,Gallium/Germanium,USA\n", y, m, tot,
                      tot / 10);
        cw_buf_printf(&g, "%04d-%02d-01,%.0f,%.0f,10,0.5,Gallium/Germanium,South Korea\n", y, m,
                      tot, tot / 10);
        double line = 5e5 * (1 + 0.2 * cos(k * 1.1));
        if (k >= 42 && k <= 46) /* 2021-07..2021-11 */
            line = k == 42 ? 300 : 1000;
        if (k != 43) /* 2021-08: no row */
            cw_buf_printf(&h, "%04d-%02d-01,USA,811292,%.0f,%.0f\n", y, m, line, line / 300);
        double lumpy = k % 3 == 0 ? 200 : 5e5 * (1 + 0.2 * sin(k * 0.4));
        cw_buf_printf(&h, "%04d-%02d-01,South Korea,811292,%.0f,%.0f\n", y, m, lumpy, lumpy / 300);
    }
    REQUIRE(cw_file_write_atomic(grp, g.data, g.len) == 0);
    REQUIRE(cw_file_write_atomic(hs, h.data, h.len) == 0);
    cw_buf_deinit(&g);
    cw_buf_deinit(&h);
    cw_supply_load_opts o = {"CHN", "X", NULL, NULL, false};
    cw_supply_load_report rep;
    REQUIRE(cw_supply_load(s, CW_SUPPLY_COMTRADE, grp, &o, &rep) == 0);
    cw_supply_load_report_deinit(&rep);
    REQUIRE(cw_supply_load(s, CW_SUPPLY_COMTRADE, hs, &o, &rep) == 0);
    cw_supply_load_report_deinit(&rep);
    cw_supply_timeline *t;
    REQUIRE(cw_supply_timeline_build(&t, s, "gallium", "USA") == 0);
    fprintf(stderr, "  line stopped: line_stop 2021-06 %g, 2021-10 %g, 2021-11 %g\n",
            at(t, "line_stop", "2021-06"), at(t, "line_stop", "2021-10"),
            at(t, "line_stop", "2021-11"));
    CHECK(at(t, "line_stop", "2021-06") == 0);
    CHECK(at(t, "line_stop", "2021-10") == 4);
    CHECK(at(t, "line_stop", "2021-11") == 5);
    CHECK(isnan(at(t, "line_stop", "2020-05")));        /* under 30 months of history */
    CHECK(fabs(at(t, "line_z_down", "2021-11")) < 3.5); /* the group total holds */
    cw_supply_timeline_free(t);
    REQUIRE(cw_supply_timeline_build(&t, s, "gallium", "KOR") == 0);
    double mx = 0;
    for (size_t i = 0; i < cw_supply_timeline_months(t); i++) {
        double v = cw_supply_timeline_value(t, "line_stop", i);
        if (isfinite(v) && v > mx)
            mx = v;
    }
    fprintf(stderr, "  lumpy line: line_stop at most %g\n", mx);
    CHECK(mx <= 2);
    cw_supply_timeline_free(t);
    CHECK(fired_at("gallium", "USA", "2021-11", "d_line_stop"));
    CHECK(!fired_at("gallium", "USA", "2021-10", "d_line_stop")); /* 4 of 6: under 5 */
    json_t *d = explain("gallium", "USA", "2021-11");
    REQUIRE(d);
    CHECK_EQ_STR(json_string_value(json_object_get(d, "line_stop_hs6")), "811292");
    json_decref(d);
}

/* A halt late in a month (issue 16, eighth stop): a daily lithium price, 20 days a month with
 * a monthly swing of +-5 % for four years, rises 30 % over the last 4 trading days of 2019-01. The
 * monthly mean moves by a fifth of that; the mean of the month's last 5 observations by most of it:
 * price_jump_eom is far above price_jump. On a monthly series (nickel, test_price_direction)
 * the two are the same number. The indicator stays (explain shows it); its rule d_price_jump_eom
 * was retired from the default table after its pre-registered run (tenth stop's lead: no match
 * d_price_jump lacked, two new false alarms), so nothing fires on it by default. */
static void test_price_jump_eom(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/daily.csv", cw_test_tmpdir());
    cw_buf b = {0};
    cw_buf_printf(&b, "series,date,value,unit\n");
    for (int k = 0; k < 49; k++) {
        int y = 2015 + k / 12, m = k % 12 + 1;
        for (int d = 1; d <= 20; d++) {
            double v = 100 * (1 + 0.05 * sin(k * 2.1)) * (1 + 0.01 * sin(d * 1.3));
            if (k == 48 && d > 16)
                v *= 1.3;
            cw_buf_printf(&b, "synth_lithium,%04d-%02d-%02d,%.4f,USD/t\n", y, m, d, v);
        }
    }
    REQUIRE(cw_file_write_atomic(path, b.data, b.len) == 0);
    cw_buf_deinit(&b);
    cw_supply_load_report rep;
    REQUIRE(cw_supply_load(s, CW_SUPPLY_PRICES, path, NULL, &rep) == 0);
    cw_supply_load_report_deinit(&rep);
    cw_supply_timeline *t;
    REQUIRE(cw_supply_timeline_build(&t, s, "lithium", "USA") == 0);
    double pj = at(t, "price_jump", "2019-01"), pe = at(t, "price_jump_eom", "2019-01");
    fprintf(stderr, "  late-month rise: price_jump %.2f, price_jump_eom %.2f\n", pj, pe);
    CHECK(pe >= 2.07); /* 4.5 */
    CHECK(pj < 2.07);  /* 1.96: d_price_jump does not fire */
    CHECK(pe > 2 * pj);
    cw_supply_timeline_free(t);
    REQUIRE(cw_supply_timeline_build(&t, s, "nickel", "USA") == 0);
    size_t same = 0, fin = 0;
    for (size_t i = 0; i < cw_supply_timeline_months(t); i++) {
        double a = cw_supply_timeline_value(t, "price_jump", i),
               e = cw_supply_timeline_value(t, "price_jump_eom", i);
        fin += isfinite(a);
        same += isfinite(a) && a == e;
    }
    CHECK(fin > 0 && same == fin);
    cw_supply_timeline_free(t);
    CHECK(!fired_at("lithium", "USA", "2019-01", "d_price_jump_eom"));
}

/* Writes a daily series of n months from 2020-01 (every day of each month, or to cap when cap
 * > 0; to stop_day in the last month) and loads it. */
static void daily_series(const char *series, int n, int stop_day, int cap)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.csv", cw_test_tmpdir(), series);
    cw_buf b = {0};
    cw_buf_printf(&b, "series,date,value,unit\n");
    for (int k = 0; k < n; k++) {
        int y = 2020 + k / 12, m = k % 12 + 1;
        int last = mdays[m - 1] - (m == 2 && y % 4 != 0);
        if (cap && last > cap)
            last = cap;
        if (k == n - 1 && stop_day)
            last = stop_day;
        for (int d = 1; d <= last; d++)
            cw_buf_printf(&b, "%s,%04d-%02d-%02d,%.4f,USD/t\n", series, y, m, d,
                          100 * (1 + 0.05 * sin(k * 1.7 + d * 0.3)));
    }
    REQUIRE(cw_file_write_atomic(path, b.data, b.len) == 0);
    cw_buf_deinit(&b);
    cw_supply_load_report rep;
    REQUIRE(cw_supply_load(s, CW_SUPPLY_PRICES, path, NULL, &rep) == 0);
    cw_supply_load_report_deinit(&rep);
}

/* Twelfth stop: a daily series stopping on the 10th of its last month (KOMIS stops on
 * 2026-04-10, its months end on the 28th-31st) has a partial last month: its level is computed
 * and provisional, the month before is not; one stopping within a week of its months' usual last
 * day is complete, as is a series whose months always end on the 20th. A database of its own. */
static void test_partial_month(void)
{
    cw_supply *keep = s;
    char path[1024];
    snprintf(path, sizeof path, "%s/partial.db", cw_test_tmpdir());
    REQUIRE(cw_supply_open(&s, path) == 0);
    daily_series("synth_cobalt", 30, 10, 0); /* 2020-01 .. 2022-06-10 */
    json_t *d = explain("cobalt", "USA", "2022-06");
    REQUIRE(d);
    json_t *pr = json_object_get(json_object_get(d, "data"), "price");
    CHECK(json_is_true(json_object_get(pr, "last_month_partial")));
    CHECK(json_is_true(json_object_get(pr, "provisional")));
    CHECK(json_integer_value(json_object_get(pr, "last_month_observations")) == 10);
    CHECK(json_integer_value(json_object_get(pr, "median_month_observations")) >= 28);
    CHECK(!strcmp(json_string_value(json_object_get(pr, "last_observation")), "2022-06-10"));
    CHECK(json_is_integer(json_object_get(d, "level")));
    size_t k, gaps = 0;
    json_t *g;
    json_array_foreach(json_object_get(json_object_get(d, "data"), "gaps"), k, g) gaps +=
        strstr(json_string_value(g), "partial month") != NULL;
    CHECK(gaps == 1);
    json_decref(d);
    d = explain("cobalt", "USA", "2022-05");
    REQUIRE(d);
    pr = json_object_get(json_object_get(d, "data"), "price");
    CHECK(json_is_false(json_object_get(pr, "provisional")));
    json_decref(d);
    static const struct {
        const char *series, *com;
        int stop, cap;
        bool partial;
    } c[] = {
        {"synth_graphite", "graphite", 30, 0, false},      /* June's last day */
        {"synth_gallium", "gallium", 25, 0, false},        /* 6 days before the usual 31st */
        {"synth_rare_earths", "rare_earths", 24, 0, true}, /* 7 days before */
        {"synth_nickel", "nickel", 20, 20, false},         /* months always end on the 20th */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        daily_series(c[i].series, 30, c[i].stop, c[i].cap);
        d = explain(c[i].com, "USA", "2022-06");
        REQUIRE(d);
        pr = json_object_get(json_object_get(d, "data"), "price");
        if (json_is_true(json_object_get(pr, "last_month_partial")) != c[i].partial)
            fprintf(stderr, "  %s stopping on day %d: partial should be %d\n", c[i].series,
                    c[i].stop, c[i].partial);
        CHECK(json_is_true(json_object_get(pr, "last_month_partial")) == c[i].partial);
        json_decref(d);
    }
    cw_supply_close(s);
    s = keep;
}

int main(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/h.db", cw_test_tmpdir());
    if (cw_supply_open(&s, path)) {
        fprintf(stderr, "%s\n", cw_error_last());
        return 1;
    }
    RUN(test_floor);
    RUN(test_price_direction);
    RUN(test_standing_apart);
    RUN(test_line_stop);
    RUN(test_price_jump_eom);
    RUN(test_partial_month);
    cw_supply_close(s);
    return cw_test_done();
}
