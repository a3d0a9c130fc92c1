#!/usr/bin/python3
"""Scores `chainwatch trace --json` (and `screen --json`) on a world of tests/diff/evm_alt8_world.py
(swaps and bridges whose output is not paid from their input), from the CLI's JSON and the truth
files only.

usage: evm_alt8_score.py WORLD TRACE_H1_JSON TRACE_H2_JSON [--screen SCREEN_JSON]... [--list N]

1. Per heist (trace i scores heist i of heists.json): cash-outs (arrivals at exchange deposit
   addresses, ends of kind exchange) against cash_outs.csv: recall and precision in txs, certain
   only apart; bridge exits named (THORChain / Chainflip with the Bitcoin address; Stargate and
   ERC-7683 as ends or exits at the bridge).
2. What the trace says at each of the thief's shape txs (truth/shapes.csv), per shape:
   `passes` (an end reached through the tx is the thief's or a true cash-out, none elsewhere),
   or a conversion the trace records in the tx names the thief as recipient; `passes-probable`
   (the same, every such end probable), `stops` (the tx is on a path, an exit
   or a conversion, but no end through it is the thief's: ends at the contract or a service),
   `wrong` (an end reached through the tx is at an honest party or a false cash-out),
   `not reached`. The v4 claims shape is scored at its mint tx, and counts as passing only when
   the later take tx is on a path.
3. Honest persons (categories user and market_maker) the traces name (score_common's ways:
   held, cash-out, through), certain and probable apart, per counterpart group
   (truth/counterparts.csv) or "no group".
4. With --screen (each one file): per counterpart group, how many screened were flagged theft
   (certain = level "flag"), and by which shape the strongest path's first thief tx went; flags of
   other categories (exposure to a labelled mixer or bridge: facts) are counted apart.
Last line: "JSON {...}" with the figures."""
import json, os, sys
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
thief = {a for a, c in cat.items() if c.startswith("thief")}
person = {a for a, c in cat.items() if c in ("user", "market_maker")}
heists = json.load(open(T + "heists.json"))
cash = rd("cash_outs.csv")
flows = rd("heist_flows.csv")
flow_kind = {}
for r in flows:
    flow_kind.setdefault(r["tx_hash"], r["kind"])
shapes = rd("shapes.csv")
shape_of = {r["tx_hash"]: r["shape"] for r in shapes if r["heist"]}
groups = defaultdict(set)
for r in rd("counterparts.csv"):
    groups[r["address"]].add(r["group"])
claims = rd("claims.csv")
bridges = {r["tx_hash"]: r for r in rd("bridge_deposits.csv") if r["heist"]}
out = {}
ends_all = []
examples = defaultdict(list)
for hi, p in enumerate(traces):
    H = heists[hi]["name"]
    j = json.load(open(p))
    ends = j["ends"]
    ends_all += ends
    truth = {r["tx_hash"]: r for r in cash if r["heist"] == H}
    true_dep = {r["deposit_address"] for r in truth.values()}
    named, certain = defaultdict(int), set()
    for e in ends:
        if e["kind"] != "exchange" or cat.get(e["address"]) != "exchange_deposit":
            continue
        for x in e.get("arrivals", []):
            named[x["tx"]] += int(x["amount"])
            if not x.get("probable", e.get("probable")):
                certain.add(x["tx"])
    hit = set(named) & set(truth)
    print(f"{H}: cash-outs truth {len(truth)}, named {len(named)}; recall {len(hit)}/{len(truth)}, precision "
          f"{len(hit)}/{len(named)}; certain only: recall {len(certain & set(truth))}/{len(truth)}, precision "
          f"{len(certain & set(truth))}/{len(certain)}")
    out[H + "_cash"] = [len(hit), len(truth), len(named)]
    out[H + "_cash_certain"] = [len(certain & set(truth)), len(certain)]
    for h in sorted(set(named) - set(truth))[:nlist]:
        print(f"  FALSE CASH-OUT {h} ({'certain' if h in certain else 'probable'})")
    ex = j.get("bridge_exits", [])
    right = {x["tx"] for x in ex if x["tx"] in bridges and x.get("destination") == bridges[x["tx"]]["btc_address"]}
    tb = [h for h, r in bridges.items() if r["heist"] == H]
    print(f"  BTC bridge exits (THORChain, Chainflip): truth {len(tb)}, named with the address {len(right)} "
          f"(Chainflip {sum(1 for h in right if bridges[h]['style'] == 'chainflip_vault')} of "
          f"{sum(1 for h in tb if bridges[h]['style'] == 'chainflip_vault')})")
    out[H + "_btc_exits"] = [len(right), len(tb)]
    # ---- 2. per shape tx
    via = defaultdict(list)  # tx -> ends with it on the path (or as an arrival)
    for e in ends:
        hs = set(e.get("path", [])) | {x["tx"] for x in e.get("arrivals", [])}
        for h in hs:
            via[h].append(e)
    exit_tx = {x["tx"] for x in ex}
    at = {e["address"] for e in ends}
    conv = defaultdict(list)  # tx -> the trace's conversions in it (swaps it followed)
    for c in j.get("conversions", []):
        conv[c["tx"]].append(c)
    take_of = {}
    mints = [c for c in claims if c["kind"] == "mint"]
    takes = [c for c in claims if c["kind"] == "burn_take"]
    for m in mints:
        for t in takes:
            if t["holder"] == m["holder"]:
                take_of[m["tx_hash"]] = t["tx_hash"]
    verdict = defaultdict(lambda: defaultdict(int))
    for r in shapes:
        if r["heist"] != H or r["shape"] in ("v4_claim_take", "railgun_unshield"):
            continue
        h, k = r["tx_hash"], r["shape"]
        es = via.get(h, [])
        if k == "v4_claim_mint" and take_of.get(h) in via:
            es = es + via[take_of[h]]
        bad = [e for e in es if e["address"] in person or (e["kind"] == "exchange" and e["address"] not in true_dep)]
        beyond = [e for e in es if (e["address"] in thief or e["address"] in true_dep) and e["kind"] != "dust"]
        if k == "v4_claim_mint":
            beyond = [e for e in beyond if take_of.get(h) in via and e in via[take_of[h]]]
        for c in conv.get(h, []):  # a swap followed: to the thief's own output, or to someone else's
            if c.get("recipient") in person:
                bad.append(dict(kind="conversion", address=c["recipient"], asset=c["got"], probable=c.get("probable")))
            elif c.get("recipient") in thief:
                beyond.append(dict(kind="conversion", address=c["recipient"], probable=c.get("probable")))
        if bad:
            v = "wrong"
        elif beyond:
            v = "passes-probable" if all(e.get("probable") for e in beyond) else "passes"
        elif es or h in exit_tx or h in conv:
            v = "stops"
        elif r["contract"] in at:  # the trace merges ends per address: the path shown is the first's
            v = "stops"
        else:
            v = "not reached"
        verdict[k][v] += 1
        if len(examples[(H, k, v)]) < 2:
            what = ""
            if bad:
                e = bad[0]
                what = f" -> end {e['kind']} at {e['address']} ({cat.get(e['address'], '?')}), {e['asset']['symbol']}, " \
                       f"probable {bool(e.get('probable'))}"
            elif es:
                e = es[0]
                what = f" -> end {e['kind']} at {e['address']} ({cat.get(e['address'], '?')})"
            examples[(H, k, v)].append(h + what)
    for k in sorted(verdict):
        print(f"  shape {k:16s} " + ", ".join(f"{v} {n}" for v, n in sorted(verdict[k].items())))
        for v in sorted(verdict[k]):
            for x in examples[(H, k, v)][:1 if v != "wrong" else 2]:
                print(f"    e.g. {v}: {x}")
    out[H + "_shapes"] = {k: dict(v) for k, v in sorted(verdict.items())}
