/* test_threads.c: serve's default request-thread count follows the CPUs the process may run
 * on (sched_getaffinity), not the machine's online cores (note12: a 4-CPU cpuset on a big host
 * got 16 unpinned threads):
 *  - cw_server__default_threads is 1 with the process limited to one CPU, 2 with two (when
 *    the machine has two), and the count of the CPUs allowed, at most 16, otherwise;
 *  - a server started with threads 0 under one CPU starts exactly one thread fewer than under
 *    two (counted in /proc/self/task: one request thread, plus the same writer and background
 *    threads), and answers a request;
 * Skipped (77) when the process cannot change its affinity. */
#include <curl/curl.h>
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/server.h"
#include "chainwatch/share.h"
#include "harness.h"
#include "http_call.h"
#include "server/internal.h"

static int tasks(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static int limit_to(int ncpu, const cpu_set_t *all)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    int k = 0;
    for (int c = 0; c < CPU_SETSIZE && k < ncpu; c++)
        if (CPU_ISSET(c, all)) {
            CPU_SET(c, &set);
            k++;
        }
    return k == ncpu ? sched_setaffinity(0, sizeof set, &set) : -1;
}

/* Threads the server adds when started with threads 0; -1 on failure. A GET answers 401
 * (no key): the server serves. */
static int started_threads(const char *db)
{
    cw_server_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.db_path = db;
    cfg.listen = "127.0.0.1:0";
    int before = tasks();
    cw_server *s = NULL;
    if (cw_server_start(&s, &cfg)) {
        fprintf(stderr, "start: %s\n", cw_error_last());
        return -1;
    }
    usleep(200 * 1000); /* every thread has started */
    int added = tasks() - before;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/taxii2/", (unsigned)cw_server_port(s));
    CURL *c = curl_easy_init();
    CHECK_EQ_INT(cw_test_http(c, "GET", url, "no-such-key", NULL, NULL), 401);
    curl_easy_cleanup(c);
    cw_server_stop(s);
    return added;
}

static void test_default_threads(void)
{
    cpu_set_t all;
    REQUIRE(sched_getaffinity(0, sizeof all, &all) == 0);
    int n = CPU_COUNT(&all);
    CHECK_EQ_INT(cw_server__default_threads(), n > 16 ? 16 : n);
    char db[1024];
    snprintf(db, sizeof db, "%s/node.db", cw_test_tmpdir());
    REQUIRE(cw_node_init(db, "USA", NULL) == 0);
    if (limit_to(1, &all))
        cw_test_skip("cannot set the process's CPU affinity");
    CHECK_EQ_INT(cw_server__default_threads(), 1);
    int one = started_threads(db);
    if (n >= 2) {
        REQUIRE(limit_to(2, &all) == 0);
        CHECK_EQ_INT(cw_server__default_threads(), 2);
        int two = started_threads(db);
        fprintf(stderr, "threads started: %d on one CPU, %d on two\n", one, two);
        CHECK(one > 0);
        CHECK_EQ_INT(two - one, 1);
    }
    REQUIRE(sched_setaffinity(0, sizeof all, &all) == 0);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    RUN(test_default_threads);
    curl_global_cleanup();
    return cw_test_done();
}
