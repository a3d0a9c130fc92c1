// analyst.test.mjs: the analyst's first hour (issue 14), in the browser, on the data of
// tests/cli/web_e2e.sh: a generated world with a heist, its ground truth as labels, the rules run
// with a case per heist, 105 filler alerts (a second page). Truth comes from outside the page:
// the generator's heists.json (deposits per exchange), the CLI (`chainwatch tx --json` for
// on-chain times) and the API (totals). Checked:
//  - queue: the heist's case on the first screen; the real total and a next page; theft and
//    sanctions apart; titles wrap; on a phone the chosen alert's detail is in view;
//  - case view: deposits per exchange within 1 % of the truth, on-chain times equal to the
//    chain's, the unspent remainder, the case's alerts; every rule alert opens its graph and
//    links its addresses and txids;
//  - graphs: at most 300 nodes drawn before the user expands one (heist and address search),
//    chains expand on click, clicking an exchange shows no error, a truncation notice when cut;
//  - pages: no share above 100 % anywhere, exposure of a deposit address, tx and block pages;
//  - exports: CSV, JSON and PNG carry the TLP marking.
// Environment: as dashboard.test.mjs, plus CW_STORE (the world's chain store).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`${k} is not set (run tests/cli/web_e2e.sh)`); return v; };
const BASE = env('CW_URL_ANALYST'); // the analyst's node: the rules' alerts and a second page
const KEY = env('CW_KEY_ANALYST');
const ART = env('CW_ARTIFACTS');
const BIN = env('CW_BIN');
const STORE = env('CW_STORE');
const heists = JSON.parse(readFileSync(env('CW_HEISTS'), 'utf8'));
const MAX_DRAWN = 300;

let browser, page, profile;
const notes = [];
const sat = (text) => Math.round(Number(String(text).replace(/[^0-9.]/g, '')) * 1e8);

async function api(p) {
  const r = await fetch(`${BASE}/api/v1/${p}`, { headers: { Authorization: `Bearer ${KEY}` } });
  assert.equal(r.status, 200, `GET ${p}: ${r.status}`);
  return r.json();
}
const evidenceOf = (a) => (typeof a.evidence === 'string' ? JSON.parse(a.evidence) : a.evidence || {});

async function newPage(viewport) {
  const ctx = await browser.newContext({ viewport, acceptDownloads: true });
  const p = await ctx.newPage();
  p.on('pageerror', (e) => notes.push(`page error: ${e.message}`));
  await p.goto(`${BASE}/#/alerts`);
  await p.fill('#login-key', KEY);
  await p.click('#login-submit');
  await p.waitForFunction(() => document.querySelector('section.page')?.getAttribute('aria-busy') === 'false');
  return p;
}
// Opens hash and waits for the page to render; then no share above 100 % may be shown.
async function open(p, hash) {
  await p.goto('about:blank');
  await p.goto(`${BASE}/${hash}`);
  await p.waitForFunction((h) => { const s = document.querySelector('section.page'); return s && s.getAttribute('aria-busy') === 'false' && s.dataset.route === h; }, hash, { timeout: 120000 });
  await sharesAtMost100(p, hash);
}
async function sharesAtMost100(p, where) {
  const shown = await p.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('[data-share]')) out.push(Number(el.dataset.share) * 100);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) for (const m of n.textContent.matchAll(/([0-9][0-9,.]*)\s?%/g)) out.push(Number(m[1].replace(/,/g, '')));
    return out;
  });
  const over = shown.filter((v) => v > 100.0001);
  assert.deepEqual(over, [], `${where}: a share above 100 % is shown`);
}
async function drawn(p) {
  return p.evaluate(() => (window.__cwGraph ? { drawn: window.__cwGraph.drawn(), total: window.__cwGraph.total() } : null));
}
async function shot(p, name) { await p.screenshot({ path: path.join(ART, `analyst-${name}.png`), fullPage: false }); }

