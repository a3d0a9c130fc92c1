// evm_format.test.mjs: the dashboard's EVM amounts (web/js/evm.js) are exact: base units
// scaled by the token's decimals with string arithmetic, checked against BigInt division (an
// independent computation) on amounts far above 2^53, and the trace document of
// `chainwatch trace --json` on an EVM store normalised into the graph, with a bridge exit as
// one edge of kind "bridge" into the Bitcoin part. Runs without a browser (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatUnits, formatAmount, fromEvmTrace, isEvmTrace, withEvmContinuations, roundsText, sourcesText } from '../../web/js/evm.js';

function viaBigInt(base, decimals) { // independent: quotient and remainder
  const b = BigInt(base), p = 10n ** BigInt(decimals);
  const q = b / p, r = b % p;
  if (r === 0n) return q.toString();
  return `${q}.${r.toString().padStart(decimals, '0').replace(/0+$/, '')}`;
}

test('formatUnits equals BigInt division, far beyond 2^53', () => {
  const cases = [['0', 18], ['1', 18], ['999999999999999999', 18], ['1000000000000000000', 18],
    ['123456789012345678901234567890', 18], ['115792089237316195423570985008687907853269984665640564039457584007913129639935', 18],
    ['1000000', 6], ['1234567', 6], ['42', 0], ['9007199254740993', 9], ['000120', 2]];
  for (const [b, d] of cases) assert.equal(formatUnits(b, d), viaBigInt(b, d), `${b} / 10^${d}`);
  // a double would have rounded these: 2^53 + 1 wei
  assert.equal(formatUnits('9007199254740993', 18), '0.009007199254740993');
  assert.equal(formatUnits('12345', null), '12345');
  assert.equal(formatAmount('30000000000000000000', { symbol: 'ETH', decimals: 18 }), '30 ETH');
  assert.equal(formatAmount('1500000', { symbol: 'USDT', decimals: 6 }), '1.5 USDT');
  assert.equal(formatAmount('77', { symbol: '', contract: '0xabc', decimals: null }), '77 base units of 0xabc');
});

test('an EVM trace becomes a graph; a bridge exit is one edge into Bitcoin', () => {
  const eth = { id: 0, symbol: 'ETH', decimals: 18, contract: null };
  const doc = {
    model: 'fifo',
    ends: [
      { address: '0xbb', asset: eth, kind: 'bridge', amount: '20000000000000000001', hops: 2, probable: false, path: ['0xh1', '0xh2'], label: { entity: 'Bridge B', category: 'bridge' } },
      { address: '0xee', asset: { symbol: 'USDT', decimals: 6 }, kind: 'exchange', amount: '30000000', hops: 2, probable: false, path: ['0xh1', '0xh3'], label: null, recognised: { as: 'exchange deposit address', probable: true, collector: '0xhw', collector_label: { entity: 'Examplex', category: 'exchange' } } },
    ],
    totals: [{ asset: eth, sourced: '100000000000000000000', fees: '0', dust: '0', burnt: '0' }],
    bridge_exits: [{ tx: '0xh2', bridge: '0xbb', asset: eth, amount: '20000000000000000001',
      edge: { from_chain: 'dev', from_tx: '0xh2', to_chain: 'bitcoin', to_address: 'bc1qdest', score: 0.97, probable: true } }],
    continuations: [{ address: 'bc1qdest', payouts: [], trace: { graph: [{ txid: 'bt1', hop: 1, inputs: [{ outpoint: 'p:0' }], outputs: [{ outpoint: 'bt1:0', address: 'bc1qx', traced: 100 }] }], by_address: [{ address: 'bc1qx', entity: 'Exchange K', category: 'exchange' }] } }],
  };
  assert.ok(isEvmTrace(doc));
  const fakeBitcoin = (t) => ({ nodes: [{ id: t.graph[0].txid, kind: 'tx', label: 'bt1', category: 'unknown', hop: 0 }, { id: 'entity:Exchange K', kind: 'entity', label: 'Exchange K', category: 'exchange', hop: 1 }],
    edges: [{ id: 'e0', source: 'bt1', target: 'entity:Exchange K', value: 100, hop: 1 }] });
  const g = fromEvmTrace(doc, fakeBitcoin);
  const bridge = g.edges.filter((e) => e.kind === 'bridge');
  assert.equal(bridge.length, 1);
  assert.equal(bridge[0].source, 'entity:Bridge B');
  assert.equal(bridge[0].target, 'btc:bc1qdest');
  assert.match(bridge[0].text, /^20\.000000000000000001 ETH/);
  assert.ok(g.nodes.some((n) => n.id === 'btc:entity:Exchange K' && n.chain === 'bitcoin'));
  assert.ok(g.edges.some((e) => e.source === 'btc:bc1qdest' && e.target === 'btc:bt1'));
  const usdt = g.meta.ends.find((e) => e.address === '0xee');
  assert.equal(usdt.text, '30 USDT');
  // the recognised deposit address names its hot wallet's exchange, as probable
  const dep = g.nodes.find((n) => n.id === 'addr:0xee');
  assert.equal(dep.label, 'exchange deposit address 0xee of Examplex (probable)');
  assert.equal(dep.entity, 'Examplex');
  assert.equal(dep.probable, true);
  assert.equal(usdt.label, dep.label);
  assert.equal(g.edges.find((e) => e.target === 'addr:0xee').text, '30 USDT');
  assert.equal(g.meta.totals[0].sourced, '100 ETH');
});

