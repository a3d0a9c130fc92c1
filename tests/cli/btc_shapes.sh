#!/usr/bin/env bash
# btc_shapes.sh: chainwatch on a world from an INDEPENDENT generator (tests/diff/btc_shapes_world.py:
# Python, python3-bitcoinlib, written from mainnet shapes, not from src/gen). The world is written
# plain and as a Core 28 directory (xor.dat, a raw 4 KiB zero tail in every file) and both ingest
# to the same store. tests/diff/btc_shapes_score.py --check then asserts the floors that an answer
# for court needs on any world: no Tx0 called a CoinJoin, CoinJoin recall and precision per kind,
# heist peel chains found, no cluster joining two true owners, FIFO deposits certain only when
# stolen, no certain theft flag on clean deposits, ... The detector failures this world exposes
# and that are still to be fixed are listed in tests/diff/btc_shapes_known.json (reported, not
# asserted); a known failure that starts to pass is reported so that the list can shrink. A second
# world (seed 2, --custodial-mixer) has a custodial mixer no label names, a third (seed 1,
# --rotating-pool) the same mixer rotating its pool addresses: every floor must hold on both. A
# fourth (seed 5, --direct-withdrawals) has an unlabelled exchange paying withdrawals straight
# from deposit coins, the thief's among them (neither a service sweep FIFO follows nor a probable
# CoinJoin), and ends with JoinMarket rounds of 2-3 makers and Wasabi 2 rounds of 3-6 parties.
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
PY=/usr/bin/python3
if ! $PY -c "import bitcoin" 2>/dev/null; then
    echo "python3-bitcoinlib is missing: scripts/bootstrap.sh installs it"; exit 1
fi
W=$SRC/tests/diff/btc_shapes_world.py
# An entity's addresses lose their label (category individual): the investigator does not know
# it. unlabel_mixer: the custodial mixer's.
unlabel_entity() {
    $PY - "$1" "$2" <<'PYEOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
h = rows[0]
for r in rows[1:]:
    if r[h.index("entity_name")] == sys.argv[2]:
        r[h.index("category")] = "individual"   # not a label: the investigator does not know it
csv.writer(open(sys.argv[1], "w", newline=""), lineterminator="\n").writerows(rows)
PYEOF
}
unlabel_mixer() { unlabel_entity "$1" blendr-mixer; }
# score_floors X WHAT: ingests world $T/X and asserts every floor (btc_shapes_score.py --check).
score_floors() {
    "$CW_BIN" ingest btc --blocks "$T/$1/blocks" --store "$T/$1s" --network regtest --quiet
    if $PY "$SRC/tests/diff/btc_shapes_score.py" --world "$T/$1" --store "$T/$1s" --bin "$CW_BIN" \
            --work "$T/$1score" --check > "$T/$1report.txt" 2>&1; then
        ok "every floor holds with $2"
    else
        bad "a floor fails with $2"
    fi
    grep -E 'FIFO forward|^screen:|^FAIL' "$T/$1report.txt"
}
$PY "$W" --out "$T/w" --seed 1 --max-file-size 200000 > "$T/gen.json"
$PY "$W" --out "$T/x" --seed 1 --max-file-size 200000 --xor-key 5a1f0c3e99b2d471 --zero-tail 4096 --zero-tail-all > /dev/null
check "the world passes gen_check.py (CheckBlock, every spend, the stolen-value identity)" \
    $PY "$SRC/tests/diff/gen_check.py" "$T/w"
check "the world spans several blk files" test "$(ls "$T/w/blocks"/blk*.dat | wc -l)" -ge 3
check "the XOR'd copy has xor.dat" test -s "$T/x/blocks/xor.dat"
check "the XOR'd files differ from the plain ones" bash -c "! cmp -s '$T/w/blocks/blk00000.dat' '$T/x/blocks/blk00000.dat'"
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest --quiet
"$CW_BIN" ingest btc --blocks "$T/x/blocks" --store "$T/sx" --network regtest --quiet
check_eq "the Core 28 copy ingests to the same store" "$(store_digest "$T/sx")" "$(store_digest "$T/s")"
check_eq "every tx of the world ingested" "$("$CW_BIN" block "$(jq -r .tip "$T/w/truth/world.json")" --store "$T/s" --json | jq .height)" \
    "$(jq .best_height "$T/w/truth/world.json")"
for k in whirlpool wasabi1 wasabi2 joinmarket; do
    check "the world has $k CoinJoins" test "$(awk -F, -v k=$k '$3 == k' "$T/w/truth/coinjoins.csv" | wc -l)" -ge 3
done
check "the world has Tx0s, peel hops and look-alikes" test "$(jq '[.tx0s, .peel_hops, .lookalikes] | min' "$T/w/truth/world.json")" -ge 20
if $PY "$SRC/tests/diff/btc_shapes_score.py" --world "$T/w" --store "$T/s" --bin "$CW_BIN" --work "$T/score" \
        --check --out "$T/shapes.json" > "$T/report.txt" 2>&1; then
    ok "every floor holds (known failures: tests/diff/btc_shapes_known.json)"
else
    bad "a floor fails"
fi
cat "$T/report.txt"
check_eq "the scorer read every tx but the coinbases" "$(jq '[.confusion[] | to_entries[].value] | add' "$T/shapes.json")" \
    "$(jq '.txs - .blocks' "$T/w/truth/world.json")"
