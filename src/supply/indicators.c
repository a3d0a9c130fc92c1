/*
 * indicators.c: structural indicators as pure functions: concentration (HHI, top share,
 * effective number of suppliers), the EU CRM governance scaling and governance-weighted HHI,
 * and net import reliance. Formulas and sources: docs/SUPPLY-INDICATORS.md.
 */
#include <math.h>

#include "chainwatch/errors.h"
#include "chainwatch/supply.h"

int cw_supply_concentration(cw_supply_conc *out, const double *values, size_t n, double total)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(values[i] >= 0))
            return cw_error_set(CW_EINVAL, "concentration: value %zu is negative or NaN", i);
        sum += values[i];
    }
    if (total <= 0)
        total = sum;
    if (!(total > 0) || sum <= 0)
        return cw_error_set(CW_EINVAL, "concentration: nothing to share (total 0)");
    if (sum > total * (1 + 1e-9))
        total = sum; /* a rounded world total below the country sum */
    out->total = total;
    out->hhi = 0;
    out->top_share = 0;
    out->top_index = 0;
    for (size_t i = 0; i < n; i++) {
        double sh = values[i] / total;
        out->hhi += sh * sh;
        if (sh > out->top_share) {
            out->top_share = sh;
            out->top_index = i;
        }
    }
    out->ens = out->hhi > 0 ? 1.0 / out->hhi : NAN;
    return 0;
}

double cw_supply_wgi_scale(double mean_estimate)
{
    double v = (2.5 - mean_estimate) * 2.0;
    if (v < 0)
        v = 0;
    if (v > 10)
        v = 10;
    return v;
}

double cw_supply_wgi_hhi(const double *shares, const double *wgi10, size_t n)
{
    double h = 0;
    for (size_t i = 0; i < n; i++)
        h += shares[i] * shares[i] * wgi10[i];
    return h;
}

double cw_supply_nir(double production, double imports, double exports)
{
    double net = imports - exports;
    double consumption = production + net;
    if (!(consumption > 0))
        return NAN;
    return net / consumption;
}
