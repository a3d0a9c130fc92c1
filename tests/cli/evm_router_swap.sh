#!/usr/bin/env bash
# An aggregator router that both swaps and bridges (docs/TRACE-MODELS.md "A router that both
# swaps and bridges", worked example 24), one small world of each generator: ours
# (world.router_swaps: half of all DEX swaps, the thief's and everyone's, call the router in
# front of the Across-like pool) and the independent one (--swap-router: the pool pays the
# swap's output to the router or to the trader). Traced as a label provider would label the
# world, and again with the router filed under bridges (as LI.FI-like routers often are): no
# router swap is a bridge exit and none ends at the router, every thief router swap the trace
# meets is converted, the deposits it passes on into the pool end at the pool (the bridge that
# emitted their event), and the cash-out figures hold. Main's build cannot make our world (an
# unknown world field); on the independent one with the router filed as a bridge it named the
# thief's router swaps as bridge exits and ended their input at the router (counted twice),
# and on ours it lost the taint of the thief's router swaps that pay another address
# (cash-out recall below 1).
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
source "$(dirname "$0")/../lib/evm_score.sh"
jq '.world.across_bridge = true | .world.router_swaps = true
    | .heists[0].steps |= map(if .type == "bridge" then . + {across: 0.5} else . end)' \
    "$SRC/data/scenarios/evm-quick-heist.json" > "$T/q.json"
"$CW_BIN" gen evm --out "$T/ours" --txs 20000 --seed 1 --scenario "$T/q.json" --quiet > /dev/null
# the router without the pool it bridges into: refused, naming the field, nothing written
jq '.world.router_swaps = true' "$SRC/data/scenarios/evm-quick-heist.json" > "$T/bad.json"
set +e
"$CW_BIN" gen evm --out "$T/bad" --txs 20000 --seed 1 --scenario "$T/bad.json" --quiet 2> "$T/bad.err"
rc=$?
set -e
check_eq "world.router_swaps without world.across_bridge: exit 2" "$rc" 2
check "it names the field" grep -q "world.router_swaps: needs world.across_bridge" "$T/bad.err"
check "and writes nothing" test ! -e "$T/bad"
check "ours: truth agrees with the CSVs (gen_check.py)" /usr/bin/python3 "$SRC/tests/evm/gen_check.py" "$T/ours"
/usr/bin/python3 "$SRC/tests/diff/evm_shapes_world.py" --out "$T/ind" --seed 1 --txs 20000 --swap-router > /dev/null
for n in ours ind; do
    w=$T/$n
    score_world "$w" "$n"
    /usr/bin/python3 "$SRC/tests/diff/evm_router_swap_eval.py" "$w" "$T/t$n.json" > "$T/r$n.txt"
    cat "$T/r$n.txt" >&2
    met=$(sed -nE 's/^router swaps: [0-9]+ in the world, ([0-9]+) met.*/\1/p' "$T/r$n.txt")
    check "$n: the trace met router swaps" test "${met:-0}" -ge 1
    check "$n: each converted" grep -q "met by the trace; converted $met" "$T/r$n.txt"
    check "$n: none a bridge exit" grep -q "^router swaps named as bridge exits: 0" "$T/r$n.txt"
    check "$n: cash-out recall and precision 1.000" \
        grep -q "recall 1.000, precision 1.000" <(grep "^cash-out txs" "$T/v$n.txt")
    # the router filed under bridges
    r=$(awk -F, '$5 == "aggregator_router" {print $1}' "$w/truth/addresses.csv")
    cp "$T/l$n.csv" "$T/lb$n.csv"
    echo "$r,aggregator,bridge,ETH" >> "$T/lb$n.csv"
    "$CW_BIN" labels import csv "$T/lb$n.csv" --db "$T/lb$n.db" > /dev/null
    args=()
    for t in $(jq -r '.[0] | (.drain_txs // .drain_transactions) | join(" ")' "$w/truth/heists.json"); do
        args+=(--from "$t")
    done
    "$CW_BIN" trace --store "$T/s$n" --labels "$T/lb$n.db" "${args[@]}" --through-mixer --json > "$T/tb$n.json"
    /usr/bin/python3 "$SRC/tests/diff/evm_router_swap_eval.py" "$w" "$T/tb$n.json" > "$T/rb$n.txt"
    /usr/bin/python3 "$SRC/tests/diff/evm_eval.py" "$w" "$T/tb$n.json" > "$T/vb$n.txt"
    cat "$T/rb$n.txt" >&2
    check "$n, router a bridge: each router swap met converted" grep -q "met by the trace; converted $met" "$T/rb$n.txt"
    check "$n, router a bridge: none a bridge exit" grep -q "^router swaps named as bridge exits: 0" "$T/rb$n.txt"
    check "$n, router a bridge: nothing ends at the router (no swap's input, no deposit it passed on)" \
        grep -q "^ends at the router: none" "$T/rb$n.txt"
    check "$n, router a bridge: cash-out recall and precision 1.000" \
        grep -q "recall 1.000, precision 1.000" <(grep "^cash-out txs" "$T/vb$n.txt")
done
finish
