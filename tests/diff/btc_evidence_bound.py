#!/usr/bin/python3
"""btc_evidence_bound.py: how far a tracer that uses only chain evidence can bring a heist's amounts
per exchange, on a world with truth (docs/GEN.md layout): the forward FIFO trace of the heist's
stolen outputs (`chainwatch trace --json`, the defaults, the investigator's labels) scored per
true deposit.

  btc_evidence_bound.py --world DIR --store STORE --bin CHAINWATCH --labels DB [--heist N]

Per exchange: the error now (true value less traced value at the heist's deposits, over the
truth) and the part of it at deposits with no chain evidence that they are the thief's: no
certain traced value at the deposit address (another output there), and no input of the deposit
tx with certain traced value (the evidence `relinked-address` and `relinked-cospend` read). That
part is the bound: a tracer that keeps deposit precision 1.0 cannot recover it without a rule that
separates the thief's coins from their look-alikes. Then the look-alikes: for every coin those
deposits spend that a CoinJoin made, the fate of each other output of that round (the thief's
own, or another owner's: unspent, remixed in a CoinJoin, paid to an exchange deposit address by an
ordinary tx, or paid elsewhere; in the block of the thief's deposit or another one). Reads each tx
with `chainwatch tx --json`. Not part of make test: issue 11's careful-thief measurement
(docs/TRACE-MODELS.md, "The careful thief's bound").
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
    ap.add_argument("--heist", type=int, default=0)
    a = ap.parse_args()
    T = os.path.join(a.world, "truth")
    apath = os.path.join(T, "addresses.csv")
    if os.path.exists(apath + ".full"):  # a world whose labels were cut (the mixer's, an exchange's)
        apath += ".full"
    cat = {r["address"]: r["category"] for r in csv.DictReader(open(apath))}
    h = json.load(open(os.path.join(T, "heists.json")))[a.heist]
    args = [a.bin, "trace", "--store", a.store, "--labels", a.labels, "--model", "fifo", "--direction",
            "forward", "--graph", "100000000", "--top", "5", "--json"]
    for s in h["stolen_outputs"]:
        args += ["--from", s["outpoint"]]
    G = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)["graph"]
    cache = {}

    def tx(t):
        if t not in cache:
            p = subprocess.run([a.bin, "tx", t, "--store", a.store, "--json"], capture_output=True, text=True)
            cache[t] = json.loads(p.stdout)
        return cache[t]

    traced, certain_at = {}, collections.defaultdict(set)
    ins_of = {}
    for n in G:
        ins_of[n["txid"]] = n["inputs"]
        for o in n["outputs"]:
            traced[o["outpoint"]] = o["traced"]
            if o["traced"] > o["probable_traced"]:
                certain_at[o["address"]].add(o["outpoint"])
    truth, short, bound, nb = (collections.Counter() for _ in range(4))
    fates = collections.Counter()
    for d in h["deposits"]:
        ex = d["exchange"]
        truth[ex] += d["value_sat"]
        s = d["value_sat"] - traced.get(d["outpoint"], 0)
        if s <= 0:
            continue
        short[ex] += s
        txid = d["outpoint"].split(":")[0]
        if certain_at[d["address"]] - {d["outpoint"]} or \
                any(i["traced"] > i["probable_traced"] for i in ins_of.get(txid, [])):
            continue
        bound[ex] += s
        nb[ex] += 1
        x = tx(txid)
        for i in x["inputs"]:
            c = tx(i["prev_txid"])
            if "coinjoin" not in c.get("flags", []):
                fates["coin not made by a CoinJoin"] += 1
                continue
            for k, o in enumerate(c["outputs"]):
                if k == i["prev_vout"] or o["address"] == "-":
                    continue
                who = "the thief's" if cat.get(o["address"]) == "thief" else "another owner's"
                sp = o.get("spent_by")
                if not sp:
                    fates[who + ", unspent"] += 1
                    continue
                y = tx(sp)
                if "coinjoin" in y.get("flags", []):
                    fates[who + ", remixed"] += 1
                    continue
                dep = any(cat.get(z["address"]) == "exchange_deposit" for z in y["outputs"])
                fates["%s, paid %s, %s block" % (who, "to a deposit" if dep else "elsewhere",
                                                  "the same" if y["height"] == x["height"] else "another")] += 1
    print("heist %s: per exchange, error now (traced short of the truth) and the no-evidence bound" % h.get("name", a.heist))
    for ex in sorted(truth):
        print("  %-18s now %6.2f %%   no evidence: %8.3f BTC on %3d deposits = %6.2f %%" % (
            ex, 100.0 * short[ex] / truth[ex], bound[ex] / 1e8, nb[ex], 100.0 * bound[ex] / truth[ex]))
    print("  the other outputs of the rounds that made those deposits' coins:")
    for k, v in sorted(fates.items()):
        print("    %-52s %5d" % (k, v))


if __name__ == "__main__":
    main()
