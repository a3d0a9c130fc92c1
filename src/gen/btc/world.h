/*
 * world.h (internal to src/chain/gen): the generator's world: entities and their coins, the
 * address book, the block being built, the economy (economy.c), the heists (heist.c) and the
 * ground-truth writers (truth.c). One gen_world per cw_gen_run call; nothing is global.
 *
 * Coins: every unspent output the simulation still intends to spend lives in exactly one coin
 * vector (an entity's wallet, an exchange's unswept deposits, a Whirlpool pool queue, a heist
 * lane). Spending removes it first, so no output can be spent twice.
 */
#ifndef CW_GEN_WORLD_H
#define CW_GEN_WORLD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "chainwatch/gen.h"
#include "chainwatch/util.h"
#include "gen/btc/blkfile.h"
#include "gen/btc/rng.h"
#include "gen/btc/sink.h"
#include "gen/btc/tx.h"

#define GEN_NO_TAG UINT32_MAX
#define GEN_DUST 1000ULL
#define GEN_MATURITY 100

typedef struct gen_coin {
    uint8_t txid[32];
    uint64_t value;
    uint32_t vout;
    uint32_t addr;   /* address id */
    uint32_t owner;  /* entity id */
    uint32_t height; /* height of the block that created it */
    uint32_t tag;    /* heist: index of the thief tx that created it, else GEN_NO_TAG */
    uint8_t type;    /* cw_script_type of its scriptPubKey */
    uint8_t coinbase;
} gen_coin;

typedef struct gen_coinvec {
    gen_coin *v;
    uint32_t n, cap;
} gen_coinvec;

int gen_coinvec_push(gen_coinvec *cv, const gen_coin *c);
/* Removes v[i] by moving the last coin into its place; returns the removed coin. */
gen_coin gen_coinvec_take(gen_coinvec *cv, uint32_t i);
void gen_coinvec_free(gen_coinvec *cv);
uint64_t gen_coinvec_sum(const gen_coinvec *cv);

typedef enum gen_cat {
    GEN_CAT_MINER = 0,
    GEN_CAT_USER = 1,
    GEN_CAT_EXCHANGE = 2,
    GEN_CAT_EXCHANGE_DEPOSIT = 3,
    GEN_CAT_MERCHANT = 4,
    GEN_CAT_SERVICE = 5,
    GEN_CAT_COORDINATOR = 6,
    GEN_CAT_THIEF = 7
} gen_cat;
const char *gen_cat_name(int cat);

typedef struct gen_entity {
    uint8_t cat;
    uint8_t pref_type;
    uint16_t reuse;     /* probability of reusing the last address, in 1/65536 */
    uint32_t last_addr; /* 0 = none yet */
    uint8_t last_type;
    uint32_t index;   /* index within its category (names: user-000042) */
    uint32_t home_ex; /* the exchange this entity sells to */
    const char *name; /* NULL for generated names */
    gen_coinvec coins;
} gen_entity;

typedef struct gen_exchange {
    uint32_t ent;
    gen_coinvec deposits; /* deposit-address coins waiting to be swept */
    uint32_t hot_addr[3];
    uint32_t *dep_addr; /* per entity id: that customer's deposit address here, 0 = none */
} gen_exchange;

/* One Whirlpool pool: premix coins (denomination + fee slack) and postmix coins that remix. */
typedef struct gen_pool {
    uint64_t denom;
    uint64_t premix_extra;
    gen_coinvec premix;
    gen_coinvec remix;
} gen_pool;

#define GEN_N_POOLS 4

/* A destination for an output being built: who gets the coin and where it is kept. */
typedef struct gen_dest {
    uint64_t value;
    uint32_t addr;
    uint32_t owner;
    uint8_t type;
    gen_coinvec *keep; /* where the new coin goes; NULL: nobody spends it */
    uint32_t tag;
} gen_dest;

typedef struct gen_heist_rt gen_heist_rt;

/* An honest peel chain in progress (mixed economy): its coin is out of its owner's wallet until
 * the chain ends. */
typedef struct gen_hpeel {
    gen_coin coin;
    uint32_t owner, chain, hop, left, next_height;
    uint16_t f_lo, f_hi; /* peel fraction range in 1/1000 */
} gen_hpeel;

#define GEN_MAX_HPEEL 8

