/* internal.h: what the files of src/server share (private). */
#ifndef CW_SERVER_INTERNAL_H
#define CW_SERVER_INTERNAL_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>

#include "chainwatch/evm/store.h"
#include "chainwatch/labels.h"
#include "chainwatch/server.h"
#include "chainwatch/share.h"
#include "chainwatch/util.h"

typedef struct cw_chain_ctx cw_chain_ctx;
typedef struct cw_evm_ctx cw_evm_ctx;

/* State shared by every thread of one server (server.c); handlers never touch it. */
typedef struct cw_srv_state cw_srv_state;

/* A server, or a per-request view of it. Handlers receive a view: a copy of the server whose
 * `node` is the connection to use for this request (the calling thread's own read connection
 * for GET/HEAD, the one writer connection, held under the writer lock, otherwise), so any
 * number of reads run in parallel while writes are serialised. See docs/SHARING.md,
 * "Threading". */
struct cw_server {
    struct MHD_Daemon *d;
    cw_node *node;
    cw_chain_ctx *chain; /* the chain store and labels behind /api/v1/chain/ (chain_api.c);
                            used under the chain lock, one request at a time */
    cw_evm_ctx *evm;     /* the EVM store behind /api/v1/evm/ (evm_api.c), or NULL; used
                            under the chain lock */
    char *supply_db;     /* supply database behind /api/v1/supply/ (more_api.c), or NULL */
    char *supply_rules;  /* rule table file, NULL: the built-in default */
    size_t max_body;
    uint16_t port;
    char *cert, *key;
    char *web_root; /* NULL: no dashboard */
    char *db_path;
    char *checkpoint_path; /* signed audit-head checkpoints are appended here */
    char *taxii_doc[2];    /* TAXII discovery and API root, serialised once (taxii.c) */
    size_t taxii_doc_len[2];
    cw_srv_state *st;
};

/* What a handler answers: a status, a JSON body (owned until sent) and headers. */
typedef struct cw_resp {
    unsigned status;
    json_t *body;
    const char *content_type;
    const char *hdr_name[4];
    const char *hdr_value[4];
    int n_hdr;
    const char *audit_detail;
    bool deferred; /* server.c: handed to the writer thread */
    char *raw;     /* a body already serialised (malloc'd; sent and freed), instead of body */
    size_t raw_len;
} cw_resp;

/* One request's state, allocated from its own arena. */
typedef struct cw_req {
    cw_arena *arena;
    bool started;     /* headers seen: the access handler ran once */
    bool hygiene_bad; /* the request was refused at its headers; ignore its body */
    char ip[48];      /* the client's address */
    const char *raw_uri;
    struct MHD_Connection *conn;
    const char *method, *url;
    char *body;
    size_t body_len, body_cap;
    bool too_big;
    uint64_t dropped; /* body bytes dropped past max_body */
    cw_principal who;
    /* A write handed to the writer thread (server.c): the connection is suspended meanwhile. */
    struct cw_req *job_next;
    bool job_done;
    bool api;
    char **segs;
    int n_segs;
    cw_resp resp;
} cw_req;

/* The request threads serve starts when not told (cw_server_config.threads 0): one per CPU
 * the process may run on, 1 to 16 (server.c). */
unsigned cw_server__default_threads(void);

/* Sets an error response {"title","description","http_status"}. */
void cw_server__error(cw_resp *r, unsigned status, const char *title, const char *description);
void cw_server__header(cw_resp *r, const char *name, const char *value);
/* An error response for an engine's code: 404 CW_ENOTFOUND, 400 CW_EINVAL, else 500, with the
 * thread's error message as the description. */
void cw_server__fail(cw_resp *r, int rc);
const char *cw_server__arg(cw_req *q, const char *name);

/* Handlers: called with a view of the server (see struct cw_server) and the principal
 * authenticated. segs are the path
 * segments after the prefix. */
void cw_server__api(cw_server *s, cw_req *q, char **segs, int n, cw_resp *r);
void cw_server__taxii(cw_server *s, cw_req *q, char **segs, int n, cw_resp *r);
/* Serialises the documents that never change while the server runs (discovery, API root) into
 * s->taxii_doc; called once at start. Without them the handler builds each answer. */
