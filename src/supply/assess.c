/*
 * assess.c: rule evaluation on a timeline (levels with the fired indicators, values,
 * thresholds, data freshness and gaps), `explain`, level changes over time and their
 * recording as rows of supply_alerts (cw_supply_level_changes is the hook for the alert
 * subsystem).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chainwatch/errors.h"
#include "chainwatch/sql.h"
#include "supply/supply_int.h"
#include "supply/supply_rules.h"
#include "supply/supply_tl.h"

static const char *const op_text[] = {">=", ">", "<=", "<"};

static bool compare(double v, int op, double th)
{
    switch (op) {
    case 0:
        return v >= th;
    case 1:
        return v > th;
    case 2:
        return v <= th;
    default:
        return v < th;
    }
}

/* The rule's value at month i: the indicator at i, or over the lookback window the extreme
 * in the direction of the comparison. *at receives the month index of that value. */
static double rule_value(const cw_supply_timeline *t, const cw_sup_rule *ru, size_t i, size_t *at)
{
    const double *v = t->v[ru->ind];
    size_t lo = i >= (size_t)ru->lookback ? i - (size_t)ru->lookback : 0;
    double best = NAN;
    *at = i;
    for (size_t j = lo; j <= i; j++) {
        if (!isfinite(v[j]))
            continue;
        bool better = isnan(best) || (ru->op <= 1 ? v[j] > best : v[j] < best);
        if (better) {
            best = v[j];
            *at = j;
        }
    }
    return best;
}

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static int months_now(void)
{
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    return (tmv.tm_year + 1900) * 12 + tmv.tm_mon;
}

/* A level whose newest monthly datum is more than this many months before today is "stale"
 * (stop 18): twice the usual lag of the slowest monthly source read (UN Comtrade's monthly
 * trade, about 3 months); the prices read are out within a month. */
#define SUPPLY_STALE_MONTHS 6

