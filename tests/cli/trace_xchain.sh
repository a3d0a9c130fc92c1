#!/usr/bin/env bash
# One cross-chain case end to end (issue 13; docs/TRACE-MODELS.md "Cross-chain: bridge exits"):
# a generated Bitcoin world's heist is paid into the thief's addresses; an EVM world whose thief
# bridges to exactly those addresses (gen evm's btc_to, THORChain memos in five shapes, through
# the router and as plain transfers to the vault). Both ingested; `trace` from the EVM heist with
# --btc-store finds the bridge exits, decodes each memo to the true Bitcoin address
# (truth/bridge_deposits.csv), continues at the outputs paying it after the deposit (the Bitcoin
# heist's stolen outputs, heists.json) and reaches the Bitcoin exchange deposits
# (heists.json deposits). Then every status of an exit on a hand-made world (other chain, a
# synthetic asset, a mainnet address for a regtest store, no memo, a memo without destination,
# an address never paid), memo-recognised bridges without labels, and bad input.
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}

# the Bitcoin world: quick-heist's first heist, early
jq '.heists[0].at_day = 0.1 | .heists = [.heists[0]]' "$SRC/data/scenarios/quick-heist.json" > "$T/btc.json"
"$CW_BIN" gen --out "$T/bw" --txs 8000 --seed 5 --scenario "$T/btc.json" --quiet > /dev/null
stolen=$(jq -c '[.[0].stolen_outputs[].address]' "$T/bw/truth/heists.json")
# the EVM world: the bridge step pays the Bitcoin thief's addresses
jq --argjson a "$stolen" '.heists[0].steps[4].btc_to = $a' "$SRC/data/scenarios/evm-quick-heist.json" > "$T/evm.json"
"$CW_BIN" gen evm --out "$T/ew" --txs 15000 --seed 3 --scenario "$T/evm.json" --quiet > /dev/null
"$CW_BIN" ingest evm --csv "$T/ew" --store "$T/es" --chain ethereum --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$T/bw/blocks" --store "$T/bs" --network regtest --quiet > /dev/null
check "the EVM store checks, memos included" "$CW_BIN" check --store "$T/es"
# the store kept one memo per bridge deposit (a router's Deposit event repeats the calldata's
# memo: one row) and one per vault payout (OUT:<inbound id> as calldata)
want=$(/usr/bin/python3 - "$T/ew" <<'PY'
import csv, sys
d = sys.argv[1]
n = sum(1 for _ in csv.DictReader(open(d + "/truth/bridge_deposits.csv")))
n += sum(1 for r in csv.DictReader(open(d + "/transactions.csv")) if bytes.fromhex(r["input"][2:])[:4] == b"OUT:")
print(n)
PY
)
check_eq "memos kept = bridge deposits + vault payouts" "$("$CW_BIN" check --store "$T/es" --json | jq '.checked.memos')" "$want"
# labels a provider has: the EVM exchanges, mixer pools, bridge router and vault; the Bitcoin
# exchanges' hot wallets and deposit addresses
/usr/bin/python3 "$SRC/tests/diff/xchain_labels.py" "$T/ew/truth/addresses.csv" "$T/bw/truth/addresses.csv" > "$T/labels.csv"
"$CW_BIN" labels import csv "$T/labels.csv" --db "$T/labels.db" > /dev/null
from=()
for t in $(jq -r '.[0].drain_txs // .[0].drain_transactions | .[]' "$T/ew/truth/heists.json"); do from+=(--from "$t"); done
"$CW_BIN" trace --store "$T/es" --labels "$T/labels.db" "${from[@]}" --btc-store "$T/bs" --json > "$T/t.json"
"$CW_BIN" trace --store "$T/es" --labels "$T/labels.db" "${from[@]}" --btc-store "$T/bs" > "$T/t.txt"

# every exit found is a true heist bridge deposit, decoded to its true Bitcoin address
awk -F, 'NR > 1 && $1 == "quick-drain" {print $2 " " $9}' "$T/ew/truth/bridge_deposits.csv" | sort > "$T/truth_exits"
jq -r '.bridge_exits[] | .tx + " " + .destination' "$T/t.json" | sort > "$T/found_exits"
n_truth=$(wc -l < "$T/truth_exits")
n_found=$(wc -l < "$T/found_exits")
n_right=$(comm -12 "$T/truth_exits" "$T/found_exits" | wc -l)
check "bridge exits found ($n_found of $n_truth heist deposits; the rest are deposits the EVM trace does not reach)" test "$n_found" -ge 5
check_eq "every exit is a true heist deposit with its true Bitcoin address" "$n_right" "$n_found"
check_eq "every exit continued" "$(jq '[.bridge_exits[] | select(.status != "continued")] | length' "$T/t.json")" 0
check_eq "each exit is one cross-chain edge, probable" \
    "$(jq '[.bridge_exits[] | select(.edge.probable and .edge.to_chain == "bitcoin" and .edge.from_tx == .tx)] | length' "$T/t.json")" "$n_found"
# the continuation starts at the Bitcoin heist's stolen outputs, and only there
check_eq "payouts = the Bitcoin heist's stolen outputs" \
    "$(jq -r '[.continuations[].payouts[] | select(.traced) | .txid + ":" + (.vout | tostring)] | sort | join(" ")' "$T/t.json")" \
    "$(jq -r '[.[0].stolen_outputs[].outpoint] | sort | join(" ")' "$T/bw/truth/heists.json")"
