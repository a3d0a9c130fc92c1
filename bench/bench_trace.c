/*
 * bench_trace.c: trace throughput on a generated world with the default heist: forward FIFO
 * from the heist's stolen outputs (stopping at exchanges, as an investigation does), forward
 * haircut and poison with a hop limit and no stop (the value spreads through the economy:
 * the engine's raw edge rate), and screening (addresses per second, haircut backward, capped
 * at 3 hops and to the default floor). FIFO forward runs under the defaults (CoinJoins
 * ranked, probable floor 25 %), proportional, and without the floor; haircut and poison
 * follow every sliver (no probable floor), as before issue 11. The default FIFO run is
 * compared with its bound, the same trace without re-linking, and with the re-link pass
 * replayed from the sources (as before it restarted at the first re-linked round): the
 * ratios are printed. Prints edges/s (traced input->tx and
 * tx->output edges) and hops/s (txs processed: each is one step of the frontier), per CPU second of
 * this process (the machine is shared; wall time is printed too). Not a test.
 *
 * usage: bench_trace [WORLD_DIR [relink] [--labels DB] [--heist N]]   (default: bench-world
 * beside this program, as made by scripts/bench.sh; generated with 200,000 txs when absent;
 * `relink`: the re-link figures only; --labels: the investigator's labels, e.g. `chainwatch
 * labels import gen-truth WORLD/truth/addresses.csv --db DB --exclude individual,theft`, with
 * the CLI's stops: without them nothing is re-linked (cw_trace_relink_guarded); --heist: the
 * heist of truth/heists.json traced, default 0). The store is ingested into
 * WORLD_DIR/trace-store once and reused.
 */
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "chain/analytics/trace_int.h"
#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/labels.h"
#include "chainwatch/screen.h"
#include "chainwatch/trace.h"
#include "chainwatch/util.h"

