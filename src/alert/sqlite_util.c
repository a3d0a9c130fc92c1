/*
 * sqlite_util.c: the alert module's names for the one SQLite layer (chainwatch/sql.h), kept
 * for the modules that open a node database through them. Each module keeps its version in
 * table cw_schema(module, version); a migration step runs in one transaction with the version
 * bump, so a crash leaves either the old or the new schema.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/alert.h"
#include "chainwatch/errors.h"
#include "chainwatch/sql.h"

int cw_alert__exec(sqlite3 *db, const char *sql)
{
    return cw_sql_exec(db, sql);
}

int cw_alert__sqlite_open(sqlite3 **out, const char *path)
{
    return cw_sql_open(out, path, CW_SQL_CREATE);
}

int cw_alert__migrate(sqlite3 *db, const char *module, const char *const *migrations, int n)
{
    cw_sql_schema sc = {.module = module, .steps = migrations, .n = n};
    return cw_sql_migrate(db, &sc);
}
