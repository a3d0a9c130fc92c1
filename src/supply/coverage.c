/*
 * coverage.c: which real series cover which months, per commodity x partner (issue 16, eighth
 * stop). Scored on events after our event files end, the system is blind wherever no monthly
 * series the rules read has data: this lists, for a month range, every series of the database
 * by kind (monthly prices, China's exports by HS6 line and by product group, USGS annual prices,
 * production, import sources and net import reliance, KOMIR), its months in the range, whether
 * it is daily, monthly or annual, real or synthetic, and whether a rule reads it; and the runs of
 * months no monthly series covers ("blind"). Since the twelfth stop also the months a detector
 * can read (data there, and the history its detectors need before them).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chainwatch/errors.h"
#include "supply/supply_int.h"
#include "supply/supply_tl.h"

/* The months [m0, m0 + n) a query marks: the query takes ?1, ?2 (text) and returns one month
 * ("YYYY-MM" or longer) per row, and a 0/1 "synthetic" column second. */
typedef struct {
    int first, last; /* month indexes, -1 none */
    int months;      /* distinct months in the range */
    long rows;       /* rows over all time (daily or monthly) */
    int all_months;  /* distinct months over all time */
    bool synthetic;
    char source[160];   /* the last row's source file (the query's third column) */
    char last_date[16]; /* the last row's date as loaded (a day for a daily series) */
} span;

/* Prepares sql and binds ?1 = a, ?2 = b (text). */
static int prepare2(cw_supply *s, const char *sql, const char *a, const char *b, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare coverage");
    sqlite3_bind_text(*st, 1, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(*st, 2, b, -1, SQLITE_STATIC);
    return 0;
}

static int mark(cw_supply *s, const char *sql, const char *a, const char *b, int m0, size_t n,
                bool *cover, span *sp)
{
    memset(sp, 0, sizeof *sp);
    sp->first = sp->last = -1;
    sqlite3_stmt *st = NULL;
    int rc = prepare2(s, sql, a, b, &st);
    if (rc)
        return rc;
    int prev = -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        char ym[8];
        snprintf(ym, sizeof ym, "%.7s", t ? t : "");
        int m = cw_supply__month_parse(ym);
        if (m < 0)
            continue;
        snprintf(sp->last_date, sizeof sp->last_date, "%s", t);
        sp->rows++;
        if (sqlite3_column_int(st, 1))
            sp->synthetic = true;
        if (sqlite3_column_count(st) > 2 && sqlite3_column_text(st, 2))
            snprintf(sp->source, sizeof sp->source, "%s", (const char *)sqlite3_column_text(st, 2));
        if (m != prev)
            sp->all_months++;
        bool in = m >= m0 && m < m0 + (int)n;
        if (in && m != prev) {
            sp->months++;
            if (sp->first < 0)
                sp->first = m;
            sp->last = m;
            if (cover)
                cover[m - m0] = true;
        }
        prev = m;
    }
    sqlite3_finalize(st);
    return 0;
}

static json_t *span_json(const span *sp)
{
    char f[8], l[8];
    if (sp->first < 0)
        return json_pack("{s:n, s:n, s:i}", "first", "last", "months", 0);
    cw_supply__month_format(f, sp->first);
    cw_supply__month_format(l, sp->last);
    return json_pack("{s:s, s:s, s:i}", "first", f, "last", l, "months", sp->months);
}

/* Appends one series row. */
static void add(json_t *arr, const char *kind, const char *name, const char *freq, const char *unit,
                const span *sp, bool read, const char *note)
{
    json_t *o = span_json(sp);
    json_object_set_new(o, "kind", json_string(kind));
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "freq", json_string(freq));
    json_object_set_new(o, "unit", unit ? json_string(unit) : json_null());
    json_object_set_new(o, "data", json_string(sp->synthetic ? "synthetic" : "real"));
    json_object_set_new(o, "read_by_rules", json_boolean(read));
    json_object_set_new(o, "source", sp->source[0] ? json_string(sp->source) : json_null());
    if (note && *note)
        json_object_set_new(o, "note", json_string(note));
    json_array_append_new(arr, o);
}

