#!/usr/bin/python3
"""btc_shapes_breakdown.py: where a heist's value went that its exchanges' amounts miss, from a
forward FIFO trace (`chainwatch trace --json`, the default CoinJoin policy) scored against the
world's truth (docs/GEN.md layout, or tests/diff/btc_shapes_world.py's: the thief's txs from
truth/thief_txs.csv, else each traced tx's kind from truth/txs.csv).

  btc_shapes_breakdown.py --world DIR --store STORE --bin CHAINWATCH --labels DB
                          [--trace-arg ARG]... [--cache FILE]

Per heist: the trace's ends; per exchange that received stolen deposits, the true amount, the
traced amount minus the truth (BTC and %), its certain part, and traced value at deposits that
are not the heist's; per kind of the traced txs (the truth's kind): traced value on outputs
that are neither the thief's nor a true deposit nor a coordinator's (value spread onto honest
outputs), on coordinators' outputs (category mixer or coinjoin_coordinator), how far the
thief's outputs are short of their value when made, and traced value at the thief's outputs that the trace did not pass on (ended under the
probable floor, unspent); and the txs the trace reached that spend none of the thief's coins.
Then the true deposits short of their value: what they miss, by the kind of the txs that made
their inputs and by the chain's evidence that the deposit is the thief's beyond a CoinJoin or a
mixer: `cospend` (the deposit tx also spends a coin with certain traced value), `addr` (the
deposit address also received certain traced value: an account the trace knows is the
thief's), `none`.
Reads each traced tx with `chainwatch tx --json` (cached in --cache). Not part of make test:
issue 11's amounts measurement (docs/TRACE-MODELS.md, "Where the missing value is").
"""
import argparse
import collections
import csv
import json
import os
import subprocess


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True)
    ap.add_argument("--store", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--trace-arg", action="append", default=[])
    ap.add_argument("--cache", help="tx cache (JSON), kept between runs")
    a = ap.parse_args()
    T = os.path.join(a.world, "truth")
    addr = {r["address"]: (r["entity_id"], r["category"], r["entity_name"])
            for r in csv.DictReader(open(os.path.join(T, "addresses.csv")))}
    kp = os.path.join(T, "thief_txs.csv")
    if not os.path.exists(kp):
        kp = os.path.join(T, "txs.csv")
    kind = {r["txid"]: r["kind"] for r in csv.DictReader(open(kp))}
    cache = json.load(open(a.cache)) if a.cache and os.path.exists(a.cache) else {}

    def tx(t):
        if t not in cache:
            p = subprocess.run([a.bin, "tx", t, "--store", a.store, "--json"], capture_output=True, text=True)
            d = json.loads(p.stdout)
            cache[t] = {"in": [i["address"] for i in d["inputs"]],
                        "prev": ["%s:%d" % (i["prev_txid"], i["prev_vout"]) for i in d["inputs"]],
                        "out": [(o["address"], o["value"]) for o in d["outputs"]]}
        return cache[t]

    for h in json.load(open(os.path.join(T, "heists.json"))):
        th = str(h["thief_entity"])
        args = [a.bin, "trace", "--store", a.store, "--labels", a.labels, "--model", "fifo",
                "--direction", "forward", "--graph", "100000000", "--top", "5", "--json"] + a.trace_arg
        for s in h["stolen_outputs"]:
            args += ["--from", s["outpoint"]]
        d = json.loads(subprocess.run(args, capture_output=True, text=True).stdout)
        tr, recv, gtx = {}, collections.Counter(), {}
        for t in d["graph"]:
            gtx[t["txid"]] = t
            for o in t["outputs"]:
                tr[o["outpoint"]] = o.get("traced", 0) or 0
            for i in t["inputs"]:
                recv[i["outpoint"]] += i.get("traced", 0) or 0
        true_dep = {x["outpoint"] for x in h["deposits"]}
        print("== %s: ended (BTC) %s" % (h["name"], {k: round(v["value"] / 1e8, 3) for k, v in d["ended"].items()}))
        to, tc, honest = collections.Counter(), collections.Counter(), collections.Counter()
        for t in d["graph"]:
            for o in t["outputs"]:
                v = o.get("traced", 0) or 0
                e = addr.get(o.get("address"))
                if not v or not e or e[1] not in ("exchange_deposit", "exchange"):
                    continue
                to[e[2]] += v
                tc[e[2]] += v - min(v, o.get("probable_traced", 0) or 0)
                if o["outpoint"] not in true_dep:
                    honest[e[2]] += v
        print("  exchange      truth BTC   traced - truth BTC (%)    certain BTC   at others' deposits BTC")
        for ex, v in sorted(h["deposits_by_exchange"].items()):
            print("  %-12s %10.3f   %+9.3f (%+6.2f %%)   %10.3f   %.3f" % (
                ex, v / 1e8, (to[ex] - v) / 1e8, 100 * (to[ex] - v) / v, tc[ex] / 1e8, honest[ex] / 1e8))
        spread, spread_n, coord, short, ended = (collections.Counter() for _ in range(5))
        others = [0, 0]
        for t in gtx:
            k = kind.get(t, "?")
            x = tx(t)
            if not any(addr.get(i, ("",))[0] == th for i in x["in"]):
                others[0] += 1
                others[1] += sum(i.get("traced", 0) or 0 for i in gtx[t]["inputs"])
            for n, (ad, v) in enumerate(x["out"]):
                op = "%s:%d" % (t, n)
                tv = tr.get(op, 0)
                e = addr.get(ad, ("?", "?", "?"))
                if e[0] == th:
                    short[k] += v - tv
                    ended[k] += tv - recv.get(op, 0) if tv else 0
                elif op in true_dep:
                    continue
                elif e[1] in ("mixer", "coinjoin_coordinator"):
                    coord[k] += tv
                elif tv:
                    spread[k] += tv
                    spread_n[k] += 1
        print("  per kind of traced tx (BTC): on honest outputs (outputs) / on coordinators / the thief's"
              " outputs short when made / ended at the thief's outputs")
        for k in sorted(set(spread) | set(short) | set(coord)):
            print("  %-22s %9.3f (%4d)  %8.3f  %9.3f  %9.3f" % (
                k, spread[k] / 1e8, spread_n[k], coord[k] / 1e8, short[k] / 1e8, ended[k] / 1e8))
        print("  txs reached that spend none of the thief's coins: %d, traced value in %.3f BTC" % (
            others[0], others[1] / 1e8))
        cert = {}  # certain traced value per outpoint, and per address
        cert_addr = collections.Counter()
        for t in d["graph"]:
            for o in t["outputs"]:
                c = (o.get("traced", 0) or 0) - min(o.get("traced", 0) or 0, o.get("probable_traced", 0) or 0)
                cert[o["outpoint"]] = c
                cert_addr[o.get("address")] += c
        miss, nmiss = collections.Counter(), collections.Counter()
        for x in h["deposits"]:
            v, tv = x["value_sat"], tr.get(x["outpoint"], 0)
            if tv >= v:
                continue
            dt = x["outpoint"].split(":")[0]
            if "prev" not in tx(dt):
                del cache[dt]
            k = "+".join(sorted({kind.get(p.split(":")[0], "?") for p in tx(dt)["prev"]}))
            ev = ("cospend" if any(cert.get(p, 0) > 0 for p in tx(dt)["prev"])
                  else "addr" if cert_addr[x["address"]] > cert.get(x["outpoint"], 0) else "none")
            miss[(k, ev)] += v - tv
            nmiss[(k, ev)] += 1
        print("  true deposits short of their value: %.3f BTC; by the kind of the txs that made their inputs,"
              " and the evidence (cospend / addr / none)" % (sum(miss.values()) / 1e8))
        for (k, ev), m in sorted(miss.items(), key=lambda kv: -kv[1]):
            print("  %-28s %-8s %9.3f (%4d)" % (k, ev, m / 1e8, nmiss[(k, ev)]))
    if a.cache:
        json.dump(cache, open(a.cache, "w"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
