#!/usr/bin/env bash
# btc_alt6_world.sh: a seventh outside world (tests/diff/btc_alt6_world.py, issue 11: how Lazarus
# cashed stolen Bitcoin out in 2022-2025: custodial mixers, cross-chain vaults with memos,
# Lightning opens / cooperative and force closes with anchors and HTLC sweeps, JoinMarket sweeps,
# Wasabi 2 rounds, peel chains of 2-3 payments a hop, fan-in consolidations, the thief's reused
# address paid by an honest merchant's refund and a dusting probe, OTC payouts batched) at scale
# 0.02, written plain and as a Core 28 directory (XOR'd, 4 KiB raw zero tail). Guards what main
# gets right there: the stolen-value identity; both copies ingest to one store; every JoinMarket
# and Wasabi 2 round flagged as its kind, none of the services' or Lightning shapes called a
# CoinJoin, no cluster joins two owners; the forward FIFO trace finds the deposits (with probable),
# gives the victim nothing and no honest party certain stolen value; screening flags the stolen
# deposits and neither the thief's withdrawn coins (mixer / vault / OTC payouts), nor the honest
# customers paid beside them, nor the honest senders to the thief's reused address, nor the other
# recipients of the dusting probe, nor (stop 23: the traced coins' budget in many-output rounds,
# docs/TRACE-MODELS.md) any honest peer of the thief's CoinJoins (main ab01332: 5 of 309 flagged
# "probable" through the thief's Wasabi 2 round, where it brought a third of the value).
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
PY=/usr/bin/python3
GEN="$SRC/tests/diff/btc_alt6_world.py"
$PY "$GEN" --out "$T/w" --seed 6 --scale 0.02 > "$T/gen.txt" 2> /dev/null || { bad "generator failed"; finish; }
$PY "$GEN" --out "$T/x" --seed 6 --scale 0.02 --xor-key 0f1e2d3c4b5a6978 --zero-tail 4096 > /dev/null 2>&1 \
    || { bad "generator (Core 28 copy) failed"; finish; }
ok "generated: $(cat "$T/gen.txt")"
check_eq "the stolen-value identity holds" "$(jq '.[0].totals.identity_holds' "$T/w/truth/heists.json")" true
cmp -s "$T/w/truth/heists.json" "$T/x/truth/heists.json" && ok "the same world in both copies" || bad "copies differ"
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest > /dev/null 2>&1 || bad "ingest plain"
"$CW_BIN" ingest btc --blocks "$T/x/blocks" --store "$T/sx" --network regtest > /dev/null 2>&1 || bad "ingest Core 28"
check_eq "the Core 28 copy ingests to the same store" "$(store_digest "$T/sx")" "$(store_digest "$T/s")"
check_eq "every block and tx ingested (stale siblings skipped)" \
    "$("$CW_BIN" check --store "$T/s" --json 2> /dev/null | jq -c '[.checked.blocks, .checked.txs]')" \
    "$(jq -c '[.blocks, .txs]' "$T/w/truth/world.json")"
$PY "$SRC/scripts/eval_btc.py" --world "$T/w" --store "$T/s" --bin "$CW_BIN" --work "$T/e" --sample 200 \
    --cj-sample 40 --screen-sample 200 --out "$T/f.json" > "$T/report.txt" 2> "$T/log.txt" \
    || { cat "$T/log.txt" >&2; bad "eval_btc.py failed"; finish; }
F=$T/f.json
jqt() { jq -e "$1" "$F" > /dev/null; }
for k in joinmarket wasabi2; do
    check_eq "$k: every round flagged, nothing else" "$(jq -c "[.coinjoin.$k.recall, .coinjoin.$k.precision]" "$F")" "[1,1]"
