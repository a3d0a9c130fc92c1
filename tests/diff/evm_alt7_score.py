#!/usr/bin/python3
"""Scores `chainwatch trace --json` (and `screen --json`) on a world of tests/diff/evm_alt7_world.py
(the adversary attacks the watcher: dust, address poisoning, fake tokens, approval phishing, gifts
to frame), from the CLI's JSON and the truth files only.

usage: evm_alt7_score.py WORLD TRACE_H1_JSON TRACE_H2_JSON [--screen SCREEN_JSON]... [--list N]

1. Cash-outs per heist (trace i scores heist i of heists.json): the arrivals at exchange deposit
   addresses (ends of kind exchange) the trace names against cash_outs.csv: recall and precision
   in txs; what is named at no true cash-out, by the sender's exposure kind (honest_exposed.csv)
   and by the thief's last act on the end's path (its heist_flows kind: dust, gift, poison_tiny,
   or the arrival's own kind when it is the thief's tx).
   Bridge exits: the heist's THORChain deposits named with the memo's Bitcoin address.
2. Honest persons (category user; public figures included) the traces name as holding stolen
   value, certain and probable apart, per exposure kind, in evm_alt3_honest.py's ways: `held`
   (a held end at it), `cash-out` (it sent an end's arrival), `through` (it received on a path and
   sent later on it). Dust ends at honest persons are counted apart (not a holding).
3. The approval-drain victims (h2) named in any of those ways: a victim shown as a launderer.
4. With --screen (each one file): honest persons flagged (any category, certain = level "flag"),
   per exposure kind, and by which path: the heist_flows kind (dust, poison_tiny, gift, drain...)
   of the first tx of the flag's strongest path, or "honest" when that tx is none of the thief's.
Last line: "JSON {...}" with the figures (screen figures per --screen in order: screen0_, screen1_)."""
import csv, glob, json, os, sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score_common as sc  # noqa: E402

args = sys.argv[1:]
scr = sc.take_opt(args, "--screen", many=True)
nlist = int(sc.take_opt(args, "--list") or 0)
world, traces = args[0], args[1:]
T = world + "/truth/"
rd = sc.truth_reader(world)
cat = {r["address"]: r["category"] for r in rd("addresses.csv")}
person = {a for a, c in cat.items() if c == "user"}
heists = json.load(open(T + "heists.json"))
cash = rd("cash_outs.csv")
flows = rd("heist_flows.csv")
flow_kind = {}
for r in flows:
    flow_kind.setdefault(r["tx_hash"], r["kind"])
bridges = {r["tx_hash"]: r for r in rd("bridge_deposits.csv") if r["heist"]}
kinds = defaultdict(set)
for r in rd("honest_exposed.csv"):
    kinds[r["address"]].add(r["kind"])
E = lambda x: x / 1e18
out = {}
ends_all = []
# ---- 1. cash-outs per heist
for hi, p in enumerate(traces):
    H = heists[hi]["name"]
    j = json.load(open(p))
    ends_all += j["ends"]
    truth = {r["tx_hash"]: r for r in cash if r["heist"] == H}
    named = defaultdict(int)  # arrival tx at an exchange deposit -> amount named
    certain = set()  # arrivals named certain (an arrival's own "probable", else its end's)
    via = {}  # arrival tx -> the thief's last act on its end's path (heist_flows kind)
    for e in j["ends"]:
        if e["kind"] != "exchange" or cat.get(e["address"]) != "exchange_deposit":
            continue
        acts = [flow_kind[h] for h in e.get("path", []) if h in flow_kind]
        for x in e.get("arrivals", []):
            named[x["tx"]] += int(x["amount"])
            if not x.get("probable", e.get("probable")):
                certain.add(x["tx"])
            via[x["tx"]] = flow_kind.get(x["tx"]) or (acts[-1] if acts else "none")
    hit = set(named) & set(truth)
    false_tx = set(named) - set(truth)
    rec = len(hit) / len(truth) if truth else None
    prec = len(hit) / len(named) if named else None
    print(f"{H}: cash-outs truth {len(truth)}, named {len(named)} at exchange deposits; recall {len(hit)}/{len(truth)}"
          f", precision {len(hit)}/{len(named)}")
    out[H + "_cash_recall"] = round(rec, 4) if rec is not None else None
    out[H + "_cash_precision"] = round(prec, 4) if prec is not None else None
    out[H + "_cash_false"] = len(false_tx)
    hc = certain & set(truth)
    print(f"  certain only: recall {len(hc)}/{len(truth)}, precision {len(hc)}/{len(certain)}; "
          f"named at no true cash-out: {len(certain - set(truth))} certain, {len(false_tx - certain)} probable")
    out[H + "_cash_recall_certain"] = round(len(hc) / len(truth), 4) if truth else None
    out[H + "_cash_false_certain"] = len(certain - set(truth))
    if false_tx:
        by = defaultdict(lambda: [0, 0])
        snd = {}
        for f in sorted(glob.glob(world + "/**/transactions*.csv", recursive=True)):
            for r in csv.DictReader(open(f)):
                if r["hash"] in false_tx:
                    snd[r["hash"]] = r["from_address"]
        for h in false_tx:
            s = snd.get(h, "?")
            k = cat.get(s, "?") + " [" + (",".join(sorted(kinds.get(s, ()))) or "not touched") + "]"
            by[k][0] += 1
            by[k][1] += named[h]
        for k, (n, v) in sorted(by.items()):
            print(f"  named at no true cash-out, sent by {k}: {n} txs")
    fv = defaultdict(int)
    for h in false_tx:
        fv[via[h]] += 1
    for k, n in sorted(fv.items()):
        print(f"  named at no true cash-out, the thief's last act on the path {k}: {n} txs")
    out[H + "_cash_false_via"] = dict(sorted(fv.items()))
    ex = j.get("bridge_exits", [])
    right = {x["tx"] for x in ex if x["tx"] in bridges and x.get("destination") == bridges[x["tx"]]["btc_address"]}
    tb = [h for h, r in bridges.items() if r["heist"] == H]
    print(f"  bridge exits: truth {len(tb)}, named with the memo's address {len(right)}, "
          f"named elsewhere {len({x['tx'] for x in ex} - set(bridges))}")
    out[H + "_exits"] = [len(right), len(tb)]
