// The notice on an answer whose cited evidence changed after it was reviewed (or written): the
// message, each changed passage as a word diff (removed words struck through, added words
// marked), the findings, and notices of earlier answers in the conversation. Text from the
// server only ever goes in through textContent (el()).
import { el } from './dom.js';

function diffOf(change) {
  if (change.passage === null || change.passage === undefined) {
    return el('blockquote', { class: 'quote diff evidence-diff' }, el('del', {}, change.reviewed_passage));
  }
  return el('blockquote', { class: 'quote diff evidence-diff' }, (change.diff || []).map((part) => {
    if (part.op === 'removed') return el('del', { title: 'removed since review' }, part.text);
    if (part.op === 'added') return el('ins', { title: 'added since review' }, part.text);
    return part.text;
  }));
}

function changeItem(change) {
  const what = change.change === 'withdrawn'
    ? ' was withdrawn from the approved corpus. It read:'
    : ' changed (removed words struck through, added words underlined):';
  return el('li', { class: `evidence-change ${change.change}`, 'data-n': change.n },
    el('strong', {}, `[${change.n}] ${change.title}`), what, diffOf(change));
}

/** The notice for `record`, or null when its evidence (and its conversation's) is unchanged. */
export function evidenceNotice(record) {
  const notice = record.evidence;
  const earlier = record.earlier_evidence || [];
  if (!notice && !earlier.length) return null;
  const findings = notice && notice.findings && notice.findings.length
    ? el('ul', { class: 'evidence-findings' }, notice.findings.map((f) => el('li', {}, f))) : null;
  return el('div', { class: 'notice pending evidence-notice', role: 'note', 'data-state': notice ? notice.state : 'earlier' },
    notice ? el('p', { class: 'evidence-message' }, el('strong', {}, 'Evidence changed. '), notice.message) : null,
    notice && notice.changes.length ? el('ol', { class: 'evidence-changes' }, notice.changes.map(changeItem)) : null,
    findings,
    notice && notice.published_article ? el('p', {}, `Published as article ${notice.published_article}: it needs review too.`) : null,
    earlier.map((e) => el('p', { class: 'evidence-earlier' }, e.message)));
}