done
check_eq "clusters: pairwise precision 1" "$(jq '.cluster.pairwise_precision' "$F")" 1
check_eq "no CoinJoin joins two owners in a cluster" "$(jq '.cluster.coinjoins_inputs_joined' "$F")" 0
check "FIFO: certain deposit precision >= 0.95" jqt '.trace.deposit_precision >= 0.95'
check "FIFO: deposit recall with probable >= 0.95" jqt '.trace.deposit_recall_all >= 0.95'
check "the victim exchange gets < 0.01 % of the heist" jqt '.trace.victim_share_max_all < 0.0001'
check "screening flags >= 90 % of stolen deposit addresses" jqt '.screen.stolen.flagged_share >= 0.9'
check "screening flags <= 2 % of clean deposit addresses" jqt '.screen.clean.flagged_share <= 0.02'
$PY "$SRC/tests/diff/btc_alt6_score.py" --world "$T/w" --store "$T/s" --bin "$CW_BIN" --work "$T/e" \
    --out "$T/a.json" > /dev/null 2> "$T/score.txt" || { cat "$T/score.txt" >&2; bad "btc_alt6_score.py failed"; finish; }
A=$T/a.json
jqa() { jq -e "$1" "$A" > /dev/null; }
fl() { jq --arg k "$1" --arg f "$2" '.flags_by_shape[$k][$f] // 0' "$A"; }
for k in ln_open ln_coop_close ln_force_close htlc_timeout ln_sweep mixer_deposit mixer_sweep mixer_payout \
    vault_inbound vault_outbound exchange_withdrawal exchange_sweep consolidation pool_payout; do
    check "$k: the shape is present" jqa ".flags_by_shape[\"$k\"].txs >= 3"
    check_eq "$k: none called a CoinJoin" "$(fl "$k" coinjoin)" 0
done
check_eq "no honest party gets certain stolen value" "$(jq '.honest_certain_sat' "$A")" 0
check_eq "no certain stolen value on coins a service paid the thief" \
    "$(jq '.trace_outputs_by_truth["coins a service paid the thief (withdrawals.csv)"].certain_sat // 0' "$A")" 0
for g in withdrawn_by_thief honest_in_the_same_payout honest_senders_to_the_thief dust_probe_other_recipients; do
    check "screening: $g present" jqa ".screen.$g.addresses >= 1"
    check_eq "screening: none of $g flagged" "$(jq ".screen.$g.flagged" "$A")" 0
done
# btcx: the thief's vault deposits end as bridge exits by their OP_RETURN swap memos, each with
# the memo's destination; nothing else ends as one (docs/TRACE-MODELS.md "Bitcoin: swap vault memos")
FROM=$(jq -r '[.[0].stolen_outputs[].outpoint] | map("--from " + .) | join(" ")' "$T/w/truth/heists.json")
# shellcheck disable=SC2086
"$CW_BIN" trace $FROM --store "$T/s" --labels "$T/e/investigator.db" --model fifo --direction forward --json > "$T/bx.json" 2> /dev/null || bad "trace for bridge exits"
VIN=$(awk -F, '$4 == "vault_inbound" { print $2 }' "$T/w/truth/thief_txs.csv" | sort)
check "the thief's vault deposits are there" test "$(echo "$VIN" | grep -c .)" -ge 1
check_eq "every thief vault deposit ends as a bridge exit, nothing else does" \
    "$(jq -r '.bridge_exits[].txid' "$T/bx.json" | sort -u | tr '\n' ' ')" "$(echo "$VIN" | tr '\n' ' ')"
check_eq "each bridge exit names the memo's destination, status other chain" \
    "$(jq '[.bridge_exits[] | select(. as $e | $e.address != "" and ($e.memo | contains($e.address)) and $e.status == "other chain")] | length' "$T/bx.json")" \
    "$(jq '.bridge_exits | length' "$T/bx.json")"
check "screening: honest peers of the thief's CoinJoins present" jqa ".screen.honest_peers_of_the_thief_coinjoins.addresses >= 100"
check_eq "screening: no honest peer of the thief's CoinJoins flagged" \
    "$(jq '.screen.honest_peers_of_the_thief_coinjoins.flagged' "$A")" 0
finish
