/*
 * peer.c: partner nodes (table peers) and the TAXII 2.1 pull client (libcurl).
 *
 * A pull pages through the partner's collection with added_after (the last date_added seen,
 * from X-TAXII-Date-Added-Last) and next, so repeated pulls fetch only new objects. Every
 * object must carry a valid Ed25519 signature by the key registered for that partner, except
 * the published TLP 2.0 marking-definitions and the chainwatch extension definitions, which
 * are compared with our own copies by id. Verified objects go to table received_objects with
 * the peer's name (provenance); a verified report raises a partner alert; a rejected object
 * is stored nowhere, logged as peer.reject in the audit log, and remembered by id (table
 * peer_rejected): each later pull fetches it again by id, so once the partner serves a valid
 * copy it is taken. Each pull also fetches the partner's signed audit-head checkpoint
 * (/api/v1/audit/checkpoint), verifies it with the partner's key and keeps it (table
 * peer_checkpoints): evidence of the partner's log outside the partner's database.
 */
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "share/internal.h"

static int sql_fail(sqlite3 *db, const char *what)
{
    return cw_error_set(CW_EIO, "peer: %s: %s", what, sqlite3_errmsg(db));
}

int cw_peer_add(cw_node *n, const char *name, const char *url, const char *api_key,
                const char *pubkey_hex, const char *org, const char *cacert)
{
    uint8_t pk[CW_SIGN_PK];
    if (!name || !*name || strlen(name) > 63)
        return cw_error_set(CW_EINVAL, "peer: bad name");
    if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
        return cw_error_set(CW_EINVAL, "peer: URL must start with http:// or https://");
    if (!api_key || !*api_key)
        return cw_error_set(CW_EINVAL, "peer: the API key issued by the partner is required");
    if (!pubkey_hex || strlen(pubkey_hex) != 64 || cw_hex_decode(pk, 32, pubkey_hex))
        return cw_error_set(CW_EINVAL,
                            "peer: the partner's Ed25519 public key must be 64 hex digits");
    char cafull[PATH_MAX];
    if (cacert && !realpath(cacert, cafull))
        return cw_error_set(CW_EINVAL, "peer: CA certificate %s: %s", cacert, strerror(errno));
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            n->db,
            "INSERT INTO peers(name, url, api_key, pubkey, org, cacert) VALUES(?,?,?,lower(?),?,?)",
            -1, &st, NULL))
        return sql_fail(n->db, "add");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, api_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, pubkey_hex, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, org ? org : name, -1, SQLITE_STATIC);
    if (cacert)
        sqlite3_bind_text(st, 6, cafull, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    if (s == SQLITE_CONSTRAINT)
        return cw_error_set(CW_EEXISTS, "peer: '%s' exists", name);
    return s == SQLITE_DONE ? 0 : sql_fail(n->db, "add");
}

int cw_peer_list(cw_node *n, json_t **out)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            n->db, "SELECT name, url, pubkey, org, added_after, last_pull FROM peers ORDER BY name",
            -1, &st, NULL))
        return sql_fail(n->db, "list");
    json_t *arr = json_array();
    char t[32];
    while (sqlite3_step(st) == SQLITE_ROW) {
        cw_time_format(t, sqlite3_column_int64(st, 4), 6);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s}", "name",
                                             (const char *)sqlite3_column_text(st, 0), "url",
                                             (const char *)sqlite3_column_text(st, 1), "public_key",
                                             (const char *)sqlite3_column_text(st, 2), "org",
                                             (const char *)sqlite3_column_text(st, 3),
                                             "added_after", t));
    }
    sqlite3_finalize(st);
    *out = arr;
    return 0;
}

typedef struct fetch {
    cw_buf body;
    char last_added[64];
} fetch;

static size_t on_body(char *p, size_t sz, size_t nm, void *ud)
{
    fetch *f = ud;
    if (f->body.len + sz * nm > (64u << 20))
        return 0; /* refuse responses over 64 MiB */
    return cw_buf_append(&f->body, p, sz * nm) ? 0 : sz * nm;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *ud)
{
    fetch *f = ud;
    size_t len = sz * nm;
    static const char h[] = "X-TAXII-Date-Added-Last:";
    if (len > sizeof h - 1 && !strncasecmp(p, h, sizeof h - 1)) {
        const char *v = p + sizeof h - 1;
        size_t vl = len - (sizeof h - 1);
        while (vl && (*v == ' ' || *v == '\t')) {
            v++;
            vl--;
        }
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
            vl--;
        if (vl < sizeof f->last_added) {
            memcpy(f->last_added, v, vl);
            f->last_added[vl] = 0;
        }
    }
    return len;
}

