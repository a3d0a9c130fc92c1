#!/usr/bin/env bash
# web_btcevm.sh: a Bitcoin trace continued into Ethereum through a swap vault, served and drawn
# (GET /api/v1/trace?evm=1 on `serve --store BTC --evm-store EVM`; docs/DASHBOARD.md). The world:
# btc_alt6_world.py's paired seed 7 at scale 0.02 (its vault pays the thief's deposits on
# Ethereum with OUT:<txid>, without memo, refunds one on Bitcoin, and one deposit names an honest
# person's address and is never paid). In Debian's chromium (tests/e2e/btcevm_graph.test.mjs):
# the Investigate page's search, "Across chains" on, from the stolen output whose trace reaches
# the most vault deposits: the crossings table equals the API's exits, one dashed bridge edge
# per paid deposit into its payout tx on Ethereum, the refund's edge and its Bitcoin trace, the
# honest person named nowhere; then the CLI's `trace --evm-store --json` of the whole heist
# opened as a file: the same graph shape. Skips (77) when node or chromium is missing.
source "$(dirname "$0")/../lib/cli.sh"
SRC=$CW_SOURCE_DIR
command -v node > /dev/null || { echo "SKIPPED: node is missing"; exit 77; }
CHROMIUM=${CW_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "SKIPPED: $CHROMIUM not installed"; exit 77; }
bash "$SRC/scripts/web-build.sh"
PY=/usr/bin/python3
$PY "$SRC/tests/diff/btc_alt6_world.py" --out "$T/p" --seed 7 --scale 0.02 --evm-out "$T/pe" > /dev/null 2>&1 || bad "paired generator"
"$CW_BIN" ingest btc --blocks "$T/p/blocks" --store "$T/ps" --network regtest --quiet > /dev/null 2>&1 || bad "ingest btc"
"$CW_BIN" ingest evm --csv "$T/pe" --store "$T/pes" --chain ethereum --quiet > /dev/null 2>&1 || bad "ingest evm"
$PY "$SRC/tests/diff/xchain_labels.py" "$T/pe/truth/addresses.csv" "$T/p/truth/addresses.csv" > "$T/pl.csv"
"$CW_BIN" labels import csv "$T/pl.csv" --db "$T/pl.db" --quiet > /dev/null 2>&1 || bad "labels"
PFROM=$(jq -r '[.[0].stolen_outputs[].outpoint] | map("--from " + .) | join(" ")' "$T/p/truth/heists.json")
# shellcheck disable=SC2086
"$CW_BIN" trace $PFROM --store "$T/ps" --labels "$T/pl.db" --evm-store "ethereum=$T/pes" --json > "$T/all.json" 2> /dev/null || bad "trace --evm-store"
# the stolen output whose own trace reaches the most vault deposits (the search traces one)
BEST="" BESTN=-1
for o in $(jq -r '.[0].stolen_outputs[].outpoint' "$T/p/truth/heists.json"); do
    n=$("$CW_BIN" trace --from "$o" --store "$T/ps" --labels "$T/pl.db" --evm-store "ethereum=$T/pes" --json 2> /dev/null \
        | jq '[.evm_continuations[0].exits[] | select(.payout != null or .refund_txid != null)] | length')
    if [ "${n:-0}" -gt "$BESTN" ]; then BEST=$o; BESTN=$n; fi
done
check "a stolen output whose trace reaches a paid or refunded vault deposit: $BEST ($BESTN)" test "$BESTN" -ge 1
DB=$T/node.db
"$CW_BIN" node init --db "$DB" --name USA > /dev/null
KEY=$("$CW_BIN" keys add analyst1 --role analyst --db "$DB")
"$CW_BIN" serve --db "$DB" --listen 127.0.0.1:0 --ready-file "$T/ready" --web-root "$SRC/web" \
    --store "$T/ps" --evm-store "$T/pes" --labels "$T/pl.db" 2> "$T/serve.log" &
PID=$!
trap 'kill $PID 2> /dev/null || true; wait $PID 2> /dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
[ -s "$T/ready" ] || { cat "$T/serve.log"; exit 1; }
ART="${CW_BUILD_DIR:-$SRC/build}/e2e-artifacts"
mkdir -p "$ART"
if CW_URL="http://$(cat "$T/ready")" CW_KEY="$KEY" CW_SOURCE="$BEST" CW_ALL_FILE="$T/all.json" \
    CW_HONEST="$(jq -r .honest_person "$T/pe/truth/pair.json")" CW_ARTIFACTS="$ART" CW_CHROMIUM="$CHROMIUM" \
    NODE_PATH="$SRC/node_modules" node --test --test-reporter=spec "$SRC/tests/e2e/btcevm_graph.test.mjs" > "$T/e2e.txt" 2>&1; then
    ok "the crossing into Ethereum in the browser (btcevm_graph.test.mjs)"
else
    cat "$T/e2e.txt"
    bad "the crossing into Ethereum in the browser (btcevm_graph.test.mjs)"
fi
finish
