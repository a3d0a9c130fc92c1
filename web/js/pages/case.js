// case.js: the case view (#/case/NAME) of a heist or a watched source. The case is what the
// rules watch (their cases file: a name and the stolen outputs); its alerts carry the sources.
// The view traces the sources again through the API as the rules do (FIFO, stopping at
// custodial services) and shows: the totals (stolen, at exchanges, to mixers, unspent
// remainder, fees), the exchange deposits (exchange, deposit address, txid, height, on-chain
// time, amount, hops, model), the alerts of the case, and the fund-flow graph.
import { api, query } from '../api.js';
import { h, clear, errorPanel, btc, when, tlpBadge, sevBadge, statusBadge, short } from '../ui.js';
import { loadCases, evidenceOf } from './alerts.js';
import { showTrace, STOP_AT } from './investigate.js';

const EXCH = new Set(['exchange', 'exchange_deposit']);

// On-chain times of the deposit transactions (GET /api/v1/chain/tx/{txid}), a few at a time.
async function txTimes(txids) {
  const out = new Map();
  const list = [...new Set(txids)];
  for (let i = 0; i < list.length; i += 8) {
    const batch = await Promise.all(list.slice(i, i + 8).map((t) => api(`chain/tx/${t}`).catch(() => null)));
    batch.forEach((r, k) => { if (r) out.set(list[i + k], r); });
  }
  return out;
}

export function depositsOf(trace) {
  const heightOf = new Map((trace.graph || []).map((t) => [t.txid, t.height]));
  return (trace.paths || []).filter((p) => EXCH.has(p.category)).map((p) => {
    const txid = String(p.outpoint || '').split(':')[0];
    return { exchange: p.entity || p.category, address: p.address, txid, outpoint: p.outpoint, height: heightOf.get(txid) ?? null, value: Number(p.value) || 0, hops: p.hops, model: (trace.options && trace.options.model) || 'fifo' };
  }).sort((a, b) => (a.height ?? 0) - (b.height ?? 0) || b.value - a.value);
}

