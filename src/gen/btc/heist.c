/*
 * heist.c: runs the scenario's heists inside the economy. A heist steals exactly amount_sat
 * from its victim exchange's hot wallet, then executes its laundering steps in order, each a
 * set of jobs scheduled at block heights (fan-out, peel-chain hops, CoinJoin rounds, Tx0s and
 * mixes, consolidations, cash-out deposits, waits). Every thief transaction is logged with
 * its parent, so ground truth can give the path of each deposit.
 *
 * Stolen value (docs/GEN.md): every coin the thief entity holds is stolen value (the thief has
 * no other funds). In a thief-only transaction, value leaves the stolen set only as exchange
 * deposits or the mining fee. In a CoinJoin, only the thief's own outputs carry it; the thief's
 * inputs minus those outputs is the thief's share of the mining fee (including the dust the
 * round gives to miners) and of the coordinator fee. No value goes to honest peers. Hence
 * stolen = deposited + unspent + mining fees + coordinator fees, to the satoshi.
 */
#include <jansson.h>
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/errors.h"
#include "gen/btc/world.h"

enum { J_FANOUT, J_PEEL, J_WASABI, J_TX0, J_MIX, J_CONSOLIDATE, J_CASHOUT, J_WAIT, J_POSTMIX };

typedef struct gen_job {
    uint32_t height;
    uint32_t kind;
    uint32_t lane;
    uint32_t seq;
    uint32_t retries;
} gen_job;

typedef struct gen_lane {
    gen_coin coin;
    uint32_t left; /* hops or rounds still to do */
    uint32_t hop;
    uint32_t chain; /* peel chains: the chain's number within the heist */
} gen_lane;

typedef struct gen_ttx {
    uint8_t txid[32];
    uint32_t height;
    uint32_t parent; /* GEN_NO_TAG for the theft */
    const char *kind;
    uint64_t in, out_thief, deposit, coord, fee;
} gen_ttx;

typedef struct gen_dep {
    uint8_t txid[32];
    uint32_t vout;
    uint32_t addr;
    uint32_t exchange;
    uint32_t ttx;
    uint64_t value;
    uint8_t type;
} gen_dep;

struct gen_heist_rt {
    const cw_gen_heist *h;
    uint32_t idx, thief, victim;
    gen_rng rng;
    int step; /* -1: the theft is pending */
    uint32_t theft_at, step_start;
    bool started, done;
    uint32_t done_height;
    gen_job *jobs;
    uint32_t n_jobs, cap_jobs, seq;
    gen_lane *lanes;
    uint32_t n_lanes, cap_lanes;
    gen_ttx *txs;
    uint32_t n_txs, cap_txs;
    gen_dep *deps;
    uint32_t n_deps, cap_deps;
    gen_coinvec victim_in, stolen, tmp, work;
    uint64_t fee_mining, fee_coord;
    uint64_t cash_left;
    uint32_t cash_jobs_left;
    uint32_t *acct; /* n_exchanges * 3 deposit addresses, 0 = not yet */
    int pool;
    uint32_t n_chains; /* peel chains started */
};

/* The thief's fee rate for one transaction: the scenario's, varied -40%..+60% per transaction
 * in the mixed economy (so a chain's hops do not share one feerate). */
static uint64_t thief_fr(const gen_world *w, gen_heist_rt *rt)
{
    uint64_t fr = rt->h->fee_rate;
    if (!w->mixed)
        return fr;
    fr = fr * (60 + gen_below(&rt->rng, 101)) / 100;
    return fr ? fr : 1;
}

static uint32_t hours_to_blocks(double h)
{
    return (uint32_t)(h * 6.0 + 0.5);
}

uint32_t gen_heists_plan_blocks(const cw_gen_scenario *sc)
{
    uint64_t best = 0;
    for (size_t i = 0; i < sc->n_heists; i++) {
        const cw_gen_heist *h = &sc->heists[i];
        uint64_t b = 1 + (uint64_t)(h->at_day * 144.0);
        for (size_t j = 0; j < h->n_steps; j++) {
            const cw_gen_step *s = &h->steps[j];
            b += hours_to_blocks(s->delay_hours) + 1;
            switch (s->kind) {
            case CW_GEN_STEP_PEEL_CHAIN:
                b += (uint64_t)s->hops_max * (hours_to_blocks(s->interval_max_h) + 1);
                break;
            case CW_GEN_STEP_WASABI:
            case CW_GEN_STEP_WASABI1:
            case CW_GEN_STEP_JOINMARKET:
                b += (uint64_t)s->rounds * 37 + 2;
                break;
            case CW_GEN_STEP_WHIRLPOOL:
                b += 2 + s->max_coins / 3 + (uint64_t)s->rounds * 13 + 30;
                break;
            case CW_GEN_STEP_CASH_OUT:
                b += (uint64_t)(s->over_days * 144.0) + 12;
                break;
            case CW_GEN_STEP_WAIT:
                b += hours_to_blocks(s->hours);
                break;
            default:
                break;
            }
        }
        b += 144;
        if (b > best)
            best = b;
    }
    return best > 100000000 ? 100000000 : (uint32_t)best;
}

int gen_heists_init(gen_world *w)
{
    w->n_heists = w->sc->n_heists;
    if (!w->n_heists)
        return 0;
    w->heists = cw_calloc(w->n_heists, sizeof *w->heists);
    if (!w->heists)
        return CW_ENOMEM;
    for (size_t i = 0; i < w->n_heists; i++) {
        gen_heist_rt *rt = &w->heists[i];
        rt->h = &w->sc->heists[i];
        rt->idx = (uint32_t)i;
        rt->thief = w->first_thief + (uint32_t)i;
        for (uint32_t x = 0; x < w->n_exchanges; x++)
            if (!strcmp(w->sc->exchanges[x], rt->h->victim))
                rt->victim = x;
        gen_rng_seed(&rt->rng, w->opts->seed, 1000 + i);
        rt->step = -1;
        rt->theft_at = 1 + (uint32_t)(rt->h->at_day * 144.0);
        rt->acct = cw_calloc((size_t)w->n_exchanges * 3, sizeof *rt->acct);
        if (!rt->acct)
            return CW_ENOMEM;
    }
    return 0;
}

void gen_heists_free(gen_world *w)
{
    for (size_t i = 0; w->heists && i < w->n_heists; i++) {
        gen_heist_rt *rt = &w->heists[i];
        cw_free(rt->jobs);
        cw_free(rt->lanes);
        cw_free(rt->txs);
        cw_free(rt->deps);
        cw_free(rt->acct);
        gen_coinvec_free(&rt->victim_in);
        gen_coinvec_free(&rt->stolen);
        gen_coinvec_free(&rt->tmp);
        gen_coinvec_free(&rt->work);
    }
    cw_free(w->heists);
    w->heists = NULL;
}

bool gen_heists_done(const gen_world *w)
{
    for (size_t i = 0; i < w->n_heists; i++)
        if (!w->heists[i].done)
            return false;
    return true;
}

static int add_job(gen_heist_rt *rt, uint32_t height, uint32_t kind, uint32_t lane)
{
    if (rt->n_jobs == rt->cap_jobs) {
        uint32_t cap = rt->cap_jobs ? rt->cap_jobs * 2 : 32;
        gen_job *j = cw_realloc(rt->jobs, (size_t)cap * sizeof *j);
        if (!j)
            return CW_ENOMEM;
        rt->jobs = j;
        rt->cap_jobs = cap;
    }
    rt->jobs[rt->n_jobs++] = (gen_job){height, kind, lane, rt->seq++, 0};
    return 0;
}

