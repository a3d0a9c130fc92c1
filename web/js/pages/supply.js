// supply.js: the supply-chain early warning. #/supply: a heat map of commodity x partner by
// risk level (GET /api/v1/supply/status, the document of `chainwatch supply status --json`),
// as a table whose cells are links (keyboard-reachable, readable without colour: the level
// name is written in each cell). #/supply/COMMODITY/PARTNER: the level explanation (GET
// /api/v1/supply/explain/C/P, as `supply explain --json`): fired rules with values and
// thresholds, indicators, data freshness and gaps; production shares, import sources and the
// price and trade series with anomalies and events (GET /api/v1/supply/series/C?partner=P)
// when the server has them. Both documents can also be opened from files, offline.
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
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Commodity'), partners.map((p) => h('th', { scope: 'col' }, p)))),
      h('tbody', {}, commodities.map((c) => h('tr', {},
        h('th', { scope: 'row' }, c),
        partners.map((p) => {
          const a = cell.get(`${c}|${p}`);
          if (!a) return h('td', { class: 'lvl-na' }, '—');
          const l = levelOf(a);
          const name = l === null ? 'no data' : LEVELS[l];
          const fired = (a.fired || []).map((f) => f.rule).join(', ');
          return h('td', { class: `lvl lvl-${l ?? 'na'}`, dataset: { commodity: c, partner: p, level: l ?? '' } },
            h('a', { href: `#/supply/${encodeURIComponent(c)}/${encodeURIComponent(p)}`, title: fired ? `rules: ${fired}` : 'no rule fired',
              'aria-label': `${c} for ${p}: ${name}` }, name));
        }))))),
    h('ul', { class: 'legend', 'aria-label': 'Levels' }, LEVELS.map((n, i) => h('li', {}, h('span', { class: `swatch lvl-${i}` }), `${i} ${n}`))));
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

async function seriesChart(el, s) {
  try { await loadLib('echarts'); } catch { el.append(libMissing('echarts')); return; }
  const chart = window.echarts.init(el, null, { renderer: 'canvas' });
  const lines = [];
  const mk = (name, pts, axis) => ({
    name, type: 'line', yAxisIndex: axis, showSymbol: false, data: pts.map((p) => [p.period || p.date || p.t, p.value ?? p.v]),
  });
  if (s.price && s.price.length) lines.push(mk(`price${s.price_unit ? ` (${s.price_unit})` : ''}`, s.price, 0));
  if (s.trade && s.trade.length) lines.push(mk('imports (USD)', s.trade, 1));
  const anomalies = (s.anomalies || []).map((a) => ({ name: a.detector || a.kind || 'anomaly', coord: [a.period || a.date, a.value], value: a.detector || '!' }));
  // Pins without text (they crowd); the name shows on hover and in the list under the chart.
  if (lines[0]) lines[0].markPoint = { symbol: 'pin', symbolSize: 22, itemStyle: { color: '#b3261e' }, label: { show: false }, tooltip: { formatter: (p) => `${p.data.coord[0]}: ${p.name}` }, data: anomalies };
  const events = (s.events || []).map((e) => ({ xAxis: e.period || e.date || e.effective, label: { formatter: e.title || e.name || e.kind || 'event', color: '#111' } }));
  if (lines[0]) lines[0].markLine = { symbol: 'none', lineStyle: { color: '#6a3d9a', type: 'dashed' }, data: events };
  chart.setOption({
    animation: false, color: ['#0b5cad', '#a15c00'], tooltip: { trigger: 'axis' }, legend: { top: 0 },
    grid: { left: 60, right: 70, top: 40, bottom: 40 },
    xAxis: { type: 'category' },
    yAxis: [{ type: 'value', name: 'price', scale: true }, { type: 'value', name: s.trade && s.trade.length ? 'imports' : '', scale: true, show: !!(s.trade && s.trade.length) }],
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
    fresh.push({ what: k, first: v.first, last: v.last, basis: v.basis || v.series || '', behind: v.months_behind_today, missing: v.missing_months_last_12 });
  }
  const ind = Object.entries(x.indicators || {}).map(([k, v]) => ({ k, v }));
  return h('div', { class: 'explain', id: 'supply-explain' },
    h('p', { class: 'level-line' }, h('span', { class: `badge lvl lvl-${l ?? 'na'}` }, `level ${l ?? '—'}: ${l === null ? 'no data' : LEVELS[l]}`),
      ` for ${x.partner} in ${x.period || '—'}`, x.top_supplier ? ` · top supplier ${x.top_supplier}` : '', x.top_producer ? ` · top producer ${x.top_producer}` : ''),
    h('h2', {}, 'Why this level'),
    (x.fired && x.fired.length) ? table('Fired rules', [
      { key: 'rule', label: 'Rule' }, { key: 'level', label: 'Level' }, { key: 'indicator', label: 'Indicator' },
      { key: 'value', label: 'Value', render: (r) => num(r.value) }, { key: 'op', label: 'Test', render: (r) => `${r.op} ${num(r.threshold)}` },
      { key: 'source', label: 'Source of the threshold' }], x.fired, { class: 'fired' })
      : h('p', {}, 'No rule fired.'),
    (x.not_evaluated && x.not_evaluated.length) ? h('p', { class: 'hint' }, 'Not evaluated: ', x.not_evaluated.map((n) => `${n.rule} (${n.indicator}: ${n.why})`).join('; ')) : null,
    h('details', {}, h('summary', {}, `All indicators (${ind.length})`), table('', [{ key: 'k', label: 'Indicator' }, { key: 'v', label: 'Value', render: (r) => num(r.v, 4) }], ind)),
    fresh.length ? table('Data freshness', [{ key: 'what', label: 'Data' }, { key: 'basis', label: 'Basis' }, { key: 'first', label: 'From' }, { key: 'last', label: 'To' },
      { key: 'behind', label: 'Months behind today', render: (r) => r.behind ?? '—' }, { key: 'missing', label: 'Missing months (last 12)', render: (r) => r.missing ?? '—' }], fresh) : null,
    (d.gaps && d.gaps.length) ? h('div', {}, h('h3', {}, 'Gaps'), h('ul', {}, d.gaps.map((g) => h('li', {}, g)))) : null,
    (x.events_last_12_months && x.events_last_12_months.length) ? h('div', {}, h('h3', {}, 'Events in the last 12 months'),
      h('ul', {}, x.events_last_12_months.map((e) => h('li', {}, typeof e === 'string' ? e : `${e.date || e.period || ''} ${e.title || e.description || e.kind || ''}`)))) : null);
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
  box.append(h('h2', {}, 'Price and trade'), chart);
  const marks = [...(s.anomalies || []).map((a) => ({ when: a.period || a.date, what: `anomaly: ${a.detector || a.kind || ''}` })),
    ...(s.events || []).map((e) => ({ when: e.period || e.date || e.effective, what: `event: ${e.title || e.name || e.kind || ''}` }))]
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
