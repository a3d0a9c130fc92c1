#!/usr/bin/env bash
# gen_eval_small.sh: scripts/eval-btc.sh on one small mixed-economy world (quick-mixed.json,
# 8000 txs): it runs end to end on the build under test and writes every figure; the counts it
# measures against agree with the truth files (each kind's CoinJoins, the Tx0s, the true peel
# hops, the stolen deposit addresses), and the truth agrees with itself (deposits.csv's heist
# rows are exactly heists.json's deposits). The figures themselves are the detectors' business
# (issue 11); the full run is scripts/eval-btc.sh (4 x 200k txs, minutes).
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
PY=/usr/bin/python3
"$SRC/scripts/eval-btc.sh" --seeds 1 --txs 8000 --scenario "$SRC/data/scenarios/quick-mixed.json" \
    --bin "$CW_BIN" --work "$T/e" --keep --sample 300 --screen-sample 200 > "$T/report.txt" 2> "$T/log.txt" \
    || { cat "$T/log.txt" >&2; bad "eval-btc.sh failed"; finish; }
ok "eval-btc.sh ran: $(grep -c '%' "$T/report.txt") figure lines"
F=$T/e/seed-1/figures.json
W=$T/e/seed-1/world/truth
check "figures.json written" test -s "$F"
for k in wasabi1 wasabi2 joinmarket whirlpool; do
    check_eq "$k: true count = coinjoins.csv rows" "$(jq ".coinjoin.$k.true" "$F")" \
        "$(awk -F, -v k=$k 'NR > 1 && $3 == k' "$W/coinjoins.csv" | wc -l)"
    check "$k: recall and precision are fractions" jq -e \
        "(.coinjoin.$k.recall | . >= 0 and . <= 1) and (.coinjoin.$k.precision | . >= 0 and . <= 1)" "$F"
done
check_eq "tx0: true count = tx0s.csv rows" "$(jq .coinjoin.tx0.true "$F")" "$(($(wc -l < "$W/tx0s.csv") - 1))"
check_eq "peel: true hops = peel_chains.csv rows" "$(jq .peel.true_hops "$F")" "$(($(wc -l < "$W/peel_chains.csv") - 1))"
check_eq "screen: stolen deposit addresses = deposits.csv's" "$(jq .screen.stolen.addresses "$F")" \
    "$(awk -F, 'NR > 1 && $8 != "" { print $4 }' "$W/deposits.csv" | sort -u | wc -l)"
check_eq "every stolen deposit address was screened" "$(jq .screen.stolen.screened "$F")" "$(jq .screen.stolen.addresses "$F")"
check_eq "200 clean deposit addresses screened" "$(jq .screen.clean.screened "$F")" 200
check_eq "truth: deposits.csv heist rows = heists.json deposits" \
    "$(awk -F, 'NR > 1 && $8 != "" { print $1 ":" $2 }' "$W/deposits.csv" | sort)" \
    "$(jq -r '.[].deposits[].outpoint' "$W/heists.json" | sort)"
check "trace figures present" jq -e '.trace | (.deposit_recall >= 0) and (.deposit_precision >= 0) and (.exchange_error_max >= 0) and (.victim_share_max >= 0)' "$F"
check "the trace reaches some true deposit" jq -e '[.trace.per_heist[].found] | add > 0' "$F"
check "cluster figures present" jq -e '.cluster.pairwise_precision >= 0 and .cluster.coinjoins_checked > 0' "$F"
check "the report names every acceptance figure" grep -q "clean deposit addresses flagged" "$T/report.txt"
finish
