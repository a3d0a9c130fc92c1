/*
 * heist.c: heists laundered through the world's services (docs/GEN.md "EVM worlds").
 *
 * A heist drains a victim exchange's hot wallet of ETH and tokens into fresh thief addresses,
 * then runs its steps in order, each starting `delay_hours` after the previous one finished:
 * swap (tokens to ETH on the DEX, in chunks, after an approval; some chunks pay a fresh
 * address), fan_out (to many fresh addresses, one transfer each or through the batch sender),
 * hops (chains of forwards to fresh addresses, some splitting in two, some leaving change),
 * mixer (fixed-denomination deposits; withdrawals to fresh addresses through relayers or sent
 * by another thief address), bridge (deposits to THORChain with the BTC destination in the
 * memo) and cash_out (deposits to the thief's deposit addresses at exchanges). The thief's
 * addresses receive nothing but stolen value, so the thief's ledger gives the ground truth:
 * per asset, stolen + swapped in + mixer withdrawals = cashed out + bridged + mixer deposits +
 * swapped out + gas + held, checked at the end.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "gen/evm/evm_int.h"

enum {
    H_DRAIN = 1,
    H_STEP,
    H_SWAP,
    H_FAN,
    H_HOP,
    H_MIXDEP,
    H_MIXWD,
    H_BRIDGE,
    H_CASH,
    H_GAS,
    H_GATHER
};

typedef struct ew_heist {
    const ew_heist_sc *sc;
    uint32_t ent;
    uint32_t *hold;
    size_t n_hold, cap_hold;
    size_t step;
    int64_t pending;
    bool started, done;
    uint32_t dep[EW_MAX_EXCH][EW_MAX_ACCOUNTS];
    char (*btc)[96];
    uint32_t n_btc, next_btc;
    u128 cash_target;
    uint32_t cash_left;
    u128 stolen[1 + EW_NTOK], swap_in[1 + EW_NTOK], swap_out[1 + EW_NTOK];
    u128 mix_in, mix_out, bridged, cashed, fees;
    u128 otc; /* paid to OTC desks (cash_out "otc") */
    uint64_t n_otc;
    u128 tok_cashed[1 + EW_NTOK];  /* tokens deposited at exchanges as they are */
    u128 tok_bridged[1 + EW_NTOK]; /* tokens deposited into the Across-like pool */
    uint32_t *mixrec;              /* mixer withdrawal recipients (cash_out "apart") */
    size_t n_mixrec, cap_mixrec;
    uint64_t n_cash, n_bridge, n_mix_dep, n_mix_wd, n_swaps, n_txs;
    uint64_t drain_block, end_block;
    uint8_t drain_tx[8][32];
    uint32_t n_drain_tx;
    uint64_t last_fee_tx;
    uint32_t gather, gather_left; /* mixer "converge": the consolidation address filling up */
} ew_heist;

int ew_heist_of(const ew_world *w, uint32_t a)
{
    if (w->acct[a].cat != EWC_THIEF)
        return -1;
    return w->ent[w->acct[a].ent].heist;
}

static int hold_add(ew_world *w, ew_heist *h, uint32_t a)
{
    for (size_t i = 0; i < h->n_hold; i++)
        if (h->hold[i] == a)
            return 0;
    if (h->n_hold + 1 > h->cap_hold) {
        size_t nc = h->cap_hold ? h->cap_hold * 2 : 64;
        uint32_t *q = realloc(h->hold, nc * sizeof *q);
        if (!q) {
            if (!w->err)
                w->err = cw_error_set(CW_ENOMEM, "gen evm: out of memory");
            return CW_ENOMEM;
        }
        h->hold = q;
        h->cap_hold = nc;
    }
    h->hold[h->n_hold++] = a;
    return 0;
}

static uint32_t fresh(ew_world *w, ew_heist *h)
{
    return ew_acct_new(w, EWC_THIEF, h->ent, false);
}

void ew_heist_flow(ew_world *w, int hi, const char *kind, uint32_t from, uint32_t to, int asset,
                   u128 amount)
{
    ew_heist *h = &w->heists[hi];
    char a1[43], a2[43], v[48], f[48];
    ew_addr_hex(a1, w, from);
    ew_addr_hex(a2, w, to);
    ew_u128_dec(v, amount);
    u128 fee = (u128)w->tx.gas_used * w->tx.price;
    /* a transaction's fee once, on its first row */
    bool thief_pays = ew_heist_of(w, w->tx.from) == hi && h->last_fee_tx != w->txs_total;
    if (thief_pays) {
        h->fees += fee;
        h->last_fee_tx = w->txs_total;
    }
    ew_u128_dec(f, thief_pays ? fee : 0);
    ew_out *o = &w->t_flows;
    ew_need(o, 1024);
    ew_put_s(o, h->sc->name);
    ew_put_c(o, ',');
    ew_put_hex(o, w->tx.hash, 32);
    ew_put_c(o, ',');
    ew_put_u64(o, w->number);
    ew_put_c(o, ',');
    ew_put_u64(o, w->timestamp);
    ew_put_c(o, ',');
    ew_put_s(o, kind);
    ew_put_c(o, ',');
    ew_put_s(o, a1);
    ew_put_c(o, ',');
    ew_put_s(o, a2);
    ew_put_c(o, ',');
    ew_put_s(o, asset == 0 ? "ETH" : "");
    if (asset) {
        char ta[43];
        ew_addr_hex(ta, w, w->tok[asset]);
        ew_put_s(o, ta);
    }
    ew_put_c(o, ',');
    ew_put_s(o, v);
    ew_put_c(o, ',');
    ew_put_s(o, f);
    ew_put_eol(o);
    h->n_txs++;
}

static uint64_t hours_blocks(double h)
{
    return (uint64_t)(h * 300.0);
}

