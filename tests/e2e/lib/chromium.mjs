// chromium.mjs: Debian's chromium for the dashboard's e2e tests (playwright-core), logged in on
// the Investigate page with an API key: {ctx, page, errors (page errors collected), close()}.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export async function openDashboard({ base, key, executablePath }) {
  const profile = mkdtempSync(path.join(tmpdir(), 'cw-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/#/investigate`);
  await page.fill('#login-key', key);
  await page.click('#login-submit');
  await page.waitForFunction(() => document.querySelector('section.page')?.getAttribute('aria-busy') === 'false');
  return { ctx, page, errors, close: async () => { await ctx.close(); rmSync(profile, { recursive: true, force: true }); } };
}
