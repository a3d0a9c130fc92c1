/*
 * alert.c: the alert store (table `alerts` of a node database) and cw_alert_emit().
 *
 * Invariants: status only moves new -> acknowledged -> closed (or new -> closed); each
 * move records who and when. Dedup: an alert with a dedup key that is not closed and was
 * raised less than its cool-down ago absorbs a new alert with the same key (occurrences and
 * last_seen go up, nothing else changes), so a condition that persists raises one alert per
 * cool-down period. A negative cool-down absorbs forever (used for partner objects, whose
 * dedup key is the STIX id).
 *
 * Triage (schema version 2): an assignee per alert and its history in table alert_history
 * (notes, assignments, status moves; who and when), append-only by trigger. Each change and
 * its history entry are one transaction. Neither leaves the node: publishing (src/share)
 * reads only the alert's own fields.
 */
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "chainwatch/alert.h"
#include "chainwatch/errors.h"
#include "chainwatch/sql.h"
#include "chainwatch/util.h"

struct cw_alert_db {
    sqlite3 *db;
    cw_sql_cache cache; /* hot statements (the server's per-request checks) */
};

static const char *const migrations[] = {
    /* 1: the alerts table. */
    "CREATE TABLE alerts ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " time INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " occurrences INTEGER NOT NULL DEFAULT 1,"
    " source TEXT NOT NULL CHECK (source IN ('chain','supply','partner')),"
    " kind TEXT NOT NULL,"
    " severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 4),"
    " tlp INTEGER NOT NULL CHECK (tlp BETWEEN 0 AND 4),"
    " share_to TEXT NOT NULL DEFAULT '',"
    " title TEXT NOT NULL,"
    " explanation TEXT NOT NULL DEFAULT '',"
    " evidence TEXT NOT NULL DEFAULT '{}',"
    " provenance TEXT,"
    " status INTEGER NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 2),"
    " status_by TEXT, status_at INTEGER, status_note TEXT,"
    " dedup_key TEXT, cooldown INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX alerts_dedup ON alerts(dedup_key, time);"
    "CREATE INDEX alerts_status ON alerts(status, id);",
    /* 2: an assignee per alert and its history (notes, assignments, status moves), append-only.
     * Databases of version 1 keep every alert; each status already recorded becomes the first
     * entry of its alert's history. */
    "ALTER TABLE alerts ADD COLUMN assignee TEXT;"
    "CREATE TABLE alert_history ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " alert_id INTEGER NOT NULL REFERENCES alerts(id),"
    " time INTEGER NOT NULL,"
    " author TEXT NOT NULL,"
    " kind TEXT NOT NULL CHECK (kind IN ('note','assign','status')),"
    " text TEXT NOT NULL);"
    "CREATE INDEX alert_history_alert ON alert_history(alert_id, id);"
    "CREATE INDEX alerts_assignee ON alerts(assignee, id);"
    "CREATE TRIGGER alert_history_no_update BEFORE UPDATE ON alert_history "
    " BEGIN SELECT RAISE(ABORT, 'alert history is append-only'); END;"
    "CREATE TRIGGER alert_history_no_delete BEFORE DELETE ON alert_history "
    " BEGIN SELECT RAISE(ABORT, 'alert history is append-only'); END;"
    "INSERT INTO alert_history(alert_id, time, author, kind, text) "
    " SELECT id, status_at, status_by, 'status', "
    "  CASE status WHEN 1 THEN 'acknowledged' ELSE 'closed' END || "
    "  coalesce(': ' || nullif(status_note, ''), '') "
    " FROM alerts WHERE status > 0 AND status_by IS NOT NULL AND status_at IS NOT NULL "
    " ORDER BY status_at, id;",
};

static const char *const source_names[] = {"chain", "supply", "partner"};
static const char *const severity_names[] = {"info", "low", "medium", "high", "critical"};
static const char *const tlp_names[] = {"clear", "green", "amber", "amber+strict", "red"};
static const char *const status_names[] = {"new", "acknowledged", "closed"};

