#!/usr/bin/env bash
# make fuzz: runs each libFuzzer target for FUZZ_SECONDS, seeded with its committed corpus.
# New interesting inputs go to build/fuzz/corpus-<name> so the committed corpus stays small.
set -euo pipefail
BUILD=${1:-build/fuzz}
SECS=${2:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for f in "$BUILD"/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f"); name=${name#fuzz_}
    work="$BUILD/corpus-$name"
    mkdir -p "$work"
    echo "== fuzz $name for ${SECS}s"
    "$f" -max_total_time="$SECS" -rss_limit_mb=4096 "$work" "$ROOT/fuzz/corpus/$name"
done
