// alerts.js: the alert queue. Server-side filters: status, source, minimum severity (query
// parameters of GET /api/v1/alerts); TLP and partner are filtered here (the API has no such
// parameters yet). Detail: explanation, evidence, provenance and the originating node;
// acknowledge and close through POST /api/v1/alerts/{id}/ack|close.
import { api, seg, query } from '../api.js';
import { h, clear, flash, errorPanel, tlpBadge, sevBadge, statusBadge, when, short, SEVERITIES, TLPS } from '../ui.js';
import { traceFromEvidence } from './graph.js';

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
  };
  view.append(h('h1', {}, 'Alert queue'));
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter alerts' },
    select('f-status', 'Status', [['open', 'open (new + acknowledged)'], ['new', 'new'], ['acknowledged', 'acknowledged'], ['closed', 'closed'], ['', 'any']], f.status),
    select('f-source', 'Source', [['', 'any'], ['chain', 'chain'], ['supply', 'supply'], ['partner', 'partner']], f.source),
    select('f-sev', 'Severity at least', [['', 'any'], ...SEVERITIES.map((s) => [s, s])], f.min_severity),
    select('f-tlp', 'TLP', [['', 'any'], ...TLPS.map((t) => [t, `TLP:${t.toUpperCase()}`])], f.tlp),
    h('div', { class: 'field' }, h('label', { for: 'f-partner' }, 'Partner'),
      h('input', { id: 'f-partner', name: 'partner', value: f.partner, placeholder: 'e.g. KOR', size: 8 })),
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
  let rows = [];
  try {
    for (const st of statuses) {
      const r = await api(`alerts${query({ status: st, source: f.source, min_severity: f.min_severity, limit: 500 })}`);
      rows.push(...r.alerts);
    }
  } catch (e) {
    listBox.append(errorPanel(e, 'Alerts'));
    return;
  }
  rows.sort((a, b) => b.id - a.id);
  if (f.tlp) rows = rows.filter((a) => a.tlp === f.tlp);
  if (f.partner) {
    const p = f.partner.toUpperCase();
    rows = rows.filter((a) => partnersOf(a).some((x) => String(x).toUpperCase() === p));
  }
  if (!rows.length) {
    listBox.append(h('p', { class: 'empty' }, 'No alert matches these filters.'));
    return;
  }
  const tbody = h('tbody');
  const tableEl = h('table', { class: 'alerts' },
    h('caption', {}, `${rows.length} alert${rows.length === 1 ? '' : 's'}`),
    h('thead', {}, h('tr', {}, ['#', 'Severity', 'TLP', 'Title', 'Source', 'From', 'Status', 'Raised'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody);
  for (const a of rows) {
    const open = h('a', { href: `#/alerts/${a.id}`, class: 'alert-link', dataset: { id: a.id } }, a.title);
    open.addEventListener('click', (ev) => { ev.preventDefault(); showAlert(a.id, detail, ctx, tbody); });
    tbody.append(h('tr', { dataset: { id: a.id }, class: `row-${a.status}` },
      h('td', {}, a.id), h('td', {}, sevBadge(a.severity)), h('td', {}, tlpBadge(a.tlp)),
      h('td', {}, open, a.occurrences > 1 ? h('span', { class: 'hint' }, ` ×${a.occurrences}`) : null),
      h('td', {}, a.source), h('td', { class: 'origin' }, origin(a, ctx)),
      h('td', { class: 'status-cell' }, statusBadge(a.status)), h('td', {}, when(a.time))));
  }
  listBox.append(tableEl);
  const want = params.get('id');
  if (want) showAlert(Number(want), detail, ctx, tbody);
}

function evidenceView(ev) {
  if (!ev || (typeof ev === 'object' && !Object.keys(ev).length)) return h('p', { class: 'hint' }, 'No evidence recorded.');
  const items = [];
  const link = (kind, v) => h('a', { href: `#/investigate?q=${encodeURIComponent(v)}` }, short(v, 24));
  for (const addr of ev.addresses || []) items.push(h('li', {}, 'address ', link('address', addr)));
  for (const tx of ev.txids || []) items.push(h('li', {}, 'tx ', link('tx', tx)));
  return h('div', {},
    items.length ? h('ul', { class: 'evidence-links' }, items) : null,
    h('details', {}, h('summary', {}, 'Evidence (JSON)'), h('pre', { class: 'json' }, JSON.stringify(ev, null, 2))));
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
  const trace = traceFromEvidence(a.evidence);
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
        a.status_by ? [h('dt', {}, 'Status by'), h('dd', {}, `${a.status_by} at ${when(a.status_at)}${a.status_note ? `: ${a.status_note}` : ''}`)] : null,
        p ? [h('dt', {}, 'Provenance'), h('dd', {}, [p.peer && `peer ${p.peer}`, p.url, p.signature, p.object_id, p.received && `received ${when(p.received)}`].filter(Boolean).join(' · '))] : null),
      a.explanation ? h('p', { class: 'explanation' }, a.explanation) : null,
      h('h3', {}, 'Evidence'), evidenceView(a.evidence),
      trace ? h('p', {}, h('a', { class: 'button', href: `#/investigate?alert=${a.id}` }, 'Open the trace graph')) : null,
      h('div', { class: 'actions' },
        h('label', { for: 'act-note', class: 'sr-only' }, 'Note'), note,
        h('button', { type: 'button', id: 'btn-ack', disabled: a.status !== 'new', onclick: () => act('ack') }, 'Acknowledge'),
        h('button', { type: 'button', id: 'btn-close', disabled: a.status === 'closed', onclick: () => act('close') }, 'Close'))));
  history.replaceState(null, '', `#/alerts?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(location.hash.split('?')[1] || '')), id })}`);
}
