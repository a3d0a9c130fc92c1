/*
 * server.h: the node's HTTP server (libmicrohttpd): the JSON API under /api/v1/ and
 * TAXII 2.1 under /taxii2/, API-key authentication, roles, TLP enforcement on every read,
 * and an audit entry for every authenticated request (committed in groups by a background
 * thread) and for refused ones (aggregated per address, minute and reason). Reads run in
 * parallel on per-thread read connections; writes run one at a time on a writer thread.
 * See docs/SHARING.md (Server, Threading).
 *
 * Plain HTTP is accepted only on a loopback address; any other address needs TLS (a PEM
 * certificate and key, through libmicrohttpd's GnuTLS support).
 */
#ifndef CHAINWATCH_SERVER_H
#define CHAINWATCH_SERVER_H

#include <stddef.h>
#include <stdint.h>

typedef struct cw_server cw_server;

typedef struct cw_server_config {
    const char *db_path;  /* an initialised node (chainwatch node init) */
    const char *listen;   /* "127.0.0.1:8443"; port 0 picks a free port */
    const char *tls_cert; /* PEM files, both or neither */
    const char *tls_key;
    const char *store_dir;     /* chain store for /api/v1/chain/ (NULL: none) */
    const char *labels_db;     /* label store used by traces and lookups (NULL: none); also the
                                  EVM store's unless evm_labels_db names its own */
    const char *evm_store_dir; /* EVM store for /api/v1/evm/ (NULL: none; --store DIR holding
                                  an EVM store serves it there too) */
    const char *evm_labels_db; /* the EVM store's own label store (NULL: labels_db) */
    const char *supply_db;     /* supply database for /api/v1/supply/ (NULL: none) */
    const char *supply_rules;  /* rule table (NULL: built-in default) */
    size_t max_body;           /* bytes; 0: 1 MiB */
    unsigned threads;          /* worker threads; 0: one per CPU this process may run on
                                  (sched_getaffinity), 1 to 16 */
    int cpu_pin;               /* 0: when there are as many request threads as CPUs this
                                  process may run on (the default count), each stays on a CPU
                                  of its own; -1: never (the scheduler places them) */
    const char *web_root;      /* the dashboard's files (web/), served at /; NULL: no dashboard */
    unsigned per_ip_limit;     /* connections per client address; 0: 128 */
    unsigned max_connections;  /* 0: 1024 */
    unsigned header_timeout_s; /* a request's headers must be complete this long after the
                                  connection (or the previous request) began; 0: 10 s */
    unsigned auth_fail_limit;  /* failed authentications per address and minute before 429; 0: 60 */
    const char *checkpoint_path;    /* signed audit-head checkpoints (one JSON line each) are
                                       appended here; NULL: "<db_path>.checkpoints" */
    unsigned checkpoint_interval_s; /* 0: 60 s (and one when the server stops) */
    size_t audit_queue_max;         /* audit entries queued for the group commit before an
                                       request is counted per key instead of itemised; 0: 262144 */
} cw_server_config;

/* Opens the node and starts serving on internal threads. Returns 0, CW_EINVAL (bad listen
 * address, plain HTTP on a non-loopback address, TLS files missing or unsupported), CW_EIO
 * (cannot bind) or an error from cw_node_open. *out is owned by the caller. */
int cw_server_start(cw_server **out, const cw_server_config *cfg);
/* The port actually bound (useful with port 0). */
uint16_t cw_server_port(const cw_server *s);
/* Stops the daemon (waiting for requests in flight and queued writes), commits the audit queue,
 * appends a final checkpoint and closes the node; accepts NULL. */
void cw_server_stop(cw_server *s);

/* ---- per-request arena (also used by tests) ---- */
typedef struct cw_arena cw_arena;
/* A new arena whose first block holds `first` bytes (0: 4 KiB). NULL when out of memory. */
cw_arena *cw_arena_new(size_t first);
/* n bytes aligned to 16, valid until cw_arena_free; NULL when out of memory. */
void *cw_arena_alloc(cw_arena *a, size_t n);
char *cw_arena_strndup(cw_arena *a, const char *s, size_t n);
/* Bytes handed out so far. */
size_t cw_arena_used(const cw_arena *a);
/* Frees every block; accepts NULL. */
void cw_arena_free(cw_arena *a);

#endif
