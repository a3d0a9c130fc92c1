#!/usr/bin/python3
"""gen_check.py WORLD_DIR: checks a world written by `chainwatch gen` with an independent
implementation (Debian's python3-bitcoinlib for the block format, our own few lines of
base58check/bech32 for addresses).

Blocks: every record parses; CheckBlock passes (merkle root, BIP141 witness commitment, regtest
proof of work, sizes, one coinbase); the best chain by prev links runs from genesis to the tip in
world.json; the other records are exactly the stale blocks listed there; some blocks come before
their parent in the files; txids are unique; every input spends an existing unspent output once;
inputs = outputs + fee for every tx, and each coinbase claims at most subsidy + fees.

Ground truth: every output's address is in addresses.csv; each heist's stolen value, recomputed
from the chain and the address labels alone (docs/GEN.md definition), matches heists.json per
deposit address, unspent and fees, and stolen = deposited + unspent + fees exactly (+ deposits at
a custodial mixer, an instant exchanger's order address or a bridge vault, where a world has them:
tests/diff/btc_alt3_world.py; heists.json totals.service_deposited_sat). Listed
CoinJoins and peel-chain txs are on the chain and have their shapes.
Exit 0 when everything holds; prints each failure otherwise.
"""
import csv
import hashlib
import json
import os
import sys

import bitcoin
import bitcoin.core
from bitcoin.core import CBlock, b2lx, lx

failures = []
# address categories where a thief's payment ends the trail like an exchange deposit: a custodial
# mixer's, an instant exchanger's order address, a bridge vault (tests/diff/btc_alt3_world.py)
# (and an OTC desk's trade address: tests/diff/btc_alt5_world.py)
SERVICE_DEPOSIT = ("mixer_pool", "instant_exchange_order", "bridge_vault", "otc_desk")


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


# ---- address encodings (BIP173/BIP350, base58check) -------------------------------------
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(payload):
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = B58[r] + s
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + s


BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def polymod(values):
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
    pm = polymod(exp + data + [0] * 6) ^ const
    return hrp + "1" + "".join(BECH[d] for d in data + [(pm >> 5 * (5 - i)) & 31 for i in range(6)])


def address(spk, net):
    main = net == "main"
    hrp = "bc" if main else "bcrt"
    if len(spk) == 25 and spk[:3] == b"\x76\xa9\x14" and spk[23:] == b"\x88\xac":
        return b58check((b"\x00" if main else b"\x6f") + spk[3:23])
    if len(spk) == 23 and spk[:2] == b"\xa9\x14" and spk[22] == 0x87:
        return b58check((b"\x05" if main else b"\xc4") + spk[2:22])
    if len(spk) == 22 and spk[:2] == b"\x00\x14":
        return segwit_addr(hrp, 0, spk[2:])
    if len(spk) == 34 and spk[:2] == b"\x51\x20":
        return segwit_addr(hrp, 1, spk[2:])
    if len(spk) == 34 and spk[:2] == b"\x00\x20":     # P2WSH (btc_alt_world.py's channels, cold wallets)
        return segwit_addr(hrp, 0, spk[2:])
    return None


