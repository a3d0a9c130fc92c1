#!/usr/bin/env bash
# demo stage: generate the default demo world (about 200k txs, the built-in Bitfrost heist,
# XOR'd block files as Bitcoin Core 28+ writes them) and show its ground truth. Idempotent: the
# world is regenerated only when its parameters change (the stamp file records them).
set -euo pipefail
W="$OUT/world"
STAMP="gen --txs 200000 --seed 1 --xor-key 5ca1ab1e0ddba11d"
if [ "$(cat "$W/.stamp" 2>/dev/null)" != "$STAMP" ] || [ ! -e "$W/truth/world.json" ]; then
    "$BIN" $STAMP --out "$W"
    echo "$STAMP" > "$W/.stamp"
else
    echo "(world already generated in $W)"
fi
python_sum() {
    /usr/bin/python3 - "$W/truth/heists.json" <<'PY'
import json, sys
for h in json.load(open(sys.argv[1])):
    t = h["totals"]
    print("heist %s: %s stole %.8f BTC from %s at height %d" % (
        h["name"], h["thief_name"], h["amount_sat"] / 1e8, h["victim"], h["theft_height"]))
    print("  deposited %.8f BTC at %d deposit addresses, unspent %.8f, fees %.8f + coordinator %.8f"
          % (t["deposited_sat"] / 1e8, len(h["deposits_by_address"]), t["unspent_sat"] / 1e8,
             t["fees_mining_sat"] / 1e8, t["fees_coordinator_sat"] / 1e8))
    for ex, v in sorted(h["deposits_by_exchange"].items()):
        print("    %-10s %.8f BTC" % (ex, v / 1e8))
    print("  %d peel-chain txs, %d CoinJoins; identity holds: %s" % (
        len(h["peel_chain_txids"]), len(h["coinjoin_txids"]), t["identity_holds"]))
PY
}
python_sum || echo "(python3 unavailable: see $W/truth/heists.json)"
echo "-- blocks in $W/blocks (ingest: $BIN ingest btc --blocks $W/blocks --network regtest --store ...)"
echo "-- ground truth in $W/truth (docs/GEN.md)"
