#!/usr/bin/python3
"""An eighth EVM world (stop 23, evmalt6): the Bybit heist (February 2025) as public reports
describe it, scaled down, among honest look-alikes. Written from issues 13-15, docs/GEN.md's truth
layout and the evaluators only, before reading chainwatch's trace, screening or policy code.

The heist. An exchange's cold wallet is a Safe-like proxy. Its signers are tricked into signing an
`execTransaction` whose operation is a delegatecall to the attacker's trojan contract, which
overwrites the proxy's implementation slot with a backdoor; the attacker then calls the backdoor's
`sweepETH` and `sweepERC20` on the proxy (delegatecalls: the proxy itself pays) and drains the ETH
and two staked-ETH tokens: stETHx (rebasing: balances grow at each oracle report with no Transfer)
and mETHx (plain ERC-20). The ETH goes into 40-50 addresses of exactly 10 ETH each (Bybit's 10,000
ETH scaled by 1/1000: half by plain transfers, half through a Disperse-style batch sender); the
tokens move to a second address that sells them to ETH (a Curve-like stETHx/ETH pool and an
aggregator over a V2 mETHx/WETH pair; MEV bots sandwich some of these sales) and splits the ETH
into more 10-ETH addresses. Each then waits and hops (all but the fee to a fresh address, a
"day" = blocks/12 apart: 1-2 "days" each hop; a fifth split in two), then leaves: THORChain-like
router deposits with `=:BTC.BTC:bc1...` memos (most), an instant no-KYC exchange (a fresh order
address per order, swept to the service's hot wallet; the payout is on Bitcoin, elsewhere), a
Tornado-like mixer (1-ETH notes withdrawn by a relayer to fresh addresses that go to THORChain), an
L2 canonical bridge (to a fresh L2 address), or nothing (idle at the tip); some stETHx stays unsold.

Honest look-alikes: exchange hot wallets batching withdrawals through the same batch sender; an
equal-amount airdrop (exactly 10 ETH to 40-50 addresses, through the same batch sender, near the
heist) and equal-amount token rewards; market makers and MEV bots trading the same pools (the bots
sandwich the thief's sales: their back-run buys the stETHx the thief sold); honest users of the
same router, vault, mixer and bridge in the same blocks as the thief; honest users paid by contracts
and services the thief also used (the aggregator, the vault's outbound payouts, the mixer, the
instant exchange's hot wallet after it swept the thief's orders); honest users later sent ETH dust,
zero-value `transferFrom`s and a fake stETHx's Transfers by the thief's addresses (address
poisoning); honest stETHx holders whose balances change at every rebase.

usage: evm_alt6_world.py --out DIR [--seed S] [--txs N] [--btc-to A,..] [--genesis-ts T]
Writes ethereum-etl CSVs (one file per kind, CRLF as Python's csv writes them) and DIR/truth in
docs/GEN.md's EVM layout, plus lock_bridge.csv (the L2 bridge's deposits), instant_orders.csv (every
order at the instant exchange: the thief's with their off-chain Bitcoin payout), rebasing.csv,
rebases.csv, idle.csv (the thief's holdings at the tip, per address; the attacker's own gas, an
exchange withdrawal, left out) and honest_exposed.csv (`address,kind,tx_hash,via`: every honest
account a look-alike shape touched, and how). Kinds: attacker_batch_co_payee (in the exchange batch
that paid the attacker its gas), hot_wallet_batch_payee, airdrop_equal_payee (exactly 10 ETH),
airdrop_equal_token_payee, mev_sandwich (bot owner and contract), market_maker_same_pool,
pool_buyer_after_thief, router_payee, thor_payee, thor_same_block, l2_payee, l2_same_block,
mixer_recipient, mixer_same_block, privacy_user_notes / privacy_user_to_thorchain (an honest user
mixing several notes from one address, withdrawn to fresh addresses that each go to THORChain: the
thief's shape), instant_payee (paid by the instant exchange's hot wallet after it swept a thief's
order), instant_same_block, poison_dust, poison_zero_value, poison_fake_token, rebasing_holder.
Blocks: about 14 txs a 12-s block, N/14 blocks (at least 400) plus up to 40 % while the laundering
finishes; genesis traces fund the accounts; EIP-1559 fees (88 % type 2).
"""
import argparse, csv, json, os, random, sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evm_alt5_world import (World as Base, Abort, topic, sel, w32, a32, ta, rlp_create,  # noqa: E402
                            T_TRANSFER, T_THOR, T_ETHDEP, T_ETHWD, T_SUBMITTED, ZERO, WETH, E18, GWEI)
from evm_alt3_world import bech32  # noqa: E402

T_APPROVAL = topic("Approval(address,address,uint256)")
T_EXEC_OK = topic("ExecutionSuccess(bytes32,uint256)")
T_CHANGED_MASTER = topic("ChangedMasterCopy(address)")
T_CURVE = topic("TokenExchange(address,int128,uint256,int128,uint256)")
T_V2SWAP = topic("Swap(address,uint256,uint256,uint256,uint256,address)")
T_SYNC = topic("Sync(uint112,uint112)")
T_MIX_DEP = topic("Deposit(bytes32,uint32,uint256)")
T_MIX_WD = topic("Withdrawal(address,bytes32,address,uint256)")
T_TRANSFER_OUT = topic("TransferOut(address,address,address,uint256,string)")
S_EXEC = sel("execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)")
S_XFER = sel("transfer(address,uint256)")
S_XFERFROM = sel("transferFrom(address,address,uint256)")
S_DISP_ETH = sel("disperseEther(address[],uint256[])")
S_DISP_TOK = sel("disperseToken(address,address[],uint256[])")
S_THOR = sel("depositWithExpiry(address,address,uint256,string,uint256)")
MEMO_SHAPES = ["=:BTC.BTC:%s", "=:BTC.BTC:%s", "=:BTC.BTC:%s:0/1/0", "=:b:%s", "SWAP:BTC.BTC:%s"]


def arr_enc(xs, addr=True):
    return w32(len(xs)) + "".join(a32(x) if addr else w32(x) for x in xs)


