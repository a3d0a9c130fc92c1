/*
 * econ.c: the honest economy and the services that honest users and thieves share.
 *
 * Set-up: opening balances arrive as validator withdrawals (the only way ETH enters, besides
 * the 16 small withdrawals of every later block); a deployer creates the tokens (USDT, USDC,
 * DAI with their real decimals), WETH, a Uniswap-V2-style router and three token/WETH pairs,
 * four Tornado-style pools (0.1, 1, 10, 100 ETH), a THORChain-style router with its vault, a
 * Disperse-style batch sender, a payment splitter and an NFT; the issuers mint (Transfer from
 * the zero address) and fund the exchanges and the liquidity provider, who adds liquidity.
 * Then every transaction is one honest action drawn by weight, or a due event: an exchange's
 * sweep of a deposit address (EOA style: ETH sent "all but the fee", tokens after a gas top-up
 * from the exchange's gas station; forwarder style: ETH forwarded in the deposit itself,
 * tokens flushed by the hot wallet), or a mixer withdrawal (through a relayer or direct).
 * Every service call is written with its real calldata, internal calls and events, so that a
 * reader sees the shapes real exports have.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/address.h"
#include "chainwatch/errors.h"
#include "gen/evm/evm_int.h"

static u128 rnd_u128(ew_world *w, u128 lo, u128 hi)
{
    if (hi <= lo)
        return lo;
    u128 span = hi - lo;
    if (span < ((u128)1 << 63))
        return lo + gen_below(&w->rng, (uint64_t)span + 1);
    u128 r = ((u128)gen_next(&w->rng) << 64) | gen_next(&w->rng);
    return lo + r % (span + 1);
}

/* a human-looking amount: a random value between lo and hi rounded to 2-3 significant digits
 * most of the time */
static u128 nice_amount(ew_world *w, u128 lo, u128 hi)
{
    u128 v = rnd_u128(w, lo, hi);
    if (gen_chance(&w->rng, 0.6)) {
        u128 p = 1;
        while (p * 1000 <= v)
            p *= 10;
        v = v / p * p;
        if (v < lo)
            v = lo;
    }
    return v;
}

uint64_t ew_gas_for(ew_world *w, int kind)
{
    switch (kind) {
    case EWG_TRANSFER:
        return 21000;
    case EWG_ERC20:
        return 34000 + gen_below(&w->rng, 31000);
    case EWG_APPROVE:
        return 44000 + gen_below(&w->rng, 3000);
    case EWG_SWAP:
        return 105000 + gen_below(&w->rng, 80000);
    case EWG_MIX_DEP:
        return 880000 + gen_below(&w->rng, 200000);
    case EWG_MIX_WD:
        return 310000 + gen_below(&w->rng, 90000);
    case EWG_BRIDGE:
        return 58000 + gen_below(&w->rng, 30000);
    case EWG_DISPERSE_BASE:
        return 30000;
    case EWG_DISPERSE_PER:
        return 9300 + gen_below(&w->rng, 800);
    case EWG_WETH:
        return 27000 + gen_below(&w->rng, 19000);
    case EWG_SPLIT:
        return 60000 + gen_below(&w->rng, 30000);
    case EWG_NFT:
        return 55000 + gen_below(&w->rng, 60000);
    case EWG_FLUSH:
        return 48000 + gen_below(&w->rng, 20000);
    case EWG_CREATE:
        return 1200000 + gen_below(&w->rng, 1300000);
    case EWG_FWD:
        return 29000 + gen_below(&w->rng, 9000);
    default:
        return 60000;
    }
}

/* ---- calldata helpers ---- */
static uint8_t *put_sel(uint8_t *p, const uint8_t sel[4])
{
    memcpy(p, sel, 4);
    return p + 4;
}
static uint8_t *put_waddr(uint8_t *p, const ew_world *w, uint32_t a)
{
    ew_word_addr(p, w, a);
    return p + 32;
}
static uint8_t *put_wu(uint8_t *p, u128 v)
{
    ew_word_u128(p, v);
    return p + 32;
}

static bool can_pay(const ew_world *w, uint32_t from, u128 value, uint64_t gas)
{
    return w->bal[0][from] >= value + ew_fee_bound(w, gas);
}

/* ---- contract hot wallets (world.contract_hot) ---- */

static bool hot_contract(const ew_world *w, uint32_t a)
{
    return w->acct[a].cat == EWC_EXCH_HOT_CONTRACT;
}

/* who sends a transaction on a's behalf: its exchange's operator for a contract hot wallet */
static uint32_t signer(const ew_world *w, uint32_t a)
{
    return hot_contract(w, a) ? w->exch[w->acct[a].exch].op : a;
}

/* A payment out of a contract hot wallet: the operator calls execTransaction(to, value, data)
 * and the contract pays in that call (ETH, or a token transfer it makes), with Safe's
 * ExecutionSuccess(bytes32 txHash, uint256 payment) event. */
static bool hot_pay(ew_world *w, uint32_t hot, int tok, uint32_t to, u128 value)
{
    uint32_t op = signer(w, hot);
    uint64_t gas = (tok ? 78000 : 52000) + gen_below(&w->rng, 9000);
    if (!can_pay(w, op, 0, gas) || w->bal[tok][hot] < value)
        return false;
    ew_tx_begin(w, op, hot, 0, gas, true);
    uint8_t *p = put_sel(ew_tx_input(w, 4 + 32 * 4 + (tok ? 96 : 0)), w->sel_exec);
    p = put_waddr(p, w, tok ? w->tok[tok] : to);
    p = put_wu(p, tok ? 0 : value);
    p = put_wu(p, 0x60);
    p = put_wu(p, tok ? 68 : 0);
    if (tok) {
        uint8_t in[68];
        put_wu(put_waddr(put_sel(in, w->sel_transfer), w, to), value);
        memcpy(p, in, 68);
        ew_tx_call(w, 0, hot, w->tok[tok], 0, in, 68, true);
        ew_erc20_transfer(w, tok, hot, to, value);
    } else {
        ew_tx_call(w, 0, hot, to, value, NULL, 0, true);
    }
    uint8_t data[64];
    memcpy(data, w->tx.hash, 32);
    put_wu(data + 32, 0);
    const uint8_t *tp[1] = {w->t_exec_ok};
    const uint16_t *bl[1] = {w->tb_exec_ok};
    ew_log(w, hot, 1, tp, bl, data, 64);
    ew_tx_end(w);
    return true;
}

/* ---- plain services ---- */
bool ew_send_eth(ew_world *w, uint32_t from, uint32_t to, u128 value)
{
    if (hot_contract(w, from))
        return hot_pay(w, from, 0, to, value);
    uint64_t gas = w->acct[to].contract ? ew_gas_for(w, EWG_FWD) : 21000;
    if (!can_pay(w, from, value, gas))
        return false;
    ew_tx_begin(w, from, to, value, gas, true);
    if (w->acct[to].contract && w->acct[to].cat == EWC_EXCH_DEPOSIT) {
        /* a forwarder: passes the ETH on to the exchange's hot wallet at once */
        const ew_exch *x = &w->exch[w->acct[to].exch];
        uint32_t hot = x->n_cons ? x->cons[to % x->n_cons] : x->hot[0];
        ew_tx_call(w, 0, to, hot, value, NULL, 0, true);
        uint8_t data[96];
        put_waddr(data, w, from);
        put_wu(data + 32, value);
        put_wu(data + 64, 0x60); /* offset of empty bytes */
        const uint8_t *tp[1] = {w->t_fwd};
        const uint16_t *bl[1] = {w->tb_fwd};
        ew_log(w, to, 1, tp, bl, data, 96);
        ew_tx_end(w);
        if (x->n_cons)
            ew_deposit_received(w, hot);
        return true;
    }
    ew_tx_end(w);
    return true;
}

static void erc20_call_input(ew_world *w, const uint8_t sel[4], uint32_t a, u128 amount)
{
    uint8_t *p = ew_tx_input(w, 68);
    p = put_sel(p, sel);
    p = put_waddr(p, w, a);
    put_wu(p, amount);
}

bool ew_send_token(ew_world *w, int tok, uint32_t from, uint32_t to, u128 amount)
{
    if (hot_contract(w, from))
        return hot_pay(w, from, tok, to, amount);
    uint64_t gas = ew_gas_for(w, EWG_ERC20);
    if (!can_pay(w, from, 0, gas) || w->bal[tok][from] < amount)
        return false;
    ew_tx_begin(w, from, w->tok[tok], 0, gas, true);
    erc20_call_input(w, w->sel_transfer, to, amount);
    ew_erc20_transfer(w, tok, from, to, amount);
    ew_tx_end(w);
    return true;
}

/* a token transfer for more than the sender holds: reverted, fee paid, nothing moves */
static bool failed_token_send(ew_world *w, int tok, uint32_t from, uint32_t to)
{
    uint64_t gas = 23000 + gen_below(&w->rng, 9000);
    if (!can_pay(w, from, 0, gas))
        return false;
    ew_tx_begin(w, from, w->tok[tok], 0, gas, false);
    erc20_call_input(w, w->sel_transfer, to, w->bal[tok][from] + 1 + gen_below(&w->rng, 1000000));
    ew_tx_end(w);
    return true;
}

bool ew_approve(ew_world *w, int tok, uint32_t owner, uint32_t spender)
{
    uint64_t gas = ew_gas_for(w, EWG_APPROVE);
    if (!can_pay(w, owner, 0, gas))
        return false;
    ew_tx_begin(w, owner, w->tok[tok], 0, gas, true);
    u128 maxv = ~(u128)0;
    erc20_call_input(w, w->sel_approve, spender, maxv);
    uint8_t data[32];
    memset(data, 0xff, 32); /* type(uint256).max */
    uint8_t w1[32], w2[32];
    ew_word_addr(w1, w, owner);
    ew_word_addr(w2, w, spender);
    const uint8_t *tp[3] = {w->t_approval, w1, w2};
    const uint16_t *bl[3] = {w->tb_approval, w->acct[owner].bloom_t, w->acct[spender].bloom_t};
    ew_log(w, w->tok[tok], 3, tp, bl, data, 32);
    ew_tx_end(w);
    return true;
}

/* ---- the constant-product pairs (x*y=k with the 0.3% fee, in exact integers) ---- */
typedef struct u256 {
    u128 hi, lo;
} u256;

static u256 mul128(u128 a, u128 b)
{
    uint64_t a0 = (uint64_t)a, a1 = (uint64_t)(a >> 64), b0 = (uint64_t)b, b1 = (uint64_t)(b >> 64);
    u128 p00 = (u128)a0 * b0, p01 = (u128)a0 * b1, p10 = (u128)a1 * b0, p11 = (u128)a1 * b1;
    u128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
    u256 r;
    r.lo = (mid << 64) | (uint64_t)p00;
    r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    return r;
}

/* floor(n / d) for a quotient that fits 128 bits (d > n.hi) */
static u128 div256(u256 n, u128 d)
{
    u128 rem = n.hi % d, q = 0;
    for (int i = 127; i >= 0; i--) {
        bool carry = (rem >> 127) != 0;
        rem = (rem << 1) | ((n.lo >> i) & 1);
        q <<= 1;
        if (carry || rem >= d) {
            rem -= d;
            q |= 1;
        }
    }
    return q;
}

static u128 amount_out(u128 in, u128 rin, u128 rout)
{
    u128 in_fee = in * 997;
    u256 num = mul128(in_fee, rout);
    u128 den = rin * 1000 + in_fee;
    return div256(num, den);
}

static bool tok_first(const ew_world *w, int tok)
{
    return memcmp(w->acct[w->tok[tok]].addr, w->acct[w->tok[EW_WETH]].addr, 20) < 0;
}

static void sync_swap_logs(ew_world *w, uint32_t sender, int tok, u128 tok_in, u128 weth_in,
                           u128 tok_out, u128 weth_out, uint32_t to)
{
    uint32_t pair = w->pair[tok];
    bool t0 = tok_first(w, tok);
    uint8_t d[128];
    put_wu(d, t0 ? w->res_tok[tok] : w->res_weth[tok]);
    put_wu(d + 32, t0 ? w->res_weth[tok] : w->res_tok[tok]);
    const uint8_t *tp[1] = {w->t_sync};
    const uint16_t *bl[1] = {w->tb_sync};
    ew_log(w, pair, 1, tp, bl, d, 64);
    put_wu(d, t0 ? tok_in : weth_in);
    put_wu(d + 32, t0 ? weth_in : tok_in);
    put_wu(d + 64, t0 ? tok_out : weth_out);
    put_wu(d + 96, t0 ? weth_out : tok_out);
    uint8_t w1[32], w2[32];
    ew_word_addr(w1, w, sender);
    ew_word_addr(w2, w, to);
    const uint8_t *tp2[3] = {w->t_swap, w1, w2};
    const uint16_t *bl2[3] = {w->tb_swap, w->acct[sender].bloom_t, w->acct[to].bloom_t};
    ew_log(w, pair, 3, tp2, bl2, d, 128);
}

static uint8_t *swap_input(ew_world *w, const uint8_t sel[4], bool with_amount_in, u128 in,
                           u128 min_out, int tok, bool eth_first, uint32_t to)
{
    size_t n = 4 + 32 * (with_amount_in ? 8 : 7);
    uint8_t *p0 = ew_tx_input(w, n), *p = p0;
    p = put_sel(p, sel);
    if (with_amount_in)
        p = put_wu(p, in);
    p = put_wu(p, min_out);
    p = put_wu(p, with_amount_in ? 0xa0 : 0x80);
    p = put_waddr(p, w, to);
    p = put_wu(p, w->timestamp + 1200);
    p = put_wu(p, 2);
    p = put_waddr(p, w, eth_first ? w->tok[EW_WETH] : w->tok[tok]);
    put_waddr(p, w, eth_first ? w->tok[tok] : w->tok[EW_WETH]);
    return p0;
}

static void bridge_truth(ew_world *w, ew_out *o, const char *kind, int32_t heist,
                         const uint8_t txh[32], uint32_t from, uint32_t to, int asset, u128 value,
                         uint64_t chain, const char *rcpt);

