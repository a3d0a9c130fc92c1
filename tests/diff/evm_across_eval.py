#!/usr/bin/python3
"""Scores `chainwatch trace --json` against a world's Across-like bridge pool
(truth/across_bridge.csv, written by `gen evm` with world.across_bridge and by
evm_shapes_world.py --across-bridge): deposits into a pool contract name the destination chain and
recipient in an event; relayers fill on the other chain from their own funds and the pool pays
them back in bulk refunds; deposits from other chains are filled here by the relayers.

Prints: the thief's deposits found as bridge arrivals, and with the true destination chain and
recipient as bridge exits; how the trace ended at the pool (kind, recognised or labelled); the
false attributions past it: refunds to relayers and relayer fills the trace named (in an end's
path or arrivals), the ends reached through one with their amounts, and the ends at a relayer's
exchange deposit (a relayer's rebalancing named a cash-out). Exit status 0 always (a report).

usage: evm_across_eval.py WORLD_DIR TRACE_JSON [TRACE_JSON...]
"""
import csv
import json
import sys

world, traces = sys.argv[1], sys.argv[2:]
rows = list(csv.DictReader(open(world + "/truth/across_bridge.csv")))
thief_dep = {r["tx_hash"]: r for r in rows if r["kind"] == "deposit" and r["heist"]}
refunds = {r["tx_hash"] for r in rows if r["kind"] == "refund"}
fills = {r["tx_hash"] for r in rows if r["kind"] == "fill"}
pool = {r["to_address"] for r in rows if r["kind"] == "deposit"}
relayers = {r["to_address"] for r in rows if r["kind"] == "refund"} | \
    {r["from_address"] for r in rows if r["kind"] == "fill"}
addr = {r["address"]: r for r in csv.DictReader(open(world + "/truth/addresses.csv"))}
ent = {r["entity_id"]: r["category"] for r in csv.DictReader(open(world + "/truth/entities.csv"))}
found, right, kinds, past, past_ends, past_amount = set(), set(), {}, set(), 0, 0
rel_ends, rel_amount = 0, 0
for path in traces:
    j = json.load(open(path))
    for e in j["ends"]:
        arr = {a["tx"] for a in e.get("arrivals", [])}
        if e["address"] in pool:
            rec = e.get("recognised") or {}
            k = e["kind"] + (" (" + rec["as"] + ")" if rec.get("as") else "")
            kinds[k] = kinds.get(k, 0) + 1
            if e["kind"] == "bridge":
                found |= arr & set(thief_dep)
        named = (set(e.get("path", [])) | arr) & (refunds | fills)
        if named:
            past |= named
            past_ends += 1
            past_amount += int(e["amount"])
        a = addr.get(e["address"], {})
        if e["kind"] in ("exchange", "service") and ent.get(a.get("customer_id", "")) == "bridge_relayer":
            rel_ends += 1
            rel_amount += int(e["amount"])
    for x in j.get("bridge_exits", []):
        t = thief_dep.get(x["tx"])
        if t and x.get("destination") == t["recipient"] and x.get("chain") == "eip155:" + t["dest_chain"]:
            right.add(x["tx"])
print(f"across pool: {len(rows)} rows, thief deposits {len(thief_dep)}, refunds {len(refunds)} "
      f"(to {len({r['to_address'] for r in rows if r['kind'] == 'refund'})} relayers), fills {len(fills)}")
print(f"thief deposits found as bridge arrivals: {len(found)} of {len(thief_dep)}: "
      f"recall {len(found) / len(thief_dep) if thief_dep else 1.0:.3f}; with the true chain and "
      f"recipient: {len(right)}")
print("ends at the pool: " + (", ".join(f"{k} x{v}" for k, v in sorted(kinds.items())) or "none"))
print(f"false attributions past the pool: {len(past)} refunds or relayer fills named, "
      f"{past_ends} ends reached through one, {past_amount} base units; "
      f"{rel_ends} ends at a relayer's exchange deposit, {rel_amount} base units")
