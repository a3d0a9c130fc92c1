#!/usr/bin/env bash
# Differential test: every transaction of the mainnet fixtures decoded by chainwatch and by
# Debian's python3-bitcoinlib: txids, sizes, output values and output addresses must agree.
source "$(dirname "$0")/../lib/cli.sh"
need_shared btc-mainnet-blocks/mainnet-h0-h438.blk
if ! /usr/bin/python3 -c "import bitcoin" 2>/dev/null; then
    echo "python3-bitcoinlib is missing: scripts/bootstrap.sh installs it"; exit 1
fi
PY="$(dirname "$0")/../diff/bitcoinlib_txs.py"
M=$SHARED/btc-mainnet-blocks
total=0
bzip2 -dc "$M/tx-bb41a757-5569-inputs.tx.bz2" > "$T/megatx.tx"
for f in "$M"/*.block "$M"/*.blk "$T/megatx.tx"; do
    case "$f" in *.block) kind=block; opt=--block ;; *.tx) kind=tx; opt=--tx ;; *) kind=blk; opt=--blk ;; esac
    "$CW_BIN" decode "$opt" "$f" > "$T/out.jsonl"
    if out=$(/usr/bin/python3 "$PY" "$f" "$kind" "$T/out.jsonl"); then ok "$out"; else bad "$out"; fi
    total=$((total + $(grep -c '"txid"' "$T/out.jsonl")))
done
check "all fixture txs compared ($total)" test "$total" -gt 12000
finish
