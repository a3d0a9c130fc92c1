#!/usr/bin/python3
"""btc_alt7_score.py: the figures scripts/eval_btc.py does not take, on a world written by
tests/diff/btc_alt7_world.py (the honest economy that looks like laundering), after eval_btc.py
ran on it (its WORK holds the labels):

  btc_alt7_score.py --world DIR --store S --bin CHAINWATCH --work EVAL_WORK [--out F.json]
                    [--per-group N] [--per-kind N]

* every output the forward FIFO trace reaches, put in the truth's bucket (true deposit, the
  thief's service deposit by kind, the thief's own coin, the thief's payment to an honest party,
  coins a service paid the thief, a service's or exchange's own wallet, or an honest party by the
  shape of the tx that paid it), certain and probable apart; every honest output given value is
  listed with its path (the trace's txids back to the theft, each with its true kind) and the
  trace's CoinJoin rule on the way;
* flags per shape (lookalikes.csv, coinjoins.csv, tx0s.csv and the thief's own txs; --per-kind N:
  the first N honest txs of a kind by txid): coinjoin, coinjoin_probable, the kinds, tx0,
  peel_chain; every honest look-alike, Tx0 or single-owner thief tx called a CoinJoin listed;
* screening (the screening desk's labels) of the honest counterparts by kind
  (truth/counterparts.csv: payroll employees, pool payees, honest peel payees, exchange
  withdrawal payees, the honest peers of the thief's CoinJoins, customers paid beside the thief by
  the mixer, the OTC desk or an exchange, merchants settled by the processor after the thief's
  invoice, payees of a merchant the thief paid, ...), the addresses the thief paid (exposed, rightly)
  apart, `tainted` rows (a payment that spent a coin
  descending from the thief's payment to an honest party or service) apart; a flag "certain" when
  the line's "flag" is "flag" (a certain share over the threshold, pooled or per deposit), else
  "probable"; flagged addresses listed with each flag's rule and path.
"""
import argparse
import csv
import json
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import eval_btc  # noqa: E402

FLAGS = ["coinjoin", "coinjoin_probable", "whirlpool", "tx0", "joinmarket", "wasabi1", "wasabi2", "peel_chain"]
CJ_FLAGS = ("coinjoin", "coinjoin_probable", "whirlpool", "joinmarket", "wasabi1", "wasabi2")
SERVICE_CATS = ("exchange", "exchange_deposit", "mixer", "otc_desk", "coinjoin_coordinator", "miner", "service")


def rows(tdir, name):
    p = os.path.join(tdir, name)
    return list(csv.DictReader(open(p))) if os.path.exists(p) else []