/* world.router_swaps: the router a swap calls, and its truth row. Half of all swaps (everyone's)
 * call the aggregator router that also bridges (world.across_router) instead of the DEX's; the
 * aggregator then holds the input between the trader and the pair. The draw is made only in
 * such worlds, so other worlds keep their bytes. */
static uint32_t swap_router(ew_world *w)
{
    if (w->sc->router_swaps && w->across_router != EW_NONE && gen_chance(&w->rng, 0.5))
        return w->across_router;
    return w->router;
}

static void router_swap_truth(ew_world *w, uint32_t r, uint32_t trader, int tok_in, u128 in)
{
    if (r == w->router)
        return;
    uint8_t txh[32];
    memcpy(txh, w->tx.hash, 32);
    bridge_truth(w, &w->t_across, "router_swap", -1, txh, trader, r, tok_in, in, 0, "");
}

bool ew_swap_eth_tok(ew_world *w, int tok, uint32_t trader, u128 eth_in, u128 *tok_out)
{
    uint64_t gas = ew_gas_for(w, EWG_SWAP);
    if (!eth_in || !can_pay(w, trader, eth_in, gas))
        return false;
    u128 out = amount_out(eth_in, w->res_weth[tok], w->res_tok[tok]);
    if (!out || out >= w->res_tok[tok])
        return false;
    uint32_t r = swap_router(w);
    ew_tx_begin(w, trader, r, eth_in, gas, true);
    swap_input(w, w->sel_swap_eth_tok, false, 0, out - out / 200, tok, true, trader);
    uint32_t weth = w->tok[EW_WETH], pair = w->pair[tok];
    ew_tx_call(w, 0, r, weth, eth_in, w->sel_deposit, 4, true);
    ew_weth_deposit(w, r, eth_in);
    uint8_t in[68];
    put_wu(put_waddr(put_sel(in, w->sel_transfer), w, pair), eth_in);
    ew_tx_call(w, 0, r, weth, 0, in, 68, true);
    ew_erc20_transfer(w, EW_WETH, r, pair, eth_in);
    uint32_t sw = ew_tx_call(w, 0, r, pair, 0, NULL, 164, true);
    put_wu(put_waddr(put_sel(in, w->sel_transfer), w, trader), out);
    ew_tx_call(w, sw, pair, w->tok[tok], 0, in, 68, true);
    ew_erc20_transfer(w, tok, pair, trader, out);
    w->res_weth[tok] += eth_in;
    w->res_tok[tok] -= out;
    sync_swap_logs(w, r, tok, 0, eth_in, out, 0, trader);
    router_swap_truth(w, r, trader, 0, eth_in);
    ew_tx_end(w);
    if (tok_out)
        *tok_out = out;
    return true;
}

/* A token sold at its pair through router r, in the tx begun: r pulls amount_in from the trader
 * (the DEX's router has the pair pull it; an aggregator takes it first and pays the pair), the
 * pair pays r `out` WETH and r unwraps it (ETH at r, to pass on). */
static void sell_via(ew_world *w, uint32_t r, uint32_t trader, int tok, u128 amount_in, u128 out)
{
    uint32_t weth = w->tok[EW_WETH], pair = w->pair[tok];
    uint8_t in[100];
    uint8_t *p = put_sel(in, w->sel_transfer_from);
    p = put_waddr(p, w, trader);
    /* the DEX's router has the pair pull the input; the aggregator takes it first */
    p = put_waddr(p, w, r == w->router ? pair : r);
    put_wu(p, amount_in);
    ew_tx_call(w, 0, r, w->tok[tok], 0, in, 100, true);
    if (r != w->router) {
        ew_erc20_transfer(w, tok, trader, r, amount_in);
        put_wu(put_waddr(put_sel(in, w->sel_transfer), w, pair), amount_in);
        ew_tx_call(w, 0, r, w->tok[tok], 0, in, 68, true);
        ew_erc20_transfer(w, tok, r, pair, amount_in);
    } else
        ew_erc20_transfer(w, tok, trader, pair, amount_in);
    uint32_t sw = ew_tx_call(w, 0, r, pair, 0, NULL, 164, true);
    put_wu(put_waddr(put_sel(in, w->sel_transfer), w, r), out);
    ew_tx_call(w, sw, pair, weth, 0, in, 68, true);
    ew_erc20_transfer(w, EW_WETH, pair, r, out);
    w->res_tok[tok] += amount_in;
    w->res_weth[tok] -= out;
    sync_swap_logs(w, r, tok, amount_in, 0, 0, out, r);
    put_wu(put_sel(in, w->sel_withdraw), out);
    uint32_t wd = ew_tx_call(w, 0, r, weth, 0, in, 36, true);
    ew_weth_withdrawal(w, r, out);
    ew_tx_call(w, wd, weth, r, out, NULL, 0, true);
}

bool ew_swap_tok_eth(ew_world *w, int tok, uint32_t trader, u128 amount_in, uint32_t to,
                     u128 *eth_out)
{
    uint64_t gas = ew_gas_for(w, EWG_SWAP);
    if (!amount_in || !can_pay(w, trader, 0, gas) || w->bal[tok][trader] < amount_in)
        return false;
    u128 out = amount_out(amount_in, w->res_tok[tok], w->res_weth[tok]);
    if (!out || out >= w->res_weth[tok])
        return false;
    uint32_t r = swap_router(w);
    ew_tx_begin(w, trader, r, 0, gas, true);
    swap_input(w, w->sel_swap_tok_eth, true, amount_in, out - out / 200, tok, false, to);
    sell_via(w, r, trader, tok, amount_in, out);
    ew_tx_call(w, 0, r, to, out, NULL, 0, true);
    router_swap_truth(w, r, trader, tok, amount_in);
    ew_tx_end(w);
    if (eth_out)
        *eth_out = out;
    return true;
}

/* the liquidity provider adds liquidity to a pair (router.addLiquidityETH) */
static bool add_liquidity(ew_world *w, int tok, u128 tok_amt, u128 eth_amt)
{
    uint32_t lp = w->lp, weth = w->tok[EW_WETH], pair = w->pair[tok];
    uint64_t gas = 180000 + gen_below(&w->rng, 60000);
    if (!can_pay(w, lp, eth_amt, gas) || w->bal[tok][lp] < tok_amt)
        return false;
    ew_tx_begin(w, lp, w->router, eth_amt, gas, true);
    uint8_t *p = ew_tx_input(w, 4 + 6 * 32);
    p = put_sel(p, w->sel_add_liq);
    p = put_waddr(p, w, w->tok[tok]);
    p = put_wu(p, tok_amt);
    p = put_wu(p, tok_amt - tok_amt / 100);
    p = put_wu(p, eth_amt - eth_amt / 100);
    p = put_waddr(p, w, lp);
    put_wu(p, w->timestamp + 1200);
    uint8_t in[100];
    p = put_sel(in, w->sel_transfer_from);
    p = put_waddr(p, w, lp);
    p = put_waddr(p, w, pair);
    put_wu(p, tok_amt);
    ew_tx_call(w, 0, w->router, w->tok[tok], 0, in, 100, true);
    ew_erc20_transfer(w, tok, lp, pair, tok_amt);
    ew_tx_call(w, 0, w->router, weth, eth_amt, w->sel_deposit, 4, true);
    ew_weth_deposit(w, w->router, eth_amt);
    put_wu(put_waddr(put_sel(in, w->sel_transfer), w, pair), eth_amt);
    ew_tx_call(w, 0, w->router, weth, 0, in, 68, true);
    ew_erc20_transfer(w, EW_WETH, w->router, pair, eth_amt);
    put_waddr(put_sel(in, w->sel_mint), w, lp);
    ew_tx_call(w, 0, w->router, pair, 0, in, 36, true);
    /* LP tokens: the first deposit locks MINIMUM_LIQUIDITY (1000) at the zero address */
    u128 liq = eth_amt / 2 + tok_amt;
    if (!w->lp_held[tok]) {
        ew_erc20_transfer(w, (int)pair, w->zero, w->zero, 1000);
        liq -= 1000;
    }
    ew_erc20_transfer(w, (int)pair, w->zero, lp, liq);
    w->lp_held[tok] += liq;
    w->res_tok[tok] += tok_amt;
    w->res_weth[tok] += eth_amt;
    uint8_t d[64];
    bool t0 = tok_first(w, tok);
    put_wu(d, t0 ? w->res_tok[tok] : w->res_weth[tok]);
    put_wu(d + 32, t0 ? w->res_weth[tok] : w->res_tok[tok]);
    const uint8_t *tp[1] = {w->t_sync};
    const uint16_t *bl[1] = {w->tb_sync};
    ew_log(w, pair, 1, tp, bl, d, 64);
    put_wu(d, t0 ? tok_amt : eth_amt);
    put_wu(d + 32, t0 ? eth_amt : tok_amt);
    uint8_t w1[32];
    ew_word_addr(w1, w, w->router);
    const uint8_t *tp2[2] = {w->t_mint, w1};
    const uint16_t *bl2[2] = {w->tb_mint, w->acct[w->router].bloom_t};
    ew_log(w, pair, 2, tp2, bl2, d, 64);
    ew_tx_end(w);
    return true;
}

/* ---- WETH directly ---- */
static bool weth_wrap(ew_world *w, uint32_t who, u128 amount)
{
    uint64_t gas = ew_gas_for(w, EWG_WETH);
    if (!amount || !can_pay(w, who, amount, gas))
        return false;
    ew_tx_begin(w, who, w->tok[EW_WETH], amount, gas, true);
    memcpy(ew_tx_input(w, 4), w->sel_deposit, 4);
    ew_weth_deposit(w, who, amount);
    ew_tx_end(w);
    return true;
}

static bool weth_unwrap(ew_world *w, uint32_t who, u128 amount)
{
    uint64_t gas = ew_gas_for(w, EWG_WETH);
    if (!amount || !can_pay(w, who, 0, gas) || w->bal[EW_WETH][who] < amount)
        return false;
    ew_tx_begin(w, who, w->tok[EW_WETH], 0, gas, true);
    put_wu(put_sel(ew_tx_input(w, 36), w->sel_withdraw), amount);
    ew_weth_withdrawal(w, who, amount);
    ew_tx_call(w, 0, w->tok[EW_WETH], who, amount, NULL, 0, true);
    ew_tx_end(w);
    return true;
}

/* ---- the mixer ---- */
static int note_add(ew_world *w, const ew_note *n)
{
    if (w->n_notes + 1 > w->cap_notes) {
        size_t nc = w->cap_notes ? w->cap_notes * 2 : 1024;
        ew_note *q = realloc(w->notes, nc * sizeof *q);
        if (!q)
            return CW_ENOMEM;
        w->notes = q;
        w->cap_notes = nc;
    }
    w->notes[w->n_notes] = *n;
    return (int)w->n_notes++;
}

bool ew_mixer_deposit(ew_world *w, uint32_t from, int pool, int32_t heist, uint64_t wait_blocks,
                      uint32_t recipient_hint)
{
    u128 d = w->mixer_denom[pool];
    uint64_t gas = ew_gas_for(w, EWG_MIX_DEP);
    if (!can_pay(w, from, d, gas))
        return false;
    ew_note n;
    memset(&n, 0, sizeof n);
    n.pool = (uint32_t)pool;
    n.depositor = from;
    n.owner_ent = w->acct[from].ent;
    n.heist = heist;
    n.own = EW_NONE;
    n.dep_block = w->number;
    n.leaf = w->mixer_leaves[pool]++;
    ew_fake_hash(n.commitment, w->salt ^ 0xc0c0ULL, ((uint64_t)pool << 32) | n.leaf);
    n.commitment[0] &= 0x2f; /* a field element */
    ew_tx_begin(w, from, w->mixer[pool], d, gas, true);
    memcpy(n.dep_tx, w->tx.hash, 32);
    uint8_t *p = ew_tx_input(w, 36);
    memcpy(put_sel(p, w->sel_mix_deposit), n.commitment, 32);
    uint8_t data[64];
    put_wu(data, n.leaf);
    put_wu(data + 32, w->timestamp);
    uint16_t cb[3];
    ew_topic_bloom(cb, n.commitment);
    const uint8_t *tp[2] = {w->t_mdeposit, n.commitment};
    const uint16_t *bl[2] = {w->tb_mdeposit, cb};
    ew_log(w, w->mixer[pool], 2, tp, bl, data, 64);
    ew_tx_end(w);
    int idx = note_add(w, &n);
    if (idx < 0) {
        if (!w->err)
            w->err = cw_error_set(CW_ENOMEM, "gen evm: out of memory for mixer notes");
        return false;
    }
    ew_event_push(w, w->number + wait_blocks, EWE_MIX_WITHDRAW, (uint32_t)idx, recipient_hint, 0,
                  0);
    return true;
}

/* A withdrawal of note `ni` to `recipient`, through a relayer (relayer index) or sent by
 * `sender` itself (relayer < 0). */
