#!/usr/bin/env bash
# make bench: runs every bench/bench_* program of the release build; each prints its figures.
set -euo pipefail
BUILD=${1:-build/release}
for b in "$BUILD"/bench_*; do
    [ -x "$b" ] || continue
    echo "== $(basename "$b")"
    "$b"
done
