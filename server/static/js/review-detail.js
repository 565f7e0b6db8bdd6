// One answer under review: the text beside its sources (as links), findings in plain words by
// sentence, the decision (only while the answer is not final, errors beside the buttons), and
// every version in full with the words each edit changed.
import { api } from './api.js';
import { el, clear, status, safeLink } from './dom.js';
import { badge, citedText, coverageNote } from './answer.js';
import { wordDiff } from './diff.js';

const DECISIONS = ['approve', 'reject', 'edit'];

function latest(detail) {
  const versions = detail.versions || [];
  return versions[versions.length - 1] || null;
}

function currentText(detail) {
  const version = latest(detail);
  return version ? version.text : detail.record.answer;
}

// The version shown, sent with every decision: the server refuses (409) a decision on a
// version that is no longer the current one, so nobody signs a text they did not see.
function shownVersion(detail) {
  const version = latest(detail);
  return version ? { version: version.version, sha256: version.sha256 } : {};
}

function sourceLinks(source) {
  const links = [];
  if (source.url) links.push(safeLink(source.url, 'Open the source'));
  if (source.article) links.push(el('a', { href: source.article }, 'Open the approved article'));
  return links.length ? el('p', { class: 'links small' }, ...links.flatMap((l, i) => (i ? [' · ', l] : [l])))
    : el('p', { class: 'muted small' }, 'No web address in the corpus for this source.');
}

function passages(record, explained) {
  const byN = new Map(explained.sources.map((s) => [s.n, s]));
  return el('section', { class: 'passages', 'aria-labelledby': 'passages-title' },
    el('h3', { id: 'passages-title' }, 'Cited passages'),
    record.citations.length ? el('ol', {}, record.citations.map((c) => {
      const source = byN.get(c.n) || { url: c.url, article: null };
      return el('li', { id: `passage-${c.n}`, value: c.n },
        el('strong', {}, c.title), c.citation ? el('p', { class: 'muted small' }, c.citation) : null,
        el('blockquote', { class: 'quote' }, c.passage), sourceLinks(source));
    })) : el('p', { class: 'muted' }, 'No citations.'));
}

/** Findings grouped by the sentence they name (the question's own first). */
function findingList(findings, id, title) {
  if (!findings.length) return null;
  const groups = new Map();
  for (const f of findings) {
    const key = f.sentence || '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(f);
  }
  return el('div', { class: 'findings', id },
    el('h4', {}, title),
    el('ul', {}, [...groups.entries()].map(([sentence, items]) => el('li', { class: 'finding' },
      el('p', { class: 'about' }, sentence ? el('q', {}, sentence) : 'About the question'),
      el('ul', {}, items.map((f) => el('li', { class: f.problem ? 'problem' : 'note', title: f.raw }, f.says)))))));
}

function diffView(before, after) {
  return el('p', { class: 'diff answer-text' }, wordDiff(before.text, after.text).map((part) => (
    part.op === 'same' ? part.text : el(part.op, {}, part.text))));
}

function versions(detail) {
  const list = detail.versions || [];
  return el('section', { class: 'history versions', 'aria-labelledby': 'versions-title' },
    el('h3', { id: 'versions-title' }, 'Versions'),
    el('ol', {}, list.map((v, i) => el('li', { class: 'version', 'data-version': v.version },
      el('p', {}, el('strong', {}, `Version ${v.version}`), ` by ${v.author} · `,
        el('span', { class: 'muted small' }, v.created_at.slice(0, 19).replace('T', ' '))),
      v.comment ? el('p', { class: 'comment' }, el('em', {}, 'Comment: '), v.comment) : null,
      el('details', { class: 'full-text', open: i === list.length - 1 },
        el('summary', {}, 'Full text'), el('p', { class: 'answer-text' }, v.text)),
      i ? el('details', { class: 'changes', open: true },
        el('summary', {}, `Changes from version ${list[i - 1].version}`),
        el('p', { class: 'legend small muted' }, 'Removed words are struck through; added words are underlined.'),
        diffView(list[i - 1], v)) : null))));
}

function describe(item) {
  const who = item.actor || item.user || '';
  const what = item.action || '';
  const note = item.justification || item.comment || item.reason
    || (item.payload && (item.payload.justification || item.payload.comment || item.payload.reason)) || '';
  const when = (item.at || item.created_at || '').slice(0, 19).replace('T', ' ');
  return el('li', {}, el('span', { class: 'muted small' }, when), ' ', el('strong', {}, String(what)),
    who ? ` by ${who}` : '', note ? el('span', {}, ` — ${String(note)}`) : null);
}

function history(title, items) {
  return el('section', { class: 'history' }, el('h3', {}, title),
    items && items.length ? el('ol', {}, items.map(describe)) : el('p', { class: 'muted' }, 'None yet.'));
}

