/*
 * api.c: the JSON API under /api/v1/: alerts (list with filters and keyset paging, the real
 * total of the filter and its split by severity, one alert, acknowledge, close, assign, notes
 * and history, the share preview) and the node's public facts. Reads are TLP-filtered for the
 * caller: an alert the caller may not see answers 404 on every route under it, so its
 * history and preview are never shown to someone its marking excludes. Writes need role
 * analyst or admin and are audited with what changed (http.write, detail). Partners (role
 * peer) use TAXII, not this API.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "server/internal.h"

static bool alert_visible(cw_server *s, const json_t *a, const cw_principal *who)
{
    cw_tlp t;
    if (cw_tlp_parse(&t, json_string_value(json_object_get(a, "tlp"))))
        return false;
    cw_buf b = {0};
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(a, "share_to"), i, o)
        cw_buf_printf(&b, "%s%s", i ? "," : "", json_string_value(o));
    cw_buf_append(&b, "", 1);
    bool ok = cw_tlp_allows(t, (const char *)b.data, cw_node_org(s->node), who);
    cw_buf_deinit(&b);
    return ok;
}

typedef struct count_ctx {
    cw_server *s;
    const cw_principal *who;
    json_int_t total;
    json_t *by_sev;
} count_ctx;

static int count_group(const cw_alert_count_group *g, void *payload)
{
    count_ctx *c = payload;
    if (!cw_tlp_allows(g->tlp, g->share_to, cw_node_org(c->s->node), c->who))
        return 0;
    c->total += g->count;
    const char *sev = cw_alert_severity_name(g->severity);
    json_object_set_new(
        c->by_sev, sev,
        json_integer(json_integer_value(json_object_get(c->by_sev, sev)) + g->count));
    return 0;
}

static void list_alerts(cw_server *s, cw_req *q, cw_resp *r)
{
    cw_alert_filter f;
    memset(&f, 0, sizeof f);
    f.status = cw_server__arg(q, "status");
    f.source = cw_server__arg(q, "source");
    f.kind = cw_server__arg(q, "kind");
    f.min_severity = cw_server__arg(q, "min_severity");
    f.assignee = cw_server__arg(q, "assignee");
    if (f.assignee && !*f.assignee)
        f.assignee = NULL;
    const char *lim = cw_server__arg(q, "limit"), *after = cw_server__arg(q, "after");
    const char *before = cw_server__arg(q, "before");
    uint64_t v;
    if (lim) {
        if (cw_parse_u64(&v, lim) || v == 0 || v > 1000) {
            cw_server__error(r, 400, "Bad request", "limit: expected 1..1000");
            return;
        }
        f.limit = (int64_t)v;
    }
    if (after) {
        if (cw_parse_u64(&v, after) || v > INT64_MAX) {
            cw_server__error(r, 400, "Bad request", "after: expected an alert id");
            return;
        }
        f.after_id = (int64_t)v;
    }
    if (before) {
        if (cw_parse_u64(&v, before) || v > INT64_MAX) {
            cw_server__error(r, 400, "Bad request", "before: expected an alert id");
            return;
        }
        f.before_id = (int64_t)v;
    }
    json_t *out = NULL;
    int rc = cw_alert_list(cw_node_alerts(s->node), &f, &out);
    if (rc) {
        cw_server__error(r, rc == CW_EINVAL ? 400 : 500, rc == CW_EINVAL ? "Bad request" : "Error",
                         cw_error_last());
        return;
    }
    json_t *arr = json_object_get(out, "alerts");
    json_t *kept = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(arr, i, a) if (alert_visible(s, a, &q->who)) json_array_append(kept, a);
    json_object_set_new(out, "alerts", kept);
    /* The real total of the filter (every page, TLP-filtered for the caller) and its split by
     * severity, so that a page never has to guess from what it fetched: one aggregate query in
     * groups of equal marking, each group checked once. */
    count_ctx cc = {s, &q->who, 0, json_object()};
    if ((rc = cw_alert_count(cw_node_alerts(s->node), &f, count_group, &cc))) {
        json_decref(cc.by_sev);
        json_decref(out);
        cw_server__error(r, 500, "Error", cw_error_last());
        return;
    }
    json_int_t total = cc.total;
    json_t *by_sev = cc.by_sev;
    json_object_set_new(out, "total", json_integer(total));
    json_object_set_new(out, "total_by_severity", by_sev);
    r->body = out;
}

