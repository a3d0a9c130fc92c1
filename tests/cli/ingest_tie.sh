#!/usr/bin/env bash
# A tie at the tip: mainnet blocks 0-101 and S, a coinbase-only sibling of block 101 (same bits,
# so equal work). The store keeps the block seen first in file order (blk file number, then
# offset), as Core keeps its first-seen tip, whichever hash is smaller: in both file orders, in
# a fresh ingest and in a rerun that sees the other sibling later (no switch). A sibling written
# before its parent counts as seen when the parent is read.
source "$(dirname "$0")/../lib/cli.sh"
need_shared btc-mainnet-blocks/mainnet-h0-h438.blk
M=$SHARED/btc-mainnet-blocks/mainnet-h0-h438.blk
# mk OUT FIRST LAST: blocks FIRST..LAST of the mainnet file; mk OUT S lo|hi: a sibling S of block
# 101 whose hash (as bytes in the header) sorts below / above the real one's, so that neither file
# order can pass by the hash
mk() {
    /usr/bin/python3 - "$M" "$@" <<'PY'
import sys, struct, hashlib
src, out, what = sys.argv[1], sys.argv[2], sys.argv[3:]
d = open(src, 'rb').read()
recs, off = [], 0
while off < len(d):
    n = int.from_bytes(d[off + 4:off + 8], 'little')
    recs.append(d[off:off + 8 + n]); off += 8 + n
h = lambda b: hashlib.sha256(hashlib.sha256(b).digest()).digest()
if what[0] == 'S':
    prev = h(recs[100][8:88])
    cb = bytes.fromhex('01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff'
                       '0603650000cafeffffffff0100f2052a010000001976a914' + '33' * 20 + '88ac00000000')
    real = h(recs[101][8:88])
    for nonce in range(1 << 20):
        blk = struct.pack('<i', 1) + prev + h(cb) + struct.pack('<III', 1231470000, 0x1d00ffff, nonce) + b'\x01' + cb
        if (h(blk[:80]) < real) == (what[1] == 'lo'):
            break
    open(out, 'wb').write(bytes.fromhex('f9beb4d9') + struct.pack('<I', len(blk)) + blk)
    print(h(blk[:80])[::-1].hex())
else:
    open(out, 'wb').write(b''.join(recs[int(what[0]):int(what[1]) + 1]))
PY
}
tip() { "$CW_BIN" block 101 --store "$1" --json | jq -r .hash; }
tipjson() { "$CW_BIN" ingest btc --blocks "$1" --store "$2" --json | jq -c '[.tip_height, .rolled_back]'; }
mkdir -p "$T/a" "$T/b" "$T/c"
mk "$T/a/blk00000.dat" 0 101
REAL=$("$CW_BIN" ingest btc --blocks "$T/a" --store "$T/real" --quiet > /dev/null && tip "$T/real")
S=$(mk "$T/a/blk00001.dat" S lo)
mkdir -p "$T/hi"
SHI=$(mk "$T/hi/blk00001.dat" S hi)
ok "real 101 $REAL, siblings S $S (lower hash) and $SHI (higher)"
# 1. real 101 first (file 0), S after it (file 1)
check_eq "real first: [tip, rolled back]" "$(tipjson "$T/a" "$T/sa")" "[101,0]"
check_eq "real first: the tip is the real block 101" "$(tip "$T/sa")" "$REAL"
# 2. S first: blocks 0-100 in file 0, S in file 1, the real 101 in file 2
mk "$T/b/blk00000.dat" 0 100
cp "$T/a/blk00001.dat" "$T/b/blk00001.dat"
mk "$T/b/blk00002.dat" 101 101
check_eq "S first: [tip, rolled back]" "$(tipjson "$T/b" "$T/sb")" "[101,0]"
check_eq "S first: the tip is S" "$(tip "$T/sb")" "$S"
cp "$T/b/blk00000.dat" "$T/b/blk00002.dat" "$T/hi/"
check_eq "S first, S's hash the higher: the tip is S" "$(tipjson "$T/hi" "$T/shi" >/dev/null; tip "$T/shi")" "$SHI"
# 3. resume: a store already ending on one sibling keeps it when a rerun sees the other
mkdir -p "$T/r"
mk "$T/r/blk00000.dat" 0 101
"$CW_BIN" ingest btc --blocks "$T/r" --store "$T/sr" --quiet > /dev/null
cp "$T/a/blk00001.dat" "$T/r/blk00001.dat"
check_eq "rerun seeing S later: no reorg" "$(tipjson "$T/r" "$T/sr")" "[101,0]"
check_eq "rerun: still the real 101" "$(tip "$T/sr")" "$REAL"
check_eq "rerun: equals a fresh ingest of both files" "$(store_digest "$T/sr")" "$(store_digest "$T/sa")"
# 4. resume from 0-100: a rerun that sees both siblings picks the first in file order
"$CW_BIN" ingest btc --blocks "$T/b" --store "$T/s100" --to 100 --quiet > /dev/null
check_eq "from 100, S first in the files: S" "$(tipjson "$T/b" "$T/s100" | jq -c . && tip "$T/s100")" "[101,0]
$S"
# 5. S written before its parent (file 0), blocks 0-101 after: S is seen when block 100 is read,
#    before the real 101 in the same file, so S is the tip
cp "$T/a/blk00001.dat" "$T/c/blk00000.dat"
cp "$T/a/blk00000.dat" "$T/c/blk00001.dat"
check_eq "S before its parent: [tip, rolled back]" "$(tipjson "$T/c" "$T/sc")" "[101,0]"
check_eq "S before its parent: S is the tip" "$(tip "$T/sc")" "$S"
for s in sa sb shi sr s100 sc; do check "$s checks" "$CW_BIN" check --store "$T/$s"; done
finish
