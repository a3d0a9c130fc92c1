#!/usr/bin/env bash
# btc_alt10_world.sh: an eleventh outside world (tests/diff/btc_alt10_world.py, issue 11: honest
# transactions whose inputs belong to two or more people but which are no CoinJoins: dual-funded
# channel opens and splices, Bisq deposit txs, PayJoins with several receiver inputs, Stonewall
# X2, Liquid peg-ins and peg-outs; a Lazarus-style launderer selling on Bisq beside honest buyers,
# opening dual-funded channels with honest nodes, pegging in, peeling to exchanges) at scale 0.02.
# Asserted (what main gets right): the stolen-value identity; gen_check.py; the shapes present;
# every block and tx ingested; the forward FIFO trace's certain deposit precision >= 0.95 and
# recall >= 0.9, the victim < 1 %; no Bisq deposit, dual-funded open, PayJoin or splice flagged
# as a CoinJoin; screening flags >= 90 % of stolen and <= 2 % of clean deposit addresses, none of
# the honest inputs of Bisq deposits, PayJoins and Stonewalls, none of the honest buyers' inputs
# beside the thief, none of the nodes' balances at the close of the thief's channels.
# Asserted since stop 29 (flag joint_funding, docs/PATTERNS.md): every Bisq deposit and every
# dual-funded open or splice-in with a P2WSH shared output is flagged, and the thief's Bisq
# deposits join no honest buyer's cluster.
# KNOWN FAULTS of main aa2dc3be (printed, not counted; CW_ALT10_FAULTS=1 asserts them; figures in
# docs/GEN.md): the thief's input and an honest node's input share a cluster through a taproot
# (P2TR-funded) dual-funded open (told apart from a payment by nothing); the FIFO trace gives
# an honest node's change in the thief's dual-funded open certain stolen value (and so misses
# some of the thief's own later deposits), and goes on past an escrow's payout to the buyer
# (GEN.md: a payment to an honest party ends the trail); screening flags that change; pairwise
# cluster precision < 0.999.
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
PY=/usr/bin/python3
GEN="$SRC/tests/diff/btc_alt10_world.py"
fault() { # fault "description" command...: a known fault of main, asserted only with CW_ALT10_FAULTS=1
    local what=$1
    shift
    if [ "${CW_ALT10_FAULTS:-0}" = 1 ]; then
        check "$what" "$@"
    elif "$@"; then
        echo "note: KNOWN FAULT now holds: $what"
    else
        echo "KNOWN FAULT (not counted): $what"
    fi
}
$PY "$GEN" --out "$T/w" --seed 3 --scale 0.02 --xor-key 1c2d3e4f5a6b7c8d --zero-tail 4096 > "$T/gen.txt" 2> /dev/null \
    || { bad "generator failed"; finish; }
ok "generated: $(cat "$T/gen.txt")"
H=$T/w/truth/heists.json
check_eq "the stolen-value identity holds" "$(jq -c '[.[].totals.identity_holds]' "$H")" '[true]'
if $PY -c 'import bitcoin' 2> /dev/null; then
    check "the world passes gen_check.py (CheckBlock, every spend, the identity through multi-party txs)" \
        sh -c "$PY '$SRC/tests/diff/gen_check.py' '$T/w' > '$T/check.txt' 2>&1"
else
    echo "note: python3-bitcoinlib absent; gen_check.py skipped"
fi
MP=$T/w/truth/multiparty.csv
for k in bisq_deposit dual_fund_open payjoin splice_in stonewallx2; do
    check "multi-party kind $k present" grep -q ",$k," "$MP"
done
check "the thief sits in a Bisq deposit beside an honest buyer" \
    sh -c "awk -F, '\$3 == \"bisq_deposit\" && \$7 != \"\"' '$MP' | grep -q ."
check "the thief opens a dual-funded channel with an honest node" \
    sh -c "awk -F, '\$3 == \"dual_fund_open\" && \$7 != \"\"' '$MP' | grep -q ."
check "the thief pegs in to the federation" sh -c "jq -e '.[0].service_deposits | length >= 1' \"$H\" > /dev/null"
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest > /dev/null 2>&1 || bad "ingest"
check_eq "every block and tx ingested (stale siblings skipped)" \
    "$("$CW_BIN" check --store "$T/s" --json 2> /dev/null | jq -c '[.checked.blocks, .checked.txs]')" \
    "$(jq -c '[.blocks, .txs]' "$T/w/truth/world.json")"
$PY "$SRC/scripts/eval_btc.py" --world "$T/w" --store "$T/s" --bin "$CW_BIN" --work "$T/e" --sample 200 \
    --cj-sample 5 --screen-sample 0 --out "$T/f.json" > "$T/report.txt" 2> "$T/log.txt" \
    || { cat "$T/log.txt" >&2; bad "eval_btc.py failed"; finish; }
