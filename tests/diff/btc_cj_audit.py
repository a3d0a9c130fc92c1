#!/usr/bin/python3
"""btc_cj_audit.py TAG BIN NAME:WORLD:STORE ... : per-kind CoinJoin / Tx0 precision and recall,
and every misfire by true shape, of one binary's `patterns build` on each world (any generator
that writes docs/GEN.md's truth layout).

The store is never written: a shadow dir of symlinks (every entry but patterns.*) gets the
build. Truth: truth/coinjoins.csv (kind), tx0s.csv, and for the shape of everything else
thief_txs.csv, lookalikes.csv, txs.csv (kind or activity), withdrawals.csv.
Work dir: $CJ_AUDIT_WORK (default ./cj-audit): sh/TAG/NAME (the shadow, with its flags) and
aud/TAG/NAME.json (figures, misfires, misses); one line per world on stdout.
btc_cj_audit.py --diff TAGA TAGB NAME:WORLD[:STORE] ...: every tx whose flags, rule or score
differ between two tags' builds, grouped by true shape and change, with an example txid.
Standard library only (Debian's /usr/bin/python3); stop 24's figures: docs/PATTERNS.md."""
import csv, json, os, struct, subprocess, sys, collections

ROOT = os.path.abspath(os.environ.get("CJ_AUDIT_WORK", "cj-audit"))
FLAGS = ["coinjoin", "whirlpool", "wasabi1", "wasabi2", "joinmarket", "peel_chain", "fan_out",
         "fan_in", "coinbase", "tx0", "coinjoin_probable"]
RULES = ["none", "coinbase", "whirlpool-pool-denomination", "equal-mix", "wasabi2-denominations",
         "equal-output-round", "joinmarket-subset-sum", "joinmarket-structure", "tx0-op-return",
         "tx0-premix-fee", "probable-coinjoin", "peel-run", "shape", "peel-run-short",
         "peel-run-end", "peel-run-branch", "stonewall"]
KINDS = ["wasabi1", "wasabi2", "joinmarket", "whirlpool"]
CJMASK = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 9) | (1 << 10)


def col(path):
    b = open(path, "rb").read()
    return memoryview(b)[64:]


def names(f):
    return [FLAGS[i] for i in range(len(FLAGS)) if f >> i & 1]


def shadow(tag, name, store, binp):
    d = os.path.join(ROOT, "sh", tag, name)
    os.makedirs(d, exist_ok=True)
    for e in os.listdir(store):
        if e.startswith("patterns") or e == "txflags.col":
            continue
        p = os.path.join(d, e)
        if not os.path.lexists(p):
            os.symlink(os.path.join(os.path.abspath(store), e), p)
    r = subprocess.run([binp, "patterns", "build", "--store", d, "--json"], capture_output=True,
                       text=True)
    if r.returncode:
        sys.exit("%s: patterns build: %s" % (name, r.stderr[-400:]))
    return d


def read_flags(d):
    m = dict(l.split() for l in open(os.path.join(d, "patterns.manifest")) if l.strip())
    ntx = int(dict(l.split(None, 1) for l in open(os.path.join(d, "MANIFEST")) if " " in l)["txs"])
    f = col(os.path.join(d, "patterns.%s" % m["gen"], "txflags.col"))
    x = col(os.path.join(d, "txid.col"))
    flags = struct.unpack_from("<%dI" % ntx, f)
    txid = [bytes(x[i * 32:i * 32 + 32])[::-1].hex() for i in range(ntx)]
    return txid, flags


def truth(world):
    T = os.path.join(world, "truth")
    def rows(n):
        p = os.path.join(T, n)
        return list(csv.DictReader(open(p))) if os.path.exists(p) else []
    shape, cj = {}, {}
    for r in rows("withdrawals.csv"):
        shape[r["txid"]] = "withdrawal:" + r.get("kind", "")
    for r in rows("txs.csv"):
        shape[r["txid"]] = r.get("kind") or r.get("activity") or "?"
    for r in rows("lookalikes.csv"):
        shape[r["txid"]] = "lookalike:" + r["kind"]
    for r in rows("thief_txs.csv"):
        shape[r["txid"]] = "thief:" + r["kind"]
    tx0 = set()
    for r in rows("tx0s.csv"):
        tx0.add(r["txid"])
        shape[r["txid"]] = "tx0"
    for r in rows("coinjoins.csv"):
        cj[r["txid"]] = r["kind"]
        shape[r["txid"]] = "cj:" + r["kind"]
    return shape, cj, tx0


def ratio(a, b):
    return round(a / b, 4) if b else None


