#!/usr/bin/env bash
# ingest_network.sh: `ingest btc` takes the network from the magic of the first block record
# when --network is not given (or is auto): the labelled regtest chain and the mainnet blocks
# (plain and XOR'd) ingest without it to the same store as with it. Testnet4's magic is the
# test network (the same chain rewritten with testnet4's magic ingests as "test", auto or
# given). Errors name the file and the cause: an unknown magic (no store is created), a store
# of another network, a directory mixing testnet3 and testnet4 records, a network given that
# the files contradict.
. "$(dirname "$0")/../lib/cli.sh"
need_shared btc-regtest-labeled-chain btc-mainnet-blocks/derived-xor
REG=$SHARED/btc-regtest-labeled-chain

"$CW_BIN" ingest btc --blocks "$REG" --store "$T/r-given" --network regtest --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$REG" --store "$T/r-auto" --quiet --json > "$T/r-auto.json"
check_eq "regtest chain, no --network: the same store as --network regtest" \
    "$(store_digest "$T/r-auto")" "$(store_digest "$T/r-given")"
check_eq "regtest chain, no --network: JSON names the network" \
    "$(jq -r .network "$T/r-auto.json")" regtest
"$CW_BIN" ingest btc --blocks "$REG" --store "$T/r-auto2" --network auto --quiet > "$T/r-auto2.txt"
check "--network auto: the summary says where the network came from" \
    grep -q "network regtest (from the block files)" "$T/r-auto2.txt"
check_eq "a second run with auto appends nothing and keeps the store" \
    "$("$CW_BIN" ingest btc --blocks "$REG" --store "$T/r-auto" --quiet --json | jq .blocks_added)" 0

XOR=$SHARED/btc-mainnet-blocks/derived-xor
"$CW_BIN" ingest btc --blocks "$XOR" --store "$T/m-given" --network main --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$XOR" --store "$T/m-auto" --quiet --json > "$T/m-auto.json"
check_eq "XOR'd mainnet blocks, no --network: main after de-obfuscation" \
    "$(jq -r .network "$T/m-auto.json")" main
check_eq "XOR'd mainnet blocks: the same store as --network main" \
    "$(store_digest "$T/m-auto")" "$(store_digest "$T/m-given")"

# the same chain with testnet4's magic (1c163f28) on every record, and one with testnet3's
# (0b110907) on the last record only
remagic() { # remagic SRC DST MAGIC_HEX [last]: rewrites each record's 4-byte magic
    /usr/bin/python3 - "$@" << 'EOF'
import os, struct, sys
src, dst, magic = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3])
last_only = len(sys.argv) > 4
os.makedirs(dst, exist_ok=True)
for name in sorted(os.listdir(src)):
    if not (name.startswith("blk") and name.endswith(".dat")):
        continue
    b = bytearray(open(os.path.join(src, name), "rb").read())
    offs, off = [], 0
    while off + 8 <= len(b) and b[off:off + 4] != b"\0\0\0\0":
        offs.append(off)
        off += 8 + struct.unpack_from("<I", b, off + 4)[0]
    for o in offs[-1:] if last_only else offs:
        b[o:o + 4] = magic
    open(os.path.join(dst, name), "wb").write(b)
EOF
}
remagic "$REG" "$T/t4" 1c163f28
"$CW_BIN" ingest btc --blocks "$T/t4" --store "$T/t4-auto" --quiet --json > "$T/t4.json"
check_eq "testnet4 magic, no --network: the test network" "$(jq -r .network "$T/t4.json")" test
check_eq "testnet4 magic: every block ingested" "$(jq .blocks_added "$T/t4.json")" 202
"$CW_BIN" ingest btc --blocks "$T/t4" --store "$T/t4-given" --network test --quiet > /dev/null
check_eq "testnet4 magic: --network test gives the same store" \
    "$(store_digest "$T/t4-given")" "$(store_digest "$T/t4-auto")"
if "$CW_BIN" ingest btc --blocks "$T/t4" --store "$T/t4-reg" --network regtest --quiet \
    > /dev/null 2> "$T/t4-reg.err"; then
    bad "testnet4 blocks as --network regtest: refused"
else
    check "testnet4 blocks as --network regtest: the cause names testnet4" \
        grep -q "blocks of another network: testnet4 (ingest them as test)" "$T/t4-reg.err"
fi
if "$CW_BIN" ingest btc --blocks "$T/t4" --store "$T/r-given" --quiet > /dev/null \
    2> "$T/t4-into-reg.err"; then
    bad "testnet4 blocks into a regtest store: refused"
else
    check "testnet4 blocks into a regtest store: the store's network named" \
        grep -q "store holds the regtest network, not test" "$T/t4-into-reg.err"
fi
remagic "$T/t4" "$T/mixed" 0b110907 last
if "$CW_BIN" ingest btc --blocks "$T/mixed" --store "$T/mixed-s" --quiet > /dev/null \
    2> "$T/mixed.err"; then
    bad "testnet3 record among testnet4 records: refused"
else
    check "testnet3 record among testnet4 records: file, offset and cause" \
        grep -q "blk00000.dat: bad magic 0b110907 at offset .*testnet3 blocks in a directory of testnet4 blocks" \
        "$T/mixed.err"
fi

# an unknown magic at the start: refused before any store exists
mkdir -p "$T/junk"
printf 'JUNK\x10\x00\x00\x00' > "$T/junk/blk00000.dat"
head -c 16 /dev/zero >> "$T/junk/blk00000.dat"
set +e
"$CW_BIN" ingest btc --blocks "$T/junk" --store "$T/junk-s" --quiet > /dev/null 2> "$T/junk.err"
rc=$?
set -e
check_eq "unknown magic: exit code 1" "$rc" 1
check "unknown magic: the file, offset 0 and the magic are named" \
    grep -q "junk/blk00000.dat: offset 0: magic 4a554e4b is no network's" "$T/junk.err"
check "unknown magic: no store was created" test ! -e "$T/junk-s"
finish
