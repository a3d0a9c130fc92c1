#!/usr/bin/env bash
# labels import ofac-xml on the published SDN list: per-asset counts equal the lists/*.txt files,
# Lazarus Group ETH addresses shown with DPRK3 and their provenance, re-import unchanged.
source "$(dirname "$0")/../lib/cli.sh"
need_shared ofac-sdn-digital-currency/sdn_advanced.xml.bz2 ofac-sdn-digital-currency/lists
O=$SHARED/ofac-sdn-digital-currency
DB=$T/labels.db
"$CW_BIN" labels import ofac-xml "$O/sdn_advanced.xml.bz2" --db "$DB" --json --quiet > "$T/imp.json"
check_eq "source names the publication" "$(jq -r .source "$T/imp.json")" "OFAC SDN sdn_advanced.xml published 2025-11-19"
check_eq "761 rows" "$(jq .rows "$T/imp.json")" 761
check_eq "content sha256 = OFAC checksum" "$(jq -r .content_sha256 "$T/imp.json")" "$(sed 's/.*= //' "$O/sdn_advanced_checksum.txt" | tr -d '\r\n')"
# expected counts come from the list files themselves (non-empty lines)
want=$(for f in "$O"/lists/sanctioned_addresses_*.txt; do a=${f##*_}; a=${a%.txt}; printf '%s %s\n' "$a" "$(grep -c . "$f")"; done | LC_ALL=C sort)
got=$(jq -r '.addresses_per_asset | to_entries[] | "\(.key) \(.value)"' "$T/imp.json" | LC_ALL=C sort)
check_eq "per-asset counts equal the lists" "$got" "$want"
# the address sets themselves, per asset
"$CW_BIN" labels list --db "$DB" --source "OFAC SDN" --json > "$T/list.json"
same=1
for f in "$O"/lists/sanctioned_addresses_*.txt; do
    a=${f##*_}; a=${a%.txt}
    diff <(grep . "$f" | LC_ALL=C sort -u) <(jq -r --arg a "$a" '.[] | select(.asset == $a) | .subject' "$T/list.json" | LC_ALL=C sort -u) > /dev/null || { same=0; echo "differs: $a"; }
done
check_eq "per-asset address sets equal the lists" "$same" 1
# Lazarus Group: 8 ETH addresses, programme DPRK3
check_eq "Lazarus ETH with DPRK3" "$(jq '[.[] | select(.entity == "Lazarus Group" and .asset == "ETH" and (.programs | index("DPRK3")))] | length' "$T/list.json")" 8
"$CW_BIN" labels show 0x098b716b8aaf21512996dc57eb0615e2383e2f96 --db "$DB" --json > "$T/show.json"
check_eq "show: Ronin exploiter is Lazarus Group" "$(jq -r '.labels[0].entity' "$T/show.json")" "Lazarus Group"
check_eq "show: programme" "$(jq -c '.labels[0].programs' "$T/show.json")" '["DPRK3"]'
check_eq "show: provenance element" "$(jq -r '.labels[0].provenance[0].location' "$T/show.json")" "line 1183711: DistinctParty[@FixedRef='27307']/Profile/Feature[@ID='50215']/FeatureVersion/VersionDetail"
check_eq "show: provenance file hash" "$(jq -r '.labels[0].provenance[0].file_sha256' "$T/show.json")" "$(sha256sum "$O/sdn_advanced.xml.bz2" | cut -d' ' -f1)"
check "show (text) prints provenance" bash -c "'$CW_BIN' labels show 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 --db '$DB' | grep -q 'at line 1183711'"
# list filters
check_eq "list --program DPRK3 --asset ETH" "$("$CW_BIN" labels list --db "$DB" --program DPRK3 --asset ETH --json | jq length)" 16
# idempotent
before=$("$CW_BIN" labels count --db "$DB" --json | jq -c .)
"$CW_BIN" labels import ofac-xml "$O/sdn_advanced.xml.bz2" --db "$DB" --json --quiet > "$T/imp2.json"
check_eq "re-import: unchanged" "$(jq .unchanged "$T/imp2.json")" true
check_eq "re-import: store totals equal" "$("$CW_BIN" labels count --db "$DB" --json | jq -c .)" "$before"
check_eq "760 labels" "$(echo "$before" | jq .labels)" 760
# the derived CSV as a plain label CSV variant gives the same counts
"$CW_BIN" labels import csv "$O/sdn_digital_currency_addresses.csv" --db "$T/csv.db" --json > "$T/csv.json"
check_eq "derived CSV: same per-asset counts" "$(jq -c .addresses_per_asset "$T/csv.json")" "$(jq -c .addresses_per_asset "$T/imp.json")"
finish
