/*
 * world.c: the generator's main loop (cw_gen_run): plans the chain, builds every block from
 * the heists' scheduled transactions and the honest economy, adds the coinbase with its BIP34
 * height and BIP141 witness commitment, grinds the regtest-bits proof of work, writes blocks
 * through the blk writer (a few held back so they land out of height order, a few stale fork
 * siblings), and keeps the coin and address bookkeeping shared by economy.c and heist.c.
 */
#include <string.h>
#include <unistd.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/errors.h"
#include "gen/btc/world.h"

#define GEN_T0 1767225600U /* 2026-01-01T00:00:00Z: block 1 */
#define GEN_BITS 0x207fffffU
#define GEN_MAX_BLOCK_WEIGHT 3600000ULL

/* ---------------------------------------------------------------- coins */

int gen_coinvec_push(gen_coinvec *cv, const gen_coin *c)
{
    if (cv->n == cv->cap) {
        uint32_t cap = cv->cap ? cv->cap * 2 : 4;
        gen_coin *n = cw_realloc(cv->v, (size_t)cap * sizeof *n);
        if (!n)
            return cw_error_set(CW_ENOMEM, "coin vector of %u coins", cap);
        cv->v = n;
        cv->cap = cap;
    }
    cv->v[cv->n++] = *c;
    return 0;
}

gen_coin gen_coinvec_take(gen_coinvec *cv, uint32_t i)
{
    gen_coin c = cv->v[i];
    cv->v[i] = cv->v[--cv->n];
    return c;
}

void gen_coinvec_free(gen_coinvec *cv)
{
    cw_free(cv->v);
    memset(cv, 0, sizeof *cv);
}

uint64_t gen_coinvec_sum(const gen_coinvec *cv)
{
    uint64_t s = 0;
    for (uint32_t i = 0; i < cv->n; i++)
        s += cv->v[i].value;
    return s;
}

/* ---------------------------------------------------------------- addresses */

uint64_t gen_addr_key(const gen_world *w, uint32_t addr)
{
    return (w->salt << 40) + addr;
}

uint32_t gen_addr_new(gen_world *w, uint32_t ent, int cat, uint8_t type, uint32_t customer)
{
    gen_addr_rec *r = gen_sink_addr(&w->sink);
    if (!r) {
        cw_error_set(CW_ENOMEM, "address records");
        return 0;
    }
    uint32_t id = ++w->n_addrs;
    r->id = id;
    r->ent = ent;
    r->customer = customer;
    r->type = type;
    r->cat = (uint8_t)cat;
    return id;
}

uint32_t gen_addr_recv(gen_world *w, uint32_t ent, uint8_t *type)
{
    gen_entity *e = &w->ents[ent];
    if (e->last_addr && gen_below(&w->rng, 65536) < e->reuse) {
        *type = e->last_type;
        return e->last_addr;
    }
    uint8_t t = e->pref_type;
    if (e->cat == GEN_CAT_USER && gen_chance(&w->rng, 0.08)) {
        static const uint8_t types[4] = {CW_SCRIPT_P2PKH, CW_SCRIPT_P2SH, CW_SCRIPT_P2WPKH,
                                         CW_SCRIPT_P2TR};
        t = types[gen_below(&w->rng, 4)];
    }
    uint32_t a = gen_addr_new(w, ent, e->cat, t, UINT32_MAX);
    if (a) {
        e->last_addr = a;
        e->last_type = t;
    }
    *type = t;
    return a;
}

size_t gen_spk_len(uint8_t type)
{
    switch (type) {
    case CW_SCRIPT_P2PKH:
        return 25;
    case CW_SCRIPT_P2SH:
        return 23;
    case CW_SCRIPT_P2TR:
        return 34;
    default:
        return 22;
    }
}

/* Virtual size of one input of a type (72-byte signature), for fee estimates. */
size_t gen_input_vsize(uint8_t type)
{
    switch (type) {
    case CW_SCRIPT_P2PKH:
        return 148;
    case CW_SCRIPT_P2SH:
        return 91;
    case CW_SCRIPT_P2TR:
        return 58;
    default:
        return 68;
    }
}

/* ---------------------------------------------------------------- emitting */

bool gen_block_full(const gen_world *w)
{
    return w->block_weight > GEN_MAX_BLOCK_WEIGHT;
}

uint64_t gen_tx_feerate(gen_world *w)
{
    uint64_t r = w->feerate * (70 + gen_below(&w->rng, 90)) / 100;
    return r ? r : 1;
}