static int add_lane(gen_heist_rt *rt, const gen_coin *c, uint32_t left)
{
    if (rt->n_lanes == rt->cap_lanes) {
        uint32_t cap = rt->cap_lanes ? rt->cap_lanes * 2 : 16;
        gen_lane *l = cw_realloc(rt->lanes, (size_t)cap * sizeof *l);
        if (!l)
            return CW_ENOMEM;
        rt->lanes = l;
        rt->cap_lanes = cap;
    }
    rt->lanes[rt->n_lanes++] = (gen_lane){*c, left, 0, 0};
    return 0;
}

static uint32_t new_ttx(gen_heist_rt *rt)
{
    if (rt->n_txs == rt->cap_txs) {
        uint32_t cap = rt->cap_txs ? rt->cap_txs * 2 : 64;
        gen_ttx *t = cw_realloc(rt->txs, (size_t)cap * sizeof *t);
        if (!t)
            return GEN_NO_TAG;
        rt->txs = t;
        rt->cap_txs = cap;
    }
    memset(&rt->txs[rt->n_txs], 0, sizeof rt->txs[0]);
    rt->txs[rt->n_txs].parent = GEN_NO_TAG;
    return rt->n_txs++;
}

static int add_dep(gen_heist_rt *rt, const gen_dep *d)
{
    if (rt->n_deps == rt->cap_deps) {
        uint32_t cap = rt->cap_deps ? rt->cap_deps * 2 : 64;
        gen_dep *n = cw_realloc(rt->deps, (size_t)cap * sizeof *n);
        if (!n)
            return CW_ENOMEM;
        rt->deps = n;
        rt->cap_deps = cap;
    }
    rt->deps[rt->n_deps++] = *d;
    return 0;
}

static bool is_exchange(const gen_world *w, uint32_t ent)
{
    return ent >= w->first_exchange && ent < w->first_exchange + w->n_exchanges;
}

static int write_ttx(gen_world *w, gen_heist_rt *rt, const gen_ttx *t)
{
    char hx[65], px[65] = "";
    cw_hex_encode_rev(hx, t->txid, 32);
    if (t->parent != GEN_NO_TAG)
        cw_hex_encode_rev(px, rt->txs[t->parent].txid, 32);
    if (fprintf(w->f_ttx, "%s,%s,%u,%s,%s,%llu,%llu,%llu,%llu,%llu\n", rt->h->name, hx, t->height,
                t->kind, px, (unsigned long long)t->in, (unsigned long long)t->out_thief,
                (unsigned long long)t->deposit, (unsigned long long)t->fee,
                (unsigned long long)t->coord) < 0)
        return cw_error_set(CW_EIO, "%s/thief_txs.csv: write failed", w->truth_dir);
    return 0;
}

/* Records thief tx `ti` just emitted with dests d (vout = index) and inputs worth `in`. */
static int record(gen_world *w, gen_heist_rt *rt, uint32_t ti, const uint8_t txid[32],
                  const char *kind, uint32_t parent, uint64_t in, const gen_dest *d, uint32_t n)
{
    gen_ttx *t = &rt->txs[ti];
    memcpy(t->txid, txid, 32);
    t->height = w->height;
    t->kind = kind;
    t->parent = parent;
    t->in = in;
    bool theft = !strcmp(kind, "theft");
    uint64_t out = 0;
    for (uint32_t i = 0; i < n; i++) {
        out += d[i].value;
        if (d[i].owner == rt->thief) {
            t->out_thief += d[i].value;
        } else if (theft) {
            continue; /* the victim's change */
        } else if (is_exchange(w, d[i].owner)) {
            t->deposit += d[i].value;
            gen_dep dep = {{0}, i,          d[i].addr, d[i].owner - w->first_exchange,
                           ti,  d[i].value, d[i].type};
            memcpy(dep.txid, txid, 32);
            int rc = add_dep(rt, &dep);
            if (rc)
                return rc;
        } else {
            t->coord += d[i].value;
        }
    }
    if (!theft) {
        t->fee = in - out;
        rt->fee_mining += t->fee;
        rt->fee_coord += t->coord;
    }
    return write_ttx(w, rt, t);
}

static void shuffle_dests(gen_heist_rt *rt, gen_dest *d, uint32_t n)
{
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = (uint32_t)gen_below(&rt->rng, i);
        gen_dest t = d[i - 1];
        d[i - 1] = d[j];
        d[j] = t;
    }
}

static uint64_t ins_vsize(const gen_coin *c, uint32_t n)
{
    uint64_t v = 11;
    for (uint32_t i = 0; i < n; i++)
        v += gen_input_vsize(c[i].type);
    return v;
}

static int thief_dest(gen_world *w, gen_heist_rt *rt, gen_dest *d, uint64_t value,
                      gen_coinvec *keep, uint32_t tag)
{
    uint8_t type = gen_chance(&rt->rng, 0.8) ? CW_SCRIPT_P2WPKH : CW_SCRIPT_P2TR;
    uint32_t a = gen_addr_new(w, rt->thief, GEN_CAT_THIEF, type, UINT32_MAX);
    if (!a)
        return CW_EIO;
    *d = (gen_dest){value, a, rt->thief, type, keep, tag};
    return 0;
}

static int deposit_dest(gen_world *w, gen_heist_rt *rt, const cw_gen_step *s, gen_dest *d,
                        uint64_t value)
{
    uint32_t x;
    if (s->n_to) {
        const char *name = s->to[gen_below(&rt->rng, s->n_to)];
        for (x = 0; x < w->n_exchanges; x++)
            if (!strcmp(w->sc->exchanges[x], name))
                break;
    } else {
        x = (uint32_t)gen_below(&rt->rng, w->n_exchanges);
        if (x == rt->victim)
            x = (x + 1) % w->n_exchanges;
    }
    uint32_t slot = x * 3 + (uint32_t)gen_below(&rt->rng, 3);
    gen_exchange *ex = &w->ex[x];
    uint8_t type = w->ents[ex->ent].pref_type;
    if (!rt->acct[slot]) {
        rt->acct[slot] = gen_addr_new(w, ex->ent, GEN_CAT_EXCHANGE_DEPOSIT, type, rt->thief);
        if (!rt->acct[slot])
            return CW_EIO;
    }
    *d = (gen_dest){value, rt->acct[slot], ex->ent, type, &ex->deposits, GEN_NO_TAG};
    return 0;
}

static int step_error(const gen_heist_rt *rt, const cw_gen_step *s, const char *what, uint64_t have)
{
    return cw_error_set(CW_EINVAL, "scenario: %s: %s (the thief holds %llu sat at height then)",
                        s ? s->where : rt->h->name, what, (unsigned long long)have);
}

/* ---------------------------------------------------------------- the theft */

