// supply.js: the supply-chain early warning. #/supply: a heat map of commodity x partner by
// risk level (GET /api/v1/supply/status, the document of `chainwatch supply status --json`),
// as a table whose cells are links (keyboard-reachable, readable without colour: the level
// name is written in each cell). #/supply/COMMODITY/PARTNER: the level explanation (GET
// /api/v1/supply/explain/C/P, as `supply explain --json`): fired rules with values and
// thresholds, indicators, data freshness and gaps; production shares, import sources and the
// price and trade series with anomalies and events (GET /api/v1/supply/series/C?partner=P).
// Every figure says whether its data are real or synthetic and which months it covers.
// Both documents can also be opened from files, offline.
import { api, seg, query } from '../api.js';
import { h, clear, errorPanel, num, pct, table, readJsonFile, libMissing, loadLib } from '../ui.js';

export const LEVELS = ['none', 'interest', 'caution', 'alert', 'severe'];
let imported = { status: null, explain: new Map() }; // documents opened from files (this tab)

function levelOf(a) {
  if (typeof a.level === 'number') return a.level;
  const i = LEVELS.indexOf(String(a.level_name || a.level || '').toLowerCase());
  return i < 0 ? null : i;
}

function heatmap(doc) {
  const rows = doc.assessments || doc.status || [];
  const commodities = [...new Set(rows.map((a) => a.commodity))].sort();
  const partners = [...new Set(rows.map((a) => a.partner))];
  const cell = new Map(rows.map((a) => [`${a.commodity}|${a.partner}`, a]));
  const period = rows.find((a) => a.period)?.period;
  return h('div', { class: 'heatmap-wrap' },
    h('table', { class: 'heatmap', id: 'supply-heatmap' },
      h('caption', {}, `Risk level by commodity and partner${period ? `, ${period}` : ''}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Commodity'), partners.map((p) => h('th', { scope: 'col' }, p)), h('th', { scope: 'col' }, 'Data (real or synthetic, months)'))),
      h('tbody', {}, commodities.map((c) => h('tr', {},
        h('th', { scope: 'row' }, c),
        partners.map((p) => {
          const a = cell.get(`${c}|${p}`);
          if (!a) return h('td', { class: 'lvl-na' }, '—');
          const l = levelOf(a);
          // "stale" rather than "none" when the newest datum is older than the engine's limit
          // (data.fresh, stop 18)
          const stale = a.data?.fresh?.stale === true;
          const name = l === null ? 'no data' : (a.level_shown === 'stale' ? 'stale' : LEVELS[l]);
          const fired = (a.fired || []).map((f) => f.rule).join(', ');
          const kind = seriesKind(a);
          const span = dataSpan(a);
          // freshness under the level: the newest observation, provisional, ended, synthetic
          const fr = freshness(a);
          const mark = freshMark(fr);
          const ftext = freshnessText(fr);
          return h('td', { class: `lvl lvl-${l ?? 'na'}`, dataset: { commodity: c, partner: p, level: l ?? '', kind: kind || '',
            provisional: fr.some((f) => f.provisional) ? '1' : '0', ended: fr.length && fr.every((f) => f.ended) ? '1' : '0',
            stale: stale ? '1' : '0', monthsOld: a.data?.fresh?.months_old ?? '' } },
            h('a', { href: `#/supply/${encodeURIComponent(c)}/${encodeURIComponent(p)}`, title: `${fired ? `rules: ${fired}` : 'no rule fired'}${kind ? `; ${kind} data` : ''}${span ? `; ${span}` : ''}${ftext ? `; ${ftext}` : ''}`,
              'aria-label': `${c} for ${p}: ${name}${kind ? `, ${kind} data` : ''}${mark ? `, ${mark}` : ''}` }, h('span', { class: 'lvl-name' }, name),
              mark ? h('small', { class: 'fresh', style: 'display:block;font-weight:400' }, mark) : null,
              stale ? h('small', { class: 'stale', style: 'display:block;font-weight:400' }, `data ${a.data.fresh.months_old} months old (limit ${a.data.fresh.stale_limit_months})`) : null));
        }),
        // the data behind the row: real or synthetic, and the months they cover
        h('td', { class: 'data-kind', dataset: { commodity: c } }, rowData(partners.map((p) => cell.get(`${c}|${p}`)).filter(Boolean))))))),
    h('ul', { class: 'legend', 'aria-label': 'Levels' }, LEVELS.map((n, i) => h('li', {}, h('span', { class: `swatch lvl-${i}` }), `${i} ${n}`))),
    kindNote(rows));
}

