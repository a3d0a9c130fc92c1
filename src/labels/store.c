/*
 * store.c: the SQLite label store: open (WAL, foreign keys, busy timeout), versioned schema
 * migrations (PRAGMA user_version), adding labels with provenance, and the read API used by
 * the CLI and the analytics (lookup by address key, iteration by filter, counts per asset).
 *
 * Tables (docs/LABELS.md): import_run, source, entity, label, provenance. A label is unique on
 * (subject_key, asset, subject_kind, entity, category, source): that index, led by the subject
 * key, serves lookups; label_by_entity (version 3) serves an entity's labels. A provenance record
 * is unique on (label, run, location). Only import.c writes, always inside one transaction.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "chainwatch/errors.h"
#include "chainwatch/sql.h"
#include "labels/labels_int.h"

struct cw_labels {
    sqlite3 *db;
    char *path;
    bool readonly;
    sqlite3_stmt *st_lookup, *st_lookup_asset; /* by subject key (and asset) */
    sqlite3_stmt *st_addr_key;                 /* cw_labels_foreach_address_key */
    sqlite3_stmt *st_source_ins, *st_source_get;
    sqlite3_stmt *st_entity_ins, *st_entity_get;
    sqlite3_stmt *st_label_ins, *st_label_get;
    sqlite3_stmt *st_prov_ins;
    /* Ids of the last source and entity added (rows of one file mostly repeat them); valid
     * only inside the current write transaction. */
    char *last_source, *last_entity_name, *last_entity_ref;
    int64_t last_source_id, last_entity_id;
};

static void forget_last(cw_labels *db)
{
    cw_free(db->last_source);
    cw_free(db->last_entity_name);
    cw_free(db->last_entity_ref);
    db->last_source = db->last_entity_name = db->last_entity_ref = NULL;
}

/* ---- schema ---- */

/* Migration i brings the schema from version i to i + 1. Never edit a published step; add one. */
static const char *const migrations[] = {
    /* 1: the initial schema */
    "CREATE TABLE import_run ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  file TEXT NOT NULL,"
    "  file_sha256 TEXT NOT NULL,"
    "  content_sha256 TEXT NOT NULL DEFAULT '',"
    "  source TEXT NOT NULL DEFAULT '',"
    "  imported_at TEXT NOT NULL,"
    "  n_rows INTEGER NOT NULL DEFAULT 0,"
    "  n_labels_new INTEGER NOT NULL DEFAULT 0,"
    "  n_warnings INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX import_run_by_content ON import_run(kind, content_sha256);"
    "CREATE TABLE source ("
    "  id INTEGER PRIMARY KEY,"
    "  text TEXT NOT NULL UNIQUE);"
    "CREATE TABLE entity ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  ref TEXT NOT NULL DEFAULT '',"
    "  type TEXT NOT NULL DEFAULT '',"
    "  UNIQUE (name, ref));"
    "CREATE INDEX entity_by_ref ON entity(ref);"
    "CREATE TABLE label ("
    "  id INTEGER PRIMARY KEY,"
    "  subject_kind TEXT NOT NULL CHECK (subject_kind IN ('address', 'cluster', 'entity')),"
    "  asset TEXT NOT NULL DEFAULT '',"
    "  subject TEXT NOT NULL,"
    "  subject_key TEXT NOT NULL,"
    "  entity_id INTEGER NOT NULL REFERENCES entity(id),"
    "  category TEXT NOT NULL,"
    "  source_id INTEGER NOT NULL REFERENCES source(id),"
    "  date TEXT NOT NULL DEFAULT '',"
    "  confidence REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),"
    "  programs TEXT NOT NULL DEFAULT '',"
    "  first_run_id INTEGER NOT NULL REFERENCES import_run(id),"
    "  UNIQUE (subject_key, asset, subject_kind, entity_id, category, source_id));"
    "CREATE INDEX label_by_category ON label(category, asset);"
    "CREATE TABLE provenance ("
    "  id INTEGER PRIMARY KEY,"
    "  label_id INTEGER NOT NULL REFERENCES label(id) ON DELETE CASCADE,"
    "  run_id INTEGER NOT NULL REFERENCES import_run(id),"
    "  location TEXT NOT NULL,"
    "  UNIQUE (label_id, run_id, location));"
    "CREATE INDEX provenance_by_run ON provenance(run_id);",
    /* 2: import options that change what a run imports (exclude=...) */
    "ALTER TABLE import_run ADD COLUMN options TEXT NOT NULL DEFAULT '';",
    /* 3: labels by entity (`labels show ENTITY`: the entity term of cw_labels_find_subject) */
    "CREATE INDEX IF NOT EXISTS label_by_entity ON label(entity_id);",
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))
/* The oldest schema the read functions work on (they do not use import_run.options; without
 * label_by_entity an entity's labels are found by a scan, the same rows): a read-only open
 * accepts it as it is. Raise it when a migration changes what reads use. */
#define MIN_READ_VERSION 1

