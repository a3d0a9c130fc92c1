// evm.js: EVM traces in the fund-flow graph (issue 13). Amounts are exact: base units are
// decimal strings (wei exceed 2^53) scaled by the token's decimals with string arithmetic, never
// through a double. Reads the trace document of `chainwatch trace --json` on an EVM store (and
// GET /api/v1/evm/trace, the same shape): `ends` (where the value stopped or is held, kind dust for dust an honest account holds,
// `frozen` {since_block, tx} on a holding the token's own contract froze; each with
// its asset {symbol, decimals, contract}, amount in base units, kind, hops and `path`, the tx
// hashes from the source), and, when the cross-chain trace ran, `bridge_exits` (each with an
// `edge` {from_chain, to_chain: "bitcoin", to_address, score, probable}) and `continuations`
// (the Bitcoin trace from the payouts, as `chainwatch trace --json` prints it on a Bitcoin
// store). A bridge hop is drawn as one edge of kind "bridge" from the bridge into the Bitcoin
// address, and the Bitcoin continuation hangs off that address in the same graph.

// "1234500000000000000", 18 -> "1.2345"; decimals null/undefined: the base units unchanged.
export function formatUnits(base, decimals) {
  let s = String(base ?? '').trim();
  if (!/^[0-9]+$/.test(s)) return s;
  s = s.replace(/^0+(?=\d)/, '');
  const d = Number(decimals);
  if (decimals === null || decimals === undefined || !Number.isInteger(d) || d <= 0) return s;
  const padded = s.padStart(d + 1, '0');
  const int = padded.slice(0, padded.length - d);
  const frac = padded.slice(padded.length - d).replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

// "30 ETH", "1000.5 USDT", "123 base units of 0xabc…" (no decimals known)
export function formatAmount(base, asset) {
  const a = asset || {};
  const sym = a.symbol || a.contract || '?';
  if (a.decimals === null || a.decimals === undefined) return `${formatUnits(base, null)} base units of ${sym}`;
  return `${formatUnits(base, a.decimals)} ${sym}`;
}

// Sums of base-unit strings per asset symbol (BigInt: exact).
function addTo(map, asset, base) {
  const k = asset ? `${asset.symbol || asset.contract || '?'}|${asset.decimals ?? ''}` : '?|';
  const cur = map.get(k);
  let v;
  try { v = BigInt(String(base)); } catch { v = 0n; }
  if (cur) cur.v += v; else map.set(k, { asset, v });
}
export function sumsText(map) {
  return [...map.values()].map(({ asset, v }) => formatAmount(v.toString(), asset)).join(' + ');
}

export function isEvmTrace(doc) {
  return !!doc && typeof doc === 'object' && Array.isArray(doc.ends) &&
    (doc.ends.length === 0 || (typeof doc.ends[0].asset === 'object' && 'kind' in doc.ends[0]));
}

const KIND_CATEGORY = { exchange: 'exchange', service: 'service', mixer: 'mixer', bridge: 'bridge', held: 'unknown', dust: 'unknown', other: 'unknown' };
const short = (s) => (s && s.length > 14 ? `${s.slice(0, 8)}…${s.slice(-4)}` : s || '');

// The normalised graph of graph.js ({nodes, edges, meta}). Transactions are nodes (one per tx
// hash on an evidence path, in hop order), each end's address is a node (labelled ends by their
// entity); the last edge of a path carries the end's amount. fromBitcoin normalises a Bitcoin
// trace document (graph.js's fromEngine) for the continuations.
export function fromEvmTrace(doc, fromBitcoin) {
  const nodes = new Map(), edges = new Map();
  const chain = doc.chain || 'evm';
  const node = (id, n) => { if (!nodes.has(id)) nodes.set(id, { id, coinjoin: false, peel: false, value: null, entity: '', category: 'unknown', chain, ...n }); return nodes.get(id); };
  const edge = (source, target, hop, extra = {}) => {
    const k = `${source}>${target}`;
    let e = edges.get(k);
    if (!e) { e = { id: `e${edges.size}`, source, target, value: null, hop, kind: 'transfer', sums: new Map(), ...extra }; edges.set(k, e); }
    return e;
  };
  const ends = [];
  for (const end of doc.ends || []) {
    const path = Array.isArray(end.path) ? end.path.filter(Boolean) : [];
    let prev = null;
    path.forEach((tx, i) => {
      node(tx, { kind: 'tx', label: tx, hop: i });
      if (prev && prev !== tx) edge(prev, tx, i);
      prev = tx;
    });
    const lab = end.label || {};
    const rec = end.recognised && typeof end.recognised === 'object' ? end.recognised : null;
    const category = (lab.category || KIND_CATEGORY[end.kind] || 'unknown').toLowerCase();
    const labelled = !!(lab.entity || (end.kind && end.kind !== 'held' && end.kind !== 'dust' && end.kind !== 'third_party'));
    const id = lab.entity ? `entity:${lab.entity}` : `addr:${end.address}`;
    const hops = Number(end.hops ?? path.length) || path.length;
    const hop = Math.max(path.length, 1); // the column after its last transaction
    // a recognised deposit address names the exchange behind it by its hot wallet's label
    // (recognised.collector_label): probable, so the node stays the address's own
    const coll = rec && rec.collector_label && rec.collector_label.entity ? rec.collector_label : null;
    const recText = rec ? `${rec.as} ${short(end.address)}${coll ? ` of ${coll.entity} (probable)` : ''}` : '';
    const n = node(id, { kind: labelled ? 'entity' : 'address', label: lab.entity || recText || end.address, category,
      entity: lab.entity || (coll ? coll.entity : ''), hop, probable: !!(end.probable || (rec && rec.probable)) });
    n.hop = Math.min(n.hop, hop);
    n.sums = n.sums || new Map();
    addTo(n.sums, end.asset, end.amount);
    if (prev) addTo(edge(prev, id, hop).sums, end.asset, end.amount);
    ends.push({ label: n.label, address: end.address, category, kind: end.kind, hop: hops, asset: end.asset, amount: end.amount,
      text: formatAmount(end.amount, end.asset), probable: !!end.probable,
      // a holding the token's own contract froze (a fact from the chain, not a judgement)
      frozen: end.frozen && typeof end.frozen === 'object' ? `frozen by the issuer since block ${end.frozen.since_block} (tx ${end.frozen.tx})` : null });
  }
  // the cross-chain part: one bridge edge per exit, into the Bitcoin address it paid
  let maxHop = Math.max(0, ...[...nodes.values()].map((n) => n.hop));
  for (const x of doc.bridge_exits || []) {
    const ed = x.edge;
    if (!ed || !ed.to_address) continue;
    const from = [...nodes.values()].find((n) => n.kind !== 'tx' && (n.id === `addr:${x.bridge}` || ends.some((e) => e.address === x.bridge && e.label === n.label)));
    const src = from ? from.id : node(`addr:${x.bridge}`, { kind: 'entity', label: `bridge ${short(x.bridge)}`, category: 'bridge', hop: maxHop }).id;
    const hop = (nodes.get(src).hop || 0) + 1;
    const to = node(`btc:${ed.to_address}`, { kind: 'address', label: ed.to_address, category: 'unknown', chain: ed.to_chain || 'bitcoin', hop, probable: true });
    const e = edge(src, to.id, hop, { kind: 'bridge', score: ed.score, probable: true });
    addTo(e.sums, x.asset, x.amount);
    maxHop = Math.max(maxHop, hop);
  }
  for (const c of doc.continuations || []) {
    if (!c.trace || typeof fromBitcoin !== 'function' || !Array.isArray(c.trace.graph) || !c.trace.graph.length) continue;
    const g = fromBitcoin(c.trace);
    const base = (nodes.get(`btc:${c.address}`)?.hop ?? maxHop) + 1;
    for (const n of g.nodes) node(`btc:${n.id}`, { ...n, id: `btc:${n.id}`, hop: n.hop + base, chain: 'bitcoin' });
    for (const e of g.edges) {
      const k = `btc:${e.source}>btc:${e.target}`;
      edges.set(k, { ...e, id: `e${edges.size}`, source: `btc:${e.source}`, target: `btc:${e.target}`, hop: e.hop + base, kind: 'transfer', text: null });
    }
    // the payout address leads into the first Bitcoin transactions of the continuation
    if (nodes.has(`btc:${c.address}`)) for (const n of g.nodes.filter((x) => x.hop === 0)) edge(`btc:${c.address}`, `btc:${n.id}`, base, { kind: 'transfer' });
  }
  const out = [...edges.values()].map((e) => {
    const { sums, ...rest } = e;
    return { ...rest, text: e.text !== undefined && e.text !== null ? e.text : sums && sums.size ? sumsText(sums) + (e.kind === 'bridge' ? ' (bridge, probable)' : '') : (e.kind === 'bridge' ? 'bridge (probable)' : '') };
  });
  const ns = [...nodes.values()].map((n) => { const { sums, ...rest } = n; return { ...rest, text: sums ? sumsText(sums) : null }; });
  const totals = (doc.totals || []).map((t) => ({ asset: t.asset, sourced: formatAmount(t.sourced, t.asset), fees: formatAmount(t.fees, t.asset) }));
  return { nodes: ns, edges: out, meta: { evm: true, chain, model: doc.model, source: (doc.sources || []).join(' '), ends, totals,
    bridges: (doc.bridge_exits || []).length } };
}

// A Bitcoin trace continued into EVM stores (`chainwatch trace --evm-store`, GET
// /api/v1/trace?evm=1: `evm_continuations`): each vault deposit the vault paid is one dashed
// teal edge of kind `bridge` from the deposit transaction into the payout transaction on the
// EVM chain ("12.5 ETH (bridge, certain)" by the vault's OUT: memo, else "(bridge, probable)"),
// and the EVM trace from the payouts hangs off it (its nodes say their chain). A refund followed
// back on Bitcoin is an edge of kind `refund` from the deposit into the refund transaction, and
// the refunds' Bitcoin traces (`refund_traces`, normalised by fromBitcoin) go on from there.
// g: fromBitcoin(doc) of the first trace; returns g with the crossings added.
// The crossings table's "Round": a deposit reached by one round is that round ("1"); one a
// refund followed reached too (the exit's `by_round`: listed once at its first round, with every
// round's traced value) names each round and its value, with its probable part:
// "1: 3.62296916 BTC; 2: 0.47843912 BTC (probable 0.47843912 BTC)".
const btc = (sat) => `${(Number(sat) / 1e8).toFixed(8)} BTC`;
export function roundsText(x) {
  const br = Array.isArray(x.by_round) ? x.by_round : [];
  if (!br.length) return (Array.isArray(x.rounds) && x.rounds.length ? x.rounds : [x.round || 1]).join(', ');
  if (br.length === 1 && br[0].round <= 1) return String(br[0].round);
  return br.map((r) => `${r.round}: ${btc(r.traced_sat)}${Number(r.traced_probable_sat) > 0 ? ` (probable ${btc(r.traced_probable_sat)})` : ''}`).join('; ');
}
// The table of refund rounds: each round of refunds followed on Bitcoin with each source (a
// refund's output: `refund_traces[].by_source`, stop 27) and its probable part, so a round with one
// certain and one probable source shows both shares:
// "8962…:0 3.51119389 BTC certain; 3a7d…:0 7.62055656 BTC (probable 7.62055656 BTC)".
// A document from before by_source lists its sources and the round's PROBABLE.
export function sourcesText(rt) {
  const bs = Array.isArray(rt.by_source) ? rt.by_source : [];
  if (!bs.length) return `${(rt.sources || []).join(' ')}${rt.probable ? ' (probable)' : ''}`;
  return bs.map((s) => `${s.outpoint} ${btc(s.value_sat)} ${Number(s.probable_sat) > 0 ? `(probable ${btc(s.probable_sat)})` : 'certain'}`).join('; ');
}
export function withEvmContinuations(g, doc, fromBitcoin) {
  const conts = Array.isArray(doc && doc.evm_continuations) ? doc.evm_continuations : [];
  if (!g || !conts.length) return g;
  const nodes = new Map(g.nodes.map((n) => [n.id, n]));
  const edges = [...g.edges];
  const node = (n) => { if (!nodes.has(n.id)) nodes.set(n.id, { coinjoin: false, peel: false, value: null, entity: '', category: 'unknown', ...n }); return nodes.get(n.id); };
  const edge = (source, target, hop, extra) => {
    if (edges.some((e) => e.source === source && e.target === target)) return;
    edges.push({ value: null, ...extra, id: `x${edges.length}`, source, target, hop });
  };
  const maxHop = () => Math.max(0, ...[...nodes.values()].map((n) => Number(n.hop) || 0));
  let crossings = 0, refunds = 0;
  const rows = [], evmEnds = [], refundRounds = [];
  for (const c of conts) {
    const chain = c.chain || 'evm';
    const sub = c.trace ? fromEvmTrace(c.trace) : { nodes: [], edges: [] };
    const paid = (c.exits || []).filter((x) => x.payout && x.payout.tx);
    for (const x of c.exits || []) {
      const p = x.payout, o = x.refund_output;
      rows.push({ chain, deposit: x.deposit_txid, round: roundsText(x), rounds: x.rounds || [x.round || 1], how: x.how,
        tier: p ? (x.certain ? 'CERTAIN' : 'PROBABLE') : o && o.outpoint ? (o.certain ? 'CERTAIN' : 'PROBABLE') : '',
        text: p ? formatAmount(p.amount, p.asset) : o && o.value_sat ? `${btc(o.value_sat)} back on Bitcoin` : '',
        to: p ? p.recipient || '' : o && o.address ? o.address : x.requested_address ? `${x.requested_address} (requested by the memo, not attributed)` : '' });
    }
    for (const e of sub.meta && sub.meta.ends ? sub.meta.ends : []) evmEnds.push({ ...e, chain });
    const deposit = (x) => node({ id: x.deposit_txid, kind: 'tx', label: x.deposit_txid, chain: 'bitcoin', hop: maxHop() });
    const base = Math.max(0, ...paid.map((x) => (Number(deposit(x).hop) || 0) + 1));
    for (const n of sub.nodes) node({ ...n, id: `${chain}:${n.id}`, hop: n.hop + base, chain });
    for (const e of sub.edges) edge(`${chain}:${e.source}`, `${chain}:${e.target}`, e.hop + base, { ...e, id: undefined });
    for (const x of paid) {
      const d = deposit(x);
      const to = node({ id: `${chain}:${x.payout.tx}`, kind: 'tx', label: x.payout.tx, chain, hop: base });
      const how = x.certain ? 'certain' : 'probable';
      edge(d.id, to.id, base, { kind: 'bridge', probable: !x.certain, score: x.payout.score,
        text: `${formatAmount(x.payout.amount, x.payout.asset)} (bridge, ${how})` });
      crossings++;
    }
    for (const x of c.exits || []) {
      if (!x.refund_txid) continue;
      const d = deposit(x);
      const r = node({ id: x.refund_txid, kind: 'tx', label: `refund ${x.refund_txid}`, chain: 'bitcoin', hop: (Number(d.hop) || 0) + 1 });
      const o = x.refund_output || {};
      edge(d.id, r.id, r.hop, { kind: 'refund', probable: !o.certain, value: o.value_sat ?? null,
        text: `refunded${o.value_sat ? ` ${btc(o.value_sat)}` : ''} (${o.certain ? 'certain' : 'probable'})` });
      refunds++;
    }
    for (const rt of c.refund_traces || []) {
      const ended = rt.trace && rt.trace.ended ? Object.values(rt.trace.ended) : [];
      refundRounds.push({ chain, round: rt.round, sources: sourcesText(rt),
        text: `${btc(ended.reduce((a, e) => a + Number(e.value || 0), 0))} (probable ${btc(ended.reduce((a, e) => a + Number(e.probable || 0), 0))})` });
      if (!rt.trace || !Array.isArray(rt.trace.graph) || !rt.trace.graph.length || typeof fromBitcoin !== 'function') continue;
      const sg = fromBitcoin(rt.trace);
      const starts = new Map(); // a refund tx -> the transactions that spend its outputs
      for (const t of rt.trace.graph) for (const i of t.inputs || []) {
        const src = String(i.outpoint || '').split(':')[0];
        if (nodes.has(src)) starts.set(t.txid, src);
      }
      const at = Math.max(0, ...[...starts.values()].map((s) => (Number(nodes.get(s).hop) || 0) + 1));
      for (const n of sg.nodes) { const m = node({ ...n, hop: n.hop + at, chain: 'bitcoin', probable: !!rt.probable }); m.hop = Math.min(m.hop, n.hop + at); }
      for (const e of sg.edges) edge(e.source, e.target, e.hop + at, { ...e, id: undefined });
      for (const [t, s] of starts) edge(s, t, at, { kind: 'transfer' });
    }
  }
  const out = edges.map((e, i) => ({ ...e, id: e.id || `x${i}` }));
  return { nodes: [...nodes.values()], edges: out, meta: { ...g.meta, crossings, refunds, crossingRows: rows, evmEnds, refundRounds } };
}
