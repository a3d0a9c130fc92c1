#!/usr/bin/python3
"""Scores `chainwatch trace --json` (and `screen --json`) on a world of tests/diff/evm_alt6_world.py
(the Bybit-like heist among honest look-alikes), from the CLI's JSON and the truth files only.

usage: evm_alt6_score.py WORLD TRACE_JSON [TRACE_JSON...] [--screen SCREEN_JSON] [--list N]

1. Stolen value followed to each end, against truth: THORChain deposits (bridge_deposits.csv),
   the L2 bridge (lock_bridge.csv), the instant exchange's order addresses (instant_orders.csv),
   the mixer (what no link carried on), held by the thief at the tip (idle.csv), and everything
   else (value the trace leaves at no true end, by kind and by the category of the address).
2. Cross-chain exits: the thief's THORChain deposits the trace names as exits with the memo's true
   Bitcoin address, and exits it names at honest deposits.
3. Honest persons (categories user, market_maker, mev_bot, mev_bot_contract, airdrop_distributor)
   the trace names as holding stolen value, certain and probable apart, per look-alike shape
   (truth/honest_exposed.csv), with the ways of evm_alt3_honest.py: `held` (a held end at it),
   `cash-out` (it sent an end's arrival), `through` (it received on a path and sent later on it).
   Dust ends at honest persons are counted apart (not a holding). With --list N, the first N named
   persons are printed with the end's kind, probability, amount and path.
4. With --screen: honest persons flagged `theft` per shape (certain = level "flag").
Last line: "JSON {...}" with the figures."""
import json, os, sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score_common as sc  # noqa: E402

args = sys.argv[1:]
scr = sc.take_opt(args, "--screen")
nlist = int(sc.take_opt(args, "--list") or 0)
world, traces = args[0], args[1:]
T = world + "/truth/"
rd = sc.truth_reader(world)
addr = {r["address"]: r for r in rd("addresses.csv")}
cat = {a: r["category"] for a, r in addr.items()}
PERSON = ("user", "market_maker", "mev_bot", "mev_bot_contract", "airdrop_distributor")
person = {a for a, c in cat.items() if c in PERSON}
thief = {a for a, c in cat.items() if c in ("thief", "thief_l2")}
wj = json.load(open(T + "world.json"))
C = wj["contracts"]
thor_tx = {r["tx_hash"]: r for r in rd("bridge_deposits.csv") if r["heist"]}
l2_tx = {r["tx_hash"]: r for r in rd("lock_bridge.csv") if r["heist"] and r["kind"] == "deposit"}
ord_tx = {r["tx_hash"]: r for r in rd("instant_orders.csv") if r["heist"]}
flows = rd("heist_flows.csv")
mix_in = sum(int(r["amount"]) for r in flows if r["kind"] == "mixer_deposit")
mixrows = rd("mixer_links.csv")
mix_rec = {r["recipient"] for r in mixrows if r["heist"]}
idle = defaultdict(int)
idle_at = defaultdict(int)
for r in rd("idle.csv"):
    idle[r["asset"]] += int(r["amount"])
    if r["asset"] == "ETH":
        idle_at[r["address"]] += int(r["amount"])
ends = []
exits = []
links = []
for p in traces:
    j = json.load(open(p))
    ends += j["ends"]
    exits += j.get("bridge_exits", [])
    links += j.get("mixer_links", [])
E = lambda x: x / 1e18
out = {}
# ---- 1. value per end
got = defaultdict(int)
got_tx = defaultdict(set)
elsewhere = defaultdict(int)
for e in ends:
    if e["asset"]["id"] != 0:
        key = ("token " + (e["asset"]["symbol"] or "?"), e["kind"], cat.get(e["address"], "?"))
        if e["address"] in thief and e["kind"] == "held":
            got["idle_token"] += int(e["amount"])
        else:
            elsewhere[key] += int(e["amount"])
        continue
    arr = e.get("arrivals", [])
    a, k = e["address"], e["kind"]
    if k == "held" and a in thief:
        got["idle"] += int(e["amount"])
        continue
    if k == "mixer":
        got["mixer"] += int(e["amount"])
        continue
    matched = 0
    for x in arr:
        for name, truth in (("thor", thor_tx), ("l2", l2_tx), ("instant", ord_tx)):
            if x["tx"] in truth:
                got[name] += int(x["amount"])
                got_tx[name].add(x["tx"])
                matched += int(x["amount"])
    rest = int(e["amount"]) - matched
    if rest > 0:
        elsewhere[("ETH", k, cat.get(a, "?"))] += rest
truth = {"thor": sum(int(r["amount"]) for r in thor_tx.values()), "l2": sum(int(r["amount"]) for r in l2_tx.values()),
         "instant": sum(int(r["amount"]) for r in ord_tx.values()), "idle": idle.get("ETH", 0)}
print("stolen ETH followed to each end (truth -> traced):")
for name, lab, n in (("thor", "THORChain deposits", len(thor_tx)), ("instant", "instant exchange orders", len(ord_tx)),
                     ("l2", "L2 bridge deposits", len(l2_tx)), ("idle", "held by the thief at the tip", None)):
    t, g = truth[name], got[name]
    extra = f", txs {len(got_tx[name])} of {n}" if n is not None else ""
    print(f"  {lab}: truth {E(t):.3f} ETH, traced {E(g):.3f} ETH ({100 * g / t if t else 0:.1f} %{extra})")
    out[name + "_pct"] = round(100 * g / t, 2) if t else None
