#!/usr/bin/env bash
# bench/server.sh BIN [STORE_DIR [LABELS_DB]]: load on the node's server (not a test; issue 15's
# figures). Starts `chainwatch serve` (use the release build) on a free loopback port with a
# fresh node holding 200 alerts and a 100,000-object TAXII collection, then runs wrk (Debian's
# wrk, installed by scripts/bootstrap.sh) with 64 connections for 30 s (BENCH_SERVER_SECONDS) against:
#   a cheap authenticated GET (TAXII discovery), alerts?limit=100, TAXII objects?limit=100,
#   and with STORE_DIR address lookups on the chain store;
# the p99 of the cheap GET while 1 MiB POSTs (2,500 objects each) run back to back;
# TAXII lookups by id, by version and by added_after at 100k objects (curl, best of 20);
# and the database growth under 50,000 unauthenticated requests.
# BENCH_SERVER_PARTS picks runs, comma-separated (default all): cheap, alerts, objects, addr,
# post (cheap GETs during POSTs), lookup (TAXII by id/version/added_after), unauth.
# BENCH_SERVER_COLD=1 drops STORE_DIR's files from the page cache (posix_fadvise DONTNEED,
# those files only) before the server starts: with BENCH_SERVER_PARTS=addr the lookups then
# start right after readiness, on a cold store (the server warms it in the background; the
# line says how far that had got).
# BENCH_SERVER_SERVE_ARGS adds arguments to `chainwatch serve` (e.g. "--threads 8").
# BENCH_SERVER_CPUS picks where the client and the server run:
#   split (the default when the script may use 2 or more CPUs): the client (wrk, curl, the
#     POST loop) on its own CPUs and `serve` on the others, disjoint (taskset): by default the
#     first CPU for the client and the rest for the server; BENCH_SERVER_CLIENT_CPUS and
#     BENCH_SERVER_SERVER_CPUS (taskset lists, e.g. 0 and 1-3) choose them. serve gets
#     --threads equal to its CPUs (unless BENCH_SERVER_SERVE_ARGS says --threads), wrk one
#     thread per client CPU. The issue's figures are for a server under load from clients,
#     not for a client competing with the server for its cores (on 2 cores the client's
#     second thread was what the server's threads waited behind: docs/SHARING.md, stop 12).
#   shared: client and server on every CPU, wrk -t2 (the bench before stop 12; the
#     figures of stops 7 to 11).
#   The first line printed names the mode and each side's CPUs and threads.
# BENCH_SERVER_ADDRS=FILE keeps the address list: read from FILE when it exists, else chosen
# (1,000 CLI lookups, minutes on a busy machine) and written there.
# Each line prints the figure, its bound from the issue and the ratio to it.
set -euo pipefail
BIN=${1:?usage: server.sh BIN [STORE_DIR [LABELS_DB]]}
STORE=${2:-}
LABELS=${3:-}
SECS=${BENCH_SERVER_SECONDS:-30}
command -v wrk > /dev/null || { echo "bench/server.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v sqlite3 > /dev/null || { echo "bench/server.sh: needs sqlite3" >&2; exit 1; }
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
DB="$T/n.db"
# Where each side runs (BENCH_SERVER_CPUS, above).
ALL_CPUS=$(taskset -pc $$ | sed 's/.*: *//')
MODE=${BENCH_SERVER_CPUS:-split}
if [ "$MODE" = split ] && [ "$(nproc)" -lt 2 ]; then
    echo "bench/server.sh: one CPU only ($ALL_CPUS): the shared mode runs" >&2
    MODE=shared
fi
SRV=() WRK_T=2 THREADS=() PLACE="shared: client and server on CPUs $ALL_CPUS"
case $MODE in
split)
    cpus() { taskset -c "$1" python3 -c 'import os; print(",".join(map(str, sorted(os.sched_getaffinity(0)))))'; }
    CCPUS=$(cpus "${BENCH_SERVER_CLIENT_CPUS:-$(python3 -c 'import os; print(min(os.sched_getaffinity(0)))')}")
    # the server: the CPUs given, else every CPU this script may use but the client's
    SCPUS=${BENCH_SERVER_SERVER_CPUS:-$(python3 -c 'import os, sys; c = sorted(os.sched_getaffinity(0) - set(map(int, sys.argv[1].split(",")))); print(",".join(map(str, c)))' "$CCPUS")}
    [ -n "$SCPUS" ] || { echo "bench/server.sh: no CPU left for the server" >&2; exit 1; }
    SCPUS=$(cpus "$SCPUS")
    python3 -c 'import sys; a, b = (set(x.split(",")) for x in sys.argv[1:]); sys.exit(bool(a & b))' "$CCPUS" "$SCPUS" ||
        { echo "bench/server.sh: client CPUs $CCPUS and server CPUs $SCPUS overlap (split needs them disjoint)" >&2; exit 1; }
    WRK_T=$(taskset -c "$CCPUS" nproc)
    SRV=(taskset -c "$SCPUS")
    [[ " ${BENCH_SERVER_SERVE_ARGS:-} " == *" --threads "* ]] || THREADS=(--threads "$(taskset -c "$SCPUS" nproc)")
    PLACE="split: server on CPUs $SCPUS (${THREADS[*]:-its --threads}), client on CPUs $CCPUS" ;;
