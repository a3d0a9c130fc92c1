#!/usr/bin/python3
"""btc_alt10_world.py: an eleventh outside Bitcoin world (issue 11): honest transactions whose
inputs belong to two or more people but which are no CoinJoins. Written at stop 29 from issue 11,
docs/GEN.md's truth layout, scripts/eval_btc.py and public protocol descriptions (BOLT 2's
interactive transaction construction for dual-funded channels and splices, BOLT 3's 2-of-2
funding script, BIP 78 PayJoin, Samourai's Stonewall X2, Bisq's trade protocol (maker and taker
fee transactions, a deposit transaction spending both traders' reserved outputs into a 2-of-2
multisig with an OP_RETURN contract hash, a payout transaction), Liquid's peg-ins to the
federation's 11-of-15 P2WSH addresses and batched peg-outs) before reading the detectors, the
clustering or the trace:

* dual-funded channel opens (`dual_fund_open`): an LN wallet user or a node and a second node
  each add 1..3 of their own coins; one 2-of-2 P2WSH (or P2TR) funding output plus each peer's
  change; the funder pays the close; liquidity-ad lease fees move inside the channel;
* splices (`splice_in`: the channel's funding output and one peer's new coins into a new funding
  output plus that peer's change; `splice_out`: one input, a payout beside the new funding);
* Bisq trades: each trader's fee transaction (the trade fee to Bisq's fee receiver, the reserved
  funds to the trader's Bisq wallet), the deposit transaction (`bisq_deposit`: the maker's and the
  taker's reserved outputs -> the 2-of-2 escrow (trade amount + both security deposits) and an
  OP_RETURN), the payout (the buyer gets the trade amount and its deposit back, the seller its
  deposit);
* PayJoin (BIP 78) with 1..3 receiver inputs and, in a third, output substitution (`payjoin`);
  Stonewall X2 (`stonewallx2`: two wallets, a payment and its equal decoy);
* Liquid: users peg in to the federation's P2WSH addresses (category `bridge_vault`); the
  federation pays peg-outs in batches from many peg-in coins (one owner: no multi-party tx);
* the thief (a Lazarus-style hot-wallet heist at Bitmarkt) fans out and launders through these:
  it sells stolen coins on Bisq (its reserved output in a deposit tx beside an honest buyer's),
  opens dual-funded channels with honest nodes (paying a lease), pegs in to the federation, and
  peels the rest to exchanges. What comes back to it (its security deposits from the escrows, its
  channel balances at close, its peg-outs) goes to the thief's second wallet (`withdrawn_entity`,
  `returned.csv`: not stolen by the definition below), which deposits at exchanges.

  btc_alt10_world.py --out DIR [--seed S] [--scale F] [--xor-key HEX16] [--zero-tail BYTES]
                     [--max-file-size BYTES]

Truth: docs/GEN.md's layout (world.json, entities.csv, addresses.csv, coinjoins.csv (empty:
no CoinJoin here), tx0s.csv (empty), peel_chains.csv, deposits.csv, thief_txs.csv, heists.json),
plus multiparty.csv (txid,height,kind,owners,n_inputs,n_outputs,heist: every tx whose inputs
belong to two or more people; owners: their entity ids joined by ';'; a splice lists both channel
peers), lookalikes.csv (kind,txid,heist), returned.csv (txid,vout,address,value_sat,kind: what
came back to the thief's second wallet), counterparts.csv (group,address,txid: honest addresses by
the shape that touched them). A 2-of-2 (a channel's funding output, a Bisq escrow) is listed
under one of its two owners: the opener's in honest channels, the honest node in the thief's, the
buyer in every Bisq trade.

Stolen value is docs/GEN.md's definition; in a multi-party tx, as in a CoinJoin, only the
thief's own outputs carry it on: the thief's inputs minus its own outputs is its contribution to
the shared output (heists.json `honest_payments`: the 2-of-2 escrow or channel output, the stolen
part of it) and its share of the mining fee. Peg-ins are service deposits (`service_deposits`),
Bisq's trade fees honest payments. Hence stolen = deposited + service deposits + honest payments
+ unspent + fees, to the satoshi; the generator refuses to finish otherwise and gen_check.py
recomputes it from the blocks (reading multiparty.csv).

Standard library only (the serialiser, address encoders, block mining and blk files are
btc_alt6_world.py's World class and helpers, the receive-address habits btc_alt9_world.py's W9),
deterministic by seed. --scale 1: >= 200k transactions, the heist >= 250 BTC.
"""
import argparse
import json
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import btc_alt6_world as base  # noqa: E402
import btc_alt9_world as a9  # noqa: E402
from btc_alt6_world import COIN, push  # noqa: E402

RBF = 0xfffffffd


def hexid(t):
    return t[::-1].hex()


