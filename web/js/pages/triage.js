// triage.js: the parts of an alert's detail that belong to this node's triage (used by
// alerts.js): the assignee (POST /api/v1/alerts/{id}/assign), the history of notes,
// assignments and status changes with who and when (GET .../history, POST .../notes), and the
// share preview (GET .../share-preview): which STIX objects each partner organisation would
// pull under the alert's TLP marking and its access, computed by the server's share module (the
// same functions that publish and serve the objects). Notes and the assignee never leave the
// node. Writes need role analyst or admin: a reader sees them read-only.
import { api, seg } from '../api.js';
import { h, clear, flash, errorPanel, tlpBadge, when, short } from '../ui.js';

const canWrite = (ctx) => !ctx || !ctx.role || ctx.role === 'analyst' || ctx.role === 'admin';

function historyList(entries) {
  if (!entries.length) return h('p', { class: 'hint', id: 'history-empty' }, 'No notes, assignments or status changes yet.');
  return h('ol', { class: 'history', id: 'alert-history' }, entries.map((e) => h('li', { class: `hist-${e.kind}`, dataset: { kind: e.kind, id: e.id } },
    h('span', { class: 'hist-when' }, when(e.time)), ' ',
    h('strong', { class: 'hist-who' }, e.author), ' ',
    h('span', { class: 'badge hist-kind' }, e.kind), ' ',
    h('span', { class: 'hist-text' }, e.text))));
}

// The assignee and the history, with the forms to change them. onChange(alert) after a write.
export function triagePanel(a, ctx, onChange) {
  const box = h('section', { class: 'triage', 'aria-labelledby': 'triage-h' }, h('h3', { id: 'triage-h' }, 'Triage'));
  const histBox = h('div', { id: 'history-box' }, h('p', { class: 'hint' }, 'Loading the history…'));
  const who = h('input', { id: 'assignee', name: 'assignee', value: a.assignee || '', placeholder: 'user name', size: 16, maxlength: 64 });
  const assignForm = h('form', { class: 'assign', id: 'assign-form' },
    h('label', { for: 'assignee' }, 'Assigned to '), who, ' ',
    h('button', { type: 'submit', id: 'btn-assign' }, 'Assign'), ' ',
    h('button', { type: 'button', id: 'btn-unassign', disabled: !a.assignee, onclick: () => assign(null) }, 'Unassign'));
  const text = h('textarea', { id: 'note-text', name: 'text', rows: 3, maxlength: 4000, placeholder: 'What you checked, what you found, what comes next' });
  const noteForm = h('form', { class: 'note', id: 'note-form' },
    h('label', { for: 'note-text' }, 'Add a note (stays on this node; never shared)'), text,
    h('button', { type: 'submit', id: 'btn-note' }, 'Add note'));
  if (!canWrite(ctx)) {
    for (const el of [who, text, ...assignForm.querySelectorAll('button'), ...noteForm.querySelectorAll('button')]) el.disabled = true;
  }
  async function loadHistory() {
    try {
      const r = await api(`alerts/${seg(a.id)}/history`);
      clear(histBox).append(historyList(r.history || []));
    } catch (e) { clear(histBox).append(errorPanel(e, 'History')); }
  }
  async function assign(name) {
    try {
      const upd = await api(`alerts/${seg(a.id)}/assign`, { method: 'POST', body: { assignee: name } });
      flash(upd.assignee ? `Alert ${a.id} assigned to ${upd.assignee}.` : `Alert ${a.id} unassigned.`, 'ok');
      a.assignee = upd.assignee;
      who.value = upd.assignee || '';
      assignForm.querySelector('#btn-unassign').disabled = !upd.assignee;
      await loadHistory();
      if (onChange) onChange(upd);
    } catch (e) { box.prepend(errorPanel(e, 'Assign')); }
  }
  assignForm.addEventListener('submit', (ev) => { ev.preventDefault(); const v = who.value.trim(); assign(v || null); });
  noteForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = text.value.trim();
    if (!v) return;
    try {
      const r = await api(`alerts/${seg(a.id)}/notes`, { method: 'POST', body: { text: v } });
      text.value = '';
      clear(histBox).append(historyList(r.history || []));
      flash(`Note added to alert ${a.id}.`, 'ok');
    } catch (e) { box.prepend(errorPanel(e, 'Note')); }
  });
  box.append(assignForm, h('h4', {}, 'History'), histBox, noteForm);
  loadHistory();
  return box;
}