static uint64_t minutes_blocks(ew_world *w, double lo, double hi)
{
    double m = lo + (hi - lo) * gen_unit(&w->rng);
    uint64_t b = (uint64_t)(m * 5.0);
    return b ? b : 1;
}

static void push(ew_world *w, int hi, uint64_t delay, uint32_t kind, uint32_t c, u128 v)
{
    ew_event_push(w, w->number + delay, EWE_HEIST, (uint32_t)hi, kind, c, v);
}

static void step_done(ew_world *w, int hi)
{
    ew_heist *h = &w->heists[hi];
    h->step++;
    if (h->step >= h->sc->n_steps) {
        h->done = true;
        h->end_block = w->number;
        return;
    }
    push(w, hi, hours_blocks(h->sc->steps[h->step].delay_hours) + 1, H_STEP, 0, 0);
}

static void pending_dec(ew_world *w, int hi)
{
    ew_heist *h = &w->heists[hi];
    if (--h->pending <= 0) {
        h->pending = 0;
        step_done(w, hi);
    }
}

/* all but the fee of a plain transfer, with the price drawn now */
static bool send_all(ew_world *w, uint32_t from, uint32_t to, u128 keep, u128 *sent)
{
    uint64_t price = ew_tx_next_price(w);
    u128 fee = (u128)21000 * price;
    u128 b = w->bal[0][from];
    if (b <= fee + keep) {
        w->tx.priced = false;
        return false;
    }
    u128 v = b - fee - keep;
    ew_tx_begin(w, from, to, v, 21000, true);
    ew_tx_end(w);
    *sent = v;
    return true;
}

static u128 holdings(const ew_world *w, const ew_heist *h)
{
    u128 t = 0;
    for (size_t i = 0; i < h->n_hold; i++)
        t += w->bal[0][h->hold[i]];
    return t;
}

/* ---- the drain ---- */
static void drain(ew_world *w, int hi)
{
    ew_heist *h = &w->heists[hi];
    const ew_heist_sc *sc = h->sc;
    uint32_t victim = w->exch[sc->victim].hot[0];
    uint32_t nd = sc->drain_addresses;
    uint32_t dst[16];
    for (uint32_t i = 0; i < nd; i++) {
        dst[i] = fresh(w, h);
        hold_add(w, h, dst[i]);
    }
    h->drain_block = w->number;
    u128 each = sc->stolen[0] / nd;
    for (uint32_t i = 0; i < nd; i++) {
        u128 v = i + 1 == nd ? sc->stolen[0] - each * (nd - 1) : each;
        if (!v)
            continue;
        if (!ew_send_eth(w, victim, dst[i], v)) {
            if (!w->err)
                w->err = cw_error_set(CW_EINVAL, "heists[%d]: the victim cannot pay the theft", hi);
            return;
        }
        ew_heist_flow(w, hi, "drain", victim, dst[i], 0, v);
        if (h->n_drain_tx < 8)
            memcpy(h->drain_tx[h->n_drain_tx++], w->tx.hash, 32);
    }
    for (int t = 1; t < EW_WETH; t++) {
        u128 v = sc->stolen[t];
        if (!v)
            continue;
        uint32_t d = dst[(uint32_t)t % nd];
        if (!ew_send_token(w, t, victim, d, v)) {
            if (!w->err)
                w->err =
                    cw_error_set(CW_EINVAL, "heists[%d]: the victim cannot pay the theft of %s", hi,
                                 ew_asset_symbol(t));
            return;
        }
        ew_heist_flow(w, hi, "drain", victim, d, t, v);
        if (h->n_drain_tx < 8)
            memcpy(h->drain_tx[h->n_drain_tx++], w->tx.hash, 32);
    }
    for (int a = 0; a <= EW_NTOK; a++)
        h->stolen[a] = sc->stolen[a];
    h->step = 0;
    h->started = true;
    if (sc->n_steps == 0) {
        h->done = true;
        h->end_block = w->number;
        return;
    }
    push(w, hi, hours_blocks(sc->steps[0].delay_hours) + 1, H_STEP, 0, 0);
}