// The freshness of a cell's data, from a status or explain document (data.price, data.trade as
// `supply explain --json` writes them): per series its last observation, whether the newest
// month is provisional (a daily price that stopped inside it: fewer observations than its
// months usually have), whether the loaded series has ended (no later month can warn), how
// many months before today, and whether it is synthetic.
export function freshness(a) {
  const d = a?.data || {};
  const out = [];
  const p = d.price, t = d.trade;
  if (p && (p.first || p.series)) {
    out.push({ what: 'price', series: p.last_series || p.series || '', last: p.last_observation || p.series_last || p.last || null,
      month: p.series_last || p.last || null, provisional: p.provisional === true,
      observations: p.last_month_observations ?? null, usual: p.median_month_observations ?? null,
      ended: p.ended === true, behind: p.months_behind_today ?? null, synthetic: p.synthetic === true });
  }
  if (t && t.first) {
    out.push({ what: 'trade', series: t.basis || '', last: t.series_last || t.last || null, month: t.series_last || t.last || null,
      provisional: false, observations: null, usual: null, ended: t.ended === true, behind: t.months_behind_today ?? null,
      synthetic: t.synthetic === true });
  }
  return out;
}

// One line per series: "price to 2026-04-10 (komis_manganese): 2026-04 PROVISIONAL (7
// observations, a month usually has 20); ENDED, 8 months before today".
export function freshnessText(items) {
  return items.map((f) => {
    const parts = [`${f.synthetic ? 'SYNTHETIC ' : ''}${f.what} to ${f.last || '?'}${f.series ? ` (${f.series})` : ''}`];
    if (f.provisional) parts.push(`${f.month} PROVISIONAL${f.observations != null ? ` (${f.observations} observations, a month usually has ${f.usual ?? '?'})` : ''}: its level may change`);
    if (f.ended) parts.push(`ENDED in the loaded files${f.behind != null ? `, ${f.behind} months before today` : ''}: no later month can warn`);
    else if (f.behind != null) parts.push(`${f.behind} months before today`);
    return parts.join('; ');
  }).join(' | ');
}

// The short mark under a heat-map cell's level: the newest observation, provisional, ended,
// synthetic.
export function freshMark(items) {
  if (!items.length) return '';
  const last = items.map((f) => f.last).filter(Boolean).sort().pop();
  const marks = [];
  if (items.some((f) => f.synthetic)) marks.push('SYNTHETIC');
  if (items.some((f) => f.provisional)) marks.push('provisional');
  if (items.length && items.every((f) => f.ended)) marks.push('ended');
  return [last ? `to ${last}` : '', ...marks].filter(Boolean).join(' · ');
}

// real or synthetic, from an explain/status document (data.series_kind) or a series document
function seriesKind(a) {
  return a?.data?.series_kind || a?.series_kind || null;
}

// the months the data cover: trade and price, "2017-01..2024-12"
function dataSpan(a) {
  const d = a?.data || {};
  const parts = [];
  if (d.trade && d.trade.first) parts.push(`trade ${d.trade.first}..${d.trade.series_last || d.trade.last}`);
  if (d.price && d.price.first) parts.push(`price ${d.price.first}..${d.price.series_last || d.price.last}`);
  return parts.join(', ');
}

function rowData(cells) {
  const kinds = [...new Set(cells.map(seriesKind).filter(Boolean))];
  const spans = [...new Set(cells.map(dataSpan).filter(Boolean))];
  if (!kinds.length) return 'no data';
  const k = kinds.map((x) => (x === 'synthetic' ? 'SYNTHETIC' : 'real')).join(' / ');
  return spans.length ? `${k}: ${spans.join('; ')}` : k;
}

function kindNote(rows) {
  const kinds = new Set(rows.map(seriesKind).filter(Boolean));
  if (kinds.has('synthetic')) {
    return h('p', { class: 'msg warn', id: 'synthetic-note' }, 'Some cells rest on SYNTHETIC data (generated by chainwatch supply synth for tests): they are not real trade or prices.');
  }
  if (kinds.size) return h('p', { class: 'hint', id: 'real-note' }, `Every cell with data rests on real data${rows.some((a) => levelOf(a) === null) ? ' (a cell marked "no data" has nothing to be assessed on)' : ''}; the last column gives the months its trade and price series cover; under each level: its newest observation, "provisional" when that month is partial (its level may change), "ended" when every series ended in the loaded files (no later month can warn).`);
  return null;
}

