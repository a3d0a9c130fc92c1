#!/usr/bin/python3
"""eval_btc.py: issue 11's acceptance figures for one generated world, from chainwatch's CLI
JSON outputs and the world's ground truth files only (docs/GEN.md layout: truth/addresses.csv,
heists.json, coinjoins.csv, tx0s.csv, peel_chains.csv, deposits.csv), so any generator that
writes the same truth can be measured. scripts/eval-btc.sh drives it over several seeds.

  eval_btc.py --world DIR --store STORE --bin CHAINWATCH --work DIR [--sample N] [--seed S]
              [--out FIGURES.json] [--trace-only] [--trace-arg ARG]... [--prior-heists]

The store must hold the world's blocks (ingested). This script imports the labels, runs
`patterns build`, `cluster build`, `trace` forward from each heist's stolen outputs (FIFO, the
default CoinJoin policy) and `screen` on exchange deposit addresses, then prints and writes:

* forward FIFO deposits: recall and precision over deposit outputs (an output paying an
  exchange deposit address that the trace gives value), certain and probable counted apart
  (an output, or its tx, marked "probable": true, or an output's "probable_traced" sat):
  "certain" counts a deposit with certain value, "certain + probable" one with any value;
  value precision (certain traced value on true stolen deposits / all certain traced value on
  deposits);
* amount per exchange: |traced - true| / true per exchange that received stolen deposits,
  with certain value only and with probable value counted, and the share of the heist
  attributed to the victim exchange (both ways);
  --trace-only measures only these (on a store already built by a full run), --trace-arg
  passes options to `trace` (e.g. --trace-arg=--relink --trace-arg=off); --prior-heists: the
  investigator tracing a heist knows the heists before it (by theft height when every heist
  gives one, else in heists.json order) as theft, their stolen-output addresses labelled
  `theft` (a repeat thief's investigator), each heist's trace with its own labels;
* CoinJoin detection per kind (wasabi1, wasabi2, joinmarket, whirlpool, tx0 when the tool has
  that flag; "coinjoin" over all multi-owner kinds): recall from `tx --json` flags of every
  truth transaction, precision = true flagged / all flagged (`patterns build --json` counts);
  Tx0s flagged "coinjoin" or "joinmarket" (a Tx0 is single-owner);
* clustering: pairwise precision over the distinct multi-address clusters met by --sample
  random addresses (a size-biased sample); for up to --cj-sample CoinJoins per kind, whether
  the cluster of one input holds another owner's input, and whether `cluster why` joins them
  through a true CoinJoin;
* peel chains: precision and recall of the peel_chain flag against peel_chains.csv (all true
  hops; heist hops alone too), and of peel_strong (the chain-level judgement) when the tool
  has it; when the world lists honest change runs apart
  (change_runs.csv), precision with those runs' txs counted as true too (a peel chain read as a
  shape, not as laundering);
* screening (default options): share of stolen deposit addresses flagged and of clean ones
  (all of them, or a sample of --screen-sample), "flagged" = the line's own "flagged" member when the tool
  writes one, else any exposure to category theft; the labels are the truth's without users and
  thieves, plus the heists' stolen-output addresses as "theft" (what a victim publishes);
  apart, the ones not flagged but listed "exposed through a mix" (the line's "through_mix").
"""
import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

KINDS = ["wasabi1", "wasabi2", "joinmarket", "whirlpool"]


class CLI:
    def __init__(self, binary, store):
        self.bin = binary
        self.store = store
        self.calls = 0
        self.seconds = 0.0

    def run(self, args, ok=(0,), stdin=None):
        t = time.time()
        p = subprocess.run([self.bin] + args, capture_output=True, text=True, input=stdin)
        self.calls += 1
        self.seconds += time.time() - t
        if p.returncode not in ok:
            raise RuntimeError("%s: exit %d: %s" % (" ".join(args[:3]), p.returncode, p.stderr.strip()[:500]))
        return p

    def json(self, args, ok=(0,)):
        p = self.run(args + ["--json"], ok)
        return json.loads(p.stdout) if p.stdout.strip() else None