/* ---- steps ---- */
static void start_step(ew_world *w, int hi)
{
    ew_heist *h = &w->heists[hi];
    const ew_step *s = &h->sc->steps[h->step];
    h->pending = 0;
    switch (s->kind) {
    case EWS_SWAP: {
        size_t n = h->n_hold;
        for (size_t i = 0; i < n; i++) {
            uint32_t a = h->hold[i];
            for (int t = 1; t < EW_WETH; t++) {
                u128 b = w->bal[t][a];
                if (!b)
                    continue;
                if (!ew_approve(w, t, a, w->router))
                    continue;
                ew_heist_flow(w, hi, "approve", a, w->router, t, 0);
                uint32_t k =
                    s->chunks_min + (uint32_t)gen_below(&w->rng, s->chunks_max - s->chunks_min + 1);
                uint64_t d = 0;
                for (uint32_t c = 0; c < k; c++) {
                    d += minutes_blocks(w, s->ivl_min_m, s->ivl_max_m);
                    /* v: chunks left including this one, in the low bits; the token above */
                    push(w, hi, d, H_SWAP, a, ((u128)t << 32) | (k - c));
                    h->pending++;
                }
            }
        }
        break;
    }
    case EWS_FAN_OUT: {
        size_t n = h->n_hold;
        uint32_t per = s->addresses / (uint32_t)(n ? n : 1);
        if (per < 1)
            per = 1;
        for (size_t i = 0; i < n; i++) {
            push(w, hi, 1 + gen_below(&w->rng, hours_blocks(s->over_hours) + 1), H_FAN, h->hold[i],
                 per);
            h->pending++;
        }
        break;
    }
    case EWS_HOPS: {
        size_t n = h->n_hold;
        for (size_t i = 0; i < n; i++) {
            uint32_t hops =
                s->hops_min + (uint32_t)gen_below(&w->rng, s->hops_max - s->hops_min + 1);
            push(w, hi, minutes_blocks(w, s->ivl_min_m, s->ivl_max_m), H_HOP, h->hold[i], hops);
            h->pending++;
        }
        break;
    }
    case EWS_MIXER:
    case EWS_BRIDGE: {
        u128 target = (u128)((double)holdings(w, h) * s->fraction);
        u128 sum = 0;
        /* the largest holdings first */
        size_t n = h->n_hold;
        uint32_t *order = malloc((n ? n : 1) * sizeof *order);
        if (!order) {
            w->err = cw_error_set(CW_ENOMEM, "gen evm: out of memory");
            return;
        }
        memcpy(order, h->hold, n * sizeof *order);
        for (size_t i = 1; i < n; i++) {
            uint32_t x = order[i];
            size_t j = i;
            while (j > 0 && (w->bal[0][order[j - 1]] < w->bal[0][x] ||
                             (w->bal[0][order[j - 1]] == w->bal[0][x] && order[j - 1] > x))) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = x;
        }
        for (size_t i = 0; i < n && sum < target; i++) {
            uint32_t a = order[i];
            if (w->bal[0][a] < EW_ETHER / 5)
                continue;
            sum += w->bal[0][a];
            push(w, hi, 1 + gen_below(&w->rng, hours_blocks(s->over_hours) + 1),
                 s->kind == EWS_MIXER ? H_MIXDEP : H_BRIDGE, a, 0);
            h->pending++;
        }
        free(order);
        break;
    }
    case EWS_CASH_OUT: {
        h->cash_target = (u128)((double)holdings(w, h) * s->fraction);
        h->cash_left = s->deposits;
        uint64_t span = hours_blocks(s->over_hours);
        for (uint32_t i = 0; i < s->deposits; i++) {
            push(w, hi, 1 + (span * i) / s->deposits + gen_below(&w->rng, span / s->deposits + 1),
                 H_CASH, 0, 0);
            h->pending++;
        }
        break;
    }
    case EWS_WAIT:
        push(w, hi, hours_blocks(s->hours) + 1, H_STEP + 100, 0, 0);
        h->pending = 1;
        break;
    }
    if (h->pending == 0)
        step_done(w, hi);
}

static void do_swap(ew_world *w, int hi, uint32_t a, u128 v)
{
    ew_heist *h = &w->heists[hi];
    int t = (int)(v >> 32);
    uint32_t left = (uint32_t)v;
    u128 b = w->bal[t][a];
    u128 amt = left <= 1 ? b : b / left;
    amt = amt - amt % 1000; /* thieves like round-ish chunks */
    if (left <= 1 || amt == 0)
        amt = b;
    uint32_t to = a;
    if (gen_chance(&w->rng, 0.2)) {
        to = fresh(w, h);
        hold_add(w, h, to);
    }
    u128 out = 0;
    if (amt && ew_swap_tok_eth(w, t, a, amt, to, &out)) {
        ew_heist_flow(w, hi, "swap", a, w->router, t, amt);
        h->swap_out[t] += amt;
        h->swap_in[0] += out;
        h->n_swaps++;
    }
    pending_dec(w, hi);
}

static void do_fan(ew_world *w, int hi, uint32_t a, uint32_t per)
{
    ew_heist *h = &w->heists[hi];
    const ew_step *s = &h->sc->steps[h->step];
    bool batch = s->via == 1 || (s->via == 2 && gen_chance(&w->rng, 0.5));
    u128 b = w->bal[0][a];
    u128 reserve =
        ew_fee_bound(w, 30000 + 10200 * (uint64_t)per) + (u128)per * 22000 * 100000000000ULL;
    if (b <= reserve) {
        pending_dec(w, hi);
        return;
    }
    u128 avail = b - reserve;
    uint32_t *to = malloc(per * sizeof *to);
    u128 *val = malloc(per * sizeof *val);
    if (!to || !val) {
        free(to);
        free(val);
        w->err = cw_error_set(CW_ENOMEM, "gen evm: out of memory");
        return;
    }
    /* equal shares +-25% */
    u128 sum = 0;
    for (uint32_t i = 0; i < per; i++) {
        val[i] = avail / per * (75 + gen_below(&w->rng, 51)) / 100;
        sum += val[i];
    }
    while (sum > avail) {
        for (uint32_t i = 0; i < per && sum > avail; i++) {
            u128 cut = val[i] / 10;
            val[i] -= cut;
            sum -= cut;
        }
    }
    for (uint32_t i = 0; i < per; i++)
        to[i] = fresh(w, h);
    if (batch) {
        for (uint32_t i = 0; i < per; i += 100) {
            uint32_t k = per - i < 100 ? per - i : 100;
            if (ew_disperse(w, a, to + i, val + i, k)) {
                for (uint32_t j = 0; j < k; j++) {
                    ew_heist_flow(w, hi, "fan_out", a, to[i + j], 0, val[i + j]);
                    hold_add(w, h, to[i + j]);
                }
            }
        }
    } else {
        for (uint32_t i = 0; i < per; i++) {
            if (ew_send_eth(w, a, to[i], val[i])) {
                ew_heist_flow(w, hi, "fan_out", a, to[i], 0, val[i]);
                hold_add(w, h, to[i]);
            }
        }
    }
    free(to);
    free(val);
    pending_dec(w, hi);
}

