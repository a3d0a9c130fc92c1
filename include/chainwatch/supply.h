/*
 * supply.h: the supply-chain early-warning engine for critical minerals and lithium-ion
 * batteries (issue 5).
 *
 * A supply database (SQLite, WAL, versioned migrations) holds curated reference tables
 * (commodities with their HS6 lines, countries with ISO3/M49, aliases) and the loaded data:
 * production by country and year, trade flows, prices, WGI governance scores and events.
 * Indicators (concentration, governance-weighted concentration, net import reliance,
 * friend-share) and anomaly detectors (robust z, EWMA, CUSUM, BOCPD) feed an editable rule
 * table that maps conditions to four risk levels. Formulas and sources: docs/SUPPLY-INDICATORS.md.
 *
 * Layering: depends on util only; never includes chain headers.
 */
#ifndef CHAINWATCH_SUPPLY_H
#define CHAINWATCH_SUPPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sqlite3;

/* ---- database ---------------------------------------------------------------------------- */

typedef struct cw_supply cw_supply;

/* The schema version this build writes (PRAGMA user_version). */
#define CW_SUPPLY_SCHEMA_VERSION 3

/* Opens (creating if needed) the supply database at path, switches it to WAL, applies pending
 * migrations and seeds the reference tables from the built-in copies of data/supply/ (.csv) when
 * they are empty. Returns 0, CW_EIO, CW_EVERSION (database newer than this build), CW_ECORRUPT
 * or CW_ENOMEM. *out is owned by the caller and closed with cw_supply_close(). */
int cw_supply_open(cw_supply **out, const char *path);
void cw_supply_close(cw_supply *s);

/* The underlying connection (borrowed; valid until cw_supply_close). */
struct sqlite3 *cw_supply_sqlite(cw_supply *s);

/* Replaces the reference tables with the CSV files of dir (commodities.csv, countries.csv,
 * country_aliases.csv, commodity_aliases.csv, price_series.csv), in one transaction. */
int cw_supply_ref_reload(cw_supply *s, const char *dir);

/* The built-in copy of a reference file ("rules.csv", "countries.csv", ...) or NULL. */
const char *cw_supply_ref_builtin(const char *name);

/* Resolves a country given as ISO3, ISO2, M49/Comtrade number or a known name into its ISO3
 * code (written to iso3, 4 bytes). Returns 0 or CW_ENOTFOUND. */
int cw_supply_country_resolve(cw_supply *s, const char *text, char iso3[4]);

/* Resolves a commodity name or alias into the canonical id (borrowed string) or NULL. */
const char *cw_supply_commodity_resolve(cw_supply *s, const char *text);

/* The canonical commodity ids in reference order (borrowed). */
size_t cw_supply_commodities(cw_supply *s, const char *const **out);

/* ---- loaders ----------------------------------------------------------------------------- */

typedef enum {
    CW_SUPPLY_COMTRADE,  /* Comtrade+ final-data CSV, or the derived period_dt/partner_name/hs6
                            layout */
    CW_SUPPLY_USGS,      /* USGS MCS world production, U.S. import sources or salient statistics */
    CW_SUPPLY_PINKSHEET, /* World Bank Pink Sheet monthly (wide sheet export or long layout) */
    CW_SUPPLY_PRICES, /* series,date,value,unit; or Date,Price,Unit; or an Investing.com export */
    CW_SUPPLY_WGI,    /* Worldwide Governance Indicators, long layout */
    CW_SUPPLY_EVENTS, /* events CSV (event_id,date_announced,date_effective,...), or the GTA /
                         IEA policy catalogue (trade controls become events) */
    CW_SUPPLY_KOMIR   /* KOMIR (data.go.kr) indices and Korea's ore imports, UTF-8 */
} cw_supply_kind;

/* Parses "comtrade", "usgs", "pinksheet", "prices", "wgi", "events", "komir". The usgs kind
 * also reads the MCS U.S. import sources and salient statistics, comtrade the exports by
 * product group (broad_group) and prices the monthly tables, KOMIS and the China REE prices,
 * each recognised by its header. */
int cw_supply_kind_parse(cw_supply_kind *out, const char *name);
const char *cw_supply_kind_name(cw_supply_kind kind);

