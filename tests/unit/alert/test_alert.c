/* test_alert.c: the alert store: emit, dedup and cool-down, status moves, filters, paging,
 * schema version refusal, bad input. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/alert.h"
#include "chainwatch/errors.h"
#include "harness.h"

static char db_path[512];

static cw_alert_input base(void)
{
    cw_alert_input in;
    memset(&in, 0, sizeof in);
    in.source = CW_ALERT_SRC_CHAIN;
    in.kind = "sanctioned-address-active";
    in.severity = CW_SEV_HIGH;
    in.tlp = CW_TLP_GREEN;
    in.title = "Sanctioned address received funds";
    in.evidence = "{\"addresses\":[\"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\"]}";
    return in;
}

static void test_emit_and_get(void)
{
    cw_alert_db *db = NULL;
    REQUIRE(cw_alert_db_open(&db, db_path) == 0);
    cw_alert_input in = base();
    in.time_us = 1764288000000000LL; /* 2025-11-28T00:00:00Z */
    int64_t id = 0;
    bool dd = true;
    CHECK_EQ_INT(cw_alert_emit(db, &in, &id, &dd), 0);
    CHECK(id > 0);
    CHECK(!dd);
    json_t *a = NULL;
    REQUIRE(cw_alert_get(db, id, &a) == 0);
    CHECK_EQ_STR(json_string_value(json_object_get(a, "time")), "2025-11-28T00:00:00.000000Z");
    CHECK_EQ_STR(json_string_value(json_object_get(a, "source")), "chain");
    CHECK_EQ_STR(json_string_value(json_object_get(a, "severity")), "high");
    CHECK_EQ_STR(json_string_value(json_object_get(a, "tlp")), "green");
    CHECK_EQ_STR(json_string_value(json_object_get(a, "status")), "new");
    CHECK_EQ_STR(json_string_value(json_array_get(
                     json_object_get(json_object_get(a, "evidence"), "addresses"), 0)),
                 "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
    json_decref(a);
    CHECK_EQ_INT(cw_alert_get(db, 9999, &a), CW_ENOTFOUND);
    cw_alert_db_close(db);
}

static void test_dedup_cooldown(void)
{
    cw_alert_db *db = NULL;
    REQUIRE(cw_alert_db_open(&db, db_path) == 0);
    cw_alert_input in = base();
    in.dedup_key = "addr:1A1z";
    in.cooldown_us = 3600LL * 1000000;
    in.time_us = 1000LL * 1000000;
    int64_t id1 = 0, id2 = 0, id3 = 0, id4 = 0;
    bool dd = false;
    CHECK_EQ_INT(cw_alert_emit(db, &in, &id1, &dd), 0);
    CHECK(!dd);
    in.time_us += 600LL * 1000000; /* 10 minutes later: absorbed */
    CHECK_EQ_INT(cw_alert_emit(db, &in, &id2, &dd), 0);
    CHECK(dd);
    CHECK_EQ_INT(id2, id1);
    json_t *a = NULL;
    REQUIRE(cw_alert_get(db, id1, &a) == 0);
    CHECK_EQ_INT(json_integer_value(json_object_get(a, "occurrences")), 2);
    json_decref(a);
    in.time_us += 3600LL * 1000000; /* past the cool-down of the first: new alert */
    CHECK_EQ_INT(cw_alert_emit(db, &in, &id3, &dd), 0);
    CHECK(!dd);
    CHECK(id3 != id1);
    /* a closed alert does not absorb */
    CHECK_EQ_INT(cw_alert_set_status(db, id3, CW_ALERT_CLOSED, "ana", "handled"), 0);
    in.time_us += 1;
    CHECK_EQ_INT(cw_alert_emit(db, &in, &id4, &dd), 0);
    CHECK(!dd);
    CHECK(id4 != id3);
    /* forever */
    in.dedup_key = "report--x";
    in.cooldown_us = -1;
    CHECK_EQ_INT(cw_alert_emit(db, &in, &id1, &dd), 0);
    in.time_us += 1000LL * 86400 * 1000000;
    CHECK_EQ_INT(cw_alert_emit(db, &in, &id2, &dd), 0);
    CHECK(dd);
    CHECK_EQ_INT(id1, id2);
    cw_alert_db_close(db);
}

