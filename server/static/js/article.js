// An approved article rendered like a published page. The follow-up box sits beside it (sticky)
// on a wide screen and pinned to the foot of the screen on a phone: never below the article.
import { api } from './api.js';
import { el, clear, status, safeLink, audience, bindAudience, askInChat } from './dom.js';
import { shell } from './shell.js';
import { markerPattern, markerNumbers } from './markers.js';

const main = document.getElementById('article');
const aside = document.getElementById('follow-up-aside');
const notice = document.getElementById('notice');
const articleId = decodeURIComponent(location.pathname.split('/').pop());

/** Inline text: [n] markers become links to the numbered reference; **bold** becomes <strong>. */
function inline(text) {
  const out = [];
  let last = 0;
  for (const match of text.matchAll(markerPattern())) {
    out.push(...bold(text.slice(last, match.index)));
    const nums = markerNumbers(match[1]);
    out.push(el('sup', { class: 'ref' }, ...nums.flatMap((n, i) => [
      i ? ', ' : '', el('a', { href: `#ref-${n}`, 'aria-label': `reference ${n}` }, String(n))])));
    last = match.index + match[0].length;
  }
  out.push(...bold(text.slice(last)));
  return out;
}

function bold(text) {
  return text.split(/\*\*(.+?)\*\*/g).map((part, i) => (i % 2 ? el('strong', {}, part) : part));
}

/** A small Markdown subset (headings, bullet and numbered lists, paragraphs) built as DOM. */
function markdown(body) {
  const out = [];
  let list = null;
  for (const raw of body.split('\n')) {
    const line = raw.trim();
    let m;
    if (!line) { list = null; continue; }
    if ((m = line.match(/^(#{2,4})\s+(.*)$/))) {
      list = null;
      out.push(el(`h${m[1].length}`, {}, ...inline(m[2])));
    } else if ((m = line.match(/^(?:[-*]|(\d+)\.)\s+(.*)$/))) {
      const tag = m[1] ? 'ol' : 'ul';
      if (!list || list.tagName.toLowerCase() !== tag) { list = el(tag); out.push(list); }
      list.append(el('li', {}, ...inline(m[2])));
    } else {
      list = null;
      out.push(el('p', {}, ...inline(line)));
    }
  }
  return out;
}

function steps(current) {
  const names = [['submitted', 'Submitted'], ['under_review', 'Under review'], ['approved', 'Approved']];
  return el('div', { class: 'review-steps' }, el('span', { class: 'muted' }, 'Article review status'),
    el('ol', {}, names.map(([key, label]) => el('li', {
      class: key === current ? 'current' : '', 'aria-current': key === current ? 'step' : false,
    }, label))));
}

/** Who approved the article and when, where that is recorded. */
function approvalLine(approval) {
  if (!approval) return null;
  const when = (approval.approved_at || '').slice(0, 10);
  const text = approval.approved_by
    ? `Approved by ${approval.approved_by}${when ? ` on ${when}` : ''}`
    : `Approved in the corpus${when ? ` (last updated ${when})` : ''}; the approver is not recorded`;
  return el('p', { class: 'approval small', id: 'approval' }, text);
}

function followUpBox(article) {
  const box = el('textarea', { id: 'follow-up', name: 'question', rows: 2, required: true,
    placeholder: 'Ask a follow-up question about this article' });
  const form = el('form', { class: 'follow-up', 'aria-labelledby': 'follow-up-title' },
    el('h2', { id: 'follow-up-title' }, 'Have a follow-up question?'),
    el('label', { for: 'follow-up' }, 'Your follow-up question'),
    el('div', { class: 'ask-row' }, box, el('button', { type: 'submit', class: 'primary' }, 'Ask')));
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  const start = async (question) => {
    if (!question.trim()) { box.focus(); return; }
    try {
      const conv = await api('POST', '/api/conversations', { article_id: article.id, audience: audience() });
      askInChat(conv.id, question);
    } catch (err) { status(notice, err.message, 'error'); }
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); start(box.value); });
  return { form, start };
}

function render(article) {
  document.title = `${article.title} · Followup`;
  const { form, start } = followUpBox(article);
  clear(main).append(
    article.question ? el('p', { class: 'lede' }, article.question) : null,
    el('p', { class: 'notice pending small' }, 'Educational purpose only. Check every answer against the cited sources.'),
    steps(article.status),
    approvalLine(article.approval),
    el('p', { class: 'muted' }, `Last updated: ${article.last_updated || 'unknown'}`),
    el('h1', {}, article.title),
    el('section', { class: 'article-body', 'aria-label': 'Article' }, markdown(article.body)),
    el('section', { 'aria-labelledby': 'refs-title' }, el('h2', { id: 'refs-title' }, 'References'),
      el('ol', { class: 'references' }, article.references.map((r) => el('li', { id: `ref-${r.n}` },
        r.citation, ' ', r.url ? safeLink(r.url, 'View source') : null)))),
    article.related_questions.length ? el('section', { 'aria-labelledby': 'related-title' },
      el('h2', { id: 'related-title' }, 'Related questions'),
      el('ul', { class: 'related' }, article.related_questions.map((q) => el('li', {},
        el('button', { type: 'button', class: 'link', onclick: () => start(q) }, q))))) : null,
    el('section', { class: 'disclaimer', 'aria-labelledby': 'disclaimer-title' },
      el('h2', { id: 'disclaimer-title' }, 'Professional medical disclaimer'),
      el('p', { id: 'article-disclaimer' }, article.disclaimer)));
  clear(aside).append(form);
}

bindAudience(document.getElementById('personalize'));
await shell();
try {
  render(await api('GET', `/api/articles/${encodeURIComponent(articleId)}`));
} catch (err) {
  status(notice, err.message, 'error');
}
