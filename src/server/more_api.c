/*
 * more_api.c: the JSON API routes the dashboard needs beyond alerts and the chain:
 *   GET /api/v1/trace?...              the same as /api/v1/chain/trace
 *   GET /api/v1/search?q=TEXT          what TEXT is (tx, block, address, cluster:N, label or
 *                                      entity) and its answer
 *   GET /api/v1/supply/status?partner=&commodity=&at=
 *   GET /api/v1/supply/explain/{commodity}/{partner}?at=
 *   GET /api/v1/supply/series?commodity=&partner=  (or series/{commodity}?partner=): monthly
 *                                      trade and price, levels, anomalies, events, real/synthetic
 *   GET /api/v1/peers                  this node's partners (admin and analyst)
 *   GET /api/v1/audit?limit=&action=   the audit trail (admin and analyst)
 *   GET /api/v1/audit/checkpoint       a signed checkpoint of the audit head (any principal)
 * The supply database is opened per request (serve --supply-db) read-only in effect: nothing
 * here records level changes; `chainwatch supply status` does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "chainwatch/supply.h"
#include "chainwatch/util.h"
#include "server/internal.h"

static const char *const partners[] = {"USA", "KOR", "JPN"};

static void supply(cw_server *s, cw_req *q, char **segs, int n, cw_resp *r)
{
    if (!s->supply_db) {
        /* the same answer as an unknown route: the dashboard then says "not available" */
        cw_server__error(r, 404, "Not found",
                         "no such resource (this node serves no supply data: serve --supply-db)");
        return;
    }
    cw_supply *sp = NULL;
    cw_supply_rules *rules = NULL;
    int rc = cw_supply_open(&sp, s->supply_db);
    if (!rc)
        rc = cw_supply_rules_load(&rules, s->supply_rules);
    if (rc) {
        cw_server__fail(r, rc);
        goto out;
    }
    const char *at = cw_server__arg(q, "at");
    if (at && !*at)
        at = NULL;
    if (n == 3 && !strcmp(segs[0], "explain")) {
        const char *com = cw_supply_commodity_resolve(sp, segs[1]);
        char par[4];
        if (!com) {
            cw_server__error(r, 404, "Not found", "unknown commodity");
            goto out;
        }
        if ((rc = cw_supply_country_resolve(sp, segs[2], par))) {
            cw_server__fail(r, rc);
            goto out;
        }
        json_t *d = NULL;
        if ((rc = cw_supply_explain(sp, rules, com, par, at, &d)))
            cw_server__fail(r, rc);
        else
            r->body = d;
        goto out;
    }
    if ((n == 1 || n == 2) && !strcmp(segs[0], "series")) {
        /* series?commodity=C&partner=P or series/C?partner=P */
        const char *qc = n == 2 ? segs[1] : cw_server__arg(q, "commodity");
        const char *qp = cw_server__arg(q, "partner");
        if (!qc || !*qc || !qp || !*qp) {
            cw_server__error(r, 400, "Bad request", "commodity= and partner= are required");
            goto out;
        }
        json_t *d = NULL;
        if (!cw_supply_commodity_resolve(sp, qc))
            cw_server__error(r, 404, "Not found", "unknown commodity");
        else if ((rc = cw_supply_series(sp, rules, qc, qp, &d)))
            cw_server__fail(r, rc);
        else
            r->body = d;
        goto out;
    }
    if (n != 1 || strcmp(segs[0], "status") != 0) {
        cw_server__error(r, 404, "Not found", "supply routes: status, explain/C/P, series");
        goto out;
    }
    const char *qc = cw_server__arg(q, "commodity"), *qp = cw_server__arg(q, "partner");
    const char *one_com = NULL;
    char one_par[4] = "";
    if (qc && *qc && !(one_com = cw_supply_commodity_resolve(sp, qc))) {
        cw_server__error(r, 404, "Not found", "unknown commodity");
        goto out;
    }
    if (qp && *qp && (rc = cw_supply_country_resolve(sp, qp, one_par))) {
        cw_server__fail(r, rc);
        goto out;
    }
    const char *const *coms;
    size_t n_com = cw_supply_commodities(sp, &coms);
    json_t *rows = json_array();
    for (size_t a = 0; a < n_com; a++) {
        if (one_com && strcmp(one_com, coms[a]) != 0)
            continue;
        for (size_t b = 0; b < 3; b++) {
            const char *p = one_par[0] ? one_par : partners[b];
            if (one_par[0] && b > 0)
                break;
            json_t *d = NULL;
            rc = cw_supply_explain(sp, rules, coms[a], p, at, &d);
            if (rc == CW_ENOTFOUND) {
                json_array_append_new(rows,
                                      json_pack("{s:s, s:s, s:n, s:s}", "commodity", coms[a],
                                                "partner", p, "level", "note", cw_error_last()));
                continue;
            }
            if (rc) {
                json_decref(rows);
                cw_server__fail(r, rc);
                goto out;
            }
            json_array_append_new(rows, d);
        }
    }
    r->body = json_pack("{s:o}", "assessments", rows);
