#!/usr/bin/python3
"""btc_alt6_score.py: the figures scripts/eval_btc.py does not take, on a world written by
tests/diff/btc_alt6_world.py (Lazarus's cash-outs: custodial mixers, cross-chain vaults, Lightning,
JoinMarket / Wasabi 2, peel chains, address reuse, OTC desks), after eval_btc.py ran on it (its
WORK holds the labels):

  btc_alt6_score.py --world DIR --store S --bin CHAINWATCH --work EVAL_WORK [--out F.json]

* where the forward FIFO trace puts value (certain and probable apart), by what the truth says
  the output is: a true deposit, the thief's service deposit (mixer, vault, OTC desk, the big
  node's side of a channel), the thief's own coin, a payment to an honest party, coins a service
  paid the thief (withdrawals.csv: not stolen), a service's own wallet, or an honest party's
  output by the shape of the transaction that paid it (lookalikes.csv kinds); the honest outputs
  given certain value listed (outpoint, txid, shape);
* flags per shape (lookalikes.csv, coinjoins.csv): coinjoin, coinjoin_probable, joinmarket,
  wasabi2, peel_chain, ...;
* screening with the screening desk's labels: the thief's withdrawn coins, honest customers paid
  in the same mixer / vault / OTC payout as the thief, the honest senders to the thief's reused
  address (a merchant's refund, a dusting probe) and the other recipients of that probe, the
  honest peers of the thief's CoinJoins, the big nodes' channel outputs.
"""
import argparse
import csv
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import eval_btc  # noqa: E402

FLAGS = ["coinjoin", "coinjoin_probable", "whirlpool", "tx0", "joinmarket", "wasabi1", "wasabi2", "peel_chain"]
SERVICE_CATS = ("exchange", "mixer", "bridge_vault", "otc_desk", "coinjoin_coordinator", "miner", "service")


def rows(tdir, name):
    p = os.path.join(tdir, name)
    return list(csv.DictReader(open(p))) if os.path.exists(p) else []