static int do_theft(gen_world *w, gen_heist_rt *rt)
{
    gen_entity *v = &w->ents[w->ex[rt->victim].ent];
    uint64_t fr = rt->h->fee_rate;
    uint32_t k = rt->h->theft_outputs;
    /* largest hot-wallet coins first */
    w->scratch.n = 0;
    uint64_t sum = 0, need = 0;
    while (v->coins.n > 0 && w->scratch.n < 400) {
        uint32_t best = 0;
        for (uint32_t i = 1; i < v->coins.n; i++)
            if (v->coins.v[i].value > v->coins.v[best].value)
                best = i;
        gen_coin c = gen_coinvec_take(&v->coins, best);
        gen_coinvec_push(&w->scratch, &c);
        sum += c.value;
        need = rt->h->amount_sat + fr * (ins_vsize(w->scratch.v, w->scratch.n) + 43ULL * (k + 1));
        if (sum >= need + GEN_DUST)
            break;
    }
    if (sum < need + GEN_DUST) {
        for (uint32_t i = 0; i < w->scratch.n; i++)
            gen_coinvec_push(&v->coins, &w->scratch.v[i]);
        w->scratch.n = 0;
        return 1; /* not yet: try again next block */
    }
    uint32_t ti = new_ttx(rt);
    if (ti == GEN_NO_TAG || gen_dests_reserve(w, k + 2) != 0)
        return CW_ENOMEM;
    gen_dest d[102];
    uint64_t each = rt->h->amount_sat / k;
    for (uint32_t i = 0; i < k; i++) {
        uint64_t val = i + 1 == k ? rt->h->amount_sat - each * (k - 1) : each;
        int rc = thief_dest(w, rt, &d[i], val, &w->ents[rt->thief].coins, ti);
        if (rc)
            return rc;
    }
    for (uint32_t i = 0; i < w->scratch.n; i++)
        gen_coinvec_push(&rt->victim_in, &w->scratch.v[i]);
    uint8_t txid[32];
    uint32_t cv;
    int rc = gen_send(w, w->scratch.v, w->scratch.n, d, k, w->ex[rt->victim].ent, fr, NULL, &cv,
                      txid, GEN_NO_TAG);
    if (rc != 0)
        return rc < 0 ? rc : cw_error_set(CW_EINVAL, "internal: theft could not be paid");
    w->scratch.n = 0;
    /* the dests were permuted with the change: record with their final positions */
    uint32_t n = k + (cv != UINT32_MAX);
    if ((rc = record(w, rt, ti, txid, "theft", GEN_NO_TAG, 0, d, n)) != 0)
        return rc;
    gen_coinvec *tc = &w->ents[rt->thief].coins;
    for (uint32_t i = 0; i < tc->n; i++)
        gen_coinvec_push(&rt->stolen, &tc->v[i]);
    return 0;
}

/* ---------------------------------------------------------------- step jobs */

/* Takes all thief coins into rt->work. */
static void take_all(gen_world *w, gen_heist_rt *rt)
{
    gen_coinvec *tc = &w->ents[rt->thief].coins;
    rt->work.n = 0;
    for (uint32_t i = 0; i < tc->n; i++)
        gen_coinvec_push(&rt->work, &tc->v[i]);
    tc->n = 0;
}

static void give_back(gen_world *w, gen_heist_rt *rt, uint32_t from)
{
    for (uint32_t i = from; i < rt->work.n; i++)
        gen_coinvec_push(&w->ents[rt->thief].coins, &rt->work.v[i]);
    rt->work.n = from;
}

static int job_fanout(gen_world *w, gen_heist_rt *rt, const cw_gen_step *s)
{
    take_all(w, rt);
    uint64_t fr = thief_fr(w, rt);
    uint32_t n_all = rt->work.n;
    uint32_t chunks = (n_all + 399) / 400;
    if (chunks == 0)
        return 0;
    if (s->n_split && chunks > 1) {
        give_back(w, rt, 0);
        return step_error(rt, s,
                          "split_sat needs the thief's coins in one transaction (at most "
                          "400 coins)",
                          gen_coinvec_sum(&w->ents[rt->thief].coins));
    }
    gen_coin *all = cw_malloc((size_t)n_all * sizeof *all);
    if (!all)
        return CW_ENOMEM;
    memcpy(all, rt->work.v, (size_t)n_all * sizeof *all);
    rt->work.n = 0;
    int rc = 0;
    gen_dest *d = cw_malloc(((size_t)s->outputs + 2) * sizeof *d);
    if (!d) {
        cw_free(all);
        return CW_ENOMEM;
    }
    for (uint32_t c = 0; c < chunks && rc == 0; c++) {
        uint32_t from = c * 400, n = n_all - from < 400 ? n_all - from : 400;
        const gen_coin *ins = all + from;
        uint64_t in = 0;
        for (uint32_t i = 0; i < n; i++)
            in += ins[i].value;
        uint32_t outs = s->outputs + (s->n_split ? 1 : 0);
        uint64_t fee = fr * (ins_vsize(ins, n) + 43ULL * outs);
        uint32_t ti = new_ttx(rt);
        if (ti == GEN_NO_TAG) {
            rc = CW_ENOMEM;
            break;
        }
        gen_coinvec *keep = &w->ents[rt->thief].coins;
        uint32_t nd = 0;
        if (s->n_split) {
            uint64_t sum = 0;
            for (size_t i = 0; i < s->n_split; i++)
                sum += s->split_sat[i];
            if (in < fee + sum) {
                rc = cw_error_set(CW_EINVAL,
                                  "scenario: %s.split_sat: the split sums to %llu sat but the "
                                  "thief holds %llu sat (%llu after the fee): the split cannot "
                                  "be paid",
                                  s->where, (unsigned long long)sum, (unsigned long long)in,
                                  (unsigned long long)(in > fee ? in - fee : 0));
                break;
            }
            for (size_t i = 0; i < s->n_split && rc == 0; i++)
                rc = thief_dest(w, rt, &d[nd++], s->split_sat[i], keep, ti);
            uint64_t left = in - fee - sum;
            if (rc == 0 && left >= GEN_DUST)
                rc = thief_dest(w, rt, &d[nd++], left, keep, ti);
        } else {
            if (in < fee + (uint64_t)s->outputs * 10000) {
                rc = step_error(rt, s, "outputs: too many outputs for the coins at hand", in);
                break;
            }
            uint64_t avail = in - fee, wsum = 0, wts[1000];
            for (uint32_t i = 0; i < s->outputs; i++) {
                wts[i] = 75 + gen_below(&rt->rng, 51);
                wsum += wts[i];
            }
            uint64_t placed = 0;
            for (uint32_t i = 0; i < s->outputs && rc == 0; i++) {
                uint64_t v =
                    i + 1 == s->outputs
                        ? avail - placed
                        : (uint64_t)((__extension__(unsigned __int128) avail * wts[i]) / wsum);
                placed += v;
                rc = thief_dest(w, rt, &d[nd++], v, keep, ti);
            }
        }
        if (rc)
            break;
        shuffle_dests(rt, d, nd);
        uint8_t txid[32];
        if ((rc = gen_send_exact(w, ins, n, d, nd, txid)) != 0)
            break;
        rc = record(w, rt, ti, txid, "fan_out", ins[0].tag, in, d, nd);
    }
    cw_free(d);
    cw_free(all);
    return rc;
}

