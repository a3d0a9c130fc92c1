#!/usr/bin/env bash
# supply_real.sh: the real series of ../shared/data through the CLI (skipped when absent):
# the 2023 graphite controls in China's exports to KOR and JPN; explain's text for graphite (KOR,
# December 2023) and gallium (USA and JPN, August 2023) names the exposure basis, the HS lines,
# the units and the freshness; the backtest on the 15 calibration events; the four 2023-25
# events issue 16 names, with China's product-group exports loaded (seventh stop).
set -euo pipefail
BIN=${CW_BIN:?CW_BIN is not set}
D=${CW_SHARED_DATA:-../shared/data}
if [ ! -r "$D/china-cm-exports-comtrade/deep_dive_hs6_monthly.csv" ]; then
    echo "SKIPPED: $D/china-cm-exports-comtrade is absent"; exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export CHAINWATCH_SUPPLY_DB=$T/s.db
fail() { echo "FAIL: $*" >&2; exit 1; }

"$BIN" supply load comtrade "$D/china-cm-exports-comtrade/deep_dive_hs6_monthly.csv" \
    --reporter CHN --flow X | grep -q "0 rejected; committed" || fail "load deep_dive"
"$BIN" supply load usgs "$D/usgs-mcs2026-extract/world_production_mcs2026.csv" >/dev/null
"$BIN" supply load pinksheet "$D/worldbank-pink-sheet/selected_monthly_long.csv" >/dev/null
"$BIN" supply load prices "$D/lithium-carbonate-china-spot/lithium_carbonate_99.5_china_spot_daily.csv" \
    --series li2co3_cn_spot --unit CNY/t >/dev/null
set +e
"$BIN" supply load prices "$D/lithium-carbonate-china-spot/lithium_carbonate_99.5_china_spot_daily.csv" \
    --series li2co3_cn_spot >/dev/null 2>"$T/err"
rc=$?
set -e
[ $rc -ne 0 ] && grep -q "give --unit" "$T/err" || fail "missing --unit not reported"

# China's graphite exports before and after the December 2023 licensing: the front-loading to
# KOR (line z 4.5 on 380110) and the collapse to JPN (z -29.8 on 250410) pass the budgeted
# thresholds (4.08 and -7.22 since the seventh stop); JPN's November z (3.8) does not
"$BIN" supply explain graphite KOR --at 2023-11 --json | \
    jq -e '[.fired[].rule] | index("d_trade_up") != null' >/dev/null \
    || fail "graphite KOR 2023-11: no front-loading alert"
"$BIN" supply explain graphite JPN --at 2023-12 --json | \
    jq -e '[.fired[].rule] | index("d_trade_down") != null' >/dev/null \
    || fail "graphite JPN 2023-12: no collapse alert"
"$BIN" supply explain graphite JPN --at 2023-11 --json | \
    jq -e '[.fired[].rule] | index("d_trade_up") == null' >/dev/null \
    || fail "graphite JPN 2023-11: z 3.8 is under the budgeted threshold 4.08"
"$BIN" supply explain cobalt KOR --json 2>/dev/null | jq -e '.top_producer == "COD"' >/dev/null \
    || true # cobalt has no trade or price series here: explain says so (exit 3)

# stop 22: USGS DS140 lithium (annual, 1900-2021) loads whole into salient: 122 years, the three
# title rows and three notes skipped with a reason, 0 rejected; a bad cell is rejected with its
# line and field, and rolls the file back
if [ -r "$D/usgs-ds140-lithium/ds140-lithium.csv" ]; then
    "$BIN" supply load usgs "$D/usgs-ds140-lithium/ds140-lithium.csv" > "$T/ds.txt"
    grep -q "ds140-lithium.csv: 129 rows read, 122 loaded, 6 skipped (explained above), 0 rejected; committed" \
        "$T/ds.txt" || fail "DS140 lithium does not load whole: $(tail -1 "$T/ds.txt")"
    grep -q "ds140-lithium.csv:128: skipped: a note, not a year" "$T/ds.txt" || fail "DS140: the notes' reason"
    sed 's/^2021,W,2640,/2021,W,26x0,/' "$D/usgs-ds140-lithium/ds140-lithium.csv" > "$T/ds140-bad.csv"
    "$BIN" supply load usgs "$T/ds140-bad.csv" > "$T/dsb.txt" 2>&1 && fail "DS140: a bad cell loads"
    grep -q "ds140-bad.csv:127: rejected: Imports: not a number '26x0'" "$T/dsb.txt" \
        || fail "DS140: the bad cell's line and field: $(grep rejected "$T/dsb.txt" | head -1)"
