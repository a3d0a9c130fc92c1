#!/usr/bin/env bash
# A token may claim any decimals (its own decimals() or tokens.csv; the store keeps 0..254).
# Past 77 no 256-bit amount has that many digits: `trace` and `address` show such amounts in
# base units, exactly, and never overrun their buffer (trace_evm.c's own copy of the decimal
# shift wrote 200+ bytes into a 159-byte stack buffer for a 200-decimal token: an adversary's
# token sent to a traced address crashed the analyst's CLI). Also: a 6-decimal token reads
# exactly scaled.
source "$(dirname "$0")/../lib/cli.sh"
H=$(dirname "$0")/evm
python3 "$H/mkchain.py" "$T/c" 0 40 3
USDT=0x419cec8dc34e5fba670f0bfe7c0840c6c3cdf3bc
TX=$(awk -F, -v a="$USDT" 'NR > 1 && $6 == a { print $2; exit }' "$T/c/logs.csv")
[ -n "$TX" ] || { bad "no USDT transfer in the generated chain"; finish; }
"$CW_BIN" ingest evm --csv "$T/c" --store "$T/ok" --quiet > /dev/null
out=$("$CW_BIN" trace --store "$T/ok" --from "$TX" 2>&1) || bad "trace (6 decimals): $out"
check "6 decimals: USDT amounts scaled exactly" grep -Eq '[0-9]+(\.[0-9]{1,6})? USDT' <<<"$out"

sed -i "s/^$USDT,USDT,Tether USD,6,/$USDT,USDT,Tether USD,200,/" "$T/c/tokens.csv"
grep -q ",200," "$T/c/tokens.csv" || bad "tokens.csv not rewritten"
"$CW_BIN" ingest evm --csv "$T/c" --store "$T/bad" --quiet > /dev/null
out=$("$CW_BIN" trace --store "$T/bad" --from "$TX" 2>&1); rc=$?
check_eq "200 decimals: trace exits 0" "$rc" 0
check "... and shows the amount in base units" grep -q "base units of USDT" <<<"$out"
check "... never a scaled USDT figure" bash -c '! grep -Eq "[0-9]\.[0-9]+ USDT" <<<"$1"' _ "$out"
j=$("$CW_BIN" trace --store "$T/bad" --from "$TX" --json) || bad "trace --json"
check_eq "--json keeps the token's own decimals" "$(jq '[.. | objects | select(.symbol? == "USDT") | .decimals] | unique' <<<"$j" | jq -c .)" "[200]"
finish