static bool mixer_withdraw(ew_world *w, uint32_t ni, uint32_t recipient, int relayer,
                           uint32_t sender)
{
    ew_note n = w->notes[ni];
    u128 d = w->mixer_denom[n.pool];
    uint32_t pool = w->mixer[n.pool];
    uint64_t gas = ew_gas_for(w, EWG_MIX_WD);
    uint32_t rel = relayer >= 0 ? w->relayers[relayer] : w->zero;
    uint32_t from = relayer >= 0 ? rel : sender;
    u128 fee = 0;
    if (relayer >= 0) {
        fee = (u128)gas * (w->base_fee + 3000000000ULL) + d * (5 + gen_below(&w->rng, 40)) / 10000;
        if (fee >= d / 2)
            fee = d / 2;
    }
    if (!can_pay(w, from, 0, gas) || w->bal[0][pool] < d)
        return false;
    ew_tx_begin(w, from, pool, 0, gas, true);
    uint8_t nullifier[32];
    ew_fake_hash(nullifier, w->salt ^ 0x4e55ULL, ((uint64_t)n.pool << 32) | n.leaf);
    nullifier[0] &= 0x2f;
    /* withdraw(bytes _proof, bytes32 _root, bytes32 _nullifierHash, address _recipient,
     *          address _relayer, uint256 _fee, uint256 _refund) with a 256-byte proof */
    uint8_t *p = ew_tx_input(w, 4 + 32 * 7 + 32 + 256);
    p = put_sel(p, w->sel_mix_withdraw);
    p = put_wu(p, 0xe0);
    ew_fake_hash(p, w->salt ^ 0x7007ULL, w->number);
    p += 32;
    memcpy(p, nullifier, 32);
    p += 32;
    p = put_waddr(p, w, recipient);
    p = put_waddr(p, w, rel);
    p = put_wu(p, fee);
    p = put_wu(p, 0);
    p = put_wu(p, 256);
    for (int k = 0; k < 8; k++)
        ew_fake_hash(p + 32 * k, w->salt ^ 0x9f00ULL, w->txs_total * 8 + (uint64_t)k);
    ew_tx_call(w, 0, pool, recipient, d - fee, NULL, 0, true);
    if (fee)
        ew_tx_call(w, 0, pool, rel, fee, NULL, 0, true);
    uint8_t data[96], t1[32];
    put_waddr(data, w, recipient);
    memcpy(data + 32, nullifier, 32);
    put_wu(data + 64, fee);
    ew_word_addr(t1, w, rel);
    const uint8_t *tp[2] = {w->t_mwithdrawal, t1};
    const uint16_t *bl[2] = {w->tb_mwithdrawal, w->acct[rel].bloom_t};
    ew_log(w, pool, 2, tp, bl, data, 96);
    uint8_t wtx[32];
    memcpy(wtx, w->tx.hash, 32);
    ew_tx_end(w);
    /* truth: the link */
    char a1[43], a2[43], a3[43], a4[43], num[48], fs[48];
    ew_out *o = &w->t_links;
    ew_need(o, 1024);
    ew_addr_hex(a1, w, pool);
    ew_addr_hex(a2, w, n.depositor);
    ew_addr_hex(a3, w, recipient);
    ew_addr_hex(a4, w, rel);
    ew_u128_dec(num, d);
    ew_u128_dec(fs, fee);
    ew_put_s(o, a1);
    ew_put_c(o, ',');
    ew_put_s(o, num);
    ew_put_c(o, ',');
    ew_put_hex(o, n.dep_tx, 32);
    ew_put_c(o, ',');
    ew_put_u64(o, n.dep_block);
    ew_put_c(o, ',');
    ew_put_s(o, a2);
    ew_put_c(o, ',');
    ew_put_hex(o, wtx, 32);
    ew_put_c(o, ',');
    ew_put_u64(o, w->number);
    ew_put_c(o, ',');
    ew_put_s(o, a3);
    ew_put_c(o, ',');
    ew_put_s(o, relayer >= 0 ? a4 : "");
    ew_put_c(o, ',');
    ew_put_s(o, fs);
    ew_put_c(o, ',');
    if (n.heist >= 0)
        ew_put_s(o, w->sc->heists[n.heist].name);
    ew_put_eol(o);
    if (n.heist >= 0)
        ew_heist_note_withdrawn(w, n.heist, recipient, d - fee, &n, rel, fee);
    return true;
}

/* The fields a truth row of a bridge tx starts with: "heist,tx hash,block,timestamp," (heist
 * empty when the tx is no heist's), the tx being the one just ended in the current block. */
static void put_heist_tx(ew_out *o, const ew_world *w, int32_t heist, const uint8_t txh[32])
{
    if (heist >= 0)
        ew_put_s(o, w->sc->heists[heist].name);
    ew_put_c(o, ',');
    ew_put_hex(o, txh, 32);
    ew_put_c(o, ',');
    ew_put_u64(o, w->number);
    ew_put_c(o, ',');
    ew_put_u64(o, w->timestamp);
    ew_put_c(o, ',');
}

/* ---- the bridge ---- */
void ew_btc_address(ew_world *w, uint64_t k, char out[64])
{
    cw_addr_key key;
    memset(&key, 0, sizeof key);
    key.kind = CW_ADDR_WITNESS;
    key.witver = 0;
    key.len = 20;
    uint8_t h[32];
    ew_fake_hash(h, w->salt ^ 0xb7cULL, k);
    memcpy(key.data, h, 20);
    char s[CW_ADDR_STR_MAX];
    if (cw_addr_encode(s, sizeof s, &key, CW_NET_MAIN) != 0 || strlen(s) >= 64)
        s[0] = 0;
    memcpy(out, s, strlen(s) + 1);
}

bool ew_bridge_deposit(ew_world *w, uint32_t from, u128 value, const char *btc, int style,
                       int32_t heist)
{
    char memo[160];
    switch (style % 5) {
    case 0:
        snprintf(memo, sizeof memo, "=:BTC.BTC:%s", btc);
        break;
    case 1:
        snprintf(memo, sizeof memo, "SWAP:BTC.BTC:%s", btc);
        break;
    case 2:
        snprintf(memo, sizeof memo, "=:b:%s", btc);
        break;
    case 3:
        snprintf(memo, sizeof memo, "=:BTC.BTC:%s:0/1/0", btc);
        break;
    default:
        snprintf(memo, sizeof memo, "s:BTC.BTC:%s::t:0", btc);
        break;
    }
    bool via_router = style < 5;
    /* world.thor_aggregator: half the router deposits go through the aggregator's multicall,
     * with an affiliate and a streaming swap (no draw without the option: worlds keep bytes) */
    uint32_t agg = via_router && w->sc->thor_aggregator && gen_chance(&w->rng, 0.5)
                       ? w->across_router
                       : EW_NONE;
    if (agg != EW_NONE)
        snprintf(memo, sizeof memo, "=:BTC.BTC:%s:0/1/0:agg:50", btc);
    size_t ml = strlen(memo);
    uint64_t gas = via_router ? ew_gas_for(w, EWG_BRIDGE) + (agg != EW_NONE ? 12000 : 0)
                              : 21000 + 16 * (uint64_t)ml;
    if (!value || !can_pay(w, from, value, gas))
        return false;
    uint32_t to = agg != EW_NONE ? agg : via_router ? w->bridge_router : w->bridge_vault;
    ew_tx_begin(w, from, to, value, gas, true);
    if (via_router) {
        /* depositWithExpiry(address vault, address asset, uint256 amount, string memo,
         *                   uint256 expiry); through the aggregator, the one element of
         * multicall(bytes[] calls): offset, count, the element's offset, its length, the call */
        size_t mw = (ml + 31) / 32, cl = 4 + 32 * (6 + mw), pre = agg != EW_NONE ? 4 + 32 * 4 : 0;
        uint8_t *p = ew_tx_input(w, pre + cl + (agg != EW_NONE ? (32 - cl % 32) % 32 : 0));
        if (agg != EW_NONE) {
            p = put_sel(p, w->sel_multicall);
            p = put_wu(p, 0x20);
            p = put_wu(p, 1);
            p = put_wu(p, 0x20);
            p = put_wu(p, cl);
        }
        p = put_sel(p, w->sel_thor_deposit);
        p = put_waddr(p, w, w->bridge_vault);
        p = put_waddr(p, w, w->zero);
        p = put_wu(p, value);
        p = put_wu(p, 0xa0);
        p = put_wu(p, w->timestamp + 900);
        p = put_wu(p, ml);
        memcpy(p, memo, ml);
        uint32_t parent = 0;
        if (agg != EW_NONE)
            parent = ew_tx_call(w, 0, agg, w->bridge_router, value, NULL, 0, true);
        ew_tx_call(w, parent, w->bridge_router, w->bridge_vault, value, NULL, 0, true);
        uint8_t data[64 + 32 + 160];
        memset(data, 0, sizeof data);
        put_wu(data, value);
        put_wu(data + 32, 0x40);
        put_wu(data + 64, ml);
        memcpy(data + 96, memo, ml);
        uint8_t t1[32], t2[32];
        ew_word_addr(t1, w, w->bridge_vault);
        ew_word_addr(t2, w, w->zero);
        const uint8_t *tp[3] = {w->t_thor, t1, t2};
        const uint16_t *bl[3] = {w->tb_thor, w->acct[w->bridge_vault].bloom_t,
                                 w->acct[w->zero].bloom_t};
        ew_log(w, w->bridge_router, 3, tp, bl, data, 96 + 32 * mw);
    } else {
        memcpy(ew_tx_input(w, ml), memo, ml);
    }
    uint8_t txh[32];
    memcpy(txh, w->tx.hash, 32);
    ew_tx_end(w);
    ew_out *o = &w->t_bridge;
    char a[43], v[48];
    ew_addr_hex(a, w, from);
    ew_u128_dec(v, value);
    ew_need(o, 1024);
    put_heist_tx(o, w, heist, txh);
    ew_put_s(o, a);
    ew_put_s(o, ",ETH,");
    ew_put_s(o, v);
    ew_put_c(o, ',');
    ew_put_s(o, memo);
    ew_put_c(o, ',');
    ew_put_s(o, btc);
    ew_put_c(o, ',');
    ew_put_s(o, agg != EW_NONE ? "aggregator" : via_router ? "router" : "vault_transfer");
    ew_put_eol(o);
    return true;
}

/* THORChain paying out an inbound swap from Bitcoin: vault -> user, memo OUT:<inbound id> */
static bool bridge_outbound(ew_world *w, uint32_t to, u128 value)
{
    char memo[80];
    uint8_t h[32];
    ew_fake_hash(h, w->salt ^ 0x0badULL, w->txs_total);
    int ml = snprintf(memo, sizeof memo, "OUT:");
    for (int i = 0; i < 32; i++)
        ml += snprintf(memo + ml, sizeof memo - (size_t)ml, "%02X", h[i]);
    uint64_t gas = 21000 + 16 * (uint64_t)ml;
    if (!can_pay(w, w->bridge_vault, value, gas))
        return false;
    ew_tx_begin(w, w->bridge_vault, to, value, gas, true);
    memcpy(ew_tx_input(w, (size_t)ml), memo, (size_t)ml);
    ew_tx_end(w);
    return true;
}

/* ---- the lock-and-release bridge (world.lock_bridge) ---- */

/* one row of truth/lock_bridge.csv or across_bridge.csv (o) */
static void bridge_truth(ew_world *w, ew_out *o, const char *kind, int32_t heist,
                         const uint8_t txh[32], uint32_t from, uint32_t to, int asset, u128 value,
                         uint64_t chain, const char *rcpt)
{
    char a[43], b[43], v[48];
    ew_addr_hex(a, w, from);
    ew_addr_hex(b, w, to);
    ew_u128_dec(v, value);
    ew_need(o, 1024);
    ew_put_s(o, kind);
    ew_put_c(o, ',');
    put_heist_tx(o, w, heist, txh);
    ew_put_s(o, a);
    ew_put_c(o, ',');
    ew_put_s(o, b);
    ew_put_c(o, ',');
    if (asset) {
        char t[43];
        ew_addr_hex(t, w, w->tok[asset]);
        ew_put_s(o, t);
    } else {
        ew_put_s(o, "ETH");
    }
    ew_put_c(o, ',');
    ew_put_s(o, v);
    ew_put_c(o, ',');
    if (chain)
        ew_put_u64(o, chain);
    ew_put_c(o, ',');
    ew_put_s(o, rcpt);
    ew_put_eol(o);
}

static void lock_truth(ew_world *w, const char *kind, int32_t heist, const uint8_t txh[32],
                       uint32_t from, uint32_t to, u128 value, uint64_t chain, const char *rcpt)
{
    bridge_truth(w, &w->t_lock, kind, heist, txh, from, to, 0, value, chain, rcpt);
}

/* A deposit into the lock bridge: style 0 lock(chainId, bytes32 recipient) with a Locked event
 * (an EVM address on the destination), 1 depositFor(bytes32, uint16 chain) with a Locked event
 * (a 32-byte account), 2 bridgeOut(chainId, address) with no event at all, 3 lockTo(chainId,
 * string) with a LockedTo event naming btc (a Bitcoin address in ASCII, no memo syntax). */
