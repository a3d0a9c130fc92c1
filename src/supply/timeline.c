/*
 * timeline.c: every indicator of one commodity x partner for every month, computed once from
 * the supply tables so that status, explain, level changes, the backtest and the benchmark
 * all read the same numbers. All monthly values are causal (month t uses data up to t).
 *
 * Trade basis: the partner's own imports (reporter = partner, flow M) when loaded, otherwise
 * mirror data (other reporters' exports to the partner). Reads: trade, prices,
 * price_series_map (cached), production, wgi, events, countries (cached).
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chainwatch/errors.h"
#include "supply/supply_int.h"
#include "supply/supply_rules.h"
#include "supply/supply_tl.h"

static const char *const ind_names[] = {CW_SUPPLY_INDICATORS};

/* the smallest scale of the robust z on monthly log residuals (2 % a month) */
#define TL_MIN_SCALE 0.02

int cw_supply__ind_index(const char *name)
{
    for (size_t i = 0; i < TL_N_IND; i++)
        if (!strcmp(ind_names[i], name))
            return (int)i;
    return -1;
}

const char *cw_supply__ind_name(int i)
{
    return i >= 0 && i < TL_N_IND ? ind_names[i] : "?";
}

void cw_supply_timeline_free(cw_supply_timeline *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < TL_N_IND; i++)
        cw_free(t->v[i]);
    cw_free(t->labels);
    cw_free(t->top_supplier);
    cw_free(t->prod_top);
    cw_free(t->prod_year);
    cw_free(t->prod_est);
    cw_free(t->wgi_missing);
    cw_free(t->price_quiet);
    cw_free(t->ev);
    cw_free(t->trade_rows);
    cw_free(t->line_up_hs);
    cw_free(t->line_down_hs);
    cw_free(t->line_stop_hs);
    cw_free(t->exp_idx);
    cw_free(t);
}

size_t cw_supply_timeline_months(const cw_supply_timeline *t)
{
    return t->n;
}

const char *cw_supply_timeline_period(const cw_supply_timeline *t, size_t i)
{
    return i < t->n ? t->labels[i] : NULL;
}

double cw_supply_timeline_value(const cw_supply_timeline *t, const char *indicator, size_t i)
{
    int k = cw_supply__ind_index(indicator);
    if (k < 0 || i >= t->n)
        return NAN;
    return t->v[k][i];
}

/* ---- SQL helpers ---- */

static int hs_list(cw_supply_timeline *t, const cw_supply *s, const char *commodity, char *out,
                   size_t cap)
{
    size_t len = 0;
    out[0] = 0;
    for (size_t i = 0; i < s->n_lines; i++) {
        if (strcmp(s->lines[i].commodity, commodity) != 0 || !s->lines[i].include)
            continue;
        if (t->n_lines < TL_MAX_LINES)
            t->lines[t->n_lines++] = s->lines[i].hs6;
        int w = snprintf(out + len, cap - len, "%s'%06d'", len ? "," : "", s->lines[i].hs6);
        if (w < 0 || (size_t)w >= cap - len)
            return cw_error_set(CW_EINVAL, "too many HS lines for %s", commodity);
        len += (size_t)w;
    }
    if (!len)
        return cw_error_set(CW_ENOTFOUND, "commodity %s has no included HS lines", commodity);
    return 0;
}

static int supplier_index(cw_supply_timeline *t, const char *iso)
{
    for (size_t i = 0; i < t->n_suppliers; i++)
        if (!strcmp(t->suppliers[i], iso))
            return (int)i;
    if (t->n_suppliers >= TL_MAX_SUPPLIERS)
        return -1;
    snprintf(t->suppliers[t->n_suppliers], 4, "%s", iso);
    return (int)t->n_suppliers++;
}

static double unit_kg(const char *unit)
{
    if (!strcmp(unit, "t"))
        return 1000.0;
    if (!strcmp(unit, "kt"))
        return 1e6;
    if (!strcmp(unit, "kg"))
        return 1.0;
    return NAN;
}

/* Price momentum and regime (issue 16), both on the monthly log price and both reading only
 * months before the one assessed (no look-ahead):
 *  - price_jump: the month's log return r_t = ln(p_t / p_{t-1}) divided by the standard
 *    deviation of the previous 36 monthly log returns (at least 24 of them present);
 *  - price_regime: (ln p_t - mean) / sd of the log price over the previous 36 months (at least
 *    18 present): how far the price stands above its own recent range. */
#define MOM_WINDOW 36
/* price_pctile: the month's price against its own mid- to long-run history (no look-ahead):
 * the share of the previous TL_PCTILE_WINDOW months (10 years) with a lower price, ties counted
 * half; at least TL_PCTILE_MIN earlier months. A standing tight market is a price near the top
 * of its own decade for months on end, whatever its recent trend. The window bounds the drift
 * of a nominal price (no monthly deflator is loaded): ranked against all history, the nickel
 * price 1963-2008 stood above its 80th percentile in 70.8 % of months (seventh stop). */
#define TL_PCTILE_MIN 36
#define TL_PCTILE_WINDOW 120
static void price_pctile(cw_supply_timeline *t)
{
    const double *p = t->v[TL_PRICE];
    for (size_t i = 0; i < t->n; i++) {
        t->v[TL_PRICE_PCTILE][i] = NAN;
        if (!(isfinite(p[i]) && p[i] > 0))
            continue;
        double below = 0;
        size_t k = 0;
        for (size_t j = i > TL_PCTILE_WINDOW ? i - TL_PCTILE_WINDOW : 0; j < i; j++) {
            if (!(isfinite(p[j]) && p[j] > 0))
                continue;
            k++;
            below += p[j] < p[i] ? 1.0 : p[j] == p[i] ? 0.5 : 0.0;
        }
        if (k >= TL_PCTILE_MIN)
            t->v[TL_PRICE_PCTILE][i] = below / (double)k;
    }
}

/* out[i] = ln(p_i / p_{i-1}) / sd of the previous MOM_WINDOW monthly log returns (>= 24). */
static void jump_z(const double *p, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = NAN;
        if (!(i > 0 && isfinite(p[i]) && p[i] > 0 && isfinite(p[i - 1]) && p[i - 1] > 0))
            continue;
        size_t lo = i >= MOM_WINDOW ? i - MOM_WINDOW : 0;
        double sr = 0, srr = 0;
        size_t nr = 0;
        for (size_t k = lo > 0 ? lo : 1; k < i; k++) {
            if (!(isfinite(p[k]) && p[k] > 0 && isfinite(p[k - 1]) && p[k - 1] > 0))
                continue;
            double r = log(p[k]) - log(p[k - 1]);
            sr += r;
            srr += r * r;
            nr++;
        }
        if (nr >= 24) {
            double mu = sr / (double)nr, var = srr / (double)nr - mu * mu;
            if (var > 1e-18)
                out[i] = (log(p[i]) - log(p[i - 1])) / sqrt(var);
        }
    }
}

/* eom: each month's end-of-month price (NULL: none); price_jump_eom reads it (eighth stop: a
 * halt or ban in a month's last days moves the monthly mean a month late). */
static void price_momentum(cw_supply_timeline *t, const double *eom)
{
    const double *p = t->v[TL_PRICE];
    size_t n = t->n;
    jump_z(p, n, t->v[TL_PRICE_JUMP]);
    if (eom)
        jump_z(eom, n, t->v[TL_PRICE_JUMP_EOM]);
    for (size_t i = 0; i < n; i++) {
        t->v[TL_PRICE_REGIME][i] = NAN;
        if (!(isfinite(p[i]) && p[i] > 0))
            continue;
        size_t lo = i >= MOM_WINDOW ? i - MOM_WINDOW : 0;
        double sx = 0, sxx = 0;
        size_t nx = 0;
        for (size_t k = lo; k < i; k++) {
            if (!(isfinite(p[k]) && p[k] > 0))
                continue;
            double x = log(p[k]);
            sx += x;
            sxx += x * x;
            nx++;
        }
        if (nx >= MOM_WINDOW / 2) {
            double mu = sx / (double)nx, var = sxx / (double)nx - mu * mu;
            if (var > 1e-18)
                t->v[TL_PRICE_REGIME][i] = (log(p[i]) - mu) / sqrt(var);
        }
    }
}

#define TL_CP_WARMUP 12
/* Runs the detector chain on a monthly value series: log, seasonal residual, robust z,
 * EWMA, CUSUM, BOCPD. Writes into the indicator slots starting at z_slot. */
static int detectors(cw_supply_timeline *t, const double *val, int zi, int ewi, int ewabs, int cui,
                     int cdi, int cpi)
{
    size_t n = t->n;
    double *y = cw_malloc(n * sizeof *y), *r = cw_malloc(n * sizeof *r);
    int rc = 0;
    if (!y || !r) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        y[i] = isfinite(val[i]) ? log(val[i] + 1.0) : NAN;
    cw_supply_seasonal_resid(r, y, n, 12, 3);
    /* residuals of log values: a scale under 0.02 (2 % a month) is a flat history, not a calm
     * one; flooring it keeps a first small move from scoring z in the thousands */
    cw_supply_robust_z_floor(t->v[zi], r, n, 36, 12, TL_MIN_SCALE);
    if (ewi >= 0)
        cw_supply_ewma(t->v[ewi], t->v[zi], n, 0.2, 3.0);
    else
        cw_supply_ewma(t->v[ewabs], t->v[zi], n, 0.2, 3.0);
    for (size_t i = 0; i < n; i++)
        t->v[ewabs][i] = fabs(ewi >= 0 ? t->v[ewi][i] : t->v[ewabs][i]);
    cw_supply_cusum(t->v[cui], t->v[cdi], t->v[zi], n, 0.5, 5.0);
    cw_supply_bocpd_params bp;
    cw_supply_bocpd_defaults(&bp);
    rc = cw_supply_bocpd(t->v[cpi], NULL, t->v[zi], n, &bp);
    /* warm-up: while fewer than TL_CP_WARMUP robust z values have been seen, a run longer than
     * short_run is barely possible and P(r <= 3) is near 1 by construction (every series
     * "changed" in its first months: 11 of the 47 unmatched alerts of issue 16 were such a
     * first month) */
    for (size_t i = 0, seen = 0; rc == 0 && i < n; i++) {
        if (!isfinite(t->v[zi][i]))
            continue;
        if (seen++ < TL_CP_WARMUP)
            t->v[cpi][i] = NAN;
    }
out:
    cw_free(y);
    cw_free(r);
    return rc;
}