function fileOpener(id, label, onDoc) {
  const input = h('input', { type: 'file', id, accept: '.json,application/json' });
  const out = h('div', {});
  input.addEventListener('change', async () => {
    const f = input.files[0];
    if (!f) return;
    try { onDoc(await readJsonFile(f), out); } catch (e) { clear(out).append(errorPanel(e, f.name)); }
  });
  return [h('p', { class: 'file-open' }, h('label', { for: id }, label), input), out];
}

async function overview(view, { params }) {
  view.append(h('h1', {}, 'Supply-chain risk'));
  const partner = params.get('partner') || '';
  const box = h('div', { id: 'heatmap-box' });
  const [opener, openedBox] = fileOpener('status-file', 'Open a status file (chainwatch supply status --json): ', (doc, out) => {
    if (!doc.assessments) throw new Error('not a supply status document (no "assessments")');
    imported.status = doc;
    clear(box);
    clear(out).append(h('p', { class: 'msg info' }, 'Showing the opened file.'));
    box.append(heatmap(doc));
  });
  view.append(box, opener, openedBox);
  if (imported.status) { box.append(h('p', { class: 'hint' }, 'From the file opened earlier in this tab.'), heatmap(imported.status)); return; }
  try {
    box.append(heatmap(await api(`supply/status${query({ partner })}`)));
  } catch (e) {
    box.append(errorPanel(e, 'Supply status'));
  }
}

// Source text with its URLs percent-decoded for reading ("SI%202022-213%20Base" -> "SI 2022-213
// Base"): an escape is not a figure.
const readable = (text) => String(text || '').replace(/https?:\/\/\S+/g, (u) => { try { return decodeURI(u); } catch { return u; } });

// Runs of months where the standing level (sustained tightness: structural and standing rules)
// is at caution or above: {from, to, level} with the highest level of the run.
export function standingSpans(s) {
  const out = [];
  const lv = s.standing_level || [], months = s.months || [];
  for (let i = 0; i < lv.length && i < months.length; i++) {
    if (lv[i] < 2) continue;
    const last = out[out.length - 1];
    if (last && last.end === i - 1) { last.to = months[i]; last.end = i; last.level = Math.max(last.level, lv[i]); } else out.push({ from: months[i], to: months[i], end: i, level: lv[i] });
  }
  return out.map(({ from, to, level }) => ({ from, to, level }));
}

async function seriesChart(el, s) {
  try { await loadLib('echarts'); } catch { el.append(libMissing('echarts')); return; }
  const chart = window.echarts.init(el, null, { renderer: 'canvas' });
  const pts = (arr) => (arr || []).map((p) => [p.period || p.date || p.t, p.value ?? p.v]);
  const price = pts(s.price), trade = pts(s.trade);
  const months = s.months || [...new Set([...price, ...trade].map((p) => p[0]))].sort();
  const kind = (k) => (k === 'synthetic' ? ', SYNTHETIC' : k === 'real' ? ', real' : '');
  const lines = [];
  if (price.length) lines.push({ name: `price${s.price_unit ? ` (${s.price_unit})` : ''}${kind(s.price_series?.kind || s.series_kind)}`, type: 'line', yAxisIndex: 0, showSymbol: false, data: price });
  if (trade.length) lines.push({ name: `trade (USD/month)${kind(s.trade_series?.kind || s.series_kind)}`, type: 'line', yAxisIndex: price.length ? 1 : 0, showSymbol: false, data: trade });
  // anomalies on the series they were found in; pins without text (they crowd): the rule shows
  // on hover and in the list under the chart
  const pin = (a) => ({ name: a.detector || a.rule || a.kind || 'anomaly', coord: [a.period || a.date, a.value], value: '!' });
  const anomalies = s.anomalies || [];
  const onTrade = (a) => a.series === 'trade';
  const markPoint = (data) => ({ symbol: 'pin', symbolSize: 22, itemStyle: { color: '#b3261e' }, label: { show: false }, tooltip: { formatter: (p) => `${p.data.coord[0]}: ${p.name}` }, data });
  const events = (s.events || []).map((e) => ({ xAxis: e.date || e.period || e.effective, label: { formatter: e.title || e.name || e.kind || 'event', color: '#111' } }));
  if (lines[0]) {
    lines[0].markPoint = markPoint(anomalies.filter((a) => (price.length ? !onTrade(a) : true) && a.value != null).map(pin));
    lines[0].markLine = { symbol: 'none', lineStyle: { color: '#6a3d9a', type: 'dashed' }, data: events };
    // the standing level is a state, not an alert: a shaded band over its months, no pins
    const spans = standingSpans(s);
    if (spans.length) {
      lines[0].markArea = { silent: true, itemStyle: { color: 'rgba(179, 38, 30, 0.08)' },
        data: spans.map((x) => [{ xAxis: x.from, name: `standing: ${LEVELS[x.level]}` }, { xAxis: x.to }]) };
    }
  }
  if (lines[1]) lines[1].markPoint = markPoint(anomalies.filter((a) => onTrade(a) && a.value != null).map(pin));
  chart.setOption({
    animation: false, color: ['#0b5cad', '#a15c00'], tooltip: { trigger: 'axis' }, legend: { top: 0 },
    grid: { left: 60, right: 70, top: 40, bottom: 40 },
    xAxis: { type: 'category', data: months },
    yAxis: [{ type: 'value', name: price.length ? 'price' : 'trade', scale: true }, { type: 'value', name: price.length && trade.length ? 'trade' : '', scale: true, show: !!(price.length && trade.length) }],
    series: lines,
  });
  new ResizeObserver(() => chart.resize()).observe(el);
}