class W10(a9.W9):
    def __init__(self, a):
        super().__init__(a)
        self.rng = random.Random(a.seed * 7727 + 29)
        self.hr = random.Random(a.seed * 65537 + 13)
        self.sr = random.Random(a.seed * 97 + 3)
        self.salt = b"alt10:%d:" % a.seed
        self.thief = None
        self.mp_rows = []
        self.returned = []
        self.used = set()       # addresses paid on the chain (only those are listed)

    def tx(self, coins, outs, change=None, **kw):
        """World.tx, and every output paying a deposit address in deposits.csv (the thief's own are
        added with their heist at the end)"""
        txid, cr = super().tx(coins, outs, change, **kw)
        for c in cr:
            if c is not None:
                self.used.add(c[3])
        payer = self.addrs[coins[0][3]][2]
        if payer != self.thief:
            for c in cr:
                if c is not None and self.addrs[c[3]][3] == "exchange_deposit":
                    ad = self.addrs[c[3]]
                    self.dep_rows.append([hexid(txid), c[1], self.height, ad[0], self.ents[ad[2]][0], payer, c[2], ""])
        return txid, cr

    def ms22(self, e, taproot=False):
        """a 2-of-2 (BOLT 3 funding script, a Bisq escrow) listed under e; P2TR when taproot"""
        if taproot:
            return self.addr(e, "p2tr", kind="funding_tr")
        i = len(self.addrs)
        keys = sorted(b"\x02" + base.sha(self.salt + b"2of2" + struct.pack("<II", i, j)) for j in range(2))
        script = b"\x52" + b"".join(push(k) for k in keys) + b"\x52\xae"
        return self.addr(e, "p2wsh", kind="ms2", script=script)

    def fshare(self, n_in, change, first, n_shared, opret=False):
        """a party's part of a multi-party tx's fee: its inputs and change, the first party the rest"""
        f = 68 * n_in + (31 if change else 0)
        if first:
            f += 11 + 43 * n_shared + (45 if opret else 0)
        return self.feerate * f

    def mtx(self, parties, shared, kind, owners=None, opret=None, heist=""):
        """parties: [(ent, coins, contrib, change aid or None)]: each pays fshare and contrib to the
        shared outputs [(value, aid)] (sum of contribs == sum of shared), the rest is its change
        (to the fee under 546 sat). Inputs and outputs in random order (BOLT 2 serial ids).
        Returns (txid, created, roles): roles[i] = ("shared", j) / ("change", party) / ("opret",)"""
        if sum(p[2] for p in parties) != sum(v for v, _ in shared):
            raise RuntimeError("%s: contributions %d != shared %d" % (kind, sum(p[2] for p in parties),
                                                                      sum(v for v, _ in shared)))
        outs = [(v, aid) for v, aid in shared]
        roles = [("shared", j) for j in range(len(shared))]
        if opret:
            outs.append((0, None, opret))
            roles.append(("opret",))
        coins = []
        for i, (e, cs, contrib, ch) in enumerate(parties):
            tin = sum(c[2] for c in cs)
            f = self.fshare(len(cs), ch is not None, i == 0, len(shared), bool(opret))
            chv = tin - contrib - f
            if chv < 0:
                raise RuntimeError("%s: party %d short by %d" % (kind, i, -chv))
            if ch is not None and chv >= 546:
                outs.append((chv, ch))
                roles.append(("change", i))
            coins.extend(cs)
        self.rng.shuffle(coins)
        idx = list(range(len(outs)))
        self.rng.shuffle(idx)
        outs = [outs[i] for i in idx]
        roles = [roles[i] for i in idx]
        txid, cr = self.tx(coins, outs)
        own = owners if owners is not None else sorted({p[0] for p in parties})
        self.mp_rows.append([hexid(txid), self.height, kind, ";".join(str(x) for x in own), len(coins), len(outs), heist])
        if not heist:
            self.truth_lookalike.append((kind, hexid(txid), ""))
        return txid, cr, roles


