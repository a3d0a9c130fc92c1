#!/usr/bin/env bash
# btc_alt6_world.sh: a seventh outside world (tests/diff/btc_alt6_world.py, issue 11: how Lazarus
# cashed stolen Bitcoin out in 2022-2025: custodial mixers, cross-chain vaults with memos,
# Lightning opens / cooperative and force closes with anchors and HTLC sweeps, JoinMarket sweeps,
# Wasabi 2 rounds, peel chains of 2-3 payments a hop, fan-in consolidations, the thief's reused
# address paid by an honest merchant's refund and a dusting probe, OTC payouts batched) at scale
# 0.02, written plain and as a Core 28 directory (XOR'd, 4 KiB raw zero tail). Guards what main
# gets right there: the stolen-value identity; both copies ingest to one store; every JoinMarket
# and Wasabi 2 round flagged as its kind, none of the services' or Lightning shapes called a
# CoinJoin, no cluster joins two owners; the forward FIFO trace finds the deposits (with probable),
# gives the victim nothing and no honest party certain stolen value; screening flags the stolen
# deposits and neither the thief's withdrawn coins (mixer / vault / OTC payouts), nor the honest
# customers paid beside them, nor the honest senders to the thief's reused address, nor the other
# recipients of the dusting probe, nor (stop 23: the traced coins' budget in many-output rounds,
# docs/TRACE-MODELS.md) any honest peer of the thief's CoinJoins (main ab01332: 5 of 309 flagged
# "probable" through the thief's Wasabi 2 round, where it brought a third of the value).
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
PY=/usr/bin/python3
GEN="$SRC/tests/diff/btc_alt6_world.py"
$PY "$GEN" --out "$T/w" --seed 6 --scale 0.02 > "$T/gen.txt" 2> /dev/null || { bad "generator failed"; finish; }
$PY "$GEN" --out "$T/x" --seed 6 --scale 0.02 --xor-key 0f1e2d3c4b5a6978 --zero-tail 4096 > /dev/null 2>&1 \
    || { bad "generator (Core 28 copy) failed"; finish; }
ok "generated: $(cat "$T/gen.txt")"
check_eq "the stolen-value identity holds" "$(jq '.[0].totals.identity_holds' "$T/w/truth/heists.json")" true
cmp -s "$T/w/truth/heists.json" "$T/x/truth/heists.json" && ok "the same world in both copies" || bad "copies differ"
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest > /dev/null 2>&1 || bad "ingest plain"
"$CW_BIN" ingest btc --blocks "$T/x/blocks" --store "$T/sx" --network regtest > /dev/null 2>&1 || bad "ingest Core 28"
check_eq "the Core 28 copy ingests to the same store" "$(store_digest "$T/sx")" "$(store_digest "$T/s")"
check_eq "every block and tx ingested (stale siblings skipped)" \
    "$("$CW_BIN" check --store "$T/s" --json 2> /dev/null | jq -c '[.checked.blocks, .checked.txs]')" \
    "$(jq -c '[.blocks, .txs]' "$T/w/truth/world.json")"
$PY "$SRC/scripts/eval_btc.py" --world "$T/w" --store "$T/s" --bin "$CW_BIN" --work "$T/e" --sample 200 \
    --cj-sample 40 --screen-sample 200 --out "$T/f.json" > "$T/report.txt" 2> "$T/log.txt" \
    || { cat "$T/log.txt" >&2; bad "eval_btc.py failed"; finish; }
F=$T/f.json
jqt() { jq -e "$1" "$F" > /dev/null; }
for k in joinmarket wasabi2; do
    check_eq "$k: every round flagged, nothing else" "$(jq -c "[.coinjoin.$k.recall, .coinjoin.$k.precision]" "$F")" "[1,1]"
done
check_eq "clusters: pairwise precision 1" "$(jq '.cluster.pairwise_precision' "$F")" 1
check_eq "no CoinJoin joins two owners in a cluster" "$(jq '.cluster.coinjoins_inputs_joined' "$F")" 0
check "FIFO: certain deposit precision >= 0.95" jqt '.trace.deposit_precision >= 0.95'
check "FIFO: deposit recall with probable >= 0.95" jqt '.trace.deposit_recall_all >= 0.95'
check "the victim exchange gets < 0.01 % of the heist" jqt '.trace.victim_share_max_all < 0.0001'
check "screening flags >= 90 % of stolen deposit addresses" jqt '.screen.stolen.flagged_share >= 0.9'
check "screening flags <= 2 % of clean deposit addresses" jqt '.screen.clean.flagged_share <= 0.02'
$PY "$SRC/tests/diff/btc_alt6_score.py" --world "$T/w" --store "$T/s" --bin "$CW_BIN" --work "$T/e" \
    --out "$T/a.json" > /dev/null 2> "$T/score.txt" || { cat "$T/score.txt" >&2; bad "btc_alt6_score.py failed"; finish; }
