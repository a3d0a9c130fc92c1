/* cmd_address.c: `chainwatch address ADDR --store DIR [--offset N] [--limit N] [--json]
 * [--opening FILE]` (--opening: EVM stores, the balances before the store's first block).
 * On an EVM store the text output scales amounts by the asset's decimals, exactly (string
 * arithmetic on the digits, never a double), as `trace` does; --json keeps base-unit strings. */
#include <stdio.h>
#include <string.h>

#include "chainwatch/btc/addrhist.h"
#include "chainwatch/btc/query.h"
#include "chainwatch/errors.h"
#include "chainwatch/evm/query.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/util.h"
#include "cli/store_opts.h"
#include "cli/trace_evm.h"

extern const cw_command cw_cmd_address;

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

/* an EVM store (detected from its MANIFEST) */
static int run_evm(const cw_store_opts *o, const char *opening)
{
    cw_evmstore *s;
    int rc = cw_evmstore_open(&s, o->store, false, NULL);
    if (rc)
        return cw_cli_fail("address", rc);
    json_t *j = NULL;
    rc = cw_evm_query_address_opening(&j, s, o->args[0], o->offset, o->limit, opening);
    rc = cw_cli_evm_answer(&j, s, rc);
    cw_evmstore_close(s);
    if (!j)
        return cw_cli_fail("address", rc);
    if (o->json)
        return cw_cli_print_json(j);
    cw_cli_synthetic_line(j);
    printf(
        "address %s%s\n  first seen block %lld, last block %lld\n",
        json_string_value(json_object_get(j, "address")),
        json_is_true(json_object_get(j, "contract")) ? "  (contract)" : "",
        (long long)json_integer_value(json_object_get(json_object_get(j, "first_seen"), "block")),
        (long long)json_integer_value(json_object_get(json_object_get(j, "last_seen"), "block")));
    bool complete = json_is_true(json_object_get(j, "complete"));
    json_t *op = json_object_get(j, "opening");
    if (!complete)
        printf("  note: %s\n%s", json_string_value(json_object_get(j, "note")),
               json_integer_value(json_object_get(j, "from_block")) > 0 && !op
                   ? "  (--opening FILE: address,asset,balance lines, the balances before that "
                     "block)\n"
                   : "");
    else if (op)
        printf("  balances from the opening snapshot %s (balances before block %lld; %lld of "
               "this address) plus the blocks held\n",
               json_string_value(json_object_get(op, "file")),
               (long long)json_integer_value(json_object_get(op, "before_block")),
               (long long)json_integer_value(json_object_get(op, "balances_of_address")));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "balances"), i, v)
    {
        json_t *as = json_object_get(v, "asset");
        const char *sym = json_string_value(json_object_get(as, "symbol"));
        char bal[256], rec[256], sent[256];
        cw_cli_evm_scaled_dec(
            bal, sizeof bal,
            json_string_value(json_object_get(v, complete ? "balance" : "net_flow")), as, false);
        cw_cli_evm_scaled_dec(rec, sizeof rec, json_string_value(json_object_get(v, "received")),
                              as, false);
        cw_cli_evm_scaled_dec(sent, sizeof sent, json_string_value(json_object_get(v, "sent")), as,
                              false);
        char opn[300] = "";
        const char *ob = json_string_value(json_object_get(v, "opening"));
        if (ob) {
            char sc[256];
            cw_cli_evm_scaled_dec(sc, sizeof sc, ob, as, false);
            snprintf(opn, sizeof opn, "opening %s, ", sc);
        }
        printf("  %-10s %s%s (%sreceived %s, sent %s)%s%s\n", sym && *sym ? sym : "token", bal,
               complete ? "" : " net", opn, rec, sent,
               json_object_get(as, "token") ? "  token " : "",
               json_object_get(as, "token") ? json_string_value(json_object_get(as, "token")) : "");
        if (json_object_get(v, "below_zero"))
            printf("             BELOW ZERO: %s\n",
                   json_string_value(json_object_get(v, "below_zero")));
        json_t *fz = json_object_get(v, "frozen");
        if (fz)
            printf("             FROZEN by the issuer since block %lld (tx %s)%s\n",
                   (long long)json_integer_value(json_object_get(fz, "since_block")),
                   json_string_value(json_object_get(fz, "tx")),
                   json_is_true(json_object_get(fz, "probable")) ? ", probable (status unknown)"
                                                                 : "");
    }
    printf("  movements: %lld (newest first)\n",
           (long long)json_integer_value(json_object_get(j, "movements_total")));
    json_array_foreach(json_object_get(j, "movements"), i, v)
    {
        json_t *amt = json_object_get(v, "amount");
        char a[256];
        if (amt) {
            cw_cli_evm_scaled_dec(a, sizeof a, json_string_value(amt), json_object_get(v, "asset"),
                                  true);
        } else { /* an ERC-1155 batch: item counts, not amounts */
            const char *it = json_string_value(json_object_get(v, "items")),
                       *sy = json_string_value(
                           json_object_get(json_object_get(v, "asset"), "symbol"));
            snprintf(a, sizeof a, "%s items of %s", it ? it : "?", sy && *sy ? sy : "?");
        }
        json_t *f = json_object_get(v, "from"), *t = json_object_get(v, "to");
        printf("    block %lld %-10s %s  %s -> %s%s\n",
               (long long)json_integer_value(json_object_get(v, "block")),
               json_string_value(json_object_get(v, "kind")), a,
               json_is_string(f) ? json_string_value(f) : "(none)",
               json_is_string(t) ? json_string_value(t) : "(none)", issuer_note(v));
    }
    json_decref(j);
    return CW_EXIT_OK;
}

