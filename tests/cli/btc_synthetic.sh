#!/usr/bin/env bash
# A generated Bitcoin world says so wherever the store's contents are shown, and real blocks
# never do (as tests/cli/evm_synthetic.sh for EVM). `ingest btc --blocks DIR/blocks` marks the
# store (MANIFEST `synthetic 1`) when DIR/truth/world.json lies beside the blocks (`chainwatch
# gen --out DIR`) or with --synthetic; `check`, `tx`, `block`, `address`, `trace`, `screen` (text and
# JSON), the rules run WITHOUT --synthetic (every alert's title and evidence), the STIX objects
# published from them (names and labels) and the server's chain/status, tx, address, screen and trace
# all say it. Mainnet blocks 0-438 (../shared) are never marked.
source "$(dirname "$0")/../lib/cli.sh"
B=$CW_BIN
W=$T/w
"$B" gen --out "$W" --txs 3000 --seed 3 --scenario "$CW_SOURCE_DIR/data/scenarios/quick-heist.json" --quiet > /dev/null
"$B" ingest btc --blocks "$W/blocks" --store "$T/s" --network regtest --quiet > "$T/ingest.txt"
check "ingest of a generated world says SYNTHETIC" grep -q '^ingest: SYNTHETIC world' "$T/ingest.txt"
check_eq "... and its store's MANIFEST records it" "$(grep -c '^synthetic 1$' "$T/s/MANIFEST")" 1
check_eq "ingest --json: synthetic true" "$("$B" ingest btc --blocks "$W/blocks/" --store "$T/s" --network regtest --quiet --json | jq .synthetic)" true
check "check: the text says SYNTHETIC world" bash -c "'$B' check --store '$T/s' | head -1 | grep -q '(SYNTHETIC world)'"
check_eq "check --json: synthetic true" "$("$B" check --store "$T/s" --json | jq .synthetic)" true
TX=$(jq -r '.[0].theft_txid // .[0].theft_tx // empty' "$W/truth/heists.json")
[ -n "$TX" ] || TX=$("$B" block 150 --store "$T/s" --json | jq -r '.txids[1]')
A=$("$B" tx "$TX" --store "$T/s" --json | jq -r '[.outputs[].address // empty][0]')
"$B" labels import gen-truth "$W/truth/addresses.csv" --db "$T/l0.db" --quiet > /dev/null
for q in "tx $TX" "block 100" "address $A" "trace --from $TX:0" "screen $A --labels $T/l0.db"; do
    # shellcheck disable=SC2086
    check "$q: the text's first line says SYNTHETIC world" bash -c "'$B' $q --store '$T/s' | head -1 | grep -q '^SYNTHETIC world: '"
    # shellcheck disable=SC2086
    check_eq "$q --json: synthetic true" "$("$B" $q --store "$T/s" --json | jq .synthetic)" true
done

