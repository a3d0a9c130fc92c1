/*
 * collection.c: the node's TAXII collection (table stix_objects) and the publishing of local
 * alerts into it.
 *
 * Each stored object keeps its TLP level and audience beside the JSON so that every read
 * path filters with cw_tlp_allows(). date_added is unique and strictly increasing (one
 * microsecond past the previous one when the clock has not moved), and `seq` grows with it,
 * so paging by `seq` (the opaque TAXII `next`) neither loses nor repeats an object while
 * others are added. A cyber-observable has a deterministic id (the same wallet in two
 * alerts): when it comes again under a less restrictive TLP, the stored copy takes that
 * marking (and a new date_added), since the less restricted alert discloses it anyway; a more
 * restrictive repeat changes nothing. Publishing is idempotent: the id of the last published alert
 * is kept in table node and moved in the same transaction as the objects.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "share/internal.h"

static int sql_fail(sqlite3 *db, const char *what)
{
    return cw_error_set(CW_EIO, "collection: %s: %s", what, sqlite3_errmsg(db));
}

/* Inserts within the caller's transaction. */
static int add_locked(cw_node *n, const json_t *obj, cw_tlp tlp, const char *share_to,
                      int64_t *out_date_added)
{
    const char *id = json_string_value(json_object_get(obj, "id"));
    const char *type = json_string_value(json_object_get(obj, "type"));
    const char *spec = json_string_value(json_object_get(obj, "spec_version"));
    const char *version = json_string_value(json_object_get(obj, "modified"));
    if (!version)
        version = json_string_value(json_object_get(obj, "created"));
    if (!id || !type)
        return cw_error_set(CW_EINVAL, "collection: object without id or type");
    if (!version)
        version = "1970-01-01T00:00:00.000Z"; /* SCOs have no versions */
    sqlite3_stmt *st = NULL;
    int64_t last = 0;
    if (sqlite3_prepare_v2(n->db, "SELECT coalesce(max(date_added), 0) FROM stix_objects", -1, &st,
                           NULL))
        return sql_fail(n->db, "add");
    if (sqlite3_step(st) == SQLITE_ROW)
        last = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    int64_t now = cw_alert_now_us();
    if (now <= last)
        now = last + 1;
    char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    if (!text)
        return cw_error_set(CW_ENOMEM, "out of memory");
    int rc = 0;
    if (sqlite3_prepare_v2(
            n->db,
            "INSERT INTO stix_objects(id, version, type, spec_version, date_added, tlp, share_to, "
            "json) VALUES(?,?,?,?,?,?,?,?) "
            "ON CONFLICT(id, version) DO UPDATE SET tlp = excluded.tlp, share_to = "
            "excluded.share_to, json = excluded.json, date_added = excluded.date_added "
            "WHERE excluded.tlp < stix_objects.tlp",
            -1, &st, NULL)) {
        free(text);
        return sql_fail(n->db, "add");
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, spec ? spec : "2.1", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_int(st, 6, (int)tlp);
    sqlite3_bind_text(st, 7, share_to ? share_to : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, text, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sql_fail(n->db, "add");
    sqlite3_finalize(st);
    free(text);
    if (!rc && out_date_added)
        *out_date_added = now;
    return rc;
}

int cw_share_collection_add(cw_node *n, const json_t *obj, cw_tlp tlp, const char *share_to,
                            int64_t *out_date_added)
{
    int rc = cw_alert__exec(n->db, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    rc = add_locked(n, obj, tlp, share_to, out_date_added);
    if (!rc)
        rc = cw_alert__exec(n->db, "COMMIT");
    if (rc)
        cw_alert__exec(n->db, "ROLLBACK");
    return rc;
}

static int collect(const json_t *alert, void *payload)
{
    return json_array_append((json_t *)payload, (json_t *)(uintptr_t)alert) ? CW_ENOMEM : 0;
}

/* Signs obj, appends its id to refs (when refs) and stores it. Steals obj. */
static int put(cw_node *n, json_t *obj, cw_tlp tlp, const char *share_to, json_t *refs, int *count)
{
    if (!obj)
        return cw_error_set(CW_EINVAL, "publish: could not build a STIX object");
    int rc = cw_stix_sign(obj, n->sk, n->pk);
    if (!rc && refs)
        json_array_append(refs, json_object_get(obj, "id"));
    if (!rc)
        rc = add_locked(n, obj, tlp, share_to, NULL);
    if (!rc)
        (*count)++;
    json_decref(obj);
    return rc;
}

/* STIX forbids empty lists: drops members whose value is an empty array or object, at any
 * depth (a copy of the alert's evidence may hold them). */
static void prune_empty(json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *e;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, e)
        {
            prune_empty(e);
            if ((json_is_array(e) && json_array_size(e) == 0) ||
                (json_is_object(e) && json_object_size(e) == 0))
                json_object_del(v, k);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) prune_empty(e);
    }
}

static int publish_one(cw_node *n, const json_t *a, int *count)
{
    cw_tlp tlp;
    if (cw_tlp_parse(&tlp, json_string_value(json_object_get(a, "tlp"))))
        return CW_ECORRUPT;
    int64_t t = 0;
    cw_alert_parse_time(&t, json_string_value(json_object_get(a, "time")));
    int64_t last = t;
    cw_alert_parse_time(&last, json_string_value(json_object_get(a, "last_seen")));
    cw_stix_ctx c = {n->identity, tlp, t};
    const char *title = json_string_value(json_object_get(a, "title"));
    const char *expl = json_string_value(json_object_get(a, "explanation"));
    const char *source = json_string_value(json_object_get(a, "source"));
    json_t *ev = json_object_get(a, "evidence");
    cw_buf share_to = {0};
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(a, "share_to"), i, s)
        cw_buf_printf(&share_to, "%s%s", i ? "," : "", json_string_value(s));
    cw_buf_append(&share_to, "", 1);
    const char *aud = (const char *)share_to.data;
    json_t *refs = json_array();
    int rc = 0;

    json_t *addrs = json_object_get(ev, "addresses");
    if (json_is_array(addrs) && json_array_size(addrs) > 0) {
        size_t na = json_array_size(addrs);
        const char **av = cw_calloc(na, sizeof *av);
        json_t *wallet_refs = json_array();
        for (i = 0; !rc && i < na; i++) {
            av[i] = json_string_value(json_array_get(addrs, i));
            rc = put(n,
                     cw_stix_wallet(&c, av[i], json_string_value(json_object_get(ev, "currency"))),
                     tlp, aud, wallet_refs, count);
        }
        json_t *ind = rc ? NULL : cw_stix_indicator(&c, title, expl, av, na);
        const char *ind_id = ind ? json_string_value(json_object_get(ind, "id")) : NULL;
        char ind_id_copy[96] = "";
        if (ind_id)
            snprintf(ind_id_copy, sizeof ind_id_copy, "%s", ind_id);
        if (!rc)
            rc = put(n, ind, tlp, aud, refs, count);
        json_t *od =
            rc ? NULL
               : cw_stix_observed_data(&c, wallet_refs, t, last,
                                       json_integer_value(json_object_get(a, "occurrences")));
        char od_id[96] = "";
        if (od)
            snprintf(od_id, sizeof od_id, "%s", json_string_value(json_object_get(od, "id")));
        if (!rc)
            rc = put(n, od, tlp, aud, refs, count);
        if (!rc)
            rc = put(n,
                     cw_stix_sighting(&c, ind_id_copy, od_id, n->identity,
                                      json_integer_value(json_object_get(a, "occurrences"))),
                     tlp, aud, refs, count);
        if (!rc) {
            size_t k;
            json_t *w;
            json_array_foreach(wallet_refs, k, w) json_array_append(refs, w);
        }
        json_decref(wallet_refs);
        cw_free(av);
    }
    if (!rc && source && !strcmp(source, "supply")) {
        json_t *lvl = json_object_get(ev, "risk_level");
        rc = put(n,
                 cw_stix_supply_disruption(
                     &c, title, json_string_value(json_object_get(ev, "commodity")),
                     json_string_value(json_object_get(ev, "country")),
                     json_is_integer(lvl) ? (int)json_integer_value(lvl) : 0, expl),
                 tlp, aud, refs, count);
    }
    if (!rc && json_array_size(refs) == 0)
        json_array_append_new(refs, json_string(n->identity));
    json_t *rep = rc ? NULL : cw_stix_report(&c, title, expl, refs);
    if (rep) {
        json_t *ext = json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:O}", "extension_type",
                                "property-extension", "kind", json_object_get(a, "kind"),
                                "severity", json_object_get(a, "severity"), "source",
                                json_object_get(a, "source"), "alert_id", json_object_get(a, "id"),
                                "share_to", json_object_get(a, "share_to"), "evidence", ev);
        json_t *ext_copy = json_deep_copy(ext);
        json_decref(ext);
        ext = ext_copy;
        prune_empty(ext);
        json_object_set_new(rep, "extensions", json_pack("{s:o}", CW_STIX_EXT_ALERT, ext));
    }
    if (!rc)
        rc = put(n, rep, tlp, aud, NULL, count);
    json_decref(refs);
    cw_buf_deinit(&share_to);
    return rc;
}

