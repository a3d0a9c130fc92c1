#!/usr/bin/python3
"""btc_alt4_world.py: a fourth outside Bitcoin world (issue 11), where the adversary attacks the
watcher. Written from issue 11's text, docs/GEN.md's truth layout and mainnet habits only, before
reading the detectors, src/gen or the other outside generators. Debian's python3, standard library.

  btc_alt4_world.py --out DIR [--seed S] [--scale F] [--xor-key HEX16] [--zero-tail BYTES]
                    [--max-file-size BYTES]

Shapes (each used by honest users too where that is real):
* dusting / poisoning: the thief sends 546-1,500 sat of stolen coin to hundreds of honest users'
  addresses and honest customers' exchange deposit addresses; the recipients stay honest
  (truth/dust.csv), their later spends carry that dust; an honest spammer dusts too;
* the thief buys from an honest merchant (invoices), whose revenue is consolidated at a low fee
  and pays payroll and an exchange cash-out;
* Lightning: 2-of-2 P2WSH funding, cooperative closes, force closes with two 330-sat anchors and a
  CSV-delayed to_local swept later; the thief opens channels and closes them to fresh addresses;
* JoinMarket with 5-14 makers (maker changes, some maker inputs from P2WSH bond-like scripts);
  Whirlpool Tx0s and 5x5 mixes where the thief's remix input is not the largest; Wasabi 2 rounds
  of 300+ inputs; Taproot key-path spends;
* peel chains whose hops pay 1-3 peels at once, chains that keep one reused address, a thief who
  waits two months; exchanges' batched withdrawals; honest consolidations at 1 sat/vB.
Blocks: a Bitcoin Core blocks directory (regtest PoW, BIP34, witness commitments, stale blocks,
blocks after their successor), optionally XOR'd (xor.dat) with a raw zero tail in the last file.
Truth: docs/GEN.md's layout; the thief's payments to honest parties (dust, merchant invoices, a
channel peer's share) are `honest_payments` in heists.json (totals.honest_paid_sat): stolen value
given to an honest party ends there, its recipient stays clean.
"""
import argparse
import hashlib
import json
import math
import os
import random
import struct

COIN = 100000000
DUST_MIN = 546


def sha256(b):
    return hashlib.sha256(b).digest()


