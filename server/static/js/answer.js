// Rendering an answer record: text with clickable citation numbers, review badge, references,
// disclaimer and related suggestions. Answer text is only ever set with textContent.
import { el, clear, safeLink } from './dom.js';
import { evidenceNotice } from './evidence.js';
import { markerPattern, markerNumbers } from './markers.js';

const STATUS = {
  pending_review: ['Pending human review', 'pending'],
  approved: ['Approved by a reviewer', 'approved'],
  rejected: ['Rejected by a reviewer', 'rejected'],
};

export function badge(reviewStatus) {
  const [label, kind] = STATUS[reviewStatus] || [String(reviewStatus), 'pending'];
  return el('span', { class: `badge ${kind}`, 'data-status': reviewStatus }, label);
}

/** Text with each [n] turned into a button that calls onCite(n, button). */
export function citedText(tag, text, onCite) {
  const node = el(tag, { class: 'answer-text' });
  let last = 0;
  for (const match of text.matchAll(markerPattern())) {
    node.append(text.slice(last, match.index));
    node.append('[');
    markerNumbers(match[1]).forEach((n, i) => {
      if (i) node.append(', ');
      node.append(el('button', {
        type: 'button', class: 'cite', 'data-n': n,
        'aria-label': `Show source ${n}`, onclick: (e) => onCite(n, e.currentTarget),
      }, String(n)));
    });
    node.append(']');
    last = match.index + match[0].length;
  }
  node.append(text.slice(last));
  return node;
}

let dialog = null;
const articleIds = new Set();

/** Ids of approved articles, so a passage quoted from one links to its page. */
export function knowArticles(ids) {
  for (const id of ids) articleIds.add(id);
}

function sourceLink(citation) {
  if (citation.url) return safeLink(citation.url);
  if (articleIds.has(citation.source_id)) {
    return el('a', { href: `/articles/${encodeURIComponent(citation.source_id)}` }, 'the approved article');
  }
  return el('code', {}, citation.source_id);
}

/** The sources a passage leads to (record.references naming its number). */
function sourcesOf(record, n) {
  return (record && record.references || []).filter((r) => (r.numbers || []).includes(n));
}

/** The passage viewer: a modal dialog (Escape closes it, focus returns to the citation). */
export function showPassage(citation, opener, record = null) {
  if (!dialog) {
    dialog = el('dialog', { class: 'passage', 'aria-labelledby': 'passage-title' });
    document.body.append(dialog);
    dialog.addEventListener('close', () => dialog.opener && dialog.opener.focus());
  }
  dialog.opener = opener;
  clear(dialog).append(
    el('h2', { id: 'passage-title' }, `[${citation.n}] ${citation.title}`),
    citation.citation ? el('p', { class: 'muted' }, citation.citation) : null,
    el('blockquote', { class: 'quote' }, citation.passage),
    el('p', {}, 'Source: ', sourceLink(citation)),
    sourceList(sourcesOf(record, citation.n), 'Rests on'),
    el('form', { method: 'dialog' }, el('button', { class: 'primary' }, 'Close')),
  );
  dialog.showModal();
}

/** One source, named once by its real citation: the answer's numbers that lead to it, its
 * link where the corpus has one, and the approved article it came through. */
function sourceItem(ref) {
  const via = (ref.via || []).map((v, i) => [i ? '; ' : '',
    el('a', { href: `/articles/${encodeURIComponent(v.id)}`, class: 'ref-via-link' }, v.title)]);
  return el('li', { class: 'source-ref', 'data-source-id': ref.source_id },
    el('span', { class: 'ref-numbers' }, `[${(ref.numbers || []).join(', ')}]`), ' ',
    el('span', { class: 'ref-citation' }, ref.citation), ' ',
    ref.url ? safeLink(ref.url, 'link') : null,
    via.length ? el('span', { class: 'ref-via muted small' }, ' — through the approved article ', ...via.flat()) : null);
}

function sourceList(refs, heading) {
  if (!refs.length) return null;
  return el('div', { class: 'passage-sources' }, el('p', { class: 'small' }, `${heading}:`),
    el('ul', { class: 'source-refs' }, refs.map(sourceItem)));
}

function references(record) {
  if (!record.citations.length) return null;
  const refs = record.references || [];
  if (refs.length) {
    return el('details', { class: 'refs', open: true },
      el('summary', {}, `References (${refs.length})`),
      el('ul', { class: 'source-refs' }, refs.map(sourceItem)));
  }
  return el('details', { class: 'refs' },
    el('summary', {}, `References (${record.citations.length})`),
    el('ol', {}, record.citations.map((c) => el('li', { value: c.n },
      c.citation || c.title, ' ', c.url ? safeLink(c.url, 'source') : null))));
}

/** Related questions: from the answer (when the generator suggests some), else `fallback`. */
export function suggestions(record, fallback, onPick) {
  const list = [record.related_questions, record.suggestions, fallback].find((l) => Array.isArray(l) && l.length) || [];
  if (!list.length) return null;
  return el('div', { class: 'suggestions' },
    el('h3', {}, 'Related questions'),
    el('ul', {}, list.slice(0, 5).map((q) => el('li', {},
      el('button', { type: 'button', class: 'link', onclick: () => onPick(String(q)) }, String(q))))));
}

/** Coverage of the question by the sources and how it was read (typo corrections). */
export function coverageNote(record) {
  const parts = [`Coverage: ${record.coverage || 'full'}`];
  if (record.uncovered && record.uncovered.length) parts.push(`not addressed by the approved sources: ${record.uncovered.join('; ')}`);
  if (record.corrections && record.corrections.length) parts.push(`read as: ${record.corrections.join(', ')}`);
  return el('p', { class: `coverage small coverage-${record.coverage || 'full'}` }, parts.join(' — '));
}

/** One answer as an <article>: status, text, references, disclaimer, suggestions. */
export function answerCard(record, { fallback = [], onPick = null } = {}) {
  const byN = new Map(record.citations.map((c) => [c.n, c]));
  const onCite = (n, button) => { const c = byN.get(n); if (c) showPassage(c, button, record); };
  return el('article', { class: 'answer', 'data-answer-id': record.id, 'aria-label': 'Answer' },
    el('div', { class: 'answer-head' }, badge(record.review_status),
      record.refused ? el('span', { class: 'badge refused' }, 'Not covered by approved sources') : null,
      record.audience === 'patient' ? el('span', { class: 'badge audience' }, 'For patients and carers') : null),
    evidenceNotice(record),
    citedText('p', record.answer, onCite),
    coverageNote(record),
    references(record),
    el('p', { class: 'disclaimer small' }, record.disclaimer),
    el('p', { class: 'muted small' }, `Answer ${record.id}`),
    onPick ? suggestions(record, fallback, onPick) : null);
}
