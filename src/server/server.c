/*
 * server.c: the libmicrohttpd daemon, the request life cycle, HTTP hygiene, authentication,
 * the threads and the audit queue.
 *
 * Threads. MHD runs a pool of worker threads (cfg->threads). Each worker opens its own read
 * connection to the node database (WAL: readers never wait for the writer) the first time
 * it serves a GET; non-GET requests use the one writer connection under the writer lock, so a
 * POST is one transaction that never blocks reads. The chain context (chain_api.c) is used
 * under its own lock. A background thread does everything that writes on the server's behalf:
 * it commits the audit queue in groups (one transaction per flush, the hash chain kept in
 * order), publishes pending alerts, appends signed audit-head checkpoints to a file, and
 * enforces the header deadline.
 *
 * Hygiene, checked in the access handler where libmicrohttpd 0.9.75 does not: differing
 * duplicate Content-Length and Content-Length with Transfer-Encoding: 400; a transfer coding
 * other than chunked: 501; a body over max_body (also chunked): 413; "%00" in the raw path:
 * 400. A connection whose request headers are not complete header_timeout_s after it began
 * (or after its previous request) is shut down, and each client address holds at most
 * per_ip_limit connections, so slow clients cannot take every slot.
 *
 * Audit. Every request under /api/v1/ and /taxii2/ needs an API key ("Authorization: Bearer
 * KEY", "Authorization: Token KEY" as the OASIS taxii2-client sends, or "X-API-Key: KEY").
 * Authenticated requests are queued for the audit log (http.read / http.write with the status
 * code) and committed by the background thread, so a read costs a queue append, not a
 * transaction. Failed authentications are counted per client address and minute and become
 * one audit entry each (auth.fail, "N failures"), and past auth_fail_limit in a minute the
 * address gets 429: the port is not a lever to grow the database. With a web root, other
 * paths are the dashboard's static files (static.c), served without a key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "chainwatch/errors.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/sql.h"
#include "chainwatch/util.h"
#include "server/internal.h"
#include "server/static.h"

/* ---- shared state ---- */
typedef struct audit_item {
    struct audit_item *next;
    uint64_t hash; /* of the five fields (fields_hash) */
    int64_t time_us;
    /* Identical reads of one flush folded into this entry (coalesce_reads): how many (0: this
     * one was folded into an earlier entry), the last one's time, and the detail saying so. */
    uint64_t count;
    int64_t last_us;
    char *merged;
    char *f[5]; /* actor, action, target, outcome, detail: one allocation after the struct */
} audit_item;

/* A worker thread's reader: its read connection, and a small cache of serialised responses
 * of cacheable reads (the alert listing: dashboards poll it). An entry is valid while the
 * database's data_version is the one it was made under; any commit by another connection
 * changes it, so a cached answer is never staler than an uncached one would be. The key holds
 * the caller's org and role (TLP visibility depends on them), the path and the arguments. */
/* A thread's fold table (reader.fold_slot): at most FOLD_MAX distinct reads between two
 * commits; past it a read is queued as its own entry (audit_enqueue). */
enum { FOLD_SLOTS = 512, FOLD_MAX = FOLD_SLOTS / 2 };

#define RESP_CACHE_SLOTS 8
#define RESP_CACHE_MAX_BYTES (4u << 20)
typedef struct reader {
    cw_node *node;
    struct {
        char *key;
        char *body;
        size_t len;
        int64_t version;
    } slot[RESP_CACHE_SLOTS];
    unsigned next; /* round-robin replacement */
    /* The last snapshot this reader began (handle()): when, and the writer's commit count
     * before it; a request that reads only the key may take its state up again for
     * SNAP_LEASE_US (cw_node_read_resume). */
    bool lease;
    int64_t lease_us;
    uint64_t lease_gen;
    /* This thread's authenticated reads since the last commit, identical ones folded into one
     * entry as they are served (fold_read): the background thread takes the table whole at
     * each commit (take_folds). Under fold_lock, which the background thread holds only to
     * swap the table out, so a request never waits for its commit. */
    pthread_mutex_t fold_lock;
    struct audit_item *fold_slot[FOLD_SLOTS];  /* open addressing on the fields_hash */
    struct audit_item *fold_head, **fold_tail; /* entries in the order they began */
    size_t fold_n;
} reader;

/* How old a snapshot's state a request that reads only the key may be served from: each
 * request otherwise begins and ends a read transaction, whose WAL read lock every request
 * thread takes under one SQLite mutex (docs/SHARING.md, "The cheap GET's p99"). A key revoked
 * by another process is refused at most this long after its commit. */
enum { SNAP_LEASE_US = 1000 };

/* Failed authentications of one address, minute and reason: the first is audited at once,
 * the rest as one summary entry when the minute is over. */
typedef struct fail_bucket {
    char ip[48];
    int64_t minute; /* minutes since the epoch */
    char reason[128];
    uint64_t count, written;
    char last[320]; /* the last refused request */
} fail_bucket;

enum { N_BUCKETS = 512 };

/* Queued audit entries that make a group commit at once (else every 100 ms). */
enum { AUDIT_BATCH = 256 };
/* The audit queue's bound (entries) when the configuration sets none (~150 bytes an entry:
 * ~40 MB; at 50k reads a second, over 5 s of a commit not running). Past it a request is still
 * served and audited, but counted per key (over_bucket) rather than queued as its own entry. */
enum { AUDIT_QUEUE_MAX = 262144 };

/* Requests of one key served while the audit queue was at its bound, since the last commit. */
typedef struct over_bucket {
    char actor[64];
    uint64_t reads, writes;
    int64_t first_us, last_us;
} over_bucket;

enum { N_OVER = 32 };

/* A connection, from accept to close, for the header deadline. */
typedef struct conn_track {
    struct conn_track *prev, *next;
    int fd;
    /* When it began waiting for request headers; 0 while it has a complete request. Written
     * by the connection's worker, read by the background thread: an atomic, so a request
     * never waits for a lock the (lower-priority) background thread may hold. */
    _Atomic int64_t wait_since_us;
} conn_track;

struct cw_srv_state {
    pthread_mutex_t wlock;       /* the writer connection (cw_server.node) */
    pthread_rwlock_t chain_lock; /* cw_server.chain: read by requests, written by refreshes */
    pthread_key_t reader_key;    /* this thread's reader (read connection and response cache) */
    pthread_mutex_t readers_lock;
    struct reader **readers;
    size_t n_readers, cap_readers;

    pthread_mutex_t q_lock; /* the failure buckets and the write jobs */
    pthread_cond_t q_cond;
    /* The audit queue: a lock-free stack the request threads push on and the background
     * thread takes whole (and reverses), so a request never waits for the background thread,
     * which runs at a lower priority and may be preempted while holding a lock. */
    _Atomic(audit_item *) q_top;
    atomic_size_t q_len;
    size_t q_max;             /* the queue's bound: requests past it are counted per key (over) */
    over_bucket over[N_OVER]; /* under q_lock */
    size_t n_over;
    uint64_t over_other; /* requests of keys beyond N_OVER past the bound */
    fail_bucket buckets[N_BUCKETS];
    size_t n_buckets;
    uint64_t overflow; /* failures of addresses beyond N_BUCKETS this minute */
    int64_t overflow_minute;

    pthread_mutex_t conn_lock;
    conn_track conns; /* list head */

    cw_req *jobs_head, **jobs_tail; /* writes waiting for the writer (under q_lock) */
    bool job_running;
    bool stopping; /* cw_server_stop began: writes run inline, no more suspending */

    /* Commits on the writer connection (cw_node_on_commit): a reader's snapshot state is
     * taken up again only while this has not moved. */
    atomic_uint_fast64_t commit_gen;

    /* The CPUs the request threads are spread over, one each (pin_thread); pin_n 0: none. */
    int pin_cpu[16];
    unsigned pin_n;
    atomic_uint pin_next;

    pthread_t bg;
    bool bg_started, stop;
    unsigned header_timeout_s, auth_fail_limit, checkpoint_interval_s;
};

