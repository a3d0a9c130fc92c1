/*
 * backtest.c: replays the rule levels month by month (event rules off, so the events being
 * scored never feed the signals) and scores them against an events file. An alert is a month
 * where the level rises to the chosen level or above. Per event: hit when an alert came at most
 * window_months before the effective month (lead = effective - alert month), miss when data
 * covered that window but no alert came, no_data otherwise. Overall: hit rate, false alarms
 * (alerts matching no event), and the noise-to-signal ratio of Kaminsky, Lizondo and Reinhart
 * (1998) on monthly signals: [B/(B+D)] / [A/(A+C)].
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "supply/supply_int.h"
#include "supply/supply_tl.h"

static const char *const partners[] = {"USA", "KOR", "JPN"};

typedef struct {
    size_t com; /* index into s->commodities */
    int par;
    cw_supply_timeline *t; /* NULL when no data */
    int *level;            /* per month of t */
} series;

static int month_of(const char *date)
{
    if (strlen(date) == 4) {
        char b[8];
        snprintf(b, sizeof b, "%s-01", date);
        return cw_supply__month_parse(b);
    }
    return cw_supply__month_parse(date);
}

/* Resolves the event's commodity list into indexes of s->commodities (mask). */
static size_t event_commodities(cw_supply *s, const cw_sup_event *e, bool *mask)
{
    size_t k = 0;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", e->commodities);
    for (char *tok = buf, *next; tok && *tok; tok = next) {
        next = strchr(tok, ';');
        if (next)
            *next++ = 0;
        const char *c = cw_supply_commodity_resolve(s, cw_supply__trim(tok));
        for (size_t i = 0; c && i < s->n_commodities; i++)
            if (s->commodities[i] == c && !mask[i]) {
                mask[i] = true;
                k++;
            }
    }
    return k;
}

static bool has_signal_data(const cw_supply_timeline *t, int from, int to)
{
    for (int m = from; m <= to; m++) {
        int i = m - t->m0;
        if (i < 0 || i >= (int)t->n)
            continue;
        if (isfinite(t->v[TL_TRADE_Z][i]) || isfinite(t->v[TL_PRICE_Z][i]) ||
            isfinite(t->v[TL_LINE_UP][i]))
            return true;
    }
    return false;
}

