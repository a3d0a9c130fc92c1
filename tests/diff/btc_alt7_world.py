#!/usr/bin/python3
"""btc_alt7_world.py: an eighth outside Bitcoin world (issue 11): the honest economy that looks like
laundering, at scale, with a heist laundered through the same shapes as public reports of Lazarus
describe (peel chains of 1-3 peels a hop, Wasabi 2 and Whirlpool, a custodial mixer, deposits at
three exchanges, goods bought from honest merchants, exchange-to-exchange hops, the thief's funds
inside an honest payment processor's sweep).

  btc_alt7_world.py --out DIR [--seed S] [--scale F] [--xor-key HEX16] [--zero-tail BYTES]
                    [--max-file-size BYTES]

Honest shapes (lookalikes.csv kinds): honest_peel (a wallet that always spends with change, 10-40
hops paying merchants), exchange_withdrawal (batched), exchange_sweep (hot-wallet consolidation of
deposits), exchange_transfer (an exchange's hot wallet paying its account at another exchange),
processor_invoice / processor_sweep / processor_settlement (a payment processor: a fresh invoice
address per order, sweeps of 20-120 invoices, settlement batches to its merchants), pool_payout
(a coinbase paying 30-150 outputs), payroll (10-40 equal salaries), rbf_cancel (a replacement that
sends the coin back to its owner: 1 in, 1 out), cpfp_parent / cpfp_child (the child in its parent's
block, at a high fee rate), tapscript_spend (P2TR script path), vault_spend (2-of-3 P2WSH),
inscription_commit / inscription_reveal (Ordinals: a P2TR commit, a reveal whose witness carries
the envelope, 546-sat outputs, batches of 5-25), tx0 (tx0s.csv) and whirlpool / wasabi2 /
joinmarket (coinjoins.csv; their users deposit the coins at exchanges later), mixer_deposit /
mixer_sweep / mixer_payout (a custodial mixer), otc_trade / otc_payout (an OTC desk), merchant_refund
and merchant_settle (merchants pay refunds and settle at exchanges from whatever coins they hold,
so after the thief buys goods an honest merchant's later payments may spend the thief's coin),
consolidation; a third of the merchants take every invoice on one reused address.

Truth: docs/GEN.md's layout (world.json, entities.csv, addresses.csv, coinjoins.csv, tx0s.csv,
peel_chains.csv, deposits.csv, thief_txs.csv, heists.json) plus lookalikes.csv (kind,txid,heist),
withdrawals.csv (coins a service paid the thief: not stolen), an empty received.csv and dust.csv,
and counterparts.csv (group,address,txid,tainted): honest addresses by the shape that paid them,
for screening; `tainted` 1 when the paying tx spent a coin that came (one or more honest hops
back) from the thief's payment to an honest party (not stolen by the definition, but a tracer that
keeps following the money reaches it). Stolen value is docs/GEN.md's definition with btc_alt5's
extension: the trail ends at a deposit, at a service (the mixer's deposit address, the OTC desk's
trade address, the processor's invoice address), at an honest party the thief paid
(honest_payments), in fees (mining, Whirlpool pool fee, Wasabi coordinator, JoinMarket makers) or
unspent at the thief; coins a service pays the thief (mixer and OTC payouts, an exchange's
withdrawal) belong to a second thief entity (`withdrawn_entity`) and are not stolen. The generator
refuses to finish when stolen != the sum of those to the satoshi.

Standard library only (the transaction serialiser, address encoders, block mining, blk files and
heist record are btc_alt6_world.py's),
deterministic by seed. --scale 1: >= 200k transactions.
"""
import argparse
import json
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import btc_alt6_world as base  # noqa: E402
from btc_alt6_world import COIN, GENESIS_CB, REGTEST_GENESIS, dsha, push, scriptnum  # noqa: E402

DENOMS = base.DENOMS
WP_POOLS = [100_000, 1_000_000, 5_000_000, 50_000_000]


class W7(base.World):
    def __init__(self, a):
        super().__init__(a)
        self.rng = random.Random(a.seed * 6151 + 71)
        self.hr = random.Random(a.seed * 92821 + 7)
        self.sr = random.Random(a.seed * 37 + 13)
        self.salt = b"alt7:%d:" % a.seed

    def spend_data(self, coin, htlc_path=None):
        ad = self.addrs[coin[3]]
        kind, script = ad[6], ad[7]
        if kind == "ms23":
            return b"", [b"", self.sig(), self.sig(), script]
        if kind in ("tapscript", "inscr"):
            ctl = bytes([0xc0 | (coin[3] & 1)]) + self.pk(coin[3])[1:]
            return b"", [self.sr.randbytes(64), script, ctl]
        return super().spend_data(coin, htlc_path)


