#!/usr/bin/env bash
# scripts/valgrind-check.sh: run a representative set of CLI flows under valgrind on small inputs
# and fail on any memory error (invalid read/write, uninitialised use) or definite leak.
#
#   scripts/valgrind-check.sh [BINARY]      (default build/release/chainwatch; the release
#                                            preset has -g, so the reports name file:line)
#
# Flows: gen + ingest btc + patterns/cluster build + trace (fifo, haircut) + screen + address +
# tx on a generated Bitcoin world with a heist; gen evm + ingest evm --csv + trace + screen;
# labels import ofac-xml on ../shared/data (skipped when absent); supply synth/load/backtest;
# node init, keys add, alerts raise/list; rules run (Bitcoin and EVM cases), watch --once; a
# short `serve` session (curl on the chain, EVM, alert, supply and TAXII routes, then SIGTERM).
# Slow (valgrind runs ~30-50x slower): not part of make test. Each step's valgrind log is kept
# under $CW_VG_KEEP when set, else in a temporary folder removed at the end.
# Exit status: 0 all clean, 1 at least one step had a valgrind error or failed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath "${1:-$ROOT/build/release/chainwatch}")
[ -x "$BIN" ] || { echo "valgrind-check: no binary $BIN (build the release preset first)" >&2; exit 2; }
command -v valgrind > /dev/null || { echo "valgrind-check: valgrind is not installed" >&2; exit 2; }
SHARED=${CW_SHARED_DATA:-$ROOT/../shared/data}
if [ -n "${CW_VG_KEEP:-}" ]; then T=$CW_VG_KEEP; mkdir -p "$T"; else
    T=$(mktemp -d "${TMPDIR:-/tmp}/cwvg.XXXXXX"); trap 'rm -rf "$T"' EXIT; fi
export CW_NO_PROGRESS=1 CW_SUPPLY_DB="$T/supply.db"
VG=(valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9
    --track-origins=no --num-callers=30)
PASS=0
FAIL=0
N=0

# vg NAME ARGS...: run chainwatch ARGS under valgrind; stdout goes to $T/NAME.out
vg() {
    local name=$1; shift
    N=$((N + 1))
    local log rc=0
    log="$T/vg-$(printf '%02d' $N)-$name.log"
    "${VG[@]}" --log-file="$log" "$BIN" "$@" > "$T/$name.out" 2> "$T/$name.err" || rc=$?
    if [ "$rc" -eq 9 ]; then
        FAIL=$((FAIL + 1)); echo "FAIL $name: valgrind errors (chainwatch $*)"
        grep -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|Source and|[0-9,]+ bytes in .* definitely)' "$log" | sort | uniq -c | head -20
        echo "     log: $log"
    elif [ "$rc" -ne 0 ]; then
        FAIL=$((FAIL + 1)); echo "FAIL $name: exit $rc (chainwatch $*)"; head -5 "$T/$name.err"
    else
        PASS=$((PASS + 1)); echo "ok   $name"
    fi
    return 0
}

# --- Bitcoin: a generated world with two heists ---------------------------------------------
vg gen gen --out "$T/w" --txs 3000 --seed 5 --scenario "$ROOT/data/scenarios/quick-heist.json" --quiet
H=$T/w/truth/heists.json
if [ -s "$H" ]; then
    S=$T/s
    vg ingest-btc ingest btc --blocks "$T/w/blocks" --store "$S" --network regtest --quiet
    vg patterns-build patterns build --store "$S"
    vg cluster-build cluster build --store "$S"
    vg labels-gen-truth labels import gen-truth "$T/w/truth/addresses.csv" --db "$T/l.db" --quiet
    OP=$(jq -r '.[0].stolen_outputs[0].outpoint' "$H")
    THIEF=$(jq -r '.[0].stolen_outputs[0].address' "$H")
    TXID=$(jq -r '.[0].theft_txid' "$H")
    DEP=$(jq -r '[.[].deposits[]?.address // empty][0] // empty' "$H")
    vg trace-fifo trace --store "$S" --from "$OP" --model fifo --labels "$T/l.db" --json
    vg trace-haircut trace --store "$S" --from "$OP" --model haircut --labels "$T/l.db"
    vg screen screen "${DEP:-$THIEF}" --store "$S" --labels "$T/l.db" --json
    vg screen-text screen "$THIEF" --store "$S" --labels "$T/l.db"
    vg address address "$THIEF" --store "$S" --json
    vg address-text address "$THIEF" --store "$S"
    vg tx tx "$TXID" --store "$S" --json
    vg tx-text tx "$TXID" --store "$S"
    vg check check --store "$S"
fi

# --- EVM: a generated world, ingested from its ethereum-etl CSVs ----------------------------
vg gen-evm gen evm --out "$T/e" --txs 15000 --seed 3 --quiet \
    --scenario "$ROOT/data/scenarios/evm-quick-heist.json"
if [ -d "$T/e/csv" ]; then ECSV=$T/e/csv; else ECSV=$T/e; fi
vg ingest-evm ingest evm --csv "$ECSV" --store "$T/es" --quiet
EH=$T/e/truth/heists.json
if [ -s "$EH" ]; then
    DRAIN=$(jq -r '[.. | objects | .drain_txs? // empty | .[0]][0] // empty' "$EH")
    EADDR=$(jq -r '[.. | objects | .victim_hot_wallet? // empty][0] // empty' "$EH")
    [ -n "$DRAIN" ] && vg trace-evm trace --store "$T/es" --from "$DRAIN" --json
    [ -n "$DRAIN" ] && vg trace-evm-haircut trace --store "$T/es" --from "$DRAIN" --model haircut
    [ -n "$EADDR" ] && vg screen-evm screen "$EADDR" --store "$T/es" --json
