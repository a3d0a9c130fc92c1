/*
 * load.c: the supply loaders. One file is loaded in one transaction; every row that is not
 * loaded is explained (SKIP: not data, e.g. world totals, missing cells, identical duplicates;
 * REJECT: bad data, e.g. malformed numbers, unknown HS codes or countries, unit mismatches,
 * conflicting duplicate periods). Any REJECT rolls the whole file back unless keep_going.
 * Rows are written with INSERT OR REPLACE on the natural key, so loading a file twice leaves
 * the same table contents. Writes: trade, production, prices, wgi, events, loads.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/errors.h"
#include "chainwatch/sql.h"
#include "supply/supply_int.h"

/* ---- a small string -> line map for duplicate detection ---- */
typedef struct {
    char *key;
    size_t line;
    double value;
} kentry;

typedef struct {
    kentry *e;
    size_t cap, n;
} keyset;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void keyset_free(keyset *k)
{
    for (size_t i = 0; i < k->cap; i++)
        cw_free(k->e[i].key);
    cw_free(k->e);
    memset(k, 0, sizeof *k);
}

/* Returns the existing entry or inserts a new one (*found says which); NULL on ENOMEM. */
static kentry *keyset_put(keyset *k, const char *key, size_t line, double value, bool *found)
{
    if ((k->n + 1) * 2 > k->cap) {
        size_t nc = k->cap ? k->cap * 2 : 1024;
        kentry *ne = cw_calloc(nc, sizeof *ne);
        if (!ne)
            return NULL;
        for (size_t i = 0; i < k->cap; i++) {
            if (!k->e[i].key)
                continue;
            size_t j = fnv(k->e[i].key) & (nc - 1);
            while (ne[j].key)
                j = (j + 1) & (nc - 1);
            ne[j] = k->e[i];
        }
        cw_free(k->e);
        k->e = ne;
        k->cap = nc;
    }
    size_t j = fnv(key) & (k->cap - 1);
    while (k->e[j].key) {
        if (!strcmp(k->e[j].key, key)) {
            *found = true;
            return &k->e[j];
        }
        j = (j + 1) & (k->cap - 1);
    }
    k->e[j].key = cw_strdup(key);
    if (!k->e[j].key)
        return NULL;
    k->e[j].line = line;
    k->e[j].value = value;
    k->n++;
    *found = false;
    return &k->e[j];
}

typedef struct {
    cw_supply *s;
    cw_csv *c;
    cw_supply_load_report *rep;
    const cw_supply_load_opts *o;
    keyset keys;
    keyset fold_keys;       /* Comtrade keys folded into ZZZ in this file */
    sqlite3_stmt *fold_add; /* adds a folded row to the one already inserted */
} lctx;

#define ISSUE(ctx, kind, ...)                                                                      \
    do {                                                                                           \
        int irc_ = cw_supply__issue((ctx)->rep, kind, (ctx)->c->rec_line, __VA_ARGS__);            \
        if (irc_)                                                                                  \
            return irc_;                                                                           \
    } while (0)

/* Checks for a duplicate natural key. Returns 1 when the row must not be inserted (an issue
 * was recorded), 0 when it is new, negative on error. */
static int dup_check(lctx *x, const char *key, double value, const char *what)
{
    bool found;
    kentry *e = keyset_put(&x->keys, key, x->c->rec_line, value, &found);
    if (!e)
        return cw_error_set(CW_ENOMEM, "out of memory");
    if (!found)
        return 0;
    if (e->value == value || (isnan(e->value) && isnan(value)))
        ISSUE(x, CW_SUPPLY_ISSUE_SKIP, "duplicate of line %zu (%s), identical value", e->line,
              what);
    else
        ISSUE(x, CW_SUPPLY_ISSUE_REJECT,
              "duplicate period: %s already given at line %zu with a different value (%g vs %g)",
              what, e->line, e->value, value);
    return 1;
}

int cw_supply__fixed_reporter_flow(cw_supply *s, const cw_supply_load_opts *o,
                                   cw_supply_load_report *rep, const char *path, const char *layout,
                                   char rep_iso[4], char flow[2])
{
    if (!o || !o->reporter || !o->flow) {
        rep->need_option = !o || !o->reporter ? "reporter" : "flow";
        return cw_error_set(CW_EINVAL,
                            "%s:1: %s names no reporter or flow, and the load options gave %s: "
                            "a reporter (ISO3) and a flow (X or M) are needed",
                            path, layout,
                            !o || (!o->reporter && !o->flow) ? "neither"
                            : !o->reporter                   ? "no reporter"
                                                             : "no flow");
    }
    if (cw_supply_country_resolve(s, o->reporter, rep_iso)) {
        rep->need_option = "reporter";
        return cw_error_set(CW_EINVAL, "%s: the reporter given, '%s', is not a known country", path,
                            o->reporter);
    }
    if (strcmp(o->flow, "X") != 0 && strcmp(o->flow, "M") != 0) {
        rep->need_option = "flow";
        return cw_error_set(CW_EINVAL, "%s: the flow given, '%s', must be X or M", path, o->flow);
    }
    flow[0] = o->flow[0];
    flow[1] = 0;
    return 0;
}

static bool enough_fields(lctx *x, size_t need)
{
    return x->c->n_fields >= need;
}

static const char *F(lctx *x, int col)
{
    if (col < 0 || (size_t)col >= x->c->n_fields)
        return "";
    return cw_supply__trim(x->c->fields[col]);
}

static int max_col(const int *cols, size_t n)
{
    int m = -1;
    for (size_t i = 0; i < n; i++)
        if (cols[i] > m)
            m = cols[i];
    return m;
}

/* ---- Comtrade ---------------------------------------------------------------------------- */

static int hs6_parse(const char *t)
{
    if (strlen(t) != 6)
        return -1;
    int v = 0;
    for (int i = 0; i < 6; i++) {
        if (!isdigit((unsigned char)t[i]))
            return -1;
        v = v * 10 + (t[i] - '0');
    }
    return v;
}