fi

# explain (text) names the exposure basis, the HS lines, the units and the freshness
"$BIN" supply load usgs "$D/usgs-mcs2026-extract/us_import_sources_mcs2026.csv" >/dev/null
"$BIN" supply load komir "$D/komir-supply-risk-indices/komir_global_import_export.csv" >/dev/null
"$BIN" supply explain graphite KOR --at 2023-12 > "$T/g.txt"
grep -q "^exposure: partner imports: KOMIR Korea ore imports by partner, 2022 (published 2023-01): top supplier CHN" "$T/g.txt" \
    || fail "graphite KOR: exposure basis"
grep -q "^HS lines counted: 250410 250490 380110 380190; .*line_z_down on HS 250410" "$T/g.txt" \
    || fail "graphite KOR: HS lines"
grep -q "^units: trade USD (current), monthly value" "$T/g.txt" || fail "graphite KOR: units"
grep -q "trade_value .* USD/month" "$T/g.txt" || fail "graphite KOR: unit on the value"
grep -Eq "^trade \(USD\): mirror: exports to KOR reported by CHN, .*the series ends 2024-12, [0-9]+ months before today" "$T/g.txt" \
    || fail "graphite KOR: freshness against today"
grep -q "\[real data\]" "$T/g.txt" || fail "graphite KOR: real data marker"
"$BIN" supply explain gallium USA --at 2023-08 > "$T/ga.txt"
# stop 18: the USA's import sources 2021-24 were published 2026-01 and world production 2024 in
# 2025-01: in 2023-08 no basis was public, and the line says which came first and when
grep -q "^exposure: no figure published by 2023-08; the first, world production 2024 (CHN 98.9 %), was published 2025-01 (no look-ahead)$" "$T/ga.txt" \
    || fail "gallium USA: no exposure basis published by 2023-08, said so"
grep -q "^HS lines counted: 811292 811299" "$T/ga.txt" || fail "gallium USA: HS lines"
grep -q "^units: trade USD" "$T/ga.txt" || fail "gallium USA: units"
grep -q "months before today" "$T/ga.txt" || fail "gallium USA: freshness"

# coverage: a commodity without any series names what is missing and where it is published
"$BIN" supply status --json > "$T/st.json"
jq -e '[.assessments[] | select(.commodity == "antimony" and .partner == "USA")][0] |
       .level == null and .coverage.any_series == false and
       ([.coverage.missing[].where] | any(test("UN Comtrade"))) and
       ([.coverage.missing[].data] | any(test("price")))' "$T/st.json" >/dev/null \
    || fail "status: antimony's missing data and where it is published"
"$BIN" supply status --commodity antimony --partner JPN | grep -q "published: .*comtradeplus.un.org" \
    || fail "status text: where the missing trade data are published"

"$BIN" supply backtest --events "$D/facts/disruption_events.csv" --json > "$T/bt.json"
jq -e '.events | length == 15' "$T/bt.json" >/dev/null || fail "backtest must report 15 events"
jq -e '[.events[] | select(.result == "hit" or .result == "miss" or .result == "no_data" or
        .result == "out_of_scope" or .result == "easing" or .result == "duplicate")] | length == 15' \
    "$T/bt.json" >/dev/null || fail "results"
