#!/usr/bin/env bash
# Monitoring and alert rules: `watch` follows a blocks directory that grows (blk files arriving
# one after another); the rules raise, from our own engines:
#  - stolen-funds-at-exchange, one per exchange the ground truth says received stolen value,
#    with the FIFO amount within 1% of the truth (cases file: the heist's stolen outputs);
#  - watched-funds-coinjoin for a heist laundered through CoinJoins;
#  - sanctioned-address-receives when an address labelled sanctioned gets paid;
#  - supply-level-change from the supply database;
# and re-running raises nothing twice; a case traced from label:theft on a run with nothing new.
source "$(dirname "$0")/../lib/cli.sh"
SC="$CW_SOURCE_DIR/data/scenarios/quick-heist.json"
"$CW_BIN" gen --out "$T/w" --txs 4000 --seed 11 --scenario "$SC" --max-file-size 400000 --quiet > /dev/null
n_files=$(ls "$T/w/blocks"/blk*.dat | wc -l)
check "the world spans several blk files ($n_files)" test "$n_files" -ge 3
"$CW_BIN" labels import gen-truth "$T/w/truth/addresses.csv" --db "$T/labels.db" --quiet > /dev/null
# a sanctions label on the address of a miner (paid in most blocks)
MINER=$(awk -F, '$5=="miner" || $5=="mining_pool" {print $1; exit}' "$T/w/truth/addresses.csv")
printf 'subject,entity,category,asset\n%s,Test Sanctioned Party,sanctioned,XBT\n' "$MINER" > "$T/sdn.csv"
"$CW_BIN" labels import csv "$T/sdn.csv" --db "$T/labels.db" --quiet > /dev/null
# cases: each heist's stolen outputs
jq '[.[] | {name: .name, from: [.stolen_outputs[].outpoint], severity: "critical", tlp: "amber", share_to: "KOR"}]' \
    "$T/w/truth/heists.json" > "$T/cases.json"
"$CW_BIN" node init --db "$T/node.db" --name USA > /dev/null

# the blocks directory grows: first file only, then all
mkdir -p "$T/live"
cp "$T/w/blocks/blk00000.dat" "$T/live/"
W=("$CW_BIN" watch --blocks "$T/live" --store "$T/s" --network regtest --db "$T/node.db"
   --labels "$T/labels.db" --cases "$T/cases.json" --once)
"${W[@]}" > "$T/r1"
check "first round ingested blocks" grep -q "watch: +[1-9]" "$T/r1"
cp "$T/w/blocks"/blk*.dat "$T/live/"
"${W[@]}" > "$T/r2"
cat "$T/r2"
check "second round ingested the new files" grep -q "watch: +[1-9]" "$T/r2"

alerts() { "$CW_BIN" alerts list --db "$T/node.db" --kind "$1" --json; }
got=$(alerts stolen-funds-at-exchange)
for h in $(jq -r '.[].name' "$T/w/truth/heists.json"); do
    for ex in $(jq -r --arg h "$h" '.[] | select(.name == $h) | .deposits_by_exchange | keys[]' "$T/w/truth/heists.json"); do
        want=$(jq --arg h "$h" --arg e "$ex" '.[] | select(.name == $h) | .deposits_by_exchange[$e]' "$T/w/truth/heists.json")
        have=$(jq --arg h "$h" --arg e "$ex" '[.alerts[] | .evidence | (if type == "string" then fromjson else . end) | select(.case == $h and .exchange == $e) | .value_sat] | max // 0' <<<"$got")
        ok_=$(jq -n --argjson w "$want" --argjson v "$have" '(($v - $w) | fabs) <= 0.01 * $w')
        check_eq "alert: $h -> $ex: $have sat vs truth $want (within 1%)" "$ok_" true
    done
done
n_ex=$(jq '[.[] | .deposits_by_exchange | keys | length] | add' "$T/w/truth/heists.json")
check_eq "every (heist, exchange) pair alerted, no other" "$(jq '[.alerts[] | .evidence | (if type == "string" then fromjson else . end) | .case + "/" + .exchange] | unique | length' <<<"$got")" "$n_ex"
check_eq "an amount that passed a CoinJoin is called PROBABLE in the alert" "$(jq '[.alerts[] | select((.evidence | (if type == "string" then fromjson else . end) | .probable_sat) > 0) | select(.title | test("PROBABLE") | not)] | length' <<<"$got")" 0
check "some alert amounts passed a CoinJoin (probable)" test "$(jq '[.alerts[] | select((.evidence | (if type == "string" then fromjson else . end) | .probable_sat) > 0)] | length' <<<"$got")" -gt 0
cj_heists=$(jq '[.[] | select((.coinjoin_txids | length) > 0)] | length' "$T/w/truth/heists.json")
check_eq "CoinJoin alerts for the heists mixed through CoinJoins" "$(alerts watched-funds-coinjoin | jq '.alerts | length')" "$cj_heists"
check "the sanctioned address was seen receiving" test "$(alerts sanctioned-address-receives | jq '.alerts | length')" -gt 0
before=$("$CW_BIN" alerts list --db "$T/node.db" --json | jq '.alerts | length')
"${W[@]}" > /dev/null
"$CW_BIN" rules run --db "$T/node.db" --store "$T/s" --labels "$T/labels.db" --cases "$T/cases.json" --json > "$T/r3"
check_eq "re-running raises nothing new" "$(jq .raised "$T/r3")" 0
check_eq "alert count unchanged" "$("$CW_BIN" alerts list --db "$T/node.db" --json | jq '.alerts | length')" "$before"
# a run with nothing new reads the labels it touches only (the lazy label map), but a case traced
# from a label needs every labelled address: that run takes the full map
jq -n '[{name: "by label", from: ["label:theft"], severity: "high", tlp: "amber"}]' > "$T/cases-label.json"
check "nothing new, a case from label:theft: runs" "$CW_BIN" rules run --db "$T/node.db" --store "$T/s" \
    --labels "$T/labels.db" --cases "$T/cases-label.json" --json
check "the label case reached an exchange" test "$(alerts stolen-funds-at-exchange | jq '[.alerts[] | .evidence | (if type == "string" then fromjson else . end) | select(.case == "by label")] | length')" -gt 0

# supply level changes become alerts
export CHAINWATCH_SUPPLY_DB="$T/supply.db"
"$CW_BIN" supply synth --out "$T/synth" --seed 3 --years 6 --first-year 2018 > /dev/null
"$CW_BIN" supply load comtrade "$T/synth/comtrade.csv" > /dev/null
"$CW_BIN" supply load prices "$T/synth/prices.csv" > /dev/null
"$CW_BIN" rules run --db "$T/node.db" --supply-db "$T/supply.db" --json > "$T/r4"
check "supply-level-change alerts raised" test "$(alerts supply-level-change | jq '.alerts | length')" -gt 0
check_eq "every supply alert raised once" "$("$CW_BIN" rules run --db "$T/node.db" --supply-db "$T/supply.db" --json | jq .raised)" 0
finish
