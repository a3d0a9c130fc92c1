#!/usr/bin/env bash
# supply_stale.sh: freshness at today (issue 16 Build 5, stop 18). Planted: China's graphite
# exports (HS 250410) to the USA, steady, 2019-01 to this month; to Japan, steady, 2019-01 to
# 2022-12. Neither moves, and no structural data is loaded, so both levels are "none". Each
# status row names the newest month its level rests on and its age against today; past the
# stated limit (6 months) the level says "stale", not "none": in text, JSON (level_shown,
# data.fresh) and the dashboard's API (the same document).
source "$(dirname "$0")/../lib/cli.sh"
export CHAINWATCH_SUPPLY_DB="$T/supply.db"
NOW=$(date -u +%Y-%m)
awk -v now="$NOW" 'BEGIN { print "period_dt,partner_name,hs6,val,qty,uv"; srand(5);
  for (i = 0; ; i++) { y = 2019 + int(i / 12); m = i % 12 + 1; ym = sprintf("%04d-%02d", y, m);
    if (ym > now) break;
    v = 1e7 * exp(0.1 * (rand() - 0.5)); printf "%s-01,United States,250410,%.0f,%.0f,2.0\n", ym, v, v / 2;
    if (ym <= "2022-12") { v = 1e7 * exp(0.1 * (rand() - 0.5)); printf "%s-01,Japan,250410,%.0f,%.0f,2.0\n", ym, v, v / 2 } } }' > "$T/trade.csv"
"$CW_BIN" supply load comtrade "$T/trade.csv" --reporter CHN --flow X > /dev/null
age=$(( (10#${NOW:0:4} - 2022) * 12 + 10#${NOW:5:2} - 12 ))

"$CW_BIN" supply status --commodity graphite --json > "$T/st.json"
row() { jq -c --arg p "$1" '.assessments[] | select(.partner == $p) |
    [.level_name, .level_shown, .data.fresh.newest_month, .data.fresh.newest_series,
     .data.fresh.months_old, .data.fresh.stale, .data.fresh.stale_limit_months]' "$T/st.json"; }
check_eq "JPN: the level (none) rests on 2022-12, $age months old: shown stale" \
    "$(row JPN)" "[\"none\",\"stale\",\"2022-12\",\"trade\",$age,true,6]"
check_eq "USA: data to this month: fresh, shown none" \
    "$(row USA)" "[\"none\",\"none\",\"$NOW\",\"trade\",0,false,6]"
"$CW_BIN" supply status --commodity graphite > "$T/st.txt"
check "text: the JPN row says stale in the level columns" \
    grep -q "^graphite     JPN  2022-12  stale     stale     stale     real " "$T/st.txt"
check "text: the USA row says none" grep -q "^graphite     USA  $NOW  none      none      none " "$T/st.txt"
check "text: the freshness line names the month, the age and the limit" \
    grep -q "; the level rests on data to 2022-12 (trade), $age months old: STALE (limit 6 months)$" "$T/st.txt"
check "text: and fresh for the USA" \
    grep -q "; the level rests on data to $NOW (trade), 0 months old: fresh (limit 6 months)$" "$T/st.txt"
# a month inside the data is judged against today too: JPN's 2022-06 level is as stale
"$CW_BIN" supply explain graphite JPN --at 2022-06 --json > "$T/j.json"
check_eq "explain --at 2022-06: the newest datum at that month, against today" \
    "$(jq -c '[.data.fresh.newest_month, .data.fresh.stale, .level_shown]' "$T/j.json")" '["2022-06",true,"stale"]'
finish
