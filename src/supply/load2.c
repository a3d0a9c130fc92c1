/*
 * load2.c: the loaders added for issue 16, dispatched from cw_supply_load() by header:
 *  - USGS MCS U.S. import sources (commodity,category,period,country,share_pct) and the
 *    salient statistics (commodity,series,unit,y2021..y2025e), whose "Net import reliance"
 *    rows are the reported net import reliance;
 *  - China's exports by partner and product group without HS6 (country_monthly_stats.csv:
 *    period_dt,val,qty,uv,hhi,broad_group,partner_name);
 *  - KOMIR (data.go.kr): the supply-stability and market-risk indices, the forecast prices
 *    (model output, stored as an index and never used as a price), and Korea's ore imports by
 *    partner and in total.
 * Same contract as load.c: every row is loaded, skipped with a reason, or rejected with its
 * line; the caller owns the transaction. Writes: import_sources, salient, indices, trade_group.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/errors.h"
#include "supply/supply_int.h"

#define REJ(...)                                                                                   \
    do {                                                                                           \
        int irc_ = cw_supply__issue(rep, CW_SUPPLY_ISSUE_REJECT, c->rec_line, __VA_ARGS__);        \
        if (irc_) {                                                                                \
            rc = irc_;                                                                             \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)
#define SKIP(...)                                                                                  \
    do {                                                                                           \
        int irc_ = cw_supply__issue(rep, CW_SUPPLY_ISSUE_SKIP, c->rec_line, __VA_ARGS__);          \
        if (irc_) {                                                                                \
            rc = irc_;                                                                             \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

static const char *fld(const cw_csv *c, int col)
{
    if (col < 0 || (size_t)col >= c->n_fields)
        return "";
    return cw_supply__trim(c->fields[col]);
}

/* Removes ASCII spaces (KOMIR writes "미 국", "중 국"). */
static void squeeze(char *dst, size_t cap, const char *src)
{
    size_t j = 0;
    for (; *src && j + 1 < cap; src++)
        if (*src != ' ')
            dst[j++] = *src;
    dst[j] = 0;
}

static bool all_blank(const cw_csv *c)
{
    for (size_t i = 0; i < c->n_fields; i++)
        if (*fld(c, (int)i))
            return false;
    return true;
}

/* In-file duplicate keys (small files: a linear list). */
typedef struct {
    char (*key)[128];
    size_t *line;
    size_t n;
} seen_t;

static int seen_put(seen_t *t, const char *key, size_t line, size_t *first)
{
    *first = 0;
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->key[i], key)) {
            *first = t->line[i];
            return 0;
        }
    char(*nk)[128] = cw_realloc(t->key, (t->n + 1) * sizeof *nk);
    if (!nk)
        return cw_error_set(CW_ENOMEM, "out of memory");
    t->key = nk;
    size_t *nl = cw_realloc(t->line, (t->n + 1) * sizeof *nl);
    if (!nl)
        return cw_error_set(CW_ENOMEM, "out of memory");
    t->line = nl;
    snprintf(t->key[t->n], sizeof t->key[t->n], "%s", key);
    t->line[t->n++] = line;
    return 0;
}

static void seen_free(seen_t *t)
{
    cw_free(t->key);
    cw_free(t->line);
}

bool cw_supply__is_usgs_imports(const cw_csv *c)
{
    return cw_csv_col(c, "share_pct") >= 0 && cw_csv_col(c, "period") >= 0;
}

bool cw_supply__is_usgs_salient(const cw_csv *c)
{
    return cw_csv_col(c, "series") >= 0 && cw_csv_col(c, "y2021") >= 0;
}

bool cw_supply__is_trade_group(const cw_csv *c)
{
    return cw_csv_col(c, "broad_group") >= 0 && cw_csv_col(c, "period_dt") >= 0;
}

/* ---- USGS import sources ----------------------------------------------------------------- */

