#!/usr/bin/env bash
# serve_evm_rollback.sh: the EVM server's answer to a request that meets a rollback. `serve
# --evm-store` checks the store's rollback generation after each EVM answer; when it moved, the
# answer is dropped, the store reopened and the request answered again (three tries, then 503
# "ask again"). The test hook CW_TEST_BEFORE_SNAPSHOT_CHECK runs a real rollback (`ingest evm
# --rollback-to 139`, the other fork written where the read rows were) between an answer's
# reads and its check, as many times as the test arms it:
#   - trace from a tx of fork A's block 140.. met by a rollback to fork B: the answer is B's
#     (404, not found), never A's trace;
#   - status met by a rollback back to A: A's tip and counts, as a request after it answers;
#   - a request met by a rollback at each of its three tries: 503 "ask again", no data.
# Skips (77) on a build without the hook (a release build).
source "$(dirname "$0")/../lib/cli.sh"
MK=$(dirname "$0")/evm/mkchain.py
python3 "$MK" "$T/a" 100 50 1
python3 "$MK" "$T/b" 100 50 2 140
S=$T/s
"$CW_BIN" ingest evm --csv "$T/a" --store "$S" --quiet > /dev/null
need_hooks "$S"
"$CW_BIN" ingest evm --csv "$T/a" --store "$T/ref-a" --quiet > /dev/null
"$CW_BIN" ingest evm --csv "$T/b" --store "$T/ref-b" --quiet > /dev/null
tx=$(awk -F, 'NR > 1 && $4 >= 140 && $8 != "0" { print $1; exit }' "$T/a/transactions.csv")
# the hook: while $T/arm holds a number above 0, each check first switches the store to the
# fork named in $T/next (then the other one) and counts down
cat > "$T/hook.sh" << EOF
#!/usr/bin/env bash
n=\$(cat "$T/arm" 2> /dev/null || echo 0)
[ "\$n" -gt 0 ] || exit 0
echo \$((n - 1)) > "$T/arm"
f=\$(cat "$T/next")
env -u CW_TEST_BEFORE_SNAPSHOT_CHECK "$CW_BIN" ingest evm --csv "$T/\$f" --store "$S" \
    --rollback-to 139 --quiet > /dev/null || exit 1
if [ "\$f" = a ]; then echo b; else echo a; fi > "$T/next"
echo "\$f" >> "$T/switches"
EOF
chmod +x "$T/hook.sh"
echo 0 > "$T/arm"
DB=$T/node.db
"$CW_BIN" node init --db "$DB" --name USA > /dev/null
KEY=$("$CW_BIN" keys add analyst1 --role analyst --db "$DB")
CW_TEST_BEFORE_SNAPSHOT_CHECK="$T/hook.sh" "$CW_BIN" serve --db "$DB" --evm-store "$S" \
    --listen 127.0.0.1:0 --ready-file "$T/ready" 2> "$T/log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
[ -s "$T/ready" ] || { cat "$T/log"; exit 1; }
U="http://$(cat "$T/ready")/api/v1/evm"
get() { # get OUT PATH: the status code
    curl -s -o "$1" -w '%{http_code}' -H "Authorization: Bearer $KEY" "$U/$2"
}
status_of() { # the status document the CLI's check finds in a reference store
    "$CW_BIN" check --store "$1" --json | jq -c '[.checked.txs, .checked.movements, .checked.accounts]'
}

# nothing armed: fork A's trace
check_eq "trace on fork A: 200" "$(get "$T/a.json" "trace?from=$tx")" 200
check "... with ends" test "$(jq '.ends | length' "$T/a.json")" -gt 0
get "$T/st-a.json" status > /dev/null
check_eq "status on fork A: A's counts" "$(jq -c '[.txs, .movements, .accounts]' "$T/st-a.json")" \
    "$(status_of "$T/ref-a")"

# 1. the trace meets a rollback to B: answered from B (the tx is not in it), not A's trace
echo 1 > "$T/arm"
echo b > "$T/next"
code=$(get "$T/1.json" "trace?from=$tx")
check_eq "the rollback ran, once" "$(cat "$T/switches" 2> /dev/null | tr -d '\n')" b
check_eq "trace beside a rollback to B: B's answer, 404 ($(head -c 200 "$T/1.json"))" "$code" 404
check "... no trace of A's ($(jq -c '.ends | length' "$T/1.json" 2> /dev/null))" \
    test "$(jq 'has("ends")' "$T/1.json")" = false
code=$(get "$T/1b.json" "trace?from=$tx")
check_eq "asked again: 404" "$code" 404
check "... the same document" cmp -s <(jq -S . "$T/1b.json") <(jq -S . "$T/1.json")

# 2. status meets a rollback back to A: A's counts, as a request after it answers
get "$T/st-b.json" status > /dev/null
check_eq "status on fork B: B's counts" "$(jq -c '[.txs, .movements, .accounts]' "$T/st-b.json")" \
    "$(status_of "$T/ref-b")"
check "... which differ from A's" test "$(jq -c .txs "$T/st-b.json")" != "$(jq -c .txs "$T/st-a.json")"
echo 1 > "$T/arm"
code=$(get "$T/2.json" status)
check_eq "status beside a rollback to A: 200" "$code" 200
check_eq "... A's document, not B's" "$(jq -c . "$T/2.json")" "$(jq -c . "$T/st-a.json")"
check_eq "two rollbacks ran" "$(tr -d '\n' < "$T/switches")" ba

# 3. a rollback at each of the three tries: 503 "ask again", nothing of either fork
echo 3 > "$T/arm"
code=$(get "$T/3.json" "trace?from=$tx")
check_eq "trace beside three rollbacks: 503 ($(head -c 300 "$T/3.json"))" "$code" 503
check "... says ask again" grep -q "rolled back.*ask again" "$T/3.json"
check "... no trace" test "$(jq 'has("ends")' "$T/3.json")" = false
check_eq "five rollbacks ran" "$(tr -d '\n' < "$T/switches")" babab
# the store is now B: asked again, B's answer
check_eq "asked after: B's answer" "$(get "$T/4.json" "trace?from=$tx")" 404
check "the server is up and logged no crash" kill -0 $PID
finish
