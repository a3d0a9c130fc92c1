/*
 * preview.c: the share preview of one alert: which STIX objects each partner organisation
 * would receive from this node's TAXII collection, under the alert's TLP marking and the
 * partner's access. Read-only: nothing is stored, signed into the collection or audited here.
 *
 * The preview goes through the same code as what is sent, so the two cannot differ:
 *  - an alert already published: its report is found in the collection (by the alert id in its
 *    alert extension), and each partner's share is the answer of cw_taxii_collection_query()
 *    for that partner's principal (role peer, its organisation) over the report and the
 *    objects it references: the query a partner's TAXII pull runs;
 *  - an alert not yet published: cw_share__publish_one() builds and signs its objects in dry
 *    mode (the markings they would be stored under, merged with copies already stored as the
 *    collection does), and each object is checked with cw_tlp_allows() as the TAXII query
 *    does. The ids of SDOs are random (UUIDv4) and assigned again at publishing; SCO ids
 *    (wallets) are deterministic;
 *  - an alert that cannot become STIX (publish_skipped) or came from a partner sends nothing.
 * Partners are the organisations of this node's active peer keys (they can pull), of the
 * registered peers and of the alert's audience; an organisation without a peer key receives
 * nothing until it is given one, and the preview says so.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "share/internal.h"

/* One partner organisation: its peer keys (names), whether it can pull. */
typedef struct partner {
    char org[64];
    json_t *keys;
    bool can_pull;
} partner;

static partner *partner_get(partner *ps, size_t *n, size_t cap, const char *org)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcasecmp(ps[i].org, org))
            return &ps[i];
    if (*n == cap || !*org || strlen(org) >= sizeof ps[0].org)
        return NULL;
    partner *p = &ps[(*n)++];
    snprintf(p->org, sizeof p->org, "%s", org);
    p->keys = json_array();
    p->can_pull = false;
    return p;
}

enum { MAX_PARTNERS = 64 };

static int collect_partners(cw_node *n, const json_t *alert, partner *ps, size_t *np)
{
    json_t *keys = NULL, *peers = NULL;
    int rc = cw_keys_list(n, &keys);
    if (!rc)
        rc = cw_peer_list(n, &peers);
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        const char *role = json_string_value(json_object_get(k, "role"));
        const char *org = json_string_value(json_object_get(k, "org"));
        if (!role || strcmp(role, "peer") != 0 || !org ||
            !json_is_null(json_object_get(k, "revoked")))
            continue;
        partner *p = partner_get(ps, np, MAX_PARTNERS, org);
        if (p) {
            p->can_pull = true;
            json_array_append(p->keys, json_object_get(k, "name"));
        }
    }
    json_t *peer_list = json_is_array(peers) ? peers : json_object_get(peers, "peers");
    json_array_foreach(peer_list, i, k)
    {
        const char *org = json_string_value(json_object_get(k, "org"));
        if (org && strcasecmp(org, n->org) != 0)
            partner_get(ps, np, MAX_PARTNERS, org);
    }
    json_array_foreach(json_object_get(alert, "share_to"), i, k)
    {
        const char *org = json_string_value(k);
        if (org && strcasecmp(org, n->org) != 0)
            partner_get(ps, np, MAX_PARTNERS, org);
    }
    json_decref(keys);
    json_decref(peers);
    return rc;
}

/* The published report of alert id, or NULL (*out_json owned). */
static int find_report(cw_node *n, int64_t id, json_t **out)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(n->db,
                           "SELECT json FROM stix_objects WHERE type = 'report' AND "
                           "json_extract(json, '$.extensions.\"" CW_STIX_EXT_ALERT
                           "\".alert_id') = ? ORDER BY date_added DESC LIMIT 1",
                           -1, &st, NULL))
        return cw_error_set(CW_EIO, "preview: %s", sqlite3_errmsg(n->db));
    sqlite3_bind_int64(st, 1, id);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *out = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
    sqlite3_finalize(st);
    if (s != SQLITE_ROW && s != SQLITE_DONE)
        return cw_error_set(CW_EIO, "preview: %s", sqlite3_errmsg(n->db));
    return 0;
}

