#!/usr/bin/env bash
# supply_false_alarms.sh: the backtest's false-alarm table (issue 16, fourteenth stop) on planted
# series, one case per cause. China's exports of graphite (250410) to USA, KOR and JPN and of
# 811292 (gallium) to JPN, 2017-01..2024-12, about 4 M USD a month; a monthly cobalt price
# 2015-01..2024-12. The events file holds no event on these cells' months but one on cobalt
# effective 2019-01, so every alert is false and has a cause:
#   graphite KOR 2018-06 x8, the trade detectors' 3rd month         -> series_start
#   graphite USA 2020-05 x8 for one month                            -> one_month
#   graphite and gallium to JPN 2021-03 x0.05                        -> common_shock (both)
#   graphite USA and KOR 2022-06 x0.05                               -> partner_duplicate (both)
#   cobalt 2019-03 +40 % (and back), 2 months after the cobalt event -> after_event
#   cobalt 2019-09, the same price cell 6 months after              -> echo
#   cobalt falling 3 % a month through 2023, +12 % in 2023-09        -> price_rebound
source "$(dirname "$0")/../lib/cli.sh"
export CHAINWATCH_SUPPLY_DB="$T/supply.db"
awk 'BEGIN { print "period_dt,partner_name,hs6,val,qty,uv"; srand(3);
  split("United States of America,Rep. of Korea,Japan", P, ",");
  for (i = 0; i < 96; i++) { y = 2017 + int(i / 12); m = i % 12 + 1; ym = sprintf("%04d-%02d", y, m);
    for (p = 1; p <= 3; p++) { for (h = 1; h <= 2; h++) {
      hs = h == 1 ? "250410" : "811292"; if (hs == "811292" && p != 3) continue;
      v = 4e6 * exp(0.1 * (rand() - 0.5));
      if (ym == "2018-06" && hs == "250410" && p == 2) v *= 8;
      if (ym == "2021-03" && p == 3) v *= 0.05;
      if (ym == "2022-06" && hs == "250410" && p <= 2) v *= 0.05;
      if (ym == "2020-05" && hs == "250410" && p == 1) v *= 8;
      printf "%s-01,%s,%s,%.1f,%.1f,1.0\n", ym, P[p], hs, v, v } } } }' > "$T/trade.csv"
awk 'BEGIN { print "series,date,value,unit"; srand(8); p = 30;
  for (i = 0; i < 120; i++) { y = 2015 + int(i / 12); m = i % 12 + 1; ym = sprintf("%04d-%02d", y, m);
    f = exp(0.01 * (rand() - 0.5)); if (y == 2023) f *= 0.97; if (ym == "2023-09") f *= 1.12;
    if (ym == "2019-03") f *= 1.4; if (ym == "2019-04") f /= 1.4;
    p *= f; printf "cobalt_dmp_m,%s,%.4f,USD/lb\n", ym, p } }' > "$T/prices.csv"
"$CW_BIN" supply load comtrade "$T/trade.csv" --reporter CHN --flow X > /dev/null
"$CW_BIN" supply load prices "$T/prices.csv" > /dev/null
cat > "$T/ev.csv" <<'CSV'
event_id,date_announced,date_effective,date_precision,commodity,hs6_scope,actor_country,affected_partner,event_type,description,verification,evidence
t_early,2018-01,2018-01,month,manganese,260200,ID,all,export_ban,"planted: spans the months, no data",test,test
t_cobalt,2019-01,2019-01,month,cobalt,260500,CD,all,export_ban,"planted: two months before the jump",test,test
t_late,2024-12,2024-12,month,manganese,260200,ID,all,export_ban,"planted: spans the months, no data",test,test
CSV
"$CW_BIN" supply backtest --events "$T/ev.csv" --split 2020-01 --false-alarms --json > "$T/fa.json"
cause() { # PERIOD COMMODITY PARTNER -> its cause
    jq -r --arg p "$1" --arg c "$2" --arg q "$3" \
        '[.events[] | select(.period == $p and .commodity == $c and .partner == $q)][0].cause' "$T/fa.json"
}
check_eq "series_start: graphite KOR 2018-06" "$(cause 2018-06 graphite KOR)" series_start
check_eq "one_month: graphite USA 2020-05" "$(cause 2020-05 graphite USA)" one_month
check_eq "common_shock: graphite JPN 2021-03" "$(cause 2021-03 graphite JPN)" common_shock
check_eq "common_shock: gallium JPN 2021-03" "$(cause 2021-03 gallium JPN)" common_shock
check_eq "partner_duplicate: graphite USA 2022-06" "$(cause 2022-06 graphite USA)" partner_duplicate
check_eq "partner_duplicate: graphite KOR 2022-06" "$(cause 2022-06 graphite KOR)" partner_duplicate
check_eq "after_event: cobalt 2019-03" "$(cause 2019-03 cobalt 'all (price)')" after_event
check_eq "echo: cobalt 2019-09" "$(cause 2019-09 cobalt 'all (price)')" echo
check_eq "price_rebound: cobalt 2023-09" "$(cause 2023-09 cobalt 'all (price)')" price_rebound
check "the texts give the figures" jq -e '
    ([.events[] | select(.cause == "after_event")][0].text == "2 months after t_cobalt took effect (2019-01)") and
    ([.events[] | select(.cause == "one_month")][0].text | test("^2020-05: .* USD against a 12-month median of .*, back to .* the month after$")) and
    ([.events[] | select(.cause == "series_start")][0].text == "5 evaluable months on the cell before it")' \
    "$T/fa.json" > /dev/null
