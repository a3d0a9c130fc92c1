// api.js: the JSON API client. Every call carries the API key as a Bearer token. Errors come
// back as typed exceptions so that pages can show a login prompt (AuthError), a "not
// available on this server" note (Unavailable: the route does not exist yet) or a message
// (ApiError), never a blank panel.

const KEY_NAME = 'chainwatch.key';

export class AuthError extends Error {}
export class Unavailable extends Error {
  constructor(route) { super(`${route} is not available on this server`); this.route = route; }
}
export class ApiError extends Error {
  constructor(status, title, description) {
    super(description || title || `HTTP ${status}`);
    this.status = status; this.title = title;
  }
}

export function getKey() {
  return sessionStorage.getItem(KEY_NAME) || localStorage.getItem(KEY_NAME) || '';
}
export function setKey(key, remember) {
  sessionStorage.setItem(KEY_NAME, key);
  if (remember) localStorage.setItem(KEY_NAME, key); else localStorage.removeItem(KEY_NAME);
}
export function clearKey() {
  sessionStorage.removeItem(KEY_NAME);
  localStorage.removeItem(KEY_NAME);
}

// A route the server does not know answers 404 with "no such resource" (an unknown
// resource) rather than "no such alert" (a known resource, missing id).
function isUnknownRoute(status, body) {
  return status === 404 && body && /no such resource|bad path/i.test(body.description || '');
}

export async function api(path, { method = 'GET', body, key } = {}) {
  const k = key ?? getKey();
  if (!k) throw new AuthError('no API key');
  const headers = { Authorization: `Bearer ${k}`, Accept: 'application/json' };
  let payload;
  if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  let res;
  try {
    res = await fetch(`/api/v1/${path}`, { method, headers, body: payload, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'Network error', `cannot reach the chainwatch server (${e.message})`);
  }
  let data = null;
  const text = await res.text();
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (res.status === 401) throw new AuthError((data && data.description) || 'unauthorized');
  if (isUnknownRoute(res.status, data)) throw new Unavailable(`/api/v1/${path.split('?')[0]}`);
  if (!res.ok) {
    throw new ApiError(res.status, data && data.title, (data && data.description) || text.slice(0, 200) || res.statusText);
  }
  if (data === null) throw new ApiError(res.status, 'Bad response', 'the server answered with something that is not JSON');
  return data;
}

// Only for a path segment (ids, addresses, names).
export const seg = (s) => encodeURIComponent(String(s));

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