before(async () => {
  mkdirSync(ART, { recursive: true });
  profile = mkdtempSync(path.join(tmpdir(), 'cw-chromium-'));
  browser = await chromium.launch({ executablePath: process.env.CW_CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  page = await newPage({ width: 1280, height: 800 });
});
after(async () => {
  if (browser) await browser.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (notes.length) console.log(notes.join('\n'));
  assert.deepEqual(notes, [], 'no page error');
});

const heist = heists[0];

test('queue: the heist case on the first screen, real totals, paging, wrapping titles', async () => {
  await open(page, '#/alerts');
  const card = page.locator(`.case-card[data-case="${heist.name}"]`);
  await card.waitFor();
  const box = await card.boundingBox();
  assert.ok(box && box.y + box.height <= 800, 'the heist case is on the first screen at 1280x800');
  const text = await card.textContent();
  for (const ex of Object.keys(heist.deposits_by_exchange)) assert.ok(text.includes(ex), `the case names ${ex}, an exchange of the truth`);
  // the real total: the API's count of open alerts, not what one page fetched
  const n = (await api('alerts?status=new&limit=1')).total + (await api('alerts?status=acknowledged&limit=1')).total;
  const cap = await page.locator('#alert-count').textContent();
  assert.match(cap, new RegExp(`of ${n} alerts`), `the caption gives the real total (${cap})`);
  assert.ok(n > 100, 'the fixture has more than one page');
  assert.equal(await page.locator('table.alerts tbody tr').count(), 100, 'a page of 100');
  const first = await page.locator('table.alerts tbody tr').first().getAttribute('data-id');
  await page.click('#page-next');
  await page.waitForFunction((f) => document.querySelector('section.page')?.getAttribute('aria-busy') === 'false' && document.querySelector('table.alerts tbody tr') && document.querySelector('table.alerts tbody tr').dataset.id !== f, first);
  const second = await page.locator('table.alerts tbody tr').count();
  assert.equal(second, Math.min(100, n - 100), 'the next page holds the next 100 (or the rest)');
  // titles wrap: the list never scrolls sideways at 1280 px
  await open(page, '#/alerts');
  assert.ok(await page.evaluate(() => { const l = document.querySelector('#alert-list'); return l.scrollWidth <= l.clientWidth + 1; }), 'the queue fits 1280 px without sideways scrolling');
  await shot(page, 'queue');
});

test('queue: theft and sanctions kept apart, one alert per (rule, address or entity, case)', async () => {
  const all = (await api('alerts?source=chain&limit=1000')).alerts;
  const rule = all.filter((a) => /^(stolen-funds-at-exchange|watched-funds-coinjoin|theft-address|sanctioned-address-(receives|spends))/.test(a.kind) && evidenceOf(a).category !== undefined || evidenceOf(a).case);
  assert.ok(rule.length > 0, 'the rules raised alerts');
  for (const a of rule) {
    const ev = evidenceOf(a);
    if (a.kind.startsWith('sanctioned-')) assert.equal(ev.category, 'sanctioned', `#${a.id} is a sanctions alert on a ${ev.category} label`);
    if (a.kind.startsWith('theft-')) assert.doesNotMatch(a.title, /sanction/i, `#${a.id}: a theft alert titled as sanctions`);
  }
  const keys = rule.map((a) => { const ev = evidenceOf(a); return `${a.kind}|${ev.case || ''}|${ev.exchange || ev.entity || ev.address || ''}`; });
  assert.equal(new Set(keys).size, keys.length, 'one alert per (rule, address or entity, case)');
});

test('phone: the chosen alert\'s detail is in view, titles wrap', async () => {
  const p = await newPage({ width: 390, height: 844 });
  await open(p, '#/alerts');
  const id = await p.locator('table.alerts tbody tr').nth(3).getAttribute('data-id');
  await p.click(`table.alerts tbody tr[data-id="${id}"] a.alert-link`);
  await p.waitForSelector('#alert-title');
  await p.waitForTimeout(300);
  const top = await p.evaluate(() => document.querySelector('#alert-title').getBoundingClientRect().top);
  assert.ok(top >= 0 && top < 844, `the detail's title is in view (top ${top}px)`);
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1), 'no sideways scrolling on a phone');
  await p.screenshot({ path: path.join(ART, 'analyst-phone-alert.png') });
  await p.context().close();
});

