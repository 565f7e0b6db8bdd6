// The reviewer's queue as a table: answers and refusals in their own tabs, columns to sort,
// filters by state, asker, coverage and findings, and a text search.
import { api } from './api.js';
import { el, clear } from './dom.js';
import { badge } from './answer.js';

const KIND = { answer: '—', not_covered: 'Not covered', off_topic: 'Off-topic' };
const COVERAGE_ORDER = { full: 0, partial: 1, none: 2 };

const body = document.getElementById('queue');
const table = document.getElementById('queue-table');
const form = document.getElementById('filters');
const askers = document.getElementById('asker-filter');
const tabs = [...document.querySelectorAll('[role="tab"]')];

const state = { rows: [], tab: 'answer', key: 'created_at', dir: 1, current: null, onOpen: () => {} };

function tabOf(row) { return row.kind === 'answer' ? 'answer' : 'refusal'; }

function sortValue(row, key) {
  if (key === 'coverage') return COVERAGE_ORDER[row.coverage] ?? 3;
  if (key === 'asker') return (row.asker || '').toLowerCase();
  if (key === 'question') return row.question.toLowerCase();
  return row[key];
}

function matches(row) {
  const f = form.elements;
  const text = f.search.value.trim().toLowerCase();
  if (text && !`${row.question} ${row.asker || ''}`.toLowerCase().includes(text)) return false;
  if (f.asker.value && row.asker !== f.asker.value) return false;
  if (f.coverage.value && row.coverage !== f.coverage.value) return false;
  if (f.findings.value === 'with' && !row.problems) return false;
  if (f.findings.value === 'without' && row.problems) return false;
  return true;
}

/** The rows the reviewer sees now, in the order shown. */
export function visibleRows() {
  const rows = state.rows.filter((r) => tabOf(r) === state.tab && matches(r));
  return rows.sort((a, b) => {
    const x = sortValue(a, state.key);
    const y = sortValue(b, state.key);
    return (x < y ? -1 : x > y ? 1 : 0) * state.dir || a.created_at.localeCompare(b.created_at);
  });
}

function findingsCell(row) {
  if (!row.findings.length) return el('td', { class: 'muted', 'data-label': 'Findings' }, 'None');
  const label = row.problems ? `${row.problems} to check` : 'Notes only';
  return el('td', { title: row.findings.map((f) => f.says).join('\n'), 'data-label': 'Findings' },
    el('span', { class: row.problems ? 'flag' : 'muted' }, label));
}

function rowOf(row) {
  return el('tr', { 'data-answer-id': row.id, 'aria-current': row.id === state.current ? 'true' : false },
    el('td', {}, el('button', {
      type: 'button', class: 'queue-item', 'data-answer-id': row.id, onclick: () => state.onOpen(row.id),
    }, row.question)),
    el('td', { class: 'asker', 'data-label': 'Asker' }, row.asker || '—'),
    el('td', { class: `coverage-${row.coverage}`, 'data-label': 'Coverage' }, row.coverage),
    el('td', { class: 'kind', 'data-label': 'Refused' }, KIND[row.kind] || row.kind),
    findingsCell(row),
    el('td', {}, badge(row.review_status)),
    el('td', { class: 'small muted' }, row.created_at.slice(0, 16).replace('T', ' ')));
}

/** Redraw the table, tab counts and sort marks from the loaded rows. */
export function render() {
  const rows = visibleRows();
  clear(body).append(...(rows.length ? rows.map(rowOf)
    : [el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'Nothing here.'))]));
  for (const tab of tabs) {
    const mine = state.rows.filter((r) => tabOf(r) === tab.dataset.tab && matches(r)).length;
    tab.setAttribute('aria-selected', String(tab.dataset.tab === state.tab));
    tab.querySelector('.count').textContent = `(${mine})`;
  }
  for (const th of table.querySelectorAll('th[data-key]')) {
    if (th.dataset.key === state.key) th.setAttribute('aria-sort', state.dir > 0 ? 'ascending' : 'descending');
    else th.removeAttribute('aria-sort');
  }
}

function fillAskers() {
  const chosen = askers.value;
  const names = [...new Set(state.rows.map((r) => r.asker).filter(Boolean))].sort();
  clear(askers).append(el('option', { value: '' }, 'Anyone'), ...names.map((n) => el('option', { value: n }, n)));
  askers.value = names.includes(chosen) ? chosen : '';
}

/** Load the queue in the chosen review state. */
export async function loadQueue() {
  const status = form.elements.status.value;
  state.rows = await api('GET', `/api/review/triage?status=${encodeURIComponent(status)}`);
  fillAskers();
  render();
}

/** Mark the open answer; `step` (+1/-1) returns the id of the row after/before it. */
export function setCurrent(id) { state.current = id; render(); }
export function neighbour(step) {
  const rows = visibleRows();
  const at = rows.findIndex((r) => r.id === state.current);
  const next = rows[at + step] || (at < 0 ? rows[0] : null);
  return next ? next.id : null;
}

export function initQueue(onOpen) {
  state.onOpen = onOpen;
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('input', (e) => {
    if (e.target.name === 'status') return;
    render();
  });
  form.elements.status.addEventListener('change', () => loadQueue());
  for (const tab of tabs) tab.addEventListener('click', () => { state.tab = tab.dataset.tab; render(); });
  for (const th of table.querySelectorAll('th[data-key]')) {
    th.querySelector('button').addEventListener('click', () => {
      state.dir = state.key === th.dataset.key ? -state.dir : 1;
      state.key = th.dataset.key;
      render();
    });
  }
}