bool ew_lock_deposit(ew_world *w, uint32_t from, u128 value, const char *btc, int style,
                     int32_t heist)
{
    static const uint64_t chains[4] = {42161, 43114, 56, 10};
    uint64_t gas = 48000 + 4000 * (uint64_t)(style % 4);
    if (w->lock_bridge == EW_NONE || !value || !can_pay(w, from, value, gas))
        return false;
    style %= 4;
    if (style == 3 && !(btc && btc[0]))
        style = 0;
    uint64_t chain = style == 1   ? 1399811149ULL /* a non-EVM chain's id */
                     : style == 3 ? 8332ULL       /* Bitcoin, as this bridge numbers it */
                                  : chains[gen_below(&w->rng, 4)];
    if (w->sc->lock_wormhole && style != 3) /* Wormhole's own ids: Solana, Arbitrum, ... */
        chain = style == 1 ? 1 : chain == 42161 ? 23 : chain == 43114 ? 6 : chain == 56 ? 4 : 24;
    uint8_t rcpt[32];
    ew_fake_hash(rcpt, w->salt ^ 0x10cbULL, w->txs_total);
    if (style != 1)
        memset(rcpt, 0, 12); /* a 20-byte address */
    char rhex[80] = "0x";
    if (style == 3)
        snprintf(rhex, sizeof rhex, "%s", btc);
    else
        for (int i = style == 1 ? 0 : 12; i < 32; i++)
            snprintf(rhex + strlen(rhex), sizeof rhex - strlen(rhex), "%02x", rcpt[i]);
    uint32_t lb = w->lock_bridge;
    /* world.lock_router: half the deposits call the aggregator router, which passes the ETH on
     * to the bridge in its call (the same arguments; the bridge's event, if any, its own) */
    uint32_t via = w->sc->lock_router && gen_chance(&w->rng, 0.5) ? w->across_router : EW_NONE;
    ew_tx_begin(w, from, via != EW_NONE ? via : lb, value, gas + (via != EW_NONE ? 9000 : 0), true);
    if (via != EW_NONE)
        ew_tx_call(w, 0, via, lb, value, NULL, 0, true);
    uint8_t data[32 * 6];
    memset(data, 0, sizeof data);
    uint8_t t1[32];
    ew_word_addr(t1, w, from);
    if (style == 3) {
        size_t bl = strlen(btc);
        size_t bw = (bl + 31) / 32 * 32;
        uint8_t *p = ew_tx_input(w, 4 + 32 * 3 + bw);
        p = put_sel(p, w->sel_lock_str);
        p = put_wu(p, chain);
        p = put_wu(p, 0x40);
        p = put_wu(p, bl);
        memcpy(p, btc, bl);
        /* LockedTo(address indexed sender, uint256 chain, string recipient, uint256 amount) */
        put_wu(data, chain);
        put_wu(data + 32, 0x60);
        put_wu(data + 64, value);
        put_wu(data + 96, bl);
        memcpy(data + 128, btc, bl < 64 ? bl : 64); /* a Bitcoin address fits */
        const uint8_t *tp[2] = {w->t_locked_str, t1};
        const uint16_t *bl2[2] = {w->tb_locked_str, w->acct[from].bloom_t};
        ew_log(w, lb, 2, tp, bl2, data, 128 + (bw < 64 ? bw : 64));
    } else if (w->sc->lock_wormhole) {
        /* wrapAndTransferETH(uint16 recipientChain, bytes32 recipient, uint256 arbiterFee,
         * uint32 nonce): the destination in the input alone */
        uint8_t *p = ew_tx_input(w, 4 + 128);
        p = put_sel(p, w->sel_wh_wrap);
        p = put_wu(p, chain);
        memcpy(p, rcpt, 32);
        p = put_wu(p + 32, 0);
        put_wu(p, w->txs_total & 0xffffffffu);
    } else {
        uint8_t *p = ew_tx_input(w, 4 + 64);
        if (style == 0) {
            p = put_sel(p, w->sel_lock);
            p = put_wu(p, chain);
            memcpy(p, rcpt, 32);
        } else if (style == 1) {
            p = put_sel(p, w->sel_lock_sol);
            memcpy(p, rcpt, 32);
            put_wu(p + 32, chain);
        } else {
            p = put_sel(p, w->sel_lock_plain);
            p = put_wu(p, chain);
            memcpy(p, rcpt, 32);
        }
        if (style != 2) {
            /* Locked(address indexed sender, uint256 chain, bytes32 recipient, uint256 amount) */
            put_wu(data, chain);
            memcpy(data + 32, rcpt, 32);
            put_wu(data + 64, value);
            const uint8_t *tp[2] = {w->t_locked, t1};
            const uint16_t *bl2[2] = {w->tb_locked, w->acct[from].bloom_t};
            ew_log(w, lb, 2, tp, bl2, data, 96);
        }
    }
    uint8_t txh[32];
    memcpy(txh, w->tx.hash, 32);
    ew_tx_end(w);
    lock_truth(w, "deposit", heist, txh, from, lb, value, chain, rhex);
    if (via != EW_NONE)
        lock_truth(w, "via_router", heist, txh, from, via, value, chain, rhex);
    return true;
}

/* A release to someone arriving from another chain: a relayer calls release(to, amount,
 * source tx) and the bridge pays `to` in that call. When the bridge holds too little, the
 * relayer first refills it (a plain transfer, its own). */
static bool lock_release(ew_world *w, uint32_t to, u128 value)
{
    uint32_t lb = w->lock_bridge;
    uint32_t rel = w->relayers[gen_below(&w->rng, w->n_relayers)];
    uint64_t gas = 62000;
    uint8_t txh[32];
    if (w->bal[0][lb] < value) {
        u128 top = value - w->bal[0][lb] + 20 * EW_ETHER;
        if (!can_pay(w, rel, top, 21000 + gas))
            return false;
        ew_tx_begin(w, rel, lb, top, 21000, true);
        memcpy(txh, w->tx.hash, 32);
        ew_tx_end(w);
        lock_truth(w, "refill", -1, txh, rel, lb, top, 0, "");
    }
    if (!can_pay(w, rel, 0, gas))
        return false;
    ew_tx_begin(w, rel, lb, 0, gas, true);
    uint8_t *p = ew_tx_input(w, 4 + 96);
    p = put_sel(p, w->sel_release);
    p = put_waddr(p, w, to);
    p = put_wu(p, value);
    ew_fake_hash(p, w->salt ^ 0x5e1eULL, w->txs_total);
    ew_tx_call(w, 0, lb, to, value, NULL, 0, true);
    uint8_t data[64], t1[32];
    put_wu(data, value);
    put_wu(data + 32, 42161);
    ew_word_addr(t1, w, to);
    const uint8_t *tp[2] = {w->t_released, t1};
    const uint16_t *bl[2] = {w->tb_released, w->acct[to].bloom_t};
    ew_log(w, lb, 2, tp, bl, data, 64);
    memcpy(txh, w->tx.hash, 32);
    ew_tx_end(w);
    lock_truth(w, "release", -1, txh, lb, to, value, 42161, "");
    return true;
}

/* ---- the Across-like bridge pool (world.across_bridge) ---- */

/* A 4-topic event of the pool: topic0, two numbers and an account (Across's events index
 * chain, id and an actor) */
static void pool_log(ew_world *w, const uint8_t *topic0, const uint16_t *bloom0, uint64_t n1,
                     uint64_t n2, uint32_t actor, const uint8_t *data, size_t len)
{
    uint8_t t1[32], t2[32], t3[32];
    uint16_t b1[3], b2[3];
    ew_word_u128(t1, n1);
    ew_word_u128(t2, n2);
    ew_word_addr(t3, w, actor);
    ew_topic_bloom(b1, t1);
    ew_topic_bloom(b2, t2);
    const uint8_t *tp[4] = {topic0, t1, t2, t3};
    const uint16_t *bl[4] = {bloom0, b1, b2, w->acct[actor].bloom_t};
    ew_log(w, w->across, 4, tp, bl, data, len);
}

/* V3FundsDeposited(inputToken, outputToken, inputAmount, outputAmount, destinationChainId
 * indexed, depositId indexed, quoteTimestamp, fillDeadline, exclusivityDeadline, depositor
 * indexed, recipient, exclusiveRelayer, message): the relayer that fills it elsewhere is owed
 * the input amount less the LP fee (0.1 %), paid back in a later bulk refund. */
static bool across_swap_deposit(ew_world *w, uint32_t from, int tok, u128 amount_in, int32_t heist);

bool ew_across_deposit(ew_world *w, uint32_t from, int tok, u128 value, int32_t heist)
{
    /* world.swap_bridge: half the token deposits swap the token for ETH and deposit that, in
     * one call to the router */
    if (tok && w->sc->swap_bridge && w->across_router != EW_NONE && gen_chance(&w->rng, 0.5))
        return across_swap_deposit(w, from, tok, value, heist);
    static const uint64_t chains[4] = {10, 8453, 42161, 59144};
    uint64_t gas = tok ? 110000 : 88000; /* under the 90,000 a thief address keeps for gas */
    uint32_t pool = w->across;
    if (pool == EW_NONE || !value ||
        (tok ? w->bal[tok][from] < value || !can_pay(w, from, 0, gas)
             : !can_pay(w, from, value, gas)))
        return false;
    uint64_t chain = chains[gen_below(&w->rng, 4)];
    uint8_t rcpt[32];
    ew_fake_hash(rcpt, w->salt ^ 0xac05ULL, w->txs_total);
    memset(rcpt, 0, 12);
    char rhex[43] = "0x";
    for (int i = 12; i < 32; i++)
        snprintf(rhex + strlen(rhex), sizeof rhex - strlen(rhex), "%02x", rcpt[i]);
    uint32_t tok_acct = tok ? w->tok[tok] : w->tok[EW_WETH];
    u128 out = value - value / 400;
    uint32_t id = w->across_ids++;
    /* world.across_router: half the deposits call the router, which calls the pool */
    uint32_t via =
        w->across_router != EW_NONE && gen_chance(&w->rng, 0.5) ? w->across_router : EW_NONE;
    ew_tx_begin(w, from, via != EW_NONE ? via : pool, tok ? 0 : value, gas, true);
    if (via != EW_NONE && !tok)
        ew_tx_call(w, 0, via, pool, value, NULL, 0, true);
    /* depositV3(depositor, recipient, inputToken, outputToken, inputAmount, outputAmount,
     * destinationChainId, exclusiveRelayer, quoteTimestamp, fillDeadline,
     * exclusivityDeadline, message); through the router, its own call carrying the same
     * arguments */
    uint8_t *p = ew_tx_input(w, 4 + 32 * 13);
    p = put_sel(p, via != EW_NONE ? w->sel_router_bridge : w->sel_v3_deposit);
    p = put_waddr(p, w, from);
    memcpy(p, rcpt, 32);
    p += 32;
    p = put_waddr(p, w, tok_acct);
    p = put_waddr(p, w, tok_acct);
    p = put_wu(p, value);
    p = put_wu(p, out);
    p = put_wu(p, chain);
    p = put_waddr(p, w, w->zero);
    p = put_wu(p, w->timestamp);
    p = put_wu(p, w->timestamp + 21600);
    p = put_wu(p, 0);
    p = put_wu(p, 0x180);
    put_wu(p, 0);
    if (tok && via != EW_NONE) {
        ew_erc20_transfer(w, tok, from, via, value);
        ew_erc20_transfer(w, tok, via, pool, value);
    } else if (tok)
        ew_erc20_transfer(w, tok, from, pool, value);
    uint8_t data[32 * 11];
    memset(data, 0, sizeof data);
    uint8_t *d = data;
    d = put_waddr(d, w, tok_acct);
    d = put_waddr(d, w, tok_acct);
    d = put_wu(d, value);
    d = put_wu(d, out);
    d = put_wu(d, w->timestamp);
    d = put_wu(d, w->timestamp + 21600);
    d = put_wu(d, 0);
    memcpy(d, rcpt, 32);
    d += 32;
    d = put_waddr(d, w, w->zero);
    put_wu(d, 0x140);
    pool_log(w, w->t_v3_deposited, w->tb_v3_deposited, chain, id, from, data, sizeof data);
    uint8_t txh[32];
    memcpy(txh, w->tx.hash, 32);
    ew_tx_end(w);
    if (!tok)
        w->across_owed[gen_below(&w->rng, 3)] += value - value / 1000;
    else if (w->sc->across_tokens)
        w->across_owed_tok[gen_below(&w->rng, 3)][tok] += value - value / 1000;
    bridge_truth(w, &w->t_across, "deposit", heist, txh, from, pool, tok, value, chain, rhex);
    if (via != EW_NONE)
        bridge_truth(w, &w->t_across, "via_router", heist, txh, from, via, tok, value, chain, rhex);
    return true;
}

/* world.swap_bridge: LI.FI's swapAndStartBridgeTokensVia... in one tx: the router pulls the
 * trader's token, pays the pair, takes the WETH out, unwraps it and deposits the ETH into the
 * pool, which emits V3FundsDeposited naming the trader as depositor. Truth: the deposit (ETH, the
 * swap's output) and a swap_bridge row (the token given to the router). */
static bool across_swap_deposit(ew_world *w, uint32_t from, int tok, u128 amount_in, int32_t heist)
{
    static const uint64_t chains[4] = {10, 8453, 42161, 59144};
    uint64_t gas = 110000; /* as a token deposit: what the thief's token holders keep for gas */
    uint32_t pool = w->across, r = w->across_router, weth = w->tok[EW_WETH];
    if (!amount_in || w->bal[tok][from] < amount_in || !can_pay(w, from, 0, gas))
        return false;
    u128 out = amount_out(amount_in, w->res_tok[tok], w->res_weth[tok]);
    if (!out || out >= w->res_weth[tok])
        return false;
    uint64_t chain = chains[gen_below(&w->rng, 4)];
    uint8_t rcpt[32];
    ew_fake_hash(rcpt, w->salt ^ 0xac05ULL, w->txs_total);
    memset(rcpt, 0, 12);
    char rhex[43] = "0x";
    for (int i = 12; i < 32; i++)
        snprintf(rhex + strlen(rhex), sizeof rhex - strlen(rhex), "%02x", rcpt[i]);
    uint32_t id = w->across_ids++;
    ew_tx_begin(w, from, r, 0, gas, true);
    uint8_t *p = ew_tx_input(w, 4 + 32 * 10);
    p = put_sel(p, w->sel_swap_bridge);
    p = put_wu(p, 0x60);
    p = put_wu(p, 0x1a0);
    p = put_wu(p, 0x2a0);
    memcpy(p, rcpt, 32);
    p += 32;
    p = put_waddr(p, w, w->tok[tok]);
    p = put_waddr(p, w, weth);
    p = put_waddr(p, w, from);
    p = put_wu(p, amount_in);
    p = put_wu(p, chain);
    put_wu(p, 1);
    sell_via(w, r, from, tok, amount_in, out);
    ew_tx_call(w, 0, r, pool, out, NULL, 0, true);
    uint8_t data[32 * 11];
    memset(data, 0, sizeof data);
    uint8_t *d = data;
    d = put_waddr(d, w, weth);
    d = put_waddr(d, w, weth);
    d = put_wu(d, out);
    d = put_wu(d, out - out / 400);
    d = put_wu(d, w->timestamp);
    d = put_wu(d, w->timestamp + 21600);
    d = put_wu(d, 0);
    memcpy(d, rcpt, 32);
    d += 32;
    d = put_waddr(d, w, w->zero);
    put_wu(d, 0x140);
    pool_log(w, w->t_v3_deposited, w->tb_v3_deposited, chain, id, from, data, sizeof data);
    uint8_t txh[32];
    memcpy(txh, w->tx.hash, 32);
    ew_tx_end(w);
    w->across_owed[gen_below(&w->rng, 3)] += out - out / 1000;
    bridge_truth(w, &w->t_across, "deposit", heist, txh, from, pool, 0, out, chain, rhex);
    bridge_truth(w, &w->t_across, "swap_bridge", heist, txh, from, r, tok, amount_in, chain, rhex);
    return true;
}

/* A deposit made on another chain, filled here by a relayer from its own funds: its
 * fillV3Relay call passes the ETH through the pool to the recipient. */
