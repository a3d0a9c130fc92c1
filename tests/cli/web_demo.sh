#!/usr/bin/env bash
# web_demo.sh: issue 14's points 1-6 in the browser on the demo's own data. Builds the data as
# `make demo` does, with the demo's own stages (scripts/demo.sh, CW_DEMO_DIR in this test's temp
# folder), leaving out the stages whose output the server does not serve (20-chain: the mainnet
# sample; 27-evm: the EVM store; 30-investigate: traces printed on the terminal), and starts the server as stage 90 does (on a port the kernel
# chooses). A second server of the same node serves the demo's synthetic supply database, to
# see it marked SYNTHETIC. Then tests/e2e/demo.test.mjs drives Debian's chromium at 1280x800,
# 1920x1080 and 390x844 (docs/DASHBOARD.md, Tests). The servers are stopped on exit.
# The demo's world is 200,000 transactions: the release build is used when it is there
# ($CW_BUILD_DIR/../release/chainwatch, as `make test` builds it; CW_DEMO_BIN overrides), else
# CW_BIN. Skips (77) when chromium, node or playwright-core is missing, or when the build has no
# `serve --web-root`.
set -euo pipefail
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${CW_BUILD_DIR:-$SRC/build}
CHROMIUM=${CW_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "SKIPPED: $CHROMIUM not installed (scripts/bootstrap.sh installs it)"; exit 77; }
command -v node >/dev/null || { echo "SKIPPED: node is missing (scripts/bootstrap.sh installs it)"; exit 77; }
bash "$SRC/scripts/web-build.sh" || { echo "SKIPPED: the front-end packages could not be installed (scripts/web-build.sh)"; exit 77; }
[ -e "$SRC/node_modules/playwright-core/package.json" ] || { echo "SKIPPED: playwright-core is missing (npm ci)"; exit 77; }

BIN=$CW_BIN
REL="$BUILD/../release/chainwatch"
if [ -n "${CW_DEMO_BIN:-}" ]; then BIN=$CW_DEMO_BIN
elif [ -x "$REL" ]; then BIN=$(cd "$(dirname "$REL")" && pwd)/chainwatch
fi
"$BIN" serve --help 2>&1 | grep -q -- --web-root || { echo "SKIPPED: $BIN has no serve --web-root"; exit 77; }
echo "web_demo: chainwatch $BIN"

D="$T/demo"
SPID=
cleanup() {
    [ -s "$D/serve.pid" ] && { kill "$(cat "$D/serve.pid")" 2>/dev/null || true; }
    if [ -n "$SPID" ]; then kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT

start=$(date +%s)
if ! CW_DEMO_DIR="$D" CW_DEMO_LISTEN=127.0.0.1:0 CW_DEMO_SKIP="20-chain 27-evm 30-investigate" \
        bash "$SRC/scripts/demo.sh" "$BIN" > "$T/demo.log" 2>&1; then
    tail -40 "$T/demo.log" >&2
    echo "FAIL: the demo did not build" >&2
    exit 1
fi
echo "web_demo: the demo's data built in $(( $(date +%s) - start )) s (log: $(grep -c . "$T/demo.log") lines)"
[ -s "$D/serve.ready" ] && [ -s "$D/dashboard-key.txt" ] || { cat "$T/demo.log" >&2; exit 1; }

# the demo's synthetic supply database (stage 50 keeps it apart from the served one)
if [ -e "$D/supply/synth.db" ]; then
    "$BIN" serve --db "$D/node.db" --listen 127.0.0.1:0 --ready-file "$T/synth.ready" \
        --supply-db "$D/supply/synth.db" --web-root "$SRC/web" 2> "$T/synth.log" &
    SPID=$!
    for _ in $(seq 100); do [ -s "$T/synth.ready" ] && break; sleep 0.1; done
    [ -s "$T/synth.ready" ] || { cat "$T/synth.log" >&2; exit 1; }
fi

ART="$BUILD/e2e-artifacts"
mkdir -p "$ART"
export CW_URL="http://$(cat "$D/serve.ready")" CW_KEY="$(cat "$D/dashboard-key.txt")" CW_DEMO="$D" \
    CW_BIN="$BIN" CW_ARTIFACTS="$ART" CW_CHROMIUM="$CHROMIUM" \
    CW_URL_SYNTH="${SPID:+http://$(cat "$T/synth.ready")}" NODE_PATH="$SRC/node_modules"
echo "web_demo: dashboard at $CW_URL, screenshots in $ART"
cd "$SRC"
node --test --test-reporter=spec tests/e2e/demo.test.mjs
