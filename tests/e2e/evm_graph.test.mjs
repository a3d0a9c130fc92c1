// evm_graph.test.mjs: an EVM trace in the dashboard (issue 13), in Debian's chromium. The trace
// file (written by `chainwatch trace --json` on the EVM store of tests/evm/ops_world.py, plus a
// bridge exit into Bitcoin in the cross-chain trace's shape) is opened on the Investigate page.
// Truth from outside the page: the world's truth.json (wei per party) turned into ETH by BigInt.
// Checked: the table of ends shows each party with its exact amount and the symbol; the graph
// draws the bridge hop as one edge of kind "bridge" into the Bitcoin address, and the Bitcoin
// continuation (its exchange) in the same graph; no page error. Environment (web_evm.sh):
// CW_URL, CW_KEY, CW_TRACE_FILE, CW_TRUTH, CW_ARTIFACTS, CW_CHROMIUM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openDashboard } from './lib/chromium.mjs';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`${k} is not set (run tests/cli/web_evm.sh)`); return v; };
const BASE = env('CW_URL');
const truth = JSON.parse(readFileSync(env('CW_TRUTH'), 'utf8'));
const eth = (wei) => { const b = BigInt(wei), p = 10n ** 18n; const r = b % p; return `${b / p}${r ? `.${r.toString().padStart(18, '0').replace(/0+$/, '')}` : ''} ETH`; };
let dash, page, errors;

before(async () => {
  dash = await openDashboard({ base: BASE, key: env('CW_KEY'), executablePath: env('CW_CHROMIUM') });
  ({ page, errors } = dash);
});
after(async () => { await dash?.close(); });

test('the EVM trace file opens as a graph with exact amounts and a bridge edge into Bitcoin', async () => {
  await page.setInputFiles('#trace-file', env('CW_TRACE_FILE'));
  await page.locator('#trace-endpoints').waitFor({ timeout: 60000 });
  const rows = await page.$$eval('#trace-endpoints tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  const amountOf = (who) => rows.find((r) => r[0] === who)?.[4];
  assert.equal(amountOf('Exchange X'), eth(truth.expect_wei.exchange));
  assert.equal(amountOf('Mixer M'), eth(truth.expect_wei.mixer));
  assert.equal(amountOf('Bridge B'), eth(truth.expect_wei.bridge));
  // the sanctioned address keeps 10 of its 15 ETH (it paid 5 on): held, named by its OFAC label
  assert.equal(amountOf('Lazarus Group'), eth(BigInt(truth.expect_wei.sanctioned) - 5n * 10n ** 18n));
  assert.equal(rows.find((r) => r[0] === 'Lazarus Group')[2], 'sanctioned');
  await page.waitForFunction(() => window.__cwGraph && window.__cwGraph.total() > 0);
  const g = await page.evaluate(() => ({
    bridges: window.__cwGraph.cy.edges('[kind = "bridge"]').map((e) => ({ s: e.source().data('label'), t: e.target().id(), text: e.data('display') })),
    btc: window.__cwGraph.cy.nodes().filter((n) => n.data('chain') === 'bitcoin').map((n) => n.data('label')),
    labels: window.__cwGraph.cy.edges().map((e) => e.data('display')),
  }));
  assert.equal(g.bridges.length, 1, 'one bridge edge');
  assert.equal(g.bridges[0].s, 'Bridge B');
  assert.equal(g.bridges[0].t, 'btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq');
  assert.ok(g.bridges[0].text.startsWith(eth(truth.expect_wei.bridge)), g.bridges[0].text);
  assert.ok(g.btc.includes('Exchange K'), `the Bitcoin continuation is in the graph: ${g.btc}`);
  assert.ok(g.labels.includes(eth(truth.expect_wei.exchange)), 'the exchange edge carries 30 ETH');
  await page.screenshot({ path: path.join(env('CW_ARTIFACTS'), 'evm-graph.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('the server traces on its EVM store: the API equals the CLI, the search page shows it', async () => {
  const get = async (p) => { const r = await fetch(`${BASE}/api/v1/${p}`, { headers: { Authorization: `Bearer ${env('CW_KEY')}` } }); return { status: r.status, body: await r.json() }; };
  const api = await get(`evm/trace?from=${truth.heist}`);
  assert.equal(api.status, 200);
  assert.equal(api.body.chain, 'dev');
  const cli = JSON.parse(readFileSync(env('CW_CLI_TRACE'), 'utf8'));
  const key = (e) => `${e.address} ${e.kind} ${e.asset.symbol} ${e.amount} ${e.label ? e.label.entity : ''}`;
  assert.deepEqual(api.body.ends.map(key).sort(), cli.ends.map(key).sort());
  assert.equal(typeof api.body.ends[0].amount, 'string');
  assert.equal((await get('evm/trace?from=0x12')).status, 400);
  assert.equal((await get(`evm/trace?from=0x${'9'.repeat(64)}`)).status, 404);
  assert.equal((await get(`evm/trace?from=${truth.heist}&model=sideways`)).status, 400);
  await page.goto('about:blank');
  await page.goto(`${BASE}/#/investigate?q=${truth.heist}`);
  await page.waitForFunction(() => document.querySelector('section.page')?.getAttribute('aria-busy') === 'false');
  await page.locator('#trace-endpoints').waitFor({ timeout: 60000 });
  const rows = await page.$$eval('#trace-endpoints tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  assert.equal(rows.find((r) => r[0] === 'Exchange X')?.[4], eth(truth.expect_wei.exchange));
  assert.equal(rows.find((r) => r[0] === 'Bridge B')?.[4], eth(truth.expect_wei.bridge));
  await page.screenshot({ path: path.join(env('CW_ARTIFACTS'), 'evm-graph-api.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