test('an unlabelled service end (kind "service") is drawn as a service, not as unknown', () => {
  const eth = { id: 0, symbol: 'ETH', decimals: 18, contract: null };
  const doc = { model: 'fifo', ends: [
    { address: '0xorder', asset: eth, kind: 'service', amount: '5000000000000000000', hops: 3, probable: true, path: ['0xh1', '0xh2'], label: null,
      recognised: { as: 'deposit address of an unlabelled service (used once: an order)', probable: true, collector: '0xcoll' } }] };
  const g = fromEvmTrace(doc, () => ({ nodes: [], edges: [] }));
  const n = g.nodes.find((x) => x.id === 'addr:0xorder');
  assert.equal(n.category, 'service');
  assert.equal(n.probable, true);
  assert.equal(g.meta.ends[0].category, 'service');
  assert.equal(g.meta.ends[0].text, '5 ETH');
});

test('dust an honest account holds (kind "dust") is drawn as a plain address, not an entity', () => {
  const eth = { id: 0, symbol: 'ETH', decimals: 18, contract: null };
  const doc = { model: 'fifo', ends: [
    { address: '0xuser', asset: eth, kind: 'dust', amount: '20000000000000', hops: 2, probable: false, path: ['0xh1'], label: null,
      recognised: null, dust: { rule: 'own funds', meaning: 'stolen dust beside the account\'s own funds' } }] };
  const g = fromEvmTrace(doc, () => ({ nodes: [], edges: [] }));
  const n = g.nodes.find((x) => x.id === 'addr:0xuser');
  assert.equal(n.kind, 'address');
  assert.equal(n.category, 'unknown');
  assert.equal(g.meta.ends[0].kind, 'dust');
});

test('a holding the token\'s own contract froze says so beside its kind (a fact, not probable)', () => {
  const usdc = { id: 3, symbol: 'USDC', decimals: 6, contract: '0xusdc' };
  const doc = { model: 'fifo', ends: [
    { address: '0xthief', asset: usdc, kind: 'held', amount: '333333333334', hops: 3, probable: false, path: ['0xh1'], label: null,
      recognised: null, frozen: { by: '0xusdc', since_block: 336, since_time: 1767000000, tx: '0xfreeze', probable: false, meaning: 'frozen' } },
    { address: '0xother', asset: usdc, kind: 'held', amount: '5', hops: 1, probable: false, path: ['0xh2'], label: null, recognised: null }] };
  const g = fromEvmTrace(doc, () => ({ nodes: [], edges: [] }));
  assert.equal(g.meta.ends[0].kind, 'held');
  assert.equal(g.meta.ends[0].frozen, 'frozen by the issuer since block 336 (tx 0xfreeze)');
  assert.equal(g.meta.ends[0].probable, false);
  assert.equal(g.meta.ends[1].frozen, null);
});

