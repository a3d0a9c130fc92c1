/*
 * bench_analytics.c: a full scan of every input and output of a chain store, in BlockSci's
 * unit (inputs + outputs per second on one core): pass 1 sums every output value
 * (sequential over outs.col), pass 2 sums every input's spent value through its link
 * (ins.col -> txs.col -> outs.col, the access a trace makes). BlockSci's published full scan:
 * about 4.2 s on one thread to block 478,449, roughly 300 M inputs+outputs per second.
 * Not a test: it prints figures. Cluster build, trace and screening figures come from
 * bench_cluster and bench_trace on the same store (scripts/bench.sh runs all three).
 *
 * usage: bench_analytics STORE_DIR
 */
#include <stdio.h>
#include <sys/resource.h>

#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s STORE_DIR\n", argv[0]);
        return 2;
    }
    cw_chainstore *cs;
    if (cw_chainstore_open(&cs, argv[1], false, CW_NET_MAIN)) {
        fprintf(stderr, "%s\n", cw_error_last());
        return 1;
    }
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    const double blocksci = 300e6;
    /* Sequential: every output's value and every input's link, read in file order (BlockSci's
     * inputs carry their value inline; ours name the output instead, so this pass reads the
     * link and pass "linked" below follows it). */
    for (int round = 0; round < 2; round++) {
        double c0 = cpu_now();
        uint64_t acc = 0;
        for (uint64_t o = 0; o < c.outs; o++)
            acc += cw_out_value(cw_chainstore_out(cs, o));
        for (uint64_t i = 0; i < c.ins; i++) {
            const cw_row_in *r = cw_chainstore_in(cs, i);
            acc += r->spent_tx ^ r->spent_vout;
        }
        double cpu = cpu_now() - c0;
        double rate = (double)(c.ins + c.outs) / (cpu > 0 ? cpu : 1e-9);
        if (round)
            printf("full scan (sequential: every output value, every input's spent link): "
                   "%.3f s CPU, %.1f M inputs+outputs/s per core; BlockSci ~300 M/s: ratio %.2f "
                   "(checksum %llu)\n",
                   cpu, rate / 1e6, rate / blocksci, (unsigned long long)acc);
    }
    for (int round = 0; round < 3; round++) { /* round 0 warms the page cache */
        double w0 = cw_now(), c0 = cpu_now();
        uint64_t out_sum = 0, in_sum = 0, unknown = 0;
        for (uint64_t o = 0; o < c.outs; o++)
            out_sum += cw_out_value(cw_chainstore_out(cs, o));
        for (uint64_t t = 0; t < c.txs; t++) {
            uint64_t in0, in1, o0, o1;
            cw_chainstore_tx_range(cs, t, &in0, &in1, &o0, &o1);
            for (uint64_t i = in0; i < in1; i++) {
                const cw_row_in *r = cw_chainstore_in(cs, i);
                if (r->spent_tx >= CW_IN_EXTERNAL) {
                    unknown++;
                    continue;
                }
                in_sum += cw_out_value(cw_chainstore_out(
                    cs, cw_chainstore_tx_first_out(cs, r->spent_tx) + r->spent_vout));
            }
        }
        double wall = cw_now() - w0, cpu = cpu_now() - c0;
        if (round == 0)
            continue;
        double rate = (double)(c.ins + c.outs) / (cpu > 0 ? cpu : 1e-9);
        printf("full scan linked round %d (each input's value through its spent output): %llu txs, "
               "%llu inputs + %llu outputs in %.3f s CPU (%.3f s "
               "wall): %.1f M inputs+outputs/s per core; BlockSci ~300 M/s: ratio %.2f "
               "(outputs %.8f BTC, spent %.8f BTC, %llu coinbase/external inputs)\n",
               round, (unsigned long long)c.txs, (unsigned long long)c.ins,
               (unsigned long long)c.outs, cpu, wall, rate / 1e6, rate / blocksci,
               (double)out_sum / 1e8, (double)in_sum / 1e8, (unsigned long long)unknown);
    }
    cw_chainstore_close(cs);
    return 0;
}