/* GETs url with the TAXII Accept header and bearer key; parses the JSON body into *out. */
static int http_get(const char *url, const char *api_key, const char *cacert, json_t **out,
                    fetch *f, long *status)
{
    *out = NULL;
    memset(f, 0, sizeof *f);
    CURL *c = curl_easy_init();
    if (!c)
        return cw_error_set(CW_ENOMEM, "curl_easy_init failed");
    char auth[400];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", api_key);
    struct curl_slist *hs = curl_slist_append(NULL, "Accept: application/taxii+json;version=2.1");
    hs = curl_slist_append(hs, auth);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, f);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (cacert && *cacert)
        curl_easy_setopt(c, CURLOPT_CAINFO, cacert);
    CURLcode cc = curl_easy_perform(c);
    int rc = 0;
    *status = 0;
    if (cc != CURLE_OK) {
        rc = cw_error_set(CW_EIO, "GET %s: %s", url, curl_easy_strerror(cc));
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
        if (*status != 200) {
            rc = cw_error_set(*status == 401 || *status == 403 ? CW_EPERM : CW_EIO,
                              "GET %s: HTTP %ld", url, *status);
        } else {
            json_error_t err;
            *out =
                json_loadb((const char *)f->body.data, f->body.len, JSON_REJECT_DUPLICATES, &err);
            if (!*out)
                rc = cw_error_set(CW_ECORRUPT, "GET %s: invalid JSON at line %d: %s", url, err.line,
                                  err.text);
        }
    }
    curl_slist_free_all(hs);
    curl_easy_cleanup(c);
    cw_buf_deinit(&f->body);
    return rc;
}

static bool is_known_static(const json_t *o)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *type = json_string_value(json_object_get(o, "type"));
    if (!id || !type)
        return false;
    json_t *mine = NULL;
    cw_tlp t;
    if (!strcmp(type, "marking-definition") && !cw_stix_tlp_from_marking_id(&t, id))
        mine = cw_stix_tlp_marking(t);
    else if (!strcmp(id, CW_STIX_IDENTITY_CHAINWATCH))
        mine = cw_stix_chainwatch_identity();
    else if (!strcmp(type, "extension-definition")) {
        json_t *defs = cw_stix_extension_definitions();
        size_t i;
        json_t *d;
        json_array_foreach(defs, i, d) if (!strcmp(id, json_string_value(json_object_get(d, "id"))))
            mine = json_incref(d);
        json_decref(defs);
    }
    bool same = mine && json_equal(mine, (json_t *)(uintptr_t)o);
    json_decref(mine);
    return same;
}

typedef struct pull_stats {
    int fetched, stored, rejected, alerts, known;
} pull_stats;