static int emit_fee(gen_world *w, uint64_t fee, uint8_t txid[32])
{
    gen_sink *sk = &w->sink;
    if (gen_sink_tx_reserve(sk) != 0)
        return CW_ENOMEM;
    gen_batch *b = gen_sink_batch(sk);
    size_t base, total;
    gen_tx_sizes(&w->tx, &base, &total);
    size_t before = b->txdata.len;
    int rc = gen_tx_serialize(&b->txdata, &w->tx, b->txids[b->n_tx], NULL);
    if (rc != 0)
        return cw_error_set(rc, "serializing a transaction");
    b->tx_len[b->n_tx] = (uint32_t)(b->txdata.len - before);
    b->tx_wit[b->n_tx] = total != base;
    if (total != base)
        w->block_witness = true;
    w->block_weight += 3 * base + total;
    memcpy(txid, b->txids[b->n_tx], 32);
    b->n_tx++;
    sk->bytes_queued += total;
    w->block_txs++;
    w->block_fees += fee;
    w->inputs += w->tx.n_in;
    w->outputs += w->tx.n_out;
    return 0;
}

int gen_emit(gen_world *w, uint8_t txid[32])
{
    return emit_fee(w, 0, txid);
}

int gen_dests_reserve(gen_world *w, uint32_t n)
{
    if (n <= w->cap_dests)
        return 0;
    uint32_t cap = n + 64;
    gen_dest *d = cw_realloc(w->dests, (size_t)cap * sizeof *d);
    if (!d)
        return cw_error_set(CW_ENOMEM, "%u outputs", cap);
    w->dests = d;
    w->cap_dests = cap;
    return 0;
}

/* deposits.csv: one line per output paying an exchange deposit address (a dest kept in an
 * exchange's deposit vector); stolen when the payer is a heist's thief. */
static int log_deposit(gen_world *w, const uint8_t txid[32], const gen_dest *d, uint32_t vout,
                       uint32_t payer)
{
    uint32_t x = 0;
    while (x < w->n_exchanges && d->keep != &w->ex[x].deposits)
        x++;
    if (x == w->n_exchanges)
        return 0;
    char hx[65], a[CW_ADDR_STR_MAX];
    cw_hex_encode_rev(hx, txid, 32);
    int rc = gen_addr_string(w, d->addr, d->type, a, sizeof a);
    if (rc != 0)
        return rc;
    bool thief = payer >= w->first_thief && payer < w->first_thief + w->n_heists;
    w->n_deposits++;
    if (fprintf(w->f_dep, "%s,%u,%u,%s,%s,%u,%llu,%s\n", hx, vout, w->height, a,
                w->sc->exchanges[x], payer, (unsigned long long)d->value,
                thief ? w->sc->heists[payer - w->first_thief].name : "") < 0)
        return cw_error_set(CW_EIO, "%s/deposits.csv: write failed", w->truth_dir);
    return 0;
}

static int push_outputs(gen_world *w, const uint8_t txid[32], const gen_dest *d, uint32_t n,
                        uint32_t payer)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!d[i].keep)
            continue;
        if (w->f_dep) {
            int rc = log_deposit(w, txid, &d[i], i, payer);
            if (rc != 0)
                return rc;
        }
        gen_coin c;
        memcpy(c.txid, txid, 32);
        c.value = d[i].value;
        c.vout = i;
        c.addr = d[i].addr;
        c.owner = d[i].owner;
        c.height = w->height;
        c.tag = d[i].tag;
        c.type = d[i].type;
        c.coinbase = 0;
        int rc = gen_coinvec_push(d[i].keep, &c);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int add_inputs(gen_world *w, const gen_coin *ins, uint32_t n_in, uint64_t *sum)
{
    *sum = 0;
    for (uint32_t i = 0; i < n_in; i++) {
        if (!gen_tx_add_in(&w->tx, gen_coin_txid(w, &ins[i]), ins[i].vout, ins[i].type,
                           gen_addr_key(w, ins[i].addr), gen_next(&w->rng)))
            return cw_error_set(CW_ENOMEM, "transaction inputs");
        *sum += ins[i].value;
    }
    return 0;
}

void gen_dest_op_return(gen_dest *d, uint32_t seed)
{
    d->value = 0;
    d->addr = seed;
    d->owner = UINT32_MAX;
    d->type = CW_SCRIPT_OP_RETURN;
    d->keep = NULL;
    d->tag = GEN_NO_TAG;
}

static int add_output(gen_world *w, const gen_dest *d)
{
    uint8_t spk[GEN_SPK_MAX];
    size_t n;
    if (d->type == CW_SCRIPT_OP_RETURN) {
        /* OP_RETURN <46 bytes>, as Whirlpool's Tx0 fee payload */
        uint8_t a[32], b[32];
        gen_key_program(a, 0x6f7072657475726eULL ^ d->addr);
        gen_key_program(b, 0x7061796c6f616400ULL ^ d->addr);
        spk[0] = 0x6a;
        spk[1] = 46;
        memcpy(spk + 2, a, 32);
        memcpy(spk + 34, b, 14);
        n = 48;
    } else {
        n = gen_spk(spk, d->type, gen_addr_key(w, d->addr));
    }
    return gen_tx_add_out(&w->tx, d->value, spk, n) ? 0 : cw_error_set(CW_ENOMEM, "outputs");
}

