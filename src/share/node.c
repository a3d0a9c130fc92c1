/*
 * node.c: a chainwatch node: its identity and keys (table node), API keys with roles
 * (table api_keys, keyed BLAKE2b hashes only), TLP 2.0 enforcement, and the append-only,
 * hash-chained audit log (table audit, guarded by triggers; head kept in table node).
 *
 * Audit chain: hash_i = BLAKE2b-256(key = node secret, prev_hash_i || seq || time || actor ||
 * action || target || outcome || detail), each field length-prefixed; prev_hash_1 is 64
 * zeros. An edit changes a hash; a deletion or insertion breaks seq or prev; a truncation at
 * the end no longer matches the head recorded in table node. Someone holding the database
 * (and so the secret) can rebuild a consistent chain: publish the head (`audit verify`
 * prints it) to detect that.
 */
#include <ctype.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "chainwatch/sql.h"
#include "share/internal.h"

static const char *const migrations[] = {
    /* 1 */
    "CREATE TABLE node (k TEXT PRIMARY KEY, v TEXT NOT NULL);"
    "CREATE TABLE api_keys (name TEXT PRIMARY KEY, org TEXT NOT NULL, role INTEGER NOT NULL,"
    " hash TEXT NOT NULL UNIQUE, created INTEGER NOT NULL, revoked INTEGER);"
    "CREATE TABLE audit (seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, actor TEXT NOT NULL,"
    " action TEXT NOT NULL, target TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL,"
    " prev TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
    "CREATE TABLE stix_objects (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL,"
    " version TEXT NOT NULL, type TEXT NOT NULL, spec_version TEXT NOT NULL,"
    " date_added INTEGER NOT NULL UNIQUE, tlp INTEGER NOT NULL, share_to TEXT NOT NULL,"
    " json TEXT NOT NULL, UNIQUE(id, version));"
    "CREATE TABLE peers (name TEXT PRIMARY KEY, url TEXT NOT NULL, api_key TEXT NOT NULL,"
    " pubkey TEXT NOT NULL, org TEXT NOT NULL, added_after INTEGER NOT NULL DEFAULT 0,"
    " last_pull INTEGER);"
    "CREATE TABLE received_objects (peer TEXT NOT NULL, id TEXT NOT NULL, version TEXT NOT NULL,"
    " type TEXT NOT NULL, json TEXT NOT NULL, received INTEGER NOT NULL,"
    " PRIMARY KEY (peer, id, version));"
    "CREATE TABLE taxii_status (id TEXT PRIMARY KEY, json TEXT NOT NULL, created INTEGER NOT "
    "NULL);",
    /* 2: a CA bundle per partner, for https URLs with a private CA. */
    "ALTER TABLE peers ADD COLUMN cacert TEXT;",
    /* 3: alerts that could not become STIX (skipped, retryable), objects a partner sent that
     * did not verify (fetched again by id at the next pull), partners' signed audit-head
     * checkpoints. */
    "CREATE TABLE publish_skipped (alert_id INTEGER PRIMARY KEY, reason TEXT NOT NULL,"
    " time INTEGER NOT NULL);"
    "CREATE TABLE peer_rejected (peer TEXT NOT NULL, id TEXT NOT NULL, reason TEXT NOT NULL,"
    " time INTEGER NOT NULL, PRIMARY KEY (peer, id));"
    "CREATE TABLE peer_checkpoints (peer TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL,"
    " received INTEGER NOT NULL, PRIMARY KEY (peer, seq));",
};
static const cw_sql_schema share_schema = {
    .module = "share", .steps = migrations, .n = (int)(sizeof migrations / sizeof *migrations)};

static int sql_fail(sqlite3 *db, const char *what)
{
    return cw_error_set(CW_EIO, "node: %s: %s", what, sqlite3_errmsg(db));
}

int cw_share__meta_get(sqlite3 *db, const char *k, char *buf, size_t cap)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT v FROM node WHERE k = ?", -1, &st, NULL))
        return sql_fail(db, "meta");
    sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
    int rc;
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = 0;
    } else {
        rc = cw_error_set(CW_ENOTFOUND, "node: '%s' not set (run chainwatch node init)", k);
    }
    sqlite3_finalize(st);
    return rc;
}

int cw_share__meta_set(sqlite3 *db, const char *k, const char *v)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            db, "INSERT INTO node(k, v) VALUES(?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
            -1, &st, NULL))
        return sql_fail(db, "meta");
    sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sql_fail(db, "meta");
    sqlite3_finalize(st);
    return rc;
}

static bool valid_name(const char *s)
{
    if (!s || !*s || strlen(s) > 63)
        return false;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.'))
            return false;
    return true;
}

