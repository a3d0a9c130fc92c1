#!/usr/bin/env bash
# A lock-and-release bridge without memos (docs/TRACE-MODELS.md "A bridge without memos"), on
# both generators' worlds: gen evm's (world.lock_bridge, bridge step "lock"; evm-quick-heist at
# 15k txs) and evm_shapes_world.py --lock-bridge (30k txs). Its deposits name the destination in
# an event or calldata only, and it releases to honest users arriving from other chains. The
# bridge is unlabelled. The trace must stop there as a probable bridge recognised by behaviour,
# report every deposit of the thief as an exit (those naming a Bitcoin address in ASCII with that
# address), and name none of its releases: main's build followed them (24 and 90 honest releases
# named, cash-out precision 0.869 and 0.964, no exit found). Then one cross-chain case.
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
source "$(dirname "$0")/../lib/evm_score.sh"
score() { # WORLD NAME: score_world, and the lock-and-release eval ($T/eNAME.txt)
    local w=$1 n=$2
    score_world "$w" "$n"
    /usr/bin/python3 "$SRC/tests/diff/evm_lock_bridge_eval.py" "$w" "$T/t$n.json" > "$T/e$n.txt"
}
jq '.world.lock_bridge = true | .heists[0].steps[4].lock = 0.6' \
    "$SRC/data/scenarios/evm-quick-heist.json" > "$T/sc.json"
"$CW_BIN" gen evm --out "$T/ours" --txs 15000 --seed 3 --scenario "$T/sc.json" --quiet > /dev/null
check "ours: truth agrees with the CSVs (gen_check.py)" /usr/bin/python3 "$SRC/tests/evm/gen_check.py" "$T/ours"
/usr/bin/python3 "$SRC/tests/diff/evm_shapes_world.py" --out "$T/ind" --seed 1 --txs 30000 --lock-bridge > /dev/null
for n in ours ind; do
    w=$T/$n
    check "$n: the world has thief deposits and honest releases" \
        test "$(awk -F, 'NR > 1 && $1 == "deposit" && $2 != ""' "$w/truth/lock_bridge.csv" | wc -l)" -gt 5 -a \
        "$(awk -F, 'NR > 1 && $1 == "release"' "$w/truth/lock_bridge.csv" | wc -l)" -gt 20
    score "$w" "$n"
    B=$(awk -F, 'NR > 1 && $1 == "deposit" {print $7; exit}' "$w/truth/lock_bridge.csv")
    check_eq "$n: the bridge is not labelled" "$(grep -c "$B" "$T/l$n.csv")" 0
    check_eq "$n: one end at the bridge, kind bridge, recognised by its deposits and releases, probable" \
        "$(jq -r --arg b "$B" '[.ends[] | select(.address == $b) | "\(.kind) \(.recognised.bridge_evidence.rule) \(.recognised.probable)"] | unique | join(";")' "$T/t$n.json")" \
        "bridge lock_release true"
    check "$n: the text names the bridge's rule and evidence" \
        grep -Eq "^  bridge +$B .*probable.* rule lock_release: [0-9]+ deposits, [0-9]+ releases to others" "$T/t$n.txt"
    check "$n: every thief deposit is an exit" grep -q "recall 1.000" <(grep "thief deposits found" "$T/e$n.txt")
    check "$n: every Bitcoin recipient in ASCII decoded to the true address" \
        awk '/Bitcoin recipients/ {exit !($9 == $11 && $9 > 0)}' "$T/e$n.txt"
    check "$n: no honest release named" grep -q "past the bridge: 0 honest releases named, 0 ends" "$T/e$n.txt"
    check "$n: cash-out precision 1.000" grep -q "precision 1.000" <(grep "^cash-out txs" "$T/v$n.txt")
done
# one cross-chain case: every bridge deposit of the thief goes to the lock bridge, those naming a
# Bitcoin address in ASCII name the thief's addresses of a generated Bitcoin world (btc_to). The
# store keeps those addresses as memo rows (check passes), and each such exit continues into the
# Bitcoin store and reaches the Bitcoin heist's exchange deposits; the others say "no memo".
jq '.heists[0].at_day = 0.1 | .heists = [.heists[0]]' "$SRC/data/scenarios/quick-heist.json" > "$T/btc.json"
"$CW_BIN" gen --out "$T/bw" --txs 8000 --seed 5 --scenario "$T/btc.json" --quiet > /dev/null
stolen=$(jq -c '[.[0].stolen_outputs[].address]' "$T/bw/truth/heists.json")
jq --argjson a "$stolen" '.world.lock_bridge = true | .heists[0].steps[4].btc_to = $a | .heists[0].steps[4].lock = 1.0' \
    "$SRC/data/scenarios/evm-quick-heist.json" > "$T/xc.json"
