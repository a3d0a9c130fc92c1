/*
 * db.c: the supply database: open in WAL mode, versioned migrations (PRAGMA user_version),
 * reference tables (seeded from the built-in CSVs, reloadable from a folder) and their
 * in-memory cache used to resolve countries, commodities and HS lines.
 *
 * Tables: countries, country_aliases, commodities (one row per commodity x HS6 line),
 * commodity_aliases, price_series_map, production, trade, prices, wgi, events,
 * supply_alerts, loads; since version 3 import_sources, salient, indices, trade_group.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/errors.h"
#include "chainwatch/sql.h"
#include "supply/supply_int.h"

static const char *const migrations[] = {
    /* version 1 */
    "CREATE TABLE countries(iso3 TEXT PRIMARY KEY, iso2 TEXT, m49 INTEGER, comtrade_code INTEGER,"
    " name TEXT NOT NULL, aligned INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE country_aliases(alias TEXT PRIMARY KEY COLLATE NOCASE, iso3 TEXT NOT NULL);"
    "CREATE TABLE commodities(commodity TEXT NOT NULL, hs6 TEXT NOT NULL, stage TEXT,"
    " confidence TEXT, include INTEGER NOT NULL DEFAULT 1, note TEXT, seq INTEGER,"
    " PRIMARY KEY(commodity, hs6));"
    "CREATE TABLE commodity_aliases(alias TEXT PRIMARY KEY COLLATE NOCASE, commodity TEXT NOT "
    "NULL);"
    "CREATE TABLE price_series_map(series TEXT PRIMARY KEY, commodity TEXT, note TEXT);"
    "CREATE TABLE production(commodity TEXT NOT NULL, country TEXT NOT NULL, year INTEGER NOT NULL,"
    " value REAL, unit TEXT NOT NULL, status TEXT NOT NULL DEFAULT '', estimated INTEGER NOT NULL"
    " DEFAULT 0, source TEXT, PRIMARY KEY(commodity, country, year));"
    "CREATE TABLE trade(reporter TEXT NOT NULL, partner TEXT NOT NULL, hs6 TEXT NOT NULL,"
    " flow TEXT NOT NULL, period TEXT NOT NULL, freq TEXT NOT NULL, value_usd REAL NOT NULL,"
    " net_kg REAL, source TEXT, PRIMARY KEY(reporter, partner, hs6, flow, period));"
    "CREATE INDEX trade_partner ON trade(partner, flow, hs6, period);"
    "CREATE TABLE prices(series TEXT NOT NULL, date TEXT NOT NULL, value REAL NOT NULL,"
    " unit TEXT NOT NULL, source TEXT, PRIMARY KEY(series, date));"
    "CREATE TABLE wgi(country TEXT NOT NULL, year INTEGER NOT NULL, indicator TEXT NOT NULL,"
    " estimate REAL NOT NULL, PRIMARY KEY(country, year, indicator));"
    "CREATE TABLE events(event_id TEXT PRIMARY KEY, announced TEXT NOT NULL, effective TEXT NOT "
    "NULL,"
    " precision TEXT, commodity TEXT, hs6_scope TEXT, actor TEXT, affected TEXT NOT NULL,"
    " type TEXT, description TEXT, source TEXT);"
    "CREATE TABLE supply_alerts(id INTEGER PRIMARY KEY, commodity TEXT NOT NULL, partner TEXT NOT "
    "NULL,"
    " period TEXT NOT NULL, old_level INTEGER NOT NULL, new_level INTEGER NOT NULL, reason TEXT,"
    " UNIQUE(commodity, partner, period, new_level));"
    "CREATE TABLE loads(kind TEXT NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL,"
    " rows_loaded INTEGER, rows_skipped INTEGER, PRIMARY KEY(kind, sha256));",
    /* version 2: the partner's own imports are read by reporter, flow and HS line (covering) */
    "CREATE INDEX trade_reporter ON trade(reporter, flow, hs6, partner, period, freq, value_usd,"
    " net_kg);",
    /* version 3 (issue 16): partner exposure with a stated basis, reported net import
     * reliance, external indices (KOMIR), trade by product group without HS6 */
    "CREATE TABLE import_sources(reporter TEXT NOT NULL, commodity TEXT NOT NULL, supplier TEXT"
    " NOT NULL, period TEXT NOT NULL, category TEXT NOT NULL DEFAULT '', share REAL, value_usd"
    " REAL, qty REAL, qty_unit TEXT, basis TEXT NOT NULL, source TEXT,"
    " PRIMARY KEY(reporter, commodity, supplier, period, category));"
    "CREATE TABLE salient(commodity TEXT NOT NULL, country TEXT NOT NULL, series TEXT NOT NULL,"
    " unit TEXT, year INTEGER NOT NULL, value REAL, qualifier TEXT NOT NULL DEFAULT '', text TEXT,"
    " estimated INTEGER NOT NULL DEFAULT 0, note TEXT, source TEXT,"
    " PRIMARY KEY(commodity, country, series, year));"
    "CREATE TABLE indices(name TEXT NOT NULL, commodity TEXT NOT NULL, country TEXT NOT NULL,"
    " period TEXT NOT NULL, value REAL NOT NULL, unit TEXT, kind TEXT, source TEXT,"
    " PRIMARY KEY(name, commodity, country, period));"
    "CREATE TABLE trade_group(reporter TEXT NOT NULL, partner TEXT NOT NULL, grp TEXT NOT NULL,"
    " flow TEXT NOT NULL, period TEXT NOT NULL, value_usd REAL NOT NULL, net_kg REAL, source TEXT,"
    " PRIMARY KEY(reporter, partner, grp, flow, period));",
};

