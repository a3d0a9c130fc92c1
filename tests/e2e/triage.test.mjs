// triage.test.mjs: the rest of the analyst's first hour (issue 14), in the browser, on the
// analyst's node of tests/cli/web_e2e.sh (the rules' alerts, peer keys for KOR and JPN, an
// analyst of JPN on this node). Truth comes from outside the page:
//  - assignee and notes: the API's history and the audit log; TLP decides who may see them;
//  - the share preview: each partner's own TAXII pull of the alert's objects (its peer key);
//  - label provenance: the CSV file the labels were imported from (its name and line);
//  - the cluster's own figures: `chainwatch cluster show --json` (which walks every output);
//    on-chain times: `chainwatch block --json`;
//  - search by entity: the imported CSV's rows for that entity.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { chromium } from 'playwright-core';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`${k} is not set (run tests/cli/web_e2e.sh)`); return v; };
const BASE = env('CW_URL_ANALYST');
const KEY = env('CW_KEY_ANALYST');
const READER = env('CW_KEY_READER');
const KOR = env('CW_KEY_KOR_PEER');
const JPN = env('CW_KEY_JPN_PEER');
const JPN_ANALYST = env('CW_KEY_JPN_ANALYST');
const ART = env('CW_ARTIFACTS');
const BIN = env('CW_BIN');
const STORE = env('CW_STORE');
const LABELS_CSV = env('CW_LABELS_CSV');
const heist = JSON.parse(readFileSync(env('CW_HEISTS'), 'utf8'))[0];

let browser;
const notes = [];

