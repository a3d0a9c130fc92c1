#!/usr/bin/env bash
# trace and screen through the CLI on BlockSci's labelled regtest chain: the JSON figures equal
# the hand-computed ones of docs/TRACE-MODELS.md and BlockSci's taint_fee=False assertions;
# label sources and stop categories; screening hop depth and JSON lines; bad input exits.
source "$(dirname "$0")/../lib/cli.sh"
need_shared btc-regtest-labeled-chain/blk00000.dat
R=$SHARED/btc-regtest-labeled-chain
S=$T/store
key() { jq -r --arg k "$1" '.[$k]' "$R/output.json"; }
"$CW_BIN" ingest btc --blocks "$R" --store "$S" --network regtest > /dev/null
SPLIT=$(key taint-split-tx-1)
tr() { "$CW_BIN" trace --store "$S" --json "$@"; }

check_eq "poison to height 195: 3 - 3 FEE" "$(tr --from "$SPLIT:0" --model poison --until-height 195 | jq '.ended.unspent.value')" 299970000
check_eq "poison to the tip: 15 - 6 FEE" "$(tr --from "$SPLIT:0" --model poison | jq '.ended.unspent.value')" 1499940000
check_eq "haircut to the tip: 99,986,000" "$(tr --from "$SPLIT:0" --model haircut | jq '.ended.unspent.value')" 99986000
check_eq "fifo: the whole output, no fee" "$(tr --from "$SPLIT:0" --model fifo | jq -c '[.ended.unspent.value, .ended.fee]')" '[99990000,null]'
check_eq "strongest path: split > merge-1 > merge-3" "$(tr --from "$SPLIT:0" | jq -r '.paths[0].txids | length')" 3
check_eq "graph: two txs, hops 1 and 2" "$(tr --from "$SPLIT:0" | jq -c '[.graph[].hop]')" '[1,2]'
MAP=$(key taint-mapping-tx)
check_eq "fifo mapping (order): outputs 1 and 2" "$(tr --from "$(key taint-mapping-fund-tx-2):0" --max-hops 1 --coinjoin order | jq -c '[.graph[0].outputs[] | .traced]')" '[266660000,133340000]'
# the mapping tx (3 inputs, 3 equal outputs, no change) is a probable CoinJoin by the shape
# rules (coinjoin_probable), traced as one: rank shares the equal group
check_eq "fifo mapping (default): a probable CoinJoin, shared" "$(tr --from "$(key taint-mapping-fund-tx-2):0" --max-hops 1 | jq -c '[.graph[0].coinjoin, [.graph[0].outputs[] | .traced]]')" '[true,[133333334,133333333,133333333]]'
check_eq "fifo mapping (through): all of it probable" "$(tr --from "$(key taint-mapping-fund-tx-2):0" --coinjoin through | jq -c '.probable.value')" 400000000
check_eq "poison: reach, not amounts" "$(tr --from "$SPLIT:0" --model poison | jq -c '[.reach.txs, .reach.outputs, (.reach.meaning | test("not amounts"))]')" '[2,2,true]'
check "poison table: no percentage" sh -c "\"$CW_BIN\" trace --store \"$S\" --from $SPLIT:0 --model poison | grep -q 'poison is reach' && ! \"$CW_BIN\" trace --store \"$S\" --from $SPLIT:0 --model poison | grep -q '%'"
check_eq "bad probable floor: exit 2" "$(set +e; tr --from "$SPLIT:0" --probable-floor 1.5 > /dev/null 2>&1; echo $?)" 2
check_eq "default policy: rank" "$(tr --from "$SPLIT:0" | jq -c '.options.coinjoin')" '"rank"'
check_eq "bad coinjoin policy: exit 2" "$(set +e; tr --from "$SPLIT:0" --coinjoin sideways > /dev/null 2>&1; echo $?)" 2
check_eq "backward fifo: minted, probable past the mapping tx" "$(tr --from "$(key taint-check-tx):3" --direction backward | jq -c '.ended')" '{"coinbase":{"count":2,"probable":166660000,"value":166660000}}'

check_eq "JSON is deterministic (byte for byte)" "$(tr --from "$(key taint-mapping-fund-tx-2):0" --model haircut | sha256sum)" "$(tr --from "$(key taint-mapping-fund-tx-2):0" --model haircut | sha256sum)"
check "table output" sh -c "\"$CW_BIN\" trace --store \"$S\" --from $SPLIT:0 | grep -q 'strongest paths'"

