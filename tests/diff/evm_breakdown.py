#!/usr/bin/python3
"""Where a trace's cash-out recall is lost, against a generated EVM world's truth (issue 13): each
true cash-out is classed by where its funds came from (a mixer withdrawal's recipient, or the
direct path: drain, swaps, fan-out, hops) and by whether the trace found it; missed ones say
whether the deposit address is an end of the trace and whether the paying address still holds
taint; then the mixer links reported (right or wrong, by denomination and by what linked them).
Reads only the CLI's JSON and the truth files (docs/GEN.md, "Ground truth").

usage: evm_breakdown.py WORLD_DIR TRACE_JSON [TRACE_JSON...]
"""
import csv, json, sys
from collections import Counter

world, traces = sys.argv[1], sys.argv[2:]
T = world + "/truth/"
cash = list(csv.DictReader(open(T + "cash_outs.csv")))
links_truth = {r["withdrawal_tx"]: r for r in csv.DictReader(open(T + "mixer_links.csv"))}
mixrec = {r["recipient"]: r for r in links_truth.values() if r["heist"]}
ends, links = [], []
for p in traces:
    j = json.load(open(p))
    ends += j["ends"]
    links += j.get("mixer_links", [])
found = {a["tx"] for e in ends for a in e.get("arrivals", [])}
end_kind = {e["address"]: e["kind"] for e in ends}
held = {e["address"] for e in ends if e["kind"] == "held"}
n, v = Counter(), Counter()
why = Counter()
for c in cash:
    src = "mixer %s ETH" % (int(mixrec[c["from_address"]]["denomination_wei"]) / 1e18) \
        if c["from_address"] in mixrec else "direct"
    hit = c["tx_hash"] in found
    n[(src, hit)] += 1
    v[(src, hit)] += int(c["amount"])
    if not hit:
        why[(src, "deposit address: " + end_kind.get(c["deposit_address"], "not an end"),
             "payer holds taint" if c["from_address"] in held else "payer holds no taint")] += 1
print("cash-outs by origin (found or missed): count, amount")
for k in sorted(n):
    print(f"  {k[0]:<16} {'found' if k[1] else 'MISSED':<6} {n[k]:>5}  {v[k]}")
for k, c in why.most_common():
    print("  missed:", ", ".join(k), c)
lk = Counter()
for l in links:
    t = links_truth.get(l["withdrawal_tx"], {})
    how = "convergence" if l.get("converges_with_direct_taint") else \
        "gas reuse" if l["gas_paid_by_tainted_account"] else "score"
    lk[(int(l["denomination"]) / 1e18, how, "right" if t.get("heist") else "WRONG")] += 1
print("mixer links (denomination, by, right or wrong):")
for k in sorted(lk):
    print("  ", k, lk[k])
