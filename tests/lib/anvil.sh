# tests/lib/anvil.sh: Foundry's anvil for the CLI tests that need a real node (sourced after
# cli.sh). Installs anvil and solc through scripts/web-build.sh's npm ci when missing, skips the
# test (exit 77) when that fails or node is missing, then starts anvil on a free loopback port.
# ANVIL_ARGS (optional) adds options to anvil's command line. Sets SRC, ANVIL, PORT, URL and APID (the caller's EXIT trap kills $APID), and defines
# rpc METHOD PARAMS_JSON.
SRC=${CW_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ANVIL="$SRC/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
if [ ! -x "$ANVIL" ] || [ ! -d "$SRC/node_modules/solc" ]; then
    # the same installer as the other npm-using tests (npm ci from package-lock.json)
    bash "$SRC/scripts/web-build.sh" >&2 || true
fi
if [ ! -x "$ANVIL" ] || [ ! -d "$SRC/node_modules/solc" ] || ! command -v node >/dev/null; then
    echo "SKIPPED: anvil (npm @foundry-rs/anvil-linux-amd64), solc or node is not installed (scripts/web-build.sh's npm ci failed)"
    exit 77
fi
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
# ANVIL_ARGS: more options for anvil, from the test (e.g. --hardfork cancun)
# shellcheck disable=SC2086
"$ANVIL" --host 127.0.0.1 --port "$PORT" --silent --chain-id 31337 ${ANVIL_ARGS:-} > "$T/anvil.log" 2>&1 &
APID=$!
rpc() { curl -s -X POST -H 'content-type: application/json' --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$URL"; }
for _ in $(seq 1 100); do rpc eth_blockNumber '[]' | grep -q result && break; sleep 0.1; done