static int load_comtrade(lctx *x, sqlite3_stmt *ins)
{
    cw_csv *c = x->c;
    int c_cmd = cw_csv_col(c, "cmdCode");
    bool derived = false;
    int c_freq = -1, c_period = -1, c_refp = -1, c_year = -1, c_month = -1, c_rep_iso = -1,
        c_rep = -1, c_par_iso = -1, c_par = -1, c_flow = -1, c_val = -1, c_fob = -1, c_cif = -1,
        c_wgt = -1, c_p2 = -1, c_customs = -1, c_mot = -1, c_qty = -1, c_qunit = -1;
    if (c_cmd >= 0) {
        c_freq = cw_csv_col(c, "freqCode");
        c_period = cw_csv_col(c, "period");
        c_refp = cw_csv_col(c, "refPeriodId");
        c_year = cw_csv_col(c, "refYear");
        c_month = cw_csv_col(c, "refMonth");
        c_rep_iso = cw_csv_col(c, "reporterISO");
        c_rep = cw_csv_col(c, "reporterCode");
        c_par_iso = cw_csv_col(c, "partnerISO");
        c_par = cw_csv_col(c, "partnerCode");
        c_flow = cw_csv_col(c, "flowCode");
        c_val = cw_csv_col(c, "primaryValue");
        c_fob = cw_csv_col(c, "fobvalue");
        c_cif = cw_csv_col(c, "cifvalue");
        c_wgt = cw_csv_col(c, "netWgt");
        c_p2 = cw_csv_col(c, "partner2Code");
        c_customs = cw_csv_col(c, "customsCode");
        c_mot = cw_csv_col(c, "motCode");
        c_qty = cw_csv_col(c, "qty");
        c_qunit = cw_csv_col(c, "qtyUnitAbbr");
        const char *missing = NULL;
        if (c_period < 0 && c_refp < 0)
            missing = "period or refPeriodId";
        else if (c_rep_iso < 0 && c_rep < 0)
            missing = "reporterISO or reporterCode";
        else if (c_par_iso < 0 && c_par < 0)
            missing = "partnerISO or partnerCode";
        else if (c_flow < 0)
            missing = "flowCode";
        else if (c_val < 0 && c_fob < 0 && c_cif < 0)
            missing = "primaryValue";
        if (missing)
            return cw_error_set(CW_ECORRUPT, "%s:1: not a Comtrade+ CSV: missing column %s",
                                c->path, missing);
    } else {
        c_period = cw_csv_col(c, "period_dt");
        c_par = cw_csv_col(c, "partner_name");
        c_cmd = cw_csv_col(c, "hs6");
        c_val = cw_csv_col(c, "val");
        c_wgt = cw_csv_col(c, "qty");
        if (c_period < 0 || c_par < 0 || c_cmd < 0 || c_val < 0)
            return cw_error_set(
                CW_ECORRUPT,
                "%s:1: not a Comtrade CSV: expected Comtrade+ final-data columns "
                "(cmdCode, flowCode, reporterISO, partnerISO, period, primaryValue,"
                " netWgt) or the derived layout (period_dt, partner_name, hs6, val, qty)",
                c->path);
        derived = true;
    }
    char fixed_rep[4] = "", fixed_flow[2] = "";
    if (derived) {
        int frc = cw_supply__fixed_reporter_flow(x->s, x->o, x->rep, c->path,
                                                 "the derived layout (period_dt, partner_name, "
                                                 "hs6, val)",
                                                 fixed_rep, fixed_flow);
        if (frc)
            return frc;
    }
    size_t need = (size_t)c->n_fields;
    int rc;
    while ((rc = cw_csv_next(c)) == 1) {
        x->rep->rows_read++;
        if (!enough_fields(x, need)) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "expected %zu fields, got %zu", need, c->n_fields);
            continue;
        }
        char rep_iso[4], par_iso[4], flow[3] = "", period[8];
        char freq = 'M';
        int month = -1, year = -1;
        if (derived) {
            memcpy(rep_iso, fixed_rep, 4);
            memcpy(flow, fixed_flow, 2);
            month = cw_supply__month_parse(F(x, c_period));
            if (month < 0) {
                ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "period_dt: bad date '%s'", F(x, c_period));
                continue;
            }
        } else {
            const char *fq = F(x, c_freq);
            const char *per = c_period >= 0 ? F(x, c_period) : "";
            if (!*fq)
                fq = strlen(per) == 4 ? "A" : "M";
            if (strcmp(fq, "M") != 0 && strcmp(fq, "A") != 0) {
                ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "freqCode: '%s' is neither M nor A", fq);
                continue;
            }
            freq = fq[0];
            if (freq == 'M') {
                month = *per ? cw_supply__month_parse(per) : -1;
                if (month < 0 && c_refp >= 0)
                    month = cw_supply__month_parse(F(x, c_refp));
                if (month < 0) {
                    ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "period: bad monthly period '%s'", per);
                    continue;
                }
            } else {
                const char *yt = *per ? per : F(x, c_year);
                double yv;
                if (cw_supply__num(&yv, yt, false) || yv < 1900 || yv > 2200 || yv != floor(yv)) {
                    ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "period: bad year '%s'", yt);
                    continue;
                }
                year = (int)yv;
            }
            (void)c_month;
            const char *r = c_rep_iso >= 0 && *F(x, c_rep_iso) ? F(x, c_rep_iso) : F(x, c_rep);
            if (cw_supply_country_resolve(x->s, r, rep_iso) &&
                (c_rep < 0 || !*F(x, c_rep) ||
                 cw_supply_country_resolve(x->s, F(x, c_rep), rep_iso))) {
                ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "reporter: unknown country '%s'", r);
                continue;
            }
            snprintf(flow, sizeof flow, "%s", F(x, c_flow));
            if (strcmp(flow, "M") != 0 && strcmp(flow, "X") != 0) {
                ISSUE(x, CW_SUPPLY_ISSUE_SKIP,
                      "flowCode %s: only imports (M) and exports (X) are used", F(x, c_flow));
                continue;
            }
            const char *p2 = F(x, c_p2), *cu = F(x, c_customs), *mo = F(x, c_mot);
            if ((*p2 && strcmp(p2, "0") != 0) || (*cu && strcmp(cu, "C00") != 0) ||
                (*mo && strcmp(mo, "0") != 0)) {
                ISSUE(x, CW_SUPPLY_ISSUE_SKIP,
                      "breakdown row (partner2Code %s, customsCode %s, motCode %s): only totals "
                      "(0, C00, 0) are loaded so flows are not double counted",
                      *p2 ? p2 : "-", *cu ? cu : "-", *mo ? mo : "-");
                continue;
            }
        }
        const char *p = c_par_iso >= 0 && *F(x, c_par_iso) ? F(x, c_par_iso) : F(x, c_par);
        /* an ISO column we do not know ("_X", "S19") falls back to the numeric code */
        if (cw_supply_country_resolve(x->s, p, par_iso) &&
            (derived || c_par < 0 || !*F(x, c_par) ||
             cw_supply_country_resolve(x->s, F(x, c_par), par_iso))) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "partner: unknown country '%s'", p);
            continue;
        }
        const char *cmd = F(x, c_cmd);
        int hs = hs6_parse(cmd);
        if (hs < 0) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT,
                  "cmdCode '%s' is not an HS6 code (load HS6 lines only)", cmd);
            continue;
        }
        if (!cw_supply__hs_known(x->s, hs)) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT,
                  "HS code %s is in no commodity scope (data/supply/commodities.csv)", cmd);
            continue;
        }
        const char *vt = F(x, c_val);
        if (!*vt)
            vt = F(x, c_fob);
        if (!*vt)
            vt = F(x, c_cif);
        double value;
        if (cw_supply__num(&value, vt, false) || value < 0) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "trade value: not a non-negative number '%s'", vt);
            continue;
        }
        double kg = NAN;
        const char *wt = F(x, c_wgt);
        if (!*wt && c_qty >= 0 && !strcasecmp(F(x, c_qunit), "kg"))
            wt = F(x, c_qty);
        if (*wt && (cw_supply__num(&kg, wt, false) || kg < 0)) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "net weight: not a non-negative number '%s'", wt);
            continue;
        }
        if (freq == 'M')
            cw_supply__month_format(period, month);
        else
            snprintf(period, sizeof period, "%04d", year);
        char key[96], fkey[192];
        snprintf(key, sizeof key, "%s|%s|%06d|%s|%s", rep_iso, par_iso, hs, flow, period);
        /* several source areas (Comtrade's "nes" regions, bunkers) fold into ZZZ: their rows
         * are summed, and only a repeat of the same source row is a duplicate */
        bool fold = !strcmp(par_iso, "ZZZ") || !strcmp(rep_iso, "ZZZ");
        snprintf(fkey, sizeof fkey, "%s|%s|%s", key, fold ? p : "",
                 fold && c_rep >= 0 ? F(x, c_rep) : "");
        int d = dup_check(x, fkey, value, key);
        if (d < 0)
            return d;
        if (d)
            continue;
        if (fold) {
            bool seen;
            if (!keyset_put(&x->fold_keys, key, c->rec_line, value, &seen))
                return cw_error_set(CW_ENOMEM, "out of memory");
            if (seen) {
                if (!x->fold_add &&
                    sqlite3_prepare_v2(x->s->db,
                                       "UPDATE trade SET value_usd = value_usd + ?6, net_kg ="
                                       " CASE WHEN ?7 IS NULL THEN net_kg ELSE IFNULL(net_kg, 0) +"
                                       " ?7 END WHERE reporter=?1 AND partner=?2 AND hs6=?3 AND"
                                       " flow=?4 AND period=?5",
                                       -1, &x->fold_add, NULL) != SQLITE_OK)
                    return cw_supply__sqlerr(x->s->db, "prepare");
                char hs_t[12];
                snprintf(hs_t, sizeof hs_t, "%06d", hs);
                sqlite3_reset(x->fold_add);
                sqlite3_bind_text(x->fold_add, 1, rep_iso, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(x->fold_add, 2, par_iso, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(x->fold_add, 3, hs_t, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(x->fold_add, 4, flow, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(x->fold_add, 5, period, -1, SQLITE_TRANSIENT);
                sqlite3_bind_double(x->fold_add, 6, value);
                if (isnan(kg))
                    sqlite3_bind_null(x->fold_add, 7);
                else
                    sqlite3_bind_double(x->fold_add, 7, kg);
                if (sqlite3_step(x->fold_add) != SQLITE_DONE)
                    return cw_supply__sqlerr(x->s->db, "update trade");
                x->rep->rows_loaded++;
                continue;
            }
        }
        char hs_text[12];
        snprintf(hs_text, sizeof hs_text, "%06d", hs);
        char freq_text[2] = {freq, 0};
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, rep_iso, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, par_iso, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, hs_text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, flow, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 5, period, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 6, freq_text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(ins, 7, value);
        if (isnan(kg))
            sqlite3_bind_null(ins, 8);
        else
            sqlite3_bind_double(ins, 8, kg);
        if (sqlite3_step(ins) != SQLITE_DONE)
            return cw_supply__sqlerr(x->s->db, "insert trade");
        x->rep->rows_loaded++;
    }
    return rc < 0 ? rc : 0;
}

/* ---- USGS -------------------------------------------------------------------------------- */

typedef struct {
    char commodity[32];
    char unit[16];
    size_t line;
} unit_seen;

static int load_usgs(lctx *x, sqlite3_stmt *ins)
{
    cw_csv *c = x->c;
    int c_com = cw_csv_col(c, "commodity"), c_unit = cw_csv_col(c, "unit"),
        c_cty = cw_csv_col(c, "country");
    int pcols[16], pyear[16], pest[16];
    size_t np = 0;
    for (size_t i = 0; i < c->n_fields && np < 16; i++) {
        const char *h = cw_supply__trim(c->fields[i]);
        if (!strncasecmp(h, "prod_", 5) && strlen(h) >= 9) {
            double y;
            char yb[5];
            memcpy(yb, h + 5, 4);
            yb[4] = 0;
            if (cw_supply__num(&y, yb, false) || y < 1900 || y > 2200)
                continue;
            pcols[np] = (int)i;
            pyear[np] = (int)y;
            pest[np] = h[9] == 'e' || h[9] == 'E';
            np++;
        }
    }
    if (c_com < 0 || c_unit < 0 || c_cty < 0 || np == 0)
        return cw_error_set(CW_ECORRUPT,
                            "%s:1: not a USGS world-production table: expected columns commodity, "
                            "unit, country and prod_YYYY (prod_YYYYe for estimates)",
                            c->path);
    size_t need = c->n_fields;
    unit_seen *units = NULL;
    size_t n_units = 0;
    sqlite3_stmt *uq = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(x->s->db,
                           "SELECT unit FROM production WHERE commodity=?1 AND unit<>?2 LIMIT 1",
                           -1, &uq, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(x->s->db, "prepare");
    while ((rc = cw_csv_next(c)) == 1) {
        x->rep->rows_read++;
        if (!enough_fields(x, need)) {
            rc = cw_supply__issue(x->rep, CW_SUPPLY_ISSUE_REJECT, c->rec_line,
                                  "expected %zu fields, got %zu", need, c->n_fields);
            if (rc)
                goto out;
            continue;
        }
        const char *ct = F(x, c_com);
        const char *com = cw_supply_commodity_resolve(x->s, ct);
        char iso[4];
        const char *unit = F(x, c_unit);
        const char *why = NULL;
        char whybuf[160];
        if (!com) {
            snprintf(whybuf, sizeof whybuf, "unknown commodity '%s'", ct);
            why = whybuf;
        } else if (cw_supply_country_resolve(x->s, F(x, c_cty), iso)) {
            snprintf(whybuf, sizeof whybuf, "unknown country '%s'", F(x, c_cty));
            why = whybuf;
        } else if (!*unit) {
            why = "empty unit";
        }
        if (!why) {
            /* one unit per commodity, in the file and against rows already loaded */
            unit_seen *u = NULL;
            for (size_t i = 0; i < n_units; i++)
                if (!strcmp(units[i].commodity, com))
                    u = &units[i];
            if (u && strcmp(u->unit, unit) != 0) {
                snprintf(whybuf, sizeof whybuf, "unit mismatch: %s here but %s at line %zu for %s",
                         unit, u->unit, u->line, com);
                why = whybuf;
            } else if (!u) {
                sqlite3_reset(uq);
                sqlite3_bind_text(uq, 1, com, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(uq, 2, unit, -1, SQLITE_TRANSIENT);
                if (sqlite3_step(uq) == SQLITE_ROW) {
                    snprintf(whybuf, sizeof whybuf,
                             "unit mismatch: %s here but %s already loaded for %s", unit,
                             (const char *)sqlite3_column_text(uq, 0), com);
                    why = whybuf;
                } else {
                    unit_seen *nu = cw_realloc(units, (n_units + 1) * sizeof *nu);
                    if (!nu) {
                        rc = cw_error_set(CW_ENOMEM, "out of memory");
                        goto out;
                    }
                    units = nu;
                    snprintf(nu[n_units].commodity, sizeof nu[n_units].commodity, "%s", com);
                    snprintf(nu[n_units].unit, sizeof nu[n_units].unit, "%s", unit);
                    nu[n_units].line = c->rec_line;
                    n_units++;
                }
            }
        }
        if (why) {
            if ((rc = cw_supply__issue(x->rep, CW_SUPPLY_ISSUE_REJECT, c->rec_line, "%s", why)))
                goto out;
            continue;
        }
        bool bad = false;
        for (size_t k = 0; k < np; k++) {
            const char *vt = F(x, pcols[k]);
            double v = NAN;
            const char *status = "";
            if (!strcmp(vt, "W"))
                status = "W";
            else if (!*vt || !strcmp(vt, "NA") || !strcmp(vt, "--"))
                status = "NA";
            else if (cw_supply__num(&v, vt, true) || v < 0) {
                rc = cw_supply__issue(x->rep, CW_SUPPLY_ISSUE_REJECT, c->rec_line,
                                      "prod_%d: not a number, W or NA: '%s'", pyear[k], vt);
                if (rc)
                    goto out;
                bad = true;
                break;
            }
            char key[96];
            snprintf(key, sizeof key, "%s|%s|%d", com, iso, pyear[k]);
            int d = dup_check(x, key, v, key);
            if (d < 0) {
                rc = d;
                goto out;
            }
            if (d) {
                bad = true;
                break;
            }
            sqlite3_reset(ins);
            sqlite3_bind_text(ins, 1, com, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, iso, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(ins, 3, pyear[k]);
            if (isnan(v))
                sqlite3_bind_null(ins, 4);
            else
                sqlite3_bind_double(ins, 4, v);
            sqlite3_bind_text(ins, 5, unit, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 6, status, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(ins, 7, pest[k]);
            if (sqlite3_step(ins) != SQLITE_DONE) {
                rc = cw_supply__sqlerr(x->s->db, "insert production");
                goto out;
            }
        }
        if (!bad)
            x->rep->rows_loaded++;
    }
out:
    sqlite3_finalize(uq);
    cw_free(units);
    return rc < 0 ? rc : 0;
}

/* ---- prices (Pink Sheet and plain) ------------------------------------------------------- */

typedef struct {
    char series[64];
    char unit[32];
    size_t line;
    size_t missing;
} series_seen;

typedef struct {
    lctx *x;
    sqlite3_stmt *ins, *uq;
    series_seen *ss;
    size_t n_ss;
} pctx;

/* Inserts one price; returns 0, 1 when rejected/skipped, negative on error. */
static int price_put(pctx *p, const char *series, const char *date, double value, const char *unit)
{
    lctx *x = p->x;
    series_seen *u = NULL;
    for (size_t i = 0; i < p->n_ss; i++)
        if (!strcmp(p->ss[i].series, series))
            u = &p->ss[i];
    if (u && strcmp(u->unit, unit) != 0) {
        ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "unit mismatch for %s: %s here but %s at line %zu", series,
              unit, u->unit, u->line);
        return 1;
    }
    if (!u) {
        sqlite3_reset(p->uq);
        sqlite3_bind_text(p->uq, 1, series, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(p->uq, 2, unit, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(p->uq) == SQLITE_ROW) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "unit mismatch for %s: %s here but %s already loaded",
                  series, unit, (const char *)sqlite3_column_text(p->uq, 0));
            return 1;
        }
        series_seen *ns = cw_realloc(p->ss, (p->n_ss + 1) * sizeof *ns);
        if (!ns)
            return cw_error_set(CW_ENOMEM, "out of memory");
        p->ss = ns;
        memset(&ns[p->n_ss], 0, sizeof *ns);
        snprintf(ns[p->n_ss].series, sizeof ns->series, "%s", series);
        snprintf(ns[p->n_ss].unit, sizeof ns->unit, "%s", unit);
        ns[p->n_ss].line = x->c->rec_line;
        p->n_ss++;
    }
    char key[96];
    snprintf(key, sizeof key, "%s|%s", series, date);
    int d = dup_check(x, key, value, key);
    if (d)
        return d;
    sqlite3_reset(p->ins);
    sqlite3_bind_text(p->ins, 1, series, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(p->ins, 2, date, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(p->ins, 3, value);
    sqlite3_bind_text(p->ins, 4, unit, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(p->ins) != SQLITE_DONE)
        return cw_supply__sqlerr(x->s->db, "insert price");
    return 0;
}

static bool is_missing(const char *v)
{
    return !*v || !strcmp(v, "\xE2\x80\xA6") || !strcmp(v, "..") || !strcmp(v, "...") ||
           !strcmp(v, "NA") || !strcmp(v, "n.a.");
}

static int load_pinksheet(lctx *x, pctx *p)
{
    cw_csv *c = x->c;
    int rc;
    /* long layout: period,series_code,series_name,unit,value */
    int l_per = cw_csv_col(c, "period"), l_code = cw_csv_col(c, "series_code"),
        l_unit = cw_csv_col(c, "unit"), l_val = cw_csv_col(c, "value");
    if (l_per >= 0 && l_code >= 0 && l_unit >= 0 && l_val >= 0) {
        int cols[] = {l_per, l_code, l_unit, l_val};
        size_t need = (size_t)max_col(cols, 4) + 1;
        while ((rc = cw_csv_next(c)) == 1) {
            x->rep->rows_read++;
            if (!enough_fields(x, need)) {
                ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "expected %zu fields, got %zu", need, c->n_fields);
                continue;
            }
            int m = cw_supply__month_parse(F(x, l_per));
            if (m < 0) {
                ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "period: bad month '%s'", F(x, l_per));
                continue;
            }
            const char *vt = F(x, l_val);
            if (is_missing(vt)) {
                ISSUE(x, CW_SUPPLY_ISSUE_SKIP, "%s: no value for %s", F(x, l_code), F(x, l_per));
                continue;
            }
            double v;
            if (cw_supply__num(&v, vt, false) || v <= 0) {
                ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "value: not a positive number '%s'", vt);
                continue;
            }
            char date[8];
            cw_supply__month_format(date, m);
            int r = price_put(p, F(x, l_code), date, v, F(x, l_unit));
            if (r < 0)
                return r;
            if (r == 0)
                x->rep->rows_loaded++;
        }
        return rc < 0 ? rc : 0;
    }
    /* wide sheet export: title rows, then names, units, codes, then YYYYMmm rows */
    char **prev[3] = {NULL, NULL, NULL};
    size_t prevn[3] = {0, 0, 0};
    size_t header_rows = 1; /* the first record was read by the caller */
    char **names = NULL, **units = NULL, **codes = NULL;
    size_t ncodes = 0;
    rc = 0;
    /* keep copies of the last three records */
    for (;;) {
        /* shift the record currently in c into prev[2] */
        for (int k = 0; k < 3; k++)
            if (k == 0) {
                for (size_t i = 0; i < prevn[0]; i++)
                    cw_free(prev[0][i]);
                cw_free(prev[0]);
            }
        prev[0] = prev[1];
        prevn[0] = prevn[1];
        prev[1] = prev[2];
        prevn[1] = prevn[2];
        prev[2] = cw_calloc(c->n_fields ? c->n_fields : 1, sizeof(char *));
        prevn[2] = c->n_fields;
        if (!prev[2]) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < c->n_fields; i++)
            prev[2][i] = cw_strdup(cw_supply__trim(c->fields[i]));
        rc = cw_csv_next(c);
        if (rc <= 0) {
            if (rc == 0)
                rc = cw_error_set(
                    CW_ECORRUPT,
                    "%s: not a Pink Sheet export: no row with a YYYYMmm period found "
                    "(expected the 'Monthly Prices' sheet: names, units, codes, then "
                    "1960M01... rows) nor the long layout period,series_code,unit,value",
                    c->path);
            goto out;
        }
        header_rows++;
        if (cw_supply__month_parse(cw_supply__trim(c->fields[0])) >= 0 &&
            strlen(c->fields[0]) == 7 && c->fields[0][4] == 'M')
            break;
        if (header_rows > 20) {
            rc = cw_error_set(CW_ECORRUPT,
                              "%s: not a Pink Sheet export: no YYYYMmm period in the first 20 rows",
                              c->path);
            goto out;
        }
    }
    if (!prev[0] || !prev[1]) {
        rc = cw_error_set(CW_ECORRUPT, "%s: Pink Sheet export lacks name, unit and code rows",
                          c->path);
        goto out;
    }
    names = prev[0];
    units = prev[1];
    codes = prev[2];
    ncodes = prevn[2];
    size_t *missing = cw_calloc(ncodes ? ncodes : 1, sizeof *missing);
    if (!missing) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    do {
        x->rep->rows_read++;
        const char *per = cw_supply__trim(c->fields[0]);
        int m = cw_supply__month_parse(per);
        if (m < 0 || strlen(per) != 7) {
            rc = cw_supply__issue(x->rep, CW_SUPPLY_ISSUE_REJECT, c->rec_line,
                                  "period: '%s' is not YYYYMmm", per);
            if (rc)
                break;
            continue;
        }
        if (c->n_fields > ncodes || c->n_fields < 2) {
            rc = cw_supply__issue(x->rep, CW_SUPPLY_ISSUE_REJECT, c->rec_line,
                                  "expected 2 to %zu fields, got %zu", ncodes, c->n_fields);
            if (rc)
                break;
            continue;
        }
        char date[8];
        cw_supply__month_format(date, m);
        bool bad = false;
        for (size_t i = 1; i < ncodes; i++) {
            if (!codes[i] || !*codes[i])
                continue;
            const char *vt = i < c->n_fields ? cw_supply__trim(c->fields[i]) : "";
            if (is_missing(vt)) {
                missing[i]++;
                continue;
            }
            double v;
            if (cw_supply__num(&v, vt, false) || v < 0) {
                rc = cw_supply__issue(x->rep, CW_SUPPLY_ISSUE_REJECT, c->rec_line,
                                      "%s (%s): not a number '%s'", codes[i],
                                      i < prevn[0] && names[i] ? names[i] : "", vt);
                bad = true;
                break;
            }
            if (v == 0) {
                missing[i]++;
                continue;
            }
            /* "($/mt)" -> "$/mt" */
            char unit[32];
            const char *ut = i < prevn[1] && units[i] ? units[i] : "";
            size_t ul = strlen(ut);
            if (ul >= 2 && ut[0] == '(' && ut[ul - 1] == ')')
                snprintf(unit, sizeof unit, "%.*s", (int)(ul - 2), ut + 1);
            else
                snprintf(unit, sizeof unit, "%s", ut);
            int r = price_put(p, codes[i], date, v, unit);
            if (r < 0) {
                rc = r;
                break;
            }
            if (r)
                bad = true;
        }
        if (rc < 0)
            break;
        if (!bad)
            x->rep->rows_loaded++;
    } while ((rc = cw_csv_next(c)) == 1);
    if (rc >= 0) {
        for (size_t i = 1; i < ncodes; i++)
            if (missing[i] && codes[i] && *codes[i]) {
                rc = cw_supply__issue(x->rep, CW_SUPPLY_ISSUE_SKIP, header_rows,
                                      "%s (%s): %zu months without a value ('\xE2\x80\xA6' or 0)",
                                      codes[i], i < prevn[0] && names[i] ? names[i] : "",
                                      missing[i]);
                if (rc)
                    break;
            }
    }
    cw_free(missing);
out:
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < prevn[k] && prev[k]; i++)
            cw_free(prev[k][i]);
        cw_free(prev[k]);
    }
    return rc < 0 ? rc : 0;
}

