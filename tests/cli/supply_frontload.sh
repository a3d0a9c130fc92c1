#!/usr/bin/env bash
# supply_frontload.sh: rule C, front-loading fallen back (issue 16, stop 17). Planted China
# exports of graphite (HS 250410, the derived Comtrade layout, 2017-01..2021-12, about 10 M USD
# a month with 10 % noise, a steady unit value):
#  - to KOR the month 2020-05 doubles and 2020-06 falls to half the usual month: the shape an
#    export control leaves between its announcement and its effective date;
#  - to JPN the flow doubles from 2020-05 and stays there: a surge that does not fall back.
# trade_frontload (the smaller of the surge over the 12 months before and the month's fall from
# it, in robust sd) reaches the registered 4.57 at KOR 2020-06 and not at JPN; it needs 9 of the
# 12 baseline months; the default table does not read it; a table with the docs' line hits the
# planted event with that rule, and the false-alarm table gives it the trade budget (0.83 %).
# An event announced after the series ended is missed as series_ended, not under_threshold.
source "$(dirname "$0")/../lib/cli.sh"
export CHAINWATCH_SUPPLY_DB="$T/supply.db"
awk 'BEGIN { print "period_dt,partner_name,hs6,val,qty,uv"; srand(7);
  for (i = 0; i < 60; i++) { y = 2017 + int(i / 12); m = i % 12 + 1; ym = sprintf("%04d-%02d", y, m);
    k = 1e7 * exp(0.1 * (rand() - 0.5)); j = 1e7 * exp(0.1 * (rand() - 0.5));
    if (ym == "2020-05") k *= 2; if (ym == "2020-06") k *= 0.5; if (ym >= "2020-05") j *= 2;
    printf "%s-01,South Korea,250410,%.0f,%.0f,2.0\n", ym, k, k / 2;
    printf "%s-01,Japan,250410,%.0f,%.0f,2.0\n", ym, j, j / 2 } }' > "$T/trade.csv"
cat > "$T/ev.csv" <<'CSV'
event_id,date_announced,date_effective,date_precision,commodity,hs6_scope,actor_country,affected_partner,event_type,description,verification,evidence
t_graphite,2020-05,2020-06,month,graphite,250410,CN,KR,export_control,"planted: licences from 2020-06",test,test
CSV
"$CW_BIN" supply load comtrade "$T/trade.csv" --reporter CHN --flow X > /dev/null

"$CW_BIN" supply explain graphite KOR --at 2020-06 --json > "$T/k6.json"
"$CW_BIN" supply explain graphite KOR --at 2020-05 --json > "$T/k5.json"
"$CW_BIN" supply explain graphite JPN --at 2020-06 --json > "$T/j6.json"
check "KOR 2020-06: the surge fallen back reaches 4.57" jq -e '.indicators.trade_frontload >= 4.57' "$T/k6.json" > /dev/null
check "KOR 2020-05: the surge month alone is not the shape (no fall yet)" jq -e '.indicators.trade_frontload < 0' "$T/k5.json" > /dev/null
check "JPN 2020-06: a surge that stays is not the shape" jq -e '.indicators.trade_frontload < 2' "$T/j6.json" > /dev/null
# stop 18: supply coverage counts trade_frontload among the detectors that read a month: it
# reads 2018-03, one month before the line z (12 residuals after its 3-month level)
check_eq "coverage: a detector reads 2018-03 (trade_frontload), so 10 of 2017-01..2018-12" \
    "$("$CW_BIN" supply coverage --from 2017-01 --to 2018-12 --json | jq -c '.cells[] |
        select(.commodity == "graphite" and .partner == "JPN") | [.detector_months, .detector_blind]')" \
    '[10,["2017-01..2018-02"]]'
"$CW_BIN" supply explain graphite KOR --at 2018-02 --json > "$T/e0.json"
"$CW_BIN" supply explain graphite KOR --at 2018-03 --json > "$T/e1.json"
check_eq "trade_frontload needs the 12 baseline months: none in 2018-02, a value in 2018-03" \
    "$(jq -c '[.indicators.trade_frontload]' "$T/e0.json")$(jq -c '[.indicators.trade_frontload | type]' "$T/e1.json")" \
    '[null]["number"]'
"$CW_BIN" supply explain graphite KOR --at 2020-06 > "$T/k6.txt"
check "explain text: the indicator's unit" grep -q "trade_frontload .*robust sd of the 12 months before" "$T/k6.txt"

"$CW_BIN" supply backtest --events "$T/ev.csv" --json > "$T/bt_default.json"
check "default table: no rule reads trade_frontload" jq -e '.alerts_by_rule | has("d_trade_frontload") | not' "$T/bt_default.json" > /dev/null
cp "$(dirname "$0")/../../data/supply/rules.csv" "$T/rules.csv"
sed -n 's/^  \(d_trade_frontload,.*\)$/\1/p' "$(dirname "$0")/../../docs/SUPPLY-INDICATORS.md" >> "$T/rules.csv"
check_eq "the docs register one d_trade_frontload line at 4.57" \
    "$(grep -c '^d_trade_frontload,caution,dynamic,trade_frontload,>=,4.57,2,,' "$T/rules.csv")" 1
