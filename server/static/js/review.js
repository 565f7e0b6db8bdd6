// Reviewer console: the queue, an answer beside its cited passages, decisions, audit history.
import { api } from './api.js';
import { el, clear, status, safeLink } from './dom.js';
import { badge, citedText, coverageNote } from './answer.js';
import { shell } from './shell.js';
import { evidenceNotice } from './evidence.js';

const queueList = document.getElementById('queue');
const filter = document.getElementById('status-filter');
const panel = document.getElementById('detail');
const notice = document.getElementById('notice');
let current = null;

async function loadQueue() {
  clear(queueList);
  // "changed": pending answers whose cited evidence changed since they were reviewed.
  const query = filter.value === 'changed' ? 'status=pending_review&changed=true' : `status=${encodeURIComponent(filter.value)}`;
  const items = await api('GET', `/api/review/queue?${query}&limit=100`);
  if (!items.length) queueList.append(el('li', { class: 'muted' }, 'Nothing here.'));
  for (const record of items) {
    queueList.append(el('li', {}, el('button', {
      type: 'button', class: 'queue-item', 'data-answer-id': record.id,
      'aria-current': current === record.id ? 'true' : false,
      onclick: () => open(record.id),
    }, el('span', { class: 'q' }, record.question), ' ', badge(record.review_status),
    record.evidence ? el('span', { class: 'badge pending evidence-flag' }, 'Evidence changed') : null,
    el('span', { class: 'muted small' }, ` ${record.created_at.slice(0, 16).replace('T', ' ')}`))));
  }
}

function currentText(detail) {
  const versions = detail.versions || [];
  return versions.length ? versions[versions.length - 1].text : detail.record.answer;
}

// The version shown, sent with every decision: the server refuses (409) a decision on a
// version that is no longer the current one, so nobody signs a text they did not see.
function shownVersion(detail) {
  const versions = detail.versions || [];
  const latest = versions[versions.length - 1];
  return latest ? { version: latest.version, sha256: latest.sha256 } : {};
}

function passages(record) {
  return el('section', { class: 'passages', 'aria-labelledby': 'passages-title' },
    el('h3', { id: 'passages-title' }, 'Cited passages'),
    record.citations.length ? el('ol', {}, record.citations.map((c) => el('li', { id: `passage-${c.n}`, value: c.n },
      el('strong', {}, c.title), c.citation ? el('p', { class: 'muted small' }, c.citation) : null,
      el('blockquote', { class: 'quote' }, c.passage),
      c.url ? safeLink(c.url, 'Open source') : el('code', {}, c.source_id)))) : el('p', { class: 'muted' }, 'No citations.'));
}

function describe(item) {
  const who = item.actor || item.author || item.reviewer || item.user || '';
  const what = item.action || item.kind || item.decision || (item.version !== undefined ? `version ${item.version}` : '');
  const note = item.justification || item.comment || item.reason || item.text || (item.payload && (item.payload.justification || item.payload.comment || item.payload.reason)) || '';
  const when = (item.at || item.created_at || '').slice(0, 19).replace('T', ' ');
  return el('li', {}, el('span', { class: 'muted small' }, when), ' ', el('strong', {}, String(what)),
    who ? ` by ${who}` : '', note ? el('span', {}, ` — ${String(note).slice(0, 500)}`) : null);
}

function history(title, items) {
  return el('section', { class: 'history' }, el('h3', {}, title),
    items && items.length ? el('ol', {}, items.map(describe)) : el('p', { class: 'muted' }, 'None yet.'));
}

