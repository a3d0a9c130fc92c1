// tour.mjs: the README's tour of the dashboard, as screenshots, from a running server (the
// demo's): node tests/e2e/tour.mjs URL API_KEY OUTDIR. Logs in, opens each page at 1280x800
// (and the queue and an alert at 390x844, a phone), an alert's triage and share preview, an
// entity search and a cluster, a commodity page, waits for each to render, and writes
// OUTDIR/dashboard-NN-NAME.png; prints per page what an analyst would check first (rows,
// drawn graph nodes, the largest share shown). Exits 1 on a page error.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [BASE, KEY, OUT] = process.argv.slice(2);
if (!BASE || !KEY || !OUT) { console.error('usage: node tests/e2e/tour.mjs URL API_KEY OUTDIR'); process.exit(2); }
mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CW_CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const errors = [];
async function open(page, hash) {
  await page.goto(`${BASE}/${hash}`);
  await page.waitForFunction((h) => { const s = document.querySelector('section.page'); return s && s.getAttribute('aria-busy') === 'false' && s.dataset.route === h; }, hash, { timeout: 120000 });
  await page.waitForTimeout(400);
}
async function facts(page) {
  return page.evaluate(() => {
    const shares = [...document.querySelectorAll('[data-share]')].map((e) => Number(e.dataset.share)).filter((x) => Number.isFinite(x));
    const cy = document.querySelector('#trace-graph');
    return { rows: document.querySelectorAll('tbody tr').length, maxShare: shares.length ? Math.max(...shares) : null,
      drawn: cy && window.__cwGraph ? window.__cwGraph.drawn() : null, notices: [...document.querySelectorAll('.notice')].map((n) => n.textContent.slice(0, 90)) };
  });
}
async function session(viewport) {
  const ctx = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE}/#/alerts`);
  await page.fill('#login-key', KEY);
  await page.click('#login-submit');
  await page.waitForFunction(() => document.querySelector('section.page')?.getAttribute('aria-busy') === 'false', null, { timeout: 60000 });
  return { ctx, page };
}
const shots = [];
async function shot(page, name, full = true) {
  const file = path.join(OUT, `dashboard-${name}.png`);
  await page.screenshot({ path: file, fullPage: full });
  const f = await facts(page);
  shots.push(name);
  console.log(`${name}: ${JSON.stringify(f)}`);
}
const { ctx, page } = await session({ width: 1280, height: 800 });
await open(page, '#/alerts');
await shot(page, '01-queue', false);
const caseName = await page.evaluate(() => document.querySelector('.case-card')?.dataset.case);
const firstAlert = await page.evaluate(() => document.querySelector('table.alerts tbody tr')?.dataset.id);
if (firstAlert) {
  const critical = await page.evaluate(async (k) => {
    const r = await fetch('/api/v1/alerts?kind=stolen-funds-at-exchange&limit=1', { headers: { Authorization: `Bearer ${k}` } });
    return (await r.json()).alerts[0]?.id;
  }, KEY);
  await open(page, `#/alerts?status=&id=${critical || firstAlert}`);
  await page.waitForSelector('#alert-title');
  await page.locator('#alert-detail').scrollIntoViewIfNeeded();
  await shot(page, '02-alert', false);
}
if (caseName) {
  await open(page, `#/case/${encodeURIComponent(caseName)}`);
  await page.waitForSelector('#deposits-table', { timeout: 120000 });
  await page.waitForSelector('#trace-graph canvas', { timeout: 120000 }).catch(() => {});
  await page.waitForTimeout(800);
  await shot(page, '03-case');
  const caseAlert = await page.evaluate(async (k) => {
    const r = await fetch('/api/v1/alerts?kind=stolen-funds-at-exchange&limit=1', { headers: { Authorization: `Bearer ${k}` } });
    return (await r.json()).alerts[0]?.id;
  }, KEY);
  if (caseAlert) {
    await open(page, `#/investigate?alert=${caseAlert}`);
    await page.waitForSelector('#trace-graph canvas', { timeout: 120000 }).catch(() => {});
    await page.waitForTimeout(800);
    await shot(page, '04-trace');
  }
}
let addr = null;
if (caseName) {
  await open(page, `#/case/${encodeURIComponent(caseName)}`);
  await page.waitForSelector('#deposits-table', { timeout: 120000 });
  addr = await page.evaluate(() => {
    const r = document.querySelector('#deposits-table tbody tr');
    return r ? { exchange: r.cells[0].textContent.trim(), address: r.cells[1].textContent.trim(), txid: r.cells[2].querySelector('a').title } : null;
  });
}
let clusterQ = null;
if (addr) {
  await open(page, `#/investigate?q=${addr.address}`);
  await page.waitForSelector('#facts h2');
  await page.waitForTimeout(1500);
  await shot(page, '05-address');
  clusterQ = await page.evaluate(() => document.querySelector('#cluster-link')?.textContent.replace('cluster ', 'cluster:'));
  await open(page, `#/tx/${addr.txid}`);
  await shot(page, '06-tx');
  const height = await page.evaluate(() => document.querySelector('#tx-facts a')?.textContent);
  if (height) { await open(page, `#/block/${height}`); await shot(page, '07-block'); }
  // search by entity (labels with provenance) and by cluster
  await open(page, `#/investigate?q=${encodeURIComponent(`entity:${addr.exchange}`)}`);
  await page.waitForSelector('#label-results, #facts .msg', { timeout: 120000 });
  await shot(page, '13-labels', false);
  if (clusterQ) {
    await open(page, `#/investigate?q=${encodeURIComponent(clusterQ)}`);
    await page.waitForSelector('#cluster-members, #facts .msg', { timeout: 120000 });
    await shot(page, '14-cluster', false);
  }
}
// an alert's triage (assignee, history of notes) and its share preview
if (firstAlert) {
  const crit = await page.evaluate(async (k) => {
    const r = await fetch('/api/v1/alerts?kind=stolen-funds-at-exchange&limit=1', { headers: { Authorization: `Bearer ${k}` } });
    return (await r.json()).alerts[0]?.id;
  }, KEY);
  await open(page, `#/alerts?status=&id=${crit || firstAlert}`);
  await page.waitForSelector('#assign-form');
  await page.waitForSelector('#alert-history, #history-empty');
  await page.click('#btn-share-preview');
  await page.waitForSelector('#share-preview, #share-preview-none, #share-box .msg', { timeout: 60000 });
  await page.locator('#triage-h').scrollIntoViewIfNeeded();
  await page.evaluate(() => document.querySelector('#triage-h').scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(300);
  await shot(page, '12-triage-share', false);
}
await open(page, '#/supply');
await page.waitForTimeout(800);
await shot(page, '08-supply-heatmap');
// a commodity page: the level's explanation and the price and trade series (real data on the demo)
await open(page, '#/supply/graphite/KOR');
await page.waitForSelector('canvas', { timeout: 60000 }).catch(() => {});
await page.waitForTimeout(1200);
await shot(page, '15-commodity');
await open(page, '#/partners');
await shot(page, '09-partners');
await ctx.close();
const phone = await session({ width: 390, height: 844 });
await open(phone.page, '#/alerts');
await shot(phone.page, '10-phone-queue', false);
const pid = await phone.page.evaluate(async (k) => {
  const r = await fetch('/api/v1/alerts?kind=stolen-funds-at-exchange&limit=1', { headers: { Authorization: `Bearer ${k}` } });
  return (await r.json()).alerts[0]?.id;
}, KEY);
if (pid) {
  await open(phone.page, `#/alerts?status=&id=${pid}`);
  await phone.page.waitForSelector('#alert-title');
  await phone.page.waitForTimeout(500);
  await shot(phone.page, '11-phone-alert', false);
}
await phone.ctx.close();
await browser.close();
if (errors.length) { console.error(`page errors:\n${errors.join('\n')}`); process.exit(1); }
