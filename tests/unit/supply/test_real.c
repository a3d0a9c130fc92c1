/*
 * test_real.c: the real series in ../shared/data (skipped when absent): every file loads with
 * every skipped row explained and none rejected; the 2024 production shares of USGS MCS 2026
 * (cobalt: DRC 226000 of 302000 t = 0.75; gallium: China 839000 of 848000 kg = 0.99); the 2023
 * graphite export controls show in China's exports to KOR and JPN as the November 2023
 * front-loading spike and the collapse after it; the backtest reports all 15 calibration events.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/supply.h"
#include "harness.h"

static cw_supply *s;

static void load(cw_supply_kind kind, const char *rel, const cw_supply_load_opts *o,
                 size_t expect_loaded)
{
    const char *path = cw_test_data(rel);
    cw_supply_load_report rep;
    int rc = cw_supply_load(s, kind, path, o, &rep);
    if (rc)
        fprintf(stderr, "  %s: %s\n", rel, cw_error_last());
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(rep.rows_rejected, 0);
    if (kind != CW_SUPPLY_PINKSHEET) /* there a skip note covers a series, not a row */
        CHECK_EQ_INT(rep.rows_loaded + rep.rows_skipped, rep.rows_read);
    if (expect_loaded)
        CHECK_EQ_INT(rep.rows_loaded, expect_loaded);
    for (size_t i = 0; i < rep.n_issues; i++)
        CHECK(rep.issues[i].msg && rep.issues[i].msg[0] && rep.issues[i].line > 0);
    cw_supply_load_report_deinit(&rep);
}

static void test_usgs_shares(void)
{
    load(CW_SUPPLY_USGS, "usgs-mcs2026-extract/world_production_mcs2026.csv", NULL, 110);
    cw_supply_conc c;
    char top[4];
    double share;
    REQUIRE(cw_supply_production_conc(s, "cobalt", 2024, &c, top, NULL, "COD", &share) == 0);
    CHECK_EQ_STR(top, "COD");
    CHECK(fabs(share - 226000.0 / 302000.0) < 1e-12);
    CHECK(fabs(share - 0.75) < 0.005);
    CHECK(fabs(c.hhi - 0.5750404620411386) < 1e-9); /* hand-computed from the 12 producers */
    REQUIRE(cw_supply_production_conc(s, "gallium", 2024, &c, top, NULL, "China", &share) == 0);
    CHECK_EQ_STR(top, "CHN");
    CHECK(fabs(share - 839000.0 / 848000.0) < 1e-12);
    CHECK(fabs(share - 0.99) < 0.005);
    CHECK(fabs(c.hhi - 0.9789488029547884) < 1e-9);
    CHECK(fabs(c.ens - 1.0215038794487232) < 1e-9);
    REQUIRE(cw_supply_production_conc(s, "graphite", 2024, &c, top, NULL, "CHN", &share) == 0);
    /* the 18 producers sum to 1550686 t, above the rounded world total 1550000: the sum is used */
    CHECK(fabs(share - 1270000.0 / 1550686.0) < 1e-12);
    REQUIRE(cw_supply_production_conc(s, "nickel", 2024, &c, top, NULL, "IDN", &share) == 0);
    CHECK(fabs(share - 2310000.0 / 3710000.0) < 1e-12);
    REQUIRE(cw_supply_production_conc(s, "rare_earths", 2024, &c, top, NULL, "CHN", &share) == 0);
    CHECK(fabs(share - 270000.0 / 384000.0) < 1e-12); /* 13 rows sum to 384000 > 380000 */
    CHECK(cw_supply_production_conc(s, "germanium", 2024, &c, top, NULL, NULL, NULL) ==
          CW_ENOTFOUND); /* MCS has no germanium country table */
}

static void test_load_all_real_series(void)
{
    cw_supply_load_opts chn = {"CHN", "X", NULL, NULL, false};
    load(CW_SUPPLY_COMTRADE, "china-cm-exports-comtrade/deep_dive_hs6_monthly.csv", &chn, 6442);
    load(CW_SUPPLY_WGI, "wgi/wgidataset.csv", NULL, 0);
    load(CW_SUPPLY_PINKSHEET, "worldbank-pink-sheet/monthly_prices.csv", NULL, 0);
    load(CW_SUPPLY_PINKSHEET, "worldbank-pink-sheet/selected_monthly_long.csv", NULL, 7119);
    cw_supply_load_opts li = {NULL, NULL, "li2co3_cn_spot", "CNY/t", false};
    load(CW_SUPPLY_PRICES,
         "lithium-carbonate-china-spot/lithium_carbonate_99.5_china_spot_daily.csv", &li, 0);
    cw_supply_load_opts co = {NULL, NULL, "cobalt_dmp", NULL, false};
    load(CW_SUPPLY_PRICES,
         "battery-metal-prices-dailymetalprice/Cobalt_prices_2017-01-01_to_2025-10-31_merged.csv",
         &co, 0);
    cw_supply_load_opts lid = {NULL, NULL, "lithium_dmp", NULL, false};
    load(CW_SUPPLY_PRICES,
         "battery-metal-prices-dailymetalprice/Lithium_prices_2017-01-01_to_2025-10-31_merged.csv",
         &lid, 0);
    cw_supply_load_opts nid = {NULL, NULL, "nickel_dmp", NULL, false};
    load(CW_SUPPLY_PRICES,
         "battery-metal-prices-dailymetalprice/Nickel_prices_2017-01-01_to_2025-10-31_merged.csv",
         &nid, 0);
    load(CW_SUPPLY_EVENTS, "facts/disruption_events.csv", NULL, 15);
    /* the Pink Sheet nickel price of March 2022 (LME squeeze) as in the facts table */
    cw_supply_timeline *t;
    REQUIRE(cw_supply_timeline_build(&t, s, "nickel", "KOR") == 0);
    for (size_t i = 0; i < cw_supply_timeline_months(t); i++)
        if (!strcmp(cw_supply_timeline_period(t, i), "2022-03"))
            CHECK(fabs(cw_supply_timeline_value(t, "price", i) - 33924) < 1);
    cw_supply_timeline_free(t);
    /* WGI of the DRC (code ZAR in the file) is stored under COD */
    cw_supply_conc c;
    double wh;
    REQUIRE(cw_supply_production_conc(s, "cobalt", 2024, &c, NULL, &wh, NULL, NULL) == 0);
    CHECK(isfinite(wh) && wh > 1.0); /* DRC governance ~8/10 on the EU scale dominates */
}

