/* internal.h: the node structure and helpers shared by the files of src/share (private). */
#ifndef CW_SHARE_INTERNAL_H
#define CW_SHARE_INTERNAL_H

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
};

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