# easings (lifted, relaxed, rulings) are reported apart; the headline counts no data as misses
jq -e '[.events[] | select(.event_id == "ree_2015_quota_end")][0].result == "easing"' "$T/bt.json" \
    >/dev/null || fail "an easing scored as a disruption"
jq -e '.summary.scored == .summary.hits + .summary.misses + .summary.no_data' "$T/bt.json" \
    >/dev/null || fail "no-data events must count in the headline"
# an event without data names, per commodity and affected partner, the series that would cover
# its window, what is loaded instead (span, first month the detectors can read) and where the
# missing data is published (issue 16)
jq -e '[.events[] | select(.result == "no_data")] | length > 0 and
       all(.[]; (.missing_data | length) > 0 and all(.missing_data[]; (.where | length) > 0 and
           (.loaded | length) > 0 and .window_to >= .window_from))' "$T/bt.json" >/dev/null \
    || fail "every no-data event names what is missing and where it is published"
jq -e '[.events[] | select(.event_id == "ree_2010_quota_cut")][0] | .result == "no_data" and
       ([.missing_data[] | select(.data == "monthly price")][0] | .window_from == "2009-07" and
        (.where | test("KOMIS"))) and
       ([.missing_data[] | select(.data == "monthly trade")] | map(.partner) == ["USA","KOR","JPN"])' \
    "$T/bt.json" >/dev/null || fail "rare earths 2010: the missing price and trade, where published"
jq -e '[.assessments[] | select(.commodity == "graphite" and .partner == "JPN")][0].coverage.spans |
       .mirror == "2017-01..2024-12" and .price == null' "$T/st.json" >/dev/null \
    || fail "status: the months each kind of series covers"
jq -e '.acceptance | has("hit_rate") and has("noise_to_signal") and has("placebo_p") and
       has("komir_kappa")' "$T/bt.json" >/dev/null || fail "acceptance figures"
# --split: the two periods add up to the headline; a bad month is refused with a message
"$BIN" supply backtest --events "$D/facts/disruption_events.csv" --split 2016-01 > "$T/bt.txt"
grep -q "^split 2016-01, events effective before the split: scored" "$T/bt.txt" || fail "split text"
grep -q "^upper bound on the hit rate given data coverage" "$T/bt.txt" || fail "coverage bound text"
# false alarms are listed with the rules behind them, per rule in the text
grep -q "^alerts by rule (matched / false" "$T/bt.txt" || fail "alerts by rule text"
jq -e '(.unmatched_alerts | length) > 0 and all(.unmatched_alerts[]; (.rules | length) > 0) and
       ([.alerts_by_rule[] | .matched + .false] | add) >= .summary.alerts' "$T/bt.json" >/dev/null \
    || fail "every unmatched alert names its rules"
"$BIN" supply backtest --events "$D/facts/disruption_events.csv" --split 2016-01 --json > "$T/bts.json"
jq -e '([.out_of_sample.periods[].scored] | add) == .summary.scored and
       ([.out_of_sample.periods[].hits] | add) == .summary.hits and
       .summary.hit_rate_upper_bound == (.summary.hits + .summary.misses) / .summary.scored' \
    "$T/bts.json" >/dev/null || fail "split periods must add up to the headline"
set +e
"$BIN" supply backtest --events "$D/facts/disruption_events.csv" --split 2016-13 >/dev/null 2>"$T/err"
rc=$?
set -e
[ $rc -ne 0 ] && grep -q "2016-13" "$T/err" || fail "a bad --split month must be refused, naming it"
# seventh stop: China's Gallium/Germanium product group carries lines the HS6 table lacks, so
# it is gallium's and germanium's series once loaded; the 2023-08 export controls, one of the
# four 2023-25 events issue 16 names (file below), are then a hit at lead 0 on China's exports
# to JPN (28.7 M -> 5.5 M USD), which 811292 alone does not show (main: a miss)
"$BIN" supply load comtrade "$D/china-cm-exports-comtrade/country_monthly_stats.csv" \
    --reporter CHN --flow X | grep -q "0 rejected; committed" || fail "load country_monthly_stats"
