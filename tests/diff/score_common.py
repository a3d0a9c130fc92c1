"""score_common.py: what the outside worlds' scorers share (tests/diff/btc_alt4_score.py ...
btc_alt8_score.py, btc_shapes_score.py, evm_alt6_score.py, evm_alt7_score.py): truth CSV
reading, the scorers' common options and JSON output, the forward FIFO trace from a heist and the
walk over its traced outputs, flag counts per true shape, `screen --json` lines, and on EVM
worlds the honest persons a trace names (held, cash-out, through).

A scorer runs as `python3 tests/diff/X_score.py` from any folder; it finds this module with
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import score_common as sc
and scripts/eval_btc.py (the CLI, API and truth helpers) as `sc.eval_btc`. Standard library only
(Debian's /usr/bin/python3). Nothing here decides a figure's meaning: each scorer keeps its own
buckets and wording, so that its output stays what it was.
"""
import argparse
import csv
import glob
import json
import os
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import eval_btc  # noqa: E402

# the flags `tx --json` gives that the Bitcoin scorers count per true shape, and of those the
# ones that call a transaction a CoinJoin
FLAGS = ["coinjoin", "coinjoin_probable", "whirlpool", "tx0", "joinmarket", "wasabi1", "wasabi2", "peel_chain"]
CJ_FLAGS = ("coinjoin", "coinjoin_probable", "whirlpool", "joinmarket", "wasabi1", "wasabi2")


# ---- truth files

def rows(tdir, name, required=False):
    """the rows of truth file tdir/name as dicts; [] when it is absent (unless required)"""
    p = os.path.join(tdir, name)
    if not required and not os.path.exists(p):
        return []
    with open(p, newline="") as f:
        return list(csv.DictReader(f))


def outpoint(r):
    """"txid:vout" of a truth row with txid and vout columns"""
    return "%s:%s" % (r["txid"], r["vout"])


def ratio(a, b, digits=4):
    """a / b rounded, None when b is 0"""
    return round(a / b, digits) if b else None


# ---- the Bitcoin scorers' command line and output

def world_parser(doc=None):
    """the options every scorer of an eval_btc.py run takes: --world --store --bin --work --out"""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--world", required=True)
    ap.add_argument("--store", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True, help="eval_btc.py's WORK (its investigator.db, screening.db)")
    ap.add_argument("--out", help="the figures' JSON, also printed")
    return ap


def emit(res, out=None):
    """print the figures as indented JSON (sorted keys) and write them to out too"""
    print(json.dumps(res, indent=1, sort_keys=True))
    if out:
        with open(out, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)


# ---- the truth of a world's heist

class Heist:
    """the truth of a world's first heist (truth/heists.json and the CSVs beside it): the thief's
    entities (thief, and thief2 that withdrew from services), its true deposits, service deposits
    (with service), payments to honest parties, and the coins services paid it (withdrawals.csv)"""

    def __init__(self, world, service=False, wd_required=False):
        self.tdir = os.path.join(world, "truth")
        self.truth = eval_btc.load_truth(self.tdir)
        self.addr = self.truth["addr"]
        h = self.h = self.truth["heists"][0]
        self.thief, self.thief2 = str(h["thief_entity"]), str(h["withdrawn_entity"])
        self.true_dep = {x["outpoint"] for x in h["deposits"]}
        self.service = {x["outpoint"]: x for x in h.get("service_deposits", [])} if service else {}
        self.honest_ops = {x["outpoint"]: x for x in h.get("honest_payments", [])}
        self.wd = rows(self.tdir, "withdrawals.csv", required=wd_required)
        self.wd_ops = {outpoint(r) for r in self.wd}

    def rows(self, name, required=False):
        return rows(self.tdir, name, required)

    def shapes(self, mark_thief=False, tx0=False, required=False):
        """txid -> true shape: lookalikes.csv kinds (the first row of a txid), then every CoinJoin
        kind (coinjoins.csv) and with tx0 every "tx0"; mark_thief appends " (the thief's)" to
        the heist's own"""
        shape = {}
        for r in self.rows("lookalikes.csv", required):
            shape.setdefault(r["txid"], r["kind"])
        mark = lambda r: " (the thief's)" if mark_thief and r["heist"] else ""  # noqa: E731
        for r in self.truth["coinjoins"]:
            shape[r["txid"]] = r["kind"] + mark(r)
        for r in self.truth["tx0s"] if tx0 else ():
            shape[r["txid"]] = "tx0" + mark(r)
        return shape

    def bucket(self, o, payment="the thief's payment"):
        """the truth's bucket of a traced output o (traced_outputs) when it is the heist's: a true
        deposit, a service deposit, a payment to an honest party, the thief's own coin, coins a
        service paid the thief; None for anything else"""
        if o.op in self.true_dep:
            return "true deposit"
        if o.op in self.service:
            return "the thief's service deposit (%s)" % self.service[o.op]["kind"]
        if o.op in self.honest_ops:
            return "%s to an honest party (%s)" % (payment, self.honest_ops[o.op]["kind"])
        if o.ent == self.thief:
            return "the thief's own coin"
        if o.ent == self.thief2 or o.op in self.wd_ops:
            return "coins a service paid the thief (withdrawals.csv)"
        return None


