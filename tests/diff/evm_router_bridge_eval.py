#!/usr/bin/python3
"""Scores `chainwatch trace --json` on two shapes of an aggregator router in front of a bridge:
- a swap and a bridge deposit in one call (LI.FI's swapAndStartBridgeTokensVia...: the router
  takes a token, swaps it on a DEX, deposits the output into the bridge pool): `gen evm`
  world.swap_bridge (swap_bridge rows of truth/across_bridge.csv beside the deposit row),
  evm_shapes_world.py --swap-bridge (truth/swap_bridges.csv);
- a router in front of a lock bridge (which may record the deposit with no event): `gen evm`
  world.lock_router (via_router rows of truth/lock_bridge.csv), evm_shapes_world.py
  --lock-router (truth/lock_router.csv);
- a THORChain router deposit made in an aggregator's multicall (the THORChain router, not the
  tx's `to`, emits the Deposit event with the memo): `gen evm` world.thor_aggregator (style
  `aggregator` in truth/bridge_deposits.csv; the bridge is the THORChain router);
  evm_shapes_world.py --nested-memo adds the multicall sent from the user's Safe
  (`safe_aggregator`) and LI.FI's startBridgeTokensViaThorSwap (`lifi_aggregator`).
For the thief's txs of each shape: how many the trace reached, where they ended (at the bridge the
value went to, at the router, elsewhere), and for swap+bridge the amount ended at the bridge
against the truth's deposit (the swap's output); the exits naming the deposit's true recipient.
Routed lock deposits are split by whether the bridge logged an event in the tx (logs.csv). Honest
txs of either shape named by the trace are counted apart (should be none). Exit status 0
always (a report). Run with the router labelled "bridge" to see a provider's filing of it.

usage: evm_router_bridge_eval.py WORLD_DIR TRACE_JSON [TRACE_JSON...]
"""
import csv
import json
import os
import sys

world, traces = sys.argv[1], sys.argv[2:]
T = world + "/truth/"
sb, lr, ta = {}, {}, {}  # tx -> (heist, router, bridge, amount at the bridge or None, recipient)
ts, tl = {}, {}  # evm_shapes_world.py --nested-memo: the multicall from a Safe, LI.FI's tuple
nested = {"aggregator": ta, "safe_aggregator": ts, "lifi_aggregator": tl}
if os.path.exists(T + "swap_bridges.csv"):
    for r in csv.DictReader(open(T + "swap_bridges.csv")):
        sb[r["tx_hash"]] = (r["heist"], r["router"], r["bridge"], int(r["weth_deposited"]), r["recipient"])
if os.path.exists(T + "bridge_deposits.csv") and os.path.exists(T + "addresses.csv"):
    cat = {}
    for r in csv.DictReader(open(T + "addresses.csv")):
        cat.setdefault(r["category"], r["address"])
    for r in csv.DictReader(open(T + "bridge_deposits.csv")):
        if r.get("style") in nested:
            nested[r["style"]][r["tx_hash"]] = (r["heist"], cat.get("aggregator_router"),
                                                cat.get("bridge_router"), None, r["btc_address"])
if os.path.exists(T + "lock_router.csv"):
    for r in csv.DictReader(open(T + "lock_router.csv")):
        lr[r["tx_hash"]] = (r["heist"], r["router"], r["bridge"], None, None)
if os.path.exists(T + "across_bridge.csv"):
    rows = list(csv.DictReader(open(T + "across_bridge.csv")))
    dep = {r["tx_hash"]: r for r in rows if r["kind"] == "deposit"}
    for r in rows:
        if r["kind"] == "swap_bridge":
            d = dep[r["tx_hash"]]
            sb[r["tx_hash"]] = (r["heist"], r["to_address"], d["to_address"], int(d["amount"]), d["recipient"])
if os.path.exists(T + "lock_bridge.csv"):
    rows = list(csv.DictReader(open(T + "lock_bridge.csv")))
    dep = {r["tx_hash"]: r for r in rows if r["kind"] == "deposit"}
    for r in rows:
        if r["kind"] == "via_router":
            lr[r["tx_hash"]] = (r["heist"], r["to_address"], dep[r["tx_hash"]]["to_address"], None, None)
# which routed lock deposits the bridge recorded with an event of its own (logs.csv)
emitted = set()
if lr:
    with open(world + "/logs.csv") as f:
        head = f.readline().rstrip("\n").split(",")
        ti, ai = head.index("transaction_hash"), head.index("address")
        for line in f:
            c = line.split(",")
            if len(c) > max(ti, ai) and c[ti] in lr and c[ai] == lr[c[ti]][2]:
                emitted.add(c[ti])
end_at, amount_at, named, exit_dest = {}, {}, set(), {}
for path in traces:
    j = json.load(open(path))
    for e in j["ends"]:
        for a in e.get("arrivals", []):
            end_at.setdefault(a["tx"], set()).add(e["address"])
            amount_at[(a["tx"], e["address"])] = amount_at.get((a["tx"], e["address"]), 0) + int(a["amount"])
            named.add(a["tx"])
        for p in e.get("path", []):
            if p:
                named.add(p)
    for x in j.get("bridge_exits", []):
        named.add(x["tx"])
        exit_dest.setdefault(x["tx"], set()).add(x.get("destination") or "")
for label, shape in (("swap and bridge deposit in one call", sb), ("router in front of a lock bridge", lr),
                     ("THORChain deposit through an aggregator's multicall", ta),
                     ("the same multicall sent from the user's Safe", ts),
                     ("THORChain deposit through LI.FI's ThorSwap facet (memo in a tuple)", tl)):
    if not shape:
        continue
    thief = {t: v for t, v in shape.items() if v[0]}
    honest = {t for t, v in shape.items() if not v[0]}
    reached = [t for t in thief if t in end_at]
    at_bridge = [t for t in reached if thief[t][2] in end_at[t]]
    at_router = [t for t in reached if thief[t][1] in end_at[t]]
    other = [t for t in reached if t not in at_bridge and t not in at_router]
    line = (f"{label}: thief's {len(thief)} (honest {len(shape) - len(thief)}); reached {len(reached)}: "
            f"ended at the bridge {len(at_bridge)}, at the router {len(at_router)}, elsewhere {len(other)}")
    full = [t for t in at_bridge if thief[t][3] is not None]
    if full:
        exact = sum(amount_at[(t, thief[t][2])] == thief[t][3] for t in full)
        short = sum(thief[t][3] - min(amount_at[(t, thief[t][2])], thief[t][3]) for t in full)
        line += (f"; amount at the bridge equal to the swap's output {exact} of {len(full)} "
                 f"(short {short} base units in all)")
    rc = [t for t in reached if thief[t][4]]  # wherever it ended (at the router: no logs)
    if rc:
        line += f"; exits naming the true recipient {sum(thief[t][4] in exit_dest.get(t, ()) for t in rc)} of {len(rc)}"
    print(line)
    if shape is lr:
        for kind, sel in (("with an event of the bridge's", True), ("with no event", False)):
            r2 = [t for t in reached if (t in emitted) == sel]
            print(f"  {kind}: thief's {sum((t in emitted) == sel for t in thief)}, reached {len(r2)}: "
                  f"ended at the bridge {sum(t in at_bridge for t in r2)}, at the router "
                  f"{sum(t in at_router for t in r2)}")
    print(f"  honest txs of the shape named by the trace: {len(honest & named)}")
