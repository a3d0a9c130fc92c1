#!/usr/bin/env bash
# bench/server-offcpu.sh BIN [SECONDS [PATH]]: where the server's threads wait while wrk loads
# it (issue 15: the cheap GET's tail). Starts `BIN serve` on a fresh node (BENCH_OFFCPU_SERVE_ARGS
# adds arguments, e.g. "--threads 4"), runs wrk -t2 -c64 against PATH (default /taxii2/, TAXII
# discovery, with a peer's key) and records every context switch on the machine with its call
# stack (perf record -e sched:sched_switch --call-graph dwarf -a; needs root, perf and python3)
# for SECONDS (default 3). For the server's threads it then prints how long each stayed off CPU,
# by cause:
#   idle(epoll)            waiting in epoll_wait for a request (no work: not a delay)
#   preempted              runnable but displaced (wrk, the other worker, other work on the
#                          machine): the scheduler's share of the tail
#   blocked:mutex sqlite-wal  a mutex inside SQLite's WAL read-begin (the process-wide mutex
#                          of the WAL index's locks, held by another thread around its fcntl)
#   blocked:mutex          any other mutex;   sleep:wal-retry / sleep:busy-handler  SQLite's
#                          own sleeps;   blocked:D  disk (the writer's checkpoints)
# A preemption is split by the thread that took the CPU ("preempted by serve:MHD-worker", by
# wrk, by another process). wrk's own threads are listed too (comm "wrk"): a request whose
# answer waits in wrk's socket while wrk is off CPU counts in wrk's latency all the same.
# Count, total, p50/p90/p99/max in ms, and which thread released the mutexes waited for (the
# waker). Other processes' threads are ignored. BENCH_OFFCPU_FLOOR=PATH runs bench_mhd_floor
# (2 threads; BENCH_FLOOR_SPIN_NS as it reads it) instead of serve, for the same view of the
# floor.
set -euo pipefail
BIN=${1:?usage: server-offcpu.sh BIN [SECONDS [PATH]]}
SECS=${2:-3}
P=${3:-/taxii2/}
for t in wrk perf python3; do
    command -v $t > /dev/null || { echo "bench/server-offcpu.sh: needs $t" >&2; exit 1; }
done
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
"$BIN" node init --db "$T/n.db" --name USA > /dev/null
PEER=$("$BIN" keys add kor --role peer --org KOR --db "$T/n.db")
if [ -n "${BENCH_OFFCPU_FLOOR:-}" ]; then "$BENCH_OFFCPU_FLOOR" 2 "$T/ready" 2> "$T/log" & else
"$BIN" serve ${BENCH_OFFCPU_SERVE_ARGS:-} --db "$T/n.db" --listen 127.0.0.1:0 \
    --ready-file "$T/ready" 2> "$T/log" &
fi
PID=$!
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
wrk -t2 -c64 -d"$((SECS + 2))s" --latency -H "Authorization: Bearer $PEER" \
    "http://$(cat "$T/ready")$P" > "$T/wrk" &
WRK=$!
sleep 1
perf record -q -e sched:sched_switch -e sched:sched_wakeup --call-graph dwarf,4096 -a -o "$T/p.data" -- sleep "$SECS" 2> /dev/null
wait $WRK
echo "server-offcpu: load average $(cut -d' ' -f1-3 /proc/loadavg); wrk $(awk '/Requests\/sec/ {print $2}' "$T/wrk") req/s, p99 $(awk '$1 == "99%" {print $2}' "$T/wrk")"
perf script -i "$T/p.data" -F comm,pid,tid,cpu,time,event,trace,ip,sym 2> /dev/null > "$T/script.txt"
python3 - "$T/script.txt" "$PID" "$WRK" <<'PY'
import collections, re, sys
pid = sys.argv[2]
wrkpid = sys.argv[3]
away = {}  # tid -> (time, cause, comm)
dur = collections.defaultdict(list)
wakers = collections.Counter()
tids = set()
for block in open(sys.argv[1]).read().split('\n\n'):
    lines = [l.strip() for l in block.strip().split('\n') if l.strip()]
    if not lines:
        continue
    h = lines[0]
    mm = re.match(r'(\S.*?)\s+(\d+)/(\d+)\s', h)
    if mm and mm.group(2) == pid:
        tids.add(mm.group(3))
    m = re.match(r'(\S.*?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):', h)
    if not m:
        continue
    wk = re.search(r'sched_wakeup: comm=(.*?) pid=(\d+)', h)
    if wk:  # who woke a thread blocked on a mutex: the mutex's holder, unlocking
        if wk.group(2) in away and away[wk.group(2)][1].startswith('blocked:mutex'):
            who = 'the background thread' if m.group(2) == pid and m.group(1) == 'chainwatch' \
                else 'another request thread' if m.group(2) == pid else m.group(1)
            wakers[(away[wk.group(2)][1], who)] += 1
        continue
    sw = re.search(r'prev_comm=(.*?) prev_pid=(\d+) .*prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)', h)
    if not sw:
        continue
    t = float(m.group(5))
    stack = ' '.join(l.split()[-1] for l in lines[1:])
    if m.group(2) in (pid, wrkpid):
        state = sw.group(3)
        if 'epoll_wait' in stack:
            cause = 'idle(epoll)'
        elif state.startswith('R'):
            cause = 'preempted'
        elif 'usleep' in stack:
            cause = 'sleep:' + ('wal-retry' if 'WalBeginRead' in stack else
                                'busy-handler' if 'BusyHandler' in stack else 'other')
        elif 'lll_lock' in stack:
            cause = 'blocked:mutex' + (' sqlite-wal' if 'Wal' in stack else '')
        elif 'cond_' in stack:
            cause = 'waiting (condition)'
        else:
            cause = 'blocked:' + state
        if cause == 'preempted':
            cause = 'preempted by ' + ('serve:' + sw.group(4) if sw.group(5) in tids else sw.group(4))
        away[sw.group(2)] = (t, cause, sw.group(1) if m.group(2) == pid else 'wrk')
    if sw.group(5) in away:
        t0, cause, comm = away.pop(sw.group(5))
        dur[(comm, cause)].append((t - t0) * 1000)
for (comm, cause), v in sorted(dur.items()):
    v.sort()
    n = len(v)
    print('%-12s %-26s n=%6d  total %8.1f ms  p50 %.3f  p90 %.3f  p99 %.3f  max %.2f ms' %
          (comm, cause, n, sum(v), v[n // 2], v[int(n * .9)], v[int(n * .99)], v[-1]))
for (cause, who), n in sorted(wakers.items()):
    print('%s: %d released by %s' % (cause, n, who))
PY