static void count_commit(void *arg)
{
    cw_srv_state *st = arg;
    atomic_fetch_add(&st->commit_gen, 1);
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Counts a request of `actor` served while the audit queue is at its bound (q_lock taken:
 * only past the bound, when the background thread is behind anyway). */
static void audit_over(cw_srv_state *st, const char *actor, bool read, int64_t now_us)
{
    pthread_mutex_lock(&st->q_lock);
    size_t i = 0;
    while (i < st->n_over && strcmp(st->over[i].actor, actor ? actor : ""))
        i++;
    if (i == st->n_over && st->n_over < N_OVER) {
        over_bucket *b = &st->over[st->n_over++];
        memset(b, 0, sizeof *b);
        snprintf(b->actor, sizeof b->actor, "%s", actor ? actor : "");
        b->first_us = now_us;
    }
    if (i < st->n_over) {
        over_bucket *b = &st->over[i];
        if (read)
            b->reads++;
        else
            b->writes++;
        b->last_us = now_us;
    } else {
        st->over_other++;
    }
    pthread_mutex_unlock(&st->q_lock);
}

/* The five fields, each hashed with the previous field's hash as its seed (xxHash, as the stores
 * use it): "ab","c" and "a","bc" differ. */
static uint64_t fields_hash(const char *const f[5])
{
    uint64_t h = 0;
    for (int i = 0; i < 5; i++)
        h = XXH3_64bits_withSeed(f[i] ? f[i] : "", f[i] ? strlen(f[i]) : 0, h);
    return h;
}

static bool fields_same(const audit_item *it, const char *const f[5])
{
    for (int i = 0; i < 5; i++)
        if (strcmp(it->f[i], f[i] ? f[i] : ""))
            return false;
    return true;
}

/* A new entry holding copies of the five fields (one allocation), or NULL. */
static audit_item *item_new(const char *const f[5], uint64_t hash, int64_t now_us)
{
    size_t len[5], total = sizeof(audit_item);
    for (int i = 0; i < 5; i++) {
        len[i] = f[i] ? strlen(f[i]) : 0;
        total += len[i] + 1;
    }
    audit_item *it = cw_malloc(total);
    if (!it)
        return NULL;
    char *p = (char *)(it + 1);
    for (int i = 0; i < 5; i++) {
        it->f[i] = p;
        if (len[i])
            memcpy(p, f[i], len[i]);
        p[len[i]] = 0;
        p += len[i] + 1;
    }
    it->next = NULL;
    it->hash = hash;
    it->time_us = now_us;
    it->count = 1;
    it->last_us = now_us;
    it->merged = NULL;
    return it;
}

/* One more entry waits for the commit: the background thread is woken at every full batch
 * (it does not wait while a batch is queued; it also wakes every 100 ms): signalling every
 * entry past the first batch cost a futex call per request, and one signal per batch still
 * keeps batches small when a signal finds the thread busy (a missed one would leave 100 ms of
 * entries to commit). */
static void queue_count(cw_srv_state *st)
{
    if ((atomic_fetch_add_explicit(&st->q_len, 1, memory_order_relaxed) + 1) % AUDIT_BATCH == 0)
        pthread_cond_signal(&st->q_cond);
}

/* Queues an audit entry for the background thread (copies the strings). Past the queue's bound
 * the request is counted per key instead (audit_over), so a client that outruns the commits,
 * or a commit stalled by a checkpoint, cannot grow the server's memory without limit. */
static void audit_enqueue(cw_server *s, const char *const f[5])
{
    if (atomic_load_explicit(&s->st->q_len, memory_order_relaxed) >= s->st->q_max) {
        audit_over(s->st, f[0], !strcmp(f[1], "http.read"), cw_time_now_us());
        return;
    }
    audit_item *it = item_new(f, fields_hash(f), cw_time_now_us());
    if (!it)
        return;
    cw_srv_state *st = s->st;
    audit_item *top = atomic_load_explicit(&st->q_top, memory_order_relaxed);
    do
        it->next = top;
    while (!atomic_compare_exchange_weak_explicit(&st->q_top, &top, it, memory_order_release,
                                                  memory_order_relaxed));
    queue_count(st);
}

/* Audits an authenticated read served by this thread: a read identical to one it served since
 * the last commit (the same actor, request, status and detail) only adds to that entry's count
 * and last time; another takes an entry of the thread's fold table, counted against the
 * queue's bound. With the table full, or at the bound, it goes as any entry (audit_enqueue).
 * Folding here rather than at the commit keeps the background thread's work per commit to the
 * distinct reads: at tens of thousands of identical reads a second, waking it every 256 to
 * fold them, on a core the request threads and their clients share, was the cheap GET's tail
 * (docs/SHARING.md, "The cheap GET's p99 (stop 11)"). */
static void fold_read(cw_server *s, reader *rd, const char *const f[5])
{
    cw_srv_state *st = s->st;
    uint64_t h = fields_hash(f);
    int64_t now = cw_time_now_us();
    pthread_mutex_lock(&rd->fold_lock);
    size_t j = (size_t)h & (FOLD_SLOTS - 1);
    audit_item *it;
    while ((it = rd->fold_slot[j]) && !(it->hash == h && fields_same(it, f)))
        j = (j + 1) & (FOLD_SLOTS - 1);
    if (it) {
        it->count++;
        it->last_us = now;
        pthread_mutex_unlock(&rd->fold_lock);
        return;
    }
    if (rd->fold_n < FOLD_MAX &&
        atomic_load_explicit(&st->q_len, memory_order_relaxed) < st->q_max &&
        (it = item_new(f, h, now))) {
        rd->fold_slot[j] = it;
        *rd->fold_tail = it;
        rd->fold_tail = &it->next;
        rd->fold_n++;
    }
    pthread_mutex_unlock(&rd->fold_lock);
    if (it)
        queue_count(st);
    else
        audit_enqueue(s, f);
}

/* Takes every thread's fold table (the background thread), appending its entries to *tail;
 * returns how many. */
static size_t take_folds(cw_srv_state *st, audit_item ***tail)
{
    size_t n = 0;
    pthread_mutex_lock(&st->readers_lock);
    for (size_t i = 0; i < st->n_readers; i++) {
        reader *rd = st->readers[i];
        pthread_mutex_lock(&rd->fold_lock);
        if (rd->fold_n) {
            **tail = rd->fold_head;
            *tail = rd->fold_tail;
            n += rd->fold_n;
            rd->fold_head = NULL;
            rd->fold_tail = &rd->fold_head;
            rd->fold_n = 0;
            memset(rd->fold_slot, 0, sizeof rd->fold_slot);
        }
        pthread_mutex_unlock(&rd->fold_lock);
    }
    pthread_mutex_unlock(&st->readers_lock);
    return n;
}

/* Counts a failed authentication; true when the address is over its limit this minute. */
static bool auth_fail_count(cw_server *s, const char *ip, const char *reason, const char *what)
{
    cw_srv_state *st = s->st;
    int64_t minute = cw_time_now_us() / 60000000;
    bool over = false;
    uint64_t per_ip = 0;
    pthread_mutex_lock(&st->q_lock);
    fail_bucket *b = NULL;
    for (size_t i = 0; i < st->n_buckets; i++) {
        fail_bucket *x = &st->buckets[i];
        if (x->minute != minute || strcmp(x->ip, ip) != 0)
            continue;
        per_ip += x->count;
        if (!strcmp(x->reason, reason))
            b = x;
    }
    if (!b && st->n_buckets < N_BUCKETS) {
        b = &st->buckets[st->n_buckets++];
        memset(b, 0, sizeof *b);
        snprintf(b->ip, sizeof b->ip, "%s", ip);
        snprintf(b->reason, sizeof b->reason, "%s", reason);
        b->minute = minute;
    }
    if (b) {
        b->count++;
        snprintf(b->last, sizeof b->last, "%s", what);
        over = per_ip + 1 > st->auth_fail_limit;
    } else {
        if (st->overflow_minute != minute)
            st->overflow = 0;
        st->overflow_minute = minute;
        st->overflow++;
        over = true;
    }
    pthread_mutex_unlock(&st->q_lock);
    return over;
}

static void reader_free(reader *rd)
{
    if (!rd)
        return;
    for (audit_item *it = rd->fold_head, *nx; it; it = nx) {
        nx = it->next;
        cw_free(it);
    }
    pthread_mutex_destroy(&rd->fold_lock);
    for (unsigned i = 0; i < RESP_CACHE_SLOTS; i++) {
        cw_free(rd->slot[i].key);
        cw_free(rd->slot[i].body);
    }
    cw_node_close(rd->node);
    cw_free(rd);
}

/* Puts the calling request thread on a CPU of its own (the next of st->pin_cpu), once, at its
 * first request. With as many request threads as cores and a client on the same machine, the
 * scheduler would at times put both request threads on one core (and the client's threads on
 * the other), where each waits for the other's time slice: a scheduler tick, 4 ms at
 * CONFIG_HZ=250, for a tenth of the requests (docs/SHARING.md, "The cheap GET's p99 (stop
 * 11)"). Other threads (the client's, the background thread) still move between cores. */
static void pin_thread(cw_srv_state *st)
{
    if (!st->pin_n)
        return;
    unsigned k = atomic_fetch_add(&st->pin_next, 1);
    if (k >= st->pin_n)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(st->pin_cpu[k], &set);
    (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set); /* a hint: best effort */
}

/* One request thread per CPU this process may run on (sched_getaffinity: a taskset or cpuset
 * narrows it; the online cores only when it cannot be read), at most 16. A worker never blocks
 * (writes go to the writer thread), so more would only add switches: on one CPU two request
 * threads wait for each other's time slice (docs/SHARING.md, "Serve's default thread count"). */
unsigned cw_server__default_threads(void)
{
    cpu_set_t allowed;
    long n = sched_getaffinity(0, sizeof allowed, &allowed) == 0 ? CPU_COUNT(&allowed)
                                                                 : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 16 ? 16 : (unsigned)n;
}

/* The CPUs to spread `threads` request threads over (pin_thread): those this process may run
 * on, when there are exactly as many (2 to 16) and cpu_pin is not -1; else none. */
static void pin_plan(cw_srv_state *st, unsigned threads, int cpu_pin)
{
    st->pin_n = 0;
    cpu_set_t allowed;
    if (cpu_pin < 0 || threads < 2 || threads > 16 ||
        sched_getaffinity(0, sizeof allowed, &allowed) || (unsigned)CPU_COUNT(&allowed) != threads)
        return;
    for (int c = 0; c < CPU_SETSIZE && st->pin_n < threads; c++)
        if (CPU_ISSET(c, &allowed))
            st->pin_cpu[st->pin_n++] = c;
}

/* This thread's reader (its connection opened on first use). NULL with the error set. */
static reader *reader_of(cw_server *s)
{
    cw_srv_state *st = s->st;
    reader *rd = pthread_getspecific(st->reader_key);
    if (rd)
        return rd;
    if (!(rd = cw_calloc(1, sizeof *rd))) {
        cw_error_set(CW_ENOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&rd->fold_lock, NULL);
    rd->fold_tail = &rd->fold_head;
    if (cw_node_open_ex(&rd->node, s->db_path, CW_SQL_PRIVATE)) {
        pthread_mutex_destroy(&rd->fold_lock);
        cw_free(rd);
        return NULL;
    }
    pthread_mutex_lock(&st->readers_lock);
    if (st->n_readers == st->cap_readers) {
        size_t cap = st->cap_readers ? st->cap_readers * 2 : 8;
        reader **r = cw_realloc(st->readers, cap * sizeof *r);
        if (!r) {
            pthread_mutex_unlock(&st->readers_lock);
            reader_free(rd);
            cw_error_set(CW_ENOMEM, "out of memory");
            return NULL;
        }
        st->readers = r;
        st->cap_readers = cap;
    }
    st->readers[st->n_readers++] = rd;
    pthread_mutex_unlock(&st->readers_lock);
    pthread_setspecific(st->reader_key, rd);
    pin_thread(st);
    return rd;
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    (void)kind;
    cw_buf *b = cls;
    cw_buf_printf(b, "&%s=%s", k, v ? v : "");
    return MHD_YES;
}

/* The cache key of a read, or NULL when the route is not cached. */
static char *resp_cache_key(cw_req *q)
{
    if (!q->api || q->n_segs != 1 || strcmp(q->segs[0], "alerts") != 0)
        return NULL;
    cw_buf b = {0};
    cw_buf_printf(&b, "%s|%d|%s?", q->who.org, (int)q->who.role, q->url);
    MHD_get_connection_values(q->conn, MHD_GET_ARGUMENT_KIND, add_arg, &b);
    if (cw_buf_append(&b, "", 1)) {
        cw_buf_deinit(&b);
        return NULL;
    }
    return (char *)b.data;
}

void cw_server__error(cw_resp *r, unsigned status, const char *title, const char *description)
{
    char code[8];
    snprintf(code, sizeof code, "%u", status);
    json_decref(r->body);
    r->status = status;
    r->body = json_pack("{s:s, s:s, s:s}", "title", title, "description",
                        description ? description : title, "http_status", code);
}

void cw_server__fail(cw_resp *r, int rc)
{
    unsigned status = rc == CW_ENOTFOUND ? 404 : rc == CW_EINVAL ? 400 : 500;
    cw_server__error(r, status,
                     status == 404   ? "Not found"
                     : status == 400 ? "Bad request"
                                     : "Server error",
                     cw_error_last());
}

void cw_server__header(cw_resp *r, const char *name, const char *value)
{
    if (r->n_hdr < 4) {
        r->hdr_name[r->n_hdr] = name;
        r->hdr_value[r->n_hdr] = value;
        r->n_hdr++;
    }
}

const char *cw_server__arg(cw_req *q, const char *name)
{
    return MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, name);
}

static const char *api_key_of(struct MHD_Connection *c)
{
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (auth && !strncasecmp(auth, "Bearer ", 7))
        return auth + 7;
    if (auth && !strncasecmp(auth, "Token ", 6)) /* the OASIS taxii2-client's TokenAuth */
        return auth + 6;
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-API-Key");
}

static enum MHD_Result send_resp(cw_req *q, cw_resp *r)
{
    (void)q;
    /* One serialisation, handed to libmicrohttpd to free. */
    char *text = r->raw;
    size_t len = r->raw_len;
    r->raw = NULL;
    if (!text && r->body) {
        text = json_dumps(r->body, JSON_COMPACT | JSON_REAL_PRECISION(17));
        len = text ? strlen(text) : 0;
    }
    struct MHD_Response *resp =
        text ? MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE)
             : MHD_create_response_from_buffer(0, (void *)(uintptr_t) "", MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type",
                            r->content_type ? r->content_type : "application/json");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    for (int i = 0; i < r->n_hdr; i++)
        MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
    enum MHD_Result ret = MHD_queue_response(q->conn, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Splits the path after `prefix` into segments in the arena; rejects "." and "..". */
static bool taxii_path(const char *url)
{
    return !strncmp(url, "/taxii2/", 8) || !strcmp(url, "/taxii2");
}

static int split(cw_req *q, const char *path, char **segs, int max)
{
    int n = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (n == max || (l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
            return -1;
        segs[n++] = cw_arena_strndup(q->arena, p, l);
        p += l;
    }
    return n;
}

/* Whether an /api/v1/ route uses the chain context (chain_api.c, and more_api.c's trace,
 * search and supply views): 1, run under the chain lock held for reading, concurrently (they
 * only read the context); 2, the EVM routes (evm_api.c opens its store and label handle
 * lazily), run under it held for writing, one at a time; 3, a trace continued into the EVM
 * store (trace?evm=1: both stores), held for writing too; 0, neither. */
static int uses_chain(cw_req *q, char **segs, int n)
{
    static const char *const names[] = {"chain", "trace", "search", "supply"};
    if (n > 0 && !strcmp(segs[0], "evm"))
        return 2;
    const char *evm = cw_server__arg(q, "evm");
    if (evm && !strcmp(evm, "1") &&
        ((n == 1 && !strcmp(segs[0], "trace")) ||
         (n == 2 && !strcmp(segs[0], "chain") && !strcmp(segs[1], "trace"))))
        return 3;
    for (size_t i = 0; n > 0 && i < sizeof names / sizeof *names; i++)
        if (!strcmp(segs[0], names[i]))
            return 1;
    return 0;
}

/* Serves a cacheable read from the reader's cache when its data_version still holds; returns
 * true when served. Otherwise *key_out is the key under which to store the answer (or NULL). */
static bool cache_lookup(reader *rd, cw_req *q, cw_resp *r, char **key_out, int64_t *ver)
{
    *key_out = NULL;
    char *key = resp_cache_key(q);
    if (!key)
        return false;
    if (cw_node_data_version(rd->node, ver)) {
        cw_free(key);
        return false;
    }
    for (unsigned i = 0; i < RESP_CACHE_SLOTS; i++) {
        if (!rd->slot[i].key || rd->slot[i].version != *ver || strcmp(rd->slot[i].key, key))
            continue;
        char *copy = malloc(rd->slot[i].len + 1); /* freed by libmicrohttpd */
        if (!copy)
            break;
        memcpy(copy, rd->slot[i].body, rd->slot[i].len + 1);
        r->raw = copy;
        r->raw_len = rd->slot[i].len;
        r->status = 200;
        cw_free(key);
        return true;
    }
    *key_out = key;
    return false;
}

static void cache_store(reader *rd, char *key, int64_t ver, cw_resp *r)
{
    if (r->status != 200 || !r->body || r->raw) {
        cw_free(key);
        return;
    }
    char *text = json_dumps(r->body, JSON_COMPACT | JSON_REAL_PRECISION(17));
    size_t len = text ? strlen(text) : 0;
    char *copy = text && len <= RESP_CACHE_MAX_BYTES ? cw_malloc(len + 1) : NULL;
    if (copy) {
        memcpy(copy, text, len + 1);
        unsigned i = rd->next++ % RESP_CACHE_SLOTS;
        cw_free(rd->slot[i].key);
        cw_free(rd->slot[i].body);
        rd->slot[i].key = key;
        rd->slot[i].body = copy;
        rd->slot[i].len = len;
        rd->slot[i].version = ver;
        key = NULL;
    }
    cw_free(key);
    if (text) { /* sent as is: one serialisation */
        r->raw = text;
        r->raw_len = len;
    }
}

/* Runs the handler on a view of the server whose node is `node` (a worker's reader for reads,
 * rd NULL for the writer), and queues the audit entry. */
static void dispatch(cw_server *s, cw_node *node, reader *rd, cw_req *q, cw_resp *r)
{
    cw_server view = *s;
    view.node = node;
    bool read = !strcmp(q->method, "GET") || !strcmp(q->method, "HEAD");
    char *key = NULL;
    int64_t ver = 0;
    bool hit = rd && read && cache_lookup(rd, q, r, &key, &ver);
    int chain = !hit && q->api ? uses_chain(q, q->segs, q->n_segs) : 0;
    if (chain == 2) {
        pthread_rwlock_wrlock(&s->st->chain_lock);
    } else if (chain == 3) {
        pthread_rwlock_wrlock(&s->st->chain_lock);
        if (cw_server__chain_stale(s->chain))
            cw_server__chain_refresh(s->chain);
    } else if (chain) {
        pthread_rwlock_rdlock(&s->st->chain_lock);
        if (cw_server__chain_stale(s->chain)) {
            pthread_rwlock_unlock(&s->st->chain_lock);
            pthread_rwlock_wrlock(&s->st->chain_lock);
            cw_server__chain_refresh(s->chain);
            pthread_rwlock_unlock(&s->st->chain_lock);
            pthread_rwlock_rdlock(&s->st->chain_lock);
        }
    }
    if (chain)
        cw_server__chain_busy(s->chain, 1);
    /* An answer read while a rollback (a reorganisation) started beside the store's handle may
     * mix two forks: it is dropped and the request answered again from the store reopened
     * (twice at most; then 503). */
    for (int attempt = 0;; attempt++) {
        if (!hit && q->api)
            cw_server__api(&view, q, q->segs, q->n_segs, r);
        else if (!hit)
            cw_server__taxii(&view, q, q->segs, q->n_segs, r);
        /* both checks run on chain 3 (the EVM one drops a moved store): '|' on ints, which
         * clang's -Wbitwise-instead-of-logical accepts */
        bool moved = chain == 2 ? cw_server__evm_moved(s->evm)
                     : chain == 3
                         ? (int)cw_server__evm_moved(s->evm) | (int)cw_server__chain_moved(s->chain)
                         : chain && cw_server__chain_moved(s->chain);
        if (!moved || r->deferred)
            break;
        json_decref(r->body);
        free(r->raw);
        memset(r, 0, sizeof *r);
        r->status = 200;
        if (attempt == 2) {
            cw_server__error(r, 503, "Service unavailable",
                             "the store was rolled back (a reorganisation) while answering, three "
                             "times: ask again");
            break;
        }
        if (chain == 1) {
            pthread_rwlock_unlock(&s->st->chain_lock);
            pthread_rwlock_wrlock(&s->st->chain_lock);
            cw_server__chain_refresh(s->chain);
            pthread_rwlock_unlock(&s->st->chain_lock);
            pthread_rwlock_rdlock(&s->st->chain_lock);
        } else if (chain == 3) {
            cw_server__chain_refresh(s->chain); /* the EVM handle is closed: reopened */
        } /* EVM: the handle is closed; the next answer reopens it */
    }
    if (chain) {
        cw_server__chain_busy(s->chain, -1);
        pthread_rwlock_unlock(&s->st->chain_lock);
    }
    if (key)
        cache_store(rd, key, ver, r);
    char target[600], code[8];
    snprintf(target, sizeof target, "%s %s", q->method, q->url);
    snprintf(code, sizeof code, "%u", r->status);
    const char *f[5] = {q->who.name, read ? "http.read" : "http.write", target, code,
                        r->audit_detail ? r->audit_detail : ""};
    if (rd && read)
        fold_read(s, rd, f);
    else
        audit_enqueue(s, f);
}

/* The writer: runs queued writes one at a time on the writer connection and resumes their
 * connections (called by the background thread, q_lock not held). */
static void flush_audit(cw_server *s, bool final);

static void run_jobs(cw_server *s)
{
    cw_srv_state *st = s->st;
    for (;;) {
        pthread_mutex_lock(&st->q_lock);
        cw_req *q = st->jobs_head;
        if (q) {
            st->jobs_head = q->job_next;
            if (!st->jobs_head)
                st->jobs_tail = &st->jobs_head;
            st->job_running = true;
        }
        pthread_mutex_unlock(&st->q_lock);
        if (!q)
            return;
        memset(&q->resp, 0, sizeof q->resp);
        q->resp.status = 200;
        if (!q->api)
            q->resp.content_type = "application/taxii+json;version=2.1";
        pthread_mutex_lock(&st->wlock);
        dispatch(s, s->node, NULL, q, &q->resp);
        pthread_mutex_unlock(&st->wlock);
        q->job_done = true;
        /* q belongs to the connection again once resumed: touch it no more. */
        MHD_resume_connection(q->conn);
        pthread_mutex_lock(&st->q_lock);
        st->job_running = false;
        pthread_cond_broadcast(&st->q_cond);
        pthread_mutex_unlock(&st->q_lock);
        /* The reads audited while the job ran are committed before the next job: back-to-back
         * large POSTs must not hold the audit queue until it reaches its bound. */
        flush_audit(s, false);
    }
}

static void handle_read(cw_server *s, cw_req *q, cw_resp *r, reader *rd, bool api, bool taxii,
                        int n, char **segs, bool snap);

static void handle(cw_server *s, cw_req *q, cw_resp *r)
{
    const char *url = q->url;
    bool api = !strncmp(url, "/api/v1/", 8) || !strcmp(url, "/api/v1");
    bool taxii = !strncmp(url, "/taxii2/", 8) || !strcmp(url, "/taxii2");
    if (!api && !taxii) {
        cw_server__error(r, 404, "Not found", "no such resource");
        return;
    }
    if (taxii)
        r->content_type = "application/taxii+json;version=2.1";
    cw_server__chain_touch(s->chain);
    if (q->too_big) {
        cw_server__error(r, 413, "Request body too large", NULL);
        cw_server__header(r, "Connection", "close");
        return;
    }
    char *segs[12];
    int n = split(q, url + (api ? 7 : 1), segs, 12);
    if (n < 0) {
        cw_server__error(r, 404, "Not found", "bad path");
        return;
    }
    reader *rd = reader_of(s);
    cw_node *rn = rd ? rd->node : NULL;
    if (!rn) {
        cw_server__error(r, 503, "Service unavailable", cw_error_last());
        return;
    }
    /* One read snapshot for the whole request: authentication, the publish check and the
     * handler's reads see one state, and SQLite locks once rather than per statement. A TAXII
     * discovery or API-root GET reads nothing but the key check and the publish check, and a
     * chain GET (chain_api.c: the chain store and the label store) nothing but the key check:
     * they take up the state of this reader's last snapshot, without a read transaction, while
     * that began under SNAP_LEASE_US ago and the writer has committed nothing since. */
    bool read = !strcmp(q->method, "GET") || !strcmp(q->method, "HEAD");
    int64_t now = mono_us();
    uint64_t gen = atomic_load(&s->st->commit_gen);
    bool snap;
    bool key_only = taxii ? n <= 2 : n >= 1 && !strcmp(segs[0], "chain");
    if (read && key_only && rd->lease && now - rd->lease_us < SNAP_LEASE_US &&
        gen == rd->lease_gen && cw_node_read_resume(rn) == 0) {
        snap = false; /* nothing to end: no read transaction is open */
    } else {
        cw_error_clear();
        snap = cw_node_read_begin(rn) == 0;
        rd->lease = snap;
        rd->lease_us = now;
        rd->lease_gen = gen;
    }
    handle_read(s, q, r, rd, api, taxii, n, segs, snap);
    cw_node_read_end(rn); /* also ends a resumed state */
}

/* handle() past the path checks, inside the reader's snapshot (snap) when it has one. */
static void handle_read(cw_server *s, cw_req *q, cw_resp *r, reader *rd, bool api, bool taxii,
                        int n, char **segs, bool snap)
{
    cw_node *rn = rd->node;
    const char *url = q->url;
    const char *key = api_key_of(q->conn);
    bool read = !strcmp(q->method, "GET") || !strcmp(q->method, "HEAD");
    int rc = cw_keys_authenticate(rn, key, &q->who);
    if (rc) {
        char what[320], reason[128];
        snprintf(reason, sizeof reason, "%s", cw_error_last());
        snprintf(what, sizeof what, "%.8s %.300s", q->method, url);
        if (auth_fail_count(s, q->ip, reason, what)) {
            cw_server__error(r, 429, "Too many requests",
                             "too many failed authentications from this address; wait a minute");
            cw_server__header(r, "Retry-After", "60");
            return;
        }
        cw_server__error(r, 401, "Unauthorized", "missing, unknown or revoked API key");
        cw_server__header(r, "WWW-Authenticate", "Bearer realm=\"chainwatch\"");
        return;
    }
    /* Alerts raised since the last publishing show up in the collection at once. */
    if (taxii && read && cw_share_publish_needed(rn) > 0) {
        pthread_mutex_lock(&s->st->wlock);
        if (cw_share_publish_pending(s->node, NULL))
            fprintf(stderr, "chainwatch serve: publish: %s\n", cw_error_last());
        pthread_mutex_unlock(&s->st->wlock);
        if (snap) { /* a new snapshot, which holds what was just published */
            cw_node_read_end(rn);
            if (cw_node_read_begin(rn))
                cw_error_clear();
        }
    }
    q->api = api;
    q->n_segs = n;
    q->segs =
        cw_arena_alloc(q->arena, sizeof *segs * (size_t)(n ? n : 1)); /* outlives this frame */
    if (!q->segs) {
        cw_server__error(r, 500, "Internal error", "out of memory");
        return;
    }
    memcpy(q->segs, segs, sizeof *segs * (size_t)n);
    if (read) {
        dispatch(s, rn, rd, q, r);
        return;
    }
    /* A write goes to the one writer thread; the connection is suspended until it is done, so
     * this worker thread goes on serving reads. */
    cw_srv_state *st = s->st;
    pthread_mutex_lock(&st->q_lock);
    bool defer = !st->stopping;
    if (defer) {
        MHD_suspend_connection(q->conn);
        q->job_next = NULL;
        *st->jobs_tail = q;
        st->jobs_tail = &q->job_next;
        pthread_cond_signal(&st->q_cond);
    }
    pthread_mutex_unlock(&st->q_lock);
    if (!defer) {
        pthread_mutex_lock(&st->wlock);
        dispatch(s, s->node, NULL, q, r);
        pthread_mutex_unlock(&st->wlock);
        return;
    }
    r->deferred = true;
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *k,
                                    const char *v)
{
    (void)kind;
    const char **want = cls; /* [0] name, [1] first value, [2] "differs" flag (non-NULL) */
    if (strcasecmp(k, want[0]) != 0)
        return MHD_YES;
    if (!want[1])
        want[1] = v ? v : "";
    else if (strcmp(want[1], v ? v : "") != 0)
        want[2] = "differs";
    want[3] = want[3] ? "many" : "one";
    return MHD_YES;
}

/* The checks on a request's headers libmicrohttpd 0.9.75 does not make; 0 when fine, else
 * the status to answer (r filled). */
static unsigned hygiene(cw_server *s, cw_req *q, cw_resp *r)
{
    const char *cl[4] = {"Content-Length", NULL, NULL, NULL};
    const char *te[4] = {"Transfer-Encoding", NULL, NULL, NULL};
    MHD_get_connection_values(q->conn, MHD_HEADER_KIND, count_header, cl);
    MHD_get_connection_values(q->conn, MHD_HEADER_KIND, count_header, te);
    if (cl[2]) {
        cw_server__error(r, 400, "Bad request", "Content-Length given twice with different values");
        return 400;
    }
    if (cl[1] && te[1]) {
        cw_server__error(r, 400, "Bad request",
                         "Content-Length together with Transfer-Encoding (RFC 9112 6.3)");
        return 400;
    }
    if (te[1] && (te[3][0] == 'm' || strcasecmp(te[1], "chunked") != 0)) {
        cw_server__error(r, 501, "Not implemented", "the only transfer coding accepted is chunked");
        return 501;
    }
    /* libmicrohttpd decodes %00 into a NUL that truncates the path or a parameter. */
    if (q->raw_uri && strstr(q->raw_uri, "%00")) {
        cw_server__error(r, 400, "Bad request", "NUL (%00) in the request target");
        return 400;
    }
    uint64_t len = 0;
    if (cl[1] && cw_parse_u64(&len, cl[1])) {
        cw_server__error(r, 400, "Bad request", "Content-Length: not a number");
        return 400;
    }
    if (cl[1] && len > s->max_body) {
        q->too_big = true;
        cw_server__error(r, 413, "Request body too large", NULL);
        return 413;
    }
    return 0;
}

static conn_track *track_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static enum MHD_Result send_now(cw_req *q, cw_resp *r)
{
    if (!r->body && !r->raw)
        cw_server__error(r, 500, "Internal error", "out of memory");
    enum MHD_Result ret = send_resp(q, r);
    json_decref(r->body);
    r->body = NULL;
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    cw_server *s = cls;
    cw_req *q = *con_cls;
    if (!q)
        return MHD_NO; /* the URI callback made it; out of memory there */
    if (!q->started) {
        q->started = true;
        q->conn = c;
        q->method = cw_arena_strndup(q->arena, method, strlen(method));
        q->url = cw_arena_strndup(q->arena, url, strlen(url));
        if (!q->method || !q->url)
            return MHD_NO;
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, q->ip,
                      sizeof q->ip);
        else
            snprintf(q->ip, sizeof q->ip, "?");
        conn_track *t = track_of(c);
        if (t)
            atomic_store_explicit(&t->wait_since_us, 0, memory_order_relaxed);
        cw_resp r;
        memset(&r, 0, sizeof r);
        if (hygiene(s, q, &r)) {
            if (taxii_path(q->url))
                r.content_type = "application/taxii+json;version=2.1";
            q->hygiene_bad = true;
            return send_now(q, &r);
        }
        return MHD_YES;
    }
    if (q->job_done) {
        q->job_done = false;
        return send_now(q, &q->resp);
    }
    if (q->hygiene_bad) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t need = q->body_len + *upload_size + 1;
        if (q->too_big || need > s->max_body + 1) {
            /* Over the limit (a chunked body has no Content-Length to refuse early).
             * libmicrohttpd 0.9.75 takes a response only before the body or after all of it:
             * the rest is read and dropped, then 413 goes out; a body going on past four times
             * the limit is cut off by closing the connection. */
            q->too_big = true;
            q->dropped += *upload_size;
            *upload_size = 0;
            return q->dropped > 4 * (uint64_t)s->max_body ? MHD_NO : MHD_YES;
        }
        if (need > q->body_cap) {
            size_t cap = q->body_cap ? q->body_cap * 2 : 4096;
            while (cap < need)
                cap *= 2;
            char *nb = cw_arena_alloc(q->arena, cap);
            if (!nb)
                return MHD_NO;
            if (q->body_len)
                memcpy(nb, q->body, q->body_len);
            q->body = nb;
            q->body_cap = cap;
        }
        memcpy(q->body + q->body_len, upload, *upload_size);
        q->body_len += *upload_size;
        q->body[q->body_len] = 0;
        *upload_size = 0;
        return MHD_YES;
    }
    /* The dashboard's files: no API key (they hold no data; the pages call the API with one). */
    if (s->web_root && !q->too_big && cw_static_wants(q->url))
        return cw_static_serve(c, s->web_root, q->method, q->url);
    cw_resp r;
    memset(&r, 0, sizeof r);
    r.status = 200;
    handle(s, q, &r);
    if (r.deferred)
        return MHD_YES; /* the writer answers (run_jobs) */
    return send_now(q, &r);
}

/* Called with the raw request line's URI: the request's state starts here, so the access
 * handler can see what the URI held before libmicrohttpd decoded it (a %00). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    /* A first block of 1 KiB with its header (the arena's 32 bytes): a GET's state (the request,
     * its URI, method, URL and path segments) fits, and a block this small comes from the
     * thread's malloc cache, where 8 KiB took glibc's large-chunk path (and its fastbin
     * consolidation) on every request. A larger request grows the arena. */
    cw_arena *a = cw_arena_new(992);
    if (!a)
        return NULL;
    cw_req *q = cw_arena_alloc(a, sizeof *q);
    if (!q) {
        cw_arena_free(a);
        return NULL;
    }
    memset(q, 0, sizeof *q);
    q->arena = a;
    q->raw_uri = cw_arena_strndup(a, uri ? uri : "", uri ? strlen(uri) : 0);
    return q;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    cw_server *s = cls;
    cw_srv_state *st = s->st;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_track *t = cw_calloc(1, sizeof *t);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!t || !ci) {
            cw_free(t);
            return;
        }
        t->fd = ci->connect_fd;
        atomic_init(&t->wait_since_us, mono_us());
        pthread_mutex_lock(&st->conn_lock);
        t->next = st->conns.next;
        t->prev = &st->conns;
        st->conns.next->prev = t;
        st->conns.next = t;
        pthread_mutex_unlock(&st->conn_lock);
        *socket_context = t;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        conn_track *t = *socket_context;
        if (!t)
            return;
        pthread_mutex_lock(&st->conn_lock);
        t->prev->next = t->next;
        t->next->prev = t->prev;
        pthread_mutex_unlock(&st->conn_lock);
        cw_free(t);
        *socket_context = NULL;
    }
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    (void)cls;
    cw_req *q = *con_cls;
    if (q)
        cw_arena_free(q->arena);
    *con_cls = NULL;
    /* A kept-alive connection waits for its next request's headers from now on. */
    conn_track *t = track_of(c);
    if (t)
        atomic_store_explicit(&t->wait_since_us, mono_us(), memory_order_relaxed);
}