A=$T/a.json
jqa() { jq -e "$1" "$A" > /dev/null; }
fl() { jq --arg k "$1" --arg f "$2" '.flags_by_shape[$k][$f] // 0' "$A"; }
for k in ln_open ln_coop_close ln_force_close htlc_timeout ln_sweep mixer_deposit mixer_sweep mixer_payout \
    vault_inbound vault_outbound exchange_withdrawal exchange_sweep consolidation pool_payout; do
    check "$k: the shape is present" jqa ".flags_by_shape[\"$k\"].txs >= 3"
    check_eq "$k: none called a CoinJoin" "$(fl "$k" coinjoin)" 0
done
check_eq "no honest party gets certain stolen value" "$(jq '.honest_certain_sat' "$A")" 0
check_eq "no certain stolen value on coins a service paid the thief" \
    "$(jq '.trace_outputs_by_truth["coins a service paid the thief (withdrawals.csv)"].certain_sat // 0' "$A")" 0
for g in withdrawn_by_thief honest_in_the_same_payout honest_senders_to_the_thief dust_probe_other_recipients; do
    check "screening: $g present" jqa ".screen.$g.addresses >= 1"
    check_eq "screening: none of $g flagged" "$(jq ".screen.$g.flagged" "$A")" 0
done
# btcx: the thief's vault deposits end as bridge exits by their OP_RETURN swap memos, each with
# the memo's destination; nothing else ends as one (docs/TRACE-MODELS.md "Bitcoin: swap vault memos")
FROM=$(jq -r '[.[0].stolen_outputs[].outpoint] | map("--from " + .) | join(" ")' "$T/w/truth/heists.json")
# shellcheck disable=SC2086
"$CW_BIN" trace $FROM --store "$T/s" --labels "$T/e/investigator.db" --model fifo --direction forward --json > "$T/bx.json" 2> /dev/null || bad "trace for bridge exits"
VIN=$(awk -F, '$4 == "vault_inbound" { print $2 }' "$T/w/truth/thief_txs.csv" | sort)
check "the thief's vault deposits are there" test "$(echo "$VIN" | grep -c .)" -ge 1
check_eq "every thief vault deposit ends as a bridge exit, nothing else does" \
    "$(jq -r '.bridge_exits[].txid' "$T/bx.json" | sort -u | tr '\n' ' ')" "$(echo "$VIN" | tr '\n' ' ')"
check_eq "each bridge exit names the memo's destination, status other chain" \
    "$(jq '[.bridge_exits[] | select(. as $e | $e.address != "" and ($e.memo | contains($e.address)) and $e.status == "other chain")] | length' "$T/bx.json")" \
    "$(jq '.bridge_exits | length' "$T/bx.json")"