const char *cw_alert_source_name(cw_alert_source s)
{
    return (unsigned)s < 3 ? source_names[s] : "?";
}
const char *cw_alert_severity_name(cw_alert_severity s)
{
    return (unsigned)s < 5 ? severity_names[s] : "?";
}
const char *cw_tlp_name(cw_tlp t)
{
    return (unsigned)t < 5 ? tlp_names[t] : "?";
}
const char *cw_alert_status_name(cw_alert_status s)
{
    return (unsigned)s < 3 ? status_names[s] : "?";
}

static int parse_name(int *out, const char *s, const char *const *names, int n, const char *what)
{
    if (s) {
        for (int i = 0; i < n; i++) {
            if (!strcasecmp(s, names[i])) {
                *out = i;
                return 0;
            }
        }
    }
    return cw_error_set(CW_EINVAL, "%s: unknown value '%s'", what, s ? s : "(null)");
}

int cw_alert_source_parse(cw_alert_source *out, const char *s)
{
    int v = 0, rc = parse_name(&v, s, source_names, 3, "source");
    if (!rc)
        *out = (cw_alert_source)v;
    return rc;
}
int cw_alert_severity_parse(cw_alert_severity *out, const char *s)
{
    int v = 0, rc = parse_name(&v, s, severity_names, 5, "severity");
    if (!rc)
        *out = (cw_alert_severity)v;
    return rc;
}
int cw_tlp_parse(cw_tlp *out, const char *s)
{
    if (s && !strncasecmp(s, "TLP:", 4))
        s += 4;
    int v = 0, rc = parse_name(&v, s, tlp_names, 5, "tlp");
    if (!rc)
        *out = (cw_tlp)v;
    return rc;
}
int cw_alert_status_parse(cw_alert_status *out, const char *s)
{
    int v = 0, rc = parse_name(&v, s, status_names, 3, "status");
    if (!rc)
        *out = (cw_alert_status)v;
    return rc;
}

int cw_alert_db_open(cw_alert_db **out, const char *path)
{
    return cw_alert_db_open_ex(out, path, CW_SQL_CREATE);
}

int cw_alert_db_open_ex(cw_alert_db **out, const char *path, unsigned sql_flags)
{
    *out = NULL;
    cw_alert_db *a = cw_calloc(1, sizeof *a);
    if (!a)
        return cw_error_set(CW_ENOMEM, "out of memory");
    int rc = cw_sql_open(&a->db, path, sql_flags);
    if (!rc)
        rc = cw_sql_migrate(a->db,
                            &(cw_sql_schema){.module = "alert",
                                             .steps = migrations,
                                             .n = (int)(sizeof migrations / sizeof migrations[0])});
    if (rc) {
        if (a->db)
            cw_error_wrap(rc, "%s: ", path);
        cw_alert_db_close(a);
        return rc;
    }
    *out = a;
    return 0;
}

void cw_alert_db_close(cw_alert_db *db)
{
    if (!db)
        return;
    cw_sql_cache_free(&db->cache);
    cw_sql_close(db->db);
    cw_free(db);
}

struct sqlite3 *cw_alert_db_sqlite(cw_alert_db *db)
{
    return db->db;
}

static int sql_fail(cw_alert_db *db, const char *what)
{
    return cw_error_set(CW_EIO, "alerts: %s: %s", what, sqlite3_errmsg(db->db));
}

static bool valid_kind(const char *k)
{
    if (!k || !*k || strlen(k) > 64)
        return false;
    for (const char *p = k; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' || *p == '_' ||
              *p == '.'))
            return false;
    return true;
}

/* Checks that text is a JSON object or array; returns its compact form (owned). */
static int normalise_json(char **out, const char *text, const char *field, bool object_only)
{
    json_error_t err;
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (!v)
        return cw_error_set(CW_EINVAL, "%s: invalid JSON at line %d column %d: %s", field, err.line,
                            err.column, err.text);
    if (!(json_is_object(v) || (!object_only && json_is_array(v)))) {
        json_decref(v);
        return cw_error_set(CW_EINVAL, "%s: must be a JSON %s", field,
                            object_only ? "object" : "object or array");
    }
    *out = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    json_decref(v);
    return *out ? 0 : cw_error_set(CW_ENOMEM, "out of memory");
}

