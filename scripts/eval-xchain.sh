#!/usr/bin/env bash
# Issue 13's cross-chain figures on generated worlds: K seeds of an EVM world of N txs (default
# 4 x 200000, the built-in heist) whose bridge step pays the 12 stolen-output addresses of a
# generated Bitcoin world's heist (gen evm's btc_to), both ingested, labelled as a provider would
# (EVM: exchanges, mixer pools, bridge router and vault; Bitcoin: exchange hot wallets and
# deposit addresses), traced from the EVM heist's drain transactions with --btc-store. Scores
# with tests/diff/evm_eval.py (bridge-exit recall: exits whose memo decodes to the true Bitcoin
# address) and, for the continuation, the share of exits continued at the true Bitcoin heist's
# stolen outputs and the share of the Bitcoin heist's deposit addresses the continuation reaches.
# Not part of make test.
# usage: scripts/eval-xchain.sh [BIN] [SEEDS] [TXS] [WORKDIR]
set -euo pipefail
BIN=${1:-build/release/chainwatch}
SEEDS=${2:-4}
TXS=${3:-200000}
W=${4:-$(mktemp -d)}
here=$(cd "$(dirname "$0")/.." && pwd)
export CW_NO_PROGRESS=1
for seed in $(seq 1 "$SEEDS"); do
    d="$W/seed$seed"
    rm -rf "$d"
    mkdir -p "$d"
    # the Bitcoin heist: 12 stolen outputs, a day after genesis (after the EVM bridge deposits)
    jq '.heists[0].at_day = 1 | .heists[0].theft_outputs = 12 | .heists = [.heists[0]]' \
        "$here/data/scenarios/quick-heist.json" > "$d/btc.json"
    "$BIN" gen --out "$d/bw" --txs 40000 --seed "$seed" --scenario "$d/btc.json" --quiet > /dev/null
    jq --argjson a "$(jq -c '[.[0].stolen_outputs[].address]' "$d/bw/truth/heists.json")" \
        '(.heists[0].steps[] | select(.type == "bridge")).btc_to = $a' \
        "$here/data/scenarios/evm-demo-heist.json" > "$d/evm.json"
    "$BIN" gen evm --out "$d/ew" --txs "$TXS" --seed "$seed" --scenario "$d/evm.json" --quiet > /dev/null
    "$BIN" ingest evm --csv "$d/ew" --store "$d/es" --chain ethereum --quiet > /dev/null
    "$BIN" ingest btc --blocks "$d/bw/blocks" --store "$d/bs" --network regtest --quiet > /dev/null
    /usr/bin/python3 "$here/tests/diff/xchain_labels.py" "$d/ew/truth/addresses.csv" "$d/bw/truth/addresses.csv" > "$d/labels.csv"
    "$BIN" labels import csv "$d/labels.csv" --db "$d/labels.db" > /dev/null
    args=()
    for t in $(jq -r '.[0].drain_txs | .[]' "$d/ew/truth/heists.json"); do args+=(--from "$t"); done
    /usr/bin/time -f "%e s wall, %U s user, %S s sys" -o "$d/trace.time" \
        "$BIN" trace --store "$d/es" --labels "$d/labels.db" "${args[@]}" --btc-store "$d/bs" --json > "$d/trace.json"
    echo "== seed $seed ($TXS EVM txs, 40000 Bitcoin txs; trace $(cat "$d/trace.time"))"
    /usr/bin/python3 "$here/tests/diff/evm_eval.py" "$d/ew" "$d/trace.json" | grep -E "bridge exits|cash-out"
    /usr/bin/python3 - "$d" <<'PY'
import json, sys
d = sys.argv[1]
t = json.load(open(d + "/trace.json"))
h = json.load(open(d + "/bw/truth/heists.json"))[0]
stolen = {o["outpoint"] for o in h["stolen_outputs"]}
addr_of = {o["address"]: o["outpoint"] for o in h["stolen_outputs"]}
cont = {c["address"]: c for c in t["continuations"]}
ok = 0
for x in t["bridge_exits"]:
    c = cont.get(x.get("destination"))
    if x["status"] == "continued" and c and any(
            p["traced"] and f'{p["txid"]}:{p["vout"]}' == addr_of.get(x["destination"]) for p in c["payouts"]):
        ok += 1
n = len(t["bridge_exits"])
traced = {f'{p["txid"]}:{p["vout"]}' for c in t["continuations"] for p in c["payouts"] if p["traced"]}
true_dep = {dd["address"] for dd in h["deposits"]}
reached = {a["address"] for c in t["continuations"] if c["trace"] for a in c["trace"]["by_address"]
           if a["category"] == "exchange_deposit"}
certain = {a["address"] for c in t["continuations"] if c["trace"] for a in c["trace"]["by_address"]
           if a["category"] == "exchange_deposit" and a["certain"] > 0}
print(f"continuation: {ok} of {n} exits continued at their true Bitcoin payout; traced payouts "
      f"{len(traced)}, of them stolen outputs {len(traced & stolen)} (of {len(stolen)})")
print(f"Bitcoin deposit addresses reached: {len(reached & true_dep)} of {len(true_dep)} true "
      f"({len(reached - true_dep)} other, probable only: {len((reached - true_dep) - certain)}); "
      f"with certain value: {len(certain & true_dep)} true, {len(certain - true_dep)} other")
PY
done
