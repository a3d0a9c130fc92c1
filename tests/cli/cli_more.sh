#!/usr/bin/env bash
# cli_more.sh: a cut listing says so (issue 14, Build 7): `alerts list` shows 100 alerts unless
# --limit says otherwise, and when more match it ends with a line saying how many were shown
# and how to get the next page; following it lists exactly the rest.
source "$(dirname "$0")/../lib/cli.sh"
DB="$T/node.db"
"$CW_BIN" node init --db "$DB" --name USA > /dev/null
for i in 1 2 3 4 5; do "$CW_BIN" alerts raise --db "$DB" --kind k --title "alert $i" --dedup-key "k$i" > /dev/null; done
"$CW_BIN" alerts list --db "$DB" --limit 3 > "$T/p1"
check_eq "3 rows shown" "$(grep -c ' alert [0-9]$' "$T/p1")" 3
check "the cut is said" grep -q "^-- 3 alerts shown; more match: next page with --before [0-9]*" "$T/p1"
next=$(sed -n 's/.*--before \([0-9]*\).*/\1/p' "$T/p1")
"$CW_BIN" alerts list --db "$DB" --limit 3 --before "$next" > "$T/p2"
check_eq "the next page has the other 2" "$(grep -c ' alert [0-9]$' "$T/p2")" 2
check "the last page says nothing more" bash -c '! grep -q "more match" "$1"' _ "$T/p2"
check_eq "both pages: 5 distinct alerts" "$(cat "$T/p1" "$T/p2" | grep -o 'alert [0-9]$' | sort -u | wc -l)" 5
check_eq "--json says more" "$("$CW_BIN" alerts list --db "$DB" --limit 3 --json | jq .more)" true
finish
