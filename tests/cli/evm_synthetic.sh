#!/usr/bin/env bash
# A generated EVM world says so wherever the store's contents are shown, and real data never
# does. The store knows: `ingest evm --csv DIR` marks it (MANIFEST `synthetic 1`) when DIR holds
# a generator's ground truth (DIR/truth/world.json, as `chainwatch gen evm` writes it) or with
# --synthetic, so no later caller can forget the mark: `check`, `trace` (text and JSON), the
# rules (`rules run` without --synthetic: every alert's title and evidence), the STIX objects
# published to partners (names and labels) and the server's evm/status and evm/trace all say it.
# Real data (mainnet block 483920, ethereum-etl export from ../shared) is never marked.
source "$(dirname "$0")/../lib/cli.sh"
need_shared eth-etl-csv/transactions_483920.csv
B=$CW_BIN
W=$T/w
"$B" gen evm --out "$W" --txs 15000 --seed 3 --scenario "$CW_SOURCE_DIR/data/scenarios/evm-quick-heist.json" --quiet > /dev/null
"$B" ingest evm --csv "$W" --store "$T/s" --quiet > "$T/ingest.txt"
check "ingest of a generated world says SYNTHETIC" grep -q '^ingest: SYNTHETIC world' "$T/ingest.txt"
check_eq "... and its store's MANIFEST records it" "$(grep -c '^synthetic 1$' "$T/s/MANIFEST")" 1
check "check: the text says SYNTHETIC world" bash -c "'$B' check --store '$T/s' | grep -q '(EVM, ethereum, SYNTHETIC world)'"
check_eq "check --json: synthetic true" "$("$B" check --store "$T/s" --json | jq .synthetic)" true

# real data: mainnet block 483920, never marked
mkdir -p "$T/real"
for k in blocks transactions receipts logs token_transfers; do
    ln -s "$SHARED/eth-etl-csv/${k}_483920.csv" "$T/real/$k.csv"
done
"$B" ingest evm --csv "$T/real" --store "$T/r" --quiet > "$T/ingest-real.txt"
check "real data: ingest says nothing of SYNTHETIC" bash -c "! grep -qi synthetic '$T/ingest-real.txt'"
check_eq "real data: no synthetic line in MANIFEST" "$(grep -c synthetic "$T/r/MANIFEST" || true)" 0
check_eq "real data: check --json synthetic false" "$("$B" check --store "$T/r" --json | jq .synthetic)" false
RTX=$(awk -F, 'NR > 1 && $8 != "0" { print $1; exit }' "$T/real/transactions.csv")
"$B" trace --store "$T/r" --from "$RTX" > "$T/rtrace.txt"
check "real data: trace text never says SYNTHETIC" bash -c "! grep -qi synthetic '$T/rtrace.txt'"
check_eq "real data: trace --json synthetic false" "$("$B" trace --store "$T/r" --from "$RTX" --json | jq .synthetic)" false

