#!/usr/bin/env bash
# evm_mix_evidence.sh: --through-mixer links from the recipients' own evidence (docs/TRACE-MODELS.md
# "The recipient's own evidence") on worlds of both generators where every note of the thief is
# withdrawn through a relayer and mixed funds cash out at deposit addresses used once, and where
# the thief (and, as look-alikes, honest mixer users) leave that evidence: gen evm's mixer
# address_match / gas_funding / converge with world.honest_mix_evidence, and
# tests/diff/evm_shapes_world.py --mixer-evidence. Each kind of evidence links some of the thief's
# withdrawals, every link is the thief's (no honest withdrawal linked, though honest users
# withdraw to their depositing address, fund gas from their own other address and gather their
# recipients' funds too), and on the independent world the links find >= 0.9 of the thief's
# withdrawals that left evidence. On main (dccec8f) none of the three kinds exists: 0 links each.
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
PY=/usr/bin/python3
GEN=${CW_GEN_BIN:-$CW_BIN}

# trace WORLD NAME: ingest, label as scripts/eval-evm.sh does, trace, score into $T/NAME.txt
trace() {
    "$CW_BIN" ingest evm --csv "$1" --store "$T/$2.s" --chain ethereum --quiet > /dev/null
    $PY "$SRC/tests/diff/xchain_labels.py" "$1/truth/addresses.csv" > "$T/$2.csv"
    "$CW_BIN" labels import csv "$T/$2.csv" --db "$T/$2.db" > /dev/null
    local args=()
    for t in $(jq -r '.[0].drain_txs[]' "$1/truth/heists.json"); do args+=(--from "$t"); done
    "$CW_BIN" trace --store "$T/$2.s" --labels "$T/$2.db" "${args[@]}" --through-mixer --json > "$T/$2.json"
    $PY "$SRC/tests/diff/evm_eval.py" "$1" "$T/$2.json" > "$T/$2.txt"
}

# checks WHO NAME: links by each kind of the recipient's own evidence, every link the thief's
checks() {
    local ev n
    for ev in address_match recipient_gas_funding consolidation; do
        n=$(jq --arg e "$ev" '[.mixer_links[] | select(.evidence | index($e))] | length' "$T/$2.json")
        check "$1: links by $ev ($n)" test "$n" -gt 0
    done
    check "$1: every link is the thief's" grep -qE "^mixer: .*precision 1\.000" "$T/$2.txt"
    check "$1: no honest withdrawal linked" grep -q "honest withdrawals linked 0$" "$T/$2.txt"
}

jq '(.world = ((.world // {}) + {"honest_mix_evidence": true}))
    | (.heists[0].steps |= map(if .type == "mixer"
                               then . + {"relayer": 1, "address_match": 0.1, "gas_funding": 0.3, "converge": 0.5}
                               elif .type == "cash_out" then . + {"no_reuse": true} else . end))' \
    "$SRC/data/scenarios/evm-quick-heist.json" > "$T/sc.json"
"$GEN" gen evm --out "$T/g" --txs 15000 --seed 2 --scenario "$T/sc.json" --quiet > /dev/null
check "gen evm: truth agrees with the CSVs (gen_check.py)" $PY "$SRC/tests/evm/gen_check.py" "$T/g"
n_gas=$(grep -c ',gas_funding,' "$T/g/truth/heist_flows.csv" || true)
n_gather=$(grep -c ',gather,' "$T/g/truth/heist_flows.csv" || true)
check "gen evm: the thief funds recipients' gas ($n_gas) and gathers them ($n_gather)" \
    test "$n_gas" -gt 0 -a "$n_gather" -gt 0
trace "$T/g" g
checks "gen evm" g

$PY "$SRC/tests/diff/evm_shapes_world.py" --out "$T/i" --seed 1 --txs 30000 --mixer-evidence > /dev/null
trace "$T/i" i
checks independent i
r=$(sed -nE 's/^thief withdrawals with evidence in truth: .*recall ([0-9.]+)$/\1/p' "$T/i.txt")
check "independent: recall on the thief's withdrawals with evidence $r >= 0.9" \
    $PY -c "import sys; sys.exit(float('${r:-0}') < 0.9)"
# each link names what showed its evidence
n_shown=$(jq '[.mixer_links[] | select((.evidence | index("consolidation") or index("recipient_gas_funding") or index("address_match")) and (.evidence_shown_by.tx | type) == "string")] | length' "$T/i.json")
n_new=$(jq '[.mixer_links[] | select(.evidence | index("consolidation") or index("recipient_gas_funding") or index("address_match"))] | length' "$T/i.json")
check_eq "independent: every such link names the tx that showed it" "$n_shown" "$n_new"
n_anon=$(jq '[.mixer_links[] | select(.anonymity_set.notes > 0 and .anonymity_set.chance_at_random <= 1)] | length' "$T/i.json")
check_eq "independent: every link gives its anonymity set" "$n_anon" "$(jq '.mixer_links | length' "$T/i.json")"
finish