static int run(int argc, char **argv)
{
    /* --opening FILE (EVM stores) is taken out before the common store options */
    const char *opening;
    char *av[64];
    int ac;
    int ec = cw_store_opts_take_opening(&cw_cmd_address, argc, argv, &opening, av, &ac);
    if (ec)
        return ec;
    cw_store_opts o;
    ec = cw_store_opts_parse_paged(&o, &cw_cmd_address, ac, av, 1, 1);
    if (ec)
        return ec;
    if (cw_evmstore_detect(o.store))
        return run_evm(&o, opening);
    if (opening)
        return cw_cli_usage_error(&cw_cmd_address, "--opening: for an EVM store only");
    cw_chainstore *cs;
    if ((ec = cw_store_opts_open(&cs, &o, "address")))
        return ec;
    cw_chainstore_advise_random(cs); /* a point lookup: read pages, not read-ahead windows */
    /* Through the address-history index when one matches the store (`chainwatch addrindex`):
     * a deep page costs two reads instead of a link per output skipped. None, or one left
     * behind by a reorganisation or damaged: the walk, which gives the same answer. */
    cw_addrhist *ix = NULL;
    if (cw_addrhist_open(&ix, cs) == 0)
        cw_addrhist_advise_random(ix);
    else
        cw_error_clear();
    json_t *j = NULL;
    int rc = cw_query_address_ix(&j, cs, ix, o.args[0], o.offset, o.limit);
    rc = cw_cli_chain_answer(&j, cs, rc);
    cw_addrhist_close(ix);
    if (rc) {
        cw_chainstore_close(cs);
        return cw_cli_fail("address", rc);
    }
    if (o.json) {
        ec = cw_cli_print_json(j);
    } else {
        cw_cli_synthetic_line(j);
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
        char t0[32], t1[32];
        if (f && l)
            printf("  first seen at height %lld (%s), last at %lld (%s)\n",
                   (long long)json_integer_value(json_object_get(f, "height")),
                   cw_cli_chain_time(t0, json_object_get(f, "time")),
                   (long long)json_integer_value(json_object_get(l, "height")),
                   cw_cli_chain_time(t1, json_object_get(l, "time")));
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(j, "txs"), i, v)
            printf("  %lld %s %s\n", (long long)json_integer_value(json_object_get(v, "height")),
                   cw_cli_chain_time(t0, json_object_get(v, "time")),
                   json_string_value(json_object_get(v, "txid")));
        json_decref(j);
    }
    cw_chainstore_close(cs);
    return ec;
}

const cw_command cw_cmd_address = {
    "address", "show an address: received, sent, balance, txs",
    "Usage: chainwatch address ADDR --store DIR [--offset N] [--limit N] [--json]\n"
    "                          [--opening FILE]\n\n"
    "Shows what an address received and sent, its balance, tx count, first and last seen, and\n"
    "a page of its txs, newest first (default limit 25). When `chainwatch addrindex` has built\n"
    "the address-history index, the page is read from it whatever the offset (outputs newer\n"
    "than the index are walked; an index a reorganisation left behind is not used): the same\n"
    "answer as without. On an EVM store the text output scales\n"
    "amounts exactly by the asset's decimals (\"0.045762059 ETH\"); --json keeps them as decimal\n"
    "strings of base units, with the decimals beside. An EVM store that starts after genesis\n"
    "shows net flows from its first block (\"from block N\"), not balances, unless --opening\n"
    "FILE states the balances before that block (address,asset,balance lines, as `check\n"
    "--opening`): the balances are then the opening's plus the blocks held.\n",
    run};
