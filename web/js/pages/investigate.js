// investigate.js: search an address, transaction, cluster or label (GET /api/v1/search?q=),
// its facts (cluster, exposure, labels with provenance), and the fund-flow graph of a trace
// (GET /api/v1/trace?from=...). A trace can also come from an alert's evidence (#/investigate
// ?alert=ID) or from a file written by `chainwatch trace --json` (opened here, offline).
import { api, seg, query } from '../api.js';
import { h, clear, errorPanel, btc, pct, table, readJsonFile } from '../ui.js';
import { normaliseTrace, mountGraph, endpoints, CATEGORY_COLOURS } from './graph.js';

function kindOf(q) {
  if (/^[0-9a-f]{64}(:\d+)?$/i.test(q)) return 'tx';
  if (/^(bc1|tb1|bcrt1)[0-9a-z]{8,}$/i.test(q) || /^[13mn2][1-9A-HJ-NP-Za-km-z]{25,34}$/.test(q) || /^0x[0-9a-f]{40}$/i.test(q)) return 'address';
  if (/^(cluster:)?\d+$/i.test(q)) return 'cluster';
  return 'label';
}

function labelsTable(labels) {
  return table('Labels, with provenance', [
    { key: 'entity', label: 'Entity' },
    { key: 'category', label: 'Category', render: (r) => [h('span', { class: 'swatch', style: `background:${CATEGORY_COLOURS[r.category] || CATEGORY_COLOURS.unknown}` }), ` ${r.category || '—'}`] },
    { key: 'source', label: 'Source' }, { key: 'date', label: 'Date' },
    { key: 'confidence', label: 'Confidence', render: (r) => (r.confidence ?? '—') },
    { key: 'program', label: 'Programme', render: (r) => r.program || r.programme || '—' },
  ], labels, { class: 'labels' });
}

function exposureTable(exp) {
  const rows = Array.isArray(exp) ? exp : Object.entries(exp).map(([category, v]) => (typeof v === 'object' ? { category, ...v } : { category, share: v }));
  return table('Exposure by category', [
    { key: 'category', label: 'Category' },
    { key: 'direct', label: 'Direct', render: (r) => (r.direct !== undefined ? pct(r.direct) : '—') },
    { key: 'share', label: 'Indirect / share', render: (r) => pct(r.indirect ?? r.share) },
    { key: 'hops', label: 'Within hops', render: (r) => r.hops ?? r.k ?? '—' },
  ], rows, { class: 'exposure' });
}

function factsView(doc) {
  const box = h('div', { class: 'facts-panel' });
  const c = doc.cluster || (doc.kind === 'cluster' ? doc : null);
  box.append(h('h2', {}, `${doc.kind || kindOf(String(doc.id || doc.query || ''))} ${doc.id || doc.query || ''}`));
  if (c) {
    box.append(h('h3', {}, 'Cluster'), h('dl', { class: 'facts' },
      h('dt', {}, 'Cluster'), h('dd', {}, c.id ?? c.cluster ?? '—'),
      h('dt', {}, 'Addresses'), h('dd', {}, c.size ?? c.n_addresses ?? '—'),
      c.received !== undefined ? [h('dt', {}, 'Received'), h('dd', {}, btc(c.received))] : null,
      c.balance !== undefined ? [h('dt', {}, 'Balance'), h('dd', {}, btc(c.balance))] : null,
      c.first_seen ? [h('dt', {}, 'First seen'), h('dd', {}, c.first_seen)] : null,
      c.last_seen ? [h('dt', {}, 'Last seen'), h('dd', {}, c.last_seen)] : null));
  }
  if (doc.exposure) box.append(exposureTable(doc.exposure));
  if (doc.labels && doc.labels.length) box.append(labelsTable(doc.labels));
  else box.append(h('p', { class: 'hint' }, 'No label.'));
  if (doc.results && doc.results.length) {
    box.append(table('Matches', [
      { key: 'kind', label: 'Kind' },
      { key: 'id', label: 'Id', render: (r) => h('a', { href: `#/investigate?q=${encodeURIComponent(r.id)}` }, r.id) },
      { key: 'label', label: 'Label' }], doc.results));
  }
  return box;
}