test('a Bitcoin trace continued into Ethereum: one bridge edge per paid deposit, the refund followed on Bitcoin', () => {
  const eth = { id: 0, symbol: 'ETH', decimals: 18, contract: null };
  // fromBitcoin stand-in: one node per graph tx, edges where an output is spent in the graph
  const fromBitcoin = (t) => {
    const spent = new Map();
    for (const x of t.graph) for (const i of x.inputs) spent.set(i.outpoint, x.txid);
    const edges = [];
    for (const x of t.graph) for (const o of x.outputs) if (spent.has(o.outpoint)) edges.push({ id: `b${edges.length}`, source: x.txid, target: spent.get(o.outpoint), value: o.traced, hop: x.hop + 1 });
    return { nodes: t.graph.map((x) => ({ id: x.txid, kind: 'tx', label: x.txid, category: 'unknown', hop: x.hop })), edges, meta: { model: 'fifo' } };
  };
  const doc = {
    graph: [{ txid: 'dep1', hop: 0, inputs: [{ outpoint: 's:0' }], outputs: [{ outpoint: 'dep1:0', traced: 100 }] },
      { txid: 'dep2', hop: 0, inputs: [{ outpoint: 's:1' }], outputs: [{ outpoint: 'dep2:0', traced: 50 }] },
      { txid: 'dep3', hop: 0, inputs: [{ outpoint: 's:2' }], outputs: [{ outpoint: 'dep3:0', traced: 70 }] }],
    evm_continuations: [{ chain: 'ethereum', store: 'es', exits: [
      { deposit_txid: 'dep1', how: 'OUT memo', certain: true, probable: false, refund_txid: null, refund_output: null,
        payout: { tx: '0xp1', amount: '12500000000000000000', asset: eth, score: 1, traced: true } },
      { deposit_txid: 'dep2', how: 'amount and time', certain: false, probable: true, refund_txid: null, refund_output: null,
        payout: { tx: '0xp2', amount: '1000000000000000000', asset: eth, score: 0.8, traced: true } },
      { deposit_txid: 'dep3', how: 'refunded on Bitcoin', certain: false, probable: false, refund_txid: 'ref3', payout: null,
        refund_output: { outpoint: 'ref3:0', value_sat: 6990000, certain: true, probable: false, followed: true } }],
    refund_traces: [{ round: 2, sources: ['ref3:0'], probable: false, trace: { graph: [
      { txid: 'mv', hop: 0, inputs: [{ outpoint: 'ref3:0' }], outputs: [{ outpoint: 'mv:0', traced: 6980000 }] },
      { txid: 'cash', hop: 1, inputs: [{ outpoint: 'mv:0' }], outputs: [{ outpoint: 'cash:0', traced: 6970000 }] }] } }],
    trace: { chain: 'ethereum', model: 'fifo', ends: [
      { address: '0xex', asset: eth, kind: 'exchange', amount: '13500000000000000000', hops: 2, probable: false, path: ['0xp1', '0xfw'], label: { entity: 'Exch', category: 'exchange' } }] } }],
  };
  const g = withEvmContinuations(fromBitcoin(doc), doc, fromBitcoin);
  const bridge = g.edges.filter((e) => e.kind === 'bridge');
  assert.deepEqual(bridge.map((e) => [e.source, e.target, e.text]),
    [['dep1', 'ethereum:0xp1', '12.5 ETH (bridge, certain)'], ['dep2', 'ethereum:0xp2', '1 ETH (bridge, probable)']]);
  assert.equal(bridge[1].probable, true);
  // the EVM trace hangs off the payout: its nodes say their chain, after the crossing
  const ex = g.nodes.find((n) => n.id === 'ethereum:entity:Exch');
  assert.equal(ex.chain, 'ethereum');
  assert.ok(ex.hop > g.nodes.find((n) => n.id === 'dep1').hop);
  assert.ok(g.edges.some((e) => e.source === 'ethereum:0xp1' && e.target === 'ethereum:0xfw'));
  // the refund: deposit -> refund tx -> the refund's own trace on Bitcoin
  const ref = g.edges.find((e) => e.kind === 'refund');
  assert.deepEqual([ref.source, ref.target, ref.text], ['dep3', 'ref3', 'refunded 0.06990000 BTC (certain)']);
  assert.ok(g.edges.some((e) => e.source === 'ref3' && e.target === 'mv'));
  assert.ok(g.edges.some((e) => e.source === 'mv' && e.target === 'cash'));
  assert.equal(g.nodes.find((n) => n.id === 'cash').chain, 'bitcoin');
  assert.deepEqual([g.meta.crossings, g.meta.refunds], [2, 1]);
  assert.deepEqual(g.meta.crossingRows.map((r) => [r.deposit, r.tier, r.text]),
    [['dep1', 'CERTAIN', '12.5 ETH'], ['dep2', 'PROBABLE', '1 ETH'], ['dep3', 'CERTAIN', '0.06990000 BTC back on Bitcoin']]);
  assert.deepEqual(g.meta.evmEnds.map((e) => [e.chain, e.label, e.text]), [['ethereum', 'Exch', '13.5 ETH']]);
  // no continuation: the graph as it was
  const plain = fromBitcoin(doc);
  assert.equal(withEvmContinuations(plain, { graph: doc.graph }, fromBitcoin), plain);
});

