/*
 * bench_ingest.c: ingest throughput (MB/s, tx/s) with 1 and 2 threads on a generated chain,
 * against the physical bound for hashing every txid: single-core SHA-256 throughput as
 * measured by `openssl speed -evp sha256` on this machine. Also store bytes per transaction
 * against BlockSci's layout. Not a test: it prints figures.
 *
 * usage: bench_ingest BLOCKS_DIR WORK_DIR [NETWORK]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "chainwatch/btc/block.h"
#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"

/* Parses the last (largest block size) column of `openssl speed -evp sha256`, in MB/s. */
static double openssl_speed(double *small)
{
    FILE *p = popen("openssl speed -seconds 2 -evp sha256 2>/dev/null", "r");
    if (!p)
        return 0;
    char line[512];
    double peak = 0;
    *small = 0;
    while (fgets(line, sizeof line, p)) {
        if (strncmp(line, "sha256", 6) != 0 && strncmp(line, "SHA256", 6) != 0)
            continue;
        /* "sha256  123.45k 456.78k ... 1234567.89k": values in 1000s of bytes per second */
        double v[8];
        int n = sscanf(line, "%*s %lfk %lfk %lfk %lfk %lfk %lfk", &v[0], &v[1], &v[2], &v[3], &v[4],
                       &v[5]);
        if (n >= 1) {
            peak = v[n - 1] * 1000 / 1e6;
            *small = n >= 3 ? v[2] * 1000 / 1e6 : 0; /* 256-byte blocks */
        }
    }
    pclose(p);
    return peak;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Memory latency of this machine: a dependent pointer chase and independent random reads over
 * 512 MiB (far beyond the caches), in ns per read. The store writer's index lookups are such
 * reads; the independent figure is what its prefetch waves can reach at best. */
static void memory_probe(void)
{
    size_t n = ((size_t)512 << 20) / 8;
    uint64_t *a = malloc(n * sizeof *a);
    if (!a)
        return;
    for (size_t i = 0; i < n; i++)
        a[i] = i;
    uint64_t s = 88172645463325252ull;
    for (size_t i = n - 1; i > 0; i--) { /* one random cycle (Sattolo) */
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        size_t j = (size_t)(s % i);
        uint64_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
    const size_t steps = 2000000;
    uint64_t x = 0, sum = 0;
    double t0 = cw_now();
    for (size_t i = 0; i < steps; i++)
        x = a[x];
    double t1 = cw_now();
    for (size_t i = 0; i < steps; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        sum += a[s % n];
    }
    double t2 = cw_now();
    printf("memory: dependent random read %.0f ns, independent random reads %.1f ns each "
           "(512 MiB; checksum %llu)\n",
           (t1 - t0) / (double)steps * 1e9, (t2 - t1) / (double)steps * 1e9,
           (unsigned long long)((x + sum) & 0xff));
    free(a);
}

/* The front end alone, one thread, over every record of the directory (stale ones too):
 * reading the (cached) files, parsing, hashing the txids and merkle roots, classifying the
 * output scripts. What is left of an ingest's time is the store writer's. */
static int front_end(const char *blocks, cw_network net, double bound)
{
    cw_blkdir *d = NULL;
    cw_blkrec *recs = NULL;
    size_t n = 0;
    if (cw_blkdir_open(&d, blocks, net) || cw_blkdir_scan(d, &recs, &n)) {
        fprintf(stderr, "front end: %s\n", cw_error_last());
        cw_blkdir_close(d);
        return 1;
    }
    cw_buf buf = {0};
    cw_block b = {0};
    double t_read = 0, t_parse = 0, t_hash = 0, t_class = 0;
    uint64_t bytes = 0, txs = 0, hashed = 0;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        double t0 = cw_now();
        if ((rc = cw_buf_reserve(&buf, recs[i].size)) ||
            (rc = cw_blkdir_read(d, &recs[i], buf.data)))
            break;
        double t1 = cw_now();
        if ((rc = cw_block_decode(&b, buf.data, recs[i].size, "bench", 0, CW_HASH_NONE)))
            break;
        double t2 = cw_now();
        uint8_t root[32];
        for (uint32_t k = 0; k < b.n_tx; k++) {
            cw_tx_hash_txid(&b.txs[k]);
            hashed += b.txs[k].base_size;
        }
        if ((rc = cw_block_merkle(root, &b)))
            break;
        double t3 = cw_now();
        if ((rc = cw_block_classify(&b)))
            break;
        double t4 = cw_now();
        t_read += t1 - t0;
        t_parse += t2 - t1;
        t_hash += t3 - t2;
        t_class += t4 - t3;
        bytes += recs[i].size;
        txs += b.n_tx;
    }
    if (rc)
        fprintf(stderr, "front end: %s\n", cw_error_last());
    double mb = (double)bytes / 1e6, all = t_read + t_parse + t_hash + t_class;
    printf("front end, 1 thread, %.1f MB, %llu txs (all records):\n"
           "  read %.2f s, parse %.2f s, txids+merkle %.2f s (%.0f MB/s of tx bytes without "
           "witness, %.0f MB/s of block bytes), classify %.2f s\n"
           "  total %.2f s = %.0f MB/s, %.3f of the SHA-256 bound: the ceiling for any store "
           "writer behind this front end\n",
           mb, (unsigned long long)txs, t_read, t_parse, t_hash, (double)hashed / t_hash / 1e6,
           mb / t_hash, t_class, all, mb / all, bound > 0 ? mb / all / bound : 0);
    cw_block_deinit(&b);
    cw_buf_deinit(&buf);
    free(recs);
    cw_blkdir_close(d);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s BLOCKS_DIR WORK_DIR [NETWORK]\n", argv[0]);
        return 2;
    }
    cw_network net = CW_NET_REGTEST;
    if (argc > 3 && cw_network_parse(&net, argv[3])) {
        fprintf(stderr, "%s\n", cw_error_last());
        return 2;
    }
    double small = 0, bound = openssl_speed(&small);
    printf("openssl speed -evp sha256 (1 core): %.0f MB/s at 16 KiB blocks, %.0f MB/s at 256 B\n",
           bound, small);
    memory_probe();
    if (front_end(argv[1], net, bound))
        return 1;
    for (int threads = 1; threads <= 2; threads++) {
        char store[4096], cmd[4200];
        snprintf(store, sizeof store, "%s/bench-store-%d", argv[2], threads);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", store);
        if (system(cmd) != 0)
            return 1;
        cw_ingest_opts o = {0};
        o.blocks_dir = argv[1];
        o.store_dir = store;
        o.net = net;
        o.to_height = -1;
        o.threads = threads;
        cw_ingest_stats st;
        double cpu0 = cpu_seconds();
        if (cw_ingest_btc(&o, &st)) {
            fprintf(stderr, "ingest: %s\n", cw_error_last());
            return 1;
        }
        double mbs = (double)st.bytes_read / st.seconds / 1e6;
        double cpu = cpu_seconds() - cpu0;
        printf("ingest threads=%d: %llu blocks, %llu txs, %.1f MB in %.2f s: %.1f MB/s, %.0f tx/s, "
               "%.3f of the SHA-256 bound\n",
               threads, (unsigned long long)st.blocks_added, (unsigned long long)st.txs_added,
               (double)st.bytes_read / 1e6, st.seconds, mbs, (double)st.txs_added / st.seconds,
               bound > 0 ? mbs / bound : 0);
        printf("  CPU time %.2f s: %.1f MB per CPU-second (%.3f of the bound; wall time suffers "
               "when other work shares the cores)\n",
               cpu, (double)st.bytes_read / cpu / 1e6,
               bound > 0 ? (double)st.bytes_read / cpu / 1e6 / bound : 0);
        if (threads == 1) {
            cw_chainstore *cs;
            if (cw_chainstore_open(&cs, store, false, net) == 0) {
                uint64_t idx = 0, cols = cw_chainstore_bytes(cs, &idx);
                cw_chainstore_counts c = cw_chainstore_counts_get(cs);
                double tx = (double)c.txs;
                /* txs 24 B + txid 32 B; ins 12 B; outs 16 B; outlink 8 B; addrs 44 + 8 B */
                double core = (56.0 * tx + 12.0 * (double)c.ins + 16.0 * (double)c.outs) / tx;
                double link = 8.0 * (double)c.outs / tx;
                double addr = 52.0 * (double)c.addrs / tx;
                /* the statement of BlockSci's layout: 16 B tx header, 32 B txid, 16 B
                 * per input and per output (its 8 B per-tx offset index not counted) */
                double blocksci = 16 + 32 + 16.0 * (double)(c.ins + c.outs) / tx;
                printf("store: %.1f B/tx in all columns (+%.1f B/tx hash indexes), of which\n"
                       "  txs+inputs+outputs %.1f B/tx vs BlockSci's layout %.1f B/tx (ratio %.3f; "
                       "goal <= 1)\n"
                       "  per-address output chain %.1f B/tx (BlockSci: a RocksDB index, not "
                       "counted)\n"
                       "  address table %.1f B/tx (%.2f addresses per tx; BlockSci keeps its "
                       "scripts in files beside the chain, not counted)\n"
                       "  chain: %.2f inputs, %.2f outputs per tx\n",
                       (double)cols / tx, (double)idx / tx, core, blocksci, core / blocksci, link,
                       addr, (double)c.addrs / tx, (double)c.ins / tx, (double)c.outs / tx);
                cw_chainstore_close(cs);
            }
        }
    }
    return 0;
}