F=$T/f.json
jqt() { jq -e "$1" "$F" > /dev/null; }
check "certain deposit precision >= 0.95" jqt '.trace.per_heist[0] | .false <= 0.05 * (.found + .false)'
check "certain deposit recall >= 0.9" jqt '.trace.per_heist[0] | .found >= 0.9 * .true_deposits'
check "the victim exchange gets < 1 % of the heist" jqt '.trace.victim_share_max_all < 0.01'
check "screening flags >= 90 % of stolen deposit addresses" jqt '.screen.stolen.flagged_share >= 0.9'
check "screening flags <= 2 % of clean deposit addresses" jqt '.screen.clean.flagged_share <= 0.02'
$PY "$SRC/tests/diff/btc_alt10_score.py" --world "$T/w" --store "$T/s" --bin "$CW_BIN" --work "$T/e" --per-kind 40 \
    --per-group 40 --out "$T/a.json" > "$T/score.txt" 2> "$T/score.err" \
    || { cat "$T/score.err" >&2; bad "btc_alt10_score.py failed"; finish; }
A=$T/a.json
jqa() { jq -e "$1" "$A" > /dev/null; }
check_eq "no Bisq deposit, dual-funded open, PayJoin or splice flagged as a CoinJoin" \
    "$(jq '[.flags_by_kind | to_entries[] | select(.key | test("^(bisq_deposit|dual_fund_open|payjoin|splice_in)")) | .value.coinjoin_flagged] | add' "$A")" 0
for g in "honest inputs of bisq_deposit" "honest inputs of payjoin" "honest inputs of stonewallx2" \
    "group bisq_buyer_input (thief's trade)" "group ln_node_close (thief's channel)"; do
    check "screening: $g present" jqa ".screen[\"$g\"].screened >= 1"
    check_eq "screening: none of $g flagged" "$(jq ".screen[\"$g\"].flagged" "$A")" 0
done
# joint funding (stop 29, docs/PATTERNS.md "Joint funding"): every Bisq deposit, and every
# dual-funded open and splice-in whose shared output is P2WSH, is flagged joint_funding, and
# clustering leaves its owners apart; a P2TR funding output is one key on chain (told apart
# from a payment by nothing), so the thief's taproot-funded opens still join (printed below)
jf_kinds() { # kind [p2wsh]: "flagged of checked" over the kind's txs (with a P2WSH output only)
    local n=0 f=0 t j
    for t in $(awk -F, -v k="$1" '$3 == k { print $1 }' "$MP"); do
        j=$("$CW_BIN" tx "$t" --store "$T/s" --json 2> /dev/null) || continue
        if [ "${2:-}" = p2wsh ] && ! jq -e '[.outputs[] | select(.type == "p2wsh")] | length == 1' <<< "$j" > /dev/null; then
            continue
        fi
        n=$((n + 1))
        jq -e '.flags | index("joint_funding")' <<< "$j" > /dev/null && f=$((f + 1))
    done
    echo "$f of $n"
}
for k in "bisq_deposit" "dual_fund_open p2wsh" "splice_in p2wsh"; do
    r=$(jf_kinds $k)
    check "joint_funding on every $k ($r)" sh -c "[ '${r%% of *}' = '${r##* of }' ] && [ '${r##* of }' -gt 0 ]"
done
check "bisq_deposit (thief): the thief's input and the honest buyer's share no cluster ($(jq -r \
    '.cluster_joins["bisq_deposit (thief)"] | "\(.joined) of \(.checked) joined"' "$A"))" \
    jqa '.cluster_joins["bisq_deposit (thief)"].joined == 0 and .cluster_joins["bisq_deposit (thief)"].checked >= 1'
# ---- known faults of main (see the header)
fault "dual_fund_open (thief): the thief's input and the honest node's share no cluster ($(jq -r \
    '.cluster_joins["dual_fund_open (thief)"] | "\(.joined) of \(.checked) joined"' "$A"); P2TR-funded opens cannot be told apart)" \
    jqa '.cluster_joins["dual_fund_open (thief)"].joined == 0'
FALSE='[.trace[].honest_persons | to_entries[] | select(.key | test("false")) | .value]'
fault "the FIFO trace gives no honest output outside the thief's payments and their payouts certain value ($(jq -c \
    "$FALSE | map(.certain_sat) | add // 0" "$A") sat)" jqa "$FALSE | map(.persons_certain) | add // 0 | . == 0"
fault "the trace ends at the thief's payments into shared outputs: no certain value past their payouts ($(jq -c \
    '[.trace[].honest_persons["past a shared output'"'"'s payout (the buyer, the node spending on)"].persons_certain // 0] | add' \
    "$A") persons)" jqa '[.trace[].honest_persons["past a shared output'"'"'s payout (the buyer, the node spending on)"].persons_certain // 0] | add == 0'
fault "screening flags none of the nodes' change in the thief's dual-funded opens ($(jq -r \
    '.screen["group ln_node_change (thief'"'"'s channel)"] | "\(.flagged) of \(.screened)"' "$A"))" \
    jqa '.screen["group ln_node_change (thief'"'"'s channel)"].flagged == 0'
fault "pairwise cluster precision >= 0.999 ($(jq '.cluster.pairwise_precision' "$F"))" \
    jqt '.cluster.pairwise_precision >= 0.999'
fault "certain deposit recall >= 0.95 ($(jq -r '.trace.per_heist[0] | "\(.found) of \(.true_deposits)"' "$F"))" \
    jqt '.trace.per_heist[0] | .found >= 0.95 * .true_deposits'
sed 's/^/not asserted: /' "$T/score.txt"
finish
