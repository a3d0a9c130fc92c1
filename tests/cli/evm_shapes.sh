#!/usr/bin/env bash
# evm_shapes.sh: the EVM trace on a world from an INDEPENDENT generator (tests/diff/evm_shapes_world.py:
# Python, standard library only, written apart from src/gen/evm with other habits: forwarder
# contract deposits without events, a consolidation address between deposits and the hot wallet,
# a DEX that pays WETH, a thief gas funder, WETH passed on before it is unwrapped, address
# poisoning dust, memos in six shapes). Checks:
#  - the world: its own ledger equals tests/evm/balances.py's recomputation from the CSVs, and the
#    store's balances equal both on a sample of accounts; `check` passes;
#  - issue 13's figures, scored by tests/diff/evm_eval.py as scripts/eval-evm.sh does: cash-out
#    precision, bridge exits, mixer link precision, the share of txs the trace names; cash-out
#    recall and amounts per exchange, apart for each exchange's sweep style.
# Cash-outs behind a consolidation address are found since deposit -> consolidation -> hot
# wallet is recognised (docs/TRACE-MODELS.md worked example 13). The unlabelled instant exchange
# (order address -> its hot wallet, payouts in another asset) ends as `service`, not as an
# exchange cash-out: its order addresses are used once (worked example 14); asserted below
# (main before this was KNOWN: its orders were exchange deposits of an exchange named "?").
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
PY=/usr/bin/python3
WETH=0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2
$PY "$SRC/tests/diff/evm_shapes_world.py" --out "$T/w" --seed 1 --txs 30000 > "$T/gen.txt"
check "the generator's ledger equals balances.py's recomputation from the CSVs" bash -c \
    "$PY '$SRC/tests/evm/balances.py' '$T/w' --weth $WETH > '$T/bal.csv' && cmp -s '$T/bal.csv' '$T/w/truth/balances.csv'"
"$CW_BIN" ingest evm --csv "$T/w" --store "$T/s" --chain ethereum --quiet > /dev/null
check "check passes on the world's store" "$CW_BIN" check --store "$T/s"
check "the store's balances equal the ledger's (every 25th account)" \
    $PY "$SRC/tests/cli/evm/balances_equal.py" "$T/w/truth/balances.csv" "$T/s" "$CW_BIN" 0 \
    --every 25 --min-accounts 100
"$PY" "$SRC/tests/diff/xchain_labels.py" "$T/w/truth/addresses.csv" > "$T/labels.csv"
"$CW_BIN" labels import csv "$T/labels.csv" --db "$T/labels.db" > /dev/null
args=()
for t in $(jq -r '.[0].drain_txs[]' "$T/w/truth/heists.json"); do args+=(--from "$t"); done
"$CW_BIN" trace --store "$T/s" --labels "$T/labels.db" "${args[@]}" --through-mixer --json > "$T/t.json"
$PY "$SRC/tests/diff/evm_eval.py" "$T/w" "$T/t.json" > "$T/eval.txt" || true
cat "$T/eval.txt"
res=$($PY - "$T/w" "$T/t.json" <<'PY'
import csv, json, sys
from collections import defaultdict
w, t = sys.argv[1], json.load(open(sys.argv[2]))
wj = json.load(open(w + "/truth/world.json"))
style = {e["name"]: e["sweep_style"] for e in wj["exchanges"]}
true = defaultdict(set)
amt = defaultdict(int)
for r in csv.DictReader(open(w + "/truth/cash_outs.csv")):
    true[style[r["exchange"]]].add(r["tx_hash"])
    amt[(r["exchange"], r["asset"])] += int(r["amount"])
addrs = {r["address"]: r for r in csv.DictReader(open(w + "/truth/addresses.csv"))}
ex_of = {a: r["exchange"] for a, r in addrs.items() if r["exchange"]}
found, got = set(), defaultdict(int)
known_svc = svc_orders = svc_true = 0
allt0 = set().union(*true.values())
for e in t["ends"]:
    if e["kind"] == "service":
        arr = {a["tx"] for a in e.get("arrivals", [])}
        if addrs.get(e["address"], {}).get("category") == "instant_exchange_order":
            svc_orders += len(arr)
        svc_true += len(arr & allt0)
    if e["kind"] == "exchange":
        arr = {a["tx"] for a in e.get("arrivals", [])}
        found |= arr
        cat = addrs.get(e["address"], {}).get("category")
        if cat == "instant_exchange_order":
            known_svc += len(arr)
        if e["address"] in ex_of:
            a = "ETH" if e["asset"]["id"] == 0 else e["asset"]["contract"]
            got[(ex_of[e["address"]], a)] += int(e["amount"])
out = []
for s in ("alone", "forward", "consolidate"):
    tr = true.get(s, set())
    rec = len(tr & found) / len(tr) if tr else 1.0
    worst = max([abs(got[k] - v) / v for k, v in amt.items() if style[k[0]] == s] or [0])
    out.append("%s %d %.4f %.4f" % (s, len(tr), rec, worst))
allt = set().union(*true.values())
good = len(found & allt)
other = len(found - allt) - known_svc
out.append("precision %.4f %d %d %d %d" % (good / (good + other) if good + other else 1.0, other, known_svc,
                                          svc_orders, svc_true))
print(";".join(out))
PY
)
IFS=';' read -r alone fwd cons prec <<< "$res"
for line in "$alone" "$fwd" "$cons"; do
    read -r s n rec worst <<< "$line"
    check "cash-outs at $s-style exchanges found: recall $rec of $n (>= 0.95)" $PY -c "assert $n > 20 and $rec >= 0.95"
    check "amounts at $s-style exchanges within 1 % (worst $worst)" $PY -c "assert $worst <= 0.01"
done
read -r _ pv other ksvc sorders strue <<< "$prec"
check "cash-out precision $pv, $other false arrivals but the instant exchange's (>= 0.95)" $PY -c "assert $pv >= 0.95"
check_eq "no exchange arrival at the unlabelled instant exchange's order addresses" "$ksvc" 0
check "the thief's orders there end as service: $sorders arrivals (> 0)" test "$sorders" -gt 0
check_eq "no true cash-out ends at a service" "$strue" 0
check "bridge exits: every one found with its Bitcoin address" grep -q 'bridge exits: .* recall 1.000, precision 1.000' "$T/eval.txt"
check "mixer links at the default score: precision >= 0.9" $PY -c "
import re; m = re.search(r'links reported (\d+), correct (\d+)', open('$T/eval.txt').read()); n, g = map(int, m.groups())
assert n > 20 and g / n >= 0.9, (n, g)"
check "the trace names at most 25 % of the world's txs" $PY -c "
import re; m = re.search(r'named by the trace: (\d+) of (\d+)', open('$T/eval.txt').read()); a, b = map(int, m.groups())
assert a <= 0.25 * b, (a, b)"
finish
