/*
 * chain_api.c: the chain engine behind the JSON API, under /api/v1/chain/:
 *   GET tx/{txid}                      a transaction (cw_query_tx) with its pattern flags
 *   GET address/{addr}?offset&limit    an address (cw_query_address), its cluster and labels
 *   GET block/{height|hash}            a block (cw_query_block)
 *   GET address/{addr} also carries the address's label records with their provenance
 *                                      (labels) and its cluster's own figures (cluster.totals)
 *   GET cluster/{addr}?limit           the cluster of an address (or cluster/id:N): size, its own
 *                                      totals (received, balance, first/last seen) and a page
 *                                      of members
 *   GET labels?q=TEXT&limit=           labels by address, entity name (part), reference or
 *                                      category, each with its provenance
 *   GET trace?from=..&model=..&direction=..&max_hops=..&min_value=..&stop_at=a,b
 *                                      (stop_at absent or 'default': custodial services and
 *                                      merchants, cw_trace_opts_default_stops; empty or
 *                                      'none': no stop)
 *                                      a trace (cw_trace_json: flow graph + summary); from=
 *                                      may list several sources, comma-separated;
 *                                      coinjoin=order|rank|stop (FIFO: rank, as the CLI);
 *                                      dust_rule=on|off (default on, as trace --dust-rule)
 *   GET screen/{addr}?hops=k           exposure of an address (cw_screen_json); each deposit
 *                                      is screened apart too: per_deposit=certain (default,
 *                                      as the CLI), all (or 1) or off (or 0); min_deposit=SAT;
 *                                      mix_rounds=N (default 3; 0: the rule off, as the CLI);
 *   GET screen/{txid:vout}             the exposure of that one output (a deposit)
 *   GET status                         store counts and what has been built over it
 * The store is opened read-only when the server starts (serve --store, --labels) and reopened
 * when its MANIFEST changes, so a running `ingest` or `watch` shows up at the next request; its
 * clusters and address-history index when theirs change. Whether any changed is one FIONREAD on
 * an inotify descriptor watching the store's directory (the events of a rename are queued
 * before rename returns), and the manifests are stat'ed only when it has events.
 * The label map used by traces is built once per opened store. Requests run concurrently under
 * the server's read lock and only read this context (the engines take a const store and a
 * const label map); opening, reopening and building the label map happen in
 * cw_server__chain_refresh, under the write lock. The label store itself (labels and their
 * provenance on the address page, label search) is one SQLite connection with cached
 * statements: its own mutex lets one request at a time use it.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "chainwatch/btc/addrhist.h"
#include "chainwatch/btc/query.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/cluster.h"
#include "chainwatch/errors.h"
#include "chainwatch/json_write.h"
#include "chainwatch/labels.h"
#include "chainwatch/patterns.h"
#include "chainwatch/screen.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"
#include "chainwatch/xchain_btcevm.h"
#include "server/internal.h"

struct cw_chain_ctx {
    char *store_dir;
    char *labels_path;
    cw_chainstore *cs;
    cw_labels *labels;
    pthread_mutex_t labels_lock; /* the label store: one SQLite connection, one user at a time */
    cw_trace_labelmap *lm;
    struct timespec manifest_mtime;
    int open_rc; /* the last refresh's error (0: none); c->cs is NULL then */
    char open_err[512];
    /* The clusters of this store (cw_clusters_open), opened once per store and cluster build:
     * reopened when the store is, or when cluster.manifest changes (a `cluster build` writes a
     * new generation, then the manifest). cl is NULL when they cannot be opened; cl_rc and
     * cl_err say why (CW_ENOTFOUND: never built). */
    cw_clusters *cl;
    int cl_rc;
    char cl_err[512];
    struct cl_key {
        bool present;
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtime;
    } cl_key;
    atomic_ullong cl_opens; /* handles opened so far (tests: the handle is reused) */
    /* The address-history index of this store (cw_addrhist_open), opened with it and reopened
     * when addrhist.manifest changes (`chainwatch addrindex`); NULL when there is none or it
     * does not match the store (then lookups walk: ah_rc, ah_err say why). */
    cw_addrhist *ah;
    int ah_rc;
    char ah_err[512];
    struct cl_key ah_key;
    atomic_ullong ah_opens;
    /* inotify on store_dir (-1: none, e.g. the directory did not exist yet: then every request
     * stats the manifests). Read only under the write lock (refresh); FIONREAD under either. */
    int ino_fd, ino_wd;
    /* The warm-up (cw_server__chain_warm): a background thread reading the store's files into
     * the page cache. Its own lock: requests read the figures for chain/status. */
    pthread_mutex_t warm_lock;
    pthread_t warm_thread;
    bool warm_started, warm_stop, warm_done;
    atomic_bool warm_all; /* the warm-up read every byte: lookups need no prefetch hints */
    uint64_t warm_bytes, warm_total;
    double warm_seconds;
    /* Chain requests running, and when one last started or ended (monotonic us): the warm-up
     * gives way to them (cw_server__chain_busy, warm_go_on). */
    atomic_int busy;
    atomic_llong busy_at_us;
};

int cw_server__chain_open(cw_chain_ctx **out, const char *store_dir, const char *labels_path)
{
    cw_chain_ctx *c = cw_calloc(1, sizeof *c);
    if (!c)
        return cw_error_set(CW_ENOMEM, "out of memory");
    pthread_mutex_init(&c->labels_lock, NULL);
    pthread_mutex_init(&c->warm_lock, NULL);
    c->store_dir = store_dir ? cw_strdup(store_dir) : NULL;
    c->ino_fd = c->ino_wd = -1;
    c->labels_path = labels_path ? cw_strdup(labels_path) : NULL;
    if (c->labels_path) {
        int rc = cw_labels_open(&c->labels, c->labels_path, CW_LABELS_READONLY);
        if (rc) {
            cw_server__chain_close(c);
            return rc;
        }
    }
    *out = c;
    return 0;
}

