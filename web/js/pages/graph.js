// graph.js: the fund-flow graph of a trace (cytoscape). Accepts the trace document of
// `chainwatch trace --json` / GET /api/v1/trace (nodes and edges) or an alert's evidence
// (a trace object, or paths as lists of hops) and normalises it. Readable at 100-2,000 nodes:
// hops laid out left to right (one column per hop, exchanges at their hop); runs of
// transactions that each pass the value on to one next transaction (peel chains: one output
// goes on, the other ends) are collapsed into one "chain of N" node, expanded by a click; at
// most MAX_DRAWN nodes are drawn before the user expands something (deeper hops wait behind
// the hop-depth slider, with a notice); filters by minimum amount and by block height; a
// notice when the server truncated the trace. Amounts on edges, entities coloured by category,
// CoinJoin and peel-chain marks. Clicking a node shows its facts and reveals its next hops (a
// transaction with none is traced one hop further through the API; an entity is an end).
// Exports (JSON, CSV, PNG) carry the TLP marking of what they were made from.
import { api, query, Unavailable } from '../api.js';
import { h, clear, flash, btc, short, download, toCsv, libMissing, loadLib } from '../ui.js';
import { isEvmTrace, fromEvmTrace, withEvmContinuations } from '../evm.js';

export const CATEGORY_COLOURS = {
  theft: '#b3261e', sanctioned: '#7a0010', mixer: '#6a3d9a', exchange: '#0b5cad',
  exchange_deposit: '#3a86d4', bridge: '#00796b', service: '#2e7d32', gambling: '#a15c00',
  darknet: '#4a4a4a', unknown: '#8a8f98',
};
const colour = (c) => CATEGORY_COLOURS[c] || CATEGORY_COLOURS.unknown;
export const MAX_DRAWN = 300;

function flagList(n) {
  const f = new Set(Array.isArray(n.flags) ? n.flags.map((x) => String(x).toLowerCase()) : []);
  if (n.coinjoin || n.is_coinjoin) f.add('coinjoin');
  if (n.peel || n.peel_chain || n.is_peel) f.add('peel');
  if (f.has('peel-chain') || f.has('peel_chain')) f.add('peel');
  return f;
}

// Normalised graph: {nodes:[{id,kind,label,category,entity,hop,value,coinjoin,peel}],
// edges:[{id,source,target,value,hop}], meta}
// `chainwatch trace --json` (docs/TRACE-MODELS.md): graph is a list of transactions with
// inputs and outputs carrying the traced value; by_address says which ending addresses are
// labelled (entity, category). Edges: tx -> tx where an output is spent inside the graph;
// tx -> entity for outputs that stopped at a labelled address.
function fromEngine(doc) {
  const spentBy = new Map();
  for (const t of doc.graph) for (const i of t.inputs || []) spentBy.set(i.outpoint, t.txid);
  const minHop = Math.min(...doc.graph.map((t) => Number(t.hop) || 0));
  const info = new Map((doc.by_address || []).map((a) => [a.address, a]));
  const nodes = new Map(), agg = new Map();
  for (const t of doc.graph) {
    nodes.set(t.txid, { id: t.txid, kind: 'tx', label: t.txid, category: 'unknown', entity: '', hop: (Number(t.hop) || 0) - minHop,
      value: null, coinjoin: !!t.coinjoin, peel: !!(t.peel || t.peel_chain), height: t.height ?? null });
  }
  const add = (s, d, v, hop) => { const k = `${s}>${d}`; const e = agg.get(k); if (e) e.value += v; else agg.set(k, { source: s, target: d, value: v, hop }); };
  for (const t of doc.graph) {
    const hop = nodes.get(t.txid).hop + 1;
    for (const o of t.outputs || []) {
      const v = Number(o.traced ?? o.value) || 0;
      const to = spentBy.get(o.outpoint);
      if (to && nodes.has(to)) { if (to !== t.txid) add(t.txid, to, v, hop); continue; }
      const a = info.get(o.address);
      if (!a || !(a.entity || a.category)) continue;
      const id = `entity:${a.entity || a.category}`;
      if (!nodes.has(id)) nodes.set(id, { id, kind: 'entity', label: a.entity || a.category, category: (a.category || 'unknown').toLowerCase(), entity: a.entity || '', hop, value: null, coinjoin: false, peel: false });
      else nodes.get(id).hop = Math.min(nodes.get(id).hop, hop);
      add(t.txid, id, v, hop);
    }
  }
  const edges = [...agg.values()].map((e, i) => ({ id: `e${i}`, ...e }));
  // peel-chain links: a transaction that passes the traced value on to exactly one next
  // transaction while another of its outputs ends (at a labelled address or unspent)
  const txOut = new Map();
  for (const e of edges) if (nodes.get(e.target)?.kind === 'tx') txOut.set(e.source, (txOut.get(e.source) || 0) + 1);
  for (const t of doc.graph) {
    const n = nodes.get(t.txid);
    const outs = (t.outputs || []).filter((o) => Number(o.traced) > 0);
    if (!n.coinjoin && txOut.get(t.txid) === 1 && outs.length === 2) n.peel = true;
  }
  const o = doc.options || {};
  return { nodes: [...nodes.values()], edges, meta: { model: o.model || doc.model, direction: o.direction, source: (doc.sources || []).map((s) => s.outpoint).join(' '), summary: doc.by_entity,
    truncated: !!(doc.graph_truncated || (doc.stats && doc.stats.truncated)), stop_at: o.stop_at } };
}

