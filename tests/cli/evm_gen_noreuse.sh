#!/usr/bin/env bash
# gen evm's no-reuse world (cash_out "no_reuse", data/scenarios/evm-noreuse.json; docs/GEN.md):
# the thief never reuses an endpoint after the mixer. Checked on the truth files of a small
# world: every mixer withdrawal is relayed (no thief pays its gas), every deposit address that a
# withdrawal recipient pays receives exactly one cash-out and no other heist address pays it,
# those addresses are listed as used_once in heists.json, and direct funds never use them.
source "$(dirname "$0")/../lib/cli.sh"
SRC=${CW_SOURCE_DIR:-$(dirname "$0")/../..}
jq '.heists[0].steps[3].relayer = 1.0 | .heists[0].steps[5].no_reuse = true' \
    "$SRC/data/scenarios/evm-quick-heist.json" > "$T/sc.json"
"$CW_BIN" gen evm --out "$T/w" --txs 15000 --seed 3 --scenario "$T/sc.json" --quiet > /dev/null
check "truth agrees with the CSVs (gen_check.py)" /usr/bin/python3 "$SRC/tests/evm/gen_check.py" "$T/w"
out=$(/usr/bin/python3 - "$T/w/truth" <<'PY'
import csv, json, sys
d = sys.argv[1]
links = [r for r in csv.DictReader(open(d + "/mixer_links.csv")) if r["heist"]]
rec = {r["recipient"] for r in links}
unrelayed = sum(1 for r in links if not r["relayer"])
cash = list(csv.DictReader(open(d + "/cash_outs.csv")))
once = {x["address"] for h in json.load(open(d + "/heists.json")) for x in h["deposit_addresses"] if x.get("used_once")}
mixed_deps = [c["deposit_address"] for c in cash if c["from_address"] in rec]
by_dep = {}
for c in cash:
    by_dep.setdefault(c["deposit_address"], []).append(c["from_address"])
reused = sum(1 for dep in mixed_deps if len(by_dep[dep]) != 1)
print(len(links), unrelayed, len(mixed_deps), reused, int(set(mixed_deps) == once),
      sum(1 for c in cash if c["from_address"] not in rec and c["deposit_address"] in once))
PY
)
read -r n_links unrelayed n_mixed reused listed direct_on_once <<< "$out"
check "the heist's notes were withdrawn ($n_links)" test "$n_links" -gt 0
check_eq "every withdrawal relayed" "$unrelayed" 0
check "withdrawal recipients cashed out ($n_mixed deposits)" test "$n_mixed" -gt 0
check_eq "each of their deposit addresses received exactly one cash-out" "$reused" 0
check_eq "heists.json lists exactly those as used_once" "$listed" 1
check_eq "direct funds never paid them" "$direct_on_once" 0
finish
