/*
 * gen_evm.h: the EVM world generator (`chainwatch gen evm`, docs/GEN.md "EVM worlds").
 *
 * It writes a deterministic synthetic Ethereum-like chain as ethereum-etl CSV exports
 * (blocks, transactions, receipts, logs, token_transfers, traces, tokens) holding an economy
 * of users, ERC-20 stablecoins and WETH, exchanges with per-customer deposit addresses, a
 * constant-product DEX, a fixed-denomination mixer with relayers, a bridge to Bitcoin with
 * THORChain-style memos, and heists laundered through all of these; beside it the ground truth
 * (DIR/truth). The same seed, --txs and scenario give byte-identical files.
 */
#ifndef CHAINWATCH_GEN_EVM_H
#define CHAINWATCH_GEN_EVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A parsed scenario (opaque). */
typedef struct cw_gen_evm_scenario cw_gen_evm_scenario;

/* Parses a scenario from JSON text; `source` names it in errors. Unknown fields, wrong types,
 * out-of-range numbers, unknown exchanges, assets or step types are CW_EINVAL with the JSON
 * path of the field ("demo.json: heists[0].steps[2].fraction: ..."). *out is owned by the
 * caller (cw_gen_evm_scenario_free). */
int cw_gen_evm_scenario_parse(cw_gen_evm_scenario **out, const char *json, size_t len,
                              const char *source);
/* The same from a file (CW_EIO naming the path when it cannot be read). */
int cw_gen_evm_scenario_load(cw_gen_evm_scenario **out, const char *path);
/* The built-in scenario's JSON text (identical to data/scenarios/evm-demo-heist.json). */
const char *cw_gen_evm_default_scenario(void);
void cw_gen_evm_scenario_free(cw_gen_evm_scenario *s);

typedef struct cw_gen_evm_opts {
    const char *out_dir; /* CSVs go to out_dir, ground truth to out_dir/truth */
    uint64_t txs;        /* transactions to write (at least 2000) */
    uint64_t seed;
    const cw_gen_evm_scenario *scenario; /* NULL: the built-in scenario */
    bool progress;                       /* progress line on stderr when it is a terminal */
} cw_gen_evm_opts;

typedef struct cw_gen_evm_stats {
    uint64_t txs, blocks, logs, traces, token_transfers, withdrawals;
    uint64_t accounts, failed_txs;
    uint64_t bytes; /* CSV bytes written (truth files excluded) */
    uint64_t tip_number;
    uint8_t tip_hash[32];
    double seconds;
} cw_gen_evm_stats;

/* Generates a world. Returns 0; CW_EINVAL when the scenario does not fit (--txs too small for
 * its timeline, a victim that cannot pay), with the field named; CW_EIO on write errors. */
int cw_gen_evm_run(const cw_gen_evm_opts *opts, cw_gen_evm_stats *out);

#endif
