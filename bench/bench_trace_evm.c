/*
 * bench_trace_evm.c: the account-model trace and screening on an EVM store (issue 13's speed
 * figures, beside bench_trace's Bitcoin ones): service recognition (two passes over the
 * movements), forward traces from the given transactions under FIFO, haircut and poison
 * (movements read per second, tainted movements = edges per second), and screening of random
 * accounts (addresses per second). The bound printed beside each is a plain pass that only
 * reads every movement row of the store (memory bandwidth on this machine): the trace's ratio
 * to it says how much of the time goes to the engine's own work.
 * Screening runs three ways on the same random accounts (native asset; with --labels, every
 * EVM label of the label store ends a branch as `chainwatch screen` does): the in-chain walk
 * that screening used before (a reference kept here: each visit walks the account's receipts
 * from its newest), one cw_acct_screen per account (its own index), and one screener for all
 * (cw_acct_screener: receipts indexed once per account and asset); it checks that the three
 * give bit-identical exposures and prints each one's addresses per CPU second. The traces stop
 * where `chainwatch trace` stops (the one stop policy, acct_policy.h). Not a test.
 *
 * usage: bench_trace_evm STORE [--labels DB] [--screen N] TXHASH [TXHASH...]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chainwatch/acct_evm.h"
#include "chainwatch/acct_labels.h"
#include "chainwatch/acct_policy.h"
#include "chainwatch/acct_screen.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm_services.h"
#include "chainwatch/util.h"

static double cpu(void) /* user + sys of this process: the machine is shared */
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the reference: the in-chain walk screening used before the screener ---------------- */

typedef struct rwalk {
    const cw_evmstore *s;
    uint32_t asset;
    const cw_acct_labels *lm;
    const cw_acct_screen_opts *o;
    cw_acct_exposure *e;
} rwalk;

static bool rcounts(const cw_evm_row_move *m, uint32_t asset)
{
    return m->asset == asset && m->kind != CW_EVM_MOVE_FEE_BURNT &&
           m->kind != CW_EVM_MOVE_FEE_TIP && m->kind != CW_EVM_MOVE_ERC721 &&
           m->kind != CW_EVM_MOVE_ERC1155;
}

static double rdbl(const cw_u256 *v)
{
    return (double)v->w[0] +
           18446744073709551616.0 *
               ((double)v->w[1] + 18446744073709551616.0 *
                                      ((double)v->w[2] + 18446744073709551616.0 * (double)v->w[3]));
}

static void rvisit(rwalk *w, uint32_t account, uint64_t before, uint32_t depth, double weight)
{
    cw_acct_exposure *e = w->e;
    e->accounts_visited++;
    cw_evm_row_acctlast hl;
    if (cw_evmstore_acctlast(w->s, account, &hl))
        return;
    const cw_evm_row_acctlast *l = &hl;
    cw_u256 total = {{0}};
    uint32_t n = 0;
    for (uint64_t m = l->last_in; m != CW_EVM_NONE64 && n < w->o->max_inflows;
         m = cw_evmstore_movelink(w->s, m).prev_in) {
        const cw_evm_row_move *r = cw_evmstore_move(w->s, m);
        if (m >= before || !rcounts(r, w->asset))
            continue;
        cw_u256 a = cw_evmstore_move_amount(w->s, r);
        cw_u256_add(&total, &total, &a);
        n++;
    }
    if (depth == 0)
        e->received = total;
    double t = rdbl(&total);
    if (t <= 0) {
        e->unexplored += weight;
        return;
    }
    n = 0;
    for (uint64_t m = l->last_in; m != CW_EVM_NONE64 && n < w->o->max_inflows;
         m = cw_evmstore_movelink(w->s, m).prev_in) {
        const cw_evm_row_move *r = cw_evmstore_move(w->s, m);
        if (m >= before || !rcounts(r, w->asset))
            continue;
        n++;
        e->receipts_read++;
        cw_u256 a = cw_evmstore_move_amount(w->s, r);
        double share = weight * rdbl(&a) / t;
        if (share <= 0)
            continue;
        if (r->from == CW_EVM_NONE32) {
            e->received_share_minted += share;
            continue;
        }
        uint32_t c = w->lm ? cw_acct_labels_mask(w->lm, r->from) : 0;
        if (c) {
            for (uint32_t k = 0; k < CW_ACCT_MAX_CATEGORIES; k++)
                if (c & (1u << k)) {
                    if (depth == 0)
                        e->direct[k] += share;
                    else
                        e->indirect[k] += share;
                }
            continue;
        }
        if (share < w->o->floor || depth + 1 >= w->o->max_hops || r->from == account) {
            e->unexplored += share;
            continue;
        }
        rvisit(w, r->from, m, depth + 1, share);
    }
}

