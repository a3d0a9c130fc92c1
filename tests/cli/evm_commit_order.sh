#!/usr/bin/env bash
# The order of an EVM commit's writes (docs/STORE-FORMAT.md, the commit): the account heads
# (accounts.col, acctlast.col) point at movement and creates rows, so their writeback must not
# begin before those files' syncs have returned; the commit once started every file's writeback,
# the heads' too, at its start. Recorded with strace over five commits, checked by
# evm/commit_order.py. (Between commits the kernel's own writeback still orders nothing; this
# checks the commit's part only.)
source "$(dirname "$0")/../lib/cli.sh"
command -v strace > /dev/null || { echo "SKIPPED: strace is not installed"; exit 77; }
python3 "$(dirname "$0")/evm/mkchain.py" "$T/a" 100 50 1 140
# LeakSanitizer cannot stop the world under a tracer. In test builds the sync of moves.col waits
# 200 ms first, while the other workers run out of columns, so that heads synced beside it would
# show; a release build ignores the variable.
CW_TEST_SLOW_FIRST_SYNC_MS=200 ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -y -o "$T/trace" -e trace=mmap,mremap,munmap,msync,sync_file_range,fsync,fdatasync,rename \
    "$CW_BIN" ingest evm --csv "$T/a" --store "$T/s" --commit-blocks 10 --quiet > /dev/null
check "the store checks" "$CW_BIN" check --store "$T/s"
rc=0
python3 "$(dirname "$0")/evm/commit_order.py" "$T/trace" "$T/s" > "$T/order" || rc=$?
cat "$T/order"
check_eq "no head's writeback begins before the rows' syncs have returned, in every commit" "$rc" 0
check "the trace saw five commits with their heads" test "$(grep -c 'head syncs;' "$T/order")" -ge 5
finish
