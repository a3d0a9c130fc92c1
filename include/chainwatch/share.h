/*
 * share.h: trilateral sharing. RFC 8785 JSON canonicalization (JCS), Ed25519 detached
 * signatures over the canonical form, STIX 2.1 object builders with TLP 2.0 markings, the
 * node (identity, keys, API keys, roles, TLP enforcement, hash-chained audit log), publishing
 * of local alerts as signed STIX objects, and the TAXII 2.1 pull client for partner nodes.
 *
 * A node is one SQLite database (see alert.h); this module adds its tables with its own
 * migrations. Times are microseconds since the epoch.
 */
#ifndef CHAINWATCH_SHARE_H
#define CHAINWATCH_SHARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/alert.h"
#include "chainwatch/util.h"

/* ---- RFC 8785 JSON canonicalization ---- */

/* Appends the canonical form of v to out: object members sorted by their UTF-16 code units,
 * no insignificant white space, strings escaped as RFC 8785 says, numbers in the ECMAScript
 * Number.prototype.toString form. Integers beyond +-2^53 (CW_JCS_MAX_SAFE) are refused: a
 * consumer reading them as doubles would accept another value as validly signed; send such
 * values as strings. Returns 0, CW_EINVAL (NaN or infinity, an integer beyond 2^53, invalid
 * UTF-8 in a string) or CW_ENOMEM. */
#define CW_JCS_MAX_SAFE 9007199254740991LL
int cw_jcs_serialize(const json_t *v, cw_buf *out);
/* The canonical form as a new NUL-terminated string (*out owned by the caller, free()). */
int cw_jcs_dumps(const json_t *v, char **out, size_t *out_len);
/* Formats a finite double as ECMAScript does (shortest round-trip digits). buf: 32 bytes.
 * Returns 0 or CW_EINVAL for NaN and infinities. */
int cw_jcs_format_number(char buf[32], double d);

/* ---- Ed25519 over JCS ---- */
enum { CW_SIGN_PK = 32, CW_SIGN_SK = 64, CW_SIGN_SIG = 64 };

/* The signature property-extension carried by every object a node signs. */
#define CW_STIX_EXT_SIGNATURE "extension-definition--05c5622a-ce6d-4427-b5cc-2f3b0d7c9d22"

/* Signs the canonical form of v. Returns 0 or an error from cw_jcs_serialize. */
int cw_sign_json(uint8_t sig[CW_SIGN_SIG], const json_t *v, const uint8_t sk[CW_SIGN_SK]);
/* Verifies; returns 0 or CW_ECORRUPT ("signature does not verify"). */
int cw_verify_json(const uint8_t sig[CW_SIGN_SIG], const json_t *v, const uint8_t pk[CW_SIGN_PK]);
/* Adds (or replaces) the signature extension on a STIX object: the signature covers the JCS
 * form of the object without that extension entry (and without `extensions` if that entry was
 * its only member). The extension holds alg "Ed25519", the public key (hex) and the signature
 * (hex). Returns 0, CW_EINVAL (not an object; an `extensions` that is not a non-empty
 * dictionary) or CW_ENOMEM. */
int cw_stix_sign(json_t *obj, const uint8_t sk[CW_SIGN_SK], const uint8_t pk[CW_SIGN_PK]);
/* Checks an object's signature against the expected signer key pk. Returns 0, CW_ENOTFOUND
 * (unsigned), or CW_ECORRUPT (wrong key, malformed or failing signature) with the reason. */
int cw_stix_verify(const json_t *obj, const uint8_t pk[CW_SIGN_PK]);

/* ---- STIX 2.1 builders ---- */
#define CW_STIX_IDENTITY_CHAINWATCH "identity--b3c7261a-294d-4894-ad5a-ecb01835e976"
#define CW_STIX_EXT_WALLET "extension-definition--b5e5dd0a-d915-4b35-bd8a-e9b7f2bf7493"
#define CW_STIX_EXT_SUPPLY "extension-definition--8f508272-7a91-4467-91c3-37404952c0ce"
#define CW_STIX_EXT_ALERT "extension-definition--1aa5b5b4-3e28-4d3f-90c6-e4e2a80cc549"
#define CW_STIX_EXT_TLP2 "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* Common properties of the objects a node creates. */
typedef struct cw_stix_ctx {
    const char *created_by; /* identity id of the node */
    cw_tlp tlp;
    int64_t time_us; /* created = modified */
    bool synthetic;  /* about a generated world (the alert's evidence says synthetic): every
                        SDO and SRO made with it carries labels ["synthetic"] */
} cw_stix_ctx;

