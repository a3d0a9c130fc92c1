#!/usr/bin/env bash
# `chainwatch address` through the address-history index (`chainwatch addrindex`): the same bytes
# as the walk of the store's links (a copy of the store without an index) at six offsets and
# three limits, text and --json, with an index covering part of the store (the newer outputs walked) and
# all of it; the index is really read (two of an address's entries swapped in ent.col show in its
# oldest page: main's build walked and printed the same page); an index that does not match the
# store (built on a longer chain), a damaged manifest and a truncated ent.col fall back to the walk
# with the same answer; and no read creates or changes a file of the store. Since stop 16 also
# addresses with one output, whose page comes from their card (card.col): the same bytes
# (those spent or paid after the partial build have stale cards, not used), and a changed value
# in a card shows (main's build did not read card.col).
source "$(dirname "$0")/../lib/cli.sh"
"$CW_BIN" gen --out "$T/w" --txs 3000 --seed 3 --scenario "$CW_SOURCE_DIR/data/scenarios/quick-heist.json" --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest --to 150 --quiet > /dev/null
"$CW_BIN" addrindex --store "$T/s" > /dev/null
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest --quiet > /dev/null
# the reference: the same store without an index
cp -r "$T/s" "$T/walk"
rm -rf "$T/walk"/addrhist.*
# the deposit addresses most paid (over 100 outputs each), and a miner's
ADDRS=$(cut -d, -f4 "$T/w/truth/deposits.csv" | tail -n +2 | sort | uniq -c | sort -k1,1nr -k2 | awk 'NR <= 2 {print $2}')
MINER=$("$CW_BIN" tx "$("$CW_BIN" block 1 --store "$T/s" --json | jq -r '.txids[0]')" --store "$T/s" --json | jq -r '.outputs[0].address')
A=${ADDRS%%[[:space:]]*}
N=$("$CW_BIN" address "$A" --store "$T/s" --json | jq .outputs)
check "the deep address has over 100 outputs ($N)" [ "$N" -gt 100 ]
snapshot() { (cd "$1" && find . -printf '%p %s %T@\n' | LC_ALL=C sort); }
page() { "$CW_BIN" address "$1" --store "$2" --offset $3 --limit $4 $5 2>&1; echo "exit $?"; }
# the walk's pages, once: 3 addresses x 6 offsets x 2 limits (and limit 1000), text and JSON
mkdir "$T/ref"
CASES=()
for a in $ADDRS $MINER; do
    for off in 0 1 25 $((N - 2)) $((N - 1)) $((N + 5)); do
        for lim in 1 25; do CASES+=("$a $off $lim"); done
    done
    CASES+=("$a 0 1000" "$a 60 1000")
done
# one-output addresses: the outputs of the first txs of blocks 100-140 (in the partial index)
ONE=()
for h in 100 110 120 130 140; do
    for t in $("$CW_BIN" block $h --store "$T/walk" --json | jq -r '.txids[1:4][]'); do
        for a in $("$CW_BIN" tx "$t" --store "$T/walk" --json | jq -r '.outputs[].address // empty'); do
            [ "$("$CW_BIN" address "$a" --store "$T/walk" --json | jq .outputs)" = 1 ] && ONE+=("$a")
        done
    done
