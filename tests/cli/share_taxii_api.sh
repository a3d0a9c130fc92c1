#!/usr/bin/env bash
# share_taxii_api.sh: starts one node on a loopback port chosen by the kernel and runs the
# black-box TAXII 2.1 / JSON API / bad-input checks of tests/unit/server/taxii_blackbox.py
# (envelopes compared with medallion's sample data in $CW_SHARED_DATA/taxii-medallion-sample).
set -euo pipefail
BIN=${CW_BIN:?CW_BIN not set}
MED="${CW_SHARED_DATA:-}/taxii-medallion-sample/default_data.json"
[ -f "$MED" ] || { echo "SKIP: $MED not found (shared data absent)"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
T=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }; rm -rf "$T"; }
trap cleanup EXIT
DB="$T/n.db"
"$BIN" node init --db "$DB" --name USA >/dev/null
A=$("$BIN" keys add admin1 --role admin --db "$DB")
N=$("$BIN" keys add analyst1 --role analyst --db "$DB")
R=$("$BIN" keys add reader1 --role reader --db "$DB")
P=$("$BIN" keys add peer-kor --role peer --org KOR --db "$DB")
"$BIN" alerts raise --db "$DB" --title "one" --kind sanctioned-address-active --severity high --tlp green \
    --evidence '{"addresses":["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"]}' >/dev/null
"$BIN" alerts raise --db "$DB" --title "two" --kind k2 --tlp green >/dev/null
"$BIN" alerts raise --db "$DB" --title "three" --kind k3 --tlp amber+strict --share-to KOR >/dev/null
"$BIN" alerts raise --db "$DB" --title "four" --kind k4 --tlp red >/dev/null
# --threads: 1 to 64 request threads, else a usage error (exit 2) naming the option
rc=0; "$BIN" serve --db "$DB" --listen 127.0.0.1:0 --threads 0 2>"$T/err" || rc=$?
[ "$rc" = 2 ] && grep -q -- "--threads: expected 1 to 64" "$T/err" ||
    { echo "FAIL: serve --threads 0: exit $rc, $(cat "$T/err")"; exit 1; }
"$BIN" serve --db "$DB" --listen 127.0.0.1:0 --ready-file "$T/ready" --max-body 65536 --threads 3 2>"$T/log" &
PID=$!
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
[ -s "$T/ready" ] || { cat "$T/log"; exit 1; }
COLL=$("$BIN" node show --db "$DB" --json | jq -r .collection)
KEYS=$(jq -nc --arg a "$A" --arg n "$N" --arg r "$R" --arg p "$P" '{admin:$a, analyst:$n, reader:$r, peer:$p}')
/usr/bin/python3 "$CW_SOURCE_DIR/tests/unit/server/taxii_blackbox.py" "http://$(cat "$T/ready")" "$COLL" "$KEYS" "$MED"
