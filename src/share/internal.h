/* internal.h: the node structure and helpers shared by the files of src/share (private). */
#ifndef CW_SHARE_INTERNAL_H
#define CW_SHARE_INTERNAL_H

#include <sodium.h>
#include <sqlite3.h>

#include "chainwatch/share.h"
#include "chainwatch/sql.h"

struct cw_node {
    cw_alert_db *alerts;
    sqlite3 *db;        /* borrowed from alerts */
    cw_sql_cache cache; /* hot statements (authentication on every request) */
    char name[64];
    char org[64];
    char identity[96];
    char collection[64];
    uint8_t secret[32];
    uint8_t pk[CW_SIGN_PK];
    uint8_t sk[CW_SIGN_SK];
    /* BLAKE2b-256 keyed with the secret, before any input: each audit hash starts from a copy
     * (the key block is compressed once per node, not once per entry). */
    crypto_generichash_state audit_key;
    /* Inside a read snapshot (cw_node_read_begin): the snapshot's data_version and this
     * connection's own change count. Two snapshots with the same pair see the same database,
     * so what authentication and the publish check found under one holds under the other:
     * a request then costs no SQL for either (see cw_keys_authenticate). */
    bool in_snap;
    bool snap_ok; /* snap_version and snap_changes name the last snapshot begun */
    int64_t snap_version, snap_changes;
    struct cw_node_auth_memo {
        char hash[65]; /* the presented key's keyed hash; "" for an empty slot */
        int64_t version, changes;
        int rc; /* 0 or CW_EPERM */
        cw_principal who;
        char err[160];
    } auth_memo[8];
    unsigned auth_next;
    /* The last raw key presented and its keyed hash: a client sends the same key on every
     * request, and the hash (a keyed BLAKE2b, two compressions) was ~5 % of a cheap GET's CPU.
     * Compared in constant time; wiped with the node. */
    char last_key[257];
    size_t last_key_len; /* 0: none */
    char last_key_hash[65];
    int64_t pub_version, pub_changes; /* the publish check's answer under this pair */
    int pub_answer;                   /* -1: none */
    struct {
        void (*fn)(void *);
        void *arg;
    } hook; /* cw_node_on_commit's */
};

/* Whether a memo made under (version, changes) holds in the open snapshot. */
static inline bool cw_share__memo_valid(const cw_node *n, int64_t version, int64_t changes)
{
    return n->in_snap && version == n->snap_version && changes == n->snap_changes;
}

/* Reads / writes a value of table node. */
int cw_share__meta_get(sqlite3 *db, const char *k, char *buf, size_t cap);
int cw_share__meta_set(sqlite3 *db, const char *k, const char *v);
/* Builds, signs and stores the STIX objects of one alert (collection.c) inside the caller's
 * transaction; with dry non-NULL, stores nothing and appends {object, tlp, share_to} to dry
 * (the share preview, preview.c). CW_EINVAL: the alert cannot become STIX. */
int cw_share__publish_one(cw_node *n, const json_t *a, int *count, json_t *dry);
/* Appends one audit entry inside the caller's write transaction. */
int cw_share__audit_append_in_tx(cw_node *n, const cw_audit_entry *e);

#endif
