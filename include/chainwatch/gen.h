/*
 * gen.h: the Bitcoin world generator. Writes a block directory exactly as Bitcoin Core does
 * (blk*.dat, optional xor.dat) holding a simulated economy (miners, users, exchanges,
 * merchants, services, CoinJoin coordinators) and zero or more heists laundered through fan-outs,
 * peel chains, CoinJoins, consolidations and exchange deposits, and beside it the ground
 * truth (docs/GEN.md): who owns each address, the stolen outpoints and where every satoshi
 * of stolen value went.
 *
 * Determinism: the same options (seed, txs, scenario, network, key) give byte-identical output.
 */
#ifndef CHAINWATCH_GEN_H
#define CHAINWATCH_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/btc/address.h"

/* ---- scenarios (JSON, docs/GEN.md) ---- */
typedef enum cw_gen_step_kind {
    CW_GEN_STEP_FAN_OUT = 0,
    CW_GEN_STEP_PEEL_CHAIN = 1,
    CW_GEN_STEP_WHIRLPOOL = 2,
    CW_GEN_STEP_WASABI = 3,
    CW_GEN_STEP_CONSOLIDATE = 4,
    CW_GEN_STEP_CASH_OUT = 5,
    CW_GEN_STEP_WAIT = 6,
    CW_GEN_STEP_WASABI1 = 7,    /* coinjoin kind "wasabi1": a Wasabi 1.x round */
    CW_GEN_STEP_JOINMARKET = 8, /* coinjoin kind "joinmarket": the thief as taker */
    CW_GEN_STEP_POSTMIX = 9     /* "postmix_spend": the thief spends the Whirlpool post-mix
                                 * coins of the step before in several ways (docs/GEN.md) */
} cw_gen_step_kind;

/* The honest economy's habits (scenario world.economy). */
typedef enum cw_gen_economy {
    CW_GEN_ECON_CLASSIC = 0, /* the economy of the first generator (byte-stable) */
    CW_GEN_ECON_MIXED = 1    /* plus Wasabi 1.x, Wasabi 2 (more equal outputs than inputs),
                                JoinMarket, Tx0s with OP_RETURN, varied premix values, honest
                                peel chains; heists vary their fee rates */
} cw_gen_economy;

typedef struct cw_gen_step {
    cw_gen_step_kind kind;
    char where[96];      /* "heists[0].steps[2]", for error messages */
    double delay_hours;  /* after the previous step finished */
    uint32_t outputs;    /* fan_out: number of outputs */
    uint64_t *split_sat; /* fan_out: explicit output amounts (optional) */
    size_t n_split;
    uint32_t hops;                         /* peel_chain: hops per chain */
    uint32_t hops_max;                     /* peel_chain: hops drawn in [hops, hops_max] */
    double peel_min, peel_max;             /* peel_chain: peel as a fraction of the coin */
    double interval_min_h, interval_max_h; /* peel_chain: hours between hops */
    uint32_t rounds;                       /* coinjoin: rounds (whirlpool: mixes per coin) */
    uint64_t pool_sat;                     /* whirlpool: pool denomination */
    uint32_t max_coins;                    /* whirlpool: premix coins made by the Tx0 */
    double coordinator_fee;                /* wasabi: coordinator fee rate on inputs */
    uint32_t into;                         /* consolidate: number of resulting coins */
    uint32_t deposits;                     /* cash_out: number of deposit transactions */
    double over_days;                      /* cash_out: spread */
    double fraction;                       /* cash_out: share of holdings cashed out */
    char **to;                             /* peel_chain / cash_out: exchange names */
    size_t n_to;
    double hours; /* wait */
} cw_gen_step;

typedef struct cw_gen_heist {
    char *name;
    char *victim;        /* exchange name */
    uint64_t amount_sat; /* exactly this much is stolen */
    double at_day;       /* earliest day of the theft (day 0 = block 1) */
    uint32_t theft_outputs;
    uint64_t fee_rate; /* sat/vB paid by the thief */
    cw_gen_step *steps;
    size_t n_steps;
} cw_gen_heist;

typedef struct cw_gen_scenario {
    char *name;
    char **exchanges; /* exchange names; the economy has one exchange per name */
    size_t n_exchanges;
    uint32_t miners, merchants, services;
    cw_gen_economy economy;
    cw_gen_heist *heists;
    size_t n_heists;
} cw_gen_scenario;

/* Parses a scenario from JSON text; `source` names it in errors ("demo.json"). Unknown fields,
 * wrong types, negative or zero amounts, unknown exchange names and splits that cannot be paid
 * are CW_EINVAL with a message naming the field ("demo.json: heists[0].steps[1].hops: ...").
 * *out is owned by the caller (cw_gen_scenario_free). */
int cw_gen_scenario_parse(cw_gen_scenario **out, const char *json, size_t len, const char *source);
int cw_gen_scenario_load(cw_gen_scenario **out, const char *path);
/* The built-in demo scenario (the same text as data/scenarios/demo-heist.json). */
const char *cw_gen_default_scenario(void);
void cw_gen_scenario_free(cw_gen_scenario *s);

/* ---- generation ---- */
typedef struct cw_gen_opts {
    const char *out_dir; /* blocks go to out_dir/blocks, truth to out_dir/truth */
    uint64_t txs;        /* transactions in the best chain, coinbases included */
    uint64_t seed;
    const cw_gen_scenario *scenario; /* NULL: the built-in demo scenario */
    cw_network net;                  /* CW_NET_REGTEST (default) or CW_NET_MAIN: magic, genesis */
    bool xor_on;
    uint8_t xor_key[8];
    uint64_t max_file_size; /* 0: 128 MiB (tests use small files to exercise rollover) */
    bool progress;          /* progress line on stderr when it is a terminal */
    unsigned threads;       /* 1: one thread; 2+: block and address-file writing on a second
                               thread; 0: 2 when the machine has 2+ CPUs. Same bytes either way */
    uint64_t zero_tail;     /* bytes of raw zeros appended to blk files (Core 28+ preallocation
                               left on disk; with xor_on they stay raw, not obfuscated) */
    int zero_tail_files;    /* 0: the last file only; 1: every file */
} cw_gen_opts;

typedef struct cw_gen_stats {
    uint64_t txs;    /* best-chain transactions written */
    uint64_t blocks; /* best-chain blocks (genesis included) */
    uint64_t stale_blocks;
    uint64_t bytes; /* blk file bytes */
    uint64_t files;
    uint64_t addresses;
    uint64_t inputs, outputs;
    double seconds;
    uint8_t tip[32];
} cw_gen_stats;

/* Generates a world. Returns 0, CW_EINVAL (a scenario that does not fit the world, with the
 * field named), CW_EIO or CW_ENOMEM. */
int cw_gen_run(const cw_gen_opts *opts, cw_gen_stats *out);

#endif
