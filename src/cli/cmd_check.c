/* cmd_check.c: `chainwatch check --store DIR [--json]`: exit 0 clean, 4 when problems found. */
#include <stdio.h>
#include <string.h>

#include "chainwatch/btc/addrhist.h"
#include "chainwatch/btc/query.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/query.h"
#include "chainwatch/evm/store.h"
#include "cli/store_opts.h"

extern const cw_command cw_cmd_check;

/* an EVM store (detected from its MANIFEST) */
static int run_evm(const cw_store_opts *o, const char *opening)
{
    cw_evmstore *s;
    int rc = cw_evmstore_open(&s, o->store, false, NULL);
    if (rc)
        return cw_cli_fail("check", rc);
    json_t *j = NULL;
    rc = cw_evm_check_opening(&j, s, opening);
    rc = cw_cli_evm_answer(&j, s, rc);
    cw_evmstore_close(s);
    if (!j)
        return cw_cli_fail("check", rc);
    bool synthetic = json_is_true(json_object_get(j, "synthetic"));
    if (o->json)
        cw_cli_print_json(j);
    else {
        json_t *c = json_object_get(j, "checked");
        printf("check %s (EVM, %s%s): %lld blocks, %lld txs, %lld value movements, %lld accounts, "
               "%lld assets: %s\n",
               o->store, json_string_value(json_object_get(j, "chain")),
               synthetic ? ", SYNTHETIC world" : "",
               (long long)json_integer_value(json_object_get(c, "blocks")),
               (long long)json_integer_value(json_object_get(c, "txs")),
               (long long)json_integer_value(json_object_get(c, "movements")),
               (long long)json_integer_value(json_object_get(c, "accounts")),
               (long long)json_integer_value(json_object_get(c, "assets")), rc ? "PROBLEMS" : "ok");
        if (!json_is_true(json_object_get(j, "balances_checked")))
            printf("  balances %s\n", json_string_value(json_object_get(j, "balances_note")));
        json_t *op = json_object_get(j, "opening");
        if (op && json_is_true(json_object_get(j, "balances_checked")))
            printf("  balances checked from the opening snapshot %s: %lld balances before block "
                   "%lld (%lld of accounts and assets in the store)\n",
                   json_string_value(json_object_get(op, "file")),
                   (long long)json_integer_value(json_object_get(op, "balances")),
                   (long long)json_integer_value(json_object_get(op, "before_block")),
                   (long long)json_integer_value(json_object_get(op, "balances_in_store")));
        size_t i;
        json_t *v;
        /* a token whose events do not give its balances (rebasing, or minting or burning with
         * no event): its holders' balances in this store are wrong, said plainly */
        json_array_foreach(json_object_get(j, "tokens_below_zero"), i, v)
            printf("  token %s (%s): %lld accounts below zero at the tip: its events do not give "
                   "its balances (a rebasing token, or one that mints or burns with no event); "
                   "`address` shows what its events give, not what its holders hold\n",
                   json_string_value(json_object_get(v, "symbol")),
                   json_string_value(json_object_get(v, "token")),
                   (long long)json_integer_value(json_object_get(v, "accounts_below_zero")));
        json_array_foreach(json_object_get(j, "errors"), i, v)
            printf("  %s\n", json_string_value(v));
        json_decref(j);
    }
    return rc ? CW_EXIT_CHECK : CW_EXIT_OK;
}

static int run(int argc, char **argv)
{
    /* --opening FILE (EVM stores) is taken out before the common store options */
    const char *opening;
    char *av[64];
    int ac;
    int ec = cw_store_opts_take_opening(&cw_cmd_check, argc, argv, &opening, av, &ac);
    if (ec)
        return ec;
    cw_store_opts o;
    ec = cw_store_opts_parse(&o, &cw_cmd_check, ac, av, 0, 0);
    if (ec)
        return ec;
    if (cw_evmstore_detect(o.store))
        return run_evm(&o, opening);
    if (opening)
        return cw_cli_usage_error(&cw_cmd_check, "--opening: for an EVM store only");
    cw_chainstore *cs;
    if ((ec = cw_store_opts_open(&cs, &o, "check")))
        return ec;
    json_t *j = NULL;
    int rc = cw_store_check(&j, cs);
    /* the address-history index, when one is built: rebuilt in memory and compared */
    if (j) {
        int ix = cw_addrhist_check(cs);
        json_object_set_new(j, "address_index",
                            json_string(ix == 0              ? "ok"
                                        : ix == CW_ENOTFOUND ? "not built"
                                                             : cw_error_last()));
        if (ix && ix != CW_ENOTFOUND && ix != CW_EEXISTS) {
            json_object_set_new(j, "ok", json_false());
            json_array_append_new(json_object_get(j, "errors"), json_string(cw_error_last()));
            if (!rc)
                rc = ix;
        }
    }
    bool synthetic = cw_chainstore_synthetic(cs);
    if (j && synthetic) /* a generated world (only then: a real store's answer is as before) */
        json_object_set_new(j, "synthetic", json_true());
    rc = cw_cli_chain_answer(&j, cs, rc);
    cw_chainstore_close(cs);
    if (!j)
        return cw_cli_fail("check", rc);
    if (o.json) {
        cw_cli_print_json(j);
    } else {
        json_t *c = json_object_get(j, "checked");
        printf("check %s%s: %lld blocks, %lld txs, %lld inputs, %lld outputs, %lld addresses: "
               "%s\n",
               o.store, synthetic ? " (SYNTHETIC world)" : "",
               (long long)json_integer_value(json_object_get(c, "blocks")),
               (long long)json_integer_value(json_object_get(c, "txs")),
               (long long)json_integer_value(json_object_get(c, "inputs")),
               (long long)json_integer_value(json_object_get(c, "outputs")),
               (long long)json_integer_value(json_object_get(c, "addresses")),
               rc ? "PROBLEMS" : "ok");
        printf("  address-history index: %s\n",
               json_string_value(json_object_get(j, "address_index")));
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(j, "errors"), i, v)
            printf("  %s\n", json_string_value(v));
        json_decref(j);
    }
    return rc ? CW_EXIT_CHECK : CW_EXIT_OK;
}

const cw_command cw_cmd_check = {
    "check", "verify the integrity of a chain store",
    "Usage: chainwatch check --store DIR [--json] [--opening FILE]\n\n"
    "Verifies every column and cross-reference of the chain store: header hashes, prev links,\n"
    "heights, chain work, tx ranges, both spend directions, the txid and address indexes, the\n"
    "per-address output chains and external prevouts, and the address-history index when one\n"
    "is built (chainwatch addrindex: rebuilt in memory and compared). Exit 0 when clean, 4\n"
    "when not.\n\n"
    "An EVM store: blocks, txs, movements and their chains, accounts, assets, creations, memos;\n"
    "and no balance below zero when the store holds the chain from genesis, or from the\n"
    "opening snapshot --opening FILE states: the balances before its first block, one\n"
    "address,asset,balance a line (asset: ETH or a token's address; base units).\n",
    run};