# ---- the forward FIFO trace and its outputs

def trace_args(heist, store, labels):
    """`trace` from every stolen output of heist: the FIFO model, forward, the whole graph"""
    args = ["trace"]
    for s in heist["stolen_outputs"]:
        args += ["--from", s["outpoint"]]
    return args + ["--store", store, "--labels", labels, "--model", "fifo", "--direction", "forward",
                   "--graph", "100000000", "--top", "5"]


def forward_trace(cli, heist, labels):
    """the forward FIFO trace's JSON document (eval_btc.CLI)"""
    return cli.json(trace_args(heist, cli.store, labels))


class Out:
    """one traced output of the trace's graph: traced value t = certain c + probable p"""
    __slots__ = ("tx", "out", "t", "c", "p", "op", "txid", "address", "ent", "cat", "name")


def traced_outputs(d, addr):
    """every output of the trace d's graph that carries traced value, in graph order, with the
    truth owner (entity, category, name; "?" when addr does not know the address)"""
    for tx in d.get("graph", []):
        for out in tx.get("outputs", []):
            t = out.get("traced", 0) or 0
            if not t:
                continue
            o = Out()
            o.tx, o.out, o.t = tx, out, t
            o.p = eval_btc.probable_part(out, tx)
            o.c = t - o.p
            o.op = out["outpoint"]
            o.txid = o.op.split(":")[0]
            o.address = out.get("address")
            o.ent, o.cat, o.name = addr.get(o.address, ("?", "?", "?"))
            yield o


def add_bucket(buckets, key, c, p):
    """count one output of c certain and p probable sat in buckets[key]"""
    b = buckets.setdefault(key, {"outputs": 0, "certain_sat": 0, "probable_sat": 0})
    b["outputs"] += 1
    b["certain_sat"] += c
    b["probable_sat"] += p


def path_to(graph, txid, kind_of):
    """the trace's txs back from txid to the theft, following each tx's largest traced input"""
    p, seen = [], set()
    while txid in graph and txid not in seen:
        seen.add(txid)
        tx = graph[txid]
        p.append({"txid": txid, "kind": kind_of(txid), "coinjoin_rule": tx.get("coinjoin_rule")})
        ins = sorted(tx.get("inputs", []), key=lambda i: -(i.get("traced", 0) or 0))
        if not ins:
            break
        txid = ins[0]["outpoint"].split(":")[0]
    return p


def honest_split(res, honest, certain_max, probable_max):
    """the honest outputs given value (dicts with "certain", "shape"): certain ones (any certain
    sat) and probable-only ones, counted, summed, listed (the first N) and counted per shape"""
    hc = [x for x in honest if x["certain"] > 0]
    hp = [x for x in honest if x["certain"] == 0]
    res["honest_certain_outputs"] = len(hc)
    res["honest_certain_sat"] = sum(x["certain"] for x in hc)
    res["honest_probable_outputs"] = len(hp)
    res["honest_certain"] = hc[:certain_max]
    res["honest_probable"] = hp[:probable_max]
    by_shape = {}
    for x in honest:
        e = by_shape.setdefault(x["shape"], {"certain": 0, "probable": 0})
        e["certain" if x["certain"] else "probable"] += 1
    res["honest_outputs_by_shape"] = by_shape


# ---- flags per true shape

def flags_by_shape(api, kinds, keep=None, each=None, flags=FLAGS):
    """`tx --json` flags of every tx of kinds (txid -> true kind), in txid order: per kind, txs
    and how many carry each of flags. keep(kind, n) (n: the how-manyth tx of its kind) skips a tx
    when false; each(txid, kind, flagset) sees every tx looked up."""
    per, looked = {}, {}
    for txid, k in sorted(kinds.items()):
        looked[k] = looked.get(k, 0) + 1
        if keep and not keep(k, looked[k]):
            continue
        fl = set(api.get("tx/" + txid).get("flags") or [])
        e = per.setdefault(k, {"txs": 0})
        e["txs"] += 1
        for f in flags:
            if f in fl:
                e[f] = e.get(f, 0) + 1
        if each:
            each(txid, k, fl)
    return per


# ---- screening

def screen_lines(text):
    """the address lines of `screen --json` output (errors left out)"""
    for line in text.splitlines():
        if not line.strip():
            continue
        x = json.loads(line)
        if "error" not in x:
            yield x


def screen_file(cli, labels, path, addrs):
    """write addrs to path, one a line, and screen them (labels: a labels db); the lines"""
    with open(path, "w") as f:
        f.write("\n".join(addrs) + "\n")
    p = cli.run(["screen", "--file", path, "--store", cli.store, "--labels", labels, "--json"], ok=(0, 3))
    return list(screen_lines(p.stdout))