# the same exports without their truth folder: not recognised; --synthetic declares them
mkdir -p "$T/bare"
for f in "$W"/*.csv; do ln -s "$f" "$T/bare/"; done
"$B" ingest evm --csv "$T/bare" --store "$T/b" --quiet > /dev/null
check_eq "exports without truth/world.json: not marked" "$(grep -c synthetic "$T/b/MANIFEST" || true)" 0
"$B" ingest evm --csv "$T/bare" --store "$T/b" --synthetic --quiet > "$T/ingest-b.txt"
check_eq "--synthetic marks a store (its blocks already in it)" "$(grep -c '^synthetic 1$' "$T/b/MANIFEST")" 1
check_eq "... and the rerun added no block" "$(grep -o '8 value movements\|0 blocks, 0 txs' "$T/ingest-b.txt" | head -1)" "0 blocks, 0 txs"
"$B" ingest evm --csv "$T/bare" --store "$T/b" --quiet > /dev/null
check_eq "a marked store stays marked when ingested without the flag" "$(grep -c '^synthetic 1$' "$T/b/MANIFEST")" 1
"$B" ingest evm --csv "$T/bare" --store "$T/b" --rollback-to 100 --quiet > "$T/ingest-rb.txt"
check "... and after a rollback to block 100 and the blocks after it again" \
    bash -c "grep -q '^synthetic 1$' '$T/b/MANIFEST' && grep -q 'tip height 3245' '$T/ingest-rb.txt' && ! grep -q ' 0 blocks, 0 txs' '$T/ingest-rb.txt'"

# trace on the generated world
awk -F, 'BEGIN { print "address,entity,category,asset" }
         NR > 1 && ($5 == "exchange" || $5 == "mixer_pool" || $5 == "bridge_router" || $5 == "bridge_vault") {
             c = $5 == "exchange" ? "exchange" : $5 == "mixer_pool" ? "mixer" : "bridge"
             print $1 "," ($4 == "" ? $5 : $4) "," c ",ETH" }' "$W/truth/addresses.csv" > "$T/labels.csv"
# and the victim's hot wallet as if it were sanctioned: its alert carries an address, so the
# published STIX has an indicator, observed data and a sighting besides the reports
echo "$(jq -r '.[0].victim_hot_wallet' "$W/truth/heists.json"),Test Sanctioned,sanctioned,ETH" >> "$T/labels.csv"
"$B" labels import csv "$T/labels.csv" --db "$T/labels.db" --quiet > /dev/null
FROM=()
for t in $(jq -r '.[] | (.drain_txs // .drain_transactions)[]' "$W/truth/heists.json"); do FROM+=(--from "$t"); done
"$B" trace --store "$T/s" --labels "$T/labels.db" "${FROM[@]}" --through-mixer > "$T/trace.txt"
check "trace text: its first line says SYNTHETIC world" bash -c "head -1 '$T/trace.txt' | grep -q '^SYNTHETIC world: '"
"$B" trace --store "$T/s" --labels "$T/labels.db" "${FROM[@]}" --through-mixer --json > "$T/trace.json"
check_eq "trace --json: synthetic true" "$(jq .synthetic "$T/trace.json")" true
TX1=${FROM[1]}
ADDR1=$(jq -r '.[0].victim_hot_wallet' "$W/truth/heists.json")
for q in "tx $TX1" "block 100" "address $ADDR1" "screen $ADDR1"; do
    # shellcheck disable=SC2086
    check "$q: the text's first line says SYNTHETIC world" bash -c "'$B' $q --store '$T/s' | head -1 | grep -q '^SYNTHETIC world: '"
    # shellcheck disable=SC2086
    check_eq "$q --json: synthetic true" "$("$B" $q --store "$T/s" --json | jq .synthetic)" true
done
for q in "tx $RTX" "block 483920"; do
    # shellcheck disable=SC2086
    check "real data: $q text never says SYNTHETIC" bash -c "! '$B' $q --store '$T/r' | grep -qi synthetic"
    # shellcheck disable=SC2086
    check_eq "real data: $q --json synthetic false" "$("$B" $q --store "$T/r" --json | jq .synthetic)" false
done

# the rules, run WITHOUT --synthetic: the store marks every alert
jq '[.[] | {name, from: (.drain_txs // .drain_transactions), severity: "critical", tlp: "amber", share_to: "KOR"}]' \
    "$W/truth/heists.json" > "$T/cases.json"
N=$T/node.db
"$B" node init --db "$N" --name USA > /dev/null
"$B" rules run --db "$N" --store "$T/s" --labels "$T/labels.db" --cases "$T/cases.json" > /dev/null
"$B" alerts list --db "$N" --source chain --json > "$T/al.json"
n=$(jq '.alerts | length' "$T/al.json")
check "the rules raised the case's alerts ($n)" test "$n" -ge 3
check_eq "every alert's title starts 'SYNTHETIC world: '" "$(jq '[.alerts[] | select(.title | startswith("SYNTHETIC world: "))] | length' "$T/al.json")" "$n"
check_eq "... and its evidence says synthetic: true" "$(jq '[.alerts[] | select((.evidence | if type == "string" then fromjson else . end).synthetic == true)] | length' "$T/al.json")" "$n"
check_eq "every alert has the on-chain time of its triggering tx (alerts list)" "$(jq '[.alerts[] | select(.onchain_time == null)] | length' "$T/al.json")" 0
EXA=$(jq -c '[.alerts[] | select(.kind == "stolen-funds-at-exchange")][0]' "$T/al.json")
first=$(for t in $(jq -r '.evidence | (if type == "string" then fromjson else . end) | .arrivals[].tx' <<< "$EXA"); do
    "$B" tx "$t" --store "$T/s" --json | jq .block; done | sort -n | head -1)
check_eq "... an exchange alert's: its earliest arrival's block" "$(jq .onchain_height <<< "$EXA")" "$first"
check_eq "the exchange alerts keep PROBABLE (deposit addresses recognised from behaviour)" \
    "$(jq '[.alerts[] | select(.kind == "stolen-funds-at-exchange") | select(.title | test("PROBABLE") | not)] | length' "$T/al.json")" 0
command -v sqlite3 > /dev/null || { echo "SKIPPED the STIX part: sqlite3 not installed"; finish; exit $?; }
sqlite3 "$N" "SELECT json FROM stix_objects" > "$T/objects.jsonl"
nrep=$(jq -s '[.[] | select(.type == "report")] | length' "$T/objects.jsonl")
check "... one of them the sanctioned wallet's" test "$(jq '[.alerts[] | select(.kind | startswith("sanctioned-address"))] | length' "$T/al.json")" -ge 1
check_eq "STIX: a report per alert" "$nrep" "$n"
check_eq "STIX: every report's name starts 'SYNTHETIC world: '" "$(jq -s '[.[] | select(.type == "report" and (.name | startswith("SYNTHETIC world: ")))] | length' "$T/objects.jsonl")" "$n"
check_eq "STIX: an indicator, observed data and a sighting (the sanctioned wallet's alert)" \
    "$(jq -s -c '[.[] | select(.type | IN("indicator", "observed-data", "sighting")) | .type] | unique' "$T/objects.jsonl")" \
    '["indicator","observed-data","sighting"]'
check_eq "STIX: every SDO and SRO about the findings is labelled synthetic" \
    "$(jq -s '[.[] | select(.type | IN("report", "indicator", "observed-data", "sighting")) | select((.labels // []) | index("synthetic") | not)] | length' "$T/objects.jsonl")" 0
stix_validate "$T/objects.jsonl" "the labelled bundle is valid"

# the server: evm/status and evm/trace say so for the generated world, not for the real block
KEY=$("$B" keys add analyst1 --role analyst --db "$N")
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
serve() { # serve NAME STORE: starts a server on it, its URL in $T/NAME.url
    "$B" serve --db "$N" --evm-store "$2" --labels "$T/labels.db" --listen 127.0.0.1:0 --ready-file "$T/$1.ready" 2> "$T/$1.log" &
    PIDS+=($!)
    for _ in $(seq 200); do [ -s "$T/$1.ready" ] && break; sleep 0.1; done
    [ -s "$T/$1.ready" ] || { cat "$T/$1.log"; exit 1; }
    echo "http://$(cat "$T/$1.ready")/api/v1/evm" > "$T/$1.url"
}
serve gen "$T/s"
serve real "$T/r"
get() { curl -s -H "Authorization: Bearer $KEY" "$(cat "$T/$1.url")/$2"; }
check_eq "evm/status on the generated world: synthetic true" "$(get gen status | jq .synthetic)" true
froms=$(jq -r '[.[] | (.drain_txs // .drain_transactions)[]] | join(",")' "$W/truth/heists.json")
check_eq "evm/trace on the generated world: synthetic true" "$(get gen "trace?from=$froms" | jq .synthetic)" true
check_eq "evm/status on the real block: synthetic false" "$(get real status | jq .synthetic)" false
check_eq "evm/trace on the real block: synthetic false" "$(get real "trace?from=$RTX" | jq .synthetic)" false
finish
