#!/usr/bin/env bash
# Crash safety of the EVM store, as tests/cli/ingest_crash.sh for Bitcoin: the ingest is killed
# with SIGKILL at every crash point (every 16th block applied, the steps of each commit and of
# a rollback, and again during the recovery run), then rerun to the end: the store must equal
# that of an uninterrupted run, byte for byte. The same for a reorg (--rollback-to) interrupted
# at each of its points. Then real kill -9 at random moments, and power cuts between commits (rows
# that never reached the disk under heads that did).
source "$(dirname "$0")/../lib/cli.sh"
MK=$(dirname "$0")/evm/mkchain.py
python3 "$MK" "$T/a" 100 50 1 140
"$CW_BIN" ingest evm --csv "$T/a" --store "$T/ref" --commit-blocks 10 --quiet > /dev/null
check "reference store checks" "$CW_BIN" check --store "$T/ref"
check "the store holds bridge memos (memos.col is covered below)" \
    test "$("$CW_BIN" check --store "$T/ref" --json | jq '.checked.memos')" -ge 20
check "the store holds amounts of 2^64 and more (amounts.col, txamounts.col are covered below)" \
    test "$("$CW_BIN" check --store "$T/ref" --json | jq '[.checked.wide_amounts, .checked.wide_tx_amounts] | min')" -ge 20
