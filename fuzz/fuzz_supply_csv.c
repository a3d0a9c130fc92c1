/*
 * fuzz_supply_csv.c: libFuzzer target for the supply loaders (src/supply/load.c, load2.c):
 * Comtrade, USGS, Pink Sheet, prices, WGI, events and KOMIR files are downloaded from outside.
 *
 * Input: one byte, then the file. The byte's low three bits modulo 7 choose the kind
 * (cw_supply_kind order) and its bit 3 sets keep_going; the options reporter CHN, flow X, series
 * and unit are given. The file is written to a temporary file and loaded into an in-memory supply
 * database (opened once and kept: opening one seeds the reference tables, ~0.2 s under ASan). The
 * load must return 0 or a CW_E* error with a message, every issue must carry a message and a line
 * inside the file, and a load that did not commit must leave every table as it found it (no
 * half-written store). Any broken invariant calls abort().
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/supply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "fuzz_supply_csv: " __VA_ARGS__);                                          \
        fprintf(stderr, " (last error: %s)\n", cw_error_last());                                   \
        abort();                                                                                   \
    } while (0)

/* The number of rows in every table, summed. */
static long long rows(sqlite3 *db)
{
    long long total = 0;
    sqlite3_stmt *st = NULL, *cnt = NULL;
    if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &st,
                           NULL) != SQLITE_OK)
        FAIL("cannot list the tables");
    while (sqlite3_step(st) == SQLITE_ROW) {
        char sql[300];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"",
                 (const char *)sqlite3_column_text(st, 0));
        if (sqlite3_prepare_v2(db, sql, -1, &cnt, NULL) != SQLITE_OK ||
            sqlite3_step(cnt) != SQLITE_ROW)
            FAIL("cannot count a table");
        total += sqlite3_column_int64(cnt, 0);
        sqlite3_finalize(cnt);
    }
    sqlite3_finalize(st);
    return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *tmp = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/fuzz_supply_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    size_t off = 1;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(fd);
    static cw_supply *s;
    if (!s && cw_supply_open(&s, ":memory:") != 0)
        FAIL("cannot open an in-memory supply database");
    sqlite3 *db = cw_supply_sqlite(s);
    long long before = rows(db);
    cw_supply_load_opts o = {.reporter = "CHN",
                             .flow = "X",
                             .series = "lithium_carbonate",
                             .unit = "USD/t",
                             .keep_going = (data[0] & 8) != 0};
    cw_supply_load_report rep;
    int rc = cw_supply_load(s, (cw_supply_kind)((data[0] & 7) % 7), path, &o, &rep);
    if (rc != 0 && (rc > 0 || !*cw_error_last()))
        FAIL("load returned %d", rc);
    for (size_t i = 0; i < rep.n_issues; i++)
        if (!rep.issues[i].msg || !*rep.issues[i].msg || rep.issues[i].line > size + 1)
            FAIL("issue %zu without a message or outside the file", i);
    if (!rep.committed && rows(db) != before)
        FAIL("a load that did not commit changed the tables (rc %d)", rc);
    if (rc != 0 && rep.committed)
        FAIL("a failed load says it committed");
    cw_supply_load_report_deinit(&rep);
    cw_error_clear();
    unlink(path);
    return 0;
}
