/*
 * xchain_cli.c: the bridge exits of an EVM trace (xchain.h) as JSON and as text, for
 * `chainwatch trace` on an EVM store (trace_evm.c). Thin: formats what the engine found.
 *
 * JSON: "bridge_exits" (one per tainted deposit, with its memo and what became of it) and
 * "continuations" (one per Bitcoin destination: the probable payouts and the Bitcoin trace from
 * them, as `chainwatch trace --json` prints it on a Bitcoin store). Each exit's "edge" is the
 * one cross-chain edge: EVM deposit tx -> Bitcoin address, probable, with its best payout score.
 */
#include <stdio.h>
#include <string.h>

#include "chainwatch/evm/store.h"
#include "chainwatch/util.h"
#include "cli/trace_evm.h"
#include "cli/xchain_cli.h"

static json_t *hex_tx(const cw_evmstore *s, uint64_t tx)
{
    char h[67] = "0x";
    cw_hex_encode(h + 2, cw_evmstore_tx_hash(s, tx), 32);
    return json_string(h);
}

static json_t *evm_addr(const cw_evmstore *s, uint32_t id)
{
    const cw_evm_row_account *a = cw_evmstore_account(s, id);
    if (!a)
        return json_null();
    char h[43] = "0x";
    cw_hex_encode(h + 2, a->addr, 20);
    return json_string(h);
}

static json_t *utc(uint64_t t)
{
    char b[32];
    cw_time_format(b, (int64_t)t * 1000000, 0);
    return json_string(b);
}

json_t *cw_cli_xchain_json(const cw_xchain_result *x, const cw_evmstore *s,
                           const cw_chainstore *btc,
                           json_t *(*asset_json)(const cw_evmstore *, uint32_t))
{
    size_t ne, nd, np;
    const cw_xchain_exit *e = cw_xchain_result_exits(x, &ne);
    const cw_xchain_dest *d = cw_xchain_result_dests(x, &nd);
    const cw_xchain_payout *p = cw_xchain_result_payouts(x, &np);
    json_t *exits = json_array(), *conts = json_array();
    for (size_t i = 0; i < ne; i++) {
        char dec[CW_U256_DEC_MAX];
        cw_u256_to_dec(dec, &e[i].amount);
        json_t *j = json_pack(
            "{s:o, s:o, s:o, s:s, s:I, s:I, s:o, s:s, s:b}", "tx", hex_tx(s, e[i].tx), "bridge",
            evm_addr(s, e[i].bridge), "asset", asset_json(s, e[i].asset), "amount", dec, "block",
            (json_int_t)e[i].block, "time", (json_int_t)e[i].time, "time_utc", utc(e[i].time),
            "status", cw_xchain_status_name(e[i].status), "taint_probable", e[i].probable);
        json_object_set_new(j, "memo", e[i].memo[0] ? json_string(e[i].memo) : json_null());
        if (e[i].status != CW_XCHAIN_NO_MEMO && e[i].status != CW_XCHAIN_BAD_MEMO) {
            /* a memo's function; a Bitcoin address alone or an event has none */
            json_object_set_new(j, "recipient_from", json_string(cw_xchain_from_name(e[i].from)));
            if (e[i].from == CW_XCHAIN_FROM_MEMO)
                json_object_set_new(j, "function",
                                    json_string(cw_evm_memo_fn_name(e[i].parsed.fn)));
            /* the event's name, or for a destination read from the call's input the call's */
            if (e[i].from == CW_XCHAIN_FROM_EVENT || e[i].from == CW_XCHAIN_FROM_CALL)
                json_object_set_new(j, e[i].from == CW_XCHAIN_FROM_CALL ? "call" : "event",
                                    json_string(e[i].event));
            json_object_set_new(j, "chain", json_string(e[i].parsed.chain));
            unsigned long long id;
            const cw_evm_chain *c;
            if (sscanf(e[i].parsed.chain, "eip155:%llu", &id) == 1 &&
                (c = cw_evm_chain_by_id(id)) != NULL)
                json_object_set_new(j, "chain_name", json_string(c->name));
            if (e[i].lz_eid)
                json_object_set_new(j, "layerzero_eid", json_integer(e[i].lz_eid));
            if (e[i].parsed.asset[0])
                json_object_set_new(j, "dest_asset", json_string(e[i].parsed.asset));
            json_object_set_new(j, "destination", json_string(e[i].parsed.dest));
            if (e[i].parsed.limit_valid)
                json_object_set_new(j, "limit", json_string(e[i].parsed.limit));
        }
        if (e[i].note[0])
            json_object_set_new(j, "note", json_string(e[i].note));
        if (e[i].dest != SIZE_MAX && e[i].status == CW_XCHAIN_CONTINUED) {
            const cw_xchain_dest *dd = &d[e[i].dest];
            double best = 0;
            for (size_t k = 0; k < dd->n_payouts; k++)
                if (p[dd->first_payout + k].traced && p[dd->first_payout + k].score > best)
                    best = p[dd->first_payout + k].score;
            json_object_set_new(j, "edge",
                                json_pack("{s:s, s:o, s:s, s:s, s:f, s:b}", "from_chain",
                                          cw_evmstore_chain(s)->name, "from_tx", hex_tx(s, e[i].tx),
                                          "to_chain", "bitcoin", "to_address", dd->address, "score",
                                          best, "probable", 1));
        }
        json_array_append_new(exits, j);
    }
    for (size_t k = 0; k < nd; k++) {
        json_t *pays = json_array();
        for (size_t q = 0; q < d[k].n_payouts; q++) {
            const cw_xchain_payout *pp = &p[d[k].first_payout + q];
            char txid[65];
            cw_hex_encode_rev(txid, cw_chainstore_txid(btc, pp->tx), 32);
            json_array_append_new(
                pays, json_pack("{s:s, s:I, s:I, s:I, s:o, s:f, s:b, s:b}", "txid", txid, "vout",
                                (json_int_t)(pp->out - cw_chainstore_tx_first_out(btc, pp->tx)),
                                "value_sat", (json_int_t)pp->value, "time", (json_int_t)pp->time,
                                "time_utc", utc(pp->time), "score", pp->score, "traced", pp->traced,
                                "probable", 1));
            json_object_set_new(json_array_get(pays, json_array_size(pays) - 1), "height",
                                json_integer((json_int_t)(cw_chainstore_base_height(btc) +
                                                          cw_chainstore_tx_block(btc, pp->tx))));
        }
        json_t *c = json_pack("{s:s, s:b, s:o}", "address", d[k].address, "in_store",
                              d[k].addr != CW_NONE64, "payouts", pays);
        json_object_set_new(c, "trace",
                            d[k].trace ? cw_trace_json(d[k].trace, 100, 1000) : json_null());
        json_array_append_new(conts, c);
    }
    return json_pack("{s:o, s:o}", "bridge_exits", exits, "continuations", conts);
}