/* China domestic rare-earth oxide prices (columns in Chinese: 日期 date, then low / high /
 * average of Nd, Ce, La and Pr oxide). Per the file's PROVENANCE the Nd average column is
 * wrong in 526 rows, so every series is (low + high) / 2. Units are inferred there, not
 * stated: Nd and Pr oxide 10k CNY/t, Ce and La oxide CNY/kg. */
static int load_ree_cn(lctx *x, pctx *p)
{
    cw_csv *c = x->c;
    static const struct {
        const char *lo, *hi, *series, *unit;
    } cols[] = {
        {"氧化钕最低价", "氧化钕最高价", "ree_cn_nd2o3", "10k CNY/t"},
        {"氧化铈最低价", "氧化铈最高价", "ree_cn_ceo2", "CNY/kg"},
        {"氧化镧最低价", "氧化镧最高价", "ree_cn_la2o3", "CNY/kg"},
        {"氧化镨最低价", "氧化镨最高价", "ree_cn_pr6o11", "10k CNY/t"},
    };
    int c_date = cw_csv_col(c, "日期"), lo[4], hi[4];
    for (size_t k = 0; k < 4; k++) {
        lo[k] = cw_csv_col(c, cols[k].lo);
        hi[k] = cw_csv_col(c, cols[k].hi);
        if (lo[k] < 0 || hi[k] < 0 || c_date < 0)
            return cw_error_set(CW_ECORRUPT, "%s:1: China REE price table: missing column %s",
                                c->path,
                                c_date < 0  ? "日期"
                                : lo[k] < 0 ? cols[k].lo
                                            : cols[k].hi);
    }
    size_t need = c->n_fields;
    int rc;
    while ((rc = cw_csv_next(c)) == 1) {
        x->rep->rows_read++;
        if (!enough_fields(x, need)) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "expected %zu fields, got %zu", need, c->n_fields);
            continue;
        }
        char date[11];
        if (cw_supply__date_norm(date, F(x, c_date)) || strlen(date) != 10) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "日期: bad date '%s' (YYYY-MM-DD)", F(x, c_date));
            continue;
        }
        bool bad = false;
        double mid[4];
        for (size_t k = 0; k < 4 && !bad; k++) {
            double a, b;
            if (cw_supply__num(&a, F(x, lo[k]), false) || cw_supply__num(&b, F(x, hi[k]), false) ||
                a <= 0 || b < a) {
                ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "%s/%s: not a positive low <= high '%s'/'%s'",
                      cols[k].lo, cols[k].hi, F(x, lo[k]), F(x, hi[k]));
                bad = true;
            } else {
                mid[k] = (a + b) / 2;
            }
        }
        if (bad)
            continue;
        bool dup = false;
        for (size_t k = 0; k < 4; k++) {
            int r = price_put(p, cols[k].series, date, mid[k], cols[k].unit);
            if (r < 0)
                return r;
            dup = dup || r;
            if (r)
                break;
        }
        if (!dup)
            x->rep->rows_loaded++;
    }
    return rc < 0 ? rc : 0;
}