static int raise_partner_alert(cw_node *n, const char *peer, const char *url, const char *pk_hex,
                               const json_t *o, pull_stats *ps)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    json_t *ext = json_object_get(json_object_get(o, "extensions"), CW_STIX_EXT_ALERT);
    cw_alert_input in;
    memset(&in, 0, sizeof in);
    in.source = CW_ALERT_SRC_PARTNER;
    in.kind = json_string_value(json_object_get(ext, "kind"));
    if (!in.kind)
        in.kind = "partner-report";
    if (cw_alert_severity_parse(&in.severity, json_string_value(json_object_get(ext, "severity"))))
        in.severity = CW_SEV_MEDIUM;
    in.tlp = CW_TLP_AMBER;
    json_t *refs = json_object_get(o, "object_marking_refs");
    size_t i;
    json_t *r;
    json_array_foreach(refs, i, r)
    {
        cw_tlp t;
        if (!cw_stix_tlp_from_marking_id(&t, json_string_value(r)))
            in.tlp = t;
    }
    cw_buf aud = {0};
    json_array_foreach(json_object_get(ext, "share_to"), i, r)
        cw_buf_printf(&aud, "%s%s", i ? "," : "", json_string_value(r) ? json_string_value(r) : "");
    cw_buf_append(&aud, "", 1);
    in.share_to = (const char *)aud.data;
    in.title = json_string_value(json_object_get(o, "name"));
    in.explanation = json_string_value(json_object_get(o, "description"));
    char *evidence =
        json_dumps(json_object_get(ext, "evidence") ? json_object_get(ext, "evidence")
                                                    : json_object_get(o, "object_refs"),
                   JSON_COMPACT | JSON_SORT_KEYS);
    char t[32];
    cw_time_format(t, cw_time_now_us(), 6);
    json_t *prov =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "peer", peer, "url", url, "object_id", id,
                  "signer_public_key", pk_hex, "signature", "ed25519-verified", "received", t);
    char *provs = json_dumps(prov, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(prov);
    in.evidence = evidence;
    in.provenance = provs;
    in.dedup_key = id;
    in.cooldown_us = -1;
    bool dedup = false;
    int rc = cw_alert_emit(n->alerts, &in, NULL, &dedup);
    if (rc == CW_EINVAL) {
        /* A verified object whose alert fields do not fit ours (odd kind, no name, a strict
         * audience of several, evidence that is not an object): raise a plain partner alert
         * rather than stop the pull, and say so in the audit log. */
        char why[300];
        snprintf(why, sizeof why, "alert fields replaced: %s", cw_error_last());
        in.kind = "partner-report";
        if (!in.title || !*in.title)
            in.title = "(untitled partner report)";
        if (in.tlp == CW_TLP_AMBER_STRICT)
            in.share_to = n->org;
        in.evidence = NULL;
        rc = cw_alert_emit(n->alerts, &in, NULL, &dedup);
        if (!rc)
            rc = cw_audit_append(n, peer, "peer.adjust", id, "ok", why);
    }
    if (!rc && !dedup)
        ps->alerts++;
    free(evidence);
    free(provs);
    cw_buf_deinit(&aud);
    return rc;
}

/* An id that can go into a URL path as it is: <type>--<uuid> of [a-z0-9-]. */
static bool url_safe_id(const char *id, const char *type)
{
    if (!id || !type || strncmp(id, type, strlen(type)) != 0 || strlen(id) > 300)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return false;
    return strstr(id, "--") != NULL;
}

static int remember_rejected(cw_node *n, const char *peer, const char *id, const char *type,
                             const char *reason)
{
    if (!url_safe_id(id, type))
        return 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(n->db,
                           "INSERT INTO peer_rejected(peer, id, reason, time) VALUES(?,?,?,?) "
                           "ON CONFLICT(peer, id) DO UPDATE SET reason = excluded.reason, "
                           "time = excluded.time",
                           -1, &st, NULL))
        return sql_fail(n->db, "reject");
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, cw_time_now_us());
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sql_fail(n->db, "reject");
    sqlite3_finalize(st);
    return rc;
}

static int forget_rejected(cw_node *n, const char *peer, const char *id)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(n->db, "DELETE FROM peer_rejected WHERE peer = ? AND id = ?", -1, &st,
                           NULL))
        return sql_fail(n->db, "reject");
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sql_fail(n->db, "reject");
    sqlite3_finalize(st);
    return rc;
}

static int process_object(cw_node *n, const char *peer, const char *url, const char *pk_hex,
                          const uint8_t pk[32], const json_t *o, pull_stats *ps)
{
    ps->fetched++;
    if (!json_is_object(o)) {
        ps->rejected++;
        return cw_audit_append(n, peer, "peer.reject", "(not an object)", "rejected",
                               "envelope member is not a JSON object");
    }
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *type = json_string_value(json_object_get(o, "type"));
    if (is_known_static(o)) {
        ps->known++;
        return 0;
    }
    int vr =
        id && type ? cw_stix_verify(o, pk) : cw_error_set(CW_ECORRUPT, "object without id or type");
    if (vr) {
        ps->rejected++;
        char detail[512];
        snprintf(detail, sizeof detail, "%s", cw_error_last());
        int rc = remember_rejected(n, peer, id, type, detail);
        int rc2 = cw_audit_append(n, peer, "peer.reject", id ? id : "(no id)", "rejected", detail);
        return rc ? rc : rc2;
    }
    const char *version = json_string_value(json_object_get(o, "modified"));
    if (!version)
        version = "1970-01-01T00:00:00.000Z";
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (!text)
        return cw_error_set(CW_ENOMEM, "out of memory");
    if (sqlite3_prepare_v2(n->db,
                           "INSERT INTO received_objects(peer, id, version, type, json, received) "
                           "VALUES(?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                           -1, &st, NULL)) {
        free(text);
        return sql_fail(n->db, "store");
    }
    sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, cw_time_now_us());
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sql_fail(n->db, "store");
    sqlite3_finalize(st);
    free(text);
    bool fresh = !rc && sqlite3_changes(n->db) == 1;
    if (!rc)
        rc = forget_rejected(n, peer, id);
    if (fresh)
        ps->stored++;
    if (fresh && !strcmp(type, "report"))
        rc = raise_partner_alert(n, peer, url, pk_hex, o, ps);
    return rc;
}