static void do_hop(ew_world *w, int hi, uint32_t a, uint32_t hops)
{
    ew_heist *h = &w->heists[hi];
    const ew_step *s = &h->sc->steps[h->step];
    if (hops == 0 || w->bal[0][a] < EW_ETHER / 100) {
        pending_dec(w, hi);
        return;
    }
    bool split = gen_chance(&w->rng, s->split);
    uint32_t n1 = fresh(w, h);
    u128 sent = 0;
    if (split) {
        u128 half = w->bal[0][a] / 2 * (40 + gen_below(&w->rng, 21)) / 50 / 2;
        if (ew_send_eth(w, a, n1, half)) {
            ew_heist_flow(w, hi, "hop", a, n1, 0, half);
            hold_add(w, h, n1);
            push(w, hi, minutes_blocks(w, s->ivl_min_m, s->ivl_max_m), H_HOP, n1, hops - 1);
            h->pending++;
        }
        n1 = fresh(w, h);
    }
    /* 70%: everything but the fee; else a round amount, the change left behind */
    bool ok = false;
    if (gen_chance(&w->rng, 0.3)) {
        uint64_t price = ew_tx_next_price(w);
        u128 fee = (u128)21000 * price, b = w->bal[0][a];
        u128 p = EW_ETHER / 100;
        while (p * 100 <= b)
            p *= 10;
        u128 v = b > fee ? (b - fee) / p * p : 0;
        if (v) {
            ew_tx_begin(w, a, n1, v, 21000, true);
            ew_tx_end(w);
            sent = v;
            ok = true;
        } else {
            w->tx.priced = false;
        }
    }
    if (!ok)
        ok = send_all(w, a, n1, 0, &sent);
    if (ok) {
        ew_heist_flow(w, hi, "hop", a, n1, 0, sent);
        hold_add(w, h, n1);
        push(w, hi, minutes_blocks(w, s->ivl_min_m, s->ivl_max_m), H_HOP, n1, hops - 1);
        h->pending++;
    }
    pending_dec(w, hi);
}

static void do_mixdep(ew_world *w, int hi, uint32_t a)
{
    ew_heist *h = &w->heists[hi];
    const ew_step *s = &h->sc->steps[h->step];
    u128 b = w->bal[0][a];
    int pool = -1;
    for (int p = 3; p >= 0; p--)
        if (b > w->mixer_denom[p] + ew_fee_bound(w, 1100000)) {
            pool = p;
            break;
        }
    if (pool >= 0) {
        uint64_t wait =
            hours_blocks(s->wait_min_h) +
            (uint64_t)((double)(hours_blocks(s->wait_max_h) - hours_blocks(s->wait_min_h)) *
                       gen_unit(&w->rng));
        if (ew_mixer_deposit(w, a, pool, hi, wait + 1, EW_NONE)) {
            ew_heist_flow(w, hi, "mixer_deposit", a, w->mixer[pool], 0, w->mixer_denom[pool]);
            h->mix_out += w->mixer_denom[pool];
            h->n_mix_dep++;
            h->pending++; /* the withdrawal */
            /* more notes from the same address, a little later */
            push(w, hi, 1 + gen_below(&w->rng, 4), H_MIXDEP, a, 0);
            h->pending++;
        }
    }
    pending_dec(w, hi);
}

/* A holder of mixed funds (cash_out "apart", "no_reuse"). */
static int mixrec_add(ew_world *w, ew_heist *h, uint32_t a)
{
    if (h->n_mixrec == h->cap_mixrec) {
        size_t nc = h->cap_mixrec ? h->cap_mixrec * 2 : 64;
        uint32_t *q = realloc(h->mixrec, nc * sizeof *q);
        if (!q) {
            if (!w->err)
                w->err = cw_error_set(CW_ENOMEM, "gen evm: out of memory");
            return CW_ENOMEM;
        }
        h->mixrec = q;
        h->cap_mixrec = nc;
    }
    h->mixrec[h->n_mixrec++] = a;
    return 0;
}

/* The heist's mixer step (its evidence options), or NULL. */
static const ew_step *mixer_step(const ew_heist *h)
{
    for (size_t i = 0; i < h->sc->n_steps; i++)
        if (h->sc->steps[i].kind == EWS_MIXER)
            return &h->sc->steps[i];
    return NULL;
}

/* A thief address holding unmixed funds worth a gas top-up, or EW_NONE. */
static uint32_t unmixed_holder(ew_world *w, const ew_heist *h)
{
    for (size_t i = 0; i < h->n_hold; i++) {
        uint32_t a = h->hold[i];
        bool mixed = false;
        for (size_t k = 0; k < h->n_mixrec && !mixed; k++)
            mixed = h->mixrec[k] == a;
        if (!mixed && w->bal[0][a] > EW_ETHER / 2)
            return a;
    }
    return EW_NONE;
}

/* mixer "gas_funding": the recipient gets gas from a thief address holding unmixed funds */
static void do_gas(ew_world *w, int hi, uint32_t rec)
{
    ew_heist *h = &w->heists[hi];
    uint32_t from = unmixed_holder(w, h);
    if (from != EW_NONE) {
        u128 v = ew_fee_bound(w, 21000) * (3 + gen_below(&w->rng, 10));
        if (ew_send_eth(w, from, rec, v))
            ew_heist_flow(w, hi, "gas_funding", from, rec, 0, v);
    }
    pending_dec(w, hi);
}

/* mixer "converge": the recipient pays everything to the consolidation address filling up (3-6
 * recipients each; a third of them topped up by a thief address holding unmixed funds), which
 * then cashes out as mixed funds */
static void do_gather(ew_world *w, int hi, uint32_t rec)
{
    ew_heist *h = &w->heists[hi];
    u128 fee = ew_fee_bound(w, 21000);
    if (w->bal[0][rec] > 2 * fee) {
        if (!h->gather_left) {
            h->gather = fresh(w, h);
            h->gather_left = 3 + (uint32_t)gen_below(&w->rng, 4);
            hold_add(w, h, h->gather);
            mixrec_add(w, h, h->gather);
            uint32_t from = unmixed_holder(w, h);
            if (from != EW_NONE && gen_chance(&w->rng, 1.0 / 3)) {
                u128 v = fee * (3 + gen_below(&w->rng, 10));
                if (ew_send_eth(w, from, h->gather, v))
                    ew_heist_flow(w, hi, "gas_funding", from, h->gather, 0, v);
            }
        }
        u128 v = w->bal[0][rec] - fee;
        if (ew_send_eth(w, rec, h->gather, v)) {
            ew_heist_flow(w, hi, "gather", rec, h->gather, 0, v);
            h->gather_left--;
        }
    }
    pending_dec(w, hi);
}

