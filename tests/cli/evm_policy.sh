#!/usr/bin/env bash
# One EVM stop policy (issue 13; include/chainwatch/acct_policy.h): `chainwatch trace`, the
# server's GET /api/v1/evm/trace and the monitor's case rule stop at the same accounts with the
# same amounts. The world (tests/cli/evm/bridge_world.py): the heist tx moves 900 ETH to T2,
# which pays an UNLABELLED bridge vault V 400 ETH in seven deposits with memos, three of them
# swaps to other chains; only those memos say V is a bridge. Known answer: all three stop at V
# as a bridge with exactly 400 ETH (in wei), probable, and hold the other 500 ETH (less gas) at
# T2; with behaviour off (--no-services, services=0) nobody stops at V and the value is
# followed into it. Before the policy was one, only the CLI knew memo-named bridges.
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
command -v curl > /dev/null || { echo "SKIPPED: curl is missing"; exit 77; }
/usr/bin/python3 "$SRC/tests/cli/evm/bridge_world.py" "$T/w" bcrt1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq
"$CW_BIN" ingest evm --csv "$T/w" --store "$T/s" --chain dev --quiet > /dev/null
truth() { jq -r "$1" "$T/w/truth.json"; }
HEIST=$(truth .heist); V=$(truth .vault)
WANT=400000000000000000000 # 100 + 6 x 50 ETH, every deposit of T2 into V
stops() { jq -r '[.ends[] | select(.kind != "held") | "\(.kind) \(.address) \(.asset.symbol) \(.amount)"] | sort | join("; ")' "$1"; }

# the CLI
"$CW_BIN" trace --store "$T/s" --from "$HEIST" --json > "$T/cli.json"
check_eq "trace: stops at the memo-named bridge with 400 ETH" "$(stops "$T/cli.json")" "bridge $V ETH $WANT"
check_eq "... recognised from its memos, probable" \
    "$(jq -r --arg v "$V" '.ends[] | select(.address == $v) | "\(.recognised.as) \(.recognised.probable)"' "$T/cli.json")" \
    "bridge deposit (swap memos to other chains) true"
"$CW_BIN" trace --store "$T/s" --from "$HEIST" --no-services --json > "$T/cli0.json"
check_eq "trace --no-services: no stop (behaviour off)" "$(stops "$T/cli0.json")" ""
check_eq "... the 400 ETH are held in V instead" \
    "$(jq -r --arg v "$V" '.ends[] | select(.address == $v) | "\(.kind) \(.amount)"' "$T/cli0.json")" "held $WANT"

# the server
DB=$T/node.db
"$CW_BIN" node init --db "$DB" --name USA > /dev/null
KEY=$("$CW_BIN" keys add analyst1 --role analyst --db "$DB")
"$CW_BIN" serve --db "$DB" --evm-store "$T/s" --listen 127.0.0.1:0 --ready-file "$T/ready" 2> "$T/log" &
PID=$!
trap 'kill $PID 2> /dev/null; wait $PID 2> /dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
[ -s "$T/ready" ] || { cat "$T/log"; exit 1; }
U="http://$(cat "$T/ready")/api/v1/evm"
curl -s -H "Authorization: Bearer $KEY" "$U/trace?from=$HEIST" > "$T/srv.json"
check_eq "server: the same stops and amounts as the CLI" "$(stops "$T/srv.json")" "$(stops "$T/cli.json")"
check_eq "server: the same ends, holdings included" \
    "$(jq -c '[.ends[] | [.kind, .address, .amount, .hops, .probable, .recognised]] | sort' "$T/srv.json")" \
    "$(jq -c '[.ends[] | [.kind, .address, .amount, .hops, .probable, .recognised]] | sort' "$T/cli.json")"
curl -s -H "Authorization: Bearer $KEY" "$U/trace?from=$HEIST&services=0" > "$T/srv0.json"
check_eq "server services=0: the same ends as trace --no-services" \
    "$(jq -c '[.ends[] | [.kind, .address, .amount]] | sort' "$T/srv0.json")" \
    "$(jq -c '[.ends[] | [.kind, .address, .amount]] | sort' "$T/cli0.json")"

# the monitor
printf '[{"name":"heist","from":["%s"]}]\n' "$HEIST" > "$T/cases.json"
N=$T/mon.db
"$CW_BIN" node init --db "$N" --name USA > /dev/null
"$CW_BIN" rules run --db "$N" --store "$T/s" --cases "$T/cases.json" --json > "$T/r.json"
"$CW_BIN" alerts list --db "$N" --json > "$T/al.json"
check_eq "monitor: one alert, the bridge exit at V with the CLI's amount" \
    "$(jq -r '[.alerts[] | "\(.kind) \(.evidence.party_addresses | join(",")) \(.evidence.amounts[0].asset) \(.evidence.amounts[0].amount) \(.evidence.probable)"] | join("; ")' "$T/al.json")" \
    "watched-funds-bridge-exit $V ETH $WANT true"
check_eq "monitor: its arrivals are the CLI's arrivals at V" \
    "$(jq -r '[.alerts[0].evidence.arrivals[].tx] | sort | join(" ")' "$T/al.json")" \
    "$(jq -r --arg v "$V" '[.ends[] | select(.address == $v) | .arrivals[].tx] | sort | join(" ")' "$T/cli.json")"
finish