static const char *const categories[] = {
    "exchange",
    "exchange_deposit",
    "mixer",
    "sanctioned",
    "theft",
    "bridge",
    "service",
    "darknet_market",
    "gambling",
    "ransomware",
    "scam",
    "mining_pool",
    "payment_processor",
    "defi",
    "wallet",
    "p2p_exchange",
    "merchant",
    "individual",
    "other",
    NULL,
};

const char *const *cw_label_categories(void)
{
    return categories;
}

const char *const *cw_label_risk_categories(void)
{
    static const char *const risk[] = {"sanctioned",     "theft", "ransomware",
                                       "darknet_market", "scam",  NULL};
    return risk;
}

bool cw_label_category_valid(const char *s)
{
    for (size_t i = 0; s && categories[i]; i++)
        if (!strcmp(s, categories[i]))
            return true;
    return false;
}

static const char *const subject_kinds[] = {"address", "cluster", "entity"};

const char *cw_label_subject_kind_name(cw_label_subject_kind k)
{
    return (unsigned)k < 3 ? subject_kinds[k] : "?";
}

int cw_label_subject_kind_parse(cw_label_subject_kind *out, const char *s)
{
    for (int i = 0; i < 3; i++) {
        if (s && !strcmp(s, subject_kinds[i])) {
            *out = (cw_label_subject_kind)i;
            return 0;
        }
    }
    return cw_error_set(CW_EINVAL, "unknown subject kind '%s' (address, cluster or entity)",
                        s ? s : "");
}

/* ---- helpers ---- */

static const char *col(sqlite3_stmt *st, int i);

static int sql_fail(cw_labels *db, const char *what)
{
    return cw_error_set(CW_EIO, "label store %s: %s: %s", db->path, what, sqlite3_errmsg(db->db));
}

static int exec_sql(cw_labels *db, const char *sql)
{
    int rc = cw_sql_exec(db->db, sql);
    return rc ? cw_error_wrap(rc, "label store %s: ", db->path) : 0;
}

static int prepare(cw_labels *db, sqlite3_stmt **st, const char *sql)
{
    if (*st)
        return 0;
    if (sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return sql_fail(db, "prepare");
    return 0;
}

static int user_version(cw_labels *db, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        rc = sql_fail(db, "read schema version");
        goto out;
    }
    *out = sqlite3_column_int(st, 0);
out:
    sqlite3_finalize(st);
    return rc;
}

static int migrate(cw_labels *db)
{
    char what[600];
    snprintf(what, sizeof what, "label store %s", db->path);
    cw_sql_schema sc = {
        .steps = migrations, .n = N_MIGRATIONS, .min_read = MIN_READ_VERSION, .what = what};
    return cw_sql_migrate(db->db, &sc);
}

/* ---- open / close ---- */

int cw_labels_open(cw_labels **out, const char *path, int flags)
{
    *out = NULL;
    int rc = 0;
    cw_labels *db = cw_calloc(1, sizeof *db);
    if (!db)
        return cw_error_set(CW_ENOMEM, "out of memory");
    db->readonly = (flags & CW_LABELS_READONLY) != 0;
    db->path = cw_strdup(path);
    if (!db->path) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    if (db->readonly && access(path, F_OK) != 0) {
        rc = cw_error_set(CW_ENOTFOUND,
                          "label store %s does not exist (run 'chainwatch labels "
                          "import' first)",
                          path);
        goto out;
    }
    if ((rc = cw_sql_open(&db->db, path,
                          (db->readonly ? CW_SQL_READONLY : CW_SQL_CREATE) | CW_SQL_PRIVATE)))
        goto out;
    /* Lookups are random point reads: map the file and keep a larger page cache. */
    if ((rc = exec_sql(db, "PRAGMA mmap_size = 1073741824; "
                           "PRAGMA cache_size = -65536;")))
        goto out;
    /* A file that is not a database fails here with "file is not a database". */
    if ((rc = migrate(db)))
        goto out;
    *out = db;
    db = NULL;
out:
    cw_labels_close(db);
    return rc;
}

void cw_labels_close(cw_labels *db)
{
    if (!db)
        return;
    sqlite3_finalize(db->st_lookup);
    sqlite3_finalize(db->st_lookup_asset);
    sqlite3_finalize(db->st_addr_key);
    sqlite3_finalize(db->st_source_ins);
    sqlite3_finalize(db->st_source_get);
    sqlite3_finalize(db->st_entity_ins);
    sqlite3_finalize(db->st_entity_get);
    sqlite3_finalize(db->st_label_ins);
    sqlite3_finalize(db->st_label_get);
    sqlite3_finalize(db->st_prov_ins);
    cw_sql_close(db->db);
    forget_last(db);
    cw_free(db->path);
    cw_free(db);
}

int cw_labels_schema_version(cw_labels *db)
{
    int v = 0;
    return user_version(db, &v) ? -1 : v;
}

int cw_labels_read_begin(cw_labels *db)
{
    return exec_sql(db, "BEGIN DEFERRED;");
}

bool cw_labels_in_transaction(cw_labels *db)
{
    return !sqlite3_get_autocommit(db->db);
}

void cw_labels_read_end(cw_labels *db)
{
    if (!sqlite3_get_autocommit(db->db))
        sqlite3_exec(db->db, "COMMIT;", NULL, NULL, NULL);
}

