#!/usr/bin/python3
"""Issue 13's acceptance figures for one traced EVM world, each beside its bound, from
tests/diff/evm_eval.py's scoring (run here) and, when the trace continued into a Bitcoin store,
the continuation: the heist's bridge exits whose memo names the true Bitcoin address AND whose
continuation has a traced payout to that address in the Bitcoin world (--btc-truth: that world's
truth/heists.json; the stolen outputs are the addresses the EVM bridge memos name).

usage: evm_accept.py NAME WORLD_DIR [--btc-truth HEISTS_JSON] TRACE_JSON [TRACE_JSON...]
Prints one line per figure ("NAME figure value bound ok|MISS") and a last line "JSON {...}" that
scripts/eval-evm-accept.sh collects into the matrix.
"""
import csv, json, os, re, subprocess, sys

args = sys.argv[1:]
if len(args) < 3:
    sys.exit(__doc__)
name, world, rest = args[0], args[1], args[2:]
btc = None
if rest[0] == "--btc-truth":
    btc, rest = rest[1], rest[2:]
traces = rest
here = os.path.dirname(os.path.abspath(__file__))
out = subprocess.run([sys.executable, here + "/evm_eval.py", world] + traces, check=True,
                     capture_output=True, text=True).stdout
sys.stdout.write(out)


def grab(pat, conv=float):
    m = re.search(pat, out, re.M)
    return tuple(conv(x) for x in m.groups()) if m else None


rows = []  # (figure, value, shown, bound, ok)
rec, prec = grab(r"^cash-out txs: .*recall ([\d.]+), precision ([\d.]+)")
rows.append(("cash-out recall", rec, f"{rec:.3f}", ">= 0.95", rec >= 0.95))
rows.append(("cash-out precision", prec, f"{prec:.3f}", ">= 0.95", prec >= 0.95))
keys = re.findall(r"^  (\S+) (\S+): truth (\d+), traced (\d+) \(([\d.]+) % off\)", out, re.M)
worst = max((float(k[4]) for k in keys), default=0.0)
assets = sorted({("ETH" if k[1] == "ETH" else k[1][:10]) for k in keys})
rows.append(("amount per exchange and asset, worst", worst,
             f"{worst:.2f} % of {len(keys)} ({' '.join(assets)})", "<= 1 %", worst <= 1.0))
for k in keys:
    if float(k[4]) > 1.0:
        rows.append((f"  {k[0]} {k[1][:12]}", float(k[4]), f"{float(k[4]):.2f} %", "<= 1 %", False))
b = grab(r"^bridge exits: truth (\d+), found (\d+), with the true Bitcoin address (\d+): "
         r"recall ([\d.]+), precision ([\d.]+)")
rows.append(("bridge-exit recall (memo names the true BTC address)", b[3],
             f"{b[3]:.3f} ({int(b[2])}/{int(b[0])})", ">= 0.95", b[3] >= 0.95))
cont = None
if btc:
    h = json.load(open(btc))[0]
    addr_out = {o["address"]: o["outpoint"] for o in h["stolen_outputs"]}
    true_bridge = {r["tx_hash"]: r["btc_address"] for r in
                   csv.DictReader(open(world + "/truth/bridge_deposits.csv")) if r["heist"]}
    ok = 0
    for path in traces:
        t = json.load(open(path))
        cmap = {c["address"]: c for c in t.get("continuations", [])}
        for x in t.get("bridge_exits", []):
            d = x.get("destination")
            if x["tx"] not in true_bridge or d != true_bridge[x["tx"]] or x["status"] != "continued":
                continue
            c = cmap.get(d)
            if c and any(p["traced"] and f'{p["txid"]}:{p["vout"]}' == addr_out.get(d)
                         for p in c["payouts"]):
                ok += 1
    cont = ok / len(true_bridge) if true_bridge else 1.0
    rows.append(("  of them continued at the true Bitcoin payout", cont,
                 f"{cont:.3f} ({ok}/{len(true_bridge)})", ">= 0.95", cont >= 0.95))
# every bridge deposit of the heists (memo bridges, lock bridges, bridge pools) the trace ended
# at a bridge, and of the missed ones those paid by a recipient of a thief's mixer withdrawal that
# no reported link reached (nor any address it paid on): what no chain evidence the trace uses
# leads to. The best such a tracer reaches is the rest.
T = world + "/truth/"
bdep = {r["tx_hash"]: r["from_address"] for r in csv.DictReader(open(T + "bridge_deposits.csv")) if r["heist"]}
for fn in ("lock_bridge.csv", "across_bridge.csv"):
    if os.path.exists(T + fn):
        bdep.update({r["tx_hash"]: r["from_address"] for r in csv.DictReader(open(T + fn))
                     if r["kind"] == "deposit" and r["heist"]})