/* dailymetalprice's Date,Price,Unit files name the weight unit only ("lb (Pound)",
 * "kg (Kilogram)", "mt (Metric Ton)"): the site quotes in US dollars per that unit (its
 * monthly table says "USD/lb", "USD/kg"; PROVENANCE), so the stored unit carries the currency.
 * True when `u` is such a unit; out receives "USD/lb", "USD/kg" or "USD/t". */
static bool dmp_unit(char *out, size_t n, const char *u)
{
    static const struct {
        const char *in, *out;
    } map[] = {{"lb (Pound)", "USD/lb"},
               {"kg (Kilogram)", "USD/kg"},
               {"mt (Metric Ton)", "USD/t"},
               {"t (Tonne)", "USD/t"},
               {"oz (Troy Ounce)", "USD/ozt"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcasecmp(u, map[i].in)) {
            snprintf(out, n, "%s", map[i].out);
            return true;
        }
    return false;
}

static int load_prices(lctx *x, pctx *p)
{
    cw_csv *c = x->c;
    int c_series = cw_csv_col(c, "series"), c_date = cw_csv_col(c, "date"),
        c_val = cw_csv_col(c, "value"), c_unit = cw_csv_col(c, "unit"),
        c_price = cw_csv_col(c, "price"), c_open = cw_csv_col(c, "open");
    const char *series = x->o ? x->o->series : NULL;
    const char *unit = x->o ? x->o->unit : NULL;
    bool commas = false;
    /* series named after a metal column: prefix + metal + suffix */
    int c_metal = cw_csv_col(c, "metal");
    const char *prefix = "", *suffix = "";
    if (cw_csv_col(c, "氧化钕最低价") >= 0)
        return load_ree_cn(x, p);
    if (c_metal >= 0 && cw_csv_col(c, "mean_usd") >= 0 && cw_csv_col(c, "period") >= 0 &&
        c_unit >= 0) {
        /* dailymetalprice monthly table: period,metal,unit,mean_usd,... */
        c_date = cw_csv_col(c, "period");
        c_val = cw_csv_col(c, "mean_usd");
        suffix = "_dmp_m";
    } else if (c_metal >= 0 && cw_csv_col(c, "mean_price") >= 0 && cw_csv_col(c, "month") >= 0 &&
               c_unit >= 0) {
        /* KOMIS monthly means: metal,month,unit,mean_price,... */
        c_date = cw_csv_col(c, "month");
        c_val = cw_csv_col(c, "mean_price");
        prefix = "komis_";
        suffix = "_m";
    } else if (c_metal >= 0 && c_date >= 0 && c_price >= 0 && c_unit >= 0) {
        /* KOMIS daily long: date,metal,metal_name_ko,grade_as_labelled,unit,price */
        c_val = c_price;
        prefix = "komis_";
    } else if (cw_csv_col(c, "mean_cny_per_t") >= 0 && cw_csv_col(c, "period") >= 0) {
        /* lithium carbonate China spot, monthly: period,mean_cny_per_t,... */
        c_date = cw_csv_col(c, "period");
        c_val = cw_csv_col(c, "mean_cny_per_t");
        if (!series)
            series = "li2co3_cn_spot_m";
        if (!unit)
            unit = "CNY/t";
    }
    if (c_metal < 0)
        prefix = suffix = "";
    if (*prefix || *suffix) {
        /* one of the metal layouts above */
    } else if (c_date >= 0 && c_val >= 0 && c_series < 0 && series && unit) {
        /* a fixed-series layout chosen above */
    } else if (c_series >= 0 && c_date >= 0 && c_val >= 0 && c_unit >= 0) {
        /* plain layout */
    } else if (c_date >= 0 && c_price >= 0) {
        c_val = c_price;
        commas = c_open >= 0; /* Investing.com export: "72,500.00" */
        if (!series) {
            x->rep->need_option = "series";
            return cw_error_set(CW_EINVAL,
                                "%s:1: this price layout (Date, Price%s) has no series column "
                                "and no series name was given",
                                c->path, c_unit >= 0 ? ", Unit" : "");
        }
        if (c_unit < 0 && !unit) {
            x->rep->need_option = "unit";
            return cw_error_set(CW_EINVAL,
                                "%s:1: this price layout has no unit column and no unit was given",
                                c->path);
        }
    } else {
        return cw_error_set(CW_ECORRUPT,
                            "%s:1: not a price CSV: expected series,date,value,unit or Date,Price"
                            "[,Unit] (Investing.com: Date,Price,Open,High,Low,Vol.,Change %%)",
                            c->path);
    }
    int cols[] = {c_series, c_date, c_val, c_unit, c_metal};
    size_t need = (size_t)max_col(cols, 5) + 1;
    int rc;
    while ((rc = cw_csv_next(c)) == 1) {
        x->rep->rows_read++;
        if (!enough_fields(x, need)) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "expected %zu fields, got %zu", need, c->n_fields);
            continue;
        }
        char sbuf[64];
        if (*prefix || *suffix) {
            snprintf(sbuf, sizeof sbuf, "%s%s%s", prefix, F(x, c_metal), suffix);
            for (char *q = sbuf; *q; q++)
                *q = (char)tolower((unsigned char)*q);
        }
        const char *se = *prefix || *suffix ? sbuf : c_series >= 0 ? F(x, c_series) : series;
        const char *un = c_unit >= 0 ? F(x, c_unit) : unit;
        char ubuf[32];
        if (c_price >= 0 && c_val == c_price && c_open < 0 && c_unit >= 0 &&
            dmp_unit(ubuf, sizeof ubuf, un))
            un = ubuf;
        if (unit && c_unit >= 0 && strcmp(un, unit) != 0) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "unit mismatch: %s in the file, %s given", un, unit);
            continue;
        }
        if (!*se || !*un) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "empty series or unit");
            continue;
        }
        char date[11];
        if (cw_supply__date_norm(date, F(x, c_date))) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT,
                  "date: bad date '%s' (YYYY-MM-DD, YYYY-MM or MM/DD/YYYY)", F(x, c_date));
            continue;
        }
        if (strlen(date) == 4) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "date: a year alone is not a price date '%s'", date);
            continue;
        }
        const char *vt = F(x, c_val);
        double v;
        if (cw_supply__num(&v, vt, commas) || v <= 0) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "value: not a positive number '%s'", vt);
            continue;
        }
        int r = price_put(p, se, date, v, un);
        if (r < 0)
            return r;
        if (r == 0)
            x->rep->rows_loaded++;
    }
    return rc < 0 ? rc : 0;
}