export async function render(view, { args, isCurrent }) {
  const name = args[0] || '';
  view.append(h('h1', {}, `Case ${name}`));
  let cases;
  try { cases = await loadCases(['new', 'acknowledged', 'closed']); } catch (e) { view.append(errorPanel(e, 'Case alerts')); return; }
  if (!isCurrent()) return;
  const c = cases.find((x) => x.name === name);
  if (!c) {
    view.append(h('p', { class: 'msg warn' }, `No alert belongs to a case named "${name}". Cases are opened by the rules' cases file (chainwatch rules run --cases FILE).`),
      cases.length ? h('p', {}, 'Cases: ', cases.map((x) => [h('a', { href: `#/case/${encodeURIComponent(x.name)}` }, x.name), ' '])) : null);
    return;
  }
  const sources = [...new Set(c.alerts.flatMap((a) => evidenceOf(a).sources || []).map((x) => (typeof x === 'string' ? x : x.outpoint)))];
  view.append(h('p', {}, sevBadge(c.severity), ' ', tlpBadge(c.tlp), ' ',
    `${sources.length} source output${sources.length === 1 ? '' : 's'} · model FIFO · stops at custodial services`));
  const totals = h('div', { class: 'totals', id: 'case-totals' }, h('p', { class: 'hint' }, 'Tracing the case…'));
  const deposits = h('div', { id: 'case-deposits' });
  const alertsBox = h('section', { id: 'case-alerts' });
  const graphBox = h('div', { class: 'trace', id: 'trace-box' });
  view.append(totals, h('h2', {}, 'Exchange deposits'), deposits, graphBox, alertsBox);

  alertsBox.append(h('h2', {}, `Alerts of this case (${c.alerts.length})`),
    h('ul', { class: 'case-alerts' }, c.alerts.sort((x, y) => y.id - x.id).map((a) => h('li', {},
      sevBadge(a.severity), ' ', statusBadge(a.status), ' ',
      h('a', { href: `#/alerts?${new URLSearchParams({ id: a.id, status: '' })}` }, `#${a.id} ${a.title}`), ' ',
      h('a', { href: `#/investigate?alert=${a.id}`, class: 'hint' }, '(graph)')))));

  if (!sources.length) { clear(totals).append(h('p', { class: 'msg warn' }, 'The alerts of this case name no source outputs: nothing to trace.')); return; }
  let t;
  try {
    t = await api(`trace${query({ from: sources.join(','), model: 'fifo', stop_at: STOP_AT, top: 1000 })}`);
  } catch (e) { clear(totals).append(errorPanel(e, 'Trace')); return; }
  if (!isCurrent()) return;
  const deps = depositsOf(t);
  const sum = (f) => (t.paths || []).filter(f).reduce((s, p) => s + (Number(p.value) || 0), 0);
  const ended = t.ended || {};
  const stat = (label, v, id) => h('div', { id }, h('span', { class: 'hint' }, label), h('strong', {}, v));
  clear(totals).append(
    stat('stolen (the sources)', btc(t.source_value), 'tot-source'),
    stat(`at exchanges (${new Set(deps.map((d) => d.exchange)).size} exchanges, ${deps.length} deposits)`, btc(sum((p) => EXCH.has(p.category))), 'tot-exchanges'),
    stat('into mixers', btc(sum((p) => p.category === 'mixer')), 'tot-mixers'),
    stat('unspent remainder', btc(ended.unspent ? ended.unspent.value : 0), 'tot-unspent'),
    stat('fees paid on the way', btc(ended.fee ? ended.fee.value : 0), 'tot-fees'));
  if (t.graph_truncated) totals.append(h('p', { class: 'notice' }, 'The trace was truncated by the server: the figures are a lower bound.'));
  const times = await txTimes(deps.map((d) => d.txid));
  if (!isCurrent()) return;
  const tb = h('tbody');
  const SHOWN = 15;
  deps.forEach((d, i) => {
    const tx = times.get(d.txid);
    const time = tx && tx.time ? when(new Date(tx.time * 1000).toISOString()) : '—';
    tb.append(h('tr', { class: i >= SHOWN ? 'more-row' : null, hidden: i >= SHOWN },
      h('td', {}, d.exchange),
      h('td', {}, h('a', { class: 'mono', href: `#/investigate?q=${encodeURIComponent(d.address)}` }, d.address)),
      h('td', {}, h('a', { class: 'mono', href: `#/tx/${d.txid}`, title: d.txid }, short(d.txid, 20))),
      h('td', {}, d.height !== null ? h('a', { href: `#/block/${d.height}` }, d.height) : '—'),
      h('td', { class: 'time' }, time),
      h('td', { class: 'amount', dataset: { sat: d.value } }, btc(d.value)),
      h('td', {}, d.hops), h('td', {}, d.model)));
  });
  const byEx = new Map();
  for (const d of deps) byEx.set(d.exchange, (byEx.get(d.exchange) || 0) + d.value);
  clear(deposits).append(
    h('table', { class: 'deposits', id: 'deposits-table' },
      h('caption', {}, `${deps.length} deposits at ${byEx.size} exchanges: ${[...byEx].sort((a, b) => b[1] - a[1]).map(([e, v]) => `${e} ${btc(v)}`).join(', ')}`),
      h('thead', {}, h('tr', {}, ['Exchange', 'Deposit address', 'Txid', 'Height', 'On-chain time (UTC)', 'Amount', 'Hops', 'Model'].map((x) => h('th', { scope: 'col' }, x)))),
      tb),
    deps.length > SHOWN ? h('button', { type: 'button', id: 'deposits-all', onclick: (ev) => { tb.querySelectorAll('tr.more-row').forEach((r) => { r.hidden = false; }); ev.target.remove(); } },
      `Show all ${deps.length} deposits`) : null);
  await showTrace(graphBox, t, `case-${name}`, c.tlp);
}
