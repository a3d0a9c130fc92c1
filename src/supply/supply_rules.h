/* supply_rules.h: the parsed rule table (internal to src/supply). */
#ifndef CW_SUPPLY_RULES_H
#define CW_SUPPLY_RULES_H

#include "chainwatch/supply.h"

/* Every indicator name a rule may use (see docs/SUPPLY-INDICATORS.md). */
#define CW_SUPPLY_INDICATORS                                                                       \
    "import_top_share", "import_hhi", "import_ens", "friend_share", "nir", "prod_hhi",             \
        "prod_top_share", "wgi_hhi", "trade_value", "trade_z", "trade_ewma", "trade_ewma_abs",     \
        "trade_cusum_up", "trade_cusum_down", "trade_cp", "price", "price_z", "price_ewma_abs",    \
        "price_cusum_up", "price_cusum_down", "price_cp", "event_active", "line_z_up",             \
        "line_z_down", "price_cp_up", "exposure_share", "event_measure", "trade_floor_run",        \
        "price_jump", "price_regime", "event_actor", "price_pctile", "line_stop",                  \
        "price_jump_eom", "komir_market_risk", "komir_mrisk_jump", "trade_frontload"

/* Rule kinds. The alert level (what changes and the backtest's alerts read) is made of the
 * structural, dynamic and (event-informed only) event rules; the standing level (sustained
 * tightness or concentration: what KOMIR's supply-stability index measures) of the structural
 * and standing rules. A standing rule never raises the alert level and never makes an alert. */
enum { CW_RULE_STRUCTURAL, CW_RULE_DYNAMIC, CW_RULE_EVENT, CW_RULE_STANDING };

/* "structural", "dynamic", "event" or "standing". */
const char *cw_supply__rule_kind_name(int kind);

typedef struct {
    char id[32];
    int level;
    int kind;
    char indicator[32];
    int ind; /* index in CW_SUPPLY_INDICATORS */
    int op;  /* 0 >=, 1 >, 2 <=, 3 < */
    double threshold;
    int lookback;
    int requires[4];
    int n_requires;
    char *source;
} cw_sup_rule;

struct cw_supply_rules {
    cw_sup_rule *rules;
    size_t n;
};

#endif