shared) ;;
*) echo "bench/server.sh: BENCH_SERVER_CPUS must be split or shared, not '$MODE'" >&2; exit 1 ;;
esac
"$BIN" node init --db "$DB" --name USA > /dev/null
KEY=$("$BIN" keys add bench --role analyst --db "$DB")
PEER=$("$BIN" keys add kor --role peer --org KOR --db "$DB")
for i in $(seq 200); do
    "$BIN" alerts raise --db "$DB" --kind bench-alert --title "alert $i" --tlp green \
        --evidence "{\"addresses\":[\"1BenchAddr$i\"],\"value_sat\":$i}" > /dev/null
done
COLL=$("$BIN" node show --db "$DB" --json | jq -r .collection)
# 100,000 objects (every 7th RED, every 10th with a second version), written straight into the
# table: the bench measures reads, not publishing.
sqlite3 "$DB" <<'SQL'
PRAGMA synchronous=OFF;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)
INSERT INTO stix_objects(id, version, type, spec_version, date_added, tlp, share_to, json)
SELECT printf('indicator--%08x-0000-4000-8000-%012d', i - (i % 10 = 1), i - (i % 10 = 1)),
       printf('2026-01-01T00:00:%02d.000Z', i % 10 = 1),
       'indicator', '2.1',
       (SELECT max(date_added) FROM stix_objects) + 1000 + i,
       CASE WHEN i % 7 = 0 THEN 4 ELSE 1 END, '',
       json_object('type', 'indicator', 'spec_version', '2.1',
                   'id', printf('indicator--%08x-0000-4000-8000-%012d', i - (i % 10 = 1), i - (i % 10 = 1)),
                   'created', '2026-01-01T00:00:00.000Z',
                   'modified', printf('2026-01-01T00:00:%02d.000Z', i % 10 = 1),
                   'name', printf('bench indicator %d', i),
                   'pattern', '[ipv4-addr:value = ''10.0.0.1'']', 'pattern_type', 'stix',
                   'valid_from', '2026-01-01T00:00:00Z')
FROM n;
SQL
PARTS=${BENCH_SERVER_PARTS:-all}
part() { [ "$PARTS" = all ] || [[ ",$PARTS," == *",$1,"* ]]; }
if [ -n "$STORE" ] && part addr; then # addresses to look up, chosen before the server runs
    if [ -n "${BENCH_SERVER_ADDRS:-}" ] && [ -s "$BENCH_SERVER_ADDRS" ]; then
        cp "$BENCH_SERVER_ADDRS" "$T/addrs" # the same list again (alternating runs)
    else
        for h in $(seq 1000 1040); do
            for t in $("$BIN" block "$h" --store "$STORE" --json | jq -r '.txids[0:25][]'); do
                "$BIN" tx "$t" --store "$STORE" --json | jq -r '.outputs[0].address'
            done
        done > "$T/all"
        awk '$0 != "-" && n < 1000 {print; n++}' "$T/all" > "$T/addrs"
        [ -n "${BENCH_SERVER_ADDRS:-}" ] && cp "$T/addrs" "$BENCH_SERVER_ADDRS"
    fi
    {
        echo 'local addrs = {}'
        while read -r a; do echo "table.insert(addrs, \"$a\")"; done < "$T/addrs"
        echo 'local i = 0'
        echo 'request = function() i = i + 1; return wrk.format("GET", "/api/v1/chain/address/" .. addrs[(i % #addrs) + 1]) end'
    } > "$T/addr.lua"
