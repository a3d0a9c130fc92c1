#!/usr/bin/python3
"""btc_shapes_world.py: an independent Bitcoin world writer (issue 11's outside reviewer).

Written from the shapes as they occur on mainnet, NOT from chainwatch's own generator (src/gen
is neither imported nor read): Whirlpool Tx0s and 5x5 mixes with remixes, Wasabi 1 and
Wasabi 2 rounds, JoinMarket (taker + makers), peel chains of 3..40 hops with any remainder
ratio, honest look-alikes (exchange batch withdrawals with round amounts, payroll batches of
equal salaries, consolidations, payments with change, exchange hot-wallet chains), and a heist
whose stolen coins are peeled, mixed and deposited at exchanges that then sweep the deposit
addresses. Blocks are written as Bitcoin Core blk files (regtest magic), optionally obfuscated
with an xor.dat key and ended by a raw zero tail (Core 28+).

  btc_shapes_world.py --out DIR [--seed S] [--scale N] [--careful-thief] [--custodial-mixer] [--sweep-fed-hot-wallet] [--rotating-pool] [--direct-withdrawals] [--xor-key HEX16] [--zero-tail BYTES]
                      [--zero-tail-all] [--max-file-size BYTES]

DIR/blocks holds blk*.dat (and xor.dat); DIR/truth holds the docs/GEN.md truth layout
(addresses.csv, entities.csv, coinjoins.csv, tx0s.csv, peel_chains.csv, deposits.csv,
heists.json, world.json) so scripts/eval_btc.py can score it, plus lookalikes.csv
(txid,kind,note: honest transactions that must not be called CoinJoins, Tx0s or peel hops).

Value semantics (as GEN.md's "stolen value" definition): every coin the thief holds is stolen;
in a CoinJoin only the thief's own outputs carry stolen value; a deposit is an output paying an
exchange deposit address, stolen when the thief pays it.
Scripts are not valid (fake DER/Schnorr signatures): only the structure matters.
"""
import argparse
import csv
import hashlib
import importlib.util
import json
import os
import random
import struct

import bitcoin
import bitcoin.core as core
from bitcoin.core import (COutPoint, CMutableTransaction, CTxIn, CTxOut, CBlock, CTxWitness,
                          CTxInWitness, b2lx, Hash)
from bitcoin.core.script import CScript, CScriptWitness, OP_RETURN, OP_DUP, OP_HASH160, OP_EQUALVERIFY, \
    OP_CHECKSIG, OP_EQUAL

bitcoin.SelectParams("regtest")
MAGIC = bytes.fromhex("fabfb5da")
COIN = 100_000_000