static bool across_fill(ew_world *w, uint32_t to, u128 value)
{
    uint32_t rel = w->across_rel[gen_below(&w->rng, 3)];
    uint64_t gas = 90000;
    if (!can_pay(w, rel, value, gas))
        return false;
    uint64_t src = 10 + gen_below(&w->rng, 3) * 8443;
    ew_tx_begin(w, rel, w->across, value, gas, true);
    uint8_t *p = ew_tx_input(w, 4 + 64);
    p = put_sel(p, w->sel_v3_fill);
    p = put_wu(p, 0x40);
    put_wu(p, src);
    ew_tx_call(w, 0, w->across, to, value, NULL, 0, true);
    uint8_t data[32 * 4];
    memset(data, 0, sizeof data);
    uint8_t *d = put_waddr(data, w, w->tok[EW_WETH]);
    d = put_wu(d, value);
    d = put_waddr(d, w, rel);
    put_waddr(d, w, to);
    pool_log(w, w->t_v3_filled, w->tb_v3_filled, src, w->txs_total, rel, data, sizeof data);
    uint8_t txh[32];
    memcpy(txh, w->tx.hash, 32);
    ew_tx_end(w);
    char rh[43];
    ew_addr_hex(rh, w, to);
    bridge_truth(w, &w->t_across, "fill", -1, txh, rel, to, 0, value, src, rh);
    return true;
}

/* Every 240 blocks the dataworker executes a refund leaf: the pool pays each relayer what it
 * is owed, as far as it holds it (a sum of many fills, matching no deposit). Every third time
 * a relayer deposits a quarter of its ETH at an exchange (its rebalancing, honest). */
static void across_refund(ew_world *w)
{
    ew_event_push(w, w->number + 240, EWE_ACROSS_REFUND, 0, 0, 0, 0);
    uint32_t pool = w->across, dw = w->across_dw;
    u128 pay[3], total = 0;
    int n = 0;
    for (int k = 0; k < 3; k++) {
        u128 room = w->bal[0][pool] - total;
        pay[k] = w->across_owed[k] < room ? w->across_owed[k] : room;
        total += pay[k];
        n += pay[k] > 0;
    }
    /* world.across_tokens: each relayer's tokens too, as far as the pool holds them */
    u128 tpay[3][1 + EW_NTOK];
    memset(tpay, 0, sizeof tpay);
    for (int t = 1; w->sc->across_tokens && t < EW_WETH; t++) {
        u128 tt = 0;
        for (int k = 0; k < 3; k++) {
            u128 room = w->bal[t][pool] - tt, o = w->across_owed_tok[k][t];
            tpay[k][t] = o < room ? o : room;
            tt += tpay[k][t];
            n += tpay[k][t] > 0;
        }
    }
    uint64_t gas = 120000 + 30000 * (uint64_t)n;
    if (n && can_pay(w, dw, 0, gas)) {
        uint32_t leaf = w->across_refunds;
        ew_tx_begin(w, dw, pool, 0, gas, true);
        uint8_t *p = ew_tx_input(w, 4 + 64);
        p = put_sel(p, w->sel_refund_leaf);
        p = put_wu(p, leaf);
        put_wu(p, 0x60);
        for (int k = 0; k < 3; k++)
            if (pay[k])
                ew_tx_call(w, 0, pool, w->across_rel[k], pay[k], NULL, 0, true);
        for (int t = 1; t < EW_WETH; t++)
            for (int k = 0; k < 3; k++)
                if (tpay[k][t])
                    ew_erc20_transfer(w, t, pool, w->across_rel[k], tpay[k][t]);
        uint8_t data[64];
        put_waddr(put_wu(data, total), w, w->tok[EW_WETH]);
        pool_log(w, w->t_refund_leaf, w->tb_refund_leaf, leaf, 1, dw, data, sizeof data);
        uint8_t txh[32];
        memcpy(txh, w->tx.hash, 32);
        ew_tx_end(w);
        for (int k = 0; k < 3; k++)
            if (pay[k]) {
                w->across_owed[k] -= pay[k];
                bridge_truth(w, &w->t_across, "refund", -1, txh, pool, w->across_rel[k], 0, pay[k],
                             0, "");
            }
        for (int t = 1; t < EW_WETH; t++)
            for (int k = 0; k < 3; k++)
                if (tpay[k][t]) {
                    w->across_owed_tok[k][t] -= tpay[k][t];
                    bridge_truth(w, &w->t_across, "refund", -1, txh, pool, w->across_rel[k], t,
                                 tpay[k][t], 0, "");
                }
    }
    if (++w->across_refunds % 3 == 0) {
        uint32_t k = (uint32_t)gen_below(&w->rng, 3), rel = w->across_rel[k];
        u128 v = w->bal[0][rel] / 4;
        uint32_t dep =
            ew_deposit_address(w, (uint32_t)gen_below(&w->rng, w->n_exch), w->acct[rel].ent);
        if (v > 50 * EW_ETHER && dep != EW_NONE && ew_send_eth(w, rel, dep, v))
            ew_deposit_received(w, dep);
    }
}

/* world.fresh_bridge_users: the fresh address a sends the bridge (b: 0 the lock bridge with a
 * Locked event, 1 the Across pool) everything it got, less the fee */
static void fresh_bridge(ew_world *w, const ew_event *e)
{
    uint64_t gas = e->b ? 88000 : 52000;
    u128 fee = ew_fee_bound(w, gas), b = w->bal[0][e->a];
    if (b <= 2 * fee)
        return;
    if (e->b)
        ew_across_deposit(w, e->a, 0, b - fee, -1);
    else
        ew_lock_deposit(w, e->a, b - fee, NULL, 0, -1);
}

/* ---- batch payments ---- */
bool ew_disperse(ew_world *w, uint32_t from, const uint32_t *to, const u128 *values, size_t n)
{
    u128 total = 0;
    for (size_t i = 0; i < n; i++)
        total += values[i];
    uint64_t gas = ew_gas_for(w, EWG_DISPERSE_BASE);
    for (size_t i = 0; i < n; i++)
        gas += 9300 + (uint64_t)(gen_mix64(i + w->txs_total) % 800);
    if (!n || !can_pay(w, from, total, gas))
        return false;
    ew_tx_begin(w, from, w->batch, total, gas, true);
    /* disperseEther(address[] recipients, uint256[] values) */
    uint8_t *p = ew_tx_input(w, 4 + 32 * (4 + 2 * n));
    p = put_sel(p, w->sel_disperse);
    p = put_wu(p, 0x40);
    p = put_wu(p, 0x60 + 32 * n);
    p = put_wu(p, n);
    for (size_t i = 0; i < n; i++)
        p = put_waddr(p, w, to[i]);
    p = put_wu(p, n);
    for (size_t i = 0; i < n; i++)
        p = put_wu(p, values[i]);
    for (size_t i = 0; i < n; i++)
        ew_tx_call(w, 0, w->batch, to[i], values[i], NULL, 0, true);
    ew_tx_end(w);
    return true;
}

/* a payment splitter: one payment in, forwarded to 2-3 payees; now and then one payee's call
 * fails (a contract that rejects ETH) and its share stays in the splitter */
static bool splitter_pay(ew_world *w, uint32_t from, const uint32_t *payees, size_t n, u128 value)
{
    uint64_t gas = ew_gas_for(w, EWG_SPLIT);
    if (!can_pay(w, from, value, gas))
        return false;
    ew_tx_begin(w, from, w->splitter, value, gas, true);
    uint8_t *p = ew_tx_input(w, 4 + 32 * (2 + n));
    p = put_sel(p, w->sel_split);
    p = put_wu(p, 0x20);
    p = put_wu(p, n);
    for (size_t i = 0; i < n; i++)
        p = put_waddr(p, w, payees[i]);
    u128 share = value / n;
    size_t bad = gen_chance(&w->rng, 0.2) ? gen_below(&w->rng, n) : n;
    for (size_t i = 0; i < n; i++)
        ew_tx_call(w, 0, w->splitter, payees[i], i + 1 == n ? value - share * (n - 1) : share, NULL,
                   0, i != bad);
    ew_tx_end(w);
    return true;
}

/* ---- NFTs (ERC-721: Transfer with the token id as a third indexed topic) ---- */
static bool nft_move(ew_world *w, uint32_t from, uint32_t to, uint32_t id, bool mint)
{
    uint64_t gas = ew_gas_for(w, EWG_NFT);
    if (!can_pay(w, from, 0, gas))
        return false;
    ew_tx_begin(w, from, w->nft, 0, gas, true);
    if (mint) {
        put_waddr(put_sel(ew_tx_input(w, 36), w->sel_nft_mint), w, to);
    } else {
        uint8_t *p = put_sel(ew_tx_input(w, 100), w->sel_transfer_from);
        p = put_waddr(p, w, from);
        p = put_waddr(p, w, to);
        put_wu(p, id);
    }
    uint8_t w1[32], w2[32], w3[32];
    uint32_t src = mint ? w->zero : from;
    ew_word_addr(w1, w, src);
    ew_word_addr(w2, w, to);
    ew_word_u128(w3, id);
    uint16_t b3[3];
    ew_topic_bloom(b3, w3);
    const uint8_t *tp[4] = {w->t_transfer, w1, w2, w3};
    const uint16_t *bl[4] = {w->tb_transfer, w->acct[src].bloom_t, w->acct[to].bloom_t, b3};
    uint64_t li = w->log_index;
    ew_log(w, w->nft, 4, tp, bl, NULL, 0);
    /* ethereum-etl's extractor takes a 4-topic Transfer too: the "value" is the token id */
    ew_out *o = &w->o_tt;
    ew_need(o, 512);
    ew_put_hex(o, w->acct[w->nft].addr, 20);
    ew_put_c(o, ',');
    ew_put_hex(o, w->acct[src].addr, 20);
    ew_put_c(o, ',');
    ew_put_hex(o, w->acct[to].addr, 20);
    ew_put_c(o, ',');
    ew_put_u64(o, id);
    ew_put_c(o, ',');
    ew_put_hex(o, w->tx.hash, 32);
    ew_put_c(o, ',');
    ew_put_u64(o, li);
    ew_put_c(o, ',');
    ew_put_u64(o, w->number);
    ew_put_eol(o);
    if (w->st)
        w->st->token_transfers++;
    ew_tx_end(w);
    w->nft_owner[id] = to;
    return true;
}

/* ---- exchanges ---- */
uint32_t ew_deposit_address(ew_world *w, uint32_t xi, uint32_t customer_ent)
{
    ew_exch *x = &w->exch[xi];
    uint32_t a;
    if (x->style == 1) {
        /* the hot wallet asks the factory for a forwarder (an internal CREATE) */
        uint32_t hot = signer(w, x->hot[0]);
        uint64_t gas = 95000 + gen_below(&w->rng, 20000);
        if (!can_pay(w, hot, 0, gas))
            return EW_NONE;
        uint8_t addr[20];
        ew_create_address(w->acct[x->factory].addr, w->acct[x->factory].nonce++, addr);
        a = ew_acct_new_at(w, EWC_EXCH_DEPOSIT, x->ent, addr);
        ew_tx_begin(w, hot, x->factory, 0, gas, true);
        memcpy(ew_tx_input(w, 4), w->sel_create_fwd, 4);
        ew_tx_create(w, 0, x->factory, a);
        ew_tx_end(w);
    } else {
        a = ew_acct_new(w, EWC_EXCH_DEPOSIT, x->ent, false);
    }
    w->acct[a].customer = customer_ent;
    w->acct[a].exch = xi;
    return a;
}

void ew_deposit_received(ew_world *w, uint32_t dep)
{
    ew_acct *a = &w->acct[dep];
    if (a->sweep_queued)
        return;
    const ew_exch *x = &w->exch[a->exch];
    bool has_tok = false;
    for (int t = 1; t < EW_WETH; t++)
        has_tok |= w->bal[t][dep] != 0;
    if (x->style == 1 && a->cat == EWC_EXCH_DEPOSIT && !has_tok)
        return; /* forwarders pass ETH on by themselves */
    a->sweep_queued = 1;
    uint64_t d = x->sweep_min_b + gen_below(&w->rng, x->sweep_max_b - x->sweep_min_b + 1);
    ew_event_push(w, w->number + d, EWE_SWEEP, dep, 0, 0, 0);
}

/* A deposit address sweeps to one of its exchange's consolidation addresses when it has
 * them (always the same one), else (and a consolidation address always) to a hot wallet. */
static void sweep(ew_world *w, uint32_t dep)
{
    ew_acct *a = &w->acct[dep];
    ew_exch *x = &w->exch[a->exch];
    bool via = x->n_cons && a->cat == EWC_EXCH_DEPOSIT;
    uint32_t hot = via ? x->cons[dep % x->n_cons] : x->hot[gen_below(&w->rng, x->n_hot)];
    int style = a->cat == EWC_EXCH_CONSOL ? 0 : x->style;
    a->sweep_queued = 0;
    bool retry = false, moved = false;
    for (int t = 1; t < EW_WETH; t++) {
        u128 b = w->bal[t][dep];
        if (!b)
            continue;
        if (style == 1) {
            /* the hot wallet calls flush; the forwarder pays its parent (hot, or the
             * consolidation address) */
            uint32_t op = signer(w, via ? x->hot[0] : hot);
            uint64_t gas = ew_gas_for(w, EWG_FLUSH);
            if (!can_pay(w, op, 0, gas))
                continue;
            ew_tx_begin(w, op, dep, 0, gas, true);
            put_waddr(put_sel(ew_tx_input(w, 36), w->sel_flush), w, w->tok[t]);
            uint8_t in[68];
            put_wu(put_waddr(put_sel(in, w->sel_transfer), w, hot), b);
            ew_tx_call(w, 0, dep, w->tok[t], 0, in, 68, true);
            ew_erc20_transfer(w, t, dep, hot, b);
            ew_tx_end(w);
            moved = true;
            continue;
        }
        uint64_t gas = ew_gas_for(w, EWG_ERC20);
        u128 need = ew_fee_bound(w, gas);
        if (w->bal[0][dep] < need) {
            /* the gas top-up; the token sweep follows once it has landed */
            u128 top = x->topup_exact ? need - w->bal[0][dep]
                                      : (u128)(5 + 5 * gen_below(&w->rng, 3)) * EW_ETHER / 1000;
            if (top < need - w->bal[0][dep])
                top = need - w->bal[0][dep];
            if (ew_send_eth(w, x->gas, dep, top))
                retry = true;
            break;
        }
        moved |= ew_send_token(w, t, dep, hot, b);
    }
    if (style == 0 && !retry) {
        u128 b = w->bal[0][dep];
        if (b > (u128)x->sweep_floor_gwei * EW_GWEI) {
            uint64_t price = ew_tx_next_price(w);
            u128 fee = (u128)21000 * price;
            if (b > fee) {
                ew_tx_begin(w, dep, hot, b - fee, 21000, true);
                ew_tx_end(w);
                moved = true;
            } else {
                w->tx.priced = false;
            }
        }
    }
    if (retry) {
        a->sweep_queued = 1;
        ew_event_push(w, w->number + 1 + gen_below(&w->rng, 3), EWE_SWEEP, dep, 0, 0, 0);
    }
    if (via && moved)
        ew_deposit_received(w, hot); /* the consolidation address sweeps on in its turn */
}

