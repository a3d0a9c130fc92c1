#!/usr/bin/env bash
# trace --from-file on an EVM store (stop 29; Bitcoin since stop 28): the heist's tx hashes one a
# line (blank lines, '#' comments and surrounding blanks skipped) give the trace --from gives with
# the same hashes; a hash that is malformed or not in the store is named with the file and its
# line (exit 2 / 3); a missing file, or one with no source, is a usage error (exit 2) naming it.
# The world: two heist txs, V1 -> T1 (10 ETH) and V2 -> T2 (5 ETH); T1 pays 6 ETH to a
# sanctioned account S and T2 pays 5 ETH on to a fresh U.
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
PYTHONPATH="$SRC/tests/cli/evm" /usr/bin/python3 - "$T/w" << 'PY'
import json, sys
from transfers_world import World
out = sys.argv[1]
ETH = 10**18
a = lambda tag: "0x" + tag.encode().hex().ljust(40, "0")[:40]
V1, V2, T1, T2, S, U = a("V1"), a("V2"), a("T1"), a("T2"), a("S"), a("U")
w = World()
heist = w.block([(V1, T1, 10 * ETH), (V2, T2, 5 * ETH)])
w.block([(T1, S, 6 * ETH), (T2, U, 5 * ETH)])
w.write(out)
with open(f"{out}/labels.csv", "w") as f:
    f.write(f"address,entity,category,asset\n{S},Sanctioned S,sanctioned,ETH\n")
json.dump({"heist": heist, "sanctioned": S, "fresh": U}, open(f"{out}/truth.json", "w"))
PY
truth() { jq -r "$1" "$T/w/truth.json"; }
H1=$(truth '.heist[0]')
H2=$(truth '.heist[1]')
"$CW_BIN" ingest evm --csv "$T/w" --store "$T/s" --chain dev --quiet > /dev/null
L=$T/labels.db
"$CW_BIN" labels import csv "$T/w/labels.csv" --db "$L" --quiet > /dev/null
strip() { jq -S 'del(.seconds)'; }

printf '# the heist, two txs\n\n  %s  \n%s\n' "$H1" "$H2" > "$T/heist.txt"
"$CW_BIN" trace --store "$T/s" --from "$H1" --from "$H2" --labels "$L" --json | strip > "$T/a.json"
set +e
"$CW_BIN" trace --store "$T/s" --from-file "$T/heist.txt" --labels "$L" --json > "$T/b.raw" 2> "$T/err"
rc=$?
set -e
check_eq "--from-file: exit 0" "$rc" 0
strip < "$T/b.raw" > "$T/b.json" 2> /dev/null || true
check "--from-file: the trace --from gives" cmp -s "$T/a.json" "$T/b.json"
check_eq "--from-file: two sources" "$(jq '.sources | length' "$T/b.json" 2> /dev/null)" 2
check_eq "--from-file: 6 ETH reach the sanctioned account" \
    "$(jq -r --arg s "$(truth .sanctioned)" '[.ends[] | select(.address == $s) | .amount] | join(" ")' "$T/b.json" 2> /dev/null)" \
    "6000000000000000000"
check_eq "--from-file: 5 ETH end at the fresh account" \
    "$(jq -r --arg s "$(truth .fresh)" '[.ends[] | select(.address == $s) | .amount] | join(" ")' "$T/b.json" 2> /dev/null)" \
    "5000000000000000000"
# with --from too: the file's sources come after
"$CW_BIN" trace --store "$T/s" --from "$H2" --from "$H1" --labels "$L" --json | strip > "$T/c.json"
printf '%s\n' "$H1" > "$T/one.txt"
"$CW_BIN" trace --store "$T/s" --from "$H2" --from-file "$T/one.txt" --labels "$L" --json 2> /dev/null | strip > "$T/d.json" 2> /dev/null || true
check "--from and --from-file together: the sources in that order" cmp -s "$T/c.json" "$T/d.json"

bad_source() { # bad_source NAME FILE-TEXT EXIT MESSAGE-REGEX
    printf '%b' "$2" > "$T/bad.txt"
    set +e
    "$CW_BIN" trace --store "$T/s" --from-file "$T/bad.txt" --json > "$T/out" 2> "$T/err"
    local rc=$?
    set -e
    check_eq "$1: exit $3" "$rc" "$3"
    check "$1: the message names the file and line" grep -Eq -e "$4" "$T/err"
    check_eq "$1: no answer" "$(wc -c < "$T/out")" 0
}
bad_source "a hash not in the store" "$H1\n# comment\n0x$(printf 'ab%.0s' {1..32})\n" 3 \
    "bad\.txt line 3: tx 0x(ab){32} is not in the store"
bad_source "a malformed hash" "$H1\n  0x12zz\n" 2 "bad\.txt line 2: '0x12zz' is not a tx hash"
bad_source "no source" "# nothing\n\n" 2 "--from-file .*bad\.txt: no source in it"
bad_source "a NUL byte" "$H1\n\0\n" 2 "--from-file .*bad\.txt: a NUL byte at offset 67"
set +e
"$CW_BIN" trace --store "$T/s" --from-file "$T/missing.txt" > /dev/null 2> "$T/err"
rc=$?
set -e
check_eq "a missing file: exit 2" "$rc" 2
check "a missing file: named" grep -q "missing.txt" "$T/err"
set +e
"$CW_BIN" trace --store "$T/s" > /dev/null 2> "$T/err2"
rc=$?
set -e
check "no source: exit 2, --from and --from-file named" \
    sh -c "test $rc = 2 && grep -q -- '--from 0xTXHASH is required' '$T/err2' && grep -q -- '--from-file FILE' '$T/err2'"
finish
