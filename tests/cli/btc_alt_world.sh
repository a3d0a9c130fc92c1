#!/usr/bin/env bash
# btc_alt_world.sh: chainwatch on a small world from the SECOND independent generator
# (tests/diff/btc_alt_world.py, written from issue 11's text and mainnet habits, not from the
# detectors). The world passes gen_check.py (CheckBlock, every spend, the stolen-value identity),
# its Core 28 copy (xor.dat, a raw 4 KiB zero tail in every blk file) ingests to the same store as
# the plain copy, and `patterns build` flags exactly as many txs of each CoinJoin kind and Tx0s as
# the truth holds, none of them called a CoinJoin when it is a Tx0. The full figures on 200k-tx
# worlds: scripts/eval_btc.py / tests/diff/btc_shapes_score.py (docs/GEN.md).
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
PY=/usr/bin/python3
if ! $PY -c "import bitcoin" 2>/dev/null; then
    echo "python3-bitcoinlib is missing: scripts/bootstrap.sh installs it"; exit 1
fi
W=$SRC/tests/diff/btc_alt_world.py
$PY "$W" --out "$T/w" --seed 3 --scale 0.03 --max-file-size 1000000 > "$T/gen.txt"
$PY "$W" --out "$T/x" --seed 3 --scale 0.03 --max-file-size 1000000 --xor-key 3c5ae1f0076b9d22 \
    --zero-tail 4096 --zero-tail-all > /dev/null
check "the world passes gen_check.py (CheckBlock, every spend, the stolen-value identity)" \
    $PY "$SRC/tests/diff/gen_check.py" "$T/w"
check "the world spans several blk files" test "$(ls "$T/w/blocks"/blk*.dat | wc -l)" -ge 3
check "the XOR'd copy has xor.dat" test -s "$T/x/blocks/xor.dat"
check "the same seed writes the same blocks" cmp -s "$T/w/truth/txs.csv" "$T/x/truth/txs.csv"
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest --quiet
"$CW_BIN" ingest btc --blocks "$T/x/blocks" --store "$T/sx" --network regtest --quiet
check_eq "the Core 28 copy ingests to the same store" "$(store_digest "$T/sx")" "$(store_digest "$T/s")"
check_eq "every block of the best chain ingested" \
    "$("$CW_BIN" block "$(jq -r .tip "$T/w/truth/world.json")" --store "$T/s" --json | jq .height)" \
    "$(jq .best_height "$T/w/truth/world.json")"
"$CW_BIN" patterns build --store "$T/s" --json > "$T/pb.json"
truth_count() { awk -F, -v k="$1" 'NR > 1 && $3 == k' "$T/w/truth/txs.csv" | wc -l; }
for k in whirlpool wasabi1 wasabi2 joinmarket tx0; do
    n=$(truth_count $k)
    check "the world has $k txs" test "$n" -ge 3
    check_eq "$k: flagged as many txs as the truth holds" "$(jq ".counts.$k // 0" "$T/pb.json")" "$n"
done
check_eq "no Tx0 flagged as a CoinJoin" \
    "$(for t in $(awk -F, 'NR > 1 && $3 == "tx0" {print $1}' "$T/w/truth/txs.csv" | head -20); do
        "$CW_BIN" patterns show "$t" --store "$T/s" --json | jq -r '.flags | map(select(. == "coinjoin")) | length'
    done | sort -u)" 0
finish