/* The official STIX id of a TLP 2.0 marking-definition (static string). */
const char *cw_stix_tlp_marking_id(cw_tlp t);
/* The level of an official TLP 2.0 marking id; CW_ENOTFOUND for other ids. */
int cw_stix_tlp_from_marking_id(cw_tlp *out, const char *id);
/* The TLP that governs an object: the most restrictive TLP 2.0 marking among its
 * object_marking_refs and the marking_ref of each of its granular_markings (a part marked
 * RED makes the whole object RED). CW_ENOTFOUND when it carries no TLP marking. */
int cw_stix_effective_tlp(const json_t *obj, cw_tlp *out);
/* The published TLP 2.0 marking-definition object (new reference). */
json_t *cw_stix_tlp_marking(cw_tlp t);
/* Checks the properties every STIX 2.1 object needs (type, id "<type>--<RFC 4122 UUID>",
 * spec_version 2.1, created/modified as RFC 3339 timestamps ending in Z, extensions a non-empty
 * dictionary when present): NULL when fine, else
 * the reason naming the property (a static string). Used on objects a partner POSTs. */
const char *cw_stix_problem(const json_t *o);
/* A new random "<type>--<uuid4>" (buf: 96 bytes). */
void cw_stix_new_id(char buf[96], const char *type);
/* A deterministic SCO id: "<type>--<uuid5(STIX namespace, JCS(contributing))>". */
int cw_stix_sco_id(char buf[96], const char *type, const json_t *contributing);

/* Builders return a new reference, or NULL on allocation failure / bad arguments. */
json_t *cw_stix_identity(const char *id, const char *name, const char *identity_class,
                         int64_t time_us);
/* The chainwatch identity that defines the extensions (fixed id). */
json_t *cw_stix_chainwatch_identity(void);
/* The four extension-definitions this module uses (wallet SCO, supply-disruption SDO,
 * alert properties, signature), as an array. */
json_t *cw_stix_extension_definitions(void);
/* A cryptocurrency-wallet SCO (new-sco extension) for address on chain `currency` ("BTC"). */
json_t *cw_stix_wallet(const cw_stix_ctx *c, const char *address, const char *currency);
/* An indicator matching any of the wallet addresses. */
json_t *cw_stix_indicator(const cw_stix_ctx *c, const char *name, const char *description,
                          const char *const *addresses, size_t n_addresses);
json_t *cw_stix_observed_data(const cw_stix_ctx *c, const json_t *object_refs, int64_t first_us,
                              int64_t last_us, int64_t number_observed);
json_t *cw_stix_sighting(const cw_stix_ctx *c, const char *sighting_of_ref,
                         const char *observed_data_ref, const char *where_sighted_ref,
                         int64_t count);
json_t *cw_stix_report(const cw_stix_ctx *c, const char *name, const char *description,
                       const json_t *object_refs);
/* A supply-disruption SDO (new-sdo extension): commodity ("lithium"), country (ISO code),
 * risk level 0..4, a description. */
json_t *cw_stix_supply_disruption(const cw_stix_ctx *c, const char *name, const char *commodity,
                                  const char *country, int risk_level, const char *description);

/* ---- node ---- */
typedef struct cw_node cw_node;

/* Initialises a node in the database at path: a node secret (32 random bytes), an Ed25519 key
 * pair, the node's identity object and its TAXII collection. name: the node ("USA"); org: the
 * organisation used by TLP rules (defaults to name). CW_EEXISTS when already initialised. */
int cw_node_init(const char *path, const char *name, const char *org);
/* Opens an initialised node (CW_ENOTFOUND when `node init` was not run). */
int cw_node_open(cw_node **out, const char *path);
/* The same with the one SQLite layer's flags (chainwatch/sql.h); the server's per-worker read
 * connections are CW_SQL_PRIVATE. */
