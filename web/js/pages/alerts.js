// alerts.js: the alert queue. On top, the cases: the rule alerts of each heist or watched
// source (stolen funds at exchanges, CoinJoin entry) grouped under their case, with the case's
// total at exchanges and a link to its case view (#/case/NAME). Then the queue, a page of 100
// at a time with the API's real total ("100 of 532 open alerts", next/previous page), most
// severe first within the page. Server-side filters: status, source, minimum severity; TLP and
// partner are filtered here (the API has no such parameters yet). Detail: explanation,
// evidence with its addresses and txids linked, the graph, provenance, the originating node;
// acknowledge and close through POST /api/v1/alerts/{id}/ack|close; the assignee, the history
// of notes and the share preview (triage.js). On a phone the detail is scrolled into view when
// an alert is chosen. The queue filters by assignee on the server (assignee=).
import { api, seg, query } from '../api.js';
import { h, clear, flash, errorPanel, tlpBadge, sevBadge, statusBadge, when, short, btc, SEVERITIES, TLPS } from '../ui.js';
import { traceFromEvidence } from './graph.js';
import { formatAmount } from '../evm.js';
import { triagePanel, shareSection } from './triage.js';

function origin(a, ctx) {
  const p = a.provenance;
  if (p && (p.peer || p.org)) return p.peer || p.org;
  return ctx.node ? ctx.node.name : 'this node';
}
function partnersOf(a) {
  const out = new Set(a.share_to || []);
  if (a.provenance && a.provenance.peer) out.add(a.provenance.peer);
  return [...out];
}

const PAGE = 100;
const SEV_RANK = Object.fromEntries(SEVERITIES.map((s, i) => [s, i]));
export const CASE_KINDS = ['stolen-funds-at-exchange', 'watched-funds-coinjoin'];

export function evidenceOf(a) {
  const ev = a && a.evidence;
  if (typeof ev === 'string') { try { return JSON.parse(ev); } catch { return {}; } }
  return ev || {};
}

// What reached exchanges, and how much of it is probable: Bitcoin in sat (value_sat, and
// probable_sat: the part that passed a CoinJoin, as the alert's title and `chainwatch trace`
// say), EVM per asset in base units (amounts; a finding marked probable, a deposit address
// recognised from behaviour, is probable whole). probableKnown is false when an alert carries
// no split (an alert raised before the evidence had one).
function addAtExchange(c, ev) {
  if (Array.isArray(ev.amounts)) {
    for (const am of ev.amounts) {
      const k = `${am.asset || am.contract || '?'}|${am.decimals ?? ''}`;
      let v;
      try { v = BigInt(String(am.amount)); } catch { continue; }
      const cur = c.evm.get(k) || { asset: { symbol: am.asset || am.contract, decimals: am.decimals }, total: 0n, probable: 0n };
      cur.total += v;
      if (ev.probable === true) cur.probable += v;
      c.evm.set(k, cur);
    }
    if (ev.chain) c.chains.add(ev.chain);
  } else {
    c.atExchanges += Number(ev.value_sat) || 0;
    if (ev.probable_sat === undefined || ev.probable_sat === null) c.probableKnown = false;
    else c.probableSat += Number(ev.probable_sat) || 0;
  }
  c.exchanges.add(ev.exchange);
}

// "734.22902619 BTC of traced funds reached 5 exchanges (A, B, …): 554.61… BTC of it PROBABLE
// (it passed a CoinJoin), 179.61… BTC certain"; EVM amounts per asset the same way.
function caseTotal(c) {
  const n = c.exchanges.size, where = `${n} exchange${n === 1 ? '' : 's'}`;
  const names = `(${[...c.exchanges].sort().join(', ')})`;
  const parts = [];
  if (c.atExchanges > 0 || !c.evm.size) {
    const split = !c.probableKnown ? 'how much of it is probable is not recorded'
      : c.probableSat > 0 ? [h('strong', { class: 'probable' }, `${btc(c.probableSat)} of it PROBABLE`), ` (it passed a CoinJoin), ${btc(c.atExchanges - c.probableSat)} certain`]
        : 'all of it certain (no CoinJoin on the way)';
    parts.push(h('span', { class: 'case-total', dataset: { chain: 'bitcoin', totalSat: String(c.atExchanges), probableSat: c.probableKnown ? String(c.probableSat) : '' } },
      `${btc(c.atExchanges)} of traced funds reached ${where} ${names}: `, split));
  }
  const chains = [...c.chains].join(', ');
  for (const { asset, total, probable } of c.evm.values()) {
    const split = probable === 0n ? 'all of it certain'
      : [h('strong', { class: 'probable' }, `${probable === total ? 'all' : formatAmount(probable.toString(), asset)} of it PROBABLE`),
        ` (exchange deposit addresses recognised from behaviour, a judgement)${probable === total ? '' : `, ${formatAmount((total - probable).toString(), asset)} certain`}`];
    parts.push(h('span', { class: 'case-total', dataset: { chain: chains || 'evm', asset: asset.symbol || '', total: total.toString(), probable: probable.toString() } },
      `${parts.length ? '; ' : ''}${formatAmount(total.toString(), asset)} of traced funds reached ${where}${chains ? ` on ${chains}` : ''} ${names}: `, split));
  }
  return parts;
}

