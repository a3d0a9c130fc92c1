/*
 * world.c: `cw_gen_evm_run`: builds the world, runs the block loop and writes the ground truth
 * (docs/GEN.md "EVM worlds"). Block 0 is an empty genesis dated 2026-01-01 00:00 UTC; blocks
 * follow every 12 s (24 s after a missed slot). Each block holds the due events (sweeps, mixer
 * withdrawals, heist actions) and then honest transactions up to its draw of
 * txs_per_block x [0.5, 1.5], and 16 validator withdrawals. Files: DIR/{blocks,transactions,
 * receipts,logs,token_transfers,traces,tokens}.csv and the files in DIR/truth.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "gen/evm/evm_int.h"

double ew_scenario_hours(const cw_gen_evm_scenario *s);

#define GENESIS_TIME 1767225600ULL /* 2026-01-01 00:00:00 UTC */

const char *ew_cat_name(int cat)
{
    static const char *const n[EWC_N] = {"user",
                                         "exchange",
                                         "exchange_deposit",
                                         "exchange_gas_station",
                                         "stablecoin_issuer",
                                         "deployer",
                                         "staker",
                                         "fee_recipient",
                                         "token",
                                         "weth",
                                         "dex_router",
                                         "dex_pair",
                                         "mixer_pool",
                                         "mixer_relayer",
                                         "bridge_router",
                                         "bridge_vault",
                                         "batch_sender",
                                         "payment_splitter",
                                         "nft",
                                         "forwarder_factory",
                                         "thief",
                                         "zero_address",
                                         "otc_desk",
                                         "exchange_consolidation",
                                         "bridge_lock",
                                         "exchange_hot_contract",
                                         "exchange_operator",
                                         "bridge_pool",
                                         "bridge_relayer",
                                         "bridge_operator",
                                         "aggregator_router"};
    return cat >= 0 && cat < EWC_N ? n[cat] : "unknown";
}

static int write_text(const char *path, const char *txt)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return cw_error_set(CW_EIO, "%s: %s", path, strerror(errno));
    size_t l = strlen(txt);
    int rc = 0;
    if (fwrite(txt, 1, l, f) != l)
        rc = cw_error_set(CW_EIO, "write %s: %s", path, strerror(errno));
    if (fclose(f) != 0 && !rc)
        rc = cw_error_set(CW_EIO, "write %s: %s", path, strerror(errno));
    return rc;
}

static int write_json(const char *path, json_t *v)
{
    char *t = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!t)
        return cw_error_set(CW_ENOMEM, "out of memory");
    size_t l = strlen(t);
    char *t2 = realloc(t, l + 2);
    if (!t2) {
        free(t);
        return cw_error_set(CW_ENOMEM, "out of memory");
    }
    t2[l] = '\n';
    t2[l + 1] = 0;
    int rc = write_text(path, t2);
    free(t2);
    return rc;
}

static json_t *jaddr(const ew_world *w, uint32_t a)
{
    char s[43];
    ew_addr_hex(s, w, a);
    return json_string(s);
}

static json_t *jdec(u128 v)
{
    char s[48];
    ew_u128_dec(s, v);
    return json_string(s);
}

static int write_tokens(ew_world *w, const char *dir)
{
    ew_out o;
    int rc = ew_out_open(&o, dir, "tokens.csv",
                         "address,symbol,name,decimals,total_supply,block_number");
    if (rc)
        return rc;
    for (int t = 1; t <= EW_NTOK; t++) {
        ew_put_hex(&o, w->acct[w->tok[t]].addr, 20);
        ew_put_c(&o, ',');
        ew_put_s(&o, ew_asset_symbol(t));
        ew_put_c(&o, ',');
        ew_put_s(&o, ew_asset_name(t));
        ew_put_c(&o, ',');
        ew_put_u64(&o, w->tok_dec[t]);
        ew_put_c(&o, ',');
        ew_put_u128(&o, w->supply[t]);
        ew_put_c(&o, ',');
        ew_put_u64(&o, w->number);
        ew_put_eol(&o);
    }
    for (int t = 1; t < EW_WETH; t++) {
        ew_put_hex(&o, w->acct[w->pair[t]].addr, 20);
        ew_put_s(&o, ",CW-LP,CW DEX LP Token,18,");
        ew_put_u128(&o, w->lp_held[t] + 1000);
        ew_put_c(&o, ',');
        ew_put_u64(&o, w->number);
        ew_put_eol(&o);
    }
    ew_put_hex(&o, w->acct[w->nft].addr, 20);
    ew_put_s(&o, ",CWNFT,CW Collectibles,,");
    ew_put_u64(&o, w->nft_next);
    ew_put_c(&o, ',');
    ew_put_u64(&o, w->number);
    ew_put_eol(&o);
    w->st->bytes += o.bytes + o.len;
    return ew_out_close(&o);
}

