/*
 * collection.c: the node's TAXII collection (table stix_objects) and the publishing of local
 * alerts into it.
 *
 * Each stored object keeps its TLP level and audience beside the JSON so that every read
 * path filters with cw_tlp_allows(). date_added is unique and strictly increasing (one
 * microsecond past the previous one when the clock has not moved), so it orders the
 * collection and serves as the opaque TAXII `next` (keyset paging on its unique index):
 * paging neither loses nor repeats an object while others are added. A cyber-observable
 * has a deterministic id (the same wallet in two alerts): when it comes again for another
 * audience, the stored copy takes the merged marking (the less restrictive level, the union
 * of the audiences; see merge_marking) and a new date_added, so that no object referencing it
 * is left pointing at something its audience cannot read. Publishing is idempotent: the id of
 * the last published alert is kept in table node and moved in the same transaction as the
 * objects; an alert that cannot become STIX is recorded in publish_skipped and passed over.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "chainwatch/sql.h"
#include "share/internal.h"

static int sql_fail(sqlite3 *db, const char *what)
{
    return cw_error_set(CW_EIO, "collection: %s: %s", what, sqlite3_errmsg(db));
}

/* Appends the organisations of list b not in list a to a (comma-separated). */
static void union_list(cw_buf *out, const char *a, const char *b)
{
    cw_buf_printf(out, "%s", a ? a : "");
    size_t have = out->len;
    const char *p = b ? b : "";
    while (*p) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        bool dup = false;
        const char *q = a ? a : "";
        while (*q && !dup) {
            const char *d = strchr(q, ',');
            size_t m = d ? (size_t)(d - q) : strlen(q);
            dup = m == l && !strncasecmp(q, p, l);
            q += m + (d ? 1 : 0);
        }
        if (l && !dup)
            cw_buf_printf(out, "%s%.*s", out->len ? "," : "", (int)l, p);
        p += l + (c ? 1 : 0);
    }
    (void)have;
    cw_buf_append(out, "", 1);
}

/* The marking that lets everyone see the object who may see either copy: the less restrictive
 * level, with the union of the audiences when that level names organisations (AMBER+STRICT
 * cannot name two, so it becomes AMBER). Without this, an object that two alerts reference
 * (a wallet) would be invisible to one alert's audience: a dangling reference. */
static void merge_marking(cw_tlp *tlp, cw_buf *aud, cw_tlp t1, const char *a1, cw_tlp t2,
                          const char *a2)
{
    *tlp = t1 < t2 ? t1 : t2;
    if (*tlp >= CW_TLP_RED) {
        cw_buf_append(aud, "", 1);
        return;
    }
    /* Audiences that count: those of AMBER-level copies (RED: only local users). */
    const char *x = (t1 == CW_TLP_AMBER || t1 == CW_TLP_AMBER_STRICT) ? a1 : "";
    const char *y = (t2 == CW_TLP_AMBER || t2 == CW_TLP_AMBER_STRICT) ? a2 : "";
    union_list(aud, x, y);
    if (*tlp == CW_TLP_AMBER_STRICT && strchr((const char *)aud->data, ','))
        *tlp = CW_TLP_AMBER;
}

