// Talking to the API from the web UI: session cookie + CSRF header, JSON errors, SSE over POST.

let me = null;

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function toLogin() {
  const next = location.pathname + location.search;
  location.assign('/login?next=' + encodeURIComponent(next));
}

async function errorOf(response) {
  let message = `Request failed (${response.status}).`;
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) message = body.error.message;
  } catch (_) { /* not JSON */ }
  return new ApiError(response.status, message);
}

/** The signed-in user ({name, role, csrf_token}); sends to /login when there is none. */
export async function whoami({ redirect = true } = {}) {
  if (me) return me;
  const response = await fetch('/api/session', { credentials: 'same-origin' });
  if (response.status === 401) {
    if (!redirect) throw await errorOf(response);
    toLogin();
    return new Promise(() => {}); // the page is being replaced by the sign-in page
  }
  if (!response.ok) throw await errorOf(response);
  me = await response.json();
  return me;
}

async function send(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    const user = await whoami();
    headers['X-CSRF-Token'] = user.csrf_token || '';
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) toLogin();
  return response;
}

/** JSON request; throws ApiError with the server's message on a non-2xx answer. */
export async function api(method, path, body) {
  const response = await send(method, path, body);
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return null;
  return response.json();
}

/** POST that answers with Server-Sent Events; calls onEvent(type, data) for each event. */
export async function stream(path, body, onEvent) {
  const response = await send('POST', path, body);
  if (!response.ok) throw await errorOf(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let type = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) type = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) onEvent(type, JSON.parse(data.join('\n')));
    }
  }
}

export async function logout() {
  await api('DELETE', '/api/session');
  me = null;
  location.assign('/login');
}