class API:
    """chainwatch serve over the store: tx and cluster look-ups in one process (the same JSON as
    `tx --json` and `cluster show --json`), thousands per second instead of one CLI start each."""

    def __init__(self, cli, labels, work):
        self.cli = cli
        db = os.path.join(work, "api.db")
        if os.path.exists(db):
            os.unlink(db)
        cli.run(["node", "init", "--name", "eval", "--db", db])
        self.key = cli.json(["keys", "add", "eval", "--role", "reader", "--db", db])["key"]
        ready = os.path.join(work, "ready")
        if os.path.exists(ready):
            os.unlink(ready)
        self.proc = subprocess.Popen([cli.bin, "serve", "--db", db, "--store", cli.store, "--labels", labels,
                                      "--listen", "127.0.0.1:0", "--ready-file", ready],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "serve.log"), "w"))
        for _ in range(600):
            if os.path.exists(ready) and open(ready).read().strip():
                break
            if self.proc.poll() is not None:
                raise RuntimeError("chainwatch serve exited: see %s/serve.log" % work)
            time.sleep(0.05)
        self.base = "http://%s/api/v1/chain/" % open(ready).read().strip()
        self.calls = 0

    def get(self, path, missing_ok=False):
        req = urllib.request.Request(self.base + path, headers={"Authorization": "Bearer " + self.key})
        self.calls += 1
        try:
            with urllib.request.urlopen(req, timeout=600) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            if missing_ok and e.code == 404:
                return None
            raise RuntimeError("GET %s: %s %s" % (path, e.code, e.read()[:300]))

    def close(self):
        self.proc.terminate()
        self.proc.wait()


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def ratio(a, b):
    return a / b if b else None


def fmt(x, pct=False, digits=4):
    if x is None:
        return "n/a"
    return ("%.*f %%" % (digits - 2, 100 * x)) if pct else ("%.*f" % (digits, x))


def load_truth(tdir):
    addr = {}
    with open(os.path.join(tdir, "addresses.csv"), newline="") as f:
        r = csv.reader(f)
        head = next(r)
        ia, ie, iname, icat = (head.index(k) for k in ("address", "entity_id", "entity_name", "category"))
        for row in r:
            addr[row[ia]] = (row[ie], row[icat], row[iname])
    heists = json.load(open(os.path.join(tdir, "heists.json")))
    return {
        "addr": addr,
        "heists": heists,
        "coinjoins": read_csv(os.path.join(tdir, "coinjoins.csv")),
        "tx0s": read_csv(os.path.join(tdir, "tx0s.csv")),
        "peel": read_csv(os.path.join(tdir, "peel_chains.csv")),
        "change_runs": read_csv(os.path.join(tdir, "change_runs.csv")),
        "deposits": read_csv(os.path.join(tdir, "deposits.csv")),
    }


def probable_part(out, tx):
    traced = out.get("traced", 0) or 0
    if "probable_traced" in out:
        return min(traced, out["probable_traced"] or 0)
    if out.get("probable") or tx.get("probable"):
        return traced
    return 0


def prior_heists(truth):
    """For each heist (by name), the heists an investigator of a repeat thief knows when it is
    traced: those stolen before it, by `theft_height` when every heist gives one (ties in
    heists.json order), else those listed before it in heists.json."""
    hs = list(enumerate(truth["heists"]))
    if all(h.get("theft_height") is not None for _, h in hs):
        hs.sort(key=lambda ih: (ih[1]["theft_height"], ih[0]))
    return {h["name"]: [p for _, p in hs[:k]] for k, (_, h) in enumerate(hs)}