/* Inserts within the caller's transaction. An (id, version) already stored (a deterministic
 * SCO id met again) takes the merged marking; when that changes, it gets a new date_added
 * (so pulls see it again) and, if its marking ref changes, it is re-signed with the node key. */
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
    if (!share_to)
        share_to = "";
    sqlite3_stmt *st = NULL;
    int64_t last = 0;
    int rc = 0;
    json_t *merged_obj = NULL;
    cw_buf aud = {0};
    cw_tlp mtlp = tlp;
    if (sqlite3_prepare_v2(n->db,
                           "SELECT tlp, share_to FROM stix_objects WHERE id = ? AND version = ?",
                           -1, &st, NULL))
        return sql_fail(n->db, "add");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
    bool exists = sqlite3_step(st) == SQLITE_ROW;
    if (exists) {
        cw_tlp old = (cw_tlp)sqlite3_column_int(st, 0);
        const char *old_aud = (const char *)sqlite3_column_text(st, 1);
        merge_marking(&mtlp, &aud, old, old_aud, tlp, share_to);
        bool same = mtlp == old && !strcasecmp((const char *)aud.data, old_aud ? old_aud : "");
        sqlite3_finalize(st);
        st = NULL;
        if (same) {
            cw_buf_deinit(&aud);
            if (out_date_added)
                *out_date_added = 0;
            return 0;
        }
        share_to = (const char *)aud.data;
        if (mtlp != tlp) {
            /* The stored JSON must carry the marking it is served under. */
            merged_obj = json_deep_copy(obj);
            if (!merged_obj) {
                cw_buf_deinit(&aud);
                return cw_error_set(CW_ENOMEM, "out of memory");
            }
            json_object_set_new(merged_obj, "object_marking_refs",
                                json_pack("[s]", cw_stix_tlp_marking_id(mtlp)));
            json_t *ext =
                json_object_get(json_object_get(merged_obj, "extensions"), CW_STIX_EXT_SIGNATURE);
            if (ext && (rc = cw_stix_sign(merged_obj, n->sk, n->pk)))
                goto out;
            obj = merged_obj;
        }
    } else {
        sqlite3_finalize(st);
        st = NULL;
    }
    if (sqlite3_prepare_v2(n->db, "SELECT coalesce(max(date_added), 0) FROM stix_objects", -1, &st,
                           NULL)) {
        rc = sql_fail(n->db, "add");
        goto out;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        last = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    int64_t now = cw_time_now_us();
    if (now <= last)
        now = last + 1;
    char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    if (!text) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    if (sqlite3_prepare_v2(
            n->db,
            "INSERT INTO stix_objects(id, version, type, spec_version, date_added, tlp, share_to, "
            "json) VALUES(?,?,?,?,?,?,?,?) "
            "ON CONFLICT(id, version) DO UPDATE SET tlp = excluded.tlp, share_to = "
            "excluded.share_to, json = excluded.json, date_added = excluded.date_added",
            -1, &st, NULL)) {
        free(text);
        rc = sql_fail(n->db, "add");
        goto out;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, spec ? spec : "2.1", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_int(st, 6, (int)mtlp);
    sqlite3_bind_text(st, 7, share_to, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, text, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sql_fail(n->db, "add");
    sqlite3_finalize(st);
    free(text);
    if (!rc && out_date_added)
        *out_date_added = now;
out:
    json_decref(merged_obj);
    cw_buf_deinit(&aud);
    return rc;
}

int cw_share_collection_add(cw_node *n, const json_t *obj, cw_tlp tlp, const char *share_to,
                            int64_t *out_date_added)
{
    /* Inside the caller's transaction (a TAXII POST is one): a savepoint keeps this one add
     * atomic. */
    bool own = sqlite3_get_autocommit(n->db) != 0;
    int rc = cw_sql_exec(n->db, own ? "BEGIN IMMEDIATE" : "SAVEPOINT cw_add");
    if (rc)
        return rc;
    rc = add_locked(n, obj, tlp, share_to, out_date_added);
    if (!rc)
        rc = cw_sql_exec(n->db, own ? "COMMIT" : "RELEASE cw_add");
    if (rc && own)
        cw_sql_exec(n->db, "ROLLBACK");
    else if (rc) {
        cw_sql_exec(n->db, "ROLLBACK TO cw_add");
        cw_sql_exec(n->db, "RELEASE cw_add");
    }
    return rc;
}

int cw_share_add_begin(cw_node *n)
{
    return cw_sql_exec(n->db, "BEGIN IMMEDIATE");
}

void cw_share_add_abort(cw_node *n)
{
    if (!sqlite3_get_autocommit(n->db))
        cw_sql_exec(n->db, "ROLLBACK");
}

int cw_share_add_end(cw_node *n, const char *status_id, const json_t *status)
{
    char *text = json_dumps(status, JSON_COMPACT | JSON_SORT_KEYS);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (!text)
        rc = cw_error_set(CW_ENOMEM, "taxii status: out of memory");
    else if (sqlite3_prepare_v2(n->db, "INSERT INTO taxii_status(id, json, created) VALUES(?,?,?)",
                                -1, &st, NULL) != SQLITE_OK)
        rc = cw_error_set(CW_EIO, "taxii status: %s", sqlite3_errmsg(n->db));
    if (!rc) {
        sqlite3_bind_text(st, 1, status_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, cw_time_now_us());
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = cw_error_set(CW_EIO, "taxii status %s: %s", status_id, sqlite3_errmsg(n->db));
    }
    sqlite3_finalize(st);
    free(text);
    if (!rc)
        rc = cw_sql_exec(n->db, "COMMIT");
    if (rc)
        cw_share_add_abort(n);
    return rc;
}

int cw_share_add_status(cw_node *n, const char *status_id, json_t **out)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(n->db, "SELECT json FROM taxii_status WHERE id = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return cw_error_set(CW_EIO, "taxii status: %s", sqlite3_errmsg(n->db));
    sqlite3_bind_text(st, 1, status_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
        rc = *out ? 0
                  : cw_error_set(CW_ECORRUPT, "taxii status %s: stored JSON does not parse",
                                 status_id);
    } else if (rc == SQLITE_DONE) {
        rc = cw_error_set(CW_ENOTFOUND, "taxii status %s: no such status", status_id);
    } else {
        rc = cw_error_set(CW_EIO, "taxii status %s: %s", status_id, sqlite3_errmsg(n->db));
    }
    sqlite3_finalize(st);
    return rc;
}

static int collect(const json_t *alert, void *payload)
{
    return json_array_append((json_t *)payload, (json_t *)(uintptr_t)alert) ? CW_ENOMEM : 0;
}

/* The marking an object would be stored under: a copy already stored (a wallet of another
 * alert) merges with it as add_locked does. For the share preview (dry runs). */
static int dry_marking(cw_node *n, const json_t *obj, cw_tlp tlp, const char *share_to,
                       cw_tlp *out_tlp, cw_buf *out_aud)
{
    const char *id = json_string_value(json_object_get(obj, "id"));
    const char *version = json_string_value(json_object_get(obj, "modified"));
    if (!version)
        version = json_string_value(json_object_get(obj, "created"));
    if (!version)
        version = "1970-01-01T00:00:00.000Z";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(n->db,
                           "SELECT tlp, share_to FROM stix_objects WHERE id = ? AND version = ?",
                           -1, &st, NULL))
        return sql_fail(n->db, "preview");
    sqlite3_bind_text(st, 1, id ? id : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        merge_marking(out_tlp, out_aud, (cw_tlp)sqlite3_column_int(st, 0),
                      (const char *)sqlite3_column_text(st, 1), tlp, share_to);
    } else {
        *out_tlp = tlp;
        cw_buf_printf(out_aud, "%s", share_to ? share_to : "");
        cw_buf_append(out_aud, "", 1);
    }
    sqlite3_finalize(st);
    return 0;
}

/* Signs obj, appends its id to refs (when refs) and stores it; with dry (the share preview),
 * appends {object, tlp, share_to} to dry instead, with the marking it would be stored under.
 * Steals obj. */
static int put(cw_node *n, json_t *obj, cw_tlp tlp, const char *share_to, json_t *refs, int *count,
               json_t *dry)
{
    if (!obj)
        return cw_error_set(CW_EINVAL, "publish: the alert's evidence cannot make a valid STIX "
                                       "object");
    int rc = cw_stix_sign(obj, n->sk, n->pk);
    if (!rc && refs)
        json_array_append(refs, json_object_get(obj, "id"));
    if (!rc && dry) {
        cw_tlp mtlp = tlp;
        cw_buf aud = {0};
        rc = dry_marking(n, obj, tlp, share_to, &mtlp, &aud);
        if (!rc && mtlp != tlp) {
            json_object_set_new(obj, "object_marking_refs",
                                json_pack("[s]", cw_stix_tlp_marking_id(mtlp)));
            rc = cw_stix_sign(obj, n->sk, n->pk);
        }
        if (!rc)
            json_array_append_new(dry, json_pack("{s:O, s:s, s:s}", "object", obj, "tlp",
                                                 cw_tlp_name(mtlp), "share_to",
                                                 aud.data ? (const char *)aud.data : ""));
        cw_buf_deinit(&aud);
    } else if (!rc) {
        rc = add_locked(n, obj, tlp, share_to, NULL);
    }
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

/* Amounts travel as decimal strings, and no integer beyond 2^53 reaches a signature (a
 * consumer reading JSON numbers as doubles would see another value): in the evidence, every
 * integer under a key naming an amount (value, amount, *_sat, *_wei) and every integer
 * beyond +-2^53 becomes its decimal string. */
static bool amount_key(const char *k)
{
    size_t l = strlen(k);
    return strstr(k, "value") || strstr(k, "amount") ||
           (l >= 4 && (!strcmp(k + l - 4, "_sat") || !strcmp(k + l - 4, "_wei")));
}

static void amounts_as_strings(json_t *v, bool amount)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *e;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, e)
        {
            if (json_is_integer(e)) {
                json_int_t i = json_integer_value(e);
                if (amount_key(k) || i > CW_JCS_MAX_SAFE || i < -CW_JCS_MAX_SAFE) {
                    char b[32];
                    snprintf(b, sizeof b, "%lld", (long long)i);
                    json_object_set_new(v, k, json_string(b));
                }
            } else {
                amounts_as_strings(e, amount_key(k));
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            json_int_t x = json_integer_value(e);
            if (json_is_integer(e) && (amount || x > CW_JCS_MAX_SAFE || x < -CW_JCS_MAX_SAFE)) {
                char b[32];
                snprintf(b, sizeof b, "%lld", (long long)x);
                json_array_set_new(v, i, json_string(b));
            } else {
                amounts_as_strings(e, amount);
            }
        }
    }
}

