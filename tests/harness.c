/*
 * harness.c: see harness.h. Test processes are short-lived; the few statics here belong to
 * the test process itself.
 */
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

int cw_test_failures;
int cw_test_checks;
static int tests_run, tests_failed;
static char tmpdir_path[PATH_MAX];

void cw_test_run(const char *name, void (*fn)(void))
{
    int before = cw_test_failures;
    fn();
    tests_run++;
    if (cw_test_failures != before) {
        tests_failed++;
        fprintf(stderr, "FAIL %s\n", name);
    } else {
        fprintf(stderr, "ok   %s\n", name);
    }
}

int cw_test_done(void)
{
    printf("%d passed, %d failed (%d checks)\n", tests_run - tests_failed, tests_failed,
           cw_test_checks);
    /* a CHECK outside RUN() still fails the test */
    return tests_failed || cw_test_failures ? 1 : 0;
}

_Noreturn void cw_test_skip(const char *why)
{
    printf("SKIPPED: %s\n", why);
    fflush(stdout);
    exit(77);
}

const char *cw_test_data(const char *rel)
{
    static char path[PATH_MAX];
    const char *root = getenv("CW_SHARED_DATA");
    if (!root)
        root = "../shared/data";
    snprintf(path, sizeof path, "%s/%s", root, rel);
    if (access(path, R_OK) != 0) {
        char msg[PATH_MAX + 64];
        snprintf(msg, sizeof msg, "shared fixture %s is absent", path);
        cw_test_skip(msg);
    }
    return path;
}

static void remove_tmpdir(void)
{
    if (tmpdir_path[0] && !getenv("CW_KEEP_TMP")) {
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir_path);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir_path);
    }
}

const char *cw_test_tmpdir(void)
{
    if (!tmpdir_path[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir_path, sizeof tmpdir_path, "%s/cwtest.XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(tmpdir_path)) {
            perror("mkdtemp");
            exit(1);
        }
        atexit(remove_tmpdir);
    }
    return tmpdir_path;
}
