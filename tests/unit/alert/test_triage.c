/* test_triage.c: an alert's assignee and history (schema version 2): the migration of a
 * version-1 database written with the version-1 schema (every alert kept, each recorded
 * status becoming the first history entry), assign / unassign / re-assign, notes, status
 * moves in the history, the append-only history, bad input, and the assignee filter. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/alert.h"
#include "chainwatch/errors.h"
#include "harness.h"

/* The version-1 schema exactly as chainwatch wrote it before the triage columns. */
static const char *const v1_schema =
    "CREATE TABLE cw_schema (module TEXT PRIMARY KEY, version INTEGER NOT NULL);"
    "INSERT INTO cw_schema VALUES('alert', 1);"
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
    "CREATE INDEX alerts_status ON alerts(status, id);"
    /* three alerts: new; acknowledged with a note; closed without one */
    "INSERT INTO alerts(time, last_seen, source, kind, severity, tlp, share_to, title, evidence)"
    " VALUES(1764288000000000, 1764288000000000, 'chain', 'theft-address-receives', 4, 2, 'KOR',"
    " 'Heist A: theft address received', '{\"address\":\"bc1qexample\"}');"
    "INSERT INTO alerts(time, last_seen, source, kind, severity, tlp, title, status, status_by,"
    " status_at, status_note) VALUES(1764288001000000, 1764288001000000, 'supply',"
    " 'supply-risk-change', 2, 0, 'graphite KOR caution', 1, 'kim', 1764290000000000,"
    " 'checked with MOTIE');"
    "INSERT INTO alerts(time, last_seen, source, kind, severity, tlp, title, status, status_by,"
    " status_at) VALUES(1764288002000000, 1764288002000000, 'chain', 'filler', 0, 1,"
    " 'old lead', 2, 'lee', 1764291000000000);";

static void test_migrate_v1(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/v1.db", cw_test_tmpdir());
    sqlite3 *s = NULL;
    REQUIRE(sqlite3_open(path, &s) == SQLITE_OK);
    REQUIRE(sqlite3_exec(s, v1_schema, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(s);

    cw_alert_db *db = NULL;
    REQUIRE(cw_alert_db_open(&db, path) == 0);
    /* every alert kept, with its fields; no assignee yet */
    json_t *a = NULL;
    REQUIRE(cw_alert_get(db, 1, &a) == 0);
    CHECK_EQ_STR(json_string_value(json_object_get(a, "title")), "Heist A: theft address received");
    CHECK_EQ_STR(json_string_value(json_object_get(a, "tlp")), "amber");
    CHECK_EQ_STR(json_string_value(json_array_get(json_object_get(a, "share_to"), 0)), "KOR");
    CHECK(json_is_null(json_object_get(a, "assignee")));
    json_decref(a);
    /* the recorded statuses are the first history entries, with who and when */
    json_t *h = NULL;
    REQUIRE(cw_alert_history(db, 1, &h) == 0);
    CHECK_EQ_INT((int)json_array_size(h), 0);
    json_decref(h);
    REQUIRE(cw_alert_history(db, 2, &h) == 0);
    REQUIRE(json_array_size(h) == 1);
    json_t *e = json_array_get(h, 0);
    CHECK_EQ_STR(json_string_value(json_object_get(e, "kind")), "status");
    CHECK_EQ_STR(json_string_value(json_object_get(e, "author")), "kim");
    CHECK_EQ_STR(json_string_value(json_object_get(e, "text")), "acknowledged: checked with MOTIE");
    CHECK_EQ_STR(json_string_value(json_object_get(e, "time")), "2025-11-28T00:33:20.000000Z");
    json_decref(h);
    REQUIRE(cw_alert_history(db, 3, &h) == 0);
    REQUIRE(json_array_size(h) == 1);
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(h, 0), "text")), "closed");
    json_decref(h);
    cw_alert_db_close(db);

    /* opening again migrates nothing twice */
    REQUIRE(cw_alert_db_open(&db, path) == 0);
    REQUIRE(cw_alert_history(db, 2, &h) == 0);
    CHECK_EQ_INT((int)json_array_size(h), 1);
    json_decref(h);
    cw_alert_db_close(db);
    REQUIRE(sqlite3_open(path, &s) == SQLITE_OK);
    sqlite3_stmt *st = NULL;
    REQUIRE(sqlite3_prepare_v2(s, "SELECT version FROM cw_schema WHERE module = 'alert'", -1, &st,
                               NULL) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int(st, 0), 2);
    sqlite3_finalize(st);
    sqlite3_close(s);
}