void cw_server__chain_close(cw_chain_ctx *c)
{
    if (!c)
        return;
    if (c->warm_started) {
        pthread_mutex_lock(&c->warm_lock);
        c->warm_stop = true;
        pthread_mutex_unlock(&c->warm_lock);
        pthread_join(c->warm_thread, NULL);
    }
    pthread_mutex_destroy(&c->warm_lock);
    if (c->ino_fd >= 0)
        close(c->ino_fd);
    cw_addrhist_close(c->ah);
    cw_clusters_close(c->cl);
    cw_trace_labelmap_free(c->lm);
    cw_chainstore_close(c->cs);
    cw_labels_close(c->labels);
    pthread_mutex_destroy(&c->labels_lock);
    cw_free(c->store_dir);
    cw_free(c->labels_path);
    cw_free(c);
}

static bool manifest_changed(const cw_chain_ctx *c, struct stat *st)
{
    char mpath[PATH_MAX];
    snprintf(mpath, sizeof mpath, "%s/MANIFEST", c->store_dir);
    if (stat(mpath, st) != 0)
        return true;
    return st->st_mtim.tv_sec != c->manifest_mtime.tv_sec ||
           st->st_mtim.tv_nsec != c->manifest_mtime.tv_nsec;
}

/* What identifies one write of a derived manifest (a build replaces the file). */
static struct cl_key manifest_key(const cw_chain_ctx *c, const char *name)
{
    char mpath[PATH_MAX];
    struct stat st;
    struct cl_key k = {0};
    snprintf(mpath, sizeof mpath, "%s/%s", c->store_dir, name);
    if (stat(mpath, &st) == 0) {
        k.present = true;
        k.dev = st.st_dev;
        k.ino = st.st_ino;
        k.size = st.st_size;
        k.mtime = st.st_mtim;
    }
    return k;
}

static struct cl_key clusters_key(const cw_chain_ctx *c)
{
    return manifest_key(c, "cluster.manifest");
}

static struct cl_key addrhist_key(const cw_chain_ctx *c)
{
    return manifest_key(c, "addrhist.manifest");
}

static bool clusters_key_eq(const struct cl_key *a, const struct cl_key *b)
{
    return a->present == b->present &&
           (!a->present ||
            (a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
             a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec));
}

/* Watches the store's directory for renames, creations, deletions and writes (the manifests
 * are replaced by rename); on failure (no directory yet) the requests stat instead. */
static void watch_store(cw_chain_ctx *c)
{
    if (c->ino_fd < 0)
        c->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (c->ino_fd < 0 || c->ino_wd >= 0)
        return;
    c->ino_wd = inotify_add_watch(c->ino_fd, c->store_dir,
                                  IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE |
                                      IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF);
}

/* Empties the inotify queue (under the write lock, before the manifests are stat'ed: a change
 * after the stats leaves an event for the next request). A watch that went away (the directory
 * was removed or moved) is added again. */