# ---- 3. honest persons named
named, why, dust_at, third = sc.named_persons(world, ends_all, person, third_party=True)
rows = defaultdict(lambda: [0, 0])
for a, ways in named.items():
    g = ",".join(sorted(groups.get(a, ()))) or "no group"
    rows[g][0 if any(ways.values()) else 1] += 1
tot_c = sum(1 for a, w in named.items() if any(w.values()))
print(f"honest persons named by the traces: {len(named)} ({tot_c} certain, {len(named) - tot_c} probable only); "
      f"third_party ends at them {len(third)}; dust ends at them {len(set().union(*dust_at.values())) if dust_at else 0}")
for g, (c, pr) in sorted(rows.items()):
    print(f"  [{g}]: certain {c}, probable {pr}")
for a in sorted(named)[:nlist]:
    way, e = why[a]
    print(f"  NAMED {a} ({cat.get(a)}; {','.join(sorted(groups.get(a, ())))}) {way}: end {e['kind']} at {e['address']} "
          f"({cat.get(e['address'], '?')}), {int(e['amount'])} {e['asset']['symbol']}, probable {bool(e.get('probable'))}")
out.update(named=len(named), named_certain=tot_c, named_groups={g: v for g, v in sorted(rows.items())},
           third_party=len(third))
# ---- 4. screening per counterpart group
for si, sp in enumerate(scr):
    d = json.load(open(sp))
    flagged, certain, first, other = set(), set(), {}, defaultdict(set)
    for r in d["results"]:
        for a in r.get("assets", []):
            for f in a.get("flags", []):
                if f["category"] != "theft":  # exposure to a labelled service (mixer, bridge...): a fact
                    other[f["category"]].add(r["address"])
                    continue
                flagged.add(r["address"])
                if f.get("level") == "flag":
                    certain.add(r["address"])
                ps = [x for x in a.get("strongest_paths", []) if x["category"] == f["category"]]
                k = next((shape_of.get(h) or flow_kind.get(h) for h in (ps[0]["txs"] if ps else [])
                          if h in shape_of or h in flow_kind), "honest")
                first.setdefault(r["address"], k)
    screened = {r["address"] for r in d["results"]}
    by = defaultdict(lambda: [0, 0, 0])
    for a in screened & person:
        for g in sorted(groups.get(a, ())) or ["control (no group)"]:
            by[g][0] += 1
            by[g][1] += a in flagged
            by[g][2] += a in certain
    print(f"screen {si} ({sp}): theft flags on honest parties")
    for g, (n, f, c) in sorted(by.items()):
        print(f"  [{g}] flagged theft {f} of {n} ({c} certain)")
    for c, s_ in sorted(other.items()):
        print(f"  (exposure flags of category {c}, not counted: {len(s_ & person)} honest parties)")
    fk = defaultdict(int)
    for a in flagged & person:
        fk[first[a]] += 1
    for k, n in sorted(fk.items()):
        print(f"  flagged theft, the strongest path's first thief tx a {k}: {n}")
    for a in sorted(flagged & person)[:nlist]:
        print(f"  FLAGGED {a} ({cat.get(a)}; {','.join(sorted(groups.get(a, ())))}) via {first[a]}")
    out[f"screen{si}"] = {g: v for g, v in sorted(by.items())}
    out[f"screen{si}_flagged"] = len(flagged & person)
    out[f"screen{si}_flagged_certain"] = len(certain & person)
    out[f"screen{si}_other"] = {c: len(s_ & person) for c, s_ in sorted(other.items())}
print("JSON " + json.dumps(out))