/* ---- transactions and runs (import.c) ---- */

int cw_labels__begin(cw_labels *db)
{
    if (db->readonly)
        return cw_error_set(CW_EPERM, "label store %s is open read-only", db->path);
    forget_last(db);
    return exec_sql(db, "BEGIN IMMEDIATE;");
}

int cw_labels__commit(cw_labels *db)
{
    return exec_sql(db, "COMMIT;");
}

void cw_labels__rollback(cw_labels *db)
{
    forget_last(db);
    if (!sqlite3_get_autocommit(db->db))
        sqlite3_exec(db->db, "ROLLBACK;", NULL, NULL, NULL);
}

int cw_labels__run_create(cw_labels *db, int64_t *out_id, const char *kind, const char *file,
                          const char *file_sha256, const char *options)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    int rc = 0;
    cw_time_format(now, cw_time_now_us(), 0);
    if (sqlite3_prepare_v2(db->db,
                           "INSERT INTO import_run (kind, file, file_sha256, imported_at, "
                           "options) VALUES (?1, ?2, ?3, ?4, ?5)",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = sql_fail(db, "prepare run");
        goto out;
    }
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, file, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, file_sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, options, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = sql_fail(db, "insert run");
        goto out;
    }
    *out_id = sqlite3_last_insert_rowid(db->db);
out:
    sqlite3_finalize(st);
    return rc;
}

int cw_labels__run_finish(cw_labels *db, int64_t run_id, const char *content_sha256,
                          const char *source, uint64_t rows, uint64_t labels_new, uint64_t warnings)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db->db,
                           "UPDATE import_run SET content_sha256 = ?2, source = ?3, n_rows = ?4, "
                           "n_labels_new = ?5, n_warnings = ?6 WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = sql_fail(db, "prepare run update");
        goto out;
    }
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, content_sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)rows);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)labels_new);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)warnings);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sql_fail(db, "update run");
out:
    sqlite3_finalize(st);
    return rc;
}

int64_t cw_labels__run_find(cw_labels *db, int64_t before_run, const char *kind,
                            const char *content_sha256, const char *options)
{
    sqlite3_stmt *st = NULL;
    int64_t id = 0;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT id FROM import_run WHERE kind = ?1 AND content_sha256 = ?2 "
                           "AND id < ?3 AND options = ?4 ORDER BY id LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, content_sha256, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, before_run);
        sqlite3_bind_text(st, 4, options, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return id;
}

int64_t cw_labels__run_find_file(cw_labels *db, const char *kind, const char *file_sha256,
                                 const char *options, cw_label_import_stats *stats)
{
    sqlite3_stmt *st = NULL;
    int64_t id = 0;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT id, source, content_sha256, n_rows FROM import_run WHERE "
                           "kind = ?1 AND file_sha256 = ?2 AND content_sha256 != '' AND "
                           "options = ?3 ORDER BY id LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, file_sha256, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, options, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            id = sqlite3_column_int64(st, 0);
            snprintf(stats->source, sizeof stats->source, "%s", col(st, 1));
            snprintf(stats->content_sha256, sizeof stats->content_sha256, "%s", col(st, 2));
            stats->rows = (uint64_t)sqlite3_column_int64(st, 3);
        }
    }
    sqlite3_finalize(st);
    return id;
}

/* ---- adding labels ---- */

static const char *nz(const char *s)
{
    return s ? s : "";
}

static int step_done(cw_labels *db, sqlite3_stmt *st, const char *what)
{
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return sql_fail(db, what);
    return 0;
}

static int select_id(cw_labels *db, sqlite3_stmt *st, int64_t *out, const char *what)
{
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (r != SQLITE_ROW)
        return r == SQLITE_DONE
                   ? cw_error_set(CW_ECORRUPT, "label store %s: %s vanished", db->path, what)
                   : sql_fail(db, what);
    return 0;
}