check_eq "before the split (2020-01): the three alerts of 2018-2019" \
    "$(jq -c '[.pre_split_false_alarms, ([.events[] | select(.pre_split) | .period] | sort)]' "$T/fa.json")" \
    '[3,["2018-06","2019-03","2019-09"]]'
check_eq "counts per cause add up" "$(jq '([.counts[]] | add) == (.events | length)' "$T/fa.json")" true
check_eq "per rule: d_price_jump's false alarms, all and before the split" \
    "$(jq -c '.by_rule.d_price_jump | [.false_alarms, .pre_split]' "$T/fa.json")" '[2,1]'
# rates before the split: the trade detectors read 2018-04..2019-12 here, so they have a rate
# and a budget; the textbook price rules have no budget; rules that need an event (v_event_drop
# requires e_measure) or make no alert (standing) are not rated
check "rates: before the split, with budgets" jq -e '.rates.span == {"from": "2017-01", "to": "2019-12",
    "what": "before the split"} and .rates.rules.d_trade_up.months > 0 and
    .rates.rules.d_trade_up.budget == (0.05 / 6) and .rates.rules.d_price_up.budget == null and
    (.rates.rules.d_trade_up.over_budget | type) == "boolean" and .rates.from_split.span.from == "2020-01" and
    (.rates.rules | has("v_event_drop") or has("e_measure") or has("st_tight") | not)' \
    "$T/fa.json" > /dev/null
# stop 22: every signal month outside the windows (what the noise-to-signal ratio counts as noise,
# not only the switch-ons), with its rules and, on a price cell, the price's move: the count is
# the backtest's signal_outside, the switch-ons among them are the false alarms above, and the
# cobalt price falling back in 2019-04 still signals through d_price_jump's 2-month lookback
"$CW_BIN" supply backtest --events "$T/ev.csv" --split 2020-01 --json > "$T/bt.json"
check_eq "signal months: as many as the noise-to-signal ratio's signal_outside" \
    "$(jq --slurpfile b "$T/bt.json" '.signal_months.months == $b[0].summary.months.signal_outside and
        (.signal_months.rows | length) == .signal_months.months' "$T/fa.json")" true
check_eq "signal months: the switch-ons are the false alarms" \
    "$(jq '([.signal_months.rows[] | select(.alert) | [.period, .commodity, .partner]] | sort) ==
        ([.events[] | [.period, .commodity, .partner]] | sort)' "$T/fa.json")" true
check_eq "signal months: cobalt 2019-04, the price falling back, still signals" \
    "$(jq -c '[.signal_months.rows[] | select(.period == "2019-04" and .commodity == "cobalt")][0] |
        [.price_move, .alert, (.rules | test("d_price_jump")), .pre_split]' "$T/fa.json")" '["down",false,true,true]'
check_eq "signal months: price_falling counts the price cells' falling months; trade rows have none" \
    "$(jq '.signal_months.price_falling == ([.signal_months.rows[] | select(.price_move == "down")] | length) and
        all(.signal_months.rows[] | select(.partner != "all (price)"); .price_move == null) and
        .signal_months.pre_split == ([.signal_months.rows[] | select(.pre_split)] | length)' "$T/fa.json")" true
