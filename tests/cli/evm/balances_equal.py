#!/usr/bin/env python3
"""balances_equal.py WANT STORE CHAINWATCH MIN [--every N] [--min-accounts K]: every account of
WANT has, in STORE, exactly those balances per asset (`address --json`, complete); exits 1 naming
the first account that differs, or when fewer than MIN (account, asset) balances (or K accounts)
were compared. WANT is balances.py's JSON output, or a generator's ledger CSV
(address,asset,balance; asset ETH or the token contract). --every N compares every Nth account
in address order only (a sample of a large world)."""
import argparse, csv, json, subprocess

ap = argparse.ArgumentParser()
ap.add_argument("want"); ap.add_argument("store"); ap.add_argument("cw"); ap.add_argument("least", type=int)
ap.add_argument("--every", type=int, default=1)
ap.add_argument("--min-accounts", type=int, default=0)
a = ap.parse_args()
if a.want.endswith(".csv"):
    want = {}
    for r in csv.DictReader(open(a.want)):
        want.setdefault(r["address"], {})["native" if r["asset"] == "ETH" else r["asset"]] = r["balance"]
else:
    want = json.load(open(a.want))
n = accounts = 0
for i, (addr, assets) in enumerate(sorted(want.items())):
    if i % a.every:
        continue
    d = json.loads(subprocess.check_output([a.cw, "address", addr, "--store", a.store, "--json", "--limit", "0"]))
    assert d["complete"], d
    got = {(b["asset"].get("token") or "native"): b["balance"] for b in d["balances"] if b["balance"] != "0"}
    assert got == assets, (addr, got, assets)
    n += len(assets)
    accounts += 1
assert n > a.least, n
assert accounts > a.min_accounts, accounts