int gen_send_exact(gen_world *w, const gen_coin *ins, uint32_t n_in, const gen_dest *dests,
                   uint32_t n_dest, uint8_t txid_out[32])
{
    gen_tx_reset(&w->tx);
    uint64_t sum_in, sum_out = 0;
    int rc = add_inputs(w, ins, n_in, &sum_in);
    for (uint32_t i = 0; rc == 0 && i < n_dest; i++) {
        rc = add_output(w, &dests[i]);
        sum_out += dests[i].value;
    }
    if (rc != 0)
        return rc;
    if (sum_out > sum_in)
        return cw_error_set(CW_EINVAL, "internal: outputs exceed inputs by %llu sat",
                            (unsigned long long)(sum_out - sum_in));
    uint8_t txid[32];
    if ((rc = emit_fee(w, sum_in - sum_out, txid)) != 0)
        return rc;
    if (txid_out)
        memcpy(txid_out, txid, 32);
    return push_outputs(w, txid, dests, n_dest, n_in ? ins[0].owner : UINT32_MAX);
}

int gen_send(gen_world *w, const gen_coin *ins, uint32_t n_in, gen_dest *dests, uint32_t n_dest,
             uint32_t change_ent, uint64_t feerate, uint64_t *fee_out, uint32_t *change_vout,
             uint8_t txid_out[32], uint32_t change_tag)
{
    gen_tx_reset(&w->tx);
    uint64_t sum_in, sum_out = 0;
    int rc = add_inputs(w, ins, n_in, &sum_in);
    for (uint32_t i = 0; rc == 0 && i < n_dest; i++) {
        rc = add_output(w, &dests[i]);
        sum_out += dests[i].value;
    }
    if (rc != 0)
        return rc;
    uint64_t fee = feerate * gen_tx_vsize(&w->tx);
    if (sum_in < sum_out + fee)
        return 1;
    uint64_t rest = sum_in - sum_out - fee;
    uint32_t cv = UINT32_MAX;
    if (change_ent != UINT32_MAX && rest >= GEN_DUST + feerate * 43) {
        bool own = dests == w->dests;
        if ((rc = gen_dests_reserve(w, n_dest + 1)) != 0)
            return rc;
        if (own)
            dests = w->dests; /* the reserve may have moved the scratch array */
        gen_dest *c = &dests[n_dest];
        c->owner = change_ent;
        c->addr = gen_addr_recv(w, change_ent, &c->type);
        if (!c->addr)
            return CW_EIO;
        c->keep = &w->ents[change_ent].coins;
        c->tag = change_tag;
        c->value = 0;
        if ((rc = add_output(w, c)) != 0)
            return rc;
        fee = feerate * gen_tx_vsize(&w->tx);
        c->value = sum_in - sum_out - fee;
        w->tx.out[n_dest].value = c->value;
        /* the change goes to a random position, as wallets do (BIP69 aside) */
        uint32_t pos = (uint32_t)gen_below(&w->rng, n_dest + 1);
        if (pos != n_dest) {
            gen_dest td = dests[pos];
            dests[pos] = dests[n_dest];
            dests[n_dest] = td;
            gen_txout to = w->tx.out[pos];
            w->tx.out[pos] = w->tx.out[n_dest];
            w->tx.out[n_dest] = to;
        }
        cv = pos;
        n_dest++;
    } else {
        fee = sum_in - sum_out;
    }
    uint8_t txid[32];
    if ((rc = emit_fee(w, fee, txid)) != 0)
        return rc;
    if (fee_out)
        *fee_out = fee;
    if (change_vout)
        *change_vout = cv;
    if (txid_out)
        memcpy(txid_out, txid, 32);
    return push_outputs(w, txid, dests, n_dest, n_in ? ins[0].owner : UINT32_MAX);
}

/* ---------------------------------------------------------------- blocks */

typedef struct stale_plan {
    uint32_t height;
    uint32_t len;
} stale_plan;

typedef struct gen_run {
    gen_world w;
    gen_blkw bw;
    cw_buf block;
    bool has_held; /* mirrors the sink's held block, to draw the same decisions */
    stale_plan *stale;
    uint32_t n_stale, next_stale;
    uint32_t stale_left; /* blocks still to add on the stale tip */
    uint32_t out_of_order;
} gen_run;

/* Decides where a block goes: returns true when it is held back to be written after the next
 * one (the sink writes the blocks; this keeps the draws and the count). */
