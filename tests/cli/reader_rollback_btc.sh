#!/usr/bin/env bash
# reader_rollback_btc.sh: on a Bitcoin store, the analytics builds (`addrindex`, `cluster build`,
# `patterns build`) check the store's rollback generation before they publish their manifest, and
# the read commands before they print. A real reorganisation (`ingest btc` of block 5A: blocks 3
# and 4 rolled back, 3A-4A-5A written where they were) is run between the reads and the check by
# the test hook CW_TEST_BEFORE_SNAPSHOT_CHECK: the builds fail with "rolled back ... ask again",
# exit non-zero and publish no manifest; run again they build on the new chain. The read commands
# print nothing and fail the same way. h-reader16 published and printed.
source "$(dirname "$0")/../lib/cli.sh"
need_shared btc-synthetic-fork-blocks/blk_0_to_4.dat
F=$SHARED/btc-synthetic-fork-blocks
mkdir -p "$T/b" "$T/b5"
cp "$F/blk_0_to_4.dat" "$T/b/blk00000.dat"
cp "$F/blk_3A.dat" "$T/b/blk00001.dat"
cp "$F/blk_4A.dat" "$T/b/blk00002.dat"
cp "$T/b"/* "$T/b5/"
cp "$F/blk_5A.dat" "$T/b5/blk00003.dat"
"$CW_BIN" ingest btc --blocks "$T/b" --store "$T/ref" --quiet > /dev/null
need_hooks "$T/ref"
S=$T/s
reorg="env -u CW_TEST_BEFORE_SNAPSHOT_CHECK $CW_BIN ingest btc --blocks $T/b5 --store $S --quiet > /dev/null"
block4=000000002f264d6504013e73b9c913de9098d4d771c1bb219af475d2a01b128e
while IFS='|' read -r args manifest; do
    rm -rf "$S"
    cp -r "$T/ref" "$S"
    rc=0
    CW_TEST_BEFORE_SNAPSHOT_CHECK="$reorg" "$CW_BIN" $args --store "$S" > "$T/out" 2> "$T/err" \
        || rc=$?
    check "$args beside a reorganisation: exits non-zero (exit $rc)" test "$rc" -ne 0
    check "$args beside a reorganisation: says so ($(head -c 300 "$T/err"))" \
        grep -q "rolled back.*ask again" "$T/err"
    check_eq "the reorganisation did run ($args)" \
        "$("$CW_BIN" block 5 --store "$S" --json 2>/dev/null | jq -r .hash)" \
        00000000195f85184e77c18914bd0febd11278d950f5e4731a38f71ed79f044e
    if [ -n "$manifest" ]; then
        check "$args beside a reorganisation: published nothing" test ! -e "$S/$manifest"
        rc=0
        "$CW_BIN" $args --store "$S" > /dev/null 2> "$T/err" || rc=$?
        check "$args run again: builds (exit $rc: $(head -c 200 "$T/err"))" test "$rc" -eq 0 -a -e "$S/$manifest"
    else
        check "$args beside a reorganisation: prints nothing ($(head -c 200 "$T/out"))" test ! -s "$T/out"
    fi
done << EOS
addrindex|addrhist.manifest
cluster build|cluster.manifest
patterns build|patterns.manifest
block $block4|
check|
tx 29c25cf0ca03c7b3a0c001bd02e479c2d50f60119463c81d5bd24bdeaaca477f --json|
EOS
finish
