/*
 * synth.c: a deterministic synthetic data maker (per seed) so that tests and the demo never
 * depend on ../shared. Writes, into a folder:
 *   comtrade.csv  Comtrade+ final-data columns: monthly imports (flow M) of KOR, JPN and USA
 *                 by supplier and HS6 line for every commodity in scope;
 *   prices.csv    series,date,value,unit monthly prices (synth_<commodity>);
 *   events.csv    the planted disruptions in the events-file layout (the backtest truth);
 *   truth.csv     the same disruptions with their planted effect sizes.
 * Model: value = base x share x exp(trend t + seasonality + AR(1) noise). A disruption by a
 * supplier raises its shipments to the affected partners between announcement and effective
 * month (front-loading, peak just before), then cuts them to a fraction for several months.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/supply.h"
#include "chainwatch/util.h"

typedef struct {
    const char *iso3, *iso2, *name;
    int code;
} sc;

static const sc countries[] = {
    {"KOR", "KR", "Rep. of Korea", 410},
    {"JPN", "JP", "Japan", 392},
    {"USA", "US", "USA", 842},
    {"CHN", "CN", "China", 156},
    {"MOZ", "MZ", "Mozambique", 508},
    {"MDG", "MG", "Madagascar", 450},
    {"BRA", "BR", "Brazil", 76},
    {"CAN", "CA", "Canada", 124},
    {"CHL", "CL", "Chile", 152},
    {"AUS", "AU", "Australia", 36},
    {"ARG", "AR", "Argentina", 32},
    {"FIN", "FI", "Finland", 246},
    {"NOR", "NO", "Norway", 579},
    {"COD", "CD", "Dem. Rep. of the Congo", 180},
    {"BEL", "BE", "Belgium", 56},
    {"IDN", "ID", "Indonesia", 360},
    {"RUS", "RU", "Russian Federation", 643},
    {"PHL", "PH", "Philippines", 608},
    {"ZAF", "ZA", "South Africa", 710},
    {"GAB", "GA", "Gabon", 266},
    {"EST", "EE", "Estonia", 233},
    {"MYS", "MY", "Malaysia", 458},
    {"VNM", "VN", "Viet Nam", 704},
    {"DEU", "DE", "Germany", 276},
    {"TJK", "TJ", "Tajikistan", 762},
    {"BOL", "BO", "Bolivia", 68},
    {"POL", "PL", "Poland", 616},
};

static const sc *country(const char *iso3)
{
    for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
        if (!strcmp(countries[i].iso3, iso3))
            return &countries[i];
    return NULL;
}

typedef struct {
    const char *commodity;
    int lines[2];
    double line_split; /* share of the first line */
    const char *sup[5];
    double share[5];
    double base;  /* monthly USD into one partner */
    double price; /* starting price, USD/t */
} scom;