static json_t *data_json(const cw_supply_timeline *t, size_t i)
{
    int m = t->m0 + (int)i;
    char buf[8];
    json_t *d = json_object();
    json_t *gaps = json_array();
    /* trade */
    if (t->trade_first >= 0) {
        json_t *tr = json_object();
        char basis[96];
        if (t->direct)
            snprintf(basis, sizeof basis, "imports reported by %s", t->partner);
        else {
            size_t pos = 0;
            pos += (size_t)snprintf(basis, sizeof basis, "mirror: exports to %s reported by",
                                    t->partner);
            for (size_t k = 0; k < t->n_suppliers && k < 4 && pos < sizeof basis; k++)
                pos += (size_t)snprintf(basis + pos, sizeof basis - pos, " %s", t->suppliers[k]);
            if (t->n_suppliers > 4 && pos < sizeof basis)
                snprintf(basis + pos, sizeof basis - pos, " and %zu more", t->n_suppliers - 4);
        }
        json_object_set_new(tr, "basis", json_string(basis));
        cw_supply__month_format(buf, t->trade_first);
        json_object_set_new(tr, "first", json_string(buf));
        int last = t->trade_last < m ? t->trade_last : m;
        cw_supply__month_format(buf, last);
        json_object_set_new(tr, "last", json_string(buf));
        json_object_set_new(tr, "age_months", json_integer(m - last));
        cw_supply__month_format(buf, t->trade_last);
        json_object_set_new(tr, "series_last", json_string(buf));
        json_object_set_new(tr, "months_behind_today", json_integer(months_now() - t->trade_last));
        json_object_set_new(tr, "ended", json_boolean(months_now() - t->trade_last > 3));
        json_object_set_new(tr, "synthetic", json_boolean(t->synthetic_trade));
        int miss = 0;
        for (int k = m - 11; k <= m; k++)
            if (k >= t->m0 && isnan(t->v[TL_TRADE_VALUE][k - t->m0]))
                miss++;
        json_object_set_new(tr, "missing_months_last_12", json_integer(miss));
        json_object_set_new(d, "trade", tr);
        if (miss)
            json_array_append_new(
                gaps, json_sprintf("trade: %d of the last 12 months have no rows", miss));
        if (!t->conc_ok)
            json_array_append_new(
                gaps, json_string("import concentration and friend-share: only mirror data from "
                                  "fewer than 3 reporters; load the partner's own imports"));
        if (m - last > 3)
            json_array_append_new(
                gaps, json_sprintf("trade data ends %d months before %s", m - last, t->labels[i]));
    } else {
        json_object_set_new(d, "trade", json_null());
        json_array_append_new(gaps, json_string("no trade data for this commodity and partner"));
    }
    /* price */
    if (t->price_first >= 0) {
        json_t *pr = json_object();
        json_object_set_new(pr, "series", json_string(t->price_series));
        json_object_set_new(pr, "unit", json_string(t->price_unit));
        cw_supply__month_format(buf, t->price_first);
        json_object_set_new(pr, "first", json_string(buf));
        int last = t->price_last < m ? t->price_last : m;
        cw_supply__month_format(buf, last);
        json_object_set_new(pr, "last", json_string(buf));
        json_object_set_new(pr, "age_months", json_integer(m - last));
        cw_supply__month_format(buf, t->price_last);
        json_object_set_new(pr, "series_last", json_string(buf));
        int behind = months_now() - t->price_last;
        json_object_set_new(pr, "months_behind_today", json_integer(behind));
        json_object_set_new(pr, "synthetic", json_boolean(t->synthetic_price));
        /* months with no new quote among the 12 to the level's month (stop 19): the source
         * carried its quote forward; shown so a calm price is not taken for a quoted one, read
         * by no rule (registered as missing for the detectors and reverted on its run) */
        int quiet = 0;
        for (int k = last - 11; k <= last; k++)
            if (k >= t->m0 && k - t->m0 < (int)t->n && t->price_quiet[k - t->m0])
                quiet++;
        json_object_set_new(pr, "quiet_months_last_12", json_integer(quiet));
        /* the newest month (twelfth stop): its series, last observation, and whether it is
         * a partial month; whether the loaded series has ended */
        json_object_set_new(pr, "last_series", json_string(t->price_last_series));
        json_object_set_new(pr, "last_observation", json_string(t->price_last_date));
        json_object_set_new(pr, "last_month_observations", json_integer(t->price_last_nobs));
        json_object_set_new(pr, "median_month_observations",
                            json_integer(t->price_last_median_nobs));
        json_object_set_new(pr, "last_month_partial", json_boolean(t->price_last_partial));
        bool prov = t->price_last_partial && m == t->price_last;
        json_object_set_new(pr, "provisional", json_boolean(prov));
        json_object_set_new(pr, "ended", json_boolean(behind >= 2));
        json_object_set_new(d, "price", pr);
        if (prov)
            json_array_append_new(
                gaps, json_sprintf("price: %s is a partial month (%d observations to %s, a "
                                   "month usually has %d): its level is provisional",
                                   t->labels[i], t->price_last_nobs, t->price_last_date,
                                   t->price_last_median_nobs));
        if (behind >= 2 && m >= t->price_last)
            json_array_append_new(
                gaps, json_sprintf("price: the loaded series ended at %s (last observation "
                                   "%s), %d months before today: no later month can warn",
                                   buf, t->price_last_date, behind));
    } else {
        json_object_set_new(d, "price", json_null());
        json_array_append_new(gaps, json_string("no price series mapped to this commodity "
                                                "(data/supply/price_series.csv)"));
    }
    /* production and governance */
    if (t->prod_year[i]) {
        json_t *po = json_object();
        json_object_set_new(po, "year", json_integer(t->prod_year[i]));
        json_object_set_new(po, "estimated", json_boolean(t->prod_est[i]));
        json_object_set_new(po, "top_producer", json_string(t->prod_top[i]));
        json_object_set_new(po, "wgi_year", t->wgi_year ? json_integer(t->wgi_year) : json_null());
        json_object_set_new(po, "producers_without_wgi", json_integer(t->wgi_missing[i]));
        json_object_set_new(d, "production", po);
        if (t->wgi_missing[i])
            json_array_append_new(gaps, json_sprintf("wgi_hhi: %d producing countries lack WGI "
                                                     "scores (value is a lower bound)",
                                                     t->wgi_missing[i]));
        if (!t->wgi_year)
            json_array_append_new(gaps, json_string("no WGI data loaded"));
    } else {
        json_object_set_new(d, "production", json_null());
        json_array_append_new(
            gaps, json_string(
                      "no production figure published by this month (a year's production is public "
                      "from January after it)"));
    }
    if (isnan(t->v[TL_NIR][i]))
        json_array_append_new(gaps, json_string("nir: needs the partner's own imports and "
                                                "exports (net weight) and its production"));
    /* exposure with its basis: the latest figure published by this month (no look-ahead) */
    if (t->exp_idx && t->exp_idx[i] >= 0) {
        const tl_exposure *x = &t->exps[t->exp_idx[i]];
        cw_supply__month_format(buf, cw_supply__exposure_published(x));
        json_t *eo = json_pack(
            "{s:s, s:s, s:s, s:f, s:s, s:s}", "basis",
            x->basis == EXP_USGS    ? "partner imports: USGS MCS U.S. import sources"
            : x->basis == EXP_KOMIR ? "partner imports: KOMIR Korea ore imports by partner"
                                    : "production concentration: world mine production (USGS MCS)",
            "period", x->period, "top_supplier", x->top, "share", x->share, "source", x->source,
            "published", buf);
        json_object_set_new(d, "exposure", eo);
        if (x->basis == EXP_PRODUCTION)
            json_array_append_new(gaps, json_sprintf("exposure: no import data of %s by supplier "
                                                     "published by %s; production concentration "
                                                     "stands in",
                                                     t->partner, t->labels[i]));
    } else {
        json_object_set_new(d, "exposure", json_null());
        int b0, n0, b1, n1;
        cw_supply__exposure_pick(t, m, false, NULL, &b0, &n0);
        cw_supply__exposure_pick(t, m, true, NULL, &b1, &n1);
        int k = n0 < 0   ? n1
                : n1 < 0 ? n0
                : cw_supply__exposure_published(&t->exps[n1]) <
                        cw_supply__exposure_published(&t->exps[n0])
                    ? n1
                    : n0;
        if (k >= 0) {
            cw_supply__month_format(buf, cw_supply__exposure_published(&t->exps[k]));
            json_array_append_new(
                gaps, json_sprintf("exposure: no figure published by %s; the first, %s %s (%s "
                                   "%.1f %%), was published %s (no look-ahead)",
                                   t->labels[i],
                                   t->exps[k].basis == EXP_PRODUCTION ? "world production"
                                                                      : "import sources",
                                   t->exps[k].period, t->exps[k].top, 100 * t->exps[k].share, buf));
        } else
            json_array_append_new(gaps, json_string("exposure: no partner imports by supplier "
                                                    "and no production data"));
    }
    /* HS lines and units */
    json_t *hl = json_array();
    if (t->trade_group[0]) /* a product group stands in: its lines are the ones counted */
        for (const char *g = cw_supply__group_hs(t->trade_group); *g;) {
            size_t len = strspn(g, "0123456789");
            if (len)
                json_array_append_new(hl, json_sprintf("%.*s", (int)len, g));
            g += len ? len : 1;
        }
    else
        for (size_t k = 0; k < t->n_lines; k++)
            json_array_append_new(hl, json_sprintf("%06d", t->lines[k]));
    json_object_set_new(d, "hs_lines", hl);
    if (t->trade_group[0])
        json_object_set_new(d, "trade_group",
                            json_sprintf("%s (HS %s, China's product-group total: no HS6 rows, or "
                                         "HS6 rows for fewer of its lines)",
                                         t->trade_group, cw_supply__group_hs(t->trade_group)));
    json_object_set_new(d, "units",
                        json_pack("{s:s, s:s}", "trade", "USD (current), monthly value", "price",
                                  t->price_unit[0] ? t->price_unit : "none"));
    if (t->price_note[0])
        json_object_set_new(d, "price_series_note", json_string(t->price_note));
    if (t->mrisk_first >= 0) { /* KOMIR's market-risk index (stop 15) */
        char a[8], b[8];
        cw_supply__month_format(a, t->mrisk_first);
        int last = t->mrisk_last < m ? t->mrisk_last : m;
        cw_supply__month_format(b, last);
        json_object_set_new(
            d, "komir_market_risk",
            json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "first", a, "last", b, "unit",
                      "index 0-100, lower = riskier", "age_months", m - last, "source",
                      "KOMIR market-risk index (data.go.kr), the same for every partner", "caveat",
                      "model output published by KOMIR, one vintage: months before its "
                      "publication are KOMIR's backcast; it moves with KOMIR's "
                      "supply-stability index, the KOMIR-agreement benchmark"));
    }
    json_object_set_new(
        d, "hygiene",
        json_pack("{s:I, s:I, s:s}", "floor_months", (json_int_t)t->floor_months,
                  "unit_value_months", (json_int_t)t->uv_months, "rule",
                  "months below 5% of the trailing 24-month median, or with a unit value off by "
                  "10x from its trailing median, are missing for the detectors"));
    bool syn = t->synthetic_trade || t->synthetic_price;
    json_object_set_new(d, "synthetic", json_boolean(syn));
    json_object_set_new(d, "series_kind", json_string(syn ? "synthetic" : "real"));
    {
        char today[8];
        cw_supply__month_format(today, months_now());
        json_object_set_new(d, "today", json_string(today));
        /* freshness at today (stop 18): the newest monthly datum the level at this month rests
         * on (trade or price, at or before the month), its age against today, and "stale" past
         * SUPPLY_STALE_MONTHS: such a level says stale, never a bare "none" */
        int newest = -1;
        const char *what = "";
        if (t->trade_first >= 0 && t->trade_first <= m) {
            newest = t->trade_last < m ? t->trade_last : m;
            what = "trade";
        }
        if (t->price_first >= 0 && t->price_first <= m &&
            (t->price_last < m ? t->price_last : m) > newest) {
            newest = t->price_last < m ? t->price_last : m;
            what = "price";
        }
        json_t *fo = json_object();
        if (newest >= 0) {
            cw_supply__month_format(buf, newest);
            json_object_set_new(fo, "newest_month", json_string(buf));
            json_object_set_new(fo, "newest_series", json_string(what));
            json_object_set_new(fo, "months_old", json_integer(months_now() - newest));
        } else {
            json_object_set_new(fo, "newest_month", json_null());
            json_object_set_new(fo, "newest_series", json_null());
            json_object_set_new(fo, "months_old", json_null());
        }
        json_object_set_new(fo, "today", json_string(today));
        json_object_set_new(fo, "stale_limit_months", json_integer(SUPPLY_STALE_MONTHS));
        json_object_set_new(
            fo, "stale", json_boolean(newest < 0 || months_now() - newest > SUPPLY_STALE_MONTHS));
        json_object_set_new(d, "fresh", fo);
    }
    json_object_set_new(d, "gaps", gaps);
    return d;
}