int cw_node_open_ex(cw_node **out, const char *path, unsigned sql_flags);
/* SQLite's data_version of this connection: it changes whenever another connection commits,
 * so a reader can tell that what it computed before is still current. */
int cw_node_data_version(cw_node *n, int64_t *out);
/* One read snapshot over several reads on this connection: between cw_node_read_begin and
 * cw_node_read_end every statement sees the same committed state, and SQLite takes its file
 * and WAL locks once instead of once per statement (the server wraps each request in one).
 * Only for connections that do not write in between. read_end is a no-op when no snapshot is
 * open (SQLite may have ended it on an error). */
int cw_node_read_begin(cw_node *n);
void cw_node_read_end(cw_node *n);
/* Takes up again, without a read transaction, the state the last successful cw_node_read_begin
 * named: the answers remembered under it (key checks, the publish check) hold again until
 * cw_node_read_end, and statements run outside any snapshot (each sees the latest commit).
 * Only for a request that reads nothing but those answers, and only while the caller knows
 * that nothing was committed since, or accepts the age it bounds (the server: 1 ms and no
 * commit by its own writer). CW_EINVAL when there is no such state. */
int cw_node_read_resume(cw_node *n);
/* Calls fn(arg) at every commit on this connection (SQLite's commit hook; fn must not use the
 * connection); fn NULL removes it. */
void cw_node_on_commit(cw_node *n, void (*fn)(void *arg), void *arg);
void cw_node_close(cw_node *n);
/* Borrowed accessors, valid until cw_node_close. */
cw_alert_db *cw_node_alerts(cw_node *n);
struct sqlite3 *cw_node_sqlite(cw_node *n);
const char *cw_node_name(const cw_node *n);
const char *cw_node_org(const cw_node *n);
const char *cw_node_identity_id(const cw_node *n);
const char *cw_node_collection_id(const cw_node *n);
const uint8_t *cw_node_public_key(const cw_node *n);
const uint8_t *cw_node_secret_key(const cw_node *n);
/* name, org, identity, collection, public key (hex) as JSON (new reference). */
json_t *cw_node_info(const cw_node *n);

/* ---- API keys and roles ---- */
typedef enum cw_role {
    CW_ROLE_READER = 0,
    CW_ROLE_ANALYST = 1,
    CW_ROLE_ADMIN = 2,
    CW_ROLE_PEER = 3
} cw_role;
const char *cw_role_name(cw_role r);
int cw_role_parse(cw_role *out, const char *s);

typedef struct cw_principal {
    char name[64];
    char org[64];
    cw_role role;
} cw_principal;

/* Creates an API key for a user or partner. The key (printable, 46 characters) is returned
 * once in *out_key (owned; free()); only its keyed hash (BLAKE2b keyed with the node secret)
 * is stored. CW_EEXISTS if name is taken, CW_EINVAL for a bad name or org. */
int cw_keys_add(cw_node *n, const char *name, const char *org, cw_role role, char **out_key);
/* Revokes the key of `name` (CW_ENOTFOUND). */
int cw_keys_revoke(cw_node *n, const char *name);
/* [{name, org, role, created, revoked}] (no hashes). */
int cw_keys_list(cw_node *n, json_t **out);
/* Finds the principal of a presented key. CW_EPERM for unknown or revoked keys (the message
 * says which, for the audit log). */
int cw_keys_authenticate(cw_node *n, const char *key, cw_principal *out);

/* TLP 2.0 enforcement for a read by `who` of an object marked tlp with audience share_to
 * (comma-separated organisations) on a node of organisation node_org:
 *  RED: never leaves the node: only the node's own users (not peers) of node_org;
 *  AMBER+STRICT: only the named organisation (and the node's own users);
 *  AMBER: the named partner organisations (and the node's own users);
 *  GREEN, CLEAR: every authenticated partner and user. */
bool cw_tlp_allows(cw_tlp tlp, const char *share_to, const char *node_org, const cw_principal *who);

