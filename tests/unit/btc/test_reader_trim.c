/*
 * test_reader_trim.c: a chain store's reader beside a writer whose rollbacks shrink the store
 * and whose closes trim the files. A generated regtest world (cw_gen_run) is ingested; then,
 * round after round, a read-only handle is open on the whole chain while a writer in another
 * process rolls back to a shorter branch (a few thousand rows fewer in every column) and closes
 * cleanly, which trims the files to the rows it keeps unless cw_store_trim_safe sees a handle
 * from before the rollback. The handle then reads every row it publishes, in a child process:
 * it never dies of SIGBUS, its check says "reopen" (CW_EBUSY), and the files keep their tail
 * until the next writer's close with no such handle open, which trims them. The writer then
 * ingests the chain again. Last, a reader process loops (open, read everything, hold the handle
 * until a rollback moves its generation, read everything again, check, close) while the writer
 * rolls back and re-ingests, and is never killed; the store ends byte for byte the store of a
 * direct ingest (LOCK aside). With the trim done regardless of cw_store_trim_safe, every round
 * and the reader process die of SIGBUS. And a store copied without its LOCK file: a handle opened
 * before the first writer made one is not trimmed under either.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chain_view.h"
#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "harness.h"

static char world[1024], blocks[1100], store[1100], direct[1100];
static cw_gen_stats gs;

/* the handle reads everything in a child process: its wait status (SIGBUS on a trimmed map;
 * -1 when the child could not be run) */
static int view_in_child(const cw_chainstore *r)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(chain_view(r, false) != 0 ? 0 : 1);
    int st;
    return pid > 0 && waitpid(pid, &st, 0) == pid ? st : -1;
}

static int ingest(const char *dir)
{
    cw_ingest_opts io = {.blocks_dir = blocks,
                         .store_dir = dir,
                         .net = CW_NET_REGTEST,
                         .to_height = -1,
                         .threads = 1};
    cw_ingest_stats is;
    int rc = cw_ingest_btc(&io, &is);
    if (rc)
        fprintf(stderr, "ingest %s: %s\n", dir, cw_error_last());
    return rc;
}

/* the writer, in another process: rolls back to `keep` blocks and closes (the trim) */
static int rollback_in_child(uint64_t keep)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        cw_chainstore *w;
        if (cw_chainstore_open(&w, store, true, CW_NET_REGTEST) || cw_chainstore_rollback(w, keep))
            _exit(3);
        _exit(cw_chainstore_close(w) == 0 ? 0 : 4);
    }
    int st;
    return pid > 0 && waitpid(pid, &st, 0) == pid ? st : -1;
}

static long long file_size(const char *dir, const char *name)
{
    char p[1300];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat sb;
    return stat(p, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* the length of the row files a rollback shrinks */
static long long tails(const char *dir)
{
    static const char *const cols[] = {"txs.col", "txid.col", "ins.col", "outs.col", "addrs.col"};
    long long n = 0;
    for (int i = 0; i < 5; i++)
        n += file_size(dir, cols[i]);
    return n;
}

static void same_store(const char *a, const char *b)
{
    char cmd[2600];
    snprintf(cmd, sizeof cmd, "diff -r -q -x LOCK '%s' '%s' >&2", a, b);
    CHECK(system(cmd) == 0);
}

/* Rounds with the handle open across the rollback and its close: every one a trim under it. */
static void test_trim_beside_handle(void)
{
    unsigned rounds = 0, died = 0, kept = 0;
    for (unsigned i = 0; i < 8; i++) {
        uint64_t keep = gs.blocks * (2 + i % 5) / 8; /* a quarter to three quarters */
        cw_chainstore *r;
        REQUIRE(cw_chainstore_open(&r, store, false, CW_NET_REGTEST) == 0);
        cw_chainstore_counts c = cw_chainstore_counts_get(r);
        CHECK_EQ_INT(c.blocks, gs.blocks);
        REQUIRE(chain_view(r, false) != 0);
        long long full = tails(store);
        (void)c;
        int st = rollback_in_child(keep);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        st = view_in_child(r);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr,
                    "  round %u (rollback to %llu blocks): the reader's handle died after "
                    "the writer's close (wait status %#x%s)\n",
                    i, (unsigned long long)keep, (unsigned)st,
                    WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS ? ", SIGBUS" : "");
            died++;
        }
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        CHECK_EQ_INT(cw_chainstore_snapshot_check(r), CW_EBUSY);
        cw_error_clear();
        /* the close kept the files' length under the handle */
        long long held = tails(store);
        kept += held == full;
        CHECK(held == full);
        /* a handle opened after the rollback does not hold the next trim back */
        cw_chainstore *r2;
        REQUIRE(cw_chainstore_open(&r2, store, false, CW_NET_REGTEST) == 0);
        CHECK_EQ_INT(cw_chainstore_counts_get(r2).blocks, keep);
        cw_chainstore_close(r);
        st = rollback_in_child(keep); /* nothing to roll back: open and close */
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        CHECK(tails(store) < full);
        CHECK(chain_view(r2, false) != 0);
        CHECK_EQ_INT(cw_chainstore_snapshot_check(r2), 0);
        cw_chainstore_close(r2);
        REQUIRE(ingest(store) == 0);
        rounds++;
    }
    printf("# %u rounds: the handle died in %u; the files kept their length under it in %u\n",
           rounds, died, kept);
    same_store(direct, store);
}

