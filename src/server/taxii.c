/*
 * taxii.c: TAXII 2.1 under /taxii2/: discovery, the API root "api", its collections (one:
 * the node's signed alerts), objects (GET with added_after, limit, next, match[id|type|
 * version|spec_version]; POST for analysts and admins), one object, its versions, the
 * manifest, and status resources of POSTs. Media type application/taxii+json;version=2.1;
 * X-TAXII-Date-Added-First/Last on object and manifest pages; timestamps with microseconds.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "server/internal.h"

#define TAXII_MEDIA "application/taxii+json;version=2.1"
#define STIX_MEDIA "application/stix+json;version=2.1"

static bool accept_ok(cw_req *q)
{
    const char *a = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Accept");
    if (!a || !*a || strstr(a, "*/*") || strstr(a, "application/*"))
        return true;
    const char *p = strstr(a, "application/taxii+json");
    if (!p)
        return false;
    const char *v = strstr(p, "version=");
    return !v || !strncmp(v + 8, "2.1", 3);
}

static json_t *collection_json(cw_server *s, const cw_principal *who)
{
    char title[128];
    snprintf(title, sizeof title, "%s alerts", cw_node_name(s->node));
    bool can_write = who->role == CW_ROLE_ANALYST || who->role == CW_ROLE_ADMIN;
    return json_pack("{s:s, s:s, s:s, s:b, s:b, s:[s]}", "id", cw_node_collection_id(s->node),
                     "title", title, "description",
                     "Signed STIX 2.1 objects raised by this chainwatch node, TLP-filtered for the "
                     "caller.",
                     "can_read", 1, "can_write", can_write, "media_types", STIX_MEDIA);
}

static void set_added_headers(cw_req *q, cw_resp *r, const cw_taxii_page *pg)
{
    if (!pg->first_added)
        return;
    char *a = cw_arena_alloc(q->arena, 32), *b = cw_arena_alloc(q->arena, 32);
    if (!a || !b)
        return;
    cw_time_format(a, pg->first_added, 6);
    cw_time_format(b, pg->last_added, 6);
    cw_server__header(r, "X-TAXII-Date-Added-First", a);
    cw_server__header(r, "X-TAXII-Date-Added-Last", b);
}

/* Fills q from the URL arguments; 400 on a bad value. */
static bool read_query(cw_req *q, cw_resp *r, cw_taxii_query *tq)
{
    memset(tq, 0, sizeof *tq);
    const char *aa = cw_server__arg(q, "added_after"), *lim = cw_server__arg(q, "limit");
    const char *nx = cw_server__arg(q, "next");
    /* libmicrohttpd decodes '+' in a query as a space: "…00+09:00" arrives as "…00 09:00". */
    char aa_fixed[64];
    if (aa && strlen(aa) < sizeof aa_fixed) {
        snprintf(aa_fixed, sizeof aa_fixed, "%s", aa);
        size_t l = strlen(aa_fixed);
        if (l > 6 && aa_fixed[l - 6] == ' ' && aa_fixed[l - 3] == ':')
            aa_fixed[l - 6] = '+';
        aa = aa_fixed;
    }
    if (aa && cw_time_parse(&tq->added_after_us, aa)) {
        cw_server__error(
            r, 400, "Bad request",
            "added_after: expected an RFC 3339 timestamp like 2026-01-01T00:00:00.000000Z "
            "or 2026-01-01T09:00:00+09:00");
        return false;
    }
    uint64_t v;
    if (lim) {
        if (cw_parse_u64(&v, lim) || v == 0) {
            cw_server__error(r, 400, "Bad request", "limit: expected a positive integer");
            return false;
        }
        tq->limit = v > 1000 ? 1000 : (int64_t)v;
    }
    if (nx) {
        if (cw_parse_u64(&v, nx) || v > INT64_MAX) {
            cw_server__error(r, 400, "Bad request", "next: not a value this server handed out");
            return false;
        }
        tq->next = (int64_t)v;
    }
    tq->match_id = cw_server__arg(q, "match[id]");
    tq->match_type = cw_server__arg(q, "match[type]");
    tq->match_version = cw_server__arg(q, "match[version]");
    tq->match_spec_version = cw_server__arg(q, "match[spec_version]");
    return true;
}