test('case view: deposits, totals and alerts against the truth', async () => {
  await open(page, `#/case/${encodeURIComponent(heist.name)}`);
  await page.waitForSelector('#deposits-table', { timeout: 120000 });
  const all = page.locator('#deposits-all');
  if (await all.count()) await all.click();
  const rows = await page.$$eval('#deposits-table tbody tr', (trs) => trs.map((tr) => ({
    exchange: tr.cells[0].textContent, address: tr.cells[1].textContent, txid: tr.cells[2].querySelector('a').title,
    height: Number(tr.cells[3].textContent), time: tr.cells[4].textContent, sat: Number(tr.cells[5].dataset.sat), hops: Number(tr.cells[6].textContent), model: tr.cells[7].textContent })));
  assert.ok(rows.length > 0, 'deposits listed');
  const byEx = {};
  for (const r of rows) byEx[r.exchange] = (byEx[r.exchange] || 0) + r.sat;
  for (const [ex, want] of Object.entries(heist.deposits_by_exchange)) {
    assert.ok(byEx[ex] !== undefined, `the deposits at ${ex} are listed`);
    assert.ok(Math.abs(byEx[ex] - want) <= 0.01 * want, `${ex}: ${byEx[ex]} sat vs the truth's ${want} (FIFO within 1 %)`);
  }
  for (const r of rows) assert.equal(r.model, 'fifo');
  // on-chain time and height of a deposit equal the chain's
  const tx = JSON.parse(execFileSync(BIN, ['tx', rows[0].txid, '--store', STORE, '--json'], { encoding: 'utf8' }));
  assert.equal(rows[0].height, tx.height, 'height of the first deposit');
  assert.equal(rows[0].time, new Date(tx.time * 1000).toISOString().replace('T', ' ').replace('.000Z', 'Z'), 'on-chain time of the first deposit');
  const unspent = sat(await page.locator('#tot-unspent strong').textContent());
  assert.ok(Math.abs(unspent - heist.totals.unspent_sat) <= 0.01 * heist.amount_sat, `unspent remainder ${unspent} vs the truth's ${heist.totals.unspent_sat}`);
  const caseAlerts = (await api('alerts?kind=stolen-funds-at-exchange&limit=1000')).alerts.filter((a) => evidenceOf(a).case === heist.name);
  assert.equal(await page.locator(`#case-alerts a[href^="#/alerts?"]`).count() >= caseAlerts.length, true, 'the case lists its alerts');
  const g = await drawn(page);
  assert.ok(g && g.drawn > 0 && g.drawn <= MAX_DRAWN, `the heist graph draws at most ${MAX_DRAWN} nodes before expanding (${g && g.drawn} of ${g && g.total})`);
  await page.screenshot({ path: path.join(ART, 'analyst-case.png'), fullPage: true });
});

test('every rule alert opens its graph and links its addresses and txids', async () => {
  const all = (await api('alerts?source=chain&limit=1000')).alerts.filter((a) => /^(stolen-funds-at-exchange|watched-funds-coinjoin|theft-address)/.test(a.kind) && !/^Heist /.test(a.title));
  assert.ok(all.length >= Object.keys(heist.deposits_by_exchange).length, 'rule alerts for the case');
  for (const a of all.slice(0, 12)) {
    await open(page, `#/alerts?status=&id=${a.id}`);
    await page.waitForSelector('#alert-title');
    assert.ok(await page.locator('#open-graph').count(), `#${a.id} (${a.kind}) offers its graph`);
    const links = await page.locator('.evidence-links a').count();
    assert.ok(links > 0, `#${a.id} links its addresses and txids`);
    await open(page, `#/investigate?alert=${a.id}`);
    await page.waitForSelector('#trace-graph', { timeout: 120000 });
    assert.equal(await page.getByText('holds no trace graph').count(), 0, `#${a.id}: a graph, not "no trace graph"`);
    const g = await drawn(page);
    assert.ok(g && g.drawn > 0 && g.drawn <= MAX_DRAWN, `#${a.id}: ${g && g.drawn} nodes drawn`);
  }
});