static bool put_block(gen_run *r, bool may_hold)
{
    if (r->has_held) {
        r->has_held = false;
        r->out_of_order++;
        return false;
    }
    if (may_hold && gen_chance(&r->w.rng, 0.02)) {
        r->has_held = true;
        return true;
    }
    return false;
}

static uint32_t pick_miner(gen_world *w)
{
    /* a skewed hash-rate distribution: weight (n - i)^2 */
    uint64_t total = 0, n = w->n_miners;
    for (uint64_t i = 0; i < n; i++)
        total += (n - i) * (n - i);
    uint64_t x = gen_below(&w->rng, total);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t wt = (n - i) * (n - i);
        if (x < wt)
            return w->first_miner + (uint32_t)i;
        x -= wt;
    }
    return w->first_miner;
}

static uint64_t subsidy(uint32_t height)
{
    uint32_t halvings = height / 210000;
    return halvings >= 64 ? 0 : 5000000000ULL >> halvings;
}

static uint32_t block_time(gen_world *w, uint32_t height)
{
    return GEN_T0 + 600U * (height - 1) + (uint32_t)gen_below(&w->rng, 480);
}

/* The coinbase of a block at height paying value to miner (the sink adds the witness
 * commitment); pay gets the payout. */
static int coinbase_spec(gen_world *w, uint32_t height, uint32_t miner, uint64_t value,
                         gen_cb_spec *cb, gen_dest *pay)
{
    size_t n = gen_bip34(cb->script, height);
    uint64_t extra = gen_next(&w->rng);
    for (int i = 0; i < 8; i++)
        cb->script[n++] = (uint8_t)(extra >> (8 * i));
    static const char tag[] = "/cw-gen/";
    memcpy(cb->script + n, tag, sizeof tag - 1);
    n += sizeof tag - 1;
    cb->script_len = (uint8_t)n;
    pay->owner = miner;
    pay->addr = gen_addr_recv(w, miner, &pay->type);
    if (!pay->addr)
        return CW_EIO;
    pay->value = value;
    pay->keep = &w->ents[miner].coins;
    pay->tag = GEN_NO_TAG;
    cb->value = value;
    cb->spk_len = (uint8_t)gen_spk(cb->spk, pay->type, gen_addr_key(w, pay->addr));
    return 0;
}

/* Completes the block at w->height: its coinbase, where it goes and a stale sibling, as a job
 * for the sink, which assembles and writes it. */
static int finish_block(gen_run *r, uint32_t time)
{
    gen_world *w = &r->w;
    uint32_t h = w->height;
    uint32_t miner = pick_miner(w);
    gen_batch *b = gen_sink_batch(&w->sink);
    gen_block_job *j = &b->job;
    j->height = h;
    j->time = time;
    j->witness = w->block_witness;
    gen_dest pay;
    int rc = coinbase_spec(w, h, miner, subsidy(h) + w->block_fees, &j->cb, &pay);
    if (rc != 0)
        return rc;
    w->outputs += w->block_witness ? 2 : 1;
    j->hold = put_block(r, true);
    gen_coin c;
    memset(c.txid, 0, 32); /* coinbase coins take their txid from the sink (gen_coin_txid) */
    c.value = pay.value;
    c.vout = 0;
    c.addr = pay.addr;
    c.owner = miner;
    c.height = h;
    c.tag = GEN_NO_TAG;
    c.type = pay.type;
    c.coinbase = 1;
    if ((rc = gen_coinvec_push(pay.keep, &c)) != 0)
        return rc;
    w->txs_done += w->block_txs + 1;
    w->inputs += 1;

    /* stale siblings: a one- or two-block branch off the parent of this block (the best
     * chain is longer, so it has more work with equal bits) */
    bool start = r->next_stale < r->n_stale && r->stale[r->next_stale].height == h;
    bool extend = r->stale_left > 0 && !start;
    j->stale = start || extend;
    b->has_job = true;
    if (!j->stale)
        return 0;
    /* a sibling, or an extension one above its stale parent, sits at h */
    j->stale_start = start;
    j->stale_height = h;
    if (start) {
        r->stale_left = r->stale[r->next_stale].len;
        r->next_stale++;
    }
    gen_dest sp;
    uint32_t sm = pick_miner(w);
    /* the stale coinbase pays the miner, but the coin is never spendable */
    if ((rc = coinbase_spec(w, h, sm, subsidy(h), &j->stale_cb, &sp)) != 0)
        return rc;
    j->stale_time = time + 1 + (uint32_t)gen_below(&w->rng, 60);
    (void)put_block(r, false);
    r->stale_left--;
    return 0;
}

/* ---------------------------------------------------------------- setup */

