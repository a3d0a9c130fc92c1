// demo.test.mjs: issue 14's points 1-6 in the browser, on the demo's own data (the data `make
// demo` builds: the 200,000-tx world with the Bitfrost heist, its ground truth and OFAC as
// labels, the rules run with a case per heist, real supply data), at three viewports: desktop
// 1280x800 and 1920x1080, and a phone (390x844). Run by tests/cli/web_demo.sh, which builds the
// data with scripts/demo.sh (the demo's own stages) and serves it as stage 90 does.
// Truth comes from outside the page: the generator's heists.json, the CLI (`chainwatch tx`,
// `block`, `cluster show`, `labels show`, `supply status` --json) and the API. Checked per
// viewport:
//  1. the case view: deposits per exchange within 1 % of the truth, a deposit's height and
//     on-chain time equal to the chain's, the unspent remainder, the case's alerts, the graph;
//     every alert of the case opens its graph and links its addresses and txids;
//  2. the queue: the heist's case and its alerts on the first screen, the real total, titles
//     that wrap, no sideways scrolling; a chosen alert's detail in view (on a phone too);
//  3. graphs: at most 300 nodes drawn before the user expands one (the case, each case alert,
//     the theft txid, a thief address, an outpoint), hops left to right, peel chains collapsed
//     into nodes that expand on click, CoinJoins marked, an exchange click without error;
//  4. pages: no share above 100 % on any page (every text and data-share), exposure within
//     0-100 %, the cluster box equal to `cluster show`, label provenance (file, line, date),
//     on-chain times, search by label, cluster, outpoint and block;
//  5. the share preview (each partner with what it receives), exports (CSV, JSON, PNG) marked
//     with the alert's TLP (the PNG's band in the TLP's colour);
//  6. supply: the heat map's levels equal to `supply status --json` on the served database,
//     marked real (or SYNTHETIC when the demo had to use synthetic data), the commodity page's
//     series drawn without error; the demo's synthetic database, served apart, marked SYNTHETIC.
// Environment: CW_URL, CW_KEY, CW_DEMO (the demo's folder), CW_BIN, CW_ARTIFACTS, CW_CHROMIUM,
// CW_URL_SYNTH (a server of the same node on the demo's synthetic supply database; optional),
// CW_VIEWPORTS (optional: "1280x800,1920x1080,390x844"). What does not depend on the viewport
// runs at the first one only: the graph at heist size, the exported files, every case alert's
// graph (the others open the first), the synthetic database's pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`${k} is not set (run tests/cli/web_demo.sh)`); return v; };
const BASE = env('CW_URL');
const KEY = env('CW_KEY');
const DEMO = env('CW_DEMO');
const BIN = env('CW_BIN');
const ART = env('CW_ARTIFACTS');
const SYNTH = process.env.CW_URL_SYNTH || '';
const STORE = path.join(DEMO, 'store');
const LABELS = path.join(DEMO, 'labels.db');
const SUPPLY_DB = path.join(DEMO, 'supply', 'supply.db');
const heists = JSON.parse(readFileSync(path.join(DEMO, 'world', 'truth', 'heists.json'), 'utf8'));
const heist = heists[0];
const MAX_DRAWN = 300;
const VIEWPORTS = (process.env.CW_VIEWPORTS || '1280x800,1920x1080,390x844').split(',').map((s) => {
  const [width, height] = s.split('x').map(Number);
  return { width, height, name: `${width}x${height}`, phone: width < 600 };
});

let browser, profile;
const notes = [];
// The CLI's --json answer (read commands: the same arguments give the same answer, kept).
const cliSeen = new Map();
const cli = (...args) => {
  const k = args.join('\0');
  if (!cliSeen.has(k)) cliSeen.set(k, execFileSync(BIN, [...args, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, CHAINWATCH_SUPPLY_DB: SUPPLY_DB } }));
  return JSON.parse(cliSeen.get(k));
};
const chainTime = (t) => new Date(t * 1000).toISOString().replace('T', ' ').replace('.000Z', 'Z');
const sat = (text) => Math.round(Number(String(text).replace(/[^0-9.]/g, '')) * 1e8);
// sat as the dashboard writes them (web/js/ui.js btc): "1,234.56789012 BTC"
const btcText = (v) => `${Math.floor(v / 1e8).toLocaleString('en-US')}.${String(v % 1e8).padStart(8, '0')} BTC`;
const evidenceOf = (a) => (typeof a.evidence === 'string' ? JSON.parse(a.evidence) : a.evidence || {});

