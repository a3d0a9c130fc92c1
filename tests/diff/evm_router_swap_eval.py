#!/usr/bin/python3
"""Scores `chainwatch trace --json` on swaps through an aggregator router that also bridges
(`gen evm` world.router_swaps: rows of kind router_swap in truth/across_bridge.csv;
evm_shapes_world.py --swap-router: truth/router_swaps.csv). A swap through the router is no
bridge deposit: the trace must carry the taint on as the swap's output at the executed rate and
name no end or bridge exit at the router for it (a label provider may file such a router under
bridges: run with the router labelled "bridge" to see that case).

Prints: the router swaps (all, and those the trace met), those converted (the tx in
`conversions`, with the trader's gained amount equal to the truth's output where the truth
gives it), those named as bridge exits, and the ends at the router with their amounts. Exit
status 0 always (a report).

usage: evm_router_swap_eval.py WORLD_DIR TRACE_JSON [TRACE_JSON...]
"""
import csv
import json
import os
import sys

world, traces = sys.argv[1], sys.argv[2:]
T = world + "/truth/"
swaps, router = {}, set()
if os.path.exists(T + "router_swaps.csv"):
    for r in csv.DictReader(open(T + "router_swaps.csv")):
        swaps[r["tx_hash"]] = r.get("amount_out")
        router.add(r["router"])
elif os.path.exists(T + "across_bridge.csv"):
    for r in csv.DictReader(open(T + "across_bridge.csv")):
        if r["kind"] == "router_swap":
            swaps[r["tx_hash"]] = None
            router.add(r["to_address"])
met, conv, exact, exits, ends, end_amt = set(), set(), set(), set(), 0, {}
for path in traces:
    j = json.load(open(path))
    for c in j.get("conversions", []):
        if c["tx"] in swaps:
            met.add(c["tx"])
            conv.add(c["tx"])
            if swaps[c["tx"]] is not None and c.get("gained") == swaps[c["tx"]]:
                exact.add(c["tx"])
    for x in j.get("bridge_exits", []):
        if x["tx"] in swaps:
            met.add(x["tx"])
            exits.add(x["tx"])
    for e in j["ends"]:
        for a in e.get("arrivals", []):
            if a["tx"] in swaps:
                met.add(a["tx"])
        if e["address"] in router:
            ends += 1
            s = e["asset"]["symbol"] or e["asset"]["contract"]
            end_amt[s] = end_amt.get(s, 0) + int(e["amount"])
with_out = sum(1 for v in swaps.values() if v is not None)
print(f"router swaps: {len(swaps)} in the world, {len(met)} met by the trace; converted {len(conv)}"
      + (f" (at the true output {len(exact)} of {len(conv & {k for k, v in swaps.items() if v is not None})})"
         if with_out else ""))
print(f"router swaps named as bridge exits: {len(exits)}")
print("ends at the router: " + (f"{ends} ({', '.join(f'{v} {k}' for k, v in sorted(end_amt.items()))})"
                                 if ends else "none"))
