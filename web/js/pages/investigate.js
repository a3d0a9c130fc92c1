// investigate.js: search an address, transaction, cluster or label (GET /api/v1/search?q=),
// its facts (search.js: the address's and its cluster's own figures, labels with provenance;
// a cluster; the labels a name finds), exposure, and the fund-flow graph of a trace
// (GET /api/v1/trace?from=...: FIFO by default, stopping at custodial services: exchanges, mixers, bridges, instant exchangers; an address
// search traces from that address). A trace can also come from an alert (#/investigate
// ?alert=ID: the trace in its evidence, else a trace from its case's sources or its address)
// or from a file written by `chainwatch trace --json` (opened here, offline). A block (its
// height or hash) shows its facts and is not traced. A search for 0x
// transaction hashes, or an EVM case alert, traces on the node's EVM store
// (GET /api/v1/evm/trace): amounts exact per asset, a bridge exit as an edge into Bitcoin.
import { api, seg, query } from '../api.js';
import { h, clear, errorPanel, btc, pct, table, readJsonFile } from '../ui.js';
import { normaliseTrace, mountGraph, endpoints, CATEGORY_COLOURS } from './graph.js';
import { addressPanels, labelsWithProvenance, labelResults, clusterView } from './search.js';

// the server's default stops (cw_trace_opts_default_stops): the custodial services
export const STOP_AT = 'default';

function kindOf(q) {
  if (/^[0-9a-f]{64}(:\d+)?$/i.test(q)) return 'tx';
  if (/^(bc1|tb1|bcrt1)[0-9a-z]{8,}$/i.test(q) || /^[13mn2][1-9A-HJ-NP-Za-km-z]{25,34}$/.test(q) || /^0x[0-9a-f]{40}$/i.test(q)) return 'address';
  if (/^(cluster:)?\d+$/i.test(q)) return 'cluster';
  return 'label';
}

// Exposure: the share of the value the address received (minus its own change) that came from
// each category, within k hops backward (docs/TRACE-MODELS.md); direct and indirect amounts in
// BTC. A share is a fraction of received value, never above 100 %.
function exposureTable(exp) {
  const rows = Array.isArray(exp) ? exp : Object.entries(exp).map(([category, v]) => (typeof v === 'object' ? { category, ...v } : { category, share: v }));
  return table('Exposure: where the received value came from', [
    { key: 'category', label: 'Category', render: (r) => [h('span', { class: 'swatch', style: `background:${CATEGORY_COLOURS[r.category] || CATEGORY_COLOURS.unknown}` }), ` ${r.category}`] },
    { key: 'share', label: 'Share of received value', render: (r) => h('span', { class: 'share', dataset: { share: r.share ?? '' } }, r.share !== undefined && r.share !== null ? pct(r.share) : '—') },
    { key: 'direct', label: 'Direct (1 hop)', render: (r) => (r.direct !== undefined ? btc(r.direct) : '—') },
    { key: 'indirect', label: 'Indirect', render: (r) => (r.indirect !== undefined ? btc(r.indirect) : '—') },
    { key: 'hops', label: 'Nearest hop', render: (r) => r.hops ?? r.min_hops ?? '—' },
  ], rows, { class: 'exposure', id: 'exposure' });
}