/* The wallet of an address: its currency (evidence "currency", default BTC) and, for alerts
 * from an EVM store, its chain (evidence "chain": "ethereum", "bsc", ...): one EVM address
 * exists on every EVM chain, so the chain says where it was seen. */
static json_t *wallet_on_chain(const cw_stix_ctx *c, const char *address, const json_t *ev)
{
    json_t *w = cw_stix_wallet(c, address, json_string_value(json_object_get(ev, "currency")));
    const char *chain = json_string_value(json_object_get(ev, "chain"));
    if (w && chain && *chain)
        json_object_set_new(w, "chain", json_string(chain));
    return w;
}

/* Builds and stores the objects of one alert inside the caller's transaction (with dry, the
 * share preview: builds and signs them, and lists them in dry, storing nothing). CW_EINVAL:
 * the alert cannot become STIX (the message says why); other codes are storage failures. */
int cw_share__publish_one(cw_node *n, const json_t *a, int *count, json_t *dry)
{
    json_int_t alert_id = json_integer_value(json_object_get(a, "id"));
    {
        json_t *ev0 = json_object_get(a, "evidence");
        json_t *ad0 = json_object_get(ev0, "addresses");
        size_t k;
        json_t *x;
        cw_stix_ctx c0 = {n->identity, CW_TLP_RED, 0, false};
        json_array_foreach(ad0, k, x)
        {
            json_t *w = json_is_string(x) ? cw_stix_wallet(&c0, json_string_value(x), NULL) : NULL;
            if (!w) {
                char *shown = json_dumps(x, JSON_ENCODE_ANY | JSON_COMPACT);
                cw_error_set(CW_EINVAL,
                             "alert %lld: evidence.addresses[%zu] = %.80s is not an address a "
                             "STIX cryptocurrency-wallet can carry",
                             (long long)alert_id, k, shown ? shown : "?");
                free(shown);
                return CW_EINVAL;
            }
            json_decref(w);
        }
    }

    cw_tlp tlp;
    if (cw_tlp_parse(&tlp, json_string_value(json_object_get(a, "tlp"))))
        return cw_error_set(CW_EINVAL, "alert %lld: no valid TLP", (long long)alert_id);
    int64_t t = 0;
    cw_time_parse(&t, json_string_value(json_object_get(a, "time")));
    int64_t last = t;
    cw_time_parse(&last, json_string_value(json_object_get(a, "last_seen")));
    json_t *ev = json_object_get(a, "evidence");
    cw_stix_ctx c = {n->identity, tlp, t, json_is_true(json_object_get(ev, "synthetic"))};
    const char *title = json_string_value(json_object_get(a, "title"));
    const char *expl = json_string_value(json_object_get(a, "explanation"));
    const char *source = json_string_value(json_object_get(a, "source"));
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
            rc = put(n, wallet_on_chain(&c, av[i], ev), tlp, aud, wallet_refs, count, dry);
        }
        json_t *ind = rc ? NULL : cw_stix_indicator(&c, title, expl, av, na);
        const char *ind_id = ind ? json_string_value(json_object_get(ind, "id")) : NULL;
        char ind_id_copy[96] = "";
        if (ind_id)
            snprintf(ind_id_copy, sizeof ind_id_copy, "%s", ind_id);
        if (!rc)
            rc = put(n, ind, tlp, aud, refs, count, dry);
        json_t *od =
            rc ? NULL
               : cw_stix_observed_data(&c, wallet_refs, t, last,
                                       json_integer_value(json_object_get(a, "occurrences")));
        char od_id[96] = "";
        if (od)
            snprintf(od_id, sizeof od_id, "%s", json_string_value(json_object_get(od, "id")));
        if (!rc)
            rc = put(n, od, tlp, aud, refs, count, dry);
        if (!rc)
            rc = put(n,
                     cw_stix_sighting(&c, ind_id_copy, od_id, n->identity,
                                      json_integer_value(json_object_get(a, "occurrences"))),
                     tlp, aud, refs, count, dry);
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
                 tlp, aud, refs, count, dry);
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
        /* the chain and the assets of an EVM finding, at the top of the extension */
        const char *chain = json_string_value(json_object_get(ev, "chain"));
        if (chain && *chain)
            json_object_set_new(ext, "chain", json_string(chain));
        json_t *assets = json_array();
        size_t q;
        json_t *am;
        json_array_foreach(json_object_get(ev, "amounts"), q, am)
        {
            const char *sym = json_string_value(json_object_get(am, "asset"));
            if (sym && *sym)
                json_array_append_new(assets, json_string(sym));
        }
        json_object_set_new(ext, "assets", assets);
        json_t *ext_copy = json_deep_copy(ext);
        json_decref(ext);
        ext = ext_copy;
        prune_empty(ext);
        amounts_as_strings(ext, false);
        json_object_set_new(rep, "extensions", json_pack("{s:o}", CW_STIX_EXT_ALERT, ext));
    }
    if (!rc)
        rc = put(n, rep, tlp, aud, NULL, count, dry);
    json_decref(refs);
    cw_buf_deinit(&share_to);
    return rc;
}

