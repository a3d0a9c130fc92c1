#!/usr/bin/python3
"""btc_alt10_score.py: what an eleventh outside world (tests/diff/btc_alt10_world.py: multi-owner
transactions that are no CoinJoins) asks beyond scripts/eval_btc.py, read from chainwatch's JSON
and the truth files only. Run it after eval_btc.py on the same --work (it uses its
investigator.db and screening.db, and the store's patterns and clusters that run built).

  btc_alt10_score.py --world DIR --store S --bin CHAINWATCH --work EVAL_WORK [--per-kind N]
                     [--per-group N] [--out F.json]

* CoinJoin false flags: every tx of multiparty.csv looked up (`chainwatch serve`, as
  eval_btc.py does); per kind, how many carry a CoinJoin flag (coinjoin, a CoinJoin kind, or
  coinjoin_probable) and every flag seen;
* clusters joined through them: for up to N txs per kind whose inputs belong to two true owners,
  whether the cluster of one input holds another owner's input, and `cluster why` between the
  two: the kinds of the txs on the path (a multiparty.csv kind, else "other tx");
* the thief's clusters: the clusters of the thief's inputs in its multi-party txs, and of its
  stolen outputs: their size and the honest owners (entities by category) they hold;
* the forward FIFO trace from the stolen outputs (eval_btc.py's arguments): honest persons given
  value, certain and probable apart, by where: the outputs heists.json lists as the thief's
  honest payments (the 2-of-2 escrows and channels it paid into, Bisq's trade fees), what those
  paid out (an escrow's payout to the buyer, a channel's close to the node: counterparts.csv), an
  honest peer's own output in the thief's multi-party tx (false: e.g. a node's change), outputs
  past those (by the nearest honest outputs upstream in the trace graph), and honest outputs
  straight from the thief's coins (false);
  deposits given certain value that are not the heist's,
  by payer (the thief's second wallet redepositing what came back to it, honest);
* screening (screening.db) of up to M addresses of each counterparts.csv group, of the honest
  inputs of multi-party txs per kind, and of the clean deposit addresses; flagged = the line's
  `flagged` member, else any theft exposure.
"""
import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import eval_btc  # noqa: E402

DOWNSTREAM = {"bisq_buyer_payout (thief's trade)", "ln_node_close (thief's channel)"}
read_csv = eval_btc.read_csv
CJ_FLAGS = {"coinjoin", "coinjoin_probable", "wasabi1", "wasabi2", "joinmarket", "whirlpool"}


