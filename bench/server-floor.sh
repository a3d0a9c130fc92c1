#!/usr/bin/env bash
# bench/server-floor.sh BIN FLOOR: is the cheap GET's p99 the server's or the machine's? (issue 15)
# Runs, alternately and for several rounds, wrk (64 connections, -t2, --latency, as
# bench/server.sh) against
#   serve:  `BIN serve` on a fresh node, GET /taxii2/ (TAXII discovery) with a peer's key: the
#           bench's cheap authenticated GET (key check, read snapshot, audit entry);
#   floor:  FLOOR (the bench_mhd_floor program of the release build): libmicrohttpd with the
#           server's daemon options answering the same 139-byte document with no database,
#           no key check and no audit: loopback TCP, libmicrohttpd and the scheduler only;
# each with every thread count of BENCH_FLOOR_THREADS (default "2", the server's default on 2
# cores), and with BENCH_FLOOR_PIN=1 also pinned: the server on CPU 1, wrk on CPU 0 (taskset),
# so the client never preempts the server on its core.
# Each run prints its figures (requests/s, p50/p90/p99, server CPU per request); the end prints
# per configuration the median over the rounds. If the floor's p99 is close to serve's, the
# tail is the machine (wrk and the server sharing the cores), not the request path.
# BENCH_FLOOR_ROUNDS (default 3), BENCH_FLOOR_SECONDS (default 15). BENCH_FLOOR_SPIN_NS=N (read
# by the floor) makes the floor burn N ns of CPU per request, as dear as serve's request path:
# if serve's tail is longer than that floor's, it is not the CPU per request.
set -euo pipefail
BIN=${1:?usage: server-floor.sh BIN FLOOR}
FLOOR=${2:?usage: server-floor.sh BIN FLOOR}
ROUNDS=${BENCH_FLOOR_ROUNDS:-3}
SECS=${BENCH_FLOOR_SECONDS:-15}
THREADS=${BENCH_FLOOR_THREADS:-2}
command -v wrk > /dev/null || { echo "bench/server-floor.sh: needs wrk" >&2; exit 1; }
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
"$BIN" node init --db "$T/n.db" --name USA > /dev/null
PEER=$("$BIN" keys add kor --role peer --org KOR --db "$T/n.db")

run() { # run NAME KIND THREADS PIN
    local name=$1 kind=$2 th=$3 pin=$4 spin=() wpin=()
    if [ "$pin" = 1 ]; then spin=(taskset -c 1); wpin=(taskset -c 0); fi
    rm -f "$T/ready"
    if [ "$kind" = serve ]; then
        "${spin[@]}" "$BIN" serve --db "$T/n.db" --listen 127.0.0.1:0 --threads "$th" \
            --ready-file "$T/ready" 2> "$T/log" &
    else
        "${spin[@]}" "$FLOOR" "$th" "$T/ready" 2> "$T/log" &
    fi
    PID=$!
    for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
    [ -s "$T/ready" ] || { echo "server-floor: $name did not start: $(cat "$T/log")" >&2; exit 1; }
    local c0 c1 out
    c0=$(awk '{print $14 + $15}' "/proc/$PID/stat")
    out=$("${wpin[@]}" wrk -t2 -c64 -d"${SECS}s" --latency -H "Authorization: Bearer $PEER" \
        "http://$(cat "$T/ready")/taxii2/")
    c1=$(awk '{print $14 + $15}' "/proc/$PID/stat")
    kill "$PID"; wait "$PID" 2> /dev/null || true; PID=
    awk -v name="$name" -v load="$(cut -d' ' -f1 /proc/loadavg)" -v t="$((c1 - c0))" \
        -v hz="$(getconf CLK_TCK)" '
        function ms(v) { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; return n }
        /requests in/ { total = $1 } /Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
        $1 == "50%" { p50 = ms($2) } $1 == "90%" { p90 = ms($2) } $1 == "99%" { p99 = ms($2) }
        END { printf "%-22s %8.0f req/s  p50 %6.2f  p90 %6.2f  p99 %7.2f ms  server CPU %5.1f us/request  non-2xx %d  load %s\n",
                     name, rps, p50, p90, p99, total ? t / hz / total * 1e6 : 0, bad, load }' <<< "$out" |
        tee -a "$T/all"
}

echo "server-floor: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $ROUNDS rounds of $SECS s, wrk -t2 -c64, GET /taxii2/"
PINS=0; [ "${BENCH_FLOOR_PIN:-0}" = 1 ] && PINS="0 1"
for _ in $(seq "$ROUNDS"); do
    for th in $THREADS; do
        for pin in $PINS; do
            tag="t$th"; [ "$pin" = 1 ] && tag="$tag-pinned"
            run "serve-$tag" serve "$th" "$pin"
            run "floor-$tag" floor "$th" "$pin"
        done
    done
done
echo "medians over $ROUNDS rounds:"
med() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; } # the median of a column
for key in $(awk '{print $1}' "$T/all" | awk '!seen[$0]++'); do
    grep "^$key " "$T/all" > "$T/k"
    printf '%-22s %8.0f req/s  p90 %6.2f  p99 %7.2f ms  server CPU %5.1f us/request\n' "$key" \
        "$(awk '{print $2}' "$T/k" | med)" "$(awk '{print $7}' "$T/k" | med)" \
        "$(awk '{print $9}' "$T/k" | med)" "$(awk '{print $13}' "$T/k" | med)"
done