test('a deposit several rounds reached: the crossings table names every round and its value, probable parts said', () => {
  const eth = { id: 0, symbol: 'ETH', decimals: 18, contract: null };
  const pay = (tx) => ({ tx, amount: '1000000000000000000', asset: eth, score: 1, traced: true });
  const x = (id, rounds) => ({ deposit_txid: id, round: rounds[0].round, rounds: rounds.map((r) => r.round), by_round: rounds,
    how: 'OUT memo', certain: true, probable: false, refund_txid: null, refund_output: null, payout: pay(`0x${id}`) });
  const doc = { graph: [], evm_continuations: [{ chain: 'ethereum', store: 'es', refund_traces: [], trace: null, exits: [
    x('d1', [{ round: 1, traced_sat: 100000000, traced_probable_sat: 0 }]),
    x('d2', [{ round: 2, traced_sat: 58608893, traced_probable_sat: 58608893 }]),
    x('d3', [{ round: 1, traced_sat: 362296916, traced_probable_sat: 0 }, { round: 2, traced_sat: 47843912, traced_probable_sat: 47843912 }])] }] };
  const g = withEvmContinuations({ nodes: [], edges: [], meta: {} }, doc, null);
  assert.deepEqual(g.meta.crossingRows.map((r) => [r.deposit, r.round, r.rounds]), [
    ['d1', '1', [1]],
    ['d2', '2: 0.58608893 BTC (probable 0.58608893 BTC)', [2]],
    ['d3', '1: 3.62296916 BTC; 2: 0.47843912 BTC (probable 0.47843912 BTC)', [1, 2]]]);
  // a document from before by_round (stop 25): its rounds, without values
  assert.equal(roundsText({ round: 1, rounds: [1, 2] }), '1, 2');
  assert.equal(roundsText({ round: 2 }), '2');
});

test('a refund round with one certain and one probable source: the table of rounds shows each source\'s share', () => {
  const rt = { round: 2, sources: ['r1:0', 'r2:0'], probable: true,
    by_source: [{ outpoint: 'r1:0', deposit_txid: 'd1', value_sat: 762055656, probable_sat: 762055656, by: 'by amount' },
      { outpoint: 'r2:0', deposit_txid: 'd2', value_sat: 351119389, probable_sat: 0, by: 'sender' }],
    trace: { graph: [], ended: { label: { value: 836964781, probable: 606286408 }, unspent: { value: 61029983, probable: 61029983 } } } };
  const doc = { graph: [], evm_continuations: [{ chain: 'ethereum', store: 'es', exits: [], trace: null, refund_traces: [rt] }] };
  const g = withEvmContinuations({ nodes: [], edges: [], meta: {} }, doc, null);
  assert.deepEqual(g.meta.refundRounds, [{ chain: 'ethereum', round: 2,
    sources: 'r1:0 7.62055656 BTC (probable 7.62055656 BTC); r2:0 3.51119389 BTC certain',
    text: '8.97994764 BTC (probable 6.67316391 BTC)' }]);
  // a document from before by_source (stop 26): the sources and the round's PROBABLE
  assert.equal(sourcesText({ sources: ['r1:0', 'r2:0'], probable: true }), 'r1:0 r2:0 (probable)');
  assert.equal(sourcesText({ sources: ['r1:0'], probable: false }), 'r1:0');
});
