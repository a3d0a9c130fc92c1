#!/usr/bin/env bash
# bench/alternate.sh: CPU time (user+sys) of two or more commands run alternately, N rounds, on a
# shared, loaded machine: a figure is the minimum over its rounds (the run least disturbed by
# other work), printed with the median, and the ratio of each command's minimum to the first's.
# Each command is one shell string; SETUP (optional) runs before every run of every command
# (e.g. removing the output a build would otherwise continue).
#
# usage: ROUNDS=5 SETUP='rm -rf S/patterns.manifest S/patterns.[0-9]*' \
#          bash bench/alternate.sh 'OLD/chainwatch patterns build --store S' \
#                                  'NEW/chainwatch patterns build --store S'
set -euo pipefail
ROUNDS=${ROUNDS:-5}
[ $# -ge 1 ] || { echo "usage: [ROUNDS=N] [SETUP=CMD] $0 'CMD' ['CMD'...]" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for r in $(seq 1 "$ROUNDS"); do
    for i in $(seq 1 $#); do
        cmd=${!i}
        [ -n "${SETUP:-}" ] && bash -c "$SETUP"
        /usr/bin/time -f "%U %S" -o "$tmp/t" bash -c "$cmd" > /dev/null
        awk '{printf "%.2f\n", $1 + $2}' "$tmp/t" >> "$tmp/cpu.$i"
    done
done
base=""
for i in $(seq 1 $#); do
    min=$(sort -n "$tmp/cpu.$i" | head -1)
    med=$(sort -n "$tmp/cpu.$i" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    [ -z "$base" ] && base=$min
    ratio=$(awk -v m="$min" -v b="$base" 'BEGIN {printf "%.2f", (b > 0 ? m / b : 0)}')
    printf "%s s CPU min, %s median over %s rounds; ratio to the first command %s: %s\n" \
        "$min" "$med" "$ROUNDS" "$ratio" "${!i}"
done
