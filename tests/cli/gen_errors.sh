#!/usr/bin/env bash
# gen_errors.sh: bad scenarios and options get a clear error naming the field, a non-zero exit
# and no crash.
. "$(dirname "$0")/../lib/cli.sh"

expect_fail() { # expect_fail "what" needle args...
    local what=$1 needle=$2; shift 2
    local err rc=0
    err=$("$CW_BIN" gen --out "$T/o" --quiet "$@" 2>&1 >/dev/null) || rc=$?
    if [ "$rc" -ne 0 ] && [[ "$err" == *"$needle"* ]]; then ok "$what"; else bad "$what (rc $rc): $err"; fi
}
W='"world":{"exchanges":["A","B"]}'
heist() { printf '{%s,"heists":[{"name":"h","victim":"A","amount_sat":%s,"steps":[%s]}]}' "$W" "$1" "$2"; }

echo '{"world":{"exchanges":["A","B"]},"heists":[{"name":"h","victim":"A","amount_sat":100000000,"colour":"red","steps":[]}]}' > "$T/unknown.json"
expect_fail "unknown field" 'heists[0]: unknown field "colour"' --scenario "$T/unknown.json"
heist -5 '' > "$T/neg.json"
expect_fail "negative amount" 'heists[0].amount_sat: must not be negative' --scenario "$T/neg.json"
heist 100000000 '{"type":"fan_out","split_sat":[90000000,20000000]}' > "$T/split.json"
expect_fail "unpayable split" 'heists[0].steps[0].split_sat: the split sums to 110000000' --scenario "$T/split.json"
heist 100000000 '{"type":"peel_chain","hops":-2}' > "$T/hops.json"
expect_fail "negative hops" 'heists[0].steps[0].hops: must not be negative' --scenario "$T/hops.json"
heist 100000000 '{"type":"cash_out","to":["Mars"]}' > "$T/to.json"
expect_fail "unknown exchange" 'heists[0].steps[0].to[0]' --scenario "$T/to.json"
printf '{"heists": [' > "$T/syntax.json"
expect_fail "JSON syntax error with line" 'syntax.json: line' --scenario "$T/syntax.json"
expect_fail "missing scenario file" 'nope.json' --scenario "$T/nope.json"
expect_fail "bad xor key" '--xor-key' --xor-key 12
expect_fail "bad network" '--network' --network testnet7
expect_fail "too few txs" 'at least 1000' --txs 10
expect_fail "bad zero tail" '--zero-tail' --zero-tail 12k
expect_fail "bad zero-tail files" '--zero-tail-files: last or all' --zero-tail 4096 --zero-tail-files middle
printf '{"world": {"economy": "rich"}}' > "$T/econ.json"
expect_fail "unknown economy" 'world.economy' --scenario "$T/econ.json"
err=$("$CW_BIN" gen --txs 2000 --out "" 2>&1 >/dev/null) && rc=0 || rc=$?
check_eq "empty --out is a usage error" "$rc" 2
check "and says so" grep -q -- '--out DIR is required' <<<"$err"
mkdir -p "$T/node/blocks" && echo "not ours" > "$T/node/blocks/blk00000.dat"
err=$("$CW_BIN" gen --txs 20000 --out "$T/node" --quiet 2>&1 >/dev/null) && rc=0 || rc=$?
check "refuses to replace a real node's blk files" test "$rc" -ne 0
check "and says why" grep -q "did not write" <<<"$err"
check_eq "the foreign file is untouched" "$(cat "$T/node/blocks/blk00000.dat")" "not ours"
# a write error in the output stage (addresses.csv on a full device) ends the run with that
# error, not a later one from closing files, and nothing hangs
if [ -w /dev/full ]; then
    mkdir -p "$T/full/truth" && ln -s /dev/full "$T/full/truth/addresses.csv"
    err=$(timeout 300 "$CW_BIN" gen --txs 60000 --out "$T/full" --quiet 2>&1 >/dev/null) && rc=0 || rc=$?
    check "a full device fails the run" test "$rc" -ne 0 -a "$rc" -ne 124
    check "with the first error, naming the file" grep -q "addresses.csv: write: No space left" <<<"$err"
fi
rc=0; "$CW_BIN" gen --help | grep -q 'Usage: chainwatch gen' || rc=1
check_eq "--help" "$rc" 0
finish