function factsView(doc) {
  const box = h('div', { class: 'facts-panel' });
  const c = doc.cluster || (doc.kind === 'cluster' ? doc : null);
  const res = doc.result || {};
  box.append(h('h2', {}, `${doc.kind || kindOf(String(doc.id || doc.query || ''))} ${doc.id || doc.query || ''}`));
  if (doc.kind === 'tx' && doc.id) box.append(h('p', {}, h('a', { href: `#/tx/${doc.id}` }, 'Open the transaction page')));
  if (doc.kind === 'block' && res.height !== undefined) {
    // a block: its facts (the block page has its transactions); a block is not traced from
    box.append(h('dl', { class: 'facts', id: 'block-facts' },
      h('dt', {}, 'Height'), h('dd', {}, res.height),
      h('dt', {}, 'Hash'), h('dd', { class: 'mono' }, res.hash || '—'),
      h('dt', {}, 'On-chain time (UTC)'), h('dd', { id: 'block-time' }, res.time ? new Date(res.time * 1000).toISOString().replace('T', ' ').replace('.000Z', 'Z') : '—'),
      h('dt', {}, 'Transactions'), h('dd', {}, res.n_tx ?? '—'),
      res.fees !== undefined ? [h('dt', {}, 'Fees'), h('dd', {}, btc(res.fees))] : null),
    h('p', {}, h('a', { href: `#/block/${res.height}` }, 'Open the block page')));
  }
  if (doc.kind === 'labels') { clear(box).append(...labelResults(doc)); return box; }
  if (doc.kind === 'cluster') { clear(box).append(...clusterView(doc)); return box; }
  if (doc.kind === 'address') {
    // the address's own figures, then its cluster's own figures (search.js)
    box.append(...addressPanels(doc));
    const hist = res.txs;
    if (Array.isArray(hist) && hist.length) {
      box.append(table('History', [
        { key: 'txid', label: 'Txid', render: (r) => h('a', { class: 'mono', href: `#/tx/${r.txid}` }, r.txid) },
        { key: 'height', label: 'Block', render: (r) => (r.height !== undefined ? h('a', { href: `#/block/${r.height}` }, r.height) : '—') },
        { key: 'time', label: 'On-chain time (UTC)', render: (r) => (r.time ? new Date(r.time * 1000).toISOString().replace('T', ' ').replace('.000Z', 'Z') : '—') },
      ], hist.slice(0, 100), { id: 'address-history' }));
      if (res.tx_count > hist.length) box.append(h('p', { class: 'hint' }, `${hist.length} of ${res.tx_count} transactions shown (the newest first); more: chainwatch address ADDR --offset N`));
    }
  } else if (c) {
    box.append(h('h3', {}, 'Cluster'), h('dl', { class: 'facts' },
      h('dt', {}, 'Cluster'), h('dd', {}, c.id ?? c.cluster ?? '—'),
      h('dt', {}, 'Addresses'), h('dd', {}, c.size ?? c.n_addresses ?? '—')));
  }
  if (doc.exposure) box.append(exposureTable(doc.exposure));
  if (doc.kind === 'address' || (doc.labels && doc.labels.length)) box.append(labelsWithProvenance(doc.labels));
  if (doc.results && doc.results.length) {
    box.append(table('Matches', [
      { key: 'kind', label: 'Kind' },
      { key: 'id', label: 'Id', render: (r) => h('a', { href: `#/investigate?q=${encodeURIComponent(r.id)}` }, r.id) },
      { key: 'label', label: 'Label' }], doc.results));
  }
  return box;
}

// EVM traces: where the value ended, per asset with its symbol and decimals (exact amounts,
// evm.js), and what the trace took in and paid as gas.
function evmTables(g) {
  const frag = h('div', { class: 'evm-tables' });
  frag.append(table(`Where the value ended (${g.meta.chain}${g.meta.bridges ? `; ${g.meta.bridges} bridge exit${g.meta.bridges === 1 ? '' : 's'} into Bitcoin` : ''})`, [
    { key: 'label', label: 'Entity / address' }, { key: 'kind', label: 'Ended as', render: (r) => (r.frozen ? `${r.kind}, ${r.frozen}` : r.kind) }, { key: 'category', label: 'Category' },
    { key: 'hop', label: 'Hops' }, { key: 'text', label: 'Amount', render: (r) => `${r.text}${r.probable ? ' (probable)' : ''}` }], g.meta.ends, { class: 'endpoints', id: 'trace-endpoints' }));
  if (g.meta.totals.length) {
    frag.append(table('Traced per asset', [{ key: 'sym', label: 'Asset', render: (r) => (r.asset && (r.asset.symbol || r.asset.contract)) || '?' },
      { key: 'sourced', label: 'From the sources' }, { key: 'fees', label: 'Paid as gas' }], g.meta.totals, { class: 'evm-totals', id: 'trace-totals' }));
  }
  return frag;
}

export async function showTrace(box, doc, title, tlp) {
  const g = normaliseTrace(doc);
  clear(box);
  if (!g || !g.nodes.length) { box.append(h('p', { class: 'msg warn' }, 'This document holds no trace graph (expected nodes and edges, or paths).')); return; }
  // a trace of a store holding a generated world (GET /api/v1/evm/trace: synthetic, from the
  // store's MANIFEST; or an alert's evidence) says so above everything else, and in the name of
  // what is exported from it
  if (doc && doc.synthetic === true) {
    box.append(h('p', { class: 'msg warn', id: 'trace-synthetic' }, 'SYNTHETIC world: this trace runs on a generated chain (the store or the alert says so). Its heist, addresses and entities are made up; it is no real case.'));
    title = `SYNTHETIC-${title || 'trace'}`;
  }
  box.append(h('h2', {}, 'Fund flow'), h('p', { class: 'hint' },
    [g.meta.model && `model ${g.meta.model}`, g.meta.direction, g.meta.source && `from ${g.meta.source}`, `${g.nodes.length} nodes, ${g.edges.length} edges`].filter(Boolean).join(' · ')));
  const graphBox = h('div', {});
  box.append(graphBox);
  await mountGraph(graphBox, g, { title, tlp });
  if (g.meta.evm) { box.append(evmTables(g)); return; }
  const ends = endpoints(g).slice(0, 25);
  if (ends.length) {
    box.append(table(`Where the value ended${endpoints(g).length > 25 ? ` (the 25 largest of ${endpoints(g).length})` : ''}`, [
      { key: 'label', label: 'Entity / address' }, { key: 'category', label: 'Category' },
      { key: 'hop', label: 'Hop' }, { key: 'received', label: 'Amount', render: (r) => btc(r.received) }], ends, { class: 'endpoints', id: 'trace-endpoints' }));
  }
  if (g.meta.crossings || g.meta.refunds) box.append(crossingTables(g));
}

