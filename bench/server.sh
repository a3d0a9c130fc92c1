#!/usr/bin/env bash
# bench/server.sh BIN STORE_DIR LABELS_DB: load on the node's server (not a test). Starts
# `chainwatch serve` on a free loopback port with a fresh node holding 200 alerts, then runs wrk
# for 30 s at 64 connections against the alert listing and against address lookups (a rotating
# set of addresses of the store), and prints requests/s, p99 latency and errors of each.
set -euo pipefail
BIN=${1:?usage: server.sh BIN STORE_DIR [LABELS_DB]}
STORE=${2:?store}
LABELS=${3:-}
SECS=${BENCH_SERVER_SECONDS:-30}
command -v wrk > /dev/null || { echo "installing wrk"; apt-get install -y -qq wrk > /dev/null; }
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
"$BIN" node init --db "$T/n.db" --name USA > /dev/null
KEY=$("$BIN" keys add bench --role analyst --db "$T/n.db")
for i in $(seq 200); do
    "$BIN" alerts raise --db "$T/n.db" --kind bench-alert --title "alert $i" --tlp green > /dev/null
done
L=(); [ -n "$LABELS" ] && L=(--labels "$LABELS")
"$BIN" serve --db "$T/n.db" --store "$STORE" "${L[@]}" --listen 127.0.0.1:0 --ready-file "$T/ready" 2> "$T/log" &
PID=$!
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
U="http://$(cat "$T/ready")"
# 1000 addresses of the store, rotated by a wrk Lua script

for h in $(seq 1000 1040); do
    for t in $("$BIN" block "$h" --store "$STORE" --json | jq -r '.txids[0:25][]'); do
        "$BIN" tx "$t" --store "$STORE" --json | jq -r '.outputs[0].address'
    done
done > "$T/all"
awk '$0 != "-" && n < 1000 {print; n++}' "$T/all" > "$T/addrs"
{
    echo 'local addrs = {}'
    while read -r a; do echo "table.insert(addrs, \"$a\")"; done < "$T/addrs"
    echo 'local i = 0'
    echo 'request = function() i = i + 1; return wrk.format("GET", "/api/v1/chain/address/" .. addrs[(i % #addrs) + 1]) end'
} > "$T/addr.lua"
run() { # run NAME PATH [LUA]
    local out
    if [ -n "${3:-}" ]; then
        out=$(wrk -t2 -c64 -d"${SECS}s" --latency -H "Authorization: Bearer $KEY" -s "$3" "$U$2")
    else
        out=$(wrk -t2 -c64 -d"${SECS}s" --latency -H "Authorization: Bearer $KEY" "$U$2")
    fi
    local rps p99 errs non2xx
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errs=$(awk '/Socket errors/ {print $0}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    echo "server $1: ${rps} requests/s, p99 ${p99}, non-2xx ${non2xx:-0}, ${errs:-no socket errors} ($SECS s, 64 connections)"
}
run "alert listing" "/api/v1/alerts?limit=50"
run "address lookup ($(wc -l < "$T/addrs") addresses)" "/api/v1/chain/address/x" "$T/addr.lua"