static int job_peel(gen_world *w, gen_heist_rt *rt, const cw_gen_step *s, uint32_t lane)
{
    gen_lane *l = &rt->lanes[lane];
    uint64_t fr = thief_fr(w, rt);
    uint64_t v = l->coin.value;
    uint64_t fee = fr * (ins_vsize(&l->coin, 1) + 2ULL * 43);
    double f = s->peel_min + (s->peel_max - s->peel_min) * gen_unit(&rt->rng);
    uint64_t peel = (uint64_t)((double)v * f);
    if (peel < 10000 || v < peel + fee + 10000) {
        l->left = 0; /* the chain ends: nothing left worth peeling */
        return 0;
    }
    uint32_t ti = new_ttx(rt);
    if (ti == GEN_NO_TAG)
        return CW_ENOMEM;
    gen_dest d[2];
    rt->tmp.n = 0;
    int rc = deposit_dest(w, rt, s, &d[0], peel);
    if (rc == 0)
        rc = thief_dest(w, rt, &d[1], v - peel - fee, &rt->tmp, ti);
    if (rc)
        return rc;
    shuffle_dests(rt, d, 2);
    uint8_t txid[32];
    gen_coin in = l->coin;
    if ((rc = gen_send_exact(w, &in, 1, d, 2, txid)) != 0)
        return rc;
    if ((rc = record(w, rt, ti, txid, "peel_chain", in.tag, v, d, 2)) != 0)
        return rc;
    l = &rt->lanes[lane];
    l->coin = rt->tmp.v[0];
    l->hop++;
    l->left--;
    /* peel_chains.csv */
    const gen_dest *dep = d[0].owner == rt->thief ? &d[1] : &d[0];
    if ((rc = gen_truth_peel(w, rt->h->name, l->chain, l->hop, txid,
                             (uint32_t)(dep == &d[0] ? 0 : 1), peel, dep->addr, dep->type,
                             w->sc->exchanges[dep->owner - w->first_exchange], l->coin.vout,
                             l->coin.value)) != 0)
        return rc;
    if (l->left > 0) {
        uint32_t lo = hours_to_blocks(s->interval_min_h), hi = hours_to_blocks(s->interval_max_h);
        uint32_t gap = lo + (uint32_t)gen_below(&rt->rng, hi - lo + 1);
        return add_job(rt, w->height + (gap ? gap : 1), J_PEEL, lane);
    }
    return 0;
}

/* Returns 1 when the round lacked honest peers (retry later). */
static int job_wasabi(gen_world *w, gen_heist_rt *rt, const cw_gen_step *s, uint32_t round)
{
    take_all(w, rt);
    uint32_t n_all = rt->work.n;
    if (n_all == 0)
        return 0;
    gen_coin *all = cw_malloc((size_t)n_all * sizeof *all);
    if (!all)
        return CW_ENOMEM;
    memcpy(all, rt->work.v, (size_t)n_all * sizeof *all);
    rt->work.n = 0;
    int rc = 0;
    uint32_t done = 0;
    uint32_t per_tx = s->kind == CW_GEN_STEP_JOINMARKET ? 4 : 100;
    while (done < n_all) {
        uint32_t n = n_all - done < per_tx ? n_all - done : per_tx;
        uint32_t ti = new_ttx(rt);
        if (ti == GEN_NO_TAG) {
            rc = CW_ENOMEM;
            break;
        }
        uint64_t in = 0, xout = 0, xcoord = 0;
        for (uint32_t i = 0; i < n; i++)
            in += all[done + i].value;
        uint8_t txid[32];
        uint32_t nin, nout;
        const char *kind = "coinjoin_wasabi";
        if (s->kind == CW_GEN_STEP_WASABI1) {
            kind = "coinjoin_wasabi1";
            rc = gen_wasabi1_round(w, all + done, n, rt->thief, &w->ents[rt->thief].coins, ti,
                                   rt->h->name, &xout, &xcoord, txid, &nin, &nout);
        } else if (s->kind == CW_GEN_STEP_JOINMARKET) {
            kind = "coinjoin_joinmarket";
            rc = gen_joinmarket_round(w, all + done, n, rt->thief, &w->ents[rt->thief].coins, ti,
                                      rt->h->name, &xout, &xcoord, txid, &nin, &nout);
        } else {
            rc = gen_wasabi_round(w, all + done, n, rt->thief, &w->ents[rt->thief].coins, ti,
                                  s->coordinator_fee, rt->h->name, &xout, &xcoord, txid, &nin,
                                  &nout);
        }
        if (rc != 0) {
            rt->n_txs--; /* unused record */
            break;
        }
        gen_ttx *t = &rt->txs[ti];
        memcpy(t->txid, txid, 32);
        t->height = w->height;
        t->kind = kind;
        t->parent = all[done].tag;
        t->in = in;
        t->out_thief = xout;
        t->coord = xcoord;
        t->fee = in - xout - xcoord;
        rt->fee_mining += t->fee;
        rt->fee_coord += xcoord;
        if ((rc = write_ttx(w, rt, t)) != 0)
            break;
        done += n;
    }
    for (uint32_t i = done; i < n_all; i++)
        gen_coinvec_push(&w->ents[rt->thief].coins, &all[i]);
    cw_free(all);
    if (rc == 1)
        return 1;
    if (rc == 0 && round + 1 < s->rounds)
        rc = add_job(rt, w->height + 6 + (uint32_t)gen_below(&rt->rng, 31), J_WASABI, round + 1);
    return rc;
}

