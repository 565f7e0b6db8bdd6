// Clinician chat: streamed answers, citations that open their passage, status on every answer.
// The newest turn is scrolled to the top of the view and its answer appears sentence by
// sentence as the server sends it; the final record then replaces the streamed text. Errors
// about a question are shown beside the question box, where the clinician is looking.
import { api, stream } from './api.js';
import { el, clear, status, param, audience, bindAudience, takeHandOff } from './dom.js';
import { answerCard, citedText, knowArticles } from './answer.js';
import { shell } from './shell.js';

const log = document.getElementById('log');
const form = document.getElementById('ask');
const box = document.getElementById('question');
const askError = document.getElementById('ask-error');
const notice = document.getElementById('notice');
const anchor = document.getElementById('anchor');
const sendButton = form.querySelector('button[type="submit"]');
const calm = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
// Sentences that arrive together are revealed this far apart, so the answer is seen to build.
const PACE_MS = calm ? 0 : 140;
let conversation = param('c');
let related = [];
let busy = false;

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function toView(node) {
  node.scrollIntoView({ block: 'start', behavior: calm ? 'auto' : 'smooth' });
}

function turn(question) {
  const item = el('li', { class: 'turn' }, el('p', { class: 'question' },
    el('span', { class: 'visually-hidden' }, 'You asked: '), question));
  log.append(item);
  return item;
}

function show(item, record, revised = false) {
  const old = item.querySelector('.answer, .pending-answer');
  if (old) old.remove();
  const card = answerCard(record, { fallback: related, onPick: ask });
  if (revised) {
    card.querySelector('.answer-head').append(el('span', { class: 'muted small revised' },
      'Revised after verification: the text below is the checked answer.'));
  }
  item.append(card);
}

/** Error about the question, shown above the question box (sticky, so always on screen);
 * the question stays in the box. */
function askFailed(message) {
  status(askError, message, 'error');
  box.setAttribute('aria-invalid', 'true');
}

function clearAskError() {
  clear(askError);
  box.removeAttribute('aria-invalid');
}

async function ensureConversation() {
  if (conversation) return conversation;
  const created = await api('POST', '/api/conversations', { audience: audience() });
  conversation = created.id;
  history.replaceState(null, '', `/chat?c=${encodeURIComponent(conversation)}`);
  return conversation;
}

/** Streamed sentences, appended one at a time; `then(fn)` runs fn after those queued so far. */
function streamedText(pending) {
  const text = el('p', { class: 'answer-text streaming' });
  let started = false;
  let chain = Promise.resolve();
  return {
    add(piece) {
      chain = chain.then(async () => {
        if (!started) { started = true; clear(pending).append(text); }
        text.append(el('span', { class: 'piece' }, ...citedText('span', piece, () => {}).childNodes));
        await sleep(PACE_MS);
      });
    },
    then(fn) { chain = chain.then(fn); return chain; },
  };
}

async function ask(question) {
  question = question.trim();
  if (!question || busy) return;
  busy = true;
  sendButton.disabled = true;
  clearAskError();
  status(notice, '');
  const item = turn(question);
  const pending = el('div', { class: 'pending-answer', 'aria-busy': 'true' },
    el('p', { class: 'muted' }, 'Searching the approved sources…'));
  item.append(pending);
  toView(item);
  const streamed = streamedText(pending);
  let answered = false;
  let failure = null;
  try {
    const id = await ensureConversation();
    await stream(`/api/conversations/${encodeURIComponent(id)}/stream`,
      { question, audience: audience() }, (type, data) => {
        if (type === 'sources') {
          clear(pending).append(el('p', { class: 'muted' },
            `Found ${data.hits.length} passages; checking the answer against them…`));
        } else if (type === 'delta') {
          streamed.add(data.text);
        } else if (type === 'final') {
          answered = true;
          streamed.then(() => { show(item, data.record, data.revised); item.classList.add('answered'); });
        } else if (type === 'error') {
          failure = data.error.message;
        }
      });
    await streamed.then(() => {});
    if (!answered && !failure) failure = 'The answer was interrupted; ask again.';
  } catch (err) {
    failure = err.message;
  }
  if (failure) {
    item.remove(); // nothing was stored for it: the question goes back to the box
    box.value = question;
    askFailed(failure);
  } else {
    box.value = '';
    toView(item);
  }
  busy = false;
  sendButton.disabled = false;
  box.focus({ preventScroll: true });
}

async function loadArticle(articleId) {
  try {
    const article = await api('GET', `/api/articles/${encodeURIComponent(articleId)}`);
    related = article.related_questions;
    clear(anchor).append('Follow-up to: ',
      el('a', { href: `/articles/${encodeURIComponent(article.id)}` }, article.title));
  } catch (_) { /* the chat still works without its article header */ }
}

async function loadHistory() {
  if (!conversation) return;
  try {
    const data = await api('GET', `/api/conversations/${encodeURIComponent(conversation)}`);
    if (data.anchor_article_id) await loadArticle(data.anchor_article_id);
    for (const record of data.answers) show(turn(record.question), record);
    if (log.lastElementChild) toView(log.lastElementChild);
  } catch (err) {
    status(notice, err.message, 'error');
    conversation = null;
  }
}

form.addEventListener('submit', (event) => { event.preventDefault(); ask(box.value); });
box.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); ask(box.value); }
});
box.addEventListener('input', clearAskError);
bindAudience(document.getElementById('language'));
document.getElementById('new-chat').addEventListener('click', () => {
  conversation = null; related = []; clear(log); clear(anchor); clearAskError();
  history.replaceState(null, '', '/chat'); box.focus();
});

await shell();
api('GET', '/api/articles').then((list) => knowArticles(list.map((a) => a.id))).catch(() => {});
await loadHistory();
const handed = takeHandOff();
const linked = param('ask');
if (linked) history.replaceState(null, '', conversation ? `/chat?c=${encodeURIComponent(conversation)}` : '/chat');
if (handed) {
  await ask(handed);
} else if (linked) {
  // From a link (possibly another site's): prefill only, never send on the user's behalf.
  box.value = linked;
  status(notice, 'A link filled in this question. Read it, then press Send to ask it.');
  box.focus();
}
