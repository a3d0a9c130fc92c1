/*
 * test_store_lookup.c: the chain store's owner searches and its warm-up, on a generated world
 * (20,000 txs, seed 3, the default heist: fan-outs and consolidations make outputs per tx
 * uneven, which is what an interpolation guess must survive).
 *  - every output and every input maps back to the tx whose range holds it
 *    (cw_chainstore_out_tx / cw_chainstore_in_tx, interpolation search with a guard row),
 *    checked against the ranges cw_chainstore_tx_range gives;
 *  - a handle advised random (the server's) asks for a lookup's pages in batches
 *    (cw_chainstore_prefetch_*), and its address answers equal a plain handle's for every
 *    100th address and the most active ones, at several pages; a plain handle's batches stay
 *    empty, and a batch past CW_PREFETCH_MAX entries is asked for and goes on;
 *  - cw_chainstore_warm reads every byte of the store's files with an ample budget, nothing
 *    with a zero budget or when told to stop, and stops at the budget otherwise;
 *  - a reader beside a writer: a handle opened on the first half of the chain keeps answering
 *    every address's last output for its published state after a writer in another process
 *    appended the second half (moving last outputs in place, past the files as the reader
 *    mapped them) and was killed before its commit; stop 14's build answered "no output" for
 *    every such address.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/query.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/store.h"
#include "gen_world.h"
#include "harness.h"

static cw_chainstore *cs;
static char store[1100];

static void test_owner_of_every_output_and_input(void)
{
    cw_chainstore_counts k = cw_chainstore_counts_get(cs);
    REQUIRE(k.txs > 1000);
    uint64_t bad_out = 0, bad_in = 0, outs = 0, ins = 0;
    for (uint64_t t = 0; t < k.txs; t++) {
        uint64_t i0, i1, o0, o1;
        cw_chainstore_tx_range(cs, t, &i0, &i1, &o0, &o1);
        for (uint64_t o = o0; o < o1; o++, outs++)
            bad_out += cw_chainstore_out_tx(cs, o) != t;
        for (uint64_t i = i0; i < i1; i++, ins++)
            bad_in += cw_chainstore_in_tx(cs, i) != t;
    }
    CHECK_EQ_INT(outs, k.outs);
    CHECK_EQ_INT(ins, k.ins);
    CHECK_EQ_INT(bad_out, 0);
    CHECK_EQ_INT(bad_in, 0);
    /* the ends */
    CHECK_EQ_INT(cw_chainstore_out_tx(cs, 0), 0);
    CHECK_EQ_INT(cw_chainstore_out_tx(cs, k.outs - 1), k.txs - 1);
}

static int calls;
static uint64_t last_done;
static bool stop_after_two(void *arg, uint64_t done)
{
    (void)arg;
    last_done = done;
    return ++calls <= 2;
}

/* cw_query_address on both handles: the same JSON. */
static int same_answer(cw_chainstore *pr, uint64_t a, uint64_t offset, uint64_t limit)
{
    char s[CW_ADDR_STR_MAX];
    json_t *x = NULL, *y = NULL;
    cw_query_addr_string(s, cs, (uint32_t)a);
    int rx = cw_query_address(&x, cs, s, offset, limit);
    int ry = cw_query_address(&y, pr, s, offset, limit);
    int same = rx == ry && (rx || json_equal(x, y));
    json_decref(x);
    json_decref(y);
    return same;
}

static void test_point_reads(void)
{
    cw_chainstore *pr = NULL;
    REQUIRE(cw_chainstore_open(&pr, store, false, CW_NET_REGTEST) == 0);
    cw_chainstore_prefetch p;
    cw_chainstore_prefetch_init(&p, pr);
    cw_chainstore_prefetch_addr(&p, 1);
    cw_chainstore_prefetch_txid(&p, 1);
    CHECK_EQ_INT(p.n, 0); /* not advised random: the hints do nothing */
    cw_chainstore_advise_random(pr);
    cw_chainstore_counts k = cw_chainstore_counts_get(pr);
    cw_chainstore_prefetch_addr(&p, 1);
    CHECK_EQ_INT(p.n, 2); /* addrsum.col and addrlast.col */
    for (uint64_t t = 0; t < 4 * CW_PREFETCH_MAX; t++)
        cw_chainstore_prefetch_txid(&p, (t * 7919) % k.txs); /* scattered: a page each */
    CHECK(p.n > 0 && p.n <= CW_PREFETCH_MAX);
    cw_chainstore_prefetch_go(&p);
    CHECK_EQ_INT(p.n, 0);
    /* the answers: every 100th address, and the 20 with the most outputs */
    uint64_t top[20] = {0}, top_n[20] = {0}, checked = 0, differ = 0;
    for (uint64_t a = 0; a < k.addrs; a++) {
        const cw_row_addrsum *r = cw_chainstore_addrsum(cs, a);
        uint64_t n = r ? r->n_out : 0;
        for (int i = 0; i < 20; i++) {
            if (n > top_n[i]) {
                memmove(&top[i + 1], &top[i], (size_t)(19 - i) * sizeof *top);
                memmove(&top_n[i + 1], &top_n[i], (size_t)(19 - i) * sizeof *top_n);
                top[i] = a;
                top_n[i] = n;
                break;
            }
        }
    }
    CHECK(top_n[0] > 50); /* an address with pages of history */
    static const uint64_t pages[][2] = {{0, 25},  {0, 1},    {3, 2},
                                        {24, 25}, {0, 1000}, {1u << 20, 5}};
    for (uint64_t a = 0; a < k.addrs + 20; a = a + 100 < k.addrs ? a + 100
                                               : a < k.addrs     ? k.addrs
                                                                 : a + 1) {
        uint64_t id = a < k.addrs ? a : top[a - k.addrs];
        for (size_t i = 0; i < sizeof pages / sizeof *pages; i++, checked++)
            differ += !same_answer(pr, id, pages[i][0], pages[i][1]);
    }
    CHECK(checked > 600);
    CHECK_EQ_INT(differ, 0);
    cw_chainstore_close(pr);
}

