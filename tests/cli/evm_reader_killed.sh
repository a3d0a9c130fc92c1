#!/usr/bin/env bash
# evm_reader_killed.sh: read commands on an EVM store whose writer was killed before its commit
# (the in-place heads of acctlast.col then point at movements past the published count) answer
# for the published state, exactly as the same store once recovered does, and change nothing:
# `check`, `address`, `screen` and `trace` (--json) on the killed store equal their answers on a
# recovered copy (a writable open: an ingest of header-only CSVs), byte for byte, and
# the killed store's files are the same before and after. Main's build crashed in `screen`
# (a null movement) and refused `address` ("a in chain leaves the moves") on such a store.
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
    (CW_TEST_CRASH_POINT=$n exec "$CW_BIN" ingest evm --csv "$T/a" --store "$S" --commit-blocks 10 \
        --quiet > /dev/null 2>&1) 2> /dev/null || rc=$?
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
finish
