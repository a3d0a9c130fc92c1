#!/usr/bin/env bash
# The EVM case rule raises an alert only where traced value stopped at a party (issue 13; found
# at stop 28). A trace's hop limit (64 by default) says nothing about who holds the value there:
# before, the monitor read that end as "reached sanctioned address", a critical, certain alert
# naming an honest account as an indicator. The world: T receives the heist (10 ETH) and sends
# 4 ETH down an unlabelled chain of 70 fresh accounts and 6 ETH to a labelled sanctioned
# account. Also: a cases file is checked whole before any rule runs (a severity or TLP name it
# does not know is an error naming the field; nothing is raised and no scan position moves).
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
PYTHONPATH="$SRC/tests/cli/evm" /usr/bin/python3 - "$T/w" << 'PY'
import json, sys
from transfers_world import World
out = sys.argv[1]
ETH = 10**18
a = lambda tag, i=0: "0x" + (tag.encode().hex() + "%06x" % i).ljust(40, "0")[:40]
V, T, S = a("V"), a("T"), a("S")
chain = [a("C", i) for i in range(71)]
w = World()
heist = w.block([(V, T, 10 * ETH)])[0]
w.block([(T, chain[0], 4 * ETH), (T, S, 6 * ETH)])
for i in range(70):
    w.block([(chain[i], chain[i + 1], 4 * ETH)])
w.write(out)
with open(f"{out}/labels.csv", "w") as f:
    f.write(f"address,entity,category,asset\n{S},Sanctioned S,sanctioned,ETH\n")
json.dump({"heist": heist, "sanctioned": S, "hop64": chain[63]}, open(f"{out}/truth.json", "w"))
PY
truth() { jq -r "$1" "$T/w/truth.json"; }
"$CW_BIN" ingest evm --csv "$T/w" --store "$T/s" --chain dev --quiet > /dev/null
L=$T/labels.db
"$CW_BIN" labels import csv "$T/w/labels.csv" --db "$L" --quiet > /dev/null
check_eq "trace: the chain ends at the hop limit, 64 hops out" \
    "$("$CW_BIN" trace --store "$T/s" --from "$(truth .heist)" --labels "$L" --json | jq -r '[.ends[] | select(.kind == "hop limit") | "\(.address) \(.hops)"] | join(" ")')" \
    "$(truth .hop64) 64"

N=$T/node.db
"$CW_BIN" node init --db "$N" --name USA > /dev/null
# cases the rules must refuse before doing anything
bad_case() { # bad_case DESCRIPTION JSON FIELD
    printf '%s\n' "$2" > "$T/bad.json"
    local rc=0
    "$CW_BIN" rules run --db "$N" --store "$T/s" --labels "$L" --cases "$T/bad.json" > /dev/null 2> "$T/err" || rc=$?
    check_eq "$1: exit 2" "$rc" 2
    check "... the error names the file, the case and the field" grep -q "bad.json: case 'c': field \"$3\"" "$T/err"
}
bad_case 'severity "medium"' "[{\"name\":\"c\",\"from\":[\"$(truth .heist)\"],\"severity\":\"medium\"}]" severity
bad_case 'TLP "RED" (TLP 2.0 names are lower case)' "[{\"name\":\"c\",\"from\":[\"$(truth .heist)\"],\"tlp\":\"RED\"}]" tlp
bad_case 'TLP "amber-strict"' "[{\"name\":\"c\",\"from\":[\"$(truth .heist)\"],\"tlp\":\"amber-strict\"}]" tlp
check_eq "... and nothing was raised" "$("$CW_BIN" alerts list --db "$N" --json | jq '.alerts | length')" 0
check "... and no scan position was written" test ! -e "$N.monitor.dev"

printf '[{"name":"c","from":["%s"],"tlp":"green","severity":"high"}]\n' "$(truth .heist)" > "$T/cases.json"
"$CW_BIN" rules run --db "$N" --store "$T/s" --labels "$L" --cases "$T/cases.json" --json > "$T/r.json"
"$CW_BIN" alerts list --db "$N" --json > "$T/al.json"
check_eq "one case alert: the sanctioned account, 6 ETH, high, green" \
    "$(jq -r '[.alerts[] | select(.kind | test("^(watched|stolen)-funds")) | "\(.kind) \(.evidence.party) \(.evidence.amounts[0].amount) \(.severity) \(.tlp)"] | join("; ")' "$T/al.json")" \
    "watched-funds-sanctioned-counterparty Sanctioned S 6000000000000000000 high green"
check_eq "no alert names the account at the hop limit" \
    "$(jq --arg h "$(truth .hop64)" '[.alerts[] | select(tostring | ascii_downcase | contains($h))] | length' "$T/al.json")" 0
finish
