#!/usr/bin/env bash
# btc_alt4_world.sh: a fourth outside world (tests/diff/btc_alt4_world.py, issue 11: the adversary
# attacks the watcher: dust to honest users, a thief paying an honest merchant, Lightning opens and
# closes, JoinMarket with many makers, Wasabi 2 rounds of 300+ inputs) at scale 0.03, written plain
# and as a Core 28 directory (XOR'd, 4 KiB raw zero tail). Guards what main gets right there:
# gen_check.py passes; both copies ingest to the same store; every Whirlpool mix and Tx0 is flagged
# as its kind and no Tx0 as a CoinJoin; Wasabi 2 rounds found, nothing else called one; no cluster
# holds two owners' inputs of a CoinJoin; the forward FIFO trace gives the victim exchange no
# certain value; screening flags every stolen deposit address. What main gets wrong on this world
# (dust, merchant and channel-peer attributions, peel chains with batched peels, JoinMarket rounds
# of 13+ parties called Wasabi 1) is measured by tests/diff/btc_alt4_score.py and docs/GEN.md.
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
PY=/usr/bin/python3
GEN="$SRC/tests/diff/btc_alt4_world.py"
$PY "$GEN" --out "$T/w" --seed 5 --scale 0.03 > "$T/gen.txt" || { bad "generator failed"; finish; }
$PY "$GEN" --out "$T/x" --seed 5 --scale 0.03 --xor-key 0f1e2d3c4b5a6978 --zero-tail 4096 > /dev/null \
    || { bad "generator (Core 28 copy) failed"; finish; }
ok "generated: $(cat "$T/gen.txt")"
if $PY -c 'import bitcoin' 2> /dev/null; then
    if $PY "$SRC/tests/diff/gen_check.py" "$T/x" > "$T/check.txt" 2>&1; then
        ok "gen_check.py passes on the Core 28 copy ($(tail -2 "$T/check.txt" | head -1))"
    else
        grep FAIL "$T/check.txt" | head -5 >&2
        bad "gen_check.py on the Core 28 copy"
    fi
else
    echo "note: python3-bitcoinlib absent; gen_check.py skipped"
fi
cmp -s "$T/w/truth/heists.json" "$T/x/truth/heists.json" && ok "the same world in both copies" || bad "copies differ"
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest > /dev/null 2>&1 || bad "ingest plain"
"$CW_BIN" ingest btc --blocks "$T/x/blocks" --store "$T/sx" --network regtest > /dev/null 2>&1 || bad "ingest Core 28"
check_eq "the Core 28 copy ingests to the same store" "$(store_digest "$T/sx")" "$(store_digest "$T/s")"
$PY "$SRC/scripts/eval_btc.py" --world "$T/w" --store "$T/s" --bin "$CW_BIN" --work "$T/e" --sample 300 \
    --screen-sample 300 --out "$T/f.json" > "$T/report.txt" 2> "$T/log.txt" \
    || { cat "$T/log.txt" >&2; bad "eval_btc.py failed"; finish; }
F=$T/f.json
W=$T/w/truth
jqt() { jq -e "$1" "$F" > /dev/null; }
check_eq "whirlpool: every mix flagged" "$(jq '.coinjoin.whirlpool.recall' "$F")" 1
check_eq "whirlpool: nothing else flagged" "$(jq '.coinjoin.whirlpool.precision' "$F")" 1
check_eq "tx0: every Tx0 flagged, nothing else" "$(jq '[.coinjoin.tx0.recall, .coinjoin.tx0.precision]' -c "$F")" "[1,1]"
check_eq "no Tx0 flagged as a CoinJoin" "$(jq '.coinjoin.tx0.flagged_as_coinjoin' "$F")" 0
check "wasabi2: >= 95 % of the 300+-input rounds flagged" jqt '.coinjoin.wasabi2.recall >= 0.95'
check_eq "wasabi2: nothing else flagged" "$(jq '.coinjoin.wasabi2.precision' "$F")" 1
check_eq "joinmarket: nothing else flagged" "$(jq '.coinjoin.joinmarket.precision' "$F")" 1
check "coinjoin: precision >= 0.99" jqt '.coinjoin.coinjoin.precision >= 0.99'
check "CoinJoins checked for clusters" jqt '.cluster.coinjoins_checked >= 100'
check_eq "no cluster joins two owners' inputs of a CoinJoin" "$(jq '.cluster.coinjoins_inputs_joined' "$F")" 0
check "clusters: pairwise precision >= 0.999" jqt '.cluster.pairwise_precision >= 0.999'
# (the dust the thief sent to honest customers' deposit addresses at the victim is certain value:
# 1e-6 of the heist here)
check "the victim exchange gets < 0.01 % of the heist as certain traced value" jqt '.trace.victim_share_max < 0.0001'
check_eq "screening flags every stolen deposit address" "$(jq '.screen.stolen.flagged_share' "$F")" 1
check "the dust reached honest customers' deposit addresses (the world's own shape)" \
    test "$(awk -F, 'NR > 1 && $7 == "exchange_deposit"' "$W/dust.csv" | wc -l)" -ge 20
check "screening flags <= 2 % of clean deposit addresses (dusted ones among them)" jqt '.screen.clean.flagged_share <= 0.02'
# stop 20 (issue 11): no certain stolen value on an honest merchant's cash-outs, nor on the
# thief's dust at honest customers' deposit addresses or on what the dusted pay later; every
# stolen deposit the trace reaches stays a deposit (none is ended as dust)
if $PY "$SRC/tests/diff/btc_alt4_score.py" --world "$T/w" --store "$T/s" --bin "$CW_BIN" --work "$T/e" \
    --out "$T/a.json" > /dev/null 2> "$T/score.txt"; then
    A=$T/a.json
    cause() { jq --arg k "$1" '.false_certain_deposits_by_cause[$k].outputs // 0' "$A"; }
    check_eq "no merchant's cash-out gets certain stolen value (the merchant stop)" "$(cause "a merchant the thief paid")" 0
    check_eq "no dust at an honest customer's deposit address is a deposit of the thief" \
        "$(cause "the thief's dust to an honest customer's deposit address")" 0
    check_eq "no dusted payer's later deposit gets certain stolen value" "$(cause "an honest payer who had received dust")" 0
    jqa() { jq -e "$1" "$A" > /dev/null; }
    check "the trace ended the thief's dusting outputs as dust (>= 100)" jqa '.trace_dusting.outputs >= 100'
    check_eq "no stolen deposit is ended as dust" "$(jq '.trace_dusting.true_deposits' "$A")" 0
else
    cat "$T/score.txt" >&2
    bad "btc_alt4_score.py failed"
fi
# the second heist traced from a file of its stolen outputs (--from-file), in text: the
# third-party sentence counts the spends of a Lightning close's side apart (seed 5: 5 of 5);
# before, it said all of them were paid on "from its own account"
jq -r '.[1].stolen_outputs[].outpoint' "$W/heists.json" > "$T/from-b.txt"
"$CW_BIN" trace --from-file "$T/from-b.txt" --store "$T/s" --labels "$T/e/investigator.db" \
    > "$T/trace-b.txt" 2> /dev/null || bad "trace --from-file (text)"
check "trace text: the third-party sentence names the Lightning close's sides (0 accounts, 5 sides)" \
    grep -q "0 where a third party paid it on from its own account, 5 spending a side of a Lightning channel's close" "$T/trace-b.txt"
finish