static int write_truth(ew_world *w)
{
    ew_out o;
    int rc = ew_out_open(&o, w->truth_dir, "entities.csv", "entity_id,name,category");
    if (rc)
        return rc;
    for (size_t i = 0; i < w->n_ent; i++) {
        ew_put_u64(&o, i);
        ew_put_c(&o, ',');
        ew_put_s(&o, w->ent[i].name);
        ew_put_c(&o, ',');
        ew_put_s(&o, ew_cat_name(w->ent[i].cat));
        ew_put_eol(&o);
    }
    if ((rc = ew_out_close(&o)))
        return rc;
    rc = ew_out_open(&o, w->truth_dir, "addresses.csv",
                     "address,kind,entity_id,entity_name,category,customer_id,exchange");
    if (rc)
        return rc;
    for (size_t i = 0; i < w->n_acct; i++) {
        const ew_acct *a = &w->acct[i];
        ew_put_hex(&o, a->addr, 20);
        ew_put_s(&o, a->contract ? ",contract," : ",eoa,");
        ew_put_u64(&o, a->ent);
        ew_put_c(&o, ',');
        ew_put_s(&o, w->ent[a->ent].name);
        ew_put_c(&o, ',');
        ew_put_s(&o, ew_cat_name(a->cat));
        ew_put_c(&o, ',');
        if (a->customer != EW_NONE)
            ew_put_u64(&o, a->customer);
        ew_put_c(&o, ',');
        if (a->exch != EW_NONE)
            ew_put_s(&o, w->sc->exch[a->exch]);
        ew_put_eol(&o);
    }
    if ((rc = ew_out_close(&o)))
        return rc;
    /* the ledger at the tip: every nonzero balance (the zero address, the mint and burn
     * source, left out); asset ETH or the token contract */
    rc = ew_out_open(&o, w->truth_dir, "balances.csv", "address,asset,balance");
    if (rc)
        return rc;
    char ta[1 + EW_NTOK][43];
    for (int t = 1; t <= EW_NTOK; t++)
        ew_addr_hex(ta[t], w, w->tok[t]);
    for (size_t i = 0; i < w->n_acct; i++) {
        if (i == w->zero)
            continue;
        for (int t = 0; t <= EW_NTOK; t++) {
            if (!w->bal[t][i])
                continue;
            ew_put_hex(&o, w->acct[i].addr, 20);
            ew_put_c(&o, ',');
            ew_put_s(&o, t ? ta[t] : "ETH");
            ew_put_c(&o, ',');
            ew_put_u128(&o, w->bal[t][i]);
            ew_put_eol(&o);
        }
        if (i == w->lp)
            for (int t = 1; t < EW_WETH; t++) {
                ew_put_hex(&o, w->acct[i].addr, 20);
                ew_put_c(&o, ',');
                ew_put_hex(&o, w->acct[w->pair[t]].addr, 20);
                ew_put_c(&o, ',');
                ew_put_u128(&o, w->lp_held[t]);
                ew_put_eol(&o);
            }
    }
    if ((rc = ew_out_close(&o)))
        return rc;
    /* world.json */
    json_t *j = json_object();
    json_object_set_new(j, "format", json_string("chainwatch-gen-evm-truth/1"));
    json_object_set_new(j, "scenario", json_string(w->sc->name));
    json_object_set_new(j, "seed", json_integer((json_int_t)w->opts->seed));
    json_object_set_new(j, "txs", json_integer((json_int_t)w->txs_total));
    json_object_set_new(j, "failed_txs", json_integer((json_int_t)w->failed));
    json_object_set_new(j, "blocks", json_integer((json_int_t)w->blocks_total));
    json_object_set_new(j, "tip_number", json_integer((json_int_t)w->number));
    char th[67] = "0x";
    for (int i = 0; i < 32; i++)
        snprintf(th + 2 + 2 * i, 3, "%02x", w->hash[i]);
    json_object_set_new(j, "tip_hash", json_string(th));
    json_object_set_new(j, "genesis_timestamp", json_integer((json_int_t)GENESIS_TIME));
    json_object_set_new(j, "tip_timestamp", json_integer((json_int_t)w->timestamp));
    json_object_set_new(j, "accounts", json_integer((json_int_t)w->n_acct));
    json_object_set_new(j, "entities", json_integer((json_int_t)w->n_ent));
    json_object_set_new(j, "users", json_integer((json_int_t)w->n_users));
    json_object_set_new(j, "line_ending", json_string("CRLF"));
    json_object_set_new(j, "ingest_chain", json_string("ethereum"));
    json_t *c = json_object();
    for (int t = 1; t <= EW_NTOK; t++) {
        json_t *tk = json_object();
        json_object_set_new(tk, "address", jaddr(w, w->tok[t]));
        json_object_set_new(tk, "decimals", json_integer(w->tok_dec[t]));
        json_object_set_new(tk, "total_supply", jdec(w->supply[t]));
        json_object_set_new(c, ew_asset_symbol(t), tk);
    }
    json_object_set_new(c, "dex_router", jaddr(w, w->router));
    json_t *pairs = json_object();
    for (int t = 1; t < EW_WETH; t++) {
        json_t *p = json_object();
        json_object_set_new(p, "address", jaddr(w, w->pair[t]));
        json_object_set_new(p, "reserve_token", jdec(w->res_tok[t]));
        json_object_set_new(p, "reserve_weth", jdec(w->res_weth[t]));
        char k[16];
        snprintf(k, sizeof k, "%s/WETH", ew_asset_symbol(t));
        json_object_set_new(pairs, k, p);
    }
    json_object_set_new(c, "dex_pairs", pairs);
    json_t *pools = json_array();
    for (int p = 0; p < 4; p++) {
        json_t *po = json_object();
        json_object_set_new(po, "address", jaddr(w, w->mixer[p]));
        json_object_set_new(po, "denomination_wei", jdec(w->mixer_denom[p]));
        json_object_set_new(po, "deposits", json_integer(w->mixer_leaves[p]));
        json_array_append_new(pools, po);
    }
    json_object_set_new(c, "mixer_pools", pools);
    json_t *rel = json_array();
    for (uint32_t i = 0; i < w->n_relayers; i++)
        json_array_append_new(rel, jaddr(w, w->relayers[i]));
    json_object_set_new(c, "mixer_relayers", rel);
    json_object_set_new(c, "bridge_router", jaddr(w, w->bridge_router));
    json_object_set_new(c, "bridge_vault", jaddr(w, w->bridge_vault));
    json_object_set_new(c, "batch_sender", jaddr(w, w->batch));
    json_object_set_new(c, "payment_splitter", jaddr(w, w->splitter));
    json_object_set_new(c, "nft", jaddr(w, w->nft));
    json_object_set_new(j, "contracts", c);
    json_t *ex = json_array();
    for (uint32_t i = 0; i < w->n_exch; i++) {
        const ew_exch *x = &w->exch[i];
        json_t *e = json_object();
        json_object_set_new(e, "name", json_string(w->sc->exch[i]));
        json_object_set_new(e, "deposit_style",
                            json_string(x->style ? "forwarder_contract" : "eoa_with_gas_topup"));
        json_t *hot = json_array();
        for (uint32_t k = 0; k < x->n_hot; k++)
            json_array_append_new(hot, jaddr(w, x->hot[k]));
        json_object_set_new(e, "hot_wallets", hot);
        json_object_set_new(e, "gas_station", jaddr(w, x->gas));
        if (x->style)
            json_object_set_new(e, "forwarder_factory", jaddr(w, x->factory));
        if (x->op != EW_NONE) /* world.contract_hot */
            json_object_set_new(e, "hot_wallet_operator", jaddr(w, x->op));
        json_array_append_new(ex, e);
    }
    json_object_set_new(j, "exchanges", ex);
    char path[700];
    snprintf(path, sizeof path, "%s/world.json", w->truth_dir);
    rc = write_json(path, j);
    json_decref(j);
    return rc;
}

