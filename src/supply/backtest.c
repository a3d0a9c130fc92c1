/*
 * backtest.c: the honest backtest (issue 16). Levels are replayed month by month from the
 * data-only rule set (rules of kind "event" off, so the events being scored never feed the
 * signals) and scored against one or more event files (the events layout, or the GTA / IEA
 * policy catalogues, whose trade controls become events).
 *
 * Counting:
 *  - Partner-invariant signals (price, production, governance: the same for USA, KOR and JPN)
 *    are counted once per commodity; partner-specific signals (trade, exposure) once per
 *    commodity x partner. An alert is a month where a cell's signal (level >= the chosen level)
 *    switches on from an evaluated quiet month; it names the rules that fired. Commodities with
 *    the same monthly trade series (gallium and germanium: basket 811292) share one set of
 *    trade cells.
 *  - An event is a hit when an alert came in the window months up to and including its
 *    effective month on any of its commodities (invariant cell) or commodity x affected-partner
 *    cells; leads are measured from the effective month and from the announcement.
 *  - Events with no data in their window count as misses in the headline hit rate; easing
 *    events (restrictions lifted or relaxed, rulings, policy responses) are reported apart.
 *  - The same measure listed in several catalogues (same actor and affected partners, a shared
 *    commodity, effective within 1 month) is scored once.
 *  - Noise-to-signal ratio (Kaminsky, Lizondo and Reinhart 1998) over the cell-months with data;
 *    beside it, the same with the months within MISS_LATE_MONTHS after an event on the cell took
 *    effect (a reaction to it) left out.
 *  - Placebo: the events shifted by -24..-12 and +12..+24 months; p-value of the hit rate
 *    (among events with data in their window) = (1 + shifts at least as good) / (1 + shifts).
 *    Beside it (not the headline): each event shifted by its own draw of the same shifts, a
 *    seeded Monte Carlo (cw_supply_placebo_independent), and the same with the events sharing a
 *    commodity shifted together.
 *  - False alarms: every alert outside all event windows with the first cause named from the
 *    data, counts per cause and rule, each rule's rate before the split against its registered
 *    budget (descriptive: nothing of it feeds a level).
 *  - Two signals, scored apart: the alerts (switch-ons of the data-only alert level, built on
 *    changes) against the events (hit rate, noise-to-signal, placebo); the standing level
 *    (structural and standing rules: sustained tightness, graded per partner) against the
 *    external benchmark, KOMIR's supply-stability index for Korea (caution or worse: < 20)
 *    against chainwatch's KOR standing level >= caution, month by month, Cohen's kappa.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "supply/supply_int.h"
#include "supply/supply_rules.h"
#include "supply/supply_tl.h"

static const char *const partners[] = {"USA", "KOR", "JPN"};
#define NP 3
#define MAXC 64

typedef struct {
    cw_sup_event e;
    int E, A;         /* effective and announcement month */
    bool cmask[MAXC]; /* in-scope commodities */
    bool pmask[NP];   /* affected partners */
    bool in_scope;
    bool easing;
    bool dropped;     /* scored under an earlier duplicate */
    char merged[160]; /* ids merged into this one */
    const char *file;
} bev;

typedef struct {
    int M0, N;               /* global month axis */
    bool *inv_sig, *inv_has; /* [c][m] */
    bool *sp_sig, *sp_has;   /* [c][p][m] */
    bool *inv_row, *sp_row;  /* [c][m], [c][p][m]: a price / trade value in the month (data,
                                whether or not a detector reads it yet) */
    int *kor_level;          /* [c][m] standing level for KOR (-1 none): scored against KOMIR */
    double *regime;          /* [c][m] price_regime (NAN none) */
    unsigned char *kor_in;   /* [c][m] KOR inputs of KOMIR's published method present (KIN_*) */
    int alias[MAXC];         /* trade cells of c are those of alias[c] (same HS lines), or -1 */
    bool reads_mrisk;        /* a rule of the alert level reads KOMIR's market-risk index */
    size_t n_com;
} grid;

static int month_of(const char *date)
{
    if (strlen(date) == 4) {
        char b[8];
        snprintf(b, sizeof b, "%s-01", date);
        return cw_supply__month_parse(b);
    }
    return cw_supply__month_parse(date);
}

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
        for (size_t i = 0; c && i < s->n_commodities && i < MAXC; i++)
            if (s->commodities[i] == c && !mask[i]) {
                mask[i] = true;
                k++;
            }
    }
    return k;
}

static bool easing_type(const char *t)
{
    return strstr(t, "lifted") || strstr(t, "relax") || strstr(t, "ruling") ||
           strstr(t, "response");
}

#define IDX2(c, m) ((size_t)(c) * (size_t)g->N + (size_t)(m))

/* Which inputs of KOMIR's published method (newscatch.or.kr 109738: mid- to long-term price
 * risk, discounted by production concentration, Korea's import-source concentration, import
 * growth and the world supply-demand ratio) exist for a KOR month, as chainwatch reads them with
 * no look-ahead: the bound on KOMIR agreement given coverage is measured on them. */
enum {
    KIN_PRICE = 1,      /* a monthly price */
    KIN_LONGRUN = 2,    /* price_pctile: the price against >= 36 earlier months (the standing
                           rungs' input: "mid- to long-term price risk") */
    KIN_PROD_CONC = 4,  /* production concentration of that year or earlier (prod_hhi) */
    KIN_IMPORT_CONC = 8 /* Korea's own imports by supplier of that year or earlier */
};
#define IDX3(c, p, m) (((size_t)(c)*NP + (size_t)(p)) * (size_t)g->N + (size_t)(m))

/* An alert is a switch-on from an evaluated quiet month: the month before must have data and no
 * signal (a series' first evaluable month is not news). */
static bool inv_alert(const grid *g, size_t c, int mi)
{
    return mi > 0 && g->inv_sig[IDX2(c, mi)] && !g->inv_sig[IDX2(c, mi - 1)] &&
           g->inv_has[IDX2(c, mi - 1)];
}

static bool sp_alert(const grid *g, size_t c, int p, int mi)
{
    return mi > 0 && g->sp_sig[IDX3(c, p, mi)] && !g->sp_sig[IDX3(c, p, mi - 1)] &&
           g->sp_has[IDX3(c, p, mi - 1)];
}

typedef struct {
    int result; /* 0 hit, 1 miss, 2 no data */
    int lead_eff, lead_ann;
    char at[8], via[16];
} score_t;

static score_t score(const grid *g, size_t n_com, const bev *v, int shift, int W)
{
    score_t sc = {2, -1, 0, "", ""};
    int E = v->E + shift;
    bool covered = false;
    int best = -1;
    for (size_t c = 0; c < n_com; c++) {
        if (!v->cmask[c])
            continue;
        for (int m = E - W; m <= E; m++) {
            int mi = m - g->M0;
            if (mi < 0 || mi >= g->N)
                continue;
            bool any = g->inv_has[IDX2(c, mi)];
            size_t cs = g->alias[c] >= 0 ? (size_t)g->alias[c] : c; /* its trade cells */
            for (int p = 0; p < NP; p++)
                if (v->pmask[p] && g->sp_has[IDX3(cs, p, mi)])
                    any = true;
            covered = covered || any;
            const char *via = NULL;
            if (inv_alert(g, c, mi))
                via = "price";
            for (int p = 0; p < NP && !via; p++)
                if (v->pmask[p] && sp_alert(g, cs, p, mi))
                    via = partners[p];
            if (via && (best < 0 || m < best)) {
                best = m;
                snprintf(sc.via, sizeof sc.via, "%s", via);
            }
        }
    }
    if (best >= 0) {
        sc.result = 0;
        sc.lead_eff = E - best;
        sc.lead_ann = v->A + shift - best;
        cw_supply__month_format(sc.at, best);
    } else {
        sc.result = covered ? 1 : 2;
    }
    return sc;
}

/* Does event v cover commodity c's cell (-1 = the invariant cell, else a partner)? A trade cell
 * shared by several commodities (gallium and germanium: one HS basket, 811292) is kept once,
 * under the first of them, and covers the events of all of them. */
static bool ev_on(const grid *g, const bev *v, size_t c, int cell)
{
    if (cell < 0)
        return v->cmask[c];
    if (!v->pmask[cell])
        return false;
    if (v->cmask[c] && g->alias[c] < 0)
        return true;
    for (size_t k = 0; k < g->n_com; k++)
        if (g->alias[k] == (int)c && v->cmask[k])
            return true;
    return false;
}

/* Same monthly trade value for every month (missing in both counts as equal). */
static bool series_equal(const cw_supply_timeline *a, const cw_supply_timeline *b)
{
    int lo = a->m0 < b->m0 ? a->m0 : b->m0;
    int hi = a->m0 + (int)a->n > b->m0 + (int)b->n ? a->m0 + (int)a->n : b->m0 + (int)b->n;
    size_t both = 0;
    for (int m = lo; m < hi; m++) {
        double x = m >= a->m0 && m < a->m0 + (int)a->n ? a->v[TL_TRADE_VALUE][m - a->m0] : NAN;
        double y = m >= b->m0 && m < b->m0 + (int)b->n ? b->v[TL_TRADE_VALUE][m - b->m0] : NAN;
        if (isfinite(x) != isfinite(y) || (isfinite(x) && x != y))
            return false;
        both += isfinite(x);
    }
    return both > 0;
}

static bool scored_event(const bev *v)
{
    return !v->dropped && v->in_scope && !v->easing;
}

/* Placebo over the scored events effective in [lo, hi]: the share of the shifts (-smax..-smin,
 * smin..smax months) whose hit rate among events with data is at least act_rate. */
typedef struct {
    int shifts, as_good;
    double mean, p;
} placebo_t;

static placebo_t placebo_run(const grid *g, size_t n_com, const bev *ev, size_t n_ev, int W,
                             int smin, int smax, int lo, int hi, double act_rate, json_t *by_shift)
{
    placebo_t pl = {0, 0, 0, NAN};
    double sum = 0;
    for (int sgn = -1; sgn <= 1; sgn += 2)
        for (int sh = smin; sh <= smax; sh++) {
            long ph = 0, pc = 0;
            for (size_t i = 0; i < n_ev; i++) {
                const bev *v = &ev[i];
                if (!scored_event(v) || v->E < lo || v->E > hi)
                    continue;
                score_t sc = score(g, n_com, v, sgn * sh, W);
                if (sc.result == 2)
                    continue;
                pc++;
                ph += sc.result == 0;
            }
            double pr = pc ? (double)ph / (double)pc : NAN;
            if (by_shift)
                json_array_append_new(
                    by_shift, json_pack("{s:i, s:I, s:I, s:o}", "shift_months", sgn * sh, "hits",
                                        (json_int_t)ph, "with_data", (json_int_t)pc, "hit_rate",
                                        isfinite(pr) ? json_real(pr) : json_null()));
            if (!isfinite(pr))
                continue;
            pl.shifts++;
            sum += pr;
            if (isfinite(act_rate) && pr >= act_rate - 1e-12)
                pl.as_good++;
        }
    if (pl.shifts) {
        pl.mean = sum / pl.shifts;
        if (isfinite(act_rate))
            pl.p = (1.0 + pl.as_good) / (1.0 + pl.shifts);
    }
    return pl;
}

double cw_supply_placebo_independent(const unsigned char *res, const int *cluster, size_t n_ev,
                                     size_t n_shift, double actual, long draws, uint64_t seed,
                                     long *as_good, long *used, double *mean)
{
    long good = 0, n = 0;
    double sum = 0;
    size_t *sh = n_ev ? cw_malloc(n_ev * sizeof *sh) : NULL;
    if (sh && isfinite(actual) && n_shift && draws > 0) {
        cw_supply_rng rng;
        cw_supply_rng_seed(&rng, seed);
        for (long d = 0; d < draws; d++) {
            long h = 0, c = 0;
            /* one shift per cluster (per event without clusters), drawn in event order */
            for (size_t i = 0; i < n_ev; i++)
                sh[i] = SIZE_MAX;
            for (size_t i = 0; i < n_ev; i++) {
                size_t k = cluster ? (size_t)cluster[i] : i;
                if (sh[k] == SIZE_MAX)
                    sh[k] = (size_t)(cw_supply_rng_next(&rng) % n_shift);
                unsigned char x = res[i * n_shift + sh[k]];
                c += x != 2;
                h += x == 0;
            }
            if (!c)
                continue;
            double rate = (double)h / (double)c;
            n++;
            sum += rate;
            good += rate >= actual - 1e-12;
        }
    }
    cw_free(sh);
    if (as_good)
        *as_good = good;
    if (used)
        *used = n;
    if (mean)
        *mean = n ? sum / (double)n : NAN;
    return n ? (1.0 + (double)good) / (1.0 + (double)n) : NAN;
}

/* The independent-shift placebo over the scored events effective in [lo, hi]: each event's
 * result under every shift, then cw_supply_placebo_independent, with every event its own
 * shift or (clustered) one shift for the events sharing a commodity: they are scored on the
 * same price cell, so their results under a shift are not independent. */
typedef struct {
    double p, mean;
    long as_good, used, draws, clusters, events;
} placebo_ind_t;

