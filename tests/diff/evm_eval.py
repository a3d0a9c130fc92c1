#!/usr/bin/python3
"""Scores `chainwatch trace --json` on an EVM store against a generated world's truth (issue 13's
acceptance figures): cash-out recall and precision (the heist's deposit transactions at exchange
deposit addresses), amount per exchange and asset, mixer entries and the precision of the mixer
links reported, bridge deposits found (bridged value is its own figure, not a missed cash-out),
bridge exits (recall: the heist's bridge deposits reported as exits whose memo decodes to the true
Bitcoin address), and the share of the world's transactions the trace names. Per exchange and asset
it also says where the amount is off: value named that should not be (over a cash-out's true
amount, or at no cash-out) and value missed (after the thief's mixer notes no link reached, other
misses, found short). Reads only the CLI's
JSON and the truth files, so it scores worlds
from any generator that writes the same truth (docs/GEN.md, EVM worlds).

usage: evm_eval.py WORLD_DIR TRACE_JSON [TRACE_JSON...]   (one trace per heist)
"""
import csv, json, os, sys
from collections import defaultdict

world, traces = sys.argv[1], sys.argv[2:]
T = world + "/truth/"
addr_rows = list(csv.DictReader(open(T + "addresses.csv")))
exch_of_deposit = {r["address"]: r["exchange"] for r in addr_rows if r["category"] == "exchange_deposit"}
exch_of_hot = {r["address"]: r["exchange"] or r["entity_name"] for r in addr_rows
               if r["category"] in ("exchange", "exchange_hot_contract")}
# deposit addresses of OTC desks (gen evm's world.otc_desks): the desk's own exchange account, where
# stolen funds the thief sold to the desk arrive mixed with its customers' (true taint, not a
# cash-out of the thief's): scored apart
ent_cat = {r["entity_id"]: r["category"] for r in csv.DictReader(open(T + "entities.csv"))}
otc_deposit = {r["address"] for r in addr_rows
               if r["category"] == "exchange_deposit" and ent_cat.get(r["customer_id"]) == "otc_desk"}
otc_tx, otc_amount = set(), 0
tokens = {}
wj = json.load(open(T + "world.json"))
true_cash = [r for r in csv.DictReader(open(T + "cash_outs.csv"))]
true_tx = {r["tx_hash"] for r in true_cash}
true_amount = defaultdict(int)
for r in true_cash:
    true_amount[(r["exchange"], r["asset"])] += int(r["amount"])
found_tx, found_amount = set(), defaultdict(int)
named_txs, mixer_in = set(), 0
svc_tx, svc_amount = set(), defaultdict(int)
found_prob = set()  # cash-out txs in ends reached through a mixer link or another judgement
# bridge exits: the heists' deposits to the bridge and the Bitcoin address each memo names
import os
true_bridge = {r["tx_hash"]: r["btc_address"] for r in csv.DictReader(open(T + "bridge_deposits.csv")) if r["heist"]} \
    if os.path.exists(T + "bridge_deposits.csv") else {}
# a lock-and-release bridge's deposits of the thief (truth/lock_bridge.csv, no memo): true exits,
# scored in full by evm_lock_bridge_eval.py
lock_true = {r["tx_hash"]: int(r["amount"]) for r in csv.DictReader(open(T + "lock_bridge.csv"))
             if r["kind"] == "deposit" and r["heist"]} if os.path.exists(T + "lock_bridge.csv") else {}
# an Across-like pool's deposits of the thief (truth/across_bridge.csv): true exits too, scored in
# full by evm_across_eval.py
if os.path.exists(T + "across_bridge.csv"):
    lock_true.update({r["tx_hash"]: int(r["amount"]) for r in csv.DictReader(open(T + "across_bridge.csv"))
                      if r["kind"] == "deposit" and r["heist"]})