/* ---- WGI --------------------------------------------------------------------------------- */

static int load_wgi(lctx *x, sqlite3_stmt *ins)
{
    cw_csv *c = x->c;
    int c_code = cw_csv_col(c, "code"), c_year = cw_csv_col(c, "year"),
        c_ind = cw_csv_col(c, "indicator"), c_est = cw_csv_col(c, "estimate"),
        c_name = cw_csv_col(c, "countryname");
    if (c_code < 0 || c_year < 0 || c_ind < 0 || c_est < 0)
        return cw_error_set(CW_ECORRUPT,
                            "%s:1: not a WGI long-format CSV: expected columns code, year, "
                            "indicator, estimate",
                            c->path);
    int cols[] = {c_code, c_year, c_ind, c_est};
    size_t need = (size_t)max_col(cols, 4) + 1;
    int rc;
    while ((rc = cw_csv_next(c)) == 1) {
        x->rep->rows_read++;
        if (!enough_fields(x, need)) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "expected %zu fields, got %zu", need, c->n_fields);
            continue;
        }
        char iso[4];
        if (cw_supply_country_resolve(x->s, F(x, c_code), iso)) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "unknown country code '%s' (%s)", F(x, c_code),
                  F(x, c_name));
            continue;
        }
        double y;
        if (cw_supply__num(&y, F(x, c_year), false) || y < 1990 || y > 2100 || y != floor(y)) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "year: bad year '%s'", F(x, c_year));
            continue;
        }
        const char *ind = F(x, c_ind);
        static const char *const inds[] = {"va", "pv", "ge", "rq", "rl", "cc"};
        bool ok = false;
        for (size_t i = 0; i < 6; i++)
            if (!strcmp(ind, inds[i]))
                ok = true;
        if (!ok) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "indicator '%s' is not one of va pv ge rq rl cc", ind);
            continue;
        }
        const char *et = F(x, c_est);
        if (is_missing(et)) {
            ISSUE(x, CW_SUPPLY_ISSUE_SKIP, "%s %d %s: no estimate ('%s')", iso, (int)y, ind, et);
            continue;
        }
        double e;
        if (cw_supply__num(&e, et, false) || e < -5 || e > 5) {
            ISSUE(x, CW_SUPPLY_ISSUE_REJECT, "estimate: not a number in -5..5 '%s'", et);
            continue;
        }
        char key[64];
        snprintf(key, sizeof key, "%s|%d|%s", iso, (int)y, ind);
        int d = dup_check(x, key, e, key);
        if (d < 0)
            return d;
        if (d)
            continue;
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, iso, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(ins, 2, (int)y);
        sqlite3_bind_text(ins, 3, ind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(ins, 4, e);
        if (sqlite3_step(ins) != SQLITE_DONE)
            return cw_supply__sqlerr(x->s->db, "insert wgi");
        x->rep->rows_loaded++;
    }
    return rc < 0 ? rc : 0;
}