typedef struct cw_supply_load_opts {
    const char *reporter; /* derived Comtrade layout: the reporter (e.g. "CHN") */
    const char *flow;     /* derived Comtrade layout: "X" or "M" */
    const char *series;   /* price files without a series column */
    const char *unit;     /* price files without a unit column */
    bool keep_going;      /* commit the good rows even when some rows are rejected */
} cw_supply_load_opts;

typedef enum { CW_SUPPLY_ISSUE_SKIP, CW_SUPPLY_ISSUE_REJECT } cw_supply_issue_kind;

typedef struct cw_supply_issue {
    cw_supply_issue_kind kind; /* SKIP: not data, explained; REJECT: bad row */
    size_t line;               /* 1-based line in the file where the record starts */
    char *msg;
} cw_supply_issue;

typedef struct cw_supply_load_report {
    char *file;
    size_t rows_read, rows_loaded, rows_skipped, rows_rejected;
    size_t n_issues;
    cw_supply_issue *issues;
    bool committed;
    /* When the file needs a load option that was not given or was not valid: its field name in
     * cw_supply_load_opts ("reporter", "flow", "series", "unit"; a static string), else NULL.
     * The error message names the option the same way; a front end maps it to its own flag. */
    const char *need_option;
} cw_supply_load_report;

/* Loads one file in one transaction. Rows that are not data (world totals, withheld values,
 * missing cells, identical duplicates) are skipped with a reason; malformed rows, unknown HS
 * codes or countries, unit mismatches and conflicting duplicate periods are rejected with
 * file and line. With any rejected row nothing is committed (unless opts->keep_going) and the
 * call returns CW_ECORRUPT. Loading the same file twice leaves the same table contents.
 * rep is filled in all cases (the caller deinits it). */
int cw_supply_load(cw_supply *s, cw_supply_kind kind, const char *path,
                   const cw_supply_load_opts *opts, cw_supply_load_report *rep);
void cw_supply_load_report_deinit(cw_supply_load_report *rep);

/* ---- indicators (pure) ------------------------------------------------------------------- */

typedef struct cw_supply_conc {
    double total;     /* denominator used */
    double hhi;       /* sum of squared shares, 0..1 */
    double top_share; /* largest share */
    size_t top_index; /* index of the largest value */
    double ens;       /* effective number of suppliers, 1/hhi */
} cw_supply_conc;

/* Concentration of values[0..n) against total (when total <= 0, the sum of values is used).
 * Negative or NaN values are CW_EINVAL; an all-zero input is CW_EINVAL. */
int cw_supply_concentration(cw_supply_conc *out, const double *values, size_t n, double total);

/* EU CRM governance scaling: the mean of the six WGI estimates (-2.5..2.5, higher is better)
 * mapped to 0..10 with 10 the worst: (2.5 - mean) * 2, clamped. */
double cw_supply_wgi_scale(double mean_estimate);

/* EU CRM governance-weighted HHI: sum of share_i^2 * wgi10_i. */
double cw_supply_wgi_hhi(const double *shares, const double *wgi10, size_t n);

/* Net import reliance (imports - exports) / (production + imports - exports); NAN when the
 * apparent consumption is not positive. */
double cw_supply_nir(double production, double imports, double exports);

/* Production concentration of commodity in year from the production table: shares against the
 * world total row (W00) when loaded and not below the sum of the rows (a rounded total may be),
 * otherwise that sum; "other countries" (ZZZ) count
 * in the denominator but not as a producer; withheld (W) and NA rows are left out. top_iso3 and
 * wgi_hhi may be NULL; wgi_hhi uses each producer's latest WGI year <= year (NAN without WGI).
 * share_of/share_out (both optional) return one country's share. CW_ENOTFOUND without data. */
int cw_supply_production_conc(cw_supply *s, const char *commodity, int year, cw_supply_conc *out,
                              char top_iso3[4], double *wgi_hhi, const char *share_of,
                              double *share_out);

/* ---- anomaly detectors (pure) ------------------------------------------------------------ */

/* xoshiro256** seeded by splitmix64: a fixed-seed generator for synthesis and tests. */
typedef struct cw_supply_rng {
    uint64_t s[4];
} cw_supply_rng;
void cw_supply_rng_seed(cw_supply_rng *r, uint64_t seed);
uint64_t cw_supply_rng_next(cw_supply_rng *r);
double cw_supply_rng_uniform(cw_supply_rng *r); /* (0,1) */
double cw_supply_rng_normal(cw_supply_rng *r);  /* N(0,1), Box-Muller */

