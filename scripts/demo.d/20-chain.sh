#!/usr/bin/env bash
# demo stage: ingest real mainnet blocks (when ../shared/data is present) and query them.
set -euo pipefail
M="$SHARED/btc-mainnet-blocks"
if [ ! -e "$M/mainnet-h0-h438.blk" ]; then
    echo "(skipping the mainnet sample: $M is absent)"
    exit 0
fi
mkdir -p "$OUT/mainnet-blocks"
ln -sf "$M/mainnet-h0-h438.blk" "$OUT/mainnet-blocks/blk00000.dat"
"$BIN" ingest btc --blocks "$OUT/mainnet-blocks" --store "$OUT/mainnet-store"
"$BIN" check --store "$OUT/mainnet-store"
echo "-- the first bitcoin payment (block 170), and where its change went:"
"$BIN" tx f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16 --store "$OUT/mainnet-store"
echo "-- look: $BIN tx|block|address ... --store $OUT/mainnet-store"
