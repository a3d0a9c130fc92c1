#!/usr/bin/env bash
# evm_reader_killed.sh: read commands on an EVM store whose writer was killed before its commit
# (the in-place heads of acctlast.col then point at movements past the published count) answer
# for the published state, exactly as the same store once recovered does, and change nothing:
# `check`, `address`, `screen` and `trace` (--json) on the killed store equal their answers on a
# recovered copy (a writable open: an ingest of header-only CSVs), byte for byte, and
# the killed store's files are the same before and after. Main's build crashed in `screen`
# (a null movement) and refused `address` ("a in chain leaves the moves") on such a store.
# Then a reader opened *before* the writer moved the heads (a server keeps its handle until the
# next commit): `serve`'s EVM traces after an ingest killed before its commit equal its traces
# before it. Stop 14's build (heads walked back once, at open) answered them with movements past
# its published state.
source "$(dirname "$0")/../lib/cli.sh"
MK=$(dirname "$0")/evm/mkchain.py
python3 "$MK" "$T/a" 100 50 1 140
accts=$(cut -d, -f6,7 "$T/a/transactions.csv" | tail -n +2 | tr ',' '\n' | grep '^0x' | sort | uniq -c \
    | sort -rn | head -4 | awk '{print $2}')
tx=$(sed -n 2p "$T/a/transactions.csv" | cut -d, -f1)
tested=0
for n in 9 15 24; do
    S=$T/s$n R=$T/r$n
    rc=0
    crash_at $n "$CW_BIN" ingest evm --csv "$T/a" --store "$S" --commit-blocks 10 \
        --quiet || rc=$?
    [ "$rc" -eq 137 ] || continue
    before=$(store_digest "$S")
    # the recovered copy: a writable open (an ingest of no new blocks) recovers it
    cp -a "$S" "$R"
    mkdir -p "$T/empty$n"
    for f in "$T/a"/*.csv; do head -1 "$f" > "$T/empty$n/$(basename "$f")"; done
    "$CW_BIN" ingest evm --csv "$T/empty$n" --store "$R" --quiet > /dev/null 2> "$T/rec.err" \
        || { bad "crash point $n: recovery run failed: $(cat "$T/rec.err")"; continue; }
    check_eq "crash point $n: check on the killed store = on the recovered one" \
        "$("$CW_BIN" check --store "$S" --json 2>&1 | jq -c 'del(.store)')" \
        "$("$CW_BIN" check --store "$R" --json 2>&1 | jq -c 'del(.store)')"
    for a in $accts; do
        for cmd in address screen; do
            x=$("$CW_BIN" $cmd "$a" --store "$S" --json 2>&1)
            y=$("$CW_BIN" $cmd "$a" --store "$R" --json 2>&1)
            check_eq "crash point $n: $cmd $a on the killed store = on the recovered one" \
                "$(jq -c 'del(.store)' <<< "$x" 2>/dev/null || echo "$x")" \
                "$(jq -c 'del(.store)' <<< "$y" 2>/dev/null || echo "$y")"
        done
    done
    check_eq "crash point $n: trace from a tx, killed = recovered" \
        "$("$CW_BIN" trace --from "$tx" --store "$S" --json 2>&1 | jq -c 'del(.store, .seconds)' 2>&1)" \
        "$("$CW_BIN" trace --from "$tx" --store "$R" --json 2>&1 | jq -c 'del(.store, .seconds)' 2>&1)"
    check_eq "crash point $n: the read commands changed nothing in the killed store" \
        "$(store_digest "$S")" "$before"
    tested=$((tested + 1))
done
check "three killed stores were read ($tested)" test "$tested" -eq 3

# a server's handle opened before the writer ran: blocks 100..149 ingested, the server answers,
# then an ingest of 100..199 is killed before its commit (the heads moved in place, MANIFEST
# unchanged, so the server keeps its handle)
python3 "$MK" "$T/f" 100 100 1
mkdir -p "$T/h"
for f in "$T/f"/*.csv; do
    awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "number" || $i == "block_number") k = i; print; next }
        !k || $k < 150' "$f" > "$T/h/$(basename "$f")"
done
DB=$T/node.db
"$CW_BIN" node init --db "$DB" --name USA > /dev/null
KEY=$("$CW_BIN" keys add analyst1 --role analyst --db "$DB")
served=0
for n in 4 6; do
    S=$T/srv$n
    "$CW_BIN" ingest evm --csv "$T/h" --store "$S" --quiet > /dev/null
    rm -f "$T/ready"
    "$CW_BIN" serve --db "$DB" --evm-store "$S" --listen 127.0.0.1:0 --ready-file "$T/ready" 2> "$T/serve.log" &
    PID=$!
    trap 'kill $PID 2> /dev/null || true; wait $PID 2> /dev/null || true; rm -rf "$T"' EXIT
    for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
    [ -s "$T/ready" ] || { bad "crash point $n: serve did not start: $(cat "$T/serve.log")"; kill $PID; continue; }
    U="http://$(cat "$T/ready")/api/v1/evm"
    txs=$(awk -F, 'NR > 1 && $4 < 150 && $8 != "0" && n++ < 25 { print $1 }' "$T/h/transactions.csv")
    for t in $txs; do curl -s -m 120 -H "Authorization: Bearer $KEY" "$U/trace?from=$t" | jq -c 'del(.seconds)'; done > "$T/before$n"
    rc=0
    crash_at $n "$CW_BIN" ingest evm --csv "$T/f" --store "$S" --commit-blocks 1000 \
        --quiet || rc=$?
    for t in $txs; do curl -s -m 120 -H "Authorization: Bearer $KEY" "$U/trace?from=$t" | jq -c 'del(.seconds)'; done > "$T/after$n"
    kill $PID; wait $PID 2> /dev/null || true
    trap 'rm -rf "$T"' EXIT
    [ "$rc" -eq 137 ] || { bad "crash point $n: the ingest was not killed (rc $rc)"; continue; }
    k=$(grep -c '"ends":\[{' "$T/before$n")
    check "crash point $n: the server answered traces with ends ($k of 25)" test "$k" -ge 10
    check_eq "crash point $n: the server's traces after the killed ingest = before it" \
        "$(cat "$T/after$n")" "$(cat "$T/before$n")"
    served=$((served + 1))
done
check "two servers read beside a killed writer ($served)" test "$served" -eq 2
finish
