#!/usr/bin/env bash
# An Across-style bridge pool (docs/TRACE-MODELS.md "An Across-style bridge pool", worked example
# 22) on evm_shapes_world.py --across-bridge (20k txs): deposits carry V3FundsDeposited naming
# the destination chain and recipient; relayers fill elsewhere and the pool pays them back in bulk
# refunds. The trace must stop at the (unlabelled) pool as a probable bridge by its deposit
# events, report each of the thief's pool deposits with the true chain and recipient, and never
# follow taint into the refunds. Main's build ended at the pool as held, found none of the 11
# deposits, followed 29 refunds and fills and named 13 honest deposits (5 of them relayers' own
# exchange deposits) as cash-outs (precision 0.985).
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
source "$(dirname "$0")/../lib/evm_score.sh"
w=$T/ind
/usr/bin/python3 "$SRC/tests/diff/evm_shapes_world.py" --out "$w" --seed 1 --txs 20000 --across-bridge > /dev/null
pool=$(awk -F, 'NR > 1 && $5 == "bridge_pool" {print $1}' "$w/truth/addresses.csv")
check "the world has one Across-like pool" test -n "$pool"
score_world "$w" ind
check_eq "the pool is unlabelled" "$(grep -c "$pool" "$T/lind.csv")" 0
/usr/bin/python3 "$SRC/tests/diff/evm_across_eval.py" "$w" "$T/tind.json" > "$T/across.txt"
check_eq "the pool is an end: a bridge recognised by its deposit events" \
    "$(jq -r --arg p "$pool" '.ends[] | select(.address == $p) | "\(.kind) \(.recognised.bridge_evidence.rule)"' "$T/tind.json")" \
    "bridge deposit_events"
n=$(awk -F, 'NR > 1 && $1 == "deposit" && $2 != ""' "$w/truth/across_bridge.csv" | wc -l)
check "the thief bridged through the pool" test "$n" -ge 5
check "every thief deposit is an exit with the true chain and recipient" \
    grep -q "recall 1.000; with the true chain and recipient: $n\$" "$T/across.txt"
check "no refund or relayer fill named, no relayer deposit a cash-out" \
    grep -q "^false attributions past the pool: 0 refunds or relayer fills named, 0 ends reached through one, 0 base units; 0 ends" "$T/across.txt"
check "cash-out recall and precision 1.000" \
    grep -q "recall 1.000, precision 1.000" <(grep "^cash-out txs" "$T/vind.txt")
check "the text names the exit's destination chain" grep -q "eip155:" "$T/tind.txt"
finish