# labels: the fund-tx-1 address is a thief, merge-tx-1's output an exchange deposit
THIEF=$("$CW_BIN" tx "$(key taint-fund-tx-1)" --store "$S" --json | jq -r '.outputs[0].address')
DEP=$("$CW_BIN" tx "$(key taint-merge-tx-1)" --store "$S" --json | jq -r '.outputs[0].address')
END=$("$CW_BIN" tx "$(key taint-merge-tx-3)" --store "$S" --json | jq -r '.outputs[0].address')
printf 'address,entity,category\n%s,Thief,theft\n%s,Exchange A,exchange_deposit\n' "$THIEF" "$DEP" > "$T/l.csv"
"$CW_BIN" labels import csv "$T/l.csv" --db "$T/l.db" --quiet > /dev/null
J=$(tr --from label:theft --labels "$T/l.db")
check_eq "label source: 7 BTC" "$(jq '.source_value' <<< "$J")" 700000000
check_eq "stops at the deposit (fifo)" "$(jq -c '[.by_entity[] | select(.entity == "Exchange A") | .value]' <<< "$J")" '[299970000]'
check_eq "fifo conserves" "$(jq '[.ended[].value] | add' <<< "$J")" 700000000
check_eq "--stop-at none goes through" "$(tr --from label:Thief --labels "$T/l.db" --stop-at none | jq '.by_entity[0].entity')" '"unknown"'

# screening: the thief is 3 hops behind merge-tx-3's output
check_eq "screen 2 hops: no theft" "$("$CW_BIN" screen "$END" --store "$S" --labels "$T/l.db" --hops 2 --json | jq -c '[.exposure[] | select(.category == "theft")] | length')" 0
# 3 hops: merge-tx-3 = 2.9997 (from the deposit address, labelled: it stops there, direct)
# + 11.9998 BTC, of which 3.9999/11.9999 came from split-tx, funded by the thief (hop 3)
SJ=$("$CW_BIN" screen "$END" --store "$S" --labels "$T/l.db" --hops 3 --json)
share=$(jq '[.exposure[] | select(.category == "theft") | .share][0]' <<< "$SJ")
check "screen 3 hops: theft share 3.9999/14.9995 ($share)" awk -v s="$share" 'BEGIN { exit !(s > 0.26666 && s < 0.26667) }'
share=$(jq '[.exposure[] | select(.category == "exchange_deposit") | .share][0]' <<< "$SJ")
check "screen 3 hops: deposit share 2.9997/14.9995 ($share)" awk -v s="$share" 'BEGIN { exit !(s > 0.19998 && s < 0.19999) }'
check_eq "screen 3 hops: direct vs indirect" "$(jq -c '[.exposure[] | [.category, .min_hops]]' <<< "$SJ")" '[["exchange_deposit",1],["theft",3]]'
check_eq "screen: direct exposure of the deposit's sender" "$("$CW_BIN" screen "$DEP" --store "$S" --labels "$T/l.db" --json | jq -c '[.exposure[] | select(.category == "theft") | .indirect > 0, .min_hops]')" '[true,2]'
# the default follows exposure to the floor, not a fixed depth: the thief 3 hops back is found
SD=$("$CW_BIN" screen "$END" --store "$S" --labels "$T/l.db" --json)
check_eq "screen default (floor): theft found, flagged with its path" "$(jq -c '[.flag, .flags[0].category, .flags[0].level, (.flags[0].paths[0].txids | length), .coinjoin]' <<< "$SD")" '["flag","theft","flag",3,"proportional"]'
check_eq "screen: threshold above the share: not flagged" "$("$CW_BIN" screen "$END" --store "$S" --labels "$T/l.db" --threshold 30% --json | jq -r '.flag')" none
check_eq "screen: a floor above the thief's share stops before it" "$("$CW_BIN" screen "$END" --store "$S" --labels "$T/l.db" --floor 0.3 --json | jq -c '[.flag, ([.exposure[] | select(.category == "theft")] | length)]')" '["none",0]'
check "screen table: FLAGGED and the path" sh -c "\"$CW_BIN\" screen \"$END\" --store \"$S\" --labels \"$T/l.db\" | grep -q 'FLAG theft'"
check_eq "screen: bad --coinjoin: exit 2" "$(set +e; "$CW_BIN" screen "$END" --store "$S" --labels "$T/l.db" --coinjoin rank > /dev/null 2>&1; echo $?)" 2
check_eq "screen: bad --floor: exit 2" "$(set +e; "$CW_BIN" screen "$END" --store "$S" --labels "$T/l.db" --floor 2 > /dev/null 2>&1; echo $?)" 2
printf '# batch\n%s\n\n%s\nmfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8\n' "$END" "$DEP" > "$T/batch.txt"
set +e
"$CW_BIN" screen --file "$T/batch.txt" --store "$S" --labels "$T/l.db" --json > "$T/out.jsonl" 2> "$T/err"; rc=$?
set -e
check_eq "batch: one JSON line per address" "$(wc -l < "$T/out.jsonl")" 3
check_eq "batch: the bad one has an error" "$(sed -n 3p "$T/out.jsonl" | jq -r 'has("error")')" true
check_eq "batch: exit 3 (an address not found)" "$rc" 3

