/* cmd_block.c: `chainwatch block HEIGHT|HASH --store DIR [--json]`. */
#include <stdio.h>

#include "chainwatch/btc/query.h"
#include "chainwatch/evm/query.h"
#include "chainwatch/evm/store.h"
#include "cli/store_opts.h"

extern const cw_command cw_cmd_block;

/* an EVM store (detected from its MANIFEST) */
static int run_evm(const cw_store_opts *o)
{
    cw_evmstore *s;
    int rc = cw_evmstore_open(&s, o->store, false, NULL);
    if (rc)
        return cw_cli_fail("block", rc);
    json_t *j = NULL;
    rc = cw_evm_query_block(&j, s, o->args[0]);
    rc = cw_cli_evm_answer(&j, s, rc);
    cw_evmstore_close(s);
    if (!j)
        return cw_cli_fail("block", rc);
    if (o->json)
        return cw_cli_print_json(j);
    cw_cli_synthetic_line(j);
    char when[32];
    printf("block %lld %s\n  parent %s\n  time %s  miner %s  gas used %lld  txs %lld  "
           "withdrawals %lld  value movements %lld  burnt fees %s wei\n",
           (long long)json_integer_value(json_object_get(j, "number")),
           json_string_value(json_object_get(j, "hash")),
           json_string_value(json_object_get(j, "parent_hash")),
           cw_cli_chain_time(when, json_object_get(j, "time")),
           json_string_value(json_object_get(j, "miner")),
           (long long)json_integer_value(json_object_get(j, "gas_used")),
           (long long)json_integer_value(json_object_get(j, "transaction_count")),
           (long long)json_integer_value(json_object_get(j, "withdrawals")),
           (long long)json_integer_value(json_object_get(j, "movements")),
           json_string_value(json_object_get(j, "burnt_fees")));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "txs"), i, v)
        printf("  tx %zu %s\n", i, json_string_value(v));
    json_decref(j);
    return CW_EXIT_OK;
}

static int run(int argc, char **argv)
{
    cw_store_opts o;
    int ec = cw_store_opts_parse(&o, &cw_cmd_block, argc, argv, 1, 1);
    if (ec)
        return ec;
    if (cw_evmstore_detect(o.store))
        return run_evm(&o);
    cw_chainstore *cs;
    if ((ec = cw_store_opts_open(&cs, &o, "block")))
        return ec;
    json_t *j = NULL;
    int rc = cw_query_block(&j, cs, o.args[0], 1);
    rc = cw_cli_chain_answer(&j, cs, rc);
    if (rc) {
        cw_chainstore_close(cs);
        return cw_cli_fail("block", rc);
    }
    if (o.json) {
        ec = cw_cli_print_json(j);
    } else {
        char when[32];
        cw_cli_synthetic_line(j);
        printf("block %s\n  height %lld  time %s  txs %lld  size %lld  weight %lld\n"
               "  prev %s\n  merkle %s  bits %s  nonce %lld  chainwork %s\n",
               json_string_value(json_object_get(j, "hash")),
               (long long)json_integer_value(json_object_get(j, "height")),
               cw_cli_chain_time(when, json_object_get(j, "time")),
               (long long)json_integer_value(json_object_get(j, "n_tx")),
               (long long)json_integer_value(json_object_get(j, "size")),
               (long long)json_integer_value(json_object_get(j, "weight")),
               json_string_value(json_object_get(j, "prev")),
               json_string_value(json_object_get(j, "merkle_root")),
               json_string_value(json_object_get(j, "bits")),
               (long long)json_integer_value(json_object_get(j, "nonce")),
               json_string_value(json_object_get(j, "chainwork")));
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(j, "txids"), i, v)
            printf("  tx %zu %s\n", i, json_string_value(v));
        json_decref(j);
    }
    cw_chainstore_close(cs);
    return ec;
}

const cw_command cw_cmd_block = {"block", "show a block of the chain store",
                                 "Usage: chainwatch block HEIGHT|HASH --store DIR [--json]\n\n"
                                 "Shows a block's header fields, chain work and its txids.\n",
                                 run};
