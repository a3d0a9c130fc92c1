/* test_concurrency.c: many clients at once against one server (4 worker threads): 8 reader
 * threads page through the TAXII collection and list alerts while 2 writer threads POST
 * objects and acknowledge alerts, and a third hammers it with bad keys. Every answer is
 * checked (status, and that each page is well-formed and TLP-filtered), then the store: every
 * POSTed object present once, each alert's status moved, the audit chain intact with one
 * http.write per write request. Run under ThreadSanitizer with the `tsan` preset (docs/
 * SHARING.md, Threading); in the ASan build it checks the outcomes. */
#include <curl/curl.h>
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_count.h"
#include "chainwatch/errors.h"
#include "chainwatch/server.h"
#include "chainwatch/share.h"
#include "harness.h"
#include "http_call.h"

enum { READERS = 8, READS = 40, WRITERS = 2, POSTS = 6, PER_POST = 20, ALERTS = 12 };

typedef struct ctx {
    uint16_t port;
    const char *coll, *peer_key, *analyst_key;
} ctx;

typedef struct result {
    int bad_status, bad_body, done;
} result;

typedef struct reader_arg {
    const ctx *c;
    result r;
} reader_arg;

static void *reader(void *p)
{
    reader_arg *a = p;
    CURL *c = curl_easy_init();
    char url[512];
    for (int i = 0; i < READS; i++) {
        json_t *doc = NULL;
        if (i % 2) {
            snprintf(url, sizeof url,
                     "http://127.0.0.1:%u/taxii2/api/collections/%s/objects/?limit=7", a->c->port,
                     a->c->coll);
            long st = cw_test_http(c, "GET", url, a->c->peer_key, NULL, &doc);
            if (st != 200)
                a->r.bad_status++;
            json_t *objs = json_object_get(doc, "objects");
            if (!json_is_array(objs) || json_array_size(objs) > 7)
                a->r.bad_body++;
            size_t k;
            json_t *o;
            /* The peer (KOR) must never see the RED alerts' reports. */
            json_array_foreach(objs, k, o)
            {
                const char *name = json_string_value(json_object_get(o, "name"));
                if (name && strstr(name, "red alert"))
                    a->r.bad_body++;
            }
        } else {
            snprintf(url, sizeof url, "http://127.0.0.1:%u/taxii2/api/collections/%s/manifest/",
                     a->c->port, a->c->coll);
            if (cw_test_http(c, "GET", url, a->c->peer_key, NULL, &doc) != 200)
                a->r.bad_status++;
            if (!json_is_array(json_object_get(doc, "objects")))
                a->r.bad_body++;
        }
        json_decref(doc);
        a->r.done++;
    }
    curl_easy_cleanup(c);
    return NULL;
}

typedef struct writer_arg {
    const ctx *c;
    int w;
    result r;
} writer_arg;

static void *writer(void *p)
{
    writer_arg *a = p;
    CURL *c = curl_easy_init();
    char url[512];
    for (int i = 0; i < POSTS; i++) {
        cw_buf b = {0};
        cw_buf_printf(&b, "{\"objects\":[");
        for (int k = 0; k < PER_POST; k++) {
            char id[96];
            cw_stix_new_id(id, "indicator");
            cw_buf_printf(&b,
                          "%s{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\","
                          "\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:"
                          "00:00.000Z\",\"name\":\"w%d\",\"pattern\":\"[ipv4-addr:value = "
                          "'10.0.0.1']\",\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-01T00:"
                          "00:00Z\",\"object_marking_refs\":[\"marking-definition--94868c89-83c2-"
                          "464b-929b-a1a8aa3c8487\"]}",
                          k ? "," : "", id, a->w);
        }
        cw_buf_printf(&b, "]}");
        cw_buf_append(&b, "", 1);
        snprintf(url, sizeof url, "http://127.0.0.1:%u/taxii2/api/collections/%s/objects/",
                 a->c->port, a->c->coll);
        json_t *st = NULL;
        if (cw_test_http(c, "POST", url, a->c->analyst_key, (const char *)b.data, &st) != 202)
            a->r.bad_status++;
        if (json_integer_value(json_object_get(st, "success_count")) != PER_POST)
            a->r.bad_body++;
        json_decref(st);
        cw_buf_deinit(&b);
        /* And an alert moves: writer w acknowledges alerts w+1, w+1+WRITERS, ... */
        int id = a->w + 1 + i * WRITERS;
        if (id <= ALERTS) {
            snprintf(url, sizeof url, "http://127.0.0.1:%u/api/v1/alerts/%d/ack", a->c->port, id);
            if (cw_test_http(c, "POST", url, a->c->analyst_key, "{}", NULL) != 200)
                a->r.bad_status++;
        }
        a->r.done++;
    }
    curl_easy_cleanup(c);
    return NULL;
}

