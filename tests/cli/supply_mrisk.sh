#!/usr/bin/env bash
# supply_mrisk.sh: KOMIR's market-risk index as a change detector (issue 16, fifteenth stop).
# A planted KOMIR market-risk index for cobalt (the komir layout, 2013-01..2024-05, about 60 with
# 1 % noise) falls by half in 2019-06; the cobalt price (2017-01..2024-12) stays flat. One cobalt
# event takes effect in 2019-07.
#  - komir_mrisk_jump is the index's fall in sd of its previous 36 monthly log changes, from its
#    25th change (2015-02), and explain shows the index's span, unit and caveat;
#  - the default table reads no index: the event is a miss, and the backtest is the same with the
#    index loaded or not (the cells do not change);
#  - a table with d_mrisk_jump (the line the docs register) hits the event with that rule, and
#    the false-alarm table holds its 5 % budget.
source "$(dirname "$0")/../lib/cli.sh"
export CHAINWATCH_SUPPLY_DB="$T/supply.db"
awk 'BEGIN { print "series,date,value,unit"; srand(5);
  for (i = 0; i < 96; i++) { y = 2017 + int(i / 12); m = i % 12 + 1;
    printf "cobalt_dmp_m,%04d-%02d,%.4f,USD/lb\n", y, m, 30 * exp(0.01 * (rand() - 0.5)) } }' > "$T/prices.csv"
awk 'BEGIN { print "광종,기간,시장위험지수"; srand(9);
  for (i = 0; i < 137; i++) { y = 2013 + int(i / 12); m = i % 12 + 1; ym = sprintf("%04d-%02d", y, m);
    v = 60 * exp(0.02 * (rand() - 0.5)); if (ym >= "2019-06") v *= 0.5;
    printf "코발트,%s-01,%.6f\n", ym, v } }' > "$T/komir_marketidx_cobalt.csv"
cat > "$T/ev.csv" <<'CSV'
event_id,date_announced,date_effective,date_precision,commodity,hs6_scope,actor_country,affected_partner,event_type,description,verification,evidence
t_cobalt,2019-07,2019-07,month,cobalt,260500,CD,all,export_ban,"planted: a month after the index fell",test,test
CSV
"$CW_BIN" supply load prices "$T/prices.csv" > /dev/null
"$CW_BIN" supply backtest --events "$T/ev.csv" --json | jq -S 'del(.generated_at)' > "$T/bt_before.json"
"$CW_BIN" supply load komir "$T/komir_marketidx_cobalt.csv" > /dev/null
"$CW_BIN" supply backtest --events "$T/ev.csv" --json | jq -S 'del(.generated_at)' > "$T/bt_default.json"

"$CW_BIN" supply explain cobalt KOR --at 2019-06 --json > "$T/ex.json"
check "explain: komir_mrisk_jump at 2019-06 is the fall of ln 2 in sd (>= 2.07)" jq -e '
    .indicators.komir_mrisk_jump > 2.07 and (.indicators.komir_market_risk | . > 25 and . < 35)' "$T/ex.json" > /dev/null
check "explain: the index's span, unit and caveat" jq -e '
    .data.komir_market_risk.first == "2013-01" and .data.komir_market_risk.last == "2019-06" and
    (.data.komir_market_risk.unit | test("lower = riskier")) and
    (.data.komir_market_risk.caveat | test("backcast"))' "$T/ex.json" > /dev/null
"$CW_BIN" supply explain cobalt KOR --at 2015-01 --json > "$T/ex0.json"
"$CW_BIN" supply explain cobalt KOR --at 2015-02 --json > "$T/ex1.json"
check_eq "komir_mrisk_jump needs 24 earlier changes: none in 2015-01, a value in 2015-02" \
    "$(jq -c '[.indicators.komir_mrisk_jump]' "$T/ex0.json")$(jq -c '[.indicators.komir_mrisk_jump | type]' "$T/ex1.json")" \
    '[null]["number"]'
"$CW_BIN" supply explain cobalt KOR --at 2019-06 > "$T/ex.txt"
check "explain text: the unit of the index's fall" grep -q "komir_mrisk_jump.*sd of its previous 36 monthly log changes" "$T/ex.txt"

check_eq "default table: the event is missed (no rule reads the index)" \
    "$(jq -r '[.events[] | select(.event_id == "t_cobalt")][0].result' "$T/bt_default.json")" miss
check "default table: the backtest is the same with the index loaded" cmp -s "$T/bt_before.json" "$T/bt_default.json"

cp "$(dirname "$0")/../../data/supply/rules.csv" "$T/rules.csv"
cat >> "$T/rules.csv" <<'CSV'
d_mrisk_jump,caution,dynamic,komir_mrisk_jump,>=,2.07,2,,"KOMIR market-risk index falling: the month's fall in sd of its previous 36 monthly log changes (price_jump's statistic on 1/index); 2.07 is d_price_jump's 5% budget (nickel 1962-2008), 0 of 35 index months before 2016-01; KOMIR model output, one vintage (backcast before 2022): not in the default table"
CSV
"$CW_BIN" supply backtest --events "$T/ev.csv" --rules "$T/rules.csv" --split 2016-01 --json > "$T/bt_rule.json"
check "with d_mrisk_jump: the event is a hit, alerted in 2019-06 by that rule" jq -e '
    ([.events[] | select(.event_id == "t_cobalt")][0] |
     .result == "hit" and (.note | test("first alert 2019-06"))) and
    .alerts_by_rule.d_mrisk_jump.matched == 1' "$T/bt_rule.json" > /dev/null
"$CW_BIN" supply backtest --events "$T/ev.csv" --rules "$T/rules.csv" --split 2016-01 --false-alarms > "$T/fa.txt"
check "false-alarm table: d_mrisk_jump's budget is 5 %" grep -Eq "d_mrisk_jump +[0-9]+ / [0-9]+ = .*budget 5.00 %" "$T/fa.txt"
finish
