#!/usr/bin/env bash
# supply_queue.sh: the alert queue counts a partner-invariant supply signal once (issue 16).
# One world price (cobalt) jumps in the last month: the level of USA, KOR and JPN rises to
# caution from that one price, so the queue gets ONE alert naming the three partners, not three.
# A collapse of China's graphite exports to Japan alone is a partner signal: its own alert.
# Re-running raises nothing new.
source "$(dirname "$0")/../lib/cli.sh"
export CHAINWATCH_SUPPLY_DB="$T/supply.db"

# 48 months of a noisy, slowly falling cobalt price (USD/lb: no earlier month at the top of its
# history), then +45 % in the last month
awk 'BEGIN { print "series,date,value,unit"; srand(7);
    for (i = 0; i < 49; i++) { y = 2021 + int(i / 12); m = i % 12 + 1;
        p = i < 48 ? 15 * exp(-0.01 * i + 0.04 * (rand() - 0.5)) : p * 1.45;
        printf "cobalt_dmp_m,%04d-%02d,%.4f,USD/lb\n", y, m, p } }' > "$T/prices.csv"
# China's natural graphite exports to Japan: about 4 M USD a month, then 7,000 USD
awk 'BEGIN { print "period_dt,partner_name,hs6,val,qty,uv"; srand(11);
    for (i = 0; i < 49; i++) { y = 2021 + int(i / 12); m = i % 12 + 1;
        v = i < 48 ? 4e6 * exp(0.1 * (rand() - 0.5)) : 7000;
        printf "%04d-%02d-01,Japan,250410,%.1f,%.1f,1.0\n", y, m, v, v } }' > "$T/trade.csv"
"$CW_BIN" supply load prices "$T/prices.csv" > /dev/null
"$CW_BIN" supply load comtrade "$T/trade.csv" --reporter CHN --flow X > /dev/null

"$CW_BIN" node init --db "$T/node.db" --name USA > /dev/null
"$CW_BIN" rules run --db "$T/node.db" --supply-db "$T/supply.db" --json > "$T/r1"
"$CW_BIN" alerts list --db "$T/node.db" --source supply --json > "$T/a.json"
ev() { jq '[.alerts[] | .evidence | (if type == "string" then fromjson else . end)]' "$T/a.json"; }
check_eq "cobalt: one alert for the one world price" \
    "$(ev | jq '[.[] | select(.commodity == "cobalt")] | length')" 1
check_eq "cobalt: the alert names USA, KOR and JPN" \
    "$(ev | jq -r '[.[] | select(.commodity == "cobalt")][0].partners | map(.partner) | join(",")')" \
    "USA,KOR,JPN"
check_eq "cobalt: marked partner-invariant" \
    "$(ev | jq '[.[] | select(.commodity == "cobalt")][0].partner_invariant')" true
check_eq "cobalt: reached caution (d_price_jump)" \
    "$(ev | jq -r '[.[] | select(.commodity == "cobalt")][0] | .to + " " + (.reason | test("d_price_jump") | tostring)')" \
    "caution true"
check "cobalt: the title names the partners" \
    jq -e '[.alerts[] | select(.title | test("^cobalt for USA, KOR, JPN: .*one partner-invariant signal"))] | length == 1' "$T/a.json" > /dev/null
check_eq "graphite: the collapse to Japan is its own alert, for JPN alone" \
    "$(ev | jq -r '[.[] | select(.commodity == "graphite")] | map(.partner) | join(",")')" "JPN"
check_eq "graphite: not partner-invariant" \
    "$(ev | jq '[.[] | select(.commodity == "graphite")][0].partner_invariant')" false
check_eq "two supply alerts in all (not four)" "$(jq '.alerts | length' "$T/a.json")" 2
check_eq "re-running raises nothing new" \
    "$("$CW_BIN" rules run --db "$T/node.db" --supply-db "$T/supply.db" --json | jq .raised)" 0
finish