/* Series hygiene. near[i]: x[i] is below frac times the median of the previous (up to 24)
 * finite values, given at least 6 of them. low[i]: a near-zero month of a lumpy series, one
 * that had at least 2 other near-zero months in the previous 24: there a near-zero month is
 * normal noise (one 616-USD month in a line that carries millions) and is read as missing by
 * the detectors. In a steady series the first near-zero month is data: a collapse. A run of
 * near-zero months is reported separately (trade_floor_run). */
#define TL_FLOOR_FRAC 0.05
static void floor_mask(const double *x, const bool *valid, size_t n, bool *low, bool *near)
{
    double h[24];
    for (size_t i = 0; i < n; i++) {
        near[i] = low[i] = false;
        if (!valid[i] || !isfinite(x[i]))
            continue;
        size_t k = 0;
        for (size_t j = i; j-- > 0 && k < 24;)
            if (valid[j] && isfinite(x[j]))
                h[k++] = x[j];
        if (k < 6)
            continue;
        double med = cw_supply_median(h, k);
        near[i] = med > 0 && x[i] < TL_FLOOR_FRAC * med;
        if (!near[i])
            continue;
        int before = 0;
        for (size_t j = i >= 24 ? i - 24 : 0; j < i; j++)
            before += near[j];
        low[i] = before >= 2;
    }
}

/* Unit-value check: bad[i] where value/kg is off by more than a factor of 10 from the median
 * unit value of the previous (up to 24) months. */
static void uv_mask(const double *val, const double *kg, size_t n, bool *bad)
{
    double h[24];
    for (size_t i = 0; i < n; i++) {
        bad[i] = false;
        if (!isfinite(val[i]) || !(kg[i] > 0))
            continue;
        size_t k = 0;
        for (size_t j = i; j-- > 0 && k < 24;)
            if (isfinite(val[j]) && kg[j] > 0)
                h[k++] = val[j] / kg[j];
        if (k < 6)
            continue;
        double med = cw_supply_median(h, k), uv = val[i] / kg[i];
        bad[i] = med > 0 && (uv > 10 * med || uv < med / 10);
    }
}

/* SELECT EXISTS(...) with two text parameters: 1 (rows), 0 (none), -1 (an SQL error, read as
 * "no": the caller keeps the series it had). */
static int exists2(cw_supply *s, const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, b, -1, SQLITE_STATIC);
    int r = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) != 0 : -1;
    sqlite3_finalize(q);
    return r;
}

/* Does product group grp have rows for this partner and carry an included line of the
 * commodity for which the partner has no HS6 rows? */
static bool group_has_more(cw_supply *s, const cw_supply_timeline *t, const char *grp)
{
    if (exists2(s,
                "SELECT EXISTS(SELECT 1 FROM trade_group WHERE partner=?1 AND flow='X' AND "
                "grp=?2)",
                t->partner, grp) != 1)
        return false;
    const char *glines = cw_supply__group_hs(grp);
    for (size_t k = 0; k < t->n_lines; k++) {
        char code[8];
        snprintf(code, sizeof code, "%06d", t->lines[k]);
        if (strstr(glines, code) &&
            exists2(s,
                    "SELECT EXISTS(SELECT 1 FROM trade WHERE (partner=?1 AND flow='X' OR "
                    "reporter=?1 AND flow='M') AND hs6=?2)",
                    t->partner, code) == 0)
            return true;
    }
    return false;
}

static int load_trade(cw_supply_timeline *t, cw_supply *s, const char *hs)
{
    char sql[2048];
    sqlite3_stmt *st = NULL;
    int rc = 0;
    /* direct imports reported by the partner? */
    snprintf(sql, sizeof sql,
             "SELECT EXISTS(SELECT 1 FROM trade INDEXED BY trade_reporter WHERE reporter=?1 AND"
             " flow='M' AND freq='M' AND"
             " hs6 IN (%s))",
             hs);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    sqlite3_bind_text(st, 1, t->partner, -1, SQLITE_STATIC);
    t->direct = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0;
    sqlite3_finalize(st);
    if (t->direct)
        snprintf(sql, sizeof sql,
                 "SELECT partner, period, SUM(value_usd), hs6, SUM(net_kg), MAX(source LIKE "
                 "'synthetic:%%') FROM trade INDEXED BY trade_reporter"
                 " WHERE reporter=?1 AND"
                 " flow='M' AND freq='M' AND hs6 IN (%s) GROUP BY partner, hs6, period",
                 hs);
    else
        snprintf(sql, sizeof sql,
                 "SELECT reporter, period, SUM(value_usd), hs6, SUM(net_kg), MAX(source LIKE "
                 "'synthetic:%%') FROM trade WHERE partner=?1 AND"
                 " flow='X' AND freq='M' AND hs6 IN (%s) GROUP BY reporter, hs6, period",
                 hs);
    {
        /* no HS6 rows at all: exports by product group (China's country_monthly_stats), as
         * mirror data, when a group stands for this commodity */
        sqlite3_stmt *q = NULL;
        char qs[1536];
        snprintf(qs, sizeof qs,
                 "SELECT EXISTS(SELECT 1 FROM trade WHERE (partner=?1 AND flow='X' OR reporter=?1"
                 " AND flow='M') AND hs6 IN (%s))",
                 hs);
        bool any = false;
        if (sqlite3_prepare_v2(s->db, qs, -1, &q, NULL) == SQLITE_OK) {
            sqlite3_bind_text(q, 1, t->partner, -1, SQLITE_STATIC);
            any = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0);
        }
        sqlite3_finalize(q);
        const char *grp = cw_supply__commodity_group(t->commodity);
        /* seventh stop: the group also stands in when it carries included lines of the
         * commodity that the HS6 rows lack (China's Gallium/Germanium group holds 811299 and
         * 282560 besides 811292; the HS6 table only 811292): a narrower basket can miss the
         * lines an export control hits (the Aug 2023 collapse of China's Ga/Ge exports to JPN
         * is in the group, not in 811292). Where the HS6 rows carry every line of the group
         * (graphite: 250410, 380110) the HS6 rows keep their per-line detail. */
        if (any && grp && group_has_more(s, t, grp))
            any = false;
        if (!any && grp) {
            snprintf(t->trade_group, sizeof t->trade_group, "%s", grp);
            t->direct = false;
            snprintf(sql, sizeof sql,
                     "SELECT reporter, period, SUM(value_usd), '000000', SUM(net_kg), MAX(source "
                     "LIKE 'synthetic:%%') FROM trade_group WHERE partner=?1 AND flow='X' AND "
                     "grp='%s' GROUP BY reporter, period",
                     grp);
        }
    }
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    sqlite3_bind_text(st, 1, t->partner, -1, SQLITE_STATIC);
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *sup = (const char *)sqlite3_column_text(st, 0);
        int m = cw_supply__month_parse((const char *)sqlite3_column_text(st, 1));
        if (m < 0 || !sup)
            continue;
        int si = supplier_index(t, sup);
        if (si < 0)
            continue;
        if (t->n_trade_rows == cap) {
            cap = cap ? cap * 2 : 256;
            tl_trade_row *nr = cw_realloc(t->trade_rows, cap * sizeof *nr);
            if (!nr) {
                rc = cw_error_set(CW_ENOMEM, "out of memory");
                goto out;
            }
            t->trade_rows = nr;
        }
        int hs6 = (int)strtol((const char *)sqlite3_column_text(st, 3), NULL, 10), li = 0;
        for (size_t k = 0; k < t->n_lines; k++)
            if (t->lines[k] == hs6)
                li = (int)k;
        t->trade_rows[t->n_trade_rows++] = (tl_trade_row){
            si, li, m, sqlite3_column_double(st, 2),
            sqlite3_column_type(st, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 4)};
        if (sqlite3_column_int(st, 5))
            t->synthetic_trade = true;
        if (t->trade_first < 0 || m < t->trade_first)
            t->trade_first = m;
        if (m > t->trade_last)
            t->trade_last = m;
    }
out:
    sqlite3_finalize(st);
    return rc;
}

typedef struct {
    int m;
    double v;    /* the month's mean */
    double e;    /* the mean of the month's last TL_EOM_OBS observations (eighth stop) */
    int nobs;    /* observations in the month (twelfth stop: a partial last month) */
    int lastday; /* day of the month of its last observation (0: a monthly date) */
    bool quiet;  /* no new quote: >= 2 observations, all equal to the previous month's last */
} mv;

/* Observations at the end of a month read by price_jump_eom: a daily series' last trading
 * week; a monthly series has one observation, and e equals v. */
#define TL_EOM_OBS 5