export function normaliseTrace(doc) {
  if (!doc || typeof doc !== 'object') return null;
  // an EVM trace (ends with assets and exact base units; bridge exits into Bitcoin): evm.js
  if (isEvmTrace(doc)) return fromEvmTrace(doc, fromEngine);
  if (doc.trace && isEvmTrace(doc.trace)) return fromEvmTrace(doc.trace, fromEngine);
  const eng = doc.trace && Array.isArray(doc.trace.graph) ? doc.trace : doc;
  // a Bitcoin trace continued into EVM stores (evm_continuations): the crossings, evm.js
  if (Array.isArray(eng.graph) && eng.graph.length && eng.graph[0].txid && Array.isArray(eng.graph[0].outputs)) return withEvmContinuations(fromEngine(eng), eng, fromEngine);
  const t = doc.trace && typeof doc.trace === 'object' ? doc.trace : doc.graph && typeof doc.graph === 'object' ? doc.graph : doc;
  if (Array.isArray(t.nodes) && Array.isArray(t.edges)) {
    const nodes = t.nodes.map((n) => {
      const id = String(n.id ?? n.txid ?? n.address ?? n.cluster ?? n.outpoint);
      const f = flagList(n);
      return {
        id, kind: n.kind || n.type || (n.txid ? 'tx' : n.address ? 'address' : 'node'),
        label: n.label || n.entity || n.name || n.address || n.txid || id,
        category: (n.category || n.entity_category || (n.labels && n.labels[0] && n.labels[0].category) || 'unknown').toLowerCase(),
        entity: n.entity || n.name || '', hop: Number(n.hop ?? n.hops ?? n.depth ?? 0),
        value: n.value ?? n.amount ?? n.received ?? null, coinjoin: f.has('coinjoin'), peel: f.has('peel'),
      };
    });
    const known = new Set(nodes.map((n) => n.id));
    const edges = [];
    t.edges.forEach((e, i) => {
      const s = String(e.source ?? e.from ?? e.src), d = String(e.target ?? e.to ?? e.dst);
      if (!known.has(s) || !known.has(d)) return;
      edges.push({ id: `e${i}`, source: s, target: d, value: e.value ?? e.amount ?? e.sat ?? e.taint ?? null, hop: Number(e.hop ?? e.hops ?? 0) });
    });
    for (const e of edges) { // a node without a hop takes its edge's
      const n = nodes.find((x) => x.id === e.target);
      if (n && !n.hop && e.hop) n.hop = e.hop;
    }
    return { nodes, edges, meta: { model: t.model || doc.model, direction: t.direction || doc.direction, source: t.source || t.from || doc.from, summary: t.summary || doc.summary } };
  }
  if (Array.isArray(t.paths) && t.paths.length && Array.isArray(t.paths[0])) {
    const nodes = new Map(), edges = new Map();
    for (const path of t.paths) {
      let prev = null;
      path.forEach((step, hop) => {
        const id = String(step.id ?? step.address ?? step.txid ?? `${hop}`);
        if (!nodes.has(id)) {
          const f = flagList(step);
          nodes.set(id, { id, kind: step.address ? 'address' : step.txid ? 'tx' : 'node', label: step.entity || step.label || step.address || step.txid || id,
            category: (step.category || 'unknown').toLowerCase(), entity: step.entity || '', hop, value: step.value ?? null, coinjoin: f.has('coinjoin'), peel: f.has('peel') });
        }
        if (prev) {
          const k = `${prev}>${id}`;
          const v = step.value ?? step.amount ?? null;
          if (!edges.has(k)) edges.set(k, { id: `e${edges.size}`, source: prev, target: id, value: v, hop });
        }
        prev = id;
      });
    }
    return { nodes: [...nodes.values()], edges: [...edges.values()], meta: { model: t.model, source: t.source } };
  }
  return null;
}