static bool ind_invariant(int ind)
{
    return ind == TL_PRICE || ind == TL_PRICE_Z || ind == TL_PRICE_EWMA_ABS ||
           ind == TL_PRICE_CUSUM_UP || ind == TL_PRICE_CUSUM_DOWN || ind == TL_PRICE_CP ||
           ind == TL_PRICE_CP_UP || ind == TL_PRICE_JUMP || ind == TL_PRICE_JUMP_EOM ||
           ind == TL_PRICE_REGIME || ind == TL_PRICE_PCTILE || ind == TL_PROD_HHI ||
           ind == TL_PROD_TOP || ind == TL_WGI_HHI || ind == TL_MRISK || ind == TL_MRISK_JUMP;
}

bool cw_supply__rule_invariant(const cw_supply_rules *r, size_t k)
{
    const cw_sup_rule *ru = &r->rules[k];
    if (!ind_invariant(ru->ind))
        return false;
    for (int q = 0; q < ru->n_requires; q++)
        if (!cw_supply__rule_invariant(r, (size_t)ru->requires[q]))
            return false;
    return true;
}

int cw_supply__level_masked(const cw_supply_timeline *t, const cw_supply_rules *r, size_t i,
                            bool with_events, const bool *mask)
{
    bool fired[256];
    return cw_supply__rules_fired(t, r, i, with_events, mask, fired);
}

/* Evaluates the rules whose kind is in `kinds` (bit 1 << kind) at month i. */
static int eval_rules(const cw_supply_timeline *t, const cw_supply_rules *r, size_t i,
                      unsigned kinds, const bool *mask, bool *fired)
{
    if (r->n > 256 || i >= t->n)
        return cw_error_set(CW_EINVAL, "at most 256 rules / month out of range");
    int level = 0;
    for (size_t k = 0; k < r->n; k++) {
        const cw_sup_rule *ru = &r->rules[k];
        fired[k] = false;
        if (!(kinds & (1u << ru->kind)) || (mask && !mask[k]))
            continue;
        size_t at;
        double v = rule_value(t, ru, i, &at);
        if (isnan(v) || !compare(v, ru->op, ru->threshold))
            continue;
        bool ok = true;
        for (int q = 0; q < ru->n_requires; q++)
            if (!fired[ru->requires[q]])
                ok = false;
        if (!ok)
            continue;
        fired[k] = true;
        if (ru->level > level)
            level = ru->level;
    }
    return level;
}

static unsigned alert_kinds(bool with_events)
{
    return (1u << CW_RULE_STRUCTURAL) | (1u << CW_RULE_DYNAMIC) |
           (with_events ? 1u << CW_RULE_EVENT : 0u);
}

#define STANDING_KINDS ((1u << CW_RULE_STRUCTURAL) | (1u << CW_RULE_STANDING))

int cw_supply__rules_fired(const cw_supply_timeline *t, const cw_supply_rules *r, size_t i,
                           bool with_events, const bool *mask, bool *fired)
{
    return eval_rules(t, r, i, alert_kinds(with_events), mask, fired);
}

int cw_supply__standing_fired(const cw_supply_timeline *t, const cw_supply_rules *r, size_t i,
                              bool *fired)
{
    return eval_rules(t, r, i, STANDING_KINDS, NULL, fired);
}

int cw_supply_timeline_standing(const cw_supply_timeline *t, const cw_supply_rules *r, size_t i)
{
    bool fired[256];
    return cw_supply__standing_fired(t, r, i, fired);
}

/* One fired rule as explain lists it: rule, level, kind, indicator, value, test, month seen,
 * source of the threshold, required rules. */
static json_t *fired_rule_json(const cw_supply_timeline *t, const cw_supply_rules *r,
                               const cw_sup_rule *ru, size_t i)
{
    size_t at;
    double v = rule_value(t, ru, i, &at);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:f, s:s, s:s}", "rule", ru->id, "level",
                          cw_supply_level_name(ru->level), "kind",
                          cw_supply__rule_kind_name(ru->kind), "indicator", ru->indicator, "value",
                          num_or_null(v), "op", op_text[ru->op], "threshold", ru->threshold, "at",
                          t->labels[at], "source", ru->source ? ru->source : "");
    if (o && ru->n_requires) {
        json_t *req = json_array();
        for (int q = 0; q < ru->n_requires; q++)
            json_array_append_new(req, json_string(r->rules[ru->requires[q]].id));
        json_object_set_new(o, "requires", req);
    }
    return o;
}

/* The standing level of month i and the rules behind it (standing_level, standing_level_name,
 * standing_fired[]): sustained tightness or concentration, kept apart from the alert level. */
static void standing_json(json_t *detail, const cw_supply_timeline *t, const cw_supply_rules *r,
                          size_t i)
{
    bool fired[256];
    int sl = cw_supply__standing_fired(t, r, i, fired);
    if (sl < 0)
        return;
    json_t *a = json_array();
    for (size_t k = 0; k < r->n; k++)
        if (fired[k] && r->rules[k].kind == CW_RULE_STANDING)
            json_array_append_new(a, fired_rule_json(t, r, &r->rules[k], i));
    json_object_set_new(detail, "standing_level", json_integer(sl));
    json_object_set_new(detail, "standing_level_name", json_string(cw_supply_level_name(sl)));
    json_object_set_new(detail, "standing_fired", a);
}