static placebo_ind_t placebo_ind_run(const grid *g, size_t n_com, const bev *ev, size_t n_ev, int W,
                                     int smin, int smax, int lo, int hi, double act_rate,
                                     long draws, uint64_t seed, bool clustered, json_t *rows_out)
{
    placebo_ind_t pi = {NAN, NAN, 0, 0, draws, 0, 0};
    size_t ns = 2 * (size_t)(smax - smin + 1), rows = 0;
    unsigned char *mat = cw_malloc(n_ev * ns + 1);
    int *cl = cw_malloc((n_ev + 1) * sizeof *cl);
    size_t *idx = cw_malloc((n_ev + 1) * sizeof *idx);
    if (!mat || !cl || !idx)
        goto out;
    for (size_t i = 0; i < n_ev; i++) {
        const bev *v = &ev[i];
        if (!scored_event(v) || v->E < lo || v->E > hi)
            continue;
        size_t k = 0;
        for (int sgn = -1; sgn <= 1; sgn += 2)
            for (int sh = smin; sh <= smax; sh++)
                mat[rows * ns + k++] = (unsigned char)score(g, n_com, v, sgn * sh, W).result;
        if (rows_out) { /* each event's result under every shift: H hit, m miss, - no data */
            char str[256];
            size_t k2 = 0;
            for (; k2 < ns && k2 < sizeof str - 1; k2++)
                str[k2] = "Hm-"[mat[rows * ns + k2] < 3 ? mat[rows * ns + k2] : 2];
            str[k2] = 0;
            json_array_append_new(rows_out,
                                  json_pack("{s:s, s:s}", "event_id", v->e.id, "by_shift", str));
        }
        idx[rows++] = i;
    }
    /* clusters: the connected components of "shares a commodity"; each named by its first
     * event */
    for (size_t a = 0; a < rows; a++) {
        cl[a] = (int)a;
        for (size_t b = 0; b < a; b++) {
            bool share = false;
            for (size_t c = 0; c < n_com && !share; c++)
                share = ev[idx[a]].cmask[c] && ev[idx[b]].cmask[c];
            if (!share || cl[b] == cl[a])
                continue;
            int hi_c = cl[a] > cl[b] ? cl[a] : cl[b], lo_c = cl[a] < cl[b] ? cl[a] : cl[b];
            for (size_t x = 0; x <= a; x++)
                if (cl[x] == hi_c)
                    cl[x] = lo_c;
        }
    }
    for (size_t a = 0; a < rows; a++)
        pi.clusters += cl[a] == (int)a;
    pi.events = (long)rows;
    pi.p = cw_supply_placebo_independent(mat, clustered ? cl : NULL, rows, ns, act_rate, draws,
                                         seed, &pi.as_good, &pi.used, &pi.mean);
out:
    cw_free(mat);
    cw_free(cl);
    cw_free(idx);
    return pi;
}

/* Noise-to-signal over the cell-months with data in [from, to] (windows of every scored event). */
static double nsr_run(const grid *g, size_t n_com, const bev *ev, size_t n_ev, int W, int from,
                      int to, int cells) /* cells: 0 all, 1 price (invariant) only, 2 trade only */
{
    long A = 0, B = 0, C = 0, D = 0;
    for (size_t c = 0; c < n_com; c++)
        for (int cell = -1; cell < NP; cell++)
            for (int mi = 0; mi < g->N; mi++) {
                int m = g->M0 + mi;
                if (m < from || m > to || (cells == 1 && cell >= 0) || (cells == 2 && cell < 0))
                    continue;
                bool has = cell < 0 ? g->inv_has[IDX2(c, mi)] : g->sp_has[IDX3(c, cell, mi)];
                if (!has)
                    continue;
                bool sig = cell < 0 ? g->inv_sig[IDX2(c, mi)] : g->sp_sig[IDX3(c, cell, mi)];
                bool in_window = false;
                for (size_t i = 0; i < n_ev && !in_window; i++) {
                    const bev *v = &ev[i];
                    if (!scored_event(v) || !ev_on(g, v, c, cell))
                        continue;
                    in_window = m >= v->E - W && m <= v->E;
                }
                A += sig && in_window;
                B += sig && !in_window;
                C += !sig && in_window;
                D += !sig && !in_window;
            }
    return A > 0 && B + D > 0 ? ((double)B / (double)(B + D)) / ((double)A / (double)(A + C)) : NAN;
}

/* Precursor (issue 16): an earlier announced measure by the same actor on a shared commodity
 * (another event of the files, not a listing of the scored one), announced strictly before the
 * scored event's announcement and within the window before its effective month. Event-
 * informed, but only from what was public before the scored measure was announced; reported
 * apart from the data-only headline. Returns the earliest such announcement month, or -1. */
static bool same_measure(const bev *a, const bev *b)
{
    if (a == b)
        return true;
    const bev *x = a->dropped ? b : a, *y = a->dropped ? a : b; /* y: the dropped listing */
    if (!y->dropped)
        return false;
    const char *m = x->merged;
    size_t l = strlen(y->e.id);
    for (const char *q = strstr(m, y->e.id); q; q = strstr(q + 1, y->e.id))
        if ((q == m || q[-1] == ';') && (q[l] == 0 || q[l] == ';'))
            return true;
    return false;
}

/* any: the earlier measure may be on any in-scope commodity (the same actor restricting
 * another critical mineral: the engine's event_actor), else it must share one. */
static int precursor(const bev *ev, size_t n_ev, size_t n_com, const bev *v, int shift, int W,
                     bool any)
{
    int E = v->E + shift, A = v->A + shift, best = -1;
    if (!v->e.actor[0] || !strcmp(v->e.actor, "market"))
        return -1;
    for (size_t i = 0; i < n_ev; i++) {
        const bev *q = &ev[i];
        if (same_measure(q, v) || !q->in_scope || q->easing || strcmp(q->e.actor, v->e.actor) != 0)
            continue;
        if (q->A >= A || q->A < E - W || q->A > E)
            continue;
        bool share = any;
        for (size_t c = 0; c < n_com && !share; c++)
            share = q->cmask[c] && v->cmask[c];
        if (share && (best < 0 || q->A < best))
            best = q->A;
    }
    return best;
}

/* Alerts per rule: {rule: {"matched": n, "false": n}} (an alert fired by several rules counts
 * for each). */
static void bump_rule_count(json_t *by_rule, const char *rules, bool matched)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", rules[0] ? rules : "(none)");
    for (char *tok = buf, *next; tok && *tok; tok = next) {
        next = strchr(tok, ';');
        if (next)
            *next++ = 0;
        json_t *row = json_object_get(by_rule, tok);
        if (!row) {
            row = json_pack("{s:i, s:i}", "matched", 0, "false", 0);
            json_object_set_new(by_rule, tok, row);
        }
        const char *key = matched ? "matched" : "false";
        json_object_set_new(row, key,
                            json_integer(json_integer_value(json_object_get(row, key)) + 1));
    }
}

static json_t *rate_or_null(long num, long den)
{
    return den > 0 ? json_real((double)num / (double)den) : json_null();
}

/* The precursor view (reported apart from the data-only headline): hits, the combined hit
 * rate (data-only hit or precursor) and its placebo. */
static json_t *precursor_view(const grid *g, size_t n_com, const bev *ev, size_t n_ev, int W,
                              int smin, int smax, bool any)
{
    json_t *jpre = json_array();
    long pre_hits = 0, comb_hits = 0, n_scored = 0;
    for (size_t i = 0; i < n_ev; i++) {
        const bev *v = &ev[i];
        if (!scored_event(v))
            continue;
        n_scored++;
        int pa = precursor(ev, n_ev, n_com, v, 0, W, any);
        score_t sc = score(g, n_com, v, 0, W);
        pre_hits += pa >= 0;
        comb_hits += pa >= 0 || sc.result == 0;
        if (pa >= 0) {
            char at[8];
            cw_supply__month_format(at, pa);
            json_array_append_new(jpre,
                                  json_pack("{s:s, s:s, s:i}", "event_id", v->e.id,
                                            "precursor_announced", at, "lead_months", v->E - pa));
        }
    }
    int comb_shifts = 0, comb_good = 0;
    double comb_sum = 0, comb_rate = n_scored ? (double)comb_hits / (double)n_scored : NAN;
    for (int sgn = -1; sgn <= 1; sgn += 2)
        for (int sh = smin; sh <= smax; sh++) {
            long h = 0;
            for (size_t i = 0; i < n_ev; i++) {
                const bev *v = &ev[i];
                if (!scored_event(v))
                    continue;
                h += precursor(ev, n_ev, n_com, v, sgn * sh, W, any) >= 0 ||
                     score(g, n_com, v, sgn * sh, W).result == 0;
            }
            double pr = n_scored ? (double)h / (double)n_scored : NAN;
            if (!isfinite(pr))
                continue;
            comb_shifts++;
            comb_sum += pr;
            comb_good += pr >= comb_rate - 1e-12;
        }
    double comb_p =
        comb_shifts && isfinite(comb_rate) ? (1.0 + comb_good) / (1.0 + comb_shifts) : NAN;
    return json_pack(
        "{s:s, s:I, s:I, s:o, s:o, s:o, s:o}", "method",
        any ? "event-informed, from earlier announcements only: a measure announced by the same "
              "actor on any in-scope commodity strictly before the scored event's announcement "
              "and within the window before its effective month (the scored measure's own "
              "listings left out); combined and placebo as for the shared-commodity view"
            : "event-informed, from earlier announcements only: a measure announced by the same "
              "actor "
              "on a shared commodity strictly before the scored event's announcement and within "
              "the "
              "window before its effective month (the scored measure's own listings left out); "
              "combined = data-only hit or precursor; placebo: scored events shifted, precursors "
              "at "
              "their dates, statistic the combined hit rate over all scored events",
        "precursor_hits", (json_int_t)pre_hits, "combined_hits", (json_int_t)comb_hits,
        "combined_hit_rate", rate_or_null(comb_hits, n_scored), "mean_placebo_combined_hit_rate",
        comb_shifts ? json_real(comb_sum / comb_shifts) : json_null(), "placebo_p",
        isfinite(comb_p) ? json_real(comb_p) : json_null(), "events", jpre);
}

/* The first month index (grid) in [lo, hi] where has[] is set, or -1. */
static int first_has(const grid *g, const bool *has, int lo, int hi)
{
    for (int mi = lo < 0 ? 0 : lo; mi <= hi && mi < g->N; mi++)
        if (has[mi])
            return mi;
    return -1;
}

/* What an event without data lacks (issue 16): per commodity, the monthly price and, per
 * affected partner, the monthly trade series that would cover its window, what is loaded
 * instead (series, span, the first month its detectors are evaluable) and where the missing
 * data is published. Appends one object per gap to miss; writes a one-line summary to note. */
static void gap_report(cw_supply *s, const grid *g, cw_supply_timeline *const *tl, size_t n_com,
                       const bev *v, int W, json_t *miss, char *note, size_t cap)
{
    char wa[8], wb[8];
    cw_supply__month_format(wa, v->E - W);
    cw_supply__month_format(wb, v->E);
    size_t nl = (size_t)snprintf(note, cap, "no series covers %s..%s:", wa, wb);
    for (size_t c = 0; c < n_com; c++) {
        if (!v->cmask[c])
            continue;
        const char *com = s->commodities[c];
        /* price (partner-invariant): any timeline of the commodity carries it */
        const cw_supply_timeline *tp = NULL;
        for (int p = 0; p < NP && !tp; p++)
            if (tl[c * NP + (size_t)p] && tl[c * NP + (size_t)p]->price_first >= 0)
                tp = tl[c * NP + (size_t)p];
        char have[256] = "none loaded";
        if (tp) {
            char a[8], b[8], e[8] = "never";
            cw_supply__month_format(a, tp->price_first);
            cw_supply__month_format(b, tp->price_last);
            int fe = first_has(g, &g->inv_has[IDX2(c, 0)], 0, g->N - 1);
            if (fe >= 0)
                cw_supply__month_format(e, g->M0 + fe);
            snprintf(have, sizeof have, "%s (%s) %s..%s, detectors evaluable from %s",
                     tp->price_series, tp->price_unit, a, b, e);
        }
        /* KOMIR's market-risk index, when a rule reads it, is data of the same cell */
        const cw_supply_timeline *tm = NULL;
        for (int p = 0; p < NP && !tm && g->reads_mrisk; p++)
            if (tl[c * NP + (size_t)p] && tl[c * NP + (size_t)p]->mrisk_first >= 0)
                tm = tl[c * NP + (size_t)p];
        char ix[64] = "";
        if (tm) {
            char f[8], l[8];
            cw_supply__month_format(f, tm->mrisk_first);
            cw_supply__month_format(l, tm->mrisk_last);
            snprintf(ix, sizeof ix, ", KOMIR market-risk index from %s", f);
            size_t hl = strlen(have);
            if (tp)
                snprintf(have + hl, sizeof have - hl, "; KOMIR market-risk index %s..%s", f, l);
            else
                snprintf(have, sizeof have, "KOMIR market-risk index %s..%s", f, l);
        }
        json_array_append_new(miss, json_pack("{s:s, s:s, s:s, s:s, s:s}", "commodity", com, "data",
                                              "monthly price", "window_from", wa, "window_to", wb,
                                              "loaded", have));
        json_object_set_new(json_array_get(miss, json_array_size(miss) - 1), "where",
                            json_string(cw_supply__where_price(com)));
        if (nl < cap) {
            char a[8] = "", e[8] = "never";
            int fe = first_has(g, &g->inv_has[IDX2(c, 0)], 0, g->N - 1);
            if (tp)
                cw_supply__month_format(a, tp->price_first);
            if (fe >= 0)
                cw_supply__month_format(e, g->M0 + fe);
            if (tp)
                nl += (size_t)snprintf(note + nl, cap - nl,
                                       " %s price from %s%s (detectors from %s),", com, a, ix, e);
            else
                nl += (size_t)snprintf(note + nl, cap - nl, " %s price none%s,", com, ix);
        }
        /* trade, per affected partner (gallium and germanium share the basket's cells) */
        size_t cs = g->alias[c] >= 0 ? (size_t)g->alias[c] : c;
        int trade_first = -1;
        for (int p = 0; p < NP; p++) {
            if (!v->pmask[p])
                continue;
            const cw_supply_timeline *t = tl[cs * NP + (size_t)p];
            char hv[256] = "none loaded", where[600];
            if (t && t->trade_first >= 0) {
                char a[8], b[8], e[8] = "never";
                cw_supply__month_format(a, t->trade_first);
                cw_supply__month_format(b, t->trade_last);
                int fe = first_has(g, &g->sp_has[IDX3(cs, p, 0)], 0, g->N - 1);
                if (fe >= 0)
                    cw_supply__month_format(e, g->M0 + fe);
                if (t->direct)
                    snprintf(hv, sizeof hv, "own imports %s..%s, detectors evaluable from %s", a, b,
                             e);
                else
                    snprintf(hv, sizeof hv,
                             "mirror: exports to %s %s..%s, detectors evaluable from %s",
                             partners[p], a, b, e);
                if (trade_first < 0 || t->trade_first < trade_first)
                    trade_first = t->trade_first;
            }
            cw_supply__where_trade(s, com, partners[p], where, sizeof where);
            json_array_append_new(miss, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                                                  "commodity", com, "partner", partners[p], "data",
                                                  "monthly trade", "window_from", wa, "window_to",
                                                  wb, "loaded", hv, "where", where));
        }
        if (nl < cap) {
            char a[8] = "none";
            if (trade_first >= 0)
                cw_supply__month_format(a, trade_first);
            nl += (size_t)snprintf(note + nl, cap - nl, " trade %s%s;",
                                   trade_first >= 0 ? "from " : "", a);
        }
    }
    if (nl < cap)
        snprintf(note + nl, cap - nl,
                 " a miss in the headline (missing_data: what is missing, where published)");
}

