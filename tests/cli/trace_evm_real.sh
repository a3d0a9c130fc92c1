#!/usr/bin/env bash
# `chainwatch trace` on an EVM store built from real ethereum-etl exports (mainnet block
# 483920, ../shared/data/eth-etl-csv): the ERC-20 Transfer of tx 0x04cbcb…ab8 moved 100000 base
# units of token 0xf4eced…95dd to 0xac4df8…019a (token_transfers_483920.csv), and the receiver
# does not move them in the exported block: the trace must say exactly that, with the tx as
# the path. Bad input: an unknown tx exits 3, a malformed hash 2.
source "$(dirname "$0")/../lib/cli.sh"
need_shared eth-etl-csv/transactions_483920.csv
mkdir -p "$T/csv"
for k in blocks transactions receipts logs token_transfers; do
    ln -s "$SHARED/eth-etl-csv/${k}_483920.csv" "$T/csv/$k.csv"
done
"$CW_BIN" ingest evm --csv "$T/csv" --store "$T/s" --quiet > /dev/null
TX=0x04cbcb236043d8fb7839e07bbc7f5eed692fb2ca55d897f1101eac3e3ad4fab8
"$CW_BIN" trace --store "$T/s" --from $TX --json > "$T/t.json"
check_eq "one end" "$(jq '.ends | length' "$T/t.json")" 1
check_eq "held by the receiver" "$(jq -r '.ends[0] | [.kind, .address] | join(" ")' "$T/t.json")" \
    "held 0xac4df82fe37ea2187bc8c011a23d743b4f39019a"
check_eq "exact amount, token named" "$(jq -r '.ends[0] | [.amount, .asset.contract] | join(" ")' "$T/t.json")" \
    "100000 0xf4eced2f682ce333f96f2d8966c613ded8fc95dd"
check_eq "the tx is the evidence" "$(jq -r '.ends[0].path | join(",")' "$T/t.json")" "$TX"
check_eq "the fee is not traced (the source is the transfer)" "$(jq -r '.totals | length' "$T/t.json")" 1
for model in haircut poison; do
    check_eq "$model: same end" "$("$CW_BIN" trace --store "$T/s" --from $TX --model $model --json | jq -r '.ends[0].amount')" 100000
done
rc=0; "$CW_BIN" trace --store "$T/s" --from 0x$(printf '%064d' 7) > /dev/null 2>&1 || rc=$?
check_eq "unknown tx: exit 3" "$rc" 3
rc=0; "$CW_BIN" trace --store "$T/s" --from 0x1234 > /dev/null 2>&1 || rc=$?
check_eq "malformed hash: exit 2" "$rc" 2
rc=0; "$CW_BIN" trace --store "$T/s" --from $TX --model fast > /dev/null 2>&1 || rc=$?
check_eq "unknown model: exit 2" "$rc" 2
finish