static void objects_page(cw_server *s, cw_req *q, cw_resp *r, const char *obj_id, int kind)
{
    /* kind 0: objects envelope, 1: manifest, 2: versions */
    cw_taxii_query tq;
    if (!read_query(q, r, &tq))
        return;
    if (obj_id) {
        tq.match_id = obj_id;
        if (kind == 2)
            tq.match_version = "all";
    }
    /* Object pages splice the stored JSON texts (no parse, no re-serialisation). */
    tq.raw = kind == 0;
    cw_taxii_page pg;
    int rc = cw_taxii_collection_query(s->node, &q->who, &tq, kind != 0, &pg);
    if (rc) {
        cw_server__error(r, rc == CW_EINVAL ? 400 : 500, rc == CW_EINVAL ? "Bad request" : "Error",
                         cw_error_last());
        return;
    }
    if (obj_id && pg.count == 0) {
        json_decref(pg.objects);
        cw_buf_deinit(&pg.raw);
        cw_server__error(r, 404, "Not found", "no such object in this collection");
        return;
    }
    char *detail = cw_arena_alloc(q->arena, 48);
    if (detail) {
        snprintf(detail, 48, "%zu objects", pg.count);
        r->audit_detail = detail;
    }
    set_added_headers(q, r, &pg);
    json_t *env = json_pack("{s:b}", "more", pg.more);
    if (pg.more) {
        char nb[32];
        snprintf(nb, sizeof nb, "%lld", (long long)pg.next);
        json_object_set_new(env, "next", json_string(nb));
    }
    if (kind == 2) {
        json_t *vs = json_array();
        size_t i;
        json_t *o;
        json_array_foreach(pg.objects, i, o) json_array_append(vs, json_object_get(o, "version"));
        json_object_set_new(env, "versions", vs);
        json_decref(pg.objects);
    } else if (kind == 0) {
        /* {"more":..,"next":..,"objects":[...]}: the keys in sorted order, as json_dumps
         * would write them. */
        json_decref(pg.objects);
        char *head = json_dumps(env, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(env);
        cw_buf out = {0};
        int brc = head ? 0 : CW_ENOMEM;
        if (!brc)
            brc = cw_buf_append(&out, head, strlen(head) - 1); /* without the closing brace */
        if (!brc && pg.count) {
            brc = cw_buf_append(&out, ",\"objects\":[", 12);
            if (!brc)
                brc = cw_buf_append(&out, pg.raw.data, pg.raw.len);
            if (!brc)
                brc = cw_buf_append(&out, "]", 1);
        }
        if (!brc)
            brc = cw_buf_append(&out, "}", 1);
        free(head);
        cw_buf_deinit(&pg.raw);
        if (brc) {
            cw_buf_deinit(&out);
            cw_server__error(r, 500, "Internal error", "out of memory");
            return;
        }
        r->raw = (char *)out.data;
        r->raw_len = out.len;
        r->body = NULL;
        return;
    } else if (json_array_size(pg.objects)) {
        json_object_set_new(env, "objects", pg.objects);
    } else {
        json_decref(pg.objects);
    }
    r->body = env;
}

static void post_objects(cw_server *s, cw_req *q, cw_resp *r)
{
    if (q->who.role != CW_ROLE_ANALYST && q->who.role != CW_ROLE_ADMIN) {
        cw_server__error(r, 403, "Forbidden", "adding objects needs role analyst or admin");
        return;
    }
    const char *ct = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Content-Type");
    if (!ct || strncasecmp(ct, "application/taxii+json", 22) != 0) {
        cw_server__error(r, 415, "Unsupported media type", "send " TAXII_MEDIA);
        return;
    }
    json_error_t err;
    json_t *env =
        q->body_len ? json_loadb(q->body, q->body_len, JSON_REJECT_DUPLICATES, &err) : NULL;
    json_t *objs = json_object_get(env, "objects");
    if (!json_is_array(objs)) {
        json_decref(env);
        {
            cw_server__error(r, 400, "Bad request",
                             "body: expected an envelope {\"objects\": [...]}");
            return;
        }
    }
    /* The whole POST is one transaction (the writer thread runs it; reads go on meanwhile). */
    if (cw_share_add_begin(s->node)) {
        json_decref(env);
        cw_server__error(r, 500, "Error", "could not store the objects");
        return;
    }
    char sid[96], now[32];
    cw_stix_new_id(sid, "status");
    cw_time_format(now, cw_time_now_us(), 6);
    json_t *ok = json_array(), *bad = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o)
    {
        const char *why = cw_stix_problem(o);
        const char *id = json_string_value(json_object_get(o, "id"));
        const char *ver = json_string_value(json_object_get(o, "modified"));
        if (!why) {
            /* The most restrictive TLP marking of the object or of any part of it (granular
             * markings) governs; unmarked objects are AMBER with no audience, so they stay on
             * this node. */
            cw_tlp tlp = CW_TLP_AMBER;
            if (cw_stix_effective_tlp(o, &tlp))
                tlp = CW_TLP_AMBER;
            json_t *c = json_deep_copy(o);
            if (!c || cw_stix_sign(c, cw_node_secret_key(s->node), cw_node_public_key(s->node)) ||
                cw_share_collection_add(s->node, c, tlp, "", NULL))
                why = "could not store";
            json_decref(c);
        }
        json_t *rec = json_pack("{s:s}", "id", id ? id : "");
        if (ver)
            json_object_set_new(rec, "version", json_string(ver));
        if (why) {
            json_object_set_new(rec, "message", json_string(why));
            json_array_append_new(bad, rec);
        } else {
            json_array_append_new(ok, rec);
        }
    }
    json_decref(env);
    size_t nok = json_array_size(ok), nbad = json_array_size(bad);
    json_t *st = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:[]}", "id",
                           sid + strlen("status--"), "status", "complete", "request_timestamp", now,
                           "total_count", (json_int_t)nok + (json_int_t)nbad, "success_count",
                           (json_int_t)nok, "failure_count", (json_int_t)nbad, "pending_count",
                           (json_int_t)0, "successes", ok, "failures", bad, "pendings");
    if (cw_share_add_end(s->node, sid + strlen("status--"), st)) {
        json_decref(st);
        cw_server__error(r, 500, "Error", "could not store the objects");
        return;
    }
    r->status = 202;
    r->body = st;
}

