#!/usr/bin/env bash
# supply_quiet.sh: a price month with no new quote (issue 16, stop 19). Planted: a daily cobalt
# price (cobalt_dmp, 28 quotes a month) 2019-01..2022-06 that moves every day, except 2021-03,
# whose every quote repeats 2021-02's last (the source carried its quote forward); a monthly
# nickel price (NICKEL, one value a month) whose 2021-03 repeats 2021-02 (a monthly value equal
# to the last is a price, not a carried quote). Explain counts the quiet months among the 12 to
# the level's month in JSON (data.price.quiet_months_last_12) and says so in text; nickel has none.
source "$(dirname "$0")/../lib/cli.sh"
export CHAINWATCH_SUPPLY_DB="$T/supply.db"
awk 'BEGIN { print "series,date,value,unit"; srand(11); p = 20; q = 15000;
  for (i = 0; i < 42; i++) { y = 2019 + int(i / 12); m = i % 12 + 1; ym = sprintf("%04d-%02d", y, m);
    for (d = 1; d <= 28; d++) {
      if (ym != "2021-03") p *= exp(0.01 * (rand() - 0.5));
      printf "cobalt_dmp,%s-%02d,%.6f,USD/lb\n", ym, d, p }
    if (ym != "2021-03") q *= exp(0.05 * (rand() - 0.5));
    printf "NICKEL,%s,%.2f,$/mt\n", ym, q } }' > "$T/prices.csv"
"$CW_BIN" supply load prices "$T/prices.csv" > /dev/null
quiet() { "$CW_BIN" supply explain "$1" USA --at "$2" --json | jq -c '.data.price.quiet_months_last_12'; }
check_eq "cobalt 2021-06: 2021-03 had no new quote" "$(quiet cobalt 2021-06)" 1
check_eq "cobalt 2021-02: none yet" "$(quiet cobalt 2021-02)" 0
check_eq "cobalt 2022-02: 2021-03 is the 12th month back" "$(quiet cobalt 2022-02)" 1
check_eq "cobalt 2022-03: 2021-03 is out of the 12 months" "$(quiet cobalt 2022-03)" 0
check_eq "nickel 2021-06: a monthly value repeated is a price, not a carried quote" "$(quiet nickel 2021-06)" 0
"$CW_BIN" supply explain cobalt USA --at 2021-06 > "$T/e.txt"
check "text: the quiet month is named with its count and the month" \
    grep -q "^price quotes: 1 of the 12 months to 2021-06 have no new quote (every observation equal to the previous month's last: the source carried its quote forward); the detectors read them as a price that did not move$" "$T/e.txt"
"$CW_BIN" supply explain nickel USA --at 2021-06 > "$T/n.txt"
check "text: no such line for nickel" bash -c "! grep -q '^price quotes:' '$T/n.txt'"
finish
