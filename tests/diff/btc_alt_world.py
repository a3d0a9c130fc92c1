#!/usr/bin/python3
"""btc_alt_world.py: a second independent Bitcoin world, written from issue 11's text and
mainnet habits only (not from chainwatch's detectors, src/gen or btc_shapes_world.py's shapes).

  btc_alt_world.py --out DIR [--seed S] [--scale F] [--xor-key HEX16] [--zero-tail BYTES]
                   [--zero-tail-all] [--max-file-size BYTES] [--ww1-copies]

DIR/blocks holds Bitcoin Core blk*.dat files (regtest magic, real proof of work at 207fffff,
merkle roots, BIP34 heights, witness commitments; a few blocks after their successor and two
stale siblings), optionally obfuscated with xor.dat and ended by a raw zero tail (Core 28+:
posix_fallocate'd zeros are not obfuscated). DIR/truth holds docs/GEN.md's truth layout
(world.json, entities.csv, addresses.csv, coinjoins.csv, tx0s.csv, peel_chains.csv,
deposits.csv, thief_txs.csv, heists.json) plus txs.csv (every tx's true shape), so
scripts/eval_btc.py and tests/diff/btc_shapes_score.py score it.

Habits (chosen to differ from src/gen and btc_shapes_world.py): fee rates follow a congested /
quiet mempool per block (1..~400 sat/vB, lognormal), block fullness from empty to ~2,500 txs,
block intervals exponential (some timestamps earlier than their parent's), amounts priced in
fiat at a drifting BTC price (unround) or round BTC, script types per wallet (P2PKH, P2SH-P2WPKH,
P2WPKH, P2TR; P2WSH 2-of-2 Lightning channels and 2-of-3 exchange cold wallets), per-wallet
address reuse, nSequence/nLockTime per wallet software, CPFP children in their parent's block.
Economy: mining pools (batch payouts from a reused address, selling at exchanges), exchanges
(deposit addresses per customer, sweeps, batched withdrawals, single withdrawals with fresh
change = honest peel chains, cold storage), merchants (fresh invoice addresses, consolidation,
cash-out), payroll (equal fiat salaries), Lightning opens / cooperative and force closes, a dust
attack, Whirlpool (Tx0 + 5-input mixes in the 0.001/0.01/0.05/0.5 BTC pools, remixes), Wasabi 1
(~0.1 BTC base, 2x level, coordinator fee), Wasabi 2 (standard denominations, up to 8 outputs
per participant, coordinator fee or none), JoinMarket (taker + makers, maker change, sweeps).
Two heists from exchange hot wallets: splits, peel chains of 10..30 hops peeling to the thief's
accounts at several exchanges, fan-outs into Wasabi 1, Wasabi 2 and JoinMarket, Tx0s and
Whirlpool mixes (remixes), post-mix spending to deposits, and exchanges sweeping those deposits.
"""
import argparse
import csv
import hashlib
import importlib.util
import json
import math
import os
import random
import struct
import sys

COIN = 100_000_000
MAGIC = bytes.fromhex("fabfb5da")
DUST = 546
GENESIS_HEX = None   # the regtest genesis, from python-bitcoinlib (encoding only)


