#!/usr/bin/env bash
# btc_alt3_world.sh: chainwatch on a small world from the THIRD independent generator
# (tests/diff/btc_alt3_world.py, written from issue 11's text before reading the detectors or the
# other two generators): custodial mixers, exchanges as pass-through, THORChain-style memos, an
# instant exchanger, RBF and CPFP, consolidation before peeling, parallel and nested peel chains,
# Wasabi 2 rounds with remixes. It guards what main gets right there (the figures on 200k-tx worlds
# and what main misses: /work/notes/n19/btcalt3.md, scripts/eval_btc.py):
# * the world passes gen_check.py, and its Core 28 copy (xor.dat, a raw 4 KiB zero tail in every
#   blk file) ingests to the same store as the plain copy;
# * `patterns build` flags every Wasabi 2 round and nothing else as a CoinJoin (custodial mixer
#   sweeps and payouts, exchange batches, payroll, consolidations, memo txs are not CoinJoins);
# * the forward FIFO trace from each heist's stolen outputs gives no certain value to a clean
#   exchange deposit, to the victim, to a custodial mixer's payout, to an instant exchanger's or
#   a bridge's payout or to an exchange withdrawal (none is ever attributable to a depositor),
#   and finds certain value at most of the thieves' deposits before mixing;
# * no multi-input cluster holds two owners' inputs of a Wasabi 2 round.
. "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:?}
PY=/usr/bin/python3
if ! $PY -c "import bitcoin" 2>/dev/null; then
    echo "python3-bitcoinlib is missing: scripts/bootstrap.sh installs it"; exit 1
fi
W=$SRC/tests/diff/btc_alt3_world.py
$PY "$W" --out "$T/w" --seed 5 --scale 0.03 --max-file-size 1000000 > "$T/gen.txt" 2>&1
# the Core 28 copy is written while gen_check.py reads the plain one (both take seconds)
$PY "$W" --out "$T/x" --seed 5 --scale 0.03 --max-file-size 1000000 --xor-key 5be10c93a4d27f66 \
    --zero-tail 4096 --zero-tail-all > /dev/null 2>&1 &
gen_x=$!
check "the world passes gen_check.py (CheckBlock, every spend, the stolen-value identity)" \
    $PY "$SRC/tests/diff/gen_check.py" "$T/w"
wait $gen_x
check "the world spans several blk files" test "$(ls "$T/w/blocks"/blk*.dat | wc -l)" -ge 3
check "the XOR'd copy has xor.dat" test -s "$T/x/blocks/xor.dat"
check "the same seed writes the same blocks" cmp -s "$T/w/truth/txs.csv" "$T/x/truth/txs.csv"
"$CW_BIN" ingest btc --blocks "$T/w/blocks" --store "$T/s" --network regtest --quiet
"$CW_BIN" ingest btc --blocks "$T/x/blocks" --store "$T/sx" --network regtest --quiet
check_eq "the Core 28 copy ingests to the same store" "$(store_digest "$T/sx")" "$(store_digest "$T/s")"
check_eq "every block of the best chain ingested" \
    "$("$CW_BIN" block "$(jq -r .tip "$T/w/truth/world.json")" --store "$T/s" --json | jq .height)" \
    "$(jq .best_height "$T/w/truth/world.json")"
"$CW_BIN" patterns build --store "$T/s" --json > "$T/pb.json"
truth_count() { awk -F, -v k="$1" 'NR > 1 && $3 == k' "$T/w/truth/txs.csv" | wc -l; }
n=$(truth_count wasabi2)
check "the world has Wasabi 2 rounds" test "$n" -ge 10
check_eq "wasabi2: flagged as many txs as the truth holds" "$(jq '.counts.wasabi2 // 0' "$T/pb.json")" "$n"
check_eq "nothing else flagged as a CoinJoin" "$(jq '.counts.coinjoin // 0' "$T/pb.json")" "$n"
for k in mixer_sweep mixer_payout exchange_withdrawal payroll bridge_in; do
    check "the world has $k txs" test "$(truth_count $k)" -ge 3
done
"$CW_BIN" cluster build --store "$T/s" --json > /dev/null
# the investigator's labels: the truth less users and thieves (filtered first: most of the
# world's addresses are users' Wasabi 2 outputs)
awk -F, 'NR == 1 || ($5 != "user" && $5 != "thief")' "$T/w/truth/addresses.csv" > "$T/labels.csv"
"$CW_BIN" labels import gen-truth "$T/labels.csv" --db "$T/inv.db" --exclude individual,theft --quiet > /dev/null
for h in $(jq -r '.[].name' "$T/w/truth/heists.json"); do
    args=()
    for o in $(jq -r --arg h "$h" '.[] | select(.name == $h) | .stolen_outputs[].outpoint' "$T/w/truth/heists.json"); do
        args+=(--from "$o")
    done
    "$CW_BIN" trace "${args[@]}" --store "$T/s" --labels "$T/inv.db" --model fifo --direction forward \
        --graph 100000000 --top 5 --json > "$T/trace-$h.json"
done
# honest users' payments into an instant exchanger's order address and a bridge vault: traced
# from the payment's inputs, the value stops at the service (its later sweeps and payouts are the
# service's coins); main before stop 19 followed it through the hot wallet to other customers
svc_txs=$(awk -F, '($3 == "instant_order" || $3 == "bridge_in") && n++ < 8 {print $1}' "$T/w/truth/txs.csv")
check "the world has service deposits to trace" test -n "$svc_txs"
: > "$T/svc-kinds.txt"
for tx in $svc_txs; do
    args=()
    for o in $("$CW_BIN" tx "$tx" --store "$T/s" --json | jq -r '.inputs[] | "\(.prev_txid):\(.prev_vout)"'); do
        args+=(--from "$o")
    done
    "$CW_BIN" trace "${args[@]}" --store "$T/s" --labels "$T/inv.db" --graph 100000 --json |
        jq -r '.graph[].txid' | while read -r t; do
            awk -F, -v t="$t" '$1 == t {print $3}' "$T/w/truth/txs.csv"
        done >> "$T/svc-kinds.txt"
