# tests/lib/evm_score.sh (sourced after cli.sh): score_world WORLD NAME ingests an EVM world,
# labels it as a label provider would (tests/diff/xchain_labels.py), traces its first heist's
# drain txs through mixers (JSON in $T/tNAME.json, text in $T/tNAME.txt) and scores the trace
# against the world's truth (tests/diff/evm_eval.py, in $T/vNAME.txt).
score_world() {
    local w=$1 n=$2 src=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
    "$CW_BIN" ingest evm --csv "$w" --store "$T/s$n" --chain ethereum --quiet > /dev/null
    /usr/bin/python3 "$src/tests/diff/xchain_labels.py" "$w/truth/addresses.csv" > "$T/l$n.csv"
    "$CW_BIN" labels import csv "$T/l$n.csv" --db "$T/l$n.db" > /dev/null
    local args=()
    for t in $(jq -r '.[0] | (.drain_txs // .drain_transactions) | join(" ")' "$w/truth/heists.json"); do
        args+=(--from "$t")
    done
    "$CW_BIN" trace --store "$T/s$n" --labels "$T/l$n.db" "${args[@]}" --through-mixer --json > "$T/t$n.json"
    "$CW_BIN" trace --store "$T/s$n" --labels "$T/l$n.db" "${args[@]}" --through-mixer > "$T/t$n.txt"
    /usr/bin/python3 "$src/tests/diff/evm_eval.py" "$w" "$T/t$n.json" > "$T/v$n.txt"
}
