#!/usr/bin/env bash
# share_three_nodes.sh: the acceptance test of issue 6. Three nodes (USA, KOR, JPN) on
# loopback ports chosen by the kernel (--listen 127.0.0.1:0 --ready-file): TLP:GREEN from USA
# reaches KOR and JPN after a pull; TLP:AMBER+STRICT for KOR reaches KOR only; TLP:AMBER for
# JPN reaches JPN only; TLP:RED reaches no one; a tampered object is rejected and logged; a
# revoked and an unknown key get 401 and both are in the audit log; editing or deleting audit
# entries is detected by `chainwatch audit verify` (exit 4). Servers are killed on exit.
set -euo pipefail
BIN=${CW_BIN:?CW_BIN not set}
for tool in sqlite3 jq /usr/bin/python3; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
T=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# http_status KEY URL: prints the HTTP status of a GET (python: no curl dependency).
http_status() {
    /usr/bin/python3 - "$1" "$2" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[2], headers={"Authorization": "Bearer " + sys.argv[1],
                             "Accept": "application/taxii+json;version=2.1"})
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.status)
except urllib.error.HTTPError as e:
    print(e.code)
PY
}
http_get() {
    /usr/bin/python3 - "$1" "$2" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[2], headers={"Authorization": "Bearer " + sys.argv[1],
                             "Accept": "application/taxii+json;version=2.1"})
with urllib.request.urlopen(req, timeout=10) as r:
    sys.stdout.write(r.read().decode())
PY
}

declare -A PORT PK COLL
for n in USA KOR JPN; do
    "$BIN" node init --db "$T/$n.db" --name "$n" >/dev/null
    PK[$n]=$("$BIN" node show --db "$T/$n.db" --json | jq -r .public_key)
    COLL[$n]=$("$BIN" node show --db "$T/$n.db" --json | jq -r .collection)
done
# Each node issues a peer key to each partner; KEY_<issuer>_<holder>.
declare -A KEY
for a in USA KOR JPN; do
    for b in USA KOR JPN; do
        [ "$a" = "$b" ] && continue
        KEY[${a}_$b]=$("$BIN" keys add "peer-$b" --role peer --org "$b" --db "$T/$a.db")
    done
done
REVOKED=$("$BIN" keys add old-kor --role peer --org KOR --db "$T/USA.db")
"$BIN" keys revoke old-kor --db "$T/USA.db" >/dev/null

for n in USA KOR JPN; do
    "$BIN" serve --db "$T/$n.db" --listen 127.0.0.1:0 --ready-file "$T/$n.ready" 2>"$T/$n.log" &
    PIDS+=($!)
done
for n in USA KOR JPN; do
    for _ in $(seq 100); do [ -s "$T/$n.ready" ] && break; sleep 0.1; done
    [ -s "$T/$n.ready" ] || { echo "server $n did not start"; cat "$T/$n.log"; exit 1; }
    PORT[$n]=$(cut -d: -f2 "$T/$n.ready")
done
echo "ports: USA ${PORT[USA]} KOR ${PORT[KOR]} JPN ${PORT[JPN]}"
for a in USA KOR JPN; do
    for b in USA KOR JPN; do
        [ "$a" = "$b" ] && continue
        "$BIN" peer add "$b" "http://127.0.0.1:${PORT[$b]}" --key "${KEY[${b}_$a]}" \
            --pubkey "${PK[$b]}" --org "$b" --db "$T/$a.db" >/dev/null
    done
done

U="$T/USA.db"
"$BIN" alerts raise --db "$U" --title "GREEN sanctioned wallet active" --kind sanctioned-address-active \
    --severity high --tlp green --evidence '{"addresses":["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"],"txids":["4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"]}' >/dev/null
"$BIN" alerts raise --db "$U" --title "STRICT for KOR" --kind stolen-funds-at-exchange --severity critical \
    --tlp amber+strict --share-to KOR >/dev/null
"$BIN" alerts raise --db "$U" --title "AMBER for JPN" --kind supply-risk-change --source supply \
    --tlp amber --share-to JPN --evidence '{"commodity":"lithium","country":"CHN","risk_level":3}' >/dev/null