exits_found, exits_right, exits_honest = set(), set(), set()
for path in traces:
    j = json.load(open(path))
    for x in j.get("bridge_exits", []):
        exits_found.add(x["tx"])
        named_txs.add(x["tx"])
        if x["tx"] in lock_true:
            continue
        if x["tx"] not in true_bridge:
            exits_honest.add(x["tx"])
        elif x.get("destination") == true_bridge[x["tx"]]:
            exits_right.add(x["tx"])
    for e in j["ends"]:
        for p in e.get("path", []):
            if p:
                named_txs.add(p)
        if e["kind"] != "exchange":
            if e["kind"] == "mixer":
                mixer_in += int(e["amount"])
            if e["kind"] == "service":  # an unlabelled service, not known to be an exchange
                svc_tx.update(arr["tx"] for arr in e.get("arrivals", []))
                named_txs.update(arr["tx"] for arr in e.get("arrivals", []))
                svc_amount[e["asset"]["symbol"] or "?"] += int(e["amount"])
            continue
        a = e["address"]
        if a in otc_deposit:
            otc_tx |= {arr["tx"] for arr in e.get("arrivals", [])}
            named_txs |= {arr["tx"] for arr in e.get("arrivals", [])}
            otc_amount += int(e["amount"])
            continue
        ex = exch_of_deposit.get(a) or exch_of_hot.get(a)
        if ex is None and e.get("recognised"):
            ex = exch_of_hot.get(e["recognised"].get("collector"), "?")
        asset = e["asset"]["symbol"] if e["asset"]["id"] == 0 else (e["asset"]["contract"] or "")
        if e["asset"]["id"] == 0:
            asset = "ETH"
        for arr in e.get("arrivals", []):
            found_tx.add(arr["tx"])
            named_txs.add(arr["tx"])
            if e.get("probable"):
                found_prob.add(arr["tx"])
        found_amount[(ex, asset)] += int(e["amount"])
tp = len(found_tx & true_tx)
recall = tp / len(true_tx) if true_tx else 1.0
precision = tp / len(found_tx) if found_tx else 1.0
print(f"cash-out txs: truth {len(true_tx)}, found {len(found_tx)}, correct {tp}: "
      f"recall {recall:.3f}, precision {precision:.3f}")
worst = 0.0
for key in sorted(set(true_amount) | set(found_amount)):
    t, f = true_amount.get(key, 0), found_amount.get(key, 0)
    err = abs(f - t) / t if t else (1.0 if f else 0.0)
    worst = max(worst, err)
    print(f"  {key[0]} {key[1]}: truth {t}, traced {f} ({100 * err:.2f} % off)")
print(f"amounts per exchange and asset: worst {100 * worst:.2f} % off")
# where each exchange's amount is off, as % of its true amount: value the trace names that it
# should not (traced over a cash-out's true amount, or at a transaction that is no cash-out) and
# value it misses (cash-outs not found, split by whether their sender got value, through the
# thief's own addresses, from a mixer withdrawal of the thief's that no link reached: a note
# that left no evidence the trace used; and found cash-outs traced short)
arr_tx, arr_key = defaultdict(int), {}
mix_rows = list(csv.DictReader(open(T + "mixer_links.csv")))
linked_rec = set()
for path in traces:
    j = json.load(open(path))
    linked_rec |= {l["recipient"] for l in j.get("mixer_links", [])}
    for e in j["ends"]:
        if e["kind"] != "exchange" or e["address"] in otc_deposit:
            continue
        a = e["address"]
        ex = exch_of_deposit.get(a) or exch_of_hot.get(a)
        if ex is None and e.get("recognised"):
            ex = exch_of_hot.get(e["recognised"].get("collector"), "?")
        asset = "ETH" if e["asset"]["id"] == 0 else (e["asset"]["contract"] or "")
        for arr in e.get("arrivals", []):
            arr_tx[arr["tx"]] += int(arr["amount"])
            arr_key[arr["tx"]] = (ex, asset)