// The open case alerts, grouped by case name: [{name, alerts, atExchanges (sat), probableSat,
// probableKnown, evm (per asset), chains, exchanges, severity, tlp}].
export async function loadCases(status = ['new', 'acknowledged']) {
  const all = [];
  for (const kind of CASE_KINDS) {
    for (const st of status) {
      const r = await api(`alerts${query({ kind, status: st, limit: 1000 })}`);
      all.push(...r.alerts);
    }
  }
  const cases = new Map();
  for (const a of all) {
    const ev = evidenceOf(a);
    const name = ev.case || (a.title.match(/^(?:Case|Heist) ([^:]+):/) || [])[1] || 'manual';
    if (!cases.has(name)) cases.set(name, { name, alerts: [], atExchanges: 0, probableSat: 0, probableKnown: true, evm: new Map(), chains: new Set(), exchanges: new Set(), severity: 'info', tlp: a.tlp });
    const c = cases.get(name);
    c.alerts.push(a);
    if (a.kind === 'stolen-funds-at-exchange' && ev.exchange) addAtExchange(c, ev);
    if (SEV_RANK[a.severity] > SEV_RANK[c.severity]) c.severity = a.severity;
  }
  return [...cases.values()].sort((x, y) => SEV_RANK[y.severity] - SEV_RANK[x.severity] || y.atExchanges - x.atExchanges);
}

function casesPanel(cases) {
  if (!cases.length) return null;
  return h('section', { class: 'cases', id: 'cases', 'aria-labelledby': 'cases-h' },
    h('h2', { id: 'cases-h' }, `Cases (${cases.length})`),
    h('ul', { class: 'case-cards' }, cases.map((c) => h('li', { class: 'case-card', dataset: { case: c.name } },
      h('p', {}, sevBadge(c.severity), ' ', tlpBadge(c.tlp), ' ',
        h('a', { class: 'case-link', href: `#/case/${encodeURIComponent(c.name)}` }, h('strong', {}, `Case ${c.name}`))),
      h('p', {}, c.exchanges.size ? caseTotal(c) : 'no funds at an exchange yet'),
      h('details', {}, h('summary', {}, `${c.alerts.length} alert${c.alerts.length === 1 ? '' : 's'} of this case`),
        h('ul', {}, c.alerts.sort((x, y) => y.id - x.id).map((a) => h('li', {},
          h('a', { href: `#/alerts?${new URLSearchParams({ id: a.id, status: '' })}` }, `#${a.id} ${a.title}`)))))))));
}

function select(id, label, options, value) {
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name: id },
      options.map(([v, t]) => h('option', { value: v, selected: v === value }, t))));
}

