#!/usr/bin/env bash
# patterns: build and show on BlockSci's labelled regtest chain; the labelled CoinJoin and peel
# chain hop are flagged (the peel chain peel_strong too: stop 29's chain-level judgement); bad
# input gives a clear error and the documented exit code.
source "$(dirname "$0")/../lib/cli.sh"
need_shared btc-regtest-labeled-chain/blk00000.dat
S=$T/s
"$CW_BIN" ingest btc --blocks "$SHARED/btc-regtest-labeled-chain" --store "$S" --network regtest --quiet > /dev/null
CJ=bf8cda4c5253c035c930f2ae3288fd8d1601d25c912b2ee484531fea82a5f509
PEEL=9bbb8de4e02b5fe61f0a7f6cdb3935c5249dc9943a465285ee322a5d850ac8d9
set +e
"$CW_BIN" patterns show $CJ --store "$S" 2> "$T/err"; rc=$?
set -e
check_eq "show before build: exit 3" "$rc" 3
check "show before build: says to build" grep -q "patterns build" "$T/err"
check_eq "build covers 356 txs" "$("$CW_BIN" patterns build --store "$S" --json | jq -r .txs)" 356
check_eq "one CoinJoin in the chain" "$("$CW_BIN" patterns build --store "$S" --json | jq -r .counts.coinjoin)" 1
check_eq "second build: nothing new" "$("$CW_BIN" patterns build --store "$S" --json | jq -r .txs_before)" 356
check_eq "simple-coinjoin-tx flags" "$("$CW_BIN" patterns show $CJ --store "$S" --json | jq -c .flags)" '["coinjoin","joinmarket"]'
check_eq "peeling-chain-0-tx flags" "$("$CW_BIN" patterns show $PEEL --store "$S" | head -1)" "$PEEL  peel_chain,peel_strong"
check_eq "peeling-chain-0-tx chain judgement (10 hops in the same block from 42 BTC)" \
    "$("$CW_BIN" patterns show $PEEL --store "$S" --json | jq -c '.evidence.chain_judgement | [.rule, .score, .strong, .parts]')" \
    '["peel-chain-judged",90,true,["fast","automated","long","large","fresh"]]'
check_eq "every hop of the labelled peel chain peel_strong" "$("$CW_BIN" patterns build --store "$S" --json | jq -c '[.counts.peel_chain, .counts.peel_strong]')" '[10,10]'
check_eq "peeling-chain-0-tx rule and score" "$("$CW_BIN" patterns show $PEEL --store "$S" --json | jq -c '[.rule, .score, .probable, .evidence.peel_run >= 7]')" '["peel-run",95,true,true]'
check_eq "simple-coinjoin-tx rule" "$("$CW_BIN" patterns show $CJ --store "$S" --json | jq -r .rule)" "joinmarket-subset-sum"
check "tx shows the peel chain's judgement" sh -c "\"$CW_BIN\" tx $PEEL --store \"$S\" | grep -q 'chain judgement: peel-chain-judged (score 90/100, probable): peel_strong'"
check "tx shows the rule" sh -c "\"$CW_BIN\" tx $CJ --store \"$S\" | grep -q 'rule: joinmarket-subset-sum (score 95/100, probable)'"
set +e
"$CW_BIN" patterns show nothex --store "$S" 2> "$T/err"; rc=$?
check_eq "bad txid: exit 2" "$rc" 2
check "bad txid: message" grep -q "not a txid" "$T/err"
"$CW_BIN" patterns show 0000000000000000000000000000000000000000000000000000000000000001 --store "$S" 2> "$T/err"; rc=$?
check_eq "unknown tx: exit 3" "$rc" 3
"$CW_BIN" patterns build --store "$T/none" 2> "$T/err"; rc=$?
check "missing store: non-zero exit" test "$rc" -ne 0
check "missing store: not created" test ! -e "$T/none/txflags.col"
"$CW_BIN" patterns frobnicate --store "$S" 2> /dev/null; rc=$?
check_eq "unknown subcommand: exit 2" "$rc" 2
set -e
check "--help" bash -c "'$CW_BIN' patterns --help | grep -q 'patterns show TXID'"
finish