check "payouts are after their deposits, scored in (0, 1]" \
    test "$(jq '[.continuations[].payouts[] | select(.score <= 0 or .score > 1 or .probable != true)] | length' "$T/t.json")" -eq 0
# ... and reaches the Bitcoin exchange deposits: each deposit address the continuation names
# with certain value is one of the heist's deposit addresses; most of those are reached
jq -r '.[0].deposits[].address' "$T/bw/truth/heists.json" | sort -u > "$T/true_dep"
jq -r '.continuations[].trace.by_address[] | select(.category == "exchange_deposit") | .address' "$T/t.json" | sort -u > "$T/all_dep"
jq -r '.continuations[].trace.by_address[] | select(.category == "exchange_deposit" and .certain > 0) | .address' "$T/t.json" | sort -u > "$T/certain_dep"
check "the trace reaches Bitcoin exchange deposits with certain value" test "$(wc -l < "$T/certain_dep")" -ge 1
check_eq "no honest deposit reached with certain value" "$(comm -23 "$T/certain_dep" "$T/true_dep" | wc -l)" 0
hit=$(comm -12 "$T/all_dep" "$T/true_dep" | wc -l)
check "most of the heist's Bitcoin deposit addresses reached ($hit of $(wc -l < "$T/true_dep"))" \
    test "$((hit * 10))" -ge "$(( $(wc -l < "$T/true_dep") * 6 ))"
check "text output names the exits and the Bitcoin continuation" \
    grep -q "continued in Bitcoin at $(jq -r '.[0].stolen_outputs[0].address' "$T/bw/truth/heists.json")" "$T/t.txt"
check "text output says probable" grep -q "PROBABLE" "$T/t.txt"
dep_tx=$(head -1 "$T/found_exits" | cut -d' ' -f1)
check "tx shows the memo" bash -c "'$CW_BIN' tx '$dep_tx' --store '$T/es' | grep -q 'bridge memos'"

# without a Bitcoin store: the exits, not continued, said so
"$CW_BIN" trace --store "$T/es" --labels "$T/labels.db" "${from[@]}" --json > "$T/n.json"
check_eq "no --btc-store: same exits" "$(jq '.bridge_exits | length' "$T/n.json")" "$n_found"
check_eq "no --btc-store: status says so" "$(jq -r '[.bridge_exits[].status] | unique | join(",")' "$T/n.json")" "no store for chain"

# every status, on a hand-made world (memos as UTF-8 calldata to a vault)
/usr/bin/python3 "$SRC/tests/cli/evm/bridge_world.py" "$T/hw" "$(jq -r '.[0].stolen_outputs[0].address' "$T/bw/truth/heists.json")"
"$CW_BIN" ingest evm --csv "$T/hw" --store "$T/hs" --chain dev --quiet > /dev/null
"$CW_BIN" trace --store "$T/hs" --from "$(jq -r .heist "$T/hw/truth.json")" --btc-store "$T/bs" --json > "$T/h.json"
check_eq "each deposit's status" "$(jq -r '[.bridge_exits[] | .tx + "=" + .status] | join(" ")' "$T/h.json")" \
    "$(jq -r '[.deposits[] | .tx + "=" + .status] | join(" ")' "$T/hw/truth.json")"
check_eq "the vault is recognised from its memos (no labels)" \
    "$(jq -r --arg v "$(jq -r .vault "$T/hw/truth.json")" '.ends[] | select(.address == $v) | .kind + " " + .recognised.as' "$T/h.json")" \
    "bridge bridge deposit (swap memos to other chains)"
check_eq "the honest deposit is no exit of the heist" \
    "$(jq --arg h "$(jq -r .honest_tx "$T/hw/truth.json")" '[.bridge_exits[] | select(.tx == $h)] | length' "$T/h.json")" 0
check "the mainnet address is named in the note" \
    bash -c "jq -r '.bridge_exits[].note // empty' '$T/h.json' | grep -q 'not a Bitcoin address of regtest'"
check "--no-services: no memo recognition, the value is followed into the vault" \
    test "$("$CW_BIN" trace --store "$T/hs" --from "$(jq -r .heist "$T/hw/truth.json")" --no-services --json | jq '.bridge_exits | length')" -eq 0

# bad input
expect_fail() { # expect_fail "what" needle args...
    local what=$1 needle=$2; shift 2
    local err rc=0
    err=$("$CW_BIN" trace "$@" 2>&1 >/dev/null) || rc=$?
    if [ "$rc" -ne 0 ] && [[ "$err" == *"$needle"* ]]; then ok "$what"; else bad "$what (rc $rc): $err"; fi
}
heist=$(jq -r .heist "$T/hw/truth.json")
expect_fail "--btc-store absent" "$T/nope" --store "$T/hs" --from "$heist" --btc-store "$T/nope"
expect_fail "--btc-store is an EVM store" "an EVM store, not a Bitcoin store" --store "$T/hs" --from "$heist" --btc-store "$T/es"
expect_fail "--bridge-window not hours" "--bridge-window" --store "$T/hs" --from "$heist" --bridge-window soon
check "a read command created nothing" test ! -e "$T/nope"
finish
