/*
 * supply_int.h: internals shared by src/supply/ (every .c) (not a public interface).
 * The cw_supply handle keeps the reference tables in memory, sorted for binary search.
 */
#ifndef CW_SUPPLY_INT_H
#define CW_SUPPLY_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "chainwatch/csv.h"
#include "chainwatch/supply.h"
#include "chainwatch/util.h"

/* ---- reference tables ---- */
typedef struct {
    char iso3[4];
    char iso2[3];
    int m49, comtrade; /* -1 when none */
    char *name;
    bool aligned;
} cw_sup_country;

typedef struct {
    char *alias; /* lower case */
    char iso3[4];
} cw_sup_alias;

typedef struct {
    char commodity[32];
    int hs6;
    char stage[24];
    char confidence[8];
    bool include;
    char *note;
} cw_sup_line;

typedef struct {
    char *alias;
    char *commodity; /* borrowed from commodities[] */
} cw_sup_calias;

typedef struct {
    char *series;
    char commodity[32];
} cw_sup_pseries;

struct cw_supply {
    sqlite3 *db;
    size_t n_countries;
    cw_sup_country *countries; /* sorted by iso3 */
    size_t n_aliases;
    cw_sup_alias *aliases; /* sorted by alias */
    size_t n_lines;
    cw_sup_line *lines; /* reference order */
    size_t n_commodities;
    char **commodities;
    size_t n_caliases;
    cw_sup_calias *caliases;
    size_t n_pseries;
    cw_sup_pseries *pseries;
};

const cw_sup_country *cw_supply__country(const cw_supply *s, const char *iso3);
/* Lines of HS code hs6 (first match index or -1); iterate while lines[i].hs6 == hs6 is not
 * guaranteed, so callers use cw_supply__hs_known. */
bool cw_supply__hs_known(const cw_supply *s, int hs6);
/* Loads the in-memory reference arrays from the database tables. */
int cw_supply__ref_cache(cw_supply *s);
/* Fills the reference tables from CSV texts (getter returns the text of a file name). */
int cw_supply__ref_fill(cw_supply *s, const char *(*get)(const char *name, void *arg, size_t *len),
                        void *arg);

/* ---- small helpers ---- */
int cw_supply__sqlerr(sqlite3 *db, const char *what);
/* Trims spaces in place and returns s. */
char *cw_supply__trim(char *s);
/* Month index (year*12 + month-1) of "YYYY-MM", "YYYYMM", "YYYY-MM-DD", "YYYYMmm"; -1 if bad. */
int cw_supply__month_parse(const char *s);
void cw_supply__month_format(char out[8], int m);
/* Parses a date "YYYY", "YYYY-MM", "YYYY-MM-DD" or "MM/DD/YYYY" into canonical text
 * (YYYY, YYYY-MM or YYYY-MM-DD; out >= 11 bytes). Returns 0 or CW_EINVAL. */
int cw_supply__date_norm(char out[11], const char *s);
/* Strict number parse allowing thousands separators when commas is true. */
int cw_supply__num(double *out, const char *s, bool commas);
/* The first n characters of s (n <= 18, all decimal digits) as an integer ("2025e" with n 4
 * gives 2025). Returns 0 or CW_EINVAL (fewer than n digits, or another character among them). */
int cw_supply__digits(int *out, const char *s, size_t n);

/* Series-to-commodity map (NULL when unmapped). */
const char *cw_supply__series_commodity(const cw_supply *s, const char *series);

/* Events file rows (used by the loader and the backtest). */
typedef struct {
    char id[64];
    char announced[11], effective[11], precision[8];
    char commodities[128]; /* as given, ';'-separated */
    char hs6[128];
    char actor[32];
    char affected[8]; /* ISO3 or "all" */
    char type[48];
    char *description;
    size_t line;
} cw_sup_event;
int cw_supply__events_read(cw_supply *s, const char *path, cw_sup_event **out, size_t *n_out,
                           cw_supply_load_report *rep);
void cw_supply__events_free(cw_sup_event *e, size_t n);
/* GTA interventions or the IEA tracker (header already read): export-side trade controls
 * become events (affected "all" unless the title names a target); subsidies, import-side,
 * FDI, standards and sanctions rows are skipped with a reason. Appends to *ev. */
bool cw_supply__is_policy_catalogue(const cw_csv *c);
int cw_supply__events_policy(cw_supply *s, cw_csv *c, cw_supply_load_report *rep, cw_sup_event **ev,
                             size_t *n);

/* Loaders of load2.c (the caller holds the transaction; c has read the header). */
bool cw_supply__is_usgs_imports(const cw_csv *c);
bool cw_supply__is_usgs_salient(const cw_csv *c);
bool cw_supply__is_trade_group(const cw_csv *c);
bool cw_supply__is_usgs_ds140(const cw_csv *c);
int cw_supply__load_usgs_ds140(cw_supply *s, cw_csv *c, cw_supply_load_report *rep,
                               const char *source);
int cw_supply__load_usgs_imports(cw_supply *s, cw_csv *c, cw_supply_load_report *rep,
                                 const char *source);
int cw_supply__load_usgs_salient(cw_supply *s, cw_csv *c, cw_supply_load_report *rep,
                                 const char *source);
int cw_supply__load_trade_group(cw_supply *s, cw_csv *c, cw_supply_load_report *rep,
                                const cw_supply_load_opts *o, const char *source);
int cw_supply__load_komir(cw_supply *s, cw_csv *c, cw_supply_load_report *rep, const char *source);
/* Layouts without reporter and flow columns take them from the load options: checks them
 * (rep->need_option and an error naming the option when missing or invalid), writes the
 * reporter's ISO3 and the flow ("X" or "M"). layout describes the file's layout for the
 * message. */
int cw_supply__fixed_reporter_flow(cw_supply *s, const cw_supply_load_opts *o,
                                   cw_supply_load_report *rep, const char *path, const char *layout,
                                   char rep_iso[4], char flow[2]);
/* The HS lines of a product group of trade_group ("rare_earths", ...) as text. */
const char *cw_supply__group_hs(const char *grp);
/* The product group of trade_group that stands for a commodity ("gallium" -> "gallium_germanium"),
 * or NULL. */
const char *cw_supply__commodity_group(const char *commodity);

/* Where missing data is published: a monthly price of commodity c; a monthly trade series
 * of c for partner p (written to out). Used by status (coverage) and the backtest. */
const char *cw_supply__where_price(const char *c);
void cw_supply__where_trade(const cw_supply *s, const char *c, const char *p, char *out,
                            size_t cap);

/* Issue recording for loaders. */
int cw_supply__issue(cw_supply_load_report *rep, cw_supply_issue_kind kind, size_t line,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
