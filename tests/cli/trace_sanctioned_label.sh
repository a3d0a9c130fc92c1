#!/usr/bin/env bash
# A sanctioned label never hides behind another label of the same address (issue 13): on
# BlockSci's labelled regtest chain, merge-tx-1's output is labelled both an exchange deposit
# and sanctioned (label categories come from the store ordered by name, so exchange_deposit is
# read first). The trace still stops there (exchange_deposit is a stop category) and reports it
# as sanctioned; screening counts the exposure as sanctioned; the label source
# label:exchange_deposit still finds the address.
source "$(dirname "$0")/../lib/cli.sh"
need_shared btc-regtest-labeled-chain/blk00000.dat
R=$SHARED/btc-regtest-labeled-chain
S=$T/store
key() { jq -r --arg k "$1" '.[$k]' "$R/output.json"; }
"$CW_BIN" ingest btc --blocks "$R" --store "$S" --network regtest > /dev/null
THIEF=$("$CW_BIN" tx "$(key taint-fund-tx-1)" --store "$S" --json | jq -r '.outputs[0].address')
DEP=$("$CW_BIN" tx "$(key taint-merge-tx-1)" --store "$S" --json | jq -r '.outputs[0].address')
END=$("$CW_BIN" tx "$(key taint-merge-tx-3)" --store "$S" --json | jq -r '.outputs[0].address')
printf 'address,entity,category\n%s,Thief,theft\n%s,Exchange A,exchange_deposit\n%s,Sanctioned Co,sanctioned\n' \
    "$THIEF" "$DEP" "$DEP" > "$T/l.csv"
"$CW_BIN" labels import csv "$T/l.csv" --db "$T/l.db" --quiet > /dev/null
J=$("$CW_BIN" trace --store "$S" --json --from label:theft --labels "$T/l.db")
# the same 2.9997 BTC the plain exchange-deposit label stops (trace_regtest.sh), now named sanctioned
check_eq "trace stops at the address (exchange_deposit is a stop)" \
    "$(jq -c '[.by_entity[] | select(.value == 299970000) | .category]' <<< "$J")" '["sanctioned"]'
check_eq "the end names the sanctioned entity" \
    "$(jq -r '[.by_entity[] | select(.value == 299970000) | .entity][0]' <<< "$J")" "Sanctioned Co"
check_eq "no end is reported as the exchange deposit" \
    "$(jq -c '[.by_entity[] | select(.category == "exchange_deposit")] | length' <<< "$J")" 0
SJ=$("$CW_BIN" screen "$END" --store "$S" --labels "$T/l.db" --hops 3 --json)
share=$(jq '[.exposure[] | select(.category == "sanctioned") | .share][0]' <<< "$SJ")
check "screen: sanctioned share 2.9997/14.9995 ($share)" awk -v s="$share" 'BEGIN { exit !(s > 0.19998 && s < 0.19999) }'
check_eq "screen: sanctioned flagged" "$(jq -r '.flag' <<< "$SJ")" flag
check_eq "label:exchange_deposit still finds the address" \
    "$("$CW_BIN" trace --store "$S" --json --from label:exchange_deposit --labels "$T/l.db" | jq '.source_value > 0')" true
finish