fi
if [ -n "$STORE" ] && [ "${BENCH_SERVER_COLD:-0}" = 1 ]; then
    /usr/bin/python3 - "$STORE" <<'PY'
import os, sys
for d, _, fs in os.walk(sys.argv[1]):  # the address-history index's addrhist.<gen>/ too
  for f in fs:
    p = os.path.join(d, f)
    if os.path.isfile(p):
        fd = os.open(p, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
PY
fi
L=(); [ -n "$LABELS" ] && L=(--labels "$LABELS")
S=(); [ -n "$STORE" ] && S=(--store "$STORE")
"${SRV[@]}" "$BIN" serve "${THREADS[@]}" ${BENCH_SERVER_SERVE_ARGS:-} --db "$DB" "${S[@]}" "${L[@]}" --listen 127.0.0.1:0 --ready-file "$T/ready" --max-body 2097152 2> "$T/log" &
PID=$!
# From here every client (wrk, curl, the POST loop) inherits the client's CPUs.
[ "$MODE" = split ] && taskset -pc "$CCPUS" $$ > /dev/null
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
U="http://$(cat "$T/ready")"
echo "server: $(nproc) of $(getconf _NPROCESSORS_ONLN) cores for the client; mode $PLACE; load average $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine), $SECS s per run, 64 connections, wrk -t$WRK_T; collection of $(sqlite3 "$DB" 'SELECT count(*) FROM stix_objects') objects"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
ms() { # a wrk latency ("1.23ms", "850.00us", "1.02s") in milliseconds
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
LAST_P99=0
run() { # run NAME PATH MIN_RPS MAX_P99_MS [LUA] [KEY]
    local key=${6:-$KEY} out c0 c1
    c0=$(cpu_ticks)
    if [ -n "${5:-}" ]; then
        out=$(wrk -t"$WRK_T" -c64 -d"${SECS}s" --latency -H "Authorization: Bearer $key" -s "$5" "$U$2")
    else
        out=$(wrk -t"$WRK_T" -c64 -d"${SECS}s" --latency -H "Authorization: Bearer $key" "$U$2")
    fi
    c1=$(cpu_ticks)
    local rps p99 errs non2xx total
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    total=$(awk '/requests in/ {print $1}' <<<"$out")
    p99=$(ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
    errs=$(awk '/Socket errors/ {print $0}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    LAST_P99=$p99
    # The server's own CPU time per request: what the figure would be on idle cores.
    local cpu_us
    cpu_us=$(awk -v t="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v n="$total" 'BEGIN{printf "%.0f", n ? t / hz / n * 1e6 : 0}')
    printf 'server %s: %.0f requests/s (bound >= %s: ratio %.2f), p99 %s ms%s, non-2xx %s, %s; server CPU %s us/request (%.0f requests/s per core)\n' \
        "$1" "$rps" "$3" "$(awk -v a="$rps" -v b="$3" 'BEGIN{print b ? a/b : 0}')" "$p99" \
        "${4:+ (bound < $4 ms)}" "${non2xx:-0}" "${errs:-no socket errors}" "$cpu_us" \
        "$(awk -v c="$cpu_us" 'BEGIN{print c ? 1e6 / c : 0}')"
}
if part cheap || part post; then
run "cheap GET /taxii2/" "/taxii2/" 20000 5 "" "$PEER"
BASE_P99=$LAST_P99
fi
part alerts && run "alerts?limit=100" "/api/v1/alerts?limit=100" 3000 ""
part objects && run "TAXII objects?limit=100 (100k objects, peer view)" "/taxii2/api/collections/$COLL/objects/?limit=100" 1000 "" "" "$PEER"
if [ -n "$STORE" ] && part addr; then
    warm=$(curl -s -H "Authorization: Bearer $KEY" "$U/api/v1/chain/status" | jq -c '.warm // "n/a"')
    echo "server store warm-up when the lookups start: $warm"
    run "address lookup ($(wc -l < "$T/addrs") addresses)" "/api/v1/chain/address/x" 5000 20 "$T/addr.lua"
fi

if part post; then
# Cheap reads while 1 MiB POSTs run back to back.
/usr/bin/python3 - "$T/post.json" <<'PY'
import json, sys, uuid
objs = [{"type": "indicator", "spec_version": "2.1", "id": "indicator--" + str(uuid.uuid4()),
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "name": "load %d" % i, "pattern": "[ipv4-addr:value = '10.0.0.1']", "pattern_type": "stix",
         "valid_from": "2026-01-01T00:00:00Z",
         "object_marking_refs": ["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"]}
        for i in range(2500)]
open(sys.argv[1], "w").write(json.dumps({"objects": objs}))
PY
posts=0; post_time=0
(
    end=$((SECONDS + SECS))
    while [ $SECONDS -lt $end ]; do
        /usr/bin/python3 -c 'import json,sys,uuid; d=json.load(open(sys.argv[1])); [o.__setitem__("id","indicator--"+str(uuid.uuid4())) for o in d["objects"]]; json.dump(d,open(sys.argv[1],"w"))' "$T/post.json"
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $KEY" \
            -H 'Content-Type: application/taxii+json;version=2.1' --data-binary @"$T/post.json" \
            "$U/taxii2/api/collections/$COLL/objects/" >> "$T/posts"
    done
) &
POSTER=$!
run "cheap GET during 1 MiB POSTs" "/taxii2/" 0 "" "" "$PEER"
wait $POSTER
printf 'server 1 MiB POSTs (%s bytes, 2500 objects): %d done, all 202: %s, mean %.2f s each; cheap GET p99 %s ms during vs %s ms before: +%.2f ms (bound < 20 ms)\n' \
    "$(stat -c %s "$T/post.json")" "$(wc -l < "$T/posts")" \
    "$(awk '$1 != 202 {bad=1} END {print bad ? "no" : "yes"}' "$T/posts")" \
    "$(awk '{s += $2} END {print NR ? s / NR : 0}' "$T/posts")" "$LAST_P99" "$BASE_P99" \
    "$(awk -v a="$LAST_P99" -v b="$BASE_P99" 'BEGIN{print a-b}')"

fi
if part lookup; then
# TAXII lookups at 100k objects: best of 20 curl round trips (includes HTTP on loopback).
best() { # best URL
    for _ in $(seq 20); do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $PEER" "$1"
    done | sort -n | head -1 | awk '{printf "%.2f", $1 * 1000}'
}
ID=$(printf 'indicator--%08x-0000-4000-8000-%012d' 99990 99990)
AFTER=$(sqlite3 "$DB" "SELECT date_added FROM stix_objects ORDER BY date_added DESC LIMIT 1 OFFSET 50")
AFTER_TS=$(date -u -d "@$((AFTER / 1000000))" +%Y-%m-%dT%H:%M:%S).$(printf '%06d' $((AFTER % 1000000)))Z
for q in "by id|objects/$ID/" "versions of an id|objects/$ID/versions/" \
         "one version|objects/$ID/?match%5Bversion%5D=2026-01-01T00:00:01.000Z" \
         "added_after (last 50)|objects/?added_after=$AFTER_TS"; do
    name=${q%%|*}; path=${q#*|}
    t=$(best "$U/taxii2/api/collections/$COLL/$path")
    printf 'server TAXII %s at 100k objects: %s ms round trip (bound < 5 ms: ratio %.2f)\n' "$name" "$t" \
        "$(awk -v a="$t" 'BEGIN{print a/5}')"
done

fi
part unauth || exit 0

# 50,000 unauthenticated requests: database growth (the server folds its WAL when it stops).
size() { # the database and its WAL, bytes
    local t=0 f
    for f in "$DB" "$DB-wal"; do [ -f "$f" ] && t=$((t + $(stat -c %s "$f"))); done
    echo "$t"
}
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null # fold the POSTs' WAL first
B0=$(size)
cat > "$T/count.lua" <<'LUA'
local n = 0
local limit = 25000 -- per thread (-t2): 50,000 in all
request = function() return wrk.format("GET", "/taxii2/", {["Authorization"] = "Bearer cw_not-a-key"}) end
response = function() n = n + 1; if n >= limit then wrk.thread:stop() end end
LUA
out=$(wrk -t2 -c64 -d60s -s "$T/count.lua" "$U/taxii2/")
reqs=$(awk '/requests in/ {print $1}' <<<"$out")
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
B1=$(size)
rows=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'auth.fail'")
printf 'server %s unauthenticated requests: database grew %d bytes (bound < 1048576: ratio %.4f), %s auth.fail entries\n' \
    "$reqs" "$((B1 - B0))" "$(awk -v a="$((B1 - B0))" 'BEGIN{print a/1048576}')" "$rows"