"$CW_BIN" gen evm --out "$T/xw" --txs 15000 --seed 3 --scenario "$T/xc.json" --quiet > /dev/null
"$CW_BIN" ingest evm --csv "$T/xw" --store "$T/xes" --chain ethereum --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$T/bw/blocks" --store "$T/xbs" --network regtest --quiet > /dev/null
check "cross-chain: the EVM store checks, Bitcoin recipients kept as memo rows" "$CW_BIN" check --store "$T/xes"
/usr/bin/python3 "$SRC/tests/diff/xchain_labels.py" "$T/xw/truth/addresses.csv" "$T/bw/truth/addresses.csv" > "$T/xl.csv"
"$CW_BIN" labels import csv "$T/xl.csv" --db "$T/xl.db" > /dev/null
from=()
for t in $(jq -r '.[0].drain_txs | .[]' "$T/xw/truth/heists.json"); do from+=(--from "$t"); done
"$CW_BIN" trace --store "$T/xes" --labels "$T/xl.db" "${from[@]}" --through-mixer --btc-store "$T/xbs" --json > "$T/xt.json"
awk -F, 'NR > 1 && $1 == "deposit" && $2 != "" && $11 !~ /^0x/ {sub(/\r$/, "", $11); print $3 " " $11}' "$T/xw/truth/lock_bridge.csv" | sort > "$T/xtruth"
jq -r '.bridge_exits[] | select(.status == "continued") | .tx + " " + .destination' "$T/xt.json" | sort > "$T/xfound"
check "cross-chain: thief deposits naming a Bitcoin address ($(wc -l < "$T/xtruth"))" test "$(wc -l < "$T/xtruth")" -ge 3
check_eq "cross-chain: each continued with its true Bitcoin address, and no other" "$(cat "$T/xfound")" "$(cat "$T/xtruth")"
check_eq "cross-chain: the other thief deposits are exits with no Bitcoin destination" \
    "$(jq '[.bridge_exits[] | select(.status == "no memo" or .status == "other chain")] | length' "$T/xt.json")" \
    "$(awk -F, 'NR > 1 && $1 == "deposit" && $2 != "" && $11 ~ /^0x/' "$T/xw/truth/lock_bridge.csv" | wc -l)"
# those whose Locked event names the destination chain and an EVM or 32-byte recipient: kept as
# memo rows of the deposit event (main's store kept none and said "no memo"); the exit names the
# true chain and recipient, with no memo function, and its text says so instead of "-> ?"
awk -F, 'NR > 1 && $1 == "deposit" && $2 != "" && $11 ~ /^0x/ {sub(/\r$/, "", $11); print $3 " eip155:" $10 " " tolower($11)}' \
    "$T/xw/truth/lock_bridge.csv" | sort > "$T/xevm_truth"
jq -r '.bridge_exits[] | select(.event == "Locked") | .tx + " " + .chain + " " + .destination' "$T/xt.json" | sort > "$T/xevm_found"
check "cross-chain: deposits naming an EVM or 32-byte recipient in an event ($(wc -l < "$T/xevm_found"))" \
    test "$(wc -l < "$T/xevm_found")" -ge 2
check_eq "cross-chain: each with its true destination chain and recipient" \
    "$(comm -23 "$T/xevm_found" "$T/xevm_truth")" ""
# (a bridgeOut deposit, its destination in the call's input alone, says "deposit call")
check "cross-chain: they are 'other chain', from a deposit event or call, no memo function" \
    grep -Eqx '(other chain deposit (call|event) none;?)+' <<< \
    "$(jq -r '[.bridge_exits[] | select(.event or .call) | "\(.status) \(.recipient_from) \(.function // "none")"] | unique | join(";")' "$T/xt.json")"
check_eq "cross-chain: a Bitcoin address alone has no memo function" \
    "$(jq -r '[.bridge_exits[] | select(.recipient_from == "bitcoin address alone") | .function // "none"] | unique | join(";")' "$T/xt.json")" \
    "none"
"$CW_BIN" trace --store "$T/xes" --labels "$T/xl.db" "${from[@]}" --through-mixer --btc-store "$T/xbs" > "$T/xt.txt"
check_eq "cross-chain: the text prints no '-> ?'" "$(grep -c -- '-> ?' "$T/xt.txt")" 0
check "cross-chain: the text names the event's recipient and chain" \
    grep -Eq -- '-> 0x[0-9a-f]{40,64} on eip155:[0-9]+$' "$T/xt.txt"
jq -r '.[0].deposits[].address' "$T/bw/truth/heists.json" | sort -u > "$T/xtrue_dep"
jq -r '.continuations[].trace.by_address[] | select(.category == "exchange_deposit" and .certain > 0) | .address' "$T/xt.json" | sort -u > "$T/xdep"
check "cross-chain: the continuation reaches Bitcoin exchange deposits" test "$(wc -l < "$T/xdep")" -ge 1
check_eq "cross-chain: no honest Bitcoin deposit reached with certain value" "$(comm -23 "$T/xdep" "$T/xtrue_dep" | wc -l)" 0
finish