int cw_alert_emit(cw_alert_db *db, const cw_alert_input *in, int64_t *out_id, bool *out_deduped)
{
    char *evidence = NULL, *provenance = NULL;
    sqlite3_stmt *st = NULL;
    int rc = 0;
    bool began = false;
    if (out_deduped)
        *out_deduped = false;
    if ((unsigned)in->source > 2)
        return cw_error_set(CW_EINVAL, "alert: source %d out of range", (int)in->source);
    if ((unsigned)in->severity > 4)
        return cw_error_set(CW_EINVAL, "alert: severity %d out of range", (int)in->severity);
    if ((unsigned)in->tlp > 4)
        return cw_error_set(CW_EINVAL, "alert: tlp %d out of range", (int)in->tlp);
    if (!valid_kind(in->kind))
        return cw_error_set(CW_EINVAL, "alert: kind '%s' must be 1-64 of [a-z0-9-_.]",
                            in->kind ? in->kind : "(null)");
    if (!in->title || !*in->title)
        return cw_error_set(CW_EINVAL, "alert: title is required");
    if ((in->tlp == CW_TLP_AMBER_STRICT) &&
        (!in->share_to || !*in->share_to || strchr(in->share_to, ',')))
        return cw_error_set(CW_EINVAL,
                            "alert: TLP:AMBER+STRICT needs exactly one organisation in share_to");
    if ((rc = normalise_json(&evidence, in->evidence ? in->evidence : "{}", "evidence", false)))
        goto out;
    if (in->provenance && (rc = normalise_json(&provenance, in->provenance, "provenance", true)))
        goto out;
    int64_t now = in->time_us ? in->time_us : cw_time_now_us();

    if ((rc = cw_sql_exec(db->db, "BEGIN IMMEDIATE")))
        goto out;
    began = true;
    if (in->dedup_key && *in->dedup_key) {
        if (sqlite3_prepare_v2(db->db,
                               "SELECT id FROM alerts WHERE dedup_key = ? AND status != 2 AND "
                               "(? < 0 OR time >= ?) ORDER BY time DESC LIMIT 1",
                               -1, &st, NULL)) {
            rc = sql_fail(db, "dedup lookup");
            goto out;
        }
        sqlite3_bind_text(st, 1, in->dedup_key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, in->cooldown_us);
        sqlite3_bind_int64(st, 3, now - in->cooldown_us);
        if (sqlite3_step(st) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
            st = NULL;
            if (sqlite3_prepare_v2(db->db,
                                   "UPDATE alerts SET occurrences = occurrences + 1, "
                                   "last_seen = max(last_seen, ?) WHERE id = ?",
                                   -1, &st, NULL)) {
                rc = sql_fail(db, "dedup update");
                goto out;
            }
            sqlite3_bind_int64(st, 1, now);
            sqlite3_bind_int64(st, 2, id);
            if (sqlite3_step(st) != SQLITE_DONE) {
                rc = sql_fail(db, "dedup update");
                goto out;
            }
            if (out_id)
                *out_id = id;
            if (out_deduped)
                *out_deduped = true;
            goto commit;
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    if (sqlite3_prepare_v2(db->db,
                           "INSERT INTO alerts(time, last_seen, source, kind, severity, tlp, "
                           "share_to, title, explanation, evidence, provenance, dedup_key, "
                           "cooldown) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &st, NULL)) {
        rc = sql_fail(db, "insert");
        goto out;
    }
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, source_names[in->source], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, in->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, (int)in->severity);
    sqlite3_bind_int(st, 6, (int)in->tlp);
    sqlite3_bind_text(st, 7, in->share_to ? in->share_to : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, in->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, in->explanation ? in->explanation : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, evidence, -1, SQLITE_STATIC);
    if (provenance)
        sqlite3_bind_text(st, 11, provenance, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 11);
    if (in->dedup_key && *in->dedup_key)
        sqlite3_bind_text(st, 12, in->dedup_key, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 12);
    sqlite3_bind_int64(st, 13, in->cooldown_us);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = sql_fail(db, "insert");
        goto out;
    }
    if (out_id)
        *out_id = sqlite3_last_insert_rowid(db->db);
commit:
    rc = cw_sql_exec(db->db, "COMMIT");
    began = false;
out:
    sqlite3_finalize(st);
    if (began)
        cw_sql_exec(db->db, "ROLLBACK");
    free(evidence);
    free(provenance);
    return rc;
}

#define ALERT_COLUMNS                                                                              \
    "id, time, last_seen, occurrences, source, kind, severity, tlp, share_to, title, "             \
    "explanation, evidence, provenance, status, status_by, status_at, status_note, dedup_key, "    \
    "cooldown, assignee"

static json_t *json_text_or_null(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? json_string((const char *)t) : json_null();
}

static json_t *row_to_json(sqlite3_stmt *st)
{
    char tbuf[32];
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
    cw_time_format(tbuf, sqlite3_column_int64(st, 1), 6);
    json_object_set_new(o, "time", json_string(tbuf));
    cw_time_format(tbuf, sqlite3_column_int64(st, 2), 6);
    json_object_set_new(o, "last_seen", json_string(tbuf));
    json_object_set_new(o, "occurrences", json_integer(sqlite3_column_int64(st, 3)));
    json_object_set_new(o, "source", json_text_or_null(st, 4));
    json_object_set_new(o, "kind", json_text_or_null(st, 5));
    json_object_set_new(
        o, "severity",
        json_string(cw_alert_severity_name((cw_alert_severity)sqlite3_column_int(st, 6))));
    cw_tlp tlp = (cw_tlp)sqlite3_column_int(st, 7);
    json_object_set_new(o, "tlp", json_string(cw_tlp_name(tlp)));
    json_t *aud = json_array();
    const char *share_to = (const char *)sqlite3_column_text(st, 8);
    if (share_to && *share_to) {
        const char *p = share_to;
        while (*p) {
            const char *c = strchr(p, ',');
            size_t n = c ? (size_t)(c - p) : strlen(p);
            if (n)
                json_array_append_new(aud, json_stringn(p, n));
            p += n + (c ? 1 : 0);
        }
    }
    json_object_set_new(o, "share_to", aud);
    json_object_set_new(o, "title", json_text_or_null(st, 9));
    json_object_set_new(o, "explanation", json_text_or_null(st, 10));
    const char *ev = (const char *)sqlite3_column_text(st, 11);
    json_t *evj = ev ? json_loads(ev, 0, NULL) : NULL;
    /* when the alert was raised ("time", kept for earlier readers) and the on-chain time of its
     * triggering tx (the monitor's onchain_time in the evidence; null for other alerts) */
    json_object_set_new(o, "raised_at", json_copy(json_object_get(o, "time")));
    json_t *oc = evj ? json_object_get(evj, "onchain_time") : NULL;
    if (json_is_integer(oc)) {
        cw_time_format(tbuf, (int64_t)json_integer_value(oc) * 1000000, 0);
        json_object_set_new(o, "onchain_time", json_string(tbuf));
        json_object_set_new(o, "onchain_height", json_copy(json_object_get(evj, "onchain_height")));
    } else {
        json_object_set_new(o, "onchain_time", json_null());
        json_object_set_new(o, "onchain_height", json_null());
    }
    json_object_set_new(o, "evidence", evj ? evj : json_object());
    const char *pv = (const char *)sqlite3_column_text(st, 12);
    json_t *pvj = pv ? json_loads(pv, 0, NULL) : NULL;
    json_object_set_new(o, "provenance", pvj ? pvj : json_null());
    json_object_set_new(
        o, "status",
        json_string(cw_alert_status_name((cw_alert_status)sqlite3_column_int(st, 13))));
    json_object_set_new(o, "status_by", json_text_or_null(st, 14));
    if (sqlite3_column_type(st, 15) == SQLITE_NULL) {
        json_object_set_new(o, "status_at", json_null());
    } else {
        cw_time_format(tbuf, sqlite3_column_int64(st, 15), 6);
        json_object_set_new(o, "status_at", json_string(tbuf));
    }
    json_object_set_new(o, "status_note", json_text_or_null(st, 16));
    json_object_set_new(o, "dedup_key", json_text_or_null(st, 17));
    json_object_set_new(o, "cooldown_s", json_integer(sqlite3_column_int64(st, 18) / 1000000));
    json_object_set_new(o, "assignee", json_text_or_null(st, 19));
    return o;
}

int cw_alert_get(cw_alert_db *db, int64_t id, json_t **out)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    *out = NULL;
    if (sqlite3_prepare_v2(db->db, "SELECT " ALERT_COLUMNS " FROM alerts WHERE id = ?", -1, &st,
                           NULL))
        return sql_fail(db, "get");
    sqlite3_bind_int64(st, 1, id);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *out = row_to_json(st);
        if (!*out)
            rc = cw_error_set(CW_ENOMEM, "out of memory");
    } else if (s == SQLITE_DONE) {
        rc = cw_error_set(CW_ENOTFOUND, "alert %lld not found", (long long)id);
    } else {
        rc = sql_fail(db, "get");
    }
    sqlite3_finalize(st);
    return rc;
}