/* ---- why an event was missed (issue 16, thirteenth stop) ----
 * For every in-scope event without a hit, the first cause that applies, in this order:
 *  - no_data: no series of its commodities (price) or its partners (trade) has a value in the
 *    window;
 *  - no_detector_value: values in the window, but no detector reads them yet (warm-up: the
 *    robust z needs 12 residuals after its 3-month level, price_jump 24 earlier returns);
 *  - series_ended: values in the window, but the last of them comes before the announcement
 *    month: every series of the event's cells ended before the measure could show (stop 17;
 *    before, such a miss read under_threshold);
 *  - partner_basis: the signal came on a partner the event does not name, or the event's
 *    partners have no trade series of their own while other partners do (checked before
 *    no_data: the commodity has data, not for this partner);
 *  - late: an alert came on the event's cells after the effective month, within
 *    MISS_LATE_MONTHS (a reaction, not a warning);
 *  - under_threshold: detectors read the window and none reached its threshold.
 * Each row also gives the nearest rule (the largest value / threshold of a rule at or above
 * the scored level, without prerequisites, over the window and the event's cells) and the first
 * alert after the window, whatever the cause. Descriptive only: no event feeds a level. */
#define MISS_LATE_MONTHS 6

enum { MC_NO_DATA, MC_NO_DETECTOR, MC_ENDED, MC_PARTNER, MC_LATE, MC_UNDER, MC_N };
static const char *const miss_cause_name[MC_N] = {
    "no_data", "no_detector_value", "series_ended", "partner_basis", "late", "under_threshold"};

typedef struct {
    double frac, value, thr;
    int month, rule, cell; /* cell -1: the price (invariant), else a partner */
} nearest_t;

static void nearest_scan(const grid *g, cw_supply_timeline *const *tl, const cw_supply_rules *r,
                         const bool *inv_mask, int L, size_t c, size_t cs, const bev *v, int lo,
                         int hi, nearest_t *best)
{
    for (int cell = -1; cell < NP; cell++) {
        if (cell >= 0 && !v->pmask[cell])
            continue;
        /* the invariant cell reads any of the commodity's timelines (the same price) */
        const cw_supply_timeline *t = NULL;
        for (int p = 0; p < NP && !t && cell < 0; p++)
            t = tl[c * NP + (size_t)p];
        if (cell >= 0)
            t = tl[cs * NP + (size_t)cell];
        if (!t)
            continue;
        for (int m = lo; m <= hi; m++) {
            int mi = m - g->M0, i = m - t->m0;
            if (mi < 0 || mi >= g->N || i < 0 || i >= (int)t->n)
                continue;
            if (cell < 0 ? !g->inv_has[IDX2(c, mi)] : !g->sp_has[IDX3(cs, cell, mi)])
                continue;
            for (size_t k = 0; k < r->n; k++) {
                const cw_sup_rule *ru = &r->rules[k];
                if (ru->level < L || ru->n_requires || ru->kind == CW_RULE_EVENT ||
                    ru->kind == CW_RULE_STANDING || (cell < 0) != inv_mask[k] || ru->threshold == 0)
                    continue;
                double x = t->v[ru->ind][i];
                if (!isfinite(x))
                    continue;
                /* >= / >: x / thr; <= / < (a negative threshold, a collapse): the same ratio */
                double f = x / ru->threshold;
                if (!isfinite(f) || (best->rule >= 0 && f <= best->frac))
                    continue;
                *best = (nearest_t){f, x, ru->threshold, m, (int)k, cell};
            }
        }
    }
}

static json_t *miss_analysis(const grid *g, cw_supply_timeline *const *tl, const cw_supply_rules *r,
                             const bool *inv_mask, size_t n_com, const bev *v, int W, int L,
                             const char *gap_note, int *cause_out)
{
    int E = v->E, lo = E - W;
    int first_row = -1, last_row = -1, first_det = -1, other_alert = -1, other_p = -1, late = -1;
    const char *late_via = "";
    bool own_trade = false, other_trade = false, other_row = false;
    nearest_t nb = {0, 0, 0, -1, -1, -1};
    for (size_t c = 0; c < n_com; c++) {
        if (!v->cmask[c])
            continue;
        size_t cs = g->alias[c] >= 0 ? (size_t)g->alias[c] : c;
        for (int m = lo; m <= E + MISS_LATE_MONTHS; m++) {
            int mi = m - g->M0;
            if (mi < 0 || mi >= g->N)
                continue;
            bool inwin = m <= E, row = g->inv_row[IDX2(c, mi)], det = g->inv_has[IDX2(c, mi)];
            for (int p = 0; p < NP; p++) {
                if (v->pmask[p]) {
                    row = row || g->sp_row[IDX3(cs, p, mi)];
                    det = det || g->sp_has[IDX3(cs, p, mi)];
                    own_trade = own_trade || (inwin && g->sp_has[IDX3(cs, p, mi)]);
                } else {
                    other_trade = other_trade || (inwin && g->sp_has[IDX3(cs, p, mi)]);
                    other_row = other_row || (inwin && g->sp_row[IDX3(cs, p, mi)]);
                    if (inwin && sp_alert(g, cs, p, mi) && (other_alert < 0 || m < other_alert)) {
                        other_alert = m;
                        other_p = p;
                    }
                }
            }
            if (inwin && row && (first_row < 0 || m < first_row))
                first_row = m;
            if (inwin && row && m > last_row)
                last_row = m;
            if (inwin && det && (first_det < 0 || m < first_det))
                first_det = m;
            if (!inwin && (late < 0 || m < late)) {
                const char *via = inv_alert(g, c, mi) ? "price" : NULL;
                for (int p = 0; p < NP && !via; p++)
                    if (v->pmask[p] && sp_alert(g, cs, p, mi))
                        via = partners[p];
                if (via) {
                    late = m;
                    late_via = via;
                }
            }
        }
        nearest_scan(g, tl, r, inv_mask, L, c, cs, v, lo, E, &nb);
    }
    /* the first month any detector of the event's cells reads, at all */
    int det_from = -1;
    for (size_t c = 0; c < n_com; c++) {
        if (!v->cmask[c])
            continue;
        size_t cs = g->alias[c] >= 0 ? (size_t)g->alias[c] : c;
        for (int mi = 0; mi < g->N; mi++) {
            bool det = g->inv_has[IDX2(c, mi)];
            for (int p = 0; p < NP; p++)
                det = det || (v->pmask[p] && g->sp_has[IDX3(cs, p, mi)]);
            if (det) {
                if (det_from < 0 || g->M0 + mi < det_from)
                    det_from = g->M0 + mi;
                break;
            }
        }
    }
    bool all_p = v->pmask[0] && v->pmask[1] && v->pmask[2];
    int cause;
    if (first_row < 0)
        cause = other_row || other_alert >= 0 ? MC_PARTNER : MC_NO_DATA;
    else if (first_det < 0)
        cause = MC_NO_DETECTOR;
    else if (last_row < v->A)
        cause = MC_ENDED;
    else if (other_alert >= 0 || (!all_p && !own_trade && other_trade))
        cause = MC_PARTNER;
    else if (late >= 0)
        cause = MC_LATE;
    else
        cause = MC_UNDER;
    *cause_out = cause;

    char wa[8], wb[8], a[8], b[8], text[800];
    cw_supply__month_format(wa, lo);
    cw_supply__month_format(wb, E);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "event_id", v->e.id, "effective",
                          v->e.effective, "commodity", v->e.commodities, "partner", v->e.affected,
                          "cause", miss_cause_name[cause], "window_from", wa, "window_to", wb);
    if (first_row >= 0)
        cw_supply__month_format(a, first_row);
    json_object_set_new(o, "first_data_in_window", first_row >= 0 ? json_string(a) : json_null());
    if (last_row >= 0)
        cw_supply__month_format(b, last_row);
    json_object_set_new(o, "last_data_in_window", last_row >= 0 ? json_string(b) : json_null());
    if (det_from >= 0)
        cw_supply__month_format(b, det_from);
    json_object_set_new(o, "detectors_read_from", det_from >= 0 ? json_string(b) : json_null());
    json_t *jn = json_null();
    char ntext[200] = "";
    if (nb.rule >= 0) {
        const cw_sup_rule *ru = &r->rules[nb.rule];
        char nm[8];
        cw_supply__month_format(nm, nb.month);
        static const char *const opt[] = {">=", ">", "<=", "<"};
        jn = json_pack("{s:s, s:s, s:f, s:s, s:f, s:f, s:f, s:s, s:s}", "rule", ru->id, "indicator",
                       ru->indicator, "value", nb.value, "op", opt[ru->op & 3], "threshold", nb.thr,
                       "share_of_threshold", nb.frac, "short_by", fabs(nb.thr - nb.value), "month",
                       nm, "cell", nb.cell < 0 ? "price" : partners[nb.cell]);
        snprintf(ntext, sizeof ntext,
                 "%s %s %.3g (%s %.3g: %.0f %% of it, short by %.3g) in %s (%s)", ru->id,
                 ru->indicator, nb.value, opt[ru->op & 3], nb.thr, 100.0 * nb.frac,
                 fabs(nb.thr - nb.value), nm, nb.cell < 0 ? "price" : partners[nb.cell]);
    }
    json_object_set_new(o, "nearest_rule", jn);
    if (late >= 0) {
        cw_supply__month_format(a, late);
        json_object_set_new(o, "late_alert",
                            json_pack("{s:s, s:i, s:s}", "month", a, "months_after_effective",
                                      late - E, "cell", late_via));
    } else {
        json_object_set_new(o, "late_alert", json_null());
    }
    switch (cause) {
    case MC_NO_DATA:
        snprintf(text, sizeof text, "%s", gap_note && *gap_note ? gap_note : "no data");
        break;
    case MC_NO_DETECTOR:
        snprintf(text, sizeof text,
                 "data in the window from %s, but no detector reads it before %s (warm-up: the "
                 "robust z needs 12 residuals after its 3-month level)",
                 a, det_from >= 0 ? b : "never");
        break;
    case MC_ENDED: {
        char an[8];
        cw_supply__month_format(b, last_row);
        cw_supply__month_format(an, v->A);
        snprintf(text, sizeof text,
                 "the event's series end in %s, before the announcement (%s): no month from the "
                 "announcement to the effective month has data (data in the window from %s)%s%s",
                 b, an, a, ntext[0] ? "; nearest before the end: " : "", ntext);
        break;
    }
    case MC_PARTNER:
        if (other_alert >= 0) {
            cw_supply__month_format(a, other_alert);
            snprintf(text, sizeof text, "an alert on %s (a partner the event does not name) in %s",
                     partners[other_p], a);
        } else {
            snprintf(text, sizeof text,
                     "the event's partner has no %s in the window; other partners do%s%s",
                     first_row < 0 ? "series of its own" : "trade series read by a detector",
                     ntext[0] ? "; nearest: " : "", ntext);
        }
        break;
    case MC_LATE:
        cw_supply__month_format(a, late);
        snprintf(text, sizeof text,
                 "alert %s (%s), %d month%s after the effective month: a reaction, not a "
                 "warning%s%s",
                 a, late_via, late - E, late - E == 1 ? "" : "s",
                 ntext[0] ? "; in the window, nearest: " : "", ntext);
        break;
    default:
        snprintf(text, sizeof text, "detectors read the window, none at its threshold; nearest: %s",
                 ntext[0] ? ntext : "none");
    }
    json_object_set_new(o, "text", json_string(text));
    return o;
}

static double kappa(long a, long b, long c, long d)
{
    /* a: both bad, b: komir bad only, c: chainwatch bad only, d: both fine */
    double n = (double)(a + b + c + d);
    if (n <= 0)
        return NAN;
    double po = (double)(a + d) / n;
    double p_k = (double)(a + b) / n, p_c = (double)(a + c) / n;
    double pe = p_k * p_c + (1 - p_k) * (1 - p_c);
    return pe < 1 ? (po - pe) / (1 - pe) : NAN;
}

/* KOMIR agreement against coverage (issue 16, sixth stop): for the KOR months of KOMIR's
 * index, which of its published method's inputs chainwatch has (KIN_*), the agreement on the
 * months that have the standing rungs' input (price_pctile), and the bound given coverage: the
 * kappa if the standing level agreed with KOMIR in every month that has that input and stayed
 * as scored in the others (without the input it can rest only on structural rules). */
typedef struct {
    long months, caution, with_price, with_longrun, with_prod_conc, with_import_conc;
    long caution_no_price, caution_no_longrun;
    long in[4];    /* months with the input, scored: both, KOMIR only, chainwatch only, neither */
    long bound[4]; /* the same over all scored months, perfect where the input exists */
} komir_cov;

static void komir_cov_add(komir_cov *v, bool kbad, unsigned in, int lvl)
{
    v->months++;
    v->caution += kbad;
    v->with_price += (in & KIN_PRICE) != 0;
    v->with_longrun += (in & KIN_LONGRUN) != 0;
    v->with_prod_conc += (in & KIN_PROD_CONC) != 0;
    v->with_import_conc += (in & KIN_IMPORT_CONC) != 0;
    v->caution_no_price += kbad && !(in & KIN_PRICE);
    v->caution_no_longrun += kbad && !(in & KIN_LONGRUN);
    if (lvl < 0)
        return; /* not scored (no price or trade that month), as in the headline */
    bool cbad = lvl >= CW_SUPPLY_CAUTION;
    int cell = kbad ? (cbad ? 0 : 1) : (cbad ? 2 : 3);
    if (in & KIN_LONGRUN) {
        v->in[cell]++;
        v->bound[kbad ? 0 : 3]++;
    } else {
        v->bound[cell]++;
    }
}

