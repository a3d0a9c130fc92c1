/*
 * test_load.c: the supply database and loaders on small hand-written files: schema version
 * and WAL, each format, skipped rows explained, rejected rows named by line with nothing
 * loaded, idempotent reloads, wrong formats, unknown codes, unit mismatches, duplicates.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/supply.h"
#include "harness.h"

static const char *write_file(const char *name, const char *text)
{
    static char path[8][1024];
    static int k;
    char *p = path[k++ % 8];
    snprintf(p, 1024, "%s/%s", cw_test_tmpdir(), name);
    FILE *f = fopen(p, "wb");
    if (!f)
        return p;
    fputs(text, f);
    fclose(f);
    return p;
}

static double q1(cw_supply *s, const char *sql)
{
    sqlite3_stmt *st;
    double v = NAN;
    if (sqlite3_prepare_v2(cw_supply_sqlite(s), sql, -1, &st, NULL) != SQLITE_OK)
        return NAN;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

static bool has_issue(const cw_supply_load_report *r, cw_supply_issue_kind k, size_t line,
                      const char *needle)
{
    for (size_t i = 0; i < r->n_issues; i++)
        if (r->issues[i].kind == k && r->issues[i].line == line && strstr(r->issues[i].msg, needle))
            return true;
    return false;
}

static cw_supply *open_db(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", cw_test_tmpdir(), name);
    cw_supply *s = NULL;
    if (cw_supply_open(&s, path))
        fprintf(stderr, "open: %s\n", cw_error_last());
    return s;
}

static void test_schema(void)
{
    cw_supply *s = open_db("schema.db");
    REQUIRE(s);
    CHECK_EQ_INT(q1(s, "PRAGMA user_version"), CW_SUPPLY_SCHEMA_VERSION);
    sqlite3_stmt *st;
    REQUIRE(sqlite3_prepare_v2(cw_supply_sqlite(s), "PRAGMA journal_mode", -1, &st, NULL) == 0);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK_EQ_STR((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    /* reference tables seeded: 249 ISO countries + XKX, ANT, W00, ZZZ */
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM countries"), 253);
    CHECK_EQ_INT(q1(s, "SELECT m49 FROM countries WHERE iso3='KOR'"), 410);
    CHECK_EQ_INT(q1(s, "SELECT comtrade_code FROM countries WHERE iso3='USA'"), 842);
    char iso[4];
    CHECK(cw_supply_country_resolve(s, "410", iso) == 0 && !strcmp(iso, "KOR"));
    CHECK(cw_supply_country_resolve(s, "842", iso) == 0 && !strcmp(iso, "USA"));
    CHECK(cw_supply_country_resolve(s, "South Korea", iso) == 0 && !strcmp(iso, "KOR"));
    CHECK(cw_supply_country_resolve(s, "KR", iso) == 0 && !strcmp(iso, "KOR"));
    CHECK(cw_supply_country_resolve(s, "ZAR", iso) == 0 && !strcmp(iso, "COD"));
    CHECK(cw_supply_country_resolve(s, "Congo (Kinshasa)", iso) == 0 && !strcmp(iso, "COD"));
    CHECK(cw_supply_country_resolve(s, "Atlantis", iso) == CW_ENOTFOUND);
    CHECK_EQ_STR(cw_supply_commodity_resolve(s, "graphite_natural"), "graphite");
    CHECK(cw_supply_commodity_resolve(s, "unobtainium") == NULL);
    cw_supply_close(s);
    /* reopening runs no migration again and keeps the data */
    s = open_db("schema.db");
    REQUIRE(s);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM countries"), 253);
    /* a database from a newer build is refused */
    sqlite3_exec(cw_supply_sqlite(s), "PRAGMA user_version=99", NULL, NULL, NULL);
    cw_supply_close(s);
    char path[1024];
    snprintf(path, sizeof path, "%s/schema.db", cw_test_tmpdir());
    CHECK(cw_supply_open(&s, path) == CW_EVERSION);
}

#define CT_HEAD                                                                                    \
    "freqCode,refPeriodId,period,reporterCode,reporterISO,flowCode,partnerCode,partnerISO,"        \
    "partner2Code,cmdCode,customsCode,motCode,netWgt,primaryValue\n"