/* ---- the background thread ---- */

static bool item_same(const audit_item *a, const audit_item *b)
{
    return a->hash == b->hash && fields_same(a, (const char *const *)b->f);
}

typedef struct item_pos {
    audit_item *it;
    size_t pos;
} item_pos;

static int item_pos_cmp(const void *a, const void *b)
{
    const item_pos *x = a, *y = b;
    if (x->it->time_us != y->it->time_us)
        return x->it->time_us < y->it->time_us ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The list of n entries sorted by the time of their (first) request, ties in list order (a
 * stable sort): the audit's order is the requests' order across threads. Without memory the
 * list stays as it is. */
static audit_item *by_time(audit_item *items, size_t n)
{
    if (n < 2)
        return items;
    item_pos *a = cw_malloc(n * sizeof *a);
    if (!a)
        return items;
    size_t i = 0;
    for (audit_item *it = items; it && i < n; it = it->next, i++)
        a[i] = (item_pos){it, i};
    qsort(a, i, sizeof *a, item_pos_cmp);
    for (size_t k = 0; k + 1 < i; k++)
        a[k].it->next = a[k + 1].it;
    a[i - 1].it->next = NULL;
    items = a[0].it;
    cw_free(a);
    return items;
}

/* Folds identical authenticated reads of one flush (the same actor, request, status and
 * detail) into the first of them, which then carries their count and the times of the first
 * and the last: a client polling one URL costs the group commit one row per flush, not one per
 * request, so the audit keeps up with the reads it records. Each request thread has already
 * folded the reads it served (fold_read); this folds them across threads and with the queue.
 * Writes and every other action stay one entry each. Without memory for the table every entry
 * stays apart. */
static void coalesce_reads(audit_item *items, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap <<= 1;
    audit_item **slot = cw_calloc(cap, sizeof *slot);
    if (!slot)
        return;
    for (audit_item *it = items; it; it = it->next) {
        if (strcmp(it->f[1], "http.read"))
            continue;
        size_t j = (size_t)it->hash & (cap - 1);
        while (slot[j] && !item_same(slot[j], it))
            j = (j + 1) & (cap - 1);
        if (!slot[j]) {
            slot[j] = it;
            continue;
        }
        slot[j]->count += it->count; /* an entry of a fold table already counts several */
        if (it->last_us > slot[j]->last_us)
            slot[j]->last_us = it->last_us;
        it->count = 0;
    }
    cw_free(slot);
    for (audit_item *it = items; it; it = it->next) {
        if (it->count < 2)
            continue;
        char t0[32], t1[32];
        cw_time_format(t0, it->time_us, 3);
        cw_time_format(t1, it->last_us, 3);
        size_t len = strlen(it->f[4]) + 128;
        it->merged = cw_malloc(len);
        if (it->merged)
            snprintf(it->merged, len, "%s%s%llu identical reads, the first at %s, the last at %s",
                     it->f[4], *it->f[4] ? "; " : "", (unsigned long long)it->count, t0, t1);
    }
}

/* Takes the queued audit entries and the failure buckets of past minutes (all when final)
 * and commits them in one transaction on the writer connection. */
static void flush_audit(cw_server *s, bool final)
{
    cw_srv_state *st = s->st;
    int64_t minute = cw_time_now_us() / 60000000;
    /* The queue, newest first: reversed into the order of the appends; then the threads' fold
     * tables; all in the order of their (first) requests. */
    audit_item *top = atomic_exchange_explicit(&st->q_top, NULL, memory_order_acquire);
    audit_item *items = NULL, **tail = &items;
    size_t n_items = 0;
    while (top) {
        audit_item *nx = top->next;
        top->next = items;
        items = top;
        top = nx;
        n_items++;
    }
    while (*tail)
        tail = &(*tail)->next;
    n_items += take_folds(st, &tail);
    atomic_fetch_sub_explicit(&st->q_len, n_items, memory_order_relaxed);
    items = by_time(items, n_items);
    coalesce_reads(items, n_items);
    pthread_mutex_lock(&st->q_lock);
    over_bucket ov[N_OVER];
    size_t n_over = st->n_over;
    uint64_t over_other = st->over_other;
    memcpy(ov, st->over, n_over * sizeof *ov);
    st->n_over = 0;
    st->over_other = 0;
    fail_bucket *done = st->n_buckets ? cw_malloc(2 * st->n_buckets * sizeof *done) : NULL;
    size_t n_done = 0, keep = 0;
    for (size_t i = 0; done && i < st->n_buckets; i++) {
        fail_bucket *b = &st->buckets[i];
        bool past = final || b->minute < minute;
        if (b->written == 0) { /* the first failure: audited at once */
            done[n_done++] = *b;
            b->written = 1;
        }
        if (past && b->count > b->written) { /* the rest: one summary */
            done[n_done] = *b;
            n_done++;
            b->written = b->count;
        }
        if (!past)
            st->buckets[keep++] = *b;
    }
    if (done)
        st->n_buckets = keep;
    uint64_t overflow = 0;
    int64_t overflow_minute = st->overflow_minute;
    if (st->overflow && (final || st->overflow_minute < minute)) {
        overflow = st->overflow;
        st->overflow = 0;
    }
    pthread_mutex_unlock(&st->q_lock);
    size_t total = n_items + n_done + (overflow ? 1 : 0) + n_over + (over_other ? 1 : 0);
    if (!total) {
        cw_free(done);
        return;
    }
    cw_audit_entry *e = cw_calloc(total, sizeof *e);
    char(*details)[600] = cw_calloc(n_done + 2 + n_over, sizeof *details);
    char(*targets)[64] = cw_calloc(n_done + 1, sizeof *targets);
    size_t k = 0;
    if (e && details && targets) {
        for (audit_item *it = items; it; it = it->next)
            if (it->count) /* 0: folded into an earlier identical read */
                e[k++] = (cw_audit_entry){
                    it->f[0],   it->f[1], it->f[2], it->f[3], it->merged ? it->merged : it->f[4],
                    it->time_us};
        for (size_t i = 0; i < n_done; i++) {
            char t[32];
            cw_time_format(t, done[i].minute * 60000000, 0);
            if (done[i].written == 0)
                snprintf(details[i], sizeof details[i], "%s (%s); first in the minute from %s",
                         done[i].reason, done[i].last, t);
            else
                snprintf(details[i], sizeof details[i],
                         "%s: %llu more in the minute from %s; last %s", done[i].reason,
                         (unsigned long long)(done[i].count - done[i].written), t, done[i].last);
            snprintf(targets[i], sizeof targets[i], "%s", done[i].ip);
            e[k++] = (cw_audit_entry){
                "(unauthenticated)", "auth.fail", targets[i], "401", details[i], 0};
        }
        if (overflow) {
            char t[32];
            cw_time_format(t, overflow_minute * 60000000, 0);
            snprintf(details[n_done], sizeof details[n_done],
                     "%llu failures in the minute from %s from addresses beyond the %d tracked",
                     (unsigned long long)overflow, t, N_BUCKETS);
            e[k++] = (cw_audit_entry){
                "(unauthenticated)", "auth.fail", "(other addresses)", "401", details[n_done], 0};
        }
        for (size_t i = 0; i < n_over; i++) {
            char t0[32], t1[32];
            cw_time_format(t0, ov[i].first_us, 3);
            cw_time_format(t1, ov[i].last_us, 3);
            char *d = details[n_done + 2 + i];
            snprintf(d, sizeof details[0],
                     "%llu reads and %llu writes served from %s to %s while the audit queue was "
                     "at its bound of %zu entries: counted, not itemised",
                     (unsigned long long)ov[i].reads, (unsigned long long)ov[i].writes, t0, t1,
                     st->q_max);
            e[k++] = (cw_audit_entry){ov[i].actor, "http.unitemised", "(past the bound)", "",
                                      d,           ov[i].first_us};
        }
        if (over_other) {
            snprintf(details[n_done + 1], sizeof details[n_done + 1],
                     "%llu requests of keys beyond the %d tracked served while the audit queue "
                     "was at its bound of %zu entries: counted, not itemised",
                     (unsigned long long)over_other, N_OVER, st->q_max);
            e[k++] = (cw_audit_entry){
                "(other keys)", "http.unitemised", "(past the bound)", "", details[n_done + 1], 0};
        }
        pthread_mutex_lock(&st->wlock);
        if (cw_audit_append_batch(s->node, e, k))
            fprintf(stderr, "chainwatch serve: audit: %s\n", cw_error_last());
        pthread_mutex_unlock(&st->wlock);
    }
    cw_free(e);
    cw_free(details);
    cw_free(targets);
    cw_free(done);
    while (items) {
        audit_item *nx = items->next;
        cw_free(items->merged);
        cw_free(items);
        items = nx;
    }
}

static void checkpoint(cw_server *s)
{
    pthread_mutex_lock(&s->st->wlock);
    if (cw_audit_checkpoint_append(s->node, s->checkpoint_path, NULL))
        fprintf(stderr, "chainwatch serve: checkpoint: %s\n", cw_error_last());
    pthread_mutex_unlock(&s->st->wlock);
}

/* Shuts down connections whose request headers are overdue (libmicrohttpd's own timeout is an
 * idle timeout, which a client sending a byte a second never reaches). */
static void header_deadline(cw_server *s)
{
    cw_srv_state *st = s->st;
    int64_t now = mono_us(), limit = (int64_t)st->header_timeout_s * 1000000;
    pthread_mutex_lock(&st->conn_lock);
    for (conn_track *t = st->conns.next; t != &st->conns; t = t->next) {
        int64_t since = atomic_load_explicit(&t->wait_since_us, memory_order_relaxed);
        if (since && t->fd >= 0 && now - since > limit) {
            shutdown(t->fd, SHUT_RDWR);
            t->fd = -1;
        }
    }
    pthread_mutex_unlock(&st->conn_lock);
}

static void *background(void *arg)
{
    cw_server *s = arg;
    cw_srv_state *st = s->st;
    int64_t last_publish = 0, last_cp = mono_us();
    /* Audit flushes, publishing and checkpoints are batch work: on Linux a thread has its own
     * nice value, and five steps below the request threads keeps a flush of a few thousand
     * audit rows from delaying reads (the cheap GET's p99), without starving it. */
    errno = 0;
    int nice_now = getpriority(PRIO_PROCESS, 0);
    if (errno == 0)
        (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice_now + 5);
    pthread_mutex_lock(&st->q_lock);
    while (!st->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (!st->jobs_head && atomic_load_explicit(&st->q_len, memory_order_relaxed) < AUDIT_BATCH)
            pthread_cond_timedwait(&st->q_cond, &st->q_lock, &until);
        if (st->stop)
            break;
        pthread_mutex_unlock(&st->q_lock);
        run_jobs(s);
        flush_audit(s, false);
        header_deadline(s);
        int64_t now = mono_us();
        if (now - last_publish > 1000000) {
            last_publish = now;
            pthread_mutex_lock(&st->wlock);
            if (cw_share_publish_pending(s->node, NULL))
                fprintf(stderr, "chainwatch serve: publish: %s\n", cw_error_last());
            pthread_mutex_unlock(&st->wlock);
        }
        if (now - last_cp > (int64_t)st->checkpoint_interval_s * 1000000) {
            last_cp = now;
            checkpoint(s);
        }
        pthread_mutex_lock(&st->q_lock);
    }
    pthread_mutex_unlock(&st->q_lock);
    return NULL;
}

static cw_srv_state *state_new(const cw_server_config *cfg)
{
    cw_srv_state *st = cw_calloc(1, sizeof *st);
    if (!st)
        return NULL;
    if (pthread_key_create(&st->reader_key, NULL)) {
        cw_free(st);
        return NULL;
    }
    pthread_mutex_init(&st->wlock, NULL);
    pthread_rwlock_init(&st->chain_lock, NULL);
    pthread_mutex_init(&st->readers_lock, NULL);
    pthread_mutex_init(&st->q_lock, NULL);
    pthread_mutex_init(&st->conn_lock, NULL);
    pthread_cond_init(&st->q_cond, NULL);
    atomic_init(&st->q_top, NULL);
    atomic_init(&st->q_len, 0);
    st->jobs_tail = &st->jobs_head;
    st->conns.next = st->conns.prev = &st->conns;
    st->header_timeout_s = cfg->header_timeout_s ? cfg->header_timeout_s : 10;
    st->auth_fail_limit = cfg->auth_fail_limit ? cfg->auth_fail_limit : 60;
    st->q_max = cfg->audit_queue_max ? cfg->audit_queue_max : AUDIT_QUEUE_MAX;
    st->checkpoint_interval_s = cfg->checkpoint_interval_s ? cfg->checkpoint_interval_s : 60;
    return st;
}

static void state_free(cw_srv_state *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->n_readers; i++)
        reader_free(st->readers[i]);
    cw_free(st->readers);
    for (audit_item *it = atomic_load(&st->q_top), *nx; it; it = nx) {
        nx = it->next;
        cw_free(it);
    }
    pthread_key_delete(st->reader_key);
    pthread_mutex_destroy(&st->wlock);
    pthread_rwlock_destroy(&st->chain_lock);
    pthread_mutex_destroy(&st->readers_lock);
    pthread_mutex_destroy(&st->q_lock);
    pthread_mutex_destroy(&st->conn_lock);
    pthread_cond_destroy(&st->q_cond);
    cw_free(st);
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, bool *loopback)
{
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    if (!colon || colon == listen)
        return cw_error_set(CW_EINVAL, "--listen: expected HOST:PORT (IPv4), got '%s'",
                            listen ? listen : "(null)");
    char host[64];
    size_t hl = (size_t)(colon - listen);
    if (hl >= sizeof host)
        return cw_error_set(CW_EINVAL, "--listen: host too long");
    memcpy(host, listen, hl);
    host[hl] = 0;
    if (!strcmp(host, "localhost"))
        snprintf(host, sizeof host, "127.0.0.1");
    uint64_t port;
    if (cw_parse_u64(&port, colon + 1) || port > 65535)
        return cw_error_set(CW_EINVAL, "--listen: bad port '%s'", colon + 1);
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return cw_error_set(CW_EINVAL, "--listen: '%s' is not an IPv4 address", host);
    sa->sin_port = htons((uint16_t)port);
    *loopback = (ntohl(sa->sin_addr.s_addr) >> 24) == 127;
    return 0;
}

