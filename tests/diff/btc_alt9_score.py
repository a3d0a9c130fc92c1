#!/usr/bin/python3
"""btc_alt9_score.py: what a tenth outside world (tests/diff/btc_alt9_world.py) asks beyond
scripts/eval_btc.py, read from chainwatch's JSON and the truth files only. Run it after
eval_btc.py on the same --work (it uses its investigator.db and screening.db).

  btc_alt9_score.py --world DIR --store S --bin CHAINWATCH --work EVAL_WORK [--per-group N]
                    [--out F.json]

Per heist, the forward FIFO trace from its stolen outputs (eval_btc.py's arguments):
* honest persons given value: every output the trace gives value to whose address belongs to a
  user, merchant, service or miner, certain and probable apart, by category and by the
  counterparts.csv groups of its address, with the first examples;
* deposits given certain value that are not the heist's: the other heist's (the shared multisig
  addresses), and clean ones by who paid them (a broker's sweep into its account at the big
  exchange, the thief's second wallet redepositing an exchange's withdrawal, a drained victim's
  later deposit, other honest);
* exchange hot wallets given value (the trace went past a deposit).
Screening (screening.db: the heists' stolen-output addresses as theft): up to N addresses of each
counterparts.csv group, and of the clean deposit addresses by payer kind; flagged = the line's
`flagged` member, else any theft exposure.
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def run_json(bin_, args):
    p = subprocess.run([bin_] + args, capture_output=True, text=True)
    if p.returncode not in (0, 3):
        sys.exit("chainwatch %s failed (%d): %s" % (" ".join(args[:2]), p.returncode, p.stderr[-2000:]))
    return p.stdout


def probable_part(out, tx):
    traced = out.get("traced", 0) or 0
    if "probable_traced" in out:
        return min(traced, out["probable_traced"] or 0)
    if out.get("probable") or tx.get("probable"):
        return traced
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True)
    ap.add_argument("--store", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--per-group", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    a = ap.parse_args()
    tdir = os.path.join(a.world, "truth")
    ents = {r["entity_id"]: (r["name"], r["category"]) for r in read_csv(os.path.join(tdir, "entities.csv"))}
    addr = {}
    for r in read_csv(os.path.join(tdir, "addresses.csv")):
        addr[r["address"]] = (r["entity_id"], r["category"])
    heists = json.load(open(os.path.join(tdir, "heists.json")))
    groups = {}
    for r in read_csv(os.path.join(tdir, "counterparts.csv")):
        groups.setdefault(r["address"], set()).add(r["group"])
    deps = {}
    for r in read_csv(os.path.join(tdir, "deposits.csv")):
        deps["%s:%s" % (r["txid"], r["vout"])] = r
    thief2 = {str(h.get("withdrawn_entity")) for h in heists}
    victims = {str(v) for h in heists if h["name"] == "drainer" for v in h.get("victim_entities", [])}
    hot_owners = {v[0] for v in addr.values() if v[1] == "exchange"}
    brokers = {e for e, (n, c) in ents.items() if c == "exchange" and e not in hot_owners}

    def payer_kind(p):
        if p in brokers:
            return "a broker's sweep into its account at the big exchange"
        if p in thief2:
            return "the thief's second wallet redepositing an exchange's withdrawal"
        if p in victims:
            return "a drained victim's later deposit"
        return "other honest deposit (%s)" % ents.get(p, ("?", "?"))[1]

    inv = os.path.join(a.work, "investigator.db")
    scr = os.path.join(a.work, "screening.db")
    res = {"world": a.world, "heists": {}}
    for h in heists:
        args = ["trace"]
        for s in h["stolen_outputs"]:
            args += ["--from", s["outpoint"]]
        args += ["--store", a.store, "--labels", inv, "--model", "fifo", "--direction", "forward",
                 "--graph", "100000000", "--top", "5", "--json"]
        d = json.loads(run_json(a.bin, args))
        mine = {x["outpoint"] for x in h["deposits"]}
        other = {x["outpoint"] for o in heists if o is not h for x in o["deposits"]}
        hon = {}
        hon_by_cat = {}
        hon_by_group = {}
        ex_hot = {"outputs": 0, "certain_sat": 0}
        fdep = {}
        examples = []
        for tx in d.get("graph", []):
            for out in tx.get("outputs", []):
                t = out.get("traced", 0) or 0
                ad = out.get("address")
                if not t or ad not in addr:
                    continue
                e, cat = addr[ad]
                pp = probable_part(out, tx)
                cer = t - pp
                op = out.get("outpoint")
                if cat in ("user", "merchant", "service", "miner"):
                    x = hon.setdefault(e, [0, 0])
                    x[0] += cer
                    x[1] += pp
                    c = hon_by_cat.setdefault(cat, {"outputs_certain": 0, "certain_sat": 0, "outputs_probable": 0,
                                                    "probable_sat": 0})
                    if cer:
                        c["outputs_certain"] += 1
                        c["certain_sat"] += cer
                    if pp:
                        c["outputs_probable"] += 1
                        c["probable_sat"] += pp
                    for g in groups.get(ad, {"(no group)"}):
                        gg = hon_by_group.setdefault(g, {"outputs_certain": 0, "certain_sat": 0, "outputs_probable": 0})
                        gg["outputs_certain"] += bool(cer)
                        gg["certain_sat"] += cer
                        gg["outputs_probable"] += bool(pp)
                    if cer and len(examples) < 12:
                        examples.append({"outpoint": op, "address": ad, "entity": ents[e][0], "certain_sat": cer})
                elif cat == "exchange":
                    ex_hot["outputs"] += 1
                    ex_hot["certain_sat"] += cer
                elif cat == "exchange_deposit" and cer and op not in mine:
                    if op in other:
                        why = "the other heist's deposit"
                    elif op in deps:
                        why = payer_kind(deps[op]["payer_id"])
                    else:
                        why = "not in deposits.csv"
                    f = fdep.setdefault(why, {"outputs": 0, "certain_sat": 0, "examples": []})
                    f["outputs"] += 1
                    f["certain_sat"] += cer
                    if len(f["examples"]) < 3:
                        f["examples"].append(op)
        hc = [e for e, v in hon.items() if v[0] > 0]
        hp = [e for e, v in hon.items() if v[0] == 0 and v[1] > 0]
        res["heists"][h["name"]] = {
            "honest_persons_certain": len(hc), "honest_certain_sat": sum(hon[e][0] for e in hc),
            "honest_persons_probable_only": len(hp), "honest_probable_sat": sum(v[1] for v in hon.values()),
            "honest_by_category": hon_by_cat, "honest_by_group": hon_by_group, "honest_examples": examples,
            "false_certain_deposits_by_why": fdep, "exchange_hot_wallet_outputs": ex_hot}
    # screening of the honest groups and of clean deposit addresses by payer kind
    rng = random.Random(a.seed)
    sets = {}
    for ad, gs in groups.items():
        for g in gs:
            sets.setdefault("group " + g, set()).add(ad)
    stolen_addr = {x["address"] for h in heists for x in h["deposits"]}
    for op, r in deps.items():
        if not r["heist"] and r["address"] not in stolen_addr:
            sets.setdefault("clean deposit: " + payer_kind(r["payer_id"]), set()).add(r["address"])
    scr_res = {}
    os.makedirs(a.work, exist_ok=True)
    for name in sorted(sets):
        lst = sorted(x for x in sets[name] if addr.get(x, ("", ""))[1] not in ("thief",))
        rng.shuffle(lst)
        lst = lst[:a.per_group]
        if not lst:
            continue
        path = os.path.join(a.work, "alt9-screen.txt")
        with open(path, "w") as f:
            f.write("\n".join(lst) + "\n")
        outp = run_json(a.bin, ["screen", "--file", path, "--store", a.store, "--labels", scr, "--json"])
        n = fl = 0
        ex = []
        for line in outp.splitlines():
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
                if len(ex) < 3:
                    ex.append(x.get("address"))
        scr_res[name] = {"screened": n, "flagged": fl, "examples": ex}
    res["screen"] = scr_res
    for hn, x in res["heists"].items():
        print("%s: honest persons given certain value %d (%.8f BTC), probable only %d (%.8f BTC probable)"
              % (hn, x["honest_persons_certain"], x["honest_certain_sat"] / 1e8, x["honest_persons_probable_only"],
                 x["honest_probable_sat"] / 1e8))
        for g, v in sorted(x["honest_by_group"].items()):
            print("   group %-28s %s" % (g, v))
        for why, v in sorted(x["false_certain_deposits_by_why"].items()):
            print("   false certain deposit: %-60s %d (%.8f BTC) e.g. %s" % (why, v["outputs"], v["certain_sat"] / 1e8,
                                                                           v["examples"][:1]))
        print("   exchange hot wallet outputs given value: %s" % x["exchange_hot_wallet_outputs"])
    for name, v in sorted(scr_res.items()):
        print("screen %-75s %d / %d flagged %s" % (name, v["flagged"], v["screened"], v["examples"][:1]))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