int cw_supply_timeline_level(const cw_supply_timeline *t, const cw_supply_rules *r, size_t i,
                             bool with_events, json_t **detail)
{
    if (detail)
        *detail = NULL;
    if (!detail)
        return cw_supply__level_masked(t, r, i, with_events, NULL);
    if (i >= t->n)
        return cw_error_set(CW_EINVAL, "month index %zu out of range", i);
    bool fired[256];
    if (r->n > 256)
        return cw_error_set(CW_EINVAL, "at most 256 rules");
    int level = 0;
    json_t *jf = detail ? json_array() : NULL, *jn = detail ? json_array() : NULL;
    for (size_t k = 0; k < r->n; k++) {
        const cw_sup_rule *ru = &r->rules[k];
        fired[k] = false;
        if (!(alert_kinds(with_events) & (1u << ru->kind)))
            continue;
        size_t at;
        double v = rule_value(t, ru, i, &at);
        if (isnan(v)) {
            if (jn)
                json_array_append_new(jn, json_pack("{s:s, s:s, s:s}", "rule", ru->id, "indicator",
                                                    ru->indicator, "why", "no data"));
            continue;
        }
        if (!compare(v, ru->op, ru->threshold))
            continue;
        bool ok = true;
        for (int q = 0; q < ru->n_requires; q++)
            if (!fired[ru->requires[q]])
                ok = false;
        if (!ok)
            continue;
        fired[k] = true;
        if (ru->level > level)
            level = ru->level;
        if (jf)
            json_array_append_new(jf, fired_rule_json(t, r, ru, i));
    }
    if (detail) {
        json_t *ind = json_object();
        for (int k = 0; k < TL_N_IND; k++)
            json_object_set_new(ind, cw_supply__ind_name(k), num_or_null(t->v[k][i]));
        json_t *evs = json_array();
        int m = t->m0 + (int)i;
        for (size_t k = 0; k < t->n_ev; k++)
            if (t->ev[k].month <= m && t->ev[k].month >= m - 12) {
                const tl_event *e = &t->ev[k];
                char ann[8], eff[8];
                cw_supply__month_format(ann, e->month);
                cw_supply__month_format(eff, e->eff_month);
                json_t *eo =
                    json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:s}", "id", e->id, "announced", ann,
                              "effective", eff, "actor", e->actor, "measure", e->measure, "counted",
                              e->counted, "source", e->source);
                json_object_set_new(eo, "actor_share", num_or_null(e->actor_share));
                json_object_set_new(eo, "actor_share_basis",
                                    e->basis[0] ? json_string(e->basis) : json_null());
                json_object_set_new(eo, "partner_dependence",
                                    e->dependence[0] ? json_string(e->dependence) : json_null());
                json_object_set_new(eo, "other_commodity",
                                    e->other[0] ? json_string(e->other) : json_null());
                json_array_append_new(evs, eo);
            }
        *detail =
            json_pack("{s:s, s:s, s:s, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "commodity",
                      t->commodity, "partner", t->partner, "period", t->labels[i], "level", level,
                      "level_name", cw_supply_level_name(level), "fired", jf, "not_evaluated", jn,
                      "indicators", ind, "top_supplier",
                      t->top_supplier[i][0] ? json_string(t->top_supplier[i]) : json_null(),
                      "top_producer", t->prod_top[i][0] ? json_string(t->prod_top[i]) : json_null(),
                      "events_last_12_months", evs, "data", data_json(t, i));
        if (*detail) {
            /* the level as shown (stop 18): "stale" rather than "none" when the newest datum it
             * rests on is older than the limit (data.fresh); a higher level keeps its name */
            bool stale = json_is_true(json_object_get(
                json_object_get(json_object_get(*detail, "data"), "fresh"), "stale"));
            json_object_set_new(*detail, "level_shown",
                                json_string(stale && level == CW_SUPPLY_NONE
                                                ? "stale"
                                                : cw_supply_level_name(level)));
            int dl = cw_supply__level_masked(t, r, i, false, NULL);
            json_object_set_new(*detail, "level_data_only", json_integer(dl));
            json_object_set_new(*detail, "level_data_only_name",
                                json_string(cw_supply_level_name(dl)));
            json_object_set_new(*detail, "level_event_informed",
                                with_events ? json_integer(level) : json_null());
            standing_json(*detail, t, r, i);
        }
        if (*detail && t->line_up_hs[i])
            json_object_set_new(*detail, "line_z_up_hs6", json_sprintf("%06d", t->line_up_hs[i]));
        if (*detail && t->line_down_hs[i])
            json_object_set_new(*detail, "line_z_down_hs6",
                                json_sprintf("%06d", t->line_down_hs[i]));
        if (*detail && t->line_stop_hs && t->line_stop_hs[i])
            json_object_set_new(*detail, "line_stop_hs6", json_sprintf("%06d", t->line_stop_hs[i]));
        if (!*detail)
            return cw_error_set(CW_ENOMEM, "out of memory building JSON");
    }
    return level;
}

int cw_supply_explain(cw_supply *s, const cw_supply_rules *r, const char *commodity,
                      const char *partner, const char *period, json_t **out)
{
    *out = NULL;
    cw_supply_timeline *t;
    int rc = cw_supply_timeline_build(&t, s, commodity, partner);
    if (rc)
        return rc;
    size_t i = t->n - 1;
    if (period) {
        int m = cw_supply__month_parse(period);
        if (m < 0) {
            rc = cw_error_set(CW_EINVAL, "bad period '%s' (YYYY-MM)", period);
            goto out;
        }
        if (m < t->m0 || m >= t->m0 + (int)t->n) {
            rc = cw_error_set(CW_ENOTFOUND, "%s %s: no data for %s (data cover %s to %s)",
                              t->commodity, t->partner, period, t->labels[0], t->labels[t->n - 1]);
            goto out;
        }
        i = (size_t)(m - t->m0);
    }
    rc = cw_supply_timeline_level(t, r, i, true, out);
    if (rc > 0)
        rc = 0;
out:
    cw_supply_timeline_free(t);
    return rc;
}

/* ---- level changes ----------------------------------------------------------------------- */

void cw_supply_level_changes_free(cw_supply_level_change *c, size_t n)
{
    for (size_t i = 0; i < n && c; i++)
        cw_free(c[i].reason);
    cw_free(c);
}

static char *reason_text(json_t *detail)
{
    cw_buf b = {0};
    json_t *f = json_object_get(detail, "fired");
    size_t k;
    json_t *o;
    for (k = 0; k < json_array_size(f) && (o = json_array_get(f, k)); k++) {
        cw_buf_printf(&b, "%s%s %s=%.4g %s %g", k ? "; " : "",
                      json_string_value(json_object_get(o, "rule")),
                      json_string_value(json_object_get(o, "indicator")),
                      json_number_value(json_object_get(o, "value")),
                      json_string_value(json_object_get(o, "op")),
                      json_number_value(json_object_get(o, "threshold")));
    }
    if (!b.len)
        cw_buf_printf(&b, "no rule fires");
    uint8_t z = 0;
    cw_buf_append(&b, &z, 1);
    return (char *)b.data;
}