int cw_node_init(const char *path, const char *name, const char *org)
{
    if (!org)
        org = name;
    if (!valid_name(name) || !valid_name(org))
        return cw_error_set(CW_EINVAL, "node: name and org must be 1-63 of [A-Za-z0-9._-]");
    if (sodium_init() < 0)
        return cw_error_set(CW_EIO, "libsodium failed to initialise");
    cw_alert_db *adb = NULL;
    int rc = cw_alert_db_open(&adb, path);
    if (rc)
        return rc;
    sqlite3 *db = cw_alert_db_sqlite(adb);
    char buf[256];
    if ((rc = cw_sql_migrate(db, &share_schema)))
        goto out;
    if (cw_share__meta_get(db, "name", buf, sizeof buf) == 0) {
        rc = cw_error_set(CW_EEXISTS, "%s: node '%s' already initialised", path, buf);
        goto out;
    }
    uint8_t secret[32], pk[CW_SIGN_PK], sk[CW_SIGN_SK];
    char secret_hex[65], pk_hex[65], sk_hex[129], ident[96], coll[96];
    randombytes_buf(secret, sizeof secret);
    crypto_sign_keypair(pk, sk);
    cw_hex_encode(secret_hex, secret, 32);
    cw_hex_encode(pk_hex, pk, 32);
    cw_hex_encode(sk_hex, sk, 64);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(secret, sizeof secret);
    cw_stix_new_id(ident, "identity");
    cw_stix_new_id(coll, "collection");
    if ((rc = cw_sql_exec(db, "BEGIN IMMEDIATE")))
        goto out;
    if (!rc)
        rc = cw_share__meta_set(db, "name", name);
    if (!rc)
        rc = cw_share__meta_set(db, "org", org);
    if (!rc)
        rc = cw_share__meta_set(db, "secret", secret_hex);
    if (!rc)
        rc = cw_share__meta_set(db, "public_key", pk_hex);
    if (!rc)
        rc = cw_share__meta_set(db, "secret_key", sk_hex);
    if (!rc)
        rc = cw_share__meta_set(db, "identity", ident);
    if (!rc)
        rc = cw_share__meta_set(db, "collection", coll + strlen("collection--"));
    if (!rc)
        rc = cw_share__meta_set(db, "published_alert_id", "0");
    if (!rc)
        rc = cw_share__meta_set(db, "audit_head_seq", "0");
    if (!rc)
        rc = cw_share__meta_set(db, "audit_head_hash",
                                "0000000000000000000000000000000000000000000000000000000000000000");
    sodium_memzero(sk_hex, sizeof sk_hex);
    sodium_memzero(secret_hex, sizeof secret_hex);
    rc = rc ? rc : cw_sql_exec(db, "COMMIT");
    if (rc) {
        cw_sql_exec(db, "ROLLBACK");
        goto out;
    }
    cw_alert_db_close(adb);
    adb = NULL;
    /* The collection's standing objects: the TLP 2.0 markings, the extension definitions and
     * their author, and the node's own identity (signed). */
    cw_node *n = NULL;
    if ((rc = cw_node_open(&n, path)))
        goto out;
    for (int t = 0; !rc && t < 5; t++) {
        json_t *m = cw_stix_tlp_marking((cw_tlp)t);
        rc = m ? cw_share_collection_add(n, m, CW_TLP_CLEAR, "", NULL) : CW_ENOMEM;
        json_decref(m);
    }
    json_t *cwid = cw_stix_chainwatch_identity();
    if (!rc)
        rc = cw_share_collection_add(n, cwid, CW_TLP_CLEAR, "", NULL);
    json_decref(cwid);
    json_t *defs = cw_stix_extension_definitions();
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d) if (!rc) rc =
        cw_share_collection_add(n, d, CW_TLP_CLEAR, "", NULL);
    json_decref(defs);
    json_t *me = cw_stix_identity(ident, name, "organization", cw_time_now_us());
    if (!rc && me)
        rc = cw_stix_sign(me, cw_node_secret_key(n), cw_node_public_key(n));
    if (!rc)
        rc = me ? cw_share_collection_add(n, me, CW_TLP_GREEN, "", NULL) : CW_ENOMEM;
    json_decref(me);
    if (!rc)
        rc = cw_audit_append(n, "cli", "node.init", name, "ok", org);
    cw_node_close(n);
out:
    cw_alert_db_close(adb);
    return rc;
}

int cw_node_open(cw_node **out, const char *path)
{
    return cw_node_open_ex(out, path, CW_SQL_CREATE);
}