def screen(cli, labels, work, groups):
    """one `screen` of every group's addresses; per group: certain = the line's "flag" is "flag"
    (a certain share over the threshold, pooled or per deposit), probable = any other flag"""
    res = {g: {"addresses": 0, "flagged_certain": 0, "flagged_probable": 0, "examples": []} for g in groups}
    allad = sorted({x for lst in groups.values() for x in lst})
    if not allad:
        return res
    path = os.path.join(work, "alt7-counterparts.txt")
    with open(path, "w") as f:
        f.write("\n".join(allad) + "\n")
    p = cli.run(["screen", "--file", path, "--store", cli.store, "--labels", labels, "--json"], ok=(0, 3))
    lines = {}
    for line in p.stdout.splitlines():
        if line.strip():
            x = json.loads(line)
            if "error" not in x:
                lines[x.get("address")] = x
    for g, lst in groups.items():
        r = res[g]
        for ad in lst:
            x = lines.get(ad)
            if x is None:
                continue
            r["addresses"] += 1
            if not x.get("flagged"):
                continue
            certain = x.get("flag") == "flag"
            r["flagged_certain" if certain else "flagged_probable"] += 1
            if len(r["examples"]) >= 8:
                continue
            flags = list(x.get("flags", []))
            for dp in (x.get("per_deposit") or {}).get("flagged", []):
                flags += [dict(f, per_deposit=dp.get("outpoint", True)) for f in dp.get("flags", [])]
            fl = [{"category": f.get("category"), "level": f.get("level"), "share": round(f.get("share", 0), 4),
                   "certain_share": round(f.get("certain_share", 0), 4),
                   "paths": [{"rule": q.get("rule"), "hops": q.get("hops"), "share": round(q.get("share", 0), 4),
                              "txids": q.get("txids")} for q in f.get("paths", [])[:3]],
                   "per_deposit": f.get("per_deposit")}
                  for f in flags]
            r["examples"].append({"address": ad, "flag": x.get("flag"), "flags": fl})
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True)
    ap.add_argument("--store", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--per-group", type=int, default=300, help="untainted counterparts screened per group")
    ap.add_argument("--per-kind", type=int, default=0,
                    help="honest look-alikes looked up per kind (0: all; the thief's txs always)")
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
    wd_ops = {"%s:%s" % (r["txid"], r["vout"]) for r in rows(tdir, "withdrawals.csv")}
    shape = {}
    for r in rows(tdir, "lookalikes.csv"):
        shape.setdefault(r["txid"], r["kind"])
    for r in truth["coinjoins"]:
        shape[r["txid"]] = r["kind"] + (" (the thief's)" if r["heist"] else "")
    for r in truth["tx0s"]:
        shape[r["txid"]] = "tx0" + (" (the thief's)" if r["heist"] else "")
    thief_kind = {r["txid"]: "thief " + r["kind"] for r in rows(tdir, "thief_txs.csv")}

    def kind_of(txid):
        return shape.get(txid) or thief_kind.get(txid) or "an ordinary tx"

    cli = eval_btc.CLI(a.bin, a.store)
    inv = os.path.join(a.work, "investigator.db")
    scr = os.path.join(a.work, "screening.db")
    res = {"world": a.world}
    args = ["trace"]
    for s in h["stolen_outputs"]:
        args += ["--from", s["outpoint"]]
    d = cli.json(args + ["--store", a.store, "--labels", inv, "--model", "fifo", "--direction", "forward",
                         "--graph", "100000000", "--top", "5"])
    graph = {tx["txid"]: tx for tx in d.get("graph", [])}

    def path_to(txid):
        """the trace's txs back from txid to the theft, following each tx's largest traced input"""
        p = []
        seen = set()
        while txid in graph and txid not in seen:
            seen.add(txid)
            tx = graph[txid]
            p.append({"txid": txid, "kind": kind_of(txid), "coinjoin_rule": tx.get("coinjoin_rule")})
            ins = sorted(tx.get("inputs", []), key=lambda i: -(i.get("traced", 0) or 0))
            if not ins:
                break
            txid = ins[0]["outpoint"].split(":")[0]
        return p

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
                key = "the thief's payment to an honest party (%s)" % honest_ops[op]["kind"]
            elif ent == thief:
                key = "the thief's own coin"
            elif ent == thief2 or op in wd_ops:
                key = "coins a service paid the thief (withdrawals.csv)"
            elif cat in SERVICE_CATS:
                key = "a service's own wallet (%s, paid by %s)" % (cat, kind_of(txid))
            else:
                key = "honest %s, paid by %s" % (cat, kind_of(txid))
                honest.append({"outpoint": op, "category": cat, "entity": name, "shape": kind_of(txid),
                               "certain": c, "probable": p, "path": path_to(txid)})
            b = buckets.setdefault(key, {"outputs": 0, "certain_sat": 0, "probable_sat": 0})
            b["outputs"] += 1
            b["certain_sat"] += c
            b["probable_sat"] += p
    res["trace_outputs_by_truth"] = dict(sorted(buckets.items()))
    hc = [x for x in honest if x["certain"] > 0]
    hp = [x for x in honest if x["certain"] == 0]
    res["honest_certain_outputs"] = len(hc)
    res["honest_certain_sat"] = sum(x["certain"] for x in hc)
    res["honest_probable_outputs"] = len(hp)
    res["honest_probable_sat"] = sum(x["probable"] for x in honest)
    res["honest_certain"] = hc[:40]
    res["honest_probable"] = hp[:40]
    by_shape = {}
    for x in honest:
        e = by_shape.setdefault(x["shape"], {"certain": 0, "probable": 0})
        e["certain" if x["certain"] else "probable"] += 1
    res["honest_outputs_by_shape"] = by_shape

    api = eval_btc.API(cli, inv, a.work)
    try:
        per = {}
        false_cj = []
        kinds = dict(shape)
        kinds.update({t: k for t, k in thief_kind.items() if t not in shape})
        looked = {}
        for txid, k in sorted(kinds.items()):
            looked[k] = looked.get(k, 0) + 1
            if a.per_kind and looked[k] > a.per_kind and "(the thief's)" not in k and not k.startswith("thief"):
                continue
            fl = set(api.get("tx/" + txid).get("flags") or [])
            e = per.setdefault(k, {"txs": 0})
            e["txs"] += 1
            for f in FLAGS:
                if f in fl:
                    e[f] = e.get(f, 0) + 1
            multi = k.split(" ")[0] in ("whirlpool", "wasabi2", "joinmarket") or k == "thief wasabi2"
            if not multi and fl & set(CJ_FLAGS):
                false_cj.append({"txid": txid, "kind": k, "flags": sorted(fl)})
        res["flags_by_shape"] = per
        res["false_coinjoin"] = len(false_cj)
        res["false_coinjoin_examples"] = false_cj[:20]
    finally:
        api.close()

    # an address the thief paid received stolen value: exposed, rightly; screened in its own group
    paid = {x["address"] for x in h.get("honest_payments", [])}
    groups = {"received a thief payment (exposure expected)": set(paid)}
    for r in rows(tdir, "counterparts.csv"):
        if addr.get(r["address"], ("", "", ""))[1] in ("thief",) or r["address"] in paid:
            continue
        g = r["group"] + (" (tainted)" if r["tainted"] == "1" else "")
        groups.setdefault(g, set()).add(r["address"])
    rng = random.Random(7)
    for g in sorted(groups):
        lst = sorted(groups[g])
        if "(" not in g and len(lst) > a.per_group:
            lst = sorted(rng.sample(lst, a.per_group))
        groups[g] = lst
    res["screen"] = screen(cli, scr, a.work, groups)
    print(json.dumps(res, indent=1, sort_keys=True))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