export function traceFromEvidence(ev) {
  try { return normaliseTrace(ev); } catch { return null; }
}

export function edgesCsv(g) {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const rows = g.edges.map((e) => ({
    source: e.source, source_label: byId.get(e.source).label, source_category: byId.get(e.source).category,
    target: e.target, target_label: byId.get(e.target).label, target_category: byId.get(e.target).category,
    value_sat: e.value, value_btc: e.value === null ? '' : (Number(e.value) / 1e8).toFixed(8), hop: e.hop,
    amount: e.text || '', kind: e.kind || 'transfer',
  }));
  const cols = ['source', 'source_label', 'source_category', 'target', 'target_label', 'target_category', 'value_sat', 'value_btc', 'hop'];
  // EVM traces (evm.js): exact amounts with their symbols, and the edge kind (bridge)
  if (g.meta && (g.meta.evm || g.meta.crossings)) cols.push('amount', 'kind');
  return toCsv(rows, cols);
}

// Collapses runs of chain transactions (one traced input edge from a transaction, one traced
// output edge to a transaction, not a CoinJoin) of at least 3 into one node. Returns
// {nodes, edges, groups: Map(groupId -> [member ids])}.
export function collapseChains(g) {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const ins = new Map(), outs = new Map();
  for (const e of g.edges) {
    if (byId.get(e.source)?.kind !== 'tx' || byId.get(e.target)?.kind !== 'tx') continue;
    (outs.get(e.source) || outs.set(e.source, []).get(e.source)).push(e.target);
    (ins.get(e.target) || ins.set(e.target, []).get(e.target)).push(e.source);
  }
  const linear = (id) => { const n = byId.get(id); return n && n.kind === 'tx' && !n.coinjoin && (ins.get(id) || []).length === 1 && (outs.get(id) || []).length === 1; };
  const groupOf = new Map(), groups = new Map();
  for (const n of g.nodes) {
    if (!linear(n.id) || groupOf.has(n.id)) continue;
    const prev = ins.get(n.id)[0];
    if (linear(prev)) continue; // not the head of a run
    const run = [];
    for (let cur = n.id; linear(cur) && !groupOf.has(cur); cur = outs.get(cur)[0]) run.push(cur);
    if (run.length < 3) continue;
    const gid = `chain:${run[0]}`;
    groups.set(gid, run);
    for (const m of run) groupOf.set(m, gid);
  }
  const nodes = [], edges = new Map();
  for (const n of g.nodes) if (!groupOf.has(n.id)) nodes.push(n);
  for (const [gid, run] of groups) {
    const first = byId.get(run[0]);
    const heights = run.map((m) => byId.get(m).height).filter((x) => x !== null && x !== undefined);
    nodes.push({ id: gid, kind: 'chain', label: `chain of ${run.length} txs`, category: 'unknown', entity: '', hop: first.hop, value: null, coinjoin: false,
      peel: run.some((m) => byId.get(m).peel), members: run.length, height: heights.length ? Math.min(...heights) : null, lastHop: byId.get(run[run.length - 1]).hop });
  }
  for (const e of g.edges) {
    const s = groupOf.get(e.source) || e.source, d = groupOf.get(e.target) || e.target;
    if (s === d) continue;
    const k = `${s}>${d}`;
    const x = edges.get(k);
    if (x) x.value = (Number(x.value) || 0) + (Number(e.value) || 0);
    else edges.set(k, { ...e, id: `c${edges.size}`, source: s, target: d });
  }
  return { nodes, edges: [...edges.values()], groups };
}

