/* backtest.c: placeholder replaced below */
#include "supply/supply_int.h"
#include "chainwatch/errors.h"
int cw_supply_backtest(cw_supply *s, const cw_supply_rules *r, const char *events_path,
                       const cw_supply_backtest_opts *o, json_t **out)
{
    (void)s; (void)r; (void)events_path; (void)o; *out = NULL;
    return cw_error_set(CW_EINVAL, "not yet");
}
int cw_supply_synth(const char *dir, const cw_supply_synth_opts *o)
{
    (void)dir; (void)o;
    return cw_error_set(CW_EINVAL, "not yet");
}
