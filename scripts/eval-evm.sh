#!/usr/bin/env bash
# Issue 13's acceptance figures on generated EVM worlds: K seeds of N txs (default 4 x 200000).
# For each: gen evm, ingest, label the world's known services (exchange hot wallets, mixer
# pools, bridge router and vault: what a label provider knows; never the thief or the deposit
# addresses, which the trace must find by behaviour), trace every heist forward under FIFO from
# its drain transactions through mixers (--through-mixer; TRACE_ARGS overrides), and score with
# tests/diff/evm_eval.py. Not part of make test.
# usage: scripts/eval-evm.sh [BIN] [SEEDS] [TXS] [WORKDIR]
#   SCENARIO=data/scenarios/evm-variants.json for other laundering shapes (many exchange
#   accounts, long relayed mixer waits, batch fan-outs, tokens deposited as they are);
#   evm-apart.json, evm-noreuse.json (mixed funds at deposit addresses used once: only
#   candidates, docs/TRACE-MODELS.md "Through mixers"), evm-mixshape.json (one mixer
#   contract of four denominations that are no powers of ten), evm-otc.json (OTC desks that
#   honest mixer recipients and the thief both pay: convergence must not link the honest ones)
#   and evm-consolidation.json (deposit addresses sweep through consolidation addresses:
#   deposit -> consolidation -> hot wallet); evm-lockbridge.json (an unlabelled lock-and-release
#   bridge without memos: tests/diff/evm_lock_bridge_eval.py WORLD TRACE... scores it)
#   GEN_BIN=OTHER generates the worlds with another build (a world option BIN does not know),
#   BIN ingests, traces and is scored
set -euo pipefail
BIN=${1:-build/release/chainwatch}
SEEDS=${2:-4}
TXS=${3:-200000}
W=${4:-$(mktemp -d)}
# through the mixer by default (probable links at the default score, scored for precision);
# TRACE_ARGS= (empty) to stop at mixers
TRACE_ARGS=${TRACE_ARGS---through-mixer}
here=$(cd "$(dirname "$0")/.." && pwd)
for seed in $(seq 1 "$SEEDS"); do
    d="$W/seed$seed"
    rm -rf "$d"
    "${GEN_BIN:-$BIN}" gen evm --out "$d/world" --txs "$TXS" --seed "$seed" ${SCENARIO:+--scenario "$SCENARIO"} --quiet > /dev/null
    "$BIN" ingest evm --csv "$d/world" --store "$d/store" --chain ethereum --quiet > /dev/null
    /usr/bin/python3 "$here/tests/diff/xchain_labels.py" "$d/world/truth/addresses.csv" > "$d/labels.csv"
    "$BIN" labels import csv "$d/labels.csv" --db "$d/labels.db" > /dev/null
    n=0
    for drains in $(jq -r '.[] | .drain_txs // .drain_transactions | join(",")' "$d/world/truth/heists.json"); do
        args=()
        IFS=, read -ra txs <<< "$drains"
        for t in "${txs[@]}"; do args+=(--from "$t"); done
        "$BIN" trace --store "$d/store" --labels "$d/labels.db" "${args[@]}" $TRACE_ARGS --json > "$d/trace$n.json"
        n=$((n + 1))
    done
    echo "== seed $seed ($TXS txs)"
    /usr/bin/python3 "$here/tests/diff/evm_eval.py" "$d/world" "$d"/trace*.json
done
