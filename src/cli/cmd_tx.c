/* cmd_tx.c: `chainwatch tx TXID --store DIR [--json]`. */
#include <stdio.h>

#include "chainwatch/btc/query.h"
#include "chainwatch/patterns.h"
#include "cli/store_opts.h"

extern const cw_command cw_cmd_tx;

static void print_sat(const char *label, json_t *v)
{
    if (json_is_integer(v))
        printf("%s%lld sat", label, (long long)json_integer_value(v));
    else
        printf("%s?", label);
}

static int run(int argc, char **argv)
{
    cw_store_opts o;
    int ec = cw_store_opts_parse(&o, &cw_cmd_tx, argc, argv, 1, 1);
    if (ec)
        return ec;
    cw_chainstore *cs;
    if ((ec = cw_store_opts_open(&cs, &o, "tx")))
        return ec;
    json_t *j;
    int rc = cw_query_tx(&j, cs, o.args[0]);
    if (rc) {
        cw_chainstore_close(cs);
        return cw_cli_fail("tx", rc);
    }
    cw_patterns_annotate_tx(j, cs);
    if (o.json) {
        ec = cw_cli_print_json(j);
    } else {
        printf("tx %s\n  block %lld %s  size %lld  weight %lld",
               json_string_value(json_object_get(j, "txid")),
               (long long)json_integer_value(json_object_get(j, "height")),
               json_string_value(json_object_get(j, "block")),
               (long long)json_integer_value(json_object_get(j, "size")),
               (long long)json_integer_value(json_object_get(j, "weight")));
        if (json_is_true(json_object_get(j, "coinbase")))
            printf("  coinbase");
        else
            print_sat("  fee ", json_object_get(j, "fee"));
        json_t *fl = json_object_get(j, "flags");
        if (json_array_size(fl)) {
            size_t k;
            json_t *f;
            printf("\n  patterns:");
            json_array_foreach(fl, k, f) printf(" %s", json_string_value(f));
            json_t *pat = json_object_get(j, "pattern");
            printf("\n  rule: %s (score %lld/100%s): %s",
                   json_string_value(json_object_get(pat, "rule")),
                   (long long)json_integer_value(json_object_get(pat, "score")),
                   json_is_true(json_object_get(pat, "probable")) ? ", probable" : "",
                   json_string_value(json_object_get(pat, "rule_text")));
        }
        printf("\n  inputs:\n");
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(j, "inputs"), i, v)
        {
            if (json_is_true(json_object_get(v, "coinbase"))) {
                printf("    %zu coinbase\n", i);
                continue;
            }
            printf("    %zu %s:%lld  ", i, json_string_value(json_object_get(v, "prev_txid")),
                   (long long)json_integer_value(json_object_get(v, "prev_vout")));
            print_sat("", json_object_get(v, "value"));
            const char *a = json_string_value(json_object_get(v, "address"));
            printf("  %s\n", a ? a : "");
        }
        printf("  outputs:\n");
        json_array_foreach(json_object_get(j, "outputs"), i, v)
        {
            printf("    %zu ", i);
            print_sat("", json_object_get(v, "value"));
            printf("  %s  %s", json_string_value(json_object_get(v, "type")),
                   json_string_value(json_object_get(v, "address")));
            const char *s = json_string_value(json_object_get(v, "spent_by"));
            printf("  %s%s\n", s ? "spent by " : "unspent", s ? s : "");
        }
        json_decref(j);
    }
    cw_chainstore_close(cs);
    return ec;
}

const cw_command cw_cmd_tx = {
    "tx", "show a transaction: inputs, outputs, fee, spending txs",
    "Usage: chainwatch tx TXID --store DIR [--json]\n\n"
    "Shows a transaction with the outputs its inputs spend (values, addresses), its outputs\n"
    "with their addresses and the txs that spend them, and its fee; its pattern flags with the\n"
    "rule that set them and that rule's score (0-100; below 100 the result is a judgement,\n"
    "shown as probable). Rules: docs/PATTERNS.md.\n",
    run};
