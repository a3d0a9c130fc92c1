#!/usr/bin/env bash
# OFAC's EVM addresses (issue 13): importing the published sdn_advanced.xml gives, per asset
# code (ETH, USDT, USDC, ARB, BSC, BNB, ETC ... as published), exactly the 0x addresses an
# independent reader finds in the same file (Python's bz2 + ElementTree, below); every
# mixed-case one passes its EIP-55 checksum (no checksum warning); and they are matched
# case-insensitively (the checksummed and the lower-case form name the same label).
source "$(dirname "$0")/../lib/cli.sh"
need_shared ofac-sdn-digital-currency/sdn_advanced.xml.bz2
X=$SHARED/ofac-sdn-digital-currency/sdn_advanced.xml.bz2
DB=$T/labels.db
"$CW_BIN" labels import ofac-xml "$X" --db "$DB" --json > "$T/imp.json" 2> "$T/warn.txt"
# independent count: (asset, lower-case address) pairs of 0x + 40 hex digits, per asset
/usr/bin/python3 - "$X" > "$T/want.txt" << 'PY'
import bz2, re, sys, collections
import xml.etree.ElementTree as ET
ns = None
types, pairs, mixed = {}, set(), 0
cur_type = None
for ev, el in ET.iterparse(bz2.open(sys.argv[1]), events=("start", "end")):
    tag = el.tag.rsplit("}", 1)[-1]
    if ev == "end" and tag == "FeatureType" and (el.text or "").startswith("Digital Currency Address - "):
        types[el.get("ID")] = el.text[len("Digital Currency Address - "):]
    elif ev == "start" and tag == "Feature":
        cur_type = types.get(el.get("FeatureTypeID"))
    elif ev == "end" and tag == "VersionDetail" and cur_type:
        a = (el.text or "").strip()
        if re.fullmatch(r"0x[0-9a-fA-F]{40}", a):
            pairs.add((cur_type, a.lower()))
            if re.search("[a-f]", a[2:]) and re.search("[A-F]", a[2:]):
                mixed += 1
    elif ev == "end" and tag == "Feature":
        cur_type = None
    if ev == "end" and tag in ("DistinctParty", "SanctionsEntry"):
        el.clear()
per = collections.Counter(t for t, _ in pairs)
for t in sorted(per):
    print(t, per[t])
print("distinct", len({a for _, a in pairs}))
print("mixed", mixed)
PY
"$CW_BIN" labels list --db "$DB" --source "OFAC SDN" --json > "$T/list.json"
got=$(jq -r '[.[] | select(.subject | test("^0x[0-9a-fA-F]{40}$")) | {asset, k: (.subject | ascii_downcase)}] | unique | group_by(.asset) | .[] | "\(.[0].asset) \(length)"' "$T/list.json" | LC_ALL=C sort)
want=$(grep -v -e '^distinct' -e '^mixed' "$T/want.txt" | LC_ALL=C sort)
echo "EVM addresses per asset:"; echo "$want"
check_eq "EVM addresses per asset equal the independent count" "$got" "$want"
check "the EVM assets include ETH, USDT, USDC, ARB, BSC and ETC" bash -c "for a in ETH USDT USDC ARB BSC ETC; do grep -q \"^\$a \" <<< '$want' || exit 1; done"
check_eq "distinct EVM addresses" "$(jq '[.[] | select(.subject | test("^0x[0-9a-fA-F]{40}$")) | .subject | ascii_downcase] | unique | length' "$T/list.json")" "$(sed -n 's/^distinct //p' "$T/want.txt")"
mixed=$(sed -n 's/^mixed //p' "$T/want.txt")
check "the checksum is tested: $mixed are published in mixed (EIP-55) case" test "$mixed" -gt 30
check_eq "no EIP-55 checksum warning: every mixed-case address matches its checksum" "$(grep -c 'EIP-55' "$T/warn.txt" || true)" 0
check_eq "checksummed and lower-case forms name the same label" \
    "$("$CW_BIN" labels show 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 --db "$DB" --json | jq -c '[.labels[].id]')" \
    "$("$CW_BIN" labels show 0x098b716b8aaf21512996dc57eb0615e2383e2f96 --db "$DB" --json | jq -c '[.labels[].id]')"
# a label CSV with a mistyped checksum is imported with a warning naming the line
printf 'address,entity,category,asset\n0x098b716B8Aaf21512996dC57EB0615e2383E2f96,typo,sanctioned,ETH\n' > "$T/typo.csv"
"$CW_BIN" labels import csv "$T/typo.csv" --db "$T/t.db" > /dev/null 2> "$T/typo.err"
check "a wrong checksum in a label file is warned about" grep -q 'EIP-55' "$T/typo.err"
finish
