/*
 * cmd_alerts.c: `chainwatch alerts list|show|ack|close|assign|note|history|raise`: reads,
 * moves and annotates alerts in a node database. `raise` is the manual (and test) way to emit an
 * alert; engines call cw_alert_emit() directly. Alerts raised here are also published to the node's
 * STIX collection (signed), so partners can pull them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/alert.h"
#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "chainwatch/util.h"
#include "cli/cli.h"

extern const cw_command cw_cmd_alerts;

static const char *opt_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

/* The text of the file at path ("-": standard input), NUL-terminated (*out owned, free()).
 * For evidence too large for one command-line argument (a trace graph). */
static int read_text(const char *path, char **out)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return cw_error_set(CW_EIO, "--evidence-file %s: cannot open", path);
    cw_buf b = {0};
    char chunk[65536];
    size_t k;
    int rc = 0;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (cw_buf_append(&b, chunk, k)) {
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            break;
        }
    if (!rc && ferror(f))
        rc = cw_error_set(CW_EIO, "--evidence-file %s: read error", path);
    if (f != stdin)
        fclose(f);
    if (!rc && cw_buf_append(&b, "", 1))
        rc = cw_error_set(CW_ENOMEM, "out of memory");
    if (rc) {
        cw_buf_deinit(&b);
        return rc;
    }
    *out = (char *)b.data;
    return 0;
}

static void print_alert_line(const json_t *a)
{
    const char *onchain = json_string_value(json_object_get(a, "onchain_time"));
    printf("%-6lld %-27s %-20s %-8s %-8s %-12s %-13s %s\n",
           (long long)json_integer_value(json_object_get(a, "id")),
           json_string_value(json_object_get(a, "time")), onchain ? onchain : "-",
           json_string_value(json_object_get(a, "source")),
           json_string_value(json_object_get(a, "severity")),
           json_string_value(json_object_get(a, "status")),
           json_string_value(json_object_get(a, "tlp")),
           json_string_value(json_object_get(a, "title")));
}

