#!/usr/bin/env bash
# eval-btc.sh: issue 11's acceptance figures over generated worlds (or worlds from another
# generator that writes the same truth files, docs/GEN.md). For each of K seeds: generate a
# world of N txs with every Build 7 shape (data/scenarios/mixed-heists.json), ingest it, then
# scripts/eval_btc.py imports the labels, runs patterns build, cluster build, a forward FIFO
# trace from each heist, tx/cluster look-ups (through `chainwatch serve`) and screen on the
# exchange deposit addresses, and prints the figures; at the end, all worlds side by side with
# the worst value and the acceptance bound. Takes minutes (not part of make test).
#
#   scripts/eval-btc.sh [--seeds K] [--txs N] [--scenario FILE] [--bin CHAINWATCH]
#                       [--work DIR] [--world DIR]... [--keep] [--sample N]
#                       [--screen-sample N]
#
#   --seeds K      worlds to generate (default 4), seeds 1..K
#   --txs N        transactions per world (default 200000)
#   --scenario F   default data/scenarios/mixed-heists.json
#   --bin B        default build/release/chainwatch
#   --work DIR     where worlds, stores and figures go (default /tmp/cw-eval-btc); each
#                  world's figures in DIR/seed-S/figures.json
#   --world DIR    measure this world (DIR/blocks, DIR/truth) instead of generating; repeatable
#   --keep         keep the worlds and stores (default: removed after measuring)
#   --sample N     addresses sampled for cluster precision (default 1500)
#   --screen-sample N  clean deposit addresses screened (default 0: every one)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEEDS=4 TXS=200000 SCEN=$ROOT/data/scenarios/mixed-heists.json BIN=$ROOT/build/release/chainwatch
WORK=/tmp/cw-eval-btc KEEP=0 SAMPLE=1500 SSAMPLE=0
WORLDS=()
while [ $# -gt 0 ]; do
    case $1 in
        --seeds) SEEDS=$2; shift 2 ;;
        --txs) TXS=$2; shift 2 ;;
        --scenario) SCEN=$2; shift 2 ;;
        --bin) BIN=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --world) WORLDS+=("$(cd "$2" && pwd)"); shift 2 ;;
        --keep) KEEP=1; shift ;;
        --sample) SAMPLE=$2; shift 2 ;;
        --screen-sample) SSAMPLE=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "eval-btc.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[ -x "$BIN" ] || { echo "eval-btc.sh: $BIN is not built (make release)" >&2; exit 2; }
PY=/usr/bin/python3
mkdir -p "$WORK"
figs=()
run_one() { # run_one NAME WORLD_DIR GENERATED(0|1)
    local name=$1 world=$2 gen=$3 d=$WORK/$1
    mkdir -p "$d"
    local net
    net=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1])).get("network","regtest"))' "$world/truth/world.json" 2>/dev/null || echo regtest)
    rm -rf "$d/store"
    local t0=$SECONDS
    "$BIN" ingest btc --blocks "$world/blocks" --store "$d/store" --network "$net" --quiet
    echo "== $name: ingested in $((SECONDS - t0)) s" >&2
    $PY "$ROOT/scripts/eval_btc.py" --world "$world" --store "$d/store" --bin "$BIN" --work "$d/work" \
        --sample "$SAMPLE" --screen-sample "$SSAMPLE" --name "$name" --out "$d/figures.json" >&2
    figs+=("$d/figures.json")
    if [ "$KEEP" = 0 ]; then
        rm -rf "$d/store" "$d/work"
        [ "$gen" = 1 ] && rm -rf "$world"
    fi
    return 0
}
if [ ${#WORLDS[@]} -gt 0 ]; then
    i=0
    for w in "${WORLDS[@]}"; do i=$((i + 1)); run_one "world-$i" "$w" 0; done
else
    for s in $(seq 1 "$SEEDS"); do
        w=$WORK/seed-$s/world
        t0=$SECONDS
        "$BIN" gen --out "$w" --txs "$TXS" --seed "$s" --scenario "$SCEN" --quiet > /dev/null
        echo "== seed $s: generated $TXS txs in $((SECONDS - t0)) s" >&2
        run_one "seed-$s" "$w" 1
    done
fi
echo
echo "issue 11 acceptance figures ($(date -u +%Y-%m-%dT%H:%MZ), $("$BIN" version 2>/dev/null | head -1)):"
$PY "$ROOT/scripts/eval_btc.py" --report "${figs[@]}"