static int job_tx0(gen_world *w, gen_heist_rt *rt, const cw_gen_step *s)
{
    int p = gen_pool_index(s->pool_sat);
    rt->pool = p;
    const gen_pool *pool = &w->pools[p];
    uint64_t unit = pool->denom + pool->premix_extra;
    if (w->mixed) /* the premix fee slack follows the fee market */
        unit = pool->denom + pool->premix_extra * (50 + gen_below(&rt->rng, 151)) / 100;
    uint64_t coord_fee = pool->denom * 35 / 1000;
    uint64_t fr = thief_fr(w, rt);
    /* largest coins first until max_coins premixes are covered */
    gen_coinvec *tc = &w->ents[rt->thief].coins;
    rt->work.n = 0;
    uint64_t sum = 0;
    uint64_t held = gen_coinvec_sum(tc);
    while (tc->n > 0 && rt->work.n < 300) {
        uint32_t best = 0;
        for (uint32_t i = 1; i < tc->n; i++)
            if (tc->v[i].value > tc->v[best].value)
                best = i;
        gen_coin c = gen_coinvec_take(tc, best);
        gen_coinvec_push(&rt->work, &c);
        sum += c.value;
        if (sum >= unit * s->max_coins + coord_fee +
                       fr * (ins_vsize(rt->work.v, rt->work.n) + 43ULL * (s->max_coins + 2)))
            break;
    }
    uint64_t fee_base = fr * (ins_vsize(rt->work.v, rt->work.n) + 43ULL * 2);
    uint64_t k = sum > coord_fee + fee_base ? (sum - coord_fee - fee_base) / (unit + 43 * fr) : 0;
    if (k > s->max_coins)
        k = s->max_coins;
    if (k == 0) {
        give_back(w, rt, 0);
        return step_error(rt, s, "pool_sat: the thief cannot pay a single premix of this pool",
                          held);
    }
    uint64_t fee = fr * (ins_vsize(rt->work.v, rt->work.n) + 43ULL * (k + 2));
    uint32_t ti = new_ttx(rt);
    gen_dest *d = cw_malloc((size_t)(k + 4) * sizeof *d);
    if (ti == GEN_NO_TAG || !d) {
        cw_free(d);
        return CW_ENOMEM;
    }
    rt->tmp.n = 0;
    int rc = 0;
    uint32_t nd = 0;
    for (uint64_t i = 0; i < k && rc == 0; i++) {
        uint32_t a = gen_addr_new(w, rt->thief, GEN_CAT_THIEF, CW_SCRIPT_P2WPKH, UINT32_MAX);
        if (!a)
            rc = CW_EIO;
        d[nd++] = (gen_dest){unit, a, rt->thief, CW_SCRIPT_P2WPKH, &rt->tmp, ti};
    }
    uint8_t ct;
    uint32_t ca = rc == 0 ? gen_addr_recv(w, w->whirlpool_coord, &ct) : 0;
    if (rc == 0 && !ca)
        rc = CW_EIO;
    if (rc == 0) {
        d[nd++] = (gen_dest){
            coord_fee, ca, w->whirlpool_coord, ct, &w->ents[w->whirlpool_coord].coins, GEN_NO_TAG};
        uint64_t change = sum - k * unit - coord_fee - fee;
        if (w->mixed && change >= 4 * GEN_DUST && gen_chance(&rt->rng, 0.3)) {
            /* the change split in two */
            uint64_t c1 = change * (25 + gen_below(&rt->rng, 51)) / 100;
            rc = thief_dest(w, rt, &d[nd++], c1, tc, ti);
            if (rc == 0)
                rc = thief_dest(w, rt, &d[nd++], change - c1, tc, ti);
        } else if (change >= GEN_DUST) {
            rc = thief_dest(w, rt, &d[nd++], change, tc, ti); /* the "doxxic change" */
        }
        if (rc == 0 && w->mixed) {
            gen_dest_op_return(&d[nd++], (uint32_t)gen_next(&rt->rng));
            shuffle_dests(rt, d, nd);
        }
    }
    uint8_t txid[32];
    if (rc == 0)
        rc = gen_send_exact(w, rt->work.v, rt->work.n, d, nd, txid);
    if (rc == 0)
        rc = record(w, rt, ti, txid, "whirlpool_tx0", rt->work.v[0].tag, sum, d, nd);
    if (rc == 0)
        rc = gen_truth_tx0(w, txid, pool->denom, rt->thief, rt->work.n, (uint32_t)k, nd,
                           rt->h->name);
    cw_free(d);
    rt->work.n = 0;
    for (uint32_t i = 0; rc == 0 && i < rt->tmp.n; i++) {
        rc = add_lane(rt, &rt->tmp.v[i], s->rounds);
        if (rc == 0)
            rc = add_job(rt, w->height + 1 + i / 3, J_MIX, rt->n_lanes - 1);
    }
    rt->tmp.n = 0;
    return rc;
}

/* Returns 1 when the pool lacked honest liquidity (retry later). */
static int job_mix(gen_world *w, gen_heist_rt *rt, const cw_gen_step *s, uint32_t lane)
{
    int p = rt->pool;
    uint32_t ti = new_ttx(rt);
    if (ti == GEN_NO_TAG)
        return CW_ENOMEM;
    gen_coin in = rt->lanes[lane].coin, res;
    uint8_t txid[32];
    int rc = gen_whirlpool_mix(w, p, &in, rt->thief, ti, rt->h->name, &res, txid);
    for (int t = 0; rc == 1 && t < 4; t++) {
        int r2 = gen_whirlpool_honest_tx0(w, p);
        if (r2 < 0) {
            rc = r2;
            break;
        }
        if (r2 == 0)
            rc = gen_whirlpool_mix(w, p, &in, rt->thief, ti, rt->h->name, &res, txid);
    }
    if (rc != 0) {
        rt->n_txs--;
        return rc;
    }
    gen_ttx *t = &rt->txs[ti];
    memcpy(t->txid, txid, 32);
    t->height = w->height;
    t->kind = "coinjoin_whirlpool";
    t->parent = in.tag;
    t->in = in.value;
    t->out_thief = res.value;
    t->fee = in.value - res.value;
    rt->fee_mining += t->fee;
    if ((rc = write_ttx(w, rt, t)) != 0)
        return rc;
    gen_lane *l = &rt->lanes[lane];
    l->coin = res;
    l->left--;
    if (l->left > 0)
        return add_job(rt, w->height + 1 + (uint32_t)gen_below(&rt->rng, 12), J_MIX, lane);
    (void)s;
    return 0;
}

static int job_consolidate(gen_world *w, gen_heist_rt *rt, const cw_gen_step *s)
{
    take_all(w, rt);
    uint32_t n_all = rt->work.n;
    if (n_all == 0)
        return 0;
    /* shuffle, then cut into `into` groups (each at most 400 inputs) */
    for (uint32_t i = n_all; i > 1; i--) {
        uint32_t j = (uint32_t)gen_below(&rt->rng, i);
        gen_coin t = rt->work.v[i - 1];
        rt->work.v[i - 1] = rt->work.v[j];
        rt->work.v[j] = t;
    }
    gen_coin *all = cw_malloc((size_t)n_all * sizeof *all);
    if (!all)
        return CW_ENOMEM;
    memcpy(all, rt->work.v, (size_t)n_all * sizeof *all);
    rt->work.n = 0;
    uint32_t groups = s->into < n_all ? s->into : n_all;
    int rc = 0;
    uint32_t pos = 0;
    for (uint32_t g = 0; g < groups && rc == 0; g++) {
        uint32_t size = n_all / groups + (g < n_all % groups);
        while (size > 0 && rc == 0) {
            uint32_t n = size < 400 ? size : 400;
            const gen_coin *ins = all + pos;
            uint64_t in = 0;
            for (uint32_t i = 0; i < n; i++)
                in += ins[i].value;
            uint64_t fee = thief_fr(w, rt) * (ins_vsize(ins, n) + 43);
            if (in < fee + GEN_DUST) {
                for (uint32_t i = 0; i < n; i++)
                    gen_coinvec_push(&w->ents[rt->thief].coins, &ins[i]);
            } else {
                uint32_t ti = new_ttx(rt);
                if (ti == GEN_NO_TAG) {
                    rc = CW_ENOMEM;
                    break;
                }
                gen_dest d;
                uint8_t txid[32];
                rc = thief_dest(w, rt, &d, in - fee, &w->ents[rt->thief].coins, ti);
                if (rc == 0)
                    rc = gen_send_exact(w, ins, n, &d, 1, txid);
                if (rc == 0)
                    rc = record(w, rt, ti, txid, "consolidate", ins[0].tag, in, &d, 1);
            }
            pos += n;
            size -= n;
        }
    }
    for (uint32_t i = pos; i < n_all; i++)
        gen_coinvec_push(&w->ents[rt->thief].coins, &all[i]);
    cw_free(all);
    return rc;
}

