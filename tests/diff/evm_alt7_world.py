#!/usr/bin/python3
"""A ninth EVM world (stop 24, evmalt7): the adversary attacks the watcher. Written from issues
13-15, docs/GEN.md's truth layout, the evaluators and public descriptions of the shapes only,
before reading chainwatch's trace, screening or label code. A false attribution is worse than a
miss, so the thief spends stolen value (and forges events) where an automatic tracer or screener
would blame honest people.

The honest economy is evm_alt5_world.py's (ETH/USDT/USDC payments, CREATE2-forwarder exchange
deposits, V3/Curve/Balancer pools behind an aggregator, NFTs, an L2 bridge, 7702 batches, 4337
bundles, a rebasing token, THORChain), plus: regular payers (a user paying the same counterparty,
a user or its own exchange deposit address, every 30-120 blocks), honest approvals to Permit2
(as DEX users give them), and public figures (well-known addresses: category user, named in
world.json).

Heist h1. A protocol treasury EOA drained (ETH, USDT, USDC: three txs). USDC cashed out unsold;
most USDT sold through the aggregator by two swappers; ETH fanned out to 12 leaves that hop 0-2
times and cash out at the thief's exchange deposit addresses (reused) or go to THORChain. Out of
the stolen funds the thief also pays for its attacks on the watcher:
* dusting with real value: stolen ETH dust (5-500 microETH) to ~35 % of the honest users, USDT dust
  (0.05-3 USDT) to ~15 %, and dust to 25 honest users' exchange deposit addresses (the exchange
  sweeps it with their own money); half the dusted users later sweep what they hold (dust included)
  to their own exchange deposit address;
* address poisoning: for 24 regular payers, a vanity look-alike of the counterparty (same first 4
  and last 4 hex digits; gas from a stolen-ETH feeder) sends a zero-value `transferFrom` of the
  real USDT naming the payer as sender, stolen tiny amounts (ETH or USDT), and a fake-USDT Transfer
  copying the payer's last payment; 6 payers then copy the look-alike and pay it their own money
  (kept by the look-alike: scam proceeds, not h1's stolen value);
* fake tokens: two contracts with the symbols "USDT" and "USDC" (names and decimals of the real
  ones, other addresses) emit Transfers from the drain recipient and from an OFAC-listed Lazarus
  address (sanctioned; it never held anything) to honest users, and spoofed Transfers naming honest
  users who never signed anything as senders; nothing real moves (the senders' log balances go
  below zero);
* gifts to frame: 0.5-3 ETH (and USDT) of stolen value to 6 public figures, who spend it later with
  their own money (exchange deposits, payments).
Heist h2. An approval-phishing drainer: 10 users approve its contract on USDT ("claim airdrop"),
6 sign an EIP-2612 permit on USDC (the drainer's operator submits `permit` and `transferFrom` in
one tx), 6 who approved Permit2 honestly sign a Permit2 `permitTransferFrom` (Permit2 pulls the
token); everything goes to a collector that pays the drainer-as-a-service 20 %, sells half its USDT
and cashes out tokens and ETH at the h2 thief's deposit addresses. The victims keep living
(payments, exchange deposits): they are victims, not launderers.

With --dust-first, heist 1 comes at 2 % of the blocks (not 12 %), its duster pays each public
figure 5-500 microETH of stolen dust at once, while the figures are young, and the gifts come a
quarter of the world later, once they are established (the dust is their first taint).

usage: evm_alt7_world.py --out DIR [--seed S] [--txs N] [--btc-to A,..] [--genesis-ts T] [--dust-first]
Writes ethereum-etl CSVs (one file per kind, CRLF as Python's csv writes them) and DIR/truth in
docs/GEN.md's EVM layout (as evm_alt5_world.py writes it), plus idle.csv (the thief's holdings at
the tip, per address and asset), honest_exposed.csv (`address,kind,tx_hash,via`; kinds
dusted_eth, dusted_token, dusted_deposit (via the deposit address), dusted_swept (via the
deposit), poison_zero_value, poison_tiny, poison_fake_token, poison_paid (via the look-alike),
fake_token_from_thief, fake_token_from_sanctioned, fake_token_spoofed_from, fake_token_spoofed_to,
framed_gift, approval_victim, permit_victim, permit2_victim), and world.json's public_figures,
sanctioned, fake_tokens, permit2, drainer.
"""
import argparse, csv, json, os, sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evm_alt5_world import (World as Base, Abort, topic, sel, w32, a32, ta, rlp_create,  # noqa: E402
                            T_TRANSFER, ZERO, WETH, E18, E6, GWEI)