/* The monthly means of one price series (ascending), and each month's end-of-month mean. */
static int price_months(cw_supply *s, const char *series, mv **out, size_t *n_out, char *unit,
                        size_t unit_cap, bool *synthetic, char *last_date, size_t ld_cap)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT substr(date,1,7), value, unit, source LIKE 'synthetic:%', "
                           "date FROM prices WHERE series=?1 ORDER BY date",
                           -1, &st, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    sqlite3_bind_text(st, 1, series, -1, SQLITE_STATIC);
    size_t n = 0, cap = 0;
    mv *a = NULL;
    int rc = 0, cur = -1;
    double sum = 0, last[TL_EOM_OBS], prev_last = NAN, cur_last = NAN;
    size_t cnt = 0;
    int lastday = 0;
    bool same = true; /* every observation of the month so far equals prev_last */
    for (;;) {
        int step = sqlite3_step(st);
        int m = -1;
        if (step == SQLITE_ROW) {
            m = cw_supply__month_parse((const char *)sqlite3_column_text(st, 0));
            if (m < 0 || sqlite3_column_type(st, 1) == SQLITE_NULL)
                continue;
        }
        if (cur >= 0 && m != cur) { /* close the month */
            if (n == cap) {
                cap = cap ? cap * 2 : 128;
                mv *na = cw_realloc(a, cap * sizeof *na);
                if (!na) {
                    rc = cw_error_set(CW_ENOMEM, "out of memory");
                    goto out;
                }
                a = na;
            }
            size_t k = cnt < TL_EOM_OBS ? cnt : TL_EOM_OBS;
            double es = 0;
            for (size_t j = 0; j < k; j++)
                es += last[j];
            a[n++] = (mv){cur,      sum / (double)cnt, es / (double)k,
                          (int)cnt, lastday,           cnt >= 2 && same && isfinite(prev_last)};
            prev_last = cur_last;
            sum = 0;
            cnt = 0;
            same = true;
        }
        if (step != SQLITE_ROW)
            break;
        cur = m;
        double v = sqlite3_column_double(st, 1);
        sum += v;
        last[cnt % TL_EOM_OBS] = v;
        if (v != prev_last)
            same = false;
        cur_last = v;
        cnt++;
        const unsigned char *u = sqlite3_column_text(st, 2);
        if (unit)
            snprintf(unit, unit_cap, "%s", u ? (const char *)u : "");
        if (synthetic && sqlite3_column_int(st, 3))
            *synthetic = true;
        const char *dt = (const char *)sqlite3_column_text(st, 4);
        if (last_date)
            snprintf(last_date, ld_cap, "%s", dt ? dt : "");
        if (!dt || strlen(dt) < 10 || cw_supply__digits(&lastday, dt + 8, 2))
            lastday = 0; /* a monthly date (YYYY-MM) has no day */
    }
out:
    sqlite3_finalize(st);
    if (rc) {
        cw_free(a);
        return rc;
    }
    *out = a;
    *n_out = n;
    return 0;
}

/* The median of up to 12 ints (sorted in place). */
static int median12(int *v, int k)
{
    for (int x = 1; x < k; x++) /* insertion sort: at most 12 */
        for (int y = x; y > 0 && v[y - 1] > v[y]; y--) {
            int tmp = v[y];
            v[y] = v[y - 1];
            v[y - 1] = tmp;
        }
    return k ? v[k / 2] : 0;
}

/* The newest month of the price (twelfth stop): the series that gives it, its last observation
 * and whether the month is partial. A series with several observations a month (median of its
 * previous 12 months >= 4: daily or weekly) whose last observation comes at least 7 days before
 * the day its months usually end (the median of the previous 12 months' last days) stopped
 * inside the month: the month's mean is of fewer days than the others' (KOMIS stops on
 * 2026-04-10: 7 observations, its months end on the 28th-31st). Its level is computed and
 * marked provisional. A monthly series (one value a month) cannot show this: complete. */
static void last_month_of(cw_supply_timeline *t, const char *name, const char *last_date,
                          const mv *c, size_t n)
{
    snprintf(t->price_last_series, sizeof t->price_last_series, "%s", name);
    snprintf(t->price_last_date, sizeof t->price_last_date, "%s", last_date);
    t->price_last_nobs = n ? c[n - 1].nobs : 0;
    t->price_last_partial = false;
    if (n < 2)
        return;
    int cnt[12], day[12], k = 0;
    for (size_t j = n - 1; j-- > 0 && k < 12; k++) {
        cnt[k] = c[j].nobs;
        day[k] = c[j].lastday;
    }
    t->price_last_median_nobs = median12(cnt, k);
    int usual = median12(day, k);
    t->price_last_partial =
        t->price_last_median_nobs >= 4 && c[n - 1].lastday > 0 && c[n - 1].lastday + 7 <= usual;
}

/* The commodity's monthly price: the mapped series with the most months, extended past its
 * end by later series that overlap it by >= 3 months, rescaled by the mean ratio over the
 * overlap (so the detectors, which work on log changes, see no jump at the splice; the units
 * are those of the first series). t->price_note says what was joined. */
static int load_price(cw_supply_timeline *t, cw_supply *s, mv **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    int rc = 0;
    mv *cand[16] = {NULL};
    size_t ncand[16] = {0};
    const char *names[16];
    char units[16][32];
    char lastd[16][16];
    size_t nc = 0;
    for (size_t i = 0; i < s->n_pseries && nc < 16; i++) {
        if (strcmp(s->pseries[i].commodity, t->commodity) != 0)
            continue;
        bool syn = false;
        if ((rc = price_months(s, s->pseries[i].series, &cand[nc], &ncand[nc], units[nc],
                               sizeof units[nc], &syn, lastd[nc], sizeof lastd[nc])))
            goto out;
        if (!ncand[nc]) {
            cw_free(cand[nc]);
            cand[nc] = NULL;
            continue;
        }
        if (syn)
            t->synthetic_price = true;
        names[nc++] = s->pseries[i].series;
    }
    if (!nc)
        goto out;
    /* base: the most months, then the latest end */
    size_t b = 0;
    for (size_t k = 1; k < nc; k++)
        if (ncand[k] > ncand[b] ||
            (ncand[k] == ncand[b] && cand[k][ncand[k] - 1].m > cand[b][ncand[b] - 1].m))
            b = k;
    snprintf(t->price_series, sizeof t->price_series, "%s", names[b]);
    snprintf(t->price_unit, sizeof t->price_unit, "%.31s", units[b]);
    size_t n = ncand[b], cap = n + 512;
    mv *a = cw_malloc(cap * sizeof *a);
    if (!a) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    memcpy(a, cand[b], n * sizeof *a);
    snprintf(t->price_note, sizeof t->price_note, "%.63s (%.31s) ", names[b], units[b]);
    bool used[16] = {false};
    used[b] = true;
    size_t src = b; /* the series that gives the last month */
    for (;;) {
        /* the unused series reaching furthest beyond the current end with >= 3 overlap months */
        int end = a[n - 1].m;
        size_t best = nc;
        double ratio = NAN;
        for (size_t k = 0; k < nc; k++) {
            if (used[k] || cand[k][ncand[k] - 1].m <= end)
                continue;
            double sum = 0;
            int cnt = 0;
            for (size_t j = 0; j < ncand[k]; j++) {
                int m = cand[k][j].m;
                if (m > end || m < a[0].m)
                    continue;
                for (size_t q = n; q-- > 0;)
                    if (a[q].m == m) {
                        if (cand[k][j].v > 0 && a[q].v > 0) {
                            sum += log(a[q].v / cand[k][j].v);
                            cnt++;
                        }
                        break;
                    } else if (a[q].m < m) {
                        break;
                    }
            }
            if (cnt >= 3 &&
                (best == nc || cand[k][ncand[k] - 1].m > cand[best][ncand[best] - 1].m)) {
                best = k;
                ratio = exp(sum / cnt);
            }
        }
        if (best == nc)
            break;
        used[best] = true;
        src = best;
        char from[8];
        int first_new = -1;
        for (size_t j = 0; j < ncand[best]; j++) {
            if (cand[best][j].m <= end)
                continue;
            if (n == cap) {
                cap *= 2;
                mv *na = cw_realloc(a, cap * sizeof *na);
                if (!na) {
                    cw_free(a);
                    rc = cw_error_set(CW_ENOMEM, "out of memory");
                    goto out;
                }
                a = na;
            }
            if (first_new < 0)
                first_new = cand[best][j].m;
            a[n++] = (mv){cand[best][j].m,    cand[best][j].v * ratio, cand[best][j].e * ratio,
                          cand[best][j].nobs, cand[best][j].lastday,   cand[best][j].quiet};
        }
        cw_supply__month_format(from, first_new);
        size_t l = strlen(t->price_note);
        snprintf(t->price_note + l, sizeof t->price_note - l,
                 "then from %.7s %.63s (%.31s) x %.4g, the mean ratio over the overlap ", from,
                 names[best], units[best], ratio);
    }
    {
        size_t l = strlen(t->price_note);
        if (l && t->price_note[l - 1] == ' ')
            t->price_note[l - 1] = 0;
    }
    last_month_of(t, names[src], lastd[src], cand[src], ncand[src]);
    *out = a;
    *n_out = n;
out:
    for (size_t k = 0; k < nc; k++)
        cw_free(cand[k]);
    return rc;
}

/* Production concentration per year (no look-ahead: month t uses the latest year <= t's). */
typedef struct {
    int year;
    double hhi, top, wgi_hhi;
    char top_iso[4];
    bool est;
    int wgi_year;
    int n_wgi_missing;
    double world;
} prod_year;

static double wgi10(cw_supply *s, const char *iso, int year, int *used_year)
{
    sqlite3_stmt *st;
    double v = NAN;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT year, AVG(estimate) FROM wgi WHERE country=?1 AND year<=?2 "
                           "GROUP BY year ORDER BY year DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return NAN;
    sqlite3_bind_text(st, 1, iso, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, year);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *used_year = sqlite3_column_int(st, 0);
        v = cw_supply_wgi_scale(sqlite3_column_double(st, 1));
    }
    sqlite3_finalize(st);
    return v;
}

