// SPDX-License-Identifier: Apache-2.0
// Account › Consents: the applications one allowed, with what they may do (GET /me/consents), each with Withdraw.
import { api } from './api.js';
import { confirmAction, errorBox, fill, h, note, table, when } from './ui.js';

export default function consents(root) {
  const list = h('div');

  async function load() {
    try {
      const { items } = await api('GET', '/me/consents');
      if (items.length === 0) {
        fill(list, h('p', { class: 'muted' }, 'You have not allowed any application yet.'));
        return;
      }
      fill(list, table('Applications you allowed', ['Application', 'Allowed to', 'Since', 'Action'], items.map((c) => [
        c.name || c.client_id, c.scopes.join(', '), when(c.granted_at),
        h('button', { type: 'button', class: 'secondary small', 'aria-label': `Withdraw consent for ${c.name || c.client_id}`, onclick: () => withdraw(c) }, 'Withdraw'),
      ])));
    } catch (e) { fill(list, errorBox(e)); }
  }

  async function withdraw(c) {
    const name = c.name || c.client_id;
    if (!(await confirmAction(`Withdraw consent for ${name}?`, `${name} will ask you again the next time you sign in to it.`, { confirm: 'Withdraw' }))) return;
    try { await api('DELETE', `/me/consents/${encodeURIComponent(c.client_id)}`); note(root, `Consent for ${name} withdrawn.`); } catch (e) { list.prepend(errorBox(e)); return; }
    load();
  }

  fill(root, h('p', { class: 'muted' }, 'Applications you allowed to use your account. Withdrawing consent makes an application ask again.'), list);
  load();
}