bfound, linked = set(), set()
for path in traces:
    j = json.load(open(path))
    linked |= {l["recipient"] for l in j.get("mixer_links", [])}
    for e in j["ends"]:
        if e["kind"] == "bridge":
            bfound |= {a["tx"] for a in e.get("arrivals", [])}
thief = {r["address"] for r in csv.DictReader(open(T + "addresses.csv")) if r["category"] == "thief"}
onward = {}
# one file per kind, or export_all's start_block=/end_block= folders
import glob
for fn in ("traces", "token_transfers"):
    for path in sorted(glob.glob(world + "/" + fn + ".csv") + glob.glob(world + "/" + fn + "/**/" + fn + "_*.csv", recursive=True)):
        with open(path) as f:
            head = f.readline().rstrip("\n").split(",")
            fi, ti = head.index("from_address"), head.index("to_address")
            for line in f:
                c = line.split(",")
                if len(c) == len(head) and c[fi] in thief and c[ti] in thief:
                    onward.setdefault(c[fi], set()).add(c[ti])
reach = {r["recipient"] for r in csv.DictReader(open(T + "mixer_links.csv")) if r["heist"]} - linked
stack = list(reach)
while stack:
    for y in onward.get(stack.pop(), ()):
        if y not in reach:
            reach.add(y)
            stack.append(y)
memo_from = {r["tx_hash"]: r["from_address"] for r in csv.DictReader(open(T + "bridge_deposits.csv")) if r["heist"]}
exits_seen = set()
for path in traces:
    exits_seen |= {x["tx"] for x in json.load(open(path)).get("bridge_exits", [])}
memo_dark = {t for t in set(memo_from) - exits_seen if memo_from[t] in reach}
ix = next(i for i, r in enumerate(rows) if r[0].startswith("bridge-exit recall"))
rows[ix] = (rows[ix][0], rows[ix][1], rows[ix][2] + (f"; missed after unlinked mixer notes {len(memo_dark)}, chain-evidence "
           f"best {(len(memo_from) - len(memo_dark)) / len(memo_from):.3f}" if memo_dark else ""), rows[ix][3], rows[ix][4])
# the same ceiling for cash-outs: the heist's cash-outs the trace missed whose sender is a
# recipient of an unlinked mixer withdrawal of the thief's (or an address it paid on)
cash_from = {r["tx_hash"]: r["from_address"] for r in csv.DictReader(open(T + "cash_outs.csv"))}
cfound = set()
for path in traces:
    for e in json.load(open(path))["ends"]:
        if e["kind"] == "exchange":
            cfound |= {a["tx"] for a in e.get("arrivals", [])}
cash_dark = {t for t in set(cash_from) - cfound if cash_from[t] in reach}
if cash_dark:
    ix = next(i for i, r in enumerate(rows) if r[0] == "cash-out recall")
    rows[ix] = (rows[ix][0], rows[ix][1], rows[ix][2] + f" (missed after unlinked mixer notes {len(cash_dark)}, "
                f"chain-evidence best {(len(cash_from) - len(cash_dark)) / len(cash_from):.3f})", rows[ix][3], rows[ix][4])
missed = set(bdep) - bfound
dark = {t for t in missed if bdep[t] in reach}
brec = len(set(bdep) & bfound) / len(bdep) if bdep else 1.0
best = (len(bdep) - len(dark)) / len(bdep) if bdep else 1.0
rows.append(("bridge deposits of every bridge ended at a bridge", brec,
             f"{brec:.3f} ({len(set(bdep) & bfound)}/{len(bdep)}; missed after unlinked mixer notes "
             f"{len(dark)}, other {len(missed - dark)}; chain-evidence best {best:.3f})", ">= 0.95", brec >= 0.95))
lp, lr, lw = grab(r"^mixer: .*precision ([\d.]+), recall ([\d.]+) of the thieves' (\d+) withdrawals")
nl = grab(r"links reported (\d+), correct (\d+)", int)
rows.append(("mixer-link precision at the default score", lp,
             f"{lp:.3f} ({nl[1]}/{nl[0]}; recall {lr:.3f} of {int(lw)})", ">= 0.9", lp >= 0.9))
named, total, share = grab(r"^transactions named by the trace: (\d+) of (\d+) \(([\d.]+) %\)")
rows.append(("share of the world's txs the trace names", share, f"{share:.3f} %", "<= 25 %",
             share <= 25.0))
print(f"--- {name}: acceptance figures")
for f, v, shown, bound, ok in rows:
    print(f"{name}\t{f}\t{shown}\t{bound}\t{'ok' if ok else 'MISS'}")
print("JSON " + json.dumps({"world": name, "rows": [[f, shown, bound, ok] for f, v, shown, bound, ok
                                                    in rows if not f.startswith("  ") or f.startswith("  of")]}))