out:
    cw_supply_rules_free(rules);
    cw_supply_close(sp);
}

static bool is_hex64(const char *t)
{
    if (strlen(t) != 64)
        return false;
    for (const char *p = t; *p; p++) {
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
            return false;
    }
    return true;
}

/* Runs chain route seg0/seg1 into a fresh response (the search's sub-queries), its answer as a
 * tree in r->body (search builds its document from it). */
static void sub_route(cw_server *s, cw_req *q, const char *seg0, const char *seg1, cw_resp *r)
{
    char *segs[2] = {cw_arena_strndup(q->arena, seg0, strlen(seg0)),
                     seg1 ? cw_arena_strndup(q->arena, seg1, strlen(seg1)) : NULL};
    memset(r, 0, sizeof *r);
    r->status = 200;
    cw_server__chain_api(s, q, segs, seg1 ? 2 : 1, r);
    if (r->raw) { /* written, not built (the address page): search reads it as a tree */
        json_error_t err;
        r->body = json_loadb(r->raw, r->raw_len, 0, &err);
        free(r->raw);
        r->raw = NULL;
        if (!r->body)
            cw_server__error(r, 500, "Server error", err.text);
    }
}

/* The labels a search box finds (chain route labels?q=), or NULL when none / no label store. */
static json_t *label_search(cw_server *s, cw_req *q)
{
    cw_resp lr;
    /* the labels route reads the same q= (and drops a label: or entity: prefix) */
    sub_route(s, q, "labels", NULL, &lr);
    if (lr.status >= 400 || !lr.body || !json_array_size(json_object_get(lr.body, "labels"))) {
        json_decref(lr.body);
        return NULL;
    }
    return lr.body;
}

/* search: what the text is, answered by the chain routes: {kind, query, id, result, ...}.
 *   64 hex digits: a tx, else a block hash; digits: a block height;
 *   cluster:N or cluster:ADDR: a cluster with its own totals and members;
 *   label:TEXT or entity:TEXT, or text that is not a known address: labels by entity name,
 *   reference, category or subject (kind "labels"), each with its provenance;
 *   anything else: an address, with its own figures (address), its cluster's (cluster), its
 *   labels with provenance and its exposure. */
