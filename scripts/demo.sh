#!/usr/bin/env bash
# make demo: runs chainwatch end to end on the embedded default (local store + SQLite).
# Each stage is added as its capability lands; re-running is safe (stages are idempotent).
# CW_DEMO_DIR: the output folder (default demo-data/); CW_DEMO_SKIP: stages to leave out, by
# name ("20-chain 27-evm"), for a caller that needs only some of the demo's data (the browser
# test on the demo's data, tests/cli/web_demo.sh, skips the stages the server does not serve).
set -euo pipefail
BIN=${1:-build/release/chainwatch}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${CW_DEMO_DIR:-$ROOT/demo-data}
SHARED=${CW_SHARED_DATA:-$ROOT/../shared/data}
mkdir -p "$OUT"
echo "== chainwatch demo: output in $OUT"
for stage in "$ROOT"/scripts/demo.d/*.sh; do
    [ -e "$stage" ] || continue
    case " ${CW_DEMO_SKIP:-} " in *" $(basename "$stage" .sh) "*) echo "== $(basename "$stage" .sh) (skipped)"; continue ;; esac
    echo "== $(basename "$stage" .sh)"
    BIN="$BIN" OUT="$OUT" SHARED="$SHARED" ROOT="$ROOT" bash "$stage"
done
echo "== demo done. Look in $OUT"