async function api(p, base = BASE) {
  const r = await fetch(`${base}/api/v1/${p}`, { headers: { Authorization: `Bearer ${KEY}` } });
  assert.equal(r.status, 200, `GET ${p}: ${r.status}`);
  return r.json();
}
// Every alert of a filter, whatever its status.
async function alertsAll(filter) {
  const out = [];
  for (const st of ['new', 'acknowledged', 'closed']) out.push(...(await api(`alerts?${filter}&status=${st}&limit=1000`)).alerts);
  return out;
}
async function caseAlerts() {
  const out = [];
  for (const kind of ['stolen-funds-at-exchange', 'watched-funds-coinjoin']) {
    out.push(...(await alertsAll(`kind=${kind}`)).filter((a) => evidenceOf(a).case === heist.name));
  }
  return out;
}

async function newPage(vp, base = BASE) {
  const ctx = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, acceptDownloads: true, isMobile: vp.phone, hasTouch: vp.phone });
  const p = await ctx.newPage();
  p.on('pageerror', (e) => notes.push(`${vp.name}: page error: ${e.message}`));
  p.base = base;
  p.vp = vp;
  await p.goto(`${base}/#/alerts`);
  await p.fill('#login-key', KEY);
  await p.click('#login-submit');
  await p.waitForFunction(() => document.querySelector('section.page')?.getAttribute('aria-busy') === 'false', null, { timeout: 120000 });
  return p;
}
// Opens hash, waits for the page (and wait, a selector) to render; then no page may show a
// share above 100 %, an error message, or scroll sideways.
async function open(p, hash, wait) {
  await p.goto('about:blank');
  await p.goto(`${p.base}/${hash}`);
  await p.waitForFunction((h) => { const s = document.querySelector('section.page'); return s && s.getAttribute('aria-busy') === 'false' && s.dataset.route === h; }, hash, { timeout: 120000 });
  if (wait) await p.waitForSelector(wait, { timeout: 120000 });
  await pageSane(p, hash);
}
async function pageSane(p, where) {
  const shown = await p.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('[data-share]')) if (el.dataset.share !== '') out.push({ v: Number(el.dataset.share) * 100, t: `data-share ${el.dataset.share}` });
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (const m of n.textContent.matchAll(/([0-9][0-9,.]*)\s?%/g)) out.push({ v: Number(m[1].replace(/,/g, '')), t: n.textContent.trim().slice(0, 120) });
    }
    return out;
  });
  const over = shown.filter((x) => !(x.v <= 100.0001));
  assert.deepEqual(over, [], `${p.vp.name} ${where}: a share above 100 % is shown`);
  const errors = await p.$$eval('.msg.error', (els) => els.map((e) => e.textContent.trim().slice(0, 200)));
  assert.deepEqual(errors, [], `${p.vp.name} ${where}: no error message`);
  const wide = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 1, `${p.vp.name} ${where}: no sideways scrolling (${wide} px too wide)`);
}
async function drawn(p) {
  return p.evaluate(() => (window.__cwGraph ? { drawn: window.__cwGraph.drawn(), total: window.__cwGraph.total() } : null));
}
// The graph of the page: at most MAX_DRAWN nodes drawn before any expansion, hops left to right.
async function graphReadable(p, where) {
  await p.waitForSelector('#trace-graph canvas', { timeout: 120000 });
  assert.equal(await p.getByText('holds no trace graph').count(), 0, `${where}: a graph, not "no trace graph"`);
  const g = await drawn(p);
  assert.ok(g && g.drawn > 0 && g.drawn <= MAX_DRAWN, `${p.vp.name} ${where}: ${g && g.drawn} of ${g && g.total} nodes drawn before expanding (at most ${MAX_DRAWN})`);
  // hops left to right: the mean x of each drawn hop grows with the hop
  const cols = await p.evaluate(() => {
    const by = new Map();
    window.__cwGraph.cy.nodes(':visible').forEach((n) => { const h = n.data('hop'); if (typeof h === 'number') { const a = by.get(h) || []; a.push(n.position('x')); by.set(h, a); } });
    return [...by].sort((a, b) => a[0] - b[0]).map(([h, xs]) => [h, Math.min(...xs), Math.max(...xs)]);
  });
  for (let i = 1; i < cols.length; i++) {
    assert.ok(cols[i][1] >= cols[i - 1][2] - 1, `${where}: hop ${cols[i][0]} is drawn right of hop ${cols[i - 1][0]} (${JSON.stringify(cols.slice(i - 1, i + 1))})`);
  }
  return g;
}
async function shot(p, name) { await p.screenshot({ path: path.join(ART, `demo-${p.vp.name}-${name}.png`), fullPage: false }); }

