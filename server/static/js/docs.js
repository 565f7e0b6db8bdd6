// API reference built from /openapi.json (no CDN, no inline script).
import { el, clear } from './dom.js';

const main = document.getElementById('docs');
const spec = await (await fetch('/openapi.json')).json();
clear(main).append(el('h1', {}, `${spec.info.title} API ${spec.info.version}`),
  el('p', {}, spec.info.description || ''),
  el('p', {}, 'Machine-readable schema: ', el('a', { href: '/openapi.json' }, '/openapi.json')));
for (const [path, ops] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(ops)) {
    const params = (op.parameters || []).map((p) => `${p.name} (${p.in})`).join(', ');
    main.append(el('section', { class: 'op' },
      el('h2', {}, el('code', {}, `${method.toUpperCase()} ${path}`)),
      el('p', {}, op.summary || ''), op.description ? el('p', { class: 'muted' }, op.description) : null,
      params ? el('p', { class: 'small' }, `Parameters: ${params}`) : null,
      op.security ? el('p', { class: 'small muted' }, 'Needs an API key (bearer) or a signed-in session.') : null));
  }
}