static uint32_t user_acct(ew_world *w, ew_user *u);
static ew_user *pick_user(ew_world *w);

/* OTC desks: customers pay a desk ETH now and then (it pays them off chain, or in another
 * chain's coin); a desk sweeps what it holds to its own deposit address at an exchange every 1-3
 * hours; a fresh mixer recipient pays a desk everything it got. A thief may pay a desk too
 * (heist.c, cash_out "otc"): the desk then holds stolen funds beside its customers'. */
static void otc_event(ew_world *w, const ew_event *e)
{
    uint32_t k = e->kind == EWE_OTC_PAY ? e->b : e->a;
    if (k >= w->n_otc)
        return;
    uint32_t desk = w->otc[k];
    if (e->kind == EWE_OTC_CUSTOMER) {
        ew_user *u = pick_user(w);
        uint32_t from = user_acct(w, u);
        u128 b = w->bal[0][from];
        if (b > EW_ETHER / 5)
            ew_send_eth(w, from, desk, nice_amount(w, b / 20, b / 3));
        ew_event_push(w, w->number + 20 + gen_below(&w->rng, 200), EWE_OTC_CUSTOMER, k, 0, 0, 0);
    } else if (e->kind == EWE_OTC_SWEEP) {
        u128 fee = ew_fee_bound(w, 60000), b = w->bal[0][desk];
        if (b > fee + EW_ETHER) {
            if (w->otc_dep[k] == EW_NONE)
                w->otc_dep[k] = ew_deposit_address(w, k % w->n_exch, w->acct[desk].ent);
            if (w->otc_dep[k] != EW_NONE && ew_send_eth(w, desk, w->otc_dep[k], b - fee))
                ew_deposit_received(w, w->otc_dep[k]);
        }
        ew_event_push(w, w->number + 300 + gen_below(&w->rng, 600), EWE_OTC_SWEEP, k, 0, 0, 0);
    } else {
        u128 fee = ew_fee_bound(w, 60000), b = w->bal[0][e->a];
        if (b > fee + EW_ETHER / 100)
            ew_send_eth(w, e->a, desk, b - fee);
    }
}

bool ew_handle_event(ew_world *w, const ew_event *e)
{
    switch (e->kind) {
    case EWE_SWEEP:
        sweep(w, e->a);
        return true;
    case EWE_MIX_WITHDRAW: {
        ew_note *n = &w->notes[e->a];
        if (n->heist >= 0) {
            ew_heist_event(w, e);
            return true;
        }
        /* an honest user withdraws to one of its other addresses or a fresh one */
        uint32_t ent = n->owner_ent;
        uint32_t own = n->own;
        bool match = w->sc->honest_mix_evidence && e->b == EW_NONE && gen_chance(&w->rng, 0.15);
        uint32_t rec = e->b != EW_NONE ? e->b
                       : match         ? n->depositor
                                       : ew_acct_new(w, EWC_USER, ent, false);
        int rel = gen_chance(&w->rng, 0.7) ? (int)gen_below(&w->rng, w->n_relayers) : -1;
        uint32_t sender = n->depositor;
        if (rel < 0 && !can_pay(w, sender, 0, 420000))
            rel = (int)gen_below(&w->rng, w->n_relayers);
        if (!mixer_withdraw(w, e->a, rec, rel, sender)) {
            ew_event_push(w, w->number + 5, EWE_MIX_WITHDRAW, e->a, rec, 0, 0);
            return true;
        }
        /* the look-alikes of the thief's evidence: gas from one's own other address, a fresh
         * recipient paying everything on to one's own other address */
        if (own != EW_NONE && own != rec && gen_chance(&w->rng, 0.3))
            ew_event_push(w, w->number + 1 + gen_below(&w->rng, 40), EWE_OWN_PAY, own, rec, 1, 0);
        if (own != EW_NONE && own != rec && e->b == EW_NONE && !match && gen_chance(&w->rng, 0.4))
            ew_event_push(w, w->number + 2 + gen_below(&w->rng, 120), EWE_OWN_PAY, rec, own, 0, 0);
        else if (w->n_otc && e->b == EW_NONE && gen_chance(&w->rng, 0.35))
            /* the fresh recipient buys from an OTC desk a little later */
            ew_event_push(w, w->number + 10 + gen_below(&w->rng, 600), EWE_OTC_PAY, rec,
                          (uint32_t)gen_below(&w->rng, w->n_otc), 0, 0);
        return true;
    }
    case EWE_HEIST:
        ew_heist_event(w, e);
        return true;
    case EWE_OTC_CUSTOMER:
    case EWE_OTC_SWEEP:
    case EWE_OTC_PAY:
        otc_event(w, e);
        return true;
    case EWE_ACROSS_REFUND:
        across_refund(w);
        return true;
    case EWE_FRESH_BRIDGE:
        fresh_bridge(w, e);
        return true;
    case EWE_OWN_PAY: {
        u128 fee = ew_fee_bound(w, 21000), b = w->bal[0][e->a];
        if (e->c && b > 40 * fee)
            ew_send_eth(w, e->a, e->b, fee * (3 + gen_below(&w->rng, 10)));
        else if (!e->c && b > 2 * fee)
            ew_send_eth(w, e->a, e->b, b - fee);
        return true;
    }
    default:
        return false;
    }
}

/* the thief side asks for a withdrawal of one of its notes */
bool ew_mixer_withdraw_for(ew_world *w, uint32_t ni, uint32_t recipient, int relayer,
                           uint32_t sender)
{
    return mixer_withdraw(w, ni, recipient, relayer, sender);
}

/* ---- set-up ---- */
static uint32_t contract(ew_world *w, uint32_t from, uint8_t cat, const char *name)
{
    uint32_t ent = ew_ent_new(w, cat, name, -1);
    uint32_t c = ew_deploy(w, from, cat, ent, ew_gas_for(w, EWG_CREATE));
    ew_tx_end(w);
    return c;
}

static void selector(uint8_t out[4], const char *sig)
{
    uint8_t h[32];
    ew_keccak256(h, sig, strlen(sig));
    memcpy(out, h, 4);
}

static void topic(uint8_t out[32], uint16_t bl[3], const char *sig)
{
    ew_keccak256(out, sig, strlen(sig));
    ew_topic_bloom(bl, out);
}

static void init_abi(ew_world *w)
{
    selector(w->sel_transfer, "transfer(address,uint256)");
    selector(w->sel_transfer_from, "transferFrom(address,address,uint256)");
    selector(w->sel_approve, "approve(address,uint256)");
    selector(w->sel_deposit, "deposit()");
    selector(w->sel_withdraw, "withdraw(uint256)");
    selector(w->sel_swap_eth_tok, "swapExactETHForTokens(uint256,address[],address,uint256)");
    selector(w->sel_swap_tok_eth,
             "swapExactTokensForETH(uint256,uint256,address[],address,uint256)");
    selector(w->sel_add_liq, "addLiquidityETH(address,uint256,uint256,uint256,address,uint256)");
    selector(w->sel_mix_deposit, "deposit(bytes32)");
    selector(w->sel_mix_withdraw,
             "withdraw(bytes,bytes32,bytes32,address,address,uint256,uint256)");
    selector(w->sel_thor_deposit, "depositWithExpiry(address,address,uint256,string,uint256)");
    selector(w->sel_multicall, "multicall(bytes[])");
    selector(w->sel_disperse, "disperseEther(address[],uint256[])");
    selector(w->sel_split, "pay(address[])");
    selector(w->sel_nft_mint, "safeMint(address)");
    selector(w->sel_flush, "flushTokens(address)");
    selector(w->sel_create_fwd, "createForwarder()");
    selector(w->sel_mint, "mint(address)");
    topic(w->t_transfer, w->tb_transfer, "Transfer(address,address,uint256)");
    topic(w->t_approval, w->tb_approval, "Approval(address,address,uint256)");
    topic(w->t_wdeposit, w->tb_wdeposit, "Deposit(address,uint256)");
    topic(w->t_wwithdrawal, w->tb_wwithdrawal, "Withdrawal(address,uint256)");
    topic(w->t_swap, w->tb_swap, "Swap(address,uint256,uint256,uint256,uint256,address)");
    topic(w->t_sync, w->tb_sync, "Sync(uint112,uint112)");
    topic(w->t_mint, w->tb_mint, "Mint(address,uint256,uint256)");
    topic(w->t_mdeposit, w->tb_mdeposit, "Deposit(bytes32,uint32,uint256)");
    topic(w->t_mwithdrawal, w->tb_mwithdrawal, "Withdrawal(address,bytes32,address,uint256)");
    topic(w->t_thor, w->tb_thor, "Deposit(address,address,uint256,string)");
    topic(w->t_fwd, w->tb_fwd, "ForwarderDeposited(address,uint256,bytes)");
    /* the lock-and-release bridge: shapes of real ones (a destination chain id and a recipient
     * as a 20-byte address, a 32-byte account, or a string), none of them a memo */
    selector(w->sel_lock, "lock(uint256,bytes32)");
    selector(w->sel_lock_sol, "depositFor(bytes32,uint16)");
    selector(w->sel_lock_plain, "bridgeOut(uint256,address)");
    selector(w->sel_lock_str, "lockTo(uint256,string)");
    selector(w->sel_release, "release(address,uint256,bytes32)");
    topic(w->t_locked, w->tb_locked, "Locked(address,uint256,bytes32,uint256)");
    topic(w->t_locked_str, w->tb_locked_str, "LockedTo(address,uint256,string,uint256)");
    topic(w->t_released, w->tb_released, "Released(address,uint256,uint256)");
    selector(w->sel_exec, "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,"
                          "address,address,bytes)");
    topic(w->t_exec_ok, w->tb_exec_ok, "ExecutionSuccess(bytes32,uint256)");
    /* the Across-like pool: its SpokePool's published ABI */
    selector(w->sel_v3_deposit, "depositV3(address,address,address,address,uint256,uint256,uint256,"
                                "address,uint32,uint32,uint32,bytes)");
    selector(w->sel_v3_fill, "fillV3Relay((address,address,address,address,address,uint256,"
                             "uint256,uint256,uint32,uint32,uint32,uint32,bytes),uint256)");
    selector(w->sel_wh_wrap, "wrapAndTransferETH(uint16,bytes32,uint256,uint32)");
    selector(w->sel_router_bridge, "startBridgeTokensViaAcross((bytes32,string,address,address,"
                                   "uint256,uint256),bytes)");
    selector(w->sel_swap_bridge, "swapAndStartBridgeTokensViaAcross((bytes32,string,string,address,"
                                 "address,address,uint256,uint256,bool,bool),(address,address,"
                                 "address,address,uint256,bytes,bool)[],(address,uint256,bytes))");
    selector(w->sel_refund_leaf, "executeRelayerRefundLeaf(uint32,(uint256,uint256,uint256[],"
                                 "uint32,address,address[]),bytes32[])");
    topic(w->t_v3_deposited, w->tb_v3_deposited,
          "V3FundsDeposited(address,address,uint256,uint256,uint256,uint32,uint32,uint32,uint32,"
          "address,address,address,bytes)");
    topic(w->t_v3_filled, w->tb_v3_filled,
          "FilledV3Relay(address,address,uint256,uint256,uint256,uint256,uint32,uint32,uint32,"
          "address,address,address,address,bytes)");
    topic(w->t_refund_leaf, w->tb_refund_leaf,
          "ExecutedRelayerRefundRoot(uint256,uint256,uint256[],uint32,uint32,address,address[],"
          "address)");
}

static const char *const tok_sym[1 + EW_NTOK] = {"ETH", "USDT", "USDC", "DAI", "WETH"};
static const char *const tok_name[1 + EW_NTOK] = {"Ether", "Tether USD", "USD Coin",
                                                  "Dai Stablecoin", "Wrapped Ether"};

const char *ew_asset_symbol(int a)
{
    return a >= 0 && a <= EW_NTOK ? tok_sym[a] : "?";
}
const char *ew_asset_name(int a)
{
    return a >= 0 && a <= EW_NTOK ? tok_name[a] : "?";
}

/* token units of a whole coin */
static u128 unit(const ew_world *w, int tok)
{
    u128 u = 1;
    for (int i = 0; i < w->tok_dec[tok]; i++)
        u *= 10;
    return u;
}