/* Runs of months not covered, as "YYYY-MM..YYYY-MM". */
static json_t *blind_runs(const bool *cover, int m0, size_t n, int *blind)
{
    json_t *a = json_array();
    *blind = 0;
    for (size_t i = 0; i < n;) {
        if (cover[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < n && !cover[j + 1])
            j++;
        char f[8], l[8];
        cw_supply__month_format(f, m0 + (int)i);
        cw_supply__month_format(l, m0 + (int)j);
        json_array_append_new(a, json_sprintf("%s..%s", f, l));
        *blind += (int)(j - i + 1);
        i = j + 1;
    }
    return a;
}

static int cell(cw_supply *s, const char *c, const char *p, int m0, size_t n, json_t **out)
{
    *out = NULL;
    bool *cover = cw_calloc(n ? n : 1, sizeof *cover);
    json_t *ser = json_array();
    int rc = 0;
    if (!cover || !ser) {
        cw_free(cover);
        json_decref(ser);
        return cw_error_set(CW_ENOMEM, "out of memory");
    }
    span sp;
    char name[256];
    /* monthly (or daily) prices mapped to the commodity: read by the price rules (the
     * timeline splices them), the same for every partner */
    for (size_t i = 0; i < s->n_pseries; i++) {
        if (strcmp(s->pseries[i].commodity, c) != 0)
            continue;
        if ((rc = mark(s,
                       "SELECT date, source LIKE 'synthetic:%', source FROM prices WHERE "
                       "series=?1 ORDER BY date",
                       s->pseries[i].series, NULL, m0, n, cover, &sp)))
            goto out;
        if (!sp.rows)
            continue;
        char unit[48] = "";
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, "SELECT MAX(unit) FROM prices WHERE series=?1", -1, &st,
                               NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, s->pseries[i].series, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
                snprintf(unit, sizeof unit, "%s", (const char *)sqlite3_column_text(st, 0));
        }
        sqlite3_finalize(st);
        add(ser, "price", s->pseries[i].series,
            sp.rows > (long)sp.all_months * 3 / 2 ? "daily" : "monthly", unit, &sp, true,
            "partner-invariant");
        /* the series' last observation over all time (twelfth stop: where it ends) */
        json_object_set_new(json_array_get(ser, json_array_size(ser) - 1), "last_observation",
                            json_string(sp.last_date));
    }
    /* China's (or any reporter's) exports to the partner, and the partner's own imports, by
     * included HS6 line */
    for (size_t i = 0; i < s->n_lines; i++) {
        if (strcmp(s->lines[i].commodity, c) != 0 || !s->lines[i].include)
            continue;
        char hs[8];
        snprintf(hs, sizeof hs, "%06d", s->lines[i].hs6);
        if ((rc =
                 mark(s,
                      "SELECT period, MAX(source LIKE 'synthetic:%'), MAX(source) FROM trade WHERE "
                      "((partner=?1 AND flow='X') OR (reporter=?1 AND flow='M')) AND hs6=?2 AND "
                      "freq='M' GROUP BY period ORDER BY period",
                      p, hs, m0, n, cover, &sp)))
            goto out;
        if (!sp.rows)
            continue;
        snprintf(name, sizeof name, "HS %s to %s (%s)", hs, p, s->lines[i].stage);
        add(ser, "trade_hs6", name, "monthly", "USD/month", &sp, true,
            "read as a line of the trade series, or beside a product group (line_stop)");
    }
    const char *grp = cw_supply__commodity_group(c);
    if (grp) {
        if ((rc =
                 mark(s,
                      "SELECT period, MAX(source LIKE 'synthetic:%'), MAX(source) FROM trade_group "
                      "WHERE partner=?1 AND grp=?2 AND flow='X' GROUP BY period ORDER BY period",
                      p, grp, m0, n, cover, &sp)))
            goto out;
        if (sp.rows) {
            snprintf(name, sizeof name, "product group %s to %s (HS %s)", grp, p,
                     cw_supply__group_hs(grp));
            add(ser, "trade_group", name, "monthly", "USD/month", &sp, true,
                "China's exports without HS6 detail");
        }
    }
    /* annual and structural series: shown, not counted as monthly coverage */
    {
        sqlite3_stmt *st = NULL;
        if ((rc = prepare2(s,
                           "SELECT series, unit, MIN(year), MAX(year), MAX(estimated), "
                           "MAX(source) FROM salient WHERE commodity=?1 AND (series LIKE "
                           "'Price%' OR (series='nir' AND country=?2)) GROUP BY series, unit "
                           "ORDER BY series",
                           c, p, &st)))
            goto out;
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *sn = (const char *)sqlite3_column_text(st, 0);
            int y0 = sqlite3_column_int(st, 2), y1 = sqlite3_column_int(st, 3);
            bool nir = !strcmp(sn, "nir");
            json_t *o = json_pack(
                "{s:s, s:s, s:s, s:s, s:i, s:i, s:b, s:s, s:b, s:s}", "kind",
                nir ? "nir" : "annual_price", "name", sn, "freq", "annual", "unit",
                sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "",
                "first_year", y0, "last_year", y1, "last_estimated", sqlite3_column_int(st, 4) != 0,
                "data", "real", "read_by_rules", false, "note",
                nir ? "USGS MCS net import reliance (USA), structural"
                    : "USGS MCS annual average, dated at its year's last month: lags any event "
                      "inside the year; shown, no rule reads it");
            if (sqlite3_column_text(st, 5))
                json_object_set_new(o, "source",
                                    json_string((const char *)sqlite3_column_text(st, 5)));
            json_array_append_new(ser, o);
        }
        sqlite3_finalize(st);
        if ((rc = prepare2(s,
                           "SELECT 'production', MIN(year), MAX(year) FROM production WHERE "
                           "commodity=?1 HAVING COUNT(*) > 0 UNION ALL SELECT basis, "
                           "MIN(period), MAX(period) FROM import_sources WHERE commodity=?1 "
                           "AND reporter=?2 GROUP BY basis UNION ALL SELECT name, "
                           "MIN(period), MAX(period) FROM indices WHERE commodity=?1 AND "
                           "country=?2 GROUP BY name",
                           c, p, &st)))
            goto out;
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *k = (const char *)sqlite3_column_text(st, 0);
            bool komir = !strncmp(k, "komir_", 6) && strcmp(k, "komir_ore_imports") != 0 &&
                         strcmp(k, "komir_ore_imports_total") != 0;
            json_t *o = json_pack(
                "{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "kind",
                komir                      ? "komir_index"
                : !strcmp(k, "production") ? "production"
                                           : "import_sources",
                "name", k, "freq", komir ? "monthly" : "annual", "first",
                sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "", "last",
                sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "", "data",
                strstr(k, "forecast") ? "real (model output)" : "real", "read_by_rules", !komir,
                "note",
                komir ? "KOMIR's index or model output: the benchmark, never read by the rules"
                      : "structural: exposure and event weights (USGS world production, USGS US "
                        "import sources, KOMIR Korean ore imports)");
            json_array_append_new(ser, o);
        }
        sqlite3_finalize(st);
    }
    int blind = 0;
    json_t *runs = blind_runs(cover, m0, n, &blind);
    /* months a detector can read (twelfth stop): data in a month is not yet a warning; the
     * robust z (price or HS line) needs 12 residuals after its 3-month level, price_jump 24
     * earlier returns, line_stop a 24-month baseline. Months with data before then are blind
     * to the detectors too. trade_frontload (rule C, opt-in, stop 17) counts too: it needs
     * the months t-14..t-3 of the trade series (stop 18). */
    int readable = 0;
    bool *rd = cw_calloc(n ? n : 1, sizeof *rd);
    if (!rd) {
        json_decref(runs);
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    {
        cw_supply_timeline *t = NULL;
        int trc = cw_supply_timeline_build(&t, s, c, p);
        if (trc && trc != CW_ENOTFOUND) {
            cw_free(rd);
            json_decref(runs);
            rc = trc;
            goto out;
        }
        static const int det[] = {TL_PRICE_Z,   TL_PRICE_JUMP, TL_LINE_UP,
                                  TL_LINE_DOWN, TL_LINE_STOP,  TL_FRONTLOAD};
        for (size_t i = 0; t && i < t->n; i++) {
            int m = t->m0 + (int)i;
            if (m < m0 || m >= m0 + (int)n)
                continue;
            for (size_t k = 0; k < sizeof det / sizeof det[0]; k++)
                if (!isnan(t->v[det[k]][i])) {
                    rd[m - m0] = true;
                    readable++;
                    break;
                }
        }
        cw_supply_timeline_free(t);
    }
    int unread = 0;
    json_t *uruns = blind_runs(rd, m0, n, &unread);
    cw_free(rd);
    *out = json_pack("{s:s, s:s, s:o, s:i, s:i, s:o, s:i, s:o}", "commodity", c, "partner", p,
                     "series", ser, "monthly_months", (int)n - blind, "blind_months", blind,
                     "blind", runs, "detector_months", readable, "detector_blind", uruns);
    ser = NULL;
    if (!*out)
        rc = cw_error_set(CW_ENOMEM, "out of memory");
out:
    json_decref(ser);
    cw_free(cover);
    return rc;
}