/* A reader process that reads while the writer rolls back and ingests again, many rounds. */
static void test_reader_process_beside_writer(void)
{
    int go[2];
    REQUIRE(pipe(go) == 0);
    fflush(NULL);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(go[1]);
        unsigned opens = 0, flagged = 0;
        for (;;) {
            cw_chainstore *r;
            if (cw_chainstore_open(&r, store, false, CW_NET_REGTEST)) {
                cw_error_clear(); /* a writer's recovery in progress: ask again */
                continue;
            }
            /* read, hold the handle until a rollback moves its generation (or 3 s), then until
             * the writer's close shrinks outs.col (or 300 ms: it keeps its length while this
             * handle is open), and read everything again */
            long long len = file_size(store, "outs.col");
            uint64_t a = chain_view(r, false);
            for (int k = 0; k < 1500 && cw_chainstore_snapshot_check(r) == 0; k++)
                usleep(2000);
            cw_error_clear();
            for (int k = 0; k < 150 && file_size(store, "outs.col") >= len; k++)
                usleep(2000);
            uint64_t b = chain_view(r, false);
            int rc = cw_chainstore_snapshot_check(r);
            if (rc && rc != CW_EBUSY)
                _exit(5);
            if (rc == 0 && a != b)
                _exit(6); /* rows changed under a handle whose check passes */
            flagged += rc != 0;
            cw_error_clear();
            cw_chainstore_close(r);
            opens++;
            char x; /* the pipe closed: stop */
            fd_set fs;
            FD_ZERO(&fs);
            FD_SET(go[0], &fs);
            struct timeval tv = {0, 0};
            if (select(go[0] + 1, &fs, NULL, NULL, &tv) > 0 && read(go[0], &x, 1) <= 0)
                break;
        }
        printf("# the reader process: %u opens, %u said reopen\n", opens, flagged);
        fflush(NULL);
        _exit(flagged > 0 ? 0 : 7); /* 7: no handle was held across a rollback */
    }
    close(go[0]);
    for (unsigned i = 0; i < 12; i++) {
        int st = rollback_in_child(gs.blocks * (1 + i % 6) / 8);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        usleep(400000); /* the shorter store stays a while before the next ingest grows it */
        REQUIRE(ingest(store) == 0);
    }
    close(go[1]);
    int st;
    REQUIRE(waitpid(pid, &st, 0) == pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fprintf(stderr, "  the reader process ended with wait status %#x%s\n", (unsigned)st,
                WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS ? " (SIGBUS)" : "");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* no reader left: the next close trims, and the store is the direct ingest's */
    st = rollback_in_child(gs.blocks);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    same_store(direct, store);
}

/* A store copied without its LOCK file: a read-only open creates nothing and holds byte 8 of
 * blocks.col instead; the first writer creates LOCK, rolls back and closes beside the handle:
 * no trim under it (h-reader18's first measure: SIGBUS), its check says reopen, and the next
 * close with no such handle open trims. */
static void test_trim_without_lock_file(void)
{
    char lk[1200];
    snprintf(lk, sizeof lk, "%s/LOCK", store);
    REQUIRE(unlink(lk) == 0);
    cw_chainstore *r;
    REQUIRE(cw_chainstore_open(&r, store, false, CW_NET_REGTEST) == 0);
    CHECK(access(lk, F_OK) != 0); /* a read-only open creates nothing */
    REQUIRE(chain_view(r, false) != 0);
    long long full = tails(store);
    int st = rollback_in_child(gs.blocks / 3);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(access(lk, F_OK) == 0); /* the writer made it */
    st = view_in_child(r);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fprintf(stderr,
                "  without LOCK: the reader's handle died after the writer's close (wait "
                "status %#x)\n",
                (unsigned)st);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_EQ_INT(cw_chainstore_snapshot_check(r), CW_EBUSY);
    cw_error_clear();
    CHECK(tails(store) == full);
    cw_chainstore_close(r);
    st = rollback_in_child(gs.blocks / 3); /* nothing to roll back: open and close */
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(tails(store) < full);
    REQUIRE(ingest(store) == 0);
    same_store(direct, store);
}

int main(void)
{
    snprintf(world, sizeof world, "%s/world", cw_test_tmpdir());
    snprintf(blocks, sizeof blocks, "%s/blocks", world);
    snprintf(store, sizeof store, "%s/s", cw_test_tmpdir());
    snprintf(direct, sizeof direct, "%s/direct", cw_test_tmpdir());
    cw_gen_opts go = {0};
    go.out_dir = world;
    go.txs = 10500; /* the built-in scenario's timeline needs 10,245 */
    go.seed = 18;
    go.net = CW_NET_REGTEST;
    if (cw_gen_run(&go, &gs)) {
        fprintf(stderr, "gen: %s\n", cw_error_last());
        return 1;
    }
    if (ingest(store) || ingest(direct))
        return 1;
    RUN(test_trim_beside_handle);
    RUN(test_reader_process_beside_writer);
    RUN(test_trim_without_lock_file);
    return cw_test_done();
}
