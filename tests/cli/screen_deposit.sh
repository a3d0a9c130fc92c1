#!/usr/bin/env bash
# Screening one output and each deposit (issue 11; docs/TRACE-MODELS.md, "Screening per
# deposit") through the CLI, on BlockSci's labelled regtest chain (trace_sanctioned_label.sh's
# labels): `screen TXID:VOUT` answers for that output with its outpoint, value and time, the
# floor a share of its own value; `--per-deposit` keeps the pooled answer beside; the default
# screens each deposit apart on its certain share (`--deposits certain|all|off`); a missing
# output is named (exit 3, the other lines still screened), a bad --min-deposit is a usage
# error, and nothing is written to the store.
source "$(dirname "$0")/../lib/cli.sh"
need_shared btc-regtest-labeled-chain/blk00000.dat
R=$SHARED/btc-regtest-labeled-chain
S=$T/store
key() { jq -r --arg k "$1" '.[$k]' "$R/output.json"; }
"$CW_BIN" ingest btc --blocks "$R" --store "$S" --network regtest > /dev/null
THIEF=$("$CW_BIN" tx "$(key taint-fund-tx-1)" --store "$S" --json | jq -r '.outputs[0].address')
DEP=$("$CW_BIN" tx "$(key taint-merge-tx-1)" --store "$S" --json | jq -r '.outputs[0].address')
TX3=$(key taint-merge-tx-3)
TJ=$("$CW_BIN" tx "$TX3" --store "$S" --json)
END=$(jq -r '.outputs[0].address' <<< "$TJ")
VAL=$(jq -r '.outputs[0].value' <<< "$TJ")
printf 'address,entity,category\n%s,Thief,theft\n%s,Sanctioned Co,sanctioned\n' \
    "$THIEF" "$DEP" > "$T/l.csv"
"$CW_BIN" labels import csv "$T/l.csv" --db "$T/l.db" --quiet > /dev/null
before=$(ls -lR "$S" | md5sum)
OJ=$("$CW_BIN" screen "$TX3:0" --store "$S" --labels "$T/l.db" --hops 3 --json)
check_eq "the outpoint is named" "$(jq -r '.outpoint' <<< "$OJ")" "$TX3:0"
check_eq "its value in sat" "$(jq -r '.value' <<< "$OJ")" "$VAL"
check_eq "its address" "$(jq -r '.address' <<< "$OJ")" "$END"
check "its block time" test "$(jq -r '.time' <<< "$OJ")" -gt 1200000000
check_eq "the floor is a share of its own value" "$(jq -r '.floor_sat' <<< "$OJ")" \
    "$(( (VAL + 999) / 1000 ))"
check_eq "the sanctioned exposure flags it" "$(jq -r '.flag' <<< "$OJ")" flag
PJ=$("$CW_BIN" screen "$END" --store "$S" --labels "$T/l.db" --hops 3 --json --per-deposit)
check_eq "per deposit: the pooled flag kept" "$(jq -r '.pooled_flag' <<< "$PJ")" flag
check "per deposit: deposits screened" test "$(jq -r '.per_deposit.screened' <<< "$PJ")" -ge 1
check_eq "per deposit: the flagged deposits are outpoints of the address" \
    "$(jq -r '[.per_deposit.flagged[] | .outpoint | test(":[0-9]+$")] | all' <<< "$PJ")" true
# the default screens each deposit apart, certain only (stop 21); --deposits names the mode
DJ=$("$CW_BIN" screen "$END" --store "$S" --labels "$T/l.db" --hops 3 --json)
check_eq "default: each deposit screened, certain only" "$(jq -r '.per_deposit.mode' <<< "$DJ")" certain
check_eq "--deposits all is --per-deposit" \
    "$("$CW_BIN" screen "$END" --store "$S" --labels "$T/l.db" --hops 3 --json --deposits all | jq -S .)" \
    "$(jq -S . <<< "$PJ")"
check_eq "--deposits off: the pooled answer only" \
    "$("$CW_BIN" screen "$END" --store "$S" --labels "$T/l.db" --hops 3 --json --deposits off | jq 'has("per_deposit")')" false
set +e
"$CW_BIN" screen "$END" --store "$S" --labels "$T/l.db" --deposits some > /dev/null 2> "$T/err"
rc=$?
set -e
check_eq "a bad --deposits: usage error" "$rc" 2
check "the error names the option and the value" grep -q -- "--deposits.*some" "$T/err"
# a missing output: named in its error line, exit 3, the next line still screened
printf '%s:99\n%s:0\n' "$TX3" "$TX3" > "$T/list.txt"
set +e
"$CW_BIN" screen --file "$T/list.txt" --store "$S" --labels "$T/l.db" --hops 3 --json > "$T/out.json"
rc=$?
set -e
check_eq "a missing output: exit 3" "$rc" 3
check_eq "its error names it" "$(head -1 "$T/out.json" | jq -r '.outpoint')" "$TX3:99"
check_eq "the next output is screened" "$(sed -n 2p "$T/out.json" | jq -r '.flag')" flag
set +e
"$CW_BIN" screen "$END" --store "$S" --labels "$T/l.db" --min-deposit lots > /dev/null 2> "$T/err"
rc=$?
set -e
check_eq "a bad --min-deposit: usage error" "$rc" 2
check "the error names the option" grep -q -- "--min-deposit" "$T/err"
check_eq "screening wrote nothing to the store" "$(ls -lR "$S" | md5sum)" "$before"
finish