static void test_status_moves(void)
{
    cw_alert_db *db = NULL;
    REQUIRE(cw_alert_db_open(&db, db_path) == 0);
    cw_alert_input in = base();
    int64_t id = 0;
    REQUIRE(cw_alert_emit(db, &in, &id, NULL) == 0);
    CHECK_EQ_INT(cw_alert_set_status(db, id, CW_ALERT_ACKNOWLEDGED, "alice", NULL), 0);
    CHECK_EQ_INT(cw_alert_set_status(db, id, CW_ALERT_ACKNOWLEDGED, "bob", NULL), CW_EINVAL);
    CHECK_EQ_INT(cw_alert_set_status(db, id, CW_ALERT_CLOSED, "bob", "false positive"), 0);
    CHECK_EQ_INT(cw_alert_set_status(db, id, CW_ALERT_ACKNOWLEDGED, "bob", NULL), CW_EINVAL);
    CHECK_EQ_INT(cw_alert_set_status(db, id, CW_ALERT_NEW, "bob", NULL), CW_EINVAL);
    CHECK_EQ_INT(cw_alert_set_status(db, 123456, CW_ALERT_CLOSED, "bob", NULL), CW_ENOTFOUND);
    json_t *a = NULL;
    REQUIRE(cw_alert_get(db, id, &a) == 0);
    CHECK_EQ_STR(json_string_value(json_object_get(a, "status")), "closed");
    CHECK_EQ_STR(json_string_value(json_object_get(a, "status_by")), "bob");
    CHECK_EQ_STR(json_string_value(json_object_get(a, "status_note")), "false positive");
    CHECK(json_is_string(json_object_get(a, "status_at")));
    json_decref(a);
    cw_alert_db_close(db);
}

static void test_bad_input(void)
{
    cw_alert_db *db = NULL;
    REQUIRE(cw_alert_db_open(&db, db_path) == 0);
    cw_alert_input in = base();
    in.kind = "Bad Kind";
    CHECK_EQ_INT(cw_alert_emit(db, &in, NULL, NULL), CW_EINVAL);
    in = base();
    in.title = "";
    CHECK_EQ_INT(cw_alert_emit(db, &in, NULL, NULL), CW_EINVAL);
    in = base();
    in.evidence = "{\"a\":";
    CHECK_EQ_INT(cw_alert_emit(db, &in, NULL, NULL), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "evidence") != NULL);
    in = base();
    in.evidence = "42";
    CHECK_EQ_INT(cw_alert_emit(db, &in, NULL, NULL), CW_EINVAL);
    in = base();
    in.tlp = CW_TLP_AMBER_STRICT; /* needs exactly one organisation */
    CHECK_EQ_INT(cw_alert_emit(db, &in, NULL, NULL), CW_EINVAL);
    in.share_to = "KOR,JPN";
    CHECK_EQ_INT(cw_alert_emit(db, &in, NULL, NULL), CW_EINVAL);
    in.share_to = "KOR";
    CHECK_EQ_INT(cw_alert_emit(db, &in, NULL, NULL), 0);
    in = base();
    in.tlp = (cw_tlp)9;
    CHECK_EQ_INT(cw_alert_emit(db, &in, NULL, NULL), CW_EINVAL);
    cw_alert_db_close(db);
}