static void drain_watch(cw_chain_ctx *c)
{
    if (c->ino_fd < 0) {
        watch_store(c);
        return;
    }
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t len;
    while ((len = read(c->ino_fd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + len;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            if (e->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
                if (c->ino_wd >= 0)
                    inotify_rm_watch(c->ino_fd, c->ino_wd);
                c->ino_wd = -1;
            }
            p += sizeof *e + e->len;
        }
    }
    watch_store(c);
}

bool cw_server__chain_stale(cw_chain_ctx *c)
{
    struct stat st;
    if (!c || !c->store_dir)
        return false;
    if (!c->cs)
        return true;
    if (c->ino_wd >= 0) {
        int n = 0;
        return ioctl(c->ino_fd, FIONREAD, &n) != 0 || n > 0;
    }
    if (manifest_changed(c, &st))
        return true;
    struct cl_key k = clusters_key(c), h = addrhist_key(c);
    return !clusters_key_eq(&k, &c->cl_key) || !clusters_key_eq(&h, &c->ah_key);
}

bool cw_server__chain_watching(const cw_chain_ctx *c)
{
    return c && c->ino_wd >= 0;
}

uint64_t cw_server__chain_addrhist_opens(const cw_chain_ctx *c)
{
    return c ? (uint64_t)atomic_load(&c->ah_opens) : 0;
}

/* (Re)opens the address-history index of the open store (its manifest's identity first). */
static void addrhist_refresh(cw_chain_ctx *c)
{
    cw_addrhist_close(c->ah);
    c->ah = NULL;
    c->ah_key = addrhist_key(c);
    c->ah_rc = cw_addrhist_open(&c->ah, c->cs);
    snprintf(c->ah_err, sizeof c->ah_err, "%s", c->ah_rc ? cw_error_last() : "");
    if (c->ah_rc)
        return;
    atomic_fetch_add(&c->ah_opens, 1);
    cw_addrhist_advise_random(c->ah);
}

/* (Re)opens the clusters of the open store, recording the manifest's identity first: a build
 * that lands between the stat and the open is seen again at the next request. */
static void clusters_refresh(cw_chain_ctx *c)
{
    cw_clusters_close(c->cl);
    c->cl = NULL;
    c->cl_key = clusters_key(c);
    c->cl_rc = cw_clusters_open(&c->cl, c->cs);
    snprintf(c->cl_err, sizeof c->cl_err, "%s", c->cl_rc ? cw_error_last() : "");
    if (c->cl_rc)
        return;
    atomic_fetch_add(&c->cl_opens, 1);
    cw_clusters_advise_random(c->cl);
}

void cw_server__chain_refresh(cw_chain_ctx *c)
{
    struct stat st;
    if (!c || !c->store_dir)
        return;
    drain_watch(c);
    if (c->cs && !manifest_changed(c, &st) && !cw_server__chain_moved(c)) {
        struct cl_key k = clusters_key(c), h = addrhist_key(c);
        if (!clusters_key_eq(&k, &c->cl_key)) /* only the clusters were rebuilt */
            clusters_refresh(c);
        if (!clusters_key_eq(&h, &c->ah_key)) /* only the index was rebuilt */
            addrhist_refresh(c);
        return;
    }
    cw_addrhist_close(c->ah);
    c->ah = NULL;
    cw_clusters_close(c->cl);
    c->cl = NULL;
    cw_trace_labelmap_free(c->lm);
    c->lm = NULL;
    cw_chainstore_close(c->cs);
    c->cs = NULL;
    char mpath[PATH_MAX];
    snprintf(mpath, sizeof mpath, "%s/MANIFEST", c->store_dir);
    int rc = stat(mpath, &st) != 0
                 ? cw_error_set(CW_ENOTFOUND, "%s: not a chain store", c->store_dir)
                 : cw_chainstore_open(&c->cs, c->store_dir, false, CW_NET_MAIN);
    c->open_rc = rc;
    snprintf(c->open_err, sizeof c->open_err, "%s", rc ? cw_error_last() : "");
    if (rc)
        return;
    c->manifest_mtime = st.st_mtim;
    /* Requests are point lookups: a page fault reads its page, not a read-ahead window; and
     * until the warm-up has read the whole store, they ask for their pages in batches. */
    cw_chainstore_advise_random(c->cs);
    if (atomic_load(&c->warm_all))
        cw_chainstore_prefetch_stop(c->cs);
    /* The clusters' tip and the index's identity are checked against this store: reopened
     * with it. */
    clusters_refresh(c);
    addrhist_refresh(c);
    /* The label map of this store, built once: requests only read it. */
    if (c->labels && cw_trace_labelmap_new(&c->lm, c->cs, c->labels) != 0)
        c->lm = NULL;
}

bool cw_server__chain_moved(const cw_chain_ctx *c)
{
    if (!c || !c->cs || cw_chainstore_snapshot_check(c->cs) == 0)
        return false;
    cw_error_clear();
    return true;
}

uint64_t cw_server__chain_clusters_opens(const cw_chain_ctx *c)
{
    return c ? (uint64_t)atomic_load(&c->cl_opens) : 0;
}

/* The clusters of the current store, as the last refresh left them (borrowed: valid while the
 * chain lock is held). */
static int clusters_of(cw_chain_ctx *c, const cw_clusters **out)
{
    *out = c->cl;
    if (c->cl)
        return 0;
    return cw_error_set(c->cl_rc ? c->cl_rc : CW_ENOTFOUND, "%s",
                        c->cl_err[0] ? c->cl_err : "clusters not open");
}

void cw_server__chain_busy(cw_chain_ctx *c, int delta)
{
    if (!c)
        return;
    atomic_fetch_add_explicit(&c->busy, delta, memory_order_relaxed);
    atomic_store_explicit(&c->busy_at_us, (long long)(cw_now() * 1e6), memory_order_relaxed);
}

void cw_server__chain_touch(cw_chain_ctx *c)
{
    if (!c)
        return;
    long long now = (long long)(cw_now() * 1e6);
    /* at most one store a millisecond: the line stays shared between the request threads */
    if (now - atomic_load_explicit(&c->busy_at_us, memory_order_relaxed) > 1000)
        atomic_store_explicit(&c->busy_at_us, now, memory_order_relaxed);
}

/* The warm-up gives way to requests: while one runs, or one ran in the last 5 ms, it waits in
 * 1 ms steps before its next 1 MiB read, but for 10 ms at most, so that it still ends under
 * constant load (at 100 MB/s or more). Its reads, even at the idle I/O class, delayed cold
 * lookups: 200 lookups one after the other on the cold 10M-tx store took 2.3-3.6 s beside it,
 * 1.6-1.7 s without it. Any request counts (cw_server__chain_touch), not only the chain's: a
 * warm-up reading the page cache without a pause holds a core for whole time slices, a 4 ms
 * tick at CONFIG_HZ=250 for a request thread woken behind it (the cheap GET's p99, stop 11). */
static void warm_give_way(cw_chain_ctx *c)
{
    for (int waited = 0; waited < 10; waited++) {
        if (atomic_load_explicit(&c->busy, memory_order_relaxed) <= 0 &&
            (long long)(cw_now() * 1e6) -
                    atomic_load_explicit(&c->busy_at_us, memory_order_relaxed) >
                5000)
            return;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
}

/* One warm-up: its context and the bytes to read (cw_chainstore_warm sets it first). */
struct warm_run {
    cw_chain_ctx *c;
    uint64_t total;
};

static bool warm_go_on(void *arg, uint64_t done)
{
    struct warm_run *w = arg;
    cw_chain_ctx *c = w->c;
    warm_give_way(c);
    pthread_mutex_lock(&c->warm_lock);
    bool go = !c->warm_stop;
    c->warm_bytes = done; /* progress, for chain/status */
    c->warm_total = w->total;
    pthread_mutex_unlock(&c->warm_lock);
    return go;
}

/* The calling thread's disk reads wait for everyone else's (Linux: the idle I/O class, which
 * mq-deadline, BFQ and CFQ honour: its requests go to the device only while no other request
 * is queued or in flight). A hint: false when the kernel refused it. */
static bool io_idle(void)
{
#ifdef SYS_ioprio_set
    enum { WHO_PROCESS = 1, CLASS_IDLE = 3, CLASS_SHIFT = 13 }; /* <linux/ioprio.h> */
    return syscall(SYS_ioprio_set, WHO_PROCESS, (int)syscall(SYS_gettid),
                   CLASS_IDLE << CLASS_SHIFT) == 0;
#else
    return false;
#endif
}

static void *warm_main(void *arg)
{
    cw_chain_ctx *c = arg;
    /* Batch work beside the request threads (Linux: a per-thread nice value and I/O class). */
    errno = 0;
    int nice_now = getpriority(PRIO_PROCESS, 0);
    if (errno == 0)
        (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice_now + 10);
    (void)io_idle();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* At most half the machine's memory: the page cache is shared with everything else. */
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    uint64_t budget = pages > 0 && psize > 0 ? (uint64_t)pages * (uint64_t)psize / 2 : 0;
    uint64_t bytes = 0;
    struct warm_run w = {c, 0};
    /* The address-history index, when one is built, right after the lookups' constant part
     * (its lookups read the index, not the output links, which then come last): a cold server
     * answered its first lookups with the index read a page at a time, 4.4 GB of store ahead of
     * it in the warm-up (stop 14). Its cards first: a lookup reads them with the address rows. */
    char ix[CW_ADDRHIST_FILES_MAX][CW_ADDRHIST_PATH_MAX];
    const char *ix_paths[CW_ADDRHIST_FILES_MAX] = {ix[0], ix[1], ix[2]};
    size_t n_ix = cw_addrhist_files(c->store_dir, ix);
    int rc =
        cw_chainstore_warm(c->store_dir, ix_paths, n_ix, budget, warm_go_on, &w, &bytes, &w.total);
    uint64_t total = w.total;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    pthread_mutex_lock(&c->warm_lock);
    c->warm_done = true;
    c->warm_bytes = bytes;
    c->warm_total = total;
    c->warm_seconds = secs;
    bool stopped = c->warm_stop;
    pthread_mutex_unlock(&c->warm_lock);
    /* the next chain request stops the prefetch hints of its handle (cw_server__chain_api) */
    atomic_store(&c->warm_all, rc == 0 && !stopped && bytes >= total);
    if (rc)
        fprintf(stderr, "chainwatch serve: warming the store: %s\n", cw_error_last());
    else if (!stopped)
        fprintf(stderr,
                "chainwatch serve: store warm: %.1f of %.1f MB in the page cache in %.1f s%s\n",
                (double)bytes / 1e6, (double)total / 1e6, secs,
                bytes < total ? " (the rest is over half the memory)" : "");
    return NULL;
}

void cw_server__chain_warm(cw_chain_ctx *c)
{
    if (!c || !c->store_dir || c->warm_started)
        return;
    cw_server__chain_refresh(c);
    if (!c->cs) /* nothing to warm yet; lookups report the open error */
        return;
    if (pthread_create(&c->warm_thread, NULL, warm_main, c) == 0)
        c->warm_started = true;
}

/* The warm-up's figures for chain/status. */
static json_t *warm_json(cw_chain_ctx *c)
{
    pthread_mutex_lock(&c->warm_lock);
    json_t *j = json_pack("{s:s, s:I, s:I}", "state",
                          !c->warm_started ? "off"
                          : c->warm_done   ? "done"
                                           : "warming",
                          "bytes", (json_int_t)c->warm_bytes, "of", (json_int_t)c->warm_total);
    if (c->warm_done)
        json_object_set_new(j, "seconds", json_real(c->warm_seconds));
    pthread_mutex_unlock(&c->warm_lock);
    return j;
}

/* The clusters the lookups use, for chain/status: the txs they cover (the store may have
 * grown since `cluster build`), or why there are none. */
static json_t *clusters_json(const cw_chain_ctx *c)
{
    if (!c->cl)
        return json_pack("{s:s, s:s}", "state", c->cl_rc == CW_ENOTFOUND ? "not built" : "error",
                         "error", c->cl_err);
    return json_pack("{s:s, s:I, s:I, s:I}", "state", "open", "txs",
                     (json_int_t)cw_clusters_txs(c->cl), "addresses",
                     (json_int_t)cw_clusters_addrs(c->cl), "clusters",
                     (json_int_t)cw_clusters_count(c->cl));
}

/* The address-history index the lookups use, for chain/status: the outputs it covers (the
 * lookups walk the newer ones), whether it has cards (an older build's has none), or why there
 * is none. */
static json_t *addrhist_json(const cw_chain_ctx *c)
{
    if (!c->ah)
        return json_pack("{s:s, s:s}", "state", c->ah_rc == CW_ENOTFOUND ? "not built" : "error",
                         "error", c->ah_err);
    return json_pack("{s:s, s:I, s:I, s:b}", "state", "open", "outputs",
                     (json_int_t)cw_addrhist_outs(c->ah), "addresses",
                     (json_int_t)cw_addrhist_addrs(c->ah), "cards", cw_addrhist_has_cards(c->ah));
}

/* The current store, as the last refresh left it. */
static int store_of(cw_chain_ctx *c, cw_chainstore **out)
{
    if (!c->store_dir)
        return cw_error_set(CW_ENOTFOUND, "this node serves no chain store (serve --store DIR)");
    if (!c->cs)
        return cw_error_set(c->open_rc ? c->open_rc : CW_ENOTFOUND, "%s",
                            c->open_err[0] ? c->open_err : "chain store not open");
    *out = c->cs;
    return 0;
}

static const cw_trace_labelmap *labelmap_of(cw_chain_ctx *c)
{
    return c->lm;
}

static uint64_t arg_u64(cw_req *q, const char *name, uint64_t dflt, bool *bad)
{
    const char *v = cw_server__arg(q, name);
    uint64_t x;
    if (!v || !*v)
        return dflt;
    if (cw_parse_u64(&x, v)) {
        *bad = true;
        return dflt;
    }
    return x;
}

static json_t *labels_json(cw_chain_ctx *c, const cw_chainstore *cs, uint32_t addr)
{
    const cw_trace_labelmap *lm = labelmap_of(c);
    const char *entity, *category;
    if (lm && cw_trace_labelmap_get(lm, addr, &entity, &category))
        return json_pack("{s:s, s:s}", "entity", entity, "category", category);
    (void)cs;
    return json_null();
}

/* Label records with their provenance (which list, source, import file and date, place in
 * the file), from the label store: for an address (lookup) or a search box (search). */
static int label_cb(const cw_label *l, void *payload)
{
    json_t *o =
        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:s}", "id",
                  (json_int_t)l->id, "subject_kind", cw_label_subject_kind_name(l->subject_kind),
                  "asset", l->asset, "subject", l->subject, "entity", l->entity, "entity_ref",
                  l->entity_ref, "entity_type", l->entity_type, "category", l->category, "source",
                  l->source, "date", l->date, "confidence", l->confidence, "programs", l->programs);
    return o && !json_array_append_new((json_t *)payload, o) ? 0 : CW_ENOMEM;
}