# xbtc: the same vault's Ethereum side (btc_alt6_world.py --evm-out, tests/diff/btc_evm_pair.py):
# trace --evm-store continues each thief vault deposit there: OUT:<txid> outbound = certain, a
# payment without memo = probable by the vault's rate and time, a REFUND:<txid> on Bitcoin ends
# it there, and the deposit whose memo names an honest person's address (never paid) is
# "requested, not seen": the honest person is named nowhere (docs/TRACE-MODELS.md "Cross-chain")
# seed 7: on seed 6 the Bitcoin trace no longer reaches the thief's no-memo vault deposit since
# the generator's JoinMarket mend (stop 23; main's trace neither: a Bitcoin recall miss, not the
# continuation's); seed 7 has every kind reached and the honest person's own swap of the amount
# the thief's deposit asks (the trap for the probable rule). xbtc3: --refund-redeposit, the thief
# swaps what is left of its laundered refund in the vault again, once alone and once mixed with
# one of the heist's own coins (rounds 2 and the once-guard, below)
paired() { # paired P SEED [FLAG...]: the paired world $T/P (its EVM side $T/Pe; FLAGs to the generator), its stores
    # $T/Ps and $T/Pes, labels $T/Pl.db, the trace from the stolen outputs continued ($T/Px.json, .txt)
    local p=$1 seed=$2 from
    shift 2
    $PY "$GEN" --out "$T/$p" --seed "$seed" --scale 0.02 --evm-out "$T/${p}e" "$@" > /dev/null 2>&1 || bad "paired generator ($p) failed"
    "$CW_BIN" ingest btc --blocks "$T/$p/blocks" --store "$T/${p}s" --network regtest > /dev/null 2>&1 || bad "ingest paired btc ($p)"
    "$CW_BIN" ingest evm --csv "$T/${p}e" --store "$T/${p}es" --chain ethereum > /dev/null 2>&1 || bad "ingest paired evm ($p)"
    $PY "$SRC/tests/diff/xchain_labels.py" "$T/${p}e/truth/addresses.csv" "$T/$p/truth/addresses.csv" > "$T/${p}l.csv"
    "$CW_BIN" labels import csv "$T/${p}l.csv" --db "$T/${p}l.db" > /dev/null 2>&1 || bad "paired labels ($p)"
    from=$(jq -r '[.[0].stolen_outputs[].outpoint] | map("--from " + .) | join(" ")' "$T/$p/truth/heists.json")
    # shellcheck disable=SC2086
    "$CW_BIN" trace $from --store "$T/${p}s" --labels "$T/${p}l.db" --evm-store "ethereum=$T/${p}es" --json > "$T/${p}x.json" 2> /dev/null || bad "trace --evm-store ($p)"
    # shellcheck disable=SC2086
    "$CW_BIN" trace $from --store "$T/${p}s" --labels "$T/${p}l.db" --evm-store "ethereum=$T/${p}es" > "$T/${p}x.txt" 2> /dev/null || bad "trace --evm-store ($p, text)"
}
paired p 7 --refund-redeposit
PFROM=$(jq -r '[.[0].stolen_outputs[].outpoint] | map("--from " + .) | join(" ")' "$T/p/truth/heists.json")
PX=$($PY - "$T/px.json" "$T/pe/truth" <<'PY'
import csv, json, sys
try:
    c = json.load(open(sys.argv[1]))["evm_continuations"][0]
except Exception:
    c = {"exits": [], "trace": None}
tr = {r["btc_txid"]: r for r in csv.DictReader(open(sys.argv[2] + "/payouts.csv"))}
hp = json.load(open(sys.argv[2] + "/pair.json"))["honest_person"]
want = {"out": "OUT memo", "nomemo": "amount and time", "refund": "refunded on Bitcoin", "unpaid": "requested, not seen"}
thief = sorted(t for t, r in tr.items() if r["thief"] == "1")
got = {x["deposit_txid"]: x for x in c["exits"]}
print("thief_kinds", len(set(tr[t]["kind"] for t in thief)))
print("thief_right", sum(1 for t in thief if t in got and got[t]["how"] == want[tr[t]["kind"]]), len(thief))
paid = [x for x in c["exits"] if x["payout"]]
print("payouts_true", sum(1 for x in paid if x["deposit_txid"] in tr and x["payout"]["tx"] == tr[x["deposit_txid"]]["evm_tx"]), len(paid))
print("certain_is_out", sum(1 for x in paid if x["certain"] == (tr.get(x["deposit_txid"], {}).get("kind") == "out")), len(paid))
ends = (c["trace"] or {}).get("ends", [])
print("honest_named", sum(1 for x in paid if x["payout"]["recipient"] == hp) + sum(1 for e in ends if e["address"] == hp))
print("refunds_true", sum(1 for x in c["exits"] if x["refund_txid"] and x["refund_txid"] == tr.get(x["deposit_txid"], {}).get("refund_txid")),
      sum(1 for x in c["exits"] if x["how"] == "refunded on Bitcoin"))
print("exchange_end", sum(1 for e in ends if e["kind"] == "exchange"))
PY
)
pxv() { echo "$PX" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }
check_eq "the paired world's thief deposits take all four kinds" "$(pxv thief_kinds)" 4
check "each thief vault deposit continued as its truth says (certain / probable / refund / not seen): $(pxv thief_right)" \
    test "$(pxv thief_right | awk '$1 == $2 && $2 >= 4 { print "y" }')" = y
check "every payout found is the vault's true payout for that deposit: $(pxv payouts_true)" \
    test "$(pxv payouts_true | awk '$1 == $2 && $2 >= 2 { print "y" }')" = y
check_eq "certain exactly where the outbound's memo names the deposit" "$(pxv certain_is_out | awk '{ print ($1 == $2) }')" 1
check_eq "the honest person the thief's memo names is named nowhere" "$(pxv honest_named)" 0
check "each refund found is the truth's REFUND: tx: $(pxv refunds_true)" test "$(pxv refunds_true | awk '$1 == $2 && $2 >= 1 { print "y" }')" = y
check "the EVM trace from the payouts reaches the exchange" test "$(pxv exchange_end)" -ge 1
check "text: CERTAIN, PROBABLE with its score, the refund, 'requested ... not seen'" \
    bash -c "grep -q 'CERTAIN (by OUT memo)' '$T/px.txt' && grep -q 'PROBABLE, score' '$T/px.txt' && grep -q 'refunded on Bitcoin by' '$T/px.txt' && grep -q 'requested by the memo, not seen' '$T/px.txt'"