def audit(tag, binp, spec):
    name, world, store = spec.split(":")
    d = shadow(tag, name, store, binp)
    txid, flags = read_flags(d)
    shape, cj, tx0 = truth(world)
    res = {"world": world, "store": store, "txs": len(txid), "kinds": {}, "misfires": {}}
    idx = {t: i for i, t in enumerate(txid)}
    missing = [t for t in list(cj) + list(tx0) if t not in idx]
    res["truth_missing_in_store"] = len(missing)
    fl = {t: flags[i] for t, i in idx.items()}
    def has(t, b):
        return bool(fl.get(t, 0) >> FLAGS.index(b) & 1)
    for k in KINDS + ["tx0"]:
        tr = [t for t, kk in cj.items() if kk == k] if k != "tx0" else list(tx0)
        hit = sum(has(t, k) for t in tr)
        flagged = [t for t in txid if has(t, k)]
        tp = sum(1 for t in flagged if (cj.get(t) == k if k != "tx0" else t in tx0))
        res["kinds"][k] = {"true": len(tr), "flagged": len(flagged), "recall": ratio(hit, len(tr)),
                           "precision": ratio(tp, len(flagged)), "false": len(flagged) - tp,
                           "missed": len(tr) - hit}
    tr = list(cj)
    flagged = [t for t in txid if has(t, "coinjoin")]
    tp = sum(1 for t in flagged if t in cj)
    res["kinds"]["coinjoin"] = {"true": len(tr), "flagged": len(flagged),
                                "recall": ratio(sum(has(t, "coinjoin") for t in tr), len(tr)),
                                "precision": ratio(tp, len(flagged)), "false": len(flagged) - tp}
    res["kinds"]["tx0_as_coinjoin"] = sum(
        1 for t in tx0 if fl.get(t, 0) & 0b11111)
    # misfires: a flag on a tx of another true shape (coinjoin_probable: any tx that is not a
    # true CoinJoin), by (flag, true shape, rule), with examples
    mis = collections.defaultdict(list)
    for i, t in enumerate(txid):
        f = flags[i]
        if not f & CJMASK:
            continue
        rule = RULES[f >> 24] if (f >> 24) < len(RULES) else str(f >> 24)
        s = shape.get(t, "other")
        for k in KINDS + ["tx0", "coinjoin", "coinjoin_probable"]:
            if not f >> FLAGS.index(k) & 1:
                continue
            ok = (cj.get(t) == k if k in KINDS else t in tx0 if k == "tx0" else
                  t in cj if k == "coinjoin" else t in cj)
            if not ok:
                mis["%s | %s | %s" % (k, s, rule)].append(t)
    res["misfires"] = {k: {"n": len(v), "ex": v[:4]} for k, v in sorted(mis.items())}
    # recall misses by kind and what they got
    miss = collections.defaultdict(list)
    for t, k in list(cj.items()) + [(t, "tx0") for t in tx0]:
        if k in KINDS + ["tx0"] and t in fl and not has(t, k):
            f = fl[t]
            miss["%s -> %s (%s)" % (k, ",".join(names(f & 0xffff)) or "-",
                                    RULES[f >> 24] if (f >> 24) < len(RULES) else f >> 24)].append(t)
    res["misses"] = {k: {"n": len(v), "ex": v[:3]} for k, v in sorted(miss.items())}
    out = os.path.join(ROOT, "aud", tag)
    os.makedirs(out, exist_ok=True)
    json.dump(res, open(os.path.join(out, name + ".json"), "w"), indent=1)
    line = " ".join("%s %s/%s" % (k, v["recall"], v["precision"]) for k, v in res["kinds"].items()
                    if isinstance(v, dict) and (v["true"] or v["flagged"]))
    print("%s %s: %s | tx0-as-cj %d | probable-cj misfires %d" % (
        tag, name, line, res["kinds"]["tx0_as_coinjoin"],
        sum(v["n"] for k, v in res["misfires"].items() if k.startswith("coinjoin_probable"))))
    sys.stdout.flush()


def diff(ta, tb, name, world):
    a = read_flags(os.path.join(ROOT, "sh", ta, name))
    b = read_flags(os.path.join(ROOT, "sh", tb, name))
    shape, cj, tx0 = truth(world)
    ch = collections.Counter()
    ex = {}
    for i, t in enumerate(a[0]):
        fa, fb = a[1][i], b[1][i]
        if fa == fb:
            continue
        def show(f):
            r = RULES[f >> 24] if (f >> 24) < len(RULES) else str(f >> 24)
            return "%s(%s %d)" % (",".join(names(f & 0xffff)) or "-", r, f >> 16 & 0xff)
        key = "%s: %s -> %s" % (shape.get(t, "other"), show(fa), show(fb))
        ch[key] += 1
        ex.setdefault(key, t)
    for k, n in ch.most_common():
        print("  %s %5d  %s  e.g. %s" % (name, n, k, ex[k]))
    if not ch:
        print("  %s: no tx's flags changed" % name)


if __name__ == "__main__":
    if sys.argv[1] == "--diff":
        ta, tb = sys.argv[2:4]
        for spec in sys.argv[4:]:
            n, w = spec.split(":")[:2]
            diff(ta, tb, n, w)
    else:
        tag, binp = sys.argv[1:3]
        for spec in sys.argv[3:]:
            audit(tag, binp, spec)