int cw_node_open_ex(cw_node **out, const char *path, unsigned sql_flags)
{
    *out = NULL;
    if (sodium_init() < 0)
        return cw_error_set(CW_EIO, "libsodium failed to initialise");
    cw_node *n = cw_calloc(1, sizeof *n);
    if (!n)
        return cw_error_set(CW_ENOMEM, "out of memory");
    n->pub_answer = -1;
    int rc = cw_alert_db_open_ex(&n->alerts, path, sql_flags);
    char hex[160];
    if (!rc) {
        n->db = cw_alert_db_sqlite(n->alerts);
        rc = cw_sql_migrate(n->db, &share_schema);
    }
    if (!rc)
        rc = cw_share__meta_get(n->db, "name", n->name, sizeof n->name);
    if (!rc)
        rc = cw_share__meta_get(n->db, "org", n->org, sizeof n->org);
    if (!rc)
        rc = cw_share__meta_get(n->db, "identity", n->identity, sizeof n->identity);
    if (!rc)
        rc = cw_share__meta_get(n->db, "collection", n->collection, sizeof n->collection);
    if (!rc && !(rc = cw_share__meta_get(n->db, "secret", hex, sizeof hex)))
        rc = cw_hex_decode(n->secret, 32, hex) ? cw_error_set(CW_ECORRUPT, "node: bad secret") : 0;
    if (!rc && !(rc = cw_share__meta_get(n->db, "public_key", hex, sizeof hex)))
        rc = cw_hex_decode(n->pk, 32, hex) ? cw_error_set(CW_ECORRUPT, "node: bad public key") : 0;
    if (!rc && !(rc = cw_share__meta_get(n->db, "secret_key", hex, sizeof hex)))
        rc = cw_hex_decode(n->sk, 64, hex) ? cw_error_set(CW_ECORRUPT, "node: bad secret key") : 0;
    sodium_memzero(hex, sizeof hex);
    if (!rc)
        crypto_generichash_init(&n->audit_key, n->secret, 32, 32);
    if (rc) {
        if (rc == CW_ENOTFOUND)
            cw_error_set(CW_ENOTFOUND, "%s: not a chainwatch node (run chainwatch node init)",
                         path);
        cw_node_close(n);
        return rc;
    }
    *out = n;
    return 0;
}

void cw_node_close(cw_node *n)
{
    if (!n)
        return;
    cw_sql_cache_free(&n->cache);
    cw_alert_db_close(n->alerts);
    sodium_memzero(n, sizeof *n);
    cw_free(n);
}

cw_alert_db *cw_node_alerts(cw_node *n)
{
    return n->alerts;
}
struct sqlite3 *cw_node_sqlite(cw_node *n)
{
    return n->db;
}
const char *cw_node_name(const cw_node *n)
{
    return n->name;
}
const char *cw_node_org(const cw_node *n)
{
    return n->org;
}
const char *cw_node_identity_id(const cw_node *n)
{
    return n->identity;
}
const char *cw_node_collection_id(const cw_node *n)
{
    return n->collection;
}
const uint8_t *cw_node_public_key(const cw_node *n)
{
    return n->pk;
}
const uint8_t *cw_node_secret_key(const cw_node *n)
{
    return n->sk;
}

json_t *cw_node_info(const cw_node *n)
{
    char pk[65];
    cw_hex_encode(pk, n->pk, 32);
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", n->name, "org", n->org, "identity",
                     n->identity, "collection", n->collection, "public_key", pk);
}

/* ---- roles, keys ---- */
static const char *const role_names[] = {"reader", "analyst", "admin", "peer"};

const char *cw_role_name(cw_role r)
{
    return (unsigned)r < 4 ? role_names[r] : "?";
}

int cw_role_parse(cw_role *out, const char *s)
{
    for (int i = 0; s && i < 4; i++) {
        if (!strcasecmp(s, role_names[i])) {
            *out = (cw_role)i;
            return 0;
        }
    }
    return cw_error_set(CW_EINVAL, "role: unknown value '%s' (reader, analyst, admin, peer)",
                        s ? s : "(null)");
}

static void key_hash(char out[65], const cw_node *n, const char *key)
{
    uint8_t h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), n->secret, 32);
    cw_hex_encode(out, h, 32);
}