// Left-to-right positions: one column per hop (a tall hop wraps into sub-columns of at most
// PER_COL nodes), nodes of a column in the order of their first predecessor (fewer crossings).
const PER_COL = 18;
function layoutLR(cy) {
  const cols = new Map();
  cy.nodes(':visible').forEach((n) => { const hp = n.data('hop'); (cols.get(hp) || cols.set(hp, []).get(hp)).push(n); });
  const yOf = new Map();
  let x0 = 0;
  for (const hp of [...cols.keys()].sort((a, b) => a - b)) {
    const col = cols.get(hp);
    const key = (n) => { const p = n.incomers('node:visible'); return p.length ? Math.min(...p.map((x) => yOf.get(x.id()) ?? 0)) : 0; };
    col.sort((a, b) => key(a) - key(b) || (a.id() < b.id() ? -1 : 1));
    const subs = Math.ceil(col.length / PER_COL), per = Math.ceil(col.length / subs);
    col.forEach((n, i) => {
      const sub = Math.floor(i / per), row = i % per;
      const y = (row - (per - 1) / 2) * 64 + (sub % 2) * 32;
      yOf.set(n.id(), y);
      n.position({ x: x0 + sub * 70, y });
    });
    x0 += (subs - 1) * 70 + 200;
  }
}

function tlpText(tlp) { return `TLP:${String(tlp || 'amber').toUpperCase()}`; }

// A PNG with the TLP marking in a band on top (TLP 2.0: the label in the document itself).
async function markedPng(blob, tlp) {
  const img = await createImageBitmap(blob);
  const band = Math.max(40, Math.round(img.width / 40));
  const c = document.createElement('canvas');
  c.width = img.width; c.height = img.height + band;
  const x = c.getContext('2d');
  x.fillStyle = '#ffffff'; x.fillRect(0, 0, c.width, c.height);
  x.fillStyle = '#000000'; x.fillRect(0, 0, c.width, band);
  x.font = `bold ${Math.round(band * 0.6)}px sans-serif`;
  x.fillStyle = { 'TLP:RED': '#ff2b2b', 'TLP:AMBER': '#ffc000', 'TLP:AMBER+STRICT': '#ffc000', 'TLP:GREEN': '#33ff00', 'TLP:CLEAR': '#ffffff' }[tlpText(tlp)] || '#ffc000';
  x.textBaseline = 'middle';
  x.fillText(tlpText(tlp), band / 3, band / 2);
  x.drawImage(img, 0, band);
  return new Promise((resolve) => c.toBlob(resolve, 'image/png'));
}

