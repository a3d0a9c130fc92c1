// supply_fresh.test.mjs: the supply page's freshness marks (web/js/pages/supply.js: freshness,
// freshnessText, freshMark), checked without a browser (node --test) on the engine's own
// documents, written by tests/cli/supply_web_fresh.sh: `supply status --json` on real KOMIS
// manganese (daily, stops on 2026-04-10: 7 observations in April, a partial month) and
// dailymetalprice cobalt (ends on 2025-10-31, a complete month), and on a synthetic database
// (`supply synth`). Each heat-map cell says its newest observation, "provisional" when that
// month is partial, "ended" when every series ended in the loaded files, and SYNTHETIC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { freshness, freshnessText, freshMark } from '../../web/js/pages/supply.js';

const load = (v) => (process.env[v] ? JSON.parse(readFileSync(process.env[v], 'utf8')) : null);
const real = load('CW_SUPPLY_STATUS_REAL');
const synth = load('CW_SUPPLY_STATUS_SYNTH');
const cell = (doc, c, p) => doc.assessments.find((a) => a.commodity === c && a.partner === p);

test('a partial last month is provisional; an ended series says so', { skip: !real && 'no real status document' }, () => {
  const mn = cell(real, 'manganese', 'KOR');
  const f = freshness(mn);
  assert.equal(f.length, 1);
  assert.deepEqual({ what: f[0].what, last: f[0].last, month: f[0].month, provisional: f[0].provisional, observations: f[0].observations, ended: f[0].ended, synthetic: f[0].synthetic },
    { what: 'price', last: '2026-04-10', month: '2026-04', provisional: true, observations: 7, ended: mn.data.price.ended, synthetic: false });
  assert.equal(mn.data.price.provisional, true, 'the engine marks manganese 2026-04 provisional');
  const mark = freshMark(f);
  assert.match(mark, /^to 2026-04-10 · provisional/);
  assert.equal(/SYNTHETIC/.test(mark), false, 'real data are not marked synthetic');
  assert.match(freshnessText(f), /^price to 2026-04-10 \(komis_manganese\); 2026-04 PROVISIONAL \(7 observations, a month usually has \d+\): its level may change/);
  if (mn.data.price.ended) assert.match(mark, /· ended$/);
  // cobalt's last month ends on 2025-10-31: complete, not provisional; ended months before today
  const co = freshness(cell(real, 'cobalt', 'USA'));
  assert.equal(co[0].last, '2025-10-31');
  assert.equal(co[0].provisional, false);
  assert.equal(/provisional/.test(freshMark(co)), false);
  assert.equal(co[0].ended, true);
  assert.match(freshnessText(co), /ENDED in the loaded files, \d+ months before today: no later month can warn/);
  // a cell without any series has no mark
  assert.equal(freshMark(freshness(cell(real, 'antimony', 'USA'))), '');
});

test('synthetic series are marked SYNTHETIC in every cell that rests on them', { skip: !synth && 'no synthetic status document' }, () => {
  const withData = synth.assessments.filter((a) => a.data?.series_kind);
  assert.ok(withData.length > 0);
  for (const a of withData) {
    const f = freshness(a);
    assert.ok(f.length > 0, `${a.commodity} ${a.partner}: its series`);
    assert.ok(f.every((x) => x.synthetic), `${a.commodity} ${a.partner}: synthetic`);
    assert.match(freshMark(f), /SYNTHETIC/);
    assert.match(freshnessText(f), /^SYNTHETIC /);
  }
});