static int read_text(char **out, const char *path, const char *what)
{
    uint8_t *data = NULL;
    size_t n = 0;
    int rc = cw_file_read(&data, &n, path);
    if (rc)
        return cw_error_wrap(rc, "%s: ", what);
    char *t = cw_realloc(data, n + 1);
    if (!t) {
        cw_free(data);
        return cw_error_set(CW_ENOMEM, "out of memory");
    }
    t[n] = 0;
    *out = t;
    return 0;
}

int cw_server_start(cw_server **out, const cw_server_config *cfg)
{
    *out = NULL;
    struct sockaddr_in sa;
    bool loopback = false;
    int rc = parse_listen(cfg->listen, &sa, &loopback);
    if (rc)
        return rc;
    bool tls = cfg->tls_cert || cfg->tls_key;
    if (tls && !(cfg->tls_cert && cfg->tls_key))
        return cw_error_set(CW_EINVAL, "TLS needs both --tls-cert and --tls-key");
    if (!tls && !loopback)
        return cw_error_set(CW_EINVAL,
                            "plain HTTP is allowed only on loopback; give --tls-cert and --tls-key "
                            "to listen on %s",
                            cfg->listen);
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return cw_error_set(CW_EINVAL, "this libmicrohttpd was built without TLS support");
    if (!cfg->db_path)
        return cw_error_set(CW_EINVAL, "serve: no node database");
    cw_server *s = cw_calloc(1, sizeof *s);
    if (!s || !(s->st = state_new(cfg))) {
        cw_free(s);
        return cw_error_set(CW_ENOMEM, "out of memory");
    }
    s->max_body = cfg->max_body ? cfg->max_body : (1u << 20);
    if (tls && ((rc = read_text(&s->cert, cfg->tls_cert, "--tls-cert")) ||
                (rc = read_text(&s->key, cfg->tls_key, "--tls-key"))))
        goto fail;
    if (cfg->web_root && !(s->web_root = cw_strdup(cfg->web_root))) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto fail;
    }
    if (!(s->db_path = cw_strdup(cfg->db_path))) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto fail;
    }
    if (cfg->checkpoint_path) {
        s->checkpoint_path = cw_strdup(cfg->checkpoint_path);
    } else {
        size_t l = strlen(cfg->db_path) + sizeof ".checkpoints";
        if ((s->checkpoint_path = cw_malloc(l)))
            snprintf(s->checkpoint_path, l, "%s.checkpoints", cfg->db_path);
    }
    if (!s->checkpoint_path) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto fail;
    }
    /* The writer connection is used under the writer lock only (or before the threads start
     * and after they stop): SQLite's own per-call mutex would be a second, redundant lock. */
    if ((rc = cw_node_open_ex(&s->node, cfg->db_path, CW_SQL_CREATE | CW_SQL_PRIVATE)))
        goto fail;
    cw_node_on_commit(s->node, count_commit, s->st);
    if ((cfg->supply_db && !(s->supply_db = cw_strdup(cfg->supply_db))) ||
        (cfg->supply_rules && !(s->supply_rules = cw_strdup(cfg->supply_rules)))) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto fail;
    }
    if ((cfg->store_dir || cfg->labels_db) &&
        (rc = cw_server__chain_open(&s->chain, cfg->store_dir, cfg->labels_db)))
        goto fail;
    {
        const char *evm = cfg->evm_store_dir;
        if (!evm && cfg->store_dir && cw_evmstore_detect(cfg->store_dir))
            evm = cfg->store_dir;
        /* each store its own labels: a world's labels name its own chain's addresses */
        const char *evm_labels = cfg->evm_labels_db ? cfg->evm_labels_db : cfg->labels_db;
        if (evm && (rc = cw_server__evm_open(&s->evm, evm, evm_labels)))
            goto fail;
    }
    /* Publish what the engines raised while the server was down. An alert that cannot become
     * STIX is skipped and recorded, not an error; a storage failure is reported and the
     * server starts anyway (the background thread tries again). */
    if (cw_share_publish_pending(s->node, NULL))
        fprintf(stderr, "chainwatch serve: publishing pending alerts: %s (will retry)\n",
                cw_error_last());
    cw_server__chain_warm(s->chain); /* no request thread runs yet: no chain lock needed */
    cw_server__taxii_docs(s);
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    if (tls)
        flags |= MHD_USE_TLS;
    unsigned threads = cfg->threads ? cfg->threads : cw_server__default_threads();
    pin_plan(s->st, threads, cfg->cpu_pin);
    unsigned per_ip = cfg->per_ip_limit ? cfg->per_ip_limit : 128;
    unsigned max_conn = cfg->max_connections ? cfg->max_connections : 1024;
    /* Each connection's memory pool (libmicrohttpd's default is 32 KiB), which it clears
     * after every request: 16 KiB holds any sane request line and headers (TAXII ids in a
     * match[id] list included) and halves that clearing, about 1 us of a cheap request. */
    size_t conn_mem = 16384;
    /* one thread: libmicrohttpd's own internal thread serves, without a pool (a pool size of 0
     * or 1 is ignored with a warning): the option list ends before the size */
    enum MHD_OPTION pool_opt = threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END;
    if (tls)
        s->d = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
            on_connection, s, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_CONNECTION_TIMEOUT,
            30u, MHD_OPTION_CONNECTION_LIMIT, max_conn, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, conn_mem, MHD_OPTION_HTTPS_MEM_CERT, s->cert,
            MHD_OPTION_HTTPS_MEM_KEY, s->key, pool_opt, threads, MHD_OPTION_END);
    else
        s->d = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
            on_connection, s, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_CONNECTION_TIMEOUT,
            30u, MHD_OPTION_CONNECTION_LIMIT, max_conn, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, conn_mem, pool_opt, threads, MHD_OPTION_END);
    if (!s->d) {
        rc = cw_error_set(CW_EIO, "cannot listen on %s (in use, or bad TLS files)", cfg->listen);
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : ntohs(sa.sin_port);
    pthread_mutex_lock(&s->st->wlock); /* the workers already serve (a TAXII GET publishes) */
    cw_audit_append(s->node, "server", "server.start", cfg->listen, "ok", tls ? "https" : "http");
    pthread_mutex_unlock(&s->st->wlock);
    if (pthread_create(&s->st->bg, NULL, background, s)) {
        rc = cw_error_set(CW_EIO, "cannot start the background thread");
        goto fail;
    }
    s->st->bg_started = true;
    *out = s;
    return 0;
fail:
    cw_server_stop(s);
    return rc;
}

