#!/usr/bin/python3
"""btc_service_payouts.py: the look-alike risk of re-linking a service's later payouts (issue 11,
docs/TRACE-MODELS.md "Custodial-mixer payouts"), measured from a world's truth and the chain,
independent of the rule's code. For the heist's forward FIFO trace (the investigator's labels):
- where the trace ends at a service: each truth entity whose address holds a label end or that
  owns the outputs of a service-sweep end (a graph tx whose traced value ended there and whose
  outputs the trace did not follow), with its truth category and the end kind;
- every exchange deposit at an address holding CERTAIN stolen value from this trace (the rule's
  evidence) that is not reached by the trace itself, whose deposit tx spends a coin of such an
  entity after its first end (hop 1), or spends alone one coin of a tx that does (hop 2): the
  payee is the thief (the deposit's payer in truth) or not.

  btc_service_payouts.py --world DIR --store STORE --bin CHAINWATCH --labels DB [--truth-addresses CSV]
      [--json OUT]

--truth-addresses: the world's full truth (e.g. the labelled twin of an unlabelled world's
addresses.csv), when the world's own addresses.csv hides an entity's category.
"""
import argparse
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
    ap.add_argument("--truth-addresses")
    ap.add_argument("--trace-arg", action="append", default=[])
    ap.add_argument("--json")
    a = ap.parse_args()
    tr = os.path.join(a.world, "truth")
    addr = {}
    with open(a.truth_addresses or os.path.join(tr, "addresses.csv")) as f:
        for r in csv.DictReader(f):
            addr[r["address"]] = r
    heists = json.load(open(os.path.join(tr, "heists.json")))
    thieves = {str(h["thief_id"]) for h in heists if "thief_id" in h}
    stolen = {d["outpoint"] for h in heists for d in h.get("deposits", [])}
    order = {}
    by_height = not os.path.exists(os.path.join(tr, "txs.csv"))
    if not by_height:
        with open(os.path.join(tr, "txs.csv")) as f:
            for i, r in enumerate(csv.DictReader(f)):
                order[r["txid"]] = i
    deps = {}
    with open(os.path.join(tr, "deposits.csv")) as f:
        for r in csv.DictReader(f):
            deps.setdefault(r["address"], []).append(r)
    import sqlite3
    db = sqlite3.connect("file:%s?mode=ro" % a.labels, uri=True)
    labelled = {r[0] for r in db.execute("SELECT subject FROM label WHERE subject_kind = 'address'")}
    db.close()
    cache = {}

    def txj(txid):
        if txid not in cache:
            p = subprocess.run([a.bin, "tx", txid, "--store", a.store, "--json"], capture_output=True,
                               text=True, check=True)
            cache[txid] = json.loads(p.stdout)
        return cache[txid]

    def ent(ad):
        r = addr.get(ad)
        return (r["entity_id"], r["category"], r["entity_name"]) if r else None

    res = {"ends": {}, "fires": [], "thief_fires": 0, "honest_fires": 0, "certain_deposit_addresses": 0}
    for h in heists:
        args = [a.bin, "trace", "--store", a.store, "--labels", a.labels, "--model", "fifo",
                "--direction", "forward", "--graph", "100000000", "--top", "1", "--json"] + a.trace_arg
        for s in h["stolen_outputs"]:
            args += ["--from", s["outpoint"]]
        d = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
        spent = set()
        traced = set()
        for tx in d.get("graph", []):
            for i in tx.get("inputs", []):
                spent.add(i["outpoint"])
        certain = {}
        ended = {}  # entity id -> (first end order, category, name, kinds)

        def end_at(eid, cat, name, k, kind):
            e = ended.setdefault(eid, [k, cat, name, set(), 0])
            e[0] = min(e[0], k)
            e[3].add(kind)

        for tx in d.get("graph", []):
            # without txs.csv (our generator's worlds) the order is by height: a deposit in the
            # block of an end counts as after it (more candidates, never fewer)
            k = 2 * tx["height"] if by_height else order.get(tx["txid"], 1 << 60)
            outs = tx.get("outputs", [])
            for o in outs:
                traced.add(o["outpoint"])
                ad = o.get("address")
                if (o.get("traced") or 0) and o["outpoint"] not in spent and ad in labelled and ent(ad):
                    eid, cat, name = ent(ad)
                    end_at(eid, cat, name, k, "label")
                if ad in addr and addr[ad]["category"] == "exchange_deposit" and \
                        (o.get("traced") or 0) - (o.get("probable_traced") or 0) > 0:
                    certain[ad] = min(certain.get(ad, 1 << 60), k)
            if not outs and (tx.get("fee_or_end") or 0) > 0:
                t = txj(tx["txid"])
                fee = sum(i.get("value", 0) for i in t["inputs"]) - sum(o.get("value", 0) for o in t["outputs"])
                if tx["fee_or_end"] > fee:
                    for o in t["outputs"]:
                        e = ent(o.get("address"))
                        if e:
                            end_at(e[0], e[1], e[2], k, "service_sweep")
        for eid, e in ended.items():
            res["ends"].setdefault("%s (%s)" % (e[2], e[1]), sorted(e[3]))
        res["certain_deposit_addresses"] += len(certain)

        def spenders(t, k0):
            out = set()
            for i in t["inputs"]:
                e = ent(i.get("address"))
                if e and e[0] in ended and ended[e[0]][0] < k0:
                    out.add(e[0])
            return out

        for ad in certain:
            for r in deps.get(ad, []):
                op = "%s:%s" % (r["txid"], r["vout"])
                if op in traced:
                    continue
                k = 2 * int(r["height"]) + 1 if by_height else order.get(r["txid"], 0)
                t = txj(r["txid"])
                hop, who = 1, spenders(t, k)
                if not who and len(t["inputs"]) == 1 and t["inputs"][0].get("prev_txid"):
                    if t["inputs"][0].get("address") not in labelled:
                        hop, who = 2, spenders(txj(t["inputs"][0]["prev_txid"]), k)
                for eid in who:
                    e = ended[eid]
                    is_thief = r["payer_id"] in thieves or bool(r.get("heist")) or op in stolen
                    res["fires"].append({"deposit": op, "exchange": r["exchange"], "value_sat": int(r["value_sat"]),
                                         "service": e[2], "category": e[1], "end": sorted(e[3]), "hop": hop,
                                         "payee_thief": is_thief, "heist": h["name"]})
                    res["thief_fires" if is_thief else "honest_fires"] += 1
    print(json.dumps(res))
    if a.json:
        json.dump(res, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    sys.exit(main())
