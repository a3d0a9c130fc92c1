#!/usr/bin/env bash
# EVM screening, monitor rules and STIX sharing (issue 13, items 3 and 4) on a small world with
# a known answer (tests/evm/ops_world.py): two of its addresses are real OFAC SDN entries,
# labelled from the published list (../shared/data, the derived CSV of sdn_advanced.xml).
# screen: the Ronin exploiter is itself sanctioned (Lazarus Group), Kim Sang Man's entity has
# XBT and EVM addresses; Y is 100 % directly, Z 50 % indirectly exposed; a mixed-case address
# with a wrong EIP-55 checksum is refused. rules: each EVM rule raises exactly the alerts the
# world implies, with wei as decimal strings; a second run raises nothing new. The published
# STIX objects name the chain and the asset and pass the OASIS stix2-validator.
source "$(dirname "$0")/../lib/cli.sh"
need_shared ofac-sdn-digital-currency/sdn_digital_currency_addresses.csv
/usr/bin/python3 "$CW_SOURCE_DIR/tests/evm/ops_world.py" "$T/w"
"$CW_BIN" ingest evm --csv "$T/w" --store "$T/s" --chain dev --quiet > /dev/null
truth() { jq -r "$1" "$T/w/truth.json"; }
L=$T/labels.db
"$CW_BIN" labels import csv "$SHARED/ofac-sdn-digital-currency/sdn_digital_currency_addresses.csv" --db "$L" --quiet > /dev/null
"$CW_BIN" labels import csv "$T/w/labels.csv" --db "$L" --quiet > /dev/null
S=$(truth .sanctioned); K=$(truth .kim)

# ---- screen
"$CW_BIN" screen "$S" "$K" "$(truth .y)" "$(truth .z)" "$(truth .u)" --store "$T/s" --labels "$L" --json > "$T/sc.json"
r() { jq -r --arg a "$1" ".results[] | select(.address == \$a) | $2" "$T/sc.json"; }
# --json is JSON lines, as Bitcoin's screen (cmd_screen.c's help): here one line, the server's
# document (results and the run's settings), so a pipeline can append runs to a .jsonl file
check_eq "screen --json on an EVM store: one line" "$(wc -l < "$T/sc.json")" 1
check_eq "... one JSON value, with the settings" "$(jq -c '[(.results | length), .threshold, .max_hops > 0]' "$T/sc.json")" "[5,0.05,true]"
check "screen --help says so" bash -c "'$CW_BIN' screen --help | grep -q -- '--json: one line,'"
rc=0; "$CW_BIN" block 1 --store "$T/s" --limit 3 > /dev/null 2> "$T/err" || rc=$?
check_eq "block --limit on an EVM store (no page): exit 2" "$rc" 2
check_eq "the Ronin exploiter is itself sanctioned: Lazarus Group, ofac:27307, DPRK3" \
    "$(r "$S" '[.sanctioned, .flagged, .labels[0].entity, .labels[0].entity_ref, .labels[0].programs] | join(" ")')" \
    "true true Lazarus Group ofac:27307 DPRK3"
