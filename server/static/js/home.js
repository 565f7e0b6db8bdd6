// Home: the approved articles, each opening its page with a follow-up box.
import { api } from './api.js';
import { el, clear, status } from './dom.js';
import { shell } from './shell.js';

await shell();
const list = document.getElementById('articles');
try {
  const articles = await api('GET', '/api/articles');
  clear(list).append(...articles.map((a) => el('li', {},
    el('a', { href: `/articles/${encodeURIComponent(a.id)}` }, a.title),
    a.question ? el('p', { class: 'muted small' }, a.question) : null)));
} catch (err) {
  status(document.getElementById('notice'), err.message, 'error');
}