def txids_in(x, out):
    """every "txid" value anywhere in a JSON document"""
    if isinstance(x, dict):
        for k, v in x.items():
            if k == "txid" and isinstance(v, str):
                out.append(v)
            else:
                txids_in(v, out)
    elif isinstance(x, list):
        for v in x:
            txids_in(v, out)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True)
    ap.add_argument("--store", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--per-kind", type=int, default=150)
    ap.add_argument("--per-group", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    tdir = os.path.join(a.world, "truth")
    ents = {r["entity_id"]: (r["name"], r["category"]) for r in read_csv(os.path.join(tdir, "entities.csv"))}
    addr = {r["address"]: (r["entity_id"], r["category"]) for r in read_csv(os.path.join(tdir, "addresses.csv"))}
    heists = json.load(open(os.path.join(tdir, "heists.json")))
    mp = {r["txid"]: r for r in read_csv(os.path.join(tdir, "multiparty.csv"))}
    groups = {}
    for r in read_csv(os.path.join(tdir, "counterparts.csv")):
        groups.setdefault(r["address"], set()).add(r["group"])
    deps = {"%s:%s" % (r["txid"], r["vout"]): r for r in read_csv(os.path.join(tdir, "deposits.csv"))}
    thieves = {e for e, (n, c) in ents.items() if c == "thief"}
    thief2 = {str(h.get("withdrawn_entity")) for h in heists}
    honest_cat = ("user", "merchant", "service", "miner")
    cli = eval_btc.CLI(a.bin, a.store)
    inv = os.path.join(a.work, "investigator.db")
    scr = os.path.join(a.work, "screening.db")
    res = {"world": a.world}

    def owner(ad):
        return addr.get(ad, ("?", "?"))[0]

    api = eval_btc.API(cli, inv, a.work)
    try:
        # ---- CoinJoin flags on the multi-party kinds
        txinfo = {}
        flags = {}
        for t, row in mp.items():
            d = api.get("tx/" + t)
            txinfo[t] = d
            k = row["kind"] + (" (thief)" if row["heist"] else "")
            f = flags.setdefault(k, {"txs": 0, "coinjoin_flagged": 0, "flags": {}, "examples": []})
            f["txs"] += 1
            fl = set(d.get("flags") or [])
            for x in fl:
                f["flags"][x] = f["flags"].get(x, 0) + 1
            if fl & CJ_FLAGS:
                f["coinjoin_flagged"] += 1
                if len(f["examples"]) < 3:
                    f["examples"].append({"txid": t, "flags": sorted(fl)})
        res["flags_by_kind"] = flags
        # ---- clusters joined through them
        by_kind = {}
        for t, row in sorted(mp.items()):
            by_kind.setdefault(row["kind"] + (" (thief)" if row["heist"] else ""), []).append(t)
        joins = {}
        honest_inputs = {}
        for k, txs in sorted(by_kind.items()):
            rng.shuffle(txs)
            j = joins.setdefault(k, {"checked": 0, "joined": 0, "through": {}, "examples": []})
            for t in txs[:a.per_kind]:
                ins = [i.get("address") for i in txinfo[t].get("inputs", []) if i.get("address") in addr]
                for x in ins:
                    if owner(x) not in thieves:
                        honest_inputs.setdefault(k, set()).add(x)
                if len({owner(x) for x in ins}) < 2:
                    continue
                j["checked"] += 1
                cid, mem = eval_btc.cluster_members(cli, api, ins[0])
                mem = set(mem)
                other = [x for x in ins[1:] if x in mem and owner(x) != owner(ins[0])]
                if not other:
                    continue
                j["joined"] += 1
                wy = cli.json(["cluster", "why", ins[0], other[0], "--store", a.store], ok=(0, 3)) or {}
                on = txids_in(wy.get("steps") or [], [])
                ks = sorted({mp[x]["kind"] if x in mp else "other tx" for x in on}) or ["(no path)"]
                key = " + ".join(ks)
                j["through"][key] = j["through"].get(key, 0) + 1
                if len(j["examples"]) < 3:
                    j["examples"].append({"txid": t, "a": ins[0], "b": other[0], "path_txids": on[:6],
                                          "rules": sorted({s.get("heuristic", "?") for s in wy.get("steps") or []
                                                           if isinstance(s, dict)})})
        res["cluster_joins"] = joins
        # ---- the thief's clusters
        seen = {}
        starts = []
        for h in heists:
            starts += [s["address"] for s in h["stolen_outputs"]]
        for t, row in mp.items():
            if row["heist"]:
                starts += [i.get("address") for i in txinfo[t].get("inputs", []) if owner(i.get("address")) in thieves]
        for ad in starts:
            cid, mem = eval_btc.cluster_members(cli, api, ad)
            if cid is None or cid in seen:
                continue
            seen[cid] = mem
        hon = {}
        hon_groups = {}
        ex = []
        for cid, mem in seen.items():
            for m in mem:
                e, cat = addr.get(m, ("?", "?"))
                if e in thieves or e == "?":
                    continue
                hon.setdefault(cat, set()).add(e)
                for g in groups.get(m, {"(no group)"}):
                    hon_groups[g] = hon_groups.get(g, 0) + 1
                if len(ex) < 5:
                    ex.append({"cluster": cid, "address": m, "entity": ents.get(e, ("?",))[0]})
        res["thief_clusters"] = {"clusters": len(seen), "largest": max((len(m) for m in seen.values()), default=0),
                                 "addresses": sum(len(m) for m in seen.values()),
                                 "honest_entities_by_category": {c: len(v) for c, v in sorted(hon.items())},
                                 "honest_addresses_by_group": hon_groups, "examples": ex}
    finally:
        api.close()
    # ---- the forward trace
    for h in heists:
        args = ["trace"]
        for s in h["stolen_outputs"]:
            args += ["--from", s["outpoint"]]
        args += ["--store", a.store, "--labels", inv, "--model", "fifo", "--direction", "forward",
                 "--graph", "100000000", "--top", "5"]
        d = cli.json(args)
        mine = {x["outpoint"] for x in h["deposits"]}
        shared_ops = {x["outpoint"] for x in h.get("honest_payments", [])}
        persons = {}
        fdep = {}
        examples = []
        thief_mp = set(h.get("multiparty_txids", []))
        out_tx = {}
        for tx in d.get("graph", []):
            for out in tx.get("outputs", []):
                out_tx[out.get("outpoint")] = tx
        memo = {}

        def where(op, depth=0):
            """why an output holds traced value: the thief's payment into a shared output, what a
            shared output paid out, an honest peer's own output in the thief's multi-party tx, an
            output past one of those (the nearest honest outputs upstream), or straight from the
            thief's own coins"""
            if op in memo:
                return memo[op]
            tx = out_tx.get(op, {})
            ad = next((o.get("address") for o in tx.get("outputs", []) if o.get("outpoint") == op), None)
            hon = addr.get(ad, ("?", "?"))[1] in honest_cat
            if op in shared_ops:
                r = "the thief's payment (a shared output, a trade fee)"
            elif hon and op.split(":")[0] in thief_mp:
                r = "an honest peer's own output in the thief's multi-party tx (false)"
            elif hon and groups.get(ad, set()) & DOWNSTREAM:
                r = "paid out of a shared output (escrow payout, channel close)"
            else:
                up = set()
                if depth < 400:
                    for i in tx.get("inputs", []):
                        if (i.get("traced") or 0) > 0 and i.get("outpoint") in out_tx:
                            up.add(where(i["outpoint"], depth + 1))
                if any("honest peer" in x for x in up):
                    r = "past an honest peer's own output in the thief's multi-party tx (false)"
                elif any(x.startswith(("paid out", "past a shared", "the thief's payment")) for x in up):
                    r = "past a shared output's payout (the buyer, the node spending on)"
                elif not hon:
                    r = "the thief's"
                else:
                    r = "straight from the thief's coins (false)"
            memo[op] = r
            return r

        for tx in sorted(d.get("graph", []), key=lambda t: (t.get("height") or 0, t.get("hop") or 0)):
            for out in tx.get("outputs", []):
                t = out.get("traced", 0) or 0
                ad = out.get("address")
                if not t or ad not in addr:
                    continue
                e, cat = addr[ad]
                pp = eval_btc.probable_part(out, tx)
                cer = t - pp
                op = out.get("outpoint")
                if cat in honest_cat:
                    side = where(op)
                    x = persons.setdefault(side, {}).setdefault(e, [0, 0])
                    x[0] += cer
                    x[1] += pp
                    if "(false)" in side and cer and len(examples) < 10:
                        examples.append({"outpoint": op, "address": ad, "entity": ents[e][0], "category": cat,
                                         "certain_sat": cer, "why": side, "groups": sorted(groups.get(ad, []))})
                elif cat == "exchange_deposit" and cer and op not in mine:
                    p = deps.get(op, {}).get("payer_id")
                    why = ("the thief's second wallet (returned coins)" if p in thief2 else
                           "honest deposit (%s), %s" % (ents.get(p, ("?", "?"))[1], where(op)))
                    f = fdep.setdefault(why, {"outputs": 0, "certain_sat": 0, "examples": []})
                    f["outputs"] += 1
                    f["certain_sat"] += cer
                    if len(f["examples"]) < 3:
                        f["examples"].append(op)
        summ = {}
        for side, pm in persons.items():
            summ[side] = {"persons_certain": sum(1 for v in pm.values() if v[0] > 0),
                          "certain_sat": sum(v[0] for v in pm.values()),
                          "persons_probable_only": sum(1 for v in pm.values() if v[0] == 0 and v[1] > 0),
                          "probable_sat": sum(v[1] for v in pm.values())}
        res.setdefault("trace", {})[h["name"]] = {"honest_persons": summ, "other_examples": examples,
                                                  "false_certain_deposits_by_why": fdep}
    # ---- screening
    sets = {}
    for ad, gs in groups.items():
        for g in gs:
            sets.setdefault("group " + g, set()).add(ad)
    for k, s in honest_inputs.items():
        sets["honest inputs of " + k] = s
    stolen_addr = {x["address"] for h in heists for x in h["deposits"]}
    for op, r in deps.items():
        if not r["heist"] and r["address"] not in stolen_addr:
            kind = "the thief's second wallet" if r["payer_id"] in thief2 else ents.get(r["payer_id"], ("?", "?"))[1]
            sets.setdefault("clean deposit by " + kind, set()).add(r["address"])
    scr_res = {}
    for name in sorted(sets):
        lst = sorted(x for x in sets[name] if addr.get(x, ("", ""))[1] != "thief")
        rng.shuffle(lst)
        lst = lst[:a.per_group]
        if not lst:
            continue
        path = os.path.join(a.work, "alt10-screen.txt")
        with open(path, "w") as f:
            f.write("\n".join(lst) + "\n")
        p = cli.run(["screen", "--file", path, "--store", a.store, "--labels", scr, "--json"], ok=(0, 3))
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
            if x["flagged"] if "flagged" in x else theft > 0:
                fl += 1
                if len(ex) < 3:
                    ex.append(x.get("address"))
        scr_res[name] = {"screened": n, "flagged": fl, "examples": ex}
    res["screen"] = scr_res
    # ---- report
    print("CoinJoin flags on multi-party txs that are no CoinJoins:")
    for k, f in sorted(flags.items()):
        print("  %-28s %5d txs, %5d CoinJoin-flagged  flags %s %s" % (k, f["txs"], f["coinjoin_flagged"],
                                                                     json.dumps(f["flags"], sort_keys=True),
                                                                     f["examples"][:1]))
    print("clusters holding two true owners' inputs of one multi-party tx (cluster why: kinds on the path):")
    for k, j in sorted(joins.items()):
        print("  %-28s %4d of %4d joined  %s  e.g. %s" % (k, j["joined"], j["checked"], json.dumps(j["through"], sort_keys=True),
                                                         j["examples"][:1]))
    tc = res["thief_clusters"]
    print("the thief's clusters: %d, largest %d addresses; honest entities in them %s; by group %s" % (
        tc["clusters"], tc["largest"], tc["honest_entities_by_category"], json.dumps(tc["honest_addresses_by_group"], sort_keys=True)))
    for hn, x in res["trace"].items():
        print("trace %s: honest persons %s" % (hn, json.dumps(x["honest_persons"], sort_keys=True)))
        for e in x["other_examples"][:3]:
            print("   honest given certain value, false: %s" % e)
        for why, v in sorted(x["false_certain_deposits_by_why"].items()):
            print("   certain deposit not the heist's: %-45s %d (%.8f BTC) e.g. %s" % (why, v["outputs"], v["certain_sat"] / 1e8,
                                                                                 v["examples"][:1]))
    for name, v in sorted(scr_res.items()):
        print("screen %-62s %d / %d flagged %s" % (name, v["flagged"], v["screened"], v["examples"][:1]))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
