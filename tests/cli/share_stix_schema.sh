#!/usr/bin/env bash
# share_stix_schema.sh: every STIX object a node emits (standing objects, and the objects
# published for chain alerts with addresses, supply alerts and plain alerts at each TLP level)
# validates against the official OASIS STIX 2.1 JSON schemas in
# $CW_SHARED_DATA/stix2-json-schemas, checked by an independent validator (Debian's
# python3-jsonschema, tests/unit/share/stix_validate.py). Skips when either is missing.
set -euo pipefail
BIN=${CW_BIN:?CW_BIN not set}
SCHEMAS="${CW_SHARED_DATA:-}/stix2-json-schemas/schemas"
[ -d "$SCHEMAS" ] || { echo "SKIP: $SCHEMAS not found (shared data absent)"; exit 77; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed"; exit 77; }
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
    { echo "SKIP: python3-jsonschema not installed (apt-get install python3-jsonschema)"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DB="$T/n.db"
"$BIN" node init --db "$DB" --name USA >/dev/null
for tlp in clear green amber amber+strict red; do
    share=(); [[ $tlp == amber* ]] && share=(--share-to KOR)
    "$BIN" alerts raise --db "$DB" --title "chain $tlp" --kind sanctioned-address-active --tlp "$tlp" "${share[@]}" \
        --evidence '{"addresses":["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa","bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"],"txids":[],"path":[{"hop":1}]}' >/dev/null
    "$BIN" alerts raise --db "$DB" --title "supply $tlp" --kind supply-risk-change --source supply --tlp "$tlp" "${share[@]}" \
        --evidence '{"commodity":"lithium","country":"CHN","risk_level":4,"series":[1.5,2.25]}' >/dev/null
done
"$BIN" alerts raise --db "$DB" --title "plain" --kind coinjoin-entry --tlp green >/dev/null
sqlite3 "$DB" "SELECT json FROM stix_objects" > "$T/objects.jsonl"
n=$(wc -l < "$T/objects.jsonl")
echo "$n objects emitted"
[ "$n" -ge 40 ] || { echo "FAIL: expected at least 40 objects"; exit 1; }
/usr/bin/python3 "$CW_SOURCE_DIR/tests/unit/share/stix_validate.py" "$SCHEMAS" "$T/objects.jsonl"
# and with npm's ajv (installed by scripts/web-build.sh from package-lock.json)
bash "$CW_SOURCE_DIR/scripts/web-build.sh"
node "$CW_SOURCE_DIR/tests/share/stix_ajv.mjs" "$SCHEMAS" "$T/objects.jsonl"
# and with the OASIS STIX validator at its default options (../shared/tools/stix2-validator)
TOOLS="$CW_SOURCE_DIR/../shared/tools/stix2-validator"
if [ -f "$TOOLS/run.py" ] && command -v jq >/dev/null &&
    /usr/bin/python3 -c 'import jsonschema, antlr4, dateutil, simplejson, colorama, appdirs, requests_cache' 2>/dev/null; then
    jq -s '{type: "bundle", id: "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", objects: .}' "$T/objects.jsonl" > "$T/bundle.json"
    PYTHONPATH="$TOOLS" /usr/bin/python3 "$TOOLS/run.py" --no-cache "$T/bundle.json" > "$T/validator.txt" 2>&1 ||
        { cat "$T/validator.txt"; echo "FAIL stix2-validator"; exit 1; }
    echo "stix2-validator: $n objects valid"
else
    echo "note: stix2-validator or its Debian packages absent (scripts/bootstrap.sh); skipped that check"
fi
