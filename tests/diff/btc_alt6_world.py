#!/usr/bin/python3
"""btc_alt6_world.py: a seventh outside Bitcoin world (issue 11): how Lazarus cashed stolen Bitcoin
out in 2022-2025 as public reporting tells it (Elliptic on Blender / Sinbad, Feb 2023; OFAC's
Sinbad designation, Nov 2023; the Harmony, Atomic, Stake / CoinEx, WazirX / DMM and Bybit
write-ups): custodial mixers, THORChain-style cross-chain vaults, Lightning channels, JoinMarket
and Wasabi 2 rounds, peel chains with several payments per hop, fan-in consolidations, address
reuse and OTC desks, every one used by honest people too.

  btc_alt6_world.py --out DIR [--seed S] [--scale F] [--xor-key HEX16] [--zero-tail BYTES]
                    [--max-file-size BYTES]

Writes DIR/blocks (Bitcoin Core blk files, regtest, real proof of work) and DIR/truth in
docs/GEN.md's layout (world.json, entities.csv, addresses.csv, coinjoins.csv, tx0s.csv,
peel_chains.csv, deposits.csv, thief_txs.csv, heists.json) plus lookalikes.csv (kind,txid,heist:
every service and wallet shape), withdrawals.csv (coins a service paid the thief: not stolen),
received.csv (honest value the thief's reused address received: a merchant refund, a dusting
probe) and an empty dust.csv. Standard library only, deterministic by seed. --scale 1: >= 200k
transactions and a heist >= 400 BTC (world.json says both).

Stolen value is docs/GEN.md's definition with btc_alt5's extension: the trail ends at a deposit
(exchange), at a service (a mixer's deposit address, a vault's inbound, an OTC desk's trade
address, the big node's side of a channel the thief paid through), at an honest party the thief
paid (honest_payments), in fees (mining, JoinMarket makers' fees, Wasabi coordinator) or unspent at
the thief; coins a service pays the thief (mixer payouts, vault outbounds, OTC payouts) belong to
a second entity of category thief (`withdrawn_entity`) and are not stolen.
"""
import argparse
import hashlib
import json
import os
import random
import struct
import sys

COIN = 100_000_000
MAGIC = bytes.fromhex("fabfb5da")
GENESIS_CB = bytes.fromhex(
    "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d"
    "0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66"
    "207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe55"
    "48271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba"
    "0b8d578a4c702b6bf11d5fac00000000")
REGTEST_GENESIS = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"


