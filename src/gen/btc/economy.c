/*
 * economy.c: the honest economy. Each call of gen_economy_step() emits one transaction of a
 * kind drawn by weight: user payments to merchants, services and other users (with change and
 * address reuse by habit), user deposits to per-customer exchange deposit addresses, exchange
 * sweeps of deposits into hot wallets, batched exchange withdrawals, merchant settlements,
 * service payouts, mining-pool payouts, wallet consolidations, Whirlpool Tx0s and 5x5 mixes,
 * and Wasabi-2-style rounds. Money enters through coinbases and circulates; nothing is created.
 */
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/errors.h"
#include "gen/btc/world.h"

int gen_pool_index(uint64_t denom)
{
    static const uint64_t d[GEN_N_POOLS] = {100000, 1000000, 5000000, 50000000};
    for (int i = 0; i < GEN_N_POOLS; i++)
        if (d[i] == denom)
            return i;
    return -1;
}

/* Takes up to k random spendable coins from cv into w->scratch (appended); returns the count. */
static uint32_t take_random(gen_world *w, gen_coinvec *cv, uint32_t k)
{
    uint32_t got = 0;
    for (uint32_t tries = 0; got < k && cv->n > 0 && tries < 4 * k + 8; tries++) {
        uint32_t i = (uint32_t)gen_below(&w->rng, cv->n);
        if (!gen_coin_spendable(w, &cv->v[i]))
            continue;
        gen_coin c = gen_coinvec_take(cv, i);
        if (gen_coinvec_push(&w->scratch, &c) != 0) {
            gen_coinvec_push(cv, &c);
            break;
        }
        got++;
    }
    return got;
}

/* Returns the scratch coins from index `from` to cv. */
static void restore(gen_world *w, gen_coinvec *cv, uint32_t from)
{
    for (uint32_t i = from; i < w->scratch.n; i++)
        gen_coinvec_push(cv, &w->scratch.v[i]);
    w->scratch.n = from;
}

static uint64_t scratch_sum(const gen_world *w, uint32_t from)
{
    uint64_t s = 0;
    for (uint32_t i = from; i < w->scratch.n; i++)
        s += w->scratch.v[i].value;
    return s;
}

static uint64_t scratch_vsize(const gen_world *w, uint32_t from)
{
    uint64_t s = 0;
    for (uint32_t i = from; i < w->scratch.n; i++)
        s += gen_input_vsize(w->scratch.v[i].type);
    return s;
}

static uint32_t pick_user(gen_world *w, uint64_t min_coins)
{
    for (int t = 0; t < 24; t++) {
        uint32_t u = w->first_user + (uint32_t)gen_below(&w->rng, w->n_users);
        if (w->ents[u].coins.n >= min_coins && w->ents[u].coins.n > 0)
            return u;
    }
    return UINT32_MAX;
}

static uint32_t random_user(gen_world *w)
{
    return w->first_user + (uint32_t)gen_below(&w->rng, w->n_users);
}

static uint32_t deposit_addr(gen_world *w, uint32_t x, uint32_t customer)
{
    gen_exchange *ex = &w->ex[x];
    if (!ex->dep_addr[customer])
        ex->dep_addr[customer] = gen_addr_new(w, ex->ent, GEN_CAT_EXCHANGE_DEPOSIT,
                                              w->ents[ex->ent].pref_type, customer);
    return ex->dep_addr[customer];
}

static void set_dest(gen_dest *d, uint64_t value, uint32_t addr, uint32_t owner, uint8_t type,
                     gen_coinvec *keep)
{
    d->value = value;
    d->addr = addr;
    d->owner = owner;
    d->type = type;
    d->keep = keep;
    d->tag = GEN_NO_TAG;
}

/* Rounds to two significant digits (people pay round amounts). */
static uint64_t round2(uint64_t v)
{
    uint64_t m = 1;
    while (v / m >= 100)
        m *= 10;
    return v / m * m;
}

/* A one-output sweep of the scratch coins [from..] to dest (value computed). Returns 1 when
 * the coins cannot pay the fee (coins stay in scratch). */
static int sweep(gen_world *w, uint32_t from, gen_dest *d, uint64_t feerate)
{
    gen_dest one = *d;
    one.value = 0;
    /* size does not depend on the value: build once with a placeholder to learn the fee */
    uint64_t sum = scratch_sum(w, from);
    uint64_t vs = scratch_vsize(w, from) + 11 + gen_out_size(gen_spk_len(d->type));
    uint64_t fee = feerate * vs;
    if (sum < fee + GEN_DUST)
        return 1;
    one.value = sum - fee;
    int rc = gen_send_exact(w, w->scratch.v + from, w->scratch.n - from, &one, 1, NULL);
    if (rc == 0)
        w->scratch.n = from;
    return rc;
}

static int act_user_pay(gen_world *w)
{
    uint32_t u = pick_user(w, 1);
    if (u == UINT32_MAX)
        return 1;
    gen_entity *e = &w->ents[u];
    uint32_t k = 1 + (e->coins.n > 6 ? e->coins.n / 4 : (uint32_t)gen_below(&w->rng, 2));
    if (k > 12)
        k = e->coins.n > 48 ? 40 : 12; /* a wallet with many small coins sweeps them along */
    take_random(w, &e->coins, k);
    uint64_t sum = scratch_sum(w, 0);
    uint64_t feerate = gen_tx_feerate(w);
    uint64_t fee_est = feerate * (scratch_vsize(w, 0) + 100);
    if (sum < 20000 + fee_est) {
        restore(w, &e->coins, 0);
        return 1;
    }
    uint64_t amount = (uint64_t)((double)(sum - fee_est) * (0.05 + 0.75 * gen_unit(&w->rng)));
    uint64_t r = gen_below(&w->rng, 100);
    uint32_t to;
    uint32_t addr;
    uint8_t type;
    if (r < 45) {
        to = w->first_merchant + (uint32_t)gen_below(&w->rng, w->n_merchants);
        type = w->ents[to].pref_type;
        addr = gen_addr_new(w, to, GEN_CAT_MERCHANT, type, UINT32_MAX); /* one per invoice */
    } else if (r < 80) {
        to = random_user(w);
        if (to == u)
            to = w->first_user + (u - w->first_user + 1) % w->n_users;
        addr = gen_addr_recv(w, to, &type);
        if (gen_chance(&w->rng, 0.4))
            amount = round2(amount);
    } else {
        to = w->first_service + (uint32_t)gen_below(&w->rng, w->n_services);
        addr = gen_addr_recv(w, to, &type);
    }
    if (!addr)
        return CW_EIO;
    if (amount < GEN_DUST)
        amount = GEN_DUST;
    gen_dest *d = w->dests;
    set_dest(d, amount, addr, to, type, &w->ents[to].coins);
    int rc =
        gen_send(w, w->scratch.v, w->scratch.n, d, 1, u, feerate, NULL, NULL, NULL, GEN_NO_TAG);
    if (rc == 1) {
        restore(w, &e->coins, 0);
        return 1;
    }
    w->scratch.n = 0;
    return rc;
}

static int act_user_deposit(gen_world *w)
{
    uint32_t u = pick_user(w, 1);
    if (u == UINT32_MAX)
        return 1;
    gen_entity *e = &w->ents[u];
    uint32_t x =
        gen_chance(&w->rng, 0.8) ? e->home_ex : (uint32_t)gen_below(&w->rng, w->n_exchanges);
    take_random(w, &e->coins, 1 + (uint32_t)gen_below(&w->rng, 3));
    uint64_t feerate = gen_tx_feerate(w);
    uint64_t sum = scratch_sum(w, 0);
    uint64_t fee_est = feerate * (scratch_vsize(w, 0) + 100);
    if (sum < 20000 + fee_est) {
        restore(w, &e->coins, 0);
        return 1;
    }
    uint32_t addr = deposit_addr(w, x, u);
    if (!addr)
        return CW_EIO;
    gen_dest *d = w->dests;
    set_dest(d, 0, addr, w->ex[x].ent, w->ents[w->ex[x].ent].pref_type, &w->ex[x].deposits);
    int rc;
    if (gen_chance(&w->rng, 0.4)) {
        rc = sweep(w, 0, d, feerate);
    } else {
        d->value = (uint64_t)((double)(sum - fee_est) * (0.3 + 0.6 * gen_unit(&w->rng)));
        if (d->value < GEN_DUST)
            d->value = GEN_DUST;
        rc =
            gen_send(w, w->scratch.v, w->scratch.n, d, 1, u, feerate, NULL, NULL, NULL, GEN_NO_TAG);
        if (rc == 0)
            w->scratch.n = 0;
    }
    if (rc == 1)
        restore(w, &e->coins, 0);
    return rc;
}

/* The balance of a coin vector, estimated from at most 32 sampled coins (hot wallets hold
 * thousands of coins; an exact sum per withdrawal would dominate the run time). */
static uint64_t hot_estimate(gen_world *w, const gen_coinvec *cv)
{
    if (cv->n <= 32)
        return gen_coinvec_sum(cv);
    /* draw the 32 positions first, so the (cache-missing) loads overlap */
    uint32_t at[32];
    for (int i = 0; i < 32; i++)
        at[i] = (uint32_t)gen_below(&w->rng, cv->n);
    uint64_t s = 0;
    for (int i = 0; i < 32; i++)
        s += cv->v[at[i]].value;
    return s / 32 * cv->n;
}

