#!/usr/bin/env bash
# web-build.sh: makes the dashboard servable. Installs the pinned npm packages (package-lock.json)
# when node_modules is missing, then copies the browser builds of the front-end libraries into
# web/vendor/ (gitignored), so that `chainwatch serve` serves everything itself: no CDN, works
# offline. Idempotent; quiet when everything is in place.
#   scripts/web-build.sh [--check]   (--check: exit 1 if web/vendor is incomplete, install nothing)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
VENDOR=web/vendor
# source file in node_modules -> name under web/vendor
FILES=(
    "cytoscape/dist/cytoscape.min.js:cytoscape.min.js"
    "cytoscape/LICENSE:cytoscape.LICENSE"
    "echarts/dist/echarts.min.js:echarts.min.js"
    "echarts/LICENSE:echarts.LICENSE"
)
complete() {
    for f in "${FILES[@]}"; do
        [ -s "$VENDOR/${f#*:}" ] || return 1
    done
}
if [ "${1:-}" = "--check" ]; then
    complete
    exit $?
fi
need_install=0
for f in "${FILES[@]}"; do
    [ -s "node_modules/${f%%:*}" ] || need_install=1
done
# test-only packages (playwright-core for the browser tests, ajv for STIX schema checks, anvil
# and solc for the EVM node test)
for f in playwright-core/package.json ajv/dist/2020.js ajv-formats/dist/index.js \
         @foundry-rs/anvil-linux-amd64/bin/anvil solc/package.json; do
    [ -s "node_modules/$f" ] || need_install=1
done
[ -d node_modules/playwright-core ] || need_install=1
if [ "$need_install" = 1 ]; then
    command -v npm >/dev/null || { echo "web-build: npm is missing (apt-get install npm)" >&2; exit 1; }
    echo "web-build: npm ci (pinned versions from package-lock.json)" >&2
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
fi
mkdir -p "$VENDOR"
for f in "${FILES[@]}"; do
    src="node_modules/${f%%:*}" dst="$VENDOR/${f#*:}"
    [ -s "$src" ] || { echo "web-build: $src missing after npm ci" >&2; exit 1; }
    if ! cmp -s "$src" "$dst"; then
        cp "$src" "$dst.tmp" && mv "$dst.tmp" "$dst"
    fi
done
