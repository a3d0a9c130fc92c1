#!/usr/bin/env bash
# 50-supply.sh: the supply-chain early warning. When ../shared/data is present, every real
# series there is loaded into $OUT/supply/supply.db (the database the dashboard serves, stage 90,
# and the alert stage reads, stage 60); then coverage (which series cover which months since
# 2023), status, explain (graphite Dec 2023, gallium Aug 2023)
# and the honest backtest. Synthetic data (marked synthetic in every output) goes to
# $OUT/supply/synth.db only, or to supply.db when ../shared is absent or CW_DEMO_SUPPLY=synthetic.
# Env from scripts/demo.sh: BIN, OUT, SHARED, ROOT. Re-running is safe (loads are idempotent).
set -euo pipefail
D="$OUT/supply"
mkdir -p "$D"
load() { # KIND FILE [options]: one line per file (rows loaded, skipped, rejected); the reasons
    # for skipped rows (the first 10) in supply/load-FOLDER-FILE.txt, named on that line
    local why
    why="$D/load-$(basename "$(dirname "$2")")-$(basename "$2").txt"
    "$BIN" supply load "$@" > "$why"
    tail -1 "$why" | sed -e "s|, 0 skipped (explained above)|, 0 skipped|" -e "s|(explained above)|(why: $why)|"
}

synthetic() { # $1: database
    export CHAINWATCH_SUPPLY_DB="$1"
    echo "-- synthetic: 15 years of Comtrade+ imports of KOR, JPN, USA with planted disruptions"
    "$BIN" supply synth --out "$D/synth" --seed 2026 --years 15 --first-year 2010
    load comtrade "$D/synth/comtrade.csv"
    load prices "$D/synth/prices.csv"
    load events "$D/synth/events.csv"
    "$BIN" supply backtest --events "$D/synth/events.csv" > "$D/synth-backtest.txt"
    "$BIN" supply backtest --events "$D/synth/events.csv" --json > "$D/synth-backtest.json"
    echo "   synthetic backtest: $D/synth-backtest.txt"
}

if [ ! -r "$SHARED/china-cm-exports-comtrade/deep_dive_hs6_monthly.csv" ] ||
   [ "${CW_DEMO_SUPPLY:-real}" = synthetic ]; then
    echo "-- $SHARED is absent (or CW_DEMO_SUPPLY=synthetic): the supply pages show SYNTHETIC data"
    rm -f "$D/supply.db" "$D/supply.db-wal" "$D/supply.db-shm"
    synthetic "$D/supply.db"
    "$BIN" supply status | tee "$D/status.txt"
    exit 0
fi

# the synthetic database stays apart from the served one
rm -f "$D/synth.db" "$D/synth.db-wal" "$D/synth.db-shm"
synthetic "$D/synth.db"

export CHAINWATCH_SUPPLY_DB="$D/supply.db"
rm -f "$D/supply.db" "$D/supply.db-wal" "$D/supply.db-shm" # no synthetic rows left from before
S="$SHARED"
echo "-- real data: every series in $S (one transaction per file; rejections by file and line)"
load comtrade "$S/china-cm-exports-comtrade/deep_dive_hs6_monthly.csv" --reporter CHN --flow X
load comtrade "$S/china-cm-exports-comtrade/country_monthly_stats.csv" --reporter CHN --flow X
load usgs "$S/usgs-mcs2026-extract/world_production_mcs2026.csv"
load usgs "$S/usgs-mcs2026-extract/us_import_sources_mcs2026.csv"
load usgs "$S/usgs-mcs2026-extract/us_salient_mcs2026.csv"
load usgs "$S/usgs-ds140-lithium/ds140-lithium.csv" # annual 1900-2021 (salient): no rule reads it
[ -r "$S/wgi/wgidataset.csv" ] && load wgi "$S/wgi/wgidataset.csv"
load pinksheet "$S/worldbank-pink-sheet/monthly_prices.csv"
load pinksheet "$S/worldbank-pink-sheet/selected_monthly_long.csv"
load prices "$S/lithium-carbonate-china-spot/lithium_carbonate_99.5_china_spot_daily.csv" \
    --series li2co3_cn_spot --unit CNY/t