static int job_cashout(gen_world *w, gen_heist_rt *rt, const cw_gen_step *s)
{
    gen_coinvec *tc = &w->ents[rt->thief].coins;
    uint32_t left = rt->cash_jobs_left--;
    if (rt->cash_left == 0 || tc->n == 0)
        return 0;
    uint64_t amount =
        left <= 1
            ? rt->cash_left
            : (uint64_t)((double)rt->cash_left / (double)left * (0.7 + 0.6 * gen_unit(&rt->rng)));
    if (amount > rt->cash_left)
        amount = rt->cash_left;
    uint64_t fr = thief_fr(w, rt);
    rt->work.n = 0;
    uint64_t sum = 0, fee = 0;
    while (tc->n > 0 && rt->work.n < 400) {
        uint32_t best = 0;
        for (uint32_t i = 1; i < tc->n; i++)
            if (tc->v[i].value > tc->v[best].value)
                best = i;
        gen_coin c = gen_coinvec_take(tc, best);
        gen_coinvec_push(&rt->work, &c);
        sum += c.value;
        fee = fr * (ins_vsize(rt->work.v, rt->work.n) + 2ULL * 43);
        if (sum >= amount + fee)
            break;
    }
    if (sum < amount + fee) {
        if (sum < fee + 10000) {
            give_back(w, rt, 0);
            return 0;
        }
        amount = sum - fee; /* cash out what is left */
    }
    uint64_t change = sum - amount - fee;
    if (change < GEN_DUST) {
        amount += change; /* the deposit takes the crumbs; the fee stays exact */
        change = 0;
    }
    uint32_t ti = new_ttx(rt);
    if (ti == GEN_NO_TAG)
        return CW_ENOMEM;
    gen_dest d[2];
    uint32_t nd = 0;
    int rc = deposit_dest(w, rt, s, &d[nd++], amount);
    if (rc == 0 && change)
        rc = thief_dest(w, rt, &d[nd++], change, tc, ti);
    if (rc)
        return rc;
    shuffle_dests(rt, d, nd);
    uint8_t txid[32];
    if ((rc = gen_send_exact(w, rt->work.v, rt->work.n, d, nd, txid)) != 0)
        return rc;
    rc = record(w, rt, ti, txid, "cash_out", rt->work.v[0].tag, sum, d, nd);
    rt->work.n = 0;
    rt->cash_left = amount >= rt->cash_left ? 0 : rt->cash_left - amount;
    return rc;
}

/* postmix_spend: the thief's Whirlpool post-mix coins (the pool of the last whirlpool step,
 * value = its denomination) are spent the ways real thieves spend them, each coin (or group)
 * by a draw: merged with the thief's largest unmixed coin into a deposit and change (30 %),
 * two or three of them together into one deposit (25 %), one alone into a deposit (20 %), as
 * the start of a peel chain to the step's exchanges (15 %), or left unspent (10 %). */
static int job_postmix(gen_world *w, gen_heist_rt *rt, const cw_gen_step *s)
{
    bool mixed = false;
    for (size_t i = 0; i < (size_t)rt->step && i < rt->h->n_steps; i++)
        mixed |= rt->h->steps[i].kind == CW_GEN_STEP_WHIRLPOOL;
    if (!mixed)
        return step_error(rt, s, "postmix_spend: no whirlpool step before it", 0);
    uint64_t denom = w->pools[rt->pool].denom;
    gen_coinvec *tc = &w->ents[rt->thief].coins;
    rt->work.n = 0;
    for (uint32_t i = tc->n; i-- > 0;)
        if (tc->v[i].value == denom) {
            gen_coin c = gen_coinvec_take(tc, i);
            int rc = gen_coinvec_push(&rt->work, &c);
            if (rc)
                return rc;
        }
    for (uint32_t i = rt->work.n; i > 1; i--) {
        uint32_t j = (uint32_t)gen_below(&rt->rng, i);
        gen_coin t = rt->work.v[i - 1];
        rt->work.v[i - 1] = rt->work.v[j];
        rt->work.v[j] = t;
    }
    uint64_t fr = thief_fr(w, rt);
    int rc = 0;
    uint32_t pos = 0;
    while (pos < rt->work.n && rc == 0) {
        double r = gen_unit(&rt->rng);
        gen_coin ins[4];
        uint32_t n = 1;
        ins[0] = rt->work.v[pos++];
        if (r < 0.30) { /* with the largest unmixed coin: deposit + change */
            uint32_t best = UINT32_MAX;
            for (uint32_t i = 0; i < tc->n; i++)
                if (tc->v[i].value > 4 * denom &&
                    (best == UINT32_MAX || tc->v[i].value > tc->v[best].value))
                    best = i;
            if (best == UINT32_MAX) {
                r = 0.5; /* no unmixed coin left: spend it with another post-mix coin */
            } else {
                ins[n++] = gen_coinvec_take(tc, best);
                uint64_t in = ins[0].value + ins[1].value;
                uint64_t fee = fr * (ins_vsize(ins, n) + 2ULL * 43);
                uint64_t dep = ins[0].value +
                               (uint64_t)((double)ins[1].value * (0.02 + 0.1 * gen_unit(&rt->rng)));
                uint32_t ti = new_ttx(rt);
                if (ti == GEN_NO_TAG)
                    return CW_ENOMEM;
                gen_dest d[2];
                if ((rc = deposit_dest(w, rt, s, &d[0], dep)) == 0)
                    rc = thief_dest(w, rt, &d[1], in - dep - fee, tc, ti);
                if (rc)
                    break;
                shuffle_dests(rt, d, 2);
                uint8_t txid[32];
                if ((rc = gen_send_exact(w, ins, n, d, 2, txid)) == 0)
                    rc = record(w, rt, ti, txid, "postmix_merge", ins[0].tag, in, d, 2);
                continue;
            }
        }
        if (r < 0.55) { /* two or three together */
            uint32_t want = 2 + (uint32_t)gen_below(&rt->rng, 2);
            while (n < want && pos < rt->work.n)
                ins[n++] = rt->work.v[pos++];
        }
        if (r < 0.75) { /* one deposit */
            uint64_t in = 0;
            for (uint32_t i = 0; i < n; i++)
                in += ins[i].value;
            uint64_t fee = fr * (ins_vsize(ins, n) + 43ULL);
            uint32_t ti = new_ttx(rt);
            if (ti == GEN_NO_TAG)
                return CW_ENOMEM;
            gen_dest d;
            uint8_t txid[32];
            if ((rc = deposit_dest(w, rt, s, &d, in - fee)) == 0 &&
                (rc = gen_send_exact(w, ins, n, &d, 1, txid)) == 0)
                rc = record(w, rt, ti, txid, n > 1 ? "postmix_together" : "postmix_alone",
                            ins[0].tag, in, &d, 1);
        } else if (r < 0.90) { /* a peel chain */
            uint32_t hops = s->hops;
            if (s->hops_max > s->hops)
                hops += (uint32_t)gen_below(&rt->rng, s->hops_max - s->hops + 1);
            if ((rc = add_lane(rt, &ins[0], hops)) == 0) {
                rt->lanes[rt->n_lanes - 1].chain = rt->n_chains++;
                rc = add_job(rt, w->height + 1 + (uint32_t)gen_below(&rt->rng, 6), J_PEEL,
                             rt->n_lanes - 1);
            }
        } else { /* left unspent */
            rc = gen_coinvec_push(tc, &ins[0]);
        }
    }
    for (uint32_t i = pos; i < rt->work.n; i++)
        gen_coinvec_push(tc, &rt->work.v[i]);
    rt->work.n = 0;
    return rc;
}

/* ---------------------------------------------------------------- scheduling */