# xbtc2: a refund is the thief's value again on Bitcoin: the trace goes on from the refund's
# output (certain: REFUND:<deposit txid> names it, the refund's one output not to the vault), and
# finds where the thief laundered it (btc_alt6_world.py's refund_laundering.csv: a move, then an
# exchange deposit and a remainder); each deposit is continued once (no loop back into the vault)
RX=$($PY - "$T/px.json" "$T/pe/truth" "$T/p/truth/refund_laundering.csv" <<'PY'
import csv, json, sys
try:
    c = json.load(open(sys.argv[1]))["evm_continuations"][0]
except Exception:
    c = {"exits": [], "refund_traces": []}
tr = {r["btc_txid"]: r for r in csv.DictReader(open(sys.argv[2] + "/payouts.csv"))}
ld = list(csv.DictReader(open(sys.argv[3])))
thief_ref = [t for t, r in tr.items() if r["thief"] == "1" and r["kind"] == "refund" and r["refund_txid"]]
got = {x["deposit_txid"]: x for x in c["exits"]}
print("refund_outputs", sum(1 for t in thief_ref if ((got.get(t) or {}).get("refund_output") or {}).get("outpoint") == tr[t]["refund_txid"] + ":0"
      and got[t]["refund_output"]["certain"] and got[t]["refund_output"]["followed"]), len(thief_ref))
ends = {}
for rt in c.get("refund_traces", []):
    for a in rt["trace"].get("by_address", []):
        ends[a["address"]] = ends.get(a["address"], 0) + a["value"]
dep = [r for r in ld if r["kind"] == "exchange_deposit"]
print("laundered_deposits", sum(1 for r in dep if ends.get(r["address"]) == int(r["value_sat"])), len(dep))
last = {}
for r in ld:
    last[r["deposit_txid"]] = r
rest = [r for r in last.values() if r["kind"] == "move"]
print("remainder_unspent", sum(1 for r in rest if ends.get(r["address"]) == int(r["value_sat"])), len(rest))
print("once", len(c["exits"]) == len({(x["deposit_txid"], (x["payout"] or {}).get("tx")) for x in c["exits"]}))
# xbtc3: the refund swapped in the vault again (step 3 alone, step 4 mixed with a heist coin)
srcs = (c.get("trace") or {}).get("sources") or []
def redep(step, rounds):
    rs = [r for r in ld if r["kind"] == "vault_deposit" and r["step"] == step]
    ok = 0
    for r in rs:
        xs = [x for x in c["exits"] if x["deposit_txid"] == r["txid"]]
        p = (xs[0]["payout"] or {}) if xs else {}
        ok += len(xs) == 1 and xs[0].get("rounds") == rounds and xs[0]["how"] == "OUT memo" and xs[0]["certain"] \
            and xs[0]["traced_sat"] == xs[0]["deposit_sat"] and p.get("traced_amount") == p.get("amount") \
            and p.get("tx") == tr[r["txid"]]["evm_tx"] and p.get("tx") in srcs
    return ok, len(rs)
print("redeposit_alone", *redep("3", [2]))
print("redeposit_mixed", *redep("4", [1, 2]))
def bridge(d):
    b = d.get("ended", {}).get("bridge", {})
    return b.get("value", 0), b.get("probable", 0)
whole = json.load(open(sys.argv[1]))
ends_b = [bridge(whole)] + [bridge(rt["trace"]) for rt in c.get("refund_traces", [])]
first = {}
for x in c["exits"]:
    first.setdefault(x["deposit_txid"], x)
print("amounts_add_up", sum(x["traced_sat"] for x in first.values()) == sum(v for v, _ in ends_b) > 0
      and sum(x["traced_probable_sat"] for x in first.values()) == sum(p for _, p in ends_b))
PY
)
rxv() { echo "$RX" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }
check "each thief refund's output found, certain, and followed: $(rxv refund_outputs)" \
    test "$(rxv refund_outputs | awk '$1 == $2 && $2 >= 1 { print "y" }')" = y
check "the refund laundered on: each exchange deposit found at its value: $(rxv laundered_deposits)" \
    test "$(rxv laundered_deposits | awk '$1 == $2 && $2 >= 1 { print "y" }')" = y
# (xbtc3: with --refund-redeposit the remainder is swapped again, checked below: none is held)
check "... and any remainder held at its value: $(rxv remainder_unspent)" \
    test "$(rxv remainder_unspent | awk '$1 == $2 { print "y" }')" = y
check_eq "each deposit continued once" "$(rxv once)" True
# xbtc3: round 2 reaches the vault: the deposit of the refund alone is continued in round 2 (certain,
# its payout the truth's, the EVM trace sourcing it); the deposit mixing the refund with a heist
# coin, which both rounds reach, is listed once with rounds [1,2] and all its value traced (round
# 1's heist part + round 2's refund part, not round 1's only); the exits' traced value is, to the
# satoshi, what the first trace and the refunds' traces end at the vault (main: 0.47843912 BTC
# short, the mixed deposit's round-2 part dropped by the once-guard)
check "the refund swapped back alone: continued in round 2, certain, the truth's payout, traced on: $(rxv redeposit_alone)" \
    test "$(rxv redeposit_alone | awk '$1 == $2 && $2 >= 1 { print "y" }')" = y