/* ---- events ------------------------------------------------------------------------------ */

void cw_supply__events_free(cw_sup_event *e, size_t n)
{
    for (size_t i = 0; i < n && e; i++)
        cw_free(e[i].description);
    cw_free(e);
}

int cw_supply__events_read(cw_supply *s, const char *path, cw_sup_event **out, size_t *n_out,
                           cw_supply_load_report *rep)
{
    *out = NULL;
    *n_out = 0;
    cw_csv c;
    int rc = cw_csv_open(&c, path, 0);
    if (rc)
        return rc;
    cw_sup_event *ev = NULL;
    size_t n = 0;
    keyset ids = {0};
    rc = cw_csv_next(&c);
    if (rc <= 0) {
        rc = rc ? rc : cw_error_set(CW_ECORRUPT, "%s: empty file", path);
        goto out;
    }
    if (cw_supply__is_policy_catalogue(&c)) {
        rc = cw_supply__events_policy(s, &c, rep, &ev, &n);
        goto out;
    }
    int c_id = cw_csv_col(&c, "event_id"), c_ann = cw_csv_col(&c, "date_announced"),
        c_eff = cw_csv_col(&c, "date_effective"), c_prec = cw_csv_col(&c, "date_precision"),
        c_com = cw_csv_col(&c, "commodity"), c_hs = cw_csv_col(&c, "hs6_scope"),
        c_act = cw_csv_col(&c, "actor_country"), c_aff = cw_csv_col(&c, "affected_partner"),
        c_type = cw_csv_col(&c, "event_type"), c_desc = cw_csv_col(&c, "description");
    if (c_id < 0 || c_ann < 0 || c_eff < 0 || c_com < 0 || c_aff < 0) {
        rc = cw_error_set(CW_ECORRUPT,
                          "%s:1: not an events CSV: expected columns event_id, date_announced, "
                          "date_effective, commodity, affected_partner (and hs6_scope, "
                          "actor_country, event_type, description)",
                          path);
        goto out;
    }
    size_t need = c.n_fields;
    lctx x = {s, &c, rep, NULL, {0}, {0}, NULL};
    while ((rc = cw_csv_next(&c)) == 1) {
        rep->rows_read++;
        char why[256] = "";
        cw_sup_event e;
        memset(&e, 0, sizeof e);
        e.line = c.rec_line;
        if (c.n_fields < need) {
            snprintf(why, sizeof why, "expected %zu fields, got %zu", need, c.n_fields);
        } else if (!*F(&x, c_id)) {
            snprintf(why, sizeof why, "empty event_id");
        } else if (cw_supply__date_norm(e.announced, F(&x, c_ann))) {
            snprintf(why, sizeof why, "date_announced: bad date '%s'", F(&x, c_ann));
        } else if (cw_supply__date_norm(e.effective, F(&x, c_eff))) {
            snprintf(why, sizeof why, "date_effective: bad date '%s'", F(&x, c_eff));
        } else if (strncmp(e.effective, e.announced,
                           strlen(e.effective) < strlen(e.announced) ? strlen(e.effective)
                                                                     : strlen(e.announced)) < 0) {
            snprintf(why, sizeof why, "date_effective %s is before date_announced %s", e.effective,
                     e.announced);
        }
        if (!*why) {
            snprintf(e.id, sizeof e.id, "%s", F(&x, c_id));
            snprintf(e.precision, sizeof e.precision, "%s", F(&x, c_prec));
            snprintf(e.commodities, sizeof e.commodities, "%s", F(&x, c_com));
            snprintf(e.type, sizeof e.type, "%s", F(&x, c_type));
            /* HS scope: 6-digit codes separated by ';' (codes outside the scope are allowed:
             * events may concern other goods; the backtest reports them as out of scope). */
            char hs[128];
            snprintf(hs, sizeof hs, "%s", F(&x, c_hs));
            snprintf(e.hs6, sizeof e.hs6, "%s", hs);
            for (char *tok = hs, *next; tok && *tok; tok = next) {
                next = strchr(tok, ';');
                if (next)
                    *next++ = 0;
                if (hs6_parse(cw_supply__trim(tok)) < 0) {
                    snprintf(why, sizeof why, "hs6_scope: '%s' is not an HS6 code", tok);
                    break;
                }
            }
        }
        if (!*why) {
            const char *aff = F(&x, c_aff);
            if (!strcasecmp(aff, "all") || !*aff)
                snprintf(e.affected, sizeof e.affected, "all");
            else if (cw_supply_country_resolve(s, aff, e.affected))
                snprintf(why, sizeof why, "affected_partner: unknown country '%s'", aff);
        }
        if (!*why) {
            /* actor: a country code, possibly followed by a qualifier "GB(LME)", or "market" */
            char act[64];
            snprintf(act, sizeof act, "%s", F(&x, c_act));
            char *paren = strchr(act, '(');
            if (paren)
                *paren = 0;
            char iso[4];
            if (!strcasecmp(act, "market") || !*act)
                snprintf(e.actor, sizeof e.actor, "%s", *act ? "market" : "");
            else if (cw_supply_country_resolve(s, act, iso))
                snprintf(why, sizeof why, "actor_country: unknown country '%s'", F(&x, c_act));
            else
                snprintf(e.actor, sizeof e.actor, "%s", iso);
        }
        if (!*why) {
            bool found;
            kentry *k = keyset_put(&ids, e.id, c.rec_line, 0, &found);
            if (!k) {
                rc = cw_error_set(CW_ENOMEM, "out of memory");
                goto out;
            }
            if (found)
                snprintf(why, sizeof why, "duplicate event_id %s (first at line %zu)", e.id,
                         k->line);
        }
        if (*why) {
            if ((rc = cw_supply__issue(rep, CW_SUPPLY_ISSUE_REJECT, c.rec_line, "%s", why)))
                goto out;
            continue;
        }
        e.description = cw_strdup(F(&x, c_desc));
        cw_sup_event *ne = cw_realloc(ev, (n + 1) * sizeof *ne);
        if (!ne || !e.description) {
            cw_free(e.description);
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        ev = ne;
        ev[n++] = e;
    }
out:
    keyset_free(&ids);
    cw_csv_close(&c);
    if (rc < 0) {
        cw_supply__events_free(ev, n);
        return rc;
    }
    *out = ev;
    *n_out = n;
    return 0;
}

static int load_events(lctx *x)
{
    cw_sup_event *ev;
    size_t n;
    int rc = cw_supply__events_read(x->s, x->rep->file, &ev, &n, x->rep);
    if (rc)
        return rc;
    sqlite3_stmt *ins = NULL;
    if (sqlite3_prepare_v2(
            x->s->db, "INSERT OR REPLACE INTO events VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
            -1, &ins, NULL) != SQLITE_OK) {
        rc = cw_supply__sqlerr(x->s->db, "prepare");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, ev[i].id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, ev[i].announced, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, ev[i].effective, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, ev[i].precision, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 5, ev[i].commodities, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 6, ev[i].hs6, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 7, ev[i].actor, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 8, ev[i].affected, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 9, ev[i].type, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 10, ev[i].description, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 11, x->rep->file, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = cw_supply__sqlerr(x->s->db, "insert event");
            goto out;
        }
        x->rep->rows_loaded++;
    }
out:
    sqlite3_finalize(ins);
    cw_supply__events_free(ev, n);
    return rc;
}

