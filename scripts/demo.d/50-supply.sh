#!/usr/bin/env bash
# 50-supply.sh: the supply-chain early warning on synthetic data (no ../shared needed), then,
# when ../shared/data is present, the real China graphite exports of 2023.
# Env from scripts/demo.sh: BIN, OUT, SHARED, ROOT. Re-running is safe (loads are idempotent).
set -euo pipefail
D="$OUT/supply"
mkdir -p "$D"
export CW_SUPPLY_DB="$D/supply.db"

echo "-- synthesise 15 years of Comtrade+ imports of KOR, JPN, USA with planted disruptions"
"$BIN" supply synth --out "$D/synth" --seed 2026 --years 15 --first-year 2010
echo "-- load (one transaction per file; rejected rows would be listed by file and line)"
"$BIN" supply load comtrade "$D/synth/comtrade.csv"
"$BIN" supply load prices "$D/synth/prices.csv"
"$BIN" supply load events "$D/synth/events.csv"
echo "-- status: every commodity x partner, fired rules; level changes go to supply_alerts"
"$BIN" supply status | tee "$D/status.txt"
c=$(awk -F, 'NR==2 {print $2}' "$D/synth/truth.csv")
p=$(awk -F, 'NR==2 {print $4}' "$D/synth/truth.csv")
[ "$p" = all ] && p=KOR
e=$(awk -F, 'NR==2 {print $6}' "$D/synth/truth.csv")
echo "-- explain $c $p at $e, the effective month of the first planted disruption"
"$BIN" supply explain "$c" "$p" --at "$e" | tee "$D/explain.txt"
"$BIN" supply explain "$c" "$p" --at "$e" --json > "$D/explain.json"
echo "-- backtest against the planted events (event rules off: no leakage)"
"$BIN" supply backtest --events "$D/synth/events.csv" | tee "$D/backtest.txt"
"$BIN" supply backtest --events "$D/synth/events.csv" --json > "$D/backtest.json"

if [ -r "$SHARED/china-cm-exports-comtrade/deep_dive_hs6_monthly.csv" ]; then
    echo "-- real data: China's graphite exports and the December 2023 export licensing"
    export CW_SUPPLY_DB="$D/real.db"
    "$BIN" supply load comtrade "$SHARED/china-cm-exports-comtrade/deep_dive_hs6_monthly.csv" \
        --reporter CHN --flow X
    "$BIN" supply load usgs "$SHARED/usgs-mcs2026-extract/world_production_mcs2026.csv"
    "$BIN" supply load wgi "$SHARED/wgi/wgidataset.csv" > /dev/null
    "$BIN" supply load events "$SHARED/facts/disruption_events.csv"
    "$BIN" supply load pinksheet "$SHARED/worldbank-pink-sheet/selected_monthly_long.csv"
    "$BIN" supply load prices \
        "$SHARED/lithium-carbonate-china-spot/lithium_carbonate_99.5_china_spot_daily.csv" \
        --series li2co3_cn_spot --unit CNY/t
    for m in Cobalt Nickel; do
        "$BIN" supply load prices \
            "$SHARED/battery-metal-prices-dailymetalprice/${m}_prices_2017-01-01_to_2025-10-31_merged.csv" \
            --series "$(echo $m | tr A-Z a-z)_dmp" | tail -1
    done
    : > "$D/real-graphite.txt"
    for m in 2023-11 2023-12; do
        "$BIN" supply explain graphite KOR --at $m > "$D/explain-$m.txt"
        head -12 "$D/explain-$m.txt" | tee -a "$D/real-graphite.txt"
    done
    "$BIN" supply backtest --events "$SHARED/facts/disruption_events.csv" | tee "$D/real-backtest.txt"
fi
echo "-- supply: look in $D (status.txt, explain.txt/json, backtest.txt/json, supply.db: tables"
echo "   trade, prices, events, supply_alerts; real-graphite.txt when ../shared is present)"
