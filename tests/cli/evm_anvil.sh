#!/usr/bin/env bash
# evm_anvil.sh: a real node end to end. Foundry's anvil (npm @foundry-rs/anvil-linux-amd64, the
# binary ships in the package; installed by scripts/web-build.sh's `npm ci` from package-lock.json)
# runs offline on a free loopback port. tests/evm/anvil_scenario.mjs compiles tests/evm/contracts with npm solc,
# deploys two ERC-20s and a forwarder, and sends ETH and token transfers, an approve +
# transferFrom, internal ETH forwards and splits, a failed internal call inside a successful
# transaction, and two failed transactions; then (anvil --hardfork cancun) an EIP-4844 blob
# transaction (tests/evm/anvil_blob.py: a zero blob, no library). `chainwatch ingest evm --rpc`
# reads it; the blob fee is burnt as the receipt says, and every
# account's balance per asset equals the node's eth_getBalance and balanceOf at the tip (a
# USDT-like issuer's destroyed balance, DestroyedBlackFunds with no Transfer, included; its frozen
# balance said frozen). Then
# reorgs (evm_snapshot / evm_revert and new blocks, a longer branch and a shorter one): the
# store follows, the orphaned transactions are gone, balances agree again. JSON-RPC errors, an
# unreachable node and a timeout give clear errors naming the URL, the method and the block, a
# non-zero exit and an unchanged store, also when they come after a block of the pass was read.
# Skips (77) only when anvil cannot be installed.
. "$(dirname "$0")/../lib/cli.sh"
# Cancun: anvil 1.7.1 at its default hardfork accepts the blob transaction below but leaves it
# unmined (no receipt), presumably for want of the later hardforks' cell proofs
ANVIL_ARGS="--hardfork cancun"
. "$(dirname "$0")/../lib/anvil.sh"
trap 'kill $APID 2>/dev/null; [ -n "${FPID:-}" ] && kill $FPID 2>/dev/null; rm -rf "$T"' EXIT
S="$T/store"
DRV="node $SRC/tests/evm/anvil_scenario.mjs"

