#!/usr/bin/env python3
"""ledger_equal.py WORLD MIN: a generated world's ledger (WORLD/truth/balances.csv:
address,asset,balance) equals tests/cli/evm/balances.py's recomputation from WORLD's CSVs alone,
with no balance below zero and more than MIN accounts; exits non-zero naming up to three accounts
that differ."""
import csv, json, os, subprocess, sys

world, least = sys.argv[1], int(sys.argv[2])
here = os.path.dirname(os.path.abspath(__file__))
calc = json.loads(subprocess.check_output([sys.executable, here + "/balances.py", world]))
want = {}
for r in csv.DictReader(open(world + "/truth/balances.csv")):
    want.setdefault(r["address"], {})["native" if r["asset"] == "ETH" else r["asset"]] = r["balance"]
got = {a: m for a, m in calc.items() if m and a != "0x" + "0" * 40}
assert all(int(v) >= 0 for m in got.values() for v in m.values())
assert len(want) > least and got == want, [a for a in set(got) | set(want) if got.get(a) != want.get(a)][:3]