static int load_production(cw_supply_timeline *t, cw_supply *s, prod_year **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT year, country, value, estimated FROM production WHERE "
                           "commodity=?1 ORDER BY year, country",
                           -1, &st, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    sqlite3_bind_text(st, 1, t->commodity, -1, SQLITE_STATIC);
    prod_year *py = NULL;
    size_t np = 0;
    double vals[64], world = NAN, other = 0;
    char isos[64][4];
    size_t nv = 0;
    int cur = -1;
    bool est = false;
    for (;;) {
        int step = sqlite3_step(st);
        int year = step == SQLITE_ROW ? sqlite3_column_int(st, 0) : -2;
        if (year != cur && cur != -1) {
            /* close year cur */
            /* the world total row, unless the parts (with "other") add up to more */
            double total = other;
            for (size_t i = 0; i < nv; i++)
                total += vals[i];
            if (isfinite(world) && world > total)
                total = world;
            cw_supply_conc c;
            if (nv && cw_supply_concentration(&c, vals, nv, total) == 0) {
                prod_year *n2 = cw_realloc(py, (np + 1) * sizeof *n2);
                if (!n2) {
                    rc = cw_error_set(CW_ENOMEM, "out of memory");
                    goto out;
                }
                py = n2;
                prod_year *p = &py[np++];
                memset(p, 0, sizeof *p);
                p->year = cur;
                p->hhi = c.hhi;
                p->top = c.top_share;
                p->est = est;
                p->world = c.total;
                snprintf(p->top_iso, sizeof p->top_iso, "%s", isos[c.top_index]);
                double sh[64], w[64];
                size_t nw = 0;
                p->wgi_year = 0;
                for (size_t i = 0; i < nv; i++) {
                    int uy = 0;
                    double g = wgi10(s, isos[i], cur, &uy);
                    if (isnan(g)) {
                        if (vals[i] > 0)
                            p->n_wgi_missing++;
                        continue;
                    }
                    if (uy > p->wgi_year)
                        p->wgi_year = uy;
                    sh[nw] = vals[i] / c.total;
                    w[nw++] = g;
                }
                p->wgi_hhi = nw && p->n_wgi_missing == 0 ? cw_supply_wgi_hhi(sh, w, nw) : NAN;
                if (nw && p->n_wgi_missing)
                    p->wgi_hhi = cw_supply_wgi_hhi(sh, w, nw); /* lower bound; gap reported */
                if (!nw)
                    p->wgi_hhi = NAN;
            }
            nv = 0;
            world = NAN;
            other = 0;
            est = false;
        }
        if (step != SQLITE_ROW)
            break;
        cur = year;
        const char *iso = (const char *)sqlite3_column_text(st, 1);
        if (sqlite3_column_type(st, 2) == SQLITE_NULL || !iso)
            continue;
        double v = sqlite3_column_double(st, 2);
        est = est || sqlite3_column_int(st, 3);
        if (!strcmp(iso, "W00"))
            world = v;
        else if (!strcmp(iso, "ZZZ"))
            other += v;
        else if (nv < 64) {
            vals[nv] = v;
            snprintf(isos[nv], 4, "%s", iso);
            nv++;
        }
    }
out:
    sqlite3_finalize(st);
    if (rc) {
        cw_free(py);
        return rc;
    }
    *out = py;
    *n_out = np;
    return 0;
}

static bool token_match(const char *list, const char *word)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = buf, *next; tok && *tok; tok = next) {
        next = strchr(tok, ';');
        if (next)
            *next++ = 0;
        if (!strcmp(cw_supply__trim(tok), word) || !strcmp(cw_supply__trim(tok), "all"))
            return true;
    }
    return false;
}

/* Supplier shares of the partner's imports on a stated basis: USGS MCS import sources for
 * the USA, KOMIR's ore imports by partner for Korea; then production concentration for every
 * partner (the mining stage, USGS MCS). */
static int load_exposure(cw_supply_timeline *t, cw_supply *s, const void *pyv, size_t n_py)
{
    const prod_year *py = pyv;
    t->n_exps = 0;
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (!strcmp(t->partner, "USA") || !strcmp(t->partner, "KOR")) {
        bool usa = !strcmp(t->partner, "USA");
        const char *sql =
            usa ? "SELECT period, supplier, share, source FROM import_sources WHERE reporter='USA'"
                  " AND commodity=?1 AND basis='usgs_import_sources' ORDER BY period, share DESC"
                : "SELECT period, supplier, SUM(value_usd), MAX(source) FROM import_sources WHERE"
                  " reporter='KOR' AND commodity=?1 AND basis='komir_ore_imports' GROUP BY period,"
                  " supplier ORDER BY period, 3 DESC";
        if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
            return cw_supply__sqlerr(s->db, "prepare");
        sqlite3_bind_text(st, 1, t->commodity, -1, SQLITE_STATIC);
        char cur[16] = "";
        double total = 0;
        tl_exposure e;
        memset(&e, 0, sizeof e);
        for (;;) {
            int step = sqlite3_step(st);
            const char *per = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : "";
            if ((step != SQLITE_ROW || strcmp(per, cur) != 0) && cur[0]) {
                if (e.top[0] && t->n_exps < 8 && (usa || total > 0)) {
                    if (!usa)
                        e.share /= total;
                    t->exps[t->n_exps++] = e;
                }
                memset(&e, 0, sizeof e);
                total = 0;
            }
            if (step != SQLITE_ROW)
                break;
            if (strcmp(per, cur) != 0) {
                snprintf(cur, sizeof cur, "%s", per);
                e.basis = usa ? EXP_USGS : EXP_KOMIR;
                if (cw_supply__digits(&e.year, per, 4))
                    e.year = 0; /* not a year: no data year (never stored so by the loaders) */
                snprintf(e.period, sizeof e.period, "%s", per);
                const unsigned char *src = sqlite3_column_text(st, 3);
                snprintf(e.source, sizeof e.source, "%s", src ? (const char *)src : "");
            }
            const char *sup = (const char *)sqlite3_column_text(st, 1);
            double v = sqlite3_column_double(st, 2);
            total += v;
            if (!e.top[0] && sup && strcmp(sup, "ZZZ") != 0 && strcmp(sup, "W00") != 0) {
                snprintf(e.top, sizeof e.top, "%s", sup);
                e.share = v;
            }
        }
        sqlite3_finalize(st);
    }
    for (size_t k = 0; k < n_py && t->n_exps < 8; k++) {
        tl_exposure e;
        memset(&e, 0, sizeof e);
        e.basis = EXP_PRODUCTION;
        e.year = py[k].year;
        snprintf(e.period, sizeof e.period, "%d%s", py[k].year, py[k].est ? "e" : "");
        snprintf(e.top, sizeof e.top, "%s", py[k].top_iso);
        e.share = py[k].top;
        snprintf(e.source, sizeof e.source, "USGS MCS world mine production");
        t->exps[t->n_exps++] = e;
    }
    return rc;
}

/* An announced measure restricting exports (not an easing, a ruling or a market event). */
static bool is_measure(const char *type)
{
    if (strstr(type, "lifted") || strstr(type, "relax") || strstr(type, "ruling") ||
        strstr(type, "response") || strstr(type, "price") || strstr(type, "market"))
        return false;
    return strstr(type, "export") || strstr(type, "embargo") || strstr(type, "quota") ||
           strstr(type, "ban") || strstr(type, "licens") || strstr(type, "control") ||
           strstr(type, "preferential");
}

/* The first month USGS MCS reports a year's production: January after it (MCS Y+1, as an
 * estimate). */
int cw_supply__production_published(int year)
{
    return (year + 1) * 12;
}

/* The first month a structural figure was public: USGS MCS YYYY appears in January YYYY and
 * first reports production of YYYY-1 (as an estimate) and import sources of YYYY-5..YYYY-2
 * (MCS 2026: 2021-24); KOMIR's ore imports of a year are taken as public in January after it.
 * A figure stands for a month only from this month on (no look-ahead). */
int cw_supply__exposure_published(const tl_exposure *x)
{
    if (x->basis == EXP_PRODUCTION)
        return cw_supply__production_published(x->year);
    int end = x->year;
    const char *dash = strchr(x->period, '-');
    if (dash && strlen(dash + 1) == 2 && isdigit((unsigned char)dash[1]) &&
        isdigit((unsigned char)dash[2]))
        end = x->year / 100 * 100 + (dash[1] - '0') * 10 + (dash[2] - '0');
    return (end + (x->basis == EXP_USGS ? 2 : 1)) * 12;
}

/* The one publication rule for structural figures (issue 16; the standing exposure_share and
 * an announced measure's weight both read it): among the entries of one kind (world production
 * when world, else the partner's imports) with ok[k] (NULL: all), *best is the latest data year
 * published by month m and *next the first published after m; -1 when none. */
void cw_supply__exposure_pick(const cw_supply_timeline *t, int m, bool world, const bool *ok,
                              int *best, int *next)
{
    *best = *next = -1;
    for (size_t k = 0; k < t->n_exps; k++) {
        const tl_exposure *x = &t->exps[k];
        if ((x->basis == EXP_PRODUCTION) != world || (ok && !ok[k]))
            continue;
        if (cw_supply__exposure_published(x) <= m) {
            if (*best < 0 || x->year > t->exps[*best].year)
                *best = (int)k;
        } else if (*next < 0 || cw_supply__exposure_published(x) <
                                    cw_supply__exposure_published(&t->exps[*next])) {
            *next = (int)k;
        }
    }
}

/* The exposure entry standing for month m: the partner's own imports (the latest figure
 * published by m), else production concentration (the same); -1 when no figure of either was
 * published by m: a later one never stands in (no look-ahead; it used to, flagged). */
static int exposure_at(const cw_supply_timeline *t, int m)
{
    int best, next;
    cw_supply__exposure_pick(t, m, false, NULL, &best, &next);
    if (best < 0)
        cw_supply__exposure_pick(t, m, true, NULL, &best, &next);
    return best;
}

/* The actor's share on one exposure entry: of world production (EXP_PRODUCTION) or of the
 * partner's imports (USGS for the USA, KOMIR ores for Korea). NAN when not in the data. */
static double actor_share_of(cw_supply_timeline *t, cw_supply *s, const tl_exposure *x,
                             const char *actor)
{
    double share = NAN;
    if (x->basis == EXP_PRODUCTION) {
        cw_supply_conc c;
        char top[4];
        double sh = 0;
        if (cw_supply_production_conc(s, t->commodity, x->year, &c, top, NULL, actor, &sh) == 0)
            share = sh;
        return share;
    }
    sqlite3_stmt *q = NULL;
    const char *sql =
        x->basis == EXP_USGS
            ? "SELECT share FROM import_sources WHERE reporter='USA' AND commodity=?1"
              " AND supplier=?2 AND period=?3"
            : "SELECT (SELECT SUM(value_usd) FROM import_sources WHERE reporter='KOR'"
              " AND commodity=?1 AND supplier=?2 AND period=?3 AND basis="
              "'komir_ore_imports') / (SELECT SUM(value_usd) FROM import_sources WHERE"
              " reporter='KOR' AND commodity=?1 AND period=?3 AND basis="
              "'komir_ore_imports')";
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, t->commodity, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, actor, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, x->period, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
            share = sqlite3_column_double(q, 0);
    }
    sqlite3_finalize(q);
    return share;
}

