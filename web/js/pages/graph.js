// graph.js: the fund-flow graph of a trace (cytoscape). Accepts the trace document of
// `chainwatch trace --json` / GET /api/v1/trace (nodes and edges) or an alert's evidence
// (a trace object, or paths as lists of hops) and normalises it. Shows amounts on edges, hop
// depth (a slider hides deeper hops; clicking a node reveals its hidden successors, or asks
// the server to trace one hop further), entities coloured by category, CoinJoin and
// peel-chain marks; exports the graph as JSON, CSV (one row per edge) and PNG.
import { api, query, Unavailable } from '../api.js';
import { h, clear, flash, btc, short, download, toCsv, libMissing, loadLib } from '../ui.js';

export const CATEGORY_COLOURS = {
  theft: '#b3261e', sanctioned: '#7a0010', mixer: '#6a3d9a', exchange: '#0b5cad',
  exchange_deposit: '#3a86d4', bridge: '#00796b', service: '#2e7d32', gambling: '#a15c00',
  darknet: '#4a4a4a', unknown: '#8a8f98',
};
const colour = (c) => CATEGORY_COLOURS[c] || CATEGORY_COLOURS.unknown;

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
      value: null, coinjoin: !!t.coinjoin, peel: !!(t.peel || t.peel_chain) });
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
  const o = doc.options || {};
  return { nodes: [...nodes.values()], edges, meta: { model: o.model || doc.model, direction: o.direction, source: (doc.sources || []).map((s) => s.outpoint).join(' '), summary: doc.by_entity } };
}

export function normaliseTrace(doc) {
  if (!doc || typeof doc !== 'object') return null;
  const eng = doc.trace && Array.isArray(doc.trace.graph) ? doc.trace : doc;
  if (Array.isArray(eng.graph) && eng.graph.length && eng.graph[0].txid && Array.isArray(eng.graph[0].outputs)) return fromEngine(eng);
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
  }));
  return toCsv(rows, ['source', 'source_label', 'source_category', 'target', 'target_label', 'target_category', 'value_sat', 'value_btc', 'hop']);
}