static uint32_t cats_of(void *ctx, uint32_t account)
{
    return ctx ? cw_acct_labels_mask(ctx, account) : 0;
}

/* the figures the three ways must agree on, bit for bit */
static bool same(const cw_acct_exposure *a, const cw_acct_exposure *b)
{
    return !memcmp(a->direct, b->direct, sizeof a->direct) &&
           !memcmp(a->indirect, b->indirect, sizeof a->indirect) &&
           !memcmp(&a->unexplored, &b->unexplored, sizeof a->unexplored) &&
           !memcmp(&a->received_share_minted, &b->received_share_minted,
                   sizeof a->received_share_minted) &&
           !memcmp(&a->received, &b->received, sizeof a->received) &&
           a->accounts_visited == b->accounts_visited && a->receipts_read == b->receipts_read;
}

int main(int argc, char **argv)
{
    const char *labels = NULL;
    size_t want_screen = 2000;
    while (argc > 3 && argv[2][0] == '-') {
        if (!strcmp(argv[2], "--labels"))
            labels = argv[3];
        else if (!strcmp(argv[2], "--screen"))
            want_screen = (size_t)strtoull(argv[3], NULL, 10);
        else
            break;
        memmove(argv + 2, argv + 4, (size_t)(argc - 4) * sizeof *argv);
        argc -= 2;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: bench_trace_evm STORE [--labels DB] [--screen N] TXHASH...\n");
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
    double t0 = cw_now();
    volatile uint64_t sink = 0;
    for (uint64_t m = 0; m < c.moves; m++)
        sink += cw_evmstore_move(s, m)->amount;
    double t_scan = cw_now() - t0;
    printf("  plain read of moves.col: %.3f s, %.1f M movements/s\n", t_scan,
           (double)c.moves / t_scan / 1e6);
    uint64_t *ids = NULL;
    size_t n_ids = 0;
    for (int i = 2; i < argc; i++) {
        uint64_t *part;
        size_t np;
        if (cw_acct_evm_tx_sources(s, argv[i], &part, &np, NULL)) {
            fprintf(stderr, "bench_trace_evm: %s\n", cw_error_last());
            return 1;
        }
        ids = realloc(ids, (n_ids + np) * sizeof *ids);
        memcpy(ids + n_ids, part, np * sizeof *part);
        n_ids += np;
        free(part);
    }
    /* the traces stop where `chainwatch trace` stops: the one stop policy (labels, memo
     * bridges, services), built with the label store when --labels names one */
    cw_labels *db = NULL;
    cw_acct_labels *lm = NULL;
    if ((labels && cw_labels_open(&db, labels, CW_LABELS_READONLY)) ||
        cw_acct_labels_new(&lm, s, db)) {
        fprintf(stderr, "bench_trace_evm: %s\n", cw_error_last());
        return 1;
    }
    /* building it recognises the services (two passes over the movements, and a third over
     * the bridge candidates' when there are any) and the memo bridges */
    cw_acct_policy *pol = NULL;
    t0 = cw_now();
    if (cw_acct_policy_new(&pol, s, lm, NULL)) {
        fprintf(stderr, "bench_trace_evm: %s\n", cw_error_last());
        return 1;
    }
    double t_svc = cw_now() - t0;
    const cw_evm_services *sv = cw_acct_policy_services(pol);
    printf("  services and memo bridges (the stop policy): %.3f s (%.1f M movements/s for two "
           "passes; ratio to the plain read %.2f): %zu deposit addresses, %zu collectors, %zu "
           "consolidation addresses, %zu mixers, %zu bridges\n",
           t_svc, 2.0 * (double)c.moves / t_svc / 1e6, t_scan * 2 / t_svc,
           cw_evm_services_count(sv, CW_EVM_SVC_DEPOSIT),
           cw_evm_services_count(sv, CW_EVM_SVC_COLLECTOR),
           cw_evm_services_count(sv, CW_EVM_SVC_CONSOLIDATION),
           cw_evm_services_count(sv, CW_EVM_SVC_MIXER),
           cw_evm_services_count(sv, CW_EVM_SVC_BRIDGE));
    cw_acct_evm ev;
    cw_acct_policy_source(pol, &ev);
    cw_acct_source src;
    cw_acct_source_evm(&src, &ev);
    static const char *names[] = {"poison", "haircut", "fifo", "fifo+mx"};
    for (int model = CW_ACCT_POISON; model <= CW_ACCT_FIFO + 1; model++) {
        cw_acct_opts o;
        cw_acct_opts_init(&o);
        o.model = model > CW_ACCT_FIFO ? CW_ACCT_FIFO : (cw_acct_model)model;
        o.through_mixer = model > CW_ACCT_FIFO; /* two sweeps: convergence */
        cw_acct_result *r = NULL;
        t0 = cw_now();
        double c0 = cpu();
        if (cw_acct_trace(&r, &src, ids, n_ids, &o)) {
            fprintf(stderr, "bench_trace_evm: %s\n", cw_error_last());
            return 1;
        }
        double t = cw_now() - t0, tc = cpu() - c0;
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
    /* screening random accounts (native asset): the walk, one screen each, one screener */
    size_t n_screen = c.accounts < want_screen ? (size_t)c.accounts : want_screen;
    uint32_t *who = malloc((n_screen ? n_screen : 1) * sizeof *who);
    cw_acct_exposure *ref = calloc(n_screen ? n_screen : 1, sizeof *ref);
    uint64_t x = 0x9e3779b97f4a7c15ull, visited = 0;
    for (size_t i = 0; i < n_screen; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        who[i] = (uint32_t)(x % c.accounts);
    }
    cw_acct_screen_opts so;
    cw_acct_screen_opts_init(&so);
    so.swaps = false; /* the reference walk screens a venue as the sender */
    printf("  screening %zu random accounts (native asset, %zu labelled accounts end branches, "
           "floor %g, %u hops):\n",
           n_screen, cw_acct_labels_count(lm), so.floor, so.max_hops);
    double c1 = cpu();
    t0 = cw_now();
    for (size_t i = 0; i < n_screen; i++) {
        rwalk w = {s, CW_EVM_ASSET_NATIVE, lm, &so, &ref[i]};
        rvisit(&w, who[i], so.before, 0, 1.0);
        visited += ref[i].accounts_visited;
    }
    double t_walk = cw_now() - t0, c_walk = cpu() - c1;
    printf("    in-chain walk (before):  %.3f s (%.3f s CPU): %.0f addresses/s wall, %.0f per CPU "
           "second (%.1f accounts visited each)\n",
           t_walk, c_walk, (double)n_screen / t_walk, (double)n_screen / c_walk,
           n_screen ? (double)visited / (double)n_screen : 0.0);
    size_t differ = 0;
    c1 = cpu();
    t0 = cw_now();
    for (size_t i = 0; i < n_screen; i++) {
        cw_acct_exposure e;
        int rc = cw_acct_screen(&e, s, who[i], CW_EVM_ASSET_NATIVE, cats_of, lm, &so);
        if (rc == CW_ENOMEM) {
            fprintf(stderr, "bench_trace_evm: %s\n", cw_error_last());
            return 1;
        }
        differ += !same(&e, &ref[i]);
    }
    double t_one = cw_now() - t0, c_one = cpu() - c1;
    printf("    one cw_acct_screen each: %.3f s (%.3f s CPU): %.0f addresses/s wall, %.0f per CPU "
           "second (ratio to the walk %.2f)\n",
           t_one, c_one, (double)n_screen / t_one, (double)n_screen / c_one, c_walk / c_one);
    cw_acct_screener *sc = NULL;
    if (cw_acct_screener_new(&sc, s, cats_of, lm, &so)) {
        fprintf(stderr, "bench_trace_evm: %s\n", cw_error_last());
        return 1;
    }
    c1 = cpu();
    t0 = cw_now();
    for (size_t i = 0; i < n_screen; i++) {
        cw_acct_exposure e;
        int rc = cw_acct_screener_run(sc, &e, who[i], CW_EVM_ASSET_NATIVE);
        if (rc == CW_ENOMEM) {
            fprintf(stderr, "bench_trace_evm: %s\n", cw_error_last());
            return 1;
        }
        differ += !same(&e, &ref[i]);
    }
    double t_sc = cw_now() - t0, c_sc = cpu() - c1;
    printf("    one screener for all:    %.3f s (%.3f s CPU): %.0f addresses/s wall, %.0f per CPU "
           "second (ratio to the walk %.2f)\n",
           t_sc, c_sc, (double)n_screen / t_sc, (double)n_screen / c_sc, c_walk / c_sc);
    printf("    results identical to the walk: %s (%zu of %zu differ)\n", differ ? "NO" : "yes",
           differ, 2 * n_screen);
    /* the Bitcoin figures on the 1M-tx world (bench_trace, docs/notes of the last stop):
     * haircut 0.76-0.84 M edges/s; screening to the floor 4-7 k addresses/s */
    printf("  beside Bitcoin (bench_trace, 1M-tx world): haircut 760-840 k edges/s, screening "
           "4-7 k addresses/s\n");
    cw_acct_screener_free(sc);
    free(who);
    free(ref);
    cw_acct_policy_free(pol);
    cw_acct_labels_free(lm);
    if (db)
        cw_labels_close(db);
    if (differ)
        return 1;
    (void)sink;
    free(ids);
    cw_evmstore_close(s);
    return 0;
}
