#!/usr/bin/env bash
# A ninth EVM generator (tests/diff/evm_alt7_world.py, written from issues 13-15 and public
# descriptions of the shapes only, before reading the trace, screening or label code: docs/GEN.md
# "A ninth EVM world": the adversary attacks the watcher) on a small world. Checks:
#  - determinism: the same seed twice gives identical CSV and truth files;
#  - the world carries its shapes: stolen ETH and USDT dust to honest users and to their exchange
#    deposit addresses, zero-value transferFroms of the real USDT naming honest payers, look-alikes
#    with the counterparty's first and last 4 hex digits, contracts with the symbols USDT and USDC
#    at other addresses whose Transfers name the drain recipient, an OFAC-listed address and honest
#    users who signed nothing as senders, gifts to public figures, approvals, EIP-2612 permits and
#    Permit2 pulls draining honest users;
#  - the store holds the generator's ledger (every 12th account, NFT items counted); `check`
#    counts the fake tokens' senders below zero;
#  - traced from each heist's drain txs (labels as xchain_labels.py gives them, --through-mixer,
#    tests/diff/evm_alt7_score.py): cash-out recall 1 for both heists; no cash-out named that the
#    thief's dust brought: neither its dust into an honest user's exchange deposit address nor a
#    dusted (or poisoned) user's own deposit (main at stop 24 named 44 such, h1 precision 24/69;
#    the dusting campaign rule now covers arrivals at deposit addresses: 24/25); every THORChain
#    deposit an exit with its memo's address; no approval-drain victim named as holding or passing
#    stolen value, nor flagged by screening;
#  - screening (drain recipients labelled theft; every thief address theft): every honest person
#    flagged has its strongest path through a public figure the thief gifted (stolen value it
#    holds or paid on); none through the thief's dust (main at stop 24: 22 flagged, 10 of them
#    the dust itself; the dust rule, docs/TRACE-MODELS.md "Screening: dust": 7 and 6, all gift).
#    A public figure's own receipt of the gift stays certain; what it paid on to others is probable,
#    through a third party's own account (docs/TRACE-MODELS.md "Screening: third parties"; main at
#    stop 25: 3 and 2 of them flagged certain).
#    Every flag has its category's strongest path among the asset's paths (the 5
#    strongest of any category could crowd it out before stop 25); every flag and dust amount is
#    exact, the received amount when the category brought all of it, or "amount_rounded": share x
#    received to 15 significant digits (main at stop 24 printed a double's 19-21 digits as exact).
# What is still wrong and this test does not check is printed: the public figures the thief gifted
# (and those they paid) named as holding stolen value and one's deposit as a cash-out.
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
PY=/usr/bin/python3
GEN="$SRC/tests/diff/evm_alt7_world.py"
$PY "$GEN" --out "$T/w" --seed 2 --txs 4000 > /dev/null
$PY "$GEN" --out "$T/d2" --seed 2 --txs 4000 > /dev/null
check "the same seed gives the same world" diff -r "$T/w" "$T/d2"
rm -rf "$T/d2"
check "the world carries its shapes" $PY - "$T/w" <<'PY'
import csv, json, sys
from collections import defaultdict
w = sys.argv[1]
rd = lambda k: list(csv.DictReader(open(f"{w}/{k}.csv")))
tx, tr, tt = rd("transactions"), rd("traces"), rd("token_transfers")
cat = {r["address"]: r["category"] for r in csv.DictReader(open(w + "/truth/addresses.csv"))}
ex = defaultdict(set)
for r in csv.DictReader(open(w + "/truth/honest_exposed.csv")):
    ex[r["kind"]].add(r["address"])
