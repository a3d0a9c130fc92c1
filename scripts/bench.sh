#!/usr/bin/env bash
# make bench: runs the benchmarks of the release build; each prints its figures.
# The ingest benchmark needs a generated chain of >= 1M txs; it is made once (chainwatch gen)
# under $BUILD/bench-world and reused.
set -euo pipefail
BUILD=${1:-build/release}
BIN="$BUILD/chainwatch"
WORLD="$BUILD/bench-world"
TXS=${BENCH_TXS:-1000000}
if "$BIN" gen --help > /dev/null 2>&1; then
    if [ ! -e "$WORLD/.done-$TXS" ]; then
        rm -rf "$WORLD"
        echo "== generating a $TXS-tx world for the benchmarks"
        "$BIN" gen --out "$WORLD" --txs "$TXS" --seed 1
        touch "$WORLD/.done-$TXS"
    fi
fi
for b in "$BUILD"/bench_ingest "$BUILD"/bench_analytics "$BUILD"/bench_address "$BUILD"/bench_cluster \
         "$BUILD"/bench_trace "$BUILD"/bench_gen "$BUILD"/bench_supply; do
    [ -x "$b" ] || continue
    name=$(basename "$b")
    echo "== $name"
    case "$name" in
    bench_ingest)
        if [ -d "$WORLD" ]; then
            blocks="$WORLD"; [ -d "$WORLD/blocks" ] && blocks="$WORLD/blocks"
            "$b" "$blocks" "$BUILD" regtest
        else
            echo "(no generator yet: skipping)"
        fi ;;
    bench_analytics|bench_address)
        store="$BUILD/bench-store-1"
        if [ -e "$store/MANIFEST" ]; then "$b" "$store"; else echo "(run after bench_ingest)"; fi ;;
    bench_cluster)
        store="$BUILD/bench-store-1"
        if [ -e "$store/MANIFEST" ]; then "$b" "$store"; else "$b"; fi ;;
    bench_trace)
        if [ -d "$WORLD" ]; then "$b" "$WORLD"; else "$b"; fi ;;
    *) "$b" ;;
    esac
done
echo "== server"
if [ -e "$BUILD/bench-store-1/MANIFEST" ]; then
    BENCH_SERVER_SECONDS=${BENCH_SERVER_SECONDS:-30} bash "$(dirname "$0")/../bench/server.sh" "$BIN" "$BUILD/bench-store-1"
fi