static void test_comtrade(void)
{
    cw_supply *s = open_db("ct.db");
    REQUIRE(s);
    const char *good = write_file("ct_good.csv", CT_HEAD
                                  "M,20230101,202301,410,KOR,M,156,CHN,0,250410,C00,0,1000,5000\n"
                                  "M,20230201,202302,410,KOR,M,156,CHN,0,250410,C00,0,1000,6000\n"
                                  "M,20230101,202301,410,KOR,M,36,AUS,0,250410,C00,0,100,700\n"
                                  "M,20230101,202301,410,KOR,RX,156,CHN,0,250410,C00,0,1,1\n"
                                  "M,20230101,202301,410,KOR,M,156,CHN,0,250410,C01,0,1,1\n"
                                  "M,20230101,202301,410,KOR,M,156,CHN,0,250410,C00,0,1000,5000\n");
    cw_supply_load_report rep;
    REQUIRE(cw_supply_load(s, CW_SUPPLY_COMTRADE, good, NULL, &rep) == 0);
    CHECK(rep.committed);
    CHECK_EQ_INT(rep.rows_read, 6);
    CHECK_EQ_INT(rep.rows_loaded, 3);
    CHECK_EQ_INT(rep.rows_skipped, 3);
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_SKIP, 5, "flowCode RX"));
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_SKIP, 6, "breakdown"));
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_SKIP, 7, "duplicate of line 2"));
    cw_supply_load_report_deinit(&rep);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM trade"), 3);
    CHECK_EQ_INT(q1(s, "SELECT SUM(value_usd) FROM trade"), 11700);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM trade WHERE period='2023-01' AND hs6='250410'"), 2);
    /* idempotent */
    REQUIRE(cw_supply_load(s, CW_SUPPLY_COMTRADE, good, NULL, &rep) == 0);
    cw_supply_load_report_deinit(&rep);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM trade"), 3);
    CHECK_EQ_INT(q1(s, "SELECT SUM(value_usd) FROM trade"), 11700);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM loads"), 1);

    /* bad rows: unknown HS, unknown country, bad number, conflicting duplicate period */
    const char *bad = write_file("ct_bad.csv", CT_HEAD
                                 "M,20230301,202303,410,KOR,M,156,CHN,0,250410,C00,0,1000,5000\n"
                                 "M,20230301,202303,410,KOR,M,156,CHN,0,999999,C00,0,1,1\n"
                                 "M,20230301,202303,410,KOR,M,999,XXX,0,250410,C00,0,1,1\n"
                                 "M,20230301,202303,410,KOR,M,36,AUS,0,250410,C00,0,1,abc\n"
                                 "M,20230301,202303,410,KOR,M,156,CHN,0,250410,C00,0,1000,9999\n"
                                 "M,20230301,202303,410,KOR,M,156\n"
                                 "M,20230301,202303,410,KOR,M,156,CHN,0,TOTAL,C00,0,1,1\n");
    CHECK(cw_supply_load(s, CW_SUPPLY_COMTRADE, bad, NULL, &rep) == CW_ECORRUPT);
    CHECK(!rep.committed);
    CHECK_EQ_INT(rep.rows_rejected, 6);
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 3, "HS code 999999"));
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 4, "unknown country"));
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 5, "abc"));
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 6, "duplicate period"));
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 7, "fields"));
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 8, "not an HS6"));
    CHECK(strstr(cw_error_last(), "ct_bad.csv:3:") != NULL);
    CHECK(strstr(cw_error_last(), "nothing loaded") != NULL);
    cw_supply_load_report_deinit(&rep);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM trade"), 3); /* nothing half-loaded */
    /* --keep-going commits the good row */
    cw_supply_load_opts ko = {NULL, NULL, NULL, NULL, true};
    CHECK(cw_supply_load(s, CW_SUPPLY_COMTRADE, bad, &ko, &rep) == 0);
    CHECK(rep.committed);
    CHECK_EQ_INT(rep.rows_loaded, 1);
    cw_supply_load_report_deinit(&rep);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM trade"), 4);

    /* Comtrade's special partners: "Areas, nes" (_X / 899), "Other Asia, nes" (S19 / 490),
     * bunkers (837) */
    const char *nes =
        write_file("ct_nes.csv", CT_HEAD "M,20230401,202304,410,KOR,M,899,_X,0,250410,C00,0,1,10\n"
                                         "M,20230401,202304,410,KOR,M,490,S19,0,250410,C00,0,1,20\n"
                                         "M,20230401,202304,410,KOR,M,837,,0,250410,C00,0,1,30\n");
    for (int twice = 0; twice < 2; twice++) { /* folded rows are summed, and reloads idempotent */
        CHECK(cw_supply_load(s, CW_SUPPLY_COMTRADE, nes, NULL, &rep) == 0);
        cw_supply_load_report_deinit(&rep);
    }
    CHECK_EQ_INT(q1(s, "SELECT SUM(value_usd) FROM trade WHERE period='2023-04' AND partner='ZZZ'"),
                 40);
    CHECK_EQ_INT(q1(s, "SELECT value_usd FROM trade WHERE period='2023-04' AND partner='TWN'"), 20);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM trade"), 6);

    /* a file in the wrong format */
    const char *wgi = write_file("wrong.csv", "code,year,indicator,estimate\nKOR,2020,cc,1.2\n");
    CHECK(cw_supply_load(s, CW_SUPPLY_COMTRADE, wgi, NULL, &rep) == CW_ECORRUPT);
    CHECK(strstr(cw_error_last(), "wrong.csv:1:") != NULL);
    cw_supply_load_report_deinit(&rep);

    /* derived layout needs --reporter/--flow; with them it loads, names resolved */
    const char *der =
        write_file("derived.csv", "period_dt,partner_name,hs6,val,qty,uv\n"
                                  "2023-11-01,South Korea,250410,23036914.0,13884535.0,1.6\n"
                                  "2023-11-01,Japan,380110,6799965.0,5909460.0,1.1\n");
    CHECK(cw_supply_load(s, CW_SUPPLY_COMTRADE, der, NULL, &rep) == CW_EINVAL);
    /* the engine names the option it needed as the load options do, never a CLI flag */
    CHECK(rep.need_option && !strcmp(rep.need_option, "reporter"));
    CHECK(strstr(cw_error_last(), "derived.csv:1:") != NULL);
    CHECK(strstr(cw_error_last(), "reporter") != NULL);
    CHECK(strstr(cw_error_last(), "--") == NULL);
    cw_supply_load_report_deinit(&rep);
    cw_supply_load_opts bad_flow = {"CHN", "Q", NULL, NULL, false};
    CHECK(cw_supply_load(s, CW_SUPPLY_COMTRADE, der, &bad_flow, &rep) == CW_EINVAL);
    CHECK(rep.need_option && !strcmp(rep.need_option, "flow"));
    CHECK(strstr(cw_error_last(), "'Q'") != NULL);
    CHECK(strstr(cw_error_last(), "--") == NULL);
    cw_supply_load_report_deinit(&rep);
    cw_supply_load_opts bad_rep = {"Atlantis", "X", NULL, NULL, false};
    CHECK(cw_supply_load(s, CW_SUPPLY_COMTRADE, der, &bad_rep, &rep) == CW_EINVAL);
    CHECK(rep.need_option && !strcmp(rep.need_option, "reporter"));
    CHECK(strstr(cw_error_last(), "'Atlantis'") != NULL);
    CHECK(strstr(cw_error_last(), "--") == NULL);
    cw_supply_load_report_deinit(&rep);
    cw_supply_load_opts dopt = {"CHN", "X", NULL, NULL, false};
    CHECK(cw_supply_load(s, CW_SUPPLY_COMTRADE, der, &dopt, &rep) == 0);
    cw_supply_load_report_deinit(&rep);
    CHECK_EQ_INT(q1(s, "SELECT value_usd FROM trade WHERE reporter='CHN' AND partner='KOR' AND "
                       "flow='X' AND period='2023-11'"),
                 23036914);
    cw_supply_close(s);
}