/* ---- audit log ---- */
/* Appends an entry to the hash-chained audit log: seq, time, actor, action, target, outcome,
 * detail, and hash = BLAKE2b-256 keyed with the node secret over the previous hash and the
 * entry. The table refuses UPDATE and DELETE (triggers). Returns 0 or CW_EIO. */
int cw_audit_append(cw_node *n, const char *actor, const char *action, const char *target,
                    const char *outcome, const char *detail);
/* One entry for cw_audit_append_batch; NULL strings are empty; time_us 0: now. */
typedef struct cw_audit_entry {
    const char *actor, *action, *target, *outcome, *detail;
    int64_t time_us;
} cw_audit_entry;
/* Group commit: appends count entries, chained in order, in one transaction. */
int cw_audit_append_batch(cw_node *n, const cw_audit_entry *e, size_t count);
/* A checkpoint of the audit head, signed with the node key (new reference):
 * {type "chainwatch-audit-checkpoint", node, seq, head, time, public_key, signature}; the
 * signature covers the JCS form without public_key and signature. */
int cw_audit_checkpoint(cw_node *n, json_t **out);
/* Checks a checkpoint's signature against pk: 0 with *out_seq and out_head, or CW_ECORRUPT. */
int cw_audit_checkpoint_verify(const json_t *cp, const uint8_t pk[CW_SIGN_PK], int64_t *out_seq,
                               char out_head[65]);
/* Writes a new checkpoint as one JSON line at the end of the file at path (created when
 * absent); *out (may be NULL) receives it. */
int cw_audit_checkpoint_append(cw_node *n, const char *path, json_t **out);
/* Checks the node's log against one checkpoint signed by pk: CW_ECORRUPT when the entry it
 * names is missing (truncated log) or has another hash (rewritten log). Needs no secret held
 * by the log's keeper: the checkpoint lives outside the database. */
int cw_audit_check_against(cw_node *n, const json_t *cp, const uint8_t pk[CW_SIGN_PK]);
/* Checks the log against every checkpoint in the file (one JSON object per line) signed by
 * the node's key; *out_n (may be NULL): checkpoints checked. CW_ENOTFOUND: no file. */
int cw_audit_verify_checkpoints(cw_node *n, const char *path, int64_t *out_n);
/* Recomputes the chain. Returns 0 when intact (*out_n entries, *out_head the last hash, hex,
 * 65 bytes), or CW_ECORRUPT naming the first bad entry (edited, deleted, inserted, reordered,
 * or the recorded head does not match). */
int cw_audit_verify(cw_node *n, int64_t *out_n, char out_head[65]);
/* The last `limit` entries (or all when 0), oldest first, optionally only `action`. Bytes that
 * are not valid UTF-8 are listed as "\\xNN" (the stored entry and its hash are unchanged). */
int cw_audit_list(cw_node *n, int64_t limit, const char *action, json_t **out);

/* ---- the node's collection ---- */
/* Publishes local alerts not yet published: builds STIX objects (wallets, indicator,
 * observed-data, sighting for chain alerts with addresses; supply-disruption for supply
 * alerts; a report for each), marks them with the alert's TLP, signs them with the node key
 * and adds them to the collection. An alert that cannot become STIX (an address no wallet can
 * carry, no TLP) is skipped and recorded (cw_share_publish_skipped), not an error. Amounts in
 * the evidence travel as decimal strings. *out_n (may be NULL): objects added. */
int cw_share_publish_pending(cw_node *n, int *out_n);

/* 1 when some local alert waits to be published, 0 when none (a read), or an error. */
int cw_share_publish_needed(cw_node *n);
/* Alerts that could not become STIX: [{alert_id, reason, time}]. Publishing records and skips
 * them (audit action publish.skip) and goes on with later alerts. */
int cw_share_publish_skipped(cw_node *n, json_t **out);
/* Tries the skipped alerts again (alert_id, or all when 0); one that now publishes leaves the
 * list. *out_published / *out_skipped (may be NULL): how many did / still do not. */
int cw_share_publish_retry(cw_node *n, int64_t alert_id, int *out_published, int *out_skipped);

