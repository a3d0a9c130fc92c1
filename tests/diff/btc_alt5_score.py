#!/usr/bin/python3
"""btc_alt5_score.py: the figures scripts/eval_btc.py does not take, on a world written by
tests/diff/btc_alt5_world.py (custodial hops and wallet privacy tools), after eval_btc.py ran on
it (its WORK holds the labels):

  btc_alt5_score.py --world DIR --store S --bin CHAINWATCH --work EVAL_WORK [--out F.json]

* where the forward FIFO trace puts value (certain and probable apart), by what the truth says
  the output is: a true deposit, the thief's service deposit (swapper order, HTLC, OTC desk: the
  trail ends there), the thief's own coins, the thief's payments to honest parties
  (honest_payments), coins a service paid the thief (withdrawals.csv: not stolen), or an honest
  party's output (by category, and by the shape of the transaction that paid it: the services'
  payouts, CoinSwap settles, HTLC claims, Stonewall X2 / Stowaway collaborators, ...);
* the flags `tx --json` gives each tool's transactions (lookalikes.csv kinds and the two-owner
  kinds stonewallx2 / stowaway): how many of each kind carry coinjoin, whirlpool, tx0,
  joinmarket, wasabi1/2, peel_chain;
* clusters: for each two-owner kind, how many transactions have inputs of two owners in one
  multi-input cluster;
* screening (the screening desk's labels): the thief's withdrawn coins' addresses, and honest
  customers paid in the same service payout as the thief.
"""
import argparse
import csv
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import eval_btc  # noqa: E402

