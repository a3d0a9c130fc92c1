#!/usr/bin/python3
"""Differential check of chainwatch's decoder against python-bitcoinlib (Debian's
python3-bitcoinlib, an independent implementation).

usage: bitcoinlib_txs.py RAW_FILE KIND CHAINWATCH_JSONL
  KIND: block (one bare block), blk (blk*.dat framing) or tx (one bare transaction)
For every transaction: txid, wtxid-less size, output values and output addresses must agree.
Addresses are compared where python-bitcoinlib can make one (P2PKH, P2SH, P2WPKH, P2WSH, and
P2PK through the key's hash); for other script types chainwatch's own encodings are checked
for form only. Prints counts; exits 1 on the first disagreements (up to 10 shown).
"""
import json
import sys

import bitcoin
import bitcoin.core as core
from bitcoin.core.script import CScript, OP_CHECKSIG
from bitcoin.wallet import CBitcoinAddress, P2PKHBitcoinAddress, CBitcoinAddressError

bitcoin.SelectParams("mainnet")


def address_of(spk: bytes):
    s = CScript(spk)
    # P2PK: 33-byte compressed or 65-byte uncompressed key + OP_CHECKSIG
    if len(spk) in (35, 67) and spk[0] == len(spk) - 2 and spk[-1] == OP_CHECKSIG:
        key = spk[1:-1]
        if (len(key) == 33 and key[0] in (2, 3)) or (len(key) == 65 and key[0] in (4, 6, 7)):
            return str(P2PKHBitcoinAddress.from_pubkey(key, accept_invalid=True))
    try:
        return str(CBitcoinAddress.from_scriptPubKey(s))
    except (CBitcoinAddressError, ValueError, IndexError):
        return None


def blocks(raw: bytes, kind: str):
    if kind == "block":
        yield core.CBlock.deserialize(raw)
        return
    off = 0
    while off + 8 <= len(raw) and raw[off:off + 4] != b"\0\0\0\0":
        size = int.from_bytes(raw[off + 4:off + 8], "little")
        yield core.CBlock.deserialize(raw[off + 8:off + 8 + size])
        off += 8 + size


def main():
    raw = open(sys.argv[1], "rb").read()
    kind = sys.argv[2]
    ours = [json.loads(l) for l in open(sys.argv[3]) if '"txid"' in l]
    if kind == "tx":
        theirs = [core.CTransaction.deserialize(raw)]
    else:
        theirs = [tx for b in blocks(raw, kind) for tx in b.vtx]
    problems = []
    if len(ours) != len(theirs):
        problems.append(f"tx count: chainwatch {len(ours)}, bitcoinlib {len(theirs)}")
    n_addr = n_out = 0
    for a, tx in zip(ours, theirs):
        txid = core.b2lx(tx.GetTxid())
        if a["txid"] != txid:
            problems.append(f"txid {a['txid']} != {txid}")
            continue
        if a["size"] != len(tx.serialize()):
            problems.append(f"{txid}: size {a['size']} != {len(tx.serialize())}")
        if len(a["outputs"]) != len(tx.vout):
            problems.append(f"{txid}: {len(a['outputs'])} outputs != {len(tx.vout)}")
            continue
        for i, (o, v) in enumerate(zip(a["outputs"], tx.vout)):
            n_out += 1
            if o["value"] != v.nValue:
                problems.append(f"{txid}:{i} value {o['value']} != {v.nValue}")
            want = address_of(bytes(v.scriptPubKey))
            if want is not None:
                n_addr += 1
                if o["address"] != want:
                    problems.append(f"{txid}:{i} address {o['address']} != {want}")
            elif o["type"] in ("p2pkh", "p2sh", "p2wpkh", "p2wsh"):
                problems.append(f"{txid}:{i} bitcoinlib has no address for a {o['type']} output")
    print(f"{sys.argv[1]}: {len(theirs)} txs, {n_out} outputs, {n_addr} addresses compared, "
          f"{len(problems)} disagreements")
    for p in problems[:10]:
        print("  " + p)
    sys.exit(1 if problems or not theirs else 0)


main()