def dsha(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


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
    if n < 0x100:
        return b"\x4c" + bytes([n]) + b
    return b"\x4d" + struct.pack("<H", n) + b


# ---- address encodings -----------------------------------------------------------------
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


def segwit_addr(hrp, ver, prog):
    acc, bits, data = 0, 0, [ver]
    for b in prog:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    const = 1 if ver == 0 else 0x2BC830A3
    exp = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = _polymod(exp + data + [0] * 6) ^ const
    return hrp + "1" + "".join(BECH[d] for d in data + [(pm >> 5 * (5 - i)) & 31 for i in range(6)])


# ---- the regtest genesis block ---------------------------------------------------------
GENESIS_CB = bytes.fromhex(
    "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d"
    "0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66"
    "207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe55"
    "48271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba"
    "0b8d578a4c702b6bf11d5fac00000000")
REGTEST_GENESIS = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
BITS = 0x207FFFFF
TARGET = 0x7FFFFF << (8 * (0x20 - 3))


def genesis_block():
    merkle = dsha(GENESIS_CB)
    hdr = struct.pack("<i", 1) + b"\0" * 32 + merkle + struct.pack("<III", 1296688602, BITS, 2)
    blk = hdr + varint(1) + GENESIS_CB
    h = dsha(hdr)
    assert h[::-1].hex() == REGTEST_GENESIS, "regtest genesis hash"
    return h, blk


def merkle_root(hashes):
    hs = list(hashes)
    while len(hs) > 1:
        if len(hs) % 2:
            hs.append(hs[-1])
        hs = [dsha(hs[i] + hs[i + 1]) for i in range(0, len(hs), 2)]
    return hs[0]


# ---- the world -------------------------------------------------------------------------
class Entity:
    def __init__(self, eid, name, cat, stype="p2wpkh", reuse=False):
        self.id = eid
        self.name = name
        self.cat = cat
        self.stype = stype
        self.reuse = reuse
        self.coins = []          # [txid, n, value, aid]
        self.addrs = []
        self.deposit = {}        # exchange id -> deposit aid (customers)
        self.fixed = None        # a reused address
        self.kind = ""
        self.dep = []            # an exchange's unswept deposit coins
        self.fav = None


class World:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed * 7919 + 11)
        self.salt = sha256(b"alt4-%d" % a.seed)
        self.ents = []
        self.addr = []           # aid -> [str, stype, spk, ent, cat, customer, wscript]
        self.addr_ix = {}
        self.utxo = {}           # (txid, n) -> (value, aid, coinbase_height or -1)
        self.block_txs = []      # txs of the block being built: (raw, txid, wtxid, has_wit)
        self.height = 0
        self.txs_total = 0
        self.events = {}         # height -> [callables]
        self.feerate = 5.0
        # truth
        self.coinjoins = []
        self.tx0s = []
        self.peel = []
        self.deposits = []
        self.thief_txs = []
        self.dust_rows = []
        self.channels = []
        self.n_inputs = 0
        self.block_fees = 0
        self.used = set()
        self.bond = set()        # P2WSH bond-like maker scripts the maker's wallet spends
        self.n_outputs = 0

    # -- entities and addresses --
    def entity(self, name, cat, stype="p2wpkh", reuse=False):
        e = Entity(len(self.ents) + 1, name, cat, stype, reuse)
        self.ents.append(e)
        return e

    def new_addr(self, ent, stype=None, cat=None, customer="", wscript=None):
        stype = stype or ent.stype
        aid = len(self.addr)
        h = sha256(self.salt + struct.pack("<I", aid))
        if stype == "p2pkh":
            spk = b"\x76\xa9\x14" + h[:20] + b"\x88\xac"
            s = b58check(b"\x6f" + h[:20])
        elif stype == "p2sh":
            spk = b"\xa9\x14" + h[:20] + b"\x87"
            s = b58check(b"\xc4" + h[:20])
        elif stype == "p2wpkh":
            spk = b"\x00\x14" + h[:20]
            s = segwit_addr("bcrt", 0, h[:20])
        elif stype == "p2tr":
            spk = b"\x51\x20" + h
            s = segwit_addr("bcrt", 1, h)
        elif stype == "p2wsh":
            if wscript is None:   # a 2-of-2 multisig (channel funding, bond-like maker scripts)
                k1, k2 = b"\x02" + h, b"\x03" + sha256(h)
                wscript = b"\x52" + push(k1) + push(k2) + b"\x52\xae"
            prog = sha256(wscript)
            spk = b"\x00\x20" + prog
            s = segwit_addr("bcrt", 0, prog)
        else:
            raise ValueError(stype)
        self.addr.append([s, stype, spk, ent, cat or ent.cat, customer, wscript])
        ent.addrs.append(aid)
        return aid

    def recv_addr(self, ent):
        """an address ent gives out: its reused one or a fresh one"""
        if ent.reuse:
            if ent.fixed is None:
                ent.fixed = self.new_addr(ent)
            return ent.fixed
        return self.new_addr(ent)

    def change_addr(self, ent):
        if ent.reuse and ent.fixed is not None:
            return ent.fixed
        return self.new_addr(ent)

    # -- transactions --
    def in_parts(self, aid):
        """scriptSig and witness for spending aid's output (fake signatures, real shapes)"""
        stype = self.addr[aid][1]
        key = b"\x02" + sha256(self.salt + b"k" + struct.pack("<I", aid))
        sig = b"\x30\x45" + sha256(key)[:30] * 2 + b"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
        sig = sig[:72]
        if stype == "p2pkh":
            return push(sig) + push(key), None
        if stype == "p2sh":
            return push(b"\x00\x14" + self.addr[aid][2][2:22]), [sig, key]
        if stype == "p2wpkh":
            return b"", [sig, key]
        if stype == "p2tr":
            return b"", [sha256(sig) + sha256(key)]          # key path: one 64-byte signature
        ws = self.addr[aid][6]
        if ws[:1] == b"\x52":
            return b"", [b"", sig, sig[:71], ws]
        if ws[:1] == b"\x63":                                   # CSV-delayed to_local
            return b"", [sig, b"", ws]
        return b"", [sig, ws]                                   # anchor

    def build(self, ins, outs, feerate=None, change=None, locktime=0, seq=None, version=2):
        """ins: [(txid, n, value, aid)]; outs: [(aid | bytes OP_RETURN spk, value)]; change: aid
        gets inputs - outputs - fee (dropped when below dust). Returns (txid, [values])."""
        fr = self.feerate if feerate is None else feerate
        vin = sum(i[2] for i in ins)
        parts = [self.in_parts(i[3]) for i in ins]
        seg = any(p[1] is not None for p in parts)
        if seq is None:
            seq = 0xFFFFFFFD
        spks = [(o[0] if isinstance(o[0], bytes) else self.addr[o[0]][2]) for o in outs]
        if change is not None:
            spks.append(self.addr[change][2])
        base = 4 + len(varint(len(ins))) + sum(36 + len(varint(len(p[0]))) + len(p[0]) + 4 for p in parts) \
            + len(varint(len(spks))) + sum(8 + len(varint(len(s))) + len(s) for s in spks) + 4
        wit = 0
        if seg:
            wit = 2
            for p in parts:
                w = p[1] or []
                wit += len(varint(len(w))) + sum(len(varint(len(x))) + len(x) for x in w)
        vsize = (base * 4 + wit + 3) // 4
        fee = int(fr * vsize)
        vals = [o[1] for o in outs]
        if change is not None:
            c = vin - sum(vals) - fee
            if c >= DUST_MIN:
                vals.append(c)
            else:
                spks.pop()
                change = None
        assert vals and all(v >= 0 for v in vals) and sum(vals) <= vin, "overspend"
        self.last_nin = len(ins)
        self.block_fees += vin - sum(vals)
        tx = [struct.pack("<i", version), varint(len(ins))]
        for i, p in zip(ins, parts):
            s = seq if not isinstance(seq, list) else seq[ins.index(i)]
            tx.append(i[0] + struct.pack("<I", i[1]) + varint(len(p[0])) + p[0] + struct.pack("<I", s))
        tx.append(varint(len(spks)))
        for v, s in zip(vals, spks):
            tx.append(struct.pack("<q", v) + varint(len(s)) + s)
        body = b"".join(tx[1:])
        lt = struct.pack("<I", locktime)
        stripped = tx[0] + body + lt
        txid = dsha(stripped)
        if seg:
            w = []
            for p in parts:
                ws = p[1] or []
                w.append(varint(len(ws)) + b"".join(varint(len(x)) + x for x in ws))
            raw = tx[0] + b"\x00\x01" + body + b"".join(w) + lt
            wtxid = dsha(raw)
        else:
            raw, wtxid = stripped, txid
        for i in ins:
            del self.utxo[(i[0], i[1])]
        out_aids = [(o[0] if not isinstance(o[0], bytes) else None) for o in outs]
        if change is not None:
            out_aids.append(change)
        for n, (v, aid) in enumerate(zip(vals, out_aids)):
            if aid is None:
                continue
            self.used.add(aid)
            self.utxo[(txid, n)] = (v, aid, -1)
            if self.addr[aid][4] == "exchange_deposit":
                self.deposits.append((txid, n, self.height, aid, v, ins[0][3]))
        self.block_txs.append((raw, txid, wtxid, seg))
        self.n_inputs += len(ins)
        self.n_outputs += len(vals)
        return txid, vals, out_aids

    def credit(self, txid, vals, aids, skip=()):
        """hands each output to its address's owner's wallet (not the thief's: it steers by hand)"""
        for n, (v, aid) in enumerate(zip(vals, aids)):
            if aid is None or aid in skip:
                continue
            e = self.addr[aid][3]
            if e.cat == "thief" or e.kind == "manual" or self.addr[aid][1] == "p2wsh" and aid not in self.bond:
                continue
            (e.dep if self.addr[aid][4] == "exchange_deposit" else e.coins).append([txid, n, v, aid])

    def pick(self, ent, amount, maxn=6):
        """coins of ent covering amount (+ a fee margin); largest first among a random few"""
        if not ent.coins:
            return None
        coins = ent.coins
        rng = self.rng
        chosen = []
        tot = 0
        order = sorted(range(len(coins)), key=lambda i: -coins[i][2]) if len(coins) > 8 else list(range(len(coins)))
        if len(coins) <= 8:
            rng.shuffle(order)
        for i in order:
            chosen.append(i)
            tot += coins[i][2]
            if tot >= amount + 20000 or len(chosen) >= maxn:
                break
        if tot < amount + 20000:
            return None
        out = [coins[i] for i in chosen]
        for i in sorted(chosen, reverse=True):
            coins[i] = coins[-1]
            coins.pop()
        return [tuple(c) for c in out]

    def pay(self, ent, outs, feerate=None, maxn=6, change=None):
        need = sum(v for _, v in outs)
        fr = self.feerate if feerate is None else feerate
        ins = self.pick(ent, need + 5000 + int(fr * (148 * maxn + 43 * len(outs) + 60)), maxn)
        if ins is None:
            return None
        ch = change if change is not None else self.change_addr(ent)
        try:
            txid, vals, aids = self.build(ins, outs, feerate, change=ch)
        except AssertionError:
            ent.coins.extend(list(c) for c in ins)
            return None
        self.credit(txid, vals, aids)
        return txid, vals, aids

    def amount(self, median_btc, sigma=1.2):
        v = int(median_btc * COIN * math.exp(self.rng.gauss(0, sigma)))
        if self.rng.random() < 0.25:      # round amounts
            mag = 10 ** max(4, int(math.log10(max(v, 10))) - 1)
            v = max(mag, v // mag * mag)
        return max(v, 10000)


# ---- Lightning scripts -------------------------------------------------------------------
def key_of(w, tag):
    w.kc = getattr(w, "kc", 0) + 1
    return b"\x02" + sha256(w.salt + tag + struct.pack("<I", w.kc))


def to_local_script(w, delay):
    d = struct.pack("<H", delay)
    return b"\x63" + push(key_of(w, b"rev")) + b"\x67" + push(d) + b"\xb2\x75" + push(key_of(w, b"del")) + b"\x68\xac"


def to_remote_script(w):
    return push(key_of(w, b"rem")) + b"\xad\x51\xb2"


def anchor_script(w):
    return push(key_of(w, b"anc")) + b"\xac\x73\x64\x60\xb2\x68"


def bond_script(w):
    return push(struct.pack("<I", 1900000000 + w.rng.randrange(10 ** 7))) + b"\xb1\x75" + push(key_of(w, b"bond")) + b"\xac"


WP_POOLS = [1000000, 5000000, 50000000]


def std_denoms():
    d = set()
    for e in range(3, 10):
        for m in (1, 2, 5):
            d.add(m * 10 ** e)
    x = 1
    while x < 10 ** 10:
        if x >= 5000:
            d.add(x)
        x *= 2
    x = 1
    while x < 10 ** 10:
        if x >= 5000:
            d.add(x)
            if 2 * x < 10 ** 10:
                d.add(2 * x)
        x *= 3
    return sorted(d)


DENOMS = std_denoms()


class Heist:
    def __init__(self, w, name, thief, victim):
        self.w, self.name, self.thief, self.victim = w, name, thief, victim
        self.coins = []                  # thief coins (txid, n, value, aid)
        self.deposits = []
        self.honest = []                 # {outpoint, address, value_sat, kind, owner}
        self.fees_coord = 0
        self.fees_mining = 0
        self.txids = []
        self.cj_txids = []
        self.peel_txids = []
        self.accounts = {}               # exchange id -> the thief's deposit aid
        self.to_mix = []
        self.amount = 0
        self.stolen = []
        self.theft_txid = None
        self.theft_height = 0
        self.victim_inputs = []

    def addr(self, stype=None):
        return self.w.new_addr(self.thief, stype or self.w.rng.choice(["p2wpkh", "p2wpkh", "p2tr"]))

    def account(self, ex):
        if ex.id not in self.accounts:
            self.accounts[ex.id] = self.w.new_addr(ex, "p2wpkh", "exchange_deposit", self.thief.id)
        return self.accounts[ex.id]

    def spend(self, ins, outs, kind, change=None, honest=(), feerate=None, cj=False, seq=None, locktime=0,
              version=2):
        """a thief tx: ins are thief coins; outs [(aid|spk, value)]; honest: indexes of outs paid
        to honest parties (their value given away); returns the thief's new coins"""
        w = self.w
        txid, vals, aids = w.build(ins, outs, feerate, change=change, seq=seq, locktime=locktime, version=version)
        w.credit(txid, vals, aids)
        new = []
        tin = sum(i[2] for i in ins)
        tout = 0
        for n, (v, aid) in enumerate(zip(vals, aids)):
            if aid is None:
                continue
            a = w.addr[aid]
            if a[3] is self.thief:
                c = (txid, n, v, aid)
                new.append(c)
                tout += v
            elif n in honest:
                self.honest.append({"outpoint": "%s:%d" % (txid[::-1].hex(), n), "address": a[0], "value_sat": v,
                                    "kind": kind, "owner": a[3].id})
                tout += v
                if a[4] == "exchange_deposit":
                    w.dust_rows.append((self.name, txid, n, a[0], v, a[5], "exchange_deposit"))
                elif kind == "dust":
                    w.dust_rows.append((self.name, txid, n, a[0], v, a[3].id, a[4]))
            elif a[4] == "exchange_deposit" and not cj:
                self.deposits.append({"outpoint": "%s:%d" % (txid[::-1].hex(), n), "value_sat": v, "address": a[0],
                                      "exchange": a[3].name, "height": w.height, "step": kind, "via": []})
                tout += v
            elif a[4] == "coinjoin_coordinator" and not cj:
                self.fees_coord += v
                tout += v
            elif not cj:
                raise AssertionError("thief pays %s" % a[4])
        if cj:
            self.cj_txids.append(txid)
        self.fees_mining += tin - tout
        self.txids.append(txid)
        w.thief_txs.append((self.name, txid, w.height, kind, tin, sum(c[2] for c in new)))
        for c in new:
            self.coins.append(c)
        return new, txid

    def take(self, c):
        self.coins.remove(c)
        return c


def run(w):
    a = w.a
    rng = w.rng
    sc = a.scale
    NB = max(400, int(13000 * sc))
    w.NB = NB
    E = w.entity
    pools = [E("pool-%s" % c, "miner", rng.choice(["p2wpkh", "p2pkh"]), True) for c in "ABCD"]
    exch = [E(n, "exchange", "p2wpkh", False) for n in
            ("Kraken-like", "Binance-like", "Coinbase-like", "Bitstamp-like", "OKX-like", "Bitfinex-like")]
    for ex in exch:
        ex.fixed = None
        ex.hot = [w.new_addr(ex) for _ in range(3)]
    nu = max(400, int(26000 * sc))
    users = []
    for i in range(nu):
        st = rng.choices(["p2wpkh", "p2sh", "p2pkh", "p2tr"], [50, 15, 12, 23])[0]
        u = E("user-%d" % (i + 1), "user", st, rng.random() < 0.25)
        u.fav = rng.choice(exch)
        users.append(u)
    makers = users[:max(30, nu // 200)]
    for m in makers:
        m.kind = "maker"
        m.stype = "p2wpkh"
    ln_nodes = users[len(makers):len(makers) + max(20, nu // 300)]
    merchants = [E("merchant-%d" % (i + 1), "merchant", "p2wpkh") for i in range(8)]
    for m in merchants:
        m.staff = rng.sample(users, rng.randint(5, 30))
        m.fav = rng.choice(exch)
        m.salary = [w.amount(0.03, 0.3) for _ in m.staff]
    otc = [E("otc-desk-%d" % (i + 1), "service", "p2wpkh") for i in range(2)]
    spammer = E("dust-spammer", "service", "p2pkh", True)
    wp_coord = E("whirlpool-coordinator", "coinjoin_coordinator", "p2wpkh", True)
    ww2_coord = E("wasabi2-coordinator", "coinjoin_coordinator", "p2wpkh", True)
    wp_fee_addr = {p: w.new_addr(wp_coord) for p in WP_POOLS}
    wp_queue = {p: {"pre": [], "re": []} for p in WP_POOLS}   # (coin, owner entity)
    funds = [u for u in users]

    def dep_addr(u, ex=None):
        ex = ex or u.fav
        if ex.id not in u.deposit:
            u.deposit[ex.id] = w.new_addr(ex, "p2wpkh", "exchange_deposit", u.id)
        return u.deposit[ex.id]

    def sched(h, f):
        w.events.setdefault(h, []).append(f)

    # ---- honest activities ----
    def pool_payout():
        p = rng.choice(pools)
        mature = [c for c in p.cb if c[4] <= w.height - 100]
        if not mature:
            return
        c = mature[0]
        p.cb.remove(c)
        outs = []
        left = c[2] - 2000000
        for m in rng.sample(makers, 2):
            v = rng.randint(2, 10) * COIN
            if v < left // 2:
                outs.append((w.recv_addr(m), v))
                left -= v
        for ex in rng.sample(exch, 2):
            v = left * rng.randint(20, 35) // 100
            outs.append((rng.choice(ex.hot), v))
            left -= v
        k = rng.randint(20, 60)
        for u in rng.sample(funds, k):
            v = left // k
            outs.append((w.recv_addr(u), v))
        txid, vals, aids = w.build([c[:4]], outs, change=p.fixed)
        w.credit(txid, vals, aids)

    def user():
        return rng.choice(users)

    def rich_user(minv):
        for _ in range(20):
            u = rng.choice(users)
            if sum(c[2] for c in u.coins) > minv:
                return u
        return None

    def p2p():
        u = rich_user(100000)
        if u:
            v = min(w.amount(0.01), sum(c[2] for c in u.coins) // 2)
            w.pay(u, [(w.recv_addr(user()), v)])

    def deposit():
        u = rich_user(200000)
        if not u:
            return
        if rng.random() < 0.4 and len(u.coins) <= 4:      # send everything
            ins = [tuple(c) for c in u.coins]
            u.coins.clear()
            txid, vals, aids = w.build(ins, [], change=dep_addr(u))
            w.credit(txid, vals, aids)
        else:
            v = min(w.amount(0.05), sum(c[2] for c in u.coins) * 2 // 3)
            w.pay(u, [(dep_addr(u), v)])

    def withdraw_batch():
        ex = rng.choice(exch)
        k = rng.randint(8, 90)
        outs = [(w.recv_addr(u), w.amount(0.03)) for u in rng.sample(users, k)]
        w.pay(ex, outs, maxn=8, change=rng.choice(ex.hot))

    def withdraw_one():
        ex = rng.choice(exch)
        w.pay(ex, [(w.recv_addr(user()), w.amount(0.08))], maxn=3, change=rng.choice(ex.hot))

    def sweep():
        ex = rng.choice(exch)
        if len(ex.dep) < 15:
            return
        k = min(len(ex.dep), rng.randint(15, 150))
        ins = [tuple(c) for c in ex.dep[:k]]
        del ex.dep[:k]
        txid, vals, aids = w.build(ins, [], feerate=max(1.0, w.feerate / 3), change=rng.choice(ex.hot))
        w.credit(txid, vals, aids)

    def sale():
        u = rich_user(100000)
        if u:
            m = rng.choice(merchants)
            v = min(w.amount(0.004, 1.0), sum(c[2] for c in u.coins) // 2)
            w.pay(u, [(w.new_addr(m), v)])

    def consolidate_merchant(m=None):
        m = m or rng.choice(merchants)
        if len(m.coins) < 10:
            return
        ins = [tuple(c) for c in m.coins[:200]]
        del m.coins[:200]
        txid, vals, aids = w.build(ins, [], feerate=1.0, change=w.new_addr(m))
        w.credit(txid, vals, aids)

    def payroll(m=None):
        m = m or rng.choice(merchants)
        w.pay(m, [(w.recv_addr(u), s) for u, s in zip(m.staff, m.salary)], maxn=10)

    def cashout(m=None):
        m = m or rng.choice(merchants)
        bal = sum(c[2] for c in m.coins)
        if bal > 2000000:
            w.pay(m, [(dep_addr(m), bal // 2)], maxn=10)

    def consolidate_user():
        for _ in range(10):
            u = user()
            if len(u.coins) >= 5:
                ins = [tuple(c) for c in u.coins]
                u.coins.clear()
                txid, vals, aids = w.build(ins, [], feerate=1.0, change=w.change_addr(u))
                w.credit(txid, vals, aids)
                return

    def ln_open(opener=None, ins=None, heist=None, value=None):
        if opener is None:
            opener = rich_user(2000000)
            if not opener:
                return
        peer = rng.choice(ln_nodes)
        if heist is None:
            v = min(w.amount(0.05, 0.8), sum(c[2] for c in opener.coins) * 3 // 4)
            if v < 1000000:
                return
            fund = w.new_addr(opener, "p2wsh")
            r = w.pay(opener, [(fund, v)])
            if not r:
                return
            txid = r[0]
        else:
            fund = w.new_addr(opener, "p2wsh")
            new, txid = heist.spend(ins, [(fund, value)], "ln_open", change=heist.addr())
            heist.coins.remove(next(c for c in new if c[3] == fund))
        ch = {"fund": (txid, 0, w.utxo[(txid, 0)][0], fund), "opener": opener, "peer": peer, "heist": heist}
        sched(w.height + rng.randint(30, max(40, NB // 8)), lambda: ln_close(ch))

    def ln_close(ch):
        f = ch["fund"]
        op, peer, h = ch["opener"], ch["peer"], ch["heist"]
        share = f[2] * rng.randint(1, 30) // 100
        if rng.random() < 0.6:           # cooperative: one output each
            pa = w.recv_addr(peer)
            if h is None:
                txid, vals, aids = w.build([f], [(pa, share)], change=w.new_addr(op, "p2wpkh"), seq=0xFFFFFFFF)
                w.credit(txid, vals, aids)
            else:
                new, _ = h.spend([f], [(pa, share)], "ln_coop_close", change=h.addr("p2wpkh"), honest=(0,), seq=0xFFFFFFFF)
                sched(w.height + rng.randint(3, 40), lambda: deposit_now(h, [c for c in new if c in h.coins]))
            return
        # force close: to_remote (1-block CSV), two anchors, to_local (CSV-delayed), the commitment's
        # obscured locktime and sequence
        tl = w.new_addr(op, "p2wsh", wscript=to_local_script(w, 144))
        tr = w.new_addr(peer, "p2wsh", wscript=to_remote_script(w))
        a1 = w.new_addr(op, "p2wsh", wscript=anchor_script(w))
        a2 = w.new_addr(peer, "p2wsh", wscript=anchor_script(w))
        outs = [(tr, share), (a1, 330), (a2, 330)]
        lt = 0x20000000 | rng.randrange(1 << 24)
        sq = 0x80000000 | rng.randrange(1 << 24)
        if h is None:
            txid, vals, aids = w.build([f], outs, change=tl, seq=sq, locktime=lt)
        else:
            new, txid = h.spend([f], outs, "ln_force_close", change=tl, honest=(0, 2), seq=sq, locktime=lt)
            for c in new:
                if c[3] == tl:
                    h.coins.remove(c)
        tlc = (txid, 3, w.utxo[(txid, 3)][0], tl)
        trc = (txid, 0, share, tr)

        def sweep_remote():
            if trc[2] < 200000:
                return
            t2, v2, a2_ = w.build([trc], [], change=w.recv_addr(peer), seq=1)
            w.credit(t2, v2, a2_)

        def sweep_local():
            if h is None:
                t2, v2, a2_ = w.build([tlc], [], change=w.new_addr(op, "p2wpkh"), seq=144)
                w.credit(t2, v2, a2_)
            else:
                new, _ = h.spend([tlc], [], "ln_sweep_to_local", change=h.addr(), seq=144)
                sched(w.height + rng.randint(3, 40), lambda: deposit_now(h, [c for c in new if c in h.coins]))

        sched(w.height + rng.randint(1, 20), sweep_remote)
        sched(w.height + 144 + rng.randint(0, 200), sweep_local)

    def tx0(owner=None, ins=None, heist=None, pool=None):
        pool = pool or rng.choice(WP_POOLS)
        if owner is None:
            owner = rich_user(pool * 3)
            if not owner:
                return
            nmax = min(70, (sum(c[2] for c in owner.coins) - pool // 20 - 100000) // (pool + 20000))
            if nmax < 1:
                return
            n = rng.randint(1, min(nmax, 8))
        else:
            n = min(70, (sum(c[2] for c in ins) - pool // 20 - 100000) // (pool + 20000))
        slack = rng.randint(300, 3000) if heist is None else rng.randint(150, 400)
        opret = b"\x6a\x2c" + (sha256(w.salt + struct.pack("<I", w.n_outputs)) * 2)[:44]
        outs = [(wp_fee_addr[pool], pool // 20), (opret, 0)]
        pre = [w.new_addr(owner, "p2wpkh") for _ in range(n)]
        outs += [(p, pool + slack) for p in pre]
        if heist is None:
            r = w.pay(owner, outs, maxn=10, change=w.new_addr(owner))
            if not r:
                return
            txid, vals, aids = r
            for p in pre:
                owner.coins.remove(next(c for c in owner.coins if c[3] == p))
        else:
            new, txid = heist.spend(ins, outs, "tx0", change=heist.addr("p2wpkh"))
            for p in pre:
                heist.coins.remove(next(c for c in new if c[3] == p))
        for k, p in enumerate(pre):
            wp_queue[pool]["pre"].append(((txid, 2 + k, pool + slack, p), owner, heist))
        nout = len(outs) + (1 if (txid, len(outs)) in w.utxo else 0)
        w.tx0s.append((txid, w.height, pool, owner.id, w.last_nin, n, nout, heist.name if heist else ""))

    def mix(pool):
        q = wp_queue[pool]
        if len(q["pre"]) < 2 or len(q["pre"]) + len(q["re"]) < 5:
            return False
        chosen, owners = [], set()
        for src, want in (("pre", rng.randint(2, 3)), ("re", 5), ("pre", 5)):
            lst = q[src]
            i = 0
            while i < len(lst) and len(chosen) < 5 and sum(1 for c in chosen if c[3] == src) < want:
                coin, own, h = lst[i]
                if own.id not in owners:
                    owners.add(own.id)
                    chosen.append((coin, own, h, src))
                    lst.pop(i)
                else:
                    i += 1
        if len(chosen) < 5 or sum(1 for c in chosen if c[3] == "pre") < 1:
            for coin, own, h, src in chosen:
                q[src].insert(0, (coin, own, h))
            return False
        rng.shuffle(chosen)
        ins = [c[0] for c in chosen]
        outs = []
        for coin, own, h, src in chosen:
            outs.append(((h.addr("p2wpkh") if h else w.new_addr(own, "p2wpkh")), pool))
        txid, vals, aids = w.build(ins, outs)
        hs = {}
        for n, (coin, own, h, src) in enumerate(chosen):
            c = (txid, n, pool, aids[n])
            if h:
                h.fees_mining += coin[2] - pool
                hs[h.name] = h
                if rng.random() < 0.5:
                    q["re"].append((c, own, h))
                else:
                    h.coins.append(c)
                    h.postmix.append(c)
            elif rng.random() < 0.5:
                q["re"].append((c, own, None))
            else:
                own.coins.append(list(c))
        for h in hs.values():
            h.cj_txids.append(txid)
            h.txids.append(txid)
            w.thief_txs.append((h.name, txid, w.height, "whirlpool", 0, 0))
        w.coinjoins.append((txid, w.height, "whirlpool", wp_coord.id, 5, 5, ",".join(sorted(hs))))
        return True

    def wasabi2(thief_parts=()):
        """one round: 300+ inputs; thief_parts: [(heist, coins)]"""
        parts = []
        target = rng.randint(300, 420)
        nin = sum(len(c) for _, c in thief_parts)
        tries = 0
        while nin < target and tries < 5000:
            tries += 1
            u = user()
            if u in [p[0] for p in parts] or not u.coins:
                continue
            cs = [c for c in u.coins if c[2] >= 60000][:rng.randint(1, 4)]
            if not cs:
                continue
            for c in cs:
                u.coins.remove(c)
            parts.append((u, [tuple(c) for c in cs], None))
            nin += len(cs)
        for h, cs in thief_parts:
            parts.append((h.thief, cs, h))
        if len(parts) < 5:
            for u, cs, h in parts:
                if h is None:
                    u.coins.extend(list(c) for c in cs)
            return
        fr = max(1.0, w.feerate / 2)
        paid_coord = rng.random() < 0.3
        subset = [d for d in DENOMS if rng.random() < 0.9]
        ins_all, outs_all, plan = [], [], []
        coord_fee = 0
        for u, cs, h in parts:
            tot = sum(c[2] for c in cs)
            fee = int(fr * 68 * len(cs))
            cf = tot * 3 // 1000 if paid_coord and tot > 1000000 else 0
            left = tot - fee - cf
            coord_fee += cf
            outs = []
            kmax = min(8, len(cs) + rng.randint(0, 2))     # about as many outputs as inputs
            for d in reversed(subset):
                while left >= d + int(fr * 43) and len(outs) < kmax:
                    outs.append(d)
                    left -= d + int(fr * 43)
                if len(outs) >= kmax:
                    break
            if left > 10000:
                outs.append(left - int(fr * 43))
            for c in cs:
                ins_all.append((c, u, h))
            for v in outs:
                aid = h.addr() if h else w.new_addr(u, rng.choice(["p2wpkh", "p2tr"]))
                outs_all.append((aid, v, u, h))
        ins_all.sort(key=lambda x: -x[0][2])
        if coord_fee:
            outs_all.append((ww2_coord.fixed or w.recv_addr(ww2_coord), coord_fee, ww2_coord, None))
        outs_all.sort(key=lambda x: -x[1])
        txid, vals, aids = w.build([x[0] for x in ins_all], [(x[0], x[1]) for x in outs_all])
        hs = {}
        for x in ins_all:
            if x[2]:
                x[2].fees_mining += x[0][2]
                hs[x[2].name] = x[2]
        for n, x in enumerate(outs_all):
            c = (txid, n, x[1], x[0])
            if x[3]:
                x[3].fees_mining -= x[1]
                x[3].coins.append(c)
                x[3].postmix.append(c)
            elif x[2] is not ww2_coord:
                x[2].coins.append(list(c))
        for h in hs.values():
            h.cj_txids.append(txid)
            h.txids.append(txid)
            w.thief_txs.append((h.name, txid, w.height, "wasabi2", 0, 0))
        w.coinjoins.append((txid, w.height, "wasabi2", ww2_coord.id, len(ins_all), len(outs_all), ",".join(sorted(hs))))

    def joinmarket(heist=None, tcoins=None):
        if heist is None:
            taker = rich_user(3000000)
            if not taker:
                return
            tcs = [tuple(c) for c in taker.coins]
            taker.coins.clear()
        else:
            taker = heist.thief
            tcs = tcoins
        ttot = sum(c[2] for c in tcs)
        sweep_mode = rng.random() < 0.4
        k = rng.randint(5, 14)
        amt = int(ttot * rng.uniform(0.5, 0.9)) if not sweep_mode else None
        mk = []
        for m in rng.sample(makers, len(makers)):
            if len(mk) >= k:
                break
            if sum(c[2] for c in m.coins) > (amt or ttot) + 100000:
                mk.append(m)
        if len(mk) < 2:
            if heist is None:
                taker.coins.extend(list(c) for c in tcs)
            else:
                heist.coins.extend(tcs)
            return
        fr = max(1.0, w.feerate / 2)
        fees = [rng.randint(200, 4000) + (amt or ttot) * rng.randint(0, 30) // 1000000 for _ in mk]
        mining = int(fr * (68 * (len(tcs) + 2 * len(mk)) + 31 * (2 + 2 * len(mk)) + 11))
        if sweep_mode:
            amt = ttot - sum(fees) - mining
        if amt < 100000 or amt + sum(fees) + mining > ttot:
            if heist is None:
                taker.coins.extend(list(c) for c in tcs)
            else:
                heist.coins.extend(tcs)
            return
        outs, ins = [], [(c, taker, heist) for c in tcs]
        got = []
        for m, f in zip(mk, fees):
            cs = w.pick(m, amt + 1000, 4)
            if cs is not None:
                got.append((m, f, cs))
        if len(got) < 2:                  # too few makers can fill the order: no round
            for m, f, cs in got:
                m.coins.extend(list(c) for c in cs)
            if heist is None:
                taker.coins.extend(list(c) for c in tcs)
            else:
                heist.coins.extend(tcs)
            return
        fees = [f for m, f, cs in got]
        tch = ttot - amt - sum(fees) - mining
        if tch < 0:
            amt += tch
        for m, f, cs in got:
            ins += [(c, m, None) for c in cs]
            outs.append((w.new_addr(m, "p2wpkh"), amt, m, None))
            ch = sum(c[2] for c in cs) - amt + f
            ca = w.new_addr(m, "p2wsh", wscript=bond_script(w)) if rng.random() < 0.15 else w.new_addr(m, "p2wpkh")
            if w.addr[ca][1] == "p2wsh":
                w.bond.add(ca)
            outs.append((ca, ch, m, None))
        dest = heist.addr("p2wpkh") if heist else w.new_addr(taker, "p2wpkh")
        outs.append((dest, amt, taker, heist))
        tch = ttot - amt - sum(fees) - mining
        if tch > 5000:
            outs.append((heist.addr("p2wpkh") if heist else w.new_addr(taker), tch, taker, heist))
        rng.shuffle(ins)
        rng.shuffle(outs)
        txid, vals, aids = w.build([x[0] for x in ins], [(x[0], x[1]) for x in outs])
        for n, x in enumerate(outs):
            c = (txid, n, x[1], x[0])
            if x[3]:
                x[3].coins.append(c)
                x[3].postmix.append(c)
            else:
                x[2].coins.append(list(c))
        if heist:
            heist.fees_mining += ttot - sum(x[1] for x in outs if x[3])
            heist.cj_txids.append(txid)
            heist.txids.append(txid)
            w.thief_txs.append((heist.name, txid, w.height, "joinmarket", ttot, 0))
        w.coinjoins.append((txid, w.height, "joinmarket", taker.id, len(ins), len(outs), heist.name if heist else ""))

    def honest_peel_chain():
        d = rng.choice(otc)
        if sum(c[2] for c in d.coins) < 5 * COIN:
            return
        ins = w.pick(d, 5 * COIN, 8)
        txid, vals, aids = w.build(ins, [], change=w.new_addr(d))
        w.hchain = getattr(w, "hchain", 0) + 1
        chain_no = w.hchain
        st = {"coin": (txid, 0, vals[0], aids[0]), "hop": 0, "n": rng.randint(6, 20), "no": chain_no}

        def hop():
            st["hop"] += 1
            c = st["coin"]
            npeel = rng.choices([1, 2, 3], [60, 30, 10])[0]
            outs = []
            for _ in range(npeel):
                u = user()
                tgt = dep_addr(u) if rng.random() < 0.5 else w.recv_addr(u)
                outs.append((tgt, max(DUST_MIN * 20, int(c[2] * rng.uniform(0.02, 0.3) / npeel))))
            txid, vals, aids = w.build([c], outs, change=w.new_addr(d))
            w.credit(txid, vals, aids, skip=(aids[-1],))
            rc = (txid, len(vals) - 1, vals[-1], aids[-1])
            pa = w.addr[aids[0]]
            w.peel.append(("", st["no"], st["hop"], txid, w.height, 0, vals[0], pa[0],
                           pa[3].name if pa[4] == "exchange_deposit" else "", len(vals) - 1, vals[-1], npeel - 1))
            st["coin"] = rc
            if st["hop"] < st["n"] and rc[2] > 200000:
                sched(w.height + rng.randint(1, 6), hop)
            else:
                d.coins.append(list(rc))

        sched(w.height + 1, hop)

    def spam_dust():
        s = spammer
        if not s.coins:
            return
        k = rng.randint(100, 250)
        outs = [(w.recv_addr(u), rng.randint(546, 1200)) for u in rng.sample(users, k)]
        w.pay(s, outs, maxn=3)

    def ln_open_any():
        ln_open()

    acts = [(p2p, 30), (deposit, 16), (withdraw_batch, 4), (withdraw_one, 8), (sweep, 3), (sale, 16),
            (consolidate_merchant, 0.6), (payroll, 0.5), (cashout, 0.6), (consolidate_user, 3), (ln_open_any, 1.5),
            (lambda: tx0(), 1.2), (lambda: joinmarket(), 0.6), (honest_peel_chain, 0.25), (spam_dust, 0.05)]
    afun = [x[0] for x in acts]
    awt = [x[1] for x in acts]

    # ---- the heists ----
    heists = []

    def thief_coin_fill(h, minv):
        """a thief coin of at least minv (the largest)"""
        cs = sorted(h.coins, key=lambda c: -c[2])
        return cs[0] if cs and cs[0][2] >= minv else None

    def deposit_now(h, cs, k=None):
        """the thief deposits coins cs into its accounts (one tx per 1-3 coins)"""
        acc_ex = h.exchanges
        i = 0
        while i < len(cs):
            n = rng.randint(1, 3)
            grp = cs[i:i + n]
            i += n
            if sum(c[2] for c in grp) < 300000:
                continue
            for c in grp:
                h.coins.remove(c)
            ex = rng.choice(acc_ex)
            h.spend(grp, [], "deposit", change=h.account(ex))

    def heist_start(h, amount):
        v = h.victim
        coins = sorted(v.coins, key=lambda c: -c[2])
        ins, tot = [], 0
        for c in coins:
            ins.append(tuple(c))
            tot += c[2]
            if tot >= amount + COIN:
                break
        if tot < amount + COIN:
            amount = tot * 85 // 100
        for c in ins:
            v.coins.remove(list(c))
        k = rng.randint(6, 9)
        parts = [amount // k] * k
        parts[-1] += amount - sum(parts)
        outs = [(h.addr("p2wpkh"), p) for p in parts]
        txid, vals, aids = w.build(ins, outs, change=rng.choice(v.hot))
        w.credit(txid, vals, aids)
        h.amount = amount
        h.theft_txid = txid
        h.theft_height = w.height
        h.victim_inputs = ["%s:%d" % (c[0][::-1].hex(), c[1]) for c in ins]
        for n in range(k):
            c = (txid, n, vals[n], aids[n])
            h.coins.append(c)
            h.stolen.append(c)
        w.thief_txs.append((h.name, txid, w.height, "theft", 0, amount))
        h.txids.append(txid)
        base = w.height
        sched(base + 1, lambda: h_dust(h, 0))
        sched(base + 2, lambda: h_dust(h, 1))
        if h.big:
            sched(base + 4, lambda: h_dust(h, 2))
        sched(base + 3, lambda: h_merchant(h))
        sched(base + 5, lambda: h_ln(h))
        sched(base + 8, lambda: h_fanout(h))

    def h_dust(h, i):
        c = thief_coin_fill(h, COIN)
        h.coins.remove(c)
        outs = []
        seen = set()
        # a duster knows only what the chain shows: addresses that have received coins already
        # (users' own, and honest customers' deposit addresses that took deposits before)
        for _ in range(rng.randint(150, 240)):
            u = user()
            if rng.random() < 0.7:
                own = [x for x in u.addrs if w.addr[x][1] != "p2wsh" and x in w.used]
            else:
                own = [x for x in u.deposit.values() if x in w.used]
            if not own:
                continue
            tgt = rng.choice(own)
            if tgt in seen or w.addr[tgt][3].cat not in ("user", "exchange"):
                continue
            seen.add(tgt)
            outs.append((tgt, rng.randint(546, 1500)))
        h.spend([c], outs, "dust", change=h.addr(), honest=tuple(range(len(outs))))

    def h_merchant(h):
        ms = rng.sample(merchants, 2)
        for _ in range(rng.randint(4, 10)):
            m = rng.choice(ms)
            c = thief_coin_fill(h, COIN)
            h.coins.remove(c)
            v = rng.randint(5, 300) * COIN // 100
            h.spend([c], [(w.new_addr(m), v)], "merchant", change=h.addr(), honest=(0,))
        for m in ms:     # the merchants' own routine goes on: consolidation, payroll, cash-out
            sched(w.height + rng.randint(2, 30), lambda m=m: consolidate_merchant(m))
            sched(w.height + rng.randint(31, 60), lambda m=m: payroll(m))
            sched(w.height + rng.randint(61, 90), lambda m=m: cashout(m))

    def h_ln(h):
        for _ in range(rng.randint(3, 5)):
            c = thief_coin_fill(h, 5 * COIN)
            h.coins.remove(c)
            ln_open(h.thief, [c], h, rng.randint(20, 400) * COIN // 100)

    def h_fanout(h):
        cs = sorted(h.coins, key=lambda c: -c[2])
        nwait = 2 if h.big else 1
        for i, c in enumerate(cs):
            wait = i < nwait
            start = (h.wait_at if wait else w.height + rng.randint(1, 10))
            sched(start, lambda c=c, i=i: peel_chain(h, c, i + 1, reuse=(i % 4 == 2)))

    def peel_chain(h, c, no, reuse):
        st = {"coin": c, "hop": 0, "n": rng.randint(10, 25), "addr": c[3]}
        h.chain_addrs.add(c[3])

        def hop():
            st["hop"] += 1
            c = st["coin"]
            if c not in h.coins:
                return
            h.coins.remove(c)
            npeel = rng.choices([1, 2, 3], [45, 35, 20])[0]
            outs = []
            last = st["hop"] >= st["n"] - 2
            for _ in range(npeel):
                frac = rng.uniform(0.03, 0.35) if not last else rng.uniform(0.2, 0.45)
                v = int(c[2] * frac / npeel)
                if rng.random() < 0.75:
                    tgt = h.account(rng.choice(h.exchanges))
                else:
                    tgt = h.addr("p2tr")       # a coin the thief later mixes
                outs.append((tgt, v))
            ch = st["addr"] if reuse else h.addr()
            h.chain_addrs.add(ch)
            new, txid = h.spend([c], outs, "peel_hop", change=ch)
            rc = next(x for x in new if x[1] == len(outs))
            for x in new:
                if x is not rc:
                    h.to_mix.append(x)
            pa = w.addr[outs[0][0]]
            w.peel.append((h.name, no, st["hop"], txid, w.height, 0, outs[0][1], pa[0],
                           pa[3].name if pa[4] == "exchange_deposit" else "", len(outs), rc[2], npeel - 1))
            h.peel_txids.append(txid)
            st["coin"] = rc
            if st["hop"] < st["n"] and rc[2] > 2000000:
                gap = rng.randint(1, 8) if rng.random() < 0.9 else rng.randint(50, 400)
                sched(w.height + gap, hop)
            else:
                end = rng.random()
                if end < 0.4:
                    sched(w.height + rng.randint(1, 5), lambda: deposit_now(h, [rc]) if rc in h.coins else None)
                elif end < 0.8:
                    h.to_mix.append(rc)
                # else: unspent at the tip
        sched(w.height + 1, hop)

    def h_mix(h):
        """each block: coins waiting to be mixed go to JoinMarket, Whirlpool or Wasabi 2"""
        while h.to_mix:
            c = h.to_mix.pop()
            if c not in h.coins:
                continue
            r = rng.random()
            if r < 0.3 and 3000000 < c[2] < 5 * COIN:
                h.coins.remove(c)
                joinmarket(h, [c])
            elif r < 0.6 and c[2] > 60000000:
                h.coins.remove(c)
                tx0(h.thief, [c], h, 50000000 if c[2] > 200000000 else 5000000)
            else:
                h.ww2.append(c)
        # post-mix coins: deposited 1-3 at a time after a while
        ready = [c for c in h.postmix if c in h.coins]
        if ready and rng.random() < 0.15:
            k = rng.randint(1, 3)
            grp = ready[:k]
            for c in grp:
                h.postmix.remove(c)
            if rng.random() < 0.9:
                deposit_now(h, grp)

    # plan the heists
    nh = 2
    for hi in range(nh):
        thief = E("lazarus-%d-%s" % (a.seed, "ab"[hi]), "thief", "p2wpkh")
        h = Heist(w, "heist-%d-%s" % (a.seed, "ab"[hi]), thief, None)
        h.big = hi == 0
        h.postmix = []
        h.ww2 = []
        h.chain_addrs = set()
        h.wait_at = int(NB * (0.78 if hi == 0 else 0.86))
        heists.append(h)
        start = max(int(NB * (0.10 if hi == 0 else 0.30)), 160 + 40 * hi) + rng.randint(0, 20)
        amount = (rng.randint(600, 1500) if hi == 0 else rng.randint(200, 500)) * COIN

        def go(h=h, amount=amount):
            rich = sorted(exch, key=lambda e: -sum(c[2] for c in e.coins))
            h.victim = next(e for e in rich if all(e is not x.victim for x in heists if x is not h))
            h.exchanges = [e for e in exch if e is not h.victim][:3] if h.big else \
                [e for e in exch if e is not h.victim][2:5]
            heist_start(h, amount)
        sched(start, go)

    # ---- blocks ----
    gh, gblk = genesis_block()
    records = [gblk]          # serialized blocks in the order written (stale and late ones placed)
    chain = [gh]
    stale = []
    held = None
    t = 1767225600             # 2026-01-01
    txs_total = 1
    w.feerate = 5.0
    stale_at = set(rng.sample(range(150, NB - 10), 4))
    extra = 0

    def coinbase(height, fees, wit_root, pool, tag=b""):
        hb = b""
        if height <= 16:
            sc = bytes([0x50 + height]) if height else b"\x00"
        else:
            n = height
            while n:
                hb += bytes([n & 0xFF])
                n >>= 8
            if hb[-1] & 0x80:
                hb += b"\0"
            sc = push(hb)
        sc += push(b"alt4" + tag + struct.pack("<I", a.seed))
        outs = [(pool[1], subsidy_of(height) + fees)]
        if wit_root is not None:
            outs.append((b"\x6a\x24\xaa\x21\xa9\xed" + dsha(wit_root + b"\0" * 32), 0))
        body = varint(1) + b"\0" * 32 + b"\xff\xff\xff\xff" + varint(len(sc)) + sc + b"\xff\xff\xff\xff" + varint(len(outs))
        for spk, v in outs:
            body += struct.pack("<q", v) + varint(len(spk)) + spk
        lt = b"\0\0\0\0"
        ver = struct.pack("<i", 2)
        txid = dsha(ver + body + lt)
        raw = ver + (b"\x00\x01" + body + b"\x01\x20" + b"\0" * 32 if wit_root is not None else body) + lt
        return txid, raw, outs[0][1]

    def subsidy_of(h):
        return (50 * COIN) >> (h // 210000)

    def make_block(prev, height, txs, fees, pool, tag=b""):
        pool = (None, w.addr[pool[1]][2])
        seg = any(x[3] for x in txs)
        wroot = merkle_root([b"\0" * 32] + [x[2] for x in txs]) if seg else None
        cbid, cbraw, cbv = coinbase(height, fees, wroot, pool, tag)
        root = merkle_root([cbid] + [x[1] for x in txs])
        nonce = 0
        ts = t
        while True:
            hdr = struct.pack("<i", 0x20000000) + prev + root + struct.pack("<III", ts, BITS, nonce)
            bh = dsha(hdr)
            if int.from_bytes(bh, "little") <= TARGET:
                break
            nonce += 1
        blk = hdr + varint(1 + len(txs)) + cbraw + b"".join(x[0] for x in txs)
        return bh, blk, cbid, cbv

    for p in pools:
        p.fixed = w.new_addr(p)
        p.cb = []
    for d in otc:
        pass
    heist_mix_on = False
    for height in range(1, NB + 1):
        w.height = height
        w.block_txs = []
        w.block_fees = 0
        t += max(1, int(rng.expovariate(1 / 600.0)))
        w.feerate = max(1.0, min(300.0, w.feerate * math.exp(rng.gauss(0, 0.15)) * (1.02 if w.feerate < 4 else 0.99)))
        if height > 101:
            pool_payout()
            if height < 400 or rng.random() < 0.3:
                pool_payout()
            if height % 50 == 0:                      # the OTC desks and the spammer buy coins
                for d in otc + [spammer]:
                    ex = rng.choice(exch)
                    w.pay(ex, [(w.recv_addr(d) if d is spammer else w.new_addr(d), (30 if d is not spammer else 1) * COIN)],
                          maxn=5, change=rng.choice(ex.hot))
            for f in w.events.pop(height, []):
                f()
            for h in heists:
                if h.theft_txid:
                    h_mix(h)
            ntx = int(rng.gammavariate(2.0, 7.2 * (1 if height > 200 else 0.5)))
            for _ in range(ntx):
                rng.choices(afun, awt)[0]()
            for pool in WP_POOLS:
                for _ in range(3):
                    if not mix(pool):
                        break
            if height % max(20, int(150 * max(sc, 0.15))) == 0 or any(len(h.ww2) >= 6 for h in heists):
                parts = []
                for h in heists:
                    if h.ww2:
                        cs = [c for c in h.ww2 if c in h.coins]
                        h.ww2.clear()
                        for c in cs:
                            h.coins.remove(c)
                        if cs:
                            parts.append((h, cs))
                wasabi2(parts)
        pool = rng.choice(pools)
        bh, blk, cbid, cbv = make_block(chain[-1], height, w.block_txs, w.block_fees, (None, pool.fixed))
        pool.cb.append((cbid, 0, cbv, pool.fixed, height))
        w.utxo[(cbid, 0)] = (cbv, pool.fixed, height)
        w.used.add(pool.fixed)
        txs_total += 1 + len(w.block_txs)
        if height in stale_at:
            other = rng.choice([p for p in pools if p is not pool])
            sh, sblk, _, _ = make_block(chain[-1], height, [], 0, (None, other.fixed), b"stale")
            stale.append({"hash": sh[::-1].hex(), "height": height})
            if rng.random() < 0.5:
                records.append(sblk)
                records.append(blk)
            else:
                records.append(blk)
                records.append(sblk)
        elif held is None and rng.random() < 0.012 and height < NB - 1:
            held = blk
        else:
            records.append(blk)
            if held is not None:
                records.append(held)
                extra += 1
                held = None
        chain.append(bh)
    if held is not None:
        records.append(held)
    write_out(w, records, chain, stale, txs_total, heists, extra, exch, users)


def write_out(w, records, chain, stale, txs_total, heists, early, exch, users):
    a = w.a
    bdir = os.path.join(a.out, "blocks")
    tdir = os.path.join(a.out, "truth")
    os.makedirs(bdir, exist_ok=True)
    os.makedirs(tdir, exist_ok=True)
    for f in os.listdir(bdir):
        os.unlink(os.path.join(bdir, f))
    key = bytes.fromhex(a.xor_key) if a.xor_key else None
    magic = bytes.fromhex("fabfb5da")
    files = []
    cur = bytearray()
    for blk in records:
        rec = magic + struct.pack("<I", len(blk)) + blk
        if cur and len(cur) + len(rec) > a.max_file_size:
            files.append(cur)
            cur = bytearray()
        cur += rec
    files.append(cur)
    total = 0
    for i, data in enumerate(files):
        if key:
            kk = (key * (len(data) // 8 + 1))[:len(data)]
            data = (int.from_bytes(data, "little") ^ int.from_bytes(kk, "little")).to_bytes(len(data), "little")
        if i == len(files) - 1 and a.zero_tail:
            data = bytes(data) + b"\0" * a.zero_tail
        with open(os.path.join(bdir, "blk%05d.dat" % i), "wb") as f:
            f.write(data)
        total += len(data)
    if key:
        with open(os.path.join(bdir, "xor.dat"), "wb") as f:
            f.write(key)
    # truth
    used = w.used
    st_name = {"p2pkh": "p2pkh", "p2sh": "p2sh-p2wpkh", "p2wpkh": "p2wpkh", "p2tr": "p2tr", "p2wsh": "p2wsh"}
    with open(os.path.join(tdir, "addresses.csv"), "w") as f:
        f.write("address,script_type,entity_id,entity_name,category,customer_id\n")
        n_addr = 0
        for aid, x in enumerate(w.addr):
            if aid in used:
                n_addr += 1
                f.write("%s,%s,%d,%s,%s,%s\n" % (x[0], st_name[x[1]], x[3].id, x[3].name, x[4], x[5]))
    with open(os.path.join(tdir, "entities.csv"), "w") as f:
        f.write("entity_id,name,category\n")
        for e in w.ents:
            f.write("%d,%s,%s\n" % (e.id, e.name, e.cat))
    with open(os.path.join(tdir, "coinjoins.csv"), "w") as f:
        f.write("txid,height,kind,coordinator_id,n_inputs,n_outputs,heist\n")
        for r in w.coinjoins:
            f.write("%s,%d,%s,%d,%d,%d,%s\n" % (r[0][::-1].hex(), r[1], r[2], r[3], r[4], r[5], r[6]))
    with open(os.path.join(tdir, "tx0s.csv"), "w") as f:
        f.write("txid,height,kind,pool_sat,owner_id,n_inputs,n_premix,n_outputs,heist\n")
        for r in w.tx0s:
            f.write("%s,%d,tx0,%d,%d,%d,%d,%d,%s\n" % (r[0][::-1].hex(), r[1], r[2], r[3], r[4], r[5], r[6], r[7]))
    with open(os.path.join(tdir, "peel_chains.csv"), "w") as f:
        f.write("heist,chain,hop,txid,height,peel_vout,peel_sat,peel_address,exchange,remainder_vout,remainder_sat,extra_peels\n")
        for r in w.peel:
            f.write("%s,%d,%d,%s,%d,%d,%d,%s,%s,%d,%d,%d\n" % (r[0], r[1], r[2], r[3][::-1].hex(), *r[4:]))
    heist_of_dep = {}
    for h in heists:
        for d in h.deposits:
            heist_of_dep[d["outpoint"]] = h.name
    aidx = {}
    with open(os.path.join(tdir, "deposits.csv"), "w") as f:
        f.write("txid,vout,height,address,exchange,payer_id,value_sat,heist\n")
        for txid, n, height, aid, v, in_aid in w.deposits:
            op = "%s:%d" % (txid[::-1].hex(), n)
            x = w.addr[aid]
            f.write("%s,%d,%d,%s,%s,%d,%d,%s\n" % (txid[::-1].hex(), n, height, x[0], x[3].name, w.addr[in_aid][3].id, v,
                                                 heist_of_dep.get(op, "")))
    with open(os.path.join(tdir, "thief_txs.csv"), "w") as f:
        f.write("heist,txid,height,kind,thief_in_sat,thief_out_sat\n")
        for r in w.thief_txs:
            f.write("%s,%s,%d,%s,%d,%d\n" % (r[0], r[1][::-1].hex(), r[2], r[3], r[4], r[5]))
    with open(os.path.join(tdir, "dust.csv"), "w") as f:
        f.write("heist,txid,vout,address,value_sat,recipient_id,category\n")
        for r in w.dust_rows:
            f.write("%s,%s,%d,%s,%d,%s,%s\n" % (r[0], r[1][::-1].hex(), r[2], r[3], r[4], r[5], r[6]))
    out = []
    for h in heists:
        # every coin the thief holds at the tip is stolen value (premixes and remixes still queued,
        # channels still open, anchors): read from the UTXO set, not from the thief's plans
        unspent = sorted((k[0], k[1], v[0], v[1]) for k, v in w.utxo.items() if w.addr[v[1]][3] is h.thief)
        dep_ex, dep_addr = {}, {}
        for d in h.deposits:
            dep_ex[d["exchange"]] = dep_ex.get(d["exchange"], 0) + d["value_sat"]
            x = dep_addr.setdefault(d["address"], {"value_sat": 0, "exchange": d["exchange"]})
            x["value_sat"] += d["value_sat"]
        un = [{"outpoint": "%s:%d" % (c[0][::-1].hex(), c[1]), "value_sat": c[2]} for c in unspent]
        dep_sum = sum(d["value_sat"] for d in h.deposits)
        given = sum(x["value_sat"] for x in h.honest)
        un_sum = sum(x["value_sat"] for x in un)
        fees = h.amount - dep_sum - given - un_sum
        out.append({
            "name": h.name, "thief_entity": h.thief.id, "thief": h.thief.name, "victim_entity": h.victim.id,
            "victim": h.victim.name, "amount_sat": h.amount, "theft_txid": h.theft_txid[::-1].hex(),
            "theft_height": h.theft_height, "victim_inputs": h.victim_inputs,
            "stolen_outputs": [{"outpoint": "%s:%d" % (c[0][::-1].hex(), c[1]), "value_sat": c[2],
                                "address": w.addr[c[3]][0]} for c in h.stolen],
            "deposits": h.deposits, "deposits_by_address": dep_addr, "deposits_by_exchange": dep_ex,
            "honest_payments": h.honest, "unspent": un,
            "coinjoin_txids": [t[::-1].hex() for t in h.cj_txids], "peel_chain_txids": [t[::-1].hex() for t in h.peel_txids],
            "batched_peel_txids": [r[3][::-1].hex() for r in w.peel if r[0] == h.name and r[11]],
            "thief_txids": [t[::-1].hex() for t in h.txids],
            "totals": {"deposited_sat": dep_sum, "unspent_sat": un_sum, "honest_paid_sat": given,
                       "fees_coordinator_sat": h.fees_coord, "fees_mining_sat": fees - h.fees_coord,
                       "service_deposited_sat": 0, "recorded_mining_sat": h.fees_mining}})
    with open(os.path.join(tdir, "heists.json"), "w") as f:
        json.dump(out, f, indent=1)
    meta = {"format": "chainwatch-gen-truth/1", "generator": "tests/diff/btc_alt4_world.py", "network": "regtest",
            "seed": a.seed, "scale": a.scale, "scenario": "alt4-adversarial", "economy": "mixed", "txs": txs_total,
            "blocks": len(chain), "best_height": len(chain) - 1, "tip": chain[-1][::-1].hex(), "files": len(files),
            "blk_bytes": total, "xor_key": key.hex() if key else "", "out_of_order": early,
            "inputs": w.n_inputs, "outputs": w.n_outputs, "addresses": n_addr, "entities": len(w.ents),
            "coinjoins": len(w.coinjoins), "tx0s": len(w.tx0s), "deposits": len(w.deposits),
            "stale_blocks": stale, "dust_outputs": len(w.dust_rows)}
    if a.zero_tail:
        meta["zero_tail_bytes"] = a.zero_tail
        meta["zero_tail_files"] = "last"
    with open(os.path.join(tdir, "world.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print("%d txs, %d blocks, %d files, %d coinjoins, %d tx0s, %d peel hops, %d dust outputs, heists %s" % (
        txs_total, len(chain), len(files), len(w.coinjoins), len(w.tx0s), len(w.peel), len(w.dust_rows),
        ", ".join("%s %.1f BTC" % (h.name, h.amount / COIN) for h in heists)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--xor-key")
    ap.add_argument("--zero-tail", type=int, default=0)
    ap.add_argument("--max-file-size", type=int, default=128 * 1024 * 1024)
    a = ap.parse_args()
    run(World(a))


if __name__ == "__main__":
    main()
