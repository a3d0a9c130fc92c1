#!/usr/bin/env bash
# cli_progress.sh: progress on a terminal for commands that run longer than 2 s (issue 14,
# Build 7), and for `ingest evm` (issue 12, Build 2): labels import and rules run draw "<what>: N s" on stderr when it is a tty (here a
# pseudo-terminal from script(1)), after CHAINWATCH_PROGRESS_DELAY seconds (default 2; 0 here
# so the test is short), and clear the line at the end; nothing on a pipe. trace's timing
# includes loading the store and the labels (its --json stays byte-for-byte deterministic).
source "$(dirname "$0")/../lib/cli.sh"
command -v script > /dev/null || { echo "SKIPPED: script(1) is missing (bsdutils)"; exit 77; }
unset CW_NO_PROGRESS
W="$T/w" S="$T/s"
"$CW_BIN" gen --out "$W" --txs 11000 --seed 3 --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$W/blocks" --store "$S" --network regtest > /dev/null 2>&1
export CHAINWATCH_PROGRESS_DELAY=0
script -qec "'$CW_BIN' labels import gen-truth '$W/truth/addresses.csv' --db '$T/l.db'" "$T/tty1" > /dev/null
check "labels import on a tty: a progress line" grep -q "labels import gen-truth: [0-9]* s" "$T/tty1"
check "... cleared at the end (erase-line before the summary)" grep -q $'\r\033\\[K.*imported as run 1' "$T/tty1"
check "labels import says its time" grep -q "^time: [0-9.]* s" "$T/tty1"
"$CW_BIN" node init --db "$T/node.db" --name USA > /dev/null
jq '[.[] | {name: .name, from: [.stolen_outputs[].outpoint]}]' "$W/truth/heists.json" > "$T/cases.json"
script -qec "'$CW_BIN' rules run --db '$T/node.db' --store '$S' --labels '$T/l.db' --cases '$T/cases.json'" "$T/tty2" > /dev/null
check "rules run on a tty: a progress line" grep -q "rules run: [0-9]* s" "$T/tty2"
rm -f "$T/l2.db"
"$CW_BIN" labels import gen-truth "$W/truth/addresses.csv" --db "$T/l2.db" > "$T/pipe.out" 2> "$T/pipe.err"
check "not on a pipe" bash -c '! grep -q "s, working" "$1" "$2"' _ "$T/pipe.out" "$T/pipe.err"
unset CHAINWATCH_PROGRESS_DELAY
script -qec "'$CW_BIN' labels count --db '$T/l.db'" "$T/tty3" > /dev/null
check "a command faster than 2 s draws none" bash -c '! grep -q "working" "$1"' _ "$T/tty3"
OP=$(jq -r '.[0].stolen_outputs[0].outpoint' "$W/truth/heists.json")
"$CW_BIN" trace --from "$OP" --store "$S" --labels "$T/l.db" > "$T/trace.txt"
line=$(grep -m1 "^trace " "$T/trace.txt")
check "trace's time includes loading ($line)" grep -q "s with loading the store and labels; tracing" <<< "$line"
# ingest evm (issue 12, Build 2: "progress is shown on a terminal"): bytes of the export read,
# the line cleared before the summary; nothing on a pipe
/usr/bin/python3 "$(dirname "$0")/evm/mkchain.py" "$T/ew" 0 20 3 > /dev/null
script -qec "'$CW_BIN' ingest evm --csv '$T/ew' --store '$T/es'" "$T/tty4" > /dev/null
check "ingest evm on a tty: a progress line" grep -q "ingest evm: [0-9]*/[0-9]* B " "$T/tty4"
check "... cleared before the summary" grep -q $'\r\033\\[Kingest: 20 blocks' "$T/tty4"
"$CW_BIN" ingest evm --csv "$T/ew" --store "$T/es2" > "$T/epipe.out" 2> "$T/epipe.err"
check "ingest evm on a pipe: no progress line" bash -c '! grep -q "ingest evm: " "$1" "$2"' _ "$T/epipe.out" "$T/epipe.err"
finish
