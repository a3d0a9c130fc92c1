#!/usr/bin/python3
"""btc_alt8_world.py: a ninth outside Bitcoin world (issue 11): the adversary attacks the watcher.
The thief (Lazarus) knows chain analysis and tries to make it blame honest people, because a false
attribution to an honest person is worse than a miss:

* PayJoin (BIP78): the thief pays an honest merchant, which adds one of its own coins to the
  inputs (the common-input heuristic would put thief and merchant in one cluster); honest users
  pay PayJoin merchants the same way;
* dusting: 546-5,000 sat outputs of stolen coin to hundreds of honest addresses a tx (users'
  addresses that received coins before, honest customers' exchange deposit addresses, a charity's
  and a developer's well-known donation addresses); some dusted users later spend the dust with
  their own coins into their exchange account;
* gifts to frame: 0.5-5 BTC of stolen coin sent unasked to the charity, the developer and a
  public figure, who spend it with their other coins (the charity cashes out at an exchange);
* decoy CoinJoins: the thief alone makes equal-output txs (3-6 of its own inputs, 5-12 equal
  outputs, one "change" per input), and it joins real Wasabi 2 rounds with honest peers;
* Lightning: the thief opens 2-of-2 P2WSH channels with honest nodes and closes them cooperatively
  or by force (to_local behind a CSV delay swept to a fresh address, to_remote, two 330-sat
  anchors, an offered HTLC the node claims); honest users open and close channels too;
* change traps: the thief pays honest sellers (peer-to-peer trades) an output that looks like
  change (the input's script type, a non-round amount) and keeps a round "payment" on another
  script type, reusing one such address as honest wallets do; the sellers spend the coin with
  their own coins;
* an exchange's batched withdrawal paying the thief's second wallet beside honest customers;
* and the usual heist: theft from an exchange hot wallet, a fan-out, peel chains of 1-2 peels a
  hop to the thief's accounts at three exchanges, direct deposits, post-mix deposits.

  btc_alt8_world.py --out DIR [--seed S] [--scale F] [--xor-key HEX16] [--zero-tail BYTES]
                    [--max-file-size BYTES]

Truth: docs/GEN.md's layout (world.json, entities.csv, addresses.csv, coinjoins.csv, tx0s.csv
(empty), peel_chains.csv, deposits.csv, thief_txs.csv, heists.json) plus lookalikes.csv
(kind,txid,heist: payjoin, ln_open, ln_coop_close, ln_force_close, ln_sweep, htlc_success,
exchange_withdrawal, exchange_sweep, dust_consolidation, ...), withdrawals.csv (coins a service
paid the thief: not stolen), dust.csv (every dust output), an empty received.csv, and
counterparts.csv (group,address,txid,tainted): honest addresses by the shape that touched them;
tainted 1 when the paying tx spent a coin descending, through honest non-exchange hops, from the
thief's payment to an honest party (not stolen by the definition; a tracer that keeps following
the money reaches it). Stolen value is docs/GEN.md's definition with btc_alt5's extension: the
thief's payments to honest parties (dust, gifts, a PayJoin merchant's payment, a channel peer's
share, anchor and HTLC, a seller's price) are stolen value given away (honest_payments; for a
PayJoin, the merchant's output minus the merchant's own input); coins an exchange pays the thief
belong to a second thief entity (withdrawn_entity). The generator refuses to finish when stolen !=
deposited + honest payments + unspent + fees to the satoshi.

Standard library only (the transaction serialiser, address encoders, block mining, blk files and
heist record are btc_alt6_world.py's), deterministic by seed. --scale 1: >= 200k transactions.
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


class W8(base.World):
    def __init__(self, a):
        super().__init__(a)
        self.rng = random.Random(a.seed * 7727 + 91)
        self.hr = random.Random(a.seed * 81929 + 17)
        self.sr = random.Random(a.seed * 41 + 29)
        self.salt = b"alt8:%d:" % a.seed
        self.known = {}          # user -> addresses it has received coins on (dusting targets)
        self.known_set = set()

    def give(self, coins):
        for c in coins:
            if c is not None and self.addrs[c[3]][3] == "user" and c[3] not in self.known_set:
                self.known_set.add(c[3])
                self.known.setdefault(self.addrs[c[3]][2], []).append(c[3])
        super().give(coins)


def build(a):
    w = W8(a)
    r = w.rng
    hr = w.hr
    s = a.scale
    active = max(70, int(1400 * s))
    per_block = 140 if s >= 0.05 else 45
    n_users = max(500, int(9000 * s))
    w.pref = {}
    stypes = ["p2wpkh"] * 9 + ["p2pkh"] * 2 + ["p2sh"] * 3 + ["p2tr"] * 4
    miners = [w.ent("pool-%d" % i, "miner") for i in range(5)]
    miner_addr = {m: w.addr(m, "p2wpkh") for m in miners}
    exchanges = [w.ent(n, "exchange") for n in ("upbit-like", "binance-like", "okx-like", "kraken-like")]
    victim = exchanges[0]
    cash_ex = exchanges[1:]
    hot = {x: [w.addr(x, t) for t in ("p2wpkh", "p2sh", "p2tr")] for x in exchanges}
    merchants = [w.ent("merchant-%d" % i, "merchant") for i in range(max(18, int(120 * s)))]
    pj_merchants = merchants[::3]          # BIP78 receivers (BTCPay-like)
    wasabi_coord = w.ent("wasabi2-coordinator", "coinjoin_coordinator")
    ww_fee_addr = w.addr(wasabi_coord, "p2wpkh")
    charity = w.ent("charity-donations", "service")
    dev = w.ent("dev-donations", "user")
    nodes = [w.ent("ln-node-%d" % i, "user") for i in range(8)]
    users = [w.ent("user-%d" % i, "user") for i in range(n_users)]
    for e in users + merchants + nodes:
        w.pref[e] = r.choice(stypes)
    w.pref[charity] = "p2wpkh"
    w.pref[dev] = "p2tr"
    charity_addr = w.addr(charity, "p2wpkh")   # well known, reused forever
    dev_addr = w.addr(dev, "p2tr")
    public_fig = users[0]
    public_addr = w.addr(public_fig, "p2wpkh")
    thief = w.ent("lazarus", "thief")
    thief2 = w.ent("lazarus-withdrawn", "thief")
    w.pref[thief] = "p2wpkh"
    w.pref[thief2] = "p2wpkh"
    known = w.known
    depaddr = {}
    taint = set()
    counterparts = []
    cp_seen = {}
    dust_rows = []
    thief_dep_aids = set()

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

    def uaddr(u, stype=None):
        if u == public_fig:
            return public_addr
        if u in known and r.random() < 0.25:
            return r.choice(known[u])
        return w.fresh(u, stype)

    def note_deps(txid, cr, payer, heist=""):
        for c in cr:
            if c is None:
                continue
            ad = w.addrs[c[3]]
            if ad[3] == "exchange_deposit":
                w.dep_rows.append([txid[::-1].hex(), c[1], w.height, ad[0], w.ents[ad[2]][0], payer, c[2], heist])

    def propagate(coins, created):
        t = any((c[0], c[1]) in taint for c in coins)
        if t:
            for c in created:
                if c is not None and w.addrs[c[3]][3] not in ("thief", "exchange", "exchange_deposit"):
                    taint.add((c[0], c[1]))
        return t

    def htx(coins, outs, change, kind=None, **kw):
        txid, cr = w.tx(coins, outs, change, kind=kind, **kw)
        t = propagate(coins, cr)
        return txid, cr, t

    H = {"name": "lazarus-attacks-the-watcher", "deposits": [], "honest_payments": [], "service": [],
         "coinjoin_txids": [], "peel_chain_txids": [], "thief_txids": [], "fees_mining": 0, "fees_coord": 0}

    def is_thief_coin(c):
        return w.addrs[c[3]][2] == thief

    def rec_thief(kind, txid, coins, created, cj=False, cj_coord=0, honest_kind=None, pj=None):
        """pj: (merchant output's aid, the merchant's own input value) of a PayJoin"""
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
            elif ad[3] == "exchange_deposit" and c[3] in thief_dep_aids:
                w.give([c])
                dep_sat += c[2]
                H["deposits"].append({"outpoint": op, "address": ad[0], "exchange": w.ents[ad[2]][0],
                                      "value_sat": c[2], "amount_sat": c[2], "height": w.height, "step": kind})
                w.dep_rows.append([t, c[1], w.height, ad[0], w.ents[ad[2]][0], thief, c[2], H["name"]])
            else:
                v = c[2]
                if pj and c[3] == pj[0]:
                    v -= pj[1]
                hk = honest_kind or ad[3]
                if ad[3] == "exchange_deposit":
                    hk += "_deposit"
                    w.dep_rows.append([t, c[1], w.height, ad[0], w.ents[ad[2]][0], thief, c[2], ""])
                H["honest_payments"].append({"outpoint": op, "address": ad[0], "kind": hk, "value_sat": v})
                taint.add((c[0], c[1]))
                w.give([c])
        if cj:
            share = tin - tout - cj_coord
            H["fees_mining"] += share
            H["fees_coord"] += cj_coord
            fee = share
            H["coinjoin_txids"].append(t)
        else:
            fee = allin - allout
            H["fees_mining"] += fee
        H["thief_txids"].append(t)
        w.thief_rows.append([H["name"], t, w.height, kind, coins[0][0][::-1].hex(), tin, tout, dep_sat, fee, cj_coord])

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
        outs = []
        for _ in range(r.choice([1, 1, 1, 2, 3])):
            v = int(b * r.uniform(0.01, 0.25)) + 1000
            if r.random() < 0.5:
                outs.append((v, w.fresh(r.choice(merchants))))
            elif r.random() < 0.06:
                outs.append((v // 10 + 1000, r.choice([charity_addr, dev_addr])))
            else:
                outs.append((v, uaddr(r.choice(users))))
        coins = w.take(u, sum(v for v, _ in outs) + 30000, 5)
        if not coins:
            return
        ch = w.fresh(u, r.choice(stypes) if r.random() < 0.15 else None)
        _, cr, _ = htx(coins, outs, ch)
        w.give(cr)

    def deposit(u=None, coins=None, group=None):
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
            txid, cr, t = htx(coins, [], dep(x, u), rate=max(1, w.feerate // 2), kind="dust_consolidation" if group else None)
        note_deps(txid, cr, u)
        if group:
            cp(group, dep(x, u), txid, t, 10_000)
        w.give(cr)
        return txid

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
        outs = list(extra)
        for _ in range(r.randint(3, 40)):
            u = r.choice(users)
            v = r.choice([r.randint(100_000, 80_000_000), r.randint(1, 50) * 1_000_000])
            outs.append((v, uaddr(u)))
        r.shuffle(outs)
        coins = w.take(x, sum(v for v, _ in outs) + 200_000, 40)
        if not coins:
            return None
        txid, cr, t = htx(coins, outs, r.choice(hot[x]), kind="exchange_withdrawal")
        w.give(cr)
        return txid, cr

    def consolidate():
        u = user_with(300_000)
        if u is None:
            return
        cs = [c for c in w.wallet[u] if c[4] < w.height and c[2] > 20_000]
        if len(cs) < 3:
            return
        cs = cs[:r.randint(3, 12)]
        ids = {id(c) for c in cs}
        w.wallet[u] = [c for c in w.wallet[u] if id(c) not in ids]
        _, cr, _ = htx(cs, [], uaddr(u), rate=1, kind="consolidation")
        w.give(cr)

    def merchant_coin(m, minv=10_000):
        cs = [c for c in w.wallet[m] if c[4] < w.height and c[2] >= minv]
        if not cs:
            return None
        c = r.choice(cs)
        w.wallet[m] = [x for x in w.wallet[m] if x is not c]
        return c

    def honest_payjoin():
        m = r.choice(pj_merchants)
        u = user_with(300_000)
        if u is None or not [c for c in w.wallet[m] if c[4] < w.height and c[2] >= 10_000]:
            return
        v = int(bal(u) * r.uniform(0.05, 0.4))
        coins = w.take(u, v + 40_000, 3)
        if not coins:
            return
        mc = merchant_coin(m)
        ins = coins + [mc]
        r.shuffle(ins)
        ma = w.fresh(m)
        outs = [(v + mc[2], ma)]
        ch = w.fresh(u)
        txid, cr, t = htx(ins, outs, ch, kind="payjoin")
        cp("payjoin_merchant", ma, txid, t, 300)
        w.give(cr)

    def merchant_settle(m=None, group=None):
        m = m if m is not None else r.choice(merchants)
        cs = [c for c in w.wallet[m] if c[4] < w.height]
        if len(cs) < 2:
            return
        cs = cs[:r.randint(2, 25)]
        ids = {id(c) for c in cs}
        w.wallet[m] = [c for c in w.wallet[m] if id(c) not in ids]
        x = r.choice(cash_ex)
        txid, cr, t = htx(cs, [], dep(x, m), rate=max(1, w.feerate // 2), kind="merchant_settle")
        note_deps(txid, cr, m)
        if group:
            cp(group, dep(x, m), txid, t, 10_000)
        w.give(cr)

    def charity_cashout(group=None):
        cs = [c for c in w.wallet[charity] if c[4] < w.height]
        if len(cs) < 2:
            return
        cs = cs[:60]
        ids = {id(c) for c in cs}
        w.wallet[charity] = [c for c in w.wallet[charity] if id(c) not in ids and c[2] > 5000]
        x = cash_ex[0]
        tot = sum(c[2] for c in cs)
        outs = [(int(tot * 0.3), w.fresh(r.choice(merchants)))]   # a grant paid to a supplier
        txid, cr, t = htx(cs, outs, dep(x, charity), rate=max(1, w.feerate // 2), kind="charity_cashout")
        note_deps(txid, cr, charity)
        cp("charity_deposit" if group is None else group, dep(x, charity), txid, t, 10_000)
        cp("charity_grantee", cr[0][3], txid, t, 10_000)
        w.give(cr)

    def dev_spend():
        cs = [c for c in w.wallet[dev] if c[4] < w.height and c[2] > 5000]
        if not cs:
            return
        cs = cs[:8]
        ids = {id(c) for c in cs}
        w.wallet[dev] = [c for c in w.wallet[dev] if id(c) not in ids]
        tot = sum(c[2] for c in cs)
        pa = uaddr(r.choice(users))
        txid, cr, t = htx(cs, [(int(tot * r.uniform(0.2, 0.6)), pa)], dev_addr, kind="dev_spend")
        cp("dev_payee", pa, txid, t, 10_000)
        w.give(cr)

    # Lightning
    def ms2_script():
        return b"\x52" + push(b"\x02" + w.sr.randbytes(32)) + push(b"\x03" + w.sr.randbytes(32)) + b"\x52\xae"

    def delayed_script(delay):
        return (b"\x63" + push(b"\x02" + w.sr.randbytes(32)) + b"\x67" + scriptnum(delay) + b"\xb2\x75" +
                push(b"\x03" + w.sr.randbytes(32)) + b"\x68\xac")

    def htlc_script():
        return (b"\x76\xa9\x14" + w.sr.randbytes(20) + b"\x87\x63\xac\x67" + push(b"\x02" + w.sr.randbytes(32)) +
                b"\x7c\x82\x01\x20\x87\x64\x75\x52\x7c" + push(b"\x02" + w.sr.randbytes(32)) +
                b"\x52\xae\x67\xa9\x14" + w.sr.randbytes(20) + b"\x88\xac\x68\x68")

    def anchor_script():
        return push(b"\x02" + w.sr.randbytes(32)) + b"\xac\x73\x64\x60\xb2\x68"

    def ln_close(fc, funder, node, share, coop, is_thief):
        if (fc[0], fc[1]) not in w.utxo:
            return
        if not is_thief:
            w.wallet[funder] = [c for c in w.wallet[funder] if c is not fc]
        v = fc[2]
        kind = None if is_thief else ("ln_coop_close" if coop else "ln_force_close")
        if coop:
            fee = 180 * max(2, w.feerate)
            loc = int((v - fee) * share)
            outs = [(loc, w.addr(thief, "p2wpkh") if is_thief else uaddr(funder))]
            if v - fee - loc > 546:
                outs.append((v - fee - loc, w.fresh(node)))
            r.shuffle(outs)
            txid, cr, t = htx([fc], outs, None, seqs=[0xffffffff], kind=kind)
        else:
            delay = r.choice([144, 144, 432]) if active > 600 else r.choice([6, 12])   # short worlds: short delays
            fee = 1100 * max(2, w.feerate)
            htlc_v = int(v * r.uniform(0.01, 0.05)) if r.random() < 0.7 else 0
            loc = int((v - fee - 660 - htlc_v) * share)
            rem = v - fee - 660 - htlc_v - loc
            outs = [(330, w.addr(funder, "p2wsh", kind="anchor", script=anchor_script())),
                    (330, w.addr(node, "p2wsh", kind="anchor", script=anchor_script())),
                    (loc, w.addr(funder, "p2wsh", kind="tolocal", script=delayed_script(delay)))]
            if rem > 546:
                outs.append((rem, w.fresh(node, "p2wpkh")))
            if htlc_v > 546:
                outs.append((htlc_v, w.addr(node, "p2wsh", kind="htlc", script=htlc_script())))
            txid, cr, t = htx([fc], outs, None, version=2, locktime=0x20000000 | r.getrandbits(24),
                              seqs=[0x80000000 | r.getrandbits(24)], fee=fee, kind=kind)
            for c in cr:
                kd = w.addrs[c[3]][6]
                if kd == "tolocal":
                    w.at(w.height + delay + r.randint(0, 10), lambda c=c: ln_sweep(c, funder, is_thief))
                elif kd == "htlc":
                    w.at(w.height + r.randint(1, 6), lambda c=c: htlc_success(c, node))
        if is_thief:
            rec_thief("ln_coop_close" if coop else "ln_force_close", txid, [fc], cr, honest_kind="ln_peer")
            for c in cr:
                if w.addrs[c[3]][2] == node:
                    cp("ln_peer", c[3], txid, True, 10_000)
                elif w.addrs[c[3]][2] == thief and w.addrs[c[3]][6] == "std":
                    w.at(w.height + hr.randint(2, 30), lambda c=c: stage(c, "deposit"))
            w.at(w.height + r.randint(20, 80), lambda: node_cashout(node))
        else:
            for c in cr:
                if w.addrs[c[3]][2] == node and not t:
                    cp("ln_peer_honest_channel", c[3], txid, False, 200)
            w.give([c for c in cr if w.addrs[c[3]][6] not in ("tolocal", "htlc")])

    def ln_sweep(c, owner, is_thief):
        if (c[0], c[1]) not in w.utxo:
            return
        to = w.addr(thief, "p2wpkh") if is_thief else w.fresh(owner)
        txid, cr, _ = htx([c], [], to, seqs=[144], kind=None if is_thief else "ln_sweep")
        if is_thief:
            rec_thief("ln_sweep", txid, [c], cr)
            w.at(w.height + hr.randint(2, 20), lambda: stage(cr[0], "deposit"))
        else:
            w.give(cr)

    def htlc_success(c, node):
        if (c[0], c[1]) not in w.utxo:
            return
        txid, cr, t = htx([c], [], w.fresh(node), htlc_path="success", kind="htlc_success")
        w.give(cr)

    def node_cashout(node):
        cs = [c for c in w.wallet[node] if c[4] < w.height and c[2] > 2000 and w.addrs[c[3]][6] == "std"]
        if not cs:
            return
        cs = cs[:10]
        ids = {id(c) for c in cs}
        w.wallet[node] = [c for c in w.wallet[node] if id(c) not in ids]
        x = r.choice(cash_ex)
        txid, cr, t = htx(cs, [], dep(x, node), kind="ln_node_cashout")
        note_deps(txid, cr, node)
        cp("ln_node_deposit", dep(x, node), txid, t, 10_000)
        w.give(cr)

    def honest_ln():
        u = user_with(2_000_000)
        if u is None:
            return
        node = r.choice(nodes)
        v = int(bal(u) * r.uniform(0.2, 0.6))
        coins = w.take(u, v + 30_000, 3)
        if not coins:
            return
        fa = w.addr(u, "p2wsh", kind="ms2", script=ms2_script())
        txid, cr, t = htx(coins, [(v, fa)], w.fresh(u), kind="ln_open")
        w.give(cr[1:])
        fc = cr[0]
        coop = r.random() < 0.7
        w.at(w.height + r.randint(5, 60), lambda: ln_close(fc, u, node, r.uniform(0.3, 0.95), coop, False))

    # Wasabi 2 rounds
    def decompose(v, cap=6):
        outs = []
        for d in DENOMS:
            while d <= v and len(outs) < cap:
                outs.append(d)
                v -= d
            if len(outs) >= cap:
                break
        return outs, v

    ww_thief = []
    thief_postmix = []

    def wasabi2():
        n = r.randint(20, 50)
        parts, used = [], set()
        for _ in range(n * 3):
            if len(parts) >= n:
                break
            u = user_with(200_000)
            if u is None or u in used:
                continue
            cs = w.take(u, 200_000, r.randint(1, 3))
            if not cs:
                continue
            used.add(u)
            parts.append((u, cs))
        th = [c for c in ww_thief if c[4] < w.height][:r.randint(2, 6)]
        if th:
            ids = {id(c) for c in th}
            ww_thief[:] = [c for c in ww_thief if id(c) not in ids]
            parts.append((thief, th))
        if len(parts) < 5:
            for u, cs in parts:
                (ww_thief if u == thief else w.wallet[u]).extend(cs)
            return
        coins, outs, coord, tcoord = [], [], 0, 0
        for u, cs in parts:
            tin = sum(c[2] for c in cs)
            cf = tin * 3 // 1000 if tin >= 1_000_000 else 0
            net = tin - cf - w.feerate * (68 * len(cs) + 43 * 6)
            ds, left = decompose(net)
            for d in ds:
                outs.append((d, w.addr(u, "p2tr" if w.pref.get(u) == "p2tr" else "p2wpkh")))
            if left >= 5000:
                outs.append((left, w.addr(u, "p2wpkh")))
            coord += cf
            if u == thief:
                tcoord = cf
            coins.extend(cs)
        if coord:
            outs.append((coord, ww_fee_addr))
        outs.sort(key=lambda x: -x[0])
        r.shuffle(coins)
        txid, cr = w.tx(coins, outs, None)
        w.cj_rows.append([txid[::-1].hex(), w.height, "wasabi2", wasabi_coord, len(coins), len(cr), H["name"] if th else ""])
        if th:
            rec_thief("wasabi2", txid, coins, cr, cj=True, cj_coord=tcoord)
        for c in cr:
            o = w.addrs[c[3]][2]
            if o == thief:
                thief_postmix.append(c)
            else:
                if th and o != wasabi_coord:
                    cp("coinjoin_peer", c[3], txid, False, 10_000)
                w.give([c])

    # ---- the thief
    tdeps = {}
    trap_change = []

    def thief_addr(st=None):
        return w.addr(thief, st or hr.choice(["p2wpkh", "p2wpkh", "p2tr"]))

    def thief_dep(x):
        lst = tdeps.setdefault(x, [])
        if len(lst) < 3 and (not lst or hr.random() < 0.3):
            aid = w.addr(x, hr.choice(["p2wpkh", "p2sh", "p2pkh"]), customer=str(thief), cat="exchange_deposit")
            thief_dep_aids.add(aid)
            lst.append(aid)
        return hr.choice(lst)

    def tspend(coins, outs, change, **kw):
        return w.tx(coins, outs, change, rate=int(w.feerate * hr.uniform(0.8, 1.6)) + 1, **kw)

    def theft():
        cs = [c for c in w.wallet[victim] if c[4] < w.height]
        cs.sort(key=lambda c: -c[2])
        cs = cs[:40]
        tot = sum(c[2] for c in cs)
        if tot < 30 * COIN:
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
        plans = (["peel"] * 7 + ["dust"] * 2 + ["gift"] + ["payjoin"] * 3 + ["decoy"] * 2 + ["wasabi2"] * 2 +
                 ["ln"] * 3 + ["trap"] * 2 + ["exchange_hop"] * 2 + ["deposit"] * 2 + ["hold"])
        hr.shuffle(plans)
        n = len(plans)
        tot = sum(c[2] for c in coins)
        weights = [hr.uniform(0.5, 1.5) for _ in range(n)]
        sw = sum(weights)
        outs = [(int((tot - 2_000_000) * x / sw), thief_addr()) for x in weights]
        txid, cr = tspend(coins, outs[:-1], outs[-1][1])
        rec_thief("fan_out", txid, coins, cr)
        span = int(active * 0.5)
        for c, p in zip(cr, plans):
            w.at(w.height + 2 + hr.randint(0, span), lambda c=c, p=p: stage(c, p))

    def honest_targets(n):
        """addresses honest people received on before: users', honest customers' deposit addresses,
        the donation addresses"""
        us = [u for u in users if u in known]
        uset = set(users)
        deps = [a2 for (x, cust), a2 in depaddr.items() if cust in uset]
        out = []
        for _ in range(n):
            q = hr.random()
            if q < 0.65 and us:
                out.append(hr.choice(known[hr.choice(us)]))
            elif q < 0.97 and deps:
                out.append(hr.choice(deps))
            else:
                out.append(hr.choice([charity_addr, dev_addr, public_addr]))
        return list(dict.fromkeys(out))

    def stage(c, p):
        if (c[0], c[1]) not in w.utxo:
            return
        if p == "peel":
            peel_id[0] += 1
            thief_peel(c, hr.randint(6, 18), peel_id[0], 1)
        elif p == "dust":
            tg = honest_targets(hr.randint(int(100 * max(0.5, min(1, s * 20))), 300))
            outs = [(hr.randint(546, 5000), aid) for aid in tg]
            txid, cr = tspend([c], outs, thief_addr())
            rec_thief("dust", txid, [c], cr, honest_kind="dust")
            for x in cr[:len(outs)]:
                ad = w.addrs[x[3]]
                dust_rows.append([txid[::-1].hex(), x[1], ad[0], ad[3], x[2]])
                grp = "dusted_deposit" if ad[3] == "exchange_deposit" else "dusted_address"
                cp(grp, x[3], txid, True, 10_000)
                if ad[3] == "user" and ad[2] != public_fig and hr.random() < 0.35:
                    u = ad[2]
                    w.at(w.height + hr.randint(3, 60), lambda u=u, x=x: dust_consolidate(u, x))
            if len(cr) > len(outs):
                w.at(w.height + hr.randint(2, 20), lambda ch=cr[-1]: stage(ch, "peel"))
        elif p == "gift":
            outs = [(hr.randint(50, 500) * 1_000_000, charity_addr), (hr.randint(50, 300) * 1_000_000, dev_addr),
                    (hr.randint(50, 200) * 1_000_000, public_addr)]
            if sum(v for v, _ in outs) + 1_000_000 > c[2]:
                outs = [(c[2] // 5, charity_addr), (c[2] // 6, dev_addr), (c[2] // 8, public_addr)]
            txid, cr = tspend([c], outs, thief_addr())
            rec_thief("gift", txid, [c], cr, honest_kind="gift")
            w.at(w.height + hr.randint(5, 40), lambda: charity_cashout("charity_deposit_after_gift"))
            w.at(w.height + hr.randint(5, 40), dev_spend)
            w.at(w.height + hr.randint(5, 40), lambda: public_spend())
            if len(cr) > 3:
                w.at(w.height + hr.randint(2, 20), lambda ch=cr[-1]: stage(ch, "peel"))
        elif p == "payjoin":
            ms = [m for m in pj_merchants if [x for x in w.wallet[m] if x[4] < w.height and x[2] >= 10_000]]
            if not ms:
                w.at(w.height + 5, lambda: stage(c, p))
                return
            m = hr.choice(ms)
            mc = merchant_coin(m)
            cp("payjoin_merchant_input (thief's payjoin)", mc[3], mc[0], False, 10_000)
            v = int(c[2] * hr.uniform(0.03, 0.2))
            ma = w.fresh(m)
            ins = [c, mc]
            hr.shuffle(ins)
            txid, cr = tspend(ins, [(v + mc[2], ma)], thief_addr(w.addrs[c[3]][1]), kind=None)
            rec_thief("payjoin", txid, ins, cr, honest_kind="payjoin_merchant", pj=(ma, mc[2]))
            for _ in range(2):
                w.at(w.height + hr.randint(3, 50), lambda m=m: merchant_settle(m, "payjoin_merchant_deposit"))
            if len(cr) > 1:
                nxt = hr.choice(["payjoin", "deposit", "peel"])
                w.at(w.height + hr.randint(2, 30), lambda ch=cr[-1], nxt=nxt: stage(ch, nxt))
        elif p == "decoy":
            k = hr.randint(3, 6)
            parts = [(int(c[2] * hr.uniform(0.1, 0.18)), thief_addr("p2wpkh")) for _ in range(k - 1)]
            txid, cr = tspend([c], parts, thief_addr("p2wpkh"))
            rec_thief("split", txid, [c], cr)
            w.at(w.height + hr.randint(2, 20), lambda cs=cr: decoy(cs))
        elif p == "wasabi2":
            k = hr.randint(3, 6)
            outs = [(c[2] // (k + 1) * hr.randint(80, 100) // 100, thief_addr("p2wpkh")) for _ in range(k)]
            txid, cr = tspend([c], outs, thief_addr("p2wpkh"))
            rec_thief("split", txid, [c], cr)
            ww_thief.extend(cr)
        elif p == "ln":
            node = hr.choice(nodes)
            v = min(c[2] // 2, hr.randint(5, 40) * 1_000_000 * 5)
            fa = w.addr(thief, "p2wsh", kind="ms2", script=ms2_script())
            txid, cr = tspend([c], [(v, fa)], thief_addr())
            rec_thief("ln_open", txid, [c], cr)
            coop = hr.random() < 0.5
            w.at(w.height + hr.randint(5, 60), lambda fc=cr[0]: ln_close(fc, thief, node, hr.uniform(0.6, 0.95), coop, True))
            if len(cr) > 1:
                nxt = "ln" if hr.random() < 0.5 else "peel"
                w.at(w.height + hr.randint(2, 20), lambda ch=cr[-1], nxt=nxt: stage(ch, nxt))
        elif p == "trap":
            # pays an honest seller an output that looks like change: the input's script type, a
            # non-round amount; keeps a round "payment" on one reused P2TR address
            u = hr.choice(users)
            if c[2] < 5_000_000:
                stage(c, "deposit")
                return
            if not trap_change or hr.random() < 0.3:
                trap_change.append(thief_addr("p2tr"))
            keep = int(c[2] * hr.uniform(0.3, 0.6)) // 1_000_000 * 1_000_000
            pay_aid = w.fresh(u, w.addrs[c[3]][1])
            # the seller's output takes the rest minus the fee
            outs = [(keep, hr.choice(trap_change))]
            fee = w.feerate * 200
            outs.append((c[2] - keep - fee, pay_aid))
            hr.shuffle(outs)
            txid, cr = w.tx([c], outs, None, fee=fee)
            rec_thief("trap_payment", txid, [c], cr, honest_kind="p2p_seller")
            for x in cr:
                if w.addrs[x[3]][2] == u:
                    cp("p2p_seller", x[3], txid, True, 10_000)
                    w.at(w.height + hr.randint(3, 40), lambda u=u: seller_spend(u))
                else:
                    nxt = hr.choice(["trap", "deposit", "peel"])
                    w.at(w.height + hr.randint(2, 30), lambda x=x, nxt=nxt: stage(x, nxt))
        elif p == "deposit":
            x = hr.choice(cash_ex)
            if hr.random() < 0.5 or c[2] < 2_000_000:
                txid, cr = tspend([c], [], thief_dep(x))
            else:
                v = int(c[2] * hr.uniform(0.3, 0.7))
                txid, cr = tspend([c], [(v, thief_dep(x))], thief_addr())
                if len(cr) > 1:
                    w.at(w.height + hr.randint(3, 30), lambda ch=cr[-1]: stage(ch, "deposit"))
            rec_thief("deposit", txid, [c], cr)
        elif p == "exchange_hop":
            x = hr.choice(cash_ex)
            txid, cr = tspend([c], [], thief_dep(x))
            rec_thief("deposit", txid, [c], cr)
            v = int(cr[0][2] * 0.97)

            def hop(x=x, v=v):
                res = withdraw_batch(x, extra=[(v, w.fresh(thief2))])
                if res is None:
                    w.at(w.height + 3, lambda: hop(x, v))
                    return
                txid2, cr2 = res
                for c2 in cr2:
                    if w.addrs[c2[3]][2] == thief2:
                        w.withdrawals.append([txid2[::-1].hex(), c2[1], w.addrs[c2[3]][0], c2[2], "exchange_withdrawal"])
                        w.at(w.height + hr.randint(2, 20), lambda c2=c2: thief2_deposit(c2))
                    elif w.addrs[c2[3]][3] == "user":
                        cp("exchange_co_payee", c2[3], txid2, False, 10_000)
            w.at(w.height + hr.randint(10, 60), hop)
        # "hold": stays unspent

    def thief2_deposit(c):
        if (c[0], c[1]) not in w.utxo:
            return
        w.wallet[thief2] = [x for x in w.wallet[thief2] if x is not c]
        x = hr.choice(cash_ex)
        txid, cr = w.tx([c], [], dep(x, thief2))
        note_deps(txid, cr, thief2)
        w.give(cr)

    def decoy(cs):
        cs = [x for x in cs if (x[0], x[1]) in w.utxo]
        if len(cs) < 3:
            for x in cs:
                stage(x, "deposit")
            return
        tot = sum(x[2] for x in cs)
        k = hr.randint(5, 12)
        d = max([x for x in DENOMS if x * k <= tot * 0.8] or [tot * 8 // (10 * k)])
        outs = [(d, thief_addr("p2wpkh")) for _ in range(k)]
        left = tot - d * k - w.feerate * (70 * len(cs) + 35 * (k + len(cs)))
        for i in range(len(cs) - 1):
            outs.append((int(left / len(cs) * hr.uniform(0.7, 1.0)), thief_addr("p2wpkh")))
        outs.append((left - sum(v for v, _ in outs[k:]), thief_addr("p2wpkh")))
        hr.shuffle(outs)
        txid, cr = w.tx(cs, outs, None, kind=None)
        rec_thief("decoy_coinjoin", txid, cs, cr)
        for x in cr:
            w.at(w.height + hr.randint(3, 60), lambda x=x: stage(x, hr.choice(["deposit", "deposit", "peel"])))

    def dust_consolidate(u, dc):
        if (dc[0], dc[1]) not in w.utxo or dc not in w.wallet[u]:
            return
        own = [x for x in w.wallet[u] if x is not dc and x[4] < w.height and x[2] > 50_000]
        if not own:
            return
        own = own[:r.randint(1, 5)]
        ids = {id(x) for x in own} | {id(dc)}
        w.wallet[u] = [x for x in w.wallet[u] if id(x) not in ids]
        txid = deposit(u, [dc] + own, group="dust_consolidation_deposit")
        for x in own:
            cp("dusted_user_other_input", x[3], txid, False, 10_000)

    def seller_spend(u):
        cs = [x for x in w.wallet[u] if x[4] < w.height]
        tcs = [x for x in cs if (x[0], x[1]) in taint]
        if not tcs:
            return
        own = [x for x in cs if (x[0], x[1]) not in taint][:3]
        coins = tcs[:1] + own
        ids = {id(x) for x in coins}
        w.wallet[u] = [x for x in w.wallet[u] if id(x) not in ids]
        tot = sum(x[2] for x in coins)
        m = r.choice(merchants)
        ma = w.fresh(m)
        txid, cr, t = htx(coins, [(int(tot * r.uniform(0.3, 0.7)), ma)], w.fresh(u), kind="seller_spend")
        cp("seller_payee_merchant", ma, txid, t, 10_000)
        for x in own:
            cp("seller_other_input", x[3], txid, False, 10_000)
        w.give(cr)

    def public_spend():
        cs = [x for x in w.wallet[public_fig] if x[4] < w.height]
        if len(cs) < 2:
            return
        cs = cs[:6]
        ids = {id(x) for x in cs}
        w.wallet[public_fig] = [x for x in w.wallet[public_fig] if id(x) not in ids]
        x = r.choice(cash_ex)
        txid, cr, t = htx(cs, [], dep(x, public_fig), kind="public_figure_deposit")
        note_deps(txid, cr, public_fig)
        cp("public_figure_deposit", dep(x, public_fig), txid, t, 10_000)
        w.give(cr)

    peel_id = [0]

    def thief_peel(coin, left, chain, hop):
        if (coin[0], coin[1]) not in w.utxo:
            return
        k = hr.choice([1, 1, 2])
        outs = []
        ex_name = ""
        for _ in range(k):
            x = hr.choice(cash_ex)
            outs.append((int(coin[2] * hr.uniform(0.03, 0.12)), thief_dep(x)))
            ex_name = ex_name or w.ents[x][0]
        if sum(v for v, _ in outs) + 100_000 > coin[2] or left <= 0:
            txid, cr = tspend([coin], [], thief_dep(hr.choice(cash_ex)))
            rec_thief("cash_out", txid, [coin], cr)
            return
        txid, cr = tspend([coin], outs, thief_addr("p2tr" if hop > 4 and hr.random() < 0.5 else "p2wpkh"))
        rec_thief("peel", txid, [coin], cr)
        t = txid[::-1].hex()
        H["peel_chain_txids"].append(t)
        rem = cr[-1] if len(cr) > len(outs) else None
        ad0 = w.addrs[outs[0][1]]
        w.peel_rows.append([H["name"], chain, hop, t, w.height, 0, outs[0][0], ad0[0], ex_name,
                            len(outs) if rem else "", rem[2] if rem else ""])
        if rem is not None:
            w.at(w.height + hr.randint(1, 10), lambda: thief_peel(rem, left - 1, chain, hop + 1))

    def thief_postmix_spend():
        cs = [x for x in thief_postmix if x[4] < w.height][:hr.choice([1, 1, 2])]
        if not cs:
            return
        ids = {id(x) for x in cs}
        thief_postmix[:] = [x for x in thief_postmix if id(x) not in ids]
        txid, cr = tspend(cs, [], thief_dep(hr.choice(cash_ex)))
        rec_thief("postmix_deposit", txid, cs, cr)

    # ---- the chain
    blocks, stale = [], []
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
                               t0 + 600 * height + (height * 53 % 400) - 200, b"/alt8/" + tag)

    stale_at = set(r.sample(range(120, 110 + active), max(3, active // 400)))
    heist_h = 110 + int(active * 0.12) + r.randint(0, 5)
    want = int(200_000 * s) if s >= 1 else 0
    acts = [(pay, 40), (deposit, 10), (lambda: sweep(r.choice(exchanges)), 1.5),
            (lambda: withdraw_batch(r.choice(exchanges)), 2.5), (consolidate, 1.5), (honest_payjoin, 3),
            (merchant_settle, 1.2), (honest_ln, 0.8), (charity_cashout, 0.1), (dev_spend, 0.1)]
    tw = sum(x for _, x in acts)
    height = 0
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
                    tot = c[2] - 300_000
                    outs = []
                    if height < heist_h:
                        outs.append((tot * 3 // 10, r.choice(hot[victim])))
                    for x in (exchanges[1:] if height < 230 else [r.choice(exchanges)]):
                        outs.append((tot // 15, r.choice(hot[x])))
                    if height < 200:
                        for e in r.sample(merchants, 3) + [r.choice(nodes)]:
                            outs.append((tot // 60, w.fresh(e)))
                    rest = tot - sum(v for v, _ in outs)
                    k = r.randint(30, 150)
                    for _ in range(k):
                        outs.append((rest // k, uaddr(r.choice(users))))
                    txid, cr = w.tx([c], outs, None, kind="pool_payout")
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
            if height % max(5, int(30 * max(s, 0.1))) == 0 and height > 130:
                wasabi2()
            if ww_thief and height % 4 == 0:
                wasabi2()
            if thief_postmix and r.random() < 0.5:
                thief_postmix_spend()
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

    tdir = os.path.join(a.out, "truth")
    files = base.write_blocks(a, blocks, stale, r)
    unspent = [c for c in w.utxo.values() if w.addrs[c[3]][2] == thief]
    unspent.sort(key=lambda c: (c[4], c[0], c[1]))
    heist = base.heist_truth(w, H, thief, thief2, victim, unspent, 0)
    # heist_truth appended the deposits' rows again: keep one of each
    seen = set()
    rows = []
    for x in w.dep_rows:
        k = (x[0], x[1])
        if k not in seen:
            seen.add(k)
            rows.append(x)
    w.dep_rows = rows
    with open(os.path.join(tdir, "heists.json"), "w") as f:
        json.dump([heist], f, indent=1)
    base.write_entities(w, tdir)

    def wcsv(name, head, rows):
        base.write_table(tdir, name, head, rows)
    wcsv("coinjoins.csv", "txid,height,kind,coordinator_id,n_inputs,n_outputs,heist", w.cj_rows)
    wcsv("tx0s.csv", "txid,height,kind,pool_sat,owner_id,n_inputs,n_premix,n_outputs,heist", [])
    wcsv("peel_chains.csv", "heist,chain,hop,txid,height,peel_vout,peel_sat,peel_address,exchange,remainder_vout,remainder_sat",
         w.peel_rows)
    w.dep_rows.sort(key=lambda x: (x[2], x[0], x[1]))
    wcsv("deposits.csv", "txid,vout,height,address,exchange,payer_id,value_sat,heist", w.dep_rows)
    wcsv("thief_txs.csv", "heist,txid,height,kind,parent_txid,thief_in_sat,thief_out_sat,deposit_sat,fee_sat,coordinator_fee_sat",
         w.thief_rows)
    wcsv("lookalikes.csv", "kind,txid,heist", w.truth_lookalike)
    wcsv("withdrawals.csv", "txid,vout,address,value_sat,kind", w.withdrawals)
    wcsv("received.csv", "txid,vout,address,value_sat,kind", [])
    wcsv("dust.csv", "txid,vout,address,category,value_sat", dust_rows)
    wcsv("counterparts.csv", "group,address,txid,tainted", counterparts)
    best = blocks[-1]
    world = {"format": "chainwatch-gen-truth/1", "generator": "tests/diff/btc_alt8_world.py", "network": "regtest",
             "seed": a.seed, "scale": a.scale, "scenario": H["name"], "txs": w.ntx + len(blocks),
             "blocks": len(blocks), "best_height": best[0], "tip": best[1][::-1].hex(), "files": len(files),
             "blk_bytes": sum(len(x) for x in files), "xor_key": a.xor_key or "",
             "zero_tail_bytes": a.zero_tail, "zero_tail_files": "last" if a.zero_tail else "",
             "stale_blocks": [{"hash": h[::-1].hex(), "height": ht} for ht, h, _ in stale],
             "addresses": len(w.addrs), "entities": len(w.ents), "coinjoins": len(w.cj_rows), "tx0s": 0,
             "heist_sat": H["amount_sat"], "heist_btc": H["amount_sat"] / COIN,
             "donation_addresses": [w.addrs[charity_addr][0], w.addrs[dev_addr][0], w.addrs[public_addr][0]]}
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
    kinds = {}
    for x in h["honest_payments"]:
        kinds[x["kind"]] = kinds.get(x["kind"], 0) + 1
    print("%d txs, %d blocks, heist %.2f BTC: %d deposits, %d honest payments (%s), %d coinjoins"
          % (world["txs"], world["blocks"], h["amount_sat"] / COIN, len(h["deposits"]), len(h["honest_payments"]),
             " ".join("%s %d" % kv for kv in sorted(kinds.items())), world["coinjoins"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
