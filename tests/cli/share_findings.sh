#!/usr/bin/env bash
# share_findings.sh: the probe's findings seen through the CLI and a running server (issue 15):
#  H1  `alerts raise` with an address STIX cannot carry stores the alert and exits 0 (it
#      exited 2, "usage", so a retry duplicated it); publishing goes on with later alerts;
#      `serve` starts; `node publish --retry` lists and retries the skipped alert;
#  L   log injection: a request whose URL holds %0a lists as one escaped line;
#  M3  a URL with bytes that are not UTF-8 still lists (escaped), in text and JSON;
#  L   truncating the audit log and rewriting its head is caught by `audit verify
#      --checkpoints` against the file the server appends signed checkpoints to (exit 4).
set -euo pipefail
source "$CW_SOURCE_DIR/tests/lib/cli.sh"
checks() { # checks "description" 'shell code'
    if eval "$2"; then ok "$1"; else bad "$1"; fi
}
BIN=${CW_BIN:?CW_BIN not set}
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl not installed"; exit 77; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed"; exit 77; }
T=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }; rm -rf "$T"; }
trap cleanup EXIT
DB="$T/n.db"
"$BIN" node init --db "$DB" --name USA >/dev/null
A=$("$BIN" keys add admin1 --role admin --db "$DB")

set +e
"$BIN" alerts raise --db "$DB" --title "bch" --kind sanctioned-address-active --tlp green \
    --evidence '{"addresses":["bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"]}' >"$T/raise.out" 2>&1
rc=$?
set -e
check_eq "raise with an unstixable address exits 0" "$rc" 0
check_eq "the alert is stored once" "$("$BIN" alerts list --db "$DB" --json | jq '[.alerts[]? // .[]? | select(.title == "bch")] | length')" 1
"$BIN" alerts raise --db "$DB" --title "good" --kind sanctioned-address-active --tlp green \
    --evidence '{"addresses":["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"]}' >/dev/null
check_eq "a later alert is published" "$(sqlite3 "$DB" "SELECT count(*) FROM stix_objects WHERE type = 'report'")" 1
set +e
"$BIN" alerts raise --db "$DB" --title "x" --kind sanctioned-address-active --tlp purple >/dev/null 2>&1
rc=$?
set -e
check_eq "a real usage error still exits 2" "$rc" 2
"$BIN" node publish --db "$DB" > "$T/pub.txt"
checks "node publish lists the skipped alert with its reason" 'grep -q "skipped alert 1: .*evidence.addresses\[0\].*bitcoincash" "$T/pub.txt"'
check_eq "retry of an alert that still cannot publish" "$("$BIN" node publish --retry --db "$DB" --json | jq '.alerts_republished, (.skipped | length)' | tr '\n' ' ')" "0 1 "

"$BIN" serve --db "$DB" --listen 127.0.0.1:0 --ready-file "$T/ready" 2>"$T/log" &
PID=$!
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
checks "serve starts with a skipped alert in the node" '[ -s "$T/ready" ]'
URL="http://$(cat "$T/ready")"
curl -s -o /dev/null -H "Authorization: Bearer $A" "$URL/api/v1/alerts%0a999%202026-01-01T00:00:00Z%20admin1%20node.init%20forged" || true
curl -s -o /dev/null -H "Authorization: Bearer $A" "$URL/api/v1/%ff%fe" || true
sleep 0.5 # the background thread commits the audit queue every 100 ms
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
"$BIN" audit list --db "$DB" --action http.read > "$T/list.txt"
checks "a %0a in a URL cannot forge a line" '! grep -q "^999 " "$T/list.txt" && grep -q "alerts\\\\x0a999" "$T/list.txt"'
checks "a URL that is not UTF-8 is listed, escaped" 'grep -q "/api/v1/\\\\xff\\\\xfe" "$T/list.txt"'
checks "and in JSON" '"$BIN" audit list --db "$DB" --action http.read --json | jq -e "[.[] | select(.target | contains(\"\\\\xff\"))] | length == 1" >/dev/null'

CP="$DB.checkpoints"
checks "serve appended a signed checkpoint" '[ -s "$CP" ] && jq -e .signature "$CP" >/dev/null'
checks "the log matches its checkpoints" '"$BIN" audit verify --db "$DB" --checkpoints "$CP" >/dev/null'
# The attack: no node secret, just SQL.
sqlite3 "$DB" "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq > 3;
  UPDATE node SET v = '3' WHERE k = 'audit_head_seq';
  UPDATE node SET v = (SELECT hash FROM audit WHERE seq = 3) WHERE k = 'audit_head_hash';"
checks "the chain alone does not see it (the finding)" '"$BIN" audit verify --db "$DB" >/dev/null'
set +e
"$BIN" audit verify --db "$DB" --checkpoints "$CP" >/dev/null 2>"$T/err"
rc=$?
set -e
check_eq "the checkpoints do (exit 4)" "$rc" 4
checks "and say the log was truncated" 'grep -q truncated "$T/err"'
finish
