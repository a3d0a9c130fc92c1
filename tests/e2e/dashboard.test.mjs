// dashboard.test.mjs: end-to-end tests of the analyst dashboard, run by tests/cli/web_e2e.sh
// against a chainwatch server it started on loopback (node:test + playwright-core + Debian's
// chromium, headless, fresh profile). Truth comes from outside the page: the generator's
// ground truth (heists.json) for the exchanges and amounts, the supply engine's own JSON for
// the heat map and the explanation, and the API (read back with the key) for persistence.
//
// Environment (set by the wrapper): CW_URL, CW_KEY_ANALYST, CW_KEY_READER, CW_STATIC_MODE
// (server: chainwatch serves web/; intercept: this server has no --web-root yet, so the
// browser is given web/ by request interception while /api/ goes to the real server),
// CW_WEB_DIR, CW_ARTIFACTS (screenshots), CW_CHROMIUM, CW_FIXTURES (status.json,
// explain.json), CW_HEISTS, CW_BIN, CW_DB.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`${k} is not set (run tests/cli/web_e2e.sh)`); return v; };
const BASE = env('CW_URL');
const ANALYST = env('CW_KEY_ANALYST');
const READER = env('CW_KEY_READER');
const ART = env('CW_ARTIFACTS');
const WEB = env('CW_WEB_DIR');
const FIX = env('CW_FIXTURES');
const MODE = process.env.CW_STATIC_MODE || 'server';
// engine: the alert holds `chainwatch trace --model fifo` output, whose deposited amounts must be
// within 1 % of the truth (issue 4's acceptance); truth: the path from the ground truth, exact.
const TRACE_KIND = process.env.CW_TRACE_KIND || 'truth';
const TOL = TRACE_KIND === 'engine' ? 0.01 : 0;
const sat = (text) => Math.round(Number(text.replace(/[^0-9.]/g, '')) * 1e8);
const near = (got, want) => Math.abs(got - want) <= TOL * want;
const heists = JSON.parse(readFileSync(env('CW_HEISTS'), 'utf8'));
const status = JSON.parse(readFileSync(path.join(FIX, 'status.json'), 'utf8'));
const explain = JSON.parse(readFileSync(path.join(FIX, 'explain.json'), 'utf8'));

let ctx, page, profile;
const notes = [];

function btc(sat) { // the dashboard's format, computed independently
  const whole = Math.floor(sat / 1e8).toLocaleString('en-US');
  return `${whole}.${String(sat % 1e8).padStart(8, '0')} BTC`;
}
async function shot(name) {
  await page.screenshot({ path: path.join(ART, `${name}.png`), fullPage: true });
}
async function apiGet(p, key = ANALYST) {
  const r = await fetch(`${BASE}/api/v1/${p}`, { headers: { Authorization: `Bearer ${key}` } });
  return { status: r.status, body: await r.json() };
}
async function login(key) {
  await page.locator('#login').waitFor({ state: 'visible' });
  await page.fill('#login-key', key);
  await page.click('#login-submit');
}
// A fresh load of the page at hash (the key stays in sessionStorage), then wait until that
// route has rendered.
async function go(hash) {
  await page.goto('about:blank');
  await page.goto(`${BASE}/${hash}`);
  await page.waitForFunction(() => {
    const s = document.querySelector('section.page');
    return s && s.getAttribute('aria-busy') === 'false' && s.dataset.route === location.hash;
  });
}
async function rowsOf(sel) { return page.locator(`${sel} tbody tr`).count(); }
async function noHorizontalOverflow() {
  return page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1);
}

