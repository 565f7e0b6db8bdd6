// Sign in with a personal API key; the server answers with an HttpOnly session cookie.
import { el, clear } from './dom.js';

const form = document.getElementById('login');
const notice = document.getElementById('notice');

// Where to go after signing in: a path on this site only. Browsers drop tabs and newlines
// from URLs and read a backslash as a slash, so "/<TAB>/evil.example/" would leave the site:
// control characters and backslashes are refused outright, and the rest must resolve to this
// origin (issue 11, finding 6).
export function safeNext(next, origin) {
  if (typeof next !== 'string' || !next.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(next)) {
    return '/';
  }
  let url;
  try { url = new URL(next, origin); } catch (_) { return '/'; }
  if (url.origin !== origin || next.startsWith('//')) return '/';
  return url.pathname + url.search + url.hash;
}

function nextPage() {
  return safeNext(new URLSearchParams(location.search).get('next') || '/', location.origin);
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clear(notice);
  const response = await fetch('/api/session', {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ api_key: form.elements.api_key.value.trim() }),
  });
  if (response.ok) { location.assign(nextPage()); return; }
  let message = 'Sign-in failed.';
  try { message = (await response.json()).error.message; } catch (_) { /* keep default */ }
  notice.append(el('p', { class: 'notice error', role: 'alert' }, message));
});
