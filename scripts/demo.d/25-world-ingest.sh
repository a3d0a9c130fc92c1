#!/usr/bin/env bash
# demo stage: ingest the generated world (stage 10) into the chain store, check it, load the
# world's ground truth and OFAC's list as labels. Re-running is safe: ingest appends nothing
# new and label imports are idempotent.
set -euo pipefail
W="$OUT/world"
S="$OUT/store"
L="$OUT/labels.db"
if [ ! -e "$W/truth/world.json" ]; then
    "$BIN" gen --out "$W" --txs 200000 --seed 1
fi
"$BIN" ingest btc --blocks "$W/blocks" --store "$S" --network regtest --threads 2
"$BIN" check --store "$S"
"$BIN" labels import gen-truth "$W/truth/addresses.csv" --db "$L" --quiet > /dev/null
if [ -e "$SHARED/ofac-sdn-digital-currency/sdn_advanced.xml.bz2" ]; then
    "$BIN" labels import ofac-xml "$SHARED/ofac-sdn-digital-currency/sdn_advanced.xml.bz2" --db "$L" --quiet > /dev/null
fi
# the counts per asset of each list apart: the world's are made up, OFAC's are real
echo "-- labels per asset from the SYNTHETIC world's ground truth (labels import gen-truth):"
"$BIN" labels count --db "$L" --source "generated world" | grep -v '^store:'
if [ -e "$SHARED/ofac-sdn-digital-currency/sdn_advanced.xml.bz2" ]; then
    echo "-- labels per asset from OFAC's SDN list (real):"
    "$BIN" labels count --db "$L" --source OFAC | grep -v '^store:'
fi
"$BIN" labels count --db "$L" | tail -1
theft=$(awk -F, '$4=="theft" {print $2; exit}' "$W/truth/thief_txs.csv")
if [ -n "$theft" ]; then
    echo "-- the heist transaction, from the store (SYNTHETIC world: its chain and clock are made up):"
    "$BIN" tx "$theft" --store "$S" > "$OUT/heist-tx.txt"
    head -8 "$OUT/heist-tx.txt"
fi
echo "-- look: $BIN tx|block|address ... --store $S ; labels: $BIN labels show ADDR --db $L"