static void test_list_filters_paging(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/list.db", cw_test_tmpdir());
    cw_alert_db *db = NULL;
    REQUIRE(cw_alert_db_open(&db, path) == 0);
    for (int i = 0; i < 25; i++) {
        cw_alert_input in = base();
        in.source = i % 5 == 0 ? CW_ALERT_SRC_SUPPLY : CW_ALERT_SRC_CHAIN;
        in.kind = i % 5 == 0 ? "supply-risk-change" : "sanctioned-address-active";
        in.severity = (cw_alert_severity)(i % 5);
        REQUIRE(cw_alert_emit(db, &in, NULL, NULL) == 0);
    }
    json_t *out = NULL;
    cw_alert_filter f;
    memset(&f, 0, sizeof f);
    f.source = "supply";
    REQUIRE(cw_alert_list(db, &f, &out) == 0);
    CHECK_EQ_INT(json_array_size(json_object_get(out, "alerts")), 5);
    json_decref(out);
    memset(&f, 0, sizeof f);
    f.min_severity = "high"; /* severities 3 and 4: 10 of 25 */
    REQUIRE(cw_alert_list(db, &f, &out) == 0);
    CHECK_EQ_INT(json_array_size(json_object_get(out, "alerts")), 10);
    json_decref(out);
    /* keyset paging: 7 + 7 + 7 + 4, every id once */
    memset(&f, 0, sizeof f);
    f.limit = 7;
    f.after_id = 0;
    int seen = 0, pages = 0;
    int64_t prev = 0;
    bool ok_order = true;
    f.after_id = 0;
    /* after_id 0 lists newest first; use after_id from 0 by starting at a fake 0 -> first page
     * ascending needs after_id >= 1, so take id 1 separately */
    json_t *first = NULL;
    REQUIRE(cw_alert_get(db, 1, &first) == 0);
    json_decref(first);
    seen = 1;
    prev = 1;
    f.after_id = 1;
    for (;;) {
        REQUIRE(cw_alert_list(db, &f, &out) == 0);
        json_t *arr = json_object_get(out, "alerts");
        size_t i;
        json_t *a;
        json_array_foreach(arr, i, a)
        {
            int64_t id = json_integer_value(json_object_get(a, "id"));
            if (id != prev + 1)
                ok_order = false;
            prev = id;
            seen++;
        }
        pages++;
        json_t *nx = json_object_get(out, "next_after_id");
        bool more = json_is_true(json_object_get(out, "more"));
        if (more)
            f.after_id = json_integer_value(nx);
        json_decref(out);
        if (!more)
            break;
    }
    CHECK_EQ_INT(seen, 25);
    CHECK_EQ_INT(pages, 4);
    CHECK(ok_order);
    /* newest first: 25..19, 18..12, 11..5, 4..1 */
    memset(&f, 0, sizeof f);
    f.limit = 7;
    int64_t expect = 25;
    seen = 0;
    pages = 0;
    ok_order = true;
    for (;;) {
        REQUIRE(cw_alert_list(db, &f, &out) == 0);
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(out, "alerts"), i, a)
        {
            if (json_integer_value(json_object_get(a, "id")) != expect--)
                ok_order = false;
            seen++;
        }
        pages++;
        bool more = json_is_true(json_object_get(out, "more"));
        if (more)
            f.before_id = json_integer_value(json_object_get(out, "next_before_id"));
        json_decref(out);
        if (!more)
            break;
    }
    CHECK_EQ_INT(seen, 25);
    CHECK_EQ_INT(pages, 4);
    CHECK(ok_order);
    f.after_id = 3;
    f.before_id = 9;
    CHECK_EQ_INT(cw_alert_list(db, &f, &out), CW_EINVAL);
    memset(&f, 0, sizeof f);
    f.status = "bogus";
    CHECK_EQ_INT(cw_alert_list(db, &f, &out), CW_EINVAL);
    cw_alert_db_close(db);
}

static const char *ok_path(void)
{
    static char p[600];
    snprintf(p, sizeof p, "%s/journal.db", cw_test_tmpdir());
    return p;
}

/* the journal mode another connection sees (a static buffer) */
static const char *journal_mode(const char *path)
{
    static char mode[16];
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    mode[0] = 0;
    if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(s, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        snprintf(mode, sizeof mode, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(s);
    return mode;
}

static void test_schema_newer_refused(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/newer.db", cw_test_tmpdir());
    cw_alert_db *db = NULL;
    REQUIRE(cw_alert_db_open(&db, path) == 0);
    cw_alert_db_close(db);
    sqlite3 *s = NULL;
    REQUIRE(sqlite3_open(path, &s) == SQLITE_OK);
    CHECK_EQ_INT(sqlite3_exec(s, "UPDATE cw_schema SET version = 99 WHERE module = 'alert'", NULL,
                              NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(s);
    CHECK_EQ_INT(cw_alert_db_open(&db, path), CW_EVERSION);
    CHECK(db == NULL);
}

/* WAL while a writer has the file open; rollback-journal mode once the last writer has closed
 * it, so that a read-only open (a read command) leaves no -wal / -shm files (cw_sql_close) */
static void test_journal_mode(void)
{
    cw_alert_db *db = NULL;
    char wal[640], shm[640];
    snprintf(wal, sizeof wal, "%s-wal", ok_path());
    snprintf(shm, sizeof shm, "%s-shm", ok_path());
    REQUIRE(cw_alert_db_open(&db, ok_path()) == 0);
    CHECK_EQ_STR(journal_mode(ok_path()), "wal");
    cw_alert_db_close(db);
    CHECK_EQ_STR(journal_mode(ok_path()), "delete");
    CHECK(access(wal, F_OK) != 0);
    CHECK(access(shm, F_OK) != 0);
}

int main(void)
{
    snprintf(db_path, sizeof db_path, "%s/alerts.db", cw_test_tmpdir());
    RUN(test_emit_and_get);
    RUN(test_dedup_cooldown);
    RUN(test_status_moves);
    RUN(test_bad_input);
    RUN(test_list_filters_paging);
    RUN(test_schema_newer_refused);
    RUN(test_journal_mode);
    return cw_test_done();
}