static int setup_entities(gen_world *w)
{
    const cw_gen_scenario *sc = w->sc;
    uint64_t users = w->opts->txs / 40;
    if (users < 300)
        users = 300;
    if (users > 500000)
        users = 500000;
    w->n_miners = sc->miners;
    w->n_exchanges = (uint32_t)sc->n_exchanges;
    w->n_merchants = sc->merchants;
    w->n_services = sc->services;
    w->n_users = (uint32_t)users;
    uint32_t id = 0;
    w->first_miner = id;
    id += w->n_miners;
    w->first_exchange = id;
    id += w->n_exchanges;
    w->first_merchant = id;
    id += w->n_merchants;
    w->first_service = id;
    id += w->n_services;
    w->whirlpool_coord = id++;
    w->wasabi_coord = id++;
    w->first_thief = id;
    id += (uint32_t)sc->n_heists;
    w->first_user = id;
    id += w->n_users;
    w->n_ents = id;
    w->ents = cw_calloc(id, sizeof *w->ents);
    w->ex = cw_calloc(w->n_exchanges, sizeof *w->ex);
    if (!w->ents || !w->ex)
        return cw_error_set(CW_ENOMEM, "%u entities", id);
    static const uint8_t types[4] = {CW_SCRIPT_P2PKH, CW_SCRIPT_P2SH, CW_SCRIPT_P2WPKH,
                                     CW_SCRIPT_P2TR};
    for (uint32_t i = 0; i < id; i++) {
        gen_entity *e = &w->ents[i];
        e->home_ex = (uint32_t)gen_below(&w->rng, w->n_exchanges);
        if (i < w->first_exchange) {
            e->cat = GEN_CAT_MINER;
            e->index = i - w->first_miner;
            e->pref_type = gen_chance(&w->rng, 0.5) ? CW_SCRIPT_P2WPKH : CW_SCRIPT_P2PKH;
            e->reuse = 64000;
        } else if (i < w->first_merchant) {
            e->cat = GEN_CAT_EXCHANGE;
            e->index = i - w->first_exchange;
            e->name = sc->exchanges[e->index];
            e->pref_type = gen_chance(&w->rng, 0.6) ? CW_SCRIPT_P2WPKH : CW_SCRIPT_P2SH;
            e->reuse = 65535;
        } else if (i < w->first_service) {
            e->cat = GEN_CAT_MERCHANT;
            e->index = i - w->first_merchant;
            e->pref_type = types[1 + gen_below(&w->rng, 3)];
            e->reuse = 0;
        } else if (i < w->whirlpool_coord) {
            e->cat = GEN_CAT_SERVICE;
            e->index = i - w->first_service;
            e->pref_type = types[gen_below(&w->rng, 4)];
            e->reuse = 32768;
        } else if (i < w->first_thief) {
            e->cat = GEN_CAT_COORDINATOR;
            e->index = i - w->whirlpool_coord;
            e->name = i == w->whirlpool_coord ? "Whirlpool coordinator" : "Wasabi coordinator";
            e->pref_type = CW_SCRIPT_P2WPKH;
            e->reuse = 60000;
        } else if (i < w->first_user) {
            e->cat = GEN_CAT_THIEF;
            e->index = i - w->first_thief;
            e->pref_type = CW_SCRIPT_P2WPKH;
            e->reuse = 0;
        } else {
            e->cat = GEN_CAT_USER;
            e->index = i - w->first_user;
            uint64_t x = gen_below(&w->rng, 100);
            e->pref_type = x < 15   ? CW_SCRIPT_P2PKH
                           : x < 35 ? CW_SCRIPT_P2SH
                           : x < 80 ? CW_SCRIPT_P2WPKH
                                    : CW_SCRIPT_P2TR;
            /* address reuse with a heavy tail: most users rarely reuse, a few always do */
            x = gen_below(&w->rng, 100);
            e->reuse = x < 60 ? 1300 : x < 85 ? 19660 : x < 95 ? 52428 : 64880;
        }
    }
    for (uint32_t x = 0; x < w->n_exchanges; x++) {
        gen_exchange *ex = &w->ex[x];
        ex->ent = w->first_exchange + x;
        ex->dep_addr = cw_calloc(w->n_ents, sizeof *ex->dep_addr);
        if (!ex->dep_addr)
            return cw_error_set(CW_ENOMEM, "deposit address table");
    }
    static const uint64_t denoms[GEN_N_POOLS] = {100000, 1000000, 5000000, 50000000};
    for (int p = 0; p < GEN_N_POOLS; p++) {
        w->pools[p].denom = denoms[p];
        w->pools[p].premix_extra = 600 + denoms[p] / 2000;
    }
    return 0;
}

static int setup_addresses(gen_world *w)
{
    for (uint32_t x = 0; x < w->n_exchanges; x++) {
        gen_exchange *ex = &w->ex[x];
        for (int i = 0; i < 3; i++) {
            ex->hot_addr[i] =
                gen_addr_new(w, ex->ent, GEN_CAT_EXCHANGE, w->ents[ex->ent].pref_type, UINT32_MAX);
            if (!ex->hot_addr[i])
                return CW_EIO;
        }
    }
    return 0;
}