int cw_keys_add(cw_node *n, const char *name, const char *org, cw_role role, char **out_key)
{
    *out_key = NULL;
    if (!valid_name(name) || !valid_name(org))
        return cw_error_set(CW_EINVAL, "keys: name and org must be 1-63 of [A-Za-z0-9._-]");
    if ((unsigned)role > 3)
        return cw_error_set(CW_EINVAL, "keys: bad role");
    uint8_t raw[32];
    randombytes_buf(raw, sizeof raw);
    char b64[64];
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    size_t klen = strlen(b64) + 4;
    char *key = cw_malloc(klen);
    if (!key)
        return cw_error_set(CW_ENOMEM, "out of memory");
    snprintf(key, klen, "cw_%s", b64);
    char hash[65];
    key_hash(hash, n, key);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(n->db,
                           "INSERT INTO api_keys(name, org, role, hash, created) VALUES(?,?,?,?,?)",
                           -1, &st, NULL)) {
        rc = sql_fail(n->db, "keys");
        goto out;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, org, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, (int)role);
    sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, cw_time_now_us());
    int s = sqlite3_step(st);
    if (s == SQLITE_CONSTRAINT)
        rc = cw_error_set(CW_EEXISTS, "keys: a key named '%s' exists", name);
    else if (s != SQLITE_DONE)
        rc = sql_fail(n->db, "keys");
out:
    sqlite3_finalize(st);
    if (rc) {
        cw_free(key);
        return rc;
    }
    *out_key = key;
    return 0;
}

int cw_keys_revoke(cw_node *n, const char *name)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(n->db,
                           "UPDATE api_keys SET revoked = ? WHERE name = ? AND revoked IS NULL", -1,
                           &st, NULL))
        return sql_fail(n->db, "keys");
    sqlite3_bind_int64(st, 1, cw_time_now_us());
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sql_fail(n->db, "keys");
    sqlite3_finalize(st);
    if (!rc && sqlite3_changes(n->db) != 1)
        rc = cw_error_set(CW_ENOTFOUND, "keys: no active key named '%s'", name);
    return rc;
}

int cw_keys_list(cw_node *n, json_t **out)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(n->db,
                           "SELECT name, org, role, created, revoked FROM api_keys ORDER BY name",
                           -1, &st, NULL))
        return sql_fail(n->db, "keys");
    json_t *arr = json_array();
    char t[32];
    while (sqlite3_step(st) == SQLITE_ROW) {
        cw_time_format(t, sqlite3_column_int64(st, 3), 0);
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s}", "name", (const char *)sqlite3_column_text(st, 0),
                      "org", (const char *)sqlite3_column_text(st, 1), "role",
                      cw_role_name((cw_role)sqlite3_column_int(st, 2)), "created", t);
        if (sqlite3_column_type(st, 4) == SQLITE_NULL) {
            json_object_set_new(o, "revoked", json_null());
        } else {
            cw_time_format(t, sqlite3_column_int64(st, 4), 0);
            json_object_set_new(o, "revoked", json_string(t));
        }
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(st);
    *out = arr;
    return 0;
}

int cw_keys_authenticate(cw_node *n, const char *key, cw_principal *out)
{
    memset(out, 0, sizeof *out);
    if (!key || !*key)
        return cw_error_set(CW_EPERM, "no API key presented");
    size_t klen = strlen(key);
    if (klen > 256)
        return cw_error_set(CW_EPERM, "unknown API key");
    char hash[65];
    if (klen == n->last_key_len && sodium_memcmp(key, n->last_key, klen) == 0) {
        memcpy(hash, n->last_key_hash, sizeof hash);
    } else {
        key_hash(hash, n, key);
        memcpy(n->last_key, key, klen + 1);
        n->last_key_len = klen;
        memcpy(n->last_key_hash, hash, sizeof hash);
    }
    /* The same key under an unchanged database: the answer of the last lookup. A revocation,
     * a new key or any other commit changes data_version and so forces a fresh lookup. */
    for (unsigned i = 0; i < sizeof n->auth_memo / sizeof *n->auth_memo; i++) {
        const struct cw_node_auth_memo *m = &n->auth_memo[i];
        if (!m->hash[0] || !cw_share__memo_valid(n, m->version, m->changes) ||
            memcmp(m->hash, hash, sizeof hash) != 0)
            continue;
        *out = m->who;
        return m->rc ? cw_error_set(m->rc, "%s", m->err) : 0;
    }
    sqlite3_stmt *st = cw_sql_cached(
        &n->cache, n->db, "SELECT name, org, role, revoked FROM api_keys WHERE hash = ?");
    if (!st)
        return sql_fail(n->db, "keys");
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    int rc;
    bool answered = true;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        snprintf(out->name, sizeof out->name, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(out->org, sizeof out->org, "%s", (const char *)sqlite3_column_text(st, 1));
        out->role = (cw_role)sqlite3_column_int(st, 2);
        rc = sqlite3_column_type(st, 3) == SQLITE_NULL
                 ? 0
                 : cw_error_set(CW_EPERM, "revoked API key of '%s'", out->name);
    } else if (step == SQLITE_DONE) {
        rc = cw_error_set(CW_EPERM, "unknown API key");
    } else {
        rc = sql_fail(n->db, "keys");
        answered = false;
    }
    cw_sql_done(st);
    if (answered && n->in_snap) {
        struct cw_node_auth_memo *m =
            &n->auth_memo[n->auth_next++ % (sizeof n->auth_memo / sizeof *n->auth_memo)];
        memcpy(m->hash, hash, sizeof hash);
        m->version = n->snap_version;
        m->changes = n->snap_changes;
        m->rc = rc;
        m->who = *out;
        snprintf(m->err, sizeof m->err, "%s", rc ? cw_error_last() : "");
    }
    return rc;
}