function explainView(x) {
  const l = levelOf(x);
  const d = x.data || {};
  const fresh = [];
  for (const [k, v] of Object.entries(d)) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
    if (!('first' in v) && !('basis' in v)) continue;
    fresh.push({ what: k, first: v.first, last: v.series_last || v.last, basis: v.basis || v.series || '', behind: v.months_behind_today, missing: v.missing_months_last_12,
      kind: v.synthetic === true ? 'SYNTHETIC' : v.synthetic === false ? 'real' : '' });
  }
  const ind = Object.entries(x.indicators || {}).map(([k, v]) => ({ k, v }));
  const fr = freshness(x);
  for (const f of fresh) {
    const g = fr.find((y) => y.what === f.what);
    if (!g) continue;
    f.lastObs = g.last;
    f.newest = g.provisional ? `${g.month} PROVISIONAL (${g.observations ?? '?'} observations, usually ${g.usual ?? '?'})` : 'complete';
    f.ended = g.ended ? 'ENDED: no later month can warn' : 'no';
    if (g.synthetic) f.kind = 'SYNTHETIC';
  }
  const provisional = fr.filter((f) => f.provisional);
  const kind = seriesKind(x);
  const ex = d.exposure;
  return h('div', { class: 'explain', id: 'supply-explain' },
    h('p', { class: 'level-line' }, h('span', { class: `badge lvl lvl-${l ?? 'na'}` }, `level ${l ?? '—'}: ${l === null ? 'no data' : LEVELS[l]}`),
      ` for ${x.partner} in ${x.period || '—'}`, x.top_supplier ? ` · top supplier ${x.top_supplier}` : '', x.top_producer ? ` · top producer ${x.top_producer}` : ''),
    x.level_data_only_name ? h('p', { class: 'level-data-only' }, `Data-only level (no announced measures): ${x.level_data_only_name}; event-informed level: ${x.level_name}.`) : null,
    x.standing_level_name ? h('p', { class: 'standing-level', id: 'explain-standing' }, `Standing level (sustained tightness, not an alert): ${x.standing_level_name}${(x.standing_fired || []).length ? ` (${x.standing_fired.map((f) => `${f.rule}: ${f.indicator} ${num(f.value, 4)} ${f.op} ${num(f.threshold, 4)}`).join('; ')})` : ''}.`) : null,
    provisional.length ? h('p', { class: 'msg warn', id: 'explain-provisional' }, `Provisional: ${freshnessText(provisional)}.`) : null,
    kind ? h('p', { class: kind === 'synthetic' ? 'msg warn kind' : 'hint kind', id: 'explain-kind' },
      kind === 'synthetic' ? 'SYNTHETIC data (chainwatch supply synth): not real trade or prices.' : `Real data: ${dataSpan(x) || 'see the freshness table'}.`) : null,
    ex ? h('p', { class: 'exposure', id: 'explain-exposure' }, `Exposure basis: ${ex.basis} (${ex.period}): ${/production/.test(ex.basis) ? 'top producer' : 'top supplier'} ${ex.top_supplier} ${pct(ex.share)}${ex.published ? ` (published ${ex.published})` : ''}.`) : null,
    d.hs_lines ? h('p', { class: 'hint' }, `HS lines: ${d.hs_lines.join(', ')}${d.trade_group ? `; trade series from the product group ${d.trade_group}` : ''}${x.line_z_down_hs6 ? `; collapse test on HS ${x.line_z_down_hs6}` : ''}. Units: trade ${d.units?.trade || 'USD'}, price ${d.units?.price || '—'}.`) : null,
    h('h2', {}, 'Why this level'),
    (x.fired && x.fired.length) ? table('Fired rules', [
      { key: 'rule', label: 'Rule' }, { key: 'level', label: 'Level' }, { key: 'indicator', label: 'Indicator' },
      { key: 'value', label: 'Value', render: (r) => num(r.value) }, { key: 'op', label: 'Test', render: (r) => `${r.op} ${num(r.threshold)}` },
      { key: 'source', label: 'Source of the threshold' }], x.fired, { class: 'fired' })
      : h('p', {}, 'No rule fired.'),
    (x.not_evaluated && x.not_evaluated.length) ? h('p', { class: 'hint' }, 'Not evaluated: ', x.not_evaluated.map((n) => `${n.rule} (${n.indicator}: ${n.why})`).join('; ')) : null,
    h('details', {}, h('summary', {}, `All indicators (${ind.length})`), table('', [{ key: 'k', label: 'Indicator' }, { key: 'v', label: 'Value', render: (r) => num(r.v, 4) }], ind)),
    fresh.length ? table('Data freshness', [{ key: 'what', label: 'Data' }, { key: 'kind', label: 'Real or synthetic' }, { key: 'basis', label: 'Basis' }, { key: 'first', label: 'From' }, { key: 'last', label: 'To' },
      { key: 'lastObs', label: 'Last observation', render: (r) => r.lastObs ?? '—' }, { key: 'newest', label: 'Newest month', render: (r) => r.newest ?? '—' },
      { key: 'ended', label: 'Series ended', render: (r) => r.ended ?? '—' },
      { key: 'behind', label: 'Months behind today', render: (r) => r.behind ?? '—' }, { key: 'missing', label: 'Missing months (last 12)', render: (r) => r.missing ?? '—' }], fresh, { class: 'freshness', id: 'explain-freshness' }) : null,
    (d.gaps && d.gaps.length) ? h('div', {}, h('h3', {}, 'Gaps'), h('ul', {}, d.gaps.map((g) => h('li', {}, g)))) : null,
    (x.events_last_12_months && x.events_last_12_months.length) ? h('div', {}, h('h3', {}, 'Events in the last 12 months'),
      h('ul', {}, x.events_last_12_months.map((e) => h('li', {}, typeof e === 'string' ? e
        : `${e.announced || e.date || e.period || ''} ${e.id || ''} by ${e.actor || '?'}${e.actor_share != null ? ` (${pct(e.actor_share)}, ${e.actor_share_basis || ''})` : e.actor_share_basis ? ` (${e.actor_share_basis})` : ''}${e.counted ? ': counted as a measure' : ''}${e.partner_dependence ? `; partner dependence: ${e.partner_dependence}` : ''} — ${readable(e.source || e.title)}`)))) : null);
}