static int provenance_cb(const cw_label_provenance *p, void *payload)
{
    json_t *o =
        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "run_id", (json_int_t)p->run_id, "kind",
                  p->kind, "file", p->file, "file_sha256", p->file_sha256, "content_sha256",
                  p->content_sha256, "imported_at", p->imported_at, "location", p->location);
    return o && !json_array_append_new((json_t *)payload, o) ? 0 : CW_ENOMEM;
}

/* addr: the labels of this address; else search: the labels a search box finds. */
static int label_records(cw_chain_ctx *c, const char *addr, const char *search, int64_t limit,
                         json_t **out)
{
    *out = json_array();
    if (!c->labels)
        return 0;
    /* requests run concurrently under the chain read lock: the label store's connection and
     * its cached statements take one request at a time */
    pthread_mutex_lock(&c->labels_lock);
    int rc = addr ? cw_labels_lookup(c->labels, NULL, addr, label_cb, *out)
                  : cw_labels_search(c->labels, search, limit, label_cb, *out);
    if (rc == CW_EINVAL && addr) /* not an address the label store can key: no labels */
        rc = 0;
    size_t i;
    json_t *l;
    json_array_foreach(*out, i, l)
    {
        if (rc < 0)
            break;
        json_t *prov = json_array();
        rc = cw_labels_provenance_foreach(
            c->labels, (int64_t)json_integer_value(json_object_get(l, "id")), provenance_cb, prov);
        json_object_set_new(l, "provenance", prov);
    }
    pthread_mutex_unlock(&c->labels_lock);
    if (rc < 0) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    return 0;
}