/* ---- driver ------------------------------------------------------------------------------ */

static const char *const kind_names[] = {"comtrade", "usgs",   "pinksheet", "prices",
                                         "wgi",      "events", "komir"};

int cw_supply_kind_parse(cw_supply_kind *out, const char *name)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (!strcmp(name, kind_names[i])) {
            *out = (cw_supply_kind)i;
            return 0;
        }
    return cw_error_set(CW_EINVAL,
                        "unknown kind '%s' (comtrade, usgs, pinksheet, prices, wgi, events, komir)",
                        name);
}

const char *cw_supply_kind_name(cw_supply_kind kind)
{
    return (size_t)kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[kind] : "?";
}

void cw_supply_load_report_deinit(cw_supply_load_report *rep)
{
    if (!rep)
        return;
    for (size_t i = 0; i < rep->n_issues; i++)
        cw_free(rep->issues[i].msg);
    cw_free(rep->issues);
    cw_free(rep->file);
    memset(rep, 0, sizeof *rep);
}

static const char *insert_sql(cw_supply_kind k)
{
    switch (k) {
    case CW_SUPPLY_COMTRADE:
        return "INSERT OR REPLACE INTO trade(reporter, partner, hs6, flow, period, freq, value_usd,"
               " net_kg, source) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)";
    case CW_SUPPLY_USGS:
        return "INSERT OR REPLACE INTO production VALUES(?1,?2,?3,?4,?5,?6,?7,?8)";
    case CW_SUPPLY_PINKSHEET:
    case CW_SUPPLY_PRICES:
        return "INSERT OR REPLACE INTO prices VALUES(?1,?2,?3,?4,?5)";
    case CW_SUPPLY_WGI:
        return "INSERT OR REPLACE INTO wgi VALUES(?1,?2,?3,?4)";
    default:
        return NULL;
    }
}