static void komir_cov_sum(komir_cov *to, const komir_cov *v)
{
    to->months += v->months;
    to->caution += v->caution;
    to->with_price += v->with_price;
    to->with_longrun += v->with_longrun;
    to->with_prod_conc += v->with_prod_conc;
    to->with_import_conc += v->with_import_conc;
    to->caution_no_price += v->caution_no_price;
    to->caution_no_longrun += v->caution_no_longrun;
    for (int k = 0; k < 4; k++) {
        to->in[k] += v->in[k];
        to->bound[k] += v->bound[k];
    }
}

static json_t *kappa_json(const long q[4])
{
    double k = kappa(q[0], q[1], q[2], q[3]);
    return isfinite(k) ? json_real(k) : json_null();
}

static json_t *komir_cov_json(const komir_cov *v, const char *commodity)
{
    json_t *o = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}, s:o, s:o}",
        "index_months", (json_int_t)v->months, "komir_caution", (json_int_t)v->caution,
        "with_price", (json_int_t)v->with_price, "with_long_run_price", (json_int_t)v->with_longrun,
        "with_production_concentration", (json_int_t)v->with_prod_conc, "with_import_concentration",
        (json_int_t)v->with_import_conc, "caution_without_price", (json_int_t)v->caution_no_price,
        "caution_without_long_run_price", (json_int_t)v->caution_no_longrun,
        "with_long_run_price_scored", "both_caution", (json_int_t)v->in[0], "komir_only",
        (json_int_t)v->in[1], "chainwatch_only", (json_int_t)v->in[2], "both_stable",
        (json_int_t)v->in[3], "kappa_with_long_run_price", kappa_json(v->in), "kappa_bound",
        kappa_json(v->bound));
    if (commodity && v->caution_no_longrun > 0)
        json_object_set_new(o, "where", json_string(cw_supply__where_price(commodity)));
    return o;
}

/* ---- false alarms (fourteenth stop) ----------------------------------------------------
 * Every alert not in any scored event's window on its cell, with the first cause that applies,
 * named from the data alone (no event moves a level; descriptive only):
 *  - after_event: within MISS_LATE_MONTHS after the effective month of an event on the cell
 *    (a reaction to a measure in force, not a warning);
 *  - series_start: fewer than FA_START_MONTHS evaluable months on the cell before it (a
 *    detector's first months);
 *  - echo: an earlier alert on the same cell in the FA_ECHO_MONTHS before (the same episode
 *    switching on again after a quiet month);
 *  - common_shock: trade, an alert in the same month on another commodity's trade cell (a
 *    movement of all of the exporter's trade, not of one mineral);
 *  - partner_duplicate: trade, an alert in the same month on another partner of the same
 *    commodity (one movement of the exporter, seen once per partner);
 *  - price_rebound: price, the month's price still below its mean over the previous 12 months
 *    (a rise inside a falling market, not a tight one);
 *  - one_month: trade, the value of the alert month or the month before off by a factor
 *    >= FA_LUMP from the median of its previous 12 months and back within a factor 1.5 the
 *    month after (one lumpy month; read with the month after, so in hindsight);
 *  - unexplained: none of these.
 * A provisional month later revised cannot be named: the loaded files hold one vintage. */
#define FA_START_MONTHS 6
#define FA_ECHO_MONTHS 12
#define FA_LUMP 3.0

enum {
    FC_AFTER,
    FC_START,
    FC_ECHO,
    FC_COMMON,
    FC_PARTNER,
    FC_REBOUND,
    FC_ONE_MONTH,
    FC_UNEXPLAINED,
    FC_N
};
static const char *const fa_cause_name[FC_N] = {
    "after_event",       "series_start",  "echo",      "common_shock",
    "partner_duplicate", "price_rebound", "one_month", "unexplained"};

typedef struct {
    int c, cell, mi;
    bool matched;
    char rules[256];
} alert_rec;

/* The false-alarm budgets the docs registered before any run against events (docs
 * "Risk levels and the rule table"): d_price_jump 5 % of months (the 95th percentile on the
 * nickel price 1962-2008; d_mrisk_jump, the same statistic and threshold on KOMIR's market-risk
 * index, stop 15, the same 5 %); every trade detector 5 % / 6 of a cell's months (the 99.17th
 * percentile on 2018-2022 trade), and the rules reading a trade detector's indicator at its
 * threshold the same. Other rules keep textbook thresholds: no budget was registered. */
static double fa_budget(const char *id)
{
    static const char *const trade[] = {
        "d_trade_up",   "d_trade_down", "d_trade_cusum_up", "d_trade_cusum_down",
        "d_trade_ewma", "d_trade_cp",   "d_line_stop",      "a_surge_dep",
        "a_drop_dep",   "v_shortfall",  "d_trade_frontload"};
    if (!strcmp(id, "d_price_jump") || !strcmp(id, "d_mrisk_jump"))
        return 0.05;
    for (size_t k = 0; k < sizeof trade / sizeof trade[0]; k++)
        if (!strcmp(id, trade[k]))
            return 0.05 / 6;
    return NAN;
}

static const cw_supply_timeline *cell_tl(cw_supply_timeline *const *tl, size_t c, int cell)
{
    if (cell >= 0)
        return tl[c * NP + (size_t)cell];
    for (int p = 0; p < NP; p++)
        if (tl[c * NP + (size_t)p])
            return tl[c * NP + (size_t)p];
    return NULL;
}

static bool cell_alert(const grid *g, size_t c, int cell, int mi)
{
    return cell < 0 ? inv_alert(g, c, mi) : sp_alert(g, c, cell, mi);
}

static bool cell_has(const grid *g, size_t c, int cell, int mi)
{
    return cell < 0 ? g->inv_has[IDX2(c, mi)] : g->sp_has[IDX3(c, cell, mi)];
}

static bool in_any_window(const grid *g, const bev *ev, size_t n_ev, size_t c, int cell, int m,
                          int W)
{
    for (size_t i = 0; i < n_ev; i++)
        if (scored_event(&ev[i]) && ev_on(g, &ev[i], c, cell) && m >= ev[i].E - W && m <= ev[i].E)
            return true;
    return false;
}

/* the value of series ind at month m on timeline t (NAN outside it) */
static double tl_at(const cw_supply_timeline *t, int ind, int m)
{
    return t && m >= t->m0 && m < t->m0 + (int)t->n ? t->v[ind][m - t->m0] : NAN;
}

/* The scored event whose effective month m follows by 1..MISS_LATE_MONTHS on the cell (the
 * latest), when m is outside every window: the cell-month is a reaction to it, or NULL. The label
 * is the scoring's (it reads the events); no level reads it. */
static const bev *reaction_to(const grid *g, const bev *ev, size_t n_ev, size_t c, int cell, int m,
                              int W)
{
    const bev *best = NULL;
    if (in_any_window(g, ev, n_ev, c, cell, m, W))
        return NULL;
    for (size_t i = 0; i < n_ev; i++) {
        const bev *v = &ev[i];
        if (scored_event(v) && ev_on(g, v, c, cell) && m > v->E && m <= v->E + MISS_LATE_MONTHS &&
            (!best || v->E > best->E))
            best = v;
    }
    return best;
}

/* Noise-to-signal beside the headline (which counts every signal month as signal or noise,
 * nsr_run): the cell-months that are a reaction to an event (reaction_to) are left out of the
 * noise side, as Kaminsky, Lizondo and Reinhart leave out the months after a crisis. Same cells,
 * windows and range. Registered before its run with a second figure, the months a warning stays
 * up counted as one warning, which failed its choice on the events before 2016 and was removed
 * (docs, "Twenty-third stop"). */
static json_t *nsr_reactions_json(const grid *g, const bev *ev, size_t n_ev, int W, int from,
                                  int to)
{
    long a = 0, b = 0, c_ = 0, d = 0, left_out = 0, left_quiet = 0;
    for (size_t c = 0; c < g->n_com; c++)
        for (int cell = -1; cell < NP; cell++)
            for (int mi = 0; mi < g->N; mi++) {
                int m = g->M0 + mi;
                if ((from >= 0 && m < from) || (to >= 0 && m > to) || !cell_has(g, c, cell, mi))
                    continue;
                bool sig = cell < 0 ? g->inv_sig[IDX2(c, mi)] : g->sp_sig[IDX3(c, cell, mi)];
                bool in_window = in_any_window(g, ev, n_ev, c, cell, m, W);
                if (!in_window && reaction_to(g, ev, n_ev, c, cell, m, W)) {
                    left_out += sig;
                    left_quiet += !sig;
                    continue;
                }
                a += sig && in_window;
                b += sig && !in_window;
                c_ += !sig && in_window;
                d += !sig && !in_window;
            }
    double nsr =
        a > 0 && b + d > 0 ? ((double)b / (double)(b + d)) / ((double)a / (double)(a + c_)) : NAN;
    return json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:i}", "value",
                     isfinite(nsr) ? json_real(nsr) : json_null(), "signal_in_window",
                     (json_int_t)a, "signal_outside", (json_int_t)b, "quiet_in_window",
                     (json_int_t)c_, "quiet_outside", (json_int_t)d, "reaction_signal_months",
                     (json_int_t)left_out, "reaction_quiet_months", (json_int_t)left_quiet,
                     "reaction_months_after", MISS_LATE_MONTHS);
}

static int fa_cause(const grid *g, cw_supply_timeline *const *tl, cw_supply *s, const bev *ev,
                    size_t n_ev, const alert_rec *a, char *text, size_t tn)
{
    size_t c = (size_t)a->c;
    int cell = a->cell, mi = a->mi, m = g->M0 + mi;
    char mon[8];
    for (size_t i = 0; i < n_ev; i++) {
        const bev *v = &ev[i];
        if (scored_event(v) && ev_on(g, v, c, cell) && m > v->E && m <= v->E + MISS_LATE_MONTHS) {
            cw_supply__month_format(mon, v->E);
            snprintf(text, tn, "%d months after %s took effect (%s)", m - v->E, v->e.id, mon);
            return FC_AFTER;
        }
    }
    int before = 0;
    for (int k = 0; k < mi; k++)
        before += cell_has(g, c, cell, k);
    if (before < FA_START_MONTHS) {
        snprintf(text, tn, "%d evaluable months on the cell before it", before);
        return FC_START;
    }
    for (int k = 1; k <= FA_ECHO_MONTHS && mi - k > 0; k++)
        if (cell_alert(g, c, cell, mi - k)) {
            cw_supply__month_format(mon, m - k);
            snprintf(text, tn, "an alert on the same cell %d months before (%s)", k, mon);
            return FC_ECHO;
        }
    if (cell >= 0) {
        for (size_t c2 = 0; c2 < g->n_com; c2++) {
            if (c2 == c || g->alias[c2] >= 0)
                continue;
            for (int p = 0; p < NP; p++)
                if (sp_alert(g, c2, p, mi)) {
                    snprintf(text, tn,
                             "an alert the same month on %s %s (all of the exporter's "
                             "trade moved)",
                             s->commodities[c2], partners[p]);
                    return FC_COMMON;
                }
        }
        for (int p = 0; p < NP; p++)
            if (p != cell && sp_alert(g, c, p, mi)) {
                snprintf(text, tn,
                         "an alert the same month on %s %s (one movement, seen per "
                         "partner)",
                         s->commodities[c], partners[p]);
                return FC_PARTNER;
            }
    }
    const cw_supply_timeline *t = cell_tl(tl, c, cell);
    if (cell < 0) {
        double x = tl_at(t, TL_PRICE, m), sum = 0;
        int n = 0;
        for (int k = 1; k <= 12; k++) {
            double y = tl_at(t, TL_PRICE, m - k);
            if (isfinite(y)) {
                sum += y;
                n++;
            }
        }
        if (isfinite(x) && n >= 6 && x < sum / n) {
            snprintf(text, tn, "price %.4g below its mean over the previous 12 months (%.4g)", x,
                     sum / n);
            return FC_REBOUND;
        }
    } else {
        for (int d = 0; d <= 1; d++) {
            int ml = m - d;
            double x = tl_at(t, TL_TRADE_VALUE, ml), nx = tl_at(t, TL_TRADE_VALUE, ml + 1);
            double h[12];
            size_t n = 0;
            for (int k = 1; k <= 12; k++) {
                double y = tl_at(t, TL_TRADE_VALUE, ml - k);
                if (isfinite(y))
                    h[n++] = y;
            }
            double med = n >= 6 ? cw_supply_median(h, n) : NAN;
            if (!isfinite(x) || !isfinite(nx) || !(med > 0))
                continue;
            bool lump = x >= FA_LUMP * med || x <= med / FA_LUMP;
            bool back = nx <= 1.5 * med && nx >= med / 1.5;
            if (lump && back) {
                cw_supply__month_format(mon, ml);
                snprintf(text, tn,
                         "%s: %.4g USD against a 12-month median of %.4g, back to %.4g the "
                         "month after",
                         mon, x, med, nx);
                return FC_ONE_MONTH;
            }
        }
    }
    snprintf(text, tn, "no cause named from the data");
    return FC_UNEXPLAINED;
}

/* A rule of the data-only alert level: dynamic or structural, and resting on no event rule
 * (v_event_drop requires e_measure: it never fires without events). */
static bool data_only_rule(const cw_supply_rules *r, size_t k)
{
    const cw_sup_rule *ru = &r->rules[k];
    if (ru->kind == CW_RULE_EVENT || ru->kind == CW_RULE_STANDING)
        return false;
    for (int q = 0; q < ru->n_requires; q++)
        if (!data_only_rule(r, (size_t)ru->requires[q]))
            return false;
    return true;
}

static bool meets(const cw_sup_rule *ru, double x)
{
    return ru->op == 0   ? x >= ru->threshold
           : ru->op == 1 ? x > ru->threshold
           : ru->op == 2 ? x <= ru->threshold
                         : x < ru->threshold;
}