/* The filter's status (-1: any) and minimum severity as stored; CW_EINVAL (message set by the
 * parser) for a status, source or severity that is not one. */
static int filter_codes(const cw_alert_filter *f, int *status, int *sev)
{
    *status = -1;
    *sev = 0;
    cw_alert_status st = CW_ALERT_NEW;
    cw_alert_source so;
    cw_alert_severity se = (cw_alert_severity)0;
    if (f->status && cw_alert_status_parse(&st, f->status))
        return CW_EINVAL;
    if (f->source && cw_alert_source_parse(&so, f->source))
        return CW_EINVAL;
    if (f->min_severity && cw_alert_severity_parse(&se, f->min_severity))
        return CW_EINVAL;
    if (f->status)
        *status = (int)st;
    if (f->min_severity)
        *sev = (int)se;
    return 0;
}

int cw_alert_list(cw_alert_db *db, const cw_alert_filter *f, json_t **out)
{
    cw_alert_filter none;
    memset(&none, 0, sizeof none);
    if (!f)
        f = &none;
    *out = NULL;
    int status, sev;
    if (filter_codes(f, &status, &sev))
        return CW_EINVAL;
    if (f->limit < 0)
        return cw_error_set(CW_EINVAL, "limit: must be positive");
    if (f->after_id > 0 && f->before_id > 0)
        return cw_error_set(CW_EINVAL, "after and before: give one of them");
    int64_t limit = f->limit ? f->limit : 100;
    if (limit > 1000)
        limit = 1000;
    bool asc = f->after_id > 0;
    const char *sql =
        asc ? "SELECT " ALERT_COLUMNS " FROM alerts WHERE (?1 < 0 OR status = ?1) AND "
              "(?2 IS NULL OR source = lower(?2)) AND (?3 IS NULL OR kind = ?3) AND severity >= ?4 "
              "AND time >= ?5 AND id > ?6 AND (?9 IS NULL OR assignee = ?9) ORDER BY id ASC LIMIT "
              "?7"
            : "SELECT " ALERT_COLUMNS " FROM alerts WHERE (?1 < 0 OR status = ?1) AND "
              "(?2 IS NULL OR source = lower(?2)) AND (?3 IS NULL OR kind = ?3) AND severity >= ?4 "
              "AND time >= ?5 AND id > ?6 AND (?8 <= 0 OR id < ?8) AND (?9 IS NULL OR assignee = "
              "?9) "
              "ORDER BY id DESC LIMIT ?7";
    sqlite3_stmt *st = cw_sql_cached(&db->cache, db->db, sql);
    if (!st)
        return sql_fail(db, "list");
    sqlite3_bind_int(st, 1, status);
    if (f->source)
        sqlite3_bind_text(st, 2, f->source, -1, SQLITE_STATIC);
    if (f->kind)
        sqlite3_bind_text(st, 3, f->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, sev);
    sqlite3_bind_int64(st, 5, f->since_us);
    sqlite3_bind_int64(st, 6, f->after_id);
    sqlite3_bind_int64(st, 7, limit + 1);
    if (!asc)
        sqlite3_bind_int64(st, 8, f->before_id);
    if (f->assignee)
        sqlite3_bind_text(st, 9, f->assignee, -1, SQLITE_STATIC);
    json_t *arr = json_array();
    int rc = 0, s;
    int64_t n = 0, last = 0;
    bool more = false;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == limit) {
            more = true;
            break;
        }
        last = sqlite3_column_int64(st, 0);
        json_array_append_new(arr, row_to_json(st));
        n++;
    }
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        rc = sql_fail(db, "list");
    cw_sql_done(st);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    /* Keyset paging: ascending pages continue with after = next_after_id, descending (newest
     * first) pages with before = next_before_id; ids never shift when alerts are added. */
    *out = json_pack("{s:o, s:o, s:o, s:b}", "alerts", arr, "next_after_id",
                     asc && more ? json_integer(last) : json_null(), "next_before_id",
                     !asc && more ? json_integer(last) : json_null(), "more", more);
    return *out ? 0 : cw_error_set(CW_ENOMEM, "out of memory");
}