int cw_supply_load(cw_supply *s, cw_supply_kind kind, const char *path,
                   const cw_supply_load_opts *opts, cw_supply_load_report *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->file = cw_strdup(path);
    if (!rep->file)
        return cw_error_set(CW_ENOMEM, "out of memory");
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char source[300];
    snprintf(source, sizeof source, "%s", base);
    cw_csv c;
    memset(&c, 0, sizeof c);
    sqlite3_stmt *ins = NULL, *uq = NULL;
    pctx p = {0};
    lctx x = {s, &c, rep, opts, {0}, {0}, NULL};
    bool in_tx = false;
    int rc = cw_csv_open(&c, path, 0);
    if (rc)
        goto out;
    uint8_t digest[32];
    char hex[65];
    cw_sha256(digest, c.data, c.len);
    cw_hex_encode(hex, digest, 32);
    if ((rc = cw_sql_exec(s->db, "BEGIN IMMEDIATE")))
        goto out;
    in_tx = true;
    if (kind != CW_SUPPLY_EVENTS) {
        rc = cw_csv_next(&c);
        if (rc <= 0) {
            rc = rc ? rc : cw_error_set(CW_ECORRUPT, "%s: empty file", path);
            goto out;
        }
        /* a file that says it is synthetic (chainwatch supply synth writes a "synthetic"
         * column) is recorded so, and every output built on its rows says so */
        if (cw_csv_col(&c, "synthetic") >= 0)
            snprintf(source, sizeof source, "synthetic:%s", base);
        if (insert_sql(kind)) {
            if (sqlite3_prepare_v2(s->db, insert_sql(kind), -1, &ins, NULL) != SQLITE_OK) {
                rc = cw_supply__sqlerr(s->db, "prepare");
                goto out;
            }
            int src = kind == CW_SUPPLY_COMTRADE ? 9 : kind == CW_SUPPLY_USGS ? 8 : 5;
            if (kind != CW_SUPPLY_WGI)
                sqlite3_bind_text(ins, src, source, -1, SQLITE_TRANSIENT);
        }
    }
    switch (kind) {
    case CW_SUPPLY_COMTRADE:
        rc = cw_supply__is_trade_group(&c) ? cw_supply__load_trade_group(s, &c, rep, opts, source)
                                           : load_comtrade(&x, ins);
        break;
    case CW_SUPPLY_USGS:
        rc = cw_supply__is_usgs_imports(&c)   ? cw_supply__load_usgs_imports(s, &c, rep, source)
             : cw_supply__is_usgs_salient(&c) ? cw_supply__load_usgs_salient(s, &c, rep, source)
             : cw_supply__is_usgs_ds140(&c)   ? cw_supply__load_usgs_ds140(s, &c, rep, source)
                                              : load_usgs(&x, ins);
        break;
    case CW_SUPPLY_KOMIR:
        rc = cw_supply__load_komir(s, &c, rep, source);
        break;
    case CW_SUPPLY_PINKSHEET:
    case CW_SUPPLY_PRICES:
        if (sqlite3_prepare_v2(s->db,
                               "SELECT unit FROM prices WHERE series=?1 AND unit<>?2 LIMIT 1", -1,
                               &uq, NULL) != SQLITE_OK) {
            rc = cw_supply__sqlerr(s->db, "prepare");
            goto out;
        }
        p.x = &x;
        p.ins = ins;
        p.uq = uq;
        rc = kind == CW_SUPPLY_PINKSHEET ? load_pinksheet(&x, &p) : load_prices(&x, &p);
        break;
    case CW_SUPPLY_WGI:
        rc = load_wgi(&x, ins);
        break;
    case CW_SUPPLY_EVENTS:
        rc = load_events(&x);
        break;
    }
    if (rc)
        goto out;
    if (rep->rows_rejected && !(opts && opts->keep_going)) {
        const cw_supply_issue *first = NULL;
        for (size_t i = 0; i < rep->n_issues && !first; i++)
            if (rep->issues[i].kind == CW_SUPPLY_ISSUE_REJECT)
                first = &rep->issues[i];
        rc = cw_error_set(CW_ECORRUPT, "%s:%zu: %s (%zu row%s rejected; nothing loaded)", path,
                          first ? first->line : 0, first ? first->msg : "?", rep->rows_rejected,
                          rep->rows_rejected == 1 ? "" : "s");
        goto out;
    }
    {
        sqlite3_stmt *lg = NULL;
        if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO loads VALUES(?1,?2,?3,?4,?5)", -1,
                               &lg, NULL) != SQLITE_OK) {
            rc = cw_supply__sqlerr(s->db, "prepare");
            goto out;
        }
        sqlite3_bind_text(lg, 1, cw_supply_kind_name(kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(lg, 2, base, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(lg, 3, hex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(lg, 4, (sqlite3_int64)rep->rows_loaded);
        sqlite3_bind_int64(lg, 5, (sqlite3_int64)rep->rows_skipped);
        int st = sqlite3_step(lg);
        sqlite3_finalize(lg);
        if (st != SQLITE_DONE) {
            rc = cw_supply__sqlerr(s->db, "insert load");
            goto out;
        }
    }
    sqlite3_finalize(ins);
    ins = NULL;
    sqlite3_finalize(uq);
    uq = NULL;
    if ((rc = cw_sql_exec(s->db, "COMMIT")))
        goto out;
    in_tx = false;
    rep->committed = true;
out:
    sqlite3_finalize(ins);
    sqlite3_finalize(uq);
    if (in_tx) {
        int code = cw_error_code();
        char saved[1024];
        snprintf(saved, sizeof saved, "%s", cw_error_last());
        cw_sql_exec(s->db, "ROLLBACK");
        cw_error_set(code, "%s", saved);
    }
    cw_free(p.ss);
    sqlite3_finalize(x.fold_add);
    keyset_free(&x.keys);
    keyset_free(&x.fold_keys);
    cw_csv_close(&c);
    return rc;
}