static const scom coms[] = {
    {"graphite",
     {250410, 380110},
     0.5,
     {"CHN", "MOZ", "MDG", "BRA", "CAN"},
     {0.80, 0.06, 0.05, 0.04, 0.05},
     3.0e7,
     1200},
    {"lithium",
     {283691, 282520},
     0.6,
     {"CHL", "AUS", "ARG", "CHN", NULL},
     {0.50, 0.20, 0.20, 0.10, 0},
     8.0e7,
     9000},
    {"cobalt",
     {810520, 282200},
     0.7,
     {"CHN", "FIN", "NOR", "COD", "BEL"},
     {0.40, 0.20, 0.15, 0.15, 0.10},
     2.0e7,
     30000},
    {"nickel",
     {750210, 260400},
     0.6,
     {"IDN", "CAN", "AUS", "RUS", "PHL"},
     {0.30, 0.20, 0.15, 0.15, 0.20},
     6.0e7,
     15000},
    {"manganese",
     {260200, 720211},
     0.5,
     {"ZAF", "GAB", "AUS", "CHN", NULL},
     {0.45, 0.25, 0.20, 0.10, 0},
     1.5e7,
     1800},
    {"rare_earths",
     {284690, 850511},
     0.4,
     {"CHN", "EST", "MYS", "VNM", NULL},
     {0.70, 0.10, 0.12, 0.08, 0},
     1.2e7,
     40000},
    {"gallium",
     {811292, 811299},
     0.8,
     {"CHN", "DEU", "CAN", "RUS", NULL},
     {0.85, 0.06, 0.05, 0.04, 0},
     2.0e6,
     300000},
    {"germanium",
     {282560, 0},
     1.0,
     {"CHN", "BEL", "RUS", "CAN", NULL},
     {0.70, 0.15, 0.10, 0.05, 0},
     1.5e6,
     1200000},
    {"antimony",
     {811010, 282580},
     0.5,
     {"CHN", "TJK", "RUS", "BOL", "VNM"},
     {0.60, 0.15, 0.10, 0.10, 0.05},
     4.0e6,
     9000},
    {"li_ion",
     {850760, 850790},
     0.8,
     {"CHN", "KOR", "JPN", "POL", NULL},
     {0.60, 0.20, 0.10, 0.10, 0},
     4.0e8,
     0},
};
#define N_COMS (sizeof coms / sizeof coms[0])

static const char *const partners[] = {"KOR", "JPN", "USA"};

typedef struct {
    size_t com;               /* index into coms */
    int sup;                  /* index of the acting supplier */
    int affected;             /* -1 = all partners, else index into partners */
    int announced, effective; /* month indexes from the start */
    double surge, cut;
    char id[48];
} disruption;

static double season(int m, size_t com)
{
    /* a mild seasonal profile that differs per commodity */
    return 0.08 * sin(2 * M_PI * (m + (int)com) / 12.0) + 0.04 * cos(4 * M_PI * m / 12.0);
}

/* Multiplier applied to supplier `sup` of commodity `com` into partner `p` at month t. */
static double shock(const disruption *d, size_t nd, size_t com, int sup, int p, int t)
{
    double f = 1;
    for (size_t i = 0; i < nd; i++) {
        if (d[i].com != com || d[i].sup != sup || (d[i].affected >= 0 && d[i].affected != p))
            continue;
        if (t >= d[i].announced && t < d[i].effective) {
            /* front-loading, strongest in the month before the effective date */
            f *= t == d[i].effective - 1 ? d[i].surge : 1 + (d[i].surge - 1) * 0.4;
        } else if (t >= d[i].effective && t < d[i].effective + 4) {
            f *= d[i].cut;
        } else if (t >= d[i].effective + 4 && t < d[i].effective + 10) {
            f *= d[i].cut + (1 - d[i].cut) * (t - d[i].effective - 3) / 7.0;
        }
    }
    return f;
}

static int write_header(FILE *f)
{
    return fputs("typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,"
                 "reporterDesc,flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,"
                 "partner2ISO,partner2Desc,classificationCode,classificationSearchCode,"
                 "isOriginalClassification,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,"
                 "customsDesc,mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,qty,isQtyEstimated,"
                 "altQtyUnitCode,altQtyUnitAbbr,altQty,isAltQtyEstimated,netWgt,isNetWgtEstimated,"
                 "grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,legacyEstimationFlag,"
                 "isReported,isAggregate,synthetic\n",
                 f) < 0
               ? -1
               : 0;
}

static FILE *open_out(const char *dir, const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    return fopen(path, "w");
}