def prior_labels(cli, truth, inv, work):
    """Per heist name, a label db: the investigator's, plus the stolen-output addresses of the
    heists before it as `theft` (inv itself for a heist with none before it)."""
    out = {}
    for name, prior in prior_heists(truth).items():
        if not prior:
            out[name] = (inv, 0)
            continue
        rows = {}
        for p in prior:
            for s in p["stolen_outputs"]:
                rows.setdefault(s["address"], "theft " + p["name"])
        tag = "".join(c if c.isalnum() else "_" for c in name)
        db = os.path.join(work, "investigator-prior-%s.db" % tag)
        csvp = os.path.join(work, "prior-theft-%s.csv" % tag)
        with open(csvp, "w") as f:
            f.write("address,entity,category\n")
            for a in sorted(rows):
                f.write("%s,%s,theft\n" % (a, rows[a]))
        shutil.copyfile(inv, db)
        cli.run(["labels", "import", "csv", csvp, "--db", db, "--quiet"])
        out[name] = (db, len(rows))
    return out


def eval_trace(cli, truth, labels, res, extra=(), per_heist_labels=None):
    """Certain and certain+probable counted apart: a deposit output is found "certain" when
    the trace gives it certain value, "with probable" when it gives it any value; an output the
    trace marks as a dusting campaign's (`dusting`, ended as dust) is no deposit it names.
    per_heist_labels (prior_labels): each heist traced with its own label db."""
    addr = truth["addr"]
    tp = fp = fn = 0
    atp = afp = afn = 0
    ptp = pfp = 0
    v_true = v_all = 0
    ex_err = []
    ex_err_all = []
    victim_share = []
    victim_share_all = []
    per_heist = []
    for h in truth["heists"]:
        srcs = [s["outpoint"] for s in h["stolen_outputs"]]
        hl, n_prior = per_heist_labels[h["name"]] if per_heist_labels else (labels, None)
        args = ["trace"]
        for s in srcs:
            args += ["--from", s]
        args += ["--store", cli.store, "--labels", hl, "--model", "fifo", "--direction", "forward",
                 "--graph", "100000000", "--top", "5"] + list(extra)
        d = cli.json(args)
        true_dep = {x["outpoint"]: x for x in h["deposits"]}
        certain = {}
        probable = {}
        anyv = {}
        to_ex = {}
        to_ex_all = {}
        for tx in d.get("graph", []):
            for out in tx.get("outputs", []):
                a = out.get("address")
                t = out.get("traced", 0) or 0
                if not t or a not in addr or out.get("dusting"):  # the trace's own "no deposit"
                    continue
                ent, cat, name = addr[a]
                if cat not in ("exchange_deposit", "exchange"):
                    continue
                pp = probable_part(out, tx)
                anyv[out["outpoint"]] = t
                to_ex_all[name] = to_ex_all.get(name, 0) + t
                if t - pp > 0:
                    certain[out["outpoint"]] = t - pp
                    to_ex[name] = to_ex.get(name, 0) + (t - pp)
                elif pp > 0:
                    probable[out["outpoint"]] = pp
        h_tp = sum(1 for o in certain if o in true_dep)
        h_fp = len(certain) - h_tp
        h_fn = sum(1 for o in true_dep if o not in certain)
        tp += h_tp
        fp += h_fp
        fn += h_fn
        a_tp = sum(1 for o in anyv if o in true_dep)
        atp += a_tp
        afp += len(anyv) - a_tp
        afn += sum(1 for o in true_dep if o not in anyv)
        ptp += sum(1 for o in probable if o in true_dep)
        pfp += sum(1 for o in probable if o not in true_dep)
        v_true += sum(v for o, v in certain.items() if o in true_dep)
        v_all += sum(certain.values())
        errs = {}
        errs_all = {}
        for ex, v in h["deposits_by_exchange"].items():
            errs[ex] = abs(to_ex.get(ex, 0) - v) / v
            errs_all[ex] = abs(to_ex_all.get(ex, 0) - v) / v
        ex_err.extend(errs.values())
        ex_err_all.extend(errs_all.values())
        vshare = to_ex.get(h["victim"], 0) / h["amount_sat"]
        victim_share.append(vshare)
        vshare_all = to_ex_all.get(h["victim"], 0) / h["amount_sat"]
        victim_share_all.append(vshare_all)
        rl = (d.get("probable") or {}).get("relinked") or {}
        per_heist.append({"heist": h["name"], "true_deposits": len(true_dep), "found": h_tp, "false": h_fp,
                          "found_with_probable": a_tp, "false_with_probable": len(anyv) - a_tp,
                          "probable": len(probable), "exchange_error": errs,
                          "exchange_error_with_probable": errs_all, "victim_share": vshare,
                          "victim_share_with_probable": vshare_all, "relinked": rl.get("outputs"),
                          "ended_value": d.get("ended_value"), "trace_txs": len(d.get("graph", []))})
        if n_prior is not None:
            per_heist[-1]["prior_theft_addresses"] = n_prior
    res["trace"] = {
        "prior_heists": per_heist_labels is not None,
        "deposit_recall": ratio(tp, tp + fn), "deposit_precision": ratio(tp, tp + fp),
        "deposit_recall_all": ratio(atp, atp + afn), "deposit_precision_all": ratio(atp, atp + afp),
        "value_precision": ratio(v_true, v_all), "probable_deposits": ptp + pfp,
        "probable_true": ptp, "probable_false": pfp,
        "exchange_error_max": max(ex_err) if ex_err else None,
        "exchange_error_max_all": max(ex_err_all) if ex_err_all else None,
        "victim_share_max": max(victim_share) if victim_share else None,
        "victim_share_max_all": max(victim_share_all) if victim_share_all else None,
        "per_heist": per_heist}