static void sat(char *b, size_t n, int64_t v)
{
    snprintf(b, n, "%lld.%08lld", (long long)(v / 100000000), (long long)(v % 100000000));
}

void cw_cli_xchain_print(json_t *xj)
{
    json_t *exits = json_object_get(xj, "bridge_exits");
    size_t i, k;
    json_t *v;
    if (!json_array_size(exits))
        return;
    printf("\nbridge exits (cross-chain; each link to Bitcoin is PROBABLE, with its score):\n");
    json_array_foreach(exits, i, v)
    {
        json_t *edge = json_object_get(v, "edge");
        cw_u256 amt;
        char sc[160];
        const char *a = json_string_value(json_object_get(v, "amount"));
        if (cw_u256_parse(&amt, a, strlen(a)) == 0)
            cw_cli_evm_scaled(sc, sizeof sc, &amt, json_object_get(v, "asset"));
        else
            snprintf(sc, sizeof sc, "%s", a);
        const char *memo = json_string_value(json_object_get(v, "memo"));
        const char *dest = json_string_value(json_object_get(v, "destination"));
        const char *event = json_string_value(json_object_get(v, "event"));
        const char *call = json_string_value(json_object_get(v, "call"));
        printf("  block %lld %s  %s  ", (long long)json_integer_value(json_object_get(v, "block")),
               json_string_value(json_object_get(v, "time_utc")),
               json_string_value(json_object_get(v, "tx")));
        if (call)
            printf("deposit call %s (no memo, no event)", call);
        else if (event)
            printf("deposit event %s (no memo)", event);
        else if (memo)
            printf("memo \"%s\"", memo);
        else
            printf("no memo");
        printf("\n      %s into %s -> ", sc, json_string_value(json_object_get(v, "bridge")));
        if (dest && (event || call)) {
            /* the chain's name (and a LayerZero endpoint id) on a line of their own */
            json_t *cn = json_object_get(v, "chain_name");
            json_t *eid = json_object_get(v, "layerzero_eid");
            printf("%s on %s", dest, json_string_value(json_object_get(v, "chain")));
            if (cn || eid)
                printf("\n      destination chain: %s", cn ? json_string_value(cn) : "not known");
            if (eid)
                printf(" (LayerZero endpoint id %lld%s)", (long long)json_integer_value(eid),
                       cn ? "" : ", not in chainwatch's endpoint table");
        } else {
            printf("%s", dest ? dest : "(no recipient recorded)");
        }
        if (edge)
            printf("  [probable, score %.2f]\n", json_real_value(json_object_get(edge, "score")));
        else
            printf("\n      not continued: %s (%s)\n",
                   json_string_value(json_object_get(v, "status")),
                   json_is_string(json_object_get(v, "note"))
                       ? json_string_value(json_object_get(v, "note"))
                       : "");
    }
    json_array_foreach(json_object_get(xj, "continuations"), i, v)
    {
        printf("\ncontinued in Bitcoin at %s (%zu payout(s) in the window):\n",
               json_string_value(json_object_get(v, "address")),
               json_array_size(json_object_get(v, "payouts")));
        json_t *pv;
        json_array_foreach(json_object_get(v, "payouts"), k, pv)
        {
            char b[40];
            sat(b, sizeof b, json_integer_value(json_object_get(pv, "value_sat")));
            printf("    %s:%lld  %s BTC  height %lld %s  score %.2f%s\n",
                   json_string_value(json_object_get(pv, "txid")),
                   (long long)json_integer_value(json_object_get(pv, "vout")), b,
                   (long long)json_integer_value(json_object_get(pv, "height")),
                   json_string_value(json_object_get(pv, "time_utc")),
                   json_real_value(json_object_get(pv, "score")),
                   json_is_true(json_object_get(pv, "traced")) ? "" : " (not traced)");
        }
        json_t *t = json_object_get(v, "trace");
        if (!json_is_object(t))
            continue;
        printf("    where it ended (Bitcoin trace, %s):\n",
               json_string_value(json_object_get(json_object_get(t, "options"), "model")));
        json_t *c;
        json_array_foreach(json_object_get(t, "by_category"), k, c)
        {
            char b[40];
            sat(b, sizeof b, json_integer_value(json_object_get(c, "value")));
            printf("      %-20s %20s BTC  %lld output(s)\n",
                   json_string_value(json_object_get(c, "category")), b,
                   (long long)json_integer_value(json_object_get(c, "outputs")));
        }
    }
}
