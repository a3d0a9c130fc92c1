#!/usr/bin/env bash
# The chain behind the JSON API: serve --store --labels answers /api/v1/chain/ (status, tx, block,
# address, cluster, screen, trace) on the generated world with the same answers as the CLI,
# needs an API key, and sees blocks ingested while it runs.
source "$(dirname "$0")/../lib/cli.sh"
SC="$CW_SOURCE_DIR/data/scenarios/quick-heist.json"
"$CW_BIN" gen --out "$T/w" --txs 3000 --seed 5 --scenario "$SC" --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest --to 40 --quiet > /dev/null
"$CW_BIN" labels import gen-truth "$T/w/truth/addresses.csv" --db "$T/labels.db" --quiet > /dev/null
"$CW_BIN" cluster build --store "$T/s" > /dev/null
export CHAINWATCH_SUPPLY_DB="$T/supply.db"
"$CW_BIN" supply synth --out "$T/synth" --seed 7 --years 6 --first-year 2018 > /dev/null
"$CW_BIN" supply load comtrade "$T/synth/comtrade.csv" > /dev/null
"$CW_BIN" supply load prices "$T/synth/prices.csv" > /dev/null
DB="$T/node.db"
"$CW_BIN" node init --db "$DB" --name USA > /dev/null
KEY=$("$CW_BIN" keys add analyst1 --role analyst --db "$DB")
"$CW_BIN" serve --db "$DB" --store "$T/s" --labels "$T/labels.db" --supply-db "$T/supply.db" --listen 127.0.0.1:0 --ready-file "$T/ready" 2> "$T/log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
[ -s "$T/ready" ] || { cat "$T/log"; exit 1; }
U="http://$(cat "$T/ready")/api/v1/chain"
get() { curl -s -H "Authorization: Bearer $KEY" "$U/$1"; }
code() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${2:-$KEY}" "$U/$1"; }

check_eq "no key: 401" "$(curl -s -o /dev/null -w '%{http_code}' "$U/status")" 401
check_eq "status: 41 blocks" "$(get status | jq .blocks)" 41
# serve opened the store before listening and reads its files into the page cache in the
# background; chain/status says how far that got (done: every byte of every file)
for _ in $(seq 100); do [ "$(get status | jq -r .warm.state)" = done ] && break; sleep 0.1; done
check_eq "status: the store is warm" "$(get status | jq -r .warm.state)" done
check_eq "status: warm-up read every byte" "$(get status | jq '.warm.of > 0 and .warm.bytes == .warm.of')" true
check "log: the warm-up's line" grep -q "store warm: .* MB in the page cache" "$T/log"
TXID=$("$CW_BIN" block 40 --store "$T/s" --json | jq -r '.txids[-1]')
check_eq "tx: same JSON as the CLI (less pattern flags)" \
    "$(get "tx/$TXID" | jq -S 'del(.flags, .flags_source)')" \
    "$("$CW_BIN" tx "$TXID" --store "$T/s" --json | jq -S 'del(.flags, .flags_source)')"
check "tx: has pattern flags" bash -c "curl -s -H 'Authorization: Bearer $KEY' '$U/tx/$TXID' | jq -e '.flags | type == \"array\"' > /dev/null"
check_eq "block by height" "$(get block/40 | jq -r .hash)" "$("$CW_BIN" block 40 --store "$T/s" --json | jq -r .hash)"
ADDR=$(get "tx/$TXID" | jq -r '.outputs[0].address')
a=$(get "address/$ADDR")
check_eq "address: balance as the CLI" "$(jq .balance <<<"$a")" "$("$CW_BIN" address "$ADDR" --store "$T/s" --json | jq .balance)"
want=$("$CW_BIN" labels show "$ADDR" --db "$T/labels.db" --json | jq -r '[.. | objects | select(has("category")) | .category][0]')
check_eq "address: label as the label store has it" "$(jq -r '.label.category' <<<"$a")" "$want"
check "address: cluster facts" bash -c "jq -e '.cluster.size >= 1' <<<'$a' > /dev/null"
check_eq "cluster: contains the address" "$(get "cluster/$ADDR" | jq --arg a "$ADDR" '[.members[].address] | index($a) != null')" true
check_eq "screen: answers" "$(get "screen/$ADDR" | jq -r .address)" "$ADDR"
# one output (a deposit) and each deposit apart: the CLI's answers
pick='{outpoint, value, time, address, base, floor_sat, flag, exposure}'
check_eq "screen/txid:vout: the CLI's answer" "$(get "screen/$TXID:0" | jq -S "$pick")" \
    "$("$CW_BIN" screen "$TXID:0" --store "$T/s" --labels "$T/labels.db" --json | jq -S "$pick")"