thief_addr = {r["address"] for r in addr_rows if r["category"] == "thief"}
onward = defaultdict(set)  # the thief's own payments between its addresses (ETH and tokens)
import glob  # one file per kind, or export_all's start_block=/end_block= folders
for name in ("traces", "token_transfers"):
    for path in sorted(glob.glob(world + "/" + name + ".csv") +
                       glob.glob(world + "/" + name + "/**/" + name + "_*.csv", recursive=True)):
        with open(path) as f:
            head = f.readline().rstrip("\n").split(",")
            fi, ti = head.index("from_address"), head.index("to_address")
            for line in f:
                c = line.split(",")
                if len(c) == len(head) and c[fi] in thief_addr and c[ti] in thief_addr:
                    onward[c[fi]].add(c[ti])
unlinked = {r["recipient"] for r in mix_rows if r["heist"] and r["recipient"] not in linked_rec}
reach, stack = set(unlinked), list(unlinked)
while stack:
    for y in onward.get(stack.pop(), ()):
        if y not in reach:
            reach.add(y)
            stack.append(y)
part = defaultdict(lambda: defaultdict(int))
for r in true_cash:
    k, amt = (r["exchange"], r["asset"]), int(r["amount"])
    got = arr_tx.get(r["tx_hash"])
    if got is None:
        part[k]["missed_unlinked" if r["from_address"] in reach else "missed_other"] += amt
    elif got < amt:
        part[k]["short"] += amt - got
    else:
        part[k]["over"] += got - amt
for tx, v in arr_tx.items():
    if tx not in true_tx:
        part[arr_key[tx]]["no_cash_out"] += v
for key in sorted(set(true_amount) | set(part)):
    t, q = true_amount.get(key, 0), part[key]
    pc = lambda x: f"{100 * q[x] / t:.2f} %" if t else f"{q[x]} base units"
    print(f"  {key[0]} {key[1]}: named but should not be: over {pc('over')}, at no cash-out "
          f"{pc('no_cash_out')}; missed: after unlinked mixer notes {pc('missed_unlinked')}, "
          f"other {pc('missed_other')}, found short {pc('short')}")
if svc_tx:
    print(f"ends at unlabelled services (deposit addresses used once; not scored as cash-outs): "
          f"{len(svc_tx)} txs, {len(svc_tx & true_tx)} of them true cash-outs; "
          + ", ".join(f"{v} base units of {k}" for k, v in sorted(svc_amount.items())))
if otc_deposit:
    print(f"OTC desks' own deposit addresses reached (stolen funds the thief sold to a desk; not "
          f"scored as cash-outs): {len(otc_tx)} txs, {otc_amount} wei")
# mixer links reported (all at or above the trace's default score) against mixer_links.csv
mixer_truth = {r["withdrawal_tx"]: r for r in csv.DictReader(open(T + "mixer_links.csv"))}
thief_wd = {w for w, r in mixer_truth.items() if r["heist"]}
links = set()
for path in traces:
    for l in json.load(open(path)).get("mixer_links", []):
        links.add(l["withdrawal_tx"])
good = len(links & thief_wd)
link_precision = good / len(links) if links else 1.0
print(f"mixer: {mixer_in} wei entered; links reported {len(links)}, correct {good}: "
      f"precision {link_precision:.3f}, recall {good / len(thief_wd) if thief_wd else 1.0:.3f} "
      f"of the thieves' {len(thief_wd)} withdrawals")
# per evidence class (a link may name several), honest withdrawals linked, and the cash-outs in
# probable ends (reached through a link or another judgement), counted apart
by_ev = defaultdict(lambda: [0, 0])
for path in traces:
    for l in json.load(open(path)).get("mixer_links", []):
        for ev in l.get("evidence", []):
            if ev != "anonymity_set":
                by_ev[ev][0] += 1
                by_ev[ev][1] += l["withdrawal_tx"] in thief_wd