int cw_supply__changes_of(const cw_supply_timeline *t, const cw_supply_rules *r, int from, int to,
                          bool with_events, cw_supply_level_change **out, size_t *n_out)
{
    int prev = -1;
    int rc = 0;
    bool inv_mask[256] = {false};
    if (r->n > 256)
        return cw_error_set(CW_EINVAL, "at most 256 rules");
    for (size_t k = 0; k < r->n; k++)
        inv_mask[k] = cw_supply__rule_invariant(r, k);
    for (size_t i = 0; i < t->n; i++) {
        int m = t->m0 + (int)i;
        if ((from >= 0 && m < from) || (to >= 0 && m > to))
            continue;
        int lv = cw_supply_timeline_level(t, r, i, with_events, NULL);
        if (lv < 0)
            return lv;
        if (prev < 0)
            prev = 0;
        if (lv == prev)
            continue;
        json_t *d = NULL;
        if ((rc = cw_supply_timeline_level(t, r, i, with_events, &d)) < 0)
            return rc;
        cw_supply_level_change *nc = cw_realloc(*out, (*n_out + 1) * sizeof *nc);
        if (!nc) {
            json_decref(d);
            return cw_error_set(CW_ENOMEM, "out of memory");
        }
        *out = nc;
        cw_supply_level_change *c = &nc[(*n_out)++];
        memset(c, 0, sizeof *c);
        snprintf(c->commodity, sizeof c->commodity, "%s", t->commodity);
        snprintf(c->partner, sizeof c->partner, "%s", t->partner);
        snprintf(c->period, sizeof c->period, "%s", t->labels[i]);
        c->old_level = prev;
        c->new_level = lv;
        int li = cw_supply__level_masked(t, r, i, with_events, inv_mask);
        if (li < 0) {
            json_decref(d);
            return li;
        }
        c->invariant = lv > 0 && li == lv;
        c->provisional = t->price_last_partial && m == t->price_last;
        if (c->provisional)
            snprintf(c->provisional_note, sizeof c->provisional_note,
                     "%s is a partial month (%d observations to %s, a month usually has %d): "
                     "provisional",
                     t->labels[i], t->price_last_nobs, t->price_last_date,
                     t->price_last_median_nobs);
        c->reason = reason_text(d);
        json_decref(d);
        prev = lv;
    }
    return 0;
}

static const char *const default_partners[] = {"USA", "KOR", "JPN"};

int cw_supply_level_changes(cw_supply *s, const cw_supply_rules *r, const char *commodity,
                            const char *partner, const char *from, const char *to, bool with_events,
                            cw_supply_level_change **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    int mf = from ? cw_supply__month_parse(from) : -1, mt = to ? cw_supply__month_parse(to) : -1;
    if ((from && mf < 0) || (to && mt < 0))
        return cw_error_set(CW_EINVAL, "bad %s month '%s' (YYYY-MM)",
                            from && mf < 0 ? "from" : "to", from && mf < 0 ? from : to);
    const char *com_list[64];
    size_t n_com = 0;
    if (commodity) {
        const char *c = cw_supply_commodity_resolve(s, commodity);
        if (!c)
            return cw_error_set(CW_ENOTFOUND, "unknown commodity '%s'", commodity);
        com_list[n_com++] = c;
    } else {
        for (size_t i = 0; i < s->n_commodities && n_com < 64; i++)
            com_list[n_com++] = s->commodities[i];
    }
    const char *par_list[3];
    size_t n_par = 0;
    if (partner)
        par_list[n_par++] = partner;
    else
        for (size_t i = 0; i < 3; i++)
            par_list[n_par++] = default_partners[i];
    for (size_t a = 0; a < n_com; a++)
        for (size_t b = 0; b < n_par; b++) {
            cw_supply_timeline *t;
            int rc = cw_supply_timeline_build(&t, s, com_list[a], par_list[b]);
            if (rc == CW_ENOTFOUND)
                continue;
            if (rc)
                goto fail;
            rc = cw_supply__changes_of(t, r, mf, mt, with_events, out, n_out);
            cw_supply_timeline_free(t);
            if (rc)
                goto fail;
            continue;
        fail:
            cw_supply_level_changes_free(*out, *n_out);
            *out = NULL;
            *n_out = 0;
            return rc;
        }
    return 0;
}

int cw_supply_alerts_record(cw_supply *s, const cw_supply_level_change *c, size_t n, size_t *n_new)
{
    *n_new = 0;
    sqlite3_stmt *st;
    int rc = cw_sql_exec(s->db, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR IGNORE INTO supply_alerts(commodity, partner, period, "
                           "old_level, new_level, reason) VALUES(?1,?2,?3,?4,?5,?6)",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = cw_supply__sqlerr(s->db, "prepare");
        cw_sql_exec(s->db, "ROLLBACK");
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, c[i].commodity, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, c[i].partner, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, c[i].period, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, c[i].old_level);
        sqlite3_bind_int(st, 5, c[i].new_level);
        sqlite3_bind_text(st, 6, c[i].reason, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = cw_supply__sqlerr(s->db, "insert alert");
            break;
        }
        *n_new += (size_t)sqlite3_changes(s->db);
    }
    sqlite3_finalize(st);
    if (rc) {
        cw_sql_exec(s->db, "ROLLBACK");
        return rc;
    }
    return cw_sql_exec(s->db, "COMMIT");
}

/* ---- coverage ---------------------------------------------------------------------------- */