/* Median of x[0..n) (x is copied); NAN when n == 0. */
double cw_supply_median(const double *x, size_t n);

/* Seasonal baseline residuals of a (log) monthly series y. The seasonal offset of month t is the
 * median over up to 3 earlier cycles of y_{t-kp} minus the centred 2x`period` moving average
 * around t-kp (only cycles whose window ends before t: causal, and a trend does not leak into
 * the offset). With d = y - offset, r_t = d_t - mean(d_{t-w..t-1}), w = level_window.
 * NAN where history is too short or y is NAN. */
void cw_supply_seasonal_resid(double *r, const double *y, size_t n, size_t period,
                              size_t level_window);

/* Causal robust z-score: z_t = (x_t - median(H)) / (1.4826 * MAD(H)), H = the previous `window`
 * finite values (at least min_hist of them, else NAN). Equals the modified z-score of
 * Iglewicz and Hoaglin (0.6745 (x - median) / MAD). */
void cw_supply_robust_z(double *z, const double *x, size_t n, size_t window, size_t min_hist);
/* The same with the scale (1.4826 MAD) floored at min_scale: on monthly log values a history that
 * barely moves (administered prices, a flat quote) would otherwise make any change extreme. */
void cw_supply_robust_z_floor(double *z, const double *x, size_t n, size_t window, size_t min_hist,
                              double min_scale);

/* EWMA chart on standardized values u: ratio_t = z_t / (L sqrt(lambda/(2-lambda)(1-(1-lambda)^2t)))
 * where z_t = lambda u_t + (1-lambda) z_{t-1}; |ratio| >= 1 is an alarm. NAN inputs are skipped
 * (ratio NAN, statistic carried). */
void cw_supply_ewma(double *ratio, const double *u, size_t n, double lambda, double L);

/* Two-sided tabular CUSUM on standardized values u with reference k and decision interval h:
 * S+_t = max(0, S+_{t-1} + u_t - k), S-_t = max(0, S-_{t-1} - u_t - k). up/down receive S/h
 * (>= 1 is an alarm); a side restarts from 0 after its alarm. Either output may be NULL. */
void cw_supply_cusum(double *up, double *down, const double *u, size_t n, double k, double h);

/* Index+1 of the first CUSUM alarm (either side) in u[0..n), 0 when none. */
size_t cw_supply_cusum_run_length(const double *u, size_t n, double k, double h);

typedef struct cw_supply_bocpd_params {
    double hazard;                     /* constant hazard 1/lambda */
    double mu0, kappa0, alpha0, beta0; /* normal-gamma prior */
    size_t max_run;                    /* run lengths are truncated at this value (0: n) */
    size_t short_run;                  /* cp_prob = P(run length <= short_run) */
} cw_supply_bocpd_params;

/* Bayesian online change-point detection (Adams & MacKay 2007) with a Gaussian likelihood of
 * unknown mean and precision and a normal-gamma prior (Student-t predictive). For each t,
 * cp_prob[t] = P(run length <= short_run | x_1..t), the posterior probability that the current
 * run began within the last short_run observations, and map_run[t] = the most probable run
 * length (run length r at t: x[t-r+1..t] form the current run).
 * NAN inputs leave the posterior unchanged. Either output may be NULL. Returns CW_ENOMEM. */
int cw_supply_bocpd(double *cp_prob, size_t *map_run, const double *x, size_t n,
                    const cw_supply_bocpd_params *p);
void cw_supply_bocpd_defaults(cw_supply_bocpd_params *p);

/* ---- rules, levels, assessment ----------------------------------------------------------- */

enum {
    CW_SUPPLY_NONE = 0,
    CW_SUPPLY_INTEREST,
    CW_SUPPLY_CAUTION,
    CW_SUPPLY_ALERT,
    CW_SUPPLY_SEVERE
};
const char *cw_supply_level_name(int level);
/* Accepts a name ("alert") or a number 0..4; returns the level or CW_EINVAL. */
int cw_supply_level_parse(const char *text);

typedef struct cw_supply_rules cw_supply_rules;
/* Parses a rule table (see data/supply/rules.csv); path NULL means the built-in default. */
int cw_supply_rules_load(cw_supply_rules **out, const char *path);
int cw_supply_rules_parse(cw_supply_rules **out, const char *text, size_t len, const char *name);
void cw_supply_rules_free(cw_supply_rules *r);
size_t cw_supply_rules_count(const cw_supply_rules *r);

