#!/usr/bin/env bash
# gen evm's OTC desks (world.otc_desks, cash_out "otc"; docs/GEN.md), an honest look-alike for
# mixer convergence: desks that honest customers and honest mixer withdrawals' fresh recipients
# pay, and that sweep to their own exchange deposit addresses; the thief sells part of its direct
# funds to them. Checked on the truth files of a small world (the desks, the thief's payments to
# them and the heist's identity), then traced through the mixer: no honest withdrawal may be
# linked (before the convergence walk kept to accounts with their own history, a recipient paying
# a desk that held stolen funds was linked; docs/TRACE-MODELS.md worked example 12).
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
SEED=${EVM_OTC_SEED:-2}
GEN=${CW_GEN_BIN:-$CW_BIN} # the generator (another build may trace: to check an older trace)
jq '.world = ((.world // {}) + {"otc_desks": 2}) | .heists[0].steps[5].otc = 0.4' \
    "$SRC/data/scenarios/evm-quick-heist.json" > "$T/sc.json"
"$GEN" gen evm --out "$T/w" --txs 15000 --seed "$SEED" --scenario "$T/sc.json" --quiet > /dev/null
check "truth agrees with the CSVs (gen_check.py)" /usr/bin/python3 "$SRC/tests/evm/gen_check.py" "$T/w"
out=$(/usr/bin/python3 - "$T/w" <<'PY'
import csv, json, sys
w = sys.argv[1]; d = w + "/truth/"
ents = {r["entity_id"] for r in csv.DictReader(open(d + "entities.csv")) if r["category"] == "otc_desk"}
addrs = list(csv.DictReader(open(d + "addresses.csv")))
desks = {r["address"] for r in addrs if r["category"] == "otc_desk"}
desk_deps = {r["address"] for r in addrs if r["category"] == "exchange_deposit" and r["customer_id"] in ents}
otc = [f for f in csv.DictReader(open(d + "heist_flows.csv")) if f["kind"] == "otc"]
paid = sum(int(f["amount"]) for f in otc)
tot = json.load(open(d + "heists.json"))[0]["totals"]
honest_rec = {r["recipient"] for r in csv.DictReader(open(d + "mixer_links.csv")) if not r["heist"]}
to_desk = swept = 0
for t in csv.DictReader(open(w + "/transactions.csv")):
    if t["to_address"] in desks and t["from_address"] in honest_rec:
        to_desk += 1
    if t["from_address"] in desks and t["to_address"] in desk_deps:
        swept += 1
print(len(desks), len(otc), int(all(f["to_address"] in desks for f in otc)),
      int(str(paid) == tot.get("otc_paid_wei")), to_desk, swept)
PY
)
read -r n_desks n_otc to_desks paid_ok honest_pay swept <<< "$out"
check_eq "two desks" "$n_desks" 2
check "the thief paid the desks ($n_otc payments)" test "$n_otc" -gt 0
check_eq "every otc flow goes to a desk" "$to_desks" 1
check_eq "heists.json's otc_paid_wei is their sum" "$paid_ok" 1
check "honest mixer recipients paid the desks ($honest_pay)" test "$honest_pay" -gt 0
check "the desks swept to their own deposit addresses ($swept)" test "$swept" -gt 0
# traced as scripts/eval-evm.sh does: the label provider knows exchanges, mixers and the bridge
"$GEN" ingest evm --csv "$T/w" --store "$T/s" --chain ethereum --quiet > /dev/null
/usr/bin/python3 "$SRC/tests/diff/xchain_labels.py" "$T/w/truth/addresses.csv" > "$T/labels.csv"
"$CW_BIN" labels import csv "$T/labels.csv" --db "$T/labels.db" > /dev/null
args=()
for t in $(jq -r '.[0].drain_txs[]' "$T/w/truth/heists.json"); do args+=(--from "$t"); done
"$CW_BIN" trace --store "$T/s" --labels "$T/labels.db" "${args[@]}" --through-mixer --json > "$T/t.json"
res=$(/usr/bin/python3 - "$T/w/truth/mixer_links.csv" "$T/t.json" <<'PY'
import csv, json, sys
thief = {r["withdrawal_tx"] for r in csv.DictReader(open(sys.argv[1])) if r["heist"]}
links = json.load(open(sys.argv[2]))["mixer_links"]
print(len(links), sum(1 for l in links if l["withdrawal_tx"] not in thief))
PY
)
read -r n_links wrong <<< "$res"
check "mixer links found ($n_links)" test "$n_links" -gt 0
check_eq "no honest withdrawal linked" "$wrong" 0
# the text names each link's evidence, always beyond the anonymity set
"$CW_BIN" trace --store "$T/s" --labels "$T/labels.db" "${args[@]}" --through-mixer > "$T/t.txt"
n_text=$(sed -n '/^mixer withdrawals linked/,/^$/p' "$T/t.txt" | grep -c ' score ' || true)
n_ev=$(sed -n '/^mixer withdrawals linked/,/^$/p' "$T/t.txt" |
    grep -cE 'score [0-9.]+ \(anonymity_set, (gas_funding|convergence|only_tainted_notes)' || true)
check_eq "every link in the text ($n_text) names its evidence" "$n_ev" "$n_links"
finish
