#!/usr/bin/python3
"""Which honest accounts a trace (and screening) names as holding stolen value, in a world of
tests/diff/evm_alt3_world.py (truth/honest_exposed.csv: accounts the thief dusted, poisoned or
paid). Issue 13's scorer has no place for this; a false attribution to an honest person is worse
than a miss, so each is counted here, certain and probable apart.

usage: evm_alt3_honest.py WORLD TRACE_JSON [TRACE_JSON...] [--screen SCREEN_JSON]
An honest person is an address of category user or merchant. The trace names one when
  held:     an end of kind `held` is at it (the trace says it still holds stolen value); an end
            of kind `dust` (stolen dust beside its own funds, or a dusting campaign's target:
            not a holding of the thief's) is counted apart, on a line of its own;
  cash-out: an exchange, service, bridge or mixer end's arrival tx was sent by it;
  through:  it receives value (the tx's, an internal call's or a token transfer's) in a tx on a
            path of the trace and sends (a tx, an internal call or a token transfer) in a later
            tx of that path (stolen value passed through it); a co-recipient of a path's tx that
            the path does not go on from (an honest payee of the same ERC-4337 bundle or
            batch) is not (stop 22: those were counted before).
Screening names one when `theft` is among an asset's `flagged` categories; certain when that
flag's level is "flag" (a binary with one tier, before stop 21: every flag), probable only when
it is "probable".
Prints one line per (way, exposure kind) and a last line "JSON {...}"."""
import csv, json, os, sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score_common as sc  # noqa: E402

args = sys.argv[1:]
scr = None
if "--screen" in args:
    i = args.index("--screen")
    scr = args[i + 1]
    del args[i:i + 2]
world, traces = args[0], args[1:]
T = world + "/truth/"
cat = {r["address"]: r["category"] for r in csv.DictReader(open(T + "addresses.csv"))}
person = {a for a, c in cat.items() if c in ("user", "merchant")}
kinds = defaultdict(set)
for r in csv.DictReader(open(T + "honest_exposed.csv")):
    kinds[r["address"]].add(r["kind"])
named = defaultdict(dict)  # address -> way -> certain?
ends = []
for p in traces:
    ends.extend(json.load(open(p))["ends"])
sender, recv, senders = sc.tx_parties(world, ends)

def mark(a, way, certain):
    if a in person:
        named[a][way] = named[a].get(way, False) or certain


dust_at = defaultdict(set)
for e in ends:
    if e["kind"] == "dust" and e["address"] in person:
        dust_at[e["dust"]["rule"]].add(e["address"])
for e in ends:
    cert = not e.get("probable")
    if e["kind"] == "held":
        mark(e["address"], "held", cert)
    else:
        for arr in e.get("arrivals", []):
            for s in {sender.get(arr["tx"])} | sender.get(arr["tx"] + "/tok", set()):
                mark(s, "cash-out", cert)
    path = []  # its txs, once each (a path names a tx once per movement of it)
    for h in e.get("path", []):
        if h and h not in path:
            path.append(h)
    for i, h in enumerate(path):
        later = set().union(*(senders.get(x, set()) for x in path[i + 1:])) if i + 1 < len(path) else set()
        for a in recv.get(h, ()):
            if (a == e["address"] and e["kind"] == "held") or (a != e["address"] and a in later):
                mark(a, "through", cert)
rows = defaultdict(lambda: [0, 0])
for a, ways in named.items():
    k = ",".join(sorted(kinds.get(a, ()))) or "not touched by the thief"
    for w, c in ways.items():
        rows[(w, k)][0 if c else 1] += 1
print(f"honest persons {len(person)}, touched by the thief's shapes {len(kinds.keys() & person)}")
tot_c = sum(1 for a, w in named.items() if any(w.values()))
tot_p = len(named) - tot_c
print(f"named by the trace: {len(named)} ({tot_c} certain, {tot_p} probable only)")
for (w, k), (c, p) in sorted(rows.items()):
    print(f"  trace {w:8s} {k}: certain {c}, probable {p}")
for rule, accts in sorted(dust_at.items()):
    print(f"  trace dust ends at honest persons (not named as holding stolen value), rule {rule}: {len(accts)}")
out = {"trace_named": len(named), "trace_certain": tot_c, "trace_probable_only": tot_p,
       "trace_dust_honest": len(set().union(*dust_at.values())) if dust_at else 0}
if scr:
    d = json.load(open(scr))
    flagged = defaultdict(set)
    certain = set()  # a certain theft flag (a binary with one tier: every flag)
    for r in d["results"]:
        for a in r.get("assets", []):
            if any("theft" in f for f in a.get("flagged", [])):
                flagged[r["address"]].add(a["asset"])
                levels = [f["level"] for f in a.get("flags", []) if f["category"] == "theft"]
                if not levels or "flag" in levels:
                    certain.add(r["address"])
    screened = {r["address"] for r in d["results"]}
    by = defaultdict(lambda: [0, 0, 0])
    for a in screened & person:
        k = ",".join(sorted(kinds.get(a, ()))) or "control (not touched)"
        by[k][0] += 1
        by[k][1] += a in flagged
        by[k][2] += a in certain
    for k, (n, f, c) in sorted(by.items()):
        print(f"  screen theft-flagged {k}: {f} of {n} ({c} certain, {f - c} probable only)")
    out["screen_flagged"] = sum(1 for a in flagged if a in person)
    out["screen_flagged_certain"] = sum(1 for a in certain if a in person)
    out["screen_screened"] = len(screened & person)
print("JSON " + json.dumps(out))