check "the refund swapped back with a heist coin: listed once, rounds [1,2], all of it traced: $(rxv redeposit_mixed)" \
    test "$(rxv redeposit_mixed | awk '$1 == $2 && $2 >= 1 { print "y" }')" = y
check_eq "the exits' traced value = the vault ends of every round's Bitcoin trace (sat, and probable)" "$(rxv amounts_add_up)" True
RD3=$(awk -F, '$9 == "vault_deposit" && $3 == 3 { print $4 }' "$T/p/truth/refund_laundering.csv")
RD4=$(awk -F, '$9 == "vault_deposit" && $3 == 4 { print $4 }' "$T/p/truth/refund_laundering.csv")
check "text: the mixed deposit all traced, the refund's own one reached by a refund followed" \
    bash -c "grep -E -q 'deposit $RD4 at [^ ]+: ([0-9.]+) BTC traced of \\1 BTC' '$T/px.txt' && grep -q 'deposit $RD3 at .*(reached by a refund followed: round 2 [0-9.]* BTC)' '$T/px.txt'"
# xround: each round and its value (by_round), round 2 certain here (the refund's output certain)
rounds_txt() { # the text's rounds of deposit $2 in trace document $1: "round 1 X BTC, round 2 Y BTC[, PROBABLE Z BTC]"
    $PY -c 'import json, sys
b = lambda v: "%d.%08d" % divmod(v, 10**8)
x = [x for x in json.load(open(sys.argv[1]))["evm_continuations"][0]["exits"] if x["deposit_txid"] == sys.argv[2]]
print(", ".join("round %d %s BTC" % (r["round"], b(r["traced_sat"])) + (", PROBABLE %s BTC" % b(r["traced_probable_sat"]) if r["traced_probable_sat"] else "") for r in (x[0].get("by_round", []) if x else [])))' "$1" "$2" 2> /dev/null || true
}
RV4=$(rounds_txt "$T/px.json" "$RD4")
check "text: the mixed deposit says a refund followed reached it too, each round with its value: $RV4" \
    grep -q "deposit $RD4 at .*(also reached by a refund followed: $RV4)" "$T/px.txt"
check "text: the refund's output and the refunds' trace" \
    bash -c "grep -q 'the traced value is back at .*CERTAIN' '$T/px.txt' && grep -q 'refunds followed on Bitcoin (round 2' '$T/px.txt'"
# xround: a refund's output found by amount makes what its round traces probable. With
# --refund-fresh-change the vault pays part of a refund's change to a fresh address of its own
# (20-80 % of the deposit), so the refund has two outputs neither to the vault's known addresses nor
# above the deposit and its output is the one near the deposit (PROBABLE: by amount). Seed 5: round
# 2 swaps the refund's coin back alone (rounds [2]) and mixed with a heist coin round 1 reaches
# (rounds [1,2]). Each round-2 part is probable whole (the truth's refund part at the vault), round
# 1's part of the mixed deposit stays as the first trace judged it (not "the whole deposit
# probable"); main counted only what round 2's own trace judged probable: 0 of 2.61151748 BTC.
paired q 5 --refund-redeposit --refund-fresh-change
# pairdoc.py: what the paired world's checks below read (argv: the trace document, the EVM
# side's truth dir, refund_laundering.csv): whole, c (its continuation), tr, ld, got (an exit per deposit)
cat > "$T/pairdoc.py" <<'PY'
import csv, json, sys
try:
    whole = json.load(open(sys.argv[1]))
    c = whole["evm_continuations"][0]
except Exception:
    whole, c = {}, {"exits": [], "refund_traces": []}
tr = {r["btc_txid"]: r for r in csv.DictReader(open(sys.argv[2] + "/payouts.csv"))}
ld = list(csv.DictReader(open(sys.argv[3])))
got = {}
for x in c["exits"]:
    got.setdefault(x["deposit_txid"], x)
