// search.js: what a search finds, beyond the trace (used by investigate.js):
//  - an address: its own figures (received, sent, balance, transactions, first and last seen
//    with on-chain times), its cluster's own figures (the members' totals, kept apart), and its
//    labels with their provenance (which list and source, the import file, its date and hash,
//    the place in the file);
//  - a cluster (cluster:N or cluster:ADDR): its totals and a page of members with their labels;
//  - labels (an entity's name or part of it, a reference such as ofac:27307, a category, or
//    label:TEXT / entity:TEXT): every matching label, its subject linked, with provenance.
// Amounts are satoshis shown in BTC; times are the blocks' on-chain times (UTC).
import { h, btc, table, short } from '../ui.js';

export function chainTime(t) {
  if (t === undefined || t === null || t === '') return '—';
  return new Date(Number(t) * 1000).toISOString().replace('T', ' ').replace('.000Z', 'Z');
}

// {height, time} (or a bare height) as "block H, on-chain time".
function seen(s) {
  if (s === undefined || s === null) return '—';
  if (typeof s !== 'object') return h('a', { href: `#/block/${s}` }, `block ${s}`);
  return [h('a', { href: `#/block/${s.height}` }, `block ${s.height}`), ` · ${chainTime(s.time)}`];
}

function figures(id, f, extra = []) {
  return h('dl', { class: 'facts', id },
    extra,
    f.received !== undefined ? [h('dt', {}, 'Received'), h('dd', { class: 'amount', dataset: { sat: f.received } }, btc(f.received))] : null,
    f.sent !== undefined ? [h('dt', {}, 'Sent'), h('dd', { class: 'amount', dataset: { sat: f.sent } }, btc(f.sent))] : null,
    f.balance !== undefined ? [h('dt', {}, 'Balance'), h('dd', { class: 'amount', dataset: { sat: f.balance } }, btc(f.balance))] : null,
    f.tx_count !== undefined ? [h('dt', {}, 'Transactions'), h('dd', {}, f.tx_count)] : null,
    f.outputs !== undefined ? [h('dt', {}, 'Outputs received'), h('dd', {}, `${f.outputs}${f.unspent_outputs !== undefined ? ` (${f.unspent_outputs} unspent)` : ''}`)] : null,
    f.first_seen !== undefined ? [h('dt', {}, 'First seen'), h('dd', { class: 'first-seen' }, seen(f.first_seen))] : null,
    f.last_seen !== undefined ? [h('dt', {}, 'Last seen'), h('dd', { class: 'last-seen' }, seen(f.last_seen))] : null);
}

// The address's own figures, then its cluster's own figures, each in its own box.
export function addressPanels(doc) {
  const own = doc.address || {};
  const c = doc.cluster;
  const out = [h('h3', {}, 'This address'), figures('address-facts', own)];
  if (c) {
    const extra = [
      h('dt', {}, 'Cluster'), h('dd', {}, h('a', { href: `#/investigate?q=${encodeURIComponent(`cluster:${c.id}`)}`, id: 'cluster-link' }, `cluster ${c.id}`)),
      h('dt', {}, 'Addresses in it'), h('dd', { id: 'cluster-size' }, c.size ?? '—')];
    out.push(h('h3', {}, 'Its cluster, as a whole'),
      h('p', { class: 'hint' }, 'The totals of every address the clustering heuristics join to this one (probable common ownership), not this address\'s own figures.'),
      figures('cluster-facts', c, extra));
  } else {
    out.push(h('p', { class: 'hint' }, 'No cluster: clusters are not built over this store (chainwatch cluster build).'));
  }
  return out;
}

function provenanceCell(r) {
  const p = r.provenance || [];
  if (!p.length) return h('span', { class: 'hint' }, 'no import record');
  return h('ul', { class: 'provenance' }, p.map((x) => h('li', {},
    h('span', { class: 'prov-file mono', title: `file SHA-256 ${x.file_sha256}\ncontent SHA-256 ${x.content_sha256}` }, x.file.split('/').pop()),
    ` (${x.kind}), imported ${String(x.imported_at).replace('T', ' ')}`,
    x.location ? h('span', { class: 'hint' }, ` · ${x.location}`) : null)));
}