done
check "the traces reach the service deposits" grep -qxE 'instant_order|bridge_in' "$T/svc-kinds.txt"
check_eq "the value stops at the service: no sweep or payout of it followed" \
    "$(grep -cxE 'instant_sweep|instant_payout|bridge_out|bridge_swap' "$T/svc-kinds.txt")" 0
# the trace's certain value per kind of output, from the truth files alone
$PY - "$T" > "$T/trace.txt" << 'EOF'
import csv, json, os, sys
T = sys.argv[1]
tr = os.path.join(T, "w", "truth")
addr = {r["address"]: r for r in csv.DictReader(open(os.path.join(tr, "addresses.csv")))}
payout = {"%s:%s" % (r["txid"], r["vout"]) for r in csv.DictReader(open(os.path.join(tr, "mixer_payouts.csv")))}
kind = {r["txid"]: r["kind"] for r in csv.DictReader(open(os.path.join(tr, "txs.csv")))}
stolen_dep = clean_dep = victim = payouts = withdrawals = svc_payouts = 0
found = {}
heists = json.load(open(os.path.join(tr, "heists.json")))
for h in heists:
    d = json.load(open(os.path.join(T, "trace-%s.json" % h["name"])))
    true_dep = {x["outpoint"] for x in h["deposits"]}
    premix = {x["outpoint"] for x in h["deposits"] if x["step"] in ("peel_heist", "cash_out", "passthrough_deposit")}
    for tx in d.get("graph", []):
        for o in tx.get("outputs", []):
            t = (o.get("traced") or 0) - min(o.get("traced") or 0, o.get("probable_traced") or 0)
            if o.get("probable") or tx.get("probable") or t <= 0:
                continue
            a = addr.get(o.get("address"), {})
            if a.get("category") == "exchange_deposit":
                if o["outpoint"] in true_dep:
                    found[o["outpoint"]] = o["outpoint"] in premix
                else:
                    clean_dep += t
                if a.get("entity_name") == h["victim"]:
                    victim += t
            if o["outpoint"] in payout:
                payouts += t
            if kind.get(tx["txid"]) == "exchange_withdrawal":
                withdrawals += t
            if kind.get(tx["txid"]) in ("instant_payout", "bridge_out"):
                svc_payouts += t
    n_pre = sum(1 for h in heists for x in h["deposits"] if x["step"] in ("peel_heist", "cash_out", "passthrough_deposit"))
    stolen_dep = sum(1 for v in found.values() if v)
print("premix_deposits %d" % n_pre)
print("premix_found %d" % stolen_dep)
print("clean_deposit_sat %d" % clean_dep)
print("victim_sat %d" % victim)
print("mixer_payout_sat %d" % payouts)
print("withdrawal_sat %d" % withdrawals)
print("service_payout_sat %d" % svc_payouts)
EOF
val() { awk -v k="$1" '$1 == k {print $2}' "$T/trace.txt"; }
check "the heists deposit before mixing" test "$(val premix_deposits)" -ge 20
check "certain value at >= 95 % of the thieves' deposits before mixing" \
    test $(( $(val premix_found) * 100 )) -ge $(( $(val premix_deposits) * 95 ))
check_eq "no certain value at a clean exchange deposit" "$(val clean_deposit_sat)" 0
check_eq "no certain value at the victim" "$(val victim_sat)" 0
check_eq "no certain value on a custodial mixer's payout" "$(val mixer_payout_sat)" 0
check_eq "no certain value on an exchange's withdrawal" "$(val withdrawal_sat)" 0
# the default stops (cw_trace_opts_default_stops): an instant exchanger's or a bridge vault's
# payouts are the service's coins, not the thief's (main before stop 19 followed them)
check_eq "no certain value on an instant exchanger's or a bridge's payout" "$(val service_payout_sat)" 0
# clusters: the first input of the first 6 Wasabi 2 rounds; its cluster holds no other owner's input
$PY - "$T" > "$T/rounds.txt" << 'EOF'
import csv, os, sys
T = sys.argv[1]
tr = os.path.join(T, "w", "truth")
for r in csv.DictReader(open(os.path.join(tr, "coinjoins.csv"))):
    print(r["txid"])
EOF
mixed=0
for t in $(head -6 "$T/rounds.txt"); do
    ins=$("$CW_BIN" tx "$t" --store "$T/s" --json | jq -r '.inputs[].address')
    a0=${ins%%$'\n'*}  # the first line (not `echo | head`: head may close the pipe early, a SIGPIPE under pipefail)
    o0=$(awk -F, -v a="$a0" '$1 == a {print $3}' "$T/w/truth/addresses.csv")
    mem=$("$CW_BIN" cluster show "$a0" --store "$T/s" --limit 100000 --json | jq -r '.members[] | if type == "object" then .address else . end' 2>/dev/null)
    for a in $(comm -12 <(echo "$ins" | sort -u) <(echo "$mem" | sort -u)); do
        o=$(awk -F, -v a="$a" '$1 == a {print $3}' "$T/w/truth/addresses.csv")
        [ "$o" = "$o0" ] || mixed=$((mixed + 1))
    done
done
check_eq "no cluster holds two owners' inputs of a Wasabi 2 round" "$mixed" 0
finish
