#!/usr/bin/env bash
# supply_series.sh: the series route the commodity page plots (GET /api/v1/supply/series) gives
# the same document as `chainwatch supply series --json`; synthetic data are marked synthetic in
# the CLI text, the JSON and the API; read commands never create a database (exit 3); when
# ../shared/data is present, the real rare-earth series (China's exports by group, spliced REE
# prices) are marked real with their periods.
source "$(dirname "$0")/../lib/cli.sh"
command -v curl > /dev/null || { echo "SKIPPED: curl is absent"; exit 77; }
export CHAINWATCH_SUPPLY_DB="$T/supply.db"

# a read command on a missing database: exit 3, names it, creates nothing
set +e
"$CW_BIN" supply status --db "$T/nope.db" > /dev/null 2> "$T/err"
rc=$?
set -e
check_eq "status on a missing database exits 3" "$rc" 3
check "the message names the path" grep -q "nope.db" "$T/err"
check "nothing was created" test ! -e "$T/nope.db"

"$CW_BIN" supply synth --out "$T/synth" --seed 7 --years 6 --first-year 2018 > /dev/null
"$CW_BIN" supply load comtrade "$T/synth/comtrade.csv" > /dev/null
"$CW_BIN" supply load prices "$T/synth/prices.csv" > /dev/null
check "CLI text says SYNTHETIC" bash -c "'$CW_BIN' supply series gallium JPN | grep -q SYNTHETIC"
check "explain text says SYNTHETIC" bash -c "'$CW_BIN' supply explain gallium JPN | grep -q 'SYNTHETIC DATA'"
"$CW_BIN" supply series gallium JPN --json > "$T/cli.json"
check_eq "series JSON: synthetic" "$(jq -r '.series_kind + " " + .price_series.kind + " " + .trade_series.kind' "$T/cli.json")" \
    "synthetic synthetic synthetic"
check "series: months, price and trade points, levels per month" \
    jq -e '(.months | length) > 60 and (.price | length) > 60 and (.trade | length) > 60 and
           (.level | length) == (.months | length)' "$T/cli.json"
check "status --json rows are marked synthetic" \
    jq -e '[.assessments[] | select(.data) | .data.series_kind] | unique == ["synthetic"]' \
    <("$CW_BIN" supply status --json)

DB="$T/node.db"
"$CW_BIN" node init --db "$DB" --name USA > /dev/null
KEY=$("$CW_BIN" keys add analyst1 --role analyst --db "$DB")
"$CW_BIN" serve --db "$DB" --supply-db "$T/supply.db" --listen 127.0.0.1:0 --ready-file "$T/ready" 2> "$T/log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
[ -s "$T/ready" ] || { cat "$T/log"; exit 1; }
U="http://$(cat "$T/ready")/api/v1/supply"
get() { curl -s -H "Authorization: Bearer $KEY" "$U/$1"; }
code() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$U/$1"; }
check_eq "API series = CLI series" "$(get 'series?commodity=gallium&partner=JPN' | jq -S 'del(.data.today)')" \
    "$(jq -S 'del(.data.today)' "$T/cli.json")"
check_eq "API series/C?partner= = the same" "$(get 'series/gallium?partner=JPN' | jq -S 'del(.data.today)')" \
    "$(jq -S 'del(.data.today)' "$T/cli.json")"
check_eq "series without partner: 400" "$(code 'series?commodity=gallium')" 400
check_eq "series of an unknown commodity: 404" "$(code 'series?commodity=unobtainium&partner=KOR')" 404
check_eq "status via the API: synthetic" \
    "$(get status | jq -r '[.assessments[] | select(.data) | .data.series_kind] | unique | join(",")')" synthetic

if [ -r "$SHARED/china-cm-exports-comtrade/country_monthly_stats.csv" ]; then
    export CHAINWATCH_SUPPLY_DB="$T/real.db"
    "$CW_BIN" supply load comtrade "$SHARED/china-cm-exports-comtrade/country_monthly_stats.csv" \
        --reporter CHN --flow X > /dev/null
    "$CW_BIN" supply load prices "$SHARED/ree-prices-china-daily/rare_earth_prices_cn_daily_orig.csv" > /dev/null
    "$CW_BIN" supply load prices "$SHARED/komis-minor-metal-prices/komis_prices_daily_long.csv" > /dev/null
    "$CW_BIN" supply series rare_earths KOR --json > "$T/re.json"
    check_eq "real rare earths: kinds" "$(jq -r '.series_kind + " " + .price_series.kind' "$T/re.json")" "real real"
    check_eq "trade from China's exports by group, 2017-01..2024-12" \
        "$(jq -r '.trade_series.first + ".." + .trade_series.last' "$T/re.json")" "2017-01..2024-12"
    check "price spliced from the China Nd oxide series into KOMIS Nd oxide" \
        jq -e '.price_series.series == "ree_cn_nd2o3" and (.price_series.note | test("komis_neodymium")) and
               .price_series.last == "2026-04"' "$T/re.json"
fi
finish
