/*
 * api.c: the JSON API under /api/v1/: alerts (list with filters and keyset paging, the real
 * total of the filter and its split by severity, one alert, acknowledge, close) and the node's
 * public facts. Reads are TLP-filtered for the caller;
 * partners (role peer) use TAXII, not this API.
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

static void list_alerts(cw_server *s, cw_req *q, cw_resp *r)
{
    cw_alert_filter f;
    memset(&f, 0, sizeof f);
    f.status = cw_server__arg(q, "status");
    f.source = cw_server__arg(q, "source");
    f.kind = cw_server__arg(q, "kind");
    f.min_severity = cw_server__arg(q, "min_severity");
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
     * severity, so that a page never has to guess from what it fetched. */
    cw_alert_filter all = f;
    all.before_id = 0;
    all.after_id = 0;
    all.limit = 1000;
    json_int_t total = 0;
    json_t *by_sev = json_object();
    for (;;) {
        json_t *pg = NULL;
        if ((rc = cw_alert_list(cw_node_alerts(s->node), &all, &pg))) {
            json_decref(by_sev);
            json_decref(out);
            cw_server__error(r, 500, "Error", cw_error_last());
            return;
        }
        json_array_foreach(json_object_get(pg, "alerts"), i, a)
        {
            if (!alert_visible(s, a, &q->who))
                continue;
            total++;
            const char *sev = json_string_value(json_object_get(a, "severity"));
            if (sev)
                json_object_set_new(
                    by_sev, sev,
                    json_integer(json_integer_value(json_object_get(by_sev, sev)) + 1));
        }
        json_t *na = json_object_get(pg, "next_after_id"),
               *nb = json_object_get(pg, "next_before_id");
        bool more = json_is_true(json_object_get(pg, "more")) &&
                    (json_is_integer(na) || json_is_integer(nb));
        if (more && json_is_integer(na))
            all.after_id = (int64_t)json_integer_value(na);
        else if (more)
            all.before_id = (int64_t)json_integer_value(nb);
        json_decref(pg);
        if (!more)
            break;
    }
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
    json_decref(a);
    bool ack = !strcmp(segs[2], "ack"), close = !strcmp(segs[2], "close");
    if (!ack && !close) {
        cw_server__error(r, 404, "Not found", "no such resource");
        return;
    }
    if (!post) {
        cw_server__error(r, 405, "Method not allowed", NULL);
        return;
    }
    if (q->who.role != CW_ROLE_ANALYST && q->who.role != CW_ROLE_ADMIN) {
        cw_server__error(r, 403, "Forbidden",
                         "acknowledging and closing need role analyst or admin");
        return;
    }
    const char *note = NULL;
    json_t *body = NULL;
    if (q->body_len) {
        json_error_t err;
        body = json_loadb(q->body, q->body_len, JSON_REJECT_DUPLICATES, &err);
        if (!json_is_object(body) ||
            (json_object_get(body, "note") && !json_is_string(json_object_get(body, "note")))) {
            json_decref(body);
            {
                cw_server__error(r, 400, "Bad request", "body: expected {\"note\": \"...\"}");
                return;
            }
        }
        note = json_string_value(json_object_get(body, "note"));
    }
    int rc = cw_alert_set_status(cw_node_alerts(s->node), (int64_t)id,
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