# the same blocks without their truth folder: not recognised; --synthetic declares them
mkdir -p "$T/bare/blocks"
for f in "$W"/blocks/*; do ln -s "$f" "$T/bare/blocks/"; done
"$B" ingest btc --blocks "$T/bare/blocks" --store "$T/b" --network regtest --to 50 --quiet > "$T/ingest-b.txt"
check_eq "blocks without truth/world.json beside them: not marked" "$(grep -c synthetic "$T/b/MANIFEST" || true)" 0
check "... and ingest says nothing of it" bash -c "! grep -qi synthetic '$T/ingest-b.txt'"
check_eq "... tx --json has no synthetic" "$("$B" block 10 --store "$T/b" --json | jq .synthetic)" null
"$B" ingest btc --blocks "$T/bare/blocks" --store "$T/b" --network regtest --to 50 --synthetic --quiet > /dev/null
check_eq "--synthetic marks a store (its blocks already in it)" "$(grep -c '^synthetic 1$' "$T/b/MANIFEST")" 1
"$B" ingest btc --blocks "$T/bare/blocks" --store "$T/b" --network regtest --quiet > /dev/null
check_eq "a marked store stays marked when ingested further without the flag" "$(grep -c '^synthetic 1$' "$T/b/MANIFEST")" 1

# the rules, run WITHOUT --synthetic: the store marks every chain alert, and its STIX
"$B" labels import gen-truth "$W/truth/addresses.csv" --db "$T/l.db" --quiet > /dev/null
jq '[.[] | {name: .name, from: [.stolen_outputs[].outpoint], severity: "critical", tlp: "amber", share_to: "KOR"}]' \
    "$W/truth/heists.json" > "$T/cases.json"
N=$T/node.db
"$B" node init --db "$N" --name USA > /dev/null
"$B" rules run --db "$N" --store "$T/s" --labels "$T/l.db" --cases "$T/cases.json" > /dev/null
"$B" alerts list --db "$N" --source chain --limit 1000 --json > "$T/al.json"
n=$(jq '.alerts | length' "$T/al.json")
check "the rules raised chain alerts ($n)" test "$n" -ge 3
check_eq "every alert's title starts 'SYNTHETIC world: '" "$(jq '[.alerts[] | select(.title | startswith("SYNTHETIC world: "))] | length' "$T/al.json")" "$n"
check_eq "... and its evidence says synthetic: true" "$(jq '[.alerts[] | select((.evidence | if type == "string" then fromjson else . end).synthetic == true)] | length' "$T/al.json")" "$n"
if command -v sqlite3 > /dev/null; then
    sqlite3 "$N" "SELECT json FROM stix_objects" > "$T/objects.jsonl"
    check_eq "STIX: every report's name starts 'SYNTHETIC world: '" \
        "$(jq -s '[.[] | select(.type == "report" and (.name | startswith("SYNTHETIC world: ") | not))] | length' "$T/objects.jsonl")" 0
    check "STIX: reports were published" test "$(jq -s '[.[] | select(.type == "report")] | length' "$T/objects.jsonl")" -ge 1
    check_eq "STIX: every SDO and SRO about the findings is labelled synthetic" \
        "$(jq -s '[.[] | select(.type | IN("report", "indicator", "observed-data", "sighting")) | select((.labels // []) | index("synthetic") | not)] | length' "$T/objects.jsonl")" 0
fi

# real blocks: mainnet 0-438, never marked
if [ -e "$SHARED/btc-mainnet-blocks/mainnet-h0-h438.blk" ]; then
    mkdir -p "$T/real"
    ln -s "$(realpath "$SHARED/btc-mainnet-blocks/mainnet-h0-h438.blk")" "$T/real/blk00000.dat"
    "$B" ingest btc --blocks "$T/real" --store "$T/r" --quiet > "$T/ingest-real.txt"
    check "real blocks: ingest says nothing of SYNTHETIC" bash -c "! grep -qi synthetic '$T/ingest-real.txt'"
    check_eq "real blocks: no synthetic line in MANIFEST" "$(grep -c synthetic "$T/r/MANIFEST" || true)" 0
    RTX=0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098 # block 1's coinbase
    for q in "tx $RTX" "block 1" "trace --from $RTX:0" "check"; do
        # shellcheck disable=SC2086
        check "real blocks: $q never says SYNTHETIC" bash -c "! '$B' $q --store '$T/r' | grep -qi synthetic"
        # shellcheck disable=SC2086
        check_eq "real blocks: $q --json has no synthetic" "$("$B" $q --store "$T/r" --json | jq .synthetic)" null
    done
else
    echo "SKIPPED the real-blocks part: $SHARED/btc-mainnet-blocks is absent"
fi

# the server: chain/status, tx, address and trace
KEY=$("$B" keys add analyst1 --role analyst --db "$N")
PID=
trap '[ -n "$PID" ] && { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }; rm -rf "$T"' EXIT
"$B" serve --db "$N" --store "$T/s" --labels "$T/l.db" --listen 127.0.0.1:0 --ready-file "$T/ready" 2> "$T/serve.log" &
PID=$!
for _ in $(seq 200); do [ -s "$T/ready" ] && break; sleep 0.1; done
[ -s "$T/ready" ] || { cat "$T/serve.log"; exit 1; }
U="http://$(cat "$T/ready")/api/v1/chain"
get() { curl -s -H "Authorization: Bearer $KEY" "$U/$1"; }
check_eq "chain/status: synthetic true" "$(get status | jq .synthetic)" true
check_eq "chain/tx: synthetic true" "$(get "tx/$TX" | jq .synthetic)" true
check_eq "chain/address: synthetic true" "$(get "address/$A" | jq .synthetic)" true
check_eq "chain/trace: synthetic true" "$(get "trace?from=$TX:0" | jq .synthetic)" true
check_eq "chain/screen: synthetic true" "$(get "screen/$A" | jq .synthetic)" true
finish
