/*
 * alert.h: the alert store. Alerts live in a SQLite database (WAL mode, versioned
 * migrations) shared with the sharing, access and audit tables of a node.
 *
 * An alert has a source (chain, supply or partner), a kind ("sanctioned-address-active",
 * "supply-risk-change", ...), a severity, a TLP 2.0 marking with an optional audience
 * (the named organisations for AMBER and AMBER+STRICT), a title, an explanation, evidence
 * as a JSON document, a status (new, acknowledged, closed) with who changed it and when,
 * an assignee and a history of notes, assignments and status moves (schema version 2), and a
 * dedup key with a cool-down. Engines raise alerts with cw_alert_emit(); readers get
 * JSON objects (jansson) so that the CLI and the HTTP API print the same document.
 *
 * Times are microseconds since the Unix epoch (UTC).
 */
#ifndef CHAINWATCH_ALERT_H
#define CHAINWATCH_ALERT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct cw_alert_db cw_alert_db;

typedef enum cw_alert_source {
    CW_ALERT_SRC_CHAIN = 0,
    CW_ALERT_SRC_SUPPLY = 1,
    CW_ALERT_SRC_PARTNER = 2
} cw_alert_source;

typedef enum cw_alert_severity {
    CW_SEV_INFO = 0,
    CW_SEV_LOW = 1,
    CW_SEV_MEDIUM = 2,
    CW_SEV_HIGH = 3,
    CW_SEV_CRITICAL = 4
} cw_alert_severity;

/* TLP 2.0 levels, from the least to the most restrictive. */
typedef enum cw_tlp {
    CW_TLP_CLEAR = 0,
    CW_TLP_GREEN = 1,
    CW_TLP_AMBER = 2,
    CW_TLP_AMBER_STRICT = 3,
    CW_TLP_RED = 4
} cw_tlp;

typedef enum cw_alert_status {
    CW_ALERT_NEW = 0,
    CW_ALERT_ACKNOWLEDGED = 1,
    CW_ALERT_CLOSED = 2
} cw_alert_status;

/* What an engine hands to cw_alert_emit(). Strings are borrowed for the call. */
typedef struct cw_alert_input {
    cw_alert_source source;
    const char *kind; /* required: lowercase words joined by '-' */
    cw_alert_severity severity;
    cw_tlp tlp;
    const char *share_to;    /* comma-separated organisations for AMBER / AMBER+STRICT, or NULL */
    const char *title;       /* required */
    const char *explanation; /* may be NULL */
    const char *evidence;    /* a JSON object or array as text (txids, addresses, paths,
                                series points...), or NULL for {} */
    const char *provenance;  /* JSON object for partner alerts (peer, url, object id,
                                signature), or NULL */
    const char *dedup_key;   /* NULL: never deduplicated */
    int64_t cooldown_us;     /* with dedup_key: an open alert with the same key raised less than
                                this long ago absorbs the new one; < 0 means forever */
    int64_t time_us;         /* 0: now */
} cw_alert_input;

/* Filters for cw_alert_list(); zero/NULL fields do not filter. */
typedef struct cw_alert_filter {
    const char *status; /* "new", "acknowledged", "closed" */
    const char *source; /* "chain", "supply", "partner" */
    const char *kind;
    const char *min_severity; /* "info".."critical" */
    int64_t since_us;         /* time >= since_us */
    int64_t after_id;         /* id > after_id, ascending (keyset paging) */
    int64_t before_id;        /* id < before_id, newest first (keyset paging) */
    int64_t limit;            /* 0: 100; at most 1000 */
    const char *assignee;     /* exact assignee, or NULL */
} cw_alert_filter;

/* Opens (creating if needed) the database at path, in WAL mode, and brings the alert tables
 * to the current schema version. Returns 0, CW_EIO (cannot open), CW_EVERSION (the file was
 * written by a newer chainwatch) or CW_ECORRUPT. *out is owned by the caller. */
int cw_alert_db_open(cw_alert_db **out, const char *path);
/* The same with the one SQLite layer's flags (chainwatch/sql.h: CW_SQL_CREATE, CW_SQL_PRIVATE
 * for a connection only one thread uses). */
int cw_alert_db_open_ex(cw_alert_db **out, const char *path, unsigned sql_flags);
/* Closes the database; accepts NULL. */
void cw_alert_db_close(cw_alert_db *db);

/* Raises an alert. On success *out_id is the new alert's id, or the id of the open alert that
 * absorbed it (same dedup key within the cool-down), in which case *out_deduped is true and
 * that alert's occurrence count and last_seen are updated. Either out pointer may be NULL.
 * Returns 0, CW_EINVAL (a missing or malformed field, named in the message) or CW_EIO. */