static void do_mixwd(ew_world *w, int hi, uint32_t ni)
{
    ew_heist *h = &w->heists[hi];
    const ew_step *s = &h->sc->steps[h->step];
    const ew_step *ms = mixer_step(h);
    uint32_t rec = ms && ms->ev_match > 0 && gen_chance(&w->rng, ms->ev_match)
                       ? w->notes[ni].depositor
                       : fresh(w, h);
    int rel = gen_chance(&w->rng, s->relayer) ? (int)gen_below(&w->rng, w->n_relayers) : -1;
    uint32_t sender = EW_NONE;
    if (rel < 0) {
        for (size_t i = 0; i < h->n_hold; i++)
            if (w->bal[0][h->hold[i]] > ew_fee_bound(w, 420000) + EW_ETHER / 100) {
                sender = h->hold[i];
                break;
            }
        if (sender == EW_NONE)
            rel = (int)gen_below(&w->rng, w->n_relayers);
    }
    if (!ew_mixer_withdraw_for(w, ni, rec, rel, sender)) {
        push(w, hi, 3, H_MIXWD, ni, 0); /* try again shortly */
        return;
    }
    if (ms && ms->ev_gas > 0 && gen_chance(&w->rng, ms->ev_gas)) {
        push(w, hi, 1 + gen_below(&w->rng, 40), H_GAS, rec, 0);
        h->pending++;
    }
    if (ms && ms->ev_converge > 0 && gen_chance(&w->rng, ms->ev_converge)) {
        push(w, hi, 2 + gen_below(&w->rng, 100), H_GATHER, rec, 0);
        h->pending++;
    }
}

void ew_heist_note_withdrawn(ew_world *w, int32_t hi, uint32_t recipient, u128 amount,
                             const ew_note *n, uint32_t relayer, u128 fee)
{
    ew_heist *h = &w->heists[hi];
    (void)n;
    (void)fee;
    ew_heist_flow(w, hi, "mixer_withdrawal", w->mixer[n->pool], recipient, 0, amount);
    (void)relayer;
    h->mix_in += amount;
    h->n_mix_wd++;
    if (mixrec_add(w, h, recipient))
        return;
    hold_add(w, h, recipient);
    pending_dec(w, hi);
}

static void do_bridge(ew_world *w, int hi, uint32_t a)
{
    ew_heist *h = &w->heists[hi];
    const ew_step *st = &h->sc->steps[h->step];
    /* world.across_tokens: by the step's across share, the thief address holding the most of
     * a token sends all of it into the pool */
    for (int t = 1; w->sc->across_tokens && st->across > 0 && w->across != EW_NONE && t < EW_WETH;
         t++) {
        uint32_t ta = EW_NONE;
        for (size_t i = 0; i < h->n_hold; i++)
            if (w->bal[t][h->hold[i]] && (ta == EW_NONE || w->bal[t][h->hold[i]] > w->bal[t][ta]))
                ta = h->hold[i];
        u128 tv = ta != EW_NONE ? w->bal[t][ta] : 0;
        /* world.swap_bridge: every token held is bridged, in 2..6 deposits (half of them swap it
         * to ETH first, in the router's one call: ew_across_deposit) */
        uint32_t parts = w->sc->swap_bridge ? 2 + (uint32_t)gen_below(&w->rng, 5) : 1;
        bool go = tv && (w->sc->swap_bridge || gen_chance(&w->rng, st->across));
        for (uint32_t k = 0; go && k < parts; k++) {
            u128 v = k + 1 < parts ? tv / parts : w->bal[t][ta];
            if (!ew_across_deposit(w, ta, t, v, hi))
                break;
            ew_heist_flow(w, hi, "bridge", ta, w->across, t, v);
            h->tok_bridged[t] += v;
            h->n_bridge++;
        }
    }
    u128 b = w->bal[0][a];
    u128 fee = ew_fee_bound(w, 90000);
    if (b > fee + EW_ETHER / 100) {
        u128 v = b - fee;
        if (gen_chance(&w->rng, 0.4))
            v = v / EW_ETHER * EW_ETHER; /* whole ETH, the rest left behind */
        if (!v)
            v = b - fee;
        const char *btc = h->btc[h->next_btc++ % h->n_btc];
        const ew_step *s = &h->sc->steps[h->step];
        if (s->across > 0 && w->across != EW_NONE && gen_chance(&w->rng, s->across)) {
            /* the Across-like pool: the destination chain and recipient in its event */
            if (ew_across_deposit(w, a, 0, v, hi)) {
                ew_heist_flow(w, hi, "bridge", a, w->across, 0, v);
                h->bridged += v;
                h->n_bridge++;
            }
            pending_dec(w, hi);
            return;
        }
        if (s->lock > 0 && w->lock_bridge != EW_NONE && gen_chance(&w->rng, s->lock)) {
            /* the lock-and-release bridge: no memo; a quarter name the Bitcoin address in
             * ASCII, the rest an account on another chain */
            if (ew_lock_deposit(w, a, v, btc, (int)gen_below(&w->rng, 4), hi)) {
                ew_heist_flow(w, hi, "bridge", a, w->lock_bridge, 0, v);
                h->bridged += v;
                h->n_bridge++;
            }
            pending_dec(w, hi);
            return;
        }
        int style = (int)gen_below(&w->rng, 6);
        if (ew_bridge_deposit(w, a, v, btc, style, hi)) {
            ew_heist_flow(w, hi, "bridge", a, style < 5 ? w->bridge_router : w->bridge_vault, 0, v);
            h->bridged += v;
            h->n_bridge++;
        }
    }
    pending_dec(w, hi);
}

