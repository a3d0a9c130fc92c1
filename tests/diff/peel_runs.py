#!/usr/bin/python3
"""peel_runs.py: what separates true peel chains from honest wallets that spend their own change.

  peel_runs.py runs STORE WORLD OUT.json   the flagged peel runs of STORE (its newest
                                           patterns.N/txflags.col) and the truth chains of WORLD
  peel_runs.py table OUT.json...           per world: distributions (p10/p50/p90) of every run
                                           feature, true runs against false ones, and hop
                                           precision / recall when only runs passing a candidate
                                           rule keep the flag
  peel_runs.py links STORE WORLD           the flagged hops whose remainder a 1-2-input,
                                           2-4-output tx spends (what `cluster build --change
                                           peel` names as change): how many pay another owner
                                           (truth), and how many of those have a remainder of
                                           another script type than the input while a peel
                                           has the input's; prints those pairs' addresses
  peel_runs.py grid OUT.json...            every single feature and every pair (AND) at the
                                           threshold that maximises the worst world's
                                           min(precision, recall): is there any run-level rule
                                           that holds on every world at once?
  peel_runs.py heldout FAM=OUT.json,OUT.json... FAM=...
                                           leave one family (generator) out: on the other
                                           families choose the rule (one condition, or two
                                           ANDed, over the features below but `own`) with the
                                           best worst-family hop precision among those keeping
                                           hop recall >= min(0.9, every run's - 0.02) on each;
                                           print its precision and recall on the family left
                                           out, for each family; then the same with a linear
                                           score, and each feature's best rule in-sample

A run is a connected set of `peel_chain` txs, linked when one spends an output of another. It is
true when most of its hops are truth hops (truth/peel_chains.csv, heist and honest chains alike).
Per run: `n` hops; `gap` median and `maxgap` largest blocks between consecutive hops; `frac` mean
peel fraction (1 - remainder / outputs); `ratio` median remainder / largest peel; `start` the BTC
entering its first hop; destinations of its peels: `again` share at addresses paid more than
once (a deposit account or a merchant's standing address), `sweep` share spent by a tx of >= 5
inputs (swept or consolidated with many others), `unsp` share still unspent; `cont` share of
hops whose remainder has its input's script type; `split` whether its first hop spends a tx of
>= 3 outputs (the split of a larger coin); `own` share of hops whose remainder address has the
truth owner of the hop's first input address (the change `--change peel` names is the payer's own:
1.0 for an honest wallet's change chain as for a thief's); `fsd` the spread (standard deviation)
of the peel fractions; `remerge` share of peels spent together with another output of the run;
`rfresh` share of hops whose remainder is its address's first payment; `multi` share of hops with
>= 2 inputs; `fanin` inputs of the tx paying the first hop (a wallet's merged receipts or one
coin); `pfresh` share of peels to an address paid only then; `pround` share of peels of a multiple
of 100,000 sat; `pdist` distinct peel addresses per peel; `feecv` the fees' coefficient of
variation along the run (a fee-rate proxy for 1-in 2-out hops). Truth chains (flagged or not) get
the same features in `truth`. Reads the store's columns directly (docs/STORE-FORMAT.md); Debian's
/usr/bin/python3.
"""
import collections
import csv
import glob
import itertools
import json
import os
import statistics as st
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_check import b58check, segwit_addr  # noqa: E402

NONE = 0xFFFFFFFF
VMASK = (1 << 56) - 1


