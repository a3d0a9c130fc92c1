#!/usr/bin/env bash
# The label sweep of issue 13 (answers that hold when a held-out world labels less, or
# differently): for each ingested world and each label variant of tests/diff/evm_label_variants.py
# (full, noexch, nomixer, nobridge, vault, relayer, dex, dexexch, eip55, none: no --labels at all;
# gentruth: the truth file itself through `labels import gen-truth`, users, deposit addresses,
# thieves and services excluded), trace
# every heist forward under FIFO through mixers as scripts/eval-evm.sh does, score with
# tests/diff/evm_eval.py, and print one line per world and variant.
# usage: scripts/evm-label-sweep.sh BIN OUT WORLD_DIR... (each WORLD_DIR holds world/ and store/)
#   VARIANTS="full none" to choose; TRACE_ARGS as in eval-evm.sh (default --through-mixer)
set -euo pipefail
BIN=$1 OUT=$2
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
VARIANTS=${VARIANTS:-full noexch nomixer nobridge vault relayer dex dexexch eip55 gentruth none}
TRACE_ARGS=${TRACE_ARGS---through-mixer}
mkdir -p "$OUT"
for wd in "$@"; do
    name=$(basename "$wd")
    for v in $VARIANTS; do
        d="$OUT/$name/$v"
        rm -rf "$d"
        mkdir -p "$d"
        lab=()
        if [ "$v" = gentruth ]; then
            # the world's truth as it is, through the generator-truth reader, less what an
            # investigator would not have (users, deposit addresses, the thief)
            if ! "$BIN" labels import gen-truth "$wd/world/truth/addresses.csv" --db "$d/labels.db" \
                --exclude individual,exchange_deposit,theft,service --quiet > /dev/null 2> "$d/import.err"; then
                printf '%-15s %-8s import failed: %s\n' "$name" "$v" "$(head -1 "$d/import.err")"
                continue
            fi
            lab=(--labels "$d/labels.db")
        elif [ "$v" != none ]; then
            /usr/bin/python3 "$here/tests/diff/evm_label_variants.py" "$wd/world/truth/addresses.csv" "$v" > "$d/labels.csv"
            "$BIN" labels import csv "$d/labels.csv" --db "$d/labels.db" --quiet > /dev/null
            lab=(--labels "$d/labels.db")
        fi
        n=0
        for drains in $(jq -r '.[] | .drain_txs // .drain_transactions | join(",")' "$wd/world/truth/heists.json"); do
            args=()
            IFS=, read -ra txs <<< "$drains"
            for t in "${txs[@]}"; do args+=(--from "$t"); done
            "$BIN" trace --store "$wd/store" "${lab[@]}" "${args[@]}" $TRACE_ARGS --json > "$d/trace$n.json"
            n=$((n + 1))
        done
        /usr/bin/python3 "$here/tests/diff/evm_eval.py" "$wd/world" "$d"/trace*.json > "$d/eval.txt"
        /usr/bin/python3 "$here/tests/diff/evm_sweep_line.py" "$name" "$v" "$d/eval.txt"
    done
done