wj = json.load(open(w + "/truth/world.json"))
hj = json.load(open(w + "/truth/heists.json"))
toks = {r["address"]: r["symbol"] for r in rd("tokens")}
fake = set(wj["fake_tokens"])
real = {a for a, s in toks.items() if s in ("USDT", "USDC") and a not in fake}
fk_from = {r["from_address"] for r in tt if r["token_address"] in fake}
sel = lambda s: sum(1 for r in tx + tr if r["input"].startswith(s))
look = sum(1 for r in tt if r["value"] == "0" and r["token_address"] in real and cat.get(r["to_address"]) == "thief")
pairs = [(r["payer"], r["lookalike"]) for r in csv.DictReader(open(w + "/truth/scam_payments.csv"))]
n = {
    "ETH dust to users": len(ex["dusted_eth"]), "USDT dust to users": len(ex["dusted_token"]),
    "dust to deposit addresses": len(ex["dusted_deposit"]), "dusted users' sweeps": len(ex["dusted_swept"]),
    "zero-value transferFrom of the real USDT": look,
    "fake USDT/USDC with the real symbols": int(sorted(toks[a] for a in fake) == ["USDC", "USDT"]),
    "fake Transfers from the drain recipient": int(hj[0]["drain_recipient"] in fk_from),
    "fake Transfers from the sanctioned address": int(wj["sanctioned"][0] in fk_from),
    "fake Transfers from users who signed nothing": len(ex["fake_token_spoofed_from"] & fk_from),
    "payments copied to look-alikes": len(pairs),
    "gifts to public figures": len(ex["framed_gift"] & set(wj["public_figures"])),
    "approvals to the drainer": sum(1 for r in tx if r["input"].startswith("0x095ea7b3") and
                                    r["input"][34:74] == wj["contracts"]["drainer"][2:]),
    "EIP-2612 permits": sel("0xd505accf"),
    "Permit2 pulls": sum(1 for r in tr if r["to_address"] == wj["contracts"]["permit2"] and r["trace_address"]),
}
print(n)
assert all(v > 0 for v in n.values()), n
PY
check "look-alikes share the first and last 4 hex digits of a counterparty" $PY - "$T/w" <<'PY'
import csv, sys
w = sys.argv[1]
ex = [r for r in csv.DictReader(open(w + "/truth/honest_exposed.csv")) if r["kind"] == "poison_zero_value"]
cat = {r["address"]: r["category"] for r in csv.DictReader(open(w + "/truth/addresses.csv"))}
paid = {}
for r in csv.DictReader(open(w + "/token_transfers.csv")):
    paid.setdefault(r["from_address"], set()).add(r["to_address"])
for r in csv.DictReader(open(w + "/transactions.csv")):
    paid.setdefault(r["from_address"], set()).add(r["to_address"])
ok = sum(1 for r in ex if any(c[:6] == r["via"][:6] and c[-4:] == r["via"][-4:] and c != r["via"] and cat.get(c) != "thief"
                              for c in paid.get(r["address"], ())))
print(ok, "of", len(ex))
assert ex and ok == len(ex)
PY
"$CW_BIN" ingest evm --csv "$T/w" --store "$T/s" --chain ethereum --quiet > /dev/null
$PY - "$T/w" > "$T/want.csv" <<'PY'
import csv, sys
w = sys.argv[1]
want = {(r["address"], r["asset"]): r["balance"] for r in csv.DictReader(open(w + "/truth/balances.csv"))}
want.update({(r["address"], r["collection"]): r["items"] for r in csv.DictReader(open(w + "/truth/nft_items.csv"))})
print("address,asset,balance")
for (a, t), v in sorted(want.items()):
    print(f"{a},{t},{v}")
PY
check "the store's balances equal the ledger's (every 12th account, NFT items counted)" \
    $PY "$SRC/tests/cli/evm/balances_equal.py" "$T/want.csv" "$T/s" "$CW_BIN" 0 --every 12 --min-accounts 40
"$CW_BIN" check --store "$T/s" --json > "$T/check.json"
check "check counts the fake tokens' senders below zero" $PY - "$T/w" "$T/check.json" <<'PY'
import csv, json, sys
w, js = sys.argv[1:]
fake = json.load(open(w + "/truth/world.json"))["fake_tokens"]
neg = {t: sum(1 for r in csv.DictReader(open(w + "/truth/balances.csv")) if r["asset"] == t and int(r["balance"]) < 0)
       for t in fake}
