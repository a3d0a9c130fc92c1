/*
 * sqlite_util.c: opening a node database (WAL, busy timeout, foreign keys) and versioned
 * migrations. Each module keeps its version in table cw_schema(module, version); a
 * migration step runs in one transaction with the version bump, so a crash leaves either
 * the old or the new schema.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/alert.h"
#include "chainwatch/errors.h"

int cw_alert__exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = cw_error_set(CW_EIO, "sqlite: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

int cw_alert__sqlite_open(sqlite3 **out, const char *path)
{
    sqlite3 *db = NULL;
    *out = NULL;
    if (sqlite3_open_v2(path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        int rc = cw_error_set(CW_EIO, "%s: cannot open database: %s", path,
                              db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, 5000);
    int rc = cw_alert__exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                                "PRAGMA synchronous=NORMAL;");
    if (rc) {
        cw_error_wrap(rc, "%s: ", path);
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

int cw_alert__migrate(sqlite3 *db, const char *module, const char *const *migrations, int n)
{
    sqlite3_stmt *st = NULL;
    int rc = cw_alert__exec(db, "CREATE TABLE IF NOT EXISTS cw_schema (module TEXT PRIMARY KEY, "
                                "version INTEGER NOT NULL)");
    if (rc)
        return rc;
    int version = 0;
    if (sqlite3_prepare_v2(db, "SELECT version FROM cw_schema WHERE module = ?", -1, &st, NULL))
        return cw_error_set(CW_EIO, "sqlite: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (version > n)
        return cw_error_set(CW_EVERSION,
                            "schema of module %s is version %d; this chainwatch knows up to %d",
                            module, version, n);
    for (int v = version; v < n; v++) {
        rc = cw_alert__exec(db, "BEGIN IMMEDIATE");
        if (rc)
            return rc;
        rc = cw_alert__exec(db, migrations[v]);
        if (!rc) {
            char sql[256];
            snprintf(sql, sizeof sql,
                     "INSERT INTO cw_schema(module, version) VALUES('%s', %d) "
                     "ON CONFLICT(module) DO UPDATE SET version = excluded.version",
                     module, v + 1);
            rc = cw_alert__exec(db, sql);
        }
        if (rc) {
            cw_error_wrap(rc, "migration %s %d: ", module, v + 1);
            cw_alert__exec(db, "ROLLBACK");
            return rc;
        }
        rc = cw_alert__exec(db, "COMMIT");
        if (rc)
            return rc;
    }
    return 0;
}
