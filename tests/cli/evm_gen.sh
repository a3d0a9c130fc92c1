#!/usr/bin/env bash
# evm_gen.sh: `chainwatch gen evm` through the CLI: a quick world whose truth files agree with its
# CSVs (tests/evm/gen_check.py) and whose store does not depend on commits or kills, then bad
# scenarios and options, each with a clear error naming the field, a non-zero exit and no crash.
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}

out=$("$CW_BIN" gen evm --out "$T/w" --txs 15000 --seed 3 --scenario "$SRC/data/scenarios/evm-quick-heist.json" --json --quiet)
check "gen evm --json reports the transactions" bash -c "echo '$out' | jq -e '.txs >= 15000 and .blocks > 1000 and .token_transfers > 0'"
check "truth agrees with the CSVs (gen_check.py)" /usr/bin/python3 "$SRC/tests/evm/gen_check.py" "$T/w"
# the writer's indexes (held in memory, written at commit) grow from 1,024 slots here: one commit,
# a commit every 97 blocks (growths between commits, in-place writes after), and that run killed
# with SIGKILL at random moments and resumed all give the same bytes, and `check` finds every tx
# and account through the indexes
"$CW_BIN" ingest evm --csv "$T/w" --store "$T/s1" --quiet > /dev/null
"$CW_BIN" ingest evm --csv "$T/w" --store "$T/s97" --commit-blocks 97 --quiet > /dev/null
check "one-commit store checks (every tx and account found through the indexes)" "$CW_BIN" check --store "$T/s1"
check "the indexes grew past their first size" test "$(stat -c %s "$T/s1/txhash.hix")" -gt 65536
check_eq "committing every 97 blocks gives the same store" "$(store_digest "$T/s97")" "$(store_digest "$T/s1")"
for i in 1 2 3; do
    kill9_after "0.$((RANDOM % 5))$((RANDOM % 9 + 1))" \
        "$CW_BIN" ingest evm --csv "$T/w" --store "$T/sk" --commit-blocks 97 --quiet
done
"$CW_BIN" ingest evm --csv "$T/w" --store "$T/sk" --commit-blocks 97 --quiet > /dev/null
check_eq "killed three times and resumed: the same store" "$(store_digest "$T/sk")" "$(store_digest "$T/s1")"
check_eq "gen evm --help prints the EVM usage, not gen's" "$("$CW_BIN" gen evm --help | head -1 | cut -c1-24)" "Usage: chainwatch gen ev"
# the JSON-RPC forms have usages of their own too, listing every option their parser takes
h=$("$CW_BIN" ingest evm --rpc --help)
check_eq "ingest evm --rpc --help prints its own usage" "$(head -1 <<< "$h" | cut -c1-40)" "Usage: chainwatch ingest evm --rpc URL -"
for o in --chain --traces --timeout --from --to --max-reorg --commit-blocks --json --quiet; do
    check "... and names $o" grep -q -- "\\[$o" <<< "$h"
