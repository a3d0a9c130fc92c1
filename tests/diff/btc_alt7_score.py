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
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score_common as sc  # noqa: E402

eval_btc = sc.eval_btc
rows = sc.rows
SERVICE_CATS = ("exchange", "exchange_deposit", "mixer", "otc_desk", "coinjoin_coordinator", "miner", "service")
screen = sc.screen_groups   # btc_alt8_score.py used it from here


def main():
    ap = sc.world_parser(__doc__)
    ap.add_argument("--per-group", type=int, default=300, help="untainted counterparts screened per group")
    ap.add_argument("--per-kind", type=int, default=0,
                    help="honest look-alikes looked up per kind (0: all; the thief's txs always)")
    a = ap.parse_args()
    ht = sc.Heist(a.world, service=True)
    tdir, addr, h = ht.tdir, ht.addr, ht.h
    shape = ht.shapes(mark_thief=True, tx0=True)
    thief_kind = {r["txid"]: "thief " + r["kind"] for r in rows(tdir, "thief_txs.csv")}

    def kind_of(txid):
        return shape.get(txid) or thief_kind.get(txid) or "an ordinary tx"

    cli = eval_btc.CLI(a.bin, a.store)
    inv = os.path.join(a.work, "investigator.db")
    scr = os.path.join(a.work, "screening.db")
    res = {"world": a.world}
    d = sc.forward_trace(cli, h, inv)
    graph = {tx["txid"]: tx for tx in d.get("graph", [])}

    def path_to(txid):
        return sc.path_to(graph, txid, kind_of)

    buckets = {}
    honest = []
    for o in sc.traced_outputs(d, addr):
        c, p, op, cat, name, txid = o.c, o.p, o.op, o.cat, o.name, o.txid
        key = ht.bucket(o)
        if key is None:
            if cat in SERVICE_CATS:
                key = "a service's own wallet (%s, paid by %s)" % (cat, kind_of(txid))
            else:
                key = "honest %s, paid by %s" % (cat, kind_of(txid))
                honest.append({"outpoint": op, "category": cat, "entity": name, "shape": kind_of(txid),
                               "certain": c, "probable": p, "path": path_to(txid)})
        sc.add_bucket(buckets, key, c, p)
    res["trace_outputs_by_truth"] = dict(sorted(buckets.items()))
    sc.honest_split(res, honest, 40, 40)
    res["honest_probable_sat"] = sum(x["probable"] for x in honest)

    api = eval_btc.API(cli, inv, a.work)
    try:
        false_cj = []
        kinds = dict(shape)
        kinds.update({t: k for t, k in thief_kind.items() if t not in shape})

        def keep(k, n):
            return not (a.per_kind and n > a.per_kind and "(the thief's)" not in k and not k.startswith("thief"))

        def each(txid, k, fl):
            multi = k.split(" ")[0] in ("whirlpool", "wasabi2", "joinmarket") or k == "thief wasabi2"
            if not multi and fl & set(sc.CJ_FLAGS):
                false_cj.append({"txid": txid, "kind": k, "flags": sorted(fl)})

        res["flags_by_shape"] = sc.flags_by_shape(api, kinds, keep, each)
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
    res["screen"] = sc.screen_groups(cli, scr, a.work, groups)
    sc.emit(res, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
