#!/usr/bin/python3
"""Scores `chainwatch trace --json` against a world's lock-and-release bridge (truth/lock_bridge.csv,
written by `gen evm` with world.lock_bridge and by evm_shapes_world.py --lock-bridge): a bridge
whose deposits carry no memo, only a destination chain and recipient in an event or calldata,
and which pays out releases to other (honest) users arriving from other chains.

Prints: the thief's deposits into the bridge found as bridge arrivals (bridge exits), how the
trace ended at the bridge (kind, recognised or labelled), and the false attributions past it: the
bridge's honest releases the trace named (in an end's path or arrivals) and the ends, with their
amounts, reached through one. Exit status 0 always (a report, not a gate).

usage: evm_lock_bridge_eval.py WORLD_DIR TRACE_JSON [TRACE_JSON...]
"""
import csv
import json
import sys

world, traces = sys.argv[1], sys.argv[2:]
rows = list(csv.DictReader(open(world + "/truth/lock_bridge.csv")))
thief_dep = {r["tx_hash"] for r in rows if r["kind"] == "deposit" and r["heist"]}
releases = {r["tx_hash"] for r in rows if r["kind"] == "release"}
bridge = {r["to_address"] for r in rows if r["kind"] == "deposit"}
found, kinds, past, past_ends, past_amount = set(), {}, set(), 0, 0
btc_dest = {r["tx_hash"]: r["recipient"] for r in rows
            if r["kind"] == "deposit" and r["heist"] and not r["recipient"].startswith("0x")}
btc_right = set()
for path in traces:
    j = json.load(open(path))
    for e in j["ends"]:
        arr = {a["tx"] for a in e.get("arrivals", [])}
        if e["address"] in bridge:
            rec = e.get("recognised") or {}
            k = e["kind"] + (" (" + rec["as"] + ")" if rec.get("as") else "")
            kinds[k] = kinds.get(k, 0) + 1
            if e["kind"] == "bridge":
                found |= arr & thief_dep
        named = (set(e.get("path", [])) | arr) & releases
        if named:
            past |= named
            past_ends += 1
            past_amount += int(e["amount"])
    for x in j.get("bridge_exits", []):
        if x["tx"] in btc_dest and x.get("destination") == btc_dest[x["tx"]]:
            btc_right.add(x["tx"])
print(f"lock bridge: {len(rows)} rows, thief deposits {len(thief_dep)}, honest releases {len(releases)}")
print(f"thief deposits found as bridge exits: {len(found)} of {len(thief_dep)}: "
      f"recall {len(found) / len(thief_dep) if thief_dep else 1.0:.3f}")
print(f"ends at the bridge: " + (", ".join(f"{k} x{v}" for k, v in sorted(kinds.items())) or "none"))
print(f"Bitcoin recipients (ASCII) decoded to the true address: {len(btc_right)} of {len(btc_dest)}")
print(f"false attributions past the bridge: {len(past)} honest releases named, "
      f"{past_ends} ends reached through one, {past_amount} base units")