int cw_labels__add(cw_labels *db, int64_t run_id, const cw_label_row *row, bool *label_new,
                   bool *prov_new)
{
    const char *loc = nz(row->location);
    char key[512];
    int rc;
    *label_new = *prov_new = false;

    /* Validation: the parsers validate too, but this is the last gate before the store. */
    if (!row->subject || !row->subject[0])
        return cw_error_set(CW_EINVAL, "%s: empty subject", loc);
    if (!row->entity || !row->entity[0])
        return cw_error_set(CW_EINVAL, "%s: empty entity name", loc);
    if (!cw_label_category_valid(row->category))
        return cw_error_set(CW_EINVAL, "%s: unknown category '%s'", loc, nz(row->category));
    if (!(row->confidence >= 0.0 && row->confidence <= 1.0))
        return cw_error_set(CW_EINVAL, "%s: confidence %g is outside 0..1", loc, row->confidence);
    if (row->date && row->date[0] && !cw_labels__date_valid(row->date))
        return cw_error_set(CW_EINVAL, "%s: date '%s' is not YYYY-MM-DD", loc, row->date);
    if ((unsigned)row->subject_kind > CW_SUBJECT_ENTITY)
        return cw_error_set(CW_EINVAL, "%s: bad subject kind", loc);
    if (row->subject_kind == CW_SUBJECT_ADDRESS) {
        if (cw_label_address_key(key, sizeof key, row->subject))
            return cw_error_wrap(CW_EINVAL, "%s: ", loc);
    } else {
        if (strlen(row->subject) >= sizeof key)
            return cw_error_set(CW_EINVAL, "%s: subject is too long", loc);
        snprintf(key, sizeof key, "%s", row->subject);
    }

    if ((rc = prepare(db, &db->st_entity_ins,
                      "INSERT INTO entity (name, ref, type) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT (name, ref) DO NOTHING")) ||
        (rc = prepare(db, &db->st_entity_get,
                      "SELECT id FROM entity WHERE name = ?1 AND ref = ?2")) ||
        (rc = prepare(db, &db->st_source_ins,
                      "INSERT INTO source (text) VALUES (?1) ON CONFLICT (text) DO NOTHING")) ||
        (rc = prepare(db, &db->st_source_get, "SELECT id FROM source WHERE text = ?1")) ||
        (rc = prepare(db, &db->st_label_ins,
                      "INSERT INTO label (subject_kind, asset, subject, subject_key, entity_id, "
                      "category, source_id, date, confidence, programs, first_run_id) VALUES "
                      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING")) ||
        (rc = prepare(db, &db->st_label_get,
                      "SELECT id FROM label WHERE subject_key = ?3 AND asset = ?2 AND "
                      "subject_kind = ?1 AND entity_id = ?4 AND category = ?5 AND "
                      "source_id = ?6")) ||
        (rc = prepare(db, &db->st_prov_ins,
                      "INSERT INTO provenance (label_id, run_id, location) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT DO NOTHING")))
        return rc;

    int64_t entity_id, label_id, source_id;
    const char *src = nz(row->source), *ename = row->entity, *eref = nz(row->entity_ref);
    if (db->last_source && !strcmp(db->last_source, src)) {
        source_id = db->last_source_id;
    } else {
        sqlite3_bind_text(db->st_source_ins, 1, src, -1, SQLITE_STATIC);
        if ((rc = step_done(db, db->st_source_ins, "insert source")))
            return rc;
        sqlite3_bind_text(db->st_source_get, 1, src, -1, SQLITE_STATIC);
        if ((rc = select_id(db, db->st_source_get, &source_id, "source")))
            return rc;
        cw_free(db->last_source);
        db->last_source = cw_strdup(src);
        db->last_source_id = source_id;
    }
    if (db->last_entity_name && !strcmp(db->last_entity_name, ename) &&
        !strcmp(db->last_entity_ref, eref)) {
        entity_id = db->last_entity_id;
    } else {
        sqlite3_bind_text(db->st_entity_ins, 1, ename, -1, SQLITE_STATIC);
        sqlite3_bind_text(db->st_entity_ins, 2, eref, -1, SQLITE_STATIC);
        sqlite3_bind_text(db->st_entity_ins, 3, nz(row->entity_type), -1, SQLITE_STATIC);
        if ((rc = step_done(db, db->st_entity_ins, "insert entity")))
            return rc;
        sqlite3_bind_text(db->st_entity_get, 1, ename, -1, SQLITE_STATIC);
        sqlite3_bind_text(db->st_entity_get, 2, eref, -1, SQLITE_STATIC);
        if ((rc = select_id(db, db->st_entity_get, &entity_id, "entity")))
            return rc;
        cw_free(db->last_entity_name);
        cw_free(db->last_entity_ref);
        db->last_entity_name = cw_strdup(ename);
        db->last_entity_ref = cw_strdup(eref);
        db->last_entity_id = entity_id;
        if (!db->last_entity_name || !db->last_entity_ref)
            forget_last(db);
    }

    const char *kind = cw_label_subject_kind_name(row->subject_kind);
    const char *asset = nz(row->asset);
    sqlite3_stmt *li = db->st_label_ins;
    sqlite3_bind_text(li, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(li, 2, asset, -1, SQLITE_STATIC);
    sqlite3_bind_text(li, 3, row->subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(li, 4, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(li, 5, entity_id);
    sqlite3_bind_text(li, 6, row->category, -1, SQLITE_STATIC);
    sqlite3_bind_int64(li, 7, source_id);
    sqlite3_bind_text(li, 8, nz(row->date), -1, SQLITE_STATIC);
    sqlite3_bind_double(li, 9, row->confidence);
    sqlite3_bind_text(li, 10, nz(row->programs), -1, SQLITE_STATIC);
    sqlite3_bind_int64(li, 11, run_id);
    if ((rc = step_done(db, li, "insert label")))
        return rc;
    if (sqlite3_changes(db->db) == 1) {
        label_id = sqlite3_last_insert_rowid(db->db);
        *label_new = true;
    } else {
        sqlite3_stmt *lg = db->st_label_get;
        sqlite3_bind_text(lg, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(lg, 2, asset, -1, SQLITE_STATIC);
        sqlite3_bind_text(lg, 3, key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(lg, 4, entity_id);
        sqlite3_bind_text(lg, 5, row->category, -1, SQLITE_STATIC);
        sqlite3_bind_int64(lg, 6, source_id);
        if ((rc = select_id(db, lg, &label_id, "label")))
            return rc;
    }

    sqlite3_bind_int64(db->st_prov_ins, 1, label_id);
    sqlite3_bind_int64(db->st_prov_ins, 2, run_id);
    sqlite3_bind_text(db->st_prov_ins, 3, loc, -1, SQLITE_STATIC);
    if ((rc = step_done(db, db->st_prov_ins, "insert provenance")))
        return rc;
    *prov_new = sqlite3_changes(db->db) == 1;
    return 0;
}

/* ---- reading ---- */

#define LABEL_COLUMNS                                                                              \
    "SELECT l.id, l.subject_kind, l.asset, l.subject, e.name, e.ref, e.type, l.category, "         \
    "s.text, l.date, l.confidence, l.programs, l.first_run_id FROM label l "                       \
    "JOIN entity e ON e.id = l.entity_id JOIN source s ON s.id = l.source_id "

static const char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

static void row_to_label(sqlite3_stmt *st, cw_label *l)
{
    l->id = sqlite3_column_int64(st, 0);
    cw_label_subject_kind k = CW_SUBJECT_ADDRESS;
    (void)cw_label_subject_kind_parse(&k, col(st, 1));
    l->subject_kind = k;
    l->asset = col(st, 2);
    l->subject = col(st, 3);
    l->entity = col(st, 4);
    l->entity_ref = col(st, 5);
    l->entity_type = col(st, 6);
    l->category = col(st, 7);
    l->source = col(st, 8);
    l->date = col(st, 9);
    l->confidence = sqlite3_column_double(st, 10);
    l->programs = col(st, 11);
    l->first_run_id = sqlite3_column_int64(st, 12);
}

/* Steps st to the end calling cb; returns the number of rows (count_mode) or 0, the
 * callback's value, or an error. The statement is reset, not finalised. */
static int run_label_query(cw_labels *db, sqlite3_stmt *st, bool count_mode, cw_label_cb cb,
                           void *payload)
{
    int n = 0, r, rc = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        cw_label l;
        row_to_label(st, &l);
        n++;
        if (cb && (rc = cb(&l, payload)) != 0)
            goto out;
    }
    if (r != SQLITE_DONE)
        rc = sql_fail(db, "query labels");
    else
        rc = count_mode ? n : 0;
out:
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int cw_labels_lookup(cw_labels *db, const char *asset, const char *addr, cw_label_cb cb,
                     void *payload)
{
    char key[512];
    int rc;
    if (cw_label_address_key(key, sizeof key, addr))
        return cw_error_code();
    /* Two statements so that both use the (subject_key, asset, ...) index fully. */
    bool by_asset = asset && asset[0];
    sqlite3_stmt **st = by_asset ? &db->st_lookup_asset : &db->st_lookup;
    if ((rc = prepare(db, st,
                      by_asset ? LABEL_COLUMNS "WHERE l.subject_key = ?1 AND l.asset = ?2 AND "
                                               "l.subject_kind = 'address' ORDER BY l.id"
                               : LABEL_COLUMNS "WHERE l.subject_key = ?1 AND "
                                               "l.subject_kind = 'address' ORDER BY l.id")))
        return rc;
    sqlite3_bind_text(*st, 1, key, -1, SQLITE_TRANSIENT);
    if (by_asset)
        sqlite3_bind_text(*st, 2, asset, -1, SQLITE_TRANSIENT);
    return run_label_query(db, *st, true, cb, payload);
}

int cw_labels_find_subject(cw_labels *db, const char *subject, cw_label_cb cb, void *payload)
{
    char key[512];
    sqlite3_stmt *st = NULL;
    int rc;
    if (!subject || !subject[0])
        return cw_error_set(CW_EINVAL, "empty subject");
    if (cw_label_address_key(key, sizeof key, subject))
        snprintf(key, sizeof key, "%.*s", (int)(sizeof key - 1), subject);
    /* The entity term: ask it only when an entity has this name or reference (two index
     * probes). Without one the term is false for every label and the subject key index answers
     * alone; with one, label_by_entity (version 3) finds its labels, and a store opened
     * read-only at version 2 or older (no migration) scans every label for them. */
    bool entity = false;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT EXISTS (SELECT 1 FROM entity WHERE name = ?1 OR ref = ?1)", -1,
                           &st, NULL) != SQLITE_OK)
        return sql_fail(db, "prepare find entity");
    sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = sql_fail(db, "find entity");
        sqlite3_finalize(st);
        return rc;
    }
    entity = sqlite3_column_int(st, 0) != 0;
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db->db,
                           entity ? LABEL_COLUMNS
                               "WHERE l.subject_key = ?1 OR l.subject_key = ?2 OR "
                               "l.entity_id IN (SELECT id FROM entity WHERE "
                               "name = ?2 OR ref = ?2) ORDER BY l.id"
                                  : LABEL_COLUMNS "WHERE l.subject_key = ?1 OR l.subject_key = ?2 "
                                                  "ORDER BY l.id",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, "prepare find");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
    rc = run_label_query(db, st, true, cb, payload);
    sqlite3_finalize(st);
    return rc;
}

static void bind_filter(sqlite3_stmt *st, const cw_label_filter *f)
{
    if (!f)
        return;
    if (f->category)
        sqlite3_bind_text(st, 1, f->category, -1, SQLITE_STATIC);
    if (f->source)
        sqlite3_bind_text(st, 2, f->source, -1, SQLITE_STATIC);
    if (f->asset)
        sqlite3_bind_text(st, 3, f->asset, -1, SQLITE_STATIC);
    if (f->program)
        sqlite3_bind_text(st, 4, f->program, -1, SQLITE_STATIC);
}

/* The filter's terms, in bind_filter's parameter numbers. */
static const char *const filter_terms[] = {
    "l.category = ?1",
    "instr(lower(s.text), lower(?2)) > 0",
    "l.asset = ?3",
    "instr(';' || l.programs || ';', ';' || ?4 || ';') > 0",
};

/* Every distinct category, one label_by_category probe each (a skip-scan by hand: without
 * ANALYZE statistics SQLite does not skip-scan). "l.category IN (SELECT c FROM cats)" is true
 * for every label (category is NOT NULL) and lets an asset alone search (category, asset). */
#define CATEGORIES_CTE                                                                             \
    "WITH RECURSIVE cats(c) AS (SELECT min(category) FROM label UNION ALL SELECT (SELECT "         \
    "min(category) FROM label WHERE category > cats.c) FROM cats WHERE cats.c IS NOT NULL) "

typedef struct sql_buf {
    char s[1024];
    size_t len;
    bool overflow;
} sql_buf;

static void sql_add(sql_buf *b, const char *text)
{
    size_t n = strlen(text);
    if (b->overflow || b->len + n >= sizeof b->s) {
        b->overflow = true;
        return;
    }
    memcpy(b->s + b->len, text, n + 1);
    b->len += n;
}

/* head + WHERE + tail, the WHERE made of the filters actually given (and `also`, a term or
 * NULL). A "(?1 IS NULL OR l.category = ?1)" term for each possible filter would keep SQLite
 * from searching label_by_category (category, asset): it plans before the values are bound,
 * so it scanned all labels for --category sanctioned. Only fixed SQL text is put together;
 * the values are bound (bind_filter). */
static int filter_prepare(cw_labels *db, const char *head, const cw_label_filter *f,
                          const char *also, const char *tail, sqlite3_stmt **st)
{
    const char *given[] = {f ? f->category : NULL, f ? f->source : NULL, f ? f->asset : NULL,
                           f ? f->program : NULL};
    sql_buf b = {.len = 0};
    bool skip_scan = given[2] && !given[0];
    if (skip_scan)
        sql_add(&b, CATEGORIES_CTE);
    sql_add(&b, head);
    const char *sep = "WHERE ";
    for (size_t i = 0; i < sizeof given / sizeof given[0]; i++) {
        if (!given[i])
            continue;
        sql_add(&b, sep);
        sql_add(&b, filter_terms[i]);
        sep = " AND ";
    }
    if (skip_scan) {
        sql_add(&b, sep);
        sql_add(&b, "l.category IN (SELECT c FROM cats)");
        sep = " AND ";
    }
    if (also) {
        sql_add(&b, sep);
        sql_add(&b, also);
    }
    sql_add(&b, " ");
    sql_add(&b, tail);
    if (b.overflow)
        return cw_error_set(CW_EINVAL, "label filter query longer than %zu bytes", sizeof b.s);
    if (sqlite3_prepare_v2(db->db, b.s, -1, st, NULL) != SQLITE_OK)
        return sql_fail(db, "prepare filter");
    bind_filter(*st, f);
    return 0;
}

/* The rest of the two filtered reads. */
#define LIST_TAIL "ORDER BY l.category, l.asset, l.subject_key, l.id"
#define COUNT_HEAD                                                                                 \
    "SELECT l.asset, count(DISTINCT l.subject_key) FROM label l "                                  \
    "JOIN source s ON s.id = l.source_id "
#define COUNT_ALSO "l.subject_kind = 'address'"
#define COUNT_TAIL "GROUP BY l.asset ORDER BY l.asset"

int cw_labels_foreach(cw_labels *db, const cw_label_filter *filter, cw_label_cb cb, void *payload)
{
    sqlite3_stmt *st = NULL;
    int rc = filter_prepare(db, LABEL_COLUMNS, filter, NULL, LIST_TAIL, &st);
    if (rc)
        return rc;
    rc = run_label_query(db, st, false, cb, payload);
    sqlite3_finalize(st);
    return rc;
}

int cw_labels_foreach_key_range(cw_labels *db, const char *key_lo, const char *key_hi,
                                cw_label_cb cb, void *payload)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->db,
                           LABEL_COLUMNS "WHERE l.subject_key >= ?1 AND l.subject_key < ?2 "
                                         "ORDER BY l.category, l.asset, l.subject_key, l.id",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, "prepare key range");
    sqlite3_bind_text(st, 1, key_lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key_hi, -1, SQLITE_STATIC);
    int rc = run_label_query(db, st, false, cb, payload);
    sqlite3_finalize(st);
    return rc;
}

/* id -> name of every entity (ids ascending), and the source ids: what the list query's
 * joins give, read once for cw_labels_foreach_address. */
typedef struct id_names {
    int64_t *ids;
    size_t *off; /* name of ids[i] at buf + off[i] */
    char *buf;
    size_t n, cap, len, buf_cap;
} id_names;

static void id_names_free(id_names *t)
{
    cw_free(t->ids);
    cw_free(t->off);
    cw_free(t->buf);
}

static int id_names_add(id_names *t, int64_t id, const char *name)
{
    size_t nl = strlen(name) + 1;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 1024;
        int64_t *ids = cw_realloc(t->ids, cap * sizeof *ids);
        if (!ids)
            return CW_ENOMEM;
        t->ids = ids;
        size_t *off = cw_realloc(t->off, cap * sizeof *off);
        if (!off)
            return CW_ENOMEM;
        t->off = off;
        t->cap = cap;
    }
    if (t->len + nl > t->buf_cap) {
        size_t cap = t->buf_cap ? 2 * t->buf_cap : 16384;
        while (cap < t->len + nl)
            cap *= 2;
        char *b = cw_realloc(t->buf, cap);
        if (!b)
            return CW_ENOMEM;
        t->buf = b;
        t->buf_cap = cap;
    }
    memcpy(t->buf + t->len, name, nl);
    t->ids[t->n] = id;
    t->off[t->n++] = t->len;
    t->len += nl;
    return 0;
}

