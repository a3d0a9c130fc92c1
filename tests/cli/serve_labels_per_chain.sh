#!/usr/bin/env bash
# serve with both chains, each store with its own labels: `--labels` is the Bitcoin store's and
# `--evm-labels` the EVM store's. A Bitcoin world's labels name none of an EVM world's accounts,
# so before --evm-labels the demo's server traced the EVM world without a label. With only
# `--labels` (the one-chain case, and both chains as before) the EVM store uses it too.
source "$(dirname "$0")/../lib/cli.sh"
B=$CW_BIN
# the Bitcoin world and its labels (the ground truth's)
"$B" gen --out "$T/bw" --txs 3000 --seed 3 --scenario "$CW_SOURCE_DIR/data/scenarios/quick-heist.json" --quiet > /dev/null
"$B" ingest btc --blocks "$T/bw/blocks" --store "$T/bs" --network regtest --quiet > /dev/null
"$B" labels import gen-truth "$T/bw/truth/addresses.csv" --db "$T/bl.db" --quiet > /dev/null
# the EVM world and its labels (its exchanges, mixer pool and bridge)
"$B" gen evm --out "$T/ew" --txs 15000 --seed 3 --scenario "$CW_SOURCE_DIR/data/scenarios/evm-quick-heist.json" --quiet > /dev/null
"$B" ingest evm --csv "$T/ew" --store "$T/es" --quiet > /dev/null
awk -F, 'BEGIN { print "address,entity,category,asset" }
         NR > 1 && ($5 == "exchange" || $5 == "mixer_pool" || $5 == "bridge_router" || $5 == "bridge_vault") {
             c = $5 == "exchange" ? "exchange" : $5 == "mixer_pool" ? "mixer" : "bridge"
             print $1 "," ($4 == "" ? $5 : $4) "," c ",ETH" }' "$T/ew/truth/addresses.csv" > "$T/el.csv"
"$B" labels import csv "$T/el.csv" --db "$T/el.db" --quiet > /dev/null
"$B" node init --db "$T/n.db" --name USA > /dev/null
KEY=$("$B" keys add analyst1 --role analyst --db "$T/n.db")
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
serve() { # serve NAME ARGS...: a server, its URL in $T/NAME.url
    local name=$1
    shift
    "$B" serve --db "$T/n.db" --listen 127.0.0.1:0 --ready-file "$T/$name.ready" "$@" 2> "$T/$name.log" &
    PIDS+=($!)
    for _ in $(seq 300); do [ -s "$T/$name.ready" ] && break; sleep 0.1; done
    [ -s "$T/$name.ready" ] || { cat "$T/$name.log"; exit 1; }
    echo "http://$(cat "$T/$name.ready")/api/v1" > "$T/$name.url"
}
get() { curl -s -H "Authorization: Bearer $KEY" "$(cat "$T/$1.url")/$2"; }
froms=$(jq -r '[.[] | (.drain_txs // .drain_transactions)[]] | join(",")' "$T/ew/truth/heists.json")
EX=
for a in $(awk -F, 'NR > 1 && ($5 == "exchange" || $5 == "exchange_deposit") { print $1 }' "$T/bw/truth/addresses.csv" | head -50); do
    "$B" address "$a" --store "$T/bs" > /dev/null 2>&1 && { EX=$a; break; }
done
ENTS=$(cut -d, -f2 "$T/el.csv" | tail -n +2 | sort -u)
labelled() { # the entities an EVM trace names, one a line
    jq -r '[.. | objects | .entity? // empty | strings] | unique[]' "$1"
}

serve both --store "$T/bs" --labels "$T/bl.db" --evm-store "$T/es" --evm-labels "$T/el.db"
get both "evm/trace?from=$froms" > "$T/both.json"
check_eq "evm/trace answers" "$(jq -r 'has("chain")' "$T/both.json")" true
labelled "$T/both.json" > "$T/both.ents"
check "evm/trace names the EVM world's labelled entities ($(wc -l < "$T/both.ents"))" test -s "$T/both.ents"
check_eq "... and only entities of the EVM labels" "$(comm -23 "$T/both.ents" <(echo "$ENTS") | wc -l)" 0
check_eq "chain/address: the Bitcoin labels label a Bitcoin exchange's address" \
    "$(get both "chain/address/$EX" | jq -r '.label.category | startswith("exchange")')" true

# the old way, one --labels for both: the Bitcoin labels name no EVM account
serve one --store "$T/bs" --labels "$T/bl.db" --evm-store "$T/es"
get one "evm/trace?from=$froms" > "$T/one.json"
check_eq "one --labels (the Bitcoin world's): the EVM trace names no entity" "$(labelled "$T/one.json" | wc -l)" 0
# the one-chain case: --labels serves the only store there is
serve evm --evm-store "$T/es" --labels "$T/el.db"
get evm "evm/trace?from=$froms" > "$T/evm.json"
check_eq "EVM only, --labels: the same entities as --evm-labels" "$(labelled "$T/evm.json")" "$(cat "$T/both.ents")"
set +e
"$B" serve --db "$T/n.db" --evm-labels "$T/el.db" --listen 127.0.0.1:0 2> "$T/err"
rc=$?
set -e
check_eq "--evm-labels without an EVM store: usage error (exit 2)" "$rc" 2
check "... naming the flag" grep -q -- "--evm-labels" "$T/err"
finish
