#!/usr/bin/env bash
# cli_env.sh: one CHAINWATCH_* variable per database/store option, honoured by every command
# that takes the option (issue 14, Build 7): CHAINWATCH_DB (--db of node commands),
# CHAINWATCH_STORE (--store), CHAINWATCH_LABELS_DB (--labels, and --db of `labels`),
# CHAINWATCH_SUPPLY_DB (--supply-db, and --db of `supply`). A flag beats the variable; the old
# CW_DB and CW_SUPPLY_DB still work, with a deprecation note.
source "$(dirname "$0")/../lib/cli.sh"
W="$T/w" S="$T/s" L="$T/l.db" DB="$T/node.db"
"$CW_BIN" gen --out "$W" --txs 11000 --seed 3 --quiet > /dev/null
"$CW_BIN" ingest btc --blocks "$W/blocks" --store "$S" --network regtest > /dev/null 2>&1
"$CW_BIN" labels import gen-truth "$W/truth/addresses.csv" --db "$L" --quiet > /dev/null
"$CW_BIN" node init --db "$DB" --name USA > /dev/null
"$CW_BIN" alerts raise --db "$DB" --kind test --title "env test" > /dev/null
TXID=$(awk -F, '$4=="theft" {print $2; exit}' "$W/truth/thief_txs.csv")
OP=$(jq -r '.[0].stolen_outputs[0].outpoint' "$W/truth/heists.json")

check_eq "CHAINWATCH_STORE: tx" "$(CHAINWATCH_STORE=$S "$CW_BIN" tx "$TXID" --json | jq -r .txid)" "$TXID"
check_eq "CHAINWATCH_DB: alerts list" "$(CHAINWATCH_DB=$DB "$CW_BIN" alerts list --json | jq -r '.alerts[0].title')" "env test"
check_eq "CHAINWATCH_DB: node show" "$(CHAINWATCH_DB=$DB "$CW_BIN" node show --json | jq -r .name)" "USA"
check_eq "CHAINWATCH_LABELS_DB: labels count" \
    "$(CHAINWATCH_LABELS_DB=$L "$CW_BIN" labels count --json | jq -r '.labels > 0')" true
# trace used to ignore the label variable: with it, the stolen value ends at labelled entities
with=$(CHAINWATCH_STORE=$S CHAINWATCH_LABELS_DB=$L "$CW_BIN" trace --from "$OP" --model fifo --json | jq '.by_entity | length')
without=$(CHAINWATCH_STORE=$S "$CW_BIN" trace --from "$OP" --model fifo --json | jq '.by_entity | length')
check "CHAINWATCH_LABELS_DB: trace names entities ($with with the variable, $without without)" test "$with" -gt "$without"
# a flag beats the variable
check_eq "--db beats CHAINWATCH_DB" \
    "$(CHAINWATCH_DB=$T/absent.db "$CW_BIN" alerts list --db "$DB" --json | jq -r '.alerts | length')" 1
# the old names still work, with a note
out=$(CW_DB=$DB "$CW_BIN" alerts list --json 2> "$T/err" | jq -r '.alerts | length')
check_eq "CW_DB still works" "$out" 1
check "... with a deprecation note naming CHAINWATCH_DB" grep -q "CW_DB is deprecated, use CHAINWATCH_DB" "$T/err"
check "the variables are documented in README" grep -q "CHAINWATCH_LABELS_DB" "$CW_SOURCE_DIR/README.md"
finish