fi

# --- OFAC SDN list (shared fixture) ---------------------------------------------------------
SDN=$SHARED/ofac-sdn-digital-currency
if [ -e "$SDN/sdn_advanced.xml.bz2" ]; then
    vg labels-ofac-xml labels import ofac-xml "$SDN/sdn_advanced.xml.bz2" --db "$T/ofac.db" --quiet
    vg labels-list labels list --db "$T/ofac.db" --program DPRK3 --json
    [ -n "${EADDR:-}" ] && vg screen-evm-ofac screen "$EADDR" --store "$T/es" --labels "$T/ofac.db" --json
else
    echo "skip labels-ofac-xml: $SDN/sdn_advanced.xml.bz2 is absent"
fi

# --- supply: synthetic data, load, backtest -------------------------------------------------
vg supply-synth supply synth --out "$T/syn" --seed 5 --years 4 --first-year 2019
vg supply-load-comtrade supply load comtrade "$T/syn/comtrade.csv"
vg supply-load-prices supply load prices "$T/syn/prices.csv"
vg supply-load-events supply load events "$T/syn/events.csv"
vg supply-status supply status --json
vg supply-backtest supply backtest --events "$T/syn/events.csv" --json

# --- node, keys, alerts ---------------------------------------------------------------------
DB=$T/node.db
vg node-init node init --db "$DB" --name USA
vg keys-add keys add analyst1 --role analyst --db "$DB"
KEY=$(tail -1 "$T/keys-add.out")
vg alerts-raise alerts raise --db "$DB" --kind theft-address-receives --title "valgrind check" --json
vg alerts-list alerts list --db "$DB" --json

# --- alert rules (cases from the heists' truth) and one watch pass ----------------------------
if [ -s "${H:-}" ]; then
    jq '[.[] | {name: .name, from: [.stolen_outputs[].outpoint], tlp: "amber", share_to: "KOR"}]' \
        "$H" > "$T/cases.json"
    vg rules-btc rules run --db "$DB" --store "$T/s" --labels "$T/l.db" --cases "$T/cases.json" --json
    mkdir -p "$T/live" && cp "$T/w/blocks/blk00000.dat" "$T/live/"
    vg watch-once watch --blocks "$T/live" --store "$T/ws" --network regtest --db "$DB" \
        --labels "$T/l.db" --cases "$T/cases.json" --once
fi
if [ -n "${DRAIN:-}" ]; then
    printf '[{"name":"evm heist","from":["%s"],"tlp":"amber","share_to":"KOR"}]\n' "$DRAIN" > "$T/ecases.json"
    vg rules-evm rules run --db "$DB" --store "$T/es" --cases "$T/ecases.json" --json
fi

# --- a short serve session ------------------------------------------------------------------
N=$((N + 1))
SLOG="$T/vg-$(printf '%02d' $N)-serve.log"
EVMS=()
[ -e "$T/es/MANIFEST" ] && EVMS=(--evm-store "$T/es")
"${VG[@]}" --log-file="$SLOG" "$BIN" serve --db "$DB" --store "${S:-$T/s}" --labels "$T/l.db" \
    "${EVMS[@]}" --supply-db "$T/supply.db" --listen 127.0.0.1:0 --ready-file "$T/ready" \
    2> "$T/serve.err" &
SPID=$!
for _ in $(seq 600); do [ -s "$T/ready" ] && break; sleep 0.2; done
if [ -s "$T/ready" ]; then
    U="http://$(cat "$T/ready")"
    get() { curl -s -m 120 -o /dev/null -w "%{http_code} $1\n" -H "Authorization: Bearer $KEY" "$U$1"; }
    get /api/v1/alerts
    get /api/v1/chain/status
    get "/api/v1/chain/tx/${TXID:-0}"
    get "/api/v1/chain/address/${THIEF:-x}"
    get "/api/v1/chain/screen/${THIEF:-x}"
    get "/api/v1/chain/trace?from=${TXID:-0}&model=fifo&max_hops=3"
    get "/api/v1/search?q=${TXID:-0}"
    get /api/v1/supply/status
    get /api/v1/evm/status
    [ -n "${DRAIN:-}" ] && get "/api/v1/evm/trace?from=$DRAIN&model=fifo&max_hops=5"
    [ -n "${DRAIN:-}" ] && get "/api/v1/evm/trace?from=$DRAIN&model=haircut"
    get /taxii2/
    get /taxii2/api/
    get /taxii2/api/collections/
    curl -s -m 60 -o /dev/null -w "%{http_code} (no key)\n" "$U/api/v1/alerts"
else
    echo "serve did not become ready"; head -5 "$T/serve.err"
fi
kill -TERM "$SPID" 2> /dev/null
rc=0; wait "$SPID" || rc=$?
if [ "$rc" -eq 9 ]; then
    FAIL=$((FAIL + 1)); echo "FAIL serve: valgrind errors"; echo "     log: $SLOG"
elif [ "$rc" -ne 0 ] || [ ! -s "$T/ready" ]; then
    FAIL=$((FAIL + 1)); echo "FAIL serve: exit $rc"; head -5 "$T/serve.err"
else
    PASS=$((PASS + 1)); echo "ok   serve"
fi

echo "valgrind-check: $PASS clean, $FAIL failed"
[ "$FAIL" -eq 0 ]