static int fail(const char *what)
{
    fprintf(stderr, "bench_trace: %s: %s\n", what, cw_error_last());
    return 1;
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* CPU seconds of this process: the machine is shared, so wall time overstates */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs a trace reps times; returns its CPU seconds per run (full: the re-linking pass
 * replayed from the sources, as before it restarted where the re-links change something). */
static const cw_trace_labelmap *labels; /* --labels DB: the investigator's, with its stops */

static double run_full(const char *name, const cw_chainstore *cs, const uint64_t *src, size_t n,
                       const cw_trace_opts *o, int reps, bool full)
{
    double t0 = 0, c0 = 0;
    cw_trace_stats last = {0};
    /* run 0 is not timed: the pages this configuration reads first (a re-link search reads
     * rows the trace without it never touches); a short trace (with labels: stopped at the
     * exchanges) is repeated until it has taken 0.1 s CPU */
    int r = -1;
    for (; r < reps || cpu_now() - c0 < 0.1; r++) {
        if (r == 0) {
            t0 = cw_now();
            c0 = cpu_now();
        }
        cw_trace *t = NULL;
        if (cw_trace__run(&t, cs, labels, src, n, o, full ? CW_TRACE__REPLAY : 0)) {
            fail(name);
            return 0;
        }
        last = *cw_trace_stats_get(t);
        cw_trace_free(t);
    }
    reps = r;
    double w = (cw_now() - t0) / reps, s = (cpu_now() - c0) / reps;
    if (s <= 0)
        s = 1e-9;
    printf("  %-38s %7llu txs %8llu edges %7llu nodes  max hop %3u  %8.2f ms CPU (%8.2f wall)  "
           "%6.2f M edges/s  %6.2f M hops/s (CPU); %llu re-linked\n",
           name, (unsigned long long)last.txs, (unsigned long long)last.edges,
           (unsigned long long)last.nodes, last.max_hop, s * 1e3, w * 1e3,
           (double)last.edges / s / 1e6, (double)last.txs / s / 1e6,
           (unsigned long long)last.relinked);
    return s;
}

static double run(const char *name, const cw_chainstore *cs, const uint64_t *src, size_t n,
                  const cw_trace_opts *o, int reps)
{
    return run_full(name, cs, src, n, o, reps, false);
}

int main(int argc, char **argv)
{
    char world[4096], blocks[4200], store[4200], hj[4200];
    /* options after WORLD_DIR: relink, --labels DB, --heist N */
    bool relink_only = false;
    const char *labels_db = NULL;
    size_t heist_i = 0;
    for (int a = 2; a < argc; a++) {
        if (!strcmp(argv[a], "relink"))
            relink_only = true;
        else if (!strcmp(argv[a], "--labels") && a + 1 < argc)
            labels_db = argv[++a];
        else if (!strcmp(argv[a], "--heist") && a + 1 < argc)
            heist_i = strtoul(argv[++a], NULL, 10);
        else {
            fprintf(stderr, "usage: bench_trace [WORLD_DIR [relink] [--labels DB] [--heist N]]\n");
            return 2;
        }
    }
    if (argc > 1) {
        snprintf(world, sizeof world, "%s", argv[1]);
    } else {
        char self[4096];
        snprintf(self, sizeof self, "%s", argv[0]);
        snprintf(world, sizeof world, "%s/bench-world", dirname(self));
    }
    snprintf(blocks, sizeof blocks, "%s/blocks", world);
    snprintf(store, sizeof store, "%s/trace-store", world);
    snprintf(hj, sizeof hj, "%s/truth/heists.json", world);
    if (!exists(hj)) {
        printf("generating a 200,000-tx world in %s\n", world);
        cw_gen_opts go = {0};
        go.out_dir = world;
        go.txs = 200000;
        go.seed = 1;
        go.net = CW_NET_REGTEST;
        cw_gen_stats gs;
        if (cw_gen_run(&go, &gs))
            return fail("gen");
    }
    char done[4300];
    snprintf(done, sizeof done, "%s/.done", store);
    if (!exists(done)) {
        char cmd[4400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", store);
        if (system(cmd) != 0)
            return 1;
        cw_ingest_opts io = {.blocks_dir = blocks,
                             .store_dir = store,
                             .net = CW_NET_REGTEST,
                             .to_height = -1,
                             .threads = 2};
        cw_ingest_stats is;
        if (cw_ingest_btc(&io, &is))
            return fail("ingest");
        FILE *f = fopen(done, "w");
        if (f)
            fclose(f);
    }
    cw_chainstore *cs;
    if (cw_chainstore_open(&cs, store, false, CW_NET_REGTEST))
        return fail("open");
    json_error_t je;
    json_t *all = json_load_file(hj, 0, &je);
    if (!all) {
        fprintf(stderr, "%s: %s\n", hj, je.text);
        return 1;
    }
    json_t *h = json_array_get(all, heist_i);
    if (!h) {
        fprintf(stderr, "%s: no heist %zu\n", hj, heist_i);
        return 1;
    }
    cw_trace_labelmap *lm = NULL;
    if (labels_db) {
        cw_labels *db = NULL;
        if (cw_labels_open(&db, labels_db, CW_LABELS_READONLY) ||
            cw_trace_labelmap_new(&lm, cs, db))
            return fail(labels_db);
        cw_labels_close(db);
        labels = lm;
        printf("labels %s: %zu addresses in the store; stops exchange, exchange_deposit\n",
               labels_db, cw_trace_labelmap_count(lm));
    }
    uint64_t src[64];
    size_t n = 0, i;
    json_t *v;
    json_array_foreach(json_object_get(h, "stolen_outputs"), i, v)
    {
        cw_trace_sources s = {0};
        if (n < 64 &&
            cw_trace_sources_add(&s, cs, NULL, json_string_value(json_object_get(v, "outpoint")),
                                 UINT32_MAX) == 0 &&
            s.n == 1)
            src[n++] = s.outs[0];
        cw_trace_sources_deinit(&s);
    }
    cw_chainstore_counts c = cw_chainstore_counts_get(cs);
    printf("world %s: %llu txs, %llu inputs, %llu outputs; heist %s, %zu stolen outputs\n", world,
           (unsigned long long)c.txs, (unsigned long long)c.ins, (unsigned long long)c.outs,
           json_string_value(json_object_get(h, "name")), n);
    if (!n)
        return fail("no stolen outputs found in the store");

    cw_trace_opts o;
    cw_trace_opts_init(&o);
    if (lm) { /* the CLI's stops with --labels: re-linking acts (cw_trace_relink_guarded) */
        o.stop[0] = "exchange";
        o.stop[1] = "exchange_deposit";
        o.n_stop = 2;
    }
    /* re-linking: the second pass restarts at the first tx the re-links change; the bound
     * is the trace without re-linking (one pass), the peer the second pass replayed whole */
    o.relink = false;
    run("(warm-up: the store's pages)", cs, src, n, &o, 1);
    double c_off = run("fifo forward, --relink off (the bound)", cs, src, n, &o, 9);
    o.relink = true;
    double c_def = run("fifo forward, the defaults (rank, floor 25 %)", cs, src, n, &o, 9);
    double c_full = run_full("  the same, re-link pass replayed whole", cs, src, n, &o, 9, true);
    printf("  re-linking: %.2f ms CPU = %.2f x the no-relink run (%.2f ms); replayed whole: "
           "%.2f ms = %.2f x\n",
           c_def * 1e3, c_off > 0 ? c_def / c_off : 0.0, c_off * 1e3, c_full * 1e3,
           c_off > 0 ? c_full / c_off : 0.0);
    if (relink_only) {
        cw_trace_labelmap_free(lm);
        json_decref(all);
        cw_chainstore_close(cs);
        return 0;
    }
    o.coinjoin = CW_CJ_PROPORTIONAL;
    run("fifo forward, CoinJoins proportional", cs, src, n, &o, 3);
    /* the raw edge rate, comparable with earlier figures: every sliver followed, and through
     * service sweeps (without labels the defaults stop at the exchanges' sweeps) */
    o.probable_floor = 0;
    o.through_sweeps = true;
    o.coinjoin = CW_CJ_RANK;
    run("fifo forward, ranked, no probable floor", cs, src, n, &o, 3);
    o.max_hops = 20;
    o.model = CW_TRACE_HAIRCUT;
    o.min_value = 1000;
    run("haircut forward, 20 hops, >= 1000 sat", cs, src, n, &o, 1);
    o.max_hops = 8;
    o.min_value = 1;
    o.model = CW_TRACE_POISON;
    run("poison forward, 8 hops", cs, src, n, &o, 1);
    o.model = CW_TRACE_FIFO;
    o.direction = CW_TRACE_BACKWARD;
    o.max_hops = 30;
    uint64_t last_out = c.outs - 1;
    run("fifo backward from the last output", cs, &last_out, 1, &o, 3);
    o.model = CW_TRACE_HAIRCUT;
    o.max_hops = 6;
    run("haircut backward, 6 hops", cs, &last_out, 1, &o, 1);

    /* screening: the heist's deposit addresses, capped at 3 hops (the old default) and to
     * the floor (the default: 0.1 % of the received value, no cap) */
    for (int pass = 0; pass < 2; pass++) {
        cw_screen_opts so;
        cw_screen_opts_init(&so);
        if (pass == 0)
            so.hops = 3;
        size_t n_addr = 0;
        double t0 = cpu_now();
        json_array_foreach(json_object_get(h, "deposits"), i, v)
        {
            cw_screen_result *r = NULL;
            if (cw_screen_address(&r, cs, NULL, json_string_value(json_object_get(v, "address")),
                                  &so) == 0)
                n_addr++;
            cw_screen_result_free(r);
        }
        double s = cpu_now() - t0;
        printf("  screening (%s, haircut, no labels): %zu addresses in %.3f s CPU = %.0f "
               "addresses/s\n",
               pass == 0 ? "3 hops" : "to the 0.1 % floor", n_addr, s,
               s > 0 ? (double)n_addr / s : 0.0);
    }
    cw_trace_labelmap_free(lm);
    json_decref(all);
    cw_chainstore_close(cs);
    return 0;
}