int cw_alert_count(cw_alert_db *db, const cw_alert_filter *f,
                   int (*fn)(const cw_alert_count_group *g, void *payload), void *payload)
{
    cw_alert_filter none;
    memset(&none, 0, sizeof none);
    if (!f)
        f = &none;
    int status, sev;
    if (filter_codes(f, &status, &sev))
        return CW_EINVAL;
    sqlite3_stmt *st = cw_sql_cached(
        &db->cache, db->db,
        "SELECT severity, tlp, share_to, count(*) FROM alerts WHERE (?1 < 0 OR status = ?1) AND "
        "(?2 IS NULL OR source = lower(?2)) AND (?3 IS NULL OR kind = ?3) AND severity >= ?4 AND "
        "time >= ?5 AND (?6 IS NULL OR assignee = ?6) GROUP BY severity, tlp, share_to");
    if (!st)
        return sql_fail(db, "count");
    sqlite3_bind_int(st, 1, status);
    if (f->source)
        sqlite3_bind_text(st, 2, f->source, -1, SQLITE_STATIC);
    if (f->kind)
        sqlite3_bind_text(st, 3, f->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, sev);
    sqlite3_bind_int64(st, 5, f->since_us);
    if (f->assignee)
        sqlite3_bind_text(st, 6, f->assignee, -1, SQLITE_STATIC);
    int rc = 0, s;
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *share = (const char *)sqlite3_column_text(st, 2);
        cw_alert_count_group g = {
            .severity = (cw_alert_severity)sqlite3_column_int(st, 0),
            .tlp = (cw_tlp)sqlite3_column_int(st, 1),
            .share_to = share ? share : "",
            .count = sqlite3_column_int64(st, 3),
        };
        rc = fn(&g, payload);
    }
    if (!rc && s != SQLITE_DONE)
        rc = sql_fail(db, "count");
    cw_sql_done(st);
    return rc;
}