done
h=$("$CW_BIN" watch --rpc http://127.0.0.1:1 --store "$T/none" --help)
check_eq "watch --rpc --help prints its own usage" "$(head -1 <<< "$h" | cut -c1-35)" "Usage: chainwatch watch --rpc URL -"
for o in --chain --traces --timeout --from --to --max-reorg --commit-blocks --interval --once; do
    check "... and names $o" grep -q -- "\\[$o" <<< "$h"
done
rc=0; "$CW_BIN" watch --rpc http://127.0.0.1:1 --store "$T/none" --once --quiet 2> "$T/err" || rc=$?
check_eq "watch --rpc --quiet (watch prints no progress line): exit 2" "$rc" 2
check "... naming --quiet" grep -q -- --quiet "$T/err"
check "... and nothing was created" test ! -e "$T/none"

# bridge exits to given Bitcoin addresses (a cross-chain case: addresses of a Bitcoin world)
jq '.heists[0].steps[4].btc_to = ["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"]' \
    "$SRC/data/scenarios/evm-quick-heist.json" > "$T/btc_to.json"
check "gen evm with btc_to" "$CW_BIN" gen evm --out "$T/x" --txs 15000 --seed 4 --scenario "$T/btc_to.json" --quiet
check_eq "the heist's bridge exits pay only the given addresses" \
    "$(awk -F, 'NR > 1 && $1 == "quick-drain" {print $9}' "$T/x/truth/bridge_deposits.csv" | sort -u | tr '\n' ' ')" \
    "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 "

# one mixer contract of four denominations that are no powers of ten: the world's truth lists one
# mixer account, the pools its four denominations, and the truth still agrees with the CSVs
jq '.world += {"mixer_contracts": 1, "mixer_denoms": ["0.5", "3", "25", "200"]}' \
    "$SRC/data/scenarios/evm-quick-heist.json" > "$T/mix1.json"
check "gen evm with one mixer contract" "$CW_BIN" gen evm --out "$T/m1" --txs 16000 --seed 3 --scenario "$T/mix1.json" --quiet
check_eq "one mixer account, four denominations" \
    "$(jq -c '[(.contracts.mixer_pools | map(.address) | unique | length), (.contracts.mixer_pools | map(.denomination_wei))]' "$T/m1/truth/world.json")" \
    '[1,["500000000000000000","3000000000000000000","25000000000000000000","200000000000000000000"]]'
check "... its truth agrees with the CSVs" /usr/bin/python3 "$SRC/tests/evm/gen_check.py" "$T/m1"

expect_fail() { # expect_fail "what" needle args...
    local what=$1 needle=$2; shift 2
    local err rc=0
    err=$("$CW_BIN" gen evm --out "$T/o" --quiet "$@" 2>&1 >/dev/null) || rc=$?
    if [ "$rc" -ne 0 ] && [[ "$err" == *"$needle"* ]]; then ok "$what"; else bad "$what (rc $rc): $err"; fi
}
H='"name":"h","victim":"A","stolen":{"ETH":"100"}'
sc() { printf '{"world":{"exchanges":["A","B"],"txs_per_block":3},"heists":[{%s}]}' "$1" > "$T/s.json"; }
sc "$H,\"colour\":\"red\""
expect_fail "unknown heist field" 'heists[0]: unknown field "colour"' --scenario "$T/s.json"
sc '"name":"h","victim":"Mars","stolen":{"ETH":"100"}'
expect_fail "unknown victim" 'heists[0].victim' --scenario "$T/s.json"
sc '"name":"h","victim":"A","stolen":{"ETH":"100","BTC":"1"}'
expect_fail "unknown asset" 'heists[0].stolen.BTC: unknown asset' --scenario "$T/s.json"
sc '"name":"h","victim":"A","stolen":{"ETH":"100","USDT":"1.0000001"}'
expect_fail "too many decimals" 'heists[0].stolen.USDT: more than 6 decimals' --scenario "$T/s.json"
sc '"name":"h","victim":"A","stolen":{"USDT":"100"}'
expect_fail "no ETH for gas" 'heists[0].stolen.ETH: at least 1 ETH' --scenario "$T/s.json"
sc "$H,\"steps\":[{\"type\":\"teleport\"}]"
expect_fail "unknown step type" 'heists[0].steps[0].type: unknown step type "teleport"' --scenario "$T/s.json"
sc "$H,\"steps\":[{\"type\":\"hops\",\"hops\":[5,2]}]"
expect_fail "range out of order" 'heists[0].steps[0].hops: must be [min, max]' --scenario "$T/s.json"
sc "$H,\"steps\":[{\"type\":\"mixer\",\"fraction\":-0.5}]"
expect_fail "negative fraction" 'heists[0].steps[0].fraction: must not be negative' --scenario "$T/s.json"
sc "$H,\"steps\":[{\"type\":\"cash_out\",\"to\":[\"Mars\"]}]"
expect_fail "unknown cash-out exchange" 'heists[0].steps[0].to[0]' --scenario "$T/s.json"
sc "$H,\"steps\":[{\"type\":\"bridge\",\"btc_to\":[\"bc1qnotanaddress\"]}]"
expect_fail "a bad BTC destination" 'heists[0].steps[0].btc_to[0]: not a Bitcoin address' --scenario "$T/s.json"
printf '{"world":{"mixer_contracts":2},"heists":[{%s}]}' "$H" > "$T/s.json"
expect_fail "two mixer contracts" 'world.mixer_contracts: 1' --scenario "$T/s.json"
printf '{"world":{"mixer_denoms":["1","1","2","3"]},"heists":[{%s}]}' "$H" > "$T/s.json"
expect_fail "denominations not ascending" 'world.mixer_denoms[1]: between 0.001 and 1000 ETH' --scenario "$T/s.json"
printf '{"heists": [' > "$T/syntax.json"
expect_fail "JSON syntax error with line" 'syntax.json: line' --scenario "$T/syntax.json"
expect_fail "missing scenario file" 'nope.json' --scenario "$T/nope.json"
expect_fail "too few txs" 'at least 2000' --txs 10
expect_fail "txs too small for the timeline" 'too small for the scenario' --txs 3000
expect_fail "no --out" '--out DIR is required' --out ""
finish
