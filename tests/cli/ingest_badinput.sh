#!/usr/bin/env bash
# Bad input: truncated file, bad magic, garbage between records, garbage after the zero tail, a
# size running past the end of the file, an oversized CompactSize, a tx count that cannot fit,
# a merkle root that does not match, a double spend, a spend of an output that does not exist:
# each gives a clear error naming the file and the offset,
# a non-zero exit, no crash, and leaves the store exactly at its last commit.
source "$(dirname "$0")/../lib/cli.sh"
need_shared btc-mainnet-blocks/mainnet-h0-h438.blk
M=$SHARED/btc-mainnet-blocks
mkdir -p "$T/good"
ln -s "$M/mainnet-h0-h438.blk" "$T/good/blk00000.dat"
"$CW_BIN" ingest btc --blocks "$T/good" --store "$T/s" --to 100 --quiet > /dev/null
before=$(store_digest "$T/s")
TIP=$("$CW_BIN" block 100 --store "$T/s" --json | jq -r .hash)

case_dir() { # case_dir NAME: a blocks dir whose blk00000.dat is made by python from stdin
    mkdir -p "$T/$1"
    /usr/bin/python3 - "$M/mainnet-h0-h438.blk" "$T/$1/blk00000.dat" "$TIP"
}
expect_fail() { # expect_fail NAME PATTERN...: ingest fails, message matches, store unchanged
    local name=$1; shift
    local rc=0
    "$CW_BIN" ingest btc --blocks "$T/$name" --store "$T/s" --quiet > "$T/$name.out" 2> "$T/$name.err" || rc=$?
    if [ "$rc" -eq 0 ]; then bad "$name: ingest succeeded"; return; fi
    if [ "$rc" -ge 128 ]; then bad "$name: crashed (exit $rc)"; cat "$T/$name.err" >&2; return; fi
    for pat in "$@"; do
        if ! grep -q -- "$pat" "$T/$name.err"; then
            bad "$name: message lacks '$pat': $(cat "$T/$name.err")"; return
        fi
    done
    ok "$name: $(head -c 200 "$T/$name.err")"
    check_eq "$name: store still at its last commit" "$(store_digest "$T/s")" "$before"
}

case_dir truncated <<'PY'
import sys; d=open(sys.argv[1],'rb').read(); open(sys.argv[2],'wb').write(d[:50000])
PY
expect_fail truncated "blk00000.dat" "offset" "remain"

case_dir badmagic <<'PY'
import sys; d=bytearray(open(sys.argv[1],'rb').read()); n=8+int.from_bytes(d[4:8],'little'); d[n]^=0xff; open(sys.argv[2],'wb').write(d)
PY
expect_fail badmagic "blk00000.dat" "bad magic" "offset 293"

case_dir garbage <<'PY'
import sys; d=open(sys.argv[1],'rb').read(); n=8+int.from_bytes(d[4:8],'little'); open(sys.argv[2],'wb').write(d[:n]+b'JUNK!'+d[n:])
PY
expect_fail garbage "blk00000.dat" "offset 293" "garbage"

case_dir tailgarbage <<'PY'
import sys; d=open(sys.argv[1],'rb').read(); open(sys.argv[2],'wb').write(d+bytes(4096)+b'\x01'+bytes(10))
PY
expect_fail tailgarbage "blk00000.dat" "garbage" "offset $((99969 + 4096))"

case_dir pastend <<'PY'
import sys; d=bytearray(open(sys.argv[1],'rb').read()); d[4:8]=(10**6).to_bytes(4,'little'); open(sys.argv[2],'wb').write(d)
PY
expect_fail pastend "blk00000.dat" "offset 0" "remain"