# Kim Sang Man: one entity, addresses on two chains (independent count: the published CSV)
want=$(awk -F, -v id=43377 '$3 == id {print $1}' "$SHARED/ofac-sdn-digital-currency/sdn_digital_currency_addresses.csv" | LC_ALL=C sort | uniq -c | awk '{print $2 ":" $1}' | paste -sd,)
got=$(r "$K" '.labels[0].entity_addresses | group_by(.asset) | map("\(.[0].asset):\(length)") | join(",")')
check_eq "Kim Sang Man's entity: its addresses per asset, BTC and EVM ($want)" "$got" "$want"
check "... and they include XBT addresses" test "$(r "$K" '[.labels[0].entity_addresses[] | select(.asset == "XBT")] | length')" -gt 0
check_eq "his EVM address carries its three listings (ETH, USDC, USDT)" "$(r "$K" '[.labels[].asset] | sort | join(",")')" "ETH,USDC,USDT"
near() { /usr/bin/python3 -c "import sys; sys.exit(0 if abs(float(sys.argv[1]) - float(sys.argv[2])) < 1e-9 else 1)" "$1" "$2"; }
check "Y: 100 % direct sanctioned exposure" near "$(r "$(truth .y)" '.assets[0].exposure.sanctioned.direct')" 1
check "Z: 50 % indirect sanctioned exposure" near "$(r "$(truth .z)" '.assets[0].exposure.sanctioned.indirect')" 0.5
check "Z: the other half unexplained" near "$(r "$(truth .z)" '.assets[0].unexplored')" 0.5
check_eq "Z's strongest path ends at the sanctioned address" "$(r "$(truth .z)" '.assets[0].strongest_paths[0].accounts[-1]')" "$S"
check_eq "U received only from K: flagged, not itself sanctioned" "$(r "$(truth .u)" '[.flagged, .sanctioned] | join(" ")')" "true false"
check_eq "checksummed input accepted" "$("$CW_BIN" screen 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 --store "$T/s" --labels "$L" --json | jq .results[0].sanctioned)" true
rc=0; "$CW_BIN" screen 0x098b716B8Aaf21512996dC57EB0615e2383E2f96 --store "$T/s" --labels "$L" > /dev/null 2> "$T/err" || rc=$?
check_eq "a wrong EIP-55 checksum: exit 2" "$rc" 2
check "... and the message gives the checksummed form" grep -q 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 "$T/err"
# at most 256 addresses in one screen (screen_evm.c's MAX_ADDRS): 257 is a usage error naming it
many=(); for _ in $(seq 257); do many+=("$S"); done
rc=0; "$CW_BIN" screen "${many[@]}" --store "$T/s" --labels "$L" > /dev/null 2> "$T/err" || rc=$?
check_eq "257 addresses: exit 2" "$rc" 2
check "... and the message names the limit" grep -q 'at most 256' "$T/err"
check_eq "256 addresses screened" "$("$CW_BIN" screen "${many[@]:1}" --store "$T/s" --labels "$L" --json | jq '.results | length')" 256
check "text output says SANCTIONED" bash -c "'$CW_BIN' screen '$S' --store '$T/s' --labels '$L' | grep -q 'SANCTIONED (labelled)'"

# an exchange that is also sanctioned: the trace still stops there as an exchange, and names
# it by its sanctioned label (never hidden behind the exchange's)
cp "$L" "$T/l2.db"
printf 'address,entity,category,asset\n%s,Sanctioned Exchange,sanctioned,ETH\n' "$(truth .exchange)" > "$T/l2.csv"
"$CW_BIN" labels import csv "$T/l2.csv" --db "$T/l2.db" --quiet > /dev/null
check_eq "exchange + sanctioned: ends as exchange, labelled sanctioned" \
    "$("$CW_BIN" trace --store "$T/s" --from "$(truth .heist)" --labels "$T/l2.db" --json | jq -r --arg a "$(truth .exchange)" '.ends[] | select(.address == $a) | "\(.kind) \(.label.category) \(.label.entity) \(.amount)"')" \
    "exchange sanctioned Sanctioned Exchange $(truth .expect_wei.exchange)"