PY
QX=$(PYTHONPATH=$T $PY - "$T/qx.json" "$T/qe/truth" "$T/q/truth/refund_laundering.csv" <<'PY'
from pairdoc import *
ref = [t for t, r in tr.items() if r["thief"] == "1" and r["kind"] == "refund" and r["refund_txid"]]
print("refund_by_amount", sum(1 for t in ref if ((got.get(t) or {}).get("refund_output") or {}).get("outpoint") == tr[t]["refund_txid"] + ":0"
      and got[t]["refund_output"]["probable"] and "by amount" in got[t]["refund_output"]["by"] and got[t]["refund_output"]["followed"]), len(ref),
      sum(1 for rt in c.get("refund_traces", []) if rt["probable"]))
# the first trace's bridge ends per deposit: round 1's own judgement
r1 = {}
for e in whole.get("bridge_exits", []):
    a = r1.setdefault(e["txid"], [0, 0])
    a[0] += e.get("traced", e.get("value", 0)); a[1] += e.get("probable", 0)
rd = {r["txid"]: int(r["value_sat"]) for r in ld if r["kind"] == "vault_deposit"}
ok = n = mixed = 0
for t, part in rd.items():
    x = got.get(t)
    if not x:
        continue
    n += 1
    br = {r["round"]: r for r in x.get("by_round", [])}
    later = [r for k, r in br.items() if k >= 2]
    good = sum(r["traced_sat"] for r in later) == part and all(r["traced_probable_sat"] == r["traced_sat"] for r in later) \
        and sum(r["traced_sat"] for r in br.values()) == x["traced_sat"] and sum(r["traced_probable_sat"] for r in br.values()) == x["traced_probable_sat"]
    if 1 in br:
        mixed += 1
        good = good and [br[1]["traced_sat"], br[1]["traced_probable_sat"]] == r1.get(t) and x["traced_probable_sat"] < x["traced_sat"]
    ok += good
print("rounds_probable", ok, n, mixed)
def bridge(d):
    b = d.get("ended", {}).get("bridge", {})
    return b.get("value", 0), b.get("probable", 0)
want = bridge(whole)[1] + sum(bridge(rt["trace"])[0] if rt["probable"] else bridge(rt["trace"])[1] for rt in c.get("refund_traces", []))
print("probable_adds_up", sum(x["traced_probable_sat"] for x in got.values()) == want > 0)
paid = [t for t in rd if (got.get(t) or {}).get("payout")]
print("paid", " ".join(paid))
PY
)
qxv() { echo "$QX" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }
check "fresh change: the thief refund's output found by amount, PROBABLE, followed; its round probable: $(qxv refund_by_amount)" \
    test "$(qxv refund_by_amount | awk '$1 == $2 && $2 >= 1 && $3 >= 1 { print "y" }')" = y
check "fresh change: each deposit round 2 reached holds the refund's part (truth) all PROBABLE; round 1's part of the mixed one as the first trace judged it: $(qxv rounds_probable)" \
    test "$(qxv rounds_probable | awk '$1 == $2 && $2 >= 2 && $3 >= 1 { print "y" }')" = y
check_eq "fresh change: the exits' probable value = the first trace's probable vault ends + every probable round's vault ends" "$(qxv probable_adds_up)" True
QOK=0
for t in $(qxv paid); do
    RQ=$(rounds_txt "$T/qx.json" "$t")
    grep -q "deposit $t at .*reached by a refund followed: .*$RQ)" "$T/qx.txt" || QOK=1
    grep -A3 "deposit $t at " "$T/qx.txt" | grep -q 'part of it PROBABLE on Bitcoin' || QOK=1
done
check "fresh change text: each deposit round 2 reached names its rounds with their value and PROBABLE part, and its payout 'part of it PROBABLE on Bitcoin'" \
    test "$QOK.$(qxv paid | wc -w)" = "0.2"
# srcshare: the round's own trace carries its source's probable share (opts.source_probable):
# every output of its flow graph is PROBABLE whole, as its ends are (main: the graph said certain
# while the ends said probable: 6 of 6 outputs)
check_eq "fresh change: round 2's flow graph: each output it traces PROBABLE whole (outputs, not so)" \
    "$(jq -c '[.evm_continuations[0].refund_traces[] | select(.round == 2) | .trace.graph[].outputs[] | select(.traced > 0)] | [(length > 0), (map(select(.probable_traced != .traced)) | length)]' "$T/qx.json")" "[true,0]"