static int pull_one(cw_node *n, const char *peer, const char *url, const char *api_key,
                    const char *pk_hex, const char *cacert, int64_t added_after, json_t *summary)
{
    uint8_t pk[32];
    if (cw_hex_decode(pk, 32, pk_hex))
        return cw_error_set(CW_ECORRUPT, "peer %s: bad stored public key", peer);
    pull_stats ps = {0};
    int64_t pull_started = cw_time_now_us();
    char u[2048];
    json_t *doc = NULL;
    fetch f;
    long status = 0;
    snprintf(u, sizeof u, "%s/taxii2/api/collections/", url);
    int rc = http_get(u, api_key, cacert, &doc, &f, &status);
    const char *coll = NULL;
    if (!rc) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(doc, "collections"), i, c)
        {
            if (json_is_true(json_object_get(c, "can_read"))) {
                coll = json_string_value(json_object_get(c, "id"));
                break;
            }
        }
        if (!coll)
            rc = cw_error_set(CW_ENOTFOUND, "peer %s: no readable collection", peer);
    }
    char coll_id[128] = "";
    if (coll)
        snprintf(coll_id, sizeof coll_id, "%s", coll);
    json_decref(doc);
    doc = NULL;
    int64_t newest = added_after;
    char next[64] = "";
    for (int page = 0; !rc && page < 10000; page++) {
        char after[32];
        cw_time_format(after, added_after, 6);
        if (added_after > 0)
            snprintf(u, sizeof u,
                     "%s/taxii2/api/collections/%s/objects/?limit=100&added_after=%s%s%s", url,
                     coll_id, after, *next ? "&next=" : "", next);
        else
            snprintf(u, sizeof u, "%s/taxii2/api/collections/%s/objects/?limit=100%s%s", url,
                     coll_id, *next ? "&next=" : "", next);
        if ((rc = http_get(u, api_key, cacert, &doc, &f, &status)))
            break;
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(doc, "objects"), i, o)
        {
            if ((rc = process_object(n, peer, url, pk_hex, pk, o, &ps)))
                break;
        }
        int64_t la = 0;
        if (f.last_added[0] && !cw_time_parse(&la, f.last_added) && la > newest)
            newest = la;
        bool more = json_is_true(json_object_get(doc, "more"));
        const char *nx = json_string_value(json_object_get(doc, "next"));
        if (more && nx && strlen(nx) < sizeof next)
            snprintf(next, sizeof next, "%s", nx);
        else
            more = false;
        json_decref(doc);
        doc = NULL;
        if (!more)
            break;
    }
    /* Objects rejected at earlier pulls: ask for each again by id. */
    json_t *again = json_array();
    if (!rc) {
        sqlite3_stmt *st = NULL;
        /* Only those rejected at an earlier pull (not the ones just seen). */
        if (sqlite3_prepare_v2(n->db,
                               "SELECT id FROM peer_rejected WHERE peer = ? AND time < ? ORDER BY "
                               "time",
                               -1, &st, NULL))
            rc = sql_fail(n->db, "reject");
        sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, pull_started);
        while (!rc && sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(again, json_string((const char *)sqlite3_column_text(st, 0)));
        sqlite3_finalize(st);
    }
    size_t ai;
    json_t *aid;
    json_array_foreach(again, ai, aid)
    {
        if (rc)
            break;
        snprintf(u, sizeof u, "%s/taxii2/api/collections/%s/objects/%s/", url, coll_id,
                 json_string_value(aid));
        int grc = http_get(u, api_key, cacert, &doc, &f, &status);
        if (grc) {
            if (status == 404) /* gone from the partner: nothing to fetch any more */
                rc = forget_rejected(n, peer, json_string_value(aid));
            continue; /* otherwise try again next time */
        }
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(doc, "objects"), i, o)
        {
            if ((rc = process_object(n, peer, url, pk_hex, pk, o, &ps)))
                break;
        }
        json_decref(doc);
        doc = NULL;
    }
    json_decref(again);
    /* The partner's signed audit head (an older partner without the route: skipped). */
    if (!rc) {
        snprintf(u, sizeof u, "%s/api/v1/audit/checkpoint", url);
        if (!http_get(u, api_key, cacert, &doc, &f, &status)) {
            int64_t cseq = 0;
            char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
            if (!cw_audit_checkpoint_verify(doc, pk, &cseq, NULL) && text) {
                sqlite3_stmt *st = NULL;
                if (!sqlite3_prepare_v2(n->db,
                                        "INSERT INTO peer_checkpoints(peer, seq, json, received) "
                                        "VALUES(?,?,?,?) ON CONFLICT DO NOTHING",
                                        -1, &st, NULL)) {
                    sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
                    sqlite3_bind_int64(st, 2, cseq);
                    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
                    sqlite3_bind_int64(st, 4, cw_time_now_us());
                    if (sqlite3_step(st) != SQLITE_DONE)
                        rc = sql_fail(n->db, "checkpoint");
                }
                sqlite3_finalize(st);
            } else if (text) {
                cw_audit_append(n, peer, "peer.checkpoint", "audit/checkpoint", "rejected",
                                "the partner's audit checkpoint does not verify");
            }
            free(text);
            json_decref(doc);
            doc = NULL;
        }
    }
    char detail[256];
    snprintf(detail, sizeof detail, "fetched %d, stored %d, rejected %d, alerts %d", ps.fetched,
             ps.stored, ps.rejected, ps.alerts);
    if (!rc) {
        sqlite3_stmt *st = NULL;
        if (!sqlite3_prepare_v2(n->db,
                                "UPDATE peers SET added_after = ?, last_pull = ? WHERE name = ?",
                                -1, &st, NULL)) {
            sqlite3_bind_int64(st, 1, newest);
            sqlite3_bind_int64(st, 2, cw_time_now_us());
            sqlite3_bind_text(st, 3, peer, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = sql_fail(n->db, "update");
        } else {
            rc = sql_fail(n->db, "update");
        }
        sqlite3_finalize(st);
    }
    char errmsg[512];
    snprintf(errmsg, sizeof errmsg, "%s", rc ? cw_error_last() : "");
    cw_audit_append(n, "cli", "peer.pull", peer, rc ? "error" : "ok", rc ? errmsg : detail);
    if (rc)
        cw_error_set(rc, "%s", errmsg);
    json_array_append_new(summary,
                          json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:s}", "peer", peer, "status",
                                    rc ? "error" : "ok", "fetched", ps.fetched, "stored", ps.stored,
                                    "rejected", ps.rejected, "alerts", ps.alerts, "error", errmsg));
    return rc;
}