/* Index of id in t (ids ascending), or -1. */
static ptrdiff_t id_names_find(const id_names *t, int64_t id)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n && t->ids[lo] == id ? (ptrdiff_t)lo : -1;
}

static int id_names_load(cw_labels *db, id_names *t, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int r, rc = 0;
    if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, "prepare ids");
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = id_names_add(t, sqlite3_column_int64(st, 0), col(st, 1))) != 0)
            goto out;
    if (r != SQLITE_DONE)
        rc = sql_fail(db, "read ids");
out:
    sqlite3_finalize(st);
    return rc;
}

/* asset is one of the na assets (a NULL list: any) */
static bool asset_listed(const char *const *assets, size_t na, const char *asset)
{
    size_t i = 0;
    while (i < na && strcmp(assets[i], asset) != 0)
        i++;
    return !assets || i < na;
}

/* An address label of the two address reads' rows (id, asset, subject, subject_key, category
 * in columns 0-4); asset and entity as the caller read them. */
static cw_label_addr address_row(sqlite3_stmt *st, const char *asset, const char *entity)
{
    return (cw_label_addr){
        .id = sqlite3_column_int64(st, 0),
        .asset = asset,
        .subject = col(st, 2),
        .subject_key = col(st, 3),
        .category = col(st, 4),
        .entity = entity,
    };
}

