// SPDX-License-Identifier: Apache-2.0
// The account console (API.md §13): one page whose sections are all visible.
import { resume } from './resume.js';
import { start } from './shell.js';
import { fill, h } from './ui.js';
import profile from './account-profile.js';
import password from './account-password.js';
import mfa from './account-mfa.js';
import sessions from './account-sessions.js';
import linked from './account-linked.js';
import consents from './account-consents.js';
import passkeys from './account-passkeys.js';

// Each section: a heading and a module that fills its body.
const SECTIONS = [
  ['profile', 'Profile', profile],
  ['password', 'Password', password],
  ['mfa', 'Two-step verification', mfa],
  ['passkeys', 'Passkeys', passkeys],
  ['sessions', 'Sessions', sessions],
  ['linked-accounts', 'Linked accounts', linked],
  ['consents', 'Consents', consents],
];

const ctx = await start('admin');
const app = document.getElementById('app');
fill(app);
for (const [id, title, render] of SECTIONS) {
  const body = h('div', { class: 'section-body' });
  app.append(h('section', { id, class: 'panel', 'aria-labelledby': `h-${id}` }, h('h2', { id: `h-${id}` }, title), body));
  render(body, ctx);
}
resume(app); // after a sign-in that a step-up asked for: back to the action