function seriesView(s) {
  const box = h('div', { class: 'series' });
  if (s.production_shares && s.production_shares.length) {
    box.append(table('World production shares', [{ key: 'country', label: 'Country' }, { key: 'share', label: 'Share', render: (r) => pct(r.share) }], s.production_shares, { class: 'prod-shares' }));
  }
  if (s.import_sources && s.import_sources.length) {
    box.append(table(`Import sources of ${s.partner || 'the partner'}`, [{ key: 'country', label: 'Country' }, { key: 'share', label: 'Share', render: (r) => pct(r.share) },
      { key: 'value', label: 'Value (USD)', render: (r) => num(r.value) }], s.import_sources, { class: 'import-sources' }));
  }
  const chart = h('div', { class: 'chart', id: 'series-chart', role: 'img', 'aria-label': 'Price and trade series with anomalies and events' });
  const ps = s.price_series || {}, ts = s.trade_series || {};
  const k = (x) => (x === 'synthetic' ? 'SYNTHETIC' : x === 'real' ? 'real' : '');
  const cap = [];
  if (ps.series) cap.push(`price: ${ps.series} (${ps.unit || s.price_unit || ''}), ${ps.first}..${ps.last}, ${k(ps.kind || s.series_kind)} data${ps.note ? `; ${ps.note}` : ''}`);
  if (ts.first) cap.push(`trade: ${ts.basis || ''}${ts.group ? `, group ${ts.group}` : ''}, ${ts.unit || 'USD'}, ${ts.first}..${ts.last}, ${k(ts.kind || s.series_kind)} data`);
  // (Element.append writes null as the text "null": absent parts are left out)
  box.append(...[h('h2', {}, 'Price and trade'),
    s.series_kind === 'synthetic' ? h('p', { class: 'msg warn', id: 'series-synthetic' }, 'SYNTHETIC series (chainwatch supply synth): not real trade or prices.') : null,
    cap.length ? h('ul', { class: 'series-caption', id: 'series-caption' }, cap.map((c) => h('li', {}, c))) : null,
    chart].filter(Boolean));
  const marks = [...(s.anomalies || []).map((a) => ({ when: a.period || a.date, what: `anomaly on ${a.series || 'the series'}: ${a.detector || a.kind || ''}${a.indicator ? ` (${a.indicator} ${num(a.indicator_value)})` : ''}${a.hs6 ? `, HS ${a.hs6}` : ''}` })),
    ...standingSpans(s).map((x) => ({ when: x.from, what: `standing level ${LEVELS[x.level]} (a state, shaded; not an alert) from ${x.from} to ${x.to}` })),
    ...(s.events || []).map((e) => ({ when: e.period || e.date || e.effective, what: `event: ${e.title || e.name || e.kind || ''}${e.actor ? ` by ${e.actor}` : ''}${e.source ? ` — ${readable(e.source)}` : ''}` }))]
    .sort((a, b) => String(a.when).localeCompare(String(b.when)));
  if (marks.length) box.append(h('details', {}, h('summary', {}, `Marked on the chart (${marks.length})`), table('', [{ key: 'when', label: 'When' }, { key: 'what', label: 'What' }], marks)));
  requestAnimationFrame(() => seriesChart(chart, s));
  return box;
}