/* Records an alert that cannot become STIX (same transaction as moving the mark). */
static int skip_locked(cw_node *n, int64_t id, const char *reason)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(n->db,
                           "INSERT INTO publish_skipped(alert_id, reason, time) VALUES(?,?,?) "
                           "ON CONFLICT(alert_id) DO UPDATE SET reason = excluded.reason, "
                           "time = excluded.time",
                           -1, &st, NULL))
        return sql_fail(n->db, "skip");
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, cw_time_now_us());
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sql_fail(n->db, "skip");
    sqlite3_finalize(st);
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
        if ((rc = cw_sql_exec(n->db, "BEGIN IMMEDIATE")))
            break;
        /* Another process (the CLI beside a running server) may have published it since we
         * looked: re-read the mark inside the write transaction. */
        int64_t id = json_integer_value(json_object_get(a, "id"));
        rc = cw_share__meta_get(n->db, "published_alert_id", buf, sizeof buf);
        if (!rc && cw_parse_i64(&done, buf))
            rc = cw_error_set(CW_ECORRUPT, "node: bad published_alert_id");
        if (!rc && id <= done) {
            rc = cw_sql_exec(n->db, "ROLLBACK");
            continue;
        }
        int added = 0;
        if (!rc)
            rc = cw_share__publish_one(n, a, &added, NULL);
        char reason[512] = "";
        if (rc == CW_EINVAL) {
            /* This alert cannot become STIX: skip it (recorded, retryable) and go on, so one
             * alert never stops the ones after it. */
            snprintf(reason, sizeof reason, "%s", cw_error_last());
            cw_sql_exec(n->db, "ROLLBACK");
            added = 0;
            rc = cw_sql_exec(n->db, "BEGIN IMMEDIATE");
            if (!rc)
                rc = skip_locked(n, id, reason);
        }
        if (!rc) {
            snprintf(buf, sizeof buf, "%lld", (long long)id);
            rc = cw_share__meta_set(n->db, "published_alert_id", buf);
        }
        if (!rc && reason[0]) {
            char target[32];
            snprintf(target, sizeof target, "alert/%lld", (long long)id);
            cw_audit_entry e = {"publisher", "publish.skip", target, "skipped", reason, 0};
            rc = cw_share__audit_append_in_tx(n, &e);
        }
        if (!rc)
            rc = cw_sql_exec(n->db, "COMMIT");
        if (rc)
            cw_sql_exec(n->db, "ROLLBACK");
        else
            count += added;
    }
    json_decref(pending);
    if (out_n)
        *out_n = count;
    return rc;
}