/* The cluster's own figures (its members' totals), kept apart from any one address's; a large
 * cluster's totals are summed once per clusters handle (cw_clusters_totals), which the chain
 * context reopens with every store commit and cluster build. */
static json_t *cluster_json(const cw_chainstore *cs, const cw_clusters *cl, uint32_t cid)
{
    uint64_t size = 0;
    (void)cw_clusters_members(cl, cid, &size);
    cw_addrs_sum sum;
    json_t *j = json_pack("{s:I, s:I}", "id", (json_int_t)cid, "size", (json_int_t)size);
    if (j && cw_clusters_totals(cl, cs, cid, &sum) == 0)
        json_object_set_new(j, "totals", cw_query_addrs_sum_json(cs, &sum));
    return j;
}

/* A jansson value (the parts of the address page that are not hot: label records, the
 * cluster) written into w as json_dumps would write it inside the whole answer. */
static void jw_tree(cw_json_writer *w, json_t *j)
{
    char *t = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    if (!t) {
        if (!w->rc)
            w->rc = cw_error_set(CW_ENOMEM, "out of memory");
        return;
    }
    cw_jw_raw(w, t, strlen(t));
    free(t);
}

/* A tx's members: txid, height, time (a tx reference, and the start of a history entry). */
static void jw_tx_members(cw_json_writer *w, const cw_addr_page_tx *t)
{
    char txid[65];
    cw_hex_encode_rev(txid, t->txid, 32);
    cw_jw_key(w, "txid");
    cw_jw_string(w, txid);
    cw_jw_key(w, "height");
    cw_jw_int(w, t->height);
    cw_jw_key(w, "time");
    cw_jw_int(w, t->time);
}

static void jw_tx_ref(cw_json_writer *w, const cw_addr_page_tx *t)
{
    cw_jw_object(w);
    jw_tx_members(w, t);
    cw_jw_end_object(w);
}

static void jw_seen(cw_json_writer *w, const char *key, const cw_addr_page_seen *s)
{
    cw_jw_key(w, key);
    cw_jw_object(w);
    cw_jw_key(w, "height");
    cw_jw_int(w, s->height);
    cw_jw_key(w, "time");
    cw_jw_int(w, s->time);
    cw_jw_end_object(w);
}

/* The address page written as it is read, no tree: the same bytes as the tree form
 * (cw_server__chain_address_tree) serialised by json_dumps, with two allocations for the
 * page's rows instead of a few per value (the lookup's JSON was a quarter of its CPU). */
static int address_write(cw_chain_ctx *c, const cw_chainstore *cs, const char *addr, uint64_t off,
                         uint64_t lim, cw_buf *out)
{
    cw_addr_page p;
    int rc = cw_query_address_page_ix(&p, cs, c->ah, addr, off, lim);
    if (rc)
        return rc;
    const cw_row_addrsum *sum = &p.sum;
    cw_json_writer jw, *w = &jw;
    cw_jw_init(w, out);
    /* about 230 bytes per history entry and 90 per tx: one allocation for most pages */
    if ((rc = cw_buf_reserve(out, 1024 + 230 * p.n_hist + 90 * p.n_txs))) {
        cw_query_address_page_free(&p);
        return rc;
    }
    cw_jw_object(w);
    cw_jw_key(w, "address");
    cw_jw_string(w, p.address);
    cw_jw_key(w, "id");
    cw_jw_int(w, (int64_t)p.id);
    cw_jw_key(w, "received");
    cw_jw_int(w, (int64_t)sum->received);
    cw_jw_key(w, "sent");
    cw_jw_int(w, (int64_t)sum->sent);
    cw_jw_key(w, "balance");
    cw_jw_int(w, (int64_t)(sum->received - sum->sent));
    cw_jw_key(w, "outputs");
    cw_jw_int(w, (int64_t)sum->n_out);
    cw_jw_key(w, "unspent_outputs");
    cw_jw_int(w, (int64_t)(sum->n_out - sum->n_spent));
    cw_jw_key(w, "tx_count");
    cw_jw_int(w, (int64_t)sum->n_tx);
    cw_jw_key(w, "txs");
    cw_jw_array(w);
    for (uint64_t k = 0; k < p.n_txs; k++)
        jw_tx_ref(w, &p.txs[k]);
    cw_jw_end_array(w);
    cw_jw_key(w, "history");
    cw_jw_array(w);
    for (uint64_t k = 0; k < p.n_hist; k++) {
        const cw_addr_page_out *e = &p.hist[k];
        cw_jw_object(w);
        jw_tx_members(w, &p.txs[e->paid]);
        cw_jw_key(w, "vout");
        cw_jw_int(w, (int64_t)e->vout);
        cw_jw_key(w, "value");
        cw_jw_int(w, (int64_t)e->value);
        cw_jw_key(w, "spent_by");
        if (e->spent != UINT32_MAX)
            jw_tx_ref(w, &p.txs[e->spent]);
        else
            cw_jw_null(w);
        cw_jw_end_object(w);
    }
    cw_jw_end_array(w);
    cw_jw_key(w, "offset");
    cw_jw_int(w, (int64_t)p.offset);
    cw_jw_key(w, "limit");
    cw_jw_int(w, (int64_t)p.limit);
    cw_jw_key(w, "more");
    cw_jw_bool(w, p.more);
    cw_jw_key(w, "paged_by");
    cw_jw_string(w, CW_QUERY_ADDRESS_PAGED_BY);
    if (p.seen) {
        jw_seen(w, "first_seen", &p.first_seen);
        jw_seen(w, "last_seen", &p.last_seen);
    }
    const cw_trace_labelmap *lm = labelmap_of(c);
    if (cw_chainstore_synthetic(cs)) { /* as cw_query_address: only for a generated world */
        cw_jw_key(w, "synthetic");
        cw_jw_bool(w, true);
    }
    const char *entity, *category;
    cw_jw_key(w, "label");
    if (lm && cw_trace_labelmap_get(lm, (uint32_t)p.id, &entity, &category)) {
        cw_jw_object(w);
        cw_jw_key(w, "entity");
        cw_jw_string(w, entity);
        cw_jw_key(w, "category");
        cw_jw_string(w, category);
        cw_jw_end_object(w);
    } else {
        cw_jw_null(w);
    }
    cw_jw_key(w, "labels");
    if (!c->labels) {
        cw_jw_array(w);
        cw_jw_end_array(w);
    } else {
        json_t *recs = NULL;
        if ((rc = label_records(c, p.address, NULL, 0, &recs)) == 0)
            jw_tree(w, recs);
        json_decref(recs);
    }
    const cw_clusters *cl = c->cl; /* none built (or reorganised away): no cluster */
    uint32_t cid = !rc && cl ? cw_clusters_of(cl, (uint32_t)p.id) : CW_NONE32;
    if (cid != CW_NONE32) {
        json_t *cj = cluster_json(cs, cl, cid);
        cw_jw_key(w, "cluster");
        jw_tree(w, cj);
        json_decref(cj);
    }
    cw_jw_end_object(w);
    cw_query_address_page_free(&p);
    return rc ? rc : w->rc;
}

