#!/usr/bin/env bash
# ethereum-etl's JSON lines read into the store its CSV of the same data gives, byte for byte:
# the data rewritten as ethereum-etl writes .json outputs and `ethereumetl stream` output
# (tests/cli/evm/csv2jsonl.py: its field order and JSON types, integers of any size, null,
# lists for topics, trace_address and withdrawals), for a chain with receipts, logs, traces,
# tokens and withdrawals, a `chainwatch gen evm` world, and the shared mainnet fixtures with
# values above 2^64, 2^128 and up to 2^256 - 1; as one file per kind, in export_all's folders with
# CRLF and .gz, and as a stream file (--json-stream, and --csv FILE.json.gz). Bad JSON input names
# the file, line and field: a truncated line, a string that is no integer where a number is (a
# string is read as the CSV column's text: BigQuery writes integers as strings), a boolean where a
# number is, a value of 2^256, a missing field, a fraction, a list where a string is, an object
# where a list is, an item without its
# "type" in a stream, logs nested in a transaction; CSV and JSON in one directory are refused.
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
H=$SRC/tests/cli/evm
PY=/usr/bin/python3

same() { # same NAME REF-DIGEST FLAG INPUT [ingest options]: the JSON input gives the CSV's store
    local name=$1 want=$2 flag=$3 in=$4
    shift 4
    rm -rf "$T/js"
    if "$CW_BIN" ingest evm "$flag" "$in" --store "$T/js" --quiet "$@" > /dev/null 2> "$T/err"; then
        check_eq "$name: the CSV's store, byte for byte" "$(store_digest "$T/js")" "$want"
    else
        bad "$name: ingest failed: $(cat "$T/err")"
    fi
}

# --- a chain from genesis: receipts, logs, traces, tokens, withdrawals
$PY "$H/mkchain.py" "$T/m" 0 40 3
# a token whose symbol and name hold quotes, backslashes and a non-ASCII letter (JSON: \" \\ \u00e9)
$PY - "$T/m/tokens.csv" << 'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
rows[0]["symbol"], rows[0]["name"] = 'S"\u00e9\\', 'A \\"quoted\\" "x" \u00e9'
w = csv.DictWriter(open(sys.argv[1], "w", newline=""), list(rows[0]), lineterminator="\n")
w.writeheader()
w.writerows(rows)
EOF
"$CW_BIN" ingest evm --csv "$T/m" --store "$T/ms" --quiet > /dev/null
ref=$(store_digest "$T/ms")
$PY "$H/csv2jsonl.py" "$T/m" "$T/mj"
check "the JSON has ethereum-etl's types: a list of topics, integers, null" \
    grep -q '"topics": \["0x' "$T/mj/logs.json"