int cw_share_publish_needed(cw_node *n)
{
    /* Under an unchanged database the answer is the last one (a counter compare): any new
     * alert or publishing is a commit, which changes data_version. */
    if (n->pub_answer >= 0 && cw_share__memo_valid(n, n->pub_version, n->pub_changes))
        return n->pub_answer;
    sqlite3_stmt *st =
        cw_sql_cached(&n->cache, n->db, "SELECT v FROM node WHERE k = 'published_alert_id'");
    if (!st)
        return sql_fail(n->db, "publish");
    int64_t done = 0;
    int rc = sqlite3_step(st) == SQLITE_ROW &&
                     !cw_parse_i64(&done, (const char *)sqlite3_column_text(st, 0))
                 ? 0
                 : cw_error_set(CW_ECORRUPT, "node: bad or missing published_alert_id");
    cw_sql_done(st);
    if (!rc)
        rc = cw_alert_any_local_after(n->alerts, done);
    if (rc >= 0 && n->in_snap) {
        n->pub_answer = rc;
        n->pub_version = n->snap_version;
        n->pub_changes = n->snap_changes;
    }
    return rc;
}

int cw_share_publish_skipped(cw_node *n, json_t **out)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(n->db,
                           "SELECT alert_id, reason, time FROM publish_skipped ORDER BY alert_id",
                           -1, &st, NULL))
        return sql_fail(n->db, "skipped");
    json_t *arr = json_array();
    char t[32];
    while (sqlite3_step(st) == SQLITE_ROW) {
        cw_time_format(t, sqlite3_column_int64(st, 2), 0);
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s}", "alert_id",
                                             (json_int_t)sqlite3_column_int64(st, 0), "reason",
                                             (const char *)sqlite3_column_text(st, 1), "time", t));
    }
    sqlite3_finalize(st);
    *out = arr;
    return 0;
}

