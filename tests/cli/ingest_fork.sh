#!/usr/bin/env bash
# Forks: ingest 0-4, then the 3A-4A-5A side chain block by block: the store ends on the most-work
# chain (5A at height 5), block 4 rolled back; equal to ingesting everything at once.
source "$(dirname "$0")/../lib/cli.sh"
need_shared btc-synthetic-fork-blocks/blk_0_to_4.dat
F=$SHARED/btc-synthetic-fork-blocks
mkdir -p "$T/b"
cp "$F/blk_0_to_4.dat" "$T/b/blk00000.dat"
"$CW_BIN" ingest btc --blocks "$T/b" --store "$T/s" --json > "$T/r0"
check_eq "0-4: tip 4" "$(jq .tip_height "$T/r0")" 4
check_eq "tip is block 4" "$("$CW_BIN" block 4 --store "$T/s" --json | jq -r .hash)" 000000002f264d6504013e73b9c913de9098d4d771c1bb219af475d2a01b128e
cp "$F/blk_3A.dat" "$T/b/blk00001.dat"
"$CW_BIN" ingest btc --blocks "$T/b" --store "$T/s" --json > "$T/r1"
check_eq "3A alone has less work: no reorg" "$(jq .rolled_back "$T/r1")" 0
cp "$F/blk_4A.dat" "$T/b/blk00002.dat"
"$CW_BIN" ingest btc --blocks "$T/b" --store "$T/s" --json > "$T/r2"
check_eq "4A ties: the store keeps its tip" "$(jq .rolled_back "$T/r2")" 0
check_eq "still block 4" "$("$CW_BIN" block 4 --store "$T/s" --json | jq -r .hash)" 000000002f264d6504013e73b9c913de9098d4d771c1bb219af475d2a01b128e
cp "$F/blk_5A.dat" "$T/b/blk00003.dat"
"$CW_BIN" ingest btc --blocks "$T/b" --store "$T/s" --json > "$T/r3"
check_eq "5A: blocks 3 and 4 rolled back" "$(jq .rolled_back "$T/r3")" 2
check_eq "5A: 3 blocks added" "$(jq .blocks_added "$T/r3")" 3
check_eq "tip height 5" "$(jq .tip_height "$T/r3")" 5
check_eq "tip is 5A" "$("$CW_BIN" block 5 --store "$T/s" --json | jq -r .hash)" 00000000195f85184e77c18914bd0febd11278d950f5e4731a38f71ed79f044e
check_eq "height 4 is now 4A" "$("$CW_BIN" block 4 --store "$T/s" --json | jq -r .hash)" 00000000551dc04c148242d1f648802577df8cf7d4e1b469211016280204a2bf
check "block 4 is gone" bash -c "! '$CW_BIN' block 000000002f264d6504013e73b9c913de9098d4d771c1bb219af475d2a01b128e --store '$T/s' 2>/dev/null"
check "the reorged store checks" "$CW_BIN" check --store "$T/s"
# the block-2 tx spends the block-1 coinbase; after the reorg it still does
check_eq "block 2 tx survives" "$("$CW_BIN" tx 29c25cf0ca03c7b3a0c001bd02e479c2d50f60119463c81d5bd24bdeaaca477f --store "$T/s" --json | jq -c '[.outputs[].value]')" "[1000000000,4000000000]"
"$CW_BIN" ingest btc --blocks "$T/b" --store "$T/one" --quiet > /dev/null
check_eq "equals one ingest of all four files" "$(store_digest "$T/one")" "$(store_digest "$T/s")"
# --to stops early and never rolls back
"$CW_BIN" ingest btc --blocks "$T/b" --store "$T/to" --to 2 --json > "$T/r4"
check_eq "--to 2" "$(jq .tip_height "$T/r4")" 2
finish