void cw_server__taxii_docs(cw_server *s);
/* /api/v1/chain/...: segs start after "chain". */
void cw_server__chain_api(cw_server *s, cw_req *q, char **segs, int n, cw_resp *r);
int cw_server__chain_open(cw_chain_ctx **out, const char *store_dir, const char *labels_path);
/* /api/v1/evm/...: segs start after "evm" (evm_api.c). */
void cw_server__evm_api(cw_server *s, cw_req *q, char **segs, int n, cw_resp *r);
int cw_server__evm_open(cw_evm_ctx **out, const char *dir, const char *labels_path);
void cw_server__evm_close(cw_evm_ctx *c);
/* The EVM store, opened (or reopened) read-only, its labels (NULL: none) and its directory,
 * for another route that reads it beside the chain store (chain_api.c's trace?evm=1): borrowed
 * until the request ends. Under the chain lock held for writing. 0 or the store's error. */
int cw_server__evm_get(cw_evm_ctx *c, const cw_evmstore **s, cw_labels **labels, const char **dir);
/* The same for the EVM store (cw_evmstore_snapshot_check); when true, the handle is closed, so
 * the next request reopens it. Under the chain lock held for writing (as evm_api). */
bool cw_server__evm_moved(cw_evm_ctx *c);
void cw_server__chain_close(cw_chain_ctx *c);
/* Chain requests run concurrently under the server's read lock and never change the context.
 * Whether the context must be (re)built first (store not open, its MANIFEST, cluster.manifest
 * or addrhist.manifest may have changed: events on the inotify watch of the store's directory,
 * one FIONREAD; stat calls without a watch): checked under the read lock; the refresh runs
 * under the write lock. A store reopen reopens the clusters and the address-history index too
 * (their tips are checked against the store). */
bool cw_server__chain_stale(cw_chain_ctx *c);
/* After a request has read its answer from the open store: true when a rollback (a
 * reorganisation) started beside it since the store was opened (cw_chainstore_snapshot_check),
 * so the answer may mix two forks: the caller drops it, refreshes (which reopens) and asks
 * again. Under the read lock. */
bool cw_server__chain_moved(const cw_chain_ctx *c);
void cw_server__chain_refresh(cw_chain_ctx *c);
/* Opens the store now (before the server listens) and starts a background thread that reads
 * its files into the page cache (cw_chainstore_warm), so the first lookups do not wait on the
 * disk; readiness does not wait for it. GET chain/status shows its progress ("warm"). Called
 * once, before any request thread runs; chain_close stops and joins the thread. */
void cw_server__chain_warm(cw_chain_ctx *c);
/* A chain request starts (delta 1) or ends (-1), under the chain lock: the warm-up waits
 * while requests run (a few ms at most per 1 MiB it reads). */
void cw_server__chain_busy(cw_chain_ctx *c, int delta);
/* A request of any kind arrived (called for every API and TAXII request, c may be NULL): the
 * warm-up gives way to it as to a chain request. */
void cw_server__chain_touch(cw_chain_ctx *c);
/* The address page (GET chain/address/A?offset&limit) on the context's open store (refreshed
 * first: cw_server__chain_refresh): written into out as the route answers it (no jansson tree
 * for the page itself), or built as a jansson tree as the route answered before (the
 * reference the writer is tested against: json_dumps of it gives the same bytes). 0 or the
 * lookup's error (CW_EINVAL, CW_ENOTFOUND, CW_ENOMEM). */
int cw_server__chain_address(cw_chain_ctx *c, const char *addr, uint64_t off, uint64_t lim,
                             cw_buf *out);
int cw_server__chain_address_tree(cw_chain_ctx *c, const char *addr, uint64_t off, uint64_t lim,
                                  json_t **out);
/* Clusters handles opened so far by this context (one per store open and per cluster build,
 * not per request): for tests. */
uint64_t cw_server__chain_clusters_opens(const cw_chain_ctx *c);
/* Address-history index handles opened so far (tests: reopened with the store and a build). */
uint64_t cw_server__chain_addrhist_opens(const cw_chain_ctx *c);
/* Whether the store's directory is watched (inotify): requests then make no stat call. */
bool cw_server__chain_watching(const cw_chain_ctx *c);
/* search, trace, supply, peers, audit (more_api.c); false when the route is not one of them. */
bool cw_server__more_api(cw_server *s, cw_req *q, char **segs, int n, cw_resp *r);

#endif