/* One rule for an announced measure's weight (issue 16, Build 4): the producer's share of
 * world supply (world mine production, USGS MCS; processing-stage shares are not in
 * ../shared), else, where no world share exists, the partner's import share from it; each
 * from the latest figure published by the announcement month (published_month), never a
 * later one. The partner's dependence is named beside it: its import share from the actor
 * where loaded, else the mirror flow, else "depends on world supply". */
static void actor_weight(cw_supply_timeline *t, cw_supply *s, tl_event *e)
{
    int m = e->month;
    int bw = -1, bi = -1, nw = -1, ni = -1; /* best published / nearest unpublished */
    double share[8];
    bool ok[8];
    for (size_t k = 0; k < t->n_exps; k++) {
        share[k] = e->actor[0] ? actor_share_of(t, s, &t->exps[k], e->actor) : NAN;
        ok[k] = isfinite(share[k]);
    }
    cw_supply__exposure_pick(t, m, true, ok, &bw, &nw);
    cw_supply__exposure_pick(t, m, false, ok, &bi, &ni);
    double sw = bw >= 0 ? share[bw] : NAN, si = bi >= 0 ? share[bi] : NAN;
    double snw = nw >= 0 ? share[nw] : NAN, sni = ni >= 0 ? share[ni] : NAN;
    char p1[8], p2[8];
    if (bw >= 0) {
        cw_supply__month_format(p1, cw_supply__exposure_published(&t->exps[bw]));
        e->actor_share = sw;
        snprintf(e->basis, sizeof e->basis,
                 "world production share %s (USGS MCS, published %s; mining stage)",
                 t->exps[bw].period, p1);
    } else if (bi >= 0) {
        cw_supply__month_format(p1, cw_supply__exposure_published(&t->exps[bi]));
        e->actor_share = si;
        snprintf(e->basis, sizeof e->basis, "%s import share %s (%s, published %s); %s", t->partner,
                 t->exps[bi].period, t->exps[bi].basis == EXP_USGS ? "USGS MCS" : "KOMIR", p1,
                 nw >= 0 ? "no world production share published by the announcement"
                         : "no world production share in the data");
    } else if (nw >= 0 || ni >= 0) {
        int k = nw >= 0 ? nw : ni;
        cw_supply__month_format(p1, cw_supply__exposure_published(&t->exps[k]));
        cw_supply__month_format(p2, m);
        char what[32];
        snprintf(what, sizeof what, "%s%s", k == nw ? "world production" : t->partner,
                 k == nw ? "" : " import");
        snprintf(e->basis, sizeof e->basis,
                 "no share published by %s: the first, %s share %s (%.1f %%), was published %s"
                 " (no look-ahead)",
                 p2, what, t->exps[k].period, 100 * (k == nw ? snw : sni), p1);
    }
    /* the partner's dependence on the actor */
    int d = bi >= 0 ? bi : ni;
    if (d >= 0) {
        cw_supply__month_format(p1, cw_supply__exposure_published(&t->exps[d]));
        snprintf(e->dependence, sizeof e->dependence,
                 "%s imports from %s: %.0f %% (%s %s, published %s%s)", t->partner, e->actor,
                 100 * (d == bi ? si : sni),
                 t->exps[d].basis == EXP_USGS ? "USGS MCS" : "KOMIR ores", t->exps[d].period, p1,
                 d == bi ? "" : ", after the announcement: named, not used");
        return;
    }
    double flow = 0;
    size_t nrow = 0;
    for (size_t r = 0; r < t->n_trade_rows; r++) {
        const tl_trade_row *tr = &t->trade_rows[r];
        if (tr->month < m - 12 || tr->month >= m || tr->supplier < 0 ||
            (size_t)tr->supplier >= t->n_suppliers ||
            strcmp(t->suppliers[tr->supplier], e->actor) != 0)
            continue;
        flow += tr->value;
        nrow++;
    }
    if (nrow) {
        cw_supply__month_format(p1, m - 12);
        cw_supply__month_format(p2, m - 1);
        if (t->direct)
            snprintf(e->dependence, sizeof e->dependence,
                     "%s's own imports from %s: %.3g M USD, %s..%s", t->partner, e->actor,
                     flow / 1e6, p1, p2);
        else
            snprintf(e->dependence, sizeof e->dependence,
                     "mirror: %s reports exports to %s of %.3g M USD, %s..%s", e->actor, t->partner,
                     flow / 1e6, p1, p2);
        return;
    }
    /* the partner's import sources are loaded but do not list the actor (cobalt USA: USGS
     * names NOR, FIN, CAN, JPN and other, no COD): say so, not "no import share loaded" */
    int lb, ln;
    cw_supply__exposure_pick(t, m, false, NULL, &lb, &ln);
    if (lb >= 0 || ln >= 0) {
        const tl_exposure *x = &t->exps[lb >= 0 ? lb : ln];
        cw_supply__month_format(p1, cw_supply__exposure_published(x));
        snprintf(e->dependence, sizeof e->dependence,
                 "%s imports: %s %s (published %s%s) lists no %s among its sources (top %s %.0f "
                 "%%); depends on world supply",
                 t->partner, x->basis == EXP_USGS ? "USGS MCS" : "KOMIR ores", x->period, p1,
                 lb >= 0 ? "" : ", after the announcement", e->actor, x->top, 100 * x->share);
        return;
    }
    snprintf(e->dependence, sizeof e->dependence,
             "depends on world supply (no import share or trade flow of %s from %s loaded)",
             t->partner, e->actor);
}

static int load_events(cw_supply_timeline *t, cw_supply *s, const void *pyv, size_t n_py)
{
    const prod_year *py = pyv;
    (void)py;
    (void)n_py;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            s->db,
            "SELECT event_id, announced, commodity, affected, effective, actor, type,"
            " description FROM events ORDER BY announced",
            -1, &st, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    int rc = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *ann = (const char *)sqlite3_column_text(st, 1);
        const char *com = (const char *)sqlite3_column_text(st, 2);
        const char *aff = (const char *)sqlite3_column_text(st, 3);
        const char *eff = (const char *)sqlite3_column_text(st, 4);
        const char *actor = (const char *)sqlite3_column_text(st, 5);
        const char *type = (const char *)sqlite3_column_text(st, 6);
        const char *desc = (const char *)sqlite3_column_text(st, 7);
        if (!id || !ann || !com || !aff)
            continue;
        const char *canon = NULL;
        char buf[128];
        snprintf(buf, sizeof buf, "%s", com);
        bool match = token_match(com, t->commodity);
        for (char *tok = buf, *next; !match && tok && *tok; tok = next) {
            next = strchr(tok, ';');
            if (next)
                *next++ = 0;
            canon = cw_supply_commodity_resolve(s, cw_supply__trim(tok));
            if (canon && !strcmp(canon, t->commodity))
                match = true;
        }
        if (strcmp(aff, "all") != 0 && strcmp(aff, t->partner) != 0)
            continue;
        /* a measure on another in-scope commodity by the same actor is kept apart (other):
         * a supplier that has just restricted one critical mineral is a risk for the others
         * it supplies (event_actor, event-informed level only) */
        const char *other = NULL;
        if (!match) {
            if (!type || !is_measure(type))
                continue;
            snprintf(buf, sizeof buf, "%s", com);
            for (char *tok = buf, *next; !other && tok && *tok; tok = next) {
                next = strchr(tok, ';');
                if (next)
                    *next++ = 0;
                other = cw_supply_commodity_resolve(s, cw_supply__trim(tok));
            }
            if (!other)
                continue;
        }
        int m = strlen(ann) >= 7 ? cw_supply__month_parse(ann) : -1;
        if (m < 0) { /* a year alone: count it in January */
            char yb[8];
            snprintf(yb, sizeof yb, "%.4s-01", ann);
            m = cw_supply__month_parse(yb);
        }
        if (m < 0)
            continue;
        int me = eff && strlen(eff) >= 7 ? cw_supply__month_parse(eff) : -1;
        if (me < 0 && eff) {
            char yb[8];
            snprintf(yb, sizeof yb, "%.4s-01", eff);
            me = cw_supply__month_parse(yb);
        }
        tl_event *ne = cw_realloc(t->ev, (t->n_ev + 1) * sizeof *ne);
        if (!ne) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            break;
        }
        t->ev = ne;
        tl_event *e = &ne[t->n_ev];
        memset(e, 0, sizeof *e);
        snprintf(e->id, sizeof e->id, "%s", id);
        e->month = m;
        e->eff_month = me >= 0 ? me : m;
        e->measure = type && is_measure(type);
        e->actor_share = NAN;
        snprintf(e->actor, sizeof e->actor, "%s", actor ? actor : "");
        snprintf(e->source, sizeof e->source, "%s", desc ? desc : "");
        if (other)
            snprintf(e->other, sizeof e->other, "%s", other);
        actor_weight(t, s, e);
        e->counted = e->measure && isfinite(e->actor_share) && !e->other[0];
        /* a measure on another commodity matters here only if its actor supplies this one */
        if (e->other[0] && !(e->actor_share > 0))
            continue;
        t->n_ev++;
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- line_stop (eighth stop): a ban on one partner stops one HS6 line while the product
 * group's total may hold (811292 to the USA, Jul-Nov 2024). line_stop at month i is the
 * largest, over the partner's HS6 lines, of the number of months i-5..i in which the line is
 * below TL_STOP_FRAC x the median of its 24 months i-29..i-6; a month without a row for the
 * line is 0 when the partner's series (tv) has data that month, and not counted when it has
 * none. A line needs rows in >= TL_STOP_ROWS of its 24 baseline months and a median > 0. */
