/* supply_tl.h: the timeline structure (internal to src/supply). */
#ifndef CW_SUPPLY_TL_H
#define CW_SUPPLY_TL_H

#include "chainwatch/supply.h"

/* Slots in the order of CW_SUPPLY_INDICATORS. */
enum {
    TL_IMPORT_TOP,
    TL_IMPORT_HHI,
    TL_IMPORT_ENS,
    TL_FRIEND,
    TL_NIR,
    TL_PROD_HHI,
    TL_PROD_TOP,
    TL_WGI_HHI,
    TL_TRADE_VALUE,
    TL_TRADE_Z,
    TL_TRADE_EWMA,
    TL_TRADE_EWMA_ABS,
    TL_TRADE_CUSUM_UP,
    TL_TRADE_CUSUM_DOWN,
    TL_TRADE_CP,
    TL_PRICE,
    TL_PRICE_Z,
    TL_PRICE_EWMA_ABS,
    TL_PRICE_CUSUM_UP,
    TL_PRICE_CUSUM_DOWN,
    TL_PRICE_CP,
    TL_EVENT,
    TL_LINE_UP,
    TL_LINE_DOWN,
    TL_PRICE_CP_UP,    /* BOCPD probability while the price rises (0 while it falls) */
    TL_EXPOSURE,       /* the partner's top-supplier share on the stated exposure basis */
    TL_EVENT_MEASURE,  /* announced measures by a large supplier in the month */
    TL_FLOOR_RUN,      /* consecutive months of trade below the series floor */
    TL_PRICE_JUMP,     /* the month's log return in sd of the previous 36 monthly log returns */
    TL_PRICE_REGIME,   /* log price against the previous 36 months: (x - mean) / sd */
    TL_EVENT_ACTOR,    /* a measure on ANOTHER commodity by a supplier of this one: its share */
    TL_PRICE_PCTILE,   /* percentile rank among the previous 120 months (>= 36) */
    TL_LINE_STOP,      /* months of the last 6 an HS6 line was near zero (eighth stop) */
    TL_PRICE_JUMP_EOM, /* price_jump on the mean of each month's last 5 observations */
    TL_MRISK,          /* KOMIR's market-risk index, 0-100, lower = riskier (stop 15) */
    TL_MRISK_JUMP,     /* its fall in the month: -ln(x_t / x_t-1) in sd of the previous 36 */
    TL_FRONTLOAD,      /* a surge in the 2 months before, fallen back this month (stop 17) */
    TL_N_IND
};

#define TL_MAX_SUPPLIERS 256

#define TL_MAX_LINES 16

typedef struct {
    int supplier;
    int line;
    int month;
    double value;
    double net_kg; /* NAN when not reported */
} tl_trade_row;

typedef struct {
    char id[64];
    int month;          /* announcement month */
    int eff_month;      /* effective month */
    bool measure;       /* an export control, ban, quota, licence, tax or embargo */
    double actor_share; /* the actor's share on the basis below (NAN if unknown) */
    char actor[8];
    char basis[192];      /* e.g. "world production share 2024 (USGS MCS, published 2025-01)" */
    char dependence[192]; /* the partner's dependence on the actor, with its year and source */
    char source[160]; /* description or link */
    bool counted;     /* raises event_measure */
    char other[32];   /* the measure is on this other commodity (raises event_actor), or "" */
} tl_event;

/* Exposure bases, in order of preference. */
enum { EXP_NONE, EXP_USGS, EXP_KOMIR, EXP_PRODUCTION };

typedef struct {
    int basis;
    int year;        /* data year (USGS: first year of the period) */
    char period[16]; /* "2021-24", "2022", ... */
    char top[4];     /* top supplier */
    double share;    /* its share */
    char source[160];
} tl_exposure;

struct cw_supply_timeline {
    char commodity[32];
    char partner[4];
    int m0;
    size_t n;
    char (*labels)[8];
    double *v[TL_N_IND];
    /* trade */
    bool direct, conc_ok;
    char suppliers[TL_MAX_SUPPLIERS][4];
    size_t n_suppliers;
    tl_trade_row *trade_rows;
    size_t n_trade_rows;
    int trade_first, trade_last;
    size_t trade_gaps;
    char (*top_supplier)[4];
    int lines[TL_MAX_LINES]; /* included HS6 lines */
    size_t n_lines;
    int *line_up_hs, *line_down_hs; /* the line behind line_z_up / line_z_down */
    int *line_stop_hs;              /* the line behind line_stop */
    /* price */
    char price_series[64];
    char price_unit[32];
    int price_first, price_last;
    /* the newest month (twelfth stop): the series giving it, its last observation (a date as
     * loaded), the observations in that month, the median count of the 12 months before, and
     * whether the month is partial (see last_month_of in timeline.c) */
    char price_last_series[64];
    char price_last_date[16];
    int price_last_nobs, price_last_median_nobs;
    bool price_last_partial;
    bool *price_quiet; /* per month: no new quote (stop 19; shown, read by no rule) */
    /* production */
    char (*prod_top)[4];
    int *prod_year;
    bool *prod_est;
    int *wgi_missing;
    int wgi_year;
    /* events */
    tl_event *ev;
    size_t n_ev;
    /* issue 16 */
    bool synthetic_trade, synthetic_price; /* rows from files marked synthetic */
    char trade_group[32];                  /* trade from a product group without HS6 */
    char price_note[256];                  /* how the price series was assembled */
    int mrisk_first, mrisk_last;           /* KOMIR's market-risk index: its months (-1 none) */
    int *exp_idx;                          /* per month: index into exps, -1 none */
    tl_exposure exps[8];
    size_t n_exps;
    size_t floor_months; /* months set missing by the floor */
    size_t uv_months;    /* months set missing by the unit-value check */

    int today_m;         /* month index of today (freshness) */
};

/* The first month an exposure figure was public (USGS MCS in January of its edition, KOMIR
 * ore imports of a year from January after it). */
int cw_supply__exposure_published(const tl_exposure *x);
/* The first month a year's world production is public (January after it, MCS Y+1). */
int cw_supply__production_published(int year);
/* The latest figure of one kind (world production when world, else the partner's imports)
 * published by month m (*best) and the first published after it (*next), -1 when none;
 * ok[k] false skips entry k (ok NULL: none skipped). */
void cw_supply__exposure_pick(const cw_supply_timeline *t, int m, bool world, const bool *ok,
                              int *best, int *next);
int cw_supply__ind_index(const char *name);
const char *cw_supply__ind_name(int i);
/* Appends the level changes of one timeline over months [from, to] (-1 = open). */
/* The level at month i with only the rules where mask[k] is true (mask NULL = all). */
int cw_supply__level_masked(const cw_supply_timeline *t, const cw_supply_rules *r, size_t i,
                            bool with_events, const bool *mask);
/* Same, and fired[k] (r->n entries) says which rules fired. */
int cw_supply__rules_fired(const cw_supply_timeline *t, const cw_supply_rules *r, size_t i,
                           bool with_events, const bool *mask, bool *fired);
/* The standing level at month i (structural and standing rules); fired[k] as above. */
int cw_supply__standing_fired(const cw_supply_timeline *t, const cw_supply_rules *r, size_t i,
                              bool *fired);
/* True when the rule reads a partner-invariant indicator (price, production, governance) and
 * requires no partner-specific rule. */
bool cw_supply__rule_invariant(const cw_supply_rules *r, size_t k);
int cw_supply__changes_of(const cw_supply_timeline *t, const cw_supply_rules *r, int from, int to,
                          bool with_events, cw_supply_level_change **out, size_t *n_out);

#endif