# the rule alone among the alert rules (the other trade detectors see this planted surge first)
grep -v '^[dav]_' "$T/rules.csv" > "$T/alone.csv"
"$CW_BIN" supply backtest --events "$T/ev.csv" --rules "$T/alone.csv" --json > "$T/bt_none.json"
grep '^d_trade_frontload,' "$T/rules.csv" >> "$T/alone.csv"
"$CW_BIN" supply backtest --events "$T/ev.csv" --rules "$T/alone.csv" --json > "$T/bt_rule.json"
check_eq "without any alert rule the planted event is a miss" \
    "$(jq -r '[.events[] | select(.event_id == "t_graphite")][0].result' "$T/bt_none.json")" miss
check "with d_trade_frontload alone: a hit, first alert 2020-06, matched by that rule" jq -e '
    ([.events[] | select(.event_id == "t_graphite")][0] |
     .result == "hit" and (.note | test("first alert 2020-06"))) and
    .alerts_by_rule.d_trade_frontload.matched == 1' "$T/bt_rule.json" > /dev/null
"$CW_BIN" supply backtest --events "$T/ev.csv" --rules "$T/rules.csv" --false-alarms > "$T/fa.txt"
check "false-alarm table: d_trade_frontload has the trade budget 0.83 %" \
    grep -Eq "d_trade_frontload +[0-9]+ / [0-9]+ = .*budget 0.83 %" "$T/fa.txt"
# an event announced after the planted series ended (2021-12): its 12-month window holds
# 2021-07..2021-12 only, so the miss is series_ended (stop 17), not under_threshold
cat > "$T/ev2.csv" <<'CSV'
event_id,date_announced,date_effective,date_precision,commodity,hs6_scope,actor_country,affected_partner,event_type,description,verification,evidence
t_late,2022-05,2022-06,month,graphite,250410,CN,KR,export_control,"planted: after the series ended",test,test
CSV
"$CW_BIN" supply backtest --events "$T/ev2.csv" --misses --json > "$T/miss.json"
check_eq "misses: an event announced after the series ended is series_ended" \
    "$(jq -r '[.events[] | select(.event_id == "t_late")][0] | .cause + ": " + .text' "$T/miss.json" | cut -c1-120)" \
    "series_ended: the event's series end in 2021-12, before the announcement (2022-05): no month from the announcement to th"
check "misses: the last month with data in the window" jq -e '
    [.events[] | select(.event_id == "t_late")][0].last_data_in_window == "2021-12"' "$T/miss.json" > /dev/null
"$CW_BIN" supply backtest --events "$T/ev2.csv" > "$T/bt2.txt"
check "the headline row says the series ended before the announcement" \
    grep -q "^t_late .* miss .*; the series end in 2021-12, before the announcement (2022-05)$" "$T/bt2.txt"

# stop 18: --placebo-shifts runs a second, pre-registered placebo range; the text says which
# range and that it is not the registered +-12..24; a bad range is a usage error
"$CW_BIN" supply backtest --events "$T/ev.csv" --placebo-shifts 12..18 --json > "$T/pw.json"
check_eq "--placebo-shifts 12..18: the range in JSON and its method" \
    "$(jq -r '.placebo | [.shift_min_months, .shift_max_months, (.method | startswith("events shifted by -18..-12 and +12..+18"))] | @tsv' "$T/pw.json")" \
    "$(printf '12\t18\ttrue')"
"$CW_BIN" supply backtest --events "$T/ev.csv" --placebo-shifts 12..18 > "$T/pw.txt"
check "--placebo-shifts: the text names the range, not the registered one" \
    grep -q "^placebo (events shifted +-12..18 months; not the registered +-12..24: see --placebo-shifts)" "$T/pw.txt"
check_eq "--placebo-shifts 12..18: the acceptance's placebo is not the registered one, never met" \
    "$(jq -r '.acceptance.placebo_p | [.registered, .met] | @tsv' "$T/pw.json")" "$(printf 'false\tfalse')"
check "--placebo-shifts: the acceptance line says 'not scored', never 'met'" \
    grep -q "placebo_p [0-9.na]* (alerts, target 0.05: not scored;" "$T/pw.txt"
"$CW_BIN" supply backtest --events "$T/ev.csv" > "$T/pd.txt"
check "default: the registered +-12..24, unmarked" grep -q "^placebo (events shifted +-12..24 months):" "$T/pd.txt"
set +e
"$CW_BIN" supply backtest --events "$T/ev.csv" --placebo-shifts 24..12 > /dev/null 2> "$T/pe.txt"
rc=$?
set -e
check_eq "--placebo-shifts 24..12: a usage error (exit 2) naming the form" \
    "$rc $(grep -c 'placebo-shifts must be MIN..MAX' "$T/pe.txt")" "2 1"
finish