/* The share preview of one alert (as cw_alert_get returns it), read-only: which STIX objects
 * each partner organisation would receive from this node's collection under the alert's TLP
 * and the partner's access, computed by the functions that publish and serve them. *out:
 * {alert_id, state: published|pending|skipped|cannot-publish|partner-alert, tlp, share_to,
 *  node_org, ids_final, reason?, note, objects: [{id, type, tlp, share_to?, object}],
 *  partners: [{org, keys, can_pull, receives_count, allowed: [{id, type, tlp}],
 *              withheld: [{id, type, tlp, reason}], note}]}.
 * Partners: the organisations of active peer keys, registered peers and the alert's audience.
 * Returns 0 or CW_EIO / CW_ECORRUPT. */
int cw_share_preview(cw_node *n, const json_t *alert, json_t **out);

/* Adds one object (already signed or official) to the collection with the given TLP and
 * audience; date_added is strictly increasing. Used by publishing and TAXII POST. Inside a
 * transaction the caller opened, the add joins it (a savepoint). */
int cw_share_collection_add(cw_node *n, const json_t *obj, cw_tlp tlp, const char *share_to,
                            int64_t *out_date_added);

/* A TAXII add request (POST objects) is one transaction: cw_share_add_begin opens it (a write
 * transaction, so concurrent readers go on), each cw_share_collection_add joins it, and
 * cw_share_add_end stores the request's status resource under `status_id` and commits; on any
 * failure it rolls the whole request back and returns the error. cw_share_add_abort rolls back
 * a request that ends early. */
int cw_share_add_begin(cw_node *n);
int cw_share_add_end(cw_node *n, const char *status_id, const json_t *status);
void cw_share_add_abort(cw_node *n);
/* The status resource of an earlier add request (new reference), or CW_ENOTFOUND. */
int cw_share_add_status(cw_node *n, const char *status_id, json_t **out);

/* TAXII query over the node's collection, for `who` (TLP-filtered). */
typedef struct cw_taxii_query {
    int64_t added_after_us;         /* 0: none */
    int64_t next;                   /* 0: start; otherwise the opaque `next` of the previous page
                                       (the date_added of its last object) */
    int64_t limit;                  /* 0: 100; max 1000 */
    const char *match_id;           /* comma-separated ids or NULL */
    const char *match_type;         /* comma-separated types or NULL */
    const char *match_version;      /* "last" (default), "first", "all", or a timestamp list */
    const char *match_spec_version; /* "2.1" or NULL */
    bool raw; /* objects as their stored JSON text in page->raw (no parsing); not for manifests */
} cw_taxii_query;

typedef struct cw_taxii_page {
    json_t *objects; /* array of objects (or manifest records when manifest was asked); empty
                        with raw */
    cw_buf raw;      /* with raw: the objects' JSON texts joined by commas (caller deinits) */
    size_t count;    /* objects on this page */
    bool more;
    int64_t next;        /* when more */
    int64_t first_added; /* 0 when empty */
    int64_t last_added;
} cw_taxii_page;

/* Runs a query, in date_added order; manifest true returns {id, date_added, version, media_type}
 * records instead of objects. page->objects is owned by the caller. Returns 0 or CW_EINVAL (a bad
 * filter). */
int cw_taxii_collection_query(cw_node *n, const cw_principal *who, const cw_taxii_query *q,
                              bool manifest, cw_taxii_page *page);

/* ---- partners ---- */
/* Registers a partner node: its TAXII base URL ("http://127.0.0.1:8443"), the API key this node
 * presents there, the partner's Ed25519 public key (64 hex digits), its organisation, and
 * optionally a PEM CA file that signs the partner's TLS certificate (NULL: the system CAs). */
int cw_peer_add(cw_node *n, const char *name, const char *url, const char *api_key,
                const char *pubkey_hex, const char *org, const char *cacert);
int cw_peer_list(cw_node *n, json_t **out);
/* Pulls new objects from one partner (name) or all (NULL): pages through the partner's
 * collection from the last date_added seen, verifies each object's signature against the
 * partner's key, stores verified objects with provenance, raises partner alerts for reports,
 * and logs rejected objects to the audit log. *out (may be NULL) is a summary per peer.
 * Returns 0 when every peer was reached (rejections are not errors), else the first error. */
int cw_peer_pull(cw_node *n, const char *name, json_t **out);

#endif