static void test_usgs(void)
{
    cw_supply *s = open_db("usgs.db");
    REQUIRE(s);
    const char *f = write_file(
        "usgs.csv", "commodity,measure,unit,country,prod_2024,prod_2025e,reserves,raw_note\n"
                    "cobalt,mine,t,United States,200,W,70000,\n"
                    "cobalt,mine,t,Congo (Kinshasa),700,800,1,\n"
                    "cobalt,mine,t,Other countries,100,NA,1,\n"
                    "cobalt,mine,t,World total (rounded),1000,1000,1,\n"
                    "graphite_natural,mine,t,China,50,60,,\n");
    cw_supply_load_report rep;
    REQUIRE(cw_supply_load(s, CW_SUPPLY_USGS, f, NULL, &rep) == 0);
    CHECK_EQ_INT(rep.rows_loaded, 5);
    cw_supply_load_report_deinit(&rep);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM production"), 10);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM production WHERE status='W'"), 1);
    CHECK_EQ_INT(q1(s, "SELECT estimated FROM production WHERE year=2025 AND country='COD'"), 1);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM production WHERE commodity='graphite'"), 2);
    cw_supply_conc c;
    char top[4];
    double share;
    REQUIRE(cw_supply_production_conc(s, "cobalt", 2024, &c, top, NULL, "COD", &share) == 0);
    CHECK_EQ_STR(top, "COD");
    CHECK(fabs(share - 0.7) < 1e-12);
    CHECK(fabs(c.hhi - (0.49 + 0.04)) < 1e-12); /* ZZZ is not a producer */
    /* unit mismatch: against the same file and against rows already loaded */
    const char *g = write_file("usgs_bad.csv", "commodity,measure,unit,country,prod_2024\n"
                                               "cobalt,mine,kt,Canada,3\n"
                                               "nickel,mine,t,Canada,3\n"
                                               "nickel,mine,kt,Russia,3\n"
                                               "unobtainium,mine,t,Canada,3\n"
                                               "nickel,mine,t,Atlantis,3\n"
                                               "nickel,mine,t,Brazil,lots\n");
    CHECK(cw_supply_load(s, CW_SUPPLY_USGS, g, NULL, &rep) == CW_ECORRUPT);
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 2, "unit mismatch"));
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 4, "unit mismatch"));
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 5, "unknown commodity"));
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 6, "unknown country"));
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 7, "lots"));
    cw_supply_load_report_deinit(&rep);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM production WHERE commodity='nickel'"), 0);
    cw_supply_close(s);
}

