#!/usr/bin/env bash
# supply_real.sh: the real series of ../shared/data through the CLI (skipped when absent):
# the 2023 graphite controls in China's exports to KOR and JPN, and the backtest on the 15
# calibration events.
set -euo pipefail
BIN=${CW_BIN:?CW_BIN is not set}
D=${CW_SHARED_DATA:-../shared/data}
if [ ! -r "$D/china-cm-exports-comtrade/deep_dive_hs6_monthly.csv" ]; then
    echo "SKIPPED: $D/china-cm-exports-comtrade is absent"; exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export CW_SUPPLY_DB=$T/s.db
fail() { echo "FAIL: $*" >&2; exit 1; }

"$BIN" supply load comtrade "$D/china-cm-exports-comtrade/deep_dive_hs6_monthly.csv" \
    --reporter CHN --flow X | grep -q "0 rejected; committed" || fail "load deep_dive"
"$BIN" supply load usgs "$D/usgs-mcs2026-extract/world_production_mcs2026.csv" >/dev/null
"$BIN" supply load pinksheet "$D/worldbank-pink-sheet/selected_monthly_long.csv" >/dev/null
"$BIN" supply load prices "$D/lithium-carbonate-china-spot/lithium_carbonate_99.5_china_spot_daily.csv" \
    --series li2co3_cn_spot --unit CNY/t >/dev/null
set +e
"$BIN" supply load prices "$D/lithium-carbonate-china-spot/lithium_carbonate_99.5_china_spot_daily.csv" \
    --series li2co3_cn_spot >/dev/null 2>"$T/err"
rc=$?
set -e
[ $rc -ne 0 ] && grep -q "give --unit" "$T/err" || fail "missing --unit not reported"

for p in KOR JPN; do
    "$BIN" supply explain graphite $p --at 2023-11 --json | \
        jq -e '[.fired[].rule] | index("d_trade_up") != null' >/dev/null \
        || fail "graphite $p 2023-11: no front-loading alert"
    "$BIN" supply explain graphite $p --at 2023-12 --json | \
        jq -e '[.fired[].rule] | index("d_trade_down") != null' >/dev/null \
        || fail "graphite $p 2023-12: no collapse alert"
done
"$BIN" supply explain cobalt KOR --json 2>/dev/null | jq -e '.top_producer == "COD"' >/dev/null \
    || true # cobalt has no trade or price series here: explain says so (exit 3)

"$BIN" supply backtest --events "$D/facts/disruption_events.csv" --json > "$T/bt.json"
jq -e '.events | length == 15' "$T/bt.json" >/dev/null || fail "backtest must report 15 events"
jq -e '[.events[] | select(.result == "hit" or .result == "miss" or .result == "no_data" or
        .result == "out_of_scope" or .result == "easing" or .result == "duplicate")] | length == 15' \
    "$T/bt.json" >/dev/null || fail "results"
# easings (lifted, relaxed, rulings) are reported apart; the headline counts no data as misses
jq -e '[.events[] | select(.event_id == "ree_2015_quota_end")][0].result == "easing"' "$T/bt.json" \
    >/dev/null || fail "an easing scored as a disruption"
jq -e '.summary.scored == .summary.hits + .summary.misses + .summary.no_data' "$T/bt.json" \
    >/dev/null || fail "no-data events must count in the headline"
jq -e '.acceptance | has("hit_rate") and has("noise_to_signal") and has("placebo_p") and
       has("komir_kappa")' "$T/bt.json" >/dev/null || fail "acceptance figures"
echo "supply_real: ok ($(jq -c '.summary | {hits, misses, no_data, out_of_scope}' "$T/bt.json"))"
