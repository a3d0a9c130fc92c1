#!/usr/bin/env bash
# Bad ethereum-etl input: each case stops the ingest with a non-zero exit and an error naming
# the file and line (or the block), and leaves the store exactly at its last commit (the same
# bytes). Cases: a wrong header, bad hex, a non-integer value, a log and a trace without their
# transaction, a gap in block numbers, a truncated .gz, a receipt missing, a transaction_count
# the transactions do not match, blob gas without its
# price, an address without 0x, a trace_address as a JSON list, a boolean status, a JSON-lines
# export with strings for numbers.
source "$(dirname "$0")/../lib/cli.sh"
MK=$(dirname "$0")/evm/mkchain.py
python3 "$MK" "$T/good" 100 6
# the store holds blocks 100..102 (committed); every bad case brings 100..105
python3 - "$T/good" "$T/first" <<'PY'
import csv, os, sys
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst)
for f in os.listdir(src):
    lines = open(os.path.join(src, f)).read().splitlines(True)
    keep = [lines[0]]
    for l in lines[1:]:
        r = next(csv.reader([l]))
        col = 0 if f == "blocks.csv" else {"transactions.csv": 3, "receipts.csv": 3, "logs.csv": 4, "traces.csv": 0, "tokens.csv": 5}[f]
        if int(r[col]) <= 102:
            keep.append(l)
    open(os.path.join(dst, f), "w").write("".join(keep))
PY
"$CW_BIN" ingest evm --csv "$T/first" --store "$T/s" --quiet > /dev/null
ref=$(store_digest "$T/s")
check_eq "the base store holds 100..102" "$("$CW_BIN" block 102 --store "$T/s" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["number"])')" 102

# case NAME FILE PYTHON-EDIT EXPECTED-MESSAGE-REGEX
case_() {
    local name=$1 file=$2 edit=$3 want=$4
    rm -rf "$T/bad"; cp -r "$T/good" "$T/bad"
    python3 - "$T/bad/$file" <<PY
import sys
p = sys.argv[1]
lines = open(p).read().splitlines(True)
$edit
open(p, "w").write("".join(lines))
PY
    local rc=0
    "$CW_BIN" ingest evm --csv "$T/bad" --store "$T/s" --quiet > /dev/null 2> "$T/err" || rc=$?
    if [ "$rc" -eq 0 ]; then bad "$name: ingest succeeded"; return; fi
    if grep -Eq -- "$want" "$T/err"; then ok "$name: exit $rc, $(head -c 200 "$T/err")"; else bad "$name: message '$(cat "$T/err")' does not match '$want'"; fi
    [ "$(store_digest "$T/s")" == "$ref" ] && ok "$name: store unchanged" || bad "$name: store changed"
    "$CW_BIN" check --store "$T/s" > /dev/null || bad "$name: check fails after the error"
}
case_ "wrong header" transactions.csv 'lines[0] = lines[0].replace("block_number", "blocknumber")' \
    "transactions.csv: line 1: wrong header: no column 'block_number'"
case_ "bad hex in a hash" transactions.csv 'lines[12] = "0xzz" + lines[12][4:]' \
    "transactions.csv: line 13: column hash: bad hex"
case_ "bad hex in log data" logs.csv 'lines[-1] = lines[-1].replace(",0x000", ",0x0g0", 1)' \
    "logs.csv: line [0-9]+: column data: bad hex"
case_ "non-integer value" transactions.csv 'f = lines[-2].split(","); f[7] = "1.5e18"; lines[-2] = ",".join(f)' \
    "transactions.csv: line [0-9]+: column value: not a non-negative integer"
case_ "negative value" transactions.csv 'f = lines[-2].split(","); f[7] = "-5"; lines[-2] = ",".join(f)' \
    "transactions.csv: line [0-9]+: column value"
case_ "a log without its transaction" logs.csv 'f = lines[-1].split(","); f[1] = "0x" + "ab" * 32; lines[-1] = ",".join(f)' \
    "logs.csv line [0-9]+ .*names a transaction that is not in the block"
case_ "a trace without its transaction" traces.csv 'f = lines[-1].split(","); f[1] = ""; f[2] = ""; lines[-1] = ",".join(f)' \
    "traces.csv: line [0-9]+: a call trace without its transaction"
case_ "a trace of another transaction" traces.csv 'f = lines[-1].split(","); f[1] = "0x" + "cd" * 32; lines[-1] = ",".join(f)' \
    "traces.csv line [0-9]+ names a transaction that is not in the block"
case_ "a gap in block numbers" blocks.csv 'del lines[5]' \
    "(a gap|not in the blocks files)"
case_ "a receipt missing" receipts.csv 'del lines[-1]' \
    "transactions.csv line [0-9]+: transaction [0-9]+ of block 105 has no receipt"
