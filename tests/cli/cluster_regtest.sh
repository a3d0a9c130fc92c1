#!/usr/bin/env bash
# cluster: build, show, why on BlockSci's labelled regtest chain. The eight inputs of
# fan-8-tx-collect form one cluster and `why` names that tx; the simple CoinJoin's inputs stay
# apart; bad input gives a clear error and the documented exit code.
source "$(dirname "$0")/../lib/cli.sh"
need_shared btc-regtest-labeled-chain/blk00000.dat
S=$T/s
"$CW_BIN" ingest btc --blocks "$SHARED/btc-regtest-labeled-chain" --store "$S" --network regtest --quiet > /dev/null
A=myMQ6ttpYdQw4TzqZtHHDs1sQH2QqWwfuv     # fan-8-tx-collect input 0
B=moemypQX1eGBHxyfeY4yRiEzMxiSLtdDeU     # fan-8-tx-collect input 7
CJ1=mkuLChiLBvrU5mkYw1dgzFLUXoASewAi9h   # simple-coinjoin-tx inputs
CJ2=my7H6vKfwMwnbPXx9LdqW8mLh4VuM3qMCU
COLLECT=6f74f4160ba2ce6faa0e50c861356e6c519e9a8d3c7cbfc10a6a6e482030de71
set +e
"$CW_BIN" cluster show $A --store "$S" 2> "$T/err"; rc=$?
set -e
check_eq "show before build: exit 3" "$rc" 3
check "show before build: says to build" grep -q "cluster build" "$T/err"
check_eq "build: CoinJoin and probable CoinJoin skipped" "$("$CW_BIN" cluster build --store "$S" --json | jq -c '[.coinjoin_skipped, .probable_coinjoin_skipped]')" "[2,1]"
check_eq "show: fan-in cluster of 8" "$("$CW_BIN" cluster show $A --store "$S" --json | jq -r .size)" 8
check_eq "show: received" "$("$CW_BIN" cluster show $A --store "$S" --json | jq -r .received)" 4199990000
check_eq "show: members page" "$("$CW_BIN" cluster show $A --store "$S" --json --limit 2 | jq -c .members)" "[\"$A\",\"mxL5CNVXkfh6wGf1TcPwvtJyAevGZoUyXU\"]"
check_eq "why: the collecting tx" "$("$CW_BIN" cluster why $A $B --store "$S" --json | jq -r '.steps[].txid' | sort -u)" "$COLLECT"
check "why: text names the tx" bash -c "'$CW_BIN' cluster why $A $B --store '$S' | grep -q $COLLECT"
check_eq "why: the heuristic of each union" "$("$CW_BIN" cluster why $A $B --store "$S" --json | jq -r '.steps[].heuristic' | sort -u)" "multi-input"
check "why: text names the heuristic" bash -c "'$CW_BIN' cluster why $A $B --store '$S' | grep -q 'multi-input: both addresses are spent as inputs of one tx'"
check_eq "CoinJoin input alone" "$("$CW_BIN" cluster show $CJ1 --store "$S" --json | jq -r .size)" 1
set +e
"$CW_BIN" cluster why $CJ1 $CJ2 --store "$S" 2> "$T/err"; rc=$?
check_eq "why across clusters: exit 3" "$rc" 3
check "why across clusters: message" grep -q "not in the same cluster" "$T/err"
"$CW_BIN" cluster show mzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz --store "$S" 2> "$T/err"; rc=$?
check_eq "bad address: exit 2" "$rc" 2
"$CW_BIN" cluster show mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8 --store "$S" 2> "$T/err"; rc=$?
check_eq "unknown address: exit 3" "$rc" 3
check "unknown address: message" grep -q "no outputs in the store" "$T/err"
"$CW_BIN" cluster build --store "$S" --change fresh,bogus 2> "$T/err"; rc=$?
check_eq "bad --change: exit 2" "$rc" 2
check "bad --change: names the word" grep -q "'bogus'" "$T/err"
set -e
before=$(ls "$S" | grep '^cluster\.[0-9]' )
check_eq "change heuristics: rebuild" "$("$CW_BIN" cluster build --store "$S" --change all --json | jq -r '[.rebuilt, .change] | join(" ")')" "true fresh,optimal,type,power10,peel,reuse,locktime"
check "old generation removed" test ! -e "$S/$before"
# the peel chain: hop 0's input and hop 8's remainder (spent by hop 9), joined by the peel rule
P0=$("$CW_BIN" tx 9bbb8de4e02b5fe61f0a7f6cdb3935c5249dc9943a465285ee322a5d850ac8d9 --store "$S" --json | jq -r '.inputs[0].address')
"$CW_BIN" cluster build --store "$S" --change peel > /dev/null
P9=$("$CW_BIN" tx "$(jq -r '."peeling-chain-8-tx"' "$SHARED/btc-regtest-labeled-chain/output.json")" --store "$S" --json | jq -r '.outputs | max_by(.value) | .address')
check_eq "why (peel): change unions named by the peel rule" "$("$CW_BIN" cluster why "$P0" "$P9" --store "$S" --json | jq -c '[.steps[] | [.heuristic, (.change_rules | join(","))]] | unique')" '[["change","peel"]]'
check "why (peel): text names the rule" bash -c "'$CW_BIN' cluster why '$P0' '$P9' --store '$S' | grep -q 'peel: the remainder of a hop of a peel-chain run'"
check "--help" bash -c "'$CW_BIN' cluster --help | grep -q 'cluster why ADDR1 ADDR2'"
finish
