#!/usr/bin/env bash
# reader_rollback.sh: the read commands check the store's rollback generation after they read
# their answer and before they print it. A real rollback (`ingest evm --rollback-to`, the other
# fork written where the read rows were) is run between the reads and the check by the test hook
# CW_TEST_BEFORE_SNAPSHOT_CHECK: `tx`, `address`, `block`, `check`, `trace` and `screen` then
# print nothing on stdout, say "rolled back ... ask again" and exit non-zero. With a hook that
# changes nothing they answer as without one, and asked again after the rollback they answer
# from the other fork. h-reader16's commands printed the answer read under the old snapshot and
# exited 0.
source "$(dirname "$0")/../lib/cli.sh"
MK=$(dirname "$0")/evm/mkchain.py
python3 "$MK" "$T/a" 100 50 1
python3 "$MK" "$T/b" 100 50 2 140
"$CW_BIN" ingest evm --csv "$T/a" --store "$T/ref" --quiet > /dev/null
need_hooks "$T/ref"
tx=$(awk -F, 'NR > 1 && $4 >= 140 { print $1; exit }' "$T/a/transactions.csv")
acct=$(awk -F, 'NR > 1 && $4 >= 140 { print $6; exit }' "$T/a/transactions.csv")
S=$T/s
rollback="env -u CW_TEST_BEFORE_SNAPSHOT_CHECK $CW_BIN ingest evm --csv $T/b --store $S --rollback-to 139 --quiet > /dev/null"
n=0
while IFS= read -r args; do
    rm -rf "$S"
    cp -r "$T/ref" "$S"
    rc=0
    CW_TEST_BEFORE_SNAPSHOT_CHECK=true "$CW_BIN" $args --store "$S" --json > "$T/plain" 2> "$T/plain.err" \
        || rc=$?
    check "$args, a hook that changes nothing: answers (exit $rc: $(head -c 300 "$T/plain.err"))" \
        test "$rc" -eq 0 -a -s "$T/plain"
    rc=0
    CW_TEST_BEFORE_SNAPSHOT_CHECK="$rollback" "$CW_BIN" $args --store "$S" --json > "$T/out" \
        2> "$T/err" || rc=$?
    check "$args beside a rollback: exits non-zero (exit $rc)" test "$rc" -ne 0
    check "$args beside a rollback: prints nothing ($(head -c 200 "$T/out"))" test ! -s "$T/out"
    check "$args beside a rollback: says so ($(head -c 300 "$T/err"))" \
        grep -q "rolled back.*ask again" "$T/err"
    check "the rollback did run ($args)" \
        test "$("$CW_BIN" block 145 --store "$S" --json | jq -r .hash)" != \
        "$("$CW_BIN" block 145 --store "$T/ref" --json | jq -r .hash)"
    rc=0
    "$CW_BIN" $args --store "$S" --json > "$T/again" 2> "$T/again.err" || rc=$?
    # from the other fork: a tx of blocks 140.. is not in it (exit 3, not found); the rest answer
    check "$args asked again: answers from the other fork (exit $rc: $(head -c 200 "$T/again.err"))" \
        test "$rc" -eq 0 -o "$rc" -eq 3 -a "${args%% *}" != address
    check "$args asked again: no rollback to report" test -z "$(grep "rolled back" "$T/again.err")"
    n=$((n + 1))
done <<< "tx $tx
address $acct
block 145
check
trace --from $tx
screen $acct"
check "six commands were asked ($n)" test "$n" -eq 6
finish
