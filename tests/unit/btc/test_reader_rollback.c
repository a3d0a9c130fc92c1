/*
 * test_reader_rollback.c: a chain store's reader beside a writer that rolls back. A handle is
 * open on blocks 0..4 of btcd's fork fixtures (../shared/data/btc-synthetic-fork-blocks) when a
 * writer in another process ingests the side chain 3A-4A-5A: it rolls back blocks 3 and 4 and
 * writes the other fork's rows where theirs were. The writer is killed at each of its crash
 * points in turn (then runs to its end). After each, every row the handle publishes (blocks,
 * txids and tx metadata, inputs, outputs and their spends as published, output links,
 * addresses, their last outputs and their txid/address index lookups) reads as before, or
 * cw_chainstore_snapshot_check says "rolled back: reopen" (CW_EBUSY). Without the generation
 * bumps around the rollback (main's code) the handle reads the other fork's rows and the check
 * passes. Reopened, the handle checks clean and reads the store the writer left.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chain_view.h"
#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "harness.h"

static void copy(const char *from, const char *to)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    REQUIRE(system(cmd) == 0);
}

static void test_reader_beside_rollback(void)
{
    const char *tmp = cw_test_tmpdir();
    char a[1100], ab[1100], store[1100], p[1200], cmd[2400];
    snprintf(a, sizeof a, "%s/a", tmp);
    snprintf(ab, sizeof ab, "%s/ab", tmp);
    snprintf(store, sizeof store, "%s/s", tmp);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s'", a, ab);
    REQUIRE(system(cmd) == 0);
    static const char *const files[] = {"blk_0_to_4.dat", "blk_3A.dat", "blk_4A.dat", "blk_5A.dat"};
    for (int i = 0; i < 4; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "btc-synthetic-fork-blocks/%s", files[i]);
        const char *src = cw_test_data(rel);
        snprintf(p, sizeof p, "%s/blk%05d.dat", ab, i);
        copy(src, p);
        if (i == 0) {
            snprintf(p, sizeof p, "%s/blk00000.dat", a);
            copy(src, p);
        }
    }
    unsigned mixed = 0, flagged = 0, rounds = 0, clean_end = 0;
    for (unsigned at = 1; at <= 200 && !clean_end; at++) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", store);
        REQUIRE(system(cmd) == 0);
        cw_ingest_opts io = {
            .blocks_dir = a, .store_dir = store, .net = CW_NET_MAIN, .to_height = -1, .threads = 1};
        cw_ingest_stats is;
        REQUIRE(cw_ingest_btc(&io, &is) == 0);
        cw_chainstore *r;
        REQUIRE(cw_chainstore_open(&r, store, false, CW_NET_MAIN) == 0);
        CHECK_EQ_INT(cw_chainstore_counts_get(r).blocks, 5);
        uint64_t before = chain_view(r, true);
        fflush(NULL);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            char v[16];
            snprintf(v, sizeof v, "%u", at);
            setenv("CW_TEST_CRASH_POINT", v, 1);
            io.blocks_dir = ab;
            _exit(cw_ingest_btc(&io, &is) == 0 && is.rolled_back == 2 ? 0 : 3);
        }
        int st;
        REQUIRE(waitpid(pid, &st, 0) == pid);
        bool killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
        if (!killed) {
            CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
            clean_end = at;
        }
        uint64_t after = chain_view(r, true);
        int rc = cw_chainstore_snapshot_check(r);
        mixed += after != before;
        flagged += rc != 0;
        if (after != before && rc == 0)
            fprintf(stderr, "  crash point %u: the reader read the other fork's rows unflagged\n",
                    at);
        CHECK(after == before || rc == CW_EBUSY);
        if (rc) {
            CHECK(strstr(cw_error_last(), "rolled back") != NULL);
            cw_error_clear();
        }
        cw_chainstore_close(r);
        REQUIRE(cw_chainstore_open(&r, store, false, CW_NET_MAIN) == 0);
        chain_view(r, true);
        CHECK_EQ_INT(cw_chainstore_snapshot_check(r), 0);
        if (!killed)
            CHECK_EQ_INT(cw_chainstore_counts_get(r).blocks, 6);
        cw_chainstore_close(r);
        rounds++;
    }
    printf("# %u rounds (crash points 1..%u, then none): the reader's rows changed in %u, its "
           "check said reopen in %u\n",
           rounds, clean_end ? clean_end - 1 : rounds, mixed, flagged);
    CHECK(clean_end > 3);
    CHECK(mixed >= 2);
}

int main(void)
{
    RUN(test_reader_beside_rollback);
    return cw_test_done();
}
