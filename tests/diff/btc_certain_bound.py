#!/usr/bin/python3
"""btc_certain_bound.py: the most forward FIFO deposit recall a trace that stops certain value at
every CoinJoin can reach on one generated world, beside what `trace` finds (issue 11, Build 3).

  btc_certain_bound.py --world DIR --store STORE --bin CHAINWATCH --work DIR
                       [--labels DB] [--out FIG.json] [--gap N] [--honest]

The world is in docs/GEN.md's layout (blocks/ with blk*.dat, xor.dat if obfuscated; truth/
heists.json, coinjoins.csv, deposits.csv, addresses.csv; thief_txs.csv, lookalikes.csv,
tx0s.csv, withdrawals.csv, mixer_payouts.csv when the generator writes them). Standard library
only: the blocks are read here (best chain by work order of the longest branch, stale blocks
left out), the store only through the CLI.

Per heist:
* stolen deposits (truth: heists.json "deposits");
* **bound**: those reachable from the stolen outputs along spends that pass no CoinJoin (truth
  coinjoins.csv: every kind, two-party ones too); the walk ends at exchange-owned outputs (a
  deposit is where a path ends);
* the rest: reachable only through a mix, or not even so (past an exchange's custody: an
  exchange's withdrawal paid the thief, who deposited it elsewhere);
* of the bound, those reachable through **the thief's own transactions only** (every tx on the
  path spends a coin of the thief's entities, heists.json thief_entity / withdrawn_entity): the
  rest pass a service's or an honest person's wallet (a custodial mixer, a processor, an
  exchange's withdrawal, a merchant's refund...), where a FIFO order is a judgement;
* found by the forward FIFO trace (the eval_btc.py command: --model fifo --direction forward, the
  investigator's labels without users and thieves), certain (certain sat > 0) and probable only;
* the gap: stolen deposits in the bound the trace does not find certain, each with the shape of
  its path (the truth kind of every tx on it: thief_txs / lookalikes / tx0s / coinjoins /
  withdrawals / mixer payouts, or the category of its inputs' owner);
* amounts per exchange: the certain error; the value of the stolen deposits outside the bound
  (mix-borne); the certain error over the bound's deposits alone; and what is left of it once the
  probable part the trace puts on those deposits is counted (value that joined their path from a
  mix: a post-mix coin spent beside a certain one). Is the error all mix-borne? Then the last is 0;
* honest outputs with certain value: outputs the trace gives certain value that are not the
  thief's (truth) and that no spend path without a CoinJoin reaches from the theft (a party the
  thief paid, and that party's later coins, did receive stolen value: counted apart as
  "paid_certain"; an honest output of a mix the thief joined did not): must be none (--honest
  lists them).
"""
import argparse
import collections
import csv
import hashlib
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from btc_alt6_world import b58check, segwit_addr  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from eval_btc import probable_part, read_csv  # noqa: E402

def address(spk, net):
    hrp, p2pkh, p2sh = {"main": ("bc", 0, 5), "mainnet": ("bc", 0, 5), "test": ("tb", 111, 196),
                        "testnet": ("tb", 111, 196), "signet": ("tb", 111, 196)}.get(net, ("bcrt", 111, 196))
    if len(spk) == 25 and spk[:3] == b"\x76\xa9\x14" and spk[23:] == b"\x88\xac":
        return b58check(bytes([p2pkh]) + spk[3:23])
    if len(spk) == 23 and spk[:2] == b"\xa9\x14" and spk[22] == 0x87:
        return b58check(bytes([p2sh]) + spk[2:22])
    if len(spk) >= 4 and (spk[0] == 0 or 0x51 <= spk[0] <= 0x60) and spk[1] == len(spk) - 2 and 2 <= spk[1] <= 40:
        return segwit_addr(hrp, 0 if spk[0] == 0 else spk[0] - 0x50, spk[2:])
    return None


