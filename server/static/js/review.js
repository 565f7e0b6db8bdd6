// Reviewer console: a queue to triage (tabs, sortable columns, filters), one answer beside its
// cited passages, decisions with their errors beside the buttons, versions with their diffs,
// audit history, and keyboard shortcuts (A approve, R reject, N next, P previous).
import { api } from './api.js';
import { status } from './dom.js';
import { shell } from './shell.js';
import { initQueue, loadQueue, neighbour, setCurrent } from './review-queue.js';
import { renderDetail } from './review-detail.js';

const panel = document.getElementById('detail');
const notice = document.getElementById('notice');

async function open(answerId, done = null) {
  setCurrent(answerId);
  try {
    const path = `/api/review/answers/${encodeURIComponent(answerId)}`;
    const [detail, explained] = await Promise.all([api('GET', path), api('GET', `${path}/explained`)]);
    renderDetail(panel, detail, explained, reload);
    if (done) status(panel.querySelector('#action-feedback'), done, 'ok');
    history.replaceState(null, '', `/review?answer=${encodeURIComponent(answerId)}`);
    panel.querySelector('#detail-title').focus({ preventScroll: Boolean(done) });
  } catch (err) { status(notice, err.message, 'error'); }
}

async function reload(answerId, done) {
  await loadQueue().catch((err) => status(notice, err.message, 'error'));
  await open(answerId, done);
}

function typing(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if (document.querySelector('dialog[open]')) return;
  const key = event.key.toLowerCase();
  const click = (id) => { const button = document.getElementById(id); if (button) button.click(); };
  if (key === 'a') click('approve');
  else if (key === 'r') click('reject');
  else if (key === 'n' || key === 'p') {
    const id = neighbour(key === 'n' ? 1 : -1);
    if (id) open(id);
  } else return;
  event.preventDefault();
}

initQueue((id) => open(id));
const user = await shell();
if (user.role === 'clinician') {
  status(notice, 'The review console is for reviewers.', 'error');
} else {
  document.addEventListener('keydown', onKey);
  await loadQueue().catch((err) => status(notice, err.message, 'error'));
  const wanted = new URLSearchParams(location.search).get('answer');
  if (wanted) await open(wanted);
}