/* The reason alert id was skipped by publishing, or "" (buf). */
static void skipped_reason(cw_node *n, int64_t id, char *buf, size_t cap)
{
    buf[0] = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(n->db, "SELECT reason FROM publish_skipped WHERE alert_id = ?", -1, &st,
                           NULL))
        return;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* The objects the collection serves `who` among ids (comma-separated), latest versions: the
 * TAXII query itself. *out: [{id, type, tlp, share_to?, object}] (tlp from the marking). */
static int taxii_objects(cw_node *n, const cw_principal *who, const char *ids, json_t **out)
{
    cw_taxii_query tq;
    memset(&tq, 0, sizeof tq);
    tq.match_id = ids;
    tq.limit = 1000;
    cw_taxii_page pg;
    int rc = cw_taxii_collection_query(n, who, &tq, false, &pg);
    if (rc)
        return rc;
    json_t *arr = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(pg.objects, i, o)
    {
        cw_tlp t = CW_TLP_RED;
        bool marked = cw_stix_effective_tlp(o, &t) == 0;
        json_array_append_new(arr, json_pack("{s:O, s:O, s:s, s:O}", "id", json_object_get(o, "id"),
                                             "type", json_object_get(o, "type"), "tlp",
                                             marked ? cw_tlp_name(t) : "none", "object", o));
    }
    json_decref(pg.objects);
    cw_buf_deinit(&pg.raw);
    *out = arr;
    return 0;
}

static bool has_id(const json_t *objs, const char *id)
{
    size_t i;
    json_t *o;
    json_array_foreach(objs, i,
                       o) if (!strcmp(json_string_value(json_object_get(o, "id")), id)) return true;
    return false;
}

static const char *withheld_reason(const char *tlp)
{
    if (!strcmp(tlp, "red"))
        return "TLP:RED never leaves this node";
    if (!strcmp(tlp, "amber+strict"))
        return "TLP:AMBER+STRICT: only the one organisation named";
    if (!strcmp(tlp, "amber"))
        return "TLP:AMBER: this organisation is not in the audience";
    return "not served to this organisation";
}