case_ "rows out of block order" logs.csv 'lines[1], lines[-1] = lines[-1], lines[1]' \
    "logs.csv: line 3: a row of block 100, which is not in the blocks files before block 105"
case_ "a short row" receipts.csv 'lines[-1] = lines[-1].split(",", 3)[0] + "\n"' \
    "receipts.csv: line [0-9]+: 1 fields, the header has 14"
case_ "a transaction_count the transactions do not match" blocks.csv 'import csv, io; rows = list(csv.reader(lines)); k = rows[0].index("transaction_count"); rows[-1][k] = str(int(rows[-1][k]) + 1); out = io.StringIO(); csv.writer(out, lineterminator="\n").writerows(rows); lines = out.getvalue().splitlines(True)' \
    "block 105 \(blocks.csv line 7\): transaction_count is [0-9]+ but [0-9]+ transactions were found"
# EIP-4844 receipt columns (ethereum-etl's current receipts): blob gas without its price cannot
# give the fee the sender paid
case_ "blob gas without its price" receipts.csv 'lines = [l.rstrip("\n") + (",blob_gas_price,blob_gas_used\n" if i == 0 else ",,\n") for i, l in enumerate(lines)]; lines[-1] = lines[-1].rstrip("\n") + "131072\n"' \
    "receipts.csv: line [0-9]+: column blob_gas_price: empty beside a blob gas used"
# variants another writer may produce and the reader refuses: an address without 0x, a
# trace_address written as a JSON list (ethereum-etl and BigQuery write "0,1"), a status as a
# boolean
case_ "an address without 0x" transactions.csv 'f = lines[-2].split(","); f[6] = f[6][2:]; lines[-2] = ",".join(f)' \
    "transactions.csv: line [0-9]+: column to_address: bad hex address"
case_ "a trace_address as a JSON list" traces.csv 'import csv, io; rows = list(csv.reader(lines)); k = rows[0].index("trace_address"); j = max(i for i, r in enumerate(rows) if i and r[k]); rows[j][k] = "[" + rows[j][k] + "]"; out = io.StringIO(); csv.writer(out, lineterminator="\n").writerows(rows); lines = out.getvalue().splitlines(True)' \
    "traces.csv: line [0-9]+: column trace_address: not an integer: '\[0\]'"
case_ "a status as a boolean" receipts.csv 'f = lines[-1].split(","); f[8] = "true"; lines[-1] = ",".join(f)' \
    "receipts.csv: line [0-9]+: column status: not 0 or 1: 'true'"

# a gap with nothing else wrong: blocks 104.. only
rm -rf "$T/gap"; python3 "$MK" "$T/gap" 100 6
python3 - "$T/gap" <<'PY'
import csv, os, sys
d = sys.argv[1]
for f in os.listdir(d):
    lines = open(os.path.join(d, f)).read().splitlines(True)
    col = 0 if f == "blocks.csv" else {"transactions.csv": 3, "receipts.csv": 3, "logs.csv": 4, "traces.csv": 0, "tokens.csv": 5}[f]
    keep = [lines[0]] + [l for l in lines[1:] if int(next(csv.reader([l]))[col]) >= 104 or f == "tokens.csv"]
    open(os.path.join(d, f), "w").write("".join(keep))
PY
rc=0; "$CW_BIN" ingest evm --csv "$T/gap" --store "$T/s" --quiet > /dev/null 2> "$T/err" || rc=$?
check_eq "a gap (store at 102, input from 104) is refused" "$rc" 1
grep -q "blocks.csv line 2: block 104 does not follow the store's tip 102 (a gap" "$T/err" && ok "gap message names file, line and blocks" || bad "gap message: $(cat "$T/err")"
[ "$(store_digest "$T/s")" == "$ref" ] && ok "gap: store unchanged" || bad "gap: store changed"

# a truncated .gz
rm -rf "$T/gz"; cp -r "$T/good" "$T/gz"
gzip -9 "$T/gz/transactions.csv"
sz=$(stat -c %s "$T/gz/transactions.csv.gz")
head -c $((sz * 2 / 3)) "$T/gz/transactions.csv.gz" > "$T/gz/t"; mv "$T/gz/t" "$T/gz/transactions.csv.gz"
rc=0; "$CW_BIN" ingest evm --csv "$T/gz" --store "$T/s" --quiet > /dev/null 2> "$T/err" || rc=$?
check "truncated .gz: non-zero exit" test "$rc" -ne 0
grep -Eq "transactions.csv.gz: line [0-9]+: truncated" "$T/err" && ok "truncated .gz named with its line: $(cat "$T/err")" || bad "truncated .gz message: $(cat "$T/err")"
[ "$(store_digest "$T/s")" == "$ref" ] && ok "truncated .gz: store unchanged" || bad "truncated .gz: store changed"