int cw_supply_synth(const char *dir, const cw_supply_synth_opts *o)
{
    int first_year = o->first_year ? o->first_year : 2010;
    int years = o->years ? o->years : 15;
    if (years < 3 || years > 40)
        return cw_error_set(CW_EINVAL, "synth: years must be 3..40");
    int rc = cw_mkdir_p(dir);
    if (rc)
        return rc;
    int n = years * 12;
    cw_supply_rng rng;
    cw_supply_rng_seed(&rng, o->seed);
    char path[4096];
    FILE *ct = NULL, *pr = NULL, *ev = NULL, *tr = NULL;
    /* plant one disruption per 2.5 years after a 3-year warm-up, on distinct commodities */
    disruption d[16];
    size_t nd = 0;
    bool used[N_COMS] = {false};
    for (int start = 36; start + 14 < n && nd < 16; start += 30) {
        size_t com;
        int guard = 0;
        do {
            com = (size_t)(cw_supply_rng_next(&rng) % N_COMS);
        } while (used[com] && ++guard < 50);
        used[com] = true;
        disruption *x = &d[nd];
        memset(x, 0, sizeof *x);
        x->com = com;
        x->sup = 0; /* the dominant supplier acts */
        x->affected =
            (cw_supply_rng_next(&rng) % 3 == 0) ? -1 : (int)(cw_supply_rng_next(&rng) % 3);
        if (x->affected >= 0 && !strcmp(partners[x->affected], coms[com].sup[0]))
            x->affected = -1;
        x->announced = start + (int)(cw_supply_rng_next(&rng) % 12);
        x->effective = x->announced + 2 + (int)(cw_supply_rng_next(&rng) % 3);
        x->surge = 2.0 + cw_supply_rng_uniform(&rng);
        x->cut = 0.1 + 0.2 * cw_supply_rng_uniform(&rng);
        snprintf(x->id, sizeof x->id, "synth_%02zu_%s", nd + 1, coms[com].commodity);
        nd++;
    }
    ct = open_out(dir, "comtrade.csv", path, sizeof path);
    if (!ct || write_header(ct)) {
        rc = cw_error_set(CW_EIO, "%s: %s", path, strerror(errno));
        goto out;
    }
    for (size_t p = 0; p < 3; p++) {
        const sc *rep = country(partners[p]);
        for (size_t c = 0; c < N_COMS; c++) {
            const scom *cm = &coms[c];
            double scale = cm->base * (p == 0 ? 1.0 : p == 1 ? 0.8 : 1.3);
            double growth = 0.002 + 0.004 * cw_supply_rng_uniform(&rng);
            for (int s = 0; s < 5 && cm->sup[s]; s++) {
                if (!strcmp(cm->sup[s], partners[p]))
                    continue;
                const sc *sup = country(cm->sup[s]);
                double ar[2] = {0, 0};
                for (int t = 0; t < n; t++) {
                    int year = first_year + t / 12, month = t % 12 + 1;
                    for (int l = 0; l < 2; l++) {
                        int hs = cm->lines[l];
                        if (!hs)
                            continue;
                        ar[l] = 0.5 * ar[l] + 0.12 * cw_supply_rng_normal(&rng);
                        double split = l == 0 ? cm->line_split : 1 - cm->line_split;
                        double v = scale * cm->share[s] * split *
                                   exp(growth * t + season(t % 12, c) + ar[l]) *
                                   shock(d, nd, c, s, (int)p, t);
                        double kg = v / (cm->price > 0 ? cm->price / 1000.0 : 50.0);
                        if (fprintf(ct,
                                    "C,M,%04d%02d01,%d,%d,%04d%02d,%d,%s,%s,M,Import,%d,%s,%s,0,"
                                    "W00,World,H5,HS,true,%06d,,6,true,C00,TOTAL CPC,0,0,TOTAL "
                                    "MOT,8,kg,%.0f,false,-1,N/A,,false,%.0f,false,,false,%.0f,,"
                                    "%.0f,0,true,false,1\n",
                                    year, month, year, month, year, month, rep->code, rep->iso3,
                                    rep->name, sup->code, sup->iso3, sup->name, hs, kg, kg, v,
                                    v) < 0) {
                            rc = cw_error_set(CW_EIO, "%s: write failed", path);
                            goto out;
                        }
                    }
                }
            }
        }
    }
    if (fclose(ct)) {
        ct = NULL;
        rc = cw_error_set(CW_EIO, "%s: %s", path, strerror(errno));
        goto out;
    }
    ct = NULL;
    /* prices: geometric random walk plus a spike while a disruption is announced */
    pr = open_out(dir, "prices.csv", path, sizeof path);
    if (!pr || fputs("series,date,value,unit,synthetic\n", pr) < 0) {
        rc = cw_error_set(CW_EIO, "%s: %s", path, strerror(errno));
        goto out;
    }
    for (size_t c = 0; c < N_COMS; c++) {
        if (coms[c].price <= 0)
            continue;
        double lp = log(coms[c].price);
        for (int t = 0; t < n; t++) {
            lp += 0.03 * cw_supply_rng_normal(&rng);
            double bump = 0;
            for (size_t i = 0; i < nd; i++)
                if (d[i].com == c && t >= d[i].announced && t < d[i].effective + 6)
                    bump += 0.35;
            if (fprintf(pr, "synth_%s,%04d-%02d-01,%.2f,USD/t,1\n", coms[c].commodity,
                        first_year + t / 12, t % 12 + 1, exp(lp + bump)) < 0) {
                rc = cw_error_set(CW_EIO, "%s: write failed", path);
                goto out;
            }
        }
    }
    if (fclose(pr)) {
        pr = NULL;
        rc = cw_error_set(CW_EIO, "%s: %s", path, strerror(errno));
        goto out;
    }
    pr = NULL;
    ev = open_out(dir, "events.csv", path, sizeof path);
    tr = ev ? open_out(dir, "truth.csv", path, sizeof path) : NULL;
    if (!ev || !tr) {
        rc = cw_error_set(CW_EIO, "%s: %s", path, strerror(errno));
        goto out;
    }
    fputs("event_id,date_announced,date_effective,date_precision,commodity,hs6_scope,"
          "actor_country,affected_partner,event_type,description,verification,evidence\n",
          ev);
    fputs("event_id,commodity,actor,affected,announced,effective,surge,cut\n", tr);
    for (size_t i = 0; i < nd; i++) {
        const scom *cm = &coms[d[i].com];
        const sc *actor = country(cm->sup[d[i].sup]);
        const char *aff = d[i].affected < 0 ? "all" : country(partners[d[i].affected])->iso2;
        char hs[32];
        if (cm->lines[1])
            snprintf(hs, sizeof hs, "%06d;%06d", cm->lines[0], cm->lines[1]);
        else
            snprintf(hs, sizeof hs, "%06d", cm->lines[0]);
        int a = d[i].announced, e = d[i].effective;
        fprintf(ev,
                "%s,%04d-%02d,%04d-%02d-01,day,%s,%s,%s,%s,export_licensing,\"planted by "
                "chainwatch supply synth (seed %llu)\",synthetic,\n",
                d[i].id, first_year + a / 12, a % 12 + 1, first_year + e / 12, e % 12 + 1,
                cm->commodity, hs, actor->iso2, aff, (unsigned long long)o->seed);
        fprintf(tr, "%s,%s,%s,%s,%04d-%02d,%04d-%02d,%.3f,%.3f\n", d[i].id, cm->commodity,
                actor->iso3, d[i].affected < 0 ? "all" : partners[d[i].affected],
                first_year + a / 12, a % 12 + 1, first_year + e / 12, e % 12 + 1, d[i].surge,
                d[i].cut);
    }
out:
    if (ct)
        fclose(ct);
    if (pr)
        fclose(pr);
    if (ev && fclose(ev) && !rc)
        rc = cw_error_set(CW_EIO, "events.csv: write failed");
    if (tr && fclose(tr) && !rc)
        rc = cw_error_set(CW_EIO, "truth.csv: write failed");
    return rc;
}