def eval_patterns(cli, api, truth, counts, res, rng, cj_sample):
    flagnames = set(counts)
    kinds = {}
    txinfo = {}

    def flags_of(txid):
        if txid not in txinfo:
            txinfo[txid] = api.get("tx/" + txid)
        return set(txinfo[txid].get("flags") or [])

    cj_true = {}
    for row in truth["coinjoins"]:
        cj_true[row["txid"]] = row["kind"]
    n_cj_flag = 0
    per = {}
    for k in KINDS:
        rows = [t for t, kk in cj_true.items() if kk == k]
        hit = sum(1 for t in rows if k in flags_of(t))
        anycj = sum(1 for t in rows if "coinjoin" in flags_of(t))
        flagged = counts.get(k)
        per[k] = {"true": len(rows), "flagged": flagged, "recall": ratio(hit, len(rows)),
                  "precision": ratio(hit, flagged) if flagged is not None else None,
                  "recall_as_coinjoin": ratio(anycj, len(rows))}
        n_cj_flag += anycj
    tx0 = [r["txid"] for r in truth["tx0s"]]
    tx0_cj = sum(1 for t in tx0 if flags_of(t) & {"coinjoin", "joinmarket", "wasabi1", "wasabi2", "whirlpool"})
    tx0_entry = {"true": len(tx0), "flagged_as_coinjoin": tx0_cj, "flagged_as_coinjoin_share": ratio(tx0_cj, len(tx0))}
    if "tx0" in flagnames:
        hit = sum(1 for t in tx0 if "tx0" in flags_of(t))
        tx0_entry.update({"flagged": counts["tx0"], "recall": ratio(hit, len(tx0)), "precision": ratio(hit, counts["tx0"])})
    per["tx0"] = tx0_entry
    all_cj = counts.get("coinjoin")
    per["coinjoin"] = {"true": len(cj_true), "flagged": all_cj, "recall": ratio(n_cj_flag, len(cj_true)),
                       "precision": ratio(n_cj_flag, all_cj) if all_cj is not None else None}
    res["coinjoin"] = per
    # peel chains
    hops = [r for r in truth["peel"]]
    heist_hops = [r for r in hops if r["heist"]]
    hit = sum(1 for r in hops if "peel_chain" in flags_of(r["txid"]))
    hhit = sum(1 for r in heist_hops if "peel_chain" in flags_of(r["txid"]))
    pf = counts.get("peel_chain")
    res["peel"] = {"true_hops": len(hops), "heist_hops": len(heist_hops), "flagged": pf,
                   "recall": ratio(hit, len(hops)), "precision": ratio(hit, pf) if pf is not None else None,
                   "heist_recall": ratio(hhit, len(heist_hops)),
                   "heist_precision": ratio(hhit, pf) if pf is not None else None}
    # the chain-level judgement (peel_strong, stop 29): a peel_chain hop whose chain reads as
    # laundering-like; scored the same ways when the tool has the flag
    if "peel_strong" in flagnames:
        sf = counts.get("peel_strong")
        shit = sum(1 for r in hops if "peel_strong" in flags_of(r["txid"]))
        shhit = sum(1 for r in heist_hops if "peel_strong" in flags_of(r["txid"]))
        res["peel"].update({"strong_flagged": sf, "strong_recall": ratio(shit, len(hops)),
                            "strong_precision": ratio(shit, sf), "strong_heist_recall": ratio(shhit, len(heist_hops)),
                            "strong_heist_precision": ratio(shhit, sf)})
    # a world that lists honest wallets' runs of payments from their change apart from its peel
    # chains (change_runs.csv): precision read both ways, those runs counted as chains too
    runs = {r["txid"] for r in truth["change_runs"]} - {r["txid"] for r in hops}
    if runs and pf is not None:
        chit = sum(1 for t in sorted(runs) if "peel_chain" in flags_of(t))
        res["peel"].update({"change_run_txs": len(runs), "change_run_flagged": chit,
                            "precision_with_change_runs": ratio(hit + chit, pf)})
    return txinfo


