// Sign in with a personal API key; the server answers with an HttpOnly session cookie.
import { el, clear } from './dom.js';

const form = document.getElementById('login');
const notice = document.getElementById('notice');

function nextPage() {
  const next = new URLSearchParams(location.search).get('next') || '/';
  // Only same-site paths: never an absolute or protocol-relative address.
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
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
