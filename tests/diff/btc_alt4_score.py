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
import argparse
import csv
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import eval_btc  # noqa: E402


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
    thieves = {str(h["thief_entity"]) for h in truth["heists"]}
    dust = list(csv.DictReader(open(os.path.join(tdir, "dust.csv"))))
    honest_ops = {x["outpoint"]: x for h in truth["heists"] for x in h.get("honest_payments", [])}
    true_dep = {x["outpoint"] for h in truth["heists"] for x in h["deposits"]}
    clean_dep = {"%s:%s" % (r["txid"], r["vout"]) for r in truth["deposits"] if not r["heist"]}
    dust_addr = sorted({r["address"] for r in dust})
    res = {"dust_outputs": len(dust), "dust_addresses": len(dust_addr),
           "dust_deposit_addresses": len({r["address"] for r in dust if r["category"] == "exchange_deposit"})}
    # screening of the dust recipients
    scr = os.path.join(a.work, "screening.db")
    path = os.path.join(a.work, "dust-addresses.txt")
    with open(path, "w") as f:
        f.write("\n".join(dust_addr) + "\n")
    p = subprocess.run([a.bin, "screen", "--file", path, "--store", a.store, "--labels", scr, "--json"],
                       capture_output=True, text=True)
    flagged = {"user": 0, "exchange_deposit": 0}
    n = 0
    for line in p.stdout.splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        if "error" in d:
            continue
        n += 1
        theft = sum(e.get("share", 0) for e in d.get("exposure", []) if e.get("category") == "theft")
        f1 = d["flagged"] if "flagged" in d else theft > 0
        if f1:
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
        args = ["trace"]
        for s in h["stolen_outputs"]:
            args += ["--from", s["outpoint"]]
        args += ["--store", a.store, "--labels", inv, "--model", "fifo", "--direction", "forward",
                 "--graph", "100000000", "--top", "5", "--json"]
        d = json.loads(subprocess.run([a.bin] + args, capture_output=True, text=True, check=True).stdout)
        traces.append((h, d))
        for tx in d.get("graph", []):
            for out in tx.get("outputs", []):
                t = out.get("traced", 0) or 0
                c = t - eval_btc.probable_part(out, tx)
                ad = out.get("address")
                if c <= 0 or ad not in addr:
                    continue
                ent, cat, name = addr[ad]
                if ent in thieves or cat in ("coinjoin_coordinator", "exchange", "thief"):
                    continue
                op = out["outpoint"]
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
    api = eval_btc.API(eval_btc.CLI(a.bin, a.store), inv, a.work)   # `tx --json` in one process
    # the forward trace's deposits, as eval_btc.py counts them: false certain ones by cause, missed
    # true ones by the thief's step before them
    kind_of = {r["txid"]: r["kind"] for r in csv.DictReader(open(os.path.join(tdir, "thief_txs.csv")))}
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
    print(json.dumps(res, indent=1, sort_keys=True))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