int cw_supply__sqlerr(sqlite3 *db, const char *what)
{
    return cw_error_set(CW_EIO, "sqlite %s: %s", what, sqlite3_errmsg(db));
}

int cw_supply__issue(cw_supply_load_report *rep, cw_supply_issue_kind kind, size_t line,
                     const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cw_supply_issue *ni = cw_realloc(rep->issues, (rep->n_issues + 1) * sizeof *ni);
    if (!ni)
        return cw_error_set(CW_ENOMEM, "out of memory");
    rep->issues = ni;
    ni[rep->n_issues].kind = kind;
    ni[rep->n_issues].line = line;
    ni[rep->n_issues].msg = cw_strdup(msg);
    if (!ni[rep->n_issues].msg)
        return cw_error_set(CW_ENOMEM, "out of memory");
    rep->n_issues++;
    if (kind == CW_SUPPLY_ISSUE_SKIP)
        rep->rows_skipped++;
    else
        rep->rows_rejected++;
    return 0;
}

/* ---- reference fill ---------------------------------------------------------------------- */

typedef struct {
    const char *file;
    const char *table;
    const char *cols[8]; /* CSV column names, inserted in this order */
    const char *insert;
} ref_spec;

static const ref_spec specs[] = {
    {"countries.csv",
     "countries",
     {"iso3", "iso2", "m49", "comtrade_code", "name", "aligned", NULL},
     "INSERT INTO countries VALUES(?1,?2,?3,?4,?5,?6)"},
    {"country_aliases.csv",
     "country_aliases",
     {"alias", "iso3", NULL},
     "INSERT OR REPLACE INTO country_aliases VALUES(?1,?2)"},
    {"commodities.csv",
     "commodities",
     {"commodity", "hs6", "stage", "confidence", "include", "note", NULL},
     "INSERT INTO commodities VALUES(?1,?2,?3,?4,?5,?6,?7)"},
    {"commodity_aliases.csv",
     "commodity_aliases",
     {"alias", "commodity", NULL},
     "INSERT OR REPLACE INTO commodity_aliases VALUES(?1,?2)"},
    {"price_series.csv",
     "price_series_map",
     {"series", "commodity", "note", NULL},
     "INSERT OR REPLACE INTO price_series_map VALUES(?1,?2,?3)"},
};