function actions(detail, reload) {
  const id = detail.record.id;
  const final = !DECISIONS.some((a) => detail.allowed_actions.includes(a));
  const note = el('textarea', { id: 'review-note', rows: 3, placeholder: final ? 'Comment' : 'Comment (needed to reject)' });
  const feedback = el('div', { class: 'action-feedback', id: 'action-feedback' });
  const act = async (path, body, done, where = feedback) => {
    try {
      const bound = path === 'comment' ? body : { ...body, ...shownVersion(detail) };
      await api('POST', `/api/review/answers/${encodeURIComponent(id)}/${path}`, bound);
      await reload(id, done);
    } catch (err) { status(where, err.message, 'error'); }
  };
  const comment = () => note.value.trim() || null;
  const commentButton = el('button', { type: 'button', id: 'comment', onclick: () => {
    if (!comment()) { status(feedback, 'Write the comment first.', 'error'); note.focus(); return; }
    act('comment', { text: comment() }, 'Comment added.');
  } }, final ? 'Add comment' : 'Comment only');
  const heading = el('h3', { id: 'actions-title' }, final ? 'Comments' : 'Decision');
  if (final) {
    return el('section', { class: 'actions final', 'aria-labelledby': 'actions-title' }, heading,
      el('p', { class: 'notice final-note' }, `This answer is ${detail.record.review_status}: a final state, `
        + 'so no decision can change it. You can still add a comment.'),
      el('label', { for: 'review-note' }, 'Comment'), note,
      el('div', { class: 'buttons' }, commentButton), feedback);
  }
  // A version with verification findings is approved only with a written justification.
  const needsWhy = detail.approval_needs_justification;
  const why = el('textarea', { id: 'justification', rows: 3, placeholder: 'Why the text is right despite the findings above' });
  const approve = () => {
    if (needsWhy && !why.value.trim()) { status(feedback, 'This version has verification findings: give a justification to approve it.', 'error'); why.focus(); return; }
    act('approve', { comment: comment(), justification: needsWhy ? why.value.trim() : null }, 'Approved.');
  };
  const reject = () => {
    if (!comment()) { status(feedback, 'Give a reason to reject.', 'error'); note.focus(); return; }
    act('reject', { reason: comment() }, 'Rejected.');
  };
  const editBox = el('textarea', { id: 'edit-text', rows: 8 });
  editBox.value = currentText(detail);
  const editFeedback = el('div', { class: 'action-feedback', id: 'edit-feedback' });
  return el('section', { class: 'actions', 'aria-labelledby': 'actions-title' }, heading,
    el('label', { for: 'review-note' }, 'Comment or reason'), note,
    needsWhy ? el('label', { for: 'justification' }, 'Justification (required to approve this version)') : null,
    needsWhy ? why : null,
    el('div', { class: 'buttons' },
      el('button', { type: 'button', class: 'primary', id: 'approve', onclick: approve, 'aria-keyshortcuts': 'A' }, 'Approve'),
      el('button', { type: 'button', class: 'danger', id: 'reject', onclick: reject, 'aria-keyshortcuts': 'R' }, 'Reject'),
      commentButton),
    feedback,
    el('details', { class: 'edit' }, el('summary', {}, 'Edit the answer (saves a new version)'),
      el('label', { for: 'edit-text' }, 'Answer text'), editBox,
      el('button', { type: 'button', id: 'save-edit', onclick: () => act('edit', { text: editBox.value, comment: comment() }, 'Edit saved as a new version; its findings are below.', editFeedback) }, 'Save edit'),
      editFeedback));
}

/** Render answer `detail` (with its `explained` findings and sources) into `panel`. */
export function renderDetail(panel, detail, explained, reload) {
  const record = detail.record;
  const onCite = (n) => {
    const target = document.getElementById(`passage-${n}`);
    if (!target) return;
    target.scrollIntoView({ block: 'nearest' });
    target.classList.add('flash');
    setTimeout(() => target.classList.remove('flash'), 1200);
  };
  const version = latest(detail);
  clear(panel).append(
    el('h2', { tabindex: '-1', id: 'detail-title' }, record.question),
    el('p', { class: 'muted small' }, `Asked by ${detail.owner || 'unknown'} · standalone: ${record.standalone_question}`),
    coverageNote(record),
    el('div', { class: 'answer-head' }, badge(record.review_status),
      el('span', { class: 'muted small' }, ` answer ${record.id} · ${record.generator}${version ? ` · version ${version.version}` : ''}`)),
    el('div', { class: 'side-by-side' },
      el('section', { class: 'answer', 'aria-label': 'Answer under review' },
        el('h3', {}, 'Answer'), citedText('p', currentText(detail), onCite),
        findingList(explained.version_findings, 'version-findings', `Findings on the edited text (version ${explained.version})`),
        findingList(explained.findings, 'answer-findings', 'Findings when the answer was made')),
      passages(record, explained)),
    actions(detail, reload),
    versions(detail),
    history('Decisions', detail.decisions),
    history('Audit history', detail.audit));
}