# blocks that extend the tip but whose body is broken: found only when decoded. Each is a sibling
# of the real block 101 with equal work, written in blk00000.dat before the real chain in
# blk00001.dat, so it is seen first and taken (the tie rule keeps the first-seen block).
for c in bigcompact:ff0000000000000001 nofit:fd0010 badmerkle:01; do
    name=${c%%:*}; body=${c#*:}
    mkdir -p "$T/$name"; ln -s "$M/mainnet-h0-h438.blk" "$T/$name/blk00001.dat"
    /usr/bin/python3 - "$T/$name/blk00000.dat" "$TIP" "$body" <<'PY'
import sys, struct
out, tip, body = sys.argv[1], bytes.fromhex(sys.argv[2])[::-1], bytes.fromhex(sys.argv[3])
hdr = struct.pack('<i', 1) + tip + bytes(32) + struct.pack('<III', 1231470000, 0x1d00ffff, 7)
if body == b'\x01':  # one well-formed coinbase tx, but the header's merkle root is zero
    body += bytes.fromhex('01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff0704ffff001d0102ffffffff0100f2052a01000000434104'
                          + '11'*64 + 'ac00000000')
blk = hdr + body
# pad the file so the header scan sees the whole record, as Core's preallocation does
open(out, 'wb').write(bytes.fromhex('f9beb4d9') + struct.pack('<I', len(blk)) + blk + bytes(64))
PY
done
# --to 101 so that the broken block 101 is on the chosen chain (blocks 101..438 are in blk00001)
"$CW_BIN" ingest btc --blocks "$T/bigcompact" --store "$T/s" --to 101 --quiet 2> "$T/x.err" && bad "sanity" || true
expect_to() { # like expect_fail with --to 101
    local name=$1; shift
    local rc=0
    "$CW_BIN" ingest btc --blocks "$T/$name" --store "$T/s" --to 101 --quiet > /dev/null 2> "$T/$name.err" || rc=$?
    if [ "$rc" -eq 0 ] || [ "$rc" -ge 128 ]; then bad "$name: exit $rc"; cat "$T/$name.err" >&2; return; fi
    for pat in "$@"; do
        grep -q -- "$pat" "$T/$name.err" || { bad "$name: message lacks '$pat': $(cat "$T/$name.err")"; return; }
    done
    ok "$name: $(head -c 200 "$T/$name.err")"
    check_eq "$name: store still at its last commit" "$(store_digest "$T/s")" "$before"
}
expect_to bigcompact "blk00000.dat" "oversized CompactSize" "offset 88"
expect_to nofit "blk00000.dat" "cannot fit" "offset 88"
expect_to badmerkle "blk00000.dat" "merkle root"
# well-formed blocks whose txs spend badly: checked when the batch is committed
for c in doublespend badvout; do
    mkdir -p "$T/$c"; ln -s "$M/mainnet-h0-h438.blk" "$T/$c/blk00001.dat"
    /usr/bin/python3 - "$T/$c/blk00000.dat" "$TIP" "$c" <<'PY'
import sys, struct, hashlib
out, tip, case = sys.argv[1], bytes.fromhex(sys.argv[2])[::-1], sys.argv[3]
d = lambda b: hashlib.sha256(hashlib.sha256(b).digest()).digest()
cb = bytes.fromhex('01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff'
                   '0603650000cafeffffffff0100f2052a010000001976a914' + '22'*20 + '88ac00000000')
b1 = bytes.fromhex('0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098')[::-1]
def spend(vout, tag):  # spends block 1's coinbase output `vout` (signatures are not checked)
    return (struct.pack('<i', 1) + b'\x01' + b1 + struct.pack('<I', vout) + b'\x01' + bytes([tag])
            + b'\xff\xff\xff\xff' + b'\x01' + struct.pack('<q', 1000) + b'\x01\x51' + bytes(4))
txs = [cb, spend(0, 1), spend(0, 2)] if case == 'doublespend' else [cb, spend(7, 1)]
level = [d(t) for t in txs]
while len(level) > 1:
    if len(level) % 2: level.append(level[-1])
    level = [d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
# equal work to the real block 101 and written before it: the first seen (the tie rule)
hdr = struct.pack('<i', 1) + tip + level[0] + struct.pack('<III', 1231470000, 0x1d00ffff, 0)
blk = hdr + bytes([len(txs)]) + b''.join(txs)
open(out, 'wb').write(bytes.fromhex('f9beb4d9') + struct.pack('<I', len(blk)) + blk + bytes(64))
PY
done
expect_to doublespend "block 101 tx" "double-spends output 0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098:0" "$T/s stays at its last commit, tip height 100 (101 blocks)"
# a failed first ingest into a new folder: nothing committed, an empty store that checks, opens
# and resumes
rc=0
"$CW_BIN" ingest btc --blocks "$T/doublespend" --store "$T/new" --to 101 --quiet 2> "$T/new.err" || rc=$?
check_eq "new store, double spend: exit 1" "$rc" 1
check "new store: says nothing was committed" grep -q "double-spends output.*; nothing was committed: $T/new is an empty store" "$T/new.err"
check "new store: the empty store checks" "$CW_BIN" check --store "$T/new"
rc=0; "$CW_BIN" block 5 --store "$T/new" 2> "$T/new5.err" || rc=$?
check_eq "new store: block 5 is not found (exit 3)" "$rc" 3
check "new store: says the store is empty" grep -q "height 5 is not in the store (it is empty)" "$T/new5.err"
check_eq "new store: a rerun up to 100 resumes" "$("$CW_BIN" ingest btc --blocks "$T/doublespend" --store "$T/new" --to 100 --json | jq .tip_height)" 100
expect_to badvout "block 101 tx" "spends output 7 of a tx with 1 outputs"
check "the store still checks" "$CW_BIN" check --store "$T/s"
rc=0; "$CW_BIN" ingest btc --blocks "$T/nonexistent" --store "$T/s" 2>/dev/null || rc=$?
check_eq "missing blocks dir: exit 3" "$rc" 3
rc=0; "$CW_BIN" ingest btc --store "$T/s" 2>/dev/null || rc=$?
check_eq "missing --blocks: usage exit 2" "$rc" 2
finish
