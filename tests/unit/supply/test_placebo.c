/*
 * test_placebo.c: the backtest's second placebo figure (fourteenth stop), each event shifted by
 * its own draw of the shifts (cw_supply_placebo_independent), on planted result matrices:
 *  - a perfect detector (every event hit at its real date, never at a shifted one) reaches the
 *    smallest possible p, 1 / (draws + 1), where the common-shift test stops at 1 / 27;
 *  - a detector firing at random (real and shifted results drawn alike) gives p far from 0: over
 *    200 planted worlds the median p is large and p < 0.05 comes about as often as it should
 *    (the test's size), not more;
 *  - events without data under a shift leave that draw's statistic; no data anywhere: NAN;
 *  - events sharing one series (identical rows) look independent to the independent test and
 *    give a far smaller p than when shifted together (clustered): what the assumption costs;
 *  - a seed gives the same p every time.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/supply.h"
#include "harness.h"

#define NS 26
#define NEV 10

static double common_shift_p(const unsigned char *res, size_t n_ev, double actual)
{
    long good = 0, n = 0;
    for (size_t k = 0; k < NS; k++) {
        long h = 0, c = 0;
        for (size_t i = 0; i < n_ev; i++) {
            c += res[i * NS + k] != 2;
            h += res[i * NS + k] == 0;
        }
        if (!c)
            continue;
        n++;
        good += (double)h / (double)c >= actual - 1e-12;
    }
    return (1.0 + (double)good) / (1.0 + (double)n);
}

static void test_perfect_detector(void)
{
    unsigned char res[NEV * NS];
    memset(res, 1, sizeof res); /* every shifted window: data, no alert */
    long good = -1, used = -1;
    double mean = -1;
    double p = cw_supply_placebo_independent(res, NULL, NEV, NS, 1.0, 9999, 7, &good, &used, &mean);
    CHECK_EQ_INT(good, 0);
    CHECK_EQ_INT(used, 9999);
    CHECK(mean == 0.0);
    CHECK(fabs(p - 1.0 / 10000.0) < 1e-15);
    /* the common-shift test can do no better than 1 / 27 on the same world */
    CHECK(fabs(common_shift_p(res, NEV, 1.0) - 1.0 / 27.0) < 1e-15);
    /* the real hit rate 0.9 against shifted 0: still the minimum */
    p = cw_supply_placebo_independent(res, NULL, NEV, NS, 0.9, 9999, 7, &good, NULL, NULL);
    CHECK(fabs(p - 1.0 / 10000.0) < 1e-15);
}

static void test_random_detector(void)
{
    cw_supply_rng rng;
    cw_supply_rng_seed(&rng, 2026);
    int n_world = 200, small = 0;
    double ps[200];
    for (int w = 0; w < n_world; w++) {
        unsigned char res[NEV * NS];
        long h = 0;
        for (int i = 0; i < NEV; i++) {
            for (int k = 0; k < NS; k++)
                res[i * NS + k] = cw_supply_rng_uniform(&rng) < 0.4 ? 0 : 1;
            h += cw_supply_rng_uniform(&rng) < 0.4; /* the real date: the same chance */
        }
        double p = cw_supply_placebo_independent(res, NULL, NEV, NS, (double)h / NEV, 999,
                                                 (uint64_t)w + 1, NULL, NULL, NULL);
        REQUIRE(isfinite(p));
        ps[w] = p;
        small += p < 0.05;
    }
    double med = cw_supply_median(ps, (size_t)n_world);
    fprintf(stderr, "  random detector: median p %.3f, p < 0.05 in %d of %d worlds\n", med, small,
            n_world);
    CHECK(med > 0.3);
    CHECK(small <= 20); /* a valid test: about 5 % (binomial sd 1.5 %), never near 100 % */
}

static void test_no_data(void)
{
    unsigned char res[3 * NS];
    memset(res, 2, sizeof res);
    CHECK(isnan(cw_supply_placebo_independent(res, NULL, 3, NS, 1.0, 99, 1, NULL, NULL, NULL)));
    CHECK(isnan(cw_supply_placebo_independent(res, NULL, 3, NS, NAN, 99, 1, NULL, NULL, NULL)));
    /* event 0 hit under every shift, event 1 never with data, event 2 missed under every
     * shift: every draw's statistic is 1 / 2, whatever event 1 draws */
    for (int k = 0; k < NS; k++) {
        res[0 * NS + k] = 0;
        res[2 * NS + k] = 1;
    }
    long good, used;
    double mean;
    double p = cw_supply_placebo_independent(res, NULL, 3, NS, 0.5, 999, 1, &good, &used, &mean);
    CHECK_EQ_INT(used, 999);
    CHECK_EQ_INT(good, 999);
    CHECK(fabs(mean - 0.5) < 1e-12);
    CHECK(p == 1.0);
}

static void test_shared_series(void)
{
    /* two events scored on one series: identical rows, a hit under 1 shift of 26, both hit at
     * their real dates. Shifted independently both hit with chance (1/26)^2; together 1/26. */
    unsigned char res[2 * NS];
    memset(res, 1, sizeof res);
    res[0 * NS + 5] = res[1 * NS + 5] = 0;
    const int cl[2] = {0, 0};
    double pi = cw_supply_placebo_independent(res, NULL, 2, NS, 1.0, 99999, 3, NULL, NULL, NULL);
    double pc = cw_supply_placebo_independent(res, cl, 2, NS, 1.0, 99999, 3, NULL, NULL, NULL);
    fprintf(stderr, "  shared series: independent p %.5f, clustered p %.5f\n", pi, pc);
    CHECK(pi < 0.004);
    CHECK(pc > 0.033 && pc < 0.044);
    /* shifted together, the two rows are one series: the common-shift test's 2 / 27 less its
     * resolution (1 of 26 shifts as good, against 1 + 1 of 27) */
    CHECK(fabs(common_shift_p(res, 2, 1.0) - 2.0 / 27.0) < 1e-12);
}

static void test_seeded(void)
{
    unsigned char res[NEV * NS];
    cw_supply_rng rng;
    cw_supply_rng_seed(&rng, 5);
    for (size_t i = 0; i < sizeof res; i++)
        res[i] = (unsigned char)(cw_supply_rng_next(&rng) % 3);
    double a = cw_supply_placebo_independent(res, NULL, NEV, NS, 0.6, 9999, 42, NULL, NULL, NULL);
    double b = cw_supply_placebo_independent(res, NULL, NEV, NS, 0.6, 9999, 42, NULL, NULL, NULL);
    double c = cw_supply_placebo_independent(res, NULL, NEV, NS, 0.6, 9999, 43, NULL, NULL, NULL);
    CHECK(a == b);
    CHECK(isfinite(c) &&
          fabs(a - c) < 0.02); /* another seed: the same p within Monte Carlo error */
}

int main(void)
{
    RUN(test_perfect_detector);
    RUN(test_random_detector);
    RUN(test_no_data);
    RUN(test_shared_series);
    RUN(test_seeded);
    return cw_test_done();
}