def build(a):
    w = W10(a)
    r = w.rng
    hr = w.hr
    s = a.scale
    n_users = max(300, int(9000 * s))
    active = max(60, int(1400 * s))
    per_block = 140
    t0 = 1767225600
    slow = max(1, active // 250)        # delays between the thief's steps grow with the chain

    def dl(lo, hi):
        return w.height + hr.randint(lo, hi) * slow

    miners = [w.ent("pool-%d" % i, "miner") for i in range(5)]
    miner_addr = {m: w.addr(m, "p2wpkh") for m in miners}
    ex_names = ["Coinhaven", "Bitmarkt", "Satstack", "Orebank"]
    exchanges = {n: w.ent(n, "exchange") for n in ex_names}
    exl = list(exchanges.values())
    hot = {x: [w.addr(x, st) for st in ("p2wpkh", "p2sh", "p2tr")] for x in exl}
    bitmarkt = exchanges["Bitmarkt"]
    merchants = [w.ent("merchant-%d" % i, "merchant") for i in range(30)]
    for m in merchants:
        w.pref[m] = r.choice(["p2wpkh", "p2tr"])
        w.reuse[m] = 0.1
    pj_merchants = merchants[:12]
    m_ex = {m: r.choice(exl) for m in merchants}
    nodes = [w.ent("ln-node-%d" % i, "service") for i in range(max(12, int(40 * min(1, s * 5))))]
    for n in nodes:
        w.pref[n] = r.choice(["p2wpkh", "p2tr"])
        w.reuse[n] = 0.0
    bisq_fee = w.ent("Bisq trade-fee receiver", "service")
    bisq_fee_addr = [w.addr(bisq_fee, "p2wpkh") for _ in range(3)]
    fed = w.ent("Liquid federation", "service")
    users = []
    for i in range(n_users):
        u = w.ent("user-%d" % i, "user")
        users.append(u)
        w.pref[u] = r.choices(["p2pkh", "p2sh", "p2wpkh", "p2tr"], [10, 15, 45, 30])[0]
        w.reuse[u] = r.choices([0.02, 0.3, 0.8, 0.98], [60, 25, 10, 5])[0]
    user_ex = {u: r.choice(exl) for u in users}
    user_set = set(users)
    ln_users = set(r.sample(users, max(30, n_users // 6)))
    bisq_users = r.sample(users, max(40, n_users // 8))
    thief = w.ent("lazarus-launderer", "thief")
    thief2 = w.ent("lazarus-launderer (returned coins)", "thief")
    w.thief = thief
    w.pref[thief] = "p2wpkh"
    w.pref[thief2] = "p2wpkh"
    for e in (thief, thief2):
        w.wallet[e] = []

    def fed_addr():
        return w.addr(fed, "p2wsh", cat="bridge_vault")

    H = {"name": "lazarus-bitmarkt", "amount_sat": 0, "theft_txid": None, "theft_height": None,
         "victim_inputs": [], "stolen_outputs": [], "deposits": [], "service": [], "honest_payments": [],
         "fees_mining": 0, "fees_coord": 0, "coinjoin_txids": [], "peel_chain_txids": [], "thief_txids": []}
    tw = []
    via = {}

    def taddr(st="p2wpkh"):
        return w.addr(thief, st)

    def rec(kind, txid, ins, created, roles=None, honest=None, parent=""):
        """a thief tx: ins are its coins; honest {out index: stolen sat} its payments to honest
        parties (in a multi-party tx the stolen part of the shared output)"""
        honest = honest or {}
        tin = sum(c[2] for c in ins)
        pv = list(via.get((ins[0][0], ins[0][1]), [])) + [hexid(txid)]
        for c in ins:
            via.pop((c[0], c[1]), None)
        out_t = dep_t = svc_t = given = 0
        for i, c in enumerate(created):
            if i in honest:
                ad = w.addrs[c[3]]
                given += honest[i]
                H["honest_payments"].append({"outpoint": "%s:%d" % (hexid(txid), i), "value_sat": honest[i],
                                             "address": ad[0], "entity": ad[2], "kind": kind,
                                             "output_sat": c[2]})
                continue
            if c is None:
                continue
            ad = w.addrs[c[3]]
            if ad[2] == thief:
                out_t += c[2]
                via[(c[0], c[1])] = pv
                tw.append(c)
            elif ad[3] == "exchange_deposit":
                dep_t += c[2]
                w.give([c])
                H["deposits"].append({"outpoint": "%s:%d" % (hexid(txid), i), "value_sat": c[2], "address": ad[0],
                                      "exchange": w.ents[ad[2]][0], "height": w.height, "step": kind, "via": pv})
            elif ad[3] == "bridge_vault":
                svc_t += c[2]
                w.give([c])
                H["service"].append({"outpoint": "%s:%d" % (hexid(txid), i), "value_sat": c[2], "address": ad[0],
                                     "service": w.ents[ad[2]][0], "height": w.height, "step": kind})
            elif roles is None:
                raise RuntimeError("thief tx %s pays an honest output" % kind)
        fee = tin - out_t - dep_t - svc_t - given
        if fee < 0:
            raise RuntimeError("thief tx %s: negative fee share" % kind)
        H["fees_mining"] += fee
        H["thief_txids"].append(hexid(txid))
        w.thief_rows.append([H["name"], hexid(txid), w.height, kind, parent, tin, out_t, dep_t + svc_t, fee, 0])

    def take_thief(coins):
        ids = {id(c) for c in coins}
        tw[:] = [c for c in tw if id(c) not in ids]

    def live(c):
        return any(x is c for x in tw) and c[4] < w.height

    def counter(group, aid, txid):
        w.counter.append([group, w.addrs[aid][0], hexid(txid)])

    def returned(txid, c, kind):
        """a coin that came back to the thief's second wallet; deposited at an exchange later"""
        w.returned.append([hexid(txid), c[1], w.addrs[c[3]][0], c[2], kind])
        w.wallet[thief2].append(c)
        w.at(w.height + hr.randint(2, 20) * slow, lambda c=c: thief2_deposit(c))

    def thief2_deposit(c):
        if not any(x is c for x in w.wallet[thief2]):
            return
        w.wallet[thief2].remove(c)
        x = hr.choice([exchanges["Satstack"], exchanges["Orebank"]])
        fee = w.fee_for(1, 1, w.feerate)
        if c[2] <= fee + 1000:
            w.wallet[thief2].append(c)
            return
        txid, cr = w.tx([c], [(c[2] - fee, w.dep(x, thief2, hr.randint(0, 1)))], kind="thief2_deposit")
        w.give(cr)

    # ---- the honest economy
    def pay():
        u = r.choice(users)
        amt = max(10_000, min(int(r.lognormvariate(15.0, 1.5)), 2 * COIN))
        cs = w.take(u, amt, max_n=6)
        if not cs:
            return
        payee = w.uget(r.choice(merchants) if r.random() < 0.35 else r.choice(users))
        txid, cr = w.tx(cs, [(amt, payee)], w.uget(u, fresh_p=0.7))
        w.give(cr)

    def deposit():
        u = r.choice(users)
        amt = max(50_000, min(int(r.lognormvariate(16.0, 1.4)), 5 * COIN))
        cs = w.take(u, amt, max_n=8)
        if not cs:
            return
        txid, cr = w.tx(cs, [(amt, w.dep(user_ex[u], u))], w.uget(u, fresh_p=0.7))
        w.give(cr)

    def merchant_settle():
        m = r.choice(merchants)
        cs = [c for c in w.wallet[m] if c[4] < w.height][:30]
        if len(cs) < 2:
            return
        ids = {id(c) for c in cs}
        w.wallet[m] = [c for c in w.wallet[m] if id(c) not in ids]
        tot = sum(c[2] for c in cs)
        fee = w.fee_for(len(cs), 1, w.feerate)
        if tot <= fee + 1000:
            w.wallet[m].extend(cs)
            return
        txid, cr = w.tx(cs, [(tot - fee, w.dep(m_ex[m], m))], kind="merchant_settle")
        w.give(cr)

    def sweep(x):
        cs = [c for c in w.wallet.get(("dep", x), []) if c[4] < w.height][:150]
        if len(cs) < 2:
            return
        ids = {id(c) for c in cs}
        w.wallet[("dep", x)] = [c for c in w.wallet[("dep", x)] if id(c) not in ids]
        tot = sum(c[2] for c in cs)
        fee = w.fee_for(len(cs), 1, w.feerate)
        if tot < fee + 10_000:
            w.wallet[("dep", x)].extend(cs)
            return
        txid, cr = w.tx(cs, [(tot - fee, r.choice(hot[x]))], kind="exchange_sweep")
        w.give(cr)

    def withdraw_batch(x):
        n = r.randint(2, 30)
        outs = []
        for _ in range(n):
            u = r.choice(users)
            v = max(100_000, min(int(r.lognormvariate(16.5, 1.3)), 8 * COIN))
            outs.append((v, w.uget(u)))
        need = sum(v for v, _ in outs) + 200_000
        cs = w.take(x, need, max_n=40)
        if not cs:
            return
        txid, cr = w.tx(cs, outs, r.choice(hot[x]), kind="exchange_withdrawal")
        w.give(cr)

    def consolidate_honest():
        u = r.choice(users)
        cs = [c for c in w.wallet[u] if c[4] < w.height]
        if len(cs) < 6:
            return
        cs = cs[:60]
        ids = {id(c) for c in cs}
        w.wallet[u] = [c for c in w.wallet[u] if id(c) not in ids]
        tot = sum(c[2] for c in cs)
        fee = w.fee_for(len(cs), 1, w.feerate)
        if tot < fee + 10_000:
            w.wallet[u].extend(cs)
            return
        txid, cr = w.tx(cs, [(tot - fee, w.uget(u, fresh_p=0.8))], kind="consolidation")
        w.give(cr)

    def coins_for(e, amount, max_n=3):
        return w.take(e, amount, max_n=max_n)

    # Lightning: dual-funded opens, splices, cooperative closes
    channels = []           # open honest channels: dicts

    def dual_open():
        a_ = r.choice(sorted(ln_users)) if r.random() < 0.6 else r.choice(nodes)
        b_ = r.choice([n for n in nodes if n != a_])
        ca = int(r.uniform(0.01, 0.5 if a_ in ln_users else 2.0) * COIN)
        cb = int(r.uniform(0.02, 1.0) * COIN)
        csa = coins_for(a_, ca + 30_000)
        if not csa:
            return
        csb = coins_for(b_, cb + 30_000)
        if not csb:
            w.wallet[a_].extend(csa)
            return
        fa = w.ms22(a_, taproot=r.random() < 0.3)
        txid, cr, roles = w.mtx([(a_, csa, ca, w.fresh(a_)), (b_, csb, cb, w.fresh(b_))], [(ca + cb, fa)],
                                "dual_fund_open")
        for c, ro in zip(cr, roles):
            if ro[0] == "change":
                w.give([c])
            elif ro[0] == "shared":
                ch = {"coin": c, "a": a_, "b": b_, "bal": [ca, cb], "fa": fa}
                channels.append(ch)
                w.at(w.height + r.randint(20, 400), lambda ch=ch: ln_close(ch))

    def splice():
        if not channels:
            return
        ch = r.choice(channels)
        c = ch["coin"]
        if c[4] >= w.height:
            return
        p = r.randrange(2)
        pe = (ch["a"], ch["b"])[p]
        if r.random() < 0.65:
            add = int(r.uniform(0.01, 0.5) * COIN)
            cs = coins_for(pe, add + 30_000, max_n=2)
            if not cs:
                return
            # the splicer pays every fee; the funding input keeps its value in the new funding output
            f = w.fshare(len(cs) + 1, True, True, 1) + w.feerate * 40
            tin = sum(x[2] for x in cs)
            if tin - add - f < 0:
                w.wallet[pe].extend(cs)
                return
            fa = w.ms22(ch["a"], taproot=w.addrs[ch["fa"]][1] == "p2tr")
            ins = [c] + cs
            r.shuffle(ins)
            txid, cr = w.tx(ins, [(c[2] + add, fa)], w.fresh(pe), fee=f)
            w.mp_rows.append([hexid(txid), w.height, "splice_in", "%d;%d" % tuple(sorted((ch["a"], ch["b"]))),
                              len(ins), len(cr), ""])
            w.truth_lookalike.append(("splice_in", hexid(txid), ""))
            ch["bal"][p] += add
        else:
            out = min(ch["bal"][p] // 3, int(r.uniform(0.005, 0.3) * COIN))
            if out < 20_000:
                return
            fa = w.ms22(ch["a"], taproot=w.addrs[ch["fa"]][1] == "p2tr")
            f = w.fee_for(1, 2, w.feerate, in_vb=105)
            txid, cr = w.tx([c], [(out, w.uget(pe) if pe in user_set else w.fresh(pe))], fa, fee=f,
                            kind="splice_out")
            ch["bal"][p] -= out
            ch["bal"][0] -= f
        w.give([x for x in cr if w.addrs[x[3]][6] not in ("ms2", "funding_tr")])
        ch["coin"] = [x for x in cr if w.addrs[x[3]][6] in ("ms2", "funding_tr")][0]
        ch["fa"] = ch["coin"][3]

    def ln_close(ch):
        c = ch["coin"]
        if ch in channels:
            channels.remove(ch)
        if c[4] >= w.height:
            return
        # the funder (a) pays the close; payments moved some balance either way
        f = w.fee_for(1, 2, w.feerate, in_vb=105)
        drift = int(r.uniform(-0.3, 0.3) * max(0, min(ch["bal"][0] - f, ch["bal"][1])))
        bb = max(0, ch["bal"][1] + drift)
        if c[2] - bb - f < 1000:
            bb = c[2] - f
        ab = w.uget(ch["b"]) if ch["b"] in user_set else w.fresh(ch["b"])
        aa = w.uget(ch["a"]) if ch["a"] in user_set else w.fresh(ch["a"])
        txid, cr = w.tx([c], [(bb, ab)], aa, fee=f, kind="ln_coop_close")
        w.give(cr)

    # Bisq
    def bisq_fee_tx(e, coin_src, reserve, fee, change_aid, thief_tx=False):
        """a trader's fee tx: the trade fee to Bisq, the reserved funds to its Bisq wallet"""
        res_aid = taddr() if thief_tx else w.fresh(e, "p2wpkh")
        outs = [(fee, r.choice(bisq_fee_addr)), (reserve, res_aid)]
        txid, cr = w.tx(coin_src, outs, change_aid, kind=None if thief_tx else "bisq_fee_tx")
        return txid, cr

    def bisq_amounts(T):
        sd_s = max(600_000, T * 15 // 100)
        sd_b = max(600_000, T * 15 // 100)
        return sd_s, sd_b

    def bisq_trade():
        T = int(r.uniform(0.01, 1.0) * COIN)
        seller, buyer = r.sample(bisq_users, 2)
        sd_s, sd_b = bisq_amounts(T)
        dfs = w.feerate * 130
        rs, rb = T + sd_s + dfs, sd_b + dfs
        fs, fb = max(5000, T * 7 // 1000), max(5000, T // 1000)
        css = coins_for(seller, rs + fs + 50_000, max_n=4)
        if not css:
            return
        csb = coins_for(buyer, rb + fb + 50_000, max_n=4)
        if not csb:
            w.wallet[seller].extend(css)
            return
        t1, c1 = bisq_fee_tx(seller, css, rs, fs, w.uget(seller, fresh_p=0.7))
        t2, c2 = bisq_fee_tx(buyer, csb, rb, fb, w.uget(buyer, fresh_p=0.7))
        w.give([c1[0]] + c1[2:] + [c2[0]] + c2[2:])
        w.at(w.height + r.randint(1, 3), lambda: bisq_deposit(seller, c1[1], buyer, c2[1], T, sd_s, sd_b, dfs))

    def bisq_deposit(seller, cs, buyer, cb, T, sd_s, sd_b, dfs, thief_tx=False):
        esc = w.ms22(buyer)
        opret = b"\x6a\x20" + base.sha(w.salt + b"contract" + cs[0] + cb[0])
        # each trader reserved its contribution plus its share of this tx's fee
        ins = [cs, cb]
        r.shuffle(ins)
        txid, cr = w.tx(ins, [(T + sd_s + sd_b, esc), (0, None, opret)])
        w.mp_rows.append([hexid(txid), w.height, "bisq_deposit", ";".join(str(x) for x in sorted((seller, buyer))),
                          2, 2, H["name"] if thief_tx else ""])
        if thief_tx:
            take_thief([cs])
            rec("bisq_deposit", txid, [cs], cr, roles=True, honest={0: T + sd_s})
            counter("bisq_buyer_input (thief's trade)", cb[3], txid)
        else:
            w.truth_lookalike.append(("bisq_deposit", hexid(txid), ""))
        w.at(w.height + r.randint(2, 30), lambda: bisq_payout(cr[0], seller, buyer, T, sd_s, sd_b, thief_tx))

    def bisq_payout(esc, seller, buyer, T, sd_s, sd_b, thief_tx):
        f = w.feerate * 180
        ba = w.uget(buyer, fresh_p=0.6)
        sa = w.addr(thief2, "p2wpkh") if thief_tx else w.uget(seller, fresh_p=0.6)
        outs = [(T + sd_b - f // 2, ba), (sd_s - (f - f // 2), sa)]
        r.shuffle(outs)
        txid, cr = w.tx([esc], outs, kind="bisq_payout")
        for c in cr:
            if w.addrs[c[3]][2] == thief2:
                returned(txid, c, "bisq_security_deposit")
            else:
                w.give([c])
                if thief_tx:
                    counter("bisq_buyer_payout (thief's trade)", c[3], txid)

    # PayJoin and Stonewall X2
    def payjoin():
        u = r.choice(users)
        m = r.choice(pj_merchants)
        P = max(20_000, min(int(r.lognormvariate(15.5, 1.2)), COIN))
        csu = coins_for(u, P + 40_000, max_n=2)
        if not csu:
            return
        k = r.randint(1, 3)
        pool = [c for c in w.wallet[m] if c[4] < w.height]
        if len(pool) < k:
            w.wallet[u].extend(csu)
            return
        r.shuffle(pool)
        csm = pool[:k]
        ids = {id(c) for c in csm}
        w.wallet[m] = [c for c in w.wallet[m] if id(c) not in ids]
        fm = w.fshare(len(csm), False, False, 1)
        vm = sum(c[2] for c in csm) - fm
        if vm < 0:
            w.wallet[u].extend(csu)
            w.wallet[m].extend(csm)
            return
        # output substitution in a third: the receiver's output to a fresh address
        ma = w.fresh(m) if r.random() < 0.33 else w.uget(m)
        txid, cr, roles = w.mtx([(u, csu, P, w.uget(u, fresh_p=0.7)), (m, csm, vm, None)], [(P + vm, ma)], "payjoin")
        w.give(cr)

    def stonewallx2():
        a_, b_ = r.sample(users, 2)
        X = max(20_000, min(int(r.lognormvariate(15.0, 1.2)), COIN // 2))
        csa = coins_for(a_, X + 40_000, max_n=2)
        if not csa:
            return
        csb = coins_for(b_, X + 40_000, max_n=2)
        if not csb:
            w.wallet[a_].extend(csa)
            return
        payee = w.uget(r.choice(merchants))
        txid, cr, roles = w.mtx([(a_, csa, X, w.fresh(a_)), (b_, csb, X, w.fresh(b_))],
                                [(X, payee), (X, w.fresh(b_))], "stonewallx2")
        w.give(cr)

    # Liquid
    pegged = {}
    pegout_q = []

    def pegin():
        u = r.choice(users)
        v = max(100_000, min(int(r.lognormvariate(16.0, 1.2)), 3 * COIN))
        cs = coins_for(u, v + 30_000, max_n=4)
        if not cs:
            return
        txid, cr = w.tx(cs, [(v, fed_addr())], w.uget(u, fresh_p=0.7), kind="liquid_pegin")
        w.give(cr)
        pegged[u] = pegged.get(u, 0) + v

    def pegout_batch():
        outs, kinds = [], []
        for u in r.sample(sorted(pegged), min(len(pegged), r.randint(2, 12))):
            v = int(pegged[u] * r.uniform(0.3, 1.0))
            if v < 60_000:
                continue
            pegged[u] -= v
            outs.append((v - 50_000, w.uget(u)))
            kinds.append("")
        while pegout_q and len(outs) < 40:
            v = pegout_q.pop(0)
            outs.append((v, w.addr(thief2, "p2wpkh")))
            kinds.append("thief2")
        if not outs:
            return
        need = sum(v for v, _ in outs) + 100_000
        cs = w.take(fed, need, max_n=60)
        if not cs:
            return
        txid, cr = w.tx(cs, outs, fed_addr(), kind="liquid_pegout", fee=w.fee_for(len(cs), len(outs) + 1, w.feerate, in_vb=200))
        for c, k in zip(cr, kinds + ["fed"]):
            if k == "thief2":
                returned(txid, c, "liquid_pegout")
            else:
                w.give([c])
                if "thief2" in kinds and k == "":
                    counter("pegout_co_payee", c[3], txid)

    # ---- the heist and its laundering
    def tdep(x):
        k = hr.randint(0, 2)
        return w.dep(x, thief, k)

    def theft(height):
        hotc = [c for c in w.wallet[bitmarkt] if c[4] < height]
        hotc.sort(key=lambda c: -c[2])
        want = int(max(25, 300 * s) * COIN)
        cs, tot = [], 0
        for c in hotc:
            if tot >= want * 1.05 or len(cs) >= 300:
                break
            cs.append(c)
            tot += c[2]
        ids = {id(c) for c in cs}
        w.wallet[bitmarkt] = [c for c in w.wallet[bitmarkt] if id(c) not in ids]
        amt = min(want, tot - 5 * COIN // 100)
        k = hr.randint(4, 8)
        part = amt // k
        outs = [(part, taddr()) for _ in range(k - 1)] + [(amt - part * (k - 1), taddr())]
        txid, cr = w.tx(cs, outs, hot[bitmarkt][0], kind=None)
        H["theft_txid"] = hexid(txid)
        H["theft_height"] = height
        H["amount_sat"] = amt
        H["victim_inputs"] = ["%s:%d" % (hexid(c[0]), c[1]) for c in cs]
        for c in cr[:k]:
            H["stolen_outputs"].append({"outpoint": "%s:%d" % (hexid(c[0]), c[1]), "value_sat": c[2],
                                        "address": w.addrs[c[3]][0]})
            tw.append(c)
            via[(c[0], c[1])] = [hexid(txid)]
        w.give(cr[k:])
        w.at(dl(1, 4), fan_out)

    def fan_out():
        cs = [c for c in tw if c[4] < w.height]
        for c in cs:
            take_thief([c])
            n = hr.randint(6, 10)
            f = w.fee_for(1, n, w.feerate)
            part = (c[2] - f) // n
            outs = [(part, taddr(hr.choice(["p2wpkh", "p2wpkh", "p2tr"]))) for _ in range(n - 1)]
            outs.append((c[2] - f - part * (n - 1), taddr()))
            txid, cr = w.tx([c], outs, seqs=[RBF])
            rec("fan_out", txid, [c], cr)
            for x in cr:
                plan = hr.choices(["bisq", "channel", "pegin", "peel"], [30, 25, 15, 30])[0]
                w.at(dl(1, 30), lambda x=x, plan=plan: stage(x, plan))

    def stage(c, plan):
        if not live(c):
            return
        if plan == "bisq":
            thief_bisq(c)
        elif plan == "channel":
            thief_channel(c)
        elif plan == "pegin":
            thief_pegin(c)
        else:
            chain_no[0] += 1
            thief_peel(c, hr.randint(5, 15), chain_no[0], 1)

    def thief_bisq(c):
        """sell a trade's worth of the coin on Bisq: fee tx now, deposit beside an honest buyer"""
        T = int(hr.uniform(0.2, 2.0) * COIN)
        sd_s, sd_b = bisq_amounts(T)
        dfs = w.feerate * 130
        fs = max(5000, T * 7 // 1000)
        rs = T + sd_s + dfs
        if c[2] < rs + fs + w.fee_for(1, 3, w.feerate) + 100_000:
            if c[2] > 200_000:
                thief_deposit(c, "cash_out")
            return
        buyer = hr.choice(bisq_users)
        rb = sd_b + dfs
        fb = max(5000, T // 1000)
        csb = coins_for(buyer, rb + fb + 50_000, max_n=4)
        if not csb:
            w.at(w.height + 2, lambda: stage(c, "bisq"))
            return
        take_thief([c])
        t1, c1 = bisq_fee_tx(thief, [c], rs, fs, taddr(), thief_tx=True)
        rec("bisq_fee_tx", t1, [c], c1, honest={0: fs})
        t2, c2 = bisq_fee_tx(buyer, csb, rb, fb, w.uget(buyer, fresh_p=0.7))
        w.give([c2[0]] + c2[2:])
        res = c1[1]
        w.at(w.height + hr.randint(1, 3), lambda: bisq_deposit(thief, res, buyer, c2[1], T, sd_s, sd_b, dfs, True)
             if live(res) else None)
        if len(c1) > 2:
            w.at(dl(2, 12), lambda ch=c1[2]: stage(ch, hr.choice(["bisq", "bisq", "channel", "peel"])))

    def thief_channel(c):
        """a dual-funded channel with an honest node, which adds its own coins (a liquidity ad)"""
        node = hr.choice(nodes)
        ct = min(int(hr.uniform(0.5, 5.0) * COIN), c[2] - 200_000)
        if ct < 300_000:
            thief_deposit(c, "cash_out")
            return
        cn = int(hr.uniform(0.1, 2.0) * COIN)
        csn = coins_for(node, cn + 30_000)
        if not csn:
            w.at(w.height + 3, lambda: stage(c, "peel"))
            return
        take_thief([c])
        fa = w.ms22(node, taproot=hr.random() < 0.3)
        txid, cr, roles = w.mtx([(thief, [c], ct, taddr()), (node, csn, cn, w.fresh(node))], [(ct + cn, fa)],
                                "dual_fund_open", heist=H["name"])
        hon = {}
        fc = None
        for i, (x, ro) in enumerate(zip(cr, roles)):
            if ro[0] == "shared":
                hon[i] = ct
                fc = x
            elif ro == ("change", 1):
                w.give([x])
                counter("ln_node_change (thief's channel)", x[3], txid)
        for x in csn:
            counter("ln_node_input (thief's channel)", x[3], txid)
        rec("dual_fund_open", txid, [c], cr, roles=roles, honest=hon)
        lease = cn * hr.randint(5, 15) // 1000
        w.at(dl(10, 80), lambda: thief_close(fc, node, ct - lease, cn + lease))
        for x, ro in zip(cr, roles):
            if ro == ("change", 0):
                w.at(dl(2, 20), lambda x=x: stage(x, hr.choice(["channel", "peel", "pegin"])))

    def thief_close(fc, node, bt, bn):
        f = w.fee_for(1, 2, w.feerate, in_vb=105)
        na = w.fresh(node)
        txid, cr = w.tx([fc], [(bn, na)], w.addr(thief2, "p2wpkh"), fee=f, kind="ln_coop_close")
        for x in cr:
            if w.addrs[x[3]][2] == thief2:
                returned(txid, x, "ln_close_balance")
            else:
                w.give([x])
                counter("ln_node_close (thief's channel)", x[3], txid)

    def thief_pegin(c):
        v = min(c[2] - 100_000, int(hr.uniform(0.5, 6.0) * COIN))
        if v < 200_000:
            thief_deposit(c, "cash_out")
            return
        take_thief([c])
        txid, cr = w.tx([c], [(v, fed_addr())], taddr(), seqs=[RBF])
        rec("liquid_pegin", txid, [c], cr)
        w.at(dl(20, 120), lambda v=v: pegout_q.append(v * 998 // 1000 - 50_000))
        if len(cr) > 1:
            w.at(dl(2, 20), lambda x=cr[1]: stage(x, hr.choice(["pegin", "bisq", "peel"])))

    def thief_deposit(c, kind):
        take_thief([c])
        x = hr.choice([exchanges["Coinhaven"], exchanges["Satstack"], exchanges["Orebank"]])
        txid, cr = w.tx([c], [(c[2] - w.fee_for(1, 1, w.feerate), tdep(x))], seqs=[RBF])
        rec(kind, txid, [c], cr)

    chain_no = [0]

    def thief_peel(c, left, chain, hop):
        if not live(c):
            return
        if left <= 0 or c[2] < 400_000:
            if hr.random() < 0.12:
                return  # stays unspent
            thief_deposit(c, "cash_out")
            return
        take_thief([c])
        x = hr.choice([exchanges["Coinhaven"], exchanges["Satstack"], exchanges["Orebank"]])
        peel = int(c[2] * hr.uniform(0.03, 0.12))
        f = w.fee_for(1, 2, w.feerate)
        rest = c[2] - peel - f
        outs = [(peel, tdep(x)), (rest, taddr(w.addrs[c[3]][1]))]
        pv = hr.randrange(2)
        if pv:
            outs.reverse()
        txid, cr = w.tx([c], outs, seqs=[RBF])
        rec("peel", txid, [c], cr)
        H["peel_chain_txids"].append(hexid(txid))
        pc, rc = cr[pv], cr[1 - pv]
        w.peel_rows.append([H["name"], chain, hop, hexid(txid), w.height, pv, peel, w.addrs[pc[3]][0],
                            w.ents[x][0], 1 - pv, rest])
        w.at(w.height + hr.randint(1, 6) * slow, lambda: thief_peel(rc, left - 1, chain, hop + 1))

    # ---- the chain
    blocks, stale = [], []
    gen = base.GENESIS_CB
    ghdr = struct.pack("<i", 1) + bytes(32) + base.dsha(gen) + struct.pack("<III", 1296688602, 0x207fffff, 2)
    ghash = base.dsha(ghdr)
    if ghash[::-1].hex() != base.REGTEST_GENESIS:
        raise RuntimeError("regtest genesis differs")
    blocks.append((0, ghash, ghdr + b"\x01" + gen))
    prev = ghash

    def mine(prev_hash, txs, miner, height, tag=b""):
        return base.mine_block(w, prev_hash, txs, w.addrs[miner_addr[miner]][5], height,
                               t0 + 600 * height + (height * 37 % 300), b"/alt10/" + tag)

    n_stale = max(3, active // 500)
    stale_at = set(r.sample(range(120, 104 + active), n_stale))
    theft_h = 110 + max(12, int(active * 0.2))
    want = int(200_000 * s) if s >= 1 else 0
    height = 0
    while True:
        height += 1
        if height >= 111 + active and w.ntx + height >= want:
            break
        w.height = height
        w.block_txs = []
        w.feerate = max(1, min(80, w.feerate + r.randint(-2, 2)))
        if height > 110:
            for m in miners:
                mc = [c for c in w.wallet[m] if c[4] <= height - 100]
                if mc and (height < 140 or r.random() < 0.8):
                    c = mc[0]
                    w.wallet[m].remove(c)
                    tot = c[2] - 300_000
                    outs = []
                    for x in exl:
                        share = 25 if (x == bitmarkt and height < theft_h) else 4
                        outs.append((tot * share // 100, r.choice(hot[x])))
                    for n in r.sample(nodes, 2):
                        outs.append((tot * 3 // 100, w.fresh(n)))
                    rest = tot - sum(v for v, _ in outs)
                    k = r.randint(20, 100)
                    for _ in range(k):
                        outs.append((rest // k, w.uget(r.choice(users))))
                    txid, cr = w.tx([c], outs, None, kind="pool_payout")
                    w.give(cr)
            if height == theft_h:
                theft(height)
            for fn in w.sched.pop(height, []):
                fn()
            if height % 6 == 0:
                pegout_batch()
            n_act = int(per_block * r.uniform(0.8, 1.2))
            start_n = w.ntx
            acts = [(pay, 38), (deposit, 12), (lambda: sweep(r.choice(exl)), 2.5),
                    (lambda: withdraw_batch(r.choice(exl)), 4), (merchant_settle, 2.5), (consolidate_honest, 1),
                    (dual_open, 1.2), (splice, 0.5), (bisq_trade, 1.0), (payjoin, 2), (stonewallx2, 1),
                    (pegin, 1.0)]
            tw_ = sum(x for _, x in acts)
            tries = 0
            while w.ntx - start_n < n_act and tries < n_act * 4:
                tries += 1
                x = r.random() * tw_
                for fn, wt in acts:
                    x -= wt
                    if x <= 0:
                        fn()
                        break
        miner = miners[height % len(miners)]
        hh, raw, cbid, cbv = mine(prev, w.block_txs, miner, height)
        c = [cbid, 0, cbv, miner_addr[miner], height]
        w.utxo[(cbid, 0)] = c
        w.wallet[miner].append(c)
        blocks.append((height, hh, raw))
        if height in stale_at:
            sh, sraw, _, _ = mine(prev, [], miners[(height + 1) % len(miners)], height, b"stale")
            stale.append((height, sh, sraw))
        prev = hh
        if height > 110 and height % 200 == 0:
            print("  height %d, %d txs" % (height, w.ntx), file=sys.stderr)

    files = base.write_blocks(a, blocks, stale, r)
    tdir = os.path.join(a.out, "truth")
    unspent = [c for c in tw if (c[0], c[1]) in w.utxo]
    hz = base.heist_truth(w, H, thief, thief2, bitmarkt, unspent, 0)
    hz["unspent"] = [{"outpoint": "%s:%d" % (hexid(c[0]), c[1]), "value_sat": c[2], "address": w.addrs[c[3]][0]}
                     for c in unspent]
    hz["totals"]["honest_paid_sat"] = hz["totals"]["honest_payments_sat"]
    hz["deposits_by_address"] = {}
    for d in H["deposits"]:
        ba = hz["deposits_by_address"].setdefault(d["address"], {"value_sat": 0, "exchange": d["exchange"], "deposits": 0})
        ba["value_sat"] += d["value_sat"]
        ba["deposits"] += 1
    hz["multiparty_txids"] = [row[0] for row in w.mp_rows if row[6]]
    heists = [hz]
    with open(os.path.join(tdir, "heists.json"), "w") as f:
        json.dump(heists, f, indent=1)
    w.used.update(miner_addr.values())
    w.addrs = [ad for i, ad in enumerate(w.addrs) if i in w.used]
    base.write_entities(w, tdir)

    def wcsv(name, head, rows):
        base.write_table(tdir, name, head, rows)
    wcsv("coinjoins.csv", "txid,height,kind,coordinator_id,n_inputs,n_outputs,heist", [])
    wcsv("tx0s.csv", "txid,height,kind,pool_sat,owner_id,n_inputs,n_premix,n_outputs,heist", [])
    wcsv("peel_chains.csv", "heist,chain,hop,txid,height,peel_vout,peel_sat,peel_address,exchange,remainder_vout,remainder_sat",
         w.peel_rows)
    w.dep_rows.sort(key=lambda x: (x[2], x[0], x[1]))
    wcsv("deposits.csv", "txid,vout,height,address,exchange,payer_id,value_sat,heist", w.dep_rows)
    wcsv("thief_txs.csv", "heist,txid,height,kind,parent_txid,thief_in_sat,thief_out_sat,deposit_sat,fee_sat,coordinator_fee_sat",
         w.thief_rows)
    wcsv("multiparty.csv", "txid,height,kind,owners,n_inputs,n_outputs,heist", w.mp_rows)
    wcsv("lookalikes.csv", "kind,txid,heist", w.truth_lookalike)
    wcsv("returned.csv", "txid,vout,address,value_sat,kind", w.returned)
    wcsv("counterparts.csv", "group,address,txid", w.counter)
    wcsv("received.csv", "txid,vout,address,value_sat,kind", [])
    wcsv("dust.csv", "txid,vout,address,category,value_sat", [])
    best = blocks[-1]
    kinds = {}
    for row in w.mp_rows:
        kinds[row[2]] = kinds.get(row[2], 0) + 1
    world = {"format": "chainwatch-gen-truth/1", "generator": "tests/diff/btc_alt10_world.py", "network": "regtest",
             "seed": a.seed, "scale": a.scale, "scenario": "multi-owner-not-coinjoin", "txs": w.ntx + len(blocks),
             "blocks": len(blocks), "best_height": best[0], "tip": best[1][::-1].hex(), "files": len(files),
             "blk_bytes": sum(len(x) for x in files), "xor_key": a.xor_key or "",
             "zero_tail_bytes": a.zero_tail, "zero_tail_files": "last" if a.zero_tail else "",
             "stale_blocks": [{"hash": h[::-1].hex(), "height": ht} for ht, h, _ in stale],
             "addresses": len(w.addrs), "entities": len(w.ents), "coinjoins": 0,
             "multiparty": kinds, "multiparty_with_thief": len(hz["multiparty_txids"]),
             "scale_1_promise": ">= 200000 txs and a heist >= 250 BTC"}
    with open(os.path.join(tdir, "world.json"), "w") as f:
        json.dump(world, f, indent=1)
    return world, heists


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--xor-key")
    ap.add_argument("--zero-tail", type=int, default=0)
    ap.add_argument("--max-file-size", type=int, default=128 * 1024 * 1024)
    a = ap.parse_args()
    if a.xor_key and len(bytes.fromhex(a.xor_key)) != 8:
        ap.error("--xor-key wants 16 hex digits")
    world, hs = build(a)
    h = hs[0]
    print("%d txs, %d blocks, %d multi-party txs (%d with the thief: %s); %s %.2f BTC: %d deposits, %d service "
          "deposits, %d honest payments, %d unspent" % (
              world["txs"], world["blocks"], sum(world["multiparty"].values()), world["multiparty_with_thief"],
              ", ".join("%s %d" % kv for kv in sorted(world["multiparty"].items())), h["name"], h["amount_sat"] / COIN,
              len(h["deposits"]), len(h["service_deposits"]), len(h["honest_payments"]), len(h["unspent"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