/* One commodity x partner series over time (all indicators for every month). Opaque. */
typedef struct cw_supply_timeline cw_supply_timeline;
int cw_supply_timeline_build(cw_supply_timeline **out, cw_supply *s, const char *commodity,
                             const char *partner);
void cw_supply_timeline_free(cw_supply_timeline *t);
/* Number of months and the label (YYYY-MM, borrowed) of month i. */
size_t cw_supply_timeline_months(const cw_supply_timeline *t);
const char *cw_supply_timeline_period(const cw_supply_timeline *t, size_t i);
/* The value of a named indicator at month index i (NAN when unavailable or unknown name). */
double cw_supply_timeline_value(const cw_supply_timeline *t, const char *indicator, size_t i);
/* Evaluates the rules at month i and returns the level; when detail is non-NULL it receives a
 * JSON object {level, fired[], indicators{}, data{freshness, gaps}} (owned by the caller).
 * with_events = false ignores rules of kind "event" (used by the backtest). */
int cw_supply_timeline_level(const cw_supply_timeline *t, const cw_supply_rules *r, size_t i,
                             bool with_events, json_t **detail);

/* The standing level at month i: the highest level of the structural and standing rules that
 * fire (sustained tightness or concentration, what an index such as KOMIR's supply-stability
 * index measures). It is kept apart from the alert level above, which reads changes: a standing
 * rule never raises the alert level, so it never makes an alert. */
int cw_supply_timeline_standing(const cw_supply_timeline *t, const cw_supply_rules *r, size_t i);

/* The assessment of commodity x partner at period (NULL: the latest month with data) as JSON
 * (owned by the caller). CW_ENOTFOUND when there is no data at all. */
int cw_supply_explain(cw_supply *s, const cw_supply_rules *r, const char *commodity,
                      const char *partner, const char *period, json_t **out);

/* The monthly series of commodity x partner for plotting: months[], trade_value[] (USD),
 * price_value[] (price.unit; spliced as price.note says), level[] (event-informed) and
 * level_data_only[] (the alert level), standing_level[] (a state, drawn as a band, never an
 * anomaly), anomalies[] (dynamic rules firing on the month's own value), events[],
 * each series' period and whether it is real or synthetic. CW_ENOTFOUND without data. */
int cw_supply_series(cw_supply *s, const cw_supply_rules *r, const char *commodity,
                     const char *partner, json_t **out);

/* What data the database holds for commodity x partner and, for each missing kind (own imports,
 * any trade series, prices, production, import sources by supplier), where such data is
 * published: {commodity, partner, have{...rows}, missing[{data, where}], any_series}. */
int cw_supply_coverage(cw_supply *s, const char *commodity, const char *partner, json_t **out);
/* Which series cover which months of [from, to] (YYYY-MM; NULL: 2023-01 and today's month), for
 * every commodity x partner (USA, KOR, JPN): {from, to, months, cells[{commodity, partner,
 * series[{kind, name, freq, unit, first, last, months, data, source, read_by_rules, note}],
 * monthly_months, blind_months, blind["YYYY-MM..YYYY-MM"], detector_months (months where a
 * robust z, price_jump or line_stop is defined), detector_blind[...]}]}. kind: price, trade_hs6,
 * trade_group (monthly, counted as coverage), annual_price, nir, production, import_sources,
 * komir_index (shown, not counted). */
int cw_supply_coverage_months(cw_supply *s, const char *from, const char *to, json_t **out);

/* ---- level changes and alerts ------------------------------------------------------------ */

typedef struct cw_supply_level_change {
    char commodity[32];
    char partner[4];
    char period[8]; /* YYYY-MM */
    int old_level, new_level;
    char *reason; /* "rule_id indicator=value op threshold; ..." */
    /* The new level is reached by partner-invariant rules alone (price, production,
     * governance: the same for every partner), so the same change of every partner is one
     * signal: an alert queue raises it once, naming the partners. */
    bool invariant;
    /* The month is the price series' partial last month (a daily series that stopped inside
     * it: fewer observations than its months usually have): the level is provisional and may
     * change when the month is complete; provisional_note says why ("" otherwise). */
    bool provisional;
    char provisional_note[160];
} cw_supply_level_change;