def build(a):
    w = W7(a)
    r = w.rng
    hr = w.hr
    s = a.scale
    active = max(60, int(1400 * s))
    per_block = 140 if s >= 0.05 else 45
    n_users = max(500, int(9000 * s))
    w.pref = {}
    stypes = ["p2wpkh"] * 9 + ["p2pkh"] * 2 + ["p2sh"] * 3 + ["p2tr"] * 4
    miners = [w.ent("pool-%d" % i, "miner") for i in range(5)]
    miner_addr = {m: w.addr(m, "p2wpkh") for m in miners}
    exchanges = [w.ent(n, "exchange") for n in ("hotbit-like", "binance-like", "okx-like", "kraken-like", "huobi-like")]
    victim = exchanges[0]
    cash_ex = exchanges[1:4]
    hot = {x: [w.addr(x, t) for t in ("p2wpkh", "p2sh", "p2tr")] for x in exchanges}
    processor = w.ent("processor-bitpay-like", "service")
    proc_hot = w.addr(processor, "p2wpkh")
    mixer = w.ent("mixer-sinbad-like", "mixer")
    otc = w.ent("otc-desk", "otc_desk")
    wp_coord = w.ent("whirlpool-coordinator", "coinjoin_coordinator")
    wp_fee_addr = w.addr(wp_coord, "p2wpkh")
    ww_coord = w.ent("wasabi2-coordinator", "coinjoin_coordinator")
    ww_fee_addr = w.addr(ww_coord, "p2wpkh")
    merchants = [w.ent("merchant-%d" % i, "merchant") for i in range(max(24, int(160 * s)))]
    employers = [w.ent("employer-%d" % i, "merchant") for i in range(max(3, int(12 * s)))]
    users = [w.ent("user-%d" % i, "user") for i in range(n_users)]
    for u in users + merchants + employers:
        w.pref[u] = r.choice(stypes)
    for e in (processor, mixer, otc):
        w.pref[e] = "p2wpkh"
    reuse_addr = {m: w.addr(m, w.pref[m]) for m in merchants[::3]}   # a third take invoices on one address
    thief = w.ent("lazarus", "thief")
    thief2 = w.ent("lazarus-withdrawn", "thief")
    w.pref[thief] = "p2wpkh"
    w.pref[thief2] = "p2wpkh"
    users_tap = set(r.sample(users, len(users) // 10))        # P2TR wallets with a script-path leaf
    vault_users = r.sample(users, max(10, len(users) // 60))  # 2-of-3 vaults
    vault_addr = {}
    depaddr = {}
    taint = set()          # (txid, vout) of coins an honest party holds that descend from a thief payment
    counterparts = []      # group, address, txid, tainted
    cp_seen = {}

    def cp(group, aid, txid, tainted, limit=400):
        n = cp_seen.get(group, 0)
        if n >= limit and not tainted:
            return
        cp_seen[group] = n + 1
        counterparts.append([group, w.addrs[aid][0], txid[::-1].hex(), 1 if tainted else 0])

    def dep(x, cust):
        k = (x, cust)
        if k not in depaddr:
            depaddr[k] = w.addr(x, r.choice(["p2wpkh", "p2sh", "p2pkh"]), customer=str(cust), cat="exchange_deposit")
        return depaddr[k]

    def inv_addr(m):
        return reuse_addr[m] if m in reuse_addr else w.fresh(m)

    def user_addr(u):
        if u in users_tap and r.random() < 0.5:
            return w.addr(u, "p2tr", kind="tapscript", script=b"\x20" + w.sr.randbytes(32) + b"\xac" + scriptnum(r.randint(17, 99999)) + b"\xb1")
        return w.fresh(u)

    def note_deps(txid, outs_cr, payer):
        for c in outs_cr:
            if c is None:
                continue
            ad = w.addrs[c[3]]
            if ad[3] == "exchange_deposit":
                w.dep_rows.append([txid[::-1].hex(), c[1], w.height, ad[0], w.ents[ad[2]][0], payer, c[2],
                                   H["name"] if payer == thief else ""])

    def propagate(coins, txid, created, payer_honest=True):
        """taint bookkeeping: an honest tx spending a tainted coin taints its outputs"""
        t = any((c[0], c[1]) in taint for c in coins)
        if t:
            for c in created:   # an exchange is custodial: the taint ends at its wallets
                if c is not None and w.addrs[c[3]][3] not in ("thief", "exchange", "exchange_deposit"):
                    taint.add((c[0], c[1]))
        return t

    def htx(coins, outs, change, kind=None, **kw):
        txid, cr = w.tx(coins, outs, change, kind=kind, **kw)
        t = propagate(coins, txid, cr)
        return txid, cr, t

    H = {"name": "lazarus-honest-shapes", "deposits": [], "honest_payments": [], "service": [], "coinjoin_txids": [],
         "peel_chain_txids": [], "thief_txids": [], "fees_mining": 0, "fees_coord": 0}

    def is_thief_coin(c):
        return w.addrs[c[3]][2] == thief

    def rec_thief(kind, txid, coins, created, cj_coord=0, service_kind=None, honest_kind=None, cj=False):
        tin = sum(c[2] for c in coins if is_thief_coin(c))
        tout = dep_sat = 0
        allin = sum(c[2] for c in coins)
        allout = 0
        t = txid[::-1].hex()
        for c in created:
            if c is None:
                continue
            allout += c[2]
            ad = w.addrs[c[3]]
            op = "%s:%d" % (t, c[1])
            if ad[2] == thief:
                tout += c[2]
            elif cj:
                pass
            elif ad[3] == "exchange_deposit":
                w.give([c])
                dep_sat += c[2]
                H["deposits"].append({"outpoint": op, "address": ad[0], "exchange": w.ents[ad[2]][0],
                                      "value_sat": c[2], "amount_sat": c[2], "height": w.height, "step": kind})
            elif service_kind or ad[3] in ("mixer", "otc_desk", "service", "coinjoin_coordinator"):
                if ad[3] == "coinjoin_coordinator":
                    H["fees_coord"] += c[2]
                    cj_coord += c[2]
                    continue
                H["service"].append({"outpoint": op, "address": ad[0], "kind": service_kind or ad[3],
                                     "value_sat": c[2]})
                taint.add((c[0], c[1]))   # the service's later payments descend from it
                if ad[3] == "otc_desk":
                    w.give([c])
            else:
                H["honest_payments"].append({"outpoint": op, "address": ad[0], "kind": honest_kind or ad[3],
                                             "value_sat": c[2]})
                taint.add((c[0], c[1]))
                w.give([c])
        if cj:
            share = tin - tout - cj_coord
            H["fees_mining"] += share
            H["fees_coord"] += cj_coord
            fee = share
        else:
            fee = allin - allout
            H["fees_mining"] += fee
        H["thief_txids"].append(t)
        w.thief_rows.append([H["name"], t, w.height, kind, coins[0][0][::-1].hex(), tin, tout, dep_sat, fee, cj_coord])
        if cj:
            H["coinjoin_txids"].append(t)

    def user_with(amount, tries=8, pool=None):
        pool = pool or users
        for _ in range(tries):
            u = r.choice(pool)
            if sum(c[2] for c in w.wallet[u] if c[4] < w.height) >= amount:
                return u
        return None

    def bal(e):
        return sum(c[2] for c in w.wallet[e] if c[4] < w.height)

    # ---- honest activity
    def pay():
        u = user_with(150_000)
        if u is None:
            return
        b = bal(u)
        n = r.choice([1, 1, 1, 1, 2, 3])
        outs = []
        for _ in range(n):
            if r.random() < 0.55:
                m = r.choice(merchants)
                outs.append((int(b * r.uniform(0.01, 0.3) / n) + 1000, inv_addr(m)))
            else:
                outs.append((int(b * r.uniform(0.01, 0.3) / n) + 1000, user_addr(r.choice(users))))
        coins = w.take(u, sum(v for v, _ in outs) + 30000, 5)
        if not coins:
            return
        ch = w.fresh(u, r.choice(stypes) if r.random() < 0.15 else None)
        cpfp = r.random() < 0.04
        rate = 1 if cpfp else None
        txid, cr, t = htx(coins, outs, ch, kind="cpfp_parent" if cpfp else None, rate=rate)
        if cpfp and len(cr) > len(outs):
            # the payer bumps its stuck payment: a child spending the change at a high fee rate
            ch2 = cr[-1]
            rest = cr[:-1]
            w.give(rest)
            if ch2[2] > 100_000:
                txid2, cr2, _ = htx([ch2], [], w.fresh(u), kind="cpfp_child", rate=w.feerate * 4 + 20)
                w.give(cr2)
            else:
                w.give([ch2])
        else:
            w.give(cr)

    def deposit(u=None, coins=None):
        if u is None:
            u = user_with(400_000)
            if u is None:
                return
        x = r.choice(exchanges)
        if coins is None:
            v = int(bal(u) * r.uniform(0.05, 0.6))
            coins = w.take(u, v + 30000, 4)
            if not coins:
                return
            txid, cr, t = htx(coins, [(v, dep(x, u))], w.fresh(u))
        else:
            txid, cr, t = htx(coins, [], dep(x, u), rate=max(1, w.feerate // 2))
        note_deps(txid, cr, u)
        w.give(cr)

    def sweep(x):
        k = ("dep", x)
        ds = [c for c in w.wallet.get(k, []) if c[4] < w.height]
        if len(ds) < 4:
            return
        ds = ds[:r.randint(4, 80)]
        ids = {id(c) for c in ds}
        w.wallet[k] = [c for c in w.wallet[k] if id(c) not in ids]
        _, cr, _ = htx(ds, [], r.choice(hot[x]), rate=max(1, w.feerate // 2), kind="exchange_sweep")
        w.give(cr)

    def withdraw_batch(x, extra=()):
        n = r.randint(3, 40)
        outs = list(extra)
        for _ in range(n):
            u = r.choice(users)
            v = r.choice([r.randint(100_000, 80_000_000), r.randint(1, 50) * 1_000_000])
            outs.append((v, user_addr(u) if r.random() < 0.3 else w.fresh(u)))
        r.shuffle(outs)
        coins = w.take(x, sum(v for v, _ in outs) + 200_000, 40)
        if not coins:
            return None
        txid, cr, t = htx(coins, outs, r.choice(hot[x]), kind="exchange_withdrawal")
        for c in cr[:len(outs)]:
            ad = w.addrs[c[3]]
            if ad[3] == "user":
                cp("exchange_withdrawal_payee", c[3], txid, t, 150)
        w.give(cr)
        return txid, cr, outs

    def exchange_transfer():
        x, y = r.sample(exchanges, 2)
        v = r.randint(5, 60) * COIN
        coins = w.take(x, v + 300_000, 20)
        if not coins:
            return
        txid, cr, _ = htx(coins, [(v, dep(y, x))], r.choice(hot[x]), kind="exchange_transfer")
        note_deps(txid, cr, x)
        w.give(cr)

    def merchant_settle():
        m = r.choice(merchants)
        cs = [c for c in w.wallet[m] if c[4] < w.height]
        if len(cs) < 3:
            return
        cs = cs[:r.randint(3, 30)]
        ids = {id(c) for c in cs}
        w.wallet[m] = [c for c in w.wallet[m] if id(c) not in ids]
        x = exchanges[1 + m % 4]
        txid, cr, t = htx(cs, [], dep(x, m), rate=max(1, w.feerate // 2), kind="merchant_settle")
        note_deps(txid, cr, m)
        w.give(cr)

    def merchant_refund(m=None):
        m = m if m is not None else r.choice(merchants)
        cs = [c for c in w.wallet[m] if c[4] < w.height]
        if not cs:
            return
        r.shuffle(cs)
        c = max(cs[:4], key=lambda c: c[2])
        if c[2] < 60_000:
            return
        w.wallet[m].remove(c)
        u = r.choice(users)
        v = int(c[2] * r.uniform(0.1, 0.6))
        txid, cr, t = htx([c], [(v, w.fresh(u))], inv_addr(m) if r.random() < 0.5 else w.fresh(m), kind="merchant_refund")
        cp("merchant_refund_payee", cr[0][3], txid, t, 150)
        w.give(cr)

    def consolidate():
        for _ in range(5):
            u = r.choice(users)
            cs = [c for c in w.wallet[u] if c[4] < w.height]
            if len(cs) >= 5:
                cs = cs[:r.randint(5, 15)]
                ids = {id(c) for c in cs}
                w.wallet[u] = [c for c in w.wallet[u] if id(c) not in ids]
                _, cr, _ = htx(cs, [], w.fresh(u, r.choice(stypes)), rate=max(1, w.feerate // 3), kind="consolidation")
                w.give(cr)
                return

    # the payment processor: invoices at fresh addresses, swept, settled to merchants in batches
    proc_inv = []
    proc_owed = {}

    def processor_invoice(payer=None, coins=None, value=None, change=None):
        u = payer if payer is not None else user_with(200_000)
        if u is None:
            return None
        m = r.choice(merchants)
        ia = w.addr(processor, "p2wpkh", customer=str(m))
        if coins is None:
            value = int(bal(u) * r.uniform(0.02, 0.3)) + 5000
            coins = w.take(u, value + 30000, 4)
            if not coins:
                return None
            change = w.fresh(u)
        txid, cr = w.tx(coins, [(value, ia)], change, kind=None if u == thief else "processor_invoice")
        if u != thief:
            propagate(coins, txid, cr)
        proc_inv.append(cr[0])
        proc_owed[m] = proc_owed.get(m, 0) + int(value * 0.99)
        return txid, cr

    def processor_sweep():
        cs = [c for c in proc_inv if c[4] < w.height]
        if len(cs) < 10:
            return
        cs = cs[:r.randint(20, 120)]
        ids = {id(c) for c in cs}
        proc_inv[:] = [c for c in proc_inv if id(c) not in ids]
        _, cr, _ = htx(cs, [], proc_hot, rate=max(1, w.feerate // 2), kind="processor_sweep")
        w.give(cr)

    def processor_settle():
        owed = sorted(((v, m) for m, v in proc_owed.items() if v > 50_000), reverse=True)[:r.randint(5, 40)]
        if len(owed) < 3:
            return
        outs = []
        for v, m in owed:
            outs.append((v, dep(exchanges[1 + m % 4], m) if r.random() < 0.4 else inv_addr(m)))
        coins = w.take(processor, sum(v for v, _ in outs) + 100_000, 60)
        if not coins:
            return
        for v, m in owed:
            del proc_owed[m]
        txid, cr, t = htx(coins, outs, proc_hot, kind="processor_settlement")
        note_deps(txid, cr, processor)
        for c in cr[:len(outs)]:
            if w.addrs[c[3]][3] == "merchant":
                cp("processor_settled_merchant", c[3], txid, t)
        w.give(cr)

    def payroll():
        e = r.choice(employers)
        n = r.randint(10, 40)
        sal = r.choice([r.randint(2, 40) * 100_000, r.randint(200_000, 3_000_000)])
        if bal(e) < n * sal + 100_000:
            # the employer sells at an exchange: a withdrawal funds it
            x = r.choice(exchanges[1:])
            coins = w.take(x, n * sal * 2 + 300_000, 20)
            if not coins:
                return
            _, cr, _ = htx(coins, [(n * sal * 2, w.fresh(e))], r.choice(hot[x]), kind="exchange_withdrawal")
            w.give(cr)
            return
        staff = r.sample(users, n)
        outs = [(sal, w.fresh(u)) for u in staff]
        coins = w.take(e, n * sal + 100_000, 12)
        if not coins:
            return
        txid, cr, t = htx(coins, outs, w.fresh(e), kind="payroll")
        for c in cr[:n]:
            cp("payroll_employee", c[3], txid, t, 150)
        w.give(cr)

    def rbf_cancel():
        u = user_with(100_000)
        if u is None:
            return
        coins = w.take(u, 100_000, 2)
        if not coins:
            return
        _, cr, _ = htx(coins, [], w.fresh(u), kind="rbf_cancel", rate=w.feerate * 2 + 5)
        w.give(cr)

    def tapscript_spend():
        for _ in range(6):
            u = r.choice(list(users_tap))
            cs = [c for c in w.wallet[u] if c[4] < w.height and w.addrs[c[3]][6] == "tapscript"]
            if cs:
                c = cs[0]
                w.wallet[u].remove(c)
                to = r.choice(merchants)
                v = int(c[2] * r.uniform(0.2, 0.7))
                txid, cr, t = htx([c], [(v, inv_addr(to))], w.addr(u, "p2tr"), kind="tapscript_spend")
                w.give(cr)
                return

    def vault_in():
        u = r.choice(vault_users)
        if u not in vault_addr:
            sc = b"\x52" + b"".join(push(b"\x02" + w.sr.randbytes(32)) for _ in range(3)) + b"\x53\xae"
            vault_addr[u] = w.addr(u, "p2wsh", kind="ms23", script=sc)
        x = r.choice(exchanges[1:])
        v = r.randint(1, 40) * COIN // 4
        coins = w.take(x, v + 200_000, 20)
        if not coins:
            return
        _, cr, _ = htx(coins, [(v, vault_addr[u])], r.choice(hot[x]), kind="exchange_withdrawal")
        w.give(cr)

    def vault_spend():
        u = r.choice(vault_users)
        cs = [c for c in w.wallet[u] if c[4] < w.height and w.addrs[c[3]][6] == "ms23"]
        if not cs:
            return
        ids = {id(c) for c in cs}
        w.wallet[u] = [c for c in w.wallet[u] if id(c) not in ids]
        tot = sum(c[2] for c in cs)
        outs = [(int(tot * r.uniform(0.1, 0.5)), dep(r.choice(exchanges[1:]), u) if r.random() < 0.5 else w.fresh(u))]
        txid, cr, _ = htx(cs, outs, vault_addr[u], kind="vault_spend")
        note_deps(txid, cr, u)
        w.give(cr)

    def inscription():
        u = user_with(300_000)
        if u is None:
            return
        n = 1 if r.random() < 0.8 else r.randint(5, 25)
        body = w.sr.randbytes(r.randint(60, 380))
        env = (b"\x20" + w.sr.randbytes(32) + b"\xac" + b"\x00\x63" + push(b"ord") + b"\x51" + push(b"image/png") +
               b"\x00" + push(body) + b"\x68")
        ca = w.addr(u, "p2tr", kind="inscr", script=env)
        need = 546 * n + 2_000 * n + 30 * w.feerate * (1 + n) + len(body) * max(1, w.feerate) // 4 + 20_000
        coins = w.take(u, need + 30_000, 3)
        if not coins:
            return
        txid, cr, _ = htx(coins, [(need, ca)], w.fresh(u), kind="inscription_commit")
        w.give(cr[1:])
        c = cr[0]

        def reveal(c=c, u=u, n=n):
            if (c[0], c[1]) not in w.utxo:
                return
            outs = [(546, w.addr(u if i == 0 or r.random() < 0.5 else r.choice(users), "p2tr")) for i in range(n)]
            txid2, cr2, _ = htx([c], outs, w.fresh(u), kind="inscription_reveal")
            for c2 in cr2[:n]:
                cp("inscription_receiver", c2[3], txid2, False, 100)
            w.give(cr2)
        w.at(w.height + 1, reveal)

    # ---- honest peel chains: a wallet that always spends with change
    peel_id = [0]

    def honest_peel_start():
        # a withdrawal from an exchange funds a wallet that then spends it with change, hop by hop
        u = r.choice(users)
        x = r.choice(exchanges[1:])
        v = r.randint(8, 80) * COIN // 4
        coins = w.take(x, v + 300_000, 20)
        if not coins:
            return
        _, cr, _ = htx(coins, [(v, w.fresh(u))], r.choice(hot[x]), kind="exchange_withdrawal")
        w.give(cr[1:])
        peel_id[0] += 1
        hops = r.randint(10, 40)
        w.at(w.height + r.randint(1, 6), lambda c=cr[0], n=hops, ch=peel_id[0], u=u: honest_peel_hop(u, c, n, ch, 1))

    def honest_peel_hop(u, coin, left, chain, hop):
        if (coin[0], coin[1]) not in w.utxo:
            return
        w.wallet[u] = [c for c in w.wallet[u] if c is not coin]
        k = 1 if r.random() < 0.8 else 2
        outs = []
        for _ in range(k):
            m = r.choice(merchants)
            part = int(coin[2] * r.uniform(0.01, 0.15))
            if r.random() < 0.15:
                outs.append((part, dep(r.choice(exchanges), u)))
            else:
                outs.append((part, inv_addr(m) if r.random() < 0.85 else w.fresh(r.choice(users))))
        if sum(v for v, _ in outs) + 60_000 > coin[2]:
            w.give([coin])
            return
        rem_aid = w.fresh(u, r.choice(stypes) if r.random() < 0.2 else None)
        txid, cr, t = htx([coin], outs, rem_aid, kind="honest_peel")
        note_deps(txid, cr, u)
        rem = cr[-1] if len(cr) > len(outs) else None
        ad0 = w.addrs[outs[0][1]]
        w.peel_rows.append(["", "h%d" % chain, hop, txid[::-1].hex(), w.height, 0, outs[0][0], ad0[0],
                            w.ents[ad0[2]][0] if ad0[3] == "exchange_deposit" else "",
                            len(outs) if rem else "", rem[2] if rem else ""])
        for c in cr[:len(outs)]:
            if w.addrs[c[3]][3] in ("merchant", "user"):
                cp("honest_peel_payee", c[3], txid, t, 150)
        w.give(cr[:len(outs)])
        if rem is None:
            return
        if left > 1:
            w.at(w.height + r.randint(1, 6), lambda: honest_peel_hop(u, rem, left - 1, chain, hop + 1))
        else:
            w.give([rem])

    # ---- Whirlpool: Tx0s and 5x5 mixes; postmix coins go back to their owners' wallets
    wp_queue = {p: [] for p in WP_POOLS}     # coins waiting to mix (premix or postmix): (coin, owner)

    def tx0(owner, coins, pool, k, change, thief_tx=False):
        slack = max(200, int(pool * 0.0005)) + r.randint(0, 400)
        outs = []
        prem = []
        for _ in range(k):
            a2 = w.addr(owner, "p2wpkh")
            outs.append((pool + slack, a2))
        fee = pool * 5 // 100 if r.random() < 0.8 else pool * 5 // 200
        outs.append((fee, wp_fee_addr))
        outs.append((0, None, b"\x6a" + push(w.sr.randbytes(44))))
        txid, cr = w.tx(coins, outs, change, kind=None)
        for i in range(k):
            prem.append(cr[i])
        w.tx0_rows.append([txid[::-1].hex(), w.height, "tx0", pool, owner, len(coins), k, len(cr), H["name"] if thief_tx else ""])
        for c in prem:
            wp_queue[pool].append((c, owner))
        return txid, cr

    def honest_tx0():
        p = r.choice(WP_POOLS[:3])
        k = r.randint(2, 12)
        u = user_with(p * (k + 1))
        if u is None:
            return
        coins = w.take(u, p * k + p // 5 + 50_000, 4)
        if not coins:
            return
        txid, cr = tx0(u, coins, p, k, w.fresh(u))
        w.give(cr[k + 1:])   # the change (toxic) stays with the owner
        w.truth_lookalike.append(("tx0", txid[::-1].hex(), ""))

    def wp_mix(pool):
        q = wp_queue[pool]
        prem = [x for x in q if x[0][2] > pool and x[0][4] < w.height]
        post = [x for x in q if x[0][2] == pool and x[0][4] < w.height]
        if not prem:
            return
        r.shuffle(prem)
        r.shuffle(post)
        chosen, owners = [], set()
        for x in prem[:2] + post + prem[2:]:
            if x[1] in owners:
                continue
            chosen.append(x)
            owners.add(x[1])
            if len(chosen) == 5:
                break
        if len(chosen) < 5 or not any(x[0][2] > pool for x in chosen):
            return
        ids = {id(x[0]) for x in chosen}
        q[:] = [x for x in q if id(x[0]) not in ids]
        coins = [x[0] for x in chosen]
        outs = []
        for _, o in chosen:
            outs.append((pool, w.addr(o, "p2wpkh")))
        r.shuffle(outs)
        txid, cr = w.tx(coins, outs, None)
        th = any(o == thief for _, o in chosen)
        w.cj_rows.append([txid[::-1].hex(), w.height, "whirlpool", wp_coord, 5, 5, H["name"] if th else ""])
        if th:
            rec_thief("whirlpool", txid, coins, cr, cj=True)
            for c in cr:
                if w.addrs[c[3]][2] != thief:
                    cp("coinjoin_peer", c[3], txid, False, 10_000)
        for c, (_, o) in zip(cr, [(None, w.addrs[c[3]][2]) for c in cr]):
            if o == thief:
                thief_postmix.append(c)
                continue
            if r.random() < 0.55:
                wp_queue[pool].append((c, o))      # remix for free
            else:
                w.give([c])                         # back to the owner's wallet (deposited later, or spent)

    # ---- Wasabi 2 rounds
    def decompose(v, cap=6):
        outs = []
        for d in DENOMS:   # largest first
            while d <= v and len(outs) < cap:
                outs.append(d)
                v -= d
            if len(outs) >= cap:
                break
        return outs, v

    ww_thief = []      # thief coins waiting for a round

    def wasabi2(n_honest=None):
        n = n_honest or r.randint(20, 60)
        parts = []
        used = set()
        for _ in range(n * 3):
            if len(parts) >= n:
                break
            u = user_with(200_000)
            if u is None or u in used:
                continue
            cs = w.take(u, 200_000, r.randint(1, 4))
            if not cs:
                continue
            used.add(u)
            parts.append((u, cs))
        th_coins = [c for c in ww_thief if c[4] < w.height][:r.randint(3, 10)]
        if th_coins:
            ids = {id(c) for c in th_coins}
            ww_thief[:] = [c for c in ww_thief if id(c) not in ids]
            parts.append((thief, th_coins))
        if len(parts) < 5:
            for u, cs in parts:
                if u == thief:
                    ww_thief.extend(cs)
                else:
                    w.wallet[u].extend(cs)
            return
        coins, outs, coord = [], [], 0
        thief_coord = 0
        for u, cs in parts:
            tin = sum(c[2] for c in cs)
            cf = tin * 3 // 1000 if tin >= 1_000_000 else 0
            fee_share = w.feerate * (68 * len(cs) + 43 * 6)
            net = tin - cf - fee_share
            ds, left = decompose(net)
            for d in ds:
                outs.append((d, w.addr(u, "p2tr" if w.pref.get(u) == "p2tr" else "p2wpkh")))
            if left >= 5000:
                outs.append((left, w.addr(u, "p2wpkh")))
            coord += cf
            if u == thief:
                thief_coord = cf
            coins.extend(cs)
        if coord:
            outs.append((coord, ww_fee_addr))
        outs.sort(key=lambda x: -x[0])
        r.shuffle(coins)
        txid, cr = w.tx(coins, outs, None)
        w.cj_rows.append([txid[::-1].hex(), w.height, "wasabi2", ww_coord, len(coins), len(cr), H["name"] if th_coins else ""])
        if th_coins:
            rec_thief("wasabi2", txid, coins, cr, cj_coord=thief_coord, cj=True)
            H["fees_coord"] += 0
        for c in cr:
            o = w.addrs[c[3]][2]
            if o == thief:
                thief_postmix.append(c)
            elif o != ww_coord:
                if th_coins:
                    cp("coinjoin_peer", c[3], txid, False, 10_000)
                w.give([c])
            else:
                w.give([c])

    def joinmarket():
        taker = user_with(1_000_000)
        if taker is None:
            return
        makers = []
        for _ in range(20):
            m = user_with(1_000_000)
            if m is not None and m != taker and m not in makers:
                makers.append(m)
            if len(makers) >= r.randint(3, 8):
                break
        if len(makers) < 2:
            return
        tcs = w.take(taker, 1_000_000, 3)
        amt = int(sum(c[2] for c in tcs) * r.uniform(0.3, 0.9))
        mc = []
        for m in makers:
            cs = w.take(m, amt + 20_000, 3)
            if not cs:
                for u, c2 in mc:
                    w.wallet[u].extend(c2)
                w.wallet[taker].extend(tcs)
                return
            mc.append((m, cs))
        outs, coins = [], list(tcs)
        fees = 0
        for m, cs in mc:
            f = r.randint(100, 2000)
            fees += f
            outs.append((amt, w.addr(m, "p2wpkh")))
            outs.append((sum(c[2] for c in cs) - amt + f, w.addr(m, "p2wpkh")))
            coins.extend(cs)
        outs.append((amt, w.addr(taker, "p2wpkh")))
        tch = sum(c[2] for c in tcs) - amt - fees - w.feerate * (68 * len(coins) + 31 * (len(outs) + 1))
        if tch < 0:
            for u, c2 in mc:
                w.wallet[u].extend(c2)
            w.wallet[taker].extend(tcs)
            return
        if tch >= 5000:
            outs.append((tch, w.addr(taker, "p2wpkh")))
        r.shuffle(outs)
        r.shuffle(coins)
        txid, cr = w.tx(coins, outs, None)
        w.cj_rows.append([txid[::-1].hex(), w.height, "joinmarket", taker, len(coins), len(cr), ""])
        w.give(cr)

    # ---- custodial mixer: a fresh deposit address, swept, paid out later less 1-3 %
    mix_pending = []
    mix_queue = []

    def mixer_deposit_addr(cust):
        return w.addr(mixer, "p2wpkh", customer=str(cust), kind="mdep")

    def mixer_plan(v, payee, is_thief):
        net = int(v * (1 - r.uniform(0.01, 0.03)))
        parts = r.randint(1, 3)
        for i in range(parts):
            w.at(w.height + r.randint(6, max(12, active // 8)), lambda v=net // parts: mix_queue.append((v, payee, is_thief)))

    def honest_mixer():
        u = user_with(1_000_000)
        if u is None:
            return
        v = int(bal(u) * r.uniform(0.2, 0.6))
        coins = w.take(u, v + 30_000, 4)
        if not coins:
            return
        da = mixer_deposit_addr(u)
        txid, cr, _ = htx(coins, [(v, da)], w.fresh(u), kind="mixer_deposit")
        mix_pending.append(cr[0])
        w.give(cr[1:])
        mixer_plan(v, u, False)

    def mixer_sweep():
        ds = [c for c in mix_pending if c[4] < w.height]
        if len(ds) < 2:
            return
        ds = ds[:r.randint(2, 30)]
        ids = {id(c) for c in ds}
        mix_pending[:] = [c for c in mix_pending if id(c) not in ids]
        _, cr, _ = htx(ds, [], w.addr(mixer, "p2wpkh", kind="mpool"), rate=max(1, w.feerate // 2), kind="mixer_sweep")
        w.give(cr)

    def mixer_pay():
        if not mix_queue:
            return
        q = mix_queue[:r.randint(1, 4)]
        outs = [(v, w.fresh(p)) for v, p, _ in q]
        coins = w.take(mixer, sum(v for v, _ in outs) + 60_000, 20)
        if not coins:
            return
        del mix_queue[:len(q)]
        txid, cr, t = htx(coins, outs, w.addr(mixer, "p2wpkh", kind="mpool"), kind="mixer_payout")
        th = any(x[2] for x in q)
        for (v, p, is_th), c in zip(q, cr):
            if is_th:
                w.withdrawals.append([txid[::-1].hex(), c[1], w.addrs[c[3]][0], c[2], "mixer_payout"])
            else:
                cp("mixer_co_payee" if th else "mixer_payee", c[3], txid, t, 10_000 if th else 100)
        w.give(cr)
        for (v, p, is_th), c in zip(q, cr):
            if is_th:
                w.at(w.height + r.randint(2, 20), lambda c=c: thief2_deposit(c))

    # ---- OTC desk: a trade address per trade, payouts batched
    otc_queue = []

    def honest_otc():
        u = user_with(5_000_000)
        if u is None:
            return
        v = int(bal(u) * r.uniform(0.3, 0.8))
        coins = w.take(u, v + 30_000, 5)
        if not coins:
            return
        ta = w.addr(otc, "p2wpkh", customer=str(u))
        _, cr, _ = htx(coins, [(v, ta)], w.fresh(u), kind="otc_trade")
        w.give(cr)
        w.at(w.height + r.randint(1, 30), lambda: otc_queue.append((int(v * 0.98), r.choice(users), False)))

    def otc_pay():
        if len(otc_queue) < 2:
            return
        q = otc_queue[:r.randint(2, 6)]
        outs = [(v, w.fresh(p)) for v, p, _ in q]
        coins = w.take(otc, sum(v for v, _ in outs) + 60_000, 30)
        if not coins:
            # the desk buys at an exchange
            x = r.choice(exchanges[1:])
            c2 = w.take(x, sum(v for v, _ in outs) + 300_000, 30)
            if c2:
                _, cr, _ = htx(c2, [(sum(v for v, _ in outs) + 200_000, w.addr(otc, "p2wpkh"))], r.choice(hot[x]),
                               kind="exchange_withdrawal")
                w.give(cr)
            return
        del otc_queue[:len(q)]
        txid, cr, t = htx(coins, outs, w.addr(otc, "p2wpkh"), kind="otc_payout")
        th = any(x[2] for x in q)
        for (v, p, is_th), c in zip(q, cr):
            if is_th:
                w.withdrawals.append([txid[::-1].hex(), c[1], w.addrs[c[3]][0], c[2], "otc_payout"])
                w.at(w.height + r.randint(2, 20), lambda c=c: thief2_deposit(c))
            else:
                cp("otc_co_payee" if th else "otc_payee", c[3], txid, t, 10_000 if th else 100)
        w.give(cr)

    # ---- the heist
    thief_postmix = []
    tdeps = {}

    def thief_addr(st=None):
        return w.addr(thief, st or hr.choice(["p2wpkh", "p2wpkh", "p2tr", "p2sh"]))

    def thief_dep(x):
        lst = tdeps.setdefault(x, [])
        if len(lst) < 3 and (not lst or hr.random() < 0.3):
            lst.append(w.addr(x, hr.choice(["p2wpkh", "p2sh", "p2pkh"]), customer=str(thief), cat="exchange_deposit"))
        return hr.choice(lst)

    def thief2_deposit(c):
        if (c[0], c[1]) not in w.utxo:
            return
        w.wallet[thief2] = [x for x in w.wallet[thief2] if x is not c]
        x = hr.choice(exchanges[1:])
        txid, cr = w.tx([c], [], dep(x, thief2), rate=w.feerate)
        note_deps(txid, cr, thief2)
        w.give(cr)

    def theft():
        cs = [c for c in w.wallet[victim] if c[4] < w.height]
        cs.sort(key=lambda c: -c[2])
        cs = cs[:40]
        tot = sum(c[2] for c in cs)
        if tot < 50 * COIN:
            w.at(w.height + 5, theft)
            return
        ids = {id(c) for c in cs}
        w.wallet[victim] = [c for c in w.wallet[victim] if id(c) not in ids]
        amt = int(tot * hr.uniform(0.6, 0.8))
        k = hr.randint(3, 5)
        outs = [(amt // k + (amt % k if i == 0 else 0), thief_addr("p2wpkh")) for i in range(k)]
        txid, cr = w.tx(cs, outs, hot[victim][0])
        H["amount_sat"] = amt
        H["theft_txid"] = txid[::-1].hex()
        H["theft_height"] = w.height
        H["victim_inputs"] = ["%s:%d" % (c[0][::-1].hex(), c[1]) for c in cs]
        H["stolen_outputs"] = [{"outpoint": "%s:%d" % (txid[::-1].hex(), c[1]), "address": w.addrs[c[3]][0],
                                "value_sat": c[2]} for c in cr[:k]]
        w.thief_rows.append([H["name"], txid[::-1].hex(), w.height, "theft", "", 0, amt, 0, 0, 0])
        H["thief_txids"].append(txid[::-1].hex())
        w.give(cr[k:])
        w.at(w.height + hr.randint(3, 8), lambda: fan_out(cr[:k]))

    def fan_out(coins):
        n = hr.randint(20, 28)
        tot = sum(c[2] for c in coins)
        outs = []
        weights = [hr.uniform(0.5, 1.5) for _ in range(n)]
        sw = sum(weights)
        for x in weights:
            outs.append((int((tot - 2_000_000) * x / sw), thief_addr()))
        txid, cr = w.tx(coins, outs[:-1], outs[-1][1], rate=int(w.feerate * hr.uniform(0.8, 1.5)) + 1)
        rec_thief("fan_out", txid, coins, cr)
        plans = (["peel"] * 8 + ["wasabi2"] * 3 + ["whirlpool"] * 2 + ["mixer"] * 3 + ["processor"] * 2 +
                 ["otc"] * 2 + ["deposit"] * 2 + ["exchange_hop"] * 2 + ["merchant"] * 2 + ["hold"])
        hr.shuffle(plans)
        span = int(active * 0.55)
        for i, c in enumerate(cr):
            p = plans[i % len(plans)]
            w.at(w.height + 2 + hr.randint(0, span), lambda c=c, p=p: stage(c, p))

    def thief_spend(coins, outs, change, kind, **kw):
        txid, cr = w.tx(coins, outs, change, rate=int(w.feerate * hr.uniform(0.8, 1.6)) + 1, **kw)
        return txid, cr

    def stage(c, p):
        if (c[0], c[1]) not in w.utxo:
            return
        if p == "peel":
            peel_id[0] += 1
            thief_peel(c, hr.randint(8, 25), peel_id[0], 1)
        elif p == "wasabi2":
            k = hr.randint(3, 8)
            outs = [(c[2] // (k + 1) * hr.randint(80, 100) // 100, thief_addr("p2wpkh")) for _ in range(k)]
            txid, cr = thief_spend([c], outs, thief_addr("p2wpkh"), "split")
            rec_thief("split", txid, [c], cr)
            ww_thief.extend(cr)
        elif p == "whirlpool":
            pool = 5_000_000 if c[2] < 40 * COIN else 50_000_000
            k = min(60, int(c[2] * 0.9 // (pool + 2000)))
            if k < 1:
                return
            txid, cr = tx0(thief, [c], pool, k, thief_addr(), thief_tx=True)
            rec_thief("tx0", txid, [c], cr)
            if len(cr) > k + 2:
                w.at(w.height + hr.randint(5, 40), lambda ch=cr[-1]: stage(ch, "deposit"))
        elif p == "mixer":
            parts = hr.randint(1, 3)
            outs = []
            for _ in range(parts):
                v = int(c[2] * hr.uniform(0.2, 0.3))
                outs.append((v, mixer_deposit_addr(thief)))
            txid, cr = thief_spend([c], outs, thief_addr(), "mixer_deposit")
            rec_thief("mixer_deposit", txid, [c], cr, service_kind="mixer_deposit")
            for x in cr[:parts]:
                mix_pending.append(x)
                mixer_plan(x[2], thief2, True)
            if len(cr) > parts:
                w.at(w.height + hr.randint(3, 30), lambda ch=cr[-1]: stage(ch, "peel"))
        elif p == "processor":
            # goods bought through an honest payment processor: the invoice is swept with honest ones
            v = int(c[2] * hr.uniform(0.05, 0.2))
            res = processor_invoice(thief, [c], v, thief_addr())
            txid, cr = res
            rec_thief("processor_invoice", txid, [c], cr, service_kind="processor_invoice")
            if len(cr) > 1:
                w.at(w.height + hr.randint(3, 30), lambda ch=cr[-1]: stage(ch, "peel"))
        elif p == "otc":
            v = int(c[2] * hr.uniform(0.4, 0.9))
            ta = w.addr(otc, "p2wpkh", customer=str(thief))
            txid, cr = thief_spend([c], [(v, ta)], thief_addr(), "otc_trade")
            rec_thief("otc_trade", txid, [c], cr, service_kind="otc_trade")
            w.at(w.height + hr.randint(1, 30), lambda: otc_queue.append((int(v * 0.98), thief2, True)))
            if len(cr) > 1:
                w.at(w.height + hr.randint(3, 30), lambda ch=cr[-1]: stage(ch, "deposit"))
        elif p == "deposit":
            x = hr.choice(cash_ex)
            if hr.random() < 0.5:
                txid, cr = thief_spend([c], [], thief_dep(x), "deposit")
            else:
                v = int(c[2] * hr.uniform(0.3, 0.7))
                txid, cr = thief_spend([c], [(v, thief_dep(x))], thief_addr(), "deposit")
                if len(cr) > 1:
                    w.at(w.height + hr.randint(3, 30), lambda ch=cr[-1]: stage(ch, "deposit"))
            rec_thief("deposit", txid, [c], cr)
        elif p == "exchange_hop":
            # deposit at one exchange; the exchange later pays the thief's second wallet in a
            # batch with honest customers, which deposits at another exchange
            x = hr.choice(cash_ex)
            txid, cr = thief_spend([c], [], thief_dep(x), "deposit")
            rec_thief("deposit", txid, [c], cr)
            v = int(cr[0][2] * 0.97)

            def hop(x=x, v=v):
                res = withdraw_batch(x, extra=[(v, w.fresh(thief2))])
                if res is None:
                    w.at(w.height + 3, lambda: hop(x, v))
                    return
                txid2, cr2, outs = res
                for c2 in cr2:
                    if c2 is not None and w.addrs[c2[3]][2] == thief2:
                        w.withdrawals.append([txid2[::-1].hex(), c2[1], w.addrs[c2[3]][0], c2[2], "exchange_withdrawal"])
                        w.at(w.height + hr.randint(2, 20), lambda c2=c2: thief2_deposit(c2))
                    elif c2 is not None and w.addrs[c2[3]][3] == "user":
                        cp("exchange_co_payee", c2[3], txid2, False, 10_000)
            w.at(w.height + hr.randint(10, 60), hop)
        elif p == "merchant":
            m = max(merchants, key=lambda m: (len(w.wallet[m]), -m))
            v = int(c[2] * hr.uniform(0.02, 0.1))
            txid, cr = thief_spend([c], [(v, inv_addr(m))], thief_addr(), "merchant_payment")
            rec_thief("merchant_payment", txid, [c], cr, honest_kind="merchant")
            tainted_merchants.append(m)
            for _ in range(4):
                w.at(w.height + hr.randint(2, 40), lambda m=m: merchant_refund(m))
            if len(cr) > 1:
                w.at(w.height + hr.randint(3, 30), lambda ch=cr[-1]: stage(ch, "peel"))
        # "hold": stays unspent

    tainted_merchants = []

    def thief_peel(coin, left, chain, hop):
        if (coin[0], coin[1]) not in w.utxo:
            return
        k = hr.choice([1, 1, 2, 2, 3])
        outs = []
        ex_name = ""
        for i in range(k):
            part = int(coin[2] * hr.uniform(0.02, 0.1))
            if hr.random() < 0.12:
                m = hr.choice(merchants)
                outs.append((part // 4, inv_addr(m)))
                tainted_merchants.append(m)
            else:
                x = hr.choice(cash_ex)
                outs.append((part, thief_dep(x)))
                if not ex_name:
                    ex_name = w.ents[x][0]
        hr.shuffle(outs)
        if sum(v for v, _ in outs) + 100_000 > coin[2]:
            txid, cr = thief_spend([coin], [], thief_dep(hr.choice(cash_ex)), "cash_out")
            rec_thief("cash_out", txid, [coin], cr)
            return
        st = "p2tr" if hop > 4 and hr.random() < 0.5 else "p2wpkh"
        txid, cr = thief_spend([coin], outs, thief_addr(st), "peel")
        rec_thief("peel", txid, [coin], cr)
        t = txid[::-1].hex()
        H["peel_chain_txids"].append(t)
        rem = cr[-1] if len(cr) > len(outs) else None
        ad0 = w.addrs[outs[0][1]]
        w.peel_rows.append([H["name"], chain, hop, t, w.height, 0, outs[0][0], ad0[0],
                            w.ents[ad0[2]][0] if ad0[3] == "exchange_deposit" else "",
                            len(outs) if rem else "", rem[2] if rem else ""])
        for c2 in cr[:len(outs)]:
            if w.addrs[c2[3]][3] == "merchant":
                cp("thief_paid_merchant", c2[3], txid, True, 10_000)
        if rem is None:
            return
        if left > 1:
            w.at(w.height + hr.randint(1, 12), lambda: thief_peel(rem, left - 1, chain, hop + 1))
        elif hr.random() < 0.5:
            w.at(w.height + hr.randint(3, 30), lambda: stage(rem, "wasabi2"))
        # else left unspent

    def thief_postmix_spend():
        cs = [c for c in thief_postmix if c[4] < w.height and (c[0], c[1]) in w.utxo]
        if not cs:
            return
        k = hr.choice([1, 1, 2])
        cs = cs[:k]
        ids = {id(c) for c in cs}
        thief_postmix[:] = [c for c in thief_postmix if id(c) not in ids]
        x = hr.choice(cash_ex)
        if hr.random() < 0.15 and k == 1 and cs[0][2] > 1_000_000:
            m = hr.choice(merchants)
            v = int(cs[0][2] * hr.uniform(0.2, 0.5))
            txid, cr = thief_spend(cs, [(v, inv_addr(m))], thief_addr(), "postmix_merchant")
            rec_thief("postmix_merchant", txid, cs, cr, honest_kind="merchant")
            tainted_merchants.append(m)
            if len(cr) > 1:
                thief_postmix.append(cr[-1])
            return
        txid, cr = thief_spend(cs, [], thief_dep(x), "postmix_deposit")
        rec_thief("postmix_deposit", txid, cs, cr)

    # ---- the chain
    w.tx0_rows = []
    blocks = []
    stale = []
    gtxid = dsha(GENESIS_CB)
    ghdr = struct.pack("<i", 1) + b"\0" * 32 + gtxid + struct.pack("<III", 1296688602, 0x207fffff, 2)
    ghash = dsha(ghdr)
    if ghash[::-1].hex() != REGTEST_GENESIS:
        raise RuntimeError("regtest genesis mismatch")
    blocks.append((0, ghash, ghdr + b"\x01" + GENESIS_CB))
    prev = ghash
    t0 = 1767225600

    def mine(prev_hash, txs, miner, height, tag=b""):
        return base.mine_block(w, prev_hash, txs, w.addrs[miner_addr[miner]][5], height,
                               t0 + 600 * height + (height * 53 % 400) - 200, b"/alt7/" + tag)

    n_stale = max(3, active // 400)
    stale_at = set(r.sample(range(120, 110 + active), n_stale))
    heist_h = 110 + int(active * 0.08) + r.randint(0, 5)
    want = int(200_000 * s) if s >= 1 else 0
    height = 0
    acts = [(pay, 36), (deposit, 10), (lambda: sweep(r.choice(exchanges)), 1.5),
            (lambda: withdraw_batch(r.choice(exchanges)), 2.5), (exchange_transfer, 0.3), (merchant_settle, 1.2),
            (merchant_refund, 1.0), (consolidate, 1.0), (processor_invoice, 7), (processor_sweep, 0.15),
            (processor_settle, 0.25), (payroll, 0.25), (rbf_cancel, 0.5), (tapscript_spend, 1.5),
            (vault_in, 0.3), (vault_spend, 0.3), (inscription, 1.5), (honest_peel_start, 0.12),
            (honest_tx0, 0.35), (joinmarket, 0.2), (honest_mixer, 0.4), (mixer_sweep, 0.3), (mixer_pay, 0.5),
            (honest_otc, 0.4), (otc_pay, 0.3)]
    tw = sum(x for _, x in acts)
    while True:
        height += 1
        if height >= 111 + active and w.ntx + height >= want:
            break
        w.height = height
        w.block_txs = []
        w.feerate = max(1, min(150, w.feerate + r.randint(-3, 3)))
        if height > 110:
            for m in miners:
                mc = [c for c in w.wallet[m] if c[4] <= height - 100]
                if mc and (height < 150 or r.random() < 0.6):
                    c = mc[0]
                    w.wallet[m].remove(c)
                    outs = []
                    tot = c[2] - 300_000
                    if height < heist_h:
                        outs.append((tot * 3 // 10, r.choice(hot[victim])))
                    for x in exchanges[1:] if height < 230 else [r.choice(exchanges)]:
                        outs.append((tot // 15, r.choice(hot[x])))
                    for e in (processor, otc, mixer) if height < 200 else ():
                        outs.append((tot // 40, w.fresh(e)))
                    if height < 200:
                        outs.append((tot // 30, w.fresh(r.choice(employers))))
                    rest = tot - sum(v for v, _ in outs)
                    k = r.randint(30, 150)
                    for _ in range(k):
                        outs.append((rest // k, w.fresh(r.choice(users))))
                    txid, cr = w.tx([c], outs, None, kind="pool_payout")
                    for c2 in cr[-5:]:
                        cp("pool_payee", c2[3], txid, False, 100)
                    w.give(cr)
            for fn in w.sched.pop(height, []):
                fn()
            if height == heist_h:
                theft()
            n_act = int(per_block * r.uniform(0.7, 1.3))
            start_n = w.ntx
            stuck = 0
            while w.ntx - start_n < n_act and stuck < 200:
                x = r.random() * tw
                before = w.ntx
                for fn, wt in acts:
                    x -= wt
                    if x <= 0:
                        fn()
                        break
                stuck = stuck + 1 if w.ntx == before else 0
            for p in WP_POOLS:
                for _ in range(3):
                    wp_mix(p)
            if height % max(6, int(30 * max(s, 0.1))) == 0 and height > 130:
                wasabi2()
            if ww_thief and height % 5 == 0:
                wasabi2(r.randint(20, 50))
            if thief_postmix and r.random() < 0.5:
                thief_postmix_spend()
            # honest postmix holders deposit at exchanges later (deposit() takes any coin)
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
    if "amount_sat" not in H:
        raise RuntimeError("the heist never happened: a larger --scale is needed")

    # ---- write the blocks
    tdir = os.path.join(a.out, "truth")
    files = base.write_blocks(a, blocks, stale, r)

    # ---- truth
    unspent = [c for c in w.utxo.values() if w.addrs[c[3]][2] == thief]
    unspent.sort(key=lambda c: (c[4], c[0], c[1]))
    heist = base.heist_truth(w, H, thief, thief2, victim, unspent, 0)
    with open(os.path.join(tdir, "heists.json"), "w") as f:
        json.dump([heist], f, indent=1)
    base.write_entities(w, tdir)

    def wcsv(name, head, rows):
        base.write_table(tdir, name, head, rows)
    wcsv("coinjoins.csv", "txid,height,kind,coordinator_id,n_inputs,n_outputs,heist", w.cj_rows)
    wcsv("tx0s.csv", "txid,height,kind,pool_sat,owner_id,n_inputs,n_premix,n_outputs,heist", w.tx0_rows)
    wcsv("peel_chains.csv", "heist,chain,hop,txid,height,peel_vout,peel_sat,peel_address,exchange,remainder_vout,remainder_sat",
         w.peel_rows)
    w.dep_rows.sort(key=lambda x: (x[2], x[0], x[1]))
    wcsv("deposits.csv", "txid,vout,height,address,exchange,payer_id,value_sat,heist", w.dep_rows)
    wcsv("thief_txs.csv", "heist,txid,height,kind,parent_txid,thief_in_sat,thief_out_sat,deposit_sat,fee_sat,coordinator_fee_sat",
         w.thief_rows)
    wcsv("lookalikes.csv", "kind,txid,heist", w.truth_lookalike)
    wcsv("withdrawals.csv", "txid,vout,address,value_sat,kind", w.withdrawals)
    wcsv("received.csv", "txid,vout,address,value_sat,kind", [])
    wcsv("dust.csv", "txid,vout,address,category,value_sat", [])
    wcsv("counterparts.csv", "group,address,txid,tainted", counterparts)
    best = blocks[-1]
    world = {"format": "chainwatch-gen-truth/1", "generator": "tests/diff/btc_alt7_world.py", "network": "regtest",
             "seed": a.seed, "scale": a.scale, "scenario": "lazarus-honest-shapes", "txs": w.ntx + len(blocks),
             "blocks": len(blocks), "best_height": best[0], "tip": best[1][::-1].hex(), "files": len(files),
             "blk_bytes": sum(len(x) for x in files), "xor_key": a.xor_key or "",
             "zero_tail_bytes": a.zero_tail, "zero_tail_files": "last" if a.zero_tail else "",
             "stale_blocks": [{"hash": h[::-1].hex(), "height": ht} for ht, h, _ in stale],
             "addresses": len(w.addrs), "entities": len(w.ents), "coinjoins": len(w.cj_rows), "tx0s": len(w.tx0_rows),
             "heist_sat": H["amount_sat"], "heist_btc": H["amount_sat"] / COIN,
             "tainted_merchants": sorted(set(tainted_merchants))}
    with open(os.path.join(tdir, "world.json"), "w") as f:
        json.dump(world, f, indent=1)
    return world, heist


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
    world, h = build(a)
    print("%d txs, %d blocks, heist %.2f BTC: %d deposits, %d service deposits, %d honest payments, %d coinjoins, %d tx0s"
          % (world["txs"], world["blocks"], h["amount_sat"] / COIN, len(h["deposits"]), len(h["service_deposits"]),
             len(h["honest_payments"]), world["coinjoins"], world["tx0s"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