int cw_peer_pull(cw_node *n, const char *name, json_t **out)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(n->db,
                           "SELECT name, url, api_key, pubkey, added_after, coalesce(cacert, '') "
                           "FROM peers WHERE ?1 IS "
                           "NULL OR name = ?1 ORDER BY name",
                           -1, &st, NULL))
        return sql_fail(n->db, "pull");
    if (name)
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    json_t *rows = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "name",
                                              (const char *)sqlite3_column_text(st, 0), "url",
                                              (const char *)sqlite3_column_text(st, 1), "key",
                                              (const char *)sqlite3_column_text(st, 2), "pk",
                                              (const char *)sqlite3_column_text(st, 3), "after",
                                              (json_int_t)sqlite3_column_int64(st, 4), "cacert",
                                              (const char *)sqlite3_column_text(st, 5)));
    sqlite3_finalize(st);
    int rc = 0;
    if (name && json_array_size(rows) == 0)
        rc = cw_error_set(CW_ENOTFOUND, "peer '%s' not found", name);
    json_t *summary = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        int prc = pull_one(n, json_string_value(json_object_get(r, "name")),
                           json_string_value(json_object_get(r, "url")),
                           json_string_value(json_object_get(r, "key")),
                           json_string_value(json_object_get(r, "pk")),
                           json_string_value(json_object_get(r, "cacert")),
                           json_integer_value(json_object_get(r, "after")), summary);
        if (prc && !rc)
            rc = prc;
    }
    json_decref(rows);
    if (out)
        *out = summary;
    else
        json_decref(summary);
    return rc;
}