int cw_node_data_version(cw_node *n, int64_t *out)
{
    sqlite3_stmt *st = cw_sql_cached(&n->cache, n->db, "PRAGMA data_version");
    if (!st)
        return sql_fail(n->db, "data_version");
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : sql_fail(n->db, "data_version");
    *out = rc ? 0 : sqlite3_column_int64(st, 0);
    cw_sql_done(st);
    return rc;
}

int cw_node_read_begin(cw_node *n)
{
    n->in_snap = false;
    n->snap_ok = false;
    sqlite3_stmt *st = cw_sql_cached(&n->cache, n->db, "BEGIN DEFERRED");
    if (!st)
        return sql_fail(n->db, "begin read");
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sql_fail(n->db, "begin read");
    cw_sql_done(st);
    /* data_version starts the read transaction: the snapshot is the one it names. */
    if (!rc && !(rc = cw_node_data_version(n, &n->snap_version))) {
        n->snap_changes = sqlite3_total_changes64(n->db);
        n->in_snap = true;
        n->snap_ok = true;
    }
    return rc;
}

int cw_node_read_resume(cw_node *n)
{
    n->in_snap = false;
    /* a write on this connection since would make the remembered answers stale */
    if (!n->snap_ok || sqlite3_total_changes64(n->db) != n->snap_changes ||
        !sqlite3_get_autocommit(n->db))
        return cw_error_set(CW_EINVAL, "no read snapshot to resume");
    n->in_snap = true;
    return 0;
}

static int on_commit(void *p)
{
    const cw_node *n = p;
    n->hook.fn(n->hook.arg);
    return 0; /* the commit goes ahead */
}

void cw_node_on_commit(cw_node *n, void (*fn)(void *arg), void *arg)
{
    n->hook.fn = fn;
    n->hook.arg = arg;
    sqlite3_commit_hook(n->db, fn ? on_commit : NULL, fn ? n : NULL);
}