# ---- monitor rules
printf '[{"name":"heist","from":["%s"],"tlp":"amber","share_to":"KOR"}]\n' "$(truth .heist)" > "$T/cases.json"
N=$T/node.db
"$CW_BIN" node init --db "$N" --name USA > /dev/null
printf 'txs 200000 block 1999 %064d\n' 7 > "$N.monitor" # a Bitcoin scan position
"$CW_BIN" rules run --db "$N" --store "$T/s" --labels "$L" --cases "$T/cases.json" --json > "$T/r1.json"
check_eq "the EVM scan position is the chain's own file" "$(cut -d' ' -f1-2 "$N.monitor.dev" 2> /dev/null)" "evm moves"
check_eq "... and leaves the Bitcoin one as it was" "$(cat "$N.monitor")" "txs 200000 block 1999 $(printf '%064d' 7)"
check_eq "8 alerts raised" "$(jq .raised "$T/r1.json")" 8
"$CW_BIN" alerts list --db "$N" --json > "$T/al.json"
ev() { jq -r --arg k "$1" "[.alerts[] | select(.kind == \$k) | .evidence | $2] | sort | join(\" \")" "$T/al.json"; }
check_eq "stolen funds at the exchange: Exchange X, 30 ETH in wei" "$(ev stolen-funds-at-exchange '"\(.exchange) \(.amounts[0].asset) \(.amounts[0].amount)"')" "Exchange X ETH $(truth .expect_wei.exchange)"
check_eq "... the arrival is the deposit tx" "$(ev stolen-funds-at-exchange '.arrivals[0].tx')" "$(truth .to_exchange)"
check_eq "mixer entry: Mixer M, 10 ETH, 10 deposits" "$(ev watched-funds-mixer-entry '"\(.party) \(.amounts[0].amount) \(.arrival_count)"')" "Mixer M $(truth .expect_wei.mixer) 10"
check_eq "bridge exit: Bridge B, 20 ETH" "$(ev watched-funds-bridge-exit '"\(.party) \(.amounts[0].amount)"')" "Bridge B $(truth .expect_wei.bridge)"
check_eq "sanctioned counterparty: Lazarus Group, 15 ETH, its address" "$(ev watched-funds-sanctioned-counterparty '"\(.party) \(.amounts[0].amount) \(.addresses[0])"')" "Lazarus Group $(truth .expect_wei.sanctioned) $S"
check_eq "sanctioned addresses received (15, 3 ETH)" "$(ev sanctioned-address-receives '"\(.address)=\(.amounts[0].amount)"')" "$S=15000000000000000000 $K=3000000000000000000"
check_eq "sanctioned addresses sent (5, 2 ETH)" "$(ev sanctioned-address-spends '"\(.address)=\(.amounts[0].amount)"')" "$S=5000000000000000000 $K=2000000000000000000"
check_eq "every alert names the chain" "$(jq -r '[.alerts[] | .evidence.chain] | unique | join(",")' "$T/al.json")" dev
check_eq "the exchange is no indicator: its address is a party_address" "$(ev stolen-funds-at-exchange '(.addresses // [] | length)')" 0
check "titles give exact amounts with the symbol" bash -c "jq -r '.alerts[].title' '$T/al.json' | grep -q 'Case heist: 30 ETH of traced funds reached Exchange X on dev'"
"$CW_BIN" rules run --db "$N" --store "$T/s" --labels "$L" --cases "$T/cases.json" --json > "$T/r2.json"
check_eq "second run: nothing new" "$(jq .raised "$T/r2.json")" 0

# ---- STIX
command -v sqlite3 > /dev/null || { echo "SKIPPED the STIX part: sqlite3 not installed"; finish; exit $?; }
sqlite3 "$N" "SELECT json FROM stix_objects" > "$T/objects.jsonl"
check_eq "wallets name the chain and the currency" "$(jq -r 'select(.type == "cryptocurrency-wallet") | "\(.chain)/\(.currency)"' "$T/objects.jsonl" | sort -u | paste -sd,)" "dev/ETH"
check_eq "reports name the chain and the assets" "$(jq -r 'select(.type == "report") | .extensions | to_entries[] | select(.value.kind) | "\(.value.chain)/\(.value.assets | join("+"))"' "$T/objects.jsonl" | sort -u)" "dev/ETH"
check_eq "wei travel as strings in the signed reports" "$(jq -r 'select(.type == "report") | .extensions | to_entries[] | select(.value.kind == "stolen-funds-at-exchange") | .value.evidence.amounts[0].amount | type' "$T/objects.jsonl")" string
stix_validate "$T/objects.jsonl" "the bundle is valid"
finish
