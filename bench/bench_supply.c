/*
 * bench_supply.c: indicator throughput. Synthesises 15 years of monthly data for every
 * commodity x 3 partners, loads it, then times recomputing every indicator and level for all
 * commodities x partners x months (timelines + rule evaluation), best of 5 runs.
 * With a supply database as argument (the demo's real-data one: out/demo/supply/supply.db), it
 * also times recomputing everything on it: every timeline with data-only and event-informed
 * levels and the standing level, and the whole backtest with its 26 placebo shifts when event
 * files follow:
 *   bench_supply DB [EVENTS.csv...]
 * Each figure is printed with its ratio to the 0.5 s bound of issue 16.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/supply.h"
#include "chainwatch/util.h"

static double cpu_now(void)
{
    struct timespec c;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
    return (double)c.tv_sec + (double)c.tv_nsec * 1e-9;
}

/* Recomputes everything on an existing database: all timelines and the three levels per month
 * (event-informed, data-only, standing). */
static int bench_db(const char *db, const char *const *events, size_t n_events)
{
    cw_supply *s = NULL;
    cw_supply_rules *r = NULL;
    int rc = cw_supply_open(&s, db);
    if (!rc)
        rc = cw_supply_rules_load(&r, NULL);
    if (rc) {
        fprintf(stderr, "bench_supply: %s\n", cw_error_last());
        cw_supply_close(s);
        return 1;
    }
    const char *const *coms;
    size_t n_com = cw_supply_commodities(s, &coms);
    static const char *const partners[] = {"USA", "KOR", "JPN"};
    double best = 1e9, best_cpu = 1e9;
    size_t months = 0, series = 0;
    for (int run = 0; run < 5; run++) {
        months = series = 0;
        double t = cw_now(), c0 = cpu_now();
        for (size_t c = 0; c < n_com; c++)
            for (int p = 0; p < 3; p++) {
                cw_supply_timeline *tl;
                if (cw_supply_timeline_build(&tl, s, coms[c], partners[p]))
                    continue;
                series++;
                for (size_t i = 0; i < cw_supply_timeline_months(tl); i++, months++) {
                    cw_supply_timeline_level(tl, r, i, true, NULL);
                    cw_supply_timeline_level(tl, r, i, false, NULL);
                    cw_supply_timeline_standing(tl, r, i);
                }
                cw_supply_timeline_free(tl);
            }
        double dt = cw_now() - t, cpu = cpu_now() - c0;
        if (dt < best)
            best = dt;
        if (cpu < best_cpu)
            best_cpu = cpu;
    }
    printf("%s: recompute all indicators and the three levels (event-informed, data-only, "
           "standing): %zu series, %zu series-months: %.3f s "
           "wall, %.3f s CPU (best of 5); ratio to the 0.5 s bound %.2f (wall)\n",
           db, series, months, best, best_cpu, best / 0.5);
    if (n_events) {
        cw_supply_backtest_opts o = {NULL, NULL, CW_SUPPLY_CAUTION, 12, 12, 24, NULL, 0, 0};
        double bt = 1e9, bt_cpu = 1e9;
        for (int run = 0; run < 3; run++) {
            json_t *res = NULL;
            double t = cw_now(), c0 = cpu_now();
            if (cw_supply_backtest(s, r, events, n_events, &o, &res)) {
                fprintf(stderr, "bench_supply: %s\n", cw_error_last());
                break;
            }
            double dt = cw_now() - t, cpu = cpu_now() - c0;
            json_decref(res);
            if (dt < bt)
                bt = dt;
            if (cpu < bt_cpu)
                bt_cpu = cpu;
        }
        printf("%s: full backtest (%zu event files, 26 placebo shifts, KOMIR kappa): %.3f s wall, "
               "%.3f s CPU (best of 3); ratio to the 0.5 s bound %.2f (wall)\n",
               db, n_events, bt, bt_cpu, bt / 0.5);
    }
    cw_supply_rules_free(r);
    cw_supply_close(s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return bench_db(argv[1], (const char *const *)(argv + 2), (size_t)(argc - 2));
    char dir[] = "/tmp/cw-bench-supply.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[256];
    cw_supply_synth_opts o = {1, 2010, 15};
    int rc = cw_supply_synth(dir, &o);
    cw_supply *s = NULL;
    cw_supply_rules *r = NULL;
    snprintf(path, sizeof path, "%s/s.db", dir);
    if (!rc)
        rc = cw_supply_open(&s, path);
    cw_supply_load_report rep;
    double t0 = cw_now();
    if (!rc) {
        snprintf(path, sizeof path, "%s/comtrade.csv", dir);
        rc = cw_supply_load(s, CW_SUPPLY_COMTRADE, path, NULL, &rep);
        printf("load comtrade.csv: %zu rows in %.3f s\n", rep.rows_loaded, cw_now() - t0);
        cw_supply_load_report_deinit(&rep);
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/prices.csv", dir);
        rc = cw_supply_load(s, CW_SUPPLY_PRICES, path, NULL, &rep);
        cw_supply_load_report_deinit(&rep);
    }
    if (!rc)
        rc = cw_supply_rules_load(&r, NULL);
    if (rc) {
        fprintf(stderr, "bench_supply: %s\n", cw_error_last());
        return 1;
    }
    const char *const *coms;
    size_t n_com = cw_supply_commodities(s, &coms);
    static const char *const partners[] = {"USA", "KOR", "JPN"};
    double best = 1e9, best_cpu = 1e9;
    size_t months = 0, series = 0;
    for (int run = 0; run < 5; run++) {
        months = series = 0;
        double t = cw_now();
        struct timespec c0, c1;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
        for (size_t c = 0; c < n_com; c++)
            for (int p = 0; p < 3; p++) {
                cw_supply_timeline *tl;
                if (cw_supply_timeline_build(&tl, s, coms[c], partners[p]))
                    continue;
                series++;
                for (size_t i = 0; i < cw_supply_timeline_months(tl); i++, months++)
                    cw_supply_timeline_level(tl, r, i, true, NULL);
                cw_supply_timeline_free(tl);
            }
        double dt = cw_now() - t;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
        double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) * 1e-9;
        if (dt < best)
            best = dt;
        if (cpu < best_cpu)
            best_cpu = cpu;
    }
    printf("recompute all indicators and levels: %zu commodity x partner series, %zu series-months,"
           " %zu rules: %.3f s wall, %.3f s CPU (best of 5), %.0f series-months per CPU second;"
           " ratio to the 0.5 s bound %.2f (wall)\n",
           series, months, cw_supply_rules_count(r), best, best_cpu, (double)months / best_cpu,
           best / 0.5);
    cw_supply_rules_free(r);
    cw_supply_close(s);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return 0;
}