typedef struct gen_world {
    const cw_gen_opts *opts;
    const cw_gen_scenario *sc;
    gen_rng rng;   /* the economy's stream */
    uint64_t salt; /* address key salt from the seed */
    cw_network net;

    gen_entity *ents;
    uint32_t n_ents;
    uint32_t first_miner, n_miners;
    uint32_t first_exchange, n_exchanges; /* entity ids */
    uint32_t first_merchant, n_merchants;
    uint32_t first_service, n_services;
    uint32_t first_user, n_users;
    uint32_t whirlpool_coord, wasabi_coord;
    uint32_t first_thief;
    gen_exchange *ex;
    gen_pool pools[GEN_N_POOLS];

    uint32_t n_addrs;

    /* the block being built */
    uint32_t height;    /* height of the block being built */
    uint32_t n_blocks;  /* planned best-chain blocks (genesis included) */
    uint64_t feerate;   /* base sat/vB this block */
    uint32_t block_txs; /* non-coinbase transactions (serialized into the sink's batch) */
    uint64_t block_fees;
    uint64_t block_weight;
    bool block_witness;

    /* totals */
    uint64_t txs_done;
    uint64_t inputs, outputs;

    gen_tx tx;           /* scratch transaction */
    gen_coinvec scratch; /* scratch inputs */
    gen_dest *dests;     /* scratch outputs */
    uint32_t cap_dests;

    gen_heist_rt *heists;
    size_t n_heists;
    bool mixed; /* scenario world.economy "mixed": the Build 7 shapes (docs/GEN.md) */
    gen_hpeel hpeel[GEN_MAX_HPEEL];
    uint32_t n_hpeel;

    /* truth files (addresses.csv goes through the sink) */
    gen_sink sink;
    char *names;        /* entity names, NUL-separated (gen_truth_entities) */
    uint32_t *name_off; /* n_ents + 1 offsets into names */
    FILE *f_cj, *f_peel, *f_ttx, *f_tx0, *f_dep;
    char *truth_dir;
    uint64_t n_coinjoins, n_tx0s, n_deposits, n_peel_chains;
} gen_world;

/* ---- world.c ---- */
/* A new address for entity ent (category cat, customer for deposit addresses); writes its
 * ground-truth line. Returns the id (>= 1) or 0 on error (message set). */
uint32_t gen_addr_new(gen_world *w, uint32_t ent, int cat, uint8_t type, uint32_t customer);
/* A receiving address of entity ent following its reuse habit. */
uint32_t gen_addr_recv(gen_world *w, uint32_t ent, uint8_t *type);
uint64_t gen_addr_key(const gen_world *w, uint32_t addr);
/* Serializes w->tx into the block, fills txid. */
int gen_emit(gen_world *w, uint8_t txid[32]);
/* Builds and emits a transaction spending ins (already removed from their vectors) to dests,
 * with a change output to change_ent (when change >= dust) at a random position, at feerate.
 * On success the new coins are pushed to their dests' vectors; *fee_out gets the fee and
 * *change_vout the change position (UINT32_MAX: none). Returns 0, 1 when the inputs cannot pay
 * (nothing emitted; the caller still owns ins) or a negative error. */
int gen_send(gen_world *w, const gen_coin *ins, uint32_t n_in, gen_dest *dests, uint32_t n_dest,
             uint32_t change_ent, uint64_t feerate, uint64_t *fee_out, uint32_t *change_vout,
             uint8_t txid_out[32], uint32_t change_tag);
/* Emits ins -> outs exactly as given (values fixed, fee = inputs - outputs, coinjoins); pushes
 * coins to keep vectors. */
int gen_send_exact(gen_world *w, const gen_coin *ins, uint32_t n_in, const gen_dest *dests,
                   uint32_t n_dest, uint8_t txid_out[32]);
int gen_dests_reserve(gen_world *w, uint32_t n);
uint64_t gen_tx_feerate(gen_world *w);
size_t gen_input_vsize(uint8_t type);
size_t gen_spk_len(uint8_t type);
bool gen_block_full(const gen_world *w);

/* ---- economy.c ---- */
/* Emits one honest transaction; returns 0, 1 when nothing could be done, or an error. */
int gen_economy_step(gen_world *w);
/* A Wasabi-2-style round with honest peers plus the extra (thief) coins; the extra owner's
 * outputs go to xkeep with tag xtag. *xout gets the extra owner's output sum, *coord the
 * coordinator fee paid by the extra coins. */
