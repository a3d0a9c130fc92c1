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
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score_common as sc  # noqa: E402

eval_btc = sc.eval_btc


def main():
    a = sc.world_parser(__doc__).parse_args()
    ht = sc.Heist(a.world, wd_required=True)
    truth, addr, h, wd = ht.truth, ht.addr, ht.h, ht.wd
    shape = ht.shapes(tx0=True, required=True)
    thief_kind = {r["txid"]: r["kind"] for r in ht.rows("thief_txs.csv", required=True)}
    cli = eval_btc.CLI(a.bin, a.store)
    inv = os.path.join(a.work, "investigator.db")
    res = {}
    # ---- the forward FIFO trace
    d = sc.forward_trace(cli, h, inv)
    buckets = {}
    honest_examples = []
    for o in sc.traced_outputs(d, addr):
        c, p, op, cat, txid = o.c, o.p, o.op, o.cat, o.txid
        key = ht.bucket(o, "thief's payment")
        if key is None:
            if txid in thief_kind and cat in ("instant_exchange_order", "otc_desk"):
                key = "the thief's service deposit (%s)" % cat
            elif cat in ("exchange", "instant_exchange", "coinjoin_coordinator", "miner"):
                key = "a service's own wallet (%s)" % cat
            else:
                key = "honest %s, paid by %s" % (cat, shape.get(txid, "an ordinary tx"))
                if c > 0 and len(honest_examples) < 8:
                    honest_examples.append({"outpoint": op, "category": cat, "shape": shape.get(txid, ""), "certain": c})
        sc.add_bucket(buckets, key, c, p)
    res["trace_outputs_by_truth"] = dict(sorted(buckets.items()))
    res["honest_certain_examples"] = honest_examples
    res["honest_certain_sat"] = sum(v["certain_sat"] for k, v in buckets.items() if k.startswith("honest"))
    res["honest_certain_outputs"] = sum(v["outputs"] for k, v in buckets.items() if k.startswith("honest")
                                        and v["certain_sat"] > 0)
    # ---- flags per shape
    api = eval_btc.API(cli, inv, a.work)
    res["flags_by_shape"] = sc.flags_by_shape(api, shape)
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
    scr_res = {}
    for g, lst in groups.items():
        if not lst:
            continue
        lines = sc.screen_file(cli, scr, os.path.join(a.work, "alt5-%s.txt" % g), lst)
        scr_res[g] = {"addresses": len(lines), "flagged": sum(bool(sc.flagged(x)) for x in lines)}
    res["screen"] = scr_res
    sc.emit(res, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
