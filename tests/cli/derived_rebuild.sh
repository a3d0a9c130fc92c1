#!/usr/bin/env bash
# Derived files beside their readers (docs/STORE-FORMAT.md, "Derived files beside readers"):
# the pattern flags, the clusters and the address index are each published as a whole new
# generation folder, and a build removes every other folder whole, also files it does not know
# (a later build's); a reader whose manifest's generation is removed by a build between its read
# of the manifest and its open of the files (the test hook CW_TEST_AFTER_DERIVED_MANIFEST runs
# the build there) opens the new generation and answers.
source "$(dirname "$0")/../lib/cli.sh"
S=$T/s
"$CW_BIN" gen --out "$T/w" --txs 3000 --seed 3 --scenario "$CW_SOURCE_DIR/data/scenarios/quick-heist.json" --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$S" --network regtest --to 100 --quiet > /dev/null
"$CW_BIN" cluster build --store "$S" > /dev/null # builds the flags first
"$CW_BIN" addrindex --store "$S" > /dev/null
check_eq "flags published in a generation folder" "$(cd "$S" && ls -d patterns.[0-9]* 2> /dev/null)" patterns.1
check "no flags beside the manifest" test ! -e "$S/txflags.col"
# a file of a later build's format in each published generation
for d in patterns.1 cluster.1 addrhist.1; do
    [ -d "$S/$d" ] && : > "$S/$d/future.col"
done
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$S" --network regtest --quiet > /dev/null
"$CW_BIN" cluster build --store "$S" > /dev/null
"$CW_BIN" addrindex --store "$S" > /dev/null
check_eq "flags: the old generation removed whole" "$(cd "$S" && ls -d patterns.[0-9]* 2> /dev/null)" patterns.2
check_eq "clusters: the old generation removed whole" "$(cd "$S" && ls -d cluster.[0-9]* 2> /dev/null)" cluster.2
check_eq "index: the old generation removed whole" "$(cd "$S" && ls -d addrhist.[0-9]* 2> /dev/null)" addrhist.2
"$CW_BIN" patterns build --store "$S" --json > "$T/up.json"
check_eq "an up-to-date flags build writes nothing" "$(jq '.txs_before == .txs' "$T/up.json")" true
check_eq "and keeps its generation" "$(cd "$S" && ls -d patterns.[0-9]*)" patterns.2

# a build between a reader's manifest and its files
need_hooks "$S"
TX=$("$CW_BIN" block 150 --store "$S" --json | jq -r '.txids[1]')
A=$("$CW_BIN" tx "$TX" --store "$S" --json | jq -r '[.outputs[].address // empty][0]')
once() { # once NAME CMD...: the hook's command, run by the first reader only
    printf '[ -e %q ] || { : > %q; env -u CW_TEST_AFTER_DERIVED_MANIFEST %s > /dev/null; }' \
        "$T/fired.$1" "$T/fired.$1" "$2"
}
rc=0
CW_TEST_AFTER_DERIVED_MANIFEST=$(once p "rm $S/patterns.manifest && $CW_BIN patterns build --store $S") \
    "$CW_BIN" patterns show "$TX" --store "$S" --json > "$T/p.json" 2> "$T/p.err" || rc=$?
check "flags: the build ran between" test -e "$T/fired.p"
check_eq "flags: the reader answers (exit 0)" "$rc" 0
check_eq "flags: from the new generation only" "$(cd "$S" && ls -d patterns.[0-9]*)" patterns.3
check_eq "flags: the answer is the flags'" "$(jq -r .flags_source "$T/p.json")" "$("$CW_BIN" patterns show "$TX" --store "$S" --json | jq -r .flags_source)"
rc=0
CW_TEST_AFTER_DERIVED_MANIFEST=$(once c "rm $S/cluster.manifest && $CW_BIN cluster build --store $S") \
    "$CW_BIN" cluster show "$A" --store "$S" --json > "$T/c.json" 2> "$T/c.err" || rc=$?
check "clusters: the build ran between" test -e "$T/fired.c"
check_eq "clusters: the reader answers (exit 0)" "$rc" 0
check_eq "clusters: from the new generation only" "$(cd "$S" && ls -d cluster.[0-9]*)" cluster.3
check_eq "clusters: the same answer as a reader after the build" "$(jq -c . "$T/c.json")" "$("$CW_BIN" cluster show "$A" --store "$S" --json | jq -c .)"
rc=0
CW_TEST_AFTER_DERIVED_MANIFEST=$(once a "rm $S/addrhist.manifest && $CW_BIN addrindex --store $S") \
    "$CW_BIN" check --store "$S" > "$T/a.out" 2> "$T/a.err" || rc=$?
check "index: the build ran between" test -e "$T/fired.a"
check_eq "index: check passes (exit 0)" "$rc" 0
check_eq "index: and reads the new generation" "$(grep -c 'address-history index: ok' "$T/a.out")" 1
check_eq "index: one generation" "$(cd "$S" && ls -d addrhist.[0-9]*)" addrhist.3
# the store grows and the clusters are rebuilt in that window: the new generation covers more
# blocks than the reader's store handle, which is said as such (not "reorganised"); asked again
# it answers
G=$T/g
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$G" --network regtest --to 100 --quiet > /dev/null
"$CW_BIN" cluster build --store "$G" > /dev/null
TXG=$("$CW_BIN" block 60 --store "$G" --json | jq -r '.txids[0]')
AG=$("$CW_BIN" tx "$TXG" --store "$G" --json | jq -r '[.outputs[].address // empty][0]')
rc=0
CW_TEST_AFTER_DERIVED_MANIFEST=$(once g "$CW_BIN ingest btc --blocks $T/w/blocks --store $G --network regtest --to 150 --quiet && $CW_BIN cluster build --store $G") \
    "$CW_BIN" cluster show "$AG" --store "$G" > /dev/null 2> "$T/g.err" || rc=$?
check "grown store: the build ran between" test -e "$T/fired.g"
check "grown store: the reader fails (exit $rc)" test "$rc" -ne 0
check "grown store: saying the store grew since it was opened, and to ask again" grep -q "the store grew since it was opened (ask again)" "$T/g.err"
check "asked again it answers" bash -c "'$CW_BIN' cluster show '$AG' --store '$G' > /dev/null"
finish