void cw_node_read_end(cw_node *n)
{
    n->in_snap = false;
    if (sqlite3_get_autocommit(n->db))
        return;
    sqlite3_stmt *st = cw_sql_cached(&n->cache, n->db, "COMMIT");
    if (st) {
        sqlite3_step(st);
        cw_sql_done(st);
    }
    if (!sqlite3_get_autocommit(n->db)) /* never leave a stale snapshot open */
        sqlite3_exec(n->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- TLP ---- */
static bool in_list(const char *list, const char *org)
{
    size_t ol = strlen(org);
    const char *p = list ? list : "";
    while (*p) {
        while (*p == ' ')
            p++;
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        size_t tl = l;
        while (tl && p[tl - 1] == ' ')
            tl--;
        if (tl == ol && ol && !strncasecmp(p, org, ol))
            return true;
        p += l + (c ? 1 : 0);
    }
    return false;
}

bool cw_tlp_allows(cw_tlp tlp, const char *share_to, const char *node_org, const cw_principal *who)
{
    if (!who)
        return false;
    bool local = who->role != CW_ROLE_PEER && !strcasecmp(who->org, node_org);
    switch (tlp) {
    case CW_TLP_CLEAR:
    case CW_TLP_GREEN:
        return true;
    case CW_TLP_AMBER:
        return local || in_list(share_to, who->org);
    case CW_TLP_AMBER_STRICT: {
        /* Exactly one named organisation. */
        if (share_to && strchr(share_to, ','))
            return local;
        return local || in_list(share_to, who->org);
    }
    case CW_TLP_RED:
        return local;
    }
    return false;
}

/* ---- audit ---- */
static void audit_hash(char out[65], const cw_node *n, const char *prev, int64_t seq, int64_t t,
                       const char *const fields[5])
{
    crypto_generichash_state s = n->audit_key;
    uint64_t v[2] = {(uint64_t)seq, (uint64_t)t};
    crypto_generichash_update(&s, (const unsigned char *)prev, 64);
    crypto_generichash_update(&s, (const unsigned char *)v, sizeof v);
    for (int i = 0; i < 5; i++) {
        uint64_t l = strlen(fields[i]);
        crypto_generichash_update(&s, (const unsigned char *)&l, sizeof l);
        crypto_generichash_update(&s, (const unsigned char *)fields[i], l);
    }
    uint8_t h[32];
    crypto_generichash_final(&s, h, 32);
    cw_hex_encode(out, h, 32);
}

/* Appends count entries inside the caller's transaction, chaining from the head in table
 * node, and moves the head. */
static int audit_append_locked(cw_node *n, const cw_audit_entry *e, size_t count)
{
    char prev[80], seqs[32], hash[65];
    int64_t seq = 0;
    int rc = cw_share__meta_get(n->db, "audit_head_hash", prev, sizeof prev);
    if (!rc)
        rc = cw_share__meta_get(n->db, "audit_head_seq", seqs, sizeof seqs);
    if (!rc && (cw_parse_i64(&seq, seqs) || strlen(prev) != 64))
        rc = cw_error_set(CW_ECORRUPT, "audit: bad head in table node");
    sqlite3_stmt *st = NULL;
    if (!rc && !(st = cw_sql_cached(&n->cache, n->db,
                                    "INSERT INTO audit(seq, time, actor, action, target, outcome, "
                                    "detail, prev, hash) VALUES(?,?,?,?,?,?,?,?,?)")))
        rc = sql_fail(n->db, "audit");
    int64_t now = cw_time_now_us();
    for (size_t k = 0; !rc && k < count; k++) {
        const char *f[5] = {e[k].actor ? e[k].actor : "", e[k].action ? e[k].action : "",
                            e[k].target ? e[k].target : "", e[k].outcome ? e[k].outcome : "",
                            e[k].detail ? e[k].detail : ""};
        int64_t t = e[k].time_us ? e[k].time_us : now;
        seq++;
        audit_hash(hash, n, prev, seq, t, f);
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, seq);
        sqlite3_bind_int64(st, 2, t);
        for (int i = 0; i < 5; i++)
            sqlite3_bind_text(st, 3 + i, f[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, prev, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, hash, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = sql_fail(n->db, "audit");
        memcpy(prev, hash, 65);
    }
    cw_sql_done(st);
    if (!rc && count) {
        snprintf(seqs, sizeof seqs, "%lld", (long long)seq);
        rc = cw_share__meta_set(n->db, "audit_head_seq", seqs);
        if (!rc)
            rc = cw_share__meta_set(n->db, "audit_head_hash", prev);
    }
    return rc;
}

int cw_share__audit_append_in_tx(cw_node *n, const cw_audit_entry *e)
{
    return audit_append_locked(n, e, 1);
}

int cw_audit_append_batch(cw_node *n, const cw_audit_entry *e, size_t count)
{
    if (!count)
        return 0;
    int rc = cw_sql_exec(n->db, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    rc = audit_append_locked(n, e, count);
    if (!rc)
        rc = cw_sql_exec(n->db, "COMMIT");
    if (rc)
        cw_sql_exec(n->db, "ROLLBACK");
    return rc;
}

int cw_audit_append(cw_node *n, const char *actor, const char *action, const char *target,
                    const char *outcome, const char *detail)
{
    cw_audit_entry e = {actor, action, target, outcome, detail, 0};
    return cw_audit_append_batch(n, &e, 1);
}

/* ---- signed checkpoints of the audit head ---- */
static json_t *checkpoint_body(const cw_node *n, int64_t seq, const char *head, int64_t t)
{
    char ts[32];
    cw_time_format(ts, t, 6);
    return json_pack("{s:s, s:s, s:I, s:s, s:s}", "type", "chainwatch-audit-checkpoint", "node",
                     n->name, "seq", (json_int_t)seq, "head", head, "time", ts);
}

int cw_audit_checkpoint(cw_node *n, json_t **out)
{
    *out = NULL;
    char head[80], seqs[32];
    int64_t seq = 0;
    int rc = cw_share__meta_get(n->db, "audit_head_hash", head, sizeof head);
    if (!rc)
        rc = cw_share__meta_get(n->db, "audit_head_seq", seqs, sizeof seqs);
    if (!rc && (cw_parse_i64(&seq, seqs) || strlen(head) != 64))
        rc = cw_error_set(CW_ECORRUPT, "audit: bad head in table node");
    if (rc)
        return rc;
    json_t *cp = checkpoint_body(n, seq, head, cw_time_now_us());
    uint8_t sig[CW_SIGN_SIG];
    char sighex[2 * CW_SIGN_SIG + 1], pkhex[65];
    if (!cp)
        return cw_error_set(CW_ENOMEM, "out of memory");
    if ((rc = cw_sign_json(sig, cp, n->sk))) {
        json_decref(cp);
        return rc;
    }
    cw_hex_encode(sighex, sig, sizeof sig);
    cw_hex_encode(pkhex, n->pk, 32);
    json_object_set_new(cp, "public_key", json_string(pkhex));
    json_object_set_new(cp, "signature", json_string(sighex));
    *out = cp;
    return 0;
}

int cw_audit_checkpoint_verify(const json_t *cp, const uint8_t pk[CW_SIGN_PK], int64_t *out_seq,
                               char out_head[65])
{
    const char *sighex = json_string_value(json_object_get(cp, "signature"));
    const char *head = json_string_value(json_object_get(cp, "head"));
    json_t *seqv = json_object_get(cp, "seq");
    uint8_t sig[CW_SIGN_SIG];
    if (!sighex || !head || strlen(head) != 64 || !json_is_integer(seqv) ||
        json_integer_value(seqv) < 0 || cw_hex_decode(sig, sizeof sig, sighex))
        return cw_error_set(CW_ECORRUPT, "audit checkpoint: malformed (seq, head, signature)");
    json_t *body = json_deep_copy(cp);
    if (!body)
        return cw_error_set(CW_ENOMEM, "out of memory");
    json_object_del(body, "signature");
    json_object_del(body, "public_key");
    int rc = cw_verify_json(sig, body, pk);
    json_decref(body);
    if (rc)
        return cw_error_set(CW_ECORRUPT, "audit checkpoint of seq %lld: signature does not verify",
                            (long long)json_integer_value(seqv));
    if (out_seq)
        *out_seq = json_integer_value(seqv);
    if (out_head)
        snprintf(out_head, 65, "%s", head);
    return 0;
}

int cw_audit_checkpoint_append(cw_node *n, const char *path, json_t **out)
{
    json_t *cp = NULL;
    int rc = cw_audit_checkpoint(n, &cp);
    if (rc)
        return rc;
    char *line = json_dumps(cp, JSON_COMPACT | JSON_SORT_KEYS);
    FILE *f = line ? fopen(path, "a") : NULL;
    if (!line)
        rc = cw_error_set(CW_ENOMEM, "out of memory");
    else if (!f)
        rc = cw_error_set(CW_EIO, "%s: cannot open for appending", path);
    else if (fprintf(f, "%s\n", line) < 0 || fflush(f) != 0)
        rc = cw_error_set(CW_EIO, "%s: write failed", path);
    if (f && fclose(f) != 0 && !rc)
        rc = cw_error_set(CW_EIO, "%s: write failed", path);
    free(line);
    if (!rc && out)
        *out = cp;
    else
        json_decref(cp);
    return rc;
}

int cw_audit_check_against(cw_node *n, const json_t *cp, const uint8_t pk[CW_SIGN_PK])
{
    int64_t seq = 0;
    char head[65];
    int rc = cw_audit_checkpoint_verify(cp, pk, &seq, head);
    if (rc || seq == 0)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(n->db, "SELECT hash FROM audit WHERE seq = ?", -1, &st, NULL))
        return sql_fail(n->db, "audit");
    sqlite3_bind_int64(st, 1, seq);
    if (sqlite3_step(st) != SQLITE_ROW)
        rc = cw_error_set(CW_ECORRUPT,
                          "audit: a signed checkpoint records entry %lld (head %.16s...) but the "
                          "log has no such entry: it was truncated",
                          (long long)seq, head);
    else if (strcmp((const char *)sqlite3_column_text(st, 0), head) != 0)
        rc = cw_error_set(CW_ECORRUPT,
                          "audit: entry %lld differs from the signed checkpoint (head %.16s...): "
                          "the log was rewritten",
                          (long long)seq, head);
    sqlite3_finalize(st);
    return rc;
}

int cw_audit_verify_checkpoints(cw_node *n, const char *path, int64_t *out_n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return cw_error_set(CW_ENOTFOUND, "%s: no checkpoint file", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int64_t lineno = 0, count = 0;
    int rc = 0;
    while (!rc && (len = getline(&line, &cap, f)) > 0) {
        lineno++;
        json_error_t err;
        json_t *cp = json_loadb(line, (size_t)len, 0, &err);
        if (!cp)
            rc = cw_error_set(CW_ECORRUPT, "%s: line %lld: not JSON: %s", path, (long long)lineno,
                              err.text);
        else if ((rc = cw_audit_check_against(n, cp, n->pk)))
            cw_error_wrap(rc, "%s: line %lld: ", path, (long long)lineno);
        else
            count++;
        json_decref(cp);
    }
    free(line);
    fclose(f);
    if (!rc && out_n)
        *out_n = count;
    return rc;
}

int cw_audit_verify(cw_node *n, int64_t *out_n, char out_head[65])
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(n->db,
                           "SELECT seq, time, actor, action, target, outcome, detail, prev, hash "
                           "FROM audit ORDER BY seq",
                           -1, &st, NULL))
        return sql_fail(n->db, "audit");
    char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
    int64_t expect = 1;
    int rc = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        const char *f[5];
        for (int i = 0; i < 5; i++) {
            const unsigned char *t = sqlite3_column_text(st, 2 + i);
            f[i] = t ? (const char *)t : "";
        }
        const char *rprev = (const char *)sqlite3_column_text(st, 7);
        const char *rhash = (const char *)sqlite3_column_text(st, 8);
        char h[65];
        if (seq != expect) {
            rc = cw_error_set(CW_ECORRUPT, "audit: entry %lld missing (found %lld next): deleted",
                              (long long)expect, (long long)seq);
        } else if (!rprev || strcmp(rprev, prev) != 0) {
            rc = cw_error_set(CW_ECORRUPT, "audit: entry %lld does not chain to entry %lld",
                              (long long)seq, (long long)seq - 1);
        } else {
            audit_hash(h, n, prev, seq, sqlite3_column_int64(st, 1), f);
            if (!rhash || strcmp(rhash, h) != 0)
                rc = cw_error_set(CW_ECORRUPT, "audit: entry %lld was altered (hash mismatch)",
                                  (long long)seq);
            else
                memcpy(prev, h, 65);
        }
        expect++;
    }
    sqlite3_finalize(st);
    if (rc)
        return rc;
    char head[80], seqs[32];
    int64_t hs = -1;
    if ((rc = cw_share__meta_get(n->db, "audit_head_hash", head, sizeof head)) ||
        (rc = cw_share__meta_get(n->db, "audit_head_seq", seqs, sizeof seqs)))
        return rc;
    if (cw_parse_i64(&hs, seqs) || hs != expect - 1 || strcmp(head, prev) != 0)
        return cw_error_set(CW_ECORRUPT,
                            "audit: log ends at entry %lld but the recorded head is entry %s: "
                            "entries were removed or added",
                            (long long)(expect - 1), seqs);
    if (out_n)
        *out_n = expect - 1;
    if (out_head)
        memcpy(out_head, prev, 65);
    return 0;
}

/* A copy of s where every byte that is not part of valid UTF-8 reads "\\xNN", so that any
 * bytes stored in the log can be listed as JSON. */
static char *utf8_safe(const unsigned char *s)
{
    cw_buf b = {0};
    size_t len = s ? strlen((const char *)s) : 0, i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
        bool ok = n && i + n <= len;
        uint32_t v = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
        for (size_t k = 1; ok && k < n; k++) {
            ok = (s[i + k] & 0xC0) == 0x80;
            v = (v << 6) | (s[i + k] & 0x3F);
        }
        if (ok && ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000) ||
                   v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)))
            ok = false;
        if (ok) {
            cw_buf_append(&b, s + i, n);
            i += n;
        } else {
            cw_buf_printf(&b, "\\x%02x", c);
            i++;
        }
    }
    cw_buf_append(&b, "", 1);
    return (char *)b.data;
}