honest_linked = len({w for w in links if w in mixer_truth and not mixer_truth[w]["heist"]})
if links:
    print("mixer links by evidence: " + ", ".join(f"{k} {v[1]}/{v[0]}" for k, v in sorted(by_ev.items()))
          + f"; honest withdrawals linked {honest_linked}")
# worlds that say which of the thief's withdrawals left evidence (evm_shapes_world.py
# --mixer-evidence): recall on those alone
with_ev = {w for w in thief_wd if mixer_truth[w].get("evidence")}
if with_ev:
    print(f"thief withdrawals with evidence in truth: {len(with_ev)}, linked {len(links & with_ev)}: "
          f"recall {len(links & with_ev) / len(with_ev):.3f}")
if found_prob:
    print(f"probable cash-outs (in ends reached through a mixer link or a judgement): found "
          f"{len(found_prob)}, correct {len(found_prob & true_tx)}")
# candidates (anonymity set only: listed apart, carrying no value): their own precision, and
# how many of their leads (where the recipient went first) are a deposit address of the heist
cands, leads_true = set(), 0
heist_deps = {r["deposit_address"] for r in true_cash}
for path in traces:
    for l in json.load(open(path)).get("mixer_candidates", []):
        cands.add(l["withdrawal_tx"])
        if (l.get("lead") or {}).get("address") in heist_deps:
            leads_true += 1
cgood = len(cands & thief_wd)
print(f"mixer candidates (not followed, in no amount): {len(cands)}, correct {cgood}: "
      f"precision {cgood / len(cands) if cands else 1.0:.3f}; leads at a heist deposit address {leads_true}")
# the cash-outs not paid by a mixer withdrawal's recipient (what evidence beyond the mixer can
# reach): recall on those alone
mixrec = {r["recipient"] for r in mixer_truth.values() if r["heist"]}
direct_tx = {r["tx_hash"] for r in true_cash if r["from_address"] not in mixrec}
if direct_tx:
    print(f"cash-outs not from a mixer recipient: {len(direct_tx)}, found {len(found_tx & direct_tx)}: "
          f"recall {len(found_tx & direct_tx) / len(direct_tx):.3f}")
# bridged value is its own figure (bridge_deposits.csv), never counted as a missed cash-out:
# the deposits into the bridge the trace names against the heists' bridge deposits
bridge_truth = {r["tx_hash"]: int(r["amount"]) for r in csv.DictReader(open(T + "bridge_deposits.csv"))
                if r["heist"]}
bridge_truth.update(lock_true)
bridge_found = set()
for path in traces:
    for e in json.load(open(path))["ends"]:
        if e["kind"] == "bridge":
            bridge_found |= {a["tx"] for a in e.get("arrivals", [])}
bt = len(bridge_found & set(bridge_truth))
print(f"bridge deposits: truth {len(bridge_truth)}, found {len(bridge_found)}, correct {bt}: "
      f"recall {bt / len(bridge_truth) if bridge_truth else 1.0:.3f}, "
      f"{sum(bridge_truth.values())} wei bridged (not a cash-out)")
b_recall = len(exits_right) / len(true_bridge) if true_bridge else 1.0
exits_found -= set(lock_true)  # memo exits only here; the lock bridge's in its own line
b_prec = 1 - len(exits_honest) / len(exits_found) if exits_found else 1.0
print(f"bridge exits: truth {len(true_bridge)}, found {len(exits_found)}, with the true Bitcoin address "
      f"{len(exits_right)}: recall {b_recall:.3f}, precision {b_prec:.3f}")
n_txs = wj.get("txs") or 1
print(f"transactions named by the trace: {len(named_txs)} of {n_txs} ({100 * len(named_txs) / n_txs:.3f} %)")
ok = recall >= 0.95 and precision >= 0.95 and worst <= 0.01 and link_precision >= 0.9 and \
    len(named_txs) <= 0.25 * n_txs and b_recall >= 0.95
print("RESULT", "pass" if ok else "fail")