// Labels with their provenance: what each says, from which list, and where it was read.
export function labelsWithProvenance(labels, caption = 'Labels, with provenance') {
  if (!labels || !labels.length) return h('p', { class: 'hint', id: 'labels-none' }, 'No label in this node\'s label store.');
  return table(caption, [
    { key: 'entity', label: 'Entity', render: (r) => [h('a', { href: `#/investigate?q=${encodeURIComponent(`entity:${r.entity}`)}` }, r.entity || '—'), r.entity_ref ? h('span', { class: 'hint' }, ` ${r.entity_ref}`) : null] },
    { key: 'category', label: 'Category' },
    { key: 'source', label: 'List / source', render: (r) => h('span', { class: 'label-source' }, r.source || '—') },
    { key: 'date', label: 'Date', render: (r) => r.date || '—' },
    { key: 'confidence', label: 'Confidence', render: (r) => (r.confidence ?? '—') },
    { key: 'programs', label: 'Programmes', render: (r) => r.programs || '—' },
    { key: 'provenance', label: 'Imported from', render: provenanceCell },
  ], labels, { class: 'labels', id: 'labels-table' });
}

// Labels found by a search: the subject linked (an address opens its page).
export function labelResults(doc) {
  const rows = doc.labels || [];
  const subject = (r) => (r.subject_kind === 'address'
    ? h('a', { class: 'mono', href: `#/investigate?q=${encodeURIComponent(r.subject)}`, title: r.subject }, short(r.subject, 28))
    : r.subject_kind === 'cluster' ? h('a', { href: `#/investigate?q=${encodeURIComponent(`cluster:${r.subject}`)}` }, `cluster ${r.subject}`) : r.subject);
  return [
    h('h2', { id: 'search-title' }, `Labels matching “${String(doc.query).replace(/^(label|entity):/i, '')}”`),
    h('p', { class: 'hint', id: 'label-count' }, `${rows.length} label${rows.length === 1 ? '' : 's'}${doc.more ? ' shown; more match: refine the search' : ''}. A label is what a list says; it is not a finding of this node.`),
    table(null, [
      { key: 'subject', label: 'Subject', render: subject },
      { key: 'asset', label: 'Asset', render: (r) => r.asset || '—' },
      ...[{ key: 'entity', label: 'Entity', render: (r) => [r.entity, r.entity_ref ? h('span', { class: 'hint' }, ` ${r.entity_ref}`) : null] },
        { key: 'category', label: 'Category' },
        { key: 'source', label: 'List / source', render: (r) => r.source || '—' },
        { key: 'provenance', label: 'Imported from', render: provenanceCell }],
    ], rows, { class: 'labels', id: 'label-results' })];
}

// A cluster: its own totals and a page of its members.
export function clusterView(doc) {
  const c = doc.cluster || {};
  const members = doc.members || [];
  return [
    h('h2', { id: 'search-title' }, `Cluster ${doc.id}`),
    h('p', { class: 'hint' }, 'Addresses the clustering heuristics join (probable common ownership; chainwatch cluster why A B names the transactions that join two of them).'),
    figures('cluster-facts', c, [h('dt', {}, 'Addresses in it'), h('dd', { id: 'cluster-size' }, c.size ?? '—')]),
    table(`Members${members.length < (c.size || 0) ? ` (the first ${members.length} of ${c.size})` : ''}`, [
      { key: 'address', label: 'Address', render: (r) => h('a', { class: 'mono', href: `#/investigate?q=${encodeURIComponent(r.address)}` }, r.address) },
      { key: 'label', label: 'Label', render: (r) => (r.label ? `${r.label.entity} (${r.label.category})` : '—') },
    ], members, { id: 'cluster-members' })];
}