async function commodity(view, { args }) {
  const [c, p0] = args;
  const p = p0 || 'USA';
  view.append(h('p', { class: 'crumbs' }, h('a', { href: '#/supply' }, 'Supply'), ' › ', c, ' › ', p),
    h('h1', {}, `${c} for ${p}`));
  const partnerNav = h('nav', { 'aria-label': 'Partner' }, h('ul', { class: 'tabs' }, ['USA', 'KOR', 'JPN'].map((x) =>
    h('li', {}, h('a', { href: `#/supply/${encodeURIComponent(c)}/${x}`, 'aria-current': x === p ? 'page' : null }, x)))));
  const exBox = h('div', { id: 'explain-box' });
  const seriesBox = h('div', { id: 'series-box' });
  const [opener, openedBox] = fileOpener('explain-file', 'Open an explanation file (chainwatch supply explain C P --json): ', (doc, out) => {
    if (!doc.indicators || !doc.commodity) throw new Error('not a supply explain document (no "indicators")');
    imported.explain.set(`${doc.commodity}|${doc.partner}`, doc);
    clear(out);
    clear(exBox).append(explainView(doc));
  });
  view.append(partnerNav, exBox, seriesBox, opener, openedBox);
  const have = imported.explain.get(`${c}|${p}`);
  if (have) exBox.append(explainView(have));
  else {
    try { exBox.append(explainView(await api(`supply/explain/${seg(c)}/${seg(p)}`))); } catch (e) { exBox.append(errorPanel(e, 'Level explanation')); }
  }
  try { seriesBox.append(seriesView(await api(`supply/series/${seg(c)}${query({ partner: p })}`))); } catch (e) {
    seriesBox.append(h('h2', {}, 'Production, imports, prices'), errorPanel(e, 'Series'));
  }
}

export async function render(view, ctx) {
  if (ctx.args.length) return commodity(view, ctx);
  return overview(view, ctx);
}