// Mounts the graph into box. Returns a controller or null when cytoscape is missing.
// tlp: the marking of what the graph was made from (an alert's TLP; amber by default).
export async function mountGraph(box, g, { title = 'trace', tlp = 'amber' } = {}) {
  clear(box);
  try { await loadLib('cytoscape'); } catch { box.append(libMissing('cytoscape')); return null; }
  const full = g;
  const col = collapseChains(full);
  const expanded = new Set(); // chain groups the user opened
  const maxHop = Math.max(0, ...full.nodes.map((n) => n.hop));
  // the deepest hop that keeps the drawn graph at most MAX_DRAWN nodes
  const perHop = new Map();
  for (const n of col.nodes) perHop.set(n.hop, (perHop.get(n.hop) || 0) + 1);
  let depth = maxHop, acc = 0;
  for (let hp = 0; hp <= maxHop; hp++) { acc += perHop.get(hp) || 0; if (acc > MAX_DRAWN) { depth = Math.max(0, hp - 1); break; } }
  let minValue = 0, minHeight = null, maxHeight = null;
  const heights = full.nodes.map((n) => n.height).filter((x) => x !== null && x !== undefined);
  const revealed = new Set();
  const cats = [...new Set(full.nodes.map((n) => n.category))].sort();
  const depthInput = h('input', { type: 'range', id: 'hop-depth', min: 0, max: maxHop, value: depth, 'aria-describedby': 'hop-depth-value' });
  const depthOut = h('output', { id: 'hop-depth-value', for: 'hop-depth' }, `${depth} of ${maxHop}`);
  const minInput = h('input', { type: 'number', id: 'min-btc', min: 0, step: 'any', value: '', placeholder: '0', size: 6 });
  const hFrom = h('input', { type: 'number', id: 'min-height', size: 7, placeholder: heights.length ? Math.min(...heights) : '' });
  const hTo = h('input', { type: 'number', id: 'max-height', size: 7, placeholder: heights.length ? Math.max(...heights) : '' });
  const legend = h('ul', { class: 'legend', 'aria-label': 'Entity categories' },
    cats.map((c) => h('li', {}, h('span', { class: 'swatch', style: `background:${colour(c)}` }), c)),
    h('li', {}, h('span', { class: 'swatch cj' }), 'CoinJoin'), h('li', {}, h('span', { class: 'swatch peel' }), 'peel chain'),
    col.groups.size ? h('li', {}, h('span', { class: 'swatch', style: 'background:#fff;border:2px dashed #111' }), 'chain of txs (click to expand)') : null);
  const notices = h('div', { class: 'graph-notices', id: 'graph-notices', 'aria-live': 'polite' });
  const canvas = h('div', { class: 'graph', id: 'trace-graph', role: 'img', 'aria-label': `Fund-flow graph: ${full.nodes.length} nodes, ${full.edges.length} edges` });
  const info = h('div', { class: 'node-info', 'aria-live': 'polite' }, h('p', { class: 'hint' }, 'Click a node to see it and to reveal where its funds went next.'));
  const exp = (kind) => async () => {
    const mark = tlpText(tlp);
    const base = `${title}.${mark.replace('TLP:', 'tlp-').replace('+', '-').toLowerCase()}`;
    if (kind === 'json') download(`${base}.json`, new Blob([JSON.stringify({ tlp: mark, marking: `${mark} (FIRST TLP 2.0)`, graph: full }, null, 2)], { type: 'application/json' }));
    else if (kind === 'csv') download(`${base}.csv`, new Blob([`# ${mark} (FIRST TLP 2.0)\r\n${edgesCsv(full)}`], { type: 'text/csv' }));
    else download(`${base}.png`, await markedPng(cy.png({ full: true, scale: 2, bg: '#ffffff', output: 'blob' }), tlp));
  };
  const toolbar = h('div', { class: 'toolbar' },
    h('label', { for: 'hop-depth' }, 'Hop depth '), depthInput, ' ', depthOut,
    // an EVM trace's amounts are per asset (no one unit): the filter is in BTC and reads only
    // the Bitcoin edges (a bridge's continuation), never hiding an EVM transfer
    h('label', { for: 'min-btc' }, g.meta && (g.meta.evm || g.meta.crossings) ? ' Min amount (BTC; Bitcoin edges only) ' : ' Min amount (BTC) '), minInput,
    heights.length ? [h('label', { for: 'min-height' }, ' Blocks from '), hFrom, h('label', { for: 'max-height' }, ' to '), hTo] : null,
    h('button', { type: 'button', onclick: () => cy.fit(undefined, 30) }, 'Fit'),
    h('span', { class: 'spacer' }),
    h('span', { class: 'hint' }, `exports marked ${tlpText(tlp)} `),
    h('button', { type: 'button', id: 'export-json', onclick: exp('json') }, 'Export JSON'),
    h('button', { type: 'button', id: 'export-csv', onclick: exp('csv') }, 'Export CSV'),
    h('button', { type: 'button', id: 'export-png', onclick: exp('png') }, 'Export PNG'));
  box.append(toolbar, legend, notices, h('div', { class: 'graph-wrap' }, canvas, info));

  const display = (n) => n.kind === 'chain' ? `⋯ ${n.label}${n.peel ? ' (peel)' : ''}` : `${n.coinjoin ? '⬢ CJ ' : ''}${n.peel ? '↘ peel ' : ''}${short(n.label, 18)}`;
  const nodeEl = (n) => ({ group: 'nodes', data: { ...n, colour: colour(n.category), display: display(n) },
    classes: [n.coinjoin ? 'coinjoin' : '', n.peel ? 'peel' : '', n.hop === 0 ? 'origin' : '', n.kind === 'chain' ? 'chain' : ''].join(' ') });
  // EVM edges carry their exact amounts as text (asset symbols, decimals: evm.js)
  const edgeEl = (e) => ({ group: 'edges', data: { ...e, kind: e.kind || 'transfer', display: e.text ?? (e.value === null ? '' : btc(e.value)) }, classes: e.kind === 'bridge' || e.kind === 'refund' ? 'bridge' : '' });
  const cy = window.cytoscape({
    container: canvas, elements: [...col.nodes.map(nodeEl), ...col.edges.map(edgeEl)], wheelSensitivity: 0.3,
    style: [
      { selector: 'node', style: { 'background-color': 'data(colour)', label: 'data(display)', color: '#111', 'font-size': 11, 'min-zoomed-font-size': 7, 'text-valign': 'bottom', 'text-margin-y': 4, width: 28, height: 28, 'border-width': 2, 'border-color': '#fff', 'text-background-color': '#fff', 'text-background-opacity': 0.85, 'text-background-padding': 2, 'text-wrap': 'ellipsis', 'text-max-width': 150 } },
      { selector: 'node[kind = "entity"]', style: { width: 44, height: 44, 'font-size': 13, 'font-weight': 'bold', 'min-zoomed-font-size': 0, shape: 'round-rectangle' } },
      { selector: 'node.chain', style: { shape: 'round-rectangle', width: 60, height: 24, 'background-color': '#fff', 'border-color': '#111', 'border-style': 'dashed', 'border-width': 2 } },
      { selector: 'node.origin', style: { width: 38, height: 38, 'border-color': '#111', 'border-width': 3 } },
      { selector: 'node.coinjoin', style: { shape: 'hexagon', 'border-color': '#e8a500', 'border-width': 4 } },
      { selector: 'node.peel', style: { 'border-style': 'dashed', 'border-color': '#111', 'border-width': 3 } },
      { selector: 'node:selected', style: { 'overlay-color': '#0b5cad', 'overlay-opacity': 0.25 } },
      { selector: 'edge', style: { width: 2, 'line-color': '#555', 'target-arrow-color': '#555', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', label: 'data(display)', 'font-size': 10, 'min-zoomed-font-size': 9, color: '#111', 'text-rotation': 'autorotate', 'text-background-color': '#fff', 'text-background-opacity': 0.9, 'text-background-padding': 2 } },
      { selector: 'edge.bridge', style: { width: 4, 'line-style': 'dashed', 'line-color': CATEGORY_COLOURS.bridge, 'target-arrow-color': CATEGORY_COLOURS.bridge } },
      { selector: '.hidden', style: { display: 'none' } },
    ],
    layout: { name: 'preset' },
  });
  function noticesUpdate() {
    clear(notices);
    const drawn = cy.nodes(':visible').length;
    const total = cy.nodes().length;
    if (full.meta.truncated) notices.append(h('p', { class: 'notice', id: 'notice-truncated' }, 'The server truncated this trace (its node limit was reached): the graph is incomplete. Narrow it (fewer hops, a higher minimum value, stop at custodial services).'));
    if (drawn < total) notices.append(h('p', { class: 'notice', id: 'notice-hidden' }, `${drawn} of ${total} nodes drawn${depth < maxHop ? ` (hops up to ${depth} of ${maxHop}: move the hop-depth slider or click a node to see more)` : ''}${minValue || minHeight !== null || maxHeight !== null ? '; filters hide the rest' : ''}.`));
    if (col.groups.size) notices.append(h('p', { class: 'hint' }, `${col.groups.size} chain${col.groups.size === 1 ? '' : 's'} of transactions collapsed (${[...col.groups.values()].reduce((s, r) => s + r.length, 0)} txs): click one to expand it.`));
  }
  function visibleByFilters(n) {
    if (n.data('kind') === 'entity') return true;
    const ht = n.data('height');
    if (ht !== null && ht !== undefined) {
      if (minHeight !== null && ht < minHeight) return false;
      if (maxHeight !== null && ht > maxHeight) return false;
    }
    return true;
  }
  function applyDepth() {
    cy.batch(() => {
      cy.nodes().forEach((n) => n.toggleClass('hidden', (n.data('hop') > depth && !revealed.has(n.id())) || !visibleByFilters(n)));
      cy.edges().forEach((e) => e.toggleClass('hidden', e.source().hasClass('hidden') || e.target().hasClass('hidden') || (minValue > 0 && e.data('value') !== null && e.data('value') !== undefined && Number(e.data('value')) < minValue)));
      if (minValue > 0) cy.nodes().forEach((n) => { if (!n.hasClass('origin') && !n.connectedEdges(':visible').length) n.addClass('hidden'); });
    });
    depthOut.textContent = `${depth} of ${maxHop}`;
    layoutLR(cy);
    noticesUpdate();
  }
  depthInput.addEventListener('input', () => { depth = Number(depthInput.value); applyDepth(); });
  minInput.addEventListener('change', () => { minValue = Math.round((Number(minInput.value) || 0) * 1e8); applyDepth(); });
  hFrom.addEventListener('change', () => { minHeight = hFrom.value === '' ? null : Number(hFrom.value); applyDepth(); });
  hTo.addEventListener('change', () => { maxHeight = hTo.value === '' ? null : Number(hTo.value); applyDepth(); });
  applyDepth();
  cy.fit(undefined, 30);

  function expandChain(node) {
    const run = col.groups.get(node.id());
    if (!run || expanded.has(node.id())) return;
    expanded.add(node.id());
    const byId = new Map(full.nodes.map((n) => [n.id, n]));
    const inRun = new Set(run);
    cy.batch(() => {
      for (const m of run) { cy.add(nodeEl(byId.get(m))); revealed.add(m); }
      for (const e of full.edges) {
        if (!inRun.has(e.source) && !inRun.has(e.target)) continue;
        const s = cy.getElementById(e.source).length ? e.source : null, d = cy.getElementById(e.target).length ? e.target : null;
        if (s && d) cy.add(edgeEl({ ...e, id: `x-${e.id}` }));
      }
      node.remove();
    });
    applyDepth();
    flash(`Expanded a chain of ${run.length} transactions.`, 'info');
  }

  async function expand(node) {
    if (node.data('kind') === 'chain') { expandChain(node); return; }
    const hidden = node.outgoers('node').filter((n) => n.hasClass('hidden'));
    if (hidden.length) {
      hidden.forEach((n) => revealed.add(n.id()));
      applyDepth();
      flash(`Revealed ${hidden.length} next hop${hidden.length === 1 ? '' : 's'} from ${short(node.data('label'), 20)}.`, 'info');
      return;
    }
    if (node.outgoers('node').length) return;
    if (node.data('kind') !== 'tx') { flash(`${short(node.data('label'), 30)} is where the traced value stopped (${node.data('category')}).`, 'info'); return; }
    try {
      const more = normaliseTrace(await api(`trace${query({ from: node.id(), max_hops: 1, model: full.meta.model, direction: full.meta.direction })}`));
      if (!more) return;
      const base = node.data('hop');
      let added = 0;
      for (const n of more.nodes) {
        if (cy.getElementById(n.id).length) continue;
        const d = { ...n, hop: base + n.hop };
        full.nodes.push(d); cy.add(nodeEl(d)); revealed.add(n.id); added++;
      }
      for (const e of more.edges) {
        const id = `x${full.edges.length}`;
        const d = { ...e, id, hop: base + e.hop };
        full.edges.push(d);
        if (cy.getElementById(d.source).length && cy.getElementById(d.target).length) cy.add(edgeEl(d));
      }
      applyDepth();
      flash(added ? `Traced one hop further from ${short(node.id(), 20)}: ${added} new node(s).` : 'Nothing further: the funds stop here.', 'info');
    } catch (e) {
      if (e instanceof Unavailable) flash('Tracing further needs the trace API (/api/v1/trace), which this server does not offer yet.', 'warn');
      else flash(`Trace: ${e.message}`, 'error');
    }
  }
  function describe(node) {
    const d = node.data();
    const inflow = node.incomers('edge').reduce((s, e) => s + (Number(e.data('value')) || 0), 0);
    const outflow = node.outgoers('edge').reduce((s, e) => s + (Number(e.data('value')) || 0), 0);
    const link = d.kind === 'tx' ? d.id : d.kind === 'entity' ? d.entity || d.label : null;
    clear(info).append(h('h3', {}, short(d.label, 40)), h('dl', { class: 'facts' },
      h('dt', {}, 'Id'), h('dd', { class: 'mono' }, d.id),
      h('dt', {}, 'Kind'), h('dd', {}, d.kind === 'chain' ? `chain of ${d.members} transactions (hops ${d.hop}–${d.lastHop})` : d.kind),
      h('dt', {}, 'Category'), h('dd', {}, h('span', { class: 'swatch', style: `background:${colour(d.category)}` }), ` ${d.category}`),
      d.entity ? [h('dt', {}, 'Entity'), h('dd', {}, d.entity)] : null,
      h('dt', {}, 'Hop'), h('dd', {}, d.hop),
      d.height !== null && d.height !== undefined ? [h('dt', {}, 'Block'), h('dd', {}, d.height)] : null,
      d.chain ? [h('dt', {}, 'Chain'), h('dd', {}, d.chain)] : null,
      d.chain && d.chain !== 'bitcoin' ? [h('dt', {}, 'Traced here'), h('dd', {}, d.text || '—')] : [
        h('dt', {}, 'Received'), h('dd', {}, inflow ? btc(inflow) : '—'),
        h('dt', {}, 'Sent on'), h('dd', {}, outflow ? btc(outflow) : '—')],
      d.probable ? [h('dt', {}, 'Judgement'), h('dd', {}, 'probable')] : null,
      d.coinjoin ? [h('dt', {}, 'Pattern'), h('dd', {}, 'CoinJoin')] : null,
      d.peel ? [h('dt', {}, 'Pattern'), h('dd', {}, 'peel-chain link (probable: one output goes on, the other ends)')] : null),
    link ? h('p', {}, h('a', { href: `#/investigate?q=${encodeURIComponent(link)}` }, d.kind === 'tx' ? 'Open this transaction' : 'Search this entity')) : null);
  }
  cy.on('tap', 'node', (ev) => { describe(ev.target); expand(ev.target); });
  // Keyboard: the graph takes focus; arrows move between nodes in hop order, Enter expands.
  canvas.tabIndex = 0;
  let cur = -1;
  canvas.addEventListener('keydown', (ev) => {
    const vis = cy.nodes().filter((n) => !n.hasClass('hidden')).sort((a, b) => a.data('hop') - b.data('hop') || (a.id() < b.id() ? -1 : 1));
    if (!vis.length) return;
    if (ev.key === 'ArrowRight' || ev.key === 'ArrowDown') cur = (cur + 1) % vis.length;
    else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowUp') cur = (cur - 1 + vis.length) % vis.length;
    else if (ev.key === 'Enter' && cur >= 0) { expand(vis[cur]); ev.preventDefault(); return; } else return;
    ev.preventDefault();
    cy.nodes().unselect();
    vis[cur].select();
    describe(vis[cur]);
  });
  const ctl = { cy, graph: full, drawn: () => cy.nodes(':visible').length, total: () => cy.nodes().length };
  window.__cwGraph = ctl; // for the browser tests: what is drawn
  return ctl;
}

// A summary table of where the value ended: per entity/category, sum of incoming amounts of
// the nodes that have no outgoing edge (the ends of the flow).
export function endpoints(g) {
  const out = new Set(g.edges.map((e) => e.source));
  const into = new Map();
  for (const e of g.edges) into.set(e.target, (into.get(e.target) || 0) + (Number(e.value) || 0));
  // Bitcoin's ends only: a continuation's EVM nodes (chain set) have their own table
  let ends = g.nodes.filter((n) => !out.has(n.id) && into.has(n.id) && (!n.chain || n.chain === 'bitcoin'));
  if (ends.some((n) => n.kind === 'entity')) ends = ends.filter((n) => n.kind === 'entity'); // labelled ends
  return ends.map((n) => ({ ...n, received: into.get(n.id) })).sort((a, b) => b.received - a.received);
}
