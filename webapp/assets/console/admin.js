// SPDX-License-Identifier: Apache-2.0
// The admin console (API.md §13): a navigation of the sections the person's permissions allow,
// and a hash router (#/users, #/users/{id}, ...) that loads one module per section.
import { visibleSections } from './admin-sections.js';
import { resume } from './resume.js';
import { start } from './shell.js';
import { errorBox, fill, h } from './ui.js';

const ctx = await start('account');
const visible = visibleSections(ctx.can);
const nav = document.getElementById('sections');
const app = document.getElementById('app');
const main = document.getElementById('main');
const links = new Map();
fill(nav, h('ul', {}, visible.map(([path, text]) => {
  const a = h('a', { href: `#/${path}` }, text);
  links.set(path, a);
  return h('li', {}, a);
})));

/** Goes to `#/path` (a section path and optional id). */
ctx.navigate = (path) => { location.hash = `#/${path}`; };

let token = 0;
async function route() {
  const [path, ...rest] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const section = visible.find(([p]) => p === path) || visible[0];
  const mine = ++token;
  for (const [p, a] of links) if (p === section?.[0]) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  if (!section) {
    fill(app, h('h1', {}, 'Administration'), h('p', {}, 'Your account holds no administrative permissions in this organisation.'));
    return;
  }
  document.title = `${section[1]} · Administration`;
  fill(app, h('p', { class: 'status', role: 'status' }, 'Loading…'));
  try {
    const mod = await import(section[3]);
    if (mine !== token) return;
    fill(app);
    await mod.default(app, ctx, rest.filter(Boolean));
    resume(app); // after a sign-in that a step-up asked for: back to the action
  } catch (e) {
    fill(app, h('h1', {}, section[1]), errorBox(e));
  }
  if (document.activeElement === document.body) main.focus({ preventScroll: true });
}
addEventListener('hashchange', route);
route();