#define TL_STOP_FRAC 0.1
#define TL_STOP_WIN 6
#define TL_STOP_BASE 24
#define TL_STOP_ROWS 18
static void line_stop_of(cw_supply_timeline *t, const double *x, const bool *row, const double *tv,
                         int hs6)
{
    double h[TL_STOP_BASE];
    for (size_t i = TL_STOP_WIN + TL_STOP_BASE - 1; i < t->n; i++) {
        if (!isfinite(tv[i]))
            continue;
        size_t k = 0, rows = 0;
        for (size_t j = i + 1 - TL_STOP_WIN - TL_STOP_BASE; j <= i - TL_STOP_WIN; j++) {
            if (!isfinite(tv[j]))
                continue;
            h[k++] = row[j] ? x[j] : 0.0;
            rows += row[j];
        }
        if (rows < TL_STOP_ROWS)
            continue;
        double med = cw_supply_median(h, k);
        if (!(med > 0))
            continue;
        int cnt = 0;
        for (size_t j = i + 1 - TL_STOP_WIN; j <= i; j++)
            if (isfinite(tv[j]) && (row[j] ? x[j] : 0.0) < TL_STOP_FRAC * med)
                cnt++;
        if (isnan(t->v[TL_LINE_STOP][i]) || cnt > t->v[TL_LINE_STOP][i]) {
            t->v[TL_LINE_STOP][i] = cnt;
            t->line_stop_hs[i] = hs6;
        }
    }
}

/* ---- trade_frontload (stop 17): the shape a producer's export control leaves between its
 * announcement and its effective date. Buyers ship ahead of the licences (front-loading), then
 * the flow falls back. On the cell's monthly value (the partner's series as loaded, before the
 * hygiene floor: a fall to near zero is the shape), y = ln(USD + 1): the baseline is months
 * i-14..i-3 (at least TL_FL_ROWS of 12 with data), m its median and sd 1.4826 x its median
 * absolute deviation (at least TL_FL_SD); the peak the larger of y at i-1 and i-2. The value
 * is the smaller of the surge (peak - m) / sd and the fall (peak - y_i) / sd: large only when
 * the month fell back from a surge of the two before it. */
#define TL_FL_BASE 12
#define TL_FL_ROWS 9
#define TL_FL_SD 0.05
static void frontload(cw_supply_timeline *t, const double *tv)
{
    double b[TL_FL_BASE], d[TL_FL_BASE];
    for (size_t i = TL_FL_BASE + 2; i < t->n; i++) {
        if (!isfinite(tv[i]) || !(isfinite(tv[i - 1]) || isfinite(tv[i - 2])))
            continue;
        size_t k = 0;
        for (size_t j = i - TL_FL_BASE - 2; j <= i - 3; j++)
            if (isfinite(tv[j]))
                b[k++] = log(tv[j] + 1.0);
        if (k < TL_FL_ROWS)
            continue;
        double m = cw_supply_median(b, k);
        for (size_t j = 0; j < k; j++)
            d[j] = fabs(b[j] - m);
        double sd = 1.4826 * cw_supply_median(d, k);
        if (!(sd >= TL_FL_SD))
            sd = TL_FL_SD;
        double peak = -INFINITY;
        for (size_t j = i - 2; j < i; j++)
            if (isfinite(tv[j]) && log(tv[j] + 1.0) > peak)
                peak = log(tv[j] + 1.0);
        double surge = (peak - m) / sd, fall = (peak - log(tv[i] + 1.0)) / sd;
        t->v[TL_FRONTLOAD][i] = surge < fall ? surge : fall;
    }
}

/* The partner's monthly rows per HS6 line: from the timeline's own rows, or, when the trade
 * series is a product group, from the HS6 rows of the group's lines that are loaded. */
static int line_stop(cw_supply_timeline *t, cw_supply *s, const double *tv, int w00)
{
    size_t n = t->n;
    t->line_stop_hs = cw_calloc(n, sizeof *t->line_stop_hs);
    double *x = cw_calloc(n, sizeof *x);
    bool *row = cw_calloc(n, sizeof *row);
    int rc = 0;
    if (!t->line_stop_hs || !x || !row) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    if (!t->trade_group[0]) {
        for (size_t l = 0; l < t->n_lines; l++) {
            memset(x, 0, n * sizeof *x);
            memset(row, 0, n * sizeof *row);
            for (size_t k = 0; k < t->n_trade_rows; k++) {
                const tl_trade_row *r = &t->trade_rows[k];
                if (r->line != (int)l || (r->supplier == w00 && t->n_suppliers > 1))
                    continue;
                size_t i = (size_t)(r->month - t->m0);
                x[i] += r->value;
                row[i] = true;
            }
            line_stop_of(t, x, row, tv, t->lines[l]);
        }
        goto out;
    }
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT hs6, period, SUM(value_usd) FROM trade WHERE partner=?1 AND flow='X' AND "
             "freq='M' AND hs6 IN (%s) GROUP BY hs6, period ORDER BY hs6, period",
             cw_supply__group_hs(t->trade_group));
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc = cw_supply__sqlerr(s->db, "prepare");
        goto out;
    }
    sqlite3_bind_text(st, 1, t->partner, -1, SQLITE_STATIC);
    int cur = -1;
    for (;;) {
        int step = sqlite3_step(st);
        int hs6 = step == SQLITE_ROW
                      ? (int)strtol((const char *)sqlite3_column_text(st, 0), NULL, 10)
                      : -1;
        if (cur >= 0 && hs6 != cur) {
            line_stop_of(t, x, row, tv, cur);
            memset(x, 0, n * sizeof *x);
            memset(row, 0, n * sizeof *row);
        }
        if (step != SQLITE_ROW)
            break;
        cur = hs6;
        int m = cw_supply__month_parse((const char *)sqlite3_column_text(st, 1));
        if (m < t->m0 || m >= t->m0 + (int)n)
            continue;
        x[m - t->m0] += sqlite3_column_double(st, 2);
        row[m - t->m0] = true;
    }
    sqlite3_finalize(st);
out:
    cw_free(x);
    cw_free(row);
    return rc;
}

/* KOMIR's market-risk index of the commodity (indices, name komir_market_risk; stop 15): one
 * value a month, ascending. KOMIR publishes it for its own minerals (cobalt 2011-, lithium 2015-
 * in ../shared); it moves with KOMIR's supply-stability index (r 0.998 / 1.000 over their 77
 * common months), lower = riskier, and is the same for every partner. */
static int load_mrisk(cw_supply *s, const char *commodity, mv **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT period, value FROM indices WHERE name='komir_market_risk' AND "
                           "commodity=?1 AND country='KOR' AND value > 0 ORDER BY period",
                           -1, &st, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    sqlite3_bind_text(st, 1, commodity, -1, SQLITE_STATIC);
    size_t n = 0, cap = 0;
    mv *a = NULL;
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int m = cw_supply__month_parse((const char *)sqlite3_column_text(st, 0));
        if (m < 0 || (n && m <= a[n - 1].m))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            mv *na = cw_realloc(a, cap * sizeof *na);
            if (!na) {
                rc = cw_error_set(CW_ENOMEM, "out of memory");
                break;
            }
            a = na;
        }
        double v = sqlite3_column_double(st, 1);
        a[n++] = (mv){m, v, v, 1, 0, false};
    }
    if (!rc && step != SQLITE_DONE)
        rc = cw_supply__sqlerr(s->db, "indices");
    sqlite3_finalize(st);
    if (rc) {
        cw_free(a);
        return rc;
    }
    *out = a;
    *n_out = n;
    return 0;
}

