/*
 * bench_addrhist.c: an address page read through the address-history index
 * (cw_query_address_page_ix) against the walk of the store's links (cw_query_address_page), in
 * one process and warm (every page is read once first), so that what differs is the store
 * reads alone: no HTTP, no JSON, no other work of the server. Alternates the two per round
 * and prints, per mode, the thread's CPU time per page (median over the rounds) and the links
 * followed per page, for the addresses of a file (offset 0, limit 25: the server bench's
 * lookups) and for one address at several offsets (deep pages). Not a test.
 *
 * usage: bench_addrhist STORE ADDRS_FILE DEEP_ADDR [ROUNDS]   (default 5 rounds)
 * The store needs its index (chainwatch addrindex).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chainwatch/btc/addrhist.h"
#include "chainwatch/btc/query.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* CPU seconds for reading each of the n addresses' page at offset (limit 25); *links: links. */
static double pass(const cw_chainstore *cs, const cw_addrhist *ix, char **addrs, size_t n,
                   uint64_t offset, uint64_t *links)
{
    double t0 = cpu_now();
    *links = 0;
    for (size_t i = 0; i < n; i++) {
        cw_addr_page p;
        if (cw_query_address_page_ix(&p, cs, ix, addrs[i], offset, 25) == 0) {
            *links += p.links;
            cw_query_address_page_free(&p);
        }
    }
    return cpu_now() - t0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_addrhist STORE ADDRS_FILE DEEP_ADDR [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 5;
    if (rounds < 1 || rounds > 100)
        rounds = 5;
    cw_chainstore *cs = NULL;
    cw_addrhist *ix = NULL;
    if (cw_chainstore_open(&cs, argv[1], false, CW_NET_MAIN) || cw_addrhist_open(&ix, cs)) {
        fprintf(stderr, "%s: %s\n", argv[1], cw_error_last());
        return 1;
    }
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", argv[2]);
        return 1;
    }
    char line[256], **addrs = NULL;
    size_t n = 0, cap = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0])
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            char **a = realloc(addrs, cap * sizeof *a);
            if (!a)
                return 1;
            addrs = a;
        }
        addrs[n++] = strdup(line);
    }
    fclose(f);
    char *deep[1] = {argv[3]};
    const uint64_t offs[] = {0, 1000, 60000};
    const size_t n_offs = sizeof offs / sizeof offs[0];
    uint64_t links;
    /* warm both */
    pass(cs, NULL, addrs, n, 0, &links);
    pass(cs, ix, addrs, n, 0, &links);
    for (size_t k = 0; k < n_offs; k++)
        pass(cs, NULL, deep, 1, offs[k], &links);
    double *list[2], *dp[2][3];
    uint64_t list_links[2] = {0}, deep_links[2][3] = {{0}};
    for (int m = 0; m < 2; m++) {
        list[m] = calloc((size_t)rounds, sizeof(double));
        for (size_t k = 0; k < n_offs; k++)
            dp[m][k] = calloc((size_t)rounds, sizeof(double));
    }
    for (int r = 0; r < rounds; r++) {
        for (int j = 0; j < 2; j++) {
            int m = (r + j) % 2; /* 0: walk, 1: index; the order swapped every round */
            const cw_addrhist *use = m ? ix : NULL;
            list[m][r] = pass(cs, use, addrs, n, 0, &list_links[m]) / (double)n;
            for (size_t k = 0; k < n_offs; k++) {
                double t = 0;
                for (int i = 0; i < 20; i++)
                    t += pass(cs, use, deep, 1, offs[k], &deep_links[m][k]);
                dp[m][k][r] = t / 20;
            }
        }
    }
    static const char *const names[2] = {"walk (no index)", "index"};
    for (int m = 0; m < 2; m++) {
        qsort(list[m], (size_t)rounds, sizeof(double), cmp_dbl);
        printf("%-16s %zu addresses, offset 0: %.2f us CPU per page (median of %d rounds), %.2f "
               "links per page\n",
               names[m], n, list[m][rounds / 2] * 1e6, rounds, (double)list_links[m] / (double)n);
        for (size_t k = 0; k < n_offs; k++) {
            qsort(dp[m][k], (size_t)rounds, sizeof(double), cmp_dbl);
            printf("%-16s %s offset %" PRIu64 ": %.1f us CPU per page, %" PRIu64 " links\n",
                   names[m], argv[3], offs[k], dp[m][k][rounds / 2] * 1e6, deep_links[m][k]);
        }
    }
    for (int m = 0; m < 2; m++) {
        free(list[m]);
        for (size_t k = 0; k < n_offs; k++)
            free(dp[m][k]);
    }
    for (size_t i = 0; i < n; i++)
        free(addrs[i]);
    free(addrs);
    cw_addrhist_close(ix);
    cw_chainstore_close(cs);
    return 0;
}