def memo_data(memo):
    m = memo.encode()
    return w32(len(m)) + m.hex().ljust(((len(m) + 31) // 32) * 64, "0")


class World(Base):
    def __init__(self, a):
        super().__init__(a)
        self.rng = random.Random(a.seed * 7919 + 23)
        r = self.rng
        self.btc = [x for x in a.btc_to.split(",") if x] or \
            [bech32("bc", bytes(r.getrandbits(8) for _ in range(20))) for _ in range(12)]
        self.drains = {"h1": []}
        self.orders, self.mix_rows, self.rebases = [], [], []
        self.att = None
        self.thief_swaps, self.thief_first = [], {}
        self.pending_notes = []

    # ---- set-up
    def mint(self, t, to, v):
        return self.send(self.deployer, t, 0, sel("mint(address,uint256)"), lambda tx: tx.transfer(t, ZERO, to, v),
                         gas=60000)

    def stake(self, who, amt, tx_to=None):
        return self.send(who, self.stk, amt, sel("submit(address)"),
                         lambda tx: (tx.transfer(self.stk, ZERO, who, amt),
                                     tx.log(self.stk, [T_SUBMITTED, ta(who)], "0x" + w32(amt) + a32(ZERO))), gas=80000)

    def setup(self):
        r = self.rng
        self.miners = [self.new("fee_recipient", self.entity("b%d" % i, "builder %d" % i, "fee_recipient"))
                       for i in range(4)]
        dep = self.new("deployer", self.entity("dep", "deployer", "deployer"))
        self.deployer = dep
        alloc = [(dep, 10 ** 6 * E18)]
        self.eth[dep] = 10 ** 6 * E18
        self.users = [self.new("user", self.entity("u%d" % i, "user %d" % i, "user")) for i in range(380)]
        for u in self.users:
            v = int(r.lognormvariate(1.3, 1.3) * E18) + E18 // 5
            alloc.append((u, v))
            self.eth[u] += v
        self.rows["blocks"].append([0, self.h32(), self.parent, "0x0000000000000000",
                                    "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
                                    "0x" + "00" * 256, "", "", "", ZERO, 0, "", 540, "0x", 30000000, 0, self.t, 0,
                                    "", "", ""])
        self.parent = self.rows["blocks"][-1][1]
        for a, v in alloc:
            self.rows["traces"].append([0, "", "", "", a, v, "", "", "genesis", "", "", "", "", 0, "", "", 1,
                                        "genesis_" + a])
        self.open_block()
        mk = lambda cat, ent=("", ""), who=dep: self.put(self.send(who, None, create=True, gas=900000)["tx"].to, cat,
                                                         ent, "contract")
        lido = self.entity("lido", "stETHx protocol", "staking_protocol")
        mnt = self.entity("mnt", "mETHx protocol", "staking_protocol")
        self.stk = mk("token", lido)
        self.meth = mk("token", mnt)
        self.usdt = mk("token", self.entity("tether", "USDT issuer", "stablecoin_issuer"))
        self.put(WETH, "weth", ("weth", "WETH9"), "contract")
        self.tokens = {self.stk: ("stETHx", "Liquid staked Ether (x)", 18), self.meth: ("mETHx", "Mantle-like staked Ether", 18),
                       self.usdt: ("USDT", "Tether USD", 6), WETH: ("WETH", "Wrapped Ether", 18)}
        self.dec = {t: v[2] for t, v in self.tokens.items()}
        self.stk_oracle = self.new("oracle", self.entity("orc", "stETHx oracle", "oracle"))
        self.mnt_treasury = self.new("staking_protocol", mnt)
        dexe = self.entity("dex", "DEX protocols", "dex")
        self.curve = mk("dex_pair", dexe)      # stETHx/ETH, Curve-like, native ETH
        self.pair = mk("dex_pair", dexe)       # mETHx/WETH, Uniswap-V2-like
        self.pair_usdt = mk("dex_pair", dexe)  # USDT/WETH, Uniswap-V2-like
        self.router = mk("dex_router", self.entity("agg", "aggregator (1inch-like)", "dex"))
        self.disperse = mk("batch_sender", self.entity("disp", "Disperse-like", "batch_sender"))
        self.thor = mk("bridge_router", self.entity("thor", "THORChain", "bridge"))
        self.thor_vault = self.new("bridge_vault", ("thor", "THORChain"))
        self.l2b = mk("bridge_vault", self.entity("l2b", "L2 canonical bridge", "bridge"))
        mixe = self.entity("mix", "Tornado-like", "mixer")
        self.mix = {1: mk("mixer_pool", mixe), 10: mk("mixer_pool", mixe)}
        self.relayers = [self.new("mixer_relayer", self.entity("rel%d" % i, "relayer %d" % i, "mixer_relayer"))
                         for i in range(2)]
        self.safe_master = mk("safe_singleton", self.entity("safe", "Safe singleton", "wallet_software"))
        for a in self.relayers + [self.stk_oracle]:
            self.send(dep, a, 30 * E18)
        self.send(dep, self.thor_vault, 3000 * E18)  # the vault's float for outbound payouts
        self.send(dep, self.l2b, 3000 * E18)  # the bridge's float: deposits of earlier years
        # pools
        self.send(dep, self.curve, 20000 * E18)
        self.stake(dep, 20000 * E18)
        self.send(dep, self.stk, 0, S_XFER, lambda tx: tx.transfer(self.stk, dep, self.curve, 20000 * E18), gas=60000)
        for p, t, amt_t in ((self.pair, self.meth, 9000 * E18), (self.pair_usdt, self.usdt, 25 * 10 ** 6 * 10 ** 6)):
            d = 10000 * E18
            self.send(dep, WETH, d, sel("deposit()"), lambda tx: (tx.dt.__setitem__((WETH, dep), tx.dt[(WETH, dep)] + d),
                                                                  tx.log(WETH, [topic("Deposit(address,uint256)"), ta(dep)],
                                                                         "0x" + w32(d))))
            self.send(dep, WETH, 0, S_XFER, lambda tx: tx.transfer(WETH, dep, p, d), gas=50000)
            self.mint(t, p, amt_t)
        # exchanges: hot wallets (EOAs), EOA deposit addresses swept later; the victim's cold wallet
        self.cex = []
        for i, name in enumerate(("Bybyte", "Krakon", "OKEx-ish")):
            ent = self.entity("cex%d" % i, name, "exchange")
            hot = self.new("exchange", ent, exchange=name)
            self.send(dep, hot, 20000 * E18)
            self.stake(dep, 400 * E18)
            self.send(dep, self.stk, 0, S_XFER, lambda tx: tx.transfer(self.stk, dep, hot, 400 * E18), gas=60000)
            self.mint(self.meth, hot, 300 * E18)
            self.mint(self.usdt, hot, 5 * 10 ** 6 * 10 ** 6)
            self.cex.append(dict(name=name, ent=ent, hot=hot, deps={}))
        v = self.cex[0]
        self.signers = [self.new("exchange_signer", v["ent"], exchange=v["name"]) for _ in range(3)]
        for s in self.signers:
            self.send(dep, s, 5 * E18)
        self.cold = self.put(self.send(self.signers[0], None, create=True, gas=400000)["tx"].to, "exchange_cold_wallet",
                             v["ent"], "contract", exchange=v["name"])
        self.has_code.add(self.cold)
        self.send(dep, self.cold, r.randint(401, 449) * E18 + r.randrange(E18))
        self.stake(dep, r.randint(85, 95) * E18)
        self.send(dep, self.stk, 0, S_XFER, lambda tx: tx.transfer(self.stk, dep, self.cold, self.rb[dep]), gas=60000)
        self.mint(self.meth, self.cold, r.randint(12, 25) * E18)
        # market makers and MEV bots (an owner EOA and its contract)
        self.mms = [self.new("market_maker", self.entity("mm%d" % i, "market maker %d" % i, "market_maker"))
                    for i in range(2)]
        for m in self.mms:
            self.send(dep, m, 3000 * E18)
            self.stake(dep, 1500 * E18)
            self.send(dep, self.stk, 0, S_XFER, lambda tx: tx.transfer(self.stk, dep, m, 1500 * E18), gas=60000)
            self.mint(self.meth, m, 800 * E18)
        self.bots = []
        for i in range(2):
            ent = self.entity("mev%d" % i, "MEV searcher %d" % i, "mev_bot")
            own = self.new("mev_bot", ent)
            self.send(dep, own, 600 * E18)
            c = self.put(self.send(own, None, create=True, gas=700000)["tx"].to, "mev_bot_contract", ent, "contract")
            self.has_code.add(c)
            self.send(own, c, 400 * E18)
            self.stake(dep, 300 * E18)
            self.send(dep, self.stk, 0, S_XFER, lambda tx: tx.transfer(self.stk, dep, c, 300 * E18), gas=60000)
            self.mint(self.meth, c, 200 * E18)
            self.bots.append(dict(owner=own, c=c))
        # the airdrop project and the instant exchange
        self.proj = self.new("airdrop_distributor", self.entity("proj", "grant programme", "airdrop_distributor"))
        self.send(dep, self.proj, 2000 * E18)
        self.mint(self.meth, self.proj, 500 * E18)
        ie = self.entity("exch", "eXchange (instant, no KYC)", "instant_exchange")
        self.ie_ent = ie
        self.ie_hot = self.new("instant_exchange", ie)
        self.send(dep, self.ie_hot, 800 * E18)
        # users' starting tokens
        for u in self.users:
            if r.random() < 0.35:
                self.stake(u, min(self.eth[u] // 3, int(r.lognormvariate(0, 1.2) * E18)))
            if r.random() < 0.2:
                self.mint(self.meth, u, int(r.lognormvariate(0, 1.2) * E18))
            if r.random() < 0.3:
                self.mint(self.usdt, u, int(r.lognormvariate(7, 1.3) * 10 ** 6))
        self.close_block()

    # ---- pools (reserves are the ledger's, read through the tx's overlay)
    def curve_swap(self, tx, parent, who, eth_in, ain, to):
        """stETHx/ETH: eth_in: ETH in, stETHx out to `to`; else stETHx from `who`, ETH to `to`."""
        C, A = self.curve, 40
        re, rs = tx.eb(C), tx.rb(C)
        rin, rout = (re, rs) if eth_in else (rs, re)
        out = A * rout * ain * 9996 // (A * rin * 10000 + ain * 9996)
        if out <= 0 or out >= rout // 2:
            raise Abort
        n = tx.call(parent, who, C, ain if eth_in else 0, sel("exchange(int128,int128,uint256,uint256)") +
                    w32(0 if eth_in else 1) + w32(1 if eth_in else 0) + w32(ain) + w32(0))
        if eth_in:
            tx.call(n, C, self.stk, 0, S_XFER)
            tx.transfer(self.stk, C, to, out)
        else:
            tx.call(n, C, self.stk, 0, S_XFERFROM)
            tx.transfer(self.stk, who, C, ain)
            tx.call(n, C, to, out)
        tx.log(C, [T_CURVE, ta(who)], "0x" + w32(0 if eth_in else 1) + w32(ain) + w32(1 if eth_in else 0) + w32(out))
        return out

    def v2_swap(self, tx, parent, P, tin, ain, payer, to, caller):
        tok = self.meth if P == self.pair else self.usdt
        tout = WETH if tin == tok else tok
        rin, rout = tx.tb(tin, P), tx.tb(tout, P)
        out = rout * ain * 997 // (rin * 1000 + ain * 997)
        if out <= 0:
            raise Abort
        tx.transfer(tin, payer, P, ain)
        n = tx.call(parent, caller, P, 0, sel("swap(uint256,uint256,address,bytes)"))
        tx.call(n, P, tout, 0, S_XFER)
        tx.transfer(tout, P, to, out)
        t0, t1 = sorted([tok, WETH])
        r0, r1 = tx.tb(t0, P), tx.tb(t1, P)
        tx.log(P, [T_SYNC], "0x" + w32(r0) + w32(r1))
        a0i, a1i = (ain, 0) if tin == t0 else (0, ain)
        a0o, a1o = (out, 0) if tout == t0 else (0, out)
        tx.log(P, [T_V2SWAP, ta(caller), ta(to)], "0x" + w32(a0i) + w32(a1i) + w32(a0o) + w32(a1o))
        return out

    def approve(self, who, t, spender):
        return self.send(who, t, 0, sel("approve(address,uint256)") + a32(spender) + "f" * 64,
                         lambda tx: tx.log(t, [T_APPROVAL, ta(who), ta(spender)], "0x" + "f" * 64), gas=46000)

    def agg_sell(self, who, t, amt, recipient=None):
        """The aggregator sells `amt` of stETHx (Curve) or mETHx/USDT (V2 pair, WETH unwrapped) for ETH."""
        R, recipient = self.router, recipient or who

        def body(tx):
            tx.transfer(t, who, R, amt)
            if t == self.stk:
                out = self.curve_swap(tx, -1, R, False, amt, R)
            else:
                out = self.v2_swap(tx, -1, self.pair if t == self.meth else self.pair_usdt, t, amt, R, R, R)
                tx.unwrap(-1, R, out)
            tx.call(-1, R, recipient, out)
            tx.out = out
        return self.send(who, R, 0, sel("swap(address,(address,address,address,address,uint256,uint256,uint256),bytes,bytes)")
                         + a32(R) + a32(t) + a32(ZERO) + a32(R) + a32(recipient) + w32(amt) + w32(1) + w32(0), body)

    def agg_buy(self, who, t, v):
        R = self.router

        def body(tx):
            if t == self.stk:
                out = self.curve_swap(tx, -1, R, True, v, who)
            else:
                tx.wrap(-1, R, v)
                out = self.v2_swap(tx, -1, self.pair if t == self.meth else self.pair_usdt, WETH, v, R, who, R)
            tx.out = out
        return self.send(who, R, v, sel("swap(address,(address,address,address,address,uint256,uint256,uint256),bytes,bytes)")
                         + a32(R) + a32(ZERO) + a32(t) + a32(R) + a32(who) + w32(v) + w32(1) + w32(0), body)

    def curve_direct(self, who, eth_in, amt):
        def body(tx):
            tx.out = self.curve_swap(tx, -1, who, eth_in, amt, who)
        return self.send(who, self.curve, amt if eth_in else 0, sel("exchange(int128,int128,uint256,uint256)") +
                         w32(0 if eth_in else 1) + w32(1 if eth_in else 0) + w32(amt) + w32(0), body)

    def bot_trade(self, b, t, sell, amt, bribe=0):
        """The bot's owner calls its contract, which trades on the pool of `t` (sell: token for ETH or
        WETH; buy: ETH, or WETH it holds, for the token) and may tip the block's builder."""
        c = b["c"]

        def body(tx):
            if t == self.stk:
                out = self.curve_swap(tx, -1, c, not sell, amt, c)
            elif sell:
                out = self.v2_swap(tx, -1, self.pair, self.meth, amt, c, c, c)
            else:
                short = amt - tx.tb(WETH, c)
                if short > 0:
                    tx.wrap(-1, c, short)
                out = self.v2_swap(tx, -1, self.pair, WETH, amt, c, c, c)
            if bribe:
                tx.call(-1, c, self.block["miner"], bribe)
            tx.out = out
        return self.send(b["owner"], c, 0, "0x" + "%08x" % self.rng.getrandbits(32) + w32(amt), body)

    # ---- exchanges
    def dep_addr(self, ci, cust):
        c = self.cex[ci]
        if cust not in c["deps"]:
            c["deps"][cust] = self.new("exchange_deposit", c["ent"], customer=cust, exchange=c["name"])
        return c["deps"][cust]

    def sweep(self, ci, a):
        c, r = self.cex[ci], self.rng
        hot = c["hot"]
        for t in (self.stk, self.meth, self.usdt, WETH):
            bal = self.rb[a] if t == self.stk else self.tok[(t, a)]
            if bal > 0:
                need = 60000 * (self.base + 2 * GWEI)
                if self.eth[a] < need:
                    self.send(hot, a, need + (E18 // 200 if r.random() < 0.3 else 0))
                self.send(a, t, 0, S_XFER, lambda tx: tx.transfer(t, a, hot, bal), gas=60000)
        if self.eth[a] > E18 // 100:
            self.send(a, hot, lambda fee: self.eth[a] - fee, ttype=2)

    def sweep_later(self, ci, a):
        self.sweep(ci, a)
        yield 1

    def ci_of(self, d):
        return [c["name"] for c in self.cex].index(self.meta[d]["exchange"])

    def batch_withdraw(self, ci, payees, amounts, t=None, kind="hot_wallet_batch_payee"):
        c = self.cex[ci]
        res = self.disperse_pay(c["hot"], payees, amounts, t)
        if res and self.heist_started:
            for p in payees:
                self.expose(p, kind, res["hash"], c["name"])
        return res

    def disperse_pay(self, frm, payees, amounts, t=None):
        D = self.disperse
        if t is None:
            def body(tx):
                for p, v in zip(payees, amounts):
                    tx.call(-1, D, p, v)
            return self.send(frm, D, sum(amounts), S_DISP_ETH + w32(64) + w32(96 + 32 * len(payees)) +
                             arr_enc(payees) + arr_enc(amounts, False), body)

        def body(tx):
            tx.transfer(t, frm, D, sum(amounts))
            for p, v in zip(payees, amounts):
                tx.transfer(t, D, p, v)
        return self.send(frm, D, 0, S_DISP_TOK + a32(t) + w32(96) + w32(128 + 32 * len(payees)) +
                         arr_enc(payees) + arr_enc(amounts, False), body)

    # ---- bridges, mixer, instant exchange
    def thor_deposit(self, frm, amt, btc, heist, shape=None):
        r = self.rng
        memo = (shape or r.choice(MEMO_SHAPES)) % btc
        data = "0x" + w32(amt) + w32(64) + memo_data(memo)
        inp = S_THOR + a32(self.thor_vault) + a32(ZERO) + w32(amt) + w32(160) + w32(self.t + 900) + memo_data(memo)
        res = self.send(frm, self.thor, amt, inp,
                        lambda tx: (tx.call(-1, self.thor, self.thor_vault, amt),
                                    tx.log(self.thor, [T_THOR, ta(self.thor_vault), ta(ZERO)], data)), gas=70000)
        if res:
            self.bridge_rows.append([heist, res["hash"], res["block"], res["ts"], frm, "ETH", amt, memo, btc, "router"])
        return res

    def thor_payout(self, u, amt):
        memo = "OUT:" + self.h32()[2:].upper()
        data = "0x" + a32(ZERO) + w32(amt) + w32(96) + memo_data(memo)
        return self.send(self.thor_vault, self.thor, amt, sel("transferOut(address,address,uint256,string)") + a32(u) +
                         a32(ZERO) + w32(amt) + w32(128) + memo_data(memo),
                         lambda tx: (tx.call(-1, self.thor, u, amt),
                                     tx.log(self.thor, [T_TRANSFER_OUT, ta(self.thor_vault), ta(u)], data)), gas=60000)

    def l2_deposit(self, frm, amt, to, heist):
        res = self.send(frm, self.l2b, amt, sel("depositETHTo(address,uint32,bytes)") + a32(to) + w32(200000) + w32(96) + w32(0),
                        lambda tx: tx.log(self.l2b, [T_ETHDEP, ta(frm), ta(to)], "0x" + w32(amt) + w32(64) + w32(0)),
                        gas=65000)
        if res:
            self.lock_rows.append(["ethereum", "deposit", res["hash"], res["block"], res["ts"], frm, to, "ETH", amt,
                                   heist, ""])
        return res

    def mixer_deposit(self, frm, d, heist):
        P = self.mix[d]
        cm = self.h32()
        leaf = self.mix_leaves[d]
        res = self.send(frm, P, d * E18, sel("deposit(bytes32)") + cm[2:],
                        lambda tx: tx.log(P, [T_MIX_DEP, cm], "0x" + w32(leaf) + w32(self.t)), gas=900000)
        if res:
            self.mix_leaves[d] += 1
            return dict(d=d, tx=res["hash"], block=res["block"], frm=frm, heist=heist, res=res)
        return None

    def mixer_withdraw(self, note, to, relayer=True):
        r, d = self.rng, note["d"]
        P = self.mix[d]
        rel = r.choice(self.relayers) if relayer else to
        fee = d * E18 * r.randint(20, 50) // 10000 if relayer else 0
        nh = self.h32()

        def body(tx):
            tx.call(-1, P, to, d * E18 - fee)
            if fee:
                tx.call(-1, P, rel, fee)
            tx.log(P, [T_MIX_WD, ta(to), nh, ta(rel)], "0x" + w32(fee))
        res = self.send(rel, P, 0, sel("withdraw(address,bytes,bytes32,bytes32,address,address,uint256,uint256)") +
                        a32(to) + w32(256) + nh[2:] + nh[2:] + a32(to) + a32(rel if relayer else ZERO) + w32(fee) + w32(0),
                        body, gas=350000)
        if res:
            self.mix_rows.append([P, d * E18, note["tx"], note["block"], note["frm"], res["hash"], res["block"], to,
                                  rel if relayer else "", fee, note["heist"]])
        return res

    def ie_order(self, frm, amt, heist, btc):
        o = self.new("instant_exchange_deposit", self.ie_ent)
        res = self.send(frm, o, amt) if amt else self.send(frm, o, lambda fee: self.eth[frm] - fee, ttype=2)
        if res:
            self.orders.append([heist, res["hash"], res["block"], res["ts"], o, frm, "ETH", res["value"], "BTC", btc])
            self.spawn(self.ie_sweep(o), self.rng.randint(3, 30))
        return res

    def ie_sweep(self, o):
        self.send(o, self.ie_hot, lambda fee: self.eth[o] - fee if self.eth[o] > fee else None, ttype=2)
        self.ie_swept_thief |= any(x[4] == o and x[0] for x in self.orders)
        yield 1

    # ---- honest life
    def some_user(self, rich=0):
        for _ in range(30):
            u = self.rng.choice(self.users)
            if self.eth[u] > rich + E18 // 50:
                return u
        return self.users[0]

    def same_block(self, kind, frm_thief_tx):
        """An honest user of the same service in the same block as the thief (20-60 % of the time)."""
        r = self.rng
        if r.random() > 0.6:
            return
        u = self.some_user(rich=E18 // 2)
        amt = max(E18 // 100, min(self.eth[u] // 3, int(r.lognormvariate(-0.5, 1.2) * E18)))
        if kind == "thor":
            res = self.thor_deposit(u, amt, bech32("bc", bytes(r.getrandbits(8) for _ in range(20))), "")
            k = "thor_same_block"
        elif kind == "l2":
            res = self.l2_deposit(u, amt, u, "")
            k = "l2_same_block"
        elif kind == "ie":
            res = self.ie_order(u, amt, "", bech32("bc", bytes(r.getrandbits(8) for _ in range(20))))
            k = "instant_same_block"
        else:
            if self.eth[u] < 1.2 * E18:
                return
            n = self.mixer_deposit(u, 1, "")
            res = n and n["res"]
            if n:
                self.honest_notes.append((n, u))
            k = "mixer_same_block"
        if res:
            self.expose(u, k, res["hash"], frm_thief_tx)

    def honest(self):
        r = self.rng
        x = r.random()
        u = self.some_user()
        v = lambda: max(E18 // 1000, min(self.eth[u] // 3, int(r.lognormvariate(-1.5, 1.5) * E18)))
        after = self.heist_started
        if x < 0.26:
            self.send(u, r.choice(self.users), v())
        elif x < 0.33:
            t = r.choice([self.usdt, self.meth])
            bal = self.tok[(t, u)]
            if bal <= 0:
                return self.send(u, r.choice(self.users), v())
            fail = r.random() < 0.015
            amt = bal + 1 if fail else bal // r.randint(2, 6)
            self.send(u, t, 0, S_XFER, lambda tx: tx.transfer(t, u, r.choice(self.users), amt), fail=fail, gas=55000)
        elif x < 0.37:  # stETHx: stake, or spend (gains included: more than the Transfers gave)
            if self.rb[u] > 0 and r.random() < 0.6:
                amt = self.rb[u] if r.random() < 0.5 else self.rb[u] // 2
                to = r.choice(self.users)
                res = self.send(u, self.stk, 0, S_XFER, lambda tx: tx.transfer(self.stk, u, to, amt), gas=62000)
            else:
                self.stake(u, v())
        elif x < 0.47:  # exchange deposits
            ci = r.randrange(3)
            d = self.dep_addr(ci, self.meta[u]["entity_id"])
            if r.random() < 0.75 or (self.rb[u] <= 0 and self.tok[(self.meth, u)] <= 0):
                res = self.send(u, d, v())
            else:
                t = self.stk if self.rb[u] > 0 else self.meth
                amt = (self.rb[u] if t == self.stk else self.tok[(t, u)]) // 2
                res = self.send(u, t, 0, S_XFER, lambda tx: tx.transfer(t, u, d, amt), gas=60000)
            if res:
                self.spawn(self.sweep_later(ci, d), r.randint(5, 60))
        elif x < 0.53:  # exchange withdrawals: single, or batched through the batch sender
            ci = r.randrange(3)
            c = self.cex[ci]
            if r.random() < 0.4:
                self.send(c["hot"], u, int(r.lognormvariate(-0.5, 1.3) * E18))
            else:
                payees = r.sample(self.users, r.randint(5, 18))
                if r.random() < 0.75:
                    self.batch_withdraw(ci, payees, [int(r.lognormvariate(-0.3, 1.2) * E18) for _ in payees])
                else:
                    t = r.choice([self.stk, self.meth])
                    self.batch_withdraw(ci, payees, [int(r.lognormvariate(-1, 1) * E18) for _ in payees], t)
        elif x < 0.60:  # the aggregator, both ways
            t = r.choice([self.stk, self.meth, self.usdt])
            bal = self.rb[u] if t == self.stk else self.tok[(t, u)]
            if bal > 0 and r.random() < 0.5:
                res = self.agg_sell(u, t, bal // 2)
                if res and after:
                    self.expose(u, "router_payee", res["hash"], "aggregator")
            else:
                res = self.agg_buy(u, t, v())
                if res and self.thief_swaps and t != self.usdt:  # the pool holds what the thief sold
                    self.expose(u, "pool_buyer_after_thief", res["hash"], "aggregator")
        elif x < 0.63:  # market makers on the same pools
            m = r.choice(self.mms)
            if r.random() < 0.5:
                self.curve_direct(m, r.random() < 0.5, r.randint(5, 80) * E18)
            else:
                (self.agg_sell if r.random() < 0.5 else lambda who, t, a: self.agg_buy(who, t, a))(
                    m, self.meth, r.randint(2, 30) * E18)
        elif x < 0.66:  # THORChain: honest deposits and the vault's outbound payouts
            if r.random() < 0.55:
                self.thor_deposit(u, v(), bech32("bc", bytes(r.getrandbits(8) for _ in range(20))), "")
            else:
                res = self.thor_payout(u, int(r.lognormvariate(-0.5, 1.2) * E18))
                if res and after:
                    self.expose(u, "thor_payee", res["hash"], "THORChain vault")
        elif x < 0.69:  # the L2 bridge: deposits and finalised withdrawals
            if r.random() < 0.6:
                self.l2_deposit(u, v(), u if r.random() < 0.7 else r.choice(self.users), "")
            else:
                amt = min(int(r.lognormvariate(-0.5, 1.2) * E18), self.eth[self.l2b] // 30)
                res = self.send(u, self.l2b, 0, sel("finalizeETHWithdrawal(address,address,uint256,bytes)"),
                                lambda tx: (tx.call(-1, self.l2b, u, amt),
                                            tx.log(self.l2b, [T_ETHWD, ta(u), ta(u)], "0x" + w32(amt) + w32(64) + w32(0))),
                                gas=80000)
                if res and after:
                    self.expose(u, "l2_payee", res["hash"], "L2 bridge")
        elif x < 0.72:  # the mixer: honest notes, withdrawn later to a fresh or own address
            if self.eth[u] > 1.5 * E18 and r.random() < 0.6:
                d = 10 if self.eth[u] > 12 * E18 and r.random() < 0.3 else 1
                n = self.mixer_deposit(u, d, "")
                if n:
                    self.honest_notes.append((n, u))
            elif self.honest_notes:
                n, owner = self.honest_notes.pop(r.randrange(len(self.honest_notes)))
                to = r.choice([owner, self.new("user", (self.meta[owner]["entity_id"], self.meta[owner]["entity_name"]))])
                res = self.mixer_withdraw(n, to, relayer=r.random() < 0.7 or to != owner)
                if res and after:
                    self.expose(to, "mixer_recipient", res["hash"], "mixer")
        elif x < 0.75:  # the instant exchange: honest orders and payouts (from its hot wallet)
            if r.random() < 0.5:
                self.ie_order(u, v(), "", bech32("bc", bytes(r.getrandbits(8) for _ in range(20))))
            else:
                res = self.send(self.ie_hot, u, int(r.lognormvariate(-0.5, 1.2) * E18))
                if res and self.ie_swept_thief:
                    self.expose(u, "instant_payee", res["hash"], "instant exchange hot wallet")
        elif x < 0.77 and self.heist_started:  # MEV bots' own arbitrage (no victim)
            b = r.choice(self.bots)
            self.bot_trade(b, r.choice([self.stk, self.meth]), r.random() < 0.5, r.randint(1, 10) * E18)
        else:
            self.send(u, r.choice(self.users), v())

    def airdrop(self, amount, n, t=None, kind="airdrop_equal_payee"):
        r = self.rng
        payees = r.sample(self.users, n)
        for i in range(0, n, 25):
            res = self.disperse_pay(self.proj, payees[i:i + 25], [amount] * len(payees[i:i + 25]), t)
            if res:
                for p in payees[i:i + 25]:
                    self.expose(p, kind, res["hash"], "grant programme")
            yield r.randint(1, 4)

    def privacy_user(self):
        """An honest user deposits 3-9 1-ETH notes from one address (in the thief's blocks when it
        mixes), withdraws each by a relayer to a fresh address of its own, and each sends it on to
        THORChain (its own Bitcoin address): the thief's shape, with the user's own money."""
        r = self.rng
        u = self.some_user(rich=10 * E18)
        if self.eth[u] < 4 * E18:
            return
        notes = []
        for _ in range(min(r.randint(3, 9), int(self.eth[u] // E18) - 1)):
            n = self.mixer_deposit(u, 1, "")
            if n:
                notes.append(n)
                self.expose(u, "privacy_user_notes", n["tx"], "mixer")
            yield r.randint(1, 6)
        yield r.randint(self.DAY // 2, 2 * self.DAY)
        btc = bech32("bc", bytes(r.getrandbits(8) for _ in range(20)))
        for n in notes:
            to = self.new("user", (self.meta[u]["entity_id"], self.meta[u]["entity_name"]))
            res = self.mixer_withdraw(n, to, relayer=True)
            if res:
                self.expose(to, "privacy_user_to_thorchain", res["hash"], "mixer")
                self.spawn(self.privacy_exit(to, btc), r.randint(10, 200))
            yield r.randint(2, 30)

    def privacy_exit(self, to, btc):
        amt = self.eth[to] - E18 // 100
        if amt > 0:
            self.thor_deposit(to, amt, btc, "")
        yield 1

    # ---- the heist
    def heist(self):
        r, H = self.rng, "h1"
        att = self.thief()
        c1 = self.cex[1]
        # gas: in one of the exchange's batched withdrawals, beside honest customers (not stolen)
        co = r.sample(self.users, r.randint(6, 14))
        payees = co[:len(co) // 2] + [att] + co[len(co) // 2:]
        amts = [int(r.lognormvariate(-0.3, 1.2) * E18) for _ in payees]
        amts[len(co) // 2] = E18 + r.randrange(E18)
        res = self.disperse_pay(c1["hot"], payees, amts)
        self.flow(H, res, "gas_not_stolen", c1["hot"], att, "ETH", amts[len(co) // 2])
        for p in co:
            self.expose(p, "attacker_batch_co_payee", res["hash"], c1["name"])
        self.att = att
        yield r.randint(20, 60)
        trojan = self.put(self.send(att, None, create=True, gas=300000)["tx"].to, "thief", ("thief_h1", "thief of h1"), "contract")
        backdoor = self.put(self.send(att, None, create=True, gas=500000)["tx"].to, "thief", ("thief_h1", "thief of h1"), "contract")
        self.has_code.update([trojan, backdoor])
        yield r.randint(30, 90)
        C = self.cold
        sig = "%0390x" % r.getrandbits(1560)

        def trojan_body(tx):
            n = tx.call(-1, C, self.safe_master, 0, S_EXEC, ct="delegatecall")
            tx.call(n, C, trojan, 0, S_XFER + a32(backdoor) + w32(0), ct="delegatecall")
            tx.log(C, [T_CHANGED_MASTER], "0x" + a32(backdoor))
            tx.log(C, [T_EXEC_OK], "0x" + self.h32()[2:] + w32(0))
        res = self.send(att, C, 0, S_EXEC + a32(trojan) + w32(0) + w32(320) + w32(1) + w32(45746) + w32(0) * 2 +
                        a32(ZERO) * 2 + w32(416) + w32(68) + (S_XFER[2:] + a32(backdoor) + w32(0)).ljust(128, "0") +
                        w32(195) + sig, trojan_body, gas=120000)
        self.flow(H, res, "takeover", att, C, "ETH", 0)
        self.heist_started = True
        yield r.randint(1, 3)
        t0 = self.thief()  # the drain recipient
        self.t0 = t0
        stolen = {}
        ev = self.eth[C]

        def sweep_eth(tx):
            n = tx.call(-1, C, backdoor, 0, sel("sweepETH(address)") + a32(t0), ct="delegatecall")
            tx.call(n, C, t0, ev)
        res = self.send(att, C, 0, sel("sweepETH(address)") + a32(t0), sweep_eth, gas=60000)
        self.flow(H, res, "drain", C, t0, "ETH", ev)
        self.drains[H].append(res["hash"])
        stolen["ETH"] = ev
        for t in (self.stk, self.meth):
            amt = self.rb[C] if t == self.stk else self.tok[(t, C)]

            def sweep_tok(tx):
                n = tx.call(-1, C, backdoor, 0, sel("sweepERC20(address,address)") + a32(t) + a32(t0), ct="delegatecall")
                tx.call(n, C, t, 0, S_XFER + a32(t0) + w32(amt))
                tx.transfer(t, C, t0, amt)
            res = self.send(att, C, 0, sel("sweepERC20(address,address)") + a32(t) + a32(t0), sweep_tok, gas=90000)
            self.flow(H, res, "drain", C, t0, t, amt)
            self.drains[H].append(res["hash"])
            stolen[t] = amt
        self.stolen = stolen
        yield r.randint(3, 12)
        # the tokens to a second address that sells them
        s1 = self.thief()
        self.send(t0, s1, 2 * E18) and self.flow(H, self.last_res(), "hop", t0, s1, "ETH", 2 * E18)
        for t in (self.stk, self.meth):
            amt = self.rb[t0] if t == self.stk else self.tok[(t, t0)]
            res = self.send(t0, t, 0, S_XFER, lambda tx: tx.transfer(t, t0, s1, amt), gas=62000)
            self.flow(H, res, "hop", t0, s1, t, amt)
        self.spawn(self.seller(H, s1), r.randint(5, 30))
        yield r.randint(2, 10)
        # the ETH into 10-ETH addresses: half plain transfers, half through the batch sender
        n10 = (self.eth[t0] - 2 * E18) // (10 * E18)
        leaves = [self.thief() for _ in range(n10)]
        half = n10 // 2
        for i, lf in enumerate(leaves[:half]):
            res = self.send(t0, lf, 10 * E18)
            self.flow(H, res, "fan_out", t0, lf, "ETH", 10 * E18)
            if i % 5 == 4:
                yield r.randint(1, 3)
        for i in range(half, n10, 10):
            grp = leaves[i:i + 10]
            res = self.disperse_pay(t0, grp, [10 * E18] * len(grp))
            for lf in grp:
                self.flow(H, res, "fan_out", t0, lf, "ETH", 10 * E18)
            yield r.randint(1, 3)
        for i, lf in enumerate(leaves):
            self.spawn(self.leaf(H, lf, i), r.randint(self.DAY // 4, self.DAY))
        self.leaves = leaves

    def last_res(self):
        row = self.rows["transactions"][-1]
        return dict(hash=row[0], block=row[3], ts=row[11], fee=0, ok=True)

    def seller(self, H, s1):
        r = self.rng
        self.approve(s1, self.stk, self.router)
        self.approve(s1, self.meth, self.router)
        self.approve(s1, self.stk, self.curve)
        yield r.randint(1, 5)
        keep = self.rb[s1] * r.randint(8, 14) // 100  # left unsold (it keeps rebasing)
        for t in (self.stk, self.meth):
            while (self.rb[s1] - keep if t == self.stk else self.tok[(t, s1)]) > 0:
                have = self.rb[s1] - keep if t == self.stk else self.tok[(t, s1)]
                amt = min(have, r.randint(4, 12) * E18)
                if have - amt < E18:
                    amt = have
                via = "curve" if t == self.stk and r.random() < 0.5 else "router"
                bot = r.choice(self.bots) if r.random() < 0.6 else None
                front = None
                if bot:  # the front-run sells ahead of the thief; the back-run buys back
                    front = self.bot_trade(bot, t, True, amt * r.randint(3, 8) // 10)
                if via == "curve":
                    res = self.curve_direct(s1, False, amt)
                else:
                    res = self.agg_sell(s1, t, amt)
                if res is None:
                    break
                self.flow(H, res, "swap", s1, self.curve if via == "curve" else self.router, t, amt)
                self.swapped_in += res["tx"].out
                self.thief_swaps.append(res["hash"])
                if bot and front:
                    back_eth = front["tx"].out + front["tx"].out // 200
                    back = self.bot_trade(bot, t, False, back_eth, bribe=back_eth // 500)
                    if back:
                        self.expose(bot["c"], "mev_sandwich", back["hash"], res["hash"])
                        self.expose(bot["owner"], "mev_sandwich", back["hash"], res["hash"])
                        self.spawn(self.bot_profit(bot), r.randint(20, 80))
                if r.random() < 0.5:  # a market maker trades the same pool in the next blocks
                    self.spawn(self.mm_arb(t, res["hash"]), r.randint(1, 4))
                yield r.randint(1, 12)
        # the ETH bought into more 10-ETH addresses; the rest stays with the seller (idle)
        n10 = (self.eth[s1] - E18) // (10 * E18)
        more = [self.thief() for _ in range(n10)]
        for lf in more:
            res = self.send(s1, lf, 10 * E18)
            self.flow(H, res, "fan_out", s1, lf, "ETH", 10 * E18)
            self.spawn(self.leaf(H, lf, r.randrange(100)), r.randint(self.DAY // 4, self.DAY))
            yield r.randint(1, 3)

    def bot_profit(self, b):
        v = self.eth[b["c"]] // 5
        self.send(b["owner"], b["c"], 0, sel("withdraw(uint256)") + w32(v), lambda tx: tx.call(-1, b["c"], b["owner"], v))
        yield 1

    def mm_arb(self, t, after_tx):
        r = self.rng
        m = r.choice(self.mms)
        res = (self.curve_direct(m, True, r.randint(5, 40) * E18) if t == self.stk
               else self.agg_buy(m, self.meth, r.randint(3, 20) * E18))
        if res:
            self.expose(m, "market_maker_same_pool", res["hash"], after_tx)
        yield 1

    def hop(self, H, a):
        b = self.thief()
        res = self.send_all(H, a, b, "hop")
        return b if res else a

    def leaf(self, H, a, i):
        r = self.rng
        heads = [a]
        for _ in range(r.randint(1, 3)):
            nxt = []
            for x in heads:
                if r.random() < 0.2 and len(heads) < 3 and self.eth[x] > 6 * E18:
                    b = self.thief()
                    amt = self.eth[x] * r.randint(30, 50) // 100
                    res = self.send(x, b, amt)
                    self.flow(H, res, "hop", x, b, "ETH", amt)
                    nxt.append(b)
                nxt.append(self.hop(H, x))
            heads = nxt
            yield r.randint(self.DAY, 2 * self.DAY)
        for j, x in enumerate(heads):
            fate = r.choices(["thor", "ie", "mix", "l2", "idle"], [45, 20, 12, 10, 13])[0]
            if fate == "idle":
                self.poisoners.append(x)
                continue
            if fate == "thor":
                k = r.randint(1, 3)
                for q in range(k):
                    btc = self.btc[self.btc_i % len(self.btc)]
                    self.btc_i += 1
                    amt = self.eth[x] // (k - q) - E18 // 50
                    if amt <= 0:
                        break
                    res = self.thor_deposit(x, amt, btc, H)
                    self.flow(H, res, "bridge", x, self.thor, "ETH", amt)
                    if res:
                        self.same_block("thor", res["hash"])
                    yield r.randint(2, 40)
            elif fate == "ie":
                k = r.randint(1, 2)
                for q in range(k):
                    btc = self.btc[self.btc_i % len(self.btc)]
                    self.btc_i += 1
                    amt = self.eth[x] // 2 if q < k - 1 else 0
                    res = self.ie_order(x, amt, H, btc)
                    if res:
                        self.flow(H, res, "instant_exchange", x, self.orders[-1][4], "ETH", res["value"])
                        self.same_block("ie", res["hash"])
                    yield r.randint(5, 60)
            elif fate == "mix":
                notes = []
                while self.eth[x] > 1 * E18 + E18 // 50:
                    n = self.mixer_deposit(x, 1, H)
                    if not n:
                        break
                    self.flow(H, n["res"], "mixer_deposit", x, self.mix[1], "ETH", E18)
                    self.same_block("mix", n["tx"])
                    notes.append(n)
                    yield r.randint(1, 6)
                self.poisoners.append(x)
                for n in notes:
                    self.spawn(self.thief_withdraw(H, n), r.randint(self.DAY // 2, 2 * self.DAY))
                if r.random() < 0.5:
                    self.spawn(self.privacy_user(), 0)
            elif fate == "l2":
                amt = self.eth[x] - E18 // 50
                to = self.new("thief_l2", ("thief_h1", "thief of h1"))
                res = self.l2_deposit(x, amt, to, H)
                self.flow(H, res, "bridge", x, self.l2b, "ETH", amt)
                if res:
                    self.same_block("l2", res["hash"])
            yield r.randint(5, 40)

    def thief_withdraw(self, H, n):
        r = self.rng
        to = self.thief()
        res = self.mixer_withdraw(n, to, relayer=True)
        if not res:
            return
        self.flow(H, res, "mixer_withdrawal", self.mix[1], to, "ETH", E18 - self.mix_rows[-1][9])
        yield r.randint(10, 200)
        btc = self.btc[self.btc_i % len(self.btc)]
        self.btc_i += 1
        amt = self.eth[to] - E18 // 100
        res = self.thor_deposit(to, amt, btc, H)
        self.flow(H, res, "bridge", to, self.thor, "ETH", amt)

    def poison(self, H):
        """Later, the thief's idle addresses spam honest users: ETH dust (stolen wei), zero-value
        transferFrom of the real mETHx (Transfer(victim... no: thief -> user, 0)) and a fake stETHx."""
        r = self.rng
        fake_owner = self.thief()
        self.send(self.t0, fake_owner, E18 // 5)
        fake = self.put(self.send(fake_owner, None, create=True, gas=600000)["tx"].to, "thief", ("thief_h1", "thief of h1"),
                        "contract")
        self.has_code.add(fake)
        self.tokens[fake] = ("stETHx", "Liquid staked Ether (x)", 18)
        self.fake = fake
        yield r.randint(5, 20)
        for _ in range(r.randint(30, 45)):
            src = r.choice(self.poisoners) if self.poisoners else self.t0
            if self.eth[src] < E18 // 100:
                src = self.t0
            u = self.some_user()
            k = r.random()
            if k < 0.45:
                amt = r.randint(1, 50) * 10 ** 12
                res = self.send(src, u, amt)
                if res:
                    self.expose(u, "poison_dust", res["hash"], src)
                    self.flow(H, res, "dust", src, u, "ETH", amt)
            elif k < 0.7:
                res = self.send(src, self.meth, 0, S_XFERFROM + a32(u) + a32(src) + w32(0),
                                lambda tx: tx.transfer(self.meth, u, src, 0), gas=40000)
                if res:
                    self.expose(u, "poison_zero_value", res["hash"], src)
            else:
                amt = r.randint(1, 20) * E18

                def body(tx):  # the fake token logs a Transfer; nothing real moves
                    tx.log(fake, [T_TRANSFER, ta(src), ta(u)], "0x" + w32(amt))
                res = self.send(src, fake, 0, S_XFER + a32(u) + w32(amt), body, gas=40000)
                if res:
                    self.fake_moves[(src, u)] += amt
                    self.expose(u, "poison_fake_token", res["hash"], src)
            yield r.randint(1, 8)

    # ---- the run
    def run(self):
        r = self.rng
        self.swapped_in = 0
        self.heist_started = False
        self.ie_swept_thief = False
        self.honest_notes, self.poisoners = [], []
        self.mix_leaves = defaultdict(int)
        self.fake_moves = defaultdict(int)
        self.fake = None
        self.setup()
        per = 14
        self.blocks = max(400, self.a.txs // per)
        self.DAY = max(8, self.blocks // 12)
        self.spawn(self.heist(), self.W(0.06))
        self.spawn(self.airdrop(10 * E18, r.randint(40, 50)), self.W(0.09))
        self.spawn(self.airdrop(25 * E18 // 10, r.randint(40, 60), self.meth, "airdrop_equal_token_payee"), self.W(0.3))
        self.spawn(self.airdrop(E18 // 2, r.randint(30, 50)), self.W(0.5))
        self.spawn(self.poison("h1"), self.W(0.72))
        for f in (0.03, 0.2, 0.45, 0.6):
            self.spawn(self.privacy_user(), self.W(f))
        while self.number < self.blocks or (self.procs and self.number < self.blocks * 1.4):
            self.open_block()
            self.run_procs()
            if self.number % 150 == 0:
                self.rebase()
            target = r.randint(per - 5, per + 5)
            while self.block["txs"] < target:
                self.honest()
            self.close_block()
        for u in self.users + self.mms + [b["c"] for b in self.bots]:
            if self.rb[u] > 0 and self.meta[u]["category"] != "thief":
                self.expose(u, "rebasing_holder", "", "stETHx")

    def write(self, out):
        os.makedirs(out, exist_ok=True)
        heads = {
            "blocks": "number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,"
                      "receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,"
                      "timestamp,transaction_count,base_fee_per_gas,withdrawals_root,withdrawals",
            "transactions": "hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,"
                            "gas,gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,"
                            "transaction_type",
            "receipts": "transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,gas_used,"
                        "contract_address,root,status,effective_gas_price,l1_fee,l1_gas_used,l1_gas_price,"
                        "l1_fee_scalar",
            "logs": "log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,topics",
            "token_transfers": "token_address,from_address,to_address,value,transaction_hash,log_index,block_number",
            "traces": "block_number,transaction_hash,transaction_index,from_address,to_address,value,input,output,"
                      "trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,status,trace_id",
            "tokens": "address,symbol,name,decimals,total_supply,block_number",
        }
        self.rows["tokens"] = [[a, s, n, d, self.supply[a] if a != WETH else self.eth[WETH], 0 if a == WETH else 1]
                               for a, (s, n, d) in sorted(self.tokens.items())]
        for kind, head in heads.items():
            with open(os.path.join(out, kind + ".csv"), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(head.split(","))
                w.writerows(self.rows[kind])
        T = os.path.join(out, "truth")
        os.makedirs(T, exist_ok=True)

        def wc(name, head, rows):
            with open(os.path.join(T, name), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(head)
                w.writerows(rows)
        self.meta.setdefault(ZERO, dict(kind="eoa", entity_id="", entity_name="", category="zero_address",
                                        customer_id="", exchange=""))
        wc("addresses.csv", ["address", "kind", "entity_id", "entity_name", "category", "customer_id", "exchange"],
           [[a, m["kind"], m["entity_id"], m["entity_name"], m["category"], m["customer_id"], m["exchange"]]
            for a, m in self.meta.items()])
        ents = dict(self.entities)
        ents.setdefault("thief_h1", ("thief of h1", "thief"))
        wc("entities.csv", ["entity_id", "name", "category"], [[k, v[0], v[1]] for k, v in ents.items()])
        # the ledger the events give: the fake token's Transfers move nothing (its "balances" apart)
        bal = [[a, "ETH", v] for a, v in sorted(self.eth.items()) if v and a != ZERO]
        bal += [[a, t, v] for (t, a), v in sorted(self.tok.items()) if v and a != ZERO]
        fk = defaultdict(int)
        for (s, u), v in self.fake_moves.items():
            fk[s] -= v
            fk[u] += v
        bal += [[a, self.fake, v] for a, v in sorted(fk.items()) if v]
        wc("balances.csv", ["address", "asset", "balance"], bal)
        wc("rebasing.csv", ["token", "address", "logs_balance", "true_balance", "logs_short_by"],
           [[self.stk, a, self.tok[(self.stk, a)], v, v - self.tok[(self.stk, a)]]
            for a, v in sorted(self.rb.items()) if v or self.tok[(self.stk, a)]])
        wc("rebases.csv", ["tx_hash", "block", "basis_points"], self.rebases)
        wc("heist_flows.csv", ["heist", "tx_hash", "block", "timestamp", "kind", "from_address", "to_address", "asset",
                               "amount", "fee_wei"], self.flows)
        wc("cash_outs.csv", ["heist", "tx_hash", "block", "timestamp", "exchange", "deposit_address", "from_address",
                             "asset", "amount"], self.cash)
        wc("bridge_deposits.csv", ["heist", "tx_hash", "block", "timestamp", "from_address", "asset", "amount", "memo",
                                   "btc_address", "style"], self.bridge_rows)
        wc("mixer_links.csv", ["pool", "denomination_wei", "deposit_tx", "deposit_block", "depositor", "withdrawal_tx",
                               "withdrawal_block", "recipient", "relayer", "relayer_fee_wei", "heist"], self.mix_rows)
        wc("lock_bridge.csv", ["chain", "kind", "tx_hash", "block", "timestamp", "from_address", "to_address", "asset",
                               "amount", "heist", "source_tx"], self.lock_rows)
        wc("instant_orders.csv", ["heist", "tx_hash", "block", "timestamp", "order_address", "from_address", "asset",
                                  "amount", "payout_chain", "payout_address"], self.orders)
        thief = [a for a, m in self.meta.items() if m["category"] == "thief" and a != self.att]
        idle = []  # the attacker's own ETH (its gas, an exchange withdrawal) is not stolen: left out
        for a in thief:
            if self.eth[a]:
                idle.append([a, "ETH", self.eth[a]])
            for t in (self.stk, self.meth):
                v = self.rb[a] if t == self.stk else self.tok[(t, a)]
                if v:
                    idle.append([a, t, v])
        wc("idle.csv", ["address", "asset", "amount"], idle)
        seen, ex = set(), []
        for a, kind, tx, via in self.exposed:
            if (a, kind) not in seen and self.meta.get(a, {}).get("category") != "thief":
                seen.add((a, kind))
                ex.append([a, kind, tx, via])
        wc("honest_exposed.csv", ["address", "kind", "tx_hash", "via"], ex)
        held = defaultdict(int)
        for a, t, v in idle:
            held[t] += v
        hf = [f for f in self.flows if f[0] == "h1"]
        tot = lambda k: sum(int(f[8]) for f in hf if f[4] == k)
        heists = [{"name": "h1", "thief_entity": "thief_h1", "drain_txs": self.drains["h1"],
                   "drain_recipient": self.t0, "victim": self.cold, "victim_exchange": self.cex[0]["name"],
                   "stolen": {k: str(v) for k, v in self.stolen.items()},
                   "deposit_addresses": [], "btc_addresses": sorted({x[8] for x in self.bridge_rows if x[0]}),
                   "instant_exchange_payouts": sorted({x[9] for x in self.orders if x[0]}),
                   "totals": {"bridged_btc_wei": str(sum(x[6] for x in self.bridge_rows if x[0])),
                              "bridge_deposits": sum(1 for x in self.bridge_rows if x[0]),
                              "instant_exchange_wei": str(sum(x[7] for x in self.orders if x[0])),
                              "instant_orders": sum(1 for x in self.orders if x[0]),
                              "l2_wei": str(sum(x[8] for x in self.lock_rows if x[9])),
                              "mixer_deposited_wei": str(tot("mixer_deposit")),
                              "dust_wei": str(tot("dust"))},
                   "swapped_in": str(self.swapped_in), "thief_swap_txs": self.thief_swaps,
                   "held_at_tip": {k: str(v) for k, v in held.items() if v},
                   "note": "the attacker's gas came from an exchange withdrawal (not stolen); the takeover tx "
                           "(execTransaction delegatecalling the trojan) moves nothing and is no drain tx; the "
                           "instant exchange's payouts are on Bitcoin (instant_orders.csv), not on this chain; "
                           "the seller's stETHx keeps rebasing at the tip"}]
        json.dump(heists, open(T + "/heists.json", "w"), indent=1)
        json.dump({"format": "chainwatch-gen-evm-truth/1", "generator": "tests/diff/evm_alt6_world.py",
                   "ingest_chain": "ethereum", "seed": self.a.seed, "txs": self.ntx, "failed_txs": self.failed,
                   "blocks": self.number + 1, "tip": {"number": self.number, "hash": self.parent},
                   "day_blocks": self.DAY, "accounts": len(self.meta), "entities": len(ents),
                   "contracts": {"tokens": {a: {"symbol": s, "decimals": d} for a, (s, n, d) in self.tokens.items()},
                                 "curve_pool": self.curve, "v2_pairs": [self.pair, self.pair_usdt],
                                 "router": self.router, "batch_sender": self.disperse, "thorchain_router": self.thor,
                                 "thorchain_vault": self.thor_vault, "l2_bridge": self.l2b,
                                 "mixer_pools": {str(d): p for d, p in self.mix.items()},
                                 "cold_wallet": self.cold, "safe_singleton": self.safe_master,
                                 "rebasing_token": self.stk, "fake_token": self.fake,
                                 "instant_exchange_hot": self.ie_hot},
                   "exchanges": [{"name": c["name"], "hot": c["hot"]} for c in self.cex],
                   "not_representable": [{"token": self.stk, "what": "rebasing: balances grow at each oracle report "
                                          "(TokenRebased) with no Transfer; balances.csv holds what the Transfers "
                                          "give, truth/rebasing.csv the true balances"}]},
                  open(T + "/world.json", "w"), indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--txs", type=int, default=50000)
    ap.add_argument("--btc-to", default="")
    ap.add_argument("--genesis-ts", type=int, default=1767225600 - 86400)
    a = ap.parse_args()
    if a.txs < 4000:
        raise SystemExit("evm_alt6_world: --txs must be at least 4000 (the heist needs the room)")
    w = World(a)
    w.run()
    w.write(a.out)
    print(json.dumps({"txs": w.ntx, "blocks": w.number, "day_blocks": w.DAY,
                      "thor_thief": sum(1 for x in w.bridge_rows if x[0]),
                      "instant_thief": sum(1 for x in w.orders if x[0]),
                      "l2_thief": sum(1 for x in w.lock_rows if x[9]),
                      "mixer_thief": sum(1 for x in w.mix_rows if x[10]),
                      "exposed": len(w.exposed)}))


if __name__ == "__main__":
    main()