uint16_t cw_server_port(const cw_server *s)
{
    return s->port;
}

void cw_server_stop(cw_server *s)
{
    if (!s)
        return;
    if (s->st->bg_started) {
        /* No more suspended writes; let the writer finish (and resume) those queued. */
        pthread_mutex_lock(&s->st->q_lock);
        s->st->stopping = true;
        pthread_cond_broadcast(&s->st->q_cond);
        while (s->st->jobs_head || s->st->job_running)
            pthread_cond_wait(&s->st->q_cond, &s->st->q_lock);
        pthread_mutex_unlock(&s->st->q_lock);
    }
    if (s->d)
        MHD_stop_daemon(s->d);
    if (s->st->bg_started) {
        pthread_mutex_lock(&s->st->q_lock);
        s->st->stop = true;
        pthread_cond_signal(&s->st->q_cond);
        pthread_mutex_unlock(&s->st->q_lock);
        pthread_join(s->st->bg, NULL);
    }
    if (s->node) {
        flush_audit(s, true);
        if (s->d)
            cw_audit_append(s->node, "server", "server.stop", "", "ok", "");
        if (s->d && s->checkpoint_path)
            checkpoint(s);
    }
    cw_node_close(s->node);
    cw_server__chain_close(s->chain);
    cw_server__evm_close(s->evm);
    cw_free(s->supply_db);
    cw_free(s->supply_rules);
    cw_free(s->cert);
    cw_free(s->key);
    cw_free(s->web_root);
    cw_free(s->db_path);
    cw_free(s->checkpoint_path);
    free(s->taxii_doc[0]); /* json_dumps's */
    free(s->taxii_doc[1]);
    state_free(s->st);
    cw_free(s);
}