static double at(cw_supply_timeline *t, const char *ind, const char *period)
{
    for (size_t i = 0; i < cw_supply_timeline_months(t); i++)
        if (!strcmp(cw_supply_timeline_period(t, i), period))
            return cw_supply_timeline_value(t, ind, i);
    return NAN;
}

static void test_graphite_2023(void)
{
    static const char *const partners[] = {"KOR", "JPN"};
    for (int p = 0; p < 2; p++) {
        cw_supply_timeline *t;
        REQUIRE(cw_supply_timeline_build(&t, s, "graphite", partners[p]) == 0);
        double up = at(t, "line_z_up", "2023-11"), down = at(t, "line_z_down", "2023-12");
        fprintf(stderr, "  graphite %s: 2023-11 line_z_up %.2f, 2023-12 line_z_down %.2f\n",
                partners[p], up, down);
        CHECK(up >= 3.5);    /* front-loading before the 1 December 2023 licensing */
        CHECK(down <= -3.5); /* and the collapse after it */
        cw_supply_timeline_free(t);
    }
    /* the rule table turns both into levels: caution or higher in Nov and Dec 2023 */
    cw_supply_rules *r;
    REQUIRE(cw_supply_rules_load(&r, NULL) == 0);
    json_t *d;
    REQUIRE(cw_supply_explain(s, r, "graphite", "KOR", "2023-11", &d) == 0);
    CHECK(json_integer_value(json_object_get(d, "level")) >= CW_SUPPLY_CAUTION);
    json_decref(d);
    REQUIRE(cw_supply_explain(s, r, "graphite", "JPN", "2023-12", &d) == 0);
    CHECK(json_integer_value(json_object_get(d, "level")) >= CW_SUPPLY_CAUTION);
    json_decref(d);
    cw_supply_rules_free(r);
}

static void test_backtest_calibration_events(void)
{
    cw_supply_rules *r;
    REQUIRE(cw_supply_rules_load(&r, NULL) == 0);
    cw_supply_backtest_opts o = {NULL, NULL, CW_SUPPLY_CAUTION, 12, 12, 24, NULL, 0, 0};
    json_t *res;
    const char *evf = cw_test_data("facts/disruption_events.csv");
    REQUIRE(cw_supply_backtest(s, r, &evf, 1, &o, &res) == 0);
    json_t *ev = json_object_get(res, "events");
    CHECK_EQ_INT(json_array_size(ev), 15);
    json_t *sum = json_object_get(res, "summary");
    long long hits = json_integer_value(json_object_get(sum, "hits")),
              misses = json_integer_value(json_object_get(sum, "misses")),
              nod = json_integer_value(json_object_get(sum, "no_data")),
              oos = json_integer_value(json_object_get(sum, "out_of_scope")),
              eas = json_integer_value(json_object_get(sum, "easing")),
              dup = json_integer_value(json_object_get(sum, "merged"));
    /* every event is reported once: scored, out of scope, an easing (lifted, relaxed, a
     * ruling: reported apart) or a second listing of a measure scored already */
    CHECK_EQ_INT(hits + misses + nod + oos + eas + dup, 15);
    CHECK_EQ_INT(eas, 3); /* ree_2014_wto, ree_2015_quota_end, idn_2017_relax */
    fprintf(stderr, "  backtest: %lld hits, %lld misses, %lld no data, %lld out of scope\n", hits,
            misses, nod, oos);
    json_decref(res);
    cw_supply_rules_free(r);
}

int main(void)
{
    cw_test_data("usgs-mcs2026-extract/world_production_mcs2026.csv");
    char path[1024];
    snprintf(path, sizeof path, "%s/real.db", cw_test_tmpdir());
    if (cw_supply_open(&s, path)) {
        fprintf(stderr, "%s\n", cw_error_last());
        return 1;
    }
    RUN(test_usgs_shares);
    RUN(test_load_all_real_series);
    RUN(test_graphite_2023);
    RUN(test_backtest_calibration_events);
    cw_supply_close(s);
    return cw_test_done();
}
