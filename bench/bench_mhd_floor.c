/*
 * bench_mhd_floor.c: the floor under the server's cheap GET (issue 15). A libmicrohttpd daemon
 * started with the options `chainwatch serve` uses (internal epoll thread pool, 16 KiB
 * connection memory, 1,024 connections, 128 per address, 30 s idle timeout) whose handler
 * answers every request with a fixed 139-byte JSON body and the same four response headers as
 * the TAXII discovery document, on the access handler's second call as the server does. No
 * database, no key check, no audit: what wrk measures against it is libmicrohttpd, loopback TCP
 * and the scheduler. bench/server-floor.sh runs it beside the real server.
 *
 * usage: bench_mhd_floor THREADS READY_FILE   (listens on 127.0.0.1, a free port; writes
 *        HOST:PORT to READY_FILE once it listens; runs until SIGINT/SIGTERM)
 * BENCH_FLOOR_SPIN_NS=N makes the handler burn N ns of its thread's CPU per request: a floor
 * as dear as the server's request path, to tell CPU per request from anything the server
 * does besides (bench/server-floor.sh). BENCH_FLOOR_SUSPEND=1 adds serve's
 * MHD_ALLOW_SUSPEND_RESUME.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char body[] = "{\"title\":\"chainwatch node USA\",\"description\":\"TAXII 2.1 server "
                           "of a chainwatch node\",\"default\":\"/taxii2/api/\",\"api_roots\":"
                           "[\"/taxii2/api/\"]}";

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)url;
    (void)method;
    (void)version;
    (void)upload;
    static int started;
    if (!*con_cls) { /* headers seen: answer on the next call, as the server does */
        *con_cls = &started;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    long spin = *(const long *)cls;
    if (spin > 0) {
        struct timespec t0, t;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
        do
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < spin);
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(
        sizeof body - 1, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/taxii+json;version=2.1");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

int main(int argc, char **argv)
{
    char *end = NULL;
    unsigned long threads = argc == 3 ? strtoul(argv[1], &end, 10) : 0;
    if (argc != 3 || !end || *end || threads < 1 || threads > 64) {
        fprintf(stderr, "usage: bench_mhd_floor THREADS(1-64) READY_FILE\n");
        return 2;
    }
    const char *sp = getenv("BENCH_FLOOR_SPIN_NS");
    long spin = sp ? strtol(sp, NULL, 10) : 0;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* the daemon's threads inherit the mask */
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (getenv("BENCH_FLOOR_SUSPEND")) /* serve's flag (its writes suspend the connection) */
        flags |= MHD_ALLOW_SUSPEND_RESUME;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &spin, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
        MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_PER_IP_CONNECTION_LIMIT, 128u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench_mhd_floor: cannot start libmicrohttpd\n");
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    FILE *f = fopen(argv[2], "w");
    if (!f || !info || fprintf(f, "127.0.0.1:%u\n", (unsigned)info->port) < 0 || fclose(f)) {
        fprintf(stderr, "bench_mhd_floor: cannot write %s\n", argv[2]);
        MHD_stop_daemon(d);
        return 1;
    }
    int sig = 0;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    return 0;
}