# xref2: two refunds followed in one round, one certain and one probable. With --refund-mixed the
# thief's refunded deposit has a sibling swapped beside it whose refund the vault pays back to the
# sender's own address (found by address: certain) while the first one's is found by amount
# (probable: the vault's fresh change); the thief launders each (a move, an exchange deposit) and
# swaps both rests in the vault together, the certain one's first. Seed 4: the joint deposit holds
# 0.11223429 BTC of the certain refund and 0.83914763 BTC of the probable one (seed 5, 1.20326953
# and 0.94731842 BTC, until stop 28: there the certain refund's deposit spends the thief's own
# cooperative-close change alone, which is probable since, docs/TRACE-MODELS.md "A Lightning
# channel's other side"; seeds 1, 4, 9 and 12 trace the same on both). Each source's share
# stays its own: the exits and the round's own Bitcoin ends (main before xref2, on seed 5: the
# round's ends as its joint trace judged them, all certain, under a round-wide PROBABLE:
# 6.06286408 BTC at an exchange from the refund found by amount read "probable 0").
paired r 4 --refund-mixed
RM=$(PYTHONPATH=$T $PY - "$T/rx.json" "$T/re/truth" "$T/r/truth/refund_laundering.csv" <<'PY'
from pairdoc import *
ref = {t: r["refund_txid"] for t, r in tr.items() if r["thief"] == "1" and r["kind"] == "refund" and r["refund_txid"]}
# which refund is certain: its output pays an address the deposit spends from (the truth's own txs)
ro = {t: ((got.get(t) or {}).get("refund_output") or {}) for t in ref}
prob = {t: bool(o.get("probable")) for t, o in ro.items()}
rts = c.get("refund_traces", [])
r2 = [rt for rt in rts if rt["round"] == 2]
bs = {s["outpoint"]: s for s in (r2[0].get("by_source", []) if r2 else [])}
ok = sum(1 for t in ref if ro[t].get("outpoint") == ref[t] + ":0" and ro[t].get("followed")
         and (bs.get(ref[t] + ":0") or {}).get("deposit_txid") == t
         and (bs.get(ref[t] + ":0") or {}).get("probable_sat") == ((bs.get(ref[t] + ":0") or {}).get("value_sat") if prob[t] else 0))
print("sources", ok, len(ref), sum(prob.values()), len(r2[0]["sources"]) if r2 else 0)
want = {}
for r in ld:
    if r["kind"] == "vault_deposit":
        w = want.setdefault(r["txid"], [0, 0])
        w[prob.get(r["deposit_txid"], False)] += int(r["value_sat"])
good = 0
for t, (ce, pr) in want.items():
    br = [r for r in (got.get(t) or {}).get("by_round", []) if r["round"] == 2]
    good += len(br) == 1 and br[0]["traced_sat"] == ce + pr and br[0]["traced_probable_sat"] == pr and ce > 0 and pr > 0
print("joint", good, len(want))
ends = {}
for rt in r2:
    for a in rt["trace"].get("by_address", []):
        e = ends.setdefault(a["address"], [0, 0])
        e[0] += a["value"]; e[1] += a["probable"]
xd = [r for r in ld if r["kind"] == "exchange_deposit"]
print("ends", sum(1 for r in xd if ends.get(r["address"]) == [int(r["value_sat"]), int(r["value_sat"]) if prob.get(r["deposit_txid"]) else 0]),
      len(xd), sum(1 for r in xd if prob.get(r["deposit_txid"])))
def bridge(d):
    b = d.get("ended", {}).get("bridge", {})
    return b.get("value", 0), b.get("probable", 0)
# srcshare: the round's flow graph and paths read the sources' judgement (opts.source_probable):
# each laundering output of a refund (truth: txid:vout) PROBABLE whole when its refund is, certain
# when not, the joint deposit PROBABLE for the probable refund's part only (FIFO by position);
# each probable path's rule is probable-source and by_rule totals the sources' probable value
gr = {}
for rt in r2:
    for g in rt["trace"].get("graph", []):
        for o in g.get("outputs", []):
            gr[o["outpoint"]] = (o.get("traced", 0), o.get("probable_traced", 0))
gn = gg = 0
for r in ld:
    if r["deposit_txid"] not in ref:
        continue
    tv, pv = gr.get(r["txid"] + ":" + r["vout"], (0, -1))
    if r["kind"] == "vault_deposit":
        ce, pr = want.get(r["txid"], [0, 0])
        gn += 1; gg += tv == ce + pr and pv == pr
    else:
        gn += 1; gg += tv == int(r["value_sat"]) and pv == (tv if prob[r["deposit_txid"]] else 0)
print("graph", gg, gn)
rs = [p for rt in r2 for p in rt["trace"].get("paths", []) if p.get("probable", 0) > 0]
byr = sum(rt["trace"].get("probable", {}).get("by_rule", {}).get("probable-source", 0) for rt in r2)
print("rules", sum(1 for p in rs if p.get("rule") == "probable-source"), len(rs), int(byr == sum(s["probable_sat"] for s in bs.values()) > 0))
print("probable_adds_up", sum(x["traced_probable_sat"] for x in got.values()) == bridge(whole)[1] + sum(bridge(rt["trace"])[1] for rt in rts) > 0)
b = lambda v: "%d.%08d" % divmod(v, 10**8)
print("text_sources", " ".join("%s:0%s" % (ref[t], " (PROBABLE %s BTC)" % b(ro[t]["value_sat"]) if prob[t] else "") for t in sorted(ref, key=lambda t: [s for s in bs].index(ref[t] + ":0") if ref[t] + ":0" in bs else 0)))
PY
)
rmv() { echo "$RM" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }
check "mixed round: round 2 has both refunds' outputs as sources, the one by the sender's address certain, the one by amount probable whole: $(rmv sources)" \
    test "$(rmv sources | awk '$1 == $2 && $2 == 2 && $3 == 1 && $4 == 2 { print "y" }')" = y
check "mixed round: the joint deposit's round-2 part certain for the certain refund's value, PROBABLE for the other's, to the satoshi: $(rmv joint)" \
    test "$(rmv joint | awk '$1 == $2 && $2 >= 1 { print "y" }')" = y
