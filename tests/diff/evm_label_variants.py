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
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evm_shapes_world import keccak256  # noqa: E402 (the same Keccak-256, not a second copy)

BASE = {"exchange": "exchange", "mixer_pool": "mixer",
        "bridge_router": "bridge", "bridge_vault": "bridge"}
DEX = ("dex_pair", "dex_router", "dex_pool")


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