check "and \u escapes (ensure_ascii)" grep -qF '"symbol": "S\"\u00e9\\"' "$T/mj/tokens.json"
same "mkchain world, one .json a kind" "$ref" --csv "$T/mj"
# export_all's folders, CRLF line ends, some files gzipped
for f in "$T"/mj/*.json; do
    k=$(basename "$f" .json)
    d=$T/mx/$k/start_block=00000000/end_block=00000039
    mkdir -p "$d"
    sed 's/$/\r/' "$f" > "$d/${k}_00000000_00000039.json"
done
gzip "$T"/mx/blocks/*/*/*.json "$T"/mx/logs/*/*/*.json
same "export_all folders, CRLF, .json.gz" "$ref" --csv "$T/mx"
$PY "$H/csv2jsonl.py" "$T/m" "$T/m.json" --stream
check "the stream file holds typed items, receipts folded into transactions" \
    grep -q '"type": "transaction".*"receipt_status": ' "$T/m.json"
same "an ethereumetl stream file (--json-stream)" "$ref" --json-stream "$T/m.json"
gzip -c "$T/m.json" > "$T/m.json.gz"
same "a gzipped stream file (--csv FILE.json.gz)" "$ref" --csv "$T/m.json.gz"

# --- the shared mainnet fixtures, with values above 2^64, 2^128 and 2^256 - 1 in the CSV first
if [ -f "$SHARED/eth-etl-csv/PROVENANCE.md" ]; then
    D=$SHARED/eth-etl-csv
    mkdir -p "$T/fa" "$T/fb"
    cp "$D/blocks_17173049-17173050.csv" "$D/transactions_17173049-17173050.csv" "$T/fa/"
    for k in blocks transactions receipts logs token_transfers; do cp "$D/${k}_483920.csv" "$T/fb/"; done
    chmod -R u+w "$T/fa" "$T/fb"
    $PY - "$T/fa/transactions_17173049-17173050.csv" << 'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
for i, v in ((1, 2**64 + 12345), (2, 2**128 + 678901), (3, 2**256 - 1)):
    rows[i][7] = str(v)
csv.writer(open(sys.argv[1], "w", newline=""), lineterminator="\n").writerows(rows)
EOF
    for g in fa fb; do
        "$CW_BIN" ingest evm --csv "$T/$g" --store "$T/s$g" --quiet > /dev/null
        r=$(store_digest "$T/s$g")
        $PY "$H/csv2jsonl.py" "$T/$g" "$T/${g}j"
        $PY "$H/csv2jsonl.py" "$T/$g" "$T/$g.json" --stream
        same "fixture $g as .json files" "$r" --csv "$T/${g}j"
        same "fixture $g as a stream file" "$r" --json-stream "$T/$g.json"
    done
    check "the JSON holds 2^128 + 678901 as a JSON integer" grep -q '"value": 340282366920938463463374607431768890357,' "$T/faj/transactions.json"
    h=$($PY -c 'import csv,sys; print(list(csv.reader(open(sys.argv[1])))[3][0])' "$T/fa/transactions_17173049-17173050.csv")
    rm -rf "$T/js"
    "$CW_BIN" ingest evm --csv "$T/faj" --store "$T/js" --quiet > /dev/null 2>&1 || true
    check_eq "2^256 - 1 read exactly from JSON" "$("$CW_BIN" tx "$h" --store "$T/js" --json | jq -r .value)" \
        115792089237316195423570985008687907853269984665640564039457584007913129639935
else
    echo "note: ../shared/data/eth-etl-csv absent; the fixture checks skipped"
fi

# --- a gen evm world (the quick heist; truth/world.json beside marks both stores synthetic)
"$CW_BIN" gen evm --out "$T/g" --txs 15000 --seed 2 --scenario "$SRC/data/scenarios/evm-quick-heist.json" --quiet > /dev/null
"$CW_BIN" ingest evm --csv "$T/g" --store "$T/gs" --quiet > /dev/null
gref=$(store_digest "$T/gs")
$PY "$H/csv2jsonl.py" "$T/g" "$T/gj"
cp -r "$T/g/truth" "$T/gj/"
same "gen evm world as .json files" "$gref" --csv "$T/gj"
$PY "$H/csv2jsonl.py" "$T/g" "$T/g.json" --stream
same "gen evm world as a stream file" "$gref" --json-stream "$T/g.json" --synthetic

# --- bad input: each names the file, line and field; exit non-zero
case_() { # case_ NAME FILE PYTHON-EDIT EXPECTED-MESSAGE-REGEX
    local name=$1 file=$2 edit=$3 want=$4 rc=0
    rm -rf "$T/bad" "$T/bs"
    cp -r "$T/mj" "$T/bad"
    $PY - "$T/bad/$file" << PY
import re, sys
p = sys.argv[1]
lines = open(p).read().splitlines(True)
$edit
open(p, "w").write("".join(lines))
PY
    "$CW_BIN" ingest evm --csv "$T/bad" --store "$T/bs" --quiet > /dev/null 2> "$T/err" || rc=$?
    if [ "$rc" -eq 0 ]; then
        bad "$name: ingest succeeded"
    elif grep -Eq -- "$want" "$T/err"; then
        ok "$name: exit $rc, $(head -c 200 "$T/err")"
    else
        bad "$name: message '$(cat "$T/err")' does not match '$want'"
    fi
}
case_ "a truncated line" transactions.json 'lines[-1] = lines[-1][:-30]' \
    "transactions.json: line 133: not valid JSON \(a truncated line\?\)"
case_ "a line cut inside a string" transactions.json 'lines[5] = lines[5][:len(lines[5]) // 2] + "\n"' \
    "transactions.json: line 6: field "
case_ "a string where a number is, not an integer" transactions.json \
    'lines[7] = re.sub(r"\"gas\": ([0-9]+)", lambda m: "\"gas\": \"" + m.group(1) + "x\"", lines[7])' \
    "transactions.json: line 8: field gas: not an integer: '[0-9]+x'"
case_ "a boolean where a number is" transactions.json \
    'lines[7] = re.sub(r"\"gas\": ([0-9]+)", "\"gas\": true", lines[7])' \
    "transactions.json: line 8: field gas: a boolean where ethereum-etl writes an integer"
case_ "a value of 2^256" transactions.json \
    'lines[8] = re.sub(r"\"value\": [0-9]+", "\"value\": " + str(2**256), lines[8])' \
    "transactions.json: line 9: field value: not a non-negative integer below 2\^256: '115792089237316195423570985008687907853269984665640564039457584007913129639936'"
case_ "a missing field" logs.json 'lines[3] = re.sub(r"\"transaction_hash\": \"0x[0-9a-f]+\", ", "", lines[3])' \
    "logs.json: line 4: field transaction_hash: missing"
case_ "a fraction" transactions.json 'lines[8] = re.sub(r"\"value\": [0-9]+", "\"value\": 1.5e18", lines[8])' \
    "transactions.json: line 9: field value: not an integer: '1.5e18'"
case_ "a string where a list is, not topics" logs.json 'lines[2] = lines[2].replace("\"topics\": [", "\"topics\": \"0x1\", \"t\": [")' \
    "logs.json: line 3: field topics: "
case_ "an object where a list is" logs.json 'lines[2] = lines[2].replace("\"topics\": [", "\"topics\": {}, \"t\": [")' \
    "logs.json: line 3: field topics: an object where ethereum-etl writes a list"
case_ "logs nested in a transaction" transactions.json 'lines[4] = lines[4].rstrip()[:-1] + ", \"logs\": [{\"log_index\": 0}]}\n"' \
    "transactions.json: line 5: field logs: logs nested in the item are not read"
case_ "not an object" traces.json 'lines[1] = "[1, 2]\n"' \
    "traces.json: line 2: not a JSON object"
sed '5s/"type": "[a-z_]*", //' "$T/m.json" > "$T/nt.json"
rc=0
"$CW_BIN" ingest evm --json-stream "$T/nt.json" --store "$T/bs" --quiet > /dev/null 2> "$T/err" || rc=$?
check "a stream item without its type: exit $rc, named" grep -q "nt.json: line 5: an object without a \"type\"" "$T/err"
rm -rf "$T/bad" "$T/bs"
cp -r "$T/mj" "$T/bad"
cp "$T/m/tokens.csv" "$T/bad/"
rc=0
"$CW_BIN" ingest evm --csv "$T/bad" --store "$T/bs" --quiet > /dev/null 2> "$T/err" || rc=$?
check "CSV and JSON in one directory: refused, exit $rc" grep -q "both CSV and JSON-lines exports (tokens.json, tokens.csv)" "$T/err"
check "and no store is made" test ! -e "$T/bs"
finish
