#!/usr/bin/env bash
# demo stage: follow the money of the generated world's heist. Uses $OUT/world (generated) and
# $OUT/store (ingested) when an earlier stage made them (10-gen, 25-world-ingest), else makes
# them here (200,000 txs, the default heist scenario). Labels: $OUT/labels.db (stage 25: the
# world's ground truth and OFAC) when present, else made here from the ground truth (every
# address that is not an individual user's). Then: FIFO trace from the stolen outputs, the
# truth beside it, and the exposure screen of one deposit address. Re-running reuses all.
set -euo pipefail
W="$OUT/world"
S="$OUT/store"
L="$OUT/world-labels.db"
[ -e "$OUT/labels.db" ] && L="$OUT/labels.db"
if [ ! -e "$W/truth/heists.json" ]; then
    echo "-- generating a world with a heist (chainwatch gen, 200,000 txs)"
    "$BIN" gen --out "$W" --txs 200000 --seed 1 --quiet
fi
if [ ! -e "$S/MANIFEST" ]; then
    echo "-- ingesting it"
    "$BIN" ingest btc --blocks "$W/blocks" --store "$S" --network regtest
fi
if [ ! -e "$L" ]; then
    echo "-- labels from the world's ground truth (exchanges, deposit addresses, mixers, thieves)"
    awk -F, 'NR == 1 { print "address,entity,category"; next }
             { c = $5
               if (c == "coinjoin_coordinator") c = "mixer"
               else if (c == "thief") c = "theft"
               else if (c == "miner") c = "mining_pool"
               else if (c == "user") next
               print $1 "," $4 "," c }' "$W/truth/addresses.csv" > "$OUT/world-labels.csv"
    "$BIN" labels import csv "$OUT/world-labels.csv" --db "$L" --quiet > /dev/null
fi
H=$(jq -r '.[0].name' "$W/truth/heists.json")
FROM=()
for op in $(jq -r '.[0].stolen_outputs[].outpoint' "$W/truth/heists.json"); do FROM+=(--from "$op"); done
echo "-- the SYNTHETIC world's heist '$H': where did the stolen coins go? (FIFO, stop at custodial services (exchanges, mixers, bridges, instant exchangers) and merchants; value past a CoinJoin is shared by its outputs and reported PROBABLE)"
"$BIN" trace "${FROM[@]}" --model fifo --store "$S" --labels "$L" \
    --stop-at default --top 5
echo "-- the ground truth (truth/heists.json): deposits per exchange, in sat"
jq -r '.[0].deposits_by_exchange | to_entries[] | "  \(.key)\t\(.value)"' "$W/truth/heists.json"
echo "-- the same under haircut (proportional): more exchanges touched, less value each"
"$BIN" trace "${FROM[@]}" --model haircut --store "$S" --labels "$L" \
    --stop-at default --min-value 10000 --json |
    jq -r '.by_entity[:8][] | "  \(.entity)\t\(.category)\t\(.value) sat (probable \(.probable))"'
DEP=$(jq -r '.[0].deposits[-1].address' "$W/truth/heists.json")
echo "-- screening the last deposit address the thief used: $DEP (followed back to 0.1 % of what it received)"
"$BIN" screen "$DEP" --store "$S" --labels "$L"
echo "-- look: $BIN trace --help; $BIN screen --help; docs/TRACE-MODELS.md"