def varint(b, i):
    c = b[i]
    if c < 0xFD:
        return c, i + 1
    if c == 0xFD:
        return struct.unpack_from("<H", b, i + 1)[0], i + 3
    if c == 0xFE:
        return struct.unpack_from("<I", b, i + 1)[0], i + 5
    return struct.unpack_from("<Q", b, i + 1)[0], i + 9


def parse_block(b, net):
    """(hash, prev, [(txid, [prevout], [(value, address)])]) of one serialised block."""
    h = hashlib.sha256(hashlib.sha256(b[:80]).digest()).digest()[::-1].hex()
    prev = b[4:36][::-1].hex()
    n, i = varint(b, 80)
    txs = []
    for _ in range(n):
        start = i
        i += 4
        segw = b[i] == 0 and b[i + 1] == 1
        if segw:
            i += 2
        body0 = i
        nin, i = varint(b, i)
        ins = []
        for _ in range(nin):
            ins.append("%s:%d" % (b[i:i + 32][::-1].hex(), struct.unpack_from("<I", b, i + 32)[0]))
            i += 36
            ln, i = varint(b, i)
            i += ln + 4
        nout, i = varint(b, i)
        outs = []
        for _ in range(nout):
            v = struct.unpack_from("<q", b, i)[0]
            ln, i = varint(b, i + 8)
            outs.append((v, address(b[i:i + ln], net)))
            i += ln
        body1 = i
        if segw:
            for _ in range(nin):
                k, i = varint(b, i)
                for _ in range(k):
                    ln, i = varint(b, i)
                    i += ln
        lock = b[i:i + 4]
        i += 4
        raw = b[start:start + 4] + b[body0:body1] + lock if segw else b[start:i]
        txid = hashlib.sha256(hashlib.sha256(raw).digest()).digest()[::-1].hex()
        if nin == 1 and ins[0].startswith("0" * 64):
            ins = []  # coinbase
        txs.append((txid, ins, outs))
    return h, prev, txs


