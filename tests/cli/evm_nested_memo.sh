#!/usr/bin/env bash
# THORChain memos inside nested calldata (docs/STORE-FORMAT.md "Memos", cw_evm_memo_from_nested).
# An independent world (evm_shapes_world.py --nested-memo, 20k txs) where aggregator deposits,
# the thief's and honest users', are made three ways: the aggregator's multicall(bytes[]) whose
# element is the router's depositWithExpiry, the same multicall sent from the user's Safe
# (execTransaction), and LI.FI's startBridgeTokensViaThorSwap with the memo in a tuple. The
# THORChain router logs Deposit with the memo, as real routers do. Ingested as exported, and again
# without logs.csv (exports often leave the largest table out; token_transfers stand in):
# - without logs, every such deposit keeps its memo (source calldata, flag nested), read from the
#   calldata: `tx --json` gives the truth's memo; with logs, one row, from the log, as before;
# - the trace of the store without logs ends each thief deposit of the three shapes it meets at
#   the aggregator (the tx's `to`, the memo's only known addressee; with the log it ends at the
#   THORChain router), with the true Bitcoin address, and names no honest tx of the shapes.
# Main's build keeps no memo for any of them without logs (no row: every memo check fails), and
# its trace ends none of them at a bridge there.
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
w=$T/w
/usr/bin/python3 "$SRC/tests/diff/evm_shapes_world.py" --out "$w" --seed 1 --txs 20000 --nested-memo > /dev/null
mkdir "$T/nolog"
for f in "$w"/*; do
    [ "$(basename "$f")" = logs.csv ] || ln -s "$f" "$T/nolog/"
done
"$CW_BIN" ingest evm --csv "$w" --store "$T/s" --chain ethereum --quiet > /dev/null
"$CW_BIN" ingest evm --csv "$T/nolog" --store "$T/sn" --chain ethereum --quiet > /dev/null
check "the store without logs passes check" "$CW_BIN" check --store "$T/sn" --json
# every deposit of the three shapes (thief's and honest): its memo
for style in aggregator safe_aggregator lifi_aggregator; do
    awk -F, -v s=$style 'NR > 1 && $10 == s {print $2, $8}' "$w/truth/bridge_deposits.csv" > "$T/$style.txt"
    n=$(wc -l < "$T/$style.txt")
    check "$style: deposits in the world ($n)" test "$n" -ge 3
    ok=0 okl=0
    while read -r tx memo; do
        j=$("$CW_BIN" tx --store "$T/sn" "$tx" --json)
        [ "$(jq -c '[.memos[] | {memo, source}]' <<< "$j")" = "[{\"memo\":\"$memo\",\"source\":\"calldata\"}]" ] && ok=$((ok + 1))
        j=$("$CW_BIN" tx --store "$T/s" "$tx" --json)
        [ "$(jq -c '[.memos[] | {memo, source}]' <<< "$j")" = "[{\"memo\":\"$memo\",\"source\":\"log\"}]" ] && okl=$((okl + 1))
    done < "$T/$style.txt"
    check_eq "$style, no logs: the truth's memo read from nested calldata ($ok of $n)" "$ok" "$n"
    check_eq "$style, with logs: one row, from the router's log ($okl of $n)" "$okl" "$n"
done
# the trace without logs
/usr/bin/python3 "$SRC/tests/diff/xchain_labels.py" "$w/truth/addresses.csv" > "$T/l.csv"
"$CW_BIN" labels import csv "$T/l.csv" --db "$T/l.db" > /dev/null
i=0
for drains in $(jq -r '.[] | (.drain_txs // .drain_transactions) | join(",")' "$w/truth/heists.json"); do
    args=()
    IFS=, read -ra txs <<< "$drains"
    for t in "${txs[@]}"; do args+=(--from "$t"); done
    "$CW_BIN" trace --store "$T/sn" --labels "$T/l.db" "${args[@]}" --through-mixer --json > "$T/t$i.json"
    i=$((i + 1))
done
/usr/bin/python3 "$SRC/tests/diff/evm_router_bridge_eval.py" "$w" "$T"/t*.json > "$T/r.txt"
cat "$T/r.txt" >&2
reached_all=0
for label in "THORChain deposit through an aggregator's multicall" "the same multicall sent from the user's Safe" \
    "THORChain deposit through LI.FI's ThorSwap facet \(memo in a tuple\)"; do
    q=$(sed -nE "s/^$label: thief's [0-9]+ \(honest [0-9]+\); reached ([0-9]+): ended at the bridge ([0-9]+), at the router ([0-9]+), elsewhere ([0-9]+)(; exits naming the true recipient ([0-9]+) of ([0-9]+))?$/\1 \2 \3 \4 \6 \7/p" "$T/r.txt")
    read -r r b rt el ok of <<< "${q:-0 -1 -1 -1 -1 -2}"
    reached_all=$((reached_all + r))
    # without the router's log the memo is the aggregator's calldata's: the deposit ends at the
    # aggregator (recognised as a memo bridge by it), the first bridge it meets
    check "no logs, $label: each deposit reached ($r) ended at the aggregator ($rt) or a bridge ($b)" \
        test "$((b + rt))" = "$r" -a "$el" = 0
    [ "$r" -gt 0 ] && check_eq "no logs, $label: each exit names the true Bitcoin address ($ok of $of)" "$ok" "$of"
done
check "no logs: the trace met thief deposits of the three shapes ($reached_all)" test "$reached_all" -ge 10
check_eq "no logs: no honest tx of the shapes named" "$(grep -c "honest txs of the shape named by the trace: 0" "$T/r.txt")" 3
finish
