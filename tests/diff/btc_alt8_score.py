#!/usr/bin/python3
"""btc_alt8_score.py: the false attributions on a world written by tests/diff/btc_alt8_world.py (the
adversary attacks the watcher: PayJoin, dusting, gifts, decoy CoinJoins, Lightning, change traps),
after scripts/eval_btc.py ran on it (its WORK holds the labels and its store the patterns and
clusters):

  btc_alt8_score.py --world DIR --store S --bin CHAINWATCH --work EVAL_WORK [--out F.json]
                    [--per-group N] [--clusters N]

* the forward FIFO trace from the stolen outputs (the investigator's labels, the default CoinJoin
  policy): stolen deposit recall and precision, certain and probable apart, the thief's dust on an
  honest customer's deposit address counted apart from an honest deposit further on; every output
  put in the truth's bucket; every honest output given value listed with the txids back to the
  theft (each with its true kind);
* honest addresses given value: certain and probable, the thief's own payments to them (exposure
  expected: dust, gifts, a PayJoin merchant, a channel peer, a seller) apart from everything
  further on;
* screening (the screening desk's labels) of every counterpart group of truth/counterparts.csv
  (tainted rows apart) and of the addresses the thief paid, per payment kind: a flag is certain
  when the line's "flag" is "flag", else probable; flagged addresses listed with rules and paths;
* clusters (`cluster build`'s, through `chainwatch serve`): every thief address's cluster that also
  holds an honest owner's address, with `cluster why`'s txids;
* flags per shape (the thief's txs by kind, lookalikes.csv kinds: payjoin, ln_*, ...): every
  single-owner tx called a CoinJoin listed.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score_common as sc  # noqa: E402

eval_btc = sc.eval_btc
rows = sc.rows
THIEF_CATS = ("thief",)


def main():
    ap = sc.world_parser(__doc__)
    ap.add_argument("--per-group", type=int, default=300, help="untainted counterparts screened per group")
    ap.add_argument("--per-kind", type=int, default=60, help="honest look-alike txs looked up per kind")
    ap.add_argument("--clusters", type=int, default=100000, help="thief addresses whose cluster is looked up")
    a = ap.parse_args()
    ht = sc.Heist(a.world)
    tdir, truth, addr, h = ht.tdir, ht.truth, ht.addr, ht.h
    thief, thief2, true_dep, honest_ops = ht.thief, ht.thief2, ht.true_dep, ht.honest_ops
    dep_ops = {sc.outpoint(r): r for r in truth["deposits"]}
    shape = ht.shapes(mark_thief=True)
    thief_kind = {r["txid"]: "thief " + r["kind"] for r in rows(tdir, "thief_txs.csv")}

    def kind_of(txid):
        return shape.get(txid) or thief_kind.get(txid) or "an ordinary tx"

    cli = eval_btc.CLI(a.bin, a.store)
    inv = os.path.join(a.work, "investigator.db")
    scr = os.path.join(a.work, "screening.db")
    res = {"world": a.world}

    # ---- the trace
    d = sc.forward_trace(cli, h, inv)
    graph = {tx["txid"]: tx for tx in d.get("graph", [])}

    def path_to(txid):
        return sc.path_to(graph, txid, kind_of)

    buckets = {}
    honest = []
    excess = []
    dep = {"true_certain": 0, "true_probable": 0, "false_certain": [], "false_probable": []}
    for o in sc.traced_outputs(d, addr):
        c, p, op, cat, name, txid, out = o.c, o.p, o.op, o.cat, o.name, o.txid, o.out
        if out.get("dusting"):   # the trace ended it as a dusting campaign's output: no deposit, not followed
            k = "ended as dusting (%s)" % ("the thief's dust" if op in honest_ops else "other")
            sc.add_bucket(buckets, k, c, p)
            continue
        if op in dep_ops:
            if op in true_dep:
                dep["true_certain" if c else "true_probable"] += 1
            else:
                why = ("the thief's dust on an honest customer's deposit address" if op in honest_ops
                       else "an honest deposit, paid by %s" % kind_of(txid))
                dep["false_certain" if c else "false_probable"].append(
                    {"outpoint": op, "why": why, "certain": c, "probable": p, "value": out.get("value"),
                     "customer": dep_ops[op]["payer_id"], "path": path_to(txid)[:8]})
        if op in honest_ops and op not in true_dep:
            paid = honest_ops[op]["value_sat"]
            if c > paid:    # more certain value than the thief paid (a PayJoin's merchant coin)
                excess.append({"outpoint": op, "kind": honest_ops[op]["kind"], "paid": paid, "certain": c,
                               "excess": c - paid})
        key = ht.bucket(o)
        if key is None:
            if cat in ("exchange", "coinjoin_coordinator", "miner"):
                key = "a service's own wallet (%s, paid by %s)" % (cat, kind_of(txid))
            else:
                key = "honest %s, paid by %s" % (cat, kind_of(txid))
                honest.append({"outpoint": op, "address": out.get("address"), "category": cat, "entity": name,
                               "shape": kind_of(txid), "certain": c, "probable": p, "path": path_to(txid)[:10]})
        sc.add_bucket(buckets, key, c, p)
    n_true = len(true_dep)
    res["deposits"] = {
        "stolen": n_true,
        "recall_certain": round(dep["true_certain"] / n_true, 4) if n_true else None,
        "recall_all": round((dep["true_certain"] + dep["true_probable"]) / n_true, 4) if n_true else None,
        "precision_certain": round(dep["true_certain"] / max(1, dep["true_certain"] + len(dep["false_certain"])), 4),
        "precision_certain_without_dust": round(dep["true_certain"] / max(1, dep["true_certain"] + len(
            [x for x in dep["false_certain"] if not x["why"].startswith("the thief's dust")])), 4),
        "precision_all": round((dep["true_certain"] + dep["true_probable"]) / max(1, dep["true_certain"] + dep["true_probable"] +
                                                                                 len(dep["false_certain"]) + len(dep["false_probable"])), 4),
        "false_certain_by_why": {}, "false_probable_by_why": {},
        "false_certain": [x for x in dep["false_certain"] if not x["why"].startswith("the thief's dust")][:30],
        "false_probable": dep["false_probable"][:30]}
    for k in ("false_certain", "false_probable"):
        for x in dep[k]:
            w = res["deposits"][k + "_by_why"]
            w[x["why"]] = w.get(x["why"], 0) + 1
    res["trace_outputs_by_truth"] = dict(sorted(buckets.items()))
    res["honest_payments_over_certain"] = {"outputs": len(excess), "excess_sat": sum(x["excess"] for x in excess),
                                           "examples": excess[:20]}
    sc.honest_split(res, honest, 40, 20)

    # ---- flags per shape and clusters
    api = eval_btc.API(cli, inv, a.work)
    try:
        false_cj = []
        kinds = dict(shape)
        kinds.update({t: k for t, k in thief_kind.items() if t not in shape})

        def keep(k, n):
            return n <= a.per_kind or k.startswith("thief") or "(the thief's)" in k

        def each(txid, k, fl):
            if not k.startswith("wasabi2") and fl & set(sc.CJ_FLAGS):
                false_cj.append({"txid": txid, "kind": k, "flags": sorted(fl)})

        res["flags_by_shape"] = sc.flags_by_shape(api, kinds, keep, each)
        res["false_coinjoin"] = len(false_cj)
        res["false_coinjoin_examples"] = false_cj[:20]

        thief_addrs = sorted(x for x, v in addr.items() if v[0] in (thief, thief2))
        seen, joined = set(), []
        for x in thief_addrs[:a.clusters]:
            cid, mem = eval_btc.cluster_members(cli, api, x)
            if cid is None or cid in seen or len(mem) < 2:
                continue
            seen.add(cid)
            hon = [m for m in mem if addr.get(m, ("?",))[0] not in (thief, thief2)]
            if not hon:
                continue
            ents = {}
            for m in hon:
                o = addr.get(m, ("?", "?", "?"))
                ents.setdefault("%s (%s)" % (o[2], o[1]), []).append(m)
            why = cli.json(["cluster", "why", x, hon[0], "--store", a.store], ok=(0, 3)) or {}
            steps = why.get("steps") or why.get("path") or []
            joined.append({"cluster": cid, "size": len(mem), "thief_address": x,
                           "thief_members": len(mem) - len(hon), "honest_members": len(hon),
                           "honest_owners": {k: len(v) for k, v in sorted(ents.items())},
                           "why": [{"txid": s.get("txid"), "kind": kind_of(s.get("txid")), "rule": s.get("rule") or s.get("heuristic")}
                                   for s in steps if isinstance(s, dict)][:10]})
        res["clusters_checked"] = len(seen)
        res["thief_clusters_with_honest_owner"] = len(joined)
        res["thief_clusters_honest_addresses"] = sum(x["honest_members"] for x in joined)
        res["thief_clusters_joined"] = joined[:20]
    finally:
        api.close()

    # ---- screening
    groups = {}
    biggest = {}      # an address the thief paid, in the group of its largest payment's kind
    for x in h.get("honest_payments", []):
        if x["value_sat"] > biggest.get(x["address"], (0, ""))[0]:
            biggest[x["address"]] = (x["value_sat"], x["kind"])
    for ad, (_, k) in biggest.items():
        groups.setdefault("received a thief payment: %s" % k, set()).add(ad)
    paid = {x["address"] for x in h.get("honest_payments", [])}
    for r in rows(tdir, "counterparts.csv"):
        if addr.get(r["address"], ("", "", ""))[1] in THIEF_CATS or r["address"] in paid:
            continue
        g = r["group"] + (" (tainted)" if r["tainted"] == "1" else "")
        groups.setdefault(g, set()).add(r["address"])
    rng = random.Random(8)
    for g in sorted(groups):
        lst = sorted(groups[g])
        if len(lst) > a.per_group:
            lst = sorted(rng.sample(lst, a.per_group))
        groups[g] = lst
    res["screen"] = sc.screen_groups(cli, scr, a.work, groups)
    sc.emit(res, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