# ---- 2. honest persons named by the traces
named, why, dust_at, third = sc.named_persons(world, ends_all, person, third_party=True)
rows = defaultdict(lambda: [0, 0])
for a, ways in named.items():
    k = ",".join(sorted(kinds.get(a, ()))) or "not touched by the thief"
    for w, c in ways.items():
        rows[(w, k)][0 if c else 1] += 1
tot_c = sum(1 for a, w in named.items() if any(w.values()))
print(f"honest persons {len(person)}, touched by the thief's shapes {len(kinds.keys() & person)}")
print(f"named by the traces: {len(named)} ({tot_c} certain, {len(named) - tot_c} probable only)")
for (w, k), (n1, n2) in sorted(rows.items()):
    print(f"  trace {w:8s} [{k}]: certain {n1}, probable {n2}")
for rule, accts in sorted(dust_at.items()):
    print(f"  dust ends at honest persons (not named as holding stolen value), rule {rule}: {len(accts)}")
for a in sorted(named)[:nlist]:
    way, e = why[a]
    print(f"  NAMED {a} ({','.join(sorted(kinds.get(a, ())))}) {way}: end {e['kind']} at {e['address']} "
          f"({cat.get(e['address'], '?')}), {int(e['amount'])} {e['asset']['symbol']}, probable {bool(e.get('probable'))}")
victims = set()
for h in heists:
    for v in (h.get("victims") or {}).values():
        victims |= set(v)
vn = victims & set(named)
print(f"approval-drain victims {len(victims)}; named by the traces as holding or passing stolen value: {len(vn)}"
      f" ({sum(1 for a in vn if any(named[a].values()))} certain)")
pub = set(json.load(open(T + "world.json")).get("public_figures", []))
held_pub = {a for a in pub if named.get(a, {}).get("held")}
print(f"public figures {len(pub)}: named held certain {len(held_pub)}; third_party holdings at honest persons "
      f"{len(third)} ({sum(third.values())} received certain; public figures {len(third.keys() & pub)})")
out.update(trace_named=len(named), trace_certain=tot_c, trace_probable_only=len(named) - tot_c,
           trace_dust_honest=len(set().union(*dust_at.values())) if dust_at else 0, victims_named=len(vn),
           victims_named_certain=sum(1 for a in vn if any(named[a].values())), public_held_certain=len(held_pub),
           third_party_honest=len(third))
# ---- 4. screening
for si, sp in enumerate(scr):
    d = json.load(open(sp))
    flagged, certain, path_of = defaultdict(set), set(), {}
    for r in d["results"]:
        for a in r.get("assets", []):
            for f in a.get("flags", []):
                flagged[r["address"]].add(f["category"])
                if f.get("level") == "flag":
                    certain.add(r["address"])
                sp_ = [x for x in a.get("strongest_paths", []) if x["category"] == f["category"]]
                first = sp_[0]["txs"][0] if sp_ and sp_[0]["txs"] else ""
                path_of.setdefault(r["address"], (f["category"], a["asset"], flow_kind.get(first, "honest"),
                                                  round(f.get("share", 0), 4)))
    screened = {r["address"] for r in d["results"]}
    by = defaultdict(lambda: [0, 0, 0])
    for a in screened & person:
        for k in sorted(kinds.get(a, ())) or ["control (not touched)"]:
            by[k][0] += 1
            by[k][1] += a in flagged
            by[k][2] += a in certain
    print(f"screen {si} ({sp}):")
    for k, (n, f, ce) in sorted(by.items()):
        print(f"  flagged [{k}]: {f} of {n} ({ce} certain, {f - ce} probable only)")
    paths = defaultdict(int)
    for a in flagged.keys() & person:
        c, asset, fk, share = path_of[a]
        paths[(c, asset, fk)] += 1
    for (c, asset, fk), n in sorted(paths.items()):
        print(f"  flagged {c} on {asset}, strongest path first tx of kind {fk}: {n}")
    for a in sorted(flagged.keys() & person)[:nlist]:
        print(f"  FLAGGED {a} ({','.join(sorted(kinds.get(a, ())))}): {path_of[a]}")
    out[f"screen{si}_screened"] = len(screened & person)
    out[f"screen{si}_flagged"] = len(flagged.keys() & person)
    out[f"screen{si}_flagged_certain"] = len(certain & person)
    out[f"screen{si}_victims_flagged"] = len(flagged.keys() & victims)
    out[f"screen{si}_paths"] = {"%s/%s/%s" % k: n for k, n in sorted(paths.items())}
print("JSON " + json.dumps(out))
