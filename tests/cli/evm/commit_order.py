#!/usr/bin/env python3
"""commit_order.py TRACE STORE_DIR: checks the order of an EVM commit's writes from
`strace -f -y -e trace=mmap,mremap,munmap,msync,sync_file_range,fsync,fdatasync,rename`.
In each commit (the calls up to each rename of MANIFEST), no writeback or sync of the heads
(accounts.col, acctlast.col) may begin before every sync and writeback start of the rows they
point at (moves.col, movelink.col, creates.col: what recovery walks) has returned. (The other
columns and the indexes are synced beside the heads; no head points into them.) Prints one line per commit; exit 1
on a violation, 2 when the trace holds no commit or no sync of the heads."""
import re
import sys

HEADS = ("accounts.col", "acctlast.col")
POINTED = ("moves.col", "movelink.col", "creates.col")
LINE = re.compile(r"^(\d+) +(.*)$")
CALL = re.compile(r"^(\w+)\((.*?)(?:\) += (\S+).*| <unfinished \.\.\.>)$")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*?)\) += (\S+).*$")
FDPATH = re.compile(r"^\s*-?\d+<([^>]*)>")


def main():
    trace, store = sys.argv[1], sys.argv[2].rstrip("/")
    pending = {}  # pid -> (name, args, start line)
    maps = []  # [start, end, file]
    commits, cur = [], []  # cur: (file, start, end) of the open commit's syncs

    def file_at(addr):
        for a, b, f in maps:
            if a <= addr < b:
                return f
        return None

    def store_file(path):
        d, _, name = path.rpartition("/")
        return name if d.endswith(store) else None

    def done(name, args, ret, start, end):
        a = [x.strip() for x in args.split(",")]
        if name == "mmap" and ret.startswith("0x") and "MAP_SHARED" in args:
            m = FDPATH.match(a[4]) if len(a) > 4 else None
            if m and store_file(m.group(1)):
                maps.append([int(ret, 16), int(ret, 16) + int(a[1]), store_file(m.group(1))])
        elif name == "mremap" and ret.startswith("0x"):
            f = file_at(int(a[0], 16))
            if f:
                maps[:] = [e for e in maps if not e[0] <= int(a[0], 16) < e[1]]
                maps.append([int(ret, 16), int(ret, 16) + int(a[2]), f])
        elif name == "munmap":
            maps[:] = [e for e in maps if not e[0] <= int(a[0], 16) < e[1]]
        elif name == "msync":
            f = file_at(int(a[0], 16))
            if f:
                cur.append((f, start, end))
        elif name in ("sync_file_range", "fsync", "fdatasync"):
            m = FDPATH.match(a[0])
            f = store_file(m.group(1)) if m else None
            if f and f != "MANIFEST.tmp":
                cur.append((f, start, end))
        elif name == "rename" and ret == "0" and args.rstrip().endswith('/MANIFEST"'):
            commits.append(list(cur))
            cur.clear()

    with open(trace) as fh:
        for n, raw in enumerate(fh):
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            pid, rest = m.groups()
            r = RESUMED.match(rest)
            if r:
                if pid in pending:
                    name, args, start = pending.pop(pid)
                    done(name, args + r.group(2), r.group(3), start, n)
                continue
            c = CALL.match(rest)
            if not c:
                continue
            if c.group(3) is None:
                pending[pid] = (c.group(1), c.group(2), n)
            else:
                done(c.group(1), c.group(2), c.group(3), n, n)
    bad, heads_seen = 0, 0
    for i, calls in enumerate(commits):
        heads = [c for c in calls if c[0] in HEADS]
        rows = [c for c in calls if c[0] in POINTED]
        if not heads or not rows:
            print(f"commit {i + 1}: {len(rows)} row syncs, {len(heads)} head syncs")
            continue
        heads_seen += 1
        first_head = min(heads, key=lambda c: c[1])
        last_row = max(rows, key=lambda c: c[2])
        ok = first_head[1] > last_row[2]
        print(f"commit {i + 1}: {len(rows)} row syncs, {len(heads)} head syncs; "
              f"the first head call ({first_head[0]}, trace line {first_head[1] + 1}) "
              f"{'after' if ok else 'BEFORE'} the last row sync returned "
              f"({last_row[0]}, line {last_row[2] + 1})")
        bad += not ok
    if not commits or not heads_seen:
        print("no commit with syncs of the heads in the trace")
        return 2
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