const STATE_TEXT = {
  published: 'Published: these are the objects in this node\'s TAXII collection.',
  pending: 'Not yet published: the objects publishing will build (the server publishes within seconds).',
  skipped: 'This alert cannot become STIX: nothing is sent.',
  'cannot-publish': 'This alert cannot become STIX: nothing is sent.',
  'partner-alert': 'A partner\'s alert: this node does not share it again.',
};

function objectRow(o, extra) {
  return h('li', { dataset: { id: o.id, type: o.type } },
    h('code', { title: o.id }, o.type), ' ', h('span', { class: 'mono hint', title: o.id }, short(o.id.replace(/^[a-z-]+--/, ''), 12)), ' ',
    o.tlp && o.tlp !== 'none' ? tlpBadge(o.tlp) : null, extra ? h('span', { class: 'hint' }, ` ${extra}`) : null);
}

// The share preview of one alert, read-only.
export async function sharePreview(box, a) {
  clear(box).append(h('p', { class: 'hint' }, 'Computing what each partner would receive…'));
  let pv;
  try {
    pv = await api(`alerts/${seg(a.id)}/share-preview`);
  } catch (e) { clear(box).append(errorPanel(e, 'Share preview')); return; }
  const parts = pv.partners || [];
  clear(box).append(...[
    h('p', { id: 'share-state', dataset: { state: pv.state } }, tlpBadge(pv.tlp), ' ', STATE_TEXT[pv.state] || pv.state,
      pv.reason ? h('span', { class: 'hint' }, ` (${pv.reason})`) : null),
    h('p', { class: 'hint' }, pv.note),
    parts.length ? h('table', { class: 'share-preview', id: 'share-preview' },
      h('caption', {}, `What each partner would receive of this alert's ${(pv.objects || []).length} STIX object${(pv.objects || []).length === 1 ? '' : 's'}`),
      h('thead', {}, h('tr', {}, ['Partner', 'Access', 'Receives', 'Withheld'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, parts.map((p) => h('tr', { dataset: { org: p.org, receives: p.receives_count } },
        h('th', { scope: 'row' }, p.org),
        h('td', {}, p.can_pull ? `peer key ${p.keys.join(', ')}` : h('span', { class: 'hint' }, 'no peer key: pulls nothing')),
        h('td', {}, h('strong', { class: 'receives-count' }, String(p.receives_count)),
          p.allowed.length ? h('ul', { class: 'objs' }, p.allowed.map((o) => objectRow(o, p.can_pull ? '' : '(allowed by the marking)')))
            : null),
        h('td', {}, p.withheld.length ? h('ul', { class: 'objs withheld' }, p.withheld.map((o) => objectRow(o, `— ${o.reason}`))) : '—')))))
      : h('p', { class: 'hint', id: 'share-preview-none' }, 'No partner: this node has no peer keys or registered peers, and the alert names no audience.'),
    (pv.objects || []).length ? h('details', {}, h('summary', {}, 'The objects (STIX 2.1 JSON, signed)'),
      h('pre', { class: 'json' }, JSON.stringify((pv.objects || []).map((o) => o.object), null, 2))) : null].filter(Boolean));
}

// The share action: a button that opens the preview in place.
export function shareSection(a) {
  const box = h('div', { id: 'share-box' });
  const btn = h('button', { type: 'button', id: 'btn-share-preview' }, 'Preview what partners receive');
  btn.addEventListener('click', () => sharePreview(box, a));
  return h('section', { class: 'share', 'aria-labelledby': 'share-h' },
    h('h3', { id: 'share-h' }, 'Sharing'),
    h('p', {}, a.share_to && a.share_to.length ? `Audience: ${a.share_to.join(', ')}. ` : '', btn), box);
}