static void search(cw_server *s, cw_req *q, cw_resp *r)
{
    const char *t = cw_server__arg(q, "q");
    if (!t || !*t) {
        cw_server__error(r, 400, "Bad request", "q= is required");
        return;
    }
    if (!s->chain) {
        cw_server__error(r, 404, "Not found", "no such resource (this node serves no chain store)");
        return;
    }
    const char *kind;
    bool labels_only = !strncasecmp(t, "label:", 6) || !strncasecmp(t, "entity:", 7);
    if (!strncasecmp(t, "cluster:", 8)) {
        const char *v = t + 8;
        char idseg[48];
        bool digits = *v && strspn(v, "0123456789") == strlen(v) && strlen(v) < 20;
        if (digits)
            snprintf(idseg, sizeof idseg, "id:%s", v);
        sub_route(s, q, "cluster", digits ? idseg : v, r);
        if (r->status >= 400)
            return;
        json_t *res = r->body;
        json_t *doc =
            json_pack("{s:s, s:s, s:O, s:O, s:O, s:O}", "kind", "cluster", "query", t, "id",
                      json_object_get(res, "cluster"), "cluster", json_object_get(res, "totals"),
                      "members", json_object_get(res, "members"), "result", res);
        json_object_set(json_object_get(doc, "cluster"), "id", json_object_get(res, "cluster"));
        json_object_set(json_object_get(doc, "cluster"), "size", json_object_get(res, "size"));
        json_decref(res);
        r->body = doc;
        return;
    }
    if (labels_only) {
        json_t *ls = label_search(s, q);
        if (!ls) {
            cw_server__error(r, 404, "Not found", "no label matches");
            return;
        }
        r->body = json_pack("{s:s, s:s, s:s, s:O, s:O, s:o}", "kind", "labels", "query", t, "id", t,
                            "labels", json_object_get(ls, "labels"), "more",
                            json_object_get(ls, "more"), "result", ls);
        return;
    }
    if (is_hex64(t)) {
        /* a txid, else a block hash */
        sub_route(s, q, "tx", t, r);
        kind = "tx";
        if (r->status == 404) {
            json_decref(r->body);
            sub_route(s, q, "block", t, r);
            kind = "block";
        }
    } else if (strspn(t, "0123456789") == strlen(t)) {
        sub_route(s, q, "block", t, r);
        kind = "block";
    } else {
        sub_route(s, q, "address", t, r);
        kind = "address";
        if (r->status >= 400) {
            /* not an address of the store: perhaps a label (an entity's name, a category) */
            json_t *ls = label_search(s, q);
            if (ls) {
                json_decref(r->body);
                memset(r, 0, sizeof *r);
                r->status = 200;
                r->body = json_pack("{s:s, s:s, s:s, s:O, s:O, s:o}", "kind", "labels", "query", t,
                                    "id", t, "labels", json_object_get(ls, "labels"), "more",
                                    json_object_get(ls, "more"), "result", ls);
                return;
            }
        }
    }
    if (r->status >= 400)
        return;
    json_t *res = r->body;
    /* The dashboard's shape (docs/DASHBOARD.md): kind, id, the address's own figures, its
     * cluster's own figures, exposure, labels, plus the engine's whole answer under "result". */
    json_t *doc = json_pack("{s:s, s:s, s:O}", "kind", kind, "query", t, "result", res);
    if (!strcmp(kind, "address")) {
        json_object_set(doc, "id", json_object_get(res, "address"));
        json_t *own =
            json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:s}", "received",
                      json_object_get(res, "received"), "sent", json_object_get(res, "sent"),
                      "balance", json_object_get(res, "balance"), "tx_count",
                      json_object_get(res, "tx_count"), "outputs", json_object_get(res, "outputs"),
                      "unspent_outputs", json_object_get(res, "unspent_outputs"), "unit", "sat");
        json_t *fs = json_object_get(res, "first_seen"), *ls = json_object_get(res, "last_seen");
        if (fs)
            json_object_set(own, "first_seen", fs);
        if (ls)
            json_object_set(own, "last_seen", ls);
        json_object_set_new(doc, "address", own);
        json_t *cl = json_object_get(res, "cluster");
        if (json_is_object(cl)) {
            json_t *facts = json_pack("{s:O, s:O}", "id", json_object_get(cl, "id"), "size",
                                      json_object_get(cl, "size"));
            json_t *tot = json_object_get(cl, "totals");
            const char *k;
            json_t *v;
            json_object_foreach(tot, k, v) json_object_set(facts, k, v);
            json_object_set_new(doc, "cluster", facts);
        }
        json_t *recs = json_object_get(res, "labels");
        json_t *lab = json_object_get(res, "label");
        json_object_set_new(doc, "labels",
                            json_is_array(recs) && json_array_size(recs) ? json_incref(recs)
                            : json_is_object(lab)                        ? json_pack("[O]", lab)
                                                                         : json_array());
        /* exposure: the screen answer's categories */
        cw_resp sr;
        sub_route(s, q, "screen", t, &sr);
        if (sr.status < 400 && sr.body) {
            json_t *exp = json_array();
            size_t i;
            json_t *e;
            json_array_foreach(json_object_get(sr.body, "exposure"), i, e)
            {
                json_array_append_new(exp, json_pack("{s:O, s:O, s:O, s:O, s:O}", "category",
                                                     json_object_get(e, "category"), "share",
                                                     json_object_get(e, "share"), "direct",
                                                     json_object_get(e, "direct"), "indirect",
                                                     json_object_get(e, "indirect"), "hops",
                                                     json_object_get(e, "min_hops")));
            }
            json_object_set_new(doc, "exposure", exp);
        }
        json_decref(sr.body);
    } else if (!strcmp(kind, "tx")) {
        json_object_set(doc, "id", json_object_get(res, "txid"));
        json_t *results = json_array();
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(res, "outputs"), i, o)
        {
            json_t *a = json_object_get(o, "address");
            if (json_is_string(a) && strcmp(json_string_value(a), "-") != 0)
                json_array_append_new(results, json_pack("{s:s, s:O, s:O}", "kind", "address", "id",
                                                         a, "label", json_object_get(o, "type")));
        }
        json_object_set_new(doc, "results", results);
        json_object_set_new(doc, "labels", json_array());
    } else {
        json_object_set(doc, "id", json_object_get(res, "hash"));
        json_object_set_new(doc, "labels", json_array());
    }
    json_decref(res);
    r->body = doc;
}

