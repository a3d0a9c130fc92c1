#!/usr/bin/env bash
# supply_load.sh: `chainwatch supply load` on bad input: a bad row names file and line and
# nothing is loaded; a file in the wrong format, an unknown kind; loading twice is idempotent.
set -euo pipefail
BIN=${CW_BIN:?CW_BIN is not set}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export CHAINWATCH_SUPPLY_DB=$T/s.db
fail() { echo "FAIL: $*" >&2; exit 1; }

"$BIN" supply --help | grep -q "Usage: chainwatch supply" || fail "--help"
set +e
"$BIN" supply frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown subcommand should exit 2"
"$BIN" supply load nosuchkind x.csv >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown kind should exit 2"
set -e

H="freqCode,period,reporterISO,flowCode,partnerISO,cmdCode,netWgt,primaryValue"
printf '%s\nM,202301,KOR,M,CHN,250410,10,100\nM,202302,KOR,M,CHN,250410,10,110\n' "$H" > "$T/good.csv"
printf '%s\nM,202303,KOR,M,CHN,250410,10,100\nM,202303,KOR,M,CHN,250410,x,1\nM,202304,KOR,M,XYZ,250410,1,1\n' "$H" > "$T/bad.csv"

"$BIN" supply load comtrade "$T/good.csv" > "$T/out1"
grep -q "2 loaded" "$T/out1" || fail "good file: $(cat "$T/out1")"
d1=$(sqlite3 "$CHAINWATCH_SUPPLY_DB" "SELECT * FROM trade ORDER BY 1,2,3,4,5")
"$BIN" supply load comtrade "$T/good.csv" > /dev/null
d2=$(sqlite3 "$CHAINWATCH_SUPPLY_DB" "SELECT * FROM trade ORDER BY 1,2,3,4,5")
[ "$d1" = "$d2" ] || fail "loading twice changed the trade table"

set +e
"$BIN" supply load comtrade "$T/bad.csv" > "$T/out2" 2> "$T/err2"
rc=$?
set -e
[ $rc -ne 0 ] || fail "bad file accepted"
grep -q "bad.csv:3: rejected: net weight" "$T/err2" || fail "line 3 not named: $(cat "$T/err2")"
grep -q "bad.csv:4: rejected: partner: unknown country 'XYZ'" "$T/err2" || fail "line 4 not named"
grep -q "nothing loaded" "$T/err2" || fail "no 'nothing loaded'"
[ "$(sqlite3 "$CHAINWATCH_SUPPLY_DB" "SELECT COUNT(*) FROM trade")" = 2 ] || fail "bad file half-loaded"

printf 'code,year,indicator,estimate\nKOR,2020,cc,1\n' > "$T/wgi.csv"
set +e
"$BIN" supply load usgs "$T/wgi.csv" 2> "$T/err3" >/dev/null
rc=$?
set -e
[ $rc -ne 0 ] || fail "wrong format accepted"
grep -q "wgi.csv:1: not a USGS" "$T/err3" || fail "wrong format message: $(cat "$T/err3")"
"$BIN" supply load wgi "$T/wgi.csv" --json | jq -e '.rows_loaded == 1 and .committed' >/dev/null \
    || fail "wgi --json"
# a layout that needs a load option: the engine names it in its own words, the CLI names the flag
printf 'period_dt,partner_name,hs6,val,qty,uv\n2023-11-01,Japan,250410,10,5,2\n' > "$T/derived.csv"
set +e
"$BIN" supply load comtrade "$T/derived.csv" --flow X 2> "$T/err4" >/dev/null
rc=$?
set -e
[ $rc -ne 0 ] || fail "the derived layout without a reporter accepted"
grep -q "derived.csv:1: .*load options gave no reporter" "$T/err4" || fail "engine message: $(cat "$T/err4")"
grep -q "^chainwatch supply load: give --reporter ISO3$" "$T/err4" || fail "CLI flag hint: $(cat "$T/err4")"
[ "$(grep -c -- "--" "$T/err4")" = 1 ] || fail "only the CLI's hint names a flag: $(cat "$T/err4")"
echo "supply_load: ok"
