#!/usr/bin/python3
"""Label sets a held-out EVM world may ship, made from a generated world's truth (either
generator: `chainwatch gen evm` or tests/diff/evm_shapes_world.py), for the label sweep of
scripts/evm-label-sweep.sh (issue 13: answers that hold when a world labels less, or
differently).

usage: evm_label_variants.py EVM_TRUTH_ADDRESSES.csv VARIANT > labels.csv

VARIANT
  full      what tests/diff/xchain_labels.py gives (exchange hot wallets, mixer pools, bridge
            router and vault), as scripts/eval-evm.sh labels
  noexch    full without the exchanges' hot wallets
  nomixer   full without the mixer pools
  nobridge  full without the bridge router and vault
  dex       full plus the DEX routers and pairs, labelled `defi` (what a provider calls them)
  dexexch   full plus the DEX routers and pairs labelled `exchange` (a provider that files a
            DEX under exchanges: the trace must not take a swap for a cash-out)
  vault     full without the bridge router (only the vault labelled)
  relayer   full plus the mixer's relayers labelled `mixer` (a provider that files the relayers
            under the mixer they serve)
  eip55     full, addresses in EIP-55 mixed case, `chain` column `ethereum`, entity names only
  none      a header and no rows
Nothing the trace is meant to find (the thief's addresses, deposit addresses) is labelled.
"""
import csv
import sys

BASE = {"exchange": "exchange", "mixer_pool": "mixer",
        "bridge_router": "bridge", "bridge_vault": "bridge"}
DEX = ("dex_pair", "dex_router", "dex_pool")


def keccak256(data):
    # Keccak-256 (the pre-SHA-3 padding Ethereum uses), for EIP-55 only
    rc = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
          0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
          0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
          0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
          0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
          0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
    rot = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61],
           [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
    M = (1 << 64) - 1
    rate = 136
    msg = bytearray(data) + b"\x01"
    while len(msg) % rate:
        msg.append(0)
    msg[-1] |= 0x80
    s = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        for i in range(rate // 8):
            s[i % 5][i // 5] ^= int.from_bytes(msg[off + 8 * i:off + 8 * i + 8], "little")
        for r in range(24):
            c = [s[x][0] ^ s[x][1] ^ s[x][2] ^ s[x][3] ^ s[x][4] for x in range(5)]
            d = [c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & M)
                 for x in range(5)]
            s = [[s[x][y] ^ d[x] for y in range(5)] for x in range(5)]
            b = [[0] * 5 for _ in range(5)]
            for x in range(5):
                for y in range(5):
                    v, n = s[x][y], rot[x][y]
                    b[y][(2 * x + 3 * y) % 5] = ((v << n) | (v >> (64 - n))) & M if n else v
            s = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)]
                 for x in range(5)]
            s[0][0] ^= rc[r]
    out = b""
    for i in range(4):
        out += s[i % 5][i // 5].to_bytes(8, "little")
    return out


def eip55(addr):
    a = addr.lower()[2:]
    h = keccak256(a.encode()).hex()
    return "0x" + "".join(ch.upper() if int(h[i], 16) >= 8 else ch for i, ch in enumerate(a))


def main(truth, variant):
    cats = dict(BASE)
    if variant == "noexch":
        del cats["exchange"]
    elif variant == "nomixer":
        del cats["mixer_pool"]
    elif variant == "nobridge":
        del cats["bridge_router"], cats["bridge_vault"]
    elif variant == "vault":
        del cats["bridge_router"]
    elif variant == "relayer":
        cats["mixer_relayer"] = "mixer"
    elif variant == "dex":
        cats.update({k: "defi" for k in DEX})
    elif variant == "dexexch":
        cats.update({k: "exchange" for k in DEX})
    elif variant == "none":
        cats = {}
    elif variant not in ("full", "eip55"):
        sys.exit("unknown variant " + variant)
    out = csv.writer(sys.stdout, lineterminator="\n")
    if variant == "eip55":
        out.writerow(["chain", "address", "entity", "category"])
    else:
        out.writerow(["address", "entity", "category", "asset"])
    with open(truth, newline="") as f:
        for r in csv.DictReader(f):
            if r["category"] not in cats:
                continue
            name = r["entity_name"] or r["category"]
            if variant == "eip55":
                out.writerow(["ethereum", eip55(r["address"]), name, cats[r["category"]]])
            else:
                out.writerow([r["address"], name, cats[r["category"]], "ETH"])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: evm_label_variants.py EVM_TRUTH_ADDRESSES.csv VARIANT")
    main(sys.argv[1], sys.argv[2])