function actions(detail) {
  const id = detail.record.id;
  const note = el('textarea', { id: 'review-note', rows: 3, placeholder: 'Comment (needed to reject)' });
  const editBox = el('textarea', { id: 'edit-text', rows: 8 });
  editBox.value = currentText(detail);
  const seen = shownVersion(detail);
  const act = async (path, body, done) => {
    try {
      const bound = path === 'comment' ? body : { ...body, ...seen };
      await api('POST', `/api/review/answers/${encodeURIComponent(id)}/${path}`, bound);
      status(notice, done, 'ok');
      await open(id);
      await loadQueue();
    } catch (err) { status(notice, err.message, 'error'); }
  };
  const comment = () => note.value.trim() || null;
  // A version with verification findings is approved only with a written justification.
  const needsWhy = detail.approval_needs_justification;
  const why = el('textarea', { id: 'justification', rows: 3, placeholder: 'Why the text is right despite the findings above' });
  const approve = () => {
    if (needsWhy && !why.value.trim()) { status(notice, 'This version has verification findings: give a justification to approve it.', 'error'); why.focus(); return; }
    act('approve', { comment: comment(), justification: needsWhy ? why.value.trim() : null }, 'Approved.');
  };
  return el('section', { class: 'actions', 'aria-labelledby': 'actions-title' },
    el('h3', { id: 'actions-title' }, 'Decision'),
    el('label', { for: 'review-note' }, 'Comment or reason'), note,
    needsWhy ? el('label', { for: 'justification' }, 'Justification (required to approve this version)') : null,
    needsWhy ? why : null,
    el('div', { class: 'buttons' },
      el('button', { type: 'button', class: 'primary', id: 'approve', onclick: approve }, 'Approve'),
      el('button', { type: 'button', class: 'danger', id: 'reject', onclick: () => {
        if (!comment()) { status(notice, 'Give a reason to reject.', 'error'); note.focus(); return; }
        act('reject', { reason: comment() }, 'Rejected.');
      } }, 'Reject'),
      el('button', { type: 'button', id: 'comment', onclick: () => {
        if (!comment()) { note.focus(); return; }
        act('comment', { text: comment() }, 'Comment added.');
      } }, 'Comment only')),
    el('details', { class: 'edit' }, el('summary', {}, 'Edit the answer (saves a new version)'),
      el('label', { for: 'edit-text' }, 'Answer text'), editBox,
      el('button', { type: 'button', id: 'save-edit', onclick: () => act('edit', { text: editBox.value, comment: comment() }, 'Edit saved as a new version.') }, 'Save edit')));
}

async function open(answerId) {
  current = answerId;
  try {
    const detail = await api('GET', `/api/review/answers/${encodeURIComponent(answerId)}`);
    const record = detail.record;
    const onCite = (n) => { const target = document.getElementById(`passage-${n}`); if (target) { target.scrollIntoView({ block: 'nearest' }); target.classList.add('flash'); setTimeout(() => target.classList.remove('flash'), 1200); } };
    clear(panel).append(
      el('h2', { tabindex: '-1', id: 'detail-title' }, record.question),
      el('p', { class: 'muted small' }, `Standalone: ${record.standalone_question}`),
      coverageNote(record),
      el('div', { class: 'answer-head' }, badge(record.review_status), el('span', { class: 'muted small' }, ` answer ${record.id} · ${record.generator}`)),
      evidenceNotice(record),
      el('div', { class: 'side-by-side' },
        el('section', { class: 'answer', 'aria-label': 'Answer under review' },
          el('h3', {}, 'Answer'), citedText('p', currentText(detail), onCite),
          detail.findings.length ? el('div', { class: 'findings', id: 'version-findings', role: 'alert' },
            el('h4', {}, `Findings on the edited text (version ${detail.versions[detail.versions.length - 1].version})`),
            el('ul', {}, detail.findings.map((f) => el('li', {}, f)))) : null,
          record.findings.length ? el('div', { class: 'findings' }, el('h4', {}, 'Verification findings'),
            el('ul', {}, record.findings.map((f) => el('li', {}, f)))) : null),
        passages(record)),
      actions(detail),
      history('Versions', detail.versions),
      history('Decisions', detail.decisions),
      history('Audit history', detail.audit));
    panel.querySelector('#detail-title').focus();
  } catch (err) { status(notice, err.message, 'error'); }
}

filter.addEventListener('change', () => loadQueue().catch((err) => status(notice, err.message, 'error')));
const user = await shell();
if (user.role === 'clinician') {
  status(notice, 'The review console is for reviewers.', 'error');
} else {
  await loadQueue().catch((err) => status(notice, err.message, 'error'));
  const wanted = new URLSearchParams(location.search).get('answer');
  if (wanted) await open(wanted);
}