/* Appends one history entry inside the caller's transaction. */
static int history_add(cw_alert_db *db, int64_t id, int64_t now, const char *author,
                       const char *kind, const char *text, int64_t *out_entry)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->db,
                           "INSERT INTO alert_history(alert_id, time, author, kind, text) "
                           "VALUES(?,?,?,?,?)",
                           -1, &st, NULL))
        return sql_fail(db, "history");
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, author, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sql_fail(db, "history");
    sqlite3_finalize(st);
    if (!rc && out_entry)
        *out_entry = sqlite3_last_insert_rowid(db->db);
    return rc;
}

/* A name or a note: valid UTF-8 (jansson must be able to carry it), no control characters
 * except, in notes, new lines and tabs; 1..max bytes. */
static int check_text(const char *t, size_t max, bool multiline, const char *what)
{
    if (!t || !*t)
        return cw_error_set(CW_EINVAL, "%s: must not be empty", what);
    size_t n = strlen(t);
    if (n > max)
        return cw_error_set(CW_EINVAL, "%s: %zu bytes, at most %zu", what, n, max);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t'))) || c == 0x7f)
            return cw_error_set(CW_EINVAL, "%s: control character 0x%02x at byte %zu", what, c, i);
    }
    json_t *probe = json_string(t);
    if (!probe)
        return cw_error_set(CW_EINVAL, "%s: not valid UTF-8", what);
    json_decref(probe);
    return 0;
}

