/*
 * sql.c: the one SQLite layer (sql.h): open with the project's pragmas, exec, versioned
 * migrations in table cw_schema, and a small per-connection statement cache.
 *
 * The cache is a fixed array searched by pointer (hot statements are string literals, so a
 * pointer compare is enough and a miss falls back to strcmp before preparing). It exists
 * because preparing a statement costs more than running an indexed point query: on the
 * server's cheapest authenticated GET, parsing SQL was about a fifth of the CPU.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/sql.h"

int cw_sql_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = cw_error_set(CW_EIO, "sqlite: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

int cw_sql_open(sqlite3 **out, const char *path, unsigned flags)
{
    sqlite3 *db = NULL;
    *out = NULL;
    int of = (flags & CW_SQL_READONLY) ? SQLITE_OPEN_READONLY
             : (flags & CW_SQL_CREATE) ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                       : SQLITE_OPEN_READWRITE;
    of |= (flags & CW_SQL_PRIVATE) ? SQLITE_OPEN_NOMUTEX : SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path, &db, of, NULL) != SQLITE_OK) {
        int rc = cw_error_set(CW_EIO, "%s: cannot open database: %s", path,
                              db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, 5000);
    int rc = cw_sql_exec(db, (flags & CW_SQL_READONLY)
                                 ? "PRAGMA foreign_keys=ON;"
                                 : "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                                   "PRAGMA synchronous=NORMAL;");
    if (rc) {
        cw_error_wrap(rc, "%s: ", path);
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

void cw_sql_close(sqlite3 *db)
{
    if (!db)
        return;
    if (sqlite3_db_readonly(db, "main") == 0) {
        /* leaving WAL needs the only connection: try once, never wait (busy timeout 0) */
        sqlite3_busy_timeout(db, 0);
        sqlite3_exec(db, "PRAGMA journal_mode=DELETE;", NULL, NULL, NULL);
    }
    sqlite3_close(db);
}

static int read_int(sqlite3 *db, const char *sql, const char *bind, int *out, bool *found)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    *found = false;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return cw_error_set(CW_ECORRUPT, "not a database: %s", sqlite3_errmsg(db));
    if (bind)
        sqlite3_bind_text(st, 1, bind, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        *found = true;
    }
    int rc = s == SQLITE_ROW || s == SQLITE_DONE
                 ? 0
                 : cw_error_set(CW_ECORRUPT, "not a database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

static int schema_version(sqlite3 *db, const cw_sql_schema *sc, int *v)
{
    bool found;
    if (!sc->module)
        return read_int(db, "PRAGMA user_version", NULL, v, &found);
    int rc = read_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'cw_schema'", NULL, v,
                      &found);
    if (rc || *v == 0)
        return rc;
    return read_int(db, "SELECT version FROM cw_schema WHERE module = ?", sc->module, v, &found);
}

int cw_sql_migrate(sqlite3 *db, const cw_sql_schema *sc)
{
    const char *what = sc->what ? sc->what : "database";
    char mod[96];
    snprintf(mod, sizeof mod, sc->module ? "module %s" : "the file", sc->module);
    int v, rc = schema_version(db, sc, &v);
    if (rc)
        return cw_error_wrap(rc, "%s: ", what);
    if (v > sc->n)
        return cw_error_set(CW_EVERSION,
                            "%s: schema version %d of %s is newer than this chainwatch knows (%d)",
                            what, v, mod, sc->n);
    if (v < sc->n && sqlite3_db_readonly(db, "main") == 1) {
        if (v >= (sc->min_read ? sc->min_read : sc->n))
            return 0;
        return cw_error_set(CW_EVERSION,
                            "%s: schema version %d of %s, opened read-only; open it for writing "
                            "once (any command that writes it) to migrate it to version %d",
                            what, v, mod, sc->n);
    }
    if (v < sc->n && sc->module &&
        (rc = cw_sql_exec(db, "CREATE TABLE IF NOT EXISTS cw_schema (module TEXT PRIMARY KEY, "
                              "version INTEGER NOT NULL)")))
        return rc;
    for (; v < sc->n; v++) {
        char bump[256];
        if (sc->module)
            snprintf(bump, sizeof bump,
                     "INSERT INTO cw_schema(module, version) VALUES('%s', %d) "
                     "ON CONFLICT(module) DO UPDATE SET version = excluded.version",
                     sc->module, v + 1);
        else
            snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
        if ((rc = cw_sql_exec(db, "BEGIN IMMEDIATE")))
            return rc;
        if ((rc = cw_sql_exec(db, sc->steps[v])) ||
            (sc->after_step && (rc = sc->after_step(sc->ctx, v + 1))) ||
            (rc = cw_sql_exec(db, bump))) {
            cw_sql_exec(db, "ROLLBACK");
            return cw_error_wrap(rc, "%s: migration of %s to version %d: ", what, mod, v + 1);
        }
        if ((rc = cw_sql_exec(db, "COMMIT")))
            return rc;
    }
    return 0;
}

sqlite3_stmt *cw_sql_cached(cw_sql_cache *c, sqlite3 *db, const char *sql)
{
    int i;
    for (i = 0; i < c->n; i++)
        if (c->sql[i] == sql)
            break;
    if (i == c->n)
        for (i = 0; i < c->n; i++)
            if (!strcmp(c->sql[i], sql))
                break;
    if (i < c->n) {
        sqlite3_reset(c->st[i]);
        sqlite3_clear_bindings(c->st[i]);
        return c->st[i];
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        cw_error_set(CW_EIO, "sqlite: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return NULL;
    }
    if (c->n == CW_SQL_CACHE_SLOTS) { /* full: drop the oldest */
        sqlite3_finalize(c->st[0]);
        memmove(c->sql, c->sql + 1, sizeof *c->sql * (CW_SQL_CACHE_SLOTS - 1));
        memmove(c->st, c->st + 1, sizeof *c->st * (CW_SQL_CACHE_SLOTS - 1));
        c->n--;
    }
    c->sql[c->n] = sql;
    c->st[c->n] = st;
    c->n++;
    return st;
}

void cw_sql_done(sqlite3_stmt *st)
{
    if (st)
        sqlite3_reset(st);
}

void cw_sql_cache_free(cw_sql_cache *c)
{
    for (int i = 0; i < c->n; i++)
        sqlite3_finalize(c->st[i]);
    c->n = 0;
}
