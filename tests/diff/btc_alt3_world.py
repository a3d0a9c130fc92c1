#!/usr/bin/python3
"""btc_alt3_world.py: a third outside Bitcoin world for issue 11, written from the issue's text
and mainnet habits before reading chainwatch's detectors (src/analytics) and before reading the
other two generators (src/gen, tests/diff/btc_alt_world.py). Debian's python3, standard library
only: it serialises transactions and blocks itself.

  btc_alt3_world.py --out DIR [--seed N] [--scale S] [--blocks N] [--xor-key HEX16]
                    [--zero-tail BYTES] [--zero-tail-all] [--max-file-size BYTES]

DIR/blocks is a Bitcoin Core blocks directory (regtest magic, blkNNNNN.dat, real proof of work at
regtest difficulty, BIP34 heights, BIP141 witness commitments, a few stale siblings, ~1 % of
blocks written after their child; with --xor-key Core 28+'s xor.dat and a raw zero tail of
--zero-tail bytes in the last file, or in every file with --zero-tail-all). DIR/truth holds the
truth in docs/GEN.md's layout (what scripts/eval_btc.py and tests/diff/gen_check.py read) and
extra files for the shapes this world adds (see the README lines written to world.json).

Shapes (each used by honest users as well as by the thieves):
* custodial mixers (Sinbad/Blender/ChipMixer-like): deposits to fresh mixer addresses, swept
  into the mixer's pool, payouts from the pool to fresh addresses later, in other amounts, less
  a fee; the truth (mixer_payouts.csv) says payouts are not attributable to any depositor;
* exchanges as pass-through: a thief's deposit is swept into the hot wallet, which then pays
  honest customers' withdrawals (passthrough.csv: clean);
* THORChain-style vault deposits with an OP_RETURN memo (`=:ETH.ETH:0x…`, `SWAP:…`), outbound
  payments with `OUT:` memos, and a no-KYC instant exchanger (an order address per swap);
* RBF (only the winner on chain; rbf.csv lists the replaced versions), CPFP (a low-fee parent
  and its high-fee child in one block); many heist coins consolidated before peeling; several
  peel chains in parallel from one fan-out; peels that start other peel chains;
* Wasabi 2 rounds (standard denominations, more equal outputs than inputs, sorted outputs) with
  remixes; thieves that wait weeks between steps; honest address reuse, batch payouts (pools,
  exchanges, payroll), honest change runs (change_runs.csv) and OTC desks peeling payouts.

Stolen value follows docs/GEN.md's definition, extended: value leaving the thief to a service
deposit (a custodial mixer's deposit address, an instant exchanger's order address, the bridge
vault) ends the trail like an exchange deposit; heists.json counts it apart
(`service_deposits`, totals.service_deposited_sat), so stolen = deposited + service_deposited +
unspent + fees to the satoshi.
"""
import argparse
import csv
import hashlib
import heapq
import json
import math
import os
import random
import struct
import sys

COIN = 100000000
MAGIC = bytes.fromhex("fabfb5da")
BITS = 0x207FFFFF
TARGET = 0x7FFFFF << (8 * (0x20 - 3))
GENESIS_CB = bytes.fromhex(
    "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d"
    "0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f"
    "66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0"
    "fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c38"
    "4df7ba0b8d578a4c702b6bf11d5fac00000000")
GENESIS_HASH = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"


