#!/usr/bin/env bash
# demo stage: the EVM side. Ingests the real ethereum-etl fixtures (../shared/data/eth-etl-csv,
# mainnet blocks 483920 and 17173049-50) when present, then a generated EVM world (marked
# SYNTHETIC: users, stablecoins, exchanges with deposit addresses, a DEX, a mixer, a bridge to
# Bitcoin, and a heist laundered through them) into an EVM store, checks it, and traces the heist
# forward under FIFO: where the stolen value went, exchange deposit addresses recognised from
# behaviour (probable), mixer entries, bridge exits. Labels: the world's service addresses
# (exchange hot wallets, mixer pools, bridge), as a label provider would know them; never the
# thief or the deposit addresses. Re-running reuses what is there.
# The world's store is marked SYNTHETIC at ingest (its folder holds the generator's
# truth/world.json): its check, its trace (text and JSON) and anything served or raised from it
# say so; the real block's store is not marked. A store ingested by an older chainwatch (no
# mark) is ingested again: every block is already there, only the mark is added.
# CW_DEMO_EVM_TXS, CW_DEMO_EVM_SCENARIO: the world's size (default 200000) and scenario (default
# gen evm's own); tests/cli/demo_evm.sh runs the stage on a small world of the quick heist.
set -euo pipefail
E="$OUT/evm"
mkdir -p "$E"
if [ -e "$SHARED/eth-etl-csv/transactions_483920.csv" ] && [ ! -e "$E/real-store/MANIFEST" ]; then
    echo "-- real mainnet block 483920 (ethereum-etl export) into an EVM store"
    mkdir -p "$E/real-csv"
    for k in blocks transactions receipts logs token_transfers; do
        ln -sf "$SHARED/eth-etl-csv/${k}_483920.csv" "$E/real-csv/$k.csv"
    done
    "$BIN" ingest evm --csv "$E/real-csv" --store "$E/real-store" --chain ethereum --quiet
    "$BIN" check --store "$E/real-store"
fi
if [ ! -e "$E/world/truth/heists.json" ]; then
    echo "-- generating a SYNTHETIC EVM world (chainwatch gen evm, ${CW_DEMO_EVM_TXS:-200000} txs)"
    "$BIN" gen evm --out "$E/world" --txs "${CW_DEMO_EVM_TXS:-200000}" --seed 1 --quiet \
        ${CW_DEMO_EVM_SCENARIO:+--scenario "$CW_DEMO_EVM_SCENARIO"}
fi
if [ ! -e "$E/store/MANIFEST" ] || ! grep -q '^synthetic 1$' "$E/store/MANIFEST"; then
    "$BIN" ingest evm --csv "$E/world" --store "$E/store" --chain ethereum
fi
"$BIN" check --store "$E/store"
if [ ! -e "$E/labels.db" ]; then
    awk -F, 'NR > 1 && ($5 == "exchange" || $5 == "mixer_pool" || $5 == "bridge_router" || $5 == "bridge_vault") {
                 c = $5 == "exchange" ? "exchange" : $5 == "mixer_pool" ? "mixer" : "bridge"
                 print $1 "," ($4 == "" ? $5 : $4) "," c ",ETH" }
             BEGIN { print "address,entity,category,asset" }' "$E/world/truth/addresses.csv" > "$E/labels.csv"
    "$BIN" labels import csv "$E/labels.csv" --db "$E/labels.db" --quiet > /dev/null
fi
args=()
for t in $(jq -r '.[] | (.drain_txs // .drain_transactions)[]' "$E/world/truth/heists.json"); do
    args+=(--from "$t")
done
echo "-- the SYNTHETIC heist, traced forward (FIFO; through the mixer by probable links)"
"$BIN" trace --store "$E/store" --labels "$E/labels.db" "${args[@]}" --through-mixer > "$E/trace.txt"
head -30 "$E/trace.txt"
"$BIN" trace --store "$E/store" --labels "$E/labels.db" "${args[@]}" --through-mixer --json > "$E/trace.json"
echo "-- scored against the world's truth (tests/diff/evm_eval.py):"
/usr/bin/python3 "$ROOT/tests/diff/evm_eval.py" "$E/world" "$E/trace.json" > "$E/score.txt"
cat "$E/score.txt"