ref=$(store_digest "$T/ref")
killed=0
torn=0
for n in $(seq 1 300); do
    rm -rf "$T/s"
    rc=0
    crash_at $n "$CW_BIN" ingest evm --csv "$T/a" --store "$T/s" --commit-blocks 10 --quiet || rc=$?
    if [ "$rc" -ne 137 ]; then break; fi
    killed=$((killed + 1))
    # an index killed in the middle of its write at commit (header word 32 set): rebuilt below
    for ix in "$T/s"/*.hix; do
        [ "$(od -An -t u8 -j 32 -N 8 "$ix" | tr -d ' ')" == 0 ] || torn=$((torn + 1))
    done
    crash_at 2 "$CW_BIN" ingest evm --csv "$T/a" --store "$T/s" --commit-blocks 10 --quiet || true
    "$CW_BIN" ingest evm --csv "$T/a" --store "$T/s" --commit-blocks 10 --quiet > /dev/null 2> "$T/err" || { bad "crash point $n: resume failed: $(cat "$T/err")"; continue; }
    [ "$(store_digest "$T/s")" == "$ref" ] || bad "crash point $n: store differs from the uninterrupted run"
done
check "every crash point was reached ($killed kills over 5 commits)" test "$killed" -ge 20
check "kills in the middle of an index write were rebuilt ($torn)" test "$torn" -ge 4
ok "$killed crash points: resumed stores equal the uninterrupted one"

# a reorg: blocks 140.. differ; --rollback-to 139 interrupted at each point
python3 "$MK" "$T/b" 100 50 2 140
"$CW_BIN" ingest evm --csv "$T/b" --store "$T/bref" --commit-blocks 10 --quiet > /dev/null
bref=$(store_digest "$T/bref")
rm -rf "$T/r"; cp -r "$T/ref" "$T/r"
"$CW_BIN" ingest evm --csv "$T/b" --store "$T/r" --rollback-to 139 --commit-blocks 10 --quiet > /dev/null
check_eq "a reorg gives the store of the other chain" "$(store_digest "$T/r")" "$bref"
rk=0
for n in $(seq 1 12); do
    rm -rf "$T/r"; cp -r "$T/ref" "$T/r"
    rc=0
    crash_at $n "$CW_BIN" ingest evm --csv "$T/b" --store "$T/r" --rollback-to 139 --commit-blocks 10 --quiet || rc=$?
    [ "$rc" -eq 137 ] || break
    rk=$((rk + 1))
    "$CW_BIN" ingest evm --csv "$T/b" --store "$T/r" --rollback-to 139 --commit-blocks 10 --quiet > /dev/null 2> "$T/err" || { bad "reorg crash $n: resume failed: $(cat "$T/err")"; continue; }
    [ "$(store_digest "$T/r")" == "$bref" ] || bad "reorg crash point $n: store differs"
done
check "reorg crash points reached ($rk)" test "$rk" -ge 8
check "reorged store checks" "$CW_BIN" check --store "$T/r"

# real kill -9 at random moments
for i in $(seq 1 3); do
    rm -rf "$T/k"
    for attempt in 1 2 3; do
        kill9_after "0.$((RANDOM % 4))$((RANDOM % 9 + 1))" \
            "$CW_BIN" ingest evm --csv "$T/a" --store "$T/k" --commit-blocks 3 --quiet
    done
    "$CW_BIN" ingest evm --csv "$T/a" --store "$T/k" --commit-blocks 10 --quiet > /dev/null
    [ "$(store_digest "$T/k")" == "$ref" ] || bad "kill -9 round $i: store differs"
done
ok "kill -9 at random moments: stores equal the uninterrupted one"

# A power cut between commits (not a kill: a killed writer's pages all reach the disk): the writer
# killed past a commit, then the movement rows past MANIFEST's count taken away as a cut may leave
# them, while acctlast.col keeps the heads the kernel wrote back: moves.col and movelink.col cut
# back to the count (their growth never reached the disk) or those rows zeroed (it did, their data
# did not). The rerun must give the uninterrupted store (main's recovery left a head pointing at
# a row that was not there: 8 of 15 such stores differed and failed check).
cut=0
i=0
for n in $(seq 1 4 60); do
    rm -rf "$T/p"
    rc=0
    crash_at $n "$CW_BIN" ingest evm --csv "$T/a" --store "$T/p" --commit-blocks 10 --quiet || rc=$?
    [ "$rc" -eq 137 ] || continue
    P=$(awk '$1 == "moves" {print $2}' "$T/p/MANIFEST" 2>/dev/null)
    [ -n "$P" ] || continue
    i=$((i + 1))
    mode=$([ $((i % 2)) -eq 0 ] && echo zero || echo cut)
    for c in moves:40 movelink:12; do
        f=$T/p/${c%%:*}.col keep=$((64 + P * ${c##*:}))
        sz=$(stat -c %s "$f")
        [ "$sz" -gt "$keep" ] || continue
        cut=$((cut + 1))
        if [ "$mode" = cut ]; then
            truncate -s "$keep" "$f"
        else
            dd if=/dev/zero of="$f" bs=1 seek="$keep" count=$((sz - keep)) conv=notrunc status=none
        fi
    done
    "$CW_BIN" ingest evm --csv "$T/a" --store "$T/p" --commit-blocks 10 --quiet > /dev/null 2> "$T/err" || { bad "power cut after crash point $n ($mode): resume failed: $(cat "$T/err")"; continue; }
    [ "$(store_digest "$T/p")" == "$ref" ] || bad "power cut after crash point $n ($mode): store differs from the uninterrupted run"
done
check "power cuts past a commit were made ($i stores, $cut files cut or zeroed)" test "$cut" -ge 10
ok "power cuts between commits: resumed stores equal the uninterrupted one"

# The "writer open" mark (stop 24): the pass over acctlast.col that finds heads a power cut
# spoilt runs only after an unclean stop. A clean close writes MANIFEST `closed 1`, a clean
# reopen skips the pass (the test build's CW_TEST_REPORT_RECOVERY says when it runs), and a
# writer resumed on a cleanly closed store removes the mark before its first head write: killed
# after that, then cut as above, the next open runs the pass and the store resumes to the
# uninterrupted one. $T/h: the first 20 blocks of $T/a.
check "a clean close marks the store closed" grep -qx "closed 1" "$T/ref/MANIFEST"
rm -f "$T/hooked" # the pass's report needs a test build (CW_TEST_HOOKS): else those checks are left out
CW_TEST_BEFORE_SNAPSHOT_CHECK="touch $T/hooked" "$CW_BIN" check --store "$T/ref" > /dev/null 2>&1 || true
hooks=$([ -e "$T/hooked" ] && echo 1 || echo 0)
python3 "$MK" "$T/h" 100 20
rm -rf "$T/c"
"$CW_BIN" ingest evm --csv "$T/h" --store "$T/c" --commit-blocks 10 --quiet > /dev/null
CW_TEST_REPORT_RECOVERY=1 "$CW_BIN" ingest evm --csv "$T/h" --store "$T/c" --quiet > /dev/null 2> "$T/clean.err"
[ "$hooks" = 0 ] || check "a clean reopen skips the power-cut pass" bash -c '! grep -q "power-cut pass" "$1"' _ "$T/clean.err"
check "... and leaves the store closed" grep -qx "closed 1" "$T/c/MANIFEST"
rm -rf "$T/r0"; cp -r "$T/c" "$T/r0"
"$CW_BIN" ingest evm --csv "$T/a" --store "$T/r0" --commit-blocks 10 --quiet > /dev/null
check_eq "resuming a cleanly closed store gives the uninterrupted one" "$(store_digest "$T/r0")" "$ref"
rc_mark=0
passes=0
for n in 3 9 17 25; do
    rm -rf "$T/p"; cp -r "$T/c" "$T/p"
    rc=0
    crash_at $n "$CW_BIN" ingest evm --csv "$T/a" --store "$T/p" --commit-blocks 10 --quiet || rc=$?
    [ "$rc" -eq 137 ] || continue
    ! grep -qx "closed 1" "$T/p/MANIFEST" || bad "crash point $n after a clean reopen: MANIFEST still says closed"
    P=$(awk '$1 == "moves" {print $2}' "$T/p/MANIFEST")
    for c in moves:40 movelink:12; do
        f=$T/p/${c%%:*}.col keep=$((64 + P * ${c##*:}))
        [ "$(stat -c %s "$f")" -gt "$keep" ] && truncate -s "$keep" "$f"
    done
    rc_mark=$((rc_mark + 1))
    CW_TEST_REPORT_RECOVERY=1 "$CW_BIN" ingest evm --csv "$T/a" --store "$T/p" --commit-blocks 10 --quiet > /dev/null 2> "$T/err" || { bad "crash point $n after a clean reopen: resume failed: $(cat "$T/err")"; continue; }
    grep -q "power-cut pass" "$T/err" && passes=$((passes + 1))
    [ "$(store_digest "$T/p")" == "$ref" ] || bad "crash point $n after a clean reopen, cut: store differs from the uninterrupted run"
done
check "writers killed after a clean reopen ($rc_mark)" test "$rc_mark" -ge 3
[ "$hooks" = 0 ] || check_eq "... each next open ran the power-cut pass" "$passes" "$rc_mark"
finish
