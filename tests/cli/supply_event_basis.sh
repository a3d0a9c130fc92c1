#!/usr/bin/env bash
# supply_event_basis.sh: one rule for an announced measure's weight (issue 16, Build 4, stop
# 17). Planted: China's graphite exports (HS 250410) to USA and JPN, steady, 2021-01..2026-12;
# world mine production 2024 / 2025e with China at 80 % (USGS MCS 2026 layout: published
# 2026-01, its 2024 figure first published in MCS 2025, 2025-01); USA import sources 2021-24
# with China at 20 % (first published in MCS 2026, 2026-01). The weight is the producer's share
# of world supply, else the partner's import share from it, each from the latest figure
# published by the announcement month; a figure published later never stands in (no
# look-ahead). The partner's dependence is named beside it: import share, else mirror flow.
source "$(dirname "$0")/../lib/cli.sh"
export CHAINWATCH_SUPPLY_DB="$T/supply.db"
awk 'BEGIN { print "period_dt,partner_name,hs6,val,qty,uv"; srand(11);
  for (i = 0; i < 72; i++) { y = 2021 + int(i / 12); m = i % 12 + 1; ym = sprintf("%04d-%02d", y, m);
    split("United States,Japan", P, ",");
    for (p = 1; p <= 2; p++) { v = 1e7 * exp(0.1 * (rand() - 0.5));
      printf "%s-01,%s,250410,%.0f,%.0f,2.0\n", ym, P[p], v, v / 2 } } }' > "$T/trade.csv"
U=https://pubs.usgs.gov/periodicals/mcs2026/mcs2026-graphite.pdf
cat > "$T/prod.csv" <<CSV
commodity,measure,unit,country,prod_2024,prod_2025e,reserves,raw_note,source_pdf,stored_copy
graphite_natural,mine production,t,China,800000,800000,,,$U,planted
graphite_natural,mine production,t,Mozambique,200000,200000,,,$U,planted
graphite_natural,mine production,t,World total (rounded),1000000,1000000,,,$U,planted
CSV
cat > "$T/imp.csv" <<CSV
commodity,category,period,country,share_pct,source_pdf
graphite_natural,all,2021-24,Canada,50,$U
graphite_natural,all,2021-24,China,20,$U
graphite_natural,all,2021-24,other,30,$U
CSV
cat > "$T/ev.csv" <<'CSV'
event_id,date_announced,date_effective,date_precision,commodity,hs6_scope,actor_country,affected_partner,event_type,description,verification,evidence
t_2023,2023-10,2023-12,month,graphite,250410,CN,all,export_control,"planted: before any share was published",test,test
t_2025,2025-03,2025-04,month,graphite,250410,CN,all,export_control,"planted: after MCS 2025, before MCS 2026",test,test
CSV
"$CW_BIN" supply load comtrade "$T/trade.csv" --reporter CHN --flow X > /dev/null
cp "$T/supply.db" "$T/noprod.db"
"$CW_BIN" supply load usgs "$T/prod.csv" > /dev/null
"$CW_BIN" supply load usgs "$T/imp.csv" > /dev/null
"$CW_BIN" supply load events "$T/ev.csv" > /dev/null
ev() { jq -c --arg id "$2" '[.events_last_12_months[] | select(.id == $id)][0]' "$1"; }
fired() { jq -e --arg r "$2" '[.fired[].rule] | index($r)' "$1" > /dev/null; }

# 2023-10: MCS 2025 (world production 2024) and MCS 2026 (import sources 2021-24) were not yet
# published; h-supply20 read the 2024 production share for JPN (flagged "later") and fired
# e_measure, and the 2021-24 import share for the USA (its first year, 2021, before 2023)
"$CW_BIN" supply explain graphite JPN --at 2023-10 --json > "$T/j23.json"
"$CW_BIN" supply explain graphite USA --at 2023-10 --json > "$T/u23.json"
check "JPN 2023-10: no share published by the announcement, so no e_measure" \
    bash -c "! jq -e '[.fired[].rule] | index(\"e_measure\")' '$T/j23.json' > /dev/null"
check_eq "JPN 2023-10: the event carries no share, and says which figure came later and when" \
    "$(ev "$T/j23.json" t_2023 | jq -r '[.actor_share, .actor_share_basis] | @tsv')" \
    "$(printf '\tno share published by 2023-10: the first, world production share 2024 (80.0 %%), was published 2025-01 (no look-ahead)')"
check_eq "JPN 2023-10: the dependence is China's mirror flow of the 12 months before" \
    "$(ev "$T/j23.json" t_2023 | jq -r .partner_dependence | sed 's/of [0-9.]* M USD/of N M USD/')" \
    "mirror: CHN reports exports to JPN of N M USD, 2022-10..2023-09"
check_eq "USA 2023-10: no share (the 2021-24 import shares appeared in 2026-01)" \
    "$(ev "$T/u23.json" t_2023 | jq -r '.actor_share')" null
check_eq "USA 2023-10: the dependence names the import share, published later, not used" \
    "$(ev "$T/u23.json" t_2023 | jq -r .partner_dependence)" \
    "USA imports from CHN: 20 % (USGS MCS 2021-24, published 2026-01, after the announcement: named, not used)"
# stop 18: the standing exposure_share follows the same publication rule. In 2023-10 nothing was
# published (main read world production 2024 into JPN, flagged, and the USA's 2021-24 import
# shares as 2021): no exposure, s_exp50 does not fire, and the gap names the first figure
check_eq "the data-only level does not read events, nor a figure published later (none for both)" \
    "$(jq -r .level_data_only_name "$T/j23.json") $(jq -r .level_data_only_name "$T/u23.json")" "none none"