# cluster sources: merge-tx-1 joins its two input addresses (multi-input heuristic)
M1=$("$CW_BIN" tx "$(key taint-merge-tx-1)" --store "$S" --json | jq -r '.inputs[0].address')
set +e
"$CW_BIN" trace --store "$S" --from "cluster:$M1" 2> "$T/err"; rc=$?
set -e
check_eq "cluster source before cluster build: exit 3" "$rc" 3
check "cluster source before cluster build: says so" grep -q "cluster build" "$T/err"
"$CW_BIN" cluster build --store "$S" > /dev/null
check_eq "cluster source: both input addresses of merge-tx-1" "$(tr --from "cluster:$M1" | jq -c '[.n_sources, .source_value]')" '[2,299980000]'

# bad input
set +e
"$CW_BIN" trace --store "$S" 2> "$T/err"; rc=$?
check_eq "no source: exit 2" "$rc" 2
check "no source: says so" grep -q -- "--from is required" "$T/err"
"$CW_BIN" trace --store "$S" --from mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8 2> "$T/err"; rc=$?
check_eq "unknown address: exit 3" "$rc" 3
check "unknown address: named" grep -q "mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8" "$T/err"
"$CW_BIN" trace --store "$S" --from label:nosuch --labels "$T/l.db" 2> "$T/err"; rc=$?
check_eq "unknown label: exit 3" "$rc" 3
check "unknown label: named" grep -q "label:nosuch" "$T/err"
"$CW_BIN" trace --store "$S" --from "$SPLIT:9" 2> /dev/null; rc=$?
check_eq "no such output: exit 3" "$rc" 3
"$CW_BIN" trace --store "$S" --from "$SPLIT:0" --model magic 2> /dev/null; rc=$?
check_eq "bad model: exit 2" "$rc" 2
"$CW_BIN" trace --store "$S" --from "$SPLIT:0" --stop-at villains 2> /dev/null; rc=$?
check_eq "bad stop category: exit 2" "$rc" 2
"$CW_BIN" trace --store "$T/nostore" --from "$SPLIT:0" 2> /dev/null; rc=$?
check "missing store: non-zero exit" test "$rc" -ne 0
"$CW_BIN" screen "$END" --store "$S" 2> /dev/null; rc=$?
check_eq "screen without labels: exit 2" "$rc" 2
# --from-file: one source a line ('#' lines and blank ones skipped): the same trace as --from;
# a source it cannot resolve is named with the file and line; a missing file is a usage error
printf '# the split\n\n  %s:0  \n%s:1\n' "$SPLIT" "$SPLIT" > "$T/from.txt"
check_eq "--from-file: the same trace as two --from" \
    "$(tr --from-file "$T/from.txt" | jq -c '[.ended, .sources]')" \
    "$(tr --from "$SPLIT:0" --from "$SPLIT:1" | jq -c '[.ended, .sources]')"
printf '%s:0\n%s:77\n' "$SPLIT" "$SPLIT" > "$T/from-bad.txt"
"$CW_BIN" trace --store "$S" --from-file "$T/from-bad.txt" > /dev/null 2> "$T/from-bad.err"; rc=$?
check "--from-file: a bad source exits non-zero naming the file's line 2" \
    sh -c "test $rc -ne 0 && grep -q 'from-bad.txt line 2' '$T/from-bad.err'"
"$CW_BIN" trace --store "$S" --from-file "$T/none.txt" > /dev/null 2> "$T/from-none.err"; rc=$?
check "--from-file: a missing file: exit 2, the file named" sh -c "test $rc = 2 && grep -q none.txt '$T/from-none.err'"
set -e
finish