"$CW_BIN" supply backtest --events "$T/ev.csv" --split 2020-01 --false-alarms > "$T/fa.txt"
check "text: the signal months, switch-ons marked" \
    grep -q "^  2019-04   cobalt       all (price)  down   .*d_price_jump.* \[before the split\]$" "$T/fa.txt"
check "text: the signal months per rule" grep -q "^signal months outside every event window per rule .*: .*d_price_jump [0-9]*;" "$T/fa.txt"
check "text: one row per false alarm, with its cause" \
    grep -q "^2022-06  graphite     KOR          partner_duplicate  .*an alert the same month on graphite USA" "$T/fa.txt"
check "text: the counts per cause" grep -q "^false alarms per cause (11 alerts): after_event 1; series_start 1; echo 2; common_shock 2; partner_duplicate 2; price_rebound 1; one_month 1; unexplained 1;" "$T/fa.txt"
check "text: the rates before the split" grep -q "^rates before the split 2017-01..2019-12" "$T/fa.txt"
# stop 23: the signal months within 6 months after an event on the cell took effect (outside every
# window) are labelled a reaction to it, and a second noise-to-signal ratio leaves those cell-months
# out (beside the headline, which counts them as noise): cobalt 2019-03..07 after t_cobalt
check_eq "reactions: the cobalt months 2019-03..07 after t_cobalt, labelled, counted" \
    "$(jq -c '[.signal_months.reactions, ([.signal_months.rows[] | select(.reaction_to) |
        [.period, .reaction_to]] | map(.[0]) | sort), ([.signal_months.rows[] | select(.reaction_to) |
        .reaction_to] | unique), ([.signal_months.rows[] | select(.period == "2019-09")][0].reaction_to)]' "$T/fa.json")" \
    '[5,["2019-03","2019-04","2019-05","2019-06","2019-07"],["t_cobalt"],null]'
check_eq "reactions left out: the headline's counts less the reaction months, the windows' untouched" \
    "$(jq --slurpfile f "$T/fa.json" '.summary.months as $m | .summary.noise_to_signal_reactions_left_out as $r |
        $r.reaction_signal_months == $f[0].signal_months.reactions and
        $r.signal_outside + $r.reaction_signal_months == $m.signal_outside and
        $r.quiet_outside + $r.reaction_quiet_months == $m.quiet_outside and $r.reaction_quiet_months == 1 and
        $r.signal_in_window == $m.signal_in_window and $r.quiet_in_window == $m.quiet_in_window and
        $r.reaction_months_after == 6 and
        ([.out_of_sample.periods[].noise_to_signal_reactions_left_out.reaction_signal_months] == [5, 0])' "$T/bt.json")" true
(cat "$T/ev.csv"; echo 't_jump,2019-03,2019-03,month,cobalt,260500,CD,all,export_ban,"planted: the month of the jump",test,test') > "$T/ev2.csv"
"$CW_BIN" supply backtest --events "$T/ev2.csv" --json > "$T/bt2.json"
check_eq "reactions left out: the ratio of its counts, below the headline's" \
    "$(jq -c '.summary.noise_to_signal_reactions_left_out as $r | .summary.noise_to_signal as $h |
        (($r.signal_outside / ($r.signal_outside + $r.quiet_outside)) /
         ($r.signal_in_window / ($r.signal_in_window + $r.quiet_in_window))) as $v |
        [$r.signal_in_window, $r.reaction_signal_months, (($r.value - $v) | fabs < 1e-9), $r.value < $h]' "$T/bt2.json")" \
    '[1,5,true,true]'
"$CW_BIN" supply backtest --events "$T/ev.csv" --split 2020-01 > "$T/bt.txt"
check "text: the ratio with the reaction months left out, whole range and per split" grep -q \
    "^noise-to-signal, split 2020-01, events effective before the split: n/a with the reaction months left out (beside the headline, which counts them as noise: 5 signal and 1 quiet cell-months" "$T/bt.txt"
check "text: a reaction month named in the listing" \
    grep -q "^  2019-04   cobalt       all (price)  down   .* \[reaction to t_cobalt\] \[before the split\]$" "$T/fa.txt"
finish