static int run(int argc, char **argv)
{
    const cw_command *cmd = &cw_cmd_alerts;
    if (argc < 2)
        return cw_cli_usage_error(
            cmd, "missing subcommand (list, show, ack, close, assign, note, history, raise)");
    const char *sub = argv[1];
    const char *db_path = "chainwatch.db" /* CHAINWATCH_DB arrives as --db (main.c) */;
    bool json = false;
    cw_alert_filter f;
    memset(&f, 0, sizeof f);
    cw_alert_input in;
    memset(&in, 0, sizeof in);
    in.severity = CW_SEV_MEDIUM;
    in.tlp = CW_TLP_AMBER;
    const char *who = getenv("USER") ? getenv("USER") : "cli";
    const char *note = NULL, *id_arg = NULL, *evidence_file = NULL, *assignee = NULL;
    bool unassign = false;
    int64_t cooldown_s = 0;
    int rc = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (!strcmp(a, "--json")) {
            json = true;
            continue;
        }
        if (!strcmp(a, "--none")) {
            unassign = true;
            continue;
        }
        if (a[0] != '-' || a[1] != '-') {
            if (id_arg)
                return cw_cli_usage_error(cmd, "unexpected argument '%s'", a);
            id_arg = a;
            continue;
        }
        if (!(v = opt_value(argc, argv, &i)))
            return cw_cli_usage_error(cmd, "%s needs a value", a);
        if (!strcmp(a, "--db"))
            db_path = v;
        else if (!strcmp(a, "--status"))
            f.status = v;
        else if (!strcmp(a, "--source")) {
            f.source = v;
            if (cw_alert_source_parse(&in.source, v))
                return cw_cli_usage_error(cmd, "%s", cw_error_last());
        } else if (!strcmp(a, "--kind"))
            f.kind = in.kind = v;
        else if (!strcmp(a, "--min-severity"))
            f.min_severity = v;
        else if (!strcmp(a, "--limit")) {
            uint64_t n;
            if (cw_parse_u64(&n, v) || n == 0 || n > 1000)
                return cw_cli_usage_error(cmd, "--limit: expected 1..1000, got '%s'", v);
            f.limit = (int64_t)n;
        } else if (!strcmp(a, "--after")) {
            uint64_t n;
            if (cw_parse_u64(&n, v))
                return cw_cli_usage_error(cmd, "--after: expected an alert id, got '%s'", v);
            f.after_id = (int64_t)n;
        } else if (!strcmp(a, "--before")) {
            uint64_t n;
            if (cw_parse_u64(&n, v))
                return cw_cli_usage_error(cmd, "--before: expected an alert id, got '%s'", v);
            f.before_id = (int64_t)n;
        } else if (!strcmp(a, "--by"))
            who = v;
        else if (!strcmp(a, "--note"))
            note = v;
        else if (!strcmp(a, "--severity")) {
            if (cw_alert_severity_parse(&in.severity, v))
                return cw_cli_usage_error(cmd, "%s", cw_error_last());
        } else if (!strcmp(a, "--tlp")) {
            if (cw_tlp_parse(&in.tlp, v))
                return cw_cli_usage_error(cmd, "%s", cw_error_last());
        } else if (!strcmp(a, "--share-to"))
            in.share_to = v;
        else if (!strcmp(a, "--title"))
            in.title = v;
        else if (!strcmp(a, "--explanation"))
            in.explanation = v;
        else if (!strcmp(a, "--evidence"))
            in.evidence = v;
        else if (!strcmp(a, "--evidence-file"))
            evidence_file = v;
        else if (!strcmp(a, "--to"))
            assignee = v;
        else if (!strcmp(a, "--assignee"))
            f.assignee = v;
        else if (!strcmp(a, "--dedup-key"))
            in.dedup_key = v;
        else if (!strcmp(a, "--cooldown")) {
            if (cw_parse_i64(&cooldown_s, v))
                return cw_cli_usage_error(cmd, "--cooldown: expected seconds, got '%s'", v);
        } else
            return cw_cli_usage_error(cmd, "unknown option '%s'", a);
    }
    in.cooldown_us = cooldown_s * 1000000;

    bool is_list = !strcmp(sub, "list"), is_show = !strcmp(sub, "show");
    bool is_ack = !strcmp(sub, "ack"), is_close = !strcmp(sub, "close");
    bool is_raise = !strcmp(sub, "raise"), is_assign = !strcmp(sub, "assign");
    bool is_note = !strcmp(sub, "note"), is_history = !strcmp(sub, "history");
    if (!is_list && !is_show && !is_ack && !is_close && !is_raise && !is_assign && !is_note &&
        !is_history)
        return cw_cli_usage_error(cmd, "unknown subcommand '%s'", sub);
    if (is_assign && !assignee == !unassign)
        return cw_cli_usage_error(cmd, "assign needs --to NAME or --none");
    if (is_note && (!note || !*note))
        return cw_cli_usage_error(cmd, "note needs --note TEXT");
    if (in.evidence && evidence_file)
        return cw_cli_usage_error(cmd, "give --evidence or --evidence-file, not both");
    int64_t id = 0;
    if (is_show || is_ack || is_close || is_assign || is_note || is_history) {
        uint64_t n;
        if (!id_arg || cw_parse_u64(&n, id_arg) || n == 0)
            return cw_cli_usage_error(cmd, "%s needs an alert id", sub);
        id = (int64_t)n;
    } else if (id_arg) {
        return cw_cli_usage_error(cmd, "unexpected argument '%s'", id_arg);
    }

    if (is_raise) {
        cw_node *node = NULL;
        if ((rc = cw_node_open(&node, db_path)))
            return cw_cli_fail("alerts", rc);
        int64_t new_id = 0;
        bool dedup = false;
        char *ev_text = NULL;
        if (evidence_file && (rc = read_text(evidence_file, &ev_text))) {
            cw_node_close(node);
            return cw_cli_fail("alerts", rc);
        }
        if (ev_text)
            in.evidence = ev_text;
        rc = cw_alert_emit(cw_node_alerts(node), &in, &new_id, &dedup);
        free(ev_text);
        in.evidence = NULL;
        if (!rc)
            rc = cw_share_publish_pending(node, NULL);
        if (!rc) {
            char target[32];
            snprintf(target, sizeof target, "alert/%lld", (long long)new_id);
            rc = cw_audit_append(node, who, "alert.raise", target, "ok", in.title);
        }
        cw_node_close(node);
        if (rc)
            return cw_cli_fail("alerts", rc);
        if (json)
            return cw_cli_print_json(
                json_pack("{s:I, s:b}", "id", (json_int_t)new_id, "deduplicated", dedup));
        printf("%s alert %lld\n", dedup ? "deduplicated into" : "raised", (long long)new_id);
        return CW_EXIT_OK;
    }

    cw_alert_db *db = NULL;
    if ((rc = cw_alert_db_open(&db, db_path)))
        return cw_cli_fail("alerts", rc);
    json_t *out = NULL;
    if (is_list) {
        rc = cw_alert_list(db, &f, &out);
        if (!rc && !json) {
            size_t k;
            json_t *a;
            /* RAISED: when this node raised the alert; ON-CHAIN: the block time of the tx
             * that triggered it (chain alerts) */
            printf("%-6s %-27s %-20s %-8s %-8s %-12s %-13s %s\n", "ID", "RAISED (UTC)",
                   "ON-CHAIN (UTC)", "SOURCE", "SEVERITY", "STATUS", "TLP", "TITLE");
            json_t *rows = json_object_get(out, "alerts");
            json_array_foreach(rows, k, a) print_alert_line(a);
            if (json_is_true(json_object_get(out, "more"))) {
                /* the listing is cut: say so, and how to see the rest */
                json_t *nb = json_object_get(out, "next_before_id"),
                       *na = json_object_get(out, "next_after_id");
                printf("-- %zu alerts shown; more match: next page with %s %lld "
                       "(--limit up to 1000)\n",
                       json_array_size(rows), json_is_integer(na) ? "--after" : "--before",
                       (long long)json_integer_value(json_is_integer(na) ? na : nb));
            }
            json_decref(out);
            out = NULL;
        }
    } else if (is_show) {
        rc = cw_alert_get(db, id, &out);
        if (!rc && !json) {
            char *s = json_dumps(out, JSON_INDENT(2) | JSON_SORT_KEYS);
            printf("%s\n", s ? s : "");
            free(s);
            json_decref(out);
            out = NULL;
        }
    } else if (is_history) {
        json_t *hist = NULL;
        rc = cw_alert_history(db, id, &hist);
        if (!rc && json) {
            out = json_pack("{s:I, s:o}", "alert_id", (json_int_t)id, "history", hist);
        } else if (!rc) {
            size_t k;
            json_t *e;
            printf("%-27s %-16s %-7s %s\n", "TIME", "BY", "KIND", "TEXT");
            json_array_foreach(hist, k, e)
                printf("%-27s %-16s %-7s %s\n", json_string_value(json_object_get(e, "time")),
                       json_string_value(json_object_get(e, "author")),
                       json_string_value(json_object_get(e, "kind")),
                       json_string_value(json_object_get(e, "text")));
            if (!json_array_size(hist))
                printf("-- no notes, assignments or status changes yet\n");
            json_decref(hist);
        }
    } else if (is_assign || is_note) {
        int64_t entry = 0;
        rc = is_assign ? cw_alert_assign(db, id, unassign ? NULL : assignee, who)
                       : cw_alert_note_add(db, id, who, note, &entry);
        cw_node *node = NULL;
        if (!rc && cw_node_open(&node, db_path) == 0) {
            /* audited like the API's writes */
            char target[32], det[128];
            snprintf(target, sizeof target, "alert/%lld", (long long)id);
            if (is_assign)
                snprintf(det, sizeof det, "%s%.64s", unassign ? "unassigned" : "assigned to ",
                         unassign ? "" : assignee);
            else
                snprintf(det, sizeof det, "note %lld (%zu bytes)", (long long)entry, strlen(note));
            rc = cw_audit_append(node, who, is_assign ? "alert.assign" : "alert.note", target, "ok",
                                 det);
            cw_node_close(node);
        }
        if (!rc && json)
            rc = cw_alert_get(db, id, &out);
        else if (!rc && is_assign)
            printf("alert %lld %s%s by %s\n", (long long)id,
                   unassign ? "unassigned" : "assigned to ", unassign ? "" : assignee, who);
        else if (!rc)
            printf("note %lld added to alert %lld by %s\n", (long long)entry, (long long)id, who);
    } else {
        cw_alert_status to = is_ack ? CW_ALERT_ACKNOWLEDGED : CW_ALERT_CLOSED;
        rc = cw_alert_set_status(db, id, to, who, note);
        if (!rc)
            rc = cw_alert_get(db, id, &out);
        cw_node *node = NULL;
        if (!rc && cw_node_open(&node, db_path) == 0) {
            /* On a sharing node, status changes are audited like the API's. */
            char target[32];
            snprintf(target, sizeof target, "alert/%lld", (long long)id);
            rc = cw_audit_append(node, who, is_ack ? "alert.ack" : "alert.close", target, "ok",
                                 note ? note : "");
            cw_node_close(node);
        }
        if (!rc && !json) {
            printf("alert %lld %s by %s\n", (long long)id, cw_alert_status_name(to), who);
            json_decref(out);
            out = NULL;
        }
    }
    cw_alert_db_close(db);
    if (rc) {
        json_decref(out);
        return cw_cli_fail("alerts", rc);
    }
    return out ? cw_cli_print_json(out) : CW_EXIT_OK;
}

