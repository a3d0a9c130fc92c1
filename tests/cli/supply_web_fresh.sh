#!/usr/bin/env bash
# supply_web_fresh.sh: the dashboard's supply page shows each cell's freshness (thirteenth stop):
# the engine's `supply status --json` on real KOMIS manganese and dailymetalprice cobalt (from
# ../shared/data; that part is skipped when absent) and on a synthetic database, read by the
# page's own functions in tests/e2e/supply_fresh.test.mjs (node --test, no browser).
source "$(dirname "$0")/../lib/cli.sh"
SRC=$CW_SOURCE_DIR
command -v node > /dev/null || { echo "SKIPPED: node is missing"; exit 77; }
D=$SHARED
if [ -r "$D/komis-minor-metal-prices/komis_prices_daily_long.csv" ]; then
    export CHAINWATCH_SUPPLY_DB="$T/real.db"
    "$CW_BIN" supply load prices "$D/komis-minor-metal-prices/komis_prices_daily_long.csv" > /dev/null
    "$CW_BIN" supply load prices "$D/battery-metal-prices-dailymetalprice/Cobalt_prices_2017-01-01_to_2025-10-31_merged.csv" \
        --series cobalt_dmp > /dev/null
    "$CW_BIN" supply status --json > "$T/real.json"
    export CW_SUPPLY_STATUS_REAL="$T/real.json"
fi
export CHAINWATCH_SUPPLY_DB="$T/synth.db"
"$CW_BIN" supply synth --out "$T/synth" --seed 3 --years 5 --first-year 2019 > /dev/null
"$CW_BIN" supply load comtrade "$T/synth/comtrade.csv" > /dev/null
"$CW_BIN" supply load prices "$T/synth/prices.csv" > /dev/null
"$CW_BIN" supply status --json > "$T/synth.json"
export CW_SUPPLY_STATUS_SYNTH="$T/synth.json"
node --test "$SRC/tests/e2e/supply_fresh.test.mjs" > "$T/out.txt" 2>&1 || { cat "$T/out.txt"; bad "supply_fresh.test.mjs"; }
grep -q '^# fail 0' "$T/out.txt" && ok "freshness marks: provisional, ended, synthetic (node --test)"
grep -q '^# skipped 0' "$T/out.txt" || echo "note: $(grep '^# skipped' "$T/out.txt") (no ../shared/data)"
finish