def cluster_members(cli, api, a):
    d = api.get("cluster/" + a + "?limit=10000", missing_ok=True)
    if d and (d.get("size") or 0) > len(d.get("members") or []):
        d = cli.json(["cluster", "show", a, "--store", cli.store, "--limit", "100000000"], ok=(0, 3))
    if not d:
        return None, []
    mem = d.get("members") or []
    mem = [m["address"] if isinstance(m, dict) else m for m in mem]
    return d.get("cluster", d.get("id")), mem


def eval_clusters(cli, api, truth, txinfo, res, rng, sample, cj_sample):
    addr = truth["addr"]
    keys = list(addr)
    picks = [keys[rng.randrange(len(keys))] for _ in range(sample)]
    seen = {}
    for a in picks:
        cid, mem = cluster_members(cli, api, a)
        if cid is None or len(mem) < 2 or cid in seen:
            continue
        seen[cid] = mem
    same = pairs = 0
    mixed = []
    for cid, mem in seen.items():
        own = {}
        for m in mem:
            o = addr.get(m, ("?",))[0]
            own[o] = own.get(o, 0) + 1
        n = len(mem)
        pairs += n * (n - 1) // 2
        same += sum(c * (c - 1) // 2 for c in own.values())
        if len(own) > 1:
            mixed.append((cid, mem, own))
    # CoinJoins: does the cluster of one input hold another owner's input?
    cj_true = {r["txid"]: r["kind"] for r in truth["coinjoins"]}
    by_kind = {}
    for t, k in cj_true.items():
        by_kind.setdefault(k, []).append(t)
    checked = joined = through = 0
    examples = []
    for k, txs in sorted(by_kind.items()):
        rng.shuffle(txs)
        for t in txs[:cj_sample]:
            d = txinfo.get(t) or api.get("tx/" + t)
            ins = [i.get("address") for i in d.get("inputs", []) if i.get("address") in addr]
            if len(ins) < 2:
                continue
            checked += 1
            cid, mem = cluster_members(cli, api, ins[0])
            mem = set(mem)
            o0 = addr[ins[0]][0]
            other = [a for a in ins[1:] if a in mem and addr[a][0] != o0]
            if not other:
                continue
            joined += 1
            w = cli.json(["cluster", "why", ins[0], other[0], "--store", cli.store], ok=(0, 3)) or {}
            steps = w.get("steps") or w.get("path") or []
            txs_on = {s.get("txid") for s in steps if isinstance(s, dict)}
            if txs_on & set(cj_true):
                through += 1
                if len(examples) < 5:
                    examples.append({"coinjoin": t, "kind": k, "a": ins[0], "b": other[0]})
    res["cluster"] = {"sampled_addresses": sample, "multi_clusters": len(seen), "pairs": pairs,
                      "pairwise_precision": ratio(same, pairs), "mixed_owner_clusters": len(mixed),
                      "largest_sampled": max((len(m) for m in seen.values()), default=0),
                      "coinjoins_checked": checked, "coinjoins_inputs_joined": joined,
                      "joined_through_coinjoin": through, "examples": examples}


def eval_screen(cli, truth, labels, res, rng, screen_sample, work):
    addr = truth["addr"]
    stolen = set()
    clean = set()
    for r in truth["deposits"]:
        (stolen if r["heist"] else clean).add(r["address"])
    if not truth["deposits"]:
        # a truth without deposits.csv: the stolen ones from heists.json, clean ones unknown
        stolen = {d["address"] for h in truth["heists"] for d in h["deposits"]}
    clean -= stolen
    clean = sorted(clean)
    rng.shuffle(clean)
    if screen_sample > 0:
        clean = clean[:screen_sample]
    stolen = sorted(stolen)
    out = {}
    for name, group in (("stolen", stolen), ("clean", clean)):
        path = os.path.join(work, "screen-%s.txt" % name)
        with open(path, "w") as f:
            f.write("\n".join(group) + "\n")
        p = cli.run(["screen", "--file", path, "--store", cli.store, "--labels", labels, "--json"], ok=(0, 3))
        flagged = flagged1 = mix = n = 0
        for line in p.stdout.splitlines():
            if not line.strip():
                continue
            d = json.loads(line)
            if "error" in d:
                continue
            n += 1
            theft = sum(e.get("share", 0) for e in d.get("exposure", []) if e.get("category") == "theft")
            f1 = d["flagged"] if "flagged" in d else theft > 0
            flagged += bool(f1)
            flagged1 += theft >= 0.01
            mix += bool(d.get("through_mix")) and not f1
        out[name] = {"addresses": len(group), "screened": n, "flagged": flagged, "flagged_share": ratio(flagged, n),
                     "theft_share_ge_1pct": ratio(flagged1, n),
                     "through_mix": mix, "through_mix_share": ratio(mix, n)}
    res["screen"] = out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True)
    ap.add_argument("--store", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--sample", type=int, default=1500)
    ap.add_argument("--cj-sample", type=int, default=150)
    ap.add_argument("--screen-sample", type=int, default=0, help="clean deposit addresses screened (0: all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    ap.add_argument("--name", help="the world's name in the report (default: its directory)")
    ap.add_argument("--trace-only", action="store_true",
                    help="only the forward FIFO trace figures (the store's patterns and labels as left by a full run)")
    ap.add_argument("--trace-arg", action="append", default=[],
                    help="an extra argument for `trace` (repeatable, e.g. --trace-arg=--relink --trace-arg=off)")
    ap.add_argument("--prior-heists", action="store_true",
                    help="trace each heist knowing the heists stolen before it as theft (their stolen-output "
                         "addresses in its labels), as the investigator of a repeat thief")
    a = ap.parse_args()
    t0 = time.time()
    rng = random.Random(a.seed)
    tdir = os.path.join(a.world, "truth")
    truth = load_truth(tdir)
    os.makedirs(a.work, exist_ok=True)
    cli = CLI(a.bin, a.store)
    res = {"world": a.world, "name": a.name or os.path.basename(os.path.abspath(a.world)), "heists": [h["name"] for h in truth["heists"]]}
    # labels: the investigator's (no users, no thieves) and the screening desk's (plus the
    # stolen outputs' addresses as theft, as a victim publishes them)
    inv = os.path.join(a.work, "investigator.db")
    scr = os.path.join(a.work, "screening.db")
    if a.trace_only:
        eval_trace(cli, truth, inv, res, a.trace_arg,
                   prior_labels(cli, truth, inv, a.work) if a.prior_heists else None)
        t = res["trace"]
        for k in sorted(t):
            if k != "per_heist":
                print("  %-28s %s" % (k, t[k]))
        for ph in t["per_heist"]:
            print("  ", json.dumps(ph, sort_keys=True))
        if a.out:
            with open(a.out, "w") as f:
                json.dump(res, f, indent=1, sort_keys=True)
        return 0
    for db in (inv, scr):
        if os.path.exists(db):
            os.unlink(db)
        cli.run(["labels", "import", "gen-truth", os.path.join(tdir, "addresses.csv"), "--db", db,
                 "--exclude", "individual,theft", "--quiet"])
    theft_csv = os.path.join(a.work, "theft.csv")
    with open(theft_csv, "w") as f:
        f.write("address,entity,category\n")
        for h in truth["heists"]:
            for s in h["stolen_outputs"]:
                f.write("%s,%s,theft\n" % (s["address"], "theft " + h["name"]))
    cli.run(["labels", "import", "csv", theft_csv, "--db", scr, "--quiet"])
    pb = cli.json(["patterns", "build", "--store", a.store])
    cb = cli.json(["cluster", "build", "--store", a.store])
    res["patterns_build"] = pb
    res["cluster_build"] = {k: cb.get(k) for k in ("clusters", "largest_cluster", "coinjoin_skipped", "seconds")}
    eval_trace(cli, truth, inv, res, a.trace_arg, prior_labels(cli, truth, inv, a.work) if a.prior_heists else None)
    api = API(cli, inv, a.work)
    try:
        txinfo = eval_patterns(cli, api, truth, pb.get("counts", {}), res, rng, a.cj_sample)
        eval_clusters(cli, api, truth, txinfo, res, rng, a.sample, a.cj_sample)
    finally:
        api.close()
    eval_screen(cli, truth, scr, res, rng, a.screen_sample, a.work)
    res["cli_calls"] = cli.calls
    res["api_calls"] = api.calls
    res["seconds"] = time.time() - t0
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    report([res])
    return 0


def report(results):
    """Prints the figures of one or more worlds (the worst over worlds where it matters)."""
    def col(path):
        vals = []
        for r in results:
            x = r
            for p in path:
                x = x.get(p) if isinstance(x, dict) else None
            vals.append(x)
        return vals

    def worst(path, low=True):
        v = [x for x in col(path) if x is not None]
        if not v:
            return None
        return min(v) if low else max(v)

    def line(label, path, low=True, pct=True, bound=None):
        v = col(path)
        w = worst(path, low)
        each = ", ".join(fmt(x, pct) for x in v)
        ok = ""
        if bound is not None and w is not None:
            ok = "  [%s %s %s]" % ("ok" if (w >= bound if low else w <= bound) else "FAILS",
                                  ">=" if low else "<=", fmt(bound, pct))
        print("  %-58s %s  (worst %s)%s" % (label, each, fmt(w, pct), ok))

    print("worlds: %d (%s)" % (len(results), ", ".join(r.get("name", r["world"]) for r in results)))
    print("forward FIFO trace from the stolen outputs (default CoinJoin policy):")
    if any((r.get("trace") or {}).get("prior_heists") for r in results):
        print("  (--prior-heists: each heist traced knowing the heists before it as theft)")
        for r in results:
            for ph in (r.get("trace") or {}).get("per_heist", []):
                print("  %-58s %s" % ("heist %s: certain / with probable, of true (prior theft addresses)" % ph["heist"],
                                      "%d / %d of %d (%s)" % (ph["found"], ph["found_with_probable"], ph["true_deposits"],
                                                              ph.get("prior_theft_addresses"))))
    line("deposit recall (certain)", ["trace", "deposit_recall"], bound=0.95)
    line("deposit precision (certain)", ["trace", "deposit_precision"], bound=0.95)
    line("deposit recall (certain + probable)", ["trace", "deposit_recall_all"], bound=0.95)
    line("deposit precision (certain + probable)", ["trace", "deposit_precision_all"], bound=0.95)
    line("value precision at deposits (certain)", ["trace", "value_precision"])
    print("  %-58s %s" % ("probable-only deposits (true / false)", ", ".join(
        "%s / %s" % (r["trace"]["probable_true"], r["trace"]["probable_false"]) for r in results)))
    line("amount per exchange, worst error (certain)", ["trace", "exchange_error_max"], low=False, bound=0.01)
    line("amount per exchange, worst error (certain + probable)", ["trace", "exchange_error_max_all"],
         low=False, bound=0.01)
    line("share of the heist attributed to the victim (certain)", ["trace", "victim_share_max"], low=False,
         bound=0.005)
    line("share of the heist to the victim (certain + probable)", ["trace", "victim_share_max_all"], low=False,
         bound=0.005)
    print("CoinJoin detection (precision = true flagged / all flagged):")
    for k in KINDS + ["coinjoin"]:
        line("%s recall" % k, ["coinjoin", k, "recall"], bound=0.95)
        line("%s precision" % k, ["coinjoin", k, "precision"], bound=0.99)
    line("Tx0s flagged as a CoinJoin kind", ["coinjoin", "tx0", "flagged_as_coinjoin_share"], low=False, bound=0.0)
    if any(r["coinjoin"]["tx0"].get("recall") is not None for r in results):
        line("tx0 recall", ["coinjoin", "tx0", "recall"], bound=0.95)
        line("tx0 precision", ["coinjoin", "tx0", "precision"], bound=0.99)
    print("clustering (multi-input, default options):")
    line("pairwise precision (sampled multi-address clusters)", ["cluster", "pairwise_precision"], bound=0.999)
    print("  %-58s %s" % ("CoinJoins whose inputs of two owners share a cluster", ", ".join(
        "%d of %d (%d through a CoinJoin)" % (r["cluster"]["coinjoins_inputs_joined"], r["cluster"]["coinjoins_checked"],
                                             r["cluster"]["joined_through_coinjoin"]) for r in results)))
    print("peel chains (peel_chain flag vs every true hop):")
    line("recall", ["peel", "recall"], bound=0.9)
    line("precision", ["peel", "precision"], bound=0.9)
    line("heist hops recall", ["peel", "heist_recall"])
    line("precision, listed change runs counted as chains", ["peel", "precision_with_change_runs"])
    if any(r["peel"].get("strong_flagged") is not None for r in results):
        line("peel_strong recall (chain-level judgement)", ["peel", "strong_recall"])
        line("peel_strong precision", ["peel", "strong_precision"])
        line("peel_strong heist hops recall", ["peel", "strong_heist_recall"])
        line("peel_strong heist precision", ["peel", "strong_heist_precision"])
    print("  %-58s %s" % ("flags / true hops", ", ".join("%s / %s" % (r["peel"]["flagged"], r["peel"]["true_hops"]) for r in results)))
    print("screening (default options):")
    line("stolen deposit addresses flagged", ["screen", "stolen", "flagged_share"], bound=0.95)
    line("clean deposit addresses flagged", ["screen", "clean", "flagged_share"], low=False, bound=0.02)
    line("clean deposit addresses with theft share >= 1%", ["screen", "clean", "theft_share_ge_1pct"], low=False)
    line("stolen deposit addresses exposed through a mix (no flag)", ["screen", "stolen", "through_mix_share"], low=False)
    line("clean deposit addresses exposed through a mix (no flag)", ["screen", "clean", "through_mix_share"], low=False)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--report":
        sys.exit(report([json.load(open(p)) for p in sys.argv[2:]]) or 0)
    sys.exit(main())
