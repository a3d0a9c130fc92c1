// btcevm_graph.test.mjs: a Bitcoin trace continued into Ethereum through a swap vault, in
// Debian's chromium (run by tests/cli/web_btcevm.sh). The Investigate page's search with
// "Across chains" asks GET /api/v1/trace?evm=1; checked against that API document (the CLI's
// shape, tests/cli/btc_alt6_world.sh compares the two) and the world's truth (the honest person
// the thief's memo names): the crossings table lists each vault deposit as the API does, one
// dashed bridge edge per paid deposit from the deposit tx into its payout tx on Ethereum (the
// EVM trace's nodes say chain ethereum), a refund edge into the refund tx and its trace on
// Bitcoin, the honest person on no node; then the CLI's file of the whole heist opened: the
// same per deposit. Environment: CW_URL, CW_KEY, CW_SOURCE, CW_ALL_FILE, CW_HONEST,
// CW_ARTIFACTS, CW_CHROMIUM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openDashboard } from './lib/chromium.mjs';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`${k} is not set (run tests/cli/web_btcevm.sh)`); return v; };
const BASE = env('CW_URL');
const honest = env('CW_HONEST').toLowerCase();
let dash, page, errors;

before(async () => {
  dash = await openDashboard({ base: BASE, key: env('CW_KEY'), executablePath: env('CW_CHROMIUM') });
  ({ page, errors } = dash);
});
after(async () => { await dash?.close(); });

const graphOf = () => page.evaluate(() => ({
  bridges: window.__cwGraph.cy.edges('[kind = "bridge"]').map((e) => ({ s: e.source().id(), t: e.target().id(), text: e.data('display'), chain: e.target().data('chain') })),
  refunds: window.__cwGraph.cy.edges('[kind = "refund"]').map((e) => ({ s: e.source().id(), t: e.target().id(), out: e.target().outgoers('edge').length })),
  labels: window.__cwGraph.cy.nodes().map((n) => String(n.data('label')).toLowerCase()),
}));

function expectCrossings(g, doc) {
  const exits = doc.evm_continuations[0].exits;
  const paid = exits.filter((x) => x.payout);
  assert.deepEqual(g.bridges.map((b) => `${b.s}>${b.t}`).sort(), paid.map((x) => `${x.deposit_txid}>ethereum:${x.payout.tx}`).sort());
  for (const b of g.bridges) {
    const x = paid.find((p) => p.deposit_txid === b.s);
    assert.equal(b.chain, 'ethereum');
    assert.ok(b.text.endsWith(x.certain ? '(bridge, certain)' : '(bridge, probable)'), b.text);
  }
  const refunded = exits.filter((x) => x.refund_txid);
  assert.deepEqual(g.refunds.map((r) => `${r.s}>${r.t}`).sort(), refunded.map((x) => `${x.deposit_txid}>${x.refund_txid}`).sort());
  for (const r of g.refunds) assert.ok(r.out >= 1, 'the refund goes on into its own Bitcoin trace');
  assert.ok(!g.labels.some((l) => l.includes(honest.slice(2))), 'the honest person is on no node');
}

test('the search, across chains: the API\'s continuation drawn and tabled', async () => {
  const r = await fetch(`${BASE}/api/v1/trace?from=${env('CW_SOURCE')}&model=fifo&max_hops=12&top=1000&evm=1&stop_at=${encodeURIComponent('exchange,exchange_deposit,mixer,service,bridge,p2p_exchange,payment_processor,gambling,darknet_market,merchant')}`,
    { headers: { Authorization: `Bearer ${env('CW_KEY')}` } });
  assert.equal(r.status, 200);
  const doc = await r.json();
  await page.goto('about:blank');
  await page.goto(`${BASE}/#/investigate?q=${env('CW_SOURCE')}&evm=1`);
  await page.waitForFunction(() => document.querySelector('section.page')?.getAttribute('aria-busy') === 'false');
  await page.locator('#trace-crossings').waitFor({ timeout: 60000 });
  assert.equal(await page.isChecked('#inv-evm'), true);
  const rows = await page.$$eval('#trace-crossings tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  assert.deepEqual(rows.map((x) => `${x[0]} ${x[2]}`).sort(), doc.evm_continuations[0].exits.map((x) => `${x.deposit_txid} ${x.how}`).sort());
  for (const x of rows.filter((y) => y[2] === 'requested, not seen')) assert.match(x[5], /not attributed/);
  await page.waitForFunction(() => window.__cwGraph && window.__cwGraph.total() > 0);
  const g = await graphOf();
  expectCrossings(g, doc);
  assert.ok(g.bridges.length + g.refunds.length >= 1);
  await page.screenshot({ path: path.join(env('CW_ARTIFACTS'), 'btcevm-graph.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('the CLI\'s file of the whole heist: the same crossings', async () => {
  const doc = JSON.parse(readFileSync(env('CW_ALL_FILE'), 'utf8'));
  await page.goto('about:blank');
  await page.goto(`${BASE}/#/investigate`);
  await page.waitForFunction(() => document.querySelector('section.page')?.getAttribute('aria-busy') === 'false');
  await page.setInputFiles('#trace-file', env('CW_ALL_FILE'));
  await page.locator('#trace-crossings').waitFor({ timeout: 60000 });
  await page.waitForFunction(() => window.__cwGraph && window.__cwGraph.total() > 0);
  const g = await graphOf();
  expectCrossings(g, doc);
  assert.ok(g.bridges.some((b) => b.text.endsWith('(bridge, certain)')) && g.bridges.some((b) => b.text.endsWith('(bridge, probable)')));
  assert.equal(g.refunds.length, 1);
  const ends = await page.$$eval('#trace-evm-endpoints tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  assert.ok(ends.some((e) => e[0] === 'ethereum' && e[2] === 'exchange'), JSON.stringify(ends));
  // the refund rounds' table: each round's sources with their probable part (here: certain)
  const rr = await page.$$eval('#trace-refund-rounds tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  assert.deepEqual(rr.map((x) => [x[0], x[1]]), doc.evm_continuations[0].refund_traces.map((rt) => [String(rt.round),
    rt.by_source.map((s) => `${s.outpoint} ${(s.value_sat / 1e8).toFixed(8)} BTC ${s.probable_sat ? `(probable ${(s.probable_sat / 1e8).toFixed(8)} BTC)` : 'certain'}`).join('; ')]));
  assert.ok(rr.length >= 1);
  assert.deepEqual(errors, []);
});