// Mounts the graph into box. Returns a controller or null when cytoscape is missing.
export async function mountGraph(box, g, { title = 'trace' } = {}) {
  clear(box);
  try { await loadLib('cytoscape'); } catch { box.append(libMissing('cytoscape')); return null; }
  const maxHop = Math.max(0, ...g.nodes.map((n) => n.hop));
  let depth = Math.min(maxHop, 6);
  const revealed = new Set();
  const cats = [...new Set(g.nodes.map((n) => n.category))].sort();
  const depthInput = h('input', { type: 'range', id: 'hop-depth', min: 0, max: maxHop, value: depth, 'aria-describedby': 'hop-depth-value' });
  const depthOut = h('output', { id: 'hop-depth-value', for: 'hop-depth' }, `${depth} of ${maxHop}`);
  const legend = h('ul', { class: 'legend', 'aria-label': 'Entity categories' },
    cats.map((c) => h('li', {}, h('span', { class: 'swatch', style: `background:${colour(c)}` }), c)),
    h('li', {}, h('span', { class: 'swatch cj' }), 'CoinJoin'), h('li', {}, h('span', { class: 'swatch peel' }), 'peel chain'));
  const canvas = h('div', { class: 'graph', id: 'trace-graph', role: 'img', 'aria-label': `Fund-flow graph: ${g.nodes.length} nodes, ${g.edges.length} edges` });
  const info = h('div', { class: 'node-info', 'aria-live': 'polite' }, h('p', { class: 'hint' }, 'Click a node to see it and to reveal where its funds went next.'));
  const exp = (kind) => () => {
    if (kind === 'json') download(`${title}.json`, new Blob([JSON.stringify(g, null, 2)], { type: 'application/json' }));
    else if (kind === 'csv') download(`${title}.csv`, new Blob([edgesCsv(g)], { type: 'text/csv' }));
    else download(`${title}.png`, cy.png({ full: true, scale: 2, bg: '#ffffff', output: 'blob' }));
  };
  const toolbar = h('div', { class: 'toolbar' },
    h('label', { for: 'hop-depth' }, 'Hop depth '), depthInput, ' ', depthOut,
    h('button', { type: 'button', onclick: () => cy.fit(undefined, 30) }, 'Fit'),
    h('span', { class: 'spacer' }),
    h('button', { type: 'button', id: 'export-json', onclick: exp('json') }, 'Export JSON'),
    h('button', { type: 'button', id: 'export-csv', onclick: exp('csv') }, 'Export CSV'),
    h('button', { type: 'button', id: 'export-png', onclick: exp('png') }, 'Export PNG'));
  box.append(toolbar, legend, h('div', { class: 'graph-wrap' }, canvas, info));

  const elements = [
    ...g.nodes.map((n) => ({ group: 'nodes', data: { ...n, colour: colour(n.category), display: `${n.coinjoin ? '⬢ CJ ' : ''}${n.peel ? '↘ peel ' : ''}${short(n.label, 18)}` },
      classes: [n.coinjoin ? 'coinjoin' : '', n.peel ? 'peel' : '', n.hop === 0 ? 'origin' : ''].join(' ') })),
    ...g.edges.map((e) => ({ group: 'edges', data: { ...e, display: e.value === null ? '' : btc(e.value) } })),
  ];
  const cy = window.cytoscape({
    container: canvas, elements, wheelSensitivity: 0.3,
    style: [
      { selector: 'node', style: { 'background-color': 'data(colour)', label: 'data(display)', color: '#111', 'font-size': 11, 'min-zoomed-font-size': 8, 'text-valign': 'bottom', 'text-margin-y': 4, width: 28, height: 28, 'border-width': 2, 'border-color': '#fff', 'text-background-color': '#fff', 'text-background-opacity': 0.85, 'text-background-padding': 2 } },
      { selector: 'node[kind = "entity"]', style: { width: 44, height: 44, 'font-size': 13, 'font-weight': 'bold', 'min-zoomed-font-size': 0, shape: 'round-rectangle' } },
      { selector: 'node.origin', style: { width: 38, height: 38, 'border-color': '#111', 'border-width': 3 } },
      { selector: 'node.coinjoin', style: { shape: 'hexagon', 'border-color': '#e8a500', 'border-width': 4 } },
      { selector: 'node.peel', style: { 'border-style': 'dashed', 'border-color': '#111', 'border-width': 3 } },
      { selector: 'node:selected', style: { 'overlay-color': '#0b5cad', 'overlay-opacity': 0.25 } },
      { selector: 'edge', style: { width: 2, 'line-color': '#555', 'target-arrow-color': '#555', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', label: 'data(display)', 'font-size': 10, 'min-zoomed-font-size': 9, color: '#111', 'text-rotation': 'autorotate', 'text-background-color': '#fff', 'text-background-opacity': 0.9, 'text-background-padding': 2 } },
      { selector: '.hidden', style: { display: 'none' } },
    ],
    layout: { name: 'preset' },
  });
  const roots = cy.nodes('.origin');
  cy.layout({ name: 'breadthfirst', directed: true, roots: roots.length ? roots : undefined, spacingFactor: 1.3, padding: 20 }).run();
  function applyDepth() {
    cy.batch(() => {
      cy.nodes().forEach((n) => n.toggleClass('hidden', n.data('hop') > depth && !revealed.has(n.id())));
      cy.edges().forEach((e) => e.toggleClass('hidden', e.source().hasClass('hidden') || e.target().hasClass('hidden')));
    });
    depthOut.textContent = `${depth} of ${maxHop}`;
  }
  depthInput.addEventListener('input', () => { depth = Number(depthInput.value); applyDepth(); });
  applyDepth();
  cy.fit(undefined, 30);

  async function expand(node) {
    const hidden = node.outgoers('node').filter((n) => n.hasClass('hidden'));
    if (hidden.length) {
      hidden.forEach((n) => revealed.add(n.id()));
      applyDepth();
      flash(`Revealed ${hidden.length} next hop${hidden.length === 1 ? '' : 's'} from ${short(node.data('label'), 20)}.`, 'info');
      return;
    }
    if (node.outgoers('node').length) return;
    try {
      const more = normaliseTrace(await api(`trace${query({ from: node.id(), max_hops: 1, model: g.meta.model, direction: g.meta.direction })}`));
      if (!more) return;
      const base = node.data('hop');
      let added = 0;
      for (const n of more.nodes) {
        if (cy.getElementById(n.id).length) continue;
        const d = { ...n, hop: base + n.hop, colour: colour(n.category), display: `${n.coinjoin ? '⬢ CJ ' : ''}${n.peel ? '↘ peel ' : ''}${short(n.label, 18)}` };
        g.nodes.push(d); cy.add({ group: 'nodes', data: d, classes: [n.coinjoin ? 'coinjoin' : '', n.peel ? 'peel' : ''].join(' ') }); revealed.add(n.id); added++;
      }
      for (const e of more.edges) {
        const id = `x${g.edges.length}`;
        const d = { ...e, id, hop: base + e.hop, display: e.value === null ? '' : btc(e.value) };
        g.edges.push(d); cy.add({ group: 'edges', data: d });
      }
      if (added) cy.layout({ name: 'breadthfirst', directed: true, spacingFactor: 1.3, padding: 20 }).run();
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
    clear(info).append(h('h3', {}, short(d.label, 40)), h('dl', { class: 'facts' },
      h('dt', {}, 'Id'), h('dd', { class: 'mono' }, d.id),
      h('dt', {}, 'Kind'), h('dd', {}, d.kind),
      h('dt', {}, 'Category'), h('dd', {}, h('span', { class: 'swatch', style: `background:${colour(d.category)}` }), ` ${d.category}`),
      d.entity ? [h('dt', {}, 'Entity'), h('dd', {}, d.entity)] : null,
      h('dt', {}, 'Hop'), h('dd', {}, d.hop),
      h('dt', {}, 'Received'), h('dd', {}, inflow ? btc(inflow) : '—'),
      h('dt', {}, 'Sent on'), h('dd', {}, outflow ? btc(outflow) : '—'),
      d.coinjoin ? [h('dt', {}, 'Pattern'), h('dd', {}, 'CoinJoin')] : null,
      d.peel ? [h('dt', {}, 'Pattern'), h('dd', {}, 'peel-chain link')] : null),
    h('p', {}, h('a', { href: `#/investigate?q=${encodeURIComponent(d.id)}` }, 'Investigate this')));
  }
  cy.on('tap', 'node', (ev) => { describe(ev.target); expand(ev.target); });
  // Keyboard: the graph takes focus; arrows move between nodes in id order, Enter expands.
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
  return { cy, graph: g };
}

// A summary table of where the value ended: per entity/category, sum of incoming amounts of
// the nodes that have no outgoing edge (the ends of the flow).
export function endpoints(g) {
  const out = new Set(g.edges.map((e) => e.source));
  const into = new Map();
  for (const e of g.edges) into.set(e.target, (into.get(e.target) || 0) + (Number(e.value) || 0));
  let ends = g.nodes.filter((n) => !out.has(n.id) && into.has(n.id));
  if (ends.some((n) => n.kind === 'entity')) ends = ends.filter((n) => n.kind === 'entity'); // labelled ends
  return ends.map((n) => ({ ...n, received: into.get(n.id) })).sort((a, b) => b.received - a.received);
}