int ew_econ_setup(ew_world *w)
{
    init_abi(w);
    const cw_gen_evm_scenario *sc = w->sc;
    uint32_t zent = ew_ent_new(w, EWC_ZERO, "zero-address", -1);
    uint8_t zaddr[20] = {0};
    w->zero = ew_acct_new_at(w, EWC_ZERO, zent, zaddr);
    w->acct[w->zero].contract = 0;
    uint32_t dent = ew_ent_new(w, EWC_DEPLOYER, "deployer", -1);
    w->deployer = ew_acct_new(w, EWC_DEPLOYER, dent, false);
    uint32_t lent = ew_ent_new(w, EWC_DEPLOYER, "liquidity-provider", -1);
    w->lp = ew_acct_new(w, EWC_DEPLOYER, lent, false);
    static const char *const issuers[3] = {"Tether Treasury", "Circle", "Maker"};
    for (int i = 0; i < 3; i++)
        w->issuer[i] = ew_acct_new(w, EWC_ISSUER, ew_ent_new(w, EWC_ISSUER, issuers[i], -1), false);
    w->n_builders = 6;
    for (uint32_t i = 0; i < w->n_builders; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "builder-%u", i + 1);
        w->builders[i] = ew_acct_new(w, EWC_BUILDER, ew_ent_new(w, EWC_BUILDER, nm, -1), false);
    }
    w->n_relayers = 5;
    for (uint32_t i = 0; i < w->n_relayers; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "relayer-%u", i + 1);
        w->relayers[i] = ew_acct_new(w, EWC_RELAYER, ew_ent_new(w, EWC_RELAYER, nm, -1), false);
    }
    uint32_t vent = ew_ent_new(w, EWC_BRIDGE_VAULT, "THORChain", -1);
    w->bridge_vault = ew_acct_new(w, EWC_BRIDGE_VAULT, vent, false);
    w->n_stakers = 40;
    uint32_t sent = ew_ent_new(w, EWC_STAKER, "staking-pool", -1);
    for (uint32_t i = 0; i < w->n_stakers; i++)
        w->stakers[i] = ew_acct_new(w, EWC_STAKER, sent, false);
    /* exchanges */
    w->n_exch = sc->n_exch;
    for (uint32_t i = 0; i < w->n_exch; i++) {
        ew_exch *x = &w->exch[i];
        x->ent = ew_ent_new(w, EWC_EXCHANGE, sc->exch[i], -1);
        x->style = (int)((i + gen_below(&w->rng, 2)) % 2);
        x->n_hot = 1 + (uint32_t)gen_below(&w->rng, 3);
        for (uint32_t k = 0; k < x->n_hot; k++) {
            x->hot[k] = ew_acct_new(w, EWC_EXCHANGE, x->ent, false);
            w->acct[x->hot[k]].exch = i;
        }
        x->gas = ew_acct_new(w, EWC_EXCH_GAS, x->ent, false);
        w->acct[x->gas].exch = i;
        x->sweep_min_b = 2 + (uint32_t)gen_below(&w->rng, 20);
        x->sweep_max_b = x->sweep_min_b + 10 + (uint32_t)gen_below(&w->rng, 200);
        x->sweep_floor_gwei = 1000000ULL * (1 + gen_below(&w->rng, 20)); /* 0.001..0.02 ETH */
        x->topup_exact = gen_chance(&w->rng, 0.5);
    }
    /* users */
    size_t nu = sc->users ? sc->users : (size_t)(w->txs_target / 30);
    if (nu < 300)
        nu = 300;
    if (nu > 500000)
        nu = 500000;
    w->users = calloc(nu, sizeof *w->users);
    if (!w->users)
        return cw_error_set(CW_ENOMEM, "gen evm: out of memory for %zu users", nu);
    w->n_users = nu;
    for (size_t i = 0; i < nu; i++) {
        ew_user *u = &w->users[i];
        char nm[32];
        snprintf(nm, sizeof nm, "user-%06zu", i);
        u->ent = ew_ent_new(w, EWC_USER, nm, -1);
        uint64_t r = gen_below(&w->rng, 10);
        u->n_acct = r < 7 ? 1 : r < 9 ? 2 : 3;
        for (int k = 0; k < u->n_acct; k++)
            u->acct[k] = ew_acct_new(w, EWC_USER, u->ent, false);
        uint64_t h = gen_below(&w->rng, 100);
        u->habit = h < 55 ? 0 : h < 80 ? 1 : h < 95 ? 2 : 3;
        for (uint32_t x = 0; x < EW_MAX_EXCH; x++)
            u->dep[x] = EW_NONE;
    }
    /* OTC desks (only in worlds that ask for them: other worlds keep their bytes) */
    w->n_otc = sc->otc_desks;
    for (uint32_t i = 0; i < w->n_otc; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "otc-desk-%u", i + 1);
        w->otc[i] = ew_acct_new(w, EWC_OTC, ew_ent_new(w, EWC_OTC, nm, -1), false);
        w->otc_dep[i] = EW_NONE;
    }
    /* consolidation addresses (only in worlds that ask for them: other worlds keep their
     * bytes): EOAs of the exchange between its deposit addresses and its hot wallets */
    for (uint32_t i = 0; sc->consolidation && i < w->n_exch; i++) {
        ew_exch *x = &w->exch[i];
        x->n_cons = sc->consolidation;
        for (uint32_t k = 0; k < x->n_cons; k++) {
            x->cons[k] = ew_acct_new(w, EWC_EXCH_CONSOL, x->ent, false);
            w->acct[x->cons[k]].exch = i;
        }
    }
    /* contract hot wallets (only in worlds that ask for them: other worlds keep their bytes):
     * the last contract_hot exchanges' hot wallets become contracts, each exchange gets an
     * operator EOA that sends their payments */
    for (uint32_t i = 0; i < w->n_exch; i++) {
        ew_exch *x = &w->exch[i];
        x->op = EW_NONE;
        if (i + sc->contract_hot < w->n_exch)
            continue;
        x->op = ew_acct_new(w, EWC_EXCH_OPERATOR, x->ent, false);
        w->acct[x->op].exch = i;
        for (uint32_t k = 0; k < x->n_hot; k++) {
            w->acct[x->hot[k]].cat = EWC_EXCH_HOT_CONTRACT;
            w->acct[x->hot[k]].contract = 1;
        }
    }
    /* the Across-like pool's dataworker and relayers (only in worlds that ask for them) */
    w->across = w->across_dw = w->across_router = EW_NONE;
    for (uint32_t i = 0; sc->across_bridge && i < 3; i++) {
        char nm[48];
        snprintf(nm, sizeof nm, "bridge relayer %u", i + 1);
        w->across_rel[i] =
            ew_acct_new(w, EWC_BRIDGE_RELAYER, ew_ent_new(w, EWC_BRIDGE_RELAYER, nm, -1), false);
    }
    if (sc->across_bridge)
        w->across_dw =
            ew_acct_new(w, EWC_BRIDGE_OPERATOR,
                        ew_ent_new(w, EWC_BRIDGE_OPERATOR, "bridge pool dataworker", -1), false);
    w->nft_cap = 1024;
    w->nft_owner = calloc(w->nft_cap, sizeof *w->nft_owner);
    if (!w->nft_owner)
        return cw_error_set(CW_ENOMEM, "gen evm: out of memory");
    return w->err;
}

/* The opening: funded by withdrawals, then the deployments, mints and liquidity. Runs in its
 * own blocks; returns the count of set-up transactions. */
int ew_econ_open(ew_world *w, u128 victim_extra[EW_MAX_EXCH][1 + EW_NTOK])
{
    /* opening balances (gwei): withdrawals of up to 16 per block */
    uint32_t to[512];
    uint64_t amt[512];
    uint32_t n = 0;
#define FUND(acct, eth) (to[n] = (acct), amt[n] = (uint64_t)(eth)*1000000000ULL, n++)
    FUND(w->deployer, 5000);
    FUND(w->lp, 420000);
    for (int i = 0; i < 3; i++)
        FUND(w->issuer[i], 200);
    for (uint32_t i = 0; i < w->n_relayers; i++)
        FUND(w->relayers[i], 60);
    for (uint32_t i = 0; i < w->n_exch; i++) {
        ew_exch *x = &w->exch[i];
        uint64_t extra = (uint64_t)(victim_extra[i][0] / EW_ETHER) + 1;
        for (uint32_t k = 0; k < x->n_hot; k++)
            FUND(x->hot[k], (60000 + gen_below(&w->rng, 60000)) / x->n_hot + (k == 0 ? extra : 0));
        FUND(x->gas, 3000);
    }
    FUND(w->bridge_vault, 20000);
    for (uint32_t i = 0; i < w->n_otc; i++)
        FUND(w->otc[i], 5);
    for (uint32_t i = 0; i < w->n_exch; i++)
        if (w->exch[i].op != EW_NONE)
            FUND(w->exch[i].op, 300);
    if (w->across_dw != EW_NONE) {
        for (int i = 0; i < 3; i++)
            FUND(w->across_rel[i], 2500);
        FUND(w->across_dw, 20);
    }
#undef FUND
    for (uint32_t i = 0; i < n; i += 16) {
        ew_block_begin(w);
        uint32_t k = n - i < 16 ? n - i : 16;
        if (ew_block_end(w, k, to + i, amt + i))
            return w->err;
    }
    /* deployments */
    ew_block_begin(w);
    uint32_t dep = w->deployer;
    w->tok_dec[0] = 18;
    w->tok_dec[EW_USDT] = 6;
    w->tok_dec[EW_USDC] = 6;
    w->tok_dec[EW_DAI] = 18;
    w->tok_dec[EW_WETH] = 18;
    for (int t = 1; t < EW_WETH; t++)
        w->tok[t] = contract(w, dep, EWC_TOKEN, tok_name[t]);
    /* WETH is a predeploy at WETH9's mainnet address (there from genesis, created by no
     * transaction, like the OP-stack's wrapped-ETH predeploy), so that a store that knows the
     * chain's wrapped-native token by address (ingest evm --chain ethereum) reads its Deposit
     * and Withdrawal events as wrap and unwrap */
    static const uint8_t weth9[20] = {0xc0, 0x2a, 0xaa, 0x39, 0xb2, 0x23, 0xfe, 0x8d, 0x0a, 0x0e,
                                      0x5c, 0x4f, 0x27, 0xea, 0xd9, 0x08, 0x3c, 0x75, 0x6c, 0xc2};
    w->tok[EW_WETH] =
        ew_acct_new_at(w, EWC_WETH, ew_ent_new(w, EWC_WETH, tok_name[EW_WETH], -1), weth9);
    w->router = contract(w, dep, EWC_ROUTER, "DEX router");
    for (int t = 1; t < EW_WETH; t++) {
        char nm[48];
        snprintf(nm, sizeof nm, "DEX pair %s/WETH", tok_sym[t]);
        w->pair[t] = contract(w, dep, EWC_PAIR, nm);
    }
    /* four denominations (the scenario's), each its own contract or all in one */
    for (int p = 0; p < 4; p++) {
        char nm[128], ip[48];
        u128 d = w->sc->mixer_denom[p];
        ew_u128_dec(ip, d / EW_ETHER);
        char fr[24];
        snprintf(fr, sizeof fr, "%018llu", (unsigned long long)(d % EW_ETHER));
        size_t fl = strlen(fr);
        while (fl && fr[fl - 1] == '0')
            fr[--fl] = '\0';
        snprintf(nm, sizeof nm, "mixer %s%s%s ETH", ip, fl ? "." : "", fr);
        w->mixer_denom[p] = d;
        if (w->sc->mixer_contracts == 1 && p > 0)
            w->mixer[p] = w->mixer[0];
        else
            w->mixer[p] = contract(w, dep, EWC_MIXER,
                                   w->sc->mixer_contracts == 1 ? "mixer (4 denominations)" : nm);
    }
    w->bridge_router = contract(w, dep, EWC_BRIDGE_ROUTER, "THORChain router");
    w->acct[w->bridge_router].ent = w->acct[w->bridge_vault].ent;
    w->lock_bridge =
        w->sc->lock_bridge ? contract(w, dep, EWC_BRIDGE_LOCK, "lock-and-release bridge") : EW_NONE;
    if (w->sc->across_bridge) {
        w->across = contract(w, dep, EWC_BRIDGE_POOL, "bridge pool (Across-like)");
        if (w->sc->across_router || w->sc->router_swaps)
            w->across_router = contract(w, dep, EWC_AGG_ROUTER, "aggregator router");
        w->acct[w->across_dw].ent = w->acct[w->across].ent;
        ew_event_push(w, w->number + 240, EWE_ACROSS_REFUND, 0, 0, 0, 0);
    }
    w->batch = contract(w, dep, EWC_BATCH, "Disperse");
    w->splitter = contract(w, dep, EWC_SPLITTER, "payment splitter");
    w->nft = contract(w, dep, EWC_NFT, "NFT collection");
    for (uint32_t i = 0; i < w->n_exch; i++) {
        ew_exch *x = &w->exch[i];
        if (x->style != 1)
            continue;
        uint32_t c =
            ew_deploy(w, signer(w, x->hot[0]), EWC_FACTORY, x->ent, ew_gas_for(w, EWG_CREATE));
        ew_tx_end(w);
        x->factory = c;
        w->acct[c].exch = i;
    }
    if (ew_block_end(w, 0, NULL, NULL))
        return w->err;
    /* mints and distribution */
    ew_block_begin(w);
    static const uint64_t pool_tok[4] = {0, 300000000, 200000000, 100000000}; /* whole coins */
    for (int t = 1; t < EW_WETH; t++) {
        uint32_t is = w->issuer[t - 1];
        u128 u = unit(w, t);
        u128 total = (u128)pool_tok[t] * u;
        for (uint32_t i = 0; i < w->n_exch; i++)
            total += (u128)(40000000 + gen_below(&w->rng, 40000000)) * u + victim_extra[i][t];
        total += (u128)50000000 * u; /* kept for later issuance */
        ew_tx_begin(w, is, w->tok[t], 0, 52000 + gen_below(&w->rng, 8000), true);
        put_wu(put_waddr(put_sel(ew_tx_input(w, 68), w->sel_mint), w, is), total);
        ew_erc20_transfer(w, t, w->zero, is, total);
        ew_tx_end(w);
        ew_send_token(w, t, is, w->lp, (u128)pool_tok[t] * u);
    }
    if (ew_block_end(w, 0, NULL, NULL))
        return w->err;
    ew_block_begin(w);
    for (int t = 1; t < EW_WETH; t++) {
        uint32_t is = w->issuer[t - 1];
        u128 u = unit(w, t);
        for (uint32_t i = 0; i < w->n_exch; i++) {
            ew_exch *x = &w->exch[i];
            u128 a = (u128)(40000000 + gen_below(&w->rng, 40000000)) * u + victim_extra[i][t];
            if (a > w->bal[t][is] - (u128)50000000 * u)
                a = w->bal[t][is] - (u128)50000000 * u;
            ew_send_token(w, t, is, x->hot[0], a);
        }
    }
    if (ew_block_end(w, 0, NULL, NULL))
        return w->err;
    ew_block_begin(w);
    for (int t = 1; t < EW_WETH; t++) {
        ew_approve(w, t, w->lp, w->router);
        add_liquidity(w, t, (u128)pool_tok[t] * unit(w, t), (u128)pool_tok[t] / 3000 * EW_ETHER);
    }
    if (ew_block_end(w, 0, NULL, NULL))
        return w->err;
    for (uint32_t k = 0; k < w->n_otc; k++) {
        ew_event_push(w, w->number + 20 + gen_below(&w->rng, 200), EWE_OTC_CUSTOMER, k, 0, 0, 0);
        ew_event_push(w, w->number + 100 + gen_below(&w->rng, 300), EWE_OTC_SWEEP, k, 0, 0, 0);
    }
    return w->err;
}