int cw_share_publish_retry(cw_node *n, int64_t alert_id, int *out_published, int *out_skipped)
{
    json_t *list = NULL;
    int rc = cw_share_publish_skipped(n, &list);
    int published = 0, still = 0;
    size_t i;
    json_t *row;
    json_array_foreach(list, i, row)
    {
        if (rc)
            break;
        int64_t id = json_integer_value(json_object_get(row, "alert_id"));
        if (alert_id && id != alert_id)
            continue;
        json_t *a = NULL;
        if ((rc = cw_alert_get(n->alerts, id, &a)))
            break;
        if ((rc = cw_sql_exec(n->db, "BEGIN IMMEDIATE"))) {
            json_decref(a);
            break;
        }
        int added = 0;
        rc = cw_share__publish_one(n, a, &added, NULL);
        json_decref(a);
        char target[32], reason[512] = "";
        snprintf(target, sizeof target, "alert/%lld", (long long)id);
        if (rc == CW_EINVAL) {
            snprintf(reason, sizeof reason, "%s", cw_error_last());
            cw_sql_exec(n->db, "ROLLBACK");
            rc = cw_sql_exec(n->db, "BEGIN IMMEDIATE");
            if (!rc)
                rc = skip_locked(n, id, reason);
            still++;
        } else if (!rc) {
            sqlite3_stmt *st = NULL;
            if (sqlite3_prepare_v2(n->db, "DELETE FROM publish_skipped WHERE alert_id = ?", -1, &st,
                                   NULL))
                rc = sql_fail(n->db, "retry");
            sqlite3_bind_int64(st, 1, id);
            if (!rc && sqlite3_step(st) != SQLITE_DONE)
                rc = sql_fail(n->db, "retry");
            sqlite3_finalize(st);
            if (!rc)
                published++;
        }
        if (!rc) {
            cw_audit_entry e = {
                "publisher", "publish.retry", target, reason[0] ? "skipped" : "ok", reason, 0};
            rc = cw_share__audit_append_in_tx(n, &e);
        }
        if (!rc)
            rc = cw_sql_exec(n->db, "COMMIT");
        if (rc)
            cw_sql_exec(n->db, "ROLLBACK");
    }
    json_decref(list);
    if (out_published)
        *out_published = published;
    if (out_skipped)
        *out_skipped = still;
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
            if (cw_time_parse(&t, tmp))
                return cw_error_set(
                    CW_EINVAL, "match[version]: '%s' is not last, first, all or a timestamp", tmp);
            p += l + (c ? 1 : 0);
        }
    }
    /* The filters that indexes serve go into the SQL: id and type lists (the (id, version)
     * index and a scan in date_added order), added_after and next (the unique date_added
     * index: `next` is the date_added of the last object handed out, so paging neither loses
     * nor repeats an object while others are added). TLP and the rest filter in C. */
    cw_buf sql = {0};
    cw_buf_printf(&sql, "SELECT s.seq, s.id, s.version, s.type, s.spec_version, s.date_added, "
                        "s.tlp, s.share_to, s.json FROM stix_objects s WHERE s.date_added > ?1");
    int n_ids = 0, n_types = 0;
    const char *lists[2] = {q->match_id, q->match_type};
    int *counts[2] = {&n_ids, &n_types};
    for (int k = 0; k < 2; k++) {
        if (!lists[k])
            continue;
        int c = 1;
        for (const char *p = lists[k]; *p; p++)
            c += *p == ',';
        if (c > 100)
            continue; /* a long list filters in C */
        *counts[k] = c;
        cw_buf_printf(&sql, " AND s.%s IN (", k ? "type" : "id");
        for (int i = 0; i < c; i++)
            cw_buf_printf(&sql, "%s?", i ? "," : "");
        cw_buf_printf(&sql, ")");
    }
    if (v_last)
        cw_buf_printf(&sql, " AND s.version = (SELECT max(version) FROM stix_objects x WHERE x.id "
                            "= s.id)");
    else if (v_first)
        cw_buf_printf(&sql, " AND s.version = (SELECT min(version) FROM stix_objects x WHERE x.id "
                            "= s.id)");
    cw_buf_printf(&sql, " ORDER BY s.date_added");
    if (cw_buf_append(&sql, "", 1)) {
        cw_buf_deinit(&sql);
        return cw_error_set(CW_ENOMEM, "out of memory");
    }
    sqlite3_stmt *st = NULL;
    int prc = sqlite3_prepare_v2(n->db, (const char *)sql.data, -1, &st, NULL);
    cw_buf_deinit(&sql);
    if (prc)
        return sql_fail(n->db, "query");
    sqlite3_bind_int64(st, 1, q->added_after_us > q->next ? q->added_after_us : q->next);
    int bind = 2;
    for (int k = 0; k < 2; k++) {
        if (!*counts[k])
            continue;
        const char *p = lists[k];
        for (int i = 0; i < *counts[k]; i++) {
            const char *c = strchr(p, ',');
            size_t l = c ? (size_t)(c - p) : strlen(p);
            sqlite3_bind_text(st, bind++, p, (int)l, SQLITE_TRANSIENT);
            p += l + (c ? 1 : 0);
        }
    }
    json_t *objs = json_array();
    int64_t count = 0, last_added = 0;
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
        if (!v_all && !v_last && !v_first && !list_has(mv, version))
            continue;
        if (count == limit) {
            page->more = true;
            page->next = last_added;
            break;
        }
        int64_t added = sqlite3_column_int64(st, 5);
        if (!page->first_added)
            page->first_added = added;
        page->last_added = added;
        last_added = added;
        json_t *o;
        if (q->raw && !manifest) {
            const void *txt = sqlite3_column_text(st, 8);
            int tl = sqlite3_column_bytes(st, 8);
            if ((count && cw_buf_append(&page->raw, ",", 1)) ||
                cw_buf_append(&page->raw, txt, (size_t)tl)) {
                rc = cw_error_set(CW_ENOMEM, "out of memory");
                break;
            }
            count++;
            continue;
        }
        if (manifest) {
            char t[32];
            cw_time_format(t, added, 6);
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
        cw_buf_deinit(&page->raw);
        return rc;
    }
    page->objects = objs;
    page->count = (size_t)count;
    return 0;
}
