/*
 * bench_trace_evm.c: the account-model trace and screening on an EVM store (issue 13's speed
 * figures, beside bench_trace's Bitcoin ones): service recognition (two passes over the
 * movements), forward traces from the given transactions under FIFO, haircut and poison
 * (movements read per second, tainted movements = edges per second), and screening of random
 * accounts (addresses per second). The bound printed beside each is a plain pass that only
 * reads every movement row of the store (memory bandwidth on this machine): the trace's ratio
 * to it says how much of the time goes to the engine's own work. Not a test.
 *
 * usage: bench_trace_evm STORE TXHASH [TXHASH...]   (the heist's transactions)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chainwatch/acct_evm.h"
#include "chainwatch/acct_screen.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm_services.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu(void) /* user + sys of this process: the machine is shared */
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool svc_personal(void *ctx, uint32_t account)
{
    const cw_evm_service *x = cw_evm_services_get(ctx, account);
    return x && x->kind == CW_EVM_SVC_DEPOSIT;
}

static int svc_stop(void *ctx, uint32_t account)
{
    const cw_evm_service *s = cw_evm_services_get(ctx, account);
    if (!s)
        return 0;
    return s->kind == CW_EVM_SVC_MIXER ? CW_ACCT_STOP_MIXER : CW_ACCT_STOP_EXCHANGE;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_trace_evm STORE TXHASH [TXHASH...]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* each figure as it comes: runs are long on a busy box */
    cw_evmstore *s = NULL;
    if (cw_evmstore_open(&s, argv[1], false, NULL)) {
        fprintf(stderr, "bench_trace_evm: %s\n", cw_error_last());
        return 1;
    }
    cw_evm_counts c;
    cw_evmstore_counts(s, &c);
    printf("bench_trace_evm: %s: %llu blocks, %llu txs, %llu movements, %llu accounts\n", argv[1],
           (unsigned long long)c.blocks, (unsigned long long)c.txs, (unsigned long long)c.moves,
           (unsigned long long)c.accounts);
    /* the bound: read every movement row once */
    double t0 = now();
    volatile uint64_t sink = 0;
    for (uint64_t m = 0; m < c.moves; m++)
        sink += cw_evmstore_move(s, m)->amount[0];
    double t_scan = now() - t0;
    printf("  plain read of moves.col: %.3f s, %.1f M movements/s\n", t_scan,
           (double)c.moves / t_scan / 1e6);
    t0 = now();
    cw_evm_services *sv = NULL;
    if (cw_evm_services_detect(&sv, s)) {
        fprintf(stderr, "bench_trace_evm: %s\n", cw_error_last());
        return 1;
    }
    double t_svc = now() - t0;
    printf("  services: %.3f s (%.1f M movements/s; ratio to the plain read %.2f): %zu deposit "
           "addresses, %zu collectors, %zu mixers\n",
           t_svc, 2.0 * (double)c.moves / t_svc / 1e6, t_scan * 2 / t_svc,
           cw_evm_services_count(sv, CW_EVM_SVC_DEPOSIT),
           cw_evm_services_count(sv, CW_EVM_SVC_COLLECTOR),
           cw_evm_services_count(sv, CW_EVM_SVC_MIXER));
    uint64_t *ids = NULL;
    size_t n_ids = 0;
    for (int i = 2; i < argc; i++) {
        uint64_t *part;
        size_t np;
        if (cw_acct_evm_tx_sources(s, argv[i], &part, &np)) {
            fprintf(stderr, "bench_trace_evm: %s\n", cw_error_last());
            return 1;
        }
        ids = realloc(ids, (n_ids + np) * sizeof *ids);
        memcpy(ids + n_ids, part, np * sizeof *part);
        n_ids += np;
        free(part);
    }
    cw_acct_evm ev = {s, svc_stop, sv, svc_personal};
    cw_acct_source src;
    cw_acct_source_evm(&src, &ev);
    static const char *names[] = {"poison", "haircut", "fifo", "fifo+mx"};
    for (int model = CW_ACCT_POISON; model <= CW_ACCT_FIFO + 1; model++) {
        cw_acct_opts o;
        cw_acct_opts_init(&o);
        o.model = model > CW_ACCT_FIFO ? CW_ACCT_FIFO : (cw_acct_model)model;
        o.through_mixer = model > CW_ACCT_FIFO; /* two sweeps: convergence */
        cw_acct_result *r = NULL;
        t0 = now();
        double c0 = cpu();
        if (cw_acct_trace(&r, &src, ids, n_ids, &o)) {
            fprintf(stderr, "bench_trace_evm: %s\n", cw_error_last());
            return 1;
        }
        double t = now() - t0, tc = cpu() - c0;
        uint64_t moves, edges;
        size_t n_ends;
        cw_acct_result_counts(r, &moves, &edges);
        cw_acct_result_ends(r, &n_ends);
        printf("  trace %-7s %.3f s (%.3f s CPU): %llu movements read (%.1f M/s, ratio to the "
               "plain read %.2f), %llu edges (%.0f k edges/s wall, %.0f k/s CPU), %zu ends\n",
               names[model], t, tc, (unsigned long long)moves, (double)moves / t / 1e6,
               ((double)moves / t) / ((double)c.moves / t_scan), (unsigned long long)edges,
               (double)edges / t / 1e3, (double)edges / tc / 1e3, n_ends);
        cw_acct_result_free(r);
    }
    /* screening random accounts (native asset) */
    size_t n_screen = c.accounts < 2000 ? (size_t)c.accounts : 2000, done = 0;
    uint64_t x = 0x9e3779b97f4a7c15ull, visited = 0;
    cw_acct_screen_opts so;
    cw_acct_screen_opts_init(&so);
    t0 = now();
    double c1 = cpu();
    for (size_t i = 0; i < n_screen; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        cw_acct_exposure e;
        if (cw_acct_screen(&e, s, (uint32_t)(x % c.accounts), CW_EVM_ASSET_NATIVE, NULL, NULL,
                           &so) == 0) {
            done++;
            visited += e.accounts_visited;
        }
    }
    double t_scr = now() - t0, c_scr = cpu() - c1;
    printf("  screening: %zu accounts in %.3f s (%.3f s CPU): %.0f addresses/s wall, %.0f CPU "
           "(%.1f accounts visited each)\n",
           n_screen, t_scr, c_scr, (double)n_screen / t_scr, (double)n_screen / c_scr,
           done ? (double)visited / (double)done : 0.0);
    /* the Bitcoin figures on the 1M-tx world (bench_trace, docs/notes of the last stop):
     * haircut 0.76-0.84 M edges/s; screening to the floor 4-7 k addresses/s */
    printf("  beside Bitcoin (bench_trace, 1M-tx world): haircut 760-840 k edges/s, screening "
           "4-7 k addresses/s\n");
    (void)sink;
    free(ids);
    cw_evm_services_free(sv);
    cw_evmstore_close(s);
    return 0;
}