static void get_status(cw_server *s, const char *id, cw_resp *r)
{
    int rc = cw_share_add_status(s->node, id, &r->body);
    if (rc == CW_ENOTFOUND)
        cw_server__error(r, 404, "Not found", "no such status");
    else if (rc)
        cw_server__error(r, 500, "Error", "status lookup failed");
}

static json_t *discovery_json(const cw_server *s)
{
    char title[128];
    snprintf(title, sizeof title, "chainwatch node %s", cw_node_name(s->node));
    return json_pack("{s:s, s:s, s:s, s:[s]}", "title", title, "description",
                     "TAXII 2.1 server of a chainwatch node", "default", "/taxii2/api/",
                     "api_roots", "/taxii2/api/");
}

static json_t *api_root_json(const cw_server *s)
{
    return json_pack("{s:s, s:s, s:[s], s:I}", "title", "chainwatch alerts", "description",
                     "The API root of a chainwatch node: one collection of signed alerts.",
                     "versions", TAXII_MEDIA, "max_content_length", (json_int_t)s->max_body);
}

void cw_server__taxii_docs(cw_server *s)
{
    json_t *doc[2] = {discovery_json(s), api_root_json(s)};
    for (int i = 0; i < 2; i++) {
        s->taxii_doc[i] = doc[i] ? json_dumps(doc[i], JSON_COMPACT) : NULL;
        s->taxii_doc_len[i] = s->taxii_doc[i] ? strlen(s->taxii_doc[i]) : 0;
        json_decref(doc[i]);
    }
}

