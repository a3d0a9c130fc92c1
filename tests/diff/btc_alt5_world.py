#!/usr/bin/python3
"""btc_alt5_world.py: a fifth outside Bitcoin world (issue 11): laundering through custodial
services and wallet privacy tools, as mainnet thieves do it, each tool used by honest users too.
Written from issue 11's text, docs/GEN.md's truth layout and mainnet habits only, before reading
the detectors, src/gen or the other outside generators. Debian's python3, standard library only.

  btc_alt5_world.py --out DIR [--seed S] [--scale F] [--xor-key HEX16] [--zero-tail BYTES]
                    [--max-file-size BYTES]

Shapes (honest users use every one of them; the thief uses most):
* custodial hops: exchanges (a deposit address per customer, sweeps, consolidations of up to
  thousands of deposits at 1 sat/vB, batched withdrawals from reused hot addresses, 2-of-3
  cold storage in P2WSH or P2SH), instant swappers (an order address per swap, swept to the
  swapper's hot wallet, payouts batched for several customers), OTC desks (a fresh address per
  trade, large payouts run as peel chains); the thief deposits there and later withdraws: coins
  a hot wallet pays out are not the stolen coins (truth: the trail ends at the service);
* Samourai-style tools: Stonewall (one wallet, two equal outputs and two changes: looks like a
  2-party CoinJoin, is single-owner: lookalikes.csv), Stonewall X2 and Stowaway (two owners:
  coinjoins.csv kinds `stonewallx2` and `stowaway`; a Stowaway is a PayJoin: the payee's input
  comes back in its output), Ricochet (4 single-input hops after a first hop paying a 100,000
  sat fee output), Whirlpool Tx0s in the 0.001 / 0.01 / 0.05 / 0.5 BTC pools (pool fee,
  46-byte OP_RETURN, toxic change spent later) and 5x5 mixes with remixes;
* CoinSwap (each party funds a 2-of-2 P2WSH, each multisig pays the other party), submarine
  swaps (loop-in: an HTLC P2WSH paid on-chain, claimed by the swap service with the preimage)
  and loop-outs (the service funds an HTLC, the user claims it);
* mining pools (coinbase to a reused address, payouts of 100-400 outputs), Taproot script-path
  spends, RBF-signalling and CPFP'd txs (only the mined versions exist), nLockTime / CSV,
  OP_RETURN;
* a heist of 400-5,000 BTC from an exchange's hot wallet laundered through all of the above and
  ordinary peel chains; the thief's cash-outs at exchanges are deposits (deposits.csv); what it
  pays honest parties (a merchant through a Stowaway, a CoinSwap maker) is `honest_payments`;
  what it pays to swappers, OTC desks and HTLCs is service deposits.
Blocks: a Bitcoin Core blocks directory (regtest PoW, BIP34, witness commitments, stale blocks,
blocks after their successor), optionally XOR'd (xor.dat) with a raw zero tail in the last file.
Truth: docs/GEN.md's layout, plus lookalikes.csv (every honest and thief use of the tools above,
by kind) and withdrawals.csv (the coins services paid the thief: not stolen).
"""
import argparse
import csv
import hashlib
import json
import os
import random
import struct

COIN = 100_000_000
MAGIC = bytes.fromhex("fabfb5da")
POOLS = [100_000, 1_000_000, 5_000_000, 50_000_000]
POOL_FEE = {100_000: 5_000, 1_000_000: 50_000, 5_000_000: 175_000, 50_000_000: 1_750_000}
RICOCHET_FEE = 100_000
VB_IN = {"pkh": 148, "shwpkh": 91, "wpkh": 68, "tr": 58, "trs": 80, "wsh23": 105, "shms": 297,
         "wsh22": 96, "htlc": 100}


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
            chk ^= gen[i] if (b >> i) & 1 else 0
    return chk


def segwit_addr(hrp, ver, prog):
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
    hx = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = _polymod(hx + data + [0] * 6) ^ const
    chk = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH[d] for d in data + chk)


def push(b):
    n = len(b)
    if n < 0x4C:
        return bytes([n]) + b
    if n <= 0xFF:
        return b"\x4c" + bytes([n]) + b
    return b"\x4d" + struct.pack("<H", n) + b