check "mixed round: each exchange deposit the round reached is PROBABLE whole when its refund is, certain when not: $(rmv ends)" \
    test "$(rmv ends | awk '$1 == $2 && $2 >= 2 && $3 >= 1 && $3 < $2 { print "y" }')" = y
check_eq "mixed round: the exits' probable value = the probable vault ends of every round's Bitcoin trace" "$(rmv probable_adds_up)" True
check "mixed round: the round's flow graph: each refund's laundering output PROBABLE whole when its refund is, certain when not; the joint deposit PROBABLE for the probable refund's part: $(rmv graph)" \
    test "$(rmv graph | awk '$1 == $2 && $2 >= 5 { print "y" }')" = y
check "mixed round: each probable path's rule probable-source, by_rule's probable-source = the sources' probable value: $(rmv rules)" \
    test "$(rmv rules | awk '$1 == $2 && $2 >= 1 && $3 == 1 { print "y" }')" = y
check "mixed round text: the sources, the probable one marked with its value, 'PROBABLE in part'" \
    grep -qF "refunds followed on Bitcoin (round 2, from $(rmv text_sources), " "$T/rx.txt"
check "mixed round text: ... and 'PROBABLE in part'" grep -q "BTC), PROBABLE in part (" "$T/rx.txt"
# xbtc2: the server's trace route continues the same way (GET /api/v1/trace?evm=1 on `serve
# --store BTC --evm-store EVM`): the CLI's document, its store named by directory
"$CW_BIN" node init --db "$T/node.db" --name USA > /dev/null
KEY=$("$CW_BIN" keys add analyst1 --role analyst --db "$T/node.db")
"$CW_BIN" serve --db "$T/node.db" --listen 127.0.0.1:0 --ready-file "$T/ready" --store "$T/ps" \
    --evm-store "$T/pes" --labels "$T/pl.db" 2> "$T/serve.log" &
SPID=$!
trap 'kill $SPID 2> /dev/null || true; wait $SPID 2> /dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
U="http://$(cat "$T/ready" 2> /dev/null)/api/v1"
SF=$(jq -r '[.[0].stolen_outputs[].outpoint] | join(",")' "$T/p/truth/heists.json")
code=$(curl -s -o "$T/sx.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" "$U/trace?from=$SF&evm=1&graph_limit=1000")
check_eq "GET trace?evm=1: 200" "$code" 200
norm='del(.. | .seconds?) | .evm_continuations | map(.store |= (split("/") | last))'
check_eq "... its evm_continuations are the CLI's (exits, refunds followed, the EVM trace)" \
    "$(jq -S -c "$norm" "$T/sx.json" | md5sum)" "$(jq -S -c "$norm" "$T/px.json" | md5sum)"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$U/chain/trace?from=$SF&evm=1&direction=backward")
check_eq "evm=1 on a backward trace: 400" "$code" 400
kill $SPID 2> /dev/null || true
wait $SPID 2> /dev/null || true
rc=0
# shellcheck disable=SC2086
"$CW_BIN" trace $PFROM --store "$T/ps" --evm-store "bsc=$T/pes" > /dev/null 2> "$T/px.err" || rc=$?
check_eq "--evm-store naming another chain than the store's: exit 2, both named" "$rc $(grep -c 'holds ethereum, not bsc' "$T/px.err")" "2 1"
# xbtc: a store ingested before memos.col (here: 111 blocks with no memo, the column removed)
# keeps memos only from the height a later writer created it: the trace says so
"$CW_BIN" ingest btc --blocks "$T/p/blocks" --store "$T/po" --network regtest --to 110 > /dev/null 2>&1 || bad "ingest to 110"
rm -f "$T/po/memos.col"
CB=$("$CW_BIN" block 5 --store "$T/po" --json 2> /dev/null | jq -r '.txids[0]')
check_eq "a store without memos.col: the trace says no memos are kept, and creates none" \
    "$("$CW_BIN" trace --from "$CB" --store "$T/po" --json 2> /dev/null | jq -c '.memos_kept | if . == null then "not said" else .from_height end'; test -e "$T/po/memos.col" && echo created)" null
"$CW_BIN" ingest btc --blocks "$T/p/blocks" --store "$T/po" --network regtest > /dev/null 2>&1 || bad "ingest the rest"
# shellcheck disable=SC2086
"$CW_BIN" trace $PFROM --store "$T/po" > "$T/po.txt" 2> /dev/null || bad "trace on the upgraded store"
check "memos.col created at height 111: the trace says memos are kept from height 111 only" grep -q 'swap memos kept from height 111 only' "$T/po.txt"
check "screening: honest peers of the thief's CoinJoins present" jqa ".screen.honest_peers_of_the_thief_coinjoins.addresses >= 100"
check_eq "screening: no honest peer of the thief's CoinJoins flagged" \
    "$(jq '.screen.honest_peers_of_the_thief_coinjoins.flagged' "$A")" 0
finish
