#!/usr/bin/env bash
# cli_onchain_time.sh: the text output of tx, block and address gives on-chain times in UTC
# (RFC 3339), not bare heights or epoch seconds: an investigator reads "when" from the text as
# the dashboard shows it. Each time is checked against the same query's --json "time" (epoch
# seconds), converted by date(1). Real data: mainnet blocks 0-438 and ethereum-etl block 483920.
. "$(dirname "$0")/../lib/cli.sh"
need_shared btc-mainnet-blocks/mainnet-h0-h438.blk eth-etl-csv/transactions_483920.csv
utc() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

mkdir -p "$T/blocks"
ln -s "$SHARED/btc-mainnet-blocks/mainnet-h0-h438.blk" "$T/blocks/blk00000.dat"
"$CW_BIN" ingest btc --blocks "$T/blocks" --store "$T/s" --quiet > /dev/null
TX=f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16 # block 170
t=$("$CW_BIN" tx $TX --store "$T/s" --json | jq .time)
check_eq "tx 170's time in the JSON is block 170's" "$t" 1231731025
check "tx: the text gives the on-chain time" \
    grep -q "^  block 170 [0-9a-f]\{64\}  time $(utc "$t")$" <("$CW_BIN" tx $TX --store "$T/s")
check "block: the text gives the time in UTC" \
    grep -q "^  height 170  time 2009-01-12T03:30:25Z  txs 2" <("$CW_BIN" block 170 --store "$T/s")
A=12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S
"$CW_BIN" address $A --store "$T/s" --json > "$T/a.json"
"$CW_BIN" address $A --store "$T/s" > "$T/a.txt"
check_eq "address: first and last seen with their times" "$(grep '^  first seen' "$T/a.txt")" \
    "  first seen at height 9 ($(utc "$(jq .first_seen.time "$T/a.json")")), last at 248 ($(utc "$(jq .last_seen.time "$T/a.json")"))"
check_eq "address: each tx of the page with its time" \
    "$(grep -E '^  [0-9]+ ' "$T/a.txt" | head -1)" \
    "  $(jq -r '.txs[0].height' "$T/a.json") $(utc "$(jq '.txs[0].time' "$T/a.json")") $(jq -r '.txs[0].txid' "$T/a.json")"

mkdir -p "$T/evm"
for k in blocks transactions receipts logs token_transfers; do
    ln -s "$SHARED/eth-etl-csv/${k}_483920.csv" "$T/evm/$k.csv"
done
"$CW_BIN" ingest evm --csv "$T/evm" --store "$T/e" --chain ethereum --quiet > /dev/null
et=$("$CW_BIN" block 483920 --store "$T/e" --json | jq .time)
check "EVM block: the text gives the time in UTC" \
    grep -q "^  time $(utc "$et")  miner " <("$CW_BIN" block 483920 --store "$T/e")
finish
