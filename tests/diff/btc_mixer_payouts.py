#!/usr/bin/python3
"""btc_mixer_payouts.py: the shape behind docs/TRACE-MODELS.md's "Custodial-mixer payouts", measured
from a world's truth and the chain (issue 11): which exchange deposits a labelled mixer's payouts
fund (the deposit tx spends a mixer coin, or spends one coin of a tx that does), whose they are,
and whether the deposit address already held CERTAIN stolen value from the heist's forward FIFO
trace (the rule's evidence). Independent of the rule's code: it reads only truth/*.csv,
heists.json, `tx --json` and the trace's graph.

  btc_mixer_payouts.py --world DIR --store STORE --bin CHAINWATCH --labels DB [--json OUT]

Prints, per world: payout-funded deposits (thief's / honest users'), and of those the ones at an
address holding certain stolen value from an earlier tx ("rule fires": thief's = recall, honest =
false positives), and the honest users' payout deposits at an exchange where the thief's
re-linked ones land (the look-alikes the rule must leave alone).
"""
import argparse
import concurrent.futures
import csv
import json
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True)
    ap.add_argument("--store", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--json")
    a = ap.parse_args()
    tr = os.path.join(a.world, "truth")
    addr = {}
    with open(os.path.join(tr, "addresses.csv")) as f:
        for r in csv.DictReader(f):
            addr[r["address"]] = r
    heists = json.load(open(os.path.join(tr, "heists.json")))
    thieves = {str(h["thief_id"]) for h in heists}
    with open(os.path.join(tr, "deposits.csv")) as f:
        deps = list(csv.DictReader(f))
    order = {}
    with open(os.path.join(tr, "txs.csv")) as f:
        for i, r in enumerate(csv.DictReader(f)):
            order[r["txid"]] = i

    # certain stolen value per deposit address: earliest tx (chain order) with a certain part
    certain = {}
    for h in heists:
        args = [a.bin, "trace", "--store", a.store, "--labels", a.labels, "--model", "fifo",
                "--direction", "forward", "--graph", "100000000", "--top", "1", "--json"]
        for s in h["stolen_outputs"]:
            args += ["--from", s["outpoint"]]
        d = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
        for tx in d.get("graph", []):
            for o in tx.get("outputs", []):
                ad = o.get("address")
                if ad in addr and addr[ad]["category"] == "exchange_deposit" and \
                        (o.get("traced") or 0) - (o.get("probable_traced") or 0) > 0:
                    k = order.get(tx["txid"], 1 << 60)
                    certain[ad] = min(certain.get(ad, 1 << 60), k)

    cache = {}

    def txj(txid):
        if txid not in cache:
            p = subprocess.run([a.bin, "tx", txid, "--store", a.store, "--json"], capture_output=True,
                               text=True, check=True)
            cache[txid] = json.loads(p.stdout)
        return cache[txid]

    def mixer_in(t):
        return [i for i in t["inputs"] if addr.get(i.get("address"), {}).get("category") == "mixer"]

    def classify(r):
        t = txj(r["txid"])
        if mixer_in(t):
            return 1
        if len(t["inputs"]) == 1:
            p = txj(t["inputs"][0]["prev_txid"])
            if mixer_in(p):
                return 2
        return 0

    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        hops = list(ex.map(classify, deps))
    res = {"thief_payout_deposits": 0, "honest_payout_deposits": 0, "thief_fires": 0,
           "thief_fires_any_time": 0, "honest_fires": 0, "honest_fires_any_time": 0, "thief_fires_sat": 0,
           "thief_payout_sat": 0, "honest_same_exchange": 0, "by_hops": {"1": 0, "2": 0}}
    fired_ex = set()
    honest = []
    for r, hp in zip(deps, hops):
        if not hp:
            continue
        res["by_hops"][str(hp)] += 1
        ad = r["address"]
        is_thief = r["payer_id"] in thieves
        k = order.get(r["txid"], 0)
        fires = ad in certain and certain[ad] < k
        if is_thief:
            res["thief_payout_deposits"] += 1
            res["thief_payout_sat"] += int(r["value_sat"])
            if fires:
                res["thief_fires"] += 1
                res["thief_fires_sat"] += int(r["value_sat"])
                fired_ex.add(r["exchange"])
            if ad in certain:
                res["thief_fires_any_time"] += 1
        else:
            res["honest_payout_deposits"] += 1
            honest.append(r["exchange"])
            if fires:
                res["honest_fires"] += 1
            if ad in certain:
                res["honest_fires_any_time"] += 1
    res["honest_same_exchange"] = sum(1 for e in honest if e in fired_ex)
    res["certain_deposit_addresses"] = len(certain)
    print(json.dumps(res))
    if a.json:
        json.dump(res, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    sys.exit(main())