check "scenario deployed and sent" $DRV scenario "$URL" "$T/state.json"
# bridge memos through RPC: UTF-8 calldata, and an ABI string argument (deposit(vault, asset,
# amount, memo)'s layout) sent to a plain address
ACC=$(rpc eth_accounts '[]' | jq -r '.result[5]')
MEMO='=:BTC.BTC:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4:0/1/0'
TXT_HEX=0x$(/usr/bin/python3 -c 'import sys; print(sys.argv[1].encode().hex())' "$MEMO")
ABI_HEX=0x$(/usr/bin/python3 -c '
import sys
m = sys.argv[1].encode(); w = lambda v: v.to_bytes(32, "big")
print((bytes.fromhex("1fece7b4") + w(0xbeef) + w(0) + w(10**18) + w(0x80) + w(len(m)) + m.ljust(64, b"\0")).hex())' "$MEMO")
MTX1=$(rpc eth_sendTransaction "[{\"from\":\"$ACC\",\"to\":\"0x000000000000000000000000000000000000beef\",\"value\":\"0xde0b6b3a7640000\",\"data\":\"$TXT_HEX\"}]" | jq -r .result)
MTX2=$(rpc eth_sendTransaction "[{\"from\":\"$ACC\",\"to\":\"0x000000000000000000000000000000000000beef\",\"value\":\"0xde0b6b3a7640000\",\"data\":\"$ABI_HEX\"}]" | jq -r .result)
# an EIP-4844 blob tx from account 6 (checked below with every balance): its blob fee, the
# receipt's blobGasUsed x blobGasPrice, is burnt
BACC=$(rpc eth_accounts '[]' | jq -r '.result[6]' | tr '[:upper:]' '[:lower:]')
BTX=$(/usr/bin/python3 "$SRC/tests/evm/anvil_blob.py" "$URL" "$BACC" 0x000000000000000000000000000000000000b10b) || bad "blob tx: $BTX"
check "ingest evm --rpc" "$CW_BIN" ingest evm --rpc "$URL" --store "$S" --chain dev --quiet
BREC=$(rpc eth_getTransactionReceipt "[\"$BTX\"]")
check_eq "RPC: the blob tx's blob fee burnt (blobGasUsed x blobGasPrice)" \
    "$("$CW_BIN" tx "$BTX" --store "$S" --json | jq -r '[.movements[] | select(.blob) | "\(.kind) \(.from) \(.to) \(.amount)"] | join(",")')" \
    "fee_burnt $BACC null $(/usr/bin/python3 -c 'import json,sys; r=json.loads(sys.argv[1])["result"]; print(int(r["blobGasUsed"],16)*int(r["blobGasPrice"],16))' "$BREC")"
check_eq "RPC: a memo as UTF-8 calldata is kept" "$("$CW_BIN" tx "$MTX1" --store "$S" --json | jq -r '.memos[] | .source + " " + .memo')" "text $MEMO"
check_eq "RPC: a memo as an ABI string argument is kept" "$("$CW_BIN" tx "$MTX2" --store "$S" --json | jq -r '.memos[] | .source + " " + .memo')" "calldata $MEMO"
TIP=$(printf '%d' "$(rpc eth_blockNumber '[]' | jq -r .result)")
check_eq "store tip = node tip" "$("$CW_BIN" check --store "$S" >/dev/null && "$CW_BIN" block "$TIP" --store "$S" --json | jq -r .hash)" "$(rpc eth_getBlockByNumber "[\"$(printf 0x%x "$TIP")\",false]" | jq -r .result.hash)"
check "every balance equals the node's (ETH and each token)" $DRV check "$URL" "$T/state.json" "$CW_BIN" "$S"
# a USDT-like issuer (tests/evm/contracts/Stable.sol): destroyBlackFunds emits DestroyedBlackFunds
# and no Transfer; the store burns the balance (the check above compares it with balanceOf: 0),
# `tx` shows the burn, and the balance the issuer froze and kept is said frozen since its block
check_eq "RPC: a destroyed blacklisted balance is a burn from its holder, shown by tx" \
    "$("$CW_BIN" tx "$(jq -r .txs.destroy "$T/state.json")" --store "$S" --json | jq -r '[.movements[] | select(.destroyed_by_issuer) | "\(.from) \(.to) \(.amount)"] + [.issuer_actions[] | .action] | join(",")')" \
    "$(jq -r '.accounts[4]' "$T/state.json") null 1080000000,destroy"
check_eq "RPC: a frozen balance is said frozen by its token's contract since the freeze's block and tx" \
    "$("$CW_BIN" address "$(jq -r .txs.freeze_kept.account "$T/state.json")" --store "$S" --json | jq -r --arg t "$(jq -r .txs.freeze_kept.token "$T/state.json")" '.balances[] | select(.asset.token == $t) | "\(.balance) \(.frozen.since_block) \(.frozen.tx) \(.frozen.by)"')" \
    "333000000 $(jq -r '.txs.freeze_kept | "\(.block) \(.hash) \(.token)"' "$T/state.json")"
# token metadata over RPC (eth_call symbol() and decimals()): the deployer holds both tokens
check_eq "tokens named over RPC (symbol, decimals)" \
    "$("$CW_BIN" address "$(jq -r '.accounts[0]' "$T/state.json")" --store "$S" --json | jq -r '[.balances[] | select(.asset.id != 0) | .asset | "\(.symbol) \(.decimals)"] | sort | join(",")')" \
    "TEUR 18,TUSD 6"
FAILED_TX=$(jq -r .txs.failed "$T/state.json")
check_eq "the failed tx is in the store as failed" "$("$CW_BIN" tx "$FAILED_TX" --store "$S" --json | jq -r '.status')" "failed"
check "check passes" "$CW_BIN" check --store "$S"

# a reorg to a longer branch
SNAP=$(rpc evm_snapshot '[]' | jq -r .result)
check "branch a" $DRV more "$URL" "$T/state.json" a
check "ingest branch a" "$CW_BIN" ingest evm --rpc "$URL" --store "$S" --quiet
A1=$(jq -r '.txs.branch_a[0]' "$T/state.json")
check "branch a's tx in the store" "$CW_BIN" tx "$A1" --store "$S" --json
rpc evm_revert "[\"$SNAP\"]" > /dev/null
check "branch b (longer)" $DRV more "$URL" "$T/state.json" b
out=$("$CW_BIN" ingest evm --rpc "$URL" --store "$S" --json --quiet)
check "ingest after the reorg rolled back" bash -c "echo '$out' | jq -e '.rolled_back >= 3'"
rc=0; "$CW_BIN" tx "$A1" --store "$S" --json > /dev/null 2>&1 || rc=$?
check_eq "the orphaned tx is gone" "$rc" "3"
B1=$(jq -r '.txs.branch_b[0]' "$T/state.json")
check "the new branch's tx is in" "$CW_BIN" tx "$B1" --store "$S" --json
check "balances agree after the reorg" $DRV check "$URL" "$T/state.json" "$CW_BIN" "$S"
# a reorg to a shorter branch: only the tip check can see it
SNAP=$(rpc evm_snapshot '[]' | jq -r .result)
$DRV more "$URL" "$T/state.json" a > /dev/null
"$CW_BIN" ingest evm --rpc "$URL" --store "$S" --quiet
rpc evm_revert "[\"$SNAP\"]" > /dev/null
rpc evm_mine '[]' > /dev/null
check "watch --rpc --once follows a shorter branch" "$CW_BIN" watch --rpc "$URL" --store "$S" --once
TIP=$(printf '%d' "$(rpc eth_blockNumber '[]' | jq -r .result)")
check_eq "store tip hash = node tip hash" "$("$CW_BIN" block "$TIP" --store "$S" --json | jq -r .hash)" "$(rpc eth_getBlockByNumber "[\"$(printf 0x%x "$TIP")\",false]" | jq -r .result.hash)"
check_eq "nothing above the node's tip" "$("$CW_BIN" block "$((TIP + 1))" --store "$S" --json >/dev/null 2>&1; echo $?)" "3"
check "balances agree after the second reorg" $DRV check "$URL" "$T/state.json" "$CW_BIN" "$S"
check "debug_traceBlockByNumber (callTracer) gives the same store" bash -c \
    "'$CW_BIN' ingest evm --rpc '$URL' --store '$T/store2' --chain dev --traces debug --quiet && $DRV check '$URL' '$T/state.json' '$CW_BIN' '$T/store2' > /dev/null"

# errors: the store stays at its last commit
D0=$(store_digest "$S")
expect_fail() { # expect_fail "what" needle args...
    local what=$1 needle=$2; shift 2
    local err rc=0
    err=$("$CW_BIN" ingest evm --store "$S" --quiet "$@" 2>&1 >/dev/null) || rc=$?
    if [ "$rc" -ne 0 ] && [[ "$err" == *"$needle"* ]]; then ok "$what"; else bad "$what (rc $rc): $err"; fi
}
DEAD=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
expect_fail "unreachable node" "eth_blockNumber" --rpc "http://127.0.0.1:$DEAD"
# a node that accepts connections and never answers
FPORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# /hang/N and /error/N: a proxy to anvil that never answers, or answers a JSON-RPC error, when
# asked for block N with its transactions
# /stale/N: a proxy that answers the first requests for block N (block, receipts, traces) from
# $T/stale.json, a branch the node has dropped since, and forwards everything else
/usr/bin/python3 - "$FPORT" "$URL" "$T/stale.json" <<'PY' &
import json, socket, sys, threading, urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
port, upstream, stale = int(sys.argv[1]), sys.argv[2], sys.argv[3]
used = set()
class H(BaseHTTPRequestHandler):
    def do_POST(self):
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        req = json.loads(raw)
        if self.path == "/silent":
            threading.Event().wait(30)
            return
        mode, _, n = self.path.strip("/").partition("/")
        m, p = req["method"], req.get("params") or [None]
        if mode == "stale" and m not in used and p[0] == hex(int(n)) and \
                m in ("eth_getBlockByNumber", "eth_getBlockReceipts", "trace_block") and \
                (m != "eth_getBlockByNumber" or p[1]):
            used.add(m)
            ans = {"jsonrpc": "2.0", "id": req["id"], "result": json.load(open(stale))[m]}
        elif mode == "stale":
            ans = json.loads(urllib.request.urlopen(urllib.request.Request(upstream, raw, {"Content-Type": "application/json"})).read())
        elif mode in ("hang", "error"):
            asked = req["method"] == "eth_getBlockByNumber" and req["params"][0] == hex(int(n)) and req["params"][1]
            if asked and mode == "hang":
                threading.Event().wait(30)
                return
            if asked:
                ans = {"jsonrpc": "2.0", "id": req["id"], "error": {"code": -32000, "message": "header not found"}}
            else:
                ans = json.loads(urllib.request.urlopen(urllib.request.Request(upstream, raw, {"Content-Type": "application/json"})).read())
        elif req["method"] == "eth_blockNumber":
            ans = {"jsonrpc": "2.0", "id": req["id"], "result": "0x100"}
        else:
            ans = {"jsonrpc": "2.0", "id": req["id"], "error": {"code": -32000, "message": "header not found"}}
        body = json.dumps(ans).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
class S(HTTPServer):
    daemon_threads = True
from socketserver import ThreadingMixIn
class T(ThreadingMixIn, HTTPServer):
    daemon_threads = True
T(("127.0.0.1", port), H).serve_forever()
PY
FPID=$!
for _ in $(seq 1 50); do curl -s -o /dev/null -X POST --data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "http://127.0.0.1:$FPORT/" && break; sleep 0.1; done
expect_fail "a JSON-RPC error names the method and the node's message" "JSON-RPC error -32000: header not found" --rpc "http://127.0.0.1:$FPORT/"
expect_fail "a timeout names the URL and the method" "http://127.0.0.1:$FPORT/silent eth_blockNumber (tip): no answer within 1.0 s (timeout)" \
    --rpc "http://127.0.0.1:$FPORT/silent" --timeout 1
expect_fail "not an http URL" "http://" --rpc "ftp://127.0.0.1/"
check_eq "the store is unchanged by the failures" "$(store_digest "$S")" "$D0"
# the same in the middle of a pass: the node has three blocks more; the first is read and
# appended, the second fails. The store stays at its last commit (main committed the first).
T0=$(printf '%d' "$(rpc eth_blockNumber '[]' | jq -r .result)")
for _ in 1 2 3; do rpc evm_mine '[]' > /dev/null; done
N=$((T0 + 2))
expect_fail "a JSON-RPC error after a block was read names the URL, method and block" \
    "http://127.0.0.1:$FPORT/error/$N eth_getBlockByNumber (block $N): JSON-RPC error -32000: header not found" \
    --rpc "http://127.0.0.1:$FPORT/error/$N"
check_eq "... and the store stays at its last commit (block $((T0 + 1)) read, not published)" "$(store_digest "$S")" "$D0"
expect_fail "a timeout after a block was read names the URL, method and block" \
    "http://127.0.0.1:$FPORT/hang/$N eth_getBlockByNumber (block $N): no answer within 4.0 s (timeout)" \
    --rpc "http://127.0.0.1:$FPORT/hang/$N" --timeout 4
check_eq "... and the store stays at its last commit" "$(store_digest "$S")" "$D0"
check "check passes after the failures" "$CW_BIN" check --store "$S"
check "the node's next blocks then ingest" "$CW_BIN" ingest evm --rpc "$URL" --store "$S" --quiet
check_eq "store tip = node tip after the failures" "$("$CW_BIN" block "$((T0 + 3))" --store "$S" --json | jq -r .hash)" \
    "$(rpc eth_getBlockByNumber "[\"$(printf 0x%x "$((T0 + 3))")\",false]" | jq -r .result.hash)"
# a reorg inside a pass (the parent-hash rollback; every reorg above happens between passes and
# is caught by the tip check): the node serves block T+1 of branch a, which it then drops for a
# longer branch b (the proxy answers the first requests for T+1 with branch a's block, receipts
# and traces, saved before the revert); T+2's parent is b's T+1, so the pass rolls its T+1 back
# and reads it again
T0=$(printf '%d' "$(rpc eth_blockNumber '[]' | jq -r .result)")
SNAP=$(rpc evm_snapshot '[]' | jq -r .result)
$DRV more "$URL" "$T/state.json" a > /dev/null
Q=$(printf 0x%x $((T0 + 1)))
jq -n --argjson b "$(rpc eth_getBlockByNumber "[\"$Q\",true]" | jq .result)" \
    --argjson r "$(rpc eth_getBlockReceipts "[\"$Q\"]" | jq .result)" \
    --argjson t "$(rpc trace_block "[\"$Q\"]" | jq .result)" \
    '{eth_getBlockByNumber: $b, eth_getBlockReceipts: $r, trace_block: $t}' > "$T/stale.json"
rpc evm_revert "[\"$SNAP\"]" > /dev/null
$DRV more "$URL" "$T/state.json" b > /dev/null
out=$("$CW_BIN" ingest evm --rpc "http://127.0.0.1:$FPORT/stale/$((T0 + 1))" --store "$S" --json --quiet 2>&1) || true
check "a reorg inside a pass: the stale block T+1 rolled back by T+2's parent hash ($(echo "$out" | tr -d '\n' | cut -c1-120))" \
    bash -c "echo '$out' | jq -e '.rolled_back >= 1 and .blocks_added >= 5'"
TIP=$(printf '%d' "$(rpc eth_blockNumber '[]' | jq -r .result)")
check_eq "... store tip hash = node tip hash" "$("$CW_BIN" block "$TIP" --store "$S" --json | jq -r .hash)" \
    "$(rpc eth_getBlockByNumber "[\"$(printf 0x%x "$TIP")\",false]" | jq -r .result.hash)"
check "... balances agree" $DRV check "$URL" "$T/state.json" "$CW_BIN" "$S"
finish