static int act_withdraw(gen_world *w)
{
    uint32_t x = (uint32_t)gen_below(&w->rng, w->n_exchanges);
    gen_exchange *ex = &w->ex[x];
    gen_entity *e = &w->ents[ex->ent];
    if (e->coins.n == 0)
        return 1;
    uint32_t n = 2 + (uint32_t)gen_heavy(&w->rng, 1, 60);
    if (gen_dests_reserve(w, n + 1) != 0)
        return CW_ENOMEM;
    uint64_t want = 0;
    uint64_t amounts[64];
    if (n > 62)
        n = 62;
    for (uint32_t i = 0; i < n; i++) {
        amounts[i] = gen_heavy(&w->rng, 30000 + gen_below(&w->rng, 70000), 1000000000ULL);
        if (gen_chance(&w->rng, 0.5))
            amounts[i] = round2(amounts[i]);
        want += amounts[i];
    }
    /* an exchange pays out at most an eighth of its hot wallet per batch */
    uint64_t cap = hot_estimate(w, &e->coins) / 8;
    if (want > cap) {
        double f = (double)cap / (double)want;
        want = 0;
        for (uint32_t i = 0; i < n; i++) {
            amounts[i] = (uint64_t)((double)amounts[i] * f);
            want += amounts[i];
        }
    }
    uint64_t feerate = gen_tx_feerate(w);
    uint64_t fee_est = feerate * (n * 43 + 400);
    uint32_t got = 0;
    while (scratch_sum(w, 0) < want + fee_est + GEN_DUST && got < 8 && e->coins.n > 0)
        got += take_random(w, &e->coins, 1);
    uint64_t sum = scratch_sum(w, 0);
    fee_est = feerate * (scratch_vsize(w, 0) + (uint64_t)n * 43 + 60);
    if (sum < want + fee_est + GEN_DUST) {
        /* scale the batch down to what the hot wallet coins hold */
        if (sum < fee_est + (uint64_t)n * 20000) {
            restore(w, &e->coins, 0);
            return 1;
        }
        double f = (double)(sum - fee_est - GEN_DUST) / (double)want * 0.95;
        for (uint32_t i = 0; i < n; i++)
            amounts[i] = (uint64_t)((double)amounts[i] * f);
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t to = random_user(w);
        uint8_t type;
        uint32_t addr = gen_addr_recv(w, to, &type);
        if (!addr)
            return CW_EIO;
        set_dest(&w->dests[i], amounts[i] < GEN_DUST ? GEN_DUST : amounts[i], addr, to, type,
                 &w->ents[to].coins);
    }
    int rc = gen_send(w, w->scratch.v, w->scratch.n, w->dests, n, ex->ent, feerate, NULL, NULL,
                      NULL, GEN_NO_TAG);
    if (rc == 1) {
        restore(w, &e->coins, 0);
        return 1;
    }
    w->scratch.n = 0;
    return rc;
}

static int act_sweep(gen_world *w)
{
    uint32_t x = (uint32_t)gen_below(&w->rng, w->n_exchanges);
    gen_exchange *ex = &w->ex[x];
    if (ex->deposits.n < 3)
        return 1;
    take_random(w, &ex->deposits, 3 + (uint32_t)gen_below(&w->rng, 40));
    gen_dest d;
    set_dest(&d, 0, ex->hot_addr[gen_below(&w->rng, 3)], ex->ent, w->ents[ex->ent].pref_type,
             &w->ents[ex->ent].coins);
    uint64_t fr = w->feerate / 2 ? w->feerate / 2 : 1;
    int rc = sweep(w, 0, &d, fr);
    if (rc == 1)
        restore(w, &ex->deposits, 0);
    return rc;
}

static int act_merchant(gen_world *w)
{
    uint32_t m = w->first_merchant + (uint32_t)gen_below(&w->rng, w->n_merchants);
    gen_entity *e = &w->ents[m];
    if (e->coins.n < 4)
        return 1;
    take_random(w, &e->coins, e->coins.n > 30 ? 30 : e->coins.n);
    uint32_t x = e->home_ex;
    uint32_t addr = deposit_addr(w, x, m);
    if (!addr)
        return CW_EIO;
    gen_dest d;
    set_dest(&d, 0, addr, w->ex[x].ent, w->ents[w->ex[x].ent].pref_type, &w->ex[x].deposits);
    int rc = sweep(w, 0, &d, gen_tx_feerate(w));
    if (rc == 1)
        restore(w, &e->coins, 0);
    return rc;
}

static int act_service(gen_world *w)
{
    uint32_t s = w->first_service + (uint32_t)gen_below(&w->rng, w->n_services);
    gen_entity *e = &w->ents[s];
    if (e->coins.n == 0)
        return 1;
    take_random(w, &e->coins, 1 + e->coins.n / 3 > 30 ? 30 : 1 + e->coins.n / 3);
    uint64_t sum = scratch_sum(w, 0);
    uint64_t feerate = gen_tx_feerate(w);
    uint32_t n = 1 + (uint32_t)gen_below(&w->rng, 15);
    uint64_t fee_est = feerate * (scratch_vsize(w, 0) + 43ULL * n + 100);
    if (sum < fee_est + 30000ULL * n) {
        restore(w, &e->coins, 0);
        return 1;
    }
    if (gen_dests_reserve(w, n + 1) != 0)
        return CW_ENOMEM;
    uint64_t budget = (uint64_t)((double)(sum - fee_est) * (0.2 + 0.6 * gen_unit(&w->rng)));
    for (uint32_t i = 0; i < n; i++) {
        uint32_t to = random_user(w);
        uint8_t type;
        uint32_t addr = gen_addr_recv(w, to, &type);
        if (!addr)
            return CW_EIO;
        uint64_t v = budget / n;
        set_dest(&w->dests[i], v < GEN_DUST ? GEN_DUST : v, addr, to, type, &w->ents[to].coins);
    }
    int rc = gen_send(w, w->scratch.v, w->scratch.n, w->dests, n, s, feerate, NULL, NULL, NULL,
                      GEN_NO_TAG);
    if (rc == 1) {
        restore(w, &e->coins, 0);
        return 1;
    }
    w->scratch.n = 0;
    return rc;
}

static int miner_pays(gen_world *w, uint32_t m)
{
    gen_entity *e = &w->ents[m];
    if (take_random(w, &e->coins, 1 + (uint32_t)gen_below(&w->rng, 3)) == 0)
        return 1;
    uint64_t sum = scratch_sum(w, 0);
    uint64_t feerate = gen_tx_feerate(w);
    uint32_t n = gen_chance(&w->rng, 0.5) ? 3 + (uint32_t)gen_below(&w->rng, 18) : 0;
    uint64_t fee_est = feerate * (scratch_vsize(w, 0) + 43ULL * (n + 2) + 60);
    if (sum < fee_est + 100000ULL * (n + 1)) {
        restore(w, &e->coins, 0);
        return 1;
    }
    if (gen_dests_reserve(w, n + 2) != 0)
        return CW_ENOMEM;
    uint64_t avail = sum - fee_est;
    uint64_t payout = n ? avail * (20 + gen_below(&w->rng, 30)) / 100 : 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t to = random_user(w);
        uint8_t type;
        uint32_t addr = gen_addr_recv(w, to, &type);
        if (!addr)
            return CW_EIO;
        set_dest(&w->dests[i], payout / n, addr, to, type, &w->ents[to].coins);
    }
    /* the miner sells most of the rest, spreading its sales over the exchanges */
    uint32_t x = (uint32_t)gen_below(&w->rng, w->n_exchanges);
    uint32_t addr = deposit_addr(w, x, m);
    if (!addr)
        return CW_EIO;
    set_dest(&w->dests[n], (avail - payout) * (70 + gen_below(&w->rng, 25)) / 100, addr,
             w->ex[x].ent, w->ents[w->ex[x].ent].pref_type, &w->ex[x].deposits);
    int rc = gen_send(w, w->scratch.v, w->scratch.n, w->dests, n + 1, m, feerate, NULL, NULL, NULL,
                      GEN_NO_TAG);
    if (rc == 1) {
        restore(w, &e->coins, 0);
        return 1;
    }
    w->scratch.n = 0;
    return rc;
}

static int act_miner(gen_world *w)
{
    return miner_pays(w, w->first_miner + (uint32_t)gen_below(&w->rng, w->n_miners));
}

static uint32_t spendable_count(const gen_world *w, const gen_coinvec *cv)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < cv->n && n < 3; i++)
        n += gen_coin_spendable(w, &cv->v[i]);
    return n;
}

/* Keeps money moving whatever the transaction budget: miners with several mature coinbases
 * pay out and sell, exchanges with many unswept deposits sweep them. */