int cw_labels_foreach_address(cw_labels *db, const char *const *assets, cw_label_addr_cb cb,
                              void *payload)
{
    size_t na = 0;
    while (assets && assets[na])
        na++;
    id_names ent = {0}, src = {0};
    sqlite3_stmt *st = NULL;
    int r, rc;
    if ((rc = id_names_load(db, &ent, "SELECT id, name FROM entity ORDER BY id")) != 0 ||
        (rc = id_names_load(db, &src, "SELECT id, '' FROM source ORDER BY id")) != 0)
        goto out;
    /* the asset filter is cheaper here than as an IN list (a probe per row) */
    if (sqlite3_prepare_v2(db->db,
                           "SELECT id, asset, subject, subject_key, category, entity_id, "
                           "source_id FROM label WHERE subject_kind = 'address'",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = sql_fail(db, "prepare address labels");
        goto out;
    }
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *asset = col(st, 1);
        if (!asset_listed(assets, na, asset))
            continue;
        /* the joins of cw_labels_foreach: a label without its entity or source is not listed */
        ptrdiff_t e = id_names_find(&ent, sqlite3_column_int64(st, 5));
        if (e < 0 || id_names_find(&src, sqlite3_column_int64(st, 6)) < 0)
            continue;
        cw_label_addr l = address_row(st, asset, ent.buf + ent.off[e]);
        if ((rc = cb(&l, payload)) != 0)
            goto out;
    }
    if (r != SQLITE_DONE)
        rc = sql_fail(db, "query address labels");
out:
    sqlite3_finalize(st);
    id_names_free(&ent);
    id_names_free(&src);
    return rc;
}