int cw_alert_set_status(cw_alert_db *db, int64_t id, cw_alert_status status, const char *who,
                        const char *note)
{
    if ((unsigned)status > 2 || status == CW_ALERT_NEW)
        return cw_error_set(CW_EINVAL, "status: can only acknowledge or close");
    if (!who || !*who)
        return cw_error_set(CW_EINVAL, "status: who is required");
    if (note && *note && check_text(note, 4000, true, "note"))
        return CW_EINVAL;
    sqlite3_stmt *st = NULL;
    int rc = cw_sql_exec(db->db, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    int64_t now = cw_time_now_us();
    if (sqlite3_prepare_v2(db->db,
                           "UPDATE alerts SET status = ?1, status_by = ?2, status_at = ?3, "
                           "status_note = ?4 WHERE id = ?5 AND status < ?1",
                           -1, &st, NULL)) {
        rc = sql_fail(db, "set status");
        goto out;
    }
    sqlite3_bind_int(st, 1, (int)status);
    sqlite3_bind_text(st, 2, who, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    if (note)
        sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_int64(st, 5, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sql_fail(db, "set status");
    sqlite3_finalize(st);
    if (rc)
        goto out;
    if (sqlite3_changes(db->db) == 1) {
        char text[4100];
        snprintf(text, sizeof text, "%s%s%s", cw_alert_status_name(status),
                 note && *note ? ": " : "", note && *note ? note : "");
        rc = history_add(db, id, now, who, "status", text, NULL);
        if (!rc)
            rc = cw_sql_exec(db->db, "COMMIT");
        if (rc)
            cw_sql_exec(db->db, "ROLLBACK");
        return rc;
    }
    cw_sql_exec(db->db, "ROLLBACK");
    json_t *cur = NULL;
    rc = cw_alert_get(db, id, &cur);
    if (rc)
        return rc;
    rc = cw_error_set(CW_EINVAL, "alert %lld is %s; cannot move it to %s", (long long)id,
                      json_string_value(json_object_get(cur, "status")),
                      cw_alert_status_name(status));
    json_decref(cur);
    return rc;
out:
    cw_sql_exec(db->db, "ROLLBACK");
    return rc;
}

/* Whether alert id exists (inside a transaction). */
static int alert_exists(cw_alert_db *db, int64_t id)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->db, "SELECT 1 FROM alerts WHERE id = ?", -1, &st, NULL))
        return sql_fail(db, "lookup");
    sqlite3_bind_int64(st, 1, id);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    if (s == SQLITE_ROW)
        return 0;
    if (s == SQLITE_DONE)
        return cw_error_set(CW_ENOTFOUND, "alert %lld not found", (long long)id);
    return sql_fail(db, "lookup");
}