/* The address page as a jansson tree, as the route built it before stop 13. */
static int address_tree(cw_chain_ctx *c, const cw_chainstore *cs, const char *addr, uint64_t off,
                        uint64_t lim, json_t **out)
{
    json_t *j = NULL;
    int rc = cw_query_address(&j, cs, addr, off, lim);
    if (!rc) {
        uint32_t id = (uint32_t)json_integer_value(json_object_get(j, "id"));
        json_object_set_new(j, "label", labels_json(c, cs, id));
        json_t *recs = NULL;
        if ((rc = label_records(c, json_string_value(json_object_get(j, "address")), NULL, 0,
                                &recs)) == 0)
            json_object_set_new(j, "labels", recs);
        const cw_clusters *cl = c->cl; /* none built (or reorganised away): no cluster */
        if (!rc && cl) {
            uint32_t cid = cw_clusters_of(cl, id);
            if (cid != CW_NONE32)
                json_object_set_new(j, "cluster", cluster_json(cs, cl, cid));
        }
    }
    if (rc) {
        json_decref(j);
        j = NULL;
    }
    *out = j;
    return rc;
}

int cw_server__chain_address(cw_chain_ctx *c, const char *addr, uint64_t off, uint64_t lim,
                             cw_buf *out)
{
    cw_chainstore *cs = NULL;
    int rc = store_of(c, &cs);
    return rc ? rc : address_write(c, cs, addr, off, lim, out);
}

int cw_server__chain_address_tree(cw_chain_ctx *c, const char *addr, uint64_t off, uint64_t lim,
                                  json_t **out)
{
    cw_chainstore *cs = NULL;
    int rc = store_of(c, &cs);
    *out = NULL;
    return rc ? rc : address_tree(c, cs, addr, off, lim, out);
}

/* evm=1: the document of `chainwatch trace --evm-store CHAIN=DIR` (xchain_btcevm.h) on the
 * node's EVM store and its labels, under "evm_continuations"; its "store" is the store's
 * directory name, not its path. Under the chain lock held for writing (server.c). */
static int continue_evm(cw_server *sv, json_t *j, const cw_chainstore *cs, const cw_trace *t,
                        const cw_trace_opts *o, const cw_trace_labelmap *lm, size_t top,
                        size_t graph)
{
    const cw_evmstore *d;
    cw_labels *db;
    const char *dir;
    int rc = cw_server__evm_get(sv->evm, &d, &db, &dir);
    if (rc)
        return rc;
    cw_xchain_btcevm_report_opts xo;
    cw_xchain_btcevm_report_opts_init(&xo, o, lm, top, graph);
    const char *base = strrchr(dir, '/');
    json_t *conts = json_array();
    json_object_set_new(j, "evm_continuations", conts);
    return cw_xchain_btcevm_report(conts, cs, t, db, d, cw_evmstore_chain(d)->name,
                                   base && base[1] ? base + 1 : dir, &xo);
}