static long count_sql(cw_supply *s, const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *st;
    long n = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (a)
        sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Where a missing price series is published, per commodity (also for history before the
 * series loaded here). */
const char *cw_supply__where_price(const char *c)
{
    if (!strcmp(c, "graphite"))
        return "no free monthly series: Fastmarkets or Benchmark Mineral Intelligence (flake, "
               "spherical, synthetic; commercial); the annual flake import unit value is in USGS "
               "MCS (us_salient_mcs2026.csv, loaded as salient)";
    if (!strcmp(c, "gallium") || !strcmp(c, "germanium"))
        return "Fastmarkets or Argus (commercial); SMM metal.com China domestic quotes; KOMIS "
               "komis.or.kr minor-metal prices (longer pulls than the one here); annual in USGS "
               "MCS";
    if (!strcmp(c, "antimony"))
        return "Argus or Fastmarkets (commercial); KOMIS komis.or.kr minor-metal prices; annual "
               "in USGS MCS (us_salient_mcs2026.csv)";
    if (!strcmp(c, "manganese"))
        return "KOMIS komis.or.kr (Mn 75% FOB China; the pull in komis-minor-metal-prices starts "
               "2024-01); CRU or Fastmarkets ore 44% CIF China (commercial); KOMIR's quarterly "
               "manganese prices (komir_eprice_manganese.csv) are model output, not observed";
    if (!strcmp(c, "li_ion"))
        return "no monthly cell price: BloombergNEF battery price survey (annual); the trade "
               "unit value of HS 850760 from UN Comtrade stands in";
    if (!strcmp(c, "rare_earths"))
        return "KOMIS komis.or.kr holds Nd oxide FOB China from 2010-07 and Dy oxide from 2013-03 "
               "(the pull in komis-minor-metal-prices starts 2024-01: PROVENANCE); SMM or Asian "
               "Metal (China domestic, commercial)";
    if (!strcmp(c, "lithium"))
        return "Asian Metal or Fastmarkets lithium carbonate (commercial; the free series here, "
               "dailymetalprice and the Investing.com China spot, both start 2017-05); "
               "annual unit values in USGS DS140 (ds140-lithium.csv)";
    if (!strcmp(c, "cobalt"))
        return "LME or Fastmarkets cobalt (commercial; dailymetalprice here starts 2017-01); "
               "KOMIR's cobalt market-risk index (2011-) is an index, not a price";
    return "World Bank Pink Sheet, dailymetalprice.com, or a KOMIS komis.or.kr series";
}

/* Where a missing monthly trade series for commodity c and partner p is published. */
void cw_supply__where_trade(const cw_supply *s, const char *c, const char *p, char *out, size_t cap)
{
    char hs[256] = "";
    size_t l = 0;
    for (size_t i = 0; i < s->n_lines; i++)
        if (!strcmp(s->lines[i].commodity, c) && s->lines[i].include && l + 8 < sizeof hs)
            l += (size_t)snprintf(hs + l, sizeof hs - l, "%s%06d", l ? ", " : "", s->lines[i].hs6);
    const char *nat = !strcmp(p, "USA")   ? "USITC DataWeb (dataweb.usitc.gov)"
                      : !strcmp(p, "KOR") ? "KITA / K-stat (stat.kita.net)"
                      : !strcmp(p, "JPN") ? "Japan Customs trade statistics (www.customs.go.jp)"
                                          : "the partner's customs statistics";
    snprintf(out, cap,
             "UN Comtrade comtradeplus.un.org, HS %s: %s's imports (reporter %s, flow M) or the "
             "producers' exports to it (reporter CHN, flow X; china-cm-exports-comtrade covers "
             "2017-01..2024-12 only); %s",
             l ? hs : "(no included line)", p, p, nat);
}

/* "first..last" of the single row (MIN, MAX) the query returns, or JSON null. */
static json_t *span_sql(cw_supply *s, const char *sql, const char *a)
{
    sqlite3_stmt *st;
    json_t *r = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return json_null();
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        char b[32];
        snprintf(b, sizeof b, "%.7s..%.7s", (const char *)sqlite3_column_text(st, 0),
                 (const char *)sqlite3_column_text(st, 1));
        r = json_string(b);
    }
    sqlite3_finalize(st);
    return r ? r : json_null();
}