test('graph: chains expand on click, an exchange click is not an error, exports carry TLP', async () => {
  const a = (await api('alerts?kind=stolen-funds-at-exchange&limit=1000')).alerts.find((x) => evidenceOf(x).case === heist.name);
  await open(page, `#/investigate?alert=${a.id}`);
  await page.waitForSelector('#trace-graph canvas', { timeout: 120000 });
  const before = await drawn(page);
  const chain = await page.evaluate(() => { const n = window.__cwGraph.cy.nodes('.chain:visible'); return n.length ? n[0].id() : null; });
  if (chain) {
    await page.evaluate((id) => { setTimeout(() => window.__cwGraph.cy.getElementById(id).emit('tap'), 10); }, chain);
    // as soon as the chain's transactions are drawn (10 s at most: the assertion says what failed)
    await page.waitForFunction((n) => window.__cwGraph.drawn() > n, before.drawn, { timeout: 10000 }).catch(() => {});
    const after = await drawn(page);
    assert.ok(after.drawn > before.drawn, `expanding a chain draws its transactions (${before.drawn} -> ${after.drawn})`);
  }
  const ex = await page.evaluate(() => { const n = window.__cwGraph.cy.nodes('[kind = "entity"]:visible'); return n.length ? n[0].id() : null; });
  assert.ok(ex, 'an exchange node is drawn');
  await page.evaluate((id) => { setTimeout(() => window.__cwGraph.cy.getElementById(id).emit('tap'), 10); }, ex);
  await page.waitForTimeout(1000);
  assert.equal(await page.locator('#messages .msg.error').count(), 0, 'clicking an exchange shows no error');
  for (const [btn, ext] of [['#export-csv', 'csv'], ['#export-json', 'json'], ['#export-png', 'png']]) {
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.click(btn)]);
    assert.match(dl.suggestedFilename(), new RegExp(`tlp-${a.tlp.replace('+', '-')}\\.${ext}$`), `${ext} file name carries the TLP`);
    const file = await dl.path();
    const body = readFileSync(file);
    if (ext === 'csv') assert.match(body.toString('utf8').split('\n')[0], /^# TLP:AMBER/, 'the CSV starts with its TLP marking');
    if (ext === 'json') assert.equal(JSON.parse(body.toString('utf8')).tlp, `TLP:${a.tlp.toUpperCase()}`, 'the JSON carries its TLP');
    if (ext === 'png') assert.equal(body.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG (with the TLP band)');
  }
});

test('investigate: an address search traces from it; exposure is a share of received value; tx and block pages', async () => {
  const dep = heist.deposits[heist.deposits.length - 1];
  await open(page, `#/investigate?q=${dep.address}`);
  await page.waitForSelector('#facts h2', { timeout: 120000 });
  await page.waitForSelector('#trace-graph, #trace-box .msg', { timeout: 120000 });
  const g = await drawn(page);
  if (g) assert.ok(g.drawn <= MAX_DRAWN, `the address's trace draws at most ${MAX_DRAWN} nodes (${g.drawn})`);
  const meta = await page.locator('#trace-box .hint').first().textContent();
  assert.match(meta, new RegExp(`model fifo`), 'Investigate defaults to FIFO');
  await page.waitForSelector('#exposure', { timeout: 120000 });
  const shares = await page.$$eval('#exposure [data-share]', (els) => els.map((e) => Number(e.dataset.share)));
  assert.ok(shares.length > 0, 'exposure rows');
  for (const s of shares) assert.ok(s >= 0 && s <= 1, `share ${s} within 0..100 %`);
  await sharesAtMost100(page, 'address');
  const tx = JSON.parse(execFileSync(BIN, ['tx', dep.txid, '--store', STORE, '--json'], { encoding: 'utf8' }));
  await open(page, `#/tx/${dep.txid}`);
  assert.equal(await page.locator('#tx-time').textContent(), new Date(tx.time * 1000).toISOString().replace('T', ' ').replace('.000Z', 'Z'), 'the tx page shows its on-chain time');
  await open(page, `#/block/${tx.height}`);
  assert.ok(await page.locator('#block-txs tbody tr a[href="#/tx/' + dep.txid + '"]').count() === 1, 'the block page lists the tx');
});
