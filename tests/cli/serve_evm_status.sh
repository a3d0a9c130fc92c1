#!/usr/bin/env bash
# GET /api/v1/evm/status on `serve --evm-store`: the EVM store of mainnet block 483920
# (../shared/data/eth-etl-csv) answers 200 with the chain, its tip (the block's height) and the
# counts `chainwatch check --json` finds in the same store. Its json_pack format once had one
# pair more than its values: jansson read past them and the route answered 500 (valgrind-check).
source "$(dirname "$0")/../lib/cli.sh"
need_shared eth-etl-csv/transactions_483920.csv
mkdir -p "$T/csv"
for k in blocks transactions receipts logs token_transfers; do
    ln -s "$SHARED/eth-etl-csv/${k}_483920.csv" "$T/csv/$k.csv"
done
"$CW_BIN" ingest evm --csv "$T/csv" --store "$T/s" --quiet > /dev/null
"$CW_BIN" check --store "$T/s" --json > "$T/check.json"
DB=$T/node.db
"$CW_BIN" node init --db "$DB" --name USA > /dev/null
KEY=$("$CW_BIN" keys add analyst1 --role analyst --db "$DB")
"$CW_BIN" serve --db "$DB" --evm-store "$T/s" --listen 127.0.0.1:0 --ready-file "$T/ready" 2> "$T/log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
[ -s "$T/ready" ] || { cat "$T/log"; exit 1; }
U="http://$(cat "$T/ready")/api/v1/evm"
code=$(curl -s -o "$T/st.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" "$U/status")
check_eq "evm/status: 200" "$code" 200
check_eq "chain and tip" "$(jq -r '[.chain, .chain_id, .tip] | join(" ")' "$T/st.json")" "ethereum 1 483920"
check_eq "counts as check --json finds them" "$(jq -c '[.txs, .movements, .accounts]' "$T/st.json")" \
    "$(jq -c '[.checked.txs, .checked.movements, .checked.accounts]' "$T/check.json")"
check_eq "no label store" "$(jq -r .labels "$T/st.json")" false
# through_mixer=1 is the CLI's --through-mixer: the same document (links and candidates apart)
TX=$(awk -F, 'NR > 1 && $8 != "0" { print $1; exit }' "$T/csv/transactions.csv")
code=$(curl -s -o "$T/tr.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" "$U/trace?from=$TX&through_mixer=1")
check_eq "evm/trace through_mixer=1: 200" "$code" 200
"$CW_BIN" trace --store "$T/s" --from "$TX" --through-mixer --json > "$T/cli.json"
check_eq "... the CLI's ends, links and candidates" \
    "$(jq -c '[[.ends[] | [.address, .kind, .amount]], .mixer_links, .mixer_candidates]' "$T/tr.json")" \
    "$(jq -c '[[.ends[] | [.address, .kind, .amount]], .mixer_links, .mixer_candidates]' "$T/cli.json")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$U/trace?from=$TX&through_mixer=yes")
check_eq "through_mixer=yes: 400" "$code" 400
finish
