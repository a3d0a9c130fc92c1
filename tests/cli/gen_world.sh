#!/usr/bin/env bash
# gen_world.sh: `chainwatch gen` end to end on a small world with two heists (quick-heist.json):
# python3-bitcoinlib parses every block and recomputes the stolen-value flow (tests/diff/
# gen_check.py), the XOR'd multi-file variant and a mainnet-format variant included; the same
# seed gives identical bytes; chainwatch's own ingest reads the world and `chainwatch check` passes.
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
PY=/usr/bin/python3
if ! $PY -c 'import bitcoin' 2>/dev/null; then
    echo "SKIPPED: Debian python3-bitcoinlib is not installed"
    exit 77
fi
SC=$SRC/data/scenarios/quick-heist.json

check "gen (xor, small files)" "$CW_BIN" gen --out "$T/w" --txs 3000 --seed 5 --scenario "$SC" \
    --xor-key 0102030405060708 --max-file-size 300000 --quiet
check "several blk files and xor.dat" test -e "$T/w/blocks/blk00003.dat" -a -e "$T/w/blocks/xor.dat"
check_eq "xor.dat holds the key" "$(od -An -tx1 "$T/w/blocks/xor.dat" | tr -d ' \n')" 0102030405060708
check "python-bitcoinlib checks blocks, UTXOs and the stolen-value flow" \
    $PY "$SRC/tests/diff/gen_check.py" "$T/w"

check "same seed again, on one thread" "$CW_BIN" gen --out "$T/w2" --txs 3000 --seed 5 --scenario "$SC" \
    --xor-key 0102030405060708 --max-file-size 300000 --quiet --threads 1
check "byte-identical blocks and truth" diff -r "$T/w" "$T/w2"
"$CW_BIN" gen --out "$T/w3" --txs 3000 --seed 6 --scenario "$SC" --quiet --max-file-size 300000
check "another seed differs" bash -c "! cmp -s '$T/w/blocks/blk00000.dat' '$T/w3/blocks/blk00000.dat'"

# chainwatch's own ingest and integrity check
out=$("$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest --json)
txs=$(echo "$out" | $PY -c 'import json,sys; print(json.load(sys.stdin)["txs_added"])')
want=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["txs"])' "$T/w/truth/world.json")
check_eq "ingest reads every best-chain tx" "$txs" "$want"
stale=$(echo "$out" | $PY -c 'import json,sys; print(json.load(sys.stdin)["stale"])')
nstale=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["stale_blocks"]))' "$T/w/truth/world.json")
check_eq "ingest skips exactly the stale blocks" "$stale" "$nstale"
check "chainwatch check passes" "$CW_BIN" check --store "$T/s"

# mainnet format (magic, genesis, address encodings)
check "gen --network main" "$CW_BIN" gen --out "$T/m" --txs 2500 --seed 9 --scenario "$SC" \
    --network main --quiet
check "python-bitcoinlib checks the mainnet-format world" $PY "$SRC/tests/diff/gen_check.py" "$T/m"
check "mainnet addresses in the truth" grep -q '^bc1q' "$T/m/truth/addresses.csv"
check "ingest --network main reads it" "$CW_BIN" ingest btc --blocks "$T/m/blocks" --store "$T/sm" \
    --network main --quiet
check "chainwatch check passes (main)" "$CW_BIN" check --store "$T/sm"

# the mixed economy (quick-mixed.json): Wasabi 1.x and 2 rounds, JoinMarket, Tx0s with
# OP_RETURN, honest peel chains; the checker verifies each listed shape, deposits.csv and the
# heist's stolen-value flow through every CoinJoin kind
MX=$SRC/data/scenarios/quick-mixed.json
check "gen mixed economy (xor, several files)" "$CW_BIN" gen --out "$T/x" --txs 6000 --seed 5 \
    --scenario "$MX" --xor-key 0102030405060708 --max-file-size 1000000 --zero-tail 4096 \
    --zero-tail-files all --quiet
out=$($PY "$SRC/tests/diff/gen_check.py" "$T/x")
check_eq "python-bitcoinlib checks the mixed world" "$(echo "$out" | tail -1)" "all checks passed"
for k in wasabi1 wasabi2 joinmarket whirlpool; do
    check "mixed world has $k CoinJoins" grep -q ",$k," "$T/x/truth/coinjoins.csv"
done
check "some Wasabi 2 round has more equal outputs than inputs" \
    bash -c "echo \"\$1\" | grep -Eq '^wasabi2: [0-9]+ CoinJoins, [1-9][0-9]* with more'" _ "$out"
check "Tx0s listed" test "$(wc -l < "$T/x/truth/tx0s.csv")" -gt 5
check "honest peel chains listed" grep -q '^,' "$T/x/truth/peel_chains.csv"
for k in coinjoin_wasabi coinjoin_wasabi1 coinjoin_joinmarket coinjoin_whirlpool whirlpool_tx0; do
    check "the thief took part in $k" grep -q ",$k," "$T/x/truth/thief_txs.csv"
done
check "mixed: same seed again, on one thread" "$CW_BIN" gen --out "$T/x2" --txs 6000 --seed 5 \
    --scenario "$MX" --xor-key 0102030405060708 --max-file-size 1000000 --zero-tail 4096 \
    --zero-tail-files all --quiet --threads 1
check "mixed: byte-identical blocks and truth" diff -r "$T/x" "$T/x2"
check "ingest reads the mixed world" "$CW_BIN" ingest btc --blocks "$T/x/blocks" --store "$T/sx" \
    --network regtest --quiet
check "chainwatch check passes (mixed)" "$CW_BIN" check --store "$T/sx"
finish
