#!/usr/bin/env bash
# ingest_core28.sh: Bitcoin Core 28+ block directories. Core obfuscates blk files with the key
# in xor.dat, but the space it preallocates with posix_fallocate stays raw zeros on disk, so
# after de-obfuscation the tail reads as repeated key bytes. A generated world written plain and
# XOR'd with a raw zero tail of 0 B, 4 KiB and 16 MiB, in the last file only and in every file
# (so in middle files too), ingests to a byte-identical store (same digest) each time. Framing
# errors name their cause: data after a zero tail after obfuscation, a plain file under an
# xor.dat, blocks of another network, garbage between records.
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
SC=$SRC/data/scenarios/quick-heist.json
KEY=82ade9645bf8675a
gen() { # gen DIR EXTRA...: the same world every time
    local d=$1; shift
    "$CW_BIN" gen --out "$d" --txs 3000 --seed 11 --scenario "$SC" --max-file-size 500000 --quiet \
        "$@" > /dev/null
}
gen "$T/plain"
"$CW_BIN" ingest btc --blocks "$T/plain/blocks" --store "$T/s-plain" --network regtest --quiet
want=$(store_digest "$T/s-plain")
nfiles=$(ls "$T/plain/blocks"/blk*.dat | wc -l)
check "the world spans several blk files" test "$nfiles" -ge 3

for tail in 0 4096 16777216; do
    for files in last all; do
        [ "$tail" = 0 ] && [ "$files" = all ] && continue
        d=$T/x-$tail-$files
        gen "$d" --xor-key $KEY --zero-tail $tail --zero-tail-files $files
        last=$(ls "$d/blocks"/blk*.dat | tail -1)
        mid=$(ls "$d/blocks"/blk*.dat | sed -n 2p)
        plain_last=$T/plain/blocks/$(basename "$last")
        plain_mid=$T/plain/blocks/$(basename "$mid")
        check_eq "$tail B tail ($files): last file is the plain size + tail" \
            "$(stat -c %s "$last")" "$(( $(stat -c %s "$plain_last") + tail ))"
        if [ "$files" = all ]; then
            check_eq "$tail B tail (all): a middle file ends with the tail too" \
                "$(stat -c %s "$mid")" "$(( $(stat -c %s "$plain_mid") + tail ))"
        else
            check_eq "$tail B tail (last): middle files have no tail" \
                "$(stat -c %s "$mid")" "$(stat -c %s "$plain_mid")"
        fi
        if [ "$tail" -gt 0 ]; then
            check_eq "$tail B tail ($files): the tail is raw zeros on disk" \
                "$(tail -c 64 "$last" | od -An -v -tx1 | tr -d ' \n' | tr -d 0)" ""
        fi
        start=$(date +%s%N)
        check "$tail B tail ($files): ingest" "$CW_BIN" ingest btc --blocks "$d/blocks" \
            --store "$T/s-$tail-$files" --network regtest --quiet
        ms=$(( ($(date +%s%N) - start) / 1000000 ))
        check_eq "$tail B tail ($files): the store is byte-identical to the plain copy's ($ms ms)" \
            "$(store_digest "$T/s-$tail-$files")" "$want"
    done
done

expect_fail() { # expect_fail DIR PATTERN...: ingest fails with a message naming each pattern
    local d=$1; shift
    local rc=0
    "$CW_BIN" ingest btc --blocks "$d" --store "$T/s-bad" --network regtest --quiet \
        2> "$T/err" > /dev/null || rc=$?
    if [ "$rc" -eq 0 ] || [ "$rc" -ge 128 ]; then bad "$d: exit $rc"; return; fi
    for pat in "$@"; do
        grep -q -- "$pat" "$T/err" || { bad "message lacks '$pat': $(cat "$T/err")"; return; }
    done
    ok "$(head -c 300 "$T/err")"
    rm -rf "$T/s-bad"
}
# data after a zero tail after obfuscation, in a middle file
d=$T/x-4096-all/blocks
cp -r "$d" "$T/junk"
printf 'J' | dd of="$T/junk/$(basename "$mid")" bs=1 seek=$(( $(stat -c %s "$plain_mid") + 100 )) \
    conv=notrunc status=none
expect_fail "$T/junk" "$(basename "$mid")" "zero tail after obfuscation" \
    "offset $(( $(stat -c %s "$plain_mid") + 100 ))" "cause:"
# a plain directory under someone's xor.dat
cp -r "$T/plain/blocks" "$T/wrongkey"
printf '\x82\xad\xe9\x64\x5b\xf8\x67\x5a' > "$T/wrongkey/xor.dat"
expect_fail "$T/wrongkey" "blk00000.dat" "offset 0" "not obfuscated but xor.dat holds a key"
# regtest blocks read as mainnet
rc=0
"$CW_BIN" ingest btc --blocks "$T/plain/blocks" --store "$T/s-main" --network main --quiet \
    2> "$T/err" > /dev/null || rc=$?
check "regtest blocks read as main fail" test "$rc" -ne 0 -a "$rc" -lt 128
check "... naming the other network" grep -q "another network: regtest" "$T/err"
# garbage between two records of an obfuscated file
cp -r "$T/x-0-last/blocks" "$T/garbage"
f=$T/garbage/blk00000.dat

x=$(od -An -tu4 -j4 -N4 "$T/plain/blocks/blk00000.dat" | tr -d ' ')
printf 'JUNK' | dd of="$f" bs=1 seek=$(( 8 + x )) conv=notrunc status=none
expect_fail "$T/garbage" "blk00000.dat" "bad magic" "offset $(( 8 + x ))" "garbage between records"

finish
