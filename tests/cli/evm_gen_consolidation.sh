#!/usr/bin/env bash
# gen evm's consolidation addresses (world.consolidation; docs/GEN.md): every deposit address
# sweeps (or, a forwarder, forwards) into one of its exchange's consolidation addresses, which
# sweep on to a hot wallet (deposit -> consolidation -> hot wallet). Checked on the truth files
# of a small world (the addresses, who pays whom), then traced as scripts/eval-evm.sh does: the
# thief's cash-outs are found at the deposit addresses behind the consolidation addresses, none
# at a consolidation address (docs/TRACE-MODELS.md, "deposit addresses behind a consolidation
# address"). Before, the trace went through the thief's deposit addresses and reported the
# consolidation addresses' sweeps into the hot wallets: recall and precision 0 (main 5540662).
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
GEN=${CW_GEN_BIN:-$CW_BIN} # the generator (another build may trace: to check an older trace)
jq '.world = ((.world // {}) + {"consolidation": 2})' \
    "$SRC/data/scenarios/evm-quick-heist.json" > "$T/sc.json"
"$GEN" gen evm --out "$T/w" --txs 15000 --seed "${EVM_CONS_SEED:-2}" --scenario "$T/sc.json" --quiet > /dev/null
check "truth agrees with the CSVs (gen_check.py)" /usr/bin/python3 "$SRC/tests/evm/gen_check.py" "$T/w"
out=$(/usr/bin/python3 - "$T/w" <<'PY'
import csv, sys
w = sys.argv[1]; d = w + "/truth/"
addrs = list(csv.DictReader(open(d + "addresses.csv")))
cons = {r["address"]: r["exchange"] for r in addrs if r["category"] == "exchange_consolidation"}
hot = {r["address"]: r["exchange"] for r in addrs if r["category"] == "exchange"}
dep = {r["address"]: r["exchange"] for r in addrs if r["category"] == "exchange_deposit"}
n_exch = len({r["exchange"] for r in addrs if r["category"] == "exchange"})
into = to_hot = dep_to_hot = wrong = 0
rows = list(csv.DictReader(open(w + "/transactions.csv"))) + \
    [dict(from_address=t["from_address"], to_address=t["to_address"]) for t in csv.DictReader(open(w + "/traces.csv"))] + \
    list(csv.DictReader(open(w + "/token_transfers.csv")))
for t in rows:
    f, to = t["from_address"], t["to_address"]
    if f in dep and to in cons:
        into += 1
        wrong += dep[f] != cons[to]
    if f in cons and to in hot:
        to_hot += 1
        wrong += cons[f] != hot[to]
    if f in dep and to in hot:
        dep_to_hot += 1
print(len(cons), 2 * n_exch, into, to_hot, dep_to_hot, wrong)
PY
)
read -r n_cons want into to_hot dep_to_hot wrong <<< "$out"
check_eq "two consolidation addresses per exchange" "$n_cons" "$want"
check "deposit addresses sweep into them ($into)" test "$into" -gt 0
check "they sweep on to hot wallets ($to_hot)" test "$to_hot" -gt 0
check_eq "no deposit address sweeps straight to a hot wallet" "$dep_to_hot" 0
check_eq "each within its own exchange" "$wrong" 0
"$GEN" ingest evm --csv "$T/w" --store "$T/s" --chain ethereum --quiet > /dev/null
/usr/bin/python3 "$SRC/tests/diff/xchain_labels.py" "$T/w/truth/addresses.csv" > "$T/labels.csv"
"$CW_BIN" labels import csv "$T/labels.csv" --db "$T/labels.db" > /dev/null
args=()
for t in $(jq -r '.[0].drain_txs[]' "$T/w/truth/heists.json"); do args+=(--from "$t"); done
"$CW_BIN" trace --store "$T/s" --labels "$T/labels.db" "${args[@]}" --through-mixer --json > "$T/t.json"
/usr/bin/python3 "$SRC/tests/diff/evm_eval.py" "$T/w" "$T/t.json" > "$T/eval.txt"
read -r recall precision <<< "$(sed -nE 's/^cash-out txs: .*recall ([0-9.]+), precision ([0-9.]+)$/\1 \2/p' "$T/eval.txt")"
check "cash-out recall $recall >= 0.95" /usr/bin/python3 -c "import sys; sys.exit(float('$recall') < 0.95)"
check "cash-out precision $precision >= 0.95" /usr/bin/python3 -c "import sys; sys.exit(float('$precision') < 0.95)"
n_at_cons=$(/usr/bin/python3 - "$T/w/truth/addresses.csv" "$T/t.json" <<'PY'
import csv, json, sys
cons = {r["address"] for r in csv.DictReader(open(sys.argv[1])) if r["category"] == "exchange_consolidation"}
print(sum(1 for e in json.load(open(sys.argv[2]))["ends"] if e["address"] in cons))
PY
)
check_eq "no end at a consolidation address" "$n_at_cons" 0
finish
