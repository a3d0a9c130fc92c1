#!/usr/bin/env bash
# Crash safety: the ingest is killed with SIGKILL at every crash point of its commit protocol
# (CW_TEST_CRASH_POINT=N, between and inside the steps), then killed again during the recovery
# run, then run to the end: the store must equal that of an uninterrupted run, byte for byte.
# The same for a reorg (rollback) interrupted at each of its points. Then real `kill -9` at
# random moments.
source "$(dirname "$0")/../lib/cli.sh"
need_shared btc-mainnet-blocks/mainnet-h0-h438.blk btc-synthetic-fork-blocks/blk_5A.dat
M=$SHARED/btc-mainnet-blocks
mkdir -p "$T/b"
ln -s "$M/mainnet-h0-h438.blk" "$T/b/blk00000.dat"
"$CW_BIN" ingest btc --blocks "$T/b" --store "$T/ref" --commit-txs 40 --quiet > /dev/null
ref=$(store_digest "$T/ref")
killed=0
for n in $(seq 1 500); do
    rm -rf "$T/s"
    rc=0
    crash_at $n "$CW_BIN" ingest btc --blocks "$T/b" --store "$T/s" --commit-txs 40 --quiet || rc=$?
    if [ "$rc" -ne 137 ]; then break; fi
    killed=$((killed + 1))
    # kill the recovery run too, at its 2nd crash point
    crash_at 2 "$CW_BIN" ingest btc --blocks "$T/b" --store "$T/s" --commit-txs 40 --quiet || true
    "$CW_BIN" ingest btc --blocks "$T/b" --store "$T/s" --commit-txs 40 --quiet > /dev/null 2> "$T/err" || { bad "crash point $n: resume failed: $(cat "$T/err")"; continue; }
    d=$(store_digest "$T/s")
    if [ "$d" != "$ref" ]; then bad "crash point $n: store differs from the uninterrupted run"; fi
done
check "every crash point was reached ($killed kills over 12 commits)" test "$killed" -ge 70
ok "$killed crash points: resumed stores equal the uninterrupted one ($FAILED failures)"

# reorg interrupted at each rollback crash point
F=$SHARED/btc-synthetic-fork-blocks
mkdir -p "$T/f"
cp "$F/blk_0_to_4.dat" "$T/f/blk00000.dat"
"$CW_BIN" ingest btc --blocks "$T/f" --store "$T/fbase" --quiet > /dev/null
cp "$F/blk_3A.dat" "$F/blk_4A.dat" "$T/f/"
mv "$T/f/blk_3A.dat" "$T/f/blk00001.dat"; mv "$T/f/blk_4A.dat" "$T/f/blk00002.dat"
cp "$F/blk_5A.dat" "$T/f/blk00003.dat"
"$CW_BIN" ingest btc --blocks "$T/f" --store "$T/fref" --quiet > /dev/null
fref=$(store_digest "$T/fref")
for n in $(seq 1 12); do
    rm -rf "$T/fs"; cp -r "$T/fbase" "$T/fs"
    crash_at $n "$CW_BIN" ingest btc --blocks "$T/f" --store "$T/fs" --quiet || true
    "$CW_BIN" ingest btc --blocks "$T/f" --store "$T/fs" --quiet > /dev/null 2>&1 || bad "reorg crash $n: resume failed"
    [ "$(store_digest "$T/fs")" == "$fref" ] || bad "reorg crash point $n: store differs"
done
check "reorg store checks" "$CW_BIN" check --store "$T/fs"
ok "reorg interrupted at 12 points resumes to the same store"

# real kill -9 at random moments (ASan build: a run takes a fraction of a second)
for i in $(seq 1 8); do
    rm -rf "$T/k"
    for attempt in 1 2 3; do
        kill9_after "0.0$((RANDOM % 9 + 1))" \
            "$CW_BIN" ingest btc --blocks "$T/b" --store "$T/k" --commit-txs 10 --quiet
    done
    "$CW_BIN" ingest btc --blocks "$T/b" --store "$T/k" --commit-txs 10 --quiet > /dev/null 2> "$T/err" ||
        { bad "kill -9 round $i: resume failed: $(cat "$T/err")"; continue; }
    # commit sizes differ from the reference but the store bytes must not
    if [ "$(store_digest "$T/k")" != "$ref" ]; then
        bad "kill -9 round $i: store differs; files that differ from the reference:"
        (cd "$T/k" && find . -type f ! -name LOCK | LC_ALL=C sort | while read -r f; do cmp -s "$f" "$T/ref/$f" || echo "  $f ($(stat -c %s "$f") vs $(stat -c %s "$T/ref/$f" 2> /dev/null) bytes)"; done) >&2
    fi
done
ok "8 rounds of random kill -9"
finish