static void world_free(ew_world *w)
{
    ew_out *outs[] = {&w->o_blocks, &w->o_txs,    &w->o_rcpt,  &w->o_logs,
                      &w->o_tt,     &w->o_traces, &w->t_links, &w->t_bridge,
                      &w->t_flows,  &w->t_cash,   &w->t_lock,  &w->t_across};
    for (size_t i = 0; i < sizeof outs / sizeof *outs; i++)
        ew_out_abort(outs[i]);
    ew_heists_free(w);
    free(w->acct);
    for (int k = 0; k <= EW_NTOK; k++)
        free(w->bal[k]);
    free(w->ent);
    free(w->users);
    free(w->nft_owner);
    free(w->tx.scratch);
    free(w->tx.tr);
    free(w->heap);
    free(w->notes);
}

int cw_gen_evm_run(const cw_gen_evm_opts *opts, cw_gen_evm_stats *st)
{
    memset(st, 0, sizeof *st);
    if (!opts->out_dir || !*opts->out_dir)
        return cw_error_set(CW_EINVAL, "gen evm: an output folder is required");
    if (opts->txs < 2000)
        return cw_error_set(CW_EINVAL, "a world needs at least 2000 transactions, not %llu",
                            (unsigned long long)opts->txs);
    cw_gen_evm_scenario *own = NULL;
    const cw_gen_evm_scenario *sc = opts->scenario;
    int rc = 0;
    if (!sc) {
        rc = cw_gen_evm_scenario_parse(&own, cw_gen_evm_default_scenario(),
                                       strlen(cw_gen_evm_default_scenario()), "built-in scenario");
        if (rc)
            return rc;
        sc = own;
    }
    double hours = ew_scenario_hours(sc);
    uint64_t need = (uint64_t)((hours * 300.0 + 40.0) * sc->txs_per_block * 1.1);
    if (opts->txs < need) {
        rc = cw_error_set(CW_EINVAL,
                          "a world of %llu transactions is too small for the scenario \"%s\": its "
                          "heists need about %.1f hours of blocks at %u transactions a block, "
                          "so at least %llu transactions",
                          (unsigned long long)opts->txs, sc->name, hours, sc->txs_per_block,
                          (unsigned long long)need);
        cw_gen_evm_scenario_free(own);
        return rc;
    }
    double t0 = cw_now();
    ew_world *w = calloc(1, sizeof *w);
    cw_progress *prog = NULL;
    if (!w) {
        cw_gen_evm_scenario_free(own);
        return cw_error_set(CW_ENOMEM, "out of memory");
    }
    w->opts = opts;
    w->sc = sc;
    w->st = st;
    w->txs_target = opts->txs;
    w->salt = gen_mix64(opts->seed ^ 0x45564d47454eULL);
    gen_rng_seed(&w->rng, opts->seed, 0x65766d);
    w->number = UINT64_MAX; /* the first block is 0 */
    w->timestamp = GENESIS_TIME - 12;
    w->base_fee = 12000000000ULL;
    snprintf(w->truth_dir, sizeof w->truth_dir, "%s/truth", opts->out_dir);
    if ((rc = cw_mkdir_p(w->truth_dir)))
        goto out;
    const char *d = opts->out_dir;
    if ((rc = ew_out_open(&w->o_blocks, d, "blocks.csv",
                          "number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,"
                          "state_root,receipts_root,miner,difficulty,total_difficulty,size,"
                          "extra_data,gas_limit,gas_used,timestamp,transaction_count,"
                          "base_fee_per_gas,withdrawals_root,withdrawals")) ||
        (rc = ew_out_open(&w->o_txs, d, "transactions.csv",
                          "hash,nonce,block_hash,block_number,transaction_index,from_address,"
                          "to_address,value,gas,gas_price,input,block_timestamp,max_fee_per_gas,"
                          "max_priority_fee_per_gas,transaction_type")) ||
        (rc = ew_out_open(&w->o_rcpt, d, "receipts.csv",
                          "transaction_hash,transaction_index,block_hash,block_number,"
                          "cumulative_gas_used,gas_used,contract_address,root,status,"
                          "effective_gas_price,l1_fee,l1_gas_used,l1_gas_price,l1_fee_scalar")) ||
        (rc = ew_out_open(&w->o_logs, d, "logs.csv",
                          "log_index,transaction_hash,transaction_index,block_hash,block_number,"
                          "address,data,topics")) ||
        (rc = ew_out_open(&w->o_tt, d, "token_transfers.csv",
                          "token_address,from_address,to_address,value,transaction_hash,"
                          "log_index,block_number")) ||
        (rc = ew_out_open(&w->o_traces, d, "traces.csv",
                          "block_number,transaction_hash,transaction_index,from_address,"
                          "to_address,value,input,output,trace_type,call_type,reward_type,gas,"
                          "gas_used,subtraces,trace_address,error,status,trace_id")) ||
        (rc = ew_out_open(&w->t_links, w->truth_dir, "mixer_links.csv",
                          "pool,denomination_wei,deposit_tx,deposit_block,depositor,"
                          "withdrawal_tx,withdrawal_block,recipient,relayer,relayer_fee_wei,"
                          "heist")) ||
        (rc = ew_out_open(&w->t_bridge, w->truth_dir, "bridge_deposits.csv",
                          "heist,tx_hash,block,timestamp,from_address,asset,amount,memo,"
                          "btc_address,style")) ||
        (rc = ew_out_open(&w->t_flows, w->truth_dir, "heist_flows.csv",
                          "heist,tx_hash,block,timestamp,kind,from_address,to_address,asset,"
                          "amount,fee_wei")) ||
        (rc = ew_out_open(&w->t_cash, w->truth_dir, "cash_outs.csv",
                          "heist,tx_hash,block,timestamp,exchange,deposit_address,from_address,"
                          "asset,amount")) ||
        (w->sc->lock_bridge &&
         (rc = ew_out_open(&w->t_lock, w->truth_dir, "lock_bridge.csv",
                           "kind,heist,tx_hash,block,timestamp,from_address,to_address,asset,"
                           "amount,dest_chain,recipient"))) ||
        (w->sc->across_bridge &&
         (rc = ew_out_open(&w->t_across, w->truth_dir, "across_bridge.csv",
                           "kind,heist,tx_hash,block,timestamp,from_address,to_address,asset,"
                           "amount,dest_chain,recipient"))))
        goto out;
    if ((rc = ew_econ_setup(w)) || (rc = ew_heists_init(w)))
        goto out;
    /* genesis */
    ew_block_begin(w);
    if ((rc = ew_block_end(w, 0, NULL, NULL)))
        goto out;
    {
        u128 extra[EW_MAX_EXCH][1 + EW_NTOK];
        memset(extra, 0, sizeof extra);
        for (size_t i = 0; i < sc->n_heists; i++)
            for (int a = 0; a < EW_WETH; a++)
                extra[sc->heists[i].victim][a] +=
                    sc->heists[i].stolen[a] + sc->heists[i].stolen[a] / 5;
        if ((rc = ew_econ_open(w, extra)))
            goto out;
    }
    prog = opts->progress ? cw_progress_new("gen evm", opts->txs, "tx") : NULL;
    uint32_t wd_to[16];
    uint64_t wd_amt[16];
    while (w->txs_total < w->txs_target && !w->err) {
        ew_block_begin(w);
        uint32_t tpb = sc->txs_per_block;
        uint64_t n = tpb / 2 + gen_below(&w->rng, tpb + 1);
        ew_event e;
        while (!w->err && w->txs_total < w->txs_target && ew_event_pop_due(w, &e))
            ew_handle_event(w, &e);
        while (!w->err && w->tx_index < n && w->txs_total < w->txs_target)
            ew_econ_tx(w);
        for (int i = 0; i < 16; i++) {
            wd_to[i] = w->stakers[gen_below(&w->rng, w->n_stakers)];
            wd_amt[i] = gen_chance(&w->rng, 0.01) ? 32000000000ULL + gen_below(&w->rng, 50000000)
                                                  : 10000000ULL + gen_below(&w->rng, 60000000);
        }
        if ((rc = ew_block_end(w, 16, wd_to, wd_amt)))
            goto out;
        if (prog && (w->number & 63) == 0)
            cw_progress_update(prog, w->txs_total, w->txs_total,
                               w->o_txs.bytes + w->o_traces.bytes + w->o_logs.bytes);
    }
    if (w->err) {
        rc = w->err;
        goto out;
    }
    if ((rc = ew_heists_finish(w)))
        goto out;
    {
        ew_out *outs[] = {&w->o_blocks, &w->o_txs,    &w->o_rcpt,  &w->o_logs,
                          &w->o_tt,     &w->o_traces, &w->t_links, &w->t_bridge,
                          &w->t_flows,  &w->t_cash,   &w->t_lock,  &w->t_across};
        for (size_t i = 0; i < sizeof outs / sizeof *outs; i++) {
            ew_out_flush(outs[i]);
            if (i < 6)
                st->bytes += outs[i]->bytes;
            if ((rc = ew_out_close(outs[i])))
                goto out;
        }
    }
    if ((rc = write_tokens(w, d)) || (rc = write_truth(w)))
        goto out;
    st->txs = w->txs_total;
    st->blocks = w->blocks_total;
    st->failed_txs = w->failed;
    st->accounts = w->n_acct;
    st->tip_number = w->number;
    memcpy(st->tip_hash, w->hash, 32);
    st->seconds = cw_now() - t0;
out:
    if (!rc && w->err)
        rc = w->err;
    cw_progress_free(prog);
    world_free(w);
    free(w);
    cw_gen_evm_scenario_free(own);
    return rc;
}