def read_chain(bdir, net):
    """Every tx of the best chain (the longest branch), in chain order."""
    key = b""
    if os.path.exists(os.path.join(bdir, "xor.dat")):
        key = open(os.path.join(bdir, "xor.dat"), "rb").read()
    blocks = {}
    for fn in sorted(f for f in os.listdir(bdir) if f.startswith("blk") and f.endswith(".dat")):
        raw = open(os.path.join(bdir, fn), "rb").read()
        data = raw
        if key and any(key):
            kk = (key * (len(raw) // len(key) + 1))[:len(raw)]
            data = (int.from_bytes(raw, "little") ^ int.from_bytes(kk, "little")).to_bytes(len(raw), "little")
        i = 0
        while i + 8 <= len(data):
            if raw[i:i + 8] == bytes(8) or data[i:i + 8] == bytes(8):
                break  # a zero tail (Core 28 leaves its preallocated tail raw)
            magic, size = struct.unpack_from("<II", data, i)
            h, prev, txs = parse_block(data[i + 8:i + 8 + size], net)
            blocks[h] = (prev, txs)
            i += 8 + size
    height = {}

    def hgt(h):
        path = []
        while h in blocks and h not in height:
            path.append(h)
            h = blocks[h][0]
        base = height.get(h, -1)
        for x in reversed(path):
            base += 1
            height[x] = base
        return height.get(path[0], base) if path else height.get(h, -1)
    for h in blocks:
        hgt(h)
    tip = max(blocks, key=lambda x: height[x])
    chain = []
    while tip in blocks:
        chain.append(tip)
        tip = blocks[tip][0]
    for h in reversed(chain):
        for tx in blocks[h][1]:
            yield tx


def tx_kinds(tdir, heists):
    """txid -> the truth's kind of it (the first file naming it wins: a mix is a mix)."""
    kind = {}
    for r in read_csv(os.path.join(tdir, "coinjoins.csv")):
        kind.setdefault(r["txid"], "MIX:" + r["kind"])
    for r in read_csv(os.path.join(tdir, "tx0s.csv")):
        kind.setdefault(r["txid"], "tx0")
    for r in read_csv(os.path.join(tdir, "thief_txs.csv")):
        kind.setdefault(r["txid"], "thief:" + r["kind"])
    for r in read_csv(os.path.join(tdir, "lookalikes.csv")):
        kind.setdefault(r["txid"], r["kind"])
    for r in read_csv(os.path.join(tdir, "withdrawals.csv")):
        kind.setdefault(r["txid"], "withdrawal:" + r.get("kind", ""))
    for r in read_csv(os.path.join(tdir, "mixer_payouts.csv")):
        kind.setdefault(r["txid"], "mixer_payout")
    for h in heists:
        for t in h.get("thief_txids", []):
            kind.setdefault(t, "thief")
    return kind


def run_trace(binary, store, labels, srcs):
    args = [binary, "trace"]
    for s in srcs:
        args += ["--from", s]
    args += ["--store", store, "--labels", labels, "--model", "fifo", "--direction", "forward",
             "--graph", "100000000", "--top", "5", "--json"]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("trace failed (%d): %s" % (p.returncode, p.stderr.strip()[:500]))
    return json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True)
    ap.add_argument("--store", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--labels", help="the investigator's labels (default: made in --work from the truth)")
    ap.add_argument("--out")
    ap.add_argument("--name")
    ap.add_argument("--gap", type=int, default=12, help="gap deposits printed with their path")
    ap.add_argument("--honest", action="store_true", help="list honest outputs with certain value")
    a = ap.parse_args()
    tdir = os.path.join(a.world, "truth")
    wj = json.load(open(os.path.join(tdir, "world.json")))
    net = wj.get("network", "regtest")
    heists = json.load(open(os.path.join(tdir, "heists.json")))
    addr = {}
    with open(os.path.join(tdir, "addresses.csv"), newline="") as f:
        for r in csv.DictReader(f):
            addr[r["address"]] = (r["entity_id"], r["category"], r["entity_name"])
    mixes = {r["txid"] for r in read_csv(os.path.join(tdir, "coinjoins.csv"))}
    kind = tx_kinds(tdir, heists)
    os.makedirs(a.work, exist_ok=True)
    labels = a.labels or os.path.join(a.work, "investigator.db")
    if not a.labels and not os.path.exists(labels):
        subprocess.run([a.bin, "labels", "import", "gen-truth", os.path.join(tdir, "addresses.csv"), "--db", labels,
                        "--exclude", "individual,theft", "--quiet"], check=True)
    # the chain: outputs, spender of each outpoint
    outs = {}
    spender = {}
    ins_of = {}
    for txid, ins, o in read_chain(os.path.join(a.world, "blocks"), net):
        outs[txid] = o
        ins_of[txid] = ins
        for p in ins:
            spender[p] = txid
    EXCH = ("exchange", "exchange_deposit", "exchange_hot", "exchange_cold")

    def owner(op):
        t, v = op.rsplit(":", 1)
        o = outs.get(t)
        if not o or int(v) >= len(o):
            return None
        return addr.get(o[int(v)][1])

    res = {"world": a.world, "name": a.name or os.path.basename(os.path.abspath(a.world)),
           "generator": wj.get("generator"), "seed": wj.get("seed"), "scale": wj.get("scale"),
           "txs": len(outs), "heists": []}
    for h in heists:
        thief = {str(h.get(k)) for k in ("thief_entity", "withdrawn_entity", "cashout_entity") if h.get(k) is not None}
        srcs = [s["outpoint"] for s in h["stolen_outputs"]]
        true_dep = {d["outpoint"]: d for d in h["deposits"]}

        def thief_tx(t):
            for p in ins_of.get(t, []):
                w = owner(p)
                if w and w[0] in thief:
                    return True
            return False
        # 0-1 BFS: cost = txs on the path not spending a thief coin; a mix is never passed
        best = {}
        parent = {}
        dq = collections.deque()
        for s in srcs:
            best[s] = 0
            parent[s] = None
            dq.append(s)
        while dq:
            op = dq.popleft()
            c = best[op]
            w = owner(op)
            if op not in srcs and (op in true_dep or (w and w[1] in EXCH)):
                continue  # an exchange output ends the path
            t = spender.get(op)
            if t is None or t in mixes:
                continue
            step = 0 if thief_tx(t) else 1
            for i in range(len(outs[t])):
                nop = "%s:%d" % (t, i)
                nc = c + step
                if nop not in best or nc < best[nop]:
                    best[nop] = nc
                    parent[nop] = op
                    if step:
                        dq.append(nop)
                    else:
                        dq.appendleft(nop)
        bound = {o for o in true_dep if o in best}
        # the same walk through mixes too: a stolen deposit it does not reach either came to the
        # thief past an exchange's custody (a withdrawal to the thief), not through a mix
        seen = set(srcs)
        stack = list(srcs)
        while stack:
            op = stack.pop()
            w = owner(op)
            if op not in srcs and (op in true_dep or (w and w[1] in EXCH)):
                continue
            t = spender.get(op)
            if t is None:
                continue
            for i in range(len(outs[t])):
                nop = "%s:%d" % (t, i)
                if nop not in seen:
                    seen.add(nop)
                    stack.append(nop)
        via_mix = {o for o in true_dep if o in seen} - bound
        own = {o for o in bound if best[o] == 0}
        d = run_trace(a.bin, a.store, labels, srcs)
        cert = {}
        prob = {}
        cert_out = []
        pall = {}
        for tx in d.get("graph", []):
            for out in tx.get("outputs", []):
                t = out.get("traced", 0) or 0
                if not t or out.get("dusting"):
                    continue
                pp = probable_part(out, tx)
                pall[out["outpoint"]] = pp
                if t - pp > 0:
                    cert[out["outpoint"]] = t - pp
                    cert_out.append((out, tx))
                elif pp > 0:
                    prob[out["outpoint"]] = pp
        found_c = {o for o in true_dep if o in cert}
        found_p = {o for o in true_dep if o in prob}

        def path_of(op):
            p = []
            while parent.get(op) is not None:
                op = parent[op]
                t = spender[op]
                w = None
                if t not in kind:
                    ws = {owner(q) for q in ins_of[t]}
                    w = ",".join(sorted({x[1] for x in ws if x} or {"?"}))
                p.append((t, kind.get(t) or ("honest(%s)" % w)))
            return list(reversed(p))

        def shape(p):
            """the path's shape: the kinds in order, runs of one kind folded (peel*12)."""
            s = []
            for _, k in p:
                if s and s[-1][0] == k:
                    s[-1][1] += 1
                else:
                    s.append([k, 1])
            return " > ".join(k if n == 1 else "%s*%d" % (k, n) for k, n in s)
        gap = sorted(bound - found_c, key=lambda o: (best[o], o))
        gap_rows = []
        by_shape = collections.Counter()
        for o in gap:
            p = path_of(o)
            sh = shape([x for x in p if not x[1].startswith("thief")]) or "thief-only: " + shape(p)
            by_shape[sh] += 1
            gap_rows.append({"outpoint": o, "value_sat": true_dep[o].get("value_sat") or true_dep[o].get("amount_sat"),
                             "exchange": true_dep[o].get("exchange"), "probable": o in found_p,
                             "own_path": best[o] == 0, "shape": shape(p), "path": p})
        # amounts per exchange: certain, and certain over the bound's deposits alone
        tot = collections.Counter()
        tot_b = collections.Counter()
        got = collections.Counter()
        got_b = collections.Counter()
        for o, dd in true_dep.items():
            v = dd.get("value_sat") or dd.get("amount_sat") or 0
            tot[dd["exchange"]] += v
            if o in bound:
                tot_b[dd["exchange"]] += v
        for out, tx in cert_out:
            w = addr.get(out.get("address"))
            if not w or w[1] not in EXCH:
                continue
            v = cert[out["outpoint"]]
            got[w[2]] += v
            if out["outpoint"] in bound:
                got_b[w[2]] += v
        prob_b = collections.Counter()
        for o in bound:
            prob_b[true_dep[o]["exchange"]] += pall.get(o, 0)
        err = {e: abs(got[e] - tot[e]) / tot[e] for e in tot if tot[e]}
        err_b = {e: abs(got_b[e] - tot_b[e]) / tot_b[e] for e in tot_b if tot_b[e]}
        # the bound's deposits with the probable part the trace puts on them (value that joined
        # their path from a mix, e.g. a post-mix coin spent beside a certain one): what is left
        # is the certain rules' own error
        err_r = {e: abs(got_b[e] + prob_b[e] - tot_b[e]) / tot_b[e] for e in tot_b if tot_b[e]}
        honest = []
        paid = 0
        for out, tx in cert_out:
            w = addr.get(out.get("address"))
            if out["outpoint"] in true_dep or (w and w[0] in thief):
                continue
            if out["outpoint"] in best:
                paid += 1  # the thief paid this party (or its coin descends from such a payment)
                continue
            honest.append((out["outpoint"], w[1] if w else "?", w[2] if w else "?", cert[out["outpoint"]], tx["txid"]))
        hr = {"heist": h["name"], "stolen_deposits": len(true_dep), "bound": len(bound), "bound_own_txs": len(own),
              "mix_borne": len(via_mix), "past_custody": len(true_dep) - len(bound) - len(via_mix),
              "certain": len(found_c), "certain_in_bound": len(found_c & bound),
              "certain_outside_bound": len(found_c - bound), "probable_only": len(found_p - found_c),
              "gap": len(gap), "gap_own_txs": sum(1 for o in gap if best[o] == 0), "gap_by_shape": dict(by_shape),
              "gap_rows": gap_rows, "exchange_error": err, "exchange_error_bound": err_b,
              "exchange_sat": dict(tot), "exchange_sat_bound": dict(tot_b), "certain_sat": dict(got),
              "certain_sat_bound": dict(got_b), "probable_sat_bound": dict(prob_b), "exchange_error_residual": err_r, "honest_certain": honest, "paid_certain": paid}
        res["heists"].append(hr)
        n = len(true_dep)
        print("%s %s: stolen deposits %d; bound (no mix) %d = %.3f (thief's txs only %d = %.3f); only through a mix %d,"
              " past an exchange's custody %d; certain %d = %.3f (in bound %d, outside %d); probable only %d;"
              " gap %d (%d on the thief's own txs)"
              % (res["name"], h["name"], n, len(bound), len(bound) / n, len(own), len(own) / n, hr["mix_borne"],
                 hr["past_custody"], len(found_c), len(found_c) / n, len(found_c & bound), len(found_c - bound),
                 len(found_p - found_c), len(gap), hr["gap_own_txs"]))
        print("  amount per exchange, certain error: %s; value of its deposits outside the bound (mix-borne): %s;"
              " error over the bound's deposits: %s" % (
                  ", ".join("%s %.2f %%" % (e, 100 * x) for e, x in sorted(err.items())),
                  ", ".join("%s %.2f %%" % (e, 100 * (tot[e] - tot_b[e]) / tot[e]) for e in sorted(err)),
                  ", ".join("%s %.2f %%" % (e, 100 * x) for e, x in sorted(err_b.items()))))
        print("  of that, left once the probable (mix-borne) part of the bound's deposits is counted: %s" % (
            ", ".join("%s %.2f %%" % (e, 100 * x) for e, x in sorted(err_r.items()))))
        for sh, k in by_shape.most_common():
            print("  gap %4d  %s" % (k, sh[:300]))
        for r in gap_rows[:a.gap]:
            print("   %s %s sat at %s%s: %s" % (r["outpoint"], r["value_sat"], r["exchange"],
                                              " (probable)" if r["probable"] else "", r["shape"][:400]))
        print("  honest outputs with certain value no mix-free path reaches: %d (others' outputs a mix-free path"
              " reaches, the thief's payees and their coins: %d)" % (len(honest), paid))
        if a.honest:
            for x in honest[:50]:
                print("   ", x)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