async function call(p, { key = KEY, method = 'GET', body } = {}) {
  const headers = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(`${BASE}/api/v1/${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json().catch(() => null) };
}
async function api(p, opts) {
  const r = await call(p, opts);
  assert.equal(r.status, 200, `${(opts && opts.method) || 'GET'} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
const cli = (...args) => JSON.parse(execFileSync(BIN, [...args, '--json'], { encoding: 'utf8' }));
const chainTime = (t) => new Date(t * 1000).toISOString().replace('T', ' ').replace('.000Z', 'Z');

async function newPage(viewport) {
  const ctx = await browser.newContext({ viewport });
  const p = await ctx.newPage();
  p.on('pageerror', (e) => notes.push(`page error: ${e.message}`));
  await p.goto(`${BASE}/#/alerts`);
  await p.fill('#login-key', KEY);
  await p.click('#login-submit');
  await p.waitForFunction(() => document.querySelector('section.page')?.getAttribute('aria-busy') === 'false');
  return p;
}
async function open(p, hash) {
  await p.goto('about:blank');
  await p.goto(`${BASE}/${hash}`);
  await p.waitForFunction((h) => { const s = document.querySelector('section.page'); return s && s.getAttribute('aria-busy') === 'false' && s.dataset.route === h; }, hash, { timeout: 120000 });
}
const shot = (p, name, fullPage = false) => p.screenshot({ path: path.join(ART, `triage-${name}.png`), fullPage });

let page;
before(async () => {
  mkdirSync(ART, { recursive: true });
  browser = await chromium.launch({ executablePath: process.env.CW_CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  page = await newPage({ width: 1280, height: 900 });
});
after(async () => {
  if (browser) await browser.close();
  if (notes.length) console.log(notes.join('\n'));
  assert.deepEqual(notes, [], 'no page error');
});

async function heistAlert() {
  const all = (await api('alerts?kind=stolen-funds-at-exchange&limit=1000')).alerts;
  const a = all.find((x) => /^Heist /.test(x.title)) || all[0];
  assert.ok(a, 'the heist alert exists');
  return a;
}

test('triage: assignee and a history of notes per alert, audited, and bound by TLP', async () => {
  const a = await heistAlert();
  await open(page, `#/alerts?status=&id=${a.id}`);
  await page.waitForSelector('#assign-form');
  await page.fill('#assignee', 'park');
  await page.click('#btn-assign');
  await page.waitForSelector('#alert-history li[data-kind="assign"]');
  const note = 'Deposits at the exchanges confirmed on chain.\nNext: preservation request.';
  await page.fill('#note-text', note);
  await page.click('#btn-note');
  await page.waitForSelector('#alert-history li[data-kind="note"]');
  assert.equal(await page.locator('#alert-assignee').textContent(), 'park', 'the detail shows the assignee');
  await shot(page, 'alert', true);
  // the queue filtered by assignee lists it, with the assignee on its row
  await open(page, '#/alerts?status=&assignee=park');
  assert.deepEqual(await page.$$eval('table.alerts tbody tr', (trs) => trs.map((tr) => Number(tr.dataset.id))), [a.id], 'the queue, filtered by assignee');
  assert.match(await page.locator(`table.alerts tr[data-id="${a.id}"] .assignee`).textContent(), /park/, 'the queue row shows the assignee');

  const h = (await api(`alerts/${a.id}/history`)).history;
  const mine = h.filter((e) => e.author === 'analyst1');
  assert.deepEqual(mine.map((e) => [e.kind, e.text]), [['assign', 'assigned to park'], ['note', note]], 'the history, in order, with the author');
  for (const e of mine) assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal((await api(`alerts/${a.id}`)).assignee, 'park');
  const mineQ = await api('alerts?assignee=park&limit=1000');
  assert.deepEqual(mineQ.alerts.map((x) => x.id), [a.id], 'the assignee filter');
  assert.equal(mineQ.total, 1);

  // audited: who, what, which alert
  let audit = [];
  for (let i = 0; i < 40 && audit.length < 2; i++) {
    audit = (await api('audit?action=http.write&limit=200')).entries.filter((e) => e.actor === 'analyst1' && e.target.startsWith(`POST /api/v1/alerts/${a.id}/`));
    if (audit.length < 2) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(audit.some((e) => e.target.endsWith('/assign') && e.outcome === '200' && e.detail === 'assigned to park'), 'the assignment is in the audit log');
  assert.ok(audit.some((e) => e.target.endsWith('/notes') && e.outcome === '200' && /^note \d+ \(\d+ bytes\)$/.test(e.detail)), 'the note is in the audit log');

  // a reader reads the history and cannot write
  assert.equal((await call(`alerts/${a.id}/history`, { key: READER })).status, 200);
  assert.equal((await call(`alerts/${a.id}/assign`, { key: READER, method: 'POST', body: { assignee: 'x' } })).status, 403);
  assert.equal((await call(`alerts/${a.id}/notes`, { key: READER, method: 'POST', body: { text: 'x' } })).status, 403);
  // a partner uses TAXII, never this API
  assert.equal((await call(`alerts/${a.id}/history`, { key: KOR })).status, 403);
  // an analyst of JPN on this node: the TLP:AMBER alert for KOR and a TLP:RED one are not theirs
  assert.equal(a.tlp, 'amber');
  assert.deepEqual(a.share_to, ['KOR']);
  for (const [what, opts] of [['history', {}], ['notes', { method: 'POST', body: { text: 'x' } }], ['assign', { method: 'POST', body: { assignee: 'x' } }], ['share-preview', {}]]) {
    assert.equal((await call(`alerts/${a.id}/${what}`, { key: JPN_ANALYST, ...opts })).status, 404, `JPN analyst: ${what} of a TLP:AMBER alert for KOR`);
  }
  const red = (await api('alerts?limit=1000&status=new')).alerts.find((x) => x.tlp === 'red');
  assert.ok(red, 'a TLP:RED alert exists');
  assert.equal((await call(`alerts/${red.id}/history`, { key: JPN_ANALYST })).status, 404, 'JPN analyst: a TLP:RED alert');
  const green = (await api('alerts?limit=1000&status=new')).alerts.find((x) => x.tlp === 'green');
  assert.equal((await call(`alerts/${green.id}/notes`, { key: JPN_ANALYST, method: 'POST', body: { text: 'seen from JPN' } })).status, 200, 'JPN analyst: a TLP:GREEN alert');
  // bad input changes nothing
  assert.equal((await call(`alerts/${a.id}/notes`, { method: 'POST', body: { text: '' } })).status, 400);
  assert.equal((await call(`alerts/${a.id}/assign`, { method: 'POST', body: { assignee: 5 } })).status, 400);
  assert.equal((await api(`alerts/${a.id}/history`)).history.length, h.length);
  // unassign
  await open(page, `#/alerts?status=&id=${a.id}`);
  await page.waitForSelector('#assign-form');
  await page.click('#btn-unassign');
  await page.waitForFunction(() => document.querySelector('#alert-assignee')?.textContent === '—');
  assert.equal((await api(`alerts/${a.id}`)).assignee, null);
});

async function taxiiIds(key, ids) {
  const node = await api('node');
  const u = `${BASE}/taxii2/api/collections/${node.collection}/objects/?${new URLSearchParams({ 'match[id]': ids.join(','), limit: '1000' })}`;
  const r = await fetch(u, { headers: { Authorization: `Bearer ${key}`, Accept: 'application/taxii+json;version=2.1' } });
  assert.equal(r.status, 200, `TAXII pull: ${r.status}`);
  const body = await r.json();
  return (body.objects || []).map((o) => o.id).sort();
}

test('share preview: each partner\'s objects are what its own TAXII pull returns', async () => {
  const a = await heistAlert();
  let pv;
  for (let i = 0; i < 80; i++) {
    pv = await api(`alerts/${a.id}/share-preview`);
    if (pv.state === 'published') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(pv.state, 'published', 'the server published the alert');
  const ids = pv.objects.map((o) => o.id);
  assert.ok(ids.length >= 5, `the alert's objects (${ids.length})`);
  assert.ok(pv.objects.some((o) => o.type === 'report'), 'a report');
  for (const [org, key] of [['KOR', KOR], ['JPN', JPN]]) {
    const p = pv.partners.find((x) => x.org === org);
    assert.ok(p, `${org} is listed`);
    assert.equal(p.can_pull, true, `${org} has a peer key`);
    const truth = await taxiiIds(key, ids);
    assert.deepEqual(p.allowed.map((o) => o.id).sort(), truth, `${org}: the preview equals its TAXII pull`);
    assert.equal(p.receives_count, truth.length);
    assert.equal(p.allowed.length + p.withheld.length, ids.length, `${org}: every object is either received or withheld`);
  }
  const kor = pv.partners.find((x) => x.org === 'KOR'), jpn = pv.partners.find((x) => x.org === 'JPN');
  assert.equal(kor.allowed.length, ids.length, 'KOR, the TLP:AMBER audience, receives every object');
  const rep = jpn.withheld.find((o) => o.type === 'report');
  assert.ok(rep, 'JPN does not receive the report');
  assert.match(rep.reason, /TLP:AMBER/);

  await open(page, `#/alerts?status=&id=${a.id}`);
  await page.click('#btn-share-preview');
  await page.waitForSelector('#share-preview');
  assert.equal(await page.locator('#share-state').getAttribute('data-state'), 'published');
  for (const p of pv.partners) {
    assert.equal(await page.locator(`#share-preview tr[data-org="${p.org}"] .receives-count`).textContent(), String(p.receives_count), `the page shows ${p.org}'s count`);
  }
  await page.locator('#share-box').scrollIntoViewIfNeeded();
  await shot(page, 'share-preview', true);
});

// The deposit address of the heist with the largest cluster, and its line in the labels CSV.
function depositWithLabel() {
  const lines = readFileSync(LABELS_CSV, 'utf8').split('\n');
  for (const d of heist.deposits) {
    const i = lines.findIndex((l) => l.startsWith(`${d.address},`));
    if (i > 0) return { address: d.address, line: i + 1, row: lines[i].split(',') };
  }
  return null;
}

test('address: label provenance from the imported file; the cluster\'s own figures apart from the address\'s; on-chain times', async () => {
  const dep = depositWithLabel();
  assert.ok(dep, 'a deposit address of the heist is labelled in the imported CSV');
  await open(page, `#/investigate?q=${dep.address}`);
  await page.waitForSelector('#labels-table', { timeout: 120000 });
  const labelsText = await page.locator('#labels-table').textContent();
  assert.ok(labelsText.includes(path.basename(LABELS_CSV)), 'provenance names the imported file');
  assert.ok(labelsText.includes(`line ${dep.line}`), `provenance names the line (${dep.line})`);
  assert.ok(labelsText.includes(dep.row[1]), `the label's entity (${dep.row[1]})`);
  assert.match(labelsText, /imported \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/, 'provenance gives the import date');

  const truth = cli('cluster', 'show', dep.address, '--store', STORE);
  const own = cli('address', dep.address, '--store', STORE);
  const sats = async (sel) => page.$$eval(`${sel} dd.amount`, (els) => els.map((e) => Number(e.dataset.sat)));
  const [cRecv, cSent, cBal] = await sats('#cluster-facts');
  const [aRecv, aSent, aBal] = await sats('#address-facts');
  assert.equal(cRecv, truth.received, 'the cluster\'s received equals `cluster show`');
  assert.equal(cBal, truth.balance, 'the cluster\'s balance equals `cluster show`');
  assert.equal(cRecv - cSent, cBal);
  assert.equal(aRecv, own.received, 'the address\'s own received');
  assert.equal(aBal, own.balance, 'the address\'s own balance');
  assert.equal(aRecv - aSent, aBal);
  assert.equal(Number(await page.locator('#cluster-size').textContent()), truth.size);
  if (truth.size > 1) assert.notEqual(cRecv, aRecv, 'the cluster box does not repeat the address\'s figures');
  // on-chain times: each shown block's time is the chain's
  for (const sel of ['#cluster-facts .first-seen', '#cluster-facts .last-seen', '#address-facts .first-seen']) {
    const text = await page.locator(sel).textContent();
    const m = text.match(/block (\d+) · (.+)$/);
    assert.ok(m, `${sel}: "${text}"`);
    const b = cli('block', m[1], '--store', STORE);
    assert.equal(m[2], chainTime(b.time), `${sel}: the on-chain time of block ${m[1]}`);
  }
  const hF = Number((await page.locator('#cluster-facts .first-seen').textContent()).match(/block (\d+)/)[1]);
  const hA = Number((await page.locator('#address-facts .first-seen').textContent()).match(/block (\d+)/)[1]);
  assert.ok(hF <= hA, 'the cluster was seen no later than its member');
  await shot(page, 'address', true);
});

test('search: by entity, by label category, by cluster', async () => {
  const dep = depositWithLabel();
  const entity = dep.row[1];
  const csv = readFileSync(LABELS_CSV, 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split(','));
  const want = csv.filter((r) => r[1].toLowerCase().includes(entity.toLowerCase())).length;
  await open(page, `#/investigate?q=${encodeURIComponent(`entity:${entity}`)}`);
  await page.waitForSelector('#label-results', { timeout: 120000 });
  const rows = await page.$$eval('#label-results tbody tr', (trs) => trs.map((tr) => tr.cells[2].textContent));
  assert.equal(rows.length, Math.min(want, 200), `the labels of ${entity}: ${want} in the imported CSV`);
  for (const r of rows) assert.ok(r.toLowerCase().includes(entity.toLowerCase()), `row entity ${r}`);
  if (want > 200) assert.match(await page.locator('#label-count').textContent(), /more match/);
  assert.equal(await page.locator('#trace-box .msg.error').count(), 0, 'a label search does not try to trace a name');
  await shot(page, 'search-entity');
  // a plain name (no prefix) finds the same labels when it is no address
  await open(page, `#/investigate?q=${encodeURIComponent(entity)}`);
  await page.waitForSelector('#label-results', { timeout: 120000 });
  assert.equal(await page.locator('#label-results tbody tr').count(), rows.length);
  // a category
  await open(page, `#/investigate?q=${encodeURIComponent('label:theft')}`);
  await page.waitForSelector('#label-results', { timeout: 120000 });
  const cats = await page.$$eval('#label-results tbody tr', (trs) => trs.map((tr) => tr.cells[3].textContent));
  assert.ok(cats.length > 0 && cats.every((c) => c === 'theft'), 'label:theft lists theft labels');
  // a cluster, by id
  const truth = cli('cluster', 'show', dep.address, '--store', STORE);
  await open(page, `#/investigate?q=${encodeURIComponent(`cluster:${truth.cluster}`)}`);
  await page.waitForSelector('#cluster-members', { timeout: 120000 });
  assert.equal(Number(await page.locator('#cluster-size').textContent()), truth.size);
  assert.equal(Number(await page.locator('#cluster-facts dd.amount').first().getAttribute('data-sat')), truth.received);
  assert.equal(await page.locator('#cluster-members tbody tr').count(), Math.min(100, truth.size));
  await shot(page, 'search-cluster');
});

test('phone: triage and the share preview fit a 390 px screen', async () => {
  const p = await newPage({ width: 390, height: 844 });
  const a = await heistAlert();
  await open(p, `#/alerts?status=&id=${a.id}`);
  await p.waitForSelector('#assign-form');
  await p.click('#btn-share-preview');
  await p.waitForSelector('#share-preview');
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1), 'no sideways scrolling on a phone');
  await p.locator('#triage-h').scrollIntoViewIfNeeded();
  await p.screenshot({ path: path.join(ART, 'triage-phone.png') });
  await p.context().close();
});