static void do_trace(cw_server *sv, cw_chain_ctx *c, cw_chainstore *cs, cw_req *q, cw_resp *r)
{
    cw_trace_opts o;
    cw_trace_opts_init(&o);
    bool bad = false;
    const char *from = cw_server__arg(q, "from");
    const char *model = cw_server__arg(q, "model");
    const char *dir = cw_server__arg(q, "direction");
    const char *stop = cw_server__arg(q, "stop_at");
    if (!from || !*from) {
        cw_server__error(r, 400, "Bad request",
                         "from= is required (txid:vout, txid, address or label:NAME)");
        return;
    }
    if (model && cw_trace_model_parse(&o.model, model)) {
        cw_server__fail(r, CW_EINVAL);
        return;
    }
    /* CoinJoins as `chainwatch trace` and the rules treat them: ranked under FIFO by default */
    const char *cj = cw_server__arg(q, "coinjoin");
    if (cj) {
        if (cw_trace_coinjoin_parse(&o.coinjoin, cj)) {
            cw_server__fail(r, CW_EINVAL);
            return;
        }
    } else if (o.model == CW_TRACE_FIFO) {
        o.coinjoin = CW_CJ_RANK;
    }
    if (dir && !strcmp(dir, "backward"))
        o.direction = CW_TRACE_BACKWARD;
    else if (dir && strcmp(dir, "forward") != 0) {
        cw_server__error(r, 400, "Bad request", "direction must be forward or backward");
        return;
    }
    o.max_hops = (uint32_t)arg_u64(q, "max_hops", 0, &bad);
    o.min_value = arg_u64(q, "min_value", 1, &bad);
    uint64_t until = arg_u64(q, "until_height", UINT32_MAX, &bad);
    o.until_height = until > UINT32_MAX ? UINT32_MAX : (uint32_t)until;
    size_t top = (size_t)arg_u64(q, "top", 10, &bad);
    size_t graph = (size_t)arg_u64(q, "graph_limit", 2000, &bad);
    if (bad) {
        cw_server__error(r, 400, "Bad request", "a numeric parameter is not a number");
        return;
    }
    /* evm=1: the bridge exits continued into the node's EVM store, as trace --evm-store */
    const char *evm = cw_server__arg(q, "evm");
    if (evm && strcmp(evm, "0") != 0 && strcmp(evm, "1") != 0) {
        cw_server__error(r, 400, "Bad request", "evm must be 0 or 1");
        return;
    }
    bool cont = evm && !strcmp(evm, "1");
    if (cont && !sv->evm) {
        cw_server__error(r, 400, "Bad request",
                         "evm=1: this node serves no EVM store (serve --evm-store DIR)");
        return;
    }
    if (cont && o.direction != CW_TRACE_FORWARD) {
        cw_server__error(r, 400, "Bad request", "evm=1 continues a forward trace only");
        return;
    }
    const char *dust = cw_server__arg(q, "dust_rule"); /* as trace --dust-rule (default on) */
    if (dust && !strcmp(dust, "off"))
        o.dust_rule = false;
    else if (dust && strcmp(dust, "on") != 0) {
        cw_server__error(r, 400, "Bad request", "dust_rule must be on or off");
        return;
    }
    char *stops = NULL;
    if (!stop) {
        cw_trace_opts_default_stops(&o); /* custodial services and merchants, as the CLI */
    } else if (*stop) {
        stops = cw_arena_strndup(q->arena, stop, strlen(stop));
        char *save = NULL;
        for (char *p = strtok_r(stops, ",", &save); p && o.n_stop < CW_TRACE_MAX_STOP;
             p = strtok_r(NULL, ",", &save)) {
            if (!strcmp(p, "default")) {
                cw_trace_opts d;
                cw_trace_opts_default_stops(&d);
                for (size_t k = 0; k < d.n_stop && o.n_stop < CW_TRACE_MAX_STOP; k++)
                    o.stop[o.n_stop++] = d.stop[k];
            } else if (strcmp(p, "none") != 0) {
                o.stop[o.n_stop++] = p;
            }
        }
    }
    const cw_trace_labelmap *lm = labelmap_of(c);
    cw_trace_sources src = {0};
    cw_trace *t = NULL;
    /* from= may list several sources separated by commas (a case's stolen outputs) */
    char *froms = cw_arena_strndup(q->arena, from, strlen(from));
    char *fsave = NULL;
    int rc = 0;
    for (char *p = strtok_r(froms, ",", &fsave); p && !rc; p = strtok_r(NULL, ",", &fsave))
        rc = cw_trace_sources_add(&src, cs, lm, p, o.until_height);
    if (!rc && !src.n)
        rc = cw_error_set(CW_EINVAL, "from=: no source");
    if (!rc)
        rc = cw_trace_run(&t, cs, lm, src.outs, src.n, &o);
    if (!rc && !(r->body = cw_trace_json(t, top, graph)))
        rc = cw_error_set(CW_ENOMEM, "trace: out of memory");
    if (!rc)
        cw_xchain_btcevm_memo_note(r->body, cs);
    if (!rc && cont)
        rc = continue_evm(sv, r->body, cs, t, &o, lm, top, graph);
    if (rc) {
        json_decref(r->body);
        r->body = NULL;
        cw_server__fail(r, rc);
    } else {
        r->audit_detail = "trace";
    }
    cw_trace_free(t);
    cw_trace_sources_deinit(&src);
}

