/*
 * anomaly.c: anomaly detectors on (log) monthly series, all causal (the value at t uses data
 * up to t only): seasonal baseline residuals, robust z-score (median/MAD), EWMA chart,
 * two-sided tabular CUSUM and Bayesian online change-point detection (Adams & MacKay 2007)
 * with a normal-gamma prior. Also the fixed-seed generator used by tests and synthesis.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/supply.h"
#include "chainwatch/util.h"

/* ---- PRNG: splitmix64 seeding, xoshiro256** ---- */
static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void cw_supply_rng_seed(cw_supply_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t cw_supply_rng_next(cw_supply_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double cw_supply_rng_uniform(cw_supply_rng *r)
{
    return ((double)(cw_supply_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

double cw_supply_rng_normal(cw_supply_rng *r)
{
    double u1 = cw_supply_rng_uniform(r), u2 = cw_supply_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ---- helpers ---- */
/* Quickselect: partially orders v so that v[k] is the k-th smallest, v[0..k) <= v[k]. */
static void select_k(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double tmp = v[i];
                v[i] = v[j];
                v[j] = tmp;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

static double median_inplace(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    size_t k = n / 2;
    select_k(v, n, k);
    if (n % 2)
        return v[k];
    double lower = v[0];
    for (size_t i = 1; i < k; i++)
        if (v[i] > lower)
            lower = v[i];
    return 0.5 * (lower + v[k]);
}

double cw_supply_median(const double *x, size_t n)
{
    if (n == 0)
        return NAN;
    double *v = cw_malloc(n * sizeof *v);
    if (!v)
        return NAN;
    memcpy(v, x, n * sizeof *v);
    double m = median_inplace(v, n);
    cw_free(v);
    return m;
}

/* Centred 2x12 moving average of y around u (needs y[u-p/2 .. u+p/2]), NAN if any gap. */
static double centred_mean(const double *y, size_t n, size_t u, size_t p)
{
    size_t h = p / 2;
    if (u < h || u + h >= n)
        return NAN;
    double s = 0.5 * y[u - h] + 0.5 * y[u + h];
    for (size_t i = u - h + 1; i < u + h; i++)
        s += y[i];
    if (!isfinite(s))
        return NAN;
    return s / (double)p;
}

void cw_supply_seasonal_resid(double *r, const double *y, size_t n, size_t period,
                              size_t level_window)
{
    double *d = cw_malloc((n ? n : 1) * sizeof *d);
    if (!d) {
        for (size_t t = 0; t < n; t++)
            r[t] = NAN;
        return;
    }
    size_t h = period / 2;
    for (size_t t = 0; t < n; t++) {
        d[t] = NAN;
        if (!isfinite(y[t]))
            continue;
        double dev[3];
        size_t nd = 0;
        for (size_t k = 1; k <= 3; k++) {
            if (t < k * period)
                break;
            size_t u = t - k * period;
            if (u + h >= t) /* the centred window must lie before t */
                continue;
            double c = centred_mean(y, n, u, period);
            if (isfinite(c) && isfinite(y[u]))
                dev[nd++] = y[u] - c;
        }
        /* Years without a deviation count as no seasonal effect (0): the offset is the median
         * of three values, so one outlying year (a spike, a collapse) never becomes the offset
         * and cannot come back as an echo twelve months later (issue 16: with one earlier
         * year the offset was that year's deviation, spike included). */
        while (nd < 3)
            dev[nd++] = 0.0;
        d[t] = y[t] - median_inplace(dev, nd);
    }
    for (size_t t = 0; t < n; t++) {
        r[t] = NAN;
        if (t < level_window || !isfinite(d[t]))
            continue;
        double s = 0;
        for (size_t i = t - level_window; i < t; i++)
            s += d[i];
        if (isfinite(s))
            r[t] = d[t] - s / (double)level_window;
    }
    cw_free(d);
}

void cw_supply_robust_z(double *z, const double *x, size_t n, size_t window, size_t min_hist)
{
    cw_supply_robust_z_floor(z, x, n, window, min_hist, 0);
}

void cw_supply_robust_z_floor(double *z, const double *x, size_t n, size_t window, size_t min_hist,
                              double min_scale)
{
    double *h = cw_malloc((window ? window : 1) * sizeof *h);
    double *d = cw_malloc((window ? window : 1) * sizeof *d);
    for (size_t t = 0; t < n; t++) {
        z[t] = NAN;
        if (!h || !d || !isfinite(x[t]))
            continue;
        size_t m = 0;
        for (size_t i = t; i > 0 && m < window; i--)
            if (isfinite(x[i - 1]))
                h[m++] = x[i - 1];
        if (m < min_hist || m == 0)
            continue;
        double med = median_inplace(h, m);
        for (size_t i = 0; i < m; i++)
            d[i] = fabs(h[i] - med);
        double mad = median_inplace(d, m);
        double scale = 1.4826 * mad;
        if (scale < min_scale)
            scale = min_scale;
        if (!(scale > 1e-12))
            scale = 1e-12; /* a constant history: any change is extreme */
        z[t] = (x[t] - med) / scale;
    }
    cw_free(h);
    cw_free(d);
}

void cw_supply_ewma(double *ratio, const double *u, size_t n, double lambda, double L)
{
    double zs = 0;
    size_t k = 0;
    for (size_t t = 0; t < n; t++) {
        if (!isfinite(u[t])) {
            ratio[t] = NAN;
            continue;
        }
        k++;
        zs = lambda * u[t] + (1 - lambda) * zs;
        double var = lambda / (2 - lambda) * (1 - pow(1 - lambda, 2.0 * (double)k));
        ratio[t] = zs / (L * sqrt(var));
    }
}

void cw_supply_cusum(double *up, double *down, const double *u, size_t n, double k, double h)
{
    double sp = 0, sm = 0;
    for (size_t t = 0; t < n; t++) {
        if (!isfinite(u[t])) {
            if (up)
                up[t] = NAN;
            if (down)
                down[t] = NAN;
            continue;
        }
        sp = fmax(0, sp + u[t] - k);
        sm = fmax(0, sm - u[t] - k);
        if (up)
            up[t] = sp / h;
        if (down)
            down[t] = sm / h;
        if (sp >= h)
            sp = 0;
        if (sm >= h)
            sm = 0;
    }
}

size_t cw_supply_cusum_run_length(const double *u, size_t n, double k, double h)
{
    double sp = 0, sm = 0;
    for (size_t t = 0; t < n; t++) {
        sp = fmax(0, sp + u[t] - k);
        sm = fmax(0, sm - u[t] - k);
        if (sp >= h || sm >= h)
            return t + 1;
    }
    return 0;
}

void cw_supply_bocpd_defaults(cw_supply_bocpd_params *p)
{
    p->hazard = 1.0 / 24.0;
    p->mu0 = 0;
    p->kappa0 = 1;
    p->alpha0 = 1;
    p->beta0 = 1;
    p->max_run = 0;
    p->short_run = 3;
}

int cw_supply_bocpd(double *cp_prob, size_t *map_run, const double *x, size_t n,
                    const cw_supply_bocpd_params *p)
{
    /* Run lengths 0..R-1 are tracked; beyond R-1 the oldest run is pruned. */
    size_t R = p->max_run ? p->max_run + 1 : n + 1;
    if (R < 2)
        R = 2;
    double *pr = cw_calloc(R, sizeof *pr), *lp = cw_calloc(R, sizeof *lp);
    double *g = cw_calloc(R, sizeof *g), *lgd = cw_calloc(R, sizeof *lgd);
    double *mu = cw_calloc(R, sizeof *mu), *ka = cw_calloc(R, sizeof *ka);
    double *al = cw_calloc(R, sizeof *al), *be = cw_calloc(R, sizeof *be);
    int rc = 0;
    if (!pr || !lp || !g || !lgd || !mu || !ka || !al || !be) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    size_t nr = 1;
    pr[0] = 1;
    mu[0] = p->mu0;
    ka[0] = p->kappa0;
    al[0] = p->alpha0;
    be[0] = p->beta0;
    const double H = p->hazard;
    /* alpha of run r is alpha0 + r/2, so the Student-t normaliser depends on r only */
    for (size_t r = 0; r < R; r++) {
        double nu = 2 * (p->alpha0 + 0.5 * (double)r);
        lgd[r] = lgamma((nu + 1) / 2) - lgamma(nu / 2);
    }
    for (size_t t = 0; t < n; t++) {
        if (!isfinite(x[t])) {
            if (cp_prob)
                cp_prob[t] = NAN;
            if (map_run)
                map_run[t] = t ? map_run[t - 1] : 0;
            continue;
        }
        double maxl = -INFINITY;
        for (size_t r = 0; r < nr; r++) {
            double s2 = be[r] * (ka[r] + 1) / (al[r] * ka[r]);
            double nu = 2 * al[r], d = x[t] - mu[r];
            lp[r] = lgd[r] - 0.5 * log(nu * M_PI * s2) - (nu + 1) / 2 * log1p(d * d / (nu * s2));
            if (lp[r] > maxl)
                maxl = lp[r];
        }
        size_t nn = nr + 1 < R ? nr + 1 : R;
        double cp = 0;
        for (size_t r = 0; r < nn; r++)
            g[r] = 0;
        for (size_t r = 0; r < nr; r++) {
            double w = pr[r] * exp(lp[r] - maxl);
            cp += w * H;
            if (r + 1 < nn)
                g[r + 1] = w * (1 - H);
        }
        g[0] = cp;
        double tot = 0;
        for (size_t r = 0; r < nn; r++)
            tot += g[r];
        if (!(tot > 0))
            tot = 1;
        /* update sufficient statistics from the oldest run down, so each reads its old value */
        for (size_t r = nn; r-- > 1;) {
            size_t o = r - 1;
            double m = mu[o], k = ka[o], a = al[o], b = be[o];
            mu[r] = (k * m + x[t]) / (k + 1);
            ka[r] = k + 1;
            al[r] = a + 0.5;
            be[r] = b + k * (x[t] - m) * (x[t] - m) / (2 * (k + 1));
        }
        mu[0] = p->mu0;
        ka[0] = p->kappa0;
        al[0] = p->alpha0;
        be[0] = p->beta0;
        nr = nn;
        double c2 = 0, best = -1;
        size_t arg = 0;
        for (size_t r = 0; r < nr; r++) {
            pr[r] = g[r] / tot;
            if (r <= p->short_run)
                c2 += pr[r];
            if (pr[r] > best) {
                best = pr[r];
                arg = r;
            }
        }
        if (cp_prob)
            cp_prob[t] = c2;
        if (map_run)
            map_run[t] = arg;
    }
out:
    cw_free(pr);
    cw_free(lp);
    cw_free(g);
    cw_free(lgd);
    cw_free(mu);
    cw_free(ka);
    cw_free(al);
    cw_free(be);
    return rc;
}