// A Bitcoin trace continued into an EVM chain (evm_continuations): each swap vault deposit the
// trace ended in, what the vault did with it (paid on the other chain, CERTAIN by its OUT: memo
// or PROBABLE by amount and time; refunded on Bitcoin; requested by the memo, not seen: that
// address is the sender's request, never attributed), then where the value ended there.
function crossingTables(g) {
  const frag = h('div', { class: 'crossing-tables' });
  frag.append(table('Across chains: the swap vault deposits', [
    { key: 'deposit', label: 'Deposit (Bitcoin)', render: (r) => h('a', { class: 'mono', href: `#/tx/${r.deposit}` }, r.deposit) },
    { key: 'round', label: 'Round' }, { key: 'how', label: 'What the vault did' }, { key: 'tier', label: 'Link' },
    { key: 'text', label: 'Amount' }, { key: 'to', label: 'To' }], g.meta.crossingRows, { class: 'crossings', id: 'trace-crossings' }));
  if (g.meta.refundRounds && g.meta.refundRounds.length) {
    frag.append(table('Refunds followed on Bitcoin: each round\'s sources', [
      { key: 'round', label: 'Round' }, { key: 'sources', label: 'Sources (refund outputs) and their probable part' },
      { key: 'text', label: 'Ended (probable)' }], g.meta.refundRounds, { class: 'refund-rounds', id: 'trace-refund-rounds' }));
  }
  if (g.meta.evmEnds.length) {
    frag.append(table('Where the value ended on the other chain', [
      { key: 'chain', label: 'Chain' }, { key: 'label', label: 'Entity / address' }, { key: 'kind', label: 'Ended as' }, { key: 'category', label: 'Category' },
      { key: 'hop', label: 'Hops' }, { key: 'text', label: 'Amount', render: (r) => `${r.text}${r.probable ? ' (probable)' : ''}` }], g.meta.evmEnds, { class: 'endpoints', id: 'trace-evm-endpoints' }));
  }
  return frag;
}