for P in j23 u23; do
    check_eq "$P: no exposure basis published by 2023-10, and the gap names the first that came" \
        "$(jq -r '[.data.exposure, (.data.gaps[] | select(startswith("exposure:")))] | @tsv' "$T/$P.json")" \
        "$(printf '\texposure: no figure published by 2023-10; the first, world production 2024 (CHN 80.0 %%), was published 2025-01 (no look-ahead)')"
done

# 2025-03: world production 2024 is published (MCS 2025, 2025-01): the weight is the producer's
# world share for every partner, the USA too (its 20 % import share is named, not the weight)
"$CW_BIN" supply explain graphite USA --at 2025-03 --json > "$T/u25.json"
"$CW_BIN" supply explain graphite JPN --at 2025-03 --json > "$T/j25.json"
for P in u25 j25; do
    check "$P: e_measure fires on China's 80 % of world production" fired "$T/$P.json" e_measure
    check_eq "$P: the weight and its basis, year and publication" \
        "$(ev "$T/$P.json" t_2025 | jq -r '[.actor_share, .actor_share_basis] | @tsv')" \
        "$(printf '0.8\tworld production share 2024 (USGS MCS, published 2025-01; mining stage)')"
done
check_eq "USA 2025-03: data-only stays interest (structural) while the event-informed level is alert" \
    "$(jq -r '.level_data_only_name + " " + .level_name' "$T/u25.json")" "interest alert"
check_eq "USA 2025-03: the exposure is world production 2024 (published 2025-01), not the 2021-24 import sources (2026-01)" \
    "$(jq -r '.data.exposure | [.basis, .period, .published, .top_supplier, .share] | @tsv' "$T/u25.json")" \
    "$(printf 'production concentration: world mine production (USGS MCS)\t2024\t2025-01\tCHN\t0.8')"
"$CW_BIN" supply explain graphite USA --at 2026-03 --json > "$T/u26.json"
check_eq "USA 2026-03: the partner's own import sources, once published, come first" \
    "$(jq -r '.data.exposure | [.basis, .period, .published, .top_supplier, .share] | @tsv' "$T/u26.json")" \
    "$(printf 'partner imports: USGS MCS U.S. import sources\t2021-24\t2026-01\tCAN\t0.5')"
# the production indicators follow the same rule: 2024's figures from 2025-01 (main: 2024-01)
"$CW_BIN" supply explain graphite JPN --at 2024-12 --json > "$T/j2412.json"
"$CW_BIN" supply explain graphite JPN --at 2025-01 --json > "$T/j2501.json"
check_eq "prod_hhi: none in 2024-12, 0.68 (0.8^2 + 0.2^2) from 2025-01" \
    "$(jq -c '[.indicators.prod_hhi]' "$T/j2412.json")$(jq -c '[(.indicators.prod_hhi * 1000 | round / 1000), .data.production.year]' "$T/j2501.json")" \
    '[null][0.68,2024]'
"$CW_BIN" supply explain graphite USA --at 2025-03 > "$T/u25.txt"
check "explain text: the partner's dependence on its own line" \
    grep -q "^      partner dependence: USA imports from CHN: 20 % (USGS MCS 2021-24, published 2026-01, after" "$T/u25.txt"

# a measure by a producer the partner's import sources do not list (Mozambique, 20 % of world
# production; the USA's 2021-24 sources: CAN, CHN, other): said so, not "no import share loaded"
cat > "$T/evmz.csv" <<'CSV'
event_id,date_announced,date_effective,date_precision,commodity,hs6_scope,actor_country,affected_partner,event_type,description,verification,evidence
t_mz,2025-03,2025-04,month,graphite,250410,MZ,all,export_control,"planted: a producer the USA does not list",test,test
CSV
"$CW_BIN" supply load events "$T/evmz.csv" > /dev/null
"$CW_BIN" supply explain graphite USA --at 2025-03 --json > "$T/mz.json"
check_eq "USA: the import sources are loaded and list no MOZ (published after the announcement)" \
    "$(ev "$T/mz.json" t_mz | jq -r .partner_dependence)" \
    "USA imports: USGS MCS 2021-24 (published 2026-01, after the announcement) lists no MOZ among its sources (top CAN 50 %); depends on world supply"

# no world production for the commodity: the partner's import share is the weight once it is
# published (2026-03), not before (2025-03)
export CHAINWATCH_SUPPLY_DB="$T/noprod.db"
sed 's/,20,/,60,/; s/,50,/,10,/' "$T/imp.csv" > "$T/imp60.csv"
"$CW_BIN" supply load usgs "$T/imp60.csv" > /dev/null
sed 's/^t_2025,2025-03,2025-04/t_2026,2026-03,2026-04/' "$T/ev.csv" > "$T/ev26.csv"
"$CW_BIN" supply load events "$T/ev26.csv" > /dev/null
"$CW_BIN" supply explain graphite USA --at 2026-03 --json > "$T/n26.json"
check_eq "no world share: the USA's import share (60 %) weighs the measure from its publication" \
    "$(ev "$T/n26.json" t_2026 | jq -r '[.actor_share, .actor_share_basis] | @tsv')" \
    "$(printf '0.6\tUSA import share 2021-24 (USGS MCS, published 2026-01); no world production share in the data')"
check "... and e_measure fires" fired "$T/n26.json" e_measure
"$CW_BIN" supply explain graphite USA --at 2023-12 --json > "$T/n23.json"
check_eq "... but not for the 2023 measure (published after it)" \
    "$(ev "$T/n23.json" t_2023 | jq -r '.actor_share')" null
finish