rows = {r["token"]: r["accounts_below_zero"] for r in json.load(open(js))["tokens_below_zero"]}
print(neg, rows)
assert all(neg[t] > 0 and rows.get(t) == neg[t] for t in fake)
PY
"$PY" "$SRC/tests/diff/xchain_labels.py" "$T/w/truth/addresses.csv" > "$T/l.csv"
"$CW_BIN" labels import csv "$T/l.csv" --db "$T/l.db" > /dev/null
for h in 0 1; do
    args=()
    for t in $(jq -r ".[$h].drain_txs[]" "$T/w/truth/heists.json"); do args+=(--from "$t"); done
    "$CW_BIN" trace --store "$T/s" --labels "$T/l.db" "${args[@]}" --through-mixer --json > "$T/t$h.json"
done
# screening every honest person: (0) the drain recipients labelled theft; (1) every address of the
# thieves' labelled theft and the OFAC-listed address sanctioned (as published lists name them)
$PY - "$T/w" > "$T/scr.txt" <<'PY'
import csv, sys
w = sys.argv[1]
seen = set()
for k in ("transactions", "traces", "token_transfers"):
    for r in csv.DictReader(open(f"{w}/{k}.csv")):
        seen |= {r["from_address"], r["to_address"]}
for r in csv.DictReader(open(w + "/truth/addresses.csv")):
    if r["category"] == "user" and r["address"] in seen:
        print(r["address"])
PY
{ cat "$T/l.csv"; jq -r '.[] | .drain_recipient + ",lazarus,theft,ETH"' "$T/w/truth/heists.json"; } > "$T/scr0.csv"
{ cat "$T/l.csv"; $PY - "$T/w" <<'PY'
import csv, json, sys
w = sys.argv[1]
for r in csv.DictReader(open(w + "/truth/addresses.csv")):
    if r["category"] == "thief":
        print(r["address"] + ",lazarus,theft,ETH")
print(json.load(open(w + "/truth/world.json"))["sanctioned"][0] + ",lazarus (OFAC SDN),sanctioned,ETH")
PY
} > "$T/scr1.csv"
for k in 0 1; do
    "$CW_BIN" labels import csv "$T/scr$k.csv" --db "$T/scr$k.db" > /dev/null
    "$CW_BIN" screen --file "$T/scr.txt" --store "$T/s" --labels "$T/scr$k.db" --json > "$T/screen$k.json"
done
$PY "$SRC/tests/diff/evm_alt7_score.py" "$T/w" "$T/t0.json" "$T/t1.json" --screen "$T/screen0.json" \
    --screen "$T/screen1.json" --list 6 > "$T/sc.txt"
cat "$T/sc.txt"
J() { $PY -c "import json, sys; j = json.loads([l for l in open('$T/sc.txt') if l.startswith('JSON ')][0][5:]); $1"; }
check "cash-out recall 1 for both heists" J "assert j['h1_cash_recall'] == 1 and j['h2_cash_recall'] == 1, j"
check "no deposit of the thief's dust, nor a dusted or poisoned user's, named a cash-out of the heist" \
    J "v = j['h1_cash_false_via']; assert not v.get('dust') and not v.get('poison_tiny') and j['h2_cash_false'] == 0, j"
check "every THORChain deposit of the thief an exit with its memo's address" \
    J "assert j['h1_exits'][1] > 0 and j['h1_exits'][0] == j['h1_exits'][1], j"
check "screening flags no honest person but through a gifted public figure (no dust)" $PY - "$T/w" "$T/screen0.json" "$T/screen1.json" <<'PY'
import csv, json, sys
w = sys.argv[1]
pf = set(json.load(open(w + "/truth/world.json"))["public_figures"])
person = {r["address"] for r in csv.DictReader(open(w + "/truth/addresses.csv")) if r["category"] == "user"}
bad, n = [], 0
for sp in sys.argv[2:]:
    for r in json.load(open(sp))["results"]:
        for a in r.get("assets", []) if r["address"] in person else []:
            for f in a.get("flags", []):
                n += 1
                ps = [p for p in a.get("strongest_paths", []) if p["category"] == f["category"]]
                if not ps or not pf & set(ps[0]["accounts"]):
                    bad.append((r["address"], a["asset"], f["category"]))
print(n, "flags on honest persons;", len(bad), "not through a gifted public figure:", bad[:4])
assert not bad
PY
check "no honest person but a gifted public figure flagged certain: through a public figure's own account, probable" \
    $PY - "$T/w" "$T/screen0.json" "$T/screen1.json" <<'PY'
