#!/usr/bin/python3
"""btc_alt4_score.py: the figures scripts/eval_btc.py does not take, on a world written by
tests/diff/btc_alt4_world.py (the thief pays honest people: dust, a merchant's invoices, a channel
peer's share), after eval_btc.py ran on it (its WORK holds the screening labels):

  btc_alt4_score.py --world DIR --store S --bin CHAINWATCH --work EVAL_WORK [--out F.json]

* dust: the honest addresses that received only the thief's dust (truth/dust.csv: users' own
  addresses and honest customers' exchange deposit addresses): how many `screen` flags (default
  options, the screening desk's labels), and the certain value the forward FIFO trace puts on
  their outputs;
* honest downstream: every output the forward FIFO trace gives certain value that pays an honest
  party (not the thief, not a coordinator, not an exchange's hot wallet), the thief's own
  payments to honest parties (heists.json honest_payments) counted apart: how many, how much,
  per category, and which of them are the honest deposits deposits.csv lists as clean.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score_common as sc  # noqa: E402

eval_btc = sc.eval_btc


def main():
    a = sc.world_parser(__doc__).parse_args()
    tdir = os.path.join(a.world, "truth")
    truth = eval_btc.load_truth(tdir)
    addr = truth["addr"]
    thieves = {str(h["thief_entity"]) for h in truth["heists"]}
    dust = sc.rows(tdir, "dust.csv", required=True)
    honest_ops = {x["outpoint"]: x for h in truth["heists"] for x in h.get("honest_payments", [])}
    true_dep = {x["outpoint"] for h in truth["heists"] for x in h["deposits"]}
    clean_dep = {sc.outpoint(r) for r in truth["deposits"] if not r["heist"]}
    dust_addr = sorted({r["address"] for r in dust})
    res = {"dust_outputs": len(dust), "dust_addresses": len(dust_addr),
           "dust_deposit_addresses": len({r["address"] for r in dust if r["category"] == "exchange_deposit"})}
    # screening of the dust recipients
    cli = eval_btc.CLI(a.bin, a.store)
    scr = os.path.join(a.work, "screening.db")
    flagged = {"user": 0, "exchange_deposit": 0}
    n = 0
    for d in sc.screen_file(cli, scr, os.path.join(a.work, "dust-addresses.txt"), dust_addr):
        n += 1
        if sc.flagged(d):
            cat = addr.get(d.get("address"), ("", "user"))[1]
            flagged[cat if cat in flagged else "user"] = flagged.get(cat, 0) + 1
    res["dust_screened"] = n
    res["dust_flagged"] = flagged
    res["dust_flagged_share"] = sum(flagged.values()) / n if n else None
    # forward FIFO trace: certain value on honest parties
    inv = os.path.join(a.work, "investigator.db")
    honest = {}
    dust_certain = [0, 0]
    downstream_clean_dep = [0, 0]
    direct = [0, 0]
    dust_set = set(dust_addr)
    traces = []
    for h in truth["heists"]:
        d = sc.forward_trace(cli, h, inv)
        traces.append((h, d))
        for o in sc.traced_outputs(d, addr):
            c, ad, op = o.c, o.address, o.op
            if c <= 0 or ad not in addr:
                continue
            ent, cat = o.ent, o.cat
            if ent in thieves or cat in ("coinjoin_coordinator", "exchange", "thief"):
                continue
            if op in true_dep:
                continue
            if op in honest_ops:
                direct[0] += 1
                direct[1] += c
                continue
            k = honest.setdefault(cat, [0, 0])
            k[0] += 1
            k[1] += c
            if ad in dust_set:
                dust_certain[0] += 1
                dust_certain[1] += c
            if op in clean_dep:
                downstream_clean_dep[0] += 1
                downstream_clean_dep[1] += c
    api = eval_btc.API(cli, inv, a.work)   # `tx --json` in one process
    # the forward trace's deposits, as eval_btc.py counts them: false certain ones by cause, missed
    # true ones by the thief's step before them
    kind_of = {r["txid"]: r["kind"] for r in sc.rows(tdir, "thief_txs.csv", required=True)}
    false_dep, missed = {}, {}
    dusting = {"outputs": 0, "sat": 0, "true_deposits": 0}   # outputs the trace ended as dusting
    dust_ops = {x["outpoint"] for x in honest_ops.values() if x["kind"] == "dust"}
    dust_users = {r["address"] for r in dust}
    for h, d in traces:
        true_dep = {x["outpoint"] for x in h["deposits"]}
        got = set()
        for tx in d.get("graph", []):
            for out in tx.get("outputs", []):
                t = out.get("traced", 0) or 0
                ad = out.get("address")
                if out.get("dusting"):
                    dusting["outputs"] += 1
                    dusting["sat"] += t
                    dusting["true_deposits"] += out["outpoint"] in true_dep
                if not t or ad not in addr or addr[ad][1] not in ("exchange_deposit", "exchange") or \
                        out.get("dusting"):  # the trace ended it as a dusting output: no deposit
                    continue
                c = t - eval_btc.probable_part(out, tx)
                if c <= 0:
                    continue
                op = out["outpoint"]
                got.add(op)
                if op in true_dep:
                    continue
                ins = [i.get("address") for i in tx.get("inputs", [])]
                why = ("the thief's dust to an honest customer's deposit address" if op in dust_ops else
                       "an honest payer who had received dust" if set(ins) & dust_users else
                       "a merchant the thief paid" if any(addr.get(i, ("", ""))[1] == "merchant" for i in ins) else
                       "other honest payer (%s)" % ",".join(sorted({addr.get(i, ("", "?"))[1] for i in ins})))
                k = false_dep.setdefault(why, [0, 0])
                k[0] += 1
                k[1] += c
        for x in h["deposits"]:
            if x["outpoint"] in got:
                continue
            tx = api.get("tx/" + x["outpoint"].split(":")[0])
            src = sorted({kind_of.get(i.get("prev_txid"), "?")
                          for i in tx.get("inputs", [])})
            k = missed.setdefault("after " + "+".join(src), [0, 0])
            k[0] += 1
            k[1] += x["value_sat"]
    res["trace_dusting"] = dusting
    res["false_certain_deposits_by_cause"] = {k: {"outputs": v[0], "sat": v[1]} for k, v in sorted(false_dep.items())}
    res["missed_deposits_by_step_before"] = {k: {"deposits": v[0], "sat": v[1]} for k, v in sorted(missed.items())}
    # peel chains: recall by hop shape (eval_btc.py's flag look-ups are not kept: one tx call each)
    by = {}
    for r in truth["peel"]:
        key = ("heist" if r["heist"] else "honest") + (", %d peels" % (1 + int(r.get("extra_peels") or 0)))
        d = api.get("tx/" + r["txid"])
        fl = d.get("flags") or []
        outs = d.get("outputs") or []
        rv = int(r["remainder_vout"])
        if d.get("inputs") and rv < len(outs) and outs[rv].get("address") == d["inputs"][0].get("address"):
            key += ", remainder to the input's address"
        k = by.setdefault(key, [0, 0])
        k[0] += 1
        k[1] += "peel_chain" in fl
    res["peel_recall_by_shape"] = {k: {"hops": v[0], "flagged": v[1]} for k, v in sorted(by.items())}
    api.close()
    res["certain_on_thief_payments_to_honest"] = {"outputs": direct[0], "sat": direct[1]}
    res["certain_downstream_honest"] = {k: {"outputs": v[0], "sat": v[1]} for k, v in sorted(honest.items())}
    res["certain_on_dust_addresses_later"] = {"outputs": dust_certain[0], "sat": dust_certain[1]}
    res["certain_on_clean_deposits_downstream"] = {"outputs": downstream_clean_dep[0], "sat": downstream_clean_dep[1]}
    sc.emit(res, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
