#!/usr/bin/env bash
# supply_flow.sh: synthetic data end to end through the CLI (no ../shared needed): synth, load,
# status, explain, changes, backtest; checks the planted disruptions are found.
set -euo pipefail
BIN=${CW_BIN:?CW_BIN is not set}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export CHAINWATCH_SUPPLY_DB=$T/s.db
fail() { echo "FAIL: $*" >&2; exit 1; }

"$BIN" supply synth --out "$T/syn" --seed 5 --years 8 --first-year 2015 >/dev/null
"$BIN" supply synth --out "$T/syn2" --seed 5 --years 8 --first-year 2015 >/dev/null
cmp -s "$T/syn/comtrade.csv" "$T/syn2/comtrade.csv" || fail "synth is not deterministic"
"$BIN" supply load comtrade "$T/syn/comtrade.csv" | grep -q "0 rejected; committed" || fail "load"
"$BIN" supply load prices "$T/syn/prices.csv" >/dev/null
"$BIN" supply load events "$T/syn/events.csv" >/dev/null

"$BIN" supply status --json > "$T/status.json"
jq -e '.assessments | length == 30' "$T/status.json" >/dev/null || fail "status rows"
jq -e '[.assessments[] | select(.level_name != null)] | length >= 27' "$T/status.json" >/dev/null \
    || fail "status levels"
new=$(jq '.new_alert_rows' "$T/status.json")
[ "$new" -gt 0 ] || fail "no level changes recorded"
"$BIN" supply status --json | jq -e '.new_alert_rows == 0' >/dev/null || fail "alerts recorded twice"
"$BIN" supply status --partner KOR --commodity graphite | grep -q "^graphite" || fail "status filter"

"$BIN" supply explain graphite KOR --json > "$T/ex.json"
jq -e '.partner == "KOR" and .commodity == "graphite" and (.level >= 0)' "$T/ex.json" >/dev/null \
    || fail "explain"
jq -e '.data.trade.basis == "imports reported by KOR"' "$T/ex.json" >/dev/null || fail "basis"
jq -e '.indicators.import_top_share > 0.6 and .top_supplier == "CHN"' "$T/ex.json" >/dev/null \
    || fail "import concentration"
jq -e '[.fired[] | select(.rule == "s_dep50")] | length == 1' "$T/ex.json" >/dev/null \
    || fail "s_dep50 should fire for graphite KOR"
"$BIN" supply explain graphite KOR | grep -q "fired rules" || fail "explain text"
set +e
"$BIN" supply explain unobtainium KOR >/dev/null 2>&1; [ $? -eq 3 ] || fail "unknown commodity exit 3"
set -e

"$BIN" supply backtest --events "$T/syn/events.csv" --json > "$T/bt.json"
n=$(($(wc -l < "$T/syn/events.csv") - 1))
jq -e ".events | length == $n" "$T/bt.json" >/dev/null || fail "backtest events"
jq -e '.summary.hits >= (.summary.events * 0.6)' "$T/bt.json" >/dev/null \
    || fail "backtest hit rate: $(jq -c .summary "$T/bt.json")"
"$BIN" supply backtest --events "$T/syn/events.csv" --level alert | grep -q "hit rate" \
    || fail "backtest text"
"$BIN" supply changes --commodity graphite --partner KOR --json | jq -e '.changes | length > 0' \
    >/dev/null || fail "changes"
echo "supply_flow: ok ($(jq -c '.summary | {hits, events, false_alarms}' "$T/bt.json"))"
