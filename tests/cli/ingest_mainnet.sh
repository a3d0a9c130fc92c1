#!/usr/bin/env bash
# Mainnet blocks 0-438: plain, hash-sorted with zero padding, and XOR'd copies give identical
# stores; genesis, block 170 and the early peel chain can be followed with tx queries; block
# 277647 with its prevouts shows the fee 4,737,355 sat; check passes; a re-run adds nothing.
source "$(dirname "$0")/../lib/cli.sh"
need_shared btc-mainnet-blocks/mainnet-h0-h438.blk btc-mainnet-blocks/derived-xor/xor.dat
M=$SHARED/btc-mainnet-blocks
mkdir -p "$T/plain" "$T/sorted"
ln -s "$M/mainnet-h0-h438.blk" "$T/plain/blk00000.dat"
ln -s "$M/derived-h0-h438-hash-sorted-zeropad.blk" "$T/sorted/blk00000.dat"
"$CW_BIN" ingest btc --blocks "$T/plain" --store "$T/s1" --json > "$T/i1.json"
check_eq "plain: 439 blocks" "$(jq .blocks_added "$T/i1.json")" 439
check_eq "plain: 446 txs" "$(jq .txs_added "$T/i1.json")" 446
check_eq "plain: tip 438" "$(jq .tip_height "$T/i1.json")" 438
"$CW_BIN" ingest btc --blocks "$T/sorted" --store "$T/s2" --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$M/derived-xor" --store "$T/s3" --threads 2 > /dev/null
d1=$(store_digest "$T/s1")
check_eq "hash-sorted zero-padded copy gives the identical store" "$(store_digest "$T/s2")" "$d1"
check_eq "XOR'd copy (2 threads) gives the identical store" "$(store_digest "$T/s3")" "$d1"
"$CW_BIN" ingest btc --blocks "$T/plain" --store "$T/s1" --json > "$T/i2.json"
check_eq "second run appends nothing" "$(jq .blocks_added "$T/i2.json")" 0
check_eq "second run leaves the store identical" "$(store_digest "$T/s1")" "$d1"
check "check passes" "$CW_BIN" check --store "$T/s1"

tx() { "$CW_BIN" tx "$1" --store "$T/s1" --json; }
g=$("$CW_BIN" block 0 --store "$T/s1" --json)
check_eq "genesis hash" "$(jq -r .hash <<<"$g")" 000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f
check_eq "genesis merkle = coinbase txid" "$(jq -r '.txids[0]' <<<"$g")" 4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b
gt=$(tx 4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b)
check_eq "genesis coinbase pays 50 BTC" "$(jq '.outputs[0].value' <<<"$gt")" 5000000000
check_eq "genesis address" "$(jq -r '.outputs[0].address' <<<"$gt")" 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa

# block 170: the first non-coinbase tx
t170=$(tx f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16)
check_eq "170 height" "$(jq .height <<<"$t170")" 170
check_eq "170 spends block 9 coinbase" "$(jq -r '.inputs[0].prev_txid + ":" + (.inputs[0].prev_vout|tostring)' <<<"$t170")" 0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9:0
check_eq "170 outputs 10 and 40 BTC" "$(jq -c '[.outputs[].value]' <<<"$t170")" "[1000000000,4000000000]"
check_eq "170 fee 0" "$(jq .fee <<<"$t170")" 0
# the peel chain 170 -> 181 -> 182 -> 183 -> 248, following spent_by of the change output
cur=f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16
chain=""
for expect in a16f3ce4dd5deb92d98ef5cf8afeaf0775ebca408f708b2146c4fb42b41e14be \
              591e91f809d716912ca1d4a9295e70c3e78bab077683f79350f101da64588073 \
              12b5633bad1f9c167d523ad1aa1947b2732a865bf5414eab2f9e5ae5d5c191ba \
              828ef3b079f9c23829c56fe86e85b4a69d9e06e5b54ea597eef5fb3ffef509fe; do
    next=$(tx "$cur" | jq -r '.outputs[1].spent_by')
    check_eq "peel chain: change of ${cur:0:8} is spent by ${expect:0:8}" "$next" "$expect"
    cur=$next
done
check_eq "248: outputs 10 / 18 BTC" "$(tx 828ef3b079f9c23829c56fe86e85b4a69d9e06e5b54ea597eef5fb3ffef509fe | jq -c '[.outputs[].value]')" "[1000000000,1800000000]"
check_eq "183:0 peel spent at 187" "$(tx 12b5633bad1f9c167d523ad1aa1947b2732a865bf5414eab2f9e5ae5d5c191ba | jq -r '.outputs[0].spent_by[0:8]')" 4385fcf8
check_eq "182:0 peel spent at 221" "$(tx 591e91f809d716912ca1d4a9295e70c3e78bab077683f79350f101da64588073 | jq -r '.outputs[0].spent_by[0:8]')" 298ca204
check_eq "182 height" "$(tx 591e91f809d716912ca1d4a9295e70c3e78bab077683f79350f101da64588073 | jq .height)" 182
a=$("$CW_BIN" address 12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S --store "$T/s1" --json)
check_eq "Satoshi's block-9 key received 50 + 40 + 30 + ... BTC" "$(jq '.received > 5000000000' <<<"$a")" true

# block 277647 with its prevouts
mkdir -p "$T/b277647"
ln -s "$M/h277647.blk" "$T/b277647/blk00000.dat"
"$CW_BIN" ingest btc --blocks "$T/b277647" --store "$T/s4" --prevouts "$M/h277647.utxostore" --quiet > /dev/null
b=$("$CW_BIN" block 277647 --store "$T/s4" --json)
check_eq "277647: fees 4,737,355 sat" "$(jq .fees <<<"$b")" 4737355
check_eq "277647: coinbase 2,504,737,355 sat" "$(jq .coinbase_value <<<"$b")" 2504737355
check "277647 store checks" "$CW_BIN" check --store "$T/s4"
"$CW_BIN" ingest btc --blocks "$T/b277647" --store "$T/s5" --quiet > /dev/null
check_eq "277647 without prevouts: fees unknown, not wrong" "$("$CW_BIN" block 277647 --store "$T/s5" --json | jq .fees)" null
finish
