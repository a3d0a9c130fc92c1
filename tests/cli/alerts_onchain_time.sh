#!/usr/bin/env bash
# alerts list: RAISED is when this node raised the alert, not an on-chain time, and says so; the
# on-chain time of the tx that triggered a chain alert (the block time of its evidence's txid or
# first CoinJoin, else of its first tx's block, else of a case's earliest deposit) stands beside
# it, text and JSON (onchain_time, onchain_height),
# equal to `chainwatch block HEIGHT --json`'s time. An alert raised by hand has none ("-", null).
source "$(dirname "$0")/../lib/cli.sh"
B=$CW_BIN
W=$T/w
utc() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
"$B" gen --out "$W" --txs 3000 --seed 3 --scenario "$CW_SOURCE_DIR/data/scenarios/quick-heist.json" --quiet > /dev/null
"$B" ingest btc --blocks "$W/blocks" --store "$T/s" --network regtest --quiet > /dev/null
"$B" labels import gen-truth "$W/truth/addresses.csv" --db "$T/l.db" --quiet > /dev/null
jq '[.[] | {name: .name, from: [.stolen_outputs[].outpoint], severity: "critical", tlp: "amber", share_to: "KOR"}]' \
    "$W/truth/heists.json" > "$T/cases.json"
N=$T/node.db
"$B" node init --db "$N" --name USA > /dev/null
"$B" rules run --db "$N" --store "$T/s" --labels "$T/l.db" --cases "$T/cases.json" > /dev/null
"$B" alerts raise --db "$N" --kind manual --title "by hand" > /dev/null
"$B" alerts list --db "$N" --limit 1000 --json > "$T/al.json"
n=$(jq '[.alerts[] | select(.source == "chain" and .kind != "manual")] | length' "$T/al.json")
check "chain alerts raised ($n)" test "$n" -ge 3
check_eq "raised_at is the raise time (time, as before)" "$(jq '[.alerts[] | select(.raised_at != .time)] | length' "$T/al.json")" 0
nt=$(jq '[.alerts[] | select(.source == "chain" and .onchain_time != null)] | length' "$T/al.json")
check_eq "every chain alert has an on-chain time" "$nt" "$n"
bad=0
while read -r h t; do
    want=$(utc "$("$B" block "$h" --store "$T/s" --json | jq .time)")
    [ "$t" = "$want" ] || { echo "height $h: $t, block says $want"; bad=$((bad + 1)); }
done < <(jq -r '.alerts[] | select(.onchain_time != null) | "\(.onchain_height) \(.onchain_time)"' "$T/al.json")
check_eq "every on-chain time is its block's time" "$bad" 0
TXA=$(jq -r '[.alerts[] | select(.evidence.txid != null and .onchain_time != null)][0] | "\(.evidence.txid) \(.onchain_height)"' "$T/al.json")
if [ "${TXA%% *}" != null ]; then
    check_eq "an alert's txid: its on-chain height is the tx's block" \
        "$("$B" tx "${TXA%% *}" --store "$T/s" --json | jq .height)" "${TXA##* }"
fi
# a case's exchange alert: its earliest deposit (the end outputs of its paths)
EXA=$(jq -c '[.alerts[] | select(.kind == "stolen-funds-at-exchange")][0]' "$T/al.json")
min=
for op in $(jq -r '.evidence.paths[].outpoint' <<< "$EXA"); do
    h=$("$B" tx "${op%%:*}" --store "$T/s" --json | jq .height)
    [ -z "$min" ] || [ "$h" -lt "$min" ] && min=$h
done
check_eq "an exchange alert: the block of its earliest deposit" "$(jq .onchain_height <<< "$EXA")" "$min"
CJA=$(jq -r '[.alerts[] | select(.kind == "watched-funds-coinjoin")][0] | "\(.evidence.first_coinjoin_txid) \(.onchain_height)"' "$T/al.json")
if [ "${CJA%% *}" != null ]; then
    check_eq "a CoinJoin alert: the block of its first CoinJoin" \
        "$("$B" tx "${CJA%% *}" --store "$T/s" --json | jq .height)" "${CJA##* }"
fi
check_eq "the alert raised by hand has none" "$(jq -c '[.alerts[] | select(.kind == "manual") | .onchain_time]' "$T/al.json")" "[null]"
"$B" alerts list --db "$N" --limit 1000 > "$T/al.txt"
check "text: the header names RAISED and ON-CHAIN" grep -q '^ID  *RAISED (UTC)  *ON-CHAIN (UTC)  *SOURCE' "$T/al.txt"
first=$(jq -r '[.alerts[] | select(.onchain_time != null)][0] | "\(.id) \(.onchain_time)"' "$T/al.json")
check_eq "text: an alert's line shows its on-chain time" "$(awk -v id="${first%% *}" '$1 == id {print $3}' "$T/al.txt")" "${first##* }"
check_eq "text: the manual alert's on-chain column is -" "$(grep 'by hand$' "$T/al.txt" | awk '{print $3}')" "-"
finish