static int begin_step(gen_world *w, gen_heist_rt *rt, const cw_gen_step *s)
{
    uint32_t h = w->height;
    rt->n_lanes = 0;
    switch (s->kind) {
    case CW_GEN_STEP_FAN_OUT:
        return add_job(rt, h, J_FANOUT, 0);
    case CW_GEN_STEP_PEEL_CHAIN: {
        gen_coinvec *tc = &w->ents[rt->thief].coins;
        for (uint32_t i = 0; i < tc->n; i++) {
            uint32_t hops = s->hops;
            if (s->hops_max > s->hops)
                hops += (uint32_t)gen_below(&rt->rng, s->hops_max - s->hops + 1);
            int rc = add_lane(rt, &tc->v[i], hops);
            if (rc == 0) {
                rt->lanes[rt->n_lanes - 1].chain = rt->n_chains++;
                rc = add_job(rt, h + (uint32_t)gen_below(&rt->rng, 3), J_PEEL, i);
            }
            if (rc)
                return rc;
        }
        tc->n = 0;
        return 0;
    }
    case CW_GEN_STEP_WASABI:
    case CW_GEN_STEP_WASABI1:
    case CW_GEN_STEP_JOINMARKET:
        return add_job(rt, h, J_WASABI, 0);
    case CW_GEN_STEP_WHIRLPOOL:
        return add_job(rt, h, J_TX0, 0);
    case CW_GEN_STEP_CONSOLIDATE:
        return add_job(rt, h, J_CONSOLIDATE, 0);
    case CW_GEN_STEP_CASH_OUT: {
        uint64_t bal = gen_coinvec_sum(&w->ents[rt->thief].coins);
        rt->cash_left = (uint64_t)((double)bal * s->fraction);
        rt->cash_jobs_left = s->deposits;
        uint64_t span = (uint64_t)(s->over_days * 144.0);
        for (uint32_t i = 0; i < s->deposits; i++) {
            uint64_t at = span * i / s->deposits;
            uint64_t jitter = span / s->deposits / 2;
            int rc = add_job(rt, h + (uint32_t)at + (uint32_t)gen_below(&rt->rng, jitter + 1),
                             J_CASHOUT, i);
            if (rc)
                return rc;
        }
        return 0;
    }
    case CW_GEN_STEP_WAIT:
        return add_job(rt, h + hours_to_blocks(s->hours), J_WAIT, 0);
    case CW_GEN_STEP_POSTMIX:
        return add_job(rt, h, J_POSTMIX, 0);
    }
    return 0;
}

static int run_job(gen_world *w, gen_heist_rt *rt, const cw_gen_step *s, const gen_job *j)
{
    switch (j->kind) {
    case J_FANOUT:
        return job_fanout(w, rt, s);
    case J_PEEL:
        return job_peel(w, rt, s, j->lane);
    case J_WASABI:
        return job_wasabi(w, rt, s, j->lane);
    case J_TX0:
        return job_tx0(w, rt, s);
    case J_MIX:
        return job_mix(w, rt, s, j->lane);
    case J_CONSOLIDATE:
        return job_consolidate(w, rt, s);
    case J_CASHOUT:
        return job_cashout(w, rt, s);
    case J_POSTMIX:
        return job_postmix(w, rt, s);
    default:
        return 0;
    }
}

static int end_step(gen_world *w, gen_heist_rt *rt)
{
    for (uint32_t i = 0; i < rt->n_lanes; i++) {
        int rc = gen_coinvec_push(&w->ents[rt->thief].coins, &rt->lanes[i].coin);
        if (rc)
            return rc;
    }
    rt->n_lanes = 0;
    rt->step++;
    rt->started = false;
    if ((size_t)rt->step >= rt->h->n_steps) {
        rt->done = true;
        rt->done_height = w->height;
        return 0;
    }
    uint32_t delay = hours_to_blocks(rt->h->steps[rt->step].delay_hours);
    rt->step_start = w->height + (delay ? delay : 1);
    return 0;
}

static int heist_step(gen_world *w, gen_heist_rt *rt)
{
    uint32_t h = w->height;
    if (rt->done)
        return 0;
    if (rt->step < 0) {
        if (h < rt->theft_at)
            return 0;
        int rc = do_theft(w, rt);
        if (rc < 0)
            return rc;
        if (rc == 1)
            return 0;
        rt->step = 0;
        if (rt->h->n_steps == 0) {
            rt->done = true;
            rt->done_height = h;
            return 0;
        }
        uint32_t delay = hours_to_blocks(rt->h->steps[0].delay_hours);
        rt->step_start = h + (delay ? delay : 1);
        return 0;
    }
    const cw_gen_step *s = &rt->h->steps[rt->step];
    if (!rt->started) {
        if (h < rt->step_start)
            return 0;
        int rc = begin_step(w, rt, s);
        if (rc)
            return rc;
        rt->started = true;
    }
    /* run due jobs in (height, seq) order; jobs added now run from the next block on */
    for (;;) {
        uint32_t best = UINT32_MAX;
        for (uint32_t i = 0; i < rt->n_jobs; i++) {
            const gen_job *j = &rt->jobs[i];
            if (j->height > h)
                continue;
            if (best == UINT32_MAX || j->height < rt->jobs[best].height ||
                (j->height == rt->jobs[best].height && j->seq < rt->jobs[best].seq))
                best = i;
        }
        if (best == UINT32_MAX)
            break;
        gen_job j = rt->jobs[best];
        rt->jobs[best] = rt->jobs[--rt->n_jobs];
        int rc = run_job(w, rt, s, &j);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            /* no honest CoinJoin peers right now: retry next block */
            if (j.retries > 2000)
                return cw_error_set(CW_EINVAL,
                                    "scenario: %s: no honest CoinJoin liquidity for 2000 "
                                    "blocks; use a smaller pool or fewer coins",
                                    s->where);
            j.height = h + 1;
            j.retries++;
            if (rt->n_jobs == rt->cap_jobs && add_job(rt, 0, 0, 0) == 0)
                rt->n_jobs--;
            rt->jobs[rt->n_jobs++] = j;
        }
    }
    if (rt->n_jobs == 0)
        return end_step(w, rt);
    return 0;
}

