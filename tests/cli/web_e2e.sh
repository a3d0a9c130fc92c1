#!/usr/bin/env bash
# web_e2e.sh: end-to-end browser tests of the dashboard. Starts a fresh node on a loopback port
# chosen by the kernel, seeds it (a generated world's heist as a chain alert whose evidence is
# the heist's path from the ground truth, a sanctioned-address alert, a supply alert, a RED one),
# writes real supply documents (supply synth/load/status/explain), and runs
# tests/e2e/dashboard.test.mjs (playwright-core driving Debian's chromium, headless). The
# server is stopped on exit. Screenshots go to $CW_BUILD_DIR/e2e-artifacts/.
# Then tests/e2e/analyst.test.mjs (issue 14): the rules' case alerts, the case view against the
# truth, graphs at heist size, correct pages, exports with TLP, a phone-sized viewport.
# Then tests/e2e/triage.test.mjs: assignee and notes per alert (audited, TLP-bound), the share
# preview against each partner's real TAXII pull, label provenance against the imported CSV,
# the cluster's own figures against `chainwatch cluster show`, search by label, entity, cluster.
# Skips (77) only when chromium is missing; npm packages come from scripts/web-build.sh.
set -euo pipefail
BIN=${CW_BIN:?CW_BIN not set}
SRC=${CW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${CW_BUILD_DIR:-$SRC/build}
CHROMIUM=${CW_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "SKIP: $CHROMIUM not installed (scripts/bootstrap.sh installs it)"; exit 77; }
command -v node >/dev/null || { echo "FAIL: node is missing" >&2; exit 1; }
bash "$SRC/scripts/web-build.sh"

T=$(mktemp -d)
PID= KPID=
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    if [ -n "$KPID" ]; then kill "$KPID" 2>/dev/null || true; wait "$KPID" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT
DB="$T/node.db"
"$BIN" node init --db "$DB" --name USA >/dev/null
ANALYST=$("$BIN" keys add analyst1 --role analyst --db "$DB")
READER=$("$BIN" keys add reader1 --role reader --db "$DB")

# A world with a heist, ingested and labelled from its ground truth, and the heist traced by the
# engine (FIFO, stopping at custodial services, as demo stage 30): the alert's evidence is that
# trace, compacted to what the graph needs. Without a trace command, the truth's path instead.
"$BIN" gen --out "$T/world" --txs 20000 --seed 7 --quiet >/dev/null
node "$SRC/tests/e2e/lib/truth-trace.mjs" "$T/world/truth/heists.json" > "$T/truth-trace.json"
TRACE_KIND=truth
cp "$T/truth-trace.json" "$T/trace.json"
if "$BIN" trace --help >/dev/null 2>&1; then
    "$BIN" ingest btc --blocks "$T/world/blocks" --store "$T/store" --network regtest >/dev/null 2>&1
    awk -F, 'NR == 1 { print "address,entity,category"; next }
             { c = $5; if (c == "coinjoin_coordinator") c = "mixer"; else if (c == "thief") c = "theft";
               else if (c == "miner") c = "mining_pool"; else if (c == "user") next; print $1 "," $4 "," c }' \
        "$T/world/truth/addresses.csv" > "$T/labels.csv"
    "$BIN" labels import csv "$T/labels.csv" --db "$T/labels.db" --quiet >/dev/null
    FROM=()
    for op in $(jq -r '.[0].stolen_outputs[].outpoint' "$T/world/truth/heists.json"); do FROM+=(--from "$op"); done
    "$BIN" trace "${FROM[@]}" --model fifo --store "$T/store" --labels "$T/labels.db" \
        --stop-at default --top 1000 --json |
        jq -c '{graph: [.graph[] | {txid, hop, coinjoin, inputs: [.inputs[] | {outpoint, traced}],
                outputs: [.outputs[] | {address, outpoint, traced}]}],
                by_address: [.by_address[] | select(.how | index("label")) | {address, entity, category}],
                by_entity, options, sources}' > "$T/trace.json"
    TRACE_KIND=engine
