/*
 * bench_gen.c: world-generation speed (tx/s, MB/s of block files) for a 1M-transaction world
 * with the built-in demo heist, in wall-clock and in CPU time (the machine is shared, so CPU
 * time is the figure that compares across runs). Not a test: it prints figures.
 *
 * usage: bench_gen [TXS [DIR]]   (default 1000000 txs in a fresh folder under $TMPDIR or /tmp,
 *                                 removed afterwards unless DIR is given)
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

int main(int argc, char **argv)
{
    uint64_t txs = 1000000;
    if (argc > 1 && cw_parse_u64(&txs, argv[1]) != 0) {
        fprintf(stderr, "usage: bench_gen [TXS [DIR]]\n");
        return 2;
    }
    char tmpl[512];
    const char *dir = argc > 2 ? argv[2] : NULL;
    if (!dir) {
        const char *t = getenv("TMPDIR");
        snprintf(tmpl, sizeof tmpl, "%s/cw-bench-gen.XXXXXX", t ? t : "/tmp");
        dir = mkdtemp(tmpl);
        if (!dir) {
            perror("mkdtemp");
            return 1;
        }
    }
    cw_gen_opts o;
    memset(&o, 0, sizeof o);
    o.out_dir = dir;
    o.txs = txs;
    o.seed = 1;
    o.net = CW_NET_REGTEST;
    cw_gen_stats st;
    double c0 = cpu_seconds();
    int rc = cw_gen_run(&o, &st);
    double cpu = cpu_seconds() - c0;
    if (rc != 0) {
        fprintf(stderr, "bench_gen: %s\n", cw_error_last());
        if (argc <= 2)
            rm_dir(dir);
        return 1;
    }
    printf("gen: %llu txs, %llu blocks, %llu inputs, %llu outputs, %llu addresses\n",
           (unsigned long long)st.txs, (unsigned long long)st.blocks, (unsigned long long)st.inputs,
           (unsigned long long)st.outputs, (unsigned long long)st.addresses);
    printf("gen: %.1f MB of blk files in %llu files (%.0f bytes/tx)\n", (double)st.bytes / 1e6,
           (unsigned long long)st.files, (double)st.bytes / (double)st.txs);
    printf("gen: wall %.2f s: %.0f tx/s, %.1f MB/s\n", st.seconds, (double)st.txs / st.seconds,
           (double)st.bytes / st.seconds / 1e6);
    printf("gen: cpu  %.2f s: %.0f tx/s, %.1f MB/s (user+sys of this process)\n", cpu,
           (double)st.txs / cpu, (double)st.bytes / cpu / 1e6);
    if (argc <= 2)
        rm_dir(dir);
    return 0;
}
