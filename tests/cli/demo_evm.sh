#!/usr/bin/env bash
# demo_evm.sh: `make demo` includes the EVM side (issue 12: "README, docs and make demo include
# the EVM side"). scripts/demo.sh runs every stage of scripts/demo.d; this runs the EVM stage
# (27-evm.sh) as it does, on a small world of the quick heist (CW_DEMO_EVM_TXS,
# CW_DEMO_EVM_SCENARIO; the demo's own world is 200,000 txs, too slow for the suite): the real
# mainnet block 483920 (../shared, when present) and the generated world are ingested and
# checked, the heist is traced and scored. The README names the EVM commands and the stage.
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
O="$T/out"
mkdir -p "$O"
check "scripts/demo.sh runs every stage of scripts/demo.d" grep -q 'for stage in "$ROOT"/scripts/demo.d/\*.sh' "$SRC/scripts/demo.sh"
check "... and 27-evm is one" test -x "$SRC/scripts/demo.d/27-evm.sh"
rc=0
SH=$(cd "$SHARED" 2>/dev/null && pwd || echo "$SHARED") # the stage links its files: absolute
BIN=$CW_BIN OUT=$O SHARED=$SH ROOT=$SRC CW_DEMO_EVM_TXS=15000 \
    CW_DEMO_EVM_SCENARIO="$SRC/data/scenarios/evm-quick-heist.json" \
    bash "$SRC/scripts/demo.d/27-evm.sh" > "$T/stage.txt" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || tail -5 "$T/stage.txt" >&2
check_eq "the EVM stage completes" "$rc" 0
if [ -e "$SH/eth-etl-csv/transactions_483920.csv" ]; then
    check "the real block 483920 is ingested and checked, not marked synthetic" \
        grep -q "^check $O/evm/real-store (EVM, ethereum): 1 blocks, .*: ok$" "$T/stage.txt"
fi
check "the generated world's store checks, said SYNTHETIC" \
    grep -q "^check $O/evm/store (EVM, ethereum, SYNTHETIC world): .*: ok$" "$T/stage.txt"
check "the heist is traced (its ends listed)" test "$(jq '.ends | length' "$O/evm/trace.json" 2>/dev/null || echo 0)" -gt 0
check "and scored against the world's truth" test -s "$O/evm/score.txt"
check "README names the EVM ingest and generator" grep -q 'ingest evm --csv DIR --store DIR' "$SRC/README.md"
check "... and the demo's EVM stage" grep -q 'the EVM side (stage `27-evm`)' "$SRC/README.md"
finish