# A custodial mixer (Blender/Sinbad style) that no label names: honest customers' payouts come
# from a pool the thief's coins were swept into. Without the service-sweep rule FIFO named 4-5
# customers' deposits certain stolen funds and screening flagged them certain theft
# (docs/TRACE-MODELS.md, "Service sweeps"); every floor must hold with the mixer unlabelled.
$PY "$W" --out "$T/m" --seed 2 --custodial-mixer --max-file-size 200000 > /dev/null
unlabel_mixer "$T/m/truth/addresses.csv"
check "the world has a custodial mixer the thief used" test "$(grep -c custodial_payout "$T/m/truth/txs.csv")" -ge 3
score_floors m "an unlabelled custodial mixer"
# The same mixer rotating its pool (--rotating-pool: a fresh pool address every sweep, sweeps of
# sweeps, fresh change; exchanges' hot wallets rotate; the thief gathers its own coins into a
# reused address of its own), unlabelled. With the rule that read address reuse, seed 1 failed
# four floors: FIFO certain precision 0.968 (a sweep of four deposits followed), clean deposits
# flagged 8.9 % (all certain), stolen flagged 88.9 % (the thief's reused address taken for a
# pool). Service sweeps are now judged by behaviour (docs/TRACE-MODELS.md, "Service sweeps").
$PY "$W" --out "$T/r" --seed 1 --rotating-pool --max-file-size 200000 > /dev/null
unlabel_mixer "$T/r/truth/addresses.csv"
check "the rotating world has chained custodial sweeps and the thief's consolidations" \
    test "$(grep -c -E 'custodial_sweep|thief_consolidation' "$T/r/truth/txs.csv")" -ge 6
score_floors r "an unlabelled rotating custodial mixer"
# An exchange no label names that pays withdrawal batches straight from its customers' deposit
# coins, a stolen one among them (--direct-withdrawals, seed 5, exchange-charlie unlabelled; some
# payees deposit the coin at another exchange). Before stop 16 FIFO gave two of those later
# deposits certain stolen value (certain precision 0.978) and screening flagged 11 of 120 clean
# deposits certain theft: the batch is a service's payout (docs/TRACE-MODELS.md, "Service
# sweeps"). The heist's deposits at charlie are no deposits to the investigator, so recall is not
# asked here.
# The same world ends with small rounds (--small-rounds: JoinMarket with 2-3 makers, Wasabi 2
# rounds of 3-6 parties, appended after everything else): main 6644206 left 4 of its 11 Wasabi 2
# rounds unflagged (no value repeated three times) and the multi-input heuristic joined 4 pairs
# of users through them (docs/PATTERNS.md, "A small Wasabi 2 round").
$PY "$W" --out "$T/d" --seed 5 --direct-withdrawals --small-rounds --max-file-size 200000 > /dev/null
unlabel_entity "$T/d/truth/addresses.csv" exchange-charlie
check "the world has withdrawal batches paid from deposit coins" \
    test "$(grep -c exchange_batch_direct "$T/d/truth/lookalikes.csv")" -ge 4
"$CW_BIN" ingest btc --blocks "$T/d/blocks" --store "$T/ds" --network regtest --quiet
$PY "$SRC/tests/diff/btc_shapes_score.py" --world "$T/d" --store "$T/ds" --bin "$CW_BIN" --work "$T/dscore" \
    --out "$T/d.json" > "$T/dreport.txt" 2>&1
check_eq "an unlabelled exchange's batch: FIFO certain value only at the heist's deposits" \
    "$(jq .trace.deposit_precision "$T/d.json")" 1
check_eq "an unlabelled exchange's batch: no clean deposit flagged by screening" \
    "$(jq .screen.clean.flagged "$T/d.json")" 0
# Those batches (one owner's deposit coins, 6-15 payees at varied and round amounts, the change)
# are no probable CoinJoins either: main called 4 of seed 5's 6 so (3-4 equal round amounts,
# as many input addresses) and FIFO marked payees' coins probable through them
# (docs/PATTERNS.md, "A payer's batch").
batch_probable=0
for t in $(grep exchange_batch_direct "$T/d/truth/lookalikes.csv" | cut -d, -f1); do
    "$CW_BIN" patterns show "$t" --store "$T/ds" --json | jq -e '.flags | index("coinjoin_probable")' > /dev/null &&
        batch_probable=$((batch_probable + 1))
done
check_eq "small Wasabi 2 rounds: every one flagged" "$(jq .coinjoin.wasabi2.recall "$T/d.json")" 1
check_eq "small rounds: no cluster joins two owners through a CoinJoin" \
    "$(jq .cluster.joined_through_coinjoin "$T/d.json")" 0
check_eq "an exchange's withdrawal batches from deposit coins: no probable CoinJoin" "$batch_probable" 0
check "patterns show says why a batch is no probable CoinJoin" bash -c \
    "'$CW_BIN' patterns show $(grep exchange_batch_direct "$T/d/truth/lookalikes.csv" | head -1 | cut -d, -f1) --store '$T/ds' | grep -q \"one payer's batch\""
# A JoinMarket sweep estimates its equal amount before the makers' coins and fees are known; a
# round its taker then cannot pay is skipped, as one a maker cannot pay (seed 6 --rotating-pool
# failed an assertion, "the taker cannot pay", until stop 11). The generator alone, 2 s.
gen_r6() { $PY "$W" --out "$T/r6" --seed 6 --rotating-pool --max-file-size 200000 > "$T/r6.json" 2>&1; }
check "a rotating-pool world whose JoinMarket sweep the taker cannot pay builds (seed 6)" gen_r6
finish