int gen_heists_step(gen_world *w)
{
    for (size_t i = 0; i < w->n_heists; i++) {
        int rc = heist_step(w, &w->heists[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- ground truth */

static json_t *outpoint_json(gen_world *w, const uint8_t txid[32], uint32_t vout, uint64_t value,
                             uint32_t addr, uint8_t type)
{
    char op[80], a[CW_ADDR_STR_MAX];
    gen_outpoint_str(op, txid, vout);
    if (gen_addr_string(w, addr, type, a, sizeof a) != 0)
        return NULL;
    return json_pack("{s:s, s:I, s:s}", "outpoint", op, "value_sat", (json_int_t)value, "address",
                     a);
}

static json_t *txid_json(const uint8_t txid[32])
{
    char hx[65];
    cw_hex_encode_rev(hx, txid, 32);
    return json_string(hx);
}

static json_t *heist_json(gen_world *w, gen_heist_rt *rt)
{
    json_t *o = json_object();
    char name[64];
    gen_entity_name(w, rt->thief, name, sizeof name);
    json_object_set_new(o, "name", json_string(rt->h->name));
    json_object_set_new(o, "thief_entity", json_integer(rt->thief));
    json_object_set_new(o, "thief_name", json_string(name));
    json_object_set_new(o, "victim", json_string(rt->h->victim));
    json_object_set_new(o, "victim_entity", json_integer(w->ex[rt->victim].ent));
    json_object_set_new(o, "amount_sat", json_integer((json_int_t)rt->h->amount_sat));
    json_object_set_new(o, "finished", json_boolean(rt->done));
    json_object_set_new(o, "finished_height", json_integer(rt->done_height));
    if (rt->n_txs) {
        json_object_set_new(o, "theft_txid", txid_json(rt->txs[0].txid));
        json_object_set_new(o, "theft_height", json_integer(rt->txs[0].height));
    }
    json_t *vin = json_array();
    for (uint32_t i = 0; i < rt->victim_in.n; i++) {
        const gen_coin *c = &rt->victim_in.v[i];
        json_array_append_new(
            vin, outpoint_json(w, gen_coin_txid(w, c), c->vout, c->value, c->addr, c->type));
    }
    json_object_set_new(o, "victim_inputs", vin);
    json_t *st = json_array();
    uint64_t stolen = 0;
    for (uint32_t i = 0; i < rt->stolen.n; i++) {
        const gen_coin *c = &rt->stolen.v[i];
        stolen += c->value;
        json_array_append_new(
            st, outpoint_json(w, gen_coin_txid(w, c), c->vout, c->value, c->addr, c->type));
    }
    json_object_set_new(o, "stolen_outputs", st);
    /* deposits, with the path of thief txs from the theft */
    json_t *deps = json_array();
    json_t *by_addr = json_object();
    json_t *by_ex = json_object();
    uint64_t deposited = 0;
    for (uint32_t i = 0; i < rt->n_deps; i++) {
        const gen_dep *d = &rt->deps[i];
        deposited += d->value;
        json_t *dj = outpoint_json(w, d->txid, d->vout, d->value, d->addr, d->type);
        const char *exn = w->sc->exchanges[d->exchange];
        json_object_set_new(dj, "exchange", json_string(exn));
        json_object_set_new(dj, "exchange_entity", json_integer(w->ex[d->exchange].ent));
        json_object_set_new(dj, "txid", txid_json(d->txid));
        json_object_set_new(dj, "height", json_integer(rt->txs[d->ttx].height));
        json_object_set_new(dj, "step", json_string(rt->txs[d->ttx].kind));
        json_t *via = json_array();
        for (uint32_t t = d->ttx, guard = 0; t != GEN_NO_TAG && guard < 100000; guard++) {
            json_array_insert_new(via, 0, txid_json(rt->txs[t].txid));
            t = rt->txs[t].parent;
        }
        json_object_set_new(dj, "via", via);
        const char *addr = json_string_value(json_object_get(dj, "address"));
        json_t *ba = json_object_get(by_addr, addr);
        if (!ba) {
            ba = json_pack("{s:s, s:I, s:I, s:[]}", "exchange", exn, "value_sat", (json_int_t)0,
                           "deposits", (json_int_t)0, "txids");
            json_object_set_new(by_addr, addr, ba);
        }
        json_object_set_new(ba, "value_sat",
                            json_integer(json_integer_value(json_object_get(ba, "value_sat")) +
                                         (json_int_t)d->value));
        json_object_set_new(ba, "deposits",
                            json_integer(json_integer_value(json_object_get(ba, "deposits")) + 1));
        json_array_append_new(json_object_get(ba, "txids"), txid_json(d->txid));
        json_t *be = json_object_get(by_ex, exn);
        json_object_set_new(by_ex, exn,
                            json_integer((be ? json_integer_value(be) : 0) + (json_int_t)d->value));
        json_array_append_new(deps, dj);
    }
    json_object_set_new(o, "deposits", deps);
    json_object_set_new(o, "deposits_by_address", by_addr);
    json_object_set_new(o, "deposits_by_exchange", by_ex);
    json_t *un = json_array();
    uint64_t unspent = 0;
    const gen_coinvec *tc = &w->ents[rt->thief].coins;
    for (uint32_t i = 0; i < tc->n; i++) {
        unspent += tc->v[i].value;
        json_array_append_new(un, outpoint_json(w, gen_coin_txid(w, &tc->v[i]), tc->v[i].vout,
                                                tc->v[i].value, tc->v[i].addr, tc->v[i].type));
    }
    for (uint32_t i = 0; i < rt->n_lanes; i++) {
        const gen_coin *c = &rt->lanes[i].coin;
        unspent += c->value;
        json_array_append_new(
            un, outpoint_json(w, gen_coin_txid(w, c), c->vout, c->value, c->addr, c->type));
    }
    json_object_set_new(o, "unspent", un);
    json_t *cj = json_array(), *peel = json_array(), *all = json_array();
    for (uint32_t i = 0; i < rt->n_txs; i++) {
        const gen_ttx *t = &rt->txs[i];
        if (!strncmp(t->kind, "coinjoin", 8))
            json_array_append_new(cj, txid_json(t->txid));
        if (!strcmp(t->kind, "peel_chain"))
            json_array_append_new(peel, txid_json(t->txid));
        json_array_append_new(all, txid_json(t->txid));
    }
    json_object_set_new(o, "coinjoin_txids", cj);
    json_object_set_new(o, "peel_chain_txids", peel);
    json_object_set_new(o, "thief_txids", all);
    bool holds = stolen == rt->h->amount_sat &&
                 stolen == deposited + unspent + rt->fee_mining + rt->fee_coord;
    json_object_set_new(o, "totals",
                        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:b}", "stolen_sat",
                                  (json_int_t)stolen, "deposited_sat", (json_int_t)deposited,
                                  "unspent_sat", (json_int_t)unspent, "fees_mining_sat",
                                  (json_int_t)rt->fee_mining, "fees_coordinator_sat",
                                  (json_int_t)rt->fee_coord, "lost_to_peers_sat", (json_int_t)0,
                                  "identity_holds", holds));
    return o;
}

int gen_heists_write_truth(gen_world *w)
{
    json_t *arr = json_array();
    int rc = 0;
    for (size_t i = 0; i < w->n_heists && rc == 0; i++) {
        gen_heist_rt *rt = &w->heists[i];
        json_t *o = heist_json(w, rt);
        if (!o) {
            rc = CW_ENOMEM;
            break;
        }
        json_t *tot = json_object_get(o, "totals");
        if (!json_is_true(json_object_get(tot, "identity_holds")))
            rc = cw_error_set(
                CW_ECORRUPT,
                "internal: heist %s: stolen value does not balance (stolen %lld, "
                "deposited %lld, unspent %lld, fees %lld + %lld)",
                rt->h->name, (long long)json_integer_value(json_object_get(tot, "stolen_sat")),
                (long long)json_integer_value(json_object_get(tot, "deposited_sat")),
                (long long)json_integer_value(json_object_get(tot, "unspent_sat")),
                (long long)json_integer_value(json_object_get(tot, "fees_mining_sat")),
                (long long)json_integer_value(json_object_get(tot, "fees_coordinator_sat")));
        json_array_append_new(arr, o);
    }
    if (rc == 0) {
        char *text = json_dumps(arr, JSON_SORT_KEYS | JSON_INDENT(1));
        cw_buf path = {0};
        if (!text || cw_buf_printf(&path, "%s/heists.json", w->truth_dir) != 0)
            rc = CW_ENOMEM;
        else
            rc = cw_file_write_atomic((const char *)path.data, text, strlen(text));
        cw_buf_deinit(&path);
        free(text);
    }
    json_decref(arr);
    return rc;
}
