// ui.js: small DOM helpers shared by the pages: element builder (text only, never innerHTML
// with data), messages, TLP and severity badges, amount formatting, downloads.
import { AuthError, Unavailable } from './api.js';

export function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === undefined || kid === null || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

// A message in the global area (kind: info, error, warn, ok); errors stay until closed.
export function flash(text, kind = 'info') {
  const box = document.getElementById('messages');
  const close = h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss message' }, '×');
  const m = h('div', { class: `msg ${kind}`, role: kind === 'error' ? 'alert' : null }, h('span', {}, text), close);
  close.addEventListener('click', () => m.remove());
  box.append(m);
  if (kind !== 'error') setTimeout(() => m.remove(), 6000);
  return m;
}

// What a panel shows when loading failed: the login prompt is handled by the app; a missing
// route says so; anything else is a message with the server's words.
export function errorPanel(err, what) {
  if (err instanceof AuthError) {
    document.dispatchEvent(new CustomEvent('cw-auth', { detail: err.message }));
    return h('p', { class: 'msg warn' }, 'Log in to see this.');
  }
  if (err instanceof Unavailable) {
    return h('div', { class: 'msg unavailable', 'data-unavailable': err.route },
      h('strong', {}, `${what}: not available. `),
      `This server does not offer ${err.route} yet.`);
  }
  return h('div', { class: 'msg error', role: 'alert' }, h('strong', {}, `${what}: `), err.message || String(err));
}

const TLP = { clear: 'TLP:CLEAR', green: 'TLP:GREEN', amber: 'TLP:AMBER', 'amber+strict': 'TLP:AMBER+STRICT', red: 'TLP:RED' };
export function tlpBadge(tlp) {
  const t = String(tlp || '').toLowerCase();
  return h('span', { class: `badge tlp tlp-${t.replace('+', '-')}`, title: `Traffic Light Protocol 2.0: ${TLP[t] || t}` }, TLP[t] || t);
}
export function sevBadge(sev) {
  return h('span', { class: `badge sev sev-${sev}` }, sev);
}
export function statusBadge(st) {
  return h('span', { class: `badge status st-${st}` }, st);
}

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];
export const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'];

// Satoshis to BTC with 8 decimals, grouped; numbers that are not integers are shown as given.
export function btc(sat) {
  if (sat === null || sat === undefined || sat === '') return '';
  const n = Number(sat);
  if (!Number.isFinite(n)) return String(sat);
  const neg = n < 0, a = Math.abs(Math.round(n));
  const whole = Math.floor(a / 1e8), frac = String(a % 1e8).padStart(8, '0');
  return `${neg ? '-' : ''}${whole.toLocaleString('en-US')}.${frac} BTC`;
}
export function num(v, digits = 3) {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toLocaleString('en-US', { maximumFractionDigits: digits });
}
export function pct(v) {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)} %`;
}
export function when(iso) {
  if (!iso) return '';
  return String(iso).replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
export function short(s, n = 12) {
  s = String(s ?? '');
  return s.length > n + 3 ? `${s.slice(0, n / 2 + 2)}…${s.slice(-n / 2)}` : s;
}

export function download(name, blob) {
  const a = h('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}
export function csvCell(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
export function toCsv(rows, cols) {
  return [cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
}

// Reads a JSON file chosen by the user.
export function readJsonFile(file) {
  return file.text().then((t) => JSON.parse(t));
}

// A table from rows and column specs [{key, label, render?}] with a caption.
export function table(caption, cols, rows, attrs = {}) {
  return h('table', attrs,
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c.label)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, cols.map((c) => h('td', {}, c.render ? c.render(r) : (r[c.key] ?? '—')))))));
}

// Loads vendor/<file> once (a classic script defining a global); resolves to the global, or
// rejects when the file is missing (web-build.sh not run).
const LIBS = { cytoscape: ['cytoscape.min.js', () => window.cytoscape], echarts: ['echarts.min.js', () => window.echarts] };
const loading = new Map();
export function loadLib(name) {
  const [file, get] = LIBS[name];
  if (get()) return Promise.resolve(get());
  if (!loading.has(name)) {
    loading.set(name, new Promise((resolve, reject) => {
      const s = h('script', { src: `vendor/${file}` });
      s.addEventListener('load', () => (get() ? resolve(get()) : reject(new Error(`${name} did not load`))));
      s.addEventListener('error', () => { loading.delete(name); reject(new Error(`vendor/${file} is missing`)); });
      document.head.append(s);
    }));
  }
  return loading.get(name);
}

export function libMissing(name) {
  return h('div', { class: 'msg error', role: 'alert' },
    `${name} is not installed on this server: run scripts/web-build.sh (it copies the npm packages into web/vendor/).`);
}
