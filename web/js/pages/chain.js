// chain.js: the transaction page (#/tx/TXID) and the block page (#/block/HEIGHT|HASH):
// GET /api/v1/chain/tx/{txid} and /api/v1/chain/block/{id}. On-chain times in UTC, amounts in
// BTC, pattern flags (CoinJoin, peel chain: probable), every address, txid and block linked.
import { api, seg } from '../api.js';
import { h, errorPanel, btc, when, short, table } from '../ui.js';

const utc = (t) => (t ? when(new Date(Number(t) * 1000).toISOString()) : '—');
const addrLink = (a) => (a && a !== '-' ? h('a', { class: 'mono', href: `#/investigate?q=${encodeURIComponent(a)}` }, a) : '—');
const txLink = (t) => h('a', { class: 'mono', href: `#/tx/${t}`, title: t }, short(t, 20));

async function txPage(view, id) {
  const t = await api(`chain/tx/${seg(id)}`);
  view.append(h('h1', {}, 'Transaction'), h('p', { class: 'mono' }, t.txid),
    h('dl', { class: 'facts', id: 'tx-facts' },
      h('dt', {}, 'Block'), h('dd', {}, h('a', { href: `#/block/${t.height}` }, t.height)),
      h('dt', {}, 'On-chain time (UTC)'), h('dd', { id: 'tx-time' }, utc(t.time)),
      h('dt', {}, 'Inputs'), h('dd', {}, `${(t.inputs || []).length}, ${btc(t.input_value)}`),
      h('dt', {}, 'Outputs'), h('dd', {}, `${(t.outputs || []).length}, ${btc(t.output_value)}`),
      h('dt', {}, 'Fee'), h('dd', {}, t.coinbase ? 'coinbase' : btc(t.fee)),
      h('dt', {}, 'Size'), h('dd', {}, `${t.size} bytes, weight ${t.weight}`),
      h('dt', {}, 'Patterns'), h('dd', {}, (t.flags || []).length ? `${t.flags.join(', ').replace('peel_chain', 'peel chain')} (probable)` : 'none found')),
    h('p', {}, h('a', { class: 'button', href: `#/investigate?q=${t.txid}` }, 'Trace from this transaction')));
  view.append(table('Inputs', [
    { key: 'address', label: 'Address', render: (r) => addrLink(r.address) },
    { key: 'value', label: 'Amount', render: (r) => btc(r.value) },
    { key: 'prev_txid', label: 'Spends', render: (r) => (r.prev_txid ? [txLink(r.prev_txid), `:${r.prev_vout}`] : 'coinbase') },
  ], t.inputs || [], { id: 'tx-inputs' }));
  view.append(table('Outputs', [
    { key: 'n', label: '#', render: (r) => r.n ?? r.vout ?? '' },
    { key: 'address', label: 'Address', render: (r) => addrLink(r.address) },
    { key: 'value', label: 'Amount', render: (r) => btc(r.value) },
    { key: 'spent_by', label: 'Spent by', render: (r) => (r.spent_by ? txLink(String(r.spent_by).split(':')[0]) : 'unspent') },
  ], t.outputs || [], { id: 'tx-outputs' }));
}

async function blockPage(view, id) {
  const b = await api(`chain/block/${seg(id)}`);
  const txs = b.txids || b.txs || [];
  view.append(h('h1', {}, `Block ${b.height}`), h('p', { class: 'mono' }, b.hash),
    h('dl', { class: 'facts', id: 'block-facts' },
      h('dt', {}, 'Height'), h('dd', {}, b.height),
      h('dt', {}, 'On-chain time (UTC)'), h('dd', { id: 'block-time' }, utc(b.time)),
      h('dt', {}, 'Transactions'), h('dd', {}, b.n_tx ?? txs.length),
      b.fees !== undefined ? [h('dt', {}, 'Fees'), h('dd', {}, btc(b.fees))] : null,
      h('dt', {}, 'Previous'), h('dd', {}, b.height > 0 ? h('a', { href: `#/block/${b.height - 1}` }, b.height - 1) : '—'),
      h('dt', {}, 'Next'), h('dd', {}, h('a', { href: `#/block/${b.height + 1}` }, b.height + 1))));
  view.append(table(`Transactions (${txs.length})`, [
    { key: 'txid', label: 'Txid', render: (r) => txLink(typeof r === 'string' ? r : r.txid) },
  ], txs.slice(0, 500), { id: 'block-txs' }));
}

export async function render(view, { page, args }) {
  const id = args[0] || '';
  try {
    if (page === 'tx') await txPage(view, id);
    else await blockPage(view, id);
  } catch (e) {
    view.append(errorPanel(e, page === 'tx' ? `Transaction ${short(id, 20)}` : `Block ${id}`));
  }
}