def dsha(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def h160(b):
    return hashlib.new("ripemd160", hashlib.sha256(b).digest()).digest()


def varint(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xffffffff:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def push(b):
    n = len(b)
    if n < 76:
        return bytes([n]) + b
    if n < 256:
        return b"\x4c" + bytes([n]) + b
    return b"\x4d" + struct.pack("<H", n) + b


# ---- address encodings: tests/diff/gen_check.py's (base58check, bech32, bech32m) ----
def _load_gen_check():
    spec = importlib.util.spec_from_file_location(
        "gen_check", os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen_check.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


_GC = _load_gen_check()
b58check = _GC.b58check
segwit_addr = _GC.segwit_addr


# input weight estimates (vbytes) per script type, for fee rates; outputs' sizes
IN_VB = {"p2pkh": 148, "p2sh-p2wpkh": 91, "p2wpkh": 68, "p2tr": 58, "p2wsh": 105, "p2wsh3": 140}
OUT_VB = {"p2pkh": 34, "p2sh-p2wpkh": 32, "p2wpkh": 31, "p2tr": 43, "p2wsh": 43, "p2wsh3": 43}


class Ent:
    __slots__ = ("id", "name", "cat", "coins", "stype", "reuse", "recv", "x")

    def __init__(self, eid, name, cat, stype, reuse):
        self.id, self.name, self.cat, self.stype, self.reuse = eid, name, cat, stype, reuse
        self.coins = []
        self.recv = None
        self.x = {}


class Addr:
    __slots__ = ("s", "stype", "spk", "owner", "cat", "customer", "pubs", "script", "used")


class Coin:
    __slots__ = ("txid", "vout", "value", "a", "h", "cb")

    def __init__(self, txid, vout, value, a, h, cb=False):
        self.txid, self.vout, self.value, self.a, self.h, self.cb = txid, vout, value, a, h, cb

    def op(self):
        return "%s:%d" % (self.txid[::-1].hex(), self.vout)


class World:
    def __init__(self, seed, scale):
        self.rnd = random.Random(seed * 1000003 + 17)
        self.sig = random.Random(seed ^ 0x5EED)
        self.seed, self.scale = seed, scale
        self.ents, self.addrs = [], []
        self.height = 0
        self.time = 1780000000
        self.mtp = [self.time] * 11
        g = bytes.fromhex(GENESIS_HEX)
        self.blocks = [g]            # raw blocks of the best chain
        self.prev = dsha(g[:80])
        self.stale = []              # (raw, height)
        self.pending = []            # (raw, txid, wtxid, fee)
        self.n_txs = 1
        self.txkind = {}             # display txid -> kind
        self.txheight = {}
        self.coinjoins, self.tx0s, self.peel, self.deposits, self.thief_txs = [], [], [], [], []
        self.heists = []
        self.thief_of = {}           # thief entity id -> heist dict
        self.price = 60000.0         # USD per BTC, drifts
        self.rate_base = 6.0
        self.wp_post = {p: [] for p in WP_POOLS}   # Whirlpool post-mix coins waiting to remix
        self.wp_pre = {p: [] for p in WP_POOLS}    # premixes waiting
        self.postmix_hold = []       # honest post-mix coins to spend later (ent, coin)
        self.ww1_queue, self.ww2_queue = [], []    # thief coins registered for rounds
        self.jm_queue = []
        self.cb_mature = []          # coinbase coins (ent, coin)
        self.spent = set()
        self.stale_until = 0         # no stale sibling near the tip (a tie there is ambiguous)

    # -- entities and addresses
    def ent(self, name, cat, stype="p2wpkh", reuse=False):
        e = Ent(len(self.ents) + 1, name, cat, stype, reuse)
        self.ents.append(e)
        return e

    def addr(self, e, stype=None, cat=None, customer="", m=None):
        stype = stype or e.stype
        a = Addr()
        a.used = False
        a.owner, a.stype, a.cat, a.customer = e, stype, cat or e.cat, customer
        r = self.sig
        if stype in ("p2wsh", "p2wsh3"):
            n, k = (2, 2) if stype == "p2wsh" else (3, 2)
            a.pubs = [bytes([2 + r.getrandbits(1)]) + r.randbytes(32) for _ in range(n)]
            a.script = bytes([0x50 + k]) + b"".join(push(p) for p in a.pubs) + bytes([0x50 + n, 0xae])
            prog = hashlib.sha256(a.script).digest()
            a.spk = b"\x00\x20" + prog
            a.s = segwit_addr("bcrt", 0, prog)
        else:
            a.pubs = [bytes([2 + r.getrandbits(1)]) + r.randbytes(32)]
            a.script = None
            h = h160(a.pubs[0])
            if stype == "p2pkh":
                a.spk = b"\x76\xa9\x14" + h + b"\x88\xac"
                a.s = b58check(b"\x6f" + h)
            elif stype == "p2sh-p2wpkh":
                a.script = b"\x00\x14" + h
                sh = h160(a.script)
                a.spk = b"\xa9\x14" + sh + b"\x87"
                a.s = b58check(b"\xc4" + sh)
            elif stype == "p2wpkh":
                a.spk = b"\x00\x14" + h
                a.s = segwit_addr("bcrt", 0, h)
            elif stype == "p2tr":
                x = a.pubs[0][1:]
                a.spk = b"\x51\x20" + x
                a.s = segwit_addr("bcrt", 1, x)
            else:
                raise ValueError(stype)
        self.addrs.append(a)
        return a

    def recv(self, e):
        """A receiving address of e: its reused one, or a fresh one."""
        if e.reuse:
            if e.recv is None:
                e.recv = self.addr(e)
            return e.recv
        return self.addr(e)

    def change(self, e, spent):
        if e.reuse and spent and spent[0].a.owner is e:
            return spent[0].a
        return self.addr(e)

    # -- transactions
    def rate(self, mult=1.0):
        r = self.rate_base * mult * math.exp(self.rnd.gauss(0, 0.35))
        return max(1.0, r)

    def vsize(self, ins, outs):
        seg = any(c.a.stype != "p2pkh" for c in ins)
        v = 10.5 if seg else 10
        v += sum(IN_VB[c.a.stype] for c in ins)
        for o in outs:
            a = o[0]
            v += OUT_VB[a.stype] if isinstance(a, Addr) else 9 + len(a)
        return int(v + 0.999)

    def witness_for(self, c):
        a = c.a
        r = self.sig
        if a.stype == "p2tr":
            return b"", [r.randbytes(64)]
        sig = lambda: b"\x30\x44\x02\x20" + r.randbytes(32) + b"\x02\x20" + r.randbytes(32) + b"\x01"
        if a.stype == "p2pkh":
            return push(sig()) + push(a.pubs[0]), None
        if a.stype == "p2sh-p2wpkh":
            return push(a.script), [sig(), a.pubs[0]]
        if a.stype == "p2wpkh":
            return b"", [sig(), a.pubs[0]]
        k = 2
        return b"", [b""] + [sig() for _ in range(k)] + [a.script]

    def tx(self, ins, outs, kind="other", seq=None, locktime=None, hold=(), version=2, coord=0):
        """ins: Coins; outs: [(Addr or raw spk bytes, value)]. Returns (txid internal, [Coin|None])."""
        assert ins and outs
        tin = sum(c.value for c in ins)
        tout = sum(v for _, v in outs)
        fee = tin - tout
        assert fee >= 0, (kind, tin, tout)
        for _, v in outs:
            assert v >= 0
        if seq is None:
            seq = 0xfffffffd
        if locktime is None:
            locktime = 0
        for c in ins:
            k = (c.txid, c.vout)
            if k in self.spent:
                raise AssertionError("%s spends %s twice" % (kind, c.op()))
            self.spent.add(k)
        wit = []
        body_in = bytearray()
        for c in ins:
            ss, w = self.witness_for(c)
            body_in += c.txid + struct.pack("<I", c.vout) + varint(len(ss)) + ss + struct.pack("<I", seq)
            wit.append(w)
        body_out = bytearray()
        for a, v in outs:
            spk = a.spk if isinstance(a, Addr) else a
            body_out += struct.pack("<q", v) + varint(len(spk)) + spk
        head = struct.pack("<i", version)
        stripped = head + varint(len(ins)) + body_in + varint(len(outs)) + body_out
        lt = struct.pack("<I", locktime)
        txid = dsha(stripped + lt)
        if any(w for w in wit):
            wb = bytearray()
            for w in wit:
                w = w or []
                wb += varint(len(w))
                for item in w:
                    wb += varint(len(item)) + item
            raw = head + b"\x00\x01" + stripped[4:] + wb + lt
            wtxid = dsha(raw)
        else:
            raw = stripped + lt
            wtxid = txid
        self.pending.append((bytes(raw), txid, wtxid, fee))
        self.n_txs += 1
        disp = txid[::-1].hex()
        self.txkind[disp] = kind
        self.txheight[disp] = self.height + 1
        new = []
        for i, (a, v) in enumerate(outs):
            if not isinstance(a, Addr):
                new.append(None)
                continue
            c = Coin(txid, i, v, a, self.height + 1)
            a.used = True
            new.append(c)
            if a.cat == "exchange_deposit":
                a.owner.x["pending"].append(c)
            elif i not in hold and a.owner.cat != "thief":
                a.owner.coins.append(c)
            if a.cat == "exchange_deposit":
                self.deposits.append({"txid": disp, "vout": i, "height": self.height + 1, "address": a.s,
                                      "exchange": a.owner.name, "payer_id": ins[0].a.owner.id, "value_sat": v,
                                      "heist": self.heist_of(ins[0].a.owner)})
        thief = [c.a.owner for c in ins if c.a.owner.cat == "thief"] or \
            [a.owner for a, _ in outs if isinstance(a, Addr) and a.owner.cat == "thief"]
        if thief:
            hz = self.thief_of[thief[0].id]
            tin = sum(c.value for c in ins if c.a.owner.cat == "thief")
            tout = sum(v for a, v in outs if isinstance(a, Addr) and a.owner.cat == "thief")
            dep = sum(v for a, v in outs if isinstance(a, Addr) and a.cat == "exchange_deposit") \
                if all(c.a.owner.cat == "thief" for c in ins) else 0
            self.thief_txs.append({"heist": hz["name"], "txid": disp, "height": self.height + 1, "kind": kind,
                                   "parent_txid": ins[0].txid[::-1].hex(), "thief_in_sat": tin,
                                   "thief_out_sat": tout, "deposit_sat": dep,
                                   "fee_sat": (tin - tout - dep - coord) if tin else 0,
                                   "coordinator_fee_sat": coord})
            if kind in ("whirlpool", "wasabi1", "wasabi2", "joinmarket"):
                hz["coinjoin_txids"].append(disp)
        return txid, new

    def heist_of(self, e):
        h = self.thief_of.get(e.id)
        return h["name"] if h else ""

    def pay(self, e, outs, kind="other", mult=1.0, maxin=None, prefer="random", seq=None, locktime=None,
            chg=None, coins=None):
        """e pays outs (+fee) from its confirmed coins, change to its change address."""
        need = sum(v for _, v in outs)
        rate = self.rate(mult)
        if coins is None:
            coins = self.select(e, need + int(rate * (60 + 40 * len(outs))), maxin, prefer)
            if coins is None:
                return None
        for c in coins:
            e.coins.remove(c) if c in e.coins else None
        tin = sum(c.value for c in coins)
        ca = chg or self.change(e, coins)
        fee = int(rate * self.vsize(coins, outs + [(ca, 0)]))
        ch = tin - need - fee
        allouts = list(outs)
        if ch >= DUST:
            pos = self.rnd.randrange(len(allouts) + 1)
            allouts.insert(pos, (ca, ch))
        elif ch < 0:
            e.coins.extend(coins)
            return None
        return self.tx(coins, allouts, kind, seq=seq if seq is not None else e.x.get("seq"),
                       locktime=locktime if locktime is not None else (self.height if e.x.get("lt") else 0))

    def select(self, e, need, maxin=None, prefer="random"):
        pool = [c for c in e.coins if c.h <= self.height and not (c.cb and self.height + 1 - c.h < 100)]
        if not pool:
            return None
        if prefer == "large":
            pool.sort(key=lambda c: -c.value)
        elif prefer == "small":
            pool.sort(key=lambda c: c.value)
        else:
            self.rnd.shuffle(pool)
            # wallets prefer one coin that covers the amount
            big = [c for c in pool if c.value >= need]
            if big and self.rnd.random() < 0.7:
                return [min(big, key=lambda c: c.value)]
        got, s = [], 0
        for c in pool:
            got.append(c)
            s += c.value
            if s >= need:
                return got
            if maxin and len(got) >= maxin:
                break
        return None

    def balance(self, e):
        return sum(c.value for c in e.coins)

    # -- blocks
    def mine(self, miner):
        h = self.height + 1
        fees = sum(p[3] for p in self.pending)
        sub = (50 * COIN) >> (h // 150)
        ma = miner.recv if miner.recv is not None else self.recv(miner)
        seg = any(p[2] != p[1] for p in self.pending)
        bip34 = push(h.to_bytes((h.bit_length() + 8) // 8, "little")) if h > 16 else bytes([0x50 + h])
        cbs = bip34 + push(miner.name.encode()[:20]) + push(self.sig.randbytes(8))
        outs = [(ma.spk, sub + fees)]
        ma.used = True
        if seg:
            leaves = [b"\0" * 32] + [p[2] for p in self.pending]
            commit = dsha(merkle(leaves) + b"\0" * 32)
            outs.append((b"\x6a\x24\xaa\x21\xa9\xed" + commit, 0))
        body = (b"\x01" + b"\0" * 32 + b"\xff\xff\xff\xff" + varint(len(cbs)) + cbs + b"\xff\xff\xff\xff" +
                varint(len(outs)) + b"".join(struct.pack("<q", v) + varint(len(s)) + s for s, v in outs))
        stripped = struct.pack("<i", 1) + body + b"\0\0\0\0"
        cbtxid = dsha(stripped)
        cbraw = struct.pack("<i", 1) + (b"\x00\x01" + body + b"\x01\x20" + b"\0" * 32 if seg else body) + b"\0\0\0\0"
        txids = [cbtxid] + [p[1] for p in self.pending]
        mroot = merkle(txids)
        # timing: exponential intervals, a few timestamps before their parent's (above the MTP)
        dt = int(self.rnd.expovariate(1 / 600.0)) + 1
        t = self.time + dt
        if self.rnd.random() < 0.03:
            t = max(sorted(self.mtp)[5] + 1, self.time - self.rnd.randint(1, 900))
        hdr_raw = self.grind(mroot, t)
        raw = hdr_raw + varint(len(txids)) + cbraw + b"".join(p[0] for p in self.pending)
        self.blocks.append(raw)
        self.prev = dsha(hdr_raw)
        self.time = max(self.time, t)
        self.mtp = self.mtp[1:] + [t]
        self.height = h
        disp = cbtxid[::-1].hex()
        self.txkind[disp] = "coinbase"
        self.txheight[disp] = h
        miner.coins.append(Coin(cbtxid, 0, sub + fees, ma, h, cb=True))
        self.n_txs += 1
        if h in (140, 260) or (120 < h < self.stale_until and self.rnd.random() < 0.004):
            scb = (struct.pack("<i", 1) + b"\x01" + b"\0" * 32 + b"\xff\xff\xff\xff" +
                   varint(len(bip34) + 6) + bip34 + push(b"stale") + b"\xff\xff\xff\xff" + b"\x01" +
                   struct.pack("<q", sub) + varint(len(ma.spk)) + ma.spk + b"\0\0\0\0")
            save = self.prev
            self.prev = dsha(self.blocks[-2][:80])
            shdr = self.grind(dsha(scb), t + 3)
            self.prev = save
            self.stale.append((shdr + b"\x01" + scb, h))
        self.pending = []

    def grind(self, mroot, t):
        nonce = 0
        pre = struct.pack("<I", 0x20000000) + self.prev + mroot + struct.pack("<II", t, 0x207fffff)
        target = 0x7fffff << (8 * (0x20 - 3))
        while True:
            hdr = pre + struct.pack("<I", nonce)
            if int.from_bytes(dsha(hdr), "little") < target:
                return hdr
            nonce += 1


def merkle(hs):
    hs = list(hs)
    while len(hs) > 1:
        if len(hs) % 2:
            hs.append(hs[-1])
        hs = [dsha(hs[i] + hs[i + 1]) for i in range(0, len(hs), 2)]
    return hs[0]


WP_POOLS = [100_000, 1_000_000, 5_000_000, 50_000_000]
WP_FEE = {100_000: 5_000, 1_000_000: 50_000, 5_000_000: 175_000, 50_000_000: 1_750_000}
STYPES = ["p2pkh", "p2sh-p2wpkh", "p2wpkh", "p2tr"]


def ww2_denoms():
    s = set()
    for e in range(3, 10):
        for m in (1, 2, 5):
            s.add(m * 10 ** e)
    v = 1
    while v < 50 * COIN:
        s.add(v)
        v *= 2
    v = 1
    while v < 50 * COIN:
        s.add(v)
        s.add(2 * v)
        v *= 3
    return sorted(x for x in s if 5000 <= x <= 50 * COIN)


WW2_D = ww2_denoms()


class Economy:
    """The honest economy and the heists, block by block."""

    def __init__(self, w, scale):
        self.w = w
        r = w.rnd
        self.r = r
        n_users = int(6000 * scale)
        self.pools = []
        for i, (nm, st) in enumerate([("pool-alpha", "p2wpkh"), ("pool-bravo", "p2pkh"), ("pool-charlie", "p2sh-p2wpkh"),
                                     ("pool-delta", "p2tr")]):
            e = w.ent(nm, "miner", st, reuse=True)
            e.x["weight"] = [0.35, 0.3, 0.2, 0.15][i]
            self.pools.append(e)
        self.exchanges = []
        ex_habits = [("Kappa Exchange", "p2wpkh", True, "p2wpkh"), ("Lambda Markets", "p2sh-p2wpkh", False, "p2sh-p2wpkh"),
                     ("Mu Trade", "p2pkh", True, "p2pkh"), ("Nu Bit", "p2wpkh", False, "p2wpkh"),
                     ("Xi Custody", "p2tr", False, "p2wpkh"), ("Omicron OTC", "p2wpkh", False, "p2tr")]
        for nm, hot, reuse_hot, dep in ex_habits:
            e = w.ent(nm, "exchange", hot, reuse=reuse_hot)
            e.x["dep"] = dep
            e.x["fresh_dep"] = nm in ("Xi Custody",)        # a fresh deposit address per deposit
            e.x["deps"] = {}                                 # customer id -> Addr
            e.x["pending"] = []                              # deposit coins to sweep
            e.x["cold"] = w.addr(e, "p2wsh3")
            e.x["lt"] = True
            e.x["seq"] = 0xfffffffe
            self.exchanges.append(e)
        self.users = []
        for i in range(n_users):
            st = r.choices(STYPES, [12, 15, 53, 20])[0]
            e = w.ent("user-%d" % (i + 1), "user", st, reuse=r.random() < 0.28)
            e.x["seq"] = r.choice([0xfffffffd, 0xfffffffd, 0xffffffff, 0xfffffffe])
            e.x["lt"] = e.x["seq"] == 0xfffffffe
            self.users.append(e)
        self.merchants = []
        for i in range(int(40 * scale) + 5):
            e = w.ent("merchant-%d" % (i + 1), "merchant", r.choice(["p2wpkh", "p2wpkh", "p2sh-p2wpkh", "p2tr"]))
            e.x["cashout"] = r.choice(self.exchanges)
            self.merchants.append(e)
        self.payrolls = []
        for i in range(int(6 * scale) + 2):
            e = w.ent("payroll-co-%d" % (i + 1), "service", r.choice(["p2wpkh", "p2pkh", "p2sh-p2wpkh"]), reuse=r.random() < 0.5)
            e.x["staff"] = r.sample(self.users, r.randint(8, 45))
            e.x["salary_usd"] = r.choice([2500, 3000, 4200, 5000, 6500])
            e.x["bank"] = r.choice(self.exchanges)
            self.payrolls.append(e)
        self.ln = w.ent("ln-node-hub", "service", "p2wpkh")
        self.duster = w.ent("dust-sender", "user", "p2pkh", reuse=True)
        self.ww1 = w.ent("wasabi1-coordinator", "coinjoin_coordinator", "p2wpkh", reuse=True)
        self.ww2 = w.ent("wasabi2-coordinator", "coinjoin_coordinator", "p2wpkh", reuse=True)
        self.ww2b = w.ent("wasabi2-free-coordinator", "coinjoin_coordinator", "p2wpkh", reuse=True)
        self.wpc = w.ent("whirlpool-coordinator", "coinjoin_coordinator", "p2wpkh")
        self.channels = []     # (user, coin of the 2-of-2 output)
        self.otc = [w.ent("otc-desk-%d" % (i + 1), "service", "p2wpkh") for i in range(3)]

    # -- helpers
    def users_with(self, amount, k=1):
        r = self.r
        out = []
        for _ in range(k * 12):
            u = r.choice(self.users)
            if u not in out and any(c.value >= amount and c.h <= self.w.height for c in u.coins):
                out.append(u)
                if len(out) >= k:
                    break
        return out

    def fiat(self, usd):
        """usd priced in BTC at today's price (unround), sometimes rounded by the wallet."""
        v = int(usd / self.w.price * COIN)
        if self.r.random() < 0.15:
            v = round(v, -4)
        return max(v, 2000)

    def amount(self):
        r = self.r
        x = r.random()
        if x < 0.25:   # round BTC amounts
            return r.choice([100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 25_000_000,
                             50_000_000, COIN])
        if x < 0.7:    # fiat-priced
            return self.fiat(math.exp(r.gauss(4.6, 1.3)))
        return int(math.exp(r.gauss(14.5, 1.6)))

    def dep_addr(self, ex, cust):
        d = ex.x["deps"]
        if ex.x["fresh_dep"] or cust.id not in d or (cust.cat == "thief" and self.r.random() < 0.3):
            a = self.w.addr(ex, ex.x["dep"], "exchange_deposit", customer=str(cust.id))
            d[cust.id] = a
            return a
        return d[cust.id]

    # ---- honest activities (each makes one tx, or none when the wallet cannot pay) ----
    def pool_payout(self, p):
        w, r = self.w, self.r
        cbs = [c for c in p.coins if c.cb and w.height + 1 - c.h >= 100]
        if not cbs:
            return
        if r.random() < 0.65:   # the pool sells at an exchange: its coinbases to its deposit address
            ex = r.choices(self.exchanges, [35, 20, 15, 12, 10, 8])[0]
            coins = cbs[:r.randint(1, 4)]
            for c in coins:
                p.coins.remove(c)
            tin = sum(c.value for c in coins)
            a = self.dep_addr(ex, p)
            fee = int(w.rate() * w.vsize(coins, [(a, 0)]))
            w.tx(coins, [(a, tin - fee)], "pool_sale", seq=0xffffffff)
            return
        coins = cbs[:2]
        tot = sum(c.value for c in coins)
        n = max(4, int(r.randint(30, 220) * min(1.0, self.w.scale * 2)))
        budget = int(tot * 0.9)
        shares = [r.expovariate(1) for _ in range(n)]
        s = sum(shares)
        outs = []
        for x in shares:
            v = int(budget * x / s)
            if v >= 20000:
                outs.append((w.recv(r.choice(self.users)), v))
        if outs:
            w.pay(p, outs, "pool_payout", coins=[c for c in coins], chg=p.recv, seq=0xffffffff)
            for c in coins:
                if c in p.coins:
                    p.coins.remove(c)

    def ex_batch(self, ex):
        w, r = self.w, self.r
        bal = w.balance(ex)
        if bal < 2 * COIN:
            return
        n = r.choices([r.randint(2, 12), r.randint(10, 60), r.randint(40, 180)], [60, 30, 10])[0]
        outs = []
        budget = bal * r.uniform(0.01, 0.05)
        for _ in range(n):
            v = min(self.amount(), int(budget / n * 3))
            if v < 10000:
                continue
            to = r.random()
            if to < 0.08:
                tgt = r.choice(self.payrolls + self.otc)
            elif to < 0.12:
                tgt = r.choice(self.makers)
            else:
                tgt = r.choice(self.users)
            outs.append((w.recv(tgt), v))
        if outs:
            w.pay(ex, outs, "exchange_batch", mult=1.2, prefer="large", maxin=5,
                  chg=ex.recv if ex.reuse and ex.recv else None)

    def ex_sweep(self, ex):
        w, r = self.w, self.r
        pend = [c for c in ex.x["pending"] if c.h <= w.height]
        if len(pend) < 3:
            return
        k = min(len(pend), r.randint(8, 150))
        r.shuffle(pend)
        coins = pend[:k]
        for c in coins:
            ex.x["pending"].remove(c)
        tin = sum(c.value for c in coins)
        to = ex.x["cold"] if r.random() < 0.2 else (ex.recv if ex.reuse else None) or w.recv(ex)
        if ex.reuse and ex.recv is None:
            ex.recv = to
        fee = int(w.rate(0.6) * w.vsize(coins, [(to, 0)]))
        if tin - fee < DUST:
            ex.x["pending"].extend(coins)
            return
        w.tx(coins, [(to, tin - fee)], "deposit_sweep", seq=0xfffffffe, locktime=w.height)

    def ex_single_chain_start(self, ex):
        """An exchange paying withdrawals one per tx, each spending the previous change (fresh)."""
        w, r = self.w, self.r
        big = [c for c in ex.coins if c.h <= w.height and c.value > 3 * COIN and not c.cb]
        if not big:
            return
        c = max(big, key=lambda c: c.value)
        ex.coins.remove(c)
        self.chains.append({"owner": ex, "coin": c, "left": r.randint(5, 18), "heist": None, "hop": 0,
                            "id": self.next_honest_chain(), "to": "users"})

    def otc_chain_start(self, o):
        w, r = self.w, self.r
        big = [c for c in o.coins if c.h <= w.height and c.value > 2 * COIN]
        if not big:
            return
        c = max(big, key=lambda c: c.value)
        o.coins.remove(c)
        self.chains.append({"owner": o, "coin": c, "left": r.randint(6, 14), "heist": None, "hop": 0,
                            "id": self.next_honest_chain(), "to": "exchanges"})

    def next_honest_chain(self):
        self.honest_chains += 1
        return self.honest_chains

    def user_payment(self, kind):
        w, r = self.w, self.r
        u = r.choice(self.users)
        if kind == "merchant":
            m = r.choice(self.merchants)
            outs = [(w.addr(m), self.fiat(math.exp(r.gauss(3.8, 1.2))))]
        elif kind == "user":
            outs = [(w.recv(r.choice(self.users)), self.amount())]
        else:
            outs = [(w.recv(r.choice(self.users)), self.amount()) for _ in range(r.randint(2, 5))]
        res = w.pay(u, outs, "payment", mult=r.choice([0.5, 1, 1, 1.5, 3]))
        if res and r.random() < 0.015:
            self.cpfp(res)

    def cpfp(self, res):
        """The receiver spends its fresh unconfirmed output at a high fee rate (the parent is stuck)."""
        w, r = self.w, self.r
        txid, new = res
        outs = [c for c in new if c is not None and c.a.owner.cat == "user" and c.value > 20000]
        if not outs:
            return
        c = outs[0]
        e = c.a.owner
        if c in e.coins:
            e.coins.remove(c)
        to = w.addr(e)
        fee = int(w.rate(8) * w.vsize([c], [(to, 0)]))
        if c.value - fee < DUST:
            e.coins.append(c)
            return
        w.tx([c], [(to, c.value - fee)], "cpfp_child")

    def user_deposit(self):
        w, r = self.w, self.r
        u = r.choice(self.users)
        ex = r.choice(self.exchanges)
        a = self.dep_addr(ex, u)
        pool = [c for c in u.coins if c.h <= w.height]
        if not pool:
            return
        if r.random() < 0.4:   # sends everything in one or two coins, no change
            coins = r.sample(pool, min(len(pool), r.randint(1, 2)))
            for c in coins:
                u.coins.remove(c)
            tin = sum(c.value for c in coins)
            fee = int(w.rate() * w.vsize(coins, [(a, 0)]))
            if tin - fee < 10000:
                u.coins.extend(coins)
                return
            w.tx(coins, [(a, tin - fee)], "deposit", seq=u.x["seq"])
        else:
            w.pay(u, [(a, self.amount())], "deposit")

    def merchant_cashout(self, m):
        w, r = self.w, self.r
        pool = [c for c in m.coins if c.h <= w.height]
        if len(pool) < 4:
            return
        coins = pool[:r.randint(4, 60)]
        for c in coins:
            m.coins.remove(c)
        tin = sum(c.value for c in coins)
        if r.random() < 0.5:
            to = self.dep_addr(m.x["cashout"], m)
            kind = "merchant_cashout"
        else:
            to = w.addr(m)
            kind = "consolidation"
        fee = int(w.rate(0.5) * w.vsize(coins, [(to, 0)]))
        if tin - fee < DUST:
            m.coins.extend(coins)
            return
        w.tx(coins, [(to, tin - fee)], kind)

    def user_consolidate(self):
        w, r = self.w, self.r
        u = r.choice(self.users)
        pool = [c for c in u.coins if c.h <= w.height]
        if len(pool) < 4:
            return
        coins = pool[:r.randint(3, 25)]
        for c in coins:
            u.coins.remove(c)
        tin = sum(c.value for c in coins)
        to = w.recv(u)
        fee = int(w.rate(0.4) * w.vsize(coins, [(to, 0)]))
        if tin - fee < DUST:
            u.coins.extend(coins)
            return
        w.tx(coins, [(to, tin - fee)], "consolidation", seq=u.x["seq"])

    def payroll(self, co):
        w, r = self.w, self.r
        sal = self.fiat(co.x["salary_usd"])
        outs = [(w.recv(u), sal) for u in co.x["staff"]]
        if w.balance(co) < sal * len(outs) * 1.1:
            # the company buys coins at its exchange, withdrawn to it
            ex = co.x["bank"]
            amt = int(sal * len(outs) * r.uniform(1.5, 3))
            if w.balance(ex) > amt * 3:
                w.pay(ex, [(w.recv(co), amt)], "exchange_withdrawal", prefer="large")
            return
        r.shuffle(outs)
        w.pay(co, outs, "payroll", prefer="large")

    def ln_open(self):
        w, r = self.w, self.r
        u = r.choice(self.users)
        cap = r.choice([r.choice([500_000, 1_000_000, 2_000_000, 5_000_000, 16_777_215]), self.amount()])
        if cap < 200_000:
            return
        ch = w.addr(u, "p2wsh")
        res = w.pay(u, [(ch, cap)], "ln_open")
        if res:
            c = [x for x in res[1] if x is not None and x.a is ch][0]
            u.coins.remove(c)
            self.channels.append((u, c))

    def ln_close(self):
        w, r = self.w, self.r
        ready = [x for x in self.channels if x[1].h < w.height - 3]
        if not ready:
            return
        u, c = ready[r.randrange(len(ready))]
        self.channels.remove((u, c))
        fee = int(w.rate(0.7) * w.vsize([c], [(w.addr(u), 0)] * 2))
        if fee * 4 > c.value:
            self.channels.append((u, c))
            return
        mine = int((c.value - fee) * r.uniform(0.05, 0.95))
        if r.random() < 0.8:
            outs = [(w.addr(u, "p2wpkh"), mine), (w.addr(self.ln), c.value - fee - mine)]
            outs = [o for o in outs if o[1] >= DUST]
            outs.sort(key=lambda o: (o[1], o[0].spk))     # BIP69
            w.tx([c], outs, "ln_close", seq=0xffffffff, version=2)
        else:   # force close: to_local (a delayed P2WSH of the closer) and to_remote
            loc = w.addr(u, "p2wsh")
            outs = [(loc, mine), (w.addr(self.ln), c.value - fee - mine)]
            outs = [o for o in outs if o[1] >= DUST]
            w.tx([c], outs, "ln_force_close", seq=0x80000000 | r.randint(0, 0xffff),
                 locktime=0x20000000 | r.randint(0, 0xffffff))

    def dust_attack(self):
        w, r = self.w, self.r
        reused = [a for a in w.addrs[-60000:] if a.owner.cat == "user" and a.owner.reuse and a.owner.recv is a]
        if len(reused) < 50 or w.balance(self.duster) < 500_000:
            return
        v = r.randint(546, 888)
        tg = r.sample(reused, min(len(reused), r.randint(120, 350)))
        w.pay(self.duster, [(a, v) for a in tg], "dust_attack", prefer="large")

    # ---- Whirlpool ----
    def tx0(self, e, coins, pool, n_max=70, thief=None):
        """One owner's coins -> premixes of pool+slack, the coordinator fee, an OP_RETURN, change."""
        w, r = self.w, self.r
        tin = sum(c.value for c in coins)
        rate = w.rate(1.0)
        slack = int(rate * 3 * 68 / 5 + rate * 2 * 31 / 5) + r.randint(50, 400)
        feec = WP_FEE[pool]
        n = min(n_max, (tin - feec - 5000) // (pool + slack))
        if n < 1:
            return None
        fee_addr = w.addr(self.wpc)
        opret = b"\x6a\x2e" + w.sig.randbytes(46)
        pre = [(w.addr(e, "p2wpkh"), pool + slack) for _ in range(n)]
        dummy_ch = (w.addr(e, "p2wpkh"), 0)
        vs = w.vsize(coins, pre + [(fee_addr, feec), (opret, 0), dummy_ch])
        mfee = int(rate * vs)
        ch = tin - n * (pool + slack) - feec - mfee
        if ch < 0:
            n -= 1
            if n < 1:
                return None
            ch += pool + slack
            pre = pre[:-1]
        outs = [(opret, 0), (fee_addr, feec)]
        if ch >= DUST:
            if ch > 10 * DUST and r.random() < 0.4:
                a = r.randint(ch // 4, ch // 2)
                outs += [(dummy_ch[0], a), (w.addr(e, "p2wpkh"), ch - a)]
            else:
                outs.append((dummy_ch[0], ch))
        outs += pre
        if r.random() < 0.5:
            outs.sort(key=lambda o: o[1])
        for c in coins:
            if c in e.coins:
                e.coins.remove(c)
        prevs = [o[0] for o in pre]
        txid, new = w.tx(coins, outs, "tx0", hold=set(range(len(outs))), coord=feec if thief else 0)
        disp = txid[::-1].hex()
        w.tx0s.append({"txid": disp, "kind": "tx0", "pool_sat": pool, "owner_id": e.id, "n_inputs": len(coins),
                       "n_premix": len(pre), "n_outputs": len(outs), "heist": thief["name"] if thief else ""})
        prem = [c for c in new if c is not None and c.a in prevs]
        rest = [c for c in new if c is not None and c.a not in prevs and c.a.owner is e]
        for c in prem:
            w.wp_pre[pool].append((e, c, 0))
        if not thief:
            e.coins.extend(rest)
        return prem, rest

    def wp_mix(self, pool):
        w, r = self.w, self.r
        pre = w.wp_pre[pool]
        post = w.wp_post[pool]
        ready_pre = [x for x in pre if x[1].h <= w.height]
        ready_post = [x for x in post if x[1].h <= w.height]
        if not ready_pre:
            return False
        thief_pre = [x for x in ready_pre if x[0].cat == "thief"]
        honest_pre = [x for x in ready_pre if x[0].cat != "thief"]
        n_pre = r.choice([1, 2, 2, 3])
        chosen = []
        if thief_pre and r.random() < 0.5:
            chosen.append(thief_pre[0])
        r.shuffle(honest_pre)
        for x in honest_pre:
            if len(chosen) >= n_pre:
                break
            if x[0] not in [y[0] for y in chosen]:
                chosen.append(x)
        if not chosen:
            chosen.append(thief_pre[0])
        r.shuffle(ready_post)
        owners = {x[0] for x in chosen}
        thief_in = any(x[0].cat == "thief" for x in chosen)
        for x in ready_post:
            if len(chosen) >= 5:
                break
            if x[0] in owners or (thief_in and x[0].cat == "thief"):
                continue
            chosen.append(x)
            owners.add(x[0])
            thief_in = thief_in or x[0].cat == "thief"
        if len(chosen) < 5:
            for x in honest_pre:
                if len(chosen) >= 5:
                    break
                if x not in chosen and x[0] not in owners:
                    chosen.append(x)
                    owners.add(x[0])
        if len(chosen) < 5 or not any(x[1].value > pool for x in chosen):
            return False
        for x in chosen:
            (pre if x in pre else post).remove(x)
        r.shuffle(chosen)
        outs = [(w.addr(x[0], "p2wpkh"), pool) for x in chosen]
        r.shuffle(outs)
        ins = [x[1] for x in chosen]
        heist = [x[0] for x in chosen if x[0].cat == "thief"]
        txid, new = w.tx(ins, outs, "whirlpool", seq=0xffffffff, version=1, hold=set(range(5)))
        disp = txid[::-1].hex()
        w.coinjoins.append({"txid": disp, "kind": "whirlpool", "coordinator_id": self.wpc.id, "n_inputs": 5,
                            "n_outputs": 5, "heist": w.thief_of[heist[0].id]["name"] if heist else ""})
        rem = {x[0]: x[2] for x in chosen}
        for c in new:
            e = c.a.owner
            nrem = rem[e] + 1
            if e.cat == "thief":
                if nrem < e.x["remixes"] and r.random() < 0.8:
                    post.append((e, c, nrem))
                else:
                    self.thief_post.append((e, c))
            elif r.random() < 0.8 and nrem < 8:
                post.append((e, c, nrem))
            else:
                w.postmix_hold.append((e, c))
        return True

    def honest_tx0(self, pool):
        w, r = self.w, self.r
        need = pool * r.randint(1, 12) + WP_FEE[pool] + 20000
        us = self.users_with(need)
        if not us:
            return
        u = us[0]
        c = min([c for c in u.coins if c.value >= need and c.h <= w.height], key=lambda c: c.value)
        self.tx0(u, [c], pool, n_max=r.randint(1, 25))

    def postmix_spend(self):
        w, r = self.w, self.r
        ready = [x for x in w.postmix_hold if x[1].h <= w.height]
        if not ready:
            return
        e, c = ready[r.randrange(len(ready))]
        w.postmix_hold.remove((e, c))
        x = r.random()
        if x < 0.35:
            to = self.dep_addr(r.choice(self.exchanges), e)
        elif x < 0.65:
            to = w.addr(r.choice(self.merchants))
        else:
            to = w.recv(r.choice(self.users))
        rate = min(w.rate(), 20.0)   # post-mix wallets wait for cheap blocks
        amt = int(c.value * r.uniform(0.2, 0.8))
        fee = int(rate * w.vsize([c], [(to, 0), (to, 0)]))
        if r.random() < 0.5 and c.value - amt - fee >= DUST:   # a payment with change to a post-mix address
            outs = [(to, amt), (w.addr(e, "p2wpkh"), c.value - amt - fee)]
            r.shuffle(outs)
        else:
            fee = int(rate * w.vsize([c], [(to, 0)]))
            if c.value - fee < DUST:
                return
            outs = [(to, c.value - fee)]
        w.tx([c], outs, "postmix_spend")

    # ---- Wasabi 1 ----
    def ww1_round(self):
        w, r = self.w, self.r
        d = 10_000_000 - r.randint(0, 90_000)
        n_target = r.randint(45, 100)
        rate = w.rate(1.0)
        parts = []       # (owner, [coins])
        thief_parts = [x for x in w.ww1_queue if x[1].h <= w.height][:r.randint(1, 3)]
        for x in thief_parts:
            w.ww1_queue.remove(x)
            parts.append((x[0], [x[1]]))
        # remixers of earlier rounds' 0.1 outputs
        remix = [x for x in self.ww1_post if x[1].h <= w.height]
        r.shuffle(remix)
        for x in remix[:n_target // 3]:
            if x[1].value >= d + 30000:
                self.ww1_post.remove(x)
                parts.append((x[0], [x[1]]))
        tries = 0
        owners = {p[0] for p in parts}
        while len(parts) < n_target and tries < n_target * 6:
            tries += 1
            u = r.choice(self.ww_users)
            if u in owners:
                continue
            cs = [c for c in u.coins if c.h <= w.height]
            r.shuffle(cs)
            one = [c for c in cs if c.value >= d * 1.05 + 50000]
            got, s = ([one[0]], one[0].value) if one and r.random() < 0.75 else ([], 0)
            for c in cs if not got else []:
                got.append(c)
                s += c.value
                if s >= d * 1.05 + 50000 or len(got) >= 4:
                    break
            if s < d * 1.05 + 50000:
                continue
            for c in got:
                u.coins.remove(c)
            parts.append((u, got))
            owners.add(u)
        if len(parts) < 30:
            for u, cs in parts:
                (u.coins.extend(cs) if u.cat != "thief" else w.ww1_queue.extend((u, c) for c in cs))
            return
        n = len(parts)
        cfee_each = int(d * 0.00003 * n)
        ins, outs, coordsum = [], [], 0
        thief_coord = 0
        for u, cs in parts:
            tin = sum(c.value for c in cs)
            # Wasabi 1.x mixing levels: one output at d, and at 2d (and 4d) for who has enough;
            # with --ww1-copies some take the base denomination several times instead (the
            # issue's example round: more equal outputs than inputs; not what Wasabi 1.x does)
            levels = [1]
            x = r.random()
            if self.ww1_copies and tin > 2.3 * d and x < 0.6:
                levels = [1] * min(int(tin // (d * 1.05)), r.randint(2, 6))
            elif tin > 7.6 * d and x < 0.1:
                levels = [1, 2, 4]
            elif tin > 3.3 * d and x < 0.25:
                levels = [1, 2]
            mfee = int(rate * (68 * len(cs) + 31 * (1 + len(levels))))
            cf = cfee_each * sum(levels)
            ch = tin - sum(levels) * d - cf - mfee
            if ch < 0:
                levels = [1]
                cf = cfee_each
                ch = tin - d - cf - mfee
            ins += cs
            coordsum += cf
            if u.cat == "thief":
                thief_coord += cf
            for lvl in levels:
                outs.append((w.addr(u, "p2wpkh"), lvl * d))
            if ch >= 5000:
                outs.append((w.addr(u, "p2wpkh"), ch))
        outs.append((self.ww1.recv or w.recv(self.ww1), coordsum))
        if self.ww1.recv is None:
            self.ww1.recv = outs[-1][0]
        r.shuffle(ins)
        outs.sort(key=lambda o: -o[1])
        txid, new = w.tx(ins, outs, "wasabi1", seq=0xffffffff, version=1, coord=thief_coord,
                         hold=set(range(len(outs))))
        disp = txid[::-1].hex()
        hz = [u for u, _ in parts if u.cat == "thief"]
        w.coinjoins.append({"txid": disp, "kind": "wasabi1", "coordinator_id": self.ww1.id, "n_inputs": len(ins),
                            "n_outputs": len(outs), "heist": w.thief_of[hz[0].id]["name"] if hz else ""})
        for c in new:
            e = c.a.owner
            if e.cat == "thief":
                self.thief_post.append((e, c))
            elif e is self.ww1:
                e.coins.append(c)
            elif c.value in (d, 2 * d, 4 * d) and r.random() < 0.5:
                self.ww1_post.append((e, c))
            elif c.value in (d, 2 * d, 4 * d):
                w.postmix_hold.append((e, c))
            else:
                e.coins.append(c)

    # ---- Wasabi 2 ----
    def decompose(self, amount, k=8, popular=None):
        r = self.r
        out = []
        rem = amount
        while popular and rem >= popular and len(out) < k - 2 and r.random() < 0.85:
            out.append(popular)
            rem -= popular
        while len(out) < k:
            cand = [x for x in WW2_D if x <= rem]
            if not cand:
                break
            i = len(cand) - 1
            if r.random() < 0.35 and i > 0:
                i -= r.randint(1, min(3, i))
            out.append(cand[i])
            rem -= cand[i]
        return out, rem

    def ww2_round(self, coord):
        w, r = self.w, self.r
        rate = w.rate(0.8)
        n_target = r.randint(20, 130)
        parts = []
        thief_parts = [x for x in w.ww2_queue if x[1].h <= w.height][:r.randint(1, 3)]
        for x in thief_parts:
            w.ww2_queue.remove(x)
            parts.append((x[0], [x[1]]))
        owners = {p[0] for p in parts}
        tries = 0
        while len(parts) < n_target and tries < n_target * 5:
            tries += 1
            u = r.choice(self.ww_users)
            if u in owners:
                continue
            cs = [c for c in u.coins if c.h <= w.height and c.value >= 20000]
            if not cs:
                continue
            r.shuffle(cs)
            got = cs[:r.choice([1, 1, 1, 2, 3, 5])]
            for c in got:
                u.coins.remove(c)
            parts.append((u, got))
            owners.add(u)
        if len(parts) < 10:
            for u, cs in parts:
                (u.coins.extend(cs) if u.cat != "thief" else w.ww2_queue.extend((u, c) for c in cs))
            return
        charges = coord is self.ww2
        ins, outs, coordsum, thief_coord = [], [], 0, 0
        reuse_round = r.random() < 0.1
        # some rounds have a popular denomination that many take several times
        popular = r.choice([x for x in WW2_D if 200_000 <= x <= 5_000_000]) if r.random() < 0.4 else None
        for u, cs in parts:
            tin = sum(c.value for c in cs)
            cf = int(tin * 0.003) if charges and tin > 1_000_000 else 0
            avail = tin - cf - int(rate * 58 * len(cs))
            dn, rem = self.decompose(avail, popular=popular)
            mf = int(rate * 43 * len(dn))
            while dn and rem < mf:
                rem += dn.pop()
            rem -= mf
            ins += cs
            coordsum += cf
            if u.cat == "thief":
                thief_coord += cf
            for v in dn:
                outs.append((w.addr(u, r.choice(["p2wpkh", "p2tr"]) if u.cat != "thief" else "p2wpkh"), v))
            if rem >= 5000 and (u.cat == "thief" or r.random() < 0.6):
                outs.append((w.addr(u, "p2wpkh"), rem))
        if reuse_round:   # a participant takes one output back to its input's address
            i = r.randrange(len(outs))
            a, v = outs[i]
            owner = a.owner
            if owner.cat != "thief":
                same = [c.a for c in ins if c.a.owner is owner]
                if same:
                    outs[i] = (same[0], v)
        if charges and coordsum >= 5000:
            if coord.recv is None:
                coord.recv = w.addr(coord)
            outs.append((coord.recv, coordsum))
        ins.sort(key=lambda c: -c.value)
        outs.sort(key=lambda o: -o[1])
        txid, new = w.tx(ins, outs, "wasabi2", seq=0xffffffff, coord=thief_coord, hold=set(range(len(outs))))
        disp = txid[::-1].hex()
        hz = [u for u, _ in parts if u.cat == "thief"]
        w.coinjoins.append({"txid": disp, "kind": "wasabi2", "coordinator_id": coord.id, "n_inputs": len(ins),
                            "n_outputs": len(outs), "heist": w.thief_of[hz[0].id]["name"] if hz else ""})
        for c in new:
            e = c.a.owner
            if e.cat == "thief":
                self.thief_post.append((e, c))
            elif e.cat == "coinjoin_coordinator" or r.random() < 0.6:
                e.coins.append(c)
            else:
                w.postmix_hold.append((e, c))

    # ---- JoinMarket ----
    def jm_round(self, taker=None, tcoins=None):
        w, r = self.w, self.r
        st = r.choice(["p2wpkh", "p2sh-p2wpkh"])
        mk = [m for m in self.makers if m.stype == st]
        if taker is None:
            cands = [u for u in self.makers if u.stype == st and u.coins]
            if not cands:
                return
            taker = r.choice(cands)
            pool = [c for c in taker.coins if c.h <= w.height]
            if not pool:
                return
            tcoins = r.sample(pool, min(len(pool), r.randint(1, 3)))
            for c in tcoins:
                taker.coins.remove(c)
        tin = sum(c.value for c in tcoins)
        sweep = r.random() < 0.25
        amt = tin if sweep else int(tin * r.uniform(0.3, 0.9))
        if r.random() < 0.3 and not sweep:
            amt = round(amt, -5)
        n_m = r.randint(3, 9)
        r.shuffle(mk)
        makers = []
        for m in mk:
            if m is taker:
                continue
            cs = [c for c in m.coins if c.h <= w.height]
            r.shuffle(cs)
            got, s = [], 0
            for c in cs:
                got.append(c)
                s += c.value
                if s > amt * 1.05 + 20000 or len(got) >= 3:
                    break
            if s > amt * 1.05 + 20000:
                makers.append((m, got))
                if len(makers) >= n_m:
                    break
        if len(makers) < 3:
            if taker.cat != "thief":
                taker.coins.extend(tcoins)
            return False
        rate = w.rate(0.7)
        nins = len(tcoins) + sum(len(g) for _, g in makers)
        nouts = 1 + 2 * len(makers) + (0 if sweep else 1)
        mfee = int(rate * (11 + 70 * nins + 32 * nouts))
        fees = [int(amt * r.uniform(0.00002, 0.0003)) + r.randint(0, 1000) for _ in makers]
        if sweep:
            amt = tin - mfee - sum(fees)
        tch = tin - amt - mfee - sum(fees)
        if amt < 50000 or tch < 0:
            if taker.cat != "thief":
                taker.coins.extend(tcoins)
            return False
        outs = [(w.addr(taker, st), amt)]
        if not sweep and tch >= DUST:
            outs.append((w.addr(taker, st), tch))
        ins = list(tcoins)
        for (m, got), f in zip(makers, fees):
            for c in got:
                m.coins.remove(c)
            ins += got
            outs.append((w.addr(m, st), amt))
            outs.append((w.addr(m, st), sum(c.value for c in got) - amt + f))
        r.shuffle(ins)
        r.shuffle(outs)
        coord = sum(fees) if taker.cat == "thief" else 0
        txid, new = w.tx(ins, outs, "joinmarket", coord=coord, seq=0xfffffffe, locktime=w.height)
        disp = txid[::-1].hex()
        w.coinjoins.append({"txid": disp, "kind": "joinmarket", "coordinator_id": taker.id, "n_inputs": len(ins),
                            "n_outputs": len(outs), "heist": w.thief_of[taker.id]["name"] if taker.cat == "thief" else ""})
        if taker.cat == "thief":
            for c in new:
                if c is not None and c.a.owner is taker:
                    self.thief_post.append((taker, c))
        return True

    # ---- chains: honest single-payment chains and the thief's peel chains ----
    def chain_step(self, ch):
        w, r = self.w, self.r
        c, o, hz = ch["coin"], ch["owner"], ch["heist"]
        if c.h > w.height or r.random() < (0.3 if hz else 0.5):
            return
        rate = w.rate(1.0 if not hz else ch["mult"])
        exch = ""
        if hz:
            peel = int(ch["base"] * r.uniform(0.5, 1.6))
            ch["base"] = int(ch["base"] * ch["grow"])
            if r.random() < 0.85:
                ex = r.choice(ch["exs"])
                to = self.dep_addr(ex, o)
                exch = ex.name
            else:
                to = w.addr(o, r.choice(["p2wpkh", "p2tr"]))
            rem_a = w.addr(o, ch["stype"])
        elif ch["to"] == "users":
            peel = self.amount()
            to = w.recv(r.choice(self.users))
            rem_a = w.addr(o)
        else:
            peel = int(c.value * r.uniform(0.05, 0.3))
            ex = r.choice(self.exchanges)
            to = self.dep_addr(ex, o)
            exch = ex.name
            rem_a = w.addr(o)
        fee = int(rate * w.vsize([c], [(to, 0), (rem_a, 0)]))
        if peel > c.value - fee - 10000:
            peel = int((c.value - fee) * r.uniform(0.55, 0.8))
        rem = c.value - peel - fee
        if ch["left"] <= 0 or rem < 20000 or peel < 20000:
            self.chain_end(ch)
            return
        outs = [(to, peel), (rem_a, rem)]
        if r.random() < 0.5:
            outs.reverse()
        txid, new = w.tx([c], outs, "peel_heist" if hz else "peel_honest", hold={0, 1},
                         seq=o.x.get("seq"), locktime=w.height if o.x.get("lt") else 0)
        pv = 0 if outs[0][0] is to else 1
        ch["hop"] += 1
        ch["left"] -= 1
        w.peel.append({"heist": hz["name"] if hz else "", "chain": ch["id"], "hop": ch["hop"],
                       "txid": txid[::-1].hex(), "peel_vout": pv, "peel_sat": peel, "peel_address": to.s,
                       "exchange": exch, "remainder_vout": 1 - pv, "remainder_sat": rem})
        if hz:
            hz["peel_chain_txids"].append(txid[::-1].hex())
        pc = new[pv]
        if pc.a.cat != "exchange_deposit":
            if hz:
                (w.ww2_queue if r.random() < 0.5 else self.thief_post).append((o, pc))
            else:
                pc.a.owner.coins.append(pc)
        ch["coin"] = new[1 - pv]

    def chain_end(self, ch):
        w, r = self.w, self.r
        self.chains.remove(ch)
        c, o, hz = ch["coin"], ch["owner"], ch["heist"]
        if not hz:
            o.coins.append(c)
            return
        end = ch["end"]
        if end == "tx0":
            pool = 50_000_000 if c.value > 2 * COIN else 5_000_000
            res = self.tx0(o, [c], pool, thief=hz)
            if res:
                self.thief_post.extend((o, x) for x in res[1])
                return
            end = "deposit"
        if end in ("ww2", "jm", "ww1"):
            lo, hi = {"ww2": (0.3, 4.0), "jm": (0.2, 2.0), "ww1": (0.11, 0.35)}[end]
            q = {"ww2": w.ww2_queue, "jm": w.jm_queue, "ww1": w.ww1_queue}[end]
            outs = []
            left = c.value - 200_000
            while left > hi * COIN and len(outs) < 150:
                v = int(r.uniform(lo, hi) * COIN)
                if r.random() < 0.3:
                    v = round(v, -6)
                outs.append((w.addr(o, "p2wpkh"), v))
                left -= v
            if not outs:
                end = "deposit"
            else:
                w.rate()   # a draw left unused, so that each seed gives the worlds measured at stop 18
                ch_a = w.addr(o, "p2wpkh")
                fee = int(w.rate() * w.vsize([c], outs + [(ch_a, 0)]))
                chg = c.value - sum(v for _, v in outs) - fee
                if chg >= DUST:
                    outs.append((ch_a, chg))
                r.shuffle(outs)
                txid, new = w.tx([c], outs, "thief_fanout")
                for x in new:
                    if x.a is ch_a:
                        self.thief_post.append((o, x))
                    else:
                        q.append((o, x))
                return
        # deposit the remainder
        ex = r.choice(ch["exs"])
        a = self.dep_addr(ex, o)
        fee = min(int(w.rate() * w.vsize([c], [(a, 0)])), c.value // 2)
        w.tx([c], [(a, c.value - fee)], "thief_deposit")

    def thief_postmix(self):
        w, r = self.w, self.r
        ready = [x for x in self.thief_post if x[1].h <= w.height]
        if not ready or r.random() < 0.3:
            return
        o = ready[0][0]
        mine = [x for x in ready if x[0] is o]
        k = 1 if r.random() < 0.6 else r.randint(2, 6)
        r.shuffle(mine)
        pick = mine[:k]
        for x in pick:
            self.thief_post.remove(x)
        hz = w.thief_of[o.id]
        ex = r.choice(hz["exs"])
        a = self.dep_addr(ex, o)
        coins = [x[1] for x in pick]
        fee = int(w.rate() * w.vsize(coins, [(a, 0)]))
        tin = sum(c.value for c in coins)
        if tin - fee < DUST:
            self.thief_post.extend(pick)     # not worth a deposit: it stays
            return
        if len(coins) == 1 and r.random() < 0.3 and tin > 2_000_000:
            # part to the exchange, the rest to a fresh address that waits
            b = w.addr(o, "p2wpkh")
            part = int(tin * r.uniform(0.3, 0.7))
            fee = int(w.rate() * w.vsize(coins, [(a, 0), (b, 0)]))
            txid, new = w.tx(coins, [(a, part), (b, tin - part - fee)], "thief_postmix_spend")
            self.thief_post.append((o, new[1]))
            return
        w.tx(coins, [(a, tin - fee)], "thief_postmix_spend")

    def heist(self, name, plan):
        w, r = self.w, self.r
        taken = {h["victim"] for h in w.heists}
        victim = max((e for e in self.exchanges if e.name not in taken), key=lambda e: w.balance(e))
        thief = w.ent("thief-" + name, "thief", "p2wpkh")
        thief.x["remixes"] = r.randint(1, 3)
        others = [e for e in self.exchanges if e is not victim]
        exs = r.sample(others, r.randint(3, len(others)))
        hz = {"name": name, "thief_id": thief.id, "victim": victim.name, "victim_id": victim.id, "exs": exs,
              "coinjoin_txids": [], "peel_chain_txids": []}
        w.thief_of[thief.id] = hz
        thief.x["hz"] = hz
        pool = sorted([c for c in victim.coins if c.h <= w.height and not c.cb], key=lambda c: -c.value)
        bal = sum(c.value for c in pool)
        amount = min(plan, int(bal * 0.85))
        got, s = [], 0
        for c in pool:
            got.append(c)
            s += c.value
            if s >= amount + COIN // 100:
                break
        for c in got:
            victim.coins.remove(c)
        k = r.randint(6, 9)
        cuts = sorted(r.random() for _ in range(k - 1))
        parts = [b - a for a, b in zip([0] + cuts, cuts + [1])]
        outs = [(w.addr(thief, r.choice(["p2wpkh", "p2wpkh", "p2tr"])), int(amount * p)) for p in parts]
        outs[-1] = (outs[-1][0], amount - sum(v for _, v in outs[:-1]))
        va = victim.recv if victim.reuse and victim.recv else w.addr(victim)
        fee = int(w.rate(2) * w.vsize(got, outs + [(va, 0)]))
        outs.append((va, s - amount - fee))
        txid, new = w.tx(got, outs, "theft")
        hz.update({"amount_sat": amount, "theft_txid": txid[::-1].hex(), "theft_height": w.height + 1,
                   "victim_inputs": [c.op() for c in got],
                   "stolen_outputs": [{"outpoint": c.op(), "address": c.a.s, "value_sat": c.value} for c in new[:-1]]})
        w.heists.append(hz)
        ends = ["tx0", "ww2", "jm", "ww1", "deposit", "tx0", "ww2", "deposit", "jm"]
        r.shuffle(ends)
        for i, c in enumerate(new[:-1]):
            L = r.randint(10, 30)
            style = r.random()
            self.chains.append({"owner": thief, "coin": c, "left": L, "heist": hz, "hop": 0, "id": i + 1,
                                "base": int(c.value / L * r.uniform(0.3, 0.9)),
                                "grow": 1.0 if style < 0.5 else r.uniform(1.02, 1.08),
                                "mult": r.uniform(0.8, 2.5), "stype": r.choice(["p2wpkh", "p2wpkh", "p2pkh", "p2tr"]),
                                "exs": exs, "end": ends[i % len(ends)]})
        hz["exs"] = exs

    # ---- the world, block by block ----
    def run(self, n_econ, per_block, heists):
        w, r = self.w, self.r
        self.chains, self.honest_chains = [], 100
        self.thief_post, self.ww1_post = [], []
        for h in range(1, 101):
            w.mine(self.pick_pool())
        end = 100 + n_econ
        dusts = {120 + n_econ // 3, 100 + 2 * n_econ // 3}
        lrate = math.log(8)
        while w.height < end:
            h = w.height + 1
            w.price *= math.exp(r.gauss(0, 0.008))
            lrate = 0.85 * lrate + 0.15 * math.log(8) + r.gauss(0, 0.25)
            if r.random() < 0.03:
                lrate += r.uniform(1.0, 2.5)     # a fee spike
            w.rate_base = math.exp(lrate)
            for p in self.pools:
                if r.random() < 0.5:
                    self.pool_payout(p)
            if h < 140:       # the early economy: coins reach exchanges and everyone else
                for p in self.pools:
                    self.pool_payout(p)
            for name, (hh, plan) in heists.items():
                if h == hh:
                    self.heist(name, plan)
            for ch in list(self.chains):
                self.chain_step(ch)
            if h < end - 3:
                for _ in range(r.randint(0, 3)):
                    self.thief_postmix()
            for ex in self.exchanges:
                if r.random() < 0.35:
                    self.ex_sweep(ex)
                if r.random() < 0.3:
                    self.ex_batch(ex)
                if not ex.reuse and r.random() < 0.01:
                    self.ex_single_chain_start(ex)
            for o in self.otc:
                if r.random() < 0.01:
                    self.otc_chain_start(o)
            if h > 130:
                f = self.scale_cj
                for pool in WP_POOLS:
                    if r.random() < 0.25 * f:
                        self.honest_tx0(pool)
                    thief_waits = any(x[0].cat == "thief" for x in w.wp_pre[pool])
                    for _ in range(r.randint(0, 3) if thief_waits or r.random() < f else 0):
                        self.wp_mix(pool)
                if r.random() < 0.22 * f or (w.ww1_queue and r.random() < 0.3):
                    self.ww1_round()
                if r.random() < 0.25 * f or (w.ww2_queue and r.random() < 0.3):
                    self.ww2_round(self.ww2 if r.random() < 0.6 else self.ww2b)
                for _ in range(r.randint(0, 2) if r.random() < f else 0):
                    self.jm_round()
                for x in [x for x in w.jm_queue if x[1].h <= w.height][:r.randint(0, 2)]:
                    w.jm_queue.remove(x)
                    if not self.jm_round(x[0], [x[1]]):
                        w.jm_queue.append(x)
                for _ in range(r.randint(0, 4)):
                    self.postmix_spend()
            for co in self.payrolls:
                if r.random() < 0.04:
                    self.payroll(co)
            if h in dusts:
                self.dust_attack()
            if r.random() < 0.05:
                self.duster_topup()
            # the block's fullness: quiet, normal or full
            x = r.random()
            T = 0 if x < 0.015 else int(per_block * math.exp(r.gauss(0, 0.45)))
            T = min(T, int(per_block * 4))
            tries = 0
            while len(w.pending) < T and tries < 4 * T:
                tries += 1
                y = r.random()
                if y < 0.30:
                    self.user_payment("merchant")
                elif y < 0.55:
                    self.user_payment("user")
                elif y < 0.62:
                    self.user_payment("multi")
                elif y < 0.78:
                    self.user_deposit()
                elif y < 0.83:
                    self.user_consolidate()
                elif y < 0.86:
                    self.merchant_cashout(r.choice(self.merchants))
                elif y < 0.91:
                    self.ln_open()
                elif y < 0.96:
                    self.ln_close()
                else:
                    self.ex_batch(r.choice(self.exchanges))
            w.mine(self.pick_pool())

    def duster_topup(self):
        w = self.w
        ex = self.r.choice(self.exchanges)
        if w.balance(ex) > 10 * COIN and w.balance(self.duster) < 2_000_000:
            w.pay(ex, [(w.recv(self.duster), 5_000_000)], "exchange_withdrawal", prefer="large")

    def pick_pool(self):
        return self.r.choices(self.pools, [p.x["weight"] for p in self.pools])[0]


def finish_truth(w, eco):
    """heists.json: deposits, unspent thief coins and the identity stolen = deposited + unspent + fees."""
    for hz in w.heists:
        name = hz["name"]
        deps = [d for d in w.deposits if d["heist"] == name]
        hz["deposits"] = [{"outpoint": "%s:%d" % (d["txid"], d["vout"]), "amount_sat": d["value_sat"],
                           "address": d["address"], "exchange": d["exchange"], "height": d["height"]} for d in deps]
        by_a, by_e = {}, {}
        for d in deps:
            by_a[d["address"]] = by_a.get(d["address"], 0) + d["value_sat"]
            by_e[d["exchange"]] = by_e.get(d["exchange"], 0) + d["value_sat"]
        hz["deposits_by_address"] = {k: {"value_sat": v} for k, v in by_a.items()}
        hz["deposits_by_exchange"] = by_e
        tid = hz["thief_id"]
        unspent = []
        for lst in (eco.thief_post, w.ww1_queue, w.ww2_queue, w.jm_queue, eco.ww1_post, w.postmix_hold):
            unspent += [x[1] for x in lst if x[0].id == tid]
        for p in WP_POOLS:
            unspent += [x[1] for x in w.wp_pre[p] + w.wp_post[p] if x[0].id == tid]
        unspent += [ch["coin"] for ch in eco.chains if ch["heist"] is hz]
        hz["unspent"] = [{"outpoint": c.op(), "value_sat": c.value} for c in unspent]
        rows = [t for t in w.thief_txs if t["heist"] == name]
        mining = sum(t["fee_sat"] for t in rows)
        coord = sum(t["coordinator_fee_sat"] for t in rows)
        dep = sum(d["value_sat"] for d in deps)
        uns = sum(c.value for c in unspent)
        hz["thief_txids"] = [t["txid"] for t in rows]
        hz["totals"] = {"stolen_sat": hz["amount_sat"], "deposited_sat": dep, "unspent_sat": uns,
                        "fees_mining_sat": mining, "fees_coordinator_sat": coord, "lost_to_peers_sat": 0,
                        "identity_holds": hz["amount_sat"] == dep + uns + mining + coord}
        if not hz["totals"]["identity_holds"]:
            raise SystemExit("heist %s: stolen %d != deposited %d + unspent %d + fees %d + %d (diff %d)" % (
                name, hz["amount_sat"], dep, uns, mining, coord, hz["amount_sat"] - dep - uns - mining - coord))
        hz["thief"] = tid
        hz["thief_entity"] = tid
        hz["victim_exchange"] = hz["victim"]
        del hz["exs"]


def write(w, out, xor_key, zero_tail, max_file, zero_tail_all):
    bdir = os.path.join(out, "blocks")
    tdir = os.path.join(out, "truth")
    os.makedirs(bdir, exist_ok=True)
    os.makedirs(tdir, exist_ok=True)
    for f in os.listdir(bdir):
        os.unlink(os.path.join(bdir, f))
    stale_at = {}
    for raw, h in w.stale:
        stale_at.setdefault(h, []).append(raw)
    recs = []
    for h, raw in enumerate(w.blocks):
        for x in [raw] + stale_at.get(h, []):
            recs.append(MAGIC + struct.pack("<I", len(x)) + x)
    rnd = random.Random(w.seed * 31 + 7)
    for i in range(5, len(recs) - 1):
        if rnd.random() < 0.01:
            recs[i], recs[i + 1] = recs[i + 1], recs[i]
    files, cur = [], bytearray()
    for rec in recs:
        if cur and len(cur) + len(rec) > max_file:
            files.append(cur)
            cur = bytearray()
        cur += rec
    files.append(cur)
    key = bytes.fromhex(xor_key) if xor_key else None
    for i, data in enumerate(files):
        if key:
            k = (key * (len(data) // 8 + 1))[:len(data)]
            data = (int.from_bytes(data, "little") ^ int.from_bytes(k, "little")).to_bytes(len(data), "little")
        with open(os.path.join(bdir, "blk%05d.dat" % i), "wb") as f:
            f.write(data)
            if zero_tail and (i == len(files) - 1 or zero_tail_all):
                f.write(b"\0" * zero_tail)     # posix_fallocate'd: raw zeros, never obfuscated
    if key:
        with open(os.path.join(bdir, "xor.dat"), "wb") as f:
            f.write(key)

    def wcsv(name, head, rows):
        with open(os.path.join(tdir, name), "w", newline="") as f:
            wr = csv.writer(f, lineterminator="\n")
            wr.writerow(head)
            for r in rows:
                wr.writerow([r[k] for k in head] if isinstance(r, dict) else r)

    height = w.txheight
    wcsv("entities.csv", ["entity_id", "name", "category"], [(e.id, e.name, e.cat) for e in w.ents])
    wcsv("addresses.csv", ["address", "script_type", "entity_id", "entity_name", "category", "customer_id"],
         [(a.s, {"p2wsh3": "p2wsh"}.get(a.stype, a.stype), a.owner.id, a.owner.name, a.cat, a.customer)
          for a in w.addrs if a.used])
    wcsv("coinjoins.csv", ["txid", "height", "kind", "coordinator_id", "n_inputs", "n_outputs", "heist"],
         [dict(x, height=height[x["txid"]]) for x in w.coinjoins])
    wcsv("tx0s.csv", ["txid", "height", "kind", "pool_sat", "owner_id", "n_inputs", "n_premix", "n_outputs", "heist"],
         [dict(x, height=height[x["txid"]]) for x in w.tx0s])
    wcsv("peel_chains.csv", ["heist", "chain", "hop", "txid", "height", "peel_vout", "peel_sat", "peel_address",
                             "exchange", "remainder_vout", "remainder_sat"],
         [dict(x, height=height[x["txid"]]) for x in w.peel])
    wcsv("deposits.csv", ["txid", "vout", "height", "address", "exchange", "payer_id", "value_sat", "heist"], w.deposits)
    wcsv("thief_txs.csv", ["heist", "txid", "height", "kind", "parent_txid", "thief_in_sat", "thief_out_sat",
                           "deposit_sat", "fee_sat", "coordinator_fee_sat"], w.thief_txs)
    # txs.csv: every best-chain tx in block order with its true shape (btc_shapes_score.py's names
    # where the shape is the same)
    rename = {"deposit_sweep": "deposit_sweep", "exchange_batch": "exchange_batch", "payroll": "payroll",
              "consolidation": "consolidation", "payment": "payment", "pool_payout": "pool_payout_reuse"}
    rows = sorted(((t, hh, rename.get(k, k)) for t, k in w.txkind.items() for hh in [height[t]]),
                  key=lambda x: x[1])
    wcsv("txs.csv", ["txid", "height", "kind"], rows)
    with open(os.path.join(tdir, "heists.json"), "w") as f:
        json.dump(w.heists, f, indent=1)
    with open(os.path.join(tdir, "world.json"), "w") as f:
        json.dump({"format": "btc-alt-world/1", "generator": "tests/diff/btc_alt_world.py", "network": "regtest",
                   "seed": w.seed, "scale": w.scale, "txs": w.n_txs, "blocks": len(w.blocks),
                   "best_height": len(w.blocks) - 1, "tip": w.prev[::-1].hex(), "files": len(files),
                   "xor_key": xor_key or "", "zero_tail_bytes": zero_tail,
                   "stale_blocks": [{"hash": dsha(raw[:80])[::-1].hex(), "height": h} for raw, h in w.stale],
                   "addresses": sum(1 for a in w.addrs if a.used), "entities": len(w.ents), "coinjoins": len(w.coinjoins),
                   "tx0s": len(w.tx0s), "peel_hops": len(w.peel), "deposits": len(w.deposits),
                   "heists": [{"name": h["name"], "amount_sat": h["amount_sat"], "victim": h["victim"]}
                              for h in w.heists]}, f, indent=1)


def main():
    global GENESIS_HEX
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="economy size (1: ~200k txs; 0.05: a ~10k-tx world for tests)")
    ap.add_argument("--xor-key", help="16 hex digits: obfuscate the blk files with xor.dat (Core 28+)")
    ap.add_argument("--zero-tail", type=int, default=0, help="raw zero bytes after the last file's data")
    ap.add_argument("--zero-tail-all", action="store_true", help="a zero tail in every file")
    ap.add_argument("--ww1-copies", action="store_true",
                    help="Wasabi 1 parties may take the base denomination several times (more equal outputs than inputs)")
    ap.add_argument("--max-file-size", type=int, default=128 << 20, help="blk file size (default 128 MiB)")
    a = ap.parse_args()
    if a.xor_key and len(bytes.fromhex(a.xor_key)) != 8:
        ap.error("--xor-key takes 16 hex digits")
    import bitcoin
    bitcoin.SelectParams("regtest")
    GENESIS_HEX = bitcoin.params.GENESIS_BLOCK.serialize().hex()
    w = World(a.seed, a.scale)
    eco = Economy(w, a.scale)
    eco.makers = [w.ent("jm-maker-%d" % (i + 1), "user", w.rnd.choice(["p2wpkh", "p2sh-p2wpkh"]))
                  for i in range(max(12, int(70 * a.scale)))]
    eco.users_all = eco.users
    eco.ww_users = [u for u in eco.users if u.stype in ("p2wpkh", "p2tr")][:max(120, len(eco.users) // 4)]
    eco.scale_cj = max(0.2, min(1.0, a.scale * 3))
    eco.ww1_copies = a.ww1_copies
    n_econ = 330
    w.stale_until = 100 + n_econ - 6
    per_block = int(600 * a.scale) + 4
    r = w.rnd
    heists = {"heist-%d-a" % a.seed: (230 + r.randint(0, 10), int(r.uniform(1200, 2600) * COIN)),
              "heist-%d-b" % a.seed: (290 + r.randint(0, 10), int(r.uniform(400, 900) * COIN))}
    eco.run(n_econ, per_block, heists)
    finish_truth(w, eco)
    write(w, a.out, a.xor_key, a.zero_tail, a.max_file_size, a.zero_tail_all)
    print("wrote %s: %d blocks, %d txs, %d addresses, %d coinjoins, %d tx0s, %d peel hops, %d deposits (%d stolen)" % (
        a.out, len(w.blocks), w.n_txs, len(w.addrs), len(w.coinjoins), len(w.tx0s), len(w.peel), len(w.deposits),
        sum(1 for d in w.deposits if d["heist"])))
    for hz in w.heists:
        print("  %s: %.2f BTC from %s, %d deposits, totals %s" % (hz["name"], hz["amount_sat"] / COIN, hz["victim"],
                                                                  len(hz["deposits"]), hz["totals"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