int cw_supply_coverage(cw_supply *s, const char *commodity, const char *partner, json_t **out)
{
    *out = NULL;
    const char *c = cw_supply_commodity_resolve(s, commodity);
    if (!c)
        return cw_error_set(CW_ENOTFOUND, "unknown commodity '%s'", commodity);
    char p[4];
    int rc = cw_supply_country_resolve(s, partner, p);
    if (rc)
        return rc;
    char hs[512] = "";
    size_t l = 0;
    for (size_t i = 0; i < s->n_lines; i++)
        if (!strcmp(s->lines[i].commodity, c) && s->lines[i].include && l + 8 < sizeof hs)
            l += (size_t)snprintf(hs + l, sizeof hs - l, "%s%06d", l ? ", " : "", s->lines[i].hs6);
    char in[600];
    snprintf(in, sizeof in, "%s", hs);
    /* counts */
    char sql[1024];
    char list[600] = "";
    size_t ll = 0;
    for (size_t i = 0; i < s->n_lines; i++)
        if (!strcmp(s->lines[i].commodity, c) && s->lines[i].include && ll + 10 < sizeof list)
            ll += (size_t)snprintf(list + ll, sizeof list - ll, "%s'%06d'", ll ? "," : "",
                                   s->lines[i].hs6);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM trade WHERE ((reporter=?1 AND flow='M') OR (partner=?1 AND "
             "flow='X')) AND hs6 IN (%s)",
             ll ? list : "''");
    long own = 0, mirror = 0;
    {
        char sq2[1100];
        snprintf(sq2, sizeof sq2,
                 "SELECT COUNT(*) FROM trade WHERE reporter=?1 AND flow='M' AND hs6 IN (%s)",
                 ll ? list : "''");
        own = count_sql(s, sq2, p, NULL);
        snprintf(sq2, sizeof sq2,
                 "SELECT COUNT(*) FROM trade WHERE partner=?1 AND flow='X' AND hs6 IN (%s)",
                 ll ? list : "''");
        mirror = count_sql(s, sq2, p, NULL);
    }
    const char *gname = cw_supply__commodity_group(c);
    long grp = gname ? count_sql(s, "SELECT COUNT(*) FROM trade_group WHERE partner=?1 AND grp=?2",
                                 p, gname)
                     : 0;
    long price = count_sql(s,
                           "SELECT COUNT(*) FROM prices WHERE series IN (SELECT series FROM "
                           "price_series_map WHERE commodity=?1)",
                           c, NULL);
    long prod = count_sql(s, "SELECT COUNT(*) FROM production WHERE commodity=?1", c, NULL);
    long usgs = count_sql(s,
                          "SELECT COUNT(*) FROM import_sources WHERE reporter=?2 AND commodity=?1 "
                          "AND basis='usgs_import_sources'",
                          c, p);
    long komir = count_sql(s,
                           "SELECT COUNT(*) FROM import_sources WHERE reporter=?2 AND "
                           "commodity=?1 AND basis='komir_ore_imports'",
                           c, p);
    long nir = count_sql(s,
                         "SELECT COUNT(*) FROM salient WHERE commodity=?1 AND country=?2 AND "
                         "series='nir'",
                         c, p);
    json_t *have =
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "own_imports_rows", (json_int_t)own,
                  "mirror_rows", (json_int_t)mirror, "group_rows", (json_int_t)grp, "price_rows",
                  (json_int_t)price, "production_rows", (json_int_t)prod, "usgs_import_source_rows",
                  (json_int_t)usgs, "komir_import_rows", (json_int_t)komir, "reported_nir_rows",
                  (json_int_t)nir);
    /* the months each kind covers: what is missing before and after is history a backtest
     * cannot score (the backtest names it per event) */
    json_t *spans = json_object();
    {
        char sq[1200];
        snprintf(sq, sizeof sq,
                 "SELECT MIN(period), MAX(period) FROM trade WHERE reporter=?1 AND flow='M' AND "
                 "hs6 IN (%s)",
                 ll ? list : "''");
        json_object_set_new(spans, "own_imports", span_sql(s, sq, p));
        snprintf(sq, sizeof sq,
                 "SELECT MIN(period), MAX(period) FROM trade WHERE partner=?1 AND flow='X' AND "
                 "hs6 IN (%s)",
                 ll ? list : "''");
        json_object_set_new(spans, "mirror", span_sql(s, sq, p));
        snprintf(sq, sizeof sq,
                 "SELECT MIN(period), MAX(period) FROM trade_group WHERE partner=?1 AND grp='%s'",
                 gname ? gname : "");
        json_object_set_new(spans, "group", grp ? span_sql(s, sq, p) : json_null());
        json_object_set_new(spans, "price",
                            span_sql(s,
                                     "SELECT MIN(substr(date,1,7)), MAX(substr(date,1,7)) FROM "
                                     "prices WHERE series IN (SELECT series FROM "
                                     "price_series_map WHERE commodity=?1)",
                                     c));
    }
    json_t *miss = json_array();
    if (!own) {
        const char *nat = !strcmp(p, "USA")   ? "USITC DataWeb (dataweb.usitc.gov)"
                          : !strcmp(p, "KOR") ? "KITA / K-stat (stat.kita.net)"
                          : !strcmp(p, "JPN") ? "Japan Customs trade statistics (www.customs.go.jp)"
                                              : "the national customs statistics";
        json_array_append_new(
            miss, json_pack("{s:s, s:s}", "data",
                            "the partner's own monthly imports by supplier (needed for import "
                            "concentration, friend-share, NIR and partner-specific collapses)",
                            "where",
                            "UN Comtrade comtradeplus.un.org (reporter = partner, flow M, HS "
                            "lines below), or national statistics"));
        json_object_set_new(json_array_get(miss, json_array_size(miss) - 1), "hs_lines",
                            json_string(in));
        json_object_set_new(json_array_get(miss, json_array_size(miss) - 1), "national",
                            json_string(nat));
    }
    if (!own && !mirror && !grp)
        json_array_append_new(
            miss, json_pack("{s:s, s:s, s:s}", "data",
                            "any monthly trade series (own imports or mirror exports to the "
                            "partner)",
                            "where",
                            "UN Comtrade comtradeplus.un.org: the partner's imports, or China's "
                            "and other producers' exports to the partner",
                            "hs_lines", in));
    if (!price)
        json_array_append_new(miss, json_pack("{s:s, s:s}", "data", "a monthly price series",
                                              "where", cw_supply__where_price(c)));
    if (!prod)
        json_array_append_new(
            miss, json_pack("{s:s, s:s}", "data", "world production by country", "where",
                            !strcmp(c, "germanium")
                                ? "USGS MCS has no germanium country table: BGS World Mineral "
                                  "Statistics (www2.bgs.ac.uk/mineralsuk/statistics)"
                            : !strcmp(c, "li_ion")
                                ? "cell production by country: Benchmark or BNEF (commercial)"
                                : "USGS Mineral Commodity Summaries (pubs.usgs.gov)"));
    if (!usgs && !komir && (!strcmp(p, "USA") || !strcmp(p, "KOR") || !strcmp(p, "JPN")))
        json_array_append_new(
            miss,
            json_pack("{s:s, s:s}", "data", "the partner's import sources by supplier", "where",
                      !strcmp(p, "USA")   ? "USGS MCS import sources (us_import_sources "
                                            "table of MCS) or USITC DataWeb"
                      : !strcmp(p, "KOR") ? "KOMIR via data.go.kr (ores; processed "
                                            "products in KITA / K-stat)"
                                          : "Japan Customs (www.customs.go.jp) or UN "
                                            "Comtrade reporter 392"));
    *out = json_pack("{s:s, s:s, s:o, s:o, s:o, s:b}", "commodity", c, "partner", p, "have", have,
                     "spans", spans, "missing", miss, "any_series", own || mirror || grp || price);
    return *out ? 0 : cw_error_set(CW_ENOMEM, "out of memory");
}

/* ---- series for the dashboard ------------------------------------------------------------ */

static json_t *period_pts(const cw_supply_timeline *t, const double *v)
{
    json_t *a = json_array();
    for (size_t i = 0; i < t->n; i++)
        if (isfinite(v[i]))
            json_array_append_new(a,
                                  json_pack("{s:s, s:f}", "period", t->labels[i], "value", v[i]));
    return a;
}

/* Production shares of the latest year and the partner's import sources (stated basis). */
static json_t *shares_json(cw_supply *s, const char *sql, const char *a, const char *b,
                           bool with_value)
{
    json_t *out = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return out;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_pack(
            "{s:s, s:f, s:s, s:s}", "country", (const char *)sqlite3_column_text(st, 0), "share",
            sqlite3_column_double(st, 1), "period",
            sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "", "basis",
            sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "");
        if (with_value && sqlite3_column_type(st, 4) != SQLITE_NULL)
            json_object_set_new(o, "value", json_real(sqlite3_column_double(st, 4)));
        json_array_append_new(out, o);
    }
    sqlite3_finalize(st);
    return out;
}

