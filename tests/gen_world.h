/*
 * gen_world.h: a generated world (chainwatch gen) ingested into a store, for the unit tests
 * that check against its truth or need a realistic store. Header-only: each test is its own
 * program.
 */
#ifndef CW_TESTS_GEN_WORLD_H
#define CW_TESTS_GEN_WORLD_H

#include <stdint.h>
#include <stdio.h>

#include "chainwatch/btc/ingest.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/gen.h"

/* Generates txs txs of scenario sc (NULL: the built-in demo heist) with seed into dir
 * (dir/blocks, dir/truth), ingests them into dir/store and opens it read-only in *cs.
 * Returns 0, or prints the error and returns -1. */
static inline int gen_world(const char *dir, uint64_t txs, uint64_t seed, const cw_gen_scenario *sc,
                            cw_gen_stats *gs, cw_chainstore **cs)
{
    char blocks[1100], store[1100];
    snprintf(blocks, sizeof blocks, "%s/blocks", dir);
    snprintf(store, sizeof store, "%s/store", dir);
    cw_gen_opts go = {0};
    go.out_dir = dir;
    go.txs = txs;
    go.seed = seed;
    go.net = CW_NET_REGTEST;
    go.scenario = sc;
    cw_ingest_opts io = {.blocks_dir = blocks,
                         .store_dir = store,
                         .net = CW_NET_REGTEST,
                         .to_height = -1,
                         .threads = 2};
    cw_ingest_stats is;
    if (cw_gen_run(&go, gs) || cw_ingest_btc(&io, &is) ||
        cw_chainstore_open(cs, store, false, CW_NET_REGTEST)) {
        fprintf(stderr, "world %s: %s\n", dir, cw_error_last());
        return -1;
    }
    return 0;
}

#endif
