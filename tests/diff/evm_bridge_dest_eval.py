#!/usr/bin/python3
"""Scores the destinations of the bridge exits `chainwatch trace --json` finds against a world's
truth: the thief's deposits into the lock-and-release bridge (truth/lock_bridge.csv) and the
Across-like pool (truth/across_bridge.csv), found as exits, and among them those whose exit names
the true destination chain and recipient (read from a deposit event or from the deposit call's
input); and, when the world has one (truth/bridge_router.csv, evm_shapes_world.py
--bridge-router; gen evm's via_router rows), the router in front of the pool: which account the exits of routed deposits
name as the bridge, and how the trace ended at the router. Exit status 0 always (a report).

usage: evm_bridge_dest_eval.py WORLD_DIR TRACE_JSON [TRACE_JSON...]
"""
import csv
import json
import os
import sys

world, traces = sys.argv[1], sys.argv[2:]
T = os.path.join(world, "truth")
dep = {}
for name in ("lock_bridge.csv", "across_bridge.csv"):
    if os.path.exists(os.path.join(T, name)):
        for r in csv.DictReader(open(os.path.join(T, name))):
            if r["kind"] == "deposit" and r["heist"]:
                dep[r["tx_hash"]] = (name.split("_")[0], r)
routed, router, pool = {}, None, None
if os.path.exists(os.path.join(T, "bridge_router.csv")):  # evm_shapes_world.py --bridge-router
    for r in csv.DictReader(open(os.path.join(T, "bridge_router.csv"))):
        router, pool = r["router"], r["bridge"]
        routed[r["tx_hash"]] = r
if os.path.exists(os.path.join(T, "across_bridge.csv")):  # gen evm world.across_router: via_router rows
    for r in csv.DictReader(open(os.path.join(T, "across_bridge.csv"))):
        if r["kind"] == "via_router":
            router = r["to_address"]
            routed[r["tx_hash"]] = r
        elif r["kind"] == "deposit":
            pool = r["to_address"]
exits, at_router = {}, {}
for path in traces:
    j = json.load(open(path))
    for x in j.get("bridge_exits", []):
        exits.setdefault(x["tx"], x)
    for e in j["ends"]:
        if router and e["address"] == router:
            rec = e.get("recognised") or {}
            k = e["kind"] + (" (" + rec["as"] + ")" if rec.get("as") else "")
            at_router[k] = at_router.get(k, 0) + 1
for kind in ("lock", "across"):
    mine = {h: r for h, (k, r) in dep.items() if k == kind}
    if not mine:
        continue
    found = [h for h in mine if h in exits]
    right = 0
    evm = [h for h in found if mine[h]["recipient"].startswith("0x")]
    for h in evm:
        x, r = exits[h], mine[h]
        chain = (x.get("chain") or "").rsplit(":", 1)[-1]
        if chain == r["dest_chain"] and (x.get("destination") or "").lower() == r["recipient"].lower():
            right += 1
    sources = {}
    for h in evm:
        s = exits[h].get("recipient_from") or "none"
        sources[s] = sources.get(s, 0) + 1
    print(f"{kind} bridge: thief deposits {len(mine)}, found as exits {len(found)}; "
          f"to an account on another chain {len(evm)}, named with the true chain and recipient {right} "
          f"(recipient from: " + (", ".join(f"{k} x{v}" for k, v in sorted(sources.items())) or "none") + ")")
if router:
    thief = [h for h, r in routed.items() if r["heist"]]
    named = {}
    for h in thief:
        b = exits[h]["bridge"] if h in exits else "not an exit"
        b = "the pool" if b == pool else "the router" if b == router else b
        named[b] = named.get(b, 0) + 1
    print(f"router: thief deposits through it {len(thief)}; exit's bridge: "
          + ", ".join(f"{k} x{v}" for k, v in sorted(named.items())))
    print("ends at the router: " + (", ".join(f"{k} x{v}" for k, v in sorted(at_router.items())) or "none"))