const cw_command cw_cmd_alerts = {
    "alerts", "list, show, acknowledge, close or raise alerts",
    "Usage: chainwatch alerts list  [--db PATH] [--status S] [--source S] [--kind K]\n"
    "                               [--min-severity S] [--assignee NAME] [--limit N]\n"
    "                               [--after ID | --before ID] [--json]\n"
    "       chainwatch alerts show  ID [--db PATH] [--json]\n"
    "       chainwatch alerts ack   ID [--db PATH] [--by WHO] [--note TEXT] [--json]\n"
    "       chainwatch alerts close ID [--db PATH] [--by WHO] [--note TEXT] [--json]\n"
    "       chainwatch alerts assign ID (--to NAME | --none) [--db PATH] [--by WHO] [--json]\n"
    "       chainwatch alerts note  ID --note TEXT [--db PATH] [--by WHO] [--json]\n"
    "       chainwatch alerts history ID [--db PATH] [--json]\n"
    "       chainwatch alerts raise --title T --kind K [--source chain|supply] [--severity S]\n"
    "                               [--tlp clear|green|amber|amber+strict|red] [--share-to ORGS]\n"
    "                               [--explanation T] [--evidence JSON | --evidence-file F]\n"
    "                               [--dedup-key K]\n"
    "                               [--cooldown SECONDS] [--db PATH] [--json]\n\n"
    "The database defaults to $CHAINWATCH_DB or ./chainwatch.db; it must exist (exit 3).\n"
    "A listing shows 100 alerts unless --limit says otherwise, and ends with a line saying\n"
    "how to get the next page when more match. Status: new, acknowledged, closed;\n"
    "severity: info, low, medium, high, critical. --share-to names the organisation(s) that may\n"
    "receive a TLP:AMBER (comma-separated) or TLP:AMBER+STRICT (exactly one) alert.\n"
    "`raise` needs an initialised node (chainwatch node init) and publishes the alert to the\n"
    "node's signed STIX collection. --evidence-file reads the evidence from a file (- for\n"
    "standard input), for documents larger than one command-line argument (a trace graph).\n"
    "list --assignee NAME: only the alerts assigned to NAME.\n"
    "assign, note and history: the alert's assignee and its history of notes, assignments and\n"
    "status changes (who, when); they stay on this node and are never shared with partners.\n",
    run};
