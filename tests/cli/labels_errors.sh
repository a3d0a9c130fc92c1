#!/usr/bin/env bash
# labels: plain CSV import, show/list, and bad input: the error names the file and line, the exit
# code is non-zero and the store is unchanged. Needs no shared data.
source "$(dirname "$0")/../lib/cli.sh"
DB=$T/l.db
cat > "$T/good.csv" <<'CSV'
address,asset,entity,category,confidence,date
bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq,XBT,Example Exchange,exchange,0.9,2024-01-02
1BoatSLRHtKNngkdXEeobR76b53LETtpyT,XBT,"Heist, Inc",theft,1,
CSV
check "import csv" "$CW_BIN" labels import csv "$T/good.csv" --db "$DB" --quiet
check_eq "show finds upper-case bech32" "$("$CW_BIN" labels show BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ --db "$DB" --json | jq -r '.labels[0].entity')" "Example Exchange"
check_eq "show: provenance line" "$("$CW_BIN" labels show 1BoatSLRHtKNngkdXEeobR76b53LETtpyT --db "$DB" --json | jq -r '.labels[0].provenance[0].location')" "line 3"
check_eq "list --category theft" "$("$CW_BIN" labels list --db "$DB" --category theft --json | jq -r '.[0].entity')" "Heist, Inc"
before=$("$CW_BIN" labels count --db "$DB" --json | jq -c .)

printf 'address,entity,category\n1abcdefghijkmnopqrstuvwxyz1,A,exchange\n1abcdefghijkmnopqrstuvwxyz2,B,villain\n' > "$T/bad.csv"
set +e
"$CW_BIN" labels import csv "$T/bad.csv" --db "$DB" 2> "$T/err"; rc=$?
set -e
check_eq "bad category: exit 1" "$rc" 1
check "bad category: message names file and line" grep -q "bad.csv: line 3: unknown category 'villain'" "$T/err"
check_eq "bad category: store unchanged" "$("$CW_BIN" labels count --db "$DB" --json | jq -c .)" "$before"

printf '<?xml version="1.0"?>\n<Sanctions xmlns="x">\n  <DateOfIssue><Year>2025' > "$T/trunc.xml"
set +e
"$CW_BIN" labels import ofac-xml "$T/trunc.xml" --db "$DB" 2> "$T/err"; rc=$?
set -e
check_eq "truncated XML: exit 1" "$rc" 1
check "truncated XML: message names file and line" grep -q "trunc.xml: line [0-9]*: " "$T/err"
check_eq "truncated XML: store unchanged" "$("$CW_BIN" labels count --db "$DB" --json | jq -c .)" "$before"

set +e
"$CW_BIN" labels show 1NotLabelledAtAllxxxxxxxxxxxxxxxxx --db "$DB" 2> "$T/err"; rc=$?
check_eq "unknown address: exit 3" "$rc" 3
"$CW_BIN" labels list --db "$T/none.db" 2> "$T/err"; rc=$?
check_eq "missing store: exit 3" "$rc" 3
check "missing store: not created" test ! -e "$T/none.db"
"$CW_BIN" labels import nonsense "$T/good.csv" --db "$DB" 2> /dev/null; rc=$?
check_eq "unknown kind: exit 2" "$rc" 2
"$CW_BIN" labels list --category villain --db "$DB" 2> /dev/null; rc=$?
check_eq "unknown category filter: exit 2" "$rc" 2
"$CW_BIN" labels import csv "$T/absent.csv" --db "$DB" 2> /dev/null; rc=$?
check_eq "absent file: exit 3" "$rc" 3
printf 'this is not a database, just text that is long enough to fill a header page.....' > "$T/junk.db"
"$CW_BIN" labels list --db "$T/junk.db" 2> "$T/err"; rc=$?
check_eq "not a database: exit 1" "$rc" 1
check "not a database: message names the file" grep -q "junk.db" "$T/err"
cp "$DB" "$T/future.db"
sqlite3 "$T/future.db" "PRAGMA user_version = 99;" 2> /dev/null
"$CW_BIN" labels count --db "$T/future.db" 2> "$T/err"; rc=$?
check_eq "newer schema: exit 1" "$rc" 1
check "newer schema: message" grep -q "schema version 99" "$T/err"
set -e
check "--help" bash -c "'$CW_BIN' labels --help | grep -q 'labels import KIND FILE'"
finish