def screen(cli, labels, work, name, addrs):
    if not addrs:
        return {"addresses": 0, "flagged": 0, "examples": []}
    path = os.path.join(work, "alt6-%s.txt" % name)
    with open(path, "w") as f:
        f.write("\n".join(addrs) + "\n")
    p = cli.run(["screen", "--file", path, "--store", cli.store, "--labels", labels, "--json"], ok=(0, 3))
    n = fl = 0
    ex = []
    for line in p.stdout.splitlines():
        if not line.strip():
            continue
        x = json.loads(line)
        if "error" in x:
            continue
        n += 1
        theft = sum(e.get("share", 0) for e in x.get("exposure", []) if e.get("category") == "theft")
        f1 = x["flagged"] if "flagged" in x else theft > 0
        if f1:
            fl += 1
            if len(ex) < 5:
                ex.append({"address": x.get("address"), "theft_share": theft})
    return {"addresses": n, "flagged": fl, "examples": ex}


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
    service = {x["outpoint"]: x for x in h.get("service_deposits", [])}
    honest_ops = {x["outpoint"]: x for x in h.get("honest_payments", [])}
    wd = rows(tdir, "withdrawals.csv")
    wd_ops = {"%s:%s" % (r["txid"], r["vout"]) for r in wd}
    recv = rows(tdir, "received.csv")
    shape = {}
    for r in rows(tdir, "lookalikes.csv"):
        shape.setdefault(r["txid"], r["kind"])
    for r in truth["coinjoins"]:
        shape[r["txid"]] = r["kind"]
    thief_kind = {r["txid"]: r["kind"] for r in rows(tdir, "thief_txs.csv")}
    cli = eval_btc.CLI(a.bin, a.store)
    inv = os.path.join(a.work, "investigator.db")
    scr = os.path.join(a.work, "screening.db")
    res = {"world": a.world}
    args = ["trace"]
    for s in h["stolen_outputs"]:
        args += ["--from", s["outpoint"]]
    d = cli.json(args + ["--store", a.store, "--labels", inv, "--model", "fifo", "--direction", "forward",
                         "--graph", "100000000", "--top", "5"])
    buckets = {}
    honest = []
    for tx in d.get("graph", []):
        for out in tx.get("outputs", []):
            t = out.get("traced", 0) or 0
            if not t:
                continue
            p = eval_btc.probable_part(out, tx)
            c = t - p
            op = out["outpoint"]
            ent, cat, name = addr.get(out.get("address"), ("?", "?", "?"))
            txid = op.split(":")[0]
            if op in true_dep:
                key = "true deposit"
            elif op in service:
                key = "the thief's service deposit (%s)" % service[op]["kind"]
            elif op in honest_ops:
                key = "thief's payment to an honest party (%s)" % honest_ops[op]["kind"]
            elif ent == thief:
                key = "the thief's own coin"
            elif ent == thief2 or op in wd_ops:
                key = "coins a service paid the thief (withdrawals.csv)"
            elif cat in SERVICE_CATS:
                key = "a service's own wallet (%s, paid by %s)" % (cat, shape.get(txid, thief_kind.get(txid, "an ordinary tx")))
            else:
                key = "honest %s, paid by %s" % (cat, shape.get(txid, thief_kind.get(txid, "an ordinary tx")))
                if c > 0:
                    honest.append({"outpoint": op, "category": cat, "entity": name,
                                   "shape": shape.get(txid, thief_kind.get(txid, "")), "certain": c})
            b = buckets.setdefault(key, {"outputs": 0, "certain_sat": 0, "probable_sat": 0})
            b["outputs"] += 1
            b["certain_sat"] += c
            b["probable_sat"] += p
    res["trace_outputs_by_truth"] = dict(sorted(buckets.items()))
    res["honest_certain_outputs"] = len(honest)
    res["honest_certain_sat"] = sum(x["certain"] for x in honest)
    res["honest_certain_examples"] = honest[:12]
    api = eval_btc.API(cli, inv, a.work)
    groups = {"withdrawn_by_thief": sorted({r["address"] for r in wd})}
    co = set()
    try:
        per = {}
        for txid, k in sorted(shape.items()):
            fl = set(api.get("tx/" + txid).get("flags") or [])
            e = per.setdefault(k, {"txs": 0})
            e["txs"] += 1
            for f in FLAGS:
                if f in fl:
                    e[f] = e.get(f, 0) + 1
        res["flags_by_shape"] = per
        # honest customers paid in the same service payout as the thief
        for t in sorted({r["txid"] for r in wd}):
            for o in api.get("tx/" + t).get("outputs", []):
                ad = o.get("address")
                if ad in addr and addr[ad][1] == "user":
                    co.add(ad)
        groups["honest_in_the_same_payout"] = sorted(co)
        # the honest senders to the thief's reused address, and the other recipients of a probe
        senders, probe_peers = set(), set()
        for r in recv:
            tx = api.get("tx/" + r["txid"])
            for i in tx.get("inputs", []):
                if i.get("address") in addr:
                    senders.add(i["address"])
            for o in tx.get("outputs", []):
                ad = o.get("address")
                if ad in addr and addr[ad][0] not in (thief, thief2) and r["kind"] == "dust_probe":
                    probe_peers.add(ad)
        # (an address the thief paid did receive stolen value: not counted here)
        paid = {x["address"] for x in h.get("honest_payments", [])}
        groups["honest_senders_to_the_thief"] = sorted(senders - paid)
        groups["dust_probe_other_recipients"] = sorted(probe_peers)
        peers = set()
        for r in truth["coinjoins"]:
            if not r["heist"]:
                continue
            tx = api.get("tx/" + r["txid"])
            for o in tx.get("outputs", []) + tx.get("inputs", []):
                ad = o.get("address")
                if ad in addr and addr[ad][1] == "user":
                    peers.add(ad)
        groups["honest_peers_of_the_thief_coinjoins"] = sorted(peers)
        nodes = set()
        for r in rows(tdir, "thief_txs.csv"):
            if r["kind"] not in ("ln_coop_close", "ln_force_close"):
                continue
            for o in api.get("tx/" + r["txid"]).get("outputs", []):
                ad = o.get("address")
                if ad in addr and addr[ad][1] == "service":
                    nodes.add(ad)
        groups["big_node_channel_outputs"] = sorted(nodes)
    finally:
        api.close()
    res["screen"] = {g: screen(cli, scr, a.work, g, lst) for g, lst in groups.items()}
    print(json.dumps(res, indent=1, sort_keys=True))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