# and the good input, after all that, completes the store
"$CW_BIN" ingest evm --csv "$T/good" --store "$T/s" --quiet > /dev/null
check_eq "good input resumes to 105" "$("$CW_BIN" block 105 --store "$T/s" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["number"])')" 105
check "check passes" "$CW_BIN" check --store "$T/s"
# an export folder with no files at all: a clear error naming it, no store (UBSan: qsort of none)
mkdir -p "$T/empty"
rc=0; "$CW_BIN" ingest evm --csv "$T/empty" --store "$T/es" --quiet > /dev/null 2> "$T/empty.err" || rc=$?
check_eq "an empty export folder: exit 3" "$rc" 3
check "the error names the folder and the missing blocks file" grep -q "$T/empty: no blocks file" "$T/empty.err"
check "and no store is made" test ! -e "$T/es"
# a JSON-lines export with every value a string (a CSV turned to JSON naively, as BigQuery's JSON
# export writes integers): a string is read as its CSV column's text, so every kind so written
# gives the CSV's store; the blocks alone are refused naming the file, the line and what is missing
mkdir -p "$T/jsonl"
python3 -c 'import csv,json,sys; [print(json.dumps(r)) for r in csv.DictReader(open(sys.argv[1]))]' "$T/good/blocks.csv" > "$T/jsonl/blocks.json"
rc=0; "$CW_BIN" ingest evm --csv "$T/jsonl" --store "$T/js" --quiet > /dev/null 2> "$T/jsonl.err" || rc=$?
check_eq "a JSON-lines export of blocks alone, strings for numbers: exit 1" "$rc" 1
check "the error names blocks.json, line 1 and the missing transactions" grep -q "blocks.json line 1): transaction_count is [0-9]* but 0 transactions were found" "$T/jsonl.err"
for k in "$T"/good/*.csv; do
    python3 -c 'import csv,json,sys; [print(json.dumps(r)) for r in csv.DictReader(open(sys.argv[1]))]' "$k" > "$T/jsonl/$(basename "$k" .csv).json"
done
rm -rf "$T/js" "$T/gs"
"$CW_BIN" ingest evm --csv "$T/good" --store "$T/gs" --quiet > /dev/null
rc=0; "$CW_BIN" ingest evm --csv "$T/jsonl" --store "$T/js" --quiet > /dev/null 2> "$T/jsonl.err" || rc=$?
check_eq "every kind so written: exit 0 ($(head -c 200 "$T/jsonl.err"))" "$rc" 0
check_eq "and the CSV's store, byte for byte" "$(store_digest "$T/js")" "$(store_digest "$T/gs")"
# a read command never creates anything: tx, address, block and check on a missing path and on
# a folder that is no store exit 3 naming it and leave nothing; on the store, every file they
# open is opened read-only and nothing is made, renamed, removed or truncated (strace: as root, a
# read-only folder would not show it)
H=$(sed -n 2p "$T/good/transactions.csv" | cut -d, -f1)
A=$(sed -n 2p "$T/good/transactions.csv" | cut -d, -f6)
mkdir -p "$T/notastore"
reads=("tx $H" "address $A" "block 101" "check")
for c in "${reads[@]}"; do
    for d in "$T/nothing" "$T/notastore"; do
        rc=0; "$CW_BIN" $c --store "$d" > /dev/null 2> "$T/rerr" || rc=$?
        check_eq "'${c%% *}' on ${d##*/}: exit 3" "$rc" 3
        check "'${c%% *}' on ${d##*/}: names the path" grep -q "$d" "$T/rerr"
    done
done
check "nothing was created by the reads" test ! -e "$T/nothing" -a -z "$(ls -A "$T/notastore")"
ref=$(store_digest "$T/s")
if command -v strace > /dev/null; then
    for c in "${reads[@]}"; do
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -y -o "$T/st" \
            -e trace=open,openat,creat,mkdir,mkdirat,unlink,unlinkat,rename,renameat,renameat2,truncate,ftruncate,fallocate \
            "$CW_BIN" $c --store "$T/s" --json > /dev/null
        w=$(grep -F "$T/s/" "$T/st" | grep -E 'O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|creat\(|mkdir|unlink|rename|truncate\(|fallocate' || true)
        check "'${c%% *}' on the store opens it read-only and changes nothing there${w:+: $w}" test -z "$w"
        check "'${c%% *}': the store's files were opened" grep -q "$T/s/MANIFEST" "$T/st"
    done
else
    echo "strace is not installed: the read-only opens are not checked" >&2
fi
check_eq "the reads left the store's bytes as they were" "$(store_digest "$T/s")" "$ref"
finish
