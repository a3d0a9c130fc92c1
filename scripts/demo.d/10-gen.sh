#!/usr/bin/env bash
# demo stage: generate the default demo world, SYNTHETIC (about 200k txs, the built-in Bitfrost
# heist, XOR'd block files as Bitcoin Core 28+ writes them) and show its ground truth. Idempotent:
# the world is regenerated only when its parameters change (the stamp file records them). The
# world is generated into $W.partial and moved into place whole, so that a demo interrupted here
# (Ctrl-C, a full disk) leaves no half world behind and the next `make demo` starts it again.
# CW_DEMO_TXS: the world's size (default 200000; smaller for a slow machine or a test).
set -euo pipefail
W="$OUT/world"
STAMP="gen --txs ${CW_DEMO_TXS:-200000} --seed 1 --xor-key 5ca1ab1e0ddba11d"
if [ "$(cat "$W/.stamp" 2>/dev/null)" != "$STAMP" ] || [ ! -e "$W/truth/world.json" ]; then
    echo "-- generating a SYNTHETIC Bitcoin world: chainwatch $STAMP"
    rm -rf "$W.partial"
    "$BIN" $STAMP --out "$W.partial"
    echo "$STAMP" > "$W.partial/.stamp"
    rm -rf "$W"
    mv "$W.partial" "$W"
else
    echo "(world already generated in $W)"
fi
python_sum() {
    /usr/bin/python3 - "$W/truth/heists.json" <<'PY'
import json, sys
for h in json.load(open(sys.argv[1])):
    t = h["totals"]
    print("heist %s (SYNTHETIC world): %s stole %.8f BTC from %s at height %d" % (
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
echo "-- ground truth in $W/truth (docs/GEN.md): every address, entity and heist of this world is SYNTHETIC"
