// The page frame shared by every signed-in page: who is signed in, sign-out, reviewer link.
import { whoami, logout } from './api.js';
import { el, clear } from './dom.js';

export async function shell() {
  const user = await whoami();
  const slot = document.getElementById('user');
  if (slot) {
    clear(slot).append(
      el('span', { class: 'muted' }, `${user.name} (${user.role})`),
      el('button', { type: 'button', class: 'link', onclick: logout }, 'Sign out'));
  }
  for (const link of document.querySelectorAll('[data-role="reviewer"]')) {
    link.hidden = !(user.role === 'reviewer' || user.role === 'admin');
  }
  return user;
}