int cw_supply_backtest(cw_supply *s, const cw_supply_rules *r, const char *events_path,
                       const cw_supply_backtest_opts *o, json_t **out)
{
    *out = NULL;
    cw_sup_event *ev = NULL;
    size_t n_ev = 0;
    cw_supply_load_report rep;
    memset(&rep, 0, sizeof rep);
    int rc = cw_supply__events_read(s, events_path, &ev, &n_ev, &rep);
    if (!rc && rep.rows_rejected) {
        for (size_t i = 0; i < rep.n_issues; i++)
            if (rep.issues[i].kind == CW_SUPPLY_ISSUE_REJECT) {
                rc = cw_error_set(CW_ECORRUPT, "%s:%zu: %s", events_path, rep.issues[i].line,
                                  rep.issues[i].msg);
                break;
            }
    }
    cw_supply_load_report_deinit(&rep);
    if (rc) {
        cw_supply__events_free(ev, n_ev);
        return rc;
    }
    int W = o->window_months > 0 ? o->window_months : 12;
    int L = o->level > 0 ? o->level : CW_SUPPLY_CAUTION;
    /* evaluated months: given, or the span of the events' windows */
    int from = o->from ? cw_supply__month_parse(o->from) : -1;
    int to = o->to ? cw_supply__month_parse(o->to) : -1;
    if ((o->from && from < 0) || (o->to && to < 0)) {
        cw_supply__events_free(ev, n_ev);
        return cw_error_set(CW_EINVAL, "bad --from/--to month (YYYY-MM)");
    }
    if (!o->from || !o->to) {
        int lo = -1, hi = -1;
        for (size_t i = 0; i < n_ev; i++) {
            int e = month_of(ev[i].effective);
            if (e < 0)
                continue;
            if (lo < 0 || e - W < lo)
                lo = e - W;
            if (e > hi)
                hi = e;
        }
        if (!o->from)
            from = lo;
        if (!o->to)
            to = hi;
    }
    size_t n_ser = s->n_commodities * 3;
    series *ser = cw_calloc(n_ser ? n_ser : 1, sizeof *ser);
    json_t *jevents = json_array(), *unmatched = json_array();
    if (!ser) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t c = 0; c < s->n_commodities; c++)
        for (int p = 0; p < 3; p++) {
            series *x = &ser[c * 3 + (size_t)p];
            x->com = c;
            x->par = p;
            rc = cw_supply_timeline_build(&x->t, s, s->commodities[c], partners[p]);
            if (rc == CW_ENOTFOUND) {
                rc = 0;
                x->t = NULL;
                continue;
            }
            if (rc)
                goto out;
            x->level = cw_calloc(x->t->n, sizeof *x->level);
            if (!x->level) {
                rc = cw_error_set(CW_ENOMEM, "out of memory");
                goto out;
            }
            for (size_t i = 0; i < x->t->n; i++) {
                int lv = cw_supply_timeline_level(x->t, r, i, false, NULL);
                if (lv < 0) {
                    rc = lv;
                    goto out;
                }
                x->level[i] = lv;
            }
        }
    /* per event */
    size_t hits = 0, misses = 0, no_data = 0, out_scope = 0;
    for (size_t e = 0; e < n_ev; e++) {
        const cw_sup_event *v = &ev[e];
        int E = month_of(v->effective);
        bool mask[256] = {false};
        size_t nc = s->n_commodities <= 256 ? event_commodities(s, v, mask) : 0;
        int pmask[3] = {0, 0, 0};
        size_t np = 0;
        for (int p = 0; p < 3; p++)
            if (!strcmp(v->affected, "all") || !strcmp(v->affected, partners[p])) {
                pmask[p] = 1;
                np++;
            }
        const char *result;
        char note[256] = "";
        int best_lead = -1;
        char best_at[8] = "", best_par[4] = "";
        if (!nc || !np || E < 0) {
            result = "out_of_scope";
            snprintf(note, sizeof note, "%s",
                     !nc   ? "commodity outside the scope (data/supply/commodities.csv)"
                     : !np ? "affected partner is not USA, KOR or JPN"
                           : "no effective month");
            out_scope++;
        } else {
            bool covered = false;
            for (size_t c = 0; c < s->n_commodities; c++)
                for (int p = 0; p < 3; p++) {
                    if (!mask[c] || !pmask[p])
                        continue;
                    series *x = &ser[c * 3 + (size_t)p];
                    if (!x->t || !has_signal_data(x->t, E - W, E))
                        continue;
                    covered = true;
                    for (int m = E - W; m <= E; m++) {
                        int i = m - x->t->m0;
                        if (i < 1 || i >= (int)x->t->n)
                            continue;
                        if (x->level[i] >= L && x->level[i - 1] < L && E - m > best_lead) {
                            best_lead = E - m;
                            cw_supply__month_format(best_at, m);
                            snprintf(best_par, sizeof best_par, "%s", partners[p]);
                        }
                    }
                }
            if (!covered) {
                result = "no_data";
                snprintf(note, sizeof note,
                         "no trade or price series covers %d months before "
                         "the effective date",
                         W);
                no_data++;
            } else if (best_lead >= 0) {
                result = "hit";
                snprintf(note, sizeof note, "first alert %s (%s)", best_at, best_par);
                hits++;
            } else {
                result = "miss";
                snprintf(note, sizeof note, "no alert at level >= %s in the %d months before",
                         cw_supply_level_name(L), W);
                misses++;
            }
        }
        json_t *je =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "event_id", v->id, "announced",
                      v->announced, "effective", v->effective, "commodity", v->commodities,
                      "partner", v->affected, "result", result, "note", note);
        json_object_set_new(je, "lead_months",
                            best_lead >= 0 ? json_integer(best_lead) : json_null());
        json_object_set_new(je, "line", json_integer((json_int_t)v->line));
        json_array_append_new(jevents, je);
    }
    /* alerts, matches and the monthly confusion counts */
    size_t n_alerts = 0, matched = 0;
    long A = 0, B = 0, C = 0, D = 0;
    for (size_t k = 0; k < n_ser; k++) {
        series *x = &ser[k];
        if (!x->t)
            continue;
        for (size_t i = 0; i < x->t->n; i++) {
            int m = x->t->m0 + (int)i;
            if ((from >= 0 && m < from) || (to >= 0 && m > to))
                continue;
            /* does an event for this commodity x partner take effect within W months? */
            bool in_window = false;
            for (size_t e = 0; e < n_ev; e++) {
                int E = month_of(ev[e].effective);
                bool mask[256] = {false};
                if (E < 0 || s->n_commodities > 256)
                    continue;
                event_commodities(s, &ev[e], mask);
                if (!mask[x->com])
                    continue;
                if (strcmp(ev[e].affected, "all") != 0 &&
                    strcmp(ev[e].affected, partners[x->par]) != 0)
                    continue;
                if (m >= E - W && m <= E)
                    in_window = true;
            }
            bool sig = x->level[i] >= L;
            if (has_signal_data(x->t, m, m)) {
                if (sig && in_window)
                    A++;
                else if (sig)
                    B++;
                else if (in_window)
                    C++;
                else
                    D++;
            }
            if (i > 0 && x->level[i] >= L && x->level[i - 1] < L) {
                n_alerts++;
                if (in_window) {
                    matched++;
                } else {
                    json_array_append_new(
                        unmatched, json_pack("{s:s, s:s, s:s, s:s}", "period", x->t->labels[i],
                                             "commodity", x->t->commodity, "partner", x->t->partner,
                                             "level", cw_supply_level_name(x->level[i])));
                }
            }
        }
    }
    double hit_rate = hits + misses ? (double)hits / (double)(hits + misses) : NAN;
    double nsr = NAN;
    if (A > 0 && B + D > 0)
        nsr = ((double)B / (double)(B + D)) / ((double)A / (double)(A + C));
    char fb[8] = "", tb[8] = "";
    if (from >= 0)
        cw_supply__month_format(fb, from);
    if (to >= 0)
        cw_supply__month_format(tb, to);
    json_t *sum = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:o, s:s, s:i, s:s, s:s,"
        " s:{s:I, s:I, s:I, s:I}}",
        "events", (json_int_t)n_ev, "scored", (json_int_t)hits + (json_int_t)misses, "hits",
        (json_int_t)hits, "misses", (json_int_t)misses, "no_data", (json_int_t)no_data,
        "out_of_scope", (json_int_t)out_scope, "hit_rate",
        isfinite(hit_rate) ? json_real(hit_rate) : json_null(), "alerts", (json_int_t)n_alerts,
        "alerts_matched", (json_int_t)matched, "false_alarms", (json_int_t)(n_alerts - matched),
        "noise_to_signal", isfinite(nsr) ? json_real(nsr) : json_null(), "level",
        cw_supply_level_name(L), "window_months", W, "from", fb, "to", tb, "months",
        "signal_in_window", (json_int_t)A, "signal_outside", (json_int_t)B, "quiet_in_window",
        (json_int_t)C, "quiet_outside", (json_int_t)D);
    *out = json_pack("{s:o, s:o, s:o, s:s}", "summary", sum, "events", jevents, "unmatched_alerts",
                     unmatched, "note",
                     "event rules are off in the backtest: levels come from structural and "
                     "dynamic rules only");
    jevents = unmatched = NULL;
    if (!*out)
        rc = cw_error_set(CW_ENOMEM, "out of memory building JSON");
out:
    json_decref(jevents);
    json_decref(unmatched);
    for (size_t k = 0; ser && k < n_ser; k++) {
        cw_supply_timeline_free(ser[k].t);
        cw_free(ser[k].level);
    }
    cw_free(ser);
    cw_supply__events_free(ev, n_ev);
    return rc;
}