static void test_assign_notes_history(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/triage.db", cw_test_tmpdir());
    cw_alert_db *db = NULL;
    REQUIRE(cw_alert_db_open(&db, path) == 0);
    cw_alert_input in;
    memset(&in, 0, sizeof in);
    in.kind = "stolen-funds-at-exchange";
    in.severity = CW_SEV_CRITICAL;
    in.tlp = CW_TLP_AMBER;
    in.share_to = "KOR";
    in.title = "Heist: funds at an exchange";
    int64_t id = 0, id2 = 0;
    REQUIRE(cw_alert_emit(db, &in, &id, NULL) == 0);
    in.title = "another";
    REQUIRE(cw_alert_emit(db, &in, &id2, NULL) == 0);

    CHECK_EQ_INT(cw_alert_assign(db, id, "park", "lead"), 0);
    CHECK_EQ_INT(cw_alert_assign(db, id, "park", "lead"), 0); /* unchanged: no entry */
    int64_t note = 0;
    CHECK_EQ_INT(
        cw_alert_note_add(db, id, "park", "deposit at ExA confirmed\nsubpoena drafted", &note), 0);
    CHECK(note > 0);
    CHECK_EQ_INT(cw_alert_set_status(db, id, CW_ALERT_ACKNOWLEDGED, "park", "on it"), 0);
    CHECK_EQ_INT(cw_alert_assign(db, id, "choi", "park"), 0);
    CHECK_EQ_INT(cw_alert_assign(db, id, NULL, "choi"), 0);

    json_t *a = NULL;
    REQUIRE(cw_alert_get(db, id, &a) == 0);
    CHECK(json_is_null(json_object_get(a, "assignee")));
    json_decref(a);
    json_t *h = NULL;
    REQUIRE(cw_alert_history(db, id, &h) == 0);
    const char *want[][3] = {{"lead", "assign", "assigned to park"},
                             {"park", "note", "deposit at ExA confirmed\nsubpoena drafted"},
                             {"park", "status", "acknowledged: on it"},
                             {"park", "assign", "assigned to choi"},
                             {"choi", "assign", "unassigned"}};
    REQUIRE(json_array_size(h) == 5);
    for (size_t i = 0; i < 5; i++) {
        json_t *e = json_array_get(h, i);
        CHECK_EQ_STR(json_string_value(json_object_get(e, "author")), want[i][0]);
        CHECK_EQ_STR(json_string_value(json_object_get(e, "kind")), want[i][1]);
        CHECK_EQ_STR(json_string_value(json_object_get(e, "text")), want[i][2]);
    }
    CHECK_EQ_INT((int)json_integer_value(json_object_get(json_array_get(h, 1), "id")), (int)note);
    json_decref(h);
    /* the other alert's history is its own */
    REQUIRE(cw_alert_history(db, id2, &h) == 0);
    CHECK_EQ_INT((int)json_array_size(h), 0);
    json_decref(h);

    /* the assignee filter */
    CHECK_EQ_INT(cw_alert_assign(db, id2, "kim", "lead"), 0);
    cw_alert_filter f;
    memset(&f, 0, sizeof f);
    f.assignee = "kim";
    json_t *out = NULL;
    REQUIRE(cw_alert_list(db, &f, &out) == 0);
    REQUIRE(json_array_size(json_object_get(out, "alerts")) == 1);
    CHECK_EQ_INT((int)json_integer_value(
                     json_object_get(json_array_get(json_object_get(out, "alerts"), 0), "id")),
                 (int)id2);
    json_decref(out);

    /* bad input changes nothing */
    CHECK_EQ_INT(cw_alert_note_add(db, id, "park", "", NULL), CW_EINVAL);
    CHECK_EQ_INT(cw_alert_note_add(db, id, "park", "bell\a", NULL), CW_EINVAL);
    CHECK_EQ_INT(cw_alert_note_add(db, id, "park", "\xff\xfe", NULL), CW_EINVAL);
    CHECK_EQ_INT(cw_alert_note_add(db, id, "", "x", NULL), CW_EINVAL);
    CHECK_EQ_INT(cw_alert_note_add(db, 9999, "park", "x", NULL), CW_ENOTFOUND);
    CHECK_EQ_INT(cw_alert_assign(db, 9999, "park", "lead"), CW_ENOTFOUND);
    CHECK_EQ_INT(cw_alert_assign(db, id, "a\nb", "lead"), CW_EINVAL);
    char longname[80];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    CHECK_EQ_INT(cw_alert_assign(db, id, longname, "lead"), CW_EINVAL);
    CHECK_EQ_INT(cw_alert_history(db, 9999, &h), CW_ENOTFOUND);
    REQUIRE(cw_alert_history(db, id, &h) == 0);
    CHECK_EQ_INT((int)json_array_size(h), 5);
    json_decref(h);

    /* the history is append-only, even through SQL */
    sqlite3 *s = cw_alert_db_sqlite(db);
    CHECK(sqlite3_exec(s, "UPDATE alert_history SET text = 'x'", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(s, "DELETE FROM alert_history", NULL, NULL, NULL) != SQLITE_OK);
    cw_alert_db_close(db);
}

int main(void)
{
    RUN(test_migrate_v1);
    RUN(test_assign_notes_history);
    return cw_test_done();
}
