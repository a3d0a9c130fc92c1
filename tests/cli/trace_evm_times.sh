#!/usr/bin/env bash
# On-chain times in the EVM trace (docs/TRACE-MODELS.md "Reading an EVM trace: blocks and times"):
# every line of `trace` that names a transaction (the heist, each end's first arrival, each mixer
# link, each conversion, each bridge exit) shows its block number and the block's time (UTC, ISO
# 8601), as `tx`, `block` and `address` do for Bitcoin; `--json` gives `block`, `time` (unix
# seconds) and `time_utc` beside each of them (`first_` on an end, `sources_at` for the heist),
# and `height` beside each Bitcoin payout of a continuation. Each is checked against the store:
# the block of the tx (`tx --json`) and that block's time (`block --json`).
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}

jq '.heists[0].at_day = 0.1 | .heists = [.heists[0]]' "$SRC/data/scenarios/quick-heist.json" > "$T/btc.json"
"$CW_BIN" gen --out "$T/bw" --txs 8000 --seed 5 --scenario "$T/btc.json" --quiet > /dev/null
stolen=$(jq -c '[.[0].stolen_outputs[].address]' "$T/bw/truth/heists.json")
jq --argjson a "$stolen" '.heists[0].steps[4].btc_to = $a' "$SRC/data/scenarios/evm-quick-heist.json" > "$T/evm.json"
"$CW_BIN" gen evm --out "$T/ew" --txs 15000 --seed 3 --scenario "$T/evm.json" --quiet > /dev/null
"$CW_BIN" ingest evm --csv "$T/ew" --store "$T/es" --chain ethereum --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$T/bw/blocks" --store "$T/bs" --network regtest --quiet > /dev/null
/usr/bin/python3 "$SRC/tests/diff/xchain_labels.py" "$T/ew/truth/addresses.csv" "$T/bw/truth/addresses.csv" > "$T/labels.csv"
"$CW_BIN" labels import csv "$T/labels.csv" --db "$T/labels.db" > /dev/null
from=()
for t in $(jq -r '.[0].drain_txs // .[0].drain_transactions | .[]' "$T/ew/truth/heists.json"); do from+=(--from "$t"); done
args=(--store "$T/es" --labels "$T/labels.db" "${from[@]}" --through-mixer --btc-store "$T/bs")
"$CW_BIN" trace "${args[@]}" --json > "$T/t.json"
"$CW_BIN" trace "${args[@]}" > "$T/t.txt"

# the document has every kind of line with a tx
for k in ends mixer_links conversions bridge_exits continuations; do
    check "the trace has $k" test "$(jq ".$k | length" "$T/t.json")" -ge 1
done
check_eq "sources_at: one per --from, in order" "$(jq -r '[.sources_at[].tx] | join(" ")' "$T/t.json")" \
    "$(jq -r '.sources | join(" ")' "$T/t.json")"

# every (tx, block, time, time_utc) the document gives, with the field's path
jq -r '
  (.sources_at[] | ["heist", .tx, .block, .time, .time_utc]),
  (.ends[] | ["end", .first_tx, .first_block, .first_time, .first_time_utc]),
  (.ends[] | .arrivals[]? | ["arrival", .tx, .block, .time, .time_utc]),
  (.mixer_links[], .mixer_candidates[] | ["link", .withdrawal_tx, .block, .time, .time_utc]),
  (.mixer_links[], .mixer_candidates[] | .lead | select(. != null) | ["lead", .tx, .block, .time, .time_utc]),
  (.conversions[] | ["conversion", .tx, .block, .time, .time_utc]),
  (.bridge_exits[] | ["exit", .tx, .block, .time, .time_utc])
  | map(tostring) | join(" ")' "$T/t.json" > "$T/when.txt"
check "every tx of the document has a block, a time and its UTC form" \
    test "$(awk 'NF != 5 || $3 == "null" || $4 == "null" || $5 == "null"' "$T/when.txt" | wc -l)" -eq 0
bad_utc=$(while read -r what tx blk t utc; do
    [ "$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ)" = "$utc" ] || echo "$what $tx"
done < "$T/when.txt" | wc -l)
check_eq "each time_utc is its time in ISO 8601, UTC" "$bad_utc" 0
# a sample of each kind against the store: the tx's block, and that block's time
awk '!seen[$1]++ || NR % 97 == 0' "$T/when.txt" | sort -u > "$T/sample.txt"
check "the sample covers heist, end, arrival, link, conversion and exit" \
    test "$(cut -d' ' -f1 "$T/sample.txt" | sort -u | grep -c -E '^(heist|end|arrival|link|conversion|exit)$')" -eq 6
wrong=0
while read -r what tx blk t utc; do
    sb=$("$CW_BIN" tx "$tx" --store "$T/es" --json | jq '.block')
    st=$("$CW_BIN" block "$sb" --store "$T/es" --json | jq '.timestamp // .time')
    if [ "$sb" != "$blk" ] || [ "$st" != "$t" ]; then
        echo "  $what $tx: document block $blk time $t, store block $sb time $st" >&2
        wrong=$((wrong + 1))
    fi
done < "$T/sample.txt"
check_eq "the sample's blocks and times are the store's ($(wc -l < "$T/sample.txt") txs)" "$wrong" 0

# Bitcoin payouts: the height of the block holding the payout, and its time
p=$(jq -r '[.continuations[].payouts[]][0] | [.txid, .height, .time] | map(tostring) | join(" ")' "$T/t.json")
read -r ptx ph pt <<< "$p"
check_eq "a payout's height is its tx's" "$ph" "$("$CW_BIN" tx "$ptx" --store "$T/bs" --json | jq '.height')"
check_eq "a payout's time is its block's" "$pt" "$("$CW_BIN" tx "$ptx" --store "$T/bs" --json | jq '.time')"

# the text: the heist line, and block and time on every end, link, conversion and exit line
re='block [0-9]+ 20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z'
first=$(jq -r '[.sources_at[].block] | min' "$T/t.json")
check "the heist line names its first block and time" grep -q -E "^heist: [0-9]+ txs? (from|at) block $first " "$T/t.txt"
n_ends=$(jq '.ends | length' "$T/t.json")
check_eq "every end line shows its first arrival's block and time" \
    "$(sed -n '/^where the value ended/,/^$/p' "$T/t.txt" | grep -c -E "hops  $re")" "$n_ends"
check_eq "every mixer link line shows its block and time" \
    "$(sed -n '/^mixer withdrawals linked/,/^$/p' "$T/t.txt" | grep -c -E "^  $re  0x")" "$(jq '.mixer_links | length' "$T/t.json")"
check_eq "every conversion line shows its block and time" \
    "$(sed -n '/^conversions/,/^$/p' "$T/t.txt" | grep -c -E "^  $re  0x")" "$(jq '.conversions | length' "$T/t.json")"
check_eq "every bridge exit line shows its block and time" \
    "$(grep -c -E "^  $re  0x[0-9a-f]{64}  " "$T/t.txt")" "$(jq '.bridge_exits | length' "$T/t.json")"
check "payout lines show the height and time" grep -q -E ":[0-9]+  [0-9.]+ BTC  height $ph " "$T/t.txt"
finish
