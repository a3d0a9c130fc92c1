#!/usr/bin/env bash
# --verify-witness: a generated world (segwit and taproot spends, a BIP141 commitment in every
# coinbase) ingests with every commitment checked, into the same store as without the check;
# a block whose witness commitment is wrong is refused, naming the file and the block.
source "$(dirname "$0")/../lib/cli.sh"
"$CW_BIN" gen --out "$T/w" --txs 12000 --seed 5 > /dev/null
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/a" --network regtest --quiet > /dev/null
check "ingest --verify-witness of a generated world" \
    "$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/b" --network regtest --verify-witness --quiet
check_eq "same store with and without the check" "$(store_digest "$T/b")" "$(store_digest "$T/a")"
# flip one byte of the witness commitment of the last block's coinbase (tag 6a24aa21a9ed)
mkdir -p "$T/bad"
cp "$T/w/blocks"/blk*.dat "$T/bad/"
last=$(ls "$T/bad"/blk*.dat | tail -1)
/usr/bin/python3 - "$last" <<'PY'
import sys
p = sys.argv[1]; d = bytearray(open(p, 'rb').read())
i = d.rfind(bytes.fromhex('6a24aa21a9ed'))
assert i > 0
d[i + 6] ^= 1
open(p, 'wb').write(d)
PY
rc=0
"$CW_BIN" ingest btc --blocks "$T/bad" --store "$T/c" --network regtest --verify-witness --quiet 2> "$T/err" > /dev/null || rc=$?
check_eq "a wrong commitment: exit 1" "$rc" 1
check "the message names the commitment and the file" grep -q "blk.*witness commitment does not match" "$T/err"
finish
