/*
 * harness.h: the unit-test harness. Each tests/unit/<module>/test_<name>.c is its own executable
 * run by CTest in its own process. CHECK records a failure and goes on; REQUIRE stops the test
 * function. cw_test_data() finds ../shared/data and skips (exit 77) with a message when absent.
 */
#ifndef CW_TEST_HARNESS_H
#define CW_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern int cw_test_failures;
extern int cw_test_checks;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        cw_test_checks++;                                                                          \
        if (!(cond)) {                                                                             \
            cw_test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        cw_test_checks++;                                                                          \
        if (!(cond)) {                                                                             \
            cw_test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond);             \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long cw_a_ = (long long)(a), cw_b_ = (long long)(b);                                  \
        cw_test_checks++;                                                                          \
        if (cw_a_ != cw_b_) {                                                                      \
            cw_test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, %s == %lld\n", __FILE__,          \
                    __LINE__, #a, cw_a_, #b, cw_b_);                                               \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                         \
    do {                                                                                           \
        const char *cw_a_ = (a), *cw_b_ = (b);                                                     \
        cw_test_checks++;                                                                          \
        if (!cw_a_ || !cw_b_ || strcmp(cw_a_, cw_b_)) {                                            \
            cw_test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: CHECK_EQ_STR failed: %s == \"%s\", expected \"%s\"\n",         \
                    __FILE__, __LINE__, #a, cw_a_ ? cw_a_ : "(null)", cw_b_ ? cw_b_ : "(null)");   \
        }                                                                                          \
    } while (0)

#define RUN(fn) cw_test_run(#fn, fn)

void cw_test_run(const char *name, void (*fn)(void));
/* Prints "N passed, N failed" and returns the process exit code. */
int cw_test_done(void);
/* Path of a file under the shared data folder, or exits 77 (skip) with a message. */
const char *cw_test_data(const char *rel);
/* A fresh temporary directory (removed at exit unless CW_KEEP_TMP is set). */
const char *cw_test_tmpdir(void);
/* Exits 77 (skipped) after printing why. */
_Noreturn void cw_test_skip(const char *why);

#endif
