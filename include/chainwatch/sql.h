/*
 * sql.h: the one SQLite layer. Every module that keeps a SQLite database (alerts and the node,
 * labels, supply) opens it, runs its schema migrations and caches its hot statements through
 * these calls, so WAL, busy timeout, foreign keys, the threading mode and the error texts are
 * the same everywhere.
 *
 * Threading: a connection opened with CW_SQL_PRIVATE is used by one thread at a time and is
 * opened without SQLite's per-call mutex (SQLITE_OPEN_NOMUTEX); others are serialised
 * (SQLITE_OPEN_FULLMUTEX). The server's per-worker read connections are private.
 *
 * Statement cache: a cw_sql_cache holds prepared statements keyed by the address of their SQL
 * text (a string literal: the text must outlive the cache), prepared once with
 * SQLITE_PREPARE_PERSISTENT and reset before each use. It belongs to one connection and is freed
 * before the connection is closed.
 */
#ifndef CHAINWATCH_SQL_H
#define CHAINWATCH_SQL_H

#include <stdbool.h>

struct sqlite3;
struct sqlite3_stmt;

enum {
    CW_SQL_CREATE = 1 << 0,   /* create the file if missing (otherwise it must exist) */
    CW_SQL_READONLY = 1 << 1, /* open read-only (no WAL switch, no migration writes) */
    CW_SQL_PRIVATE = 1 << 2,  /* one thread at a time: no SQLite mutex */
};

/* Opens `path`: busy timeout 5 s, foreign keys on, and unless read-only WAL with
 * synchronous=NORMAL. Errors name the path. */
int cw_sql_open(struct sqlite3 **out, const char *path, unsigned flags);

/* Closes a connection of cw_sql_open (NULL: nothing). A writable one that is the file's last
 * connection first puts the file back in rollback-journal mode, so that a read-only open
 * later (a read command) finds no WAL and leaves no -wal / -shm files beside it; while another
 * connection is open (a running server) the file stays in WAL and the switch is not waited for. */
void cw_sql_close(struct sqlite3 *db);

/* Runs one or more statements; the error carries SQLite's message. */
int cw_sql_exec(struct sqlite3 *db, const char *sql);

/* A schema: its migration steps, and where its version is kept. */
typedef struct cw_sql_schema {
    const char *module;       /* version in table cw_schema(module, version); NULL: in PRAGMA
                                 user_version (a file that holds one module) */
    const char *const *steps; /* step v (0-based) brings version v to v+1 */
    int n;                    /* the current version */
    int min_read;             /* oldest version a read-only connection can use (0: n) */
    const char *what;         /* names the database in errors, e.g. "label store x.db" */
    /* Optional: runs inside step v's transaction after its SQL (to_version = v + 1), e.g. to
     * fill reference rows the new tables need; non-zero rolls the step back. */
    int (*after_step)(void *ctx, int to_version);
    void *ctx;
} cw_sql_schema;

/* Brings the schema to version n, each step in one transaction with its version bump, so a
 * crash leaves either the old or the new schema. A newer version than n is CW_EVERSION. On a
 * read-only connection nothing is written: a version below min_read is CW_EVERSION, naming
 * the database and saying to open it for writing once. */
int cw_sql_migrate(struct sqlite3 *db, const cw_sql_schema *schema);

#define CW_SQL_CACHE_SLOTS 32
typedef struct cw_sql_cache {
    const char *sql[CW_SQL_CACHE_SLOTS];
    struct sqlite3_stmt *st[CW_SQL_CACHE_SLOTS];
    int n;
} cw_sql_cache;

/* The cached statement for `sql` on `db` (prepared on first use), reset and with its bindings
 * cleared; NULL with the error set when it cannot be prepared. Past CW_SQL_CACHE_SLOTS distinct
 * texts, the oldest slot is reused. */
struct sqlite3_stmt *cw_sql_cached(cw_sql_cache *c, struct sqlite3 *db, const char *sql);
/* Resets a statement taken from the cache (releases its read snapshot); NULL is a no-op. */
void cw_sql_done(struct sqlite3_stmt *st);
void cw_sql_cache_free(cw_sql_cache *c);

#endif
