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
    const labelled = !!(lab.entity || (end.kind && end.kind !== 'held' && end.kind !== 'dust'));
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