/* P(X >= k) for X ~ Binomial(n, b): how often a rule whose true rate is its budget b meets its
 * threshold in k or more of n months (months taken as independent; adjacent months are not, so
 * the figure is indicative); 1 for k = 0. */
static double binom_tail(size_t k, size_t n, double b)
{
    if (k == 0)
        return 1.0;
    if (k > n || !(b > 0 && b < 1))
        return k > n ? 0.0 : NAN;
    /* log P(X = j) by the ratio P(j) / P(j - 1) = (n - j + 1) / j x b / (1 - b) (lgamma would
     * write the global signgam) */
    double lp = (double)n * log1p(-b), odds = log(b) - log1p(-b), sum = 0;
    for (size_t j = 1; j <= n; j++) {
        lp += log((double)(n - j + 1) / (double)j) + odds;
        if (j >= k)
            sum += exp(lp);
    }
    return sum < 1.0 ? sum : 1.0;
}

/* Per rule of the alert level at or above L: over the cell-months with data in [lo, hi] and
 * outside every scored event's window on the cell, the months where the rule's indicator has a
 * value, the months the indicator itself met the threshold (what a budget was set on: a
 * percentile of the indicator) and the months the rule fired (with its lookback and
 * prerequisites); per kind of cell (price, trade) the months with data and with a signal. */
static json_t *fa_rates(const grid *g, cw_supply_timeline *const *tl, const cw_supply_rules *r,
                        const bool *inv_mask, const bev *ev, size_t n_ev, int W, int L, int lo,
                        int hi)
{
    long *evl = cw_calloc(r->n + 1, sizeof *evl), *fir = cw_calloc(r->n + 1, sizeof *fir);
    long *exc = cw_calloc(r->n + 1, sizeof *exc);
    bool *fired = cw_calloc(r->n + 1, sizeof *fired);
    long cm[2] = {0, 0}, cs[2] = {0, 0}; /* [price, trade]: months with data, with a signal */
    json_t *out = NULL;
    if (!evl || !fir || !fired || !exc)
        goto done;
    for (size_t c = 0; c < g->n_com; c++)
        for (int cell = -1; cell < NP; cell++) {
            if (cell >= 0 && g->alias[c] >= 0)
                continue;
            const cw_supply_timeline *t = cell_tl(tl, c, cell);
            if (!t)
                continue;
            for (int m = lo; m <= hi; m++) {
                int mi = m - g->M0, i = m - t->m0;
                if (mi < 0 || mi >= g->N || i < 0 || i >= (int)t->n || !cell_has(g, c, cell, mi) ||
                    in_any_window(g, ev, n_ev, c, cell, m, W))
                    continue;
                if (cw_supply__rules_fired(t, r, (size_t)i, false, cell < 0 ? inv_mask : NULL,
                                           fired) < 0)
                    continue;
                cm[cell >= 0]++;
                cs[cell >= 0] += cell < 0 ? g->inv_sig[IDX2(c, mi)] : g->sp_sig[IDX3(c, cell, mi)];
                for (size_t k = 0; k < r->n; k++) {
                    const cw_sup_rule *ru = &r->rules[k];
                    if (ru->level < L || !data_only_rule(r, k) || (cell < 0) != inv_mask[k] ||
                        !isfinite(t->v[ru->ind][i]))
                        continue;
                    evl[k]++;
                    fir[k] += fired[k];
                    exc[k] += meets(ru, t->v[ru->ind][i]);
                }
            }
        }
    out = json_object();
    json_t *rules = json_object();
    for (size_t k = 0; out && rules && k < r->n; k++) {
        const cw_sup_rule *ru = &r->rules[k];
        if (ru->level < L || !data_only_rule(r, k))
            continue;
        double b = fa_budget(ru->id);
        double rate = evl[k] ? (double)exc[k] / (double)evl[k] : NAN;
        json_object_set_new(
            rules, ru->id,
            json_pack("{s:I, s:I, s:I, s:o, s:o, s:o, s:o}", "months", (json_int_t)evl[k],
                      "indicator_met", (json_int_t)exc[k], "fired", (json_int_t)fir[k], "rate",
                      isfinite(rate) ? json_real(rate) : json_null(), "fired_rate",
                      evl[k] ? json_real((double)fir[k] / (double)evl[k]) : json_null(), "budget",
                      isfinite(b) ? json_real(b) : json_null(), "over_budget",
                      isfinite(b) && isfinite(rate) ? json_boolean(rate > b) : json_null()));
        /* over budget: could a rule whose true rate is the budget show this many months? */
        if (isfinite(b) && isfinite(rate) && rate > b)
            json_object_set_new(json_object_get(rules, ru->id), "p_at_budget",
                                json_real(binom_tail(exc[k], evl[k], b)));
    }
    json_object_set_new(out, "rules", rules);
    for (int k = 0; k < 2; k++)
        json_object_set_new(
            out, k ? "trade_cells" : "price_cells",
            json_pack("{s:I, s:I, s:o}", "months", (json_int_t)cm[k], "signal_months",
                      (json_int_t)cs[k], "rate",
                      cm[k] ? json_real((double)cs[k] / (double)cm[k]) : json_null()));
done:
    cw_free(evl);
    cw_free(fir);
    cw_free(exc);
    cw_free(fired);
    return out;
}

/* Every cell-month with a signal (level >= L) outside all scored events' windows in [lo, hi]:
 * the months the noise-to-signal ratio counts as noise (its B), not only the switch-ons. Each
 * names the rules at >= L that fired and, on a price cell, whether the price rose or fell from
 * the month before (a rule still firing through its lookback while the price falls). */
static json_t *fa_signal_months(const grid *g, cw_supply_timeline *const *tl, cw_supply *s,
                                const cw_supply_rules *r, const bool *inv_mask, const bev *ev,
                                size_t n_ev, int W, int L, int lo, int hi, int split)
{
    json_t *rows = json_array(), *by_rule = json_object();
    bool *fired = cw_calloc(r->n + 1, sizeof *fired);
    long n = 0, n_fall = 0, n_pre = 0, n_re = 0;
    if (!rows || !by_rule || !fired) {
        json_decref(rows);
        json_decref(by_rule);
        cw_free(fired);
        return NULL;
    }
    for (size_t c = 0; c < g->n_com; c++)
        for (int cell = -1; cell < NP; cell++) {
            if (cell >= 0 && g->alias[c] >= 0)
                continue;
            for (int m = lo; m <= hi; m++) {
                int mi = m - g->M0;
                if (mi < 0 || mi >= g->N || !cell_has(g, c, cell, mi))
                    continue;
                bool sig = cell < 0 ? g->inv_sig[IDX2(c, mi)] : g->sp_sig[IDX3(c, cell, mi)];
                if (!sig || in_any_window(g, ev, n_ev, c, cell, m, W))
                    continue;
                const cw_supply_timeline *t = cell_tl(tl, c, cell);
                char rules_s[256] = "", per[8];
                if (t && m >= t->m0 && m < t->m0 + (int)t->n &&
                    cw_supply__rules_fired(t, r, (size_t)(m - t->m0), false,
                                           cell < 0 ? inv_mask : NULL, fired) >= 0)
                    for (size_t k = 0; k < r->n; k++) {
                        if (!fired[k] || r->rules[k].level < L || (cell >= 0 && inv_mask[k]))
                            continue;
                        size_t l = strlen(rules_s);
                        snprintf(rules_s + l, sizeof rules_s - l, "%s%s", l ? ";" : "",
                                 r->rules[k].id);
                        json_t *x = json_object_get(by_rule, r->rules[k].id);
                        json_object_set_new(by_rule, r->rules[k].id,
                                            json_integer(json_integer_value(x) + 1));
                    }
                const char *dir = NULL;
                if (cell < 0) {
                    double x = tl_at(t, TL_PRICE, m), y = tl_at(t, TL_PRICE, m - 1);
                    if (isfinite(x) && isfinite(y))
                        dir = x > y ? "up" : x < y ? "down" : "flat";
                    n_fall += dir && !strcmp(dir, "down");
                }
                bool is_pre = split >= 0 && m < split;
                n_pre += is_pre;
                n++;
                const bev *re = reaction_to(g, ev, n_ev, c, cell, m, W);
                n_re += re != NULL;
                cw_supply__month_format(per, m);
                json_array_append_new(
                    rows, json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:o, s:o}", "period", per,
                                    "commodity", s->commodities[c], "partner",
                                    cell < 0 ? "all (price)" : partners[cell], "rules", rules_s,
                                    "price_move", dir ? json_string(dir) : json_null(), "alert",
                                    cell_alert(g, c, cell, mi), "pre_split",
                                    split >= 0 ? json_boolean(is_pre) : json_null(), "reaction_to",
                                    re ? json_string(re->e.id) : json_null()));
            }
        }
    cw_free(fired);
    return json_pack("{s:I, s:I, s:o, s:I, s:o, s:o}", "months", (json_int_t)n, "price_falling",
                     (json_int_t)n_fall, "pre_split",
                     split >= 0 ? json_integer(n_pre) : json_null(), "reactions", (json_int_t)n_re,
                     "by_rule", by_rule, "rows", rows);
}

static json_t *fa_analysis(const grid *g, cw_supply_timeline *const *tl, cw_supply *s,
                           const cw_supply_rules *r, const bool *inv_mask, const bev *ev,
                           size_t n_ev, int W, int L, const alert_rec *al, size_t n_al, int from,
                           int to, int split)
{
    json_t *rows = json_array(), *by_rule = json_object(), *by_cause = json_object();
    long cnt[FC_N] = {0};
    long pre = 0;
    for (size_t i = 0; i < n_al; i++) {
        const alert_rec *a = &al[i];
        if (a->matched)
            continue;
        char text[256], per[8];
        int cause = fa_cause(g, tl, s, ev, n_ev, a, text, sizeof text);
        int m = g->M0 + a->mi;
        bool is_pre = split >= 0 && m < split;
        pre += is_pre;
        cnt[cause]++;
        cw_supply__month_format(per, m);
        json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "period", per,
                                              "commodity", s->commodities[a->c], "partner",
                                              a->cell < 0 ? "all (price)" : partners[a->cell],
                                              "rules", a->rules, "cause", fa_cause_name[cause],
                                              "text", text, "pre_split",
                                              split >= 0 ? json_boolean(is_pre) : json_null()));
        /* per rule: false alerts, by cause */
        char buf[256];
        snprintf(buf, sizeof buf, "%s", a->rules);
        for (char *tok = buf, *next; tok && *tok; tok = next) {
            next = strchr(tok, ';');
            if (next)
                *next++ = 0;
            json_t *row = json_object_get(by_rule, tok);
            if (!row) {
                row = json_pack("{s:i, s:i, s:{}}", "false_alarms", 0, "pre_split", 0, "causes");
                json_object_set_new(by_rule, tok, row);
            }
            json_object_set_new(
                row, "false_alarms",
                json_integer(json_integer_value(json_object_get(row, "false_alarms")) + 1));
            if (is_pre)
                json_object_set_new(
                    row, "pre_split",
                    json_integer(json_integer_value(json_object_get(row, "pre_split")) + 1));
            json_t *cs = json_object_get(row, "causes");
            json_object_set_new(
                cs, fa_cause_name[cause],
                json_integer(json_integer_value(json_object_get(cs, fa_cause_name[cause])) + 1));
        }
    }
    for (int k = 0; k < FC_N; k++)
        json_object_set_new(by_cause, fa_cause_name[k], json_integer(cnt[k]));
    int rlo = from >= 0 ? from : g->M0, rhi = to >= 0 ? to : g->M0 + g->N - 1;
    int pre_hi = split >= 0 && split - 1 < rhi ? split - 1 : rhi;
    json_t *rates = fa_rates(g, tl, r, inv_mask, ev, n_ev, W, L, rlo, pre_hi);
    char a[8], b[8];
    cw_supply__month_format(a, rlo);
    cw_supply__month_format(b, pre_hi);
    if (rates) {
        json_object_set_new(rates, "span",
                            json_pack("{s:s, s:s, s:s}", "from", a, "to", b, "what",
                                      split >= 0 ? "before the split" : "no split: whole range"));
        if (split >= 0 && split <= rhi) {
            json_t *after = fa_rates(g, tl, r, inv_mask, ev, n_ev, W, L, split, rhi);
            char c1[8], c2[8];
            cw_supply__month_format(c1, split);
            cw_supply__month_format(c2, rhi);
            if (after)
                json_object_set_new(after, "span",
                                    json_pack("{s:s, s:s, s:s}", "from", c1, "to", c2, "what",
                                              "from the split (descriptive: nothing is set on "
                                              "it)"));
            json_object_set_new(rates, "from_split", after ? after : json_null());
        }
    }
    json_t *sm = fa_signal_months(g, tl, s, r, inv_mask, ev, n_ev, W, L, rlo, rhi, split);
    return json_pack(
        "{s:s, s:o, s:o, s:o, s:o, s:o, s:i, s:o}", "method",
        "every alert outside all scored events' windows on its cell, with the first cause that "
        "applies: after_event (within late_months after an event on the cell took effect), "
        "series_start (fewer than 6 evaluable months before), echo (an alert on the same cell "
        "in the 12 months before), common_shock (trade: an alert the same month on another "
        "commodity), partner_duplicate (trade: the same month on another partner), "
        "price_rebound (price: still below its previous 12 months' mean), one_month (trade: "
        "one month off by a factor >= 3 from its 12-month median, back the month after; "
        "hindsight), unexplained. A provisional month later revised cannot be named: the "
        "loaded files hold one vintage. rates: per rule, over the cell-months outside every "
        "event window before the split (or over the whole range without one), the months its "
        "indicator has a value, the months the indicator met the threshold (rate: what a "
        "budget is a percentile of) and the months the rule fired (fired_rate: with lookback "
        "and prerequisites), against the budget the docs registered (null: a textbook "
        "threshold, no budget registered); per kind of cell the months with a signal",
        "pre_split_false_alarms", split >= 0 ? json_integer(pre) : json_null(), "counts", by_cause,
        "by_rule", by_rule, "events", rows, "rates", rates ? rates : json_null(), "late_months",
        MISS_LATE_MONTHS, "signal_months", sm ? sm : json_null());
}

