#!/usr/bin/env bash
# labels import gen-truth on a real generated world (chainwatch gen): every addresses.csv row
# becomes a label, categories mapped (user -> individual, thief -> theft, ...), --exclude
# individual leaves the users out; counts checked against the file itself with awk.
source "$(dirname "$0")/../lib/cli.sh"
"$CW_BIN" gen --out "$T/w" --txs 12000 --seed 7 --quiet > /dev/null
A=$T/w/truth/addresses.csv
check_eq "header of addresses.csv" "$(head -1 "$A")" "address,script_type,entity_id,entity_name,category,customer_id"
n_all=$(awk 'NR > 1' "$A" | wc -l)
n_users=$(awk -F, 'NR > 1 && $5 == "user"' "$A" | wc -l)
"$CW_BIN" labels import gen-truth "$A" --db "$T/inv.db" --exclude individual --json > "$T/inv.json"
check_eq "--exclude individual: rows" "$(jq .rows "$T/inv.json")" "$((n_all - n_users))"
check_eq "--exclude individual: skipped = users" "$(jq .skipped "$T/inv.json")" "$n_users"
"$CW_BIN" labels import gen-truth "$A" --db "$T/all.db" --json > "$T/all.json"
check_eq "all rows" "$(jq .rows "$T/all.json")" "$n_all"
# per category, the store's distinct addresses equal the file's (after the name mapping)
want=$(awk -F, 'NR > 1 { c = $5; if (c == "user") c = "individual"; else if (c == "thief") c = "theft";
                else if (c == "miner") c = "mining_pool"; else if (c == "coinjoin_coordinator") c = "mixer";
                print c "\t" $1 }' "$A" | sort -u | cut -f1 | uniq -c | awk '{print $2, $1}')
got=$(for c in $(echo "$want" | cut -d' ' -f1); do
          echo "$c $("$CW_BIN" labels count --db "$T/all.db" --category "$c" --json | jq .addresses_per_asset.XBT)"; done)
check_eq "per-category counts equal the file" "$got" "$want"
thief=$(awk -F, '$5 == "thief" { print $1 " " $3 " " $4; exit }' "$A")
set -- $thief
"$CW_BIN" labels show "$1" --db "$T/inv.db" --json > "$T/show.json"
check_eq "a thief address is labelled theft" "$(jq -r '.labels[0].category' "$T/show.json")" theft
check_eq "its entity" "$(jq -r '.labels[0].entity' "$T/show.json")" "$3"
check_eq "its entity ref" "$(jq -r '.labels[0].entity_ref' "$T/show.json")" "gen:$2"
check_eq "re-import with the same options: unchanged" "$("$CW_BIN" labels import gen-truth "$A" --db "$T/inv.db" --exclude individual --json | jq .unchanged)" true
finish