/* ---- honest activity ---- */
static uint32_t user_acct(ew_world *w, ew_user *u)
{
    return u->acct[gen_below(&w->rng, u->n_acct)];
}

static ew_user *pick_user(ew_world *w)
{
    /* a heavy tail of activity: low indexes are far more active */
    uint64_t r = gen_below(&w->rng, w->n_users);
    if (gen_chance(&w->rng, 0.5))
        r = gen_below(&w->rng, r + 1);
    return &w->users[r];
}

static int held_token(ew_world *w, uint32_t a)
{
    int start = 1 + (int)gen_below(&w->rng, 3);
    for (int k = 0; k < 3; k++) {
        int t = 1 + (start - 1 + k) % 3;
        if (w->bal[t][a])
            return t;
    }
    return 0;
}

static bool exch_withdraw(ew_world *w, ew_user *u, bool token)
{
    ew_exch *x = &w->exch[gen_below(&w->rng, w->n_exch)];
    uint32_t hot = x->hot[gen_below(&w->rng, x->n_hot)];
    uint32_t to = user_acct(w, u);
    if (token) {
        int t = 1 + (int)gen_below(&w->rng, 3);
        u128 v = nice_amount(w, 20 * unit(w, t), gen_heavy(&w->rng, 200, 500000) * unit(w, t));
        if (w->bal[t][hot] < v * 4)
            return false;
        return ew_send_token(w, t, hot, to, v);
    }
    u128 v = nice_amount(w, EW_ETHER / 50, (u128)gen_heavy(&w->rng, 1, 300) * EW_ETHER);
    if (w->bal[0][hot] < v * 4)
        return false;
    return ew_send_eth(w, hot, to, v);
}

static uint32_t user_deposit_addr(ew_world *w, ew_user *u, uint32_t xi)
{
    if (u->dep[xi] == EW_NONE)
        u->dep[xi] = ew_deposit_address(w, xi, u->ent);
    return u->dep[xi];
}

static bool deposit_to_exchange(ew_world *w, ew_user *u, bool token)
{
    uint32_t from = user_acct(w, u);
    uint32_t xi = (uint32_t)gen_below(&w->rng, w->n_exch);
    if (token) {
        int t = held_token(w, from);
        if (!t || !can_pay(w, from, 0, 70000))
            return false;
        u128 b = w->bal[t][from];
        u128 v = gen_chance(&w->rng, 0.4) ? b : nice_amount(w, b / 10, b);
        uint32_t dep = user_deposit_addr(w, u, xi);
        if (dep == EW_NONE || !ew_send_token(w, t, from, dep, v))
            return false;
        ew_deposit_received(w, dep);
        return true;
    }
    u128 b = w->bal[0][from];
    if (b < EW_ETHER / 20)
        return false;
    u128 v = nice_amount(w, b / 10, b - b / 20);
    uint32_t dep = user_deposit_addr(w, u, xi);
    if (dep == EW_NONE || !ew_send_eth(w, from, dep, v))
        return false;
    ew_deposit_received(w, dep);
    return true;
}

static bool honest_mix(ew_world *w, ew_user *u)
{
    uint32_t from = user_acct(w, u);
    u128 b = w->bal[0][from];
    int pool = -1;
    for (int p = 3; p >= 0; p--)
        if (b > w->mixer_denom[p] + w->mixer_denom[p] / 5 + EW_ETHER / 20) {
            pool = p;
            break;
        }
    if (pool < 0)
        return false;
    if (pool > 0 && gen_chance(&w->rng, 0.4))
        pool--;
    uint32_t hint = EW_NONE;
    if (u->n_acct > 1 && gen_chance(&w->rng, 0.5)) {
        hint = u->acct[gen_below(&w->rng, u->n_acct)];
        if (hint == from)
            hint = EW_NONE;
    }
    uint64_t wait = 50 + gen_heavy(&w->rng, 100, 20000);
    if (!ew_mixer_deposit(w, from, pool, -1, wait, hint))
        return false;
    if (w->sc->honest_mix_evidence && u->n_acct > 1) {
        uint32_t own = u->acct[gen_below(&w->rng, u->n_acct)];
        w->notes[w->n_notes - 1].own = own != from ? own : u->acct[(own == u->acct[0])];
    }
    return true;
}

void ew_econ_tx(ew_world *w)
{
    ew_user *u = pick_user(w);
    uint64_t r = gen_below(&w->rng, 1000);
    bool done = false;
    if (r < 200) { /* ETH to another user or between one's own addresses */
        uint32_t from = user_acct(w, u);
        uint32_t to = u->n_acct > 1 && gen_chance(&w->rng, 0.2) ? user_acct(w, u)
                                                                : user_acct(w, pick_user(w));
        u128 b = w->bal[0][from];
        if (b > EW_ETHER / 100 && to != from)
            done = ew_send_eth(w, from, to, nice_amount(w, b / 50, b / 2));
    } else if (r < 360) {
        uint32_t from = user_acct(w, u);
        int t = held_token(w, from);
        if (t)
            done = ew_send_token(w, t, from, user_acct(w, pick_user(w)),
                                 nice_amount(w, w->bal[t][from] / 20, w->bal[t][from]));
    } else if (r < 460) {
        done = exch_withdraw(w, u, false);
    } else if (r < 540) {
        done = exch_withdraw(w, u, true);
    } else if (r < 630) {
        done = deposit_to_exchange(w, u, false);
    } else if (r < 700) {
        done = deposit_to_exchange(w, u, true);
    } else if (r < 770) {
        uint32_t from = user_acct(w, u);
        u128 b = w->bal[0][from];
        if (b > EW_ETHER / 10)
            done = ew_swap_eth_tok(w, 1 + (int)gen_below(&w->rng, 3), from,
                                   nice_amount(w, b / 20, b / 3), NULL);
    } else if (r < 820) {
        uint32_t from = user_acct(w, u);
        int t = held_token(w, from);
        if (t) {
            /* an approval first, the first time (tracked by the user's habit bits) */
            uint8_t bit = (uint8_t)(0x10u << t);
            if (!(u->habit & bit)) {
                done = ew_approve(w, t, from, w->router);
                if (done)
                    u->habit |= bit;
            } else {
                done = ew_swap_tok_eth(
                    w, t, from, nice_amount(w, w->bal[t][from] / 4, w->bal[t][from]), from, NULL);
            }
        }
    } else if (r < 840) {
        uint32_t from = user_acct(w, u);
        if (w->bal[EW_WETH][from] && gen_chance(&w->rng, 0.5))
            done = weth_unwrap(w, from, w->bal[EW_WETH][from]);
        else if (w->bal[0][from] > EW_ETHER / 5)
            done = weth_wrap(w, from, nice_amount(w, w->bal[0][from] / 10, w->bal[0][from] / 2));
    } else if (r < 860 || (r < 880 && (u->habit & 3) == 3)) {
        done = honest_mix(w, u);
    } else if (r < 890) {
        uint32_t from = user_acct(w, u);
        u128 b = w->bal[0][from];
        bool across = w->across != EW_NONE && gen_chance(&w->rng, 0.6);
        if (w->sc->fresh_bridge_users &&
            (across || (w->lock_bridge != EW_NONE && gen_chance(&w->rng, 0.5)))) {
            /* from a fresh address an exchange withdrawal funds, sending the bridge all */
            uint32_t fresh = ew_acct_new(w, EWC_USER, u->ent, false);
            ew_exch *x = &w->exch[gen_below(&w->rng, w->n_exch)];
            uint32_t hot = x->hot[gen_below(&w->rng, x->n_hot)];
            u128 v = nice_amount(w, EW_ETHER / 10, (u128)gen_heavy(&w->rng, 1, 100) * EW_ETHER);
            done = w->bal[0][hot] >= v * 4 && ew_send_eth(w, hot, fresh, v);
            if (done)
                ew_event_push(w, w->number + 1 + gen_below(&w->rng, 20), EWE_FRESH_BRIDGE, fresh,
                              across, 0, 0);
        } else if (across && b > EW_ETHER / 5) {
            int t = held_token(w, from);
            if (t && t < EW_WETH && gen_chance(&w->rng, 0.3))
                done = ew_across_deposit(w, from, t, w->bal[t][from], -1);
            else
                done = ew_across_deposit(w, from, 0, nice_amount(w, b / 10, b / 2), -1);
        } else if (b > EW_ETHER / 5 && w->lock_bridge != EW_NONE && gen_chance(&w->rng, 0.5)) {
            char btc[64];
            ew_btc_address(w, u->ent * 4 + gen_below(&w->rng, 4), btc);
            done = ew_lock_deposit(w, from, nice_amount(w, b / 10, b / 2), btc,
                                   (int)gen_below(&w->rng, 4), -1);
        } else if (b > EW_ETHER / 5) {
            char btc[64];
            ew_btc_address(w, u->ent * 4 + gen_below(&w->rng, 4), btc);
            done = ew_bridge_deposit(w, from, nice_amount(w, b / 10, b / 2), btc,
                                     (int)gen_below(&w->rng, 6), -1);
        }
    } else if (r < 900) {
        u128 v = nice_amount(w, EW_ETHER / 20, (u128)gen_heavy(&w->rng, 1, 50) * EW_ETHER);
        if (w->across != EW_NONE && gen_chance(&w->rng, 0.5))
            done = across_fill(w, user_acct(w, u), v);
        else if (w->lock_bridge != EW_NONE && gen_chance(&w->rng, 0.5))
            done = lock_release(w, user_acct(w, u), v);
        else
            done = bridge_outbound(w, user_acct(w, u), v);
    } else if (r < 915) {
        uint32_t from = user_acct(w, u);
        u128 b = w->bal[0][from];
        uint32_t pay[3];
        size_t n = 2 + gen_below(&w->rng, 2);
        for (size_t i = 0; i < n; i++)
            pay[i] = user_acct(w, pick_user(w));
        if (gen_chance(&w->rng, 0.3))
            pay[n - 1] = w->nft; /* a contract that rejects ETH: that call fails */
        if (b > EW_ETHER / 10)
            done = splitter_pay(w, from, pay, n, nice_amount(w, b / 20, b / 4));
    } else if (r < 930) {
        /* a payroll or airdrop through the batch sender */
        uint32_t from = user_acct(w, u);
        u128 b = w->bal[0][from];
        size_t n = 3 + gen_below(&w->rng, 30);
        if (b > EW_ETHER) {
            uint32_t to[40];
            u128 v[40];
            u128 each = b / 3 / n;
            for (size_t i = 0; i < n; i++) {
                to[i] = user_acct(w, pick_user(w));
                v[i] = nice_amount(w, each / 2, each);
            }
            done = ew_disperse(w, from, to, v, n);
        }
    } else if (r < 945) {
        uint32_t from = user_acct(w, u);
        if (w->nft_next < 50 || gen_chance(&w->rng, 0.4)) {
            if (w->nft_next + 1 >= w->nft_cap) {
                uint32_t *q = realloc(w->nft_owner, 2 * w->nft_cap * sizeof *q);
                if (!q) {
                    w->err = cw_error_set(CW_ENOMEM, "gen evm: out of memory");
                    return;
                }
                w->nft_owner = q;
                w->nft_cap *= 2;
            }
            if (nft_move(w, from, from, w->nft_next, true))
                w->nft_next++, done = true;
        } else {
            uint32_t id = (uint32_t)gen_below(&w->rng, w->nft_next);
            uint32_t owner = w->nft_owner[id];
            done = nft_move(w, owner, user_acct(w, pick_user(w)), id, false);
        }
    } else if (r < 960) {
        uint32_t from = user_acct(w, u);
        done =
            failed_token_send(w, 1 + (int)gen_below(&w->rng, 3), from, user_acct(w, pick_user(w)));
    } else if (r < 975) {
        /* a staker sells to an exchange */
        uint32_t s = w->stakers[gen_below(&w->rng, w->n_stakers)];
        u128 b = w->bal[0][s];
        if (b > EW_ETHER / 2) {
            uint32_t xi = (uint32_t)gen_below(&w->rng, w->n_exch);
            uint32_t dep = ew_deposit_address(w, xi, w->acct[s].ent);
            if (dep != EW_NONE && ew_send_eth(w, s, dep, b - b / 50)) {
                ew_deposit_received(w, dep);
                done = true;
            }
        }
    } else if (r < 980) {
        /* new issuance to an exchange */
        int t = 1 + (int)gen_below(&w->rng, 3);
        uint32_t is = w->issuer[t - 1];
        uint32_t hot = w->exch[gen_below(&w->rng, w->n_exch)].hot[0];
        u128 v = (u128)(1000000 * (1 + gen_below(&w->rng, 20))) * unit(w, t);
        if (can_pay(w, is, 0, 60000)) {
            ew_tx_begin(w, is, w->tok[t], 0, 52000 + gen_below(&w->rng, 8000), true);
            put_wu(put_waddr(put_sel(ew_tx_input(w, 68), w->sel_mint), w, hot), v);
            ew_erc20_transfer(w, t, w->zero, hot, v);
            ew_tx_end(w);
            done = true;
        }
    } else {
        /* an exchange moves ETH between its hot wallets, or refills its gas station */
        ew_exch *x = &w->exch[gen_below(&w->rng, w->n_exch)];
        uint32_t a = x->hot[gen_below(&w->rng, x->n_hot)];
        uint32_t b =
            w->bal[0][x->gas] < 500 * EW_ETHER ? x->gas : x->hot[gen_below(&w->rng, x->n_hot)];
        if (a != b && w->bal[0][a] > 2000 * EW_ETHER)
            done = ew_send_eth(w, a, b, nice_amount(w, 100 * EW_ETHER, 1000 * EW_ETHER));
    }
    if (!done && !w->err) {
        /* fall back on what always works: an exchange withdrawal */
        if (!exch_withdraw(w, u, gen_chance(&w->rng, 0.3)) && !w->err) {
            ew_exch *x = &w->exch[gen_below(&w->rng, w->n_exch)];
            uint32_t hot = x->hot[0];
            ew_send_eth(w, hot, user_acct(w, u), EW_ETHER / 10);
        }
    }
}