int cw_labels_foreach_address_key(cw_labels *db, const char *key_lo, const char *key_hi,
                                  const char *const *assets, cw_label_addr_cb cb, void *payload)
{
    size_t na = 0;
    while (assets && assets[na])
        na++;
    int r, rc;
    /* the (subject_key, asset, subject_kind, ...) index: one probe, then the few rows in its
     * order (no ORDER BY: a sorter costs more than the probe when no row matches) */
    if ((rc = prepare(db, &db->st_addr_key,
                      "SELECT l.id, l.asset, l.subject, l.subject_key, l.category, e.name "
                      "FROM label l JOIN entity e ON e.id = l.entity_id "
                      "JOIN source s ON s.id = l.source_id WHERE l.subject_key >= ?1 AND "
                      "l.subject_key < ?2 AND l.subject_kind = 'address'")))
        return rc;
    sqlite3_stmt *st = db->st_addr_key;
    sqlite3_bind_text(st, 1, key_lo, -1, SQLITE_STATIC);
    if (key_hi) {
        sqlite3_bind_text(st, 2, key_hi, -1, SQLITE_STATIC);
    } else {
        /* key_lo alone: the keys below key_lo followed by a zero byte, i.e. key_lo itself
         * (a key holds no zero byte; SQLite compares text byte-wise, shorter first) */
        size_t n = strlen(key_lo);
        char hi[512];
        if (n + 2 > sizeof hi) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return cw_error_set(CW_EINVAL, "label key '%.60s...' is too long", key_lo);
        }
        memcpy(hi, key_lo, n);
        hi[n] = 1; /* the smallest byte a key can continue with is above ' ' */
        hi[n + 1] = 0;
        sqlite3_bind_text(st, 2, hi, (int)n + 1, SQLITE_TRANSIENT);
    }
    rc = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *asset = col(st, 1);
        if (!asset_listed(assets, na, asset))
            continue;
        cw_label_addr l = address_row(st, asset, col(st, 5));
        if ((rc = cb(&l, payload)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = sql_fail(db, "query address labels by key");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int cw_labels_provenance_foreach(cw_labels *db, int64_t label_id, cw_label_provenance_cb cb,
                                 void *payload)
{
    sqlite3_stmt *st = NULL;
    int r, rc = 0;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT r.id, r.kind, r.file, r.file_sha256, r.content_sha256, "
                           "r.imported_at, p.location FROM provenance p JOIN import_run r ON "
                           "r.id = p.run_id WHERE p.label_id = ?1 ORDER BY p.run_id, p.id",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, "prepare provenance");
    sqlite3_bind_int64(st, 1, label_id);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        cw_label_provenance p = {
            .run_id = sqlite3_column_int64(st, 0),
            .kind = col(st, 1),
            .file = col(st, 2),
            .file_sha256 = col(st, 3),
            .content_sha256 = col(st, 4),
            .imported_at = col(st, 5),
            .location = col(st, 6),
        };
        if ((rc = cb(&p, payload)) != 0)
            goto out;
    }
    if (r != SQLITE_DONE)
        rc = sql_fail(db, "query provenance");
out:
    sqlite3_finalize(st);
    return rc;
}