# ---------------------------------------------------------------- addresses ----------------
def _load_gen_check():
    """tests/diff/gen_check.py's address encoder (base58check, bech32, bech32m): a checking tool
    written apart from src/gen, shared here rather than copied."""
    spec = importlib.util.spec_from_file_location(
        "gen_check", os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen_check.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


_GC = _load_gen_check()


def make_script(stype, rnd):
    """(scriptPubKey bytes, address string) of a fresh address of that type."""
    if stype == "p2pkh":
        spk = bytes([OP_DUP, OP_HASH160, 20]) + rnd.randbytes(20) + bytes([OP_EQUALVERIFY, OP_CHECKSIG])
    elif stype == "p2sh":
        spk = bytes([OP_HASH160, 20]) + rnd.randbytes(20) + bytes([OP_EQUAL])
    elif stype == "p2wpkh":
        spk = bytes([0, 20]) + rnd.randbytes(20)
    elif stype == "p2tr":
        spk = bytes([0x51, 32]) + rnd.randbytes(32)
    else:
        raise ValueError(stype)
    return spk, _GC.address(spk, "regtest")


# ---------------------------------------------------------------- world model ---------------
class Addr:
    __slots__ = ("addr", "spk", "stype", "owner", "category", "customer")

    def __init__(self, addr, spk, stype, owner, category, customer=""):
        self.addr, self.spk, self.stype, self.owner, self.category, self.customer = \
            addr, spk, stype, owner, category, customer


class Coin:
    __slots__ = ("txid", "vout", "value", "a", "height")

    def __init__(self, txid, vout, value, a, height):
        self.txid, self.vout, self.value, self.a, self.height = txid, vout, value, a, height

    @property
    def outpoint(self):
        return "%s:%d" % (b2lx(self.txid), self.vout)

    @property
    def owner(self):
        return self.a.owner


class Entity:
    def __init__(self, eid, name, category, stype):
        self.id, self.name, self.category, self.stype = eid, name, category, stype
        self.coins = []
        self.reuse = None        # a reused address (hot wallets, miners, coordinators)


class World:
    def __init__(self, seed, scale):
        self.rnd = random.Random(seed)
        self.seed = seed
        self.scale = scale
        self.entities = []
        self.addrs = []          # Addr in creation order
        self.by_addr = {}
        self.blocks = []         # CBlock
        self.pending = []        # CMutableTransaction of the block being filled
        self.pending_fees = 0
        self.height = 0
        self.time = 1767225600   # 2026-01-01 00:00 UTC
        self.prev = bitcoin.params.GENESIS_BLOCK.GetHash()
        self.txmeta = {}         # txid -> dict (height)
        self.coinjoins = []
        self.tx0s = []
        self.peel = []
        self.lookalikes = []
        self.deposits = []
        self.heists = []
        self.thief_ids = set()
        self.spent = set()
        self.stale = []          # (CBlock, height) of stale siblings
        self.coinbases = set()
        self.heist_name = ""
        self.n_txs = 1
        self.blocks.append(bitcoin.params.GENESIS_BLOCK)
        self.miner = self.entity("miner-pool", "miner", "p2wpkh")
        self.miner.reuse = self.new_addr(self.miner)

    # -- entities and addresses
    def entity(self, name, category, stype=None):
        stype = stype or self.rnd.choices(["p2pkh", "p2sh", "p2wpkh", "p2tr"], [10, 20, 50, 20])[0]
        e = Entity(len(self.entities) + 1, name, category, stype)
        self.entities.append(e)
        return e

    def new_addr(self, e, stype=None, category=None, customer=""):
        spk, s = make_script(stype or e.stype, self.rnd)
        a = Addr(s, spk, stype or e.stype, e, category or e.category, customer)
        self.addrs.append(a)
        self.by_addr[s] = a
        return a

    def addr_for(self, e, stype=None):
        if e.reuse is not None and stype is None:
            return e.reuse
        return self.new_addr(e, stype)

    # -- transactions
    def fake_input(self, coin):
        r = self.rnd
        sig = bytes([0x30, 0x44, 0x02, 0x20]) + r.randbytes(32) + bytes([0x02, 0x20]) + r.randbytes(32) + b"\x01"
        pub = bytes([r.choice((2, 3))]) + r.randbytes(32)
        st = coin.a.stype
        if st == "p2pkh":
            return CScript([sig, pub]), [sig, pub]
        if st == "p2sh":
            return CScript([bytes([0, 20]) + r.randbytes(20)]), [sig, pub]
        if st == "p2wpkh":
            return CScript(), [sig, pub]
        return CScript(), [r.randbytes(64)]

    def tx(self, coins, outs, locktime=0, keep_order=False):
        """coins: Coin list spent (removed from their owners); outs: list of (Addr | bytes
        OP_RETURN data, value). Returns (txid bytes, list of new Coin or None per output)."""
        vin, wit, seg = [], [], False
        for c in coins:
            assert (c.txid, c.vout) not in self.spent, "double spend of " + c.outpoint
            self.spent.add((c.txid, c.vout))
            c.owner.coins.remove(c)
            ss, w = self.fake_input(c)
            vin.append(CTxIn(COutPoint(c.txid, c.vout), ss, 0xfffffffd))
            if c.a.stype == "p2pkh":
                w = []
            seg |= bool(w)
            wit.append(CTxInWitness(CScriptWitness(w)))
        vout = []
        for o, v in outs:
            if isinstance(o, Addr):
                vout.append(CTxOut(v, CScript(o.spk)))
            else:
                vout.append(CTxOut(0, CScript([OP_RETURN, o])))
        fee = sum(c.value for c in coins) - sum(v for _, v in outs)
        assert fee >= 0, "negative fee"
        tx = CMutableTransaction(vin, vout, locktime, 2, CTxWitness(wit) if seg else CTxWitness())
        txid = tx.GetTxid()
        self.pending.append(tx)
        self.pending_fees += fee
        self.n_txs += 1
        self.txmeta[txid] = {"height": self.height + 1}
        new = []
        for i, (o, v) in enumerate(outs):
            if isinstance(o, Addr):
                c = Coin(txid, i, v, o, self.height + 1)
                o.owner.coins.append(c)
                new.append(c)
                if o.category == "exchange_deposit":
                    payer = coins[0].owner if coins else None
                    self.deposits.append({"txid": b2lx(txid), "vout": i, "height": self.height + 1,
                                          "address": o.addr, "exchange": o.owner.name,
                                          "payer_id": payer.id if payer else "", "value_sat": v,
                                          "heist": ""})
            else:
                new.append(None)
        if len(self.pending) >= 60:
            self.mine()
        return txid, new

    def fee(self, nin, nout, rate=None):
        rate = rate or self.rnd.randint(2, 40)
        return rate * (11 + 68 * nin + 33 * nout)

    def mine(self, n=1):
        for _ in range(n):
            self.height += 1
            h = self.height
            cb_out = [CTxOut(50 * COIN // (2 ** (h // 150)) + self.pending_fees, CScript(self.miner.reuse.spk))]
            seg = any(t.has_witness() for t in self.pending)
            cbin = CTxIn(COutPoint(), CScript([h, b"btcprobe"]), 0xffffffff)
            cb = CMutableTransaction([cbin], cb_out, 0, 1,
                                     CTxWitness([CTxInWitness(CScriptWitness([b"\0" * 32]))]) if seg else CTxWitness())
            vtx = [cb] + self.pending
            if seg:
                wroot = CBlock.build_witness_merkle_tree_from_txs(vtx)[-1]
                commit = Hash(wroot + b"\0" * 32)
                cb.vout.append(CTxOut(0, CScript(bytes([OP_RETURN, 36]) + bytes.fromhex("aa21a9ed") + commit)))
            vtx = [core.CTransaction.from_tx(t) for t in vtx]
            self.time += self.rnd.randint(200, 1100)
            if h in (215, 260) or (h > 210 and self.rnd.random() < 0.01):
                # a stale sibling (another miner's block at this height, coinbase only)
                scb = CMutableTransaction([CTxIn(COutPoint(), CScript([h, b"stale"]), 0xffffffff)],
                                          [CTxOut(50 * COIN // (2 ** (h // 150)), CScript(self.miner.reuse.spk))], 0, 1)
                self.stale.append((self.grind([core.CTransaction.from_tx(scb)], self.time + 7), h))
            blk = self.grind(vtx, self.time)
            self.blocks.append(blk)
            self.prev = blk.GetHash()
            cbtxid = vtx[0].GetTxid()
            self.miner.coins.append(Coin(cbtxid, 0, cb_out[0].nValue, self.miner.reuse, h))
            self.coinbases.add(cbtxid)
            self.n_txs += 1
            for t in self.pending:
                self.txmeta[t.GetTxid()]["height"] = h
            self.pending = []
            self.pending_fees = 0

    def grind(self, vtx, t):
        """A block on self.prev with a nonce meeting regtest's target (~2 tries)."""
        mroot = CBlock.build_merkle_tree_from_txids([x.GetTxid() for x in vtx])[-1]
        nonce = 0
        while True:
            hdr = struct.pack("<I", 0x20000000) + self.prev + mroot + struct.pack("<III", t, 0x207fffff, nonce)
            bh = hashlib.sha256(hashlib.sha256(hdr).digest()).digest()
            if int.from_bytes(bh, "little") < (0x7fffff << (8 * (0x20 - 3))):
                return CBlock(0x20000000, self.prev, mroot, t, 0x207fffff, nonce, vtx)
            nonce += 1

    # -- coin selection
    def take(self, e, amount, maxn=None, prefer="random"):
        """Coins of e worth at least amount (mature coinbases only)."""
        pool = [c for c in e.coins if not (c.txid in self.coinbases and self.height - c.height < 101)]
        if prefer == "large":
            pool.sort(key=lambda c: -c.value)
        else:
            self.rnd.shuffle(pool)
        got, s = [], 0
        for c in pool:
            if s >= amount or (maxn and len(got) >= maxn):
                break
            got.append(c)
            s += c.value
        if s < amount:
            raise RuntimeError("%s cannot pay %d (has %d)" % (e.name, amount, sum(c.value for c in pool)))
        return got


# ---------------------------------------------------------------- shapes --------------------
def lognormal_sat(rnd, lo, hi):
    import math
    x = math.exp(rnd.uniform(math.log(lo), math.log(hi)))
    return int(x)


def roundish(rnd, v):
    """People pay round-ish amounts often, exact ones sometimes."""
    r = rnd.random()
    if r < 0.3:
        for step in (10_000_000, 1_000_000, 100_000, 10_000):
            if v >= 3 * step:
                return v // step * step
    return v


def pay(w, payer, to_addr, amount, lookalike=None, change_type=None):
    """An ordinary payment with change (1-3 inputs), outputs in random order."""
    f = w.fee(2, 2)
    coins = w.take(payer, amount + f + 1000)
    fee = w.fee(len(coins), 2)
    change = sum(c.value for c in coins) - amount - fee
    outs = [(to_addr, amount)]
    if change > 600:
        outs.append((w.new_addr(payer, change_type) if payer.reuse is None else payer.reuse, change))
    w.rnd.shuffle(outs)
    txid, new = w.tx(coins, outs)
    if lookalike:
        w.lookalikes.append((b2lx(txid), lookalike, ""))
    return txid, new


def pay_join(w, payer, payee, amount):
    """A PayJoin (BIP78): the payee adds one of its coins as an input and takes it back in its
    output (payment + its coin's value); the payer's change as usual. Two owners' inputs in one
    ordinary-looking tx: nothing on the chain tells it from one wallet's payment."""
    pool = [c for c in payee.coins if not (c.txid in w.coinbases and w.height - c.height < 101)]
    if not pool:
        raise RuntimeError("payee has no coin")
    rc = w.rnd.choice(pool)
    coins = w.take(payer, amount + w.fee(3, 2) + 1000)
    fee = w.fee(len(coins) + 1, 2)
    change = sum(c.value for c in coins) - amount - fee
    outs = [(w.new_addr(payee), amount + rc.value)]
    if change > 600:
        outs.append((w.new_addr(payer) if payer.reuse is None else payer.reuse, change))
    w.rnd.shuffle(outs)
    ins = coins + [rc]
    w.rnd.shuffle(ins)
    txid, new = w.tx(ins, outs)
    w.lookalikes.append((b2lx(txid), "payjoin", "payee %d" % payee.id))
    return txid, new


WP_POOLS = {100_000: 5_000, 1_000_000: 50_000, 5_000_000: 175_000, 50_000_000: 1_750_000}


class Whirlpool:
    def __init__(self, w, pools=None, name="whirlpool-coordinator"):
        self.w = w
        self.pools = pools or WP_POOLS             # denomination -> pool fee
        self.coord = w.entity(name, "coinjoin_coordinator", "p2wpkh")
        self.premix = {d: [] for d in self.pools}    # Coin list waiting to mix
        self.postmix = {d: [] for d in self.pools}

    def tx0(self, owner, d, n, heist="", coins=None):
        """One owner's inputs -> n premixes (d + slack), coordinator fee, OP_RETURN, change(s)."""
        w = self.w
        slack = w.rnd.randint(150, 12_000)      # the mix fee a premix carries: fee-rate driven
        pv = d + slack
        need = n * pv + self.pools[d] + w.fee(3, n + 3)
        coins = coins or w.take(owner, need + 20_000, prefer="large")
        premix_addrs = [w.new_addr(owner, "p2wpkh") for _ in range(n)]
        outs = [(a, pv) for a in premix_addrs]
        feeaddr = w.new_addr(self.coord) if w.rnd.random() < 0.7 or self.coord.reuse is None else self.coord.reuse
        if self.coord.reuse is None:
            self.coord.reuse = feeaddr
        fee_out = self.pools[d]
        if w.rnd.random() < 0.15:      # SCODE discount
            fee_out = fee_out // 2
        outs.append((feeaddr, fee_out))
        outs.append((w.rnd.randbytes(46), 0))
        change = sum(c.value for c in coins) - n * pv - fee_out - w.fee(len(coins), n + 3)
        if change > 1000:
            if w.rnd.random() < 0.4 and change > 40_000:     # newer Tx0s split the change
                c1 = change // w.rnd.randint(2, 4)
                outs += [(w.new_addr(owner, "p2wpkh"), c1), (w.new_addr(owner, "p2wpkh"), change - c1)]
            else:
                outs.append((w.new_addr(owner, "p2wpkh"), change))
        # Samourai sorted Tx0 outputs (BIP69); Sparrow-style clients keep the OP_RETURN first
        if w.rnd.random() < 0.6:
            w.rnd.shuffle(outs)
        else:
            outs.sort(key=lambda o: (o[1], o[0].spk if isinstance(o[0], Addr) else b""))
        txid, new = w.tx(coins, outs)
        pre = [c for c in new if c is not None and c.value == pv]
        self.premix[d].extend(pre)
        w.tx0s.append({"txid": b2lx(txid), "height": w.height + 1, "kind": "tx0", "pool_sat": d,
                       "owner_id": owner.id, "n_inputs": len(coins), "n_premix": n,
                       "n_outputs": len(outs), "heist": heist})
        return txid, pre

    def mix(self, d, forced=(), heist=""):
        """5 inputs (1-3 premixes paying the fee, the rest remixes), 5 outputs of d."""
        w = self.w
        ins = list(forced)
        n_pre = sum(1 for c in ins if c.value > d)
        want_pre = max(1, w.rnd.choice([1, 2, 2, 3]) - n_pre) if n_pre == 0 else w.rnd.choice([0, 1])
        for lst in (self.premix[d], self.postmix[d]):
            lst[:] = [c for c in lst if (c.txid, c.vout) not in w.spent]
        avail_pre = [c for c in self.premix[d] if c not in ins and c.owner.id not in w.thief_ids]
        avail_post = [c for c in self.postmix[d] if c not in ins and c.owner.id not in w.thief_ids]
        w.rnd.shuffle(avail_pre)
        w.rnd.shuffle(avail_post)
        for c in avail_pre[:want_pre]:
            ins.append(c)
        # the thief's input must not be the largest: add a fatter premix when one is around
        if forced and all(c.value <= max(f.value for f in forced) for c in ins if c not in forced):
            fat = [c for c in avail_pre if c not in ins and c.value > max(f.value for f in forced)]
            if fat:
                ins.append(fat[0])
        for c in avail_post:
            if len(ins) >= 5:
                break
            if c not in ins and c.owner not in [x.owner for x in ins]:
                ins.append(c)
        for c in avail_pre:
            if len(ins) >= 5:
                break
            if c not in ins:
                ins.append(c)
        if len(ins) < 5 or not any(c.value > d for c in ins):
            return None
        ins = ins[:5]
        for c in ins:
            for lst in (self.premix[d], self.postmix[d]):
                if c in lst:
                    lst.remove(c)
        w.rnd.shuffle(ins)
        outs = []
        owners = []
        for c in ins:
            outs.append((w.new_addr(c.owner, "p2wpkh"), d))
            owners.append(c.owner)
        order = list(range(5))
        w.rnd.shuffle(order)
        outs = [outs[i] for i in order]
        txid, new = w.tx(ins, outs)
        for c in new:
            self.postmix[d].append(c)
        thief_in = any(c.owner.id in w.thief_ids for c in ins)
        w.coinjoins.append({"txid": b2lx(txid), "height": w.height + 1, "kind": "whirlpool",
                            "coordinator_id": self.coord.id, "n_inputs": 5, "n_outputs": 5,
                            "heist": w.heist_name if thief_in else ""})
        return txid, new


def coinjoin(w, ins, outs, kind, coordinator, heist):
    """Writes a multi-owner round and its coinjoins.csv row (coordinator: the taker for
    JoinMarket)."""
    txid, new = w.tx(ins, outs)
    w.coinjoins.append({"txid": b2lx(txid), "height": w.height + 1, "kind": kind,
                        "coordinator_id": coordinator.id, "n_inputs": len(ins), "n_outputs": len(outs),
                        "heist": heist})
    return txid, new


def ww2_denoms():
    """WabiSabi's standard denominations: 1, 2, 5 x 10^n, 2^n, 3^n and 2 x 3^n sat, 5000 sat up."""
    top = 137_438_953_472
    s = set()
    for base in (1, 2, 5):
        v = base
        while v <= top:
            s.add(v)
            v *= 10
    for mul, step in ((1, 2), (1, 3), (2, 3)):
        v = mul
        while v <= top:
            s.add(v)
            v *= step
    return sorted((v for v in s if v >= 5000), reverse=True)


WW2_D = ww2_denoms()


def ww2_round(w, coordinator, participants, heist="", popular=None):
    """participants: list of (owner, coins). Inputs sorted by value descending, outputs too.
    popular: a denomination most participants take several of (then the round has more equal
    outputs than inputs, as mainnet rounds often do)."""
    rnd = w.rnd
    ins, outs = [], []
    coord_fee = 0
    for owner, coins in participants:
        ins += coins
        total = sum(c.value for c in coins)
        cf = total * 3 // 1000 if (coordinator.name.endswith("zksnacks") and total > 1_000_000) else 0
        coord_fee += cf
        rem = total - cf - w.fee(len(coins), 0, 8) - rnd.randint(0, 3000)
        mine = []
        if popular and rnd.random() < 0.85:
            while rem > popular * 1.02 and len(mine) < 6:
                mine.append(popular)
                rem -= popular + 31 * 8
        while len(mine) < 8:
            cand = [d for d in WW2_D if d <= rem]
            if not cand:
                break
            # usually the largest that fits, sometimes one step down (privacy-driven choice)
            d = cand[min(len(cand) - 1, rnd.choice([0, 0, 0, 1, 2]))]
            mine.append(d)
            rem -= d + 31 * 8
        if rem >= 5000:
            mine.append(rem)                    # change (not a standard value)
        for v in mine:
            outs.append((w.new_addr(owner, rnd.choice(["p2wpkh", "p2wpkh", "p2tr"])), v))
    if coord_fee > 5000:
        if coordinator.reuse is None:
            coordinator.reuse = w.new_addr(coordinator, "p2wpkh")
        outs.append((coordinator.reuse, coord_fee))
    # address reuse: one participant receives at an input's address (seen on mainnet)
    if rnd.random() < 0.3:
        i = rnd.randrange(len(outs))
        a, v = outs[i]
        same = [c for c in ins if c.owner is a.owner]
        if same and a.owner is not coordinator:
            outs[i] = (same[0].a, v)
    ins.sort(key=lambda c: -c.value)
    outs.sort(key=lambda o: -o[1])
    return coinjoin(w, ins, outs, "wasabi2", coordinator, heist)


def ww1_round(w, coordinator, participants, heist=""):
    """Wasabi 1.x: base denomination ~0.1 BTC with 2x/4x levels, one coordinator fee output,
    change per participant (fresh bech32 addresses)."""
    rnd = w.rnd
    base = 10_000_000 - rnd.randint(0, 40_000)
    anonset = len(participants)
    ins, outs = [], []
    coord_fee = 0
    for owner, coins in participants:
        ins += coins
        total = sum(c.value for c in coins)
        # every participant gets the base level; one who can afford it also 2x (and 4x) of it
        mine = [base]
        while total > (sum(mine) + mine[-1] * 2) * 1.01 and len(mine) < 3 and rnd.random() < 0.35:
            mine.append(mine[-1] * 2)
        cf = sum(mine) * 3 * anonset // 100_000           # 0.003 % x anonset
        coord_fee += cf
        change = total - sum(mine) - cf - w.fee(len(coins), 2, 10)
        for v in mine:
            outs.append((w.new_addr(owner, "p2wpkh"), v))
        if change > 5000:
            outs.append((w.new_addr(owner, "p2wpkh"), change))
    if coordinator.reuse is None:
        coordinator.reuse = w.new_addr(coordinator, "p2wpkh")
    outs.append((coordinator.reuse, coord_fee))
    rnd.shuffle(ins)
    rnd.shuffle(outs)
    return coinjoin(w, ins, outs, "wasabi1", coordinator, heist)


def joinmarket(w, taker, taker_coins, makers, amount, heist="", sweep=False):
    """Taker + makers: n equal outputs of a non-round amount, maker changes, taker change (none
    in a sweep: the taker spends its coins whole, the equal amount is what is left after fees)."""
    if sweep:
        amount = sum(c.value for c in taker_coins) - 3000 * len(makers) \
            - amount * len(makers) * 30 // 1_000_000 - w.fee(len(taker_coins) + 2 * len(makers), 2 * len(makers) + 1, 5)
    rnd = w.rnd
    ins = list(taker_coins)
    outs = [(w.new_addr(taker, "p2wpkh"), amount)]
    paid = 0
    for m in makers:
        cjfee = rnd.choice([250, 500, 1000]) + amount * rnd.choice([0, 2, 10, 30]) // 1_000_000
        mc = w.take(m, amount + 10_000, maxn=3, prefer="large")
        ins += mc
        outs.append((w.new_addr(m, "p2wpkh"), amount))
        ch = sum(c.value for c in mc) - amount + cjfee
        outs.append((w.new_addr(m, "p2wpkh"), ch))
        paid += cjfee
    txfee = w.fee(len(ins), len(outs) + 1, 5)
    tch = sum(c.value for c in taker_coins) - amount - paid - txfee
    if tch < 0:
        # a sweep's equal amount is estimated before the makers' coins and fees are known: the
        # caller skips a round the taker cannot pay, as one a maker cannot (RuntimeError)
        raise RuntimeError("%s cannot pay the round (short %d)" % (taker.name, -tch))
    if tch > 1000 and not sweep:
        outs.append((w.new_addr(taker, "p2wpkh"), tch))
    rnd.shuffle(ins)
    rnd.shuffle(outs)
    return coinjoin(w, ins, outs, "joinmarket", taker, heist)


def peel_chain(w, owner, coin, hops, dests, heist="", chain_no=0, end_small=True, on_peel=None):
    """Spends coin hop by hop: each hop pays a peel to a destination and the remainder to a
    fresh address of owner. Peel fractions vary per chain (1 %..45 %); the last hops may keep
    less than they peel. Returns the last remainder coin."""
    rnd = w.rnd
    style = rnd.choice(["steady", "growing", "mixed"])
    stype = rnd.choice(["p2pkh", "p2sh", "p2wpkh", "p2wpkh", "p2tr"])
    base = min(rnd.choice([0.01, 0.03, 0.08, 0.15, 0.3]), 2.0 / hops)
    batched = getattr(w, "batched_peels", False) and hops >= 3
    variants = getattr(w, "peel_variants", False) and hops >= 3
    if variants:
        # --peel-variants: the change switches script type half way (P2WPKH -> P2TR, a wallet
        # upgrade), one hop's remainder goes back to the chain's remainder address of two hops
        # before (address reuse), and every other chain pauses once for 20-40 blocks (any pause
        # of more than a block is the same to a rule that asks for tight links)
        stype = "p2wpkh"
        switch_at, reuse_at = hops // 2 + 1, rnd.randint(3, hops)
        pause_at = rnd.randint(2, hops) if rnd.random() < 0.5 else 0
        rem_addrs = []
    for hop in range(1, hops + 1):
        left = hops - hop
        frac = base * rnd.uniform(0.5, 1.5)
        if style == "growing":
            frac = min(0.45, base * (1 + 3 * hop / hops))
        elif style == "mixed" and rnd.random() < 0.3:
            frac = rnd.uniform(0.15, 0.45)        # remainder below 4x the peel
        if end_small and left < 2 and hops >= 5:
            frac = rnd.uniform(0.55, 0.8)         # near the end: the remainder is below the peel
        fee = w.fee(1, 2)
        peel = int((coin.value - fee) * min(frac, 0.9))
        peel = roundish(rnd, peel) if rnd.random() < 0.3 else peel
        remv = coin.value - fee - peel
        if remv < 20_000 or peel < 5000:
            break
        dest = dests(hop) if callable(dests) else dests
        if variants:
            if hop == switch_at:
                stype = "p2tr"
            rem_addr = rem_addrs[-2] if hop == reuse_at and len(rem_addrs) >= 2 else w.new_addr(owner, stype)
            rem_addrs.append(rem_addr)
            if hop == pause_at:
                w.mine(rnd.randint(20, 40))
        else:
            rem_addr = w.new_addr(owner, stype)
        if batched and rnd.random() < 0.7:
            # --batched-peels: the hop pays 2-3 peels (several payments batched), the same
            # fraction of the coin in all
            n = rnd.choice([2, 3])
            cuts = sorted(rnd.uniform(0.2, 0.8) for _ in range(n - 1))
            parts = [b - a for a, b in zip([0] + cuts, cuts + [1])]
            peels = [(dests(hop) if callable(dests) else dests, int(peel * q)) for q in parts]
            peels = [(d, v) for d, v in peels if v >= 5000]
            remv = coin.value - w.fee(1, len(peels) + 1) - sum(v for _, v in peels)
            outs = peels + [(rem_addr, remv)]
            rnd.shuffle(outs)
            txid, new = w.tx([coin], outs)
            rv = next(i for i, (a, _) in enumerate(outs) if a is rem_addr)
            pv = next(i for i, (a, _) in enumerate(outs) if a is not rem_addr)
            w.peel.append({"heist": heist, "chain": chain_no, "hop": hop, "txid": b2lx(txid),
                           "height": w.height + 1, "peel_vout": pv, "peel_sat": sum(v for _, v in peels),
                           "peel_address": outs[pv][0].addr,
                           "exchange": outs[pv][0].owner.name if outs[pv][0].category == "exchange_deposit" else "",
                           "remainder_vout": rv, "remainder_sat": remv})
            if on_peel:
                for i in range(len(outs)):
                    if i != rv:
                        on_peel(new[i])
            coin = new[rv]
            if rnd.random() < 0.3:
                w.mine()
            continue
        outs = [(dest, peel), (rem_addr, remv)]
        if rnd.random() < 0.5:
            outs.reverse()
        txid, new = w.tx([coin], outs)
        pv = 0 if outs[0][0] is dest else 1
        w.peel.append({"heist": heist, "chain": chain_no, "hop": hop, "txid": b2lx(txid),
                       "height": w.height + 1, "peel_vout": pv, "peel_sat": peel,
                       "peel_address": dest.addr,
                       "exchange": dest.owner.name if dest.category == "exchange_deposit" else "",
                       "remainder_vout": 1 - pv, "remainder_sat": remv})
        if on_peel:
            on_peel(new[pv])
        coin = new[1 - pv]
        if rnd.random() < 0.3:
            w.mine()
    return coin


# ---------------------------------------------------------------- the world ----------------
class Custodial:
    """A custodial mixer (Blender.io / Sinbad.io style, both used by Lazarus and sanctioned by
    OFAC): each order pays a fresh deposit address of the mixer; the mixer sweeps its deposit
    addresses together into its pool (a reused address) and pays each customer, some blocks
    later and less its fee, from whatever coins the pool holds, to the customer's fresh
    addresses, several customers' payouts often in one transaction. Nothing on-chain links an
    order to its payout."""

    def __init__(self, w):
        self.w = w
        self.e = w.entity("blendr-mixer", "mixer", "p2wpkh")
        self.e.reuse = w.new_addr(self.e)
        self.orders = []        # (owner, amount, on_paid)
        self.deposits = []      # Coin at deposit addresses, not yet swept
        c = w.take(w.miner, 60 * COIN, prefer="large")
        w.tx(c, [(self.e.reuse, 60 * COIN), (w.miner.reuse, sum(x.value for x in c) - 60 * COIN - w.fee(len(c), 2))])

    def order(self, owner, coin, on_paid=None):
        w = self.w
        d = w.new_addr(self.e, "p2wpkh")
        _, new = w.tx([coin], [(d, coin.value - w.fee(1, 1))])
        self.deposits.append(new[0])
        self.orders.append((owner, new[0].value, on_paid))

    def run(self):
        w, rnd = self.w, self.w.rnd
        dep = [c for c in self.deposits if c in self.e.coins]
        for i in range(0, len(dep), 12):
            part = dep[i:i + 12]
            w.tx(part, [(self.e.reuse, sum(c.value for c in part) - w.fee(len(part), 1))])
        self.deposits = []
        w.mine()
        self.payouts(lambda: self.e.reuse)

    def payouts(self, change):
        """Pays every order from the pool's coins, 1-4 customers a tx; change() is the change
        address."""
        w, rnd = self.w, self.w.rnd
        orders, self.orders = self.orders, []
        rnd.shuffle(orders)
        while orders:
            n = rnd.randint(1, 4)
            batch, orders = orders[:n], orders[n:]
            outs, paid = [], []
            for owner, amount, on_paid in batch:
                net = amount * rnd.randint(970, 990) // 1000
                k = rnd.randint(1, 3)
                for j in range(k):
                    v = net // k if j < k - 1 else net - (net // k) * (k - 1)
                    a = w.new_addr(owner, "p2wpkh")
                    outs.append((a, v))
                    paid.append((owner, a, on_paid))
            tot = sum(v for _, v in outs)
            coins = w.take(self.e, tot + 100_000, prefer="random")
            outs.append((change(), sum(c.value for c in coins) - tot - w.fee(len(coins), len(outs) + 1)))
            rnd.shuffle(outs)
            _, new = w.tx(coins, outs)
            for (o, v), c in zip(outs, new):
                for owner, a, on_paid in paid:
                    if o is a and on_paid:
                        on_paid(c)
            w.lookalikes.append((b2lx(_), "custodial_payout", "%d outputs" % len(outs)))
        w.mine()


# ---- --rotating-pool (issue 11, sweep9): a custodial mixer / hot wallet that never reuses an
# address, and a thief that consolidates its own coins into a reused address of its own
class RotatingCustodial(Custodial):
    """The custodial mixer of --rotating-pool (Sinbad / Blender style with address rotation):
    every sweep of deposit addresses pays a FRESH pool address, some sweeps gather earlier pool
    coins again (sweep -> sweep, up to three deep), and every payout's change goes to a fresh
    address; customers' payouts are batched together as in Custodial. No pool address is paid
    twice."""

    def __init__(self, w):
        self.w = w
        self.e = w.entity("blendr-mixer", "mixer", "p2wpkh")
        self.orders = []
        self.deposits = []
        c = w.take(w.miner, 60 * COIN, prefer="large")
        w.tx(c, [(self.fresh(), 60 * COIN), (w.miner.reuse, sum(x.value for x in c) - 60 * COIN - w.fee(len(c), 2))])

    def fresh(self):
        return self.w.new_addr(self.e, "p2wpkh")

    def run(self):
        w, rnd = self.w, self.w.rnd
        dep = [c for c in self.deposits if c in self.e.coins]
        rnd.shuffle(dep)
        pools = []
        i = 0
        while i < len(dep):
            part = dep[i:i + rnd.randint(6, 12)]
            i += len(part)
            _, new = w.tx(part, [(self.fresh(), sum(c.value for c in part) - w.fee(len(part), 1))])
            pools.append(new[0])
            w.lookalikes.append((b2lx(_), "custodial_sweep", "%d deposits, fresh pool" % len(part)))
        self.deposits = []
        w.mine()
        # sweep -> sweep: pool coins gathered again into fresh pool addresses
        for depth in range(rnd.randint(1, 3)):
            if len(pools) < 2:
                break
            rnd.shuffle(pools)
            k = rnd.randint(2, min(4, len(pools)))
            part, pools = pools[:k], pools[k:]
            _, new = w.tx(part, [(self.fresh(), sum(c.value for c in part) - w.fee(len(part), 1))])
            pools.append(new[0])
            w.lookalikes.append((b2lx(_), "custodial_sweep", "%d pool coins, chained" % len(part)))
            w.mine()
        self.payouts(self.fresh)


def thief_reuse_consolidation(w, thief, coin, dep_fn):
    """--rotating-pool: the thief splits `coin` into 21 coins, moves each through a tx of its
    own (21 payer txs, 21 addresses), consolidates them seven at a time into ONE reused address
    of its own (paid three times: a pool by reuse alone) and deposits each consolidated coin at
    an exchange account it never used before (dep_fn)."""
    rnd = w.rnd
    n = 21
    part = (coin.value - w.fee(1, n)) // n
    _, split = w.tx([coin], [(w.new_addr(thief, "p2wpkh"), part) for _ in range(n)])
    w.mine()
    moved = []
    for c in split:
        _, new = w.tx([c], [(w.new_addr(thief, "p2wpkh"), c.value - w.fee(1, 1))])
        moved.append(new[0])
    w.mine()
    reused = w.new_addr(thief, "p2wpkh")
    got = []
    for i in range(0, n, 7):
        grp = moved[i:i + 7]
        _, new = w.tx(grp, [(reused, sum(c.value for c in grp) - w.fee(len(grp), 1))])
        got.append(new[0])
        w.lookalikes.append((b2lx(_), "thief_consolidation", "7 coins to a reused address"))
        w.mine()
    for c in got:
        w.tx([c], [(dep_fn(), c.value - w.fee(1, 1))])
    w.mine()

def build(seed, scale, careful=False, custodial=False, sweep_fed=False, rotating=False, direct_wd=False,
          batched_peels=False, peel_variants=False, payjoin=False, postmix_consolidation=False,
          small_rounds=False):
    w = World(seed, scale)
    w.batched_peels, w.peel_variants = batched_peels, peel_variants
    w.careful = careful
    w.rotating = rotating
    w.custodial = custodial or rotating
    custodial = custodial or rotating
    rnd = w.rnd
    w.mine(1)
    w.mine(200)
    exchanges = [w.entity("exchange-%s" % n, "exchange") for n in ("alpha", "bravo", "charlie", "delta")]
    for e in exchanges:
        e.stype = rnd.choice(["p2wpkh", "p2sh", "p2pkh"])
        e.reuse = w.new_addr(e)
    victim = exchanges[0]
    users = [w.entity("user-%d" % i, "user") for i in range(60 * scale)]
    makers = [w.entity("jm-maker-%d" % i, "user", "p2wpkh") for i in range(12)]
    employer = w.entity("payroll-co", "service")
    merchant = w.entity("merchant-shop", "merchant")
    ww1c = w.entity("wasabi1-zksnacks", "coinjoin_coordinator", "p2wpkh")
    ww2c = w.entity("wasabi2-zksnacks", "coinjoin_coordinator", "p2wpkh")
    ww2k = w.entity("wasabi2-kruw", "coinjoin_coordinator", "p2wpkh")
    wp = Whirlpool(w)
    thief = w.entity("lazarus-like", "thief", "p2wpkh")
    w.thief_ids.add(thief.id)
    dep = {}

    def top3(m):
        return sum(sorted((c.value for c in m.coins), reverse=True)[:3])

    def deposit_addr(ex, cust):
        # one deposit address per account; a thief opens many accounts
        k = (ex.id, cust.id, rnd.randrange(8 if cust.id in w.thief_ids else 2))
        if k not in dep:
            dep[k] = w.new_addr(ex, ex.stype, "exchange_deposit", str(cust.id))
        return dep[k]

    # funding: the pool sells to exchanges and pays users in batches
    for e in exchanges:
        for _ in range(10 if e is victim else 6):
            c = w.take(w.miner, 45 * COIN, maxn=1, prefer="large")
            w.tx(c, [(e.reuse, c[0].value - 3000)])
    w.mine()
    everyone = users + makers + [employer, merchant]
    rnd.shuffle(everyone)
    for i in range(0, len(everyone), 25):
        grp = everyone[i:i + 25]
        coins = w.take(w.miner, 4 * COIN * len(grp), prefer="large")
        outs = []
        for u in grp:
            for _ in range(rnd.randint(1, 3)):
                outs.append((w.new_addr(u), lognormal_sat(rnd, 1_000_000, 150_000_000)))
        tot = sum(c.value for c in coins)
        outs.append((w.miner.reuse, tot - sum(v for _, v in outs) - w.fee(len(coins), len(outs) + 1)))
        w.tx(coins, outs)
    for m in makers + [employer]:
        for _ in range(4):
            c = w.take(w.miner, 3 * COIN, maxn=1, prefer="large")
            # a pool paying from its reused payout address: a reuse chain, not a peel chain
            txid, _ = w.tx(c, [(w.new_addr(m), 2 * COIN + rnd.randint(0, COIN)), (w.miner.reuse, c[0].value - 2 * COIN - COIN - 5000)])
            w.lookalikes.append((b2lx(txid), "pool_payout_reuse", ""))
    w.mine(2)

    # ------------------------------------------------------------ honest economy ------
    def user_payments(n):
        for _ in range(n):
            u = rnd.choice(users)
            to = rnd.choice(users + [merchant])
            if not u.coins or to is u:
                continue
            bal = sum(c.value for c in u.coins)
            amt = roundish(rnd, int(bal * rnd.uniform(0.05, 0.6)))
            if amt < 20_000:
                continue
            if payjoin and to.coins and rnd.random() < 0.3:
                try:
                    pay_join(w, u, to, amt)
                except RuntimeError:
                    pass
                continue
            try:
                pay(w, u, w.new_addr(to), amt, lookalike="payment")
            except RuntimeError:
                pass

    def withdrawals(ex, n_out, equal_round=True, many_inputs=False):
        outs = []
        for _ in range(n_out):
            u = rnd.choice(users + makers)
            v = rnd.choice([1_000_000, 5_000_000, 10_000_000, 10_000_000, 50_000_000, 2_000_000]) \
                if equal_round and rnd.random() < 0.45 else lognormal_sat(rnd, 200_000, 80_000_000)
            outs.append((w.new_addr(u), v))
        tot = sum(v for _, v in outs)
        coins = w.take(ex, tot + 200_000, maxn=None if many_inputs else 4, prefer="random" if many_inputs else "large")
        if many_inputs and len(coins) < 6:
            coins = w.take(ex, tot + 200_000, prefer="random")
        ch = sum(c.value for c in coins) - tot - w.fee(len(coins), len(outs) + 1)
        outs.append((ex.reuse, ch))
        rnd.shuffle(outs)
        txid, _ = w.tx(coins, outs)
        w.lookalikes.append((b2lx(txid), "exchange_batch", "%d outputs" % len(outs)))

    def payroll(n_equal, extra, many_inputs):
        sal = rnd.choice([2_500_000, 1_000_000, 1_850_000, 3_333_000, 500_000])
        outs = [(w.new_addr(rnd.choice(users)), sal) for _ in range(n_equal)]
        outs += [(w.new_addr(rnd.choice(users)), lognormal_sat(rnd, 300_000, 5_000_000)) for _ in range(extra)]
        tot = sum(v for _, v in outs)
        if many_inputs:
            # the business received many small payments at fresh addresses first
            got = 0
            for _ in range(60):
                if got >= 12:
                    break
                try:
                    pay(w, rnd.choice(users + makers), w.new_addr(employer), tot // 10 + rnd.randint(0, 200_000))
                    got += 1
                except RuntimeError:
                    pass
            w.mine()
            coins = [c for c in employer.coins if c.height <= w.height][:]
            rnd.shuffle(coins)
            coins = coins[:12]
            while sum(c.value for c in coins) < tot + 300_000:
                coins.append([c for c in employer.coins if c not in coins][0])
        else:
            coins = w.take(employer, tot + 300_000, maxn=3, prefer="large")
        ch = sum(c.value for c in coins) - tot - w.fee(len(coins), len(outs) + 1)
        outs.append((w.new_addr(employer), ch))
        rnd.shuffle(outs)
        txid, _ = w.tx(coins, outs)
        w.lookalikes.append((b2lx(txid), "payroll", "%d x %d sat from %d inputs" % (n_equal, sal, len(coins))))

    def consolidate(e, n):
        if len(e.coins) < n:
            return
        coins = sorted(e.coins, key=lambda c: c.value)[:n]
        tot = sum(c.value for c in coins)
        txid, _ = w.tx(coins, [(w.new_addr(e) if e.reuse is None else e.reuse, tot - w.fee(n, 1))])
        w.lookalikes.append((b2lx(txid), "consolidation", "%d inputs" % n))

    def user_deposits(n):
        for _ in range(n):
            u = rnd.choice(users)
            if not u.coins:
                continue
            ex = rnd.choice(exchanges)
            amt = roundish(rnd, int(sum(c.value for c in u.coins) * rnd.uniform(0.2, 0.9)))
            if amt > 50_000:
                try:
                    pay(w, u, deposit_addr(ex, u), amt, lookalike="payment")
                except RuntimeError:
                    pass

    def sweeps():
        """Exchanges sweep their deposit addresses (stolen and clean alike) into the hot wallet."""
        for ex in exchanges:
            coins = [c for c in ex.coins if c.a.category == "exchange_deposit"]
            for i in range(0, len(coins), 30):
                part = coins[i:i + 30]
                if len(part) < 2:
                    continue
                tot = sum(c.value for c in part)
                # --rotating-pool: the hot wallet rotates (each sweep to a fresh address)
                txid, _ = w.tx(part, [(w.new_addr(ex) if w.rotating else ex.reuse, tot - w.fee(len(part), 1))])
                w.lookalikes.append((b2lx(txid), "deposit_sweep", "%d deposits" % len(part)))

    def hot_wallet_chain(ex, hops, fresh):
        """An exchange paying withdrawals one by one from its change: change back to the reused
        hot address (most exchanges), or to a fresh change address (fresh=True)."""
        coin = w.take(ex, 20 * COIN, maxn=1, prefer="large")[0]
        for _ in range(hops):
            u = rnd.choice(users)
            v = rnd.choice([1_000_000, 5_000_000, 10_000_000]) if rnd.random() < 0.4 else lognormal_sat(rnd, 200_000, 30_000_000)
            ch_addr = w.new_addr(ex) if fresh else ex.reuse
            outs = [(w.new_addr(u), v), (ch_addr, coin.value - v - w.fee(1, 2))]
            rnd.shuffle(outs)
            txid, new = w.tx([coin], outs)
            w.lookalikes.append((b2lx(txid), "hotwallet_fresh" if fresh else "hotwallet_reuse", ""))
            coin = [c for c in new if c.a is ch_addr][0]

    def sweep_fed_chain(ex, hops):
        """An exchange that sweeps 6-10 of its customers' deposit addresses into a FRESH hot
        address and pays withdrawals one per tx from it, change to a fresh address; every 4-6
        hops another sweep (to a fresh address) tops the chain up: a 2-input hop, the change
        and the sweep's coin. Structurally a peel chain with no address reused."""
        def sweep_fresh():
            deps = [c for c in ex.coins if c.a.category == "exchange_deposit"]
            if len(deps) < 6:
                user_deposits(30)
                deps = [c for c in ex.coins if c.a.category == "exchange_deposit"]
            part, seen = [], set()
            for c in deps:
                if c.a.addr not in seen and c.txid not in {p.txid for p in part}:
                    part.append(c)
                    seen.add(c.a.addr)
                if len(part) >= rnd.randint(6, 10):
                    break
            if len(part) < 5:
                return None
            hot = w.new_addr(ex)
            txid, new = w.tx(part, [(hot, sum(c.value for c in part) - w.fee(len(part), 1))])
            w.lookalikes.append((b2lx(txid), "deposit_sweep", "%d deposits, to a fresh address" % len(part)))
            return new[0]
        coin = sweep_fresh()
        if coin is None:
            return
        w.mine()
        next_top = rnd.randint(4, 6)
        for h in range(hops):
            ins = [coin]
            if h == next_top:
                top = sweep_fresh()
                if top is not None:
                    ins.append(top)
                next_top += rnd.randint(4, 6)
            tot = sum(c.value for c in ins)
            u = rnd.choice(users)
            v = min(lognormal_sat(rnd, 200_000, 30_000_000), tot // 3)
            ch = w.new_addr(ex)
            outs = [(w.new_addr(u), v), (ch, tot - v - w.fee(len(ins), 2))]
            rnd.shuffle(outs)
            txid, new = w.tx(ins, outs)
            w.lookalikes.append((b2lx(txid), "hotwallet_sweepfed", "%d inputs" % len(ins)))
            coin = [c for c in new if c.a is ch][0]
            if rnd.random() < 0.5:
                w.mine()

    for _ in range(2):
        user_payments(40 * scale)
        for ex in exchanges:
            withdrawals(ex, rnd.randint(10, 60))
        w.mine()
    for ex in exchanges[:2]:
        withdrawals(ex, rnd.randint(15, 40), many_inputs=False)
    payroll(12, 0, False)
    payroll(20, 3, False)
    payroll(14, 2, True)
    payroll(10, 3, True)
    user_deposits(30 * scale)
    w.mine()

    # honest Whirlpool: Tx0s of users, mixes and remixes in every pool
    tx0_users = rnd.sample(users, 14)
    for u in tx0_users:
        bal = sum(c.value for c in u.coins)
        for d in sorted(WP_POOLS, reverse=True):
            n = min(70, int(bal * 0.8 // (d + WP_POOLS[d] // 5 + d // 50)))
            if n >= 2 and (d >= 5_000_000 or rnd.random() < 0.7):
                n = min(n, rnd.randint(2, 12))
                try:
                    wp.tx0(u, d, n)
                except RuntimeError:
                    continue
                break
    w.mine()
    for u in rnd.sample([u for u in users if u not in tx0_users], min(len(users) - 14, 10 * scale)):
        bal = sum(c.value for c in u.coins)
        d = 50_000_000 if bal > 3 * COIN and rnd.random() < 0.5 else 5_000_000
        n = min(int(bal * 0.6 // (d * 1.06)), rnd.randint(2, 6))
        if n >= 2:
            try:
                wp.tx0(u, d, n)
            except RuntimeError:
                pass
    w.mine()
    for d in WP_POOLS:
        for _ in range(6 * scale):
            wp.mix(d)
    w.mine()

    # honest Wasabi and JoinMarket
    def participants(k, lo=1_000_000, maxcoins=3):
        ps = []
        for u in rnd.sample(users + makers, k):
            cs = [c for c in u.coins if c.value >= lo][:rnd.randint(1, maxcoins)]
            if cs:
                ps.append((u, cs))
        return ps

    def jm_honest():
        taker = rnd.choice(users)
        cs = [c for c in taker.coins if c.value > 3_000_000][:2]
        if not cs:
            return
        amt = int(sum(c.value for c in cs) * rnd.uniform(0.3, 0.8))
        mk = [m for m in makers if top3(m) > amt + 50_000]
        if len(mk) < 3:
            return
        try:
            joinmarket(w, taker, cs, rnd.sample(mk, min(len(mk), rnd.randint(3, 9))), amt)
        except RuntimeError:
            pass

    for _ in range(2 * scale):
        ww1_round(w, ww1c, participants(rnd.randint(15, 30), lo=10_500_000))
        ww2_round(w, ww2c, participants(rnd.randint(20, 40)))
        ww2_round(w, ww2c, participants(rnd.randint(20, 35), lo=5_000_000, maxcoins=2),
                  popular=rnd.choice([10_000_000, 5_000_000, 2 ** 23, 3 ** 14]))
        ww2_round(w, ww2k, participants(rnd.randint(12, 25), lo=200_000))
        for _ in range(3):
            jm_honest()
        w.mine()

    # honest peel chains: a wallet paying from its change again and again
    for i in range(3):
        u = rnd.choice(users)
        big = w.take(w.miner, 10 * COIN, maxn=1, prefer="large")[0]
        _, nc = w.tx([big], [(w.new_addr(u), 8 * COIN), (w.miner.reuse, big.value - 8 * COIN - 4000)])
        peel_chain(w, u, nc[0], rnd.randint(4, 12), lambda h: w.new_addr(rnd.choice(users + [merchant])),
                   heist="", chain_no=i + 1, end_small=False)
    for ex in exchanges:
        hot_wallet_chain(ex, rnd.randint(8, 20), fresh=False)
    hot_wallet_chain(exchanges[2], 12, fresh=True)
    if sweep_fed:
        # --sweep-fed-hot-wallet: exchanges that never reuse an address, each withdrawal chain
        # funded and topped up by sweeps of its customers' deposits (the default world draws
        # nothing here, so its txs are unchanged)
        for ex in exchanges:
            sweep_fed_chain(ex, rnd.randint(10, 16))
    for ex in exchanges:
        consolidate(ex, 8)
    for e in rnd.sample(users, 6):
        consolidate(e, min(len(e.coins), rnd.randint(5, 9)))
    w.mine()

    # ------------------------------------------------------------ the heist ------------
    theft_outs = []
    parts = [120 * COIN, 60 * COIN, 45 * COIN, 30 * COIN, 8 * COIN]
    for p in parts:
        theft_outs.append((w.new_addr(thief, "p2wpkh"), p + rnd.randint(0, 999_999)))
    amount = sum(v for _, v in theft_outs)
    vcoins = w.take(victim, amount + 10 * COIN, prefer="large")
    vin_outs = [c.outpoint for c in vcoins]
    ch = sum(c.value for c in vcoins) - amount - w.fee(len(vcoins), 6)
    outs = theft_outs + [(victim.reuse, ch)]
    theft_txid, tnew = w.tx(vcoins, outs)
    hname = "heist-1"
    stolen_outputs = [{"outpoint": c.outpoint, "address": c.a.addr, "value_sat": c.value} for c in tnew[:5]]
    w.mine()
    others = exchanges[1:]

    def thief_dep(h=0):
        return deposit_addr(rnd.choice(others), thief)

    def postmix_dep():
        """A careful thief cashes post-mix coins out at accounts it never used before mixing."""
        if not careful:
            return thief_dep()
        ex = rnd.choice(others)
        return w.new_addr(ex, ex.stype, "exchange_deposit", str(thief.id))

    cm = None
    if custodial:
        # honest customers of the custodial mixer, before and after the thief's orders; what
        # they get back is deposited at exchanges (clean deposits through a mixer)
        cm = RotatingCustodial(w) if rotating else Custodial(w)
        w.mine()

        def honest_orders(n):
            for u in rnd.sample(users, n):
                cs = [c for c in u.coins if c.value > 2_000_000]
                if cs:
                    cm.order(u, cs[0], lambda c: w.tx([c], [(deposit_addr(rnd.choice(exchanges), c.a.owner), c.value - w.fee(1, 1))])
                             if rnd.random() < 0.6 else None)
        honest_orders(12)
        w.mine()

    # A: peel chains of 3..40 hops, peels to thief deposit accounts
    big = tnew[0]
    # fan out the largest stolen coin into chain heads
    heads_v = [30, 25, 20, 15, 12, 8, 5, 3]
    outs = [(w.new_addr(thief, "p2wpkh"), v * COIN + rnd.randint(0, 99_999)) for v in heads_v]
    outs.append((w.new_addr(thief, "p2wpkh"), big.value - sum(v for _, v in outs) - w.fee(1, 9)))
    _, heads = w.tx([big], outs)
    w.mine()
    for ci, (coin, k) in enumerate(zip(heads[:8], [40, 25, 15, 10, 8, 6, 4, 3])):
        if cm and ci >= 6:
            # with --custodial-mixer the last two heads (5 and 3 BTC) go to the mixer; the
            # thief deposits what it gets back at its exchange accounts
            cm.order(thief, coin, lambda c: w.tx([c], [(thief_dep(), c.value - w.fee(1, 1))]))
            continue
        peel_chain(w, thief, coin, k, thief_dep, heist=hname, chain_no=ci + 1)
    w.mine()
    if cm:
        honest_orders(12)
        w.mine()
        cm.run()

    # B: Whirlpool: Tx0s at 0.5 and 0.05 BTC, thief premixes mix (not the largest input),
    # remix 0-2 times, postmix coins deposited alone or together
    w.heist_name = hname
    t0a, pre_a = wp.tx0(thief, 50_000_000, 20, heist=hname, coins=[tnew[1]])
    t0b, pre_b = wp.tx0(thief, 5_000_000, 30, heist=hname,
                        coins=[max((c for c in thief.coins if c not in pre_a and c is not tnew[2]
                                    and c is not tnew[3] and c is not tnew[4]), key=lambda c: c.value)])
    # honest premix supply for those pools
    for u in rnd.sample([u for u in users if u not in tx0_users], 12):
        bal = sum(c.value for c in u.coins)
        for d in (50_000_000, 5_000_000):
            n = int(bal * 0.7 // (d * 1.06))
            if n >= 2:
                try:
                    wp.tx0(u, d, min(n, 8))
                except RuntimeError:
                    continue
                break
    w.mine()
    thief_post = []
    for pre in pre_a + pre_b:
        d = 50_000_000 if pre.value > 50_000_000 else 5_000_000
        r = wp.mix(d, forced=[pre], heist=hname)
        if r is None:
            continue
        mine = [c for c in r[1] if c.owner is thief]
        for _ in range(rnd.choice([0, 0, 1, 2])):
            r2 = wp.mix(d, forced=mine, heist=hname)
            if r2 is None:
                break
            mine = [c for c in r2[1] if c.owner is thief]
        thief_post += mine
        if rnd.random() < 0.3:
            w.mine()
    # honest remixes continue around them
    for d in WP_POOLS:
        for _ in range(4):
            wp.mix(d)
    w.mine()
    thief_post = [c for c in thief_post if c in thief.coins]
    rnd.shuffle(thief_post)
    if postmix_consolidation and len(thief_post) >= 2:
        # --postmix-consolidation: the thief spends its post-mix coins together (what wallets
        # that ignore post-mix hygiene do), then deposits the coin in one or two parts
        tot = sum(c.value for c in thief_post)
        _, cc = w.tx(thief_post, [(w.new_addr(thief, "p2wpkh"), tot - w.fee(len(thief_post), 1))])
        w.mine()
        thief_post = []
        c = cc[0]
        if rnd.random() < 0.5:
            w.tx([c], [(postmix_dep(), c.value - w.fee(1, 1))])
        else:
            half = c.value // 2
            w.tx([c], [(postmix_dep(), half), (postmix_dep(), c.value - half - w.fee(1, 2))])
    while thief_post:
        k = rnd.choice([1, 1, 2, 3])
        grp, thief_post = thief_post[:k], thief_post[k:]
        tot = sum(c.value for c in grp)
        w.tx(grp, [(postmix_dep(), tot - w.fee(len(grp), 1))])
    w.mine()

    # C: Wasabi 2 round with the thief (2 coins), and a Wasabi 1 round; outputs deposited
    c45 = tnew[2]
    fan = [(w.new_addr(thief, "p2wpkh"), v) for v in (7 * COIN + 123_456, 3 * COIN + 98_765, 1 * COIN + 55_555)]
    rest = c45.value - sum(v for _, v in fan) - w.fee(1, 4)
    fan.append((w.new_addr(thief, "p2wpkh"), rest))
    _, fcs = w.tx([c45], fan)
    w.mine()
    ps = participants(rnd.randint(25, 40)) + [(thief, fcs[:2])]
    rnd.shuffle(ps)
    _, out2 = ww2_round(w, ww2c, ps, heist=hname)
    ps1 = participants(rnd.randint(15, 25), lo=10_500_000) + [(thief, [fcs[2]])]
    _, out1 = ww1_round(w, ww1c, ps1, heist=hname)
    w.mine()
    post = [c for c in out2 + out1 if c is not None and c.owner is thief]
    rnd.shuffle(post)
    while post:
        k = rnd.choice([1, 2, 4])
        grp, post = post[:k], post[k:]
        tot = sum(c.value for c in grp)
        w.tx(grp, [(postmix_dep(), tot - w.fee(len(grp), 1))])
    # D: JoinMarket as a taker (twice), then a peel chain from the JM output
    for coin in (tnew[3],):
        amt = 9 * COIN + rnd.randint(0, COIN)
        mk = [m for m in makers if top3(m) > amt + 50_000]
        if len(mk) < 5:
            for m in makers:
                c = w.take(w.miner, 12 * COIN, maxn=1, prefer="large")
                txid, _ = w.tx(c, [(w.new_addr(m), 11 * COIN), (w.miner.reuse, c[0].value - 11 * COIN - 4000)])
                w.lookalikes.append((b2lx(txid), "pool_payout_reuse", ""))
            w.mine()
            mk = makers
        _, jn = joinmarket(w, thief, [coin], rnd.sample(mk, 5), amt, heist=hname)
        w.mine()
        for c in jn:
            if c is not None and c.owner is thief:
                if c.value == amt:
                    peel_chain(w, thief, c, 12, thief_dep, heist=hname, chain_no=20)
                else:
                    w.tx([c], [(thief_dep(), c.value - w.fee(1, 1))])
    # E: the last stolen coin deposited directly in two parts
    c8 = tnew[4]
    if rotating:
        # --rotating-pool: the thief's own consolidation into a reused address of its own
        thief_reuse_consolidation(w, thief, c8, lambda: w.new_addr(rnd.choice(others), None, "exchange_deposit",
                                                                   str(thief.id)))
    else:
        half = c8.value // 2
        w.tx([c8], [(thief_dep(), half), (thief_dep(), c8.value - half - w.fee(1, 2))])
    w.mine()
    # the thief's unmixed leftovers: Tx0 change etc. go to one deposit each
    for c in list(thief.coins):
        if c.value > 50_000:
            w.tx([c], [(thief_dep(), c.value - w.fee(1, 1))])
    w.mine()

    # honest life continues: users deposit postmix and mixed coins (clean deposits through
    # CoinJoins), exchanges sweep, withdraw, more mixes
    if postmix_consolidation:
        # honest post-mix holders with several coins consolidate them too (4 of them)
        holders = {}
        for d in WP_POOLS:
            for c in wp.postmix[d]:
                if c.owner is not thief and c in c.owner.coins:
                    holders.setdefault(c.owner.id, []).append((d, c))
        for grp in [g for g in holders.values() if len(g) >= 2][:4]:
            for d, c in grp:
                wp.postmix[d].remove(c)
            cs = [c for _, c in grp]
            txid, _ = w.tx(cs, [(w.new_addr(cs[0].owner), sum(c.value for c in cs) - w.fee(len(cs), 1))])
            w.lookalikes.append((b2lx(txid), "consolidation", "post-mix"))
        w.mine()
    for d in WP_POOLS:
        for c in list(wp.postmix[d]):
            if c.owner is not thief and rnd.random() < 0.4 and c in c.owner.coins:
                ex = rnd.choice(exchanges)
                w.tx([c], [(deposit_addr(ex, c.owner), c.value - w.fee(1, 1))])
                wp.postmix[d].remove(c)
    user_deposits(20 * scale)
    user_payments(30 * scale)
    w.mine()
    if direct_wd:
        # --direct-withdrawals: the exchanges the thief used pay withdrawal batches straight from
        # their customers' deposit coins (no sweep first), stolen deposits among honest ones;
        # the payees are honest users, 40 % of whom deposit the coin at another exchange
        paid = []
        for ex in others:
            for _ in range(2):
                deps = [c for c in ex.coins if c.a.category == "exchange_deposit"]
                stolen = [c for c in deps if c.a.customer == str(thief.id)]
                clean = [c for c in deps if c.a.customer != str(thief.id)]
                if not stolen or len(clean) < 3:
                    break
                coins = rnd.sample(stolen, 1) + rnd.sample(clean, min(len(clean), rnd.randint(3, 7)))
                rnd.shuffle(coins)
                tot = sum(c.value for c in coins)
                outs = []
                for _ in range(rnd.randint(6, 15)):
                    v = rnd.choice([1_000_000, 5_000_000, 10_000_000, 2_000_000]) if rnd.random() < 0.4 \
                        else lognormal_sat(rnd, 200_000, 40_000_000)
                    if sum(x for _, x in outs) + v > tot * 0.9:
                        break
                    outs.append((w.new_addr(rnd.choice(users)), v))
                outs.append((ex.reuse, tot - sum(x for _, x in outs) - w.fee(len(coins), len(outs) + 1)))
                rnd.shuffle(outs)
                txid, new = w.tx(coins, outs)
                w.lookalikes.append((b2lx(txid), "exchange_batch_direct", "%d deposits, %d outputs" % (len(coins), len(outs))))
                paid += [c for c in new if c.a is not ex.reuse]
        w.mine()
        for c in paid:
            if rnd.random() < 0.4 and c in c.owner.coins:
                w.tx([c], [(deposit_addr(rnd.choice([e for e in exchanges if e is not c.a.owner]), c.owner),
                            c.value - w.fee(1, 1))])
        w.mine()

    sweeps()
    w.mine()
    for ex in exchanges:
        withdrawals(ex, rnd.randint(10, 50))
    payroll(16, 1, True)
    w.mine(2)

    # later shapes (appended last so that the txids above stay stable): JoinMarket sweeps, and
    # a new coordinator's 0.25 BTC pool (not one of the four Samourai pools)
    for _ in range(3):
        taker = rnd.choice([u for u in users if any(c.value > 3_000_000 for c in u.coins)])
        cs = [c for c in taker.coins if c.value > 3_000_000][:rnd.randint(1, 2)]
        mk = [m for m in makers if top3(m) > sum(c.value for c in cs) + 50_000]
        if len(mk) >= 3:
            try:
                joinmarket(w, taker, cs, rnd.sample(mk, min(len(mk), rnd.randint(3, 7))), 0, sweep=True)
            except RuntimeError:
                pass
    wq = Whirlpool(w, {25_000_000: 1_000_000}, "whirlpool-coordinator-2")
    for u in sorted(users, key=lambda u: -sum(c.value for c in u.coins))[:8]:
        try:
            wq.tx0(u, 25_000_000, rnd.randint(2, 5))
        except RuntimeError:
            pass
    w.mine()
    for _ in range(6 * scale):
        wq.mix(25_000_000)
    w.mine(2)
    if small_rounds:
        # --small-rounds: JoinMarket rounds with 2-3 makers only (a taker with one or two coins,
        # some sweeps) and Wasabi 2 rounds of 3-6 participants (a small coordinator's quiet hour)
        for i in range(8):
            taker = rnd.choice([u for u in users if any(c.value > 3_000_000 for c in u.coins)])
            cs = [c for c in taker.coins if c.value > 3_000_000][:rnd.randint(1, 2)]
            sweep = i % 3 == 2
            amt = 0 if sweep else int(sum(c.value for c in cs) * rnd.uniform(0.3, 0.8))
            mk = [m for m in makers if top3(m) > (sum(c.value for c in cs) if sweep else amt) + 50_000]
            if len(mk) >= 2:
                try:
                    joinmarket(w, taker, cs, rnd.sample(mk, rnd.randint(2, min(3, len(mk)))), amt, sweep=sweep)
                except RuntimeError:
                    pass
        w.mine()
        for _ in range(4):
            ps = participants(rnd.randint(3, 6), lo=200_000)
            if len(ps) >= 2:
                ww2_round(w, ww2k, ps)
        w.mine(2)

    # ------------------------------------------------------------ heist truth ----------
    deps = []
    # a deposit is stolen when a thief coin paid it: find via the tx's inputs
    spent_by = {}
    for b in w.blocks[1:]:
        for t in b.vtx[1:]:
            txid = b2lx(t.GetTxid())
            spent_by[txid] = [(b2lx(i.prevout.hash), i.prevout.n) for i in t.vin]
    owner_of_out = {}
    for b in w.blocks[1:]:
        for t in b.vtx:
            txid = b2lx(t.GetTxid())
            for n, o in enumerate(t.vout):
                owner_of_out[(txid, n)] = o.scriptPubKey
    thief_spk = {a.spk for a in w.addrs if a.owner is thief}
    by_ex = {}
    by_addr = {}
    for d in w.deposits:
        ins = spent_by.get(d["txid"], [])
        if ins and all(bytes(owner_of_out.get(p, b"")) in thief_spk for p in ins):
            d["heist"] = hname
            deps.append({"outpoint": "%s:%d" % (d["txid"], d["vout"]), "value_sat": d["value_sat"],
                         "address": d["address"], "exchange": d["exchange"], "height": d["height"]})
            by_ex[d["exchange"]] = by_ex.get(d["exchange"], 0) + d["value_sat"]
            e = by_addr.setdefault(d["address"], {"value_sat": 0, "exchange": d["exchange"], "deposits": 0})
            e["value_sat"] += d["value_sat"]
            e["deposits"] += 1
    unspent = [c for c in thief.coins]
    dep_sat = sum(d["value_sat"] for d in deps)
    un_sat = sum(c.value for c in unspent)
    w.heists.append({"name": hname, "thief_id": thief.id, "thief_entity": thief.id, "victim_id": victim.id,
                     "victim": victim.name,
                     "totals": {"stolen_sat": amount, "deposited_sat": dep_sat, "unspent_sat": un_sat,
                                "fees_mining_sat": amount - dep_sat - un_sat, "fees_coordinator_sat": 0},
                     "amount_sat": amount, "theft_txid": b2lx(theft_txid), "victim_inputs": vin_outs,
                     "stolen_outputs": stolen_outputs, "deposits": deps, "deposits_by_exchange": by_ex,
                     "deposits_by_address": by_addr,
                     "unspent": [{"outpoint": c.outpoint, "value_sat": c.value} for c in unspent],
                     "coinjoin_txids": [c["txid"] for c in w.coinjoins if c["heist"]],
                     "peel_chain_txids": [p["txid"] for p in w.peel if p["heist"]]})
    return w


# ---------------------------------------------------------------- writing -------------------
def write(w, out, xor_key, zero_tail, max_file, zero_tail_all=False):
    bdir = os.path.join(out, "blocks")
    tdir = os.path.join(out, "truth")
    os.makedirs(bdir, exist_ok=True)
    os.makedirs(tdir, exist_ok=True)
    for f in os.listdir(bdir):
        os.unlink(os.path.join(bdir, f))
    key = bytes.fromhex(xor_key) if xor_key else None
    files = []
    cur = bytearray()
    stale_at = {}
    for b, h in w.stale:
        stale_at.setdefault(h, []).append(b)
    recs = []
    for h, b in enumerate(w.blocks):
        for x in [b] + stale_at.get(h, []):
            raw = x.serialize()
            recs.append(MAGIC + struct.pack("<I", len(raw)) + raw)
    # headers-first download leaves a few blocks after their successor
    rnd = random.Random(w.seed * 7 + 1)
    for i in range(2, len(recs) - 1):
        if rnd.random() < 0.02:
            recs[i], recs[i + 1] = recs[i + 1], recs[i]
    for r in recs:
        if cur and len(cur) + len(r) > max_file:
            files.append(cur)
            cur = bytearray()
        cur += r
    files.append(cur)
    for i, data in enumerate(files):
        data = bytes(data)
        if key:
            data = bytes(b ^ key[j % 8] for j, b in enumerate(data))
        with open(os.path.join(bdir, "blk%05d.dat" % i), "wb") as f:
            f.write(data)
            if zero_tail and (i == len(files) - 1 or zero_tail_all):
                f.write(b"\0" * zero_tail)       # posix_fallocate: raw zeros, not obfuscated
    if key:
        with open(os.path.join(bdir, "xor.dat"), "wb") as f:
            f.write(key)

    def wcsv(name, head, rows):
        with open(os.path.join(tdir, name), "w", newline="") as f:
            wr = csv.writer(f)
            wr.writerow(head)
            for r in rows:
                wr.writerow([r[h] for h in head] if isinstance(r, dict) else r)

    wcsv("entities.csv", ["entity_id", "name", "category"], [(e.id, e.name, e.category) for e in w.entities])
    wcsv("addresses.csv", ["address", "script_type", "entity_id", "entity_name", "category", "customer_id"],
         [(a.addr, a.stype, a.owner.id, a.owner.name, a.category, a.customer) for a in w.addrs])
    wcsv("coinjoins.csv", ["txid", "height", "kind", "coordinator_id", "n_inputs", "n_outputs", "heist"],
         [dict(r, height=w.txmeta[bytes.fromhex(r["txid"])[::-1]]["height"]) for r in w.coinjoins])
    wcsv("tx0s.csv", ["txid", "height", "kind", "pool_sat", "owner_id", "n_inputs", "n_premix", "n_outputs", "heist"],
         [dict(r, height=w.txmeta[bytes.fromhex(r["txid"])[::-1]]["height"]) for r in w.tx0s])
    wcsv("peel_chains.csv", ["heist", "chain", "hop", "txid", "height", "peel_vout", "peel_sat", "peel_address",
                             "exchange", "remainder_vout", "remainder_sat"],
         [dict(r, height=w.txmeta[bytes.fromhex(r["txid"])[::-1]]["height"]) for r in w.peel])
    wcsv("deposits.csv", ["txid", "vout", "height", "address", "exchange", "payer_id", "value_sat", "heist"],
         [dict(r, height=w.txmeta[bytes.fromhex(r["txid"])[::-1]]["height"]) for r in w.deposits])
    wcsv("lookalikes.csv", ["txid", "kind", "note"], w.lookalikes)
    kind = {}
    for r in w.lookalikes:
        kind[r[0]] = r[1]
    for r in w.peel:
        kind[r["txid"]] = "peel_heist" if r["heist"] else "peel_honest"
    for r in w.tx0s:
        kind[r["txid"]] = "tx0"
    for r in w.coinjoins:
        kind[r["txid"]] = r["kind"]
    rows = []
    for h, b in enumerate(w.blocks):
        for i, t in enumerate(b.vtx):
            txid = b2lx(t.GetTxid())
            rows.append((txid, h, "coinbase" if i == 0 else kind.get(txid, "other")))
    wcsv("txs.csv", ["txid", "height", "kind"], rows)
    with open(os.path.join(tdir, "heists.json"), "w") as f:
        json.dump(w.heists, f, indent=1)
    with open(os.path.join(tdir, "world.json"), "w") as f:
        json.dump({"format": "btc-shapes-world/1", "generator": "tests/diff/btc_shapes_world.py",
                   "network": "regtest", "seed": w.seed, "scale": w.scale, "careful_thief": w.careful, "txs": w.n_txs,
                   "blocks": len(w.blocks), "best_height": len(w.blocks) - 1,
                   "tip": b2lx(w.blocks[-1].GetHash()), "files": len(files),
                   "xor_key": xor_key or "", "zero_tail_bytes": zero_tail, "stale_blocks": [{"hash": b2lx(b.GetHash()), "height": h} for b, h in w.stale],
                   "addresses": len(w.addrs), "entities": len(w.entities),
                   "coinjoins": len(w.coinjoins), "tx0s": len(w.tx0s), "peel_hops": len(w.peel),
                   "lookalikes": len(w.lookalikes), "deposits": len(w.deposits)}, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=int, default=1, help="honest economy multiplier (default 1)")
    ap.add_argument("--careful-thief", action="store_true",
                    help="post-mix coins go to fresh deposit accounts, never to one used before mixing")
    ap.add_argument("--custodial-mixer", action="store_true",
                    help="a custodial mixer (label category mixer) that honest users and the thief use")
    ap.add_argument("--sweep-fed-hot-wallet", action="store_true",
                    help="every exchange also pays withdrawals from chains funded and topped up by sweeps of its "
                         "deposits to fresh addresses, change to fresh addresses (hotwallet_sweepfed look-alikes)")
    ap.add_argument("--rotating-pool", action="store_true",
                    help="implies --custodial-mixer: the mixer sweeps to a fresh pool address each time (sweeps chained, "
                         "change to fresh addresses), exchanges sweep to fresh hot addresses, and the thief consolidates "
                         "its own coins into a reused address of its own")
    ap.add_argument("--direct-withdrawals", action="store_true",
                    help="the exchanges the thief deposited at pay two withdrawal batches each straight from deposit coins, "
                         "one stolen deposit among 3-7 honest ones, to 6-15 honest users, 40 %% of whom deposit the coin at another exchange (exchange_batch_direct look-alikes)")
    ap.add_argument("--batched-peels", action="store_true",
                    help="the thief's peel chains of 3+ hops pay 2-3 peels in 70 %% of their hops (batched payments)")
    ap.add_argument("--peel-variants", action="store_true",
                    help="the thief's peel chains of 3+ hops switch change from P2WPKH to P2TR half way, reuse the "
                         "remainder address of two hops before once, and half of them pause 20-40 blocks once")
    ap.add_argument("--payjoin", action="store_true",
                    help="30 %% of honest user payments are PayJoins (BIP78): the payee adds one of its coins as an "
                         "input and takes it back in its output (payjoin look-alikes)")
    ap.add_argument("--postmix-consolidation", action="store_true",
                    help="the thief spends its Whirlpool post-mix coins together (one consolidation, then 1-2 "
                         "deposits), and 4 honest post-mix holders consolidate theirs (consolidation look-alikes)")
    ap.add_argument("--small-rounds", action="store_true",
                    help="8 JoinMarket rounds with 2-3 makers (every third a sweep) and 4 Wasabi 2 rounds of 3-6 "
                         "participants, honest, at the end of the chain")
    ap.add_argument("--xor-key", help="16 hex digits: obfuscate the blk files (xor.dat)")
    ap.add_argument("--zero-tail", type=int, default=0, help="raw zero bytes at the end of the last file")
    ap.add_argument("--zero-tail-all", action="store_true", help="the zero tail in every file, not the last only")
    ap.add_argument("--max-file-size", type=int, default=1 << 20)
    a = ap.parse_args()
    if a.xor_key and len(bytes.fromhex(a.xor_key)) != 8:
        ap.error("--xor-key takes 16 hex digits")
    w = build(a.seed, a.scale, a.careful_thief, a.custodial_mixer, a.sweep_fed_hot_wallet, a.rotating_pool,
              a.direct_withdrawals, a.batched_peels, a.peel_variants, a.payjoin, a.postmix_consolidation,
              a.small_rounds)
    write(w, a.out, a.xor_key, a.zero_tail, a.max_file_size, a.zero_tail_all)
    print(json.dumps({"txs": w.n_txs, "blocks": len(w.blocks), "coinjoins": len(w.coinjoins),
                      "tx0s": len(w.tx0s), "peel_hops": len(w.peel), "lookalikes": len(w.lookalikes),
                      "deposits": len(w.deposits), "stolen_deposits": len(w.heists[0]["deposits"])}))


if __name__ == "__main__":
    main()
