// Clinician chat: streamed answers, citations that open their passage, status on every answer.
import { api, stream } from './api.js';
import { el, clear, status, param, audience, bindAudience, takeHandOff } from './dom.js';
import { answerCard, citedText, knowArticles } from './answer.js';
import { shell } from './shell.js';

const log = document.getElementById('log');
const form = document.getElementById('ask');
const box = document.getElementById('question');
const notice = document.getElementById('notice');
const anchor = document.getElementById('anchor');
let conversation = param('c');
let related = [];
let busy = false;

function turn(question) {
  const item = el('li', { class: 'turn' }, el('p', { class: 'question' },
    el('span', { class: 'visually-hidden' }, 'You asked: '), question));
  log.append(item);
  return item;
}

function show(item, record) {
  const old = item.querySelector('.answer, .pending-answer');
  if (old) old.remove();
  item.append(answerCard(record, { fallback: related, onPick: ask }));
}

async function ensureConversation() {
  if (conversation) return conversation;
  const created = await api('POST', '/api/conversations', { audience: audience() });
  conversation = created.id;
  history.replaceState(null, '', `/chat?c=${encodeURIComponent(conversation)}`);
  return conversation;
}

async function ask(question) {
  question = question.trim();
  if (!question || busy) return;
  busy = true;
  form.querySelector('button[type="submit"]').disabled = true;
  status(notice, '');
  const item = turn(question);
  const pending = el('div', { class: 'pending-answer', 'aria-busy': 'true' },
    el('p', { class: 'muted' }, 'Searching the approved sources…'));
  item.append(pending);
  let text = '';
  try {
    const id = await ensureConversation();
    await stream(`/api/conversations/${encodeURIComponent(id)}/stream`,
      { question, audience: audience() }, (type, data) => {
        if (type === 'sources') {
          clear(pending).append(el('p', { class: 'muted' },
            `Found ${data.hits.length} passages; writing the answer…`));
        } else if (type === 'delta') {
          text += data.text;
          clear(pending).append(citedText('p', text, () => {}));
        } else if (type === 'final') {
          show(item, data.record);
        } else if (type === 'error') {
          pending.remove();
          status(notice, data.error.message, 'error');
        }
      });
    box.value = '';
  } catch (err) {
    pending.remove();
    status(notice, err.message, 'error');
  } finally {
    busy = false;
    form.querySelector('button[type="submit"]').disabled = false;
    box.focus();
  }
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
  } catch (err) {
    status(notice, err.message, 'error');
    conversation = null;
  }
}

form.addEventListener('submit', (event) => { event.preventDefault(); ask(box.value); });
box.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); ask(box.value); }
});
bindAudience(document.getElementById('language'));
document.getElementById('new-chat').addEventListener('click', () => {
  conversation = null; related = []; clear(log); clear(anchor);
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