static void *intruder(void *p)
{
    reader_arg *a = p;
    CURL *c = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/taxii2/", a->c->port);
    for (int i = 0; i < 100; i++) {
        long st = cw_test_http(c, "GET", url, "cw_not-a-key", NULL, NULL);
        if (st != 401 && st != 429)
            a->r.bad_status++;
        a->r.done++;
    }
    curl_easy_cleanup(c);
    return NULL;
}

static void test_many_clients(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/conc.db", cw_test_tmpdir());
    REQUIRE(cw_node_init(path, "USA", NULL) == 0);
    cw_node *n = NULL;
    REQUIRE(cw_node_open(&n, path) == 0);
    char *peer = NULL, *analyst = NULL;
    REQUIRE(cw_keys_add(n, "kor", "KOR", CW_ROLE_PEER, &peer) == 0);
    REQUIRE(cw_keys_add(n, "ana", "USA", CW_ROLE_ANALYST, &analyst) == 0);
    cw_alert_input in;
    memset(&in, 0, sizeof in);
    in.kind = "sanctioned-address-active";
    for (int i = 0; i < ALERTS; i++) {
        in.tlp = i % 3 == 0 ? CW_TLP_RED : CW_TLP_GREEN;
        in.title = i % 3 == 0 ? "red alert" : "green alert";
        REQUIRE(cw_alert_emit(cw_node_alerts(n), &in, NULL, NULL) == 0);
    }
    char coll[64];
    snprintf(coll, sizeof coll, "%s", cw_node_collection_id(n));
    cw_node_close(n);
    cw_server_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.db_path = path;
    cfg.listen = "127.0.0.1:0";
    cfg.threads = 4;
    cw_server *s = NULL;
    REQUIRE(cw_server_start(&s, &cfg) == 0);
    ctx c = {cw_server_port(s), coll, peer, analyst};
    pthread_t rt[READERS], wt[WRITERS], it;
    reader_arg ra[READERS], ia = {&c, {0, 0, 0}};
    writer_arg wa[WRITERS];
    for (int i = 0; i < READERS; i++) {
        ra[i] = (reader_arg){&c, {0, 0, 0}};
        REQUIRE(pthread_create(&rt[i], NULL, reader, &ra[i]) == 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        wa[i] = (writer_arg){&c, i, {0, 0, 0}};
        REQUIRE(pthread_create(&wt[i], NULL, writer, &wa[i]) == 0);
    }
    REQUIRE(pthread_create(&it, NULL, intruder, &ia) == 0);
    for (int i = 0; i < READERS; i++)
        pthread_join(rt[i], NULL);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(wt[i], NULL);
    pthread_join(it, NULL);
    cw_server_stop(s);
    for (int i = 0; i < READERS; i++) {
        CHECK_EQ_INT(ra[i].r.done, READS);
        CHECK_EQ_INT(ra[i].r.bad_status, 0);
        CHECK_EQ_INT(ra[i].r.bad_body, 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        CHECK_EQ_INT(wa[i].r.done, POSTS);
        CHECK_EQ_INT(wa[i].r.bad_status, 0);
        CHECK_EQ_INT(wa[i].r.bad_body, 0);
    }
    CHECK_EQ_INT(ia.r.bad_status, 0);

    REQUIRE(cw_node_open(&n, path) == 0);
    cw_principal local = {"alice", "USA", CW_ROLE_READER};
    cw_taxii_query q;
    memset(&q, 0, sizeof q);
    q.match_type = "indicator";
    q.limit = 1000;
    cw_taxii_page pg;
    REQUIRE(cw_taxii_collection_query(n, &local, &q, true, &pg) == 0);
    int mine = 0;
    size_t k;
    json_t *o;
    json_array_foreach(pg.objects, k, o) mine++;
    json_decref(pg.objects);
    /* The alerts published indicators only for addresses (none here): all are POSTed ones. */
    CHECK_EQ_INT(mine, WRITERS * POSTS * PER_POST);
    json_t *acked = NULL;
    cw_alert_filter f;
    memset(&f, 0, sizeof f);
    f.status = "acknowledged";
    REQUIRE(cw_alert_list(cw_node_alerts(n), &f, &acked) == 0);
    json_t *list = json_is_array(acked) ? acked : json_object_get(acked, "alerts");
    CHECK_EQ_INT(json_array_size(list), ALERTS);
    json_decref(acked);
    json_t *writes = NULL;
    REQUIRE(cw_audit_list(n, 0, "http.write", &writes) == 0);
    CHECK_EQ_INT(json_array_size(writes), WRITERS * POSTS + ALERTS);
    json_decref(writes);
    json_t *reads = NULL;
    REQUIRE(cw_audit_list(n, 0, "http.read", &reads) == 0);
    CHECK_EQ_INT((int64_t)cw_test_audit_requests(reads), READERS * READS);
    json_decref(reads);
    CHECK_EQ_INT(cw_audit_verify(n, NULL, NULL), 0);
    cw_node_close(n);
    free(peer);
    free(analyst);
}

/* The server's request threads (libmicrohttpd names them MHD-worker): how many run on one
 * CPU only, how many of those share their CPU with another, and how many may run on all ncpu. */
static void worker_affinity(int ncpu, int *single, int *shared, int *full)
{
    *single = *shared = *full = 0;
    static int seen[CPU_SETSIZE];
    memset(seen, 0, sizeof seen);
    DIR *d = opendir("/proc/self/task");
    REQUIRE(d != NULL);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[300], comm[64] = "";
        snprintf(p, sizeof p, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(p, "r");
        if (!f)
            continue;
        if (!fgets(comm, sizeof comm, f))
            comm[0] = 0;
        fclose(f);
        cpu_set_t set;
        if (strncmp(comm, "MHD-worker", 10) ||
            sched_getaffinity((pid_t)strtol(e->d_name, NULL, 10), sizeof set, &set))
            continue;
        int n = CPU_COUNT(&set);
        if (n == ncpu)
            (*full)++;
        for (int c = 0; n == 1 && c < CPU_SETSIZE; c++)
            if (CPU_ISSET(c, &set)) {
                (*single)++;
                *shared += seen[c]++ > 0;
            }
    }
    closedir(d);
}

/* With as many request threads as CPUs, each thread that served a request runs on a CPU of its
 * own (two on one core wait for each other's time slice: the cheap GET's tail); with
 * cpu_pin -1, or another thread count, the scheduler places them. */
static void test_request_threads_pinned(void)
{
    cpu_set_t allowed;
    REQUIRE(sched_getaffinity(0, sizeof allowed, &allowed) == 0);
    int ncpu = CPU_COUNT(&allowed);
    if (ncpu < 2 || ncpu > 16) {
        fprintf(stderr, "  skipped: %d CPUs (spreading needs 2 to 16)\n", ncpu);
        return;
    }
    char path[600];
    snprintf(path, sizeof path, "%s/pin.db", cw_test_tmpdir());
    REQUIRE(cw_node_init(path, "USA", NULL) == 0);
    cw_node *n = NULL;
    REQUIRE(cw_node_open(&n, path) == 0);
    char *peer = NULL;
    REQUIRE(cw_keys_add(n, "kor", "KOR", CW_ROLE_PEER, &peer) == 0);
    cw_node_close(n);
    for (int run = 0; run < 3; run++) {
        cw_server_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.db_path = path;
        cfg.listen = "127.0.0.1:0";
        cfg.threads = (unsigned)ncpu + (run == 2); /* run 2: one thread more than CPUs */
        cfg.cpu_pin = run == 1 ? -1 : 0;
        cw_server *s = NULL;
        REQUIRE(cw_server_start(&s, &cfg) == 0);
        char url[128];
        snprintf(url, sizeof url, "http://127.0.0.1:%u/taxii2/", cw_server_port(s));
        int ok = 0;
        for (int i = 0; i < 16 * ncpu; i++) { /* a new connection each: they spread over threads */
            CURL *c = curl_easy_init();
            ok += cw_test_http(c, "GET", url, peer, NULL, NULL) == 200;
            curl_easy_cleanup(c);
        }
        CHECK_EQ_INT(ok, 16 * ncpu);
        int single, shared, full;
        worker_affinity(ncpu, &single, &shared, &full);
        fprintf(stderr,
                "  %u threads on %d CPUs, cpu_pin %d: %d on a CPU of their own, %d sharing one, %d "
                "free\n",
                cfg.threads, ncpu, cfg.cpu_pin, single, shared, full);
        if (run == 0) {
            CHECK(single >= 1);
            CHECK_EQ_INT(shared, 0);
            CHECK_EQ_INT(single + full, ncpu);
        } else {
            CHECK_EQ_INT(single, 0);
            CHECK_EQ_INT(full, (int)cfg.threads);
        }
        cw_server_stop(s);
    }
    free(peer);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    RUN(test_many_clients);
    RUN(test_request_threads_pinned);
    curl_global_cleanup();
    return cw_test_done();
}