static int priority_step(gen_world *w)
{
    uint32_t m = w->first_miner + (uint32_t)gen_below(&w->rng, w->n_miners);
    if (spendable_count(w, &w->ents[m].coins) >= 3)
        return miner_pays(w, m);
    /* coordinators sell their fee income; exchanges consolidate a fragmented hot wallet; this
     * keeps every wallet's coin count, and so the memory, bounded */
    uint32_t c = gen_chance(&w->rng, 0.5) ? w->whirlpool_coord : w->wasabi_coord;
    if (w->ents[c].coins.n >= 64) {
        gen_entity *e = &w->ents[c];
        take_random(w, &e->coins, 40);
        uint32_t cx = e->home_ex;
        uint32_t addr = deposit_addr(w, cx, c);
        if (!addr)
            return CW_EIO;
        gen_dest d;
        set_dest(&d, 0, addr, w->ex[cx].ent, w->ents[w->ex[cx].ent].pref_type, &w->ex[cx].deposits);
        int rc = sweep(w, 0, &d, w->feerate / 2 ? w->feerate / 2 : 1);
        if (rc == 1)
            restore(w, &e->coins, 0);
        return rc;
    }
    uint32_t x = (uint32_t)gen_below(&w->rng, w->n_exchanges);
    gen_entity *xe = &w->ents[w->ex[x].ent];
    if (xe->coins.n >= 400) {
        take_random(w, &xe->coins, 60);
        gen_dest d;
        set_dest(&d, 0, w->ex[x].hot_addr[gen_below(&w->rng, 3)], w->ex[x].ent, xe->pref_type,
                 &xe->coins);
        int rc = sweep(w, 0, &d, w->feerate / 2 ? w->feerate / 2 : 1);
        if (rc == 1)
            restore(w, &xe->coins, 0);
        return rc;
    }
    if (w->ex[x].deposits.n >= 60) {
        /* act_sweep picks its own exchange: sweep this one directly */
        gen_exchange *ex = &w->ex[x];
        take_random(w, &ex->deposits, 3 + (uint32_t)gen_below(&w->rng, 40));
        gen_dest d;
        set_dest(&d, 0, ex->hot_addr[gen_below(&w->rng, 3)], ex->ent, w->ents[ex->ent].pref_type,
                 &w->ents[ex->ent].coins);
        int rc = sweep(w, 0, &d, w->feerate / 2 ? w->feerate / 2 : 1);
        if (rc == 1)
            restore(w, &ex->deposits, 0);
        return rc;
    }
    return 1;
}

static int act_consolidate(gen_world *w)
{
    uint32_t u = pick_user(w, 8);
    if (u == UINT32_MAX)
        return 1;
    gen_entity *e = &w->ents[u];
    take_random(w, &e->coins, e->coins.n > 40 ? 40 : e->coins.n);
    gen_dest d;
    uint8_t type;
    uint32_t addr = gen_addr_recv(w, u, &type);
    if (!addr)
        return CW_EIO;
    set_dest(&d, 0, addr, u, type, &e->coins);
    int rc = sweep(w, 0, &d, w->feerate / 2 ? w->feerate / 2 : 1);
    if (rc == 1)
        restore(w, &e->coins, 0);
    return rc;
}

/* ---------------------------------------------------------------- Whirlpool */

int gen_truth_coinjoin(gen_world *w, const uint8_t txid[32], const char *kind, uint32_t coord,
                       uint32_t n_in, uint32_t n_out, const char *heist)
{
    char hx[65];
    cw_hex_encode_rev(hx, txid, 32);
    w->n_coinjoins++;
    if (fprintf(w->f_cj, "%s,%u,%s,%u,%u,%u,%s\n", hx, w->height, kind, coord, n_in, n_out,
                heist ? heist : "") < 0)
        return cw_error_set(CW_EIO, "%s/coinjoins.csv: write failed", w->truth_dir);
    return 0;
}

