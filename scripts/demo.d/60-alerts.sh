#!/usr/bin/env bash
# demo stage: the node and its alerts, raised by chainwatch's own rules: build the pattern
# flags and clusters over the store, open a case for each heist of the generated world (its
# stolen outputs, as an investigator would after the victim's report), and run the rules over
# the chain, the labels, the case and the supply data. Idempotent: alerts are deduplicated.
set -euo pipefail
DB="$OUT/node.db"
S="$OUT/store"
if [ ! -e "$DB" ]; then
    "$BIN" node init --db "$DB" --name USA > /dev/null
    rm -f "$OUT/dashboard-key.txt"
fi
"$BIN" patterns build --store "$S" > /dev/null
"$BIN" cluster build --store "$S" > /dev/null
jq '[.[] | {name: .name, from: [.stolen_outputs[].outpoint], severity: "critical", tlp: "amber", share_to: "KOR"}]' \
    "$OUT/world/truth/heists.json" > "$OUT/cases.json"
SUPPLY=()
[ -e "$OUT/supply/supply.db" ] && SUPPLY=(--supply-db "$OUT/supply/supply.db")
# --synthetic: the chain alerts are about the generated world, and say so in their titles and
# evidence (the dashboard, the API and the STIX objects shared with KOR carry both)
"$BIN" rules run --db "$DB" --store "$S" --labels "$OUT/labels.db" --cases "$OUT/cases.json" \
    --synthetic "${SUPPLY[@]}"
echo "-- alerts raised by the rules (chain alerts: on the SYNTHETIC world of stage 10, marked so):"
"$BIN" alerts list --db "$DB" --source chain > "$OUT/alerts-chain.txt"
head -12 "$OUT/alerts-chain.txt"
"$BIN" alerts list --db "$DB" > "$OUT/alerts.txt"
echo "-- all alerts (chain and supply): $OUT/alerts.txt"
