#!/usr/bin/env bash
# share_taxii2_client.sh: the OASIS taxii2-client (../shared/tools/taxii2-client, run with
# Debian's python3-requests/six/tz) runs a scripted session against `chainwatch serve`
# (tests/share/taxii2_client_session.py): discovery, collections, as_pages paging, get_object,
# manifest, versions, add_objects and status, with TokenAuth and with Bearer. Every object it
# received is then checked by the OASIS STIX validator (../shared/tools/stix2-validator,
# default options) and by the OASIS JSON schemas through ajv. Skips when the tools are absent.
set -euo pipefail
BIN=${CW_BIN:?CW_BIN not set}
TOOLS="$CW_SOURCE_DIR/../shared/tools"
[ -d "$TOOLS/taxii2-client/taxii2client" ] || { echo "SKIP: $TOOLS/taxii2-client not found"; exit 77; }
/usr/bin/python3 -c 'import requests, six, pytz' 2>/dev/null ||
    { echo "SKIP: python3-requests python3-six python3-tz not installed (scripts/bootstrap.sh)"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
T=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }; rm -rf "$T"; }
trap cleanup EXIT
DB="$T/n.db"
"$BIN" node init --db "$DB" --name USA >/dev/null
N=$("$BIN" keys add analyst1 --role analyst --db "$DB")
P=$("$BIN" keys add peer-kor --role peer --org KOR --db "$DB")
for tlp in clear green amber; do
    share=(); [[ $tlp == amber* ]] && share=(--share-to KOR)
    "$BIN" alerts raise --db "$DB" --title "chain $tlp" --kind sanctioned-address-active --tlp "$tlp" "${share[@]}" \
        --evidence '{"addresses":["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"],"value_sat":5000000000}' >/dev/null
done
"$BIN" alerts raise --db "$DB" --title "supply" --kind supply-risk-change --source supply --tlp green \
    --evidence '{"commodity":"lithium","country":"CHN","risk_level":4}' >/dev/null
"$BIN" alerts raise --db "$DB" --title "not for KOR" --kind k --tlp amber --share-to JPN >/dev/null
"$BIN" alerts raise --db "$DB" --title "red" --kind k --tlp red >/dev/null
"$BIN" serve --db "$DB" --listen 127.0.0.1:0 --ready-file "$T/ready" 2>"$T/log" &
PID=$!
for _ in $(seq 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
[ -s "$T/ready" ] || { cat "$T/log"; exit 1; }
# What KOR may see, counted independently of the server: every stored object but those
# marked RED or AMBER for another audience (and no AMBER+STRICT here).
EXPECTED=$(sqlite3 "$DB" "SELECT count(*) FROM stix_objects WHERE tlp <= 1 OR (tlp = 2 AND (',' || share_to || ',') LIKE '%,KOR,%')")
PYTHONPATH="$TOOLS/taxii2-client" /usr/bin/python3 "$CW_SOURCE_DIR/tests/share/taxii2_client_session.py" \
    "http://$(cat "$T/ready")" "$P" "$N" "$EXPECTED" "$T/bundle.json"
# The OASIS STIX validator at its default options.
if /usr/bin/python3 -c 'import jsonschema, antlr4, dateutil, simplejson, colorama, appdirs, requests_cache' 2>/dev/null; then
    PYTHONPATH="$TOOLS/stix2-validator" /usr/bin/python3 "$TOOLS/stix2-validator/run.py" --no-cache "$T/bundle.json" > "$T/validator.txt" 2>&1 ||
        { cat "$T/validator.txt"; echo "FAIL stix2-validator"; exit 1; }
    echo "ok   stix2-validator: $(jq '.objects | length' "$T/bundle.json") objects valid"
else
    echo "FAIL stix2-validator: its Debian packages are missing (scripts/bootstrap.sh)"; exit 1
fi
SCHEMAS="${CW_SHARED_DATA:-}/stix2-json-schemas/schemas"
if [ -d "$SCHEMAS" ] && command -v node >/dev/null; then
    jq -c '.objects[]' "$T/bundle.json" > "$T/objects.jsonl"
    bash "$CW_SOURCE_DIR/scripts/web-build.sh" >/dev/null
    node "$CW_SOURCE_DIR/tests/share/stix_ajv.mjs" "$SCHEMAS" "$T/objects.jsonl"
fi
