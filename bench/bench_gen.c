/*
 * bench_gen.c: world-generation speed (tx/s, MB/s of block files) for a 1M-transaction world
 * with the built-in demo heist, in wall-clock and in CPU time (the machine is shared, so CPU
 * time is the figure that compares across runs). Not a test: it prints figures.
 *
 * usage: bench_gen [TXS [DIR [THREADS]]]   (default 1000000 txs in a fresh folder under $TMPDIR
 *                                 or /tmp, removed afterwards unless DIR is given; "-" as DIR
 *                                 means that default). Without THREADS it runs the world twice,
 *                                 with 1 and with 2 threads (into DIR/threads-1 and
 *                                 DIR/threads-2), and prints both (the bytes are identical; only
 *                                 the speed differs).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/util.h"

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        cw_buf p = {0};
        if (cw_buf_printf(&p, "%s/%s", dir, e->d_name) == 0 && unlink((const char *)p.data) != 0)
            rm_dir((const char *)p.data);
        cw_buf_deinit(&p);
    }
    closedir(d);
    rmdir(dir);
}

static int run_once(uint64_t txs, const char *dir, unsigned threads)
{
    cw_gen_opts o;
    memset(&o, 0, sizeof o);
    o.out_dir = dir;
    o.txs = txs;
    o.seed = 1;
    o.net = CW_NET_REGTEST;
    o.threads = threads;
    cw_gen_stats st;
    double c0 = cpu_seconds();
    int rc = cw_gen_run(&o, &st);
    double cpu = cpu_seconds() - c0;
    if (rc != 0) {
        fprintf(stderr, "bench_gen: %s\n", cw_error_last());
        return 1;
    }
    printf("gen (%u thread%s): %llu txs, %llu blocks, %llu inputs, %llu outputs, %llu "
           "addresses\n",
           threads, threads == 1 ? "" : "s", (unsigned long long)st.txs,
           (unsigned long long)st.blocks, (unsigned long long)st.inputs,
           (unsigned long long)st.outputs, (unsigned long long)st.addresses);
    printf("gen (%u thread%s): %.1f MB of blk files in %llu files (%.0f bytes/tx)\n", threads,
           threads == 1 ? "" : "s", (double)st.bytes / 1e6, (unsigned long long)st.files,
           (double)st.bytes / (double)st.txs);
    printf("gen (%u thread%s): wall %.2f s: %.0f tx/s, %.1f MB/s\n", threads,
           threads == 1 ? "" : "s", st.seconds, (double)st.txs / st.seconds,
           (double)st.bytes / st.seconds / 1e6);
    printf("gen (%u thread%s): cpu  %.2f s: %.0f tx/s, %.1f MB/s (user+sys of this process)\n",
           threads, threads == 1 ? "" : "s", cpu, (double)st.txs / cpu,
           (double)st.bytes / cpu / 1e6);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t txs = 1000000;
    uint64_t threads = 0;
    if ((argc > 1 && cw_parse_u64(&txs, argv[1]) != 0) ||
        (argc > 3 && (cw_parse_u64(&threads, argv[3]) != 0 || threads < 1 || threads > 64))) {
        fprintf(stderr, "usage: bench_gen [TXS [DIR [THREADS]]]\n");
        return 2;
    }
    char tmpl[512];
    const char *dir = argc > 2 && strcmp(argv[2], "-") != 0 ? argv[2] : NULL;
    bool keep = dir != NULL;
    if (!dir) {
        const char *t = getenv("TMPDIR");
        snprintf(tmpl, sizeof tmpl, "%s/cw-bench-gen.XXXXXX", t ? t : "/tmp");
        dir = mkdtemp(tmpl);
        if (!dir) {
            perror("mkdtemp");
            return 1;
        }
    }
    int rc = 0;
    /* each run writes a fresh world in DIR/threads-N (removed afterwards unless DIR was
     * given), so no run pays for deleting the previous one's files */
    for (unsigned t = threads ? (unsigned)threads : 1; rc == 0 && t <= (threads ? threads : 2);
         t++) {
        cw_buf sub = {0};
        if (cw_buf_printf(&sub, "%s/threads-%u", dir, t) != 0) {
            rc = 1;
            break;
        }
        rc = run_once(txs, (const char *)sub.data, t);
        if (!keep)
            rm_dir((const char *)sub.data);
        cw_buf_deinit(&sub);
    }
    if (!keep)
        rm_dir(dir);
    return rc;
}
