#!/usr/bin/env bash
# evm_accept.sh: issue 13's acceptance figures on small worlds of both generators, each checked
# against its bound by tests/diff/evm_accept.py (the scorer of scripts/eval-evm-accept.sh, which
# runs them on 4 seeds of 200k): a 12k-tx Bitcoin world whose heist pays 12 stolen outputs a day
# after genesis; ours (gen evm, the quick heist: drain, DEX swaps, fan-out, hop chains, mixer,
# bridge to Bitcoin, cash-out) and the independent generator's default world, both bridging to
# those addresses; traced through mixers with --btc-store. Every figure within its bound:
# cash-out recall and precision >= 0.95, amount per exchange and asset within 1 %, bridge exits
# with the true Bitcoin address >= 0.95 and continued at the true Bitcoin payout, bridge deposits
# of every bridge ended at a bridge >= 0.95, mixer-link precision >= 0.9, at most 25 % of the
# world's txs named. Then bad input: a trace with no source, an unknown chain, an unknown
# address: a clear error naming it, exit 2 or 3, nothing created.
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
PY=/usr/bin/python3
jq '.heists[0].at_day = 1 | .heists[0].theft_outputs = 12 | .heists = [.heists[0]]' \
    "$SRC/data/scenarios/quick-heist.json" > "$T/btc.json"
"$CW_BIN" gen --out "$T/bw" --txs 12000 --seed 1 --scenario "$T/btc.json" --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$T/bw/blocks" --store "$T/bs" --network regtest --quiet > /dev/null
addrs=$(jq -c '[.[0].stolen_outputs[].address]' "$T/bw/truth/heists.json")
jq --argjson a "$addrs" '(.heists[].steps[] | select(.type == "bridge")).btc_to = $a' \
    "$SRC/data/scenarios/evm-quick-heist.json" > "$T/evm.json"
"$CW_BIN" gen evm --out "$T/ours" --txs 16000 --seed 1 --scenario "$T/evm.json" --quiet > /dev/null
$PY "$SRC/tests/diff/evm_shapes_world.py" --out "$T/ind" --seed 1 --txs 16000 \
    --btc-to "$(jq -r 'join(",")' <<< "$addrs")" --genesis-ts $((1767225600 - 86400)) > /dev/null
for n in ours ind; do
    w=$T/$n
    "$CW_BIN" ingest evm --csv "$w" --store "$T/s$n" --chain ethereum --quiet > /dev/null
    $PY "$SRC/tests/diff/xchain_labels.py" "$w/truth/addresses.csv" "$T/bw/truth/addresses.csv" > "$T/l$n.csv"
    "$CW_BIN" labels import csv "$T/l$n.csv" --db "$T/l$n.db" > /dev/null
    args=()
    for t in $(jq -r '.[0] | (.drain_txs // .drain_transactions) | join(" ")' "$w/truth/heists.json"); do
        args+=(--from "$t")
    done
    "$CW_BIN" trace --store "$T/s$n" --labels "$T/l$n.db" "${args[@]}" --through-mixer --btc-store "$T/bs" \
        --json > "$T/t$n.json"
    $PY "$SRC/tests/diff/evm_accept.py" "$n" "$w" --btc-truth "$T/bw/truth/heists.json" "$T/t$n.json" > "$T/a$n.txt"
    grep -P "^$n\t" "$T/a$n.txt" >&2
    check "$n: all 8 figures measured" test "$(grep -cP "^$n\t" "$T/a$n.txt")" -ge 8
    while IFS=$'\t' read -r _ fig val bound ok; do
        check "$n: $fig $val ($bound)" test "$ok" = ok
    done < <(grep -P "^$n\t" "$T/a$n.txt")
    check "$n: the world has every shape (ours: drain, swap, fan-out, hops, mixer, bridge, cash-out; both: cash-outs, bridge deposits and mixer notes of the heist)" $PY -c "
import csv, sys
T = '$w/truth/'
kinds = {r['kind'] for r in csv.DictReader(open(T + 'heist_flows.csv'))} if '$n' == 'ours' else set()
ok = all(any(r['heist'] for r in csv.DictReader(open(T + f))) for f in ('cash_outs.csv', 'bridge_deposits.csv', 'mixer_links.csv'))
sys.exit(not ok or ('$n' == 'ours' and not {'drain', 'swap', 'fan_out', 'hop', 'mixer_withdrawal', 'bridge', 'cash_out'} <= kinds))"
done
set +e
"$CW_BIN" trace --store "$T/sours" --labels "$T/lours.db" > /dev/null 2> "$T/err"
rc=$?
set -e
check_eq "no source: exit 2" "$rc" 2
check "no source: says so" grep -q -- "--from 0xTXHASH is required" "$T/err"
set +e
"$CW_BIN" ingest evm --csv "$T/ours" --store "$T/nochain" --chain nochain --quiet 2> "$T/err"
rc=$?
"$CW_BIN" screen 0x1234567890123456789012345678901234567890 --store "$T/sours" 2> "$T/err2"
rc2=$?
set -e
check_eq "unknown chain: exit 2" "$rc" 2
check "unknown chain: named, the chains listed" grep -q "unknown chain 'nochain' (ethereum" "$T/err"
check "unknown chain: no store created" test ! -e "$T/nochain"
check_eq "unknown address: exit 3" "$rc2" 3
check "unknown address: named" grep -q "0x1234567890123456789012345678901234567890 is not in the store" "$T/err2"
finish
