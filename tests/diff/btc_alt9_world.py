#!/usr/bin/python3
"""btc_alt9_world.py: a tenth outside Bitcoin world (issue 11): many victims, one thief, two heists.
Written at stop 28 from issue 11, docs/GEN.md's truth layout and public case reports (the 2023
Atomic Wallet drain, the Inferno / Pink / Angel wallet-drainer services and their 80/20 affiliate
split, nested services at large exchanges, Lazarus wallets reused across heists months apart),
before reading the detectors, the trace or the other generators' shapes:

* many victims: a wallet-drainer heist whose theft transactions each spend one honest user's
  coins (all of them, 1..30 inputs of the victim's own script type) and pay 80 % to one of the
  affiliate's reused P2TR collection addresses and 20 % to the drainer operator's (15 % of drains
  pay the affiliate only): thousands of small sources, one heist;
* one thief, two heists: months later the same thief drains an exchange's hot wallet; both heists'
  coins are consolidated into the same three 2-of-3 P2WSH multisig addresses (reused: each
  transaction spends one heist's coins only, so the outputs of the two heists share addresses but
  never a transaction);
* long dormancy: the first heist's consolidated coins sleep for about 40 % of the chain;
* fee bumping: a fifth of the thief's peel hops pay 1 sat/vB and are bumped by their child (the
  next hop, in the same block, at 40..90 sat/vB: CPFP); every thief tx signals RBF;
* nested services: two small brokers whose customers' deposit addresses are swept, in one tx,
  into the broker's own deposit address at a big exchange (Orebank), which pays the brokers'
  customers' withdrawals from its hot wallet; the thief deposits at one broker (a stolen deposit;
  the broker's sweep is a clean deposit at Orebank);
* an exchange paying the thief: after some of its deposits at Coinhaven, Coinhaven's batched
  withdrawals (and Orebank's, for the broker) pay a fresh address of the thief's second wallet
  beside honest customers; that wallet deposits at Satstack (not stolen: the exchange's coins);
* honest look-alikes: drained victims who keep using their wallet (an exchange withdrawal to the
  drained address, then payments and deposits from it), a custodian's 2-of-3 multisig cold wallet
  (reused addresses, consolidations, payouts after long holds), honest CPFP (a merchant spending
  a low-fee payment in its block), honest consolidations and deposits of old coins.

  btc_alt9_world.py --out DIR [--seed S] [--scale F] [--xor-key HEX16] [--zero-tail BYTES]
                    [--max-file-size BYTES]

Truth: docs/GEN.md's layout (world.json, entities.csv, addresses.csv, coinjoins.csv (empty: no
CoinJoin here), tx0s.csv (empty), peel_chains.csv, deposits.csv, thief_txs.csv, heists.json with
two heists: `drainer` (victim "wallet users", `victim_entities`, `theft_txids`: every drain) and
`hotwallet` (victim Bitmarkt)), plus lookalikes.csv (kind,txid,heist), withdrawals.csv (coins an
exchange paid the thief's second wallet: not stolen), cpfp.csv (parent,child,heist: thief and
honest), empty received.csv and dust.csv, and counterparts.csv (group,address,txid): honest
addresses by the shape that touched them. Stolen value is docs/GEN.md's definition per heist: each
thief coin belongs to exactly one heist; the generator refuses to finish unless each heist's
stolen value equals deposits + unspent + fees to the satoshi.

Standard library only (the transaction serialiser, address encoders, block mining and blk files
are btc_alt6_world.py's World class and helpers; its economy and shapes are not used),
deterministic by seed. --scale 1: >= 200k transactions, the drain >= 400 BTC.
"""
import argparse
import json
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import btc_alt6_world as base  # noqa: E402
from btc_alt6_world import COIN, push  # noqa: E402

RBF = 0xfffffffd


class W9(base.World):
    def __init__(self, a):
        super().__init__(a)
        self.rng = random.Random(a.seed * 6983 + 41)
        self.hr = random.Random(a.seed * 92821 + 7)
        self.sr = random.Random(a.seed * 53 + 19)
        self.salt = b"alt9:%d:" % a.seed
        self.pref = {}
        self.uaddr = {}      # user -> its receive addresses (reuse)
        self.reuse = {}      # user -> reuse probability
        self.depaddr = {}    # (exchange, customer[, k]) -> deposit aid
        self.counter = []    # counterparts.csv rows
        self.cpfp = []
        self.hof = {}        # (txid_le, vout) -> heist index of a thief coin

    def uget(self, u, fresh_p=None):
        """a receive address of user u: reused with its habit, else fresh"""
        al = self.uaddr.setdefault(u, [])
        p = self.reuse[u] if fresh_p is None else 1 - fresh_p
        if al and self.rng.random() < p:
            return self.rng.choice(al)
        aid = self.addr(u, self.pref[u])
        al.append(aid)
        return aid

    def dep(self, ex, cust, k=0):
        key = (ex, cust, k)
        if key not in self.depaddr:
            st = self.rng.choice(["p2wpkh", "p2wpkh", "p2sh", "p2tr"])
            self.depaddr[key] = self.addr(ex, st, customer=str(cust), cat="exchange_deposit")
        return self.depaddr[key]

    def fee_for(self, n_in, n_out, rate, in_vb=68):
        return rate * (11 + in_vb * n_in + 40 * n_out)

    def ms23(self, e):
        """a 2-of-3 P2WSH multisig address of e (spent with two signatures)"""
        i = len(self.addrs)
        keys = [b"\x02" + base.sha(self.salt + b"ms" + struct.pack("<II", i, j)) for j in range(3)]
        script = b"\x52" + b"".join(push(k) for k in keys) + b"\x53\xae"
        return self.addr(e, "p2wsh", kind="ms2", script=script)