/* One deposit of v of asset t (0 = ETH) from thief address a into one of the thief's deposit
 * addresses at one of the step's exchanges; false when it could not be paid. */
static bool cash_one(ew_world *w, int hi, uint32_t a, int t, u128 v)
{
    ew_heist *h = &w->heists[hi];
    const ew_step *s = &h->sc->steps[h->step];
    uint32_t xi = s->to[gen_below(&w->rng, s->n_to)];
    uint32_t k;
    bool mixed = false;
    for (size_t i = 0; (s->apart || s->no_reuse) && i < h->n_mixrec && !mixed; i++)
        mixed = h->mixrec[i] == a;
    uint32_t dep;
    if (!t && !mixed && s->otc > 0 && w->n_otc && gen_chance(&w->rng, s->otc)) {
        /* sold to an OTC desk that honest customers pay too: not a deposit of the thief's */
        uint32_t desk = w->otc[gen_below(&w->rng, w->n_otc)];
        if (!ew_send_eth(w, a, desk, v))
            return false;
        ew_heist_flow(w, hi, "otc", a, desk, 0, v);
        h->otc += v;
        h->n_otc++;
        h->cash_target = h->cash_target > v ? h->cash_target - v : 0;
        return true;
    }
    if (s->no_reuse && mixed) {
        /* the careful thief: mixed funds never meet anything again, each deposit goes to a
         * new deposit address of its own (a new account at the exchange) */
        dep = ew_deposit_address(w, xi, h->ent);
        goto pay;
    }
    if (s->apart) { /* the first half of the accounts for direct funds, the rest for mixed */
        uint32_t half = s->accounts / 2;
        k = mixed ? half + (uint32_t)gen_below(&w->rng, s->accounts - half)
                  : (uint32_t)gen_below(&w->rng, half);
    } else {
        k = (uint32_t)gen_below(&w->rng, s->accounts);
    }
    if (h->dep[xi][k] == EW_NONE)
        h->dep[xi][k] = ew_deposit_address(w, xi, h->ent);
    dep = h->dep[xi][k];
pay:
    if (dep == EW_NONE || !(t ? ew_send_token(w, t, a, dep, v) : ew_send_eth(w, a, dep, v)))
        return false;
    ew_heist_flow(w, hi, "cash_out", a, dep, t, v);
    if (t) {
        h->tok_cashed[t] += v;
    } else {
        h->cashed += v;
        h->cash_target = h->cash_target > v ? h->cash_target - v : 0;
    }
    h->n_cash++;
    ew_out *o = &w->t_cash;
    char a1[43], a2[43], num[48], ta[43];
    ew_addr_hex(a1, w, a);
    ew_addr_hex(a2, w, dep);
    ew_u128_dec(num, v);
    ew_need(o, 1024);
    ew_put_s(o, h->sc->name);
    ew_put_c(o, ',');
    ew_put_hex(o, w->tx.hash, 32);
    ew_put_c(o, ',');
    ew_put_u64(o, w->number);
    ew_put_c(o, ',');
    ew_put_u64(o, w->timestamp);
    ew_put_c(o, ',');
    ew_put_s(o, w->sc->exch[xi]);
    ew_put_c(o, ',');
    ew_put_s(o, a2);
    ew_put_c(o, ',');
    ew_put_s(o, a1);
    ew_put_c(o, ',');
    if (t) {
        ew_addr_hex(ta, w, w->tok[t]);
        ew_put_s(o, ta);
    } else {
        ew_put_s(o, "ETH");
    }
    ew_put_c(o, ',');
    ew_put_s(o, num);
    ew_put_eol(o);
    ew_deposit_received(w, dep);
    return true;
}

/* One cash-out round: its share of the target, paid by the richest addresses (one deposit
 * each) until the share is met. */
static void do_cash(ew_world *w, int hi)
{
    ew_heist *h = &w->heists[hi];
    const ew_step *s = &h->sc->steps[h->step];
    u128 fee = ew_fee_bound(w, 40000);
    u128 want = h->cash_left ? h->cash_target / h->cash_left : 0;
    for (int guard = 0; guard < 64 && want > EW_ETHER / 100; guard++) {
        uint32_t a = EW_NONE;
        for (size_t i = 0; i < h->n_hold; i++)
            if (a == EW_NONE || w->bal[0][h->hold[i]] > w->bal[0][a])
                a = h->hold[i];
        if (a == EW_NONE || w->bal[0][a] <= fee + EW_ETHER / 100)
            break;
        u128 v = want;
        if (v > w->bal[0][a] - fee)
            v = w->bal[0][a] - fee;
        if (gen_chance(&w->rng, 0.5) && v > 10 * EW_ETHER && v == want)
            v = v / EW_ETHER * EW_ETHER;
        if (!cash_one(w, hi, a, 0, v))
            break;
        want -= v;
    }
    /* token cash-outs: the address holding the most of a token deposits all of it */
    for (int t = 1; s->tokens && t < EW_WETH; t++) {
        uint32_t a = EW_NONE;
        for (size_t i = 0; i < h->n_hold; i++)
            if (w->bal[t][h->hold[i]] && (a == EW_NONE || w->bal[t][h->hold[i]] > w->bal[t][a]))
                a = h->hold[i];
        if (a != EW_NONE && w->bal[0][a] > ew_fee_bound(w, 60000))
            cash_one(w, hi, a, t, w->bal[t][a]);
    }
    if (h->cash_left)
        h->cash_left--;
    pending_dec(w, hi);
}