"$BIN" alerts raise --db "$U" --title "RED internal" --kind coinjoin-entry --tlp red >/dev/null
"$BIN" alerts raise --db "$T/JPN.db" --title "GREEN from JPN" --kind sanctioned-address-active --tlp green >/dev/null

for n in KOR JPN USA; do "$BIN" peer pull --db "$T/$n.db" > "$T/$n.pull" || { cat "$T/$n.pull"; bad "pull on $n"; }; done
titles() { "$BIN" alerts list --db "$T/$1.db" --source partner --json | jq -r '.alerts[].title' | sort | tr '\n' '|'; }
KOR_T=$(titles KOR); JPN_T=$(titles JPN); USA_T=$(titles USA)
echo "KOR received: $KOR_T"; echo "JPN received: $JPN_T"; echo "USA received: $USA_T"
check "GREEN reaches KOR" '[[ "$KOR_T" == *"GREEN sanctioned wallet active|"* ]]'
check "GREEN reaches JPN" '[[ "$JPN_T" == *"GREEN sanctioned wallet active|"* ]]'
check "AMBER+STRICT for KOR reaches KOR" '[[ "$KOR_T" == *"STRICT for KOR|"* ]]'
check "AMBER+STRICT for KOR does not reach JPN" '[[ "$JPN_T" != *"STRICT for KOR"* ]]'
check "AMBER for JPN reaches JPN only" '[[ "$JPN_T" == *"AMBER for JPN|"* && "$KOR_T" != *"AMBER for JPN"* ]]'
check "RED reaches no one" '[[ "$KOR_T$JPN_T" != *"RED internal"* ]]'
check "GREEN from JPN reaches USA and KOR" '[[ "$USA_T" == *"GREEN from JPN|"* && "$KOR_T" == *"GREEN from JPN|"* ]]'
RED_MARK=marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1
check "no RED-marked object stored on KOR or JPN" \
    '[ "$(sqlite3 "$T/KOR.db" "SELECT count(*) FROM received_objects WHERE json LIKE '"'"'%$RED_MARK%'"'"'")" = 0 ] && [ "$(sqlite3 "$T/JPN.db" "SELECT count(*) FROM received_objects WHERE json LIKE '"'"'%$RED_MARK%'"'"'")" = 0 ]'
PROV=$("$BIN" alerts list --db "$T/KOR.db" --source partner --json | jq -r '.alerts[] | select(.title=="GREEN sanctioned wallet active") | .provenance.peer + " " + .provenance.signature')
check "partner alert carries provenance (peer, verified signature)" '[ "$PROV" = "USA ed25519-verified" ]'
# A second pull fetches nothing new and raises nothing twice.
"$BIN" peer pull USA --db "$T/KOR.db" --json > "$T/KOR.pull2"
check "second pull is incremental" '[ "$(jq ".[0].fetched" "$T/KOR.pull2")" = 0 ]'

# Tampering: change a signed report in USA's store; KOR must reject it and log it.
"$BIN" alerts raise --db "$U" --title "tamper-me" --kind sanctioned-address-active --tlp green >/dev/null
http_status "${KEY[USA_KOR]}" "http://127.0.0.1:${PORT[USA]}/taxii2/api/collections/${COLL[USA]}/objects/" >/dev/null # publishes
sqlite3 "$U" "UPDATE stix_objects SET json = replace(json, 'tamper-me', 'tampered!') WHERE type = 'report' AND json LIKE '%tamper-me%'"
"$BIN" peer pull USA --db "$T/KOR.db" --json > "$T/KOR.pull3" || true
check "tampered object rejected" '[ "$(jq ".[0].rejected" "$T/KOR.pull3")" -ge 1 ]'
check "tampered object not stored, no alert" '[[ "$(titles KOR)" != *"tamper"* ]] && [ "$(sqlite3 "$T/KOR.db" "SELECT count(*) FROM received_objects WHERE json LIKE '"'"'%tamper%'"'"'")" = 0 ]'
check "rejection in KOR audit log" '"$BIN" audit list --db "$T/KOR.db" --action peer.reject | grep -q "does not verify"'

