#!/usr/bin/env bash
# cli_exit_codes.sh: every malformed argument exits 2, with the message prefixed once by
# "chainwatch VERB: " and no repeated head (issue 14, Build 7: a malformed address used to
# exit 2 from one command and 1 from another, with "address 'x': address 'x': ...").
# Options a command does not use (--offset/--limit on tx, block, check, addrindex, patterns,
# cluster build/why; decode --json) exit 2 naming the option.
source "$(dirname "$0")/../lib/cli.sh"
W="$T/w" S="$T/s" L="$T/l.db"
"$CW_BIN" gen --out "$W" --txs 11000 --seed 3 --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$W/blocks" --store "$S" --network regtest > /dev/null 2>&1
"$CW_BIN" labels import gen-truth "$W/truth/addresses.csv" --db "$L" --quiet > /dev/null
"$CW_BIN" cluster build --store "$S" > /dev/null 2>&1
"$CW_BIN" node init --db "$T/node.db" --name USA > /dev/null
bad=("address notanaddr --store $S" "screen notanaddr --store $S --labels $L"
     "trace --from notanaddr --store $S" "tx zz --store $S" "block zz --store $S"
     "cluster show notanaddr --store $S" "address 1abc --store $S --limit x"
     "trace --from zz:0 --store $S --max-hops x" "alerts list --db $T/node.db --limit 0"
     "alerts show x --db $T/node.db" "alerts raise --db $T/node.db --title t --kind k --tlp purple"
     "labels import nosuchkind $W/truth/addresses.csv --db $L" "block 1 --store $S --bogus"
     "rules nope")
for c in "${bad[@]}"; do
    set +e; $CW_BIN $c > /dev/null 2> "$T/err"; rc=$?; set -e
    verb=${c%% *}
    check_eq "'$c': exit 2" "$rc" 2
    first=$(head -1 "$T/err")
    check "'$verb': one 'chainwatch $verb:' prefix ($first)" \
        test "$(grep -o "chainwatch $verb:" <<< "$first" | wc -l)" -eq 1
    check "'$verb': no repeated head" bash -c '! grep -Eq "([^:]+: )\1" <<< "$1"' _ "$first"
done
# an option a command does not use is refused (exit 2, naming it), never silently ignored: an
# analyst who asked for a page must not believe they got one (main's build exited 0 on each)
TX=$("$CW_BIN" block 1 --store "$S" --json | jq -r '.txids[0] // .txs[0].txid // .txs[0]')
A=$(awk -F, 'NR == 2 {print $1; exit}' "$W/truth/addresses.csv")
blk=("$W"/blocks/blk*.dat)
ignored=("tx $TX --store $S --limit 1 --offset 9:--limit" "block 1 --store $S --offset 9:--offset"
         "check --store $S --limit 5:--limit" "addrindex --store $S --offset 1:--offset"
         "patterns build --store $S --limit 1:--limit" "cluster build --store $S --offset 2:--offset"
         "cluster why $A $A --store $S --limit 1:--limit"
         "decode --blk ${blk[0]} --network regtest --json:--json")
for c in "${ignored[@]}"; do
    opt=${c##*:} c=${c%:*}
    # shellcheck disable=SC2086
    set +e; $CW_BIN $c > /dev/null 2> "$T/err"; rc=$?; set -e
    check_eq "'${c/$S/S}': an option it does not use: exit 2" "$rc" 2
    check "... and the message names $opt" grep -q -- "$opt" "$T/err"
done
# the commands that print a page still take --offset/--limit
quiet() { "$@" > /dev/null; }
check "address takes --offset/--limit" quiet "$CW_BIN" address "$A" --store "$S" --offset 0 --limit 1
check "cluster show takes --offset/--limit" quiet "$CW_BIN" cluster show "$A" --store "$S" --offset 0 --limit 1
finish