async function showTrace(box, doc, title) {
  const g = normaliseTrace(doc);
  clear(box);
  if (!g || !g.nodes.length) { box.append(h('p', { class: 'msg warn' }, 'This document holds no trace graph (expected nodes and edges, or paths).')); return; }
  box.append(h('h2', {}, 'Fund flow'), h('p', { class: 'hint' },
    [g.meta.model && `model ${g.meta.model}`, g.meta.direction, g.meta.source && `from ${g.meta.source}`, `${g.nodes.length} nodes, ${g.edges.length} edges`].filter(Boolean).join(' · ')));
  const graphBox = h('div', {});
  box.append(graphBox);
  await mountGraph(graphBox, g, { title });
  const ends = endpoints(g);
  if (ends.length) {
    box.append(table('Where the value ended', [
      { key: 'label', label: 'Entity / address' }, { key: 'category', label: 'Category' },
      { key: 'hop', label: 'Hop' }, { key: 'received', label: 'Amount', render: (r) => btc(r.received) }], ends, { class: 'endpoints', id: 'trace-endpoints' }));
  }
}

export async function render(view, { params, isCurrent }) {
  const q = (params.get('q') || '').trim();
  const model = params.get('model') || 'haircut';
  const hops = params.get('max_hops') || '6';
  view.append(h('h1', {}, 'Investigate'));
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Search the chain' },
    h('div', { class: 'field grow' }, h('label', { for: 'inv-q' }, 'Address, transaction, cluster or label'),
      h('input', { id: 'inv-q', name: 'q', value: q, placeholder: 'bc1q… / txid / cluster:123 / Lazarus', spellcheck: 'false' })),
    h('div', { class: 'field' }, h('label', { for: 'inv-model' }, 'Trace model'),
      h('select', { id: 'inv-model' }, ['haircut', 'poison', 'fifo'].map((m) => h('option', { value: m, selected: m === model }, m)))),
    h('div', { class: 'field' }, h('label', { for: 'inv-hops' }, 'Max hops'),
      h('input', { id: 'inv-hops', type: 'number', min: 1, max: 50, value: hops, size: 3 })),
    h('button', { type: 'submit', class: 'primary' }, 'Search'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = (id) => form.querySelector(`#${id}`).value.trim();
    location.hash = `#/investigate?${new URLSearchParams({ q: v('inv-q'), model: v('inv-model'), max_hops: v('inv-hops') })}`;
  });
  const fileIn = h('input', { type: 'file', id: 'trace-file', accept: '.json,application/json' });
  const traceBox = h('div', { class: 'trace', id: 'trace-box' });
  fileIn.addEventListener('change', async () => {
    const f = fileIn.files[0];
    if (!f) return;
    try { await showTrace(traceBox, await readJsonFile(f), f.name.replace(/\.json$/, '')); } catch (e) { clear(traceBox).append(errorPanel(e, f.name)); }
  });
  view.append(form, h('p', { class: 'file-open' }, h('label', { for: 'trace-file' }, 'Or open a trace file (chainwatch trace … --json): '), fileIn));
  const facts = h('div', { id: 'facts' });
  view.append(facts, traceBox);

  const alertId = params.get('alert');
  if (alertId) {
    try {
      const a = await api(`alerts/${seg(alertId)}`);
      if (!isCurrent()) return;
      facts.append(h('p', {}, 'Trace from alert ', h('a', { href: `#/alerts?id=${a.id}&status=` }, `#${a.id}: ${a.title}`)));
      await showTrace(traceBox, a.evidence, `alert-${a.id}-trace`);
    } catch (e) { facts.append(errorPanel(e, `Alert ${alertId}`)); }
    return;
  }
  if (!q) { facts.append(h('p', { class: 'hint' }, 'Search for something, open an alert\'s trace, or open a trace file.')); return; }
  try {
    const doc = await api(`search${query({ q, kind: kindOf(q) })}`);
    if (!isCurrent()) return;
    facts.append(factsView(doc));
  } catch (e) {
    facts.append(errorPanel(e, 'Search'));
  }
  try {
    const t = await api(`trace${query({ from: q, model, max_hops: hops })}`);
    if (!isCurrent()) return;
    await showTrace(traceBox, t, `trace-${q.slice(0, 16)}`);
  } catch (e) {
    traceBox.append(errorPanel(e, 'Trace'));
  }
}
