// DOM helpers. Every piece of text from the server goes in through textContent, never innerHTML.

/** el('p', {class: 'x'}, 'text', child) -> element; strings become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

/** A link only for http(s) addresses; anything else is shown as plain text. */
export function safeLink(url, label) {
  if (typeof url === 'string' && /^https?:\/\//i.test(url)) {
    return el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, label || url);
  }
  return el('span', {}, label || '');
}

export function status(node, message, kind = 'info') {
  clear(node);
  if (message) node.append(el('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message));
}

export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

// A question one of our pages hands to the chat to ask at once. It travels in this tab's
// sessionStorage, which another site cannot write: a link to /chat?ask=... from elsewhere
// only fills the box, and the clinician decides whether to send it.
const HANDOFF_KEY = 'followup.ask';
export function askInChat(conversationId, question) {
  sessionStorage.setItem(HANDOFF_KEY, question);
  location.assign(`/chat?c=${encodeURIComponent(conversationId)}`);
}
/** The handed-over question (taken once), or null. */
export function takeHandOff() {
  const question = sessionStorage.getItem(HANDOFF_KEY);
  sessionStorage.removeItem(HANDOFF_KEY);
  return question;
}

const AUDIENCE_KEY = 'followup.audience';
export function audience() {
  return localStorage.getItem(AUDIENCE_KEY) === 'patient' ? 'patient' : 'clinician';
}
export function setAudience(value) {
  localStorage.setItem(AUDIENCE_KEY, value === 'patient' ? 'patient' : 'clinician');
}

/** The page's look for the stored audience: `data-audience` on <body> shows the disclaimer
 * bar written for it (.for-clinician / .for-patient). */
export function showAudience() {
  document.body.dataset.audience = audience();
}

/** Wire a radio group named `name` to the stored audience. */
export function bindAudience(form, name = 'audience') {
  for (const input of form.querySelectorAll(`input[name="${name}"]`)) {
    input.checked = input.value === audience();
    input.addEventListener('change', () => {
      if (input.checked) { setAudience(input.value); showAudience(); }
    });
  }
  showAudience();
}