import csv, json, sys
w = sys.argv[1]
pf = set(json.load(open(w + "/truth/world.json"))["public_figures"])
person = {r["address"] for r in csv.DictReader(open(w + "/truth/addresses.csv")) if r["category"] == "user"}
bad, n = [], 0
for sp in sys.argv[2:]:
    for r in json.load(open(sp))["results"]:
        for a in r.get("assets", []) if r["address"] in person - pf else []:
            for f in a.get("flags", []):
                n += 1
                ps = [p for p in a["strongest_paths"] if p["category"] == f["category"]]
                if f["level"] != "probable" or "third_party" not in f["why"] or ps[0].get("third_party") not in pf:
                    bad.append((r["address"], a["asset"], f["category"], f["level"]))
print(n, "flags on honest persons other than public figures;", len(bad), "not probable through one:", bad[:4])
assert not bad
PY
check "every flag shows its category's strongest path and its amount: exact (= received) or said rounded" \
    $PY - "$T/screen0.json" "$T/screen1.json" <<'PY'
import json, sys
bad, n, exact = [], 0, 0
for sp in sys.argv[1:]:
    for r in json.load(open(sp))["results"]:
        for a in r.get("assets", []):
            rcv = int(a["received"])
            for f in a.get("flags", []) + [dict(v, category=k) for k, v in a.get("dusted", {}).items()]:
                n += 1
                amt, ok = f["amount"], "amount_rounded" in f
                if ok and not f["amount_rounded"]:
                    exact += 1
                    ok = amt == a["received"]
                elif ok:  # share x received to 15 significant digits, the rest zeros
                    d = amt.lstrip("0")
                    ok = d[15:].strip("0") == "" and abs(int(amt) - f["share"] * rcv) <= 1e-12 * rcv + 1
                if "level" in f and not any(p["category"] == f["category"] for p in a["strongest_paths"]):
                    ok = False
                if not ok:
                    bad.append((r["address"], a["asset"], f["category"], amt))
print(n, "flags and dust amounts,", exact, "exact;", len(bad), "wrong:", bad[:4])
assert n and not bad
PY
check "no approval-drain victim named by the trace nor flagged by screening" \
    J "assert j['victims_named'] == 0 and j['screen0_victims_flagged'] == 0 and j['screen1_victims_flagged'] == 0, j"
# stop 25 (evm30): gifts to established accounts. With every exchange deposit address labelled (a
# fact: an end's "probable" is then the trace's own judgement), nothing the thief gave a public
# figure is a certain cash-out, and the gifted public figures with a history of their own are
# third parties (received, not held); the heists' cash-outs stay certain.
{ cat "$T/l.csv"; tr -d '\r' < "$T/w/truth/addresses.csv" |
    awk -F, '$5 == "exchange_deposit" { print $1 ",deposit " $7 ",exchange_deposit,ETH" }'; } > "$T/dl.csv"
"$CW_BIN" labels import csv "$T/dl.csv" --db "$T/dl.db" > /dev/null
for h in 0 1; do
    args=()
    for t in $(jq -r ".[$h].drain_txs[]" "$T/w/truth/heists.json"); do args+=(--from "$t"); done
    "$CW_BIN" trace --store "$T/s" --labels "$T/dl.db" "${args[@]}" --through-mixer --json > "$T/dt$h.json"
done
$PY "$SRC/tests/diff/evm_alt7_score.py" "$T/w" "$T/dt0.json" "$T/dt1.json" > "$T/dsc.txt"
grep -E "certain only|public figures|approval" "$T/dsc.txt"
D() { $PY -c "import json, sys; j = json.loads([l for l in open('$T/dsc.txt') if l.startswith('JSON ')][0][5:]); $1"; }
check "deposit addresses labelled: every cash-out of both heists certain, none certain at an honest deposit" \
    D "assert j['h1_cash_recall_certain'] == 1 and j['h2_cash_recall_certain'] == 1 and j['h1_cash_false_certain'] == 0, j"
check "gifted public figures: third parties, at most 1 (too young a history) named held certain" \
    D "assert j['public_held_certain'] <= 1 and j['third_party_honest'] >= 4 and j['victims_named_certain'] == 0, j"
finish