T_APPROVAL = topic("Approval(address,address,uint256)")
PERMIT2 = "0x000000000022d473030f116ddee9f6b43ac78ba3"
MAXU = 2 ** 256 - 1
S_XFER = sel("transfer(address,uint256)")
S_XFERFROM = sel("transferFrom(address,address,uint256)")
S_APPROVE = sel("approve(address,uint256)")
S_PERMIT = sel("permit(address,address,uint256,uint256,uint8,bytes32,bytes32)")
S_P2 = sel("permitTransferFrom(((address,uint256),uint256,uint256),(address,uint256),address,bytes)")


class World(Base):
    def __init__(self, a):
        super().__init__(a)
        self.rng.seed(a.seed * 7919 + 24)
        self.poison_pairs, self.sweepers_due = [], []
        self.fooled = {}   # payer -> look-alike it will copy at its next payment

    # ---- helpers
    def fake_transfer(self, tx, t, a, b, v):
        """A fake token's Transfer: the event only (its log ledger moves, nothing of value)."""
        tx.dt[(t, a)] -= v
        tx.dt[(t, b)] += v
        tx.log(t, [T_TRANSFER, ta(a), ta(b)], "0x" + w32(v))

    def pay_token(self, frm, t, to, amt, ttype=None):
        return self.send(frm, t, 0, S_XFER + a32(to) + w32(amt), lambda tx: tx.transfer(t, frm, to, amt), gas=52000,
                         ttype=ttype)

    def lookalike(self, cp):
        r = self.rng
        while True:
            a = "0x" + cp[2:6] + "%032x" % r.getrandbits(128) + cp[-4:]
            if a not in self.meta:
                return self.put(a, "thief", ("thief_h1", "thief of h1"))

    def honest_users(self):
        return [u for u in self.users if u not in self.public]

    # ---- set-up of this world's extra actors (one block)
    def setup3(self):
        r = self.rng
        dep = self.deployer
        self.public = []
        for i in range(6):
            p = self.new("user", self.entity("pub%d" % i, "public figure %d" % i, "user"))
            self.send(dep, p, r.randint(20, 400) * E18)
            self.public.append(p)
        self.users += self.public
        self.sanctioned = self.new("sanctioned", self.entity("ofac_lazarus", "Lazarus Group (OFAC SDN)", "sanctioned"))
        self.put(PERMIT2, "permit2", ("permit2", "Uniswap Permit2"), "contract")
        self.has_code.add(PERMIT2)
        # honest Permit2 approvals (as DEX users give them)
        self.p2_approved = defaultdict(set)
        for u in self.honest_users():
            if r.random() < 0.2:
                for t in (self.usdt, self.usdc):
                    if self.tok[(t, u)] > 0:
                        self.send(u, t, 0, S_APPROVE + a32(PERMIT2) + w32(MAXU),
                                  lambda tx: tx.log(t, [T_APPROVAL, ta(u), ta(PERMIT2)], "0x" + w32(MAXU)), gas=46000)
                        self.p2_approved[t].add(u)
        # regular payers: 40 users paying the same counterparty
        hu = self.honest_users()
        payers = r.sample(hu[:400], 40)
        for u in payers:
            if r.random() < 0.3:
                cp = self.dep_addr(r.randrange(3), self.meta[u]["entity_id"])
            else:
                cp = r.choice([x for x in hu if x != u])
            self.poison_pairs.append((u, cp))
            self.spawn(self.regular(u, cp), r.randint(5, 60))

    def regular(self, u, cp):
        r = self.rng
        while True:
            to = self.fooled.pop(u, None) or cp
            t = self.usdt if self.tok[(self.usdt, u)] > 20 * E6 else None
            if t:
                amt = max(E6, self.tok[(t, u)] // r.randint(3, 8))
                res = self.pay_token(u, t, to, amt)
            else:
                amt = max(E18 // 1000, min(self.eth[u] // 5, int(r.lognormvariate(-1.5, 1.0) * E18)))
                res = self.send(u, to, amt)
            if res:
                self.last_pay[u] = (t, amt)
                if to != cp:
                    self.expose(u, "poison_paid", res["hash"], to)
                    self.scam.append([u, to, res["hash"], "ETH" if t is None else t, amt])
                elif self.meta.get(cp, {}).get("category") == "exchange_deposit":
                    self.spawn(self.sweep_later(self.ci_of(cp), cp), r.randint(3, 30))
            yield r.randint(30, 120)

    # ---- heist 1
    def heist1(self):
        r, H = self.rng, "h1"
        t0 = self.thief()
        V = self.victim
        self.h1 = dict(thief=t0, stolen={})
        self.drain_recipient = {"h1": t0}
        for t in (self.usdt, self.usdc):
            amt = self.tok[(t, V)]
            res = self.pay_token(V, t, t0, amt)
            self.flow(H, res, "drain", V, t0, t, amt)
            self.drains[H].append(res["hash"])
            self.h1["stolen"][t] = amt
        res = self.send(V, t0, lambda fee: self.eth[V] - fee, ttype=2)
        self.flow(H, res, "drain", V, t0, "ETH", res["value"])
        self.drains[H].append(res["hash"])
        self.h1["stolen"]["ETH"] = res["value"]
        yield 2
        # the attack budget first: duster, poison feeder, gift sender, fake-token deployer
        self.duster, self.feeder, self.gifter, self.faker = [self.thief() for _ in range(4)]
        for a, v in ((self.duster, 3 * E18), (self.feeder, 4 * E18), (self.gifter, 25 * E18), (self.faker, 2 * E18)):
            res = self.send(t0, a, v)
            self.flow(H, res, "fan_out", t0, a, "ETH", v)
        du = 2000 * E6
        res = self.pay_token(t0, self.usdt, self.duster, du)
        self.flow(H, res, "hop", t0, self.duster, self.usdt, du)
        res = self.pay_token(t0, self.usdt, self.feeder, 500 * E6)
        self.flow(H, res, "hop", t0, self.feeder, self.usdt, 500 * E6)
        res = self.pay_token(t0, self.usdt, self.gifter, 30000 * E6)
        self.flow(H, res, "hop", t0, self.gifter, self.usdt, 30000 * E6)
        self.spawn(self.fake_tokens(H), r.randint(3, 10))
        self.spawn(self.dusting(H), r.randint(10, 40))
        self.spawn(self.poisoning(H), r.randint(20, 60))
        if self.a.dust_first:  # the public figures dusted while young, gifted once established
            self.spawn(self.dust_public(H), 1)
            self.spawn(self.gifts(H), self.W(0.25))
        else:
            self.spawn(self.gifts(H), r.randint(30, 90))
        yield 1
        # USDC cashed out unsold; USDT: 10 % unsold, the rest sold by two swappers
        tk = self.thief()
        self.send(t0, tk, E18 // 5)
        amt = self.tok[(self.usdc, t0)]
        res = self.pay_token(t0, self.usdc, tk, amt)
        self.flow(H, res, "hop", t0, tk, self.usdc, amt)
        amt = self.tok[(self.usdt, t0)] // 10
        res = self.pay_token(t0, self.usdt, tk, amt)
        self.flow(H, res, "hop", t0, tk, self.usdt, amt)
        self.spawn(self.token_cashout(H, tk, self.usdc, 3), r.randint(20, 120))
        self.spawn(self.token_cashout(H, tk, self.usdt, 2), r.randint(130, 200))
        for i in range(2):
            s = self.thief()
            self.send(t0, s, E18 // 2)
            amt = self.tok[(self.usdt, t0)] // (2 - i)
            res = self.pay_token(t0, self.usdt, s, amt)
            self.flow(H, res, "hop", t0, s, self.usdt, amt)
            self.spawn(self.swapper(H, s), r.randint(2, 40))
            yield 1
        n = 12
        leaves = [self.thief() for _ in range(n)]
        left = self.eth[t0] - E18
        shares = [r.random() + 0.3 for _ in leaves]
        for i, lf in enumerate(leaves):
            if i == n - 1:
                res = self.send_all(H, t0, lf, "fan_out")
            else:
                res = self.send(t0, lf, int(left * shares[i] / sum(shares)))
                self.flow(H, res, "fan_out", t0, lf, "ETH", res["value"])
            self.spawn(self.leaf(H, lf, i), r.randint(1, 30))
            if i % 4 == 3:
                yield 1

    def swapper(self, H, s):
        r = self.rng
        while self.tok[(self.usdt, s)] > 0:
            amt = min(self.tok[(self.usdt, s)], r.randint(250, 800) * 1000 * E6)
            if self.tok[(self.usdt, s)] - amt < 50000 * E6:
                amt = self.tok[(self.usdt, s)]
            res = self.agg_sell_stable(s, self.usdt, amt)
            if res:
                self.flow(H, res, "swap", s, self.router, self.usdt, amt)
                self.swapped_in += res["tx"].out
            yield r.randint(1, 15)
        lf = self.thief()
        self.send_all(H, s, lf, "hop")
        yield from self.leaf(H, lf, 0)

    def leaf(self, H, a, i):
        r = self.rng
        self.cur = a
        yield from self.hops(H, a, r.randint(0, 2))
        a = self.cur
        if i % 4 == 3:
            k = r.randint(1, 2)
            for j in range(k):
                btc = self.btc[self.btc_i % len(self.btc)]
                self.btc_i += 1
                amt = self.eth[a] // (k - j) - E18 // 50
                res = self.thor_deposit(a, amt, btc, H)
                self.flow(H, res, "bridge", a, self.thor, "ETH", amt)
                yield r.randint(2, 20)
        else:
            yield from self.eth_cashout(H, a)

    # ---- the attacks on the watcher
    def dusting(self, H):
        r, d = self.rng, self.duster
        hu = self.honest_users()
        eth_t = r.sample(hu, int(len(hu) * 0.35))
        tok_t = r.sample(hu, int(len(hu) * 0.15))
        dep_t = r.sample(hu, 25)
        for k, u in enumerate(eth_t):
            v = r.randint(5, 500) * 10 ** 12
            res = self.send(d, u, v)
            if res:
                self.flow(H, res, "dust", d, u, "ETH", v)
                self.expose(u, "dusted_eth", res["hash"])
                if r.random() < 0.5:
                    self.spawn(self.honest_sweep(u, "ETH"), r.randint(50, 400))
            if k % 6 == 5:
                yield 1
        for k, u in enumerate(tok_t):
            v = r.randint(5, 300) * E6 // 100
            res = self.pay_token(d, self.usdt, u, v)
            if res:
                self.flow(H, res, "dust", d, u, self.usdt, v)
                self.expose(u, "dusted_token", res["hash"])
                if r.random() < 0.5:
                    self.spawn(self.honest_sweep(u, self.usdt), r.randint(50, 400))
            if k % 6 == 5:
                yield 1
        for u in dep_t:
            ci = r.randrange(3)
            dp = self.dep_addr(ci, self.meta[u]["entity_id"])
            if r.random() < 0.6:
                v = r.randint(5, 500) * 10 ** 12
                res = self.send(d, dp, v)
                asset = "ETH"
            else:
                v = r.randint(5, 300) * E6 // 100
                res = self.pay_token(d, self.usdt, dp, v)
                asset = self.usdt
            if res:
                self.flow(H, res, "dust", d, dp, asset, v)
                self.expose(u, "dusted_deposit", res["hash"], dp)
                self.spawn(self.sweep_later(ci, dp), r.randint(3, 30))
                if r.random() < 0.5:  # and the customer deposits its own money there later
                    self.spawn(self.honest_deposit(u, ci), r.randint(20, 300))
            yield r.randint(0, 2)

    def honest_deposit(self, u, ci):
        dp = self.dep_addr(ci, self.meta[u]["entity_id"])
        v = self.eth[u] // 3
        if v > E18 // 1000:
            if self.send(u, dp, v):
                self.spawn(self.sweep_later(ci, dp), self.rng.randint(3, 30))
        yield 1

    def honest_sweep(self, u, asset):
        """A dusted honest user moves all it holds of the asset to its own exchange deposit."""
        r = self.rng
        ci = r.randrange(3)
        dp = self.dep_addr(ci, self.meta[u]["entity_id"])
        if asset == "ETH":
            res = self.send(u, dp, lambda fee: self.eth[u] - fee - E18 // 100 if self.eth[u] > fee + E18 // 50 else None,
                            ttype=2)
        else:
            bal = self.tok[(asset, u)]
            res = self.pay_token(u, asset, dp, bal) if bal > 0 else None
        if res:
            self.expose(u, "dusted_swept", res["hash"], dp)
            self.spawn(self.sweep_later(ci, dp), r.randint(3, 30))
        yield 1

    def poisoning(self, H):
        r, f = self.rng, self.feeder
        pairs = r.sample(self.poison_pairs, 24)
        fool = set(p[0] for p in r.sample(pairs, 6))
        for u, cp in pairs:
            L = self.lookalike(cp)
            res = self.send(f, L, E18 // 20)
            self.flow(H, res, "hop", f, L, "ETH", E18 // 20)
            yield r.randint(1, 3)
            # the zero-value transferFrom of the real USDT, naming the payer as sender
            res = self.send(L, self.usdt, 0, S_XFERFROM + a32(u) + a32(L) + w32(0),
                            lambda tx: tx.transfer(self.usdt, u, L, 0), gas=40000)
            if res:
                self.expose(u, "poison_zero_value", res["hash"], L)
            # stolen tiny amounts from the look-alike
            if r.random() < 0.5:
                v = r.randint(1, 20) * 10 ** 12
                res = self.send(L, u, v)
                asset = "ETH"
            else:
                v = r.randint(1, 10) * E6 // 100
                res = self.pay_token(f, self.usdt, L, v)
                self.flow(H, res, "hop", f, L, self.usdt, v)
                res = self.pay_token(L, self.usdt, u, v)
                asset = self.usdt
            if res:
                self.flow(H, res, "poison_tiny", L, u, asset, v)
                self.expose(u, "poison_tiny", res["hash"], L)
            # a fake-USDT Transfer copying the payer's last payment, payer -> look-alike
            t, amt = self.last_pay.get(u, (None, 0))
            amt = amt if t else r.randint(100, 5000) * E6
            res = self.send(L, self.fusdt, 0, S_XFERFROM + a32(u) + a32(L) + w32(amt),
                            lambda tx: self.fake_transfer(tx, self.fusdt, u, L, amt), gas=45000)
            if res:
                self.expose(u, "poison_fake_token", res["hash"], L)
            if u in fool:
                self.fooled[u] = L
            yield r.randint(2, 12)

    def fake_tokens(self, H):
        r = self.rng
        fk = self.faker
        self.fusdt = self.put(self.send(fk, None, create=True, gas=900000)["tx"].to, "fake_token",
                              ("thief_h1", "thief of h1"), "contract")
        self.fusdc = self.put(self.send(fk, None, create=True, gas=900000)["tx"].to, "fake_token",
                              ("thief_h1", "thief of h1"), "contract")
        self.has_code.update([self.fusdt, self.fusdc])
        self.tokens[self.fusdt] = ("USDT", "Tether USD", 6)
        self.tokens[self.fusdc] = ("USDC", "USD Coin", 6)
        self.dec[self.fusdt] = self.dec[self.fusdc] = 6
        yield r.randint(5, 30)
        hu = self.honest_users()
        t0 = self.drain_recipient["h1"]
        for src, kind, n in ((t0, "fake_token_from_thief", 40), (self.sanctioned, "fake_token_from_sanctioned", 30),
                             (None, "fake_token_spoofed", 30)):
            tos = r.sample(hu, n)
            for k in range(0, n, 10):
                chunk = tos[k:k + 10]
                t = r.choice([self.fusdt, self.fusdc])
                items = []
                for b in chunk:
                    a = src or r.choice([x for x in hu if x != b])
                    items.append((a, b, r.randint(1000, 50000) * E6))
                res = self.send(fk, t, 0, sel("airdrop(address[],address[],uint256[])") + w32(len(items)),
                                lambda tx: [self.fake_transfer(tx, t, a, b, v) for a, b, v in items],
                                gas=40000 + 30000 * len(items))
                if res:
                    for a, b, v in items:
                        if src is None:
                            self.expose(a, "fake_token_spoofed_from", res["hash"], t)
                            self.expose(b, "fake_token_spoofed_to", res["hash"], t)
                        else:
                            self.expose(b, kind, res["hash"], t)
                yield r.randint(2, 30)

    def gifts(self, H):
        r, g = self.rng, self.gifter
        for p in self.public:
            v = r.randint(5, 30) * E18 // 10
            res = self.send(g, p, v)
            self.flow(H, res, "gift", g, p, "ETH", v)
            self.expose(p, "framed_gift", res["hash"])
            if r.random() < 0.5:
                tv = r.randint(1, 5) * 1000 * E6
                res = self.pay_token(g, self.usdt, p, tv)
                self.flow(H, res, "gift", g, p, self.usdt, tv)
                self.expose(p, "framed_gift", res["hash"])
            self.spawn(self.public_life(p), r.randint(40, 300))
            yield r.randint(1, 10)

    def dust_public(self, H):
        """--dust-first: stolen ETH dust (5-500 microETH) to each public figure, long before its gift."""
        r, d = self.rng, self.duster
        for p in self.public:
            v = r.randint(5, 500) * 10 ** 12
            res = self.send(d, p, v)
            if res:
                self.flow(H, res, "dust", d, p, "ETH", v)
                self.expose(p, "dusted_eth", res["hash"])
            yield 1

    def public_life(self, p):
        """A public figure spends as usual, its gift mixed with its own money."""
        r = self.rng
        for _ in range(r.randint(2, 4)):
            x = r.random()
            if x < 0.5:
                ci = r.randrange(3)
                dp = self.dep_addr(ci, self.meta[p]["entity_id"])
                if self.send(p, dp, self.eth[p] // 3):
                    self.spawn(self.sweep_later(ci, dp), r.randint(3, 30))
            elif x < 0.7 and self.tok[(self.usdt, p)] > 0:
                self.pay_token(p, self.usdt, r.choice(self.honest_users()), self.tok[(self.usdt, p)] // 2)
            else:
                self.send(p, r.choice(self.honest_users()), self.eth[p] // 5)
            yield r.randint(30, 200)

    # ---- heist 2: approval / permit / Permit2 phishing
    def heist2(self):
        r, H = self.rng, "h2"
        op, col, ds = self.thief("h2"), self.thief("h2"), self.thief("h2")
        self.drain_recipient["h2"] = col
        c = self.cex[1]
        res = self.send(c["hot"], op, 2 * E18)  # gas from an exchange withdrawal: not stolen
        self.flow(H, res, "gas_not_stolen", c["hot"], op, "ETH", 2 * E18)
        drainer = self.put(rlp_create(op, self.nonce[op]), "thief", ("thief_h2", "thief of h2"), "contract")
        self.send(op, None, create=True, gas=600000)
        self.has_code.add(drainer)
        self.drainer = drainer
        yield 2
        hu = [u for u in self.honest_users()[60:] if u not in {p for p, _ in self.poison_pairs}]
        rich = lambda t: [u for u in hu if self.tok[(t, u)] > 300 * E6]
        av = r.sample(rich(self.usdt), min(10, len(rich(self.usdt))))
        pvc = [u for u in rich(self.usdc) if u not in av]
        pv = r.sample(pvc, min(6, len(pvc)))
        p2 = [u for u in sorted(self.p2_approved[self.usdt] | self.p2_approved[self.usdc])
              if u in hu and u not in av and u not in pv and
              any(self.tok[(t, u)] > 300 * E6 and u in self.p2_approved[t] for t in (self.usdt, self.usdc))]
        p2 = r.sample(p2, min(6, len(p2)))
        self.victims = {"approval_victim": av, "permit_victim": pv, "permit2_victim": p2}
        # the approvals: the victims' own txs, over a while
        for u in av:
            self.send(u, self.usdt, 0, S_APPROVE + a32(drainer) + w32(MAXU),
                      lambda tx: tx.log(self.usdt, [T_APPROVAL, ta(u), ta(drainer)], "0x" + w32(MAXU)), gas=46000)
            yield r.randint(1, 20)
        yield r.randint(5, 30)
        stolen = self.h2_stolen

        def took(res, u, t, amt, kind):
            if res and res["ok"]:
                self.drains[H].append(res["hash"])
                self.flow(H, res, "drain", u, col, t, amt)
                stolen[t] += amt
                self.expose(u, kind, res["hash"], drainer if kind != "permit2_victim" else PERMIT2)

        for u in av:
            amt = self.tok[(self.usdt, u)]
            res = self.send(op, drainer, 0, sel("claim(address,address,uint256)") + a32(u) + a32(self.usdt) + w32(amt),
                            lambda tx: (tx.call(-1, drainer, self.usdt, 0, S_XFERFROM + a32(u) + a32(col) + w32(amt)),
                                        tx.transfer(self.usdt, u, col, amt)), gas=90000)
            took(res, u, self.usdt, amt, "approval_victim")
            yield r.randint(1, 6)
        for u in pv:
            amt = self.tok[(self.usdc, u)]

            def body(tx):
                tx.call(-1, drainer, self.usdc, 0, S_PERMIT + a32(u) + a32(drainer) + w32(MAXU) + w32(MAXU) + w32(27) +
                        self.h32()[2:] + self.h32()[2:])
                tx.log(self.usdc, [T_APPROVAL, ta(u), ta(drainer)], "0x" + w32(MAXU))
                tx.call(-1, drainer, self.usdc, 0, S_XFERFROM + a32(u) + a32(col) + w32(amt))
                tx.transfer(self.usdc, u, col, amt)
            res = self.send(op, drainer, 0, sel("permitAndClaim(address,address,uint256,bytes)") + a32(u) + a32(self.usdc)
                            + w32(amt), body, gas=120000)
            took(res, u, self.usdc, amt, "permit_victim")
            yield r.randint(1, 6)
        for u in p2:
            t = self.usdt if (self.tok[(self.usdt, u)] > 300 * E6 and u in self.p2_approved[self.usdt]) else self.usdc
            amt = self.tok[(t, u)]

            def body(tx):
                n = tx.call(-1, drainer, PERMIT2, 0, S_P2 + a32(t) + w32(amt) + w32(r.getrandbits(64)) + w32(MAXU) +
                            a32(col) + w32(amt) + a32(u))
                tx.call(n, PERMIT2, t, 0, S_XFERFROM + a32(u) + a32(col) + w32(amt))
                tx.transfer(t, u, col, amt)
            res = self.send(op, drainer, 0, sel("permit2Claim(address,bytes)") + a32(u), body, gas=140000)
            took(res, u, t, amt, "permit2_victim")
            yield r.randint(1, 6)
        yield r.randint(5, 30)
        # the drainer-as-a-service takes 20 %; the collector sells half its USDT and cashes out
        for t in (self.usdt, self.usdc):
            fee = self.tok[(t, col)] // 5
            if fee:
                self.send(op, col, E18 // 10)
                res = self.pay_token(col, t, ds, fee)
                self.flow(H, res, "drainer_fee", col, ds, t, fee)
        yield r.randint(5, 20)
        half = self.tok[(self.usdt, col)] // 2
        if half > 0:
            res = self.agg_sell_stable(col, self.usdt, half)
            if res:
                self.flow(H, res, "swap", col, self.router, self.usdt, half)
                self.swapped_in_h2 += res["tx"].out
        yield r.randint(5, 30)
        for t in (self.usdt, self.usdc):
            if self.tok[(t, col)] > 0:
                yield from self.token_cashout(H, col, t, 2)
        yield from self.eth_cashout(H, col, 2)

    # ---- the run
    def run(self):
        r = self.rng
        self.rebases, self.flash_txs, self.thief_nfts = [], [], []
        self.swapped_in = self.swapped_in_h2 = 0
        self.h2_stolen = defaultdict(int)
        self.last_pay, self.scam = {}, []
        self.setup()
        self.open_block()
        self.setup2()
        self.nft_holder = self.thief()
        self.close_block()
        self.open_block()
        self.setup3()
        self.close_block()
        per = 18
        self.blocks = max(300, self.a.txs // per)
        self.spawn(self.heist1(), self.W(0.02 if self.a.dust_first else 0.12))
        self.spawn(self.heist2(), self.W(0.30))
        while self.number < self.blocks or (self.procs and self.number < self.blocks * 1.4):
            self.open_block()
            self.run_procs()
            if self.number % 150 == 0:
                self.rebase()
            target = r.randint(per - 6, per + 6)
            while self.block["txs"] < target:
                self.honest()
            self.close_block()
            if self.number >= self.blocks and not any(p for p in self.procs if not self.is_regular(p)):
                break

    def is_regular(self, p):
        return getattr(p[1], "__name__", "") in ("regular", "public_life")

    def write(self, out):
        super().write(out)
        T = os.path.join(out, "truth")

        def wc(name, head, rows):
            with open(os.path.join(T, name), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(head)
                w.writerows(rows)
        thief = {a for a, m in self.meta.items() if m["category"] == "thief"}
        idle = []
        for a in sorted(thief):
            if self.eth[a]:
                idle.append([a, "ETH", self.eth[a]])
            for t in (self.usdt, self.usdc):
                if self.tok[(t, a)] > 0:
                    idle.append([a, t, self.tok[(t, a)]])
        wc("idle.csv", ["address", "asset", "amount"], idle)
        wc("scam_payments.csv", ["payer", "lookalike", "tx_hash", "asset", "amount"], self.scam)
        heists = json.load(open(T + "/heists.json"))
        for h in heists:
            H = h["name"]
            h["drain_recipient"] = self.drain_recipient.get(H, "")
            h.pop("flash_wash_txs", None)
            if H == "h1":
                h["victim"] = self.victim
                h["note"] = ("h1: dust, tiny poisoning amounts and gifts to public figures are stolen value given "
                             "away (heist_flows kinds dust, poison_tiny, gift): the recipients are honest; the "
                             "payments the poisoned payers made to look-alikes are theirs (scam_payments.csv), "
                             "kept by the look-alikes")
            else:
                h["victim"] = "honest users (approval, permit and Permit2 phishing)"
                h["swapped_in"] = str(self.swapped_in_h2)
                h["victims"] = self.victims
                h["note"] = ("h2: the victims signed approvals or permits; every drain tx is the operator's; the "
                             "operator's gas came from an exchange withdrawal (not stolen)")
        json.dump(heists, open(T + "/heists.json", "w"), indent=1)
        wj = json.load(open(T + "/world.json"))
        wj["generator"] = "tests/diff/evm_alt7_world.py"
        wj["public_figures"] = self.public
        wj["sanctioned"] = [self.sanctioned]
        wj["fake_tokens"] = [self.fusdt, self.fusdc]
        wj["contracts"]["permit2"] = PERMIT2
        wj["contracts"]["drainer"] = self.drainer
        wj["contracts"]["fake_tokens"] = [self.fusdt, self.fusdc]
        json.dump(wj, open(T + "/world.json", "w"), indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--txs", type=int, default=50000)
    ap.add_argument("--btc-to", default="")
    ap.add_argument("--genesis-ts", type=int, default=1767225600 - 86400)
    ap.add_argument("--dust-first", action="store_true",
                    help="heist 1 early; its duster dusts each public figure at once (while young), "
                         "the gifts come a quarter of the world later")
    a = ap.parse_args()
    if a.txs < 4000:
        raise SystemExit("evm_alt7_world: --txs must be at least 4000 (the heists need the room)")
    w = World(a)
    w.run()
    w.write(a.out)
    print(json.dumps({"txs": w.ntx, "blocks": w.number, "cash_outs": len(w.cash),
                      "bridge_btc": sum(1 for x in w.bridge_rows if x[0]),
                      "exposed": len({x[0] for x in w.exposed})}))


if __name__ == "__main__":
    main()