/* Number of best-chain blocks (genesis included) for n txs and the scenario. */
static uint32_t plan_blocks(uint64_t txs, const cw_gen_scenario *sc)
{
    uint64_t b = txs / 50;
    if (b < 150)
        b = 150;
    if (b > 4032)
        b = 4032;
    if (txs / 2000 > b)
        b = txs / 2000;
    uint64_t hb = gen_heists_plan_blocks(sc);
    if (hb + 1 > b)
        b = hb + 1;
    return (uint32_t)b;
}

static void world_free(gen_world *w)
{
    if (w->ents)
        for (uint32_t i = 0; i < w->n_ents; i++)
            gen_coinvec_free(&w->ents[i].coins);
    if (w->ex)
        for (uint32_t x = 0; x < w->n_exchanges; x++) {
            gen_coinvec_free(&w->ex[x].deposits);
            cw_free(w->ex[x].dep_addr);
        }
    for (int p = 0; p < GEN_N_POOLS; p++) {
        gen_coinvec_free(&w->pools[p].premix);
        gen_coinvec_free(&w->pools[p].remix);
    }
    gen_heists_free(w);
    cw_free(w->ents);
    cw_free(w->ex);
    gen_sink_free(&w->sink);
    cw_free(w->dests);
    cw_free(w->names);
    cw_free(w->name_off);
    gen_coinvec_free(&w->scratch);
    gen_tx_deinit(&w->tx);
}

/* Cumulative best-chain transactions wanted after block h. */
static uint64_t target_after(uint64_t n_txs, uint32_t n_blocks, uint32_t h)
{
    if (h <= GEN_MATURITY)
        return (uint64_t)h + 1;
    uint64_t extra = n_txs - n_blocks; /* non-coinbase transactions */
    uint64_t span = n_blocks - 1 - GEN_MATURITY;
    uint64_t k = h - GEN_MATURITY;
    if (k > span)
        k = span;
    return (uint64_t)h + 1 + (uint64_t)((__extension__(unsigned __int128) extra * k) / span);
}

static int write_world_json(gen_run *r, const cw_gen_stats *st)
{
    gen_world *w = &r->w;
    cw_buf b = {0};
    char tip[65], key[17] = "";
    cw_hex_encode_rev(tip, st->tip, 32);
    if (w->opts->xor_on)
        cw_hex_encode(key, w->opts->xor_key, 8);
    int rc = cw_buf_printf(
        &b,
        "{\n  \"format\": \"chainwatch-gen-truth/1\",\n  \"network\": \"%s\",\n"
        "  \"seed\": %llu,\n  \"scenario\": \"%s\",\n  \"txs\": %llu,\n  \"blocks\": %llu,\n"
        "  \"best_height\": %llu,\n  \"tip\": \"%s\",\n  \"files\": %llu,\n"
        "  \"blk_bytes\": %llu,\n  \"xor_key\": \"%s\",\n  \"out_of_order_pairs\": %u,\n"
        "  \"inputs\": %llu,\n  \"outputs\": %llu,\n  \"addresses\": %llu,\n"
        "  \"entities\": %u,\n  \"coinjoins\": %llu,\n  \"stale_blocks\": [%s]\n}\n",
        cw_network_name(w->net), (unsigned long long)w->opts->seed, w->sc->name,
        (unsigned long long)st->txs, (unsigned long long)st->blocks,
        (unsigned long long)(st->blocks - 1), tip, (unsigned long long)st->files,
        (unsigned long long)st->bytes, key, r->out_of_order, (unsigned long long)st->inputs,
        (unsigned long long)st->outputs, (unsigned long long)st->addresses, w->n_ents,
        (unsigned long long)w->n_coinjoins,
        w->sink.stale_json.len ? (const char *)w->sink.stale_json.data : "");
    if (rc == 0 && w->opts->zero_tail) {
        b.len -= 2; /* "}\n" */
        rc = cw_buf_printf(
            &b, ",\n  \"zero_tail_bytes\": %llu,\n  \"zero_tail_files\": \"%s\"\n}\n",
            (unsigned long long)w->opts->zero_tail, w->opts->zero_tail_files == 1 ? "all" : "last");
    }
    if (rc == 0 && w->mixed) {
        /* the mixed economy's extra keys (a classic world.json keeps its first bytes) */
        b.len -= 2; /* "}\n" */
        rc =
            cw_buf_printf(&b,
                          ",\n  \"economy\": \"mixed\",\n  \"tx0s\": %llu,\n  \"deposits\": %llu,\n"
                          "  \"honest_peel_chains\": %llu\n}\n",
                          (unsigned long long)w->n_tx0s, (unsigned long long)w->n_deposits,
                          (unsigned long long)w->n_peel_chains);
    }
    if (rc == 0) {
        cw_buf path = {0};
        rc = cw_buf_printf(&path, "%s/world.json", w->truth_dir);
        if (rc == 0)
            rc = cw_file_write_atomic((const char *)path.data, b.data, b.len);
        cw_buf_deinit(&path);
    }
    cw_buf_deinit(&b);
    return rc;
}