void ew_heist_event(ew_world *w, const ew_event *e)
{
    if (e->kind == EWE_MIX_WITHDRAW) {
        const ew_note *n = &w->notes[e->a];
        do_mixwd(w, n->heist, e->a);
        return;
    }
    int hi = (int)e->a;
    switch (e->b) {
    case H_DRAIN:
        drain(w, hi);
        break;
    case H_STEP:
        start_step(w, hi);
        break;
    case H_STEP + 100:
        pending_dec(w, hi);
        break;
    case H_SWAP:
        do_swap(w, hi, e->c, e->v);
        break;
    case H_FAN:
        do_fan(w, hi, e->c, (uint32_t)e->v);
        break;
    case H_HOP:
        do_hop(w, hi, e->c, (uint32_t)e->v);
        break;
    case H_MIXDEP:
        do_mixdep(w, hi, e->c);
        break;
    case H_MIXWD:
        do_mixwd(w, hi, e->c);
        break;
    case H_BRIDGE:
        do_bridge(w, hi, e->c);
        break;
    case H_CASH:
        do_cash(w, hi);
        break;
    case H_GAS:
        do_gas(w, hi, e->c);
        break;
    case H_GATHER:
        do_gather(w, hi, e->c);
        break;
    default:
        break;
    }
}

int ew_heists_init(ew_world *w)
{
    const cw_gen_evm_scenario *sc = w->sc;
    w->n_heists = sc->n_heists;
    w->heists = calloc(sc->n_heists ? sc->n_heists : 1, sizeof *w->heists);
    if (!w->heists)
        return cw_error_set(CW_ENOMEM, "gen evm: out of memory");
    for (size_t i = 0; i < sc->n_heists; i++) {
        ew_heist *h = &w->heists[i];
        h->sc = &sc->heists[i];
        char nm[80];
        snprintf(nm, sizeof nm, "thief-%s", h->sc->name);
        h->ent = ew_ent_new(w, EWC_THIEF, nm, (int32_t)i);
        for (int x = 0; x < EW_MAX_EXCH; x++)
            for (int k = 0; k < EW_MAX_ACCOUNTS; k++)
                h->dep[x][k] = EW_NONE;
        /* BTC destinations: the scenario's btc_to (e.g. addresses of a generated Bitcoin world,
         * for a cross-chain case), else bech32 addresses derived from the seed */
        uint32_t nb = 1;
        const ew_step *given = NULL;
        for (size_t s = 0; s < h->sc->n_steps; s++)
            if (h->sc->steps[s].kind == EWS_BRIDGE) {
                if (h->sc->steps[s].n_btc_to && !given)
                    given = &h->sc->steps[s];
                if (h->sc->steps[s].btc_addresses > nb)
                    nb = h->sc->steps[s].btc_addresses;
            }
        if (given)
            nb = given->n_btc_to;
        h->btc = calloc(nb, sizeof *h->btc);
        if (!h->btc)
            return cw_error_set(CW_ENOMEM, "gen evm: out of memory");
        h->n_btc = nb;
        for (uint32_t k = 0; k < nb; k++) {
            if (given)
                snprintf(h->btc[k], sizeof h->btc[k], "%s", given->btc_to[k]);
            else
                ew_btc_address(w, 0x7e1f000000ULL + i * 100000 + k, h->btc[k]);
        }
        ew_event_push(w, hours_blocks(h->sc->at_hour) + 12, EWE_HEIST, (uint32_t)i, H_DRAIN, 0, 0);
    }
    return 0;
}

bool ew_heists_done(const ew_world *w)
{
    for (size_t i = 0; i < w->n_heists; i++)
        if (!w->heists[i].done)
            return false;
    return true;
}

void ew_heists_free(ew_world *w)
{
    for (size_t i = 0; i < w->n_heists; i++) {
        free(w->heists[i].hold);
        free(w->heists[i].btc);
        free(w->heists[i].mixrec);
    }
    free(w->heists);
    w->heists = NULL;
}

static json_t *dec(u128 v)
{
    char s[48];
    ew_u128_dec(s, v);
    return json_string(s);
}