def load(store):
    def col(n):
        return open(os.path.join(store, n + ".col"), "rb").read()[64:]

    T, I, O, B = col("txs"), col("ins"), col("outs"), col("blocks")
    nt, ni, no = len(T) // 24, len(I) // 12, len(O) // 16
    s = {"nt": nt}
    s["fi"] = [int.from_bytes(T[24 * t : 24 * t + 5], "little") for t in range(nt)] + [ni]
    s["fo"] = [int.from_bytes(T[24 * t + 5 : 24 * t + 10], "little") for t in range(nt)] + [no]
    s["ins"] = [struct.unpack_from("<II", I, 12 * i) for i in range(ni)]
    s["outs"] = [struct.unpack_from("<QII", O, 16 * o) for o in range(no)]
    H = [0] * nt
    for r in range(len(B) // 160):
        ft, n = struct.unpack_from("<QI", B, 160 * r + 128)
        h = struct.unpack_from("<I", B, 160 * r + 148)[0]
        for t in range(ft, ft + n):
            H[t] = h
    s["h"] = H
    s["cnt"] = collections.Counter(x[1] for x in s["outs"] if x[1] != NONE)
    s["first"] = {}
    for o in range(no - 1, -1, -1):
        s["first"][s["outs"][o][1]] = o
    tid = col("txid")
    s["addrs"] = col("addrs")
    s["idx"] = {tid[i * 32 : (i + 1) * 32][::-1].hex(): i for i in range(nt)}
    gens = glob.glob(os.path.join(store, "patterns.*", "txflags.col"))
    F = open(max(gens, key=lambda p: int(p.split("patterns.")[1].split("/")[0])), "rb").read()[64:]
    s["peel"] = {t for t in range(len(F) // 4) if struct.unpack_from("<I", F, 4 * t)[0] >> 5 & 1}
    return s


def addr_str(s, a):
    k = s["addrs"][44 * a : 44 * a + 44]
    kind, ver, n, data = k[0], k[1], k[2], k[3 : 3 + k[2]]
    if kind == 1:
        return b58check(b"\x6f" + data)
    if kind == 2:
        return b58check(b"\xc4" + data)
    if kind == 3:
        return segwit_addr("bcrt", ver, data)
    return None


def features(s, hs, true, owner=None):
    fi, fo, ins, outs, cnt, H = s["fi"], s["fo"], s["ins"], s["outs"], s["cnt"], s["h"]

    def val(o):
        return outs[o][0] & VMASK

    hs = sorted(hs)
    gaps = [H[hs[i + 1]] - H[hs[i]] for i in range(len(hs) - 1)] or [0]
    fr, ratio, again, sweep, unsp, cont, npeel, own, nown = [], [], 0, 0, 0, 0, 0, 0, 0
    remerge, rfresh, multi, hset = 0, 0, 0, set(hs)
    pfresh, pround, pdest, fees = 0, 0, set(), []
    for t in hs:
        b = max(range(fo[t], fo[t + 1]), key=val)
        tot = sum(val(o) for o in range(fo[t], fo[t + 1]))
        ps = [o for o in range(fo[t], fo[t + 1]) if o != b]
        fr.append(1 - val(b) / tot if tot else 0)
        ratio.append(val(b) / max(1, max([val(o) for o in ps] or [1])))
        for o in ps:
            npeel += 1
            again += cnt[outs[o][1]] > 1
            sp = outs[o][2]
            if sp == NONE:
                unsp += 1
            else:
                sweep += fi[sp + 1] - fi[sp] >= 5
                remerge += any(ins[i][0] in hset and fo[ins[i][0]] + ins[i][1] != o for i in range(fi[sp], fi[sp + 1]))
        rfresh += s["first"].get(outs[b][1]) == b
        for o in ps:
            pfresh += s["first"].get(outs[o][1]) == o and cnt[outs[o][1]] == 1
            pround += val(o) % 100000 == 0
            pdest.add(outs[o][1])
        sin = sum(val(fo[ins[i][0]] + ins[i][1]) for i in range(fi[t], fi[t + 1]) if ins[i][0] < s["nt"])
        fees.append(sin - tot)
        multi += fi[t + 1] - fi[t] >= 2
        p, v = ins[fi[t]]
        cont += p < s["nt"] and outs[fo[p] + v][0] >> 56 == outs[b][0] >> 56
        if owner and p < s["nt"]:
            a, c = owner.get(addr_str(s, outs[fo[p] + v][1])), owner.get(addr_str(s, outs[b][1]))
            if a and c:
                nown += 1
                own += a == c
    f = hs[0]
    start = sum(val(fo[ins[i][0]] + ins[i][1]) for i in range(fi[f], fi[f + 1]) if ins[i][0] < s["nt"])
    p = ins[fi[f]][0]
    fanin = fi[p + 1] - fi[p] if p < s["nt"] else 0
    npeel = max(1, npeel)
    return {
        "n": len(hs), "tp": sum(t in true for t in hs), "gap": st.median(gaps), "maxgap": max(gaps),
        "frac": st.mean(fr), "ratio": st.median(ratio), "start": start / 1e8, "again": again / npeel,
        "sweep": sweep / npeel, "unsp": unsp / npeel, "cont": cont / len(hs),
        "split": p < s["nt"] and fo[p + 1] - fo[p] >= 3, "fsd": st.pstdev(fr), "remerge": remerge / npeel,
        "pfresh": pfresh / npeel, "pround": pround / npeel, "pdist": len(pdest) / npeel,
        "feecv": (st.pstdev(fees) / st.mean(fees)) if len(fees) > 1 and st.mean(fees) > 0 else 0.0,
        "rfresh": rfresh / len(hs), "multi": multi / len(hs), "fanin": fanin, "own": own / nown if nown else None, "own_k": own, "own_n": nown,
    }


def cmd_runs(store, world, out):
    s = load(store)
    idx, peel, ins, fi = s["idx"], s["peel"], s["ins"], s["fi"]
    rows = [r for r in csv.DictReader(open(os.path.join(world, "truth", "peel_chains.csv"))) if r["txid"] in idx]
    true = {idx[r["txid"]] for r in rows}
    kind = {}
    p = os.path.join(world, "truth", "txs.csv")
    if os.path.exists(p):
        for r in csv.DictReader(open(p)):
            if r["txid"] in idx:
                kind[idx[r["txid"]]] = r.get("kind") or r.get("activity") or "?"  # GEN.md: kind or activity
    owner = {}
    p = os.path.join(world, "truth", "addresses.csv")
    if os.path.exists(p):
        owner = {r["address"]: r["entity_id"] for r in csv.DictReader(open(p)) if r["entity_id"]}
    par = {t: t for t in peel}

    def find(x):
        while par[x] != x:
            par[x] = par[par[x]]
            x = par[x]
        return x

    for t in peel:
        for i in range(fi[t], fi[t + 1]):
            if ins[i][0] in peel:
                par[find(t)] = find(ins[i][0])
    comp = collections.defaultdict(list)
    for t in peel:
        comp[find(t)].append(t)
    runs = []
    for hs in comp.values():
        x = features(s, hs, true, owner)
        x["lab"] = x["tp"] * 2 > x["n"]
        x["kind"] = collections.Counter(kind.get(t, "?") for t in hs).most_common(1)[0][0]
        runs.append(x)
    chains = collections.defaultdict(list)
    for r in rows:
        chains[(r["heist"], r["chain"])].append(idx[r["txid"]])
    truth = []
    for (h, c), hs in chains.items():
        x = features(s, hs, true, owner)
        x["heist"] = bool(h)
        truth.append(x)
    json.dump({"world": os.path.basename(world.rstrip("/")), "ntrue": len(true), "flagged": len(peel),
               "runs": runs, "truth": truth}, open(out, "w"))


FEATS = {"n": ">=", "gap": "<=", "maxgap": "<=", "frac": "<=", "ratio": ">=", "start": ">=",
         "again": ">=", "sweep": ">=", "cont": ">="}
# Candidate rules, each with its economic reason (docs/PATTERNS.md, "Honest change-spenders").
RULES = {
    "h-int (every run)": lambda x: True,
    "fast: median gap <= 2 blocks": lambda x: x["gap"] <= 2,
    "large: start >= 1 BTC": lambda x: x["start"] >= 1,
    "fast and large": lambda x: x["gap"] <= 2 and x["start"] >= 1,
    "long: >= 10 hops, no pause > 42": lambda x: x["n"] >= 10 and x["maxgap"] <= 42,
    "deposit-like peels": lambda x: x["again"] >= 0.3 and x["sweep"] >= 0.5,
}


def pr(d, test):
    keep = [x for x in d["runs"] if test(x)]
    fl = sum(x["n"] for x in keep)
    tp = sum(x["tp"] for x in keep)
    return (tp / fl if fl else 1.0), tp / max(1, d["ntrue"])


def q(xs):
    xs = sorted(xs)
    if not xs:
        return "-"
    return "%.3g / %.3g / %.3g" % (xs[len(xs) // 10], xs[len(xs) // 2], xs[len(xs) * 9 // 10])


def cmd_table(files):
    D = [json.load(open(f)) for f in files]
    for d in D:
        T = [x for x in d["runs"] if x["lab"]]
        F = [x for x in d["runs"] if not x["lab"]]
        print("%s: %d flagged hops, %d truth hops; runs true %d (%d hops), false %d (%d hops); false by kind %s"
              % (d["world"], d["flagged"], d["ntrue"], len(T), sum(x["n"] for x in T), len(F),
                 sum(x["n"] for x in F), dict(collections.Counter(x["kind"] for x in F).most_common(5))))
        print("  %-7s %-26s %-26s %s" % ("p10/50/90", "true runs", "false runs", "truth chains (all)"))
        for k in ("n", "gap", "maxgap", "frac", "ratio", "start", "again", "sweep", "unsp", "cont", "own"):
            def v(R):
                return q([x[k] for x in R if x.get(k) is not None])
            print("  %-9s %-26s %-26s %s" % (k, v(T), v(F), v(d["truth"])))
        print("  %-9s %-26s %-26s %s" % ("split", "%d/%d" % (sum(x["split"] for x in T), len(T)),
                                         "%d/%d" % (sum(x["split"] for x in F), len(F)),
                                         "%d/%d" % (sum(x["split"] for x in d["truth"]), len(d["truth"]))))
        if any(x["own_n"] for x in d["runs"]):
            print("  hops whose remainder is the payer's own (truth owners known): true runs %d of %d, false runs %d of %d"
                  % (sum(x["own_k"] for x in T), sum(x["own_n"] for x in T), sum(x["own_k"] for x in F), sum(x["own_n"] for x in F)))
    print("\nhop precision / recall when only runs passing the rule keep the flag")
    print("| world | " + " | ".join(RULES) + " |")
    print("|---" * (len(RULES) + 1) + "|")
    for d in D:
        print("| %s | " % d["world"] + " | ".join("%.3f / %.3f" % pr(d, r) for r in RULES.values()) + " |")


def mk(f, t):
    return (lambda x: x[f] >= t) if FEATS[f] == ">=" else (lambda x: x[f] <= t)


def cmd_grid(files):
    D = [json.load(open(f)) for f in files]

    def worst(test):
        return min(min(pr(d, test)) for d in D)

    def cands(f):
        vs = sorted({x[f] for d in D for x in d["runs"]})
        return vs[:: max(1, len(vs) // 60)]

    best = []
    for f in FEATS:
        b = max((worst(mk(f, t)), t) for t in cands(f))
        best.append((b[0], "%s %s %.4g" % (f, FEATS[f], b[1])))
    for f, g in itertools.combinations(FEATS, 2):
        b = max((worst(lambda x, a=mk(f, s), c=mk(g, t): a(x) and c(x)), s, t)
                for s in cands(f)[::3] for t in cands(g)[::3])
        best.append((b[0], "%s %s %.4g and %s %s %.4g" % (f, FEATS[f], b[1], g, FEATS[g], b[2])))
    best.sort(reverse=True)
    print("worst world's min(precision, recall) over %d worlds; every run kept: %.3f" % (len(D), worst(lambda x: True)))
    for sc, d in best[:15]:
        print("%.3f  %s" % (sc, d))


HELD = ("n", "gap", "maxgap", "frac", "fsd", "ratio", "start", "again", "sweep", "unsp", "cont", "split",
        "remerge", "rfresh", "multi", "fanin", "pfresh", "pround", "pdist", "feecv")


def cmd_heldout(args):
    """Leave one family out: choose a rule on the other families, measure it on the one left out."""
    fams = {}
    for a in args:
        name, files = a.split("=", 1)
        fams[name] = [json.load(open(f)) for f in files.split(",")]
    names = sorted(fams)
    runs, truth, pos, famm, truem = [], {}, 0, {}, 0
    for name in names:
        truth[name] = sum(d["ntrue"] for d in fams[name])
        famm[name] = 0
        for d in fams[name]:
            for x in d["runs"]:
                span = ((1 << x["n"]) - 1) << pos
                famm[name] |= span
                truem |= ((1 << x["tp"]) - 1) << pos
                runs.append((x, span, name))
                pos += x["n"]

    # the features every run has (runs files of earlier versions lack the newer ones)
    held = tuple(f for f in HELD if all(f in x for x, _, _ in runs))
    if len(held) < len(HELD):
        print("features absent from some runs files, left out: %s" % ", ".join(f for f in HELD if f not in held))

    def stats(m):
        out = {}
        for name in names:
            k = m & famm[name]
            kn, kt = k.bit_count(), (k & truem).bit_count()
            out[name] = (kt / kn if kn else 0.0, kt / max(1, truth[name]))
        return out

    conds = []
    for f in held:
        vs = sorted({float(x[f]) for x, _, _ in runs})
        for t in sorted({vs[i * (len(vs) - 1) // 24] for i in range(25)}):
            for op in ("<=", ">="):
                m = 0
                for x, span, _ in runs:
                    if (x[f] <= t) if op == "<=" else (x[f] >= t):
                        m |= span
                conds.append(("%s %s %.4g" % (f, op, t), m))
    every = (1 << pos) - 1
    rules = [("every run (main)", stats(every))] + [(n, stats(m)) for n, m in conds]
    # a rule must keep hop recall >= 0.9 on a family, or what every run keeps less 0.02 where that
    # is below 0.9 (a family whose flags miss more than a tenth of its hops: btc_alt6's)
    floor = {k: min(0.9, rules[0][1][k][1] - 0.02) for k in names}
    wide = [(n, m) for (n, m), (_, s) in zip(conds, rules[1:]) if sum(s[k][1] >= floor[k] for k in names) >= len(names) - 1]
    for (n1, m1), (n2, m2) in itertools.combinations(wide, 2):
        if n1.split()[0] != n2.split()[0]:
            rules.append((n1 + " and " + n2, stats(m1 & m2)))

    def pick(train):
        # ties go to the simpler rule (one condition before two)
        ok = [(min(s[k][0] for k in train), sum(s[k][0] for k in train), -n.count(" and "), n, s) for n, s in rules
              if all(s[k][1] >= floor[k] for k in train)]
        return max(ok, key=lambda r: r[:3])   # never empty: every run keeps each floor

    print("%d rules (one condition, or two ANDed) over %d runs of %d families" % (len(rules), len(runs), len(names)))
    low = ["%s %.3f" % (k, floor[k]) for k in names if floor[k] < 0.9]
    if low:
        print("recall floor below 0.9 (every run's recall less 0.02): %s" % ", ".join(low))
    print("| held out | rule chosen on the others (recall >= min(0.9, main - 0.02) on each, best worst precision) | "
          "worst training precision | held-out precision / recall | every run (main) |")
    print("|---|---|---|---|---|")
    for h in names:
        lo, _, _, n, s = pick([k for k in names if k != h])
        print("| %s | `%s` | %.3f | **%.3f / %.3f** | %.3f / %.3f |" % (h, n, lo, *s[h], *rules[0][1][h]))
    lo, _, _, n, s = pick(names)
    print("\nin-sample, all families: `%s`: worst precision %.3f (%s)" % (n, lo, ", ".join(
        "%s %.3f / %.3f" % (k, *s[k]) for k in names)))
    for k in names:
        b = max((s[k][0], n, s[k][1]) for n, s in rules if s[k][1] >= floor[k])
        print("in-family ceiling %s: %.3f / %.3f `%s`" % (k, b[0], b[2], b[1]))
    heldout_score(names, runs, truth, held, floor)
    # each feature alone, in-sample on every family at once: the threshold with the best worst
    # precision among those keeping every family's recall above its floor
    print("\nper feature, all families at once (recall floor min(0.9, main - 0.02) on each):")
    print("| feature | best rule | worst precision | per family precision / recall |")
    print("|---|---|---|---|")
    for f in held:
        best = None
        for n, m in conds:
            if n.split()[0] != f:
                continue
            s = stats(m)
            if all(s[k][1] >= floor[k] for k in names):
                key = (min(s[k][0] for k in names), sum(s[k][0] for k in names))
                if best is None or key > best[0]:
                    best = (key, n, s)
        if best is None:
            print("| %s | none keeps the recall | | |" % f)
        else:
            print("| %s | `%s` | %.3f | %s |" % (f, best[1], best[0][0],
                                                ", ".join("%s %.3f / %.3f" % (k, *best[2][k]) for k in names)))


def heldout_score(names, runs, truth, held, floor):
    """The same, with a linear score over every feature of held (logistic regression on standardised
    features, log of counts, sizes and gaps; each training family weighing the same, hops as
    weights); its cut is the highest keeping each training family's recall floor."""
    import math

    logs = {"n", "gap", "maxgap", "ratio", "start", "fanin"}
    X = [[math.log1p(float(x[f])) if f in logs else float(x[f]) for f in held] for x, _, _ in runs]
    fam = [r[2] for r in runs]
    d = len(held)

    def fit(train):
        idx = [i for i in range(len(runs)) if fam[i] in train]
        mu = [sum(X[i][j] for i in idx) / len(idx) for j in range(d)]
        sd = [max(1e-9, math.sqrt(sum((X[i][j] - mu[j]) ** 2 for i in idx) / len(idx))) for j in range(d)]
        fw = collections.Counter()
        for i in idx:
            fw[fam[i]] += runs[i][0]["n"]
        S = []
        for i in idx:
            x = runs[i][0]
            z = [(X[i][j] - mu[j]) / sd[j] for j in range(d)]
            if x["tp"]:
                S.append((z, 1, x["tp"] / fw[fam[i]] / len(train)))
            if x["n"] > x["tp"]:
                S.append((z, 0, (x["n"] - x["tp"]) / fw[fam[i]] / len(train)))
        b = [0.0] * (d + 1)
        for _ in range(150):
            g = [0.0] * (d + 1)
            for z, y, w in S:
                t = max(-30.0, min(30.0, b[d] + sum(b[j] * z[j] for j in range(d))))
                e = (1 / (1 + math.exp(-t)) - y) * w
                for j in range(d):
                    g[j] += e * z[j]
                g[d] += e
            for j in range(d + 1):
                b[j] -= g[j] + (1e-3 * b[j] if j < d else 0)
        return [b[d] + sum(b[j] * (X[i][j] - mu[j]) / sd[j] for j in range(d)) for i in range(len(runs))], b

    def figs(sc, cut, k):
        kt = sum(runs[i][0]["tp"] for i in range(len(runs)) if fam[i] == k and sc[i] >= cut)
        kn = sum(runs[i][0]["n"] for i in range(len(runs)) if fam[i] == k and sc[i] >= cut)
        return (kt / kn if kn else 0.0), kt / max(1, truth[k])

    def cut_for(sc, train):
        cut = None
        for k in train:
            acc = 0
            for v, tp in sorted(((sc[i], runs[i][0]["tp"]) for i in range(len(runs)) if fam[i] == k), reverse=True):
                acc += tp
                if acc >= floor[k] * truth[k]:
                    break
            cut = v if cut is None else min(cut, v)
        return cut

    print("\nlinear score (logistic regression over %s)" % ", ".join(held))
    print("| held out | training precision / recall | held-out precision / recall | largest weights |")
    print("|---|---|---|---|")
    for h in names + [None]:
        train = [k for k in names if k != h]
        sc, b = fit(train)
        cut = cut_for(sc, train)
        top = sorted(zip(b[:d], held), key=lambda w: -abs(w[0]))[:4]
        print("| %s | %s | %s | %s |" % (h or "none (in-sample)", ", ".join("%s %.3f / %.3f" % (k, *figs(sc, cut, k)) for k in train),
                                        "**%.3f / %.3f**" % figs(sc, cut, h) if h else "-", ", ".join("%s %+.2f" % (f, w) for w, f in top)))


def cmd_links(store, world):
    s = load(store)
    fi, fo, ins, outs, idx = s["fi"], s["fo"], s["ins"], s["outs"], s["idx"]
    owner = {r["address"]: r["entity_id"] for r in csv.DictReader(open(os.path.join(world, "truth", "addresses.csv")))
             if r["entity_id"]}
    true = {idx[r["txid"]] for r in csv.DictReader(open(os.path.join(world, "truth", "peel_chains.csv"))) if r["txid"] in idx}
    C = collections.Counter()
    pairs = []
    for t in sorted(s["peel"]):
        b = max(range(fo[t], fo[t + 1]), key=lambda o: outs[o][0] & VMASK)
        sp = outs[b][2]
        p, v = ins[fi[t]]
        if sp == NONE or fi[sp + 1] - fi[sp] > 2 or not 2 <= fo[sp + 1] - fo[sp] <= 4 or p >= s["nt"]:
            continue
        ai, ar = addr_str(s, outs[fo[p] + v][1]), addr_str(s, outs[b][1])
        a, c = owner.get(ai), owner.get(ar)
        if not (a and c):
            continue
        ti = outs[fo[p] + v][0] >> 56
        mism = outs[b][0] >> 56 != ti and any(outs[o][0] >> 56 == ti for o in range(fo[t], fo[t + 1]) if o != b)
        key = ("true" if t in true else "false", "other owner" if a != c else "own", "type mismatch" if mism else "-")
        C[key] += 1
        if a != c:
            pairs.append("%s %s %d" % (ai, ar, mism))
    for k in sorted(C):
        print("%-5s hops, remainder to %-11s %-13s %d" % (*k, C[k]))
    for x in pairs:
        print("pair", x)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "runs":
        cmd_runs(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "links":
        cmd_links(*sys.argv[2:])
    elif len(sys.argv) > 3 and sys.argv[1] == "heldout":
        cmd_heldout(sys.argv[2:])
    elif len(sys.argv) > 2 and sys.argv[1] in ("table", "grid"):
        (cmd_table if sys.argv[1] == "table" else cmd_grid)(sys.argv[2:])
    else:
        sys.exit(__doc__)