load prices "$S/lithium-carbonate-china-spot/lithium_carbonate_china_spot_monthly.csv"
for m in Cobalt Lithium Nickel; do
    load prices "$S/battery-metal-prices-dailymetalprice/${m}_prices_2017-01-01_to_2025-10-31_merged.csv" \
        --series "$(echo $m | tr A-Z a-z)_dmp"
done
load prices "$S/battery-metal-prices-dailymetalprice/battery_metals_monthly.csv"
load prices "$S/ree-prices-china-daily/rare_earth_prices_cn_daily_orig.csv"
load prices "$S/komis-minor-metal-prices/komis_prices_daily_long.csv"
load prices "$S/komis-minor-metal-prices/komis_prices_monthly_mean.csv"
for f in "$S"/komir-supply-risk-indices/komir_*.csv; do load komir "$f"; done
load events "$S/facts/disruption_events.csv"
load events "$S/policy-events-gta-iea/gta_trade_controls_subset.csv"
load events "$S/policy-events-gta-iea/iea_cm_policies_trade_subset.csv"

echo "-- coverage 2023-01..today: which real series cover which months (BLIND = no monthly series;
   data/detector = months with data / months a detector can read)"
"$BIN" supply coverage > "$D/coverage.txt"
"$BIN" supply coverage --json > "$D/coverage.json"
sed -n '3,14p' "$D/coverage.txt"
echo "-- status: every commodity x partner (data-only and event-informed levels, coverage; fresh:
   each series' last data against today, ended series, a partial last month = provisional)"
"$BIN" supply status | tee "$D/status.txt"
for q in "graphite KOR 2023-12" "graphite USA 2023-12" "gallium USA 2023-08" "gallium JPN 2023-08"; do
    set -- $q
    "$BIN" supply explain "$1" "$2" --at "$3" > "$D/explain-$1-$2-$3.txt"
    "$BIN" supply explain "$1" "$2" --at "$3" --json > "$D/explain-$1-$2-$3.json"
done
echo "-- explain graphite KOR 2023-12 (first lines; all in $D/explain-*.txt)"
head -16 "$D/explain-graphite-KOR-2023-12.txt"
echo "-- backtest (data-only levels) on facts/ and the GTA/IEA trade controls"
"$BIN" supply backtest --split 2016-01 --events "$S/facts/disruption_events.csv" \
    --events "$S/policy-events-gta-iea/gta_trade_controls_subset.csv" \
    --events "$S/policy-events-gta-iea/iea_cm_policies_trade_subset.csv" | tee "$D/backtest.txt" | tail -15
"$BIN" supply backtest --split 2016-01 --events "$S/facts/disruption_events.csv" \
    --events "$S/policy-events-gta-iea/gta_trade_controls_subset.csv" \
    --events "$S/policy-events-gta-iea/iea_cm_policies_trade_subset.csv" --json > "$D/backtest.json"
echo "-- why each in-scope event was missed (first cause: no data, no detector value, partner basis,
   late, under threshold by how much; all rows in $D/misses.txt)"
"$BIN" supply backtest --events "$S/facts/disruption_events.csv" \
    --events "$S/policy-events-gta-iea/gta_trade_controls_subset.csv" \
    --events "$S/policy-events-gta-iea/iea_cm_policies_trade_subset.csv" --misses | tee "$D/misses.txt" | tail -1
echo "-- the false alarms: every alert outside all event windows with its cause (after an event,
   series start, echo, common shock, partner duplicate, price rebound, one lumpy month), and each
   rule's rate before 2016-01 against its registered budget (all rows in $D/false-alarms.txt)"
"$BIN" supply backtest --split 2016-01 --events "$S/facts/disruption_events.csv" \
    --events "$S/policy-events-gta-iea/gta_trade_controls_subset.csv" \
    --events "$S/policy-events-gta-iea/iea_cm_policies_trade_subset.csv" --false-alarms |
    tee "$D/false-alarms.txt" | grep -E "^false alarms (per cause|before)"
echo "-- supply: $D/supply.db (real data, served by stage 90), synth.db (synthetic), status.txt,"
echo "   coverage.txt/json,"
echo "   explain-*.txt/json, backtest.txt/json, misses.txt, false-alarms.txt"
