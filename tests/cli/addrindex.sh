#!/usr/bin/env bash
# `chainwatch addrindex` and `check`'s hook: the address-history index is built, appended to after
# more blocks, left alone when up to date, and verified by `check` (exit 0 and "ok"; "not built"
# without one; exit 4 naming the address when an entry is changed). Pages through the CLI (which
# walks) and the index agree: test_addrhist and test_address_page compare them in depth.
source "$(dirname "$0")/../lib/cli.sh"
"$CW_BIN" gen --out "$T/w" --txs 3000 --seed 3 --scenario "$CW_SOURCE_DIR/data/scenarios/quick-heist.json" --quiet > /dev/null
H=$("$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest --to 100 --quiet > /dev/null && echo ok)
check_eq "first half ingested" "$H" ok
check_eq "check without an index" "$("$CW_BIN" check --store "$T/s" --json | jq -r .address_index)" "not built"
"$CW_BIN" addrindex --store "$T/s" --json > "$T/b1.json"
check_eq "first build" "$(jq -c '[.outputs_before, .rebuilt, .up_to_date]' "$T/b1.json")" "[0,false,false]"
check_eq "cards written (fewer than 4294967295 outputs), no note" "$(jq -c '[.cards, .cards_note]' "$T/b1.json")" "[true,null]"
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest --quiet > /dev/null
"$CW_BIN" addrindex --store "$T/s" --json > "$T/b2.json"
check_eq "second build appends from the first's outputs" "$(jq .outputs_before "$T/b2.json")" "$(jq .outputs "$T/b1.json")"
check_eq "third build: up to date" "$("$CW_BIN" addrindex --store "$T/s" --json | jq .up_to_date)" true
check_eq "one generation left" "$(cd "$T/s" && ls -d addrhist.[0-9]*)" addrhist.2
out=$("$CW_BIN" check --store "$T/s")
check "check passes with the index" [ $? -eq 0 ]
check_eq "check says the index is ok" "$(echo "$out" | grep -c 'address-history index: ok')" 1
# change entry 10's output id: check exits 4 and names the address
printf '\x7f' | dd of="$T/s/addrhist.2/ent.col" bs=1 seek=$((64 + 8 * 10 + 2)) conv=notrunc status=none
rc=0
out=$("$CW_BIN" check --store "$T/s") || rc=$?
check_eq "check exits 4 on a changed entry" "$rc" 4
check_eq "and names the address" "$(echo "$out" | grep -c 'the entries of address id')" 2
finish