int cw_share_publish_pending(cw_node *n, int *out_n)
{
    char buf[32];
    int64_t done = 0;
    int count = 0;
    int rc = cw_share__meta_get(n->db, "published_alert_id", buf, sizeof buf);
    if (!rc && cw_parse_i64(&done, buf))
        rc = cw_error_set(CW_ECORRUPT, "node: bad published_alert_id");
    json_t *pending = json_array();
    if (!rc)
        rc = cw_alert_foreach_local(n->alerts, done, collect, pending);
    size_t i;
    json_t *a;
    json_array_foreach(pending, i, a)
    {
        if (rc)
            break;
        if ((rc = cw_alert__exec(n->db, "BEGIN IMMEDIATE")))
            break;
        /* Another process (the CLI beside a running server) may have published it since we
         * looked: re-read the mark inside the write transaction. */
        int64_t id = json_integer_value(json_object_get(a, "id"));
        rc = cw_share__meta_get(n->db, "published_alert_id", buf, sizeof buf);
        if (!rc && cw_parse_i64(&done, buf))
            rc = cw_error_set(CW_ECORRUPT, "node: bad published_alert_id");
        if (!rc && id <= done) {
            rc = cw_alert__exec(n->db, "ROLLBACK");
            continue;
        }
        if (!rc)
            rc = publish_one(n, a, &count);
        if (!rc) {
            snprintf(buf, sizeof buf, "%lld",
                     (long long)json_integer_value(json_object_get(a, "id")));
            rc = cw_share__meta_set(n->db, "published_alert_id", buf);
        }
        if (!rc)
            rc = cw_alert__exec(n->db, "COMMIT");
        if (rc)
            cw_alert__exec(n->db, "ROLLBACK");
    }
    json_decref(pending);
    if (out_n)
        *out_n = count;
    return rc;
}