int cw_supply_series(cw_supply *s, const cw_supply_rules *r, const char *commodity,
                     const char *partner, json_t **out)
{
    *out = NULL;
    cw_supply_timeline *t;
    int rc = cw_supply_timeline_build(&t, s, commodity, partner);
    if (rc)
        return rc;
    json_t *months = json_array(), *lv = json_array(), *lvd = json_array(), *anom = json_array(),
           *evs = json_array(), *stl = json_array();
    for (size_t i = 0; i < t->n; i++) {
        json_array_append_new(months, json_string(t->labels[i]));
        int a = cw_supply__level_masked(t, r, i, true, NULL);
        int d = cw_supply__level_masked(t, r, i, false, NULL);
        int sl = cw_supply_timeline_standing(t, r, i);
        if (a < 0 || d < 0 || sl < 0) {
            rc = a < 0 ? a : d < 0 ? d : sl;
            goto out;
        }
        json_array_append_new(lv, json_integer(a));
        json_array_append_new(lvd, json_integer(d));
        json_array_append_new(stl, json_integer(sl));
        /* anomalies: the dynamic rules firing on this month's own value, placed on the series
         * they read (the price, or the trade value); standing rules are a state, not an
         * anomaly: they are in standing_level, drawn as a band */
        for (size_t k = 0; k < r->n; k++) {
            const cw_sup_rule *ru = &r->rules[k];
            if (ru->kind != CW_RULE_DYNAMIC || ru->n_requires)
                continue;
            double v = t->v[ru->ind][i];
            if (!isfinite(v) || !compare(v, ru->op, ru->threshold))
                continue;
            bool on_price = ru->ind == TL_PRICE_Z || ru->ind == TL_PRICE_CUSUM_UP ||
                            ru->ind == TL_PRICE_CP_UP || ru->ind == TL_PRICE_CP ||
                            ru->ind == TL_PRICE_CUSUM_DOWN || ru->ind == TL_PRICE_EWMA_ABS ||
                            ru->ind == TL_PRICE_JUMP || ru->ind == TL_PRICE_REGIME ||
                            ru->ind == TL_PRICE_PCTILE || ru->ind == TL_PRICE_JUMP_EOM;
            bool on_index = ru->ind == TL_MRISK || ru->ind == TL_MRISK_JUMP;
            double at = on_index   ? t->v[TL_MRISK][i]
                        : on_price ? t->v[TL_PRICE][i]
                                   : t->v[TL_TRADE_VALUE][i];
            json_t *o =
                json_pack("{s:s, s:s, s:s, s:f, s:s, s:s}", "period", t->labels[i], "rule", ru->id,
                          "indicator", ru->indicator, "indicator_value", v, "series",
                          on_index   ? "komir_market_risk"
                          : on_price ? "price"
                                     : "trade",
                          "detector", ru->id);
            json_object_set_new(o, "value", num_or_null(at));
            if (ru->ind == TL_LINE_UP && t->line_up_hs[i])
                json_object_set_new(o, "hs6", json_sprintf("%06d", t->line_up_hs[i]));
            if (ru->ind == TL_LINE_DOWN && t->line_down_hs[i])
                json_object_set_new(o, "hs6", json_sprintf("%06d", t->line_down_hs[i]));
            if (ru->ind == TL_LINE_STOP && t->line_stop_hs && t->line_stop_hs[i])
                json_object_set_new(o, "hs6", json_sprintf("%06d", t->line_stop_hs[i]));
            json_array_append_new(anom, o);
        }
    }
    for (size_t k = 0; k < t->n_ev; k++) {
        const tl_event *e = &t->ev[k];
        if (e->other[0]) /* measures on other commodities: explain lists them, not the chart */
            continue;
        char ann[8], eff[8];
        cw_supply__month_format(ann, e->month);
        cw_supply__month_format(eff, e->eff_month);
        json_t *eo =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:s}", "id", e->id, "date", eff,
                      "announced", ann, "effective", eff, "actor", e->actor, "measure", e->measure,
                      "counted", e->counted, "source", e->source, "title", e->id);
        json_object_set_new(eo, "actor_share", num_or_null(e->actor_share));
        json_array_append_new(evs, eo);
    }
    {
        json_t *d = data_json(t, t->n - 1);
        char b1[8] = "", b2[8] = "", b3[8] = "", b4[8] = "";
        if (t->trade_first >= 0) {
            cw_supply__month_format(b1, t->trade_first);
            cw_supply__month_format(b2, t->trade_last);
        }
        if (t->price_first >= 0) {
            cw_supply__month_format(b3, t->price_first);
            cw_supply__month_format(b4, t->price_last);
        }
        json_t *jt = json_object_get(d, "trade");
        int py = 0;
        for (size_t i = 0; i < t->n; i++)
            if (t->prod_year[i])
                py = t->prod_year[i];
        char yb[8];
        snprintf(yb, sizeof yb, "%d", py);
        json_t *prod = shares_json(
            s,
            "SELECT p.country, p.value / (SELECT MAX(w) FROM (SELECT SUM(value) AS w FROM "
            "production WHERE commodity=?1 AND year=?2 AND country NOT IN ('W00') UNION ALL "
            "SELECT value FROM production WHERE commodity=?1 AND year=?2 AND country='W00')), "
            "p.year, 'world mine production (USGS MCS)' FROM production p WHERE p.commodity=?1 "
            "AND p.year=?2 AND p.value IS NOT NULL AND p.country NOT IN ('W00','ZZZ') ORDER BY "
            "p.value DESC LIMIT 8",
            t->commodity, yb, false);
        json_t *imp = shares_json(
            s,
            "SELECT supplier, CASE WHEN share IS NOT NULL THEN share ELSE value_usd / (SELECT "
            "SUM(value_usd) FROM import_sources x WHERE x.reporter=i.reporter AND "
            "x.commodity=i.commodity AND x.period=i.period AND x.basis=i.basis) END, period, "
            "basis, value_usd FROM import_sources i WHERE reporter=?2 AND commodity=?1 AND basis "
            "IN ('usgs_import_sources','komir_ore_imports') AND supplier NOT IN ('W00') ORDER BY "
            "period DESC, 2 DESC LIMIT 12",
            t->commodity, t->partner, true);
        bool syn = t->synthetic_trade || t->synthetic_price;
        json_t *jbasis = jt ? json_object_get(jt, "basis") : NULL; /* absent without trade */
        *out = json_pack(
            "{s:s, s:s, s:s, s:b, s:s, s:o, s:o, s:{s:s, s:o, s:o, s:o, s:s}, s:{s:s, s:s, s:o, "
            "s:o, s:s}, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
            "commodity", t->commodity, "partner", t->partner, "series_kind",
            syn ? "synthetic" : "real", "synthetic", syn, "price_unit", t->price_unit, "price",
            period_pts(t, t->v[TL_PRICE]), "trade", period_pts(t, t->v[TL_TRADE_VALUE]),
            "trade_series", "unit", "USD (current) per month", "first",
            b1[0] ? json_string(b1) : json_null(), "last", b2[0] ? json_string(b2) : json_null(),
            "basis", jbasis ? json_incref(jbasis) : json_null(), "kind",
            t->synthetic_trade ? "synthetic" : "real", "price_series", "series", t->price_series,
            "unit", t->price_unit, "first", b3[0] ? json_string(b3) : json_null(), "last",
            b4[0] ? json_string(b4) : json_null(), "kind",
            t->synthetic_price ? "synthetic" : "real", "months", months, "level", lv,
            "level_data_only", lvd, "anomalies", anom, "events", evs, "production_shares", prod,
            "import_sources", imp);
        if (*out) {
            json_object_set_new(*out, "data", d);
            json_object_set_new(*out, "standing_level", stl);
            stl = NULL;
            if (t->price_note[0])
                json_object_set_new(json_object_get(*out, "price_series"), "note",
                                    json_string(t->price_note));
            if (t->trade_group[0])
                json_object_set_new(json_object_get(*out, "trade_series"), "group",
                                    json_sprintf("%s (HS %s)", t->trade_group,
                                                 cw_supply__group_hs(t->trade_group)));
        } else {
            json_decref(d);
        }
        months = lv = lvd = anom = evs = NULL;
    }
    if (!*out)
        rc = cw_error_set(CW_ENOMEM, "out of memory building JSON");
out:
    json_decref(months);
    json_decref(lv);
    json_decref(lvd);
    json_decref(anom);
    json_decref(evs);
    json_decref(stl);
    cw_supply_timeline_free(t);
    return rc;
}