"$BIN" supply explain gallium USA --at 2023-08 > "$T/ga2.txt"
grep -q "^HS lines counted: 811292 811299 285390 285000 282590 282560; trade series: product group gallium_germanium" \
    "$T/ga2.txt" || fail "gallium USA: the group's lines named"
# eighth stop: 811292 to the USA inside the Ga/Ge group, Jul-Nov 2024 (139 k, 370, 133 k, no
# row, 25 k USD against a median near 400 k): 3 of the 6 months to 2024-11 near zero, under
# d_line_stop's 5 (the budget: 811292 was as lumpy in 2020-21); explain names the line
"$BIN" supply explain gallium USA --at 2024-11 --json > "$T/ga3.json"
jq -e '.indicators.line_stop == 3 and .line_stop_hs6 == "811292" and
       ([.fired[].rule] | index("d_line_stop") == null)' "$T/ga3.json" >/dev/null \
    || fail "gallium USA 2024-11: line_stop 3 on 811292"
"$BIN" supply explain gallium USA --at 2024-11 | grep -q "line_stop on HS 811292" \
    || fail "gallium USA 2024-11: the line behind line_stop in text"
# coverage 2023-01..2026-12: gallium USA has the HS6 line and the group to 2024-12, then is
# blind; antimony has only USGS annual prices (not read by the rules): blind all 48 months
"$BIN" supply load usgs "$D/usgs-mcs2026-extract/us_salient_mcs2026.csv" >/dev/null
"$BIN" supply coverage --from 2023-01 --to 2026-12 --json > "$T/cov.json"
jq -e '[.cells[] | select(.commodity == "gallium" and .partner == "USA")][0] |
       ([.series[].kind] | index("trade_hs6") != null and index("trade_group") != null) and
       .monthly_months == 24 and .blind == ["2025-01..2026-12"]' "$T/cov.json" >/dev/null \
    || fail "coverage: gallium USA"
jq -e '[.cells[] | select(.commodity == "antimony")] | length == 3 and
       all(.blind_months == 48 and ([.series[] | select(.kind == "annual_price" and
       .read_by_rules == false and .unit == "USD/lb" and (.source | test("mcs2026-antimony")))] |
       length == 1))' "$T/cov.json" >/dev/null \
    || fail "coverage: antimony blind, with its annual price"
"$BIN" supply coverage --from 2023-01 --to 2026-12 > "$T/cov.txt"
grep -q "^antimony     0/0 a " "$T/cov.txt" || fail "coverage: the matrix row of antimony"
grep -q "^gallium USA: monthly data in 24 of 48 months; BLIND 2025-01..2026-12" "$T/cov.txt" \
    || fail "coverage: gallium USA's blind months in text"
# twelfth stop: the months the held-out events fall in. KOMIS manganese (daily 2024-01-02 ..
# 2026-04-10) gives manganese data in 28 months of 2023-01..2026-12, but a detector reads only
# 13 of them (the robust z needs 12 residuals after its 3-month level: from 2025-04)
"$BIN" supply load prices "$D/komis-minor-metal-prices/komis_prices_daily_long.csv" \
    | grep -q "0 rejected; committed" || fail "load komis daily"
"$BIN" supply load prices "$D/battery-metal-prices-dailymetalprice/Cobalt_prices_2017-01-01_to_2025-10-31_merged.csv" \
    --series cobalt_dmp | grep -q "0 rejected; committed" || fail "load dailymetalprice cobalt"
"$BIN" supply coverage --from 2023-01 --to 2026-12 --json > "$T/cov2.json"
jq -e '[.cells[] | select(.commodity == "manganese" and .partner == "KOR")][0] |
       .monthly_months == 28 and .detector_months == 13 and
       .detector_blind == ["2023-01..2025-03", "2026-05..2026-12"]' "$T/cov2.json" >/dev/null \
    || fail "coverage: manganese has data in 28 months, a detector reads 13"