fi
# The evidence (the trace graph is about 100 KB) goes through a file: one command-line argument
# holds at most 128 KiB, and a larger trace would fail with "Argument list too long".
node -e '
const t = { trace: JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")) };
const h = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"))[0];
t.txids = [h.theft_txid];
t.addresses = [...new Set(h.deposits.map((d) => d.address))].slice(0, 3);
process.stdout.write(JSON.stringify(t));' "$T/trace.json" "$T/world/truth/heists.json" > "$T/evidence.json"
echo "web_e2e: heist alert evidence $(wc -c < "$T/evidence.json") bytes (trace: $TRACE_KIND)"
HEIST=$(jq -r '.[0].name' "$T/world/truth/heists.json")
"$BIN" alerts raise --db "$DB" --kind stolen-funds-at-exchange --severity critical --tlp amber --share-to KOR \
    --title "Heist $HEIST: stolen funds reached exchanges" \
    --explanation "Funds from the $HEIST theft reached 5 exchanges through peel chains and CoinJoins." \
    --evidence-file "$T/evidence.json" >/dev/null
"$BIN" alerts raise --db "$DB" --kind sanctioned-address-active --severity high --tlp green \
    --title "Sanctioned address active" --evidence '{"addresses":["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"]}' >/dev/null
"$BIN" alerts raise --db "$DB" --source supply --kind supply-risk-change --severity medium --tlp clear \
    --title "graphite for KOR rose to interest" --evidence '{"commodity":"graphite","partner":"KOR","level":1}' >/dev/null
"$BIN" alerts raise --db "$DB" --kind internal-note --severity low --tlp red --title "Internal lead (red)" >/dev/null
# A partner alert: KOR raises one, USA pulls it over TAXII (KOR's server runs only for the pull).
"$BIN" node init --db "$T/kor.db" --name KOR >/dev/null
KK=$("$BIN" keys add peer-USA --role peer --org USA --db "$T/kor.db")
"$BIN" alerts raise --db "$T/kor.db" --kind sanctioned-address-active --severity high --tlp green \
    --title "KOR: Lazarus address active" --evidence '{"addresses":["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"]}' >/dev/null
"$BIN" serve --db "$T/kor.db" --listen 127.0.0.1:0 --ready-file "$T/kor.ready" 2>"$T/kor.log" &
KPID=$!
for _ in $(seq 100); do [ -s "$T/kor.ready" ] && break; sleep 0.1; done
[ -s "$T/kor.ready" ] || { cat "$T/kor.log"; exit 1; }
"$BIN" peer add KOR "http://$(cat "$T/kor.ready")" --key "$KK" --org KOR \
    --pubkey "$("$BIN" node show --db "$T/kor.db" --json | jq -r .public_key)" --db "$DB" >/dev/null
"$BIN" peer pull --db "$DB" | grep -q "new alerts 1" || { echo "FAIL: partner alert not pulled" >&2; exit 1; }
kill "$KPID"; wait "$KPID" 2>/dev/null || true; KPID=

# Real supply documents from the supply engine, for the pages' file import.
export CHAINWATCH_SUPPLY_DB="$T/supply.db"
"$BIN" supply synth --out "$T/syn" --seed 5 --years 8 --first-year 2015 >/dev/null
"$BIN" supply load comtrade "$T/syn/comtrade.csv" >/dev/null
"$BIN" supply load prices "$T/syn/prices.csv" >/dev/null
"$BIN" supply load events "$T/syn/events.csv" >/dev/null
"$BIN" supply status --json > "$T/status.json"
"$BIN" supply explain graphite KOR --json > "$T/explain.json"
"$BIN" supply changes --commodity gallium --partner JPN --json > "$T/changes.json"
# the servers below serve no supply database (the pages' file import is tested): the variable
# would give them one (every command that takes --supply-db honours it)
unset CHAINWATCH_SUPPLY_DB

# The analyst's node (issue 14, tests/e2e/analyst.test.mjs): this node's copy (same keys and
# alerts) plus the rules' own alerts (a case per heist of the world, run over the chain and the
# labels) and 105 filler alerts (a second page), served with the store and labels (trace API).
cp "$DB" "$T/analyst.db"
if [ -e "$T/store/MANIFEST" ]; then
    jq '[.[] | {name: .name, from: [.stolen_outputs[].outpoint], severity: "critical", tlp: "amber", share_to: "KOR"}]' \
        "$T/world/truth/heists.json" > "$T/cases.json"
    "$BIN" patterns build --store "$T/store" >/dev/null
    "$BIN" cluster build --store "$T/store" >/dev/null
    "$BIN" rules run --db "$T/analyst.db" --store "$T/store" --labels "$T/labels.db" --cases "$T/cases.json" >/dev/null
fi
# Partners of the analyst's node for the share preview (tests/e2e/triage.test.mjs): KOR and
# JPN pull over TAXII with peer keys; an analyst of another organisation (JPN) on this node sees
# only what TLP lets JPN see.
KOR_PEER=$("$BIN" keys add kor-pull --role peer --org KOR --db "$T/analyst.db")
JPN_PEER=$("$BIN" keys add jpn-pull --role peer --org JPN --db "$T/analyst.db")
JPN_ANALYST=$("$BIN" keys add jpn-analyst --role analyst --org JPN --db "$T/analyst.db")
for i in $(seq 1 105); do
    "$BIN" alerts raise --db "$T/analyst.db" --kind filler --severity info --tlp green --title "Filler alert $i" --dedup-key "filler-$i" >/dev/null
done

MODE=intercept
ARGS=()
if "$BIN" serve --help 2>&1 | grep -q -- --web-root; then
    MODE=server
    ARGS=(--web-root "$SRC/web")
fi
[ -e "$T/store/MANIFEST" ] && ARGS+=(--store "$T/store" --labels "$T/labels.db")
"$BIN" serve --db "$DB" --listen 127.0.0.1:0 --ready-file "$T/ready" "${ARGS[@]}" 2>"$T/serve.log" &
PID=$!
"$BIN" serve --db "$T/analyst.db" --listen 127.0.0.1:0 --ready-file "$T/ready2" "${ARGS[@]}" 2>"$T/serve2.log" &
KPID=$!
for _ in $(seq 100); do [ -s "$T/ready" ] && [ -s "$T/ready2" ] && break; sleep 0.1; done
[ -s "$T/ready" ] || { cat "$T/serve.log"; exit 1; }
[ -s "$T/ready2" ] || { cat "$T/serve2.log"; exit 1; }

ART="$BUILD/e2e-artifacts"
mkdir -p "$ART"
export CW_URL="http://$(cat "$T/ready")" CW_KEY_ANALYST="$ANALYST" CW_KEY_READER="$READER" \
    CW_STATIC_MODE="$MODE" CW_WEB_DIR="$SRC/web" CW_ARTIFACTS="$ART" CW_CHROMIUM="$CHROMIUM" \
    CW_FIXTURES="$T" CW_TRACE_KIND="$TRACE_KIND" CW_HEISTS="$T/world/truth/heists.json" CW_DB="$DB" CW_BIN="$BIN" \
    CW_STORE="$T/store" CW_WORLD="$T/world" CW_URL_ANALYST="http://$(cat "$T/ready2")" \
    CW_KEY_KOR_PEER="$KOR_PEER" CW_KEY_JPN_PEER="$JPN_PEER" CW_KEY_JPN_ANALYST="$JPN_ANALYST" \
    CW_LABELS_CSV="$T/labels.csv" CW_LABELS_DB="$T/labels.db" \
    NODE_PATH="$SRC/node_modules"
echo "web_e2e: dashboard at $CW_URL (static files: $MODE), screenshots in $ART"
cd "$SRC"
node --test --test-reporter=spec tests/e2e/dashboard.test.mjs tests/e2e/analyst.test.mjs tests/e2e/triage.test.mjs