def build(a):
    w = W9(a)
    r = w.rng
    hr = w.hr
    s = a.scale
    n_users = max(300, int(9000 * s))
    active = max(60, int(1400 * s))
    per_block = 140
    t0 = 1767225600

    miners = [w.ent("pool-%d" % i, "miner") for i in range(5)]
    miner_addr = {m: w.addr(m, "p2wpkh") for m in miners}
    ex_names = ["Coinhaven", "Bitmarkt", "Satstack", "Orebank"]
    exchanges = {n: w.ent(n, "exchange") for n in ex_names}
    exl = list(exchanges.values())
    hot = {x: [w.addr(x, st) for st in ("p2wpkh", "p2sh", "p2tr")] for x in exl}
    orebank = exchanges["Orebank"]
    brokers = [w.ent("SwiftOTC", "exchange"), w.ent("Kiosk24", "exchange")]
    broker_acct = {b: [w.dep(orebank, b, k) for k in range(2)] for b in brokers}
    custodian = w.ent("Custodia cold storage", "service")
    cold = [w.ms23(custodian) for _ in range(3)]
    w.wallet[custodian] = []
    merchants = [w.ent("merchant-%d" % i, "merchant") for i in range(40)]
    for m in merchants:
        w.pref[m] = r.choice(["p2wpkh", "p2tr"])
    m_ex = {m: r.choice(exl) for m in merchants}
    users = []
    for i in range(n_users):
        u = w.ent("user-%d" % i, "user")
        users.append(u)
        w.pref[u] = r.choices(["p2pkh", "p2sh", "p2wpkh", "p2tr"], [10, 15, 45, 30])[0]
        w.reuse[u] = r.choices([0.02, 0.3, 0.8, 0.98], [60, 25, 10, 5])[0]
    user_ex = {u: r.choice(exl) for u in users}
    broker_of = {}
    for u in r.sample(users, max(20, n_users // 12)):
        broker_of[u] = r.choice(brokers)
    thief = w.ent("drainer-ring", "thief")
    thief2 = w.ent("drainer-ring (exchange withdrawals)", "thief")
    w.pref[thief] = "p2tr"
    w.pref[thief2] = "p2wpkh"
    for e in (thief, thief2):
        w.wallet[e] = []

    # the heists' records
    HS = []
    for name, victim in (("drainer", "wallet users"), ("hotwallet", "Bitmarkt")):
        HS.append({"name": name, "victim": victim, "amount_sat": 0, "theft_txid": None, "theft_height": None,
                   "theft_txids": [], "victim_inputs": [], "victim_entities": [], "stolen_outputs": [],
                   "deposits": [], "fees_mining": 0, "fees_coord": 0, "coinjoin_txids": [],
                   "peel_chain_txids": [], "thief_txids": []})
    via = {}
    tw = [[], []]          # each heist's thief coins
    chain_no = [0, 0]

    def hexid(t):
        return t[::-1].hex()

    def rec(hi, kind, txid, ins, created, parent=""):
        """a thief tx of heist hi: its coins get the heist, deposits are recorded"""
        H = HS[hi]
        tin = sum(c[2] for c in ins)
        out_t = dep_t = 0
        pv = list(via.get((ins[0][0], ins[0][1]), []))
        for c in ins:
            via.pop((c[0], c[1]), None)
        pv = pv + [hexid(txid)]
        allout = 0
        for c in created:
            if c is None:
                continue
            allout += c[2]
            ad = w.addrs[c[3]]
            if ad[2] == thief:
                out_t += c[2]
                w.hof[(c[0], c[1])] = hi
                via[(c[0], c[1])] = pv
                tw[hi].append(c)
            elif ad[3] == "exchange_deposit":
                dep_t += c[2]
                w.give([c])
                H["deposits"].append({"outpoint": "%s:%d" % (hexid(c[0]), c[1]), "value_sat": c[2],
                                      "address": ad[0], "exchange": w.ents[ad[2]][0], "height": w.height,
                                      "step": kind, "via": pv})
            else:
                raise RuntimeError("thief tx pays a non-deposit")
        fee = tin - allout
        H["fees_mining"] += fee
        H["thief_txids"].append(hexid(txid))
        w.thief_rows.append([H["name"], hexid(txid), w.height, kind, parent, tin, out_t, dep_t, fee, 0])

    def take_thief(hi, coins):
        ids = {id(c) for c in coins}
        tw[hi][:] = [c for c in tw[hi] if id(c) not in ids]
        for c in coins:
            w.hof.pop((c[0], c[1]), None)

    def taddr(st="p2tr"):
        return w.addr(thief, st)

    # ---- the honest economy
    def pay():
        u = r.choice(users)
        amt = int(r.lognormvariate(15.0, 1.5))
        amt = max(10_000, min(amt, 2 * COIN))
        cs = w.take(u, amt, max_n=6)
        if not cs:
            return
        to_m = r.random() < 0.35
        payee = w.addr(m := r.choice(merchants), w.pref[m]) if to_m else w.uget(r.choice(users))
        ch = w.uget(u, fresh_p=0.7)
        low = to_m and r.random() < 0.02
        rate = 1 if low else None
        txid, cr = w.tx(cs, [(amt, payee)], ch, rate=rate)
        w.give(cr)
        change_run(u, cs, txid, cr)
        if u in victims_done:
            w.counter.append(["victim_later_payee", w.addrs[payee][0], hexid(txid)])
            w.truth_lookalike.append(("victim_later_spend", hexid(txid), ""))
        if low:
            # the merchant bumps its low-fee payment by spending it at once (CPFP)
            c = cr[0]
            w.wallet[m].remove(c) if c in w.wallet[m] else None
            tid2, cr2 = w.tx([c], [], w.dep(m_ex[m], m), rate=r.randint(40, 90))
            w.give(cr2)
            note_dep(tid2, cr2, m)
            w.cpfp.append([hexid(txid), hexid(tid2), ""])
            w.truth_lookalike.append(("cpfp_child", hexid(tid2), ""))

    def change_run(u, cs, txid, cr):
        """change_runs.csv: an honest wallet paying one output and its change (1-2 inputs), a run
        while each spends the previous one's change (a peel chain's shape, not laundering)"""
        if len(cs) > 2 or len(cr) != 2:
            return
        prev = last_change.get(u)
        if prev is not None and any((c[0], c[1]) == prev[0] for c in cs):
            run, hop = prev[1], prev[2] + 1
        else:
            run_no[0] += 1
            run, hop = run_no[0], 1
        last_change[u] = ((txid, 1), run, hop)
        change_rows.append([run, hop, hexid(txid), w.height])

    def note_dep(txid, created, payer):
        for c in created:
            if c is None:
                continue
            ad = w.addrs[c[3]]
            if ad[3] == "exchange_deposit":
                w.dep_rows.append([hexid(txid), c[1], w.height, ad[0], w.ents[ad[2]][0], payer, c[2], ""])

    def deposit():
        u = r.choice(users)
        b = broker_of.get(u)
        amt = int(r.lognormvariate(16.0, 1.4))
        amt = max(50_000, min(amt, 5 * COIN))
        cs = w.take(u, amt, max_n=8)
        if not cs:
            return
        x = b if (b is not None and r.random() < 0.6) else user_ex[u]
        full = sum(c[2] for c in cs) - w.fee_for(len(cs), 1, w.feerate)
        if r.random() < 0.25 and full > 20_000:
            txid, cr = w.tx(cs, [(sum(c[2] for c in cs) - w.fee_for(len(cs), 1, w.feerate), w.dep(x, u))])
        else:
            txid, cr = w.tx(cs, [(amt, w.dep(x, u))], w.uget(u, fresh_p=0.7))
            change_run(u, cs, txid, cr)
        w.give(cr)
        note_dep(txid, cr, u)
        if u in victims_done:
            w.truth_lookalike.append(("victim_later_deposit", hexid(txid), ""))

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
        note_dep(txid, cr, m)

    def sweep(x, kind="exchange_sweep"):
        cs = [c for c in w.wallet.get(("dep", x), []) if c[4] < w.height][:150]
        if len(cs) < 2:
            return None
        ids = {id(c) for c in cs}
        w.wallet[("dep", x)] = [c for c in w.wallet[("dep", x)] if id(c) not in ids]
        tot = sum(c[2] for c in cs)
        fee = w.fee_for(len(cs), 1, w.feerate)
        if tot < fee + 10_000:
            w.wallet[("dep", x)].extend(cs)
            return None
        if x in brokers:
            to = r.choice(broker_acct[x])
        else:
            to = r.choice(hot[x])
        txid, cr = w.tx(cs, [(tot - fee, to)], kind=("broker_sweep" if x in brokers else kind))
        w.give(cr)
        if x in brokers:
            note_dep(txid, cr, x)
            w.counter.append(["broker_sweep_deposit", w.addrs[to][0], hexid(txid)])
        return txid

    def withdraw_batch(x, extra=()):
        n = r.randint(2, 40)
        outs = []
        kinds = []
        for _ in range(n):
            u = r.choice(users)
            v = max(100_000, min(int(r.lognormvariate(16.5, 1.3)), 8 * COIN))
            if x == orebank and u in broker_of and r.random() < 0.5:
                kinds.append("broker_payout")
            elif u in victims_done and u in drained_addr and r.random() < 0.7:
                kinds.append("victim_refill")
                outs.append((v, r.choice(drained_addr[u])))
                continue
            else:
                kinds.append("")
            outs.append((v, ("u", u)))
        for v, aid, k in extra:
            outs.append((v, aid))
            kinds.append(k)
        need = sum(v for v, _ in outs) + 200_000
        cs = w.take(x, need, max_n=40)
        if not cs:
            return None
        outs = [(v, (w.uget(t[1]) if t[0] == "u" else w.addr(thief2, "p2wpkh")) if isinstance(t, tuple) else t)
                for v, t in outs]
        r.shuffle(idx := list(range(len(outs))))
        outs = [outs[i] for i in idx]
        kinds = [kinds[i] for i in idx]
        txid, cr = w.tx(cs, outs, r.choice(hot[x]), kind="exchange_withdrawal")
        gets = []
        for c, k in zip(cr, kinds):
            if c is None:
                continue
            if k in ("thief2",):
                gets.append(c)
                continue
            w.give([c])
            if k == "broker_payout":
                w.counter.append(["broker_customer_payout", w.addrs[c[3]][0], hexid(txid)])
            if k == "victim_refill":
                if hr.random() < 0.08 and w.height < redrain_until:
                    # the drainer still holds the key: it sweeps the refill again
                    w.at(w.height + hr.randint(1, 6), lambda u=w.addrs[c[3]][2], c=c: redrain(u, c))
                else:
                    w.counter.append(["victim_refilled_address", w.addrs[c[3]][0], hexid(txid)])
        if len(cr) > len(kinds):
            w.give(cr[len(kinds):])
        if extra:
            for c, k in zip(cr, kinds):
                if k == "":
                    w.counter.append(["exchange_co_payee", w.addrs[c[3]][0], hexid(txid)])
        return txid, gets

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

    def custodian_in():
        x = r.choice(exl)
        v = r.randint(2, 30) * COIN // 4 if s >= 0.2 else r.randint(1, 4) * COIN // 10
        cs = w.take(x, v + 100_000, max_n=20)
        if not cs:
            return
        txid, cr = w.tx(cs, [(v, r.choice(cold))], r.choice(hot[x]), kind="exchange_withdrawal")
        w.give(cr)

    def custodian_out():
        cs = [c for c in w.wallet[custodian] if c[4] < w.height - 50]
        if len(cs) < 2:
            return
        ids = {id(c) for c in cs}
        w.wallet[custodian] = [c for c in w.wallet[custodian] if id(c) not in ids]
        tot = sum(c[2] for c in cs)
        fee = w.fee_for(len(cs), 3, w.feerate, in_vb=105)
        p1 = tot // 3
        x = r.choice(exl)
        txid, cr = w.tx(cs, [(p1, w.dep(x, custodian)), (tot // 4, w.uget(r.choice(users)))],
                        r.choice(cold), fee=fee, kind="multisig_consolidation")
        w.give(cr)
        note_dep(txid, cr, custodian)
        w.counter.append(["custodian_payee", w.addrs[cr[1][3]][0], hexid(txid)])

    # ---- the heists
    victims_done = set()
    last_change = {}
    run_no = [0]
    change_rows = []
    drained_addr = {}
    collect = []            # the affiliate's reused collection addresses
    operator = []           # the operator's
    msig = []               # the thief's 2-of-3 consolidation addresses (both heists)
    operator_set = set()
    collect_set = set()

    def redrain(u, c):
        if not any(x is c for x in w.wallet[u]):
            w.counter.append(["victim_refilled_address", w.addrs[c[3]][0], ""])
            return
        w.counter.append(["victim_redrained_address", w.addrs[c[3]][0], ""])
        drain_one(u, [c], again=True)

    def drain_one(u, cs=None, again=False):
        if cs is None:
            cs = [c for c in w.wallet[u] if c[4] < w.height]
            cs.sort(key=lambda c: -c[2])
            cs = cs[:30]
        if not cs:
            return 0
        tot = sum(c[2] for c in cs)
        fee = w.fee_for(len(cs), 2, hr.randint(3, 12))
        if tot < fee + 20_000:
            return 0
        ids = {id(c) for c in cs}
        w.wallet[u] = [c for c in w.wallet[u] if id(c) not in ids]
        net = tot - fee
        ca = hr.choice(collect)
        if hr.random() < 0.85 and not again:
            op = net // 5
            outs = [(net - op, ca), (op, hr.choice(operator))]
            if hr.random() < 0.5:
                outs.reverse()
        else:
            outs = [(net, ca)]
        txid, cr = w.tx(cs, outs, seqs=[RBF] * len(cs))
        H = HS[0]
        H["theft_txids"].append(hexid(txid))
        if H["theft_txid"] is None:
            H["theft_txid"], H["theft_height"] = hexid(txid), w.height
        H["victim_inputs"] += ["%s:%d" % (hexid(c[0]), c[1]) for c in cs]
        if u not in H["victim_entities"]:
            H["victim_entities"].append(u)
        for c in cr:
            H["stolen_outputs"].append({"outpoint": "%s:%d" % (hexid(c[0]), c[1]), "value_sat": c[2],
                                        "address": w.addrs[c[3]][0]})
            H["amount_sat"] += c[2]
            w.hof[(c[0], c[1])] = 0
            via[(c[0], c[1])] = [hexid(txid)]
            tw[0].append(c)
        w.thief_rows.append(["drainer", hexid(txid), w.height, "theft", "", 0, sum(c[2] for c in cr), 0, 0, 0])
        if again:
            w.truth_lookalike.append(("redrain", hexid(txid), "drainer"))
            return net
        victims_done.add(u)
        drained_addr[u] = sorted({c[3] for c in cs})
        for aid in drained_addr[u]:
            w.counter.append(["victim_drained_address", w.addrs[aid][0], hexid(txid)])
        return net

    drain_target = int(max(90 * COIN, 430 * COIN * s))
    redrain_until = 110 + int(active * 0.45)
    drain_q = []

    def drain_plan():
        cap = 4 * COIN // 10 if s >= 0.5 else 3 * COIN
        cand = [u for u in users if 200_000 <= sum(c[2] for c in w.wallet[u]) <= cap]
        # small worlds have had few payouts at the drain: their users hold more
        hr.shuffle(cand)
        tot = 0
        for u in cand:
            if tot >= drain_target * 1.02 or len(drain_q) >= max(60, int(4000 * s)):
                break
            drain_q.append(u)
            tot += sum(c[2] for c in w.wallet[u])

    def drain_block(k):
        for _ in range(k):
            if not drain_q or HS[0]["amount_sat"] >= drain_target:
                return
            drain_one(drain_q.pop())

    def hot_theft():
        x = exchanges["Bitmarkt"]
        v = int(max(2 * COIN, 180 * COIN * s))
        top = sorted((c[2] for c in w.wallet[x] if c[4] < w.height), reverse=True)[:300]
        v = min(v, int(sum(top) * 0.8))
        cs = w.take(x, v + 1_000_000, max_n=300)
        if not cs:
            raise RuntimeError("the hot wallet cannot pay the theft")
        a1, a2 = taddr(), taddr()
        v1 = v * hr.randint(40, 60) // 100
        txid, cr = w.tx(cs, [(v1, a1), (v - v1, a2)], r.choice(hot[x]), seqs=[RBF] * len(cs))
        w.give(cr[2:])
        H = HS[1]
        H["theft_txid"], H["theft_height"] = hexid(txid), w.height
        H["theft_txids"] = [hexid(txid)]
        H["victim_inputs"] = ["%s:%d" % (hexid(c[0]), c[1]) for c in cs]
        H["victim_entities"] = [x]
        for c in cr[:2]:
            H["stolen_outputs"].append({"outpoint": "%s:%d" % (hexid(c[0]), c[1]), "value_sat": c[2],
                                        "address": w.addrs[c[3]][0]})
            H["amount_sat"] += c[2]
            w.hof[(c[0], c[1])] = 1
            via[(c[0], c[1])] = [hexid(txid)]
            tw[1].append(c)
        w.thief_rows.append(["hotwallet", hexid(txid), w.height, "theft", "", 0, v, 0, 0, 0])

    def consolidate(hi, only):
        """the heist's coins on the addresses only into the shared multisig addresses"""
        cs = [c for c in tw[hi] if c[4] < w.height and c[3] in only]
        while cs:
            part, cs = cs[:150], cs[150:]
            take_thief(hi, part)
            tot = sum(c[2] for c in part)
            fee = w.fee_for(len(part), 1, hr.randint(2, 8), in_vb=58)
            txid, cr = w.tx(part, [(tot - fee, hr.choice(msig))], seqs=[RBF] * len(part))
            rec(hi, "consolidation", txid, part, cr)

    def peel_chain(hi, coin, hops, ex_pool, chain, hop=1, parent=""):
        """one hop now; the next one 1..20 blocks later, or in this block as a CPFP child"""
        H = HS[hi]
        if coin not in tw[hi]:
            return
        v = coin[2]
        frac = hr.uniform(0.01, 0.08)
        peel = int(v * frac)
        low = hr.random() < 0.2 and hop < hops
        rate = 1 if low else hr.randint(3, 25)
        if parent and parent in cpfp_pending:
            rate = hr.randint(40, 90)
            low = False
        fee = w.fee_for(1, 2, rate, in_vb=58 if w.addrs[coin[3]][1] == "p2tr" else 105)
        if hop > hops or v - peel - fee < 200_000 or peel < 50_000:
            # the end: the rest in one deposit
            take_thief(hi, [coin])
            x = hr.choice(ex_pool)
            fee = w.fee_for(1, 1, rate)
            txid, cr = w.tx([coin], [(v - fee, thief_dep(x))], seqs=[RBF])
            rec(hi, "cash_out", txid, [coin], cr, parent)
            if parent in cpfp_pending:
                w.cpfp.append([parent, hexid(txid), H["name"]])
                cpfp_pending.discard(parent)
            return
        take_thief(hi, [coin])
        x = hr.choice(ex_pool)
        da = thief_dep(x)
        ra = taddr()
        outs = [(peel, da), (v - peel - fee, ra)]
        pv, rv = 0, 1
        if hr.random() < 0.5:
            outs.reverse()
            pv, rv = 1, 0
        txid, cr = w.tx([coin], outs, seqs=[RBF])
        rec(hi, "peel_chain", txid, [coin], cr, parent)
        if parent in cpfp_pending:
            w.cpfp.append([parent, hexid(txid), H["name"]])
            cpfp_pending.discard(parent)
        H["peel_chain_txids"].append(hexid(txid))
        w.peel_rows.append([H["name"], chain, hop, hexid(txid), w.height, pv, peel, w.addrs[da][0],
                            w.ents[w.addrs[da][2]][0], rv, v - peel - fee])
        rem = cr[rv]
        after_dep(hi, cr[pv], x)
        if low:
            cpfp_pending.add(hexid(txid))
            peel_chain(hi, rem, hops, ex_pool, chain, hop + 1, hexid(txid))
        else:
            w.at(w.height + hr.randint(1, 20), lambda: peel_chain(hi, rem, hops, ex_pool, chain, hop + 1, hexid(txid)))

    cpfp_pending = set()

    def thief_dep(x):
        return w.dep(x, thief, hr.randrange(3))

    def after_dep(hi, c, x):
        """a deposit at Coinhaven or SwiftOTC is, a third of the time, withdrawn to the thief's
        second wallet later (the exchange's coins: not stolen), which deposits at Satstack"""
        if x not in (exchanges["Coinhaven"], brokers[0]) or hr.random() > 0.33:
            return
        v = int(c[2] * hr.uniform(0.9, 0.99))

        def wd():
            src = orebank if x == brokers[0] else x
            res = withdraw_batch(src, [(v, ("t2",), "thief2")])
            if not res:
                return
            txid, gets = res
            for g in gets:
                w.withdrawals.append([hexid(txid), g[1], w.addrs[g[3]][0], g[2], "exchange_withdrawal"])
                w.at(w.height + hr.randint(2, 15), lambda g=g: t2_deposit(g))
        w.at(w.height + hr.randint(5, 40), wd)

    def t2_deposit(g):
        sat = exchanges["Satstack"]
        fee = w.fee_for(1, 1, w.feerate)
        txid, cr = w.tx([g], [(g[2] - fee, w.dep(sat, thief2))], seqs=[RBF])
        note_dep(txid, cr, thief2)
        w.give(cr)
        w.truth_lookalike.append(("thief2_deposit", hexid(txid), ""))

    def launder(hi):
        """wake the heist's multisig coins: fan out to P2TR, peel chains, direct deposits"""
        cs = [c for c in tw[hi] if c[4] < w.height and w.addrs[c[3]][6] == "ms2"]
        if not cs:
            return
        take_thief(hi, cs)
        tot = sum(c[2] for c in cs)
        k = hr.randint(8, 14)
        keep = tot // 10 if hi == 0 else 0
        fee = w.fee_for(len(cs), k + 1, hr.randint(5, 20), in_vb=105)
        part = (tot - keep - fee) // k
        outs = [(part, taddr()) for _ in range(k)]
        if keep:
            outs.append((keep, taddr()))
        outs[0] = (outs[0][0] + (tot - keep - fee - part * k), outs[0][1])
        txid, cr = w.tx(cs, outs, seqs=[RBF] * len(cs))
        rec(hi, "fan_out", txid, cs, cr)
        pool = [exchanges["Coinhaven"], exchanges["Satstack"], orebank, brokers[0]]
        for i, c in enumerate(cr[:k]):
            if i % 4 == 3:
                # a direct split into two deposits, later
                def direct(c=c):
                    if c not in tw[hi]:
                        return
                    take_thief(hi, [c])
                    f = w.fee_for(1, 2, hr.randint(3, 20))
                    h1 = c[2] // 2
                    x1, x2 = hr.sample(pool, 2)
                    t, cr2 = w.tx([c], [(h1, thief_dep(x1)), (c[2] - h1 - f, thief_dep(x2))], seqs=[RBF])
                    rec(hi, "cash_out", t, [c], cr2)
                    after_dep(hi, cr2[0], x1)
                    after_dep(hi, cr2[1], x2)
                w.at(w.height + hr.randint(3, 60), direct)
            else:
                chain_no[hi] += 1
                ch = chain_no[hi]
                w.at(w.height + hr.randint(1, 30),
                     lambda c=c, ch=ch: peel_chain(hi, c, hr.randint(5, 20), pool, ch))

    def operator_cashout():
        """the operator's 20 %: its coins consolidated per address and peeled out soon"""
        cs = [c for c in tw[0] if c[4] < w.height and c[3] in operator_set]
        by = {}
        for c in cs:
            by.setdefault(c[3], []).append(c)
        pool = [exchanges["Coinhaven"], exchanges["Satstack"], brokers[0]]
        for aid, lst in sorted(by.items()):
            while lst:
                part, lst = lst[:150], lst[150:]
                take_thief(0, part)
                tot = sum(c[2] for c in part)
                fee = w.fee_for(len(part), 1, hr.randint(2, 10), in_vb=68)
                txid, cr = w.tx(part, [(tot - fee, taddr())], seqs=[RBF] * len(part))
                rec(0, "consolidation", txid, part, cr)
                chain_no[0] += 1
                ch = chain_no[0]
                w.at(w.height + hr.randint(2, 10), lambda c=cr[0], ch=ch: peel_chain(0, c, hr.randint(8, 25), pool, ch))

    # ---- the chain
    bm_cold = w.addr(exchanges["Bitmarkt"], "p2wsh")
    bm_cold_coins = []
    blocks, stale = [], []
    prev = bytes(32)
    # block 0: the regtest genesis
    gen = base.GENESIS_CB
    ghdr = struct.pack("<i", 1) + bytes(32) + base.dsha(gen) + struct.pack("<III", 1296688602, 0x207fffff, 2)
    graw = ghdr + b"\x01" + gen
    ghash = base.dsha(ghdr)
    if ghash[::-1].hex() != base.REGTEST_GENESIS:
        raise RuntimeError("regtest genesis differs")
    blocks.append((0, ghash, graw))
    prev = ghash

    def mine(prev_hash, txs, miner, height, tag=b""):
        return base.mine_block(w, prev_hash, txs, w.addrs[miner_addr[miner]][5], height,
                               t0 + 600 * height + (height * 37 % 300), b"/alt9/" + tag)

    n_stale = max(3, active // 500)
    stale_at = set(r.sample(range(120, 110 + active), n_stale))
    drain_h = 110 + int(active * 0.15)
    drain_len = max(3, int(active * 0.04))
    op_h = drain_h + drain_len + max(2, int(active * 0.02))
    cons1_h = drain_h + drain_len + max(3, int(active * 0.05))
    hot_h = 110 + int(active * 0.55)
    cons2_h = hot_h + max(2, int(active * 0.03))
    wake_h = 110 + int(active * 0.66)
    wake2_h = wake_h + max(2, int(active * 0.04))
    want = int(200_000 * s) if s >= 1 else 0
    height = 0
    while True:
        height += 1
        if height >= 111 + active and w.ntx + height >= want:
            break
        w.height = height
        w.block_txs = []
        w.feerate = max(1, min(120, w.feerate + r.randint(-3, 3)))
        if height > 110:
            for m in miners:
                mc = [c for c in w.wallet[m] if c[4] <= height - 100]
                if mc and (height < 140 or r.random() < 0.8):
                    c = mc[0]
                    w.wallet[m].remove(c)
                    outs = []
                    tot = c[2] - 300_000
                    for x in exl:
                        outs.append((tot * 4 // 100, r.choice(hot[x])))
                    if height < hot_h:
                        outs.append((tot * 6 // 100, bm_cold))
                    if r.random() < 0.05:
                        outs.append((tot // 10, r.choice(cold)))
                    rest = tot - sum(v for v, _ in outs)
                    k = r.randint(20, 100)
                    for _ in range(k):
                        outs.append((rest // k, w.uget(r.choice(users))))
                    txid, cr = w.tx([c], outs, None, kind="pool_payout")
                    w.give(cr)
                    if height < hot_h:
                        cc = [x for x in cr if x[3] == bm_cold]
                        w.wallet[exchanges["Bitmarkt"]] = [x for x in w.wallet[exchanges["Bitmarkt"]] if x[3] != bm_cold]
                        bm_cold_coins.extend(cc)
            if height == hot_h - 2:
                # the victim exchange tops up its hot wallet from cold storage before the theft
                need = int(max(2 * COIN, 180 * COIN * s) * 1.3)
                cs, tot = [], 0
                for x in bm_cold_coins:
                    if x[4] < height and tot < need and len(cs) < 400:
                        cs.append(x)
                        tot += x[2]
                ids = {id(x) for x in cs}
                bm_cold_coins[:] = [x for x in bm_cold_coins if id(x) not in ids]
                txid, cr = w.tx(cs, [(tot - w.fee_for(len(cs), 1, w.feerate), hot[exchanges["Bitmarkt"]][0])],
                                kind="exchange_cold_to_hot")
                w.give(cr)
            if height == drain_h:
                collect.extend(taddr() for _ in range(25))
                collect_set.update(collect)
                operator.extend(taddr("p2wpkh") for _ in range(4))
                operator_set.update(operator)
                msig.extend(w.ms23(thief) for _ in range(3))
                drain_plan()
            if drain_h <= height < drain_h + drain_len:
                drain_block(max(1, len(drain_q) // max(1, drain_h + drain_len - height)))
            for fn in w.sched.pop(height, []):
                fn()
            if height == op_h:
                operator_cashout()
            if height == cons1_h:
                consolidate(0, collect_set)
            if height == hot_h:
                hot_theft()
            if height == cons2_h:
                consolidate(1, {c[3] for c in tw[1]})
            if height == wake_h:
                launder(0)
            if height == wake2_h:
                launder(1)
            n_act = int(per_block * r.uniform(0.8, 1.2))
            start_n = w.ntx
            acts = [(pay, 40), (deposit, 13), (lambda: sweep(r.choice(exl + brokers)), 2.5),
                    (lambda: withdraw_batch(r.choice(exl)), 4), (merchant_settle, 3), (consolidate_honest, 1),
                    (custodian_in, 0.3), (custodian_out, 0.15)]
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
    heists = []
    for hi, H in enumerate(HS):
        unspent = [c for c in tw[hi] if (c[0], c[1]) in w.utxo]
        dep_sat = sum(d["value_sat"] for d in H["deposits"])
        un_sat = sum(c[2] for c in unspent)
        totals = {"stolen_sat": H["amount_sat"], "deposited_sat": dep_sat, "service_deposited_sat": 0,
                  "honest_payments_sat": 0, "unspent_sat": un_sat, "fees_mining_sat": H["fees_mining"],
                  "fees_coordinator_sat": 0, "lost_to_peers_sat": 0}
        totals["identity_holds"] = dep_sat + un_sat + H["fees_mining"] == H["amount_sat"]
        if not totals["identity_holds"]:
            raise RuntimeError("%s: stolen-value identity fails: %d != %d" % (H["name"], dep_sat + un_sat + H["fees_mining"], H["amount_sat"]))
        by_addr, by_ex = {}, {}
        for d in H["deposits"]:
            ba = by_addr.setdefault(d["address"], {"value_sat": 0, "exchange": d["exchange"], "deposits": 0})
            ba["value_sat"] += d["value_sat"]
            ba["deposits"] += 1
            by_ex[d["exchange"]] = by_ex.get(d["exchange"], 0) + d["value_sat"]
            t, v = d["outpoint"].split(":")
            w.dep_rows.append([t, int(v), d["height"], d["address"], d["exchange"], thief, d["value_sat"], H["name"]])
        heists.append({"name": H["name"], "thief_entity": thief, "withdrawn_entity": thief2, "victim": H["victim"],
                       "victim_entity": (H["victim_entities"][0] if hi == 1 else None),
                       "victim_entities": H["victim_entities"], "amount_sat": H["amount_sat"],
                       "theft_txid": H["theft_txid"], "theft_height": H["theft_height"],
                       "theft_txids": H["theft_txids"], "victim_inputs": H["victim_inputs"],
                       "stolen_outputs": H["stolen_outputs"], "deposits": H["deposits"],
                       "deposits_by_address": by_addr, "deposits_by_exchange": by_ex, "service_deposits": [],
                       "honest_payments": [], "unspent": [{"outpoint": "%s:%d" % (hexid(c[0]), c[1]), "value_sat": c[2],
                                   "address": w.addrs[c[3]][0]} for c in unspent],
                       "coinjoin_txids": [], "peel_chain_txids": H["peel_chain_txids"],
                       "thief_txids": H["thief_txids"], "totals": totals,
                       "shared_addresses": [w.addrs[x][0] for x in msig]})
    with open(os.path.join(tdir, "heists.json"), "w") as f:
        json.dump(heists, f, indent=1)
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
    wcsv("lookalikes.csv", "kind,txid,heist", w.truth_lookalike)
    wcsv("withdrawals.csv", "txid,vout,address,value_sat,kind", w.withdrawals)
    wcsv("cpfp.csv", "parent,child,heist", w.cpfp)
    wcsv("change_runs.csv", "run,hop,txid,height", change_rows)
    wcsv("counterparts.csv", "group,address,txid", w.counter)
    wcsv("received.csv", "txid,vout,address,value_sat,kind", [])
    wcsv("dust.csv", "txid,vout,address,category,value_sat", [])
    best = blocks[-1]
    world = {"format": "chainwatch-gen-truth/1", "generator": "tests/diff/btc_alt9_world.py", "network": "regtest",
             "seed": a.seed, "scale": a.scale, "scenario": "drainer-two-heists", "txs": w.ntx + len(blocks),
             "blocks": len(blocks), "best_height": best[0], "tip": best[1][::-1].hex(), "files": len(files),
             "blk_bytes": sum(len(x) for x in files), "xor_key": a.xor_key or "",
             "zero_tail_bytes": a.zero_tail, "zero_tail_files": "last" if a.zero_tail else "",
             "stale_blocks": [{"hash": h[::-1].hex(), "height": ht} for ht, h, _ in stale],
             "addresses": len(w.addrs), "entities": len(w.ents), "coinjoins": 0,
             "victims": len(HS[0]["victim_entities"]), "brokers": [w.ents[b][0] for b in brokers],
             "heist_sat": [H["amount_sat"] for H in HS],
             "scale_1_promise": ">= 200000 txs and a drain >= 400 BTC"}
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
    print("%d txs, %d blocks, %d victims; %s" % (world["txs"], world["blocks"], world["victims"], "; ".join(
        "%s %.2f BTC: %d deposits, %d unspent" % (h["name"], h["amount_sat"] / COIN, len(h["deposits"]), len(h["unspent"]))
        for h in hs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