int cw_alert_assign(cw_alert_db *db, int64_t id, const char *assignee, const char *who)
{
    if (!who || !*who)
        return cw_error_set(CW_EINVAL, "assign: who is required");
    if (assignee && !*assignee)
        assignee = NULL;
    if (assignee && check_text(assignee, 64, false, "assignee"))
        return CW_EINVAL;
    int rc = cw_sql_exec(db->db, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    bool same = false;
    if ((rc = alert_exists(db, id)))
        goto out;
    if (sqlite3_prepare_v2(db->db, "SELECT assignee IS ?2 FROM alerts WHERE id = ?1", -1, &st,
                           NULL)) {
        rc = sql_fail(db, "assign");
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    if (assignee)
        sqlite3_bind_text(st, 2, assignee, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        same = sqlite3_column_int(st, 0) != 0;
    sqlite3_finalize(st);
    st = NULL;
    if (same) /* nothing changes: no history entry */
        goto out;
    if (sqlite3_prepare_v2(db->db, "UPDATE alerts SET assignee = ?2 WHERE id = ?1", -1, &st,
                           NULL)) {
        rc = sql_fail(db, "assign");
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    if (assignee)
        sqlite3_bind_text(st, 2, assignee, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sql_fail(db, "assign");
    sqlite3_finalize(st);
    if (rc)
        goto out;
    char text[128];
    if (assignee)
        snprintf(text, sizeof text, "assigned to %s", assignee);
    else
        snprintf(text, sizeof text, "unassigned");
    if ((rc = history_add(db, id, cw_time_now_us(), who, "assign", text, NULL)))
        goto out;
    return cw_sql_exec(db->db, "COMMIT");
out:
    cw_sql_exec(db->db, rc ? "ROLLBACK" : "COMMIT");
    return rc;
}

int cw_alert_note_add(cw_alert_db *db, int64_t id, const char *who, const char *text,
                      int64_t *out_entry)
{
    if (!who || !*who)
        return cw_error_set(CW_EINVAL, "note: who is required");
    if (check_text(text, 4000, true, "note"))
        return CW_EINVAL;
    int rc = cw_sql_exec(db->db, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    rc = alert_exists(db, id);
    if (!rc)
        rc = history_add(db, id, cw_time_now_us(), who, "note", text, out_entry);
    if (!rc)
        rc = cw_sql_exec(db->db, "COMMIT");
    if (rc)
        cw_sql_exec(db->db, "ROLLBACK");
    return rc;
}

int cw_alert_history(cw_alert_db *db, int64_t id, json_t **out)
{
    *out = NULL;
    int rc = alert_exists(db, id);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT id, time, author, kind, text FROM alert_history "
                           "WHERE alert_id = ? ORDER BY id",
                           -1, &st, NULL))
        return sql_fail(db, "history");
    sqlite3_bind_int64(st, 1, id);
    json_t *arr = json_array();
    char t[32];
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        cw_time_format(t, sqlite3_column_int64(st, 1), 6);
        json_array_append_new(arr, json_pack("{s:I, s:s, s:o, s:o, s:o}", "id",
                                             (json_int_t)sqlite3_column_int64(st, 0), "time", t,
                                             "author", json_text_or_null(st, 2), "kind",
                                             json_text_or_null(st, 3), "text",
                                             json_text_or_null(st, 4)));
    }
    if (s != SQLITE_DONE)
        rc = sql_fail(db, "history");
    sqlite3_finalize(st);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

int cw_alert_any_local_after(cw_alert_db *db, int64_t after_id)
{
    sqlite3_stmt *st = cw_sql_cached(
        &db->cache, db->db, "SELECT 1 FROM alerts WHERE id > ? AND source != 'partner' LIMIT 1");
    if (!st)
        return sql_fail(db, "any local");
    sqlite3_bind_int64(st, 1, after_id);
    int s = sqlite3_step(st);
    cw_sql_done(st);
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        return sql_fail(db, "any local");
    return s == SQLITE_ROW;
}

int cw_alert_foreach_local(cw_alert_db *db, int64_t after_id,
                           int (*fn)(const json_t *alert, void *payload), void *payload)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT " ALERT_COLUMNS " FROM alerts WHERE id > ? AND source != "
                           "'partner' ORDER BY id",
                           -1, &st, NULL))
        return sql_fail(db, "foreach");
    sqlite3_bind_int64(st, 1, after_id);
    int rc = 0, s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *a = row_to_json(st);
        if (!a) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            break;
        }
        rc = fn(a, payload);
        json_decref(a);
        if (rc)
            break;
    }
    if (!rc && s != SQLITE_DONE)
        rc = sql_fail(db, "foreach");
    sqlite3_finalize(st);
    return rc;
}
