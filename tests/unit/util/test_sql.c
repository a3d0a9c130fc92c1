/* test_sql.c: the one SQLite layer (sql.h): migrations kept in cw_schema and in user_version,
 * a failing step that leaves the old schema, read-only connections that never write, a newer
 * schema refused, and the statement cache (one prepare, reset between uses, eviction). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/sql.h"
#include "harness.h"

static char dir[64];

static void path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static int count_rows(sqlite3 *db, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *st = NULL;
    int n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int version_of(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static const char *const steps[] = {
    "CREATE TABLE a (x INTEGER)",
    "INSERT INTO a VALUES (1), (2)",
    "CREATE TABLE b (y INTEGER)",
};

static void test_module_schema(void)
{
    char p[128];
    path_of(p, sizeof p, "m.db");
    sqlite3 *db = NULL;
    REQUIRE(cw_sql_open(&db, p, CW_SQL_CREATE) == 0);
    cw_sql_schema sc = {.module = "m", .steps = steps, .n = 2, .what = "test db"};
    CHECK_EQ_INT(cw_sql_migrate(db, &sc), 0);
    CHECK_EQ_INT(version_of(db, "SELECT version FROM cw_schema WHERE module = 'm'"), 2);
    CHECK_EQ_INT(count_rows(db, "a"), 2);
    /* again: nothing runs twice */
    CHECK_EQ_INT(cw_sql_migrate(db, &sc), 0);
    CHECK_EQ_INT(count_rows(db, "a"), 2);
    /* a second module in the same file keeps its own version */
    cw_sql_schema other = {.module = "o", .steps = steps + 2, .n = 1};
    CHECK_EQ_INT(cw_sql_migrate(db, &other), 0);
    CHECK_EQ_INT(version_of(db, "SELECT version FROM cw_schema WHERE module = 'o'"), 1);
    CHECK_EQ_INT(version_of(db, "SELECT version FROM cw_schema WHERE module = 'm'"), 2);
    /* an older program meets a newer schema: refused, naming the database */
    cw_sql_schema old = {.module = "m", .steps = steps, .n = 1, .what = "test db"};
    CHECK_EQ_INT(cw_sql_migrate(db, &old), CW_EVERSION);
    CHECK(strstr(cw_error_last(), "test db") != NULL);
    sqlite3_close(db);
}

static void test_failing_step_keeps_old_schema(void)
{
    char p[128];
    path_of(p, sizeof p, "f.db");
    sqlite3 *db = NULL;
    REQUIRE(cw_sql_open(&db, p, CW_SQL_CREATE) == 0);
    static const char *const bad[] = {"CREATE TABLE a (x INTEGER)",
                                      "INSERT INTO a VALUES (1); INSERT INTO nowhere VALUES (2)"};
    cw_sql_schema sc = {.steps = bad, .n = 2, .what = "f.db"};
    CHECK(cw_sql_migrate(db, &sc) != 0);
    CHECK(strstr(cw_error_last(), "version 2") != NULL);
    /* step 1 committed, step 2 rolled back whole: version 1, table a empty */
    CHECK_EQ_INT(version_of(db, "PRAGMA user_version"), 1);
    CHECK_EQ_INT(count_rows(db, "a"), 0);
    sqlite3_close(db);
}

static void test_readonly_never_writes(void)
{
    char p[128];
    path_of(p, sizeof p, "r.db");
    sqlite3 *db = NULL;
    REQUIRE(cw_sql_open(&db, p, CW_SQL_CREATE) == 0);
    cw_sql_schema v1 = {.steps = steps, .n = 1, .what = "r.db"};
    CHECK_EQ_INT(cw_sql_migrate(db, &v1), 0);
    sqlite3_close(db);
    REQUIRE(cw_sql_open(&db, p, CW_SQL_READONLY | CW_SQL_PRIVATE) == 0);
    /* version 1 of 3: readable when min_read allows it, refused otherwise */
    cw_sql_schema v3 = {.steps = steps, .n = 3, .min_read = 1, .what = "r.db"};
    CHECK_EQ_INT(cw_sql_migrate(db, &v3), 0);
    v3.min_read = 0;
    CHECK_EQ_INT(cw_sql_migrate(db, &v3), CW_EVERSION);
    CHECK(strstr(cw_error_last(), "read-only") != NULL);
    CHECK_EQ_INT(version_of(db, "PRAGMA user_version"), 1);
    sqlite3_close(db);
    /* a missing file is not created without CW_SQL_CREATE */
    path_of(p, sizeof p, "absent.db");
    CHECK(cw_sql_open(&db, p, 0) == CW_EIO);
    CHECK(access(p, F_OK) != 0);
}

static void test_statement_cache(void)
{
    char p[128];
    path_of(p, sizeof p, "c.db");
    sqlite3 *db = NULL;
    REQUIRE(cw_sql_open(&db, p, CW_SQL_CREATE | CW_SQL_PRIVATE) == 0);
    REQUIRE(cw_sql_exec(db, "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT);"
                            "INSERT INTO t VALUES (1, 'one'), (2, 'two')") == 0);
    cw_sql_cache c = {0};
    static const char q[] = "SELECT v FROM t WHERE k = ?";
    sqlite3_stmt *a = cw_sql_cached(&c, db, q);
    REQUIRE(a != NULL);
    sqlite3_bind_int(a, 1, 1);
    REQUIRE(sqlite3_step(a) == SQLITE_ROW);
    CHECK_EQ_STR((const char *)sqlite3_column_text(a, 0), "one");
    /* taken again mid-use: the same statement, reset, bindings cleared */
    sqlite3_stmt *b = cw_sql_cached(&c, db, q);
    CHECK(a == b);
    CHECK_EQ_INT(sqlite3_step(b), SQLITE_DONE); /* k = NULL matches nothing */
    /* the same text at another address finds the same statement */
    char copy[sizeof q];
    memcpy(copy, q, sizeof q);
    CHECK(cw_sql_cached(&c, db, copy) == a);
    CHECK_EQ_INT(c.n, 1);
    /* a bad statement: NULL with SQLite's message */
    CHECK(cw_sql_cached(&c, db, "SELECT nope FROM t") == NULL);
    CHECK(strstr(cw_error_last(), "nope") != NULL);
    /* past the slots, the oldest goes and the cache stays usable */
    static char texts[CW_SQL_CACHE_SLOTS + 4][48];
    for (int i = 0; i < CW_SQL_CACHE_SLOTS + 4; i++) {
        snprintf(texts[i], sizeof texts[i], "SELECT %d + k FROM t WHERE k = 2", i);
        sqlite3_stmt *st = cw_sql_cached(&c, db, texts[i]);
        REQUIRE(st != NULL);
        REQUIRE(sqlite3_step(st) == SQLITE_ROW);
        CHECK_EQ_INT(sqlite3_column_int(st, 0), i + 2);
        cw_sql_done(st);
    }
    CHECK_EQ_INT(c.n, CW_SQL_CACHE_SLOTS);
    cw_sql_cache_free(&c);
    CHECK_EQ_INT(c.n, 0);
    CHECK_EQ_INT(sqlite3_close(db), SQLITE_OK); /* every statement finalised */
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/cw-test-sql.XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    RUN(test_module_schema);
    RUN(test_failing_step_keeps_old_schema);
    RUN(test_readonly_never_writes);
    RUN(test_statement_cache);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    return cw_test_done();
}
