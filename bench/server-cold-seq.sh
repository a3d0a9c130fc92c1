#!/usr/bin/env bash
# bench/server-cold-seq.sh BIN STORE_DIR ADDRS_FILE [N [SERVE_ARGS...]]: drops STORE_DIR's files
# from the page cache, starts `chainwatch serve --store STORE_DIR`, and looks up N (default 300)
# addresses of ADDRS_FILE (one a line; bench/server.sh's BENCH_SERVER_ADDRS list) one after
# another on one connection. Prints the time, the latencies, and per lookup the request threads'
# sleeps (voluntary context switches: each cold page fault a lookup waits for is one, and so is
# the wait for the next request) and the bytes they read from the disk (the warm-up thread,
# nice 10, left out). Load-independent where wrk's p99 is not: compare sleeps per lookup.
set -euo pipefail
BIN=${1:?usage: server-cold-seq.sh BIN STORE_DIR ADDRS_FILE [N [SERVE_ARGS...]]}
STORE=${2:?store}
ADDRS=${3:?address list}
N=${4:-300}
shift $(($# < 4 ? $# : 4))
command -v curl > /dev/null || { echo "server-cold-seq.sh: needs curl" >&2; exit 1; }
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
"$BIN" node init --db "$T/n.db" --name USA > /dev/null
KEY=$("$BIN" keys add bench --role analyst --db "$T/n.db")
/usr/bin/python3 - "$STORE" <<'PY'
import os, sys
for d, _, fs in os.walk(sys.argv[1]):  # the address-history index's addrhist.<gen>/ too
  for f in fs:
    p = os.path.join(d, f)
    if os.path.isfile(p):
        fd = os.open(p, os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)
PY
"$BIN" serve "$@" --db "$T/n.db" --store "$STORE" --listen 127.0.0.1:0 --ready-file "$T/ready" 2> "$T/log" &
PID=$!
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
U="http://$(cat "$T/ready")"
shuf -n "$N" --random-source=<(yes 7) "$ADDRS" | awk -v u="$U" '{printf "url = \"%s/api/v1/chain/address/%s\"\noutput = \"/dev/null\"\n", u, $0}' > "$T/urls"
tasks_sum() { # tasks_sum FILE FIELD: FIELD of /proc/PID/task/*/FILE summed over the server's
    local s=0 t # threads but the warm-up's (nice 10)
    for t in /proc/$PID/task/*; do
        [ "$(awk '{print $19}' "$t/stat")" = 10 ] && continue
        s=$((s + $(awk -v f="$2:" '$1 == f {print $2}' "$t/$1")))
    done
    echo $s
}
vcs() { tasks_sum status voluntary_ctxt_switches; }
rbytes() { tasks_sum io read_bytes; }
v0=$(vcs); b0=$(rbytes); t0=$(date +%s.%N)
curl -s -K "$T/urls" -H "Authorization: Bearer $KEY" -w '%{time_total}\n' > "$T/times"
t1=$(date +%s.%N); v1=$(vcs); b1=$(rbytes)
sort -n "$T/times" | awk -v n="$N" -v el="$(echo "$t1 - $t0" | bc)" -v vc="$((v1 - v0))" -v rb="$((b1 - b0))" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
  '{a[NR]=$1} END {printf "%d lookups in %.2f s (load %s): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms; server sleeps %.1f and disk reads %.1f KiB per lookup\n", n, el, load, a[int(NR*0.5)]*1000, a[int(NR*0.9)]*1000, a[int(NR*0.99)]*1000, vc/n, rb/n/1024}'
