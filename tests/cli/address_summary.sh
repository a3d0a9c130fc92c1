#!/usr/bin/env bash
# The per-address summary column (addrsum.col): address lookups read totals in constant time,
# so the totals must equal what the outputs say, through commits, reorgs and crashes.
# Truth: mainnet history (Satoshi's 12cbQ… coinbase change chain, blocks 9-248) and the
# `check` pass, which recomputes every summary from outputs.col in one sorted pass (a second
# implementation, not the writer's incremental one).
source "$(dirname "$0")/../lib/cli.sh"
need_shared btc-mainnet-blocks/mainnet-h0-h438.blk btc-synthetic-fork-blocks/blk_5A.dat
mkdir -p "$T/b"
ln -s "$SHARED/btc-mainnet-blocks/mainnet-h0-h438.blk" "$T/b/blk00000.dat"
"$CW_BIN" ingest btc --blocks "$T/b" --store "$T/m" --commit-txs 50 --quiet > /dev/null
A=12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S
"$CW_BIN" address $A --store "$T/m" --json > "$T/a.json"
# block 9 coinbase 50 BTC; change of 170, 181, 182, 183, 248: 40, 30, 29, 28, 18 BTC
check_eq "received 195 BTC" "$(jq .received "$T/a.json")" 19500000000
check_eq "sent 177 BTC" "$(jq .sent "$T/a.json")" 17700000000
check_eq "balance 18 BTC" "$(jq .balance "$T/a.json")" 1800000000
check_eq "6 outputs, 1 unspent" "$(jq -c '[.outputs, .unspent_outputs]' "$T/a.json")" "[6,1]"
check_eq "6 txs (9, 170, 181, 182, 183, 248)" "$(jq .tx_count "$T/a.json")" 6
check_eq "first and last seen" "$(jq -c '[.first_seen.height, .last_seen.height]' "$T/a.json")" "[9,248]"
"$CW_BIN" address $A --store "$T/m" --json --offset 1 --limit 2 > "$T/p.json"
check_eq "page by outputs, newest first" "$(jq -c '[.history[].height]' "$T/p.json")" "[183,182]"
check_eq "page says more" "$(jq .more "$T/p.json")" true
check_eq "page txs: paying and spending, newest first" "$(jq -c '[.txs[].height]' "$T/p.json")" "[248,183,182]"
check "mainnet store checks (summaries recomputed)" "$CW_BIN" check --store "$T/m"

# a generated world: many spends, small commits
"$CW_BIN" gen --out "$T/w" --txs 20000 --seed 7 --scenario "$CW_SOURCE_DIR/data/scenarios/quick-heist.json" --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/g" --network regtest --commit-txs 3000 --quiet > /dev/null
check "world store checks" "$CW_BIN" check --store "$T/g"
ref=$(store_digest "$T/g")
# crashes inside commits, then resume: same bytes, summaries verified
for n in 3 7 12; do
    rm -rf "$T/c"
    crash_at $n "$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/c" --network regtest --commit-txs 3000 --quiet || true
    "$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/c" --network regtest --commit-txs 3000 --quiet > /dev/null
    check_eq "crash point $n: resumed store equals the uninterrupted one" "$(store_digest "$T/c")" "$ref"
done
check "resumed store checks" "$CW_BIN" check --store "$T/c"

# a damaged summary is caught, naming the file
cp -r "$T/g" "$T/d"
printf '\x01' | dd of="$T/d/addrsum.col" bs=1 seek=$((64 + 32 * 5)) conv=notrunc status=none
rc=0; "$CW_BIN" check --store "$T/d" > "$T/d.out" 2>&1 || rc=$?
check_eq "damaged summary: check exits 4" "$rc" 4
check "damaged summary: named" grep -q 'addrsum.col row 5' "$T/d.out"

# a reorg rolls summaries back (rebuilt from the outputs that remain)
F=$SHARED/btc-synthetic-fork-blocks
mkdir -p "$T/f"
cp "$F/blk_0_to_4.dat" "$T/f/blk00000.dat"
"$CW_BIN" ingest btc --blocks "$T/f" --store "$T/fs" --quiet > /dev/null
cp "$F/blk_3A.dat" "$T/f/blk00001.dat"; cp "$F/blk_4A.dat" "$T/f/blk00002.dat"; cp "$F/blk_5A.dat" "$T/f/blk00003.dat"
"$CW_BIN" ingest btc --blocks "$T/f" --store "$T/fs" --quiet > /dev/null
check "after the reorg the store checks" "$CW_BIN" check --store "$T/fs"
finish