int cw_share_preview(cw_node *n, const json_t *alert, json_t **out)
{
    *out = NULL;
    json_int_t id = json_integer_value(json_object_get(alert, "id"));
    const char *source = json_string_value(json_object_get(alert, "source"));
    if (id <= 0)
        return cw_error_set(CW_EINVAL, "preview: the alert has no id");
    partner ps[MAX_PARTNERS];
    size_t np = 0;
    json_t *all = NULL, *report = NULL, *res = NULL;
    char reason[512] = "", buf[32];
    const char *state;
    bool dry = false;
    int rc = collect_partners(n, alert, ps, &np);
    if (rc)
        goto out;

    int64_t done = 0;
    if ((rc = cw_share__meta_get(n->db, "published_alert_id", buf, sizeof buf)))
        goto out;
    if (cw_parse_i64(&done, buf)) {
        rc = cw_error_set(CW_ECORRUPT, "node: bad published_alert_id");
        goto out;
    }
    skipped_reason(n, (int64_t)id, reason, sizeof reason);
    cw_buf ids = {0};
    if (source && !strcmp(source, "partner")) {
        state = "partner-alert";
        snprintf(reason, sizeof reason,
                 "an alert received from a partner is not shared again from this node");
        all = json_array();
    } else if (reason[0]) {
        state = "skipped";
        all = json_array();
    } else if (id <= done && !(rc = find_report(n, (int64_t)id, &report)) && report) {
        /* published: what the collection holds, as a local reader sees it */
        state = "published";
        cw_buf_printf(&ids, "%s", json_string_value(json_object_get(report, "id")));
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(report, "object_refs"), i, r)
            cw_buf_printf(&ids, ",%s", json_string_value(r));
        cw_buf_append(&ids, "", 1);
        cw_principal local;
        memset(&local, 0, sizeof local);
        snprintf(local.name, sizeof local.name, "preview");
        snprintf(local.org, sizeof local.org, "%.63s", n->org);
        local.role = CW_ROLE_ADMIN;
        rc = taxii_objects(n, &local, (const char *)ids.data, &all);
    } else if (!rc) {
        /* not yet published: the objects publishing would build, stored nowhere */
        state = "pending";
        dry = true;
        json_t *built = json_array();
        int count = 0;
        rc = cw_share__publish_one(n, alert, &count, built);
        if (rc == CW_EINVAL) {
            snprintf(reason, sizeof reason, "%s", cw_error_last());
            state = "cannot-publish";
            rc = 0;
            json_array_clear(built);
        }
        all = json_array();
        size_t i;
        json_t *b;
        json_array_foreach(built, i, b)
        {
            json_t *o = json_object_get(b, "object");
            json_array_append_new(
                all, json_pack("{s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(o, "id"), "type",
                               json_object_get(o, "type"), "tlp", json_object_get(b, "tlp"),
                               "share_to", json_object_get(b, "share_to"), "object", o));
        }
        json_decref(built);
    }
    if (rc) {
        cw_buf_deinit(&ids);
        goto out;
    }

    json_t *parts = json_array();
    for (size_t p = 0; p < np && !rc; p++) {
        cw_principal who;
        memset(&who, 0, sizeof who);
        snprintf(who.name, sizeof who.name, "%.63s",
                 json_array_size(ps[p].keys) ? json_string_value(json_array_get(ps[p].keys, 0))
                                             : ps[p].org);
        snprintf(who.org, sizeof who.org, "%.63s", ps[p].org);
        who.role = CW_ROLE_PEER;
        json_t *allowed = NULL;
        if (dry) {
            allowed = json_array();
            size_t i;
            json_t *o;
            json_array_foreach(all, i, o)
            {
                cw_tlp t;
                if (!cw_tlp_parse(&t, json_string_value(json_object_get(o, "tlp"))) &&
                    cw_tlp_allows(t, json_string_value(json_object_get(o, "share_to")), n->org,
                                  &who))
                    json_array_append(allowed, o);
            }
        } else if (ids.data) {
            rc = taxii_objects(n, &who, (const char *)ids.data, &allowed);
        } else {
            allowed = json_array();
        }
        if (rc)
            break;
        json_t *recv = json_array(), *withheld = json_array();
        size_t i;
        json_t *o;
        json_array_foreach(allowed, i, o) json_array_append_new(
            recv, json_pack("{s:O, s:O, s:O}", "id", json_object_get(o, "id"), "type",
                            json_object_get(o, "type"), "tlp", json_object_get(o, "tlp")));
        json_array_foreach(all, i, o)
        {
            const char *oid = json_string_value(json_object_get(o, "id"));
            const char *t = json_string_value(json_object_get(o, "tlp"));
            if (!has_id(allowed, oid))
                json_array_append_new(withheld, json_pack("{s:s, s:O, s:O, s:s}", "id", oid, "type",
                                                          json_object_get(o, "type"), "tlp",
                                                          json_object_get(o, "tlp"), "reason",
                                                          withheld_reason(t ? t : "")));
        }
        json_decref(allowed);
        json_array_append_new(
            parts, json_pack("{s:s, s:O, s:b, s:I, s:o, s:o, s:s}", "org", ps[p].org, "keys",
                             ps[p].keys, "can_pull", ps[p].can_pull, "receives_count",
                             (json_int_t)(ps[p].can_pull ? json_array_size(recv) : 0), "allowed",
                             recv, "withheld", withheld, "note",
                             ps[p].can_pull ? "pulls these objects from this node's TAXII "
                                              "collection"
                                            : "has no peer key on this node: receives nothing "
                                              "until given a key with the peer role"));
    }
    cw_buf_deinit(&ids);
    if (rc) {
        json_decref(parts);
        goto out;
    }
    json_t *objs = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(all, i, o) json_array_append_new(objs, json_deep_copy(o));
    res =
        json_pack("{s:I, s:s, s:O, s:O, s:s, s:b, s:o, s:o}", "alert_id", id, "state", state, "tlp",
                  json_object_get(alert, "tlp"), "share_to", json_object_get(alert, "share_to"),
                  "node_org", n->org, "ids_final", !dry, "objects", objs, "partners", parts);
    if (reason[0])
        json_object_set_new(res, "reason", json_string(reason));
    json_object_set_new(
        res, "note",
        json_string(!strcmp(state, "published")
                        ? "the objects as stored in this node's TAXII collection; each partner's "
                          "list is the TAXII query its pull runs"
                    : dry ? "not yet published: the objects publishing will build and sign; "
                            "report, indicator, observed-data and sighting ids are assigned "
                            "when it publishes (wallet ids are fixed)"
                          : "nothing from this alert is sent"));
    *out = res;
out:
    for (size_t p = 0; p < np; p++)
        json_decref(ps[p].keys);
    json_decref(all);
    json_decref(report);
    return rc;
}
