#!/usr/bin/env bash
# EVM screening with receipts indexed once (include/chainwatch/acct_screen.h, cw_acct_screener):
# the exposures must be bit-identical to the in-chain walk screening used before. On a generated
# world (gen evm, evm-quick-heist; exchanges and mixer pools labelled as a label provider knows
# them, the thief's addresses labelled theft), bench_trace_evm screens 300 random accounts three
# ways (the old walk kept there as the reference, one screen each, one screener for all) and
# fails when any figure differs; then `chainwatch screen` of 20 addresses in one run (one
# screener: later screens reuse what earlier ones indexed) must print, for each, exactly what a
# run screening it alone prints.
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
BENCH=${CW_BUILD_DIR:-$SRC/build}/bench_trace_evm
[ -x "$BENCH" ] || { echo "SKIPPED: $BENCH not built"; exit 77; }
"$CW_BIN" gen evm --out "$T/w" --txs 15000 --seed 3 --scenario "$SRC/data/scenarios/evm-quick-heist.json" --quiet > /dev/null
"$CW_BIN" ingest evm --csv "$T/w" --store "$T/s" --chain ethereum --quiet > /dev/null
/usr/bin/python3 - "$T/w/truth/addresses.csv" > "$T/labels.csv" <<'PY'
import csv, sys
cat = {"exchange": "exchange", "mixer_pool": "mixer", "thief": "theft"}
print("address,entity,category,asset")
for r in csv.DictReader(open(sys.argv[1])):
    if r["category"] in cat:
        print(f'{r["address"]},{r["entity_name"] or r["category"]},{cat[r["category"]]},ETH')
PY
"$CW_BIN" labels import csv "$T/labels.csv" --db "$T/l.db" --quiet > /dev/null
drain=$(jq -r '.[0] | (.drain_txs // .drain_transactions)[0]' "$T/w/truth/heists.json")
if "$BENCH" "$T/s" --labels "$T/l.db" --screen 300 "$drain" > "$T/bench.txt" 2>&1; then
    ok "bench_trace_evm: 300 screens, the walk, one screen each and one screener agree bit for bit"
else
    cat "$T/bench.txt"
    bad "bench_trace_evm: screening results differ from the in-chain walk"
fi
grep -q "results identical to the walk: yes" "$T/bench.txt" && ok "... and says so"
# 20 addresses: the heist's cash-out deposit addresses, then other deposit addresses and users
# (honest: since stop 21 their branches end at recognised exchanges and pass-throughs, so most
# carry no theft exposure at all)
mapfile -t outs < <(awk -F, 'NR > 1 {print $6}' "$T/w/truth/cash_outs.csv" | sort -u | head -5)
mapfile -t rest < <(awk -F, '$5 == "exchange_deposit" || $5 == "user" {print $1}' "$T/w/truth/addresses.csv" | grep -vxFf <(printf '%s\n' "${outs[@]}") | head -$((20 - ${#outs[@]})))
addrs=("${outs[@]}" "${rest[@]}")
"$CW_BIN" screen "${addrs[@]}" --store "$T/s" --labels "$T/l.db" --json > "$T/all.json"
check_eq "one run screened 20 addresses" "$(jq '.results | length' "$T/all.json")" 20
exposed=$(jq --argjson o "$(printf '%s\n' "${outs[@]}" | jq -R . | jq -s .)" '[.results[] | select(.address as $a | $o | index($a)) | select([.assets[].exposure.theft // empty] | length > 0)] | length' "$T/all.json")
check_eq "every cash-out deposit address (${#outs[@]}) is exposed to the theft" "$exposed" "${#outs[@]}"
same=0
for a in "${addrs[@]}"; do
    one=$("$CW_BIN" screen "$a" --store "$T/s" --labels "$T/l.db" --json | jq -cS '.results[0]')
    [ "$one" = "$(jq -cS --arg a "$a" '.results[] | select(.address == $a)' "$T/all.json")" ] && same=$((same + 1))
done
check_eq "each address screened alone prints what the batch printed" "$same" 20
finish