static void test_prices_pinksheet_wgi_events(void)
{
    cw_supply *s = open_db("px.db");
    REQUIRE(s);
    cw_supply_load_report rep;
    const char *plain = write_file("p.csv", "series,date,value,unit\n"
                                            "cu,2024-01-01,8000,USD/t\n"
                                            "cu,2024-02-01,8100.5,USD/t\n"
                                            "cu,2024-02-01,8100.5,USD/t\n");
    REQUIRE(cw_supply_load(s, CW_SUPPLY_PRICES, plain, NULL, &rep) == 0);
    CHECK_EQ_INT(rep.rows_loaded, 2);
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_SKIP, 4, "identical"));
    cw_supply_load_report_deinit(&rep);
    const char *mismatch = write_file("p2.csv", "series,date,value,unit\ncu,2024-03-01,1,USD/lb\n");
    CHECK(cw_supply_load(s, CW_SUPPLY_PRICES, mismatch, NULL, &rep) == CW_ECORRUPT);
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 2, "unit mismatch"));
    cw_supply_load_report_deinit(&rep);
    /* Investing.com layout: thousands separators, MM/DD/YYYY, BOM */
    const char *inv =
        write_file("inv.csv", "\xEF\xBB\xBF\"Date\",\"Price\",\"Open\",\"High\",\"Low\","
                              "\"Vol.\",\"Change %\"\n"
                              "\"11/01/2024\",\"72,500.00\",\"72,500.00\",\"74,000.00\","
                              "\"71,000.00\",\"\",\"0.00%\"\n"
                              "\"13/01/2024\",\"1.00\",\"\",\"\",\"\",\"\",\"\"\n");
    /* without a series name or a unit: the engine says which, in the options' words */
    cw_supply_load_opts no_unit = {NULL, NULL, "li", NULL, false};
    CHECK(cw_supply_load(s, CW_SUPPLY_PRICES, inv, NULL, &rep) == CW_EINVAL);
    CHECK(rep.need_option && !strcmp(rep.need_option, "series"));
    CHECK(strstr(cw_error_last(), "no series name was given") != NULL);
    CHECK(strstr(cw_error_last(), "--") == NULL);
    cw_supply_load_report_deinit(&rep);
    CHECK(cw_supply_load(s, CW_SUPPLY_PRICES, inv, &no_unit, &rep) == CW_EINVAL);
    CHECK(rep.need_option && !strcmp(rep.need_option, "unit"));
    CHECK(strstr(cw_error_last(), "no unit was given") != NULL);
    CHECK(strstr(cw_error_last(), "--") == NULL);
    CHECK_EQ_INT(rep.rows_loaded, 0);
    cw_supply_load_report_deinit(&rep);
    cw_supply_load_opts po = {NULL, NULL, "li", "CNY/t", false};
    CHECK(cw_supply_load(s, CW_SUPPLY_PRICES, inv, &po, &rep) == CW_ECORRUPT);
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 3, "bad date"));
    cw_supply_load_report_deinit(&rep);
    po.keep_going = true;
    CHECK(cw_supply_load(s, CW_SUPPLY_PRICES, inv, &po, &rep) == 0);
    cw_supply_load_report_deinit(&rep);
    CHECK_EQ_INT(q1(s, "SELECT value FROM prices WHERE series='li' AND date='2024-11-01'"), 72500);
    /* Pink Sheet sheet export */
    const char *pk =
        write_file("pink.csv", "World Bank Commodity Price Data (The Pink Sheet),,\n"
                               "\"monthly prices in nominal US dollars, 1960 to present\"\n"
                               "Updated on December 02 2025\n"
                               ",\"Nickel\",Tin\n"
                               ",($/mt),($/mt)\n"
                               ",NICKEL,TIN\n"
                               "2022M02,24016,44000\n"
                               "2022M03,33924,\xE2\x80\xA6\n"
                               "2022M04,33000\n");
    REQUIRE(cw_supply_load(s, CW_SUPPLY_PINKSHEET, pk, NULL, &rep) == 0);
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_SKIP, 7, "TIN"));
    cw_supply_load_report_deinit(&rep);
    CHECK_EQ_INT(q1(s, "SELECT value FROM prices WHERE series='NICKEL' AND date='2022-03'"), 33924);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM prices WHERE series='TIN'"), 1);
    /* WGI with CRLF, BOM, '..' */
    const char *w = write_file("wgi.csv", "\xEF\xBB\xBF"
                                          "codeindyr,code,countryname,year,indicator,"
                                          "estimate,stddev\r\n"
                                          "ZARcc2023,ZAR,\"Congo, Dem. Rep.\",2023,cc,-1.5,0.2\r\n"
                                          "KORcc2023,KOR,Korea,2023,cc,..,..\r\n"
                                          "KORxx2023,KOR,Korea,2023,xx,1,1\r\n");
    CHECK(cw_supply_load(s, CW_SUPPLY_WGI, w, NULL, &rep) == CW_ECORRUPT);
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_SKIP, 3, "no estimate"));
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 4, "indicator"));
    cw_supply_load_report_deinit(&rep);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM wgi"), 0);
    /* events */
    const char *ev = write_file(
        "ev.csv", "event_id,date_announced,date_effective,date_precision,commodity,hs6_scope,"
                  "actor_country,affected_partner,event_type,description\n"
                  "e1,2023-10-20,2023-12-01,day,graphite,250410;380110,CN,all,export_licensing,x\n"
                  "e2,2023-10,2023-09,month,graphite,,CN,KR,export_ban,x\n"
                  "e3,2023-10,2023-12,month,graphite,25041,CN,KR,export_ban,x\n"
                  "e4,2023-10,2023-12,month,graphite,,CN,Narnia,export_ban,x\n");
    CHECK(cw_supply_load(s, CW_SUPPLY_EVENTS, ev, NULL, &rep) == CW_ECORRUPT);
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 3, "before date_announced"));
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 4, "not an HS6"));
    CHECK(has_issue(&rep, CW_SUPPLY_ISSUE_REJECT, 5, "unknown country"));
    cw_supply_load_report_deinit(&rep);
    CHECK_EQ_INT(q1(s, "SELECT COUNT(*) FROM events"), 0);
    cw_supply_close(s);
}

int main(void)
{
    RUN(test_schema);
    RUN(test_comtrade);
    RUN(test_usgs);
    RUN(test_prices_pinksheet_wgi_events);
    return cw_test_done();
}