export async function render(view, { params, ctx }) {
  const f = {
    status: params.get('status') ?? 'open',
    source: params.get('source') || '',
    min_severity: params.get('min_severity') || '',
    tlp: params.get('tlp') || '',
    partner: params.get('partner') || '',
    assignee: params.get('assignee') || '',
  };
  view.append(h('h1', {}, 'Alert queue'));
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter alerts' },
    select('f-status', 'Status', [['open', 'open (new + acknowledged)'], ['new', 'new'], ['acknowledged', 'acknowledged'], ['closed', 'closed'], ['', 'any']], f.status),
    select('f-source', 'Source', [['', 'any'], ['chain', 'chain'], ['supply', 'supply'], ['partner', 'partner']], f.source),
    select('f-sev', 'Severity at least', [['', 'any'], ...SEVERITIES.map((s) => [s, s])], f.min_severity),
    select('f-tlp', 'TLP', [['', 'any'], ...TLPS.map((t) => [t, `TLP:${t.toUpperCase()}`])], f.tlp),
    h('div', { class: 'field' }, h('label', { for: 'f-partner' }, 'Partner'),
      h('input', { id: 'f-partner', name: 'partner', value: f.partner, placeholder: 'e.g. KOR', size: 8 })),
    h('div', { class: 'field' }, h('label', { for: 'f-assignee' }, 'Assigned to'),
      h('input', { id: 'f-assignee', name: 'assignee', value: f.assignee, placeholder: 'user', size: 8 })),
    h('button', { type: 'submit' }, 'Apply'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    const v = (id) => form.querySelector(`#${id}`).value.trim();
    q.set('status', v('f-status'));
    if (v('f-source')) q.set('source', v('f-source'));
    if (v('f-sev')) q.set('min_severity', v('f-sev'));
    if (v('f-tlp')) q.set('tlp', v('f-tlp'));
    if (v('f-partner')) q.set('partner', v('f-partner'));
    if (v('f-assignee')) q.set('assignee', v('f-assignee'));
    location.hash = `#/alerts?${q}`;
  });
  view.append(form);
  const layout = h('div', { class: 'split' });
  const listBox = h('div', { class: 'list', id: 'alert-list' });
  const detail = h('div', { class: 'detail', id: 'alert-detail', 'aria-live': 'polite' },
    h('p', { class: 'hint' }, 'Choose an alert to see its evidence and act on it.'));
  layout.append(listBox, detail);
  view.append(layout);

  const statuses = f.status === 'open' ? ['new', 'acknowledged'] : [f.status];
  // Paging: one keyset cursor per status (before=ID), kept in the URL so a page can be linked.
  const cursors = statuses.map((st) => params.get(`before_${st || 'any'}`) || '');
  let rows = [];
  let total = 0, more = false;
  const next = {};
  const bySev = {};
  try {
    if (!cursors.some(Boolean) && !f.tlp && !f.partner && (!f.source || f.source === 'chain')) {
      const cases = await loadCases(statuses.filter(Boolean).length ? statuses.filter(Boolean) : ['new', 'acknowledged', 'closed']);
      const panel = casesPanel(cases);
      if (panel) view.insertBefore(panel, layout);
    }
    for (let i = 0; i < statuses.length; i++) {
      const st = statuses[i];
      const r = await api(`alerts${query({ status: st, source: f.source, min_severity: f.min_severity, assignee: f.assignee, limit: PAGE, before: cursors[i] })}`);
      rows.push(...r.alerts);
      total += Number(r.total ?? r.alerts.length);
      for (const [k, v] of Object.entries(r.total_by_severity || {})) bySev[k] = (bySev[k] || 0) + v;
      if (r.more && r.next_before_id) { more = true; next[`before_${st || 'any'}`] = r.next_before_id; }
    }
  } catch (e) {
    listBox.append(errorPanel(e, 'Alerts'));
    return;
  }
  // most severe first, then newest: the critical case alerts lead the page
  rows.sort((a, b) => (SEV_RANK[b.severity] ?? 0) - (SEV_RANK[a.severity] ?? 0) || b.id - a.id);
  if (f.tlp) rows = rows.filter((a) => a.tlp === f.tlp);
  if (f.partner) {
    const p = f.partner.toUpperCase();
    rows = rows.filter((a) => partnersOf(a).some((x) => String(x).toUpperCase() === p));
  }
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of alerts' },
    cursors.some(Boolean) ? h('a', { href: `#/alerts?${new URLSearchParams({ ...Object.fromEntries(params), ...Object.fromEntries(statuses.map((st) => [`before_${st || 'any'}`, ''])) })}`, id: 'page-first' }, '« first page') : null,
    more ? h('a', { href: `#/alerts?${new URLSearchParams({ ...Object.fromEntries(params), ...next, id: '' })}`, id: 'page-next' }, 'next page »') : null);
  const sevSummary = SEVERITIES.slice().reverse().filter((s) => bySev[s]).map((s) => `${bySev[s]} ${s}`).join(', ');
  if (!rows.length) {
    listBox.append(h('p', { class: 'empty' }, 'No alert matches these filters.'), pager);
    return;
  }
  const tbody = h('tbody');
  const tableEl = h('table', { class: 'alerts' },
    h('caption', { id: 'alert-count' }, `${rows.length} shown of ${total} alert${total === 1 ? '' : 's'}${f.tlp || f.partner ? ' (before the TLP/partner filter)' : ''}${sevSummary ? `: ${sevSummary}` : ''}${more ? '; more on the next page' : ''}`),
    h('thead', {}, h('tr', {}, ['#', 'Severity', 'TLP', 'Title', 'Source', 'From', 'Status', 'Raised'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody);
  for (const a of rows) {
    const open = h('a', { href: `#/alerts/${a.id}`, class: 'alert-link', dataset: { id: a.id } }, a.title);
    open.addEventListener('click', (ev) => { ev.preventDefault(); showAlert(a.id, detail, ctx, tbody); });
    tbody.append(h('tr', { dataset: { id: a.id }, class: `row-${a.status}` },
      h('td', {}, a.id), h('td', {}, sevBadge(a.severity)), h('td', {}, tlpBadge(a.tlp)),
      h('td', { class: 'title' }, open, a.occurrences > 1 ? h('span', { class: 'hint' }, ` ×${a.occurrences}`) : null,
        h('span', { class: 'hint assignee' }, a.assignee ? ` → ${a.assignee}` : '')),
      h('td', {}, a.source), h('td', { class: 'origin' }, origin(a, ctx)),
      h('td', { class: 'status-cell' }, statusBadge(a.status)), h('td', {}, when(a.time))));
  }
  listBox.append(tableEl, pager);
  const want = params.get('id');
  if (want) showAlert(Number(want), detail, ctx, tbody);
}

// Every address and txid the evidence names, linked: a case alert's deposit paths, a
// watched-address alert's transactions, a trace's sources.
function evidenceLinks(ev) {
  const seen = new Set();
  const items = [];
  const link = (v) => h('a', { href: `#/investigate?q=${encodeURIComponent(v)}`, class: 'mono' }, short(v, 24));
  const add = (what, v) => { if (!v || typeof v !== 'string' || seen.has(v)) return; seen.add(v); items.push(h('li', {}, `${what} `, link(v))); };
  add('address', ev.address);
  for (const a of ev.addresses || []) add('address', a);
  add('tx', ev.txid);
  for (const t of ev.txids || []) add('tx', t);
  if (ev.first_coinjoin_txid) add('first CoinJoin tx', ev.first_coinjoin_txid);
  for (const p of ev.paths || []) {
    if (Array.isArray(p)) continue;
    add('deposit address', p.address);
    if (p.outpoint) add('deposit tx', String(p.outpoint).split(':')[0]);
  }
  for (const src of ev.sources || []) add('source', typeof src === 'string' ? src.split(':')[0] : src && src.outpoint);
  return items;
}

function evidenceView(ev) {
  if (!ev || (typeof ev === 'object' && !Object.keys(ev).length)) return h('p', { class: 'hint' }, 'No evidence recorded.');
  const items = evidenceLinks(ev);
  const facts = [];
  if (ev.case) facts.push(h('dt', {}, 'Case'), h('dd', {}, h('a', { href: `#/case/${encodeURIComponent(ev.case)}` }, ev.case)));
  if (ev.exchange) facts.push(h('dt', {}, 'Exchange'), h('dd', {}, ev.exchange));
  if (ev.value_sat !== undefined) facts.push(h('dt', {}, 'Amount'), h('dd', {}, btc(ev.value_sat), ev.model ? ` (${ev.model})` : ''));
  if (ev.min_hops !== undefined) facts.push(h('dt', {}, 'Hops'), h('dd', {}, `${ev.min_hops} at the fewest`));
  if (ev.tx_count !== undefined) facts.push(h('dt', {}, 'Transactions'), h('dd', {}, `${ev.tx_count}${ev.first_height !== undefined ? ` (heights ${ev.first_height}–${ev.last_height})` : ''}`));
  return h('div', {},
    facts.length ? h('dl', { class: 'facts' }, facts) : null,
    items.length ? h('ul', { class: 'evidence-links' }, items) : null,
    h('details', {}, h('summary', {}, 'Evidence (JSON)'), h('pre', { class: 'json' }, JSON.stringify(ev, null, 2))));
}

// Whether the alert has a graph to open: a trace in its evidence, a case's sources, or an
// address to trace from.
export function hasGraph(a) {
  const ev = evidenceOf(a);
  return !!(traceFromEvidence(ev) || (Array.isArray(ev.sources) && ev.sources.length) || ev.address);
}

async function showAlert(id, detail, ctx, tbody) {
  clear(detail).append(h('p', { class: 'hint' }, `Loading alert ${id}…`));
  let a;
  try {
    a = await api(`alerts/${seg(id)}`);
  } catch (e) {
    clear(detail).append(errorPanel(e, `Alert ${id}`));
    return;
  }
  for (const tr of tbody.querySelectorAll('tr')) tr.classList.toggle('selected', tr.dataset.id === String(id));
  const note = h('input', { id: 'act-note', name: 'note', placeholder: 'note (optional)' });
  const act = async (what) => {
    try {
      const body = note.value.trim() ? { note: note.value.trim() } : undefined;
      const upd = await api(`alerts/${seg(id)}/${what}`, { method: 'POST', body });
      flash(`Alert ${id} ${upd.status}.`, 'ok');
      const cell = tbody.querySelector(`tr[data-id="${id}"] .status-cell`);
      if (cell) clear(cell).append(statusBadge(upd.status));
      showAlert(id, detail, ctx, tbody);
    } catch (e) {
      const p = errorPanel(e, what === 'ack' ? 'Acknowledge' : 'Close');
      detail.prepend(p);
    }
  };
  const p = a.provenance;
  clear(detail).append(
    h('article', { class: 'alert-detail', 'aria-labelledby': 'alert-title' },
      h('h2', { id: 'alert-title' }, a.title),
      h('p', {}, tlpBadge(a.tlp), ' ', sevBadge(a.severity), ' ', statusBadge(a.status),
        a.share_to && a.share_to.length ? h('span', { class: 'hint' }, ` shared with ${a.share_to.join(', ')}`) : null),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Kind'), h('dd', {}, a.kind),
        h('dt', {}, 'Source'), h('dd', {}, a.source),
        h('dt', {}, 'Originating node'), h('dd', { class: 'origin' }, origin(a, ctx)),
        h('dt', {}, 'Raised'), h('dd', {}, when(a.time), a.occurrences > 1 ? ` (×${a.occurrences}, last ${when(a.last_seen)})` : ''),
        h('dt', {}, 'Assigned to'), h('dd', { id: 'alert-assignee' }, a.assignee || '—'),
        a.status_by ? [h('dt', {}, 'Status by'), h('dd', {}, `${a.status_by} at ${when(a.status_at)}${a.status_note ? `: ${a.status_note}` : ''}`)] : null,
        p ? [h('dt', {}, 'Provenance'), h('dd', {}, [p.peer && `peer ${p.peer}`, p.url, p.signature, p.object_id, p.received && `received ${when(p.received)}`].filter(Boolean).join(' · '))] : null),
      a.explanation ? h('p', { class: 'explanation' }, a.explanation) : null,
      h('h3', {}, 'Evidence'), evidenceView(evidenceOf(a)),
      hasGraph(a) ? h('p', {}, h('a', { class: 'button', id: 'open-graph', href: `#/investigate?alert=${a.id}` }, 'Open the trace graph'),
        evidenceOf(a).case ? [' ', h('a', { class: 'button', href: `#/case/${encodeURIComponent(evidenceOf(a).case)}` }, 'Open the case')] : null) : null,
      h('div', { class: 'actions' },
        h('label', { for: 'act-note', class: 'sr-only' }, 'Note'), note,
        h('button', { type: 'button', id: 'btn-ack', disabled: a.status !== 'new', onclick: () => act('ack') }, 'Acknowledge'),
        h('button', { type: 'button', id: 'btn-close', disabled: a.status === 'closed', onclick: () => act('close') }, 'Close')),
      triagePanel(a, ctx, (upd) => {
        const cell = tbody.querySelector(`tr[data-id="${id}"] .assignee`);
        if (cell) cell.textContent = upd.assignee ? ` → ${upd.assignee}` : '';
        const dd = document.getElementById('alert-assignee');
        if (dd) dd.textContent = upd.assignee || '—';
      }),
      shareSection(a)));
  history.replaceState(null, '', `#/alerts?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(location.hash.split('?')[1] || '')), id })}`);
  // on a narrow screen the detail is below the list: bring it into view
  if (window.matchMedia('(max-width: 1399px)').matches) detail.scrollIntoView({ block: 'start' });
}