jq -e '[.cells[] | select(.commodity == "manganese" and .partner == "KOR")][0] |
       [.series[] | select(.name == "komis_manganese")][0].last_observation == "2026-04-10"' \
    "$T/cov2.json" >/dev/null || fail "coverage: where KOMIS manganese ends"
"$BIN" supply coverage --from 2023-01 --to 2026-12 > "$T/cov2.txt"
# stop 18: production concentration stands in for JPN from its publication (MCS 2025, 2025-01)
"$BIN" supply explain cobalt JPN --at 2025-03 | grep -q "^exposure: production concentration: world mine production (USGS MCS), 2024 (published 2025-01): top producer COD 74.8 %" \
    || fail "cobalt JPN 2025-03: production basis from its publication month"
grep -q "^manganese    28/13 p " "$T/cov2.txt" || fail "coverage: the matrix shows data and detector months"
# the newest month: KOMIS stops on 2026-04-10 (7 observations; a month has about 20), so the
# level of 2026-04 is provisional, 2026-03's is not; dailymetalprice's cobalt ends on
# 2025-10-31, a full month; both series ended months before today and say so
"$BIN" supply explain manganese KOR --json > "$T/mn.json"
jq -e '.period == "2026-04" and .data.price.last_observation == "2026-04-10" and
       .data.price.last_month_observations == 7 and .data.price.last_month_partial and
       .data.price.provisional and .data.price.ended and
       ([.data.gaps[] | select(test("partial month"))] | length == 1)' "$T/mn.json" >/dev/null \
    || fail "manganese 2026-04: a partial last month, level provisional"
"$BIN" supply explain manganese KOR --at 2026-03 --json |
    jq -e '.data.price.provisional == false' >/dev/null || fail "manganese 2026-03 is complete"
"$BIN" supply explain manganese KOR > "$T/mn.txt"
grep -q "^price freshness: last observation 2026-04-10 (komis_manganese), a partial month; this month's level is provisional" \
    "$T/mn.txt" || fail "manganese: freshness in explain's text"
"$BIN" supply explain cobalt KOR --json |
    jq -e '.period == "2025-10" and .data.price.last_observation == "2025-10-31" and
           (.data.price.last_month_partial | not) and (.data.price.provisional | not)' >/dev/null \
    || fail "cobalt 2025-10 ends on the month's last day: complete"
"$BIN" supply status --commodity manganese --partner KOR > "$T/st.txt"
grep -Eq "^    fresh \(today [0-9]{4}-[0-9]{2}\): price to 2026-04-10 \(komis_manganese\), [0-9]+ months before today \(ended in the loaded files\); its last month is partial" \
    "$T/st.txt" || fail "status: freshness of the level"
set +e
"$BIN" supply coverage --from 2023-13 2>"$T/err" >/dev/null
rc=$?
set -e
[ $rc -ne 0 ] && grep -q "2023-13" "$T/err" || fail "coverage: a bad month is refused"
cat > "$T/named.csv" <<'CSV'
event_id,date_announced,date_effective,date_precision,commodity,hs6_scope,actor_country,affected_partner,event_type,description,verification,evidence
cn_gage_2023,2023-07,2023-08,month,gallium;germanium,811292;282560,CN,all,export_control,"China's export licensing of gallium and germanium items, from 1 Aug 2023",issue_16,issue 16
cn_graphite_2023,2023-10,2023-12,month,graphite,250410;380110,CN,all,export_control,"China's export licensing of graphite items, from 1 Dec 2023",issue_16,issue 16
cn_us_ban_2024,2024-12,2024-12,month,gallium;germanium,811292;282560,CN,US,export_ban,"China bans exports of gallium, germanium and antimony items to the USA, 3 Dec 2024",issue_16,issue 16
drc_cobalt_2025,2025-02,2025-02,month,cobalt,260500;810520;282200,CD,all,export_ban,"DRC suspends cobalt exports for four months from 22 Feb 2025",issue_16,issue 16
CSV
"$BIN" supply backtest --events "$T/named.csv" --json > "$T/named.json"
jq -e '[.events[] | select(.event_id == "cn_gage_2023")][0] | .result == "hit" and .lead_months == 0' \
    "$T/named.json" >/dev/null || fail "Ga/Ge 2023-08: a hit at the effective month"
