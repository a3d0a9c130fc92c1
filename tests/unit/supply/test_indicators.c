/* test_indicators.c: structural indicators against hand-computed values. */
#include <math.h>

#include "chainwatch/errors.h"
#include "chainwatch/supply.h"
#include "harness.h"

#define NEAR(a, b, eps) CHECK(fabs((a) - (b)) <= (eps))

static void test_concentration(void)
{
    cw_supply_conc c;
    const double v[] = {50, 30, 20};
    REQUIRE(cw_supply_concentration(&c, v, 3, 0) == 0);
    NEAR(c.total, 100, 1e-12);
    NEAR(c.hhi, 0.25 + 0.09 + 0.04, 1e-12); /* 0.38 */
    NEAR(c.top_share, 0.5, 1e-12);
    CHECK_EQ_INT(c.top_index, 0);
    NEAR(c.ens, 1 / 0.38, 1e-12);
    /* against a world total that includes unlisted producers */
    REQUIRE(cw_supply_concentration(&c, v, 3, 200) == 0);
    NEAR(c.hhi, 0.0625 + 0.0225 + 0.01, 1e-12);
    NEAR(c.top_share, 0.25, 1e-12);
    /* a rounded world total below the sum falls back to the sum */
    const double w[] = {60, 50};
    REQUIRE(cw_supply_concentration(&c, w, 2, 100) == 0);
    NEAR(c.total, 110, 1e-12);
    /* single supplier: HHI 1, one effective supplier */
    const double one[] = {7};
    REQUIRE(cw_supply_concentration(&c, one, 1, 0) == 0);
    NEAR(c.hhi, 1, 1e-12);
    NEAR(c.ens, 1, 1e-12);
    const double bad[] = {1, -1};
    CHECK(cw_supply_concentration(&c, bad, 2, 0) == CW_EINVAL);
    const double zero[] = {0, 0};
    CHECK(cw_supply_concentration(&c, zero, 2, 0) == CW_EINVAL);
    const double nan_[] = {1, NAN};
    CHECK(cw_supply_concentration(&c, nan_, 2, 0) == CW_EINVAL);
}

static void test_wgi(void)
{
    NEAR(cw_supply_wgi_scale(0), 5, 1e-12);
    NEAR(cw_supply_wgi_scale(2.5), 0, 1e-12);
    NEAR(cw_supply_wgi_scale(-2.5), 10, 1e-12);
    NEAR(cw_supply_wgi_scale(1.0), 3, 1e-12);
    NEAR(cw_supply_wgi_scale(3.0), 0, 1e-12);   /* clamped */
    NEAR(cw_supply_wgi_scale(-3.0), 10, 1e-12); /* clamped */
    const double sh[] = {0.75, 0.25}, g[] = {8, 2};
    NEAR(cw_supply_wgi_hhi(sh, g, 2), 0.5625 * 8 + 0.0625 * 2, 1e-12); /* 4.625 */
}

static void test_nir(void)
{
    NEAR(cw_supply_nir(100, 300, 50), 250.0 / 350.0, 1e-12);
    CHECK(isnan(cw_supply_nir(0, 10, 10)));
    NEAR(cw_supply_nir(100, 0, 50), -1.0, 1e-12); /* a net exporter */
    NEAR(cw_supply_nir(0, 10, 0), 1.0, 1e-12);    /* no production: fully reliant */
}

int main(void)
{
    RUN(test_concentration);
    RUN(test_wgi);
    RUN(test_nir);
    return cw_test_done();
}
