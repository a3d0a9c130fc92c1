#!/usr/bin/env python3
"""balances_equal.py WANT.json STORE CHAINWATCH MIN: every account of WANT.json (balances.py's
output) has, in STORE, exactly those balances per asset (`address --json`, complete); exits 1
naming the first account that differs, or when fewer than MIN (account, asset) balances were
compared."""
import json, subprocess, sys

want = json.load(open(sys.argv[1]))
store, cw, least = sys.argv[2], sys.argv[3], int(sys.argv[4])
n = 0
for addr, assets in want.items():
    d = json.loads(subprocess.check_output([cw, "address", addr, "--store", store, "--json", "--limit", "0"]))
    assert d["complete"], d
    got = {(b["asset"].get("token") or "native"): b["balance"] for b in d["balances"] if b["balance"] != "0"}
    assert got == assets, (addr, got, assets)
    n += len(assets)
assert n > least, n
