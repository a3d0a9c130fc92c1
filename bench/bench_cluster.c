/*
 * bench_cluster.c: pattern-flag and clustering throughput on a generated world. Not a test: it
 * prints figures (txs/s, addresses/s, inputs+outputs/s).
 *
 * usage: bench_cluster [STORE_DIR]
 * With a STORE_DIR (an ingested chain store; its txflags.col and cluster files are rebuilt),
 * it measures there. Without, it generates a world of $BENCH_CLUSTER_TXS transactions (default
 * 1,000,000, seed 1) in a temporary folder, ingests it, measures, and removes the folder.
 * Measures: patterns build from scratch (wall and CPU time, and the CPU time of a linked full
 * scan of the same store as its bound: each output's value, each input's spent value); cluster
 * build from scratch without change heuristics (the pattern flags already built) and with all of
 * them; an incremental cluster build after the last tenth of the chain arrives is not measured here
 * (it needs a second ingest); the clustering figure counts every tx, input and address it visits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/cluster.h"
#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/patterns.h"
#include "chainwatch/util.h"

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int remove_file(const char *dir, const char *name)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return unlink(p);
}

int main(int argc, char **argv)
{
    char tmp[] = "/tmp/cw-bench-cluster.XXXXXX";
    char store[4096], world[4096];
    bool own = argc < 2;
    if (own) {
        if (!mkdtemp(tmp)) {
            perror("mkdtemp");
            return 1;
        }
        uint64_t txs = 1000000;
        const char *e = getenv("BENCH_CLUSTER_TXS");
        if (e && cw_parse_u64(&txs, e)) {
            fprintf(stderr, "BENCH_CLUSTER_TXS: %s\n", cw_error_last());
            return 2;
        }
        snprintf(world, sizeof world, "%s/world", tmp);
        snprintf(store, sizeof store, "%s/store", tmp);
        cw_gen_opts go;
        memset(&go, 0, sizeof go);
        go.out_dir = world;
        go.txs = txs;
        go.seed = 1;
        go.net = CW_NET_REGTEST;
        cw_gen_stats gs;
        printf("generating a %llu-tx world in %s\n", (unsigned long long)txs, tmp);
        if (cw_gen_run(&go, &gs)) {
            fprintf(stderr, "gen: %s\n", cw_error_last());
            return 1;
        }
        char blocks[4200];
        snprintf(blocks, sizeof blocks, "%s/blocks", world);
        cw_ingest_opts io;
        memset(&io, 0, sizeof io);
        io.blocks_dir = blocks;
        io.store_dir = store;
        io.net = CW_NET_REGTEST;
        io.to_height = -1;
        io.threads = 2;
        cw_ingest_stats is;
        if (cw_ingest_btc(&io, &is)) {
            fprintf(stderr, "ingest: %s\n", cw_error_last());
            return 1;
        }
    } else {
        snprintf(store, sizeof store, "%s", argv[1]);
    }
    cw_chainstore *cs;
    if (cw_chainstore_open(&cs, store, false, CW_NET_MAIN)) {
        fprintf(stderr, "%s\n", cw_error_last());
        return 1;
    }
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    printf("store: %llu txs, %llu inputs, %llu outputs, %llu addresses\n",
           (unsigned long long)c.txs, (unsigned long long)c.ins, (unsigned long long)c.outs,
           (unsigned long long)c.addrs);
    /* from scratch: drop the manifests so both builds start at tx 0 */
    remove_file(store, "patterns.manifest");
    remove_file(store, "cluster.manifest");
    cw_patterns_stats ps;
    double pc0 = cpu_seconds();
    if (cw_patterns_build(store, &ps)) {
        fprintf(stderr, "patterns: %s\n", cw_error_last());
        return 1;
    }
    double pcpu = cpu_seconds() - pc0;
    printf("patterns build:            %7.2f s  %10.0f txs/s  %10.0f ins+outs/s  (%llu CoinJoin, "
           "%llu probable CoinJoin, %llu Tx0, %llu peel-chain hops)\n",
           ps.seconds, (double)c.txs / ps.seconds, (double)(c.ins + c.outs) / ps.seconds,
           (unsigned long long)ps.counts[0], (unsigned long long)ps.counts[10],
           (unsigned long long)ps.counts[9], (unsigned long long)ps.counts[5]);
    /* the bound: the same store's linked full scan (every output's value, every input's spent
     * output through its tx row), the least any per-tx rule over inputs and outputs reads */
    double sc0 = cpu_seconds();
    uint64_t acc = 0;
    for (uint64_t t = 0; t < c.txs; t++) {
        uint64_t in0, in1, o0, o1;
        cw_chainstore_tx_range(cs, t, &in0, &in1, &o0, &o1);
        for (uint64_t o = o0; o < o1; o++)
            acc += cw_out_value(cw_chainstore_out(cs, o));
        for (uint64_t i = in0; i < in1; i++) {
            uint64_t v;
            if (cw_chainstore_in_value(cs, i, &v) == 0)
                acc += v;
        }
    }
    double scan = cpu_seconds() - sc0;
    printf("patterns build CPU:        %7.2f s  (%.0f txs per CPU-second); the linked full scan "
           "%.2f s: ratio %.2f (checksum %llu)\n",
           pcpu, (double)c.txs / (pcpu > 0 ? pcpu : 1e-9), scan, scan > 0 ? pcpu / scan : 0,
           (unsigned long long)(acc & 0xff));
    uint32_t sets[2] = {0, CW_CHANGE_ALL};
    const char *names[2] = {"multi-input only", "all change heuristics"};
    for (int i = 0; i < 2; i++) {
        remove_file(store, "cluster.manifest");
        cw_cluster_stats st;
        if (cw_cluster_build(store, sets[i], &st)) {
            fprintf(stderr, "cluster: %s\n", cw_error_last());
            return 1;
        }
        printf("cluster build (%-21s): %6.2f s  %10.0f txs/s  %10.0f addresses/s  (%llu "
               "clusters, largest %llu)\n",
               names[i], st.seconds, (double)c.txs / st.seconds, (double)c.addrs / st.seconds,
               (unsigned long long)st.clusters, (unsigned long long)st.largest);
    }
    cw_chainstore_close(cs);
    /* an up-to-date build: only the manifest check and a rewrite of the generation */
    cw_cluster_stats st;
    if (cw_cluster_build(store, CW_CHANGE_ALL, &st) == 0)
        printf("cluster build, nothing new:  %6.2f s\n", st.seconds);
    if (own) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmp);
    }
    return 0;
}