void cw_server__api(cw_server *s, cw_req *q, char **segs, int n, cw_resp *r)
{
    bool get = !strcmp(q->method, "GET"), post = !strcmp(q->method, "POST");
    /* Partners use TAXII, and may fetch the signed audit checkpoint (more_api.c). */
    if (q->who.role == CW_ROLE_PEER &&
        !(n == 2 && !strcmp(segs[0], "audit") && !strcmp(segs[1], "checkpoint"))) {
        cw_server__error(r, 403, "Forbidden", "partners use the TAXII API");
        return;
    }
    if (n == 1 && !strcmp(segs[0], "node")) {
        if (!get) {
            cw_server__error(r, 405, "Method not allowed", NULL);
            return;
        }
        r->body = cw_node_info(s->node);
        return;
    }
    if (cw_server__more_api(s, q, segs, n, r))
        return;
    if (n >= 1 && !strcmp(segs[0], "evm")) {
        cw_server__evm_api(s, q, segs + 1, n - 1, r);
        return;
    }
    if (n >= 1 && !strcmp(segs[0], "chain")) {
        cw_server__chain_api(s, q, segs + 1, n - 1, r);
        return;
    }
    if (n < 1 || strcmp(segs[0], "alerts") != 0) {
        cw_server__error(r, 404, "Not found", "no such resource");
        return;
    }
    if (n == 1) {
        if (!get) {
            cw_server__error(r, 405, "Method not allowed", NULL);
            return;
        }
        list_alerts(s, q, r);
        return;
    }
    uint64_t id;
    if (cw_parse_u64(&id, segs[1]) || id == 0 || id > INT64_MAX || n > 3) {
        cw_server__error(r, 404, "Not found", "no such alert");
        return;
    }
    json_t *a = NULL;
    if (cw_alert_get(cw_node_alerts(s->node), (int64_t)id, &a) || !alert_visible(s, a, &q->who)) {
        json_decref(a);
        cw_server__error(r, 404, "Not found", "no such alert");
        return;
    }
    if (n == 2) {
        if (!get) {
            json_decref(a);
            {
                cw_server__error(r, 405, "Method not allowed", NULL);
                return;
            }
        }
        r->body = a;
        return;
    }
    bool staff = q->who.role == CW_ROLE_ANALYST || q->who.role == CW_ROLE_ADMIN;
    if (!strcmp(segs[2], "history")) {
        json_decref(a);
        if (!get) {
            cw_server__error(r, 405, "Method not allowed", NULL);
            return;
        }
        json_t *hist = NULL;
        int rc = cw_alert_history(cw_node_alerts(s->node), (int64_t)id, &hist);
        if (rc)
            cw_server__fail(r, rc);
        else
            r->body = json_pack("{s:I, s:o}", "alert_id", (json_int_t)id, "history", hist);
        return;
    }
    if (!strcmp(segs[2], "share-preview")) {
        if (!get) {
            json_decref(a);
            cw_server__error(r, 405, "Method not allowed", NULL);
            return;
        }
        if (!staff) {
            json_decref(a);
            cw_server__error(r, 403, "Forbidden", "the share preview needs role analyst or admin");
            return;
        }
        int rc = cw_share_preview(s->node, a, &r->body);
        json_decref(a);
        if (rc)
            cw_server__fail(r, rc);
        return;
    }
    json_decref(a);
    bool ack = !strcmp(segs[2], "ack"), close = !strcmp(segs[2], "close");
    bool assign = !strcmp(segs[2], "assign"), note_add = !strcmp(segs[2], "notes");
    if (!ack && !close && !assign && !note_add) {
        cw_server__error(r, 404, "Not found", "no such resource");
        return;
    }
    if (!post) {
        cw_server__error(r, 405, "Method not allowed", NULL);
        return;
    }
    if (!staff) {
        cw_server__error(r, 403, "Forbidden",
                         assign || note_add
                             ? "assigning and adding notes need role analyst or admin"
                             : "acknowledging and closing need role analyst or admin");
        return;
    }
    json_t *body = NULL;
    if (q->body_len) {
        json_error_t err;
        body = json_loadb(q->body, q->body_len, JSON_REJECT_DUPLICATES, &err);
    }
    int rc;
    if (assign || note_add) {
        /* {"assignee": "name" | null} or {"text": "..."} */
        json_t *v = json_object_get(body, assign ? "assignee" : "text");
        bool ok = json_is_object(body) &&
                  (assign ? (json_is_string(v) || json_is_null(v)) : json_is_string(v));
        if (!ok) {
            json_decref(body);
            cw_server__error(r, 400, "Bad request",
                             assign ? "body: expected {\"assignee\": \"NAME\"} or "
                                      "{\"assignee\": null}"
                                    : "body: expected {\"text\": \"...\"}");
            return;
        }
        int64_t entry = 0;
        if (assign)
            rc = cw_alert_assign(cw_node_alerts(s->node), (int64_t)id, json_string_value(v),
                                 q->who.name);
        else
            rc = cw_alert_note_add(cw_node_alerts(s->node), (int64_t)id, q->who.name,
                                   json_string_value(v), &entry);
        if (!rc) {
            /* the audit entry names what changed (the note's text stays in the history) */
            char det[128];
            if (assign)
                snprintf(det, sizeof det, "%s%.64s",
                         json_string_value(v) && *json_string_value(v) ? "assigned to "
                                                                       : "unassigned",
                         json_string_value(v) ? json_string_value(v) : "");
            else
                snprintf(det, sizeof det, "note %lld (%zu bytes)", (long long)entry,
                         strlen(json_string_value(v)));
            r->audit_detail = cw_arena_strndup(q->arena, det, strlen(det));
        }
        json_decref(body);
        if (rc) {
            cw_server__fail(r, rc);
            return;
        }
        if (assign) {
            cw_alert_get(cw_node_alerts(s->node), (int64_t)id, &r->body);
        } else {
            json_t *hist = NULL;
            if ((rc = cw_alert_history(cw_node_alerts(s->node), (int64_t)id, &hist)))
                cw_server__fail(r, rc);
            else
                r->body = json_pack("{s:I, s:I, s:o}", "alert_id", (json_int_t)id, "note_id",
                                    (json_int_t)entry, "history", hist);
        }
        return;
    }
    const char *note = NULL;
    if (q->body_len) {
        if (!json_is_object(body) ||
            (json_object_get(body, "note") && !json_is_string(json_object_get(body, "note")))) {
            json_decref(body);
            cw_server__error(r, 400, "Bad request", "body: expected {\"note\": \"...\"}");
            return;
        }
        note = json_string_value(json_object_get(body, "note"));
    }
    rc = cw_alert_set_status(cw_node_alerts(s->node), (int64_t)id,
                             ack ? CW_ALERT_ACKNOWLEDGED : CW_ALERT_CLOSED, q->who.name, note);
    json_decref(body);
    if (rc == CW_EINVAL) {
        cw_server__error(r, 409, "Conflict", cw_error_last());
        return;
    }
    if (rc) {
        cw_server__error(r, 500, "Error", cw_error_last());
        return;
    }
    cw_alert_get(cw_node_alerts(s->node), (int64_t)id, &r->body);
}