before(async () => {
  mkdirSync(ART, { recursive: true });
  profile = mkdtempSync(path.join(tmpdir(), 'cw-chromium-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CW_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  if (MODE === 'intercept') {
    // The server on this branch has no --web-root: give the browser web/ ourselves, keep /api/ real.
    await ctx.route(`${BASE}/**`, (route) => {
      const u = new URL(route.request().url());
      if (u.pathname.startsWith('/api/') || u.pathname.startsWith('/taxii2/')) return route.continue();
      const rel = u.pathname === '/' ? 'index.html' : u.pathname.slice(1);
      const file = path.join(WEB, rel);
      if (!file.startsWith(WEB + path.sep) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
      return route.fulfill({ path: file });
    });
  }
  // Nothing but loopback: any other request fails the test run.
  ctx.on('request', (r) => {
    const u = new URL(r.url());
    if (!['127.0.0.1', 'localhost'].includes(u.hostname) && !['data:', 'blob:'].includes(u.protocol)) notes.push(`off-loopback request: ${r.url()}`);
  });
  page = ctx.pages()[0] || await ctx.newPage();
  page.on('pageerror', (e) => notes.push(`page error: ${e.message}`));
});

after(async () => {
  if (ctx) await ctx.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (notes.length) console.log(notes.join('\n'));
});

test('the server serves the dashboard itself (or the wrapper says why not)', async () => {
  const r = await fetch(`${BASE}/`);
  if (MODE === 'server') {
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(await r.text(), /<title>chainwatch<\/title>/);
    const v = await fetch(`${BASE}/vendor/cytoscape.min.js`, { method: 'HEAD' });
    assert.equal(v.status, 200);
    const bad = await fetch(`${BASE}/..%2f..%2fetc/passwd`);
    assert.ok([400, 404].includes(bad.status));
  } else {
    console.log('# note: this chainwatch has no `serve --web-root`: web/ reaches the browser by interception');
    assert.equal(r.status, 404); // the API's JSON 404, not a crash
  }
});

test('a missing or bad API key shows the login prompt; a good one opens the queue', async () => {
  await page.goto(`${BASE}/#/alerts`);
  await page.locator('#login').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#main .msg.warn').count(), 1, 'the page behind says to log in');
  assert.ok(!(await page.locator('#logout').isVisible()), 'no "Log out" before logging in');
  assert.ok(!(await page.locator('#login-reason').isVisible()), 'no empty warning box');
  await shot('01-login');
  await login('cw_this-is-not-a-key');
  await page.waitForSelector('#login-reason:not([hidden])');
  assert.match(await page.textContent('#login-reason'), /refused/);
  assert.ok(await page.locator('#login').isVisible());
  await login(ANALYST);
  await page.waitForSelector('table.alerts');
  assert.ok(!(await page.locator('#login').isVisible()));
  assert.match(await page.textContent('#node-name'), /USA/);
});

test('alert queue: the heist alert with its TLP badge and originating node; filters', async () => {
  await go('#/alerts');
  assert.equal(await rowsOf('table.alerts'), 5);
  const heist = page.locator('table.alerts tbody tr', { hasText: heists[0].name });
  assert.equal(await heist.count(), 1, 'the heist alert is listed');
  assert.equal(await heist.locator('.tlp').textContent(), 'TLP:AMBER');
  assert.equal(await heist.locator('.sev').textContent(), 'critical');
  assert.equal(await heist.locator('td.origin').textContent(), 'USA');
  await shot('02-alerts');
  await page.selectOption('#f-tlp', 'red');
  await page.click('form.filters button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('table.alerts tbody tr').length === 1);
  assert.match(await page.textContent('table.alerts tbody'), /Internal lead/);
  await go('#/alerts?status=open&source=supply');
  assert.equal(await rowsOf('table.alerts'), 1);
  assert.match(await page.textContent('table.alerts tbody'), /graphite/);
  await go('#/alerts?status=open&partner=KOR');
  assert.equal(await rowsOf('table.alerts'), 2, 'the AMBER alert shared with KOR and the one KOR sent');
  await go('#/alerts?status=open&min_severity=high');
  assert.equal(await rowsOf('table.alerts'), 3);
  await go('#/alerts?status=open&source=partner');
  assert.equal(await rowsOf('table.alerts'), 1);
  const kor = page.locator('table.alerts tbody tr', { hasText: 'Lazarus' });
  assert.equal(await kor.locator('td.origin').textContent(), 'KOR', 'a partner alert names the node it came from');
  await kor.locator('a.alert-link').click();
  await page.waitForSelector('.alert-detail');
  assert.match(await page.textContent('.alert-detail'), /peer KOR .*ed25519-verified/);
});

test('the heist trace: graph, cash-out exchanges with the ground-truth amounts, expand, exports', async () => {
  await go('#/alerts');
  await page.click(`table.alerts a.alert-link:has-text("${heists[0].name}")`);
  await page.waitForSelector('.alert-detail');
  assert.match(await page.textContent('.alert-detail .origin'), /USA/);
  await page.click('text=Open the trace graph');
  await page.waitForSelector('#trace-graph canvas');
  const truth = heists[0].deposits_by_exchange;
  const ends = page.locator('#trace-endpoints tbody tr');
  const endRows = await ends.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const exchanges = endRows.filter((r) => /^exchange/.test(r[1]));
  for (const [ex, want] of Object.entries(truth)) {
    const row = exchanges.filter((r) => r[0] === ex);
    assert.equal(row.length, 1, `${ex} is an end of the flow`);
    if (TOL) assert.ok(near(sat(row[0][3]), want), `${ex}: ${row[0][3]} vs truth ${btc(want)}`);
    else assert.equal(row[0][3], btc(want), `${ex} received ${want} sat`);
  }
  console.log(`# trace from ${TRACE_KIND}: ${exchanges.map((r) => `${r[0]} ${r[3]}`).join(', ')}`);
  const g = await page.evaluate(() => {
    const cy = document.querySelector('#trace-graph')._cyreg.cy;
    return {
      nodes: cy.nodes().length, coinjoin: cy.nodes('.coinjoin').length, peel: cy.nodes('.peel').length,
      edgeLabels: cy.edges().map((e) => e.data('display')).filter(Boolean).length, edges: cy.edges().length,
      exchangeColour: cy.nodes().filter((n) => n.data('label') === 'Binansu')[0].data('colour'),
    };
  });
  if (TRACE_KIND === 'truth') {
    assert.equal(g.coinjoin, heists[0].coinjoin_txids.filter((t) => heists[0].deposits.some((d) => d.via.includes(t))).length);
    assert.ok(g.peel > 0, 'peel-chain links are marked');
  } else {
    // every CoinJoin of the world (truth/coinjoins.csv), not only the heist's own
    const cjTruth = new Set(readFileSync(path.join(path.dirname(env('CW_HEISTS')), 'coinjoins.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]));
    const cj = await page.evaluate(() => document.querySelector('#trace-graph')._cyreg.cy.nodes('.coinjoin').map((n) => n.id()));
    assert.ok(cj.length > 0 && cj.every((t) => cjTruth.has(t)), 'CoinJoins marked, all of them real');
  }
  assert.equal(g.edgeLabels, g.edges, 'every edge shows its amount');
  assert.ok(['#0b5cad', '#3a86d4'].includes(g.exchangeColour));
  await shot('03-trace');
  // hop depth and expand on click
  await page.fill('#hop-depth', '2');
  await page.dispatchEvent('#hop-depth', 'input');
  // a node with hidden next hops (a collapsed chain, or a node at the depth limit); the tap is
  // sent from a timer, as a click would be
  const shallow = await page.evaluate(() => {
    const cy = document.querySelector('#trace-graph')._cyreg.cy;
    const vis = cy.nodes().filter((n) => !n.hasClass('hidden'));
    const deep = vis.filter((n) => n.data('hop') > 2).length;
    const target = vis.filter((n) => n.outgoers('node').some((m) => m.hasClass('hidden')) || n.data('kind') === 'chain')[0];
    window.__cwTapped = target ? target.id() : null;
    if (target) setTimeout(() => target.emit('tap'), 10);
    return { before: vis.length, deep, target: !!target };
  });
  assert.ok(shallow.target, 'a node with hidden next hops at depth 2');
  // as soon as its next hops are drawn (10 s at most: the assertion below says what failed)
  await page.waitForFunction((n) => document.querySelector('#trace-graph')._cyreg.cy.nodes().filter((x) => !x.hasClass('hidden')).length > n,
    shallow.before, { timeout: 10000 }).catch(() => {});
  shallow.after = await page.evaluate(() => document.querySelector('#trace-graph')._cyreg.cy.nodes().filter((n) => !n.hasClass('hidden')).length);
  assert.equal(shallow.deep, 0);
  assert.ok(shallow.after > shallow.before, 'clicking a node reveals its next hops');
  // exports
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const lines = readFileSync(await csv.path(), 'utf8').trim().split(/\r\n/);
  assert.match(lines.shift(), /^# TLP:AMBER/, 'the CSV carries its TLP marking first');
  assert.equal(lines[0], 'source,source_label,source_category,target,target_label,target_category,value_sat,value_btc,hop');
  const into = {};
  for (const l of lines.slice(1)) { const c = l.split(','); if (/^exchange/.test(c[5])) into[c[4]] = (into[c[4]] || 0) + Number(c[6]); }
  for (const [ex, want] of Object.entries(truth)) assert.ok(near(into[ex], want), `CSV: ${ex} ${into[ex]} vs ${want}`);
  const [js] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  assert.equal(JSON.parse(readFileSync(await js.path(), 'utf8')).graph.nodes.length, await page.evaluate(() => window.__cwGraph.graph.nodes.length));
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
  const head = readFileSync(await png.path()).subarray(0, 8);
  assert.deepEqual([...head], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});

test('investigate: search answers, or says the route is not available', async () => {
  const addr = heists[0].deposits[0].address;
  await go(`#/investigate?q=${addr}`);
  await page.waitForSelector('#facts .facts-panel, #facts [data-unavailable]');
  const gap = await page.locator('#facts [data-unavailable]').count();
  if (gap) {
    assert.match(await page.textContent('#facts'), /not available/);
    console.log('# note: /api/v1/search is not on this server: the page says so');
  } else {
    assert.match(await page.textContent('#facts'), new RegExp(addr));
  }
  await shot('04-investigate');
  // a trace file opened offline draws the same graph
  await go('#/investigate');
  await page.setInputFiles('#trace-file', path.join(FIX, 'trace.json'));
  await page.waitForSelector('#trace-endpoints');
  const names = await page.locator('#trace-endpoints tbody tr td:first-child').allTextContents();
  for (const ex of Object.keys(heists[0].deposits_by_exchange)) assert.ok(names.includes(ex), ex);
});

test('supply: heat map of commodity x partner and a commodity page with the level explanation', async () => {
  await go('#/supply');
  await page.waitForSelector('#supply-heatmap, #heatmap-box [data-unavailable]');
  if (await page.locator('#heatmap-box [data-unavailable]').count()) {
    console.log('# note: /api/v1/supply/status is not on this server: checking the page with the engine\'s own JSON');
    await shot('05-supply-unavailable');
    await page.setInputFiles('#status-file', path.join(FIX, 'status.json'));
    await page.waitForSelector('#supply-heatmap');
  }
  const cells = page.locator('#supply-heatmap td.lvl');
  assert.equal(await cells.count(), status.assessments.length);
  for (const a of status.assessments.filter((x) => x.commodity === 'graphite')) {
    const td = page.locator(`#supply-heatmap td[data-commodity="graphite"][data-partner="${a.partner}"]`);
    assert.equal(await td.locator('.lvl-name').textContent(), a.level_name ?? 'no data');
    // under the level: the newest observation, and SYNTHETIC / provisional / ended as the
    // engine's document says (these documents are synthetic)
    const mark = await td.locator('small.fresh').textContent();
    const last = [a.data?.price?.last_observation, a.data?.trade?.series_last].filter(Boolean).sort().pop();
    if (last) assert.match(mark, new RegExp(`^to ${last}`), `graphite ${a.partner}: the newest observation`);
    if (a.data?.series_kind === 'synthetic') assert.match(mark, /SYNTHETIC/, `graphite ${a.partner}: marked synthetic`);
    assert.equal(await td.getAttribute('data-provisional'), a.data?.price?.provisional ? '1' : '0');
  }
  await shot('05-supply-heatmap');
  await page.click('#supply-heatmap td[data-commodity="graphite"][data-partner="KOR"] a');
  await page.waitForSelector('section.page[aria-busy="false"] h1:has-text("graphite for KOR")');
  await page.waitForSelector('#explain-box .explain, #explain-box [data-unavailable]');
  if (await page.locator('#explain-box [data-unavailable]').count()) {
    console.log('# note: /api/v1/supply/explain is not on this server: opening the engine\'s explain JSON');
    await page.setInputFiles('#explain-file', path.join(FIX, 'explain.json'));
    await page.waitForSelector('#explain-box .explain');
  }
  const fired = page.locator('#supply-explain table.fired tbody tr');
  assert.equal(await fired.count(), explain.fired.length);
  const dep = page.locator('#supply-explain table.fired tbody tr', { hasText: 's_dep50' });
  assert.equal(await dep.locator('td').nth(3).textContent(), explain.fired.find((f) => f.rule === 's_dep50').value.toLocaleString('en-US', { maximumFractionDigits: 3 }));
  assert.match(await page.textContent('#supply-explain .level-line'), new RegExp(`level ${explain.level}: ${explain.level_name}`));
  await page.waitForSelector('#series-box .chart, #series-box [data-unavailable]');
  await shot('06-commodity');
});

// Minimal CSV (quoted fields with commas) for the synthetic supply files.
function csv(text) {
  const rows = text.trim().split(/\r?\n/).map((l) => [...l.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)].map((m) => m[1].replace(/^"|"$/g, '').replace(/""/g, '"')));
  const head = rows.shift();
  return rows.map((r) => Object.fromEntries(head.map((k, i) => [k, r[i]])));
}

test('supply: the price series chart marks the level changes and the events', async () => {
  const route = `${BASE}/api/v1/supply/series/gallium?partner=JPN`;
  const real = await fetch(route, { headers: { Authorization: `Bearer ${ANALYST}` } });
  const prices = csv(readFileSync(path.join(FIX, 'syn/prices.csv'), 'utf8')).filter((r) => r.series === 'synth_gallium');
  const events = csv(readFileSync(path.join(FIX, 'syn/events.csv'), 'utf8')).filter((r) => r.commodity === 'gallium');
  const changes = JSON.parse(readFileSync(path.join(FIX, 'changes.json'), 'utf8')).changes;
  let mocked = false;
  if (real.status === 404) {
    // No series route yet: answer it in the proposed shape (docs/DASHBOARD.md) from the supply
    // engine's own synthetic files and level changes, to check the chart end to end.
    mocked = true;
    console.log('# note: /api/v1/supply/series is not on this server: served in the proposed shape from the engine\'s data');
    const byPeriod = new Map(prices.map((p) => [p.date.slice(0, 7), Number(p.value)]));
    const doc = {
      partner: 'JPN', price_unit: prices[0].unit,
      price: prices.map((p) => ({ period: p.date.slice(0, 7), value: Number(p.value) })),
      anomalies: changes.filter((c) => byPeriod.has(c.period)).map((c) => ({ period: c.period, value: byPeriod.get(c.period), detector: `${c.from}→${c.to}` })),
      events: events.map((e) => ({ date: e.date_effective.slice(0, 7), title: `${e.event_type} (${e.actor_country})` })),
    };
    await page.route(`${BASE}/api/v1/supply/series/gallium**`, (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(doc) }));
  }
  await go('#/supply/gallium/JPN');
  await page.waitForSelector('#series-chart canvas');
  const opt = await page.evaluate(() => {
    const o = window.echarts.getInstanceByDom(document.querySelector('#series-chart')).getOption();
    const s = o.series[0];
    return { points: s.data.length, marks: s.markPoint.data.length, lines: s.markLine.data.map((d) => d.xAxis),
      names: s.markPoint.data.map((d) => d.name), bands: (s.markArea?.data || []).map((d) => [d[0].xAxis, d[1].xAxis]) };
  });
  if (mocked) {
    assert.equal(opt.points, prices.length);
    assert.equal(opt.marks, changes.length, 'every level change is marked');
    assert.deepEqual(opt.lines, events.map((e) => e.date_effective.slice(0, 7)));
    await page.unroute(`${BASE}/api/v1/supply/series/gallium**`);
  } else {
    assert.ok(opt.points > 0);
    // the standing level is drawn as bands over its runs of caution or above, never as pins
    const doc = await real.json();
    const lv = doc.standing_level || [];
    const runs = [];
    lv.forEach((l, i) => {
      if (l < 2) return;
      const last = runs[runs.length - 1];
      if (last && last.end === i - 1) { last.end = i; last[1] = doc.months[i]; } else runs.push(Object.assign([doc.months[i], doc.months[i]], { end: i }));
    });
    assert.deepEqual(opt.bands, runs.map((r) => [r[0], r[1]]));
    assert.ok(opt.names.every((n) => !/^st_|^s_price_high$/.test(n)), 'no standing rule is an anomaly pin');
  }
  await shot('06b-series');
});

test('acknowledging an alert persists after a reload', async () => {
  await go('#/alerts');
  await page.click('table.alerts a.alert-link:has-text("Sanctioned address active")');
  await page.waitForSelector('#btn-ack:not([disabled])');
  await page.fill('#act-note', 'checked by the e2e test');
  await page.click('#btn-ack');
  const row = page.locator('table.alerts tbody tr', { hasText: 'Sanctioned address active' });
  await row.locator('.status-cell:has-text("acknowledged")').waitFor();
  await page.reload();
  await page.waitForSelector('table.alerts');
  assert.equal(await page.locator('table.alerts tbody tr', { hasText: 'Sanctioned address active' }).locator('.status-cell').textContent(), 'acknowledged');
  const list = await apiGet('alerts?status=acknowledged');
  const a = list.body.alerts.find((x) => x.title === 'Sanctioned address active');
  assert.equal(a.status_by, 'analyst1');
  assert.equal(a.status_note, 'checked by the e2e test');
  await shot('07-acknowledged');
});

test('a server error is shown as a message, not a blank panel', async () => {
  await go('#/alerts?status=new&min_severity=bogus');
  const msg = page.locator('#alert-list .msg.error');
  await msg.waitFor();
  assert.match(await msg.textContent(), /severity/i);
  await page.goto(`${BASE}/#/alerts?id=999999`);
  await page.waitForSelector('#alert-detail .msg');
  assert.match(await page.textContent('#alert-detail'), /no such alert/);
});

test('keyboard: skip link, navigation and opening an alert without a mouse', async () => {
  await go('#/alerts');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  let found = false;
  for (let i = 0; i < 40 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement.classList.contains('alert-link'));
  }
  assert.ok(found, 'an alert is reachable with Tab');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.alert-detail');
  for (let i = 0, on = false; i < 60 && !on; i++) {
    await page.keyboard.press('Shift+Tab');
    on = await page.evaluate(() => document.activeElement.dataset.page === 'supply');
    if (on) { await page.keyboard.press('Enter'); }
  }
  await page.waitForFunction(() => location.hash.startsWith('#/supply'));
});

test('text contrast is at least 4.5:1 (3:1 for large text) on the main pages', async () => {
  const check = () => page.evaluate(() => {
    const rgb = (s) => { const m = s.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m[3] ?? 1 }; };
    const lum = ({ r, g, b }) => { const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
    const bgOf = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.a > 0.5) return c; } return { r: 255, g: 255, b: 255 }; };
    const bad = [];
    for (const el of document.querySelectorAll('body *')) {
      if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
      if (el.closest('canvas, .graph, .chart, .swatch, .skip')) continue;
      if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden' || Number(cs.opacity) === 0) continue;
      const fg = rgb(cs.color), bg = bgOf(el);
      const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const large = parseFloat(cs.fontSize) >= 24 || (parseFloat(cs.fontSize) >= 18.66 && Number(cs.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) bad.push(`${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
    }
    return bad;
  });
  await go('#/alerts');
  await page.click('table.alerts a.alert-link >> nth=0');
  await page.waitForSelector('.alert-detail');
  assert.deepEqual(await check(), []);
  await go('#/partners');
  assert.deepEqual(await check(), []);
});

test('layouts: 1280x800 and a narrow window, without horizontal scrolling', async () => {
  for (const [w, hgt, tag] of [[1280, 800, 'wide'], [390, 844, 'narrow']]) {
    await page.setViewportSize({ width: w, height: hgt });
    await go('#/alerts');
    await page.click('table.alerts a.alert-link >> nth=0');
    await page.waitForSelector('.alert-detail');
    assert.ok(await noHorizontalOverflow(), `alerts at ${w}px`);
    await shot(`08-alerts-${tag}`);
    await go('#/partners');
    assert.ok(await noHorizontalOverflow(), `partners at ${w}px`);
    await shot(`09-partners-${tag}`);
    await go('#/investigate?alert=1');
    await page.waitForSelector('#trace-graph canvas');
    assert.ok(await noHorizontalOverflow(), `trace at ${w}px`);
    await shot(`10-trace-${tag}`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('partners page: this node, and peers/audit or a clear "not available"', async () => {
  await go('#/partners');
  assert.match(await page.textContent('#node-facts'), /USA/);
  for (const id of ['#peers', '#audit']) {
    const txt = await page.textContent(id);
    assert.ok(/not available|Peer|No partner|entries/.test(txt), `${id}: ${txt}`);
  }
});

test('a reader cannot acknowledge (message shown); a revoked key brings back the login prompt', async () => {
  await page.click('#logout');
  await login(READER);
  await page.waitForSelector('#login', { state: 'hidden' });
  await go('#/alerts');
  await page.click(`table.alerts a.alert-link:has-text("${heists[0].name}")`);
  await page.click('#btn-ack');
  const msg = page.locator('#alert-detail .msg.error');
  await msg.waitFor();
  assert.match(await msg.textContent(), /analyst or admin/);
  assert.equal((await apiGet('alerts/1')).body.status, 'new', 'nothing changed');
  execFileSync(env('CW_BIN'), ['keys', 'revoke', 'reader1', '--db', env('CW_DB')]);
  await page.goto(`${BASE}/#/partners`); // same document: the page's next API call gets 401
  await page.locator('#login').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#login-reason'), /no longer accepted/);
  await page.reload(); // the refused key was forgotten: a fresh load asks again
  await page.locator('#login').waitFor({ state: 'visible' });
  await shot('11-revoked');
  assert.deepEqual(notes.filter((n) => n.startsWith('off-loopback')), []);
  assert.deepEqual(notes.filter((n) => n.startsWith('page error')), []);
});
