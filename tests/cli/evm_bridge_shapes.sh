#!/usr/bin/env bash
# Bridge shapes the held-out generator may write (docs/TRACE-MODELS.md "Destinations only in
# calldata", "A router in front of a bridge", worked example 23), one small world of each
# generator holding all of them: a lock-and-release bridge whose deposits name the destination
# only in the call's input (ours: Wormhole wrapAndTransferETH; independent: transferTokens and
# wrapAndTransferETH), an aggregator router in front of the Across-like pool (the pool emits the
# event, the tx's `to` is the router), and (ours) token deposits into the pool repaid to relayers
# in tokens. The trace must name each calldata deposit's true chain and recipient at its exit,
# end the routed deposits at the pool (never at the router), and name no refund. Main's build
# cannot make our world (unknown world fields) and, on the independent one, named none of the 3
# calldata destinations and took the router for the bridge (the 5 routed deposits' exits named
# the router, an end there).
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
source "$(dirname "$0")/../lib/evm_score.sh"
jq '.world.lock_bridge = true | .world.lock_wormhole = true | .world.across_bridge = true
    | .world.across_router = true | .world.across_tokens = true
    | .heists[0].steps |= map(if .type == "bridge" then . + {lock: 0.4, across: 0.4} else . end)' \
    "$SRC/data/scenarios/evm-quick-heist.json" > "$T/q.json"
"$CW_BIN" gen evm --out "$T/ours" --txs 20000 --seed 1 --scenario "$T/q.json" --quiet > /dev/null
check "ours: truth agrees with the CSVs (gen_check.py)" /usr/bin/python3 "$SRC/tests/evm/gen_check.py" "$T/ours"
/usr/bin/python3 "$SRC/tests/diff/evm_shapes_world.py" --out "$T/ind" --seed 1 --txs 20000 \
    --lock-bridge --calldata-bridge --across-bridge --bridge-router > /dev/null
for n in ours ind; do
    w=$T/$n
    score_world "$w" "$n"
    /usr/bin/python3 "$SRC/tests/diff/evm_bridge_dest_eval.py" "$w" "$T/t$n.json" > "$T/d$n.txt"
    /usr/bin/python3 "$SRC/tests/diff/evm_across_eval.py" "$w" "$T/t$n.json" > "$T/a$n.txt"
    cat "$T/d$n.txt" >&2
    # calldata only: every thief deposit to an account on another chain is named (the lock
    # bridge is recognised by its deposits and releases; the calls only name the destination)
    line=$(grep '^lock bridge:' "$T/d$n.txt")
    k=$(sed -E 's/.*to an account on another chain ([0-9]+),.*/\1/' <<< "$line")
    check "$n: the thief sent calldata-only deposits to another chain" test "$k" -ge 2
    check "$n: each names the true chain and recipient, from the call" \
        grep -q "named with the true chain and recipient $k (recipient from: deposit call x$k)" <<< "$line"
    check "$n: the text says so" grep -q "deposit call .* (no memo, no event)" "$T/t$n.txt"
    # a call's name is under "call", never "event" (main put it under "event"), and `tx` labels
    # the call's row "deposit call" (main: "deposit event")
    check_eq "$n: each call exit names its call under \"call\", none under \"event\"" \
        "$(jq -c '[.bridge_exits[] | select(.recipient_from == "deposit call") | [(.call | type), (.event | type)]] | unique' "$T/t$n.json")" \
        '[["string","null"]]'
    ctx=$(jq -r '[.bridge_exits[] | select(.recipient_from == "deposit call")][0].tx' "$T/t$n.json")
    "$CW_BIN" tx "$ctx" --store "$T/s$n" > "$T/x$n.txt"
    check "$n: tx labels the call's row a deposit call" grep -Eq '^ +deposit call +"' "$T/x$n.txt"
    check_eq "$n: tx --json says so" "$(jq -r '[.memos[].source] | unique | join(",")' <("$CW_BIN" tx "$ctx" --store "$T/s$n" --json))" "deposit call"
    # the router: the routed deposits' exits are at the pool; the router is no end
    r=$(grep '^router:' "$T/d$n.txt")
    check "$n: the thief bridged through the router" grep -q "thief deposits through it [1-9]" <<< "$r"
    check_eq "$n: every routed thief deposit is an exit at the pool" \
        "$(sed -E 's/.*exit.s bridge: //' <<< "$r")" "the pool x$(sed -E 's/.*through it ([0-9]+);.*/\1/' <<< "$r")"
    check "$n: no end at the router" grep -q "^ends at the router: none" "$T/d$n.txt"
    check "$n: no refund or fill named" grep -q "^false attributions past the pool: 0 refunds" "$T/a$n.txt"
    check "$n: cash-out precision 1.000" grep -q "precision 1.000" <(grep "^cash-out txs" "$T/v$n.txt")
done
# ours: the pool repaid relayers in tokens, and the thief deposited tokens
check "ours: token refunds in the truth" test "$(awk -F, '$1 == "refund" && $8 != "ETH"' "$T/ours/truth/across_bridge.csv" | wc -l)" -ge 1
finish