static bool list_has(const char *list, const char *v)
{
    if (!list)
        return true;
    size_t vl = strlen(v);
    const char *p = list;
    while (*p) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l == vl && !strncmp(p, v, l))
            return true;
        p += l + (c ? 1 : 0);
    }
    return false;
}

int cw_taxii_collection_query(cw_node *n, const cw_principal *who, const cw_taxii_query *q,
                              bool manifest, cw_taxii_page *page)
{
    memset(page, 0, sizeof *page);
    int64_t limit = q->limit ? q->limit : 100;
    if (limit < 0)
        return cw_error_set(CW_EINVAL, "limit: must be a positive integer");
    if (limit > 1000)
        limit = 1000;
    const char *mv = q->match_version ? q->match_version : "last";
    bool v_all = !strcmp(mv, "all"), v_last = !strcmp(mv, "last"), v_first = !strcmp(mv, "first");
    if (!v_all && !v_last && !v_first) {
        /* A list of explicit versions: check that each is a timestamp. */
        char tmp[64];
        const char *p = mv;
        while (*p) {
            const char *c = strchr(p, ',');
            size_t l = c ? (size_t)(c - p) : strlen(p);
            int64_t t;
            if (l >= sizeof tmp)
                return cw_error_set(CW_EINVAL, "match[version]: bad value");
            memcpy(tmp, p, l);
            tmp[l] = 0;
            if (cw_alert_parse_time(&t, tmp))
                return cw_error_set(
                    CW_EINVAL, "match[version]: '%s' is not last, first, all or a timestamp", tmp);
            p += l + (c ? 1 : 0);
        }
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            n->db,
            "SELECT s.seq, s.id, s.version, s.type, s.spec_version, s.date_added, s.tlp, "
            "s.share_to, s.json,"
            " (SELECT max(version) FROM stix_objects x WHERE x.id = s.id),"
            " (SELECT min(version) FROM stix_objects x WHERE x.id = s.id)"
            " FROM stix_objects s WHERE s.date_added > ? AND s.seq > ? ORDER BY s.seq",
            -1, &st, NULL))
        return sql_fail(n->db, "query");
    sqlite3_bind_int64(st, 1, q->added_after_us);
    sqlite3_bind_int64(st, 2, q->next);
    json_t *objs = json_array();
    int64_t count = 0, last_seq = 0;
    int rc = 0, s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 1);
        const char *version = (const char *)sqlite3_column_text(st, 2);
        const char *type = (const char *)sqlite3_column_text(st, 3);
        const char *spec = (const char *)sqlite3_column_text(st, 4);
        const char *share_to = (const char *)sqlite3_column_text(st, 7);
        if (!cw_tlp_allows((cw_tlp)sqlite3_column_int(st, 6), share_to, n->org, who))
            continue;
        if (q->match_id && !list_has(q->match_id, id))
            continue;
        if (q->match_type && !list_has(q->match_type, type))
            continue;
        if (q->match_spec_version && !list_has(q->match_spec_version, spec))
            continue;
        if (v_last && strcmp(version, (const char *)sqlite3_column_text(st, 9)) != 0)
            continue;
        if (v_first && strcmp(version, (const char *)sqlite3_column_text(st, 10)) != 0)
            continue;
        if (!v_all && !v_last && !v_first && !list_has(mv, version))
            continue;
        if (count == limit) {
            page->more = true;
            page->next = last_seq;
            break;
        }
        int64_t added = sqlite3_column_int64(st, 5);
        if (!page->first_added)
            page->first_added = added;
        page->last_added = added;
        last_seq = sqlite3_column_int64(st, 0);
        json_t *o;
        if (manifest) {
            char t[32];
            cw_alert_format_time(t, added, 6);
            o = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "date_added", t, "version", version,
                          "media_type", "application/stix+json;version=2.1");
        } else {
            o = json_loads((const char *)sqlite3_column_text(st, 8), 0, NULL);
        }
        if (!o) {
            rc = cw_error_set(CW_ECORRUPT, "collection: object %s is not valid JSON", id);
            break;
        }
        json_array_append_new(objs, o);
        count++;
    }
    if (!rc && s != SQLITE_ROW && s != SQLITE_DONE)
        rc = sql_fail(n->db, "query");
    sqlite3_finalize(st);
    if (rc) {
        json_decref(objs);
        return rc;
    }
    page->objects = objs;
    return 0;
}