int cw_supply__load_usgs_imports(cw_supply *s, cw_csv *c, cw_supply_load_report *rep,
                                 const char *source)
{
    int c_com = cw_csv_col(c, "commodity"), c_cat = cw_csv_col(c, "category"),
        c_per = cw_csv_col(c, "period"), c_cty = cw_csv_col(c, "country"),
        c_sh = cw_csv_col(c, "share_pct"), c_pdf = cw_csv_col(c, "source_pdf");
    if (c_com < 0 || c_cty < 0)
        return cw_error_set(CW_ECORRUPT,
                            "%s:1: not a USGS import-sources table: expected commodity, category,"
                            " period, country, share_pct",
                            c->path);
    sqlite3_stmt *ins = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO import_sources(reporter, commodity, supplier,"
                           " period, category, share, basis, source) VALUES('USA',?1,?2,?3,?4,?5,"
                           "'usgs_import_sources',?6)",
                           -1, &ins, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    size_t need = c->n_fields;
    seen_t seen = {0};
    while ((rc = cw_csv_next(c)) == 1) {
        rep->rows_read++;
        if (c->n_fields < need) {
            REJ("expected %zu fields, got %zu", need, c->n_fields);
            continue;
        }
        const char *com = cw_supply_commodity_resolve(s, fld(c, c_com));
        char iso[4];
        double sh;
        if (!com) {
            REJ("commodity: unknown '%s'", fld(c, c_com));
            continue;
        }
        if (cw_supply_country_resolve(s, fld(c, c_cty), iso)) {
            REJ("country: unknown '%s'", fld(c, c_cty));
            continue;
        }
        if (cw_supply__num(&sh, fld(c, c_sh), false) || sh < 0 || sh > 100) {
            REJ("share_pct: not a percentage '%s'", fld(c, c_sh));
            continue;
        }
        char key[128];
        snprintf(key, sizeof key, "%s|%s|%s|%s", com, iso, fld(c, c_per), fld(c, c_cat));
        size_t first = 0;
        if ((rc = seen_put(&seen, key, c->rec_line, &first)))
            goto out;
        if (first) {
            REJ("duplicate: %s already given at line %zu", key, first);
            continue;
        }
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, com, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, iso, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, fld(c, c_per), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, fld(c, c_cat), -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(ins, 5, sh / 100.0);
        sqlite3_bind_text(ins, 6, c_pdf >= 0 && *fld(c, c_pdf) ? fld(c, c_pdf) : source, -1,
                          SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = cw_supply__sqlerr(s->db, "insert import_sources");
            goto out;
        }
        rep->rows_loaded++;
    }
out:
    seen_free(&seen);
    sqlite3_finalize(ins);
    return rc < 0 ? rc : 0;
}

/* ---- USGS salient statistics ------------------------------------------------------------- */

int cw_supply__load_usgs_salient(cw_supply *s, cw_csv *c, cw_supply_load_report *rep,
                                 const char *source)
{
    int c_com = cw_csv_col(c, "commodity"), c_ser = cw_csv_col(c, "series"),
        c_unit = cw_csv_col(c, "unit"), c_note = cw_csv_col(c, "note"),
        c_pdf = cw_csv_col(c, "source_pdf");
    int ycol[16], year[16], est[16];
    size_t ny = 0;
    for (size_t i = 0; i < c->n_fields && ny < 16; i++) {
        const char *h = fld(c, (int)i);
        if ((h[0] == 'y' || h[0] == 'Y') && strlen(h) >= 5 &&
            !cw_supply__digits(&year[ny], h + 1, 4)) {
            ycol[ny] = (int)i;
            est[ny] = h[5] == 'e';
            ny++;
        }
    }
    if (c_com < 0 || c_ser < 0 || c_unit < 0 || !ny)
        return cw_error_set(CW_ECORRUPT,
                            "%s:1: not a USGS salient-statistics table: expected commodity, series,"
                            " unit, yYYYY...",
                            c->path);
    sqlite3_stmt *ins = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO salient VALUES(?1,'USA',?2,?3,?4,?5,?6,?7,?8,"
                           "?9,?10)",
                           -1, &ins, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    size_t need = c->n_fields;
    while ((rc = cw_csv_next(c)) == 1) {
        rep->rows_read++;
        if (c->n_fields < need) {
            REJ("expected %zu fields, got %zu", need, c->n_fields);
            continue;
        }
        const char *com = cw_supply_commodity_resolve(s, fld(c, c_com));
        if (!com) {
            REJ("commodity: unknown '%s'", fld(c, c_com));
            continue;
        }
        /* the series name is shortened to its kind for net import reliance */
        const char *ser = fld(c, c_ser);
        char sname[160];
        if (!strncasecmp(ser, "Net import reliance", 19))
            snprintf(sname, sizeof sname, "nir");
        else
            snprintf(sname, sizeof sname, "%s", ser);
        bool bad = false;
        for (size_t k = 0; k < ny && !bad; k++) {
            const char *t = fld(c, ycol[k]);
            char q[2] = "";
            const char *num = t;
            if (*t == '>' || *t == '<') {
                q[0] = *t;
                num = t + 1;
            }
            double v = NAN;
            if (*num && (cw_supply__num(&v, num, true) || v < 0)) {
                REJ("y%d: not a number '%s'", year[k], t);
                bad = true;
                break;
            }
            if (!strcmp(sname, "nir") && isfinite(v))
                v /= 100.0; /* percent -> fraction */
            sqlite3_reset(ins);
            sqlite3_bind_text(ins, 1, com, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, sname, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 3, !strcmp(sname, "nir") ? "fraction" : fld(c, c_unit), -1,
                              SQLITE_TRANSIENT);
            sqlite3_bind_int(ins, 4, year[k]);
            if (isfinite(v))
                sqlite3_bind_double(ins, 5, v);
            else
                sqlite3_bind_null(ins, 5);
            sqlite3_bind_text(ins, 6, q, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 7, t, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(ins, 8, est[k]);
            sqlite3_bind_text(ins, 9, fld(c, c_note), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 10, c_pdf >= 0 && *fld(c, c_pdf) ? fld(c, c_pdf) : source, -1,
                              SQLITE_TRANSIENT);
            if (sqlite3_step(ins) != SQLITE_DONE) {
                rc = cw_supply__sqlerr(s->db, "insert salient");
                goto out;
            }
        }
        if (!bad)
            rep->rows_loaded++;
    }
out:
    sqlite3_finalize(ins);
    return rc < 0 ? rc : 0;
}

/* ---- USGS Data Series 140: historical statistics of one commodity ------------------------ */

/* The DS140 sheet converted cell for cell: "LITHIUM STATISTICS1" (title, footnote mark), two more
 * title rows, then "Year,Production,Imports,...". */
bool cw_supply__is_usgs_ds140(const cw_csv *c)
{
    const char *h = c->n_fields ? cw_supply__trim(c->fields[0]) : "";
    const char *st = strstr(h, " STATISTICS");
    return st && st > h && cw_csv_col(c, "commodity") < 0;
}

int cw_supply__load_usgs_ds140(cw_supply *s, cw_csv *c, cw_supply_load_report *rep,
                               const char *source)
{
    char name[64];
    const char *h = fld(c, 0);
    size_t nl = (size_t)(strstr(h, " STATISTICS") - h);
    snprintf(name, sizeof name, "%.*s", (int)(nl < sizeof name ? nl : sizeof name - 1), h);
    for (char *q = name; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    const char *com = cw_supply_commodity_resolve(s, name);
    if (!com)
        return cw_error_set(CW_ECORRUPT,
                            "%s:1: USGS DS140 statistics of '%s', a commodity not in the "
                            "scope (data/supply/commodities.csv)",
                            c->path, name);
    enum { MAXCOL = 16 };
    char series[MAXCOL][96], unit[MAXCOL][32], cty[MAXCOL][4], deflt[32] = "t";
    size_t ncol = 0, need = 0;
    bool header = false;
    sqlite3_stmt *ins = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO salient VALUES(?1,?2,?3,?4,?5,?6,'',?7,0,?8,?9)",
                           -1, &ins, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    seen_t seen = {0};
    while ((rc = cw_csv_next(c)) == 1) {
        rep->rows_read++;
        const char *y = fld(c, 0);
        if (!header) {
            if (strcmp(y, "Year") != 0) {
                /* "[All values in metric tons (t) lithium unless otherwise noted]" */
                const char *u = strstr(y, "metric tons (t) ");
                if (u)
                    snprintf(deflt, sizeof deflt, "t %.*s", (int)strcspn(u + 16, " ]"), u + 16);
                SKIP("title row before the header: '%s'", y);
                continue;
            }
            /* units: the title row's (metric tons of contained lithium) unless the column
             * names another */
            for (size_t i = 1; i < c->n_fields && ncol < MAXCOL; i++, ncol++) {
                const char *t = fld(c, (int)i);
                snprintf(series[ncol], sizeof series[ncol], "ds140: %s", t);
                snprintf(cty[ncol], sizeof cty[ncol], "%s",
                         !strncasecmp(t, "World", 5) ? "W00" : "USA");
                snprintf(unit[ncol], sizeof unit[ncol], "%s",
                         strstr(t, "(98$/t)")     ? "USD (1998)/t"
                         : strstr(t, "($/t)")     ? "USD/t"
                         : strstr(t, "gross")     ? "t gross weight"
                         : strstr(t, "carbonate") ? "t LCE"
                                                  : deflt);
            }
            need = ncol + 1;
            header = true;
            continue;
        }
        int year;
        if (strlen(y) != 4 || cw_supply__digits(&year, y, 4)) {
            SKIP("a note, not a year: '%.60s'", y);
            continue;
        }
        if (c->n_fields < need) {
            REJ("expected %zu fields, got %zu", need, c->n_fields);
            continue;
        }
        for (size_t i = need; i < c->n_fields; i++)
            if (*fld(c, (int)i)) {
                REJ("a value past the %zu columns of the header: '%s'", ncol, fld(c, (int)i));
                goto next;
            }
        size_t first = 0;
        if ((rc = seen_put(&seen, y, c->rec_line, &first)))
            goto out;
        if (first) {
            REJ("duplicate: year %s already given at line %zu", y, first);
            continue;
        }
        for (size_t k = 0; k < ncol; k++) {
            const char *t = fld(c, (int)k + 1);
            double v = NAN;
            /* W = withheld (company data), NA = not available: stored with no value */
            if (*t && strcmp(t, "W") != 0 && strcmp(t, "NA") != 0 &&
                (cw_supply__num(&v, t, true) || v < 0)) {
                REJ("%s: not a number '%s'", series[k] + 7, t);
                goto next;
            }
        }
        for (size_t k = 0; k < ncol; k++) {
            const char *t = fld(c, (int)k + 1);
            double v = NAN;
            if (*t && strcmp(t, "W") != 0 && strcmp(t, "NA") != 0)
                cw_supply__num(&v, t, true);
            sqlite3_reset(ins);
            sqlite3_bind_text(ins, 1, com, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, cty[k], -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 3, series[k], -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 4, unit[k], -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(ins, 5, year);
            if (isfinite(v))
                sqlite3_bind_double(ins, 6, v);
            else
                sqlite3_bind_null(ins, 6);
            sqlite3_bind_text(ins, 7, t, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 8,
                              !strcmp(t, "W")    ? "withheld"
                              : !strcmp(t, "NA") ? "not available"
                                                 : "annual; final revised figures of one vintage",
                              -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 9, source, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(ins) != SQLITE_DONE) {
                rc = cw_supply__sqlerr(s->db, "insert salient");
                goto out;
            }
        }
        rep->rows_loaded++;
    next:;
    }
    if (rc >= 0 && !header)
        rc = cw_error_set(CW_ECORRUPT, "%s: no 'Year' header row: not a USGS DS140 table", c->path);
out:
    seen_free(&seen);
    sqlite3_finalize(ins);
    return rc < 0 ? rc : 0;
}

/* ---- exports by product group (no HS6) --------------------------------------------------- */

static const struct {
    const char *name, *grp;
} groups[] = {
    {"Rare Earths", "rare_earths"},
    {"Graphite", "graphite"},
    {"Gallium/Germanium", "gallium_germanium"},
};

const char *cw_supply__commodity_group(const char *commodity)
{
    if (!strcmp(commodity, "rare_earths") || !strcmp(commodity, "graphite"))
        return commodity;
    if (!strcmp(commodity, "gallium") || !strcmp(commodity, "germanium"))
        return "gallium_germanium";
    return NULL;
}

const char *cw_supply__group_hs(const char *grp)
{
    if (!strcmp(grp, "rare_earths"))
        return "280530, 284690, 850511";
    if (!strcmp(grp, "graphite"))
        return "250410, 380110";
    if (!strcmp(grp, "gallium_germanium"))
        return "811292, 811299, 285390, 285000, 282590, 282560";
    return "";
}

int cw_supply__load_trade_group(cw_supply *s, cw_csv *c, cw_supply_load_report *rep,
                                const cw_supply_load_opts *o, const char *source)
{
    int c_per = cw_csv_col(c, "period_dt"), c_val = cw_csv_col(c, "val"),
        c_qty = cw_csv_col(c, "qty"), c_grp = cw_csv_col(c, "broad_group"),
        c_par = cw_csv_col(c, "partner_name");
    if (c_per < 0 || c_val < 0 || c_grp < 0 || c_par < 0)
        return cw_error_set(
            CW_ECORRUPT, "%s:1: expected period_dt, val, qty, broad_group, partner_name", c->path);
    char rep_iso[4], flow[2];
    int frc = cw_supply__fixed_reporter_flow(
        s, o, rep, c->path, "this layout (period_dt, broad_group, partner_name)", rep_iso, flow);
    if (frc)
        return frc;
    sqlite3_stmt *ins = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO trade_group VALUES(?1,?2,?3,?4,?5,?6,?7,?8)", -1,
                           &ins, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    size_t need = c->n_fields;
    while ((rc = cw_csv_next(c)) == 1) {
        rep->rows_read++;
        if (c->n_fields < need) {
            REJ("expected %zu fields, got %zu", need, c->n_fields);
            continue;
        }
        const char *g = fld(c, c_grp), *grp = NULL;
        for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
            if (!strcasecmp(groups[i].name, g))
                grp = groups[i].grp;
        if (!grp) {
            SKIP("group '%s' is outside the scope (data/supply/commodities.csv)", g);
            continue;
        }
        char iso[4];
        if (cw_supply_country_resolve(s, fld(c, c_par), iso)) {
            REJ("partner_name: unknown country '%s'", fld(c, c_par));
            continue;
        }
        int m = cw_supply__month_parse(fld(c, c_per));
        if (m < 0) {
            REJ("period_dt: bad month '%s'", fld(c, c_per));
            continue;
        }
        double v, q = NAN;
        if (cw_supply__num(&v, fld(c, c_val), false) || v < 0) {
            REJ("val: not a non-negative number '%s'", fld(c, c_val));
            continue;
        }
        if (c_qty >= 0 && *fld(c, c_qty) && (cw_supply__num(&q, fld(c, c_qty), false) || q < 0)) {
            REJ("qty: not a non-negative number '%s'", fld(c, c_qty));
            continue;
        }
        char per[8];
        cw_supply__month_format(per, m);
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, rep_iso, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, iso, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, grp, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, flow, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 5, per, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(ins, 6, v);
        if (isfinite(q))
            sqlite3_bind_double(ins, 7, q);
        else
            sqlite3_bind_null(ins, 7);
        sqlite3_bind_text(ins, 8, source, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = cw_supply__sqlerr(s->db, "insert trade_group");
            goto out;
        }
        rep->rows_loaded++;
    }
out:
    sqlite3_finalize(ins);
    return rc < 0 ? rc : 0;
}

/* ---- KOMIR ------------------------------------------------------------------------------- */

/* Which KOMIR file the header names. */
typedef enum { K_NONE, K_STABILITY, K_MARKET, K_FORECAST, K_PARTNER, K_TOTAL } komir_kind;

static komir_kind komir_detect(const cw_csv *c)
{
    if (cw_csv_col(c, "수급안정화지수") >= 0)
        return K_STABILITY;
    if (cw_csv_col(c, "시장위험지수") >= 0)
        return K_MARKET;
    if (cw_csv_col(c, "예측가격") >= 0)
        return K_FORECAST;
    if (cw_csv_col(c, "국가명") >= 0 && cw_csv_col(c, "품목명") >= 0)
        return K_PARTNER;
    if (cw_csv_col(c, "분류") >= 0 && cw_csv_col(c, "연도") >= 0)
        return K_TOTAL;
    return K_NONE;
}

/* A number cell of KOMIR's trade files: blank = not reported (NAN, returns 0). */
static int komir_num(double *v, const char *t)
{
    *v = NAN;
    if (!*t)
        return 0;
    return cw_supply__num(v, t, true) || *v < 0 ? CW_EINVAL : 0;
}

int cw_supply__load_komir(cw_supply *s, cw_csv *c, cw_supply_load_report *rep, const char *source)
{
    komir_kind k = komir_detect(c);
    if (k == K_NONE)
        return cw_error_set(CW_ECORRUPT,
                            "%s:1: not a KOMIR file (UTF-8): expected 광종,기간,수급안정화지수 | "
                            "광종,기간,시장위험지수 | 가격단위,광종,예측가격,전망기간 | "
                            "국가명,기간,수입금액(천불),...,품목명 | 광종,분류,...,연도 "
                            "(the orig_cp949_* copies must be read as their UTF-8 twins)",
                            c->path);
    sqlite3_stmt *idx = NULL, *imp = NULL;
    seen_t seen = {0};
    int rc = 0;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO indices VALUES(?1,?2,'KOR',?3,?4,?5,?6,?7)", -1,
                           &idx, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO import_sources(reporter, commodity, supplier,"
                           " period, category, value_usd, qty, qty_unit, basis, source)"
                           " VALUES('KOR',?1,?2,?3,?4,?5,?6,'t',?7,?8)",
                           -1, &imp, NULL) != SQLITE_OK) {
        rc = cw_supply__sqlerr(s->db, "prepare");
        goto out;
    }
    int c_min = cw_csv_col(c, "광종"), c_per = cw_csv_col(c, "기간");
    int c_val = k == K_STABILITY ? cw_csv_col(c, "수급안정화지수")
                : k == K_MARKET  ? cw_csv_col(c, "시장위험지수")
                                 : cw_csv_col(c, "예측가격");
    int c_unit = cw_csv_col(c, "가격단위"), c_when = cw_csv_col(c, "전망기간");
    int c_cty = cw_csv_col(c, "국가명"), c_item = cw_csv_col(c, "품목명");
    int c_mv = cw_csv_col(c, "수입금액(천불)"), c_mq = cw_csv_col(c, "수입중량(톤)");
    int c_year = cw_csv_col(c, "연도");
    if (k == K_PARTNER)
        c_min = c_item;
    if (k == K_FORECAST)
        c_per = c_when;
    if (k == K_PARTNER)
        c_year = c_per;
    size_t need = c->n_fields;
    while ((rc = cw_csv_next(c)) == 1) {
        rep->rows_read++;
        if (all_blank(c)) {
            SKIP("blank row (trailing rows of the data.go.kr export)");
            continue;
        }
        if (c->n_fields < need) {
            REJ("expected %zu fields, got %zu", need, c->n_fields);
            continue;
        }
        char mineral[64];
        squeeze(mineral, sizeof mineral, fld(c, c_min));
        const char *com = cw_supply_commodity_resolve(s, mineral);
        if (!com) {
            SKIP("mineral %s is outside the scope (data/supply/commodity_aliases.csv)", mineral);
            continue;
        }
        if (k == K_STABILITY || k == K_MARKET || k == K_FORECAST) {
            int m = cw_supply__month_parse(fld(c, c_per));
            double v;
            if (m < 0) {
                REJ("period: bad month '%s'", fld(c, c_per));
                continue;
            }
            if (cw_supply__num(&v, fld(c, c_val), false) || v < 0 || (k != K_FORECAST && v > 100)) {
                REJ("value: not a number%s '%s'", k != K_FORECAST ? " in 0..100" : "",
                    fld(c, c_val));
                continue;
            }
            char per[8];
            cw_supply__month_format(per, m);
            sqlite3_reset(idx);
            sqlite3_bind_text(idx, 1,
                              k == K_STABILITY ? "komir_supply_stability"
                              : k == K_MARKET  ? "komir_market_risk"
                                               : "komir_forecast_price",
                              -1, SQLITE_STATIC);
            sqlite3_bind_text(idx, 2, com, -1, SQLITE_STATIC);
            sqlite3_bind_text(idx, 3, per, -1, SQLITE_TRANSIENT);
            sqlite3_bind_double(idx, 4, v);
            sqlite3_bind_text(idx, 5, k == K_FORECAST ? fld(c, c_unit) : "index 0-100", -1,
                              SQLITE_TRANSIENT);
            sqlite3_bind_text(idx, 6,
                              k == K_FORECAST ? "model output (KOMIR forecast, not an observed "
                                                "price; never used as a price series)"
                              : k == K_STABILITY
                                  ? "benchmark: 0-1 crisis, 1-5 unstable, 5-20 caution, 20-80 "
                                    "stable, 80-100 oversupply"
                                  : "benchmark: market-risk index",
                              -1, SQLITE_STATIC);
            sqlite3_bind_text(idx, 7, source, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(idx) != SQLITE_DONE) {
                rc = cw_supply__sqlerr(s->db, "insert indices");
                goto out;
            }
            rep->rows_loaded++;
            continue;
        }
        /* trade: partner rows (K_PARTNER) or Korea's totals (K_TOTAL, supplier W00) */
        char iso[4] = "W00";
        if (k == K_PARTNER) {
            char name[96];
            squeeze(name, sizeof name, fld(c, c_cty));
            if (cw_supply_country_resolve(s, name, iso)) {
                REJ("국가명: unknown country '%s' (add it to data/supply/country_aliases.csv)",
                    name);
                continue;
            }
        }
        double mv, mq;
        if (komir_num(&mv, fld(c, c_mv)) || komir_num(&mq, fld(c, c_mq))) {
            REJ("import value/weight: not a number '%s' / '%s'", fld(c, c_mv), fld(c, c_mq));
            continue;
        }
        if (isnan(mv)) {
            SKIP("%s %s %s: imports not reported (blank cells)", mineral, iso, fld(c, c_year));
            continue;
        }
        int y = 0;
        const char *yf = fld(c, c_year);
        if (strlen(yf) != 4 || cw_supply__digits(&y, yf, 4) || y < 1900 || y > 2200) {
            REJ("year: bad year '%s'", fld(c, c_year));
            continue;
        }
        char per[8];
        snprintf(per, sizeof per, "%d", y);
        char key[128];
        snprintf(key, sizeof key, "%s|%s|%s", mineral, iso, per);
        size_t first = 0;
        if ((rc = seen_put(&seen, key, c->rec_line, &first)))
            goto out;
        if (first) {
            REJ("duplicate: %s already given at line %zu", key, first);
            continue;
        }
        sqlite3_reset(imp);
        sqlite3_bind_text(imp, 1, com, -1, SQLITE_STATIC);
        sqlite3_bind_text(imp, 2, iso, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(imp, 3, per, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(imp, 4, mineral, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(imp, 5, mv * 1000.0);
        if (isfinite(mq))
            sqlite3_bind_double(imp, 6, mq);
        else
            sqlite3_bind_null(imp, 6);
        sqlite3_bind_text(imp, 7, k == K_PARTNER ? "komir_ore_imports" : "komir_ore_imports_total",
                          -1, SQLITE_STATIC);
        sqlite3_bind_text(imp, 8, source, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(imp) != SQLITE_DONE) {
            rc = cw_supply__sqlerr(s->db, "insert import_sources");
            goto out;
        }
        rep->rows_loaded++;
    }
out:
    seen_free(&seen);
    sqlite3_finalize(idx);
    sqlite3_finalize(imp);
    return rc < 0 ? rc : 0;
}

/* ---- policy catalogues: GTA interventions and the IEA policy tracker ---------------------- */

/* Commodities named in a title (the GTA mineral tag is sometimes wrong, e.g. GTA 15740,
 * "Neodymium rare earth export tariff", is tagged Lithium): the title wins when it names one. */
static void title_commodities(const char *title, char *out, size_t cap)
{
    static const struct {
        const char *word, *com;
    } kw[] = {
        {"rare earth", "rare_earths"}, {"rare-earth", "rare_earths"}, {"neodymium", "rare_earths"},
        {"graphite", "graphite"},      {"cobalt", "cobalt"},          {"nickel", "nickel"},
        {"lithium", "lithium"},        {"manganese", "manganese"},    {"gallium", "gallium"},
        {"germanium", "germanium"},    {"antimony", "antimony"},      {"batter", "li_ion"}};
    char low[512];
    size_t i = 0;
    for (; title[i] && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)title[i]);
    low[i] = 0;
    out[0] = 0;
    for (size_t k = 0; k < sizeof kw / sizeof kw[0]; k++) {
        if (!strstr(low, kw[k].word) || strstr(out, kw[k].com))
            continue;
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "%s%s", l ? ";" : "", kw[k].com);
    }
}

/* The tagged minerals resolved to in-scope commodities (others dropped). */
static void tag_commodities(cw_supply *s, const char *tags, char *out, size_t cap)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", tags);
    out[0] = 0;
    for (char *tok = buf, *next; tok && *tok; tok = next) {
        next = strchr(tok, ';');
        if (next)
            *next++ = 0;
        const char *com = cw_supply_commodity_resolve(s, cw_supply__trim(tok));
        if (!com || strstr(out, com))
            continue;
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "%s%s", l ? ";" : "", com);
    }
}

/* "... to Russia", "... against Russia": the target of the measure, when a title names one. */
static bool title_target(cw_supply *s, const char *title, char iso[4])
{
    static const char *const preps[] = {" against ", " to "};
    for (size_t k = 0; k < 2; k++) {
        for (const char *p = strstr(title, preps[k]); p; p = strstr(p + 1, preps[k])) {
            char word[64];
            const char *w = p + strlen(preps[k]);
            size_t j = 0;
            while (w[j] && isalpha((unsigned char)w[j]) && j + 1 < sizeof word) {
                word[j] = w[j];
                j++;
            }
            word[j] = 0;
            if (j >= 4 && isupper((unsigned char)word[0]) &&
                !cw_supply_country_resolve(s, word, iso))
                return true;
        }
    }
    return false;
}

static int ev_push(cw_sup_event **ev, size_t *n, cw_sup_event *e, const char *desc)
{
    e->description = cw_strdup(desc);
    cw_sup_event *ne = cw_realloc(*ev, (*n + 1) * sizeof *ne);
    if (!ne || !e->description) {
        cw_free(e->description);
        if (ne)
            *ev = ne;
        return cw_error_set(CW_ENOMEM, "out of memory");
    }
    *ev = ne;
    ne[(*n)++] = *e;
    return 0;
}

bool cw_supply__is_policy_catalogue(const cw_csv *c)
{
    return cw_csv_col(c, "gta_id") >= 0 || cw_csv_col(c, "countries_iso3") >= 0;
}

/* Export-side measure types and their event_type; NULL for import-side or other measures. */
static const char *gta_type(const char *t)
{
    if (!strcasecmp(t, "Export ban"))
        return "export_ban";
    if (!strcasecmp(t, "Export tax"))
        return "export_tax";
    if (!strcasecmp(t, "Export quota"))
        return "export_quota";
    if (!strcasecmp(t, "Export licensing requirement"))
        return "export_licensing";
    if (!strncasecmp(t, "Export-related non-tariff measure", 33))
        return "export_restriction";
    return NULL;
}

int cw_supply__events_policy(cw_supply *s, cw_csv *c, cw_supply_load_report *rep, cw_sup_event **ev,
                             size_t *n)
{
    bool gta = cw_csv_col(c, "gta_id") >= 0;
    int c_id = cw_csv_col(c, "gta_id"), c_date = cw_csv_col(c, "date_iso"),
        c_impl = cw_csv_col(c, "implementers"), c_min = cw_csv_col(c, "minerals"),
        c_deal = cw_csv_col(c, "deal_type"), c_type = cw_csv_col(c, "intervention_type"),
        c_eval = cw_csv_col(c, "evaluation"), c_title = cw_csv_col(c, "title"),
        c_link = cw_csv_col(c, "link");
    int c_year = cw_csv_col(c, "year"), c_prom = cw_csv_col(c, "date_promulgated"),
        c_iso = cw_csv_col(c, "countries_iso3"), c_pt = cw_csv_col(c, "policy_types"),
        c_more = cw_csv_col(c, "learn_more");
    if (gta ? (c_date < 0 || c_impl < 0 || c_min < 0 || c_type < 0 || c_title < 0)
            : (c_year < 0 || c_iso < 0 || c_pt < 0 || c_title < 0))
        return cw_error_set(CW_ECORRUPT,
                            "%s:1: policy catalogue: expected gta_id,date_iso,implementers,"
                            "minerals,intervention_type,title,link (GTA) or year,"
                            "date_promulgated,countries_iso3,policy_types,title,learn_more (IEA)",
                            c->path);
    size_t need = c->n_fields;
    int rc;
    while ((rc = cw_csv_next(c)) == 1) {
        rep->rows_read++;
        if (c->n_fields < need) {
            REJ("expected %zu fields, got %zu", need, c->n_fields);
            continue;
        }
        cw_sup_event e;
        memset(&e, 0, sizeof e);
        e.line = c->rec_line;
        const char *title = fld(c, c_title);
        char coms[128];
        char desc[1024];
        if (gta) {
            if (c_deal >= 0 && strcasecmp(fld(c, c_deal), "Trade Control") != 0) {
                SKIP("GTA %s: %s, not a trade control (subsidies are ignored)", fld(c, c_id),
                     fld(c, c_deal));
                continue;
            }
            const char *type = gta_type(fld(c, c_type));
            if (!type) {
                SKIP("GTA %s: '%s' is an import-side measure, not a supply restriction",
                     fld(c, c_id), fld(c, c_type));
                continue;
            }
            if (c_eval >= 0 && !strcasecmp(fld(c, c_eval), "liberalising"))
                type = "restriction_relaxed";
            if (strcasestr(title, "sanction")) {
                SKIP("GTA %s: sanctions of importers on a third country, not a producer's supply "
                     "restriction",
                     fld(c, c_id));
                continue;
            }
            if (cw_supply__date_norm(e.announced, fld(c, c_date)) || strlen(e.announced) != 10) {
                REJ("date_iso: bad date '%s'", fld(c, c_date));
                continue;
            }
            snprintf(e.effective, sizeof e.effective, "%s", e.announced);
            snprintf(e.precision, sizeof e.precision, "day");
            snprintf(e.id, sizeof e.id, "gta_%s", fld(c, c_id));
            snprintf(e.type, sizeof e.type, "%s", type);
            /* actor: the first implementer; a bloc of several is named by its first member */
            char impl[128];
            snprintf(impl, sizeof impl, "%s", fld(c, c_impl));
            char *semi = strchr(impl, ';');
            if (semi)
                *semi = 0;
            char iso[4];
            if (cw_supply_country_resolve(s, cw_supply__trim(impl), iso)) {
                REJ("implementers: unknown country '%s'", impl);
                continue;
            }
            snprintf(e.actor, sizeof e.actor, "%s", iso);
            title_commodities(title, coms, sizeof coms);
            if (!coms[0])
                tag_commodities(s, fld(c, c_min), coms, sizeof coms);
            snprintf(desc, sizeof desc, "%s (GTA %s; %s)", title, fld(c, c_id), fld(c, c_link));
        } else {
            const char *pt = fld(c, c_pt);
            const char *type = NULL;
            if (strcasestr(pt, "Export and import ban/Critical minerals"))
                type = "export_ban";
            else if (strcasestr(pt, "Export controls and restrictions/Critical minerals"))
                type = "export_restriction";
            if (!type) {
                SKIP("IEA: policy type '%s' is not an export control on critical minerals "
                     "(FDI, standards, waste and recycling rules are not supply restrictions)",
                     pt);
                continue;
            }
            if (strcasestr(title, "import") && !strcasestr(title, "export")) {
                SKIP("IEA: '%s' governs imports, not a producer's exports", title);
                continue;
            }
            char iso[4];
            if (cw_supply_country_resolve(s, fld(c, c_iso), iso)) {
                REJ("countries_iso3: unknown country '%s'", fld(c, c_iso));
                continue;
            }
            /* USA, KOR and JPN banning their own imports (e.g. forced-labour laws) do not
             * restrict supply by a producer */
            if (!strcmp(iso, "USA") || !strcmp(iso, "KOR") || !strcmp(iso, "JPN")) {
                SKIP("IEA: %s is a measure of a partner on its own trade, not a producer's "
                     "restriction",
                     iso);
                continue;
            }
            const char *d = fld(c, c_prom);
            int dd, mm, yy;
            char norm[11] = "";
            if (*d && strlen(d) == 10 && d[2] == '-' && d[5] == '-' &&
                !cw_supply__digits(&dd, d, 2) && !cw_supply__digits(&mm, d + 3, 2) &&
                !cw_supply__digits(&yy, d + 6, 4))
                snprintf(norm, sizeof norm, "%04d-%02d-%02d", yy, mm, dd);
            else if (*d)
                snprintf(norm, sizeof norm, "%s", d);
            if (*norm && cw_supply__date_norm(e.announced, norm)) {
                REJ("date_promulgated: bad date '%s' (YYYY-MM-DD or DD-MM-YYYY)", d);
                continue;
            }
            if (!*norm && cw_supply__date_norm(e.announced, fld(c, c_year))) {
                REJ("year: bad year '%s'", fld(c, c_year));
                continue;
            }
            /* the policy year is when it took effect; a promulgation date is the announcement */
            char yb[11];
            if (cw_supply__date_norm(yb, fld(c, c_year))) {
                REJ("year: bad year '%s'", fld(c, c_year));
                continue;
            }
            if (strncmp(e.announced, yb, 4) > 0) /* promulgated after the stated year */
                snprintf(e.effective, sizeof e.effective, "%s", e.announced);
            else if (strncmp(e.announced, yb, 4) == 0)
                snprintf(e.effective, sizeof e.effective, "%s", e.announced);
            else
                snprintf(e.effective, sizeof e.effective, "%s", yb);
            snprintf(e.precision, sizeof e.precision, "%s",
                     strlen(e.announced) == 4 ? "year" : "day");
            snprintf(e.id, sizeof e.id, "iea_%s_%s_l%zu", iso, fld(c, c_year), c->rec_line);
            snprintf(e.type, sizeof e.type, "%s", type);
            snprintf(e.actor, sizeof e.actor, "%s", iso);
            title_commodities(title, coms, sizeof coms);
            snprintf(desc, sizeof desc, "%s (IEA Critical Minerals Policy Tracker; %s)", title,
                     c_more >= 0 ? fld(c, c_more) : "");
        }
        snprintf(e.commodities, sizeof e.commodities, "%s", coms[0] ? coms : "unspecified");
        char tgt[4];
        if (title_target(s, title, tgt))
            snprintf(e.affected, sizeof e.affected, "%s", tgt);
        else
            snprintf(e.affected, sizeof e.affected, "all");
        if ((rc = ev_push(ev, n, &e, desc)))
            goto out;
    }
out:
    return rc < 0 ? rc : 0;
}