done
check "one-output addresses found (${#ONE[@]})" [ ${#ONE[@]} -ge 10 ]
for a in "${ONE[@]}"; do CASES+=("$a 0 25" "$a 0 1"); done
i=0
for c in "${CASES[@]}"; do
    read -r a off lim <<< "$c"
    page "$a" "$T/walk" $off $lim "" > "$T/ref/$i.txt"
    page "$a" "$T/walk" $off $lim --json > "$T/ref/$i.json"
    i=$((i + 1))
done
same_pages() { # same_pages LABEL STORE: every page equals the walk's, text and JSON
    local label=$1 s=$2 diffs=0 i=0 c a off lim
    for c in "${CASES[@]}"; do
        read -r a off lim <<< "$c"
        cmp -s <(page "$a" "$s" $off $lim "") "$T/ref/$i.txt" || diffs=$((diffs + 1))
        cmp -s <(page "$a" "$s" $off $lim --json) "$T/ref/$i.json" || diffs=$((diffs + 1))
        i=$((i + 1))
    done
    check_eq "$label: $((2 * i)) pages equal the walk's byte for byte" "$diffs" 0
}
before=$(snapshot "$T/s")
same_pages "index covering part of the store" "$T/s"
check_eq "the reads created or changed nothing" "$(snapshot "$T/s")" "$before"
"$CW_BIN" addrindex --store "$T/s" > /dev/null
before=$(snapshot "$T/s")
same_pages "index covering all of it" "$T/s"
check_eq "the reads created or changed nothing (covered)" "$(snapshot "$T/s")" "$before"
wbefore=$(snapshot "$T/walk")
"$CW_BIN" address "$A" --store "$T/walk" > /dev/null
check_eq "a read without an index creates nothing" "$(snapshot "$T/walk")" "$wbefore"

# the index is read: swap A's two oldest entries in a copy, and its oldest page shows them swapped
cp -r "$T/s" "$T/swap"
ID=$("$CW_BIN" address "$A" --store "$T/s" --json | jq .id)
G=$(cd "$T/swap" && echo addrhist.[0-9]*)
first=$(od -An -t u8 -j $((64 + 8 * ID)) -N 8 "$T/swap/$G/off.col" | tr -d ' ')
dd if="$T/s/$G/ent.col" of="$T/e0" bs=1 skip=$((64 + 8 * first)) count=8 status=none
dd if="$T/s/$G/ent.col" of="$T/e1" bs=1 skip=$((64 + 8 * (first + 1))) count=8 status=none
dd if="$T/e1" of="$T/swap/$G/ent.col" bs=1 seek=$((64 + 8 * first)) conv=notrunc status=none
dd if="$T/e0" of="$T/swap/$G/ent.col" bs=1 seek=$((64 + 8 * (first + 1))) conv=notrunc status=none
oldest() { "$CW_BIN" address "$A" --store "$1" --offset $((N - 2)) --limit 2 --json | jq -c '[.history[].vout, .history[].txid]'; }
sw=$(oldest "$T/swap")
check "the oldest page comes from the index (swapped entries show)" [ "$sw" != "$(oldest "$T/walk")" ]
check_eq "its two outputs, in the other order" "$(echo "$sw" | jq -c '[.[1], .[0], .[3], .[2]]')" "$(oldest "$T/walk")"

# a one-output address's page comes from its card: a changed value shows (main: the outputs' value)
le64() { local i; for i in 0 1 2 3 4 5 6 7; do printf "\\$(printf '%03o' $(($1 >> (8 * i) & 255)))"; done; }
A1=${ONE[0]}
ID1=$("$CW_BIN" address "$A1" --store "$T/s" --json | jq .id)
V1=$("$CW_BIN" address "$A1" --store "$T/walk" --json | jq '.history[0].value')
cp -r "$T/s" "$T/card"
le64 $((V1 + 1)) | dd of="$T/card/$G/card.col" bs=1 seek=$((64 + 32 * ID1 + 16)) conv=notrunc status=none
check_eq "a changed card's value shows in its page" \
    "$("$CW_BIN" address "$A1" --store "$T/card" --json | jq '.history[0].value')" $((V1 + 1))
rc=0
out=$("$CW_BIN" check --store "$T/card" 2>&1) || rc=$?
check "check fails on the changed card (exit $rc)" [ $rc -ne 0 ]
check "and names its row" grep -q "card.col row $ID1 " <<< "$out"

# an index that does not match the store: built on the whole chain, beside the first 300 blocks
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/short" --network regtest --to 300 --quiet > /dev/null
cp -r "$T/s/$G" "$T/s/addrhist.manifest" "$T/short/"
cp -r "$T/short" "$T/shortwalk"
rm -rf "$T/shortwalk"/addrhist.*
sbefore=$(snapshot "$T/short")
SN=$("$CW_BIN" address "$A" --store "$T/short" --json | jq .outputs)
check "the deep address has outputs there ($SN)" [ "$SN" -gt 10 ]
for off in 0 1 $((SN - 1)); do
    check_eq "an index built on a longer chain is not used (offset $off)" \
        "$("$CW_BIN" address "$A" --store "$T/short" --offset $off --json)" \
        "$("$CW_BIN" address "$A" --store "$T/shortwalk" --offset $off --json)"
done
check_eq "and nothing of it changed" "$(snapshot "$T/short")" "$sbefore"
# on the copy with swapped entries (whose index answers differently): a damaged manifest (its
# checksum no longer holds), then a truncated ent.col: not used, the walk's answer
cp -r "$T/swap" "$T/dam"
sed -i 's/^entries /entries 1/' "$T/dam/addrhist.manifest"
check "the manifest was changed" [ "$(cat "$T/dam/addrhist.manifest")" != "$(cat "$T/swap/addrhist.manifest")" ]
check_eq "a damaged manifest: the walk's answer" "$(oldest "$T/dam")" "$(oldest "$T/walk")"
cp "$T/swap/addrhist.manifest" "$T/dam/"
check_eq "(the manifest restored: the swapped answer)" "$(oldest "$T/dam")" "$sw"
truncate -s 1000 "$T/dam/$G/ent.col"
check_eq "a truncated ent.col: the walk's answer" "$(oldest "$T/dam")" "$(oldest "$T/walk")"

# damaged values, never read past the store (stop 16): A's oldest entry naming an output and a
# tx the store does not hold: the walk's answer; naming the store's last tx, after the output: a
# clear error, nothing printed; a card naming a tx past the store: the walk's answer
le32() { local i; for i in 0 1 2 3; do printf "\\$(printf '%03o' $(($1 >> (8 * i) & 255)))"; done; }
cp -r "$T/s" "$T/big"
{ le32 4294967280; le32 4294967280; } | dd of="$T/big/$G/ent.col" bs=1 seek=$((64 + 8 * first)) conv=notrunc status=none
check_eq "an entry past the store: the walk's answer" "$(oldest "$T/big")" "$(oldest "$T/walk")"
NTX=$(awk '$1 == "txs" { print $2 }' "$T/s/MANIFEST")
cp -r "$T/s" "$T/late"
o0=$(od -An -t u4 -j $((64 + 8 * first)) -N 4 "$T/s/$G/ent.col" | tr -d ' ')
{ le32 "$o0"; le32 $((NTX - 1)); } | dd of="$T/late/$G/ent.col" bs=1 seek=$((64 + 8 * first)) conv=notrunc status=none
rc=0
"$CW_BIN" address "$A" --store "$T/late" --offset $((N - 2)) --limit 2 > "$T/late.out" 2> "$T/late.err" || rc=$?
check "an entry naming a tx after its output: an error (exit $rc)" [ $rc -ne 0 ]
check "... that names the damaged ent.col" grep -q "damaged ent.col" "$T/late.err"
check_eq "... and prints nothing" "$(wc -c < "$T/late.out")" 0
cp -r "$T/s" "$T/cardtx"
le32 4294967280 | dd of="$T/cardtx/$G/card.col" bs=1 seek=$((64 + 32 * ID1 + 12)) conv=notrunc status=none
check_eq "a card naming a tx past the store: the walk's answer" \
    "$("$CW_BIN" address "$A1" --store "$T/cardtx" --json)" "$("$CW_BIN" address "$A1" --store "$T/walk" --json)"
finish