/* Level changes of every commodity x partner (filters may be NULL) over months [from, to]
 * (YYYY-MM, NULL = open). The first evaluated month counts as a change from none. */
int cw_supply_level_changes(cw_supply *s, const cw_supply_rules *r, const char *commodity,
                            const char *partner, const char *from, const char *to, bool with_events,
                            cw_supply_level_change **out, size_t *n_out);
void cw_supply_level_changes_free(cw_supply_level_change *c, size_t n);
/* Records changes in supply_alerts (idempotent on commodity, partner, period, level). */
int cw_supply_alerts_record(cw_supply *s, const cw_supply_level_change *c, size_t n, size_t *n_new);

/* ---- backtest ---------------------------------------------------------------------------- */

typedef struct cw_supply_backtest_opts {
    const char *from, *to; /* YYYY-MM bounds of the evaluated months (NULL = the events' span) */
    int level;             /* an alert is a change to this level or higher */
    int window_months;     /* an alert counts for an event if at most this many months before */
    int placebo_min, placebo_max; /* placebo shifts in months (0: 12 and 24) */
    const char *split;     /* YYYY-MM: also score events effective before and from this month apart
                              (out of sample: thresholds set on earlier data); NULL = no split */
    long placebo_draws;    /* Monte Carlo draws of the independent-shift placebo (0: 9,999) */
    uint64_t placebo_seed; /* its seed (0: CW_SUPPLY_PLACEBO_SEED) */
} cw_supply_backtest_opts;

#define CW_SUPPLY_PLACEBO_DRAWS 9999
#define CW_SUPPLY_PLACEBO_SEED 20261206u

/* The placebo test with every event shifted independently (fourteenth stop), beside the
 * common-shift test (all events moved by the same shift). res[i * n_shift + k] is event i's
 * result under shift k: 0 hit, 1 miss, 2 no data in the shifted window. Each of `draws` draws
 * (xoshiro256** seeded with seed) gives each event its own shift, uniform over the n_shift
 * (events with the same cluster[i] share one shift; cluster NULL: every event its own); the
 * draw's statistic is the hit rate among the events with data. p = (1 + draws at least as
 * good as actual) / (1 + draws with a statistic); valid when, without skill, the real dates'
 * results are exchangeable with the shifted ones and the events (clusters) are independent.
 * cluster[i] must be in 0..n_ev-1. NAN when actual is NAN or no draw has a statistic; as_good,
 * used and mean (the draws' mean statistic) may be NULL. */
double cw_supply_placebo_independent(const unsigned char *res, const int *cluster, size_t n_ev,
                                     size_t n_shift, double actual, long draws, uint64_t seed,
                                     long *as_good, long *used, double *mean);

/* Replays data-only levels month by month (rules of kind "event" off, so events never leak
 * into the signals) and scores them against the events of paths[0..n_paths) (events layout or
 * GTA / IEA catalogues; the same measure listed twice is scored once). Partner-invariant
 * signals count once per commodity. Per event: hit / miss / no_data (a miss in the headline) /
 * easing / out_of_scope, leads from the effective date and from the announcement; tables per
 * commodity and event type; noise-to-signal ratio; a placebo test (events shifted by +-12..24
 * months) with its p-value, and beside it the same with each event's own shift and by commodity
 * cluster; the false alarms with their causes and each rule's rate against its budget
 * (false_alarms); agreement with KOMIR's supply-stability bands for Korea (Cohen's
 * kappa); the acceptance figures, met or not. JSON, owned by the caller. */
int cw_supply_backtest(cw_supply *s, const cw_supply_rules *r, const char *const *paths,
                       size_t n_paths, const cw_supply_backtest_opts *o, json_t **out);

/* ---- synthetic data ---------------------------------------------------------------------- */

typedef struct cw_supply_synth_opts {
    uint64_t seed;
    int first_year; /* default 2010 */
    int years;      /* default 15 */
} cw_supply_synth_opts;

/* Writes comtrade.csv (Comtrade+ final-data columns: KOR, JPN, USA imports by supplier),
 * prices.csv, events.csv (the planted disruptions) and truth.csv into dir. Deterministic per
 * seed. */
int cw_supply_synth(const char *dir, const cw_supply_synth_opts *o);

#endif
