#!/usr/bin/env node
// truth-trace.mjs: turns a generated world's ground truth (DIR/truth/heists.json, written by
// `chainwatch gen`) into a trace document the dashboard draws: the heist's transactions from
// the theft to each exchange deposit (deposits[].via), CoinJoin and peel-chain marks from the
// truth's lists, one node per receiving exchange, and on each edge the deposited value that
// went through it (so an exchange node receives exactly deposits_by_exchange).
//   node truth-trace.mjs HEISTS_JSON [HEIST_INDEX]  > trace.json
// Used by tests/cli/web_e2e.sh and the demo to attach the heist's path to its alert until the
// tracing engine raises that alert itself.
import { readFileSync } from 'node:fs';

export function truthTrace(heists, index = 0) {
  const hz = heists[index];
  if (!hz) throw new Error(`no heist #${index}`);
  const cj = new Set(hz.coinjoin_txids || []);
  const peel = new Set(hz.peel_chain_txids || []);
  const nodes = new Map();
  const edges = new Map();
  const addNode = (id, hop, extra) => {
    const n = nodes.get(id);
    if (n) { n.hop = Math.min(n.hop, hop); return; }
    nodes.set(id, { id, hop, ...extra });
  };
  const addEdge = (s, t, v, hop) => {
    const k = `${s}>${t}`;
    const e = edges.get(k);
    if (e) e.value += v; else edges.set(k, { source: s, target: t, value: v, hop });
  };
  for (const d of hz.deposits) {
    const via = d.via && d.via.length ? d.via : [hz.theft_txid, d.txid];
    via.forEach((tx, i) => {
      const flags = [];
      if (cj.has(tx)) flags.push('coinjoin');
      if (peel.has(tx)) flags.push('peel');
      addNode(tx, i, { kind: 'tx', label: i === 0 ? `theft ${tx.slice(0, 8)}` : tx, category: 'theft', entity: hz.thief_name || 'thief', flags });
      if (i) addEdge(via[i - 1], tx, d.value_sat, i);
    });
    const ex = `exchange:${d.exchange}`;
    addNode(ex, via.length, { kind: 'entity', label: d.exchange, category: 'exchange', entity: d.exchange, flags: [] });
    addEdge(via[via.length - 1], ex, d.value_sat, via.length);
  }
  return {
    model: 'ground-truth', direction: 'forward', source: hz.theft_txid, heist: hz.name,
    nodes: [...nodes.values()], edges: [...edges.values()],
    summary: { stolen_sat: hz.amount_sat, deposits_by_exchange: hz.deposits_by_exchange },
  };
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const [file, idx] = process.argv.slice(2);
  if (!file) { console.error('usage: truth-trace.mjs HEISTS_JSON [INDEX]'); process.exit(2); }
  const doc = truthTrace(JSON.parse(readFileSync(file, 'utf8')), Number(idx || 0));
  process.stdout.write(JSON.stringify(doc));
}
