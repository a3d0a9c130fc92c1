// app.js: the dashboard shell: login with an API key (checked against /api/v1/node), hash
// routing (#/alerts, #/case/NAME, #/investigate, #/tx/TXID, #/block/HEIGHT, #/supply,
// #/supply/COMMODITY/PARTNER, #/partners), and the
// page modules. A missing or refused key opens the login dialog instead of a broken page.
import { api, getKey, setKey, clearKey, AuthError } from './api.js';
import { h, clear, flash, errorPanel } from './ui.js';
import * as alerts from './pages/alerts.js';
import * as investigate from './pages/investigate.js';
import * as supply from './pages/supply.js';
import * as partners from './pages/partners.js';
import * as kase from './pages/case.js';
import * as chain from './pages/chain.js';

const pages = { alerts, investigate, supply, partners, case: kase, tx: chain, block: chain };
const ctx = { node: null, who: null };
let renderSeq = 0;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const page = pages[parts[0]] ? parts[0] : 'alerts';
  return { page, args: parts.slice(1), params: new URLSearchParams(qs || '') };
}

async function route() {
  const main = document.getElementById('main');
  const { page, args, params } = parseHash();
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  if (!ctx.node) return; // not logged in yet: the dialog is open
  const seq = ++renderSeq;
  clear(main);
  const view = h('section', { class: `page page-${page}`, 'aria-busy': 'true', dataset: { route: location.hash } });
  main.append(view);
  document.title = `chainwatch: ${page}`;
  try {
    await pages[page].render(view, { page, args, params, ctx, isCurrent: () => seq === renderSeq });
  } catch (e) {
    view.append(errorPanel(e, page));
  } finally {
    view.setAttribute('aria-busy', 'false');
  }
}

function showLogin(reason) {
  const dlg = document.getElementById('login');
  const why = document.getElementById('login-reason');
  ctx.node = null;
  if (reason) { why.textContent = reason; why.hidden = false; } else { why.hidden = true; }
  document.getElementById('logout').hidden = true;
  document.getElementById('who').textContent = '';
  document.getElementById('node-name').textContent = '';
  clear(document.getElementById('main')).append(
    h('p', { class: 'msg warn' }, 'Log in with an API key to use the dashboard.'));
  if (!dlg.open) dlg.showModal();
  document.getElementById('login-key').focus();
}

async function tryKey(key) {
  const node = await api('node', { key });
  ctx.node = node;
  document.getElementById('node-name').textContent = `· node ${node.name || ''}${node.org && node.org !== node.name ? ` (${node.org})` : ''}`;
  document.getElementById('logout').hidden = false;
  return node;
}

async function start() {
  const form = document.getElementById('login-form');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const key = document.getElementById('login-key').value.trim();
    const remember = document.getElementById('login-remember').checked;
    const btn = document.getElementById('login-submit');
    btn.disabled = true;
    try {
      await tryKey(key);
      setKey(key, remember);
      document.getElementById('login-key').value = '';
      document.getElementById('login').close();
      route();
    } catch (e) {
      if (e instanceof AuthError) showLogin('That key was refused (unknown, revoked or mistyped).');
      else showLogin(`Cannot log in: ${e.message}`);
    } finally {
      btn.disabled = false;
    }
  });
  // Escape must not leave an unusable page behind the dialog.
  document.getElementById('login').addEventListener('cancel', (ev) => { if (!ctx.node) ev.preventDefault(); });
  document.getElementById('logout').addEventListener('click', () => { clearKey(); showLogin('Logged out.'); });
  document.addEventListener('cw-auth', (ev) => { clearKey(); showLogin(`Your key is no longer accepted (${ev.detail}).`); });
  window.addEventListener('hashchange', () => { route(); document.getElementById('main').focus({ preventScroll: true }); });
  if (!location.hash) history.replaceState(null, '', '#/alerts');
  const key = getKey();
  if (!key) { showLogin(); return; }
  try {
    await tryKey(key);
    route();
  } catch (e) {
    if (e instanceof AuthError) { clearKey(); showLogin('Your saved key was refused.'); } else {
      showLogin();
      flash(`Cannot reach the node: ${e.message}`, 'error');
    }
  }
}

start();