jq -e '[.events[] | select(.event_id == "cn_graphite_2023")][0] | .result == "hit" and .lead_months == 1' \
    "$T/named.json" >/dev/null || fail "graphite 2023-12: the November front-loading"

# thirteenth stop: the miss table (--misses). Every in-scope event without a hit has one cause;
# the US ban is under threshold (line_stop 3 on 811292 in 2024-11, d_line_stop needs 5: short by
# 2), DRC cobalt is late (the price alert of 2025-03, one month after the effective month)
"$BIN" supply backtest --events "$T/named.csv" --misses --json > "$T/miss.json"
jq -e '.counts == {"no_data": 0, "no_detector_value": 0, "series_ended": 0, "partner_basis": 0,
       "late": 1, "under_threshold": 1} and (.events | length) == 2' "$T/miss.json" >/dev/null \
    || fail "misses: the causes of the two named misses"
jq -e '[.events[] | select(.event_id == "cn_us_ban_2024")][0] | .cause == "under_threshold" and
       .nearest_rule.rule == "d_line_stop" and .nearest_rule.value == 3 and
       .nearest_rule.short_by == 2 and .nearest_rule.month == "2024-11" and
       .nearest_rule.cell == "USA"' "$T/miss.json" >/dev/null \
    || fail "misses: the US ban is line_stop 3 of 5 on the USA cell"
jq -e '[.events[] | select(.event_id == "drc_cobalt_2025")][0] | .cause == "late" and
       .late_alert == {"month": "2025-03", "months_after_effective": 1, "cell": "price"}' \
    "$T/miss.json" >/dev/null || fail "misses: DRC cobalt is late by one month"
"$BIN" supply backtest --events "$T/named.csv" --json |
    jq -e '([.events[] | select(.miss_cause)] | length) == 2 and .misses.counts.late == 1' \
    >/dev/null || fail "misses: the full document carries the miss table"
"$BIN" supply backtest --events "$T/named.csv" --misses > "$T/miss.txt"
grep -q "^cn_us_ban_2024 .* under_threshold .*nearest: d_line_stop line_stop 3 (>= 5: 60 % of it, short by 2) in 2024-11 (USA)" \
    "$T/miss.txt" || fail "misses text: the US ban's nearest rule"
grep -q "^misses per cause (2 events): no_data 0; no_detector_value 0; series_ended 0; partner_basis 0; late 1; under_threshold 1;" \
    "$T/miss.txt" || fail "misses text: the counts per cause"
# the calibration events: no data (rare earths 2010-11, manganese 2014), data that no detector
# reads yet (Zimbabwe's lithium 2018-01: prices from 2017-05, detectors from 2018-08)
"$BIN" supply backtest --events "$D/facts/disruption_events.csv" \
    --events "$D/policy-events-gta-iea/gta_trade_controls_subset.csv" --misses --json > "$T/miss2.json"
jq -e '[.events[] | select(.event_id == "gta_119561")][0] | .cause == "no_detector_value" and
       .first_data_in_window == "2017-05" and .detectors_read_from == "2018-08"' "$T/miss2.json" \
    >/dev/null || fail "misses: lithium 2018-01 has data but no detector value"
jq -e '[.events[] | select(.event_id == "ree_2010_quota_cut")][0].cause == "no_data"' \
    "$T/miss2.json" >/dev/null || fail "misses: rare earths 2010 has no data"

