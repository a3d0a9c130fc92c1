/* cmd_tx.c: `chainwatch tx TXID --store DIR [--json]`. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "chainwatch/btc/query.h"
#include "chainwatch/evm/query.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/patterns.h"
#include "cli/store_opts.h"
#include "cli/trace_evm.h"

/* the text after a movement an issuer made without a Transfer (its JSON flags), or "" */
static const char *issuer_note(json_t *v)
{
    if (json_is_true(json_object_get(v, "destroyed_by_issuer")))
        return "  (destroyed by the issuer: DestroyedBlackFunds)";
    if (json_is_true(json_object_get(v, "issued_by_issuer")))
        return "  (issued to the owner by Tether's contract: Issue, no Transfer)";
    if (json_is_true(json_object_get(v, "redeemed_by_issuer")))
        return "  (redeemed from the owner by Tether's contract: Redeem, no Transfer)";
    return "";
}
extern const cw_command cw_cmd_tx;

static void print_sat(const char *label, json_t *v)
{
    if (json_is_integer(v))
        printf("%s%lld sat", label, (long long)json_integer_value(v));
    else
        printf("%s?", label);
}

/* an EVM store (detected from its MANIFEST) */
static int run_evm(const cw_store_opts *o)
{
    cw_evmstore *s;
    int rc = cw_evmstore_open(&s, o->store, false, NULL);
    if (rc)
        return cw_cli_fail("tx", rc);
    json_t *j = NULL;
    rc = cw_evm_query_tx(&j, s, o->args[0]);
    rc = cw_cli_evm_answer(&j, s, rc);
    cw_evmstore_close(s);
    if (!j)
        return cw_cli_fail("tx", rc);
    if (o->json)
        return cw_cli_print_json(j);
    cw_cli_synthetic_line(j);
    printf("tx %s\n  block %lld  index %lld  status %s  value %s wei\n  from %s\n  to   %s\n",
           json_string_value(json_object_get(j, "hash")),
           (long long)json_integer_value(json_object_get(j, "block")),
           (long long)json_integer_value(json_object_get(j, "index")),
           json_string_value(json_object_get(j, "status")),
           json_string_value(json_object_get(j, "value")),
           json_string_value(json_object_get(j, "from")),
           json_is_string(json_object_get(j, "to")) ? json_string_value(json_object_get(j, "to"))
                                                    : "(contract creation)");
    if (json_object_get(j, "fee"))
        printf("  fee %s wei (gas used %lld)\n", json_string_value(json_object_get(j, "fee")),
               (long long)json_integer_value(json_object_get(j, "gas_used")));
    if (json_object_get(j, "blob_fee"))
        printf("  blob fee %s wei (EIP-4844, burnt)\n",
               json_string_value(json_object_get(j, "blob_fee")));
    size_t i;
    json_t *v;
    printf("  value movements:\n");
    json_array_foreach(json_object_get(j, "movements"), i, v)
    {
        json_t *as = json_object_get(v, "asset");
        json_t *amt = json_object_get(v, "amount");
        if (!amt)
            amt = json_object_get(v, "items");
        json_t *f = json_object_get(v, "from"), *t = json_object_get(v, "to");
        /* amounts scaled exactly by the asset's decimals ("0.0000000000004 ETH"), never base
         * units beside a symbol; NFT movements are counts of items */
        char amount[256];
        if (json_object_get(v, "items"))
            snprintf(amount, sizeof amount, "%s items of %s", json_string_value(amt),
                     *json_string_value(json_object_get(as, "symbol"))
                         ? json_string_value(json_object_get(as, "symbol"))
                         : json_string_value(json_object_get(as, "token")));
        else
            cw_cli_evm_scaled_dec(amount, sizeof amount, json_string_value(amt), as, true);
        printf("    %-12s %s  %s -> %s%s%s%s\n", json_string_value(json_object_get(v, "kind")),
               amount, json_is_string(f) ? json_string_value(f) : "(none)",
               json_is_string(t) ? json_string_value(t) : "(none)",
               json_is_true(json_object_get(v, "probable")) ? "  (probable: status unknown)" : "",
               json_is_true(json_object_get(v, "blob")) ? "  (blob fee)" : "", issuer_note(v));
    }
    json_array_foreach(json_object_get(j, "issuer_actions"), i, v)
    {
        if (i == 0)
            printf("  issuer actions (the token's own contract):\n");
        const char *acct = json_string_value(json_object_get(v, "account"));
        printf("    %-9s %s  by %s%s%s\n", json_string_value(json_object_get(v, "action")),
               acct ? acct : "(owner not told)", json_string_value(json_object_get(v, "token")),
               json_object_get(v, "note") ? "\n      note: " : "",
               json_object_get(v, "note") ? json_string_value(json_object_get(v, "note")) : "");
    }
    json_array_foreach(json_object_get(j, "memos"), i, v)
    {
        if (i == 0)
            printf("  bridge memos:\n");
        /* the emitter when it is not the tx's `to` (a contract the tx called emitted it) */
        const char *em = json_string_value(json_object_get(v, "emitter"));
        const char *to = json_string_value(json_object_get(j, "to"));
        bool other = json_object_get(v, "log_index") && (!em || !to || strcmp(em, to) != 0);
        printf("    %-8s \"%s\"%s%s\n", json_string_value(json_object_get(v, "source")),
               json_string_value(json_object_get(v, "memo")), other ? "  emitted by " : "",
               other ? (em ? em : "(no account of the store)") : "");
    }
    json_decref(j);
    return CW_EXIT_OK;
}

