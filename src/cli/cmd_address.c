/* cmd_address.c: `chainwatch address ADDR --store DIR [--offset N] [--limit N] [--json]`. */
#include <stdio.h>

#include "chainwatch/btc/query.h"
#include "cli/store_opts.h"

extern const cw_command cw_cmd_address;

static int run(int argc, char **argv)
{
    cw_store_opts o;
    int ec = cw_store_opts_parse(&o, &cw_cmd_address, argc, argv, 1, 1);
    if (ec)
        return ec;
    cw_chainstore *cs;
    if ((ec = cw_store_opts_open(&cs, &o, "address")))
        return ec;
    json_t *j;
    int rc = cw_query_address(&j, cs, o.args[0], o.offset, o.limit);
    if (rc) {
        cw_chainstore_close(cs);
        return cw_cli_fail("address", rc);
    }
    if (o.json) {
        ec = cw_cli_print_json(j);
    } else {
        printf("address %s\n  received %lld sat  sent %lld sat  balance %lld sat\n"
               "  txs %lld  outputs %lld (%lld unspent)\n",
               json_string_value(json_object_get(j, "address")),
               (long long)json_integer_value(json_object_get(j, "received")),
               (long long)json_integer_value(json_object_get(j, "sent")),
               (long long)json_integer_value(json_object_get(j, "balance")),
               (long long)json_integer_value(json_object_get(j, "tx_count")),
               (long long)json_integer_value(json_object_get(j, "outputs")),
               (long long)json_integer_value(json_object_get(j, "unspent_outputs")));
        json_t *f = json_object_get(j, "first_seen"), *l = json_object_get(j, "last_seen");
        if (f && l)
            printf("  first seen at height %lld, last at %lld\n",
                   (long long)json_integer_value(json_object_get(f, "height")),
                   (long long)json_integer_value(json_object_get(l, "height")));
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(j, "txs"), i, v)
            printf("  %lld %s\n", (long long)json_integer_value(json_object_get(v, "height")),
                   json_string_value(json_object_get(v, "txid")));
        json_decref(j);
    }
    cw_chainstore_close(cs);
    return ec;
}

const cw_command cw_cmd_address = {
    "address", "show an address: received, sent, balance, txs",
    "Usage: chainwatch address ADDR --store DIR [--offset N] [--limit N] [--json]\n\n"
    "Shows what an address received and sent, its balance, tx count, first and last seen, and\n"
    "a page of its txs, newest first (default limit 25).\n",
    run};
