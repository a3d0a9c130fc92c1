#!/usr/bin/env bash
# alerts_triage.sh: an alert's assignee and history from the CLI (issue 14, Build 2):
# `alerts assign|note|history`, each change audited; bad arguments exit 2 and change nothing;
# `alerts raise --evidence-file` takes evidence larger than one command-line argument (a
# 200 KB trace graph, past the kernel's 128 KiB per argument) and stores it byte for byte.
source "$(dirname "$0")/../lib/cli.sh"
DB="$T/node.db"
"$CW_BIN" node init --db "$DB" --name USA > /dev/null
ID=$("$CW_BIN" alerts raise --db "$DB" --kind theft-address-receives --title "t" --json | jq .id)
"$CW_BIN" alerts assign "$ID" --to park --by lead --db "$DB" > /dev/null
"$CW_BIN" alerts note "$ID" --note "checked the deposit" --by park --db "$DB" > /dev/null
"$CW_BIN" alerts ack "$ID" --note "on it" --by park --db "$DB" > /dev/null
"$CW_BIN" alerts assign "$ID" --none --by park --db "$DB" > /dev/null
H=$("$CW_BIN" alerts history "$ID" --db "$DB" --json)
check_eq "the history, in order" "$(jq -c '[.history[] | [.author, .kind, .text]]' <<<"$H")" \
    '[["lead","assign","assigned to park"],["park","note","checked the deposit"],["park","status","acknowledged: on it"],["park","assign","unassigned"]]'
check_eq "unassigned at the end" "$("$CW_BIN" alerts show "$ID" --db "$DB" --json | jq -r .assignee)" null
check "the text listing names the note" bash -c '"$1" alerts history "$2" --db "$3" | grep -q "park .*note .*checked the deposit"' _ "$CW_BIN" "$ID" "$DB"
check_eq "audited: assign, note, assign" \
    "$("$CW_BIN" audit list --db "$DB" --json 2>/dev/null | jq -r '[.[] | select(.action | test("^alert\\.(assign|note)$")) | .action + " " + .detail] | join("; ")')" \
    "alert.assign assigned to park; alert.note note 2 (19 bytes); alert.assign unassigned"
"$CW_BIN" alerts assign "$ID" --to kim --by lead --db "$DB" > /dev/null
check_eq "--assignee filters the listing" "$("$CW_BIN" alerts list --db "$DB" --assignee kim --json | jq -c '[.alerts[].id]')" "[$ID]"
N0=$(jq '.history | length' <<<"$("$CW_BIN" alerts history "$ID" --db "$DB" --json)")
rc=0; "$CW_BIN" alerts assign "$ID" --db "$DB" 2>/dev/null || rc=$?
check_eq "assign without --to or --none exits 2" "$rc" 2
rc=0; "$CW_BIN" alerts note "$ID" --db "$DB" 2>/dev/null || rc=$?
check_eq "note without --note exits 2" "$rc" 2
rc=0; "$CW_BIN" alerts note 999 --note x --db "$DB" 2>/dev/null || rc=$?
check "a note on a missing alert fails" test "$rc" -ne 0
check_eq "nothing added by the refused commands" \
    "$(jq '.history | length' <<<"$("$CW_BIN" alerts history "$ID" --db "$DB" --json)")" "$N0"

# evidence through a file: a graph of 2,000 hops (about 200 KB)
jq -nc '{trace: {graph: [range(2000) | (tostring) as $s | {txid: ($s + ("0" * (64 - ($s | length)))),
    hop: ., inputs: [{outpoint: ($s + ":0"), traced: 1}], outputs: [{address: ("bcrt1q" + $s), traced: 1}]}]}}' > "$T/ev.json"
SIZE=$(wc -c < "$T/ev.json")
check "the evidence is larger than one argument may be" test "$SIZE" -gt 131072
EID=$("$CW_BIN" alerts raise --db "$DB" --kind stolen-funds-at-exchange --title big --evidence-file "$T/ev.json" --json | jq .id)
check_eq "stored as given" "$("$CW_BIN" alerts show "$EID" --db "$DB" --json | jq -cS .evidence | md5sum)" "$(jq -cS . "$T/ev.json" | md5sum)"
check_eq "from standard input too" \
    "$("$CW_BIN" alerts raise --db "$DB" --kind k --title small --evidence-file - --json <<<'{"a":1}' | jq .id | xargs -I{} "$CW_BIN" alerts show {} --db "$DB" --json | jq -c .evidence)" '{"a":1}'
rc=0; "$CW_BIN" alerts raise --db "$DB" --kind k --title x --evidence-file "$T/absent.json" 2>"$T/err" || rc=$?
check "a missing evidence file fails and names it" bash -c '[ "$1" -ne 0 ] && grep -q absent.json "$2"' _ "$rc" "$T/err"
finish