int cw_supply_backtest(cw_supply *s, const cw_supply_rules *r, const char *const *paths,
                       size_t n_paths, const cw_supply_backtest_opts *o, json_t **out)
{
    *out = NULL;
    int rc = 0;
    bev *ev = NULL;
    size_t n_ev = 0;
    grid gg = {0};
    grid *g = &gg;
    cw_supply_timeline **tl = NULL;
    json_t *jevents = NULL, *unmatched = NULL, *res = NULL, *jsplit = NULL, *jprec = NULL;
    json_t *by_rule = NULL, *jmiss = NULL, *jfa = NULL;
    alert_rec *al = NULL; /* every alert of the scored span, for the false-alarm table */
    size_t n_al = 0, cap_al = 0;
    size_t n_com = s->n_commodities < MAXC ? s->n_commodities : MAXC;
    int W = o->window_months > 0 ? o->window_months : 12;
    int L = o->level > 0 ? o->level : CW_SUPPLY_CAUTION;
    int smin = o->placebo_min > 0 ? o->placebo_min : 12;
    int smax = o->placebo_max >= smin ? o->placebo_max : 24;
    size_t dup_ids = 0;

    /* ---- events ---- */
    for (size_t f = 0; f < n_paths; f++) {
        cw_sup_event *e = NULL;
        size_t ne = 0;
        cw_supply_load_report rep;
        memset(&rep, 0, sizeof rep);
        rc = cw_supply__events_read(s, paths[f], &e, &ne, &rep);
        if (!rc && rep.rows_rejected)
            for (size_t i = 0; i < rep.n_issues; i++)
                if (rep.issues[i].kind == CW_SUPPLY_ISSUE_REJECT) {
                    rc = cw_error_set(CW_ECORRUPT, "%s:%zu: %s", paths[f], rep.issues[i].line,
                                      rep.issues[i].msg);
                    break;
                }
        cw_supply_load_report_deinit(&rep);
        if (rc) {
            cw_supply__events_free(e, ne);
            goto out;
        }
        bev *nb = cw_realloc(ev, (n_ev + ne + 1) * sizeof *nb);
        if (!nb) {
            cw_supply__events_free(e, ne);
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        ev = nb;
        for (size_t i = 0; i < ne; i++) {
            bool dup = false;
            for (size_t k = 0; k < n_ev; k++)
                if (!strcmp(ev[k].e.id, e[i].id))
                    dup = true;
            if (dup) {
                cw_free(e[i].description);
                dup_ids++;
                continue;
            }
            bev *b = &ev[n_ev++];
            memset(b, 0, sizeof *b);
            b->e = e[i];
            b->file = paths[f];
        }
        cw_free(e);
    }
    for (size_t i = 0; i < n_ev; i++) {
        bev *b = &ev[i];
        b->E = month_of(b->e.effective);
        b->A = month_of(b->e.announced);
        if (b->A < 0)
            b->A = b->E;
        size_t nc = event_commodities(s, &b->e, b->cmask);
        size_t np = 0;
        for (int p = 0; p < NP; p++)
            if (!strcmp(b->e.affected, "all") || !strcmp(b->e.affected, partners[p])) {
                b->pmask[p] = true;
                np++;
            }
        b->in_scope = nc && np && b->E >= 0;
        b->easing = easing_type(b->e.type);
    }
    /* the same measure in several catalogues is scored once (same actor and affected partners,
     * a shared commodity, effective months at most 1 apart) */
    for (size_t i = 0; i < n_ev; i++)
        for (size_t k = 0; k < i; k++) {
            bev *a = &ev[k], *b = &ev[i];
            if (a->dropped || b->dropped || !a->in_scope || !b->in_scope || !a->e.actor[0] ||
                strcmp(a->e.actor, b->e.actor) != 0 || a->easing != b->easing ||
                strcmp(a->e.affected, b->e.affected) != 0 || abs(a->E - b->E) > 1)
                continue;
            bool share = false;
            for (size_t c = 0; c < n_com; c++)
                share = share || (a->cmask[c] && b->cmask[c]);
            if (!share)
                continue;
            b->dropped = true;
            size_t l = strlen(a->merged);
            snprintf(a->merged + l, sizeof a->merged - l, "%s%s", l ? ";" : "", b->e.id);
        }

    /* ---- levels: all data-only rules, and the partner-invariant ones alone ---- */
    bool inv_mask[256] = {false};
    if (r->n > 256) {
        rc = cw_error_set(CW_EINVAL, "at most 256 rules");
        goto out;
    }
    /* KOMIR's market-risk index counts as data of the invariant cell only when a rule of the
     * alert level reads it (stop 15): with the default table the cells are what they were */
    bool reads_mrisk = false;
    for (size_t k = 0; k < r->n; k++) {
        inv_mask[k] = cw_supply__rule_invariant(r, k);
        if ((r->rules[k].ind == TL_MRISK || r->rules[k].ind == TL_MRISK_JUMP) &&
            data_only_rule(r, k))
            reads_mrisk = true;
    }
    tl = cw_calloc(n_com * NP + 1, sizeof *tl);
    if (!tl) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    int lo = -1, hi = -1;
    for (size_t c = 0; c < n_com; c++)
        for (int p = 0; p < NP; p++) {
            rc = cw_supply_timeline_build(&tl[c * NP + (size_t)p], s, s->commodities[c],
                                          partners[p]);
            if (rc == CW_ENOTFOUND) {
                rc = 0;
                continue;
            }
            if (rc)
                goto out;
            cw_supply_timeline *t = tl[c * NP + (size_t)p];
            if (lo < 0 || t->m0 < lo)
                lo = t->m0;
            if (t->m0 + (int)t->n - 1 > hi)
                hi = t->m0 + (int)t->n - 1;
        }
    if (lo < 0) {
        rc = cw_error_set(CW_ENOTFOUND, "no trade or price data loaded: nothing to backtest");
        goto out;
    }
    g->M0 = lo;
    g->N = hi - lo + 1;
    g->reads_mrisk = reads_mrisk;
    g->inv_sig = cw_calloc(n_com * (size_t)g->N, 1);
    g->inv_has = cw_calloc(n_com * (size_t)g->N, 1);
    g->sp_sig = cw_calloc(n_com * NP * (size_t)g->N, 1);
    g->sp_has = cw_calloc(n_com * NP * (size_t)g->N, 1);
    g->kor_level = cw_malloc(n_com * (size_t)g->N * sizeof(int));
    g->regime = cw_malloc(n_com * (size_t)g->N * sizeof(double));
    g->kor_in = cw_calloc(n_com * (size_t)g->N, 1);
    g->inv_row = cw_calloc(n_com * (size_t)g->N, 1);
    g->sp_row = cw_calloc(n_com * NP * (size_t)g->N, 1);
    if (!g->inv_sig || !g->inv_has || !g->sp_sig || !g->sp_has || !g->kor_level || !g->regime ||
        !g->kor_in || !g->inv_row || !g->sp_row) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    /* commodities whose monthly trade series are the same (gallium and germanium: the HS lines
     * with data are the shared basket 811292) share one set of trade cells: their trade alerts
     * are one signal, counted once */
    g->n_com = n_com;
    for (size_t c = 0; c < n_com; c++) {
        g->alias[c] = -1;
        for (size_t c1 = 0; c1 < c && g->alias[c] < 0; c1++) {
            if (g->alias[c1] >= 0)
                continue;
            bool same = true, any = false;
            for (int p = 0; p < NP && same; p++) {
                const cw_supply_timeline *a = tl[c1 * NP + (size_t)p], *b = tl[c * NP + (size_t)p];
                bool ta = a && (a->n_lines || a->trade_group[0]) && a->n_trade_rows,
                     tb = b && (b->n_lines || b->trade_group[0]) && b->n_trade_rows;
                if (!ta && !tb)
                    continue;
                same = ta && tb && series_equal(a, b);
                any = true;
            }
            if (same && any)
                g->alias[c] = (int)c1;
        }
    }
    for (size_t k = 0; k < n_com * (size_t)g->N; k++) {
        g->kor_level[k] = -1;
        g->regime[k] = NAN;
    }
    for (size_t c = 0; c < n_com; c++)
        for (int p = 0; p < NP; p++) {
            cw_supply_timeline *t = tl[c * NP + (size_t)p];
            if (!t)
                continue;
            for (size_t i = 0; i < t->n; i++) {
                int mi = t->m0 + (int)i - g->M0;
                int la = cw_supply__level_masked(t, r, i, false, NULL);
                int li = cw_supply__level_masked(t, r, i, false, inv_mask);
                if (la < 0 || li < 0) {
                    rc = la < 0 ? la : li;
                    goto out;
                }
                bool has_price = isfinite(t->v[TL_PRICE_Z][i]);
                bool has_trade = isfinite(t->v[TL_TRADE_Z][i]) || isfinite(t->v[TL_LINE_UP][i]) ||
                                 isfinite(t->v[TL_FLOOR_RUN][i]);
                bool has_index = reads_mrisk && isfinite(t->v[TL_MRISK_JUMP][i]);
                if (isfinite(t->v[TL_PRICE][i]) || (reads_mrisk && isfinite(t->v[TL_MRISK][i])))
                    g->inv_row[IDX2(c, mi)] = true;
                if (isfinite(t->v[TL_TRADE_VALUE][i]) && g->alias[c] < 0)
                    g->sp_row[IDX3(c, p, mi)] = true;
                if (has_price || has_index) {
                    g->inv_has[IDX2(c, mi)] = true;
                    if (li >= L)
                        g->inv_sig[IDX2(c, mi)] = true;
                }
                if (has_trade && g->alias[c] < 0) {
                    g->sp_has[IDX3(c, p, mi)] = true;
                    if (la >= L && li < L)
                        g->sp_sig[IDX3(c, p, mi)] = true;
                }
                /* KOMIR's index is a standing level: it is scored against chainwatch's
                 * standing level (structural and standing rules), never the alerts' level */
                if (p == 1 && (has_price || has_trade)) {
                    int ls = cw_supply_timeline_standing(t, r, i);
                    if (ls < 0) {
                        rc = ls;
                        goto out;
                    }
                    g->kor_level[IDX2(c, mi)] = ls;
                }
                if (p == 1) {
                    g->regime[IDX2(c, mi)] = t->v[TL_PRICE_REGIME][i];
                    int ek = t->exp_idx ? t->exp_idx[i] : -1;
                    g->kor_in[IDX2(c, mi)] =
                        (unsigned char)((isfinite(t->v[TL_PRICE][i]) ? KIN_PRICE : 0) |
                                        (isfinite(t->v[TL_PRICE_PCTILE][i]) ? KIN_LONGRUN : 0) |
                                        (isfinite(t->v[TL_PROD_HHI][i]) ? KIN_PROD_CONC : 0) |
                                        (ek >= 0 && t->exps[ek].basis == EXP_KOMIR &&
                                                 t->exps[ek].year <= (t->m0 + (int)i) / 12
                                             ? KIN_IMPORT_CONC
                                             : 0));
                }
            }
        }

    /* ---- per event ---- */
    jevents = json_array();
    unmatched = json_array();
    json_t *by_com = json_object(), *by_type = json_object();
    long hits = 0, misses = 0, no_data = 0, out_scope = 0, easing = 0, merged = 0;
    long lead_sum = 0, lead_ann_sum = 0, lead_n = 0;
    int from = o->from ? cw_supply__month_parse(o->from) : -1;
    int to = o->to ? cw_supply__month_parse(o->to) : -1;
    if ((o->from && from < 0) || (o->to && to < 0)) {
        json_decref(by_com);
        json_decref(by_type);
        rc = cw_error_set(CW_EINVAL, "bad %s month '%s' (YYYY-MM)",
                          o->from && from < 0 ? "from" : "to",
                          o->from && from < 0 ? o->from : o->to);
        goto out;
    }
    int efrom = -1, eto = -1;
    jmiss = json_array();
    long mcount[MC_N] = {0};
    for (size_t i = 0; i < n_ev; i++) {
        const bev *v = &ev[i];
        const char *result;
        char note[512] = "";
        json_t *gap_miss = NULL;
        score_t sc = {2, -1, 0, "", ""};
        if (v->dropped) {
            result = "duplicate";
            snprintf(note, sizeof note, "scored under an earlier listing of the same measure");
            merged++;
        } else if (!v->in_scope) {
            result = "out_of_scope";
            snprintf(note, sizeof note, "%s",
                     v->E < 0 ? "no effective month"
                     : !strcmp(v->e.commodities, "unspecified")
                         ? "no in-scope commodity named (title and tags)"
                         : "commodity or affected partner outside the scope (USA, KOR, JPN x "
                           "data/supply/commodities.csv)");
            out_scope++;
        } else if (v->easing) {
            sc = score(g, n_com, v, 0, W);
            result = "easing";
            snprintf(note, sizeof note,
                     "an easing, not a disruption: not in the headline (alert in window: %s)",
                     sc.result == 0 ? "yes" : "no");
            easing++;
        } else {
            sc = score(g, n_com, v, 0, W);
            if (efrom < 0 || v->E - W < efrom)
                efrom = v->E - W;
            if (v->E > eto)
                eto = v->E;
            if (sc.result == 0) {
                result = "hit";
                hits++;
                lead_sum += sc.lead_eff;
                lead_ann_sum += sc.lead_ann;
                lead_n++;
                snprintf(note, sizeof note, "first alert %s (%s)", sc.at, sc.via);
            } else if (sc.result == 1) {
                result = "miss";
                misses++;
                snprintf(note, sizeof note, "no alert at level >= %s in the %d months before",
                         cw_supply_level_name(L), W);
            } else {
                result = "no_data";
                no_data++;
                gap_miss = json_array();
                gap_report(s, g, tl, n_com, v, W, gap_miss, note, sizeof note);
            }
            /* tables: per commodity and per event type */
            for (size_t c = 0; c < n_com; c++) {
                if (!v->cmask[c])
                    continue;
                json_t *row = json_object_get(by_com, s->commodities[c]);
                if (!row) {
                    row = json_pack("{s:i, s:i, s:i}", "hit", 0, "miss", 0, "no_data", 0);
                    json_object_set_new(by_com, s->commodities[c], row);
                }
                json_t *cnt = json_object_get(row, result);
                json_object_set_new(row, result, json_integer(json_integer_value(cnt) + 1));
            }
            const char *ty = v->e.type[0] ? v->e.type : "unspecified";
            json_t *row = json_object_get(by_type, ty);
            if (!row) {
                row = json_pack("{s:i, s:i, s:i}", "hit", 0, "miss", 0, "no_data", 0);
                json_object_set_new(by_type, ty, row);
            }
            json_t *cnt = json_object_get(row, result);
            json_object_set_new(row, result, json_integer(json_integer_value(cnt) + 1));
        }
        const char *base = strrchr(v->file, '/');
        json_t *je = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "event_id", v->e.id,
            "announced", v->e.announced, "effective", v->e.effective, "commodity", v->e.commodities,
            "partner", v->e.affected, "actor", v->e.actor, "type", v->e.type, "result", result,
            "note", note, "file", base ? base + 1 : v->file, "line", (json_int_t)v->e.line);
        json_object_set_new(je, "lead_months",
                            sc.result == 0 ? json_integer(sc.lead_eff) : json_null());
        json_object_set_new(je, "lead_from_announcement_months",
                            sc.result == 0 ? json_integer(sc.lead_ann) : json_null());
        if (v->merged[0])
            json_object_set_new(je, "merged", json_string(v->merged));
        if (gap_miss)
            json_object_set_new(je, "missing_data", gap_miss);
        if (scored_event(v) && sc.result != 0) {
            int cause = MC_UNDER;
            json_t *mo = miss_analysis(g, tl, r, inv_mask, n_com, v, W, L, note, &cause);
            mcount[cause]++;
            if (cause == MC_ENDED) { /* the headline row says it too (stop 17) */
                char an[8], full[600];
                const char *ls = json_string_value(json_object_get(mo, "last_data_in_window"));
                cw_supply__month_format(an, v->A);
                snprintf(full, sizeof full,
                         "%s; the series end in %s, before the announcement (%s)", note,
                         ls ? ls : "?", an);
                json_object_set_new(je, "note", json_string(full));
            }
            json_object_set_new(je, "miss_cause", json_string(miss_cause_name[cause]));
            json_array_append_new(jmiss, mo);
        }
        json_array_append_new(jevents, je);
    }
    if (from < 0)
        from = efrom;
    if (to < 0)
        to = eto;

    /* ---- alerts and the monthly confusion counts (cells with data) ---- */
    long A = 0, B = 0, C = 0, D = 0, n_alerts = 0, matched = 0;
    by_rule = json_object();
    for (size_t c = 0; c < n_com; c++)
        for (int cell = -1; cell < NP; cell++) { /* -1: the invariant cell */
            for (int mi = 0; mi < g->N; mi++) {
                int m = g->M0 + mi;
                if ((from >= 0 && m < from) || (to >= 0 && m > to))
                    continue;
                bool has = cell < 0 ? g->inv_has[IDX2(c, mi)] : g->sp_has[IDX3(c, cell, mi)];
                if (!has)
                    continue;
                bool sig = cell < 0 ? g->inv_sig[IDX2(c, mi)] : g->sp_sig[IDX3(c, cell, mi)];
                bool in_window = false;
                for (size_t i = 0; i < n_ev && !in_window; i++) {
                    const bev *v = &ev[i];
                    if (v->dropped || !v->in_scope || v->easing || !ev_on(g, v, c, cell))
                        continue;
                    in_window = m >= v->E - W && m <= v->E;
                }
                if (sig && in_window)
                    A++;
                else if (sig)
                    B++;
                else if (in_window)
                    C++;
                else
                    D++;
                bool rise = cell < 0 ? inv_alert(g, c, mi) : sp_alert(g, c, cell, mi);
                if (rise) {
                    n_alerts++;
                    /* the rules behind the alert: those at >= the level firing in its month */
                    char rules_s[256] = "";
                    for (int p = cell < 0 ? 0 : cell; p < (cell < 0 ? NP : cell + 1); p++) {
                        const cw_supply_timeline *t = tl[c * NP + (size_t)p];
                        if (!t || m < t->m0 || m >= t->m0 + (int)t->n)
                            continue;
                        bool fired[256];
                        if (cw_supply__rules_fired(t, r, (size_t)(m - t->m0), false,
                                                   cell < 0 ? inv_mask : NULL, fired) < 0)
                            continue;
                        for (size_t k = 0; k < r->n; k++) {
                            if (!fired[k] || r->rules[k].level < L || (cell >= 0 && inv_mask[k]))
                                continue;
                            size_t l = strlen(rules_s);
                            snprintf(rules_s + l, sizeof rules_s - l, "%s%s", l ? ";" : "",
                                     r->rules[k].id);
                        }
                        break;
                    }
                    bump_rule_count(by_rule, rules_s, in_window);
                    if ((rc = cw_grow(&al, &cap_al, n_al + 1, sizeof *al, 64))) {
                        json_decref(by_com);
                        json_decref(by_type);
                        goto out;
                    }
                    al[n_al] = (alert_rec){(int)c, cell, mi, in_window, ""};
                    snprintf(al[n_al++].rules, sizeof al->rules, "%s", rules_s);
                    if (in_window)
                        matched++;
                    else {
                        char per[8];
                        cw_supply__month_format(per, m);
                        json_array_append_new(unmatched,
                                              json_pack("{s:s, s:s, s:s, s:s}", "period", per,
                                                        "commodity", s->commodities[c], "partner",
                                                        cell < 0 ? "all (price)" : partners[cell],
                                                        "rules", rules_s));
                    }
                }
            }
        }
    double nsr = NAN;
    if (A > 0 && B + D > 0)
        nsr = ((double)B / (double)(B + D)) / ((double)A / (double)(A + C));
    /* apart: the partner-invariant price cells and the partner trade cells */
    double nsr_price = nsr_run(g, n_com, ev, n_ev, W, from, to, 1),
           nsr_trade = nsr_run(g, n_com, ev, n_ev, W, from, to, 2);

    /* ---- placebo ---- */
    long act_hits = hits, act_cov = hits + misses;
    double act_rate = act_cov ? (double)act_hits / (double)act_cov : NAN;
    json_t *jplacebo = json_array();
    placebo_t pl =
        placebo_run(g, n_com, ev, n_ev, W, smin, smax, INT_MIN, INT_MAX, act_rate, jplacebo);
    int n_shift = pl.shifts, as_good = pl.as_good;
    double p_value = pl.p;
    long draws = o->placebo_draws > 0 ? o->placebo_draws : CW_SUPPLY_PLACEBO_DRAWS;
    uint64_t seed = o->placebo_seed ? o->placebo_seed : CW_SUPPLY_PLACEBO_SEED;
    json_t *jind_rows = json_array();
    placebo_ind_t pind = placebo_ind_run(g, n_com, ev, n_ev, W, smin, smax, INT_MIN, INT_MAX,
                                         act_rate, draws, seed, false, jind_rows);
    placebo_ind_t pclu = placebo_ind_run(g, n_com, ev, n_ev, W, smin, smax, INT_MIN, INT_MAX,
                                         act_rate, draws, seed, true, NULL);

    /* ---- precursors: earlier announcements by the same actor (reported apart) ---- */
    jprec = precursor_view(g, n_com, ev, n_ev, W, smin, smax, false);
    if (jprec)
        json_object_set_new(jprec, "any_commodity",
                            precursor_view(g, n_com, ev, n_ev, W, smin, smax, true));

    /* ---- out of sample: events effective before the split month and from it, apart ---- */
    if (o->split) {
        int sm = cw_supply__month_parse(o->split);
        if (sm < 0) {
            json_decref(jplacebo);
            json_decref(jind_rows);
            json_decref(by_com);
            json_decref(by_type);
            rc = cw_error_set(CW_EINVAL, "bad split month '%s' (YYYY-MM)", o->split);
            goto out;
        }
        jsplit = json_array();
        for (int half = 0; half < 2; half++) {
            int lo_e = half ? sm : INT_MIN, hi_e = half ? INT_MAX : sm - 1;
            long h = 0, mi_ = 0, nd = 0;
            for (size_t i = 0; i < n_ev; i++) {
                const bev *v = &ev[i];
                if (!scored_event(v) || v->E < lo_e || v->E > hi_e)
                    continue;
                score_t sc = score(g, n_com, v, 0, W);
                h += sc.result == 0;
                mi_ += sc.result == 1;
                nd += sc.result == 2;
            }
            double rate = h + mi_ ? (double)h / (double)(h + mi_) : NAN;
            placebo_t pp = placebo_run(g, n_com, ev, n_ev, W, smin, smax, lo_e, hi_e, rate, NULL);
            placebo_ind_t ppi = placebo_ind_run(g, n_com, ev, n_ev, W, smin, smax, lo_e, hi_e, rate,
                                                draws, seed, false, NULL);
            placebo_ind_t ppc = placebo_ind_run(g, n_com, ev, n_ev, W, smin, smax, lo_e, hi_e, rate,
                                                draws, seed, true, NULL);
            int nf = half ? sm : (from >= 0 ? from : g->M0);
            int nt = half ? (to >= 0 ? to : g->M0 + g->N - 1) : sm - 1;
            double ns = nsr_run(g, n_com, ev, n_ev, W, nf, nt, 0);
            char a[8], b[8];
            cw_supply__month_format(a, nf);
            cw_supply__month_format(b, nt);
            json_t *row = json_pack(
                "{s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:s, s:s}", "events",
                half ? "effective from the split" : "effective before the split", "scored",
                (json_int_t)(h + mi_ + nd), "hits", (json_int_t)h, "misses", (json_int_t)mi_,
                "no_data", (json_int_t)nd, "hit_rate", rate_or_null(h, h + mi_ + nd),
                "hit_rate_with_data", rate_or_null(h, h + mi_), "placebo_p",
                isfinite(pp.p) ? json_real(pp.p) : json_null(), "noise_to_signal",
                isfinite(ns) ? json_real(ns) : json_null(), "nsr_from", a, "nsr_to", b);
            json_object_set_new(row, "placebo_p_independent",
                                isfinite(ppi.p) ? json_real(ppi.p) : json_null());
            json_object_set_new(row, "placebo_p_clustered",
                                isfinite(ppc.p) ? json_real(ppc.p) : json_null());
            json_object_set_new(row, "noise_to_signal_reactions_left_out",
                                nsr_reactions_json(g, ev, n_ev, W, nf, nt));
            json_array_append_new(jsplit, row);
        }
    }

    /* ---- false alarms: causes, and each rule's rate before the split against its budget ---- */
    jfa = fa_analysis(g, tl, s, r, inv_mask, ev, n_ev, W, L, al, n_al, from, to,
                      o->split ? cw_supply__month_parse(o->split) : -1);

    /* ---- KOMIR agreement (KOR) ---- */
    json_t *jk = json_object(), *jl = json_object(), *jcov = json_object();
    komir_cov cov_all = {0};
    long ka = 0, kb = 0, kc = 0, kd = 0;
    long la_ = 0, lb = 0, lc = 0, ld = 0; /* like for like: the price regime */
    double reg_thr = NAN;
    const char *reg_rule = NULL;
    for (size_t k = 0; k < r->n; k++)
        if (r->rules[k].ind == TL_PRICE_REGIME && r->rules[k].op <= 1) {
            reg_thr = r->rules[k].threshold;
            reg_rule = r->rules[k].id;
            break;
        }
    {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db,
                               "SELECT period, value FROM indices WHERE name="
                               "'komir_supply_stability' AND commodity=?1 AND country='KOR'"
                               " ORDER BY period",
                               -1, &st, NULL) != SQLITE_OK) {
            json_decref(jplacebo);
            json_decref(jind_rows);
            json_decref(by_com);
            json_decref(by_type);
            json_decref(jk);
            json_decref(jl);
            json_decref(jcov);
            rc = cw_supply__sqlerr(s->db, "prepare");
            goto out;
        }
        for (size_t c = 0; c < n_com; c++) {
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, s->commodities[c], -1, SQLITE_STATIC);
            long a = 0, b = 0, cc = 0, d = 0, idx_months = 0;
            long l1 = 0, l2 = 0, l3 = 0, l4 = 0;
            komir_cov cv = {0};
            while (sqlite3_step(st) == SQLITE_ROW) {
                idx_months++;
                int m = cw_supply__month_parse((const char *)sqlite3_column_text(st, 0));
                int mi = m - g->M0;
                bool kbad = sqlite3_column_double(st, 1) < 20.0;
                unsigned in = m >= 0 && mi >= 0 && mi < g->N ? g->kor_in[IDX2(c, mi)] : 0;
                int lvl = m >= 0 && mi >= 0 && mi < g->N ? g->kor_level[IDX2(c, mi)] : -1;
                komir_cov_add(&cv, kbad, in, lvl);
                if (m < 0 || mi < 0 || mi >= g->N)
                    continue;
                double rg = g->regime[IDX2(c, mi)];
                if (isfinite(reg_thr) && isfinite(rg)) {
                    bool high = rg >= reg_thr;
                    l1 += kbad && high;
                    l2 += kbad && !high;
                    l3 += !kbad && high;
                    l4 += !kbad && !high;
                }
                if (g->kor_level[IDX2(c, mi)] < 0)
                    continue;
                bool cbad = g->kor_level[IDX2(c, mi)] >= CW_SUPPLY_CAUTION;
                if (kbad && cbad)
                    a++;
                else if (kbad)
                    b++;
                else if (cbad)
                    cc++;
                else
                    d++;
            }
            if (!idx_months)
                continue;
            komir_cov_sum(&cov_all, &cv);
            json_object_set_new(jcov, s->commodities[c], komir_cov_json(&cv, s->commodities[c]));
            double kp = kappa(a, b, cc, d);
            json_object_set_new(jk, s->commodities[c],
                                json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "index_months",
                                          (json_int_t)idx_months, "both_caution", (json_int_t)a,
                                          "komir_only", (json_int_t)b, "chainwatch_only",
                                          (json_int_t)cc, "both_stable", (json_int_t)d, "kappa",
                                          isfinite(kp) ? json_real(kp) : json_null()));
            if (l1 + l2 + l3 + l4) {
                double kl = kappa(l1, l2, l3, l4);
                json_object_set_new(jl, s->commodities[c],
                                    json_pack("{s:I, s:I, s:I, s:I, s:o}", "both_caution",
                                              (json_int_t)l1, "komir_only", (json_int_t)l2,
                                              "chainwatch_only", (json_int_t)l3, "both_stable",
                                              (json_int_t)l4, "kappa",
                                              isfinite(kl) ? json_real(kl) : json_null()));
                la_ += l1;
                lb += l2;
                lc += l3;
                ld += l4;
            }
            ka += a;
            kb += b;
            kc += cc;
            kd += d;
        }
        sqlite3_finalize(st);
    }
    double kap = kappa(ka, kb, kc, kd);
    double kap_like = kappa(la_, lb, lc, ld);

    /* ---- summary ---- */
    long scored = hits + misses + no_data;
    double hit_rate = scored ? (double)hits / (double)scored : NAN;
    char fb[8] = "", tb[8] = "";
    if (from >= 0)
        cw_supply__month_format(fb, from);
    if (to >= 0)
        cw_supply__month_format(tb, to);
    json_t *sum = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:I, s:I, s:I, s:o, s:s, s:i,"
        " s:s, s:s, s:{s:I, s:I, s:I, s:I}}",
        "events", (json_int_t)n_ev, "duplicate_ids", (json_int_t)dup_ids, "merged",
        (json_int_t)merged, "scored", (json_int_t)scored, "hits", (json_int_t)hits, "misses",
        (json_int_t)misses, "no_data", (json_int_t)no_data, "out_of_scope", (json_int_t)out_scope,
        "easing", (json_int_t)easing, "hit_rate",
        isfinite(hit_rate) ? json_real(hit_rate) : json_null(), "hit_rate_with_data",
        rate_or_null(hits, hits + misses), "alerts", (json_int_t)n_alerts, "alerts_matched",
        (json_int_t)matched, "false_alarms", (json_int_t)(n_alerts - matched), "noise_to_signal",
        isfinite(nsr) ? json_real(nsr) : json_null(), "level", cw_supply_level_name(L),
        "window_months", W, "from", fb, "to", tb, "months", "signal_in_window", (json_int_t)A,
        "signal_outside", (json_int_t)B, "quiet_in_window", (json_int_t)C, "quiet_outside",
        (json_int_t)D);
    json_object_set_new(sum, "mean_lead_months",
                        lead_n ? json_real((double)lead_sum / (double)lead_n) : json_null());
    /* events without data are misses whatever the rules do: the best possible hit rate */
    json_object_set_new(sum, "hit_rate_upper_bound", rate_or_null(hits + misses, scored));
    json_object_set_new(sum, "noise_to_signal_price",
                        isfinite(nsr_price) ? json_real(nsr_price) : json_null());
    json_object_set_new(sum, "noise_to_signal_trade",
                        isfinite(nsr_trade) ? json_real(nsr_trade) : json_null());
    /* beside the headline (a scoring question for the issue's author, not a figure of it) */
    json_object_set_new(sum, "noise_to_signal_reactions_left_out",
                        nsr_reactions_json(g, ev, n_ev, W, from, to));
    json_object_set_new(sum, "mean_lead_from_announcement_months",
                        lead_n ? json_real((double)lead_ann_sum / (double)lead_n) : json_null());
    /* each figure names the signal it scores: the alerts, or the standing level */
    json_t *acc = json_pack(
        "{s:{s:o, s:f, s:b, s:s}, s:{s:o, s:f, s:b, s:s}, s:{s:o, s:f, s:b, s:s}, s:{s:o, s:f, "
        "s:b, s:s}}",
        "hit_rate", "value", isfinite(hit_rate) ? json_real(hit_rate) : json_null(), "target", 0.7,
        "met", isfinite(hit_rate) && hit_rate >= 0.7, "signal", "alerts", "noise_to_signal",
        "value", isfinite(nsr) ? json_real(nsr) : json_null(), "target", 0.5, "met",
        isfinite(nsr) && nsr < 0.5, "signal", "alerts", "placebo_p", "value",
        isfinite(p_value) ? json_real(p_value) : json_null(), "target", 0.05, "met",
        isfinite(p_value) && p_value < 0.05 && smin == 12 && smax == 24, "signal", "alerts",
        "komir_kappa", "value", isfinite(kap) ? json_real(kap) : json_null(), "target", 0.4, "met",
        isfinite(kap) && kap >= 0.4, "signal", "standing level");
    char pmeth[192];
    snprintf(pmeth, sizeof pmeth,
             "events shifted by -%d..-%d and +%d..+%d months; statistic: hit rate among events "
             "with data in their window; p = (1 + shifts at least as good) / (1 + shifts)",
             smax, smin, smin, smax);
    json_t *placebo =
        json_pack("{s:s, s:i, s:i, s:o, s:o, s:i, s:i, s:o, s:o}", "method", pmeth,
                  "shift_min_months", smin, "shift_max_months", smax, "actual_hit_rate_with_data",
                  isfinite(act_rate) ? json_real(act_rate) : json_null(), "mean_placebo_hit_rate",
                  n_shift ? json_real(pl.mean) : json_null(), "shifts", n_shift,
                  "shifts_at_least_as_good", as_good, "p_value",
                  isfinite(p_value) ? json_real(p_value) : json_null(), "by_shift", jplacebo);
    if (placebo) {
        char meth[900];
        snprintf(meth, sizeof meth,
                 "each event shifted by its own draw, uniform over the same %d shifts "
                 "(-%d..-%d, +%d..+%d months); %ld seeded Monte Carlo draws (xoshiro256**, seed "
                 "%llu); statistic: hit rate among events with data; p = (1 + draws at least as "
                 "good) / (1 + draws with a statistic); smallest possible p 1/(draws + 1). "
                 "Assumes the events independent (one event's shifted result does not depend on "
                 "another's shift) and, without skill, each event's real date exchangeable with "
                 "its shifts. The common-shift p (p_value) stays the headline. events: each scored "
                 "event's result under every shift (-%d..-%d then +%d..+%d): H hit, m miss, - no "
                 "data",
                 2 * (smax - smin + 1), smax, smin, smin, smax, draws, (unsigned long long)seed,
                 smax, smin, smin, smax);
        json_object_set_new(placebo, "independent",
                            json_pack("{s:s, s:I, s:I, s:I, s:o, s:o, s:o}", "method", meth,
                                      "draws", (json_int_t)draws, "draws_with_data",
                                      (json_int_t)pind.used, "draws_at_least_as_good",
                                      (json_int_t)pind.as_good, "mean_hit_rate",
                                      isfinite(pind.mean) ? json_real(pind.mean) : json_null(),
                                      "p_value", isfinite(pind.p) ? json_real(pind.p) : json_null(),
                                      "seed", json_integer((json_int_t)seed)));
        json_object_set_new(json_object_get(placebo, "independent"), "events", jind_rows);
        jind_rows = NULL;
        json_object_set_new(
            placebo, "clustered",
            json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:o}", "method",
                      "as independent, but the events sharing a commodity (scored on the same "
                      "price cell, so their results under a shift depend on each other) move "
                      "together: one draw per cluster (connected components of 'shares a "
                      "commodity'); assumes the clusters independent",
                      "events", (json_int_t)pclu.events, "clusters", (json_int_t)pclu.clusters,
                      "draws_with_data", (json_int_t)pclu.used, "draws_at_least_as_good",
                      (json_int_t)pclu.as_good, "mean_hit_rate",
                      isfinite(pclu.mean) ? json_real(pclu.mean) : json_null(), "p_value",
                      isfinite(pclu.p) ? json_real(pclu.p) : json_null()));
        json_object_set_new(placebo, "p_minimum_common_shift",
                            n_shift ? json_real(1.0 / (1.0 + n_shift)) : json_null());
    }
    json_decref(jind_rows); /* NULL once the document holds it */
    json_t *komir = json_pack(
        "{s:s, s:I, s:I, s:I, s:I, s:o, s:o}", "method",
        "KOR months with a KOMIR supply-stability index: index < 20 (caution, unstable or crisis) "
        "against chainwatch's KOR standing level >= caution (structural and standing rules: "
        "sustained tightness, not the alerts); Cohen's kappa",
        "both_caution", (json_int_t)ka, "komir_only", (json_int_t)kb, "chainwatch_only",
        (json_int_t)kc, "both_stable", (json_int_t)kd, "kappa",
        isfinite(kap) ? json_real(kap) : json_null(), "by_commodity", jk);
    if (komir) {
        char meth[200];
        snprintf(meth, sizeof meth,
                 "like for like: the same KOMIR months against the price regime (rule %s: "
                 "price_regime >= %g), the state KOMIR's index measures",
                 reg_rule ? reg_rule : "none", isfinite(reg_thr) ? reg_thr : 0.0);
        json_object_set_new(
            komir, "like_for_like",
            json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:o}", "method", meth, "both_caution",
                      (json_int_t)la_, "komir_only", (json_int_t)lb, "chainwatch_only",
                      (json_int_t)lc, "both_stable", (json_int_t)ld, "kappa",
                      isfinite(kap_like) ? json_real(kap_like) : json_null(), "by_commodity", jl));
        jl = NULL;
        json_t *jc = komir_cov_json(&cov_all, NULL);
        json_object_set_new(
            jc, "method",
            json_string("the inputs of KOMIR's published method (mid- to long-term price risk, "
                        "discounted by production concentration, Korea's import-source "
                        "concentration, import growth and the world supply-demand ratio) that "
                        "exist for each KOR month with no look-ahead; kappa_with_long_run_price: "
                        "the months where the standing rungs' input (price_pctile, >= 36 earlier "
                        "months) exists; kappa_bound: the kappa if the standing level agreed with "
                        "KOMIR in every such month and stayed as scored in the others; import "
                        "growth and the supply-demand ratio are in no loaded file"));
        json_object_set_new(jc, "by_commodity", jcov);
        jcov = NULL;
        json_object_set_new(komir, "coverage", jc);
        json_object_set_new(json_object_get(acc, "hit_rate"), "bound_given_coverage",
                            rate_or_null(hits + misses, scored));
        json_object_set_new(json_object_get(acc, "komir_kappa"), "bound_given_coverage",
                            kappa_json(cov_all.bound));
    }
    json_decref(jcov);
    json_decref(jl);
    /* the second placebo figure beside the headline's: the headline keeps the common shift */
    json_object_set_new(json_object_get(acc, "placebo_p"), "independent_shifts_p",
                        isfinite(pind.p) ? json_real(pind.p) : json_null());
    json_object_set_new(json_object_get(acc, "placebo_p"), "clustered_shifts_p",
                        isfinite(pclu.p) ? json_real(pclu.p) : json_null());
    /* only the registered shifts (+-12..24) can meet the acceptance: a wider test is a second
     * figure, never "met" */
    json_object_set_new(json_object_get(acc, "placebo_p"), "registered",
                        json_boolean(smin == 12 && smax == 24));
    res = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s}", "summary", sum, "acceptance",
                    acc, "placebo", placebo, "komir_agreement", komir, "by_commodity", by_com,
                    "by_event_type", by_type, "events", jevents, "unmatched_alerts", unmatched,
                    "note",
                    "two signals scored apart: alerts (switch-ons of the data-only alert "
                    "level; rules of kind event and standing off) against the events: hit rate, "
                    "noise-to-signal, placebo; the standing level (structural and standing "
                    "rules) against KOMIR's index: kappa. Partner-invariant signals (price, "
                    "production) counted once per commodity; events without data count as "
                    "misses in hit_rate");
    jevents = unmatched = NULL;
    if (res) {
        json_object_set_new(res, "precursors", jprec);
        jprec = NULL;
        json_object_set_new(res, "alerts_by_rule", by_rule);
        by_rule = NULL;
    }
    if (res) {
        json_t *cnt = json_object();
        for (int k = 0; k < MC_N; k++)
            json_object_set_new(cnt, miss_cause_name[k], json_integer(mcount[k]));
        json_object_set_new(
            res, "misses",
            json_pack("{s:s, s:i, s:o, s:o}", "method",
                      "every scored event without a hit, with the first cause that applies: "
                      "no_data (no value in the window), no_detector_value (values, no detector "
                      "reads them yet), series_ended (values, the last before the "
                      "announcement month), partner_basis (the signal on a partner the event does "
                      "not name, or the event's partners without a trade series of their own), "
                      "late (an alert after the effective month, within late_months), "
                      "under_threshold (detectors read the window, none reached its threshold); "
                      "nearest_rule: the largest value / threshold of a rule at or above the "
                      "level, without prerequisites, in the window on the event's cells",
                      "late_months", MISS_LATE_MONTHS, "counts", cnt, "events", jmiss));
        jmiss = NULL;
    }
    if (res && jfa) {
        json_object_set_new(res, "false_alarms", jfa);
        jfa = NULL;
    }
    if (res && jsplit) {
        json_object_set_new(res, "out_of_sample",
                            json_pack("{s:s, s:o}", "split", o->split, "periods", jsplit));
        jsplit = NULL;
    }
    if (!res) {
        rc = cw_error_set(CW_ENOMEM, "out of memory building JSON");
        goto out;
    }
    *out = res;
out:
    json_decref(jmiss);
    json_decref(jfa);
    cw_free(al);
    json_decref(by_rule);
    json_decref(jsplit);
    json_decref(jprec);
    json_decref(jevents);
    json_decref(unmatched);
    for (size_t k = 0; tl && k < n_com * NP; k++)
        cw_supply_timeline_free(tl[k]);
    cw_free(tl);
    cw_free(g->inv_sig);
    cw_free(g->inv_has);
    cw_free(g->sp_sig);
    cw_free(g->sp_has);
    cw_free(g->kor_level);
    cw_free(g->regime);
    cw_free(g->kor_in);
    cw_free(g->inv_row);
    cw_free(g->sp_row);
    for (size_t i = 0; i < n_ev; i++)
        cw_free(ev[i].e.description);
    cw_free(ev);
    return rc;
}
