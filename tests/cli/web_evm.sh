#!/usr/bin/env bash
# web_evm.sh: the dashboard shows EVM traces (issue 13, item 5). First, without a browser, the
# exact amount formatting and the graph normalisation (tests/e2e/evm_format.test.mjs). Then, in
# Debian's chromium (playwright-core), the trace of tests/evm/ops_world.py written by
# `chainwatch trace --json` on the EVM store, with a bridge exit into Bitcoin added in the shape
# of the cross-chain trace (bridge_exits[].edge, continuations[].trace), opened on the
# Investigate page: tests/e2e/evm_graph.test.mjs checks the graph and its tables against the
# world's truth; then the same trace served by `serve --evm-store` (GET /api/v1/evm/trace, the
# engine's cw_acct_report_trace) from a search for the heist's tx hash, equal to the CLI's ends.
# Skips (77) the browser part only when chromium is missing.
source "$(dirname "$0")/../lib/cli.sh"
SRC=$CW_SOURCE_DIR
command -v node > /dev/null || { echo "SKIPPED: node is missing"; exit 77; }
node --test "$SRC/tests/e2e/evm_format.test.mjs" > "$T/fmt.txt" 2>&1 || { cat "$T/fmt.txt"; bad "evm_format.test.mjs"; }
grep -q '^# fail 0' "$T/fmt.txt" && ok "exact EVM amounts and the graph normalisation (node --test)"
CHROMIUM=${CW_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "SKIPPED the browser part: $CHROMIUM not installed"; finish; exit $?; }
bash "$SRC/scripts/web-build.sh"
need_shared ofac-sdn-digital-currency/sdn_digital_currency_addresses.csv
/usr/bin/python3 "$SRC/tests/evm/ops_world.py" "$T/w"
"$CW_BIN" ingest evm --csv "$T/w" --store "$T/s" --chain dev --quiet > /dev/null
"$CW_BIN" labels import csv "$SHARED/ofac-sdn-digital-currency/sdn_digital_currency_addresses.csv" --db "$T/l.db" --quiet > /dev/null
"$CW_BIN" labels import csv "$T/w/labels.csv" --db "$T/l.db" --quiet > /dev/null
"$CW_BIN" trace --store "$T/s" --from "$(jq -r .heist "$T/w/truth.json")" --labels "$T/l.db" --json > "$T/t.json"
# the bridge exit as the cross-chain trace reports it: 20 ETH into Bridge B paid out to a
# Bitcoin address, whose continuation reaches an exchange on Bitcoin
jq --arg tx "$(jq -r .to_bridge "$T/w/truth.json")" --arg b "$(jq -r .bridge "$T/w/truth.json")" '
  .bridge_exits = [{tx: $tx, bridge: $b, asset: {id: 0, symbol: "ETH", decimals: 18, contract: null},
    amount: "20000000000000000000", status: "paid",
    edge: {from_chain: "dev", from_tx: $tx, to_chain: "bitcoin", to_address: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", score: 0.97, probable: true}}]
  | .continuations = [{address: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", in_store: true, payouts: [],
    trace: {options: {model: "fifo"}, graph: [{txid: ("ab" * 32), hop: 1, height: 100,
      inputs: [{outpoint: (("cd" * 32) + ":0")}],
      outputs: [{outpoint: (("ab" * 32) + ":0"), address: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", traced: 50000000}]}],
      by_address: [{address: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", entity: "Exchange K", category: "exchange"}]}}]' \
    "$T/t.json" > "$T/trace.json"
DB=$T/node.db
"$CW_BIN" node init --db "$DB" --name USA > /dev/null
KEY=$("$CW_BIN" keys add analyst1 --role analyst --db "$DB")
"$CW_BIN" serve --db "$DB" --listen 127.0.0.1:0 --ready-file "$T/ready" --web-root "$SRC/web" \
    --evm-store "$T/s" --labels "$T/l.db" 2> "$T/serve.log" &
PID=$!
trap 'kill $PID 2> /dev/null || true; wait $PID 2> /dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
[ -s "$T/ready" ] || { cat "$T/serve.log"; exit 1; }
ART="${CW_BUILD_DIR:-$SRC/build}/e2e-artifacts"
mkdir -p "$ART"
if CW_URL="http://$(cat "$T/ready")" CW_KEY="$KEY" CW_TRACE_FILE="$T/trace.json" CW_TRUTH="$T/w/truth.json" CW_CLI_TRACE="$T/t.json" \
    CW_ARTIFACTS="$ART" CW_CHROMIUM="$CHROMIUM" NODE_PATH="$SRC/node_modules" \
    node --test --test-reporter=spec "$SRC/tests/e2e/evm_graph.test.mjs" > "$T/e2e.txt" 2>&1; then
    ok "the EVM graph in the browser (evm_graph.test.mjs)"
else
    cat "$T/e2e.txt"
    bad "the EVM graph in the browser (evm_graph.test.mjs)"
fi
finish