def theft_share(x):
    """the share of a screened address's exposure in category theft"""
    return sum(e.get("share", 0) for e in x.get("exposure", []) if e.get("category") == "theft")


def flagged(x):
    """whether a screen line is flagged (its "flagged", else any theft exposure)"""
    return x["flagged"] if "flagged" in x else theft_share(x) > 0


def screen_groups(cli, labels, work, groups, name="alt7-counterparts.txt"):
    """one `screen` of every group's addresses; per group: certain = the line's "flag" is "flag"
    (a certain share over the threshold, pooled or per deposit), probable = any other flag;
    flagged addresses listed (8 a group) with each flag's rule and paths"""
    res = {g: {"addresses": 0, "flagged_certain": 0, "flagged_probable": 0, "examples": []} for g in groups}
    allad = sorted({x for lst in groups.values() for x in lst})
    if not allad:
        return res
    lines = {x.get("address"): x for x in screen_file(cli, labels, os.path.join(work, name), allad)}
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


# ---- EVM worlds: the command line, the truth, the honest persons a trace names

def take_opt(args, name, many=False):
    """remove `name VALUE` from args (every one when many) and return VALUE (a list when many;
    None or [] when absent)"""
    got = []
    while name in args:
        i = args.index(name)
        got.append(args[i + 1])
        del args[i:i + 2]
        if not many:
            break
    return got if many else (got[0] if got else None)


def truth_reader(world):
    """rd(name): the rows of WORLD/truth/name"""
    return lambda name: rows(os.path.join(world, "truth"), name, required=True)


def tx_parties(world, ends):
    """from the world's transactions / traces / token_transfers CSVs, for the txs on the ends'
    paths and arrivals: sender[tx] (the tx's from; tx + "/tok": the token senders), recv[tx]
    (who received value in it) and senders[tx] (everyone who sent value in it)"""
    want = set()
    for e in ends:
        want |= set(x for x in e.get("path", []) if x)
        want |= {a["tx"] for a in e.get("arrivals", [])}
    sender, recv, senders = {}, defaultdict(set), defaultdict(set)
    for kind in ("transactions", "traces", "token_transfers"):
        for f in sorted(glob.glob(world + "/**/%s*.csv" % kind, recursive=True)):
            for r in csv.DictReader(open(f)):
                h = r.get("hash") or r["transaction_hash"]
                if h not in want:
                    continue
                if kind == "transactions":
                    sender[h] = r["from_address"]
                    senders[h].add(r["from_address"])
                    if int(r["value"] or 0):
                        recv[h].add(r["to_address"])
                elif kind == "traces":
                    if r["status"] == "1" and int(r["value"] or 0) and r["trace_address"]:
                        recv[h].add(r["to_address"])
                        senders[h].add(r["from_address"])
                else:
                    if int(r["value"]):
                        recv[h].add(r["to_address"])
                    sender.setdefault(h + "/tok", set()).add(r["from_address"])
                    senders[h].add(r["from_address"])
    return sender, recv, senders


def named_persons(world, ends, person, third_party=False):
    """the persons (a set of addresses) the trace's ends name as holding or passing stolen value,
    in evm_alt3_honest.py's ways: `held` (a held end at it), `cash-out` (it sent an end's
    arrival), `through` (it received on a path and sent later on it); a way is certain when any
    end naming it so is. Dust ends at persons are counted apart per dust rule (not a holding).
    With third_party, an end of kind third_party (received, not held) names no one: its persons
    are returned apart (address -> received certain).
    Returns named {address: {way: certain}}, why {address: (way, end)} (the first), dust_at
    {rule: addresses}, third {address: certain}."""
    sender, recv, senders = tx_parties(world, ends)
    named = defaultdict(dict)
    why = {}

    def mark(a, way, certain, e):
        if a in person:
            named[a][way] = named[a].get(way, False) or certain
            why.setdefault(a, (way, e))

    dust_at = defaultdict(set)
    third = {}
    for e in ends:
        if e["kind"] == "dust":
            if e["address"] in person:
                dust_at[(e.get("dust") or {}).get("rule", "?")].add(e["address"])
            continue
        cert = not e.get("probable")
        if third_party and e["kind"] == "third_party":  # received stolen value, not named a holder
            if e["address"] in person:
                third[e["address"]] = third.get(e["address"], False) or cert
            continue
        if e["kind"] == "held":
            mark(e["address"], "held", cert, e)
        else:
            for arr in e.get("arrivals", []):
                for s in {sender.get(arr["tx"])} | sender.get(arr["tx"] + "/tok", set()):
                    mark(s, "cash-out", cert, e)
        path = []
        for h in e.get("path", []):
            if h and h not in path:
                path.append(h)
        for i, h in enumerate(path):
            later = set().union(*(senders.get(x, set()) for x in path[i + 1:])) if i + 1 < len(path) else set()
            for a in recv.get(h, ()):
                if (a == e["address"] and e["kind"] == "held") or (a != e["address"] and a in later):
                    mark(a, "through", cert, e)
    return named, why, dust_at, third