FLAGS = ["coinjoin", "coinjoin_probable", "whirlpool", "tx0", "joinmarket", "wasabi1", "wasabi2", "peel_chain"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True)
    ap.add_argument("--store", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out")
    a = ap.parse_args()
    tdir = os.path.join(a.world, "truth")
    truth = eval_btc.load_truth(tdir)
    addr = truth["addr"]
    h = truth["heists"][0]
    thief, thief2 = str(h["thief_entity"]), str(h["withdrawn_entity"])
    true_dep = {x["outpoint"] for x in h["deposits"]}
    honest_ops = {x["outpoint"]: x for x in h.get("honest_payments", [])}
    wd = list(csv.DictReader(open(os.path.join(tdir, "withdrawals.csv"))))
    wd_ops = {"%s:%s" % (r["txid"], r["vout"]): r for r in wd}
    look = list(csv.DictReader(open(os.path.join(tdir, "lookalikes.csv"))))
    shape = {}
    for r in look:
        shape.setdefault(r["txid"], r["kind"])
    for r in truth["coinjoins"]:
        shape[r["txid"]] = r["kind"]
    for r in truth["tx0s"]:
        shape[r["txid"]] = "tx0"
    thief_kind = {r["txid"]: r["kind"] for r in csv.DictReader(open(os.path.join(tdir, "thief_txs.csv")))}
    cli = eval_btc.CLI(a.bin, a.store)
    inv = os.path.join(a.work, "investigator.db")
    res = {}
    # ---- the forward FIFO trace
    args = ["trace"]
    for s in h["stolen_outputs"]:
        args += ["--from", s["outpoint"]]
    d = cli.json(args + ["--store", a.store, "--labels", inv, "--model", "fifo", "--direction", "forward",
                         "--graph", "100000000", "--top", "5"])
    buckets = {}

    def add(key, c, p):
        b = buckets.setdefault(key, {"outputs": 0, "certain_sat": 0, "probable_sat": 0})
        b["outputs"] += 1
        b["certain_sat"] += c
        b["probable_sat"] += p

    honest_examples = []
    for tx in d.get("graph", []):
        for out in tx.get("outputs", []):
            t = out.get("traced", 0) or 0
            if not t:
                continue
            p = eval_btc.probable_part(out, tx)
            c = t - p
            op = out["outpoint"]
            ad = out.get("address")
            ent, cat, name = addr.get(ad, ("?", "?", "?"))
            txid = op.split(":")[0]
            if op in true_dep:
                key = "true deposit"
            elif op in honest_ops:
                key = "thief's payment to an honest party (%s)" % honest_ops[op]["kind"]
            elif ent == thief:
                key = "the thief's own coin"
            elif ent == thief2 or op in wd_ops:
                key = "coins a service paid the thief (withdrawals.csv)"
            elif txid in thief_kind and cat in ("instant_exchange_order", "otc_desk"):
                key = "the thief's service deposit (%s)" % cat
            elif cat in ("exchange", "instant_exchange", "coinjoin_coordinator", "miner"):
                key = "a service's own wallet (%s)" % cat
            else:
                key = "honest %s, paid by %s" % (cat, shape.get(txid, "an ordinary tx"))
                if c > 0 and len(honest_examples) < 8:
                    honest_examples.append({"outpoint": op, "category": cat, "shape": shape.get(txid, ""), "certain": c})
            add(key, c, p)
    res["trace_outputs_by_truth"] = dict(sorted(buckets.items()))
    res["honest_certain_examples"] = honest_examples
    res["honest_certain_sat"] = sum(v["certain_sat"] for k, v in buckets.items() if k.startswith("honest"))
    res["honest_certain_outputs"] = sum(v["outputs"] for k, v in buckets.items() if k.startswith("honest")
                                        and v["certain_sat"] > 0)
    # ---- flags per shape
    api = eval_btc.API(cli, inv, a.work)
    per = {}
    for txid, k in sorted(shape.items()):
        fl = set((api.get("tx/" + txid).get("flags") or []))
        e = per.setdefault(k, {"txs": 0})
        e["txs"] += 1
        for f in FLAGS:
            if f in fl:
                e[f] = e.get(f, 0) + 1
    res["flags_by_shape"] = per
    # ---- clusters across two-owner transactions
    cl = {}
    for r in truth["coinjoins"]:
        k = r["kind"]
        e = cl.setdefault(k, {"txs": 0, "two_owners_in_one_cluster": 0})
        e["txs"] += 1
        tx = api.get("tx/" + r["txid"])
        ins = [i.get("address") for i in tx.get("inputs", []) if i.get("address") in addr]
        if len(ins) < 2:
            continue
        _, mem = eval_btc.cluster_members(cli, api, ins[0])
        mem = set(mem)
        o0 = addr[ins[0]][0]
        if any(x in mem and addr[x][0] != o0 for x in ins[1:]):
            e["two_owners_in_one_cluster"] += 1
    res["clusters_two_owner_kinds"] = cl
    api.close()
    # ---- screening: the thief's withdrawn coins and the honest customers paid beside it
    scr = os.path.join(a.work, "screening.db")
    groups = {"withdrawn_by_thief": sorted({r["address"] for r in wd})}
    batch = set()
    for r in wd:
        if r["kind"] in ("exchange_withdrawal", "swapper_payout"):
            batch.add(r["txid"])
    api = None
    co = []
    if batch:
        api2 = eval_btc.API(cli, inv, a.work)
        for t in sorted(batch):
            for o in api2.get("tx/" + t).get("outputs", []):
                ad = o.get("address")
                if ad in addr and addr[ad][1] == "user":
                    co.append(ad)
        api2.close()
    groups["honest_in_the_same_payout"] = sorted(set(co))
    sc = {}
    for g, lst in groups.items():
        if not lst:
            continue
        path = os.path.join(a.work, "alt5-%s.txt" % g)
        with open(path, "w") as f:
            f.write("\n".join(lst) + "\n")
        p = cli.run(["screen", "--file", path, "--store", a.store, "--labels", scr, "--json"], ok=(0, 3))
        n = fl = 0
        for line in p.stdout.splitlines():
            if not line.strip():
                continue
            x = json.loads(line)
            if "error" in x:
                continue
            n += 1
            theft = sum(e.get("share", 0) for e in x.get("exposure", []) if e.get("category") == "theft")
            fl += bool(x["flagged"] if "flagged" in x else theft > 0)
        sc[g] = {"addresses": n, "flagged": fl}
    res["screen"] = sc
    print(json.dumps(res, indent=1, sort_keys=True))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