# fourteenth stop: the false-alarm table (--false-alarms). Every alert outside all event windows
# has one cause; the counts add up to the backtest's false alarms; before the split only the
# nickel price is read (2010-12, and 2014-03 two months after Indonesia's ore ban took effect);
# d_price_jump's rate before 2016 is within its registered 5 % budget, and no trade detector has
# a month before 2016 (China's exports start 2017-01)
"$BIN" supply backtest --events "$D/facts/disruption_events.csv" \
    --events "$D/policy-events-gta-iea/gta_trade_controls_subset.csv" --split 2016-01 --json > "$T/bt3.json"
jq -c '.false_alarms' "$T/bt3.json" > "$T/fa.json"
"$BIN" supply backtest --events "$D/facts/disruption_events.csv" \
    --events "$D/policy-events-gta-iea/gta_trade_controls_subset.csv" --split 2016-01 \
    --false-alarms --json | jq -c . | cmp -s - "$T/fa.json" \
    || fail "false alarms: --json prints the full document's table"
jq -e --slurpfile b "$T/bt3.json" '(.events | length) == $b[0].summary.false_alarms and
       ([.counts[]] | add) == (.events | length) and
       all(.events[]; .cause and .rules and (.pre_split | type) == "boolean")' "$T/fa.json" \
    >/dev/null || fail "false alarms: one cause per alert, counts adding up"
jq -e '.pre_split_false_alarms == 2 and
       ([.events[] | select(.pre_split) | .commodity] | unique) == ["nickel"] and
       ([.events[] | select(.period == "2014-03" and .commodity == "nickel")][0] |
        .cause == "after_event" and (.text | test("after idn_2014_ore_ban took effect \\(2014-01\\)")))' \
    "$T/fa.json" >/dev/null || fail "false alarms: before the split, nickel only; 2014-03 after the ore ban"
jq -e '.rates.span.to == "2015-12" and .rates.rules.d_price_jump.budget == 0.05 and
       .rates.rules.d_price_jump.over_budget == false and .rates.rules.d_price_jump.months > 0 and
       .rates.rules.d_trade_down.months == 0 and .rates.rules.d_trade_down.rate == null and
       .rates.rules.d_price_cp.budget == null and .rates.from_split.span.from == "2016-01"' \
    "$T/fa.json" >/dev/null || fail "false alarms: rates before the split against the budgets"
# fifteenth stop: a rule over its budget says how often a rule whose true rate is the budget
# shows that many months (binomial tail), recomputed here for every rule over budget
jq -r '[.rates, .rates.from_split] | .[].rules | to_entries[] | select(.value.over_budget == true) |
       "\(.key) \(.value.indicator_met) \(.value.months) \(.value.budget) \(.value.p_at_budget)"' \
    "$T/fa.json" > "$T/over.txt"
[ -s "$T/over.txt" ] || fail "false alarms: no rule over its budget from the split (d_price_jump was)"
awk '{ k = $2; n = $3; b = $4; lp = n * log(1 - b); s = 0;
       for (j = 1; j <= n; j++) { lp += log((n - j + 1) / j) + log(b / (1 - b)); if (j >= k) s += exp(lp) }
       if (s > 1) s = 1; d = s - $5; if (d < 0) d = -d; if (d > 1e-9) { print $1, s, $5; bad = 1 } }
     END { exit bad }' "$T/over.txt" || fail "false alarms: p_at_budget is the binomial tail"
"$BIN" supply backtest --events "$D/facts/disruption_events.csv" \
    --events "$D/policy-events-gta-iea/gta_trade_controls_subset.csv" --split 2016-01 \
    --false-alarms > "$T/fa.txt"
grep -q "^2014-03  nickel       all (price)  after_event        d_price_cp .* \\[before the split\\]$" \
    "$T/fa.txt" || fail "false alarms text: the nickel reaction of 2014-03"
grep -Eq "^  d_price_jump +[0-9]+ / [0-9]+ = [0-9.]+ % \\(budget 5.00 %: within\\)" "$T/fa.txt" \
    || fail "false alarms text: d_price_jump within its budget before the split"