/* Threads for a run: opts->threads, or 0 = two when the machine has two or more CPUs. */
static unsigned gen_threads(const cw_gen_opts *opts)
{
    if (opts->threads)
        return opts->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 2 ? 2 : 1;
}

int cw_gen_run(const cw_gen_opts *opts, cw_gen_stats *out)
{
    double t0 = cw_now();
    memset(out, 0, sizeof *out);
    gen_run *r = cw_calloc(1, sizeof *r);
    if (!r)
        return CW_ENOMEM;
    gen_world *w = &r->w;
    cw_gen_scenario *own = NULL;
    cw_progress *prog = NULL;
    cw_buf dir = {0};
    int rc = 0;
    w->opts = opts;
    w->net = opts->net;
    gen_tx_init(&w->tx);
    if (!opts->out_dir || !*opts->out_dir) {
        rc = cw_error_set(CW_EINVAL, "no output directory");
        goto out;
    }
    if (opts->txs < 1000) {
        rc = cw_error_set(CW_EINVAL, "a world needs at least 1000 transactions (got %llu)",
                          (unsigned long long)opts->txs);
        goto out;
    }
    if (opts->net != CW_NET_REGTEST && opts->net != CW_NET_MAIN) {
        rc = cw_error_set(CW_EINVAL, "the network must be regtest or main");
        goto out;
    }
    w->sc = opts->scenario;
    if (!w->sc) {
        const char *d = cw_gen_default_scenario();
        if ((rc = cw_gen_scenario_parse(&own, d, strlen(d), "built-in demo scenario")) != 0)
            goto out;
        w->sc = own;
    }
    w->mixed = w->sc->economy == CW_GEN_ECON_MIXED;
    gen_rng_seed(&w->rng, opts->seed, 0);
    w->salt = gen_mix64(opts->seed ^ 0x73616c74ULL) & 0xfffffULL;
    w->n_blocks = plan_blocks(opts->txs, w->sc);
    if (opts->txs < (uint64_t)w->n_blocks * 3) {
        rc = cw_error_set(
            CW_EINVAL,
            "a world of %llu transactions is too small for scenario \"%s\": its timeline needs %u "
            "blocks, so at least %llu transactions",
            (unsigned long long)opts->txs, w->sc->name, w->n_blocks,
            (unsigned long long)w->n_blocks * 3);
        goto out;
    }
    /* never overwrite block files that are not a generated world (a real node's datadir) */
    {
        cw_buf a = {0}, b = {0};
        rc = cw_buf_printf(&a, "%s/blocks/blk00000.dat", opts->out_dir);
        if (rc == 0)
            rc = cw_buf_printf(&b, "%s/truth/world.json", opts->out_dir);
        bool foreign = rc == 0 && access((const char *)a.data, F_OK) == 0 &&
                       access((const char *)b.data, F_OK) != 0;
        cw_buf_deinit(&a);
        cw_buf_deinit(&b);
        if (rc != 0)
            goto out;
        if (foreign) {
            rc = cw_error_set(CW_EEXISTS,
                              "%s/blocks holds blk files that chainwatch gen did not write "
                              "(no truth/world.json); refusing to replace them",
                              opts->out_dir);
            goto out;
        }
    }
    if ((rc = setup_entities(w)) != 0 || (rc = gen_dests_reserve(w, 256)) != 0)
        goto out;
    if ((rc = cw_buf_printf(&dir, "%s/truth", opts->out_dir)) != 0)
        goto out;
    w->truth_dir = (char *)dir.data;
    if ((rc = gen_truth_open(w)) != 0 || (rc = gen_truth_entities(w)) != 0)
        goto out;
    if ((rc = setup_addresses(w)) != 0 || (rc = gen_heists_init(w)) != 0)
        goto out;
    /* blocks */
    {
        cw_buf bdir = {0};
        uint8_t magic[4];
        cw_network_magic(magic, opts->net);
        rc = cw_buf_printf(&bdir, "%s/blocks", opts->out_dir);
        if (rc == 0)
            rc = gen_blkw_open(&r->bw, (const char *)bdir.data, magic,
                               opts->xor_on ? opts->xor_key : NULL, opts->max_file_size);
        cw_buf_deinit(&bdir);
        if (rc == 0)
            gen_blkw_zero_tail(&r->bw, opts->zero_tail, opts->zero_tail_files == 1);
        if (rc == 0)
            rc = gen_sink_start(&w->sink, &r->bw, w->names, w->name_off, w->first_user,
                                w->n_blocks + 20001, gen_threads(opts));
        if (rc != 0)
            goto out;
    }
    /* stale forks: about one per 400 blocks, at least two */
    r->n_stale = w->n_blocks / 400 + 2;
    r->stale = cw_calloc(r->n_stale, sizeof *r->stale);
    if (!r->stale) {
        rc = CW_ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < r->n_stale; i++) {
        uint32_t lo = GEN_MATURITY + 10, hi = w->n_blocks - 5;
        uint32_t slot = (hi - lo) / r->n_stale;
        r->stale[i].height = lo + i * slot + (uint32_t)gen_below(&w->rng, slot > 4 ? slot - 3 : 1);
        r->stale[i].len = gen_chance(&w->rng, 0.3) ? 2 : 1;
    }
    /* genesis */
    if ((rc = gen_genesis(&r->block, opts->net == CW_NET_REGTEST, w->sink.prev_hash)) != 0 ||
        (rc = gen_sink_block(&w->sink, r->block.data, r->block.len)) != 0)
        goto out;
    w->txs_done = 1;
    w->inputs = 1;
    w->outputs = 1;
    w->feerate = 5;
    prog = opts->progress ? cw_progress_new("gen", opts->txs, "tx") : NULL;
    for (uint32_t h = 1;; h++) {
        if (h >= w->n_blocks && w->txs_done >= opts->txs && gen_heists_done(w))
            break;
        if (h > w->n_blocks + 20000) {
            rc = cw_error_set(CW_EINVAL,
                              "scenario \"%s\" did not finish within %u blocks (a victim "
                              "never held the amount, or CoinJoin liquidity ran out)",
                              w->sc->name, h);
            goto out;
        }
        w->height = h;
        w->block_txs = 0;
        w->block_fees = 0;
        w->block_weight = 800; /* header and coinbase */
        w->block_witness = false;
        /* the fee market drifts between 1 and 120 sat/vB */
        w->feerate = w->feerate * (90 + gen_below(&w->rng, 21)) / 100;
        if (gen_chance(&w->rng, 0.5))
            w->feerate++;
        if (w->feerate < 1)
            w->feerate = 1;
        if (w->feerate > 120)
            w->feerate = 120;
        uint32_t time = block_time(w, h);
        if ((rc = gen_heists_step(w)) != 0)
            goto out;
        uint64_t target = h < w->n_blocks ? target_after(opts->txs, w->n_blocks, h) : opts->txs;
        uint32_t fails = 0;
        while (w->txs_done + w->block_txs + 1 < target && !gen_block_full(w) && fails < 20) {
            rc = gen_economy_step(w);
            if (rc < 0)
                goto out;
            fails = rc == 0 ? 0 : fails + 1;
        }
        rc = finish_block(r, time);
        if (rc == 0)
            rc = gen_sink_flush(&w->sink);
        if (rc != 0)
            goto out;
        if (prog)
            cw_progress_update(prog, w->txs_done, w->txs_done, w->sink.bytes_queued);
    }
    /* closing the sink writes a block still held back */
    if ((rc = gen_sink_close(&w->sink)) != 0)
        goto out;
    out->txs = w->txs_done;
    out->blocks = (uint64_t)w->height + 1;
    out->stale_blocks = w->sink.stale_written;
    out->bytes = r->bw.bytes_total;
    out->files = (uint64_t)r->bw.file_no + 1;
    out->addresses = w->n_addrs;
    out->inputs = w->inputs;
    out->outputs = w->outputs;
    memcpy(out->tip, w->sink.prev_hash, 32);
    if ((rc = gen_blkw_close(&r->bw)) != 0)
        goto out;
    if ((rc = gen_heists_write_truth(w)) != 0)
        goto out;
    if ((rc = gen_truth_close(w)) != 0)
        goto out;
    out->seconds = cw_now() - t0;
    rc = write_world_json(r, out);
out:
    cw_progress_free(prog);
    if (rc != 0) {
        /* the cleanup's own errors (a close on a full disk) must not hide the first one */
        char msg[512];
        snprintf(msg, sizeof msg, "%s", cw_error_last());
        gen_sink_close(&w->sink);
        r->bw.zero_tail = 0;
        gen_blkw_close(&r->bw);
        gen_truth_close(w);
        cw_error_set(rc, "%s", msg);
    }
    world_free(w);
    cw_buf_deinit(&dir);
    cw_buf_deinit(&r->block);
    cw_free(r->stale);
    cw_free(r);
    cw_gen_scenario_free(own);
    return rc;
}