def bip34(h):
    if 1 <= h <= 16:
        return bytes([0x50 + h])
    b = h.to_bytes((h.bit_length() + 8) // 8, "little")
    while len(b) > 1 and b[-1] == 0 and not (b[-2] & 0x80):
        b = b[:-1]
    return push(b)


GENESIS_TX = bytes.fromhex(
    "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff00"
    "1d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b"
    "206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678a"
    "fdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de"
    "5c384df7ba0b8d578a4c702b6bf11d5fac00000000")


class World:
    def __init__(self, seed, scale):
        self.rng = random.Random(seed)
        self.seed = seed
        self.salt = hashlib.sha256(b"btcalt5/%d" % seed).digest()
        # addresses
        self.a_type, self.a_ent, self.a_cat, self.a_cust, self.a_str, self.a_spk = [], [], [], [], [], []
        self.e_name, self.e_cat = [], []
        self.utxo = {}        # (txid, n) -> [value, addr]
        self.wal = {}         # entity -> list of keys (lazy: spent keys are skipped)
        self.txs_best = 0
        self.block_txs = []   # current block: (txid, wtxid, raw, has_wit)
        self.height = 0
        self.blocks = []      # best chain: (hash, raw)
        self.time0 = 1767225600 + self.rng.randrange(86400 * 30)
        self.bt = self.time0
        self.feerate = 5.0
        # truth
        self.coinjoins = []
        self.tx0s = []
        self.peels = []
        self.deposits = []
        self.lookalikes = []
        self.withdrawals = []
        self.thief_txs = []
        self.honest_pay = []
        self.sigctr = 0
        self.txrec = []
        self.shapes = []
        self.shape = ""
        self.used = set()
        self.thief = -1
        self.tkind = {}
        self.cur_kind = ""
        self.heist_name = ""
        self.honest_chain_n = 0
        self.fees_block = 0
        self.n_users = max(300, int(8000 * scale))

    # ---------------------------------------------------------------- entities and addresses
    def entity(self, name, cat):
        self.e_name.append(name)
        self.e_cat.append(cat)
        self.wal[len(self.e_name) - 1] = []
        return len(self.e_name) - 1

    def addr(self, ent, st, cat=None, cust=""):
        i = len(self.a_type)
        h = hashlib.sha256(self.salt + i.to_bytes(4, "little")).digest()
        if st == "pkh":
            spk = b"\x76\xa9\x14" + h[:20] + b"\x88\xac"
            s = b58check(b"\x6f" + h[:20])
            kind = "p2pkh"
        elif st in ("shwpkh", "shms"):
            spk = b"\xa9\x14" + h[:20] + b"\x87"
            s = b58check(b"\xc4" + h[:20])
            kind = "p2sh"
        elif st == "wpkh":
            spk = b"\x00\x14" + h[:20]
            s = segwit_addr("bcrt", 0, h[:20])
            kind = "p2wpkh"
        elif st in ("wsh23", "wsh22", "htlc"):
            spk = b"\x00\x20" + h
            s = segwit_addr("bcrt", 0, h)
            kind = "p2wsh"
        else:  # tr, trs
            spk = b"\x51\x20" + h
            s = segwit_addr("bcrt", 1, h)
            kind = "p2tr"
        self.a_type.append(st)
        self.a_ent.append(ent)
        self.a_cat.append(cat or self.e_cat[ent])
        self.a_cust.append(cust)
        self.a_str.append(s)
        self.a_spk.append(spk)
        self.a_kind = getattr(self, "a_kind", [])
        self.a_kind.append(kind)
        return i

    # ---------------------------------------------------------------- transactions
    def sig(self, n=72):
        self.sigctr += 1
        r = self.rng.getrandbits(256).to_bytes(32, "big")
        s = self.rng.getrandbits(248).to_bytes(31, "big")
        if n == 64:
            return r + s + b"\x01"
        return b"\x30\x45\x02\x21\x00" + r + b"\x02\x20\x00" + s + b"\x01"

    def spend_parts(self, a, htlc_claim=True):
        st = self.a_type[a]
        h = self.a_spk[a][-20:]
        pub = b"\x02" + hashlib.sha256(h).digest()
        if st == "pkh":
            return push(self.sig()) + push(pub), []
        if st == "shwpkh":
            return push(b"\x00\x14" + h), [self.sig(), pub]
        if st == "wpkh":
            return b"", [self.sig(), pub]
        if st == "tr":
            if self.rng.random() < 0.2:   # script path: a 2-leaf tree, a checksig leaf
                return b"", [self.sig(64)[:64], b"\x20" + pub[1:] + b"\xac", b"\xc0" + pub[1:] + h[:32]]
            return b"", [self.sig(64)[:64]]
        if st == "wsh23":
            ks = [b"\x02" + hashlib.sha256(h + bytes([k])).digest() for k in range(3)]
            ws = b"\x52" + b"".join(push(k) for k in ks) + b"\x53\xae"
            return b"", [b"", self.sig(), self.sig(), ws]
        if st == "wsh22":
            ks = [b"\x02" + hashlib.sha256(h + bytes([k])).digest() for k in range(2)]
            ws = b"\x52" + b"".join(push(k) for k in ks) + b"\x52\xae"
            return b"", [b"", self.sig(), self.sig(), ws]
        if st == "htlc":
            ph = hashlib.sha256(h + b"p").digest()
            k1 = b"\x02" + hashlib.sha256(h + b"a").digest()
            k2 = b"\x02" + hashlib.sha256(h + b"b").digest()
            ws = (b"\x82\x01\x20\x87\x63\xa9\x14" + hashlib.new("ripemd160", ph).digest() + b"\x88" + push(k1)
                  + b"\x67\x02\x90\x00\xb2\x75" + push(k2) + b"\x68\xac")   # claim | timeout (CLTV)
            return b"", [self.sig(), ph, ws]
        # shms: legacy P2SH 2-of-3
        ks = [b"\x02" + hashlib.sha256(h + bytes([k])).digest() for k in range(3)]
        rs = b"\x52" + b"".join(push(k) for k in ks) + b"\x53\xae"
        return b"\x00" + push(self.sig()) + push(self.sig()) + push(rs), []

    def vsize(self, keys, nout):
        return 11 + sum(VB_IN[self.a_type[self.utxo[k][1]]] for k in keys) + 33 * nout

    def fee(self, keys, nout, rate=None):
        return int((rate or self.feerate) * self.vsize(keys, nout)) + 1

    def tx(self, keys, outs, locktime=None, seq=None, owner_to=None):
        """keys: outpoints spent; outs: [(addr or None for OP_RETURN data bytes, value, data)];
        the new coins go to their address owner's wallet unless owner_to says (list or None)."""
        ins = []
        wit = []
        has_wit = False
        vin = 0
        payer = self.a_ent[self.utxo[keys[0]][1]]
        thief_in = False
        rec_outs = [(o[0], o[1]) for o in outs]
        rbf = self.rng.random() < 0.25
        for k in keys:
            v, a = self.utxo.pop(k)
            if self.a_ent[a] == self.thief:
                thief_in = True
            vin += v
            ss, w = self.spend_parts(a)
            ins.append((k, ss))
            wit.append(w)
            has_wit = has_wit or bool(w)
        vout = sum(o[1] for o in outs)
        assert vout <= vin and all(o[1] >= 0 for o in outs), (vin, vout, outs)
        if seq is None:
            seq = 0xFFFFFFFD if rbf else 0xFFFFFFFE
        if locktime is None:
            locktime = self.height - 1 if self.rng.random() < 0.6 else 0
        body = [varint(len(ins))]
        for (k, ss) in ins:
            body.append(k[0] + struct.pack("<I", k[1]) + varint(len(ss)) + ss + struct.pack("<I", seq))
        body.append(varint(len(outs)))
        for o in outs:
            if o[0] is None:
                spk = b"\x6a" + push(o[2])
            else:
                spk = self.a_spk[o[0]]
            body.append(struct.pack("<q", o[1]) + varint(len(spk)) + spk)
        core = b"".join(body)
        lt = struct.pack("<I", locktime)
        stripped = b"\x02\x00\x00\x00" + core + lt
        txid = dsha(stripped)
        if has_wit:
            ws = b"".join(varint(len(w)) + b"".join(varint(len(x)) + x for x in w) for w in wit)
            raw = b"\x02\x00\x00\x00\x00\x01" + core + ws + lt
            wtxid = dsha(raw)
        else:
            raw = stripped
            wtxid = txid
        self.block_txs.append((txid, wtxid, raw, has_wit))
        self.fees_block += vin - vout
        for n, o in enumerate(outs):
            if o[0] is None:
                continue
            key = (txid, n)
            self.utxo[key] = [o[1], o[0]]
            if owner_to is None or owner_to[n] is None:
                self.wal[self.a_ent[o[0]]].append(key)
            else:
                owner_to[n].append(key)
            if self.a_cat[o[0]] == "exchange_deposit":
                self.deposits.append([txid, n, self.height, o[0], o[1], payer])
        self.txrec.append((txid, self.height, list(keys), rec_outs))
        self.shapes.append(self.shape)
        self.used.update(o[0] for o in outs if o[0] is not None)
        if thief_in:
            self.tkind[txid] = self.cur_kind
        self.txs_best += 1
        return txid

    # ---------------------------------------------------------------- coin picking
    def take(self, ent, need, maxn=6, lst=None):
        """random coins of ent (or of lst) until their sum reaches need; None if it cannot"""
        lst = self.wal[ent] if lst is None else lst
        got, s = [], 0
        tries = 0
        while s < need and len(got) < maxn and lst and tries < 40:
            tries += 1
            i = self.rng.randrange(len(lst))
            k = lst[i]
            lst[i] = lst[-1]
            lst.pop()
            if k not in self.utxo:
                continue
            got.append(k)
            s += self.utxo[k][0]
        if s < need:
            lst.extend(got)
            return None, 0
        return got, s

    def balance_list(self, lst):
        return sum(self.utxo[k][0] for k in lst if k in self.utxo)

    def val(self, k):
        return self.utxo[k][0]

    # ---------------------------------------------------------------- blocks
    def merkle(self, hs):
        hs = list(hs)
        while len(hs) > 1:
            if len(hs) % 2:
                hs.append(hs[-1])
            hs = [dsha(hs[i] + hs[i + 1]) for i in range(0, len(hs), 2)]
        return hs[0]

    def header(self, prev, mroot, t):
        target = 0x7FFFFF << (8 * (0x20 - 3))
        nonce = 0
        while True:
            hd = struct.pack("<I", 0x20000000) + prev + mroot + struct.pack("<III", t, 0x207FFFFF, nonce)
            h = dsha(hd)
            if int.from_bytes(h, "little") <= target:
                return hd, h
            nonce += 1

    def coinbase(self, h, payto, value, wit, tag=b""):
        ss = bip34(h) + push(b"alt5" + tag + struct.pack("<I", self.rng.getrandbits(32)))
        outs = [(self.a_spk[payto], value)]
        if wit is not None:
            outs.append((b"\x6a\x24\xaa\x21\xa9\xed" + wit, 0))
        core = (b"\x01" + b"\0" * 32 + b"\xff\xff\xff\xff" + varint(len(ss)) + ss + b"\xff\xff\xff\xff"
                + varint(len(outs)) + b"".join(struct.pack("<q", v) + varint(len(s)) + s for s, v in outs))
        stripped = b"\x02\x00\x00\x00" + core + b"\0\0\0\0"
        txid = dsha(stripped)
        if wit is not None:
            raw = b"\x02\x00\x00\x00\x00\x01" + core + b"\x01\x20" + b"\0" * 32 + b"\0\0\0\0"
        else:
            raw = stripped
        return txid, raw

    def close_block(self):
        h = self.height
        has_wit = any(t[3] for t in self.block_txs)
        pool = self.rng.choices(self.pools, self.pool_w)[0]
        wit = None
        if has_wit:
            wroot = self.merkle([b"\0" * 32] + [t[1] for t in self.block_txs])
            wit = dsha(wroot + b"\0" * 32)
        cbid, cbraw = self.coinbase(h, self.pool_cb[pool], 50 * COIN + self.fees_block, wit)
        self.txs_best += 1
        self.utxo[(cbid, 0)] = [50 * COIN + self.fees_block, self.pool_cb[pool]]
        self.used.add(self.pool_cb[pool])
        self.maturing.append((h + 100, (cbid, 0), pool))
        mroot = self.merkle([cbid] + [t[0] for t in self.block_txs])
        self.bt = max(self.bt + 1, self.bt + int(self.rng.expovariate(1 / 600)))
        prev = self.blocks[-1][0]
        hd, bh = self.header(prev, mroot, self.bt)
        body = hd + varint(1 + len(self.block_txs)) + cbraw + b"".join(t[2] for t in self.block_txs)
        self.blocks.append((bh, body))
        # a stale sibling now and then (coinbase only)
        if h > 5 and (self.rng.random() < 1 / 300 or h in (40, 140)):
            sid, sraw = self.coinbase(h, self.pool_cb[self.rng.choice(self.pools)], 50 * COIN, None, b"stale")
            shd, sh = self.header(prev, sid, self.bt + 3)
            self.stale.append((sh, shd + b"\x01" + sraw, h))
        self.block_txs = []
        self.fees_block = 0
        self.height += 1
        # fee market: a lognormal drift with spikes
        self.feerate = min(400.0, max(1.0, self.feerate * self.rng.lognormvariate(0, 0.15)))
        if self.rng.random() < 0.02:
            self.feerate = self.rng.uniform(1, 3)
        while self.maturing and self.maturing[0][0] <= self.height:
            _, k, p = self.maturing.pop(0)
            self.wal[p].append(k)

    # ---------------------------------------------------------------- the honest economy
    def setup(self):
        r = self.rng
        self.pools = [self.entity("Pool %s" % n, "miner") for n in ("Antminer", "FoundryX", "ViaSlush", "F3Pool", "Luxo")]
        self.pool_w = [30, 25, 20, 15, 10]
        self.pool_cb = {p: self.addr(p, r.choice(["wpkh", "pkh"])) for p in self.pools}
        self.pool_pay = {p: self.addr(p, "wpkh") for p in self.pools}
        self.exchanges = [self.entity(n, "exchange") for n in ("Coinvault", "Bitstamped", "Krakatoa", "Geminix", "OKCoinz")]
        self.ex_hot = {e: [self.addr(e, r.choice(["wpkh", "pkh", "shwpkh"])) for _ in range(3)] for e in self.exchanges}
        self.ex_cold = {e: self.addr(e, r.choice(["wsh23", "shms"])) for e in self.exchanges}
        self.cold = {e: [] for e in self.exchanges}
        self.exdep = {e: [] for e in self.exchanges}
        self.depaddr = {}
        self.swappers = [self.entity(n, "instant_exchange") for n in ("FixedFloatish", "SideShiftr")]
        self.sw_hot = {s: self.addr(s, "wpkh") for s in self.swappers}
        self.orders = {s: [] for s in self.swappers}
        self.otcs = [self.entity(n, "otc_desk") for n in ("Cumberlandish OTC", "Genesis Block OTC")]
        self.otc_wal = {o: self.addr(o, "wsh23") for o in self.otcs}
        self.ln = self.entity("Loopy swaps", "instant_exchange")
        self.ln_wal = self.addr(self.ln, "wpkh")
        self.htlc_in = []
        self.coord = self.entity("Whirlpool coordinator", "coinjoin_coordinator")
        self.coord_fee = {p: self.addr(self.coord, "wpkh") for p in POOLS}
        self.rico_fee = self.addr(self.coord, "wpkh")
        self.premix = {p: [] for p in POOLS}     # (key, owner)
        self.postmix = {p: [] for p in POOLS}
        self.merchants = [self.entity("merchant %d" % i, "merchant") for i in range(30)]
        self.merch_ex = {m: r.choice(self.exchanges) for m in self.merchants}
        self.users = []
        self.u_type = {}
        self.u_reuse = {}
        self.u_addr = {}
        types = ["pkh"] * 12 + ["shwpkh"] * 15 + ["wpkh"] * 48 + ["tr"] * 20 + ["wsh23"] * 3 + ["shms"] * 2
        for i in range(self.n_users):
            u = self.entity("user %d" % i, "user")
            self.users.append(u)
            self.u_type[u] = r.choice(types)
            self.u_reuse[u] = r.choice([0.02, 0.02, 0.02, 0.3, 0.8])
            self.u_addr[u] = self.addr(u, self.u_type[u])
        self.makers = r.sample(self.users, 6)   # CoinSwap makers
        self.maturing = []
        self.stale = []
        self.events = []
        self.evn = 0
        self.plain_txs = 0

    def uaddr(self, u, st=None):
        if st is None and self.rng.random() < self.u_reuse[u]:
            return self.u_addr[u]
        return self.addr(u, st or self.u_type[u])

    def dep(self, ex, cust):
        k = (ex, cust)
        if k not in self.depaddr:
            self.depaddr[k] = self.addr(ex, self.rng.choice(["wpkh", "shwpkh", "pkh"]), "exchange_deposit", str(cust))
        return self.depaddr[k]

    def at(self, h, fn, *args):
        import heapq
        self.evn += 1
        heapq.heappush(self.events, (h, self.evn, fn, args))

    def amount(self, cap):
        r = self.rng
        x = r.random()
        if x < 0.3:
            v = r.choice([1, 2, 5, 10, 20, 25, 50]) * COIN // r.choice([100, 1000, 10])
        else:
            v = int(COIN * r.lognormvariate(-3.5, 1.6))
        return max(10_000, min(v, cap))

    def pay_change(self, payer, keys, s, outs, nout_extra=1, rate=None, change_st=None):
        """outs: the payments; a change to the payer (fresh or reused) if it is above dust"""
        f = self.fee(keys, len(outs) + nout_extra, rate)
        ch = s - sum(o[1] for o in outs) - f
        if ch < 0:
            return None
        o = list(outs)
        if ch >= 1000:
            o.insert(self.rng.randrange(len(o) + 1), (self.uaddr(payer, change_st) if payer in self.u_type else
                                                      self.addr(payer, change_st or "wpkh"), ch, None))
        return self.tx(keys, o)

    def a_pay(self):
        r = self.rng
        u = r.choice(self.users)
        keys, s = self.take(u, 20_000, r.randint(1, 3))
        if not keys:
            return False
        if r.random() < 0.35:
            m = r.choice(self.merchants)
            to = self.addr(m, "wpkh")
        else:
            to = self.uaddr(r.choice(self.users))
        amt = min(self.amount(s), int(s * r.uniform(0.05, 0.95)))
        outs = [(to, amt, None)]
        if r.random() < 0.01:
            outs.append((None, 0, b"alt5 memo %d" % r.getrandbits(40)))
        if self.pay_change(u, keys, s, outs) is None:
            self.wal[u].extend(keys)
            return False
        return True

    def a_deposit(self):
        r = self.rng
        u = r.choice(self.users)
        keys, s = self.take(u, 50_000, r.randint(1, 4))
        if not keys:
            return False
        ex = r.choice(self.exchanges)
        d = self.dep(ex, u)
        amt = s if r.random() < 0.4 else int(s * r.uniform(0.2, 0.9))
        f = self.fee(keys, 2)
        if amt + f > s:
            amt = s - f
        if amt < 10_000:
            self.wal[u].extend(keys)
            return False
        outs = [(d, amt, None)]
        if s - amt - f >= 1000:
            outs.append((self.uaddr(u), s - amt - f, None))
            r.shuffle(outs)
        owner = [self.exdep[ex] if o[0] == d else self.wal[u] for o in outs]
        self.tx(keys, outs, owner_to=owner)
        return True

    def a_withdraw(self, ex=None, extra=()):
        """a batched withdrawal from the hot wallet to honest customers (and `extra` payees)"""
        r = self.rng
        ex = ex or r.choice(self.exchanges)
        n = r.randint(3, 60)
        pays = []
        for _ in range(n):
            u = r.choice(self.users)
            pays.append((self.uaddr(u), self.amount(30 * COIN), None))
        if r.random() < 0.1:   # a CoinSwap maker restocks
            pays.append((self.uaddr(r.choice(self.makers)), r.randint(1, 20) * COIN, None))
        pays += list(extra)
        need = sum(p[1] for p in pays)
        if need * 8 > self.balance_list(self.wal[ex]) and not extra:
            return False
        keys, s = self.take(ex, need + 200_000, 12)
        if not keys:
            return False
        f = self.fee(keys, len(pays) + 1)
        if s - need - f < 0:
            self.wal[ex].extend(keys)
            return False
        outs = pays + [(r.choice(self.ex_hot[ex]), s - need - f, None)]
        r.shuffle(outs)
        t = self.tx(keys, outs)
        self.lookalikes.append(("exchange_withdrawal", t[::-1].hex(), self.heist_name if extra else ""))
        return t

    def a_sweep(self, ex=None, big=False):
        r = self.rng
        ex = ex or r.choice(self.exchanges)
        lst = self.exdep[ex]
        n = min(len(lst), r.randint(1500, 2500) if big else r.randint(5, 150))
        if n < 2:
            return False
        keys = []
        for _ in range(n):
            k = lst.pop()
            if k in self.utxo:
                keys.append(k)
        if not keys:
            return False
        s = sum(self.val(k) for k in keys)
        f = self.fee(keys, 1, 1.0 if big or r.random() < 0.5 else None)
        if s <= f + 1000:
            lst.extend(keys)
            return False
        to = r.choice(self.ex_hot[ex])
        if r.random() < 0.15:
            to = self.ex_cold[ex]
            self.tx(keys, [(to, s - f, None)], owner_to=[self.cold[ex]])
        else:
            self.tx(keys, [(to, s - f, None)])
        self.lookalikes.append(("consolidation" if big else "exchange_sweep", self.last_txid(), ""))
        return True

    def last_txid(self):
        return self.block_txs[-1][0].hex() if False else self.block_txs[-1][0][::-1].hex()

    def a_cold(self):
        r = self.rng
        ex = r.choice(self.exchanges)
        keys, s = self.take(None, 1, 3, self.cold[ex])
        if not keys:
            return False
        f = self.fee(keys, 2)
        part = int(s * r.uniform(0.2, 0.6))
        self.tx(keys, [(r.choice(self.ex_hot[ex]), part, None), (self.ex_cold[ex], s - part - f, None)],
                owner_to=[self.wal[ex], self.cold[ex]])
        return True

    def a_pool(self):
        r = self.rng
        p = r.choice(self.pools)
        keys, s = self.take(p, 5 * COIN, 3)
        if not keys:
            return False
        if r.random() < 0.45:    # sell at an exchange
            ex = r.choice(self.exchanges[:3] * 2 + self.exchanges)
            d = self.dep(ex, p)
            f = self.fee(keys, 1)
            self.tx(keys, [(d, s - f, None)], owner_to=[self.exdep[ex]])
            return True
        n = r.randint(100, 400)
        total = int(s * r.uniform(0.5, 0.95))
        w = [r.paretovariate(1.3) for _ in range(n)]
        sw = sum(w)
        pays = []
        for x in w:
            v = int(total * x / sw)
            if v >= 5_000:
                u = r.choice(self.users)
                pays.append((self.u_addr[u] if r.random() < 0.7 else self.uaddr(u), v, None))
        f = self.fee(keys, len(pays) + 1)
        ch = s - sum(p_[1] for p_ in pays) - f
        if ch < 0:
            self.wal[p].extend(keys)
            return False
        self.tx(keys, pays + [(self.pool_pay[p], ch, None)])
        self.lookalikes.append(("pool_payout", self.last_txid(), ""))
        return True

    def a_order(self, payer=None, keys=None, s=None):
        """an instant swap order: the payer pays a fresh order address of the swapper"""
        r = self.rng
        u = r.choice(self.users)
        keys, s = self.take(u, 100_000, 3)
        if not keys:
            return False
        sw = r.choice(self.swappers)
        oa = self.addr(sw, "wpkh", "instant_exchange_order")
        amt = int(s * r.uniform(0.3, 1.0))
        f = self.fee(keys, 2)
        if amt + f > s:
            amt = s - f
        outs = [(oa, amt, None)]
        if s - amt - f >= 1000:
            outs.append((self.uaddr(u), s - amt - f, None))
        self.tx(keys, outs, owner_to=[self.orders[sw] if o[0] == oa else self.wal[u] for o in outs])
        return True

    def a_sw_sweep(self):
        r = self.rng
        sw = r.choice(self.swappers)
        lst = self.orders[sw]
        keys = [k for k in lst[:r.randint(2, 20)] if k in self.utxo]
        del lst[:len(keys)]
        if len(keys) < 1:
            return False
        s = sum(self.val(k) for k in keys)
        f = self.fee(keys, 1)
        self.tx(keys, [(self.sw_hot[sw], s - f, None)])
        return True

    def a_sw_payout(self, sw=None, extra=()):
        """the swapper pays several customers (BTC bought with other coins) from its hot wallet or
        straight from an order coin"""
        r = self.rng
        sw = sw or r.choice(self.swappers)
        pays = [(self.uaddr(r.choice(self.users)), self.amount(3 * COIN), None) for _ in range(r.randint(1, 8))]
        pays += list(extra)
        need = sum(p[1] for p in pays)
        src = self.orders[sw] if r.random() < 0.3 and not extra else self.wal[sw]
        keys, s = self.take(sw, need + 50_000, 8, src)
        if not keys:
            return False
        f = self.fee(keys, len(pays) + 1)
        if s - need - f < 1000:
            src.extend(keys)
            return False
        outs = pays + [(self.sw_hot[sw], s - need - f, None)]
        r.shuffle(outs)
        t = self.tx(keys, outs)
        self.lookalikes.append(("swapper_payout", t[::-1].hex(), self.heist_name if extra else ""))
        return t

    def a_otc(self):
        r = self.rng
        o = r.choice(self.otcs)
        if r.random() < 0.5:   # a client sells BTC to the desk (fresh address per trade)
            u = r.choice(self.users)
            keys, s = self.take(u, COIN, 5)
            if not keys:
                return False
            f = self.fee(keys, 1)
            self.tx(keys, [(self.addr(o, "wpkh"), s - f, None)])
            return True
        # the desk starts an honest peel chain of payouts to clients / its exchange account
        keys, s = self.take(o, 5 * COIN, 6)
        if not keys:
            return False
        f = self.fee(keys, 1)
        start = self.tx(keys, [(self.addr(o, "wpkh"), s - f, None)], owner_to=[[]])
        self.honest_chain_n += 1
        self.at(self.height + r.randint(1, 4), self.ev_honest_peel, o, (start, 0), self.honest_chain_n, 1,
                r.randint(6, 20), r.uniform(0.02, 0.35))
        return True

    def ev_honest_peel(self, o, key, chain, hop, hops, frac):
        r = self.rng
        if key not in self.utxo:
            return
        s = self.val(key)
        peel = int(s * r.uniform(frac * 0.5, frac))
        if r.random() < 0.25:
            ex = r.choice(self.exchanges)
            to = self.dep(ex, o)
            exn = self.e_name[ex]
        else:
            to = self.uaddr(r.choice(self.users))
            exn = ""
        f = self.fee([key], 2)
        rem = s - peel - f
        if peel < 20_000 or rem < 100_000:
            self.tx([key], [(self.addr(o, "wpkh"), s - f, None)])
            return
        ra = self.addr(o, "wpkh")
        outs = [(to, peel, None), (ra, rem, None)]
        if r.random() < 0.5:
            outs.reverse()
        owner = [[] if x[0] == ra else None for x in outs]
        txid = self.tx([key], outs, owner_to=[([] if x[0] == ra else
                                               (self.exdep[ex] if exn else self.wal[self.a_ent[to]])) for x in outs])
        pv = [i for i, x in enumerate(outs) if x[0] == to][0]
        self.peels.append(["", chain, hop, txid[::-1].hex(), self.height, pv, peel, self.a_str[to], exn, 1 - pv, rem])
        del owner
        if hop < hops:
            self.at(self.height + r.randint(1, 6), self.ev_honest_peel, o, (txid, 1 - pv), chain, hop + 1, hops, frac)
        else:
            self.wal[o].append((txid, 1 - pv))

    def a_merchant(self):
        r = self.rng
        m = r.choice(self.merchants)
        if len(self.wal[m]) < 5:
            return False
        keys = [k for k in self.wal[m] if k in self.utxo][:200]
        self.wal[m] = []
        if not keys:
            return False
        s = sum(self.val(k) for k in keys)
        ex = self.merch_ex[m]
        f = self.fee(keys, 1, 1.0)
        if s <= f + 5000:
            return False
        self.tx(keys, [(self.dep(ex, m), s - f, None)], owner_to=[self.exdep[ex]])
        return True

    def a_consolidate(self):
        r = self.rng
        u = r.choice(self.users)
        lst = [k for k in self.wal[u] if k in self.utxo]
        if len(lst) < 4:
            return False
        keys = lst[:r.randint(4, min(40, len(lst)))]
        self.wal[u] = lst[len(keys):]
        s = sum(self.val(k) for k in keys)
        f = self.fee(keys, 1, 1.0)
        if s <= f + 5000:
            self.wal[u].extend(keys)
            return False
        self.tx(keys, [(self.uaddr(u), s - f, None)])
        return True

    def a_cpfp(self):
        """a payment at 1 sat/vB and the payee's child at a high rate, in the same block"""
        r = self.rng
        u = r.choice(self.users)
        keys, s = self.take(u, 200_000, 2)
        if not keys:
            return False
        v = r.choice(self.users)
        to = self.uaddr(v)
        amt = int(s * r.uniform(0.2, 0.8))
        t1 = self.pay_change(u, keys, s, [(to, amt, None)], rate=1.0)
        if t1 is None:
            self.wal[u].extend(keys)
            return False
        k = [kk for kk in self.wal[v] if kk[0] == t1]
        if not k:
            return True
        self.wal[v].remove(k[0])
        f = self.fee(k, 1, self.feerate * 4)
        if self.val(k[0]) > f + 1000:
            self.tx(k, [(self.uaddr(v), self.val(k[0]) - f, None)])
            self.lookalikes.append(("cpfp", self.last_txid(), t1[::-1].hex()))
        else:
            self.wal[v].append(k[0])
        return True

    # -------- Samourai-style tools
    def stonewall(self, u, keys, s, to, amt, ent_coins=None):
        """one wallet: inputs in two sets, two equal outputs (the payment and a decoy to itself),
        two changes; returns the txid or None"""
        r = self.rng
        f = self.fee(keys, 4)
        half = len(keys) // 2
        s1 = sum(self.val(k) for k in keys[:half])
        s2 = s - s1
        if s1 < amt + f or s2 < amt + f:
            return None
        mk = (lambda: self.uaddr(u, "wpkh")) if u in self.u_type else (lambda: self.addr(u, "wpkh"))
        outs = [(to, amt, None), (mk(), amt, None), (mk(), s1 - amt - f // 2, None), (mk(), s2 - amt - (f - f // 2), None)]
        r.shuffle(outs)
        return self.tx(keys, outs, owner_to=ent_coins and [None if o[0] != to else ent_coins for o in outs])

    def a_stonewall(self):
        r = self.rng
        u = r.choice(self.users)
        keys, s = self.take(u, 200_000, 2)
        k2, s2 = self.take(u, 200_000, 2) if keys else (None, 0)
        if not k2:
            if keys:
                self.wal[u].extend(keys)
            return False
        keys, s = keys + k2, s + s2
        to = self.addr(r.choice(self.merchants), "wpkh") if r.random() < 0.5 else self.uaddr(r.choice(self.users))
        amt = int(min(self.val(keys[0]), s - self.val(keys[0])) * r.uniform(0.2, 0.8))
        t = self.stonewall(u, keys, s, to, amt)
        if t is None:
            self.wal[u].extend(keys)
            return False
        self.lookalikes.append(("stonewall", t[::-1].hex(), ""))
        return True

    def stonewallx2(self, a, akeys, asum, b, to, amt, note=""):
        """two owners: a pays `to` amt; b (the collaborator) takes amt back to itself; two changes"""
        r = self.rng
        bkeys, bsum = self.take(b, amt + 20_000, 2)
        if not bkeys:
            return None
        f = self.fee(akeys + bkeys, 4)
        if asum - amt - f < 1000:
            self.wal[b].extend(bkeys)
            return None
        ma = (lambda: self.uaddr(a, "wpkh")) if a in self.u_type else (lambda: self.addr(a, "wpkh"))
        outs = [(to, amt, None), (self.uaddr(b, "wpkh"), amt, None), (ma(), asum - amt - f, None),
                (self.uaddr(b, "wpkh"), bsum - amt, None)]
        outs = [o for o in outs if o[1] >= 546] if bsum - amt >= 546 else outs[:3]
        r.shuffle(outs)
        ins = akeys + bkeys
        r.shuffle(ins)
        t = self.tx(ins, outs)
        self.coinjoins.append([t[::-1].hex(), self.height, "stonewallx2", b, len(ins), len(outs), note])
        return t

    def a_stonewallx2(self):
        r = self.rng
        a = r.choice(self.users)
        keys, s = self.take(a, 300_000, 3)
        if not keys:
            return False
        b = r.choice(self.users)
        to = self.addr(r.choice(self.merchants), "wpkh") if r.random() < 0.5 else self.uaddr(r.choice(self.users))
        amt = int(s * r.uniform(0.1, 0.6))
        if b == a or self.stonewallx2(a, keys, s, b, to, amt) is None:
            self.wal[a].extend(keys)
            return False
        return True

    def stowaway(self, a, akeys, asum, m, amt, note=""):
        """PayJoin: payee m adds a coin and receives amt + its coin in one output"""
        r = self.rng
        mkeys, msum = self.take(m, 1, 1)
        if not mkeys:
            return None
        f = self.fee(akeys + mkeys, 2)
        if asum - amt - f < 1000:
            self.wal[m].extend(mkeys)
            return None
        ma = self.uaddr(a, "wpkh") if a in self.u_type else self.addr(a, "wpkh")
        pay = self.addr(m, "wpkh")
        outs = [(pay, amt + msum, None), (ma, asum - amt - f, None)]
        r.shuffle(outs)
        ins = akeys + mkeys
        r.shuffle(ins)
        t = self.tx(ins, outs)
        self.coinjoins.append([t[::-1].hex(), self.height, "stowaway", m, len(ins), len(outs), note])
        return t, outs.index((pay, amt + msum, None))

    def a_stowaway(self):
        r = self.rng
        a = r.choice(self.users)
        keys, s = self.take(a, 200_000, 2)
        if not keys:
            return False
        m = r.choice(self.merchants + self.users[:200])
        if m == a or self.stowaway(a, keys, s, m, int(s * r.uniform(0.05, 0.7))) is None:
            self.wal[a].extend(keys)
            return False
        return True

    def ricochet(self, owner, keys, s, to, amt, owner_to_last=None, note=""):
        """hop 1 pays the hop address and the 100k fee (change back); hops 2-4 single in, single out;
        the last pays `to`. Returns the list of txids (the last one pays `to`)."""
        r = self.rng
        hop_fee = int(self.feerate * 120) + 200
        f = self.fee(keys, 3)
        first = amt + 4 * hop_fee
        ch = s - first - RICOCHET_FEE - f
        if ch < 0:
            return None
        mk = (lambda: self.addr(owner, "wpkh"))
        ha = mk()
        outs = [(ha, first, None), (self.rico_fee, RICOCHET_FEE, None)]
        if ch >= 1000:
            outs.append((self.uaddr(owner) if owner in self.u_type else mk(), ch, None))
        r.shuffle(outs)
        t = self.tx(keys, outs, owner_to=[[] if o[0] == ha else None for o in outs])
        txs = [t]
        key = (t, [o[0] for o in outs].index(ha))
        v = first
        for i in range(4):
            v -= hop_fee
            last = i == 3
            na = to if last else mk()
            vv = amt if last else v
            t = self.tx([key], [(na, vv, None)], owner_to=[owner_to_last if last else []])
            txs.append(t)
            key = (t, 0)
        for t in txs:
            self.lookalikes.append(("ricochet", t[::-1].hex(), note))
        return txs

    def a_ricochet(self):
        r = self.rng
        u = r.choice(self.users)
        keys, s = self.take(u, 1_000_000, 3)
        if not keys:
            return False
        to = self.addr(r.choice(self.merchants), "wpkh") if r.random() < 0.4 else self.uaddr(r.choice(self.users))
        if self.ricochet(u, keys, s, to, int(s * r.uniform(0.3, 0.8))) is None:
            self.wal[u].extend(keys)
            return False
        return True

    def tx0(self, owner, keys, s, pool, nmax, heist=""):
        """premixes of pool + slack, the pool fee, a 46-byte OP_RETURN, toxic change"""
        r = self.rng
        slack = int(pool * 0.0 + r.uniform(0.5, 2.0) * 300 * max(1.0, self.feerate / 5))
        per = pool + slack
        f_est = self.fee(keys, nmax + 3)
        k = min(nmax, (s - POOL_FEE[pool] - f_est) // per)
        if k < 1:
            return None
        f = self.fee(keys, k + 3)
        ch = s - k * per - POOL_FEE[pool] - f
        if ch < 0:
            k -= 1
            ch += per
            if k < 1:
                return None
        mk = (lambda st="wpkh": self.uaddr(owner, st)) if owner in self.u_type else (lambda st="wpkh": self.addr(owner, st))
        pre = [mk("wpkh") if owner not in self.u_type else self.addr(owner, "wpkh") for _ in range(k)]
        outs = [(a, per, None) for a in pre] + [(self.coord_fee[pool], POOL_FEE[pool], None),
                                                (None, 0, bytes(r.getrandbits(8) for _ in range(46)))]
        chaddr = None
        if ch >= 1000:
            chaddr = mk()
            outs.append((chaddr, ch, None))
        r.shuffle(outs)
        t = self.tx(keys, outs, owner_to=[[] if o[0] in pre else None for o in outs])
        self.last_tx0_change = (t, [o[0] for o in outs].index(chaddr)) if chaddr is not None else None
        for n, o in enumerate(outs):
            if o[0] in pre:
                self.premix[pool].append(((t, n), owner))
        self.tx0s.append([t[::-1].hex(), self.height, "tx0", pool, owner, len(keys), k, len(outs), heist])
        return t

    def a_tx0(self):
        r = self.rng
        u = r.choice(self.users)
        pool = r.choice(POOLS)
        keys, s = self.take(u, pool * r.randint(1, 6) + POOL_FEE[pool] + 50_000, 3)
        if not keys:
            return False
        if self.tx0(u, keys, s, pool, r.choice([1, 2, 3, 5, 10, 20])) is None:
            self.wal[u].extend(keys)
            return False
        return True

    def mix(self, pool, force=None):
        """5 inputs of 5 owners (1-2 premixes, remixes), 5 equal outputs to fresh addresses"""
        r = self.rng
        pre, post = self.premix[pool], self.postmix[pool]
        chosen, owners = [], set()
        want_pre = r.choice([1, 2, 2, 3])
        for src, want in ((force or [], 5), (pre, want_pre), (post, 5), (pre, 5)):
            tries = 0
            while len(chosen) < 5 and src and tries < 30 and sum(1 for c in chosen if c[2] == src) < want:
                tries += 1
                i = r.randrange(len(src))
                k, o = src[i]
                if k not in self.utxo:
                    src[i] = src[-1]
                    src.pop()
                    continue
                if o in owners:
                    continue
                src[i] = src[-1]
                src.pop()
                chosen.append((k, o, src))
                owners.add(o)
        if len(chosen) < 5 or not any(self.val(c[0]) > pool for c in chosen):
            for k, o, src in chosen:
                src.append((k, o))
            return None
        keys = [c[0] for c in chosen]
        r.shuffle(keys)
        self.cur_kind = "whirlpool"
        own = {c[0]: c[1] for c in chosen}
        outs = []
        for k in keys:
            o = own[k]
            outs.append((self.addr(o, "wpkh"), pool, None))
        r.shuffle(outs)
        t = self.tx(keys, outs, owner_to=[[]] * 5)
        for n, o in enumerate(outs):
            post.append(((t, n), self.a_ent[o[0]]))
        thief = any(self.e_cat[c[1]] == "thief" for c in chosen)
        self.coinjoins.append([t[::-1].hex(), self.height, "whirlpool", self.coord, 5, 5, self.heist_name if thief else ""])
        return t

    def a_mix(self):
        pool = self.rng.choice(POOLS)
        if not self.premix[pool]:
            return False
        return self.mix(pool) is not None

    def a_postmix_spend(self):
        r = self.rng
        pool = r.choice(POOLS)
        post = self.postmix[pool]
        if len(post) < 30:
            return False
        i = r.randrange(len(post))
        k, o = post[i]
        post[i] = post[-1]
        post.pop()
        if k not in self.utxo or self.e_cat[o] != "user":
            if k in self.utxo:
                post.append((k, o))
            return False
        x = r.random()
        f = self.fee([k], 2)
        if x < 0.4:
            ex = r.choice(self.exchanges)
            self.tx([k], [(self.dep(ex, o), pool - f, None)], owner_to=[self.exdep[ex]])
        elif x < 0.7:
            to = self.addr(r.choice(self.merchants), "wpkh")
            amt = int(pool * r.uniform(0.2, 0.8))
            self.tx([k], [(to, amt, None), (self.addr(o, "wpkh"), pool - amt - f, None)])
        else:
            self.wal[o].append(k)   # into the owner's wallet (spent with other coins later)
        return True

    # -------- swaps
    def a_coinswap(self):
        """A funds a 2-of-2 P2WSH; maker B funds another; later each multisig pays the other party"""
        r = self.rng
        a = r.choice(self.users)
        keys, s = self.take(a, 2_000_000, 3)
        if not keys:
            return False
        amt = int(s * r.uniform(0.3, 0.9))
        if self.coinswap(a, keys, s, amt) is None:
            self.wal[a].extend(keys)
            return False
        return True

    def coinswap(self, a, keys, s, amt, recv_list=None, note="", recv_owner=None):
        r = self.rng
        b = max(self.makers, key=lambda m: (self.balance_list(self.wal[m]), m)) if note else r.choice(self.makers)
        bkeys, bs = self.take(b, amt + 100_000, 12)
        if not bkeys:
            return None
        fa = self.fee(keys, 2)
        if s - amt - fa < 0:
            self.wal[b].extend(bkeys)
            return None
        ma = self.addr(a, "wsh22")
        mb = self.addr(b, "wsh22")
        mka = (lambda: self.uaddr(a)) if a in self.u_type else (lambda: self.addr(a, "wpkh"))
        outs = [(ma, amt, None)] + ([(mka(), s - amt - fa, None)] if s - amt - fa >= 1000 else [])
        ta = self.tx(keys, outs, owner_to=[[] if o[0] == ma else None for o in outs])
        fb = self.fee(bkeys, 2)
        bamt = amt - int(amt * 0.002)    # the maker's fee
        outs_b = [(mb, bamt, None)] + ([(self.uaddr(b), bs - bamt - fb, None)] if bs - bamt - fb >= 1000 else [])
        if bs - bamt - fb < 0:
            outs_b = [(mb, bs - fb, None)]
            bamt = bs - fb
        tb = self.tx(bkeys, outs_b, owner_to=[[] if o[0] == mb else None for o in outs_b])
        d = r.randint(2, 12)
        self.at(self.height + d, self.ev_coinswap_settle, (ta, 0), b, (tb, 0), recv_owner or a, recv_list, note)
        for t in (ta, tb):
            self.lookalikes.append(("coinswap_funding", t[::-1].hex(), note))
        return ta

    def ev_coinswap_settle(self, ka, b, kb, a, recv_list, note):
        self.cur_kind = "coinswap_settle"
        f = self.fee([ka], 1)
        ta = self.tx([ka], [(self.uaddr(b, "wpkh"), self.val(ka) - f, None)])
        if note:
            self.honest_pay.append(((ta, 0), "coinswap_maker", b, self.val((ta, 0))))
        f = self.fee([kb], 1)
        to = self.addr(a, "wpkh") if a not in self.u_type else self.uaddr(a, "wpkh")
        tb = self.tx([kb], [(to, self.val(kb) - f, None)], owner_to=[recv_list] if recv_list is not None else None)
        if note:
            self.withdrawals.append([tb[::-1].hex(), 0, self.height, self.a_str[to], self.val((tb, 0)), "coinswap", self.e_name[b]])
        for t in (ta, tb):
            self.lookalikes.append(("coinswap_settle", t[::-1].hex(), note))

    def loop_in(self, payer, keys, s, amt, owner_back=None, note=""):
        """submarine swap: pay an HTLC P2WSH of the swap service; the service claims it later"""
        r = self.rng
        h = self.addr(self.ln, "htlc", "instant_exchange_order")
        f = self.fee(keys, 2)
        ch = s - amt - f
        if ch < 0:
            return None
        mk = (lambda: self.uaddr(payer)) if payer in self.u_type else (lambda: self.addr(payer, "wpkh"))
        outs = [(h, amt, None)] + ([(mk(), ch, None)] if ch >= 1000 else [])
        r.shuffle(outs)
        t = self.tx(keys, outs, owner_to=[[] if o[0] == h else None for o in outs])
        n = [o[0] for o in outs].index(h)
        self.at(self.height + r.randint(1, 3), self.ev_claim, (t, n))
        self.lookalikes.append(("loop_in", t[::-1].hex(), note))
        return t

    def ev_claim(self, k):
        f = self.fee([k], 1)
        self.tx([k], [(self.ln_wal, self.val(k) - f, None)], locktime=0)
        self.lookalikes.append(("htlc_claim", self.last_txid(), ""))

    def a_loop_in(self):
        r = self.rng
        u = r.choice(self.users)
        keys, s = self.take(u, 500_000, 3)
        if not keys:
            return False
        if self.loop_in(u, keys, s, int(s * r.uniform(0.2, 0.9))) is None:
            self.wal[u].extend(keys)
            return False
        return True

    def a_loop_out(self, u=None, amt=None, recv_list=None, note=""):
        """the service funds an HTLC; the user claims it with the preimage"""
        r = self.rng
        u = u or r.choice(self.users)
        amt = amt or self.amount(2 * COIN)
        keys, s = self.take(self.ln, amt + 100_000, 6)
        if not keys:
            if note:
                self.at(self.height + 5, self.a_loop_out, u, amt, recv_list, note)
            return False
        h = self.addr(self.ln, "htlc", "instant_exchange_order")
        f = self.fee(keys, 2)
        t = self.tx(keys, [(h, amt, None), (self.ln_wal, s - amt - f, None)], owner_to=[[], None])
        self.at(self.height + r.randint(1, 3), self.ev_loop_out_claim, (t, 0), u, recv_list, note)
        self.lookalikes.append(("loop_out", t[::-1].hex(), note))
        return True

    def ev_loop_out_claim(self, k, u, recv_list, note):
        f = self.fee([k], 1)
        to = self.uaddr(u, "wpkh") if u in self.u_type else self.addr(u, "wpkh")
        t = self.tx([k], [(to, self.val(k) - f, None)], owner_to=[recv_list] if recv_list is not None else None)
        self.lookalikes.append(("loop_out_claim", t[::-1].hex(), note))
        if note:
            self.withdrawals.append([t[::-1].hex(), 0, self.height, self.a_str[to], self.val((t, 0)), "loop_out", self.e_name[self.ln]])

    # ---------------------------------------------------------------- the heist
    def tdep(self, ex=None):
        """one of the thief's deposit addresses (four accounts at each of its exchanges)"""
        ex = ex if ex is not None else self.rng.choice(self.t_ex)
        return ex, self.dep(ex, ("T", self.rng.randrange(4)))

    def taddr(self):
        return self.addr(self.thief, self.rng.choice(["wpkh", "wpkh", "tr", "shwpkh"]))

    def ev_theft(self, tries=0):
        """the victim's signing keys are compromised: its hot wallet and its 2-of-3 cold wallet"""
        r = self.rng
        vic = self.victim
        have = self.balance_list(self.wal[vic]) + self.balance_list(self.cold[vic])
        if have < 500 * COIN * self.scale_money and tries < 40:
            self.at(self.height + 5, self.ev_theft, tries + 1)
            return
        amount = min(int(r.uniform(400, 5000) * COIN * self.scale_money), int(have * 0.85))
        amount -= amount % 1000
        lst = sorted((k for k in self.wal[vic] + self.cold[vic] if k in self.utxo), key=lambda k: -self.val(k))
        keys, s = [], 0
        for k in lst:
            keys.append(k)
            s += self.val(k)
            if s >= amount + COIN // 10:
                break
        ks = set(keys)
        self.wal[vic] = [k for k in self.wal[vic] if k not in ks]
        self.cold[vic] = [k for k in self.cold[vic] if k not in ks]
        f = self.fee(keys, 4)
        n = r.randint(2, 4)
        parts = [amount // n] * n
        parts[0] += amount - sum(parts)
        outs = [(self.taddr(), v, None) for v in parts]
        stolen_addrs = [o[0] for o in outs]
        outs.append((self.ex_hot[vic][0], s - amount - f, None))
        self.cur_kind = "theft"
        t = self.tx(keys, outs, owner_to=[self.tcoins] * n + [None])
        self.tkind[t] = "theft"
        self.theft = {"txid": t, "height": self.height, "inputs": keys, "amount": amount,
                      "outs": [((t, i), parts[i], stolen_addrs[i]) for i in range(n)]}
        self.at(self.height + r.randint(2, 8), self.ev_fanout)

    def ev_fanout(self):
        r = self.rng
        keys = [k for k in self.tcoins if k in self.utxo]
        self.tcoins = []
        s = sum(self.val(k) for k in keys)
        n = r.randint(16, 22)
        w = [r.uniform(0.3, 1.7) for _ in range(n)]
        f = self.fee(keys, n, self.t_rate())
        tot = s - f
        parts = [int(tot * x / sum(w)) for x in w]
        parts[0] += tot - sum(parts)
        outs = [(self.taddr(), v, None) for v in parts]
        self.cur_kind = "fan_out"
        t = self.tx(keys, outs, owner_to=[[]] * n)
        coins = [(t, i) for i in range(n)]
        r.shuffle(coins)
        h = self.height
        span = self.t_span
        # routes
        for c in coins[:5]:
            self.at(h + r.randint(1, span // 10), self.ev_peel, c, 0, r.randint(10, 30), r.uniform(0.03, 0.2))
        for c in coins[5:8]:
            self.at(h + r.randint(1, span // 8), self.ev_tx0, c)
        for c in coins[8:9]:
            self.at(h + r.randint(1, span // 8), self.ev_custodial_roundtrip, c)
        for c in coins[9:10]:
            self.at(h + r.randint(1, span // 8), self.ev_swapper_roundtrip, c)
        for c in coins[10:11]:
            self.at(h + r.randint(1, span // 8), self.ev_coinswap, c)
        for c in coins[11:12]:
            self.at(h + r.randint(1, span // 8), self.ev_tools, c)
        for c in coins[12:13]:
            self.at(h + r.randint(1, span // 8), self.ev_loops, c)
        rest = coins[13:]
        self.at(h + r.randint(span // 4, span // 3), self.ev_consolidate_cashout, rest)

    def t_rate(self):
        return self.feerate * self.rng.uniform(0.7, 1.5)

    def deposit_coin(self, k, kind):
        ex, d = self.tdep()
        f = self.fee([k], 1, self.t_rate())
        self.cur_kind = kind
        return self.tx([k], [(d, self.val(k) - f, None)], owner_to=[self.exdep[ex]])

    def ev_peel(self, k, hop, hops, frac):
        r = self.rng
        if k not in self.utxo:
            return
        s = self.val(k)
        hop += 1
        peel = int(s * r.uniform(frac * 0.3, frac))
        x = r.random()
        if x < 0.65:
            ex, to = self.tdep()
            lst = self.exdep[ex]
            exn = self.e_name[ex]
        elif x < 0.8:
            sw = r.choice(self.swappers)
            to = self.addr(sw, "wpkh", "instant_exchange_order")
            lst, exn = self.orders[sw], self.e_name[sw]
        elif x < 0.9:
            to = self.addr(self.ln, "htlc", "instant_exchange_order")
            lst, exn = [], self.e_name[self.ln]
        else:
            o = r.choice(self.otcs)
            to = self.addr(o, "wpkh")
            lst, exn = self.wal[o], self.e_name[o]
        f = self.fee([k], 2, self.t_rate())
        rem = s - peel - f
        if hop > hops or rem < 20_000 or peel < 10_000:
            self.tcash.append(k)
            return
        ra = self.taddr()
        outs = [(to, peel, None), (ra, rem, None)]
        if r.random() < 0.5:
            outs.reverse()
        self.cur_kind = "peel"
        t = self.tx([k], outs, owner_to=[lst if o[0] == to else [] for o in outs])
        pv = [o[0] for o in outs].index(to)
        if self.a_type[to] == "htlc":
            self.pending_htlc[to] = (t, pv)
            self.at(self.height + r.randint(1, 3), self.ev_claim_later, to)
        self.peels.append([self.heist_name, self.chain_id(k), hop, t[::-1].hex(), self.height, pv, peel,
                           self.a_str[to], exn, 1 - pv, rem])
        self.chain_of[(t, 1 - pv)] = self.chain_id(k)
        self.at(self.height + r.randint(1, 10), self.ev_peel, (t, 1 - pv), hop, hops, frac)

    def ev_claim_later(self, a):
        k = self.pending_htlc.pop(a, None)
        if k and k in self.utxo:
            self.ev_claim(k)

    def chain_id(self, k):
        if k not in self.chain_of:
            self.nchains += 1
            self.chain_of[k] = self.nchains
        return self.chain_of[k]

    def ev_tx0(self, k):
        r = self.rng
        if k not in self.utxo:
            return
        s = self.val(k)
        pool = 50_000_000 if s > 40 * COIN else 5_000_000
        self.cur_kind = "tx0"
        t = self.tx0(self.thief, [k], s, pool, r.randint(15, 40), self.heist_name)
        if t is None:
            self.tcash.append(k)
            return
        if self.last_tx0_change:   # the toxic change: a Ricochet to a deposit later
            self.wal[self.thief].remove(self.last_tx0_change)
            self.at(self.height + r.randint(5, 30), self.ev_toxic, self.last_tx0_change)
        # the thief makes sure each premix is mixed soon (it waits in the queue with honest ones)
        for i in range(1, 8):
            self.at(self.height + i, self.ev_force_mix, pool)
        self.at(self.height + r.randint(self.t_span // 4, self.t_span // 2), self.ev_postmix_out, pool)

    def ev_force_mix(self, pool):
        mine = [(k, o) for k, o in self.premix[pool] if o == self.thief and k in self.utxo]
        for k, o in mine[:6]:
            self.premix[pool].remove((k, o))
            if self.mix(pool, force=[(k, o)]) is None:
                self.premix[pool].append((k, o))

    def ev_toxic(self, k):
        if k not in self.utxo:
            return
        ex, d = self.tdep()
        self.cur_kind = "ricochet"
        s = self.val(k)
        txs = self.ricochet(self.thief, [k], s, d, s - RICOCHET_FEE - 4 * (int(self.feerate * 120) + 200)
                            - self.fee([k], 3) - 2000, owner_to_last=self.exdep[ex], note=self.heist_name)
        if txs is None:
            self.tcash.append(k)

    def ev_postmix_out(self, pool):
        r = self.rng
        mine = [(k, o) for k, o in self.postmix[pool] if o == self.thief and k in self.utxo]
        for pair in mine:
            self.postmix[pool].remove(pair)
        coins = [k for k, _ in mine]
        r.shuffle(coins)
        while coins:
            x = r.random()
            k = coins.pop()
            if x < 0.5:
                self.deposit_coin(k, "postmix_deposit")
            elif x < 0.65 and coins:
                k2 = coins.pop()
                ex, d = self.tdep()
                f = self.fee([k, k2], 1, self.t_rate())
                self.cur_kind = "postmix_deposit"
                self.tx([k, k2], [(d, self.val(k) + self.val(k2) - f, None)], owner_to=[self.exdep[ex]])
            elif x < 0.8:
                sw = r.choice(self.swappers)
                oa = self.addr(sw, "wpkh", "instant_exchange_order")
                f = self.fee([k], 1, self.t_rate())
                self.cur_kind = "swap_order"
                self.tx([k], [(oa, self.val(k) - f, None)], owner_to=[self.orders[sw]])
            else:
                self.postmix[pool].append((k, self.thief))   # left in the pool (unspent or remixed)

    def ev_custodial_roundtrip(self, k):
        """deposit at an exchange, later withdraw from its hot wallet (batched with honest customers)"""
        r = self.rng
        if k not in self.utxo:
            return
        ex = r.choice(self.t_ex)
        v = self.val(k)
        self.deposit_coin(k, "deposit")
        for i in range(r.randint(2, 4)):
            self.at(self.height + r.randint(10, 60), self.ev_withdraw_thief, ex, int(v * r.uniform(0.1, 0.25)))

    def ev_withdraw_thief(self, ex, amt):
        to = self.addr(self.thief2, "wpkh")
        t = self.a_withdraw(ex, extra=[(to, amt, None)])
        if not t:
            self.at(self.height + 3, self.ev_withdraw_thief, ex, amt)
            return
        self.wd_rows.append((t, to, amt, "exchange_withdrawal", self.e_name[ex]))

    def ev_swapper_roundtrip(self, k):
        r = self.rng
        if k not in self.utxo:
            return
        coins = [k]
        v = self.val(k)
        sw = r.choice(self.swappers)
        oa = self.addr(sw, "wpkh", "instant_exchange_order")
        f = self.fee([k], 1, self.t_rate())
        self.cur_kind = "swap_order"
        self.tx(coins, [(oa, v - f, None)], owner_to=[self.orders[sw]])
        for i in range(r.randint(1, 3)):
            self.at(self.height + r.randint(3, 40), self.ev_sw_payout_thief, r.choice(self.swappers),
                    int(v * r.uniform(0.05, 0.2)))

    def ev_sw_payout_thief(self, sw, amt):
        to = self.addr(self.thief2, "wpkh")
        t = self.a_sw_payout(sw, extra=[(to, amt, None)])
        if not t:
            self.at(self.height + 3, self.ev_sw_payout_thief, sw, amt)
            return
        self.wd_rows.append((t, to, amt, "swapper_payout", self.e_name[sw]))

    def ev_coinswap(self, k, tries=0):
        if k not in self.utxo:
            return
        s = self.val(k)
        rich = max(self.balance_list(self.wal[m]) for m in self.makers)
        if rich < 5_000_000 and tries < 20:
            self.at(self.height + 5, self.ev_coinswap, k, tries + 1)
            return
        amt = min(s - 100_000, int(s * 0.6), int(rich * 0.7))
        self.cur_kind = "coinswap"
        # the thief's CoinSwap partner must hold enough: a maker is topped up by exchange withdrawals
        t = self.coinswap(self.thief, [k], s, amt, recv_list=None, note=self.heist_name, recv_owner=self.thief2)
        if t is None:
            self.tcash.append(k)
        else:
            ch = [kk for kk in self.wal[self.thief] if kk[0] == t]
            self.tcash.extend(ch)

    def ev_tools(self, k):
        """Stonewall to a swapper, a Stowaway to a merchant, a Stonewall X2 with a collaborator"""
        r = self.rng
        if k not in self.utxo:
            return
        s = self.val(k)
        f = self.fee([k], 5, self.t_rate())
        parts = [int((s - f) * x) for x in (0.3, 0.3, 0.2, 0.2)]
        parts[0] += s - f - sum(parts)
        outs = [(self.taddr(), v, None) for v in parts]
        self.cur_kind = "split"
        t = self.tx([k], outs, owner_to=[[]] * 4)
        c = [(t, i) for i in range(4)]
        # Stonewall (one owner) paying a swapper order
        sw = r.choice(self.swappers)
        oa = self.addr(sw, "wpkh", "instant_exchange_order")
        amt = int(min(parts[0], parts[1]) * 0.6)
        self.cur_kind = "stonewall"
        t1 = self.stonewall(self.thief, c[:2], parts[0] + parts[1], oa, amt, ent_coins=self.orders[sw])
        if t1:
            self.lookalikes.append(("stonewall", t1[::-1].hex(), self.heist_name))
            self.tcash.extend(kk for kk in self.wal[self.thief] if kk[0] == t1)
        # Stowaway: a PayJoin to a merchant
        m = r.choice(self.merchants)
        if not self.wal[m]:
            self.wal[m].extend([])
        self.cur_kind = "stowaway"
        amt = int(parts[2] * 0.5)
        res = self.stowaway(self.thief, [c[2]], parts[2], m, amt, note=self.heist_name)
        if res:
            self.honest_pay.append(((res[0], res[1]), "stowaway_merchant", m, amt))
            self.tcash.extend(kk for kk in self.wal[self.thief] if kk[0] == res[0])
        else:
            self.tcash.append(c[2])
        # Stonewall X2 with an honest collaborator, paying another merchant
        m2 = r.choice(self.merchants)
        pay = self.addr(m2, "wpkh")
        amt = min(int(parts[3] * 0.4), self.amount(2 * COIN))
        self.cur_kind = "stonewallx2"
        for _ in range(30):   # a collaborator (Soroban-paired) who holds enough
            t3 = self.stonewallx2(self.thief, [c[3]], parts[3], r.choice(self.users), pay, amt, note=self.heist_name)
            if t3:
                break
        if t3:
            n = [i for i in range(8) if (t3, i) in self.utxo and self.utxo[(t3, i)][1] == pay][0]
            self.honest_pay.append(((t3, n), "stonewallx2_merchant", m2, amt))
            self.tcash.extend(kk for kk in self.wal[self.thief] if kk[0] == t3)
        else:
            self.tcash.append(c[3])

    def ev_loops(self, k):
        r = self.rng
        if k not in self.utxo:
            return
        s = self.val(k)
        self.cur_kind = "loop_in"
        t = self.loop_in(self.thief, [k], s, int(s * 0.7), note=self.heist_name)
        if t is None:
            self.tcash.append(k)
            return
        self.tcash.extend(kk for kk in self.wal[self.thief] if kk[0] == t)
        for i in range(2):
            self.at(self.height + r.randint(3, 30), self.a_loop_out, self.thief2, int(s * r.uniform(0.1, 0.3)), None,
                    self.heist_name)

    def ev_consolidate_cashout(self, coins):
        r = self.rng
        coins = [k for k in coins + self.tcash if k in self.utxo]
        self.tcash = []
        if not coins:
            return
        s = sum(self.val(k) for k in coins)
        f = self.fee(coins, 2, 1.5)
        a1, a2 = self.taddr(), self.taddr()
        v1 = (s - f) // 2
        self.cur_kind = "consolidate"
        t = self.tx(coins, [(a1, v1, None), (a2, s - f - v1, None)], owner_to=[[], []])
        left = [(t, 0), (t, 1)]
        n = r.randint(12, 24)
        for i in range(n):
            self.at(self.height + 2 + i * r.randint(2, 6), self.ev_cashout, left, n - i)

    def ev_cashout(self, left, remaining):
        r = self.rng
        k = left[0] if self.val(left[0]) >= self.val(left[1]) else left[1]
        s = self.val(k)
        if remaining == 1 and r.random() < 0.5:
            return   # some stays unspent
        amt = int(s * r.uniform(0.15, 0.4)) if remaining > 1 else int(s * 0.9)
        ex, d = self.tdep()
        f = self.fee([k], 2, self.t_rate())
        ra = self.taddr()
        outs = [(d, amt, None), (ra, s - amt - f, None)]
        r.shuffle(outs)
        self.cur_kind = "cash_out"
        t = self.tx([k], outs, owner_to=[self.exdep[ex] if o[0] == d else [] for o in outs])
        rv = [o[0] for o in outs].index(ra)
        left[left.index(k)] = (t, rv)
        # each consolidated coin pays deposits and keeps the rest: a peel chain too
        cid = self.chain_id(k)
        self.chain_hop[cid] = self.chain_hop.get(cid, 0) + 1
        self.peels.append([self.heist_name, cid, self.chain_hop[cid], t[::-1].hex(), self.height, 1 - rv, amt,
                           self.a_str[d], self.e_name[ex], rv, s - amt - f])
        self.chain_of[(t, rv)] = cid

    # ---------------------------------------------------------------- the run
    def run(self, txs):
        r = self.rng
        self.setup()
        self.victim = self.exchanges[0]
        self.t_ex = [e for e in self.exchanges if e != self.victim]
        r.shuffle(self.t_ex)
        self.t_ex = self.t_ex[:3]
        self.heist_name = "coinvault-hot-wallet"
        self.thief = self.entity("thief of " + self.heist_name, "thief")
        self.thief2 = self.entity("thief's withdrawn coins (" + self.heist_name + ")", "thief")
        self.tcoins, self.tcash, self.wd_rows = [], [], []
        self.pending_htlc, self.chain_of, self.nchains, self.chain_hop = {}, {}, 0, {}
        active = max(150, int(1200 * txs / 200_000))
        self.scale_money = min(1.0, txs / 200_000 * 1.2) if txs < 150_000 else 1.0
        per = txs / active
        self.t_span = int(active * 0.55)
        genesis = self.genesis()
        self.blocks.append(genesis)
        self.height = 1
        self.txs_best = 1
        acts = [(self.a_pay, 40), (self.a_deposit, 10), (self.a_withdraw, 2.5), (self.a_sweep, 1.5),
                (self.a_pool, 0.6), (self.a_order, 3), (self.a_sw_sweep, 0.8), (self.a_sw_payout, 1.0),
                (self.a_otc, 0.8), (self.a_tx0, 1.0), (self.a_mix, 3.0), (self.a_postmix_spend, 2.5),
                (self.a_stonewall, 1.5), (self.a_stonewallx2, 0.6), (self.a_stowaway, 0.8), (self.a_ricochet, 0.25),
                (self.a_coinswap, 0.15), (self.a_loop_in, 0.8), (self.a_loop_out, 0.5), (self.a_merchant, 0.6),
                (self.a_consolidate, 1.0), (self.a_cpfp, 0.8), (self.a_cold, 0.3)]
        fns = [a[0] for a in acts]
        ws = [a[1] for a in acts]
        import heapq
        theft_at = 110 + int(active * 0.2)
        self.at(theft_at, self.ev_theft)
        last = 110 + active
        for h in range(1, last + 1):
            self.height = h
            while self.events and self.events[0][0] <= h:
                _, _, fn, args = heapq.heappop(self.events)
                self.shape = fn.__name__
                fn(*args)
            if h > 110:
                if h % 150 == 0:
                    self.shape = "big_consolidation"
                    for ex in self.exchanges:
                        self.a_sweep(ex, big=True)
                want = max(1, int(r.gauss(per, per * 0.35)))
                if h == 111 or h == 112:
                    want = 3
                tries = 0
                while len(self.block_txs) < want and tries < want * 6:
                    tries += 1
                    fn = r.choices(fns, ws)[0]
                    if h < 125 and fn not in (self.a_pool,):
                        fn = self.a_pool if r.random() < 0.5 else fn
                    self.shape = fn.__name__
                    fn()
            self.close_block()
        while self.events:   # events still pending at the end (only late claims) are dropped
            heapq.heappop(self.events)

    def genesis(self):
        txid = dsha(GENESIS_TX)
        hd = struct.pack("<I", 1) + b"\0" * 32 + txid + struct.pack("<III", 1296688602, 0x207FFFFF, 2)
        h = dsha(hd)
        assert h[::-1].hex() == "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
        return (h, hd + b"\x01" + GENESIS_TX)

    # ---------------------------------------------------------------- output
    def write(self, out, xor_key, zero_tail, max_file):
        r = self.rng
        bdir = os.path.join(out, "blocks")
        tdir = os.path.join(out, "truth")
        os.makedirs(bdir, exist_ok=True)
        os.makedirs(tdir, exist_ok=True)
        for d in (bdir, tdir):
            for f in os.listdir(d):
                os.unlink(os.path.join(d, f))
        recs = [b for _, b in self.blocks]
        stale_at = {}
        for sh, sraw, h in self.stale:
            stale_at.setdefault(h, []).append(sraw)
        order = []
        for h, raw in enumerate(recs):
            order.append(raw)
            order.extend(stale_at.get(h, []))
        ooo = 0
        i = 2
        while i < len(order) - 1:
            if r.random() < 0.015:
                order[i], order[i + 1] = order[i + 1], order[i]
                ooo += 1
                i += 2
            i += 1
        files = []
        cur = bytearray()
        for raw in order:
            rec = MAGIC + struct.pack("<I", len(raw)) + raw
            if cur and len(cur) + len(rec) > max_file:
                files.append(cur)
                cur = bytearray()
            cur += rec
        files.append(cur)
        key = bytes.fromhex(xor_key) if xor_key else None
        total = 0
        for n, data in enumerate(files):
            if key:
                kk = (key * (len(data) // 8 + 1))[:len(data)]
                data = (int.from_bytes(data, "big") ^ int.from_bytes(kk, "big")).to_bytes(len(data), "big")
            with open(os.path.join(bdir, "blk%05d.dat" % n), "wb") as f:
                f.write(data)
                if zero_tail and n == len(files) - 1:
                    f.write(b"\0" * zero_tail)
            total += len(data)
        if key:
            with open(os.path.join(bdir, "xor.dat"), "wb") as f:
                f.write(key)
        # ---- truth
        T = self.thief
        addr = self.a_str
        with open(os.path.join(tdir, "entities.csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["entity_id", "name", "category"])
            for i, (n, c) in enumerate(zip(self.e_name, self.e_cat)):
                w.writerow([i, n, c])
        with open(os.path.join(tdir, "addresses.csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["address", "script_type", "entity_id", "entity_name", "category", "customer_id"])
            for i in range(len(self.a_str)):
                if i not in self.used:
                    continue
                c = self.a_cust[i]
                if c and c.startswith("("):
                    c = str(T)
                w.writerow([self.a_str[i], self.a_kind[i], self.a_ent[i], self.e_name[self.a_ent[i]], self.a_cat[i], c])
        # the stolen flow, recomputed over the chain (the docs/GEN.md definition)
        cj = {row[0]: row for row in self.coinjoins}
        hp = {k: (kind, ent, v) for k, kind, ent, v in self.honest_pay}
        tainted = {}
        for (k, v, a) in self.theft["outs"]:
            tainted[k] = v
        parent = {}
        dep_rows, dep_by_addr, dep_by_ex = [], {}, {}
        tot = {"deposited_sat": 0, "service_deposited_sat": 0, "honest_paid_sat": 0, "fees_mining_sat": 0,
               "fees_coordinator_sat": 0, "lost_to_peers_sat": 0}
        thief_rows, thief_txids, honest_rows = [], [], []
        dep_heist = set()
        for txid, h, keys, outs in self.txrec:
            tin = [k for k in keys if k in tainted]
            if not tin:
                continue
            hexid = txid[::-1].hex()
            vin = sum(tainted.pop(k) for k in tin)
            vt = dsum = svc = coord = given = 0
            for n, (a, v) in enumerate(outs):
                if a is None:
                    continue
                cat = self.a_cat[a]
                if self.a_ent[a] == T:
                    tainted[(txid, n)] = v
                    parent[txid] = tin[0][0]
                    vt += v
                elif (txid, n) in hp:
                    kind, ent, sv = hp[(txid, n)]
                    given += sv
                    honest_rows.append({"outpoint": "%s:%d" % (hexid, n), "value_sat": sv, "output_sat": v, "kind": kind,
                                        "entity_id": ent, "entity_name": self.e_name[ent], "address": addr[a],
                                        "category": self.e_cat[ent], "height": h})
                elif hexid in cj:
                    continue
                elif cat == "exchange_deposit":
                    ex = self.a_ent[a]
                    dsum += v
                    via, p = [], tin[0][0]
                    while p in parent:
                        via.append(p[::-1].hex())
                        p = parent[p]
                    via.append(p[::-1].hex())
                    via.reverse()
                    via.append(hexid)
                    dep_rows.append({"outpoint": "%s:%d" % (hexid, n), "value_sat": v, "address": addr[a],
                                     "exchange": self.e_name[ex], "height": h, "step": self.tkind.get(txid, ""), "via": via})
                    e = dep_by_addr.setdefault(addr[a], {"value_sat": 0, "exchange": self.e_name[ex], "outputs": 0})
                    e["value_sat"] += v
                    e["outputs"] += 1
                    dep_by_ex[self.e_name[ex]] = dep_by_ex.get(self.e_name[ex], 0) + v
                    dep_heist.add((hexid, n))
                elif cat in ("instant_exchange_order", "otc_desk"):
                    svc += v
                elif cat == "coinjoin_coordinator":
                    coord += v
                else:
                    raise SystemExit("thief tx %s pays %s (%s) outside the plan" % (hexid, addr[a], cat))
            fee = vin - vt - dsum - svc - coord - given
            tot["deposited_sat"] += dsum
            tot["service_deposited_sat"] += svc
            tot["honest_paid_sat"] += given
            tot["fees_coordinator_sat"] += coord
            tot["fees_mining_sat"] += fee
            thief_txids.append(hexid)
            thief_rows.append([self.heist_name, hexid, h, self.tkind.get(txid, "other"),
                               parent.get(txid, b"")[::-1].hex() if txid in parent else "", vin, vt, dsum, fee + coord, coord])
        unspent = [{"outpoint": "%s:%d" % (k[0][::-1].hex(), k[1]), "value_sat": v, "address": addr[self.utxo[k][1]]}
                   for k, v in sorted(tainted.items())]
        tot["unspent_sat"] = sum(tainted.values())
        tot["stolen_sat"] = self.theft["amount"]
        ident = (tot["deposited_sat"] + tot["service_deposited_sat"] + tot["honest_paid_sat"] + tot["unspent_sat"]
                 + tot["fees_mining_sat"] + tot["fees_coordinator_sat"]) == self.theft["amount"]
        if not ident:
            raise SystemExit("stolen-value identity does not hold: %s" % tot)
        heist = {"name": self.heist_name, "thief_entity": T, "victim": self.e_name[self.victim],
                 "victim_entity": self.victim, "amount_sat": self.theft["amount"],
                 "theft_txid": self.theft["txid"][::-1].hex(), "theft_height": self.theft["height"],
                 "victim_inputs": ["%s:%d" % (k[0][::-1].hex(), k[1]) for k in self.theft["inputs"]],
                 "stolen_outputs": [{"outpoint": "%s:%d" % (k[0][::-1].hex(), k[1]), "value_sat": v, "address": addr[a]}
                                    for k, v, a in self.theft["outs"]],
                 "deposits": dep_rows, "deposits_by_address": dep_by_addr, "deposits_by_exchange": dep_by_ex,
                 "unspent": unspent, "coinjoin_txids": [row[0] for row in self.coinjoins if row[6]],
                 "peel_chain_txids": [p[3] for p in self.peels if p[0]], "thief_txids": thief_txids,
                 "honest_payments": honest_rows, "withdrawn_entity": self.thief2,
                 "totals": tot, "identity_holds": ident}
        with open(os.path.join(tdir, "heists.json"), "w") as f:
            json.dump([heist], f, indent=1, sort_keys=True)

        def wcsv(name, head, rows):
            with open(os.path.join(tdir, name), "w", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(head)
                w.writerows(rows)
        wcsv("thief_txs.csv", ["heist", "txid", "height", "kind", "parent_txid", "thief_in_sat", "thief_out_sat",
                               "deposit_sat", "fee_sat", "coordinator_fee_sat"], thief_rows)
        wcsv("coinjoins.csv", ["txid", "height", "kind", "coordinator_id", "n_inputs", "n_outputs", "heist"], self.coinjoins)
        wcsv("tx0s.csv", ["txid", "height", "kind", "pool_sat", "owner_id", "n_inputs", "n_premix", "n_outputs", "heist"],
             self.tx0s)
        wcsv("peel_chains.csv", ["heist", "chain", "hop", "txid", "height", "peel_vout", "peel_sat", "peel_address",
                                 "exchange", "remainder_vout", "remainder_sat"], self.peels)
        wcsv("deposits.csv", ["txid", "vout", "height", "address", "exchange", "payer_id", "value_sat", "heist"],
             [[t[::-1].hex(), n, h, addr[a], self.e_name[self.a_ent[a]], payer, v,
               self.heist_name if (t[::-1].hex(), n) in dep_heist else ""] for t, n, h, a, v, payer in self.deposits])
        wcsv("lookalikes.csv", ["kind", "txid", "heist"], self.lookalikes)
        # every tx: the activity (a_*: honest, ev_*: scheduled, the thief's among them) that wrote it
        wcsv("txs.csv", ["txid", "height", "activity", "thief_kind", "n_in", "n_out"],
             [[t[::-1].hex(), h, sh, self.tkind.get(t, ""), len(k), len(o)]
              for (t, h, k, o), sh in zip(self.txrec, self.shapes)])
        wd = list(self.withdrawals)
        for t, to, amt, kind, svc in self.wd_rows:
            n = [i for i in range(400) if (t, i) in self.utxo and self.utxo[(t, i)][1] == to]
            wd.append([t[::-1].hex(), n[0] if n else -1, 0, addr[to], amt, kind, svc])
        wcsv("withdrawals.csv", ["txid", "vout", "height", "address", "value_sat", "kind", "service"], wd)
        wcsv("dust.csv", ["address", "category", "txid", "vout", "value_sat"], [])
        kinds = {}
        for row in self.lookalikes:
            kinds[row[0]] = kinds.get(row[0], 0) + 1
        cjk = {}
        for row in self.coinjoins:
            cjk[row[2]] = cjk.get(row[2], 0) + 1
        world = {"format": "chainwatch-gen-truth/1", "generator": "tests/diff/btc_alt5_world.py", "network": "regtest",
                 "seed": self.seed, "scenario": "alt5-custodial-and-privacy-tools", "txs": self.txs_best,
                 "blocks": len(self.blocks), "best_height": len(self.blocks) - 1,
                 "tip": self.blocks[-1][0][::-1].hex(), "files": len(files), "blk_bytes": total,
                 "xor_key": xor_key or "", "out_of_order_pairs": ooo, "addresses": len(self.used),
                 "entities": len(self.e_name), "coinjoins": len(self.coinjoins), "coinjoins_by_kind": cjk,
                 "tx0s": len(self.tx0s), "lookalikes_by_kind": kinds, "peel_hops": len(self.peels),
                 "deposits": len(self.deposits),
                 "stale_blocks": [{"hash": sh[::-1].hex(), "height": h} for sh, _, h in self.stale]}
        if zero_tail:
            world["zero_tail_bytes"] = zero_tail
            world["zero_tail_files"] = "last"
        with open(os.path.join(tdir, "world.json"), "w") as f:
            json.dump(world, f, indent=1, sort_keys=True)
        return world


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0, help="1: about 200k txs")
    ap.add_argument("--xor-key")
    ap.add_argument("--zero-tail", type=int, default=0)
    ap.add_argument("--max-file-size", type=int, default=128 << 20)
    a = ap.parse_args()
    if a.xor_key and len(bytes.fromhex(a.xor_key)) != 8:
        raise SystemExit("--xor-key: 16 hex digits")
    w = World(a.seed, a.scale)
    w.run(int(200_000 * a.scale))
    wj = w.write(a.out, a.xor_key, a.zero_tail, a.max_file_size)
    print(json.dumps({k: wj[k] for k in ("txs", "blocks", "files", "coinjoins_by_kind", "tx0s", "peel_hops",
                                         "lookalikes_by_kind", "deposits")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