def dsha(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def h160(b):
    return hashlib.new("ripemd160", hashlib.sha256(b).digest()).digest()


def varint(n):
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xFFFFFFFF:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def push(b):
    n = len(b)
    if n < 0x4C:
        return bytes([n]) + b
    if n <= 0xFF:
        return b"\x4c" + bytes([n]) + b
    return b"\x4d" + struct.pack("<H", n) + b


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(payload):
    data = payload + dsha(payload)[:4]
    n = int.from_bytes(data, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = B58[r] + s
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + s


BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((b >> i) & 1) else 0
    return chk


def segwit_address(hrp, ver, prog):
    acc = bits = 0
    data = [ver]
    for x in prog:
        acc = (acc << 8) | x
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    const = 0x2BC830A3 if ver else 1
    hv = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = _polymod(hv + data + [0] * 6) ^ const
    chk = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH[d] for d in data + chk)


class Addr:
    __slots__ = ("s", "spk", "stype", "ent", "cat", "cust", "pub", "redeem", "used")

    def __init__(self, s, spk, stype, ent, cat, cust, pub, redeem):
        self.s, self.spk, self.stype, self.ent, self.cat, self.cust = s, spk, stype, ent, cat, cust
        self.pub, self.redeem, self.used = pub, redeem, False


IN_VB = {"p2pkh": 148, "p2sh-p2wpkh": 91, "p2wpkh": 68, "p2tr": 58}
OUT_VB = {"p2pkh": 34, "p2sh-p2wpkh": 32, "p2wpkh": 31, "p2tr": 43}

# Wasabi 2 standard denominations: 1, 2, 5 x 10^k, 2^k and 3^k sat from 5,000 sat to 1,374 BTC
DENOMS = sorted({d for d in ([m * 10 ** k for k in range(3, 12) for m in (1, 2, 5)] +
                             [2 ** k for k in range(13, 38)] + [3 ** k for k in range(8, 26)])
                 if 5000 <= d <= 137438953472}, reverse=True)


class Coin:
    __slots__ = ("txid", "n", "value", "addr", "height")

    def __init__(self, txid, n, value, addr, height):
        self.txid, self.n, self.value, self.addr, self.height = txid, n, value, addr, height

    def op(self):
        return "%s:%d" % (self.txid[::-1].hex(), self.n)


class Entity:
    def __init__(self, eid, name, cat, stype, reuse):
        self.id, self.name, self.cat = eid, name, cat
        self.stype = stype
        self.reuse = reuse  # probability of paying itself (receive or change) at a used address
        self.coins = {}  # (txid, n) -> Coin
        self.addrs = []
        self.deposit = {}  # exchange id -> deposit Addr for this customer


class World:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.addrs = []  # creation order
        self.ents = []
        self.blocks = []  # best chain: (hash, raw, height)
        self.height = 0
        self.txs_block = []  # (raw, wtx_raw, txid, wtxid, fee)
        self.events = []  # heap (height, seq, generator)
        self.seq = 0
        self.txkind = []  # (txid, height, kind)
        self.n_tx = 1  # the genesis block's coinbase
        self.coinjoins = []
        self.peel_rows = []
        self.honest_chain_no = 0
        self.change_runs = []
        self.mixer_payouts = []
        self.passthrough = []
        self.rbf = []
        self.bridge = []
        self.deposits = []
        self.heists = []
        self.thief_of = {}  # entity id -> heist dict
        self.ww2_queue = []  # registrations
        self.feerate = 8.0
        self.pending_spent = set()
        self.created = []  # (txid, n, value, Addr, height, payer entity id)

    # ---------------- entities and addresses ----------------
    def entity(self, name, cat, stype=None, reuse=0.0):
        e = Entity(len(self.ents) + 1, name, cat, stype, reuse)
        self.ents.append(e)
        return e

    def new_addr(self, e, cat=None, cust="", stype=None):
        r = self.rng
        st = stype or e.stype or r.choice(["p2wpkh", "p2wpkh", "p2sh-p2wpkh", "p2pkh", "p2tr"])
        pub = bytes([2 + r.getrandbits(1)]) + r.getrandbits(256).to_bytes(32, "big")
        redeem = b""
        if st == "p2pkh":
            h = h160(pub)
            spk = b"\x76\xa9\x14" + h + b"\x88\xac"
            s = b58check(b"\x6f" + h)
        elif st == "p2sh-p2wpkh":
            redeem = b"\x00\x14" + h160(pub)
            h = h160(redeem)
            spk = b"\xa9\x14" + h + b"\x87"
            s = b58check(b"\xc4" + h)
        elif st == "p2wpkh":
            h = h160(pub)
            spk = b"\x00\x14" + h
            s = segwit_address("bcrt", 0, h)
        else:
            x = pub[1:]
            spk = b"\x51\x20" + x
            s = segwit_address("bcrt", 1, x)
        a = Addr(s, spk, st, e, cat or e.cat, cust, pub, redeem)
        e.addrs.append(a)
        return a

    def recv(self, e):
        """an address of e to be paid: a used one with e.reuse, else a fresh one"""
        if e.addrs and self.rng.random() < e.reuse:
            return self.rng.choice(e.addrs[-4:])
        return self.new_addr(e)

    def dep_addr(self, cust, ex):
        a = cust.deposit.get(ex.id)
        if a is None:
            a = self.new_addr(ex, "exchange_deposit", str(cust.id), stype=self.rng.choice(["p2wpkh", "p2sh-p2wpkh", "p2tr"]))
            cust.deposit[ex.id] = a
        return a

    # ---------------- transactions ----------------
    def fee(self, ins, outs, rate=None):
        rate = self.feerate if rate is None else rate
        vb = 11 + sum(IN_VB[c.addr.stype] for c in ins) + sum(OUT_VB.get(getattr(o, "stype", ""), 40) for o in outs)
        return max(int(rate * vb), vb)

    def tx(self, ins, outs, kind, memo=None, seq=0xFFFFFFFD, locktime=None, fee_check=True):
        """ins: Coins (removed from their owners); outs: [(Addr, value)]; memo: OP_RETURN data.
        Returns (txid, [Coin or None])."""
        r = self.rng
        vin = sum(c.value for c in ins)
        vout = sum(v for _, v in outs)
        assert vin >= vout, (kind, vin, vout)
        assert all(v > 0 for _, v in outs), kind
        lt = locktime if locktime is not None else (self.height - 1 if r.random() < 0.6 else 0)
        body = [struct.pack("<i", 2), varint(len(ins))]
        wit = []
        seg = False
        for c in ins:
            k = (c.txid, c.n)
            assert k not in self.pending_spent, kind
            self.pending_spent.add(k)
            assert c.addr.ent.coins.pop(k, None) is c, ("spent coin reused", kind)
            st = c.addr.stype
            sig = r.getrandbits(560).to_bytes(70, "big") + b"\x01"
            sig = b"\x30" + sig[1:]
            if st == "p2pkh":
                ss = push(sig) + push(c.addr.pub)
                wit.append([])
            elif st == "p2sh-p2wpkh":
                ss = push(c.addr.redeem)
                wit.append([sig, c.addr.pub])
                seg = True
            elif st == "p2wpkh":
                ss = b""
                wit.append([sig, c.addr.pub])
                seg = True
            else:
                ss = b""
                wit.append([r.getrandbits(512).to_bytes(64, "big")])
                seg = True
            body.append(c.txid + struct.pack("<I", c.n) + varint(len(ss)) + ss + struct.pack("<I", seq))
        nout = len(outs) + (1 if memo is not None else 0)
        body.append(varint(nout))
        for a, v in outs:
            a.used = True
            body.append(struct.pack("<q", v) + varint(len(a.spk)) + a.spk)
        if memo is not None:
            spk = b"\x6a" + push(memo)
            body.append(struct.pack("<q", 0) + varint(len(spk)) + spk)
        tail = struct.pack("<I", lt)
        core = b"".join(body)
        raw_nw = core + tail
        txid = dsha(raw_nw)
        if seg:
            w = b"".join(varint(len(s)) + b"".join(varint(len(x)) + x for x in s) for s in wit)
            raw = core[:4] + b"\x00\x01" + core[4:] + w + tail
            wtxid = dsha(raw)
        else:
            raw = raw_nw
            wtxid = txid
        self.txs_block.append((raw, txid, wtxid, vin - vout))
        self.txkind.append((txid[::-1].hex(), self.height, kind))
        coins = []
        for n, (a, v) in enumerate(outs):
            c = Coin(txid, n, v, a, self.height)
            a.ent.coins[(txid, n)] = c
            coins.append(c)
            self.created.append((txid, n, v, a, self.height, ins[0].addr.ent.id))
        return txid, coins

    def spendable(self, e, conf=1):
        return [c for c in e.coins.values() if c.height <= self.height - conf]

    def select(self, e, need, conf=1, maxn=8, pool=None):
        cs = pool if pool is not None else self.spendable(e, conf)
        if not cs:
            return None
        r = self.rng
        if len(cs) > 40:
            cs = r.sample(cs, 40)
        r.shuffle(cs)
        big = [c for c in cs if c.value >= need]
        if big and r.random() < 0.7:
            return [min(big, key=lambda c: c.value)]
        pick = []
        tot = 0
        for c in sorted(cs, key=lambda c: -c.value):
            pick.append(c)
            tot += c.value
            if tot >= need or len(pick) >= maxn:
                break
        return pick if tot >= need else None

    def pay(self, e, dests, kind, change_to=None, rate=None, memo=None, seq=None, conf=1, ins=None):
        """e pays dests [(Addr, value)] with change; returns (txid, coins) or None"""
        r = self.rng
        need = sum(v for _, v in dests)
        if ins is None:
            ins = self.select(e, need + 3000 + 60 * len(dests) * int(self.feerate + 1), conf)
            if ins is None:
                return None
        ch = change_to or self.recv(e)
        outs = list(dests)
        fee = self.fee(ins, outs + [(ch, 0)], rate) + (len(memo) if memo else 0)
        change = sum(c.value for c in ins) - need - fee
        if change < 0:
            return None
        if change >= 1000:
            pos = r.randrange(len(outs) + 1)
            outs.insert(pos, (ch, change))
        if seq is None:
            seq = 0xFFFFFFFD if r.random() < 0.3 else r.choice([0xFFFFFFFF, 0xFFFFFFFE])
        return self.tx(ins, outs, kind, memo=memo, seq=seq)

    # ---------------- scheduling ----------------
    def spawn(self, gen, delay=0):
        self.seq += 1
        heapq.heappush(self.events, (self.height + delay, self.seq, gen))

    def run_events(self):
        while self.events and self.events[0][0] <= self.height:
            _, _, g = heapq.heappop(self.events)
            try:
                d = next(g)
                self.spawn(g, max(0, int(d)))
            except StopIteration:
                pass


# ---------------------------------------------------------------------------------------------
def build(a):
    w = World(a)
    r = w.rng
    sc = a.scale
    nb = a.blocks
    # entities
    pools = [w.entity("pool-%s" % n, "miner", "p2wpkh", 0.9) for n in ("ardent", "bluefin", "cobalt", "dune")]
    exch = [w.entity(n, "exchange", r.choice(["p2wpkh", "p2sh-p2wpkh"]), 0.85) for n in
            ("Halyard Exchange", "Corvid Markets", "Sable Trade", "Quay Bit", "Tamarind Exchange", "Umber OTC")]
    mixers = [w.entity("Sinbad-like mixer", "mixer", "p2wpkh", 0.0), w.entity("Blender-like mixer", "mixer", "p2sh-p2wpkh", 0.0)]
    instant = w.entity("Swapfox instant exchange", "service", "p2wpkh", 0.7)
    vault = w.entity("THORChain-like vault", "bridge", "p2wpkh", 1.0)
    vault_addr = [w.new_addr(vault, "bridge_vault")]
    ww2coord = w.entity("wasabi2 coordinator", "coinjoin_coordinator", "p2wpkh", 0.0)
    merchants = [w.entity("merchant-%d" % i, "merchant", None, 0.5) for i in range(int(40 * sc) + 5)]
    otc = [w.entity("otc-desk-%d" % i, "service", None, 0.3) for i in range(3)]
    nusers = int(9000 * sc) + 60
    users = []
    for i in range(nusers):
        reuse = 0.9 if r.random() < 0.25 else (0.1 if r.random() < 0.5 else 0.0)
        users.append(w.entity("user-%d" % i, "user", r.choice(["p2wpkh", "p2wpkh", "p2sh-p2wpkh", "p2pkh", "p2tr", None]), reuse))
    employers = r.sample(users, max(3, len(users) // 300))
    for ex in exch:
        ex.hot = [w.new_addr(ex, "exchange") for _ in range(2)]
        ex.cold = w.new_addr(ex, "exchange", stype="p2wpkh")
    for m in mixers:
        m.pool = [w.new_addr(m, "mixer_pool") for _ in range(3)]
        m.fee = r.uniform(0.01, 0.03)
    instant.hot = [w.new_addr(instant, "instant_exchange")]
    pool_addr = {p.id: w.new_addr(p) for p in pools}

    def user():
        return users[r.randrange(len(users))]

    def amount():  # dollar-like payment at a drifting price
        usd = math.exp(r.gauss(4.0, 1.4))
        price = 60000 * (1 + 0.15 * math.sin(w.height / 700.0))
        v = int(usd / price * COIN)
        if r.random() < 0.3:
            v = int(round(v, -4)) or 10000
        return max(v, 6000)

    # ---- honest processes ----
    def change_run(u):
        hops = r.randint(4, 14)
        run = len(w.change_runs) and w.change_runs[-1][0] + 1 or 1
        cs = w.spendable(u)
        if not cs:
            return
        c = max(cs, key=lambda c: c.value)
        for hop in range(1, hops + 1):
            if (c.txid, c.n) not in u.coins:
                return  # the user spent the change elsewhere: the run ends
            v = amount()
            dest = w.recv(r.choice(merchants + users[:50] + [user()]))
            ch = w.new_addr(u) if u.reuse < 0.5 else c.addr
            fee = w.fee([c], [dest, ch])
            if c.value < v + fee + 10000:
                return
            outs = [(dest, v), (ch, c.value - v - fee)]
            r.shuffle(outs)
            txid, coins = w.tx([c], outs, "change_run")
            w.change_runs.append((run, hop, txid[::-1].hex(), w.height))
            c = [x for x in coins if x.addr is ch][0]
            yield r.choice([0, 1, 2, 3, 6, 20, 40, 144])

    def otc_peel(d):
        cs = w.spendable(d)
        if not cs:
            return
        c = max(cs, key=lambda c: c.value)
        w.honest_chain_no += 1
        chain = w.honest_chain_no
        for hop in range(1, r.randint(5, 18) + 1):
            if (c.txid, c.n) not in d.coins:
                return
            cust = user()
            to_ex = r.random() < 0.3
            dest = w.dep_addr(cust, r.choice(exch)) if to_ex else w.recv(cust)
            v = int(c.value * r.uniform(0.02, 0.3))
            ch = w.new_addr(d)
            fee = w.fee([c], [dest, ch])
            if c.value - v - fee < v:
                return
            outs = [(dest, v), (ch, c.value - v - fee)]
            if r.random() < 0.5:
                outs.reverse()
            txid, coins = w.tx([c], outs, "otc_peel", seq=0xFFFFFFFF)
            pv = 0 if outs[0][0] is dest else 1
            w.peel_rows.append(["", chain, hop, txid[::-1].hex(), w.height, pv, v, dest.s,
                                dest.ent.name if to_ex else "", 1 - pv, c.value - v - fee])
            c = coins[1 - pv]
            yield r.choice([1, 1, 2, 3, 5, 12])

    def mixer_payout(m, recipient, value, kind="mixer_payout"):
        """the mixer pays `value` less its fee to the recipient from its pool, in 1-3 payouts"""
        parts = r.randint(1, 3)
        left = int(value * (1 - m.fee))
        for i in range(parts):
            yield r.randint(3, 150)
            v = left if i == parts - 1 else int(left * r.uniform(0.2, 0.6))
            v = int(v * r.uniform(0.995, 1.0))
            if v < 10000:
                break
            left -= v
            to = w.new_addr(recipient)
            res = None
            for _ in range(3):
                res = w.pay(m, [(to, v)], kind, change_to=r.choice(m.pool), seq=0xFFFFFFFF)
                if res:
                    break
                yield 5
            if res:
                txid, coins = res
                for cc in coins:
                    if cc.addr is to:
                        w.mixer_payouts.append((txid[::-1].hex(), cc.n, to.s, recipient.id, cc.value, m.name, w.height))

    def instant_payout(recipient, value):
        yield r.randint(1, 10)
        to = w.recv(recipient)
        w.pay(instant, [(to, int(value * 0.99))], "instant_payout", change_to=instant.hot[0])

    def vault_out(recipient, value):
        yield r.randint(1, 6)
        to = w.recv(recipient)
        res = w.pay(vault, [(to, value)], "bridge_out", change_to=vault_addr[0],
                    memo=b"OUT:" + r.getrandbits(256).to_bytes(32, "big").hex().upper().encode())
        if res:
            w.bridge.append((res[0][::-1].hex(), w.height, "out", "OUT"))

    def memo_eth():
        kind = r.random()
        addr = "0x" + r.getrandbits(160).to_bytes(20, "big").hex()
        if kind < 0.6:
            return ("=:ETH.ETH:%s:%d/1/0" % (addr, r.randint(10 ** 6, 10 ** 9))).encode()
        if kind < 0.8:
            return ("SWAP:ETH.USDT-0XDAC17F958D2EE523A2206206994597C13D831EC7:%s" % addr).encode()
        return ("=:BSC.BNB:0x%s" % r.getrandbits(160).to_bytes(20, "big").hex()).encode()

    # ---- Wasabi 2 rounds ----
    def ww2_round():
        regs = w.ww2_queue
        w.ww2_queue = []
        target = r.randint(50, 140)
        parties = []  # (entity, coins, reg or None)
        n_in = 0
        for reg in regs:
            cs = [c for c in reg["coins"] if (c.txid, c.n) in c.addr.ent.coins]
            if cs:
                parties.append((reg["ent"], cs, reg))
                n_in += len(cs)
        tries = 0
        while n_in < target and tries < 600:
            tries += 1
            u = user()
            cs = [c for c in w.spendable(u) if 20000 <= c.value and (c.txid, c.n) not in w.pending_spent]
            if not cs or any(p[0] is u for p in parties):
                continue
            cs = r.sample(cs, min(len(cs), r.randint(1, 4)))
            parties.append((u, cs, None))
            n_in += len(cs)
        if len(parties) < 10:
            w.ww2_queue = regs
            return
        ins = []
        outs = []
        rate = max(2.0, w.feerate * r.uniform(0.5, 1.0))
        owner_outs = []
        # the round's denominations: a subset of the standard list, as clients prefer the
        # denominations others use
        denoms = [d for d in DENOMS if r.random() < 0.45]
        for ent, cs, reg in parties:
            tot = sum(c.value for c in cs)
            cost = int(rate * (sum(IN_VB[c.addr.stype] for c in cs)))
            avail = tot - cost
            mine = []
            k = 0
            while avail >= 5000 + int(rate * 43) and k < 10:
                ocost = int(rate * 43)
                cand = [d for d in denoms if d + ocost <= avail]
                if not cand:
                    break
                i = 0
                while i + 1 < len(cand) and r.random() < 0.35:
                    i += 1
                d = cand[i]
                mine.append(d)
                avail -= d + ocost
                k += 1
            if avail > 5000 + int(rate * 43) and r.random() < 0.5:
                mine.append(avail - int(rate * 43))  # a change output of no standard amount
                avail = int(rate * 43)
            ins.extend(cs)
            addrs = []
            for d in mine:
                to = w.new_addr(ent, stype="p2wpkh" if ent.cat == "thief" else r.choice(["p2wpkh", "p2tr"]))
                addrs.append((to, d))
            outs.extend(addrs)
            owner_outs.append((ent, reg, addrs))
        ins.sort(key=lambda c: -c.value)
        outs.sort(key=lambda x: -x[1])
        txid, coins = w.tx(ins, outs, "wasabi2", seq=0xFFFFFFFF, locktime=0)
        heist = ""
        for hz in w.heists:
            if any(ent is hz["thief"] for ent, _, _ in owner_outs):
                heist = heist or hz["name"]
                record_thief_tx(hz, txid, "wasabi2", ins, coins)
        w.coinjoins.append((txid[::-1].hex(), w.height, "wasabi2", ww2coord.id, len(ins), len(outs), heist))
        bycoin = {c.addr.s + ":%d" % c.value: c for c in coins}
        for ent, reg, addrs in owner_outs:
            mine = [bycoin[a.s + ":%d" % v] for a, v in addrs]
            if reg is not None:
                reg["out"] = mine
                reg["done"] = True
            elif ent.cat == "user" and r.random() < 0.25:
                keep = [c for c in mine if c.value >= 20000]
                if keep:  # an honest remix in one of the next rounds
                    w.ww2_queue.append({"ent": ent, "coins": keep, "done": False})

    # ---- pools and exchanges ----
    def exchange_sweep(ex, to_cold=False):
        deps = [c for c in ex.coins.values() if c.addr.cat == "exchange_deposit" and c.height < w.height]
        if len(deps) < 3:
            return None
        deps = deps[:r.randint(5, 80)]
        dst = ex.cold if to_cold else r.choice(ex.hot)
        fee = w.fee(deps, [dst])
        tot = sum(c.value for c in deps)
        if tot - fee < 10000:
            return None
        return w.tx(deps, [(dst, tot - fee)], "exchange_sweep", seq=0xFFFFFFFF)

    def exchange_withdraw(ex, batch):
        dests = []
        for _ in range(batch):
            u = user()
            v = amount() * r.choice([1, 1, 3, 10])
            dests.append((w.recv(u), v))
        hotcoins = [c for c in ex.coins.values() if c.addr.cat == "exchange" and c.addr is not ex.cold and c.height < w.height]
        if not hotcoins:
            return None
        ins = pick_hot(ex, sum(v for _, v in dests), hotcoins)
        if not ins:
            return None
        return w.pay(ex, dests, "exchange_withdrawal", change_to=r.choice(ex.hot), ins=ins)

    def pick_hot(ex, need, hotcoins):
        need += 50000
        big = [c for c in hotcoins if c.value >= need]
        if big:
            return [min(big, key=lambda c: c.value)] if r.random() < 0.5 else [r.choice(big)]
        hotcoins.sort(key=lambda c: -c.value)
        pick, tot = [], 0
        for c in hotcoins[:30]:
            pick.append(c)
            tot += c.value
            if tot >= need:
                return pick
        return None

    # ---- heists ----
    def new_thief(name):
        t = w.entity("thief %s" % name, "thief", None, 0.0)
        return t

    def record_thief_tx(hz, txid, kind, ins, outs_coins, parent=""):
        """the heist's book-keeping for one thief tx: thief in/out, deposits, fee"""
        t = hz["thief"]
        tin = sum(c.value for c in ins if c.addr.ent is t)
        tout = 0
        dep = 0
        sdep = 0
        for c in outs_coins:
            if c.addr.ent is t:
                tout += c.value
            elif c.addr.cat == "exchange_deposit":
                dep += c.value
                hz["deposits"].append({"outpoint": c.op(), "amount_sat": c.value, "address": c.addr.s,
                                       "exchange": c.addr.ent.name, "height": w.height, "step": kind})
            elif c.addr.cat in ("mixer_pool", "instant_exchange_order", "bridge_vault"):
                sdep += c.value
                hz["service_deposits"].append({"outpoint": c.op(), "amount_sat": c.value, "address": c.addr.s,
                                               "service": c.addr.ent.name, "category": c.addr.cat, "height": w.height, "step": kind})
        fee = tin - tout - dep - sdep if kind != "wasabi2" else tin - tout
        hz["txs"].append([hz["name"], txid[::-1].hex(), w.height, kind, parent, tin, tout, dep, fee, 0, sdep])
        hz["thief_txids"].append(txid[::-1].hex())
        if kind in ("peel_heist",):
            hz["peel_chain_txids"].append(txid[::-1].hex())

    def thief_tx(hz, ins, outs, kind, memo=None, seq=None, rate=None):
        """a tx of the thief alone: outs [(Addr, value)]; the fee is what is left"""
        if seq is None:
            seq = 0xFFFFFFFD if r.random() < 0.5 else 0xFFFFFFFF
        txid, coins = w.tx(ins, outs, kind, memo=memo, seq=seq)
        record_thief_tx(hz, txid, kind, ins, coins, ins[0].txid[::-1].hex())
        return txid, coins

    def split(total, n, lo=0.3):
        ws = [r.uniform(lo, 1.0) for _ in range(n)]
        s = sum(ws)
        vs = [int(total * x / s) for x in ws]
        vs[-1] += total - sum(vs)
        return vs

    def thief_dep(hz, ex):
        """the thief's deposit address at exchange ex (one of a few accounts)"""
        accts = hz["accounts"].setdefault(ex.id, [])
        if not accts or (len(accts) < 3 and r.random() < 0.3):
            a = w.new_addr(ex, "exchange_deposit", str(hz["thief"].id), stype=r.choice(["p2wpkh", "p2sh-p2wpkh"]))
            accts.append(a)
        return r.choice(accts)

    def service_dest(hz, kind):
        if kind == "mixer":
            m = r.choice(mixers)
            return w.new_addr(m, "mixer_pool"), m
        if kind == "instant":
            return w.new_addr(instant, "instant_exchange_order"), instant
        return vault_addr[0], vault

    def peel_chain(hz, coin, depth=0, ends=None):
        """one peel chain of the thief from `coin`: each hop one input, a peel and a remainder"""
        t = hz["thief"]
        hz["chain_no"] += 1
        chain = hz["chain_no"]
        hops = r.randint(5, 9) if depth else r.randint(10, 26)
        c = coin
        cpfp_next = False
        for hop in range(1, hops + 1):
            x = r.random()
            if depth == 0 and hop > 1 and x < 0.12:
                kind = "subchain"
            elif x < 0.20:
                kind = "ww2"
            elif x < 0.30:
                kind = "mixer"
            elif x < 0.40:
                kind = "instant"
            elif x < 0.46:
                kind = "keep"
            else:
                kind = "exchange"
            if kind == "exchange":
                ex = r.choice([e for e in exch if e is not hz["victim"]])
                dest = thief_dep(hz, ex)
            elif kind in ("mixer", "instant"):
                dest, _ = service_dest(hz, kind)
            else:
                dest = w.new_addr(t, stype=r.choice(["p2wpkh", "p2tr"]))
            frac = r.choice([r.uniform(0.005, 0.05), r.uniform(0.05, 0.2), r.uniform(0.2, 0.45)])
            peel = int(c.value * frac)
            if kind == "instant" and peel > 5 * COIN:
                peel = int(r.uniform(0.5, 5) * COIN)
            rem_addr = w.new_addr(t, stype=r.choice(["p2wpkh", "p2wpkh", "p2tr", c.addr.stype if c.addr.stype != "p2pkh" else "p2wpkh"]))
            low = cpfp_next = (r.random() < 0.08) and not cpfp_next
            rate = 1.0 if low else w.feerate * r.uniform(0.8, 3.0)
            fee = w.fee([c], [dest, rem_addr], rate)
            rem = c.value - peel - fee
            if rem <= peel or peel < 20000:
                break
            outs = [(dest, peel), (rem_addr, rem)]
            if r.random() < 0.5:
                outs.reverse()
            seq = 0xFFFFFFFD if r.random() < 0.4 else 0xFFFFFFFF
            if seq == 0xFFFFFFFD and r.random() < 0.3:
                # the first version paid a lower fee and was replaced (not on chain)
                w.rbf.append({"heist": hz["name"], "height": w.height, "replaced_fee_sat": fee // 3, "fee_sat": fee})
            txid, coins = thief_tx(hz, [c], outs, "peel_heist", seq=seq)
            if w.rbf and w.rbf[-1].get("heist") == hz["name"] and "txid" not in w.rbf[-1]:
                w.rbf[-1]["txid"] = txid[::-1].hex()
            pv = 0 if outs[0][0] is dest else 1
            w.peel_rows.append([hz["name"], chain, hop, txid[::-1].hex(), w.height, pv, peel, dest.s,
                                dest.ent.name if dest.cat == "exchange_deposit" else "", 1 - pv, rem])
            pc = coins[pv]
            c = coins[1 - pv]
            if kind == "subchain":
                w.spawn(peel_chain(hz, pc, depth + 1), r.randint(1, 20))
            elif kind == "ww2":
                w.spawn(thief_ww2(hz, [pc], r.randint(0, 2)), r.randint(1, 30))
            if low:
                yield 0  # CPFP: the next hop pays for this one in the same block
            elif r.random() < 0.04:
                yield r.randint(w.wk // 3, w.wk * 3 // 2)  # a pause of days to a week and more
            else:
                yield r.choice([1, 1, 2, 3, 4, 8, 15])
        # the chain's end
        x = r.random()
        if x < 0.35:
            ex = r.choice([e for e in exch if e is not hz["victim"]])
            d = thief_dep(hz, ex)
            fee = w.fee([c], [d])
            thief_tx(hz, [c], [(d, c.value - fee)], "cash_out")
        elif x < 0.6:
            fee = w.fee([c], [vault_addr[0]]) + 80
            txid, coins = thief_tx(hz, [c], [(vault_addr[0], c.value - fee)], "bridge_swap", memo=memo_eth())
            w.bridge.append((txid[::-1].hex(), w.height, "in", "thief"))
        elif x < 0.85:
            w.spawn(thief_ww2(hz, [c], r.randint(1, 2)), r.randint(1, 20))
        # else: left unspent

    def thief_ww2(hz, coins, remixes):
        """register coins in the next Wasabi 2 round(s), remix, then cash out the post-mix coins"""
        t = hz["thief"]
        cur = coins
        for rnd in range(remixes + 1):
            # the thief's own coins are one party each of <= 10 inputs
            regs = []
            for i in range(0, len(cur), 10):
                reg = {"ent": t, "coins": cur[i:i + 10], "done": False}
                w.ww2_queue.append(reg)
                regs.append(reg)
            while not all(g["done"] for g in regs):
                yield 1
                for g in regs:
                    if not g["done"] and g not in w.ww2_queue:
                        w.ww2_queue.append(g)
            cur = [c for g in regs for c in g["out"]]
            yield r.randint(2, max(3, w.wk // 5))
        # post-mix: deposit in groups of 1-3 coins, some weeks later
        r.shuffle(cur)
        i = 0
        while i < len(cur):
            grp = cur[i:i + r.randint(1, 3)]
            i += len(grp)
            x = r.random()
            if x < 0.7:
                ex = r.choice([e for e in exch if e is not hz["victim"]])
                d = thief_dep(hz, ex)
                fee = w.fee(grp, [d])
                if sum(c.value for c in grp) - fee > 5000:
                    thief_tx(hz, grp, [(d, sum(c.value for c in grp) - fee)], "postmix_deposit", seq=0xFFFFFFFF)
            elif x < 0.85:
                fee = w.fee(grp, [vault_addr[0]]) + 80
                if sum(c.value for c in grp) - fee > 5000:
                    txid, _ = thief_tx(hz, grp, [(vault_addr[0], sum(c.value for c in grp) - fee)], "bridge_swap", memo=memo_eth())
                    w.bridge.append((txid[::-1].hex(), w.height, "in", "thief"))
            # else: kept
            yield r.choice([1, 3, 10, 50, 200])

    def heist_proc(hz, style):
        ex = hz["victim"]
        t = hz["thief"]
        hot = sorted([c for c in ex.coins.values() if c.addr.cat == "exchange" and c.height < w.height], key=lambda c: -c.value)
        want = hz["want"]
        ins, tot = [], 0
        for c in hot:
            ins.append(c)
            tot += c.value
            if tot >= want + COIN or len(ins) >= 60:
                break
        amount = min(want, tot - COIN)
        nouts = r.randint(25, 50) if style == "A" else r.randint(2, 4)
        vals = split(amount, nouts)
        outs = [(w.new_addr(t, stype=r.choice(["p2wpkh", "p2sh-p2wpkh", "p2pkh"])), v) for v in vals]
        fee = w.fee(ins, outs + [(ex.hot[0], 0)])
        ch = tot - amount - fee
        outs_all = outs + [(ex.hot[0], ch)]
        txid, coins = w.tx(ins, outs_all, "theft", seq=0xFFFFFFFF)
        hz["amount_sat"] = amount
        hz["theft_txid"] = txid[::-1].hex()
        hz["theft_height"] = w.height
        hz["victim_inputs"] = [c.op() for c in ins]
        stolen = coins[:nouts]
        hz["stolen_outputs"] = [{"outpoint": c.op(), "address": c.addr.s, "value_sat": c.value} for c in stolen]
        hz["txs"].append([hz["name"], txid[::-1].hex(), w.height, "theft", ins[0].txid[::-1].hex(), 0, amount, 0, 0, 0, 0])
        hz["thief_txids"].append(txid[::-1].hex())
        yield r.randint(6, 30)
        if style == "A":
            # consolidate the heist coins in groups, then into one coin
            groups = []
            cs = list(stolen)
            r.shuffle(cs)
            k = r.randint(3, 4)
            for i in range(k):
                grp = cs[i::k]
                to = w.new_addr(t, stype="p2wpkh")
                fee = w.fee(grp, [to])
                seq = 0xFFFFFFFD
                txid, cc = thief_tx(hz, grp, [(to, sum(c.value for c in grp) - fee)], "consolidation", seq=seq)
                if i == 0:
                    w.rbf.append({"heist": hz["name"], "height": w.height, "txid": txid[::-1].hex(),
                                  "replaced_fee_sat": fee // 4, "fee_sat": fee, "note": "consolidation bumped by RBF"})
                groups.append(cc[0])
                yield r.randint(0, 3)
            yield r.randint(3, 12)
            to = w.new_addr(t, stype="p2wpkh")
            fee = w.fee(groups, [to])
            _, cc = thief_tx(hz, groups, [(to, sum(c.value for c in groups) - fee)], "consolidation")
            big = cc[0]
            yield r.randint(w.wk, 2 * w.wk)  # one to two weeks
            n = r.randint(6, 9)
            vals = split(big.value - 3000 * n, n, 0.4)
            outs = [(w.new_addr(t, stype=r.choice(["p2wpkh", "p2tr"])), v) for v in vals]
            fee = w.fee([big], outs)
            outs[-1] = (outs[-1][0], outs[-1][1] + 3000 * n - fee)
            _, heads = thief_tx(hz, [big], outs, "fan_out")
            for hcoin in heads:
                w.spawn(peel_chain(hz, hcoin), r.randint(0, 6))
        else:
            a, b = stolen[0], stolen[1]
            rest = stolen[2:]
            # 1) part of the first coin to the custodial mixers, in several deposits of one tx
            n = r.randint(3, 6)
            mix_part = int(a.value * r.uniform(0.3, 0.5))
            vals = split(mix_part, n)
            outs = []
            for v in vals:
                d, m = service_dest(hz, "mixer")
                outs.append((d, v))
                cash = hz.setdefault("cashout", w.entity("cash-out wallet %s" % hz["name"], "thief", "p2wpkh", 0.0))
                w.spawn(mixer_payout(m, cash, v, "mixer_payout"), r.randint(20, 400))
            rem_addr = w.new_addr(t)
            fee = w.fee([a], outs + [(rem_addr, 0)])
            outs.append((rem_addr, a.value - mix_part - fee))
            _, cc = thief_tx(hz, [a], outs, "mixer_deposit")
            a2 = cc[-1]
            yield r.randint(w.wk // 10, w.wk * 2 // 3)
            # 2) exchange pass-through: deposits at one exchange, which then pays honest withdrawals
            px = r.choice([e for e in exch if e is not ex])
            hz["passthrough_exchange"] = px
            n = r.randint(3, 7)
            part = int(b.value * r.uniform(0.4, 0.7))
            vals = split(part, n)
            outs = [(thief_dep(hz, px), v) for v in vals]
            rem_addr = w.new_addr(t)
            fee = w.fee([b], outs + [(rem_addr, 0)])
            outs.append((rem_addr, b.value - part - fee))
            _, cc = thief_tx(hz, [b], outs, "passthrough_deposit")
            b2 = cc[-1]
            hz["pass_deposits"] = [c.op() for c in cc[:-1]]
            yield r.randint(w.wk, 2 * w.wk)  # a week or two
            # 3) the rest: peel chains and Wasabi 2
            for c in [a2, b2] + rest:
                if r.random() < 0.3:
                    w.spawn(thief_ww2(hz, [c], r.randint(1, 2)), r.randint(0, 50))
                else:
                    w.spawn(peel_chain(hz, c), r.randint(0, 50))

    # ---------------- block loop ----------------
    t0 = 1767225600
    prev = bytes.fromhex(GENESIS_HASH)[::-1]
    # genesis record
    gen_raw = struct.pack("<i", 1) + b"\0" * 32 + dsha(GENESIS_CB) + struct.pack("<III", 1296688602, BITS, 2) + b"\x01" + GENESIS_CB
    assert dsha(gen_raw[:80])[::-1].hex() == GENESIS_HASH
    w.blocks.append((bytes.fromhex(GENESIS_HASH)[::-1], gen_raw, 0))
    w.txkind.append((dsha(GENESIS_CB)[::-1].hex(), 0, "coinbase"))
    stale_heights = set(r.sample(range(150, nb - 20), 4))
    stale = []
    ts = t0
    mtp = [t0] * 11
    heist_at = {}
    names = ["heist-%d-a" % a.seed, "heist-%d-b" % a.seed]
    h_a = 320 + int((nb - 320) * r.uniform(0.05, 0.12))
    h_b = 320 + int((nb - 320) * r.uniform(0.08, 0.16))
    heist_at[h_a] = ("A", names[0])
    heist_at[h_b] = ("B", names[1])
    per_block = 200000.0 * sc / nb
    wk = 1008 if nb >= 3000 else max(20, nb // 25)
    w.wk = wk
    for h in range(1, nb + 1):
        w.height = h
        w.txs_block = []
        w.pending_spent = set()
        # fee market: a drifting lognormal rate with spikes
        w.feerate = max(1.0, math.exp(math.log(w.feerate) * 0.9 + 0.1 * math.log(8) + r.gauss(0, 0.25)))
        if r.random() < 0.01:
            w.feerate *= 4
        busy = r.choice([0.0, 0.3, 0.7, 1.0, 1.0, 1.3, 1.6, 2.2, 3.5]) * (0.1 if h < 100 else 1.0)
        n_target = int(per_block * busy)
        made0 = 0
        if h in heist_at:
            style, name = heist_at[h]
            victim = r.choice(exch[:5])
            t = new_thief(name)
            want = int(r.uniform(300, 1400) * COIN) if style == "A" else int(r.uniform(150, 500) * COIN)
            hz = {"name": name, "style": style, "thief": t, "victim": victim, "want": want, "deposits": [],
                  "service_deposits": [], "txs": [], "thief_txids": [], "peel_chain_txids": [], "chain_no": 0,
                  "accounts": {}, "mules": []}
            w.heists.append(hz)
            w.thief_of[t.id] = hz
            w.spawn(heist_proc(hz, style))
        w.run_events()
        if 100 < h <= 400:
            # distribution: each mature coinbase funds exchanges, services and users
            p = pools[h % len(pools)]
            cs = [c for c in p.coins.values() if c.height <= h - 100]
            if cs:
                c = max(cs, key=lambda c: c.value)
                dests = []
                for _ in range(r.randint(40, 90)):
                    dests.append((w.recv(user()), int(math.exp(r.gauss(math.log(0.15 * COIN), 1.3)))))
                tgt = r.choice(exch + exch + mixers + [instant, vault] + otc + merchants[:3])
                budget = c.value - sum(v for _, v in dests) - 200000
                if budget > COIN:
                    dests.append((r.choice(tgt.hot) if hasattr(tgt, "hot") else
                                  (r.choice(tgt.pool) if hasattr(tgt, "pool") else
                                   (vault_addr[0] if tgt is vault else w.recv(tgt))), budget))
                    w.pay(p, dests, "pool_payout", change_to=pool_addr[p.id], ins=[c])
        if h > 300:
            wave = r.random
            while made0 < n_target:
                x = wave()
                made0 += 1
                if x < 0.42:
                    u = user()
                    dest = w.recv(r.choice(merchants)) if r.random() < 0.4 else w.recv(user())
                    w.pay(u, [(dest, amount())], "payment")
                elif x < 0.52:
                    u = user()
                    w.pay(u, [(w.dep_addr(u, r.choice(exch)), amount() * r.choice([1, 2, 5, 20]))], "deposit")
                elif x < 0.60:
                    exchange_withdraw(r.choice(exch), 1)
                elif x < 0.615:
                    exchange_withdraw(r.choice(exch), r.randint(5, 60))
                elif x < 0.63:
                    exchange_sweep(r.choice(exch), r.random() < 0.1)
                elif x < 0.645:
                    m = r.choice(merchants)
                    cs = w.spendable(m)
                    if len(cs) >= 4:
                        cs = cs[:r.randint(4, 40)]
                        u = r.choice(exch)
                        tot = sum(c.value for c in cs)
                        d = w.dep_addr(m, u)
                        fee = w.fee(cs, [d])
                        if tot - fee > 10000:
                            w.tx(cs, [(d, tot - fee)], "merchant_sweep")
                elif x < 0.65:
                    e = r.choice(employers)
                    dests = [(w.recv(user()), amount() * 20) for _ in range(r.randint(8, 30))]
                    w.pay(e, dests, "payroll")
                elif x < 0.67:
                    # a custodial mixer deposit by an honest user; a payout later to the same user
                    u = user()
                    m = r.choice(mixers)
                    d = w.new_addr(m, "mixer_pool")
                    v = amount() * r.choice([3, 10, 30])
                    if w.pay(u, [(d, v)], "mixer_deposit"):
                        w.spawn(mixer_payout(m, u, v))
                elif x < 0.675:
                    m = r.choice(mixers)
                    deps = [c for c in m.coins.values() if c.addr not in m.pool and c.height < h][:r.randint(5, 40)]
                    if len(deps) >= 3:
                        tot = sum(c.value for c in deps)
                        d = r.choice(m.pool)
                        fee = w.fee(deps, [d])
                        w.tx(deps, [(d, tot - fee)], "mixer_sweep", seq=0xFFFFFFFF)
                elif x < 0.69:
                    u = user()
                    d = w.new_addr(instant, "instant_exchange_order")
                    v = amount() * r.choice([2, 5, 20])
                    w.pay(u, [(d, v)], "instant_order")
                elif x < 0.70:
                    w.spawn(instant_payout(user(), amount() * r.choice([2, 5, 20])))
                elif x < 0.703:
                    deps = [c for c in instant.coins.values() if c.addr.cat == "instant_exchange_order" and c.height < h][:r.randint(5, 50)]
                    if len(deps) >= 3:
                        tot = sum(c.value for c in deps)
                        fee = w.fee(deps, [instant.hot[0]])
                        w.tx(deps, [(instant.hot[0], tot - fee)], "instant_sweep", seq=0xFFFFFFFF)
                elif x < 0.715:
                    u = user()
                    v = amount() * r.choice([3, 10, 40])
                    res = w.pay(u, [(vault_addr[0], v)], "bridge_in", memo=memo_eth())
                    if res:
                        w.bridge.append((res[0][::-1].hex(), h, "in", "honest"))
                elif x < 0.725:
                    w.spawn(vault_out(user(), amount() * r.choice([3, 10, 40])))
                elif x < 0.735:
                    u = user()
                    if w.spendable(u):
                        w.spawn(change_run(u))
                elif x < 0.745:
                    u = user()
                    cs = w.spendable(u)
                    if len(cs) >= 5:
                        to = w.new_addr(u)
                        fee = w.fee(cs[:50], [to], max(1.0, w.feerate / 3))
                        tot = sum(c.value for c in cs[:50])
                        if tot - fee > 10000:
                            w.tx(cs[:50], [(to, tot - fee)], "consolidation", seq=0xFFFFFFFD)
                elif x < 0.755:
                    # CPFP: a low-fee payment and its child in the same block
                    u = user()
                    res = w.pay(u, [(w.recv(user()), amount())], "payment", rate=1.0, seq=0xFFFFFFFD)
                    if res:
                        txid, coins = res
                        mine = [c for c in coins if c.addr.ent is u]
                        if mine:
                            c = mine[0]
                            to = w.new_addr(u)
                            fee = w.fee([c], [to], w.feerate * 4)
                            if c.value - fee > 5000:
                                w.tx([c], [(to, c.value - fee)], "cpfp_child")
                elif x < 0.765:
                    # RBF: a payment whose first version paid less (only the winner is mined)
                    u = user()
                    res = w.pay(u, [(w.recv(user()), amount())], "payment", seq=0xFFFFFFFD)
                    if res:
                        w.rbf.append({"heist": "", "height": h, "txid": res[0][::-1].hex(),
                                      "replaced_fee_sat": 0, "fee_sat": None, "note": "honest fee bump"})
                elif x < 0.768:
                    d = r.choice(otc)
                    if w.spendable(d):
                        w.spawn(otc_peel(d))
                elif x < 0.78:
                    p = r.choice(pools)
                    cs = [c for c in p.coins.values() if c.height <= h - 100]
                    if cs:
                        c = cs[0]
                        dests = [(w.recv(user()), int(c.value * r.uniform(0.002, 0.02))) for _ in range(r.randint(10, 40))]
                        if sum(v for _, v in dests) < c.value - 100000:
                            dests.append((r.choice(r.choice(exch).hot), c.value - sum(v for _, v in dests) - 100000))
                            w.pay(p, dests, "pool_payout", change_to=pool_addr[p.id], ins=[c])
                else:
                    u = user()
                    w.pay(u, [(w.recv(r.choice(merchants + otc)), amount())], "payment")
            if h % 18 == 0 or (len(w.ww2_queue) > 8 and h % 6 == 0):
                ww2_round()
        # coinbase and block
        fees = sum(x[3] for x in w.txs_block)
        p = pools[r.randrange(len(pools))]
        cb_addr = pool_addr[p.id] if r.random() < 0.7 else w.new_addr(p)
        wroot = merkle([b"\0" * 32] + [x[2] for x in w.txs_block])
        commit = dsha(wroot + b"\0" * 32)
        hb = bytes([0x50 + h]) if h <= 16 else push(h.to_bytes((h.bit_length() + 8) // 8, "little"))
        cb_script = hb + push(r.getrandbits(64).to_bytes(8, "big")) + b"/alt3/"
        cb_outs = [(cb_addr, 50 * COIN + fees)]
        cb = (struct.pack("<i", 2) + b"\x00\x01" + b"\x01" + b"\0" * 32 + b"\xff\xff\xff\xff" + varint(len(cb_script)) + cb_script
              + b"\xff\xff\xff\xff" + b"\x02" + struct.pack("<q", 50 * COIN + fees) + varint(len(cb_addr.spk)) + cb_addr.spk
              + struct.pack("<q", 0) + b"\x26\x6a\x24\xaa\x21\xa9\xed" + commit + b"\x01\x20" + b"\0" * 32 + b"\0\0\0\0")
        cb_nw = cb[:4] + cb[6:-(4 + 34)] + b"\0\0\0\0"
        cbid = dsha(cb_nw)
        cb_addr.used = True
        c = Coin(cbid, 0, 50 * COIN + fees, cb_addr, h)
        p.coins[(cbid, 0)] = c
        w.txkind.insert(len(w.txkind) - len(w.txs_block), (cbid[::-1].hex(), h, "coinbase"))
        ts = max(ts + int(r.expovariate(1 / 600.0)), sorted(mtp)[5] + 1)
        mtp = mtp[1:] + [ts]
        root = merkle([cbid] + [x[1] for x in w.txs_block])
        hdr, bh = mine_header(prev, root, ts)
        raw = hdr + varint(1 + len(w.txs_block)) + cb + b"".join(x[0] for x in w.txs_block)
        w.blocks.append((bh, raw, h))
        w.n_tx += 1 + len(w.txs_block)
        if h in stale_heights:
            sc_script = hb + push(r.getrandbits(64).to_bytes(8, "big")) + b"/stale/"
            scb = (struct.pack("<i", 1) + b"\x01" + b"\0" * 32 + b"\xff\xff\xff\xff" + varint(len(sc_script)) + sc_script
                   + b"\xff\xff\xff\xff" + b"\x01" + struct.pack("<q", 50 * COIN) + varint(len(cb_addr.spk)) + cb_addr.spk + b"\0\0\0\0")
            shdr, sbh = mine_header(prev, dsha(scb), ts + r.randint(1, 30))
            stale.append((sbh, shdr + b"\x01" + scb, h))
        prev = bh
        if h % 500 == 0:
            print("height %d, %d txs" % (h, w.n_tx), file=sys.stderr)
    return w, stale


def merkle(hs):
    hs = list(hs)
    while len(hs) > 1:
        if len(hs) % 2:
            hs.append(hs[-1])
        hs = [dsha(hs[i] + hs[i + 1]) for i in range(0, len(hs), 2)]
    return hs[0]


def mine_header(prev, root, ts):
    base = struct.pack("<i", 0x20000000) + prev + root + struct.pack("<II", ts, BITS)
    n = 0
    while True:
        hdr = base + struct.pack("<I", n)
        hh = dsha(hdr)
        if int.from_bytes(hh, "little") <= TARGET:
            return hdr, hh
        n += 1


def write(w, stale, a):
    r = random.Random(a.seed * 7919 + 1)
    out = a.out
    bdir = os.path.join(out, "blocks")
    tdir = os.path.join(out, "truth")
    os.makedirs(bdir, exist_ok=True)
    os.makedirs(tdir, exist_ok=True)
    order = [b for b in w.blocks]
    # ~1 % of blocks written after their child
    swaps = 0
    i = 2
    while i < len(order) - 1:
        if r.random() < 0.01:
            order[i], order[i + 1] = order[i + 1], order[i]
            swaps += 1
            i += 2
        else:
            i += 1
    if swaps == 0:
        order[5], order[6] = order[6], order[5]
        swaps = 1
    # stale siblings right after their main sibling (the first seen stays the best)
    pos = {b[0]: k for k, b in enumerate(order)}
    main_at = {b[2]: b[0] for b in w.blocks}
    for s in sorted(stale, key=lambda s: -s[2]):
        k = pos[main_at[s[2]]]
        order.insert(k + 1, s)
        pos = {b[0]: kk for kk, b in enumerate(order)}
    key = bytes.fromhex(a.xor_key) if a.xor_key else None
    files = []
    cur = bytearray()
    for b in order:
        rec = MAGIC + struct.pack("<I", len(b[1])) + b[1]
        if cur and len(cur) + len(rec) > a.max_file_size:
            files.append(cur)
            cur = bytearray()
        cur += rec
    files.append(cur)
    for k in os.listdir(bdir):
        os.unlink(os.path.join(bdir, k))
    total = 0
    for n, data in enumerate(files):
        if key:
            kk = (key * (len(data) // 8 + 1))[:len(data)]
            data = (int.from_bytes(data, "little") ^ int.from_bytes(kk, "little")).to_bytes(len(data), "little")
            if a.zero_tail and (a.zero_tail_all or n == len(files) - 1):
                data = data + b"\0" * a.zero_tail
        total += len(data)
        with open(os.path.join(bdir, "blk%05d.dat" % n), "wb") as f:
            f.write(data)
    if key:
        with open(os.path.join(bdir, "xor.dat"), "wb") as f:
            f.write(key)
    # ---------------- truth ----------------
    used = []
    for e in w.ents:
        for ad in e.addrs:
            if ad.used:
                used.append(ad)
    with open(os.path.join(tdir, "entities.csv"), "w", newline="") as f:
        cw = csv.writer(f, lineterminator="\n")
        cw.writerow(["entity_id", "name", "category"])
        for e in w.ents:
            cw.writerow([e.id, e.name, e.cat])
    with open(os.path.join(tdir, "addresses.csv"), "w", newline="") as f:
        cw = csv.writer(f, lineterminator="\n")
        cw.writerow(["address", "script_type", "entity_id", "entity_name", "category", "customer_id"])
        for ad in used:
            cw.writerow([ad.s, ad.stype, ad.ent.id, ad.ent.name, ad.cat, ad.cust])
    with open(os.path.join(tdir, "coinjoins.csv"), "w", newline="") as f:
        cw = csv.writer(f, lineterminator="\n")
        cw.writerow(["txid", "height", "kind", "coordinator_id", "n_inputs", "n_outputs", "heist"])
        cw.writerows(w.coinjoins)
    with open(os.path.join(tdir, "tx0s.csv"), "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(["txid", "height", "kind", "pool_sat", "owner_id", "n_inputs", "n_premix", "n_outputs", "heist"])
    with open(os.path.join(tdir, "peel_chains.csv"), "w", newline="") as f:
        cw = csv.writer(f, lineterminator="\n")
        cw.writerow(["heist", "chain", "hop", "txid", "height", "peel_vout", "peel_sat", "peel_address", "exchange", "remainder_vout", "remainder_sat"])
        cw.writerows(w.peel_rows)
    with open(os.path.join(tdir, "change_runs.csv"), "w", newline="") as f:
        cw = csv.writer(f, lineterminator="\n")
        cw.writerow(["run", "hop", "txid", "height"])
        cw.writerows(w.change_runs)
    with open(os.path.join(tdir, "mixer_payouts.csv"), "w", newline="") as f:
        cw = csv.writer(f, lineterminator="\n")
        cw.writerow(["txid", "vout", "address", "recipient_id", "value_sat", "mixer", "height", "attributable_to_depositor"])
        cw.writerows([list(x) + ["no"] for x in w.mixer_payouts])
    with open(os.path.join(tdir, "bridge_swaps.csv"), "w", newline="") as f:
        cw = csv.writer(f, lineterminator="\n")
        cw.writerow(["txid", "height", "direction", "who"])
        cw.writerows(w.bridge)
    with open(os.path.join(tdir, "rbf.csv"), "w", newline="") as f:
        cw = csv.writer(f, lineterminator="\n")
        cw.writerow(["txid", "height", "heist", "fee_sat", "replaced_fee_sat", "note"])
        for x in w.rbf:
            if "txid" in x:
                cw.writerow([x["txid"], x["height"], x["heist"], x["fee_sat"] if x["fee_sat"] is not None else "", x["replaced_fee_sat"], x.get("note", "")])
    # deposits.csv: every output to an exchange deposit address; the heists' own
    stolen_dep = {}
    for hz in w.heists:
        for d in hz["deposits"]:
            stolen_dep[d["outpoint"]] = hz["name"]
    first_owner = {}
    rows = []
    dep_set = set(id(ad) for ad in used if ad.cat == "exchange_deposit")
    # walk the blocks' txs again from raw would be slow; use the tx outputs recorded via coins
    # (every coin ever created is in w.created)
    for (txid, n, v, ad, height, payer) in w.created:
        if id(ad) in dep_set:
            op = "%s:%d" % (txid[::-1].hex(), n)
            rows.append([txid[::-1].hex(), n, height, ad.s, ad.ent.name, payer, v, stolen_dep.get(op, "")])
    with open(os.path.join(tdir, "deposits.csv"), "w", newline="") as f:
        cw = csv.writer(f, lineterminator="\n")
        cw.writerow(["txid", "vout", "height", "address", "exchange", "payer_id", "value_sat", "heist"])
        cw.writerows(rows)
    # thief txs and heists
    with open(os.path.join(tdir, "thief_txs.csv"), "w", newline="") as f:
        cw = csv.writer(f, lineterminator="\n")
        cw.writerow(["heist", "txid", "height", "kind", "parent_txid", "thief_in_sat", "thief_out_sat", "deposit_sat", "fee_sat", "coordinator_fee_sat", "service_deposit_sat"])
        for hz in w.heists:
            cw.writerows(hz["txs"])
    hout = []
    for hz in w.heists:
        t = hz["thief"]
        unspent = [c for c in t.coins.values()]
        dep_by_ex = {}
        dep_by_addr = {}
        for d in hz["deposits"]:
            dep_by_ex[d["exchange"]] = dep_by_ex.get(d["exchange"], 0) + d["amount_sat"]
            dep_by_addr.setdefault(d["address"], {"value_sat": 0})["value_sat"] += d["amount_sat"]
        deposited = sum(d["amount_sat"] for d in hz["deposits"])
        sdep = sum(d["amount_sat"] for d in hz["service_deposits"])
        fees = sum(x[8] for x in hz["txs"])
        uns = sum(c.value for c in unspent)
        ok = hz["amount_sat"] == deposited + sdep + uns + fees
        if not ok:
            raise SystemExit("%s: stolen %d != deposited %d + service %d + unspent %d + fees %d"
                             % (hz["name"], hz["amount_sat"], deposited, sdep, uns, fees))
        cjs = sorted(set(x[0] for x in w.coinjoins if x[6] == hz["name"]))
        hout.append({
            "name": hz["name"], "style": hz["style"], "thief_id": t.id, "thief_entity": t.id, "thief": t.id,
            "victim": hz["victim"].name, "victim_id": hz["victim"].id, "victim_exchange": hz["victim"].name,
            "amount_sat": hz["amount_sat"], "theft_txid": hz["theft_txid"], "theft_height": hz["theft_height"],
            "victim_inputs": hz["victim_inputs"], "stolen_outputs": hz["stolen_outputs"],
            "deposits": hz["deposits"], "deposits_by_address": dep_by_addr, "deposits_by_exchange": dep_by_ex,
            "service_deposits": hz["service_deposits"],
            "unspent": [{"outpoint": c.op(), "value_sat": c.value} for c in unspent],
            "coinjoin_txids": cjs, "peel_chain_txids": hz["peel_chain_txids"], "thief_txids": hz["thief_txids"],
            "cashout_entity": hz["cashout"].id if "cashout" in hz else None,
            "passthrough_exchange": hz["passthrough_exchange"].name if "passthrough_exchange" in hz else None,
            "totals": {"stolen_sat": hz["amount_sat"], "deposited_sat": deposited, "service_deposited_sat": sdep,
                       "unspent_sat": uns, "fees_mining_sat": fees, "fees_coordinator_sat": 0,
                       "lost_to_peers_sat": 0, "identity_holds": ok}})
        # pass-through: the exchange's sweeps of the thief's deposits and the hot wallet's payouts after
        if "pass_deposits" in hz:
            pd = set(hz["pass_deposits"])
            w.passthrough.append({"heist": hz["name"], "exchange": hz["passthrough_exchange"].name,
                                  "thief_deposits": sorted(pd)})
    with open(os.path.join(tdir, "heists.json"), "w") as f:
        json.dump(hout, f, indent=1)
    with open(os.path.join(tdir, "passthrough.json"), "w") as f:
        json.dump(w.passthrough, f, indent=1)
    with open(os.path.join(tdir, "txs.csv"), "w", newline="") as f:
        cw = csv.writer(f, lineterminator="\n")
        cw.writerow(["txid", "height", "kind"])
        cw.writerows(w.txkind)
    best = w.blocks[-1]
    meta = {"format": "chainwatch-gen-truth/1", "generator": "tests/diff/btc_alt3_world.py", "network": "regtest",
            "seed": a.seed, "scale": a.scale, "scenario": "alt3", "economy": "mixed", "txs": w.n_tx,
            "blocks": len(w.blocks), "best_height": best[2], "tip": best[0][::-1].hex(), "files": len(files),
            "blk_bytes": total, "xor_key": a.xor_key or None, "zero_tail_bytes": a.zero_tail if key else 0,
            "zero_tail_all": bool(a.zero_tail_all), "out_of_order_pairs": swaps,
            "stale_blocks": [{"hash": s[0][::-1].hex(), "height": s[2]} for s in stale],
            "addresses": len(used), "entities": len(w.ents), "coinjoins": len(w.coinjoins), "tx0s": 0,
            "deposits": len(rows), "honest_peel_chains": w.honest_chain_no,
            "extra_truth": {"change_runs.csv": "honest users' change runs (one input, a payment and the change, spent again); not in peel_chains.csv",
                            "mixer_payouts.csv": "custodial mixer payouts: never attributable to any depositor",
                            "passthrough.json": "a thief's deposits at an exchange whose hot wallet then pays honest withdrawals (clean)",
                            "bridge_swaps.csv": "THORChain-style vault deposits with an OP_RETURN memo, and its OUT: payouts",
                            "rbf.csv": "txs whose first version (not on chain) paid a lower fee"}}
    with open(os.path.join(tdir, "world.json"), "w") as f:
        json.dump(meta, f, indent=1)
    return meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--blocks", type=int, default=0, help="blocks (default 4000 x scale, at least 700)")
    ap.add_argument("--xor-key", default="")
    ap.add_argument("--zero-tail", type=int, default=0)
    ap.add_argument("--zero-tail-all", action="store_true")
    ap.add_argument("--max-file-size", type=int, default=64 << 20)
    a = ap.parse_args()
    if a.xor_key and len(bytes.fromhex(a.xor_key)) != 8:
        ap.error("--xor-key takes 16 hex digits")
    if not a.blocks:
        a.blocks = max(700, int(4000 * min(1.0, a.scale * 4)))
    w, stale = build(a)
    meta = write(w, stale, a)
    print("wrote %s: %d blocks, %d txs, %d addresses, %d CoinJoins, %d files%s" % (
        a.out, meta["blocks"], meta["txs"], meta["addresses"], meta["coinjoins"], meta["files"],
        ", XOR'd" if a.xor_key else ""))


if __name__ == "__main__":
    main()
