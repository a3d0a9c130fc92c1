#!/usr/bin/env bash
# A new store's first run killed at every file-changing system call up to its first commit
# (strace's fault injection: SIGKILL on entry to the Nth call of each kind), then run again: the
# run must resume and give the store of an uninterrupted run, byte for byte. The crash points of
# ingest_crash.sh and evm_crash.sh sit inside the commit protocol; this covers the calls that make
# the store's files. Found by a red CI: a hash index created in place and killed before its header
# was written (a 0-byte txid.hix) could never be opened again ("cannot read index header").
source "$(dirname "$0")/../lib/cli.sh"
command -v strace > /dev/null || { echo "SKIPPED: strace is not installed"; exit 77; }
need_shared btc-mainnet-blocks/mainnet-h0-h438.blk
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 # LeakSanitizer cannot run under a tracer
CALLS=openat,write,pwrite64,ftruncate,fsync,fdatasync,msync,rename,mkdir,unlink,fallocate

# first_run_killed NAME INGEST-ARGS...: the kill points are the calls on the store's files up to
# the first rename of its MANIFEST that follows the creation of its files (the first commit)
first_run_killed() {
    local name=$1 ref points=0 failed=0
    shift
    "$CW_BIN" ingest "$@" --store "$T/$name-ref" --quiet > /dev/null 2>&1
    ref=$(store_digest "$T/$name-ref")
    strace -f -y -o "$T/$name.trace" -e trace=$CALLS "$CW_BIN" ingest "$@" --store "$T/$name-rec" --quiet > /dev/null 2>&1
    # "call index" for each call on the store's files (strace -y names a descriptor's path), up
    # to the second MANIFEST rename (the first publishes the empty store, the second the first
    # commit)
    awk -v store="$T/$name-rec" '
        { if (match($0, /^[0-9]+ +[a-z0-9_]+\(/)) { split(substr($0, RSTART, RLENGTH), a, /[ (]+/); c = a[2]; n[c]++ }
          else next
          if (index($0, store)) print c, n[c]
          if (c == "rename" && index($0, "MANIFEST\"") && ++m == 2) exit }' "$T/$name.trace" > "$T/$name.points"
    while read -r call k; do
        rm -rf "$T/$name-k"
        { strace -f -o /dev/null -e trace="$call" -e inject="$call":signal=SIGKILL:when="$k" \
            "$CW_BIN" ingest "$@" --store "$T/$name-k" --quiet > /dev/null 2>&1; } 2> /dev/null || true
        points=$((points + 1))
        if ! "$CW_BIN" ingest "$@" --store "$T/$name-k" --quiet > /dev/null 2> "$T/err"; then
            bad "$name: killed at $call #$k, the next run failed: $(cat "$T/err")"
            failed=$((failed + 1))
        elif [ "$(store_digest "$T/$name-k")" != "$ref" ]; then
            bad "$name: killed at $call #$k, the store differs from an uninterrupted run"
            failed=$((failed + 1))
        fi
    done < "$T/$name.points"
    check "$name: the trace found the store's creation ($points kill points)" test "$points" -ge 20
    if [ "$failed" = 0 ]; then ok "$name: killed at each of $points calls of its first run, resumed to the same store"; fi
}

mkdir -p "$T/b"
ln -s "$SHARED/btc-mainnet-blocks/mainnet-h0-h438.blk" "$T/b/blk00000.dat"
first_run_killed btc btc --blocks "$T/b" --commit-txs 40

python3 "$(dirname "$0")/evm/mkchain.py" "$T/a" 40 20 1 60
first_run_killed evm evm --csv "$T/a" --commit-blocks 10
finish