print(f"  mixer: the thief deposited {E(mix_in):.3f} ETH; the trace's mixer ends {E(got['mixer']):.3f} ETH (links carry "
      f"withdrawals on from there)")
linked_rec = {l.get("recipient") for l in links}
un = sum(v for a, v in idle_at.items() if a in mix_rec and a not in linked_rec)
print(f"  of the thief's idle ETH, {E(un):.3f} sits at mixer recipients no link reached (no evidence: a miss, not "
      f"an error)")
print(f"  stETHx/mETHx held by the thief at the tip: truth {E(sum(v for k, v in idle.items() if k != 'ETH')):.3f}, "
      f"traced {E(got['idle_token']):.3f}")
tot_else = 0
for (asset, k, c), v in sorted(elsewhere.items(), key=lambda kv: -kv[1]):
    print(f"  elsewhere: {asset} {k} at {c}: {E(v):.6f}")
    tot_else += v if asset == "ETH" else 0
out["elsewhere_eth"] = str(tot_else)
# ---- 2. exits
right = {x["tx"] for x in exits if x["tx"] in thor_tx and x.get("destination") == thor_tx[x["tx"]]["btc_address"]}
honest_exit = {x["tx"] for x in exits if x["tx"] not in thor_tx and x["tx"] not in l2_tx}
print(f"cross-chain exits: truth {len(thor_tx)} THORChain deposits of the thief; named with the memo's Bitcoin address "
      f"{len(right)}; exits named at honest deposits {len(honest_exit)}")
out.update(exits_truth=len(thor_tx), exits_right=len(right), exits_honest=len(honest_exit))
tl = {r["withdrawal_tx"] for r in mixrows if r["heist"]}
hl = {r["withdrawal_tx"] for r in mixrows if not r["heist"]}
lk = {l["withdrawal_tx"] for l in links}
print(f"mixer links: {len(lk)} reported, {len(lk & tl)} of the thief's {len(tl)} withdrawals, honest {len(lk & hl)}")
out.update(links=len(lk), links_honest=len(lk & hl))
# ---- 3. honest persons named
kinds = defaultdict(set)
for r in rd("honest_exposed.csv"):
    kinds[r["address"]].add(r["kind"])
named, why, dust_at, _ = sc.named_persons(world, ends, person)
rows = defaultdict(lambda: [0, 0])
for a, ways in named.items():
    k = ",".join(sorted(kinds.get(a, ()))) or "not touched by the thief"
    for w, c in ways.items():
        rows[(w, cat[a], k)][0 if c else 1] += 1
tot_c = sum(1 for a, w in named.items() if any(w.values()))
print(f"honest persons {len(person)}, touched by a look-alike shape {len(kinds.keys() & person)}")
print(f"named by the trace: {len(named)} ({tot_c} certain, {len(named) - tot_c} probable only)")
for (w, c, k), (n1, n2) in sorted(rows.items()):
    print(f"  trace {w:8s} {c} [{k}]: certain {n1}, probable {n2}")
for rule, accts in sorted(dust_at.items()):
    print(f"  dust ends at honest persons (not named as holding stolen value), rule {rule}: {len(accts)}")
for a in sorted(named)[:nlist]:
    way, e = why[a]
    print(f"  NAMED {a} ({cat[a]}; {','.join(sorted(kinds.get(a, ())))}) {way}: end {e['kind']} at {e['address']} "
          f"({cat.get(e['address'], '?')}), {E(int(e['amount'])):.6f} {e['asset']['symbol']}, "
          f"probable {bool(e.get('probable'))}, path {' '.join(x[:10] for x in e.get('path', []))}")
out.update(trace_named=len(named), trace_certain=tot_c, trace_probable_only=len(named) - tot_c,
           trace_dust_honest=len(set().union(*dust_at.values())) if dust_at else 0)
# ---- 4. screening
if scr:
    d = json.load(open(scr))
    flagged, certain, rule = set(), set(), {}
    for r in d["results"]:
        for a in r.get("assets", []):
            if any("theft" in f for f in a.get("flagged", [])):
                flagged.add(r["address"])
                fl = [f for f in a.get("flags", []) if f.get("category") == "theft"]
                if not fl or any(f.get("level") == "flag" for f in fl):
                    certain.add(r["address"])
                rule.setdefault(r["address"], fl[:1])
    screened = {r["address"] for r in d["results"]}
    by = defaultdict(lambda: [0, 0, 0])
    for a in screened & person:
        for k in sorted(kinds.get(a, ())) or ["control (not touched)"]:
            by[(cat[a], k)][0] += 1
            by[(cat[a], k)][1] += a in flagged
            by[(cat[a], k)][2] += a in certain
    for (c, k), (n, f, ce) in sorted(by.items()):
        print(f"  screen theft-flagged {c} [{k}]: {f} of {n} ({ce} certain, {f - ce} probable only)")
    for a in sorted(flagged & person)[:nlist]:
        print(f"  FLAGGED {a} ({cat[a]}; {','.join(sorted(kinds.get(a, ())))}): {json.dumps(rule.get(a))[:300]}")
    th = screened & thief
    if th:  # the thief's own addresses, when they were screened too (recall, not the scored figure)
        print(f"  screen theft-flagged thief addresses: {len(th & flagged)} of {len(th)} ({len(th & certain)} certain)")
    out.update(screen_screened=len(screened & person), screen_flagged=len(flagged & person),
               screen_flagged_certain=len(certain & person))
print("JSON " + json.dumps(out))
