#!/usr/bin/env bash
# An Across-style bridge pool (docs/TRACE-MODELS.md "An Across-style bridge pool", worked example
# 22) on both generators' worlds (20k txs each): deposits carry V3FundsDeposited naming
# the destination chain and recipient; relayers fill elsewhere and the pool pays them back in bulk
# refunds. The trace must stop at the (unlabelled) pool as a probable bridge by its deposit
# events, report each of the thief's pool deposits with the true chain and recipient, and never
# follow taint into the refunds. Main's build found none of the 7 / 11 deposits (ours /
# independent), followed refunds and fills into 3 / 41 ends, and on the independent world named
# 13 honest deposits (5 of them relayers' own exchange deposits) as cash-outs (precision 0.985).
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
source "$(dirname "$0")/../lib/evm_score.sh"
# an Across-like pool in both generators' worlds: ours (evm-quick-heist with world.across_bridge
# and half of the thief's bridge moves to the pool) and the independent --across-bridge
jq '.world.across_bridge = true | .heists[0].steps |= map(if .type == "bridge" then . + {across: 0.5} else . end)' \
    "$SRC/data/scenarios/evm-quick-heist.json" > "$T/qa.json"
"$CW_BIN" gen evm --out "$T/ours" --txs 20000 --seed 1 --scenario "$T/qa.json" --quiet > /dev/null
check "ours: truth agrees with the CSVs (gen_check.py)" /usr/bin/python3 "$SRC/tests/evm/gen_check.py" "$T/ours"
/usr/bin/python3 "$SRC/tests/diff/evm_shapes_world.py" --out "$T/ind" --seed 1 --txs 20000 --across-bridge > /dev/null
for n in ours ind; do
    w=$T/$n
    pool=$(awk -F, 'NR > 1 && $5 == "bridge_pool" {print $1}' "$w/truth/addresses.csv")
    check "$n: the world has one Across-like pool" test -n "$pool"
    score_world "$w" "$n"
    check_eq "$n: the pool is unlabelled" "$(grep -c "$pool" "$T/l$n.csv")" 0
    /usr/bin/python3 "$SRC/tests/diff/evm_across_eval.py" "$w" "$T/t$n.json" > "$T/across$n.txt"
    check_eq "$n: the pool is an end: a bridge recognised by its deposit events" \
        "$(jq -r --arg p "$pool" '.ends[] | select(.address == $p) | "\(.kind) \(.recognised.bridge_evidence.rule)"' "$T/t$n.json")" \
        "bridge deposit_events"
    k=$(awk -F, 'NR > 1 && $1 == "deposit" && $2 != ""' "$w/truth/across_bridge.csv" | wc -l)
    check "$n: the thief bridged through the pool" test "$k" -ge 5
    check "$n: every thief deposit is an exit with the true chain and recipient" \
        grep -q "recall 1.000; with the true chain and recipient: $k\$" "$T/across$n.txt"
    check "$n: no refund or relayer fill named, no relayer deposit a cash-out" \
        grep -q "^false attributions past the pool: 0 refunds or relayer fills named, 0 ends reached through one, 0 base units; 0 ends" "$T/across$n.txt"
    check "$n: cash-out recall and precision 1.000" \
        grep -q "recall 1.000, precision 1.000" <(grep "^cash-out txs" "$T/v$n.txt")
    check "$n: the text names the exit's destination chain" grep -q "eip155:" "$T/t$n.txt"
done
# the hot-wallet rule's guard: honest users reach a lock bridge from fresh addresses that send it
# everything (ours: world.fresh_bridge_users); the bridge stays a bridge, the thief's deposits
# exits (main's build took it for a service's collector: 0 of 4 exits)
jq '.world.lock_bridge = true | .world.fresh_bridge_users = true | .heists[0].steps |= map(if .type == "bridge" then . + {lock: 0.6} else . end)' \
    "$SRC/data/scenarios/evm-quick-heist.json" > "$T/qf.json"
"$CW_BIN" gen evm --out "$T/fresh" --txs 20000 --seed 3 --scenario "$T/qf.json" --quiet > /dev/null
score_world "$T/fresh" fresh
/usr/bin/python3 "$SRC/tests/diff/evm_lock_bridge_eval.py" "$T/fresh" "$T/tfresh.json" > "$T/lockfresh.txt"
check "fresh: the lock bridge is an end as a bridge, no service's collector" \
    grep -q "^ends at the bridge: bridge (" "$T/lockfresh.txt"
check "fresh: every thief deposit into it is an exit" grep -q "exits: .*recall 1.000" "$T/lockfresh.txt"
finish