# A verified report whose alert fields do not fit (bad kind, evidence not an object), POSTed to
# USA's collection by an analyst: KOR still raises a plain partner alert and notes it.
AN=$("$BIN" keys add analyst1 --role analyst --db "$U")
/usr/bin/python3 - "$AN" "http://127.0.0.1:${PORT[USA]}/taxii2/api/collections/${COLL[USA]}/objects/" <<'PY'
import json, sys, urllib.request, uuid
rep = {"type": "report", "spec_version": "2.1", "id": "report--" + str(uuid.uuid4()),
       "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
       "name": "odd fields", "published": "2026-01-01T00:00:00.000Z",
       "object_refs": ["identity--b3c7261a-294d-4894-ad5a-ecb01835e976"],
       "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
       "extensions": {"extension-definition--1aa5b5b4-3e28-4d3f-90c6-e4e2a80cc549":
                      {"extension_type": "property-extension", "kind": "Bad Kind!", "evidence": "text"}}}
req = urllib.request.Request(sys.argv[2], data=json.dumps({"objects": [rep]}).encode(), method="POST",
                             headers={"Authorization": "Bearer " + sys.argv[1],
                                      "Content-Type": "application/taxii+json;version=2.1"})
with urllib.request.urlopen(req, timeout=10) as r:
    assert r.status == 202
PY
"$BIN" peer pull USA --db "$T/KOR.db"
ODD=$("$BIN" alerts list --db "$T/KOR.db" --source partner --json | jq -r '.alerts[] | select(.title=="odd fields") | .kind')
check "odd partner fields still raise a partner alert" '[ "$ODD" = partner-report ]'
check "adjustment noted in the audit log" '"$BIN" audit list --db "$T/KOR.db" --action peer.adjust | grep -q "kind"'

# Revoked and unknown keys: 401, both audited.
URL="http://127.0.0.1:${PORT[USA]}/taxii2/api/collections/"
check "revoked key gets 401" '[ "$(http_status "$REVOKED" "$URL")" = 401 ]'
check "unknown key gets 401" '[ "$(http_status cw_this-key-was-never-issued "$URL")" = 401 ]'
check "valid key gets 200" '[ "$(http_status "${KEY[USA_KOR]}" "$URL")" = 200 ]'
# Failed authentications are audited by the server's background thread (first of each
# address, minute and reason at once, the rest as one summary): give it a moment.
for _ in 1 2 3 4 5 6 7 8 9 10; do
    AUD=$("$BIN" audit list --db "$U" --action auth.fail)
    [[ "$AUD" == *"unknown API key"* && "$AUD" == *"old-kor"* ]] && break
    sleep 0.3
done
check "revoked attempt audited" '[[ "$AUD" == *"revoked API key of '"'"'old-kor'"'"'"* ]]'
check "unknown attempt audited" '[[ "$AUD" == *"unknown API key"* ]]'
# TLP on the wire: JPN's key sees no AMBER+STRICT or RED report at USA.
REPORTS=$(http_get "${KEY[USA_JPN]}" "http://127.0.0.1:${PORT[USA]}/taxii2/api/collections/${COLL[USA]}/objects/?match%5Btype%5D=report" | jq -r '.objects[].name' | sort | tr '\n' '|')
check "TAXII objects for JPN are TLP-filtered" '[[ "$REPORTS" != *"STRICT"* && "$REPORTS" != *"RED"* && "$REPORTS" == *"AMBER for JPN"* ]]'

# Audit log: intact, then an edit and a deletion are detected.
for p in "${PIDS[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
PIDS=()
check "USA audit log intact" '"$BIN" audit verify --db "$U" >/dev/null'
sqlite3 "$U" "DROP TRIGGER audit_no_update; UPDATE audit SET detail = 'nothing happened' WHERE action = 'auth.fail'"
set +e; "$BIN" audit verify --db "$U" 2>"$T/verify.err"; rc=$?; set -e
check "edited audit log detected (exit 4)" '[ $rc = 4 ] && grep -q altered "$T/verify.err"'
sqlite3 "$T/JPN.db" "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 2"
set +e; "$BIN" audit verify --db "$T/JPN.db" 2>/dev/null; rc=$?; set -e
check "deleted audit entry detected (exit 4)" '[ $rc = 4 ]'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