/* Answers with the serialised document i (cw_server__taxii_docs); false when there is none. */
static bool raw_doc(const cw_server *s, int i, cw_resp *r)
{
    if (!s->taxii_doc[i])
        return false;
    char *copy = malloc(s->taxii_doc_len[i] + 1); /* freed by libmicrohttpd */
    if (!copy)
        return false;
    memcpy(copy, s->taxii_doc[i], s->taxii_doc_len[i] + 1);
    r->raw = copy;
    r->raw_len = s->taxii_doc_len[i];
    return true;
}

void cw_server__taxii(cw_server *s, cw_req *q, char **segs, int n, cw_resp *r)
{
    bool get = !strcmp(q->method, "GET"), post = !strcmp(q->method, "POST");
    if (!accept_ok(q)) {
        cw_server__error(r, 406, "Not acceptable", "this server speaks " TAXII_MEDIA);
        return;
    }
    /* segs[0] is "taxii2" */
    if (n < 1) {
        cw_server__error(r, 404, "Not found", NULL);
        return;
    }
    if (n == 1) {
        if (!get) {
            cw_server__error(r, 405, "Method not allowed", NULL);
            return;
        }
        if (!raw_doc(s, 0, r))
            r->body = discovery_json(s);
        return;
    }
    if (strcmp(segs[1], "api") != 0) {
        cw_server__error(r, 404, "Not found", "no such API root");
        return;
    }
    if (n == 2) {
        if (!get) {
            cw_server__error(r, 405, "Method not allowed", NULL);
            return;
        }
        if (!raw_doc(s, 1, r))
            r->body = api_root_json(s);
        return;
    }
    if (!strcmp(segs[2], "status") && n == 4) {
        if (!get) {
            cw_server__error(r, 405, "Method not allowed", NULL);
            return;
        }
        {
            get_status(s, segs[3], r);
            return;
        }
    }
    if (strcmp(segs[2], "collections") != 0) {
        cw_server__error(r, 404, "Not found", "no such resource");
        return;
    }
    if (n == 3) {
        if (!get) {
            cw_server__error(r, 405, "Method not allowed", NULL);
            return;
        }
        r->body = json_pack("{s:[o]}", "collections", collection_json(s, &q->who));
        return;
    }
    if (strcmp(segs[3], cw_node_collection_id(s->node)) != 0) {
        cw_server__error(r, 404, "Not found", "no such collection");
        return;
    }
    if (n == 4) {
        if (!get) {
            cw_server__error(r, 405, "Method not allowed", NULL);
            return;
        }
        r->body = collection_json(s, &q->who);
        return;
    }
    if (!strcmp(segs[4], "manifest") && n == 5) {
        if (!get) {
            cw_server__error(r, 405, "Method not allowed", NULL);
            return;
        }
        {
            objects_page(s, q, r, NULL, 1);
            return;
        }
    }
    if (strcmp(segs[4], "objects") != 0) {
        cw_server__error(r, 404, "Not found", "no such resource");
        return;
    }
    if (n == 5) {
        if (post) {
            post_objects(s, q, r);
            return;
        }
        if (!get) {
            cw_server__error(r, 405, "Method not allowed", NULL);
            return;
        }
        {
            objects_page(s, q, r, NULL, 0);
            return;
        }
    }
    if (!get) {
        cw_server__error(r, 405, "Method not allowed", NULL);
        return;
    }
    if (n == 6) {
        objects_page(s, q, r, segs[5], 0);
        return;
    }
    if (n == 7 && !strcmp(segs[6], "versions")) {
        objects_page(s, q, r, segs[5], 2);
        return;
    }
    cw_server__error(r, 404, "Not found", "no such resource");
}