static int run(int argc, char **argv)
{
    cw_store_opts o;
    int ec = cw_store_opts_parse(&o, &cw_cmd_tx, argc, argv, 1, 1);
    if (ec)
        return ec;
    if (cw_evmstore_detect(o.store))
        return run_evm(&o);
    cw_chainstore *cs;
    if ((ec = cw_store_opts_open(&cs, &o, "tx")))
        return ec;
    cw_chainstore_advise_random(cs); /* a point lookup: read pages, not read-ahead windows */
    json_t *j = NULL;
    int rc = cw_query_tx(&j, cs, o.args[0]);
    if (rc == 0) {
        cw_patterns_annotate_tx(j, cs);
        rc = cw_cli_chain_answer(&j, cs, rc);
    }
    if (rc) {
        cw_chainstore_close(cs);
        return cw_cli_fail("tx", rc);
    }
    if (o.json) {
        ec = cw_cli_print_json(j);
    } else {
        char when[32];
        cw_cli_synthetic_line(j);
        printf("tx %s\n  block %lld %s  time %s\n  size %lld  weight %lld",
               json_string_value(json_object_get(j, "txid")),
               (long long)json_integer_value(json_object_get(j, "height")),
               json_string_value(json_object_get(j, "block")),
               cw_cli_chain_time(when, json_object_get(j, "time")),
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
            const char *kr =
                json_string_value(json_object_get(json_object_get(pat, "evidence"), "kind_reason"));
            if (kr)
                printf("\n  kind: %s", kr);
            json_t *cj = json_object_get(json_object_get(pat, "evidence"), "chain_judgement");
            if (cj) {
                size_t pk;
                json_t *part;
                printf("\n  chain judgement: %s (score %lld/100, probable): %s; parts:",
                       json_string_value(json_object_get(cj, "rule")),
                       (long long)json_integer_value(json_object_get(cj, "score")),
                       json_is_true(json_object_get(cj, "strong"))
                           ? "peel_strong, a laundering-like chain"
                           : "the shape only (an honest wallet's change run looks the same)");
                json_array_foreach(json_object_get(cj, "parts"), pk, part)
                    printf(" %s", json_string_value(part));
            }
            json_t *jf = json_object_get(json_object_get(pat, "evidence"), "joint_funding");
            if (jf)
                printf("\n  joint funding: %s (score %lld/100, probable): inputs from %lld "
                       "addresses, one P2WSH output; probably two owners, clustering leaves its "
                       "inputs apart",
                       json_string_value(json_object_get(jf, "rule")),
                       (long long)json_integer_value(json_object_get(jf, "score")),
                       (long long)json_integer_value(json_object_get(jf, "input_addresses")));
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
    "Shows a transaction, its block and on-chain time (UTC; --json: \"time\", seconds since the\n"
    "epoch), the outputs its inputs spend (values, addresses), its outputs\n"
    "with their addresses and the txs that spend them, and its fee; its pattern flags with the\n"
    "rule that set them and that rule's score (0-100; below 100 the result is a judgement,\n"
    "shown as probable). Rules: docs/PATTERNS.md.\n",
    run};