pick='{flag, pooled_flag, per_deposit: (.per_deposit | {screened, below_min_deposit, flag, n: (.flagged | length)})}'
check_eq "screen?per_deposit=1: the CLI's answer" \
    "$(get "screen/$ADDR?per_deposit=1&min_deposit=5000" | jq -S "$pick")" \
    "$("$CW_BIN" screen "$ADDR" --store "$T/s" --labels "$T/labels.db" --json --per-deposit --min-deposit 5000 | jq -S "$pick")"
pick='{flag, pooled_flag, per_deposit}'
check_eq "screen: the default is the CLI's (each deposit, certain only)" \
    "$(get "screen/$ADDR" | jq -S "$pick")" \
    "$("$CW_BIN" screen "$ADDR" --store "$T/s" --labels "$T/labels.db" --json | jq -S "$pick")"
check_eq "screen: per_deposit=certain is the default" "$(get "screen/$ADDR?per_deposit=certain" | jq -r .per_deposit.mode)" certain
check_eq "screen: per_deposit=0: pooled only, as --deposits off" \
    "$(get "screen/$ADDR?per_deposit=0" | jq -S "$pick")" \
    "$("$CW_BIN" screen "$ADDR" --store "$T/s" --labels "$T/labels.db" --json --deposits off | jq -S "$pick")"
check_eq "screen: a bad per_deposit: 400" "$(code "screen/$ADDR?per_deposit=yes")" 400
check_eq "screen: a missing output: 404" "$(code "screen/$TXID:999")" 404
check_eq "screen: mix_rounds=0 (the rule off) as the CLI's --mix-rounds 0" \
    "$(get "screen/$ADDR?mix_rounds=0" | jq -S '{flag, exposure, flags}')" \
    "$("$CW_BIN" screen "$ADDR" --store "$T/s" --labels "$T/labels.db" --mix-rounds 0 --json | jq -S '{flag, exposure, flags}')"