void cw_server__chain_api(cw_server *s, cw_req *q, char **segs, int n, cw_resp *r)
{
    cw_chain_ctx *c = s->chain;
    cw_chainstore *cs = NULL;
    if (strcmp(q->method, "GET") != 0) {
        cw_server__error(r, 405, "Method not allowed", NULL);
        return;
    }
    if (!c || !c->store_dir) {
        cw_server__error(r, 404, "Not found",
                         "no such resource (this node serves no chain store: "
                         "serve --store)");
        return;
    }
    int rc = store_of(c, &cs);
    if (rc) {
        cw_server__fail(r, rc);
        return;
    }
    const char *what = n >= 1 ? segs[0] : "";
    json_t *j = NULL;
    if (atomic_load_explicit(&c->warm_all, memory_order_relaxed))
        cw_chainstore_prefetch_stop(cs); /* the store is in memory: no hints needed */
    if (n == 1 && !strcmp(what, "status")) {
        cw_chainstore_counts k = cw_chainstore_counts_get(cs);
        j = json_pack(
            "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:b}", "network",
            cw_network_name(cw_chainstore_network(cs)), "blocks", (json_int_t)k.blocks,
            "tip_height", (json_int_t)(k.blocks ? cw_chainstore_base_height(cs) + k.blocks - 1 : 0),
            "txs", (json_int_t)k.txs, "inputs", (json_int_t)k.ins, "outputs", (json_int_t)k.outs,
            "addresses", (json_int_t)k.addrs, "labels", c->labels != NULL);
        json_object_set_new(j, "warm", warm_json(c));
        json_object_set_new(j, "prefetch", json_boolean(cw_chainstore_prefetching(cs)));
        json_object_set_new(j, "clusters", clusters_json(c));
        json_object_set_new(j, "address_index", addrhist_json(c));
        json_object_set_new(j, "synthetic", json_boolean(cw_chainstore_synthetic(cs)));
    } else if (n == 2 && !strcmp(what, "tx")) {
        rc = cw_query_tx(&j, cs, segs[1]);
        if (!rc)
            cw_patterns_annotate_tx(j, cs);
    } else if (n == 2 && !strcmp(what, "block")) {
        rc = cw_query_block(&j, cs, segs[1], 1);
    } else if (n == 2 && !strcmp(what, "address")) {
        bool bad = false;
        uint64_t off = arg_u64(q, "offset", 0, &bad), lim = arg_u64(q, "limit", 25, &bad);
        if (bad || lim > 1000) {
            cw_server__error(r, 400, "Bad request", "offset/limit: numbers, limit <= 1000");
            return;
        }
        cw_buf b = {0};
        if ((rc = address_write(c, cs, segs[1], off, lim, &b)) == 0) {
            r->status = 200;
            r->raw = (char *)b.data; /* malloc'd: libmicrohttpd frees it once sent */
            r->raw_len = b.len;
            return;
        }
        cw_buf_deinit(&b);
    } else if (n == 2 && !strcmp(what, "cluster")) {
        cw_addr_key k;
        uint64_t a;
        const cw_clusters *cl = NULL;
        bool bad = false;
        uint64_t lim = arg_u64(q, "limit", 100, &bad);
        if (bad || lim > 10000) {
            cw_server__error(r, 400, "Bad request", "limit: a number <= 10000");
            return;
        }
        /* cluster/ADDR, or cluster/id:N (a cluster id of the current build) */
        bool by_id = !strncmp(segs[1], "id:", 3);
        uint64_t want = 0;
        if (by_id && (cw_parse_u64(&want, segs[1] + 3) || want > UINT32_MAX)) {
            cw_server__error(r, 400, "Bad request", "cluster/id:N: N is a cluster id");
            return;
        }
        if (by_id ? (rc = clusters_of(c, &cl)) == 0 && want < cw_clusters_count(cl)
                  : (rc = cw_addr_decode(&k, segs[1], cw_chainstore_network(cs))) == 0 &&
                        (rc = cw_chainstore_find_addr(cs, &k, &a)) == 0 &&
                        (rc = clusters_of(c, &cl)) == 0) {
            uint64_t size = 0;
            uint32_t cid = by_id ? (uint32_t)want : cw_clusters_of(cl, (uint32_t)a);
            const uint32_t *m = cw_clusters_members(cl, cid, &size);
            json_t *members = json_array();
            char s2[CW_ADDR_STR_MAX];
            for (uint64_t i = 0; i < size && i < lim; i++) {
                cw_query_addr_string(s2, cs, m[i]);
                json_t *e = json_pack("{s:s}", "address", s2);
                json_object_set_new(e, "label", labels_json(c, cs, m[i]));
                json_array_append_new(members, e);
            }
            j = json_pack("{s:s, s:I, s:I, s:o}", "address", by_id ? "" : segs[1], "cluster",
                          (json_int_t)cid, "size", (json_int_t)size, "members", members);
            json_t *own = cluster_json(cs, cl, cid);
            json_object_set(j, "totals", json_object_get(own, "totals"));
            json_decref(own);
            json_object_set_new(j, "more", json_boolean(size > lim));
        } else if (by_id && !rc) {
            rc = cw_error_set(CW_ENOTFOUND, "no cluster %llu (the clusters number %llu)",
                              (unsigned long long)want, (unsigned long long)cw_clusters_count(cl));
        } else if (rc == CW_ENOTFOUND && !cl) {
            rc = cw_error_set(CW_ENOTFOUND,
                              "%s: unknown address, or clusters not built "
                              "(chainwatch cluster build)",
                              segs[1]);
        }
    } else if (n == 2 && !strcmp(what, "screen")) {
        cw_screen_opts o;
        cw_screen_opts_init(&o);
        bool bad = false;
        o.hops = (uint32_t)arg_u64(q, "hops", o.hops, &bad);
        const char *pd = cw_server__arg(q, "per_deposit");
        if (pd && !strcmp(pd, "0"))
            pd = "off";
        else if (pd && !strcmp(pd, "1"))
            pd = "all";
        if (pd && cw_screen_per_deposit_parse(&o.per_deposit, pd))
            bad = true;
        o.min_deposit = arg_u64(q, "min_deposit", o.min_deposit, &bad);
        uint64_t rounds = arg_u64(q, "mix_rounds", o.mix_rounds, &bad);
        o.mix_rounds = rounds > UINT32_MAX ? UINT32_MAX : (uint32_t)rounds;
        if (bad || o.hops > 20) {
            cw_server__error(r, 400, "Bad request",
                             "hops: a number <= 20; per_deposit: certain, all (1) or off (0); "
                             "min_deposit: satoshis; "
                             "mix_rounds: a number (0: off)");
            return;
        }
        cw_screen_result *sr = NULL;
        rc = strchr(segs[1], ':') ? cw_screen_output(&sr, cs, labelmap_of(c), segs[1], &o)
                                  : cw_screen_address(&sr, cs, labelmap_of(c), segs[1], &o);
        if (!rc)
            j = cw_screen_json(sr, 5);
        cw_screen_result_free(sr);
    } else if (n == 1 && !strcmp(what, "labels")) {
        const char *text = cw_server__arg(q, "q");
        /* the search box's prefixes (search?q=label:TEXT) name what to look for */
        if (text && !strncasecmp(text, "label:", 6))
            text += 6;
        else if (text && !strncasecmp(text, "entity:", 7))
            text += 7;
        bool bad = false;
        uint64_t lim = arg_u64(q, "limit", 200, &bad);
        if (!text || !*text || bad || lim == 0 || lim > 10000) {
            cw_server__error(r, 400, "Bad request", "q= is required; limit: 1..10000");
            return;
        }
        if (!c->labels) {
            cw_server__error(r, 404, "Not found",
                             "this node serves no label store (serve --labels)");
            return;
        }
        json_t *recs = NULL;
        if ((rc = label_records(c, NULL, text, (int64_t)lim + 1, &recs)) == 0) {
            bool more = json_array_size(recs) > lim;
            if (more)
                json_array_remove(recs, json_array_size(recs) - 1);
            j = json_pack("{s:s, s:o, s:b}", "query", text, "labels", recs, "more", more);
        }
    } else if (n == 1 && !strcmp(what, "trace")) {
        do_trace(s, c, cs, q, r);
        return;
    } else {
        cw_server__error(r, 404, "Not found",
                         "chain routes: status, tx/ID, block/ID, address/A, "
                         "cluster/A, cluster/id:N, labels?q=, screen/A, trace?from=");
        return;
    }
    if (rc) {
        json_decref(j);
        cw_server__fail(r, rc);
        return;
    }
    r->body = j;
}