bool cw_server__more_api(cw_server *s, cw_req *q, char **segs, int n, cw_resp *r)
{
    bool get = !strcmp(q->method, "GET");
    bool staff = q->who.role == CW_ROLE_ANALYST || q->who.role == CW_ROLE_ADMIN;
    if (n < 1)
        return false;
    if (!strcmp(segs[0], "trace") && n == 1) {
        if (!s->chain) {
            cw_server__error(r, 404, "Not found",
                             "no such resource (this node serves no chain store)");
            return true;
        }
        char trace_s[] = "trace";
        char *cs[1] = {trace_s};
        cw_server__chain_api(s, q, cs, 1, r);
        return true;
    }
    if (!strcmp(segs[0], "search") && n == 1) {
        if (!get)
            cw_server__error(r, 405, "Method not allowed", NULL);
        else
            search(s, q, r);
        return true;
    }
    if (!strcmp(segs[0], "supply")) {
        if (!get)
            cw_server__error(r, 405, "Method not allowed", NULL);
        else
            supply(s, q, segs + 1, n - 1, r);
        return true;
    }
    if (!strcmp(segs[0], "audit") && n == 2 && !strcmp(segs[1], "checkpoint")) {
        /* A signed checkpoint of the audit head, for partners to keep (any principal). */
        if (!get) {
            cw_server__error(r, 405, "Method not allowed", NULL);
            return true;
        }
        int rc = cw_audit_checkpoint(s->node, &r->body);
        if (rc)
            cw_server__fail(r, rc);
        return true;
    }
    if ((!strcmp(segs[0], "peers") || !strcmp(segs[0], "audit")) && n == 1) {
        if (!get) {
            cw_server__error(r, 405, "Method not allowed", NULL);
            return true;
        }
        if (!staff) {
            cw_server__error(r, 403, "Forbidden", "analysts and admins only");
            return true;
        }
        json_t *list = NULL;
        int rc;
        if (!strcmp(segs[0], "peers")) {
            rc = cw_peer_list(s->node, &list);
        } else {
            uint64_t lim = 200;
            const char *l = cw_server__arg(q, "limit");
            if (l && (cw_parse_u64(&lim, l) || lim > 100000)) {
                cw_server__error(r, 400, "Bad request", "limit: a number, at most 100000");
                return true;
            }
            const char *action = cw_server__arg(q, "action");
            rc = cw_audit_list(s->node, (int64_t)lim, action && *action ? action : NULL, &list);
        }
        if (rc) {
            cw_server__fail(r, rc);
            return true;
        }
        if (json_is_array(list))
            r->body = json_pack("{s:o}", !strcmp(segs[0], "peers") ? "peers" : "entries", list);
        else
            r->body = list;
        return true;
    }
    return false;
}