int cw_supply__ref_fill(cw_supply *s, const char *(*get)(const char *name, void *arg, size_t *len),
                        void *arg)
{
    int rc = 0;
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
        const ref_spec *sp = &specs[k];
        size_t len = 0;
        const char *text = get(sp->file, arg, &len);
        if (!text)
            return cw_error_set(CW_ENOTFOUND, "reference table %s is missing", sp->file);
        cw_csv c;
        cw_csv_open_mem(&c, sp->file, text, len, 0);
        sqlite3_stmt *st = NULL;
        char del[96];
        snprintf(del, sizeof del, "DELETE FROM %s", sp->table);
        rc = cw_sql_exec(s->db, del);
        if (rc)
            goto next;
        if (sqlite3_prepare_v2(s->db, sp->insert, -1, &st, NULL) != SQLITE_OK) {
            rc = cw_supply__sqlerr(s->db, "prepare");
            goto next;
        }
        rc = cw_csv_next(&c);
        if (rc <= 0) {
            rc = rc ? rc : cw_error_set(CW_ECORRUPT, "%s: empty", sp->file);
            goto next;
        }
        int idx[8];
        size_t ncols = 0;
        for (; sp->cols[ncols]; ncols++) {
            idx[ncols] = cw_csv_col(&c, sp->cols[ncols]);
            if (idx[ncols] < 0) {
                rc =
                    cw_error_set(CW_ECORRUPT, "%s:1: missing column %s", sp->file, sp->cols[ncols]);
                goto next;
            }
        }
        int seq = 0;
        while ((rc = cw_csv_next(&c)) == 1) {
            sqlite3_reset(st);
            for (size_t i = 0; i < ncols; i++) {
                if ((size_t)idx[i] >= c.n_fields) {
                    rc = cw_error_set(CW_ECORRUPT, "%s:%zu: expected %d fields, got %zu", sp->file,
                                      c.rec_line, idx[i] + 1, c.n_fields);
                    goto next;
                }
                const char *v = cw_supply__trim(c.fields[idx[i]]);
                if (*v)
                    sqlite3_bind_text(st, (int)i + 1, v, -1, SQLITE_TRANSIENT);
                else
                    sqlite3_bind_null(st, (int)i + 1);
            }
            if (!strcmp(sp->table, "commodities"))
                sqlite3_bind_int(st, 7, seq++);
            if (sqlite3_step(st) != SQLITE_DONE) {
                rc = cw_error_set(CW_ECORRUPT, "%s:%zu: %s", sp->file, c.rec_line,
                                  sqlite3_errmsg(s->db));
                goto next;
            }
        }
    next:
        sqlite3_finalize(st);
        cw_csv_close(&c);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static const char *get_builtin(const char *name, void *arg, size_t *len)
{
    (void)arg;
    const char *t = cw_supply_ref_builtin(name);
    if (t)
        *len = strlen(t);
    return t;
}

typedef struct {
    const char *dir;
    uint8_t *bufs[8];
    size_t n;
} dir_arg;

static const char *get_dir(const char *name, void *arg, size_t *len)
{
    dir_arg *d = arg;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", d->dir, name);
    uint8_t *buf = NULL;
    if (cw_file_read(&buf, len, path))
        return NULL;
    d->bufs[d->n++] = buf;
    return (const char *)buf;
}

/* ---- cache ------------------------------------------------------------------------------- */

static void cache_free(cw_supply *s)
{
    for (size_t i = 0; i < s->n_countries; i++)
        cw_free(s->countries[i].name);
    cw_free(s->countries);
    for (size_t i = 0; i < s->n_aliases; i++)
        cw_free(s->aliases[i].alias);
    cw_free(s->aliases);
    for (size_t i = 0; i < s->n_lines; i++)
        cw_free(s->lines[i].note);
    cw_free(s->lines);
    for (size_t i = 0; i < s->n_commodities; i++)
        cw_free(s->commodities[i]);
    cw_free(s->commodities);
    for (size_t i = 0; i < s->n_caliases; i++)
        cw_free(s->caliases[i].alias);
    cw_free(s->caliases);
    for (size_t i = 0; i < s->n_pseries; i++)
        cw_free(s->pseries[i].series);
    cw_free(s->pseries);
    s->countries = NULL;
    s->aliases = NULL;
    s->lines = NULL;
    s->commodities = NULL;
    s->caliases = NULL;
    s->pseries = NULL;
    s->n_countries = s->n_aliases = s->n_lines = s->n_commodities = s->n_caliases = s->n_pseries =
        0;
}

static int cmp_country(const void *a, const void *b)
{
    return strcmp(((const cw_sup_country *)a)->iso3, ((const cw_sup_country *)b)->iso3);
}

static int cmp_alias(const void *a, const void *b)
{
    return strcmp(((const cw_sup_alias *)a)->alias, ((const cw_sup_alias *)b)->alias);
}

static void lower(char *p)
{
    for (; *p; p++)
        *p = (char)tolower((unsigned char)*p);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src);
}