int cw_audit_list(cw_node *n, int64_t limit, const char *action, json_t **out)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            n->db,
            "SELECT * FROM (SELECT seq, time, actor, action, target, outcome, detail, hash FROM "
            "audit WHERE (?1 IS NULL OR action = ?1) ORDER BY seq DESC LIMIT ?2) ORDER BY seq",
            -1, &st, NULL))
        return sql_fail(n->db, "audit");
    if (action)
        sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
    json_t *arr = json_array();
    char t[32];
    static const char *const names[] = {"actor", "action", "target", "outcome", "detail", "hash"};
    int rc = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        cw_time_format(t, sqlite3_column_int64(st, 1), 6);
        json_t *o =
            json_pack("{s:I, s:s}", "seq", (json_int_t)sqlite3_column_int64(st, 0), "time", t);
        for (int i = 0; o && i < 6; i++) {
            char *v = utf8_safe(sqlite3_column_text(st, 2 + i));
            if (!v || json_object_set_new(o, names[i], json_string(v)))
                rc = cw_error_set(CW_ENOMEM, "out of memory");
            cw_free(v);
        }
        if (!o || json_array_append_new(arr, o))
            rc = cw_error_set(CW_ENOMEM, "out of memory");
    }
    sqlite3_finalize(st);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}