grep -Eq "^  d_price_jump +[0-9]+ / [0-9]+ = [0-9.]+ % \(budget 5.00 %: OVER; at a true rate of 5.00 % this many months or more come with probability 0\.[0-9]{3}\)" \
    "$T/fa.txt" || fail "false alarms text: d_price_jump over its budget from the split, with its probability"
# on the four named 2023-25 events, two of the four false alarms on this test's database (three
# of five on the demo's, which loads the Pink Sheet's nickel too) are change points of a price
# still below its mean over the previous 12 months (a rebound, not a tight market), one is
# China's graphite to KOR three months after the controls took effect
"$BIN" supply backtest --events "$T/named.csv" --false-alarms --json > "$T/fan.json"
jq -e '.counts.price_rebound == 2 and .counts.after_event == 1 and (.events | length) == 4 and
       ([.events[] | select(.cause == "after_event")][0] | .commodity == "graphite" and
        .partner == "KOR" and .period == "2024-03") and
       .pre_split_false_alarms == null' "$T/fan.json" >/dev/null \
    || fail "false alarms: the named events' causes: $(jq -c .counts "$T/fan.json")"
# the placebo's second figure: events shifted independently, and by commodity cluster, beside
# the common-shift p (the headline, unchanged)
jq -e '.placebo.independent.draws == 9999 and .placebo.independent.p_value > 0 and
       .placebo.independent.p_value < 1 and .placebo.clustered.clusters >= 1 and
       .acceptance.placebo_p.value == .placebo.p_value and
       .acceptance.placebo_p.independent_shifts_p == .placebo.independent.p_value and
       (.out_of_sample.periods | all(has("placebo_p_independent") and has("placebo_p_clustered"))) and
       (.placebo.independent.events | length) == .summary.scored and
       all(.placebo.independent.events[]; .by_shift | test("^[Hm-]{26}$")) and
       ([.placebo.independent.events[] | select(.event_id == "ree_2010_quota_cut")][0].by_shift ==
        "--------------------------")' \
    "$T/bt3.json" >/dev/null || fail "placebo: the independent and clustered figures beside the headline"

# stop 17: the 2023-25 events file (public sources cited per row) loads whole, and rule C's
# indicator on China's graphite exports: the fall after November's front-loading reaches the
# registered 4.57 to JPN in 2023-12 (4.67) and not to KOR (4.38); Ga/Ge to the USA in 2023-08
# is 1.35 (the July surge was inside the series' swings)
"$BIN" supply load events "$(dirname "$0")/../../data/supply/heldout/events_2023_2025.csv" |
    grep -q "9 rows read, 9 loaded, 0 skipped (explained above), 0 rejected; committed" ||
    fail "the 2023-25 events file does not load whole"
fl() { "$BIN" supply explain "$1" "$2" --at "$3" --json | jq -r '.indicators.trade_frontload * 100 | round'; }
# the Li-ion/graphite controls of 2025-10: China's graphite exports end in 2024-12, ten months
# before the announcement: the miss is series_ended, not under_threshold
"$BIN" supply backtest --events "$(dirname "$0")/../../data/supply/heldout/events_2023_2025.csv" \
    --misses --json > "$T/mheld.json"
jq -e '[.events[] | select(.event_id == "cn_battery_2025_10")][0] | .cause == "series_ended" and
       (.text | startswith("the event'"'"'s series end in 2024-12, before the announcement (2025-10)"))' \
    "$T/mheld.json" >/dev/null || fail "misses: the 2025-10 battery controls are past the series' end"
[ "$(fl graphite JPN 2023-12)" = 467 ] && [ "$(fl graphite KOR 2023-12)" = 438 ] &&
    [ "$(fl gallium USA 2023-08)" = 135 ] ||
    fail "trade_frontload x100: graphite 2023-12 JPN $(fl graphite JPN 2023-12), KOR $(fl graphite KOR 2023-12); gallium USA 2023-08 $(fl gallium USA 2023-08)"
echo "supply_real: ok ($(jq -c '.summary | {hits, misses, no_data, out_of_scope}' "$T/bt.json"))"