int cw_labels_count_by_asset(cw_labels *db, const cw_label_filter *filter,
                             int (*cb)(const char *asset, int64_t n, void *payload), void *payload)
{
    sqlite3_stmt *st = NULL;
    int r, rc = filter_prepare(db, COUNT_HEAD, filter, COUNT_ALSO, COUNT_TAIL, &st);
    if (rc)
        return rc;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = cb(col(st, 0), sqlite3_column_int64(st, 1), payload)) != 0)
            goto out;
    }
    if (r != SQLITE_DONE)
        rc = sql_fail(db, "count labels");
out:
    sqlite3_finalize(st);
    return rc;
}

int cw_labels_totals_get(cw_labels *db, cw_labels_totals *out)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT (SELECT count(*) FROM label), (SELECT count(*) FROM entity), "
                           "(SELECT count(*) FROM provenance), (SELECT count(*) FROM import_run)",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        rc = sql_fail(db, "totals");
        goto out;
    }
    out->labels = sqlite3_column_int64(st, 0);
    out->entities = sqlite3_column_int64(st, 1);
    out->provenance = sqlite3_column_int64(st, 2);
    out->runs = sqlite3_column_int64(st, 3);
out:
    sqlite3_finalize(st);
    return rc;
}

int cw_labels_search(cw_labels *db, const char *text, int64_t limit, cw_label_cb cb, void *payload)
{
    if (!text || !text[0])
        return cw_error_set(CW_EINVAL, "search: empty text");
    if (strlen(text) > 200)
        return cw_error_set(CW_EINVAL, "search: text longer than 200 bytes");
    if (limit <= 0 || limit > 10000)
        limit = 10000;
    char key[512];
    if (cw_label_address_key(key, sizeof key, text))
        snprintf(key, sizeof key, "%.*s", (int)(sizeof key - 1), text);
    /* instr(lower(..)) rather than LIKE: no wildcard characters to escape in the user's text */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->db,
                           LABEL_COLUMNS
                           "WHERE l.subject_key = ?1 OR instr(lower(e.name), lower(?2)) > 0 OR "
                           "lower(e.ref) = lower(?2) OR lower(l.category) = lower(?2) "
                           "ORDER BY (l.subject_key = ?1) DESC, (lower(e.name) = lower(?2)) DESC, "
                           "e.name, l.category, l.asset, l.subject_key, l.id LIMIT ?3",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, "prepare search");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, limit);
    int rc = run_label_query(db, st, true, cb, payload);
    sqlite3_finalize(st);
    return rc;
}