int cw_supply_coverage_months(cw_supply *s, const char *from, const char *to, json_t **out)
{
    *out = NULL;
    int m0, m1;
    if (from) {
        if ((m0 = cw_supply__month_parse(from)) < 0)
            return cw_error_set(CW_EINVAL, "from: not a month (YYYY-MM): '%s'", from);
    } else {
        m0 = 2023 * 12; /* after the event files end */
    }
    if (to) {
        if ((m1 = cw_supply__month_parse(to)) < 0)
            return cw_error_set(CW_EINVAL, "to: not a month (YYYY-MM): '%s'", to);
    } else {
        time_t now = time(NULL);
        struct tm tmv;
        gmtime_r(&now, &tmv);
        m1 = (tmv.tm_year + 1900) * 12 + tmv.tm_mon;
    }
    if (m1 < m0)
        return cw_error_set(CW_EINVAL, "the range %s..%s is empty", from ? from : "2023-01",
                            to ? to : "today");
    size_t n = (size_t)(m1 - m0) + 1;
    static const char *const partners[] = {"USA", "KOR", "JPN"};
    json_t *cells = json_array();
    int rc = 0;
    for (size_t a = 0; a < s->n_commodities && !rc; a++)
        for (size_t b = 0; b < 3 && !rc; b++) {
            json_t *c;
            if (!(rc = cell(s, s->commodities[a], partners[b], m0, n, &c)))
                json_array_append_new(cells, c);
        }
    if (rc) {
        json_decref(cells);
        return rc;
    }
    char f[8], l[8];
    cw_supply__month_format(f, m0);
    cw_supply__month_format(l, m1);
    *out = json_pack("{s:s, s:s, s:i, s:o}", "from", f, "to", l, "months", (int)n, "cells", cells);
    return *out ? 0 : cw_error_set(CW_ENOMEM, "out of memory");
}