int cw_supply_timeline_build(cw_supply_timeline **out, cw_supply *s, const char *commodity,
                             const char *partner)
{
    *out = NULL;
    const char *canon = cw_supply_commodity_resolve(s, commodity);
    if (!canon)
        return cw_error_set(CW_ENOTFOUND, "unknown commodity '%s'", commodity);
    cw_supply_timeline *t = cw_calloc(1, sizeof *t);
    if (!t)
        return cw_error_set(CW_ENOMEM, "out of memory");
    mv *price = NULL, *mr = NULL;
    size_t n_price = 0, n_mr = 0;
    prod_year *py = NULL;
    size_t n_py = 0;
    double *sup = NULL;
    int rc = 0;
    snprintf(t->commodity, sizeof t->commodity, "%s", canon);
    if ((rc = cw_supply_country_resolve(s, partner, t->partner)))
        goto out;
    t->trade_first = -1;
    t->trade_last = -1;
    char hs[1024];
    if ((rc = hs_list(t, s, canon, hs, sizeof hs)))
        goto out;
    if ((rc = load_trade(t, s, hs)))
        goto out;
    if ((rc = load_price(t, s, &price, &n_price)))
        goto out;
    int m0 = t->trade_first, m1 = t->trade_last;
    if (n_price) {
        t->price_first = price[0].m;
        t->price_last = price[n_price - 1].m;
        if (m0 < 0 || price[0].m < m0)
            m0 = price[0].m;
        if (price[n_price - 1].m > m1)
            m1 = price[n_price - 1].m;
    } else {
        t->price_first = t->price_last = -1;
    }
    if ((rc = load_mrisk(s, canon, &mr, &n_mr)))
        goto out;
    t->mrisk_first = t->mrisk_last = -1;
    if (n_mr && m0 >= 0) { /* the index widens the month axis only beside trade or price data */
        t->mrisk_first = mr[0].m;
        t->mrisk_last = mr[n_mr - 1].m;
        if (mr[0].m < m0)
            m0 = mr[0].m;
        if (mr[n_mr - 1].m > m1)
            m1 = mr[n_mr - 1].m;
    }
    if (m0 < 0) {
        rc = cw_error_set(CW_ENOTFOUND, "no trade or price data for %s and %s", canon, t->partner);
        goto out;
    }
    t->m0 = m0;
    t->n = (size_t)(m1 - m0) + 1;
    size_t n = t->n;
    for (size_t i = 0; i < TL_N_IND; i++) {
        t->v[i] = cw_malloc(n * sizeof(double));
        if (!t->v[i]) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t k = 0; k < n; k++)
            t->v[i][k] = NAN;
    }
    t->labels = cw_malloc(n * sizeof *t->labels);
    t->top_supplier = cw_calloc(n, sizeof *t->top_supplier);
    t->prod_top = cw_calloc(n, sizeof *t->prod_top);
    t->prod_year = cw_calloc(n, sizeof *t->prod_year);
    t->prod_est = cw_calloc(n, sizeof *t->prod_est);
    t->wgi_missing = cw_calloc(n, sizeof *t->wgi_missing);
    t->price_quiet = cw_calloc(n, sizeof *t->price_quiet);
    sup = cw_calloc(n * (t->n_suppliers ? t->n_suppliers : 1), sizeof *sup);
    if (!t->labels || !t->top_supplier || !t->prod_top || !t->prod_year || !t->prod_est ||
        !t->wgi_missing || !t->price_quiet || !sup) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        cw_supply__month_format(t->labels[i], m0 + (int)i);

    /* ---- trade totals and per-supplier matrix ---- */
    int w00 = -1;
    for (size_t i = 0; i < t->n_suppliers; i++)
        if (!strcmp(t->suppliers[i], "W00"))
            w00 = (int)i;
    bool *has = cw_calloc(n, sizeof *has);
    double *world = cw_calloc(n, sizeof *world);
    if (!has || !world) {
        cw_free(has);
        cw_free(world);
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < t->n_trade_rows; k++) {
        tl_trade_row *r = &t->trade_rows[k];
        size_t i = (size_t)(r->month - m0);
        if (r->supplier == w00) {
            world[i] += r->value;
        } else {
            sup[i * t->n_suppliers + (size_t)r->supplier] += r->value;
        }
        has[i] = true;
    }
    double *tv = t->v[TL_TRADE_VALUE];
    for (size_t i = 0; i < n; i++) {
        if (!has[i])
            continue;
        double tot = 0;
        bool any = false;
        for (size_t j = 0; j < t->n_suppliers; j++)
            if ((int)j != w00) {
                tot += sup[i * t->n_suppliers + j];
                any = true;
            }
        tv[i] = any && tot > 0 ? tot : world[i];
    }
    cw_free(has);
    cw_free(world);
    /* gaps: months without rows between the first and last trade month */
    if (t->trade_first >= 0)
        for (int m = t->trade_first; m <= t->trade_last; m++)
            if (isnan(tv[m - m0]))
                t->trade_gaps++;
    /* ---- hygiene: near-zero months (floor) and implausible unit values are missing for the
     * detectors; a run of floor months is its own indicator ---- */
    double *clean = cw_malloc(n * sizeof *clean), *kg = cw_calloc(n, sizeof *kg);
    bool *low = cw_calloc(n, sizeof *low), *uvbad = cw_calloc(n, sizeof *uvbad);
    bool *valid = cw_calloc(n, sizeof *valid);
    if (!clean || !kg || !low || !uvbad || !valid) {
        cw_free(clean);
        cw_free(kg);
        cw_free(low);
        cw_free(uvbad);
        cw_free(valid);
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < t->n_trade_rows; k++) {
        tl_trade_row *r = &t->trade_rows[k];
        if (r->supplier == w00 && t->n_suppliers > 1)
            continue;
        size_t i = (size_t)(r->month - m0);
        kg[i] = isfinite(r->net_kg) && isfinite(kg[i]) ? kg[i] + r->net_kg : NAN;
    }
    for (size_t i = 0; i < n; i++)
        valid[i] = isfinite(tv[i]);
    bool *nearz = cw_calloc(n, sizeof *nearz);
    if (!nearz) {
        cw_free(clean);
        cw_free(kg);
        cw_free(low);
        cw_free(uvbad);
        cw_free(valid);
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    floor_mask(tv, valid, n, low, nearz);
    uv_mask(tv, kg, n, uvbad);
    int run = 0;
    for (size_t i = 0; i < n; i++) {
        clean[i] = tv[i];
        if (nearz[i])
            run++;
        else if (isfinite(tv[i]))
            run = 0;
        if (low[i]) {
            clean[i] = NAN;
            t->floor_months++;
        }
        if (uvbad[i] && !low[i]) {
            clean[i] = NAN;
            t->uv_months++;
        }
        if (isfinite(tv[i]) && i >= 12)
            t->v[TL_FLOOR_RUN][i] = run;
    }
    rc = detectors(t, clean, TL_TRADE_Z, TL_TRADE_EWMA, TL_TRADE_EWMA_ABS, TL_TRADE_CUSUM_UP,
                   TL_TRADE_CUSUM_DOWN, TL_TRADE_CP);
    cw_free(clean);
    cw_free(kg);
    cw_free(low);
    cw_free(nearz);
    cw_free(uvbad);
    if (rc) {
        cw_free(valid);
        goto out;
    }

    /* ---- per-line robust z (controls often target one line): the most extreme line among
     * those carrying >= 10% of the commodity's trailing 12-month value ---- */
    t->line_up_hs = cw_calloc(n, sizeof *t->line_up_hs);
    t->line_down_hs = cw_calloc(n, sizeof *t->line_down_hs);
    if (!t->line_up_hs || !t->line_down_hs) {
        cw_free(valid);
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    if (t->n_lines > 1 && t->n_trade_rows && !t->trade_group[0]) {
        double *lv = cw_calloc(n * t->n_lines, sizeof *lv);
        double *y = cw_malloc(n * sizeof *y), *r = cw_malloc(n * sizeof *r);
        double *z = cw_malloc(n * sizeof *z);
        bool *llow = cw_calloc(n, sizeof *llow), *lnear = cw_calloc(n, sizeof *lnear);
        if (!lv || !y || !r || !z || !llow || !lnear) {
            cw_free(lnear);
            cw_free(lv);
            cw_free(y);
            cw_free(r);
            cw_free(z);
            cw_free(llow);
            cw_free(valid);
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t k = 0; k < t->n_trade_rows; k++) {
            tl_trade_row *row = &t->trade_rows[k];
            if (row->supplier != w00 || t->n_suppliers == 1)
                lv[(size_t)row->line * n + (size_t)(row->month - m0)] += row->value;
        }
        for (size_t l = 0; l < t->n_lines; l++) {
            double *x = lv + l * n;
            floor_mask(x, valid, n, llow, lnear);
            for (size_t i = 0; i < n; i++)
                y[i] = isfinite(tv[i]) && !llow[i] ? log(x[i] + 1.0) : NAN;
            cw_supply_seasonal_resid(r, y, n, 12, 3);
            cw_supply_robust_z_floor(z, r, n, 36, 12, TL_MIN_SCALE);
            for (size_t i = 0; i < n; i++) {
                if (!isfinite(z[i]))
                    continue;
                double lsum = 0, tsum = 0;
                for (size_t k = i >= 12 ? i - 12 : 0; k < i; k++)
                    if (isfinite(tv[k])) {
                        lsum += x[k];
                        tsum += tv[k];
                    }
                if (!(tsum > 0) || lsum < 0.1 * tsum)
                    continue;
                if (isnan(t->v[TL_LINE_UP][i]) || z[i] > t->v[TL_LINE_UP][i]) {
                    t->v[TL_LINE_UP][i] = z[i];
                    t->line_up_hs[i] = t->lines[l];
                }
                if (isnan(t->v[TL_LINE_DOWN][i]) || z[i] < t->v[TL_LINE_DOWN][i]) {
                    t->v[TL_LINE_DOWN][i] = z[i];
                    t->line_down_hs[i] = t->lines[l];
                }
            }
        }
        cw_free(lv);
        cw_free(y);
        cw_free(r);
        cw_free(z);
        cw_free(llow);
        cw_free(lnear);
    } else {
        memcpy(t->v[TL_LINE_UP], t->v[TL_TRADE_Z], n * sizeof(double));
        memcpy(t->v[TL_LINE_DOWN], t->v[TL_TRADE_Z], n * sizeof(double));
        for (size_t i = 0; i < n; i++)
            t->line_up_hs[i] = t->line_down_hs[i] =
                t->n_lines && !t->trade_group[0] ? t->lines[0] : 0;
    }

    cw_free(valid);
    if ((rc = line_stop(t, s, tv, w00)))
        goto out;
    frontload(t, tv);

    /* ---- import concentration and friend-share over the trailing 12 months ---- */
    size_t n_real = t->n_suppliers - (w00 >= 0 ? 1 : 0);
    t->conc_ok = t->direct ? n_real >= 1 : n_real >= 3;
    if (t->conc_ok) {
        double *acc = cw_calloc(t->n_suppliers ? t->n_suppliers : 1, sizeof *acc);
        bool *aligned = cw_calloc(t->n_suppliers ? t->n_suppliers : 1, sizeof *aligned);
        if (!acc || !aligned) {
            cw_free(acc);
            cw_free(aligned);
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t j = 0; j < t->n_suppliers; j++) {
            const cw_sup_country *c = cw_supply__country(s, t->suppliers[j]);
            aligned[j] = c && c->aligned;
        }
        for (size_t i = 0; i < n; i++) {
            size_t months = 0;
            for (size_t j = 0; j < t->n_suppliers; j++)
                acc[j] = 0;
            for (size_t k = i >= 11 ? i - 11 : 0; k <= i; k++) {
                if (isnan(tv[k]))
                    continue;
                months++;
                for (size_t j = 0; j < t->n_suppliers; j++)
                    acc[j] += sup[k * t->n_suppliers + j];
            }
            if (months < 6)
                continue;
            double vals[TL_MAX_SUPPLIERS], total = 0, friendly = 0;
            size_t map[TL_MAX_SUPPLIERS], nvv = 0;
            for (size_t j = 0; j < t->n_suppliers; j++) {
                if ((int)j == w00)
                    continue;
                total += acc[j];
                if (aligned[j])
                    friendly += acc[j];
                if (strcmp(t->suppliers[j], "ZZZ") != 0) {
                    vals[nvv] = acc[j];
                    map[nvv++] = j;
                }
            }
            cw_supply_conc c;
            if (!nvv || cw_supply_concentration(&c, vals, nvv, total))
                continue;
            t->v[TL_IMPORT_TOP][i] = c.top_share;
            t->v[TL_IMPORT_HHI][i] = c.hhi;
            t->v[TL_IMPORT_ENS][i] = c.ens;
            t->v[TL_FRIEND][i] = friendly / total;
            snprintf(t->top_supplier[i], 4, "%s", t->suppliers[map[c.top_index]]);
        }
        cw_free(acc);
        cw_free(aligned);
    }

    /* ---- prices ---- */
    /* a month with no new quote (every observation of a daily or weekly series equal to the
     * previous month's last: the source carried its quote forward) is shown, not read by any
     * rule: stop 19 registered it as missing for the detectors and reverted it on its run
     * (docs/SUPPLY-INDICATORS.md, "Nineteenth stop") */
    for (size_t k = 0; k < n_price; k++) {
        t->v[TL_PRICE][price[k].m - m0] = price[k].v;
        t->price_quiet[price[k].m - m0] = price[k].quiet;
    }
    /* the price EWMA ratio itself is not a named indicator; only its absolute value is */
    if ((rc = detectors(t, t->v[TL_PRICE], TL_PRICE_Z, -1, TL_PRICE_EWMA_ABS, TL_PRICE_CUSUM_UP,
                        TL_PRICE_CUSUM_DOWN, TL_PRICE_CP)))
        goto out;
    /* direction: a change point counts as a supply signal only while the price rises (the
     * robust z of the last 3 months sums above zero); a falling price is not a shortage */
    for (size_t i = 0; i < n; i++) {
        double cp = t->v[TL_PRICE_CP][i], zs = 0;
        if (!isfinite(cp))
            continue;
        for (size_t k = i >= 2 ? i - 2 : 0; k <= i; k++)
            if (isfinite(t->v[TL_PRICE_Z][k]))
                zs += t->v[TL_PRICE_Z][k];
        t->v[TL_PRICE_CP_UP][i] = zs > 0 ? cp : 0;
    }

    {
        double *eom = n_price ? cw_malloc(n * sizeof *eom) : NULL;
        if (n_price && !eom) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; eom && i < n; i++)
            eom[i] = NAN;
        for (size_t k = 0; eom && k < n_price; k++)
            eom[price[k].m - m0] = price[k].e;
        price_momentum(t, eom);
        cw_free(eom);
    }
    price_pctile(t);
    /* KOMIR's market-risk index and its fall (lower = riskier): price_jump's statistic on 1 / x */
    for (size_t k = 0; k < n_mr; k++) {
        t->v[TL_MRISK][mr[k].m - m0] = mr[k].v;
        mr[k].v = 1.0 / mr[k].v;
    }
    if (n_mr) {
        double *inv = cw_malloc(n * sizeof *inv);
        if (!inv) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < n; i++)
            inv[i] = NAN;
        for (size_t k = 0; k < n_mr; k++)
            inv[mr[k].m - m0] = mr[k].v;
        jump_z(inv, n, t->v[TL_MRISK_JUMP]);
        cw_free(inv);
    }

    /* ---- production (per year, no look-ahead: a year's figures stand from their
     * publication, January after the year, as the exposure's; stop 18, before from the
     * year's own January) ---- */
    if ((rc = load_production(t, s, &py, &n_py)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        const prod_year *best = NULL;
        for (size_t k = 0; k < n_py; k++)
            if (cw_supply__production_published(py[k].year) <= m0 + (int)i)
                best = &py[k];
        if (!best)
            continue;
        t->v[TL_PROD_HHI][i] = best->hhi;
        t->v[TL_PROD_TOP][i] = best->top;
        t->v[TL_WGI_HHI][i] = best->wgi_hhi;
        snprintf(t->prod_top[i], 4, "%s", best->top_iso);
        t->prod_year[i] = best->year;
        t->prod_est[i] = best->est;
        t->wgi_missing[i] = best->n_wgi_missing;
        t->wgi_year = best->wgi_year;
    }

    /* ---- net import reliance (direct trade and the partner's own production) ---- */
    if (t->direct) {
        sqlite3_stmt *st = NULL;
        char sql[2048];
        snprintf(sql, sizeof sql,
                 "SELECT substr(period,1,4) AS y, SUM(CASE WHEN flow='M' THEN net_kg END),"
                 " SUM(CASE WHEN flow='X' THEN net_kg END) FROM trade INDEXED BY trade_reporter"
                 " WHERE reporter=?1 AND"
                 " flow IN ('M', 'X') AND partner<>'W00' AND freq='M' AND hs6 IN (%s) GROUP BY y",
                 hs);
        sqlite3_stmt *pq = NULL;
        if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(s->db,
                               "SELECT value, unit FROM production WHERE commodity=?1 AND "
                               "country=?2 AND year<=?3 AND value IS NOT NULL ORDER BY year DESC "
                               "LIMIT 1",
                               -1, &pq, NULL) != SQLITE_OK) {
            sqlite3_finalize(st);
            sqlite3_finalize(pq);
            rc = cw_supply__sqlerr(s->db, "prepare");
            goto out;
        }
        sqlite3_bind_text(st, 1, t->partner, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            int y = (int)strtol((const char *)sqlite3_column_text(st, 0), NULL, 10);
            if (sqlite3_column_type(st, 1) == SQLITE_NULL)
                continue;
            double imp = sqlite3_column_double(st, 1), exp_ = sqlite3_column_double(st, 2);
            sqlite3_reset(pq);
            sqlite3_bind_text(pq, 1, t->commodity, -1, SQLITE_STATIC);
            sqlite3_bind_text(pq, 2, t->partner, -1, SQLITE_STATIC);
            sqlite3_bind_int(pq, 3, y);
            if (sqlite3_step(pq) != SQLITE_ROW)
                continue;
            double prod =
                sqlite3_column_double(pq, 0) * unit_kg((const char *)sqlite3_column_text(pq, 1));
            double nir = cw_supply_nir(prod, imp, exp_);
            for (size_t i = 0; i < n; i++)
                if ((m0 + (int)i) / 12 == y)
                    t->v[TL_NIR][i] = nir;
        }
        sqlite3_finalize(st);
        sqlite3_finalize(pq);
    }

    /* ---- exposure with a stated basis ---- */
    if ((rc = load_exposure(t, s, py, n_py)))
        goto out;
    t->exp_idx = cw_malloc(n * sizeof *t->exp_idx);
    if (!t->exp_idx) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        int k = exposure_at(t, m0 + (int)i);
        t->exp_idx[i] = k;
        if (k >= 0)
            t->v[TL_EXPOSURE][i] = t->exps[k].share;
    }

    /* ---- events announced per month ---- */
    if ((rc = load_events(t, s, py, n_py)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        t->v[TL_EVENT][i] = 0;
        t->v[TL_EVENT_MEASURE][i] = 0;
        t->v[TL_EVENT_ACTOR][i] = 0;
    }
    for (size_t k = 0; k < t->n_ev; k++)
        if (t->ev[k].month >= m0 && t->ev[k].month <= m1) {
            size_t i = (size_t)(t->ev[k].month - m0);
            if (t->ev[k].other[0]) {
                if (t->ev[k].measure && t->ev[k].actor_share > t->v[TL_EVENT_ACTOR][i])
                    t->v[TL_EVENT_ACTOR][i] = t->ev[k].actor_share;
                continue;
            }
            t->v[TL_EVENT][i] += 1;
            if (t->ev[k].counted && t->ev[k].actor_share > t->v[TL_EVENT_MEASURE][i])
                t->v[TL_EVENT_MEASURE][i] = t->ev[k].actor_share;
        }
    {
        time_t now = time(NULL);
        struct tm tmv;
        gmtime_r(&now, &tmv);
        t->today_m = (tmv.tm_year + 1900) * 12 + tmv.tm_mon;
    }
out:
    cw_free(price);
    cw_free(mr);
    cw_free(py);
    cw_free(sup);
    if (rc) {
        cw_supply_timeline_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

int cw_supply_production_conc(cw_supply *s, const char *commodity, int year, cw_supply_conc *out,
                              char top_iso3[4], double *wgi_hhi, const char *share_of,
                              double *share_out)
{
    const char *canon = cw_supply_commodity_resolve(s, commodity);
    if (!canon)
        return cw_error_set(CW_ENOTFOUND, "unknown commodity '%s'", commodity);
    char want[4] = "";
    if (share_of && cw_supply_country_resolve(s, share_of, want))
        return CW_ENOTFOUND;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT country, value FROM production WHERE commodity=?1 AND year=?2 "
                           "AND value IS NOT NULL ORDER BY country",
                           -1, &st, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, year);
    double vals[256], world = NAN, other = 0, want_v = NAN;
    char isos[256][4];
    size_t nv = 0;
    while (sqlite3_step(st) == SQLITE_ROW && nv < 256) {
        const char *iso = (const char *)sqlite3_column_text(st, 0);
        double v = sqlite3_column_double(st, 1);
        if (!strcmp(iso, "W00")) {
            world = v;
            continue;
        }
        if (!strcmp(iso, "ZZZ")) {
            other += v;
            continue;
        }
        if (!strcmp(iso, want))
            want_v = v;
        vals[nv] = v;
        snprintf(isos[nv], 4, "%s", iso);
        nv++;
    }
    sqlite3_finalize(st);
    if (!nv)
        return cw_error_set(CW_ENOTFOUND, "no production data for %s in %d", canon, year);
    double total = other;
    for (size_t i = 0; i < nv; i++)
        total += vals[i];
    if (isfinite(world) && world > total)
        total = world;
    int rc = cw_supply_concentration(out, vals, nv, total);
    if (rc)
        return rc;
    if (top_iso3)
        memcpy(top_iso3, isos[out->top_index], 4);
    if (share_out)
        *share_out = isfinite(want_v) ? want_v / out->total : 0;
    if (wgi_hhi) {
        double sh[256], w[256];
        size_t nw = 0;
        for (size_t i = 0; i < nv; i++) {
            int uy = 0;
            double g = wgi10(s, isos[i], year, &uy);
            if (isnan(g))
                continue;
            sh[nw] = vals[i] / out->total;
            w[nw++] = g;
        }
        *wgi_hhi = nw ? cw_supply_wgi_hhi(sh, w, nw) : NAN;
    }
    return 0;
}