static void test_warm(void)
{
    uint64_t bytes = 0, total = 0;
    REQUIRE(cw_chainstore_warm(store, NULL, 0, UINT64_MAX, NULL, NULL, &bytes, &total) == 0);
    CHECK(total > (1u << 20));
    CHECK_EQ_INT(bytes, total);
    REQUIRE(cw_chainstore_warm(store, NULL, 0, 0, NULL, NULL, &bytes, &total) == 0);
    CHECK_EQ_INT(bytes, 0);
    calls = 0;
    REQUIRE(cw_chainstore_warm(store, NULL, 0, UINT64_MAX, stop_after_two, NULL, &bytes, &total) ==
            0);
    CHECK(bytes > 0 && bytes <= 2u << 20); /* two 1 MiB reads at most */
    CHECK_EQ_INT(last_done, bytes);        /* asked a third time with the bytes read so far */
    REQUIRE(cw_chainstore_warm(store, NULL, 0, 3u << 20, NULL, NULL, &bytes, &total) == 0);
    CHECK(bytes > 0 && bytes <= 3u << 20);
    CHECK(cw_chainstore_warm("/nonexistent-store", NULL, 0, UINT64_MAX, NULL, NULL, &bytes,
                             &total) == 0);
    CHECK_EQ_INT(bytes, 0);
}

static char world[1024];
static uint64_t world_blocks;

static void test_reader_beside_killed_writer(void)
{
    char blocks[1100], half[1100], path[1200];
    snprintf(blocks, sizeof blocks, "%s/blocks", world);
    snprintf(half, sizeof half, "%s/half", world);
    cw_ingest_opts io = {.blocks_dir = blocks,
                         .store_dir = half,
                         .net = CW_NET_REGTEST,
                         .to_height = (int64_t)(world_blocks / 2),
                         .threads = 1};
    cw_ingest_stats is;
    REQUIRE(cw_ingest_btc(&io, &is) == 0);
    cw_chainstore *r;
    REQUIRE(cw_chainstore_open(&r, half, false, CW_NET_REGTEST) == 0);
    cw_chainstore_counts c = cw_chainstore_counts_get(r);
    snprintf(path, sizeof path, "%s/outlink.col", half);
    struct stat st;
    REQUIRE(stat(path, &st) == 0);
    uint64_t mapped = ((uint64_t)st.st_size - CW_COLUMN_HEADER) / 8; /* rows the reader maps */
    uint64_t *last = malloc(c.addrs * sizeof *last);
    REQUIRE(last != NULL);
    for (uint64_t a = 0; a < c.addrs; a++)
        last[a] = cw_chainstore_addr_last(r, a);
    /* the writer: the rest of the chain, killed at its commit's first step (rows and in-place
     * last outputs written, MANIFEST not replaced) */
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        setenv("CW_TEST_CRASH_POINT", "1", 1);
        io.to_height = -1;
        io.commit_txs = UINT64_MAX;
        cw_ingest_btc(&io, &is);
        _exit(3); /* not killed: the test below fails */
    }
    int status;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    /* the in-place heads as the file now holds them */
    snprintf(path, sizeof path, "%s/addrlast.col", half);
    int fd = open(path, O_RDONLY);
    REQUIRE(fd >= 0);
    uint64_t moved = 0, beyond = 0, differ = 0;
    for (uint64_t a = 0; a < c.addrs; a++) {
        uint64_t h;
        REQUIRE(pread(fd, &h, 8, (off_t)(CW_COLUMN_HEADER + a * 8)) == 8);
        moved += h != last[a];
        beyond += h != last[a] && h >= mapped;
        differ += cw_chainstore_addr_last(r, a) != last[a];
    }
    close(fd);
    printf("# %llu addresses, %llu heads moved by the killed writer, %llu past the reader's "
           "mapping (%llu rows)\n",
           (unsigned long long)c.addrs, (unsigned long long)moved, (unsigned long long)beyond,
           (unsigned long long)mapped);
    CHECK(moved >= 10);
    CHECK(beyond >= 10);
    CHECK_EQ_INT(differ, 0);
    free(last);
    cw_chainstore_close(r);
}

int main(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/world", cw_test_tmpdir());
    snprintf(store, sizeof store, "%s/store", dir);
    cw_gen_stats gs;
    if (gen_world(dir, 20000, 3, NULL, &gs, &cs))
        return 1;
    snprintf(world, sizeof world, "%s", dir);
    world_blocks = gs.blocks;
    RUN(test_owner_of_every_output_and_input);
    RUN(test_point_reads);
    RUN(test_warm);
    RUN(test_reader_beside_killed_writer);
    cw_chainstore_close(cs);
    return cw_test_done();
}