def subsidy(h):
    return (50 * 100000000) >> (h // 210000) if h // 210000 < 64 else 0


def main():
    world = sys.argv[1]
    meta = json.load(open(os.path.join(world, "truth", "world.json")))
    net = meta["network"]
    bitcoin.SelectParams("regtest" if net == "regtest" else "mainnet")
    bdir = os.path.join(world, "blocks")
    key = None
    if os.path.exists(os.path.join(bdir, "xor.dat")):
        key = open(os.path.join(bdir, "xor.dat"), "rb").read()
        if meta["xor_key"] != key.hex():
            fail("xor.dat key differs from world.json")
    magic = {"regtest": bytes.fromhex("fabfb5da"), "main": bytes.fromhex("f9beb4d9")}[net]
    files = sorted(f for f in os.listdir(bdir) if f.startswith("blk") and f.endswith(".dat"))
    if len(files) != meta["files"]:
        fail("%d blk files, world.json says %d" % (len(files), meta["files"]))
    blocks = {}  # hash -> CBlock
    order = []
    for fn in files:
        raw = bytearray(open(os.path.join(bdir, fn), "rb").read())
        disk = bytes(raw)
        if key:
            for i in range(len(raw)):
                raw[i] ^= key[i % 8]
        pos = 0
        while pos + 8 <= len(raw):
            if not any(disk[pos:pos + 4]):
                # Core's preallocated tail: zeros on disk, not obfuscated (world.json says so)
                if disk[pos:].strip(b"\0") or meta.get("zero_tail_bytes", 0) != len(disk) - pos:
                    fail("%s: %d bytes of zero tail at %d, world.json says %s"
                         % (fn, len(disk) - pos, pos, meta.get("zero_tail_bytes")))
                raw = raw[:pos]
                break
            if raw[pos:pos + 4] != magic:
                fail("%s: bad magic at %d" % (fn, pos))
                break
            size = int.from_bytes(raw[pos + 4:pos + 8], "little")
            blk = CBlock.deserialize(bytes(raw[pos + 8:pos + 8 + size]))
            h = blk.GetHash()
            if h in blocks:
                fail("block %s twice" % b2lx(h))
            blocks[h] = blk
            order.append(h)
            pos += 8 + size
        if pos != len(raw):
            fail("%s: %d trailing bytes" % (fn, len(raw) - pos))
    # best chain from the tip back to genesis
    tip = lx(meta["tip"])
    chain = []
    h = tip
    while h in blocks:
        chain.append(h)
        prev = blocks[h].hashPrevBlock
        if prev == b"\0" * 32:
            break
        h = prev
    chain.reverse()
    if len(chain) != meta["blocks"]:
        fail("best chain has %d blocks, world.json says %d" % (len(chain), meta["blocks"]))
    gen_hash = {"regtest": "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
                "main": "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"}[net]
    if b2lx(chain[0]) != gen_hash:
        fail("chain does not start at the %s genesis" % net)
    best = set(chain)
    stale = set(h for h in blocks if h not in best)
    listed = set(lx(s["hash"]) for s in meta["stale_blocks"])
    if stale != listed:
        fail("stale blocks differ from world.json (%d found, %d listed)" % (len(stale), len(listed)))
    if len(stale) < 2:
        fail("fewer than 2 stale blocks")
    height = {h: i for i, h in enumerate(chain)}
    for s in meta["stale_blocks"]:
        sb = blocks.get(lx(s["hash"]))
        p = sb.hashPrevBlock if sb else None
        ph = height.get(p)
        if ph is None:
            ph = next((x["height"] for x in meta["stale_blocks"] if lx(x["hash"]) == p), None)
        if ph is None or ph + 1 != s["height"]:
            fail("stale block %s height mismatch" % s["hash"])
    seen = set()
    early = 0
    for h in order:
        if blocks[h].hashPrevBlock != b"\0" * 32 and blocks[h].hashPrevBlock not in seen:
            early += 1
        seen.add(h)
    if early == 0:
        fail("no block is written before its parent")
    for h, blk in blocks.items():
        try:
            bitcoin.core.CheckBlock(blk, fCheckPoW=(net == "regtest"), cur_time=2 ** 32 - 1)
        except Exception as e:  # noqa: BLE001 - report any consensus check failure
            fail("block %s: %s" % (b2lx(h), e))
    # UTXO walk
    utxo = {}
    txids = set()
    n_tx = 0
    spk_of = {}
    for hh, h in enumerate(chain):
        blk = blocks[h]
        fees = 0
        for i, tx in enumerate(blk.vtx):
            txid = tx.GetTxid()
            n_tx += 1
            if txid in txids:
                fail("duplicate txid %s" % b2lx(txid))
            txids.add(txid)
            out = sum(o.nValue for o in tx.vout)
            if i > 0:
                vin = 0
                for txin in tx.vin:
                    k = (txin.prevout.hash, txin.prevout.n)
                    if k not in utxo:
                        fail("tx %s spends missing or spent %s:%d" % (b2lx(txid), b2lx(k[0]), k[1]))
                        continue
                    vin += utxo.pop(k)[0]
                if vin < out:
                    fail("tx %s: outputs exceed inputs" % b2lx(txid))
                fees += vin - out
            for n, o in enumerate(tx.vout):
                if hh == 0:
                    continue  # the genesis output is not spendable
                if len(o.scriptPubKey) and o.scriptPubKey[0] == 0x6A:
                    continue
                utxo[(txid, n)] = (o.nValue, bytes(o.scriptPubKey))
        cb_out = sum(o.nValue for o in blk.vtx[0].vout)
        if hh > 0 and cb_out > subsidy(hh) + fees:
            fail("block %d: coinbase claims %d > %d" % (hh, cb_out, subsidy(hh) + fees))
    if n_tx != meta["txs"]:
        fail("%d txs on the best chain, world.json says %d" % (n_tx, meta["txs"]))
    # ---- ground truth ----------------------------------------------------------------
    tdir = os.path.join(world, "truth")
    addr = {}
    for row in csv.DictReader(open(os.path.join(tdir, "addresses.csv"))):
        if row["address"] in addr:
            fail("address %s listed twice" % row["address"])
        addr[row["address"]] = row
    missing = 0
    used = set()
    for hh, h in enumerate(chain):
        if hh == 0:
            continue
        for tx in blocks[h].vtx:
            for o in tx.vout:
                a = address(bytes(o.scriptPubKey), net)
                if a is None:
                    continue
                used.add(a)
                if a not in addr:
                    missing += 1
    if missing:
        fail("%d outputs pay addresses missing from addresses.csv" % missing)
    unused = len(set(addr) - used)
    if unused * 100 > len(addr):
        fail("%d of %d listed addresses never appear on the best chain" % (unused, len(addr)))
    cj = {}
    for row in csv.DictReader(open(os.path.join(tdir, "coinjoins.csv"))):
        cj[lx(row["txid"])] = row
    txindex = {}
    for h in chain:
        for tx in blocks[h].vtx:
            txindex[tx.GetTxid()] = tx
    shape = {}
    for t, row in cj.items():
        tx = txindex.get(t)
        if tx is None:
            fail("coinjoin %s not on the best chain" % row["txid"])
            continue
        kind = row["kind"]
        counts = {}
        for o in tx.vout:
            counts[o.nValue] = counts.get(o.nValue, 0) + 1
        top = max(counts.values())
        owners = set()
        for i in tx.vin:
            prev = txindex.get(i.prevout.hash)
            a = address(bytes(prev.vout[i.prevout.n].scriptPubKey), net) if prev else None
            if a in addr:
                owners.add(addr[a]["entity_id"])
        st = shape.setdefault(kind, [0, 0, 0])
        st[0] += 1
        st[1] += top > len(tx.vin)
        st[2] += len(owners) >= 2
        if len(owners) < 2 and meta.get("economy") == "mixed":
            fail("%s %s has inputs of %d owner(s): not a CoinJoin" % (kind, row["txid"], len(owners)))
        if kind == "whirlpool":
            vals = set(o.nValue for o in tx.vout)
            if len(tx.vin) != 5 or len(tx.vout) != 5 or len(vals) != 1:
                fail("whirlpool %s is not 5x5 equal outputs" % row["txid"])
        elif kind in ("wasabi1", "wasabi2"):
            if len(tx.vin) < 5 or top < 3:
                fail("%s round %s has %d inputs, %d equal outputs" % (kind, row["txid"], len(tx.vin), top))
        elif kind == "joinmarket":
            if len(tx.vin) < 3 or top < 3:
                fail("joinmarket %s has %d inputs, %d equal outputs" % (row["txid"], len(tx.vin), top))
        elif kind in ("stonewallx2", "stowaway"):
            # two wallets (tests/diff/btc_alt5_world.py): Stonewall X2 pays two equal outputs,
            # a Stowaway (PayJoin) has two outputs
            if len(tx.vin) < 2 or (kind == "stonewallx2" and top < 2) or (kind == "stowaway" and len(tx.vout) != 2):
                fail("%s %s has %d inputs, %d outputs" % (kind, row["txid"], len(tx.vin), len(tx.vout)))
        else:
            fail("coinjoin %s of unknown kind %s" % (row["txid"], kind))
    for kind in sorted(shape):
        st = shape[kind]
        print("%s: %d CoinJoins, %d with more equal outputs than inputs, %d single-owner%s"
              % (kind, st[0], st[1], st[0] - st[2],
                 "" if meta.get("economy") == "mixed" else " (the classic economy allows it)"))
    # Tx0s: single owner, premix outputs, the pool fee, an OP_RETURN (mixed economy) or none
    n_tx0 = 0
    for row in csv.DictReader(open(os.path.join(tdir, "tx0s.csv"))):
        n_tx0 += 1
        tx = txindex.get(lx(row["txid"]))
        if tx is None:
            fail("tx0 %s not on the best chain" % row["txid"])
            continue
        owners = set()
        for i in tx.vin:
            prev = txindex.get(i.prevout.hash)
            a = address(bytes(prev.vout[i.prevout.n].scriptPubKey), net) if prev else None
            owners.add(addr[a]["entity_id"] if a in addr else None)
        if owners != {row["owner_id"]}:
            fail("tx0 %s: inputs owned by %s, not %s alone" % (row["txid"], sorted(map(str, owners)), row["owner_id"]))
        pool = int(row["pool_sat"])
        premix = [o for o in tx.vout if pool < o.nValue < pool + pool // 50 + 20000]
        opret = [o for o in tx.vout if bytes(o.scriptPubKey)[:1] == b"\x6a"]
        if len(premix) < int(row["n_premix"]) or len(tx.vout) != int(row["n_outputs"]) or len(opret) > 1:
            fail("tx0 %s: %d outputs, %d premix-sized, %d OP_RETURN" % (row["txid"], len(tx.vout), len(premix), len(opret)))
    # deposits.csv: exactly the outputs paying exchange deposit addresses
    on_chain = {}
    for h in chain:
        for tx in blocks[h].vtx[1:]:
            for n, o in enumerate(tx.vout):
                a = address(bytes(o.scriptPubKey), net)
                if a in addr and addr[a]["category"] == "exchange_deposit":
                    on_chain[(tx.GetTxid(), n)] = (a, o.nValue)
    listed = {}
    for row in csv.DictReader(open(os.path.join(tdir, "deposits.csv"))):
        listed[(lx(row["txid"]), int(row["vout"]))] = (row["address"], int(row["value_sat"]))
    if listed != on_chain:
        fail("deposits.csv lists %d deposits, the chain has %d (%d differ)"
             % (len(listed), len(on_chain), len(set(listed.items()) ^ set(on_chain.items()))))
    # peel_chains.csv: one input, two outputs, the amounts listed, each hop spending the last
    last = {}
    n_hops = 0
    for row in csv.DictReader(open(os.path.join(tdir, "peel_chains.csv"))):
        n_hops += 1
        tx = txindex.get(lx(row["txid"]))
        if tx is None:
            fail("peel hop %s not on the best chain" % row["txid"])
            continue
        pv, rv = int(row["peel_vout"]), int(row["remainder_vout"])
        # a hop paying several peels at once (tests/diff/btc_alt4_world.py): extra_peels more outputs
        n_out = 2 + int(row.get("extra_peels") or 0)
        if (len(tx.vin) != 1 or len(tx.vout) != n_out or tx.vout[pv].nValue != int(row["peel_sat"])
                or tx.vout[rv].nValue != int(row["remainder_sat"])
                or address(bytes(tx.vout[pv].scriptPubKey), net) != row["peel_address"]):
            fail("peel hop %s does not have the listed shape" % row["txid"])
        k = (row["heist"], row["chain"])
        if k in last and int(row["hop"]) > 1 and tx.vin[0].prevout != last[k]:
            fail("peel hop %s does not spend the previous hop's remainder" % row["txid"])
        last[k] = bitcoin.core.COutPoint(tx.GetTxid(), rv)
    print("%d Tx0s, %d deposits, %d peel hops in %d chains" % (n_tx0, len(listed), n_hops, len(last)))
    heists = json.load(open(os.path.join(tdir, "heists.json")))
    mp = {lx(row["txid"]) for row in read_rows(os.path.join(tdir, "multiparty.csv")) if row["heist"]}
    for hz in heists:
        check_heist(hz, chain, blocks, addr, cj, utxo, net, mp)
    print("%d blocks (%d stale, %d before their parent), %d txs, %d addresses (%d unused), "
          "%d coinjoins, %d heists" % (len(chain), len(stale), early, n_tx, len(addr), unused,
                                       len(cj), len(heists)))
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("all checks passed")
    return 0


def read_rows(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def check_heist(hz, chain, blocks, addr, cj, utxo, net, mp=frozenset()):
    name = hz["name"]
    # mp: multi-owner txs that are no CoinJoins (multiparty.csv, tests/diff/btc_alt10_world.py: a
    # Bisq deposit, a dual-funded channel open): as in a CoinJoin, only the thief's own outputs
    # carry stolen value on; its part of the shared output is listed as an honest payment
    shared = set(cj) | set(mp)
    thief = str(hz["thief_entity"])
    tainted = {}
    for s in hz["stolen_outputs"]:
        t, n = s["outpoint"].split(":")
        tainted[(lx(t), int(n))] = s["value_sat"]
    stolen = sum(tainted.values())
    if stolen != hz["amount_sat"]:
        fail("%s: stolen outputs sum to %d, amount is %d" % (name, stolen, hz["amount_sat"]))
    deposited = {}
    service = 0  # deposits at custodial mixers, instant exchangers, bridge vaults (btc_alt3_world.py)
    # the thief's payments to honest parties (dust, a merchant's invoice, a channel peer's share:
    # btc_alt4_world.py): given away, the recipient stays clean
    honest_ops = {}
    for x in hz.get("honest_payments", []):
        t, n = x["outpoint"].split(":")
        honest_ops[(lx(t), int(n))] = x["value_sat"]
    given = 0
    fees = 0
    peel = set(lx(t) for t in hz["peel_chain_txids"])
    batched = set(lx(t) for t in hz.get("batched_peel_txids", []))
    for h in chain:
        for tx in blocks[h].vtx[1:]:
            ins = [(i.prevout.hash, i.prevout.n) for i in tx.vin]
            tin = [k for k in ins if k in tainted]
            if not tin:
                continue
            txid = tx.GetTxid()
            vin = sum(tainted.pop(k) for k in tin)
            vout_thief = 0
            dep_here = 0
            for n, o in enumerate(tx.vout):
                a = address(bytes(o.scriptPubKey), net)
                row = addr.get(a)
                if row and row["category"] == "thief" and row["entity_id"] == thief:
                    tainted[(txid, n)] = o.nValue
                    vout_thief += o.nValue
                elif (txid, n) in honest_ops:
                    # the stolen part of the output (a PayJoin's payee output also returns the
                    # payee's own input: tests/diff/btc_alt5_world.py), in a CoinJoin too
                    hv = honest_ops.pop((txid, n))
                    if hv != o.nValue and not (txid in shared and hv < o.nValue):
                        fail("%s: honest payment %s:%d value differs" % (name, b2lx(txid), n))
                    given += hv
                    dep_here += hv
                elif txid not in shared:
                    if row and row["category"] == "exchange_deposit":
                        deposited[a] = deposited.get(a, 0) + o.nValue
                        dep_here += o.nValue
                    elif row and row["category"] in SERVICE_DEPOSIT:
                        service += o.nValue
                        dep_here += o.nValue
                    elif bytes(o.scriptPubKey)[:1] == b"\x6a":
                        pass  # a Tx0's OP_RETURN
                    elif not (row and row["category"] == "coinjoin_coordinator"):
                        fail("%s: thief tx %s pays a non-deposit output %s" % (name, b2lx(txid), a))
            if txid not in shared and len(tin) != len(ins):
                fail("%s: tx %s mixes thief and other inputs outside a CoinJoin" % (name, b2lx(txid)))
            if txid in peel and len(tx.vout) != 2 and txid not in batched:
                fail("%s: peel-chain tx %s has %d outputs" % (name, b2lx(txid), len(tx.vout)))
            fees += vin - vout_thief - dep_here
    unspent = sum(tainted.values())
    for k in tainted:
        if k not in utxo:
            fail("%s: thief coin %s:%d is spent but not tracked" % (name, b2lx(k[0]), k[1]))
    tot = hz["totals"]
    truth_dep = {a: v["value_sat"] for a, v in hz["deposits_by_address"].items()}
    if deposited != truth_dep:
        fail("%s: deposits per address differ from heists.json" % name)
    dep_sum = sum(deposited.values())
    checks = [("deposited_sat", dep_sum), ("unspent_sat", unspent),
              ("fees_mining_sat+fees_coordinator_sat", fees)]
    if tot["deposited_sat"] != dep_sum:
        fail("%s: deposited %d, heists.json %d" % (name, dep_sum, tot["deposited_sat"]))
    if tot["unspent_sat"] != unspent:
        fail("%s: unspent %d, heists.json %d" % (name, unspent, tot["unspent_sat"]))
    if tot["fees_mining_sat"] + tot["fees_coordinator_sat"] != fees:
        fail("%s: fees %d, heists.json %d + %d" % (name, fees, tot["fees_mining_sat"],
                                                   tot["fees_coordinator_sat"]))
    if tot.get("service_deposited_sat", 0) != service:
        fail("%s: service deposits %d, heists.json %d" % (name, service, tot.get("service_deposited_sat", 0)))
    if honest_ops:
        fail("%s: %d honest payments not paid by the thief" % (name, len(honest_ops)))
    if tot.get("honest_paid_sat", 0) != given:
        fail("%s: honest payments %d, heists.json %d" % (name, given, tot.get("honest_paid_sat", 0)))
    if stolen != dep_sum + service + given + unspent + fees:
        fail("%s: stolen %d != deposited %d + service deposits %d + honest payments %d + unspent %d + fees %d"
             % (name, stolen, dep_sum, service, given, unspent, fees))
    un_truth = sorted(u["outpoint"] for u in hz["unspent"])
    un_mine = sorted("%s:%d" % (b2lx(k[0]), k[1]) for k in tainted)
    if un_truth != un_mine:
        fail("%s: unspent outpoints differ" % name)
    print("%s: stolen %d = deposited %d + service deposits %d + honest payments %d + unspent %d + fees %d "
          "(%d deposit addresses)" % (name, stolen, dep_sum, service, given, unspent, fees, len(deposited)))
    del checks


if __name__ == "__main__":
    sys.exit(main())