def dsha(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def sha(b):
    return hashlib.sha256(b).digest()


# ---- address encodings (BIP173 / BIP350, base58check)
B32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


_GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
_GTAB = [0] * 32
for _t in range(32):
    for _i in range(5):
        if (_t >> _i) & 1:
            _GTAB[_t] ^= _GEN[_i]


def _polymod(values):
    chk = 1
    for v in values:
        chk = ((chk & 0x1ffffff) << 5) ^ v ^ _GTAB[chk >> 25]
    return chk


def segwit_addr(hrp, ver, prog):
    data = [ver]
    acc = bits = 0
    for b in prog:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    const = 0x2bc830a3 if ver else 1
    hv = [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]
    pm = _polymod(hv + data + [0] * 6) ^ const
    return hrp + "1" + "".join(B32[d] for d in data + [(pm >> 5 * (5 - i)) & 31 for i in range(6)])


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(payload):
    b = payload + dsha(payload)[:4]
    n = int.from_bytes(b, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = B58[r] + s
    return "1" * (len(b) - len(b.lstrip(b"\0"))) + s


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
    if n < 0x4c:
        return bytes([n]) + b
    if n <= 0xff:
        return b"\x4c" + bytes([n]) + b
    return b"\x4d" + struct.pack("<H", n) + b


def scriptnum(n):
    if 1 <= n <= 16:
        return bytes([0x50 + n])
    out = bytearray()
    while n:
        out.append(n & 0xff)
        n >>= 8
    if out[-1] & 0x80:
        out.append(0)
    return push(bytes(out))


DENOMS = sorted({d for k in range(12, 34) for d in (1 << k, 3 << k)} |
                {m * 10 ** k for k in range(4, 10) for m in (1, 2, 5)}, reverse=True)
DENOMS = [d for d in DENOMS if 5000 <= d <= 4_300_000_000]


def merkle(h):
    while len(h) > 1:
        if len(h) % 2:
            h = h + [h[-1]]
        h = [dsha(h[i] + h[i + 1]) for i in range(0, len(h), 2)]
    return h[0]


def mine_block(w, prev_hash, txs, spk, height, tm, tag):
    """A regtest block on prev_hash at time tm holding txs [(full, txid, fee, witness)], its coinbase
    (BIP34 height, tag in the script, the witness commitment when a tx has a witness) paying spk.
    Returns (hash, raw block, coinbase txid, coinbase value)."""
    target = 0x7fffff << (8 * (0x20 - 3))
    fees = sum(f for _, _, f, _ in txs)
    wit = any(x for _, _, _, x in txs)
    cb_ss = scriptnum(height) + struct.pack("<I", height ^ w.seed) + tag
    outs = [(50 * COIN + fees, spk)]
    if wit:
        wtx = [b"\0" * 32] + [dsha(full) for full, _, _, _ in txs]
        wroot = merkle(wtx)
        outs.append((0, b"\x6a\x24\xaa\x21\xa9\xed" + dsha(wroot + b"\0" * 32)))
    body = struct.pack("<i", 1) + b"\x01" + b"\0" * 32 + b"\xff\xff\xff\xff" + varint(len(cb_ss)) + cb_ss + b"\xff\xff\xff\xff"
    body += varint(len(outs))
    for v, o in outs:
        body += struct.pack("<q", v) + varint(len(o)) + o
    base = body + b"\0\0\0\0"
    full = (body[:4] + b"\x00\x01" + body[4:] + b"\x01\x20" + b"\0" * 32 + b"\0\0\0\0") if wit else base
    cbid = dsha(base)
    root = merkle([cbid] + [t for _, t, _, _ in txs])
    nonce = 0
    while True:
        hdr = struct.pack("<i", 0x20000000) + prev_hash + root + struct.pack("<III", tm, 0x207fffff, nonce)
        hh = dsha(hdr)
        if int.from_bytes(hh, "little") <= target:
            break
        nonce += 1
    raw = hdr + varint(len(txs) + 1) + full + b"".join(f for f, _, _, _ in txs)
    return hh, raw, cbid, 50 * COIN + fees


def write_blocks(a, blocks, stale, r):
    """a.out/blocks as Core writes them: about 1.5 % of blocks after their child, each stale
    sibling after its height, files cut before a.max_file_size, XOR'd with a.xor_key (xor.dat) and
    the last file ended by a.zero_tail raw zero bytes. Returns the files' plain bytes."""
    bdir = os.path.join(a.out, "blocks")
    os.makedirs(bdir, exist_ok=True)
    os.makedirs(os.path.join(a.out, "truth"), exist_ok=True)
    for f in os.listdir(bdir):
        os.unlink(os.path.join(bdir, f))
    order = []
    held = None
    for b in blocks:
        if held is None and b[0] > 5 and r.random() < 0.015:
            held = b
            continue
        order.append(b)
        if held is not None:
            order.append(held)
            held = None
        for sb in stale:
            if sb[0] == b[0]:
                order.append(sb)
    if held is not None:
        order.append(held)
    key = bytes.fromhex(a.xor_key) if a.xor_key else None
    files = []
    cur = bytearray()
    for _, _, raw in order:
        rec = MAGIC + struct.pack("<I", len(raw)) + raw
        if cur and len(cur) + len(rec) > a.max_file_size:
            files.append(cur)
            cur = bytearray()
        cur += rec
    files.append(cur)
    for i, data in enumerate(files):
        data = bytes(data)
        if key:
            k = (key * (len(data) // 8 + 1))[:len(data)]
            data = (int.from_bytes(data, "big") ^ int.from_bytes(k, "big")).to_bytes(len(data), "big")
        with open(os.path.join(bdir, "blk%05d.dat" % i), "wb") as f:
            f.write(data)
            if i == len(files) - 1 and a.zero_tail:
                f.write(b"\0" * a.zero_tail)
    if key:
        with open(os.path.join(bdir, "xor.dat"), "wb") as f:
            f.write(key)
    return files


def write_table(tdir, name, head, rows):
    with open(os.path.join(tdir, name), "w") as f:
        f.write(head + "\n")
        for row in rows:
            f.write(",".join(str(x) for x in row) + "\n")


def write_entities(w, tdir):
    """entities.csv and addresses.csv in docs/GEN.md's layout"""
    with open(os.path.join(tdir, "entities.csv"), "w") as f:
        f.write("entity_id,name,category\n")
        for i, (n, c) in enumerate(w.ents):
            f.write("%d,%s,%s\n" % (i, n, c))
    with open(os.path.join(tdir, "addresses.csv"), "w") as f:
        f.write("address,script_type,entity_id,entity_name,category,customer_id\n")
        for ad in w.addrs:
            f.write("%s,%s,%d,%s,%s,%s\n" % (ad[0], ad[1], ad[2], w.ents[ad[2]][0], ad[3], ad[4]))


def heist_truth(w, H, thief, thief2, victim, unspent, received_sat):
    """heists.json's record of the heist H (docs/GEN.md, with btc_alt5's service deposits and honest
    payments) and its deposits' rows in w.dep_rows; refuses a heist whose stolen value is not, to
    the satoshi, deposited + service deposits + honest payments + unspent + fees."""
    dep_sat = sum(d["value_sat"] for d in H["deposits"])
    svc_sat = sum(d["value_sat"] for d in H["service"])
    hon_sat = sum(d["value_sat"] for d in H["honest_payments"])
    un_sat = sum(c[2] for c in unspent)
    totals = {"stolen_sat": H["amount_sat"], "deposited_sat": dep_sat, "service_deposited_sat": svc_sat,
              "honest_payments_sat": hon_sat, "unspent_sat": un_sat, "fees_mining_sat": H["fees_mining"],
              "fees_coordinator_sat": H["fees_coord"], "lost_to_peers_sat": 0,
              "received_clean_sat": received_sat}
    ident = dep_sat + svc_sat + hon_sat + un_sat + H["fees_mining"] + H["fees_coord"]
    totals["identity_holds"] = ident == H["amount_sat"]
    if not totals["identity_holds"]:
        raise RuntimeError("stolen-value identity fails: %d != %d (%+d)" % (ident, H["amount_sat"], ident - H["amount_sat"]))
    by_addr, by_ex = {}, {}
    for d in H["deposits"]:
        by_addr[d["address"]] = by_addr.get(d["address"], 0) + d["value_sat"]
        by_ex[d["exchange"]] = by_ex.get(d["exchange"], 0) + d["value_sat"]
    for d in H["deposits"]:
        t, v = d["outpoint"].split(":")
        w.dep_rows.append([t, int(v), d["height"], d["address"], d["exchange"], thief, d["value_sat"], H["name"]])
    return {"name": H["name"], "thief_entity": thief, "withdrawn_entity": thief2, "victim": w.ents[victim][0],
            "victim_entity": victim, "amount_sat": H["amount_sat"], "theft_txid": H["theft_txid"],
            "theft_height": H["theft_height"], "victim_inputs": H["victim_inputs"],
            "stolen_outputs": H["stolen_outputs"], "deposits": H["deposits"], "deposits_by_address": by_addr,
            "deposits_by_exchange": by_ex, "service_deposits": H["service"],
            "honest_payments": H["honest_payments"],
            "unspent": ["%s:%d" % (c[0][::-1].hex(), c[1]) for c in unspent],
            "coinjoin_txids": H["coinjoin_txids"], "peel_chain_txids": H["peel_chain_txids"],
            "thief_txids": H["thief_txids"], "totals": totals}


class World:
    def __init__(self, a):
        self.a = a
        self.seed = a.seed
        self.rng = random.Random(a.seed * 7919 + 11)      # the economy
        self.hr = random.Random(a.seed * 104729 + 3)      # the heist
        self.sr = random.Random(a.seed * 31 + 5)          # signatures and keys
        self.salt = b"alt6:%d:" % a.seed
        self.scale = a.scale
        self.ents = []          # [name, category]
        self.addrs = []         # [addr, stype, ent, category, customer, spk, kind, script]
        self.wallet = {}        # ent -> list of coins [txid_le, vout, value, aid, height]
        self.utxo = {}          # (txid_le, vout) -> coin
        self.sched = {}         # height -> [callables]
        self.block_txs = []
        self.height = 0
        self.feerate = 5
        self.truth_lookalike = []
        self.cj_rows = []
        self.peel_rows = []
        self.dep_rows = []
        self.thief_rows = []
        self.withdrawals = []
        self.received = []
        self.ntx = 0
        self.vault_deps = []    # --evm-out: the vault's inbounds (tests/diff/btc_evm_pair.py)

    # ---- entities and addresses
    def ent(self, name, cat):
        self.ents.append([name, cat])
        self.wallet[len(self.ents) - 1] = []
        return len(self.ents) - 1

    def addr(self, e, stype, customer="", kind="std", script=None, cat=None):
        aid = len(self.addrs)
        if script is not None:
            h = sha(script)
        else:
            h = sha(self.salt + struct.pack("<I", aid))
        if stype == "p2pkh":
            h = h[:20]
            s, spk = b58check(b"\x6f" + h), b"\x76\xa9\x14" + h + b"\x88\xac"
        elif stype == "p2sh":
            h = h[:20]
            s, spk = b58check(b"\xc4" + h), b"\xa9\x14" + h + b"\x87"
        elif stype == "p2wpkh":
            h = h[:20]
            s, spk = segwit_addr("bcrt", 0, h), b"\x00\x14" + h
        elif stype == "p2wsh":
            s, spk = segwit_addr("bcrt", 0, h), b"\x00\x20" + h
        else:
            s, spk = segwit_addr("bcrt", 1, h), b"\x51\x20" + h
        self.addrs.append([s, stype, e, cat or self.ents[e][1], customer, spk, kind, script])
        return aid

    def pk(self, aid):
        return b"\x02" + sha(b"pk" + self.salt + struct.pack("<I", aid))

    def sig(self):
        r = self.sr.randbytes(64)
        return b"\x30\x45\x02\x21\x00" + r[:32] + b"\x02\x20" + r[32:] + b"\x01"

    def fresh(self, e, stype=None):
        if stype is None:
            stype = self.pref[e] if e in self.pref else "p2wpkh"
        return self.addr(e, stype)

    # ---- transactions
    def spend_data(self, coin, htlc_path=None):
        ad = self.addrs[coin[3]]
        st, kind, script = ad[1], ad[6], ad[7]
        if kind == "ms2":
            return b"", [b"", self.sig(), self.sig(), script]
        if kind == "tolocal":
            return b"", [self.sig(), b"", script]
        if kind == "htlc":
            return b"", [b"", self.sig(), self.sig(), self.sr.randbytes(32) if htlc_path == "success" else b"", script]
        if st == "p2pkh":
            return push(self.sig()) + push(self.pk(coin[3])), None
        if st == "p2sh":
            return push(b"\x00\x14" + sha(self.pk(coin[3]))[:20]), [self.sig(), self.pk(coin[3])]
        if st == "p2wpkh":
            return b"", [self.sig(), self.pk(coin[3])]
        if st == "p2wsh":
            return b"", [b"", self.sig(), self.sig(), b"\x52" + push(self.pk(coin[3])) + push(self.pk(coin[3] + 1)) + b"\x52\xae"]
        return b"", [self.sr.randbytes(64)]

    def ser(self, ins, outs, version, locktime, wit):
        body = bytearray(struct.pack("<i", version))
        body += varint(len(ins))
        for c, ss, seq, _ in ins:
            body += c[0] + struct.pack("<I", c[1]) + varint(len(ss)) + ss + struct.pack("<I", seq)
        body += varint(len(outs))
        for v, spk in outs:
            body += struct.pack("<q", v) + varint(len(spk)) + spk
        lt = struct.pack("<I", locktime)
        base = bytes(body) + lt
        if not wit:
            return base, base
        w = bytearray()
        for _, _, _, stack in ins:
            stack = stack or []
            w += varint(len(stack))
            for item in stack:
                w += varint(len(item)) + item
        full = bytes(body[:4]) + b"\x00\x01" + bytes(body[4:]) + bytes(w) + lt
        return base, full

    def vsize(self, ins, outs, version=2, locktime=0):
        wit = any(s for _, _, _, s in ins)
        base, full = self.ser(ins, outs, version, locktime, wit)
        return (len(base) * 3 + len(full) + 3) // 4

    def tx(self, coins, outs, change=None, version=2, locktime=0, seqs=None, rate=None, htlc_path=None,
           fee=None, kind=None):
        """coins: inputs; outs: [(value, aid) or (0, None, opreturn_script)]; change: aid that gets the
        rest after the fee (dropped to the fee when under 546 sat). Returns (txid_le, [coin per out])."""
        if rate is None:
            rate = self.feerate
        ins = []
        for i, c in enumerate(coins):
            ss, st = self.spend_data(c, htlc_path)
            seq = seqs[i] if seqs else 0xfffffffd
            ins.append((c, ss, seq, st))
        o = []
        for x in outs:
            o.append((x[0], x[2]) if x[1] is None else (x[0], self.addrs[x[1]][5]))
        tin = sum(c[2] for c in coins)
        if change is not None:
            o.append((0, self.addrs[change][5]))
            vs = self.vsize(ins, o, version, locktime)
            f = fee if fee is not None else rate * vs
            ch = tin - sum(v for v, _ in o) - f
            if ch < 546:
                o.pop()
                outs = list(outs)
            else:
                o[-1] = (ch, o[-1][1])
                outs = list(outs) + [(ch, change)]
        if sum(v for v, _ in o) > tin:
            raise RuntimeError("tx overspends at height %d (%s)" % (self.height, kind))
        wit = any(s for _, _, _, s in ins)
        base, full = self.ser(ins, o, version, locktime, wit)
        txid = dsha(base)
        for c in coins:
            k = (c[0], c[1])
            if k not in self.utxo:
                raise RuntimeError("double spend at height %d" % self.height)
            del self.utxo[k]
        created = []
        for i, x in enumerate(outs):
            if x[1] is None:
                created.append(None)
                continue
            c = [txid, i, x[0], x[1], self.height]
            self.utxo[(txid, i)] = c
            created.append(c)
        self.block_txs.append((full, txid, tin - sum(v for v, _ in o), wit))
        self.ntx += 1
        if kind:
            self.truth_lookalike.append((kind, txid[::-1].hex(), ""))
        return txid, created

    def give(self, coins):
        for c in coins:
            if c is not None:
                ad = self.addrs[c[3]]
                k = ("dep", ad[2]) if ad[3] == "exchange_deposit" else ad[2]
                self.wallet.setdefault(k, []).append(c)

    def take(self, e, amount, max_n=8, mature=False):
        """Pops the owner's coins (oldest-ish first, a random pick) until they cover amount."""
        w = self.wallet[e]
        got, tot = [], 0
        if mature:
            pool = [c for c in w if c[4] <= self.height - 100]
        else:
            pool = [c for c in w if c[4] < self.height]
        if sum(c[2] for c in pool) < amount:
            return None
        self.rng.shuffle(pool)
        pool.sort(key=lambda c: -c[2] if amount > 0 else c[2])
        for c in pool:
            if tot >= amount or len(got) >= max_n:
                break
            got.append(c)
            tot += c[2]
        if tot < amount:
            return None
        ids = {id(c) for c in got}
        self.wallet[e] = [c for c in w if id(c) not in ids]
        return got

    def at(self, h, fn):
        self.sched.setdefault(max(h, self.height + 1), []).append(fn)


def build(a):
    w = World(a)
    pair = None
    if a.evm_out:  # the paired EVM world (tests/diff/btc_evm_pair.py)
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import btc_evm_pair
        pair = btc_evm_pair.Pair(a.seed)
    lr = random.Random(a.seed * 5381 + 29)  # the thief's laundering of its refunds (--evm-out)
    fr = random.Random(a.seed * 7919 + 31) if a.refund_fresh_change else None  # the refunds' fresh change
    w.mixed_rests = []  # --refund-mixed: the two refunds' laundered rests, swapped together
    w.refund_rows = []
    r = w.rng
    s = a.scale
    active = max(40, int(3000 * s))
    per_block = 90 if s >= 0.05 else 40
    n_users = max(400, int(9000 * s))
    w.pref = {}
    stypes = ["p2wpkh"] * 5 + ["p2pkh"] * 2 + ["p2sh"] * 2 + ["p2tr"] * 2
    miners = [w.ent("pool-%d" % i, "miner") for i in range(4)]
    miner_addr = {m: w.addr(m, "p2wpkh") for m in miners}
    exchanges = [w.ent(n, "exchange") for n in ("bybit-like", "kucoin-like", "huobi-like", "okx-like", "binance-like")]
    victim = exchanges[0]
    hot = {x: [w.addr(x, t) for t in ("p2wpkh", "p2sh", "p2pkh")] for x in exchanges}
    mixers = [w.ent(n, "mixer") for n in ("blender", "sinbad", "yomix")]
    vaults_ent = w.ent("thorchain", "bridge_vault")
    vault = [w.addr(vaults_ent, "p2wpkh")]
    nodes = [w.ent(n, "service") for n in ("ln-hub-acinq-like", "ln-hub-bitfinex-like", "ln-hub-kraken-like")]
    otc = [w.ent(n, "otc_desk") for n in ("otc-desk-a", "otc-desk-b")]
    wcoord = w.ent("wasabi2-coordinator", "coinjoin_coordinator")
    merchants = [w.ent("merchant-%d" % i, "merchant") for i in range(max(20, int(150 * s)))]
    users = [w.ent("user-%d" % i, "user") for i in range(n_users)]
    for u in users + merchants:
        w.pref[u] = r.choice(stypes)
    for e in nodes + otc + mixers:
        w.pref[e] = "p2wpkh"
    thief = w.ent("lazarus", "thief")
    thief2 = w.ent("lazarus-cashout", "thief")
    w.pref[thief] = "p2wpkh"
    w.pref[thief2] = "p2wpkh"
    depaddr = {}

    def dep(x, cust):
        k = (x, cust)
        if k not in depaddr:
            depaddr[k] = w.addr(x, r.choice(["p2wpkh", "p2sh", "p2pkh"]), customer=str(cust), cat="exchange_deposit")
        return depaddr[k]

    mixer_pool = {m: [] for m in mixers}         # pool addresses
    mixer_pending = {m: [] for m in mixers}      # deposits not swept
    vault_pending = []
    state = {"dust_sender": w.ent("chain-analytics-probe", "user")}
    w.pref[state["dust_sender"]] = "p2wpkh"
    thief_set = {thief}
    H = {"name": "lazarus-cashout", "deposits": [], "honest_payments": [], "service": [], "coinjoin_txids": [],
         "peel_chain_txids": [], "thief_txids": [], "fees_mining": 0, "fees_coord": 0}

    def is_thief_coin(c):
        return w.addrs[c[3]][2] == thief

    def rec_thief(kind, txid, coins, created, parent=None, cj_coord=0, service_kind=None, honest_kind=None):
        tin = sum(c[2] for c in coins if is_thief_coin(c))
        tout = dep_sat = 0
        allin = sum(c[2] for c in coins)
        allout = 0
        for c in created:
            if c is None:
                continue
            allout += c[2]
            ad = w.addrs[c[3]]
            op = "%s:%d" % (txid[::-1].hex(), c[1])
            if ad[2] == thief:
                tout += c[2]
            elif kind in ("joinmarket", "wasabi2"):
                pass
            elif ad[3] == "exchange_deposit":
                dep_sat += c[2]
                H["deposits"].append({"outpoint": op, "address": ad[0], "exchange": w.ents[ad[2]][0],
                                      "value_sat": c[2], "amount_sat": c[2], "height": w.height, "step": kind})
            elif service_kind or ad[3] in ("mixer", "bridge_vault", "otc_desk", "service"):
                H["service"].append({"outpoint": op, "address": ad[0], "kind": service_kind or ad[3],
                                     "value_sat": c[2]})
            else:
                H["honest_payments"].append({"outpoint": op, "address": ad[0], "kind": honest_kind or ad[3],
                                             "value_sat": c[2]})
        if kind in ("joinmarket", "wasabi2"):
            fee_total = allin - allout
            share = tin - tout - cj_coord
            H["fees_mining"] += share
            H["fees_coord"] += cj_coord
            fee = share
        else:
            fee = allin - allout
            H["fees_mining"] += fee
        t = txid[::-1].hex()
        H["thief_txids"].append(t)
        w.thief_rows.append([H["name"], t, w.height, kind, parent or "", tin, tout, dep_sat, fee, cj_coord])
        if kind in ("joinmarket", "wasabi2"):
            H["coinjoin_txids"].append(t)

    # ---- honest activity
    def user_with(amount, tries=6):
        for _ in range(tries):
            u = r.choice(users)
            if sum(c[2] for c in w.wallet[u]) >= amount:
                return u
        return None

    def pay(kind="payment"):
        u = user_with(200_000)
        if u is None:
            return
        bal = sum(c[2] for c in w.wallet[u])
        n = r.choice([1, 1, 1, 2, 3])
        outs = []
        for _ in range(n):
            to = r.choice(merchants) if r.random() < 0.5 else r.choice(users)
            outs.append((int(bal * r.uniform(0.01, 0.3) / n) + 1000, w.fresh(to)))
        need = sum(v for v, _ in outs) + 20000
        coins = w.take(u, need, 5)
        if not coins:
            return
        ch = w.fresh(u, r.choice(stypes) if r.random() < 0.15 else None)
        _, cr = w.tx(coins, outs, ch)
        w.give(cr)

    def deposit():
        u = user_with(500_000)
        if u is None:
            return
        x = r.choice(exchanges)
        bal = sum(c[2] for c in w.wallet[u])
        v = int(bal * r.uniform(0.05, 0.6))
        coins = w.take(u, v + 20000, 4)
        if not coins:
            return
        txid, cr = w.tx(coins, [(v, dep(x, u))], w.fresh(u))
        w.dep_rows.append([txid[::-1].hex(), 0, w.height, w.addrs[dep(x, u)][0], w.ents[x][0], u, v, ""])
        w.give(cr)

    def sweep(x):
        k = ("dep", x)
        ds = [c for c in w.wallet.get(k, []) if c[4] < w.height]
        if len(ds) < 3:
            return
        ds = ds[:r.randint(3, 60)]
        ids = {id(c) for c in ds}
        w.wallet[k] = [c for c in w.wallet[k] if id(c) not in ids]
        _, cr = w.tx(ds, [], r.choice(hot[x]), rate=max(1, w.feerate // 2), kind="exchange_sweep")
        w.give(cr)

    def withdraw_batch(x, extra=()):
        n = r.randint(3, 25)
        outs = list(extra)
        for _ in range(n):
            u = r.choice(users)
            outs.append((r.randint(100_000, 80_000_000), w.fresh(u)))
        need = sum(v for v, _ in outs) + 100_000
        coins = w.take(x, need, 30)
        if not coins:
            return None
        coins_ok = [c for c in coins]
        txid, cr = w.tx(coins_ok, outs, r.choice(hot[x]), kind="exchange_withdrawal")
        w.give(cr)
        return txid, cr

    def consolidate_honest():
        for _ in range(5):
            u = r.choice(users)
            if len(w.wallet[u]) >= 4:
                coins = w.wallet[u][:r.randint(4, 12)]
                if any(c[4] >= w.height for c in coins):
                    continue
                w.wallet[u] = w.wallet[u][len(coins):]
                _, cr = w.tx(coins, [], w.fresh(u, r.choice(stypes)), rate=max(1, w.feerate // 3), kind="consolidation")
                w.give(cr)
                return

    peel_id = [0]

    def honest_peel_start():
        u = user_with(5 * COIN)
        if u is None:
            return
        coins = w.take(u, 4 * COIN, 3)
        if not coins:
            return
        _, cr = w.tx(coins, [], w.fresh(u))
        peel_id[0] += 1
        hops = r.randint(4, 12)
        w.at(w.height + r.randint(1, 6), lambda c=cr[0], n=hops, ch=peel_id[0], u=u: peel_hop(u, c, n, ch, 1, ""))

    def peel_hop(owner, coin, left, chain, hop, heist):
        if coin is None or (coin[0], coin[1]) not in w.utxo:
            return
        k = r.randint(2, 3)
        outs = []
        ex_name = ""
        for i in range(k):
            part = int(coin[2] * r.uniform(0.02, 0.12))
            if owner == thief:
                x = r.choice(exchanges[1:])
                a2 = thief_dep(x)
                if i == 0:
                    ex_name = w.ents[x][0]
            elif r.random() < 0.3:
                x = r.choice(exchanges)
                a2 = dep(x, owner)
                if i == 0:
                    ex_name = w.ents[x][0]
            else:
                a2 = w.fresh(r.choice(merchants + users[:200]))
            outs.append((part, a2))
        if sum(v for v, _ in outs) + 50_000 > coin[2]:
            return
        w.wallet[owner] = [c for c in w.wallet[owner] if c is not coin]
        st = r.choice(stypes) if r.random() < 0.35 else (w.pref.get(owner) or "p2wpkh")
        rem_aid = w.addr(owner, st) if owner != thief else thief_addr(st)
        txid, cr = w.tx([coin], outs, rem_aid, kind=None if heist else "honest_peel")
        t = txid[::-1].hex()
        for i, (v, a2) in enumerate(outs):
            if w.addrs[a2][3] == "exchange_deposit" and owner != thief:
                w.dep_rows.append([t, i, w.height, w.addrs[a2][0], w.ents[w.addrs[a2][2]][0], owner, v, ""])
        rem = cr[-1] if len(cr) > len(outs) else None
        w.peel_rows.append([heist, chain, hop, t, w.height, 0, outs[0][0], w.addrs[outs[0][1]][0], ex_name,
                            len(outs) if rem else "", rem[2] if rem else ""])
        if owner == thief:
            rec_thief("peel", txid, [coin], cr, parent=coin[0][::-1].hex())
            H["peel_chain_txids"].append(t)
        w.give([c for c in cr if c is not rem])
        if rem and left > 1:
            w.at(w.height + r.randint(1, 8), lambda: peel_hop(owner, rem, left - 1, chain, hop + 1, heist))
        elif rem and owner == thief:
            peel_ends.append(rem)
        elif rem:
            w.give([rem])

    # mixers: deposit to a fresh address, sweep into the pool, payouts later in chunks
    def mixer_deposit(m, owner, coin_src, value, payout_to):
        da = w.addr(m, "p2wpkh", customer=str(owner))
        return da

    def mixer_payout_plan(m, value, payee_ent, is_thief):
        fee = r.uniform(0.01, 0.04)
        net = int(value * (1 - fee))
        parts = r.randint(1, 5) if net > 2 * COIN else r.randint(1, 2)
        cuts = sorted(r.random() for _ in range(parts - 1))
        prev = 0
        for c in cuts + [1.0]:
            v = int(net * (c - prev))
            prev = c
            if v > 20_000:
                delay = r.randint(6, max(12, int(0.12 * active)))
                w.at(w.height + delay, lambda v=v: mixer_pay(m, v, payee_ent, is_thief))

    mixer_queue = {m: [] for m in mixers}

    def mixer_pay(m, v, payee, is_thief):
        mixer_queue[m].append((v, payee, is_thief))
        if len(mixer_queue[m]) >= r.randint(1, 3):
            q = mixer_queue[m]
            mixer_queue[m] = []
            outs = [(v2, w.fresh(p)) for v2, p, _ in q]
            need = sum(v2 for v2, _ in outs) + 50_000
            coins = [c for c in w.wallet[m] if c[4] < w.height and w.addrs[c[3]][6] == "pool"]
            r.shuffle(coins)
            got, tot = [], 0
            for c in coins:
                if tot >= need:
                    break
                got.append(c)
                tot += c[2]
            if tot < need:
                mixer_queue[m] = q   # wait for more deposits
                return
            ids = {id(c) for c in got}
            w.wallet[m] = [c for c in w.wallet[m] if id(c) not in ids]
            pa = w.addr(m, "p2wpkh", kind="pool")
            mixer_pool[m].append(pa)
            txid, cr = w.tx(got, outs, pa, kind="mixer_payout")
            for (v2, p, th), c in zip(q, cr):
                if th:
                    w.withdrawals.append([txid[::-1].hex(), c[1], w.addrs[c[3]][0], c[2], "mixer_payout"])
            w.give(cr)

    def mixer_sweep(m):
        ds = [c for c in w.wallet[m] if w.addrs[c[3]][6] != "pool" and c[4] < w.height]
        if len(ds) < 2:
            return
        ds = ds[:r.randint(2, 40)]
        ids = {id(c) for c in ds}
        w.wallet[m] = [c for c in w.wallet[m] if id(c) not in ids]
        pa = w.addr(m, "p2wpkh", kind="pool")
        _, cr = w.tx(ds, [], pa, rate=max(1, w.feerate // 2), kind="mixer_sweep")
        w.give(cr)

    def honest_mix():
        u = user_with(2_000_000)
        if u is None:
            return
        m = r.choice(mixers)
        v = int(sum(c[2] for c in w.wallet[u]) * r.uniform(0.2, 0.7))
        coins = w.take(u, v + 30000, 4)
        if not coins:
            return
        da = w.addr(m, "p2wpkh", customer=str(u))
        _, cr = w.tx(coins, [(v, da)], w.fresh(u), kind="mixer_deposit")
        w.give(cr)
        mixer_payout_plan(m, v, u, False)

    # THORChain-like vault: inbound with a memo, outbound with OUT:<hash>, churn to a new vault
    def memo_in(dest=None, asset=None):
        # dest, asset (--evm-out only): the 0x address the memo names instead of a random one,
        # and "ETH" or "USDT" (the same random numbers are drawn either way)
        eth = r.random() < 0.5
        if asset:
            eth = asset == "ETH"
        rnd = w.sr.randbytes(20).hex().encode()
        if eth:
            return b"=:ETH.ETH:0x" + (dest or rnd)
        return b"SWAP:ETH.USDT-0XDAC17F958D2EE523A2206206994597C13D831EC7:0x" + (dest or rnd)

    def vault_in(owner, coins, value, change_aid, thief_tx=False, dest=None, asset=None, kind=None,
                 refund_to=None, refund_h=None):
        # kind (--refund-redeposit, --refund-mixed only): the pair's kind for this deposit, outside
        # the thief's cycle; refund_to, refund_h (--refund-mixed): the address a forced refund pays
        # back and its block
        memo = memo_in(dest, asset)
        outs = [(value, vault[-1]), (0, None, b"\x6a" + push(memo))]
        txid, cr = w.tx(coins, outs, change_aid, kind=None if thief_tx else "vault_inbound")
        if pair:
            d = pair.deposit(txid[::-1].hex(), memo.decode(), value, w.height, thief_tx, kind)
            if refund_to is not None:
                d["refund_to"] = refund_to
            w.vault_deps.append(d)
            if d["kind"] == "refund":  # the vault sends it back on Bitcoin: REFUND:<inbound txid>
                payee = thief2 if thief_tx else owner
                # a forced refund (--refund-mixed) comes in the block of the refund beside it
                d["refund_h"] = refund_h if kind else w.height + pair.rng.randint(2, 12)
                w.at(d["refund_h"], lambda: vault_refund(payee, d))
        return txid, cr

    def honest_vault_in(dest=None, like=None):
        # like (--evm-out only): a deposit whose asset, and value when a user has it, to copy
        u = user_with(like["value_sat"] + 100_000, 40) if like else None
        u = u if u is not None else user_with(1_000_000)
        if u is None:
            return
        v = int(sum(c[2] for c in w.wallet[u]) * r.uniform(0.1, 0.5))
        if like and sum(c[2] for c in w.wallet[u]) >= like["value_sat"] + 100_000:
            v = like["value_sat"]
        coins = w.take(u, v + 30000, 8 if like else 3)
        if not coins:
            return
        _, cr = vault_in(u, coins, v, w.fresh(u), dest=dest, asset=like and like["asset"])
        w.give(cr)
        return w.vault_deps[-1] if pair else None

    def vault_refund(payee, d):
        v = d["value_sat"] - 20_000
        # --refund-fresh-change: the vault pays part of the refund's change to a fresh address of
        # its own, 20-80 % of the deposit: two outputs neither to the vault's known addresses nor
        # above the deposit, the refund's found by amount only (probable)
        fc = int(d["value_sat"] * fr.uniform(0.2, 0.8)) if fr else 0
        coins = w.take(vaults_ent, v + fc + 100_000, 6)
        if not coins:
            d["kind"] = "unpaid"
            return
        # --refund-mixed: the second deposit's refund goes back to its sender's own address
        a2 = d["refund_to"] if "refund_to" in d else w.fresh(payee)
        outs = [(v, a2), (0, None, b"\x6a" + push(b"REFUND:" + d["btc_txid"].upper().encode()))]
        if fc:
            outs.append((fc, w.fresh(vaults_ent)))
        txid, cr = w.tx(coins, outs, vault[-1], kind="vault_outbound")
        d["refund_txid"] = txid[::-1].hex()
        if payee == thief2:
            w.withdrawals.append([txid[::-1].hex(), 0, w.addrs[a2][0], v, "vault_refund"])
            # the thief launders the refund further: a move, then two exchange deposits
            c = cr[0]
            if a.refund_mixed:  # at once: both refunds' chains in the refunds' block
                refund_hop(d, c, 1)
                return
            w.at(w.height + lr.randint(1, 2), lambda: refund_hop(d, c, 1))
        w.give([x for x in cr if x is not None and x[3] != a2] if payee == thief2 else cr)

    def refund_hop(d, c, step):
        """step 1: the refund moved whole to a fresh address; 2: 60-85 % of it to an exchange
        deposit address of the thief, the rest to a fresh address; 3: that rest to another
        exchange. Truth: refund_laundering.csv (the value each step carries of the refund).
        --refund-redeposit: step 3 swaps 40-60 % of that rest in the vault again, alone (its
        only input the refund's coin), the rest to a fresh address; step 4 swaps that rest again,
        mixed with one of the heist's own coins (so the first trace and the refund's both reach
        that deposit); steps 3 and 4 in step 2's block. Both are paid with OUT: (kind forced,
        outside the thief's cycle)."""
        a2 = w.addr(thief2, "p2wpkh")
        row = [d["btc_txid"], d["refund_txid"], step]
        if a.refund_redeposit and step >= 3:
            refund_redeposit(d, c, step, a2, row)
            return
        if a.refund_mixed and step >= 3:
            refund_mixed(d, c, row)
            return
        if step == 1:
            txid, cr = w.tx([c], [], a2, kind=None)
            w.refund_rows.append(row + [txid[::-1].hex(), 0, w.addrs[a2][0], "", cr[0][2], "move"])
            if a.refund_mixed:
                refund_hop(d, cr[0], 2)
                return
            w.at(w.height + lr.randint(1, 2), lambda: refund_hop(d, cr[0], 2))
            return
        x = exchanges[lr.randrange(len(exchanges))]
        da = w.addr(x, "p2wpkh", customer=str(thief2), cat="exchange_deposit")
        if step == 2:
            v = int(c[2] * lr.uniform(0.6, 0.85))
            txid, cr = w.tx([c], [(v, da)], a2)
            w.refund_rows.append(row + [txid[::-1].hex(), 0, w.addrs[da][0], w.ents[x][0], v, "exchange_deposit"])
            w.refund_rows.append(row + [txid[::-1].hex(), 1, w.addrs[a2][0], "", cr[1][2], "move"])
            w.give(cr[:1])
            if a.refund_redeposit or a.refund_mixed:  # at once (in the same block): a short world's chain lasts
                refund_hop(d, cr[1], 3)
                return
            w.at(w.height + lr.randint(1, 2), lambda: refund_hop(d, cr[1], 3))
            return
        txid, cr = w.tx([c], [], da)
        w.refund_rows.append(row + [txid[::-1].hex(), 0, w.addrs[da][0], w.ents[x][0], cr[0][2], "exchange_deposit"])
        w.give(cr)

    def refund_redeposit(d, c, step, a2, row):
        if step == 3:
            v = int(c[2] * lr.uniform(0.4, 0.6))
            txid, cr = vault_in(thief2, [c], v, a2, thief_tx=True, kind="out")
            w.refund_rows.append(row + [txid[::-1].hex(), 0, w.addrs[cr[0][3]][0], "thorchain", v, "vault_deposit"])
            w.refund_rows.append(row + [txid[::-1].hex(), 2, w.addrs[a2][0], "", cr[2][2], "move"])
            w.give(cr[:1])
            refund_hop(d, cr[2], 4)
            return
        # the heist's largest coin of at least 0.1 BTC not out of a CoinJoin round (chosen by value,
        # not by the heist's RNG), after the refund's coin: FIFO puts the refund's value wholly
        # into the vault output
        cj = set(H["coinjoin_txids"])
        cs = sorted((x for x in w.wallet[thief] if x[4] < w.height and x[2] >= 10_000_000
                     and w.addrs[x[3]][6] == "std" and x[0][::-1].hex() not in cj),
                    key=lambda x: (-x[2], x[0], x[1]))[:1]
        w.wallet[thief] = [x for x in w.wallet[thief] if not cs or x is not cs[0]]
        coins = [c] + cs
        v = c[2] + int(sum(x[2] for x in cs) * lr.uniform(0.3, 0.7))
        txid, cr = vault_in(thief, coins, v, w.addr(thief, "p2wpkh") if cs else a2, thief_tx=True, kind="out")
        if cs:  # the heist's part: its service deposit is the stolen coin's share only
            rec_thief("vault_inbound", txid, coins, cr, service_kind="vault")
            H["service"][-1]["value_sat"] -= c[2]
        w.refund_rows.append(row + [txid[::-1].hex(), 0, w.addrs[cr[0][3]][0], "thorchain", c[2], "vault_deposit"])
        w.give(cr)

    def refund_mixed(d, c, row):
        """--refund-mixed: the thief swaps both refunds' laundered rests in the vault together, in
        one tx, once both are there: the refund to the sender's own address (certain) first, so
        FIFO puts its rest wholly into the vault output, then 30-70 % of the other's (the refund by
        amount: probable), the rest of that to a fresh address. Paid with OUT: (kind forced).
        Truth: one vault_deposit row per refund, its value the part it carries."""
        w.mixed_rests.append((d, c, row))
        if len(w.mixed_rests) < 2:
            return
        rs = sorted(w.mixed_rests, key=lambda x: "refund_to" not in x[0])
        w.mixed_rests = []
        v = rs[0][1][2] + int(rs[1][1][2] * lr.uniform(0.3, 0.7))
        a2 = w.addr(thief2, "p2wpkh")
        txid, cr = vault_in(thief2, [rs[0][1], rs[1][1]], v, a2, thief_tx=True, kind="out")
        va = w.addrs[cr[0][3]][0]
        w.refund_rows.append(rs[0][2] + [txid[::-1].hex(), 0, va, "thorchain", rs[0][1][2], "vault_deposit"])
        w.refund_rows.append(rs[1][2] + [txid[::-1].hex(), 0, va, "thorchain", v - rs[0][1][2], "vault_deposit"])
        w.refund_rows.append(rs[1][2] + [txid[::-1].hex(), 2, w.addrs[a2][0], "", cr[2][2], "move"])
        w.give(cr)

    def mixed_second(d1):
        """--refund-mixed: beside the thief's deposit d1 the vault refunds, a second one in the same
        block, of the heist's coin of at least 0.01 BTC not out of a CoinJoin round nearest d1's value
        (chosen by value, not by the heist's RNG), forced to a refund the vault pays to its sender's
        own address in d1's refund's block"""
        cj = set(H["coinjoin_txids"])
        cs = sorted((x for x in w.wallet[thief] if x[4] < w.height and x[2] >= 1_000_000
                     and w.addrs[x[3]][6] == "std" and x[0][::-1].hex() not in cj),
                    key=lambda x: (abs(x[2] - d1["value_sat"]), x[0], x[1]))[:1]
        if not cs:
            return
        w.wallet[thief] = [x for x in w.wallet[thief] if x is not cs[0]]
        v = cs[0][2] - 100_000
        txid, cr = vault_in(thief, cs, v, w.addr(thief, "p2wpkh"), thief_tx=True, kind="refund",
                            refund_to=cs[0][3], refund_h=d1["refund_h"])
        rec_thief("vault_inbound", txid, cs, cr, service_kind="vault")
        w.give(cr)

    def vault_out(payee, v, is_thief=False):
        coins = w.take(vaults_ent, v + 100_000, 6)
        if not coins:
            return
        a2 = w.fresh(payee)
        txid, cr = w.tx(coins, [(v, a2), (0, None, b"\x6a" + push(b"OUT:" + w.sr.randbytes(32).hex().upper().encode()))],
                        vault[-1], kind="vault_outbound")
        if is_thief:
            w.withdrawals.append([txid[::-1].hex(), 0, w.addrs[a2][0], v, "vault_outbound"])
        w.give(cr)

    def vault_churn():
        coins = [c for c in w.wallet[vaults_ent] if c[4] < w.height]
        if len(coins) < 2:
            return
        w.wallet[vaults_ent] = [c for c in w.wallet[vaults_ent] if c[4] >= w.height]
        vault.append(w.addr(vaults_ent, "p2wpkh"))
        _, cr = w.tx(coins[:200], [(0, None, b"\x6a" + push(b"MIGRATE:%d" % w.height))], vault[-1], kind="vault_churn")
        w.give(cr)
        w.wallet[vaults_ent].extend([])
        if len(coins) > 200:
            w.wallet[vaults_ent].extend(coins[200:])

    # Lightning
    def ln_scripts(a_e, b_e):
        k1, k2 = w.sr.randbytes(32), w.sr.randbytes(32)
        ms = b"\x52" + push(b"\x02" + k1) + push(b"\x03" + k2) + b"\x52\xae"
        return ms

    def ln_open(funder, node, coins, value, change_aid, taproot=None):
        taproot = r.random() < 0.3 if taproot is None else taproot
        if taproot:
            fa = w.addr(funder, "p2tr", kind="ln_funding_tr")
        else:
            fa = w.addr(funder, "p2wsh", kind="ms2", script=ln_scripts(funder, node))
        txid, cr = w.tx(coins, [(value, fa)], change_aid, kind=None if funder == thief else "ln_open")
        return txid, cr

    def delayed_script(e, delay):
        return (b"\x63" + push(b"\x02" + w.sr.randbytes(32)) + b"\x67" + scriptnum(delay) + b"\xb2\x75" +
                push(b"\x03" + w.sr.randbytes(32)) + b"\x68\xac")

    def htlc_script():
        return (b"\x76\xa9\x14" + w.sr.randbytes(20) + b"\x87\x63\xac\x67" + push(b"\x02" + w.sr.randbytes(32)) +
                b"\x7c\x82\x01\x20\x87\x64\x75\x52\x7c" + push(b"\x02" + w.sr.randbytes(32)) +
                b"\x52\xae\x67\xa9\x14" + w.sr.randbytes(20) + b"\x88\xac\x68\x68")

    def anchor_script():
        return push(b"\x02" + w.sr.randbytes(32)) + b"\xac\x73\x64\x60\xb2\x68"

    def ln_close(fcoin, funder, node, local_share, coop, is_thief=False):
        """local_share of the channel goes back to the funder, the rest to the node (what the
        funder paid through it)."""
        if (fcoin[0], fcoin[1]) not in w.utxo:
            return
        w.wallet[funder] = [c for c in w.wallet[funder] if c is not fcoin]
        v = fcoin[2]
        if coop:
            fee = 180 * max(2, w.feerate)
            loc = int((v - fee) * local_share)
            outs = [(loc, w.fresh(funder, "p2tr" if r.random() < 0.4 else "p2wpkh"))]
            if v - fee - loc > 546:
                outs.append((v - fee - loc, w.fresh(node)))
            r.shuffle(outs)
            txid, cr = w.tx([fcoin], outs, None, seqs=[0xffffffff], kind=None if is_thief else "ln_coop_close")
            if is_thief:
                rec_thief("ln_coop_close", txid, [fcoin], cr, service_kind="lightning")
            w.give(cr)
            return
        # force close with anchors: to_local (delayed), to_remote, two anchors, one offered HTLC
        delay = r.choice([144, 720, 2016]) if False else r.choice([6, 12, 24])
        fee = 1100 * max(2, w.feerate)
        htlc_v = int(v * r.uniform(0.01, 0.05)) if r.random() < 0.7 else 0
        loc = int((v - fee - 660 - htlc_v) * local_share)
        rem = v - fee - 660 - htlc_v - loc
        outs = [(330, w.addr(funder, "p2wsh", kind="anchor", script=anchor_script())),
                (330, w.addr(node, "p2wsh", kind="anchor", script=anchor_script()))]
        tl = w.addr(funder, "p2wsh", kind="tolocal", script=delayed_script(funder, delay))
        outs.append((loc, tl))
        if rem > 546:
            outs.append((rem, w.addr(node, "p2wsh", kind="anchor_remote", script=b"\x21" + b"\x02" + w.sr.randbytes(32) + b"\xad\x51\xb2")))
        if htlc_v > 546:
            outs.append((htlc_v, w.addr(funder, "p2wsh", kind="htlc", script=htlc_script())))
        obsc = r.getrandbits(24)
        txid, cr = w.tx([fcoin], outs, None, version=2, locktime=0x20000000 | obsc,
                        seqs=[0x80000000 | r.getrandbits(24)], fee=fee, kind=None if is_thief else "ln_force_close")
        if is_thief:
            rec_thief("ln_force_close", txid, [fcoin], cr, service_kind="lightning")
        w.give(cr)
        mine = [c for c in cr if w.addrs[c[3]][2] == funder]
        for c in mine:
            kd = w.addrs[c[3]][6]
            if kd == "tolocal":
                w.at(w.height + delay + r.randint(0, 10), lambda c=c, d=delay: ln_sweep(c, funder, d, is_thief))
            elif kd == "htlc":
                w.at(w.height + r.randint(2, 20), lambda c=c, d=delay: htlc_timeout(c, funder, d, is_thief))

    def ln_sweep(c, owner, delay, is_thief):
        if (c[0], c[1]) not in w.utxo:
            return
        w.wallet[owner] = [x for x in w.wallet[owner] if x is not c]
        to = w.fresh(owner) if not is_thief else thief_addr()
        txid, cr = w.tx([c], [], to, seqs=[delay], kind=None if is_thief else "ln_sweep")
        if is_thief:
            rec_thief("ln_sweep", txid, [c], cr)
        w.give(cr)

    def htlc_timeout(c, owner, delay, is_thief):
        if (c[0], c[1]) not in w.utxo:
            return
        w.wallet[owner] = [x for x in w.wallet[owner] if x is not c]
        tl = w.addr(owner, "p2wsh", kind="tolocal", script=delayed_script(owner, delay))
        txid, cr = w.tx([c], [], tl, locktime=w.height, seqs=[0], htlc_path="timeout",
                        kind=None if is_thief else "htlc_timeout")
        if is_thief:
            rec_thief("htlc_timeout", txid, [c], cr)
        w.give(cr)
        if cr:
            w.at(w.height + delay + 1, lambda: ln_sweep(cr[0], owner, delay, is_thief))

    def htlc_success(c, owner):
        if (c[0], c[1]) not in w.utxo:
            return
        src = w.addrs[c[3]][2]
        w.wallet[src] = [x for x in w.wallet[src] if x is not c]
        _, cr = w.tx([c], [], w.fresh(owner), seqs=[1], htlc_path="success", kind="htlc_success")
        w.give(cr)

    def honest_ln():
        u = user_with(3_000_000)
        if u is None:
            return
        node = r.choice(nodes) if r.random() < 0.7 else r.choice(users)
        v = int(sum(c[2] for c in w.wallet[u]) * r.uniform(0.1, 0.6))
        coins = w.take(u, v + 30000, 3)
        if not coins:
            return
        _, cr = ln_open(u, node, coins, v, w.fresh(u))
        w.give(cr)
        f = cr[0]
        coop = r.random() < 0.7
        w.at(w.height + r.randint(10, max(20, int(0.3 * active))),
             lambda: ln_close(f, u, node, r.uniform(0.2, 0.95), coop))

    def honest_node_force_close():
        """a node force-closes a channel it funded: its received HTLC claimed by HTLC-success."""
        node = r.choice(nodes)
        if not w.wallet[node]:
            return
        coins = w.take(node, 2_000_000, 2)
        if not coins:
            return
        peer = r.choice(users)
        v = sum(c[2] for c in coins) - 50_000
        txid, cr = ln_open(node, peer, coins, v, None)
        f = cr[0]
        w.give(cr)

        def close():
            if (f[0], f[1]) not in w.utxo:
                return
            w.wallet[node] = [c for c in w.wallet[node] if c is not f]
            fee = 1100 * max(2, w.feerate)
            hv = int(f[2] * 0.03)
            loc = int((f[2] - fee - 660 - hv) * 0.6)
            outs = [(330, w.addr(node, "p2wsh", kind="anchor", script=anchor_script())),
                    (330, w.addr(peer, "p2wsh", kind="anchor", script=anchor_script())),
                    (loc, w.addr(node, "p2wsh", kind="tolocal", script=delayed_script(node, 12))),
                    (f[2] - fee - 660 - hv - loc, w.fresh(peer)),
                    (hv, w.addr(node, "p2wsh", kind="htlc", script=htlc_script()))]
            _, cr2 = w.tx([f], outs, None, locktime=0x20000000 | r.getrandbits(24),
                          seqs=[0x80000000 | r.getrandbits(24)], fee=fee, kind="ln_force_close")
            w.give(cr2)
            w.at(w.height + 3, lambda: htlc_success(cr2[4], node))
            w.at(w.height + 13, lambda: ln_sweep(cr2[2], node, 12, False))
        w.at(w.height + r.randint(20, 200), close)

    # JoinMarket: a taker (sweep: no change) and 5-15 makers with change; the taker pays maker fees
    def joinmarket(taker, tcoins=None, rec=False):
        # coins the caller passes are the caller's to give back when no round is made
        own = tcoins is None
        makers = []
        for _ in range(r.randint(5, 15)):
            m = user_with(3_000_000)
            if m is not None and m != taker and m not in makers:
                makers.append(m)
        if len(makers) < 4:
            return None
        if tcoins is None:
            tu = user_with(2_000_000)
            if tu is None or tu in makers:
                return None
            taker = tu
            tcoins = w.take(taker, 1_000_000, 3)
            if not tcoins:
                return None
        sweep = rec or r.random() < 0.5
        tin = sum(c[2] for c in tcoins)
        mfee_rate = r.uniform(0.00002, 0.0003)
        est_fee = (len(makers) + len(tcoins)) * 70 * w.feerate + (2 * len(makers) + 2) * 32 * w.feerate
        amount = tin - est_fee - int(tin * mfee_rate) * len(makers) if sweep else int(tin * r.uniform(0.3, 0.8))
        mcoins, mouts = [], []
        coord = 0
        for m in makers:
            cs = w.take(m, amount + 10_000, 3)
            if not cs:
                continue
            mf = int(amount * mfee_rate)
            coord += mf
            mcoins.append((m, cs, mf))
        if len(mcoins) < 3:
            for m, cs, mf in mcoins:
                w.give(cs)
            if own:
                w.give(tcoins)
            return None
        outs = [(amount, w.fresh(taker) if taker != thief else thief_addr())]
        ins = list(tcoins)
        for m, cs, mf in mcoins:
            ins += cs
            outs.append((amount, w.fresh(m)))
            mc = sum(c[2] for c in cs) - amount + mf - 60 * w.feerate
            outs.append((mc, w.fresh(m, r.choice(stypes))))
        if not sweep:
            tch = tin - amount - coord - est_fee
            outs.append((tch, w.fresh(taker)))
        else:
            coord = sum(mf for _, _, mf in mcoins)
        r.shuffle(ins)
        r.shuffle(outs)
        if sum(c[2] for c in ins) - sum(v for v, _ in outs) < 0:
            for m, cs, mf in mcoins:
                w.give(cs)
            if own:
                w.give(tcoins)
            return None
        txid, cr = w.tx(ins, outs, None)
        w.cj_rows.append([txid[::-1].hex(), w.height, "joinmarket", taker, len(ins), len(outs),
                          H["name"] if taker == thief else ""])
        w.give(cr)
        if taker == thief:
            rec_thief("joinmarket", txid, ins, cr, cj_coord=coord)
        return txid, cr

    # Wasabi 2: 100-300 inputs, standard denominations, no change
    def denoms(v):
        out = []
        for d in DENOMS:
            while v >= d and len(out) < 10:
                out.append(d)
                v -= d
        return out, v

    def wasabi2(thief_coins=None):
        n_in = r.randint(100, 300) if s >= 0.05 else r.randint(30, 60)
        parts = []
        nin = 0
        tries = 0
        if thief_coins:
            parts.append((thief, thief_coins))
            nin += len(thief_coins)
        seen = set()
        while nin < n_in and tries < n_in * 3:
            tries += 1
            u = r.choice(users)
            if u in seen:
                continue
            cs = [c for c in w.wallet[u] if c[4] < w.height and 300_000 <= c[2] <= 5 * COIN][:r.randint(1, 3)]
            if not cs:
                continue
            seen.add(u)
            ids = {id(c) for c in cs}
            w.wallet[u] = [c for c in w.wallet[u] if id(c) not in ids]
            parts.append((u, cs))
            nin += len(cs)
        if nin < 20:
            for u, cs in parts:
                w.give(cs)
            return None
        ins, outs = [], []
        coord_fee = 0
        tcoord = 0
        rate = w.feerate
        for u, cs in parts:
            tot = sum(c[2] for c in cs)
            cf = int(tot * 0.003) if tot > 1_000_000 and r.random() < 0.5 else 0
            coord_fee += cf
            if u == thief:
                tcoord += cf
            avail = tot - cf - len(cs) * 69 * rate
            ds, left = denoms(avail - 10 * 43 * rate)
            ins += cs
            for d in ds:
                outs.append((d, w.fresh(u, "p2tr" if r.random() < 0.6 else "p2wpkh") if u != thief else thief_addr("p2tr")))
        if coord_fee > 0:
            outs.append((coord_fee, w.addr(wcoord, "p2wpkh")))
        r.shuffle(ins)
        outs.sort(key=lambda o: -o[0])
        if sum(c[2] for c in ins) - sum(v for v, _ in outs) < 0:
            raise RuntimeError("wasabi2 overspend")
        txid, cr = w.tx(ins, outs, None)
        th = any(u == thief for u, _ in parts)
        w.cj_rows.append([txid[::-1].hex(), w.height, "wasabi2", wcoord, len(ins), len(outs), H["name"] if th else ""])
        w.give(cr)
        if th:
            rec_thief("wasabi2", txid, ins, cr, cj_coord=tcoord)
        return txid, cr

    # OTC desk: a trade address per trade, payouts batched
    otc_queue = {o: [] for o in otc}

    def otc_trade(o, payee, value, is_thief=False):
        otc_queue[o].append((value, payee, is_thief))

    def otc_payout(o):
        q = otc_queue[o]
        if not q:
            return
        need = sum(v for v, _, _ in q) + 100_000
        coins = w.take(o, need, 20)
        if not coins:
            return
        otc_queue[o] = []
        outs = [(v, w.fresh(p)) for v, p, _ in q]
        txid, cr = w.tx(coins, outs, w.addr(o, "p2wpkh"), kind="otc_payout")
        for (v, p, th), c in zip(q, cr):
            if th:
                w.withdrawals.append([txid[::-1].hex(), c[1], w.addrs[c[3]][0], v, "otc_payout"])
        w.give(cr)

    def honest_otc():
        u = user_with(20 * COIN) if r.random() < 0.5 else None
        o = r.choice(otc)
        if u is not None:
            v = int(sum(c[2] for c in w.wallet[u]) * 0.5)
            coins = w.take(u, v + 50_000, 5)
            if coins:
                ta = w.addr(o, "p2wpkh", customer=str(u))
                _, cr = w.tx(coins, [(v, ta)], w.fresh(u), kind="otc_trade")
                w.give(cr)
        otc_trade(o, r.choice(users), r.randint(5_000_000, 300_000_000))

    def dust_probe(targets):
        u = state["dust_sender"]
        n = len(targets)
        coins = w.take(u, n * 1000 + 50_000, 3)
        if not coins:
            return
        outs = [(r.randint(546, 1000), t) for t in targets]
        txid, cr = w.tx(coins, outs, w.fresh(u), kind="dust_probe")
        for c in cr:
            if c and w.addrs[c[3]][2] == thief:
                w.received.append([txid[::-1].hex(), c[1], w.addrs[c[3]][0], c[2], "dust_probe"])
        w.give([c for c in cr if c and w.addrs[c[3]][2] != thief])

    # ---- the heist (Lazarus)
    reused = []

    def thief_addr(st=None):
        """a fresh thief address, or now and then the reused one (address reuse across stages)"""
        if reused and w.hr.random() < 0.12:
            return reused[0]
        return w.addr(thief, st or w.hr.choice(["p2wpkh", "p2wpkh", "p2tr", "p2sh"]))

    thief_deps = {}

    def thief_dep(x):
        if x not in thief_deps:
            thief_deps[x] = [dep(x, thief)]
        if w.hr.random() < 0.3:
            a2 = w.addr(x, "p2wpkh", customer=str(thief), cat="exchange_deposit")
            thief_deps[x].append(a2)
            return a2
        return w.hr.choice(thief_deps[x])

    peel_ends = []
    hr = w.hr

    def tcoins(n=None, minv=0):
        cs = [c for c in w.wallet[thief] if c[4] < w.height and c[2] >= minv and w.addrs[c[3]][6] == "std"]
        hr.shuffle(cs)
        cs = cs[:n] if n else cs
        ids = {id(c) for c in cs}
        w.wallet[thief] = [c for c in w.wallet[thief] if id(c) not in ids]
        return cs

    def heist_theft():
        hc = [c for c in w.wallet[victim] if c[4] < w.height]
        hc.sort(key=lambda c: -c[2])
        bal = sum(c[2] for c in hc)
        target = min(int(bal * 0.85), hr.randint(450, 900) * COIN) if s >= 0.5 else int(bal * 0.6)
        got, tot = [], 0
        for c in hc:
            if tot >= target:
                break
            got.append(c)
            tot += c[2]
        ids = {id(c) for c in got}
        w.wallet[victim] = [c for c in w.wallet[victim] if id(c) not in ids]
        n = hr.randint(3, 6)
        amt = tot - 30_000
        share = amt // n
        outs = []
        a0 = w.addr(thief, "p2wpkh")
        reused.append(a0)
        for i in range(n):
            outs.append((share, a0 if i == 0 else w.addr(thief, "p2wpkh")))
        txid, cr = w.tx(got, outs, hot[victim][0], kind=None)
        H["theft_txid"] = txid[::-1].hex()
        H["theft_height"] = w.height
        H["victim_inputs"] = ["%s:%d" % (c[0][::-1].hex(), c[1]) for c in got]
        thief_out = [c for c in cr if w.addrs[c[3]][2] == thief]
        H["amount_sat"] = sum(c[2] for c in thief_out)
        H["stolen_outputs"] = [{"outpoint": "%s:%d" % (txid[::-1].hex(), c[1]), "address": w.addrs[c[3]][0],
                                "value_sat": c[2]} for c in thief_out]
        w.thief_rows.append([H["name"], txid[::-1].hex(), w.height, "theft", "", 0, H["amount_sat"], 0, 0, 0])
        H["thief_txids"].append(txid[::-1].hex())
        w.give(cr)
        w.at(w.height + hr.randint(1, 4), fan_out)

    def fan_out():
        cs = tcoins()
        k = hr.randint(24, 36) if s >= 0.3 else hr.randint(12, 18)
        for part in (cs[:len(cs) // 2 or 1], cs[len(cs) // 2:]):
            if not part:
                continue
            tot = sum(c[2] for c in part)
            n = k // 2
            outs = [(int(tot / n * hr.uniform(0.6, 1.2)), thief_addr()) for _ in range(n - 1)]
            if sum(v for v, _ in outs) > tot * 0.95:
                outs = outs[:len(outs) // 2]
            txid, cr = w.tx(part, outs, thief_addr())
            rec_thief("fan_out", txid, part, cr)
            w.give(cr)
        start = w.height + hr.randint(3, 10)
        span = max(20, int(0.55 * active))
        plan = (["mixer"] * 6 + ["vault"] * 4 + ["ln"] * 3 + ["jm"] * 2 + ["wasabi"] * 2 + ["peel"] * 4 +
                ["otc"] * 2 + ["deposit"] * 2 + ["merchant"])
        hr.shuffle(plan)
        plan.remove("merchant")
        plan.insert(0, "merchant")   # early, so the refund and the probe land in any world
        for i, p in enumerate(plan):
            w.at(start + int(span * i / len(plan)) + hr.randint(0, 5), lambda p=p: stage(p))
        # the thief waits weeks, then consolidates the peel remainders and what is left
        w.at(start + span + hr.randint(5, 20), consolidate_thief)
        w.at(start + span + hr.randint(30, 60), final_cashout)

    def vault_attack(cs, v, hd):
        if hd and hd["value_sat"] + 200_000 <= sum(c[2] for c in cs):
            v = hd["value_sat"]
        txid, cr = vault_in(thief, cs, v, thief_addr(), thief_tx=True, dest=pair.honest_person[2:].encode(),
                            asset=hd and hd["asset"])
        rec_thief("vault_inbound", txid, cs, cr, service_kind="vault")
        w.give(cr)

    def stage(p):
        if p == "mixer":
            cs = tcoins(hr.randint(1, 2), 10_000_000)
            if not cs:
                return
            m = hr.choice(mixers)
            da = w.addr(m, "p2wpkh", customer=str(thief))
            tot = sum(c[2] for c in cs)
            v = int(tot * hr.uniform(0.5, 0.95))
            txid, cr = w.tx(cs, [(v, da)], thief_addr())
            rec_thief("mixer_deposit", txid, cs, cr, service_kind="mixer")
            w.give(cr)
            mixer_payout_plan(m, v, thief2, True)
        elif p == "vault":
            cs = tcoins(hr.randint(1, 3), 10_000_000)
            if not cs:
                return
            v = int(sum(c[2] for c in cs) * hr.uniform(0.6, 1.0)) - 100_000
            if pair and pair.attack_next():
                # the honest person swaps to its own address; in the next block the thief's
                # memo names that address, for the same value and asset (when it has them)
                hd = honest_vault_in(dest=pair.honest_person[2:].encode())
                w.at(w.height + 1, lambda: vault_attack(cs, v, hd))
                return
            txid, cr = vault_in(thief, cs, v, thief_addr(), thief_tx=True)
            rec_thief("vault_inbound", txid, cs, cr, service_kind="vault")
            w.give(cr)
            if a.refund_mixed and w.vault_deps[-1]["kind"] == "refund" and not state.get("mixed"):
                state["mixed"] = True
                mixed_second(w.vault_deps[-1])
            # BTC bought back from the other chain (stolen ETH swapped to BTC): not this heist's coins
            for _ in range(hr.randint(1, 3)):
                w.at(w.height + hr.randint(2, 30), lambda: vault_out(thief2, hr.randint(20_000_000, 300_000_000), True))
        elif p == "ln":
            for _ in range(hr.randint(1, 3)):
                cs = tcoins(1, 5_000_000)
                if not cs:
                    return
                node = hr.choice(nodes)
                v = min(cs[0][2] - 100_000, int(cs[0][2] * hr.uniform(0.4, 1.0)))
                txid, cr = ln_open(thief, node, cs, v, thief_addr(), taproot=hr.random() < 0.4)
                rec_thief("ln_open", txid, cs, cr)
                w.give(cr)
                f = cr[0]
                coop = hr.random() < 0.6
                w.at(w.height + hr.randint(20, max(30, int(0.2 * active))),
                     lambda f=f, node=node, coop=coop: ln_close(f, thief, node, hr.uniform(0.3, 0.8), coop, True))
        elif p == "jm":
            cs = tcoins(hr.randint(1, 3), 1_000_000)
            if not cs:
                return
            res = joinmarket(thief, cs, rec=True)
            if res is None:
                w.give(cs)
        elif p == "wasabi":
            cs0 = tcoins(hr.randint(3, 8))
            cs = [c for c in cs0 if 300_000 <= c[2] <= 5 * COIN]
            w.give([c for c in cs0 if c not in cs])
            big = []
            if len(cs) < 3:
                # split a coin into wallet-sized pieces first
                src = tcoins(1, 5 * COIN)
                if not src:
                    w.give(cs)
                    return
                n = hr.randint(4, 8)
                v = min(src[0][2] // (n + 1), 4 * COIN)
                txid, cr = w.tx(src, [(v, thief_addr()) for _ in range(n)], thief_addr())
                rec_thief("split", txid, src, cr)
                w.give(cr[-1:])
                big = cr[:-1]
                w.give(cs)
                w.at(w.height + 1, lambda: wasabi2(big))
                return
            wasabi2(cs)
        elif p == "peel":
            cs = tcoins(1, 5 * COIN)
            if not cs:
                return
            peel_id[0] += 1
            peel_hop(thief, cs[0], hr.randint(8, 20), peel_id[0], 1, H["name"])
        elif p == "otc":
            cs = tcoins(hr.randint(1, 2), 10_000_000)
            if not cs:
                return
            o = hr.choice(otc)
            ta = w.addr(o, "p2wpkh", customer=str(thief))
            v = int(sum(c[2] for c in cs) * hr.uniform(0.5, 0.9))
            txid, cr = w.tx(cs, [(v, ta)], thief_addr())
            rec_thief("otc_trade", txid, cs, cr, service_kind="otc_desk")
            w.give(cr)
            otc_trade(o, thief2, int(v * 0.97), True)
        elif p == "deposit":
            cs = tcoins(1, 1_000_000)
            if not cs:
                return
            x = hr.choice(exchanges[1:])
            v = int(cs[0][2] * hr.uniform(0.3, 0.7))
            txid, cr = w.tx(cs, [(v, thief_dep(x))], thief_addr())
            rec_thief("deposit", txid, cs, cr)
            w.give(cr)
        elif p == "merchant":
            cs = tcoins(1, 1_000_000)
            if not cs:
                return
            # the merchant with the most coins of its own, so it refunds from them
            mer = max(merchants, key=lambda m: (sum(c[2] for c in w.wallet[m]), -m))
            v = int(cs[0][2] * hr.uniform(0.05, 0.2))
            pa = w.fresh(mer)
            txid, cr = w.tx(cs, [(v, pa)], reused[0])
            rec_thief("merchant_payment", txid, cs, cr, honest_kind="merchant")
            w.give(cr)
            w.at(w.height + hr.randint(3, 15), lambda: refund(mer, v // 2, pa))
            # a chain-analysis firm's dusting probe hits the thief's reused address among users'
            w.at(w.height + hr.randint(3, 15), lambda: dust_probe([reused[0]] + [w.fresh(u) for u in r.sample(users, 30)]))

    def refund(mer, v, paid):
        """the merchant refunds from its own coins (not the thief's payment) to the thief's reused
        address"""
        keep = [c for c in w.wallet[mer] if c[3] == paid]
        w.wallet[mer] = [c for c in w.wallet[mer] if c[3] != paid]
        coins = w.take(mer, v + 20_000, 6)
        w.wallet[mer].extend(keep)
        if not coins:
            return
        txid, cr = w.tx(coins, [(v, reused[0])], w.fresh(mer), kind="merchant_refund")
        w.received.append([txid[::-1].hex(), 0, w.addrs[reused[0]][0], v, "merchant_refund"])
        w.give(cr[1:])

    def consolidate_thief():
        cs = [c for c in peel_ends if (c[0], c[1]) in w.utxo]
        cs += [c for c in tcoins(hr.randint(3, 8))]
        ids = {id(c) for c in cs}
        w.wallet[thief] = [c for c in w.wallet[thief] if id(c) not in ids]
        cs = list({id(c): c for c in cs}.values())
        if len(cs) < 2:
            w.give(cs)
            return
        txid, cr = w.tx(cs, [], thief_addr("p2tr"), rate=max(1, w.feerate // 2))
        rec_thief("consolidation", txid, cs, cr)
        w.give(cr)
        peel_id[0] += 1
        c = cr[0]
        w.at(w.height + hr.randint(2, 10), lambda: peel_hop(thief, c, hr.randint(6, 12), peel_id[0], 1, H["name"]))

    def final_cashout():
        for c in tcoins(6, 2_000_000):
            x = hr.choice(exchanges[1:])
            v = int(c[2] * hr.uniform(0.7, 0.95))
            txid, cr = w.tx([c], [(v, thief_dep(x))], thief_addr())
            rec_thief("cash_out", txid, [c], cr)
            w.give(cr)

    # ---- the chain
    blocks = []   # (height, hash, raw)
    stale = []
    prev = dsha(b"")  # replaced by genesis below
    gen_tx = GENESIS_CB
    gtxid = dsha(gen_tx)
    ghdr = struct.pack("<i", 1) + b"\0" * 32 + gtxid + struct.pack("<III", 1296688602, 0x207fffff, 2)
    ghash = dsha(ghdr)
    if ghash[::-1].hex() != REGTEST_GENESIS:
        raise RuntimeError("regtest genesis mismatch")
    blocks.append((0, ghash, ghdr + b"\x01" + gen_tx))
    prev = ghash
    t0 = 1767225600  # 2026-01-01

    def mine(prev_hash, txs, miner, height, tag=b""):
        return mine_block(w, prev_hash, txs, w.addrs[miner_addr[miner]][5], height,
                          t0 + 600 * height + (height * 37 % 300), b"/alt6/" + tag)

    n_stale = max(3, active // 500)
    stale_at = set(r.sample(range(120, 110 + active), n_stale))
    heist_h = 110 + int(active * 0.08) + r.randint(0, 5)
    # scale 1 promises 200k txs: a world that falls short gets a few more blocks of the economy
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
            # pool payouts of matured coinbases: to exchanges and users
            for m in miners:
                mc = [c for c in w.wallet[m] if c[4] <= height - 100]
                if mc and (height < 140 or r.random() < 0.7):
                    c = mc[0]
                    w.wallet[m].remove(c)
                    outs = []
                    tot = c[2] - 200_000
                    if height < heist_h:
                        outs.append((tot * 3 // 10, r.choice(hot[victim])))
                    for x in exchanges[1:] if height < 220 else [r.choice(exchanges)]:
                        outs.append((tot // 20, r.choice(hot[x])))
                    if height < 125:
                        outs.append((3_000_000, w.fresh(state["dust_sender"])))
                    rest = tot - sum(v for v, _ in outs)
                    k = r.randint(20, 120)
                    for _ in range(k):
                        outs.append((rest // k, w.fresh(r.choice(users))))
                    txid, cr = w.tx([c], outs, None, kind="pool_payout")
                    w.give(cr)
            for fn in w.sched.pop(height, []):
                fn()
            if height == heist_h:
                heist_theft()
            n_act = int(per_block * r.uniform(0.8, 1.2))
            start_n = w.ntx
            acts = [(pay, 34), (deposit, 10), (lambda: sweep(r.choice(exchanges)), 1.5),
                    (lambda: withdraw_batch(r.choice(exchanges)), 3), (consolidate_honest, 1.2),
                    (honest_peel_start, 0.5), (honest_mix, 2.5), (lambda: mixer_sweep(r.choice(mixers)), 1.2),
                    (honest_vault_in, 2.5), (lambda: vault_out(r.choice(users), r.randint(200_000, 50_000_000)), 2.0),
                    (honest_ln, 1.5), (honest_node_force_close, 0.2), (lambda: joinmarket(None), 0.3),
                    (honest_otc, 0.4), (lambda: otc_payout(r.choice(otc)), 0.4)]
            tw = sum(x for _, x in acts)
            before = w.ntx
            while w.ntx - start_n < n_act:
                x = r.random() * tw
                for fn, wt in acts:
                    x -= wt
                    if x <= 0:
                        before = w.ntx
                        fn()
                        break
                if w.ntx == before and r.random() < 0.05:
                    break
            if height % max(25, int(90 * max(s, 0.05))) == 0 and height > 130:
                wasabi2()
            if height % 300 == 0:
                vault_churn()
            if height % 97 == 0 and height > 130:
                dust_probe([w.fresh(u) for u in r.sample(users, 40)])
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

    # ---- write the blocks
    out = a.out
    tdir = os.path.join(out, "truth")
    files = write_blocks(a, blocks, stale, r)

    # ---- truth
    thief_unspent = [c for c in w.utxo.values() if w.addrs[c[3]][2] == thief]
    recv = {(bytes.fromhex(x[0])[::-1], x[1]) for x in w.received}
    unspent = [c for c in thief_unspent if (c[0], c[1]) not in recv]
    heist = heist_truth(w, H, thief, thief2, victim, unspent, sum(x[3] for x in w.received))
    with open(os.path.join(tdir, "heists.json"), "w") as f:
        json.dump([heist], f, indent=1)
    write_entities(w, tdir)

    def wcsv(name, head, rows):
        write_table(tdir, name, head, rows)
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
    if pair:
        wcsv("refund_laundering.csv", "deposit_txid,refund_txid,step,txid,vout,address,exchange,value_sat,kind",
             w.refund_rows)
    wcsv("received.csv", "txid,vout,address,value_sat,kind", w.received)
    wcsv("dust.csv", "txid,vout,address,category,value_sat", [])
    best = blocks[-1]
    world = {"format": "chainwatch-gen-truth/1", "generator": "tests/diff/btc_alt6_world.py", "network": "regtest",
             "seed": a.seed, "scale": a.scale, "scenario": "lazarus-cashout", "txs": w.ntx + len(blocks),
             "blocks": len(blocks), "best_height": best[0], "tip": best[1][::-1].hex(), "files": len(files),
             "blk_bytes": sum(len(x) for x in files), "xor_key": a.xor_key or "",
             "zero_tail_bytes": a.zero_tail, "zero_tail_files": "last" if a.zero_tail else "",
             "stale_blocks": [{"hash": h[::-1].hex(), "height": ht} for ht, h, _ in stale],
             "addresses": len(w.addrs), "entities": len(w.ents), "coinjoins": len(w.cj_rows),
             "heist_sat": H["amount_sat"], "heist_btc": H["amount_sat"] / COIN,
             "scale_1_promise": ">= 200000 txs and a heist >= 400 BTC"}
    with open(os.path.join(tdir, "world.json"), "w") as f:
        json.dump(world, f, indent=1)
    if pair:
        pair.write(a.evm_out, w.vault_deps, t0)
    return world, heist


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--xor-key")
    ap.add_argument("--zero-tail", type=int, default=0)
    ap.add_argument("--max-file-size", type=int, default=128 * 1024 * 1024)
    ap.add_argument("--evm-out", help="also write the vault's Ethereum side as ethereum-etl CSVs "
                    "(tests/diff/btc_evm_pair.py): payouts with OUT:<btc txid>, without memo, refunds")
    ap.add_argument("--refund-redeposit", action="store_true",
                    help="with --evm-out: the thief swaps its refund's laundered rest in the vault "
                    "again, once alone and once mixed with the heist's own coins")
    ap.add_argument("--refund-fresh-change", action="store_true",
                    help="with --evm-out: the vault pays part of each refund's change (20-80 %% of the "
                    "deposit) to a fresh address of its own, so the refund's output is found by amount")
    ap.add_argument("--refund-mixed", action="store_true",
                    help="with --evm-out (implies --refund-fresh-change): beside the thief's deposit "
                    "the vault refunds, a second one it refunds to the sender's own address (found by "
                    "address: certain); the thief swaps both refunds' laundered rests in the vault "
                    "together (one refund round, two sources, one certain, one probable)")
    a = ap.parse_args()
    if a.refund_redeposit and not a.evm_out:
        ap.error("--refund-redeposit wants --evm-out")
    if a.refund_fresh_change and not a.evm_out:
        ap.error("--refund-fresh-change wants --evm-out")
    if a.refund_mixed and not a.evm_out:
        ap.error("--refund-mixed wants --evm-out")
    if a.refund_mixed and a.refund_redeposit:
        ap.error("--refund-mixed and --refund-redeposit launder the refunds differently: pick one")
    a.refund_fresh_change = a.refund_fresh_change or a.refund_mixed
    if a.xor_key and len(bytes.fromhex(a.xor_key)) != 8:
        ap.error("--xor-key wants 16 hex digits")
    world, h = build(a)
    t = h["totals"]
    print("%d txs, %d blocks, heist %.2f BTC: %d deposits, %d service deposits, %d honest payments, %d coinjoins"
          % (world["txs"], world["blocks"], h["amount_sat"] / COIN, len(h["deposits"]), len(h["service_deposits"]),
             len(h["honest_payments"]), world["coinjoins"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