int gen_wasabi_round(gen_world *w, const gen_coin *extra, uint32_t n_extra, uint32_t xowner,
                     gen_coinvec *xkeep, uint32_t xtag, double coord_rate, const char *label,
                     uint64_t *xout, uint64_t *xcoord, uint8_t txid[32], uint32_t *n_in_out,
                     uint32_t *n_out_out);
/* A Whirlpool 5x5 mix in pool p with one optional extra coin (premix or postmix of the extra
 * owner); its output goes to *xres. Returns 1 when the pool lacks honest liquidity. */
int gen_whirlpool_mix(gen_world *w, int p, const gen_coin *extra, uint32_t xowner, uint32_t xtag,
                      const char *label, gen_coin *xres, uint8_t txid[32]);
/* Tops up pool p's honest liquidity with one honest Tx0; returns 1 if no user can pay one. */
int gen_whirlpool_honest_tx0(gen_world *w, int p);
int gen_pool_index(uint64_t denom);
/* Mixed economy: a Wasabi 1.x round / a JoinMarket CoinJoin with honest peers plus the extra
 * (thief) coins, as gen_wasabi_round; in JoinMarket the extra owner is the taker and its
 * maker fees are counted in *xcoord. */
int gen_wasabi1_round(gen_world *w, const gen_coin *extra, uint32_t n_extra, uint32_t xowner,
                      gen_coinvec *xkeep, uint32_t xtag, const char *label, uint64_t *xout,
                      uint64_t *xcoord, uint8_t txid[32], uint32_t *n_in_out, uint32_t *n_out_out);
int gen_joinmarket_round(gen_world *w, const gen_coin *extra, uint32_t n_extra, uint32_t xowner,
                         gen_coinvec *xkeep, uint32_t xtag, const char *label, uint64_t *xout,
                         uint64_t *xcoord, uint8_t txid[32], uint32_t *n_in_out,
                         uint32_t *n_out_out);
/* The 46-byte OP_RETURN output of a Tx0 (value 0, no address); seed picks its bytes. */
void gen_dest_op_return(gen_dest *d, uint32_t seed);
/* Records a Tx0 in tx0s.csv. */
int gen_truth_tx0(gen_world *w, const uint8_t txid[32], uint64_t pool, uint32_t owner,
                  uint32_t n_in, uint32_t n_premix, uint32_t n_out, const char *heist);
/* Records one peel-chain hop in peel_chains.csv (heist "" for an honest chain). */
int gen_truth_peel(gen_world *w, const char *heist, uint32_t chain, uint32_t hop,
                   const uint8_t txid[32], uint32_t peel_vout, uint64_t peel_sat,
                   uint32_t peel_addr, uint8_t peel_type, const char *exchange, uint32_t rem_vout,
                   uint64_t rem_sat);
/* Records a coinjoin in coinjoins.csv. */
int gen_truth_coinjoin(gen_world *w, const uint8_t txid[32], const char *kind, uint32_t coord,
                       uint32_t n_in, uint32_t n_out, const char *heist);

/* ---- heist.c ---- */
int gen_heists_init(gen_world *w);
/* Runs heist jobs due at the current height. */
int gen_heists_step(gen_world *w);
bool gen_heists_done(const gen_world *w);
/* The last height any heist is expected to need (planning). */
uint32_t gen_heists_plan_blocks(const cw_gen_scenario *sc);
int gen_heists_write_truth(gen_world *w);
void gen_heists_free(gen_world *w);

/* ---- truth.c ---- */
int gen_truth_open(gen_world *w);
int gen_truth_entities(gen_world *w);
void gen_entity_name(const gen_world *w, uint32_t ent, char *out, size_t n);
int gen_addr_string(const gen_world *w, uint32_t addr, uint8_t type, char *out, size_t n);
void gen_outpoint_str(char *out, const uint8_t txid[32], uint32_t vout); /* txid:vout */
int gen_truth_close(gen_world *w);

/* A coin's txid (a coinbase's comes from the sink: its block is assembled there). */
static inline const uint8_t *gen_coin_txid(const gen_world *w, const gen_coin *c)
{
    return c->coinbase ? gen_sink_cb_txid(&w->sink, c->height) : c->txid;
}

static inline bool gen_coin_spendable(const gen_world *w, const gen_coin *c)
{
    return !c->coinbase || c->height + GEN_MATURITY <= w->height;
}

#endif
