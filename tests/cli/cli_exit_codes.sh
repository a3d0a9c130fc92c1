#!/usr/bin/env bash
# cli_exit_codes.sh: every malformed argument exits 2, with the message prefixed once by
# "chainwatch VERB: " and no repeated head (issue 14, Build 7: a malformed address used to
# exit 2 from one command and 1 from another, with "address 'x': address 'x': ...").
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
finish