check_eq "screen: a bad mix_rounds: 400" "$(code "screen/$ADDR?mix_rounds=three")" 400
check_eq "trace: dust_rule=off answers" "$(get "trace?from=$TXID&max_hops=2&dust_rule=off" | jq 'has("summary") or has("nodes") or has("graph")')" true
check_eq "trace: a bad dust_rule: 400" "$(code "trace?from=$TXID&max_hops=2&dust_rule=maybe")" 400
check_eq "trace: forward FIFO from the tx" "$(get "trace?from=$TXID&model=fifo&max_hops=3" | jq 'has("summary") or has("nodes") or has("graph")')" true
check_eq "bad txid: 400" "$(code tx/zz)" 400
check_eq "unknown tx: 404" "$(code tx/0000000000000000000000000000000000000000000000000000000000000000)" 404
check_eq "trace without from: 400" "$(code trace)" 400
# the dashboard's other routes
check_eq "search txid -> tx" "$(get "../search?q=$TXID" | jq -r '.kind + " " + .result.txid')" "tx $TXID"
check_eq "search address" "$(get "../search?q=$ADDR" | jq -r '.kind')" address
check_eq "search height" "$(get "../search?q=40" | jq -r '.kind + " " + (.result.height|tostring)')" "block 40"
check_eq "/api/v1/trace = chain/trace" "$(get "../trace?from=$TXID&max_hops=2" | jq -S .)" "$(get "trace?from=$TXID&max_hops=2" | jq -S .)"
check_eq "peers: a list" "$(get ../peers | jq '.peers | type')" '"array"'
check "audit: our requests are in it" bash -c "curl -s -H 'Authorization: Bearer $KEY' '$U/../audit?limit=50' | jq -e '[.entries[] | select(.action == \"http.read\")] | length > 0' > /dev/null"
st=$(get ../supply/status)
check_eq "supply status: the same as the CLI" "$(jq '[.assessments[] | .level] | sort' <<<"$st")" "$("$CW_BIN" supply status --json | jq '[.assessments[] | .level] | sort')"
c=$(jq -r '[.assessments[] | select(.level != null)][0].commodity' <<<"$st")
check_eq "supply explain" "$(get "../supply/explain/$c/KOR" | jq -S 'del(.generated_at)')" "$("$CW_BIN" supply explain "$c" KOR --json | jq -S 'del(.generated_at)')"
check_eq "unknown commodity: 404" "$(code ../supply/explain/unobtainium/KOR)" 404
# blocks ingested while the server runs are seen by the next request
# Chain routes run concurrently under the read lock: 6 clients x 12 rounds of address, tx,
# trace and cluster, every answer equal to the one asked alone.
norm_trace() { jq -S 'del(.. | .elapsed_ms?, .elapsed_s?, .ms?)'; }
want_a=$(get "address/$ADDR" | jq -S . | md5sum)
want_t=$(get "tx/$TXID" | jq -S . | md5sum)
want_r=$(get "trace?from=$TXID&model=fifo&max_hops=3" | norm_trace | md5sum)
want_c=$(get "cluster/$ADDR" | jq -S . | md5sum)
client() {
    local bad=0
    for _ in $(seq 12); do
        [ "$(get "address/$ADDR" | jq -S . | md5sum)" = "$want_a" ] || bad=$((bad + 1))
        [ "$(get "tx/$TXID" | jq -S . | md5sum)" = "$want_t" ] || bad=$((bad + 1))
        [ "$(get "trace?from=$TXID&model=fifo&max_hops=3" | norm_trace | md5sum)" = "$want_r" ] || bad=$((bad + 1))
        [ "$(get "cluster/$ADDR" | jq -S . | md5sum)" = "$want_c" ] || bad=$((bad + 1))
    done
    echo "$bad" > "$T/client.$1"
}
pids=()
for c in 1 2 3 4 5 6; do client "$c" & pids+=($!); done
wait "${pids[@]}"
for c in 1 2 3 4 5 6; do
    check_eq "concurrent client $c: every answer as asked alone" "$(cat "$T/client.$c")" 0
done
# ...and while ingest grows the store, which the server reopens under the write lock: every
# request answers 200 (blocks 41..60 arrive meanwhile, so the answers themselves may change).
busy() {
    local bad=0
    for _ in $(seq 20); do
        for r in "address/$ADDR" "tx/$TXID" "trace?from=$TXID&model=fifo&max_hops=3" status; do
            [ "$(code "$r")" = 200 ] || bad=$((bad + 1))
        done
    done
    echo "$bad" > "$T/busy.$1"
}
pids=()
for c in 1 2 3 4; do busy "$c" & pids+=($!); done
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest --to 60 --quiet > /dev/null
wait "${pids[@]}"
for c in 1 2 3 4; do
    check_eq "client $c during ingest: every request 200" "$(cat "$T/busy.$c")" 0
done
check_eq "status after more blocks: 61" "$(get status | jq .blocks)" 61
check "server still running" kill -0 "$PID"
finish