int cw_alert_emit(cw_alert_db *db, const cw_alert_input *in, int64_t *out_id, bool *out_deduped);

/* The alert with this id as a JSON object (*out owned by the caller; json_decref).
 * Returns 0 or CW_ENOTFOUND. */
int cw_alert_get(cw_alert_db *db, int64_t id, json_t **out);

/* Alerts matching f, newest id first unless f->after_id is set (then ascending ids), as
 * {"alerts":[...], "more": bool, "next_after_id": N|null, "next_before_id": N|null}: pass
 * the next_* value back as after_id / before_id for the next page. Returns 0, CW_EINVAL
 * (bad filter, or both after_id and before_id) or CW_EIO. */
int cw_alert_list(cw_alert_db *db, const cw_alert_filter *f, json_t **out);

/* Counts the alerts that match the filter's status, source, kind, severity, time and assignee
 * (paging fields ignored), in groups of equal (severity, TLP, share_to), so that a caller can apply
 * its TLP visibility per group instead of per alert: fn is called once per group and returns 0
 * to go on or a negative code to stop (returned). One indexed aggregate query. */
typedef struct cw_alert_count_group {
    cw_alert_severity severity;
    cw_tlp tlp;
    const char *share_to; /* comma-separated orgs, "" for none */
    int64_t count;
} cw_alert_count_group;
int cw_alert_count(cw_alert_db *db, const cw_alert_filter *f,
                   int (*fn)(const cw_alert_count_group *g, void *payload), void *payload);

/* Moves an alert to `status`, recording who and when (and an optional note). Allowed moves:
 * new -> acknowledged, new|acknowledged -> closed. Returns 0, CW_ENOTFOUND or CW_EINVAL
 * (a move that is not allowed). */
int cw_alert_set_status(cw_alert_db *db, int64_t id, cw_alert_status status, const char *who,
                        const char *note);

/* 1 when some alert with id > after_id is not from a partner, 0 when none, or a negative code.
 * One indexed probe with a cached statement: the server asks it on every TAXII read. */
int cw_alert_any_local_after(cw_alert_db *db, int64_t after_id);
/* Assigns the alert to `assignee` (a user name, 1-64 bytes; NULL or "" unassigns), recording
 * who did it in the alert's history; assigning to the current assignee changes nothing.
 * Returns 0, CW_ENOTFOUND or CW_EINVAL. The assignee is a local triage fact: it is never
 * published to partners. */
int cw_alert_assign(cw_alert_db *db, int64_t id, const char *assignee, const char *who);
/* Adds a note (1-4000 bytes of UTF-8; new lines and tabs allowed, no other control
 * characters) to the alert's history. *out_entry (may be NULL): the entry's id. Returns 0,
 * CW_ENOTFOUND or CW_EINVAL. Notes stay on this node: they are never published. */
int cw_alert_note_add(cw_alert_db *db, int64_t id, const char *who, const char *text,
                      int64_t *out_entry);
/* The alert's history, oldest first: [{id, time, author, kind: note|assign|status, text}].
 * History entries are append-only (the table refuses UPDATE and DELETE). Every status move
 * (cw_alert_set_status) adds one. Returns 0 or CW_ENOTFOUND. */
int cw_alert_history(cw_alert_db *db, int64_t id, json_t **out);

/* Calls fn for each alert with id > after_id that is not from a partner, ascending; fn returns
 * 0 to go on or a negative code to stop (returned). The JSON is borrowed for the call. */
int cw_alert_foreach_local(cw_alert_db *db, int64_t after_id,
                           int (*fn)(const json_t *alert, void *payload), void *payload);

/* The underlying SQLite handle (borrowed; valid until cw_alert_db_close). Other modules of
 * the node (share, server) keep their tables in the same file. */
struct sqlite3 *cw_alert_db_sqlite(cw_alert_db *db);

/* Names and parsers of the enums ("chain", "high", "amber+strict", "acknowledged").
 * Parsers accept any letter case and "TLP:" before a TLP name; they return 0 or CW_EINVAL. */
const char *cw_alert_source_name(cw_alert_source s);
const char *cw_alert_severity_name(cw_alert_severity s);
const char *cw_tlp_name(cw_tlp t);
const char *cw_alert_status_name(cw_alert_status s);
int cw_alert_source_parse(cw_alert_source *out, const char *s);
int cw_alert_severity_parse(cw_alert_severity *out, const char *s);
int cw_tlp_parse(cw_tlp *out, const char *s);
int cw_alert_status_parse(cw_alert_status *out, const char *s);

#endif
