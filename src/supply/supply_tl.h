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
    TL_N_IND
};

#define TL_MAX_SUPPLIERS 256

#define TL_MAX_LINES 16

typedef struct {
    int supplier;
    int line;
    int month;
    double value;
} tl_trade_row;

typedef struct {
    char id[64];
    int month;
} tl_event;

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
    /* price */
    char price_series[64];
    char price_unit[32];
    int price_first, price_last;
    /* production */
    char (*prod_top)[4];
    int *prod_year;
    bool *prod_est;
    int *wgi_missing;
    int wgi_year;
    /* events */
    tl_event *ev;
    size_t n_ev;
};

int cw_supply__ind_index(const char *name);
const char *cw_supply__ind_name(int i);
/* Appends the level changes of one timeline over months [from, to] (-1 = open). */
int cw_supply__changes_of(const cw_supply_timeline *t, const cw_supply_rules *r, int from, int to,
                          bool with_events, cw_supply_level_change **out, size_t *n_out);

#endif
