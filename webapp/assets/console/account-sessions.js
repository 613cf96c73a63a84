// SPDX-License-Identifier: Apache-2.0
// Account › Sessions: where one is signed in (GET /me/sessions), each with Sign out, and one for all others.
import { api, query } from './api.js';
import { confirmAction, errorBox, fill, h, note, table, when } from './ui.js';

export default function sessions(root) {
  let cursor = null;
  const list = h('div');
  const more = h('button', { type: 'button', class: 'secondary small', hidden: true, onclick: () => load(false) }, 'Show more sessions');
  const others = h('button', { type: 'button', class: 'danger', onclick: endOthers }, 'Sign out all other sessions');
  let rows = [];

  async function load(first = true) {
    try {
      if (first) { cursor = null; rows = []; }
      const page = await api('GET', `/me/sessions${query({ limit: 20, cursor })}`);
      rows = rows.concat(page.items);
      cursor = page.next_cursor;
      more.hidden = !cursor;
      fill(list, table('Your sessions', ['Signed in', 'Application', 'Address', 'Methods', 'Action'], rows.map((s) => [
        when(s.created_at) + (s.current ? ' (this session)' : ''), s.client_id || '—', s.ip || '—', (s.amr || []).join(', '),
        s.current ? h('span', { class: 'muted' }, 'Current') : h('button', { type: 'button', class: 'secondary small', onclick: () => endOne(s) }, 'Sign out'),
      ])));
    } catch (e) { fill(list, errorBox(e)); }
  }

  async function endOne(s) {
    if (!(await confirmAction('Sign out this session?', `The session started ${when(s.created_at)} ends, with its tokens.`, { confirm: 'Sign out' }))) return;
    try { await api('DELETE', `/me/sessions/${encodeURIComponent(s.id)}`); note(root, 'Session signed out.'); } catch (e) { list.prepend(errorBox(e)); return; }
    load();
  }

  async function endOthers() {
    if (!(await confirmAction('Sign out all other sessions?', 'Every session but this one ends, with its tokens.', { confirm: 'Sign out others' }))) return;
    try { await api('DELETE', '/me/sessions'); note(root, 'All other sessions were signed out.'); } catch (e) { list.prepend(errorBox(e)); return; }
    load();
  }

  fill(root, list, h('div', { class: 'actions' }, more, others));
  load();
}