int cw_supply__ref_cache(cw_supply *s)
{
    cache_free(s);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    size_t n;
    /* countries */
    if (sqlite3_prepare_v2(s->db,
                           "SELECT iso3, iso2, m49, comtrade_code, name, aligned FROM countries",
                           -1, &st, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        cw_sup_country *nc = cw_realloc(s->countries, (n + 1) * sizeof *nc);
        if (!nc) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        s->countries = nc;
        cw_sup_country *c = &nc[n++];
        s->n_countries = n;
        memset(c, 0, sizeof *c);
        copy(c->iso3, sizeof c->iso3, col_text(st, 0));
        copy(c->iso2, sizeof c->iso2, col_text(st, 1));
        c->m49 = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 2);
        c->comtrade = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 3);
        c->name = cw_strdup(col_text(st, 4));
        c->aligned = sqlite3_column_int(st, 5) != 0;
    }
    qsort(s->countries, s->n_countries, sizeof *s->countries, cmp_country);
    sqlite3_finalize(st);
    st = NULL;
    /* aliases */
    if (sqlite3_prepare_v2(s->db, "SELECT alias, iso3 FROM country_aliases", -1, &st, NULL) !=
        SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        cw_sup_alias *na = cw_realloc(s->aliases, (n + 1) * sizeof *na);
        if (!na) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        s->aliases = na;
        na[n].alias = cw_strdup(col_text(st, 0));
        if (!na[n].alias) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        lower(na[n].alias);
        copy(na[n].iso3, sizeof na[n].iso3, col_text(st, 1));
        s->n_aliases = ++n;
    }
    qsort(s->aliases, s->n_aliases, sizeof *s->aliases, cmp_alias);
    sqlite3_finalize(st);
    st = NULL;
    /* commodity lines */
    if (sqlite3_prepare_v2(
            s->db,
            "SELECT commodity, hs6, stage, confidence, include, note FROM commodities"
            " ORDER BY seq",
            -1, &st, NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        cw_sup_line *nl = cw_realloc(s->lines, (n + 1) * sizeof *nl);
        if (!nl) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        s->lines = nl;
        cw_sup_line *l = &nl[n++];
        s->n_lines = n;
        memset(l, 0, sizeof *l);
        copy(l->commodity, sizeof l->commodity, col_text(st, 0));
        l->hs6 = sqlite3_column_int(st, 1);
        copy(l->stage, sizeof l->stage, col_text(st, 2));
        copy(l->confidence, sizeof l->confidence, col_text(st, 3));
        l->include = sqlite3_column_int(st, 4) != 0;
        l->note = cw_strdup(col_text(st, 5));
        bool seen = false;
        for (size_t i = 0; i < s->n_commodities; i++)
            if (!strcmp(s->commodities[i], l->commodity))
                seen = true;
        if (!seen) {
            char **nc = cw_realloc(s->commodities, (s->n_commodities + 1) * sizeof *nc);
            if (!nc) {
                rc = cw_error_set(CW_ENOMEM, "out of memory");
                goto out;
            }
            s->commodities = nc;
            nc[s->n_commodities] = cw_strdup(l->commodity);
            if (!nc[s->n_commodities]) {
                rc = cw_error_set(CW_ENOMEM, "out of memory");
                goto out;
            }
            s->n_commodities++;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    /* commodity aliases */
    if (sqlite3_prepare_v2(s->db, "SELECT alias, commodity FROM commodity_aliases", -1, &st,
                           NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *target = col_text(st, 1);
        char *canon = NULL;
        for (size_t i = 0; i < s->n_commodities; i++)
            if (!strcmp(s->commodities[i], target))
                canon = s->commodities[i];
        if (!canon) {
            rc = cw_error_set(CW_ECORRUPT, "commodity_aliases: %s names unknown commodity %s",
                              col_text(st, 0), target);
            goto out;
        }
        cw_sup_calias *na = cw_realloc(s->caliases, (s->n_caliases + 1) * sizeof *na);
        if (!na) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        s->caliases = na;
        na[s->n_caliases].alias = cw_strdup(col_text(st, 0));
        na[s->n_caliases].commodity = canon;
        s->n_caliases++;
    }
    sqlite3_finalize(st);
    st = NULL;
    /* price series */
    if (sqlite3_prepare_v2(s->db, "SELECT series, commodity FROM price_series_map", -1, &st,
                           NULL) != SQLITE_OK)
        return cw_supply__sqlerr(s->db, "prepare");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cw_sup_pseries *np = cw_realloc(s->pseries, (s->n_pseries + 1) * sizeof *np);
        if (!np) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        s->pseries = np;
        np[s->n_pseries].series = cw_strdup(col_text(st, 0));
        copy(np[s->n_pseries].commodity, sizeof np[s->n_pseries].commodity, col_text(st, 1));
        s->n_pseries++;
    }
out:
    sqlite3_finalize(st);
    return rc;
}

/* ---- open / close ------------------------------------------------------------------------ */

/* The reference rows (commodities, partners, HS lines) go in with the first schema. */
static int fill_reference(void *ctx, int to_version)
{
    return to_version == 1 ? cw_supply__ref_fill(ctx, get_builtin, NULL) : 0;
}

int cw_supply_open(cw_supply **out, const char *path)
{
    *out = NULL;
    int rc = 0;
    cw_supply *s = cw_calloc(1, sizeof *s);
    if (!s)
        return cw_error_set(CW_ENOMEM, "out of memory");
    if ((rc = cw_sql_open(&s->db, path, CW_SQL_CREATE)))
        goto out;
    cw_sql_schema sc = {.steps = migrations,
                        .n = (int)(sizeof migrations / sizeof migrations[0]),
                        .what = path,
                        .after_step = fill_reference,
                        .ctx = s};
    if ((rc = cw_sql_migrate(s->db, &sc)))
        goto out;
    rc = cw_supply__ref_cache(s);
out:
    if (rc) {
        cw_supply_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void cw_supply_close(cw_supply *s)
{
    if (!s)
        return;
    cache_free(s);
    cw_sql_close(s->db);
    cw_free(s);
}

struct sqlite3 *cw_supply_sqlite(cw_supply *s)
{
    return s->db;
}

int cw_supply_ref_reload(cw_supply *s, const char *dir)
{
    dir_arg d = {dir, {0}, 0};
    int rc = cw_sql_exec(s->db, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    rc = cw_supply__ref_fill(s, get_dir, &d);
    if (!rc)
        rc = cw_sql_exec(s->db, "COMMIT");
    else
        cw_sql_exec(s->db, "ROLLBACK");
    for (size_t i = 0; i < d.n; i++)
        cw_free(d.bufs[i]);
    if (!rc)
        rc = cw_supply__ref_cache(s);
    return rc;
}

/* ---- lookups ----------------------------------------------------------------------------- */

const cw_sup_country *cw_supply__country(const cw_supply *s, const char *iso3)
{
    cw_sup_country key;
    memset(&key, 0, sizeof key);
    snprintf(key.iso3, sizeof key.iso3, "%s", iso3);
    return bsearch(&key, s->countries, s->n_countries, sizeof key, cmp_country);
}

int cw_supply_country_resolve(cw_supply *s, const char *text, char iso3[4])
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", text);
    char *t = cw_supply__trim(buf);
    size_t l = strlen(t);
    if (l == 0)
        return cw_error_set(CW_ENOTFOUND, "empty country");
    bool alldigit = true;
    for (size_t i = 0; i < l; i++)
        if (!isdigit((unsigned char)t[i]))
            alldigit = false;
    if (alldigit && l <= 4) {
        long v = strtol(t, NULL, 10);
        /* Comtrade's own numbering first (USA 842), then M49 */
        for (size_t i = 0; i < s->n_countries; i++)
            if (s->countries[i].comtrade == v) {
                memcpy(iso3, s->countries[i].iso3, 4);
                return 0;
            }
        for (size_t i = 0; i < s->n_countries; i++)
            if (s->countries[i].m49 == v) {
                memcpy(iso3, s->countries[i].iso3, 4);
                return 0;
            }
        /* Comtrade's special areas (bunkers, "nes" regions) are aliases of ZZZ */
        cw_sup_alias dkey = {t, {0}};
        const cw_sup_alias *da = bsearch(&dkey, s->aliases, s->n_aliases, sizeof dkey, cmp_alias);
        if (da) {
            memcpy(iso3, da->iso3, 4);
            return 0;
        }
        return cw_error_set(CW_ENOTFOUND, "unknown country code %s", t);
    }
    if (l == 3) {
        char up[4] = {(char)toupper((unsigned char)t[0]), (char)toupper((unsigned char)t[1]),
                      (char)toupper((unsigned char)t[2]), 0};
        if (cw_supply__country(s, up) && !strcmp(up, t)) {
            memcpy(iso3, up, 4);
            return 0;
        }
    }
    if (l == 2) {
        for (size_t i = 0; i < s->n_countries; i++)
            if (!strcasecmp(s->countries[i].iso2, t) && isupper((unsigned char)t[0])) {
                memcpy(iso3, s->countries[i].iso3, 4);
                return 0;
            }
    }
    lower(t);
    cw_sup_alias key = {t, {0}};
    const cw_sup_alias *a = bsearch(&key, s->aliases, s->n_aliases, sizeof key, cmp_alias);
    if (a) {
        memcpy(iso3, a->iso3, 4);
        return 0;
    }
    return cw_error_set(CW_ENOTFOUND, "unknown country '%s'", text);
}

const char *cw_supply_commodity_resolve(cw_supply *s, const char *text)
{
    for (size_t i = 0; i < s->n_commodities; i++)
        if (!strcasecmp(s->commodities[i], text))
            return s->commodities[i];
    for (size_t i = 0; i < s->n_caliases; i++)
        if (!strcasecmp(s->caliases[i].alias, text))
            return s->caliases[i].commodity;
    return NULL;
}

size_t cw_supply_commodities(cw_supply *s, const char *const **out)
{
    *out = (const char *const *)s->commodities;
    return s->n_commodities;
}

bool cw_supply__hs_known(const cw_supply *s, int hs6)
{
    for (size_t i = 0; i < s->n_lines; i++)
        if (s->lines[i].hs6 == hs6)
            return true;
    return false;
}

const char *cw_supply__series_commodity(const cw_supply *s, const char *series)
{
    for (size_t i = 0; i < s->n_pseries; i++)
        if (!strcmp(s->pseries[i].series, series))
            return s->pseries[i].commodity[0] ? s->pseries[i].commodity : NULL;
    return NULL;
}