static void shuffle_coins(gen_world *w, gen_coin *v, uint32_t n)
{
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = (uint32_t)gen_below(&w->rng, i);
        gen_coin t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

static uint32_t new_addr_typed(gen_world *w, uint32_t owner, uint8_t type)
{
    gen_entity *e = &w->ents[owner];
    return gen_addr_new(w, owner, e->cat, type, UINT32_MAX);
}

/* Moves postmix coins out of an over-full remix queue back into their owners' wallets. */
static int pool_exit(gen_world *w, gen_pool *pool)
{
    while (pool->remix.n > 25) {
        gen_coin c = gen_coinvec_take(&pool->remix, (uint32_t)gen_below(&w->rng, pool->remix.n));
        int rc = gen_coinvec_push(&w->ents[c.owner].coins, &c);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int gen_whirlpool_mix(gen_world *w, int p, const gen_coin *extra, uint32_t xowner, uint32_t xtag,
                      const char *label, gen_coin *xres, uint8_t txid[32])
{
    gen_pool *pool = &w->pools[p];
    bool xpre = extra && extra->value > pool->denom;
    uint32_t need = extra ? 4 : 5;
    uint32_t want_pre = xpre ? 1 : 2;
    uint32_t pre = pool->premix.n < want_pre ? pool->premix.n : want_pre;
    uint32_t re = need - pre;
    if (pool->remix.n < re) {
        uint32_t short_by = re - pool->remix.n;
        re = pool->remix.n;
        pre += short_by;
    }
    if (pre > pool->premix.n || (pre == 0 && !xpre) || pre + re != need)
        return 1;
    w->scratch.n = 0;
    if (w->mixed) {
        /* a wallet never mixes with itself: five distinct owners */
        uint32_t owners[5], no = 0;
        if (extra)
            owners[no++] = xowner;
        gen_coinvec *src[2] = {&pool->premix, &pool->remix};
        uint32_t cnt[2] = {pre, re};
        for (int q = 0; q < 2; q++)
            for (uint32_t i = 0; i < cnt[q]; i++) {
                gen_coinvec *cv = src[q];
                uint32_t got = UINT32_MAX;
                for (int t = 0; t < 16 && got == UINT32_MAX; t++) {
                    uint32_t k = (uint32_t)gen_below(&w->rng, cv->n);
                    bool dup = false;
                    for (uint32_t j = 0; j < no; j++)
                        dup |= owners[j] == cv->v[k].owner;
                    if (!dup)
                        got = k;
                }
                if (got == UINT32_MAX || cv->n == 0) {
                    /* not enough distinct owners waiting: put the coins back */
                    for (uint32_t j = 0; j < w->scratch.n; j++)
                        gen_coinvec_push(w->scratch.v[j].value > pool->denom ? &pool->premix
                                                                             : &pool->remix,
                                         &w->scratch.v[j]);
                    w->scratch.n = 0;
                    return 1;
                }
                gen_coin c = gen_coinvec_take(cv, got);
                owners[no++] = c.owner;
                gen_coinvec_push(&w->scratch, &c);
            }
    } else {
        for (uint32_t i = 0; i < pre; i++) {
            gen_coin c =
                gen_coinvec_take(&pool->premix, (uint32_t)gen_below(&w->rng, pool->premix.n));
            gen_coinvec_push(&w->scratch, &c);
        }
        for (uint32_t i = 0; i < re; i++) {
            gen_coin c =
                gen_coinvec_take(&pool->remix, (uint32_t)gen_below(&w->rng, pool->remix.n));
            gen_coinvec_push(&w->scratch, &c);
        }
    }
    if (extra)
        gen_coinvec_push(&w->scratch, extra);
    if (w->scratch.n != 5)
        return cw_error_set(CW_ENOMEM, "whirlpool inputs");
    shuffle_coins(w, w->scratch.v, 5);
    gen_coinvec tmp = {0};
    gen_dest d[5];
    for (uint32_t i = 0; i < 5; i++) {
        const gen_coin *c = &w->scratch.v[i];
        bool is_x = extra && c->owner == xowner && c->tag == extra->tag &&
                    !memcmp(c->txid, extra->txid, 32) && c->vout == extra->vout;
        uint32_t a = new_addr_typed(w, c->owner, CW_SCRIPT_P2WPKH);
        if (!a)
            return CW_EIO;
        set_dest(&d[i], pool->denom, a, c->owner, CW_SCRIPT_P2WPKH, is_x ? &tmp : &pool->remix);
        if (is_x)
            d[i].tag = xtag;
    }
    uint8_t id[32];
    int rc = gen_send_exact(w, w->scratch.v, 5, d, 5, id);
    w->scratch.n = 0;
    if (rc == 0 && extra) {
        if (tmp.n != 1)
            rc = cw_error_set(CW_EINVAL, "internal: whirlpool mix lost the extra coin");
        else
            *xres = tmp.v[0];
    }
    gen_coinvec_free(&tmp);
    if (rc != 0)
        return rc;
    if (txid)
        memcpy(txid, id, 32);
    if ((rc = gen_truth_coinjoin(w, id, "whirlpool", w->whirlpool_coord, 5, 5, label)) != 0)
        return rc;
    return pool_exit(w, pool);
}

/* Mixed economy Tx0: 1..3 of a user's coins pay k premix outputs (denomination plus a fee slack
 * drawn per Tx0), the pool fee (sometimes discounted), a 46-byte OP_RETURN and the change (now
 * and then split in two), in random order. */
static int honest_tx0_mixed(gen_world *w, int p)
{
    gen_pool *pool = &w->pools[p];
    uint64_t unit = pool->denom + pool->premix_extra * (50 + gen_below(&w->rng, 151)) / 100;
    uint64_t coord_fee = pool->denom * 35 / 1000;
    if (gen_chance(&w->rng, 0.2))
        coord_fee /= 2; /* a fee code */
    uint64_t feerate = gen_tx_feerate(w);
    for (int t = 0; t < 64; t++) {
        uint32_t u = random_user(w);
        gen_entity *e = &w->ents[u];
        if (e->coins.n == 0)
            continue;
        uint32_t want = 1 + (uint32_t)gen_below(&w->rng, 3);
        take_random(w, &e->coins, want);
        uint64_t sum = scratch_sum(w, 0);
        uint64_t base_vs = scratch_vsize(w, 0) + 11 + 31ULL * 3 + 57;
        if (sum < 2 * unit + coord_fee + feerate * (base_vs + 62)) {
            restore(w, &e->coins, 0);
            continue;
        }
        uint64_t k = (sum - coord_fee - feerate * base_vs) / (unit + 31 * feerate);
        uint64_t cap =
            gen_chance(&w->rng, 0.7) ? 1 + gen_below(&w->rng, 9) : 10 + gen_below(&w->rng, 30);
        if (k > cap)
            k = cap;
        uint64_t fee = feerate * (base_vs + 31 * k);
        if (gen_dests_reserve(w, (uint32_t)k + 4) != 0)
            return CW_ENOMEM;
        uint32_t nd = 0;
        for (uint32_t i = 0; i < k; i++) {
            uint32_t a = new_addr_typed(w, u, CW_SCRIPT_P2WPKH);
            if (!a)
                return CW_EIO;
            set_dest(&w->dests[nd++], unit, a, u, CW_SCRIPT_P2WPKH, &pool->premix);
        }
        uint8_t ct;
        uint32_t ca = gen_addr_recv(w, w->whirlpool_coord, &ct);
        if (!ca)
            return CW_EIO;
        set_dest(&w->dests[nd++], coord_fee, ca, w->whirlpool_coord, ct,
                 &w->ents[w->whirlpool_coord].coins);
        uint64_t change = sum - k * unit - coord_fee - fee;
        uint32_t parts = change >= 4 * GEN_DUST && gen_chance(&w->rng, 0.3) ? 2 : 1;
        uint64_t left = change;
        for (uint32_t i = 0; i < parts && left >= GEN_DUST; i++) {
            uint64_t v = i + 1 == parts ? left : change * (25 + gen_below(&w->rng, 51)) / 100;
            uint8_t type;
            uint32_t a = gen_addr_recv(w, u, &type);
            if (!a)
                return CW_EIO;
            set_dest(&w->dests[nd++], v, a, u, type, &e->coins);
            left -= v;
        }
        gen_dest_op_return(&w->dests[nd++], (uint32_t)gen_next(&w->rng));
        for (uint32_t i = nd; i > 1; i--) {
            uint32_t j = (uint32_t)gen_below(&w->rng, i);
            gen_dest td = w->dests[i - 1];
            w->dests[i - 1] = w->dests[j];
            w->dests[j] = td;
        }
        uint8_t txid[32];
        uint32_t n_in = w->scratch.n;
        int rc = gen_send_exact(w, w->scratch.v, n_in, w->dests, nd, txid);
        w->scratch.n = 0;
        if (rc != 0)
            return rc;
        return gen_truth_tx0(w, txid, pool->denom, u, n_in, (uint32_t)k, nd, NULL);
    }
    return 1;
}

/* Honest Tx0: a user with a large enough coin makes premix coins for pool p. */
int gen_whirlpool_honest_tx0(gen_world *w, int p)
{
    if (w->mixed)
        return honest_tx0_mixed(w, p);
    gen_pool *pool = &w->pools[p];
    uint64_t unit = pool->denom + pool->premix_extra;
    uint64_t coord_fee = pool->denom * 35 / 1000;
    uint64_t feerate = gen_tx_feerate(w);
    uint64_t need = 2 * unit + coord_fee + feerate * 400;
    for (int t = 0; t < 64; t++) {
        uint32_t u = w->first_user + (uint32_t)gen_below(&w->rng, w->n_users);
        gen_entity *e = &w->ents[u];
        uint32_t best = UINT32_MAX;
        for (uint32_t i = 0; i < e->coins.n; i++)
            if (e->coins.v[i].value >= need &&
                (best == UINT32_MAX || e->coins.v[i].value > e->coins.v[best].value))
                best = i;
        if (best == UINT32_MAX)
            continue;
        gen_coin c = gen_coinvec_take(&e->coins, best);
        uint64_t k = (c.value - coord_fee - feerate * 400) / unit;
        uint64_t cap = 1 + gen_below(&w->rng, 9);
        if (k > cap)
            k = cap;
        if (gen_dests_reserve(w, (uint32_t)k + 2) != 0)
            return CW_ENOMEM;
        for (uint32_t i = 0; i < k; i++) {
            uint32_t a = new_addr_typed(w, u, CW_SCRIPT_P2WPKH);
            if (!a)
                return CW_EIO;
            set_dest(&w->dests[i], unit, a, u, CW_SCRIPT_P2WPKH, &pool->premix);
        }
        uint8_t ct;
        uint32_t ca = gen_addr_recv(w, w->whirlpool_coord, &ct);
        if (!ca)
            return CW_EIO;
        set_dest(&w->dests[k], coord_fee, ca, w->whirlpool_coord, ct,
                 &w->ents[w->whirlpool_coord].coins);
        uint8_t txid[32];
        int rc =
            gen_send(w, &c, 1, w->dests, (uint32_t)k + 1, u, feerate, NULL, NULL, txid, GEN_NO_TAG);
        if (rc == 1) {
            gen_coinvec_push(&e->coins, &c);
            continue;
        }
        if (rc == 0)
            rc =
                gen_truth_tx0(w, txid, pool->denom, u, 1, (uint32_t)k, (uint32_t)w->tx.n_out, NULL);
        return rc;
    }
    return 1;
}

static int act_whirlpool(gen_world *w)
{
    int p = (int)gen_below(&w->rng, GEN_N_POOLS);
    gen_pool *pool = &w->pools[p];
    if (pool->premix.n >= 1 && pool->premix.n + pool->remix.n >= 5 && gen_chance(&w->rng, 0.8))
        return gen_whirlpool_mix(w, p, NULL, UINT32_MAX, GEN_NO_TAG, NULL, NULL, NULL);
    return gen_whirlpool_honest_tx0(w, p);
}

/* ---------------------------------------------------------------- Wasabi */

static const uint64_t *wasabi_denoms(size_t *n)
{
    /* 1-2-5 series from 5,000 sat to 50 BTC, largest first */
    static const uint64_t table[] = {5000000000ULL, 2000000000ULL, 1000000000ULL, 500000000ULL,
                                     200000000ULL,  100000000ULL,  50000000ULL,   20000000ULL,
                                     10000000ULL,   5000000ULL,    2000000ULL,    1000000ULL,
                                     500000ULL,     200000ULL,     100000ULL,     50000ULL,
                                     20000ULL,      10000ULL,      5000ULL};
    *n = sizeof table / sizeof table[0];
    return table;
}

/* Appends the standard-denomination outputs for value v (at most 6, the rest as one change
 * output when >= 5000 sat); returns the sum placed; the remainder goes to miners. */
static uint64_t decompose(gen_world *w, uint64_t v, uint32_t owner, gen_coinvec *keep, uint32_t tag,
                          uint32_t *n_dest, int *err)
{
    size_t nd;
    const uint64_t *den = wasabi_denoms(&nd);
    uint64_t placed = 0;
    uint32_t outs = 0;
    uint8_t type = w->ents[owner].cat == GEN_CAT_USER && w->ents[owner].pref_type == CW_SCRIPT_P2TR
                       ? CW_SCRIPT_P2TR
                       : CW_SCRIPT_P2WPKH;
    for (size_t i = 0; i < nd && outs < 6; i++) {
        while (v - placed >= den[i] && outs < 6) {
            if (gen_dests_reserve(w, *n_dest + 2) != 0) {
                *err = CW_ENOMEM;
                return placed;
            }
            uint32_t a = new_addr_typed(w, owner, type);
            if (!a) {
                *err = CW_EIO;
                return placed;
            }
            set_dest(&w->dests[*n_dest], den[i], a, owner, type, keep);
            w->dests[*n_dest].tag = tag;
            (*n_dest)++;
            placed += den[i];
            outs++;
        }
    }
    if (v - placed >= 5000) {
        uint32_t a = new_addr_typed(w, owner, type);
        if (!a) {
            *err = CW_EIO;
            return placed;
        }
        set_dest(&w->dests[*n_dest], v - placed, a, owner, type, keep);
        w->dests[*n_dest].tag = tag;
        (*n_dest)++;
        placed = v;
    }
    return placed;
}

static int dest_cmp(const void *a, const void *b)
{
    const gen_dest *x = a, *y = b;
    if (x->value != y->value)
        return x->value > y->value ? -1 : 1;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int wasabi2_mixed(gen_world *w, const gen_coin *extra, uint32_t n_extra, uint32_t xowner,
                         gen_coinvec *xkeep, uint32_t xtag, double coord_rate, const char *label,
                         uint64_t *xout, uint64_t *xcoord, uint8_t txid[32], uint32_t *n_in_out,
                         uint32_t *n_out_out);

int gen_wasabi_round(gen_world *w, const gen_coin *extra, uint32_t n_extra, uint32_t xowner,
                     gen_coinvec *xkeep, uint32_t xtag, double coord_rate, const char *label,
                     uint64_t *xout, uint64_t *xcoord, uint8_t txid[32], uint32_t *n_in_out,
                     uint32_t *n_out_out)
{
    if (w->mixed)
        return wasabi2_mixed(w, extra, n_extra, xowner, xkeep, xtag, coord_rate, label, xout,
                             xcoord, txid, n_in_out, n_out_out);
    uint64_t feerate = gen_tx_feerate(w);
    uint32_t want = 12 + (uint32_t)gen_below(&w->rng, 40);
    /* participants: [start, end) ranges in scratch */
    typedef struct part {
        uint32_t from, to, owner;
    } part;
    part parts[160];
    uint32_t np = 0;
    w->scratch.n = 0;
    for (uint32_t t = 0; t < want * 3 && np < want; t++) {
        uint32_t u = w->first_user + (uint32_t)gen_below(&w->rng, w->n_users);
        gen_entity *e = &w->ents[u];
        if (e->coins.n == 0)
            continue;
        uint32_t from = w->scratch.n;
        uint32_t k = 1 + (uint32_t)gen_below(&w->rng, 2);
        for (uint32_t i = 0; i < e->coins.n && w->scratch.n - from < k;) {
            if (e->coins.v[i].value >= 100000) {
                gen_coin c = gen_coinvec_take(&e->coins, i);
                gen_coinvec_push(&w->scratch, &c);
            } else {
                i++;
            }
        }
        if (w->scratch.n > from)
            parts[np++] = (part){from, w->scratch.n, u};
    }
    uint32_t honest_parts = np;
    if (honest_parts < 5) {
        for (uint32_t i = 0; i < np; i++) {
            w->scratch.n = parts[i].to;
            restore(w, &w->ents[parts[i].owner].coins, parts[i].from);
        }
        w->scratch.n = 0;
        return 1;
    }
    for (uint32_t i = 0; i < n_extra;) {
        uint32_t from = w->scratch.n;
        for (uint32_t j = 0; j < 10 && i < n_extra; j++, i++)
            gen_coinvec_push(&w->scratch, &extra[i]);
        if (np < 160)
            parts[np++] = (part){from, w->scratch.n, xowner};
        else
            parts[np - 1].to = w->scratch.n;
    }
    uint32_t n_dest = 0;
    uint64_t coord_total = 0, x_out = 0, x_coord = 0;
    int err = 0;
    for (uint32_t i = 0; i < np && !err; i++) {
        bool is_x = i >= honest_parts;
        uint64_t in = 0, vs = 0;
        for (uint32_t j = parts[i].from; j < parts[i].to; j++) {
            in += w->scratch.v[j].value;
            vs += gen_input_vsize(w->scratch.v[j].type);
        }
        uint64_t mining = feerate * (vs + 8ULL * 31);
        uint64_t coord = in >= 1000000 ? (uint64_t)((double)in * coord_rate) : 0;
        if (in < mining + coord + 5000) {
            mining = in - coord > 5000 ? mining : 0;
            if (in < coord + 5000)
                coord = 0;
            if (in < mining + coord)
                mining = in - coord;
        }
        uint64_t v = in - mining - coord;
        gen_coinvec *keep = is_x ? xkeep : &w->ents[parts[i].owner].coins;
        uint64_t placed =
            decompose(w, v, parts[i].owner, keep, is_x ? xtag : GEN_NO_TAG, &n_dest, &err);
        coord_total += coord;
        if (is_x) {
            x_out += placed;
            x_coord += coord;
        }
    }
    if (err)
        return err;
    if (coord_total > 0) {
        if (gen_dests_reserve(w, n_dest + 1) != 0)
            return CW_ENOMEM;
        uint8_t ct;
        uint32_t ca = gen_addr_recv(w, w->wasabi_coord, &ct);
        if (!ca)
            return CW_EIO;
        set_dest(&w->dests[n_dest++], coord_total, ca, w->wasabi_coord, ct,
                 &w->ents[w->wasabi_coord].coins);
    }
    qsort(w->dests, n_dest, sizeof *w->dests, dest_cmp);
    uint32_t n_in = w->scratch.n;
    shuffle_coins(w, w->scratch.v, n_in);
    uint8_t id[32];
    int rc = gen_send_exact(w, w->scratch.v, n_in, w->dests, n_dest, id);
    w->scratch.n = 0;
    if (rc != 0)
        return rc;
    if (xout)
        *xout = x_out;
    if (xcoord)
        *xcoord = x_coord;
    if (txid)
        memcpy(txid, id, 32);
    if (n_in_out)
        *n_in_out = n_in;
    if (n_out_out)
        *n_out_out = n_dest;
    return gen_truth_coinjoin(w, id, "wasabi2", w->wasabi_coord, n_in, n_dest, label);
}

/* ---------------------------------------------------------------- mixed economy rounds */

typedef struct cj_part {
    uint32_t from, to, owner;
} cj_part;

#define CJ_MAX_PARTS 160

static bool part_has(const cj_part *parts, uint32_t np, uint32_t owner)
{
    for (uint32_t i = 0; i < np; i++)
        if (parts[i].owner == owner)
            return true;
    return false;
}

/* Appends up to `want` honest participants to w->scratch and parts: distinct random users,
 * each bringing 1..kmax random coins of at least min_coin worth min_total in all. */
static uint32_t gather_parts(gen_world *w, cj_part *parts, uint32_t np, uint32_t want,
                             uint64_t min_coin, uint32_t kmax, uint64_t min_total)
{
    uint32_t goal = np + want > CJ_MAX_PARTS - 20 ? CJ_MAX_PARTS - 20 : np + want;
    for (uint32_t t = 0; t < want * 4 && np < goal; t++) {
        uint32_t u = random_user(w);
        gen_entity *e = &w->ents[u];
        if (e->coins.n == 0 || part_has(parts, np, u))
            continue;
        uint32_t from = w->scratch.n;
        uint32_t k = 1 + (uint32_t)gen_below(&w->rng, kmax);
        for (uint32_t tries = 0; tries < 2 * k + 2 && w->scratch.n - from < k && e->coins.n;
             tries++) {
            uint32_t i = (uint32_t)gen_below(&w->rng, e->coins.n);
            if (e->coins.v[i].value < min_coin)
                continue;
            gen_coin c = gen_coinvec_take(&e->coins, i);
            gen_coinvec_push(&w->scratch, &c);
        }
        if (w->scratch.n == from)
            continue;
        if (scratch_sum(w, from) < min_total) {
            restore(w, &e->coins, from);
            continue;
        }
        parts[np++] = (cj_part){from, w->scratch.n, u};
    }
    return np;
}

/* Gives every honest participant's coins back (the round did not happen). */
static void ungather(gen_world *w, const cj_part *parts, uint32_t np)
{
    for (uint32_t i = np; i-- > 0;) {
        w->scratch.n = parts[i].to;
        restore(w, &w->ents[parts[i].owner].coins, parts[i].from);
    }
    w->scratch.n = 0;
}

/* Adds the extra owner's coins as clients of at most 10 coins each. */
static uint32_t add_extra(gen_world *w, cj_part *parts, uint32_t np, const gen_coin *extra,
                          uint32_t n_extra, uint32_t xowner, uint32_t per_client)
{
    for (uint32_t i = 0; i < n_extra;) {
        uint32_t from = w->scratch.n;
        for (uint32_t j = 0; j < per_client && i < n_extra; j++, i++)
            gen_coinvec_push(&w->scratch, &extra[i]);
        if (np < CJ_MAX_PARTS)
            parts[np++] = (cj_part){from, w->scratch.n, xowner};
        else
            parts[np - 1].to = w->scratch.n;
    }
    return np;
}

static void part_sums(const gen_world *w, const cj_part *p, uint64_t *in, uint64_t *vs)
{
    *in = 0;
    *vs = 0;
    for (uint32_t j = p->from; j < p->to; j++) {
        *in += w->scratch.v[j].value;
        *vs += gen_input_vsize(w->scratch.v[j].type);
    }
}

/* One output of owner (fresh address of type) kept in keep with tag; returns 0 or an error. */
static int push_dest(gen_world *w, uint32_t *n_dest, uint64_t value, uint32_t owner, uint8_t type,
                     gen_coinvec *keep, uint32_t tag)
{
    if (gen_dests_reserve(w, *n_dest + 2) != 0)
        return CW_ENOMEM;
    uint32_t a = new_addr_typed(w, owner, type);
    if (!a)
        return CW_EIO;
    set_dest(&w->dests[*n_dest], value, a, owner, type, keep);
    w->dests[*n_dest].tag = tag;
    (*n_dest)++;
    return 0;
}

static void shuffle_dests_w(gen_world *w, gen_dest *d, uint32_t n)
{
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = (uint32_t)gen_below(&w->rng, i);
        gen_dest t = d[i - 1];
        d[i - 1] = d[j];
        d[j] = t;
    }
}

static int coin_val_desc(const void *a, const void *b)
{
    const gen_coin *x = a, *y = b;
    if (x->value != y->value)
        return x->value > y->value ? -1 : 1;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return x->vout < y->vout ? -1 : x->vout > y->vout;
}

/* Wasabi 2 standard denominations from 5,000 sat to 2^37 sat, largest first: powers of 2 and
 * of 3, twice powers of 3, and 1-2-5 times powers of 10. */
static size_t ww2_denoms(uint64_t *out, size_t cap)
{
    size_t n = 0;
    const uint64_t lo = 5000, hi = 1ULL << 37;
    for (uint64_t v = 1; v <= hi; v *= 2)
        if (v >= lo && n < cap)
            out[n++] = v;
    for (uint64_t v = 1; v <= hi; v *= 3) {
        if (v >= lo && n < cap)
            out[n++] = v;
        if (2 * v >= lo && 2 * v <= hi && n < cap)
            out[n++] = 2 * v;
    }
    for (uint64_t v = 1; v <= hi; v *= 10) {
        static const uint64_t m[3] = {1, 2, 5};
        for (int i = 0; i < 3; i++)
            if (m[i] * v >= lo && m[i] * v <= hi && n < cap)
                out[n++] = m[i] * v;
    }
    /* sort descending, drop duplicates (insertion sort: ~110 values, once per round) */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && out[j] > out[j - 1]; j--) {
            uint64_t t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || out[i] != out[k - 1])
            out[k++] = out[i];
    return k;
}

/* The largest denomination <= v, or 0. */
static uint64_t ww2_floor(const uint64_t *den, size_t nd, uint64_t v)
{
    for (size_t i = 0; i < nd; i++)
        if (den[i] <= v)
            return den[i];
    return 0;
}

/* A Wasabi 2 round in the mixed economy: many denominations, with one or two popular in the
 * round so that equal outputs outnumber the inputs; each participant's value less its mining
 * share and the coordinator fee (coord_rate of inputs >= 0.01 BTC) becomes up to 10 outputs
 * (copies of the popular denomination, then, by the round's style, the largest standard
 * denominations, none, or one or two), a change output for what is left (>= 5,000 sat, else
 * miners); sometimes one output pays back to an
 * address of one of its owner's inputs. Outputs by value, largest first; inputs shuffled or by
 * value. */
static int wasabi2_mixed(gen_world *w, const gen_coin *extra, uint32_t n_extra, uint32_t xowner,
                         gen_coinvec *xkeep, uint32_t xtag, double coord_rate, const char *label,
                         uint64_t *xout, uint64_t *xcoord, uint8_t txid[32], uint32_t *n_in_out,
                         uint32_t *n_out_out)
{
    uint64_t den[160];
    size_t nd = ww2_denoms(den, 160);
    uint64_t feerate = gen_tx_feerate(w);
    cj_part parts[CJ_MAX_PARTS];
    w->scratch.n = 0;
    uint32_t want = 8 + (uint32_t)gen_below(&w->rng, 40);
    /* one round in seven has mainnet's size (a coordinator that waits for >= 150 inputs):
     * 100..139 participants of 1..4 coins, every participant's value decomposed on the whole
     * ladder (no popular denomination: the values repeat only where participants meet), no
     * coordinator fee (today's coordinators charge none) */
    bool large = gen_chance(&w->rng, 1.0 / 7);
    if (large)
        want = 100 + (uint32_t)gen_below(&w->rng, 40);
    uint32_t np =
        gather_parts(w, parts, 0, want, 20000, large || gen_chance(&w->rng, 0.5) ? 4 : 1, 50000);
    uint32_t honest = np;
    if (honest < 5) {
        ungather(w, parts, np);
        return 1;
    }
    np = add_extra(w, parts, np, extra, n_extra, xowner, 10);
    if (large || gen_chance(&w->rng, 0.1))
        coord_rate = 0; /* a coordinator without fees */
    /* values after fees, and the round's popular denominations from their spread */
    uint64_t vals[CJ_MAX_PARTS] = {0}, coords[CJ_MAX_PARTS] = {0};
    uint64_t coord_total = 0;
    for (uint32_t i = 0; i < np; i++) {
        uint64_t in, vs;
        part_sums(w, &parts[i], &in, &vs);
        uint64_t mining = feerate * (vs + 10ULL * 31);
        uint64_t coord = in >= 1000000 ? (uint64_t)((double)in * coord_rate) : 0;
        if (in < mining + coord + 5000) {
            coord = 0;
            mining = in > 5000 ? (in - 5000 < mining ? in - 5000 : mining) : in;
        }
        vals[i] = in - mining - coord;
        coords[i] = coord;
        coord_total += coord;
    }
    uint64_t sorted[CJ_MAX_PARTS];
    memcpy(sorted, vals, np * sizeof *vals);
    for (uint32_t i = 1; i < np; i++)
        for (uint32_t j = i; j > 0 && sorted[j] < sorted[j - 1]; j--) {
            uint64_t t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    uint64_t median = sorted[np / 2];
    uint64_t pop1 = ww2_floor(den, nd, median / (2 + gen_below(&w->rng, 5)));
    uint64_t pop2 = ww2_floor(den, nd, pop1 / (2 + gen_below(&w->rng, 4)));
    /* the round's style: full decomposition (45 %), the popular denomination and change only
     * (35 %: e.g. 37 inputs, 72 outputs, 45 of one value), or a few denominations (20 %) */
    uint64_t style = gen_below(&w->rng, 100);
    if (style >= 45 && style < 80)
        pop2 = 0;
    if (large) {
        style = 0; /* full decomposition */
        pop1 = pop2 = 0;
    }
    uint32_t n_dest = 0;
    uint64_t x_out = 0, x_coord = 0;
    int rc = 0;
    for (uint32_t i = 0; i < np && rc == 0; i++) {
        bool is_x = i >= honest;
        uint32_t owner = parts[i].owner;
        gen_coinvec *keep = is_x ? xkeep : &w->ents[owner].coins;
        uint32_t tag = is_x ? xtag : GEN_NO_TAG;
        uint8_t type =
            w->ents[owner].cat == GEN_CAT_USER && w->ents[owner].pref_type == CW_SCRIPT_P2TR
                ? CW_SCRIPT_P2TR
                : CW_SCRIPT_P2WPKH;
        uint64_t v = vals[i], placed = 0;
        uint32_t outs = 0, max_outs = 4 + (uint32_t)gen_below(&w->rng, 7);
        uint32_t n_std = style < 45   ? max_outs
                         : style < 80 ? 0
                                      : 1 + (uint32_t)gen_below(&w->rng, 2);
        uint32_t first = n_dest;
        uint64_t pops[2] = {pop1, pop2};
        for (int q = 0; q < 2 && rc == 0; q++) {
            if (!pops[q] || (q == 1 && gen_chance(&w->rng, 0.5)))
                continue;
            uint64_t m = (v - placed) / pops[q];
            uint64_t cap = 1 + gen_below(&w->rng, q == 0 ? 8 : 4);
            if (m > cap)
                m = cap;
            for (uint64_t c = 0; c < m && outs < max_outs && rc == 0; c++, outs++) {
                rc = push_dest(w, &n_dest, pops[q], owner, type, keep, tag);
                placed += pops[q];
            }
        }
        while (rc == 0 && outs + 1 < max_outs && n_std > 0 && v - placed >= 5000) {
            n_std--;
            uint64_t d = ww2_floor(den, nd, v - placed);
            if (!d)
                break;
            rc = push_dest(w, &n_dest, d, owner, type, keep, tag);
            placed += d;
            outs++;
        }
        if (rc == 0 && v - placed >= 5000) {
            rc = push_dest(w, &n_dest, v - placed, owner, type, keep, tag); /* change */
            placed = v;
        }
        if (rc == 0 && n_dest > first && gen_chance(&w->rng, 0.012)) {
            /* pays back to the address of one of this participant's inputs */
            const gen_coin *c = &w->scratch.v[parts[i].from];
            gen_dest *d = &w->dests[first + (uint32_t)gen_below(&w->rng, n_dest - first)];
            d->addr = c->addr;
            d->type = c->type;
        }
        if (is_x) {
            x_out += placed;
            x_coord += coords[i];
        }
    }
    if (rc != 0)
        return rc;
    if (coord_total > 0) {
        if (gen_dests_reserve(w, n_dest + 1) != 0)
            return CW_ENOMEM;
        uint8_t ct;
        uint32_t ca = gen_addr_recv(w, w->wasabi_coord, &ct);
        if (!ca)
            return CW_EIO;
        set_dest(&w->dests[n_dest++], coord_total, ca, w->wasabi_coord, ct,
                 &w->ents[w->wasabi_coord].coins);
    }
    qsort(w->dests, n_dest, sizeof *w->dests, dest_cmp);
    uint32_t n_in = w->scratch.n;
    if (gen_chance(&w->rng, 0.5))
        qsort(w->scratch.v, n_in, sizeof *w->scratch.v, coin_val_desc);
    else
        shuffle_coins(w, w->scratch.v, n_in);
    uint8_t id[32];
    rc = gen_send_exact(w, w->scratch.v, n_in, w->dests, n_dest, id);
    w->scratch.n = 0;
    if (rc != 0)
        return rc;
    if (xout)
        *xout = x_out;
    if (xcoord)
        *xcoord = x_coord;
    if (txid)
        memcpy(txid, id, 32);
    if (n_in_out)
        *n_in_out = n_in;
    if (n_out_out)
        *n_out_out = n_dest;
    return gen_truth_coinjoin(w, id, "wasabi2", w->wasabi_coord, n_in, n_dest, label);
}

/* A Wasabi 1.x round: one main denomination (about 0.1 BTC, drawn per round), some
 * participants also mixing at 2x and 4x it, a change output per participant (>= 5,000 sat,
 * else miners), one coordinator fee output (coord_rate of the mixed value); outputs and inputs
 * shuffled. A participant that cannot pay one denomination takes its value back as change. */
int gen_wasabi1_round(gen_world *w, const gen_coin *extra, uint32_t n_extra, uint32_t xowner,
                      gen_coinvec *xkeep, uint32_t xtag, const char *label, uint64_t *xout,
                      uint64_t *xcoord, uint8_t txid[32], uint32_t *n_in_out, uint32_t *n_out_out)
{
    uint64_t feerate = gen_tx_feerate(w);
    uint64_t D = 10000000 + gen_below(&w->rng, 200000);
    double rate = 0.002 + 0.002 * gen_unit(&w->rng);
    cj_part parts[CJ_MAX_PARTS];
    w->scratch.n = 0;
    uint32_t want = 15 + (uint32_t)gen_below(&w->rng, 60);
    uint64_t need = D + D / 100 + feerate * 400;
    uint32_t np = gather_parts(w, parts, 0, want, 100000, 3, need);
    uint32_t honest = np;
    if (honest < 5) {
        ungather(w, parts, np);
        return 1;
    }
    np = add_extra(w, parts, np, extra, n_extra, xowner, 10);
    uint32_t n_dest = 0;
    uint64_t coord_total = 0, x_out = 0, x_coord = 0;
    int rc = 0;
    for (uint32_t i = 0; i < np && rc == 0; i++) {
        bool is_x = i >= honest;
        uint32_t owner = parts[i].owner;
        gen_coinvec *keep = is_x ? xkeep : &w->ents[owner].coins;
        uint32_t tag = is_x ? xtag : GEN_NO_TAG;
        uint64_t in, vs;
        part_sums(w, &parts[i], &in, &vs);
        uint64_t mining = feerate * (vs + 3ULL * 31);
        uint64_t mixed = 0, placed = 0;
        uint32_t levels = 1 + gen_chance(&w->rng, 0.2) + gen_chance(&w->rng, 0.05);
        for (uint32_t l = 0; l < levels && rc == 0; l++) {
            uint64_t amt = D << l;
            uint64_t coord = (uint64_t)((double)(mixed + amt) * rate);
            if (in < mining + coord + mixed + amt)
                break;
            rc = push_dest(w, &n_dest, amt, owner, CW_SCRIPT_P2WPKH, keep, tag);
            mixed += amt;
        }
        uint64_t coord = (uint64_t)((double)mixed * rate);
        if (in < mining + coord + mixed + 5000)
            mining = in - coord - mixed; /* no change: the rest is the mining share */
        uint64_t change = in - mining - coord - mixed;
        placed = mixed;
        if (rc == 0 && change >= 5000) {
            rc = push_dest(w, &n_dest, change, owner, CW_SCRIPT_P2WPKH, keep, tag);
            placed += change;
        }
        coord_total += coord;
        if (is_x) {
            x_out += placed;
            x_coord += coord;
        }
    }
    if (rc != 0)
        return rc;
    if (coord_total > 0) {
        if (gen_dests_reserve(w, n_dest + 1) != 0)
            return CW_ENOMEM;
        uint8_t ct;
        uint32_t ca = gen_addr_recv(w, w->wasabi_coord, &ct);
        if (!ca)
            return CW_EIO;
        set_dest(&w->dests[n_dest++], coord_total, ca, w->wasabi_coord, ct,
                 &w->ents[w->wasabi_coord].coins);
    }
    shuffle_dests_w(w, w->dests, n_dest);
    uint32_t n_in = w->scratch.n;
    shuffle_coins(w, w->scratch.v, n_in);
    uint8_t id[32];
    rc = gen_send_exact(w, w->scratch.v, n_in, w->dests, n_dest, id);
    w->scratch.n = 0;
    if (rc != 0)
        return rc;
    if (xout)
        *xout = x_out;
    if (xcoord)
        *xcoord = x_coord;
    if (txid)
        memcpy(txid, id, 32);
    if (n_in_out)
        *n_in_out = n_in;
    if (n_out_out)
        *n_out_out = n_dest;
    return gen_truth_coinjoin(w, id, "wasabi1", w->wasabi_coord, n_in, n_dest, label);
}

/* A JoinMarket CoinJoin: a taker (the extra owner, or a random user) and 2..9 makers. Every
 * party gets one output of the taker's amount; each maker a change output of its input less
 * the amount plus its fee (absolute or relative); the taker pays the makers' fees and the
 * whole mining fee from its change (none when it sweeps). All outputs of one script type,
 * shuffled; coordinator_id in coinjoins.csv is the taker. */
int gen_joinmarket_round(gen_world *w, const gen_coin *extra, uint32_t n_extra, uint32_t xowner,
                         gen_coinvec *xkeep, uint32_t xtag, const char *label, uint64_t *xout,
                         uint64_t *xcoord, uint8_t txid[32], uint32_t *n_in_out,
                         uint32_t *n_out_out)
{
    uint64_t feerate = gen_tx_feerate(w);
    cj_part parts[CJ_MAX_PARTS];
    w->scratch.n = 0;
    uint32_t n_makers = 2 + (uint32_t)gen_below(&w->rng, 8);
    uint32_t np = gather_parts(w, parts, 0, n_makers, 20000, 3, 100000);
    if (np < 2) {
        ungather(w, parts, np);
        return 1;
    }
    uint32_t taker;
    gen_coinvec *tkeep;
    uint32_t ttag = GEN_NO_TAG;
    if (extra) {
        np = add_extra(w, parts, np, extra, n_extra, xowner, n_extra);
        taker = xowner;
        tkeep = xkeep;
        ttag = xtag;
    } else {
        uint32_t before = np;
        np = gather_parts(w, parts, np, 1, 20000, 4, 150000);
        if (np == before) {
            ungather(w, parts, np);
            return 1;
        }
        taker = parts[np - 1].owner;
        tkeep = &w->ents[taker].coins;
    }
    uint32_t makers = np - 1;
    uint64_t tin, tvs, vs_all = 0;
    part_sums(w, &parts[makers], &tin, &tvs);
    uint64_t amax = UINT64_MAX;
    for (uint32_t i = 0; i < makers; i++) {
        uint64_t in, vs;
        part_sums(w, &parts[i], &in, &vs);
        vs_all += vs;
        if (in < amax)
            amax = in;
    }
    vs_all += tvs;
    uint64_t mining = feerate * (vs_all + 11 + 31ULL * 2 * np);
    uint64_t fee_room = 1000ULL * makers + 30000;
    bool sweep_all = gen_chance(&w->rng, 0.2);
    uint64_t avail = tin > mining + fee_room ? tin - mining - fee_room : 0;
    uint64_t amount =
        sweep_all ? avail : (uint64_t)((double)avail * (0.3 + 0.65 * gen_unit(&w->rng)));
    if (amount > amax)
        amount = amax;
    /* each maker's fee is at most 1000 + amount / 3000: the taker must pay them all */
    uint64_t afford = tin > mining + 1000ULL * makers + 30000
                          ? (uint64_t)((__extension__(unsigned __int128)(tin - mining -
                                                                         1000ULL * makers - 30000) *
                                        3000) /
                                       (3000 + makers))
                          : 0;
    if (amount > afford)
        amount = afford;
    if (!sweep_all && gen_chance(&w->rng, 0.3))
        amount = round2(amount);
    if (amount < 20000) {
        if (extra) {
            /* give the extra coins back to their owner's keeper: they were never ours */
            w->scratch.n = parts[makers].from;
            ungather(w, parts, makers);
        } else {
            ungather(w, parts, np);
        }
        return 1;
    }
    uint8_t type = gen_chance(&w->rng, 0.7) ? CW_SCRIPT_P2WPKH : CW_SCRIPT_P2SH;
    uint32_t n_dest = 0;
    uint64_t fees = 0;
    int rc = 0;
    for (uint32_t i = 0; i < makers && rc == 0; i++) {
        uint32_t owner = parts[i].owner;
        uint64_t in, vs;
        part_sums(w, &parts[i], &in, &vs);
        uint64_t cjfee = gen_chance(&w->rng, 0.5) ? 1 + gen_below(&w->rng, 1000)
                                                  : amount * (2 + gen_below(&w->rng, 29)) / 100000;
        if (cjfee > 1000 + amount / 3000)
            cjfee = 1000 + amount / 3000;
        fees += cjfee;
        rc = push_dest(w, &n_dest, amount, owner, type, &w->ents[owner].coins, GEN_NO_TAG);
        uint64_t change = in - amount + cjfee;
        if (rc == 0 && change >= GEN_DUST)
            rc = push_dest(w, &n_dest, change, owner, type, &w->ents[owner].coins, GEN_NO_TAG);
        else
            fees -= change; /* a dust change is left to the miners */
    }
    if (rc != 0)
        return rc;
    if (tin < amount + fees + mining)
        return cw_error_set(CW_EINVAL, "internal: joinmarket taker cannot pay");
    uint64_t x_out = amount;
    rc = push_dest(w, &n_dest, amount, taker, type, tkeep, ttag);
    uint64_t tchange = tin - amount - fees - mining;
    if (rc == 0 && tchange >= GEN_DUST) {
        rc = push_dest(w, &n_dest, tchange, taker, type, tkeep, ttag);
        x_out += tchange;
    }
    if (rc != 0)
        return rc;
    shuffle_dests_w(w, w->dests, n_dest);
    uint32_t n_in = w->scratch.n;
    shuffle_coins(w, w->scratch.v, n_in);
    uint8_t id[32];
    rc = gen_send_exact(w, w->scratch.v, n_in, w->dests, n_dest, id);
    w->scratch.n = 0;
    if (rc != 0)
        return rc;
    if (xout)
        *xout = x_out;
    if (xcoord)
        *xcoord = fees; /* the maker fees the taker paid */
    if (txid)
        memcpy(txid, id, 32);
    if (n_in_out)
        *n_in_out = n_in;
    if (n_out_out)
        *n_out_out = n_dest;
    return gen_truth_coinjoin(w, id, "joinmarket", taker, n_in, n_dest, label);
}

static int act_wasabi1(gen_world *w)
{
    return gen_wasabi1_round(w, NULL, 0, UINT32_MAX, NULL, GEN_NO_TAG, NULL, NULL, NULL, NULL, NULL,
                             NULL);
}

static int act_joinmarket(gen_world *w)
{
    return gen_joinmarket_round(w, NULL, 0, UINT32_MAX, NULL, GEN_NO_TAG, NULL, NULL, NULL, NULL,
                                NULL, NULL);
}

/* ---------------------------------------------------------------- honest peel chains */

/* Starts an honest peel chain (mixed economy): a user's largest coin of at least 0.5 BTC pays
 * 10..30 successive peels, each a share of the remainder drawn from the chain's own range
 * (up to 45%), to users, merchants or the owner's exchange deposit address. */
static int act_peel_start(gen_world *w)
{
    if (w->n_hpeel >= GEN_MAX_HPEEL)
        return 1;
    for (int t = 0; t < 32; t++) {
        uint32_t u = random_user(w);
        gen_entity *e = &w->ents[u];
        uint32_t best = UINT32_MAX;
        for (uint32_t i = 0; i < e->coins.n; i++)
            if (e->coins.v[i].value >= 50000000 &&
                (best == UINT32_MAX || e->coins.v[i].value > e->coins.v[best].value))
                best = i;
        if (best == UINT32_MAX)
            continue;
        gen_hpeel *c = &w->hpeel[w->n_hpeel++];
        c->coin = gen_coinvec_take(&e->coins, best);
        c->owner = u;
        c->chain = w->n_peel_chains++;
        c->hop = 0;
        c->left = 10 + (uint32_t)gen_below(&w->rng, 21);
        c->f_lo = (uint16_t)(5 + gen_below(&w->rng, 100));
        c->f_hi = (uint16_t)(c->f_lo + gen_below(&w->rng, 450 - c->f_lo));
        c->next_height = w->height + 1;
        return 0;
    }
    return 1;
}

/* One hop of the first honest chain due at this height; 1 when none is due. */
static int honest_peel_due(gen_world *w)
{
    uint32_t k = 0;
    while (k < w->n_hpeel && w->hpeel[k].next_height > w->height)
        k++;
    if (k == w->n_hpeel)
        return 1;
    gen_hpeel *c = &w->hpeel[k];
    uint64_t feerate = gen_tx_feerate(w);
    uint64_t v = c->coin.value;
    uint64_t f = c->f_lo + gen_below(&w->rng, (uint64_t)(c->f_hi - c->f_lo) + 1);
    uint64_t peel = v * f / 1000;
    uint64_t fee = feerate * (gen_input_vsize(c->coin.type) + 11 + 2ULL * 34);
    if (c->left == 0 || peel < 20000 || v < peel + fee + 20000) {
        /* the chain ends: the remainder goes back to the wallet */
        int rc = gen_coinvec_push(&w->ents[c->owner].coins, &c->coin);
        *c = w->hpeel[--w->n_hpeel];
        return rc;
    }
    gen_dest d[2];
    uint64_t r = gen_below(&w->rng, 100);
    uint32_t to, addr;
    uint8_t type;
    const char *exname = "";
    if (r < 55) {
        to = random_user(w);
        if (to == c->owner)
            to = w->first_user + (to - w->first_user + 1) % w->n_users;
        addr = gen_addr_recv(w, to, &type);
        set_dest(&d[0], peel, addr, to, type, &w->ents[to].coins);
    } else if (r < 80) {
        to = w->first_merchant + (uint32_t)gen_below(&w->rng, w->n_merchants);
        type = w->ents[to].pref_type;
        addr = gen_addr_new(w, to, GEN_CAT_MERCHANT, type, UINT32_MAX);
        set_dest(&d[0], peel, addr, to, type, &w->ents[to].coins);
    } else {
        uint32_t x = w->ents[c->owner].home_ex;
        addr = deposit_addr(w, x, c->owner);
        to = w->ex[x].ent;
        type = w->ents[to].pref_type;
        exname = w->sc->exchanges[x];
        set_dest(&d[0], peel, addr, to, type, &w->ex[x].deposits);
    }
    if (!addr)
        return CW_EIO;
    gen_coinvec tmp = {0};
    uint8_t rtype = gen_chance(&w->rng, 0.8) ? c->coin.type : w->ents[c->owner].pref_type;
    uint32_t ra = new_addr_typed(w, c->owner, rtype);
    if (!ra)
        return CW_EIO;
    set_dest(&d[1], v - peel - fee, ra, c->owner, rtype, &tmp);
    uint32_t pv = 0;
    if (gen_chance(&w->rng, 0.5)) {
        gen_dest t = d[0];
        d[0] = d[1];
        d[1] = t;
        pv = 1;
    }
    uint8_t txid[32];
    gen_coin in = c->coin;
    int rc = gen_send_exact(w, &in, 1, d, 2, txid);
    if (rc == 0 && tmp.n != 1)
        rc = cw_error_set(CW_EINVAL, "internal: honest peel chain lost its remainder");
    if (rc == 0) {
        c->coin = tmp.v[0];
        c->hop++;
        c->left--;
        c->next_height = w->height + 1 + (uint32_t)gen_below(&w->rng, 36);
        rc = gen_truth_peel(w, "", c->chain, c->hop, txid, pv, peel, addr, type, exname, 1 - pv,
                            c->coin.value);
    }
    gen_coinvec_free(&tmp);
    return rc;
}

static int act_wasabi(gen_world *w)
{
    return gen_wasabi_round(w, NULL, 0, UINT32_MAX, NULL, GEN_NO_TAG, 0.003, NULL, NULL, NULL, NULL,
                            NULL, NULL);
}

/* ---------------------------------------------------------------- dispatch */

typedef int (*act_fn)(gen_world *w);

int gen_economy_step(gen_world *w)
{
    static const struct {
        act_fn fn;
        unsigned weight;
    } classic[] =
        {
            {act_user_pay, 360}, {act_user_deposit, 140}, {act_withdraw, 120},
            {act_sweep, 45},     {act_merchant, 40},      {act_service, 60},
            {act_miner, 40},     {act_consolidate, 40},   {act_whirlpool, 20},
            {act_wasabi, 1},
        },
      mixed[] = {
          {act_user_pay, 360}, {act_user_deposit, 140}, {act_withdraw, 120}, {act_sweep, 45},
          {act_merchant, 40},  {act_service, 60},       {act_miner, 40},     {act_consolidate, 40},
          {act_whirlpool, 20}, {act_wasabi, 1},         {act_wasabi1, 1},    {act_joinmarket, 2},
          {act_peel_start, 1},
      };
    const __typeof__(classic[0]) *acts = w->mixed ? mixed : classic;
    int n_acts = w->mixed ? (int)(sizeof mixed / sizeof mixed[0])
                          : (int)(sizeof classic / sizeof classic[0]);
    int prc = priority_step(w);
    if (prc <= 0)
        return prc;
    if (w->mixed) {
        int hrc = honest_peel_due(w);
        if (hrc <= 0)
            return hrc;
    }
    unsigned total = 0;
    for (int i = 0; i < n_acts; i++)
        total += acts[i].weight;
    uint64_t x = gen_below(&w->rng, total);
    int first = 0;
    for (int i = 0; i < n_acts; i++) {
        if (x < acts[i].weight) {
            first = i;
            break;
        }
        x -= acts[i].weight;
    }
    for (int k = 0; k < n_acts; k++) {
        int i = (first + k) % n_acts;
        if ((acts[i].fn == act_wasabi || acts[i].fn == act_wasabi1 ||
             acts[i].fn == act_joinmarket || acts[i].fn == act_peel_start) &&
            k > 0)
            continue; /* big rounds only when drawn */
        int rc = acts[i].fn(w);
        if (rc <= 0)
            return rc;
    }
    return 1;
}