/* heists.json, and the identity check */
int ew_heists_finish(ew_world *w)
{
    json_t *arr = json_array();
    int rc = 0;
    for (size_t i = 0; i < w->n_heists && !rc; i++) {
        ew_heist *h = &w->heists[i];
        if (!h->done) {
            rc = cw_error_set(CW_EINVAL,
                              "heists[%zu] (%s): not finished by block %llu: the world's "
                              "transaction count is too small "
                              "for the scenario's timeline (try %llu or more)",
                              i, h->sc->name, (unsigned long long)w->number,
                              (unsigned long long)(w->txs_target * 2));
            break;
        }
        /* what the thief holds now, per asset */
        u128 held[1 + EW_NTOK] = {0};
        uint64_t n_addr = 0;
        for (size_t a = 0; a < w->n_acct; a++)
            if (w->acct[a].cat == EWC_THIEF && w->acct[a].ent == h->ent) {
                n_addr++;
                for (int k = 0; k <= EW_NTOK; k++)
                    held[k] += w->bal[k][a];
            }
        /* ETH: in = stolen + swapped in + mixer withdrawals; out = the rest */
        u128 in = h->stolen[0] + h->swap_in[0] + h->mix_in;
        u128 out = h->cashed + h->bridged + h->mix_out + h->fees + held[0] + h->otc;
        bool ok = in == out;
        for (int t = 1; t < EW_WETH; t++)
            ok = ok &&
                 h->stolen[t] == h->swap_out[t] + h->tok_cashed[t] + h->tok_bridged[t] + held[t];
        if (!ok) {
            char a[48], b[48];
            ew_u128_dec(a, in);
            ew_u128_dec(b, out);
            rc = cw_error_set(CW_EINVAL,
                              "gen evm: internal error: heist %s's identity does not hold "
                              "(ETH in %s, out %s)",
                              h->sc->name, a, b);
            break;
        }
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(h->sc->name));
        json_object_set_new(o, "victim", json_string(w->sc->exch[h->sc->victim]));
        char vh[43];
        ew_addr_hex(vh, w, w->exch[h->sc->victim].hot[0]);
        json_object_set_new(o, "victim_hot_wallet", json_string(vh));
        json_object_set_new(o, "thief_entity", json_string(w->ent[h->ent].name));
        json_object_set_new(o, "drain_block", json_integer((json_int_t)h->drain_block));
        json_object_set_new(o, "end_block", json_integer((json_int_t)h->end_block));
        json_t *dt = json_array();
        for (uint32_t k = 0; k < h->n_drain_tx; k++) {
            char hx[67] = "0x";
            for (int j = 0; j < 32; j++)
                snprintf(hx + 2 + 2 * j, 3, "%02x", h->drain_tx[k][j]);
            json_array_append_new(dt, json_string(hx));
        }
        json_object_set_new(o, "drain_txs", dt);
        json_t *st = json_object(), *sw = json_object(), *hd = json_object(), *sin = json_object();
        for (int t = 0; t < EW_WETH; t++) {
            json_object_set_new(st, ew_asset_symbol(t), dec(h->stolen[t]));
            json_object_set_new(sw, ew_asset_symbol(t), dec(h->swap_out[t]));
            json_object_set_new(hd, ew_asset_symbol(t), dec(held[t]));
        }
        json_object_set_new(sin, "ETH", dec(h->swap_in[0]));
        json_object_set_new(o, "stolen", st);
        json_object_set_new(o, "swapped_out", sw);
        json_object_set_new(o, "swapped_in", sin);
        json_object_set_new(o, "held_at_tip", hd);
        bool any_tok = false;
        json_t *tc = json_object();
        for (int t = 1; t < EW_WETH; t++) {
            any_tok |= h->tok_cashed[t] != 0;
            json_object_set_new(tc, ew_asset_symbol(t), dec(h->tok_cashed[t]));
        }
        if (any_tok) /* only where the scenario cashes tokens out: other worlds keep their bytes */
            json_object_set_new(o, "cashed_out_tokens", tc);
        else
            json_decref(tc);
        json_t *tot = json_object();
        json_object_set_new(tot, "cashed_out_wei", dec(h->cashed));
        json_object_set_new(tot, "bridged_wei", dec(h->bridged));
        json_object_set_new(tot, "mixer_deposited_wei", dec(h->mix_out));
        json_object_set_new(tot, "mixer_withdrawn_wei", dec(h->mix_in));
        json_object_set_new(tot, "gas_fees_wei", dec(h->fees));
        json_object_set_new(tot, "cash_outs", json_integer((json_int_t)h->n_cash));
        json_object_set_new(tot, "bridge_deposits", json_integer((json_int_t)h->n_bridge));
        json_object_set_new(tot, "mixer_deposits", json_integer((json_int_t)h->n_mix_dep));
        json_object_set_new(tot, "mixer_withdrawals", json_integer((json_int_t)h->n_mix_wd));
        json_object_set_new(tot, "swaps", json_integer((json_int_t)h->n_swaps));
        json_object_set_new(tot, "thief_txs", json_integer((json_int_t)h->n_txs));
        json_object_set_new(tot, "thief_addresses", json_integer((json_int_t)n_addr));
        if (h->n_otc) { /* only where the scenario pays OTC desks: other worlds keep their bytes */
            json_object_set_new(tot, "otc_paid_wei", dec(h->otc));
            json_object_set_new(tot, "otc_payments", json_integer((json_int_t)h->n_otc));
        }
        json_object_set_new(o, "totals", tot);
        json_object_set_new(o, "identity_holds", json_true());
        json_t *btc = json_array();
        for (uint32_t k = 0; k < h->n_btc; k++)
            json_array_append_new(btc, json_string(h->btc[k]));
        json_object_set_new(o, "btc_addresses", btc);
        json_t *deps = json_array();
        for (uint32_t x = 0; x < w->n_exch; x++)
            for (int k = 0; k < EW_MAX_ACCOUNTS; k++)
                if (h->dep[x][k] != EW_NONE) {
                    char da[43];
                    ew_addr_hex(da, w, h->dep[x][k]);
                    json_t *d = json_object();
                    json_object_set_new(d, "exchange", json_string(w->sc->exch[x]));
                    json_object_set_new(d, "address", json_string(da));
                    json_array_append_new(deps, d);
                }
        /* cash_out "no_reuse": the deposit addresses used once, after the accounts above */
        for (size_t a = 0; a < w->n_acct; a++) {
            if (w->acct[a].cat != EWC_EXCH_DEPOSIT || w->acct[a].customer != h->ent)
                continue;
            bool listed = false;
            for (uint32_t x = 0; x < w->n_exch && !listed; x++)
                for (int k = 0; k < EW_MAX_ACCOUNTS && !listed; k++)
                    listed = h->dep[x][k] == (uint32_t)a;
            if (listed)
                continue;
            char da[43];
            ew_addr_hex(da, w, (uint32_t)a);
            json_array_append_new(deps, json_pack("{s:s, s:s, s:b}", "exchange",
                                                  w->sc->exch[w->acct[a].exch], "address", da,
                                                  "used_once", 1));
        }
        json_object_set_new(o, "deposit_addresses", deps);
        json_array_append_new(arr, o);
    }
    if (!rc) {
        char path[600];
        snprintf(path, sizeof path, "%s/heists.json", w->truth_dir);
        char *txt = json_dumps(arr, JSON_INDENT(2) | JSON_SORT_KEYS);
        if (!txt)
            rc = cw_error_set(CW_ENOMEM, "gen evm: out of memory");
        else {
            size_t l = strlen(txt);
            FILE *f = fopen(path, "w");
            if (!f || fwrite(txt, 1, l, f) != l || fputc('\n', f) == EOF)
                rc = cw_error_set(CW_EIO, "write %s", path);
            if (f && fclose(f) != 0 && !rc)
                rc = cw_error_set(CW_EIO, "write %s", path);
            free(txt);
        }
    }
    json_decref(arr);
    return rc;
}