before(async () => {
  mkdirSync(ART, { recursive: true });
  profile = mkdtempSync(path.join(tmpdir(), 'cw-chromium-'));
  browser = await chromium.launch({ executablePath: process.env.CW_CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
});
after(async () => {
  if (browser) await browser.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (notes.length) console.log(notes.join('\n'));
  assert.deepEqual(notes, [], 'no page error');
});

test('the demo\'s alerts: theft and sanctions apart, one alert per (rule, address or entity, case)', async () => {
  const all = await alertsAll('source=chain');
  const cases = await caseAlerts();
  assert.ok(cases.filter((a) => a.kind === 'stolen-funds-at-exchange').length >= Object.keys(heist.deposits_by_exchange).length - 1,
    `the rules raised a stolen-funds alert per exchange of the heist (${cases.length} case alerts)`);
  for (const a of all) {
    const ev = evidenceOf(a);
    if (a.kind.startsWith('sanctioned-')) assert.equal(ev.category, 'sanctioned', `#${a.id} is a sanctions alert on a ${ev.category} label`);
    if (a.kind.startsWith('theft-')) assert.doesNotMatch(a.title, /sanction/i, `#${a.id}: a theft alert titled as sanctions`);
  }
  const keys = all.map((a) => { const ev = evidenceOf(a); return `${a.kind}|${ev.case || ''}|${ev.exchange || ev.entity || ev.address || ''}`; });
  assert.equal(new Set(keys).size, keys.length, 'one alert per (rule, address or entity, case)');
});

for (const vp of VIEWPORTS) {
  let page;
  test(`${vp.name}: queue: the heist's case and its alerts on the first screen, the real total, the chosen alert's detail in view`, async () => {
    page ??= await newPage(vp);
    await open(page, '#/alerts', 'table.alerts tbody tr');
    const card = page.locator(`.case-card[data-case="${heist.name}"]`);
    await card.waitFor();
    const box = await card.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= vp.height, `the heist's case is on the first screen (${JSON.stringify(box)})`);
    const text = await card.textContent();
    for (const ex of Object.keys(heist.deposits_by_exchange)) {
      if (heist.deposits_by_exchange[ex] >= 0.01 * heist.amount_sat) assert.ok(text.includes(ex), `the case names ${ex}, an exchange of the truth`);
    }
    // the total at exchanges and how much of it is PROBABLE (it passed a CoinJoin), from the
    // open alerts' evidence (value_sat, probable_sat), as their titles and `chainwatch trace` say
    const atEx = (await caseAlerts()).filter((a) => a.kind === 'stolen-funds-at-exchange' && a.status !== 'closed');
    const total = atEx.reduce((t, a) => t + Number(evidenceOf(a).value_sat), 0);
    const prob = atEx.reduce((t, a) => t + Number(evidenceOf(a).probable_sat || 0), 0);
    assert.ok(prob > 0 && prob < total, `part of the demo heist's total passed CoinJoins (${prob} of ${total} sat)`);
    const span = card.locator('.case-total[data-chain="bitcoin"]');
    assert.equal(Number(await span.getAttribute('data-total-sat')), total, 'the card\'s total is the open alerts\' sum');
    assert.equal(Number(await span.getAttribute('data-probable-sat')), prob, 'its probable part is the alerts\' probable_sat sum');
    assert.ok(text.includes(`${btcText(total)} of traced funds reached`), `the card gives the total in BTC (${text})`);
    assert.ok(text.includes(`${btcText(prob)} of it PROBABLE`), `the card says how much of it is PROBABLE (${text})`);
    assert.ok(text.includes(`${btcText(total - prob)} certain`), `and how much is certain (${text})`);
    // the case's alerts lead the queue: the critical ones are its first rows
    const cases = await caseAlerts();
    const crit = cases.filter((a) => a.severity === 'critical' && a.status !== 'closed').map((a) => String(a.id)).sort();
    const ids = await page.$$eval('table.alerts tbody tr', (trs) => trs.map((tr) => tr.dataset.id));
    assert.deepEqual(ids.slice(0, crit.length).sort(), crit, 'the case\'s critical alerts are the first rows of the queue');
    // the real total: the API's count of open alerts, not what one page fetched
    const n = (await api('alerts?status=new&limit=1')).total + (await api('alerts?status=acknowledged&limit=1')).total;
    assert.match(await page.locator('#alert-count').textContent(), new RegExp(`of ${n} alerts`), 'the caption gives the real total');
    assert.equal(ids.length, Math.min(n, 100));
    if (!vp.phone) {
      // the first critical row is on the first screen, under the cases
      const r = await page.locator(`table.alerts tbody tr[data-id="${crit[0]}"]`).boundingBox();
      assert.ok(r && r.y + r.height <= vp.height, `the first case alert's row is on the first screen (y ${r && r.y})`);
    }
    // titles wrap: the list never scrolls sideways
    assert.ok(await page.evaluate(() => { const l = document.querySelector('#alert-list'); return l.scrollWidth <= l.clientWidth + 1; }), 'the queue fits without sideways scrolling');
    await shot(page, 'queue');
    // choose the heist's first alert: its detail comes into view, near the top
    await page.click(`table.alerts tbody tr[data-id="${crit[0]}"] a.alert-link`);
    await page.waitForSelector('#alert-title');
    await page.waitForTimeout(400);
    const top = await page.evaluate(() => document.querySelector('#alert-title').getBoundingClientRect().top);
    assert.ok(top >= 0 && top < vp.height / 2, `the chosen alert's title is in view, near the top (${top} px)`);
    const docTop = await page.evaluate(() => document.querySelector('#alert-title').getBoundingClientRect().top + window.scrollY);
    assert.ok(docTop < 40 * vp.height, `the detail renders within the page, not tens of thousands of px down (${docTop} px)`);
    await pageSane(page, 'alert detail');
    await shot(page, 'alert');
  });

  test(`${vp.name}: case view: deposits, times and totals against the truth; the case's alerts; the graph`, async () => {
    page ??= await newPage(vp);
    await open(page, `#/case/${encodeURIComponent(heist.name)}`, '#deposits-table');
    await graphReadable(page, 'case graph');
    const all = page.locator('#deposits-all');
    if (await all.count()) await all.click();
    const rows = await page.$$eval('#deposits-table tbody tr', (trs) => trs.map((tr) => ({
      exchange: tr.cells[0].textContent, address: tr.cells[1].textContent, txid: tr.cells[2].querySelector('a').title,
      height: Number(tr.cells[3].textContent), time: tr.cells[4].textContent, sat: Number(tr.cells[5].dataset.sat), hops: Number(tr.cells[6].textContent), model: tr.cells[7].textContent })));
    assert.ok(rows.length > 0, 'deposits listed');
    const byEx = {};
    for (const r of rows) byEx[r.exchange] = (byEx[r.exchange] || 0) + r.sat;
    for (const [ex, want] of Object.entries(heist.deposits_by_exchange)) {
      if (want < 0.01 * heist.amount_sat) continue; // FIFO may stop before a small late deposit
      assert.ok(byEx[ex] !== undefined, `the deposits at ${ex} are listed`);
      assert.ok(Math.abs(byEx[ex] - want) <= 0.01 * want, `${ex}: ${byEx[ex]} sat vs the truth's ${want} (FIFO within 1 %)`);
    }
    for (const r of rows) assert.equal(r.model, 'fifo');
    for (const r of [rows[0], rows[rows.length - 1]]) {
      const tx = cli('tx', r.txid, '--store', STORE);
      assert.equal(r.height, tx.height, `height of deposit ${r.txid}`);
      assert.equal(r.time, chainTime(tx.time), `on-chain time of deposit ${r.txid}`);
    }
    const unspent = sat(await page.locator('#tot-unspent strong').textContent());
    assert.ok(Math.abs(unspent - heist.totals.unspent_sat) <= 0.01 * heist.amount_sat, `unspent remainder ${unspent} vs the truth's ${heist.totals.unspent_sat}`);
    const cases = await caseAlerts();
    const listed = await page.$$eval('#case-alerts a[href^="#/alerts?"]', (as) => as.map((a) => new URLSearchParams(a.getAttribute('href').split('?')[1]).get('id')));
    assert.deepEqual(listed.sort(), cases.map((a) => String(a.id)).sort(), 'the case lists exactly its alerts');
    await pageSane(page, 'case view');
    await shot(page, 'case');
  });

  test(`${vp.name}: every alert of the case opens its graph (at most ${MAX_DRAWN} nodes drawn) and links its addresses and txids`, async () => {
    page ??= await newPage(vp);
    const cases = await caseAlerts();
    assert.ok(cases.length > 0);
    // every one at the first viewport; the first one at the others (the graphs are the same documents)
    for (const a of vp === VIEWPORTS[0] ? cases : cases.slice(0, 1)) {
      await open(page, `#/alerts?status=&id=${a.id}`, '#alert-title');
      assert.ok(await page.locator('#open-graph').count(), `#${a.id} (${a.kind}) offers its graph`);
      assert.ok(await page.locator('.evidence-links a').count() > 0, `#${a.id} links its addresses and txids`);
      await open(page, `#/investigate?alert=${a.id}`);
      await graphReadable(page, `alert #${a.id}`);
      await pageSane(page, `alert #${a.id} graph`);
    }
  });

  test(`${vp.name}: graph: peel chains collapsed and expanding on click, CoinJoins marked, an exchange click without error, exports with TLP`, async () => {
    page ??= await newPage(vp);
    const a = (await caseAlerts()).find((x) => x.kind === 'stolen-funds-at-exchange');
    await open(page, `#/investigate?alert=${a.id}`);
    const before = await graphReadable(page, 'heist graph');
    const facts = await page.evaluate(() => {
      const cy = window.__cwGraph.cy;
      return { chains: cy.nodes('.chain').map((n) => ({ id: n.id(), members: n.data('members'), visible: n.visible() })),
        coinjoins: cy.nodes('.coinjoin').map((n) => n.id()), txids: cy.nodes('[kind = "tx"]').map((n) => n.id()) };
    });
    assert.ok(facts.chains.length > 0, 'runs of the heist\'s peel chains are collapsed into chain nodes');
    // the collapsed transactions are peel-chain transactions of the truth, not drawn one by one
    const peel = new Set(heist.peel_chain_txids);
    const hidden = await page.evaluate(() => window.__cwGraph.graph.nodes.filter((n) => n.kind === 'tx' && !window.__cwGraph.cy.getElementById(n.id).length).map((n) => n.id));
    assert.ok(hidden.length > 0 && hidden.filter((t) => peel.has(t)).length >= 0.5 * hidden.length,
      `the transactions hidden in chains are mostly the truth's peel-chain txs (${hidden.filter((t) => peel.has(t)).length} of ${hidden.length})`);
    const cj = new Set(heist.coinjoin_txids);
    assert.ok(facts.coinjoins.length > 0 && facts.coinjoins.every((t) => cj.has(t)), `the CoinJoins marked are the truth's (${facts.coinjoins.length})`);
    const chain = facts.chains.find((c) => c.visible);
    assert.ok(chain, 'a chain node is drawn');
    await page.evaluate((id) => { setTimeout(() => window.__cwGraph.cy.getElementById(id).emit('tap'), 10); }, chain.id);
    await page.waitForFunction((n) => window.__cwGraph.drawn() > n, before.drawn, { timeout: 10000 });
    const ex = await page.evaluate(() => { const n = window.__cwGraph.cy.nodes('[kind = "entity"]:visible').filter((x) => /exchange/.test(x.data('category'))); return n.length ? n[0].id() : null; });
    assert.ok(ex, 'an exchange node is drawn');
    await page.evaluate((id) => { setTimeout(() => window.__cwGraph.cy.getElementById(id).emit('tap'), 10); }, ex);
    await page.waitForTimeout(800);
    await pageSane(page, 'after clicking an exchange');
    assert.equal(await page.locator('#messages .msg.error').count(), 0, 'clicking an exchange shows no error');
    await shot(page, 'graph');
    if (vp !== VIEWPORTS[0]) return; // the exported files do not depend on the viewport
    const tlp = a.tlp.toUpperCase();
    for (const [btn, ext] of [['#export-csv', 'csv'], ['#export-json', 'json'], ['#export-png', 'png']]) {
      const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.click(btn)]);
      assert.match(dl.suggestedFilename(), new RegExp(`tlp-${a.tlp.replace('+', '-')}\\.${ext}$`), `${ext} file name carries the TLP`);
      const body = readFileSync(await dl.path());
      if (ext === 'csv') assert.equal(body.toString('utf8').split('\n')[0].split(/[ ,]/)[1], `TLP:${tlp}`, 'the CSV starts with its TLP marking');
      if (ext === 'json') assert.equal(JSON.parse(body.toString('utf8')).tlp, `TLP:${tlp}`, 'the JSON carries its TLP');
      if (ext === 'png') {
        assert.equal(body.subarray(1, 4).toString('latin1'), 'PNG');
        // the band on top says TLP:AMBER in amber (FIRST's colour #FFC000) on black
        const px = await page.evaluate(async (b64) => {
          const img = new Image();
          img.src = `data:image/png;base64,${b64}`;
          await img.decode();
          const c = document.createElement('canvas');
          c.width = img.width; c.height = Math.min(img.height, Math.max(40, Math.round(img.width / 40))); // the band (graph.js markedPng)
          const g = c.getContext('2d');
          g.drawImage(img, 0, 0);
          const d = g.getImageData(0, 0, c.width, c.height).data;
          let black = 0, amber = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (d[i] < 16 && d[i + 1] < 16 && d[i + 2] < 16) black++;
            if (d[i] > 240 && d[i + 1] > 176 && d[i + 1] < 208 && d[i + 2] < 32) amber++;
          }
          return { black, amber, n: d.length / 4 };
        }, body.toString('base64'));
        assert.ok(px.black > 0.5 * px.n && px.amber > 20, `the PNG's top band is black with amber text (${JSON.stringify(px)})`);
      }
    }
  });

  test(`${vp.name}: investigate: the theft txid draws at most ${MAX_DRAWN} nodes, at heist size too`, async () => {
    page ??= await newPage(vp);
    await open(page, `#/investigate?q=${heist.theft_txid}`, '#facts h2');
    await graphReadable(page, 'the theft txid');
    // at heist size: poison (reach), no stop, 10 hops (46,774 nodes, 11,661 txs: cut by the
    // server's graph limit; a haircut without stops no longer is since stop 25, when value a
    // third party spends from its own account turned probable and its slivers stopped: 12 hops
    // give 1,062 nodes in 421 txs on the demo world, 5,810 in 2,115 before); at one
    // viewport (the limit does not depend on it, and drawing thousands of nodes takes time)
    if (vp === VIEWPORTS[0]) await heistSize();
  });

  async function heistSize() {
    await open(page, `#/investigate?q=${heist.theft_txid}&model=poison&max_hops=10&stop_at=`, '#facts h2');
    const big = await graphReadable(page, 'the theft txid under poison without stops');
    assert.ok(big.total > 3 * MAX_DRAWN, `the graph at heist size has more nodes than are drawn (${big.total})`);
    assert.match(await page.locator('#notice-hidden').textContent(), new RegExp(`^${big.drawn} of ${big.total} nodes drawn`), 'a notice says how many nodes are drawn');
    assert.equal(await page.locator('#notice-truncated').count(), 1, 'a notice says the server truncated the trace');
  }

  test(`${vp.name}: investigate: an outpoint, a thief address, a deposit address (exposure, cluster, provenance, on-chain times), tx and block pages`, async () => {
    page ??= await newPage(vp);
    const out = heist.stolen_outputs[0];
    await open(page, `#/investigate?q=${out.outpoint}`, '#facts h2');
    assert.ok(await page.locator(`#facts a[href="#/tx/${heist.theft_txid}"]`).count(), 'an outpoint search shows its transaction');
    await graphReadable(page, 'an outpoint');
    await open(page, `#/investigate?q=${out.address}`, '#facts h2');
    await graphReadable(page, 'a thief address');
    assert.match(await page.locator('#trace-box .hint').first().textContent(), /model fifo/, 'Investigate defaults to FIFO');
    // a deposit address: exposure, its cluster's own figures, its labels with provenance, times
    const dep = heist.deposits[heist.deposits.length - 1];
    await open(page, `#/investigate?q=${dep.address}`, '#exposure');
    await page.waitForSelector('#labels-table');
    const shares = await page.$$eval('#exposure [data-share]', (els) => els.map((e) => Number(e.dataset.share)));
    assert.ok(shares.length > 0, 'exposure rows');
    for (const s of shares) assert.ok(s >= 0 && s <= 1, `share ${s} within 0..100 %`);
    assert.ok(Math.max(...shares) > 0, 'a deposit address of the heist has a non-zero exposure');
    const truth = cli('cluster', 'show', dep.address, '--store', STORE);
    const own = cli('address', dep.address, '--store', STORE);
    const sats = async (sel) => page.$$eval(`${sel} dd.amount`, (els) => els.map((e) => Number(e.dataset.sat)));
    const [cRecv, cSent, cBal] = await sats('#cluster-facts');
    assert.deepEqual([cRecv, cSent, cBal], [truth.received, truth.received - truth.balance, truth.balance], 'the cluster box: received, sent, balance equal to `cluster show`');
    assert.match(await page.locator('#cluster-facts').textContent(), new RegExp(`Outputs received${truth.outputs}\\b`), 'the cluster\'s outputs equal to `cluster show`');
    assert.equal(Number(await page.locator('#cluster-size').textContent()), truth.size, 'the cluster\'s size');
    const [aRecv, , aBal] = await sats('#address-facts');
    assert.deepEqual([aRecv, aBal], [own.received, own.balance], 'the address\'s own figures equal to `chainwatch address`');
    const lab = cli('labels', 'show', dep.address, '--db', LABELS).labels[0];
    const p = lab.provenance[0];
    const labelsText = await page.locator('#labels-table').textContent();
    assert.ok(labelsText.includes(lab.entity), `the label's entity (${lab.entity})`);
    assert.ok(labelsText.includes(path.basename(p.file)), `provenance names the imported file (${path.basename(p.file)})`);
    assert.ok(labelsText.includes(p.location), `provenance names the place in the file (${p.location})`);
    assert.ok(labelsText.includes(String(p.imported_at).replace('T', ' ')), 'provenance gives the import date');
    for (const sel of ['#cluster-facts .first-seen', '#address-facts .first-seen', '#address-facts .last-seen']) {
      const m = (await page.locator(sel).textContent()).match(/block (\d+) · (.+)$/);
      assert.ok(m, `${sel} names a block and its time`);
      assert.equal(m[2], chainTime(cli('block', m[1], '--store', STORE).time), `${sel}: the on-chain time of block ${m[1]}`);
    }
    const hist = await page.$$eval('#address-history tbody tr', (trs) => trs.map((tr) => ({ txid: tr.cells[0].textContent, time: tr.cells[2].textContent })));
    assert.ok(hist.length > 0, 'the address\'s history');
    assert.equal(hist[0].time, chainTime(cli('tx', hist[0].txid, '--store', STORE).time), 'the history gives on-chain times');
    await shot(page, 'address');
    // the tx and block pages
    const tx = cli('tx', dep.txid, '--store', STORE);
    await open(page, `#/tx/${dep.txid}`, '#tx-time');
    assert.equal(await page.locator('#tx-time').textContent(), chainTime(tx.time), 'the tx page shows its on-chain time');
    await open(page, `#/block/${tx.height}`, '#block-time');
    assert.equal(await page.locator('#block-time').textContent(), chainTime(tx.time), 'the block page shows its on-chain time');
    assert.equal(await page.locator(`#block-txs a[href="#/tx/${dep.txid}"]`).count(), 1, 'the block page lists the tx');
  });

  test(`${vp.name}: search by label, entity, cluster, outpoint and block`, async () => {
    page ??= await newPage(vp);
    const dep = heist.deposits[0];
    const lab = cli('labels', 'show', dep.address, '--db', LABELS).labels[0];
    await open(page, `#/investigate?q=${encodeURIComponent(lab.entity)}`, '#label-results');
    const ents = await page.$$eval('#label-results tbody tr', (trs) => trs.map((tr) => tr.cells[2].textContent));
    assert.ok(ents.length > 0 && ents.every((e) => e.toLowerCase().includes(lab.entity.toLowerCase())), `a search for ${lab.entity} lists its labels (${ents.length})`);
    assert.ok(await page.locator('#label-results .provenance li').count() > 0, 'each label with its provenance');
    await open(page, `#/investigate?q=${encodeURIComponent('label:theft')}`, '#label-results');
    const cats = await page.$$eval('#label-results tbody tr', (trs) => trs.map((tr) => tr.cells[3].textContent));
    assert.ok(cats.length > 0 && cats.every((c) => c === 'theft'), 'label:theft lists theft labels');
    const truth = cli('cluster', 'show', dep.address, '--store', STORE);
    await open(page, `#/investigate?q=${encodeURIComponent(`cluster:${truth.cluster}`)}`, '#cluster-members');
    assert.equal(Number(await page.locator('#cluster-size').textContent()), truth.size, 'cluster:N shows its size');
    assert.equal(Number(await page.locator('#cluster-facts dd.amount').first().getAttribute('data-sat')), truth.received, 'cluster:N shows its received total');
    assert.equal(await page.locator('#cluster-members tbody tr').count(), Math.min(100, truth.size));
    await open(page, `#/investigate?q=${encodeURIComponent(dep.outpoint)}`, '#facts h2');
    assert.ok(await page.locator(`#facts a[href="#/tx/${dep.txid}"]`).count(), 'an outpoint search links its transaction');
    const b = cli('block', String(dep.height), '--store', STORE);
    await open(page, `#/investigate?q=${dep.height}`, '#facts h2');
    assert.ok(await page.locator(`#facts a[href="#/block/${dep.height}"]`).count(), 'a block search links the block page');
    const factsText = await page.locator('#facts').textContent();
    assert.ok(factsText.includes(chainTime(b.time)), `a block search shows the block's on-chain time (${chainTime(b.time)})`);
    assert.ok(factsText.includes(b.hash), 'a block search shows the block\'s hash');
  });

  test(`${vp.name}: sharing: the share preview per partner`, async () => {
    page ??= await newPage(vp);
    const a = (await caseAlerts()).find((x) => x.kind === 'stolen-funds-at-exchange');
    await open(page, `#/alerts?status=&id=${a.id}`, '#btn-share-preview');
    await page.click('#btn-share-preview');
    await page.waitForSelector('#share-preview', { timeout: 60000 });
    await page.locator('#share-preview').scrollIntoViewIfNeeded();
    const rows = await page.$$eval('#share-preview tbody tr', (trs) => trs.map((tr) => ({ org: tr.dataset.org, n: Number(tr.dataset.receives) })));
    const pv = await api(`alerts/${a.id}/share-preview`);
    assert.deepEqual(rows, pv.partners.map((x) => ({ org: x.org, n: x.receives_count })), 'the preview shows what the share module computed');
    const kor = rows.find((r) => r.org === 'KOR');
    assert.ok(kor && kor.n > 0, 'KOR, the alert\'s audience, receives its objects');
    const jpn = rows.find((r) => r.org === 'JPN');
    assert.ok(jpn && jpn.n < kor.n, `JPN, outside the TLP:AMBER audience, receives less than KOR (${jpn && jpn.n} of ${kor.n})`);
    assert.match(await page.locator('#share-preview tr[data-org="JPN"]').textContent(), /TLP:AMBER: this organisation is not in the audience/, 'the preview says why JPN is refused the alert');
    const vis = await page.locator('#share-preview').boundingBox();
    assert.ok(vis && vis.width <= vp.width, 'the preview fits the screen');
    await pageSane(page, 'share preview');
    await shot(page, 'share');
  });

  test(`${vp.name}: supply: the heat map and a commodity page on the served data, marked real or synthetic`, async () => {
    page ??= await newPage(vp);
    const status = cli('supply', 'status');
    const kinds = new Set(status.assessments.map((x) => x.data?.series_kind).filter(Boolean));
    await open(page, '#/supply', '#supply-heatmap');
    const cells = await page.$$eval('#supply-heatmap td.lvl', (tds) => tds.map((t) => `${t.dataset.commodity}|${t.dataset.partner}|${t.dataset.level}`));
    const want = status.assessments.map((x) => `${x.commodity}|${x.partner}|${typeof x.level === 'number' ? x.level : ''}`);
    assert.deepEqual(cells.sort(), want.sort(), 'the heat map\'s levels are `supply status --json` on the served database');
    if (kinds.has('synthetic')) {
      assert.equal(await page.locator('#synthetic-note').count(), 1, 'synthetic data are marked SYNTHETIC');
    } else {
      assert.equal(await page.locator('#real-note').count(), 1, 'the heat map says its data are real');
      assert.equal(await page.locator('#synthetic-note').count(), 0, 'no SYNTHETIC marker on real data');
    }
    // freshness in every cell: provisional and ended as `supply status --json` says them
    const fr = await page.$$eval('#supply-heatmap td.lvl', (tds) => tds.map((t) => `${t.dataset.commodity}|${t.dataset.partner}|${t.dataset.provisional}|${t.dataset.ended}`));
    const frWant = status.assessments.map((x) => {
      const s = [x.data?.price, x.data?.trade].filter((y) => y && y.first);
      return `${x.commodity}|${x.partner}|${x.data?.price?.provisional ? 1 : 0}|${s.length && s.every((y) => y.ended) ? 1 : 0}`;
    });
    assert.deepEqual(fr.sort(), frWant.sort(), 'each cell marks a provisional month and ended series as the status says');
    const rowKinds = await page.$$eval('#supply-heatmap td.data-kind', (tds) => tds.map((t) => t.textContent));
    assert.ok(rowKinds.every((t) => /^(real|SYNTHETIC|no data)/.test(t)), 'every row says real or synthetic');
    assert.ok(rowKinds.some((t) => /\d{4}-\d\d\.\.\d{4}-\d\d/.test(t)), 'rows give their data period');
    await shot(page, 'supply');
    // a commodity page: the explanation and the series, without a raw error
    await open(page, '#/supply/graphite/KOR', '#supply-explain');
    await page.waitForSelector('#series-chart canvas, #series-chart svg', { timeout: 60000 });
    const kindText = await page.locator('#explain-kind').textContent();
    assert.match(kindText, kinds.has('synthetic') ? /SYNTHETIC/ : /^Real data: .*\d{4}-\d\d/, `the explanation says real or synthetic, with its period ("${kindText}")`);
    assert.equal(await page.getByText(/Series: /).count(), 0, 'no raw "Series:" error');
    await pageSane(page, 'commodity page');
    await shot(page, 'commodity');
    if (vp === VIEWPORTS[0] && !kinds.has('synthetic')) {
      // the standing level (issue 16, fifth stop) is a state: shaded bands over its runs of
      // caution or above, never anomaly pins, and its own line in the explanation
      const doc = cli('supply', 'series', 'lithium', 'KOR');
      const runs = [];
      (doc.standing_level || []).forEach((l, i) => {
        if (l < 2) return;
        const last = runs[runs.length - 1];
        if (last && last.end === i - 1) { last.end = i; last.to = doc.months[i]; } else runs.push({ from: doc.months[i], to: doc.months[i], end: i });
      });
      await open(page, '#/supply/lithium/KOR', '#supply-explain');
      await page.waitForSelector('#series-chart canvas, #series-chart svg', { timeout: 60000 });
      assert.equal(await page.locator('#explain-standing').count(), 1, 'the explanation has a standing-level line');
      const opt = await page.evaluate(() => {
        const s = window.echarts.getInstanceByDom(document.querySelector('#series-chart')).getOption().series[0];
        return { bands: (s.markArea?.data || []).map((d) => [d[0].xAxis, d[1].xAxis]), pins: (s.markPoint?.data || []).map((d) => d.name) };
      });
      assert.deepEqual(opt.bands, runs.map((r) => [r.from, r.to]), 'one band per run of standing caution or above');
      assert.ok(opt.pins.every((n) => !/^st_|^s_price_high$/.test(n)), 'no standing rule is an anomaly pin');
    }
    if (SYNTH && vp === VIEWPORTS[0]) {
      // the demo's synthetic database, served apart: every page says SYNTHETIC
      const sp = await newPage(vp, SYNTH);
      await open(sp, '#/supply', '#supply-heatmap');
      assert.equal(await sp.locator('#synthetic-note').count(), 1, 'the synthetic database\'s heat map is marked SYNTHETIC');
      await open(sp, '#/supply/graphite/KOR', '#supply-explain');
      assert.match(await sp.locator('#explain-kind').textContent(), /SYNTHETIC/, 'its commodity page is marked SYNTHETIC');
      await sp.context().close();
    }
  });

  test(`${vp.name}: partners page`, async () => {
    page ??= await newPage(vp);
    await open(page, '#/partners');
    await pageSane(page, 'partners');
    await page.context().close();
    page = null;
  });
}