export async function render(view, { params, isCurrent }) {
  const q = (params.get('q') || '').trim();
  const model = params.get('model') || 'fifo';
  const hops = params.get('max_hops') || '12';
  const stop = params.has('stop_at') ? params.get('stop_at') : STOP_AT;
  const evm = params.get('evm') === '1'; // a Bitcoin trace continued into the node's EVM store
  view.append(h('h1', {}, 'Investigate'));
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Search the chain' },
    h('div', { class: 'field grow' }, h('label', { for: 'inv-q' }, 'Address, transaction, cluster or label'),
      h('input', { id: 'inv-q', name: 'q', value: q, placeholder: 'bc1q… / txid / cluster:123 / Lazarus', spellcheck: 'false' })),
    h('div', { class: 'field' }, h('label', { for: 'inv-model' }, 'Trace model'),
      h('select', { id: 'inv-model' }, ['fifo', 'haircut', 'poison'].map((m) => h('option', { value: m, selected: m === model }, m)))),
    h('div', { class: 'field' }, h('label', { for: 'inv-stop' }, 'Stop at'),
      h('select', { id: 'inv-stop' }, [[STOP_AT, 'custodial services'], ['exchange,exchange_deposit', 'exchanges'], ['', 'nothing']].map(([v, t]) => h('option', { value: v, selected: v === stop }, t)))),
    h('div', { class: 'field' }, h('label', { for: 'inv-hops' }, 'Max hops'),
      h('input', { id: 'inv-hops', type: 'number', min: 1, max: 50, value: hops, size: 3 })),
    h('div', { class: 'field' }, h('label', { for: 'inv-evm' }, 'Across chains'),
      h('input', { id: 'inv-evm', type: 'checkbox', checked: evm, title: 'continue swap vault deposits into the node\'s EVM store (trace?evm=1)' })),
    h('button', { type: 'submit', class: 'primary' }, 'Search'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = (id) => form.querySelector(`#${id}`).value.trim();
    location.hash = `#/investigate?${new URLSearchParams({ q: v('inv-q'), model: v('inv-model'), max_hops: v('inv-hops'), stop_at: form.querySelector('#inv-stop').value,
      ...(form.querySelector('#inv-evm').checked ? { evm: '1' } : {}) })}`;
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
      let ev = a.evidence;
      if (typeof ev === 'string') { try { ev = JSON.parse(ev); } catch { ev = {}; } }
      ev = ev || {};
      // an alert about a generated world (evidence synthetic: rules run --synthetic, or a store
      // marked at ingest): the trace drawn again for it says so too
      const mark = (t) => (ev.synthetic === true && t && typeof t === 'object' ? Object.assign(t, { synthetic: true }) : t);
      if (normaliseTrace(ev)) {
        await showTrace(traceBox, ev, `alert-${a.id}-trace`, a.tlp);
      } else if (ev.chain && Array.isArray(ev.sources) && ev.sources.length && ev.sources.every((x) => /^0x[0-9a-f]{64}$/i.test(x))) {
        // an EVM case alert (docs/RULES.md): the account-model trace from its transactions
        facts.append(h('p', { class: 'hint' }, `The case ${ev.case || ''} traced again on ${ev.chain} from its ${ev.sources.length} transaction(s) (FIFO, as the rule ran it).`));
        const t = await api(`evm/trace${query({ from: ev.sources.join(','), model: ev.model || 'fifo' })}`);
        if (!isCurrent()) return;
        await showTrace(traceBox, mark(t), `alert-${a.id}-trace`, a.tlp);
      } else if (Array.isArray(ev.sources) && ev.sources.length) {
        // a case alert: the case's trace, as the rule ran it (FIFO, stop at custodial services)
        const from = ev.sources.map((x) => (typeof x === 'string' ? x : x.outpoint)).join(',');
        facts.append(h('p', { class: 'hint' }, `The case ${ev.case || ''} traced again from its ${ev.sources.length} source output(s) (FIFO, stops at custodial services). `,
          ev.case ? h('a', { href: `#/case/${encodeURIComponent(ev.case)}` }, 'Open the case view') : null));
        const t = await api(`trace${query({ from, model: ev.model || 'fifo', stop_at: STOP_AT, top: 1000 })}`);
        if (!isCurrent()) return;
        await showTrace(traceBox, mark(t), `alert-${a.id}-trace`, a.tlp);
      } else if (ev.address) {
        facts.append(h('p', { class: 'hint' }, `Where the funds of ${ev.address} went (FIFO, stops at custodial services).`));
        const t = await api(`trace${query({ from: ev.address, model: 'fifo', stop_at: STOP_AT, max_hops: 12, top: 1000 })}`);
        if (!isCurrent()) return;
        await showTrace(traceBox, mark(t), `alert-${a.id}-trace`, a.tlp);
      } else {
        await showTrace(traceBox, ev, `alert-${a.id}-trace`, a.tlp);
      }
    } catch (e) { facts.append(errorPanel(e, `Alert ${alertId}`)); }
    return;
  }
  if (!q) { facts.append(h('p', { class: 'hint' }, 'Search for something, open an alert\'s trace, or open a trace file.')); return; }
  // 0x transaction hashes (comma-separated): the EVM trace of the node's EVM store
  if (/^0x[0-9a-f]{64}(,0x[0-9a-f]{64})*$/i.test(q)) {
    facts.append(h('p', { class: 'hint' }, `EVM trace (account model, ${model}) from ${q.split(',').length} transaction(s); amounts exact, in each asset's units.`));
    try {
      const t = await api(`evm/trace${query({ from: q, model, max_hops: hops })}`);
      if (!isCurrent()) return;
      await showTrace(traceBox, t, `evm-trace-${q.slice(0, 18)}`);
    } catch (e) {
      traceBox.append(errorPanel(e, 'EVM trace'));
    }
    return;
  }
  try {
    // an outpoint (txid:vout): its transaction's facts; the trace below starts at the output
    const sq = /^[0-9a-f]{64}:\d+$/i.test(q) ? q.split(':')[0] : q;
    const doc = await api(`search${query({ q: sq, kind: kindOf(sq) })}`);
    if (!isCurrent()) return;
    facts.append(factsView(doc));
    // labels, clusters and blocks have no single coin to trace from: their pages end here
    if (doc.kind === 'labels' || doc.kind === 'cluster' || doc.kind === 'block') return;
  } catch (e) {
    facts.append(errorPanel(e, 'Search'));
    if (/^\d+$/.test(q)) return; // a height that is not in the store: nothing to trace either
  }
  try {
    const t = await api(`trace${query({ from: q, model, max_hops: hops, stop_at: stop || 'none', top: 1000, ...(evm ? { evm: 1 } : {}) })}`);
    if (!isCurrent()) return;
    await showTrace(traceBox, t, `trace-${q.slice(0, 16)}`);
  } catch (e) {
    traceBox.append(errorPanel(e, 'Trace'));
  }
}
