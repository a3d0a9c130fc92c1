#!/usr/bin/env bash
# bench/screen_evm.sh: EVM screening of many persons, main's binary against a new one: CPU time
# (user+sys) of `chainwatch screen --file FILE --store STORE --labels DB --json`, run alternately
# ROUNDS times (bench/alternate.sh: the minimum over rounds, the run least disturbed on a shared
# machine), as persons screened per CPU second and the ratio of the new binary's rate to main's;
# then (CACHEGRIND=1) the instructions of one run of each, which a loaded machine does not move.
# Both answers are compared (identical unless the change is meant to change them).
#
# usage: [ROUNDS=5] [CACHEGRIND=1] bash bench/screen_evm.sh MAIN_BIN NEW_BIN STORE LABELS_DB FILE
# e.g. on evm_alt7_world.py --seed 1 --txs 30000 (56,922 txs; 466 honest persons, 0.8 s):
#   bash bench/screen_evm.sh /work/build-lead/m25-rel/chainwatch build/release/chainwatch \
#       big1.s big1.scr0.db big1.scr.txt
set -euo pipefail
[ $# -eq 5 ] || {
    echo "usage: [ROUNDS=N] [CACHEGRIND=1] $0 MAIN_BIN NEW_BIN STORE LABELS_DB FILE" >&2
    exit 2
}
M=$1 N=$2 S=$3 L=$4 F=$5
here=$(cd "$(dirname "$0")" && pwd)
n=$(grep -cv '^\s*\(#\|$\)' "$F")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmd() { echo "$1 screen --file $F --store $S --labels $L --json"; }
$(cmd "$M") > "$tmp/main.json"
$(cmd "$N") > "$tmp/new.json"
if cmp -s "$tmp/main.json" "$tmp/new.json"; then same=identical; else same=DIFFERENT; fi
echo "screening $n persons ($F), answers of main and new: $same; load: $(cut -d' ' -f1-3 /proc/loadavg)"
ROUNDS=${ROUNDS:-5} bash "$here/alternate.sh" "$(cmd "$M")" "$(cmd "$N")" | tee "$tmp/alt"
awk -v n="$n" 'NR <= 2 {c[NR] = $1}
    END {printf "persons/s per CPU s: main %.0f, new %.0f; new/main %.2f\n", n / c[1], n / c[2],
         (c[2] > 0 ? c[1] / c[2] : 0)}' "$tmp/alt"
if [ "${CACHEGRIND:-0}" = 1 ]; then
    for b in main:"$M" new:"$N"; do
        valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null $(cmd "${b#*:}") \
            2>&1 > /dev/null | awk -v t="${b%%:*}" '/I *refs:/ {gsub(",", "", $NF); print t, $NF}'
    done | awk '{i[NR] = $2; print $1 " instructions: " $2} END {if (i[1] > 0)
        printf "instructions new/main %.3f\n", i[2] / i[1]}'
fi
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
