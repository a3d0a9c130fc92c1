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
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score_common as sc  # noqa: E402

eval_btc = sc.eval_btc
rows = sc.rows
SERVICE_CATS = ("exchange", "mixer", "bridge_vault", "otc_desk", "coinjoin_coordinator", "miner", "service")


def screen(cli, labels, work, name, addrs):
    if not addrs:
        return {"addresses": 0, "flagged": 0, "examples": []}
    n = fl = 0
    ex = []
    for x in sc.screen_file(cli, labels, os.path.join(work, "alt6-%s.txt" % name), addrs):
        n += 1
        if sc.flagged(x):
            fl += 1
            if len(ex) < 5:
                ex.append({"address": x.get("address"), "theft_share": sc.theft_share(x)})
    return {"addresses": n, "flagged": fl, "examples": ex}


def main():
    a = sc.world_parser(__doc__).parse_args()
    ht = sc.Heist(a.world, service=True)
    tdir, truth, addr, h, wd = ht.tdir, ht.truth, ht.addr, ht.h, ht.wd
    thief, thief2 = ht.thief, ht.thief2
    recv = rows(tdir, "received.csv")
    shape = ht.shapes()
    thief_kind = {r["txid"]: r["kind"] for r in rows(tdir, "thief_txs.csv")}
    cli = eval_btc.CLI(a.bin, a.store)
    inv = os.path.join(a.work, "investigator.db")
    scr = os.path.join(a.work, "screening.db")
    res = {"world": a.world}
    d = sc.forward_trace(cli, h, inv)
    buckets = {}
    honest = []
    for o in sc.traced_outputs(d, addr):
        c, p, op, cat, name, txid = o.c, o.p, o.op, o.cat, o.name, o.txid
        key = ht.bucket(o, "thief's payment")
        if key is None:
            paid_by = shape.get(txid, thief_kind.get(txid, "an ordinary tx"))
            if cat in SERVICE_CATS:
                key = "a service's own wallet (%s, paid by %s)" % (cat, paid_by)
            else:
                key = "honest %s, paid by %s" % (cat, paid_by)
                if c > 0:
                    honest.append({"outpoint": op, "category": cat, "entity": name,
                                   "shape": shape.get(txid, thief_kind.get(txid, "")), "certain": c})
        sc.add_bucket(buckets, key, c, p)
    res["trace_outputs_by_truth"] = dict(sorted(buckets.items()))
    res["honest_certain_outputs"] = len(honest)
    res["honest_certain_sat"] = sum(x["certain"] for x in honest)
    res["honest_certain_examples"] = honest[:12]
    api = eval_btc.API(cli, inv, a.work)
    groups = {"withdrawn_by_thief": sorted({r["address"] for r in wd})}
    co = set()
    try:
        res["flags_by_shape"] = sc.flags_by_shape(api, shape)
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
    sc.emit(res, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
