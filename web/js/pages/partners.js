// partners.js: this node (GET /api/v1/node), its partners with their last sync and the
// objects exchanged (GET /api/v1/peers), and the audit trail (GET /api/v1/audit, newest
// first, paged with ?before=SEQ). Each part says "not available" on its own when the server
// lacks the route.
import { api, query } from '../api.js';
import { h, errorPanel, when, short, table } from '../ui.js';

export async function render(view, { ctx }) {
  const n = ctx.node || {};
  view.append(h('h1', {}, 'Partners'),
    h('section', { 'aria-labelledby': 'this-node' }, h('h2', { id: 'this-node' }, 'This node'),
      h('dl', { class: 'facts', id: 'node-facts' },
        h('dt', {}, 'Name'), h('dd', {}, n.name || '—'),
        h('dt', {}, 'Organisation'), h('dd', {}, n.org || '—'),
        h('dt', {}, 'Identity'), h('dd', { class: 'mono' }, n.identity || '—'),
        h('dt', {}, 'Public key'), h('dd', { class: 'mono' }, n.public_key || '—'),
        h('dt', {}, 'Collection'), h('dd', { class: 'mono' }, n.collection || '—'))));
  const peersBox = h('section', { id: 'peers', 'aria-labelledby': 'peers-h' }, h('h2', { id: 'peers-h' }, 'Peers'));
  const auditBox = h('section', { id: 'audit', 'aria-labelledby': 'audit-h' }, h('h2', { id: 'audit-h' }, 'Audit trail'));
  view.append(peersBox, auditBox);
  try {
    const r = await api('peers');
    const peers = r.peers || r;
    peersBox.append(peers.length ? table('', [
      { key: 'name', label: 'Peer' }, { key: 'org', label: 'Organisation' },
      { key: 'url', label: 'URL' },
      { key: 'last_pull', label: 'Last sync', render: (p) => when(p.last_pull || p.last_sync) || 'never' },
      { key: 'received', label: 'Objects received', render: (p) => p.received ?? p.objects_received ?? '—' },
      { key: 'sent', label: 'Objects read by them', render: (p) => p.sent ?? p.objects_sent ?? '—' },
      { key: 'rejected', label: 'Rejected', render: (p) => p.rejected ?? '—' },
      { key: 'public_key', label: 'Key', render: (p) => h('span', { class: 'mono' }, short(p.public_key, 16)) }], peers)
      : h('p', { class: 'empty' }, 'No partner registered (chainwatch peer add).'));
  } catch (e) { peersBox.append(errorPanel(e, 'Peers')); }
  try {
    const r = await api(`audit${query({ limit: 100 })}`);
    const rows = r.entries || r.audit || r;
    auditBox.append(table(`${rows.length} most recent entries`, [
      { key: 'seq', label: '#' }, { key: 'time', label: 'Time', render: (x) => when(x.time) },
      { key: 'actor', label: 'Actor' }, { key: 'action', label: 'Action' }, { key: 'target', label: 'Target' },
      { key: 'outcome', label: 'Outcome' }, { key: 'detail', label: 'Detail' }], rows, { class: 'audit' }));
  } catch (e) { auditBox.append(errorPanel(e, 'Audit trail')); }
}
